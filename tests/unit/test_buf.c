/*
 * test_buf.c: the capped buffer, file copies and comparisons, HTML
 * escaping, and errors as values.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

int
main(void)
{
	struct buf b;
	struct err e;
	int i;

	err_clear(&e);
	buf_init(&b, 10);
	is_int(buf_puts(&b, "hello", &e), 0, "append under the cap");
	is_int(buf_puts(&b, "world", &e), 0, "append to exactly the cap");
	is_str(b.data, "helloworld", "content, NUL-terminated");
	is_int(buf_puts(&b, "!", &e), -1, "one byte over the cap");
	is_int(e.code, E_TOOBIG, "is E_TOOBIG");
	is_int(b.len, 10, "nothing appended on failure");
	buf_reset(&b);
	is_int(b.len, 0, "reset");
	err_clear(&e);
	is_int(buf_printf(&b, &e, "%d-%s", 42, "x"), 0, "printf");
	is_str(b.data, "42-x", "printf content");
	is_int(buf_printf(&b, &e, "%s", "0123456789"), -1, "printf over cap");
	buf_free(&b);
	ok(b.data == NULL && b.len == 0, "free clears");

	buf_init(&b, 1 << 20);
	err_clear(&e);
	for (i = 0; i < 10000; i++)
		buf_append(&b, "abcdefgh", 8, &e);
	is_int(b.len, 80000, "growth keeps every byte");
	buf_free(&b);

	err_clear(&e);
	is_int(buf_read_file(&b, "/nonexistent/file", 100, &e), -1,
	    "read missing file");
	is_int(e.code, E_NOTFOUND, "missing file is not found");
	err_clear(&e);
	is_int(buf_read_file(&b, "/etc/hostname", 1, &e) == -1 ||
	    b.len <= 1, 1, "read file over the cap fails");
	buf_free(&b);

	err_clear(&e);
	err_set(&e, E_NOTFOUND, "first %d", 1);
	err_set(&e, E_INTERNAL, "second");
	is_int(e.code, E_NOTFOUND, "first error wins (code)");
	is_str(e.msg, "first 1", "first error wins (message)");
	err_clear(&e);
	err_set(&e, E_BADREQ, "line\nbreak\r");
	is_str(e.msg, "line break ", "messages stay on one line");
	is_str(err_name(E_TIMEOUT), "timeout", "err_name");

	/* HTML: the five specials as entities, controls and non-ASCII as ?. */
	buf_init(&b, 1024);
	err_clear(&e);
	is_int(buf_puts_html(&b, "<a href=\"x\">&'</a>\x01\n\xc3\xa9ok", &e),
	    0, "html: appended");
	is_str(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
	    "????ok", "html: escaped, controls and non-ASCII replaced");
	buf_free(&b);
	buf_init(&b, 8);
	err_clear(&e);
	is_int(buf_puts_html(&b, "<<<", &e), -1, "html: over the cap fails");
	is_int(e.code, E_TOOBIG, "html: over the cap is E_TOOBIG");
	buf_free(&b);

	/* Files: the same bytes, other bytes, a copy, a copy over its cap. */
	{
		char dir[] = "/tmp/test_buf.XXXXXX", pa[64], pb[64], pc[64];
		int in, out;
		FILE *f;

		if (mkdtemp(dir) == NULL)
			return 99;
		snprintf(pa, sizeof(pa), "%s/a", dir);
		snprintf(pb, sizeof(pb), "%s/b", dir);
		snprintf(pc, sizeof(pc), "%s/c", dir);
		if ((f = fopen(pa, "w")) == NULL)
			return 99;
		for (i = 0; i < 20000; i++)
			fprintf(f, "line %d\n", i);
		fclose(f);
		err_clear(&e);
		in = open(pa, O_RDONLY);
		out = open(pb, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ok(buf_copy_fd(in, out, 1LL << 30, pa, pb, &e) > 65536,
		    "copy: more than one chunk");
		close(in);
		close(out);
		is_int(buf_same_file(pa, pb, &e), 1, "same: a copy");
		if ((f = fopen(pb, "r+")) == NULL)
			return 99;
		fseek(f, 100000, SEEK_SET);
		fputc('X', f);
		fclose(f);
		is_int(buf_same_file(pa, pb, &e), 0, "same: one byte changed");
		is_int(buf_same_file(pa, pc, &e), 0, "same: b missing");
		err_clear(&e);
		is_int(buf_same_file(pc, pa, &e), -1, "same: a missing");
		err_clear(&e);
		in = open(pa, O_RDONLY);
		out = open(pc, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		is_int((int)buf_copy_fd(in, out, 1000, pa, pc, &e), -1,
		    "copy: over its cap fails");
		is_int(e.code, E_TOOBIG, "copy: over its cap is E_TOOBIG");
		close(in);
		close(out);
		unlink(pa);
		unlink(pb);
		unlink(pc);
		rmdir(dir);
	}
	return tap_done();
}

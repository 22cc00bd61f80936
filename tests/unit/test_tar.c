/*
 * test_tar.c: tar.c's archives, table-driven.  For each name: the archive
 * tar_add_file writes is read back by hand (header fields, checksum, the
 * pax record and its self-counting length, the plain header's stand-in
 * name, never absolute, never ".."), then GNU tar lists it (tar -tvf) and
 * must print the full name; unsafe names are refused and write nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

#define NAME_BUF	(TAR_NAME_MAX + 64)

static char dir[] = "/tmp/test_tar.XXXXXX";
static char src[64], arc[64];

/* A name of len bytes: elements of "e123456789" joined by "/" (the last
 * one cut), or with no "/" at all when flat. */
static void
mkname(char *out, size_t len, int flat)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = flat ? 'x' : (i % 11 == 10 ? '/' : "e123456789"[i % 11]);
	if (len > 0 && out[len - 1] == '/')
		out[len - 1] = 'z';
	out[len] = '\0';
}

/* Octal field value. */
static unsigned long
octal(const char *f, size_t w)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < w && f[i] >= '0' && f[i] <= '7'; i++)
		v = v * 8 + (unsigned long)(f[i] - '0');
	return v;
}

/* Whether the header block h's checksum field matches its bytes. */
static int
sum_ok(const unsigned char *h)
{
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i < 512; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	return octal((const char *)h + 148, 8) == sum;
}

/* The name a header block says (prefix "/" name, or name). */
static void
hname(const unsigned char *h, char *out, size_t outsz)
{
	if (h[345] != '\0')
		snprintf(out, outsz, "%.155s/%.100s", (const char *)h + 345,
		    (const char *)h);
	else
		snprintf(out, outsz, "%.100s", (const char *)h);
}

/* GNU tar's listing of the archive, its last field (the name). */
static int
gnutar_name(char *out, size_t outsz)
{
	char cmd[256];
	FILE *f;
	size_t n;
	char *sp;
	int st;

	/* A fixed command on our own temporary file; popen is banned. */
	snprintf(cmd, sizeof(cmd), "%s/list", dir);
	if (fork() == 0) {
		int fd = open(cmd, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		execlp("tar", "tar", "-tvf", arc, (char *)NULL);
		_exit(127);
	}
	wait(&st);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	if ((f = fopen(cmd, "r")) == NULL)
		return -1;
	n = fread(out, 1, outsz - 1, f);
	fclose(f);
	out[n] = '\0';
	if (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	/* "-rw-r--r-- 0/0 5 2023-03-01 12:00 NAME": after the 5th space. */
	for (sp = out, st = 0; st < 5 && sp != NULL; st++)
		if ((sp = strchr(sp, ' ')) != NULL)
			while (*sp == ' ')
				sp++;
	if (sp == NULL)
		return -1;
	memmove(out, sp, strlen(sp) + 1);
	return 0;
}

/* Write an archive of name; read its blocks into *buf (allocated). */
static int
write_one(const char *name, unsigned char **buf, size_t *len, struct err *e)
{
	struct buf b;
	int fd, rc;

	if ((fd = open(arc, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		return -1;
	rc = tar_add_file(fd, name, src, e);
	if (rc == 0)
		rc = tar_finish(fd, e);
	close(fd);
	buf_init(&b, 1 << 20);
	if (buf_read_file(&b, arc, 1 << 20, e) == -1)
		return -1;
	*buf = (unsigned char *)b.data;
	*len = b.len;
	return rc;
}

int
main(void)
{
	static const struct {
		size_t	 len;
		int	 flat;	/* no "/" in the name */
		int	 pax;	/* a pax header is expected */
	} cases[] = {
		{ 1, 1, 0 }, { 99, 0, 0 }, { 100, 1, 0 }, { 100, 0, 0 },
		{ 101, 1, 1 },		/* no "/": cannot split */
		{ 150, 0, 0 },		/* prefix + name */
		{ 250, 0, 0 },		/* prefix 153, "/", name 96 */
		{ 255, 0, 1 },		/* no "/" leaves both fields fitting */
		{ 300, 0, 1 },
		{ 989, 1, 1 },		/* record 999: three digits */
		{ 990, 1, 1 },		/* 1000 would be 4 digits: 1001 */
		{ 991, 1, 1 },		/* 1002 */
		{ 990, 0, 1 },
		{ TAR_NAME_MAX, 0, 1 },
	};
	static const char *const bad[] = {
		"", "/etc/passwd", "../x", "a/../b", "a/..", "a\nb", "..",
	};
	char name[NAME_BUF], got[NAME_BUF + 128], what[128], rec[NAME_BUF + 64];
	unsigned char *a = NULL;
	const unsigned char *h;
	struct err e;
	size_t i, len = 0, total, rlen;
	struct stat st;
	char *end;
	int fd, rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(arc, sizeof(arc), "%s/a.tar", dir);
	fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd == -1 || write(fd, "hello", 5) != 5)
		return 1;
	close(fd);

	for (i = 0; i < NITEMS(cases); i++) {
		mkname(name, cases[i].len, cases[i].flat);
		snprintf(what, sizeof(what), "%zu bytes%s", cases[i].len,
		    cases[i].flat ? ", no slash" : "");
		err_clear(&e);
		rc = write_one(name, &a, &len, &e);
		if (!ok(rc == 0, what)) {
			printf("#   %s\n", e.msg);
			free(a);
			continue;
		}
		h = a;
		ok(len % 512 == 0 && len >= 512 * 4, "whole blocks");
		ok(memcmp(h + 257, "ustar\0" "00", 8) == 0, "ustar magic");
		ok(sum_ok(h), "first header's checksum");
		if (cases[i].pax) {
			is_int(h[156], 'x', "a pax header first");
			total = octal((const char *)h + 124, 12);
			rlen = strtoul((const char *)h + 512, &end, 10);
			is_int(rlen, total, "record length == its size");
			snprintf(rec, sizeof(rec), "%zu path=%s\n", rlen, name);
			ok(strlen(rec) == rlen && memcmp(h + 512, rec, rlen) ==
			    0, "the record counts its own digits exactly");
			h += 512 + (total + 511) / 512 * 512;
			ok(sum_ok(h), "the file header's checksum");
			hname(h, got, sizeof(got));
			ok(got[0] != '/' && strstr(got, "..") == NULL &&
			    got[0] != '\0', "fallback name not absolute, "
			    "no \"..\"");
			ok(strlen(got) <= 100 && (strcmp(got,
			    "PaxHeaders/long-name") == 0 ||
			    (strlen(got) < strlen(name) && strcmp(name +
			    strlen(name) - strlen(got), got) == 0 &&
			    name[strlen(name) - strlen(got) - 1] == '/')),
			    "fallback: whole trailing elements or the "
			    "placeholder");
		} else {
			hname(h, got, sizeof(got));
			is_str(got, name, "the plain header holds the name");
		}
		is_int(h[156], '0', "a regular file");
		is_int(octal((const char *)h + 124, 12), 5, "its size");
		is_int(octal((const char *)h + 100, 8), 0644, "mode 0644");
		ok(memcmp(h + 512, "hello", 5) == 0, "its bytes follow");
		if (gnutar_name(got, sizeof(got)) == 0)
			is_str(got, name, "GNU tar lists the full name");
		else
			ok(0, "GNU tar lists the archive");
		free(a);
		a = NULL;
	}
	for (i = 0; i < NITEMS(bad); i++) {
		err_clear(&e);
		fd = open(arc, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		rc = tar_add_file(fd, bad[i], src, &e);
		close(fd);
		snprintf(what, sizeof(what), "unsafe name %zu refused", i);
		ok(rc == -1 && stat(arc, &st) == 0 && st.st_size == 0, what);
	}
	unlink(src);
	unlink(arc);
	snprintf(got, sizeof(got), "%s/list", dir);
	unlink(got);
	rmdir(dir);
	return tap_done();
}

/*
 * test_gc.c: the pure parts under piraeus gc: [gc] max_size's syntax
 * (gc_size_parse) and the require directives of go.mod (modfile_requires).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "tap.h"

static const struct {
	const char	*s;
	int		 rc;
	long long	 v;
} sizes[] = {
	{ "0", 0, 0 }, { "123", 0, 123 }, { "1K", 0, 1024 },
	{ "10M", 0, 10485760LL }, { "2G", 0, 2147483648LL },
	{ "1T", 0, 1099511627776LL },
	{ "9223372036854775807", 0, 9223372036854775807LL },
	{ "", -1, 0 }, { "K", -1, 0 }, { "-1", -1, 0 }, { " 1", -1, 0 },
	{ "1 K", -1, 0 }, { "1k", -1, 0 }, { "1KB", -1, 0 }, { "1P", -1, 0 },
	{ "9223372036854775808", -1, 0 }, { "9999999999T", -1, 0 },
	{ "8388608T", -1, 0 }, { "0x10", -1, 0 },
};

static const struct {
	const char	*gomod;
	int		 rc;
	const char	*want;	/* "path@version " each */
} reqs[] = {
	{ "module a\n", 0, "" },
	{ "module a\nrequire b.org/c v1.2.3\n", 0, "b.org/c@v1.2.3 " },
	{ "module a\n\nrequire (\n\tb.org/c v1.2.3 // indirect\n"
	  "\t\"d.org/e\" v0.0.0-20200101000000-abcdefabcdef\n)\n"
	  "require f.org/g/v2 v2.0.0+incompatible\n", 0,
	  "b.org/c@v1.2.3 d.org/e@v0.0.0-20200101000000-abcdefabcdef "
	  "f.org/g/v2@v2.0.0+incompatible " },
	/* other blocks are skipped; "require" inside them is not one */
	{ "module a\nreplace (\n\trequire v1.0.0 => ./x\n)\n"
	  "exclude b.org/c v1.0.0\nretract v0.1.0\n", 0, "" },
	{ "module a\nrequire ()\n", 0, "" },
	{ "module a\n// require b.org/c v1.0.0\n", 0, "" },
	{ "module a\nrequire b.org/c\n", -1, NULL },
	{ "module a\nrequire b.org/c v1.0.0 v2\n", -1, NULL },
	{ "module a\nrequire b.org/c latest\n", -1, NULL },
	{ "module a\nrequire (\n\tb.org/c v1.0.0\n", -1, NULL },
	{ "module a\nrequire x (\n)\n", -1, NULL },
	{ "module a\nrequire \"b.org/c v1.0.0\n", -1, NULL },
};

int
main(void)
{
	struct modfile_require *q;
	struct retraction *r;
	struct err e;
	char name[128], got[1024];
	int64_t v;
	size_t i, k, n, o;
	int rc;

	for (i = 0; i < NITEMS(sizes); i++) {
		v = -7;
		rc = gc_size_parse(sizes[i].s, &v);
		snprintf(name, sizeof(name), "size \"%s\"", sizes[i].s);
		is_int(rc, sizes[i].rc, name);
		if (rc == 0)
			is_int(v, sizes[i].v, "  its value");
	}
	for (i = 0; i < NITEMS(reqs); i++) {
		err_clear(&e);
		q = NULL;
		n = 0;
		rc = modfile_requires(reqs[i].gomod, strlen(reqs[i].gomod),
		    &q, &n, &e);
		snprintf(name, sizeof(name), "requires %zu", i);
		is_int(rc, reqs[i].rc, name);
		if (rc == 0) {
			got[0] = '\0';
			for (k = 0, o = 0; k < n; k++)
				o += (size_t)snprintf(got + o, sizeof(got) - o,
				    "%s@%s ", q[k].path, q[k].version);
			is_str(got, reqs[i].want, "  the requirements");
		} else
			ok(strstr(e.msg, "go.mod:") != NULL, "  a go.mod error");
		free(q);
	}
	/* Retractions are still read alone, and an error names its verb. */
	err_clear(&e);
	rc = modfile_retractions("module a\nrequire b.org/c v1.0.0\n"
	    "retract v0.1.0\n", 46, &r, &n, &e);
	is_int(rc, 0, "retractions beside a require");
	if (rc == 0) {
		is_int(n, 1, "  one");
		free(r);
	}
	err_clear(&e);
	rc = modfile_retractions("module a\nretract latest\n", 24, &r, &n, &e);
	is_int(rc, -1, "a bad retract");
	ok(strstr(e.msg, "retract: invalid version") != NULL,
	    "  names retract");
	return tap_done();
}

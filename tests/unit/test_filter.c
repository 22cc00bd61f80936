/*
 * test_filter.c: Athens' filter file (filter.c) as tables.
 *
 * One file of every rule kind, then module@version -> rule and the line
 * that decided: the default rule, "+", "-", "D", the longest covering
 * path, element boundaries, version lists, the v1 / v1.2 / v1.2.3 forms,
 * ~ ^ < with and without "v" (< strictly lower), pre-releases and
 * pseudo-versions, rules with versions skipped when no version is known.
 * Then files that must fail, each with the line named: unknown signs, too
 * many words, empty and malformed qualifiers, "*" after a full version,
 * bad paths, NUL bytes, over-long lines and files; and a file that must
 * load from disk.
 */
#include "config.h"

#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

static const char good[] =
    "# a comment\n"					/* 1 */
    "\n"						/* 2 */
    "-\n"						/* 3 */
    "+ github.com/ok\n"					/* 4 */
    "- github.com/ok/bad\n"				/* 5 */
    "D github.com/direct\n"				/* 6 */
    "+ example.com/v v1.2,v2.0.1\n"			/* 7 */
    "+ example.com/t ~1.2.3\n"				/* 8 */
    "+ example.com/tv ~v1.2.3\n"			/* 9 */
    "+ example.com/c ^1.2.3\n"				/* 10 */
    "+ example.com/l <1.2.3\n"				/* 11 */
    "+ example.com/lv <v1.2.3\n"			/* 12 */
    "\t+   /example.com/m/   v1.*,v3 # trailing comment\r\n"	/* 13 */
    "+ example.com/p v0.1.\n"				/* 14 */
    "+ example.com/star v2.3.*\n"			/* 15 */
    "- example.com/late\n"				/* 16 */
    "+ example.com/late\n"				/* 17 */
    "+ example.com/big ^99999999999999999999.0.0\n";	/* 18 */

static const struct decide_case {
	const char		*module;
	const char		*version;
	enum filter_action	 want;
	int			 line;
} decide_cases[] = {
	/* The default rule (line 3) for what nothing covers. */
	{ "other.example/x", "v1.0.0", FILTER_EXCLUDE, 3 },
	{ "other.example/x", "", FILTER_EXCLUDE, 3 },
	/* Paths cover what is below them, at "/" only. */
	{ "github.com/ok", "v1.0.0", FILTER_INCLUDE, 4 },
	{ "github.com/ok/x/y", "v1.0.0", FILTER_INCLUDE, 4 },
	{ "github.com/okay", "v1.0.0", FILTER_EXCLUDE, 3 },
	{ "github.com/ok/bad", "v1.0.0", FILTER_EXCLUDE, 5 },
	{ "github.com/ok/bad/sub", "", FILTER_EXCLUDE, 5 },
	{ "github.com/ok/badder", "v1.0.0", FILTER_INCLUDE, 4 },
	{ "github.com/direct/x", "v1.0.0", FILTER_DIRECT, 6 },
	/* v1.2: that minor; v2.0.1: exactly it (never v2.0.10). */
	{ "example.com/v", "v1.2.0", FILTER_INCLUDE, 7 },
	{ "example.com/v", "v1.2.99", FILTER_INCLUDE, 7 },
	{ "example.com/v", "v1.2.3-rc.1", FILTER_INCLUDE, 7 },
	{ "example.com/v", "v1.20.0", FILTER_EXCLUDE, 3 },
	{ "example.com/v", "v1.3.0", FILTER_EXCLUDE, 3 },
	{ "example.com/v", "v2.0.1", FILTER_INCLUDE, 7 },
	{ "example.com/v", "v2.0.10", FILTER_EXCLUDE, 3 },
	{ "example.com/v", "v2.0.1-pre", FILTER_EXCLUDE, 3 },
	/* No version known: rules with versions do not apply. */
	{ "example.com/v", "", FILTER_EXCLUDE, 3 },
	/* ~1.2.3: 1.2.x from 1.2.3, with or without v. */
	{ "example.com/t", "v1.2.3", FILTER_INCLUDE, 8 },
	{ "example.com/t", "v1.2.10", FILTER_INCLUDE, 8 },
	{ "example.com/t", "v1.2.2", FILTER_EXCLUDE, 3 },
	{ "example.com/t", "v1.3.0", FILTER_EXCLUDE, 3 },
	{ "example.com/t", "v1.2.3-rc.1", FILTER_EXCLUDE, 3 },
	{ "example.com/t", "v1.2.4-0.20230101120000-abcdefabcdef",
	  FILTER_INCLUDE, 8 },
	{ "example.com/t", "v2.2.3", FILTER_EXCLUDE, 3 },
	{ "example.com/tv", "v1.2.5", FILTER_INCLUDE, 9 },
	{ "example.com/tv", "v1.1.9", FILTER_EXCLUDE, 3 },
	/* ^1.2.3: 1.x.y from 1.2.3. */
	{ "example.com/c", "v1.2.3", FILTER_INCLUDE, 10 },
	{ "example.com/c", "v1.9.0", FILTER_INCLUDE, 10 },
	{ "example.com/c", "v1.2.2", FILTER_EXCLUDE, 3 },
	{ "example.com/c", "v2.0.0", FILTER_EXCLUDE, 3 },
	{ "example.com/c", "v0.9.9", FILTER_EXCLUDE, 3 },
	/* <1.2.3: strictly lower (Athens took 1.2.3 too). */
	{ "example.com/l", "v1.2.2", FILTER_INCLUDE, 11 },
	{ "example.com/l", "v0.58.9", FILTER_INCLUDE, 11 },
	{ "example.com/l", "v1.2.3-rc.1", FILTER_INCLUDE, 11 },
	{ "example.com/l", "v1.2.3", FILTER_EXCLUDE, 3 },
	{ "example.com/l", "v1.10.0", FILTER_EXCLUDE, 3 },
	{ "example.com/lv", "v1.2.2", FILTER_INCLUDE, 12 },
	{ "example.com/lv", "v1.2.3", FILTER_EXCLUDE, 3 },
	/* Blanks, outer slashes, "v1.*", "v3", a comment and CR. */
	{ "example.com/m", "v1.5.0", FILTER_INCLUDE, 13 },
	{ "example.com/m", "v3.0.0+incompatible", FILTER_INCLUDE, 13 },
	{ "example.com/m", "v2.0.0", FILTER_EXCLUDE, 3 },
	{ "example.com/m", "v10.0.0", FILTER_EXCLUDE, 3 },
	/* Athens' own "v0.1." form; "v2.3.*". */
	{ "example.com/p", "v0.1.7", FILTER_INCLUDE, 14 },
	{ "example.com/p", "v0.10.0", FILTER_EXCLUDE, 3 },
	{ "example.com/star", "v2.3.4", FILTER_INCLUDE, 15 },
	{ "example.com/star", "v2.30.0", FILTER_EXCLUDE, 3 },
	/* Equally long: the later line. */
	{ "example.com/late", "v1.0.0", FILTER_INCLUDE, 17 },
	/* Numbers longer than any integer: compared as digit strings. */
	{ "example.com/big", "v99999999999999999999.1.0", FILTER_INCLUDE, 18 },
	{ "example.com/big", "v99999999999999999998.9.0", FILTER_EXCLUDE, 3 },
	/* Versions that are not versions never match a qualifier. */
	{ "example.com/c", "master", FILTER_EXCLUDE, 3 },
	{ "example.com/v", "v1.2", FILTER_EXCLUDE, 3 },
};

static const struct bad_case {
	const char	*name;
	const char	*text;
	const char	*want;		/* in the message */
} bad_cases[] = {
	{ "unknown sign", "+\nI github.com/a\n", "f:2: \"I\"" },
	{ "E is not a sign (Athens' docs)", "E github.com/a\n", "f:1:" },
	{ "a longer sign", "++ github.com/a\n", "f:1:" },
	{ "four words", "+ a.example/b v1.0.0 extra\n", "f:1: more than 3" },
	{ "an empty version", "+ a.example/b v1.0.0,\n", "f:1: an empty" },
	{ "a lone comma", "\n\n+ a.example/b ,\n", "f:3: an empty" },
	{ "not a version", "+ a.example/b latest\n", "f:1: \"latest\"" },
	{ "~ without patch", "+ a.example/b ~1.2\n", "f:1: \"~1.2\"" },
	{ "^ with a pre-release", "+ a.example/b ^1.2.3-rc\n", "f:1:" },
	{ "< with a star", "+ a.example/b <1.2.3*\n", "f:1:" },
	{ "a star after a full version", "+ a.example/b v1.2.3*\n",
	  "drop the \"*\"" },
	{ "a leading zero", "+ a.example/b v01.2\n", "f:1:" },
	{ "a number too long", "+ a.example/b v123456789012345678901\n",
	  "f:1:" },
	{ "an empty path element", "- a.example//b\n", "f:1: \"a.example//b\"" },
	{ "a path of slashes", "- ///\n", "f:1: an empty module path" },
	{ "a control byte", "- a.example/\001b\n", "f:1: a module path with "
	  "a byte 0x01" },
	{ "a high byte", "- a.example/\xc3\xa9\n", "byte 0xc3" },
};

static void
test_decide(void)
{
	struct filter_table t;
	struct err e;
	char name[256];
	size_t i;
	int line;

	err_clear(&e);
	if (!ok(filter_parse("good", good, strlen(good), &t, &e) == 0,
	    "the good file parses")) {
		printf("#   %s\n", e.msg);
		return;
	}
	is_int((int)t.n, 15, "15 rules with a path");
	is_int(t.root, FILTER_EXCLUDE, "default rule -");
	is_int(t.root_line, 3, "from line 3");
	for (i = 0; i < NITEMS(decide_cases); i++) {
		const struct decide_case *c = &decide_cases[i];

		line = -1;
		snprintf(name, sizeof(name), "%s@%s: %s (line %d)", c->module,
		    c->version, filter_action_name(c->want), c->line);
		if (!ok(filter_decide(&t, c->module, c->version, &line) ==
		    c->want && line == c->line, name))
			printf("#   got %s, line %d\n", filter_action_name(
			    filter_decide(&t, c->module, c->version, NULL)),
			    line);
	}
	filter_free(&t);

	/* No rule at all: include, the built-in default (line 0). */
	if (filter_parse("empty", "", 0, &t, &e) == -1)
		exit(99);
	line = -1;
	is_int(filter_decide(&t, "a.example/b", "v1.0.0", &line),
	    FILTER_INCLUDE, "an empty file includes everything");
	is_int(line, 0, "by the built-in default");
	filter_free(&t);
}

static void
test_bad(void)
{
	struct filter_table t;
	struct err e;
	char name[256];
	size_t i;

	for (i = 0; i < NITEMS(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		err_clear(&e);
		snprintf(name, sizeof(name), "bad: %s: refused", c->name);
		ok(filter_parse("f", c->text, strlen(c->text), &t, &e) == -1,
		    name);
		snprintf(name, sizeof(name), "bad: %s: E_CONFIG", c->name);
		is_int(e.code, E_CONFIG, name);
		snprintf(name, sizeof(name), "bad: %s: says %s", c->name,
		    c->want);
		if (!ok(strstr(e.msg, c->want) != NULL, name))
			printf("#   got: '%s'\n", e.msg);
		is_int((int)t.n, 0, "and leaves no rule");
	}
}

/* Hostile input: NUL bytes, long lines, many versions, a huge file. */
/* The process's peak resident set, in KiB. */
static long
peak_kib(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		exit(99);
	return ru.ru_maxrss;
}

static void
test_hostile(void)
{
	struct filter_table t;
	struct err e;
	char *big;
	size_t n, i;
	long peak;

	err_clear(&e);
	ok(filter_parse("f", "+ a.example\n- b\0.example\n", 24, &t, &e) == -1,
	    "a NUL byte is refused");
	ok(strstr(e.msg, "f:2: a NUL byte") != NULL, "naming its line");

	big = xmalloc(FILTER_FILE_MAX + 2);
	n = (size_t)snprintf(big, 64, "+ a.example\n- ");
	memset(big + n, 'x', FILTER_LINE_MAX);
	big[n + FILTER_LINE_MAX] = '\n';
	err_clear(&e);
	ok(filter_parse("f", big, n + FILTER_LINE_MAX + 1, &t, &e) == -1,
	    "a line over FILTER_LINE_MAX is refused");
	ok(strstr(e.msg, "f:2: a line longer than") != NULL, "naming its line");

	n = (size_t)snprintf(big, 64, "+ a.example ");
	for (i = 0; i <= FILTER_QUALS_MAX; i++)
		n += (size_t)snprintf(big + n, 16, "v1.%zu,", i);
	big[n - 1] = '\n';
	err_clear(&e);
	ok(filter_parse("f", big, n, &t, &e) == -1,
	    "more than FILTER_QUALS_MAX versions are refused");
	ok(strstr(e.msg, "f:1: more than 64 versions") != NULL, "saying so");

	memset(big, '\n', FILTER_FILE_MAX + 1);
	err_clear(&e);
	ok(filter_parse("f", big, FILTER_FILE_MAX + 1, &t, &e) == -1,
	    "a file over FILTER_FILE_MAX is refused");
	ok(strstr(e.msg, "longer than") != NULL, "saying so");

	/* A file of one-qualifier rules: memory in proportion to it (it
	 * took 64 qualifiers of 328 bytes a rule: 2 GB for these 700 KB). */
	for (n = 0, i = 0; i < 100000; i++)
		n += (size_t)snprintf(big + n, 16, "- a v1\n");
	err_clear(&e);
	peak = peak_kib();
	ok(filter_parse("f", big, n, &t, &e) == 0 && t.n == 100000,
	    "100000 rules of one qualifier parse");
	peak = peak_kib() - peak;
	if (!ok(peak < 256 * 1024, "and the peak grew less than 256 MiB"))
		printf("#   it grew %ld KiB\n", peak);
	is_int(filter_decide(&t, "a", "v1.2.3", NULL), FILTER_EXCLUDE,
	    "and decide");
	filter_free(&t);
	free(big);
}

/* From disk: a good file, a missing one, a directory. */
static void
test_load(void)
{
	char dir[] = "/tmp/piraeus-filter-XXXXXX", path[256];
	struct filter_table t;
	struct err e;
	FILE *f;

	if (mkdtemp(dir) == NULL)
		exit(99);
	snprintf(path, sizeof(path), "%s/filter", dir);
	if ((f = fopen(path, "w")) == NULL)
		exit(99);
	fputs("-\n+ github.com/ok\n\nX bad\n", f);
	fclose(f);
	err_clear(&e);
	ok(filter_load(path, &t, &e) == -1, "load: a bad file fails");
	ok(strstr(e.msg, "/filter:4: \"X\"") != NULL, "naming the file and the line");
	if ((f = fopen(path, "w")) == NULL)
		exit(99);
	fputs("-\n+ github.com/ok\n", f);
	fclose(f);
	err_clear(&e);
	ok(filter_load(path, &t, &e) == 0, "load: a good file");
	is_int(filter_decide(&t, "github.com/ok", "v1.0.0", NULL),
	    FILTER_INCLUDE, "load: its rule applies");
	filter_free(&t);
	unlink(path);
	err_clear(&e);
	ok(filter_load(path, &t, &e) == -1, "load: a missing file fails");
	ok(strstr(e.msg, "No such file") != NULL, "saying so");
	err_clear(&e);
	ok(filter_load(dir, &t, &e) == -1, "load: a directory fails");
	ok(strstr(e.msg, "not a regular file") != NULL, "saying so");
	rmdir(dir);
}

int
main(void)
{
	test_decide();
	test_bad();
	test_hostile();
	test_load();
	return tap_done();
}

/*
 * test_semver.c: unit tests for semver.c.
 *
 * The main table carries over golang.org/x/mod semver/semver_test.go
 * (its rows are in increasing order, which TestCompare relies on, and so
 * does test_compare_table here); the pseudo-version rows come from
 * module/pseudo_test.go and protocol.md section 1.6.  Every expected value
 * is written out, never computed by the code under test.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "piraeus.h"
#include "tap.h"


/*
 * semver_test.go "tests", in order: canonical form ("" when invalid), the
 * major, the build suffix and whether there is a pre-release.
 */
static const struct {
	const char	*in;
	const char	*canon;
	const char	*major;
	const char	*build;		/* NULL when invalid */
	int		 pre;
} tests[] = {
	{ "bad", "", "", NULL, 0 },
	{ "v1-alpha.beta.gamma", "", "", NULL, 0 },
	{ "v1-pre", "", "", NULL, 0 },
	{ "v1+meta", "", "", NULL, 0 },
	{ "v1-pre+meta", "", "", NULL, 0 },
	{ "v1.2-pre", "", "", NULL, 0 },
	{ "v1.2+meta", "", "", NULL, 0 },
	{ "v1.2-pre+meta", "", "", NULL, 0 },
	{ "v1.0.0-alpha", "v1.0.0-alpha", "v1", "", 1 },
	{ "v1.0.0-alpha.1", "v1.0.0-alpha.1", "v1", "", 1 },
	{ "v1.0.0-alpha.beta", "v1.0.0-alpha.beta", "v1", "", 1 },
	{ "v1.0.0-beta", "v1.0.0-beta", "v1", "", 1 },
	{ "v1.0.0-beta.2", "v1.0.0-beta.2", "v1", "", 1 },
	{ "v1.0.0-beta.11", "v1.0.0-beta.11", "v1", "", 1 },
	{ "v1.0.0-rc.1", "v1.0.0-rc.1", "v1", "", 1 },
	{ "v1", "v1.0.0", "v1", "", 0 },
	{ "v1.0", "v1.0.0", "v1", "", 0 },
	{ "v1.0.0", "v1.0.0", "v1", "", 0 },
	{ "v1.2", "v1.2.0", "v1", "", 0 },
	{ "v1.2.0", "v1.2.0", "v1", "", 0 },
	{ "v1.2.3-456", "v1.2.3-456", "v1", "", 1 },
	{ "v1.2.3-456.789", "v1.2.3-456.789", "v1", "", 1 },
	{ "v1.2.3-456-789", "v1.2.3-456-789", "v1", "", 1 },
	{ "v1.2.3-456a", "v1.2.3-456a", "v1", "", 1 },
	{ "v1.2.3-pre", "v1.2.3-pre", "v1", "", 1 },
	{ "v1.2.3-pre+meta", "v1.2.3-pre", "v1", "+meta", 1 },
	{ "v1.2.3-pre.1", "v1.2.3-pre.1", "v1", "", 1 },
	{ "v1.2.3-zzz", "v1.2.3-zzz", "v1", "", 1 },
	{ "v1.2.3", "v1.2.3", "v1", "", 0 },
	{ "v1.2.3+meta", "v1.2.3", "v1", "+meta", 0 },
	{ "v1.2.3+meta-pre", "v1.2.3", "v1", "+meta-pre", 0 },
	{ "v1.2.3+meta-pre.sha.256a", "v1.2.3", "v1", "+meta-pre.sha.256a", 0 },
};

/* TestSort's golden order: semver order, ties by string. */
static const char *const sort_golden[] = {
	"bad",
	"v1+meta",
	"v1-alpha.beta.gamma",
	"v1-pre",
	"v1-pre+meta",
	"v1.2+meta",
	"v1.2-pre",
	"v1.2-pre+meta",
	"v1.0.0-alpha",
	"v1.0.0-alpha.1",
	"v1.0.0-alpha.beta",
	"v1.0.0-beta",
	"v1.0.0-beta.2",
	"v1.0.0-beta.11",
	"v1.0.0-rc.1",
	"v1",
	"v1.0",
	"v1.0.0",
	"v1.2",
	"v1.2.0",
	"v1.2.3-456",
	"v1.2.3-456.789",
	"v1.2.3-456-789",
	"v1.2.3-456a",
	"v1.2.3-pre",
	"v1.2.3-pre+meta",
	"v1.2.3-pre.1",
	"v1.2.3-zzz",
	"v1.2.3",
	"v1.2.3+meta",
	"v1.2.3+meta-pre",
	"v1.2.3+meta-pre.sha.256a",
};

/* More validity and canonical forms ("" when invalid). */
static const struct {
	const char	*in;
	const char	*canon;
} more_tests[] = {
	{ "", "" },
	{ "v", "" },
	{ "1.0.0", "" },
	{ "V1.0.0", "" },
	{ "v01.0.0", "" },
	{ "v1.01.0", "" },
	{ "v1.0.01", "" },
	{ "v1.0.0-01", "" },
	{ "v1.0.0-00", "" },
	{ "v1.0.0-0", "v1.0.0-0" },
	{ "v1.0.0-0a", "v1.0.0-0a" },
	{ "v1.0.0-a.01", "" },
	{ "v1.0.0+01", "v1.0.0" },
	{ "v1.0.0-", "" },
	{ "v1.0.0+", "" },
	{ "v1.0.0-a..b", "" },
	{ "v1.0.0-a.", "" },
	{ "v1.0.0-.a", "" },
	{ "v1.0.0+a..b", "" },
	{ "v1.0.0-a_b", "" },
	{ "v1.0.0+a_b", "" },
	{ "v1.0.0-a+b+c", "" },
	{ "v1.0.0 ", "" },
	{ " v1.0.0", "" },
	{ "v1.0.0.0", "" },
	{ "v1.", "" },
	{ "v1.2.", "" },
	{ "v1..2", "" },
	{ "v-1.0.0", "" },
	{ "v1.0.0-\xC3\xA9", "" },
	{ "v0", "v0.0.0" },
	{ "v0.0.0", "v0.0.0" },
	{ "v10.20.30", "v10.20.30" },
	{ "v99999999999999999999.0.0", "v99999999999999999999.0.0" },
	{ "v1.0.0--", "v1.0.0--" },
	{ "v1.0.0-x-y-z.--", "v1.0.0-x-y-z.--" },
	{ "v2.0.0+incompatible", "v2.0.0" },
	{ "v0.0.0-20191109021931-daa7c04131f5",
	  "v0.0.0-20191109021931-daa7c04131f5" },
};

/* Pairs in increasing order (each row compares below the next). */
static const char *const ordered[] = {
	"",
	"v1.0.0-alpha",
	"v1.0.0-alpha.1",
	"v1.0.0-alpha.beta",
	"v1.0.0-beta",
	"v1.0.0-beta.2",
	"v1.0.0-beta.11",
	"v1.0.0-rc.1",
	"v1.0.0",
	"v1.0.1-0.20191109021931-daa7c04131f5",
	"v1.0.1",
	"v1.2.0",
	"v1.9.0",
	"v1.10.0",
	"v2.0.0-2",
	"v2.0.0-10",
	"v2.0.0-a",
	"v2.0.0",
	"v10.0.0",
	"v99999999999999999999.0.0",
	"v100000000000000000000.0.0",
};

/* Compare results of single pairs. */
static const struct {
	const char	*a;
	const char	*b;
	int		 want;
} compare_tests[] = {
	{ "bad", "worse", 0 },
	{ "", "bad", 0 },
	{ "bad", "v0.0.0", -1 },
	{ "v0.0.0", "bad", 1 },
	{ "v1.0.0+a", "v1.0.0+b", 0 },
	{ "v1.0.0", "v1.0.0+incompatible", 0 },
	{ "v1", "v1.0.0", 0 },
	{ "v1.2", "v1.2.0+x", 0 },
	{ "v1.0.0-a", "v1.0.0-a+z", 0 },
	{ "v1.0.0-999", "v1.0.0-a", -1 },
	{ "v1.0.0-a", "v1.0.0-999", 1 },
	{ "v1.0.0-a.b", "v1.0.0-a", 1 },
	{ "v1.0.0-ab", "v1.0.0-a.b", 1 },
	{ "v1.0.0-B", "v1.0.0-a", -1 },
	{ "v1.0.0--", "v1.0.0-0", 1 },
	{ "v1.0.0-1.2", "v1.0.0-1.10", -1 },
	{ "v2.0.0", "v10.0.0", -1 },
	{ "v0.10.0", "v0.9.99", 1 },
};

/* module.CanonicalVersion: keep "+incompatible", drop any other build. */
static const struct {
	const char	*in;
	const char	*canon;		/* NULL: fails */
} incompat_tests[] = {
	{ "v2.0.0+incompatible", "v2.0.0+incompatible" },
	{ "v2.3.4-pre+incompatible", "v2.3.4-pre+incompatible" },
	{ "v2.0.0+meta", "v2.0.0" },
	{ "v2.0.0+incompatible.1", "v2.0.0" },
	{ "v2.0.0+Incompatible", "v2.0.0" },
	{ "v1.2", "v1.2.0" },
	{ "v2+incompatible", NULL },
	{ "v2.0+incompatible", NULL },
	{ "bad+incompatible", NULL },
};

/* IsPseudoVersion. */
static const struct {
	const char	*v;
	int		 pseudo;
} pseudo_tests[] = {
	/* protocol.md 1.6 */
	{ "v0.0.0-20191109021931-daa7c04131f5", 1 },
	{ "v1.2.4-0.20191109021931-daa7c04131f5", 1 },
	{ "v1.2.3-pre.0.20191109021931-daa7c04131f5", 1 },
	{ "v2.0.0-20200722182040-012345abcdef+incompatible", 1 },
	{ "v2.0.1-20200722182040-012345abcdef+incompatible", 0 },
	{ "v1.999.999-99999999999999-daa7c04131f5", 0 },
	{ "v0.0.1-go1.21.0.linux-amd64", 0 },
	/* pseudo_test.go: each version, then each base it came from */
	{ "v0.0.0-20060102150405-hash", 1 },
	{ "v1.0.0-20060102150405-hash", 1 },
	{ "v2.0.0-20060102150405-hash", 1 },
	{ "v0.0.1-0.20060102150405-hash", 1 },
	{ "v1.2.4-0.20060102150405-hash", 1 },
	{ "v1.2.100000000000000000-0.20060102150405-hash", 1 },
	{ "v1.2.3-pre.0.20060102150405-hash", 1 },
	{ "v1.3.0-pre.0.20060102150405-hash", 1 },
	{ "v0.0.0--.0.20060102150405-hash", 1 },
	{ "v1.0.1-0.20060102150405-hash+metadata", 1 },
	{ "v2.0.1-0.20060102150405-hash+incompatible", 1 },
	{ "v2.3.0-pre.0.20060102150405-hash+incompatible", 1 },
	{ "", 0 },
	{ "v0.0.0", 0 },
	{ "v1.2.3", 0 },
	{ "v1.2.99999999999999999", 0 },
	{ "v1.2.3-pre", 0 },
	{ "v1.3.0-pre", 0 },
	{ "v0.0.0--", 0 },
	{ "v1.0.0+metadata", 0 },
	{ "v2.0.0+incompatible", 0 },
	{ "v2.3.0-pre+incompatible", 0 },
	/* more shapes */
	{ "v0.0.0-2019110902193-daa7c04131f5", 0 },	/* 13 digits */
	{ "v0.0.0-201911090219311-daa7c04131f5", 0 },	/* 15 digits */
	{ "v0.0.0-20191109021931-", 0 },
	{ "v0.0.0-20191109021931", 0 },
	{ "v0.0.0-20191109021931-daa7c041-31f5", 0 },
	{ "v0.0.0-20191109021931-daa7c04131f5+", 0 },
	{ "v0.0.0-20191109021931-daa7c04131f5+a..b", 0 },
	{ "v0.0.0-20191109021931-daa7c04131f5+a.b-c", 1 },
	{ "v1.2.4-1.20191109021931-daa7c04131f5", 0 },
	{ "v1.2.3-a.b.0.20191109021931-daa7c04131f5", 1 },
	{ "v1.2.3-a.0.b.0.20191109021931-daa7c04131f5", 1 },
	{ "v1.2.3-a0.20191109021931-daa7c04131f5", 0 },
	{ "v1-20191109021931-daa7c04131f5", 0 },
	{ "v0.0-20191109021931-daa7c04131f5", 0 },
	{ "x0.0.0-20191109021931-daa7c04131f5", 0 },
	{ "v1.2.3-pre+x.0.20191109021931-daa7c04131f5", 0 },	/* no "+" */
	{ "v1.2.3-0.20191109021931-daa7c04131f5+x.0.1", 1 },
};

static void
test_table(void)
{
	char name[256], out[VERSION_MAX], maj[VERSION_MAX];
	const char *b;
	size_t i;
	int valid, r;

	for (i = 0; i < NITEMS(tests); i++) {
		valid = tests[i].canon[0] != '\0';
		snprintf(name, sizeof(name), "valid %s", tests[i].in);
		is_int(semver_valid(tests[i].in), valid, name);

		snprintf(name, sizeof(name), "canonical %s", tests[i].in);
		r = semver_canonical(tests[i].in, 0, out, sizeof(out));
		is_int(r, valid ? 0 : -1, name);
		if (valid)
			is_str(out, tests[i].canon, name);

		snprintf(name, sizeof(name), "major %s", tests[i].in);
		r = semver_major(tests[i].in, maj, sizeof(maj));
		is_int(r, valid ? 0 : -1, name);
		if (valid)
			is_str(maj, tests[i].major, name);

		snprintf(name, sizeof(name), "build %s", tests[i].in);
		b = semver_build(tests[i].in);
		is_str(b, tests[i].build, name);

		snprintf(name, sizeof(name), "prerelease %s", tests[i].in);
		is_int(semver_is_prerelease(tests[i].in), tests[i].pre, name);
	}
	for (i = 0; i < NITEMS(more_tests); i++) {
		valid = more_tests[i].canon[0] != '\0';
		snprintf(name, sizeof(name), "valid %s", more_tests[i].in);
		is_int(semver_valid(more_tests[i].in), valid, name);
		snprintf(name, sizeof(name), "canonical %s", more_tests[i].in);
		r = semver_canonical(more_tests[i].in, 0, out, sizeof(out));
		is_str(r == 0 ? out : "", more_tests[i].canon, name);
	}
	for (i = 0; i < NITEMS(incompat_tests); i++) {
		snprintf(name, sizeof(name), "CanonicalVersion %s",
		    incompat_tests[i].in);
		r = semver_canonical(incompat_tests[i].in, 1, out, sizeof(out));
		is_str(r == 0 ? out : NULL, incompat_tests[i].canon, name);
	}
}

/*
 * TestCompare: rows i < j compare -1 unless both have the same canonical
 * form (then 0); invalid rows share the canonical form "".
 */
static void
test_compare_table(void)
{
	char name[256];
	size_t i, j;
	int want, got, bad;

	for (i = 0; i < NITEMS(tests); i++) {
		bad = 0;
		for (j = 0; j < NITEMS(tests); j++) {
			if (strcmp(tests[i].canon, tests[j].canon) == 0)
				want = 0;
			else
				want = i < j ? -1 : 1;
			got = semver_compare(tests[i].in, tests[j].in);
			if (got != want) {
				printf("# compare(%s, %s) = %d, want %d\n",
				    tests[i].in, tests[j].in, got, want);
				bad++;
			}
		}
		snprintf(name, sizeof(name), "compare %s with every row",
		    tests[i].in);
		is_int(bad, 0, name);
	}
	for (i = 0; i + 1 < NITEMS(ordered); i++) {
		snprintf(name, sizeof(name), "%s < %s", ordered[i],
		    ordered[i + 1]);
		is_int(semver_compare(ordered[i], ordered[i + 1]), -1, name);
		snprintf(name, sizeof(name), "%s > %s", ordered[i + 1],
		    ordered[i]);
		is_int(semver_compare(ordered[i + 1], ordered[i]), 1, name);
	}
	for (i = 0; i < NITEMS(compare_tests); i++) {
		snprintf(name, sizeof(name), "compare(%s, %s)",
		    compare_tests[i].a, compare_tests[i].b);
		is_int(semver_compare(compare_tests[i].a, compare_tests[i].b),
		    compare_tests[i].want, name);
	}
}

/* TestSort: several fixed shuffles of the rows all sort to the golden. */
static void
test_sort(void)
{
	static const size_t steps[] = { 1, 5, 7, 11, 13 };
	const char *list[NITEMS(tests)];
	char *mlist[NITEMS(tests)];
	char name[64];
	size_t i, k, n = NITEMS(tests), bad;

	is_int(NITEMS(sort_golden), n, "golden list size");
	for (k = 0; k < NITEMS(steps); k++) {
		/* Reverse, then stride: a permutation since gcd(step, n)=1. */
		for (i = 0; i < n; i++)
			list[i] = tests[(n - 1 - (i * steps[k]) % n)].in;
		qsort(list, n, sizeof(list[0]), semver_qsort_cmp);
		bad = 0;
		for (i = 0; i < n; i++) {
			if (strcmp(list[i], sort_golden[i]) != 0) {
				printf("# [%zu] got %s, want %s\n", i,
				    list[i], sort_golden[i]);
				bad++;
			}
		}
		snprintf(name, sizeof(name), "sort, shuffle %zu", k);
		is_int(bad, 0, name);
		/* semver_sort parses once; it must give the same order. */
		for (i = 0; i < n; i++)
			mlist[i] = (char *)(uintptr_t)
			    tests[(n - 1 - (i * steps[k]) % n)].in;
		semver_sort(mlist, n);
		bad = 0;
		for (i = 0; i < n; i++)
			if (strcmp(mlist[i], sort_golden[i]) != 0)
				bad++;
		snprintf(name, sizeof(name), "semver_sort, shuffle %zu", k);
		is_int(bad, 0, name);
	}
}

static void
test_pseudo(void)
{
	char name[256];
	size_t i;

	for (i = 0; i < NITEMS(pseudo_tests); i++) {
		snprintf(name, sizeof(name), "pseudo %s", pseudo_tests[i].v);
		is_int(semver_is_pseudo(pseudo_tests[i].v),
		    pseudo_tests[i].pseudo, name);
	}
}

/* Caps: VERSION_MAX - 1 bytes is the longest version; small buffers. */
static void
test_bounds(void)
{
	static char v[VERSION_MAX + 16];
	char out[VERSION_MAX + 16], small[16];
	size_t n;

	n = strlen("v1.0.0-");
	memcpy(v, "v1.0.0-", n);
	memset(v + n, 'a', VERSION_MAX - 1 - n);
	v[VERSION_MAX - 1] = '\0';
	is_int(semver_valid(v), 1, "longest version is valid");
	is_int(semver_canonical(v, 0, out, sizeof(out)), 0,
	    "longest version canonical");
	is_int(semver_compare(v, "v1.0.0"), -1, "longest version compares");
	v[VERSION_MAX - 1] = 'a';
	v[VERSION_MAX] = '\0';
	is_int(semver_valid(v), 0, "over-long version is invalid");
	is_int(semver_compare(v, "v1.0.0"), -1, "over-long sorts below");
	ok(semver_build(v) == NULL, "over-long has no build");

	memset(small, 'Z', sizeof(small));
	is_int(semver_canonical("v1.2", 0, small, 7), 0, "v1.2.0 in 7 bytes");
	is_str(small, "v1.2.0", "v1.2.0 written");
	memset(small, 'Z', sizeof(small));
	is_int(semver_canonical("v1.2", 0, small, 6), -1, "v1.2.0 in 6 bytes");
	ok(small[6] == 'Z', "nothing past 6 bytes");
	is_int(semver_canonical("v1.2.0", 0, small, 0), -1, "0 bytes");
	is_int(semver_canonical("v2.0.0+incompatible", 1, small, 7), -1,
	    "+incompatible needs room");
	is_int(semver_major("v12.0.0", small, 4), 0, "v12 in 4 bytes");
	is_str(small, "v12", "v12 written");
	is_int(semver_major("v12.0.0", small, 3), -1, "v12 in 3 bytes");
	ok(semver_valid(NULL) == 0, "NULL is invalid");
}

int
main(void)
{
	test_table();
	test_compare_table();
	test_sort();
	test_pseudo();
	test_bounds();
	return tap_done();
}

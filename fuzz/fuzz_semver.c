/*
 * fuzz_semver.c: Go's semver dialect (semver.c).  The input is lines of
 * versions; each goes through every predicate and the canonical form, and
 * the lines are sorted.  Checked beyond "no crash": compare is
 * antisymmetric and reflexive, a version equals its canonical form, the
 * canonical form is a fixed point, and semver_sort leaves the array in
 * order.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "fuzz.h"

#define FUZZ_LINES	64	/* versions compared and sorted */

/* fuzz_sign: -1, 0 or 1. */
static int
fuzz_sign(int x)
{
	return (x > 0) - (x < 0);
}

/* fuzz_one: the predicates and canonical form of v. */
static void
fuzz_one(const char *v)
{
	char	c1[VERSION_MAX], c2[VERSION_MAX], major[16];

	semver_is_prerelease(v);
	semver_is_pseudo(v);
	semver_major(v, major, sizeof(major));
	semver_build(v);
	if (semver_compare(v, v) != 0)
		abort();
	if (semver_canonical(v, 0, c1, sizeof(c1)) == 0) {
		if (!semver_valid(v) || semver_compare(v, c1) != 0)
			abort();
		if (semver_canonical(c1, 0, c2, sizeof(c2)) != 0 ||
		    strcmp(c1, c2) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *p, *nl, *v[FUZZ_LINES];
	size_t	 n = 0, i;

	s = fuzz_cstr(data, size);
	for (p = s; n < FUZZ_LINES; p = nl + 1) {
		v[n++] = p;
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
	}
	for (i = 0; i < n; i++) {
		fuzz_one(v[i]);
		if (i > 0 && fuzz_sign(semver_compare(v[i - 1], v[i])) !=
		    -fuzz_sign(semver_compare(v[i], v[i - 1])))
			abort();
	}
	semver_sort(v, n);
	for (i = 1; i < n; i++)
		if (semver_qsort_cmp(&v[i - 1], &v[i]) > 0)
			abort();
	free(s);
	return 0;
}

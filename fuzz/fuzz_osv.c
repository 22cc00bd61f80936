/*
 * fuzz_osv.c: an OSV entry as the policy reads it (osv.c).  The input is
 * the entry, then optionally a NUL byte and a version: what follows the
 * last NUL is read as a database version (osv_version) and the entry is
 * asked whether it affects each of its modules at that version (and at a
 * few fixed ones), range by range and whole.  An entry that parses has a
 * valid id and aliases, every event's version semver ("" only for an
 * introduced "0"), in order; a range's fix is above the version.
 * Withdrawal is taken out before osv_affects (it reads the clock), so
 * a run is deterministic.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "fuzz.h"

static const char *const fuzz_osv_versions[] = {
	"v0.0.0", "v1.0.0", "v1.2.3", "v2.0.0+incompatible",
	"v0.0.0-20200101000000-abcdefabcdef",
};
#define FUZZ_OSV_NVERSIONS \
	(sizeof(fuzz_osv_versions) / sizeof(fuzz_osv_versions[0]))

/* fuzz_osv_check: the invariants of a parsed entry. */
static void
fuzz_osv_check(const struct osv_entry *x)
{
	const struct osv_range	*r;
	size_t			 i, k, j;

	if (!osv_id_valid(x->id))
		abort();
	for (i = 0; i < x->naliases; i++)
		if (!osv_id_valid(x->aliases[i]))
			abort();
	for (i = 0; i < x->naff; i++)
		for (k = 0; k < x->aff[i].nranges; k++) {
			r = &x->aff[i].ranges[k];
			for (j = 0; j < r->n; j++) {
				if (r->ev[j].kind == OSV_IGNORED ||
				    (r->ev[j].version[0] == '\0' ?
				    r->ev[j].kind != OSV_INTRODUCED :
				    !semver_valid(r->ev[j].version)))
					abort();
				if (j > 0 && r->ev[j].version[0] != '\0' &&
				    (r->ev[j - 1].version[0] != '\0' &&
				    semver_compare(r->ev[j - 1].version,
				    r->ev[j].version) > 0))
					abort();
				if (j > 0 && r->ev[j].version[0] == '\0' &&
				    r->ev[j - 1].version[0] != '\0')
					abort();
			}
		}
}

/* fuzz_osv_ask: x judged at version v, for each of its modules. */
static void
fuzz_osv_ask(const struct osv_entry *x, const char *v)
{
	const struct osv_affected	*a;
	char				 fixed[VERSION_MAX];
	size_t				 i, k;

	for (i = 0; i < x->naff; i++) {
		a = &x->aff[i];
		if (a->module == NULL)
			continue;
		for (k = 0; k < a->nranges; k++)
			if (osv_range_affects(&a->ranges[k], v, fixed) == 0 ?
			    fixed[0] != '\0' : fixed[0] != '\0' &&
			    (!semver_valid(fixed) ||
			    semver_compare(v, fixed) >= 0))
				abort();
		if (osv_affects(x, a->module, v, fixed) == 1 &&
		    fixed[0] != '\0' && !semver_valid(fixed))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osv_entry	 x;
	struct err		 e;
	const uint8_t		*nul;
	char			*vs, v[VERSION_MAX];
	size_t			 n = size, i;

	nul = NULL;
	for (i = size; i > 0 && nul == NULL; i--)
		if (data[i - 1] == '\0')
			nul = data + i - 1;
	if (nul != NULL)
		n = (size_t)(nul - data);
	err_clear(&e);
	if (osv_parse((const char *)data, n, &x, &e) == -1) {
		if (e.msg[0] == '\0')
			abort();
		return 0;
	}
	fuzz_osv_check(&x);
	x.withdrawn = 0;
	for (i = 0; i < FUZZ_OSV_NVERSIONS; i++)
		fuzz_osv_ask(&x, fuzz_osv_versions[i]);
	if (nul != NULL) {
		vs = fuzz_cstr(nul + 1, size - n - 1);
		if (osv_version(vs, v) == 0) {
			if (!semver_valid(v))
				abort();
			fuzz_osv_ask(&x, v);
		}
		free(vs);
	}
	osv_free(&x);
	return 0;
}

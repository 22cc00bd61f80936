/*
 * latest.c: which version of a set is a module's "latest", the way the
 * go command picks it (cmd/go/internal/modload query.go, "latest").
 *
 * Used for <module>/@latest answered from storage (ep_latest.c) and from
 * an upstream that has a list but no @latest endpoint (a file:// tree, a
 * static mirror: fetch.c), so that what piraeus answers is what
 * "go list -m M@latest" gives against the same versions:
 *
 *  1. Candidates: canonical versions valid for the module path.  Tagged
 *     ones (releases, pre-releases) are what the go command's Versions
 *     gives; pseudo-versions only what its Latest falls back to.
 *  2. "+incompatible" versions are dropped when the highest compatible
 *     version below them has a go.mod file of its own (not the one the
 *     go command synthesizes for a module without one): the author meant
 *     users to stay on v0/v1 (filterVersions, golang.org/issue/34165).
 *  3. The latest ignoring retractions (the highest release, else the
 *     highest pre-release, else the newest pseudo-version) gives the
 *     retract directives; then step 2 and the pick run again over the
 *     tagged versions not retracted.
 *  4. No tagged version left: the newest pseudo-version, retracted or
 *     not.  The go command asks a proxy's @latest only then, and takes
 *     the newest pseudo-version of a list (proxy.go latestFromList) or
 *     the tip (direct) without looking further: a retracted one makes it
 *     fail "no matching versions", never fall back to an older one.
 *  5. No pseudo-version either (every tag retracted): the highest
 *     candidate (the go command then refuses it itself).
 *
 * Pseudo-versions are ordered by their timestamp, as the go command's
 * latestFromList does.  The go.mod of a version comes from a callback
 * (storage, or upstream); one that cannot be read counts as synthesized
 * and without retractions.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "piraeus.h"

#define LATEST_STAMP	14	/* yyyymmddhhmmss of a pseudo-version */

enum { LATEST_RELEASE = 0, LATEST_PRERELEASE, LATEST_PSEUDO };

/* The timestamp of pseudo-version v into out ("" when none). */
static void
latest_stamp(const char *v, char out[LATEST_STAMP + 1])
{
	const char *b = semver_build(v), *dash;
	size_t n = b != NULL ? (size_t)(b - v) : strlen(v);

	out[0] = '\0';
	for (dash = v + n; dash > v && dash[-1] != '-'; dash--)
		;
	if (dash <= v || (size_t)(dash - 1 - v) < LATEST_STAMP)
		return;
	memcpy(out, dash - 1 - LATEST_STAMP, LATEST_STAMP);
	out[LATEST_STAMP] = '\0';
}

/* The kind of a candidate. */
static int
latest_kind(const char *v)
{
	if (semver_is_pseudo(v))
		return LATEST_PSEUDO;
	return semver_is_prerelease(v) ? LATEST_PRERELEASE : LATEST_RELEASE;
}

/* 1 when a is a better pseudo-version than b (newer, then higher). */
static int
latest_pseudo_better(const char *a, const char *b)
{
	char sa[LATEST_STAMP + 1], sb[LATEST_STAMP + 1];
	int c;

	latest_stamp(a, sa);
	latest_stamp(b, sb);
	if ((c = strcmp(sa, sb)) != 0)
		return c > 0;
	return semver_compare(a, b) > 0;
}

/* The go.mod of module@v through the callback: 0, or -1 unreadable. */
static int
latest_gomod(const struct latest_src *src, const char *v, struct buf *b)
{
	struct err e;

	err_clear(&e);
	return src->gomod(src->arg, v, b, &e);
}

/* 1 when module@v has a go.mod of its own (not a synthesized one). */
static int
latest_has_gomod(const struct latest_src *src, const char *module,
    const char *v)
{
	char synth[MODPATH_MAX + 16];
	struct buf b;
	int has;

	if (latest_gomod(src, v, &b) == -1)
		return 0;
	snprintf(synth, sizeof(synth), "module %s\n", module);
	has = !(b.len == strlen(synth) && memcmp(b.data, synth, b.len) == 0);
	buf_free(&b);
	return has;
}

/*
 * One pass over the sorted candidates c[0..n), tagged ones retracted by
 * rt skipped (pseudo-versions never are: step 4): the pick (an index),
 * or -1 when there is none.
 */
static long
latest_pass(const struct latest_src *src, const char *module, char **c,
    size_t n, const struct retraction *rt, size_t nrt)
{
	long best[3] = { -1, -1, -1 }, last_compat = -1;
	int gomod_known = 0, drop_incompat = 0, k;
	size_t i;

	for (i = 0; i < n; i++) {
		k = latest_kind(c[i]);
		if (k != LATEST_PSEUDO && modfile_is_retracted(rt, nrt, c[i]))
			continue;
		if (k != LATEST_PSEUDO) {
			if (strcmp(semver_build(c[i]), "+incompatible") != 0)
				last_compat = (long)i;
			else {
				if (!gomod_known && last_compat >= 0) {
					drop_incompat = latest_has_gomod(src,
					    module, c[last_compat]);
					gomod_known = 1;
				}
				if (drop_incompat)
					continue;
			}
		}
		if (best[k] == -1 || (k == LATEST_PSEUDO ?
		    latest_pseudo_better(c[i], c[best[k]]) :
		    semver_compare(c[i], c[best[k]]) > 0))
			best[k] = (long)i;
	}
	for (k = LATEST_RELEASE; k <= LATEST_PSEUDO; k++)
		if (best[k] != -1)
			return best[k];
	return -1;
}

int
latest_pick(const char *module, char **versions, size_t n,
    const struct latest_src *src, char out[VERSION_MAX])
{
	struct retraction *rt = NULL;
	char canon[VERSION_MAX], **c;
	size_t nc = 0, nrt = 0, i;
	struct buf b;
	struct err e;
	long pick;

	c = xcalloc(n ? n : 1, sizeof(*c));
	for (i = 0; i < n; i++)
		if (semver_canonical(versions[i], 1, canon, sizeof(canon)) ==
		    0 && strcmp(canon, versions[i]) == 0 &&
		    modpath_check_major(module, canon) == 0)
			c[nc++] = versions[i];
	semver_sort(c, nc);
	if ((pick = latest_pass(src, module, c, nc, NULL, 0)) == -1) {
		free(c);
		return 0;
	}
	err_clear(&e);
	if (latest_gomod(src, c[pick], &b) == 0) {
		if (modfile_retractions(b.data, b.len, &rt, &nrt, &e) == -1)
			log_warnx("%s@%s: go.mod: %s", module, c[pick], e.msg);
		buf_free(&b);
	}
	if (nrt > 0) {
		pick = latest_pass(src, module, c, nc, rt, nrt);
		if (pick == -1)
			pick = (long)nc - 1;	/* every tag retracted */
	}
	free(rt);
	snprintf(out, VERSION_MAX, "%s", c[pick]);
	free(c);
	return 1;
}

/*
 * ep_latest.c: <module>/@latest from storage.
 *
 * The go command asks it only when list holds nothing suitable.  The rule
 * (protocol.md 2.2 and 6): the latest version ignoring retractions is the
 * highest release, else the highest pre-release; its go.mod's retract
 * directives are then applied, and the answer is the highest release not
 * retracted, else the highest pre-release not retracted, else the newest
 * pseudo-version; when everything is retracted, the highest version.  The
 * answer is that version's stored .info, byte for byte.  When policy
 * allows, upstream's own @latest comes first (its default-branch
 * pseudo-version is something storage cannot know); storage answers when
 * upstream has none, or fails under network_mode fallback.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* A stored, complete, valid version of the module. */
struct ep_latest_cand {
	char	version[VERSION_MAX];
	char	ever[VERSION_MAX];
	int	kind;		/* LATEST_RELEASE, _PRERELEASE, _PSEUDO */
};
enum { LATEST_RELEASE = 0, LATEST_PRERELEASE, LATEST_PSEUDO, LATEST_KINDS };

static int
ep_latest_cmp(const void *a, const void *b)
{
	const struct ep_latest_cand *ca = a, *cb = b;

	return semver_compare(ca->version, cb->version);
}

/* Collect the stored versions that have a .info, sorted by semver. */
static int
ep_latest_candidates(struct proxy *px, const struct request *r,
    struct ep_latest_cand **out, size_t *n, struct err *e)
{
	struct store_version *sv;
	struct ep_latest_cand *c;
	char canon[VERSION_MAX];
	size_t ns, nc = 0, i;

	if (store_versions(&px->store, r->emod, &sv, &ns, e) == -1)
		return -1;
	c = xcalloc(ns ? ns : 1, sizeof(*c));
	for (i = 0; i < ns; i++) {
		if (!sv[i].has_info ||
		    modpath_unescape(sv[i].ever, c[nc].version,
		    VERSION_MAX) == -1 ||
		    semver_canonical(c[nc].version, 1, canon,
		    sizeof(canon)) == -1 || strcmp(canon, c[nc].version) != 0 ||
		    modpath_check_major(r->module, canon) == -1)
			continue;
		memcpy(c[nc].ever, sv[i].ever, sizeof(c[nc].ever));
		if (semver_is_pseudo(canon))
			c[nc].kind = LATEST_PSEUDO;
		else if (semver_is_prerelease(canon))
			c[nc].kind = LATEST_PRERELEASE;
		else
			c[nc].kind = LATEST_RELEASE;
		nc++;
	}
	free(sv);
	qsort(c, nc, sizeof(*c), ep_latest_cmp);
	*out = c;
	*n = nc;
	return 0;
}

/* The retractions in the stored go.mod of c (none if unreadable). */
static void
ep_latest_retractions(struct proxy *px, const struct request *r,
    const struct ep_latest_cand *c, struct retraction **rt, size_t *nrt)
{
	char path[PATH_MAX];
	struct buf b;
	struct err e;

	*rt = NULL;
	*nrt = 0;
	err_clear(&e);
	if (store_path(&px->store, r->emod, c->ever, ART_MOD, path,
	    sizeof(path)) == -1 || buf_read_file(&b, path, GOMOD_MAX, &e) == -1)
		return;
	if (modfile_retractions(b.data, b.len, rt, nrt, &e) == -1)
		log_warnx("%s: %s", path, e.msg);
	buf_free(&b);
}

int
ep_latest(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	struct ep_latest_cand *c, *pick = NULL;
	struct retraction *rt;
	char path[PATH_MAX], cache[64], location[PATH_MAX + 512];
	struct err me, ue, se;
	size_t n, nrt = 0, i;
	struct buf b;
	int kind;

	/* Upstream's answer first, when policy allows one. */
	err_clear(&me);
	err_clear(&ue);
	switch (miss_decide(px, r, location, sizeof(location), &me)) {
	case MISS_REDIRECT:
		return miss_redirect(rs, location) == -1 ? -1 : 0;
	case MISS_FETCH:
		if (fetch_latest(px, r->module, &b, &ue) == 0) {
			snprintf(cache, sizeof(cache), "public, max-age=%ld",
			    px->cfg.list_max_age);
			response_body(rs, 200, "application/json", cache,
			    b.data, b.len);
			buf_free(&b);
			return 0;
		}
		if (ue.code != E_NOTFOUND && ue.code != E_GONE &&
		    px->cfg.network_mode == NETWORK_STRICT)
			return err_set(e, ue.code, "%s", ue.msg);
		break;
	default:
		break;
	}
	err_clear(&se);
	if (ep_latest_candidates(px, r, &c, &n, &se) == -1)
		return err_set(e, se.code, "%s", se.code == E_NOTFOUND &&
		    ue.code != E_OK ? ue.msg : se.msg);
	if (n == 0) {
		free(c);
		return err_set(e, E_NOTFOUND, "no versions in storage");
	}
	/* Latest ignoring retractions: highest release, else pre-release. */
	for (kind = LATEST_RELEASE; pick == NULL && kind < LATEST_PSEUDO;
	    kind++)
		for (i = n; i-- > 0 && pick == NULL;)
			if (c[i].kind == kind)
				pick = &c[i];
	rt = NULL;
	if (pick != NULL)
		ep_latest_retractions(px, r, pick, &rt, &nrt);
	pick = NULL;
	for (kind = LATEST_RELEASE; pick == NULL && kind < LATEST_KINDS;
	    kind++)
		for (i = n; i-- > 0 && pick == NULL;)
			if (c[i].kind == kind &&
			    !modfile_is_retracted(rt, nrt, c[i].version))
				pick = &c[i];
	if (pick == NULL)
		pick = &c[n - 1];
	free(rt);
	if (store_path(&px->store, r->emod, pick->ever, ART_INFO, path,
	    sizeof(path)) == -1 || buf_read_file(&b, path, INFO_MAX, e) == -1) {
		free(c);
		return err_set(e, E_INTERNAL, "cannot read %s", path);
	}
	free(c);
	snprintf(cache, sizeof(cache), "public, max-age=%ld",
	    px->cfg.list_max_age);
	response_body(rs, 200, "application/json", cache, b.data, b.len);
	buf_free(&b);
	return 0;
}

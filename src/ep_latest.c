/*
 * ep_latest.c: <module>/@latest from storage.
 *
 * The go command asks it only when list holds nothing suitable.  The rule
 * is latest.c's (the go command's: highest release, else pre-release,
 * else the newest pseudo-version; "+incompatible" not above a compatible
 * version with a go.mod; the latest's retractions applied to tags; no
 * tag left: the newest pseudo-version, else the highest version).  The answer is that
 * version's stored .info, byte for byte.  When policy allows, upstream's
 * own @latest comes first (its default-branch pseudo-version is something
 * storage cannot know; an upstream without @latest gets it computed from
 * its list, fetch.c); storage answers when upstream has none, or fails
 * under network_mode fallback; then a miss says why upstream failed.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* The stored versions of r's module that have a .info (allocated). */
static int
ep_latest_stored(struct proxy *px, const struct request *r, char ***out,
    size_t *n, struct err *e)
{
	struct store_version *sv;
	char **v;
	size_t ns, nv = 0, i;

	if (store_versions(&px->store, r->emod, &sv, &ns, e) == -1)
		return -1;
	v = xcalloc(ns ? ns : 1, sizeof(*v));
	for (i = 0; i < ns; i++) {
		if (!sv[i].has_info)
			continue;
		v[nv] = xmalloc(VERSION_MAX);
		if (modpath_unescape(sv[i].ever, v[nv], VERSION_MAX) == 0)
			nv++;
		else
			free(v[nv]);
	}
	free(sv);
	*out = v;
	*n = nv;
	return 0;
}

/* What latest_pick reads a stored version's go.mod with. */
struct ep_latest_arg {
	struct proxy		*px;
	const struct request	*r;
};

static int
ep_latest_gomod(void *arg, const char *version, struct buf *b,
    struct err *e)
{
	struct ep_latest_arg *a = arg;
	char ever[VERSION_MAX], path[PATH_MAX];

	if (modpath_escape(version, ever, sizeof(ever)) == -1 ||
	    store_path(&a->px->store, a->r->emod, ever, ART_MOD, path,
	    sizeof(path)) == -1)
		return err_set(e, E_NOTFOUND, "invalid version");
	return buf_read_file(b, path, GOMOD_MAX, e);
}

/*
 * e when storage has nothing for r: upstream's "not found" when it said
 * so, else (network_mode fallback) not found with upstream's failure
 * (unreachable, which URL) in the message the go command prints.
 */
static int
ep_latest_none(struct err *e, const struct err *se, const struct err *ue)
{
	if (ue->code == E_NOTFOUND || ue->code == E_GONE)
		return err_set(e, ue->code, "%s", ue->msg);
	if (ue->code != E_OK)
		return err_set(e, E_NOTFOUND, "not in storage, and %s",
		    ue->msg);
	return err_set(e, se->code, "%s", se->msg);
}

int
ep_latest(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	char path[PATH_MAX] = "", location[PATH_MAX + 512];
	char pick[VERSION_MAX], ever[VERSION_MAX], **vs;
	struct ep_latest_arg arg;
	struct latest_src src;
	struct err me, ue, se;
	size_t n, i;
	struct buf b;
	int picked;

	/* Upstream's answer first, when policy allows one. */
	err_clear(&me);
	err_clear(&ue);
	switch (miss_decide(px, r, location, sizeof(location), &me)) {
	case MISS_REDIRECT:
		return miss_redirect(rs, location) == -1 ? -1 : 0;
	case MISS_FETCH:
		if (fetch_latest(px, r->module, &b, &ue) == 0) {
			response_body(rs, 200, "application/json",
			    px->cfg.cache_list, b.data, b.len);
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
	if (ep_latest_stored(px, r, &vs, &n, &se) == -1) {
		if (se.code != E_NOTFOUND)
			return err_set(e, se.code, "%s", se.msg);
		return ep_latest_none(e, &se, &ue);
	}
	arg.px = px;
	arg.r = r;
	src.gomod = ep_latest_gomod;
	src.arg = &arg;
	picked = latest_pick(r->module, vs, n, &src, pick);
	for (i = 0; i < n; i++)
		free(vs[i]);
	free(vs);
	if (!picked) {
		err_set(&se, E_NOTFOUND, "no versions in storage");
		return ep_latest_none(e, &se, &ue);
	}
	if (modpath_escape(pick, ever, sizeof(ever)) == -1 ||
	    store_path(&px->store, r->emod, ever, ART_INFO, path,
	    sizeof(path)) == -1 || buf_read_file(&b, path, INFO_MAX, e) == -1)
		return err_set(e, E_INTERNAL, "cannot read %s", path);
	response_body(rs, 200, "application/json", px->cfg.cache_list, b.data,
	    b.len);
	buf_free(&b);
	return 0;
}

/*
 * ep_list.c: <module>/@v/list, computed from storage, never a stored file.
 *
 * Tagged versions only (no pseudo-versions), each canonical and valid for
 * the module path, sorted by semver, retracted ones kept (the client
 * applies retractions itself: protocol.md 2.1 and 6).  A stored version
 * counts once its .info exists, the last file publish writes.  When policy
 * allows (miss.c) the upstream list is merged in (fetch.c caches it); if
 * upstream fails, network_mode strict answers the error and fallback
 * answers from storage (a module storage does not know is then a 404
 * that names the upstream and its failure).  A module known to storage or upstream but with
 * no tagged version answers 200 with an empty body; an unknown one 404.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* 1 when the stored version ever (escaped) belongs in list. */
static int
ep_list_want(const char *module, const char *ever, char *version)
{
	char canon[VERSION_MAX];

	if (modpath_unescape(ever, version, VERSION_MAX) == -1 ||
	    !semver_valid(version) || semver_is_pseudo(version) ||
	    semver_canonical(version, 1, canon, sizeof(canon)) == -1 ||
	    strcmp(canon, version) != 0 ||
	    modpath_check_major(module, version) == -1)
		return 0;
	return 1;
}

/* Append the versions of an upstream list body that belong in list. */
static void
ep_list_add_upstream(const char *module, const struct buf *b, char ***vs,
    size_t *nv, size_t *cap)
{
	char canon[VERSION_MAX];
	const char *p, *end;
	size_t n;

	for (p = b->data; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "\n");
		/* The client reads field 1 of each line (protocol.md 2.1). */
		n = strcspn(p, " \t\r\n");
		if (n == 0 || n >= VERSION_MAX)
			continue;
		if (*nv == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*vs = xreallocarray(*vs, *cap, sizeof(**vs));
		}
		(*vs)[*nv] = xstrndup(p, n);
		if (semver_canonical((*vs)[*nv], 1, canon, sizeof(canon)) ==
		    0 && strcmp(canon, (*vs)[*nv]) == 0 &&
		    !semver_is_pseudo(canon) &&
		    modpath_check_major(module, canon) == 0)
			(*nv)++;
		else
			free((*vs)[*nv]);
	}
}

int
ep_list(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	char location[PATH_MAX + 512], **vs = NULL;
	struct store_version *sv = NULL;
	size_t n = 0, nv = 0, cap = 0, i, o;
	struct buf body, up;
	struct err se, me, ue;
	int known, stale = 0;

	err_clear(&se);
	known = store_versions(&px->store, r->emod, &sv, &n, &se) == 0;
	if (!known && se.code != E_NOTFOUND)
		return err_set(e, se.code, "%s", se.msg);
	cap = n;
	vs = xcalloc(cap ? cap : 1, sizeof(*vs));
	for (i = 0; i < n; i++) {
		vs[nv] = xmalloc(VERSION_MAX);
		if (sv[i].has_info && ep_list_want(r->module, sv[i].ever,
		    vs[nv]))
			nv++;
		else
			free(vs[nv]);
	}
	free(sv);

	/* Upstream's list, unless policy says storage only. */
	err_clear(&me);
	err_clear(&ue);
	switch (miss_decide(px, r, location, sizeof(location), &me)) {
	case MISS_REDIRECT:
		for (i = 0; i < nv; i++)
			free(vs[i]);
		free(vs);
		return miss_redirect(rs, location) == -1 ? -1 : 0;
	case MISS_FETCH:
		if (fetch_list(px, r->module, &up, &stale, &ue) == 0) {
			known = 1;
			ep_list_add_upstream(r->module, &up, &vs, &nv, &cap);
			buf_free(&up);
		} else if (ue.code == E_NOTFOUND || ue.code == E_GONE) {
			if (!known)
				err_set(e, ue.code, "%s", ue.msg);
		} else if (px->cfg.network_mode == NETWORK_STRICT) {
			err_set(e, ue.code, "%s", ue.msg);
		} else
			log_warnx("list %s: %s (storage only)", r->module,
			    ue.msg);
		break;
	default:
		break;
	}
	/* Unknown: say why, upstream's failure included (fallback). */
	if (e->code == E_OK && !known && ue.code != E_OK)
		err_set(e, E_NOTFOUND, "not in storage, and %s", ue.msg);
	else if (e->code == E_OK && !known)
		err_set(e, E_NOTFOUND, "%s", me.code != E_OK ? me.msg :
		    "no such module");
	if (e->code != E_OK) {
		for (i = 0; i < nv; i++)
			free(vs[i]);
		free(vs);
		return -1;
	}
	semver_sort(vs, nv);
	buf_init(&body, (size_t)-1);
	for (i = o = 0; i < nv; i++) {
		/* Storage and upstream overlap: once each. */
		if (o == 0 || strcmp(vs[i], vs[o - 1]) != 0) {
			buf_puts(&body, vs[i], e);
			buf_append(&body, "\n", 1, e);
			vs[o++] = vs[i];
		} else
			free(vs[i]);
	}
	for (i = 0; i < o; i++)
		free(vs[i]);
	free(vs);
	response_body(rs, 200, "text/plain; charset=utf-8",
	    stale ? CACHE_STALE : px->cfg.cache_list,
	    body.data ? body.data : "", body.len);
	buf_free(&body);
	return 0;
}

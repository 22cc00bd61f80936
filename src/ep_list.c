/*
 * ep_list.c: <module>/@v/list, computed from storage, never a stored file.
 *
 * Tagged versions only (no pseudo-versions), each canonical and valid for
 * the module path, sorted by semver, retracted ones kept (the client
 * applies retractions itself: protocol.md 2.1 and 6).  A version counts
 * once its .info exists, the last file publish writes.  A module with a
 * storage directory but no tagged version answers 200 with an empty body;
 * an unknown module answers 404.
 */
#include "config.h"

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

int
ep_list(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	struct store_version *sv;
	char **vs, cache[64];
	size_t n, nv = 0, i;
	struct buf body;

	if (store_versions(&px->store, r->emod, &sv, &n, e) == -1)
		return -1;
	vs = xcalloc(n ? n : 1, sizeof(*vs));
	for (i = 0; i < n; i++) {
		vs[nv] = xmalloc(VERSION_MAX);
		if (sv[i].has_info && ep_list_want(r->module, sv[i].ever,
		    vs[nv]))
			nv++;
		else
			free(vs[nv]);
	}
	free(sv);
	semver_sort(vs, nv);
	buf_init(&body, (size_t)-1);
	for (i = 0; i < nv; i++) {
		buf_puts(&body, vs[i], e);
		buf_append(&body, "\n", 1, e);
		free(vs[i]);
	}
	free(vs);
	snprintf(cache, sizeof(cache), "public, max-age=%ld",
	    px->cfg.list_max_age);
	response_body(rs, 200, "text/plain; charset=utf-8", cache,
	    body.data ? body.data : "", body.len);
	buf_free(&body);
	return 0;
}

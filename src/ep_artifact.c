/*
 * ep_artifact.c: <module>/@v/<version>.info, .mod and .zip from storage.
 *
 * .mod and .zip need a canonical version that matches the path's major
 * version (protocol.md 1.2 step 8).  .info also answers queries, as the
 * go command sends them (modfetch proxyRepo.Stat): "v1.2.3+meta" is the
 * stored v1.2.3 when there is one; anything else ("v1.2", a branch, a
 * commit, "v2.0.0" on a path without /v2) is what upstream resolved it
 * to, its .info as upstream answered, never guessed here.  Parsed here,
 * resolved by resolve.c (storage, else policy and the fetch pipeline),
 * answered by response.c: the bytes served are the stored bytes, or
 * upstream's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http.h"

static const struct {
	enum route	 route;
	enum artifact	 art;
	enum want_kind	 kind;
} ep_artifacts[] = {
	{ ROUTE_INFO, ART_INFO, WANT_INFO },
	{ ROUTE_MOD, ART_MOD, WANT_MOD },
	{ ROUTE_ZIP, ART_ZIP, WANT_ZIP },
};

#define EP_ARTIFACTS NITEMS(ep_artifacts)

/*
 * Resolve the requested version: canon and ever (escaped) are written.
 * *exact is 1 when the request named a canonical version.  A .info query
 * that is not a canonical version valid for the path returns 1: a branch,
 * a commit, "v1.2" (the highest v1.2.x), "v2.0.0" on a path without /v2
 * (upstream resolves it to v2.0.0+incompatible).  Only "v1.2.3+meta"
 * (build metadata on a full version) is looked up as its canonical
 * version first (*exact 0, and 1 returned with canon set).
 */
static int
ep_artifact_version(const struct request *r, enum artifact a, char *canon,
    char *ever, int *exact, struct err *e)
{
	const char *build;
	size_t n;

	canon[0] = '\0';
	if (!semver_valid(r->version) || semver_canonical(r->version, 1, canon,
	    VERSION_MAX) == -1) {
		canon[0] = '\0';
		if (a == ART_INFO)
			return 1;
		return err_set(e, E_NOTFOUND, "invalid version: %s is not "
		    "a semantic version", r->version);
	}
	*exact = strcmp(canon, r->version) == 0;
	if (*exact && modpath_check_major(r->module, canon) == 0)
		return modpath_escape(canon, ever, VERSION_MAX) == -1 ?
		    err_set(e, E_NOTFOUND, "invalid version") : 0;
	if (a != ART_INFO) {
		if (!*exact)
			return err_set(e, E_NOTFOUND, "invalid version: %s is "
			    "not canonical (%s is)", r->version, canon);
		return err_set(e, E_NOTFOUND, "invalid version: %s does not "
		    "match the major version of the module path", canon);
	}
	/* Is r->version canon plus build metadata, nothing shortened? */
	build = semver_build(r->version);
	n = build != NULL ? (size_t)(build - r->version) : 0;
	if (*exact || build == NULL || *build == '\0' ||
	    strlen(canon) != n || strncmp(canon, r->version, n) != 0 ||
	    modpath_check_major(r->module, canon) == -1 ||
	    modpath_escape(canon, ever, VERSION_MAX) == -1)
		canon[0] = '\0';
	*exact = 0;
	return 1;
}

int
ep_artifact(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	char canon[VERSION_MAX], ever[VERSION_MAX];
	struct want w;
	size_t i;
	int exact = 0, rc;

	for (i = 0; i < EP_ARTIFACTS; i++)
		if (ep_artifacts[i].route == r->route)
			break;
	if (i == EP_ARTIFACTS)
		return err_set(e, E_INTERNAL, "not an artifact");
	if ((rc = ep_artifact_version(r, ep_artifacts[i].art, canon, ever,
	    &exact, e)) == -1)
		return -1;
	request_want(r, rc == 1 ? WANT_QUERY : ep_artifacts[i].kind, &w);
	/* A query: its own escaped name (a redirect keeps it), and the
	 * canonical version of "v1.2.3+meta"; a version: its canonical
	 * escaped name. */
	if (rc == 1)
		w.canon = canon;
	else
		w.ever = ever;
	return proxy_answer(px, &w, rs, e);
}

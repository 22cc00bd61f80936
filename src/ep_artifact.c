/*
 * ep_artifact.c: <module>/@v/<version>.info, .mod and .zip from storage.
 *
 * .mod and .zip need a canonical version that matches the path's major
 * version (protocol.md 1.2 step 8).  .info also answers queries, as the
 * go command sends them (modfetch proxyRepo.Stat): "v1.2.3+meta" is the
 * stored v1.2.3 when there is one; anything else ("v1.2", a branch, a
 * commit, "v2.0.0" on a path without /v2) is what upstream resolved it
 * to, its .info as upstream answered (fetch_query_info), never guessed
 * here.  The bytes served are the stored bytes, or upstream's.
 * Small files (.info, .mod) are read under a cap and hashed for the ETag;
 * zips are handed to the front server or streamed, with the SHA-256 the
 * index recorded as ETag.
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
	const char	*ctype;
	size_t		 max;		/* read whole up to this; 0: stream */
} ep_artifacts[] = {
	{ ROUTE_INFO, ART_INFO, "application/json", INFO_MAX },
	{ ROUTE_MOD, ART_MOD, "text/plain; charset=utf-8", GOMOD_MAX },
	{ ROUTE_ZIP, ART_ZIP, "application/zip", 0 },
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

/* Open the stored artifact; E_NOTFOUND when it is not there. */
static int
ep_artifact_open(struct proxy *px, const struct request *r, const char *ever,
    enum artifact a, char *path, size_t pathsz, int *fd, struct stat *st,
    struct err *e)
{
	if (store_path(&px->store, r->emod, ever, a, path, pathsz) == -1)
		return err_set(e, E_NOTFOUND, "invalid module path");
	if ((*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return err_set(e, E_NOTFOUND, "not in storage");
		return err_errno(e, E_UNAVAIL, "open %s", path);
	}
	if (fstat(*fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(*fd);
		return err_set(e, E_NOTFOUND, "not in storage");
	}
	return 0;
}

/*
 * Storage lacks r: the decision (miss.c).  0 to fetch now, 1 when an
 * answer (a redirect) was sent, -1 with e set otherwise.
 */
static int
ep_artifact_decide(struct proxy *px, const struct request *r,
    struct response *rs, struct err *e)
{
	char location[PATH_MAX + 512];
	struct err me;

	err_clear(&me);
	switch (miss_decide(px, r, location, sizeof(location), &me)) {
	case MISS_REDIRECT:
		miss_redirect(rs, location);
		return 1;
	case MISS_NOTFOUND:
		return err_set(e, me.code, "%s", me.msg);
	case MISS_ASYNC:
		return err_set(e, E_NOTFOUND, "not in storage yet: it is "
		    "being fetched, try again shortly");
	case MISS_FETCH:
		break;
	}
	return 0;
}

/*
 * Storage lacks r: decide, and when the decision is to fetch, fetch and
 * resolve canon/ever.  Returns 0 when the artifact is now stored, 1 when
 * an answer (a redirect) was sent, -1 otherwise.
 */
static int
ep_artifact_miss(struct proxy *px, const struct request *r, enum artifact a,
    char *canon, char *ever, struct response *rs, struct err *e)
{
	int rc;

	if ((rc = ep_artifact_decide(px, r, rs, e)) != 0)
		return rc;
	if (fetch_version(px, r->module, r->version, a, canon, e) == -1)
		return -1;
	if (modpath_escape(canon, ever, VERSION_MAX) == -1)
		return err_set(e, E_NOTFOUND, "invalid version");
	return 0;
}

/*
 * A .info query storage cannot answer: what upstream resolved it to, as
 * upstream said it (fetch_query_info), cached like a list.
 */
static int
ep_artifact_query(struct proxy *px, const struct request *r,
    struct response *rs, struct err *e)
{
	char canon[VERSION_MAX], sha[SHA256_HEX];
	struct buf b;
	int rc;

	if ((rc = ep_artifact_decide(px, r, rs, e)) != 0)
		return rc == 1 ? 0 : -1;
	if (fetch_query_info(px, r->module, r->version, &b, canon, e) == -1)
		return -1;
	dirhash_sha256_hex(b.data, b.len, sha);
	response_header(rs, "ETag", "\"%s\"", sha);
	response_body(rs, 200, "application/json", px->cfg.cache_list, b.data,
	    b.len);
	buf_free(&b);
	return 0;
}

/* The zip's ETag: the SHA-256 the index recorded, else size and mtime. */
static void
ep_artifact_zip_etag(struct proxy *px, const struct request *r,
    const char *canon, const struct stat *st, struct response *rs)
{
	struct index_version iv;
	struct index *ix;
	struct err e;

	err_clear(&e);
	if ((ix = proxy_index(px, &e)) != NULL &&
	    index_get(ix, r->module, canon, &iv, &e) == 1 &&
	    iv.zip_sha256[0] != '\0' && iv.zip_size == (int64_t)st->st_size) {
		response_header(rs, "ETag", "\"%s\"", iv.zip_sha256);
		return;
	}
	response_header(rs, "ETag", "W/\"%llx-%llx\"",
	    (unsigned long long)st->st_size,
	    (unsigned long long)st->st_mtime);
}

int
ep_artifact(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	char canon[VERSION_MAX], ever[VERSION_MAX], path[PATH_MAX];
	char sha[SHA256_HEX];
	const char *cc;
	struct stat st;
	struct buf b;
	size_t i;
	int fd, exact = 0, rc;

	for (i = 0; i < EP_ARTIFACTS; i++)
		if (ep_artifacts[i].route == r->route)
			break;
	if (i == EP_ARTIFACTS)
		return err_set(e, E_INTERNAL, "not an artifact");
	if ((rc = ep_artifact_version(r, ep_artifacts[i].art, canon, ever,
	    &exact, e)) == -1)
		return -1;
	if (rc == 1) {
		/* A query: "v1.2.3+meta" may be stored as v1.2.3. */
		if (canon[0] == '\0' || ep_artifact_open(px, r, ever, ART_INFO,
		    path, sizeof(path), &fd, &st, e) == -1) {
			if (canon[0] != '\0' && e->code != E_NOTFOUND)
				return -1;
			err_clear(e);
			return ep_artifact_query(px, r, rs, e);
		}
	} else if (ep_artifact_open(px, r, ever, ep_artifacts[i].art,
	    path, sizeof(path), &fd, &st, e) == -1) {
		if (e->code != E_NOTFOUND)
			return -1;
		err_clear(e);
		if ((rc = ep_artifact_miss(px, r, ep_artifacts[i].art, canon,
		    ever, rs, e)) != 0)
			return rc == 1 ? 0 : -1;
		if (ep_artifact_open(px, r, ever, ep_artifacts[i].art, path,
		    sizeof(path), &fd, &st, e) == -1)
			return -1;
	}
	/* A query's answer may change as versions appear; a version's not. */
	cc = exact ? CACHE_IMMUTABLE : px->cfg.cache_list;
	if (ep_artifacts[i].max == 0) {
		ep_artifact_zip_etag(px, r, canon, &st, rs);
		rc = response_file(rs, &px->store, path, fd, &st,
		    ep_artifacts[i].ctype, cc);
		close(fd);
		return rc == -1 && !rs->sent ? err_set(e, E_INTERNAL,
		    "cannot send %s", path) : 0;
	}
	rc = buf_read_fd(&b, fd, ep_artifacts[i].max, e);
	close(fd);
	if (rc == -1)
		return err_set(e, E_INTERNAL, "reading %s", path);
	dirhash_sha256_hex(b.data, b.len, sha);
	response_header(rs, "ETag", "\"%s\"", sha);
	response_body(rs, 200, ep_artifacts[i].ctype, cc, b.data, b.len);
	buf_free(&b);
	return 0;
}

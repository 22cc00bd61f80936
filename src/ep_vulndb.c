/*
 * ep_vulndb.c: /vulndb/... -- the vulnerability database mirror, when the
 * web server did not answer it from the files itself (every request
 * through the responder, or a configuration without the /vulndb/ rule).
 *
 * The files are those piraeus vulndb sync keeps below STORAGE/vulndb
 * (vulndb.c): the v1 API's index/ files, ID/<id>.json and their .json.gz,
 * and the legacy index.json, <module>.json, ID/index.json, aliases.json.
 * Only a clean path is opened: elements of [A-Za-z0-9._~!+-], none
 * starting with "." (never STORAGE/.vulndb), ending in .json or .json.gz,
 * a regular file (the last element not a link).  Anything else, and every
 * path while [vulndb] enabled is no, is 404.  A file is sent as a static
 * hit would be (X-Sendfile / X-Accel-Redirect when configured):
 * application/json or application/gzip (a file of its own, never a
 * Content-Encoding), kept an hour by caches, then revalidated (its
 * Last-Modified and ETag sent; If-None-Match and If-Modified-Since
 * answered with 304).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

#define EP_VULNDB_PREFIX	"/vulndb/"
#define EP_VULNDB_REL_MAX	2048	/* bytes of a path below /vulndb/ */
#define EP_VULNDB_CACHE		"public, max-age=3600, must-revalidate"
#define EP_VULNDB_DATE_MAX	64	/* an HTTP date */
#define EP_VULNDB_ETAG_MAX	48	/* "size-mtime_ns" in hex, quoted */

/* The file kinds served: suffix and Content-Type (longest first). */
static const struct {
	const char	*suffix;
	const char	*ctype;
} ep_vulndb_types[] = {
	{ ".json.gz", "application/gzip" },
	{ ".json", "application/json" },
};

/* 0 when rel is a clean relative path of the mirror's files. */
static int
ep_vulndb_clean(const char *rel)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~!+-/";
	const char *el;
	size_t n = strlen(rel);

	if (n == 0 || n >= EP_VULNDB_REL_MAX || strspn(rel, ok) != n)
		return -1;
	for (el = rel;; el++) {
		if (*el == '.' || *el == '/' || *el == '\0')
			return -1;	/* "", ".x", "..": never */
		if ((el = strchr(el, '/')) == NULL)
			return 0;
	}
}

/* Last-Modified and ETag (size and mtime in ns) of a file the responder sends
 * itself, for the revalidation EP_VULNDB_CACHE asks (a file handed to
 * the web server gets the web server's own): 1 when the request's
 * validators say the client has it (answer 304), else 0. */
static int
ep_vulndb_validators(const struct proxy *px, struct response *rs,
    const struct stat *st)
{
	char when[EP_VULNDB_DATE_MAX], etag[EP_VULNDB_ETAG_MAX];
	struct tm tm;

	if (px->cfg.sendfile != SENDFILE_OFF)
		return 0;
	if (gmtime_r(&st->st_mtime, &tm) != NULL &&
	    strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S GMT",
	    &tm) > 0)
		response_header(rs, "Last-Modified", "%s", when);
	/* The mtime in nanoseconds: two syncs within one second may write
	 * one file's name with other bytes of the same size. */
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)st->st_size,
	    (unsigned long long)st->st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)st->st_mtim.tv_nsec);
	response_header(rs, "ETag", "%s", etag);
	return response_unchanged(rs, etag, st->st_mtime);
}

int
ep_vulndb(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	const char *rel = r->path + strlen(EP_VULNDB_PREFIX), *ctype = NULL;
	char path[VULNDB_PATH_MAX + EP_VULNDB_REL_MAX];
	size_t i, n = strlen(rel), k;
	struct stat st;
	int fd, rc;

	if (!px->cfg.vulndb_enabled)
		return err_set(e, E_NOTFOUND, "the vulnerability database is "
		    "not mirrored here ([vulndb] enabled is no)");
	if (ep_vulndb_clean(rel) == -1)
		return err_set(e, E_NOTFOUND, "not a file of the "
		    "vulnerability database");
	for (i = 0; i < NITEMS(ep_vulndb_types) && ctype == NULL; i++) {
		k = strlen(ep_vulndb_types[i].suffix);
		if (n > k && strcmp(rel + n - k, ep_vulndb_types[i].suffix) == 0)
			ctype = ep_vulndb_types[i].ctype;
	}
	if (ctype == NULL)
		return err_set(e, E_NOTFOUND, "not a file of the "
		    "vulnerability database");
	snprintf(path, sizeof(path), "%s/vulndb/%s", px->cfg.storage_root,
	    rel);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return err_set(e, E_NOTFOUND, "%s: not in the "
			    "vulnerability database", rel);
		return err_errno(e, E_INTERNAL, "open %s", path);
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, E_NOTFOUND, "%s: not in the vulnerability "
		    "database", rel);
	}
	if (ep_vulndb_validators(px, rs, &st))
		rc = response_not_modified(rs, EP_VULNDB_CACHE);
	else
		rc = response_file(rs, &px->store, path, fd, &st, ctype,
		    EP_VULNDB_CACHE);
	close(fd);
	return rc;
}

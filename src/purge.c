/*
 * purge.c: take one version out of storage, keeping tree and index
 * consistent (issue 10: `piraeus purge`, `verify --quarantine`, and gc).
 *
 * The order is the publish order of store.c reversed: the .info first, so
 * that the version stops being complete (no @v/list, no @latest, no .info
 * and no .zip request is answered from it: they go to the responder,
 * which fetches it again); then the .zip, then the .mod (a .mod alone is a
 * version's go.mod that the go command may read without the rest, the
 * same bytes a re-fetch gives); then the index row; then the directories
 * left empty.  Each file leaves with one rename or unlink, so a reader
 * sees a file whole or not at all.  With a quarantine directory the files
 * are renamed there (same file system: storage's .quarantine, which no
 * web server configuration serves and no walk of the tree visits) instead
 * of being removed.
 *
 * The private checksum database's log is append-only: a purged version's
 * record stays, and says what the version was.  A re-fetch of the same
 * version is checked against that record before it is published
 * (sumdb_log_check, in resolve_version.c), so a purge can never let a
 * different zip in under an old name.  stored.c's @v/list memo notices a
 * purge by the @v directory's mtime, which every unlink and rename in it
 * changes (or by the directory being gone).
 *
 * purge_locked does it under the version's lock, the one the responder
 * publishes under (resolve_version.c: "v:<module>@<version>"), so that a
 * purge never interleaves with a publish in flight: a half-published
 * version (a .zip whose .info is about to be renamed in) is neither
 * removed nor judged incomplete mid-way.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"

/* The order a version leaves the tree in. */
static const enum artifact purge_order[] = { ART_INFO, ART_ZIP, ART_MOD };

/* mkdir -p of dir's parents and dir itself below the storage root. */
static int
purge_mkdirs(const char *dir, struct err *e)
{
	char p[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n >= sizeof(p))
		return err_set(e, E_INTERNAL, "quarantine path too long");
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			return err_errno(e, E_UNAVAIL, "mkdir %s", p);
		p[i] = dir[i];
	}
	return 0;
}

int
purge_quarantine_dir(const struct store *s, char *out, size_t outsz,
    struct err *e)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return err_set(e, E_INTERNAL, "no clock");
	if ((size_t)snprintf(out, outsz, "%s/%s/%s-%ld", s->root,
	    PURGE_QUARANTINE, stamp, (long)getpid()) >= outsz)
		return err_set(e, E_INTERNAL, "quarantine path too long");
	return 0;
}

/* Remove root/<emod>/@v and the module directories above it while they
 * are empty (never the root). */
static void
purge_prune(const struct store *s, const char *emod)
{
	char dir[PATH_MAX];
	char *slash;
	size_t rootlen = strlen(s->root);

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s/@v", s->root, emod) >=
	    sizeof(dir))
		return;
	while (strlen(dir) > rootlen && rmdir(dir) == 0) {
		if ((slash = strrchr(dir, '/')) == NULL ||
		    (size_t)(slash - dir) <= rootlen)
			break;
		*slash = '\0';
	}
}

int
purge_version(const struct store *s, struct index *idx, const char *module,
    const char *version, const char *quarantine, struct purge_result *r,
    struct err *e)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX], src[PATH_MAX];
	char dst[PATH_MAX], dstdir[PATH_MAX];
	int64_t id;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	if (modpath_check(module, NULL) == -1 ||
	    modpath_escape(module, emod, sizeof(emod)) == -1 ||
	    modpath_escape(version, ever, sizeof(ever)) == -1 ||
	    modpath_check_version_elem(ever) == -1)
		return err_set(e, E_BADREQ, "invalid module or version "
		    "%.200s@%.64s", module, version);
	if (quarantine != NULL &&
	    ((size_t)snprintf(dstdir, sizeof(dstdir), "%s/%s/@v", quarantine,
	    emod) >= sizeof(dstdir)))
		return err_set(e, E_INTERNAL, "quarantine path too long");
	for (i = 0; i < NITEMS(purge_order); i++) {
		if (store_path(s, emod, ever, purge_order[i], src,
		    sizeof(src)) == -1)
			return err_set(e, E_INTERNAL, "bad storage name "
			    "%s@%s", emod, ever);
		if (access(src, F_OK) == -1 && errno == ENOENT)
			continue;
		if (quarantine == NULL) {
			if (unlink(src) == -1 && errno != ENOENT)
				return err_errno(e, E_UNAVAIL, "unlink %s",
				    src);
		} else {
			if ((size_t)snprintf(dst, sizeof(dst), "%s/%s%s",
			    dstdir, ever, store_ext(purge_order[i])) >=
			    sizeof(dst))
				return err_set(e, E_INTERNAL, "quarantine "
				    "path too long");
			if (purge_mkdirs(dstdir, e) == -1)
				return -1;
			if (rename(src, dst) == -1)
				return err_errno(e, E_UNAVAIL, "rename %s",
				    src);
		}
		r->files++;
	}
	if (idx != NULL) {
		if ((rc = index_delete(idx, module, version, e)) == -1)
			return -1;
		r->indexed = rc;
		if ((rc = index_log_find(idx, module, version, &id, e)) == -1)
			return -1;
		r->logged = rc;
	}
	purge_prune(s, emod);
	return 0;
}

int
purge_locked(const struct store *s, struct index *idx, long lock_expiry,
    const char *module, const char *version, const char *quarantine,
    purge_recheck_fn *recheck, void *arg, struct purge_result *r,
    struct err *e)
{
	char key[LOCK_KEY_MAX];
	int held, rc;

	memset(r, 0, sizeof(*r));
	if (idx == NULL)
		return purge_version(s, idx, module, version, quarantine, r,
		    e);
	/* The key resolve_version.c publishes under. */
	if ((size_t)snprintf(key, sizeof(key), "v:%s@%s", module, version) >=
	    sizeof(key))
		return err_set(e, E_BADREQ, "invalid module or version "
		    "%.200s@%.64s", module, version);
	if ((held = lock_try(idx, key, lock_expiry, e)) == -1)
		return -1;
	if (held == LOCK_HELD)
		return PURGE_HELD;
	if (recheck != NULL && !recheck(arg))
		rc = PURGE_CHANGED;
	else
		rc = purge_version(s, idx, module, version, quarantine, r, e);
	lock_release(idx, key);
	return rc;
}

int
purge_versions(const struct store *s, struct index *idx, const char *module,
    char ***out, size_t *n, struct err *e)
{
	char emod[MODPATH_MAX], ver[VERSION_MAX];
	struct store_version *sv = NULL;
	struct index_version *iv = NULL;
	size_t ns = 0, ni = 0, i, j, nv = 0;
	char **v;
	struct err se;

	*out = NULL;
	*n = 0;
	if (modpath_check(module, NULL) == -1 ||
	    modpath_escape(module, emod, sizeof(emod)) == -1)
		return err_set(e, E_BADREQ, "invalid module path %.200s",
		    module);
	err_clear(&se);
	if (store_versions(s, emod, &sv, &ns, &se) == -1 &&
	    se.code != E_NOTFOUND)
		return err_set(e, se.code, "%s", se.msg);
	if (idx != NULL && index_versions(idx, module, &iv, &ni, e) == -1) {
		free(sv);
		return -1;
	}
	v = xcalloc(ns + ni + 1, sizeof(*v));
	for (i = 0; i < ns; i++)
		if (modpath_unescape(sv[i].ever, ver, sizeof(ver)) == 0)
			v[nv++] = xstrdup(ver);
	for (i = 0; i < ni; i++) {
		for (j = 0; j < nv; j++)
			if (strcmp(v[j], iv[i].version) == 0)
				break;
		if (j == nv)
			v[nv++] = xstrdup(iv[i].version);
	}
	free(sv);
	free(iv);
	semver_sort(v, nv);
	*out = v;
	*n = nv;
	return 0;
}

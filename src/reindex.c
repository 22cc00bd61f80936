/*
 * reindex.c: rebuild the index from the tree.
 *
 * The storage tree is the source of truth (DESIGN section 2); the index is
 * derived.  reindex_run walks the tree and records every complete version
 * (one whose .info exists) with the h1 hashes the go command would put in
 * go.sum, the zip's size and SHA-256, and the time from .info, in one
 * transaction: readers see the old index or the new one, never half.
 *
 * reindex_catch_up keeps an index that other hosts' publishes bypass (a
 * storage root shared by several hosts, each with its own index) in step
 * with the tree, looking only at what changed since it last looked.
 *
 * Copying versions in from another tree is import.c's (piraeus import).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "piraeus.h"

struct reindex_ctx {
	const struct store	*dst;
	struct index		*idx;
	struct reindex_stats	*stats;
	struct err		*e;
};

/*
 * Unescape and check a stored module@version name: a valid module path
 * and a canonical version valid for it.
 */
static int
reindex_names(const char *emod, const char *ever, char *module,
    char *version)
{
	char canon[VERSION_MAX];

	if (modpath_unescape(emod, module, MODPATH_MAX) == -1 ||
	    modpath_check(module, NULL) == -1 ||
	    modpath_unescape(ever, version, VERSION_MAX) == -1 ||
	    semver_canonical(version, 1, canon, sizeof(canon)) == -1 ||
	    strcmp(canon, version) != 0 ||
	    modpath_check_major(module, version) == -1)
		return -1;
	return 0;
}

int
reindex_check_info(const struct buf *b, const char *version, char *time,
    size_t timesz, struct err *e)
{
	struct json_object *o, *v;
	int rc = -1;

	if ((o = json_tokener_parse(b->data)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		err_set(e, E_BADREQ, ".info is not a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(o, "Version", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), version) != 0) {
		err_set(e, E_BADREQ, ".info Version is not %s", version);
		goto out;
	}
	time[0] = '\0';
	if (json_object_object_get_ex(o, "Time", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(time, timesz, "%s", json_object_get_string(v));
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

int
reindex_describe(const struct store *s, const char *emod, const char *ever,
    const struct reindex_zip_known *known, struct index_version *v,
    struct err *e)
{
	char path[PATH_MAX];
	struct stat st;
	struct buf b;
	int rc;

	memset(v, 0, sizeof(*v));
	v->zip_size = -1;
	if (reindex_names(emod, ever, v->module, v->version) == -1)
		return err_set(e, E_BADREQ, "invalid module or version %s@%s",
		    emod, ever);
	if (store_path(s, emod, ever, ART_INFO, path, sizeof(path)) == -1 ||
	    stat(path, &st) == -1)
		return err_set(e, E_NOTFOUND, "%s@%s: no .info", emod, ever);
	v->has_info = 1;
	v->stored = (int64_t)st.st_mtim.tv_sec * 1000000000LL +
	    st.st_mtim.tv_nsec;
	if (buf_read_file(&b, path, INFO_MAX, e) == -1)
		return -1;
	rc = reindex_check_info(&b, v->version, v->time, sizeof(v->time), e);
	buf_free(&b);
	if (rc == -1)
		return -1;
	if (store_path(s, emod, ever, ART_MOD, path, sizeof(path)) == -1 ||
	    buf_read_file(&b, path, GOMOD_MAX, e) == -1)
		return -1;
	rc = dirhash_mod(b.data, b.len, v->mod_h1, e);
	buf_free(&b);
	if (rc == -1)
		return -1;
	if (store_path(s, emod, ever, ART_ZIP, path, sizeof(path)) == -1)
		return err_set(e, E_INTERNAL, "bad path");
	if (stat(path, &st) == -1)
		return 0;	/* a .info/.mod-only version (module cache) */
	if (st.st_size > ZIP_MAX)
		return err_set(e, E_TOOBIG, "%s: zip larger than 500 MiB", path);
	/* What the caller took of these very bytes is not computed again. */
	if (known != NULL && known->size == (int64_t)st.st_size) {
		snprintf(v->zip_h1, sizeof(v->zip_h1), "%s", known->h1);
		snprintf(v->zip_sha256, sizeof(v->zip_sha256), "%s",
		    known->sha256);
	}
	if ((v->zip_h1[0] == '\0' && dirhash_zip(path, v->zip_h1, e) == -1) ||
	    (v->zip_sha256[0] == '\0' &&
	    dirhash_sha256_file(path, v->zip_sha256, e) == -1))
		return -1;
	v->has_zip = 1;
	v->zip_size = (int64_t)st.st_size;
	return 0;
}

/* Index every complete version of one module directory. */
static int
reindex_module(const char *emod, void *arg)
{
	struct reindex_ctx *c = arg;
	struct store_version *sv;
	struct index_version iv;
	struct err e;
	size_t n, i;

	err_clear(&e);
	if (store_versions(c->dst, emod, &sv, &n, &e) == -1) {
		log_warnx("%s: %s", emod, e.msg);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!sv[i].has_info)
			continue;
		err_clear(&e);
		if (reindex_describe(c->dst, emod, sv[i].ever, NULL, &iv,
		    &e) == -1) {
			log_warnx("skipping %s@%s: %s", emod, sv[i].ever, e.msg);
			c->stats->skipped++;
			continue;
		}
		snprintf(iv.origin, sizeof(iv.origin), "reindex");
		if (index_put(c->idx, &iv, c->e) == -1) {
			free(sv);
			return -1;
		}
		c->stats->versions++;
	}
	free(sv);
	return 0;
}

int
reindex_run(const struct store *s, struct index *idx,
    struct reindex_stats *stats, struct err *e)
{
	struct reindex_ctx c = { s, idx, stats, e };

	memset(stats, 0, sizeof(*stats));
	if (index_begin(idx, e) == -1)
		return -1;
	if (index_delete_all(idx, e) == -1 ||
	    store_walk(s, reindex_module, &c, e) == -1 ||
	    index_commit(idx, e) == -1) {
		index_rollback(idx);
		return -1;
	}
	return 0;
}

/*
 * Catching up with a tree that other hosts publish into (a shared
 * storage root, each host with its own index): the versions of the
 * modules whose @v directory changed since the last catch-up (its start,
 * less REINDEX_SLACK_NS for coarse clocks, kept in the index's meta) and
 * that the index lacks are described from the tree and added; the rows
 * of those modules whose .info is gone (purged, collected by another
 * host) are deleted, and so are the rows of modules whose @v directory is
 * gone (the index read through once).
 */
#define REINDEX_SYNC_KEY	"tree-sync"
#define REINDEX_SLACK_NS	2000000000LL	/* 2 s */

struct reindex_catch {
	const struct store	*s;
	struct index		*idx;
	int64_t			 since;		/* ns; 0: every module */
	long			 added;
	long			 removed;
};

/* A directory's mtime in ns, or -1. */
static int64_t
reindex_mtime(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		return -1;
	return (int64_t)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
}

/* The rows of emod whose .info is gone from the tree (purged or
 * collected by another host), deleted. */
static void
reindex_catch_gone(struct reindex_catch *c, const char *emod)
{
	struct index_version *iv;
	char module[MODPATH_MAX], ever[VERSION_MAX], path[PATH_MAX];
	struct stat sb;
	struct err e;
	size_t n, i;

	err_clear(&e);
	if (modpath_unescape(emod, module, sizeof(module)) == -1 ||
	    index_versions(c->idx, module, &iv, &n, &e) == -1)
		return;
	for (i = 0; i < n; i++) {
		if (modpath_escape(iv[i].version, ever, sizeof(ever)) == -1 ||
		    store_path(c->s, emod, ever, ART_INFO, path,
		    sizeof(path)) == -1 || stat(path, &sb) == 0 ||
		    errno != ENOENT)
			continue;
		if (index_delete(c->idx, module, iv[i].version, &e) == 1)
			c->removed++;
	}
	free(iv);
}

/* The versions of emod the index lacks, added (store_walk_fn). */
static int
reindex_catch_module(const char *emod, void *arg)
{
	struct reindex_catch *c = arg;
	struct store_version *sv;
	struct index_version iv;
	char dir[PATH_MAX], module[MODPATH_MAX], version[VERSION_MAX];
	struct err e;
	size_t n, i;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s/@v", c->s->root,
	    emod) >= sizeof(dir) || reindex_mtime(dir) < c->since)
		return 0;
	err_clear(&e);
	if (store_versions(c->s, emod, &sv, &n, &e) == -1)
		return 0;
	for (i = 0; i < n; i++) {
		if (!sv[i].has_info || reindex_names(emod, sv[i].ever, module,
		    version) == -1)
			continue;
		err_clear(&e);
		if (index_get(c->idx, module, version, &iv, &e) != 0)
			continue;
		if (reindex_describe(c->s, emod, sv[i].ever, NULL, &iv,
		    &e) == -1) {
			log_warnx("catching up %s@%s: %s", emod, sv[i].ever,
			    e.msg);
			continue;
		}
		snprintf(iv.origin, sizeof(iv.origin), "tree");
		if (index_put(c->idx, &iv, &e) == 0)
			c->added++;
	}
	free(sv);
	reindex_catch_gone(c, emod);
	return 0;
}

/* The rows of modules whose @v directory is gone from the tree (purged
 * whole through another host: purge prunes empty directories, which the
 * walk cannot see), deleted; the index read a page at a time. */
#define REINDEX_PAGE	1000

static void
reindex_catch_vanished(struct reindex_catch *c)
{
	struct index_version *v;
	char amod[MODPATH_MAX] = "", aver[VERSION_MAX] = "";
	char emod[MODPATH_MAX], dir[PATH_MAX], last[MODPATH_MAX] = "";
	struct stat sb;
	struct err e;
	size_t n, i;
	int gone = 0;

	for (;;) {
		err_clear(&e);
		if (index_catalog(c->idx, amod, aver, REINDEX_PAGE, &v, &n,
		    &e) == -1)
			return;
		if (n == 0) {
			free(v);
			return;
		}
		for (i = 0; i < n; i++) {
			if (strcmp(v[i].module, last) != 0) {
				snprintf(last, sizeof(last), "%s", v[i].module);
				gone = modpath_escape(last, emod,
				    sizeof(emod)) == 0 && (size_t)snprintf(dir,
				    sizeof(dir), "%s/%s/@v", c->s->root, emod) <
				    sizeof(dir) && stat(dir, &sb) == -1 &&
				    errno == ENOENT;
			}
			if (gone && index_delete(c->idx, v[i].module,
			    v[i].version, &e) == 1)
				c->removed++;
		}
		snprintf(amod, sizeof(amod), "%s", v[n - 1].module);
		snprintf(aver, sizeof(aver), "%s", v[n - 1].version);
		free(v);
		if (n < REINDEX_PAGE)
			return;
	}
}

int
reindex_catch_up(const struct store *s, struct index *idx, long interval,
    struct err *e)
{
	struct reindex_catch c = { s, idx, 0, 0, 0 };
	struct timespec now;
	char text[32];
	struct buf b;
	int64_t last = 0, start;
	int have;

	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		return err_errno(e, E_INTERNAL, "clock_gettime");
	start = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
	if ((have = index_meta_get(idx, REINDEX_SYNC_KEY, &b, e)) == -1)
		return -1;
	if (have == 1) {
		last = strtoll(b.data != NULL ? b.data : "0", NULL, 10);
		buf_free(&b);
	}
	if (last > 0 && start - last < (int64_t)interval * 1000000000LL)
		return 0;
	c.since = last > REINDEX_SLACK_NS ? last - REINDEX_SLACK_NS : 0;
	if (store_walk(s, reindex_catch_module, &c, e) == -1)
		return -1;
	reindex_catch_vanished(&c);
	snprintf(text, sizeof(text), "%lld", (long long)start);
	if (index_meta_put(idx, REINDEX_SYNC_KEY, text, strlen(text), e) == -1)
		return -1;
	if (c.added > 0 || c.removed > 0)
		log_info("index: %ld versions found in the tree (published "
		    "by another host), %ld gone from it", c.added, c.removed);
	return 0;
}

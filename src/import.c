/*
 * import.c: versions from another tree into storage, every one checked and
 * hashed on the way in; a bad one is told (one line, the reason) and
 * skipped, never half-imported.
 *
 * Three layouts are taken, told apart by what the tree holds:
 *   - a GOPROXY tree (<escaped module>/@v/<escaped version>.{info,mod,zip}):
 *     another piraeus, pack -o output, or a Go module cache's
 *     cache/download (the cache's root is taken too);
 *   - an Athens disk tree (pkg/storage/fs): <module>/<version>/ holding
 *     go.mod, source.zip and <version>.info, the module path and version
 *     as they are, unescaped.
 * A tree holding both "@v" directories and Athens version directories is
 * refused as a whole: which one was meant is not guessed.
 *
 * One version: the module path and version valid, the version canonical
 * and compatible with the path; the files copied (never through a symbolic
 * link, each within its cap) into the store's .tmp; the .info a JSON
 * object naming the version, its Time (when there) RFC 3339; the zip
 * passing zipcheck (which gives its h1); the .mod the very bytes of the
 * zip's go.mod, or the go command's "module PATH\n" when the zip has
 * none.  Then publish.c (store, index, the private checksum database's
 * hook when the caller gives it).  A version with a .info and a .mod but
 * no zip (the module cache keeps those for the module graph) is imported
 * as such, its .mod unchecked against anything; a version without .info
 * or .mod is incomplete: skipped.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"

#define IMPORT_DEPTH_MAX	64	/* directories deep (a module path's
					 * elements and the version) */
#define IMPORT_DIRS_MAX		1000000	/* directories looked at */

struct import_ctx {
	const struct import_env	*env;
	const struct store	*src;		/* GOPROXY layout */
	const char		*root;		/* the tree, absolute */
	struct import_stats	*st;
	long			 dirs;
	int			 has_goproxy, has_athens;
};

/* Copy src (at most max bytes) into a new temporary file of s. */
static int
import_copy(const struct store *s, const char *src, long long max,
    char **tmp, struct err *e)
{
	int in, out, rc = -1;

	*tmp = NULL;
	if ((in = buf_open_regular(src, e)) == -1)
		return -1;
	if (store_tmpfile(s, tmp, &out, e) == -1) {
		close(in);
		return -1;
	}
	if (buf_copy_fd(in, out, max, src, *tmp, e) == -1)
		goto out;
	rc = 0;
out:
	close(in);
	if (close(out) == -1 && rc == 0)
		rc = err_errno(e, E_INTERNAL, "close %s", *tmp);
	if (rc == -1) {
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	return rc;
}

/* zipread_sink: content appended to a struct buf (arg). */
static int
import_sink(void *arg, const unsigned char *p, size_t n, struct err *e)
{
	return buf_append(arg, p, n, e);
}

/*
 * The zip's "<module>@<version>/go.mod" into b (zipcheck has passed: the
 * name is unique and the size within GOMOD_MAX), read as the go command
 * reads it (zipread.c): 1, 0 when the zip has none, -1 and e set.
 */
static int
import_zip_gomod(const char *zippath, const char *module, const char *version,
    struct buf *b, struct err *e)
{
	char name[MODPATH_MAX + VERSION_MAX + 8];
	struct zipread zr;
	struct stat sb;
	size_t i, ix;
	int fd, rc = -1;

	buf_init(b, GOMOD_MAX);
	snprintf(name, sizeof(name), "%s@%s/go.mod", module, version);
	if ((fd = buf_open_regular(zippath, e)) == -1)
		return -1;
	if (fstat(fd, &sb) != 0) {
		err_errno(e, E_INTERNAL, "%s", zippath);
		close(fd);
		return -1;
	}
	if (zipread_open(&zr, fd, (uint64_t)sb.st_size, e) != 0)
		goto out;
	/* Go's map from names to entries keeps the last of a name. */
	for (i = 0, ix = zr.n; i < zr.n; i++) {
		if (strcmp(zr.ents[i].name, name) == 0 &&
		    zr.ents[i].name_len == strlen(name))
			ix = i;
	}
	if (ix == zr.n)
		rc = 0;
	else if (zipread_data(&zr, ix, import_sink, b, e) == 0)
		rc = 1;
out:
	zipread_close(&zr);
	close(fd);
	return rc;
}

/* .mod (the file at path) is what the zip says the go.mod is. */
static int
import_check_mod(const char *modpath, const char *zippath,
    const char *module, const char *version, struct err *e)
{
	struct buf mod, zmod;
	char legacy[MODPATH_MAX + 16];
	int has, rc = -1;

	if (buf_read_file(&mod, modpath, GOMOD_MAX, e) == -1)
		return -1;
	if ((has = import_zip_gomod(zippath, module, version, &zmod, e)) ==
	    -1)
		goto out;
	if (has) {
		if (mod.len != zmod.len || memcmp(mod.data, zmod.data,
		    mod.len) != 0)
			err_set(e, E_BADREQ, ".mod differs from the zip's "
			    "go.mod");
		else
			rc = 0;
	} else {
		snprintf(legacy, sizeof(legacy), "module %s\n", module);
		if (mod.len != strlen(legacy) || memcmp(mod.data, legacy,
		    mod.len) != 0)
			err_set(e, E_BADREQ, "the zip has no go.mod and .mod is "
			    "not \"module %s\"", module);
		else
			rc = 0;
	}
out:
	buf_free(&mod);
	buf_free(&zmod);
	return rc;
}

/* The .info at path names version, its Time (when given) RFC 3339. */
static int
import_check_info(const char *path, const char *version, struct err *e)
{
	char time[64];
	int64_t ns;
	struct buf b;
	int rc;

	if (buf_read_file(&b, path, INFO_MAX, e) == -1)
		return -1;
	rc = reindex_check_info(&b, version, time, sizeof(time), e);
	buf_free(&b);
	if (rc == 0 && time[0] != '\0' && rfc3339_parse(time, &ns) == -1)
		rc = err_set(e, E_BADREQ, ".info Time \"%.64s\" is not RFC "
		    "3339", time);
	return rc;
}

/* A .mod without a zip to compare with names the module. */
static int
import_check_bare_mod(const char *path, const char *module, struct err *e)
{
	char name[MODPATH_MAX];
	struct buf b;
	int rc = 0;

	if (buf_read_file(&b, path, GOMOD_MAX, e) == -1)
		return -1;
	if (packrule_gomod_module(b.data != NULL ? b.data : "", b.len, name,
	    sizeof(name)) == -1 || strcmp(name, module) != 0)
		rc = err_set(e, E_BADREQ, ".mod does not say \"module %s\"",
		    module);
	buf_free(&b);
	return rc;
}

/* 1 when the stored emod@ever has a zip and both its zip's h1 and its
 * .mod's are f's (zip_h1 given), 0 when not comparable, -1 differing. */
static int
import_same(const struct store *s, const char *emod, const char *ever,
    const struct fetched *f, const char *zip_h1, struct err *e)
{
	char path[PATH_MAX], h[H1_MAX], mh[2][H1_MAX];
	const char *mods[2];
	struct stat st;
	struct buf b;
	int i, rc;

	if (f->zip == NULL || store_path(s, emod, ever, ART_ZIP, path,
	    sizeof(path)) == -1 || stat(path, &st) == -1)
		return 0;
	if (dirhash_zip(path, h, e) == -1 || strcmp(h, zip_h1) != 0)
		return -1;
	if (store_path(s, emod, ever, ART_MOD, path, sizeof(path)) == -1)
		return -1;
	mods[0] = path;
	mods[1] = f->mod;
	for (i = 0; i < 2; i++) {
		if (buf_read_file(&b, mods[i], GOMOD_MAX, e) == -1)
			return -1;
		rc = dirhash_mod(b.data != NULL ? b.data : "", b.len, mh[i], e);
		buf_free(&b);
		if (rc == -1)
			return -1;
	}
	return strcmp(mh[0], mh[1]) == 0 ? 1 : -1;
}

/*
 * Import module@version from the files src[ART_*] (src[ART_ZIP] NULL: a
 * version without zip): 1 imported, 0 stored already (the same bytes),
 * -1 and e set (nothing published).
 */
static int
import_version(struct import_ctx *c, const char *module, const char *version,
    char *const src[3], struct err *e)
{
	static const long long caps[] = {
		[ART_INFO] = INFO_MAX, [ART_MOD] = GOMOD_MAX,
		[ART_ZIP] = ZIP_MAX,
	};
	char emod[MODPATH_MAX], ever[VERSION_MAX], canon[VERSION_MAX];
	char h1[H1_MAX], path[PATH_MAX], key[LOCK_KEY_MAX];
	const struct publish_env *pe;
	struct fetched f;
	struct stat st;
	struct err me;
	int a, rc = -1, locked = -1;

	memset(&f, 0, sizeof(f));
	err_clear(&me);
	if (modpath_check(module, &me) == -1)
		return err_set(e, E_BADREQ, "invalid module path: %s", me.msg);
	if (semver_canonical(version, 1, canon, sizeof(canon)) == -1 ||
	    strcmp(canon, version) != 0)
		return err_set(e, E_BADREQ, "version is not canonical");
	if (modpath_check_major(module, version) == -1)
		return err_set(e, E_BADREQ, "version does not match the module "
		    "path's major version");
	if (modpath_escape(module, emod, sizeof(emod)) == -1 ||
	    modpath_escape(version, ever, sizeof(ever)) == -1)
		return err_set(e, E_BADREQ, "cannot escape the module path");
	for (a = ART_INFO; a <= ART_ZIP; a++)
		if (src[a] != NULL && import_copy(c->env->store, src[a],
		    caps[a], a == ART_INFO ? &f.info : a == ART_MOD ? &f.mod :
		    &f.zip, e) == -1)
			goto out;
	if (import_check_info(f.info, version, e) == -1)
		goto out;
	if (f.zip != NULL && (zipcheck(f.zip, module, version, h1, e) == -1 ||
	    import_check_mod(f.mod, f.zip, module, version, e) == -1 ||
	    dirhash_sha256_file(f.zip, f.zip_sha256, e) == -1))
		goto out;
	if (f.zip == NULL && import_check_bare_mod(f.mod, module, e) == -1)
		goto out;
	snprintf(f.version, sizeof(f.version), "%s", version);
	/* From the check to the publish under the version's lock, the key
	 * the responder publishes under (resolve_version.c). */
	snprintf(key, sizeof(key), "v:%s@%s", module, version);
	if (c->env->idx != NULL && (locked = lock_try(c->env->idx, key,
	    c->env->lock_expiry, e)) != LOCK_OWNER) {
		if (locked == LOCK_HELD)
			err_set(e, E_UNAVAIL, "being fetched or published (its "
			    "lock is held)");
		locked = -1;
		goto out;
	}
	pe = c->env->publish_env(c->env->arg, module);
	if (store_path(c->env->store, emod, ever, ART_INFO, path,
	    sizeof(path)) == 0 && stat(path, &st) == 0) {
		/* Stored already: nothing is changed.  The same content (the
		 * zip's h1 and the .mod) is "present", whatever the zip's
		 * bytes; a version stored without its zip is completed
		 * (published and indexed: imported); else store_publish says
		 * whether the bytes are the same. */
		rc = import_same(c->env->store, emod, ever, &f, h1, e);
		if (rc == 1) {
			rc = 0;
			goto out;
		}
		if (rc == 0 && f.zip != NULL) {
			if (publish_version(pe, emod, ever, &f, h1, "import",
			    e) == -1)
				goto differs;
			rc = 1;
			goto out;
		}
		if (rc == -1 || store_publish(c->env->store, emod, ever, f.info,
		    f.mod, f.zip, e) == -1)
			goto differs;
		rc = 0;
		goto out;
	}
	if (publish_version(pe, emod, ever, &f, f.zip != NULL ? h1 : "",
	    "import", e) == -1)
		goto out;
	rc = 1;
	goto out;
differs:
	err_clear(e);
	err_set(e, E_BADREQ, "differs from the version stored (published "
	    "versions never change)");
	rc = -1;
out:
	if (locked == LOCK_OWNER)
		lock_release(c->env->idx, key);
	fetched_free(&f);
	return rc;
}

/* Count and tell the outcome of one version. */
static void
import_tell(struct import_ctx *c, const char *module, const char *version,
    int rc, const struct err *e)
{
	if (rc == 1)
		c->st->imported++;
	else if (rc == 0)
		c->st->existing++;
	else {
		c->st->skipped++;
		log_warnx("not imported: %s@%s: %s", module, version, e->msg);
	}
}

/* Every version of one module of a GOPROXY tree (store_walk). */
static int
import_goproxy_module(const char *emod, void *arg)
{
	struct import_ctx *c = arg;
	char module[MODPATH_MAX], version[VERSION_MAX];
	char p[3][PATH_MAX], *src[3];
	struct store_version *sv;
	struct err e;
	size_t n, i;
	int a, rc;

	err_clear(&e);
	if (modpath_unescape(emod, module, sizeof(module)) == -1) {
		c->st->skipped++;
		log_warnx("not imported: %s: not a valid escaped module path",
		    emod);
		return 0;
	}
	if (store_versions(c->src, emod, &sv, &n, &e) == -1) {
		c->st->skipped++;
		log_warnx("not imported: %s: %s", module, e.msg);
		return 0;
	}
	for (i = 0; i < n; i++) {
		err_clear(&e);
		if (modpath_unescape(sv[i].ever, version,
		    sizeof(version)) == -1) {
			import_tell(c, module, sv[i].ever, -1, &(struct err){
			    E_BADREQ, "not a valid escaped version" });
			continue;
		}
		if (!sv[i].has_info || !sv[i].has_mod) {
			/* The module cache keeps a bare .mod for the graph:
			 * incomplete, not bad. */
			if (!sv[i].has_info && sv[i].has_mod && !sv[i].has_zip)
				continue;
			err_set(&e, E_BADREQ, "incomplete: no %s",
			    !sv[i].has_info ? ".info" : ".mod");
			import_tell(c, module, version, -1, &e);
			continue;
		}
		for (a = ART_INFO; a <= ART_ZIP; a++) {
			src[a] = NULL;
			if (a == ART_ZIP && !sv[i].has_zip)
				continue;
			if (store_path(c->src, emod, sv[i].ever, a, p[a],
			    sizeof(p[a])) == 0)
				src[a] = p[a];
		}
		rc = import_version(c, module, version, src, &e);
		import_tell(c, module, version, rc, &e);
	}
	free(sv);
	return 0;
}

/* Whether dir (absolute) holds a regular file named name. */
static int
import_has_file(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	return (size_t)snprintf(p, sizeof(p), "%s/%s", dir, name) <
	    sizeof(p) && lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* An Athens version directory: rel is "<module>/<version>". */
static void
import_athens_version(struct import_ctx *c, const char *abs, const char *rel)
{
	char module[MODPATH_MAX], p[3][PATH_MAX], *src[3];
	const char *version = strrchr(rel, '/') + 1;
	struct err e;
	int rc;

	err_clear(&e);
	snprintf(module, sizeof(module), "%.*s", (int)(version - rel - 1), rel);
	if ((size_t)snprintf(p[ART_INFO], sizeof(p[ART_INFO]), "%s/%s.info",
	    abs, version) >= sizeof(p[ART_INFO]) ||
	    (size_t)snprintf(p[ART_MOD], sizeof(p[ART_MOD]), "%s/go.mod",
	    abs) >= sizeof(p[ART_MOD]) ||
	    (size_t)snprintf(p[ART_ZIP], sizeof(p[ART_ZIP]), "%s/source.zip",
	    abs) >= sizeof(p[ART_ZIP])) {
		err_set(&e, E_TOOBIG, "path too long");
		import_tell(c, module, version, -1, &e);
		return;
	}
	src[ART_INFO] = p[ART_INFO];
	src[ART_MOD] = p[ART_MOD];
	src[ART_ZIP] = p[ART_ZIP];
	if (!import_has_file(abs, "source.zip") ||
	    !import_has_file(abs, "go.mod") ||
	    !import_has_file(abs, p[ART_INFO] + strlen(abs) + 1)) {
		err_set(&e, E_BADREQ, "incomplete: Athens keeps go.mod, "
		    "source.zip and %s.info", version);
		import_tell(c, module, version, -1, &e);
		return;
	}
	rc = import_version(c, module, version, src, &e);
	import_tell(c, module, version, rc, &e);
}

/* Whether the directory d (open at abs) is an Athens version directory:
 * it holds go.mod, source.zip or a *.info file. */
static int
import_athens_leaf(const char *abs)
{
	struct dirent *de;
	size_t n;
	DIR *d;
	int leaf = 0;

	if ((d = opendir(abs)) == NULL)
		return 0;
	while (!leaf && (de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		leaf = strcmp(de->d_name, "go.mod") == 0 ||
		    strcmp(de->d_name, "source.zip") == 0 ||
		    (n > 5 && strcmp(de->d_name + n - 5, ".info") == 0);
	}
	closedir(d);
	return leaf;
}

/*
 * Walk the tree below rel ("" the root).  detect: only note what the tree
 * holds ("@v" directories, Athens version directories); else import the
 * Athens versions found.  0, or -1 and e set.
 */
static int
import_walk(struct import_ctx *c, const char *rel, int depth, int detect,
    struct err *e)
{
	char abs[PATH_MAX], child[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0;

	if (depth > IMPORT_DEPTH_MAX)
		return 0;
	if (++c->dirs > IMPORT_DIRS_MAX)
		return err_set(e, E_TOOBIG, "more than %d directories",
		    IMPORT_DIRS_MAX);
	if ((size_t)snprintf(abs, sizeof(abs), "%s%s%s", c->root,
	    rel[0] ? "/" : "", rel) >= sizeof(abs))
		return 0;
	if (rel[0] != '\0' && import_athens_leaf(abs)) {
		if (strchr(rel, '/') == NULL) {
			if (!detect)
				log_warnx("not imported: %s: a version "
				    "directory without a module path", rel);
			c->st->skipped += !detect;
			return 0;
		}
		c->has_athens = 1;
		if (!detect)
			import_athens_version(c, abs, rel);
		return 0;
	}
	if ((d = opendir(abs)) == NULL)
		return err_errno(e, E_NOTFOUND, "%s", abs);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* ., .., .tmp */
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", rel,
		    rel[0] ? "/" : "", de->d_name) >= MODPATH_MAX)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1 || !S_ISDIR(st.st_mode))
			continue;
		if (strcmp(de->d_name, "@v") == 0) {
			c->has_goproxy = 1;
			continue;
		}
		rc = import_walk(c, child, depth + 1, detect, e);
	}
	closedir(d);
	return rc;
}

int
import_run(const struct import_env *env, const char *dir,
    struct import_stats *st, struct err *e)
{
	struct import_ctx c;
	struct store src;
	char real[PATH_MAX], cache[PATH_MAX];
	struct stat sb;
	int rc;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	c.env = env;
	c.st = st;
	if (realpath(dir, real) == NULL)
		return err_errno(e, E_NOTFOUND, "%s", dir);
	/* A module cache's root: its GOPROXY tree is cache/download. */
	if ((size_t)snprintf(cache, sizeof(cache), "%s/cache/download",
	    real) < sizeof(cache) && lstat(cache, &sb) == 0 &&
	    S_ISDIR(sb.st_mode))
		memcpy(real, cache, strlen(cache) + 1);
	c.root = real;
	if (import_walk(&c, "", 0, 1, e) == -1)
		return -1;
	if (c.has_goproxy && c.has_athens)
		return err_set(e, E_BADREQ, "%s holds both a GOPROXY tree "
		    "(@v directories) and Athens version directories: import "
		    "each part on its own", dir);
	if (!c.has_goproxy && !c.has_athens)
		return err_set(e, E_NOTFOUND, "%s: no module versions (neither "
		    "a GOPROXY tree nor an Athens disk tree)", dir);
	c.dirs = 0;
	if (c.has_athens) {
		st->layout = "Athens disk tree";
		return import_walk(&c, "", 0, 0, e);
	}
	st->layout = "GOPROXY tree";
	if (store_open(&src, real, e) == -1)
		return -1;
	c.src = &src;
	rc = store_walk(&src, import_goproxy_module, &c, e);
	store_close(&src);
	return rc;
}

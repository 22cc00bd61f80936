/*
 * export.c: piraeus export, stored versions out of storage.
 *
 *   piraeus export -o FILE.tar | -d DIR [MODULE[@VERSION]...]
 *
 * The versions named (a module alone: all its versions; none: every
 * version stored) that are complete in storage (.info, .mod and .zip:
 * what import takes) are written as a GOPROXY tree
 * (<module>/@v/<version>.{zip,mod,info}, escaped as in storage), either
 * into DIR or into a tar archive (tar.c; "-" is stdout).  The tree is
 * what `piraeus import DIR` and GOPROXY=file://DIR read, and it is
 * rsync-able: each file keeps its stored mtime, a file already there
 * with the same size, mtime and bytes is left alone (a second export into
 * the same DIR writes only what is new; a file changed in DIR, even one
 * keeping its size and mtime, is written again), each is written to a
 * temporary name
 * and renamed, zip then mod then info, so a version whose .info is there
 * is complete.  Nothing is written through a symbolic link: every
 * directory below DIR is checked with lstat (one that is a link, or not a
 * directory, fails the export with its name), and a file is replaced by
 * rename, never opened through a link.  The archive is made under FILE.tmp and renamed at the
 * end: a failed export leaves no archive.
 *
 * Exit status: 0 all written, 1 an error (a named version not stored or
 * incomplete, a write failed), 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"

#define EXPORT_VERSIONS_MAX	10000000	/* versions in one export */

/* One version to export, escaped as in storage. */
struct export_item {
	char	emod[MODPATH_MAX];
	char	ever[VERSION_MAX];
};

struct export {
	const struct store *store;
	struct export_item *v;
	size_t		 n, cap;
	long		 incomplete;	/* found in a walk, not complete */
	long		 written, unchanged;
};

/* The order files are written in: the .info last. */
static const enum artifact export_order[] = { ART_ZIP, ART_MOD, ART_INFO };

static const char export_usage[] =
    "usage: piraeus export -o FILE.tar | -d DIR [MODULE[@VERSION]...]\n";

static const char export_help[] =
    "\n"
    "Write stored versions as a GOPROXY tree (<module>/@v/<version>.zip,\n"
    ".mod, .info): every complete version, or those of the MODULEs and\n"
    "MODULE@VERSIONs named.  The tree is what `piraeus import DIR` takes\n"
    "on another host (README \"Air-gapped sites\").\n"
    "\n"
    "  -o FILE.tar  a tar archive (ustar, pax for long names; - is stdout);\n"
    "               unpack it with tar -xf, then piraeus import the directory\n"
    "  -d DIR       the tree itself, rsync-able: files keep their mtimes and\n"
    "               those already there are not written again\n"
    "  -h           this help\n"
    "\n"
    "Exit status: 0 all written, 1 a named version is not stored complete\n"
    "or a write failed, 2 usage.\n";

static int
export_cmp(const void *a, const void *b)
{
	const struct export_item *x = a, *y = b;
	int c = strcmp(x->emod, y->emod);

	return c != 0 ? c : strcmp(x->ever, y->ever);
}

/* Drop repeats from the sorted list (a version named twice). */
static void
export_dedup(struct export *x)
{
	size_t i, o = 0;

	for (i = 0; i < x->n; i++)
		if (o == 0 || export_cmp(&x->v[o - 1], &x->v[i]) != 0)
			x->v[o++] = x->v[i];
	x->n = o;
}

/* 1 when the artifact file exists as a regular file. */
static int
export_has(const struct export *x, const char *emod, const char *ever,
    enum artifact a)
{
	char path[ANSWER_PATH_MAX];
	struct stat st;

	return store_path(x->store, emod, ever, a, path, sizeof(path)) == 0 &&
	    lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
export_push(struct export *x, const char *emod, const char *ever,
    struct err *e)
{
	if (x->n == EXPORT_VERSIONS_MAX)
		return err_set(e, E_TOOBIG, "more than %d versions",
		    EXPORT_VERSIONS_MAX);
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 256;
		x->v = xreallocarray(x->v, x->cap, sizeof(*x->v));
	}
	snprintf(x->v[x->n].emod, MODPATH_MAX, "%s", emod);
	snprintf(x->v[x->n].ever, VERSION_MAX, "%s", ever);
	x->n++;
	return 0;
}

/* Every complete version of emod (a valid escaped module path). */
static int
export_module(const char *emod, void *arg)
{
	struct export *x = arg;
	struct store_version *sv = NULL;
	char module[MODPATH_MAX];
	struct err e;
	size_t n = 0, i;
	int rc = 0;

	err_clear(&e);
	if (modpath_unescape(emod, module, sizeof(module)) == -1 ||
	    modpath_check(module, &e) != 0)
		return 0;	/* not a module's directory */
	if (store_versions(x->store, emod, &sv, &n, &e) == -1)
		return 0;
	for (i = 0; i < n && rc == 0; i++) {
		if (sv[i].has_info && sv[i].has_mod && sv[i].has_zip)
			rc = export_push(x, emod, sv[i].ever, &e);
		else
			x->incomplete++;
	}
	free(sv);
	if (rc == -1)
		log_warnx("export: %s", e.msg);
	return rc;
}

/* MODULE or MODULE@VERSION into the list; -1 and e when not stored. */
static int
export_select(struct export *x, const char *arg, struct err *e)
{
	char module[MODPATH_MAX], emod[MODPATH_MAX], ever[VERSION_MAX];
	const char *at = strrchr(arg, '@');
	size_t len = at != NULL ? (size_t)(at - arg) : strlen(arg), before;
	enum artifact a;

	if (len >= sizeof(module))
		return err_set(e, E_TOOBIG, "%s: module path too long", arg);
	memcpy(module, arg, len);
	module[len] = '\0';
	if (modpath_check(module, e) != 0 ||
	    modpath_escape(module, emod, sizeof(emod)) == -1)
		return err_set(e, E_BADREQ, "%s: not a module path", arg);
	if (at == NULL) {
		before = x->n;
		if (export_module(emod, x) == -1)
			return err_set(e, E_INTERNAL, "%s: failed", arg);
		if (x->n == before)
			return err_set(e, E_NOTFOUND, "%s: no complete version "
			    "stored", arg);
		return 0;
	}
	if (!semver_valid(at + 1) ||
	    modpath_escape(at + 1, ever, sizeof(ever)) == -1 ||
	    modpath_check_version_elem(ever) != 0)
		return err_set(e, E_BADREQ, "%s: not a version", arg);
	for (a = ART_INFO; a <= ART_ZIP; a++)
		if (!export_has(x, emod, ever, a))
			return err_set(e, E_NOTFOUND, "%s: not stored complete "
			    "(no %s)", arg, store_ext(a));
	return export_push(x, emod, ever, e);
}

/*
 * mkdir -p of rel's directories below base, none of them followed: each
 * is lstat'ed, and one that exists as a symbolic link or as anything but
 * a directory is refused (an export never writes outside DIR).
 */
static int
export_mkdirs(const char *base, const char *rel, struct err *e)
{
	char path[ANSWER_PATH_MAX];
	size_t blen = strlen(base), i;
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", base, rel) >=
	    (int)sizeof(path))
		return err_set(e, E_TOOBIG, "%s/%s: path too long", base, rel);
	for (i = blen + 1; path[i] != '\0'; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (lstat(path, &st) == 0) {
			if (S_ISLNK(st.st_mode))
				return err_set(e, E_FORBIDDEN, "%s: a symbolic "
				    "link inside the export directory: "
				    "refused (nothing is written through "
				    "one)", path);
			if (!S_ISDIR(st.st_mode))
				return err_set(e, E_FORBIDDEN, "%s: not a "
				    "directory", path);
		} else if (errno != ENOENT ||
		    (mkdir(path, 0755) == -1 && errno != EEXIST))
			return err_errno(e, E_INTERNAL, "mkdir %s", path);
		else if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode))
			return err_set(e, E_FORBIDDEN, "%s: not a directory",
			    path);
		path[i] = '/';
	}
	return 0;
}

/* Copy src to dst atomically (dst.tmp, fsync, rename), keeping mtime. */
static int
export_copy(const char *src, const char *dst, const struct stat *sst,
    struct err *e)
{
	char tmp[ANSWER_PATH_MAX + 16];
	struct timespec ts[2];
	int in, out, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-export", dst) >=
	    (int)sizeof(tmp))
		return err_set(e, E_TOOBIG, "%s: path too long", dst);
	if ((in = buf_open_regular(src, e)) == -1)
		return -1;
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1) {
		close(in);
		return err_errno(e, E_INTERNAL, "create %s", tmp);
	}
	if (buf_copy_fd(in, out, LLONG_MAX, src, tmp, e) == -1)
		goto out;
	ts[0] = sst->st_atim;
	ts[1] = sst->st_mtim;
	if (futimens(out, ts) == -1 || fsync(out) == -1) {
		err_errno(e, E_INTERNAL, "%s", tmp);
		goto out;
	}
	rc = 0;
out:
	close(in);
	if (close(out) == -1 && rc == 0)
		rc = err_errno(e, E_INTERNAL, "close %s", tmp);
	if (rc == 0 && rename(tmp, dst) == -1)
		rc = err_errno(e, E_INTERNAL, "rename %s", dst);
	if (rc == -1)
		unlink(tmp);
	return rc;
}

/* One file of a version into the archive fd, or the tree under dir. */
static int
export_file(struct export *x, const struct export_item *it, enum artifact a,
    int fd, const char *dir, struct err *e)
{
	char src[ANSWER_PATH_MAX], rel[ANSWER_PATH_MAX], dst[ANSWER_PATH_MAX];
	struct stat sst, dst_st;
	int same;

	if (store_path(x->store, it->emod, it->ever, a, src,
	    sizeof(src)) == -1 || snprintf(rel, sizeof(rel), "%s/@v/%s%s",
	    it->emod, it->ever, store_ext(a)) >= (int)sizeof(rel))
		return err_set(e, E_TOOBIG, "%s@%s: path too long", it->emod,
		    it->ever);
	if (dir == NULL) {
		x->written++;
		return tar_add_file(fd, rel, src, e);
	}
	if (lstat(src, &sst) == -1 || !S_ISREG(sst.st_mode))
		return err_errno(e, E_INTERNAL, "%s", src);
	if (snprintf(dst, sizeof(dst), "%s/%s", dir, rel) >= (int)sizeof(dst))
		return err_set(e, E_TOOBIG, "%s: path too long", rel);
	/* The directories first: nothing below is looked at through a
	 * link. */
	if (export_mkdirs(dir, rel, e) == -1)
		return -1;
	if (lstat(dst, &dst_st) == 0 && S_ISREG(dst_st.st_mode) &&
	    dst_st.st_size == sst.st_size &&
	    dst_st.st_mtim.tv_sec == sst.st_mtim.tv_sec &&
	    dst_st.st_mtim.tv_nsec == sst.st_mtim.tv_nsec) {
		if ((same = buf_same_file(src, dst, e)) == -1)
			return -1;
		if (same) {
			x->unchanged++;
			return 0;
		}
	}
	if (export_copy(src, dst, &sst, e) == -1)
		return -1;
	x->written++;
	return 0;
}

/* Every listed version, each file in export_order. */
static int
export_write(struct export *x, int fd, const char *dir, struct err *e)
{
	size_t i, k;

	for (i = 0; i < x->n; i++)
		for (k = 0; k < NITEMS(export_order); k++)
			if (export_file(x, &x->v[i], export_order[k], fd, dir,
			    e) == -1)
				return -1;
	return dir == NULL ? tar_finish(fd, e) : 0;
}

/* The archive: FILE.tmp renamed to FILE when complete, or stdout. */
static int
export_tar(struct export *x, const char *file, struct err *e)
{
	char *tmp = NULL;
	int fd, rc;

	if (strcmp(file, "-") == 0)
		return export_write(x, STDOUT_FILENO, NULL, e);
	xasprintf(&tmp, "%s.tmp", file);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1) {
		rc = err_errno(e, E_INTERNAL, "create %s", tmp);
		free(tmp);
		return rc;
	}
	rc = export_write(x, fd, NULL, e);
	if (rc == 0 && fsync(fd) == -1)
		rc = err_errno(e, E_INTERNAL, "fsync %s", tmp);
	if (close(fd) == -1 && rc == 0)
		rc = err_errno(e, E_INTERNAL, "close %s", tmp);
	if (rc == 0 && rename(tmp, file) == -1)
		rc = err_errno(e, E_INTERNAL, "rename %s", file);
	if (rc == -1)
		unlink(tmp);
	free(tmp);
	return rc;
}

int
export_main(struct config *cfg, int argc, char **argv)
{
	struct export x;
	struct store s;
	const char *file = NULL, *dir = NULL;
	struct err e;
	int c, i, rc = 1;

	optind = 1;
	while ((c = getopt(argc, argv, "o:d:h")) != -1) {
		switch (c) {
		case 'o':
			file = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			printf("%s%s", export_usage, export_help);
			return 0;
		default:
			fputs(export_usage, stderr);
			return 2;
		}
	}
	if ((file == NULL) == (dir == NULL)) {
		fputs(export_usage, stderr);
		return 2;
	}
	err_clear(&e);
	if (store_open(&s, cfg->storage_root, &e) == -1) {
		fprintf(stderr, "piraeus: export: %s\n", e.msg);
		return 1;
	}
	memset(&x, 0, sizeof(x));
	x.store = &s;
	for (i = optind; i < argc; i++)
		if (export_select(&x, argv[i], &e) == -1)
			goto out;
	if (optind == argc && store_walk(&s, export_module, &x, &e) == -1)
		goto out;
	if (x.n > 1)
		qsort(x.v, x.n, sizeof(*x.v), export_cmp);
	export_dedup(&x);
	if (dir != NULL && mkdir(dir, 0755) == -1 && errno != EEXIST) {
		err_errno(&e, E_INTERNAL, "mkdir %s", dir);
		goto out;
	}
	if (dir != NULL ? export_write(&x, -1, dir, &e) :
	    export_tar(&x, file, &e))
		goto out;
	fprintf(stderr, "exported %zu versions: %ld files written, %ld "
	    "unchanged; %ld incomplete versions left out\n", x.n, x.written,
	    x.unchanged, x.incomplete);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "piraeus: export: %s\n", e.msg);
	free(x.v);
	store_close(&s);
	return rc;
}

/*
 * pack.c: a module version (.zip, .mod, .info) made from a source tree, as
 * golang.org/x/mod/zip CreateFromDir makes the zip, so that its h1 is the
 * one "go mod download" computes from a repository holding the same tree
 * at the same tag.
 *
 * pack_make checks the request (module path, canonical version valid for
 * the path's major suffix, +incompatible only at v2 and above and only
 * without a go.mod, the root go.mod's module line naming the module),
 * walks the tree with packrule.c's rules, refuses a file name
 * module.CheckFilePath refuses (each named), writes the zip with libzip
 * into the store's .tmp and has zipcheck.c judge it (case-fold
 * collisions, sizes, every name again) and give its h1.  The three files
 * are left as temporary files of the store for the caller to publish
 * (publish.c, or store_publish into a tree of its own).  Nothing under the
 * tree is followed through a symbolic link; the files are read once, when
 * the zip is written.
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
#include <time.h>
#include <unistd.h>

#include <zip.h>

#include "piraeus.h"

#define PACK_FILES_MAX	500000		/* files in one tree (zipcheck's) */
#define PACK_DEPTH_MAX	128		/* directories deep */
#define PACK_REL_MAX	4096		/* a file's path below the tree */
#define PACK_LICENSE_MAX (16LL * 1024 * 1024)	/* MaxLICENSE */
#define PACK_BAD_SHOWN	10		/* bad file names told */

struct pack_file {
	char	*rel;
	long long size;
};

struct pack_walk {
	const char	*root;		/* the tree, absolute */
	int		 go124;
	struct pack_file *files;
	size_t		 n, cap;
};

/* Append rel to w's files; -1 and e set past PACK_FILES_MAX. */
static int
pack_add(struct pack_walk *w, const char *rel, long long size, struct err *e)
{
	if (w->n == PACK_FILES_MAX)
		return err_set(e, E_TOOBIG, "more than %d files",
		    PACK_FILES_MAX);
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->files = xreallocarray(w->files, w->cap, sizeof(*w->files));
	}
	w->files[w->n].rel = xstrdup(rel);
	w->files[w->n].size = size;
	w->n++;
	return 0;
}

/* listFilesInDir for the directory rel ("" the root): 0, or -1 and e. */
static int
pack_walk_dir(struct pack_walk *w, const char *rel, int depth, struct err *e)
{
	char abs[PATH_MAX], child[PACK_REL_MAX], sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0;

	if (depth > PACK_DEPTH_MAX)
		return err_set(e, E_TOOBIG, "%s: more than %d directories deep",
		    rel, PACK_DEPTH_MAX);
	if ((size_t)snprintf(abs, sizeof(abs), "%s%s%s", w->root,
	    rel[0] ? "/" : "", rel) >= sizeof(abs))
		return err_set(e, E_TOOBIG, "%s: path too long", rel);
	if ((d = opendir(abs)) == NULL)
		return err_errno(e, E_BADREQ, "%s", abs);
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", rel,
		    rel[0] ? "/" : "", de->d_name) >= sizeof(child) ||
		    (size_t)snprintf(sub, sizeof(sub), "%s/%s", abs,
		    de->d_name) >= sizeof(sub)) {
			rc = err_set(e, E_TOOBIG, "%s/%s: path too long", rel,
			    de->d_name);
			break;
		}
		if (lstat(sub, &st) == -1) {
			rc = err_errno(e, E_BADREQ, "%s", sub);
			break;
		}
		/* Every file below a vendored directory is vendored too. */
		if (packrule_vendored(child, w->go124))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (packrule_vcs_dir(de->d_name))
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s/go.mod",
			    abs, de->d_name) < sizeof(sub) &&
			    lstat(sub, &st) == 0 && !S_ISDIR(st.st_mode))
				continue;	/* another module */
			rc = pack_walk_dir(w, child, depth + 1, e);
		} else if (S_ISREG(st.st_mode))
			rc = pack_add(w, child, (long long)st.st_size, e);
	}
	if (rc == 0 && errno != 0)
		rc = err_errno(e, E_BADREQ, "readdir %s", abs);
	closedir(d);
	return rc;
}

static int
pack_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pack_file *)a)->rel,
	    ((const struct pack_file *)b)->rel);
}

/* Whether a directory holding a file that folds to go.mod is above p
 * (checkFiles' inSubmodule); gomods lists those directories, "d/". */
static int
pack_in_submodule(const char *p, char **gomods, size_t ng)
{
	const char *s;
	size_t i, len;

	for (s = strchr(p, '/'); s != NULL; s = strchr(s + 1, '/')) {
		len = (size_t)(s - p) + 1;
		for (i = 0; i < ng; i++)
			if (strlen(gomods[i]) == len &&
			    memcmp(gomods[i], p, len) == 0)
				return 1;
	}
	return 0;
}

/*
 * checkFiles on w's list: drop the files of nested modules and a root
 * .hg_archival.txt, refuse bad names (each told, up to PACK_BAD_SHOWN)
 * and sizes past the caps.  0, or -1 and e set.
 */
static int
pack_check(struct pack_walk *w, struct err *e)
{
	char **gomods = NULL, msg[1024];
	const char *base;
	long long total = 0;
	size_t i, j, ng = 0, nbad = 0, mlen = 0;
	int rc = 0;

	for (i = 0; i < w->n; i++) {
		base = strrchr(w->files[i].rel, '/');
		if (base == NULL || !packrule_gomod_name(base + 1))
			continue;
		gomods = xreallocarray(gomods, ng + 1, sizeof(*gomods));
		gomods[ng] = xstrndup(w->files[i].rel,
		    (size_t)(base - w->files[i].rel) + 1);
		ng++;
	}
	msg[0] = '\0';
	for (i = j = 0; i < w->n; i++) {
		const char *p = w->files[i].rel, *why = NULL;

		if (pack_in_submodule(p, gomods, ng) ||
		    strcmp(p, ".hg_archival.txt") == 0) {
			free(w->files[i].rel);
			continue;
		}
		if (modpath_check_file(p) == -1)
			why = "invalid file name";
		else if (packrule_gomod_name(p) && strcmp(p, "go.mod") != 0)
			why = "go.mod spelled in another case";
		else if (strcmp(p, "go.mod") == 0 &&
		    w->files[i].size > GOMOD_MAX)
			why = "go.mod larger than 16 MiB";
		else if (strcmp(p, "LICENSE") == 0 &&
		    w->files[i].size > PACK_LICENSE_MAX)
			why = "LICENSE larger than 16 MiB";
		if (why != NULL) {
			if (nbad++ < PACK_BAD_SHOWN && mlen < sizeof(msg))
				mlen += (size_t)snprintf(msg + mlen,
				    sizeof(msg) - mlen, "%s\"%.200s\": %s",
				    mlen ? "; " : "", p, why);
			free(w->files[i].rel);
			continue;
		}
		total += w->files[i].size;
		w->files[j++] = w->files[i];
	}
	w->n = j;
	for (i = 0; i < ng; i++)
		free(gomods[i]);
	free(gomods);
	if (nbad > 0)
		rc = err_set(e, E_BADREQ, "%zu file%s the go command refuses: "
		    "%s%s", nbad, nbad == 1 ? "" : "s", msg,
		    nbad > PACK_BAD_SHOWN ? "; ..." : "");
	else if (total > ZIP_MAX)
		rc = err_set(e, E_TOOBIG, "module source tree too large (max "
		    "size is %lld bytes)", ZIP_MAX);
	qsort(w->files, w->n, sizeof(*w->files), pack_file_cmp);
	return rc;
}

static void
pack_walk_free(struct pack_walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->files[i].rel);
	free(w->files);
	w->files = NULL;
	w->n = w->cap = 0;
}

/* data into a new temporary file of s: *path allocated; 0 or -1. */
static int
pack_write_tmp(const struct store *s, const void *data, size_t len,
    char **path, struct err *e)
{
	const char *p = data;
	ssize_t n;
	int fd;

	if (store_tmpfile(s, path, &fd, e) == -1)
		return -1;
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_errno(e, E_INTERNAL, "write %s", *path);
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) == -1)
		return err_errno(e, E_INTERNAL, "close %s", *path);
	return 0;
}

/* The zip of w's files, "<module>@<version>/" before each name, every
 * entry dated t (so one tree and time make the same bytes). */
static int
pack_zip(const struct pack_walk *w, const char *module, const char *version,
    time_t t, const char *path, struct err *e)
{
	char abs[PATH_MAX], name[MODPATH_MAX + VERSION_MAX + PACK_REL_MAX];
	zip_source_t *src;
	int fd;
	zip_int64_t ix;
	zip_t *za;
	size_t i;
	int zerr;

	if ((za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr)) == NULL)
		return err_set(e, E_INTERNAL, "zip_open %s: error %d", path,
		    zerr);
	for (i = 0; i < w->n; i++) {
		snprintf(abs, sizeof(abs), "%s/%s", w->root, w->files[i].rel);
		snprintf(name, sizeof(name), "%s@%s/%s", module, version,
		    w->files[i].rel);
		/* libzip opens the file by name when the zip is written
		 * (a FILE per entry kept open would exhaust descriptors):
		 * a FIFO or link put there since the walk is refused here
		 * first, never blocked on. */
		if ((fd = buf_open_regular(abs, e)) == -1) {
			zip_discard(za);
			return -1;
		}
		close(fd);
		if ((src = zip_source_file(za, abs, 0, -1)) == NULL)
			goto fail;
		if ((ix = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8)) < 0) {
			zip_source_free(src);
			goto fail;
		}
		if (zip_set_file_compression(za, (zip_uint64_t)ix,
		    ZIP_CM_DEFLATE, 0) == -1 ||
		    zip_file_set_mtime(za, (zip_uint64_t)ix, t, 0) == -1)
			goto fail;
	}
	if (zip_close(za) == -1)
		goto fail;
	return 0;
fail:
	err_set(e, E_INTERNAL, "zip %s: %s", path, zip_strerror(za));
	zip_discard(za);
	return -1;
}

/* The request's module and version: valid, canonical, compatible. */
static int
pack_check_names(const struct pack_req *r, int *incompatible, struct err *e)
{
	char canon[VERSION_MAX], major[VERSION_MAX];
	struct err me;

	err_clear(&me);
	if (modpath_check(r->module, &me) == -1)
		return err_set(e, E_BADREQ, "invalid module path \"%s\": %s",
		    r->module, me.msg);
	if (!semver_valid(r->version))
		return err_set(e, E_BADREQ, "invalid version \"%s\": not a "
		    "semantic version (vMAJOR.MINOR.PATCH)", r->version);
	if (semver_canonical(r->version, 1, canon, sizeof(canon)) == -1 ||
	    strcmp(canon, r->version) != 0)
		return err_set(e, E_BADREQ, "version \"%s\" is not canonical "
		    "(the go command would use %s)", r->version, canon);
	*incompatible = strcmp(semver_build(r->version), "+incompatible") == 0;
	if (*incompatible && (semver_major(r->version, major,
	    sizeof(major)) == -1 || strcmp(major, "v0") == 0 ||
	    strcmp(major, "v1") == 0))
		return err_set(e, E_BADREQ, "version \"%s\": +incompatible is "
		    "only for v2 and above", r->version);
	if (modpath_check_major(r->module, r->version) == -1)
		return err_set(e, E_BADREQ, "version \"%s\" does not match the "
		    "major version of module path \"%s\" (v2 and above need a "
		    "/vN suffix, or +incompatible without a go.mod)",
		    r->version, r->module);
	return 0;
}

/*
 * The .mod: the root go.mod when the tree has one (its module line must
 * name r->module; refused with +incompatible), else the go command's
 * synthesized "module PATH\n" (refused at v2 and above without
 * +incompatible).  *gomod allocated.
 */
static int
pack_gomod(const struct pack_req *r, const char *root, int incompatible,
    struct buf *gomod, int *go124, struct err *e)
{
	char path[PATH_MAX], name[MODPATH_MAX];
	char major[VERSION_MAX];
	struct stat st;

	*go124 = 0;
	buf_init(gomod, GOMOD_MAX);
	if ((size_t)snprintf(path, sizeof(path), "%s/go.mod", root) >=
	    sizeof(path))
		return err_set(e, E_TOOBIG, "%s: path too long", root);
	if (lstat(path, &st) == -1) {
		if (errno != ENOENT)
			return err_errno(e, E_BADREQ, "%s", path);
		if (!incompatible && semver_major(r->version, major,
		    sizeof(major)) == 0 && strcmp(major, "v0") != 0 &&
		    strcmp(major, "v1") != 0)
			return err_set(e, E_BADREQ, "%s has no go.mod: version "
			    "%s needs one naming %s (or +incompatible)", root,
			    r->version, r->module);
		return buf_printf(gomod, e, "module %s\n", r->module);
	}
	if (!S_ISREG(st.st_mode))
		return err_set(e, E_BADREQ, "%s: not a regular file", path);
	if (incompatible)
		return err_set(e, E_BADREQ, "version %s is +incompatible, but "
		    "the tree has a go.mod: tag it without +incompatible, on a "
		    "module path with its major suffix", r->version);
	if (buf_read_file(gomod, path, GOMOD_MAX, e) == -1)
		return -1;
	if (packrule_gomod_module(gomod->data, gomod->len, name,
	    sizeof(name)) == -1)
		return err_set(e, E_BADREQ, "%s: no module line", path);
	if (strcmp(name, r->module) != 0)
		return err_set(e, E_BADREQ, "%s says \"module %s\", not %s",
		    path, name, r->module);
	*go124 = packrule_go124(gomod->data, gomod->len);
	return 0;
}

int
pack_make(const struct store *s, const struct pack_req *r, struct fetched *f,
    char h1[H1_MAX], struct err *e)
{
	struct pack_walk w;
	struct buf gomod, info;
	char root[PATH_MAX], tbuf[64];
	struct stat st;
	int incompatible = 0, rc = -1;

	memset(f, 0, sizeof(*f));
	memset(&w, 0, sizeof(w));
	buf_init(&gomod, GOMOD_MAX);
	buf_init(&info, INFO_MAX);
	if (pack_check_names(r, &incompatible, e) == -1)
		return -1;
	if (realpath(r->dir, root) == NULL)
		return err_errno(e, E_BADREQ, "%s", r->dir);
	if (stat(root, &st) == -1 || !S_ISDIR(st.st_mode))
		return err_set(e, E_BADREQ, "%s: not a directory", r->dir);
	w.root = root;
	if (pack_gomod(r, root, incompatible, &gomod, &w.go124, e) == -1 ||
	    pack_walk_dir(&w, "", 0, e) == -1 || pack_check(&w, e) == -1)
		goto out;
	rfc3339_format(r->time_ns, tbuf, sizeof(tbuf));
	if (buf_printf(&info, e, "{\"Version\":\"%s\",\"Time\":\"%s\"}",
	    r->version, tbuf) == -1)
		goto out;
	if (pack_write_tmp(s, gomod.data, gomod.len, &f->mod, e) == -1 ||
	    pack_write_tmp(s, info.data, info.len, &f->info, e) == -1 ||
	    pack_write_tmp(s, "", 0, &f->zip, e) == -1 ||
	    pack_zip(&w, r->module, r->version,
	    (time_t)(r->time_ns / 1000000000LL), f->zip, e) == -1 ||
	    zipcheck(f->zip, r->module, r->version, h1, e) == -1 ||
	    dirhash_sha256_file(f->zip, f->zip_sha256, e) == -1)
		goto out;
	snprintf(f->version, sizeof(f->version), "%s", r->version);
	rc = 0;
out:
	if (rc == -1)
		fetched_free(f);
	pack_walk_free(&w);
	buf_free(&gomod);
	buf_free(&info);
	return rc;
}

int
pack_list_add(const struct store *s, const char *emod, const char *version,
    struct err *e)
{
	char path[PATH_MAX], *tmp = NULL;
	const char *p, *nl, *end;
	struct buf old, out;
	size_t vlen = strlen(version);
	int rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s/@v/list", s->root,
	    emod) >= sizeof(path))
		return err_set(e, E_TOOBIG, "path too long");
	buf_init(&out, GOMOD_MAX);
	if (buf_read_file(&old, path, GOMOD_MAX, e) == -1) {
		if (e->code != E_NOTFOUND)
			return -1;
		err_clear(e);
		buf_init(&old, GOMOD_MAX);
	}
	p = old.data != NULL ? old.data : "";
	end = p + old.len;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p)
			continue;
		if ((size_t)(nl - p) == vlen && memcmp(p, version, vlen) == 0) {
			rc = 0;		/* listed already */
			goto out;
		}
		if (buf_append(&out, p, (size_t)(nl - p), e) == -1 ||
		    buf_puts(&out, "\n", e) == -1)
			goto out;
	}
	if (buf_printf(&out, e, "%s\n", version) == -1 ||
	    pack_write_tmp(s, out.data, out.len, &tmp, e) == -1 ||
	    store_commit(s, tmp, path, e) == -1)
		goto out;
	rc = 0;
out:
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	buf_free(&old);
	buf_free(&out);
	return rc;
}

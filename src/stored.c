/*
 * stored.c: answers from the storage tree alone (DESIGN 2).
 *
 * A version counts once its .info exists: publish writes it last.  Files
 * are opened without following symbolic links and must be regular; small
 * ones (.info, .mod) are read under their cap and get their SHA-256 as
 * ETag.  list and @latest computed from the tree follow the go command:
 * list holds tagged versions only (no pseudo-versions), each canonical
 * and valid for the module path, retracted ones kept (protocol.md 2.1 and
 * 6); @latest is latest.c's pick among the stored versions, answered with
 * that version's stored .info, byte for byte.  stored_row gives a
 * version's index row with the tree as the truth: a version the tree
 * holds and the index does not (another host of a shared storage root
 * published it) is described from the tree and its row added.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"

int
stored_artifact(enum want_kind kind)
{
	static const int arts[WANT_MAX] = {
		[WANT_INFO] = ART_INFO, [WANT_MOD] = ART_MOD,
		[WANT_ZIP] = ART_ZIP, [WANT_QUERY] = ART_INFO,
		[WANT_LIST] = -1, [WANT_LATEST] = -1, [WANT_SUMDB] = -1,
		[WANT_SUMDB_PRIVATE] = -1,
	};

	return (unsigned)kind < WANT_MAX ? arts[kind] : -1;
}

int
stored_have(const struct store *st, const char *emod, const char *ever,
    enum want_kind kind)
{
	char path[PATH_MAX];
	struct stat sb;

	if (kind == WANT_MOD)
		return store_path(st, emod, ever, ART_MOD, path,
		    sizeof(path)) == 0 && stat(path, &sb) == 0;
	/* .info is published last: it means the version is complete. */
	return store_path(st, emod, ever, ART_INFO, path, sizeof(path)) == 0 &&
	    stat(path, &sb) == 0 && store_path(st, emod, ever, ART_ZIP, path,
	    sizeof(path)) == 0 && stat(path, &sb) == 0;
}

/* The regular file at path opened into a as ANSWER_FILE of art (its
 * Content-Type), not read; symbolic links refused.  E_NOTFOUND when
 * absent. */
static int
stored_fopen(const char *path, enum artifact art, struct answer *a,
    struct err *e)
{
	static const char *const ctypes[] = {
		[ART_INFO] = "application/json",
		[ART_MOD] = "text/plain; charset=utf-8",
		[ART_ZIP] = "application/zip",
	};

	if (snprintf(a->path, sizeof(a->path), "%s", path) >=
	    (int)sizeof(a->path))
		return err_set(e, E_NOTFOUND, "path too long");
	if ((a->fd = open(a->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return err_set(e, E_NOTFOUND, "not in storage");
		return err_errno(e, E_UNAVAIL, "open %s", a->path);
	}
	if (fstat(a->fd, &a->st) == -1 || !S_ISREG(a->st.st_mode)) {
		close(a->fd);
		a->fd = -1;
		return err_set(e, E_NOTFOUND, "not in storage");
	}
	a->kind = ANSWER_FILE;
	a->ctype = ctypes[art];
	return 0;
}

int
stored_file(const char *path, enum artifact art, struct answer *a,
    struct err *e)
{
	char sha[SHA256_HEX];
	int rc;

	if (stored_fopen(path, art, a, e) == -1)
		return -1;
	if (art == ART_ZIP)
		return 0;
	rc = buf_read_fd(&a->body, a->fd, art == ART_INFO ? INFO_MAX :
	    GOMOD_MAX, e);
	close(a->fd);
	a->fd = -1;
	a->kind = ANSWER_BODY;
	if (rc == -1)
		return err_set(e, E_INTERNAL, "reading %s", a->path);
	dirhash_sha256_hex(a->body.data, a->body.len, sha);
	snprintf(a->etag, sizeof(a->etag), "\"%s\"", sha);
	return 0;
}

int
stored_open(const struct store *st, const char *emod, const char *ever,
    enum artifact art, struct answer *a, struct err *e)
{
	char path[PATH_MAX];

	if (store_path(st, emod, ever, art, path, sizeof(path)) == -1)
		return err_set(e, E_NOTFOUND, "invalid module path");
	return stored_file(path, art, a, e);
}

int
stored_open_unread(const struct store *st, const char *emod,
    const char *ever, enum artifact art, struct answer *a, struct err *e)
{
	char path[PATH_MAX];

	if (store_path(st, emod, ever, art, path, sizeof(path)) == -1)
		return err_set(e, E_NOTFOUND, "invalid module path");
	return stored_fopen(path, art, a, e);
}

/* 1 when the stored version ever (escaped) belongs in list: version
 * gets it unescaped. */
static int
stored_listed(const char *module, const char *ever, char *version)
{
	char canon[VERSION_MAX];

	/* (A version that is its own canonical form is valid semver.) */
	if (modpath_unescape(ever, version, VERSION_MAX) == -1 ||
	    semver_canonical(version, 1, canon, sizeof(canon)) == -1 ||
	    strcmp(canon, version) != 0 || semver_is_pseudo(version) ||
	    modpath_check_major(module, version) == -1)
		return 0;
	return 1;
}

/* The versions of emod that have a .info, unescaped (allocated); with
 * listed, only those that belong in list. */
static int
stored_versions(const struct store *st, const char *module, const char *emod,
    int listed, char ***out, size_t *n, struct err *e)
{
	struct store_version *sv;
	char **v;
	size_t ns, nv = 0, i;
	int keep;

	if (store_versions(st, emod, &sv, &ns, e) == -1)
		return -1;
	v = xcalloc(ns ? ns : 1, sizeof(*v));
	for (i = 0; i < ns; i++) {
		if (!sv[i].has_info)
			continue;
		v[nv] = xmalloc(VERSION_MAX);
		keep = listed ? stored_listed(module, sv[i].ever, v[nv]) :
		    modpath_unescape(sv[i].ever, v[nv], VERSION_MAX) == 0;
		if (keep)
			nv++;
		else
			free(v[nv]);
	}
	free(sv);
	*out = v;
	*n = nv;
	return 0;
}

/*
 * The lists of the last modules asked, per process: a module's @v
 * directory changes (its mtime, or it is replaced) whenever a file is
 * published into it, and a list is remembered only when the directory
 * had not changed for STORED_MEMO_AGE: a later change then gets a later
 * mtime even where the file system's clock is coarse.  A list is kept at
 * most STORED_MEMO_TTL, which bounds what a hand-set mtime (rsync -t
 * racing a change in the same clock tick at its source) could hide.  A
 * cache that may be lost: the tree stays the truth.
 */
#define STORED_MEMO_MAX		32		/* modules remembered */
#define STORED_MEMO_AGE		1000000000LL	/* ns unchanged first */
#define STORED_MEMO_VERSIONS	4096		/* a larger list is not */
#define STORED_MEMO_TTL		60		/* seconds a list is kept */

struct stored_memo {
	char		 emod[MODPATH_MAX];
	dev_t		 dev;
	ino_t		 ino;
	struct timespec	 mtime;
	time_t		 filled;	/* when remembered */
	char		**v;		/* semver order */
	size_t		 n;
};
static struct stored_memo stored_memo[STORED_MEMO_MAX];
static size_t stored_memo_next;

/* A copy of v[0..n) (allocated). */
static char **
stored_copy(char *const *v, size_t n)
{
	char **c = xcalloc(n ? n : 1, sizeof(*c));
	size_t i;

	for (i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

static void
stored_memo_free(struct stored_memo *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i]);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* The remembered list of emod whose @v directory is sb, or NULL. */
static struct stored_memo *
stored_memo_find(const char *emod, const struct stat *sb)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < STORED_MEMO_MAX; i++)
		if (stored_memo[i].v != NULL &&
		    now - stored_memo[i].filled < STORED_MEMO_TTL &&
		    strcmp(stored_memo[i].emod, emod) == 0 &&
		    stored_memo[i].dev == sb->st_dev &&
		    stored_memo[i].ino == sb->st_ino &&
		    stored_memo[i].mtime.tv_sec == sb->st_mtim.tv_sec &&
		    stored_memo[i].mtime.tv_nsec == sb->st_mtim.tv_nsec)
			return &stored_memo[i];
	return NULL;
}

/* Remember v[0..n) for emod when its directory (sb) is old enough. */
static void
stored_memo_put(const char *emod, const struct stat *sb, char *const *v,
    size_t n)
{
	struct stored_memo *m;
	struct timespec now;
	long long age;

	if (clock_gettime(CLOCK_REALTIME, &now) == -1 ||
	    n > STORED_MEMO_VERSIONS || strlen(emod) >= MODPATH_MAX)
		return;
	age = (long long)(now.tv_sec - sb->st_mtim.tv_sec) * 1000000000LL +
	    (now.tv_nsec - sb->st_mtim.tv_nsec);
	if (age < STORED_MEMO_AGE)
		return;
	m = &stored_memo[stored_memo_next++ % STORED_MEMO_MAX];
	stored_memo_free(m);
	memcpy(m->emod, emod, strlen(emod) + 1);
	m->dev = sb->st_dev;
	m->ino = sb->st_ino;
	m->mtime = sb->st_mtim;
	m->filled = now.tv_sec;
	m->v = stored_copy(v, n);
	m->n = n;
}

int
stored_list(const struct store *st, const char *module, const char *emod,
    char ***out, size_t *n, struct err *e)
{
	char dir[PATH_MAX];
	struct stored_memo *m;
	struct stat sb;
	int have;

	/* The directory is looked at before it is read: a list read is
	 * never older than the mtime it is remembered under. */
	have = (size_t)snprintf(dir, sizeof(dir), "%s/%s/@v", st->root,
	    emod) < sizeof(dir) && stat(dir, &sb) == 0;
	if (have && (m = stored_memo_find(emod, &sb)) != NULL) {
		*out = stored_copy(m->v, m->n);
		*n = m->n;
		return 0;
	}
	if (stored_versions(st, module, emod, 1, out, n, e) == -1)
		return -1;
	semver_sort(*out, *n);
	if (have)
		stored_memo_put(emod, &sb, *out, *n);
	return 0;
}

/* What latest_pick reads a stored version's go.mod with. */
struct stored_latest_arg {
	const struct store	*st;
	const char		*emod;
};

static int
stored_latest_gomod(void *arg, const char *version, struct buf *b,
    struct err *e)
{
	struct stored_latest_arg *a = arg;
	char ever[VERSION_MAX], path[PATH_MAX];

	if (modpath_escape(version, ever, sizeof(ever)) == -1 ||
	    store_path(a->st, a->emod, ever, ART_MOD, path,
	    sizeof(path)) == -1)
		return err_set(e, E_NOTFOUND, "invalid version");
	return buf_read_file(b, path, GOMOD_MAX, e);
}

int
stored_latest(const struct store *st, const char *module, const char *emod,
    struct buf *body, struct err *e)
{
	struct stored_latest_arg arg = { st, emod };
	struct latest_src src = { stored_latest_gomod, &arg };
	char pick[VERSION_MAX], ever[VERSION_MAX], path[PATH_MAX] = "", **vs;
	size_t n, i;
	int picked;

	if (stored_versions(st, module, emod, 0, &vs, &n, e) == -1)
		return -1;
	picked = latest_pick(module, vs, n, &src, pick);
	for (i = 0; i < n; i++)
		free(vs[i]);
	free(vs);
	if (!picked)
		return err_set(e, E_NOTFOUND, "no versions in storage");
	if (modpath_escape(pick, ever, sizeof(ever)) == -1 ||
	    store_path(st, emod, ever, ART_INFO, path, sizeof(path)) == -1 ||
	    buf_read_file(body, path, INFO_MAX, e) == -1)
		return err_set(e, E_INTERNAL, "cannot read %s", path);
	return 0;
}

/*
 * The index row of module@version, the tree being the truth: the row
 * when the index has one; else, when the tree holds the version (its
 * .info: another host of a shared tree published it, or the index was
 * lost), the row described from the stored files and added to the index
 * (a failure to add it is only logged).  1 and iv filled, 0 when the tree
 * does not hold it, -1 and e.
 */
int
stored_row(const struct store *st, struct index *ix, const char *module,
    const char *version, struct index_version *iv, struct err *e)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX], path[PATH_MAX];
	struct stat sb;
	struct err ie;
	int found;

	if ((found = index_get(ix, module, version, iv, e)) != 0)
		return found;
	if (modpath_escape(module, emod, sizeof(emod)) == -1 ||
	    modpath_escape(version, ever, sizeof(ever)) == -1 ||
	    store_path(st, emod, ever, ART_INFO, path, sizeof(path)) == -1 ||
	    stat(path, &sb) == -1)
		return 0;
	if (reindex_describe(st, emod, ever, NULL, iv, e) == -1) {
		if (e->code != E_NOTFOUND)
			return -1;
		err_clear(e);	/* gone meanwhile (purged) */
		return 0;
	}
	snprintf(iv->origin, sizeof(iv->origin), "tree");
	err_clear(&ie);
	if (index_put(ix, iv, &ie) == -1)
		log_warnx("index %s@%s: %s", module, version, ie.msg);
	return 1;
}

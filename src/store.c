/*
 * store.c: the GOPROXY tree on disk (DESIGN section 2).
 *
 * Layout: root/<escaped module>/@v/<escaped version>.{info,mod,zip}, the
 * same as the URL space and as a Go module cache's cache/download, so the
 * front web server can serve hits itself and the tree is a valid
 * GOPROXY=file:// directory.  Temporary files live in root/.tmp (same file
 * system, never served).  Writes are atomic: write in .tmp, fsync, rename
 * into place, fsync the directory.  A version is published zip, mod, then
 * info: a version whose .info exists is complete.  Published files are
 * never overwritten.  A publish fsyncs each new file and places it at
 * once (.zip, then .mod), fsyncs their directory once, then fsyncs and
 * places the .info and fsyncs the directory again; directories are made only when a rename
 * finds them missing.  A publish never replaces a file: each is linked
 * to its name (link(2) fails when the name exists), so two publishers of
 * one version racing past the "stored already?" check cannot overwrite
 * each other; the loser finds the winner's file and compares.
 *
 * .tmp must be on the root's file system (store_check_tmp: st_dev), or
 * neither link nor rename could publish from it.
 *
 * Callers pass escaped names that request.c or reindex.c validated; this
 * file still refuses any name that could leave the root ("..", "/" at the
 * start, empty elements) as a second line of defence.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "piraeus.h"

#define STORE_WALK_DEPTH	64	/* module path elements, at most */
#define STORE_PATH_MAX		(PATH_MAX)

static const char *const store_exts[] = {
	[ART_INFO] = ".info",
	[ART_MOD] = ".mod",
	[ART_ZIP] = ".zip",
};

const char *
store_ext(enum artifact a)
{
	return store_exts[a];
}

/* 0 when rel is a clean relative path: no "", ".", ".." elements. */
static int
store_clean_rel(const char *rel)
{
	const char *p = rel, *slash;
	size_t n;

	if (*rel == '\0' || *rel == '/')
		return -1;
	for (;;) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || p[0] == '.')
			return -1;
		if (slash == NULL)
			return 0;
		p = slash + 1;
	}
}

int
store_open(struct store *s, const char *root, struct err *e)
{
	struct stat st;

	s->root = s->tmp = NULL;
	if (root == NULL || root[0] != '/')
		return err_set(e, E_CONFIG, "storage root must be absolute");
	if (stat(root, &st) == -1)
		return err_errno(e, E_UNAVAIL, "storage root %s", root);
	if (!S_ISDIR(st.st_mode))
		return err_set(e, E_UNAVAIL, "storage root %s: not a directory",
		    root);
	s->root = xstrdup(root);
	xasprintf(&s->tmp, "%s/.tmp", root);
	return 0;
}

void
store_close(struct store *s)
{
	free(s->root);
	free(s->tmp);
	s->root = s->tmp = NULL;
}

int
store_path(const struct store *s, const char *emod, const char *ever,
    enum artifact a, char *out, size_t outsz)
{
	int n;

	if (store_clean_rel(emod) == -1 || strchr(ever, '/') != NULL ||
	    ever[0] == '\0' || ever[0] == '.')
		return -1;
	n = snprintf(out, outsz, "%s/%s/@v/%s%s", s->root, emod, ever,
	    store_exts[a]);
	if (n < 0 || (size_t)n >= outsz)
		return -1;
	return 0;
}

const char *
store_rel(const struct store *s, const char *path)
{
	size_t n = strlen(s->root);

	if (strncmp(path, s->root, n) != 0 || path[n] != '/' ||
	    store_clean_rel(path + n + 1) == -1)
		return NULL;
	return path + n + 1;
}

/* mkdir -p for the parent directories of path, below the root. */
static int
store_mkparents(const struct store *s, const char *path, struct err *e)
{
	char buf[STORE_PATH_MAX];
	size_t rootlen = strlen(s->root), len = strlen(path);
	char *p;

	if (len >= sizeof(buf) || strncmp(path, s->root, rootlen) != 0)
		return err_set(e, E_INTERNAL, "path outside storage root");
	memcpy(buf, path, len + 1);
	for (p = buf + rootlen + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST) {
			err_errno(e, E_INTERNAL, "mkdir %s", buf);
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static int
store_fsync_dir(const char *path, struct err *e)
{
	char dir[STORE_PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, rc = 0;

	if (slash == NULL || (n = (size_t)(slash - path)) >= sizeof(dir))
		return err_set(e, E_INTERNAL, "bad path %s", path);
	memcpy(dir, path, n);
	dir[n] = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return err_errno(e, E_INTERNAL, "open %s", dir);
	if (fsync(fd) == -1)
		rc = err_errno(e, E_INTERNAL, "fsync %s", dir);
	close(fd);
	return rc;
}

int
store_tmpfile(const struct store *s, char **path, int *fd, struct err *e)
{
	char *p;
	int f;

	*path = NULL;
	*fd = -1;
	xasprintf(&p, "%s/piraeus-XXXXXX", s->tmp);
	f = mkostemp(p, O_CLOEXEC);
	/* .tmp is made when it is missing, not tried on every call. */
	if (f == -1 && errno == ENOENT) {
		if (mkdir(s->tmp, 0755) == -1 && errno != EEXIST) {
			err_errno(e, E_INTERNAL, "mkdir %s", s->tmp);
			free(p);
			return -1;
		}
		memcpy(p + strlen(p) - 6, "XXXXXX", 6);
		f = mkostemp(p, O_CLOEXEC);
	}
	if (f == -1) {
		err_errno(e, E_INTERNAL, "mkstemp in %s", s->tmp);
		free(p);
		return -1;
	}
	fchmod(f, 0644);
	*path = p;
	*fd = f;
	return 0;
}

/* fsync the file at path: 0, or -1 and e set. */
static int
store_fsync_file(const char *path, struct err *e)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_errno(e, E_INTERNAL, "open %s", path);
	rc = fsync(fd);
	close(fd);
	if (rc == -1)
		return err_errno(e, E_INTERNAL, "fsync %s", path);
	return 0;
}

/*
 * rename tmp to dst (below the root), making dst's parents when they are
 * missing (a new module or version): they are not tried element by
 * element on every publish.  Nothing is made durable here.
 */
static int
store_rename(const struct store *s, const char *tmp, const char *dst,
    struct err *e)
{
	size_t rootlen = strlen(s->root);

	if (strncmp(dst, s->root, rootlen) != 0 || dst[rootlen] != '/')
		return err_set(e, E_INTERNAL, "path outside storage root");
	if (rename(tmp, dst) == 0)
		return 0;
	if (errno != ENOENT)
		return err_errno(e, E_INTERNAL, "rename to %s", dst);
	if (store_mkparents(s, dst, e) == -1)
		return -1;
	if (rename(tmp, dst) == -1)
		return err_errno(e, E_INTERNAL, "rename to %s", dst);
	return 0;
}

/* 1 when the two files have the same bytes, 0 when not, -1 on error. */

/* 1 when files a and b hold the same bytes (buf_same_file, errors as
 * "not the same"). */
static int
store_same(const char *a, const char *b)
{
	struct err e;

	err_clear(&e);
	return buf_same_file(a, b, &e);
}

/*
 * Put the temporary file tmp at dst (below the root) without ever
 * replacing a file there: link(2), which fails with EEXIST when dst
 * exists, then the temporary name is removed (a file system without hard
 * links: renameat2 RENAME_NOREPLACE, the same rule).  Two publishers that
 * both found dst missing cannot both win: the second finds the first's
 * file.  0 placed, 1 dst was there already with the same bytes (or is a
 * .info, whose spelling may differ: the stored one stays), -1 and e set
 * (also when dst holds other bytes).  dst's parents are made when they
 * are missing.
 */
static int
store_place(const struct store *s, const char *tmp, const char *dst,
    enum artifact a, struct err *e)
{
	size_t rootlen = strlen(s->root);
	int tries, rc;

	if (strncmp(dst, s->root, rootlen) != 0 || dst[rootlen] != '/')
		return err_set(e, E_INTERNAL, "path outside storage root");
	for (tries = 0; tries < 2; tries++) {
		rc = link(tmp, dst);
#ifdef RENAME_NOREPLACE
		if (rc == -1 && (errno == EPERM || errno == EOPNOTSUPP ||
		    errno == ENOSYS))
			rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, dst,
			    RENAME_NOREPLACE);
#endif
		if (rc == 0) {
			unlink(tmp);
			return 0;
		}
		if (errno != ENOENT || tries > 0)
			break;
		if (store_mkparents(s, dst, e) == -1)
			return -1;
	}
	if (errno != EEXIST)
		return err_errno(e, E_INTERNAL, "link to %s", dst);
	if (a != ART_INFO && store_same(tmp, dst) != 1)
		return err_set(e, E_UPSTREAM, "%s: another publisher stored "
		    "other bytes first", dst);
	unlink(tmp);
	return 1;
}

int
store_commit(const struct store *s, const char *tmp, const char *dst,
    struct err *e)
{
	if (store_fsync_file(tmp, e) == -1 || store_rename(s, tmp, dst,
	    e) == -1)
		return -1;
	return store_fsync_dir(dst, e);
}

int
store_publish(const struct store *s, const char *emod, const char *ever,
    const char *tmp_info, const char *tmp_mod, const char *tmp_zip,
    struct err *e)
{
	/* Publish order: zip, mod, info last (the completeness marker). */
	const struct {
		enum artifact	 art;
		const char	*tmp;
	} order[] = {
		{ ART_ZIP, tmp_zip },
		{ ART_MOD, tmp_mod },
		{ ART_INFO, tmp_info },
	};
	char dst[STORE_PATH_MAX];
	int exists[NITEMS(order)], renamed = 0, rc;
	struct stat st;
	size_t i;

	/*
	 * Immutable: an existing artifact stays as it is, and a .mod or .zip
	 * that differs from what came refuses the whole version before
	 * anything is renamed (never a zip without the rest).  A differing
	 * .info is no conflict: its Version was checked to be this one, and
	 * the rest is metadata that sources spell differently (the go
	 * command's module cache writes {"Version":"v1.0.0",...} where
	 * proxy.golang.org sends {"Version": "v1.0.0", ...}); the stored one
	 * stays.
	 */
	for (i = 0; i < NITEMS(order); i++) {
		exists[i] = 0;
		if (order[i].tmp == NULL)
			continue;
		if (store_path(s, emod, ever, order[i].art, dst,
		    sizeof(dst)) == -1)
			return err_set(e, E_INTERNAL, "bad storage name %s@%s",
			    emod, ever);
		if (lstat(dst, &st) == -1)
			continue;
		if (order[i].art != ART_INFO &&
		    store_same(order[i].tmp, dst) != 1)
			return err_set(e, E_UPSTREAM, "%s@%s: the new %s "
			    "differs from the stored one", emod, ever,
			    store_ext(order[i].art));
		exists[i] = 1;
	}
	/*
	 * Durable in this order, with as few fsyncs as that allows: each new
	 * file's bytes before its name points to them, and each file placed
	 * as soon as its bytes are durable (the .zip a client asks for next
	 * is there after one fsync, not three); the .zip and .mod names made
	 * durable by one fsync of the @v directory before the .info, the
	 * completeness marker, is placed; then the directory again.  (Three
	 * files cost five fsyncs, not six.)
	 */
	for (i = 0; i < NITEMS(order); i++)
		if (order[i].tmp != NULL && exists[i])
			unlink(order[i].tmp);
	for (i = 0; i < NITEMS(order); i++) {
		if (order[i].tmp == NULL || exists[i])
			continue;
		/* Before the .info: what came before it is durable. */
		if (order[i].art == ART_INFO && renamed &&
		    store_fsync_dir(dst, e) == -1)
			return -1;
		if (store_fsync_file(order[i].tmp, e) == -1)
			return -1;
		if (store_path(s, emod, ever, order[i].art, dst,
		    sizeof(dst)) == -1)
			return err_set(e, E_INTERNAL, "bad storage name %s@%s",
			    emod, ever);
		if ((rc = store_place(s, order[i].tmp, dst, order[i].art,
		    e)) == -1)
			return -1;
		if (rc == 1) {
			exists[i] = 1;	/* another publisher's, the same */
			continue;
		}
		FAULT_POINT(order[i].art == ART_ZIP ? "publish-zip" :
		    order[i].art == ART_MOD ? "publish-mod" : "publish-info");
		renamed = order[i].art != ART_INFO;
	}
	/* The last rename, durable (dst names a file of the @v directory). */
	if ((renamed || (tmp_info != NULL && !exists[NITEMS(order) - 1])) &&
	    store_fsync_dir(dst, e) == -1)
		return -1;
	return 0;
}

/* Sleep us microseconds (EINTR resumed). */
static void
store_sleep(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

#ifdef __linux__
/* Microseconds from now to deadline (monotonic), 0 when past. */
static long
store_left_us(const struct timespec *deadline)
{
	struct timespec now;
	long long us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (long long)(deadline->tv_sec - now.tv_sec) * 1000000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000;
	return us > 0 ? (long)us : 0;
}

/*
 * This process's inotify instance for store_wait, made at its first wait
 * and kept (IN_CLOEXEC: a go child does not get it): closing one makes
 * the kernel wait out the instance's teardown (10-14 ms), which every
 * wait paid after its wake-up when each made its own.  Only the main
 * thread waits (the publisher thread never does); a process forked since
 * makes its own, not sharing the parent's events.  -1 until made.
 */
static int	store_ifd = -1;
static pid_t	store_ifd_pid;

/* The instance (made when this process has none): its fd, or -1. */
static int
store_inotify(void)
{
	if (store_ifd != -1 && store_ifd_pid == getpid())
		return store_ifd;
	if (store_ifd != -1)
		close(store_ifd);	/* the parent's, inherited by fork */
	store_ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	store_ifd_pid = getpid();
	return store_ifd;
}

/*
 * Read what is queued on fd: 1 when an event of watch wd names name (or
 * the queue overflowed: anything may have happened), else 0.  Events of
 * other watches (an earlier wait's, its IN_IGNORED) are skipped; with
 * wd -1 all are (the stale events drained before a wait).
 */
static int
store_inotify_read(int fd, int wd, const char *name)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ie;
	ssize_t got, off;
	int hit = 0;

	while ((got = read(fd, ev, sizeof(ev))) > 0) {
		for (off = 0; off + (ssize_t)sizeof(*ie) <= got;
		    off += (ssize_t)sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)(ev + off);
			if (wd == -1)
				continue;
			if (ie->mask & IN_Q_OVERFLOW)
				hit = 1;
			else if (ie->wd == wd && !(ie->mask & IN_IGNORED) &&
			    ie->len > 0 && strcmp(ie->name, name) == 0)
				hit = 1;
		}
	}
	return hit;
}

/*
 * store_wait with inotify on the @v directory of path (whose last element
 * is name): 1 when name already exists (nothing waited), 0 when it was
 * created or the time ran out, -1 when the directory cannot be watched
 * (the caller sleeps).  A watch of this process's instance, removed
 * after.
 */
static int
store_wait_inotify(const char *path, const char *name, long us)
{
	char dir[STORE_PATH_MAX];
	struct timespec deadline, ts;
	struct pollfd p;
	struct stat st;
	size_t n = (size_t)(name - path) - 1;
	long left;
	int fd, wd, rc = 0;

	if (n >= sizeof(dir))
		return -1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	if ((fd = store_inotify()) == -1)
		return -1;
	/* What an earlier wait left queued is not about this one. */
	store_inotify_read(fd, -1, name);
	if ((wd = inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO |
	    IN_ONLYDIR)) == -1)
		return -1;
	/* Watched from here on: a file made before is seen by stat. */
	if (stat(path, &st) == 0) {
		inotify_rm_watch(fd, wd);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += us / 1000000;
	deadline.tv_nsec += (us % 1000000) * 1000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	p.fd = fd;
	p.events = POLLIN;
	while (rc == 0 && (left = store_left_us(&deadline)) > 0) {
		ts.tv_sec = left / 1000000;
		ts.tv_nsec = (left % 1000000) * 1000L;
		if (ppoll(&p, 1, &ts, NULL) <= 0)
			continue;	/* timeout (the loop ends) or EINTR */
		rc = store_inotify_read(fd, wd, name);
	}
	/* Fails (EINVAL) when the directory went and took the watch along:
	 * nothing to remove then. */
	inotify_rm_watch(fd, wd);
	return 0;
}
#endif

int
store_wait(const struct store *s, const char *emod, const char *ever,
    enum artifact a, long us)
{
#ifdef __linux__
	char path[STORE_PATH_MAX];
	const char *name;
	int rc;

	if (us <= 0)
		return 0;
	if (store_path(s, emod, ever, a, path, sizeof(path)) == 0 &&
	    (name = strrchr(path, '/')) != NULL &&
	    (rc = store_wait_inotify(path, name + 1, us)) != -1)
		return rc;
#else
	(void)s;
	(void)emod;
	(void)ever;
	(void)a;
	if (us <= 0)
		return 0;
#endif
	store_sleep(us);
	return 0;
}

/* One file of a @v directory while store_versions collects them. */
struct store_file {
	char		ever[VERSION_MAX];
	enum artifact	art;
};

static int
store_file_cmp(const void *a, const void *b)
{
	const struct store_file *fa = a, *fb = b;

	return strcmp(fa->ever, fb->ever);
}

/* The artifact whose extension ends name (length *len, shortened), or -1. */
static int
store_classify(const char *name, size_t *len)
{
	size_t extlen;
	int a;

	for (a = 0; a <= ART_ZIP; a++) {
		extlen = strlen(store_exts[a]);
		if (*len > extlen && *len - extlen < VERSION_MAX &&
		    strcmp(name + *len - extlen, store_exts[a]) == 0) {
			*len -= extlen;
			return a;
		}
	}
	return -1;
}

int
store_versions(const struct store *s, const char *emod,
    struct store_version **out, size_t *n, struct err *e)
{
	char dir[STORE_PATH_MAX];
	struct store_file *f = NULL;
	struct store_version *v;
	size_t nf = 0, cap = 0, nv = 0, i, len;
	struct dirent *de;
	DIR *d;
	int a;

	*out = NULL;
	*n = 0;
	if (store_clean_rel(emod) == -1 ||
	    (size_t)snprintf(dir, sizeof(dir), "%s/%s/@v", s->root, emod) >=
	    sizeof(dir))
		return err_set(e, E_NOTFOUND, "no such module");
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return err_set(e, E_NOTFOUND, "no such module");
		return err_errno(e, E_UNAVAIL, "open %s", dir);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		len = strlen(de->d_name);
		if ((a = store_classify(de->d_name, &len)) == -1)
			continue;
		if (nf == cap) {
			cap = cap ? cap * 2 : 32;
			f = xreallocarray(f, cap, sizeof(*f));
		}
		memcpy(f[nf].ever, de->d_name, len);
		f[nf].ever[len] = '\0';
		f[nf].art = (enum artifact)a;
		nf++;
	}
	closedir(d);
	if (nf > 1)
		qsort(f, nf, sizeof(*f), store_file_cmp);
	/* Merge the (up to three) files of each version. */
	v = xcalloc(nf ? nf : 1, sizeof(*v));
	for (i = 0; i < nf; i++) {
		if (nv == 0 || strcmp(v[nv - 1].ever, f[i].ever) != 0)
			memcpy(v[nv++].ever, f[i].ever, sizeof(f[i].ever));
		if (f[i].art == ART_INFO)
			v[nv - 1].has_info = 1;
		else if (f[i].art == ART_MOD)
			v[nv - 1].has_mod = 1;
		else
			v[nv - 1].has_zip = 1;
	}
	free(f);
	*out = v;
	*n = nv;
	return 0;
}

/*
 * Walk dir (root-relative rel, "" for the root) at depth; every directory
 * that holds an "@v" directory is a module.  Iterative over entries,
 * recursive over depth (bounded by STORE_WALK_DEPTH).
 */
static int
store_walk_dir(const struct store *s, char *rel, size_t rellen, int depth,
    store_walk_fn *fn, void *arg, struct err *e)
{
	char path[STORE_PATH_MAX];
	struct dirent *de;
	struct stat st;
	size_t nlen;
	DIR *d;
	int rc = 0;

	if (depth > STORE_WALK_DEPTH)
		return 0;
	snprintf(path, sizeof(path), "%s%s%s", s->root, rellen ? "/" : "",
	    rel);
	if ((d = opendir(path)) == NULL)
		return err_errno(e, E_UNAVAIL, "open %s", path);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		nlen = strlen(de->d_name);
		if (rellen + 1 + nlen + 1 >= MODPATH_MAX)
			continue;
		snprintf(path, sizeof(path), "%s%s%s/%s", s->root,
		    rellen ? "/" : "", rel, de->d_name);
		if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode))
			continue;
		if (strcmp(de->d_name, "@v") == 0) {
			if (rellen > 0)
				rc = fn(rel, arg);
			continue;
		}
		if (rellen)
			rel[rellen] = '/';
		memcpy(rel + rellen + (rellen ? 1 : 0), de->d_name, nlen + 1);
		rc = store_walk_dir(s, rel, rellen + (rellen ? 1 : 0) + nlen,
		    depth + 1, fn, arg, e);
		rel[rellen] = '\0';
	}
	closedir(d);
	return rc;
}

int
store_walk(const struct store *s, store_walk_fn *fn, void *arg,
    struct err *e)
{
	char rel[MODPATH_MAX];

	rel[0] = '\0';
	return store_walk_dir(s, rel, 0, 0, fn, arg, e);
}

int
store_sweep_tmp(const struct store *s, long max_age)
{
	char path[STORE_PATH_MAX];
	time_t now = time(NULL);
	struct dirent *de;
	struct stat st;
	DIR *d;
	int n = 0;

	if ((d = opendir(s->tmp)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "piraeus-", 8) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->tmp, de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    now - st.st_mtime > max_age && unlink(path) == 0)
			n++;
	}
	closedir(d);
	if (n > 0)
		log_info("removed %d stale temporary files from %s", n, s->tmp);
	return n;
}

int
store_check_tmp(const struct store *s, struct err *e)
{
	struct stat rs, ts;

	if (stat(s->root, &rs) == -1)
		return err_errno(e, E_UNAVAIL, "storage root %s", s->root);
	if (stat(s->tmp, &ts) == -1) {
		if (errno == ENOENT)
			return 0;	/* made in the root when first needed */
		return err_errno(e, E_UNAVAIL, "%s", s->tmp);
	}
	if (!S_ISDIR(ts.st_mode))
		return err_set(e, E_CONFIG, "%s is not a directory", s->tmp);
	/* rename(2) and link(2) into the tree work within one file system
	 * only: a .tmp mounted apart would make every publish fail. */
	if (ts.st_dev != rs.st_dev)
		return err_set(e, E_CONFIG, "%s is on another file system than "
		    "the storage root %s (publishing links and renames its "
		    "files into the tree)", s->tmp, s->root);
	return 0;
}

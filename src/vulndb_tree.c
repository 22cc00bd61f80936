/*
 * vulndb_tree.c: the vulnerability database mirror on disk, switched
 * whole.
 *
 *   ROOT/vulndb           a symbolic link to .vulndb/gN: what the web
 *                         server serves at /vulndb/
 *   ROOT/.vulndb/gN       one generation: index/, ID/, the legacy files
 *   ROOT/.vulndb/lock     held (flock) by the one sync or import at work
 *   ROOT/.vulndb/import.PID  an import's tarball, extracted (under the
 *                         lock)
 *
 * A sync writes a new generation beside the current one (files it did
 * not change are hard links to the current generation's), syncs the file
 * system, then switches the link with rename(2) of a new link over it: a
 * client sees the old set or the new set, never a mix, never an index
 * naming an entry that is not there yet.  The generation before stays
 * until the next switch (a client in the middle of reading it finishes),
 * older ones are removed.  A run killed leaves its new generation and
 * its import.PID: the next one removes them, under the lock, before it
 * begins.  Nothing here knows what the files mean.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"

#define VULNDB_TREE_DIR		".vulndb"
#define VULNDB_TREE_LINK	"vulndb"
#define VULNDB_TREE_FDS		16	/* nftw's open directories */
#define VULNDB_TREE_PATH	(2 * VULNDB_PATH_MAX + 512)	/* local paths */
#define VULNDB_TREE_GEN_MAX	12	/* "g" and the digits of a number */
#define VULNDB_TREE_TARGET_MAX	64	/* the link's target: .vulndb/gN */

/* n (>= 1) when name is "g<digits>" (a generation's), else 0. */
static long
vulndb_tree_genno(const char *name)
{
	long n = 0;
	const char *p;

	if (name[0] != 'g' || name[1] == '\0' || strlen(name) > VULNDB_TREE_GEN_MAX)
		return 0;
	for (p = name + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		n = n * 10 + (*p - '0');
	}
	return n;
}

/* nftw's callback for vulndb_tree_rm: each file, then its directory. */
static int
vulndb_tree_rm1(const char *path, const struct stat *st, int type,
    struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_DP)
		return rmdir(path) == -1 && errno != ENOENT ? -1 : 0;
	return unlink(path) == -1 && errno != ENOENT ? -1 : 0;
}

/* Remove the tree at path (symbolic links not followed): 0 or -1. */
int
vulndb_tree_rm(const char *path)
{
	return nftw(path, vulndb_tree_rm1, VULNDB_TREE_FDS,
	    FTW_DEPTH | FTW_PHYS);
}

/*
 * Remove the generation (or scratch directory) at path: its
 * index/db.json first, so that a reader in the middle of it (vulnview.c)
 * sees a generation gone, never one whose entries are missing; then the
 * rest.  0 or -1 (errno).
 */
static int
vulndb_tree_rm_gen(const char *path)
{
	char db[VULNDB_TREE_PATH];

	if ((size_t)snprintf(db, sizeof(db), "%s/index/db.json", path) <
	    sizeof(db) && unlink(db) == -1 && errno != ENOENT)
		return -1;
	return vulndb_tree_rm(path);
}

int
vulndb_tree_current(const char *root, char *out, size_t outsz,
    struct err *e)
{
	char link[VULNDB_TREE_PATH], target[VULNDB_TREE_TARGET_MAX];
	ssize_t n;
	struct stat st;

	out[0] = '\0';
	snprintf(link, sizeof(link), "%s/%s", root, VULNDB_TREE_LINK);
	if (lstat(link, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		return err_errno(e, E_UNAVAIL, "%s", link);
	}
	if (!S_ISLNK(st.st_mode) ||
	    (n = readlink(link, target, sizeof(target) - 1)) == -1)
		return err_set(e, E_CONFIG, "%s exists and is not the link "
		    "piraeus vulndb keeps (move it away)", link);
	target[n] = '\0';
	if (strncmp(target, VULNDB_TREE_DIR "/", sizeof(VULNDB_TREE_DIR)) != 0
	    || vulndb_tree_genno(target + sizeof(VULNDB_TREE_DIR)) == 0)
		return err_set(e, E_CONFIG, "%s points to %.60s, not to a "
		    "generation of %s/%s", link, target, root, VULNDB_TREE_DIR);
	if ((size_t)snprintf(out, outsz, "%s/%s", root, target) >= outsz)
		return err_set(e, E_INTERNAL, "%s: path too long", root);
	return 0;
}

/* The highest generation number in ROOT/.vulndb, 0 when none. */
static long
vulndb_tree_last(const char *dir)
{
	struct dirent *de;
	long n, max = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if ((n = vulndb_tree_genno(de->d_name)) > max)
			max = n;
	closedir(d);
	return max;
}

/*
 * Under the lock: remove what a run killed left in dir (ROOT/.vulndb):
 * every import.*, link.tmp, and every generation after cur (the one
 * served; 0 when none), which nothing ever served.
 */
static void
vulndb_tree_clean(const char *dir, long cur)
{
	char path[VULNDB_TREE_PATH];
	struct dirent *de;
	long n;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		n = vulndb_tree_genno(de->d_name);
		if (n <= cur && strncmp(de->d_name, "import.", 7) != 0 &&
		    strcmp(de->d_name, "link.tmp") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		log_info("vulndb: removing %s (left by a run that died)",
		    path);
		if (strcmp(de->d_name, "link.tmp") == 0 ?
		    unlink(path) == -1 && errno != ENOENT :
		    vulndb_tree_rm_gen(path) == -1)
			log_warn("vulndb: remove %s", path);
	}
	closedir(d);
}

int
vulndb_tree_begin(struct vulndb_gen *g, const char *root, struct err *e)
{
	char dir[VULNDB_PATH_MAX + 16], lock[VULNDB_TREE_PATH];

	memset(g, 0, sizeof(*g));
	g->lockfd = -1;
	if (strlen(root) >= VULNDB_PATH_MAX - 64)
		return err_set(e, E_CONFIG, "%.100s...: path too long", root);
	snprintf(g->root, sizeof(g->root), "%s", root);
	snprintf(dir, sizeof(dir), "%s/%s", g->root, VULNDB_TREE_DIR);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return err_errno(e, E_UNAVAIL, "mkdir %s", dir);
	snprintf(lock, sizeof(lock), "%s/lock", dir);
	if ((g->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644)) == -1)
		return err_errno(e, E_UNAVAIL, "open %s", lock);
	if (flock(g->lockfd, LOCK_EX | LOCK_NB) == -1) {
		close(g->lockfd);
		g->lockfd = -1;
		g->busy = 1;
		return err_set(e, E_UNAVAIL, "another vulndb sync or import "
		    "holds %s", lock);
	}
	if (vulndb_tree_current(root, g->prev, sizeof(g->prev), e) == -1)
		goto fail;
	vulndb_tree_clean(dir, g->prev[0] == '\0' ? 0 :
	    vulndb_tree_genno(strrchr(g->prev, '/') + 1));
	g->no = vulndb_tree_last(dir) + 1;
	if ((size_t)snprintf(g->scratch, sizeof(g->scratch), "%s/import.%ld",
	    dir, (long)getpid()) >= sizeof(g->scratch)) {
		g->scratch[0] = '\0';
		err_set(e, E_INTERNAL, "%s: path too long", dir);
		goto fail;
	}
	if ((size_t)snprintf(g->dir, sizeof(g->dir), "%s/g%ld", dir, g->no) >=
	    sizeof(g->dir)) {
		err_set(e, E_INTERNAL, "%s: path too long", dir);
		goto fail;
	}
	if (mkdir(g->dir, 0755) == -1) {
		err_errno(e, E_UNAVAIL, "mkdir %s", g->dir);
		g->dir[0] = '\0';
		goto fail;
	}
	return 0;
fail:
	vulndb_tree_abort(g);
	return -1;
}

/* Make the directories of rel below the generation (rel is clean). */
static int
vulndb_tree_mkdirs(const struct vulndb_gen *g, const char *rel, struct err *e)
{
	char path[VULNDB_TREE_PATH];
	size_t base = strlen(g->dir) + 1;
	char *p;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", g->dir, rel) >=
	    sizeof(path))
		return err_set(e, E_INTERNAL, "%.100s: path too long", rel);
	for (p = path + base; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return err_errno(e, E_UPSTREAM, "mkdir %s", path);
		*p = '/';
	}
	return 0;
}

int
vulndb_tree_put(const struct vulndb_gen *g, const char *rel, const void *p,
    size_t n, struct err *e)
{
	char path[VULNDB_TREE_PATH];
	int fd;

	if (vulndb_tree_mkdirs(g, rel, e) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", g->dir, rel);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1)
		return err_errno(e, errno == EEXIST || errno == ENOTDIR ||
		    errno == EISDIR ? E_UPSTREAM : E_UNAVAIL, "create %s", path);
	if (buf_write_all(fd, p, n) == -1) {
		err_errno(e, E_UNAVAIL, "write %s", path);
		close(fd);
		return -1;
	}
	if (close(fd) == -1)
		return err_errno(e, E_UNAVAIL, "close %s", path);
	return 0;
}

int
vulndb_tree_link(const struct vulndb_gen *g, const char *rel, struct err *e)
{
	char from[VULNDB_TREE_PATH], to[VULNDB_TREE_PATH];
	struct stat st;

	if (g->prev[0] == '\0')
		return err_set(e, E_NOTFOUND, "no previous generation");
	snprintf(from, sizeof(from), "%s/%s", g->prev, rel);
	snprintf(to, sizeof(to), "%s/%s", g->dir, rel);
	if (lstat(from, &st) == -1 || !S_ISREG(st.st_mode))
		return err_set(e, E_NOTFOUND, "%s: not a file", from);
	if (vulndb_tree_mkdirs(g, rel, e) == -1)
		return -1;
	if (link(from, to) == -1)
		return err_errno(e, E_UNAVAIL, "link %s", to);
	return 0;
}

/* Remove every generation but the new one and the one before it. */
static void
vulndb_tree_prune(const struct vulndb_gen *g, long keep)
{
	char dir[VULNDB_PATH_MAX + 16], path[VULNDB_TREE_PATH];
	struct dirent *de;
	long n;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", g->root, VULNDB_TREE_DIR);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		n = vulndb_tree_genno(de->d_name);
		if (n == 0 || n == g->no || n == keep)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (vulndb_tree_rm_gen(path) == -1)
			log_warn("vulndb: remove %s", path);
	}
	closedir(d);
}

int
vulndb_tree_commit(struct vulndb_gen *g, struct err *e)
{
	char tmp[VULNDB_TREE_PATH], link[VULNDB_TREE_PATH];
	char target[VULNDB_TREE_TARGET_MAX];
	const char *slash;
	long keep = 0;
	int fd;

	if ((fd = open(g->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return err_errno(e, E_UNAVAIL, "open %s", g->dir);
	if (syncfs(fd) == -1) {
		close(fd);
		return err_errno(e, E_UNAVAIL, "syncfs %s", g->dir);
	}
	close(fd);
	snprintf(target, sizeof(target), "%s/g%ld", VULNDB_TREE_DIR, g->no);
	snprintf(tmp, sizeof(tmp), "%s/%s/link.tmp", g->root, VULNDB_TREE_DIR);
	snprintf(link, sizeof(link), "%s/%s", g->root, VULNDB_TREE_LINK);
	if ((unlink(tmp) == -1 && errno != ENOENT) ||
	    symlink(target, tmp) == -1)
		return err_errno(e, E_UNAVAIL, "symlink %s", tmp);
	if (rename(tmp, link) == -1) {
		err_errno(e, E_UNAVAIL, "rename %s to %s", tmp, link);
		unlink(tmp);
		return -1;
	}
	if ((fd = open(g->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	if (g->prev[0] != '\0' && (slash = strrchr(g->prev, '/')) != NULL)
		keep = vulndb_tree_genno(slash + 1);
	vulndb_tree_prune(g, keep);
	g->dir[0] = '\0';	/* published: no longer ours to remove */
	vulndb_tree_abort(g);
	return 0;
}

void
vulndb_tree_abort(struct vulndb_gen *g)
{
	struct stat st;

	if (g->scratch[0] != '\0' && lstat(g->scratch, &st) == 0 &&
	    vulndb_tree_rm(g->scratch) == -1)
		log_warn("vulndb: remove %s", g->scratch);
	g->scratch[0] = '\0';
	if (g->dir[0] != '\0' && vulndb_tree_rm_gen(g->dir) == -1)
		log_warn("vulndb: remove %s", g->dir);
	g->dir[0] = '\0';
	if (g->lockfd != -1)
		close(g->lockfd);
	g->lockfd = -1;
}

/* Remove rel from the new generation (a link made for an entry whose
 * other half could not be linked: it is got again): 0 (also when it is
 * not there), or -1 and e. */
int
vulndb_tree_unlink(const struct vulndb_gen *g, const char *rel,
    struct err *e)
{
	char path[VULNDB_TREE_PATH];

	snprintf(path, sizeof(path), "%s/%s", g->dir, rel);
	if (unlink(path) == -1 && errno != ENOENT)
		return err_errno(e, E_UNAVAIL, "unlink %s", path);
	return 0;
}

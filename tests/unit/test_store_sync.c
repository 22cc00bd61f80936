/*
 * test_store_sync.c: what store_publish and store_tmpfile ask of the file
 * system, in order.  This program defines fsync, rename, link and mkdir
 * itself (the store's calls bind to these, which log the call and do it
 * with fsync's system call, renameat, linkat, mkdirat), so the checks see
 * every call: each new file's bytes are fsynced before a name points to
 * them, the .zip and .mod are placed (linked) and their directory fsynced
 * before the .info is placed, the .info's placing is fsynced too; the
 * .zip is placed right after its own fsync (not after all three); three
 * files cost five fsyncs (one directory fsync for .zip and .mod together),
 * and no mkdir is tried where the directories exist.
 */
#include "config.h"

#include <sys/syscall.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"
#include "teststore.h"

#define LOG_MAX	64

/* The calls seen: "fsync PATH", "place FROM TO" (a rename, or the link
 * store_publish puts a file at its name with), "mkdir PATH". */
static char	 calls[LOG_MAX][PATH_MAX * 2 + 16];
static int	 ncalls;

static void
logcall(const char *what, const char *a, const char *b)
{
	if (ncalls < LOG_MAX)
		snprintf(calls[ncalls++], sizeof(calls[0]), "%s %s%s%s", what,
		    a, b ? " " : "", b ? b : "");
}

int
fsync(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) < 0)
		n = 0;
	path[n] = '\0';
	logcall("fsync", path, NULL);
	return (int)syscall(SYS_fsync, fd);
}

int
rename(const char *from, const char *to)
{
	logcall("place", from, to);
	return renameat(AT_FDCWD, from, AT_FDCWD, to);
}

int
link(const char *from, const char *to)
{
	logcall("place", from, to);
	return linkat(AT_FDCWD, from, AT_FDCWD, to, 0);
}

int
mkdir(const char *path, mode_t mode)
{
	logcall("mkdir", path, NULL);
	return mkdirat(AT_FDCWD, path, mode);
}

/* The index of the first call starting with prefix, from 'from'; -1. */
static int
find(const char *prefix, int from)
{
	int i;

	for (i = from; i < ncalls; i++)
		if (strncmp(calls[i], prefix, strlen(prefix)) == 0)
			return i;
	return -1;
}

static int
count(const char *prefix)
{
	int i, n = 0;

	for (i = 0; i < ncalls; i++)
		n += strncmp(calls[i], prefix, strlen(prefix)) == 0;
	return n;
}

static void
dump(void)
{
	int i;

	for (i = 0; i < ncalls; i++)
		printf("#   %s\n", calls[i]);
}

int
main(void)
{
	char root[PATH_MAX], dir[PATH_MAX + 32], want[PATH_MAX * 3];
	char *info, *mod, *zip, *mod2;
	int fi, fm, fz, ri, rm, rz, d1, d2;
	struct store s;
	struct err e;

	snprintf(root, sizeof(root), "%s/test_store_sync.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	err_clear(&e);
	ok(store_open(&s, root, &e) == 0, "open");
	/* The first temporary file makes .tmp; later ones do not try. */
	zip = tmpwith(&s, "zip");
	mod = tmpwith(&s, "module example.com/m\n");
	ncalls = 0;
	info = tmpwith(&s, "{\"Version\":\"v1.0.0\"}");
	ok(zip != NULL && mod != NULL && info != NULL, "temporary files");
	if (!ok(count("mkdir") == 0, "no mkdir of an existing .tmp"))
		dump();

	ncalls = 0;
	ok(store_publish(&s, "example.com/m", "v1.0.0", info, mod, zip,
	    &e) == 0, "publish three files");
	snprintf(dir, sizeof(dir), "%s/example.com/m/@v", root);
	snprintf(want, sizeof(want), "fsync %s", zip);
	fz = find(want, 0);
	snprintf(want, sizeof(want), "fsync %s", mod);
	fm = find(want, 0);
	snprintf(want, sizeof(want), "fsync %s", info);
	fi = find(want, 0);
	snprintf(want, sizeof(want), "place %s ", zip);
	rz = find(want, 0);
	snprintf(want, sizeof(want), "place %s ", mod);
	rm = find(want, 0);
	snprintf(want, sizeof(want), "place %s ", info);
	ri = find(want, 0);
	snprintf(want, sizeof(want), "fsync %s", dir);
	ok(fz >= 0 && fm >= 0 && fi >= 0 && rz >= 0 && rm >= 0 && ri >= 0,
	    "each file fsynced and renamed");
	ok(fz < rz && fm < rm && fi < ri, "each file's bytes fsynced before "
	    "it is renamed");
	/* The .zip (asked right after the .info) is placed after one fsync. */
	ok(rz < fm && rz < fi, "the .zip placed as soon as its own bytes are "
	    "durable, before the others' fsyncs");
	/* The @v directory: durable with .zip and .mod before the .info. */
	d1 = find(want, rz > rm ? rz : rm);
	ok(d1 > rz && d1 > rm && d1 < ri, "the directory fsynced after the "
	    ".zip and .mod renames, before the .info's");
	d2 = find(want, ri);
	ok(d2 > ri, "and again after the .info's rename");
	if (!ok(count("fsync") == 5, "three files: five fsyncs (one of the "
	    "directory for .zip and .mod)"))
		dump();
	/* example.com, m and @v, once, when the first rename finds none */
	if (!ok(count("mkdir") == 3, "a new module: its three directories "
	    "made once"))
		dump();

	/* A .mod of another version of the same module: no mkdir. */
	mod2 = tmpwith(&s, "module example.com/m\n");
	ncalls = 0;
	ok(store_publish(&s, "example.com/m", "v1.1.0", NULL, mod2, NULL,
	    &e) == 0, "publish a .mod alone");
	snprintf(want, sizeof(want), "fsync %s", mod2);
	fm = find(want, 0);
	snprintf(want, sizeof(want), "place %s ", mod2);
	rm = find(want, 0);
	snprintf(want, sizeof(want), "fsync %s", dir);
	d1 = find(want, 0);
	ok(fm >= 0 && fm < rm && rm < d1, ".mod: fsync, rename, directory "
	    "fsync, in that order");
	ok(count("fsync") == 2, ".mod alone: two fsyncs");
	if (!ok(count("mkdir") == 0, "no mkdir below an existing @v"))
		dump();

	free(info);
	free(mod);
	free(zip);
	free(mod2);
	store_close(&s);
	snprintf(want, sizeof(want), "rm -rf '%s'", root);
	if (system(want) != 0)
		printf("# could not remove %s\n", root);
	return tap_done();
}

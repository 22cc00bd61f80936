/*
 * test_store.c: the storage tree: paths never leave the root, atomic
 * publish in order with nothing left in .tmp, immutability, version
 * listing and the module walk; store_wait returns when the file it waits
 * for is placed by another process, not after its whole time, within a
 * few milliseconds of the placing, with one inotify instance for all the
 * waits of the process.
 */
#include "config.h"

#include <sys/inotify.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"
#include "teststore.h"

static char root[PATH_MAX];

/*
 * A second publisher racing in: when armed, the next file placed at a
 * name ending ".zip" (by rename or link: this program defines both, and
 * the store's calls bind to these) finds that name just taken by other
 * bytes, as when two publishers both passed the "stored already?" check.
 */
static int	 race_armed;

static void
race(const char *to)
{
	size_t n = strlen(to);
	FILE *f;

	if (!race_armed || n < 4 || strcmp(to + n - 4, ".zip") != 0)
		return;
	/* (Armed until its directory exists: a new version's first try
	 * finds it missing.) */
	if ((f = fopen(to, "w")) != NULL) {
		fputs("the other publisher's zip", f);
		fclose(f);
		race_armed = 0;
	}
}

int
rename(const char *from, const char *to)
{
	race(to);
	return renameat(AT_FDCWD, from, AT_FDCWD, to);
}

int
link(const char *from, const char *to)
{
	race(to);
	return linkat(AT_FDCWD, from, AT_FDCWD, to, 0);
}

static void
put(const char *rel, const char *content)
{
	char path[PATH_MAX * 2], dir[PATH_MAX * 2], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (p = dir + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs(content, f);
	fclose(f);
}

static int
count_tmp(const struct store *s)
{
	char cmd[PATH_MAX + 64];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "find '%s' -type f | wc -l", s->tmp);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void
test_paths(struct store *s)
{
	static const struct {
		const char	*emod, *ever;
		int		 rc;
	} cases[] = {
		{ "example.com/m", "v1.0.0", 0 },
		{ "example.com/!m", "v1.0.0-!r!c1", 0 },
		{ "../etc", "v1.0.0", -1 },
		{ "example.com/../../etc", "v1.0.0", -1 },
		{ "/etc", "v1.0.0", -1 },
		{ "example.com//m", "v1.0.0", -1 },
		{ "example.com/m/", "v1.0.0", -1 },
		{ "", "v1.0.0", -1 },
		{ ".tmp", "v1.0.0", -1 },
		{ "example.com/m", "../x", -1 },
		{ "example.com/m", "", -1 },
		{ "example.com/m", ".hidden", -1 },
	};
	char path[PATH_MAX], want[PATH_MAX * 2];
	size_t i;

	for (i = 0; i < NITEMS(cases); i++) {
		is_int(store_path(s, cases[i].emod, cases[i].ever, ART_ZIP,
		    path, sizeof(path)), cases[i].rc, cases[i].emod);
		if (cases[i].rc == 0) {
			snprintf(want, sizeof(want), "%s/%s/@v/%s.zip", root,
			    cases[i].emod, cases[i].ever);
			is_str(path, want, "path layout");
		}
	}
	is_int(store_path(s, "example.com/m", "v1.0.0", ART_INFO, path, 10),
	    -1, "too small a buffer is refused");
}

/* store_rel: only root/<clean path> is below the root; the part
 * returned is the path's own tail. */
static void
test_rel(struct store *s)
{
	static const struct {
		const char	*tail;	/* appended to the root */
		const char	*rel;	/* NULL: refused */
	} cases[] = {
		{ "/example.com/m/@v/v1.0.0.zip", "example.com/m/@v/v1.0.0.zip" },
		{ "/example.com/!m/@v/v3.0.0+incompatible.info",
		  "example.com/!m/@v/v3.0.0+incompatible.info" },
		{ "", NULL },
		{ "/", NULL },
		{ "x/example.com/m/@v/v1.0.0.zip", NULL },	/* rootx/... */
		{ "/../etc/passwd", NULL },
		{ "/example.com/../../etc/passwd", NULL },
		{ "/./example.com/m/@v/v1.0.0.zip", NULL },
		{ "/.tmp/piraeus.abc", NULL },
		{ "/example.com/.tmp/x.zip", NULL },
		{ "//example.com/m/@v/v1.0.0.zip", NULL },
		{ "/example.com//m/@v/v1.0.0.zip", NULL },
		{ "/example.com/m/@v/", NULL },
	};
	char path[PATH_MAX * 2], name[128];
	const char *rel;
	size_t i;

	for (i = 0; i < NITEMS(cases); i++) {
		snprintf(path, sizeof(path), "%s%s", root, cases[i].tail);
		snprintf(name, sizeof(name), "store_rel refuses root + \"%s\"",
		    cases[i].tail);
		rel = store_rel(s, path);
		if (cases[i].rel == NULL)
			ok(rel == NULL, name);
		else
			is_str(rel != NULL ? rel : "(null)", cases[i].rel,
			    "store_rel: the part below the root");
	}
	ok(store_rel(s, "/etc/passwd") == NULL,
	    "store_rel refuses a path elsewhere");
}

static void
test_publish(struct store *s)
{
	char *ti, *tm, *tz, path[PATH_MAX];
	struct stat sti, stm, stz;
	struct err e;

	ti = tmpwith(s, "{\"Version\":\"v1.0.0\"}");
	tm = tmpwith(s, "module example.com/p\n");
	tz = tmpwith(s, "PK zip bytes");
	ok(ti && tm && tz, "temporary files made");
	is_int(count_tmp(s), 3, "three files in .tmp");
	err_clear(&e);
	is_int(store_publish(s, "example.com/p", "v1.0.0", ti, tm, tz, &e), 0,
	    "publish");
	is_int(count_tmp(s), 0, ".tmp is empty after publish");
	store_path(s, "example.com/p", "v1.0.0", ART_INFO, path, sizeof(path));
	ok(stat(path, &sti) == 0, ".info published");
	store_path(s, "example.com/p", "v1.0.0", ART_MOD, path, sizeof(path));
	ok(stat(path, &stm) == 0, ".mod published");
	store_path(s, "example.com/p", "v1.0.0", ART_ZIP, path, sizeof(path));
	ok(stat(path, &stz) == 0, ".zip published");
	ok(sti.st_ctim.tv_sec > stz.st_ctim.tv_sec ||
	    (sti.st_ctim.tv_sec == stz.st_ctim.tv_sec &&
	    sti.st_ctim.tv_nsec >= stz.st_ctim.tv_nsec), ".info after .zip");
	free(ti);
	free(tm);
	free(tz);

	/* Same bytes again: accepted, nothing changes. */
	ti = tmpwith(s, "{\"Version\":\"v1.0.0\"}");
	err_clear(&e);
	is_int(store_publish(s, "example.com/p", "v1.0.0", ti, NULL, NULL, &e),
	    0, "republishing identical bytes is fine");
	is_int(count_tmp(s), 0, "and leaves nothing in .tmp");
	free(ti);
	/* A .info spelled differently (as a module cache or another proxy
	 * spells it): no conflict, and the stored one stays. */
	ti = tmpwith(s, "{\"Version\": \"v1.0.0\", \"Time\": \"x\"}");
	err_clear(&e);
	is_int(store_publish(s, "example.com/p", "v1.0.0", ti, NULL, NULL, &e),
	    0, "a differently spelled .info is no conflict");
	is_int(count_tmp(s), 0, "the new one is dropped from .tmp");
	store_path(s, "example.com/p", "v1.0.0", ART_INFO, path, sizeof(path));
	{
		char got[64] = "";
		FILE *f = fopen(path, "r");

		if (f != NULL) {
			got[fread(got, 1, sizeof(got) - 1, f)] = '\0';
			fclose(f);
		}
		is_str(got, "{\"Version\":\"v1.0.0\"}", "the stored .info stays");
	}
	free(ti);
	/* A stored .mod and a different one with a new zip: nothing moves
	 * (never a zip without the rest). */
	tm = tmpwith(s, "module example.com/q\n");
	err_clear(&e);
	is_int(store_publish(s, "example.com/q", "v1.0.0", NULL, tm, NULL, &e),
	    0, "a .mod alone");
	free(tm);
	ti = tmpwith(s, "{\"Version\":\"v1.0.0\"}");
	tm = tmpwith(s, "module example.com/q // other\n");
	tz = tmpwith(s, "PK zip bytes");
	err_clear(&e);
	is_int(store_publish(s, "example.com/q", "v1.0.0", ti, tm, tz, &e), -1,
	    "a .mod that differs from the stored one refuses the version");
	is_int(e.code, E_UPSTREAM, "as upstream's fault");
	store_path(s, "example.com/q", "v1.0.0", ART_ZIP, path, sizeof(path));
	ok(stat(path, &stz) == -1, "and its zip was not published first");
	store_path(s, "example.com/q", "v1.0.0", ART_INFO, path, sizeof(path));
	ok(stat(path, &sti) == -1, "nor its .info");
	unlink(ti);
	unlink(tm);
	unlink(tz);
	free(ti);
	free(tm);
	free(tz);
	/* Two publishers of one version, both past the check: the second
	 * never replaces the first's file, and the version is refused. */
	ti = tmpwith(s, "{\"Version\":\"v1.0.0\"}");
	tm = tmpwith(s, "module example.com/race\n");
	tz = tmpwith(s, "our zip");
	race_armed = 1;
	err_clear(&e);
	is_int(store_publish(s, "example.com/race", "v1.0.0", ti, tm, tz, &e),
	    -1, "a zip placed by another publisher meanwhile: refused");
	ok(race_armed == 0, "(the other publisher did race in)");
	store_path(s, "example.com/race", "v1.0.0", ART_ZIP, path,
	    sizeof(path));
	{
		char got[64] = "";
		FILE *f = fopen(path, "r");

		if (f != NULL) {
			got[fread(got, 1, sizeof(got) - 1, f)] = '\0';
			fclose(f);
		}
		is_str(got, "the other publisher's zip",
		    "the first publisher's zip is never overwritten");
	}
	store_path(s, "example.com/race", "v1.0.0", ART_INFO, path,
	    sizeof(path));
	ok(stat(path, &sti) == -1, "and no .info is published over it");
	unlink(ti);
	unlink(tm);
	unlink(tz);
	free(ti);
	free(tm);
	free(tz);
	ti = tmpwith(s, "x");
	err_clear(&e);
	is_int(store_publish(s, "../escape", "v1.0.0", ti, NULL, NULL, &e), -1,
	    "publish outside the root is refused");
	unlink(ti);
	free(ti);
}

static int
walk_cb(const char *emod, void *arg)
{
	char *seen = arg;

	strcat(seen, emod);
	strcat(seen, ";");
	return 0;
}

static void
test_versions_and_walk(struct store *s)
{
	struct store_version *v;
	char seen[4096] = "";
	struct err e;
	size_t n;

	put("example.com/w/@v/v1.0.0.info", "{}");
	put("example.com/w/@v/v1.0.0.mod", "m");
	put("example.com/w/@v/v1.0.0.zip", "z");
	put("example.com/w/@v/v1.1.0.mod", "m");
	put("example.com/w/@v/list", "v1.0.0\n");
	put("example.com/w/@v/v1.0.0.ziphash", "h1:x");
	put("example.com/w/@v/v1.0.0.lock", "");
	put("example.com/w/sub/@v/v0.1.0.info", "{}");
	put(".tmp/ghost/@v/v1.0.0.info", "{}");
	err_clear(&e);
	is_int(store_versions(s, "example.com/w", &v, &n, &e), 0, "versions");
	is_int(n, 2, "two versions (list, lock, ziphash ignored)");
	if (n == 2) {
		is_str(v[0].ever, "v1.0.0", "first");
		ok(v[0].has_info && v[0].has_mod && v[0].has_zip, "complete");
		is_str(v[1].ever, "v1.1.0", "second");
		ok(!v[1].has_info && v[1].has_mod && !v[1].has_zip, "mod only");
	}
	free(v);
	err_clear(&e);
	is_int(store_versions(s, "example.com/none", &v, &n, &e), -1,
	    "unknown module");
	is_int(e.code, E_NOTFOUND, "is not found");
	err_clear(&e);
	is_int(store_versions(s, "../x", &v, &n, &e), -1, "traversal refused");

	err_clear(&e);
	is_int(store_walk(s, walk_cb, seen, &e), 0, "walk");
	ok(strstr(seen, "example.com/w;") != NULL, "walk finds a module");
	ok(strstr(seen, "example.com/w/sub;") != NULL, "and a nested module");
	ok(strstr(seen, "example.com/p;") != NULL, "and a published one");
	ok(strstr(seen, "ghost") == NULL, "but nothing under .tmp");
}

static void
test_sweep(struct store *s)
{
	struct timeval tv[2] = { { 1000, 0 }, { 1000, 0 } };
	char *old_path, *new_path;
	struct err e;
	int fd;

	err_clear(&e);
	store_tmpfile(s, &old_path, &fd, &e);
	close(fd);
	store_tmpfile(s, &new_path, &fd, &e);
	close(fd);
	utimes(old_path, tv);
	is_int(store_sweep_tmp(s, 3600), 1, "sweep removes one stale file");
	ok(access(old_path, F_OK) == -1, "the old one is gone");
	ok(access(new_path, F_OK) == 0, "a fresh one (a fetch in flight) stays");
	unlink(new_path);
	free(old_path);
	free(new_path);
}

/* Seconds on the monotonic clock. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* store_wait: woken by the placing of the file (another process links
 * it 100 ms in), not after its 4 s; other names in the directory do not
 * end the wait; without a directory to watch it sleeps its time. */
static void
test_wait(struct store *s)
{
	char dir[PATH_MAX + 64], file[PATH_MAX + 96], other[PATH_MAX + 96];
	char name[128];
	double t0, t1;
	pid_t pid;
	int st, rc;

	snprintf(dir, sizeof(dir), "%s/example.com/waitmod/@v", s->root);
	snprintf(file, sizeof(file), "%s/v1.0.0.zip", dir);
	snprintf(other, sizeof(other), "%s/v1.0.0.mod", dir);
	snprintf(file, sizeof(file), "%s/example.com", s->root);
	mkdir(file, 0755);
	snprintf(file, sizeof(file), "%s/example.com/waitmod", s->root);
	mkdir(file, 0755);
	ok(mkdir(dir, 0755) == 0, "wait: the @v directory");
	snprintf(file, sizeof(file), "%s/v1.0.0.zip", dir);
	if ((pid = fork()) == 0) {
		struct timespec ts = { 0, 100000000L };
		FILE *f;

		nanosleep(&ts, NULL);
		if ((f = fopen(other, "w")) != NULL)
			fclose(f);
		nanosleep(&ts, NULL);
		if ((f = fopen(file, "w")) != NULL)
			fclose(f);
		_exit(0);
	}
	t0 = now_s();
	rc = store_wait(s, "example.com/waitmod", "v1.0.0", ART_ZIP, 4000000L);
	t1 = now_s();
	waitpid(pid, &st, 0);
	is_int(rc, 0, "wait: 0 when it waited");
	ok(access(file, F_OK) == 0, "wait: the file was placed");
	snprintf(name, sizeof(name), "wait: not ended by another name "
	    "(%.3f s)", t1 - t0);
	ok(t1 - t0 >= 0.15, name);
	snprintf(name, sizeof(name), "wait: woken when it was placed "
	    "(%.3f s, not 4)", t1 - t0);
	ok(t1 - t0 < 2.0, name);
	t0 = now_s();
	is_int(store_wait(s, "example.com/waitmod", "v1.0.0", ART_ZIP,
	    4000000L), 1, "wait: 1 when the file was there already");
	ok(now_s() - t0 < 0.5, "wait: a placed file ends it at once");
	t0 = now_s();
	is_int(store_wait(s, "example.com/nodir", "v1.0.0", ART_ZIP, 200000L),
	    0, "wait: 0 when it slept");
	t1 = now_s();
	snprintf(name, sizeof(name), "wait: no directory to watch: sleeps "
	    "its time (%.3f s)", t1 - t0);
	ok(t1 - t0 >= 0.19, name);
}

/* How many inotify instances this process made (libc's inotify_init1
 * replaced: it counts). */
static int n_inotify_init;

int
inotify_init1(int flags)
{
	n_inotify_init++;
	return (int)syscall(SYS_inotify_init1, flags);
}

/* For qsort: doubles in ascending order. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define WAKE_TRIALS	10

/*
 * The wake-up latency of store_wait: WAKE_TRIALS times another process
 * places a file 30 ms into the wait (a rename into the @v directory) and
 * sends the monotonic time just after the rename; the waiter's return is
 * that much later.  The waits of one process share one inotify instance
 * (made once: closing one costs ~10-14 ms on Linux, which each wait paid
 * after its wake-up), so the median is a few milliseconds at most.
 */
static void
test_wait_latency(struct store *s)
{
	char dir[PATH_MAX + 64], file[PATH_MAX + 128], part[PATH_MAX + 96];
	char ever[32], name[160];
	double lat[WAKE_TRIALS], placed, woke;
	int fds[2], i, st, late = 0, inits0 = n_inotify_init;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/example.com/waitmod/@v", s->root);
	for (i = 0; i < WAKE_TRIALS; i++) {
		snprintf(ever, sizeof(ever), "v1.0.%d", i + 1);
		snprintf(file, sizeof(file), "%s/%s.zip", dir, ever);
		snprintf(part, sizeof(part), "%s/.tmp/wake%d", s->root, i);
		lat[i] = 1.0;
		if (pipe(fds) == -1)
			continue;
		if ((pid = fork()) == 0) {
			struct timespec ts = { 0, 30000000L };
			FILE *f;

			close(fds[0]);
			nanosleep(&ts, NULL);
			if ((f = fopen(part, "w")) == NULL || fclose(f) != 0 ||
			    rename(part, file) == -1)
				_exit(1);
			placed = now_s();
			if (write(fds[1], &placed, sizeof(placed)) !=
			    (ssize_t)sizeof(placed))
				_exit(1);
			_exit(0);
		}
		close(fds[1]);
		store_wait(s, "example.com/waitmod", ever, ART_ZIP, 2000000L);
		woke = now_s();
		if (read(fds[0], &placed, sizeof(placed)) ==
		    (ssize_t)sizeof(placed))
			lat[i] = woke - placed;
		close(fds[0]);
		waitpid(pid, &st, 0);
		if (lat[i] > 0.005)
			late++;
	}
	qsort(lat, WAKE_TRIALS, sizeof(lat[0]), cmp_double);
	printf("# wake-up latency over %d trials: min %.2f ms, median %.2f "
	    "ms, max %.2f ms; %d later than 5 ms\n", WAKE_TRIALS,
	    lat[0] * 1e3, lat[WAKE_TRIALS / 2] * 1e3,
	    lat[WAKE_TRIALS - 1] * 1e3, late);
	snprintf(name, sizeof(name), "wake-up: %d inotify instances made by "
	    "this process for all its waits, %d new for these %d (one a "
	    "process, kept)", n_inotify_init, n_inotify_init - inits0,
	    WAKE_TRIALS);
	ok(n_inotify_init == 1, name);
	snprintf(name, sizeof(name), "wake-up: median latency %.2f ms (under "
	    "5 ms)", lat[WAKE_TRIALS / 2] * 1e3);
	ok(lat[WAKE_TRIALS / 2] < 0.005, name);
}

int
main(void)
{
	struct store s;
	struct err e;
	char tmpl[] = "/tmp/test_store.XXXXXX";
	char cmd[PATH_MAX + 16];

	if (mkdtemp(tmpl) == NULL)
		return 1;
	snprintf(root, sizeof(root), "%s", tmpl);
	err_clear(&e);
	is_int(store_open(&s, "relative", &e), -1, "relative root refused");
	err_clear(&e);
	is_int(store_open(&s, "/nonexistent/root", &e), -1,
	    "missing root refused");
	err_clear(&e);
	is_int(store_open(&s, root, &e), 0, "open");
	test_paths(&s);
	test_rel(&s);
	test_publish(&s);
	test_versions_and_walk(&s);
	test_sweep(&s);
	test_wait(&s);
	test_wait_latency(&s);
	store_close(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	return tap_done();
}

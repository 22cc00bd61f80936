/*
 * test_publish.c: publish.c on a real store and a real index (index_open
 * in a temporary state directory).
 *
 * The files land in place with the bytes that came; the index row holds
 * the zip's h1, SHA-256 and size as given (a deliberately different but
 * well-formed h1 and SHA-256 are passed: the row keeping them shows the
 * published zip was not read again); each hook is called once with that
 * row; a failing hook is logged and publish still succeeds; without an
 * index the files are still published; a second publish whose .mod
 * differs is refused (immutability) and calls no hook.
 *
 * publish_later: the caller gets its thread back while the publish waits
 * in the fsync of a new file (this program's fsync holds a store file's
 * fsync until the test opens a gate): nothing is placed and the lock is
 * still held then; once the gate opens and publish_drain returns, the
 * files are in place, the row is indexed and the lock row is gone.  Out
 * of descriptors (RLIMIT_NOFILE lowered) the thread's connection cannot
 * be opened: it declines, and the caller publishes and releases the lock
 * (no lock row left behind).  A thread that ends the process (exit)
 * is not joined by itself in publish_drain (atexit).  With hooks to run
 * it declines and leaves f alone.
 */
#include "config.h"

#include <sys/syscall.h>
#include <sys/wait.h>

#include <dlfcn.h>

#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

#define PATH_CAP	PATH_MAX
#include "testfile.h"
#include "testmod.h"

#define MOD	"example.com/Pub"
#define EMOD	"example.com/!pub"
#define GOMOD	"module example.com/Pub\n\ngo 1.20\n"
#define INFO(v)	"{\"Version\":\"" v "\",\"Time\":\"2023-01-02T03:04:05Z\"}"
/* Well-formed, and not the hashes of any zip made here. */
#define FAKE_SHA "0123456789abcdef0123456789abcdef" \
		 "0123456789abcdef0123456789abcdef"
#define FAKE_H1	"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

/* The fsync gate: while armed, the fsync of a file below a ".tmp"
 * directory writes a byte to gate_entered, then waits (5 s at most) for a
 * byte on gate_open. */
static int gate_armed;
static int gate_entered[2] = { -1, -1 }, gate_open[2] = { -1, -1 };
/* While set, that fsync ends the process instead: exit(EXIT_IN_FSYNC)
 * (the publisher thread dying of xmalloc's out-of-memory exit). */
static int exit_in_fsync;
#define EXIT_IN_FSYNC	7
/* The status of a process that joined the thread calling: the join of
 * itself (pthread_join replaced below). */
#define EXIT_JOINED_SELF 9

int fsync(int);
int pthread_join(pthread_t, void **);

/* libc's pthread_join, unless a thread joins itself: that process ends
 * with EXIT_JOINED_SELF. */
int
pthread_join(pthread_t t, void **ret)
{
	int (*real)(pthread_t, void **);

	if (pthread_equal(t, pthread_self()))
		_exit(EXIT_JOINED_SELF);
	*(void **)&real = dlsym(RTLD_NEXT, "pthread_join");
	return real != NULL ? real(t, ret) : -1;
}

int
fsync(int fd)
{
	char link[64], target[PATH_MAX];
	struct pollfd p;
	ssize_t n;
	char c = 'x';

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((__atomic_load_n(&gate_armed, __ATOMIC_SEQ_CST) ||
	    __atomic_load_n(&exit_in_fsync, __ATOMIC_SEQ_CST)) &&
	    (n = readlink(link, target, sizeof(target) - 1)) > 0) {
		target[n] = '\0';
		if (strstr(target, "/.tmp/") != NULL &&
		    __atomic_load_n(&exit_in_fsync, __ATOMIC_SEQ_CST))
			exit(EXIT_IN_FSYNC);
		if (strstr(target, "/.tmp/") != NULL) {
			if (write(gate_entered[1], &c, 1) != 1)
				return -1;
			p.fd = gate_open[0];
			p.events = POLLIN;
			if (poll(&p, 1, 5000) == 1 &&
			    read(gate_open[0], &c, 1) != 1)
				return -1;
		}
	}
	return (int)syscall(SYS_fsync, fd);
}

/* 1 when a byte comes on fd within ms milliseconds (and is read). */
static int
byte_within(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char c;

	return poll(&p, 1, ms) == 1 && read(fd, &c, 1) == 1;
}

/* What one hook saw. */
struct seen {
	int			 calls;
	int			 fail;		/* return -1 */
	struct index_version	 row;
};

static int
hook(void *arg, const struct index_version *iv, struct err *e)
{
	struct seen *s = arg;

	s->calls++;
	s->row = *iv;
	if (s->fail)
		return err_set(e, E_INTERNAL, "this hook fails");
	return 0;
}

/* Temporary files of the store holding info, mod and (zip_from, a file
 * to copy, or NULL) into f. */
static int
make_fetched(const struct store *st, struct fetched *f, const char *info,
    const char *mod, const char *zip_from)
{
	struct err e;
	unsigned char *z;
	size_t zlen;
	int fd;

	memset(f, 0, sizeof(*f));
	err_clear(&e);
	if (store_tmpfile(st, &f->info, &fd, &e) == -1)
		return -1;
	close(fd);
	if (store_tmpfile(st, &f->mod, &fd, &e) == -1)
		return -1;
	close(fd);
	if (write_file(f->info, info, strlen(info)) == -1 ||
	    write_file(f->mod, mod, strlen(mod)) == -1)
		return -1;
	if (zip_from == NULL)
		return 0;
	if (store_tmpfile(st, &f->zip, &fd, &e) == -1)
		return -1;
	close(fd);
	if ((z = read_file(zip_from, &zlen)) == NULL)
		return -1;
	if (write_file(f->zip, z, zlen) == -1) {
		free(z);
		return -1;
	}
	free(z);
	return 0;
}

/* 1 when the file at path holds exactly data[0..len). */
static int
holds(const char *path, const void *data, size_t len)
{
	unsigned char *p;
	size_t n;
	int same;

	if ((p = read_file(path, &n)) == NULL)
		return 0;
	same = n == len && memcmp(p, data, len) == 0;
	free(p);
	return same;
}

/* 1 when root/<rel> exists. */
static int
exists(const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct stat sb;

	path_join(path, root, rel);
	return stat(path, &sb) == 0;
}

int
main(void)
{
	char dir[] = "/tmp/test_publish.XXXXXX", root[PATH_MAX];
	char state[PATH_MAX], zpath[PATH_MAX], zpath2[PATH_MAX];
	char path[PATH_MAX];
	struct seen s1, s2;
	struct publish_hook hooks[2] = {
		{ "first", hook, &s1 }, { "second", hook, &s2 },
	};
	struct publish_env env;
	struct index_version iv;
	struct fetched f;
	struct store st;
	struct stat sb;
	unsigned char *zbytes;
	size_t zlen;
	struct err e;

	log_init("test_publish", LOG_LVL_ERROR);
	if (mkdtemp(dir) == NULL)
		return 1;
	path_join(root, dir, "store");
	path_join(state, dir, "state");
	path_join(zpath, dir, "v1.0.0.zip");
	path_join(zpath2, dir, "v1.1.0.zip");
	err_clear(&e);
	if (mkdir(root, 0755) == -1 || mkdir(state, 0700) == -1 ||
	    store_open(&st, root, &e) == -1 ||
	    testmod_module_zip(zpath, MOD, "v1.0.0", GOMOD) == -1 ||
	    testmod_module_zip(zpath2, MOD, "v1.1.0", GOMOD) == -1 ||
	    (zbytes = read_file(zpath, &zlen)) == NULL) {
		printf("# set-up failed: %s\n", e.msg);
		return 1;
	}
	memset(&env, 0, sizeof(env));
	env.store = &st;
	env.hooks = hooks;
	env.nhooks = NITEMS(hooks);
	is_int(index_open(&env.idx, state, &e), 0, "index_open");
	if (env.idx == NULL)
		return tap_done();

	/* One version, with hashes that are not the zip's. */
	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	ok(make_fetched(&st, &f, INFO("v1.0.0"), GOMOD, zpath) == 0,
	    "v1.0.0: temporary files");
	snprintf(f.zip_sha256, sizeof(f.zip_sha256), "%s", FAKE_SHA);
	is_int(publish_version(&env, EMOD, "v1.0.0", &f, FAKE_H1, "test-origin",
	    &e), 0, "v1.0.0: published");
	path_join(path, root, EMOD "/@v/v1.0.0.zip");
	ok(holds(path, zbytes, zlen), "v1.0.0: the .zip in place, its bytes");
	path_join(path, root, EMOD "/@v/v1.0.0.mod");
	ok(holds(path, GOMOD, strlen(GOMOD)), "v1.0.0: the .mod in place");
	path_join(path, root, EMOD "/@v/v1.0.0.info");
	ok(holds(path, INFO("v1.0.0"), strlen(INFO("v1.0.0"))),
	    "v1.0.0: the .info in place");
	ok(stat(f.info, &sb) == -1 && stat(f.mod, &sb) == -1 &&
	    stat(f.zip, &sb) == -1, "v1.0.0: nothing left in .tmp");
	fetched_free(&f);

	memset(&iv, 0, sizeof(iv));
	is_int(index_get(env.idx, MOD, "v1.0.0", &iv, &e), 1,
	    "v1.0.0: an index row");
	is_str(iv.zip_sha256, FAKE_SHA, "row: the SHA-256 given, not "
	    "recomputed");
	is_str(iv.zip_h1, FAKE_H1, "row: the h1 given, not recomputed");
	is_int(iv.zip_size, (long long)zlen, "row: the zip's size");
	is_str(iv.origin, "test-origin", "row: the origin given");
	is_str(iv.time, "2023-01-02T03:04:05Z", "row: the .info's Time");
	ok(iv.has_info && iv.has_zip, "row: has info and zip");
	ok(strncmp(iv.mod_h1, "h1:", 3) == 0, "row: a mod h1");

	is_int(s1.calls, 1, "hook 1 called once");
	is_int(s2.calls, 1, "hook 2 called once");
	is_str(s1.row.module, MOD, "hook 1: the row's module (unescaped)");
	is_str(s1.row.version, "v1.0.0", "hook 1: the row's version");
	is_str(s1.row.zip_h1, FAKE_H1, "hook 1: the row's zip h1");
	is_str(s2.row.zip_sha256, FAKE_SHA, "hook 2: the row's SHA-256");
	is_str(s2.row.mod_h1, iv.mod_h1, "hook 2: the row's mod h1");

	/* A failing hook: logged, the next hook still told, publish 0. */
	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	s1.fail = 1;
	ok(make_fetched(&st, &f, INFO("v1.1.0"), GOMOD, zpath2) == 0,
	    "v1.1.0: temporary files");
	err_clear(&e);
	is_int(publish_version(&env, EMOD, "v1.1.0", &f, FAKE_H1, "o", &e), 0,
	    "a failing hook: publish still succeeds");
	is_int(e.code, E_OK, "a failing hook: no error reported");
	is_int(s1.calls, 1, "the failing hook called once");
	is_int(s2.calls, 1, "the hook after it called once");
	ok(exists(root, EMOD "/@v/v1.1.0.info"), "v1.1.0: published");
	is_int(index_get(env.idx, MOD, "v1.1.0", &iv, &e), 1,
	    "v1.1.0: indexed");
	fetched_free(&f);
	s1.fail = 0;

	/* A .mod-only version (no zip): stored and indexed, no hook. */
	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	ok(make_fetched(&st, &f, INFO("v1.2.0"), GOMOD, NULL) == 0,
	    "v1.2.0: temporary files, no zip");
	is_int(publish_version(&env, EMOD, "v1.2.0", &f, "", "o", &e), 0,
	    "v1.2.0: published without a zip");
	ok(exists(root, EMOD "/@v/v1.2.0.mod") &&
	    !exists(root, EMOD "/@v/v1.2.0.zip"), "v1.2.0: .mod, no .zip");
	is_int(s1.calls + s2.calls, 0, "v1.2.0: no hook without a zip");
	fetched_free(&f);

	/* No index: the files are still published. */
	{
		struct publish_env noidx = env;

		noidx.idx = NULL;
		memset(&s1, 0, sizeof(s1));
		memset(&s2, 0, sizeof(s2));
		ok(make_fetched(&st, &f, INFO("v1.3.0"), GOMOD, zpath) == 0,
		    "v1.3.0: temporary files");
		err_clear(&e);
		is_int(publish_version(&noidx, EMOD, "v1.3.0", &f, FAKE_H1,
		    "o", &e), 0, "no index: publish succeeds");
		ok(exists(root, EMOD "/@v/v1.3.0.zip") &&
		    exists(root, EMOD "/@v/v1.3.0.mod") &&
		    exists(root, EMOD "/@v/v1.3.0.info"),
		    "no index: the three files in place");
		is_int(index_get(env.idx, MOD, "v1.3.0", &iv, &e), 0,
		    "no index: no row was written");
		/* The hooks (our database lives in the index) need it. */
		is_int(s1.calls + s2.calls, 0, "no index: no hook called");
		fetched_free(&f);
	}

	/* Immutability: a differing .mod for v1.0.0 is refused. */
	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	ok(make_fetched(&st, &f, INFO("v1.0.0"), GOMOD "// changed\n",
	    zpath) == 0, "v1.0.0 again: temporary files");
	err_clear(&e);
	is_int(publish_version(&env, EMOD, "v1.0.0", &f, FAKE_H1, "o", &e), -1,
	    "a differing .mod: refused");
	printf("# %s\n", e.msg);
	is_int(e.code, E_UPSTREAM, "a differing .mod: E_UPSTREAM");
	path_join(path, root, EMOD "/@v/v1.0.0.mod");
	ok(holds(path, GOMOD, strlen(GOMOD)), "the stored .mod unchanged");
	is_int(s1.calls + s2.calls, 0, "a refused publish calls no hook");
	fetched_free(&f);

	/* A differing .zip likewise. */
	ok(make_fetched(&st, &f, INFO("v1.0.0"), GOMOD, zpath2) == 0,
	    "v1.0.0 with another zip: temporary files");
	err_clear(&e);
	is_int(publish_version(&env, EMOD, "v1.0.0", &f, FAKE_H1, "o", &e), -1,
	    "a differing .zip: refused");
	path_join(path, root, EMOD "/@v/v1.0.0.zip");
	ok(holds(path, zbytes, zlen), "the stored .zip unchanged");
	is_int(s1.calls + s2.calls, 0, "no hook either");
	fetched_free(&f);

	/* publish_later: the publish runs in the publisher thread. */
	{
		struct publish_env later = env;
		struct index_lock l;
		const char *key = "v:" MOD "@v1.4.0";
		char c = 'x';

		later.hooks = NULL;
		later.nhooks = 0;
		ok(pipe(gate_entered) == 0 && pipe(gate_open) == 0,
		    "later: the gate's pipes");
		is_int(lock_try(env.idx, key, 60, &e), LOCK_OWNER,
		    "later: the version's lock taken");
		ok(make_fetched(&st, &f, INFO("v1.4.0"), GOMOD, zpath) == 0,
		    "later: temporary files");
		__atomic_store_n(&gate_armed, 1, __ATOMIC_SEQ_CST);
		is_int(publish_later(&later, state, EMOD, "v1.4.0", &f, FAKE_H1,
		    "later-origin", key), 0, "later: handed to the thread");
		ok(f.info == NULL && f.mod == NULL && f.zip == NULL,
		    "later: f emptied (the thread owns the files)");
		ok(byte_within(gate_entered[0], 5000),
		    "later: the thread is in the fsync of a new file");
		ok(!exists(root, EMOD "/@v/v1.4.0.zip") &&
		    !exists(root, EMOD "/@v/v1.4.0.info"),
		    "later: while it waits, this thread runs and nothing is "
		    "placed");
		is_int(index_lock_get(env.idx, key, &l, &e), 1,
		    "later: the lock is still held while it publishes");
		__atomic_store_n(&gate_armed, 0, __ATOMIC_SEQ_CST);
		ok(write(gate_open[1], &c, 1) == 1, "later: the gate opened");
		publish_drain();
		path_join(path, root, EMOD "/@v/v1.4.0.zip");
		ok(holds(path, zbytes, zlen), "later: the .zip in place");
		ok(exists(root, EMOD "/@v/v1.4.0.mod") &&
		    exists(root, EMOD "/@v/v1.4.0.info"),
		    "later: the .mod and .info in place");
		memset(&iv, 0, sizeof(iv));
		is_int(index_get(env.idx, MOD, "v1.4.0", &iv, &e), 1,
		    "later: indexed by the thread's connection");
		is_str(iv.origin, "later-origin", "later: the row's origin");
		is_int(index_lock_get(env.idx, key, &l, &e), 0,
		    "later: the lock row is gone");
		is_int(lock_try(env.idx, key, 60, &e), LOCK_OWNER,
		    "later: the version's lock can be taken again");
		lock_release(env.idx, key);

		/* Out of descriptors: the thread's connection cannot be
		 * opened.  publish_later declines and leaves the lock with
		 * the caller, who publishes and releases it (as
		 * resolve_publish_pending does); a thread without a
		 * connection would leave the lock row behind. */
		{
			const char *k2 = "v:" MOD "@v1.6.0";
			struct rlimit rl, low;
			int fd, rc;

			is_int(lock_try(env.idx, k2, 60, &e), LOCK_OWNER,
			    "EMFILE: the version's lock taken");
			ok(make_fetched(&st, &f, INFO("v1.6.0"), GOMOD,
			    zpath) == 0, "EMFILE: temporary files");
			getrlimit(RLIMIT_NOFILE, &rl);
			low = rl;
			/* The lowest free descriptor: none below it is. */
			if ((fd = dup(0)) != -1) {
				close(fd);
				low.rlim_cur = (rlim_t)fd;
			}
			setrlimit(RLIMIT_NOFILE, &low);
			rc = publish_later(&later, state, EMOD, "v1.6.0",
			    &f, FAKE_H1, "o", k2);
			if (rc == 0)
				publish_drain();	/* the thread's try */
			setrlimit(RLIMIT_NOFILE, &rl);
			is_int(rc, -1, "EMFILE: publish_later declines");
			ok(rc == 0 || (f.info != NULL && f.zip != NULL &&
			    lock_local(env.idx, k2)), "EMFILE: f and the lock "
			    "left to the caller");
			if (rc == -1) {
				err_clear(&e);
				is_int(publish_version(&later, EMOD, "v1.6.0",
				    &f, FAKE_H1, "o", &e), 0,
				    "EMFILE: the caller publishes");
				lock_release(env.idx, k2);
			}
			fetched_free(&f);
			ok(exists(root, EMOD "/@v/v1.6.0.info"),
			    "EMFILE: published");
			is_int(index_lock_get(env.idx, k2, &l, &e), 0,
			    "EMFILE: the lock row is gone once published");
			ok(make_fetched(&st, &f, INFO("v1.7.0"), GOMOD,
			    zpath) == 0 && lock_try(env.idx, k2, 60, &e) ==
			    LOCK_OWNER, "descriptors again: lock and files");
			is_int(publish_later(&later, state, EMOD, "v1.7.0", &f,
			    FAKE_H1, "o", k2), 0,
			    "descriptors again: handed to the thread");
			publish_drain();
			ok(exists(root, EMOD "/@v/v1.7.0.info") &&
			    index_lock_get(env.idx, k2, &l, &e) == 0,
			    "descriptors again: published, lock row gone");
		}

		/* The thread ends the process (exit on out-of-memory):
		 * publish_drain, run by atexit on that thread, returns
		 * instead of joining it (a forked child exits). */
		{
			const char *k3 = "v:" MOD "@v1.8.0";
			pid_t pid;
			int wst = 0;

			if ((pid = fork()) == 0) {
				struct publish_env cl = later;

				/* Its own connection: not the parent's. */
				if (index_open(&cl.idx, state, &e) == -1 ||
				    lock_try(cl.idx, k3, 60, &e) != LOCK_OWNER ||
				    make_fetched(&st, &f, INFO("v1.8.0"), GOMOD,
				    zpath) == -1)
					_exit(1);
				__atomic_store_n(&exit_in_fsync, 1,
				    __ATOMIC_SEQ_CST);
				if (publish_later(&cl, state, EMOD, "v1.8.0",
				    &f, FAKE_H1, "o", k3) != 0)
					_exit(2);
				for (;;)
					pause();
			}
			ok(pid > 0 && waitpid(pid, &wst, 0) == pid &&
			    WIFEXITED(wst), "thread exit: the child exited");
			is_int(WEXITSTATUS(wst), EXIT_IN_FSYNC, "thread exit: "
			    "with the thread's status, no join of itself");
		}

		/* Hooks run with the caller's state: it declines. */
		ok(make_fetched(&st, &f, INFO("v1.5.0"), GOMOD, zpath) == 0,
		    "later with hooks: temporary files");
		is_int(publish_later(&env, state, EMOD, "v1.5.0", &f, FAKE_H1,
		    "o", key), -1, "later with hooks: declined");
		ok(f.info != NULL && f.zip != NULL,
		    "later with hooks: f left to the caller");
		ok(!exists(root, EMOD "/@v/v1.5.0.info"),
		    "later with hooks: nothing published");
		fetched_free(&f);
	}

	free(zbytes);
	index_close(env.idx);
	store_close(&st);
	testmod_rmrf(dir);
	return tap_done();
}

/*
 * test_resolve.c: the pipeline's entry (resolve.c, resolve_version.c) on a
 * real store and index against a file:// upstream written here.
 *
 * A miss of a small file is answered from its checked temporary copy and
 * published only once the answer is out (resolve_deferred): right after
 * resolve() the tree does not hold it yet, the version's singleflight lock
 * is still held, and the zip's answer is streamed (never X-Sendfile: its
 * path is in .tmp); after resolve_deferred has handed it to the publisher
 * thread and publish_drain has waited for that, the files are in place,
 * the index row has the hashes taken while fetching, and the lock is
 * gone.
 * A zip over the pending cap is published before it is answered, from
 * its place in the tree.  A miss upstream does not know leaves nothing.
 * A waiter for a version stored without its zip sleeps between its looks
 * at the lock (test_wait_no_spin).
 */
#include "config.h"

#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"

#define PATH_CAP	PATH_MAX
#include "testfile.h"
#include "testmod.h"
#include "testproxy.h"

#define BIG	(2600 * 1024)	/* deflated, still over the cap of 1 MiB */

static char top[] = "/tmp/test_resolve.XXXXXX";

/* How often this process made an inotify instance and added a watch
 * (store_wait's; these replace libc's and count). */
static int n_inotify_init, n_inotify_watch;

int
inotify_init1(int flags)
{
	__atomic_add_fetch(&n_inotify_init, 1, __ATOMIC_SEQ_CST);
	return (int)syscall(SYS_inotify_init1, flags);
}

int
inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	__atomic_add_fetch(&n_inotify_watch, 1, __ATOMIC_SEQ_CST);
	return (int)syscall(SYS_inotify_add_watch, fd, path, mask);
}

/* Seconds on the monotonic clock. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* module@version into the upstream tree: .info, .mod, .zip (content
 * bytes of m.go: body, or the small default). */
static int
upstream_version(const char *module, const char *version, const char *body)
{
	char up[PATH_MAX], rel[1024], zip[2 * PATH_MAX], info[256], mod[256];
	char n1[512], n2[512];
	struct testmod_entry e[2];

	snprintf(up, sizeof(up), "%s/up", top);
	snprintf(info, sizeof(info), "{\"Version\":\"%s\","
	    "\"Time\":\"2024-01-02T03:04:05Z\"}\n", version);
	snprintf(mod, sizeof(mod), "module %s\n", module);
	snprintf(rel, sizeof(rel), "%s/@v/%s", module, version);
	if (testmod_put(up, info, strlen(info), "%s.info", rel) == -1 ||
	    testmod_put(up, mod, strlen(mod), "%s.mod", rel) == -1)
		return -1;
	snprintf(zip, sizeof(zip), "%s/%s.zip", up, rel);
	snprintf(n1, sizeof(n1), "%s@%s/go.mod", module, version);
	snprintf(n2, sizeof(n2), "%s@%s/m.go", module, version);
	e[0].name = n1;
	e[0].data = mod;
	e[1].name = n2;
	e[1].data = body;
	return testmod_zip(zip, e, 2);
}

static int
setup(struct proxy *px)
{
	char text[4 * PATH_MAX];
	uint32_t x = 2463534242u;
	char *big;
	size_t i;
	int rc;

	if (mkdtemp(top) == NULL)
		return -1;
	big = xmalloc(BIG + 1);
	/* Not compressible (xorshift letters): the zip is over the cap. */
	for (i = 0; i < BIG; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		big[i] = (char)('a' + x % 26);
	}
	big[BIG] = '\0';
	rc = upstream_version("example.com/small", "v1.0.0",
	    "package m\n") == -1 || upstream_version("example.com/info",
	    "v0.1.0", "package m\n") == -1 ||
	    upstream_version("example.com/big", "v1.0.0", big) == -1;
	free(big);
	if (rc)
		return -1;
	snprintf(text, sizeof(text), "[upstream]\ngoproxy = file://%s/up\n"
	    "[sumdb]\nverify = no\n", top);
	return testproxy_open(px, top, text);
}

/* 1 when the tree holds module@version's file of ext. */
static int
stored(struct proxy *px, const char *module, const char *version,
    enum artifact art)
{
	char path[PATH_MAX];
	struct stat sb;

	return store_path(&px->store, module, version, art, path,
	    sizeof(path)) == 0 && stat(path, &sb) == 0;
}

/* 1 when the singleflight lock of module@version is held. */
static int
locked(struct proxy *px, const char *module, const char *version)
{
	char key[LOCK_KEY_MAX];
	struct index_lock l;
	struct err e;

	err_clear(&e);
	snprintf(key, sizeof(key), "v:%s@%s", module, version);
	return index_lock_get(px->idx, key, &l, &e) == 1;
}

/* The files in the store's .tmp (-1 when it cannot be read). */
static int
tmp_count(struct proxy *px)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(px->store.tmp)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* The upstream file's bytes and SHA-256. */
static char *
upstream_file(const char *module, const char *version, const char *ext,
    size_t *len, char sha[SHA256_HEX])
{
	char path[PATH_MAX];
	char *data;

	snprintf(path, sizeof(path), "%s/up/%s/@v/%s%s", top, module, version,
	    ext);
	if ((data = (char *)read_file(path, len)) != NULL)
		dirhash_sha256_hex(data, *len, sha);
	return data;
}

/* A stored version's .info written straight into the tree. */
static void
put_stored(struct proxy *px, const char *version)
{
	char rel[256], body[128];

	snprintf(rel, sizeof(rel), "example.com/memo/@v/%s.info", version);
	snprintf(body, sizeof(body), "{\"Version\":\"%s\"}", version);
	if (testmod_put(px->store.root, body, strlen(body), "%s", rel) == -1)
		printf("# cannot write %s\n", rel);
}

/* Set the @v directory's mtime to ts; 0 or -1. */
static int
set_mtime(struct proxy *px, const struct timespec *ts)
{
	char dir[PATH_MAX + 64];
	struct timespec t[2];

	snprintf(dir, sizeof(dir), "%s/example.com/memo/@v", px->store.root);
	t[0] = t[1] = *ts;
	return utimensat(AT_FDCWD, dir, t, 0);
}

/* stored_list's per-process memory, "v1 v2 ..." of what it answers. */
static void
list_of(struct proxy *px, char *out, size_t outsz)
{
	char **vs;
	size_t n, i, o = 0;
	struct err e;

	out[0] = '\0';
	err_clear(&e);
	if (stored_list(&px->store, "example.com/memo", "example.com/memo",
	    &vs, &n, &e) == -1)
		return;
	for (i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, outsz - o, "%s%s", i ? " " : "",
		    vs[i]);
		free(vs[i]);
	}
	free(vs);
}

/*
 * The stored list is remembered while the @v directory is unchanged, and
 * only once it has been unchanged for a second: a publish changes its
 * mtime, and the next list sees the new version.
 */
static void
test_list_memo(struct proxy *px)
{
	struct timespec old;
	char got[256];

	put_stored(px, "v1.1.0");
	put_stored(px, "v1.0.0");
	clock_gettime(CLOCK_REALTIME, &old);
	old.tv_sec -= 10;
	ok(set_mtime(px, &old) == 0, "list memo: the directory aged");
	list_of(px, got, sizeof(got));
	is_str(got, "v1.0.0 v1.1.0", "list memo: semver order");
	put_stored(px, "v1.2.0");
	list_of(px, got, sizeof(got));
	is_str(got, "v1.0.0 v1.1.0 v1.2.0", "list memo: a version published "
	    "(the mtime moved): seen at once");
	put_stored(px, "v1.3.0");
	list_of(px, got, sizeof(got));
	is_str(got, "v1.0.0 v1.1.0 v1.2.0 v1.3.0", "list memo: a directory "
	    "changed within the second is read each time");
	/* Aged again: remembered.  A version slipped in under the very same
	 * mtime (only a hand-set clock can do it) is not seen: the list is
	 * the remembered one, so the memory is used. */
	old.tv_sec -= 10;
	ok(set_mtime(px, &old) == 0, "list memo: aged again");
	list_of(px, got, sizeof(got));
	is_str(got, "v1.0.0 v1.1.0 v1.2.0 v1.3.0", "list memo: read again "
	    "(another mtime), remembered");
	put_stored(px, "v1.4.0");
	ok(set_mtime(px, &old) == 0, "list memo: the mtime put back by hand");
	list_of(px, got, sizeof(got));
	is_str(got, "v1.0.0 v1.1.0 v1.2.0 v1.3.0", "list memo: remembered "
	    "while the directory is unchanged");
	old.tv_nsec = (old.tv_nsec + 1) % 1000000000L;
	ok(set_mtime(px, &old) == 0, "list memo: one nanosecond later");
	list_of(px, got, sizeof(got));
	is_str(got, "v1.0.0 v1.1.0 v1.2.0 v1.3.0 v1.4.0", "list memo: any "
	    "change of the mtime reads the directory again");
}

/*
 * A waiter (a deferred fetch: no answer, so it waits for the .info) for a
 * version whose .info and .mod are stored but not its .zip (a module
 * cache imported without zips) while another request holds the version's
 * lock: the .info is there already, so store_wait returns at once; the
 * waiter must still sleep between its looks at the lock (each a BEGIN
 * IMMEDIATE), not spin: within its wait_timeout of 2 s (1 to 2 s: whole
 * seconds), fewer than 20 turns (store_wait's inotify watches counted:
 * two a turn, the .info's and the .zip's; a spin made hundreds).  Then the zip placed while one waits ends the wait.
 */
static void
test_wait_no_spin(struct proxy *px, struct resolver *rv)
{
	static const char info[] = "{\"Version\":\"v1.0.0\"}";
	static const char mod[] = "module example.com/half\n";
	char canon[VERSION_MAX], key[LOCK_KEY_MAX], name[160];
	char zip[PATH_MAX], part[PATH_MAX + 8];
	long saved = px->cfg.wait_timeout;
	struct decision d;
	double t0, t1;
	struct err e;
	pid_t pid;
	int rc, st;

	memset(&d, 0, sizeof(d));
	ok(testmod_put(px->store.root, info, strlen(info),
	    "example.com/half/@v/v1.0.0.info") == 0 &&
	    testmod_put(px->store.root, mod, strlen(mod),
	    "example.com/half/@v/v1.0.0.mod") == 0,
	    "wait, no spin: .info and .mod stored, no .zip");
	snprintf(key, sizeof(key), "v:example.com/half@v1.0.0");
	err_clear(&e);
	is_int(lock_try(px->idx, key, 60, &e), LOCK_OWNER,
	    "wait, no spin: the version's lock held by another request");
	px->cfg.wait_timeout = 2;
	n_inotify_init = n_inotify_watch = 0;
	t0 = now_s();
	err_clear(&e);
	rc = resolve_version(rv, &d, "example.com/half", "v1.0.0", WANT_ZIP,
	    canon, NULL, &e);
	t1 = now_s();
	ok(rc == -1 && e.code == E_TIMEOUT, "wait, no spin: timed out");
	printf("# %.3f s: %d inotify watches, %d inotify instances\n",
	    t1 - t0, n_inotify_watch, n_inotify_init);
	snprintf(name, sizeof(name), "wait, no spin: %d inotify watches in "
	    "%.3f s (at most two a turn: fewer than 40)", n_inotify_watch,
	    t1 - t0);
	ok(n_inotify_watch > 0 && n_inotify_watch < 40, name);

	/* The holder places the zip 300 ms in: the wait ends then. */
	snprintf(zip, sizeof(zip), "%s/example.com/half/@v/v1.0.0.zip",
	    px->store.root);
	snprintf(part, sizeof(part), "%s.part", zip);
	px->cfg.wait_timeout = 10;
	if ((pid = fork()) == 0) {
		struct timespec ts = { 0, 300000000L };

		nanosleep(&ts, NULL);
		if (write_file(part, "PK", 2) == -1 || rename(part, zip) == -1)
			_exit(1);
		_exit(0);
	}
	t0 = now_s();
	err_clear(&e);
	rc = resolve_version(rv, &d, "example.com/half", "v1.0.0", WANT_ZIP,
	    canon, NULL, &e);
	t1 = now_s();
	waitpid(pid, &st, 0);
	is_int(rc, 0, "wait, zip placed: the waiter has the version");
	snprintf(name, sizeof(name), "wait, zip placed: woken %.3f s in "
	    "(placed at 0.3 s)", t1 - t0);
	ok(t1 - t0 >= 0.25 && t1 - t0 < 1.0, name);
	lock_release(px->idx, key);
	px->cfg.wait_timeout = saved;
}

static void
want_of(struct want *w, enum want_kind kind, const char *module,
    const char *version)
{
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->module = w->emod = module;
	w->version = w->ever = version;
	w->canon = w->path = "";
}

int
main(void)
{
	char sha[SHA256_HEX], etag[SHA256_HEX + 4], got[SHA256_HEX];
	struct index_version iv;
	struct resolver *rv;
	struct answer a;
	struct proxy px;
	struct want w;
	struct err e;
	size_t len;
	char *data;

	log_set_level(LOG_LVL_ERROR);
	if (setup(&px) == -1)
		return 99;
	rv = proxy_resolver(&px);

	/* A .mod miss: answered from the checked copy, published after. */
	want_of(&w, WANT_MOD, "example.com/small", "v1.0.0");
	err_clear(&e);
	if (!ok(resolve(rv, &w, &a, &e) == 0, ".mod miss: resolved"))
		printf("#   %s\n", e.msg);
	data = upstream_file("example.com/small", "v1.0.0", ".mod", &len, sha);
	ok(a.kind == ANSWER_BODY && a.body.len == len && data != NULL &&
	    memcmp(a.body.data, data, len) == 0, ".mod: upstream's bytes");
	snprintf(etag, sizeof(etag), "\"%s\"", sha);
	is_str(a.etag, etag, ".mod: ETag is their SHA-256");
	is_int(a.cache, ANSWER_IMMUTABLE, ".mod: immutable");
	free(data);
	answer_free(&a);
	ok(!stored(&px, "example.com/small", "v1.0.0", ART_MOD),
	    ".mod: not in the tree before the answer is out");
	ok(locked(&px, "example.com/small", "v1.0.0"),
	    ".mod: the version's lock is held until it is published");
	ok(rv->pending.active, ".mod: a publish is pending");
	resolve_deferred(rv);
	publish_drain();	/* the publisher thread's queue published */
	ok(stored(&px, "example.com/small", "v1.0.0", ART_MOD),
	    ".mod: in the tree after resolve_deferred");
	ok(!locked(&px, "example.com/small", "v1.0.0"), ".mod: lock released");
	ok(!rv->pending.active, ".mod: nothing pending");
	is_int(tmp_count(&px), 0, ".mod: nothing left in .tmp");

	/* A small zip: streamed from .tmp, never X-Sendfile. */
	want_of(&w, WANT_ZIP, "example.com/small", "v1.0.0");
	err_clear(&e);
	if (!ok(resolve(rv, &w, &a, &e) == 0, "small .zip miss: resolved"))
		printf("#   %s\n", e.msg);
	data = upstream_file("example.com/small", "v1.0.0", ".zip", &len, sha);
	ok(a.kind == ANSWER_FILE && a.stream == 1, "small .zip: a file, "
	    "streamed");
	ok(strncmp(a.path, px.store.tmp, strlen(px.store.tmp)) == 0,
	    "small .zip: its path is in .tmp");
	is_int((int)a.st.st_size, (int)len, "small .zip: upstream's size");
	snprintf(etag, sizeof(etag), "\"%s\"", sha);
	is_str(a.etag, etag, "small .zip: ETag is the SHA-256 of the transfer");
	is_int(a.cache, ANSWER_IMMUTABLE, "small .zip: immutable");
	ok(!stored(&px, "example.com/small", "v1.0.0", ART_INFO) &&
	    !stored(&px, "example.com/small", "v1.0.0", ART_ZIP),
	    "small .zip: .info and .zip not in the tree yet");
	resolve_deferred(rv);
	publish_drain();	/* the publisher thread's queue published */
	ok(stored(&px, "example.com/small", "v1.0.0", ART_INFO) &&
	    stored(&px, "example.com/small", "v1.0.0", ART_ZIP),
	    "small .zip: published after the answer");
	/* The open answer still reads the same bytes (renamed, not copied). */
	{
		char *buf = xmalloc(len + 1);

		ok(lseek(a.fd, 0, SEEK_SET) == 0 && read(a.fd, buf, len + 1) ==
		    (ssize_t)len && data != NULL &&
		    memcmp(buf, data, len) == 0,
		    "small .zip: the answer's bytes are upstream's");
		free(buf);
	}
	free(data);
	answer_free(&a);
	err_clear(&e);
	ok(index_get(px.idx, "example.com/small", "v1.0.0", &iv, &e) == 1 &&
	    strcmp(iv.zip_sha256, sha) == 0 && iv.has_info && iv.has_zip,
	    "small .zip: indexed with the transfer's SHA-256");
	ok(!locked(&px, "example.com/small", "v1.0.0"),
	    "small .zip: lock released");
	is_int(tmp_count(&px), 0, "small .zip: nothing left in .tmp");

	/* A .info miss fetches the whole version; answered, then stored. */
	want_of(&w, WANT_INFO, "example.com/info", "v0.1.0");
	err_clear(&e);
	ok(resolve(rv, &w, &a, &e) == 0 && a.kind == ANSWER_BODY,
	    ".info miss: a body");
	data = upstream_file("example.com/info", "v0.1.0", ".info", &len,
	    sha);
	ok(data != NULL && a.body.len == len && memcmp(a.body.data, data,
	    len) == 0, ".info: upstream's bytes");
	free(data);
	answer_free(&a);
	resolve_deferred(rv);
	publish_drain();	/* the publisher thread's queue published */
	ok(stored(&px, "example.com/info", "v0.1.0", ART_INFO) &&
	    stored(&px, "example.com/info", "v0.1.0", ART_MOD) &&
	    stored(&px, "example.com/info", "v0.1.0", ART_ZIP),
	    ".info: the whole version stored after the answer");

	/* A zip over the cap: published first, sent from the tree. */
	want_of(&w, WANT_ZIP, "example.com/big", "v1.0.0");
	err_clear(&e);
	if (!ok(resolve(rv, &w, &a, &e) == 0, "big .zip miss: resolved"))
		printf("#   %s\n", e.msg);
	is_int(a.cache, ANSWER_IMMUTABLE, "big .zip: immutable, as when "
	    "stored");
	ok(a.kind == ANSWER_FILE && a.stream == 0 &&
	    a.st.st_size > 1024 * 1024,
	    "big .zip: a file the web server may send");
	ok(stored(&px, "example.com/big", "v1.0.0", ART_ZIP) &&
	    strncmp(a.path, px.store.tmp, strlen(px.store.tmp)) != 0,
	    "big .zip: published before the answer, answered from the tree");
	ok(!rv->pending.active && !locked(&px, "example.com/big", "v1.0.0"),
	    "big .zip: nothing pending, lock released");
	err_clear(&e);
	got[0] = '\0';
	dirhash_sha256_file(a.path, got, &e);
	free(upstream_file("example.com/big", "v1.0.0", ".zip", &len, sha));
	is_str(got, sha, "big .zip: upstream's bytes");
	answer_free(&a);

	/* Upstream does not know it: nothing pending, nothing left. */
	want_of(&w, WANT_MOD, "example.com/none", "v1.0.0");
	err_clear(&e);
	ok(resolve(rv, &w, &a, &e) == -1 && e.code == E_NOTFOUND,
	    "unknown version: not found");
	answer_free(&a);
	ok(!rv->pending.active && !locked(&px, "example.com/none", "v1.0.0"),
	    "unknown version: nothing pending, no lock");
	is_int(tmp_count(&px), 0, "unknown version: nothing in .tmp");

	test_list_memo(&px);
	test_wait_no_spin(&px, rv);

	proxy_close(&px);
	config_free(&px.cfg);
	testmod_rmrf(top);
	return tap_done();
}

/*
 * test_index.c: the sqlite index: put/get round trip, upsert, per-module
 * semver order, keyset catalog pages, /index order and since, rebuild,
 * the upstream cache keyed by its upstream (index_cache_scope), and the
 * migration of an older schema while another process opens the index,
 * and a write that waits for another process's write lock getting it
 * within milliseconds of its release; writes queued for later
 * (index_later) made by index_flush in one transaction, or by
 * index_close, each item's done called once.
 */
#include "config.h"

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "piraeus.h"
#include "tap.h"

static void
row(struct index_version *v, const char *m, const char *ver, int64_t stored)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->module, sizeof(v->module), "%s", m);
	snprintf(v->version, sizeof(v->version), "%s", ver);
	snprintf(v->time, sizeof(v->time), "2020-01-01T00:00:00Z");
	snprintf(v->zip_h1, sizeof(v->zip_h1), "h1:zip-%s", ver);
	snprintf(v->mod_h1, sizeof(v->mod_h1), "h1:mod-%s", ver);
	v->stored = stored;
	v->zip_size = 42;
	v->has_info = v->has_zip = 1;
	snprintf(v->origin, sizeof(v->origin), "test");
}

/* An item of index_later: a cache row "later:<n>", and whether it ran
 * inside a transaction (a BEGIN of its own then fails). */
struct later_item {
	int	 n;
	int	 in_txn;
	int	 fail;		/* return -1 without writing */
	int	 done;
};

static int
later_put(struct index *ix, void *arg, struct err *e)
{
	struct later_item *it = arg;
	char key[32];
	struct err be;

	err_clear(&be);
	it->in_txn = index_begin(ix, &be) == -1;
	if (!it->in_txn)
		index_rollback(ix);
	if (it->fail)
		return err_set(e, E_INTERNAL, "item %d fails", it->n);
	snprintf(key, sizeof(key), "later:%d", it->n);
	return index_cache_put(ix, key, E_OK, "x", 1, e);
}

static void
later_done(void *arg)
{
	((struct later_item *)arg)->done++;
}

/* 1 when the cache row "later:<n>" is in ix. */
static int
later_have(struct index *ix, int n)
{
	struct index_cached c;
	char key[32];
	struct err e;
	int have;

	err_clear(&e);
	snprintf(key, sizeof(key), "later:%d", n);
	if ((have = index_cache_get(ix, key, &c, &e)) == 1)
		buf_free(&c.body);
	return have == 1;
}

/* An index of schema 3 in dir: today's tables, user_version 3. */
static int
make_v3(const char *dir, char *path, size_t pathsz)
{
	struct index *ix;
	struct err e;
	sqlite3 *db;
	int rc;

	err_clear(&e);
	if (index_open(&ix, dir, &e) == -1)
		return -1;
	index_close(ix);
	snprintf(path, pathsz, "%s/index.sqlite", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, "PRAGMA user_version = 3", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * Another process opens the index of schema 3 in dir while this one,
 * holding the write lock, migrates it and caches a row; with hold_ms this
 * one then holds the lock again for that long (more than the busy
 * timeout).  The other one's exit status: 0 when it opened the index and
 * sees the row, 2 when it could not open it, 3 when the row is gone.
 */
static int
race(const char *dir, int hold_ms)
{
	static const char migrated[] =
	    "INSERT INTO upstream_cache (upstream, key, status, fetched, body) "
	    "VALUES ('s', 'list:m', 200, 0, 'fresh');"
	    "PRAGMA user_version = 4; COMMIT";
	char path[256], go;
	struct index_cached c;
	struct index *ix;
	struct err e;
	sqlite3 *db;
	int fd[2], st = -1;
	pid_t pid;

	if (make_v3(dir, path, sizeof(path)) == -1 || pipe(fd) == -1)
		return -1;
	/* Forked before this process opens the file (sqlite and fork). */
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(fd[1]);
		if (read(fd[0], &go, 1) != 1)
			_exit(4);
		err_clear(&e);
		if (index_open(&ix, dir, &e) == -1)
			_exit(2);
		st = index_cache_get_in(ix, "s", "list:m", &c, &e) == 1 ? 0 : 3;
		if (st == 0)
			buf_free(&c.body);
		index_close(ix);
		_exit(st);
	}
	close(fd[0]);
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
	    SQLITE_OK && write(fd[1], "g", 1) == 1) {
		/* The other one reads schema 3 and waits for the lock. */
		usleep(500 * 1000);
		if (sqlite3_exec(db, migrated, NULL, NULL, NULL) == SQLITE_OK &&
		    hold_ms > 0 && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL,
		    NULL, NULL) == SQLITE_OK) {
			usleep((useconds_t)hold_ms * 1000);
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		}
	}
	close(fd[1]);
	sqlite3_close(db);
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}


#define BUSY_HOLD_MS	240	/* sqlite3_busy_timeout would wake at 328 */
#define BUSY_LATE_MS	40	/* what a write may lag behind the release */

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Another process holds the write lock of ix's database (at path) for
 * BUSY_HOLD_MS while ix writes a row: the write must succeed, and the
 * least lag of three tries between the release and the write's end is
 * returned (microseconds), -1 when a write failed.  sqlite's own busy
 * timeout sleeps 1, 2, 5, ... 25, 50, 50, 100 ms and would lag ~88 ms.
 */
static long long
busy_lag(struct index *ix, const char *path)
{
	struct timespec hold = { BUSY_HOLD_MS / 1000,
	    (BUSY_HOLD_MS % 1000) * 1000000L };
	long long best = -1, released, done, lag;
	struct index_version v;
	struct err e;
	int p[2], i, st;
	sqlite3 *db;
	pid_t pid;
	char c;

	for (i = 0; i < 3; i++) {
		if (pipe(p) == -1 || (pid = fork()) == -1)
			return -1;
		if (pid == 0) {
			close(p[0]);
			if (sqlite3_open(path, &db) != SQLITE_OK ||
			    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
			    NULL) != SQLITE_OK)
				_exit(1);
			if (write(p[1], "L", 1) != 1)
				_exit(1);
			nanosleep(&hold, NULL);
			if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) !=
			    SQLITE_OK)
				_exit(1);
			released = now_us();
			if (write(p[1], &released, sizeof(released)) !=
			    (ssize_t)sizeof(released))
				_exit(1);
			_exit(0);
		}
		close(p[1]);
		if (read(p[0], &c, 1) != 1) {
			close(p[0]);
			waitpid(pid, &st, 0);
			return -1;
		}
		row(&v, "busy.example/m", "v1.0.0", 1);
		err_clear(&e);
		st = index_put(ix, &v, &e);
		done = now_us();
		if (st == -1 || read(p[0], &released, sizeof(released)) !=
		    (ssize_t)sizeof(released)) {
			close(p[0]);
			waitpid(pid, &st, 0);
			return -1;
		}
		close(p[0]);
		waitpid(pid, &st, 0);
		lag = done - released;
		if (best == -1 || lag < best)
			best = lag;
	}
	return best;
}

int
main(void)
{
	static const struct {
		const char	*m, *v;
	} rows[] = {
		{ "b.com/x", "v1.10.0" }, { "b.com/x", "v1.2.0" },
		{ "b.com/x", "v1.2.0-rc.1" }, { "a.com/y", "v0.1.0" },
		{ "b.com/x/v2", "v2.0.0" }, { "B.com/z", "v1.0.0" },
	};
	char dir[] = "/tmp/test_index.XXXXXX", cmd[128], sub[64];
	struct index_version v, *out;
	struct index_cached c;
	struct index *ix;
	struct err e;
	long long lag;
	size_t n, i;

	if (mkdtemp(dir) == NULL)
		return 1;
	err_clear(&e);
	is_int(index_open(&ix, dir, &e), 0, "open");
	if (ix == NULL)
		return tap_done();
	is_int(index_count(ix), 0, "empty");
	is_int(index_begin(ix, &e), 0, "begin");
	for (i = 0; i < NITEMS(rows); i++) {
		row(&v, rows[i].m, rows[i].v, 1000 + (int64_t)i);
		is_int(index_put(ix, &v, &e), 0, "put");
	}
	is_int(index_commit(ix, &e), 0, "commit");
	is_int(index_count(ix), 6, "six rows");

	is_int(index_get(ix, "b.com/x", "v1.2.0", &v, &e), 1, "get");
	is_str(v.zip_h1, "h1:zip-v1.2.0", "zip h1 round trip");
	is_str(v.mod_h1, "h1:mod-v1.2.0", "mod h1 round trip");
	is_int(v.stored, 1001, "stored round trip");
	is_int(v.zip_size, 42, "size round trip");
	is_int(index_get(ix, "b.com/x", "v9.0.0", &v, &e), 0, "get missing");

	row(&v, "b.com/x", "v1.2.0", 5000);
	snprintf(v.zip_h1, sizeof(v.zip_h1), "h1:new");
	is_int(index_put(ix, &v, &e), 0, "upsert");
	is_int(index_count(ix), 6, "upsert adds no row");
	index_get(ix, "b.com/x", "v1.2.0", &v, &e);
	is_str(v.zip_h1, "h1:new", "upsert updates hashes");
	is_int(v.stored, 1001, "upsert keeps the first stored time");

	is_int(index_versions(ix, "b.com/x", &out, &n, &e), 0, "versions");
	is_int(n, 3, "three versions of b.com/x");
	if (n == 3) {
		is_str(out[0].version, "v1.2.0-rc.1", "semver order 1");
		is_str(out[1].version, "v1.2.0", "semver order 2");
		is_str(out[2].version, "v1.10.0", "semver order 3");
	}
	free(out);

	/* Catalog: byte order on (module, version), pages after a key. */
	is_int(index_catalog(ix, NULL, NULL, 2, &out, &n, &e), 0, "page 1");
	is_int(n, 2, "two rows");
	if (n == 2) {
		is_str(out[0].module, "B.com/z", "capital sorts first");
		is_str(out[1].module, "a.com/y", "then a.com");
	}
	free(out);
	is_int(index_catalog(ix, "b.com/x", "v1.10.0", 10, &out, &n, &e), 0,
	    "page after b.com/x@v1.10.0");
	is_int(n, 3, "three rows after the key");
	if (n == 3) {
		is_str(out[0].version, "v1.2.0", "byte order: v1.2.0");
		is_str(out[1].version, "v1.2.0-rc.1", "then v1.2.0-rc.1");
		is_str(out[2].module, "b.com/x/v2", "then b.com/x/v2");
	}
	free(out);
	is_int(index_catalog(ix, "b.com/x/v2", "v2.0.0", 10, &out, &n, &e), 0,
	    "after the last row");
	is_int(n, 0, "nothing");
	free(out);

	is_int(index_since(ix, 1003, 10, &out, &n, &e), 0, "since");
	is_int(n, 3, "since is inclusive");
	if (n == 3)
		is_str(out[0].module, "a.com/y", "in stored order");
	free(out);
	is_int(index_since(ix, 0, 2, &out, &n, &e), 0, "limit");
	is_int(n, 2, "limit applies");
	free(out);

	is_int(index_begin(ix, &e), 0, "begin rebuild");
	is_int(index_delete_all(ix, &e), 0, "delete all");
	index_rollback(ix);
	is_int(index_count(ix), 6, "rollback keeps the rows");
	is_int(index_ping(ix, &e), 0, "ping");
	index_close(ix);

	/* A second process sees the same data (WAL, file on disk). */
	is_int(index_open(&ix, dir, &e), 0, "reopen");
	is_int(index_count(ix), 6, "rows persisted");

	/* Cached answers belong to the upstream (scope) that gave them. */
	index_cache_scope(ix, "upstream-a");
	is_int(index_cache_put(ix, "list:m", 200, "v1.0.0\n", 7, &e), 0,
	    "cache put for A");
	is_int(index_cache_get(ix, "list:m", &c, &e), 1, "cache get for A");
	is_str(c.body.data, "v1.0.0\n", "A's body");
	buf_free(&c.body);
	index_cache_scope(ix, "upstream-b");
	is_int(index_cache_get(ix, "list:m", &c, &e), 0,
	    "nothing cached for B: A's answer is not B's");
	is_int(index_cache_put(ix, "list:m", 404, "gone", 4, &e), 0,
	    "cache put for B");
	index_cache_scope(ix, "upstream-a");
	is_int(index_cache_get(ix, "list:m", &c, &e), 1, "A's answer kept");
	is_int(c.status, 200, "A's status, not B's");
	buf_free(&c.body);
	/* An explicit scope (a checksum database's) is its own. */
	is_int(index_cache_get_in(ix, "sumdb-x", "list:m", &c, &e), 0,
	    "nothing cached in scope sumdb-x");
	is_int(index_cache_put_in(ix, "sumdb-x", "list:m", 200, "x", 1, &e),
	    0, "cache put in sumdb-x");
	is_int(index_cache_get_in(ix, "sumdb-x", "list:m", &c, &e), 1,
	    "cache get in sumdb-x");
	is_str(c.body.data, "x", "sumdb-x's body");
	buf_free(&c.body);
	is_int(index_cache_get(ix, "list:m", &c, &e), 1, "A's still");
	is_int(c.status, 200, "A's status, not sumdb-x's");
	buf_free(&c.body);

	/* Writes for after the answer. */
	{
		struct later_item it[20];
		int j, all = 1, txn = 1, once = 1;

		memset(it, 0, sizeof(it));
		is_int(index_flush(ix, &e), 0, "flush: nothing queued");
		for (j = 0; j < 16; j++) {
			it[j].n = j;
			it[j].fail = j == 1;
			index_later(ix, later_put, &it[j], later_done);
		}
		ok(!later_have(ix, 0) && it[0].done == 0, "later: nothing "
		    "written before the flush");
		/* The queue is full: the 17th writes the 16 first. */
		it[16].n = 16;
		is_int(index_later(ix, later_put, &it[16], later_done), 0,
		    "later: a 17th is queued");
		for (j = 0; j < 16; j++) {
			all &= j == 1 ? !later_have(ix, j) : later_have(ix, j);
			txn &= it[j].in_txn;
			once &= it[j].done == 1;
		}
		ok(all, "later: a full queue is written first, every item but "
		    "the failing one");
		ok(txn, "later: each inside the flush's one transaction");
		ok(once, "later: each done once, the failing one too");
		ok(it[16].done == 0 && !later_have(ix, 16), "later: the 17th "
		    "waits for the next flush");
		is_int(index_flush(ix, &e), 0, "later: flushed");
		ok(it[16].done == 1 && later_have(ix, 16), "later: the 17th "
		    "written by it");
		is_int(index_flush(ix, &e), 0, "later: a second flush has "
		    "nothing to do");
		ok(it[0].done == 1 && it[16].done == 1, "later: and runs "
		    "nothing again");
		/* Queued at close: written by index_close. */
		it[17].n = 17;
		is_int(index_later(ix, later_put, &it[17], later_done), 0,
		    "later: queued before the close");
		index_close(ix);
		ok(it[17].done == 1, "later: index_close made it");
		is_int(index_open(&ix, dir, &e), 0, "reopen after the close");
		index_cache_scope(ix, "upstream-a");
		ok(later_have(ix, 17), "later: written by the close");
		/* Inside another transaction (the write lock not its own):
		 * the queue is dropped, each done called. */
		it[18].n = 18;
		index_later(ix, later_put, &it[18], later_done);
		is_int(index_begin(ix, &e), 0, "later: a transaction open");
		is_int(index_flush(ix, &e), -1, "later: its BEGIN fails: -1");
		index_rollback(ix);
		ok(it[18].done == 1 && !later_have(ix, 18), "later: dropped, "
		    "not written alone");
	}
	index_close(ix);

	/* Two processes open an index of schema 3: one migrates it and
	 * caches an answer, then the other, which read schema 3 before it
	 * waited for the lock, must not migrate it again (dropping the
	 * answer), and must open it. */
	snprintf(sub, sizeof(sub), "%s/race", dir);
	is_int(race(sub, 0), 0, "a migration done meanwhile is not done "
	    "again: the row cached since survives");
	/* The lock held longer than the busy timeout once migrated: the
	 * other one finds schema 4 and opens the index all the same. */
	snprintf(sub, sizeof(sub), "%s/busy", dir);
	is_int(race(sub, 6000), 0, "the lock busy past the timeout, the "
	    "migration done: the index opens");
	/* A write that waits for another process's lock: in at once. */
	is_int(index_open(&ix, dir, &e), 0, "reopen");
	snprintf(sub, sizeof(sub), "%s/index.sqlite", dir);
	lag = busy_lag(ix, sub);
	ok(lag >= 0, "a write waits for another process's write lock");
	if (!ok(lag >= 0 && lag < BUSY_LATE_MS * 1000, "and is done within "
	    "milliseconds of its release"))
		printf("#   %lld us after the release\n", lag);
	index_close(ix);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}

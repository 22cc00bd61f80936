/*
 * index.c: the sqlite index of stored versions (DESIGN section 3).
 *
 * One database file, state_dir/index.sqlite, in WAL mode so that many
 * responder processes read while one writes.  It is opened once per
 * process and its statements are prepared once (opening per request costs
 * five times more: baseline.md).  The tree is the source of truth: the
 * index can always be rebuilt by reindex.c.  A write that finds another
 * process's write lock waits in short steps (index_busy), not in
 * sqlite's default steps of milliseconds.  Writes that need not precede
 * the answer (cache rows) are queued on the connection (index_later) and
 * made together in one transaction (index_flush, once the answer is out):
 * every write transaction is a lock all other responders wait for.
 *
 * Tables:
 *   versions   one row per stored module@version: the time from .info,
 *              when it was stored (nanoseconds, for /index), the h1 hashes
 *              of zip and go.mod, the zip size and SHA-256 (the ETag),
 *              where it came from.  Keyed by (module, version) for the
 *              catalog's keyset pagination, and by (stored, id) for /index.
 *   locks      the singleflight lock table (lock.c holds the policy).
 *   upstream_cache  upstream answers for list and @latest, positive and
 *              negative, with the time they were fetched, keyed by the
 *              upstream that gave them (index_cache_scope: the hash of
 *              the parsed GOPROXY list) and the key: after [upstream]
 *              goproxy changes, nothing the old one said is served.
 *              A checksum database's answers ("sumdb:<name>/<path>")
 *              are scoped by that database instead (struct sumdb's
 *              scope, given to index_cache_get_in/put_in): GOPROXY
 *              changes keep them, its URL or key changing does not.
 *   meta       the verified tree head of each checksum database
 *              ("sumdb-tree:<name>": the signed note).
 *   sumdb_records, sumdb_hashes  the private checksum database's log
 *              (sumdb_log.c): records by id (dense from 0, append-only)
 *              and the stored hashes of its Merkle tree by stored index.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "piraeus.h"

#define INDEX_SCHEMA_VERSION	4
#define INDEX_SCHEMA_STR	"4"
/* Schema 4 keyed upstream_cache by the upstream too: an older cache's
 * rows are of an unknown upstream and are dropped, never served. */
#define INDEX_CACHE_SCHEMA	4
#define INDEX_BUSY_MS		5000
/* The busy handler's first wait and its cap: a write transaction of
 * another responder lasts tens of microseconds. */
#define INDEX_BUSY_FIRST_US	50
#define INDEX_BUSY_STEP_MAX_US	2000
/* Rows read at once by a filtered read (index_keep_fn), at the least:
 * the rows it skips are read on until the page is full. */
#define INDEX_SCAN_BATCH	256
/* Writes queued for the connection's next transaction (index_later). */
#define INDEX_LATER_MAX		16

enum index_stmt {
	ST_PUT,
	ST_GET,
	ST_VERSIONS,
	ST_CATALOG_FIRST,
	ST_CATALOG_AFTER,
	ST_SINCE,
	ST_SINCE_AFTER,
	ST_DELETE_ALL,
	ST_DELETE,
	ST_COUNT,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_LOCK_GET,
	ST_LOCK_PUT,
	ST_LOCK_DELETE,
	ST_CACHE_GET,
	ST_CACHE_PUT,
	ST_META_GET,
	ST_META_PUT,
	ST_LOG_COUNT,
	ST_LOG_FIND,
	ST_LOG_RECORD,
	ST_LOG_HASH,
	ST_LOG_ADD,
	ST_LOG_ADD_HASH,
	ST_MAX
};

#define INDEX_COLS "module, version, time, stored, zip_size, zip_h1, " \
	"mod_h1, zip_sha256, has_info, has_zip, origin"

static const char *const index_sql[ST_MAX] = {
	[ST_PUT] = "INSERT INTO versions (" INDEX_COLS ") "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	    "ON CONFLICT (module, version) DO UPDATE SET time = ?3, "
	    "zip_size = ?5, zip_h1 = ?6, mod_h1 = ?7, zip_sha256 = ?8, "
	    "has_info = ?9, has_zip = ?10",
	[ST_GET] = "SELECT " INDEX_COLS " FROM versions "
	    "WHERE module = ?1 AND version = ?2",
	[ST_VERSIONS] = "SELECT " INDEX_COLS " FROM versions "
	    "WHERE module = ?1",
	[ST_CATALOG_FIRST] = "SELECT " INDEX_COLS " FROM versions "
	    "ORDER BY module, version LIMIT ?1",
	[ST_CATALOG_AFTER] = "SELECT " INDEX_COLS " FROM versions "
	    "WHERE (module, version) > (?1, ?2) "
	    "ORDER BY module, version LIMIT ?3",
	/* /index reads the row id too: the next batch starts after it. */
	[ST_SINCE] = "SELECT " INDEX_COLS ", id FROM versions "
	    "WHERE stored >= ?1 ORDER BY stored, id LIMIT ?2",
	[ST_SINCE_AFTER] = "SELECT " INDEX_COLS ", id FROM versions "
	    "WHERE (stored, id) > (?1, ?2) ORDER BY stored, id LIMIT ?3",
	[ST_DELETE_ALL] = "DELETE FROM versions",
	[ST_DELETE] = "DELETE FROM versions WHERE module = ?1 AND version = ?2",
	[ST_COUNT] = "SELECT count(*) FROM versions",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_LOCK_GET] = "SELECT owner_pid, host, started, expires FROM locks "
	    "WHERE key = ?1",
	[ST_LOCK_PUT] = "INSERT OR REPLACE INTO locks (key, owner_pid, host, "
	    "started, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_LOCK_DELETE] = "DELETE FROM locks WHERE key = ?1 AND "
	    "owner_pid = ?2 AND host = ?3 AND started = ?4",
	[ST_CACHE_GET] = "SELECT status, fetched, body FROM upstream_cache "
	    "WHERE upstream = ?2 AND key = ?1",
	[ST_CACHE_PUT] = "INSERT OR REPLACE INTO upstream_cache (upstream, "
	    "key, status, fetched, body) VALUES (?5, ?1, ?2, ?3, ?4)",
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[ST_META_PUT] = "INSERT OR REPLACE INTO meta (key, value) "
	    "VALUES (?1, ?2)",
	/* ids are dense from 0: the last one + 1 is the count (rowid). */
	[ST_LOG_COUNT] = "SELECT coalesce(max(id) + 1, 0) "
	    "FROM sumdb_records",
	[ST_LOG_FIND] = "SELECT id FROM sumdb_records "
	    "WHERE module = ?1 AND version = ?2",
	[ST_LOG_RECORD] = "SELECT text FROM sumdb_records WHERE id = ?1",
	[ST_LOG_HASH] = "SELECT hash FROM sumdb_hashes WHERE idx = ?1",
	[ST_LOG_ADD] = "INSERT INTO sumdb_records (id, module, version, text) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[ST_LOG_ADD_HASH] = "INSERT INTO sumdb_hashes (idx, hash) "
	    "VALUES (?1, ?2)",
};

static const char index_schema[] =
	"CREATE TABLE IF NOT EXISTS meta ("
	"  key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS versions ("
	"  id INTEGER PRIMARY KEY,"
	"  module TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  time TEXT NOT NULL DEFAULT '',"
	"  stored INTEGER NOT NULL,"
	"  zip_size INTEGER NOT NULL DEFAULT -1,"
	"  zip_h1 TEXT NOT NULL DEFAULT '',"
	"  mod_h1 TEXT NOT NULL DEFAULT '',"
	"  zip_sha256 TEXT NOT NULL DEFAULT '',"
	"  has_info INTEGER NOT NULL DEFAULT 0,"
	"  has_zip INTEGER NOT NULL DEFAULT 0,"
	"  origin TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (module, version));"
	"CREATE INDEX IF NOT EXISTS versions_stored ON versions (stored, id);"
	"CREATE TABLE IF NOT EXISTS locks ("
	"  key TEXT PRIMARY KEY,"
	"  owner_pid INTEGER NOT NULL,"
	"  host TEXT NOT NULL,"
	"  started INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS upstream_cache ("
	"  upstream TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  fetched INTEGER NOT NULL,"
	"  body BLOB NOT NULL,"
	"  PRIMARY KEY (upstream, key));"
	"CREATE TABLE IF NOT EXISTS sumdb_records ("
	"  id INTEGER PRIMARY KEY,"
	"  module TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  text BLOB NOT NULL,"
	"  UNIQUE (module, version));"
	"CREATE TABLE IF NOT EXISTS sumdb_hashes ("
	"  idx INTEGER PRIMARY KEY,"
	"  hash BLOB NOT NULL);";

struct index {
	sqlite3		*db;
	sqlite3_stmt	*st[ST_MAX];
	char		 scope[SHA256_HEX];	/* the upstream of the cache */
	long long	 busy_waited_us;	/* of the current busy wait */
	long long	 busy_gave_up_us;	/* when a wait last gave up
						 * (monotonic), 0 never */
	struct index_later {
		index_later_fn	*fn;
		void		*arg;
		void		(*done)(void *);
	}		 later[INDEX_LATER_MAX];	/* index_later's queue */
	size_t		 nlater;
};

/*
 * sqlite's busy handler: another process holds the lock ix needs.  Wait
 * INDEX_BUSY_FIRST_US, doubling up to INDEX_BUSY_STEP_MAX_US, and give up
 * (SQLITE_BUSY to the caller) after INDEX_BUSY_MS in all.  sqlite's own
 * sqlite3_busy_timeout sleeps 1 ms at first, then 2, 5, 10 ...: forty
 * times longer than the write transaction it waits for, on every miss
 * that meets another responder's (lock, release, index row).  Once a
 * wait has given up, waits starting within INDEX_BUSY_MS give up at once.
 * Returns 1 to try again, 0 to give up.
 */
static int
index_busy(void *arg, int count)
{
	struct index *ix = arg;
	long long us, now;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	if (count == 0) {
		ix->busy_waited_us = 0;
		/* A lock held past one whole wait a moment ago: give up at
		 * once, so that one request's statements do not wait
		 * INDEX_BUSY_MS each, one after the other. */
		if (ix->busy_gave_up_us != 0 &&
		    now - ix->busy_gave_up_us < (long long)INDEX_BUSY_MS * 1000)
			return 0;
	}
	if (ix->busy_waited_us >= (long long)INDEX_BUSY_MS * 1000) {
		ix->busy_gave_up_us = now;
		return 0;
	}
	us = count < 6 ? (long long)INDEX_BUSY_FIRST_US << count :
	    INDEX_BUSY_STEP_MAX_US;
	if (us > INDEX_BUSY_STEP_MAX_US)
		us = INDEX_BUSY_STEP_MAX_US;
	ix->busy_waited_us += us;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)us * 1000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return 1;
}

static int
index_fail(struct index *ix, struct err *e, const char *what)
{
	return err_set(e, E_UNAVAIL, "index: %s: %s", what,
	    ix->db ? sqlite3_errmsg(ix->db) : "not open");
}

/* The prepared statement s, reset and unbound, ready for new values. */
static sqlite3_stmt *
index_stmt(struct index *ix, enum index_stmt s, struct err *e)
{
	if (ix->st[s] == NULL &&
	    sqlite3_prepare_v3(ix->db, index_sql[s], -1,
	    SQLITE_PREPARE_PERSISTENT, &ix->st[s], NULL) != SQLITE_OK) {
		index_fail(ix, e, "prepare");
		return NULL;
	}
	sqlite3_reset(ix->st[s]);
	sqlite3_clear_bindings(ix->st[s]);
	return ix->st[s];
}

static int
index_exec_stmt(struct index *ix, enum index_stmt s, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = index_stmt(ix, s, e)) == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return index_fail(ix, e, index_sql[s]);
	return 0;
}

/* The schema version of db (PRAGMA user_version), -1 on error. */
static int
index_user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int version = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return version;
}

/*
 * Bring the index at path, found of an older schema, to this one.  The
 * version is read again once the write lock is held: of processes that
 * opened it at once, the first migrates and the others find it done (a
 * second migration would drop the cache rows written since).  When the
 * lock stays busy past the timeout, a migration done by another process
 * meanwhile is enough.  Every table is CREATE ... IF NOT EXISTS: older
 * schemas gain the tables they lack.  An older upstream_cache is
 * dropped: its rows name no upstream.  0, or -1 and e set.
 */
static int
index_migrate(struct index *ix, const char *path, struct err *e)
{
	char *msg = NULL;
	int version;

	if (sqlite3_exec(ix->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) !=
	    SQLITE_OK) {
		if (index_user_version(ix->db) == INDEX_SCHEMA_VERSION) {
			sqlite3_free(msg);
			return 0;
		}
		err_set(e, E_UNAVAIL, "index %s: %s", path, msg);
		sqlite3_free(msg);
		return -1;
	}
	version = index_user_version(ix->db);
	if (version < 0 || version > INDEX_SCHEMA_VERSION) {
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
		if (version < 0)
			return err_set(e, E_UNAVAIL, "index %s: %s", path,
			    sqlite3_errmsg(ix->db));
		return err_set(e, E_UNAVAIL, "index %s: schema %d is newer "
		    "than this program (%d)", path, version,
		    INDEX_SCHEMA_VERSION);
	}
	if ((version < INDEX_SCHEMA_VERSION && ((version < INDEX_CACHE_SCHEMA &&
	    sqlite3_exec(ix->db, "DROP TABLE IF EXISTS upstream_cache", NULL,
	    NULL, &msg) != SQLITE_OK) || sqlite3_exec(ix->db, index_schema,
	    NULL, NULL, &msg) != SQLITE_OK || sqlite3_exec(ix->db,
	    "PRAGMA user_version = " INDEX_SCHEMA_STR, NULL, NULL, &msg) !=
	    SQLITE_OK)) || sqlite3_exec(ix->db, "COMMIT", NULL, NULL, &msg) !=
	    SQLITE_OK) {
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
		err_set(e, E_UNAVAIL, "index %s: %s", path, msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* The database file name in dir and its journal: one host's index in
 * WAL mode; the private log shared by every host (index_open_log) with a
 * rollback journal, which needs no shared memory (WAL's -shm cannot be
 * shared across machines), each commit durable (a signed tree head is
 * never taken back).  The state directory is made when missing; the
 * log's never is (mkdir 0): a missing one is a shared file system not
 * mounted, where a log made here would be this host's alone. */
static int
index_open_at(struct index **out, const char *state_dir, const char *name,
    const char *pragmas, int mkdir_ok, struct err *e)
{
	struct index *ix;
	char *path, *msg = NULL;
	struct stat sb;
	int version;

	*out = NULL;
	if (mkdir_ok && mkdir(state_dir, 0750) == -1 && errno != EEXIST)
		return err_errno(e, E_UNAVAIL, "state directory %s", state_dir);
	if (!mkdir_ok && (stat(state_dir, &sb) == -1 ||
	    !S_ISDIR(sb.st_mode)))
		return err_set(e, E_UNAVAIL, "[sumdb] log_dir %s: %s (the "
		    "directory every host shares: not mounted?)", state_dir,
		    access(state_dir, F_OK) == -1 ? strerror(errno) :
		    "not a directory");
	ix = xcalloc(1, sizeof(*ix));
	xasprintf(&path, "%s/%s", state_dir, name);
	if (sqlite3_open_v2(path, &ix->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		err_set(e, E_UNAVAIL, "index %s: %s", path,
		    ix->db ? sqlite3_errmsg(ix->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_handler(ix->db, index_busy, ix);
	if (sqlite3_exec(ix->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, E_UNAVAIL, "index %s: %s", path, msg);
		goto fail;
	}
	/* Read without the lock first: an index of this schema, the usual
	 * case, takes no write lock to open. */
	if ((version = index_user_version(ix->db)) < 0) {
		err_set(e, E_UNAVAIL, "index %s: %s", path,
		    sqlite3_errmsg(ix->db));
		goto fail;
	}
	if (version > INDEX_SCHEMA_VERSION) {
		err_set(e, E_UNAVAIL, "index %s: schema %d is newer than this "
		    "program (%d)", path, version, INDEX_SCHEMA_VERSION);
		goto fail;
	}
	if (version < INDEX_SCHEMA_VERSION &&
	    index_migrate(ix, path, e) == -1)
		goto fail;
	free(path);
	*out = ix;
	return 0;
fail:
	sqlite3_free(msg);
	free(path);
	index_close(ix);
	return -1;
}

int
index_open(struct index **out, const char *state_dir, struct err *e)
{
	return index_open_at(out, state_dir, "index.sqlite",
	    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", 1, e);
}

int
index_open_log(struct index **out, const char *dir, struct err *e)
{
	return index_open_at(out, dir, "sumdb-log.sqlite",
	    "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;", 0, e);
}

int
index_threadsafe(void)
{
	return sqlite3_threadsafe() != 0;
}

void
index_close(struct index *ix)
{
	int i;

	if (ix == NULL)
		return;
	if (ix->nlater > 0 && ix->db != NULL) {
		struct err e;

		err_clear(&e);
		if (index_flush(ix, &e) == -1)
			log_warnx("index: %s", e.msg);
	}
	for (i = 0; i < ST_MAX; i++)
		sqlite3_finalize(ix->st[i]);
	/* Checkpoint so the next opener does not replay a large WAL. */
	if (ix->db != NULL) {
		sqlite3_wal_checkpoint_v2(ix->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		sqlite3_close(ix->db);
	}
	free(ix);
}

int
index_begin(struct index *ix, struct err *e)
{
	return index_exec_stmt(ix, ST_BEGIN, e);
}

int
index_commit(struct index *ix, struct err *e)
{
	return index_exec_stmt(ix, ST_COMMIT, e);
}

void
index_rollback(struct index *ix)
{
	struct err e;

	err_clear(&e);
	index_exec_stmt(ix, ST_ROLLBACK, &e);
}

int
index_later(struct index *ix, index_later_fn *fn, void *arg,
    void (*done)(void *))
{
	struct err e;

	/* Full: what is queued is written first, so that the writes keep
	 * their order (a later row never lands over a newer one). */
	if (ix->nlater >= INDEX_LATER_MAX) {
		err_clear(&e);
		if (index_flush(ix, &e) == -1)
			log_warnx("index: %s", e.msg);
	}
	ix->later[ix->nlater].fn = fn;
	ix->later[ix->nlater].arg = arg;
	ix->later[ix->nlater].done = done;
	ix->nlater++;
	return 0;
}

int
index_flush(struct index *ix, struct err *e)
{
	struct err we;
	size_t i, n = ix->nlater;
	int rc;

	if (n == 0)
		return 0;
	ix->nlater = 0;
	/* Without the transaction (the write lock not had in time) they
	 * are dropped: each is a cache, written again on its next need,
	 * and written alone it could interleave with another process's. */
	if ((rc = index_begin(ix, e)) == 0) {
		for (i = 0; i < n; i++) {
			err_clear(&we);
			if (ix->later[i].fn(ix, ix->later[i].arg, &we) == -1)
				log_warnx("index: %s", we.msg);
		}
		if ((rc = index_commit(ix, e)) == -1)
			index_rollback(ix);
	}
	for (i = 0; i < n; i++)
		if (ix->later[i].done != NULL)
			ix->later[i].done(ix->later[i].arg);
	return rc;
}

int
index_put(struct index *ix, const struct index_version *v, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = index_stmt(ix, ST_PUT, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, v->module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, v->time, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, v->stored);
	sqlite3_bind_int64(st, 5, v->zip_size);
	sqlite3_bind_text(st, 6, v->zip_h1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, v->mod_h1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, v->zip_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, v->has_info);
	sqlite3_bind_int(st, 10, v->has_zip);
	sqlite3_bind_text(st, 11, v->origin, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return index_fail(ix, e, "insert");
	return 0;
}

static void
index_copy_text(char *dst, size_t dstsz, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, dstsz, "%s", t ? (const char *)t : "");
}

/* Fill v from the current row (columns in INDEX_COLS order). */
static void
index_row(sqlite3_stmt *st, struct index_version *v)
{
	memset(v, 0, sizeof(*v));
	index_copy_text(v->module, sizeof(v->module), st, 0);
	index_copy_text(v->version, sizeof(v->version), st, 1);
	index_copy_text(v->time, sizeof(v->time), st, 2);
	v->stored = sqlite3_column_int64(st, 3);
	v->zip_size = sqlite3_column_int64(st, 4);
	index_copy_text(v->zip_h1, sizeof(v->zip_h1), st, 5);
	index_copy_text(v->mod_h1, sizeof(v->mod_h1), st, 6);
	index_copy_text(v->zip_sha256, sizeof(v->zip_sha256), st, 7);
	v->has_info = sqlite3_column_int(st, 8);
	v->has_zip = sqlite3_column_int(st, 9);
	index_copy_text(v->origin, sizeof(v->origin), st, 10);
	if (sqlite3_column_count(st) > 11)
		v->id = sqlite3_column_int64(st, 11);
}

/* Step st to the end collecting rows into an allocated array. */
static int
index_collect(struct index *ix, sqlite3_stmt *st, struct index_version **out,
    size_t *n, struct err *e)
{
	struct index_version *v = NULL;
	size_t nv = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nv == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		index_row(st, &v[nv++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return index_fail(ix, e, "select");
	}
	*out = v;
	*n = nv;
	return 0;
}

int
index_get(struct index *ix, const char *module, const char *version,
    struct index_version *v, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = index_stmt(ix, ST_GET, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		index_row(st, v);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return index_fail(ix, e, "select");
}

static int
index_version_cmp(const void *a, const void *b)
{
	const struct index_version *va = a, *vb = b;
	int c = semver_compare(va->version, vb->version);

	return c ? c : strcmp(va->version, vb->version);
}

int
index_versions(struct index *ix, const char *module,
    struct index_version **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = index_stmt(ix, ST_VERSIONS, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	if (index_collect(ix, st, out, n, e) == -1)
		return -1;
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), index_version_cmp);
	return 0;
}

int
index_delete_all(struct index *ix, struct err *e)
{
	return index_exec_stmt(ix, ST_DELETE_ALL, e);
}

/*
 * Step st (bound by the caller) to the end, appending the rows keep keeps
 * (every row when keep is NULL) to *out (*n rows in *cap allocated) until
 * there are want; the last row read goes to *last.  The rows read, or -1
 * (*out is left for the caller to free).
 */
static long
index_collect_kept(struct index *ix, sqlite3_stmt *st, index_keep_fn *keep,
    void *arg, size_t want, struct index_version **out, size_t *n,
    size_t *cap, struct index_version *last, struct err *e)
{
	long nread = 0;
	int rc = SQLITE_DONE;

	while (*n < want && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		index_row(st, last);
		nread++;
		if (keep != NULL && !keep(arg, last))
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*out = xreallocarray(*out, *cap, sizeof(**out));
		}
		(*out)[(*n)++] = *last;
	}
	if (*n < want && rc != SQLITE_DONE) {
		sqlite3_reset(st);
		return index_fail(ix, e, "select");
	}
	sqlite3_reset(st);
	return nread;
}

/* The statement of one batch of a filtered read: the first (cur NULL) or
 * the one after the row cur, batch rows; NULL with e set on error. */
typedef sqlite3_stmt *index_batch_fn(struct index *, const void *after,
    const struct index_version *cur, long batch, struct err *);

/*
 * Up to limit rows kept by keep (NULL: every row) of the batches batch_fn
 * binds, read on past the rows keep skips until limit are kept or the
 * rows end: *out allocated, *n rows.  0, or -1 with e set.
 */
static int
index_read_kept(struct index *ix, index_batch_fn *batch_fn, const void *after,
    long limit, index_keep_fn *keep, void *arg, struct index_version **out,
    size_t *n, struct err *e)
{
	struct index_version cur, last;
	sqlite3_stmt *st;
	long batch = keep == NULL || limit >= INDEX_SCAN_BATCH ? limit :
	    INDEX_SCAN_BATCH, nread;
	size_t cap = 0;
	int first = 1;

	*out = NULL;
	*n = 0;
	if (limit <= 0)
		return 0;
	for (;;) {
		/* cur is bound as the cursor: last is written while the
		 * statement steps, cur only between batches. */
		if ((st = batch_fn(ix, after, first ? NULL : &cur, batch,
		    e)) == NULL || (nread = index_collect_kept(ix, st, keep,
		    arg, (size_t)limit, out, n, &cap, &last, e)) == -1) {
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
		if (*n >= (size_t)limit || nread < batch)
			return 0;
		cur = last;
		first = 0;
	}
}

/* The cursor a catalog read starts after: a row, or none. */
struct index_catalog_after {
	const char	*module;	/* NULL: from the first row */
	const char	*version;
};

/* index_batch_fn of the catalog: keyset on (module, version). */
static sqlite3_stmt *
index_catalog_batch(struct index *ix, const void *arg,
    const struct index_version *cur, long batch, struct err *e)
{
	const struct index_catalog_after *a = arg;
	const char *mod = cur != NULL ? cur->module : a->module;
	const char *ver = cur != NULL ? cur->version : a->version;
	sqlite3_stmt *st;

	if (mod == NULL) {
		if ((st = index_stmt(ix, ST_CATALOG_FIRST, e)) == NULL)
			return NULL;
		sqlite3_bind_int64(st, 1, batch);
		return st;
	}
	if ((st = index_stmt(ix, ST_CATALOG_AFTER, e)) == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, mod, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ver != NULL ? ver : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, batch);
	return st;
}

/* index_batch_fn of /index: stored at or after since, then keyset on
 * (stored, id). */
static sqlite3_stmt *
index_since_batch(struct index *ix, const void *arg,
    const struct index_version *cur, long batch, struct err *e)
{
	sqlite3_stmt *st;

	if (cur == NULL) {
		if ((st = index_stmt(ix, ST_SINCE, e)) == NULL)
			return NULL;
		sqlite3_bind_int64(st, 1, *(const int64_t *)arg);
		sqlite3_bind_int64(st, 2, batch);
		return st;
	}
	if ((st = index_stmt(ix, ST_SINCE_AFTER, e)) == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, cur->stored);
	sqlite3_bind_int64(st, 2, cur->id);
	sqlite3_bind_int64(st, 3, batch);
	return st;
}

int
index_delete(struct index *ix, const char *module, const char *version,
    struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = index_stmt(ix, ST_DELETE, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return index_fail(ix, e, "delete");
	return sqlite3_changes(ix->db) > 0 ? 1 : 0;
}

int
index_catalog(struct index *ix, const char *after_mod, const char *after_ver,
    long limit, struct index_version **out, size_t *n, struct err *e)
{
	return index_catalog_kept(ix, after_mod, after_ver, limit, NULL, NULL,
	    out, n, e);
}

int
index_catalog_kept(struct index *ix, const char *after_mod,
    const char *after_ver, long limit, index_keep_fn *keep, void *arg,
    struct index_version **out, size_t *n, struct err *e)
{
	struct index_catalog_after a = { after_mod, after_ver };

	return index_read_kept(ix, index_catalog_batch, &a, limit, keep, arg,
	    out, n, e);
}

int
index_since(struct index *ix, int64_t since, long limit,
    struct index_version **out, size_t *n, struct err *e)
{
	return index_since_kept(ix, since, limit, NULL, NULL, out, n, e);
}

int
index_since_kept(struct index *ix, int64_t since, long limit,
    index_keep_fn *keep, void *arg, struct index_version **out, size_t *n,
    struct err *e)
{
	return index_read_kept(ix, index_since_batch, &since, limit, keep,
	    arg, out, n, e);
}

int
index_ping(struct index *ix, struct err *e)
{
	return index_count(ix) < 0 ? index_fail(ix, e, "count") : 0;
}

int64_t
index_count(struct index *ix)
{
	sqlite3_stmt *st;
	struct err e;
	int64_t n = -1;

	err_clear(&e);
	if ((st = index_stmt(ix, ST_COUNT, &e)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

int
index_lock_get(struct index *ix, const char *key, struct index_lock *l,
    struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = index_stmt(ix, ST_LOCK_GET, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		l->pid = (long)sqlite3_column_int64(st, 0);
		index_copy_text(l->host, sizeof(l->host), st, 1);
		l->started = sqlite3_column_int64(st, 2);
		l->expires = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : index_fail(ix, e, "lock select");
}

int
index_lock_put(struct index *ix, const char *key, const struct index_lock *l,
    struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = index_stmt(ix, ST_LOCK_PUT, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, l->pid);
	sqlite3_bind_text(st, 3, l->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, l->started);
	sqlite3_bind_int64(st, 5, l->expires);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : index_fail(ix, e, "lock insert");
}

int
index_lock_delete(struct index *ix, const char *key, long pid,
    const char *host, int64_t started, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = index_stmt(ix, ST_LOCK_DELETE, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_text(st, 3, host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, started);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : index_fail(ix, e, "lock delete");
}

void
index_cache_scope(struct index *ix, const char *scope)
{
	snprintf(ix->scope, sizeof(ix->scope), "%s", scope);
}

int
index_cache_get(struct index *ix, const char *key, struct index_cached *c,
    struct err *e)
{
	return index_cache_get_in(ix, ix->scope, key, c, e);
}

int
index_cache_put(struct index *ix, const char *key, int status,
    const char *body, size_t len, struct err *e)
{
	return index_cache_put_in(ix, ix->scope, key, status, body, len, e);
}

int
index_cache_get_in(struct index *ix, const char *scope, const char *key,
    struct index_cached *c, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = index_stmt(ix, ST_CACHE_GET, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, scope, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		c->status = sqlite3_column_int(st, 0);
		c->fetched = sqlite3_column_int64(st, 1);
		buf_init(&c->body, (size_t)-1);
		buf_append(&c->body, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2), e);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : index_fail(ix, e, "cache select");
}

int
index_cache_put_in(struct index *ix, const char *scope, const char *key,
    int status, const char *body, size_t len, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = index_stmt(ix, ST_CACHE_PUT, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, status);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	sqlite3_bind_blob(st, 4, body, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, scope, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : index_fail(ix, e, "cache insert");
}

/*
 * Step st (bound by the caller) for one row whose first column goes into
 * out (initialised here): 1, 0 when there is no row, -1 on error.
 */
static int
index_blob(struct index *ix, sqlite3_stmt *st, struct buf *out,
    const char *what, struct err *e)
{
	int rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		buf_init(out, (size_t)-1);
		buf_append(out, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), e);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : index_fail(ix, e, what);
}

int
index_meta_get(struct index *ix, const char *key, struct buf *out,
    struct err *e)
{
	sqlite3_stmt *st;

	if ((st = index_stmt(ix, ST_META_GET, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	return index_blob(ix, st, out, "meta select", e);
}

int
index_meta_put(struct index *ix, const char *key, const char *value,
    size_t len, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = index_stmt(ix, ST_META_PUT, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : index_fail(ix, e, "meta insert");
}

int64_t
index_log_count(struct index *ix, struct err *e)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if ((st = index_stmt(ix, ST_LOG_COUNT, e)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		index_fail(ix, e, "log count");
	sqlite3_reset(st);
	return n;
}

int
index_log_find(struct index *ix, const char *module, const char *version,
    int64_t *id, struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = index_stmt(ix, ST_LOG_FIND, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : index_fail(ix, e, "log find");
}

int
index_log_record(struct index *ix, int64_t id, struct buf *out,
    struct err *e)
{
	sqlite3_stmt *st;

	if ((st = index_stmt(ix, ST_LOG_RECORD, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return index_blob(ix, st, out, "log record", e);
}

int
index_log_hashes(struct index *ix, const int64_t *idx, size_t n,
    unsigned char (*out)[32], struct err *e)
{
	sqlite3_stmt *st;
	size_t i;
	int rc, len = 0;

	for (i = 0; i < n; i++) {
		if ((st = index_stmt(ix, ST_LOG_HASH, e)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, idx[i]);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW &&
		    (len = sqlite3_column_bytes(st, 0)) == 32)
			memcpy(out[i], sqlite3_column_blob(st, 0), 32);
		sqlite3_reset(st);
		if (rc == SQLITE_DONE || (rc == SQLITE_ROW && len != 32))
			return err_set(e, E_INTERNAL, "log: stored hash %lld "
			    "missing", (long long)idx[i]);
		if (rc != SQLITE_ROW)
			return index_fail(ix, e, "log hash");
	}
	return 0;
}

int
index_log_add(struct index *ix, int64_t id, const char *module,
    const char *version, const char *text, int64_t first_idx,
    unsigned char (*hashes)[32], size_t n, struct err *e)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((st = index_stmt(ix, ST_LOG_ADD, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, text, (int)strlen(text), SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return index_fail(ix, e, "log insert");
	for (i = 0; i < n; i++) {
		if ((st = index_stmt(ix, ST_LOG_ADD_HASH, e)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, first_idx + (int64_t)i);
		sqlite3_bind_blob(st, 2, hashes[i], 32, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return index_fail(ix, e, "log hash insert");
	}
	return 0;
}

int
index_stats(struct index *ix, struct index_stats *s, struct err *e)
{
	static const char sql[] =
	    "SELECT count(*), count(DISTINCT module),"
	    " coalesce(sum(CASE WHEN zip_size > 0 THEN zip_size END), 0),"
	    " (SELECT count(*) FROM locks WHERE expires > ?1)"
	    " FROM versions";
	sqlite3_stmt *st;
	int rc;

	memset(s, 0, sizeof(*s));
	if (sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL) != SQLITE_OK)
		return index_fail(ix, e, "stats");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s->versions = sqlite3_column_int64(st, 0);
		s->modules = sqlite3_column_int64(st, 1);
		s->zip_bytes = sqlite3_column_int64(st, 2);
		s->locks = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : err_set(e, E_UNAVAIL, "index stats: %s",
	    sqlite3_errstr(rc));
}

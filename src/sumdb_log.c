/*
 * sumdb_log.c: piraeus' own checksum database, for private modules.
 *
 * With [sumdb] private_key set (a key made by `piraeus sumdb-keygen`),
 * every version piraeus stores of a module matching [sumdb] nosum or
 * [upstream] goprivate gets a record in an append-only log kept in the
 * index (ids dense from 0, the go.sum lines of the version), and the log
 * is served under /sumdb/<key name>/ exactly as golang.org/x/mod/sumdb's
 * server does: lookup, latest (a tree head signed with the key) and tiles
 * of height 8.  Clients then verify private modules as they verify public
 * ones: GOSUMDB="<verifier key> <proxy>/sumdb/<name>".
 *
 * With [sumdb] private_relay the log holds public versions too, each only
 * after it was verified against the first public database, so that a
 * client can use this database as its only GOSUMDB.
 *
 * Which versions belong in the log is policy.c's word, and when they are
 * appended resolve's (after publish, as a hook, or on the first lookup of
 * a version stored before): this file keeps the log and answers from it.
 * Records are never changed: a version's record is made once from the
 * hashes of the stored files, and stored files never change.
 *
 * One writer at a time: sqlite's write lock (BEGIN IMMEDIATE) orders the
 * writers of one host; hosts that share one log (on a shared file system,
 * where sqlite's file locks cannot be trusted) also take the redis lock
 * "sumdb-log" around an append when singleflight is redis (lock.c), so
 * that two hosts never append record N each.  That lock is strict
 * (lock_try_strict): redis down fails the append whatever on_redis_down
 * says, since this host's sqlite lock orders this host only; and it is
 * renewed, owner-checked, right before the commit (lock_hold), so that
 * however long the append waited (index_begin in sqlite's busy handler),
 * it is committed only under a lease that is still ours, with a whole
 * lease ahead of it.
 *
 * Data tiles hold records, so module paths: with [access] rules, one is
 * served only to a user who may see the module of every record in it
 * (sumdb_log_tile_visible).  Hash tiles and the tree head name nothing.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "piraeus.h"

#define SUMDB_RECORD_MAX	(2 * (MODPATH_MAX + VERSION_MAX + H1_MAX + 16))
#define SUMDB_LOG_LOCK		"sumdb-log"	/* the writer lock's key */
#define SUMDB_LOG_LOCK_EXPIRY	60	/* seconds: its lease (an append takes ms) */
#define SUMDB_LOG_LOCK_WAIT	30	/* seconds a writer waits for it: E_TIMEOUT */

/*
 * Take the hosts' writer lock of the log when locks are distributed: 1
 * taken (release it), 0 not needed, -1 and e (E_TIMEOUT after
 * SUMDB_LOG_LOCK_WAIT, or redis' error).
 */
static int
sumdb_log_lock(struct index *ix, struct err *e)
{
	time_t deadline;
	int attempt, st;

	if (!lock_distributed())
		return 0;
	deadline = time(NULL) + SUMDB_LOG_LOCK_WAIT;
	for (attempt = 0;; attempt++) {
		if ((st = lock_try_strict(ix, SUMDB_LOG_LOCK,
		    SUMDB_LOG_LOCK_EXPIRY, e)) == -1)
			return -1;
		if (st == LOCK_OWNER)
			return 1;
		if (time(NULL) >= deadline)
			return err_set(e, E_TIMEOUT, "the private checksum "
			    "database is being written by another host; try "
			    "again");
		lock_wait(SUMDB_LOG_LOCK, attempt, deadline);
	}
}

/* tlog_read_fn over the log's stored hashes in the index. */
static int
sumdb_log_read(void *arg, const int64_t *idx, size_t n,
    struct tlog_hash *out, struct err *e)
{
	return index_log_hashes(arg, idx, n, (unsigned char (*)[32])out, e);
}

/* The record text of a version: its two go.sum lines. */
static void
sumdb_log_text(const char *module, const char *version, const char *zip_h1,
    const char *mod_h1, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s %s %s\n%s %s/go.mod %s\n", module, version,
	    zip_h1, module, version, mod_h1);
}

int
sumdb_log_add(struct index *ix, const struct note_signer *signer,
    const char *module, const char *version, const char *zip_h1,
    const char *mod_h1, struct err *e)
{
	struct tlog_hash leaf, hashes[64];
	char text[SUMDB_RECORD_MAX];
	int64_t id, n;
	size_t nh;
	int found, locked;

	if (zip_h1 == NULL || zip_h1[0] == '\0' || mod_h1 == NULL ||
	    mod_h1[0] == '\0')
		return err_set(e, E_INTERNAL, "%s@%s: no hashes to log",
		    module, version);
	if ((found = index_log_find(ix, module, version, &id, e)) != 0)
		return found == 1 ? 0 : -1;
	sumdb_log_text(module, version, zip_h1, mod_h1, text, sizeof(text));
	tlog_record_hash(text, strlen(text), &leaf);
	if ((locked = sumdb_log_lock(ix, e)) == -1)
		return -1;
	if (index_begin(ix, e) == -1)
		goto fail;
	/* Under the write lock: nobody appended it meanwhile? */
	if ((found = index_log_find(ix, module, version, &id, e)) == 1) {
		index_rollback(ix);
		if (locked)
			lock_release(ix, SUMDB_LOG_LOCK);
		return 0;
	}
	if (found == -1 || (n = index_log_count(ix, e)) == -1 ||
	    tlog_stored_hashes(n, &leaf, sumdb_log_read, ix, hashes, &nh,
	    e) == -1 || index_log_add(ix, n, module, version, text,
	    tlog_stored_hash_index(0, n), (unsigned char (*)[32])hashes, nh,
	    e) == -1 || (locked && lock_hold(ix, SUMDB_LOG_LOCK, e) == -1) ||
	    index_commit(ix, e) == -1) {
		index_rollback(ix);
		goto fail;
	}
	if (locked)
		lock_release(ix, SUMDB_LOG_LOCK);
	log_info("private checksum database %s: record %" PRId64 " for %s@%s",
	    signer->name, n, module, version);
	return 0;
fail:
	if (locked)
		lock_release(ix, SUMDB_LOG_LOCK);
	return -1;
}

int
sumdb_log_check(struct index *ix, const char *module, const char *version,
    const char *zip_h1, const char *mod_h1, struct err *e)
{
	char line[SUMDB_RECORD_MAX];
	struct buf rec;
	int64_t id;
	int found, rc = 0;
	size_t n;

	if ((found = index_log_find(ix, module, version, &id, e)) != 1)
		return found;
	if (index_log_record(ix, id, &rec, e) != 1)
		return err_set(e, E_INTERNAL, "record %" PRId64 " unreadable",
		    id);
	/* The record is "<zip line>\n<go.mod line>\n" (sumdb_log_text). */
	if (zip_h1 != NULL && zip_h1[0] != '\0') {
		snprintf(line, sizeof(line), "%s %s %s\n", module, version,
		    zip_h1);
		if (strncmp(rec.data, line, strlen(line)) != 0)
			rc = -1;
	}
	if (mod_h1 != NULL && mod_h1[0] != '\0') {
		snprintf(line, sizeof(line), "%s %s/go.mod %s\n", module,
		    version, mod_h1);
		n = strlen(line);
		if (rec.len < n || strcmp(rec.data + rec.len - n, line) != 0)
			rc = -1;
	}
	if (rc == -1) {
		log_warnx("SECURITY: %s@%s: upstream sent %s %s, the private "
		    "checksum log's record %" PRId64 " is: %s", module, version,
		    zip_h1 ? zip_h1 : "", mod_h1 ? mod_h1 : "", id, rec.data);
		err_set(e, E_UPSTREAM, "%s@%s differs from record %" PRId64
		    " of the private checksum log (it was stored before with "
		    "other content); not stored", module, version, id);
	}
	buf_free(&rec);
	return rc;
}

/* The signed tree head of the whole log into out (initialised here). */
static int
sumdb_log_signed(const struct note_signer *signer, struct index *ix, int64_t *size,
    struct buf *out, struct err *e)
{
	char text[256];
	struct tlog_hash root;

	if ((*size = index_log_count(ix, e)) == -1 ||
	    tlog_tree_hash(*size, sumdb_log_read, ix, &root, e) == -1 ||
	    tlog_tree_format(*size, &root, text, sizeof(text)) == -1)
		return -1;
	return note_sign(text, strlen(text), signer, out, e);
}

/* lookup: "<id>\n<text>\n<signed tree>". */
static int
sumdb_log_lookup(const struct note_signer *signer, struct index *ix,
    const char *module, const char *version, struct buf *out, struct err *e)
{
	struct buf rec, note;
	int64_t id, size;
	int found;

	if ((found = index_log_find(ix, module, version, &id, e)) == -1)
		return -1;
	if (found == 0)
		return err_set(e, E_NOTFOUND, "%s@%s: not in the private "
		    "checksum database %s", module, version, signer->name);
	if (index_log_record(ix, id, &rec, e) != 1)
		return err_set(e, E_INTERNAL, "record %" PRId64 " vanished",
		    id);
	if (sumdb_log_signed(signer, ix, &size, &note, e) == -1) {
		buf_free(&rec);
		return -1;
	}
	buf_init(out, (size_t)-1);
	buf_printf(out, e, "%" PRId64 "\n", id);
	buf_append(out, rec.data, rec.len, e);
	buf_append(out, "\n", 1, e);
	buf_append(out, note.data, note.len, e);
	buf_free(&rec);
	buf_free(&note);
	return 0;
}

/* A tile of the log: hashes, or records for a data tile. */
static int
sumdb_log_tile(struct index *ix, const struct tlog_tile *t,
    struct buf *out, struct err *e)
{
	int64_t size, first, have, idx[1 << TLOG_TILE_H];
	struct tlog_hash h[1 << TLOG_TILE_H];
	struct buf rec;
	int i;

	if (t->h != TLOG_TILE_H)
		return err_set(e, E_NOTFOUND, "only tiles of height %d",
		    TLOG_TILE_H);
	if ((size = index_log_count(ix, e)) == -1)
		return -1;
	first = t->n << t->h;
	have = t->l == -1 ? size : t->l * t->h >= 63 ? 0 :
	    size >> (t->l * t->h);
	if (first + t->w > have)
		return err_set(e, E_NOTFOUND, "tile beyond the tree of %"
		    PRId64 " records", size);
	buf_init(out, (size_t)-1);
	if (t->l == -1) {
		for (i = 0; i < t->w; i++) {
			if (index_log_record(ix, first + i, &rec, e) != 1)
				return err_set(e, E_INTERNAL, "record %" PRId64
				    " missing", first + i);
			buf_printf(out, e, "%" PRId64 "\n", first + i);
			buf_append(out, rec.data, rec.len, e);
			buf_append(out, "\n", 1, e);
			buf_free(&rec);
		}
		return e->code == E_OK ? 0 : -1;
	}
	for (i = 0; i < t->w; i++)
		idx[i] = tlog_stored_hash_index(t->l * t->h, first + i);
	if (sumdb_log_read(ix, idx, (size_t)t->w, h, e) == -1)
		return -1;
	return buf_append(out, h, (size_t)t->w * TLOG_HASH, e);
}

/* The module a record names (its first word) into out; 0 or -1. */
static int
sumdb_log_record_module(const struct buf *rec, char *out, size_t outsz)
{
	size_t n;

	for (n = 0; n < rec->len && rec->data[n] != ' ' &&
	    rec->data[n] != '\n'; n++)
		;
	if (n == 0 || n == rec->len || n >= outsz)
		return -1;
	memcpy(out, rec->data, n);
	out[n] = '\0';
	return 0;
}

/* 1 unless path is a data tile within the log holding a record of a
 * module hidden from user (0); -1 on error. */
int
sumdb_log_tile_visible(struct index *ix, const char *path,
    const struct access *acl, const char *user, struct err *e)
{
	char module[MODPATH_MAX];
	struct tlog_tile t;
	struct buf rec;
	int64_t size, first, i;
	int bad, visible = 1;

	if (access_nrules(acl) == 0 || tlog_tile_parse(path, &t) == -1 ||
	    t.l != -1 || t.h != TLOG_TILE_H)
		return 1;
	if ((size = index_log_count(ix, e)) == -1)
		return -1;
	first = t.n << t.h;
	/* Beyond the log: its answer is 404 for everyone. */
	if (first + t.w > size)
		return 1;
	for (i = first; visible && i < first + t.w; i++) {
		if (index_log_record(ix, i, &rec, e) != 1)
			return err_set(e, E_INTERNAL, "record %" PRId64
			    " missing", i);
		bad = sumdb_log_record_module(&rec, module, sizeof(module));
		buf_free(&rec);
		if (bad == -1)
			return err_set(e, E_INTERNAL, "record %" PRId64
			    " names no module", i);
		visible = access_visible(acl, user, module);
	}
	return visible;
}

int
sumdb_log_has(struct index *ix, const char *module, const char *version,
    struct err *e)
{
	int64_t id;

	return index_log_find(ix, module, version, &id, e);
}

int
sumdb_log_answer(struct index *ix, const struct note_signer *signer,
    const char *path, const char *module, const char *version,
    struct buf *out, struct err *e)
{
	struct tlog_tile t;
	int64_t size;

	if (strcmp(path, "latest") == 0)
		return sumdb_log_signed(signer, ix, &size, out, e);
	if (strncmp(path, "lookup/", 7) == 0)
		return sumdb_log_lookup(signer, ix, module, version, out, e);
	if (tlog_tile_parse(path, &t) == 0)
		return sumdb_log_tile(ix, &t, out, e);
	return err_set(e, E_NOTFOUND, "unknown checksum database path");
}

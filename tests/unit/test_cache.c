/*
 * test_cache.c: the TTL cache over the index (cache.c): a row holds an
 * error value (E_OK for an answer), fresh within its ttl (a failure
 * within neg_ttl), a row of any other value (an HTTP status written by an
 * older program) is nothing cached, and cache_settle stores an answer,
 * remembers "not found" only when asked, and serves a stale answer only
 * when allowed and only for a failure other than "not found".  An
 * answer marked memo is also kept in the process's memory: read from
 * there while fresh, within CACHE_MEMO_MAX rows (the least recently used
 * going first); another one never is.  A policy's later row (a checksum
 * database's lookup) is answered from memory at once, written to the
 * index only by index_flush (one transaction), and then read from the
 * index again; a full queue is written first, the order kept.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

/* cache_settle of a fetch of k that brought text, under policy p: its
 * return. */
static int
settle_text(const struct cache_key *k, const struct cache_policy *p,
    const char *text)
{
	struct cache_entry old;
	struct buf up, body;
	struct err e, ue;
	int rc;

	memset(&old, 0, sizeof(old));
	err_clear(&e);
	err_clear(&ue);
	buf_init(&up, 64);
	buf_append(&up, text, strlen(text), &e);
	if ((rc = cache_settle(k, &old, p, 0, &up, &ue, &body, NULL, &e)) == 0)
		buf_free(&body);
	return rc;
}

/* How many of the rows "sumdb:t/lookup/q@v<0..39>" scope-t holds in ix. */
static int
count_q(struct index *ix)
{
	struct index_cached row;
	char key[64];
	struct err e;
	int i, n = 0;

	err_clear(&e);
	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "sumdb:t/lookup/q@v%d", i);
		if (index_cache_get_in(ix, "scope-t", key, &row, &e) == 1) {
			n++;
			buf_free(&row.body);
		}
	}
	return n;
}

int
main(void)
{
	char dir[] = "/tmp/test_cache.XXXXXX", cmd[128], key[64];
	struct cache_key k = { NULL, "scope-a", "list:m" };
	struct cache_policy pol = { "list:m", 1, 1 };
	struct cache_entry c;
	struct buf up, body;
	struct err e, ue;
	int stale = 0, i;

	if (mkdtemp(dir) == NULL)
		return 1;
	err_clear(&e);
	is_int(cache_lookup(&k, 60, 60, &c, &e), CACHE_NONE,
	    "no index: nothing cached");
	is_int(cache_put(&k, E_OK, "x", 1, &e), 0, "no index: put is a no-op");
	is_int(index_open(&k.ix, dir, &e), 0, "open");
	if (k.ix == NULL)
		return tap_done();

	/* An index written before: HTTP statuses are nothing cached. */
	index_cache_put_in(k.ix, "scope-a", "list:m", 200, "old", 3, &e);
	is_int(cache_lookup(&k, 60, 60, &c, &e), CACHE_NONE,
	    "a row holding an HTTP 200 is not an answer");
	index_cache_put_in(k.ix, "scope-a", "list:m", 404, "old", 3, &e);
	is_int(cache_lookup(&k, 60, 60, &c, &e), CACHE_NONE,
	    "a row holding an HTTP 404 is not a failure");

	is_int(cache_put(&k, E_OK, "v1.0.0\n", 7, &e), 0, "put an answer");
	is_int(cache_lookup(&k, 60, 0, &c, &e), CACHE_FRESH,
	    "an answer within ttl is fresh");
	is_int(c.code, E_OK, "as E_OK");
	is_str(c.body.data, "v1.0.0\n", "with its bytes");
	cache_entry_free(&c);
	is_int(cache_lookup(&k, 0, 60, &c, &e), CACHE_STALE,
	    "past ttl, stale (neg_ttl is not its)");
	is_int(c.have, 1, "and still read");
	cache_entry_free(&c);
	is_int(cache_lookup(&k, -1, 0, &c, &e), CACHE_FRESH,
	    "ttl -1: fresh for ever");
	cache_entry_free(&c);

	/* Upstream down: the stale answer, when allowed. */
	cache_lookup(&k, 0, 0, &c, &e);
	err_clear(&ue);
	err_set(&ue, E_UPSTREAM, "down");
	is_int(cache_settle(&k, &c, &pol, -1, &up, &ue, &body, &stale, &e),
	    0, "upstream down: the stale answer");
	is_int(stale, 1, "said stale");
	is_str(body.data, "v1.0.0\n", "the old bytes");
	buf_free(&body);
	pol.serve_stale = 0;
	cache_lookup(&k, 0, 0, &c, &e);
	is_int(cache_settle(&k, &c, &pol, -1, &up, &ue, &body, NULL, &e),
	    -1, "not allowed: the failure");
	is_int(e.code, E_UPSTREAM, "upstream's code");

	/* "Not found" is never served stale; remembered as E_NOTFOUND. */
	pol.serve_stale = 1;
	err_clear(&e);
	err_clear(&ue);
	err_set(&ue, E_GONE, "gone upstream");
	cache_lookup(&k, 0, 0, &c, &e);
	is_int(cache_settle(&k, &c, &pol, -1, &up, &ue, &body, NULL, &e),
	    -1, "gone: no stale answer");
	is_int(e.code, E_GONE, "the caller is told 410");
	is_int(cache_lookup(&k, 60, 60, &c, &e), CACHE_FRESH,
	    "the failure is fresh within neg_ttl");
	is_int(c.code, E_NOTFOUND, "remembered as E_NOTFOUND");
	err_clear(&e);
	cache_failure(&c, "dflt", &e);
	is_str(e.msg, "gone upstream", "with upstream's message");
	cache_entry_free(&c);
	is_int(cache_lookup(&k, 60, 0, &c, &e), CACHE_STALE,
	    "past neg_ttl, stale (ttl is not its)");
	cache_entry_free(&c);

	/* A fetched answer replaces it. */
	buf_init(&up, 64);
	buf_puts(&up, "v2.0.0\n", &e);
	cache_lookup(&k, 60, 0, &c, &e);
	is_int(cache_settle(&k, &c, &pol, 0, &up, &ue, &body, NULL, &e), 0,
	    "fetched: the answer");
	buf_free(&body);
	is_int(cache_lookup(&k, 60, 0, &c, &e), CACHE_FRESH, "stored fresh");
	is_str(c.body.data, "v2.0.0\n", "the new bytes");
	cache_entry_free(&c);

	/* Scopes stay apart. */
	k.scope = "scope-b";
	is_int(cache_lookup(&k, 60, 60, &c, &e), CACHE_NONE,
	    "another scope's row is not this one's");

	/* Immutable answers are read from memory: a row changed behind the
	 * cache (no program does that to a memo one) shows which. */
	k.scope = "scope-t";
	k.key = "sumdb:t/tile/8/0/000";
	k.memo = 1;
	is_int(cache_put(&k, E_OK, "tile-a", 6, &e), 0, "put a memo answer");
	index_cache_put_in(k.ix, "scope-t", k.key, E_OK, "tile-b", 6, &e);
	is_int(cache_lookup(&k, 60, 0, &c, &e), CACHE_FRESH,
	    "memo: fresh");
	is_str(c.body.data, "tile-a", "memo: read from memory, not the index");
	cache_entry_free(&c);
	is_int(cache_lookup(&k, 0, 0, &c, &e), CACHE_STALE,
	    "memo, past ttl: stale");
	is_str(c.body.data, "tile-b", "memo, past ttl: read from the index");
	cache_entry_free(&c);
	is_int(cache_lookup(&k, -1, 0, &c, &e), CACHE_FRESH,
	    "memo, ttl -1: fresh");
	is_str(c.body.data, "tile-b", "the index's row read is kept in memory");
	cache_entry_free(&c);
	index_cache_put_in(k.ix, "scope-t", k.key, E_OK, "tile-c", 6, &e);
	cache_lookup(&k, 60, 0, &c, &e);
	is_str(c.body.data, "tile-b", "and read from memory after");
	cache_entry_free(&c);
	/* 64 other memo rows push the first one out (the cap). */
	for (i = 0; i < 64; i++) {
		snprintf(key, sizeof(key), "sumdb:t/tile/8/0/%03d", i + 1);
		k.key = key;
		cache_put(&k, E_OK, "x", 1, &e);
	}
	k.key = "sumdb:t/tile/8/0/000";
	cache_lookup(&k, 60, 0, &c, &e);
	is_str(c.body.data, "tile-c", "past CACHE_MEMO_MAX rows: the oldest is "
	    "read from the index again");
	cache_entry_free(&c);
	/* A failure put under a memo key replaces the answer kept in
	 * memory too. */
	k.key = "sumdb:t/tile/8/0/x";
	cache_put(&k, E_OK, "tile-x", 6, &e);
	cache_put(&k, E_NOTFOUND, "gone", 4, &e);
	is_int(cache_lookup(&k, 60, 60, &c, &e), CACHE_FRESH,
	    "memo, then a failure put: the failure is fresh");
	is_int(c.code, E_NOTFOUND, "memo, then a failure put: not the old "
	    "answer from memory");
	cache_entry_free(&c);
	/* A mutable answer is read from the index every time. */
	k.key = "list:m2";
	k.memo = 0;
	cache_put(&k, E_OK, "v1\n", 3, &e);
	index_cache_put_in(k.ix, "scope-t", "list:m2", E_OK, "v2\n", 3, &e);
	cache_lookup(&k, 60, 0, &c, &e);
	is_str(c.body.data, "v2\n", "mutable: never read from memory");
	cache_entry_free(&c);

	/* Later rows: a lookup fetched while the client waits. */
	{
		struct cache_policy later = { "sumdb", 0, 0, 1 };
		struct index_cached row;
		int n;

		k.key = "sumdb:t/lookup/a@v1";
		k.memo = 0;
		is_int(settle_text(&k, &later, "rec-1"), 0, "later: settled");
		is_int(index_cache_get_in(k.ix, "scope-t", k.key, &row, &e), 0,
		    "later: not in the index before the flush");
		is_int(cache_lookup(&k, 60, 0, &c, &e), CACHE_FRESH,
		    "later: fresh for this process at once");
		is_str(c.code == E_OK ? c.body.data : "", "rec-1",
		    "later: from memory");
		cache_entry_free(&c);
		is_int(index_flush(k.ix, &e), 0, "later: flushed");
		is_int(index_cache_get_in(k.ix, "scope-t", k.key, &row, &e), 1,
		    "later: in the index after the flush");
		is_str(row.body.data != NULL ? row.body.data : "", "rec-1",
		    "later: the bytes put");
		buf_free(&row.body);
		/* Not memo: after the flush memory holds it no longer. */
		index_cache_put_in(k.ix, "scope-t", k.key, E_OK, "rec-2", 5,
		    &e);
		cache_lookup(&k, 60, 0, &c, &e);
		is_str(c.body.data, "rec-2", "later, flushed: read from the "
		    "index again");
		cache_entry_free(&c);
		/* Past the queue (index_later's cap), the queue is written
		 * first: none is lost, and the order kept (a row queued
		 * before is not written over one put after it). */
		k.key = "sumdb:t/lookup/o@v1";
		settle_text(&k, &later, "old");
		for (i = 0; i < 40; i++) {
			snprintf(key, sizeof(key), "sumdb:t/lookup/q@v%d", i);
			k.key = key;
			settle_text(&k, &later, "q");
		}
		k.key = "sumdb:t/lookup/o@v1";
		settle_text(&k, &later, "new");
		/* 42 rows: the 17th, 33rd wrote the 16 before each. */
		is_int(count_q(k.ix), 31, "later, past the queue: the rows "
		    "before the last full queue are written");
		index_flush(k.ix, &e);
		is_int(index_cache_get_in(k.ix, "scope-t",
		    "sumdb:t/lookup/o@v1", &row, &e), 1, "later: the row put "
		    "twice is there");
		is_str(row.body.data != NULL ? row.body.data : "", "new",
		    "later: the newer one, not the one queued before");
		buf_free(&row.body);
		n = count_q(k.ix);
		is_int(n, 40, "later, after the flush: every row written");
	}

	index_close(k.ix);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}

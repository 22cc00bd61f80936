/*
 * cache.c: answers kept for a while in the index cache (upstream lists
 * and @latest, resolved queries, checksum database tiles and lookups,
 * the database's base, remembered failures).
 *
 * A row holds an error value, never an HTTP status: E_OK for an answer
 * (its bytes), anything else for a remembered failure (its message).  A
 * row whose value is no error value (an index written before, when this
 * column held HTTP statuses) is nothing cached.  cache_lookup says
 * whether a row is fresh (an answer younger than the caller's ttl, a
 * failure younger than its neg_ttl) or stale; after a fetch,
 * cache_settle stores what came and answers: the fetched bytes, the
 * failure (a "not found" remembered when the caller wants it), or, when
 * upstream failed otherwise and the caller allows it, the stale answer.
 * What to fetch, under which lock, and when is the caller's.
 *
 * Answers the caller marks memo (a checksum database's tiles: a tile's
 * path names exactly the hashes it holds; the database's base, decided
 * once a ttl) are also kept in this process's memory, CACHE_MEMO_MAX of them and CACHE_MEMO_BYTES at most,
 * the least recently used going first: every proof of a cold verification
 * reads the same few tiles at the tree's edge, and each read of the index
 * was a read transaction of its own (7 % of the responder's CPU in
 * bench/fetch's verified cold run, perf).  A memorised row is what the
 * index held or was given; freshness is decided from its fetch time as
 * for the index's, so a row the caller thinks stale is read again.
 *
 * A caller whose policy says later (a checksum database's lookups and
 * tiles, fetched while a client waits) has its row written with the
 * index's next write transaction once the answer is out (index_later,
 * index_flush: one transaction for the request's rows instead of one
 * each, each a write lock every other responder waits for); until then
 * this process's memory answers for it, whatever its memo.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "piraeus.h"

#define CACHE_MEMO_MAX		64		/* memo rows in memory */
#define CACHE_MEMO_BYTES	(1024 * 1024)	/* their bodies, in all */
#define CACHE_MEMO_NAME_MAX	1024		/* scope, a NUL, the key */
/* The largest body whose row may be written after the answer (a
 * checksum database's full tile is 8 KiB, a lookup less); a larger one
 * is written at once. */
#define CACHE_LATER_BODY_MAX	(64 * 1024)

/* One memorised row: an answer (E_OK). */
struct cache_memo {
	char		 name[CACHE_MEMO_NAME_MAX];	/* scope \0 key; "" free */
	size_t		 namelen;
	int64_t		 fetched;
	char		*body;
	size_t		 len;
	uint64_t	 used;		/* the tick of its last use */
};

/* The process's memorised rows (the main and publisher threads share
 * them: mu guards all). */
static struct {
	pthread_mutex_t		 mu;
	struct cache_memo	 v[CACHE_MEMO_MAX];
	size_t			 bytes;
	uint64_t		 tick;
} cache_memo = { PTHREAD_MUTEX_INITIALIZER, { { "", 0, 0, NULL, 0, 0 } },
    0, 0 };

/* k's memo name into out (scope, NUL, key): its length, or 0 when k is
 * not memorised (not memo and not any, or the name is too long).  any:
 * whatever k's memo, as for a row written later (cache_put_later), which
 * this process's memory holds until it is written. */
static size_t
cache_memo_name(const struct cache_key *k, int any,
    char out[CACHE_MEMO_NAME_MAX])
{
	const char *scope = k->scope != NULL ? k->scope : "";
	size_t sl = strlen(scope), kl = strlen(k->key);

	if ((!k->memo && !any) || sl + 1 + kl + 1 > CACHE_MEMO_NAME_MAX)
		return 0;
	memcpy(out, scope, sl + 1);
	memcpy(out + sl + 1, k->key, kl + 1);
	return sl + 1 + kl;
}

/* The slot holding name, or NULL; mu held. */
static struct cache_memo *
cache_memo_find(const char *name, size_t namelen)
{
	size_t i;

	for (i = 0; i < CACHE_MEMO_MAX; i++)
		if (cache_memo.v[i].namelen == namelen &&
		    memcmp(cache_memo.v[i].name, name, namelen) == 0)
			return &cache_memo.v[i];
	return NULL;
}

/* Empty slot m; mu held. */
static void
cache_memo_clear(struct cache_memo *m)
{
	cache_memo.bytes -= m->len;
	free(m->body);
	memset(m, 0, sizeof(*m));
}

/* Memorise k's answer (body, fetched then), evicting the least recently
 * used rows to stay within the caps; a body over the byte cap is not
 * kept.  Out of memory keeps nothing (the index still has the row). */
static void
cache_memo_put(const struct cache_key *k, int any, const char *body,
    size_t len, int64_t fetched)
{
	char name[CACHE_MEMO_NAME_MAX];
	struct cache_memo *m, *old;
	size_t namelen, i;
	char *copy;

	if ((namelen = cache_memo_name(k, any, name)) == 0 ||
	    len > CACHE_MEMO_BYTES || (copy = malloc(len + 1)) == NULL)
		return;
	if (len > 0)
		memcpy(copy, body, len);
	copy[len] = '\0';
	pthread_mutex_lock(&cache_memo.mu);
	if ((m = cache_memo_find(name, namelen)) != NULL)
		cache_memo_clear(m);
	for (;;) {
		m = old = NULL;
		for (i = 0; i < CACHE_MEMO_MAX; i++) {
			if (cache_memo.v[i].namelen == 0)
				m = m != NULL ? m : &cache_memo.v[i];
			else if (old == NULL ||
			    cache_memo.v[i].used < old->used)
				old = &cache_memo.v[i];
		}
		if (m != NULL && cache_memo.bytes + len <= CACHE_MEMO_BYTES)
			break;
		cache_memo_clear(old);	/* non-NULL: some slot is taken */
	}
	memcpy(m->name, name, namelen + 1);
	m->namelen = namelen;
	m->fetched = fetched;
	m->body = copy;
	m->len = len;
	m->used = ++cache_memo.tick;
	cache_memo.bytes += len;
	pthread_mutex_unlock(&cache_memo.mu);
}

/* Forget k's memorised answer (any: as for cache_memo_name), if any. */
static void
cache_memo_drop(const struct cache_key *k, int any)
{
	char name[CACHE_MEMO_NAME_MAX];
	struct cache_memo *m;
	size_t namelen;

	if ((namelen = cache_memo_name(k, any, name)) == 0)
		return;
	pthread_mutex_lock(&cache_memo.mu);
	if ((m = cache_memo_find(name, namelen)) != NULL)
		cache_memo_clear(m);
	pthread_mutex_unlock(&cache_memo.mu);
}

/* k's memorised answer into row (its body a copy): 1, or 0 for none.
 * Any key is looked for: one not memo is there while its row waits to be
 * written (cache_put_later). */
static int
cache_memo_get(const struct cache_key *k, struct index_cached *row)
{
	char name[CACHE_MEMO_NAME_MAX];
	struct cache_memo *m;
	size_t namelen;
	struct err e;
	int found = 0;

	if ((namelen = cache_memo_name(k, 1, name)) == 0)
		return 0;
	err_clear(&e);
	pthread_mutex_lock(&cache_memo.mu);
	if ((m = cache_memo_find(name, namelen)) != NULL) {
		m->used = ++cache_memo.tick;
		row->status = E_OK;
		row->fetched = m->fetched;
		buf_init(&row->body, (size_t)-1);
		found = buf_append(&row->body, m->body, m->len, &e) == 0;
		if (!found)
			buf_free(&row->body);
	}
	pthread_mutex_unlock(&cache_memo.mu);
	return found;
}

/* Read k's row into c: CACHE_NONE, CACHE_STALE or CACHE_FRESH (see
 * piraeus.h), -1 and e set when the index fails. */
int
cache_lookup(const struct cache_key *k, long ttl, long neg_ttl,
    struct cache_entry *c, struct err *e)
{
	struct index_cached row;
	int64_t age;
	long limit;
	int rc;

	memset(c, 0, sizeof(*c));
	if (k->ix == NULL)
		return CACHE_NONE;
	memset(&row, 0, sizeof(row));
	if ((rc = cache_memo_get(k, &row)) == 1) {
		age = (int64_t)time(NULL) - row.fetched;
		if (ttl < 0 || age < ttl)
			goto have;
		buf_free(&row.body);	/* stale here: the index may be newer */
	}
	rc = k->scope == NULL ? index_cache_get(k->ix, k->key, &row, e) :
	    index_cache_get_in(k->ix, k->scope, k->key, &row, e);
	if (rc == -1)
		return -1;
	if (rc == 0)
		return CACHE_NONE;
	if (row.status < E_OK || row.status > E_INTERNAL) {
		buf_free(&row.body);
		return CACHE_NONE;
	}
	if (row.status == E_OK)
		cache_memo_put(k, 0, row.body.data, row.body.len, row.fetched);
have:
	c->have = 1;
	c->code = (enum errc)row.status;
	c->body = row.body;
	age = (int64_t)time(NULL) - row.fetched;
	limit = c->code == E_OK ? ttl : neg_ttl;
	return (c->code == E_OK && ttl < 0) || age < limit ? CACHE_FRESH :
	    CACHE_STALE;
}

void
cache_entry_free(struct cache_entry *c)
{
	if (c->have)
		buf_free(&c->body);
	c->have = 0;
}

/* Store code and body under k (nothing without an index): 0, or -1. */
int
cache_put(const struct cache_key *k, enum errc code, const char *body,
    size_t len, struct err *e)
{
	int rc;

	if (k->ix == NULL)
		return 0;
	rc = k->scope == NULL ? index_cache_put(k->ix, k->key, (int)code,
	    body, len, e) : index_cache_put_in(k->ix, k->scope, k->key,
	    (int)code, body, len, e);
	/* Memory holds what the index holds: an answer put there, else
	 * nothing (a failure replaces an answer kept before). */
	if (rc == 0 && code == E_OK && k->memo)
		cache_memo_put(k, 0, body, len, (int64_t)time(NULL));
	else
		cache_memo_drop(k, 1);	/* a row still to be written too */
	return rc;
}

/* A row to write once the answer is out (index_later): owned copies. */
struct cache_later {
	char		*scope;		/* NULL: the index's */
	char		*key;
	int		 memo;		/* the key's */
	enum errc	 code;
	size_t		 len;
	char		 body[];
};

static int
cache_later_put(struct index *ix, void *arg, struct err *e)
{
	struct cache_later *l = arg;

	return l->scope == NULL ? index_cache_put(ix, l->key, (int)l->code,
	    l->body, l->len, e) : index_cache_put_in(ix, l->scope, l->key,
	    (int)l->code, l->body, l->len, e);
}

/* After l's row is written (or lost with its transaction): memory keeps
 * it no longer unless its key is memo. */
static void
cache_later_free(void *arg)
{
	struct cache_later *l = arg;
	struct cache_key k = { NULL, l->scope, l->key, l->memo };

	if (!l->memo)
		cache_memo_drop(&k, 1);
	free(l->scope);
	free(l->key);
	free(l);
}

/*
 * cache_put, the index's row written in the connection's next
 * index_flush (one transaction for the request's rows, after the answer);
 * this process's memory has it at once.  A key's rows go this way or
 * cache_put's, never both (the queue keeps its own order only).  0, or -1
 * and e.
 */
static int
cache_put_later(const struct cache_key *k, enum errc code, const char *body,
    size_t len, struct err *e)
{
	struct cache_later *l;

	if (k->ix == NULL)
		return 0;
	if (len > CACHE_LATER_BODY_MAX)
		return cache_put(k, code, body, len, e);
	l = xmalloc(sizeof(*l) + len + 1);
	l->scope = k->scope != NULL ? xstrdup(k->scope) : NULL;
	l->key = xstrdup(k->key);
	l->memo = k->memo;
	l->code = code;
	l->len = len;
	if (len > 0)
		memcpy(l->body, body, len);
	l->body[len] = '\0';
	if (code == E_OK)
		cache_memo_put(k, 1, body, len, (int64_t)time(NULL));
	else
		cache_memo_drop(k, 1);
	return index_later(k->ix, cache_later_put, l, cache_later_free);
}

/* The failure c remembers, as e (its message, or dflt when it has none). */
int
cache_failure(const struct cache_entry *c, const char *dflt, struct err *e)
{
	return err_set(e, c->code, "%s", c->body.data != NULL ?
	    c->body.data : dflt);
}

/* After a fetch of k: see piraeus.h.  c is freed or handed on. */
int
cache_settle(const struct cache_key *k, struct cache_entry *c,
    const struct cache_policy *p, int rc, struct buf *up,
    const struct err *ue, struct buf *body, int *stale, struct err *e)
{
	struct err ce;

	err_clear(&ce);
	if (rc == 0) {
		(p->later ? cache_put_later : cache_put)(k, E_OK, up->data,
		    up->len, &ce);
		cache_entry_free(c);
		*body = *up;
		return 0;
	}
	if (ue->code == E_NOTFOUND || ue->code == E_GONE) {
		if (p->remember_notfound)
			(p->later ? cache_put_later : cache_put)(k,
			    E_NOTFOUND, ue->msg, strlen(ue->msg), &ce);
		cache_entry_free(c);
		return err_set(e, ue->code, "%s", ue->msg);
	}
	/* Upstream failed: an older answer is still a valid answer. */
	if (p->serve_stale && c->have && c->code == E_OK) {
		log_warnx("%s: %s (serving a stale copy)", p->what, ue->msg);
		if (stale != NULL)
			*stale = 1;
		*body = c->body;
		c->have = 0;
		return 0;
	}
	cache_entry_free(c);
	return err_set(e, ue->code, "%s", ue->msg);
}

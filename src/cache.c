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
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "piraeus.h"

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
	if (k->ix == NULL)
		return 0;
	return k->scope == NULL ? index_cache_put(k->ix, k->key, (int)code,
	    body, len, e) : index_cache_put_in(k->ix, k->scope, k->key,
	    (int)code, body, len, e);
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
		cache_put(k, E_OK, up->data, up->len, &ce);
		cache_entry_free(c);
		*body = *up;
		return 0;
	}
	if (ue->code == E_NOTFOUND || ue->code == E_GONE) {
		if (p->remember_notfound)
			cache_put(k, E_NOTFOUND, ue->msg, strlen(ue->msg), &ce);
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

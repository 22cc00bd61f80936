/*
 * resolve_version.c: a version into storage, exactly once (DESIGN 4, 5).
 *
 * The pipeline's back half, for one module version: a query ("v1.2", a
 * branch) is first resolved to a canonical version (cached for list_ttl
 * like a list); a version the tree already holds is done; else, under the
 * singleflight lock of the version (lock.c), so that N concurrent
 * requests in any number of processes cause one upstream fetch, the
 * upstream list is walked as the go command walks GOPROXY (upstream_walk:
 * "," falls through on "not found" only, "|" on any error; private
 * modules go direct) and each entry's answer goes fetch.c -> check.c ->
 * publish.c (with its hooks) before the walk ends.  The others wait
 * (bounded by wait_timeout, then E_TIMEOUT) and find the version in
 * storage, or the failure of the fetch they waited for.  "Not found" is
 * remembered for notfound_ttl (cache.c), so a crowd asking for a missing
 * version costs one upstream request.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "piraeus.h"

#define RESOLVE_KEY_MAX	(MODPATH_MAX + VERSION_MAX + 16)

void
resolve_sumdb_ctx(const struct resolver *rv, const struct decision *d,
    struct sumdb_ctx *sc)
{
	sc->cfg = rv->cfg;
	sc->idx = rv->idx;
	sc->up = rv->up;
	sc->dbs = rv->dbs;
	sc->offline = d->offline;
	sc->fallback = d->fallback;
}

int
resolve_index(const struct resolver *rv, struct err *e)
{
	if (rv->idx != NULL)
		return 0;
	return err_set(e, E_UNAVAIL, "%s", rv->idx_error != NULL &&
	    rv->idx_error[0] != '\0' ? rv->idx_error : "no index");
}

/* The private checksum database's after-publish hook. */
static int
resolve_log_hook(void *arg, const struct index_version *iv, struct err *e)
{
	const struct resolver *rv = arg;

	return sumdb_log_add(rv->idx, rv->signer, iv->module, iv->version,
	    iv->zip_h1, iv->mod_h1, e);
}

/* What one upstream entry is asked for module@version (canonical). */
struct resolve_walk {
	const struct resolver	*rv;
	const struct decision	*d;
	const char		*module, *emod, *version, *ever;
	enum want_kind		 kind;
};

/* One entry: fetch -> check -> publish.  0, or -1 and e set (logged). */
static int
resolve_version_try(void *arg, const struct upstream *u, struct err *e)
{
	struct resolve_walk *w = arg;
	const struct resolver *rv = w->rv;
	struct fetch_env fe = { rv->cfg, rv->store };
	struct publish_hook hook = { "private checksum database",
	    resolve_log_hook, (void *)(uintptr_t)rv };
	struct publish_env pe = { rv->store, rv->idx, &hook, 0 };
	char where[ANSWER_PATH_MAX], zip_h1[H1_MAX], mod_h1[H1_MAX];
	struct sumdb_ctx sc;
	struct fetched f;
	int rc;

	resolve_sumdb_ctx(rv, w->d, &sc);
	if (w->d->log && rv->signer != NULL && rv->idx != NULL)
		pe.nhooks = 1;
	rc = fetch_files(&fe, u, w->module, w->version, w->kind, &f, e);
	if (rc == 0)
		rc = check_fetched(w->d->verify ? &sc : NULL, w->module,
		    w->version, &f, zip_h1, mod_h1, e);
	upstream_redact(u->url, where, sizeof(where));
	if (rc == 0)
		rc = publish_version(&pe, w->emod, w->ever, &f, zip_h1, where,
		    e);
	fetched_free(&f);
	if (rc == 0)
		return 0;
	log_info("fetch %s@%s from %s: %s", w->module, w->version, where,
	    e->msg);
	return -1;
}

/* Walk the upstream list for module@version (canonical). */
static int
resolve_version_walk(const struct resolver *rv, const struct decision *d,
    const char *module, const char *emod, const char *version,
    const char *ever, enum want_kind kind, struct err *e)
{
	struct resolve_walk w = { rv, d, module, emod, version, ever, kind };
	struct err fe;

	switch (upstream_walk(rv->up, d->direct_only, resolve_version_try, &w,
	    &fe)) {
	case WALK_ANSWERED:
		return 0;
	case WALK_OFF:
		err_clear(&fe);
		err_set(&fe, E_NOTFOUND, "not in storage (module lookup "
		    "disabled by GOPROXY=off)");
		break;
	case WALK_FAILED:
		break;
	}
	return err_set(e, fe.code, "%s", fe.msg);
}

/* What one upstream entry is asked to resolve a query to. */
struct resolve_query_walk {
	const struct resolver	*rv;
	const char		*module, *query;
	char			*canon;
	struct buf		*body;
};

static int
resolve_query_try(void *arg, const struct upstream *u, struct err *e)
{
	struct resolve_query_walk *w = arg;
	struct fetch_env fe = { w->rv->cfg, w->rv->store };
	struct buf b;
	int rc;

	if ((rc = fetch_query(&fe, u, w->module, w->query, w->canon, &b,
	    e)) != 0)
		return rc;
	if (w->body != NULL)
		*w->body = b;
	else
		buf_free(&b);
	return 0;
}

int
resolve_query_upstream(const struct resolver *rv, const struct decision *d,
    const char *module, const char *query, char canon[VERSION_MAX],
    struct buf *body, struct err *e)
{
	struct resolve_query_walk w = { rv, module, query, canon, body };
	enum upstream_walked how;

	if (body != NULL)
		memset(body, 0, sizeof(*body));
	how = upstream_walk(rv->up, d->direct_only, resolve_query_try, &w, e);
	if (how == WALK_ANSWERED)
		return 0;
	if (how == WALK_FAILED)
		return -1;
	err_clear(e);
	return err_set(e, E_NOTFOUND, "unknown revision %s", query);
}

/*
 * A query resolved through the cache: its answer (a branch tip moves) is
 * reused for list_ttl, like an upstream list, so that repeated
 * "@v/main.info" requests do not each ask upstream or run go.
 */
static int
resolve_query_cached(const struct resolver *rv, const struct decision *d,
    const char *module, const char *query, char canon[VERSION_MAX],
    struct err *e)
{
	char key[RESOLVE_KEY_MAX + 8];
	struct cache_key k = { rv->idx, NULL, key };
	struct cache_entry c;
	struct err ce;
	int have;

	err_clear(&ce);
	snprintf(key, sizeof(key), "query:%s@%s", module, query);
	have = cache_lookup(&k, rv->cfg->list_ttl, 0, &c, &ce) ==
	    CACHE_FRESH && c.code == E_OK && c.body.len > 0 &&
	    c.body.len < VERSION_MAX;
	if (have)
		memcpy(canon, c.body.data, c.body.len + 1);
	cache_entry_free(&c);
	if (have)
		return 0;
	if (resolve_query_upstream(rv, d, module, query, canon, NULL,
	    e) == -1)
		return -1;
	cache_put(&k, E_OK, canon, strlen(canon), &ce);
	return 0;
}

/*
 * A remembered failure for key younger than notfound_ttl: "not found"
 * (E_NOTFOUND, E_GONE) or "upstream down" (E_UPSTREAM).  1 and e set
 * when there is one.
 */
int
resolve_negative(const struct resolver *rv, const char *key, struct err *e)
{
	struct cache_key k = { rv->idx, NULL, key };
	struct cache_entry c;
	struct err ce;
	int found;

	err_clear(&ce);
	found = cache_lookup(&k, 0, rv->cfg->notfound_ttl, &c, &ce) ==
	    CACHE_FRESH && c.code != E_OK;
	if (found)
		cache_failure(&c, "", e);
	cache_entry_free(&c);
	return found;
}

/*
 * Singleflight shares failures too: a request that waited (since
 * "waiting", 0 when it did not) for another's fetch of the same version
 * gets that fetch's failure instead of trying again itself.  1 and e set
 * when there is one.
 */
static int
resolve_failed_since(struct index *ix, const char *key, time_t waiting,
    struct err *e)
{
	struct index_cached c;
	struct err ce;
	int found;

	if (waiting == 0)
		return 0;
	err_clear(&ce);
	if (index_cache_get(ix, key, &c, &ce) != 1)
		return 0;
	found = c.fetched >= (int64_t)waiting && c.status > E_OK &&
	    c.status <= E_INTERNAL;
	if (found)
		err_set(e, (enum errc)c.status, "%s", c.body.data != NULL ?
		    c.body.data : "the fetch failed");
	buf_free(&c.body);
	return found;
}

int
resolve_version(const struct resolver *rv, const struct decision *d,
    const char *module, const char *query, enum want_kind kind,
    char canon[VERSION_MAX], struct err *e)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX], key[RESOLVE_KEY_MAX];
	char negkey[RESOLVE_KEY_MAX + 4], failkey[RESOLVE_KEY_MAX + 8];
	struct index *ix;
	time_t deadline, waiting = 0;
	int attempt, st, rc;

	if (modpath_escape(module, emod, sizeof(emod)) == -1)
		return err_set(e, E_NOTFOUND, "invalid module path");
	if (semver_canonical(query, 1, canon, VERSION_MAX) == -1 ||
	    strcmp(canon, query) != 0) {
		if (resolve_query_cached(rv, d, module, query, canon, e) == -1)
			return -1;
		kind = WANT_ZIP;	/* a query's answer is a whole version */
	}
	if (modpath_escape(canon, ever, sizeof(ever)) == -1)
		return err_set(e, E_NOTFOUND, "invalid version");
	if (stored_have(rv->store, emod, ever, kind))
		return 0;
	if (resolve_index(rv, e) == -1)
		return -1;
	ix = rv->idx;
	snprintf(key, sizeof(key), "v:%s@%s", module, canon);
	snprintf(negkey, sizeof(negkey), "neg:%s", key);
	snprintf(failkey, sizeof(failkey), "failed:%s", key);
	deadline = time(NULL) + rv->cfg->wait_timeout;
	for (attempt = 0;; attempt++) {
		if (resolve_negative(rv, negkey, e) ||
		    resolve_failed_since(ix, failkey, waiting, e))
			return -1;
		if ((st = lock_try(ix, key, rv->cfg->lock_expiry, e)) == -1)
			return -1;
		if (st == LOCK_OWNER)
			break;
		if (waiting == 0)
			waiting = time(NULL);
		lock_backoff(attempt);
		if (stored_have(rv->store, emod, ever, kind))
			return 0;
		if (time(NULL) >= deadline)
			return err_set(e, E_TIMEOUT, "%s@%s is still being "
			    "fetched by another request; try again", module,
			    canon);
	}
	/* The previous holder may have finished (or failed) just before we
	 * got here. */
	if (stored_have(rv->store, emod, ever, kind))
		rc = 0;
	else if (resolve_failed_since(ix, failkey, waiting, e))
		rc = -1;
	else if ((rc = resolve_version_walk(rv, d, module, emod, canon, ever,
	    kind, e)) == -1) {
		struct cache_key neg = { ix, NULL, negkey };
		struct cache_key fail = { ix, NULL, failkey };
		struct err ce;

		err_clear(&ce);
		/* Not found is remembered for notfound_ttl; any other failure
		 * goes to the requests that waited for this fetch. */
		cache_put(e->code == E_NOTFOUND || e->code == E_GONE ? &neg :
		    &fail, e->code, e->msg, strlen(e->msg), &ce);
	}
	lock_release(ix, key);
	return rc;
}

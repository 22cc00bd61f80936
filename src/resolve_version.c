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
#include <sys/stat.h>
#include <time.h>

#include "piraeus.h"

/* The largest zip answered from its temporary copy before it is
 * published: streamed through the responder while the version's lock is
 * held; a larger one is published first and sent by the web server. */
#define RESOLVE_PENDING_ZIP_MAX	(1024 * 1024)

void
resolve_policy(const struct resolver *rv, struct policy *p)
{
	p->cfg = rv->cfg;
	p->modes = rv->modes;
	p->up = rv->up;
	p->signer_name = rv->signer != NULL ? rv->signer->name : NULL;
	p->filter = rv->filter;
	p->vuln = rv->vuln;
	p->acl = rv->acl;
	p->idx = rv->idx;
}

void
resolve_sumdb_ctx(struct resolver *rv, const struct decision *d,
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
resolve_index(struct resolver *rv, struct err *e)
{
	if (rv->idx != NULL)
		return 0;
	return err_set(e, E_UNAVAIL, "%s", rv->idx_error != NULL &&
	    rv->idx_error[0] != '\0' ? rv->idx_error : "no index");
}

struct index *
resolve_log_index(const struct resolver *rv)
{
	return rv->logidx != NULL ? rv->logidx : rv->idx;
}

/* The private checksum database's after-publish hook. */
static int
resolve_log_hook(void *arg, const struct index_version *iv, struct err *e)
{
	struct resolver *rv = arg;

	return sumdb_log_add(resolve_log_index(rv), rv->signer, iv->module,
	    iv->version, iv->zip_h1, iv->mod_h1, e);
}

/* What one upstream entry is asked for module@version (canonical). */
struct resolve_walk {
	struct resolver		*rv;
	const struct decision	*d;
	const char		*module, *emod, *version, *ever;
	enum want_kind		 kind;
	const char		*key;		/* the version's lock */
	struct answer		*a;		/* answer from the files, or NULL */
	int			 answered;	/* a was, and f is pending */
	int			 nozip;		/* [policy] vulnerable refuses the
						 * zip: a answered, only the .mod
						 * stored, nothing pending */
};

/*
 * Answer w's asked file from f's checked temporary copy and keep f as the
 * resolver's pending publish (f emptied): 0, or -1 when it is not to be
 * (not fetched, a large zip, unreadable) and f is untouched.
 */
static int
resolve_pend(struct resolve_walk *w, struct fetched *f, const char *zip_h1,
    const char *where)
{
	struct resolve_pending *p = &w->rv->pending;
	const char *tmp[] = { [ART_INFO] = f->info, [ART_MOD] = f->mod,
	    [ART_ZIP] = f->zip };
	enum artifact art;
	struct err e;

	if (w->a == NULL || w->kind > WANT_ZIP || p->active)
		return -1;
	art = (enum artifact)stored_artifact(w->kind);
	if (tmp[art] == NULL || (w->kind != WANT_MOD && f->info == NULL))
		return -1;
	err_clear(&e);
	if (stored_file(tmp[art], art, w->a, &e) == -1 || (art == ART_ZIP &&
	    w->a->st.st_size > RESOLVE_PENDING_ZIP_MAX)) {
		answer_free(w->a);
		answer_init(w->a);
		return -1;
	}
	if (art == ART_ZIP) {
		w->a->stream = 1;
		/* The transfer's SHA-256; a direct fetch has none: size and
		 * time, as a stored zip the index knows nothing of. */
		if (f->zip_sha256[0] != '\0')
			snprintf(w->a->etag, sizeof(w->a->etag), "\"%s\"",
			    f->zip_sha256);
		else
			snprintf(w->a->etag, sizeof(w->a->etag),
			    "W/\"%llx-%llx\"",
			    (unsigned long long)w->a->st.st_size,
			    (unsigned long long)w->a->st.st_mtime);
	}
	w->a->cache = ANSWER_IMMUTABLE;
	memset(p, 0, sizeof(*p));
	p->active = 1;
	p->f = *f;
	memset(f, 0, sizeof(*f));
	snprintf(p->module, sizeof(p->module), "%s", w->module);
	snprintf(p->emod, sizeof(p->emod), "%s", w->emod);
	snprintf(p->ever, sizeof(p->ever), "%s", w->ever);
	snprintf(p->zip_h1, sizeof(p->zip_h1), "%s", zip_h1);
	snprintf(p->origin, sizeof(p->origin), "%s", where);
	snprintf(p->key, sizeof(p->key), "%s", w->key);
	p->log = w->d->log;
	w->answered = 1;
	return 0;
}

/*
 * The zip of w's version is refused ([policy] vulnerable): answer the
 * asked .info or .mod from f's checked temporary copy and store the .mod
 * alone (a version whose .info exists is complete: its .info never is),
 * so that the zip asked later comes back here and is refused.  0, or -1
 * and e (f freed either way).
 */
static int
resolve_nozip(struct resolve_walk *w, struct fetched *f,
    const struct publish_env *pe, const char *where, struct err *e)
{
	const char *tmp[] = { [ART_INFO] = f->info, [ART_MOD] = f->mod,
	    [ART_ZIP] = f->zip };
	enum artifact art;
	int rc = 0;

	if (w->a == NULL || w->kind > WANT_ZIP)
		rc = err_set(e, E_FORBIDDEN, "%s@%s: its zip is refused",
		    w->module, w->version);
	else {
		art = (enum artifact)stored_artifact(w->kind);
		if (tmp[art] == NULL)
			rc = err_set(e, E_UPSTREAM, "%s@%s: no %s fetched",
			    w->module, w->version, store_ext(art));
		else if (stored_file(tmp[art], art, w->a, e) == -1)
			rc = -1;
	}
	if (rc == 0) {
		w->a->cache = ANSWER_IMMUTABLE;
		w->answered = 1;
	}
	if (rc == 0 && f->mod != NULL) {
		struct fetched m;
		struct err pe_err;

		memset(&m, 0, sizeof(m));
		m.mod = f->mod;
		f->mod = NULL;
		err_clear(&pe_err);
		if (publish_version(pe, w->emod, w->ever, &m, "", where,
		    &pe_err) == -1)
			log_warnx("publish %s@%s.mod: %s", w->module, w->ever,
			    pe_err.msg);
		fetched_free(&m);
	}
	fetched_free(f);
	return rc;
}

/* The publish environment of rv, with the private log's hook when log. */
static void
resolve_publish_env(struct resolver *rv, int log, struct publish_hook *hook,
    struct publish_env *pe)
{
	hook->name = "private checksum database";
	hook->fn = resolve_log_hook;
	hook->arg = rv;
	pe->store = rv->store;
	pe->idx = rv->idx;
	pe->hooks = hook;
	pe->nhooks = log && rv->signer != NULL && rv->idx != NULL;
}

void
resolve_publish_pending(struct resolver *rv)
{
	struct resolve_pending *p = &rv->pending;
	struct publish_hook hook;
	struct publish_env pe;
	struct err e;

	if (!p->active)
		return;
	resolve_publish_env(rv, p->log, &hook, &pe);
	/* The publisher thread publishes it and drops the lock, while
	 * this process takes its next request. */
	if (publish_later(&pe, rv->cfg->state_dir, p->emod, p->ever, &p->f,
	    p->zip_h1, p->origin, p->key) == 0) {
		p->active = 0;
		return;
	}
	err_clear(&e);
	if (publish_version(&pe, p->emod, p->ever, &p->f, p->zip_h1,
	    p->origin, &e) == -1)
		log_warnx("publish %s@%s (answered from %s): %s", p->module,
		    p->ever, p->origin, e.msg);
	fetched_free(&p->f);
	if (rv->idx != NULL)
		lock_release(rv->idx, p->key);
	p->active = 0;
}

/* The metrics of one entry's fetch of module@version (or a query),
 * started at t0. */
static void
resolve_fetched(const struct timespec *t0, const char *where,
    const char *module, const char *version, enum metrics_result r,
    const char *why)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_fetch(where, module, version, r,
	    (long long)(t1.tv_sec - t0->tv_sec) * 1000000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000, why);
}

/* One entry: fetch -> check -> publish.  0, or -1 and e set (logged). */
static int
resolve_version_try(void *arg, const struct upstream *u, struct err *e)
{
	struct resolve_walk *w = arg;
	struct resolver *rv = w->rv;
	struct fetch_env fe = { rv->cfg, rv->store, NULL, w->nozip };
	char where[ANSWER_PATH_MAX], zip_h1[H1_MAX], mod_h1[H1_MAX];
	char lookup[ANSWER_LOCATION_MAX];
	struct publish_hook hook;
	struct publish_env pe;
	struct sumdb_ctx sc;
	struct fetched f;
	struct timespec t0;
	enum metrics_result result = METRICS_OK;
	int rc;

	resolve_sumdb_ctx(rv, w->d, &sc);
	resolve_publish_env(rv, w->d->log, &hook, &pe);
	if (w->d->verify && u->kind == UPSTREAM_PROXY &&
	    sumdb_lookup_url(&sc, w->module, w->version, lookup,
	    sizeof(lookup)) == 1)
		fe.lookup_url = lookup;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = fetch_files(&fe, u, w->module, w->version, w->kind, &f, e);
	if (rc == 0)
		FAULT_POINT("fetch-tmp");
	if (rc == 0 && (rc = check_fetched(w->d->verify ? &sc : NULL,
	    w->module, w->version, &f, zip_h1, mod_h1, e)) == -1) {
		result = METRICS_REJECTED;
		metrics_add(METRICS_VERIFY_FAILURES);
	}
	if (rc == 0)
		FAULT_POINT("check");
	/* A version logged before (then purged) comes back only as it was. */
	if (rc == 0 && w->d->log && rv->signer != NULL && rv->idx != NULL &&
	    (rc = sumdb_log_check(resolve_log_index(rv), w->module,
	    w->version, zip_h1, mod_h1, e)) == -1)
		result = METRICS_REJECTED;
	upstream_redact(u->url, where, sizeof(where));
	if (rc == 0 && w->nozip) {
		rc = resolve_nozip(w, &f, &pe, where, e);
		resolve_fetched(&t0, where, w->module, w->version, rc == 0 ?
		    METRICS_OK : METRICS_FAILED, rc == 0 ? NULL : e->msg);
		return rc;
	}
	/* The client need not wait for the fsyncs: answered from the
	 * checked files, published after the answer, under the lock. */
	if (rc == 0 && resolve_pend(w, &f, zip_h1, where) == 0) {
		resolve_fetched(&t0, where, w->module, w->version, METRICS_OK,
		    NULL);
		return 0;
	}
	if (rc == 0)
		rc = publish_version(&pe, w->emod, w->ever, &f, zip_h1, where,
		    e);
	fetched_free(&f);
	if (rc == -1 && result == METRICS_OK)
		result = e->code == E_NOTFOUND || e->code == E_GONE ?
		    METRICS_NOTFOUND : METRICS_FAILED;
	resolve_fetched(&t0, where, w->module, w->version, result, rc == 0 ?
	    NULL : e->msg);
	if (rc == 0)
		return 0;
	log_info("fetch %s@%s from %s: %s", w->module, w->version, where,
	    e->msg);
	return -1;
}

/* Walk the upstream list for w's version (canonical). */
static int
resolve_version_walk(struct resolve_walk *w, struct err *e)
{
	struct err fe;

	switch (upstream_walk(w->rv->up, w->d->direct_only,
	    resolve_version_try, w, &fe)) {
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
	struct resolver		*rv;
	const char		*module, *query;
	char			*canon;
	struct buf		*body;
};

static int
resolve_query_try(void *arg, const struct upstream *u, struct err *e)
{
	struct resolve_query_walk *w = arg;
	struct fetch_env fe = { w->rv->cfg, w->rv->store, NULL };
	char where[ANSWER_PATH_MAX];
	struct timespec t0;
	struct buf b;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = fetch_query(&fe, u, w->module, w->query, w->canon, &b, e);
	upstream_redact(u->url, where, sizeof(where));
	resolve_fetched(&t0, where, w->module, w->query, rc == 0 ? METRICS_OK :
	    e->code == E_NOTFOUND || e->code == E_GONE ? METRICS_NOTFOUND :
	    METRICS_FAILED, rc == 0 ? NULL : e->msg);
	if (rc != 0)
		return rc;
	if (w->body != NULL)
		*w->body = b;
	else
		buf_free(&b);
	return 0;
}

int
resolve_query_upstream(struct resolver *rv, const struct decision *d,
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
resolve_query_cached(struct resolver *rv, const struct decision *d,
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
 * With redis, the outcome another host's fetch left for key (lock_note,
 * which keeps it notfound_ttl or wait_timeout), when it came at or after
 * since: 1 and e set, else 0.
 */
static int
resolve_noted(const char *key, time_t since, struct err *e)
{
	char msg[LOCK_NOTE_MAX];
	time_t at;
	int code;

	if (!lock_distributed() ||
	    lock_note_get(key, &at, &code, msg, sizeof(msg)) != 1 ||
	    at < since)
		return 0;
	err_set(e, (enum errc)code, "%s", msg[0] != '\0' ? msg :
	    "the fetch failed");
	return 1;
}

/*
 * A remembered failure for key younger than notfound_ttl: "not found"
 * (E_NOTFOUND, E_GONE) or "upstream down" (E_UPSTREAM).  1 and e set
 * when there is one.
 */
int
resolve_negative(struct resolver *rv, const char *key, struct err *e)
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
	if (!found && strncmp(key, "neg:", 4) == 0)
		found = resolve_noted(key, 0, e);
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
		return resolve_noted(key, waiting, e);
	found = c.fetched >= (int64_t)waiting && c.status > E_OK &&
	    c.status <= E_INTERNAL;
	if (found)
		err_set(e, (enum errc)c.status, "%s", c.body.data != NULL ?
		    c.body.data : "the fetch failed");
	buf_free(&c.body);
	return found || resolve_noted(key, waiting, e);
}

/* 1 when what a waiter waited for is in storage: the file art of
 * emod@ever when it is the zip asked by name (placed, its bytes durable:
 * what the web server sends), else the version as kind needs it. */
static int
resolve_placed(struct resolver *rv, const char *emod, const char *ever,
    enum want_kind kind, enum artifact art)
{
	char path[ANSWER_PATH_MAX];
	struct stat sb;

	if (art != ART_ZIP)
		return stored_have(rv->store, emod, ever, kind);
	return store_path(rv->store, emod, ever, art, path,
	    sizeof(path)) == 0 && stat(path, &sb) == 0;
}

/*
 * A waiter's wait between two looks at the lock (no redis): until the
 * file art of emod@ever is placed (the holder's publish), at most the
 * back-off of attempt.  A file that is there already ends no wait: art
 * is a .info whose version lacks its .zip (a module cache imported
 * without zips), so the wait is for the zip; when that too is there (or
 * art was the last missing file) and the version is still not placed as
 * kind needs it, the back-off is slept, so the loop never spins.
 */
static void
resolve_wait_placed(struct resolver *rv, const char *emod, const char *ever,
    enum want_kind kind, enum artifact art, int attempt)
{
	long us = lock_backoff_us(attempt);

	if (store_wait(rv->store, emod, ever, art, us) == 0)
		return;
	if (art == ART_INFO &&
	    store_wait(rv->store, emod, ever, ART_ZIP, us) == 0)
		return;
	if (!resolve_placed(rv, emod, ever, kind, art))
		lock_backoff(attempt);
}

/* Policy's last word before module@canon is fetched (the filter on the
 * version a query resolved to, the validator hook): 0, or -1 and e. */
static int
resolve_allowed(struct resolver *rv, const char *module, const char *canon,
    enum want_kind kind, struct err *e)
{
	struct policy p;

	resolve_policy(rv, &p);
	return policy_before_fetch(&p, rv->idx, module, canon, kind, e);
}

/* Say how a (when not NULL: a deferred fetch has none) was come to;
 * returns 0. */
static int
resolve_how(struct answer *a, enum answer_outcome how)
{
	if (a != NULL)
		a->outcome = how;
	return 0;
}

int
resolve_version(struct resolver *rv, const struct decision *d,
    const char *module, const char *query, enum want_kind kind,
    char canon[VERSION_MAX], struct answer *a, struct err *e)
{
	struct resolve_walk w;
	char emod[MODPATH_MAX], ever[VERSION_MAX], key[RESOLVE_KEY_MAX];
	char negkey[RESOLVE_KEY_MAX + 4], failkey[RESOLVE_KEY_MAX + 8];
	struct index *ix;
	time_t deadline, waiting = 0;
	enum artifact wait_art;
	int attempt, st, rc;

	memset(&w, 0, sizeof(w));
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
	/* A query stored under its answer: the filter (and the hook) still
	 * decide on the version it names. */
	if (stored_have(rv->store, emod, ever, kind)) {
		if (strcmp(canon, query) != 0 &&
		    resolve_allowed(rv, module, canon, kind, e) == -1)
			return -1;
		return resolve_how(a, OUTCOME_HIT);
	}
	if (resolve_index(rv, e) == -1)
		return -1;
	ix = rv->idx;
	snprintf(key, sizeof(key), "v:%s@%s", module, canon);
	snprintf(negkey, sizeof(negkey), "neg:%s", key);
	snprintf(failkey, sizeof(failkey), "failed:%s", key);
	deadline = time(NULL) + rv->cfg->wait_timeout;
	/* A zip asked by name is answered once it is placed: the web server
	 * would send it then too.  Else the file that completes kind. */
	wait_art = kind == WANT_MOD ? ART_MOD : kind == WANT_ZIP && a != NULL &&
	    strcmp(canon, query) == 0 ? ART_ZIP : ART_INFO;
	for (attempt = 0;; attempt++) {
		if (resolve_negative(rv, negkey, e) ||
		    resolve_failed_since(ix, failkey, waiting, e))
			return -1;
		if ((st = lock_try(ix, key, rv->cfg->lock_expiry, e)) == -1)
			return -1;
		if (st == LOCK_OWNER)
			break;
		if (waiting == 0) {
			waiting = time(NULL);
			metrics_add(METRICS_SF_WAITS);
		}
		/* With redis, woken by the holder's release (any host);
		 * else when the file waited for is placed (the holder's
		 * publish, inotify), or after the back-off. */
		if (lock_distributed())
			lock_wait(key, attempt, deadline);
		else
			resolve_wait_placed(rv, emod, ever, kind, wait_art,
			    attempt);
		if (resolve_placed(rv, emod, ever, kind, wait_art))
			return resolve_how(a, OUTCOME_WAITED);
		if (time(NULL) >= deadline)
			return err_set(e, E_TIMEOUT, "%s@%s is still being "
			    "fetched by another request; try again", module,
			    canon);
	}
	/* The previous holder may have finished (or failed) just before we
	 * got here. */
	if (stored_have(rv->store, emod, ever, kind))
		rc = resolve_how(a, waiting != 0 ? OUTCOME_WAITED :
		    OUTCOME_HIT);
	else if (resolve_failed_since(ix, failkey, waiting, e))
		rc = -1;
	else if ((rc = resolve_allowed(rv, module, canon, kind, e)) == -1)
		;
	else {
		w.nozip = rc == 1;
		w.rv = rv;
		w.d = d;
		w.module = module;
		w.emod = emod;
		w.version = canon;
		w.ever = ever;
		w.kind = kind;
		w.key = key;
		/* A query's answer is not the file asked by name. */
		w.a = strcmp(canon, query) == 0 ? a : NULL;
		/* Answered: the lock is the pending publish's now. */
		if ((rc = resolve_version_walk(&w, e)) == 0 && w.answered &&
		    !w.nozip)
			return resolve_how(a, OUTCOME_FETCHED) + 1;
		/* Answered, nothing pending: the lock is released here. */
		if (rc == 0 && w.answered) {
			lock_release(ix, key);
			return resolve_how(a, OUTCOME_FETCHED) + 1;
		}
		if (rc == 0)
			resolve_how(a, OUTCOME_FETCHED);
	}
	/* The walk failed (w.rv is set only when it ran). */
	if (rc == -1 && w.rv != NULL) {
		struct cache_key neg = { ix, NULL, negkey };
		struct cache_key fail = { ix, NULL, failkey };
		struct err ce;

		int nf = e->code == E_NOTFOUND || e->code == E_GONE;

		err_clear(&ce);
		/* Not found is remembered for notfound_ttl; any other failure
		 * goes to the requests that waited for this fetch: here, and
		 * with redis on every host (left before the release). */
		cache_put(nf ? &neg : &fail, e->code, e->msg, strlen(e->msg),
		    &ce);
		lock_note(nf ? negkey : failkey, e->code, e->msg, nf ?
		    rv->cfg->notfound_ttl : rv->cfg->wait_timeout + 1);
	}
	lock_release(ix, key);
	return rc;
}

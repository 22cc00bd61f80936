/*
 * resolve_answer.c: the answers that change: @v/list, @latest and the
 * .info of a query ("v1.2", a branch, "v2.0.0" on a path without /v2).
 *
 * Upstream's answer is fetched (fetch.c, one entry at a time along the
 * GOPROXY walk) and cached in the index for list_ttl ("not found" for
 * notfound_ttl), refreshed under a lock so that concurrent identical
 * refreshes coalesce; when upstream fails, policy says whether the stale
 * answer (or storage) does instead (network_mode fallback) or the error
 * is the answer (strict).  list merges storage's versions with
 * upstream's; @latest is upstream's when there is one (its default-branch
 * pseudo-version is something storage cannot know), else storage's
 * (stored.c); a query is answered with upstream's own .info bytes and not
 * stored: the version is stored under its canonical name when its .mod
 * or .zip is asked for (direct: go resolves it, and the version is fetched
 * and stored at once).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "piraeus.h"


/* What one upstream entry is asked for an answer (list or @latest). */
struct resolve_answer_walk {
	struct resolver		*rv;
	const struct decision	*d;
	const char		*module;
	struct buf		*body;
};

static int
resolve_list_try(void *arg, const struct upstream *u, struct err *e)
{
	struct resolve_answer_walk *w = arg;
	struct fetch_env fe = { w->rv->cfg, w->rv->store, NULL };

	return fetch_list(&fe, u, w->module, w->body, e);
}

/* @latest from u: direct, go resolves "latest" (the version is then
 * stored and its .info is the answer); a proxy answers it (fetch.c). */
static int
resolve_latest_try(void *arg, const struct upstream *u, struct err *e)
{
	struct resolve_answer_walk *w = arg;
	struct fetch_env fe = { w->rv->cfg, w->rv->store, NULL };
	char emod[MODPATH_MAX], ever[VERSION_MAX], canon[VERSION_MAX];
	char path[ANSWER_PATH_MAX];

	if (u->kind == UPSTREAM_PROXY)
		return fetch_latest(&fe, u, w->module, w->body, e);
	if (resolve_version(w->rv, w->d, w->module, "latest", WANT_ZIP, canon,
	    NULL, e) == -1 || modpath_escape(w->module, emod, sizeof(emod)) == -1 ||
	    modpath_escape(canon, ever, sizeof(ever)) == -1 ||
	    store_path(w->rv->store, emod, ever, ART_INFO, path,
	    sizeof(path)) == -1)
		return -1;
	return buf_read_file(w->body, path, INFO_MAX, e);
}

/*
 * Walk the upstreams for module's list or @latest (try): 0 and body set
 * when an entry answered, else -1 with e the last entry's error ("lookup
 * disabled" when "off" came first).
 */
static int
resolve_answer_upstream(struct resolver *rv, const struct decision *d,
    const char *module, upstream_try_fn *try, struct buf *body,
    struct err *e)
{
	struct resolve_answer_walk w = { rv, d, module, body };

	if (upstream_walk(rv->up, d->direct_only, try, &w, e) ==
	    WALK_ANSWERED)
		return 0;
	if (e->code == E_OK)
		err_set(e, E_NOTFOUND, "not in storage (module lookup "
		    "disabled by GOPROXY=off)");
	return -1;
}

/*
 * The upstream answer for prefix+module from the index cache when fresh,
 * else asked for under a lock (concurrent identical refreshes coalesce:
 * the others use the stale copy, or wait for the fresh one); try is
 * what each upstream entry is asked.
 */
static int
resolve_cached(struct resolver *rv, const struct decision *d,
    const char *prefix, const char *module, upstream_try_fn *try,
    struct buf *body, int *stale, enum answer_outcome *how, struct err *e)
{
	char key[RESOLVE_KEY_MAX], downkey[RESOLVE_KEY_MAX + 8];
	struct cache_key k = { rv->idx, NULL, key }, down = { rv->idx, NULL,
	    downkey };
	struct cache_policy pol = { key, 1, 0 };
	struct cache_entry c;
	struct err de;
	int cs, st, attempt;
	time_t deadline;

	*stale = 0;
	*how = OUTCOME_HIT;
	if (resolve_index(rv, e) == -1)
		return -1;
	snprintf(key, sizeof(key), "%s%s", prefix, module);
	snprintf(downkey, sizeof(downkey), "down:%s", key);
	/* The stale answer, if any, when upstream fails, unless strict. */
	pol.serve_stale = d->fallback;
	deadline = time(NULL) + rv->cfg->wait_timeout;
	for (attempt = 0;; attempt++) {
		if ((cs = cache_lookup(&k, rv->cfg->list_ttl,
		    rv->cfg->notfound_ttl, &c, e)) == -1)
			return -1;
		if (cs == CACHE_FRESH)
			break;
		/*
		 * Upstream failed a moment ago: do not make every request
		 * wait for its timeouts again before notfound_ttl is over.
		 */
		err_clear(&de);
		if (resolve_negative(rv, downkey, &de)) {
			if (c.have && c.code == E_OK && pol.serve_stale) {
				*stale = 1;
				*how = OUTCOME_STALE;
				*body = c.body;
				return 0;
			}
			cache_entry_free(&c);
			return err_set(e, de.code, "%s", de.msg);
		}
		/* The answer is cached in this host's index only: another
		 * host's refresh would leave ours empty (lock_try_local). */
		if ((st = lock_try_local(rv->idx, key, rv->cfg->lock_expiry,
		    e)) == -1) {
			cache_entry_free(&c);
			return -1;
		}
		if (st == LOCK_OWNER) {
			struct buf up;
			struct err ue, ce;
			int rc;

			err_clear(&ue);
			err_clear(&ce);
			rc = resolve_answer_upstream(rv, d, module, try, &up,
			    &ue);
			if (rc == 0)
				cache_put(&down, E_OK, "", 0, &ce);
			else if (ue.code != E_NOTFOUND && ue.code != E_GONE)
				cache_put(&down, E_UPSTREAM, ue.msg,
				    strlen(ue.msg), &ce);
			rc = cache_settle(&k, &c, &pol, rc, &up, &ue, body,
			    stale, e);
			*how = *stale ? OUTCOME_STALE : OUTCOME_FETCHED;
			lock_release(rv->idx, key);
			return rc;
		}
		/* Someone else refreshes: a stale copy will do meanwhile. */
		if (c.have && c.code == E_OK) {
			*how = OUTCOME_STALE;
			*body = c.body;
			return 0;
		}
		cache_entry_free(&c);
		if (time(NULL) >= deadline)
			return err_set(e, E_TIMEOUT, "%s is still being "
			    "fetched; try again", key);
		lock_backoff(attempt);
		if (*how != OUTCOME_WAITED)
			metrics_add(METRICS_SF_WAITS);
		*how = OUTCOME_WAITED;
	}
	if (c.code != E_OK) {
		cache_failure(&c, "", e);
		cache_entry_free(&c);
		return -1;
	}
	*body = c.body;
	return 0;
}

/* Append the versions of an upstream list body that belong in list. */
static void
resolve_list_add(const char *module, const struct buf *b, char ***vs,
    size_t *nv, size_t *cap)
{
	char canon[VERSION_MAX];
	const char *p, *end;
	size_t n;

	for (p = b->data; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "\n");
		/* The client reads field 1 of each line (protocol.md 2.1). */
		n = strcspn(p, " \t\r\n");
		if (n == 0 || n >= VERSION_MAX)
			continue;
		if (*nv == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*vs = xreallocarray(*vs, *cap, sizeof(**vs));
		}
		(*vs)[*nv] = xstrndup(p, n);
		if (semver_canonical((*vs)[*nv], 1, canon, sizeof(canon)) ==
		    0 && strcmp(canon, (*vs)[*nv]) == 0 &&
		    !semver_is_pseudo(canon) &&
		    modpath_check_major(module, canon) == 0)
			(*nv)++;
		else
			free((*vs)[*nv]);
	}
}

/* vs[0..nv) sorted (unless sorted already), each once, one a line,
 * into body; vs freed. */
static void
resolve_list_body(char **vs, size_t nv, int sorted, struct buf *body,
    struct err *e)
{
	size_t i, o;

	if (!sorted)
		semver_sort(vs, nv);
	buf_init(body, (size_t)-1);
	for (i = o = 0; i < nv; i++) {
		/* Storage and upstream overlap: once each. */
		if (o == 0 || strcmp(vs[i], vs[o - 1]) != 0) {
			buf_puts(body, vs[i], e);
			buf_append(body, "\n", 1, e);
			vs[o++] = vs[i];
		} else
			free(vs[i]);
	}
	for (i = 0; i < o; i++)
		free(vs[i]);
	free(vs);
	if (body->data == NULL)
		buf_append(body, "", 0, e);
}

/* Drop from vs[0..*nv) the versions the filter file excludes (kept in
 * order): the go command picks "latest" from the list, and a version
 * whose files are 403 is never offered. */
static void
resolve_list_allowed(struct resolver *rv, const char *module, char **vs,
    size_t *nv)
{
	struct policy p;
	struct err fe;
	size_t i, o;

	resolve_policy(rv, &p);
	for (i = o = 0; i < *nv; i++) {
		err_clear(&fe);
		if (policy_version_excluded(&p, module, vs[i], &fe))
			free(vs[i]);
		else
			vs[o++] = vs[i];
	}
	*nv = o;
}

int
resolve_list(struct resolver *rv, const struct want *w,
    const struct decision *d, struct answer *a, struct err *e)
{
	char **vs = NULL;
	size_t nv = 0, cap = 0, i, nstored;
	struct err se, ue;
	struct buf up;
	int known, sorted, stale = 0;
	enum answer_outcome how = OUTCOME_HIT;

	err_clear(&se);
	err_clear(&ue);
	known = stored_list(rv->store, w->module, w->emod, &vs, &nv,
	    &se) == 0;
	if (!known && se.code != E_NOTFOUND)
		return err_set(e, se.code, "%s", se.msg);
	cap = nstored = nv;
	/* Upstream's list, unless policy says storage only. */
	if (d->action == POLICY_FETCH) {
		if (resolve_cached(rv, d, "list:", w->module, resolve_list_try,
		    &up, &stale, &how, &ue) == 0) {
			known = 1;
			resolve_list_add(w->module, &up, &vs, &nv, &cap);
			buf_free(&up);
		} else if (ue.code == E_NOTFOUND || ue.code == E_GONE) {
			if (!known)
				err_set(e, ue.code, "%s", ue.msg);
		} else if (!d->fallback) {
			err_set(e, ue.code, "%s", ue.msg);
		} else
			log_warnx("list %s: %s (storage only)", w->module,
			    ue.msg);
	}
	/* Unknown: say why, upstream's failure included (fallback). */
	if (e->code == E_OK && !known && ue.code != E_OK)
		err_set(e, E_NOTFOUND, "not in storage, and %s", ue.msg);
	else if (e->code == E_OK && !known)
		err_set(e, E_NOTFOUND, "%s", d->why.code != E_OK ? d->why.msg :
		    "no such module");
	if (e->code != E_OK) {
		for (i = 0; i < nv; i++)
			free(vs[i]);
		free(vs);
		return -1;
	}
	a->kind = ANSWER_BODY;
	a->ctype = "text/plain; charset=utf-8";
	a->cache = stale ? ANSWER_STALE : ANSWER_LIST;
	sorted = nv == nstored;
	resolve_list_allowed(rv, w->module, vs, &nv);
	a->outcome = how;
	/* Storage's list comes sorted: sorted again only when merged. */
	resolve_list_body(vs, nv, sorted, &a->body, e);
	return 0;
}

/*
 * @latest named a version the filter file excludes: the newest version
 * of the (filtered) list instead, a release before any pre-release, as
 * the go command picks from a list; its .info, stored or fetched now.
 * 0 and a->body set, or -1 and e (the exclusion when none is left).
 */
static int
resolve_latest_allowed(struct resolver *rv, const struct want *w,
    const struct decision *d, struct answer *a, struct err *excluded,
    struct err *e)
{
	struct answer la;
	char pick[VERSION_MAX], canon[VERSION_MAX], ever[VERSION_MAX];
	char path[ANSWER_PATH_MAX];
	const char *p, *end;
	int have = 0, rel;

	answer_init(&la);
	if (resolve_list(rv, w, d, &la, e) == -1) {
		answer_free(&la);
		return -1;
	}
	pick[0] = '\0';
	for (p = la.body.data; p != NULL && *p != '\0'; p = *end ? end + 1 :
	    end) {
		end = p + strcspn(p, "\n");
		if ((size_t)(end - p) >= sizeof(pick))
			continue;
		rel = memchr(p, '-', (size_t)(end - p)) == NULL;
		/* The list is sorted: the last release, else the last. */
		if (rel || have != 2) {
			snprintf(pick, sizeof(pick), "%.*s", (int)(end - p), p);
			have = rel ? 2 : 1;
		}
	}
	answer_free(&la);
	if (have == 0)
		return err_set(e, excluded->code, "%s (and no other version "
		    "is allowed)", excluded->msg);
	buf_free(&a->body);
	memset(&a->body, 0, sizeof(a->body));
	if (modpath_escape(pick, ever, sizeof(ever)) == -1)
		return err_set(e, E_NOTFOUND, "invalid version");
	if (!stored_have(rv->store, w->emod, ever, WANT_ZIP) &&
	    resolve_version(rv, d, w->module, pick, WANT_ZIP, canon, NULL,
	    e) == -1)
		return -1;
	if (store_path(rv->store, w->emod, ever, ART_INFO, path,
	    sizeof(path)) == -1)
		return err_set(e, E_INTERNAL, "path too long");
	return buf_read_file(&a->body, path, INFO_MAX, e);
}

/* 0 when a->body's version may be answered as @latest; else the newest
 * allowed version instead (resolve_latest_allowed). */
static int
resolve_latest_checked(struct resolver *rv, const struct want *w,
    const struct decision *d, struct answer *a, struct err *e)
{
	char canon[VERSION_MAX];
	struct policy p;
	struct err fe;

	err_clear(&fe);
	resolve_policy(rv, &p);
	if (check_info_answer(w->module, &a->body, canon) == -1 ||
	    !policy_version_excluded(&p, w->module, canon, &fe))
		return 0;
	return resolve_latest_allowed(rv, w, d, a, &fe, e);
}

int
resolve_latest(struct resolver *rv, const struct want *w,
    const struct decision *d, struct answer *a, struct err *e)
{
	struct err ue, se;
	int stale;

	a->kind = ANSWER_BODY;
	a->ctype = "application/json";
	a->cache = ANSWER_LIST;
	/* Upstream's answer first, when policy allows one. */
	err_clear(&ue);
	if (d->action == POLICY_FETCH) {
		if (resolve_cached(rv, d, "latest:", w->module,
		    resolve_latest_try, &a->body, &stale, &a->outcome,
		    &ue) == 0)
			return resolve_latest_checked(rv, w, d, a, e);
		/* Direct: go's "latest" is a version the filter (or the
		 * hook) refused: the newest allowed one instead. */
		if (ue.code == E_FORBIDDEN)
			return resolve_latest_allowed(rv, w, d, a, &ue, e);
		if (ue.code != E_NOTFOUND && ue.code != E_GONE && !d->fallback)
			return err_set(e, ue.code, "%s", ue.msg);
	}
	err_clear(&se);
	a->outcome = OUTCOME_HIT;
	if (stored_latest(rv->store, w->module, w->emod, &a->body, &se) == 0)
		return resolve_latest_checked(rv, w, d, a, e);
	if (se.code != E_NOTFOUND)
		return err_set(e, se.code, "%s", se.msg);
	/* Nothing stored: upstream's "not found" when it said so, else
	 * (fallback) not found with upstream's failure (unreachable, which
	 * URL) in the message the go command prints. */
	if (ue.code == E_NOTFOUND || ue.code == E_GONE)
		return err_set(e, ue.code, "%s", ue.msg);
	if (ue.code != E_OK)
		return err_set(e, E_NOTFOUND, "not in storage, and %s",
		    ue.msg);
	/* Upstream not asked: policy's reason (GOPROXY=off...). */
	if (d->why.code != E_OK)
		return err_set(e, d->why.code, "%s", d->why.msg);
	return err_set(e, se.code, "%s", se.msg);
}

int
resolve_query(struct resolver *rv, const struct want *w,
    const struct decision *d, struct answer *a, struct err *e)
{
	char key[RESOLVE_KEY_MAX + 8], canon[VERSION_MAX];
	char resolved[VERSION_MAX], ever[VERSION_MAX];
	char path[ANSWER_PATH_MAX], sha[SHA256_HEX];
	struct cache_key k = { rv->idx, NULL, key };
	struct cache_entry c;
	struct buf *body = &a->body;
	struct policy p;
	struct err ce;
	int st;

	a->kind = ANSWER_BODY;
	a->ctype = "application/json";
	a->cache = ANSWER_LIST;
	err_clear(&ce);
	snprintf(key, sizeof(key), "qinfo:%s@%s", w->module, w->version);
	st = cache_lookup(&k, rv->cfg->list_ttl, rv->cfg->notfound_ttl, &c,
	    &ce);
	if (st == CACHE_FRESH && c.code == E_OK &&
	    check_info_answer(w->module, &c.body, canon) == 0) {
		*body = c.body;
		a->outcome = OUTCOME_HIT;
		goto done;
	}
	if (st == CACHE_FRESH && c.code == E_NOTFOUND) {
		cache_failure(&c, "not found upstream", e);
		cache_entry_free(&c);
		return -1;
	}
	cache_entry_free(&c);
	a->outcome = OUTCOME_FETCHED;
	if (resolve_query_upstream(rv, d, w->module, w->version, canon, body,
	    e) == -1) {
		if (e->code == E_NOTFOUND || e->code == E_GONE)
			cache_put(&k, E_NOTFOUND, e->msg, strlen(e->msg), &ce);
		return -1;
	}
	if (body->data == NULL) {
		/* Resolved by go (direct): the version, fetched and stored.
		 * (Its name copied: resolve_version writes canon.) */
		memcpy(resolved, canon, sizeof(resolved));
		if (resolve_version(rv, d, w->module, resolved, WANT_ZIP, canon,
		    NULL, e) == -1 ||
		    modpath_escape(canon, ever, sizeof(ever)) == -1 ||
		    store_path(rv->store, w->emod, ever, ART_INFO, path,
		    sizeof(path)) == -1 ||
		    buf_read_file(body, path, INFO_MAX, e) == -1)
			return -1;
	}
	cache_put(&k, E_OK, body->data, body->len, &ce);
done:
	/* The version a query names: the filter's word on it. */
	resolve_policy(rv, &p);
	if (check_info_answer(w->module, body, canon) == 0 &&
	    policy_version_excluded(&p, w->module, canon, e)) {
		buf_free(body);
		memset(body, 0, sizeof(*body));
		return -1;
	}
	dirhash_sha256_hex(body->data, body->len, sha);
	snprintf(a->etag, sizeof(a->etag), "\"%s\"", sha);
	return 0;
}

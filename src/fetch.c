/*
 * fetch.c: fetch on miss, exactly once (DESIGN sections 4 and 5).
 *
 * fetch_version makes a module version present in storage: the .mod alone
 * (the go command loads module graphs through .mod only) or the whole
 * version (.info, .mod, .zip).  It walks the upstream list the way the go
 * command walks GOPROXY (upstream_walk, as every fetch here does): an
 * entry followed by "," falls through only on "not found", one followed
 * by "|" on any error; modules matching the private patterns go direct.
 * Every fetch happens under the singleflight lock of the version, so N
 * concurrent requests in any number of processes cause one upstream
 * fetch; the others wait (bounded) and then
 * find the version in storage.  Before anything is published the .info
 * must name the version, the zip must pass zipcheck, and the files go in
 * with store_publish (atomic, .info last).  A failure publishes nothing,
 * removes the temporary files, and is remembered for notfound_ttl so a
 * crowd asking for a missing version costs one upstream request.
 *
 * fetch_list and fetch_latest fetch an upstream @v/list or @latest (or
 * ask go, direct), cached in the index (cache.c) for list_ttl (404s for
 * notfound_ttl), refreshed under a lock so concurrent identical refreshes
 * coalesce; when upstream fails the stale answer is returned (not under
 * network_mode strict).  A proxy without @latest (404: a file:// tree, a
 * static mirror) gets it computed from its list as the go command does
 * (latest.c).  fetch_query_info answers a .info query ("v1.2", a branch,
 * "v2.0.0" of a path without /v2) with upstream's own bytes, cached for
 * list_ttl and not stored: the version is stored under its canonical name
 * when its .mod or .zip is asked for.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "http.h"

#define FETCH_LIST_MAX	(16 * 1024 * 1024)	/* an upstream @v/list */
#define FETCH_KEY_MAX	(MODPATH_MAX + VERSION_MAX + 16)

void
fetched_free(struct fetched *f)
{
	char **p[] = { &f->info, &f->mod, &f->zip };
	size_t i;

	for (i = 0; i < NITEMS(p); i++) {
		if (*p[i] != NULL) {
			unlink(*p[i]);	/* already renamed when published */
			free(*p[i]);
			*p[i] = NULL;
		}
	}
}

/* 1 when storage already holds what want needs. */
static int
fetch_have(const struct store *st, const char *emod, const char *ever,
    enum artifact want)
{
	char path[PATH_MAX];
	struct stat sb;

	if (want == ART_MOD)
		return store_path(st, emod, ever, ART_MOD, path,
		    sizeof(path)) == 0 && stat(path, &sb) == 0;
	/* .info is published last: it means the version is complete. */
	return store_path(st, emod, ever, ART_INFO, path, sizeof(path)) == 0 &&
	    stat(path, &sb) == 0 && store_path(st, emod, ever, ART_ZIP, path,
	    sizeof(path)) == 0 && stat(path, &sb) == 0;
}

/* The upstream base for module: the private patterns force direct. */
static int
fetch_private(const struct proxy *px, const char *module)
{
	return px->cfg.goprivate != NULL && px->cfg.goprivate[0] != '\0' &&
	    pattern_match(px->cfg.goprivate, module);
}

/* 1 when no upstream would be asked for module (GOPROXY=off, not private). */
static int
fetch_off(const struct proxy *px, const char *module)
{
	return (px->up.n == 0 || px->up.v[0].kind == UPSTREAM_OFF) &&
	    !fetch_private(px, module);
}

/*
 * Check what was fetched for module@version before it is published, and
 * compute the h1 hashes of what came ("" for what did not).  Any fault is
 * upstream's: E_UPSTREAM, whatever the checker called it.
 */
static int
fetch_check(const char *module, const char *version, struct fetched *f,
    char zip_h1[H1_MAX], char mod_h1[H1_MAX], struct err *e)
{
	char time[64];
	struct err ce;
	struct buf b;
	int rc = 0;

	err_clear(&ce);
	zip_h1[0] = mod_h1[0] = '\0';
	if (f->info != NULL) {
		if ((rc = buf_read_file(&b, f->info, INFO_MAX, &ce)) == 0) {
			rc = reindex_check_info(&b, version, time,
			    sizeof(time), &ce);
			buf_free(&b);
		}
	}
	if (rc == 0 && f->mod != NULL &&
	    (rc = buf_read_file(&b, f->mod, GOMOD_MAX, &ce)) == 0) {
		rc = dirhash_mod(b.data, b.len, mod_h1, &ce);
		buf_free(&b);
	}
	if (rc == 0 && f->zip != NULL)
		rc = zipcheck(f->zip, module, version, zip_h1, &ce);
	if (rc == -1) {
		log_warnx("refusing %s@%s from upstream: %s", module, version,
		    ce.msg);
		return err_set(e, E_UPSTREAM, "upstream sent a bad %s: %s",
		    f->zip != NULL && ce.msg[0] != '.' ? "module" : "file",
		    ce.msg);
	}
	return 0;
}

/*
 * Publish f as module@version and index it when it is complete, with the
 * zip's h1 (zip_h1, from fetch_check) and SHA-256 (from the transfer)
 * already known: the published zip is not read again.
 */
static int
fetch_publish(struct proxy *px, const char *emod, const char *ever,
    struct fetched *f, const char *zip_h1, const char *origin,
    struct err *e)
{
	struct reindex_zip_known known;
	struct index_version iv;
	struct index *ix;
	struct stat sb;
	struct err ie;

	memset(&known, 0, sizeof(known));
	known.size = -1;
	if (f->zip != NULL && stat(f->zip, &sb) == 0) {
		known.size = (int64_t)sb.st_size;
		snprintf(known.h1, sizeof(known.h1), "%s", zip_h1);
		snprintf(known.sha256, sizeof(known.sha256), "%s",
		    f->zip_sha256);
	}
	if (store_publish(&px->store, emod, ever, f->info, f->mod, f->zip,
	    e) == -1)
		return -1;
	if (f->info == NULL)
		return 0;
	err_clear(&ie);
	if ((ix = proxy_index(px, &ie)) == NULL ||
	    reindex_describe(&px->store, emod, ever, &known, &iv,
	    &ie) == -1) {
		log_warnx("index %s@%s: %s", emod, ever, ie.msg);
		return 0;	/* the tree is the truth: reindex mends it */
	}
	snprintf(iv.origin, sizeof(iv.origin), "%.63s", origin);
	if (index_put(ix, &iv, &ie) == -1)
		log_warnx("index %s@%s: %s", emod, ever, ie.msg);
	/* A private version gets its record in our own database. */
	if (iv.has_zip && sumdb_log_add(px, iv.module, iv.version, iv.zip_h1,
	    iv.mod_h1, &ie) == -1)
		log_warnx("private checksum database: %s@%s: %s", iv.module,
		    iv.version, ie.msg);
	return 0;
}

/* Fetch the files want needs from one proxy base URL into f. */
static int
fetch_from_proxy(struct proxy *px, const char *base, const char *emod,
    const char *ever, enum artifact want, struct fetched *f, struct err *e)
{
	static const long long caps[] = {
		[ART_INFO] = INFO_MAX, [ART_MOD] = GOMOD_MAX,
		[ART_ZIP] = ZIP_MAX,
	};
	char url[PATH_MAX + 512], path[PATH_MAX];
	char **dst[] = { [ART_INFO] = &f->info, [ART_MOD] = &f->mod,
	    [ART_ZIP] = &f->zip };
	/* .mod first: it is the cheapest way to learn the version exists. */
	static const enum artifact order[] = { ART_MOD, ART_INFO, ART_ZIP };
	struct stat sb;
	size_t i;

	for (i = 0; i < NITEMS(order); i++) {
		if (want == ART_MOD && order[i] != ART_MOD)
			continue;
		/* Already stored (e.g. .mod before the zip was asked for). */
		if (store_path(&px->store, emod, ever, order[i], path,
		    sizeof(path)) == 0 && stat(path, &sb) == 0)
			continue;
		snprintf(url, sizeof(url), "%s/%s/@v/%s%s", base, emod, ever,
		    store_ext(order[i]));
		if (fetch_proxy_file(&px->cfg, &px->store, url,
		    caps[order[i]], dst[order[i]], order[i] == ART_ZIP ?
		    f->zip_sha256 : NULL, e) == -1)
			return -1;
	}
	return 0;
}

/* What one upstream entry is asked for module@version (canonical). */
struct fetch_version_walk {
	struct proxy	*px;
	const char	*module, *emod, *version, *ever;
	enum artifact	 want;
};

/*
 * Fetch module@version from u, check it (zipcheck, the checksum
 * database) and publish it: 0, or -1 and e set (logged).
 */
static int
fetch_version_try(void *arg, const struct upstream *u, struct err *e)
{
	struct fetch_version_walk *w = arg;
	char where[PATH_MAX], zip_h1[H1_MAX], mod_h1[H1_MAX];
	struct fetched f;
	int rc;

	memset(&f, 0, sizeof(f));
	if (u->kind == UPSTREAM_DIRECT)
		rc = fetch_direct(&w->px->cfg, &w->px->store, w->module,
		    w->version, &f, e);
	else
		rc = fetch_from_proxy(w->px, u->url, w->emod, w->ever, w->want,
		    &f, e);
	if (rc == 0 && u->kind == UPSTREAM_DIRECT &&
	    strcmp(f.version, w->version) != 0)
		rc = err_set(e, E_UPSTREAM, "go resolved %s to %s",
		    w->version, f.version);
	/* (Direct fetches come whole: f holds the whole version.) */
	if (rc == 0)
		rc = fetch_check(w->module, w->version, &f, zip_h1, mod_h1, e);
	/* The checksum database, before anything is published. */
	if (rc == 0)
		rc = sumdb_verify(w->px, w->module, w->version,
		    mod_h1[0] ? mod_h1 : NULL, zip_h1[0] ? zip_h1 : NULL, e);
	upstream_redact(u->url, where, sizeof(where));
	if (rc == 0)
		rc = fetch_publish(w->px, w->emod, w->ever, &f, zip_h1, where,
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
fetch_upstreams(struct proxy *px, const char *module, const char *emod,
    const char *version, const char *ever, enum artifact want,
    struct err *e)
{
	struct fetch_version_walk w = { px, module, emod, version, ever,
	    want };
	struct err fe;

	switch (upstream_walk(&px->up, fetch_private(px, module),
	    fetch_version_try, &w, &fe)) {
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

/*
 * A remembered failure for key younger than notfound_ttl: "not found"
 * (E_NOTFOUND, E_GONE) or "upstream down" (E_UPSTREAM).  1 and e set
 * when there is one.
 */
static int
fetch_negative(struct proxy *px, struct index *ix, const char *key,
    struct err *e)
{
	struct cache_key k = { ix, NULL, key };
	struct cache_entry c;
	struct err ce;
	int found;

	err_clear(&ce);
	found = cache_lookup(&k, 0, px->cfg.notfound_ttl, &c, &ce) ==
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
fetch_failed_since(struct index *ix, const char *key, time_t waiting,
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

/*
 * The one JSON object body holds, nothing else but white space around it
 * and no NUL byte (what the go command's json.Unmarshal takes), or NULL.
 */
static struct json_object *
fetch_info_json(const struct buf *body)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;

	if (body->data == NULL || body->len == 0 || body->len > INT_MAX ||
	    memchr(body->data, '\0', body->len) != NULL ||
	    (tok = json_tokener_new()) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, body->data, (int)body->len);
	end = json_tokener_get_parse_end(tok);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object) ||
	    end + strspn(body->data + end, " \t\r\n") != body->len) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/*
 * 0 and canon set when body is .info JSON whose Version is a canonical
 * version valid for module (what a resolved query must name) and whose
 * Time, if any, is RFC 3339 (or null): an answer the go command reads.
 */
static int
fetch_info_version(const char *module, const struct buf *body,
    char canon[VERSION_MAX])
{
	struct json_object *o, *v, *t;
	int64_t ns;
	int rc = -1;

	if ((o = fetch_info_json(body)) == NULL)
		return -1;
	if (json_object_object_get_ex(o, "Version", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    semver_canonical(json_object_get_string(v), 1, canon,
	    VERSION_MAX) == 0 &&
	    strcmp(canon, json_object_get_string(v)) == 0 &&
	    modpath_check_major(module, canon) == 0 &&
	    (!json_object_object_get_ex(o, "Time", &t) || t == NULL ||
	    (json_object_is_type(t, json_type_string) &&
	    ep_index_parse_time(json_object_get_string(t), &ns) == 0)))
		rc = 0;
	json_object_put(o);
	return rc;
}

/* What one upstream entry is asked to resolve a query to. */
struct fetch_resolve_walk {
	struct proxy	*px;
	const char	*module, *emod, *query, *uquery;
	char		*canon;
	struct buf	*body;
};

/*
 * Resolve the query at u: direct, go resolves it (and the version is
 * fetched); a proxy answers its .info, which must name a valid canonical
 * version (else the walk ends there: UPSTREAM_TRY_LAST).
 */
static int
fetch_resolve_try(void *arg, const struct upstream *u, struct err *e)
{
	struct fetch_resolve_walk *w = arg;
	char url[PATH_MAX + VERSION_MAX * 3 + 512];
	struct fetched f;
	struct buf b;

	if (u->kind == UPSTREAM_DIRECT) {
		memset(&f, 0, sizeof(f));
		if (fetch_direct(&w->px->cfg, &w->px->store, w->module,
		    w->query, &f, e) == -1)
			return -1;
		memcpy(w->canon, f.version, VERSION_MAX);
		fetched_free(&f);
		return 0;
	}
	snprintf(url, sizeof(url), "%s/%s/@v/%s.info", u->url, w->emod,
	    w->uquery);
	if (fetch_proxy_buf(&w->px->cfg, url, INFO_MAX, &b, e) == -1)
		return -1;
	if (fetch_info_version(w->module, &b, w->canon) == -1) {
		buf_free(&b);
		err_set(e, E_UPSTREAM, "upstream answered %s.info without a "
		    "valid Version", w->query);
		return UPSTREAM_TRY_LAST;
	}
	if (w->body != NULL)
		*w->body = b;
	else
		buf_free(&b);
	return 0;
}

/*
 * Resolve a query (branch, hash, "v1.2", "v2.0.0" on a path without /v2)
 * to a canonical version.  From a proxy, body (when not NULL) gets the
 * .info it answered, byte for byte; from direct it is left empty (the
 * version is then fetched and stored by the caller).  The query goes
 * upstream escaped (capitals as "!x") and percent-encoded.
 */
static int
fetch_resolve(struct proxy *px, const char *module, const char *emod,
    const char *query, char canon[VERSION_MAX], struct buf *body,
    struct err *e)
{
	char equery[VERSION_MAX], uquery[VERSION_MAX * 3];
	struct fetch_resolve_walk w = { px, module, emod, query, uquery,
	    canon, body };
	enum upstream_walked how;

	if (body != NULL)
		memset(body, 0, sizeof(*body));
	if (modpath_escape(query, equery, sizeof(equery)) == -1 ||
	    request_pct_encode(equery, uquery, sizeof(uquery)) == -1)
		return err_set(e, E_NOTFOUND, "invalid version");
	how = upstream_walk(&px->up, fetch_private(px, module),
	    fetch_resolve_try, &w, e);
	if (how == WALK_ANSWERED)
		return 0;
	if (how == WALK_FAILED)
		return -1;
	err_clear(e);
	return err_set(e, E_NOTFOUND, "unknown revision %s", query);
}

/*
 * fetch_resolve through the index cache: a query's answer (a branch tip
 * moves) is reused for list_ttl, like an upstream list, so that repeated
 * "@v/main.info" requests do not each ask upstream or run go.
 */
static int
fetch_resolve_cached(struct proxy *px, const char *module, const char *emod,
    const char *query, char canon[VERSION_MAX], struct err *e)
{
	char key[FETCH_KEY_MAX + 8];
	struct cache_key k = { NULL, NULL, key };
	struct cache_entry c;
	struct err ce;
	int have;

	err_clear(&ce);
	snprintf(key, sizeof(key), "query:%s@%s", module, query);
	k.ix = proxy_index(px, &ce);
	have = cache_lookup(&k, px->cfg.list_ttl, 0, &c, &ce) ==
	    CACHE_FRESH && c.code == E_OK && c.body.len > 0 &&
	    c.body.len < VERSION_MAX;
	if (have)
		memcpy(canon, c.body.data, c.body.len + 1);
	cache_entry_free(&c);
	if (have)
		return 0;
	if (fetch_resolve(px, module, emod, query, canon, NULL, e) == -1)
		return -1;
	cache_put(&k, E_OK, canon, strlen(canon), &ce);
	return 0;
}

int
fetch_query_info(struct proxy *px, const char *module, const char *query,
    struct buf *body, char canon[VERSION_MAX], struct err *e)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX], path[PATH_MAX];
	char key[FETCH_KEY_MAX + 8], resolved[VERSION_MAX];
	struct cache_key k = { NULL, NULL, key };
	struct cache_entry c;
	struct err ce;
	int st;

	if (modpath_escape(module, emod, sizeof(emod)) == -1)
		return err_set(e, E_NOTFOUND, "invalid module path");
	if (fetch_off(px, module))
		return err_set(e, E_NOTFOUND, "not in storage (module lookup "
		    "disabled by GOPROXY=off)");
	err_clear(&ce);
	snprintf(key, sizeof(key), "qinfo:%s@%s", module, query);
	k.ix = proxy_index(px, &ce);
	st = cache_lookup(&k, px->cfg.list_ttl, px->cfg.notfound_ttl, &c,
	    &ce);
	if (st == CACHE_FRESH && c.code == E_OK &&
	    fetch_info_version(module, &c.body, canon) == 0) {
		*body = c.body;
		return 0;
	}
	if (st == CACHE_FRESH && c.code == E_NOTFOUND) {
		cache_failure(&c, "not found upstream", e);
		cache_entry_free(&c);
		return -1;
	}
	cache_entry_free(&c);
	if (fetch_resolve(px, module, emod, query, canon, body, e) == -1) {
		if (e->code == E_NOTFOUND || e->code == E_GONE)
			cache_put(&k, E_NOTFOUND, e->msg, strlen(e->msg), &ce);
		return -1;
	}
	if (body->data == NULL) {
		/* Resolved by go (direct): the version, fetched and stored.
		 * (Its name copied: fetch_version writes canon.) */
		memcpy(resolved, canon, sizeof(resolved));
		if (fetch_version(px, module, resolved, ART_ZIP, canon,
		    e) == -1 ||
		    modpath_escape(canon, ever, sizeof(ever)) == -1 ||
		    store_path(&px->store, emod, ever, ART_INFO, path,
		    sizeof(path)) == -1 ||
		    buf_read_file(body, path, INFO_MAX, e) == -1)
			return -1;
	}
	cache_put(&k, E_OK, body->data, body->len, &ce);
	return 0;
}

int
fetch_version(struct proxy *px, const char *module, const char *query,
    enum artifact want, char canon[VERSION_MAX], struct err *e)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX], key[FETCH_KEY_MAX];
	char negkey[FETCH_KEY_MAX + 4], failkey[FETCH_KEY_MAX + 8];
	struct index *ix;
	time_t deadline, waiting = 0;
	int attempt, st, rc;

	if (modpath_escape(module, emod, sizeof(emod)) == -1)
		return err_set(e, E_NOTFOUND, "invalid module path");
	if (semver_canonical(query, 1, canon, VERSION_MAX) == -1 ||
	    strcmp(canon, query) != 0) {
		if (fetch_resolve_cached(px, module, emod, query, canon,
		    e) == -1)
			return -1;
		want = ART_ZIP;		/* a query's answer is a whole version */
	}
	if (modpath_escape(canon, ever, sizeof(ever)) == -1)
		return err_set(e, E_NOTFOUND, "invalid version");
	if (fetch_have(&px->store, emod, ever, want))
		return 0;
	if (fetch_off(px, module))
		return err_set(e, E_NOTFOUND, "not in storage (module lookup "
		    "disabled by GOPROXY=off)");
	if ((ix = proxy_index(px, e)) == NULL)
		return -1;
	snprintf(key, sizeof(key), "v:%s@%s", module, canon);
	snprintf(negkey, sizeof(negkey), "neg:%s", key);
	snprintf(failkey, sizeof(failkey), "failed:%s", key);
	deadline = time(NULL) + px->cfg.wait_timeout;
	for (attempt = 0;; attempt++) {
		if (fetch_negative(px, ix, negkey, e) ||
		    fetch_failed_since(ix, failkey, waiting, e))
			return -1;
		if ((st = lock_try(ix, key, px->cfg.lock_expiry, e)) == -1)
			return -1;
		if (st == LOCK_OWNER)
			break;
		if (waiting == 0)
			waiting = time(NULL);
		lock_backoff(attempt);
		if (fetch_have(&px->store, emod, ever, want))
			return 0;
		if (time(NULL) >= deadline)
			return err_set(e, E_TIMEOUT, "%s@%s is still being "
			    "fetched by another request; try again", module,
			    canon);
	}
	/* The previous holder may have finished (or failed) just before we
	 * got here. */
	if (fetch_have(&px->store, emod, ever, want))
		rc = 0;
	else if (fetch_failed_since(ix, failkey, waiting, e))
		rc = -1;
	else if ((rc = fetch_upstreams(px, module, emod, canon, ever, want,
	    e)) == -1) {
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

/* What one upstream entry is asked for an answer (list or @latest). */
struct fetch_answer_walk {
	struct proxy	*px;
	const char	*module, *emod;
	struct buf	*body;
};

/*
 * Walk the upstreams for module's list or @latest (try): 0 and body set
 * when an entry answered, else -1 with e the last entry's error ("lookup
 * disabled" when "off" came first).
 */
static int
fetch_answer_upstream(struct proxy *px, const char *module, const char *emod,
    upstream_try_fn *try, struct buf *body, struct err *e)
{
	struct fetch_answer_walk w = { px, module, emod, body };

	if (upstream_walk(&px->up, fetch_private(px, module), try, &w,
	    e) == WALK_ANSWERED)
		return 0;
	if (e->code == E_OK)
		err_set(e, E_NOTFOUND, "not in storage (module lookup "
		    "disabled by GOPROXY=off)");
	return -1;
}

/* Module's list from u (go list -m -versions, direct); body gets it. */
static int
fetch_list_try(void *arg, const struct upstream *u, struct err *e)
{
	struct fetch_answer_walk *w = arg;
	char url[PATH_MAX + 512], **vs;
	size_t n, k;

	if (u->kind == UPSTREAM_DIRECT) {
		if (fetch_direct_list(&w->px->cfg, w->module, &vs, &n,
		    e) == -1)
			return -1;
		buf_init(w->body, FETCH_LIST_MAX);
		for (k = 0; k < n; k++) {
			buf_puts(w->body, vs[k], e);
			buf_append(w->body, "\n", 1, e);
			free(vs[k]);
		}
		free(vs);
		if (w->body->data == NULL)
			buf_append(w->body, "", 0, e);
		return 0;
	}
	snprintf(url, sizeof(url), "%s/%s/@v/list", u->url, w->emod);
	return fetch_proxy_buf(&w->px->cfg, url, FETCH_LIST_MAX, w->body, e);
}

/*
 * The upstream answer for prefix+module from the index cache when fresh,
 * else asked for under a lock (concurrent identical refreshes coalesce:
 * the others use the stale copy, or wait for the fresh one); try is
 * what each upstream entry is asked.
 */
static int
fetch_cached(struct proxy *px, const char *prefix, const char *module,
    upstream_try_fn *try, struct buf *body, int *stale, struct err *e)
{
	char emod[MODPATH_MAX], key[FETCH_KEY_MAX], downkey[FETCH_KEY_MAX + 8];
	char what[FETCH_KEY_MAX];
	struct cache_key k = { NULL, NULL, key }, down = { NULL, NULL,
	    downkey };
	struct cache_policy pol = { what, 1, 0 };
	struct cache_entry c;
	struct err de;
	int cs, st, attempt;
	time_t deadline;

	*stale = 0;
	if (modpath_escape(module, emod, sizeof(emod)) == -1)
		return err_set(e, E_NOTFOUND, "invalid module path");
	/* Nothing to ask: no lock, no cache, no write to the index. */
	if (fetch_off(px, module))
		return err_set(e, E_NOTFOUND, "module lookup disabled by "
		    "GOPROXY=off");
	if ((k.ix = down.ix = proxy_index(px, e)) == NULL)
		return -1;
	snprintf(key, sizeof(key), "%s%s", prefix, module);
	snprintf(downkey, sizeof(downkey), "down:%s", key);
	snprintf(what, sizeof(what), "%s%s", prefix, module);
	/* The stale answer, if any, when upstream fails, unless
	 * network_mode is strict. */
	pol.serve_stale = px->cfg.network_mode != NETWORK_STRICT;
	deadline = time(NULL) + px->cfg.wait_timeout;
	for (attempt = 0;; attempt++) {
		if ((cs = cache_lookup(&k, px->cfg.list_ttl,
		    px->cfg.notfound_ttl, &c, e)) == -1)
			return -1;
		if (cs == CACHE_FRESH)
			break;
		/*
		 * Upstream failed a moment ago: do not make every request
		 * wait for its timeouts again before notfound_ttl is over.
		 */
		err_clear(&de);
		if (fetch_negative(px, k.ix, downkey, &de)) {
			if (c.have && c.code == E_OK && pol.serve_stale) {
				*stale = 1;
				*body = c.body;
				return 0;
			}
			cache_entry_free(&c);
			return err_set(e, de.code, "%s", de.msg);
		}
		if ((st = lock_try(k.ix, key, px->cfg.lock_expiry, e)) == -1) {
			cache_entry_free(&c);
			return -1;
		}
		if (st == LOCK_OWNER) {
			struct buf up;
			struct err ue, ce;
			int rc;

			err_clear(&ue);
			err_clear(&ce);
			rc = fetch_answer_upstream(px, module, emod, try, &up,
			    &ue);
			if (rc == 0)
				cache_put(&down, E_OK, "", 0, &ce);
			else if (ue.code != E_NOTFOUND && ue.code != E_GONE)
				cache_put(&down, E_UPSTREAM, ue.msg,
				    strlen(ue.msg), &ce);
			rc = cache_settle(&k, &c, &pol, rc, &up, &ue, body,
			    stale, e);
			lock_release(k.ix, key);
			return rc;
		}
		/* Someone else refreshes: a stale copy will do meanwhile. */
		if (c.have && c.code == E_OK) {
			*body = c.body;
			return 0;
		}
		cache_entry_free(&c);
		if (time(NULL) >= deadline)
			return err_set(e, E_TIMEOUT, "%s%s is still being "
			    "fetched; try again", prefix, module);
		lock_backoff(attempt);
	}
	if (c.code != E_OK) {
		cache_failure(&c, "", e);
		cache_entry_free(&c);
		return -1;
	}
	*body = c.body;
	return 0;
}

int
fetch_list(struct proxy *px, const char *module, struct buf *body,
    int *stale, struct err *e)
{
	return fetch_cached(px, "list:", module, fetch_list_try, body,
	    stale, e);
}

/* What latest_pick reads an upstream version's go.mod with. */
struct fetch_latest_arg {
	struct proxy	*px;
	const char	*base;
	const char	*emod;
};

static int
fetch_latest_gomod(void *arg, const char *version, struct buf *b,
    struct err *e)
{
	struct fetch_latest_arg *a = arg;
	char ever[VERSION_MAX], url[PATH_MAX + 512];

	if (modpath_escape(version, ever, sizeof(ever)) == -1)
		return err_set(e, E_NOTFOUND, "invalid version");
	snprintf(url, sizeof(url), "%s/%s/@v/%s.mod", a->base, a->emod, ever);
	return fetch_proxy_buf(&a->px->cfg, url, GOMOD_MAX, b, e);
}

/*
 * An upstream without @latest (a file:// tree, a static mirror): the
 * latest of its @v/list as the go command picks it (latest.c), answered
 * with upstream's .info of that version.  E_NOTFOUND when the list has
 * no candidate.
 */
static int
fetch_latest_from_list(struct proxy *px, const char *module,
    const char *emod, const char *base, struct buf *body, struct err *e)
{
	char url[PATH_MAX + 512], shown[PATH_MAX + 512], pick[VERSION_MAX];
	char ever[VERSION_MAX];
	struct fetch_latest_arg arg = { px, base, emod };
	struct latest_src src = { fetch_latest_gomod, &arg };
	char canon[VERSION_MAX], **vs = NULL;
	const char *p, *end;
	size_t nv = 0, cap = 0, n, i;
	struct buf list;
	int picked;

	snprintf(url, sizeof(url), "%s/%s/@v/list", base, emod);
	if (fetch_proxy_buf(&px->cfg, url, FETCH_LIST_MAX, &list, e) == -1)
		return -1;
	/* The client reads field 1 of each line (protocol.md 2.1). */
	for (p = list.data; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "\n");
		n = strcspn(p, " \t\r\n");
		if (n == 0 || n >= VERSION_MAX)
			continue;
		if (nv == cap) {
			cap = cap ? cap * 2 : 64;
			vs = xreallocarray(vs, cap, sizeof(*vs));
		}
		vs[nv++] = xstrndup(p, n);
	}
	buf_free(&list);
	picked = latest_pick(module, vs, nv, &src, pick);
	for (i = 0; i < nv; i++)
		free(vs[i]);
	free(vs);
	if (!picked)
		return err_set(e, E_NOTFOUND, "no @latest upstream, and no "
		    "version in its list");
	if (modpath_escape(pick, ever, sizeof(ever)) == -1)
		return err_set(e, E_UPSTREAM, "invalid version %s", pick);
	snprintf(url, sizeof(url), "%s/%s/@v/%s.info", base, emod, ever);
	if (fetch_proxy_buf(&px->cfg, url, INFO_MAX, body, e) == -1)
		return -1;
	if (fetch_info_version(module, body, canon) == -1 ||
	    strcmp(canon, pick) != 0) {
		buf_free(body);
		upstream_redact(url, shown, sizeof(shown));
		return err_set(e, E_UPSTREAM, "%s: not the .info of %s", shown,
		    pick);
	}
	return 0;
}

/*
 * Module's @latest from u: direct, go resolves "latest" (the version is
 * then stored); a proxy without @latest gets it computed from its list.
 */
static int
fetch_latest_try(void *arg, const struct upstream *u, struct err *e)
{
	struct fetch_answer_walk *w = arg;
	char ever[VERSION_MAX], canon[VERSION_MAX];
	char url[PATH_MAX + 512], path[PATH_MAX], shown[PATH_MAX + 512];

	if (u->kind == UPSTREAM_DIRECT) {
		/* go resolves "latest"; the version is then stored. */
		if (fetch_version(w->px, w->module, "latest", ART_ZIP, canon,
		    e) == -1 || modpath_escape(canon, ever,
		    sizeof(ever)) == -1 || store_path(&w->px->store, w->emod,
		    ever, ART_INFO, path, sizeof(path)) == -1)
			return -1;
		return buf_read_file(w->body, path, INFO_MAX, e);
	}
	snprintf(url, sizeof(url), "%s/%s/@latest", u->url, w->emod);
	if (fetch_proxy_buf(&w->px->cfg, url, INFO_MAX, w->body, e) == 0) {
		if (fetch_info_version(w->module, w->body, canon) == 0)
			return 0;
		buf_free(w->body);
		upstream_redact(url, shown, sizeof(shown));
		return err_set(e, E_UPSTREAM, "%s: not a valid .info", shown);
	}
	if (e->code != E_NOTFOUND && e->code != E_GONE)
		return -1;
	/* No @latest endpoint: what the go command does. */
	err_clear(e);
	return fetch_latest_from_list(w->px, w->module, w->emod, u->url,
	    w->body, e);
}

int
fetch_latest(struct proxy *px, const char *module, struct buf *body,
    struct err *e)
{
	int stale;

	return fetch_cached(px, "latest:", module, fetch_latest_try,
	    body, &stale, e);
}

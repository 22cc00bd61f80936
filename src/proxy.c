/*
 * proxy.c: what a responder process keeps between requests.
 *
 * The configuration, the storage root and the sqlite index, opened once
 * per process (baseline.md: opening sqlite per request costs 5x).  If the
 * index cannot be opened at start the responder still serves what it can
 * from the tree and retries on later requests; /readyz reports why.  The
 * pipeline (resolve.c) sees these through a struct resolver, which borrows
 * them: no stage needs this file.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http.h"

/* Cached upstream answers are those of px->up, the configured upstream. */
static void
proxy_cache_scope(struct proxy *px)
{
	char scope[SHA256_HEX];

	upstream_scope(&px->up, scope);
	index_cache_scope(px->idx, scope);
}

int
proxy_open(struct proxy *px, struct err *e)
{
	struct err ie;

	if (store_open(&px->store, px->cfg.storage_root, e) == -1)
		return -1;
	if (store_check_tmp(&px->store, e) == -1) {
		store_close(&px->store);
		return -1;
	}
	px->has_signer = 0;
	memset(&px->modes, 0, sizeof(px->modes));
	memset(&px->sumdbs, 0, sizeof(px->sumdbs));
	memset(&px->filter, 0, sizeof(px->filter));
	vulnview_init(&px->vuln);
	if (upstream_parse(px->cfg.upstream_goproxy, &px->up, e) == -1 ||
	    mode_load(px->cfg.download_mode, &px->modes, e) == -1 ||
	    sumdb_parse(px->cfg.sumdb_databases, &px->sumdbs, e) == -1 ||
	    (px->cfg.sumdb_private_key != NULL && sumdb_load_signer(
	    px->cfg.sumdb_private_key, &px->signer, e) == -1) ||
	    (px->cfg.filter_file != NULL && filter_load(px->cfg.filter_file,
	    &px->filter, e) == -1) ||
	    config_singleflight(&px->cfg, e) == -1) {
		upstream_free(&px->up);
		filter_free(&px->filter);
		mode_free(&px->modes);
		sumdb_free(&px->sumdbs);
		store_close(&px->store);
		return -1;
	}
	px->acl = NULL;
	if (px->cfg.access_file != NULL &&
	    access_load(px->cfg.access_file, 0, &px->acl, e) == -1) {
		upstream_free(&px->up);
		filter_free(&px->filter);
		mode_free(&px->modes);
		sumdb_free(&px->sumdbs);
		store_close(&px->store);
		return -1;
	}
	if (access_nrules(px->acl) > 0 && !px->cfg.every_request)
		log_warnx("[access] rules are only applied to requests that "
		    "reach the responder: files the web server serves from "
		    "storage bypass them unless every request is sent here "
		    "(then set [server] every_request = yes)");
	px->has_signer = px->cfg.sumdb_private_key != NULL;
	/* The private log shared by every host: never this host's index
	 * instead (a log of its own would fork the tree heads). */
	px->logidx = NULL;
	if (px->has_signer && px->cfg.sumdb_log_dir != NULL &&
	    index_open_log(&px->logidx, px->cfg.sumdb_log_dir, e) == -1) {
		upstream_free(&px->up);
		filter_free(&px->filter);
		mode_free(&px->modes);
		sumdb_free(&px->sumdbs);
		access_free(px->acl);
		store_close(&px->store);
		return -1;
	}
	fetch_proxy_init();
	/* A fetch can hold its lock for lock_expiry: older files are debris. */
	store_sweep_tmp(&px->store, 2 * px->cfg.lock_expiry);
	err_clear(&ie);
	px->idx = NULL;
	px->idx_error[0] = '\0';
	if (index_open(&px->idx, px->cfg.state_dir, &ie) == -1) {
		log_warnx("%s", ie.msg);
		snprintf(px->idx_error, sizeof(px->idx_error), "%s", ie.msg);
	} else
		proxy_cache_scope(px);
	/* The shared counters: none is no reason not to serve. */
	err_clear(&ie);
	if (metrics_open(px->cfg.state_dir, &ie) == -1)
		log_warnx("metrics off: %s", ie.msg);
	memset(&px->rv, 0, sizeof(px->rv));
	px->rv.cfg = &px->cfg;
	px->rv.store = &px->store;
	px->rv.idx = px->idx;
	px->rv.idx_error = px->idx_error;
	px->rv.logidx = px->logidx;
	px->rv.up = &px->up;
	px->rv.modes = &px->modes;
	px->rv.dbs = &px->sumdbs;
	px->rv.signer = px->has_signer ? &px->signer : NULL;
	px->rv.acl = px->acl;
	px->rv.filter = px->cfg.filter_file != NULL ? &px->filter : NULL;
	px->rv.vuln = px->cfg.vulnerable != VULN_ALLOW ? &px->vuln : NULL;
	return 0;
}

void
proxy_close(struct proxy *px)
{
	publish_drain();	/* the publisher thread uses the store */
	index_close(px->idx);
	px->idx = NULL;
	index_close(px->logidx);
	px->logidx = NULL;
	metrics_close();
	upstream_free(&px->up);
	mode_free(&px->modes);
	sumdb_free(&px->sumdbs);
	access_free(px->acl);
	px->acl = NULL;
	filter_free(&px->filter);
	vulnview_free(&px->vuln);
	explicit_bzero(&px->signer, sizeof(px->signer));
	store_close(&px->store);
}

struct index *
proxy_index(struct proxy *px, struct err *e)
{
	struct err ie;

	if (px->idx != NULL)
		return px->idx;
	err_clear(&ie);
	if (index_open(&px->idx, px->cfg.state_dir, &ie) == -1) {
		snprintf(px->idx_error, sizeof(px->idx_error), "%s", ie.msg);
		err_set(e, ie.code, "%s", ie.msg);
		return NULL;
	}
	proxy_cache_scope(px);
	px->idx_error[0] = '\0';
	px->rv.idx = px->idx;
	return px->idx;
}

/* How often, at most, a listing of the index (/catalog, /index) first
 * catches up with the tree (seconds). */
#define PROXY_CATCH_UP_S	1

void
proxy_catch_up(struct proxy *px, struct index *ix)
{
	struct err e;

	err_clear(&e);
	if (reindex_catch_up(&px->store, ix, PROXY_CATCH_UP_S, &e) == -1)
		log_warnx("index: catching up with the tree: %s", e.msg);
}

struct resolver *
proxy_resolver(struct proxy *px)
{
	struct err e;

	err_clear(&e);
	px->rv.idx = proxy_index(px, &e);
	return &px->rv;
}

void
proxy_run_deferred(struct proxy *px)
{
	/* Nothing pending: the index is not (re)opened for nothing.  While
	 * another process holds it, each open waits INDEX_BUSY_MS, and
	 * this runs after every request, /healthz too. */
	if (px->rv.pending.active || px->rv.deferred_module[0] != '\0')
		resolve_deferred(proxy_resolver(px));
	/* The index writes the answer did not wait for (a checksum
	 * database's tiles and tree): one transaction, before the next
	 * request. */
	resolve_flush(&px->rv);
	/* [vulndb] ttl: the mirror synced by the responder, after its
	 * answer; one at a time (vulndb_tree.c's lock), the others skip. */
	if (vulndb_refresh_due(&px->cfg, time(NULL)))
		vulndb_refresh(&px->cfg);
}

int
proxy_answer(struct proxy *px, const struct want *w, struct response *rs,
    struct err *e)
{
	struct answer a;

	/* An answer about a module [access] rules cover, or a private one
	 * under [policy] private_access = vcs, is per user: no shared cache
	 * may keep it (router_handle made the others private that carry
	 * credentials or meet [access]). */
	if (access_covered(px->acl, w->module) ||
	    (px->cfg.private_access == PRIVATE_ACCESS_VCS &&
	    w->module != NULL && policy_private(&px->cfg, w->module)))
		rs->private_cache = 1;
	if (resolve(proxy_resolver(px), w, &a, e) == 0) {
		/* How it was come to, for the access line and metrics. */
		rs->outcome = a.outcome;
		if (response_answer(rs, &px->store, &a) == -1 && !rs->sent)
			err_set(e, E_INTERNAL, "cannot send %s", a.path);
	}
	answer_free(&a);
	return e->code == E_OK ? 0 : -1;
}

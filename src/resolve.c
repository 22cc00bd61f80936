/*
 * resolve.c: the one entry of the miss pipeline (DESIGN 1).
 *
 * Every endpoint that answers about modules (artifacts, a query's .info,
 * list, @latest, checksum database paths, ours included) says what it
 * wants in a struct want and gets a struct answer (a body, a stored file
 * or a redirect) or an error.  Here: policy decides once (policy.c), then
 * the kind's resolver runs -- a stored version's file from the tree
 * (stored.c), else, as policy says, a redirect, "not yet" with a fetch
 * after the answer (async), storage's "not found", or the version
 * pipeline (resolve_version.c: cache, singleflight, fetch, check,
 * publish, hooks; a small file is answered from its checked temporary
 * copy and published once the answer is out); list, @latest and queries in resolve_answer.c; sumdb
 * paths in resolve_sumdb.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "piraeus.h"

typedef int	 resolve_fn(struct resolver *, const struct want *,
		    const struct decision *, struct answer *, struct err *);

/* Policy's redirect as the answer. */
static int
resolve_redirect(const struct decision *d, struct answer *a)
{
	a->kind = ANSWER_REDIRECT;
	a->cache = ANSWER_NOSTORE;
	a->outcome = OUTCOME_REDIRECTED;
	snprintf(a->location, sizeof(a->location), "%s", d->location);
	return 0;
}

/* Remember w's module@version for resolve_deferred. */
static void
resolve_defer(struct resolver *rv, const struct want *w,
    const struct decision *d)
{
	if (!d->defer)
		return;
	snprintf(rv->deferred_module, sizeof(rv->deferred_module), "%s",
	    w->module);
	snprintf(rv->deferred_version, sizeof(rv->deferred_version), "%s",
	    w->version);
}

/*
 * Storage lacks w: what policy said instead of fetching now.  1 when the
 * caller is to fetch, 0 when a (the redirect) is the answer, -1 and e.
 */
static int
resolve_miss(struct resolver *rv, const struct want *w,
    const struct decision *d, struct answer *a, struct err *e)
{
	switch (d->action) {
	case POLICY_FETCH:
		return 1;
	case POLICY_REDIRECT:
		resolve_defer(rv, w, d);
		return resolve_redirect(d, a);
	case POLICY_ASYNC:
		resolve_defer(rv, w, d);
		return err_set(e, E_NOTFOUND, "not in storage yet: it is "
		    "being fetched, try again shortly");
	case POLICY_STORAGE_ONLY:
	case POLICY_REFUSE:
		break;
	}
	return err_set(e, d->why.code, "%s", d->why.msg);
}

/* The zip's ETag: the SHA-256 the index recorded (a version another
 * host of a shared tree published is described and indexed now, so that
 * every host gives the same ETag), else size and mtime. */
static void
resolve_zip_etag(struct resolver *rv, const struct want *w,
    struct answer *a)
{
	struct index_version iv;
	struct err e;

	err_clear(&e);
	if (rv->idx != NULL && stored_row(rv->store, rv->idx, w->module,
	    w->version, &iv, &e) == 1 && iv.zip_sha256[0] != '\0' &&
	    iv.zip_size == (int64_t)a->st.st_size) {
		snprintf(a->etag, sizeof(a->etag), "\"%s\"", iv.zip_sha256);
		return;
	}
	snprintf(a->etag, sizeof(a->etag), "W/\"%llx-%llx\"",
	    (unsigned long long)a->st.st_size,
	    (unsigned long long)a->st.st_mtime);
}

/* A version's stored file into a: ANSWER_BODY for .info and .mod,
 * ANSWER_FILE for .zip; when the web server sends files (X-Sendfile,
 * X-Accel-Redirect) every one is ANSWER_FILE, never read here, and its
 * ETag is the server's.  E_NOTFOUND when it is not stored. */
static int
resolve_stored(struct resolver *rv, const struct want *w,
    const char *ever, struct answer *a, struct err *e)
{
	if (rv->cfg != NULL && rv->cfg->sendfile != SENDFILE_OFF) {
		if (stored_open_unread(rv->store, w->emod, ever,
		    (enum artifact)stored_artifact(w->kind), a, e) == -1)
			return -1;
		if (w->kind == WANT_ZIP)
			resolve_zip_etag(rv, w, a);
		else
			snprintf(a->etag, sizeof(a->etag), "W/\"%llx-%llx\"",
			    (unsigned long long)a->st.st_size,
			    (unsigned long long)a->st.st_mtime);
		return 0;
	}
	if (stored_open(rv->store, w->emod, ever,
	    (enum artifact)stored_artifact(w->kind), a, e) == -1)
		return -1;
	if (w->kind == WANT_ZIP)
		resolve_zip_etag(rv, w, a);
	return 0;
}

/*
 * A stored file of module@version is about to be answered (in a, open):
 * in the every-request deployment the validator hook decides on hits
 * too.  0, or -1 with a emptied and e the refusal.
 */
static int
resolve_hit_allowed(struct resolver *rv, const char *module,
    const char *version, enum want_kind kind, struct answer *a,
    struct err *e)
{
	struct policy p;

	resolve_policy(rv, &p);
	if (policy_on_hit(&p, rv->idx, module, version, kind, e) == 0)
		return 0;
	answer_free(a);
	answer_init(a);
	return -1;
}

/* A version's .info, .mod or .zip: stored, else fetched when allowed. */
static int
resolve_artifact(struct resolver *rv, const struct want *w,
    const struct decision *d, struct answer *a, struct err *e)
{
	char canon[VERSION_MAX];
	int rc;

	if (d->action == POLICY_REFUSE)
		return err_set(e, d->why.code, "%s", d->why.msg);
	enum answer_outcome how;

	a->cache = ANSWER_IMMUTABLE;
	if (resolve_stored(rv, w, w->ever, a, e) == 0) {
		a->outcome = OUTCOME_HIT;
		return resolve_hit_allowed(rv, w->module, w->version, w->kind,
		    a, e);
	}
	if (e->code != E_NOTFOUND)
		return -1;
	err_clear(e);
	/* Sent elsewhere or told "not yet", the client would get the zip
	 * from the next GOPROXY entry: [policy] vulnerable says first. */
	if (w->kind == WANT_ZIP && (d->action == POLICY_REDIRECT ||
	    d->action == POLICY_ASYNC)) {
		struct policy p;

		resolve_policy(rv, &p);
		if (policy_zip_refused(&p, w->module, w->version, e) == -1)
			return -1;
	}
	if ((rc = resolve_miss(rv, w, d, a, e)) != 1)
		return rc;
	/* Answered from the checked files (published after the answer),
	 * or stored now. */
	if ((rc = resolve_version(rv, d, w->module, w->version, w->kind, canon,
	    a, e)) != 0)
		return rc == 1 ? 0 : -1;
	how = a->outcome;
	a->cache = ANSWER_IMMUTABLE;
	rc = resolve_stored(rv, w, w->ever, a, e);
	a->outcome = how;
	return rc;
}

/* A query's .info: "v1.2.3+meta" stored as v1.2.3, else upstream's. */
static int
resolve_query_info(struct resolver *rv, const struct want *w,
    const struct decision *d, struct answer *a, struct err *e)
{
	char ever[VERSION_MAX];
	int rc;

	if (d->action == POLICY_REFUSE)
		return err_set(e, d->why.code, "%s", d->why.msg);
	/* A query's answer may change as versions appear: not immutable. */
	a->cache = ANSWER_LIST;
	if (w->canon[0] != '\0' &&
	    modpath_escape(w->canon, ever, sizeof(ever)) == 0) {
		if (resolve_stored(rv, w, ever, a, e) == 0) {
			a->outcome = OUTCOME_HIT;
			return resolve_hit_allowed(rv, w->module, w->canon,
			    WANT_INFO, a, e);
		}
		if (e->code != E_NOTFOUND)
			return -1;
		err_clear(e);
		answer_free(a);
		answer_init(a);
	}
	if ((rc = resolve_miss(rv, w, d, a, e)) != 1)
		return rc;
	return resolve_query(rv, w, d, a, e);
}

/* list and @latest: policy's redirect comes before storage. */
static int
resolve_changing(struct resolver *rv, const struct want *w,
    const struct decision *d, struct answer *a, struct err *e)
{
	if (d->action == POLICY_REFUSE)
		return err_set(e, d->why.code, "%s", d->why.msg);
	if (d->action == POLICY_REDIRECT)
		return resolve_redirect(d, a);
	return w->kind == WANT_LIST ? resolve_list(rv, w, d, a, e) :
	    resolve_latest(rv, w, d, a, e);
}

static resolve_fn *const resolve_table[WANT_MAX] = {
	[WANT_INFO] = resolve_artifact,
	[WANT_MOD] = resolve_artifact,
	[WANT_ZIP] = resolve_artifact,
	[WANT_QUERY] = resolve_query_info,
	[WANT_LIST] = resolve_changing,
	[WANT_LATEST] = resolve_changing,
	[WANT_SUMDB] = resolve_sumdb,
	[WANT_SUMDB_PRIVATE] = resolve_sumdb_private,
};

int
resolve(struct resolver *rv, const struct want *w, struct answer *a,
    struct err *e)
{
	struct decision d;
	struct policy p;

	answer_init(a);
	if ((unsigned)w->kind >= WANT_MAX)
		return err_set(e, E_INTERNAL, "nothing to resolve");
	resolve_policy(rv, &p);
	policy_decide(&p, w, &d);
	return resolve_table[w->kind](rv, w, &d, a, e);
}

void
resolve_flush(struct resolver *rv)
{
	struct err e;

	if (rv->idx == NULL)
		return;
	err_clear(&e);
	if (index_flush(rv->idx, &e) == -1)
		log_warnx("index: %s", e.msg);
}

void
resolve_deferred(struct resolver *rv)
{
	char module[MODPATH_MAX], version[VERSION_MAX], emod[MODPATH_MAX];
	char canon[VERSION_MAX];
	struct want w;
	struct decision d;
	struct policy p;
	struct err e;

	resolve_publish_pending(rv);
	if (rv->deferred_module[0] == '\0')
		return;
	memcpy(module, rv->deferred_module, sizeof(module));
	memcpy(version, rv->deferred_version, sizeof(version));
	rv->deferred_module[0] = '\0';
	if (modpath_escape(module, emod, sizeof(emod)) == -1)
		return;
	memset(&w, 0, sizeof(w));
	w.kind = WANT_ZIP;
	w.module = module;
	w.emod = emod;
	w.version = version;
	w.ever = w.canon = w.path = "";
	w.now = 1;
	resolve_policy(rv, &p);
	policy_decide(&p, &w, &d);
	err_clear(&e);
	if (d.action != POLICY_FETCH)
		err_set(&e, d.why.code, "%s", d.why.msg);
	else
		resolve_version(rv, &d, module, version, WANT_ZIP, canon, NULL,
		    &e);
	if (e.code != E_OK)
		log_info("async fetch %s@%s: %s", module, version, e.msg);
}

/*
 * resolve_sumdb.c: paths below /sumdb/<name>/ (protocol.md 5.5).
 *
 * A public database's lookup, latest or tile is read through the cache
 * where sumdb_base.c says (an upstream proxy's /sumdb/ or the database's
 * URL), unless policy refuses it (a lookup of a module matching [sumdb]
 * nosum is never named upstream) or keeps it to the cache (offline).  Our
 * own database answers from its log (sumdb_log.c); a lookup of a version
 * policy wants logged but without a record yet is made one first: the
 * version is fetched through the version pipeline when it is not stored
 * (its publish hook logs it), and a version stored before (an import, a
 * reindexed tree) is logged from its stored hashes, once the public
 * database vouched for it when policy says so (private_relay).  A data
 * tile of our own database naming a module hidden from the request's
 * user ([access]) is not found, as a tile that does not exist.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "piraeus.h"

/* How a sumdb path's answer is typed and cached by clients. */
static void
resolve_sumdb_kind(const char *path, struct answer *a)
{
	struct tlog_tile t;
	int tile = tlog_tile_parse(path, &t) == 0;

	a->kind = ANSWER_BODY;
	a->ctype = tile && t.l >= 0 ? "application/octet-stream" :
	    "text/plain; charset=UTF-8";
	a->cache = tile && t.w == 1 << t.h ? ANSWER_IMMUTABLE : ANSWER_SUMDB;
}

int
resolve_sumdb(struct resolver *rv, const struct want *w,
    const struct decision *d, struct answer *a, struct err *e)
{
	struct sumdb_ctx sc;

	if (d->action == POLICY_REFUSE)
		return err_set(e, d->why.code, "%s", d->why.msg);
	resolve_sumdb_ctx(rv, d, &sc);
	resolve_sumdb_kind(w->path, a);
	return sumdb_get(&sc, w->db, w->path, &a->body, e);
}

/* Make a record for w's version, which policy wants logged: fetched
 * (and logged by the publish hook) when not stored, else logged from its
 * row (the index's, or described from the tree when another host of a
 * shared tree stored it: stored_row). */
static int
resolve_sumdb_record(struct resolver *rv, const struct want *w,
    const struct decision *d, struct err *e)
{
	char canon[VERSION_MAX];
	struct index_version iv;
	struct sumdb_ctx sc;
	int found;

	if ((found = stored_row(rv->store, rv->idx, w->module, w->version,
	    &iv, e)) == -1)
		return -1;
	if (found == 0 || !iv.has_zip || !iv.has_info ||
	    iv.zip_h1[0] == '\0' || iv.mod_h1[0] == '\0') {
		if (d->action != POLICY_FETCH)
			return err_set(e, d->why.code, "%s", d->why.msg);
		if (resolve_version(rv, d, w->module, w->version, WANT_ZIP,
		    canon, NULL, e) == -1)
			return -1;
		if ((found = sumdb_log_has(resolve_log_index(rv), w->module,
		    w->version, e)) != 0)
			return found == 1 ? 0 : -1;
		if (stored_row(rv->store, rv->idx, w->module, w->version, &iv,
		    e) != 1 ||
		    !iv.has_zip || iv.zip_h1[0] == '\0' ||
		    iv.mod_h1[0] == '\0')
			return err_set(e, E_NOTFOUND, "%s@%s: not in the "
			    "private checksum database %s", w->module,
			    w->version, rv->signer->name);
	}
	/* A public version is relayed only once the public database has
	 * vouched for it. */
	resolve_sumdb_ctx(rv, d, &sc);
	if (d->verify && sumdb_verify(&sc, w->module, w->version, iv.mod_h1,
	    iv.zip_h1, e) == -1)
		return -1;
	return sumdb_log_add(resolve_log_index(rv), rv->signer, w->module,
	    w->version, iv.zip_h1, iv.mod_h1, e);
}

int
resolve_sumdb_private(struct resolver *rv, const struct want *w,
    const struct decision *d, struct answer *a, struct err *e)
{
	const char *user = w->who != NULL ? w->who->user : NULL;
	int found;

	if (d->action == POLICY_REFUSE)
		return err_set(e, d->why.code, "%s", d->why.msg);
	if (rv->signer == NULL)
		return err_set(e, E_NOTFOUND, "no private checksum database");
	if (resolve_index(rv, e) == -1)
		return -1;
	resolve_sumdb_kind(w->path, a);
	if (w->module[0] != '\0') {
		if (d->action == POLICY_REFUSE)
			return err_set(e, d->why.code, "%s", d->why.msg);
		if ((found = sumdb_log_has(resolve_log_index(rv), w->module,
		    w->version, e)) == -1)
			return -1;
		if (found == 0 && d->action == POLICY_STORAGE_ONLY &&
		    !d->log)
			return err_set(e, d->why.code, "%s", d->why.msg);
		if (found == 0 && resolve_sumdb_record(rv, w, d, e) == -1)
			return -1;
	} else if ((found = sumdb_log_tile_visible(resolve_log_index(rv),
	    w->path, rv->acl, user, e)) != 1)
		return found == -1 ? -1 : err_set(e, E_NOTFOUND, "no such "
		    "tile, or not visible to %s", user != NULL ? user :
		    "anonymous requests");
	return sumdb_log_answer(resolve_log_index(rv), rv->signer, w->path,
	    w->module, w->version, &a->body, e);
}

/*
 * verify.c: is what storage holds what was stored? (`piraeus verify`)
 *
 * For one stored version: the files a complete version needs (.info has
 * its .mod; a .zip has its .mod and .info), the .info names the version,
 * the zip passes the zip rules (zipcheck), and the hashes computed again
 * from the tree (go.mod h1, zip h1, zip SHA-256) are compared with three
 * witnesses: the index row written when it was published, the public
 * checksum database (when [sumdb] verify is on and the module is not
 * private: sumdb_verify, through its cache; with network_mode offline only
 * what is cached is asked, and a miss is no finding), and the private
 * checksum database's log (its record, when it has one).  The witnesses
 * together say what went wrong (enum verify_kind): the tree changed
 * under the index (store corrupted), the index alone is wrong (the tree
 * agrees with a checksum database), the tree and index agree but the
 * checksum database does not (upstream re-tagged), nothing vouches for
 * the version (never verified), files are missing (incomplete).
 *
 * This file decides; the command line prints and quarantines (purge.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "piraeus.h"

/* What one witness says of the tree's hashes. */
enum verify_say { SAY_NONE = 0, SAY_AGREE, SAY_DISAGREE, SAY_UNCHECKED };

static const struct {
	const char	*name;
	int		 bad;		/* quarantined by --quarantine */
} verify_kinds[VERIFY_MAX] = {
	[VERIFY_OK] =		{ "ok", 0 },
	[VERIFY_INCOMPLETE] =	{ "incomplete", 1 },
	[VERIFY_BROKEN] =	{ "broken file", 1 },
	[VERIFY_CORRUPTED] =	{ "store corrupted", 1 },
	[VERIFY_RETAGGED] =	{ "upstream re-tagged", 1 },
	[VERIFY_INDEX] =	{ "index wrong", 0 },
	[VERIFY_UNINDEXED] =	{ "not indexed", 0 },
	[VERIFY_NEVER] =	{ "never verified", 0 },
	[VERIFY_UNCHECKED] =	{ "not checked", 0 },
};

const char *
verify_kind_name(enum verify_kind k)
{
	return verify_kinds[k].name;
}

int
verify_kind_bad(enum verify_kind k)
{
	return verify_kinds[k].bad;
}

/* Set f's kind and reason (the first finding wins); returns 0. */
static int
verify_say(struct verify_finding *f, enum verify_kind k, const char *fmt, ...)
    PIRAEUS_ATTR_PRINTF(3, 4);
static int
verify_say(struct verify_finding *f, enum verify_kind k, const char *fmt, ...)
{
	va_list ap;

	if (f->kind != VERIFY_OK)
		return 0;
	f->kind = k;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	return 0;
}

/* The private log's record of module@version against the tree's hashes. */
static enum verify_say
verify_log(struct index *idx, const char *module, const char *version,
    const char *zip_h1, const char *mod_h1, char *theirs, size_t theirsz)
{
	struct err e;
	struct buf rec;
	int64_t id;
	char want[2 * (MODPATH_MAX + VERSION_MAX + H1_MAX + 16)];
	enum verify_say say;

	err_clear(&e);
	if (idx == NULL || index_log_find(idx, module, version, &id, &e) != 1)
		return SAY_NONE;
	if (index_log_record(idx, id, &rec, &e) != 1)
		return SAY_UNCHECKED;
	snprintf(want, sizeof(want), "%s %s %s\n%s %s/go.mod %s\n", module,
	    version, zip_h1, module, version, mod_h1);
	say = strcmp(rec.data, want) == 0 ? SAY_AGREE : SAY_DISAGREE;
	snprintf(theirs, theirsz, "%s", rec.data);
	buf_free(&rec);
	return say;
}

/* The public checksum database's word on the tree's hashes. */
static enum verify_say
verify_sumdb(const struct verify_env *env, const char *module,
    const char *version, const char *zip_h1, const char *mod_h1,
    char *why, size_t whysz)
{
	struct err e;

	if (env->sdb == NULL || env->sdb->dbs->n == 0 ||
	    !env->sdb->cfg->sumdb_verify ||
	    policy_private(env->sdb->cfg, module))
		return SAY_NONE;
	err_clear(&e);
	if (sumdb_verify(env->sdb, module, version, mod_h1[0] ? mod_h1 : NULL,
	    zip_h1[0] ? zip_h1 : NULL, &e) == 0)
		return SAY_AGREE;
	snprintf(why, whysz, "%s", e.msg);
	/* sumdb.c tells these apart only in its message. */
	if (strstr(e.msg, "not cached (network_mode is offline)") != NULL)
		return SAY_NONE;
	if (strstr(e.msg, "checksum mismatch") != NULL)
		return SAY_DISAGREE;
	if (strstr(e.msg, "has no record") != NULL)
		return SAY_NONE;
	return SAY_UNCHECKED;
}

/* The tree's hashes of a version: .info read and checked, go.mod h1,
 * zip rules and h1, zip SHA-256.  A finding in f when a file fails. */
static void
verify_hash(const struct verify_env *env, const struct store_version *sv,
    const struct index_version *row, struct verify_finding *f,
    char zip_h1[H1_MAX], char mod_h1[H1_MAX], char sha[SHA256_HEX])
{
	char path[ANSWER_PATH_MAX], time[64];
	struct buf b;
	struct err e;
	int rc;

	zip_h1[0] = mod_h1[0] = sha[0] = '\0';
	err_clear(&e);
	if (sv->has_info) {
		if (store_path(env->store, f->emod, f->ever, ART_INFO, path,
		    sizeof(path)) == -1 ||
		    buf_read_file(&b, path, INFO_MAX, &e) == -1) {
			verify_say(f, VERIFY_BROKEN, ".info: %s", e.msg);
			return;
		}
		rc = reindex_check_info(&b, f->version, time, sizeof(time), &e);
		buf_free(&b);
		if (rc == -1) {
			verify_say(f, VERIFY_BROKEN, "%s", e.msg);
			return;
		}
	}
	if (sv->has_mod) {
		if (store_path(env->store, f->emod, f->ever, ART_MOD, path,
		    sizeof(path)) == -1 ||
		    buf_read_file(&b, path, GOMOD_MAX, &e) == -1) {
			verify_say(f, VERIFY_BROKEN, ".mod: %s", e.msg);
			return;
		}
		rc = dirhash_mod(b.data, b.len, mod_h1, &e);
		buf_free(&b);
		if (rc == -1) {
			verify_say(f, VERIFY_BROKEN, ".mod: %s", e.msg);
			return;
		}
	}
	if (sv->has_zip) {
		if (store_path(env->store, f->emod, f->ever, ART_ZIP, path,
		    sizeof(path)) == -1)
			return;
		if (zipcheck(path, f->module, f->version, zip_h1, &e) == -1) {
			zip_h1[0] = '\0';
			if (row != NULL && row->zip_h1[0])
				verify_say(f, VERIFY_CORRUPTED, "the zip no "
				    "longer reads as the one indexed (%s): %s",
				    row->zip_h1, e.msg);
			else
				verify_say(f, VERIFY_BROKEN, "the zip fails "
				    "the zip rules: %s", e.msg);
			return;
		}
		if (dirhash_sha256_file(path, sha, &e) == -1)
			verify_say(f, VERIFY_BROKEN, "zip: %s", e.msg);
	}
}

/* Where the tree's hashes differ from the index row: "" when nowhere. */
static void
verify_vs_index(const struct index_version *row, const char *zip_h1,
    const char *mod_h1, const char *sha, char *diff, size_t diffsz)
{
	diff[0] = '\0';
	if (row->mod_h1[0] && strcmp(row->mod_h1, mod_h1) != 0)
		snprintf(diff, diffsz, "go.mod is %s, the index recorded %s",
		    mod_h1[0] ? mod_h1 : "missing", row->mod_h1);
	else if (row->zip_h1[0] && strcmp(row->zip_h1, zip_h1) != 0)
		snprintf(diff, diffsz, "the zip is %s, the index recorded %s",
		    zip_h1[0] ? zip_h1 : "missing", row->zip_h1);
	else if (row->zip_sha256[0] && strcmp(row->zip_sha256, sha) != 0)
		snprintf(diff, diffsz, "the zip's SHA-256 is %s, the index "
		    "recorded %s", sha[0] ? sha : "missing", row->zip_sha256);
}

int
verify_version(const struct verify_env *env, const char *emod,
    const struct store_version *sv, struct verify_finding *f, struct err *e)
{
	char zip_h1[H1_MAX], mod_h1[H1_MAX], sha[SHA256_HEX];
	char diff[512], dbwhy[ERR_MSG_MAX], logrec[1024];
	struct index_version row;
	enum verify_say db, lg;
	int have_row = 0;

	memset(f, 0, sizeof(*f));
	dbwhy[0] = '\0';
	snprintf(f->emod, sizeof(f->emod), "%s", emod);
	snprintf(f->ever, sizeof(f->ever), "%s", sv->ever);
	if (modpath_unescape(emod, f->module, sizeof(f->module)) == -1 ||
	    modpath_unescape(sv->ever, f->version, sizeof(f->version)) == -1)
		return verify_say(f, VERIFY_BROKEN, "not a module path and "
		    "version");
	if (env->idx != NULL) {
		if ((have_row = index_get(env->idx, f->module, f->version, &row,
		    e)) == -1)
			return -1;
	}
	/* Structure: what publish puts together must be together. */
	if (sv->has_info && !sv->has_mod)
		return verify_say(f, VERIFY_INCOMPLETE, "a .info without its "
		    ".mod");
	if (sv->has_zip && !sv->has_info)
		return verify_say(f, VERIFY_INCOMPLETE, "a .zip without its "
		    ".info");
	if (have_row && !sv->has_info)
		return verify_say(f, VERIFY_INCOMPLETE, "indexed, but its "
		    ".info is gone");
	if (have_row && row.has_zip && !sv->has_zip)
		return verify_say(f, VERIFY_INCOMPLETE, "indexed with a zip, "
		    "but the .zip is gone");
	verify_hash(env, sv, have_row ? &row : NULL, f, zip_h1, mod_h1, sha);
	if (f->kind != VERIFY_OK)
		return 0;
	if (!sv->has_info)	/* a go.mod alone: the database only */
		zip_h1[0] = '\0';
	diff[0] = '\0';
	if (have_row)
		verify_vs_index(&row, zip_h1, mod_h1, sha, diff, sizeof(diff));
	lg = zip_h1[0] && mod_h1[0] ? verify_log(env->logidx != NULL ?
	    env->logidx : env->idx, f->module, f->version, zip_h1, mod_h1,
	    logrec, sizeof(logrec)) : SAY_NONE;
	db = verify_sumdb(env, f->module, f->version, zip_h1, mod_h1, dbwhy,
	    sizeof(dbwhy));
	if (diff[0] != '\0') {
		/* A database vouches for h1s, never for the zip's bytes. */
		if ((db == SAY_AGREE || lg == SAY_AGREE) &&
		    strncmp(diff, "the zip's SHA-256", 17) != 0)
			return verify_say(f, VERIFY_INDEX, "%s, but the tree "
			    "agrees with the %s: run piraeus reindex", diff,
			    db == SAY_AGREE ? "checksum database" :
			    "private checksum log");
		return verify_say(f, VERIFY_CORRUPTED, "%s", diff);
	}
	if (lg == SAY_DISAGREE)
		return verify_say(f, VERIFY_CORRUPTED, "the tree differs from "
		    "the private checksum log's record: %.300s", logrec);
	if (db == SAY_DISAGREE)
		return verify_say(f, VERIFY_RETAGGED, "tree and index agree, "
		    "the checksum database does not: %s", dbwhy);
	if (db == SAY_UNCHECKED && !env->sdb->offline)
		return verify_say(f, VERIFY_UNCHECKED, "%s", dbwhy);
	if (!sv->has_info)
		return 0;
	if (have_row && !row.has_zip && sv->has_zip)
		return verify_say(f, VERIFY_INDEX, "the tree holds a .zip (%s) "
		    "that the index row does not list: run piraeus reindex",
		    zip_h1);
	if (!have_row && (db == SAY_AGREE || lg == SAY_AGREE))
		return verify_say(f, VERIFY_UNINDEXED, "complete in the tree, "
		    "vouched for, but not in the index: run piraeus reindex");
	if (!have_row || (db == SAY_NONE && lg == SAY_NONE &&
	    env->sdb != NULL && env->sdb->cfg->sumdb_verify &&
	    !policy_private(env->sdb->cfg, f->module) &&
	    dbwhy[0] != '\0' && strstr(dbwhy, "has no record") != NULL))
		return verify_say(f, VERIFY_NEVER, "%s", !have_row ?
		    "not in the index, and no checksum database has a record" :
		    dbwhy);
	return 0;
}

/* What verify_run walks with. */
struct verify_walk {
	const struct verify_env	*env;
	const char		*version;	/* only this one, or NULL */
	verify_report_fn	*fn;
	void			*arg;
	struct verify_stats	*stats;
	struct err		*e;
};

/* Report f, counting it. */
static void
verify_count(struct verify_walk *w, const struct verify_finding *f)
{
	w->stats->versions++;
	if (f->kind != VERIFY_OK)
		w->stats->problems++;
	w->fn(w->arg, f);
}

/* Every version of one module directory, then the index rows of the
 * module that have no file left in the tree. */
static int
verify_module(const char *emod, void *arg)
{
	struct verify_walk *w = arg;
	struct store_version *sv = NULL, gone;
	struct index_version *iv = NULL;
	struct verify_finding f;
	char module[MODPATH_MAX], ever[VERSION_MAX];
	size_t ns = 0, ni = 0, i, j;
	struct err se;

	err_clear(&se);
	if (store_versions(w->env->store, emod, &sv, &ns, &se) == -1 &&
	    se.code != E_NOTFOUND)
		return err_set(w->e, se.code, "%s", se.msg);
	for (i = 0; i < ns; i++) {
		if (w->version != NULL && strcmp(sv[i].ever, w->version) != 0)
			continue;
		if (verify_version(w->env, emod, &sv[i], &f, w->e) == -1) {
			free(sv);
			return -1;
		}
		verify_count(w, &f);
	}
	if (w->env->idx != NULL &&
	    modpath_unescape(emod, module, sizeof(module)) == 0 &&
	    index_versions(w->env->idx, module, &iv, &ni, &se) == 0) {
		for (i = 0; i < ni; i++) {
			if (modpath_escape(iv[i].version, ever,
			    sizeof(ever)) == -1 || (w->version != NULL &&
			    strcmp(ever, w->version) != 0))
				continue;
			for (j = 0; j < ns; j++)
				if (strcmp(sv[j].ever, ever) == 0)
					break;
			if (j < ns)
				continue;
			memset(&gone, 0, sizeof(gone));
			snprintf(gone.ever, sizeof(gone.ever), "%s", ever);
			if (verify_version(w->env, emod, &gone, &f,
			    w->e) == -1)
				break;
			verify_count(w, &f);
		}
		free(iv);
	}
	free(sv);
	return w->e->code == E_OK ? 0 : -1;
}

int
verify_run(const struct verify_env *env, const char *module,
    const char *version, verify_report_fn *fn, void *arg,
    struct verify_stats *stats, struct err *e)
{
	struct verify_walk w = { env, NULL, fn, arg, stats, e };
	char emod[MODPATH_MAX], ever[VERSION_MAX];

	memset(stats, 0, sizeof(*stats));
	if (module == NULL)
		return store_walk(env->store, verify_module, &w, e);
	if (modpath_check(module, NULL) == -1 ||
	    modpath_escape(module, emod, sizeof(emod)) == -1)
		return err_set(e, E_BADREQ, "invalid module path %.200s",
		    module);
	if (version != NULL) {
		if (modpath_escape(version, ever, sizeof(ever)) == -1 ||
		    modpath_check_version_elem(ever) == -1)
			return err_set(e, E_BADREQ, "invalid version %.64s",
			    version);
		w.version = ever;
	}
	return verify_module(emod, &w);
}

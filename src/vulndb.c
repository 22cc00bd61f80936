/*
 * vulndb.c: piraeus vulndb sync and import, the mirror of a Go
 * vulnerability database (go.dev/security/vulndb/api) in ROOT/vulndb.
 *
 * One run makes one new generation (vulndb_tree.c) from a source, the
 * database's URL (libcurl, fetch_proxy.c) or a directory carried from a
 * connected host:
 *
 *   1. index/db.json; when its modified time is the current generation's,
 *      nothing changed and the run ends (one small request); when it is
 *      older, the source is refused (a mirror does not go back in time
 *      unless forced);
 *   2. index/vulns.json and index/modules.json, checked together
 *      (vulndb_index.c);
 *   3. each entry ID/<id>.json: hard-linked from the current generation
 *      when the index gives it the same modified time and the same
 *      modules as the current index does, else got (FETCH_BATCH_MAX at
 *      once), checked against the index (id, modified, affected modules,
 *      OSV_ENTRY_MAX) and written with its .json.gz;
 *   4. the index files, then the legacy layout that govulncheck before
 *      the v1 API reads (index.json, <module>.json, ID/index.json,
 *      aliases.json), derived from the same entries;
 *   5. the switch: the whole set at once.
 *
 * Anything wrong anywhere abandons the new generation: the one served
 * stays as it was.  The .json.gz is preferred from the source (as the
 * v1 clients ask); a source without .json.gz (db.json.gz is 404) is read
 * as .json and compressed here.  Either way each .json.gz stored is the
 * gzip of exactly the .json beside it.
 *
 * [vulndb] ttl: the responder runs a sync itself after an answer when the
 * last one (STORAGE/.vulndb/checked) is older (vulndb_refresh_due,
 * vulndb_refresh, from proxy_run_deferred): an incremental one only (a
 * first, cold, sync is too long for a request's process), and a process
 * that could not start one does not try again before ttl.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "piraeus.h"

/* A path below a generation: its directory and a relative name. */
#define VULNDB_FILE_MAX	(VULNDB_PATH_MAX + MODPATH_MAX + 16)

/* Where the files come from. */
struct vulndb_src {
	const struct config	*cfg;
	const struct store	*st;
	const char		*url;	/* sync: base URL, no trailing "/" */
	const char		*dir;	/* import: a directory */
	int			 plain;	/* no .json.gz: read .json */
	struct vulndb_stats	*stats;
};

/* One file: its JSON and the gzip of it. */
struct vulndb_file {
	struct buf	json;
	struct buf	gz;
};

static void
vulndb_file_free(struct vulndb_file *f)
{
	buf_free(&f->json);
	buf_free(&f->gz);
}

/* The raw bytes of rel (with its extension) from the source into b:
 * 0, or -1 and e (E_NOTFOUND when the source has no such file). */
static int
vulndb_src_raw(struct vulndb_src *s, const char *rel, size_t cap,
    struct buf *b, struct err *e)
{
	char path[PATH_MAX];

	if (s->url != NULL) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", s->url,
		    rel) >= sizeof(path))
			return err_set(e, E_CONFIG, "vulndb URL too long");
		if (fetch_proxy_buf(s->cfg, path, cap, b, e) == -1)
			return -1;
	} else {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", s->dir,
		    rel) >= sizeof(path))
			return err_set(e, E_CONFIG, "%s: path too long",
			    s->dir);
		if (buf_read_file(b, path, cap, e) == -1)
			return -1;	/* E_NOTFOUND when it is not there */
	}
	s->stats->bytes += (long long)b->len;
	s->stats->files++;
	return 0;
}

/*
 * The other half of f, rel's (no extension) file as read from a source:
 * from a plain source f->json is read and its gzip is made; else f->gz is
 * read and its JSON (at most cap bytes) is inflated.  0, or -1 and e
 * naming the file.
 */
static int
vulndb_complete(struct vulndb_file *f, const char *rel, int plain,
    size_t cap, struct err *e)
{
	struct err e2;

	err_clear(&e2);
	if (plain) {
		buf_init(&f->gz, (size_t)-1);
		if (gz_compress(f->json.data, f->json.len, &f->gz, &e2) == 0)
			return 0;
		return err_set(e, e2.code, "%s.json: %s", rel, e2.msg);
	}
	buf_init(&f->json, cap);
	if (gz_decompress(f->gz.data, f->gz.len, &f->json, &e2) == 0)
		return 0;
	return err_set(e, e2.code == E_TOOBIG ? E_TOOBIG : E_UPSTREAM,
	    "%s.json.gz: %s", rel, e2.msg);
}

/* rel (no extension) from the source into f: 0, or -1 and e. */
static int
vulndb_src_get(struct vulndb_src *s, const char *rel, size_t cap,
    struct vulndb_file *f, struct err *e)
{
	char name[PATH_MAX];
	struct err e2;

	memset(f, 0, sizeof(*f));
	if (!s->plain) {
		err_clear(&e2);
		snprintf(name, sizeof(name), "%s.json.gz", rel);
		if (vulndb_src_raw(s, name, cap, &f->gz, &e2) == 0)
			return vulndb_complete(f, rel, 0, cap, e);
		buf_free(&f->gz);
		if (e2.code != E_NOTFOUND || strcmp(rel, "index/db") != 0) {
			err_set(e, e2.code, "%s", e2.msg);
			return -1;
		}
		s->plain = 1;	/* no db.json.gz: a plain database */
	}
	snprintf(name, sizeof(name), "%s.json", rel);
	if (vulndb_src_raw(s, name, cap, &f->json, e) == -1)
		return -1;
	return vulndb_complete(f, rel, 1, cap, e);
}

/* Write f as rel.json and rel.json.gz into the new generation. */
static int
vulndb_put(const struct vulndb_gen *g, const char *rel,
    const struct vulndb_file *f, struct err *e)
{
	char name[PATH_MAX];

	snprintf(name, sizeof(name), "%s.json", rel);
	if (vulndb_tree_put(g, name, f->json.data, f->json.len, e) == -1)
		return -1;
	snprintf(name, sizeof(name), "%s.json.gz", rel);
	return vulndb_tree_put(g, name, f->gz.data, f->gz.len, e);
}

/* Check entry vi's file and write it. */
static int
vulndb_entry_put(const struct vulndb_gen *g, const struct vulndb_index *ix,
    size_t vi, const struct vulndb_file *f, struct err *e)
{
	char rel[OSV_ID_MAX + 8];

	if (vulndb_index_entry_check(ix, vi, f->json.data, f->json.len, e) == -1)
		return -1;
	snprintf(rel, sizeof(rel), "ID/%s", ix->v[vi].id);
	return vulndb_put(g, rel, f, e);
}

/* The entries of todo[0..n) from a URL, FETCH_BATCH_MAX at a time. */
static int
vulndb_fetch_entries(struct vulndb_src *s, const struct vulndb_gen *g,
    const struct vulndb_index *ix, const size_t *todo, size_t n,
    struct err *e)
{
	struct fetch_item it[FETCH_BATCH_MAX];
	char urls[FETCH_BATCH_MAX][PATH_MAX], rel[OSV_ID_MAX + 8];
	struct vulndb_file f;
	size_t i, k, m;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i += m) {
		m = n - i < FETCH_BATCH_MAX ? n - i : FETCH_BATCH_MAX;
		memset(it, 0, sizeof(it));
		for (k = 0; k < m; k++) {
			snprintf(urls[k], sizeof(urls[k]), "%s/ID/%s.json%s",
			    s->url, ix->v[todo[i + k]].id,
			    s->plain ? "" : ".gz");
			it[k].url = urls[k];
			it[k].cap = OSV_ENTRY_MAX;
			it[k].to_buf = 1;
		}
		if (fetch_proxy_batch(s->cfg, s->st, it, m, e) == -1)
			return -1;
		for (k = 0; k < m; k++) {
			memset(&f, 0, sizeof(f));
			s->stats->bytes += (long long)it[k].buf.len;
			s->stats->files++;
			if (s->plain)
				f.json = it[k].buf;
			else
				f.gz = it[k].buf;
			snprintf(rel, sizeof(rel), "ID/%s",
			    ix->v[todo[i + k]].id);
			if (rc == 0 && vulndb_complete(&f, rel, s->plain,
			    OSV_ENTRY_MAX, e) == -1)
				rc = -1;
			if (rc == 0 && vulndb_entry_put(g, ix, todo[i + k], &f,
			    e) == -1)
				rc = -1;
			vulndb_file_free(&f);
		}
	}
	s->stats->fetched += (long)n;
	return rc;
}

/* The entries of todo[0..n) from a directory, one by one. */
static int
vulndb_read_entries(struct vulndb_src *s, const struct vulndb_gen *g,
    const struct vulndb_index *ix, const size_t *todo, size_t n,
    struct err *e)
{
	char rel[OSV_ID_MAX + 8];
	struct vulndb_file f;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "ID/%s", ix->v[todo[i]].id);
		rc = vulndb_src_get(s, rel, OSV_ENTRY_MAX, &f, e);
		if (rc == 0)
			rc = vulndb_entry_put(g, ix, todo[i], &f, e);
		vulndb_file_free(&f);
		if (rc == -1)
			return -1;
	}
	s->stats->fetched += (long)n;
	return 0;
}

/* The current generation's index, parsed into old (zeroed when there is
 * none or it cannot be read: then nothing is linked). */
static void
vulndb_old_index(const struct vulndb_gen *g, struct vulndb_index *old)
{
	static const char *const names[3] = { "db", "vulns", "modules" };
	struct buf b[3];
	char path[VULNDB_FILE_MAX];
	struct err e;
	size_t i;
	int ok = 1;

	memset(old, 0, sizeof(*old));
	strmap_init(&old->ids);
	if (g->prev[0] == '\0')
		return;
	err_clear(&e);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/index/%s.json", g->prev,
		    names[i]);
		if (ok && buf_read_file(&b[i], path, i == 0 ? VULNDB_DB_MAX :
		    VULNDB_INDEX_MAX, &e) == -1)
			ok = 0;
		if (!ok)
			buf_init(&b[i], 0);
	}
	if (ok && vulndb_index_parse(old, &b[0], &b[1], &b[2], &e) == -1)
		ok = 0;
	if (!ok)
		log_warnx("vulndb: the current generation's index: %s "
		    "(every entry is got again)", e.msg);
	for (i = 0; i < 3; i++)
		buf_free(&b[i]);
}

/* qsort: strings. */
static int
vulndb_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Write json-c value o as rel (plain JSON, "/" not escaped). */
static int
vulndb_put_json(const struct vulndb_gen *g, const char *rel,
    struct json_object *o, struct err *e)
{
	const char *s;
	size_t n;

	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (s == NULL)
		return err_set(e, E_INTERNAL, "%s: json-c", rel);
	return vulndb_tree_put(g, rel, s, n, e);
}

/* The legacy ID/index.json (the ids, sorted) and aliases.json (alias ->
 * ids). */
static int
vulndb_legacy_ids(const struct vulndb_gen *g, const struct vulndb_index *ix,
    struct err *e)
{
	struct json_object *ids, *al, *a;
	char **v;
	size_t i, j;
	int rc;

	v = xcalloc(ix->nv + 1, sizeof(char *));
	for (i = 0; i < ix->nv; i++)
		v[i] = ix->v[i].id;
	qsort(v, ix->nv, sizeof(char *), vulndb_strcmp);
	ids = json_object_new_array_ext((int)ix->nv);
	for (i = 0; i < ix->nv; i++)
		json_object_array_add(ids, json_object_new_string(v[i]));
	free(v);
	rc = vulndb_put_json(g, "ID/index.json", ids, e);
	json_object_put(ids);
	if (rc == -1)
		return -1;
	al = json_object_new_object();
	for (i = 0; i < ix->nv; i++)
		for (j = 0; j < ix->v[i].naliases; j++) {
			if (!json_object_object_get_ex(al, ix->v[i].aliases[j],
			    &a)) {
				a = json_object_new_array();
				json_object_object_add(al, ix->v[i].aliases[j],
				    a);
			}
			json_object_array_add(a,
			    json_object_new_string(ix->v[i].id));
		}
	rc = vulndb_put_json(g, "aliases.json", al, e);
	json_object_put(al);
	return rc;
}

/* The legacy <module>.json: the module's entries, as stored, in one
 * array. */
static int
vulndb_legacy_module(const struct vulndb_gen *g,
    const struct vulndb_index *ix, const struct vulndb_module *m,
    struct err *e)
{
	char emod[MODPATH_MAX], rel[MODPATH_MAX + 8], path[VULNDB_FILE_MAX];
	struct buf out, one;
	size_t j;
	int rc = -1;

	if (vulndb_index_module_special(m->path))
		snprintf(emod, sizeof(emod), "%s", m->path);
	else if (modpath_escape(m->path, emod, sizeof(emod)) == -1)
		return err_set(e, E_UPSTREAM, "%.200s: cannot escape",
		    m->path);
	snprintf(rel, sizeof(rel), "%s.json", emod);
	buf_init(&out, (size_t)-1);
	if (buf_puts(&out, "[", e) == -1)
		goto out;
	for (j = 0; j < m->nvulns; j++) {
		snprintf(path, sizeof(path), "%s/ID/%s.json", g->dir,
		    ix->v[m->vulns[j]].id);
		if (buf_read_file(&one, path, OSV_ENTRY_MAX, e) == -1)
			goto out;
		if ((j > 0 && buf_puts(&out, ",", e) == -1) ||
		    buf_append(&out, one.data, one.len, e) == -1) {
			buf_free(&one);
			goto out;
		}
		buf_free(&one);
	}
	if (buf_puts(&out, "]", e) == -1)
		goto out;
	rc = vulndb_tree_put(g, rel, out.data, out.len, e);
out:
	buf_free(&out);
	return rc;
}

/* 1 when module m has a legacy <module>.json: it has entries, and its
 * path is a module path (the legacy client escapes it, which fails for
 * another: such a module is skipped there, and logged, but kept in the
 * v1 files). */
static int
vulndb_legacy_has(const struct vulndb_module *m)
{
	if (m->nvulns == 0)
		return 0;
	if (vulndb_index_module_check(m->path) == 0)
		return 1;
	log_warnx("vulndb: module %.200s is not a module path: left out of "
	    "the legacy files (index.json, <module>.json)", m->path);
	return 0;
}

/* The legacy layout (govulncheck before the v1 API, e.g. Debian 12's):
 * index.json {module: newest modified}, <module>.json, ID/index.json,
 * aliases.json.  ID/<id>.json is shared with v1. */
static int
vulndb_legacy(const struct vulndb_gen *g, const struct vulndb_index *ix,
    struct err *e)
{
	struct json_object *idx;
	size_t i;
	int rc;

	idx = json_object_new_object();
	for (i = 0; i < ix->nm; i++)
		if (vulndb_legacy_has(&ix->m[i]))
			json_object_object_add(idx, ix->m[i].path,
			    json_object_new_string(
			    ix->v[ix->m[i].newest].modified));
	rc = vulndb_put_json(g, "index.json", idx, e);
	json_object_put(idx);
	if (rc == -1)
		return -1;
	for (i = 0; i < ix->nm; i++)
		if (vulndb_legacy_has(&ix->m[i]) &&
		    vulndb_legacy_module(g, ix, &ix->m[i], e) == -1)
			return -1;
	return vulndb_legacy_ids(g, ix, e);
}

/*
 * 1 when entry ko of the old index is listed under the same modules as
 * entry ki of the new one (module paths are unique in an index, and an
 * entry is listed once per module): its file, checked against the old
 * index, then holds for the new one and may be linked.  0 otherwise: the
 * entry is got and checked again.
 */
static int
vulndb_same_mods(const struct vulndb_index *old, size_t ko,
    const struct vulndb_index *ix, size_t ki)
{
	const struct vulndb_vuln *a = &old->v[ko], *b = &ix->v[ki];
	size_t i, j;

	if (a->nmods != b->nmods)
		return 0;
	for (i = 0; i < b->nmods; i++) {
		for (j = 0; j < a->nmods; j++)
			if (strcmp(ix->m[b->mods[i]].path,
			    old->m[a->mods[j]].path) == 0)
				break;
		if (j == a->nmods)
			return 0;
	}
	return 1;
}

/* Steps 2 to 4 into the new generation g, db.json already in f[0]. */
static int
vulndb_fill(struct vulndb_src *s, struct vulndb_gen *g,
    struct vulndb_file f[3], struct err *e)
{
	struct vulndb_index ix, old;
	size_t i, k, ntodo = 0, *todo = NULL;
	int rc = -1;

	memset(&ix, 0, sizeof(ix));
	memset(&old, 0, sizeof(old));
	strmap_init(&ix.ids);
	strmap_init(&old.ids);
	if (vulndb_src_get(s, "index/vulns", VULNDB_INDEX_MAX, &f[1],
	    e) == -1 ||
	    vulndb_src_get(s, "index/modules", VULNDB_INDEX_MAX, &f[2],
	    e) == -1 ||
	    vulndb_index_parse(&ix, &f[0].json, &f[1].json, &f[2].json,
	    e) == -1)
		goto out;
	vulndb_old_index(g, &old);
	todo = xcalloc(ix.nv + 1, sizeof(size_t));
	for (i = 0; i < ix.nv; i++) {
		char rel[OSV_ID_MAX + 16];
		struct err e2;

		k = vulndb_index_find(&old, ix.v[i].id);
		err_clear(&e2);
		snprintf(rel, sizeof(rel), "ID/%s.json", ix.v[i].id);
		if (k != STRMAP_NONE && old.v[k].mod_ns == ix.v[i].mod_ns &&
		    vulndb_same_mods(&old, k, &ix, i) &&
		    vulndb_tree_link(g, rel, &e2) == 0) {
			snprintf(rel, sizeof(rel), "ID/%s.json.gz",
			    ix.v[i].id);
			if (vulndb_tree_link(g, rel, &e2) == 0) {
				s->stats->linked++;
				continue;
			}
			snprintf(rel, sizeof(rel), "ID/%s.json", ix.v[i].id);
			if (vulndb_tree_unlink(g, rel, e) == -1)
				goto out;
		}
		todo[ntodo++] = i;
	}
	if ((s->url != NULL ? vulndb_fetch_entries(s, g, &ix, todo, ntodo, e) :
	    vulndb_read_entries(s, g, &ix, todo, ntodo, e)) == -1)
		goto out;
	if (vulndb_put(g, "index/vulns", &f[1], e) == -1 ||
	    vulndb_put(g, "index/modules", &f[2], e) == -1 ||
	    vulndb_put(g, "index/db", &f[0], e) == -1 ||
	    vulndb_legacy(g, &ix, e) == -1)
		goto out;
	s->stats->entries = (long)ix.nv;
	s->stats->modules = (long)ix.nm;
	rc = 0;
out:
	free(todo);
	vulndb_index_free(&ix);
	vulndb_index_free(&old);
	return rc;
}

/* The current generation's db.json modified time against ns: -1 older,
 * 0 the same, 1 newer; -2 when there is none (or it cannot be read). */
static int
vulndb_cmp(const struct vulndb_gen *g, int64_t ns)
{
	char path[VULNDB_FILE_MAX], t[VULNDB_TIME_MAX];
	struct buf b;
	struct err e;
	int64_t old;
	int rc = -2;

	if (g->prev[0] == '\0')
		return -2;
	err_clear(&e);
	snprintf(path, sizeof(path), "%s/index/db.json", g->prev);
	if (buf_read_file(&b, path, VULNDB_DB_MAX, &e) == -1)
		return -2;
	if (vulndb_index_db_parse(b.data, b.len, t, &old, &e) == 0)
		rc = old < ns ? -1 : old == ns ? 0 : 1;
	buf_free(&b);
	return rc;
}

/* STORAGE/.vulndb/checked, its mtime now: when the mirror was last
 * synced (or a responder's sync started). */
static void
vulndb_stamp(const struct config *cfg)
{
	char path[VULNDB_FILE_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/.vulndb/checked", cfg->storage_root);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0644)) == -1) {
		log_warn("vulndb: %s", path);
		return;
	}
	if (futimens(fd, NULL) == -1)
		log_warn("vulndb: touch %s", path);
	close(fd);
}

/* This process's next try of the responder's sync: a try that could not
 * start (the stamp or the lock not writable, no generation yet) or
 * failed is not made again, nor logged again, before ttl. */
static time_t vulndb_next_try;

int
vulndb_refresh_due(const struct config *cfg, time_t now)
{
	char path[VULNDB_FILE_MAX];
	struct stat st;

	if (!cfg->vulndb_enabled || cfg->vulndb_ttl <= 0 ||
	    now < vulndb_next_try)
		return 0;
	snprintf(path, sizeof(path), "%s/.vulndb/checked", cfg->storage_root);
	if (stat(path, &st) == -1)
		return 1;
	return now - st.st_mtime >= cfg->vulndb_ttl;
}

void
vulndb_refresh(const struct config *cfg)
{
	char path[VULNDB_FILE_MAX], url[VULNDB_URL_MAX];
	struct vulndb_stats st;
	struct err e;
	size_t n;

	vulndb_next_try = time(NULL) + cfg->vulndb_ttl;
	err_clear(&e);
	if (vulndb_tree_current(cfg->storage_root, path, sizeof(path),
	    &e) == -1 || path[0] == '\0') {
		log_debug("vulndb: the responder's sync: %s (only piraeus "
		    "vulndb sync makes the first generation)",
		    path[0] == '\0' && e.code == E_OK ? "no mirror yet" : e.msg);
		return;
	}
	snprintf(path, sizeof(path), "%s/.vulndb", cfg->storage_root);
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		log_warn("vulndb: mkdir %s", path);
		return;
	}
	vulndb_stamp(cfg);
	if ((size_t)snprintf(url, sizeof(url), "%s", cfg->vulndb_url) >=
	    sizeof(url)) {
		log_warnx("vulndb: [vulndb] url: over %d bytes", VULNDB_URL_MAX);
		return;
	}
	while ((n = strlen(url)) > 0 && url[n - 1] == '/')
		url[n - 1] = '\0';
	err_clear(&e);
	if (vulndb_run(cfg, url, NULL, VULNDB_INCREMENTAL, &st, &e) == -1) {
		if (st.busy || st.nogen)
			log_debug("vulndb: the responder's sync: %s", e.msg);
		else
			log_warnx("vulndb: the responder's sync of %s: %s (the served "
			    "set is unchanged; next try in %ld s)", url,
			    e.msg, cfg->vulndb_ttl);
	} else if (!st.uptodate)
		log_info("vulndb: the responder's sync of %s: generation %ld, "
		    "%ld entries (%ld got, %ld kept), %lld bytes", url,
		    st.generation, st.entries, st.fetched, st.linked, st.bytes);
}

/*
 * The directory an import reads, into dir: arg itself, or the tarball
 * arg extracted (VULNDB_TAR_FILE_MAX a file, VULNDB_TAR_MAX in all) into
 * g's scratch directory, under g's lock (removed by vulndb_tree_abort);
 * in either, the one holding index/db.json: it, or its vulndb/ (a copy
 * of STORAGE).  0, or -1 and e.
 */
static int
vulndb_import_dir(const struct vulndb_gen *g, const char *arg,
    char dir[PATH_MAX], struct err *e)
{
	static const char *const sub[] = { "", "/vulndb" };
	char probe[PATH_MAX + 32];
	const char *base = arg;
	struct stat sb;
	size_t i, j;

	if (stat(arg, &sb) == -1)
		return err_errno(e, E_NOTFOUND, "%s", arg);
	if (S_ISREG(sb.st_mode)) {
		if (untar_dir(arg, g->scratch, VULNDB_TAR_FILE_MAX,
		    VULNDB_TAR_MAX, e) == -1)
			return -1;
		base = g->scratch;
	} else if (!S_ISDIR(sb.st_mode))
		return err_set(e, E_BADREQ, "%s: not a directory or a tarball",
		    arg);
	for (i = 0; i < NITEMS(sub); i++)
		for (j = 0; j < 2; j++) {
			if ((size_t)snprintf(probe, sizeof(probe),
			    "%s%s/index/db.json%s", base, sub[i],
			    j == 0 ? "" : ".gz") >= sizeof(probe))
				return err_set(e, E_BADREQ, "%s: path too long",
				    arg);
			if (access(probe, F_OK) == 0) {
				snprintf(dir, PATH_MAX, "%s%s", base, sub[i]);
				return 0;
			}
		}
	return err_set(e, E_BADREQ, "%s: no index/db.json in it (nor in its "
	    "vulndb/)", arg);
}

int
vulndb_run(const struct config *cfg, const char *url, const char *dir,
    int flags, struct vulndb_stats *stats, struct err *e)
{
	char idir[PATH_MAX];
	struct vulndb_file f[3];
	struct vulndb_src s;
	struct vulndb_gen g;
	struct store st;
	int64_t ns;
	size_t i;
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	memset(&s, 0, sizeof(s));
	memset(f, 0, sizeof(f));
	if (store_open(&st, cfg->storage_root, e) == -1)
		return -1;
	s.cfg = cfg;
	s.st = &st;
	s.url = url;
	s.stats = stats;
	if (vulndb_tree_begin(&g, cfg->storage_root, e) == -1) {
		stats->busy = g.busy;
		goto out_store;
	}
	if ((flags & VULNDB_INCREMENTAL) && g.prev[0] == '\0') {
		stats->nogen = 1;
		err_set(e, E_NOTFOUND, "no generation yet (an incremental "
		    "sync only)");
		goto out;
	}
	if (dir != NULL) {
		if (vulndb_import_dir(&g, dir, idir, e) == -1)
			goto out;
		s.dir = idir;
	}
	if (vulndb_src_get(&s, "index/db", VULNDB_DB_MAX, &f[0], e) == -1 ||
	    vulndb_index_db_parse(f[0].json.data, f[0].json.len, stats->modified,
	    &ns, e) == -1)
		goto out;
	switch ((flags & VULNDB_FORCE) ? -2 : vulndb_cmp(&g, ns)) {
	case 0:
		stats->uptodate = 1;
		rc = 0;
		goto out;
	case 1:
		err_set(e, E_UPSTREAM, "its index/db.json (modified %s) is "
		    "older than the mirror's: refused (--force takes it)",
		    stats->modified);
		goto out;
	}
	if (vulndb_fill(&s, &g, f, e) == -1 || vulndb_tree_commit(&g, e) == -1)
		goto out;
	stats->generation = g.no;
	rc = 0;
out:
	if (rc == 0 && url != NULL)
		vulndb_stamp(cfg);
	for (i = 0; i < 3; i++)
		vulndb_file_free(&f[i]);
	vulndb_tree_abort(&g);
out_store:
	store_close(&st);
	return rc;
}

/*
 * vulndb_index.c: the Go vulnerability database's index and entries,
 * checked (the v1 API of go.dev/security/vulndb/api).
 *
 *   index/db.json       {"modified": T}
 *   index/vulns.json    [{"id", "modified", "aliases": [...]}]
 *   index/modules.json  [{"path", "vulns": [{"id", "modified", "fixed"}]}]
 *   ID/<id>.json        one OSV entry
 *
 * Pure rules, no disk and no network: bytes in, a struct vulndb_index or
 * a verdict out.  An index is accepted only when it is whole and
 * consistent: every id well formed and named once, every module path
 * a string without a control byte, under MODPATH_MAX (the v1 client
 * checks no more; a legacy <module>.json is made only for a valid module
 * path, or "stdlib", "toolchain"), every module's vuln named in
 * vulns.json with the same modified time, no entry newer than db.json,
 * within the named caps (VULNDB_*).  An entry is accepted only when it
 * is one JSON object whose id is the one asked for, whose modified time is
 * the index's, whose "affected" names every module the index lists it
 * under, and that osv.c parses (what [policy] vulnerable reads; the caps
 * are the ones it has): a mirror then never serves an index naming what
 * it does not hold, nor an entry the policy would skip.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "piraeus.h"

/* The special module paths of the database (not go.mod module paths). */
static const char *const vulndb_special[] = { "stdlib", "toolchain" };

/* 0 when path is a module path of the database: a valid module path, or
 * one of the special ones. */
int
vulndb_index_module_check(const char *path)
{
	struct err e;
	size_t i;

	for (i = 0; i < NITEMS(vulndb_special); i++)
		if (strcmp(path, vulndb_special[i]) == 0)
			return 0;
	if (strlen(path) >= MODPATH_MAX)
		return -1;
	err_clear(&e);
	return modpath_check(path, &e);
}

/* 0 when path is one modules.json may name: the v1 client never checks
 * it, so any string but an empty one, one of MODPATH_MAX bytes or more or
 * one with a control byte (vulndb_index_module_check is the legacy files'). */
static int
vulndb_path_safe(const char *path)
{
	const char *p;

	if (path[0] == '\0' || strlen(path) >= MODPATH_MAX)
		return -1;
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return -1;
	return 0;
}

/* 1 when path is one of the special module paths (not "!"-escaped). */
int
vulndb_index_module_special(const char *path)
{
	size_t i;

	for (i = 0; i < NITEMS(vulndb_special); i++)
		if (strcmp(path, vulndb_special[i]) == 0)
			return 1;
	return 0;
}

/* The one JSON value of s[0..n) (jsonval_parse) of type t, at most cap
 * bytes, or NULL with e (E_UPSTREAM, what names it). */
static struct json_object *
vulndb_json(const char *s, size_t n, size_t cap, json_type t,
    const char *what, struct err *e)
{
	struct json_object *o;

	if ((o = jsonval_parse(s, n, cap, 0)) == NULL ||
	    !json_object_is_type(o, t)) {
		json_object_put(o);
		err_set(e, E_UPSTREAM, "%s: not one JSON %s alone", what,
		    t == json_type_array ? "array" : "object");
		return NULL;
	}
	return o;
}

/* The string member key of object o, or NULL (absent, not a string, or
 * with a \u0000 in it, which a C string would cut short). */
static const char *
vulndb_str(struct json_object *o, const char *key)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s))
		return NULL;
	return s;
}

/* A "modified" time: copied into out (shorter than VULNDB_TIME_MAX) and
 * parsed into *ns; 0, or -1 with e naming what. */
static int
vulndb_time(const char *s, char out[VULNDB_TIME_MAX], int64_t *ns,
    const char *what, struct err *e)
{
	if (s == NULL || strlen(s) >= VULNDB_TIME_MAX ||
	    rfc3339_parse(s, ns) == -1)
		return err_set(e, E_UPSTREAM, "%s: no RFC 3339 \"modified\"",
		    what);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int
vulndb_index_db_parse(const char *s, size_t n, char modified[VULNDB_TIME_MAX],
    int64_t *ns, struct err *e)
{
	struct json_object *o;
	int rc;

	if (n > VULNDB_DB_MAX)
		return err_set(e, E_TOOBIG, "index/db.json: more than %d bytes",
		    VULNDB_DB_MAX);
	if ((o = vulndb_json(s, n, VULNDB_DB_MAX, json_type_object,
	    "index/db.json", e)) == NULL)
		return -1;
	rc = vulndb_time(vulndb_str(o, "modified"), modified, ns,
	    "index/db.json", e);
	json_object_put(o);
	return rc;
}

/* vulns.json's rows into ix->v, ids into ix->ids. */
static int
vulndb_parse_vulns(struct vulndb_index *ix, struct json_object *a,
    struct err *e)
{
	struct json_object *o, *al, *s;
	struct vulndb_vuln *v;
	const char *id;
	size_t i, j, n = json_object_array_length(a);

	if (n > VULNDB_ENTRIES_MAX)
		return err_set(e, E_TOOBIG, "index/vulns.json: more than %d "
		    "entries", VULNDB_ENTRIES_MAX);
	ix->v = xcalloc(n == 0 ? 1 : n, sizeof(*ix->v));
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(a, i);
		v = &ix->v[ix->nv];
		if (!json_object_is_type(o, json_type_object) ||
		    (id = vulndb_str(o, "id")) == NULL || !osv_id_valid(id))
			return err_set(e, E_UPSTREAM, "index/vulns.json: row "
			    "%zu: no valid \"id\"", i);
		if (strmap_get(&ix->ids, id) != STRMAP_NONE)
			return err_set(e, E_UPSTREAM, "index/vulns.json: %s "
			    "named twice", id);
		memcpy(v->id, id, strlen(id) + 1);
		if (vulndb_time(vulndb_str(o, "modified"), v->modified,
		    &v->mod_ns, "index/vulns.json", e) == -1)
			return -1;
		if (v->mod_ns > ix->mod_ns)
			return err_set(e, E_UPSTREAM, "index/vulns.json: %s "
			    "is newer than index/db.json", id);
		ix->nv++;
		strmap_put(&ix->ids, id, ix->nv - 1);
		if (!json_object_object_get_ex(o, "aliases", &al) ||
		    al == NULL)
			continue;
		if (!json_object_is_type(al, json_type_array) ||
		    json_object_array_length(al) > OSV_ALIASES_MAX)
			return err_set(e, E_UPSTREAM, "index/vulns.json: %s: "
			    "\"aliases\" not an array of at most %d", id,
			    OSV_ALIASES_MAX);
		v->naliases = json_object_array_length(al);
		v->aliases = xcalloc(v->naliases + 1, sizeof(char *));
		for (j = 0; j < v->naliases; j++) {
			s = json_object_array_get_idx(al, j);
			if (!json_object_is_type(s, json_type_string) ||
			    (size_t)json_object_get_string_len(s) !=
			    strlen(json_object_get_string(s)) ||
			    !osv_id_valid(json_object_get_string(s)))
				return err_set(e, E_UPSTREAM, "index/vulns.json:"
				    " %s: a bad alias", id);
			v->aliases[j] = xstrdup(json_object_get_string(s));
		}
	}
	return 0;
}

/* One module row of modules.json into ix->m[ix->nm]. */
static int
vulndb_parse_module(struct vulndb_index *ix, struct json_object *o,
    struct strmap *paths, struct err *e)
{
	struct vulndb_module *m = &ix->m[ix->nm];
	struct json_object *vs, *r;
	struct vulndb_vuln *v;
	const char *path, *id, *t;
	size_t j, k, n;
	int64_t ns;
	char buf[VULNDB_TIME_MAX];

	if (!json_object_is_type(o, json_type_object) ||
	    (path = vulndb_str(o, "path")) == NULL ||
	    vulndb_path_safe(path) == -1)
		return err_set(e, E_UPSTREAM, "index/modules.json: row %zu: "
		    "no valid \"path\"", ix->nm);
	if (strmap_get(paths, path) != STRMAP_NONE)
		return err_set(e, E_UPSTREAM, "index/modules.json: %.200s "
		    "named twice", path);
	strmap_put(paths, path, ix->nm);
	m->path = xstrdup(path);
	ix->nm++;
	if (!json_object_object_get_ex(o, "vulns", &vs) ||
	    !json_object_is_type(vs, json_type_array) ||
	    (n = json_object_array_length(vs)) > ix->nv ||
	    n > VULNDB_MODULE_VULNS_MAX)
		return err_set(e, E_UPSTREAM, "index/modules.json: %.200s: "
		    "\"vulns\" not an array of at most %d known entries", path,
		    VULNDB_MODULE_VULNS_MAX);
	m->vulns = xcalloc(n == 0 ? 1 : n, sizeof(size_t));
	for (j = 0; j < n; j++) {
		r = json_object_array_get_idx(vs, j);
		if (!json_object_is_type(r, json_type_object) ||
		    (id = vulndb_str(r, "id")) == NULL ||
		    (k = strmap_get(&ix->ids, id)) == STRMAP_NONE)
			return err_set(e, E_UPSTREAM, "index/modules.json: "
			    "%.200s: an entry not in index/vulns.json", path);
		v = &ix->v[k];
		t = vulndb_str(r, "modified");
		if (vulndb_time(t, buf, &ns, "index/modules.json", e) == -1)
			return -1;
		if (ns != v->mod_ns)
			return err_set(e, E_UPSTREAM, "index/modules.json: "
			    "%.200s: %s modified %s, index/vulns.json says %s",
			    path, id, buf, v->modified);
		if (v->nmods > 0 && v->mods[v->nmods - 1] == ix->nm - 1)
			return err_set(e, E_UPSTREAM, "index/modules.json: "
			    "%.200s: %s named twice", path, id);
		v->mods = xreallocarray(v->mods, v->nmods + 1, sizeof(size_t));
		v->mods[v->nmods++] = ix->nm - 1;
		if (m->nvulns == 0 || ns > ix->v[m->newest].mod_ns)
			m->newest = k;
		m->vulns[m->nvulns++] = k;
	}
	return 0;
}

int
vulndb_index_parse(struct vulndb_index *ix, const struct buf *db,
    const struct buf *vulns, const struct buf *modules, struct err *e)
{
	struct json_object *va = NULL, *ma = NULL;
	struct strmap paths;
	size_t i, n;
	int rc = -1;

	memset(ix, 0, sizeof(*ix));
	strmap_init(&ix->ids);
	strmap_init(&paths);
	if (vulndb_index_db_parse(db->data, db->len, ix->modified, &ix->mod_ns,
	    e) == -1)
		goto out;
	if ((va = vulndb_json(vulns->data, vulns->len, VULNDB_INDEX_MAX,
	    json_type_array, "index/vulns.json", e)) == NULL ||
	    vulndb_parse_vulns(ix, va, e) == -1)
		goto out;
	if ((ma = vulndb_json(modules->data, modules->len, VULNDB_INDEX_MAX,
	    json_type_array, "index/modules.json", e)) == NULL)
		goto out;
	n = json_object_array_length(ma);
	if (n > VULNDB_ENTRIES_MAX) {
		err_set(e, E_TOOBIG, "index/modules.json: more than %d "
		    "modules", VULNDB_ENTRIES_MAX);
		goto out;
	}
	ix->m = xcalloc(n == 0 ? 1 : n, sizeof(*ix->m));
	for (i = 0; i < n; i++)
		if (vulndb_parse_module(ix, json_object_array_get_idx(ma, i),
		    &paths, e) == -1)
			goto out;
	rc = 0;
out:
	json_object_put(va);
	json_object_put(ma);
	strmap_free(&paths);
	if (rc == -1)
		vulndb_index_free(ix);
	return rc;
}

size_t
vulndb_index_find(const struct vulndb_index *ix, const char *id)
{
	return strmap_get(&ix->ids, id);
}

/* Release what ix holds; ix is left empty (parsed again or freed again
 * safely). */
void
vulndb_index_free(struct vulndb_index *ix)
{
	size_t i, j;

	for (i = 0; i < ix->nv; i++) {
		for (j = 0; j < ix->v[i].naliases; j++)
			free(ix->v[i].aliases[j]);
		free(ix->v[i].aliases);
		free(ix->v[i].mods);
	}
	free(ix->v);
	for (i = 0; i < ix->nm; i++) {
		free(ix->m[i].path);
		free(ix->m[i].vulns);
	}
	free(ix->m);
	strmap_free(&ix->ids);
	memset(ix, 0, sizeof(*ix));
	strmap_init(&ix->ids);
}

/* 1 when the entry's "affected" array names module path (in the "Go"
 * ecosystem: the only one osv.c reads). */
static int
vulndb_affects(struct json_object *o, const char *path)
{
	struct json_object *af, *a, *pkg;
	const char *name, *eco;
	size_t i;

	if (!json_object_object_get_ex(o, "affected", &af) ||
	    !json_object_is_type(af, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(af); i++) {
		a = json_object_array_get_idx(af, i);
		if (json_object_is_type(a, json_type_object) &&
		    json_object_object_get_ex(a, "package", &pkg) &&
		    json_object_is_type(pkg, json_type_object) &&
		    (name = vulndb_str(pkg, "name")) != NULL &&
		    strcmp(name, path) == 0 &&
		    (eco = vulndb_str(pkg, "ecosystem")) != NULL &&
		    strcmp(eco, "Go") == 0)
			return 1;
	}
	return 0;
}

int
vulndb_index_entry_check(const struct vulndb_index *ix, size_t vi,
    const char *s, size_t n, struct err *e)
{
	const struct vulndb_vuln *v = &ix->v[vi];
	struct osv_entry x;
	struct json_object *o;
	struct err pe;
	const char *id;
	char t[VULNDB_TIME_MAX];
	int64_t ns;
	size_t i;
	int rc = -1;

	err_clear(&pe);
	if (n > OSV_ENTRY_MAX)
		return err_set(e, E_TOOBIG, "ID/%s.json: more than %d bytes",
		    v->id, OSV_ENTRY_MAX);
	if ((o = vulndb_json(s, n, OSV_ENTRY_MAX, json_type_object, v->id,
	    e)) == NULL)
		return -1;
	if ((id = vulndb_str(o, "id")) == NULL || strcmp(id, v->id) != 0) {
		err_set(e, E_UPSTREAM, "ID/%s.json: its id is %.64s", v->id,
		    id == NULL ? "missing" : id);
		goto out;
	}
	if (vulndb_time(vulndb_str(o, "modified"), t, &ns, v->id, e) == -1)
		goto out;
	if (ns != v->mod_ns) {
		err_set(e, E_UPSTREAM, "ID/%s.json: modified %s, the index "
		    "says %s", v->id, t, v->modified);
		goto out;
	}
	if (osv_parse(s, n, &x, &pe) == -1) {
		err_set(e, E_UPSTREAM, "ID/%s.json: %s (the policy's reader "
		    "would skip it)", v->id, pe.msg);
		goto out;
	}
	osv_free(&x);
	for (i = 0; i < v->nmods; i++)
		if (!vulndb_affects(o, ix->m[v->mods[i]].path)) {
			err_set(e, E_UPSTREAM, "ID/%s.json: does not affect "
			    "%.200s, as index/modules.json says", v->id,
			    ix->m[v->mods[i]].path);
			goto out;
		}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

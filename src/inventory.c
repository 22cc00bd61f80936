/*
 * inventory.c: what storage holds, for `piraeus catalog` and `piraeus
 * stats`: the index's modules and versions (the command line's /catalog),
 * and figures from both the tree and the index (modules, versions, bytes
 * and files per kind, index size, oldest and newest fetch, the private
 * checksum database's log).  Reads only; plain text or JSON (json-c).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "piraeus.h"

#define INVENTORY_PAGE	1000	/* index rows read at a time */

static const char *const inventory_kinds[] = { "info", "mod", "zip" };

int
inventory_rows(struct index *idx,
    int (*fn)(void *, const struct index_version *, struct err *),
    void *arg, struct err *e)
{
	char after_mod[MODPATH_MAX] = "", after_ver[VERSION_MAX] = "";
	struct index_version *rows;
	size_t n, i;
	int rc = 0;

	for (;;) {
		rows = NULL;
		if (index_catalog(idx, after_mod, after_ver, INVENTORY_PAGE,
		    &rows, &n, e) == -1)
			return -1;
		for (i = 0; i < n && rc == 0; i++)
			rc = fn(arg, &rows[i], e);
		if (n > 0) {
			snprintf(after_mod, sizeof(after_mod), "%s",
			    rows[n - 1].module);
			snprintf(after_ver, sizeof(after_ver), "%s",
			    rows[n - 1].version);
		}
		free(rows);
		if (rc == -1)
			return -1;
		if (n == 0)
			return 0;
	}
}

/* The catalog of every module being built: one entry per module. */
struct inventory_cat {
	FILE			*out;
	struct json_object	*mods;		/* JSON: the array, else NULL */
	struct json_object	*cur;		/* the current module's versions */
	char			 module[MODPATH_MAX];
	long			 nver;		/* plain: versions of module */
};

/* Print (plain) the module finished, if any. */
static void
inventory_cat_flush(struct inventory_cat *c)
{
	if (c->mods == NULL && c->module[0] != '\0')
		fprintf(c->out, "%s %ld\n", c->module, c->nver);
}

/* One row of the whole catalog: a new module starts a line or entry. */
static int
inventory_cat_row(void *arg, const struct index_version *v, struct err *e)
{
	struct inventory_cat *c = arg;
	struct json_object *o;

	(void)e;
	if (strcmp(c->module, v->module) != 0) {
		inventory_cat_flush(c);
		snprintf(c->module, sizeof(c->module), "%s", v->module);
		c->nver = 0;
		if (c->mods != NULL) {
			o = json_object_new_object();
			c->cur = json_object_new_array();
			json_object_object_add(o, "module",
			    json_object_new_string(v->module));
			json_object_object_add(o, "versions", c->cur);
			json_object_array_add(c->mods, o);
		}
	}
	c->nver++;
	if (c->cur != NULL)
		json_object_array_add(c->cur,
		    json_object_new_string(v->version));
	return 0;
}

/* One version as JSON: what the index knows of it. */
static struct json_object *
inventory_version_json(const struct index_version *v)
{
	char stored[64];
	struct json_object *o = json_object_new_object();

	rfc3339_format(v->stored, stored, sizeof(stored));
	json_object_object_add(o, "version", json_object_new_string(v->version));
	json_object_object_add(o, "time", json_object_new_string(v->time));
	json_object_object_add(o, "stored", json_object_new_string(stored));
	json_object_object_add(o, "zip_size",
	    json_object_new_int64(v->has_zip ? v->zip_size : -1));
	json_object_object_add(o, "zip_h1", json_object_new_string(v->zip_h1));
	json_object_object_add(o, "mod_h1", json_object_new_string(v->mod_h1));
	json_object_object_add(o, "origin", json_object_new_string(v->origin));
	return o;
}

/* MODULE's versions (semver order): 1 when none is indexed. */
static int
inventory_module(struct index *idx, const char *module, int json, FILE *out,
    struct err *e)
{
	struct index_version *v = NULL;
	struct json_object *top, *arr;
	size_t n, i;

	if (index_versions(idx, module, &v, &n, e) == -1)
		return -1;
	if (json) {
		top = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(top, "module",
		    json_object_new_string(module));
		json_object_object_add(top, "versions", arr);
		for (i = 0; i < n; i++)
			json_object_array_add(arr,
			    inventory_version_json(&v[i]));
		fprintf(out, "%s\n", json_object_to_json_string_ext(top,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(top);
	} else
		for (i = 0; i < n; i++)
			fprintf(out, "%s %s %s\n", v[i].version,
			    v[i].time[0] != '\0' ? v[i].time : "-",
			    v[i].zip_h1[0] != '\0' ? v[i].zip_h1 : "-");
	free(v);
	return n == 0 ? 1 : 0;
}

int
inventory_catalog(struct index *idx, const char *module, int json, FILE *out,
    struct err *e)
{
	struct inventory_cat c;
	struct json_object *top = NULL;
	int rc;

	if (module != NULL)
		return inventory_module(idx, module, json, out, e);
	memset(&c, 0, sizeof(c));
	c.out = out;
	if (json) {
		top = json_object_new_object();
		c.mods = json_object_new_array();
		json_object_object_add(top, "modules", c.mods);
	}
	rc = inventory_rows(idx, inventory_cat_row, &c, e);
	if (rc == 0 && json)
		fprintf(out, "%s\n", json_object_to_json_string_ext(top,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (rc == 0)
		inventory_cat_flush(&c);
	if (top != NULL)
		json_object_put(top);
	return rc;
}

/* The figures of the index, gathered row by row. */
struct inventory_idx {
	struct inventory_stats	*st;
	char			 module[MODPATH_MAX];
};

static int
inventory_stat_row(void *arg, const struct index_version *v, struct err *e)
{
	struct inventory_idx *x = arg;
	struct inventory_stats *st = x->st;

	(void)e;
	if (strcmp(x->module, v->module) != 0) {
		snprintf(x->module, sizeof(x->module), "%s", v->module);
		st->idx_modules++;
	}
	st->idx_versions++;
	if (v->has_zip && v->zip_size > 0)
		st->idx_zip_bytes += v->zip_size;
	if (v->stored > 0 && (st->oldest == 0 || v->stored < st->oldest))
		st->oldest = v->stored;
	if (v->stored > st->newest)
		st->newest = v->stored;
	return 0;
}

/* The figures of the tree: one module's @v directory (store_walk). */
static int
inventory_stat_module(const char *emod, void *arg)
{
	struct inventory_stats *st = arg;
	const struct store *s = st->store;
	struct store_version *v = NULL;
	char path[PATH_MAX];
	struct stat sb;
	struct err e;
	size_t n, i;
	int a, has;
	int complete = 0;

	err_clear(&e);
	if (store_versions(s, emod, &v, &n, &e) == -1)
		return 0;
	for (i = 0; i < n; i++) {
		for (a = ART_INFO; a <= ART_ZIP; a++) {
			has = a == ART_INFO ? v[i].has_info : a == ART_MOD ?
			    v[i].has_mod : v[i].has_zip;
			if (!has || store_path(s, emod, v[i].ever, a, path,
			    sizeof(path)) == -1 || lstat(path, &sb) == -1 ||
			    !S_ISREG(sb.st_mode))
				continue;
			st->files[a]++;
			st->bytes[a] += sb.st_size;
		}
		if (v[i].has_info) {	/* complete (publish order) */
			st->tree_versions++;
			complete = 1;
		} else
			st->incomplete++;
	}
	if (complete)
		st->tree_modules++;
	free(v);
	return 0;
}

/* Size of a file, 0 when it is missing. */
static int64_t
inventory_fsize(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat sb;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) || stat(path, &sb) == -1)
		return 0;
	return sb.st_size;
}

int
inventory_stats(const struct store *s, struct index *idx,
    const char *state_dir, struct index *log, struct inventory_stats *st,
    struct err *e)
{
	struct inventory_idx x;

	memset(st, 0, sizeof(*st));
	st->store = s;
	if (store_walk(s, inventory_stat_module, st, e) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	x.st = st;
	if (inventory_rows(idx, inventory_stat_row, &x, e) == -1)
		return -1;
	st->index_bytes = inventory_fsize(state_dir, "index.sqlite") +
	    inventory_fsize(state_dir, "index.sqlite-wal");
	st->log_records = -1;
	if (log != NULL && (st->log_records = index_log_count(log, e)) == -1)
		return -1;
	return 0;
}

/* An RFC 3339 time, or "-" for none (ns 0). */
static void
inventory_time(int64_t ns, char *out, size_t outsz)
{
	if (ns == 0)
		snprintf(out, outsz, "-");
	else
		rfc3339_format(ns, out, outsz);
}

void
inventory_stats_print(const struct inventory_stats *st, int json, FILE *out)
{
	struct json_object *top, *kinds, *k;
	char oldest[64], newest[64];
	int64_t total = 0;
	int a;

	inventory_time(st->oldest, oldest, sizeof(oldest));
	inventory_time(st->newest, newest, sizeof(newest));
	for (a = ART_INFO; a <= ART_ZIP; a++)
		total += st->bytes[a];
	if (!json) {
		fprintf(out, "modules: %lld (index: %lld)\n",
		    (long long)st->tree_modules, (long long)st->idx_modules);
		fprintf(out, "versions: %lld (index: %lld; incomplete in the "
		    "tree: %lld)\n", (long long)st->tree_versions,
		    (long long)st->idx_versions, (long long)st->incomplete);
		fprintf(out, "bytes: %lld (index, zips: %lld)\n",
		    (long long)total, (long long)st->idx_zip_bytes);
		for (a = ART_INFO; a <= ART_ZIP; a++)
			fprintf(out, "%s: %lld files, %lld bytes\n",
			    inventory_kinds[a], (long long)st->files[a],
			    (long long)st->bytes[a]);
		fprintf(out, "index size: %lld bytes\n",
		    (long long)st->index_bytes);
		fprintf(out, "oldest fetch: %s\nnewest fetch: %s\n", oldest,
		    newest);
		if (st->log_records >= 0)
			fprintf(out, "private log: %lld records\n",
			    (long long)st->log_records);
		return;
	}
	top = json_object_new_object();
	json_object_object_add(top, "modules",
	    json_object_new_int64(st->tree_modules));
	json_object_object_add(top, "versions",
	    json_object_new_int64(st->tree_versions));
	json_object_object_add(top, "incomplete",
	    json_object_new_int64(st->incomplete));
	json_object_object_add(top, "bytes", json_object_new_int64(total));
	kinds = json_object_new_object();
	for (a = ART_INFO; a <= ART_ZIP; a++) {
		k = json_object_new_object();
		json_object_object_add(k, "files",
		    json_object_new_int64(st->files[a]));
		json_object_object_add(k, "bytes",
		    json_object_new_int64(st->bytes[a]));
		json_object_object_add(kinds, inventory_kinds[a], k);
	}
	json_object_object_add(top, "kinds", kinds);
	json_object_object_add(top, "index_modules",
	    json_object_new_int64(st->idx_modules));
	json_object_object_add(top, "index_versions",
	    json_object_new_int64(st->idx_versions));
	json_object_object_add(top, "index_zip_bytes",
	    json_object_new_int64(st->idx_zip_bytes));
	json_object_object_add(top, "index_bytes",
	    json_object_new_int64(st->index_bytes));
	json_object_object_add(top, "oldest_fetch", st->oldest == 0 ? NULL :
	    json_object_new_string(oldest));
	json_object_object_add(top, "newest_fetch", st->newest == 0 ? NULL :
	    json_object_new_string(newest));
	json_object_object_add(top, "private_log_records",
	    st->log_records < 0 ? NULL :
	    json_object_new_int64(st->log_records));
	fprintf(out, "%s\n", json_object_to_json_string_ext(top,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(top);
}

/*
 * audit.c: `piraeus audit`, the report an operator needs on the morning
 * of an advisory: every stored version that an entry of the
 * vulnerability database mirror (vulnview.c) lists as affected, with the
 * entries' ids, aliases and fixed versions, and which stored versions'
 * go.mod files require it: directly, and through other stored versions
 * (transitively, along exact "module version" requirements).
 *
 * The stored versions are the index's (as `piraeus catalog` lists them);
 * go.mod files are read from the tree only when something is affected,
 * each capped at GOMOD_MAX; one that cannot be parsed is said on stderr
 * and requires nothing.  Plain text or JSON (json-c).  Reads only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "piraeus.h"

/* One stored version. */
struct audit_node {
	char		*module, *version;
	size_t		*reqby;		/* nodes whose go.mod requires it */
	size_t		 nreqby, capreqby;
	struct vuln_match *m;		/* the entries that affect it */
	size_t		 nm;
};

struct audit_run {
	const struct store *s;
	struct audit_node *v;
	size_t		 n, cap;
	struct strmap	 at;		/* "module@version" -> index in v */
};

/* One indexed version into r (inventory_rows gives them in (module,
 * version) byte order). */
static int
audit_version(void *arg, const struct index_version *iv, struct err *e)
{
	struct audit_run *r = arg;
	char key[MODPATH_MAX + VERSION_MAX + 2];

	(void)e;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	memset(&r->v[r->n], 0, sizeof(r->v[r->n]));
	r->v[r->n].module = xstrdup(iv->module);
	r->v[r->n].version = xstrdup(iv->version);
	snprintf(key, sizeof(key), "%s@%s", iv->module, iv->version);
	strmap_put(&r->at, key, r->n);
	r->n++;
	return 0;
}

/* Node x's go.mod requirements that are stored: x into their reqby. */
static void
audit_requires(struct audit_run *r, size_t x)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX], path[ANSWER_PATH_MAX];
	char key[MODPATH_MAX + VERSION_MAX + 2];
	struct modfile_require *q = NULL;
	struct audit_node *y;
	struct buf b;
	struct err e;
	size_t i, nq = 0, j;

	err_clear(&e);
	if (modpath_escape(r->v[x].module, emod, sizeof(emod)) == -1 ||
	    modpath_escape(r->v[x].version, ever, sizeof(ever)) == -1 ||
	    store_path(r->s, emod, ever, ART_MOD, path, sizeof(path)) == -1)
		return;
	if (buf_read_file(&b, path, GOMOD_MAX, &e) == -1 ||
	    modfile_requires(b.data, b.len, &q, &nq, &e) == -1) {
		fprintf(stderr, "piraeus: audit: %s@%s: go.mod: %s (its "
		    "requirements are not followed)\n", r->v[x].module,
		    r->v[x].version, e.msg);
		buf_free(&b);
		free(q);
		return;
	}
	for (i = 0; i < nq; i++) {
		snprintf(key, sizeof(key), "%s@%s", q[i].path, q[i].version);
		if ((j = strmap_get(&r->at, key)) == STRMAP_NONE || j == x)
			continue;
		y = &r->v[j];
		if (y->nreqby == y->capreqby) {
			y->capreqby = y->capreqby ? y->capreqby * 2 : 4;
			y->reqby = xreallocarray(y->reqby, y->capreqby,
			    sizeof(*y->reqby));
		}
		y->reqby[y->nreqby++] = x;
	}
	buf_free(&b);
	free(q);
}

/* Index order (byte order of module@version), for qsort. */
static int
audit_idx_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/*
 * The stored versions that require node f, breadth first over reqby:
 * into q, those whose go.mod requires it directly first (*ndirect of
 * them), then those that do through others, each part in byte order;
 * returns how many.  seen[] (r->n) is stamped f + 1: nothing to clear
 * between nodes, the work is that of what is reached.
 */
static size_t
audit_reach(const struct audit_run *r, size_t f, size_t *seen, size_t *q,
    size_t *ndirect)
{
	size_t head, tail = 0, i, x, y;

	seen[f] = f + 1;
	for (i = 0; i < r->v[f].nreqby; i++) {
		x = r->v[f].reqby[i];
		if (seen[x] != f + 1) {
			seen[x] = f + 1;
			q[tail++] = x;
		}
	}
	*ndirect = tail;
	for (head = 0; head < tail; head++) {
		x = q[head];
		for (i = 0; i < r->v[x].nreqby; i++) {
			y = r->v[x].reqby[i];
			if (seen[y] != f + 1) {
				seen[y] = f + 1;
				q[tail++] = y;
			}
		}
	}
	qsort(q, *ndirect, sizeof(*q), audit_idx_cmp);
	qsort(q + *ndirect, tail - *ndirect, sizeof(*q), audit_idx_cmp);
	return tail;
}

/* The text report of node f, q[0..nq) who requires it (audit_reach). */
static void
audit_text(const struct audit_run *r, size_t f, const size_t *q, size_t nq,
    size_t ndirect, FILE *out)
{
	const struct audit_node *x = &r->v[f];
	struct buf b;
	struct err e;
	size_t i;

	fprintf(out, "%s@%s:\n", x->module, x->version);
	for (i = 0; i < x->nm; i++) {
		buf_init(&b, ERR_MSG_MAX * 4);
		err_clear(&e);
		vulnview_match_text(&b, &x->m[i], &e);
		fprintf(out, "\t%.*s\n", (int)b.len, b.data != NULL ?
		    b.data : "");
		buf_free(&b);
	}
	for (i = 0; i < nq; i++)
		fprintf(out, "\trequired by %s@%s%s\n", r->v[q[i]].module,
		    r->v[q[i]].version, i < ndirect ? "" :
		    " (through other stored versions)");
}

/* The JSON report of node f, appended to arr. */
static void
audit_json(const struct audit_run *r, size_t f, const size_t *q, size_t nq,
    size_t ndirect, struct json_object *arr)
{
	const struct audit_node *x = &r->v[f];
	struct json_object *o, *vulns, *v, *al, *by[2];
	char mv[MODPATH_MAX + VERSION_MAX + 2];
	size_t i, k;

	o = json_object_new_object();
	json_object_object_add(o, "module", json_object_new_string(x->module));
	json_object_object_add(o, "version",
	    json_object_new_string(x->version));
	vulns = json_object_new_array();
	for (i = 0; i < x->nm; i++) {
		v = json_object_new_object();
		json_object_object_add(v, "id",
		    json_object_new_string(x->m[i].id));
		al = json_object_new_array();
		for (k = 0; k < x->m[i].naliases; k++)
			json_object_array_add(al,
			    json_object_new_string(x->m[i].aliases[k]));
		json_object_object_add(v, "aliases", al);
		json_object_object_add(v, "fixed",
		    json_object_new_string(x->m[i].fixed));
		json_object_array_add(vulns, v);
	}
	json_object_object_add(o, "vulns", vulns);
	by[0] = json_object_new_array();
	by[1] = json_object_new_array();
	for (i = 0; i < nq; i++) {
		snprintf(mv, sizeof(mv), "%s@%s", r->v[q[i]].module,
		    r->v[q[i]].version);
		json_object_array_add(by[i < ndirect ? 0 : 1],
		    json_object_new_string(mv));
	}
	json_object_object_add(o, "required_by", by[0]);
	json_object_object_add(o, "required_through", by[1]);
	json_object_array_add(arr, o);
}

/* Free what r holds. */
static void
audit_free(struct audit_run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].module);
		free(r->v[i].version);
		free(r->v[i].reqby);
		vulnview_matches_free(r->v[i].m, r->v[i].nm);
	}
	free(r->v);
	strmap_free(&r->at);
}

int
audit_run(const struct store *s, struct index *idx, const char *root,
    int json, FILE *out, struct err *e)
{
	struct audit_run r;
	struct vulnview vv;
	struct json_object *top = NULL, *arr = NULL;
	size_t *seen, *q, i, nq, ndirect, found = 0;
	int rc = -1, st;

	memset(&r, 0, sizeof(r));
	r.s = s;
	strmap_init(&r.at);
	vulnview_init(&vv);
	if ((st = vulnview_refresh(&vv, root, e)) == 1)
		err_set(e, E_NOTFOUND, "no vulnerability database mirror in "
		    "%s/vulndb (piraeus vulndb sync, or import)", root);
	if (st != 0 || inventory_rows(idx, audit_version, &r, e) == -1)
		goto out;
	for (i = 0; i < r.n; i++) {
		if (!vulnview_listed(&vv, r.v[i].module))
			continue;
		/* The generation read above, for the whole report. */
		if (vulnview_match(&vv, r.v[i].module, r.v[i].version,
		    &r.v[i].m, &r.v[i].nm, e) != 0)
			goto out;
		found += r.v[i].nm > 0;
	}
	if (found > 0)
		for (i = 0; i < r.n; i++)
			audit_requires(&r, i);
	if (json) {
		top = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(top, "modified",
		    json_object_new_string(vulnview_modified_at(&vv)));
		json_object_object_add(top, "checked",
		    json_object_new_int64((int64_t)r.n));
	}
	seen = xcalloc(r.n + 1, sizeof(*seen));
	q = xcalloc(r.n + 1, sizeof(*q));
	for (i = 0; i < r.n; i++) {
		if (r.v[i].nm == 0)
			continue;
		nq = audit_reach(&r, i, seen, q, &ndirect);
		if (json)
			audit_json(&r, i, q, nq, ndirect, arr);
		else
			audit_text(&r, i, q, nq, ndirect, out);
	}
	free(seen);
	free(q);
	if (json) {
		json_object_object_add(top, "affected", arr);
		fprintf(out, "%s\n", json_object_to_json_string_ext(top,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(top);
	} else
		fprintf(out, "%zu of %zu stored versions affected "
		    "(vulnerability database modified %s)\n", found, r.n,
		    vulnview_modified_at(&vv));
	rc = found > 0;
out:
	audit_free(&r);
	vulnview_free(&vv);
	return rc;
}

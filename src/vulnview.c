/*
 * vulnview.c: the mirror of the Go vulnerability database as the
 * responder and `piraeus audit` read it, through a small in-process
 * cache.
 *
 * The mirror (piraeus vulndb sync|import) lies in the storage tree in the
 * layout of the v1 API (go.dev/security/vulndb/api):
 *
 *	ROOT/vulndb/index/db.json	{"modified": RFC 3339}
 *	ROOT/vulndb/index/modules.json	[{"path", "vulns": [{"id", ...}]}]
 *	ROOT/vulndb/ID/<id>.json	one OSV entry (osv.c)
 *
 * ROOT/vulndb may be a symbolic link to a generation directory, switched
 * atomically.  The cache is keyed by db.json's "modified": each check
 * reads db.json (a few bytes); only when it changed is the generation
 * (the link resolved once) read again: modules.json into a map of module
 * -> ids, and the entries dropped.  Entries are read when a module of
 * theirs is asked about, then kept until the next change; one that is
 * malformed (osv.c), names another id, or is over its cap is skipped
 * with one log line and remembered as skipped, and so is one that is
 * missing, a symbolic link or not a regular file while its generation
 * is there; one whose read failed for a reason that may pass (EMFILE,
 * EACCES, EIO) is an error of this check, not remembered.  A modules.json
 * row that is malformed is skipped the same way.  An entry that cannot
 * be read because its generation went away makes the check read the
 * mirror again, once.  Reads only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "piraeus.h"

#define VULNVIEW_PATH_MAX	4096

void
vulnview_init(struct vulnview *v)
{
	memset(v, 0, sizeof(*v));
	strmap_init(&v->mods);
	strmap_init(&v->ents);
}

/* Drop what v read (it reads again on its next check). */
static void
vulnview_clear(struct vulnview *v)
{
	size_t i, k;

	for (i = 0; i < v->nmod; i++) {
		for (k = 0; k < v->mod[i].n; k++)
			free(v->mod[i].ids[k]);
		free(v->mod[i].ids);
	}
	free(v->mod);
	for (i = 0; i < v->nent; i++)
		if (v->ent[i] != NULL) {
			osv_free(v->ent[i]);
			free(v->ent[i]);
		}
	free(v->ent);
	strmap_free(&v->mods);
	strmap_free(&v->ents);
	free(v->dir);
	vulnview_init(v);
}

void
vulnview_free(struct vulnview *v)
{
	vulnview_clear(v);
}

/* dir/index/db.json's "modified" into out: 0, or -1 and e (E_NOTFOUND
 * when there is no such file). */
static int
vulnview_modified(const char *dir, char out[VULNVIEW_MODIFIED_MAX],
    struct err *e)
{
	char path[VULNVIEW_PATH_MAX];
	struct json_object *o, *m;
	struct buf b;
	int64_t ns;
	int rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/index/db.json", dir) >=
	    sizeof(path))
		return err_set(e, E_CONFIG, "%s: path too long", dir);
	if (buf_read_file(&b, path, VULNDB_DB_MAX, e) == -1) {
		buf_free(&b);
		return -1;
	}
	o = jsonval_parse(b.data, b.len, INT_MAX, 0);
	if (o != NULL && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "modified", &m) &&
	    json_object_is_type(m, json_type_string) &&
	    strlen(json_object_get_string(m)) < VULNVIEW_MODIFIED_MAX &&
	    rfc3339_parse(json_object_get_string(m), &ns) == 0) {
		memcpy(out, json_object_get_string(m),
		    strlen(json_object_get_string(m)) + 1);
		rc = 0;
	} else
		err_set(e, E_UPSTREAM, "%s: not {\"modified\": an RFC 3339 "
		    "time}", path);
	json_object_put(o);
	buf_free(&b);
	return rc;
}

/* One row of modules.json into v: 0 taken, -1 malformed (skipped). */
static int
vulnview_row(struct vulnview *v, struct json_object *row)
{
	struct json_object *p, *vulns, *x, *id;
	struct vulnview_module *m;
	const char *path;
	size_t i, n, at;

	if (!json_object_is_type(row, json_type_object) ||
	    !json_object_object_get_ex(row, "path", &p) ||
	    !json_object_is_type(p, json_type_string) ||
	    (path = json_object_get_string(p))[0] == '\0' ||
	    strlen(path) >= MODPATH_MAX ||
	    !json_object_object_get_ex(row, "vulns", &vulns) ||
	    !json_object_is_type(vulns, json_type_array) ||
	    (n = json_object_array_length(vulns)) > VULNDB_MODULE_VULNS_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		x = json_object_array_get_idx(vulns, i);
		if (!json_object_is_type(x, json_type_object) ||
		    !json_object_object_get_ex(x, "id", &id) ||
		    !json_object_is_type(id, json_type_string) ||
		    !osv_id_valid(json_object_get_string(id)))
			return -1;
	}
	if ((at = strmap_get(&v->mods, path)) == STRMAP_NONE) {
		if (v->nmod == v->capmod) {
			v->capmod = v->capmod ? v->capmod * 2 : 256;
			v->mod = xreallocarray(v->mod, v->capmod,
			    sizeof(*v->mod));
		}
		at = strmap_put(&v->mods, path, v->nmod);
		memset(&v->mod[v->nmod++], 0, sizeof(*v->mod));
	}
	m = &v->mod[at];
	if (m->n + n > VULNDB_MODULE_VULNS_MAX)
		return -1;
	m->ids = xreallocarray(m->ids, m->n + n + 1, sizeof(*m->ids));
	for (i = 0; i < n; i++) {
		x = json_object_array_get_idx(vulns, i);
		json_object_object_get_ex(x, "id", &id);
		m->ids[m->n++] = xstrdup(json_object_get_string(id));
	}
	return 0;
}

/* dir/index/modules.json into v: 0, or -1 and e. */
static int
vulnview_modules(struct vulnview *v, const char *dir, struct err *e)
{
	char path[VULNVIEW_PATH_MAX];
	struct json_object *o;
	struct buf b;
	size_t i, n, bad = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/index/modules.json",
	    dir) >= sizeof(path))
		return err_set(e, E_CONFIG, "%s: path too long", dir);
	if (buf_read_file(&b, path, VULNDB_INDEX_MAX, e) == -1) {
		buf_free(&b);
		return -1;
	}
	o = jsonval_parse(b.data, b.len, INT_MAX, 0);
	buf_free(&b);
	if (o == NULL || !json_object_is_type(o, json_type_array)) {
		json_object_put(o);
		return err_set(e, E_UPSTREAM, "%s: not a JSON array", path);
	}
	n = json_object_array_length(o);
	for (i = 0; i < n; i++)
		if (vulnview_row(v, json_object_array_get_idx(o, i)) == -1) {
			if (bad++ == 0)
				log_warnx("vulnerability database: %s: row %zu "
				    "malformed (skipped)", path, i + 1);
		}
	if (bad > 1)
		log_warnx("vulnerability database: %s: %zu malformed rows "
		    "skipped", path, bad);
	json_object_put(o);
	return 0;
}

/* Read the generation ROOT/vulndb names now, if its db.json says another
 * than v holds.  0 (v current), 1 no mirror, -1 and e. */
static int
vulnview_load(struct vulnview *v, const char *root, int force, struct err *e)
{
	char top[VULNVIEW_PATH_MAX], mod[VULNVIEW_MODIFIED_MAX];
	char mod2[VULNVIEW_MODIFIED_MAX], *dir;
	struct vulnview nv;
	struct err me;

	if ((size_t)snprintf(top, sizeof(top), "%s/vulndb", root) >=
	    sizeof(top))
		return err_set(e, E_CONFIG, "%s: path too long", root);
	err_clear(&me);
	if (vulnview_modified(top, mod, &me) == -1) {
		if (me.code != E_NOTFOUND)
			return err_set(e, me.code, "%s", me.msg);
		vulnview_clear(v);
		return 1;
	}
	if (!force && v->dir != NULL && strcmp(mod, v->modified) == 0)
		return 0;
	if ((dir = realpath(top, NULL)) == NULL)
		return err_errno(e, errno == ENOENT ? E_NOTFOUND : E_INTERNAL,
		    "%s", top);
	/* The generation itself must say the same: else it was switched
	 * between the two reads, and the next check reads it again. */
	if (vulnview_modified(dir, mod2, e) == -1 || strcmp(mod, mod2) != 0) {
		free(dir);
		return err_set(e, E_UNAVAIL, "%s changed while it was read",
		    top);
	}
	vulnview_init(&nv);
	if (vulnview_modules(&nv, dir, e) == -1) {
		free(dir);
		vulnview_clear(&nv);
		return -1;
	}
	nv.dir = dir;
	memcpy(nv.modified, mod, sizeof(nv.modified));
	vulnview_clear(v);
	*v = nv;
	log_info("vulnerability database: %s (modified %s): %zu modules",
	    dir, mod, v->nmod);
	return 0;
}

/* 1 when the generation dir is still there (its index/db.json). */
static int
vulnview_present(const char *dir)
{
	char path[VULNVIEW_PATH_MAX];
	struct stat st;

	return (size_t)snprintf(path, sizeof(path), "%s/index/db.json", dir) <
	    sizeof(path) && stat(path, &st) == 0;
}

/*
 * The bytes of the entry file path into b: 0; 1 and why when it is
 * skipped for good in this generation (missing, a symbolic link, not a
 * regular file, over OSV_ENTRY_MAX); -1 and e when the read failed for
 * a reason that may pass (EMFILE, EACCES, EIO, ...): never cached.
 */
static int
vulnview_entry_read(const char *path, struct buf *b, struct err *why,
    struct err *e)
{
	struct stat st;
	int fd, rc, fl;

	memset(b, 0, sizeof(*b));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1) {
		if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR) {
			err_errno(why, E_NOTFOUND, "open");
			return 1;
		}
		return err_errno(e, E_UNAVAIL, "open %s", path);
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		return err_errno(e, E_UNAVAIL, "fstat %s", path);
	}
	if (!S_ISREG(st.st_mode) || st.st_size > OSV_ENTRY_MAX) {
		close(fd);
		err_set(why, E_TOOBIG, "not a regular file of at most %d "
		    "bytes", OSV_ENTRY_MAX);
		return 1;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		close(fd);
		return err_errno(e, E_UNAVAIL, "fcntl %s", path);
	}
	rc = buf_read_fd(b, fd, OSV_ENTRY_MAX, why);
	close(fd);
	if (rc == 0)
		return 0;
	/* Grown past the cap while read: skipped; a failed read: again. */
	if (why->code == E_TOOBIG)
		return 1;
	return err_set(e, E_UNAVAIL, "%s: %s", path, why->msg);
}

/* The entry id of v's generation, read when first asked: *out (NULL:
 * skipped as malformed).  0, or -1 and e when it could not be read now
 * (nothing cached: the next check reads it again). */
static int
vulnview_entry(struct vulnview *v, const char *id,
    const struct osv_entry **out, struct err *e)
{
	char path[VULNVIEW_PATH_MAX];
	struct osv_entry *x;
	struct buf b;
	struct err pe;
	size_t at;
	int st;

	if ((at = strmap_get(&v->ents, id)) != STRMAP_NONE) {
		*out = v->ent[at];
		return 0;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/ID/%s.json", v->dir,
	    id) >= sizeof(path))
		return err_set(e, E_CONFIG, "%s: path too long", v->dir);
	err_clear(&pe);
	/* Missing, a link, not a regular file, over the cap while its
	 * generation is there: skipped like a malformed one.  A read that
	 * failed (EMFILE, EACCES, EIO): an error, cached as nothing. */
	if ((st = vulnview_entry_read(path, &b, &pe, e)) == -1)
		return -1;
	if (st == 1 && !vulnview_present(v->dir)) {
		buf_free(&b);
		return err_set(e, pe.code, "%s: %s", path, pe.msg);
	}
	x = xcalloc(1, sizeof(*x));
	if (pe.code == E_OK && osv_parse(b.data, b.len, x, &pe) == 0 &&
	    strcmp(x->id, id) != 0) {
		err_set(&pe, E_UPSTREAM, "its id is %s", x->id);
		osv_free(x);
	}
	buf_free(&b);
	if (pe.code != E_OK) {
		log_warnx("vulnerability database: %s: %s (skipped)", path,
		    pe.msg);
		free(x);
		x = NULL;
	}
	if (v->nent == v->capent) {
		v->capent = v->capent ? v->capent * 2 : 64;
		v->ent = xreallocarray(v->ent, v->capent, sizeof(*v->ent));
	}
	v->ent[v->nent] = x;
	strmap_put(&v->ents, id, v->nent++);
	*out = x;
	return 0;
}

/* The matches of module@version in v's generation; -1 and e when an
 * entry could not be read. */
static int
vulnview_lookup(struct vulnview *v, const char *module, const char *version,
    struct vuln_match **out, size_t *n, struct err *e)
{
	const struct vulnview_module *m;
	const struct osv_entry *x;
	struct vuln_match *vm;
	char fixed[VERSION_MAX];
	size_t at, i, k;

	*out = NULL;
	*n = 0;
	if ((at = strmap_get(&v->mods, module)) == STRMAP_NONE)
		return 0;
	m = &v->mod[at];
	for (i = 0; i < m->n; i++) {
		/* An id listed twice for the module is one match. */
		for (k = 0; k < i; k++)
			if (strcmp(m->ids[k], m->ids[i]) == 0)
				break;
		if (k < i)
			continue;
		if (vulnview_entry(v, m->ids[i], &x, e) == -1) {
			vulnview_matches_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		if (x == NULL || !osv_affects(x, module, version, fixed))
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		vm = &(*out)[(*n)++];
		memset(vm, 0, sizeof(*vm));
		memcpy(vm->id, x->id, sizeof(vm->id));
		memcpy(vm->fixed, fixed, sizeof(vm->fixed));
		vm->published = x->published;
		vm->aliases = xcalloc(x->naliases + 1, sizeof(*vm->aliases));
		for (k = 0; k < x->naliases; k++)
			vm->aliases[k] = xstrdup(x->aliases[k]);
		vm->naliases = x->naliases;
	}
	return 0;
}

int
vulnview_match(struct vulnview *v, const char *module, const char *version,
    struct vuln_match **out, size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	if (v->dir == NULL)
		return err_set(e, E_UNAVAIL, "no vulnerability database read");
	return vulnview_lookup(v, module, version, out, n, e);
}

int
vulnview_check(struct vulnview *v, const char *root, const char *module,
    const char *version, struct vuln_match **out, size_t *n, struct err *e)
{
	struct err le;
	int st, attempt;

	*out = NULL;
	*n = 0;
	for (attempt = 0; attempt < 2; attempt++) {
		err_clear(&le);
		st = vulnview_load(v, root, attempt > 0, &le);
		if (st == 1)
			return 1;
		/* A mirror that cannot be read now: the generation read
		 * before, if any, still answers (said in the log). */
		if (st == -1 && v->dir == NULL)
			return err_set(e, le.code, "%s", le.msg);
		if (st == -1)
			log_warnx("vulnerability database: %s (the generation "
			    "of %s answers)", le.msg, v->modified);
		err_clear(&le);
		if (vulnview_lookup(v, module, version, out, n, &le) == 0)
			return 0;
		/* Its generation went away under us: read the mirror again. */
		log_info("vulnerability database: %s", le.msg);
	}
	return err_set(e, le.code, "%s", le.msg);
}

const char *
vulnview_modified_at(const struct vulnview *v)
{
	return v->dir != NULL ? v->modified : "";
}

int
vulnview_listed(const struct vulnview *v, const char *module)
{
	return v->dir != NULL && strmap_get(&v->mods, module) != STRMAP_NONE;
}

int
vulnview_match_text(struct buf *b, const struct vuln_match *m,
    struct err *e)
{
	size_t i;
	int rc;

	rc = buf_puts(b, m->id, e);
	for (i = 0; i < m->naliases && rc == 0; i++)
		rc = buf_printf(b, e, "%s%s", i == 0 ? " (" : ", ",
		    m->aliases[i]);
	if (rc == 0 && m->naliases > 0)
		rc = buf_puts(b, ")", e);
	if (rc == 0)
		rc = m->fixed[0] != '\0' ? buf_printf(b, e, ", fixed in %s",
		    m->fixed) : buf_puts(b, ", no fixed version", e);
	return rc;
}

void
vulnview_matches_free(struct vuln_match *m, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < m[i].naliases; k++)
			free(m[i].aliases[k]);
		free(m[i].aliases);
	}
	free(m);
}

int
vulnview_refresh(struct vulnview *v, const char *root, struct err *e)
{
	return vulnview_load(v, root, 0, e);
}

/*
 * osv.c: one entry of the Go vulnerability database (OSV JSON, the v1
 * API of go.dev/security/vulndb/api), read and judged.
 *
 * osv_parse keeps what a decision needs: the id, the aliases, when it
 * was published (else modified), whether it is withdrawn, and for each
 * affected Go module its SEMVER ranges.  Every input is hostile: the
 * size, the number of aliases, affected modules, ranges and events are
 * capped; an id or alias is [A-Za-z0-9._-] only; anything else makes the
 * whole entry malformed (-1, the reason), never half read.  A version is
 * read as x/vuln compares it: "v" put in front, "1.2" is v1.2.0, build
 * metadata other than "+incompatible" dropped; a range holding a version
 * that is not semver at all contains nothing (the entry stands).  An
 * entry is withdrawn from its "withdrawn" time on, when that parses.
 * Other ecosystems are ignored.
 *
 * osv_range_affects evaluates one range as golang.org/x/vuln does: the
 * events sorted by version ("introduced": "0", the beginning of time,
 * first), then walked: an introduced at or below the version opens,
 * a fixed above it closes (the version is affected, fixed there), a
 * last_affected at or above it closes too (affected, no fix named:
 * last_affected is our extension, x/vuln does not read it).  As x/vuln's
 * Affects: an affected module with no SEMVER range (none at all, or
 * only GIT or ECOSYSTEM ones) is affected at every version, and so is a
 * SEMVER range without events.
 * Comparison is semver order (semver.c): build metadata such as
 * "+incompatible" is ignored, pseudo-versions are pre-releases.  No I/O.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "piraeus.h"

static const struct {
	const char	*name;
	enum osv_event_kind kind;
} osv_event_names[] = {
	{ "introduced", OSV_INTRODUCED },
	{ "fixed", OSV_FIXED },
	{ "last_affected", OSV_LAST_AFFECTED },
};

int
osv_id_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < OSV_ID_MAX && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-") == n &&
	    strchr("._-", s[0]) == NULL;
}

const char *
osv_id_next(const char *s, size_t *n)
{
	s += strspn(s, " \t,");
	if (*s == '\0')
		return NULL;
	*n = strcspn(s, " \t,");
	return s;
}

int
osv_version(const char *s, char out[VERSION_MAX])
{
	char v[VERSION_MAX];
	size_t n = strlen(s);

	if (n == 0 || n + 2 > VERSION_MAX)
		return -1;
	if (s[0] == 'v')
		memcpy(v, s, n + 1);
	else {
		v[0] = 'v';
		memcpy(v + 1, s, n + 1);
	}
	/* Compared as x/vuln does (semver.Compare after a "v"): "1.2" is
	 * v1.2.0, build metadata other than +incompatible does not count. */
	return semver_canonical(v, 1, out, VERSION_MAX);
}

/* The string member key of o (NULL when absent, or not a string). */
static const char *
osv_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The array member key of o: 1 and *out, 0 when absent, -1 when it is
 * there and not an array (or over max items). */
static int
osv_array(struct json_object *o, const char *key, size_t max,
    struct json_object **out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) > max)
		return -1;
	*out = v;
	return 1;
}

/* An RFC 3339 member into *ns: 0 (absent: 0 kept), -1 when malformed. */
static int
osv_time(struct json_object *o, const char *key, int64_t *ns)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    rfc3339_parse(json_object_get_string(v), ns) == -1)
		return -1;
	return 0;
}

/* Event order: the beginning of time first, then semver order. */
static int
osv_event_cmp(const struct osv_event *a, const struct osv_event *b)
{
	if (a->version[0] == '\0' || b->version[0] == '\0')
		return (a->version[0] != '\0') - (b->version[0] != '\0');
	return semver_compare(a->version, b->version);
}

/* One event object ({"introduced": "1.2.0"}) into ev: 0, 1 when its
 * version is not semver (x/vuln could not compare it), or -1. */
static int
osv_event(struct json_object *o, struct osv_event *ev, struct err *e)
{
	const char *v;
	size_t i, found = 0;

	if (!json_object_is_type(o, json_type_object))
		return err_set(e, E_UPSTREAM, "an event is not an object");
	for (i = 0; i < NITEMS(osv_event_names); i++) {
		if (!json_object_object_get_ex(o, osv_event_names[i].name,
		    NULL))
			continue;
		if (found++ > 0)
			return err_set(e, E_UPSTREAM, "an event of two kinds");
		if ((v = osv_str(o, osv_event_names[i].name)) == NULL)
			return err_set(e, E_UPSTREAM, "an event's %s is not a "
			    "string", osv_event_names[i].name);
		ev->kind = osv_event_names[i].kind;
		if (ev->kind == OSV_INTRODUCED && strcmp(v, "0") == 0)
			ev->version[0] = '\0';
		else if (osv_version(v, ev->version) == -1)
			return 1;	/* the range is skipped, not the entry */
	}
	/* Unknown kinds ("limit") are ignored, as x/vuln does. */
	if (found == 0)
		ev->kind = OSV_IGNORED;
	return 0;
}

/* One range object into r (its events); 0 with r->ignored for a range
 * type other than SEMVER, r->bad for one with a version that is not
 * semver (it contains nothing), r->n 0 for one without events (it
 * contains every version, as x/vuln's ContainsSemver says); -1 and e
 * when malformed. */
static int
osv_range(struct json_object *o, struct osv_range *r, struct err *e)
{
	struct json_object *evs;
	const char *type;
	size_t i, n;
	int st;

	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(o, json_type_object) ||
	    (type = osv_str(o, "type")) == NULL)
		return err_set(e, E_UPSTREAM, "a range without a type");
	if (strcmp(type, "SEMVER") != 0) {
		r->ignored = 1;
		return 0;
	}
	if ((st = osv_array(o, "events", OSV_EVENTS_MAX, &evs)) == -1)
		return err_set(e, E_UPSTREAM, "a SEMVER range's events not an "
		    "array (or over %d)", OSV_EVENTS_MAX);
	n = st == 1 ? json_object_array_length(evs) : 0;
	r->ev = xcalloc(n > 0 ? n : 1, sizeof(*r->ev));
	r->every = n == 0;
	for (i = 0; i < n; i++) {
		if ((st = osv_event(json_object_array_get_idx(evs, i),
		    &r->ev[r->n], e)) == -1)
			return -1;
		if (st == 1)
			r->bad = 1;
		else if (r->ev[r->n].kind != OSV_IGNORED)
			r->n++;
	}
	osv_range_sort(r);	/* once, not on every judgment */
	return 0;
}

/* One affected object into a: 0 (a->module NULL: another ecosystem,
 * ignored), or -1 and e. */
static int
osv_affected(struct json_object *o, struct osv_affected *a, struct err *e)
{
	struct json_object *pkg, *ranges;
	const char *eco, *name;
	size_t i, n;
	int st;

	memset(a, 0, sizeof(*a));
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "package", &pkg) ||
	    !json_object_is_type(pkg, json_type_object) ||
	    (name = osv_str(pkg, "name")) == NULL ||
	    (eco = osv_str(pkg, "ecosystem")) == NULL)
		return err_set(e, E_UPSTREAM, "an affected package without a "
		    "name or an ecosystem");
	if (strcmp(eco, "Go") != 0)
		return 0;
	if (name[0] == '\0' || strlen(name) >= MODPATH_MAX)
		return err_set(e, E_UPSTREAM, "an affected module path empty "
		    "or over %d bytes", MODPATH_MAX);
	if ((st = osv_array(o, "ranges", OSV_RANGES_MAX, &ranges)) == -1)
		return err_set(e, E_UPSTREAM, "ranges is not an array (or "
		    "over %d)", OSV_RANGES_MAX);
	a->module = xstrdup(name);
	n = st == 1 ? json_object_array_length(ranges) : 0;
	a->ranges = xcalloc(n > 0 ? n : 1, sizeof(*a->ranges));
	for (i = 0; i < n; i++) {
		if (osv_range(json_object_array_get_idx(ranges, i),
		    &a->ranges[i], e) == -1) {
			a->nranges = i + 1;
			return -1;
		}
	}
	a->nranges = n;
	return 0;
}

/* The aliases of o into x: 0, or -1 and e. */
static int
osv_aliases(struct json_object *o, struct osv_entry *x, struct err *e)
{
	struct json_object *al, *v;
	size_t i, n;
	int st;

	if ((st = osv_array(o, "aliases", OSV_ALIASES_MAX, &al)) == -1)
		return err_set(e, E_UPSTREAM, "aliases is not an array (or over "
		    "%d)", OSV_ALIASES_MAX);
	n = st == 1 ? json_object_array_length(al) : 0;
	x->aliases = xcalloc(n > 0 ? n : 1, sizeof(*x->aliases));
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(al, i);
		if (!json_object_is_type(v, json_type_string) ||
		    !osv_id_valid(json_object_get_string(v)))
			return err_set(e, E_UPSTREAM, "an alias is not a "
			    "string of [A-Za-z0-9._-] under %d bytes",
			    OSV_ID_MAX);
		x->aliases[x->naliases++] = xstrdup(json_object_get_string(v));
	}
	return 0;
}

int
osv_parse(const char *data, size_t len, struct osv_entry *x, struct err *e)
{
	struct json_object *o, *aff;
	const char *id;
	size_t i, n;
	int rc = -1;

	memset(x, 0, sizeof(*x));
	if ((o = jsonval_parse(data, len, OSV_ENTRY_MAX, 1)) == NULL)
		return err_set(e, E_UPSTREAM, "not one JSON object of at most "
		    "%d bytes", OSV_ENTRY_MAX);
	if ((id = osv_str(o, "id")) == NULL || !osv_id_valid(id)) {
		err_set(e, E_UPSTREAM, "no id, or not [A-Za-z0-9._-] under %d "
		    "bytes", OSV_ID_MAX);
		goto out;
	}
	memcpy(x->id, id, strlen(id) + 1);
	if (osv_time(o, "modified", &x->modified) == -1 ||
	    osv_time(o, "published", &x->published) == -1) {
		err_set(e, E_UPSTREAM, "modified or published is not an RFC "
		    "3339 time");
		goto out;
	}
	if (x->published == 0)
		x->published = x->modified;
	/* Withdrawn from a time that parses; else it stands. */
	if (osv_time(o, "withdrawn", &x->withdrawn) == -1)
		x->withdrawn = 0;
	if (osv_aliases(o, x, e) == -1)
		goto out;
	if (osv_array(o, "affected", OSV_AFFECTED_MAX, &aff) != 1) {
		err_set(e, E_UPSTREAM, "affected is missing, not an array or "
		    "over %d", OSV_AFFECTED_MAX);
		goto out;
	}
	n = json_object_array_length(aff);
	x->aff = xcalloc(n > 0 ? n : 1, sizeof(*x->aff));
	for (i = 0; i < n; i++) {
		x->naff = i + 1;
		if (osv_affected(json_object_array_get_idx(aff, i), &x->aff[i],
		    e) == -1)
			goto out;
	}
	rc = 0;
out:
	json_object_put(o);
	if (rc == -1)
		osv_free(x);
	return rc;
}

void
osv_free(struct osv_entry *x)
{
	size_t i, k;

	for (i = 0; i < x->naliases; i++)
		free(x->aliases[i]);
	free(x->aliases);
	for (i = 0; i < x->naff; i++) {
		for (k = 0; k < x->aff[i].nranges; k++)
			free(x->aff[i].ranges[k].ev);
		free(x->aff[i].ranges);
		free(x->aff[i].module);
	}
	free(x->aff);
	memset(x, 0, sizeof(*x));
}


void
osv_range_sort(struct osv_range *r)
{
	struct osv_event t;
	size_t i, j;

	/* A stable insertion sort: n is capped (OSV_EVENTS_MAX), and the
	 * database writes its events in order already. */
	for (i = 1; i < r->n; i++)
		for (j = i; j > 0 && osv_event_cmp(&r->ev[j - 1], &r->ev[j]) > 0;
		    j--) {
			t = r->ev[j];
			r->ev[j] = r->ev[j - 1];
			r->ev[j - 1] = t;
		}
}

int
osv_range_affects(const struct osv_range *r, const char *version,
    char fixed[VERSION_MAX])
{
	const struct osv_event *ev = r->ev;
	size_t i;
	int affected = 0, rc = 0;

	fixed[0] = '\0';
	if (r->ignored || r->bad)
		return 0;
	if (r->every)
		return 1;
	for (i = 0; i < r->n; i++) {
		if (!affected && ev[i].kind == OSV_INTRODUCED)
			affected = ev[i].version[0] == '\0' ||
			    semver_compare(version, ev[i].version) >= 0;
		else if (affected && ev[i].kind == OSV_FIXED) {
			if (semver_compare(version, ev[i].version) < 0) {
				memcpy(fixed, ev[i].version,
				    strlen(ev[i].version) + 1);
				rc = 1;
				break;
			}
			affected = 0;
		} else if (affected && ev[i].kind == OSV_LAST_AFFECTED) {
			if (semver_compare(version, ev[i].version) <= 0) {
				rc = 1;
				break;
			}
			affected = 0;
		}
	}
	return rc || affected;
}

/*
 * x/vuln's NonSupersededFix (internal/semver/fixed.go) over a's SEMVER
 * ranges into fixed: the latest fix of all, "" when none, or when a
 * range introduces the vulnerability again after it.
 */
static void
osv_fix(const struct osv_affected *a, char fixed[VERSION_MAX])
{
	const struct osv_range *r;
	size_t k, i;

	fixed[0] = '\0';
	for (k = 0; k < a->nranges; k++) {
		r = &a->ranges[k];
		if (r->ignored)
			continue;
		for (i = 0; i < r->n; i++)
			if (r->ev[i].kind == OSV_FIXED && (fixed[0] == '\0' ||
			    semver_compare(fixed, r->ev[i].version) < 0))
				memcpy(fixed, r->ev[i].version,
				    strlen(r->ev[i].version) + 1);
		for (i = 0; i < r->n; i++)
			if (r->ev[i].kind == OSV_INTRODUCED &&
			    r->ev[i].version[0] != '\0' && (fixed[0] == '\0' ||
			    semver_compare(fixed, r->ev[i].version) < 0)) {
				fixed[0] = '\0';
				break;
			}
	}
}

int
osv_affects(const struct osv_entry *x, const char *module,
    const char *version, char fixed[VERSION_MAX])
{
	char f[VERSION_MAX];
	size_t i, k;
	int hit, semver;

	fixed[0] = '\0';
	if ((x->withdrawn != 0 && x->withdrawn <= (int64_t)time(NULL) *
	    1000000000LL) || !semver_valid(version))
		return 0;
	for (i = 0; i < x->naff; i++) {
		const struct osv_affected *a = &x->aff[i];

		if (a->module == NULL || strcmp(a->module, module) != 0)
			continue;
		/* As x/vuln's Affects: no SEMVER range (none at all, or of
		 * other types only) is every version. */
		hit = semver = 0;
		for (k = 0; k < a->nranges && !hit; k++) {
			if (a->ranges[k].ignored)
				continue;
			semver = 1;
			hit = osv_range_affects(&a->ranges[k], version, f);
		}
		if (hit || !semver) {
			osv_fix(a, fixed);
			return 1;
		}
	}
	return 0;
}

/*
 * test_osv.c: the OSV reader (osv.c) and the mirror's view (vulnview.c)
 * as tables.
 *
 * SEMVER ranges against versions: "introduced": "0", an open range (no
 * fixed), two intervals, events out of order, last_affected,
 * pre-releases and pseudo-versions, +incompatible, "v"-prefixed events;
 * the fixed version named.  Entries: several modules, several ranges
 * (the lowest fix), no range (every version), non-SEMVER ranges only,
 * withdrawn, other ecosystems; an entry whose buffer goes on after its
 * length (not read); the JSON layer's values that end the buffer.
 * Hostile entries, each refused whole with
 * a reason, never a crash.  Then a mirror in a temporary directory:
 * none, one with a malformed modules.json row and malformed entries
 * (skipped), the cache kept until db.json's "modified" changes, the
 * symbolic link switched to another generation.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "piraeus.h"
#include "tap.h"

/* Events as "i:0 f:1.2.4 l:1.3.0" (introduced, fixed, last_affected). */
static void
mkrange(const char *spec, struct osv_range *r, struct osv_event *ev)
{
	char buf[512], *p, *sp;

	memset(r, 0, sizeof(*r));
	r->ev = ev;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (p = buf; p != NULL && *p != '\0'; p = sp) {
		struct osv_event *e = &ev[r->n++];

		if ((sp = strchr(p, ' ')) != NULL)
			*sp++ = '\0';

		e->kind = p[0] == 'i' ? OSV_INTRODUCED : p[0] == 'f' ?
		    OSV_FIXED : OSV_LAST_AFFECTED;
		if (e->kind == OSV_INTRODUCED && strcmp(p + 2, "0") == 0)
			e->version[0] = '\0';
		else if (osv_version(p + 2, e->version) == -1)
			abort();
	}
	osv_range_sort(r);
}

static const struct {
	const char	*events;
	const char	*version;
	int		 affected;
	const char	*fixed;
} ranges[] = {
	{ "i:0 f:1.2.4", "v0.0.1", 1, "v1.2.4" },
	{ "i:0 f:1.2.4", "v1.2.3", 1, "v1.2.4" },
	{ "i:0 f:1.2.4", "v1.2.4", 0, "" },
	{ "i:0 f:1.2.4", "v1.3.0", 0, "" },
	{ "i:0 f:1.2.4", "v1.2.4-rc.1", 1, "v1.2.4" },
	/* Pseudo-versions are pre-releases of the next patch. */
	{ "i:0 f:1.2.4", "v1.2.4-0.20240101000000-abcdefabcdef", 1, "v1.2.4" },
	{ "i:0 f:1.2.4", "v1.2.5-0.20240101000000-abcdefabcdef", 0, "" },
	{ "i:0 f:1.2.4", "v1.2.3-0.20240101000000-abcdefabcdef", 1, "v1.2.4" },
	/* An open range. */
	{ "i:1.5.0", "v1.4.9", 0, "" },
	{ "i:1.5.0", "v1.5.0", 1, "" },
	{ "i:1.5.0", "v9.0.0", 1, "" },
	{ "i:1.5.0", "v1.5.0-pre", 0, "" },
	/* Two intervals. */
	{ "i:1.0.0 f:1.0.5 i:1.1.0 f:1.1.2", "v0.9.0", 0, "" },
	{ "i:1.0.0 f:1.0.5 i:1.1.0 f:1.1.2", "v1.0.0", 1, "v1.0.5" },
	{ "i:1.0.0 f:1.0.5 i:1.1.0 f:1.1.2", "v1.0.5", 0, "" },
	{ "i:1.0.0 f:1.0.5 i:1.1.0 f:1.1.2", "v1.0.9", 0, "" },
	{ "i:1.0.0 f:1.0.5 i:1.1.0 f:1.1.2", "v1.1.1", 1, "v1.1.2" },
	{ "i:1.0.0 f:1.0.5 i:1.1.0 f:1.1.2", "v1.1.2", 0, "" },
	/* The same, out of order: sorted first. */
	{ "f:1.1.2 i:1.1.0 f:1.0.5 i:1.0.0", "v1.0.3", 1, "v1.0.5" },
	{ "f:1.1.2 i:1.1.0 f:1.0.5 i:1.0.0", "v1.0.7", 0, "" },
	{ "f:1.1.2 i:1.1.0 f:1.0.5 i:1.0.0", "v1.1.0", 1, "v1.1.2" },
	{ "f:1.2.0 i:0", "v1.1.0", 1, "v1.2.0" },
	/* last_affected. */
	{ "i:0 l:1.3.0", "v1.3.0", 1, "" },
	{ "i:0 l:1.3.0", "v1.3.1", 0, "" },
	/* +incompatible: build metadata does not count. */
	{ "i:0 f:2.1.0+incompatible", "v2.0.0+incompatible", 1,
	  "v2.1.0+incompatible" },
	{ "i:0 f:2.1.0+incompatible", "v2.1.0+incompatible", 0, "" },
	{ "i:2.0.0 f:2.1.0", "v2.0.5+incompatible", 1, "v2.1.0" },
	{ "i:2.0.0 f:2.1.0", "v3.0.0+incompatible", 0, "" },
	/* "v"-prefixed events read the same. */
	{ "i:v1.0.0 f:v1.0.1", "v1.0.0", 1, "v1.0.1" },
	{ "i:v1.0.0 f:v1.0.1", "v1.0.1", 0, "" },
	/* Introduced and fixed at the same version: never affected. */
	{ "i:1.0.0 f:1.0.0", "v1.0.0", 0, "" },
};

static void
test_ranges(void)
{
	struct osv_event ev[16];
	struct osv_range r;
	char fixed[VERSION_MAX], name[256];
	size_t i;

	for (i = 0; i < NITEMS(ranges); i++) {
		mkrange(ranges[i].events, &r, ev);
		snprintf(name, sizeof(name), "range [%s] %s: %s", ranges[i].events,
		    ranges[i].version, ranges[i].affected ? "affected" : "not");
		is_int(osv_range_affects(&r, ranges[i].version, fixed),
		    ranges[i].affected, name);
		snprintf(name, sizeof(name), "range [%s] %s: fixed \"%s\"",
		    ranges[i].events, ranges[i].version, ranges[i].fixed);
		is_str(fixed, ranges[i].fixed, name);
	}
}

#define PKG(name, ranges) \
	"{\"package\":{\"name\":\"" name "\",\"ecosystem\":\"Go\"}" ranges "}"
#define SEMVER(events) "{\"type\":\"SEMVER\",\"events\":[" events "]}"

static const char entry[] =
    "{\"schema_version\":\"1.3.1\",\"id\":\"GO-2024-0001\","
    "\"modified\":\"2024-01-02T00:00:00Z\","
    "\"published\":\"2024-01-01T00:00:00Z\","
    "\"aliases\":[\"CVE-2024-1111\",\"GHSA-aaaa-bbbb-cccc\"],"
    "\"summary\":\"s\",\"details\":\"d\\u0000 is fine in a string\","
    "\"affected\":["
    PKG("example.com/a", ",\"ranges\":[" SEMVER("{\"introduced\":\"0\"},"
	"{\"fixed\":\"1.2.4\"}") "," SEMVER("{\"introduced\":\"2.0.0\"},"
	"{\"fixed\":\"2.0.3\"}") "," SEMVER("{\"introduced\":\"1.1.0\"},"
	"{\"fixed\":\"1.1.5\"}") "],\"ecosystem_specific\":{\"imports\":"
	"[{\"path\":\"example.com/a/x\",\"symbols\":[\"F\"]}]}") ","
    PKG("example.com/all", "") ","
    PKG("example.com/git", ",\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\","
	"\"events\":[{\"introduced\":\"abc\"}]}]") ","
    "{\"package\":{\"name\":\"example.com/a\",\"ecosystem\":\"npm\"},"
	"\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"x\"}]}]}"
    "],\"database_specific\":{\"url\":\"https://pkg.go.dev/vuln/GO-2024-0001\"}}";

static void
test_entry(void)
{
	struct osv_entry x;
	struct err e;
	char fixed[VERSION_MAX];
	char *w;

	err_clear(&e);
	if (!ok(osv_parse(entry, strlen(entry), &x, &e) == 0,
	    "a full entry parses")) {
		printf("#   %s\n", e.msg);
		return;
	}
	is_str(x.id, "GO-2024-0001", "its id");
	is_int(x.naliases, 2, "two aliases");
	is_str(x.aliases[1], "GHSA-aaaa-bbbb-cccc", "the second alias");
	is_int(x.published, 1704067200LL * 1000000000LL, "published");
	/* The fix is x/vuln's NonSupersededFix over the module's ranges
	 * (the latest fix, none introducing it again after): v2.0.3 for
	 * every affected version, not the range's own fix (v1.1.5 or
	 * v1.2.4 asserted before: v1.2.4 is affected again at v2.0.0). */
	is_int(osv_affects(&x, "example.com/a", "v1.1.2", fixed), 1,
	    "a@v1.1.2: two ranges take it");
	is_str(fixed, "v2.0.3", "the fix that is not superseded");
	is_int(osv_affects(&x, "example.com/a", "v1.0.0", fixed), 1,
	    "a@v1.0.0 affected");
	is_str(fixed, "v2.0.3", "fixed in v2.0.3 (not v1.2.4)");
	is_int(osv_affects(&x, "example.com/a", "v1.2.4", fixed), 0,
	    "a@v1.2.4: fixed");
	is_int(osv_affects(&x, "example.com/a", "v2.0.2", fixed), 1,
	    "a@v2.0.2 affected");
	is_str(fixed, "v2.0.3", "fixed in v2.0.3");
	is_int(osv_affects(&x, "example.com/all", "v7.0.0", fixed), 1,
	    "no ranges: every version");
	is_str(fixed, "", "and no fix");
	/* x/vuln's Affects: no SEMVER range present is every version (0
	 * was asserted here before, against the oracle). */
	is_int(osv_affects(&x, "example.com/git", "v1.0.0", fixed), 1,
	    "GIT ranges only: every version, as x/vuln");
	is_str(fixed, "", "GIT ranges only: no fix named");
	is_int(osv_affects(&x, "example.com/b", "v1.0.0", fixed), 0,
	    "another module: not");
	is_int(osv_affects(&x, "example.com/a/x", "v1.0.0", fixed), 0,
	    "a package path is not the module");
	is_int(osv_affects(&x, "example.com/a", "not-a-version", fixed), 0,
	    "an invalid version: not");
	osv_free(&x);

	/* Events are sorted once when parsed, not on every judgment. */
	{
		static const char unsorted[] = "{\"id\":\"GO-3\",\"affected\":["
		    PKG("a.b/c", ",\"ranges\":[" SEMVER("{\"fixed\":\"1.1.2\"},"
		    "{\"introduced\":\"1.1.0\"},{\"fixed\":\"1.0.5\"},"
		    "{\"introduced\":\"0\"}") "]") "]}";
		const struct osv_event *ev;

		err_clear(&e);
		if (ok(osv_parse(unsorted, strlen(unsorted), &x, &e) == 0,
		    "an entry with its events out of order parses")) {
			ev = x.aff[0].ranges[0].ev;
			ok(x.aff[0].ranges[0].n == 4 &&
			    ev[0].kind == OSV_INTRODUCED &&
			    ev[0].version[0] == '\0' &&
			    strcmp(ev[1].version, "v1.0.5") == 0 &&
			    strcmp(ev[2].version, "v1.1.0") == 0 &&
			    strcmp(ev[3].version, "v1.1.2") == 0,
			    "osv_parse sorted its events (0, v1.0.5, v1.1.0, "
			    "v1.1.2)");
			osv_free(&x);
		}
	}

	/* Withdrawn: affects nothing. */
	w = NULL;
	if (xasprintf(&w, "{\"id\":\"GO-2024-0002\",\"withdrawn\":"
	    "\"2024-02-01T00:00:00Z\",\"affected\":[%s]}",
	    PKG("example.com/w", "")) == -1)
		abort();
	err_clear(&e);
	ok(osv_parse(w, strlen(w), &x, &e) == 0, "a withdrawn entry parses");
	is_int(osv_affects(&x, "example.com/w", "v1.0.0", fixed), 0,
	    "a withdrawn entry affects nothing");
	osv_free(&x);
	free(w);
}

/*
 * The fix named: golang.org/x/vuln's TestNonSupersededFix
 * (internal/semver/fixed_test.go) cases, as one module's ranges.
 */
static const struct {
	const char	*name;
	const char	*ranges;	/* the JSON array's items */
	const char	*version;	/* an affected version */
	const char	*fixed;
} fixes[] = {
	{ "no fix", SEMVER("{\"introduced\":\"0\"}"), "v1.0.0", "" },
	{ "no latest fix", SEMVER("{\"introduced\":\"0\"},{\"fixed\":"
	  "\"1.0.4\"},{\"introduced\":\"1.1.2\"}"), "v1.0.0", "" },
	{ "unsorted no latest fix", SEMVER("{\"fixed\":\"1.0.4\"},"
	  "{\"introduced\":\"0\"},{\"introduced\":\"1.1.2\"},"
	  "{\"introduced\":\"1.5.0\"},{\"fixed\":\"1.1.4\"}"), "v1.0.0",
	  "" },
	{ "unsorted with fix", SEMVER("{\"fixed\":\"1.0.0\"},"
	  "{\"introduced\":\"0\"},{\"fixed\":\"0.1.0\"},"
	  "{\"introduced\":\"0.5.0\"}"), "v0.0.1", "v1.0.0" },
	{ "multiple ranges", SEMVER("{\"introduced\":\"0\"},{\"fixed\":"
	  "\"0.1.0\"}") "," SEMVER("{\"introduced\":\"0\"},{\"fixed\":"
	  "\"0.2.0\"}"), "v0.0.1", "v0.2.0" },
	{ "pseudoversion", SEMVER("{\"introduced\":\"0\"},{\"fixed\":"
	  "\"0.0.0-20220824120805-abc\"},{\"introduced\":"
	  "\"0.0.0-20230824120805-efg\"},{\"fixed\":"
	  "\"0.0.0-20240824120805-hij\"}"), "v0.0.0-20230901000000-aaa",
	  "v0.0.0-20240824120805-hij" },
};

static void
test_fixes(void)
{
	struct osv_entry x;
	struct err e;
	char fixed[VERSION_MAX], name[200], *j;
	size_t i;

	for (i = 0; i < NITEMS(fixes); i++) {
		j = NULL;
		if (xasprintf(&j, "{\"id\":\"GO-1\",\"affected\":["
		    "{\"package\":{\"name\":\"a.b/c\",\"ecosystem\":\"Go\"},"
		    "\"ranges\":[%s]}]}", fixes[i].ranges) == -1)
			abort();
		err_clear(&e);
		snprintf(name, sizeof(name), "fix: %s: parses", fixes[i].name);
		if (!ok(osv_parse(j, strlen(j), &x, &e) == 0, name)) {
			printf("#   %s\n", e.msg);
			free(j);
			continue;
		}
		snprintf(name, sizeof(name), "fix: %s: %s affected",
		    fixes[i].name, fixes[i].version);
		is_int(osv_affects(&x, "a.b/c", fixes[i].version, fixed), 1,
		    name);
		snprintf(name, sizeof(name), "fix: %s: \"%s\"", fixes[i].name,
		    fixes[i].fixed);
		is_str(fixed, fixes[i].fixed, name);
		osv_free(&x);
		free(j);
	}
}

static const struct {
	const char	*name;
	const char	*json;
} hostile[] = {
	{ "not JSON", "{\"id\":" },
	{ "an array", "[{\"id\":\"GO-1\"}]" },
	{ "trailing bytes", "{\"id\":\"GO-1\",\"affected\":[]} x" },
	{ "two objects", "{\"id\":\"GO-1\",\"affected\":[]}{}" },
	{ "no id", "{\"affected\":[]}" },
	{ "an id that is a number", "{\"id\":1,\"affected\":[]}" },
	{ "an id with a slash", "{\"id\":\"../GO-1\",\"affected\":[]}" },
	{ "an id starting with a dot", "{\"id\":\".GO\",\"affected\":[]}" },
	{ "an empty id", "{\"id\":\"\",\"affected\":[]}" },
	{ "an id over the cap", "{\"id\":\"GO-0123456789012345678901234567"
	  "890123456789012345678901234567890\",\"affected\":[]}" },
	{ "no affected", "{\"id\":\"GO-1\"}" },
	{ "affected an object", "{\"id\":\"GO-1\",\"affected\":{}}" },
	{ "aliases a string", "{\"id\":\"GO-1\",\"aliases\":\"CVE-1\","
	  "\"affected\":[]}" },
	{ "an alias a number", "{\"id\":\"GO-1\",\"aliases\":[1],"
	  "\"affected\":[]}" },
	{ "an alias with a blank", "{\"id\":\"GO-1\",\"aliases\":[\"CVE 1\"],"
	  "\"affected\":[]}" },
	{ "a bad modified", "{\"id\":\"GO-1\",\"modified\":\"yesterday\","
	  "\"affected\":[]}" },
	{ "a bad published", "{\"id\":\"GO-1\",\"published\":5,"
	  "\"affected\":[]}" },
	{ "an affected without package", "{\"id\":\"GO-1\",\"affected\":[{}]}" },
	{ "a package without ecosystem", "{\"id\":\"GO-1\",\"affected\":"
	  "[{\"package\":{\"name\":\"a.b/c\"}}]}" },
	{ "an empty module", "{\"id\":\"GO-1\",\"affected\":[" PKG("", "")
	  "]}" },
	{ "ranges an object", "{\"id\":\"GO-1\",\"affected\":[" PKG("a.b/c",
	  ",\"ranges\":{}") "]}" },
	{ "a range without type", "{\"id\":\"GO-1\",\"affected\":["
	  PKG("a.b/c", ",\"ranges\":[{\"events\":[]}]") "]}" },
	{ "an event not an object", "{\"id\":\"GO-1\",\"affected\":["
	  PKG("a.b/c", ",\"ranges\":[" SEMVER("\"0\"") "]") "]}" },
	{ "an event of two kinds", "{\"id\":\"GO-1\",\"affected\":["
	  PKG("a.b/c", ",\"ranges\":[" SEMVER("{\"introduced\":\"0\","
	  "\"fixed\":\"1.0.0\"}") "]") "]}" },
	{ "a version that is a number", "{\"id\":\"GO-1\",\"affected\":["
	  PKG("a.b/c", ",\"ranges\":[" SEMVER("{\"introduced\":0}") "]")
	  "]}" },
};

/*
 * Entries x/vuln reads (they were refused as malformed before: a whole
 * entry lost for one odd range): each parses, and a.b/c@version is
 * affected or not as x/vuln's Affects says.
 */
#define ONE(ranges) "{\"id\":\"GO-1\",\"affected\":[" PKG("a.b/c", \
	",\"ranges\":[" ranges "]") "]}"
static const struct {
	const char	*name;
	const char	*json;
	const char	*version;
	int		 affected;
} tolerated[] = {
	{ "a SEMVER range without events: every version",
	  ONE("{\"type\":\"SEMVER\"}"), "v9.0.0", 1 },
	{ "a SEMVER range with no events: every version", ONE(SEMVER("")),
	  "v0.0.1", 1 },
	{ "a version that is not semver: that range contains nothing",
	  ONE(SEMVER("{\"introduced\":\"0\"},{\"fixed\":\"one\"}")), "v1.0.0",
	  0 },
	{ "a version that is not semver: the other range counts",
	  ONE(SEMVER("{\"introduced\":\"0\"},{\"fixed\":\"one\"}") ","
	  SEMVER("{\"introduced\":\"0\"},{\"fixed\":\"1.1.0\"}")), "v1.0.0",
	  1 },
	{ "fixed \"0\" (v0.0.0): nothing before it",
	  ONE(SEMVER("{\"fixed\":\"0\"}")), "v1.0.0", 0 },
	{ "a shorthand version: 1.2 is v1.2.0 (affected below)",
	  ONE(SEMVER("{\"introduced\":\"0\"},{\"fixed\":\"1.2\"}")),
	  "v1.1.9", 1 },
	{ "a shorthand version: 1.2 is v1.2.0 (fixed there)",
	  ONE(SEMVER("{\"introduced\":\"0\"},{\"fixed\":\"1.2\"}")),
	  "v1.2.0", 0 },
	{ "build metadata: 1.0.0+meta is v1.0.0",
	  ONE(SEMVER("{\"introduced\":\"1.0.0+meta\"}")), "v1.0.0", 1 },
	{ "only unknown events: contains nothing",
	  ONE(SEMVER("{\"limit\":\"1.0.0\"}")), "v0.5.0", 0 },
	{ "a withdrawn time that does not parse: the entry stands",
	  "{\"id\":\"GO-1\",\"withdrawn\":\"soon\",\"affected\":["
	  PKG("a.b/c", "") "]}", "v1.0.0", 1 },
	{ "withdrawn in the future: the entry stands until then",
	  "{\"id\":\"GO-1\",\"withdrawn\":\"2999-01-01T00:00:00Z\","
	  "\"affected\":[" PKG("a.b/c", "") "]}", "v1.0.0", 1 },
	{ "withdrawn in the past: nothing",
	  "{\"id\":\"GO-1\",\"withdrawn\":\"2001-01-01T00:00:00Z\","
	  "\"affected\":[" PKG("a.b/c", "") "]}", "v1.0.0", 0 },
};

static void
test_tolerated(void)
{
	struct osv_entry x;
	struct err e;
	char fixed[VERSION_MAX], name[200];
	size_t i;

	for (i = 0; i < NITEMS(tolerated); i++) {
		err_clear(&e);
		snprintf(name, sizeof(name), "tolerated: %s: parses",
		    tolerated[i].name);
		if (!ok(osv_parse(tolerated[i].json, strlen(tolerated[i].json),
		    &x, &e) == 0, name)) {
			printf("#   %s\n", e.msg);
			continue;
		}
		snprintf(name, sizeof(name), "tolerated: %s: %s %s",
		    tolerated[i].name, tolerated[i].version,
		    tolerated[i].affected ? "affected" : "not");
		is_int(osv_affects(&x, "a.b/c", tolerated[i].version, fixed),
		    tolerated[i].affected, name);
		osv_free(&x);
	}
	/* The entry is data[0..len), white space after it included: what
	 * follows len (here more white space, then a byte that is not) is
	 * not read (jsonval.c read on to a NUL: refused, or past the end
	 * of a buffer without one). */
	{
		static const char in[] = "{\"id\":\"GO-1\",\"affected\":[]}\n"
		    " x";

		err_clear(&e);
		ok(osv_parse(in, sizeof(in) - 3, &x, &e) == 0,
		    "tolerated: white space at the end of the length, more "
		    "after it: parses");
		osv_free(&x);
	}
}

/* jsonval_parse, the parser of an entry: a value that ends the buffer is
 * ended by it (a number, true or false with nothing after it: json-c waits
 * for more), as with white space after it; one cut short is refused. */
static const struct {
	const char	*name;
	const char	*json;
	int		 type;	/* -1: refused */
} jsonvals[] = {
	{ "a number alone", "5", json_type_int },
	{ "a number, CR", "5\r", json_type_int },
	{ "blank, a number alone", " -1.5e3", json_type_double },
	{ "true alone", "true", json_type_boolean },
	{ "false, LF", "false\n", json_type_boolean },
	{ "a string alone", "\"a\"", json_type_string },
	{ "an array alone", "[1]", json_type_array },
	{ "an array cut short", "[1", -1 },
	{ "true cut short", "tru", -1 },
	{ "a minus sign", "-", -1 },
	{ "a string cut short", "\"a", -1 },
	{ "two numbers", "5 6", -1 },
	/* What json-c takes and Go's encoding/json refuses (RFC 8259). */
	{ "a trailing comma in an array", "[1,]", -1 },
	{ "a trailing comma in an object", "{\"a\":1,}", -1 },
	{ "a comma alone", "[,]", -1 },
	{ "single quotes", "{'a':1}", -1 },
	{ "a single-quoted string", "'a'", -1 },
	{ "NaN", "[NaN]", -1 },
	{ "nan", "[nan]", -1 },
	{ "Infinity", "Infinity", -1 },
	{ "-Infinity", "-Infinity", -1 },
	{ "a raw tab in a string", "\"a\tb\"", -1 },
	{ "a raw newline in a string", "\"a\nb\"", -1 },
	{ "1.", "1.", -1 },
	{ "5e", "5e", -1 },
	{ "1e+", "1e+", -1 },
	{ ".5", ".5", -1 },
	{ "+1", "+1", -1 },
	{ "a leading zero", "01", -1 },
	{ "-01", "-01", -1 },
	{ "hexadecimal", "0x10", -1 },
	{ "a comment", "/* c */ 1", -1 },
	{ "a line comment", "1 // c", -1 },
	{ "a bad escape", "\"\\x\"", -1 },
	{ "a short \\u", "\"\\u12\"", -1 },
	{ "a \\u with a non-hex digit", "\"\\u12g4\"", -1 },
	{ "an unquoted key", "{a:1}", -1 },
	{ "a key that is a number", "{1:1}", -1 },
	{ "no colon", "{\"a\" 1}", -1 },
	{ "two values in an array, no comma", "[1 2]", -1 },
	{ "a closer of the other kind", "[1}", -1 },
	{ "a closer too many", "[1]]", -1 },
	{ "True", "True", -1 },
	{ "nul", "nul", -1 },
	{ "a form feed as white space", "\f1", -1 },
	/* What Go takes. */
	{ "0", "0", json_type_int },
	{ "-0", "-0", json_type_int },
	{ "an exponent", "1E+2", json_type_double },
	{ "a fraction and an exponent", "-0.5e-3", json_type_double },
	{ "escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"", json_type_string },
	{ "a raw byte >= 0x80 (UTF-8)", "\"\xc3\xa9\"", json_type_string },
	{ "DEL raw in a string", "\"\x7f\"", json_type_string },
	{ "an empty object", " { } ", json_type_object },
	{ "an empty array", "[ ]", json_type_array },
	{ "a key twice (the last wins in both)", "{\"a\":1,\"a\":2}",
	  json_type_object },
	{ "nested, white space everywhere", " [ { \"a\" : [ null , true ] } ] ",
	  json_type_array },
};

static char	*repeat(const char *, const char *, size_t, const char *);

static void
test_jsonval(void)
{
	struct json_object *o;
	char name[200];
	size_t i;

	for (i = 0; i < NITEMS(jsonvals); i++) {
		o = jsonval_parse(jsonvals[i].json, strlen(jsonvals[i].json),
		    64, 0);
		snprintf(name, sizeof(name), "jsonval: %s: %s", jsonvals[i].name,
		    jsonvals[i].type == -1 ? "refused" : "a value");
		ok(jsonvals[i].type == -1 ? o == NULL : o != NULL &&
		    (int)json_object_get_type(o) == jsonvals[i].type, name);
		json_object_put(o);
	}
	/* Containers one in another: read to Go's maxNestingDepth (10000),
	 * past json-c's default depth (32 values), refused past it. */
	{
		static const struct {
			const char	*open, *inner, *close;
			size_t		 n;
			int		 ok;
		} deeps[] = {
			{ "[", "1", "]", 31, 1 },
			{ "[", "1", "]", 32, 1 },
			{ "[", "", "]", 32, 1 },
			{ "[", "1", "]", 10000, 1 },
			{ "[", "", "]", 10000, 1 },
			{ "[", "1", "]", 10001, 0 },
			{ "[", "", "]", 10001, 0 },
			{ "{\"a\":", "1", "}", 31, 1 },
			{ "{\"a\":", "{}", "}", 9999, 1 },
			{ "{\"a\":", "1", "}", 10000, 1 },
			{ "{\"a\":", "1", "}", 10001, 0 },
		};
		char *head, *tail, *all;

		for (i = 0; i < NITEMS(deeps); i++) {
			head = repeat("", deeps[i].open, deeps[i].n, "");
			tail = repeat(deeps[i].inner, deeps[i].close,
			    deeps[i].n, "");
			xasprintf(&all, "%s%s", head, tail);
			o = jsonval_parse(all, strlen(all), strlen(all), 0);
			snprintf(name, sizeof(name), "jsonval: %zu nested %s "
			    "around %s: %s", deeps[i].n, deeps[i].open[0] ==
			    '[' ? "arrays" : "objects", deeps[i].inner[0] ?
			    deeps[i].inner : "nothing", deeps[i].ok ?
			    "a value" : "refused");
			ok(deeps[i].ok ? o != NULL : o == NULL, name);
			json_object_put(o);
			free(head);
			free(tail);
			free(all);
		}
	}
}

/* s repeated n times into an allocated string (between pre and post). */
static char *
repeat(const char *pre, const char *s, size_t n, const char *post)
{
	size_t ls = strlen(s), lp = strlen(pre), lq = strlen(post), i;
	char *out = xmalloc(lp + ls * n + lq + 1), *p = out;

	memcpy(p, pre, lp);
	p += lp;
	for (i = 0; i < n; i++, p += ls)
		memcpy(p, s, ls);
	memcpy(p, post, lq + 1);
	return out;
}

static void
test_hostile(void)
{
	struct osv_entry x;
	struct err e;
	char name[200], *big;
	size_t i;

	for (i = 0; i < NITEMS(hostile); i++) {
		err_clear(&e);
		snprintf(name, sizeof(name), "hostile: %s: refused",
		    hostile[i].name);
		ok(osv_parse(hostile[i].json, strlen(hostile[i].json), &x,
		    &e) == -1, name);
		snprintf(name, sizeof(name), "hostile: %s: with a reason",
		    hostile[i].name);
		ok(e.code != E_OK && e.msg[0] != '\0', name);
		ok(x.aff == NULL && x.aliases == NULL, "and nothing kept");
	}
	/* A NUL byte inside the bytes. */
	err_clear(&e);
	ok(osv_parse("{\"id\":\"GO-1\",\0\"affected\":[]}", 27, &x, &e) == -1,
	    "hostile: a NUL byte: refused");
	/* Nesting deeper than the parser's depth. */
	big = repeat("{\"id\":\"GO-1\",\"affected\":[],\"x\":", "[", 10000,
	    "");
	err_clear(&e);
	ok(osv_parse(big, strlen(big), &x, &e) == -1,
	    "hostile: 10000 nested arrays: refused");
	free(big);
	/* Over the size cap (valid JSON otherwise). */
	big = repeat("{\"id\":\"GO-1\",\"affected\":[],\"details\":\"", "a",
	    OSV_ENTRY_MAX, "\"}");
	err_clear(&e);
	ok(osv_parse(big, strlen(big), &x, &e) == -1,
	    "hostile: over OSV_ENTRY_MAX: refused");
	free(big);
	/* Over the event cap. */
	big = repeat("{\"id\":\"GO-1\",\"affected\":[{\"package\":{\"name\":"
	    "\"a.b/c\",\"ecosystem\":\"Go\"},\"ranges\":[{\"type\":\"SEMVER\","
	    "\"events\":[", "{\"introduced\":\"1.0.0\"},", OSV_EVENTS_MAX,
	    "{\"fixed\":\"2.0.0\"}]}]}]}");
	err_clear(&e);
	ok(osv_parse(big, strlen(big), &x, &e) == -1,
	    "hostile: over OSV_EVENTS_MAX events: refused");
	free(big);
	/* At the cap: taken. */
	big = repeat("{\"id\":\"GO-1\",\"affected\":[{\"package\":{\"name\":"
	    "\"a.b/c\",\"ecosystem\":\"Go\"},\"ranges\":[{\"type\":\"SEMVER\","
	    "\"events\":[", "{\"introduced\":\"1.0.0\"},", OSV_EVENTS_MAX - 1,
	    "{\"fixed\":\"2.0.0\"}]}]}]}");
	err_clear(&e);
	if (ok(osv_parse(big, strlen(big), &x, &e) == 0,
	    "OSV_EVENTS_MAX events: taken")) {
		char fixed[VERSION_MAX];

		is_int(osv_affects(&x, "a.b/c", "v1.5.0", fixed), 1,
		    "and evaluated");
		osv_free(&x);
	}
	free(big);
}

/* --- the mirror -------------------------------------------------------- */

static char dir[] = "/tmp/test_osv.XXXXXX";

/* nftw callback: remove what it is given (depth first). */
static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

/* Write text to dir/rel (directories made). */
static void
put(const char *rel, const char *text)
{
	char path[1024], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0)
		abort();
}

/* The ids of module@version's matches, joined by " " ("-" for none,
 * "ERR" for an error, "NONE" for no mirror). */
static void
check(struct vulnview *v, const char *module, const char *version,
    char *out, size_t outsz)
{
	struct vuln_match *m;
	struct err e;
	size_t n, i, len = 0;
	int st;

	err_clear(&e);
	st = vulnview_check(v, dir, module, version, &m, &n, &e);
	if (st != 0) {
		snprintf(out, outsz, "%s", st == 1 ? "NONE" : "ERR");
		return;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, outsz - len, "%s%s@%s",
		    i ? " " : "", m[i].id, m[i].fixed);
	if (n == 0)
		snprintf(out, outsz, "-");
	vulnview_matches_free(m, n);
}

#define GOOD(id, mod, fix) \
	"{\"id\":\"" id "\",\"published\":\"2024-01-01T00:00:00Z\"," \
	"\"affected\":[" PKG(mod, ",\"ranges\":[" SEMVER( \
	"{\"introduced\":\"0\"},{\"fixed\":\"" fix "\"}") "]") "]}"

static void
test_mirror(void)
{
	struct vulnview v;
	char got[512];

	if (mkdtemp(dir) == NULL)
		abort();
	vulnview_init(&v);
	check(&v, "example.com/a", "v1.0.0", got, sizeof(got));
	is_str(got, "NONE", "mirror: none yet");

	put("gen1/index/db.json", "{\"modified\":\"2024-01-01T00:00:00Z\"}");
	put("gen1/index/modules.json", "[{\"path\":\"example.com/a\",\"vulns\":"
	    "[{\"id\":\"GO-2024-0001\"},{\"id\":\"GO-2024-0002\"},"
	    "{\"id\":\"GO-2024-0003\"},{\"id\":\"GO-2024-0004\"}]},"
	    "{\"path\":\"example.com/bad\",\"vulns\":[{\"id\":\"../x\"}]},"
	    "{\"path\":5},"
	    "{\"path\":\"example.com/b\",\"vulns\":[{\"id\":\"GO-2024-0001\"},"
	    "{\"id\":\"GO-2024-0005\"}]},"
	    "{\"path\":\"example.com/t\",\"vulns\":[{\"id\":\"GO-2024-0006\"}]},"
	    "{\"path\":\"example.com/l\",\"vulns\":[{\"id\":\"GO-2024-0008\"}]}]");
	put("gen1/ID/GO-2024-0006.json", GOOD("GO-2024-0006", "example.com/t",
	    "0.6.0"));
	/* A symbolic link (to a good entry): never followed, skipped. */
	put("gen1/ID/good-0008", GOOD("GO-2024-0008", "example.com/l",
	    "0.8.0"));
	{
		char l[1024];

		snprintf(l, sizeof(l), "%s/gen1/ID/GO-2024-0008.json", dir);
		if (symlink("good-0008", l) == -1)
			abort();
	}
	put("gen1/ID/GO-2024-0001.json", GOOD("GO-2024-0001", "example.com/a",
	    "1.2.0"));
	/* Malformed: skipped, the others still answer. */
	put("gen1/ID/GO-2024-0002.json", "{\"id\":\"GO-2024-0002\"");
	/* Another id inside: skipped. */
	put("gen1/ID/GO-2024-0003.json", GOOD("GO-2024-0099", "example.com/a",
	    "9.0.0"));
	/* GO-2024-0004 is missing: skipped. */
	put("gen1/ID/GO-2024-0005.json", GOOD("GO-2024-0005", "example.com/b",
	    "0.5.0"));
	{
		char link[1024];

		snprintf(link, sizeof(link), "%s/vulndb", dir);
		if (symlink("gen1", link) == -1)
			abort();
	}
	check(&v, "example.com/a", "v1.0.0", got, sizeof(got));
	is_str(got, "GO-2024-0001@v1.2.0",
	    "mirror: a@v1.0.0 by the good entry; malformed, mismatched and "
	    "missing entries skipped");
	check(&v, "example.com/a", "v1.2.0", got, sizeof(got));
	is_str(got, "-", "mirror: a@v1.2.0 is fixed");
	check(&v, "example.com/b", "v0.4.0", got, sizeof(got));
	is_str(got, "GO-2024-0005@v0.5.0",
	    "mirror: b@v0.4.0, the row after the malformed ones read");
	check(&v, "example.com/c", "v0.4.0", got, sizeof(got));
	is_str(got, "-", "mirror: a module not listed");
	check(&v, "example.com/bad", "v0.4.0", got, sizeof(got));
	is_str(got, "-", "mirror: a malformed row is not taken");
	check(&v, "example.com/l", "v0.4.0", got, sizeof(got));
	is_str(got, "-", "mirror: an entry that is a symbolic link is skipped "
	    "(O_NOFOLLOW)");

	/* A read that failed for a reason that may pass (EMFILE here: the
	 * tests run as root, where chmod 000 does not stop a read; EACCES
	 * too when not root): an error, not cached as skipped. */
	{
		struct rlimit rl, low;
		char p6[1024];
		int fd;

		snprintf(p6, sizeof(p6), "%s/gen1/ID/GO-2024-0006.json", dir);
		if (getuid() != 0) {
			chmod(p6, 0);
			check(&v, "example.com/t", "v0.4.0", got, sizeof(got));
			is_str(got, "ERR", "mirror: an entry unreadable (EACCES): "
			    "an error");
			chmod(p6, 0644);
		} else
			ok(1, "mirror: EACCES not checked as root");
		if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || (fd = dup(0)) == -1)
			abort();
		close(fd);
		low = rl;
		low.rlim_cur = (rlim_t)fd;
		if (setrlimit(RLIMIT_NOFILE, &low) == -1)
			abort();
		check(&v, "example.com/t", "v0.4.0", got, sizeof(got));
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			abort();
		is_str(got, "ERR", "mirror: an entry not opened (EMFILE): an "
		    "error");
		check(&v, "example.com/t", "v0.4.0", got, sizeof(got));
		is_str(got, "GO-2024-0006@v0.6.0", "mirror: read once it can be "
		    "(not cached as skipped)");
	}

	/* The cache: a changed entry is not read again while db.json says
	 * the same ... */
	put("gen1/ID/GO-2024-0001.json", GOOD("GO-2024-0001", "example.com/a",
	    "1.0.1"));
	check(&v, "example.com/a", "v1.0.0", got, sizeof(got));
	is_str(got, "GO-2024-0001@v1.2.0",
	    "cache: the entry kept while modified is the same");
	/* ... and is once it changes. */
	put("gen1/index/db.json", "{\"modified\":\"2024-01-02T00:00:00Z\"}");
	check(&v, "example.com/a", "v1.0.0", got, sizeof(got));
	is_str(got, "GO-2024-0001@v1.0.1", "cache: read again once modified "
	    "changed");
	is_str(vulnview_modified_at(&v), "2024-01-02T00:00:00Z",
	    "cache: keyed by the new modified");

	/* Another generation, the link switched atomically. */
	put("gen2/index/db.json", "{\"modified\":\"2024-03-01T00:00:00Z\"}");
	put("gen2/index/modules.json", "[{\"path\":\"example.com/c\",\"vulns\":"
	    "[{\"id\":\"GO-2024-0007\"}]}]");
	put("gen2/ID/GO-2024-0007.json", GOOD("GO-2024-0007", "example.com/c",
	    "3.0.0"));
	{
		char tmp[1024], link[1024];

		snprintf(tmp, sizeof(tmp), "%s/vulndb.new", dir);
		snprintf(link, sizeof(link), "%s/vulndb", dir);
		if (symlink("gen2", tmp) == -1 || rename(tmp, link) == -1)
			abort();
	}
	/* vulnview_match (piraeus audit) stays in the generation read: one
	 * generation for a whole report, db.json not read per version. */
	{
		struct vuln_match *m;
		struct err e;
		size_t n;

		err_clear(&e);
		ok(vulnview_match(&v, "example.com/a", "v1.0.0", &m, &n, &e) ==
		    0 && n == 1 && strcmp(m[0].id, "GO-2024-0001") == 0,
		    "match: the generation read before answers, not the new "
		    "one");
		vulnview_matches_free(m, n);
	}
	check(&v, "example.com/c", "v2.0.0", got, sizeof(got));
	is_str(got, "GO-2024-0007@v3.0.0", "generation: the new one answers");
	check(&v, "example.com/a", "v1.0.0", got, sizeof(got));
	is_str(got, "-", "generation: the old one's modules are gone");

	/* A db.json that is not the format: an error, the generation held
	 * answers. */
	put("gen2/index/db.json", "{\"modified\":\"soon\"}");
	check(&v, "example.com/c", "v2.0.0", got, sizeof(got));
	is_str(got, "GO-2024-0007@v3.0.0",
	    "a malformed db.json: the generation read before answers");
	vulnview_free(&v);

	vulnview_init(&v);
	check(&v, "example.com/c", "v2.0.0", got, sizeof(got));
	is_str(got, "ERR", "a malformed db.json and nothing read before: an "
	    "error");
	vulnview_free(&v);

	/* modules.json over its cap (16 MiB; valid JSON otherwise): not
	 * read, an error; a generation read before still answers. */
	put("gen3/index/db.json", "{\"modified\":\"2024-04-01T00:00:00Z\"}");
	{
		char path[1024], tmp[1024], link[1024];
		static char spaces[65536];
		size_t left = 16 * 1024 * 1024 + 1 - 1, k;
		FILE *f;

		snprintf(path, sizeof(path), "%s/gen3/index/modules.json", dir);
		memset(spaces, ' ', sizeof(spaces));
		if ((f = fopen(path, "w")) == NULL || fputc('[', f) == EOF)
			abort();
		for (; left > 1; left -= k) {
			k = left - 1 < sizeof(spaces) ? left - 1 : sizeof(spaces);
			if (fwrite(spaces, 1, k, f) != k)
				abort();
		}
		if (fputc(']', f) == EOF || fclose(f) != 0)
			abort();
		snprintf(tmp, sizeof(tmp), "%s/vulndb.new", dir);
		snprintf(link, sizeof(link), "%s/vulndb", dir);
		if (symlink("gen3", tmp) == -1 || rename(tmp, link) == -1)
			abort();
	}
	vulnview_init(&v);
	check(&v, "example.com/c", "v2.0.0", got, sizeof(got));
	is_str(got, "ERR", "modules.json over its cap (16 MiB + 1 byte): an "
	    "error, not read");
	vulnview_free(&v);
}

int
main(void)
{
	log_init("test_osv", LOG_LVL_ERROR);
	test_ranges();
	test_entry();
	test_fixes();
	test_tolerated();
	test_jsonval();
	test_hostile();
	test_mirror();
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}

/*
 * test_policy.c: the one decision (policy.c) as tables.
 *
 * Module requests: network_mode, the download mode of the module's
 * pattern, Disable-Module-Fetch and the route (with or without a version)
 * -> POLICY_FETCH, POLICY_STORAGE_ONLY (and its reason), POLICY_ASYNC (and
 * what is deferred) or POLICY_REDIRECT (and the exact Location, written
 * out by hand below).  Then GOPROXY=off and private modules, checksum
 * database paths (nosum refused, offline from the cache), and the flags
 * every decision carries: direct only, fallback, verify, log.  Last,
 * the filter file's word ("-" refused whatever else, "D" to the upstream
 * proxy or not found), with the version a request knows; and [policy]
 * vulnerable on a mirror written here (deny, warn, exceptions by id or
 * alias, the minimum age; before a fetch and on a hit).
 */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"

/* One download file for every case: a mode per module pattern. */
#define MODES_TEXT \
	"mode = \"sync\"\n" \
	"downloadURL = \"https://global.example/go\"\n" \
	"download \"none.example/*\" { mode = \"none\" }\n" \
	"download \"async.example/*\" { mode = \"async\" }\n" \
	"download \"redir.example/*\" { mode = \"redirect\" }\n" \
	"download \"aredir.example/*\" {\n" \
	"  mode = \"async_redirect\"\n" \
	"  downloadURL = \"https://other.example\"\n" \
	"}\n"

static const struct {
	const char	*name;
	int		 network;	/* enum network_mode */
	const char	*spec;		/* download_mode; NULL: the file */
	int		 no_fetch;	/* Disable-Module-Fetch: true */
	const char	*uri;
	enum policy_action want;
	const char	*why;		/* NOTFOUND: part of the reason */
	const char	*location;	/* REDIRECT */
	const char	*deferred;	/* "module@version" or "" */
} cases[] = {
	/* Sync (the default rule): fetch, whatever the route. */
	{ "sync zip", NETWORK_STRICT, NULL, 0,
	  "/sync.example/m/@v/v1.0.0.zip", POLICY_FETCH, NULL, NULL, "" },
	{ "sync list", NETWORK_STRICT, NULL, 0,
	  "/sync.example/m/@v/list", POLICY_FETCH, NULL, NULL, "" },
	{ "sync latest, fallback", NETWORK_FALLBACK, NULL, 0,
	  "/sync.example/m/@latest", POLICY_FETCH, NULL, NULL, "" },
	{ "plain spec async", NETWORK_STRICT, "async", 0,
	  "/sync.example/m/@v/v1.0.0.mod", POLICY_ASYNC, NULL, NULL,
	  "sync.example/m@v1.0.0" },
	/* Disable-Module-Fetch and offline win over every mode. */
	{ "no_fetch, sync", NETWORK_STRICT, NULL, 1,
	  "/sync.example/m/@v/v1.0.0.info", POLICY_STORAGE_ONLY,
	  "Disable-Module-Fetch", NULL, "" },
	{ "no_fetch, redirect", NETWORK_STRICT, NULL, 1,
	  "/redir.example/m/@v/list", POLICY_STORAGE_ONLY,
	  "Disable-Module-Fetch", NULL, "" },
	{ "no_fetch and offline: the header is named", NETWORK_OFFLINE, NULL,
	  1, "/sync.example/m/@v/list", POLICY_STORAGE_ONLY,
	  "Disable-Module-Fetch", NULL, "" },
	{ "offline, sync", NETWORK_OFFLINE, NULL, 0,
	  "/sync.example/m/@v/v1.0.0.zip", POLICY_STORAGE_ONLY,
	  "network_mode is offline", NULL, "" },
	{ "offline, async", NETWORK_OFFLINE, NULL, 0,
	  "/async.example/m/@v/v1.0.0.zip", POLICY_STORAGE_ONLY,
	  "network_mode is offline", NULL, "" },
	{ "offline, redirect", NETWORK_OFFLINE, NULL, 0,
	  "/redir.example/m/@latest", POLICY_STORAGE_ONLY,
	  "network_mode is offline", NULL, "" },
	/* none. */
	{ "none zip", NETWORK_STRICT, NULL, 0,
	  "/none.example/m/@v/v1.0.0.zip", POLICY_STORAGE_ONLY,
	  "download mode none", NULL, "" },
	{ "none list", NETWORK_FALLBACK, NULL, 0,
	  "/none.example/m/@v/list", POLICY_STORAGE_ONLY,
	  "download mode none", NULL, "" },
	/* async: deferred only when there is a version. */
	{ "async info", NETWORK_STRICT, NULL, 0,
	  "/async.example/m/@v/v1.2.3.info", POLICY_ASYNC, NULL, NULL,
	  "async.example/m@v1.2.3" },
	{ "async list: nothing deferred", NETWORK_STRICT, NULL, 0,
	  "/async.example/m/@v/list", POLICY_ASYNC, NULL, NULL, "" },
	{ "async latest: nothing deferred", NETWORK_STRICT, NULL, 0,
	  "/async.example/m/@latest", POLICY_ASYNC, NULL, NULL, "" },
	/* redirect: the request's own path below the URL, escapes kept. */
	{ "redirect info", NETWORK_STRICT, NULL, 0,
	  "/redir.example/!m/@v/v1.0.0-!r!c1.info", POLICY_REDIRECT, NULL,
	  "https://global.example/go/redir.example/!m/@v/v1.0.0-!r!c1.info",
	  "" },
	{ "redirect mod", NETWORK_STRICT, NULL, 0,
	  "/redir.example/m/@v/v2.0.0+incompatible.mod", POLICY_REDIRECT, NULL,
	  "https://global.example/go/redir.example/m/@v/"
	  "v2.0.0+incompatible.mod", "" },
	{ "redirect zip", NETWORK_STRICT, NULL, 0,
	  "/redir.example/m/@v/v1.0.0.zip", POLICY_REDIRECT, NULL,
	  "https://global.example/go/redir.example/m/@v/v1.0.0.zip", "" },
	{ "redirect list", NETWORK_STRICT, NULL, 0,
	  "/redir.example/m/@v/list", POLICY_REDIRECT, NULL,
	  "https://global.example/go/redir.example/m/@v/list", "" },
	{ "redirect latest", NETWORK_FALLBACK, NULL, 0,
	  "/redir.example/m/@latest", POLICY_REDIRECT, NULL,
	  "https://global.example/go/redir.example/m/@latest", "" },
	/* async_redirect: redirect, and defer when there is a version. */
	{ "async_redirect zip", NETWORK_STRICT, NULL, 0,
	  "/aredir.example/m/@v/v0.1.0.zip", POLICY_REDIRECT, NULL,
	  "https://other.example/aredir.example/m/@v/v0.1.0.zip",
	  "aredir.example/m@v0.1.0" },
	{ "async_redirect list: nothing deferred", NETWORK_STRICT, NULL, 0,
	  "/aredir.example/m/@v/list", POLICY_REDIRECT, NULL,
	  "https://other.example/aredir.example/m/@v/list", "" },
	/* A base path of ours is never in the Location. */
	{ "redirect under our base", NETWORK_STRICT, NULL, 0,
	  "/base/redir.example/m/@v/v1.0.0.mod", POLICY_REDIRECT, NULL,
	  "https://global.example/go/redir.example/m/@v/v1.0.0.mod", "" },
};

/* The download-mode table above. */
static void
test_modes(void)
{
	char name[256], want_def[512];
	char got_def[MODPATH_MAX + VERSION_MAX + 2];
	struct upstream_list up;
	struct mode_table modes;
	struct config cfg;
	struct policy p;
	struct decision d;
	struct request r;
	struct want w;
	struct err e;
	const char *spec, *base;
	size_t i;

	err_clear(&e);
	if (upstream_parse("https://proxy.example", &up, &e) == -1)
		exit(99);
	for (i = 0; i < NITEMS(cases); i++) {
		memset(&cfg, 0, sizeof(cfg));
		memset(&modes, 0, sizeof(modes));
		cfg.network_mode = cases[i].network;
		spec = cases[i].spec;
		err_clear(&e);
		if (spec == NULL) {
			/* The file form, through a temporary file. */
			char path[] = "/tmp/test_policy.XXXXXX";
			int fd = mkstemp(path);
			char fspec[64];

			if (fd == -1 || write(fd, MODES_TEXT,
			    strlen(MODES_TEXT)) != (ssize_t)strlen(MODES_TEXT))
				exit(99);
			close(fd);
			snprintf(fspec, sizeof(fspec), "file:%s", path);
			if (mode_load(fspec, &modes, &e) == -1) {
				printf("# mode_load: %s\n", e.msg);
				unlink(path);
				exit(99);
			}
			unlink(path);
		} else if (mode_load(spec, &modes, &e) == -1) {
			printf("# mode_load: %s\n", e.msg);
			exit(99);
		}
		base = strncmp(cases[i].uri, "/base/", 6) == 0 ? "/base" : "";
		if (request_parse_uri(&r, "GET", cases[i].uri, base, &e) == -1) {
			printf("# %s: %s\n", cases[i].uri, e.msg);
			exit(99);
		}
		r.no_fetch = cases[i].no_fetch;
		{
			static const enum want_kind kinds[ROUTE_MAX] = {
				[ROUTE_LIST] = WANT_LIST,
				[ROUTE_INFO] = WANT_INFO,
				[ROUTE_MOD] = WANT_MOD, [ROUTE_ZIP] = WANT_ZIP,
				[ROUTE_LATEST] = WANT_LATEST,
			};

			request_want(&r, kinds[r.route], &w);
		}
		p.cfg = &cfg;
		p.modes = &modes;
		p.up = &up;
		p.signer_name = NULL;
		p.filter = NULL;
		policy_decide(&p, &w, &d);
		snprintf(name, sizeof(name), "%s: action", cases[i].name);
		is_int(d.action, cases[i].want, name);
		snprintf(name, sizeof(name), "%s: error code", cases[i].name);
		is_int(d.why.code, cases[i].want == POLICY_STORAGE_ONLY ?
		    E_NOTFOUND : E_OK, name);
		if (cases[i].why != NULL) {
			snprintf(name, sizeof(name), "%s: reason names %s",
			    cases[i].name, cases[i].why);
			if (!ok(strstr(d.why.msg, cases[i].why) != NULL, name))
				printf("#   got: '%s'\n", d.why.msg);
		}
		snprintf(name, sizeof(name), "%s: Location", cases[i].name);
		is_str(d.action == POLICY_REDIRECT ? d.location : "",
		    cases[i].location ? cases[i].location : "", name);
		snprintf(want_def, sizeof(want_def), "%s", cases[i].deferred);
		if (d.defer)
			snprintf(got_def, sizeof(got_def), "%s@%s", w.module,
			    w.version);
		else
			got_def[0] = '\0';
		snprintf(name, sizeof(name), "%s: deferred", cases[i].name);
		is_str(got_def, want_def, name);
		mode_free(&modes);
	}
	upstream_free(&up);
}

/* GOPROXY, private patterns, sumdb paths and the flags of a decision. */
static const struct {
	const char	*name;
	const char	*goproxy;
	int		 network;
	int		 verify;	/* [sumdb] verify */
	int		 relay;		/* [sumdb] private_relay */
	int		 signer;	/* a private database */
	enum want_kind	 kind;
	const char	*module;
	enum policy_action want;
	enum errc	 code;		/* of why */
	const char	*why;		/* part of the reason, or NULL */
	int		 direct_only, fallback, dverify, log;
} flags[] = {
	{ "public, strict", "https://p.example", NETWORK_STRICT, 1, 0, 1,
	  WANT_ZIP, "example.com/pub", POLICY_FETCH, E_OK, NULL,
	  0, 0, 1, 0 },
	{ "public, fallback", "https://p.example", NETWORK_FALLBACK, 1, 0, 0,
	  WANT_LIST, "example.com/pub", POLICY_FETCH, E_OK, NULL,
	  0, 1, 1, 0 },
	{ "public, verify off", "https://p.example", NETWORK_STRICT, 0, 0, 1,
	  WANT_MOD, "example.com/pub", POLICY_FETCH, E_OK, NULL,
	  0, 0, 0, 0 },
	{ "public, relayed", "https://p.example", NETWORK_STRICT, 1, 1, 1,
	  WANT_ZIP, "example.com/pub", POLICY_FETCH, E_OK, NULL,
	  0, 0, 1, 1 },
	{ "relay without a key logs nothing", "https://p.example",
	  NETWORK_STRICT, 1, 1, 0, WANT_ZIP, "example.com/pub", POLICY_FETCH,
	  E_OK, NULL, 0, 0, 1, 0 },
	{ "goprivate: direct only, not verified, logged",
	  "https://p.example", NETWORK_STRICT, 1, 0, 1, WANT_ZIP,
	  "corp.example/x", POLICY_FETCH, E_OK, NULL, 1, 0, 0, 1 },
	{ "nosum: not verified, logged, not direct only",
	  "https://p.example", NETWORK_STRICT, 1, 0, 1, WANT_ZIP,
	  "nosum.example/x", POLICY_FETCH, E_OK, NULL, 0, 0, 0, 1 },
	{ "GOPROXY=off: storage only", "off", NETWORK_STRICT, 1, 0, 0,
	  WANT_ZIP, "example.com/pub", POLICY_STORAGE_ONLY, E_NOTFOUND,
	  "GOPROXY=off", 0, 0, 1, 0 },
	{ "GOPROXY=off, list", "off", NETWORK_FALLBACK, 1, 0, 0,
	  WANT_LIST, "example.com/pub", POLICY_STORAGE_ONLY, E_NOTFOUND,
	  "GOPROXY=off", 0, 1, 1, 0 },
	{ "GOPROXY=off, private: direct", "off", NETWORK_STRICT, 1, 0, 0,
	  WANT_ZIP, "corp.example/x", POLICY_FETCH, E_OK, NULL, 1, 0, 0, 0 },
	{ "sumdb lookup, public", "https://p.example", NETWORK_STRICT, 1, 0,
	  0, WANT_SUMDB, "example.com/pub", POLICY_FETCH, E_OK, NULL,
	  0, 0, 1, 0 },
	{ "sumdb lookup, nosum: refused", "https://p.example",
	  NETWORK_STRICT, 1, 0, 0, WANT_SUMDB, "nosum.example/x",
	  POLICY_REFUSE, E_FORBIDDEN, "nosum.example/x is private", 0, 0, 0,
	  0 },
	{ "sumdb lookup, goprivate: refused, never named upstream",
	  "https://p.example", NETWORK_STRICT, 1, 0, 0, WANT_SUMDB,
	  "corp.example/x", POLICY_REFUSE, E_FORBIDDEN,
	  "GONOSUMDB=corp.example/x", 1, 0, 0, 0 },
	{ "sumdb tile, offline: cache only", "https://p.example",
	  NETWORK_OFFLINE, 1, 0, 0, WANT_SUMDB, "", POLICY_STORAGE_ONLY,
	  E_OK, NULL, 0, 1, 1, 0 },
	{ "sumdb, GOPROXY=off: still read", "off", NETWORK_STRICT, 1, 0, 0,
	  WANT_SUMDB, "", POLICY_FETCH, E_OK, NULL, 0, 0, 1, 0 },
	{ "private db, private module", "https://p.example", NETWORK_STRICT,
	  1, 0, 1, WANT_SUMDB_PRIVATE, "corp.example/x", POLICY_FETCH, E_OK,
	  NULL, 1, 0, 0, 1 },
	{ "private db, public module: not in it", "https://p.example",
	  NETWORK_STRICT, 1, 0, 1, WANT_SUMDB_PRIVATE, "example.com/pub",
	  POLICY_STORAGE_ONLY, E_NOTFOUND, "not in the private checksum "
	  "database key.example", 0, 0, 1, 0 },
	{ "private db, public module, relayed", "https://p.example",
	  NETWORK_STRICT, 1, 1, 1, WANT_SUMDB_PRIVATE, "example.com/pub",
	  POLICY_FETCH, E_OK, NULL, 0, 0, 1, 1 },
	{ "private db, offline: stored only", "https://p.example",
	  NETWORK_OFFLINE, 1, 0, 1, WANT_SUMDB_PRIVATE, "corp.example/x",
	  POLICY_STORAGE_ONLY, E_NOTFOUND, "network_mode is offline",
	  1, 1, 0, 1 },
	{ "private db, latest", "https://p.example", NETWORK_STRICT, 1, 0, 1,
	  WANT_SUMDB_PRIVATE, "", POLICY_FETCH, E_OK, NULL, 0, 0, 1, 0 },
};

static void
test_flags(void)
{
	struct sumdb_list dbs;
	struct upstream_list up;
	struct mode_table modes;
	struct config cfg;
	struct policy p;
	struct decision d;
	struct want w;
	struct err e;
	char name[256];
	size_t i;

	static char goprivate[] = "corp.example,hidden.example",
	    nosum[] = "nosum.example,other.example";

	memset(&modes, 0, sizeof(modes));
	err_clear(&e);
	if (sumdb_parse(SUMDB_DEFAULT_KEY " https://sum.example", &dbs,
	    &e) == -1)
		exit(99);
	for (i = 0; i < NITEMS(flags); i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.network_mode = flags[i].network;
		cfg.sumdb_verify = flags[i].verify;
		cfg.sumdb_private_relay = flags[i].relay;
		cfg.goprivate = goprivate;
		cfg.sumdb_nosum = nosum;
		err_clear(&e);
		if (upstream_parse(flags[i].goproxy, &up, &e) == -1)
			exit(99);
		memset(&w, 0, sizeof(w));
		w.kind = flags[i].kind;
		w.module = flags[i].module;
		w.emod = w.ever = w.canon = "";
		w.version = flags[i].module[0] ? "v1.0.0" : "";
		w.path = flags[i].module[0] ? "lookup/x@v1.0.0" : "latest";
		w.db = &dbs.v[0];
		p.cfg = &cfg;
		p.modes = &modes;
		p.up = &up;
		p.signer_name = flags[i].signer ? "key.example" : NULL;
		p.filter = NULL;
		policy_decide(&p, &w, &d);
#define FLAG(field, want) do {						\
	snprintf(name, sizeof(name), "%s: %s", flags[i].name, #field);	\
	is_int(d.field, want, name);					\
} while (0)
		FLAG(action, flags[i].want);
		FLAG(why.code, flags[i].code);
		FLAG(direct_only, flags[i].direct_only);
		FLAG(fallback, flags[i].fallback);
		FLAG(verify, flags[i].dverify);
		FLAG(log, flags[i].log);
#undef FLAG
		if (flags[i].why != NULL) {
			snprintf(name, sizeof(name), "%s: reason names %s",
			    flags[i].name, flags[i].why);
			if (!ok(strstr(d.why.msg, flags[i].why) != NULL, name))
				printf("#   got: '%s'\n", d.why.msg);
		}
		/* A reason names the request's module, never the other
		 * private patterns (they may name hidden modules). */
		snprintf(name, sizeof(name), "%s: no other pattern named",
		    flags[i].name);
		if (!ok(strstr(d.why.msg, "hidden.example") == NULL &&
		    strstr(d.why.msg, "other.example") == NULL, name))
			printf("#   got: '%s'\n", d.why.msg);
		upstream_free(&up);
	}
	sumdb_free(&dbs);
}

/* The filter file of the filter cases. */
#define FILTER_TEXT \
	"+\n" \
	"- bad.example\n" \
	"- ver.example/m v1.0.0,<0.5.0\n" \
	"D d.example\n" \
	"D corp.example\n"

static const struct filter_case {
	const char	*name;
	const char	*goproxy;
	enum want_kind	 kind;
	const char	*module;
	const char	*version;	/* the want's version (or canon) */
	int		 no_fetch;
	enum policy_action want;
	enum errc	 code;
	const char	*why;		/* in the reason, or the Location */
} filter_cases[] = {
	{ "-: zip refused", "https://p.example", WANT_ZIP, "bad.example/x",
	  "v1.0.0", 0, POLICY_REFUSE, E_FORBIDDEN, "line 2" },
	{ "-: list refused", "https://p.example", WANT_LIST, "bad.example/x",
	  "", 0, POLICY_REFUSE, E_FORBIDDEN, "excluded by the filter" },
	{ "-: refused even with Disable-Module-Fetch", "https://p.example",
	  WANT_INFO, "bad.example", "v1.0.0", 1, POLICY_REFUSE, E_FORBIDDEN,
	  "bad.example@v1.0.0" },
	{ "-: refused even with GOPROXY=off", "off", WANT_MOD,
	  "bad.example", "v1.0.0", 0, POLICY_REFUSE, E_FORBIDDEN, "line 2" },
	{ "- with versions: that version refused", "https://p.example",
	  WANT_ZIP, "ver.example/m", "v1.0.0", 0, POLICY_REFUSE, E_FORBIDDEN,
	  "line 3" },
	{ "- with versions: < is strictly lower", "https://p.example",
	  WANT_ZIP, "ver.example/m", "v0.5.0", 0, POLICY_FETCH, E_OK, NULL },
	{ "- with versions: lower refused", "https://p.example",
	  WANT_INFO, "ver.example/m", "v0.4.9", 0, POLICY_REFUSE,
	  E_FORBIDDEN, "line 3" },
	{ "- with versions: the list is not refused", "https://p.example",
	  WANT_LIST, "ver.example/m", "", 0, POLICY_FETCH, E_OK, NULL },
	{ "- with versions: a query's canon judged", "https://p.example",
	  WANT_QUERY, "ver.example/m", "v1.0.0", 0, POLICY_REFUSE,
	  E_FORBIDDEN, "line 3" },
	{ "+ default: fetched", "https://p.example", WANT_ZIP,
	  "good.example", "v1.0.0", 0, POLICY_FETCH, E_OK, NULL },
	{ "D: redirected to the upstream proxy", "https://p.example/go,direct",
	  WANT_ZIP, "d.example/x", "v1.0.0", 0, POLICY_REDIRECT, E_OK,
	  "https://p.example/go/d.example/x/@v/v1.0.0.zip" },
	{ "D: list redirected too", "https://p.example|direct",
	  WANT_LIST, "d.example/x", "", 0, POLICY_REDIRECT, E_OK,
	  "https://p.example/d.example/x/@v/list" },
	{ "D: no proxy, not found", "direct", WANT_ZIP, "d.example/x",
	  "v1.0.0", 0, POLICY_STORAGE_ONLY, E_NOTFOUND, "says D" },
	{ "D: a proxy with credentials is never shown", "https://u:p@p.example",
	  WANT_ZIP, "d.example/x", "v1.0.0", 0, POLICY_STORAGE_ONLY,
	  E_NOTFOUND, "says D" },
	{ "D: a private module is never sent to a proxy", "https://p.example",
	  WANT_ZIP, "corp.example/x", "v1.0.0", 0, POLICY_STORAGE_ONLY,
	  E_NOTFOUND, "says D" },
	{ "D with Disable-Module-Fetch: storage only", "https://p.example",
	  WANT_ZIP, "d.example/x", "v1.0.0", 1, POLICY_STORAGE_ONLY,
	  E_NOTFOUND, "Disable-Module-Fetch" },
};

static void
test_filter(void)
{
	struct filter_table ft;
	struct upstream_list up;
	struct mode_table modes;
	struct config cfg;
	struct policy p;
	struct decision d;
	struct want w;
	struct err e;
	char name[256];
	const char *got;
	size_t i;

	static char goprivate[] = "corp.example";

	memset(&modes, 0, sizeof(modes));
	err_clear(&e);
	if (filter_parse("filter", FILTER_TEXT, strlen(FILTER_TEXT), &ft,
	    &e) == -1)
		exit(99);
	for (i = 0; i < NITEMS(filter_cases); i++) {
		const struct filter_case *c = &filter_cases[i];

		memset(&cfg, 0, sizeof(cfg));
		cfg.network_mode = NETWORK_STRICT;
		cfg.goprivate = goprivate;
		if (upstream_parse(c->goproxy, &up, &e) == -1)
			exit(99);
		memset(&w, 0, sizeof(w));
		w.kind = c->kind;
		w.module = c->module;
		w.emod = c->module;
		w.version = w.ever = c->kind == WANT_QUERY ? "v1" : c->version;
		w.canon = c->kind == WANT_QUERY ? c->version : "";
		w.path = "";
		w.no_fetch = c->no_fetch;
		memset(&p, 0, sizeof(p));
		p.cfg = &cfg;
		p.modes = &modes;
		p.up = &up;
		p.filter = &ft;
		policy_decide(&p, &w, &d);
		snprintf(name, sizeof(name), "filter: %s: action", c->name);
		is_int(d.action, c->want, name);
		snprintf(name, sizeof(name), "filter: %s: code", c->name);
		is_int(d.why.code, c->code, name);
		if (c->why != NULL) {
			got = c->want == POLICY_REDIRECT ? d.location :
			    d.why.msg;
			snprintf(name, sizeof(name), "filter: %s: has %s",
			    c->name, c->why);
			if (!ok(strstr(got, c->why) != NULL, name))
				printf("#   got: '%s'\n", got);
		}
		upstream_free(&up);
	}
	filter_free(&ft);
}

/*
 * policy_on_hit: the validator hook decides on a stored version only when
 * every request reaches the responder.  The hook's URL is a port nothing
 * listens on, so asking it is a 502 (and not kept in a cache: ix NULL).
 */
static void
test_on_hit(void)
{
	static char hook[] = "http://127.0.0.1:9/hook";
	struct config cfg;
	struct policy p;
	struct err e;

	memset(&cfg, 0, sizeof(cfg));
	memset(&p, 0, sizeof(p));
	p.cfg = &cfg;
	cfg.validator_timeout = 5;
	err_clear(&e);
	is_int(policy_on_hit(&p, NULL, "example.com/m", "v1.0.0", WANT_ZIP,
	    &e), 0,
	    "on hit: no hook, every request: allowed");
	cfg.every_request = 1;
	is_int(policy_on_hit(&p, NULL, "example.com/m", "v1.0.0", WANT_ZIP,
	    &e), 0,
	    "on hit: every request, no hook: allowed");
	cfg.validator_hook = hook;
	cfg.every_request = 0;
	is_int(policy_on_hit(&p, NULL, "example.com/m", "v1.0.0", WANT_ZIP,
	    &e), 0,
	    "on hit: a hook, hits bypass the responder: not asked");
	is_int(e.code, E_OK, "on hit: not asked: no error");
	cfg.every_request = 1;
	is_int(policy_on_hit(&p, NULL, "example.com/m", "v1.0.0", WANT_ZIP,
	    &e), -1,
	    "on hit: a hook and every request: asked (it fails here)");
	is_int(e.code, E_UPSTREAM, "on hit: a hook that cannot be asked: 502");
}

/*
 * [policy] vulnerable through policy_before_fetch and policy_on_hit, on
 * a mirror written here: mode x exceptions x min age -> allowed or 403
 * with the ids and the fixed version.  Entries: GO-2024-0001 (alias
 * CVE-2024-1) on example.com/v < v1.2.0, published 2024; GO-2099-0002 on
 * example.com/young < v2.0.0, published now; GO-2024-0003 (aliases
 * CVE-2024-3, GHSA-3333) and GO-2024-0004 both on example.com/two.
 */
static const struct {
	const char	*name;
	int		 mode;
	const char	*allow;
	long		 min_age;
	const char	*module, *version;
	int		 rc;
	const char	*msg;	/* in e.msg when refused */
} vcases[] = {
	{ "allow: nothing refused", VULN_ALLOW, "", 0, "example.com/v",
	  "v1.0.0", 0, NULL },
	{ "deny: an affected version", VULN_DENY, "", 0, "example.com/v",
	  "v1.0.0", -1, "affected by GO-2024-0001; fixed in v1.2.0" },
	{ "deny: the fixed version", VULN_DENY, "", 0, "example.com/v",
	  "v1.2.0", 0, NULL },
	{ "deny: a module not listed", VULN_DENY, "", 0, "example.com/w",
	  "v1.0.0", 0, NULL },
	{ "deny: excepted by its id", VULN_DENY, "GO-2024-0001", 0,
	  "example.com/v", "v1.0.0", 0, NULL },
	{ "deny: excepted by its alias", VULN_DENY, "x, CVE-2024-1", 0,
	  "example.com/v", "v1.0.0", 0, NULL },
	{ "deny: an exception is a whole word", VULN_DENY, "CVE-2024-", 0,
	  "example.com/v", "v1.0.0", -1, "GO-2024-0001" },
	{ "deny: an old entry past the min age", VULN_DENY, "", 7,
	  "example.com/v", "v1.0.0", -1, "GO-2024-0001" },
	{ "deny: a young entry warns", VULN_DENY, "", 7, "example.com/young",
	  "v1.0.0", 0, NULL },
	{ "deny: a young entry with no min age", VULN_DENY, "", 0,
	  "example.com/young", "v1.0.0", -1, "GO-2099-0002; fixed in v2.0.0" },
	{ "deny: two entries, both named", VULN_DENY, "", 0, "example.com/two",
	  "v0.1.0", -1, "affected by GO-2024-0003, GO-2024-0004; no fixed "
	  "version" },
	{ "deny: two entries, one excepted: the other refuses", VULN_DENY,
	  "GHSA-3333", 0, "example.com/two", "v0.1.0", -1,
	  "affected by GO-2024-0004; fixed in v0.2.0" },
	{ "deny: two fixes: the one that fixes both", VULN_DENY, "", 0,
	  "example.com/fix2", "v1.0.0", -1,
	  "affected by GO-2024-0021, GO-2024-0022; fixed in v1.3.0" },
	{ "deny: the latest fix is affected again: none named", VULN_DENY, "",
	  0, "example.com/again", "v1.0.0", -1,
	  "affected by GO-2024-0031, GO-2024-0032; no fixed version" },
	{ "deny: two entries, both excepted", VULN_DENY,
	  "GHSA-3333 GO-2024-0004", 0, "example.com/two", "v0.1.0", 0, NULL },
	{ "warn: served", VULN_WARN, "", 0, "example.com/v", "v1.0.0", 0,
	  NULL },
};

/* Write text to dir/rel. */
static void
vput(const char *dir, const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0)
		abort();
}

/* nftw callback: remove what it is given (depth first). */
static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

#define VENTRY(id, pub, mod, aliases, events) \
	"{\"id\":\"" id "\",\"published\":\"" pub "\",\"aliases\":[" \
	aliases "],\"affected\":[{\"package\":{\"name\":\"" mod "\"," \
	"\"ecosystem\":\"Go\"},\"ranges\":[{\"type\":\"SEMVER\"," \
	"\"events\":[" events "]}]}]}"

static void
test_vulnerable(void)
{
	char dir[] = "/tmp/test_policy.XXXXXX", sub[1100], young[2048];
	char now[64], name[256];
	struct vulnview vv;
	struct config cfg;
	struct policy p;
	struct err e;
	size_t i;
	int rc;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(sub, sizeof(sub), "%s/vulndb", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/vulndb/index", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/vulndb/ID", dir);
	mkdir(sub, 0755);
	vput(dir, "vulndb/index/db.json",
	    "{\"modified\":\"2024-05-01T00:00:00Z\"}");
	vput(dir, "vulndb/index/modules.json",
	    "[{\"path\":\"example.com/v\",\"vulns\":[{\"id\":\"GO-2024-0001\"}]},"
	    "{\"path\":\"example.com/young\",\"vulns\":[{\"id\":\"GO-2099-0002\"}]},"
	    "{\"path\":\"example.com/two\",\"vulns\":[{\"id\":\"GO-2024-0003\"},"
	    "{\"id\":\"GO-2024-0004\"}]},"
	    "{\"path\":\"example.com/fix2\",\"vulns\":[{\"id\":\"GO-2024-0021\"},"
	    "{\"id\":\"GO-2024-0022\"}]},"
	    "{\"path\":\"example.com/again\",\"vulns\":[{\"id\":\"GO-2024-0031\"},"
	    "{\"id\":\"GO-2024-0032\"}]},"
	    "{\"path\":\"example.com/many\",\"vulns\":["
	    "{\"id\":\"GO-2024-1001\"},{\"id\":\"GO-2024-1002\"},"
	    "{\"id\":\"GO-2024-1003\"},{\"id\":\"GO-2024-1004\"},"
	    "{\"id\":\"GO-2024-1005\"},{\"id\":\"GO-2024-1006\"},"
	    "{\"id\":\"GO-2024-1007\"},{\"id\":\"GO-2024-1008\"},"
	    "{\"id\":\"GO-2024-1009\"},{\"id\":\"GO-2024-1010-a-long-id-"
	    "to-be-cut-off-0123456789012\"},{\"id\":\"GO-2024-1011\"},"
	    "{\"id\":\"GO-2024-1012\"}]}]");
	vput(dir, "vulndb/ID/GO-2024-0021.json", VENTRY("GO-2024-0021",
	    "2024-01-01T00:00:00Z", "example.com/fix2", "",
	    "{\"introduced\":\"0\"},{\"fixed\":\"1.2.0\"}"));
	vput(dir, "vulndb/ID/GO-2024-0022.json", VENTRY("GO-2024-0022",
	    "2024-01-01T00:00:00Z", "example.com/fix2", "",
	    "{\"introduced\":\"0\"},{\"fixed\":\"1.3.0\"}"));
	vput(dir, "vulndb/ID/GO-2024-0031.json", VENTRY("GO-2024-0031",
	    "2024-01-01T00:00:00Z", "example.com/again", "",
	    "{\"introduced\":\"0\"},{\"fixed\":\"1.2.0\"}"));
	/* Its fix (x/vuln's: v1.3.0) is affected by its open range. */
	vput(dir, "vulndb/ID/GO-2024-0032.json", "{\"id\":\"GO-2024-0032\","
	    "\"published\":\"2024-01-01T00:00:00Z\",\"affected\":[{\"package\":"
	    "{\"name\":\"example.com/again\",\"ecosystem\":\"Go\"},\"ranges\":["
	    "{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},"
	    "{\"fixed\":\"1.3.0\"}]},{\"type\":\"SEMVER\",\"events\":["
	    "{\"introduced\":\"1.2.0\"}]}]}]}");
	{
		static const char *many[] = { "GO-2024-1001", "GO-2024-1002",
		    "GO-2024-1003", "GO-2024-1004", "GO-2024-1005",
		    "GO-2024-1006", "GO-2024-1007", "GO-2024-1008",
		    "GO-2024-1009", "GO-2024-1010-a-long-id-to-be-cut-off-"
		    "0123456789012", "GO-2024-1011", "GO-2024-1012" };
		char rel[128], ent[1024];

		for (i = 0; i < NITEMS(many); i++) {
			snprintf(rel, sizeof(rel), "vulndb/ID/%s.json", many[i]);
			snprintf(ent, sizeof(ent), VENTRY("%s",
			    "2024-01-01T00:00:00Z", "example.com/many",
			    "\"CVE-2024-10000%zu\",\"GHSA-aaaa-bbbb-%04zu\"",
			    "{\"introduced\":\"0\"},{\"fixed\":\"1.%zu.0\"}"),
			    many[i], i, i, i + 1);
			vput(dir, rel, ent);
		}
	}
	vput(dir, "vulndb/ID/GO-2024-0001.json", VENTRY("GO-2024-0001",
	    "2024-01-01T00:00:00Z", "example.com/v", "\"CVE-2024-1\"",
	    "{\"introduced\":\"0\"},{\"fixed\":\"1.2.0\"}"));
	rfc3339_format((int64_t)time(NULL) * 1000000000LL, now, sizeof(now));
	snprintf(young, sizeof(young), "{\"id\":\"GO-2099-0002\","
	    "\"published\":\"%s\",\"affected\":[{\"package\":{\"name\":"
	    "\"example.com/young\",\"ecosystem\":\"Go\"},\"ranges\":[{\"type\":"
	    "\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":"
	    "\"2.0.0\"}]}]}]}", now);
	vput(dir, "vulndb/ID/GO-2099-0002.json", young);
	vput(dir, "vulndb/ID/GO-2024-0003.json", VENTRY("GO-2024-0003",
	    "2024-01-01T00:00:00Z", "example.com/two",
	    "\"CVE-2024-3\",\"GHSA-3333\"", "{\"introduced\":\"0\"}"));
	vput(dir, "vulndb/ID/GO-2024-0004.json", VENTRY("GO-2024-0004",
	    "2024-01-01T00:00:00Z", "example.com/two", "",
	    "{\"introduced\":\"0.1.0\"},{\"fixed\":\"0.2.0\"}"));

	vulnview_init(&vv);
	for (i = 0; i < NITEMS(vcases); i++) {
		memset(&cfg, 0, sizeof(cfg));
		memset(&p, 0, sizeof(p));
		cfg.storage_root = dir;
		cfg.vulnerable = vcases[i].mode;
		cfg.vulnerable_allow = (char *)(uintptr_t)vcases[i].allow;
		cfg.vulnerable_min_age = vcases[i].min_age;
		p.cfg = &cfg;
		p.vuln = &vv;
		err_clear(&e);
		rc = policy_before_fetch(&p, NULL, vcases[i].module,
		    vcases[i].version, WANT_ZIP, &e);
		snprintf(name, sizeof(name), "vulnerable: %s: %s",
		    vcases[i].name, vcases[i].rc == 0 ? "allowed" : "refused");
		is_int(rc, vcases[i].rc, name);
		if (vcases[i].rc == -1) {
			snprintf(name, sizeof(name), "vulnerable: %s: 403",
			    vcases[i].name);
			is_int(e.code, E_FORBIDDEN, name);
			snprintf(name, sizeof(name), "vulnerable: %s: \"%s\"",
			    vcases[i].name, vcases[i].msg);
			if (!ok(strstr(e.msg, vcases[i].msg) != NULL, name))
				printf("#   got: %s\n", e.msg);
			/* The response names module@version before it. */
			snprintf(name, sizeof(name), "vulnerable: %s: the "
			    "reason does not name the version", vcases[i].name);
			ok(strstr(e.msg, vcases[i].version) == NULL ||
			    strstr(vcases[i].msg, vcases[i].version) != NULL,
			    name);
		}
		/* Its .info and .mod are served (the go command reads the
		 * go.mod of versions it does not select): 1, store no zip. */
		err_clear(&e);
		snprintf(name, sizeof(name), "vulnerable: %s: its .mod %s",
		    vcases[i].name, vcases[i].rc == 0 ? "allowed" :
		    "served, its zip not stored");
		is_int(policy_before_fetch(&p, NULL, vcases[i].module,
		    vcases[i].version, WANT_MOD, &e), vcases[i].rc == 0 ? 0 : 1,
		    name);
		snprintf(name, sizeof(name), "vulnerable: %s: its .info %s",
		    vcases[i].name, vcases[i].rc == 0 ? "allowed" :
		    "served, its zip not stored");
		is_int(policy_before_fetch(&p, NULL, vcases[i].module,
		    vcases[i].version, WANT_INFO, &e), vcases[i].rc == 0 ? 0 : 1,
		    name);
		/* A stored version: the same only with every_request. */
		err_clear(&e);
		snprintf(name, sizeof(name), "vulnerable: %s: on a hit, static "
		    "deployment: served", vcases[i].name);
		is_int(policy_on_hit(&p, NULL, vcases[i].module,
		    vcases[i].version, WANT_ZIP, &e), 0, name);
		cfg.every_request = 1;
		snprintf(name, sizeof(name), "vulnerable: %s: on a hit, every "
		    "request: as before a fetch", vcases[i].name);
		is_int(policy_on_hit(&p, NULL, vcases[i].module,
		    vcases[i].version, WANT_ZIP, &e), vcases[i].rc, name);
		snprintf(name, sizeof(name), "vulnerable: %s: on a hit, every "
		    "request: its .info and .mod served", vcases[i].name);
		ok(policy_on_hit(&p, NULL, vcases[i].module, vcases[i].version,
		    WANT_INFO, &e) == 0 && policy_on_hit(&p, NULL,
		    vcases[i].module, vcases[i].version, WANT_MOD, &e) == 0,
		    name);
	}
	/* Warn with every request: three hits of one stored version are
	 * counted three times, logged once. */
	{
		char lpath[1100], line[512];
		FILE *lf;
		int saved, fd, said = 0;

		memset(&cfg, 0, sizeof(cfg));
		cfg.storage_root = dir;
		cfg.vulnerable = VULN_WARN;
		cfg.vulnerable_allow = (char *)(uintptr_t)"";
		cfg.every_request = 1;
		p.cfg = &cfg;
		snprintf(lpath, sizeof(lpath), "%s/log", dir);
		fflush(stderr);
		if ((saved = dup(2)) == -1 || (fd = open(lpath, O_WRONLY |
		    O_CREAT | O_TRUNC, 0600)) == -1 || dup2(fd, 2) == -1)
			abort();
		close(fd);
		for (i = 0; i < 3; i++)
			(void)policy_on_hit(&p, NULL, "example.com/v",
			    "v1.0.5", WANT_ZIP, &e);
		fflush(stderr);
		if (dup2(saved, 2) == -1)
			abort();
		close(saved);
		if ((lf = fopen(lpath, "r")) == NULL)
			abort();
		while (fgets(line, sizeof(line), lf) != NULL)
			said += strstr(line, "example.com/v@v1.0.5 served") !=
			    NULL;
		fclose(lf);
		unlink(lpath);
		is_int(said, 1, "vulnerable: warn, three hits of one version: "
		    "logged once");
	}

	/* Twelve entries: the ids that fit, "and N more", one fix. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.storage_root = dir;
	cfg.vulnerable = VULN_DENY;
	cfg.vulnerable_allow = (char *)(uintptr_t)"";
	p.cfg = &cfg;
	err_clear(&e);
	is_int(policy_before_fetch(&p, NULL, "example.com/many", "v1.0.0",
	    WANT_ZIP, &e), -1, "vulnerable: twelve entries: refused");
	printf("#   %s\n", e.msg);
	ok(strlen(e.msg) < POLICY_VULN_MSG_MAX, "vulnerable: twelve entries: "
	    "under POLICY_VULN_MSG_MAX");
	{
		static const char tail[] = " more (see the log); fixed in "
		    "v1.12.0";
		size_t ml = strlen(e.msg), tl = strlen(tail);

		ok(strncmp(e.msg, "affected by GO-2024-1001, GO-2024-1002, ",
		    40) == 0 && strstr(e.msg, " and ") != NULL && ml > tl &&
		    strcmp(e.msg + ml - tl, tail) == 0, "vulnerable: twelve "
		    "entries: the ids, \"and N more (see the log)\", the fix "
		    "of them all");
	}
	ok(strstr(e.msg, "CVE-") == NULL && strstr(e.msg, "GHSA-") == NULL,
	    "vulnerable: twelve entries: no aliases (they are in the log)");
	ok(strstr(e.msg, "GO-2024-1010-a-long") == NULL ||
	    strstr(e.msg, "0123456789012,") != NULL ||
	    strstr(e.msg, "0123456789012 and") != NULL,
	    "vulnerable: twelve entries: no id cut mid-word");
	vulnview_free(&vv);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * private_access = vcs guards the modules fetched direct only as
 * private, from each source, in any case; not [sumdb] nosum or
 * GONOSUMDB alone.  An anonymous request is refused with 401 before git
 * could be run, so the decision shows which modules are guarded.
 */
static void
test_direct_private(void)
{
	static const struct {
		const char	*name;
		size_t		 off;		/* the config field set */
		const char	*module;
		int		 guarded;
	} dcases[] = {
		{ "[policy] private", offsetof(struct config, policy_private),
		  "example.com/m", 1 },
		{ "[upstream] goprivate", offsetof(struct config, goprivate),
		  "example.com/m/sub", 1 },
		{ "GOPRIVATE (env)", offsetof(struct config, env_goprivate),
		  "example.com/m", 1 },
		{ "GONOPROXY (env)", offsetof(struct config, env_noproxy),
		  "example.com/m", 1 },
		{ "[policy] private, mixed case",
		  offsetof(struct config, policy_private), "example.com/M", 1 },
		{ "GONOPROXY, mixed case", offsetof(struct config, env_noproxy),
		  "example.com/M/x", 1 },
		{ "[sumdb] nosum alone: public", offsetof(struct config,
		  sumdb_nosum), "example.com/m", 0 },
		{ "GONOSUMDB alone: public", offsetof(struct config,
		  env_nosumdb), "example.com/m", 0 },
		{ "[policy] private, another module",
		  offsetof(struct config, policy_private), "example.com/mm",
		  0 },
	};
	static char pats[] = "example.com/m";
	struct upstream_list up;
	struct mode_table modes;
	struct config cfg;
	struct policy p;
	struct decision d;
	struct want w;
	struct err e;
	char name[256];
	size_t i;

	memset(&modes, 0, sizeof(modes));
	err_clear(&e);
	if (upstream_parse("https://p.example", &up, &e) == -1)
		exit(99);
	for (i = 0; i < NITEMS(dcases); i++) {
		memset(&cfg, 0, sizeof(cfg));
		*(char **)(void *)((char *)&cfg + dcases[i].off) = pats;
		cfg.private_access = PRIVATE_ACCESS_VCS;
		cfg.private_access_ttl = 60;
		snprintf(name, sizeof(name), "direct private: %s: %s",
		    dcases[i].name, dcases[i].module);
		is_int(policy_direct_private(&cfg, dcases[i].module),
		    dcases[i].guarded, name);
		memset(&w, 0, sizeof(w));
		memset(&p, 0, sizeof(p));
		w.kind = WANT_LIST;
		w.module = dcases[i].module;
		w.emod = w.ever = w.canon = w.version = "";
		p.cfg = &cfg;
		p.modes = &modes;
		p.up = &up;
		policy_decide(&p, &w, &d);
		snprintf(name, sizeof(name), "vcs: %s: anonymous list %s",
		    dcases[i].name, dcases[i].guarded ? "refused, 401" :
		    "fetched");
		ok(dcases[i].guarded ? d.action == POLICY_REFUSE &&
		    d.why.code == E_UNAUTHORIZED : d.action == POLICY_FETCH,
		    name);
	}
	upstream_free(&up);
}

int
main(void)
{
	test_modes();
	test_flags();
	test_filter();
	test_on_hit();
	test_vulnerable();
	test_direct_private();
	return tap_done();
}

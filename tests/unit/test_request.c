/*
 * test_request.c: request parsing from raw URIs (protocol.md 1.2):
 * routes, base paths, percent-decoding once, "!" escapes, rejections.
 */
#include "config.h"

#include <string.h>

#include "http.h"
#include "tap.h"

static const struct {
	const char	*method;
	const char	*uri;
	const char	*base;
	int		 rc;		/* 0 or -1 */
	enum errc	 code;		/* when rc == -1 */
	enum route	 route;
	const char	*module;	/* unescaped, when parsed */
	const char	*emod;
	const char	*version;
	const char	*query;
} cases[] = {
	{ "GET", "/example.com/m/@v/list", "", 0, E_OK, ROUTE_LIST,
	    "example.com/m", "example.com/m", "", "" },
	{ "GET", "/github.com/%21azure/azure-sdk-for-go/@v/list", "", 0, E_OK,
	    ROUTE_LIST, "github.com/Azure/azure-sdk-for-go",
	    "github.com/!azure/azure-sdk-for-go", "", "" },
	{ "GET", "/github.com/!azure/azure-sdk-for-go/@v/list", "", 0, E_OK,
	    ROUTE_LIST, "github.com/Azure/azure-sdk-for-go",
	    "github.com/!azure/azure-sdk-for-go", "", "" },
	{ "HEAD", "/example.com/m/@v/v1.0.0-!r!c1.info", "", 0, E_OK,
	    ROUTE_INFO, "example.com/m", "example.com/m", "v1.0.0-RC1", "" },
	{ "GET", "/example.com/m/@v/v2.0.0+incompatible.zip", "", 0, E_OK,
	    ROUTE_ZIP, "example.com/m", "example.com/m",
	    "v2.0.0+incompatible", "" },
	{ "GET", "/example.com/m/@v/v2.0.0%2Bincompatible.mod", "", 0, E_OK,
	    ROUTE_MOD, "example.com/m", "example.com/m",
	    "v2.0.0+incompatible", "" },
	{ "GET", "/example.com/m/@latest", "", 0, E_OK, ROUTE_LATEST,
	    "example.com/m", "example.com/m", "", "" },
	{ "GET", "/go/example.com/m/@latest", "/go", 0, E_OK, ROUTE_LATEST,
	    "example.com/m", "example.com/m", "", "" },
	{ "GET", "/go", "/go", 0, E_OK, ROUTE_HOME, "", "", "", "" },
	{ "GET", "/go/", "/go", 0, E_OK, ROUTE_HOME, "", "", "", "" },
	{ "GET", "/gopher/x.y/@v/list", "/go", -1, E_NOTFOUND, ROUTE_NONE,
	    "", "", "", "" },
	{ "GET", "/example.com/m/@latest", "/go", -1, E_NOTFOUND, ROUTE_NONE,
	    "", "", "", "" },
	{ "GET", "/", "", 0, E_OK, ROUTE_HOME, "", "", "", "" },
	{ "GET", "/healthz", "", 0, E_OK, ROUTE_HEALTHZ, "", "", "", "" },
	{ "GET", "/readyz", "", 0, E_OK, ROUTE_READYZ, "", "", "", "" },
	{ "GET", "/version", "", 0, E_OK, ROUTE_VERSION, "", "", "", "" },
	{ "GET", "/catalog?pagesize=5&token=a", "", 0, E_OK, ROUTE_CATALOG,
	    "", "", "", "pagesize=5&token=a" },
	{ "GET", "/index?since=2020-01-01T00:00:00Z", "", 0, E_OK,
	    ROUTE_INDEX, "", "", "", "since=2020-01-01T00:00:00Z" },
	{ "GET", "/sumdb/sum.golang.org/supported", "", 0, E_OK, ROUTE_SUMDB,
	    "", "", "", "" },
	{ "POST", "/example.com/m/@v/list", "", 0, E_OK, ROUTE_LIST,
	    "example.com/m", "example.com/m", "", "" },
	/* Rejections. */
	{ "GET", "/github.com/Azure/x/@v/list", "", -1, E_NOTFOUND,
	    ROUTE_LIST, "", "", "", "" },
	{ "GET", "/github.com/!0zure/x/@v/list", "", -1, E_NOTFOUND,
	    ROUTE_LIST, "", "", "", "" },
	{ "GET", "/x.y/z!/@v/list", "", -1, E_NOTFOUND, ROUTE_LIST, "", "",
	    "", "" },
	{ "GET", "/x.y/z/v1/@v/list", "", -1, E_NOTFOUND, ROUTE_LIST, "", "",
	    "", "" },
	{ "GET", "/X.y/z/@v/list", "", -1, E_NOTFOUND, ROUTE_LIST, "", "",
	    "", "" },
	{ "GET", "/x.y/aux/@v/list", "", -1, E_NOTFOUND, ROUTE_LIST, "", "",
	    "", "" },
	{ "GET", "/x.y/z/@v/list/", "", -1, E_NOTFOUND, ROUTE_NONE, "", "",
	    "", "" },
	{ "GET", "/x.y/z/@v/v1.0.0.tar", "", -1, E_NOTFOUND, ROUTE_NONE, "",
	    "", "", "" },
	{ "GET", "/x.y/z/@v/.info", "", -1, E_NOTFOUND, ROUTE_INFO, "", "",
	    "", "" },
	{ "GET", "/x.y/z/@v/a%2fb.info", "", -1, E_NOTFOUND, ROUTE_INFO,
	    "", "", "", "" },
	{ "GET", "/x.y/z/@v/v1.0.0!.info", "", -1, E_NOTFOUND, ROUTE_INFO,
	    "x.y/z", "x.y/z", "", "" },
	{ "GET", "/x.y/z/@v/%00.info", "", -1, E_BADREQ, ROUTE_NONE, "", "",
	    "", "" },
	{ "GET", "/x.y/z/@v/%0a.info", "", -1, E_BADREQ, ROUTE_NONE, "", "",
	    "", "" },
	{ "GET", "/x.y/z/@v/%g0.info", "", -1, E_BADREQ, ROUTE_NONE, "", "",
	    "", "" },
	{ "GET", "/x.y/z/@v/%2.info", "", -1, E_BADREQ, ROUTE_NONE, "", "",
	    "", "" },
	{ "GET", "/x.y/z/@v/v1.0.0.info%", "", -1, E_BADREQ, ROUTE_NONE, "",
	    "", "", "" },
	{ "GET", "/../etc/@v/list", "", -1, E_NOTFOUND, ROUTE_LIST, "", "",
	    "", "" },
	{ "GET", "/x.y/%2e%2e/@v/list", "", -1, E_NOTFOUND, ROUTE_LIST, "",
	    "", "", "" },
	{ "GET", "/.tmp/@v/v1.0.0.zip", "", -1, E_NOTFOUND, ROUTE_ZIP, "",
	    "", "", "" },
	{ "GET", "/@v/list", "", -1, E_NOTFOUND, ROUTE_NONE, "", "", "", "" },
	{ "GET", "example.com/m/@v/list", "", -1, E_BADREQ, ROUTE_NONE, "",
	    "", "", "" },
	{ "GET", NULL, "", -1, E_BADREQ, ROUTE_NONE, "", "", "", "" },
	{ "GET", "/x.y/z/@v/v1.0.0.info%00", "", -1, E_BADREQ, ROUTE_NONE,
	    "", "", "", "" },
	{ "GET", "/x.y/z/@v/\xc3\xa9.info", "", -1, E_NOTFOUND, ROUTE_INFO,
	    "x.y/z", "x.y/z", "", "" },
};

static void
test_cases(void)
{
	struct request r;
	struct err e;
	char name[512];
	size_t i;
	int rc;

	for (i = 0; i < NITEMS(cases); i++) {
		err_clear(&e);
		rc = request_parse_uri(&r, cases[i].method, cases[i].uri,
		    cases[i].base, &e);
		snprintf(name, sizeof(name), "%s %s (base '%s')",
		    cases[i].method, cases[i].uri ? cases[i].uri : "(null)",
		    cases[i].base);
		is_int(rc, cases[i].rc, name);
		if (rc == -1) {
			is_str(err_name(e.code), err_name(cases[i].code), name);
			ok(e.msg[0] != '\0', "error has a message");
			if (cases[i].module[0] != '\0')
				is_str(r.module, cases[i].module,
				    "error still names the module");
			else
				is_str(r.module, "", "no module when invalid");
			continue;
		}
		is_int(r.route, cases[i].route, name);
		is_str(r.module, cases[i].module, name);
		is_str(r.emod, cases[i].emod, name);
		is_str(r.version, cases[i].version, name);
		is_str(r.query, cases[i].query, name);
	}
}

static void
test_methods(void)
{
	struct request r;
	struct err e;

	err_clear(&e);
	request_parse_uri(&r, "HEAD", "/", "", &e);
	is_int(r.method, METHOD_HEAD, "HEAD");
	request_parse_uri(&r, "GET", "/", "", &e);
	is_int(r.method, METHOD_GET, "GET");
	request_parse_uri(&r, "DELETE", "/", "", &e);
	is_int(r.method, METHOD_OTHER, "DELETE");
}

static void
test_query(void)
{
	static const struct {
		const char	*q, *key;
		int		 rc;
		const char	*value;
	} qs[] = {
		{ "a=1&b=2", "b", 1, "2" },
		{ "a=1&b=2", "a", 1, "1" },
		{ "ab=1&b=2", "b", 1, "2" },
		{ "a=1", "b", 0, "" },
		{ "", "a", 0, "" },
		{ "token=x%2Fy%40v1", "token", 1, "x/y@v1" },
		{ "token=a+b", "token", 1, "a+b" },
		{ "token=%zz", "token", -1, "" },
		{ "token=%00", "token", -1, "" },
		{ "token", "token", 1, "" },
	};
	char out[64];
	size_t i;
	int rc;

	for (i = 0; i < NITEMS(qs); i++) {
		out[0] = '\0';
		rc = request_query_get(qs[i].q, qs[i].key, out, sizeof(out));
		is_int(rc, qs[i].rc, qs[i].q);
		if (rc == 1)
			is_str(out, qs[i].value, qs[i].q);
	}
	ok(request_query_get("k=0123456789", "k", out, 5) == -1,
	    "a value over the buffer is refused, not cut");
}

static void
test_long_uri(void)
{
	static char uri[URI_MAX + 10];
	struct request r;
	struct err e;

	memset(uri, 'a', sizeof(uri) - 1);
	uri[0] = '/';
	uri[sizeof(uri) - 1] = '\0';
	err_clear(&e);
	is_int(request_parse_uri(&r, "GET", uri, "", &e), -1, "URI over cap");
	is_str(err_name(e.code), err_name(E_BADREQ), "URI over cap is 400");
}

/*
 * A module path element or a version (with ".info") longer than a file
 * name may be is "not found" at parse time (storage would answer
 * ENAMETOOLONG, which was a 503); 255 bytes still parse.
 */
static void
test_long_names(void)
{
	static const struct {
		const char	*pre;	/* then a run of n "a", then post */
		size_t		 n;
		const char	*post;
		int		 rc;
	} c[] = {
		{ "/example.com/", 255, "/@v/list", 0 },
		{ "/example.com/", 256, "/@v/list", -1 },
		{ "/", 256, ".com/m/@latest", -1 },
		{ "/example.com/m/", 300, "/@v/v1.0.0.zip", -1 },
		{ "/example.com/m/@v/v1.0.0-", 243, ".info", 0 },
		{ "/example.com/m/@v/v1.0.0-", 244, ".zip", -1 },
		{ "/example.com/m/@v/v1.0.0-", 248, ".mod", -1 },
	};
	char run[400], uri[600], name[80];
	struct request r;
	struct err e;
	size_t i;

	for (i = 0; i < NITEMS(c); i++) {
		memset(run, 'a', c[i].n);
		run[c[i].n] = '\0';
		snprintf(uri, sizeof(uri), "%s%s%s", c[i].pre, run, c[i].post);
		err_clear(&e);
		snprintf(name, sizeof(name), "%s...%s with %zu bytes: %s",
		    c[i].pre, c[i].post, c[i].n, c[i].rc == 0 ? "parsed" : "not found");
		is_int(request_parse_uri(&r, "GET", uri, "", &e), c[i].rc,
		    name);
		if (c[i].rc == -1)
			is_str(err_name(e.code), err_name(E_NOTFOUND), name);
	}
}

/* upstream_path_escape: what the go command's url.PathEscape gives. */
static void
test_pct_encode(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} c[] = {
		{ "v1.2.3+meta", "v1.2.3+meta" },
		{ "!main", "%21main" },
		{ "a,b;c", "a%2Cb%3Bc" },
		{ "a:b$c&d=e@f", "a:b$c&d=e@f" },
		{ "a'b(c)*", "a%27b%28c%29%2A" },
		{ "a#b", "a%23b" },
		{ "a%b", "a%25b" },
		{ "a b", "a%20b" },
		{ "a?b/c", "a%3Fb%2Fc" },
		{ "\xc3\xa9", "%C3%A9" },
		{ "", "" },
	};
	char out[32], dec[32];
	size_t i;

	for (i = 0; i < NITEMS(c); i++) {
		is_int(upstream_path_escape(c[i].in, out, sizeof(out)), 0,
		    c[i].in);
		is_str(out, c[i].want, c[i].want);
		/* Decoding gives the input back. */
		is_int(request_pct_decode(out, strlen(out), dec, sizeof(dec)), 0,
		    "decodes");
		is_str(dec, c[i].in, "round trip");
	}
	is_int(upstream_path_escape("abc", out, 3), -1, "too small: -1");
	is_int(upstream_path_escape("#", out, 3), -1, "escape too small: -1");
	is_int(upstream_path_escape("#", out, 4), 0, "escape fits");
}

/* Queries in .info requests: parsed; the hostile ones refused. */
static void
test_info_queries(void)
{
	static const struct {
		const char	*uri;
		int		 rc;
		const char	*version;
	} c[] = {
		{ "/github.com/x/y/@v/v2.0.0.info", 0, "v2.0.0" },
		{ "/github.com/x/y/@v/v1.2.info", 0, "v1.2" },
		{ "/github.com/x/y/@v/main.info", 0, "main" },
		{ "/github.com/x/y/@v/a%23b.info", 0, "a#b" },
		{ "/github.com/x/y/@v/..info", -1, NULL },
		{ "/github.com/x/y/@v/.info", -1, NULL },
		{ "/github.com/x/y/@v/a%2fb.info", -1, NULL },
		{ "/github.com/x/y/@v/%2e%2e.info", -1, NULL },
		{ "/github.com/x/y/@v/a%01b.info", -1, NULL },
	};
	struct request r;
	struct err e;
	size_t i;

	for (i = 0; i < NITEMS(c); i++) {
		err_clear(&e);
		is_int(request_parse_uri(&r, "GET", c[i].uri, "", &e), c[i].rc,
		    c[i].uri);
		if (c[i].version != NULL)
			is_str(r.version, c[i].version, "the query");
	}
}

int
main(void)
{
	test_pct_encode();
	test_info_queries();
	test_cases();
	test_methods();
	test_query();
	test_long_uri();
	test_long_names();
	return tap_done();
}

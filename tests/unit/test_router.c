/*
 * test_router.c: the router's table (router.c), end to end through
 * router_handle on a real storage tree and index made here: every route
 * reaches its endpoint (told apart by status, Content-Type and body),
 * HEAD answers the same headers without a body, other methods get 405,
 * and hostile or unknown paths get the error code of their class.
 * network_mode is offline, so nothing here can reach a network.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"

#define PATH_CAP	PATH_MAX
#include "testfile.h"
#include "testhttp.h"
#include "testproxy.h"

/* The request's CGI variables. */
struct env {
	const char	*method;
	const char	*uri;
};

static const char *
env_get(void *ctx, const char *name)
{
	const struct env *v = ctx;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return v->method;
	if (strcmp(name, "REQUEST_URI") == 0)
		return v->uri;
	if (strcmp(name, "HTTP_HOST") == 0)
		return "proxy.test";
	return NULL;
}

/* The files of the one stored version. */
static const char info_text[] =
    "{\"Version\":\"v1.0.0\",\"Time\":\"2024-01-02T03:04:05Z\"}";
static const char mod_text[] = "module example.com/m\n";
static const char zip_text[] = "PK\x05\x06 not really a zip, served as is";

/*
 * One request: method, URI, then what must come back.  body is the whole
 * body expected ("" for none), or a part of it when contains is set;
 * NULL skips the body check.
 */
static const struct {
	const char	*method;
	const char	*uri;
	int		 status;
	const char	*ctype;		/* NULL: not checked */
	const char	*body;
	int		 contains;
	const char	*allow;		/* the Allow header, "" for none */
} cases[] = {
	/* Every route to its endpoint. */
	{ "GET", "/", 200, "text/html; charset=utf-8",
	  "export GOPROXY=http://proxy.test", 1, "" },
	{ "GET", "/healthz", 200, "text/plain; charset=utf-8", "ok\n", 0, "" },
	{ "GET", "/readyz", 200, "text/plain; charset=utf-8", "ready\n", 0,
	  "" },
	{ "GET", "/version", 200, "application/json", "{\"version\":\"", 1,
	  "" },
	{ "GET", "/catalog", 200, "application/json; charset=utf-8",
	  "\"example.com/m\"", 1, "" },
	{ "GET", "/index", 200, "application/x-ndjson; charset=utf-8",
	  "\"Path\":\"example.com/m\"", 1, "" },
	{ "GET", "/example.com/m/@v/list", 200, "text/plain; charset=utf-8",
	  "v1.0.0\n", 0, "" },
	{ "GET", "/example.com/m/@v/v1.0.0.info", 200, "application/json",
	  info_text, 0, "" },
	{ "GET", "/example.com/m/@v/v1.0.0.mod", 200, NULL, mod_text, 0, "" },
	{ "GET", "/example.com/m/@v/v1.0.0.zip", 200, "application/zip",
	  zip_text, 0, "" },
	{ "GET", "/example.com/m/@latest", 200, "application/json",
	  info_text, 0, "" },
	{ "GET", "/sumdb/sum.golang.org/supported", 200,
	  "text/plain; charset=UTF-8", "", 0, "" },
	/* HEAD: the same answer without a body. */
	{ "HEAD", "/healthz", 200, "text/plain; charset=utf-8", "", 0, "" },
	{ "HEAD", "/example.com/m/@v/list", 200, "text/plain; charset=utf-8",
	  "", 0, "" },
	{ "HEAD", "/example.com/m/@v/v1.0.0.zip", 200, "application/zip", "",
	  0, "" },
	{ "HEAD", "/example.com/m/@latest", 200, "application/json", "", 0,
	  "" },
	{ "HEAD", "/nope.example/m/@v/list", 404, NULL, "", 0, "" },
	/* Other methods on known routes: 405 with Allow. */
	{ "POST", "/example.com/m/@v/list", 405, NULL, NULL, 0, "GET, HEAD" },
	{ "PUT", "/example.com/m/@v/v1.0.0.zip", 405, NULL, NULL, 0,
	  "GET, HEAD" },
	{ "DELETE", "/healthz", 405, NULL, NULL, 0, "GET, HEAD" },
	{ "get", "/healthz", 405, NULL, NULL, 0, "GET, HEAD" },
	{ NULL, "/healthz", 405, NULL, NULL, 0, "GET, HEAD" },
	/* An unknown path is 404 whatever the method. */
	{ "POST", "/favicon.ico", 404, NULL, NULL, 0, "" },
	/* Misses (offline: storage only) and unknown paths. */
	{ "GET", "/example.com/m/@v/v9.9.9.info", 404, NULL, NULL, 0, "" },
	{ "GET", "/nope.example/m/@latest", 404, NULL, NULL, 0, "" },
	{ "GET", "/favicon.ico", 404, NULL, NULL, 0, "" },
	{ "GET", "/healthz/", 404, NULL, NULL, 0, "" },
	{ "GET", "/example.com/m/@v/v1.0.0.tar", 404, NULL, NULL, 0, "" },
	{ "GET", "/example.com/m/@v/", 404, NULL, NULL, 0, "" },
	{ "GET", "/example.com/m/@x", 404, NULL, NULL, 0, "" },
	{ "GET", "/sumdb/nope.example/supported", 404, NULL, NULL, 0, "" },
	{ "GET", "/sumdb/sum.golang.org/nope", 404, NULL, NULL, 0, "" },
	{ "GET", "/sumdb/sum.golang.org/lookup/nope", 400, NULL, NULL, 0, "" },
	/* Hostile paths. */
	{ "GET", "/../../etc/passwd", 404, NULL, NULL, 0, "" },
	{ "GET", "/example.com/../../@v/list", 404, NULL, NULL, 0, "" },
	{ "GET", "/example.com/%2e%2e/@v/list", 404, NULL, NULL, 0, "" },
	{ "GET", "/example.com/m/@v/..%2f..%2fx.info", 404, NULL, NULL, 0,
	  "" },
	{ "GET", "/example.com/m/@v/..%2Finfo.zip", 404, NULL, NULL, 0, "" },
	{ "GET", "/example.com/m/@v/v1.0.0%2f.mod", 404, NULL, NULL, 0, "" },
	{ "GET", "/Example.com/m/@v/list", 404, NULL, NULL, 0, "" },
	{ "GET", "/example.com/m/@v/v1.0.0-R.info", 404, NULL, NULL, 0, "" },
	{ "GET", "/example.com/%zz/@v/list", 400, NULL, NULL, 0, "" },
	{ "GET", "/example.com/m/@v/v1.0.0.info%", 400, NULL, NULL, 0, "" },
	{ "GET", "/example.com/m%00/@v/list", 400, NULL, NULL, 0, "" },
	{ "GET", "/example.com/m%0a/@v/list", 400, NULL, NULL, 0, "" },
	{ "GET", "/example.com/m%7f/@v/list", 400, NULL, NULL, 0, "" },
	{ "GET", "example.com/m/@v/list", 400, NULL, NULL, 0, "" },
	{ "GET", "", 400, NULL, NULL, 0, "" },
	{ "GET", NULL, 400, NULL, NULL, 0, "" },
};

/* Build the tree, the index and the config; 0 or -1. */
static int
setup(const char *dir, struct proxy *px)
{
	char path[PATH_MAX];
	struct err e;

	path_join(path, dir, "store");
	if (mkdir(path, 0755) == -1)
		return -1;
	path_join(path, dir, "store/example.com");
	if (mkdir(path, 0755) == -1)
		return -1;
	path_join(path, dir, "store/example.com/m");
	if (mkdir(path, 0755) == -1)
		return -1;
	path_join(path, dir, "store/example.com/m/@v");
	if (mkdir(path, 0755) == -1)
		return -1;
	path_join(path, dir, "store/example.com/m/@v/v1.0.0.info");
	if (write_file(path, info_text, strlen(info_text)) == -1)
		return -1;
	path_join(path, dir, "store/example.com/m/@v/v1.0.0.mod");
	if (write_file(path, mod_text, strlen(mod_text)) == -1)
		return -1;
	path_join(path, dir, "store/example.com/m/@v/v1.0.0.zip");
	if (write_file(path, zip_text, sizeof(zip_text) - 1) == -1)
		return -1;
	if (testproxy_open(px, dir, "[upstream]\nnetwork_mode = offline\n") ==
	    -1)
		return -1;
	/* The index rows for catalog and index (the zip is not a zip, so
	 * the row is made by hand from what is stored). */
	{
		struct index_version iv;

		memset(&iv, 0, sizeof(iv));
		snprintf(iv.module, sizeof(iv.module), "example.com/m");
		snprintf(iv.version, sizeof(iv.version), "v1.0.0");
		iv.stored = 1700000000LL * 1000000000LL;
		iv.zip_size = (int64_t)sizeof(zip_text) - 1;
		iv.has_info = iv.has_zip = 1;
		snprintf(iv.origin, sizeof(iv.origin), "test");
		if (index_put(px->idx, &iv, &e) == -1) {
			printf("# index_put: %s\n", e.msg);
			return -1;
		}
	}
	return 0;
}

int
main(void)
{
	char tmpl[] = "/tmp/test_router.XXXXXX", name[512], rm[PATH_MAX + 16];
	char *longuri;
	struct proxy px;
	struct io io;
	struct env v;
	const char *b;
	size_t i, len;
	int status;

	if (mkdtemp(tmpl) == NULL || setup(tmpl, &px) == -1)
		return 99;
	io.getenv = env_get;
	io.write = capture;
	io.ctx = &v;
	for (i = 0; i < NITEMS(cases); i++) {
		v.method = cases[i].method;
		v.uri = cases[i].uri;
		outlen = 0;
		out[0] = '\0';
		router_handle(&px, &io);
		snprintf(name, sizeof(name), "%s %s", cases[i].method ?
		    cases[i].method : "(none)", cases[i].uri ? cases[i].uri :
		    "(none)");
		status = 0;
		if (strncmp(out, "Status: ", 8) == 0)
			status = (int)strtol(out + 8, NULL, 10);
		is_int(status, cases[i].status, name);
		if (cases[i].ctype != NULL)
			is_str(header("Content-Type"), cases[i].ctype,
			    "  Content-Type");
		is_str(header("Allow"), cases[i].allow, "  Allow");
		b = body(&len);
		if (cases[i].body == NULL)
			continue;
		if (cases[i].contains) {
			if (!ok(len > 0 && strstr(b, cases[i].body) != NULL,
			    "  body holds the endpoint's mark"))
				printf("#   body: '%.*s'\n", (int)len, b);
		} else {
			is_int(len, strlen(cases[i].body), "  body length");
			ok(len == strlen(cases[i].body) &&
			    memcmp(b, cases[i].body, len) == 0, "  body bytes");
		}
	}

	/* Overlong: a URI beyond URI_MAX is 400, a module path beyond
	 * MODPATH_MAX (in a URI that fits) 404. */
	longuri = xmalloc(URI_MAX + 16);
	memset(longuri, 'a', URI_MAX + 15);
	longuri[0] = '/';
	longuri[URI_MAX + 15] = '\0';
	v.method = "GET";
	v.uri = longuri;
	outlen = 0;
	router_handle(&px, &io);
	is_int(strncmp(out, "Status: 400 ", 12), 0, "URI longer than URI_MAX");
	snprintf(longuri, URI_MAX, "/example.com/%0*d/@v/list",
	    MODPATH_MAX + 10, 0);
	outlen = 0;
	router_handle(&px, &io);
	is_int(strncmp(out, "Status: 404 ", 12), 0,
	    "module path longer than MODPATH_MAX");
	free(longuri);

	/* /status prints what upstream and clients chose (a module, an
	 * upstream's URL, a failure's reason) escaped: no markup of theirs
	 * reaches the page. */
	metrics_fetch("http://up/<script>alert(1)</script>", "example.com/m",
	    "v1.0.0", METRICS_FAILED, 5000, "bad \"quote\" & 'tick' <b>\x01");
	v.method = "GET";
	v.uri = "/status";
	outlen = 0;
	router_handle(&px, &io);
	b = body(&len);
	is_int(strncmp(out, "Status: 200 ", 12), 0, "/status: 200");
	ok(strstr(b, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL,
	    "/status: an upstream's markup escaped");
	ok(strstr(b, "bad &quot;quote&quot; &amp; &#39;tick&#39; &lt;b&gt;?")
	    != NULL, "/status: a reason's quotes, ampersand, control escaped");
	ok(strstr(b, "<script") == NULL && strstr(b, "<b>\x01") == NULL,
	    "/status: no hostile tag as it was");
	is_str(header("Cache-Control"), "no-store", "/status: no-store");
	v.uri = "/metrics";
	outlen = 0;
	router_handle(&px, &io);
	b = body(&len);
	is_str(header("Content-Type"), "text/plain; version=0.0.4; "
	    "charset=utf-8", "/metrics: the exposition's type");
	ok(strstr(b, "upstream=\"http://up/<script>alert(1)</script>\","
	    "result=\"failed\"} 1\n") != NULL, "/metrics: the failed fetch");
	ok(strstr(b, "piraeus_storage_versions 1\n") != NULL,
	    "/metrics: the index's one version");

	proxy_close(&px);
	config_free(&px.cfg);
	snprintf(rm, sizeof(rm), "rm -rf '%s'", tmpl);
	if (system(rm) != 0)
		printf("# could not remove %s\n", tmpl);
	return tap_done();
}

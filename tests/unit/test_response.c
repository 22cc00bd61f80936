/*
 * test_response.c: response_error, the one map from an error to an HTTP
 * answer: every error code's status line, Cache-Control, Allow header and
 * body, for each shape of request the body can name.  And the hand-off
 * of a stored file to the web server (X-Sendfile, X-Accel-Redirect): a
 * header naming it, no body, the file never read, only below the storage
 * root.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http.h"
#include "tap.h"
#include "testhttp.h"

static const struct {
	enum errc	 code;
	const char	*status;	/* the Status line's value */
	const char	*cache;		/* NF: the config's not-found value */
	int		 allow;		/* "Allow: GET, HEAD" present */
	const char	*list;		/* body for .../@v/list */
	const char	*latest;	/* body for .../@latest */
	const char	*info;		/* body for .../@v/v1.0.0.info */
	const char	*bare;		/* body naming no module */
} rows[] = {
#define NF	"public, max-age=42"
	{ E_OK, "200 OK", "no-store", 0,
	  "ok: example.com/m: why", "ok: example.com/m@latest: why",
	  "ok: example.com/m@v1.0.0: why", "ok: why" },
	{ E_BADREQ, "400 Bad Request", "no-store", 0,
	  "bad request: example.com/m: why",
	  "bad request: example.com/m@latest: why",
	  "bad request: example.com/m@v1.0.0: why", "bad request: why" },
	{ E_NOTFOUND, "404 Not Found", NF, 0,
	  "not found: example.com/m: why",
	  "not found: example.com/m@latest: why",
	  "not found: example.com/m@v1.0.0: why", "not found: why" },
	{ E_GONE, "410 Gone", NF, 0,
	  "not found: example.com/m: why",
	  "not found: example.com/m@latest: why",
	  "not found: example.com/m@v1.0.0: why", "not found: why" },
	{ E_FORBIDDEN, "403 Forbidden", "no-store", 0,
	  "forbidden: example.com/m: why",
	  "forbidden: example.com/m@latest: why",
	  "forbidden: example.com/m@v1.0.0: why", "forbidden: why" },
	{ E_METHOD, "405 Method Not Allowed", "no-store", 1,
	  "method not allowed: example.com/m: why",
	  "method not allowed: example.com/m@latest: why",
	  "method not allowed: example.com/m@v1.0.0: why",
	  "method not allowed: why" },
	{ E_TOOBIG, "413 Content Too Large", "no-store", 0,
	  "too large: example.com/m: why",
	  "too large: example.com/m@latest: why",
	  "too large: example.com/m@v1.0.0: why", "too large: why" },
	/* 5xx: never the module; the reason only where it helps. */
	{ E_UPSTREAM, "502 Bad Gateway", "no-store", 0,
	  "bad gateway: why", "bad gateway: why", "bad gateway: why",
	  "bad gateway: why" },
	{ E_TIMEOUT, "504 Gateway Timeout", "no-store", 0,
	  "gateway timeout: why", "gateway timeout: why",
	  "gateway timeout: why", "gateway timeout: why" },
	{ E_UNAVAIL, "503 Service Unavailable", "no-store", 0,
	  "service unavailable: why", "service unavailable: why",
	  "service unavailable: why", "service unavailable: why" },
	{ E_CONFIG, "500 Internal Server Error", "no-store", 0,
	  "internal error", "internal error", "internal error",
	  "internal error" },
	{ E_INTERNAL, "500 Internal Server Error", "no-store", 0,
	  "internal error", "internal error", "internal error",
	  "internal error" },
	/* A code the table does not know is an internal error. */
	{ (enum errc)99, "500 Internal Server Error", "no-store", 0,
	  "internal error", "internal error", "internal error",
	  "internal error" },
#undef NF
};

/* The body's first line, without its newline. */
static const char *
body_line(void)
{
	static char v[1024];
	const char *p = strstr(out, "\r\n\r\n");

	v[0] = '\0';
	if (p != NULL)
		snprintf(v, sizeof(v), "%.*s", (int)strcspn(p + 4, "\n"),
		    p + 4);
	return v;
}

/* Answer an error with code for a request of that shape, into out. */
static void
answer(struct config *cfg, enum route route, const char *module,
    const char *version, enum errc code)
{
	struct io io = { NULL, capture, NULL };
	struct response rs;
	struct request r;
	struct err e;

	memset(&r, 0, sizeof(r));
	r.method = METHOD_GET;
	r.route = route;
	snprintf(r.uri, sizeof(r.uri), "/test");
	snprintf(r.module, sizeof(r.module), "%s", module);
	snprintf(r.version, sizeof(r.version), "%s", version);
	err_clear(&e);
	e.code = code;
	snprintf(e.msg, sizeof(e.msg), "why");
	outlen = 0;
	out[0] = '\0';
	response_init(&rs, &io, 0, cfg);
	response_error(&rs, &r, &e);
	response_free(&rs);
}

/*
 * response_file of path under sendfile mode, GET or HEAD, into out; its
 * return value.  The descriptor is -1: a read would fail, so an answer
 * proves the file was not read.
 */
static int
handoff(struct config *cfg, const struct store *s, const char *path,
    int head)
{
	struct io io = { NULL, capture, NULL };
	struct response rs;
	struct stat st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.st_size = 1000;
	outlen = 0;
	out[0] = '\0';
	response_init(&rs, &io, head, cfg);
	rc = response_file(&rs, s, path, -1, &st, "application/zip",
	    CACHE_IMMUTABLE);
	response_free(&rs);
	return rc;
}

/* The hand-off of stored files to the web server. */
static void
test_handoff(void)
{
	static const struct config zero;
	static const char *const outside[] = {
		"/srv/go/.tmp/piraeus.x", "/srv/go/../etc/passwd",
		"/srv/gox/example.com/m/@v/v1.0.0.zip", "/etc/passwd",
		"/srv/go/example.com/./m/@v/v1.0.0.zip", "/srv/go",
	};
	static char root[] = "/srv/go", tmp[] = "/srv/go/.tmp", pfx[] = "/_st";
	struct config cfg = zero;
	struct store s = { root, tmp };
	const char *zip = "/srv/go/example.com/!m/@v/v1.0.0.zip";
	char name[128];
	size_t i, len;
	int head;

	cfg.sendfile = SENDFILE_X_SENDFILE;
	for (head = 0; head <= 1; head++) {
		is_int(handoff(&cfg, &s, zip, head), 0, head ?
		    "x-sendfile HEAD: handed off, not read" :
		    "x-sendfile GET: handed off, not read");
		is_str(header("Status"), "200 OK", "x-sendfile: 200");
		is_str(header("X-Sendfile"), zip, "x-sendfile: the path");
		is_str(header("Content-Type"), "application/zip",
		    "x-sendfile: the responder's Content-Type");
		is_str(header("Cache-Control"), CACHE_IMMUTABLE,
		    "x-sendfile: the responder's Cache-Control");
		is_str(header("Content-Length"), "",
		    "x-sendfile: no length (the server's)");
		body(&len);
		is_int(len, 0, "x-sendfile: no body");
	}
	cfg.sendfile = SENDFILE_X_ACCEL;
	cfg.accel_prefix = pfx;
	for (head = 0; head <= 1; head++) {
		is_int(handoff(&cfg, &s, zip, head), 0, head ?
		    "x-accel-redirect HEAD: handed off, not read" :
		    "x-accel-redirect GET: handed off, not read");
		is_str(header("X-Accel-Redirect"),
		    "/_st/example.com/!m/@v/v1.0.0.zip",
		    "x-accel-redirect: the prefix and the path below the root");
		body(&len);
		is_int(len, 0, "x-accel-redirect: no body");
	}
	for (i = 0; i < NITEMS(outside); i++) {
		cfg.sendfile = i % 2 ? SENDFILE_X_ACCEL : SENDFILE_X_SENDFILE;
		snprintf(name, sizeof(name), "%s: never handed off",
		    outside[i]);
		is_int(handoff(&cfg, &s, outside[i], 0), -1, name);
		is_int(outlen, 0, "and nothing written");
	}
	/* Without a store (a temporary file) the bytes are streamed. */
	cfg.sendfile = SENDFILE_X_SENDFILE;
	is_int(handoff(&cfg, NULL, zip, 0), -1,
	    "no store: streamed (from fd -1: fails), never handed off");
	is_str(header("X-Sendfile"), "", "no store: no X-Sendfile");
}

int
main(void)
{
	static const struct config zero;
	struct config cfg = zero;
	char name[128];
	const char *code;
	size_t i;

	snprintf(cfg.cache_notfound, sizeof(cfg.cache_notfound),
	    "public, max-age=42");
	for (i = 0; i < NITEMS(rows); i++) {
		code = err_name(rows[i].code);
		answer(&cfg, ROUTE_LIST, "example.com/m", "", rows[i].code);
		snprintf(name, sizeof(name), "%s: status", code);
		is_str(header("Status"), rows[i].status, name);
		snprintf(name, sizeof(name), "%s: Cache-Control", code);
		is_str(header("Cache-Control"), rows[i].cache, name);
		snprintf(name, sizeof(name), "%s: Allow", code);
		is_str(header("Allow"), rows[i].allow ? "GET, HEAD" : "", name);
		snprintf(name, sizeof(name), "%s: content type", code);
		is_str(header("Content-Type"), "text/plain; charset=utf-8",
		    name);
		snprintf(name, sizeof(name), "%s: list body", code);
		is_str(body_line(), rows[i].list, name);
		answer(&cfg, ROUTE_LATEST, "example.com/m", "", rows[i].code);
		snprintf(name, sizeof(name), "%s: latest body", code);
		is_str(body_line(), rows[i].latest, name);
		answer(&cfg, ROUTE_INFO, "example.com/m", "v1.0.0",
		    rows[i].code);
		snprintf(name, sizeof(name), "%s: info body", code);
		is_str(body_line(), rows[i].info, name);
		answer(&cfg, ROUTE_HEALTHZ, "", "", rows[i].code);
		snprintf(name, sizeof(name), "%s: bare body", code);
		is_str(body_line(), rows[i].bare, name);
		/* Without a config a not-found answer is not cached. */
		answer(NULL, ROUTE_LIST, "example.com/m", "", rows[i].code);
		snprintf(name, sizeof(name), "%s: no config: Cache-Control",
		    code);
		is_str(header("Cache-Control"), "no-store", name);
	}

	/* Once headers are out, an error writes nothing more. */
	{
		struct io io = { NULL, capture, NULL };
		struct response rs;
		struct request r;
		struct err e;
		size_t before;

		memset(&r, 0, sizeof(r));
		outlen = 0;
		response_init(&rs, &io, 0, &cfg);
		response_body(&rs, 200, "text/plain", CACHE_NONE, "x", 1);
		before = outlen;
		err_clear(&e);
		err_set(&e, E_NOTFOUND, "late");
		response_error(&rs, &r, &e);
		is_int(outlen, before, "error after headers: nothing written");
		response_free(&rs);
	}
	test_handoff();
	return tap_done();
}

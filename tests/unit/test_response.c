/*
 * test_response.c: response_error, the one map from an error to an HTTP
 * answer: every error code's status line, Cache-Control, Allow header and
 * body, for each shape of request the body can name.
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
	return tap_done();
}

/*
 * request.c: turn the raw request into a validated struct request.
 *
 * Routing uses the raw REQUEST_URI, never PATH_INFO or SCRIPT_NAME: web
 * servers decode those and split them at directories that happen to exist
 * in the storage tree (baseline.md).  The algorithm is protocol.md 1.2:
 * strip the base path, percent-decode exactly once ("+" stays "+"), then
 * either a fixed site path (a table) or a module path split at the first
 * "/@", "!"-unescaped and checked.  Everything is rejected here, before
 * any file or upstream is touched.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* Fixed paths below the base, answered by the responder itself. */
static const struct {
	const char	*path;
	enum route	 route;
} request_site[] = {
	{ "/", ROUTE_HOME },
	{ "/healthz", ROUTE_HEALTHZ },
	{ "/readyz", ROUTE_READYZ },
	{ "/version", ROUTE_VERSION },
	{ "/catalog", ROUTE_CATALOG },
	{ "/index", ROUTE_INDEX },
	{ "/metrics", ROUTE_METRICS },
	{ "/status", ROUTE_STATUS },
};

/* Each route's name in the access line and the metrics. */
static const char *const request_names[ROUTE_MAX] = {
	[ROUTE_NONE] = "other", [ROUTE_LIST] = "list", [ROUTE_INFO] = "info",
	[ROUTE_MOD] = "mod", [ROUTE_ZIP] = "zip", [ROUTE_LATEST] = "latest",
	[ROUTE_HOME] = "home", [ROUTE_HEALTHZ] = "healthz",
	[ROUTE_READYZ] = "readyz", [ROUTE_VERSION] = "version",
	[ROUTE_CATALOG] = "catalog", [ROUTE_INDEX] = "index",
	[ROUTE_SUMDB] = "sumdb", [ROUTE_METRICS] = "metrics",
	[ROUTE_STATUS] = "status", [ROUTE_VULNDB] = "vulndb",
};
_Static_assert(ROUTE_MAX <= METRICS_ENDPOINTS, "routes fit the metrics");

const char *
request_route_name(enum route r)
{
	return (unsigned)r < ROUTE_MAX && request_names[r] != NULL ?
	    request_names[r] : "other";
}

/*
 * A file name the storage can hold (POSIX NAME_MAX on the file systems
 * it runs on): a module path element, or a version with its longest
 * extension, longer than this names nothing stored nor storable (the go
 * command's own module cache could not hold it either) and is "not
 * found" here, before the disk answers ENAMETOOLONG.
 */
#define REQUEST_NAME_MAX	255
#define REQUEST_EXT_MAX		5	/* ".info", the longest of request_exts */

/* The artifact endpoints: <mod>/@v/<ver><ext>. */
static const struct {
	const char	*ext;
	enum route	 route;
} request_exts[] = {
	{ ".info", ROUTE_INFO },
	{ ".mod", ROUTE_MOD },
	{ ".zip", ROUTE_ZIP },
};

static const struct {
	const char	*name;
	enum method	 method;
} request_methods[] = {
	{ "GET", METHOD_GET },
	{ "HEAD", METHOD_HEAD },
};

int
request_pct_decode(const char *src, size_t len, char *dst, size_t dstsz)
{
	size_t i, o = 0;
	int hi, lo, c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)src[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			hi = hex_digit((unsigned char)src[i + 1]);
			lo = hex_digit((unsigned char)src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return -1;
		if (o + 1 >= dstsz)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return 0;
}

int
request_query_get(const char *query, const char *key, char *out,
    size_t outsz)
{
	size_t klen = strlen(key), n;
	const char *p = query, *end;

	while (p != NULL && *p != '\0') {
		end = strchr(p, '&');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=')
			return request_pct_decode(p + klen + 1, n - klen - 1,
			    out, outsz) == -1 ? -1 : 1;
		if (n == klen && strncmp(p, key, klen) == 0) {
			if (outsz == 0)
				return -1;
			out[0] = '\0';
			return 1;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* 0 when every "/"-separated element of the escaped module path emod
 * and the escaped version ever (with its extension) fits a file name,
 * -1 when one does not. */
static int
request_names_fit(const char *emod, const char *ever)
{
	const char *p = emod, *slash;
	size_t n;

	for (;;) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n > REQUEST_NAME_MAX)
			return -1;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	return strlen(ever) + REQUEST_EXT_MAX > REQUEST_NAME_MAX ? -1 : 0;
}

/* Module endpoints: path is "/<emod>/@v/..." or "/<emod>/@latest". */
static int
request_parse_module(struct request *r, struct err *e)
{
	const char *at, *rest, *file, *dot;
	char mod[MODPATH_MAX];
	size_t n, i;

	at = strstr(r->path, "/@");
	if (at == NULL || at == r->path)
		return err_set(e, E_NOTFOUND, "unknown path %s", r->path);
	n = (size_t)(at - r->path) - 1;
	if (n >= sizeof(r->emod))
		return err_set(e, E_NOTFOUND, "module path too long");
	memcpy(r->emod, r->path + 1, n);
	r->emod[n] = '\0';
	rest = at + 2;
	if (strcmp(rest, "latest") == 0)
		r->route = ROUTE_LATEST;
	else if (strcmp(rest, "v/list") == 0)
		r->route = ROUTE_LIST;
	else if (strncmp(rest, "v/", 2) == 0) {
		file = rest + 2;
		dot = strrchr(file, '.');
		for (i = 0; dot != NULL &&
		    i < NITEMS(request_exts); i++)
			if (strcmp(dot, request_exts[i].ext) == 0) {
				r->route = request_exts[i].route;
				break;
			}
		if (r->route == ROUTE_NONE)
			return err_set(e, E_NOTFOUND, "unknown path %s",
			    r->path);
		n = (size_t)(dot - file);
		if (n == 0 || memchr(file, '/', n) != NULL)
			return err_set(e, E_NOTFOUND, "malformed version");
		if (n >= sizeof(r->ever))
			return err_set(e, E_NOTFOUND, "version too long");
		memcpy(r->ever, file, n);
		r->ever[n] = '\0';
	} else
		return err_set(e, E_NOTFOUND, "unknown path %s", r->path);
	if (request_names_fit(r->emod, r->ever) == -1)
		return err_set(e, E_NOTFOUND, "a path element is longer than "
		    "%d bytes", REQUEST_NAME_MAX);

	if (modpath_unescape(r->emod, mod, sizeof(mod)) == -1)
		return err_set(e, E_NOTFOUND, "malformed module path \"%s\": "
		    "bad case-encoding", r->emod);
	if (modpath_check(mod, e) == -1)
		return -1;
	/* From here on an error names the module. */
	memcpy(r->module, mod, sizeof(mod));
	if (r->ever[0] == '\0')
		return 0;
	snprintf(r->version, sizeof(r->version), "%s", r->ever);
	if (modpath_unescape(r->ever, r->version, sizeof(r->version)) == -1 ||
	    modpath_check_version_elem(r->version) == -1)
		return err_set(e, E_NOTFOUND, "disallowed version string \"%s\"",
		    r->ever);
	return 0;
}

int
request_parse_uri(struct request *r, const char *method, const char *uri,
    const char *base_path, struct err *e)
{
	size_t i, baselen = base_path ? strlen(base_path) : 0, n;
	const char *q, *path;

	memset(r, 0, sizeof(*r));
	r->method = METHOD_OTHER;
	for (i = 0; i < NITEMS(request_methods); i++)
		if (method != NULL && strcmp(method, request_methods[i].name) == 0)
			r->method = request_methods[i].method;
	if (uri == NULL || uri[0] != '/')
		return err_set(e, E_BADREQ, "missing or malformed request URI");
	if (strlen(uri) >= sizeof(r->uri))
		return err_set(e, E_BADREQ, "request URI longer than %d bytes",
		    URI_MAX - 1);
	memcpy(r->uri, uri, strlen(uri) + 1);
	q = strchr(r->uri, '?');
	n = q ? (size_t)(q - r->uri) : strlen(r->uri);
	if (q != NULL)
		memcpy(r->query, q + 1, strlen(q + 1) + 1);
	if (baselen > 0) {
		if (n < baselen || strncmp(r->uri, base_path, baselen) != 0 ||
		    (n > baselen && r->uri[baselen] != '/'))
			return err_set(e, E_NOTFOUND, "not below %s", base_path);
	}
	path = r->uri + baselen;
	n -= baselen;
	if (n == 0) {
		path = "/";
		n = 1;
	}
	if (request_pct_decode(path, n, r->path, sizeof(r->path)) == -1)
		return err_set(e, E_BADREQ, "malformed percent-encoding in "
		    "request URI");
	for (i = 0; i < NITEMS(request_site); i++)
		if (strcmp(r->path, request_site[i].path) == 0) {
			r->route = request_site[i].route;
			return 0;
		}
	if (strncmp(r->path, "/sumdb/", 7) == 0) {
		r->route = ROUTE_SUMDB;
		return 0;
	}
	if (strncmp(r->path, "/vulndb/", 8) == 0) {
		r->route = ROUTE_VULNDB;
		return 0;
	}
	n = strlen(r->path);
	if (n > 1 && r->path[n - 1] == '/')
		return err_set(e, E_NOTFOUND, "unknown path %s", r->path);
	return request_parse_module(r, e);
}

/* Host header: host or host:port, letters, digits, ".-:[]" only. */
static void
request_copy_host(struct request *r, const char *host)
{
	size_t i, n;

	if (host == NULL || (n = strlen(host)) == 0 || n >= sizeof(r->host))
		return;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)host[i]) &&
		    strchr(".-:[]", host[i]) == NULL)
			return;
	memcpy(r->host, host, n + 1);
}

int
request_parse(struct request *r, struct io *io, const char *base_path,
    struct err *e)
{
	const char *uri, *v;
	int rc;

	uri = io->getenv(io->ctx, "REQUEST_URI");
	rc = request_parse_uri(r, io->getenv(io->ctx, "REQUEST_METHOD"), uri,
	    base_path, e);
	request_copy_host(r, io->getenv(io->ctx, "HTTP_HOST"));
	v = io->getenv(io->ctx, "HTTPS");
	r->https = v != NULL && (strcmp(v, "on") == 0 || strcmp(v, "1") == 0);
	v = io->getenv(io->ctx, "HTTP_DISABLE_MODULE_FETCH");
	r->no_fetch = v != NULL && strcmp(v, "true") == 0;
	if (rc == 0 && r->method == METHOD_OTHER)
		return err_set(e, E_METHOD, "only GET and HEAD are allowed");
	return rc;
}

int
request_query_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void
request_want(const struct request *r, enum want_kind kind, struct want *w)
{
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->module = r->module;
	w->emod = r->emod;
	w->version = r->version;
	w->ever = r->ever;
	w->canon = w->path = "";
	w->no_fetch = r->no_fetch;
	w->who = &r->who;
}

/*
 * response.c: writing answers, and the one map from errors to HTTP.
 *
 * Output goes through struct io, so the same code answers over CGI and
 * FastCGI.  Headers are CGI response headers ("Status: 200 OK").  Files are
 * never loaded whole: they are handed to the front server (X-Sendfile for
 * lighttpd and Apache mod_xsendfile, X-Accel-Redirect for nginx) or
 * streamed in fixed-size chunks.
 *
 * response_error() is the only place an enum errc becomes a status code
 * and a body.  Not-found bodies follow the convention the go command
 * shows its users: "not found: <module>@<version>: <reason>".
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http.h"

#define RESPONSE_CHUNK		(64 * 1024)
#define RESPONSE_HDR_MAX	(16 * 1024)

/* The Cache-Control value of an answer's class (config_load built the
 * configured ones once). */
static const char *
response_cache(const struct config *cfg, enum answer_cache c)
{
	switch (c) {
	case ANSWER_IMMUTABLE:
		return CACHE_IMMUTABLE;
	case ANSWER_LIST:
		return cfg->cache_list;
	case ANSWER_STALE:
		return CACHE_STALE;
	case ANSWER_SUMDB:
		return cfg->cache_sumdb;
	case ANSWER_NOSTORE:
		break;
	}
	return CACHE_NONE;
}

/*
 * The value to send for cache on a per-user answer (rs->private_cache):
 * the "private" twin of a "public" value, built once like it (config_load,
 * http.h); a "public" value without a twin is sent as no-store, never as
 * it is.  Other values (no-store, no-cache, private ...) are kept.
 */
static const char *
response_private(const struct config *cfg, const char *cache)
{
	const struct {
		const char	*pub, *priv;
	} twins[] = {
		{ CACHE_IMMUTABLE, CACHE_IMMUTABLE_PRIVATE },
		{ CACHE_STALE, CACHE_STALE_PRIVATE },
		{ cfg != NULL ? cfg->cache_list : NULL,
		  cfg != NULL ? cfg->cache_list_private : NULL },
		{ cfg != NULL ? cfg->cache_notfound : NULL,
		  cfg != NULL ? cfg->cache_notfound_private : NULL },
		{ cfg != NULL ? cfg->cache_sumdb : NULL,
		  cfg != NULL ? cfg->cache_sumdb_private : NULL },
	};
	size_t i;

	if (cache == NULL || strncmp(cache, "public", 6) != 0)
		return cache;
	for (i = 0; i < NITEMS(twins); i++)
		if (twins[i].pub != NULL && twins[i].priv[0] != '\0' &&
		    strcmp(cache, twins[i].pub) == 0)
			return twins[i].priv;
	return CACHE_NONE;
}

/* See http.h: does the request's If-None-Match or If-Modified-Since say
 * the client has this answer already (conditional.c decides)? */
int
response_unchanged(struct response *rs, const char *etag, time_t mtime)
{
	if (rs->io == NULL || rs->io->getenv == NULL)
		return 0;
	return conditional_unchanged(rs->io->getenv(rs->io->ctx,
	    "HTTP_IF_NONE_MATCH"), rs->io->getenv(rs->io->ctx,
	    "HTTP_IF_MODIFIED_SINCE"), etag, mtime);
}

/* See http.h: 304 Not Modified, no body (the validators are the caller's
 * headers, set before). */
int
response_not_modified(struct response *rs, const char *cache)
{
	rs->bytes = 0;
	return response_start(rs, 304, NULL, cache, -1);
}

/* Whether the responder sends a's bytes itself (a body, or a file not
 * handed to the web server, which answers conditionals on its own). */
static int
response_sends(const struct response *rs, const struct store *s,
    const struct answer *a)
{
	return a->kind == ANSWER_BODY || (a->kind == ANSWER_FILE &&
	    (a->stream || s == NULL || rs->cfg == NULL ||
	    rs->cfg->sendfile == SENDFILE_OFF));
}

int
response_answer(struct response *rs, const struct store *s,
    const struct answer *a)
{
	const char *cc = response_cache(rs->cfg, a->cache);

	if (a->etag[0] != '\0')
		response_header(rs, "ETag", "%s", a->etag);
	if (a->etag[0] != '\0' && response_sends(rs, s, a) &&
	    response_unchanged(rs, a->etag, -1))
		return response_not_modified(rs, cc);
	switch (a->kind) {
	case ANSWER_REDIRECT:
		response_header(rs, "Location", "%s", a->location);
		return response_body(rs, 302, "text/plain; charset=utf-8", cc,
		    "redirect\n", 9);
	case ANSWER_FILE:
		return response_file(rs, a->stream ? NULL : s, a->path, a->fd,
		    &a->st, a->ctype, cc);
	case ANSWER_BODY:
		break;
	}
	return response_body(rs, 200, a->ctype, cc, a->body.data != NULL ?
	    a->body.data : "", a->body.len);
}

/*
 * THE map from an error to an HTTP answer, one row a code, one column a
 * decision: the status, the body's first words, whether the body names
 * the request's module (and version) and carries the error's reason,
 * whether the error is logged, whether the answer may be cached (for
 * notfound_max_age), and an Allow header.  A code not in the table is
 * answered as E_INTERNAL.
 */
struct response_row {
	enum errc	 code;
	int		 status;
	const char	*prefix;	/* first words of the body */
	unsigned	 names:1;	/* body names module@version */
	unsigned	 reason:1;	/* the body ends with e->msg */
	unsigned	 logged:1;	/* details go to the log */
	unsigned	 cached:1;	/* notfound_max_age, else no-store */
	unsigned	 challenge:1;	/* WWW-Authenticate: Basic and Bearer,
					 * realm [access] realm */
	const char	*allow;		/* an Allow header, or NULL */
};
static const struct response_row response_map[] = {
	/* code	status	prefix	names reason logged cached challenge allow */
	{ E_OK,		200, "ok",			1, 1, 0, 0, 0, NULL },
	{ E_BADREQ,	400, "bad request",		1, 1, 0, 0, 0, NULL },
	{ E_NOTFOUND,	404, "not found",		1, 1, 0, 1, 0, NULL },
	{ E_GONE,	410, "not found",		1, 1, 0, 1, 0, NULL },
	{ E_FORBIDDEN,	403, "forbidden",		1, 1, 0, 0, 0, NULL },
	{ E_METHOD,	405, "method not allowed",	1, 1, 0, 0, 0,
	  "GET, HEAD" },
	{ E_TOOBIG,	413, "too large",		1, 1, 0, 0, 0, NULL },
	/* [access]: never names the module (a 401 says nothing of it). */
	{ E_UNAUTHORIZED, 401, "unauthorized",		0, 1, 0, 0, 1, NULL },
	/* 5xx: details go to the log; the reason only where it helps. */
	{ E_UPSTREAM,	502, "bad gateway",		0, 1, 1, 0, 0, NULL },
	{ E_TIMEOUT,	504, "gateway timeout",		0, 1, 1, 0, 0, NULL },
	{ E_UNAVAIL,	503, "service unavailable",	0, 1, 1, 0, 0, NULL },
	{ E_CONFIG,	500, "internal error",		0, 0, 1, 0, 0, NULL },
	{ E_INTERNAL,	500, "internal error",		0, 0, 1, 0, 0, NULL },
};

static const struct {
	int		 status;
	const char	*reason;
} response_reasons[] = {
	{ 200, "OK" }, { 302, "Found" }, { 304, "Not Modified" },
	{ 307, "Temporary Redirect" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 410, "Gone" },
	{ 413, "Content Too Large" }, { 500, "Internal Server Error" },
	{ 501, "Not Implemented" }, { 502, "Bad Gateway" },
	{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
};

static const char *
response_reason(int status)
{
	size_t i;

	for (i = 0; i < NITEMS(response_reasons); i++)
		if (response_reasons[i].status == status)
			return response_reasons[i].reason;
	return "Unknown";
}

void
response_init(struct response *rs, struct io *io, int head,
    const struct config *cfg)
{
	memset(rs, 0, sizeof(*rs));
	rs->io = io;
	rs->head = head;
	rs->cfg = cfg;
	buf_init(&rs->hdr, RESPONSE_HDR_MAX);
}

void
response_free(struct response *rs)
{
	buf_free(&rs->hdr);
}

void
response_header(struct response *rs, const char *name, const char *fmt, ...)
{
	char value[1024];
	va_list ap;
	struct err e;
	char *p;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	/* Header injection is impossible: no CR/LF reaches the output. */
	for (p = value; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	err_clear(&e);
	buf_printf(&rs->hdr, &e, "%s: %s\r\n", name, value);
}

int
response_write(struct response *rs, const void *p, size_t n)
{
	if (rs->head || n == 0)
		return 0;
	rs->bytes += (long long)n;
	return rs->io->write(rs->io->ctx, p, n);
}

int
response_start(struct response *rs, int status, const char *ctype,
    const char *cache, long long length)
{
	char head[512];
	int n;

	if (rs->sent)
		return -1;
	rs->sent = 1;
	rs->status = status;
	n = snprintf(head, sizeof(head), "Status: %d %s\r\n", status,
	    response_reason(status));
	if (ctype != NULL)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		    "Content-Type: %s\r\n", ctype);
	if (rs->private_cache)
		cache = response_private(rs->cfg, cache);
	if (cache != NULL)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		    "Cache-Control: %s\r\n", cache);
	/* A per-user answer differs with the credentials sent. */
	if (rs->private_cache)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		    "Vary: Authorization\r\n");
	if (length >= 0)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		    "Content-Length: %lld\r\n", length);
	n += snprintf(head + n, sizeof(head) - (size_t)n,
	    "X-Content-Type-Options: nosniff\r\n");
	if (rs->io->write(rs->io->ctx, head, (size_t)n) == -1 ||
	    (rs->hdr.len > 0 &&
	    rs->io->write(rs->io->ctx, rs->hdr.data, rs->hdr.len) == -1) ||
	    rs->io->write(rs->io->ctx, "\r\n", 2) == -1)
		return -1;
	return 0;
}

int
response_body(struct response *rs, int status, const char *ctype,
    const char *cache, const void *body, size_t len)
{
	if (response_start(rs, status, ctype, cache, (long long)len) == -1)
		return -1;
	return response_write(rs, body, len);
}

/*
 * Hand the stored file at path to the web server: a header naming it, no
 * body, no length (GET and HEAD alike: the server sends the file, its
 * Content-Length, ETag and Last-Modified, and answers If-None-Match and
 * If-Modified-Since with 304, as for a static hit).  Only a file below
 * the storage root and not below a "." element (.tmp) is named; another
 * is never sent (-1).
 */
static int
response_handoff(struct response *rs, const struct store *s,
    const char *path, const struct stat *st, const char *ctype,
    const char *cache)
{
	const char *rel = store_rel(s, path);

	if (rel == NULL) {
		log_warnx("not handed to the web server (outside the storage "
		    "root): %s", path);
		return -1;
	}
	rs->bytes = rs->head ? 0 : (long long)st->st_size;
	if (rs->cfg->sendfile == SENDFILE_X_SENDFILE)
		response_header(rs, "X-Sendfile", "%s", path);
	else
		response_header(rs, "X-Accel-Redirect", "%s/%s",
		    rs->cfg->accel_prefix, rel);
	return response_start(rs, 200, ctype, cache, -1);
}

int
response_file(struct response *rs, const struct store *s, const char *path,
    int fd, const struct stat *st, const char *ctype, const char *cache)
{
	char chunk[RESPONSE_CHUNK];
	long long left = (long long)st->st_size;
	ssize_t n;

	/* No store: a file the front server must not be sent to. */
	if (rs->cfg != NULL && s != NULL && rs->cfg->sendfile != SENDFILE_OFF)
		return response_handoff(rs, s, path, st, ctype, cache);
	if (response_start(rs, 200, ctype, cache, left) == -1)
		return -1;
	while (!rs->head && left > 0) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Immutable files do not shrink; the reply is cut. */
			log_warn("read %s", path);
			return -1;
		}
		if ((long long)n > left)
			n = (ssize_t)left;
		if (response_write(rs, chunk, (size_t)n) == -1)
			return -1;
		left -= n;
	}
	return 0;
}

/* The row of code in response_map; E_INTERNAL's when it has none. */
static const struct response_row *
response_row(enum errc code)
{
	const struct response_row *row = NULL;
	size_t i;

	for (i = 0; i < NITEMS(response_map); i++) {
		if (response_map[i].code == code)
			return &response_map[i];
		if (response_map[i].code == E_INTERNAL)
			row = &response_map[i];
	}
	return row;
}

/* What the body names: module, module@latest, module@version, or "". */
static void
response_subject(const struct request *r, char *out, size_t outsz)
{
	if (r->module[0] == '\0')
		out[0] = '\0';
	else if (r->route == ROUTE_LIST)
		snprintf(out, outsz, "%s", r->module);
	else if (r->route == ROUTE_LATEST)
		snprintf(out, outsz, "%s@latest", r->module);
	else if (r->version[0] != '\0')
		snprintf(out, outsz, "%s@%s", r->module, r->version);
	else
		out[0] = '\0';
}

void
response_error(struct response *rs, const struct request *r,
    const struct err *e)
{
	char body[ERR_MSG_MAX + MODPATH_MAX + VERSION_MAX + 64];
	char subject[MODPATH_MAX + VERSION_MAX + 8] = "";
	const struct response_row *row = response_row(e->code);
	const char *realm;
	int n;

	if (row->logged)
		log_warnx("%s %s: %d: %s", r->method == METHOD_HEAD ? "HEAD" :
		    "GET", r->uri, row->status, e->msg);
	if (row->names)
		response_subject(r, subject, sizeof(subject));
	n = snprintf(body, sizeof(body), "%s%s%s%s%s\n", row->prefix,
	    subject[0] != '\0' ? ": " : "", subject, row->reason ? ": " : "",
	    row->reason ? e->msg : "");
	if (n < 0 || (size_t)n >= sizeof(body)) {
		n = (int)sizeof(body) - 1;
		body[n - 1] = '\n';
	}
	if (row->allow != NULL)
		response_header(rs, "Allow", "%s", row->allow);
	if (row->challenge) {
		realm = rs->cfg != NULL && rs->cfg->access_realm != NULL ?
		    rs->cfg->access_realm : "piraeus";
		response_header(rs, "WWW-Authenticate", "Basic realm=\"%s\", "
		    "charset=\"UTF-8\"", realm);
		response_header(rs, "WWW-Authenticate", "Bearer realm=\"%s\"",
		    realm);
	}
	if (rs->sent) {
		log_warnx("%s: error after headers were sent: %s", r->uri,
		    e->msg);
		return;
	}
	response_body(rs, row->status, "text/plain; charset=utf-8",
	    row->cached && rs->cfg != NULL ? rs->cfg->cache_notfound :
	    CACHE_NONE, body, (size_t)n);
}

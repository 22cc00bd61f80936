/*
 * http.h: the request side of piraeus: transport, request, response,
 * router and endpoints.
 *
 * A request flows: fcgi.c (CGI or FastCGI transport, a struct io) ->
 * request.c (raw REQUEST_URI -> struct request) -> router.c (a table from
 * route to handler) -> ep_*.c (one file per endpoint: parse, then
 * resolve() of piraeus.h through proxy_answer, then respond) ->
 * response.c (headers, bodies, files, and the one map from struct err to
 * HTTP).  Handlers are transport-neutral: they see only struct proxy,
 * struct request and struct response.  Only this layer includes http.h.
 */
#ifndef PIRAEUS_HTTP_H
#define PIRAEUS_HTTP_H

#include "piraeus.h"

struct proxy;
struct request;
struct response;

/* fcgi.c: one request's environment and output, CGI or FastCGI. */
struct io {
	const char	*(*getenv)(void *ctx, const char *name);
	int		 (*write)(void *ctx, const void *, size_t);
	void		*ctx;
};
/*
 * Serve requests until shutdown; returns the process exit status.
 * listen_fd is a FastCGI listening socket, or -1 to use fd 0 when it is
 * one (lighttpd bin-path, spawn-fcgi, systemd) and else answer a single
 * request as CGI.
 */
int		 fcgi_run(struct proxy *, int listen_fd);

/* proxy.c: the process: what outlives one request. */
struct proxy {
	struct config	 cfg;
	struct store	 store;
	struct index	*idx;		/* NULL when it could not be opened */
	struct index	*logidx;	/* [sumdb] log_dir's, or NULL */
	char		 idx_error[ERR_MSG_MAX];
	struct upstream_list up;	/* [upstream] goproxy, parsed */
	struct mode_table modes;	/* [upstream] download_mode, loaded */
	struct sumdb_list sumdbs;	/* [sumdb] databases, parsed */
	struct filter_table filter;	/* [policy] filter_file, loaded */
	struct note_signer signer;	/* [sumdb] private_key, when has_signer */
	int		 has_signer;
	struct resolver	 rv;		/* the pipeline's view of the above */
	struct access	*acl;		/* [access] file, or NULL */
	struct vulnview	 vuln;		/* [policy] vulnerable: the mirror */
};
/* Open storage and index for cfg (already loaded); errors are logged. */
int		 proxy_open(struct proxy *, struct err *);
void		 proxy_close(struct proxy *);
/* The index, opened on first use if it was not usable at start. */
struct index	*proxy_index(struct proxy *, struct err *);
/* Before a listing of the index (/catalog, /index): add the versions the
 * tree holds and ix lacks (published by another host of a shared storage
 * root), at most once a second; a failure is logged. */
void		 proxy_catch_up(struct proxy *, struct index *);
/* The resolver of this process, its index retried when it had none. */
struct resolver	*proxy_resolver(struct proxy *);
/* Run the deferred fetch, if any (after the response is finished). */
void		 proxy_run_deferred(struct proxy *);
/* Resolve w with this process's resolver and send the answer on rs:
 * 0, or -1 with e set (the caller's response_error answers it). */
struct response;
int		 proxy_answer(struct proxy *, const struct want *,
		    struct response *, struct err *);

/* request.c */
enum method { METHOD_GET = 0, METHOD_HEAD, METHOD_OTHER };
enum route {
	ROUTE_NONE = 0,
	ROUTE_LIST,		/* <mod>/@v/list */
	ROUTE_INFO,		/* <mod>/@v/<ver>.info */
	ROUTE_MOD,		/* <mod>/@v/<ver>.mod */
	ROUTE_ZIP,		/* <mod>/@v/<ver>.zip */
	ROUTE_LATEST,		/* <mod>/@latest */
	ROUTE_HOME,		/* / */
	ROUTE_HEALTHZ,
	ROUTE_READYZ,
	ROUTE_VERSION,
	ROUTE_CATALOG,
	ROUTE_INDEX,
	ROUTE_SUMDB,		/* /sumdb/... (the checksum database issue) */
	ROUTE_METRICS,		/* /metrics (Prometheus) */
	ROUTE_STATUS,		/* /status (HTML for people) */
	ROUTE_VULNDB,		/* /vulndb/... (the vulnerability database) */
	ROUTE_MAX
};
struct request {
	enum method	 method;
	enum route	 route;
	char		 uri[URI_MAX];		/* raw REQUEST_URI, copied */
	char		 path[URI_MAX];		/* below the base, %-decoded */
	char		 query[URI_MAX];	/* raw, after "?" */
	char		 emod[MODPATH_MAX];	/* module, escaped (disk form) */
	char		 module[MODPATH_MAX];	/* module, unescaped */
	char		 ever[VERSION_MAX];	/* version, escaped */
	char		 version[VERSION_MAX];	/* version, unescaped */
	char		 host[256];		/* validated Host, or "" */
	int		 https;
	int		 no_fetch;		/* Disable-Module-Fetch: true */
	/* Who asks (auth.c fills them; request_want points w->who here). */
	struct identity	 who;
	char		 who_user[IDENTITY_NAME_MAX];
	char		 who_basic_user[IDENTITY_NAME_MAX];
	char		 who_basic_pass[IDENTITY_SECRET_MAX];
};
/*
 * Parse and validate one request from the transport's environment.  On
 * failure the route is still set when known (so the error can name the
 * module) and e says why; nothing has touched the disk.
 */
int		 request_parse(struct request *, struct io *,
		    const char *base_path, struct err *);
/* Parse a request from explicit values (the unit tests, the CLI). */
int		 request_parse_uri(struct request *, const char *method,
		    const char *uri, const char *base_path, struct err *);
/* Percent-decode src once into dst; rejects bad escapes, NUL, controls. */
int		 request_pct_decode(const char *src, size_t len, char *dst,
		    size_t dstsz);
/* A query argument's value as a decimal in [min, max] into *out; 0 or
 * -1. */
int		 request_query_long(const char *, long min, long max, long *out);
/* What r asks of resolve: a want of kind for r's module (and version,
 * as requested); canon, path and db empty. */
void		 request_want(const struct request *, enum want_kind,
		    struct want *);
/* The value of key in a query string, %-decoded; 1 found, 0 not, -1 bad. */
int		 request_query_get(const char *query, const char *key,
		    char *out, size_t outsz);

/*
 * auth.c: who asks -- the credential check of [access] (HTTP layer).
 * An Authorization header (Basic or Bearer, RFC 7617 / RFC 6750) is
 * parsed under named caps; the web server's REMOTE_USER is taken when
 * [access] trust_remote_user says so.
 */
/* "user:password" at the longest, then "Basic " and its base64: the
 * header's cap lets every name and secret within their caps through, so
 * that those caps, not this one, refuse what is over them. */
#define AUTH_BASIC_MAX	(IDENTITY_NAME_MAX - 1 + 1 + IDENTITY_SECRET_MAX - 1)
#define AUTH_HEADER_MAX	(6 + 4 * ((AUTH_BASIC_MAX + 2) / 3))
enum auth_scheme { AUTH_NONE = 0, AUTH_BASIC, AUTH_BEARER };
struct auth_cred {
	enum auth_scheme scheme;
	char		 user[IDENTITY_NAME_MAX];	/* Basic */
	char		 secret[IDENTITY_SECRET_MAX];	/* password, token */
};
/* Parse an Authorization header value (NULL or "": AUTH_NONE) into c:
 * 0, or -1 with E_UNAUTHORIZED and why (unknown scheme, bad base64,
 * control bytes, over a cap). */
int		 auth_parse(const char *header, struct auth_cred *c,
		    struct err *);
/* 1 when access is on: an [access] file or trust_remote_user. */
int		 auth_enabled(const struct config *);
/* Fill r->who from the transport's REMOTE_USER and Authorization (acl:
 * the [access] file, may be NULL): 0, or -1 with E_UNAUTHORIZED when
 * credentials are wrong, or missing where they are required. */
int		 auth_identify(const struct config *, const struct access *acl,
		    const char *authorization, const char *remote_user,
		    struct request *r, struct err *);
/* What one request may see of the stored modules: a listing's filter. */
struct auth_view {
	const struct access *acl;	/* [access] file, or NULL */
	const char	*user;		/* r->who.user: NULL is anonymous */
};
/* Wipe what auth_identify kept in r: the Basic credentials as sent, the
 * user (explicit_bzero); r->who is then anonymous. */
void		 auth_forget(struct request *r);
/* index_keep_fn over a struct auth_view: 1 when its user may see v's
 * module (access_visible). */
int		 auth_keep(void *view, const struct index_version *v);
/* Fill view for r; 1 when [access] rules exist (then the listing must be
 * filtered with auth_keep, and rs is made private to shared caches), 0
 * when everyone sees everything. */
int		 auth_view(const struct access *, const struct request *r,
		    struct auth_view *view, struct response *rs);

/* response.c */
struct response {
	struct io	*io;
	int		 head;		/* HEAD: headers only */
	int		 sent;		/* headers written */
	int		 private_cache;	/* "public" Cache-Control becomes
					 * "private" (per-user answers) */
	int		 status;
	long long	 bytes;		/* body bytes sent, or handed to the
					 * web server to send */
	enum answer_outcome outcome;	/* what resolve said (proxy_answer) */
	struct buf	 hdr;		/* extra header lines */
	const struct config *cfg;
};
void		 response_init(struct response *, struct io *, int head,
		    const struct config *);
void		 response_free(struct response *);
void		 response_header(struct response *, const char *name,
		    const char *fmt, ...) PIRAEUS_ATTR_PRINTF(3, 4);
/* Conditional GET: 1 when the request's If-None-Match lists etag (weak
 * comparison) or, without one, its If-Modified-Since is not before mtime
 * (-1: none); then response_not_modified answers 304 with no body (the
 * ETag and Last-Modified headers set before it). */
int		 response_unchanged(struct response *, const char *etag,
		    time_t mtime);
int		 response_not_modified(struct response *, const char *cache);
/* A whole body from memory. */
int		 response_body(struct response *, int status,
		    const char *ctype, const char *cache, const void *body,
		    size_t len);
/* A file: X-Sendfile / X-Accel-Redirect when configured (and s not NULL:
 * a file of the store), else streamed. */
int		 response_file(struct response *, const struct store *,
		    const char *path, int fd, const struct stat *,
		    const char *ctype, const char *cache);
/* What resolve answered: a body, a stored file, or a redirect (302),
 * with its ETag and the Cache-Control of its class. */
int		 response_answer(struct response *, const struct store *,
		    const struct answer *);
/* Status and headers only, for bodies written with response_write. */
int		 response_start(struct response *, int status,
		    const char *ctype, const char *cache, long long length);
int		 response_write(struct response *, const void *, size_t);
/* THE map from an error to an HTTP answer. */
void		 response_error(struct response *, const struct request *,
		    const struct err *);

/*
 * Cache-Control values: the fixed ones here; those that depend on the
 * config (list_max_age, notfound_max_age, sumdb cache_ttl) are built once
 * by config_load into cfg.cache_list, cfg.cache_notfound, cfg.cache_sumdb.
 */
#define CACHE_IMMUTABLE	"public, max-age=31536000, immutable"
#define CACHE_NONE	"no-store"
#define CACHE_REVALIDATE "no-cache"		/* the home page */
#define CACHE_STALE	"public, max-age=0"	/* a list upstream could not
						   refresh */
/* Their twins for an answer that depends on who asks (rs->private_cache):
 * the client keeps it as long, no shared cache keeps it at all. */
#define CACHE_IMMUTABLE_PRIVATE	"private, max-age=31536000, immutable"
#define CACHE_STALE_PRIVATE	"private, max-age=0"

/* router.c */
/* Handle one request from start to finish on transport io. */
void		 router_handle(struct proxy *, struct io *);
typedef int	 endpoint_fn(struct proxy *, const struct request *,
		    struct response *, struct err *);

/* ep_list.c, ep_artifact.c, ep_latest.c, ep_catalog.c, ep_index.c, ep_site.c */
endpoint_fn	 ep_list;
endpoint_fn	 ep_artifact;
endpoint_fn	 ep_latest;
endpoint_fn	 ep_catalog;
endpoint_fn	 ep_index;
endpoint_fn	 ep_home;
endpoint_fn	 ep_healthz;
endpoint_fn	 ep_readyz;
endpoint_fn	 ep_version;
endpoint_fn	 ep_sumdb;
/* ep_metrics.c, ep_status.c: /metrics and /status (operators). */
endpoint_fn	 ep_metrics;
endpoint_fn	 ep_status;
endpoint_fn	 ep_vulndb;
/* 0 when r may see the operators' pages, else -1 and e (401 when
 * [access] is on and r is anonymous). */
int		 ep_metrics_allowed(struct proxy *, const struct request *,
		    struct err *);
/* The shared counters into d and the index's figures into s: 0, or -1
 * when the index did not answer (d filled all the same). */
int		 ep_metrics_read(struct proxy *, struct metrics_data *d,
		    struct index_stats *s);
/* request.c: the name of a route in logs and metrics ("list", "zip"...). */
const char	*request_route_name(enum route);

#endif /* PIRAEUS_HTTP_H */

/*
 * router.c: one request from start to finish.
 *
 * Order (redis processCommand): parse and validate, then dispatch through
 * a table from route to endpoint (who asks is settled in between,
 * auth.c: every route but /healthz), then map any error to HTTP in
 * response_error().  Cheap rejections come first; nothing touches the
 * disk before request_parse() has accepted the path.  Every request gets
 * an id (the client's X-Request-Id, else a random one, echoed back), and
 * when answered one access line (log.c) and its counts (metrics.c), the
 * outcome as resolve gave it (struct response's outcome) or as the error
 * says.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

static const struct {
	enum route	 route;
	endpoint_fn	*fn;
} router_table[] = {
	{ ROUTE_LIST, ep_list },
	{ ROUTE_INFO, ep_artifact },
	{ ROUTE_MOD, ep_artifact },
	{ ROUTE_ZIP, ep_artifact },
	{ ROUTE_LATEST, ep_latest },
	{ ROUTE_HOME, ep_home },
	{ ROUTE_HEALTHZ, ep_healthz },
	{ ROUTE_READYZ, ep_readyz },
	{ ROUTE_VERSION, ep_version },
	{ ROUTE_CATALOG, ep_catalog },
	{ ROUTE_INDEX, ep_index },
	{ ROUTE_SUMDB, ep_sumdb },
	{ ROUTE_METRICS, ep_metrics },
	{ ROUTE_STATUS, ep_status },
	{ ROUTE_VULNDB, ep_vulndb },
};

#define ROUTER_RID_MAX	64	/* a client's X-Request-Id kept as it is */

static uint64_t	router_seed;	/* the generated ids' state */
static int	router_seeded;

/* Each error code's outcome (the rest: OUTCOME_ERROR). */
static const struct {
	enum errc		 code;
	enum answer_outcome	 outcome;
} router_outcomes[] = {
	{ E_FORBIDDEN, OUTCOME_DENIED }, { E_UNAUTHORIZED, OUTCOME_DENIED },
	{ E_NOTFOUND, OUTCOME_NOTFOUND }, { E_GONE, OUTCOME_NOTFOUND },
};

/*
 * The request's id into out: the client's X-Request-Id when it is 1 to
 * ROUTER_RID_MAX bytes of [A-Za-z0-9._:-], else 16 hex digits, random
 * per process and distinct within it.
 */
static void
router_request_id(struct io *io, char out[ROUTER_RID_MAX + 1])
{
	static const char hex[] = "0123456789abcdef";
	const char *h = io->getenv(io->ctx, "HTTP_X_REQUEST_ID");
	uint64_t x;
	size_t i, n = h != NULL ? strnlen(h, ROUTER_RID_MAX + 1) : 0;

	for (i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') ||
		    (h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= '0' && h[i] <= '9') || h[i] == '.' ||
		    h[i] == '_' || h[i] == ':' || h[i] == '-'))
			break;
	if (n > 0 && n <= ROUTER_RID_MAX && i == n) {
		memcpy(out, h, n);
		out[n] = '\0';
		return;
	}
	/* One system call per process, not per request: a random seed,
	 * then splitmix64 of seed + n (distinct for every n). */
	if (!router_seeded) {
		if (getentropy(&router_seed, sizeof(router_seed)) == -1)
			router_seed = (uint64_t)getpid() << 32 ^
			    (uint64_t)time(NULL);
		router_seeded = 1;
	}
	x = (router_seed += 0x9e3779b97f4a7c15ULL);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	for (i = 0; i < 16; i++)
		out[i] = hex[(x >> (60 - 4 * i)) & 0xf];
	out[16] = '\0';
}

/* The access line and the counters of one finished request. */
static void
router_account(struct proxy *px, const struct request *r,
    const struct response *rs, const struct err *e, const char *rid,
    const struct timespec *t0)
{
	struct timespec t1;
	enum answer_outcome o = rs->outcome;
	long long us;
	size_t i;

	if (e->code != E_OK) {
		o = OUTCOME_ERROR;
		for (i = 0; i < NITEMS(router_outcomes); i++)
			if (router_outcomes[i].code == e->code)
				o = router_outcomes[i].outcome;
	}
	metrics_request((unsigned)r->route, rs->status, o);
	if (!px->cfg.access_log)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (long long)(t1.tv_sec - t0->tv_sec) * 1000000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000;
	{
		struct log_field f[] = {
			{ "method", r->method == METHOD_GET ? "GET" :
			    r->method == METHOD_HEAD ? "HEAD" : "OTHER", 0 },
			{ "path", r->uri[0] != '\0' ? r->uri : "-", 0 },
			{ "status", NULL, rs->status },
			{ "bytes", NULL, rs->bytes },
			{ "duration_us", NULL, us },
			{ "outcome", answer_outcome_name(o), 0 },
			{ "endpoint", request_route_name(r->route), 0 },
			{ "module", r->module[0] != '\0' ? r->module : "-", 0 },
			{ "version", r->version[0] != '\0' ? r->version : "-",
			  0 },
			{ "request_id", rid, 0 },
			{ "pid", NULL, (long long)getpid() },
		};

		log_access(f, NITEMS(f));
	}
}

/*
 * At log level debug, one line per request: its path and the user the web
 * server authenticated (REMOTE_USER, "-" when none).  A name longer than
 * IDENTITY_NAME_MAX or with a byte outside printable ASCII is logged as
 * "(unprintable)", never as it is.
 */
static void
router_log(struct io *io, const struct request *r)
{
	const char *user = io->getenv(io->ctx, "REMOTE_USER");
	size_t i, n;

	if (user == NULL || user[0] == '\0')
		user = "-";
	n = strnlen(user, IDENTITY_NAME_MAX + 1);
	for (i = 0; i < n; i++)
		if (user[i] <= ' ' || user[i] > '~')
			break;
	if (i < n || n > IDENTITY_NAME_MAX)
		user = "(unprintable)";
	log_debug("request %s user %s", r->path, user);
}

/*
 * 1 when r's answer may depend on who asks, so no shared cache may keep
 * it nor give it to another client: [access] is on, or the request
 * carried credentials or has a user (an answer then depends on them, as
 * with [policy] private_access = vcs).  proxy_answer adds private modules
 * under private_access = vcs.
 */
static int
router_private(const struct proxy *px, struct io *io,
    const struct request *r)
{
	const char *h = io->getenv(io->ctx, "HTTP_AUTHORIZATION");

	return auth_enabled(&px->cfg) || (h != NULL && h[0] != '\0') ||
	    r->who.user != NULL || r->who.basic_user != NULL;
}

void
router_handle(struct proxy *px, struct io *io)
{
	struct request r;
	struct response rs;
	struct err e;
	endpoint_fn *fn = NULL;
	char rid[ROUTER_RID_MAX + 1];
	struct timespec t0;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	router_request_id(io, rid);
	err_clear(&e);
	memset(&r.who, 0, sizeof(r.who));
	if (request_parse(&r, io, px->cfg.base_path, &e) == 0) {
		router_log(io, &r);
		for (i = 0; i < NITEMS(router_table); i++)
			if (router_table[i].route == r.route)
				fn = router_table[i].fn;
		if (fn == NULL)
			err_set(&e, E_NOTFOUND, "unknown path %s", r.path);
		/* Who asks; /healthz stays open to everyone. */
		else if (r.route != ROUTE_HEALTHZ)
			auth_identify(&px->cfg, px->acl,
			    io->getenv(io->ctx, "HTTP_AUTHORIZATION"),
			    io->getenv(io->ctx, "REMOTE_USER"), &r, &e);
	}
	response_init(&rs, io, r.method == METHOD_HEAD, &px->cfg);
	rs.private_cache = router_private(px, io, &r);
	response_header(&rs, "X-Request-Id", "%s", rid);
	if (e.code != E_OK || fn(px, &r, &rs, &e) == -1 || e.code != E_OK) {
		if (e.code == E_OK)
			err_set(&e, E_INTERNAL, "endpoint failed without a "
			    "reason");
		response_error(&rs, &r, &e);
	}
	router_account(px, &r, &rs, &e, rid, &t0);
	response_free(&rs);
	/* The credentials the request kept end with it. */
	auth_forget(&r);
}

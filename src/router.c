/*
 * router.c: one request from start to finish.
 *
 * Order (redis processCommand): parse and validate, then dispatch through
 * a table from route to endpoint (who asks is settled in between,
 * auth.c: every route but /healthz), then map any error to HTTP in
 * response_error().  Cheap rejections come first; nothing touches the
 * disk before request_parse() has accepted the path.
 */
#include "config.h"

#include <string.h>

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
};

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
	size_t i;

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
	if (e.code == E_OK && (fn(px, &r, &rs, &e) == -1 || e.code != E_OK) &&
	    e.code == E_OK)
		err_set(&e, E_INTERNAL, "endpoint failed without a reason");
	if (e.code != E_OK)
		response_error(&rs, &r, &e);
	response_free(&rs);
	/* The credentials the request kept end with it. */
	auth_forget(&r);
}

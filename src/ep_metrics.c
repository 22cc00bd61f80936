/*
 * ep_metrics.c: /metrics, the Prometheus text exposition of the shared
 * counters (metrics.c) and of what the index holds.
 *
 * Operators' pages are never for a shared cache (no-store), and when
 * [access] is on they need an authenticated user, as every module answer
 * does (ep_metrics_allowed, used by /status too).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"

#define EP_METRICS_MAX	(1024 * 1024)	/* the exposition's cap */

int
ep_metrics_allowed(struct proxy *px, const struct request *r,
    struct err *e)
{
	if (auth_enabled(&px->cfg) && r->who.user == NULL)
		return err_set(e, E_UNAUTHORIZED, "%s needs an authenticated "
		    "user", r->path);
	if (r->method != METHOD_GET && r->method != METHOD_HEAD)
		return err_set(e, E_METHOD, "only GET and HEAD");
	return 0;
}

int
ep_metrics_read(struct proxy *px, struct metrics_data *d,
    struct index_stats *s)
{
	struct index *ix;
	struct err e;

	metrics_snapshot(d);
	err_clear(&e);
	if ((ix = proxy_index(px, &e)) == NULL ||
	    index_stats(ix, s, &e) == -1) {
		log_warnx("metrics: %s", e.msg);
		return -1;
	}
	return 0;
}

int
ep_metrics(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	const char *names[METRICS_ENDPOINTS];
	struct metrics_data *d;
	struct index_stats s;
	struct buf out;
	size_t i;
	int have, rc;

	if (ep_metrics_allowed(px, r, e) == -1)
		return -1;
	memset(names, 0, sizeof(names));
	for (i = 0; i < ROUTE_MAX; i++)
		names[i] = request_route_name((enum route)i);
	if ((d = malloc(sizeof(*d))) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	have = ep_metrics_read(px, d, &s) == 0;
	buf_init(&out, EP_METRICS_MAX);
	rc = metrics_format(d, have ? &s : NULL, names, &out, e);
	free(d);
	if (rc == 0)
		rc = response_body(rs, 200, "text/plain; version=0.0.4; "
		    "charset=utf-8", CACHE_NONE, out.data, out.len);
	buf_free(&out);
	return rc;
}

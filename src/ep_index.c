/*
 * ep_index.c: /index?since=&limit=, the index.golang.org feed.
 *
 * Newline-delimited JSON, one {"Path","Version","Timestamp"} per stored
 * version in the order it was stored, from "since" (RFC 3339, inclusive)
 * on, at most "limit" lines.  Timestamps have nanoseconds, so a client
 * that pages with the last Timestamp it saw repeats at most the rows of
 * that one instant, as with index.golang.org.
 *
 * With [access] rules, the feed holds only what the request's user may
 * see (auth_keep): rows of hidden modules are read past, so "limit" lines
 * come back while visible rows remain, and the last Timestamp a client
 * pages with is a visible row's.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "http.h"

int
ep_index(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	char arg[128], ts[64];
	struct index_version *rows;
	struct auth_view view;
	struct json_object *o;
	struct index *ix;
	struct buf body;
	int64_t since = 0;
	long limit = px->cfg.index_limit;
	size_t n, i;
	int rc, filter;

	if ((rc = request_query_get(r->query, "limit", arg, sizeof(arg))) ==
	    -1 || (rc == 1 && request_query_long(arg, 1, px->cfg.index_max_limit,
	    &limit) == -1))
		return err_set(e, E_BADREQ, "limit must be an integer from 1 "
		    "to %ld", px->cfg.index_max_limit);
	if ((rc = request_query_get(r->query, "since", arg, sizeof(arg))) ==
	    -1 || (rc == 1 && arg[0] != '\0' &&
	    rfc3339_parse(arg, &since) == -1))
		return err_set(e, E_BADREQ, "since must be an RFC 3339 time");
	if ((ix = proxy_index(px, e)) == NULL)
		return -1;
	proxy_catch_up(px, ix);
	filter = auth_view(px->acl, r, &view, rs);
	if (index_since_kept(ix, since, limit, filter ? auth_keep : NULL,
	    &view, &rows, &n, e) == -1)
		return -1;
	buf_init(&body, (size_t)-1);
	for (i = 0; i < n; i++) {
		rfc3339_format(rows[i].stored, ts, sizeof(ts));
		o = json_object_new_object();
		json_object_object_add(o, "Path",
		    json_object_new_string(rows[i].module));
		json_object_object_add(o, "Version",
		    json_object_new_string(rows[i].version));
		json_object_object_add(o, "Timestamp",
		    json_object_new_string(ts));
		buf_printf(&body, e, "%s\n", json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	free(rows);
	response_body(rs, 200, "application/x-ndjson; charset=utf-8",
	    CACHE_NONE, body.data ? body.data : "", body.len);
	buf_free(&body);
	return 0;
}

/*
 * ep_index.c: /index?since=&limit=, the index.golang.org feed.
 *
 * Newline-delimited JSON, one {"Path","Version","Timestamp"} per stored
 * version in the order it was stored, from "since" (RFC 3339, inclusive)
 * on, at most "limit" lines.  Timestamps have nanoseconds, so a client
 * that pages with the last Timestamp it saw repeats at most the rows of
 * that one instant, as with index.golang.org.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "http.h"

#define NS_PER_SEC	1000000000LL

/* n decimal digits at *p into *out; advances *p. */
static int
ep_index_digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return 0;
}

static int
ep_index_expect(const char **p, const char *chars)
{
	if (**p == '\0' || strchr(chars, **p) == NULL)
		return -1;
	(*p)++;
	return 0;
}

/* RFC 3339 date-time to nanoseconds since the epoch. */
int
ep_index_parse_time(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	int64_t ns = 0, scale = NS_PER_SEC;
	struct tm tm;
	time_t t;

	if (ep_index_digits(&s, 4, &y) || ep_index_expect(&s, "-") ||
	    ep_index_digits(&s, 2, &mo) || ep_index_expect(&s, "-") ||
	    ep_index_digits(&s, 2, &d) || ep_index_expect(&s, "Tt") ||
	    ep_index_digits(&s, 2, &h) || ep_index_expect(&s, ":") ||
	    ep_index_digits(&s, 2, &mi) || ep_index_expect(&s, ":") ||
	    ep_index_digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9') {
			if (scale > 1) {
				scale /= 10;
				ns += (*s - '0') * scale;
			}
			s++;
		}
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (ep_index_digits(&s, 2, &oh) || ep_index_expect(&s, ":") ||
		    ep_index_digits(&s, 2, &om))
			return -1;
	} else
		return -1;
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || oh > 23 || om > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	t -= (time_t)sign * (oh * 3600 + om * 60);
	/* Nanoseconds in an int64_t reach the year 2262: clamp beyond. */
	if (t >= (time_t)(INT64_MAX / NS_PER_SEC))
		*out = INT64_MAX;
	else if (t <= (time_t)(INT64_MIN / NS_PER_SEC))
		*out = INT64_MIN;
	else
		*out = (int64_t)t * NS_PER_SEC + ns;
	return 0;
}

/* Nanoseconds to RFC 3339 UTC with the fraction trimmed of zeros. */
void
ep_index_format_time(int64_t ns, char *out, size_t outsz)
{
	time_t t = (time_t)(ns / NS_PER_SEC);
	long frac = (long)(ns % NS_PER_SEC);
	struct tm tm;
	size_t n;
	int i;

	gmtime_r(&t, &tm);
	n = strftime(out, outsz, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac > 0 && n + 11 < outsz) {
		n += (size_t)snprintf(out + n, outsz - n, ".%09ld", frac);
		for (i = 0; i < 8 && out[n - 1] == '0'; i++)
			out[--n] = '\0';
	}
	snprintf(out + n, outsz - n, "Z");
}

int
ep_index(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	char arg[128], ts[64];
	struct index_version *rows;
	struct json_object *o;
	struct index *ix;
	struct buf body;
	int64_t since = 0;
	long limit = px->cfg.index_limit;
	size_t n, i;
	int rc;

	if ((rc = request_query_get(r->query, "limit", arg, sizeof(arg))) ==
	    -1 || (rc == 1 && ep_parse_long(arg, 1, px->cfg.index_max_limit,
	    &limit) == -1))
		return err_set(e, E_BADREQ, "limit must be an integer from 1 "
		    "to %ld", px->cfg.index_max_limit);
	if ((rc = request_query_get(r->query, "since", arg, sizeof(arg))) ==
	    -1 || (rc == 1 && arg[0] != '\0' &&
	    ep_index_parse_time(arg, &since) == -1))
		return err_set(e, E_BADREQ, "since must be an RFC 3339 time");
	if ((ix = proxy_index(px, e)) == NULL)
		return -1;
	if (index_since(ix, since, limit, &rows, &n, e) == -1)
		return -1;
	buf_init(&body, (size_t)-1);
	for (i = 0; i < n; i++) {
		ep_index_format_time(rows[i].stored, ts, sizeof(ts));
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

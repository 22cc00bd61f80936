/*
 * test_conditional.c: conditional GET (conditional.c): If-None-Match's
 * weak comparison and its list syntax, the three HTTP-date forms, and
 * the order of the two preconditions (If-None-Match decides when
 * present).  Malformed or oversized headers count as absent: never a
 * 304 for them.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "piraeus.h"
#include "tap.h"

#define SUNDAY	784111777	/* Sun, 06 Nov 1994 08:49:37 GMT */

static const struct {
	const char	*list;		/* If-None-Match */
	const char	*etag;		/* the answer's */
	int		 match;
} tags[] = {
	{ "\"a\"", "\"a\"", 1 },
	{ "W/\"a\"", "\"a\"", 1 },		/* weak comparison */
	{ "\"a\"", "W/\"a\"", 1 },
	{ "W/\"a\"", "W/\"a\"", 1 },
	{ "\"b\", \"a\"", "\"a\"", 1 },
	{ "\"b\",\"a\"", "\"a\"", 1 },
	{ " \t\"b\" ,\t W/\"a\" ", "\"a\"", 1 },
	{ "*", "\"a\"", 1 },
	{ " * ", "W/\"x-1\"", 1 },
	{ "\"b\"", "\"a\"", 0 },
	{ "\"A\"", "\"a\"", 0 },		/* case matters */
	{ "\"ab\"", "\"a\"", 0 },
	{ "\"\"", "\"\"", 1 },
	{ "", "\"a\"", 0 },
	{ "a", "\"a\"", 0 },			/* not quoted */
	{ "\"a", "\"a\"", 0 },			/* unclosed */
	{ "\"b\" \"a\"", "\"a\"", 0 },		/* no comma: malformed */
	{ "\"b\",", "\"a\"", 0 },
	{ "w/\"a\"", "\"a\"", 0 },		/* "W/" is upper case */
	{ "\"a b\"", "\"a b\"", 0 },		/* a space is no etagc */
	{ "\"a\x01\"", "\"a\x01\"", 0 },	/* nor a control */
	{ "\"b\", *", "\"a\"", 0 },		/* "*" only alone */
	{ "\"a\" junk", "\"a\"", 0 },		/* malformed after a match */
	{ "\"a\", junk", "\"a\"", 0 },
	{ "\"a\"", "a", 0 },			/* the answer's is bad */
	{ "\"a\"", NULL, 0 },
	{ NULL, "\"a\"", 0 },
};

static const struct {
	const char	*s;
	int		 ok;
	time_t		 t;
} dates[] = {
	{ "Sun, 06 Nov 1994 08:49:37 GMT", 1, SUNDAY },	/* IMF-fixdate */
	{ "Sunday, 06-Nov-94 08:49:37 GMT", 1, SUNDAY },	/* RFC 850 */
	{ "Sun Nov  6 08:49:37 1994", 1, SUNDAY },		/* asctime */
	{ "Sun, 06 Nov 1994 08:49:37 GMT ", 1, SUNDAY },	/* OWS after */
	{ "Thu, 01 Jan 1970 00:00:00 GMT", 1, 0 },
	{ "Sun, 06 Nov 1994 08:49:37 PST", 0, 0 },
	{ "Sun, 06 Nov 1994 08:49:37", 0, 0 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT garbage", 0, 0 },
	{ "1994-11-06T08:49:37Z", 0, 0 },
	{ "Sun, 32 Nov 1994 08:49:37 GMT", 0, 0 },
	{ "", 0, 0 },
};

int
main(void)
{
	char big[2048], many[64 * 8 + 64], msg[128];
	size_t i, n;
	time_t t;

	for (i = 0; i < NITEMS(tags); i++) {
		snprintf(msg, sizeof(msg), "If-None-Match [%s] vs %s: %s",
		    tags[i].list ? tags[i].list : "(none)",
		    tags[i].etag ? tags[i].etag : "(none)",
		    tags[i].match ? "match" : "no match");
		is_int(conditional_etag_match(tags[i].list, tags[i].etag),
		    tags[i].match, msg);
	}
	/* Caps: a header over 1024 bytes, a 65th tag. */
	memset(big, ' ', sizeof(big));
	memcpy(big + sizeof(big) - 4, "\"a\"", 4);
	is_int(conditional_etag_match(big, "\"a\""), 0,
	    "an If-None-Match over 1024 bytes is absent");
	for (i = 0, n = 0; i < 64; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "\"%zu\",", i);
	snprintf(many + n, sizeof(many) - n, "\"a\"");
	is_int(conditional_etag_match(many, "\"a\""), 0,
	    "a list of 65 entity tags is absent");
	many[n - 1] = '\0';
	is_int(conditional_etag_match(many, "\"63\""), 1,
	    "the 64th is");

	for (i = 0; i < NITEMS(dates); i++) {
		t = -2;
		snprintf(msg, sizeof(msg), "HTTP-date [%s]: %s", dates[i].s,
		    dates[i].ok ? "read" : "refused");
		is_int(conditional_date(dates[i].s, &t), dates[i].ok ? 0 : -1,
		    msg);
		if (dates[i].ok)
			is_int((long long)t, (long long)dates[i].t,
			    "its time");
	}

	/* The two preconditions together. */
	is_int(conditional_unchanged(NULL, NULL, "\"a\"", SUNDAY), 0,
	    "no validator: sent");
	is_int(conditional_unchanged("\"a\"", NULL, "\"a\"", -1), 1,
	    "If-None-Match matches: 304");
	is_int(conditional_unchanged("\"b\"",
	    "Sun, 06 Nov 1994 08:49:37 GMT", "\"a\"", SUNDAY), 0,
	    "If-None-Match decides when present (a date that would match)");
	is_int(conditional_unchanged("\"a\"",
	    "Thu, 01 Jan 1970 00:00:00 GMT", "\"a\"", SUNDAY), 1,
	    "If-None-Match decides when present (a date that would not)");
	is_int(conditional_unchanged("", "Sun, 06 Nov 1994 08:49:37 GMT",
	    "\"a\"", SUNDAY), 1, "an empty If-None-Match is absent");
	is_int(conditional_unchanged(NULL, "Sun, 06 Nov 1994 08:49:37 GMT",
	    "\"a\"", SUNDAY), 1, "If-Modified-Since at the time: 304");
	is_int(conditional_unchanged(NULL, "Sun, 06 Nov 1994 08:49:37 GMT",
	    "\"a\"", SUNDAY - 1), 1, "after the time: 304");
	is_int(conditional_unchanged(NULL, "Sun, 06 Nov 1994 08:49:37 GMT",
	    "\"a\"", SUNDAY + 1), 0, "before the time: sent");
	is_int(conditional_unchanged(NULL, "Sun, 06 Nov 1994 08:49:37 GMT",
	    "\"a\"", -1), 0, "an answer with no time: sent");
	is_int(conditional_unchanged(NULL, "Fri, 01 Jan 2100 00:00:00 GMT",
	    "\"a\"", SUNDAY), 0, "a date after the server's clock: sent");
	is_int(conditional_unchanged(NULL, "yesterday", "\"a\"", SUNDAY), 0,
	    "a bad date: sent");
	return tap_done();
}

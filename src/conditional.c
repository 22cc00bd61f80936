/*
 * conditional.c: conditional GET (RFC 9110, section 13): whether a
 * client's If-None-Match or If-Modified-Since says the copy it has is
 * the one the responder would send, so that a 304 with no body answers.
 *
 * Only the two preconditions of a cache's revalidation are evaluated,
 * in the RFC's order: If-None-Match when present (weak comparison: "W/"
 * ignored on both sides, "*" matches any), else If-Modified-Since
 * (an HTTP-date in any of the three forms a recipient must accept; the
 * file is unmodified when its time is not after the date; a date later
 * than the server's clock is ignored, as RFC 9110 13.1.3 asks).  A header
 * longer than CONDITIONAL_HEADER_MAX or malformed anywhere counts as
 * absent: the full answer is always a correct answer, a wrong 304 never
 * is.  The clock is the caller's: the time of the file, or -1 when the
 * answer has none (only If-None-Match can then match).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "piraeus.h"

#define CONDITIONAL_HEADER_MAX	1024	/* If-None-Match / If-Modified-Since */
#define CONDITIONAL_TAGS_MAX	64	/* entity tags read of one list */

/* p past optional whitespace (OWS: space and tab). */
static const char *
conditional_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The opaque tag of etag (its quoted part, "W/" dropped) as [*tag, +len):
 * 0, or -1 when etag is no entity tag (etagc: 0x21, 0x23-0x7e, 0x80-0xff). */
static int
conditional_opaque(const char *etag, const char **tag, size_t *len)
{
	const unsigned char *p;

	if (strncmp(etag, "W/", 2) == 0)
		etag += 2;
	if (*etag != '"')
		return -1;
	for (p = (const unsigned char *)etag + 1; *p != '"'; p++)
		if (*p != 0x21 && (*p < 0x23 || *p == 0x7f))
			return -1;	/* also the NUL of an unclosed tag */
	*tag = etag;
	*len = (size_t)((const char *)p + 1 - etag);
	return 0;
}

/* See piraeus.h: does If-None-Match list match etag, weakly? */
int
conditional_etag_match(const char *list, const char *etag)
{
	const char *want, *tag;
	size_t wlen, tlen, n;
	int match = 0;

	if (list == NULL || etag == NULL ||
	    strlen(list) > CONDITIONAL_HEADER_MAX ||
	    conditional_opaque(etag, &want, &wlen) == -1)
		return 0;
	list = conditional_ows(list);
	if (*list == '*' && *conditional_ows(list + 1) == '\0')
		return 1;
	/* The whole list is read: a match counts only in a valid one. */
	for (n = 0; *list != '\0'; n++) {
		if (n == CONDITIONAL_TAGS_MAX ||
		    conditional_opaque(list, &tag, &tlen) == -1)
			return 0;	/* malformed or too long: absent */
		if (tlen == wlen && memcmp(tag, want, wlen) == 0)
			match = 1;
		list = conditional_ows(tag + tlen);
		if (*list == '\0')
			break;
		if (*list != ',')
			return 0;
		list = conditional_ows(list + 1);
	}
	return match;
}

/* See piraeus.h: an HTTP-date into *t (seconds since the epoch, UTC). */
int
conditional_date(const char *s, time_t *t)
{
	static const char *const forms[] = {
		"%a, %d %b %Y %H:%M:%S GMT",	/* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",	/* obsolete RFC 850 */
		"%a %b %e %H:%M:%S %Y",		/* asctime */
	};
	struct tm tm;
	const char *end;
	size_t i;

	if (s == NULL || strlen(s) > CONDITIONAL_HEADER_MAX)
		return -1;
	for (i = 0; i < NITEMS(forms); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, forms[i], &tm);
		if (end == NULL || *conditional_ows(end) != '\0')
			continue;
		if ((*t = timegm(&tm)) == (time_t)-1)
			return -1;
		return 0;
	}
	return -1;
}

/* See piraeus.h: is the client's copy the one that would be sent? */
int
conditional_unchanged(const char *if_none_match, const char *if_modified,
    const char *etag, time_t mtime)
{
	time_t since;

	if (if_none_match != NULL && *if_none_match != '\0')
		return etag != NULL && conditional_etag_match(if_none_match,
		    etag);
	/* A date after this server's clock is no date a copy of ours has. */
	if (if_modified == NULL || mtime < 0 ||
	    conditional_date(if_modified, &since) == -1 ||
	    since > time(NULL))
		return 0;
	return mtime <= since;
}

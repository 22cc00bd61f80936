/*
 * testhttp.h: what a responder wrote, as the unit tests see it.  capture
 * is the write callback of a struct io: it appends to out (outlen bytes,
 * NUL-terminated; reset outlen to 0 before each answer).  header and body
 * read the captured answer.
 */
#ifndef TESTHTTP_H
#define TESTHTTP_H

#include <stdio.h>
#include <string.h>

#define TESTHTTP_OUT_MAX	(256 * 1024)	/* one captured answer */

static char	out[TESTHTTP_OUT_MAX];
static size_t	outlen;

/* Append n bytes at p to out; -1 (a failed write) when they do not fit. */
static int
capture(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	if (n > sizeof(out) - 1 - outlen)
		return -1;
	memcpy(out + outlen, p, n);
	outlen += n;
	out[outlen] = '\0';
	return 0;
}

/* The value of header name in out (a static buffer), or "" when absent. */
static const char *
header(const char *name)
{
	static char v[512];
	const char *p, *end = strstr(out, "\r\n\r\n");
	size_t n = strlen(name);

	v[0] = '\0';
	for (p = out; end != NULL && p < end; p = strstr(p, "\r\n") + 2)
		if (strncmp(p, name, n) == 0 && p[n] == ':' &&
		    p[n + 1] == ' ') {
			p += n + 2;
			snprintf(v, sizeof(v), "%.*s",
			    (int)(strstr(p, "\r\n") - p), p);
			break;
		}
	return v;
}

/* The body after the headers (in out), and its length in *len. */
static inline const char *
body(size_t *len)
{
	const char *p = strstr(out, "\r\n\r\n");

	if (p == NULL) {
		*len = 0;
		return "";
	}
	*len = outlen - (size_t)(p + 4 - out);
	return p + 4;
}

#endif

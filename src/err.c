/*
 * err.c: errors as values.
 *
 * A struct err carries a semantic code and one line of text.  The first
 * error recorded wins (the innermost, most specific one, as in curl's
 * error buffer); outer layers add context in the log, not here.  The only
 * place a code becomes an HTTP status is response.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "piraeus.h"

static const char *const err_names[] = {
	[E_OK] = "ok",
	[E_BADREQ] = "bad request",
	[E_NOTFOUND] = "not found",
	[E_GONE] = "gone",
	[E_FORBIDDEN] = "forbidden",
	[E_METHOD] = "method not allowed",
	[E_TOOBIG] = "too big",
	[E_UPSTREAM] = "upstream error",
	[E_TIMEOUT] = "timeout",
	[E_UNAVAIL] = "unavailable",
	[E_CONFIG] = "configuration error",
	[E_INTERNAL] = "internal error",
	[E_UNAUTHORIZED] = "unauthorized",
};

/* Strip CR/LF and other control bytes so the message stays one line. */
static void
err_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

/*
 * The errno values that say the storage (or state) cannot take a write
 * now: a read-only file system, a full disk, a spent quota.  They are the
 * operator's condition, not a fault of the program: 503, with the reason.
 */
static const int err_unavail_errnos[] = { EROFS, ENOSPC, EDQUOT };

enum errc
err_errno_code(enum errc code, int errnum)
{
	size_t i;

	if (code != E_INTERNAL)
		return code;
	for (i = 0; i < NITEMS(err_unavail_errnos); i++)
		if (errnum == err_unavail_errnos[i])
			return E_UNAVAIL;
	return code;
}

static int
err_vset(struct err *e, enum errc code, int with_errno, const char *fmt,
    va_list ap)
{
	int saved = errno;
	size_t len;

	if (e == NULL || e->code != E_OK)
		return -1;
	e->code = with_errno ? err_errno_code(code, saved) : code;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (with_errno) {
		len = strlen(e->msg);
		snprintf(e->msg + len, sizeof(e->msg) - len, ": %s",
		    strerror(saved));
	}
	err_sanitize(e->msg);
	errno = saved;
	return -1;
}

int
err_set(struct err *e, enum errc code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, code, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_errno(struct err *e, enum errc code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, code, 1, fmt, ap);
	va_end(ap);
	return -1;
}

void
err_clear(struct err *e)
{
	e->code = E_OK;
	e->msg[0] = '\0';
}

const char *
err_name(enum errc code)
{
	if ((size_t)code >= NITEMS(err_names))
		return "unknown";
	return err_names[code];
}

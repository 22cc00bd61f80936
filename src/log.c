/*
 * log.c: logging to stderr.
 *
 * Under FastCGI and CGI stderr is the web server's error log; under the
 * command line it is the terminal.  One line per message, prefixed with
 * the program name and pid.  fatal/fatalx are for startup and the CLI only.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "piraeus.h"

static const char	*log_ident = "piraeus";
static enum log_level	 log_lvl = LOG_LVL_INFO;

void
log_init(const char *ident, enum log_level level)
{
	log_ident = ident;
	log_lvl = level;
}

void
log_set_level(enum log_level level)
{
	log_lvl = level;
}

static void
log_vwrite(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno;

	if (level > log_lvl)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno)
		fprintf(stderr, "%s[%ld]: %s: %s\n", log_ident, (long)getpid(),
		    msg, strerror(saved));
	else
		fprintf(stderr, "%s[%ld]: %s\n", log_ident, (long)getpid(), msg);
	fflush(stderr);
	errno = saved;
}

#define LOG_FN(name, level, with_errno)				\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
	va_start(ap, fmt);					\
	log_vwrite(level, with_errno, fmt, ap);			\
	va_end(ap);						\
}
LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_debug, LOG_LVL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

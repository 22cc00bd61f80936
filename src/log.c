/*
 * log.c: logging to stderr or a file, plain or JSON.
 *
 * Under FastCGI and CGI stderr is the web server's error log; under the
 * command line it is the terminal; [server] log_file sends the lines to
 * a file instead (appended: several responders share it, each line one
 * write).  Plain: one line per message, prefixed with the program name
 * and pid; JSON ([server] log_format = json): one object per line.
 * Structured lines (the access line) are formatted here too, escaping
 * every value (a path is the client's bytes).  fatal/fatalx are for
 * startup and the CLI only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"

static const char	*log_ident = "piraeus";
static enum log_level	 log_lvl = LOG_LVL_INFO;
static enum log_format	 log_fmt = LOG_FMT_PLAIN;
static int		 log_fd = STDERR_FILENO;

static const char *const log_level_names[] = {
	[LOG_LVL_ERROR] = "error", [LOG_LVL_WARN] = "warn",
	[LOG_LVL_INFO] = "info", [LOG_LVL_DEBUG] = "debug",
};

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

int
log_configure(const char *path, enum log_format fmt)
{
	int fd;

	log_fmt = fmt;
	if (path == NULL || path[0] == '\0')
		return 0;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) == -1)
		return -1;
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = fd;
	return 0;
}

/* Now as RFC 3339 UTC with milliseconds into out. */
static void
log_now(char *out, size_t outsz)
{
	struct timespec ts;
	struct tm tm;
	char day[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outsz, "%s.%03ldZ", day, ts.tv_nsec / 1000000);
}

/* A bounded line under construction: full once a unit did not fit. */
struct log_out {
	char	*p;
	size_t	 n, cap;	/* cap leaves room for the closing bytes */
	int	 full;
};

/* Append s (len bytes) whole, or nothing and full. */
static void
log_put(struct log_out *o, const char *s, size_t len)
{
	if (o->full || o->n + len > o->cap) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->n, s, len);
	o->n += len;
}

static void
log_puts(struct log_out *o, const char *s)
{
	log_put(o, s, strlen(s));
}

/* s escaped for a JSON string: \" \\ and every byte below 0x20 or
 * above 0x7e as \u00NN (bytes, not characters: the line stays valid
 * JSON whatever the client sent). */
static int
log_json_str(struct log_out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	char esc[7];

	log_put(o, "\"", 1);
	if (o->full)
		return -1;
	for (; *u != '\0' && !o->full; u++) {
		if (*u == '"' || *u == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*u;
			log_put(o, esc, 2);
		} else if (*u < 0x20 || *u > 0x7e) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[*u >> 4];
			esc[5] = hex[*u & 0xf];
			log_put(o, esc, 6);
		} else
			log_put(o, (const char *)u, 1);
	}
	o->full = 0;		/* the closing quote has its reserved room */
	o->cap += 1;
	log_put(o, "\"", 1);
	o->cap -= 1;
	return 0;
}

/* s for a plain line: as it is when it has only printable ASCII other
 * than space, quote and backslash (and is not empty), else quoted with
 * those escaped \xNN. */
static int
log_plain_str(struct log_out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u;
	char esc[4];
	int bare = s[0] != '\0';

	for (u = (const unsigned char *)s; *u != '\0'; u++)
		if (*u <= ' ' || *u > '~' || *u == '"' || *u == '\\')
			bare = 0;
	if (bare) {
		log_puts(o, s);
		return o->full ? -1 : 0;
	}
	log_put(o, "\"", 1);
	if (o->full)
		return -1;
	for (u = (const unsigned char *)s; *u != '\0' && !o->full; u++) {
		if (*u <= ' ' || *u > '~' || *u == '"' || *u == '\\') {
			if (*u == ' ') {
				log_put(o, " ", 1);
				continue;
			}
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[*u >> 4];
			esc[3] = hex[*u & 0xf];
			log_put(o, esc, 4);
		} else
			log_put(o, (const char *)u, 1);
	}
	o->full = 0;
	o->cap += 1;
	log_put(o, "\"", 1);
	o->cap -= 1;
	return 0;
}

size_t
log_format_fields(enum log_format fmt, const char *level, const char *kind,
    const char *time, const struct log_field *f, size_t n, char *out,
    size_t outsz)
{
	struct log_out o = { out, 0, 0, 0 };
	char num[32];
	size_t i, mark;
	int rc;

	if (outsz < 16) {
		if (outsz > 0)
			out[0] = '\0';
		return 0;
	}
	o.cap = outsz - 4;	/* a closing quote, "}", "\n", NUL */
	if (fmt == LOG_FMT_JSON) {
		log_puts(&o, "{\"time\":");
		log_json_str(&o, time);
		log_puts(&o, ",\"level\":");
		log_json_str(&o, level);
		log_puts(&o, ",\"type\":");
		log_json_str(&o, kind);
	} else {
		for (i = 0; kind[i] != '\0' && i < 16; i++)
			num[i] = (char)(kind[i] >= 'a' && kind[i] <= 'z' ?
			    kind[i] - 'a' + 'A' : kind[i]);
		num[i] = '\0';
		log_puts(&o, num);
	}
	/* A field goes whole (a string value may be cut, still quoted), or
	 * not at all: the line is never left with half a field. */
	for (i = 0; i < n && !o.full; i++) {
		mark = o.n;
		log_puts(&o, fmt == LOG_FMT_JSON ? ",\"" : " ");
		log_puts(&o, f[i].key);
		log_puts(&o, fmt == LOG_FMT_JSON ? "\":" : "=");
		if (f[i].s == NULL) {
			snprintf(num, sizeof(num), "%lld", f[i].n);
			log_puts(&o, num);
			rc = o.full ? -1 : 0;
		} else if (o.full)
			rc = -1;
		else if (fmt == LOG_FMT_JSON)
			rc = log_json_str(&o, f[i].s);
		else
			rc = log_plain_str(&o, f[i].s);
		if (rc == -1) {
			o.n = mark;
			break;
		}
	}
	o.cap = outsz - 1;
	o.full = 0;
	if (fmt == LOG_FMT_JSON)
		log_put(&o, "}", 1);
	log_put(&o, "\n", 1);
	out[o.n] = '\0';
	return o.n;
}

/* Write one whole line (one write: lines of several processes do not
 * mix in an O_APPEND file or a pipe). */
static void
log_emit(const char *line, size_t len)
{
	ssize_t w;

	do
		w = write(log_fd, line, len);
	while (w == -1 && errno == EINTR);
}

static void
log_vwrite(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char msg[1024], full[1400], line[LOG_LINE_MAX], now[64];
	struct log_field f[2];
	int saved = errno, n;

	if (level > log_lvl)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno)
		snprintf(full, sizeof(full), "%s: %s", msg, strerror(saved));
	else
		snprintf(full, sizeof(full), "%s", msg);
	if (log_fmt == LOG_FMT_JSON) {
		log_now(now, sizeof(now));
		f[0].key = "pid";
		f[0].s = NULL;
		f[0].n = (long long)getpid();
		f[1].key = "msg";
		f[1].s = full;
		log_emit(line, log_format_fields(LOG_FMT_JSON,
		    log_level_names[level], "log", now, f, 2, line,
		    sizeof(line)));
	} else {
		n = snprintf(line, sizeof(line), "%s[%ld]: %s\n", log_ident,
		    (long)getpid(), full);
		if (n < 0)
			n = 0;
		if ((size_t)n >= sizeof(line))
			n = (int)sizeof(line) - 1;
		log_emit(line, (size_t)n);
	}
	errno = saved;
}

void
log_access(const struct log_field *f, size_t n)
{
	char line[LOG_LINE_MAX], now[64];

	if (log_lvl < LOG_LVL_INFO)
		return;
	log_now(now, sizeof(now));
	log_emit(line, log_format_fields(log_fmt, "info", "access", now, f, n,
	    line, sizeof(line)));
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

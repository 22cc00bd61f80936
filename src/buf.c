/*
 * buf.c: a growable byte buffer with a hard cap.
 *
 * Used for everything whose size someone else controls (request bodies,
 * upstream answers, files read from storage).  Growing past the cap given
 * to buf_init is E_TOOBIG, never a silent truncation.  The data is kept
 * NUL-terminated so text can be used as a C string.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

/* Make room for n more bytes plus the NUL. */
static int
buf_grow(struct buf *b, size_t n, struct err *e)
{
	size_t want, cap;

	if (n > b->max || b->len > b->max - n)
		return err_set(e, E_TOOBIG, "more than %zu bytes", b->max);
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	b->data = xreallocarray(b->data, cap, 1);
	b->cap = cap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n, struct err *e)
{
	if (buf_grow(b, n, e) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s, struct err *e)
{
	return buf_append(b, s, strlen(s), e);
}

int
buf_printf(struct buf *b, struct err *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err_set(e, E_INTERNAL, "buf_printf: bad format");
	if (buf_grow(b, (size_t)n, e) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int
buf_read_fd(struct buf *b, int fd, size_t max, struct err *e)
{
	char chunk[16384];
	ssize_t n;

	buf_init(b, max);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			buf_free(b);
			return err_errno(e, E_INTERNAL, "read");
		}
		if (n == 0)
			break;
		if (buf_append(b, chunk, (size_t)n, e) == -1) {
			buf_free(b);
			return -1;
		}
	}
	if (b->data == NULL)
		buf_append(b, "", 0, e);
	return 0;
}

/*
 * Open path for reading only when it is a regular file (never through a
 * symbolic link): opened O_NONBLOCK so that a FIFO or a device does not
 * block the open, checked with fstat, then O_NONBLOCK cleared.  The fd,
 * or -1 and e set (E_NOTFOUND when missing, else E_INTERNAL, as a
 * failed read always was).
 */
int
buf_open_regular(const char *path, struct err *e)
{
	struct stat st;
	int fd, fl;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return err_errno(e, errno == ENOENT ? E_NOTFOUND : E_INTERNAL,
		    "open %s", path);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, E_INTERNAL, "%s: not a regular file", path);
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		close(fd);
		return err_errno(e, E_INTERNAL, "fcntl %s", path);
	}
	return fd;
}

/* Write all n bytes of p to fd, through short writes and EINTR: 0, or -1
 * with errno set. */
int
buf_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int
buf_read_file(struct buf *b, const char *path, size_t max, struct err *e)
{
	int fd, rc;

	buf_init(b, max);
	if ((fd = buf_open_regular(path, e)) == -1)
		return -1;
	rc = buf_read_fd(b, fd, max, e);
	close(fd);
	return rc;
}

int
buf_puts_html(struct buf *b, const char *s, struct err *e)
{
	static const struct {
		char		 c;
		const char	*ent;
	} ents[] = {
		{ '&', "&amp;" }, { '<', "&lt;" }, { '>', "&gt;" },
		{ '"', "&quot;" }, { '\'', "&#39;" },
	};
	const unsigned char *u = (const unsigned char *)s;
	size_t i;
	int rc = 0;

	for (; *u != '\0' && rc == 0; u++) {
		for (i = 0; i < NITEMS(ents); i++)
			if (*u == (unsigned char)ents[i].c)
				break;
		if (i < NITEMS(ents))
			rc = buf_puts(b, ents[i].ent, e);
		else if (*u < 0x20 || *u > 0x7e)
			rc = buf_append(b, "?", 1, e);
		else
			rc = buf_append(b, u, 1, e);
	}
	return rc;
}

/* read(2) until len bytes or the end (EINTR retried): the count, or -1. */
static ssize_t
buf_read_full(int fd, char *p, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if ((n = read(fd, p + got, len - got)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int
buf_same_file(const char *a, const char *b, struct err *e)
{
	char ca[BUF_CHUNK], cb[BUF_CHUNK];
	ssize_t na, nb;
	int fa, fb, same = -1;

	if ((fa = buf_open_regular(a, e)) == -1)
		return -1;
	if ((fb = open(b, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		close(fa);
		return 0;
	}
	for (;;) {
		na = buf_read_full(fa, ca, sizeof(ca));
		nb = buf_read_full(fb, cb, sizeof(cb));
		if (na < 0 || nb < 0) {
			err_errno(e, E_INTERNAL, "read %s", na < 0 ? a : b);
			break;
		}
		if (na != nb || memcmp(ca, cb, (size_t)na) != 0) {
			same = 0;
			break;
		}
		if (na == 0) {
			same = 1;
			break;
		}
	}
	close(fa);
	close(fb);
	return same;
}

long long
buf_copy_fd(int in, int out, long long max, const char *src,
    const char *dst, struct err *e)
{
	char chunk[BUF_CHUNK];
	long long total = 0;
	ssize_t n;

	for (;;) {
		if ((n = read(in, chunk, sizeof(chunk))) == -1 &&
		    errno == EINTR)
			continue;
		if (n == -1)
			return err_errno(e, E_INTERNAL, "read %s", src);
		if (n == 0)
			return total;
		if ((total += n) > max)
			return err_set(e, E_TOOBIG, "%s: larger than %lld "
			    "bytes", src, max);
		if (buf_write_all(out, chunk, (size_t)n) == -1)
			return err_errno(e, E_INTERNAL, "write %s", dst);
	}
}

/* See piraeus.h: the little-endian 16-bit value at p. */
uint16_t
buf_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* See piraeus.h: the little-endian 32-bit value at p. */
uint32_t
buf_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* See piraeus.h: the little-endian 64-bit value at p. */
uint64_t
buf_le64(const unsigned char *p)
{
	return (uint64_t)buf_le32(p) | (uint64_t)buf_le32(p + 4) << 32;
}

/* See piraeus.h: pread(2) of up to len bytes at off, to the end. */
ssize_t
buf_pread(int fd, uint64_t off, void *p, size_t len)
{
	size_t got = 0;
	ssize_t n;

	if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
		return 0;
	while (got < len) {
		n = pread(fd, (char *)p + got, len - got, (off_t)(off + got));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

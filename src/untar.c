/*
 * untar.c: reading a tar archive into a new directory.
 *
 * The reader for what an offline site is carried (piraeus vulndb import
 * TARBALL): POSIX ustar with the pax "path" record for long names (what
 * tar.c, GNU tar and bsdtar write), or GNU tar's own format; plain or
 * gzip-compressed (zlib's gzread reads both).  Everything in it is
 * hostile: only regular files and directories are made, below a
 * directory made here for the purpose;
 * an absolute name, a ".." element, a link, a device, a FIFO, a name
 * longer than TAR_NAME_MAX or a file named twice is refused; sizes are
 * capped per file and in all, entries by UNTAR_ENTRIES_MAX; files are
 * created O_EXCL|O_NOFOLLOW and directories are made by name only, so
 * nothing is written outside dest.  GNU long names ('L', what GNU tar's
 * default format writes for a name over 100 bytes) are taken as a pax
 * "path" is; global pax headers are ignored; GNU long link names ('K'),
 * sparse files and every other type are refused.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "piraeus.h"

#define UNTAR_BLOCK	512
#define UNTAR_PAX_MAX	(64 * 1024)	/* a pax extended header */
#define UNTAR_CHUNK	65536		/* bytes read or written at a time */

/* One archive being read. */
struct untar {
	gzFile		 z;
	const char	*dest;
	long long	 file_max, total_max, total;
	char		 path[TAR_NAME_MAX + 1];	/* from a pax header */
};

/* Exactly n bytes (n a multiple of the block, or the rest of one). */
static int
untar_read(struct untar *t, void *p, size_t n, struct err *e)
{
	int r;

	while (n > 0) {
		r = gzread(t->z, p, n > UNTAR_CHUNK ? UNTAR_CHUNK : (unsigned)n);
		if (r <= 0)
			return err_set(e, E_BADREQ, "tar: %s",
			    r == 0 ? "truncated" : "unreadable (bad gzip?)");
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

/* An octal field: the value, or -1 when malformed. */
static long long
untar_octal(const char *f, size_t n)
{
	long long v = 0;
	size_t i = 0;

	while (i < n && f[i] == ' ')
		i++;
	if (i == n || f[i] < '0' || f[i] > '7')
		return -1;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (LLONG_MAX >> 3))
			return -1;
		v = v * 8 + (f[i] - '0');
	}
	if (i < n && f[i] != ' ' && f[i] != '\0')
		return -1;
	return v;
}

/* 0 when name is relative, with no "", "." or ".." element (a trailing
 * "/" allowed for directories), no control byte. */
static int
untar_clean(const char *name)
{
	const char *p, *el = name;
	size_t n;

	if (name[0] == '\0' || name[0] == '/')
		return -1;
	for (p = name; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f || *p == '\\')
			return -1;
	for (;;) {
		n = strcspn(el, "/");
		if ((n == 0 && el[n] != '\0') || (n == 1 && el[0] == '.') ||
		    (n == 2 && el[0] == '.' && el[1] == '.'))
			return -1;
		if (el[n] == '\0')
			return 0;
		el += n + 1;
		if (*el == '\0')
			return 0;	/* "dir/" */
	}
}

/* The pax records of a header's body: "path=" kept, "size=" refused (only
 * a file over 8 GiB needs one), the others ignored. */
static int
untar_pax(struct untar *t, long long size, struct err *e)
{
	char *b, *p, *q, *end;
	long long len;
	size_t padded;

	if (size > UNTAR_PAX_MAX)
		return err_set(e, E_BADREQ, "tar: a pax header of %lld bytes",
		    size);
	padded = ((size_t)size + UNTAR_BLOCK - 1) / UNTAR_BLOCK * UNTAR_BLOCK;
	b = xmalloc(padded + 1);
	if (untar_read(t, b, padded, e) == -1) {
		free(b);
		return -1;
	}
	b[size] = '\0';
	for (p = b, end = b + size; p < end; p += len) {
		len = 0;
		for (q = p; q < end && *q >= '0' && *q <= '9'; q++) {
			if (len > UNTAR_PAX_MAX)
				break;
			len = len * 10 + (*q - '0');
		}
		if (q == p || q >= end || *q != ' ' || len <= q - p + 1 ||
		    len > end - p || p[len - 1] != '\n') {
			free(b);
			return err_set(e, E_BADREQ, "tar: a bad pax record");
		}
		p[len - 1] = '\0';
		if (strncmp(q + 1, "size=", 5) == 0) {
			/* a file of 8 GiB or more: over every cap, and its
			 * header's size is not the one that holds */
			free(b);
			return err_set(e, E_BADREQ, "tar: a pax size record "
			    "(a file over the cap)");
		}
		if (strncmp(q + 1, "path=", 5) == 0) {
			if (strlen(q + 6) > TAR_NAME_MAX) {
				free(b);
				return err_set(e, E_BADREQ, "tar: a name of "
				    "more than %d bytes", TAR_NAME_MAX);
			}
			memcpy(t->path, q + 6, strlen(q + 6) + 1);
		}
	}
	free(b);
	return 0;
}

/*
 * A GNU long name ('L'): its body, size bytes (the name and its NUL, at
 * most TAR_NAME_MAX + 1), is the next entry's name, kept in t->path as a
 * pax "path" is (and checked as any name when that entry comes).
 */
static int
untar_longname(struct untar *t, long long size, struct err *e)
{
	char b[((TAR_NAME_MAX + 1) / UNTAR_BLOCK + 1) * UNTAR_BLOCK];
	size_t padded, n, i;

	if (size < 1 || size > TAR_NAME_MAX + 1)
		return err_set(e, E_BADREQ, "tar: a GNU long name of %lld "
		    "bytes (at most %d)", size, TAR_NAME_MAX);
	padded = ((size_t)size + UNTAR_BLOCK - 1) / UNTAR_BLOCK * UNTAR_BLOCK;
	if (untar_read(t, b, padded, e) == -1)
		return -1;
	n = strnlen(b, (size_t)size);
	if (n == 0 || n > TAR_NAME_MAX)
		return err_set(e, E_BADREQ, "tar: an empty GNU long name");
	for (i = n; i < (size_t)size; i++)
		if (b[i] != '\0')
			return err_set(e, E_BADREQ, "tar: a GNU long name with "
			    "a NUL inside");
	memcpy(t->path, b, n);
	t->path[n] = '\0';
	return 0;
}

/* Make the directories of name below dest (name clean). */
static int
untar_mkdirs(const struct untar *t, const char *name, int all, struct err *e)
{
	char path[TAR_NAME_MAX + PATH_MAX];
	size_t base = strlen(t->dest) + 1;
	char *p;

	snprintf(path, sizeof(path), "%s/%s", t->dest, name);
	for (p = path + base; (p = strchr(p, '/')) != NULL; p++) {
		if (p[1] == '\0')
			break;
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return err_errno(e, E_BADREQ, "tar: mkdir %s", path);
		*p = '/';
	}
	if (all && mkdir(path, 0755) == -1 && errno != EEXIST)
		return err_errno(e, E_BADREQ, "tar: mkdir %s", path);
	return 0;
}

/* A regular file's size bytes into dest/name, then its padding. */
static int
untar_file(struct untar *t, const char *name, long long size, struct err *e)
{
	char path[TAR_NAME_MAX + PATH_MAX], chunk[UNTAR_CHUNK];
	long long left = size;
	size_t n, pad;
	int fd;

	if (size > t->file_max || size > t->total_max - t->total)
		return err_set(e, E_BADREQ, "tar: %.200s: %lld bytes, over "
		    "the cap", name, size);
	t->total += size;
	if (untar_mkdirs(t, name, 0, e) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", t->dest, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1)
		return err_errno(e, E_BADREQ, "tar: create %s", path);
	while (left > 0) {
		n = left > (long long)sizeof(chunk) ? sizeof(chunk) :
		    (size_t)left;
		if (untar_read(t, chunk, n, e) == -1)
			goto fail;
		if (buf_write_all(fd, chunk, n) == -1) {
			err_errno(e, E_UNAVAIL, "write %s", path);
			goto fail;
		}
		left -= (long long)n;
	}
	if (close(fd) == -1)
		return err_errno(e, E_UNAVAIL, "close %s", path);
	pad = (size_t)((UNTAR_BLOCK - size % UNTAR_BLOCK) % UNTAR_BLOCK);
	return pad == 0 ? 0 : untar_read(t, chunk, pad, e);
fail:
	close(fd);
	return -1;
}

/* Skip size bytes and their padding (a header type whose body is not
 * used: a global pax header, a directory's), at most UNTAR_PAX_MAX. */
static int
untar_skip(struct untar *t, long long size, struct err *e)
{
	char chunk[UNTAR_BLOCK];
	long long n = (size + UNTAR_BLOCK - 1) / UNTAR_BLOCK;

	if (size > UNTAR_PAX_MAX)
		return err_set(e, E_BADREQ, "tar: a header of %lld bytes "
		    "(at most %d)", size, UNTAR_PAX_MAX);
	while (n-- > 0)
		if (untar_read(t, chunk, UNTAR_BLOCK, e) == -1)
			return -1;
	return 0;
}

/* The checksum of a header block: 0 when it is right. */
static int
untar_sum(const unsigned char *h)
{
	long long want = untar_octal((const char *)h + 148, 8);
	long sum = 0;
	size_t i;

	for (i = 0; i < UNTAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return want == sum ? 0 : -1;
}

/* One header and what follows it: 1 at the end of the archive. */
static int
untar_one(struct untar *t, struct err *e)
{
	unsigned char h[UNTAR_BLOCK];
	char name[TAR_NAME_MAX + 1];
	long long size;
	size_t i;

	if (untar_read(t, h, sizeof(h), e) == -1)
		return -1;
	for (i = 0; i < sizeof(h) && h[i] == 0; i++)
		;
	if (i == sizeof(h))
		return 1;	/* a zero block: the end */
	if (untar_sum(h) == -1 || (size = untar_octal((char *)h + 124,
	    12)) < 0)
		return err_set(e, E_BADREQ, "tar: a bad header");
	if (h[156] == 'x')
		return untar_pax(t, size, e);
	if (h[156] == 'g')
		return untar_skip(t, size, e);
	if (h[156] == 'L')
		return untar_longname(t, size, e);
	if (t->path[0] != '\0') {
		memcpy(name, t->path, sizeof(name));
		t->path[0] = '\0';
	} else if (memcmp(h + 257, "ustar", 6) == 0 && h[345] != '\0')
		/* POSIX's prefix (GNU's "ustar  " has other fields there) */
		snprintf(name, sizeof(name), "%.155s/%.100s", h + 345, h);
	else
		snprintf(name, sizeof(name), "%.100s", h);
	while (strncmp(name, "./", 2) == 0)
		memmove(name, name + 2, strlen(name + 2) + 1);
	if (name[0] == '\0' || strcmp(name, ".") == 0)
		return h[156] == '5' ? untar_skip(t, size, e) :
		    err_set(e, E_BADREQ, "tar: an entry with no name");
	if (untar_clean(name) == -1)
		return err_set(e, E_BADREQ, "tar: %.200s: an absolute, "
		    "\"..\" or otherwise unsafe name", name);
	switch (h[156]) {
	case '0':
	case '\0':
	case '7':
		if (name[strlen(name) - 1] == '/')
			return err_set(e, E_BADREQ, "tar: %.200s: a file "
			    "named as a directory", name);
		return untar_file(t, name, size, e);
	case '5':
		if (untar_mkdirs(t, name, 1, e) == -1)
			return -1;
		return size == 0 ? 0 : untar_skip(t, size, e);
	default:
		return err_set(e, E_BADREQ, "tar: %.200s: type '%c' (only "
		    "files and directories are taken)", name,
		    h[156] >= ' ' && h[156] < 0x7f ? h[156] : '?');
	}
}

int
untar_dir(const char *path, const char *dest, long long file_max,
    long long total_max, struct err *e)
{
	struct untar t;
	long n;
	int fd, rc = 0;

	memset(&t, 0, sizeof(t));
	t.dest = dest;
	t.file_max = file_max;
	t.total_max = total_max;
	if ((fd = buf_open_regular(path, e)) == -1)
		return -1;
	if ((t.z = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		return err_set(e, E_INTERNAL, "gzdopen %s", path);
	}
	if (mkdir(dest, 0700) == -1) {
		gzclose(t.z);
		return err_errno(e, E_UNAVAIL, "mkdir %s", dest);
	}
	for (n = 0; rc == 0; n++) {
		if (n >= UNTAR_ENTRIES_MAX) {
			rc = err_set(e, E_BADREQ, "tar: more than %d entries",
			    UNTAR_ENTRIES_MAX);
			break;
		}
		rc = untar_one(&t, e);
	}
	gzclose(t.z);
	return rc == 1 ? 0 : -1;
}

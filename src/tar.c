/*
 * tar.c: writing a tar archive (POSIX ustar, pax for long names).
 *
 * Only what export needs: regular files streamed from disk, under names
 * of up to TAR_NAME_MAX bytes.  A name that fits ustar's name field (100
 * bytes), or its prefix and name fields split at a "/", is written
 * plainly; a longer one gets a pax extended header ("path=") before the
 * entry, as POSIX.1-2001 says, which GNU tar, bsdtar and Go's archive/tar
 * read; its plain header then holds a safe stand-in for readers that
 * ignore pax (tar_fallback): whole trailing elements of the name, never
 * absolute, never "..", else a fixed placeholder.  A name that is empty,
 * absolute, has a ".." element or a newline (a pax record ends at one) is
 * refused.  Owner 0:0, mode 0644, the file's mtime: the same files give the
 * same archive.  Written by hand (a 512-byte header and padding) rather
 * than with libarchive: forty lines are less to trust than a library.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"

#define TAR_BLOCK	512
#define TAR_CHUNK	65536	/* bytes copied at a time */

/* The ustar header's fields, at their offsets. */
struct tar_header {
	char	name[100];
	char	mode[8];
	char	uid[8];
	char	gid[8];
	char	size[12];
	char	mtime[12];
	char	chksum[8];
	char	typeflag;
	char	linkname[100];
	char	magic[6];
	char	version[2];
	char	uname[32];
	char	gname[32];
	char	devmajor[8];
	char	devminor[8];
	char	prefix[155];
	char	pad[12];
};
_Static_assert(sizeof(struct tar_header) == TAR_BLOCK, "tar header size");

/* Write all of buf to fd; 0, or -1 and e. */
static int
tar_write(int fd, const void *buf, size_t len, struct err *e)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return err_errno(e, E_INTERNAL, "write archive");
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Zeros up to the next block boundary after size bytes. */
static int
tar_pad(int fd, uint64_t size, struct err *e)
{
	static const char zero[TAR_BLOCK];
	size_t r = (size_t)(size % TAR_BLOCK);

	return r == 0 ? 0 : tar_write(fd, zero, TAR_BLOCK - r, e);
}

/* An octal field of width w: w - 1 digits (zero-filled) and a NUL; the
 * callers' values fit (sizes under ZIP_MAX < 8 GiB, times, modes). */
static void
tar_octal(char *field, size_t w, uint64_t v)
{
	size_t i;

	field[w - 1] = '\0';
	for (i = w - 1; i > 0; i--) {
		field[i - 1] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

/*
 * Fill h for name (split into prefix and name when it fits) of the given
 * type and size; 0, or -1 when name fits neither way (pax is needed).
 */
static int
tar_header_fill(struct tar_header *h, const char *name, char type,
    uint64_t size, int64_t mtime)
{
	size_t len = strlen(name), i, sum = 0;
	const unsigned char *p = (const unsigned char *)h;
	const char *slash = NULL;

	memset(h, 0, sizeof(*h));
	if (len <= sizeof(h->name))
		memcpy(h->name, name, len);
	else {
		/* The last "/" leaving at most 155 before and 100 after. */
		for (i = 0; i < len && i <= sizeof(h->prefix); i++)
			if (name[i] == '/' && len - i - 1 <= sizeof(h->name) &&
			    len - i - 1 > 0)
				slash = name + i;
		if (slash == NULL)
			return -1;
		memcpy(h->prefix, name, (size_t)(slash - name));
		memcpy(h->name, slash + 1, len - (size_t)(slash - name) - 1);
	}
	tar_octal(h->mode, sizeof(h->mode), 0644);
	tar_octal(h->uid, sizeof(h->uid), 0);
	tar_octal(h->gid, sizeof(h->gid), 0);
	tar_octal(h->size, sizeof(h->size), size);
	tar_octal(h->mtime, sizeof(h->mtime), mtime > 0 ? (uint64_t)mtime : 0);
	h->typeflag = type;
	memcpy(h->magic, "ustar", 6);
	memcpy(h->version, "00", 2);
	memset(h->chksum, ' ', sizeof(h->chksum));
	for (i = 0; i < TAR_BLOCK; i++)
		sum += p[i];
	snprintf(h->chksum, sizeof(h->chksum), "%06o", (unsigned)sum);
	h->chksum[7] = ' ';
	return 0;
}

/* A pax extended header carrying "path=name" for the next entry. */
static int
tar_pax_path(int fd, const char *name, int64_t mtime, struct err *e)
{
	struct tar_header h;
	char rec[TAR_NAME_MAX + 64];
	size_t body = strlen(" path=\n") + strlen(name), digits, total;
	int n;

	/* The record's length counts its own decimal digits. */
	for (digits = 1; ; digits++) {
		total = body + digits;
		n = snprintf(rec, sizeof(rec), "%zu", total);
		if ((size_t)n == digits)
			break;
	}
	n = snprintf(rec, sizeof(rec), "%zu path=%s\n", total, name);
	if (n < 0 || (size_t)n != total)
		return err_set(e, E_TOOBIG, "tar: name too long");
	if (tar_header_fill(&h, "././@PaxHeader", 'x', total, mtime) == -1)
		return err_set(e, E_INTERNAL, "tar: pax header");
	if (tar_write(fd, &h, sizeof(h), e) == -1 ||
	    tar_write(fd, rec, total, e) == -1)
		return -1;
	return tar_pad(fd, total, e);
}

/*
 * The name of the plain header after a pax "path" record, for readers
 * that ignore pax: the longest tail of name made of whole "/"-separated
 * elements that fits the name field, no leading "/"; when the last
 * element alone is too long, TAR_FALLBACK.  Never absolute, never with a
 * ".." element (tar_name_ok refused those).  Into out (100 bytes + NUL).
 */
#define TAR_FALLBACK	"PaxHeaders/long-name"
static void
tar_fallback(const char *name, char out[101])
{
	size_t len = strlen(name), i;
	const char *tail = NULL;

	for (i = len; i > 0; i--)
		if (name[i - 1] == '/' && len - i <= 99 && len - i > 0)
			tail = name + i;	/* the longest so far */
	if (tail == NULL || *tail == '/')
		tail = TAR_FALLBACK;
	snprintf(out, 101, "%s", tail);
}

/* Whether name may be written: not empty, not too long, relative, no
 * ".." element, no newline (an embedded NUL cannot be passed at all). */
static int
tar_name_ok(const char *name, struct err *e)
{
	size_t len = strlen(name);
	const char *p;

	if (len == 0 || len > TAR_NAME_MAX)
		return err_set(e, E_TOOBIG, "tar: name of %zu bytes", len);
	if (name[0] == '/' || strchr(name, '\n') != NULL)
		return err_set(e, E_BADREQ, "tar: unsafe name");
	for (p = name; p != NULL; p = (p = strchr(p, '/')) ? p + 1 : NULL)
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return err_set(e, E_BADREQ, "tar: name with \"..\"");
	return 0;
}

int
tar_add_file(int fd, const char *name, const char *src, struct err *e)
{
	struct tar_header h;
	char chunk[TAR_CHUNK], fallback[101];
	struct stat st;
	uint64_t left;
	ssize_t n;
	int in, rc = -1;

	if (tar_name_ok(name, e) == -1)
		return -1;
	if ((in = buf_open_regular(src, e)) == -1)
		return -1;
	if (fstat(in, &st) == -1 || !S_ISREG(st.st_mode)) {
		err_set(e, E_INTERNAL, "%s: not a regular file", src);
		goto out;
	}
	if (tar_header_fill(&h, name, '0', (uint64_t)st.st_size,
	    (int64_t)st.st_mtime) == -1) {
		if (tar_pax_path(fd, name, (int64_t)st.st_mtime, e) == -1)
			goto out;
		tar_fallback(name, fallback);
		tar_header_fill(&h, fallback, '0', (uint64_t)st.st_size,
		    (int64_t)st.st_mtime);
	}
	if (tar_write(fd, &h, sizeof(h), e) == -1)
		goto out;
	for (left = (uint64_t)st.st_size; left > 0; left -= (uint64_t)n) {
		n = read(in, chunk, left < sizeof(chunk) ? (size_t)left :
		    sizeof(chunk));
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			err_set(e, E_INTERNAL, "%s: shorter than its size",
			    src);
			goto out;
		}
		if (tar_write(fd, chunk, (size_t)n, e) == -1)
			goto out;
	}
	rc = tar_pad(fd, (uint64_t)st.st_size, e);
out:
	close(in);
	return rc;
}

int
tar_finish(int fd, struct err *e)
{
	static const char zero[2 * TAR_BLOCK];

	return tar_write(fd, zero, sizeof(zero), e);
}

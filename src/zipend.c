/*
 * zipend.c: where Go's archive/zip finds a zip's central directory
 * (readDirectoryEnd of go 1.19 and go 1.26), and libzip opened on the zip
 * as Go sees it.
 *
 * The end record is the last signature in the file's last ZIPEND_TAIL
 * bytes.  Go 1.26 stops at it when its comment would run past the end
 * (and refuses the zip); go 1.19 searches on for an earlier one.  Here
 * that record's comment must fit, and then both go commands read it.
 *
 * Only a count of 0xffff, a directory size of 0xffff or an offset of
 * 0xffffffff send Go to a zip64 locator (20 bytes before the record; one
 * of disk 0 of 1 disk, else it is none); a locator found must point at a
 * zip64 end record, whose count, size and offset then stand, and whose
 * own offset is where the directory ends.
 *
 * Go takes the bytes before the zip ("baseOffset") as the directory's end
 * minus its size minus its offset: a prepended stub the offsets do not
 * count, or the bytes before a later end record.  Every offset of the zip
 * is then read that much further on; libzip is given the file from there
 * (a window of it), so that it reads the zip Go reads.  Go 1.26, not go
 * 1.19, takes 0 again when a directory header is at the offset as it
 * stands: zipend_find says so (cdh_at_offset), and the caller decides.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "piraeus.h"

#define ZIPEND_TAIL		(65 * 1024) /* Go's second, larger search */
#define ZIPEND_EOCD_LEN		22
#define ZIPEND_EOCD_SIG		0x06054b50
#define ZIPEND_LOC64_LEN	20
#define ZIPEND_LOC64_SIG	0x07064b50
#define ZIPEND_EOCD64_LEN	56
#define ZIPEND_EOCD64_SIG	0x06064b50
#define ZIPEND_CDH_SIG		0x02014b50

/* Little-endian 16, 32 and 64-bit loads. */
static uint16_t
zipend_get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
zipend_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
zipend_get64(const unsigned char *p)
{
	return (uint64_t)zipend_get32(p) | (uint64_t)zipend_get32(p + 4) << 32;
}

/* Read exactly len bytes at off of fd: 0, or -1 (errno 0 when short). */
static int
zipend_pread(int fd, uint64_t off, void *buf, size_t len)
{
	ssize_t n;
	size_t got = 0;

	if (off > (uint64_t)INT64_MAX - len)
		return -1;
	while (got < len) {
		n = pread(fd, (char *)buf + got, len - got,
		    (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = 0;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

/* A read error: E_INTERNAL with errno, or the zip's fault when short. */
static int
zipend_read_fail(struct err *e)
{
	if (errno == 0)
		return err_set(e, E_UPSTREAM, "not a valid zip file");
	return err_errno(e, E_INTERNAL, "read");
}

/* See piraeus.h: the end record of the zip at fd as the go commands find it. */
int
zipend_find(int fd, uint64_t size, struct zipend *z, struct err *e)
{
	unsigned char buf[ZIPEND_TAIL], loc[ZIPEND_LOC64_LEN];
	unsigned char end64[ZIPEND_EOCD64_LEN], sig[4];
	uint64_t tail, start, eocd, off64, cdend;
	size_t i;
	int found = 0;

	memset(z, 0, sizeof(*z));
	if (size < ZIPEND_EOCD_LEN)
		return err_set(e, E_UPSTREAM, "not a valid zip file");
	tail = size < ZIPEND_TAIL ? size : ZIPEND_TAIL;
	start = size - tail;
	if (zipend_pread(fd, start, buf, (size_t)tail) != 0)
		return zipend_read_fail(e);
	for (i = (size_t)tail - ZIPEND_EOCD_LEN + 1; i-- > 0;) {
		if (zipend_get32(buf + i) == ZIPEND_EOCD_SIG) {
			found = 1;
			break;
		}
	}
	if (!found)
		return err_set(e, E_UPSTREAM, "not a valid zip file");
	if (i + ZIPEND_EOCD_LEN + zipend_get16(buf + i + 20) > (size_t)tail)
		return err_set(e, E_UPSTREAM, "not a valid zip file: the last "
		    "end record's comment runs past the end of the file");
	eocd = start + i;
	z->count = zipend_get16(buf + i + 10);
	z->size = zipend_get32(buf + i + 12);
	z->offset = zipend_get32(buf + i + 16);
	cdend = eocd;
	if ((z->count == 0xffff || z->size == 0xffff ||
	    z->offset == 0xffffffff) && eocd >= ZIPEND_LOC64_LEN) {
		if (zipend_pread(fd, eocd - ZIPEND_LOC64_LEN, loc,
		    sizeof(loc)) != 0)
			return zipend_read_fail(e);
		if (zipend_get32(loc) == ZIPEND_LOC64_SIG &&
		    zipend_get32(loc + 4) == 0 &&
		    zipend_get32(loc + 16) == 1) {
			off64 = zipend_get64(loc + 8);
			if (off64 > size || size - off64 < ZIPEND_EOCD64_LEN ||
			    zipend_pread(fd, off64, end64,
			    sizeof(end64)) != 0 ||
			    zipend_get32(end64) != ZIPEND_EOCD64_SIG)
				return err_set(e, E_UPSTREAM, "bad zip64 end "
				    "of central directory");
			z->count = zipend_get64(end64 + 32);
			z->size = zipend_get64(end64 + 40);
			z->offset = zipend_get64(end64 + 48);
			cdend = off64;
		}
	}
	/* cdend < size <= 2^63: no overflow below.  Go wants the directory
	 * inside the file once the base is applied (base + offset is the
	 * directory's end minus its size). */
	if (z->size > (uint64_t)INT64_MAX || z->offset > (uint64_t)INT64_MAX ||
	    z->size > cdend)
		return err_set(e, E_UPSTREAM, "central directory offset out of "
		    "range");
	z->base = (int64_t)(cdend - z->size) - (int64_t)z->offset;
	z->cdh_at_offset = z->base > 0 &&
	    zipend_pread(fd, z->offset, sig, sizeof(sig)) == 0 &&
	    zipend_get32(sig) == ZIPEND_CDH_SIG;
	return 0;
}

/* See piraeus.h: libzip on the zip from the base Go takes on. */
struct zip *
zipend_open(const char *path, const struct zipend *z, uint64_t size,
    int *zerr)
{
	zip_source_t *src;
	zip_error_t ze;
	zip_t *za;

	if (z == NULL || z->base <= 0)
		return zip_open(path, ZIP_RDONLY, zerr);
	if ((uint64_t)z->base >= size) {
		*zerr = ZIP_ER_NOZIP;
		return NULL;
	}
	zip_error_init(&ze);
	src = zip_source_file_create(path, (zip_uint64_t)z->base,
	    (zip_int64_t)(size - (uint64_t)z->base), &ze);
	if (src == NULL || (za = zip_open_from_source(src, ZIP_RDONLY,
	    &ze)) == NULL) {
		*zerr = zip_error_code_zip(&ze);
		if (src != NULL)
			zip_source_free(src);
		zip_error_fini(&ze);
		return NULL;
	}
	zip_error_fini(&ze);
	return za;
}

/* See piraeus.h: libzip on the regular file at path, as Go reads it. */
struct zip *
zipend_open_file(const char *path, int *zerr)
{
	struct zipend z;
	struct stat sb;
	struct err e;
	int fd, found;

	err_clear(&e);
	if ((fd = buf_open_regular(path, &e)) == -1) {
		*zerr = e.code == E_NOTFOUND ? ZIP_ER_NOENT : ZIP_ER_OPEN;
		return NULL;
	}
	found = fstat(fd, &sb) == 0 &&
	    zipend_find(fd, (uint64_t)sb.st_size, &z, &e) == 0;
	close(fd);
	return zipend_open(path, found ? &z : NULL,
	    found ? (uint64_t)sb.st_size : 0, zerr);
}

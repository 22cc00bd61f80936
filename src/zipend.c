/*
 * zipend.c: where Go's archive/zip finds a zip's central directory
 * (readDirectoryEnd of go 1.19 and go 1.26).  zipread.c reads the
 * directory and the entries from there.
 *
 * The end record is the last signature in the file's last ZIPEND_TAIL
 * bytes.  Go 1.26 stops at it when its comment would run past the end
 * (and refuses the zip); go 1.19 searches on for an earlier one.  Here
 * that record's comment must fit, and then both go commands read it.
 *
 * Only a count of 0xffff, a directory size of 0xffff or an offset of
 * 0xffffffff send Go to a zip64 locator (20 bytes before the record; one
 * of disk 0 of 1 disk, else it is none; one whose offset is 2^63 or more
 * is none either: Go's int64 of it is negative); a locator found must
 * point at a zip64 end record, whose count, size and offset then stand,
 * and whose own offset is where the directory ends.
 *
 * Go takes the bytes before the zip ("baseOffset") as the directory's end
 * minus its size minus its offset: a prepended stub the offsets do not
 * count, or the bytes before a later end record.  It may be negative.
 * Which base each go command then reads with (go 1.26 takes 0 again when
 * a directory header is at the offset as recorded, go 1.19 when there is
 * none a base further on) is zipread.c's to decide.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "piraeus.h"

#define ZIPEND_TAIL		(65 * 1024) /* Go's second, larger search */
#define ZIPEND_EOCD_LEN		22
#define ZIPEND_EOCD_SIG		0x06054b50
#define ZIPEND_LOC64_LEN	20
#define ZIPEND_LOC64_SIG	0x07064b50
#define ZIPEND_EOCD64_LEN	56
#define ZIPEND_EOCD64_SIG	0x06064b50

/* Read exactly len bytes at off of fd: 0, or -1 (errno 0 when short). */
static int
zipend_pread(int fd, uint64_t off, void *buf, size_t len)
{
	ssize_t n;

	if ((n = buf_pread(fd, off, buf, len)) == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = 0;
	return -1;
}

/* A read error: E_INTERNAL with errno, or the zip's fault when short. */
static int
zipend_read_fail(struct err *e)
{
	if (errno == 0)
		return err_set(e, E_UPSTREAM, "not a valid zip file");
	return err_errno(e, E_INTERNAL, "read");
}

/*
 * The zip64 end record behind the end record at eocd (findDirectory64End
 * and readDirectory64End): 0 with z and *cdend updated, 0 unchanged when
 * there is no locator Go takes, -1 and e set when Go fails.
 */
static int
zipend_zip64(int fd, uint64_t size, uint64_t eocd, struct zipend *z,
    uint64_t *cdend, struct err *e)
{
	unsigned char loc[ZIPEND_LOC64_LEN], end64[ZIPEND_EOCD64_LEN];
	uint64_t off64;

	if (eocd < ZIPEND_LOC64_LEN)
		return 0;
	if (zipend_pread(fd, eocd - ZIPEND_LOC64_LEN, loc, sizeof(loc)) != 0)
		return zipend_read_fail(e);
	if (buf_le32(loc) != ZIPEND_LOC64_SIG || buf_le32(loc + 4) != 0 ||
	    buf_le32(loc + 16) != 1)
		return 0;
	off64 = buf_le64(loc + 8);
	if (off64 > (uint64_t)INT64_MAX)	/* int64(p) < 0: none */
		return 0;
	if (off64 > size || size - off64 < ZIPEND_EOCD64_LEN ||
	    zipend_pread(fd, off64, end64, sizeof(end64)) != 0 ||
	    buf_le32(end64) != ZIPEND_EOCD64_SIG)
		return err_set(e, E_UPSTREAM, "bad zip64 end of central "
		    "directory");
	z->count = buf_le64(end64 + 32);
	z->size = buf_le64(end64 + 40);
	z->offset = buf_le64(end64 + 48);
	*cdend = off64;
	return 0;
}

/* See piraeus.h: the end record of the zip at fd as the go commands find it. */
int
zipend_find(int fd, uint64_t size, struct zipend *z, struct err *e)
{
	unsigned char buf[ZIPEND_TAIL];
	uint64_t tail, start, eocd, cdend;
	size_t i;
	int found = 0;

	memset(z, 0, sizeof(*z));
	if (size < ZIPEND_EOCD_LEN || size > (uint64_t)INT64_MAX)
		return err_set(e, E_UPSTREAM, "not a valid zip file");
	tail = size < ZIPEND_TAIL ? size : ZIPEND_TAIL;
	start = size - tail;
	if (zipend_pread(fd, start, buf, (size_t)tail) != 0)
		return zipend_read_fail(e);
	for (i = (size_t)tail - ZIPEND_EOCD_LEN + 1; i-- > 0;) {
		if (buf_le32(buf + i) == ZIPEND_EOCD_SIG) {
			found = 1;
			break;
		}
	}
	if (!found)
		return err_set(e, E_UPSTREAM, "not a valid zip file");
	if (i + ZIPEND_EOCD_LEN + buf_le16(buf + i + 20) > (size_t)tail)
		return err_set(e, E_UPSTREAM, "not a valid zip file: the last "
		    "end record's comment runs past the end of the file");
	eocd = start + i;
	z->count = buf_le16(buf + i + 10);
	z->size = buf_le32(buf + i + 12);
	z->offset = buf_le32(buf + i + 16);
	cdend = eocd;
	if ((z->count == 0xffff || z->size == 0xffff ||
	    z->offset == 0xffffffff) &&
	    zipend_zip64(fd, size, eocd, z, &cdend, e) != 0)
		return -1;
	/* cdend < size <= 2^63: no overflow below.  Go wants the directory
	 * inside the file once the base is applied (base + offset is the
	 * directory's end minus its size). */
	if (z->size > (uint64_t)INT64_MAX || z->offset > (uint64_t)INT64_MAX ||
	    z->size > cdend)
		return err_set(e, E_UPSTREAM, "central directory offset out of "
		    "range");
	z->base = (int64_t)(cdend - z->size) - (int64_t)z->offset;
	return 0;
}

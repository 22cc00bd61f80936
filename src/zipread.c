/*
 * zipread.c: a module zip read as Go's archive/zip reads it: the central
 * directory found by zipend.c, walked record by record
 * (readDirectoryHeader), and each entry's content from its local header
 * on (File.Open and checksumReader).  Everything that checks or hashes a
 * zip (zipcheck, dirhash_zip, import) reads it here, so what piraeus
 * checks and hashes is what the go command unpacks; no other zip parser
 * sees it.
 *
 * The base: go 1.26 takes 0 instead of a positive base when a whole
 * directory header reads at the offset as recorded; go 1.19 takes 0
 * instead of any base when the first header a base further on is not
 * one (ErrFormat).  Where both end on the same base it is taken; where
 * they could read two directories the zip is refused as ambiguous.
 *
 * Records: exactly the end record's count are read (each must be whole),
 * and a whole record after them is refused too: Go reads on until a
 * record fails and compares only the count modulo 65536.  The zip64
 * extra field fills the sizes and the offset marked all ones, as
 * readDirectoryHeader does.  An entry's local header offset is the
 * recorded one plus the base, in int64 as Go adds them; one before the
 * file or past it has no local header.
 *
 * Content: Store, or Deflate through zlib's raw inflate; the bytes come
 * from the local header's offset plus 30, its name and extra lengths, at
 * most the compressed size of them (fewer at the end of the file); more
 * than the declared size is an error as soon as it is passed (a bomb
 * stops there), fewer at the end too; then the data descriptor (flag bit
 * 3: after the data, 16 bytes at most, signature optional, its CRC-32 the
 * central one, which the content's must then be even when 0), or without
 * one the central CRC-32 when it is not 0.  A directory entry (its name
 * ends in "/") is read the same (go 1.19 opens it so) and must declare
 * no content (go 1.26 refuses one that does).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "piraeus.h"

#define ZIPREAD_WIN		(64 * 1024)	/* cached window of the file */
#define ZIPREAD_CHUNK		(64 * 1024)	/* one read of content */
#define ZIPREAD_QUOTE_MAX	80		/* bytes of a name quoted */

/* Fixed parts of the zip records read here (APPNOTE 4.3). */
#define ZR_CDH_LEN		46
#define ZR_CDH_SIG		0x02014b50
#define ZR_LFH_LEN		30
#define ZR_LFH_SIG		0x04034b50
#define ZR_DD_SIG		0x08074b50
#define ZR_DD_LEN		16	/* with its signature */
#define ZR_FLAG_DD		0x0008	/* general purpose bit 3 */
#define ZR_ZIP64_ID		0x0001	/* the zip64 extra field */
#define ZR_32_MAX		0xffffffffU
#define ZR_METHOD_STORE		0
#define ZR_METHOD_DEFLATE	8

/* How one directory record reads (readDirectoryHeader's outcomes). */
enum zr_rec {
	ZR_OK,		/* a whole record: nil */
	ZR_FORMAT,	/* no signature, or a zip64 field missing: ErrFormat */
	ZR_SHORT,	/* past the end of the file: io.ErrUnexpectedEOF */
	ZR_IOERR,	/* pread failed (errno) */
};

/* Compression methods Go's archive/zip reads. */
static const uint16_t zipread_methods[] = {
	ZR_METHOD_STORE, ZR_METHOD_DEFLATE,
};

/* How many bytes of a name (n bytes) a message quotes. */
static int
zipread_qlen(size_t n)
{
	return n > ZIPREAD_QUOTE_MAX ? ZIPREAD_QUOTE_MAX : (int)n;
}

/*
 * Up to len bytes at off into p, from the cached window when they fit in
 * one: the count (short only at the end of the file), or -1 and errno.
 */
static ssize_t
zipread_at(struct zipread *zr, uint64_t off, void *p, size_t len)
{
	ssize_t n;

	if (off >= zr->size)
		return 0;
	if (len > zr->size - off)
		len = (size_t)(zr->size - off);
	if (len > ZIPREAD_WIN)
		return buf_pread(zr->fd, off, p, len);
	if (zr->win_len == 0 || off < zr->win_off ||
	    off - zr->win_off > zr->win_len ||
	    len > zr->win_len - (off - zr->win_off)) {
		if ((n = buf_pread(zr->fd, off, zr->win, ZIPREAD_WIN)) < 0)
			return -1;
		zr->win_off = off;
		zr->win_len = (size_t)n;
		if (len > (size_t)n)
			len = (size_t)n;
	}
	memcpy(p, zr->win + (off - zr->win_off), len);
	return (ssize_t)len;
}

/* Exactly len bytes at off into p: ZR_OK, ZR_SHORT or ZR_IOERR. */
static enum zr_rec
zipread_full(struct zipread *zr, uint64_t off, void *p, size_t len)
{
	ssize_t n;

	if ((n = zipread_at(zr, off, p, len)) < 0)
		return ZR_IOERR;
	return (size_t)n == len ? ZR_OK : ZR_SHORT;
}

/*
 * The zip64 extra field (extra, xlen bytes) as readDirectoryHeader reads
 * it: each of usize, csize and offset still marked (*need) takes the next
 * 8 bytes of the first zip64 field; one too short is ErrFormat; the walk
 * stops at a field longer than the rest.  After it a compressed size or
 * an offset still marked is ErrFormat (an uncompressed size is not).
 */
static enum zr_rec
zipread_zip64(const unsigned char *extra, size_t xlen, int need[3],
    uint64_t *val[3])
{
	const unsigned char *p = extra, *f;
	size_t left = xlen, fsize, k;

	while (left >= 4) {
		fsize = buf_le16(p + 2);
		if (left - 4 < fsize)
			break;
		f = p + 4;
		if (buf_le16(p) == ZR_ZIP64_ID) {
			for (k = 0; k < 3; k++) {
				if (!need[k])
					continue;
				need[k] = 0;
				if (fsize < 8)
					return ZR_FORMAT;
				*val[k] = buf_le64(f);
				f += 8;
				fsize -= 8;
			}
		}
		fsize = buf_le16(p + 2);
		p += 4 + fsize;
		left -= 4 + fsize;
	}
	return need[1] || need[2] ? ZR_FORMAT : ZR_OK;
}

/*
 * readDirectoryHeader at off: into ent when not NULL (its name
 * allocated, the offset as recorded), *next past the record.
 */
static enum zr_rec
zipread_record(struct zipread *zr, uint64_t off, struct zipread_ent *ent,
    uint64_t *next)
{
	unsigned char h[ZR_CDH_LEN], *var;
	uint64_t usize, csize, hoff, *val[3];
	size_t nlen, xlen, clen;
	enum zr_rec rc;
	int need[3];

	if ((rc = zipread_full(zr, off, h, sizeof(h))) != ZR_OK)
		return rc;
	if (buf_le32(h) != ZR_CDH_SIG)
		return ZR_FORMAT;
	nlen = buf_le16(h + 28);
	xlen = buf_le16(h + 30);
	clen = buf_le16(h + 32);
	var = xmalloc(nlen + xlen + clen + 1);	/* never 0 bytes */
	if ((rc = zipread_full(zr, off + ZR_CDH_LEN, var,
	    nlen + xlen + clen)) != ZR_OK) {
		free(var);
		return rc;
	}
	csize = buf_le32(h + 20);
	usize = buf_le32(h + 24);
	hoff = buf_le32(h + 42);
	need[0] = usize == ZR_32_MAX;
	need[1] = csize == ZR_32_MAX;
	need[2] = hoff == ZR_32_MAX;
	val[0] = &usize;
	val[1] = &csize;
	val[2] = &hoff;
	if ((rc = zipread_zip64(var + nlen, xlen, need, val)) != ZR_OK) {
		free(var);
		return rc;
	}
	*next = off + ZR_CDH_LEN + nlen + xlen + clen;
	if (ent == NULL) {
		free(var);
		return ZR_OK;
	}
	/* The name alone is kept (not the extra field and comment). */
	ent->name = xmalloc(nlen + 1);
	memcpy(ent->name, var, nlen);
	ent->name[nlen] = '\0';
	free(var);
	ent->name_len = nlen;
	ent->flags = buf_le16(h + 8);
	ent->method = buf_le16(h + 10);
	ent->crc = buf_le32(h + 16);
	ent->csize = csize;
	ent->usize = usize;
	ent->offset = (int64_t)hoff;	/* the base is added by the caller */
	return ZR_OK;
}

/* A read error (E_INTERNAL) or the zip's fault why (E_UPSTREAM). */
static int
zipread_fail(enum zr_rec rc, struct err *e, const char *why)
{
	if (rc == ZR_IOERR)
		return err_errno(e, E_INTERNAL, "read");
	return err_set(e, E_UPSTREAM, "%s", why);
}

/*
 * The base both go commands read with (see the top of the file) into
 * zr->base, or -1 and e set when they could read two directories.
 */
static int
zipread_base(struct zipread *zr, struct err *e)
{
	const struct zipend *z = &zr->end;
	enum zr_rec first, at;
	uint64_t next;

	zr->base = z->base;
	if (z->base == 0)
		return 0;
	/* base + offset is inside the file (zipend_find). */
	first = zipread_record(zr, (uint64_t)(z->base + (int64_t)z->offset),
	    NULL, &next);
	at = zipread_record(zr, z->offset, NULL, &next);
	if (first == ZR_IOERR || at == ZR_IOERR)
		return zipread_fail(ZR_IOERR, e, "");
	if (z->base > 0 && at == ZR_OK) {
		/* go 1.26 reads at offset; go 1.19 too only when it finds
		 * no record a base on (ErrFormat). */
		if (first != ZR_FORMAT)
			return err_set(e, E_UPSTREAM, "central directory is "
			    "ambiguous (at offset %llu as recorded, or %lld "
			    "bytes on)", (unsigned long long)z->offset,
			    (long long)z->base);
		zr->base = 0;
		return 0;
	}
	/* go 1.19 alone goes back to base 0 here: harmless when go 1.26
	 * then fails on the count, not when the count is 0 and go 1.19
	 * finds records at offset. */
	if (first == ZR_FORMAT && z->count == 0 && at == ZR_OK)
		return err_set(e, E_UPSTREAM, "central directory is ambiguous "
		    "(empty %lld bytes on, not at offset %llu as recorded)",
		    (long long)z->base, (unsigned long long)z->offset);
	return 0;
}

/* See piraeus.h: the directory of the zip at fd as Go reads it. */
int
zipread_open(struct zipread *zr, int fd, uint64_t size, struct err *e)
{
	struct zipread_ent *ent;
	uint64_t off, next, i;
	size_t cap = 0;
	enum zr_rec rc;

	memset(zr, 0, sizeof(*zr));
	zr->fd = fd;
	zr->size = size;
	if (size > (uint64_t)ZIP_MAX)
		return err_set(e, E_UPSTREAM, "module zip file is too large "
		    "(%llu bytes; limit is %lld bytes)",
		    (unsigned long long)size, (long long)ZIP_MAX);
	zr->win = xmalloc(ZIPREAD_WIN);
	if (zipend_find(fd, size, &zr->end, e) != 0)
		return -1;
	if (zr->end.count > ZIPREAD_ENTRIES_MAX)
		return err_set(e, E_UPSTREAM, "more than %d entries",
		    ZIPREAD_ENTRIES_MAX);
	if (zipread_base(zr, e) != 0)
		return -1;
	/* zr->base is end.base or 0: base + offset is in the file. */
	off = (uint64_t)(zr->base + (int64_t)zr->end.offset);
	for (i = 0; i < zr->end.count; i++) {
		if (zr->n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			zr->ents = xreallocarray(zr->ents, cap,
			    sizeof(*zr->ents));
		}
		ent = &zr->ents[zr->n];
		if ((rc = zipread_record(zr, off, ent, &next)) != ZR_OK)
			return zipread_fail(rc, e, rc == ZR_FORMAT &&
			    i == 0 ? "central directory record 0 unreadable "
			    "(no directory where the end record says)" :
			    "central directory record unreadable");
		zr->n++;
		ent->offset = (int64_t)((uint64_t)ent->offset +
		    (uint64_t)zr->base);
		off = next;
	}
	if ((rc = zipread_record(zr, off, NULL, &next)) == ZR_IOERR)
		return zipread_fail(rc, e, "");
	if (rc == ZR_OK)
		return err_set(e, E_UPSTREAM, "central directory is ambiguous "
		    "(more records than declared)");
	return 0;
}

/* See piraeus.h. */
void
zipread_close(struct zipread *zr)
{
	size_t i;

	for (i = 0; i < zr->n; i++)
		free(zr->ents[i].name);
	free(zr->ents);
	free(zr->win);
	free(zr->rd);
	memset(zr, 0, sizeof(*zr));
	zr->fd = -1;
}

/* One entry being read: its record, where its bytes are, what came out. */
struct zipread_rd {
	struct zipread		*zr;
	const struct zipread_ent *ent;
	zipread_sink		*sink;
	void			*arg;
	uint64_t		 pos;		/* next stored byte */
	uint64_t		 end;		/* past the last stored byte */
	uint64_t		 total;		/* content bytes given out */
	uLong			 crc;
	unsigned char		 in[ZIPREAD_CHUNK];
	unsigned char		 out[ZIPREAD_CHUNK];
};

static int	zipread_efail(const struct zipread_rd *, struct err *,
		    const char *, ...) PIRAEUS_ATTR_PRINTF(3, 4);

/* Fail for the entry being read: E_UPSTREAM "zip entry NAME: why". */
static int
zipread_efail(const struct zipread_rd *rd, struct err *e, const char *fmt,
    ...)
{
	char why[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return err_set(e, E_UPSTREAM, "zip entry %.*s: %s",
	    zipread_qlen(strlen(rd->ent->name)), rd->ent->name, why);
}

/* Up to room content bytes allowed next: the declared size + 1 in all. */
static size_t
zipread_room(const struct zipread_rd *rd)
{
	uint64_t left = rd->ent->usize - rd->total + 1;	/* total <= usize */

	return left > ZIPREAD_CHUNK ? ZIPREAD_CHUNK : (size_t)left;
}

/* Give n content bytes at p to the sink, past the declared size an error. */
static int
zipread_emit(struct zipread_rd *rd, const unsigned char *p, size_t n,
    struct err *e)
{
	rd->total += n;
	if (rd->total > rd->ent->usize)
		return zipread_efail(rd, e, "larger than its declared size "
		    "%llu (not a valid zip file)",
		    (unsigned long long)rd->ent->usize);
	rd->crc = crc32(rd->crc, p, (uInt)n);
	return rd->sink(rd->arg, p, n, e);
}

/* The next stored bytes (at most max) into rd->in: their count, 0 at the
 * end (of the compressed size or of the file), -1 and e set. */
static ssize_t
zipread_fill(struct zipread_rd *rd, size_t max, struct err *e)
{
	uint64_t want = rd->end - rd->pos;
	ssize_t n;

	if (want > max)
		want = max;
	if (want == 0)
		return 0;
	if ((n = zipread_at(rd->zr, rd->pos, rd->in, (size_t)want)) < 0)
		return err_errno(e, E_INTERNAL, "read");
	rd->pos += (uint64_t)n;
	if (n == 0)
		rd->end = rd->pos;	/* the file ended first */
	return n;
}

/* Stored content, copied at most the declared size + 1. */
static int
zipread_store(struct zipread_rd *rd, struct err *e)
{
	ssize_t n;

	while ((n = zipread_fill(rd, zipread_room(rd), e)) > 0) {
		if (zipread_emit(rd, rd->in, (size_t)n, e) != 0)
			return -1;
	}
	return n < 0 ? -1 : 0;
}

/* Deflate content: raw inflate to the stream's end, at most usize + 1. */
static int
zipread_inflate(struct zipread_rd *rd, struct err *e)
{
	z_stream zs;
	size_t room, got;
	ssize_t n;
	int zrv, rv = -1;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
		return err_set(e, E_INTERNAL, "inflateInit2 failed");
	for (;;) {
		if (zs.avail_in == 0) {
			if ((n = zipread_fill(rd, ZIPREAD_CHUNK, e)) < 0)
				goto out;
			zs.next_in = rd->in;
			zs.avail_in = (uInt)n;
		}
		room = zipread_room(rd);
		zs.next_out = rd->out;
		zs.avail_out = (uInt)room;
		zrv = inflate(&zs, Z_NO_FLUSH);
		got = room - zs.avail_out;
		if (got > 0 && zipread_emit(rd, rd->out, got, e) != 0)
			goto out;
		if (zrv == Z_STREAM_END)
			break;
		if (zrv != Z_OK && zrv != Z_BUF_ERROR) {
			zipread_efail(rd, e, "bad deflate data");
			goto out;
		}
		if (got == 0 && zs.avail_in == 0 && rd->pos == rd->end) {
			zipread_efail(rd, e, "deflate data truncated "
			    "(unexpected EOF)");
			goto out;
		}
	}
	rv = 0;
out:
	inflateEnd(&zs);
	return rv;
}

/*
 * The end of an entry as checksumReader sees it: the size, then the data
 * descriptor at desc (flag bit 3) or the central CRC-32 when not 0.
 */
static int
zipread_finish(struct zipread_rd *rd, uint64_t desc, struct err *e)
{
	const struct zipread_ent *ent = rd->ent;
	unsigned char d[ZR_DD_LEN];
	size_t crc_at = 0;
	ssize_t n = 0;

	if (rd->total != ent->usize)
		return zipread_efail(rd, e, "%llu bytes, declared %llu "
		    "(unexpected EOF)", (unsigned long long)rd->total,
		    (unsigned long long)ent->usize);
	if ((ent->flags & ZR_FLAG_DD) == 0) {
		if (ent->crc != 0 && ent->crc != (uint32_t)rd->crc)
			return zipread_efail(rd, e, "CRC-32 mismatch");
		return 0;
	}
	if (desc != UINT64_MAX &&
	    (n = zipread_at(rd->zr, desc, d, sizeof(d))) < 0)
		return err_errno(e, E_INTERNAL, "read");
	if (n >= 4 && buf_le32(d) == ZR_DD_SIG)
		crc_at = 4;
	if ((size_t)n < crc_at + 12)
		return zipread_efail(rd, e, "data descriptor beyond the end of "
		    "the file");
	if (buf_le32(d + crc_at) != ent->crc)
		return zipread_efail(rd, e, "data descriptor CRC-32 is not the "
		    "central directory's");
	if (ent->crc != (uint32_t)rd->crc)
		return zipread_efail(rd, e, "CRC-32 mismatch");
	return 0;
}

/* See piraeus.h: entry i's content, as Go reads it, to sink. */
int
zipread_data(struct zipread *zr, size_t i, zipread_sink *sink, void *arg,
    struct err *e)
{
	const struct zipread_ent *ent = &zr->ents[i];
	struct zipread_rd *rd;
	unsigned char lfh[ZR_LFH_LEN];
	uint64_t body, desc;
	enum zr_rec rc;
	size_t k;
	int rv = -1;

	/* 128 KiB of buffers, past malloc's mmap threshold: allocated (and
	 * their pages faulted in) once per zip, not once per entry (2.6 % of
	 * the responder's CPU in bench/fetch's cold run, perf).  Only the
	 * record is cleared; the buffers are written before they are read. */
	if (zr->rd == NULL)
		zr->rd = xmalloc(sizeof(*zr->rd));
	rd = zr->rd;
	memset(rd, 0, offsetof(struct zipread_rd, in));
	rd->zr = zr;
	rd->ent = ent;
	rd->sink = sink;
	rd->arg = arg;
	rd->crc = crc32(0L, Z_NULL, 0);
	rc = ent->offset < 0 ? ZR_SHORT :
	    zipread_full(zr, (uint64_t)ent->offset, lfh, sizeof(lfh));
	if (rc == ZR_OK && buf_le32(lfh) != ZR_LFH_SIG)
		rc = ZR_FORMAT;
	if (rc != ZR_OK) {
		if (rc == ZR_IOERR)
			err_errno(e, E_INTERNAL, "read");
		else
			zipread_efail(rd, e, "local header unreadable");
		goto out;
	}
	if (ent->name_len > 0 && ent->name[ent->name_len - 1] == '/' &&
	    ent->usize != 0) {
		zipread_efail(rd, e, "directory has data (%llu bytes "
		    "declared)", (unsigned long long)ent->usize);
		goto out;
	}
	for (k = 0; k < NITEMS(zipread_methods); k++) {
		if (zipread_methods[k] == ent->method)
			break;
	}
	if (k == NITEMS(zipread_methods)) {
		err_set(e, E_UPSTREAM, "zip entry %.*s: unsupported "
		    "compression method %u (only Store and Deflate)",
		    zipread_qlen(strlen(ent->name)), ent->name,
		    (unsigned)ent->method);
		goto out;
	}
	/* offset < size <= ZIP_MAX: no overflow up to body. */
	body = (uint64_t)ent->offset + ZR_LFH_LEN + buf_le16(lfh + 26) +
	    buf_le16(lfh + 28);
	rd->pos = body;
	rd->end = body >= zr->size ? body : body + (ent->csize <
	    zr->size - body ? ent->csize : zr->size - body);
	desc = ent->csize > (uint64_t)INT64_MAX - body ? UINT64_MAX :
	    body + ent->csize;
	if ((ent->method == ZR_METHOD_STORE ? zipread_store(rd, e) :
	    zipread_inflate(rd, e)) != 0)
		goto out;
	rv = zipread_finish(rd, desc, e);
out:
	return rv;
}

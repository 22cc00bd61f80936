/*
 * gz.c: gzip (RFC 1952) in memory, with zlib.
 *
 * What the vulnerability database mirror needs: the .json.gz beside each
 * .json, and the .json inside a .json.gz someone else made.  Inflating
 * is capped (the output goes into a capped struct buf: a small gzip that
 * expands past the cap is E_TOOBIG, never a silent truncation) and
 * strict: exactly one gzip member, nothing after it, its CRC and length
 * checked by zlib.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <zlib.h>

#include "piraeus.h"

#define GZ_WINDOW	(15 + 16)	/* zlib: a gzip wrapper, 32 KiB window */
#define GZ_CHUNK	65536		/* bytes inflated at a time */

/*
 * Run z (its input set) to the end, each GZ_CHUNK of output appended to
 * out: deflate with Z_FINISH, or inflate.  0, or -1 and e (E_UPSTREAM:
 * not one well-formed gzip member; E_INTERNAL: deflate failed; out's
 * cap: E_TOOBIG).  The caller ends z.
 */
static int
gz_pump(z_stream *z, int inflating, struct buf *out, struct err *e)
{
	unsigned char chunk[GZ_CHUNK];
	int zr;

	do {
		z->next_out = chunk;
		z->avail_out = sizeof(chunk);
		zr = inflating ? inflate(z, Z_NO_FLUSH) : deflate(z, Z_FINISH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			if (inflating)
				return err_set(e, E_UPSTREAM, "gzip: %s",
				    zr == Z_BUF_ERROR ? "truncated" :
				    z->msg != NULL ? z->msg : "not gzip");
			if (zr != Z_BUF_ERROR)
				return err_set(e, E_INTERNAL, "gzip: deflate: "
				    "%d", zr);
		}
		if (buf_append(out, chunk, sizeof(chunk) - z->avail_out,
		    e) == -1)
			return -1;
	} while (zr != Z_STREAM_END);
	return 0;
}

/* The gzip of p[0..n) appended to out (initialised by the caller, its cap
 * applies): 0, or -1 and e. */
int
gz_compress(const void *p, size_t n, struct buf *out, struct err *e)
{
	z_stream z;
	int rc;

	if (n > UINT_MAX)
		return err_set(e, E_TOOBIG, "gzip: %zu bytes", n);
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, GZ_WINDOW, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return err_set(e, E_INTERNAL, "gzip: deflateInit2 failed");
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = (unsigned)n;
	rc = gz_pump(&z, 0, out, e);
	deflateEnd(&z);
	return rc;
}

/* The bytes inside the gzip p[0..n) appended to out (its cap is the most
 * accepted): 0, or -1 and e (E_UPSTREAM: not one well-formed gzip
 * member; E_TOOBIG: more than out's cap). */
int
gz_decompress(const void *p, size_t n, struct buf *out, struct err *e)
{
	z_stream z;
	int rc;

	if (n > UINT_MAX)
		return err_set(e, E_TOOBIG, "gzip: %zu bytes", n);
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, GZ_WINDOW) != Z_OK)
		return err_set(e, E_INTERNAL, "gzip: inflateInit2 failed");
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = (unsigned)n;
	rc = gz_pump(&z, 1, out, e);
	inflateEnd(&z);
	if (rc == -1)
		return -1;
	if (z.avail_in != 0)
		return err_set(e, E_UPSTREAM, "gzip: %u bytes after the end",
		    z.avail_in);
	if (out->data == NULL)
		return buf_append(out, "", 0, e);
	return 0;
}

/*
 * dirhash.c: the "h1:" hashes of go.sum (golang.org/x/mod/sumdb/dirhash
 * Hash1) and plain SHA-256 digests.
 *
 * Hash1 over a list of named files: sort the names bytewise, build a
 * summary of one "<sha256 hex>  <name>\n" line per file, and return "h1:"
 * followed by the padded standard base64 of SHA-256(summary) (protocol.md
 * section 4.6).  The summary is never held in memory: its lines are fed to
 * a running digest.
 *
 * For a zip every entry counts, directory entries included (with empty
 * content), under its full raw name.  Contents are streamed through a fixed
 * buffer, so memory stays bounded by the number of entries, not their size.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zip.h>
#include <zlib.h>

#include "piraeus.h"

#define DIRHASH_CHUNK	(64 * 1024)	/* read buffer for streaming */
#define SHA256_LEN	32

/* One file of a Hash1 list: a borrowed name and its content digest. */
struct dirhash_file {
	const char	*name;
	unsigned char	 digest[SHA256_LEN];
};

/* The compression methods Go's archive/zip can read. */
static const zip_int32_t dirhash_methods[] = {
	ZIP_CM_STORE,
	ZIP_CM_DEFLATE,
};

/* One entry's place, to find the last entry of each name. */
struct dirhash_pos {
	const char	*name;
	zip_uint64_t	 i;
};

/* Why a data descriptor (zipcheck's reading of it) refuses its entry. */
static const char *const dirhash_dd_errors[] = {
	[DIRHASH_DD_NOLOCAL] = "local header unreadable",
	[DIRHASH_DD_SHORT] = "data descriptor beyond the end of the file",
	[DIRHASH_DD_CRC] = "data descriptor CRC-32 is not the central "
	    "directory's",
};

/* libzip open errors that are not about the zip's content. */
static const struct {
	int		 zip_code;
	enum errc	 code;
} dirhash_open_errors[] = {
	{ ZIP_ER_NOENT, E_NOTFOUND },
	{ ZIP_ER_OPEN, E_INTERNAL },
	{ ZIP_ER_READ, E_INTERNAL },
	{ ZIP_ER_SEEK, E_INTERNAL },
	{ ZIP_ER_MEMORY, E_INTERNAL },
	{ ZIP_ER_INTERNAL, E_INTERNAL },
};

static void
dirhash_hex(const unsigned char *md, char out[SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * SHA256_LEN] = '\0';
}

static EVP_MD_CTX *
dirhash_ctx_new(struct err *e)
{
	EVP_MD_CTX *ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		err_set(e, E_INTERNAL, "EVP_MD_CTX_new failed");
		return NULL;
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		err_set(e, E_INTERNAL, "EVP_DigestInit_ex failed");
		return NULL;
	}
	return ctx;
}

/* Finish ctx into md (32 bytes) and free it. */
static int
dirhash_ctx_final(EVP_MD_CTX *ctx, unsigned char *md, struct err *e)
{
	unsigned int mdlen = 0;
	int rv;

	rv = EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (rv != 1 || mdlen != SHA256_LEN)
		return err_set(e, E_INTERNAL, "EVP_DigestFinal_ex failed");
	return 0;
}

static int
dirhash_file_cmp(const void *a, const void *b)
{
	const struct dirhash_file *fa = a, *fb = b;

	return strcmp(fa->name, fb->name);
}

/*
 * Hash1 of files (sorted here in place) into out.  A name with a newline
 * would make the summary ambiguous and is an error, as in Go.
 */
static int
dirhash_hash1(struct dirhash_file *files, size_t n, char out[H1_MAX],
    struct err *e)
{
	static const char prefix[] = "h1:";
	EVP_MD_CTX *ctx;
	unsigned char md[SHA256_LEN];
	char hex[SHA256_HEX];
	size_t i;
	int len;

	if (n > 1)
		qsort(files, n, sizeof(*files), dirhash_file_cmp);
	for (i = 0; i < n; i++) {
		if (strchr(files[i].name, '\n') != NULL)
			return err_set(e, E_BADREQ,
			    "file name contains a newline");
	}
	if ((ctx = dirhash_ctx_new(e)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		dirhash_hex(files[i].digest, hex);
		if (EVP_DigestUpdate(ctx, hex, 2 * SHA256_LEN) != 1 ||
		    EVP_DigestUpdate(ctx, "  ", 2) != 1 ||
		    EVP_DigestUpdate(ctx, files[i].name,
		    strlen(files[i].name)) != 1 ||
		    EVP_DigestUpdate(ctx, "\n", 1) != 1) {
			EVP_MD_CTX_free(ctx);
			return err_set(e, E_INTERNAL,
			    "EVP_DigestUpdate failed");
		}
	}
	if (dirhash_ctx_final(ctx, md, e) != 0)
		return -1;

	/* 32 bytes encode to 44 characters; "h1:" + 44 + NUL fits H1_MAX. */
	memcpy(out, prefix, sizeof(prefix) - 1);
	len = EVP_EncodeBlock((unsigned char *)out + sizeof(prefix) - 1, md,
	    SHA256_LEN);
	if (len != 44)
		return err_set(e, E_INTERNAL, "EVP_EncodeBlock failed");
	out[sizeof(prefix) - 1 + (size_t)len] = '\0';
	return 0;
}

int
dirhash_mod(const void *data, size_t len, char out[H1_MAX], struct err *e)
{
	struct dirhash_file f;

	f.name = "go.mod";
	if (EVP_Digest(data, len, f.digest, NULL, EVP_sha256(), NULL) != 1)
		return err_set(e, E_INTERNAL, "EVP_Digest failed");
	return dirhash_hash1(&f, 1, out, e);
}

static int
dirhash_method_ok(zip_int32_t method)
{
	size_t i;

	for (i = 0; i < NITEMS(dirhash_methods); i++) {
		if (dirhash_methods[i] == method)
			return 1;
	}
	return 0;
}

static int
dirhash_zip_open(const char *zippath, zip_t **za, struct err *e)
{
	zip_error_t ze;
	enum errc code = E_BADREQ;
	size_t i;
	int fd, zerr = 0;

	/* Never a FIFO or a device: libzip would block on it.  The zip is
	 * read as Go reads it: from the bytes before it that its offsets do
	 * not count on (zipend.c); one Go would not read, libzip tries. */
	if ((fd = buf_open_regular(zippath, e)) == -1)
		return -1;
	close(fd);
	if ((*za = zipend_open_file(zippath, &zerr)) != NULL)
		return 0;
	for (i = 0; i < NITEMS(dirhash_open_errors); i++) {
		if (dirhash_open_errors[i].zip_code == zerr)
			code = dirhash_open_errors[i].code;
	}
	zip_error_init_with_code(&ze, zerr);
	err_set(e, code, "%s: %s", zippath, zip_error_strerror(&ze));
	zip_error_fini(&ze);
	return -1;
}

/*
 * Reading one zip entry as Go does: the stored bytes through libzip, and
 * zlib's raw inflate for Deflate.  raw holds stored bytes not yet inflated.
 */
struct dirhash_rd {
	zip_file_t	*zf;
	z_stream	 zs;
	int		 deflate;
	int		 ended;		/* deflate: the last block; stored:
					   libzip's own end check failed */
	const char	*name;
	zip_uint64_t	 size;		/* declared uncompressed size */
	zip_uint64_t	 total;		/* bytes given out so far */
	unsigned char	 raw[DIRHASH_CHUNK];
};

/* Whether the read error of zf is libzip's CRC-32 or size check. */
static int
dirhash_rd_crc_eof(zip_file_t *zf)
{
	int code = zip_error_code_zip(zip_file_get_error(zf));

	return code == ZIP_ER_CRC || code == ZIP_ER_INCONS;
}

/*
 * The next bytes of the entry into buf (DIRHASH_CHUNK bytes, at most the
 * declared size + 1 in all): their count, 0 at the end, -1 on an error.
 * After the deflate stream's end the rest of the stored bytes is ignored,
 * as Go's flate reader does; stored bytes ending before it are an error.
 */
static zip_int64_t
dirhash_rd_read(struct dirhash_rd *rd, unsigned char *buf, struct err *e)
{
	zip_uint64_t want;
	zip_int64_t got;
	int zrv;

	want = rd->size - rd->total + 1;	/* total <= size here */
	if (want > DIRHASH_CHUNK)
		want = DIRHASH_CHUNK;
	if (!rd->deflate) {
		if (rd->ended)
			got = 0;
		else if ((got = zip_fread(rd->zf, buf, want)) < 0) {
			/*
			 * libzip compares the CRC-32 and size of stored data
			 * at its end even as stored: that is ours to do.
			 */
			if (!dirhash_rd_crc_eof(rd->zf))
				return err_set(e, E_BADREQ, "zip entry %s: %s",
				    rd->name, zip_file_strerror(rd->zf));
			rd->ended = 1;
			got = 0;
		}
	} else if (rd->ended)
		got = 0;
	else {
		rd->zs.next_out = buf;
		rd->zs.avail_out = (uInt)want;
		for (;;) {
			/* Output may be pending with no input left. */
			zrv = inflate(&rd->zs, Z_NO_FLUSH);
			if (zrv == Z_STREAM_END) {
				rd->ended = 1;
				break;
			}
			if (zrv != Z_OK && zrv != Z_BUF_ERROR)
				return err_set(e, E_BADREQ, "zip entry %s: "
				    "bad deflate data", rd->name);
			if (rd->zs.avail_out < want)
				break;
			if (rd->zs.avail_in > 0)
				continue;
			if ((got = zip_fread(rd->zf, rd->raw,
			    sizeof(rd->raw))) < 0)
				return err_set(e, E_BADREQ, "zip entry %s: %s",
				    rd->name, zip_file_strerror(rd->zf));
			if (got == 0)
				return err_set(e, E_BADREQ, "zip entry %s: "
				    "deflate data truncated", rd->name);
			rd->zs.next_in = rd->raw;
			rd->zs.avail_in = (uInt)got;
		}
		got = (zip_int64_t)(want - rd->zs.avail_out);
	}
	rd->total += (zip_uint64_t)got;
	if (rd->total > rd->size)
		return err_set(e, E_BADREQ, "zip entry %s: larger than its "
		    "declared size %llu", rd->name,
		    (unsigned long long)rd->size);
	return got;
}

/*
 * The bytes of entry i as Go's archive/zip reads them: the data as stored
 * (libzip's ZIP_FL_ENCRYPTED: no decryption, no decompression, no CRC),
 * inflated here when the method is Deflate.  Go ignores the encryption
 * flags (general purpose bits 0 and 6) and so does this.  At most the
 * declared size + 1 bytes come out: a body longer or shorter than declared
 * is an error.  Then, as Go's checksumReader: with a data descriptor (dd
 * not DIRHASH_DD_NONE) the descriptor must be readable with the central
 * CRC-32, and the content's CRC-32 must be the central one even when that
 * is 0; without one a central CRC-32 of 0 is not compared.  Digested into
 * md.
 */
static int
dirhash_zip_entry(zip_t *za, zip_uint64_t i, const zip_stat_t *st,
    unsigned char dd, unsigned char *buf, unsigned char *md, struct err *e)
{
	struct dirhash_rd *rd;
	EVP_MD_CTX *ctx = NULL;
	zip_int64_t got;
	uLong crc = crc32(0L, Z_NULL, 0);
	int rv = -1;

	rd = xcalloc(1, sizeof(*rd));
	rd->name = st->name;
	rd->size = st->size;
	rd->deflate = st->comp_method == ZIP_CM_DEFLATE;
	if ((rd->zf = zip_fopen_index(za, i, ZIP_FL_ENCRYPTED)) == NULL) {
		err_set(e, E_BADREQ, "zip entry %s: %s", st->name,
		    zip_strerror(za));
		free(rd);
		return -1;
	}
	if (rd->deflate && inflateInit2(&rd->zs, -MAX_WBITS) != Z_OK) {
		rd->deflate = 0;
		err_set(e, E_INTERNAL, "inflateInit2 failed");
		goto out;
	}
	if ((ctx = dirhash_ctx_new(e)) == NULL)
		goto out;
	while ((got = dirhash_rd_read(rd, buf, e)) > 0) {
		crc = crc32(crc, buf, (uInt)got);
		if (EVP_DigestUpdate(ctx, buf, (size_t)got) != 1) {
			err_set(e, E_INTERNAL, "EVP_DigestUpdate failed");
			goto out;
		}
	}
	if (got < 0)
		goto out;
	if (rd->total != st->size) {
		err_set(e, E_BADREQ, "zip entry %s: %llu bytes, declared %llu",
		    st->name, (unsigned long long)rd->total,
		    (unsigned long long)st->size);
		goto out;
	}
	if (dd != DIRHASH_DD_NONE && dd != DIRHASH_DD_OK) {
		err_set(e, E_BADREQ, "zip entry %s: %s", st->name,
		    dd < NITEMS(dirhash_dd_errors) &&
		    dirhash_dd_errors[dd] != NULL ? dirhash_dd_errors[dd] :
		    "bad data descriptor");
		goto out;
	}
	if ((st->valid & ZIP_STAT_CRC) != 0 &&
	    (st->crc != 0 || dd == DIRHASH_DD_OK) &&
	    st->crc != (zip_uint32_t)crc) {
		err_set(e, E_BADREQ, "zip entry %s: CRC-32 mismatch",
		    st->name);
		goto out;
	}
	rv = dirhash_ctx_final(ctx, md, e);
	ctx = NULL;
out:
	EVP_MD_CTX_free(ctx);
	if (rd->deflate)
		inflateEnd(&rd->zs);
	/* After a stored entry's libzip end check, close reports it again. */
	if (zip_fclose(rd->zf) != 0 && rv == 0 && (rd->deflate || !rd->ended))
		rv = err_set(e, E_BADREQ, "zip entry %s: close failed",
		    st->name);
	free(rd);
	return rv;
}

static int
dirhash_pos_cmp(const void *a, const void *b)
{
	const struct dirhash_pos *pa = a, *pb = b;
	int c;

	if ((c = strcmp(pa->name, pb->name)) != 0)
		return c;
	return pa->i < pb->i ? -1 : pa->i > pb->i;
}

/*
 * Into opened[i], for each entry i of files[0..n), the entry Go's HashZip
 * opens for its name: the last one with that name in the central
 * directory (its map from names to entries keeps the last).
 */
static void
dirhash_opened(const struct dirhash_file *files, zip_uint64_t n,
    zip_uint64_t *opened)
{
	struct dirhash_pos *pos;
	zip_uint64_t i, j, k;

	pos = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*pos));
	for (i = 0; i < n; i++) {
		pos[i].name = files[i].name;
		pos[i].i = i;
	}
	if (n > 1)
		qsort(pos, (size_t)n, sizeof(*pos), dirhash_pos_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(pos[j].name, pos[i].name) == 0;
		    j++)
			;
		for (k = i; k < j; k++)
			opened[pos[k].i] = pos[j - 1].i;
	}
	free(pos);
}

/*
 * Fill files[0..n) with the raw name and content digest of every entry,
 * reading them as Go's HashZip does: under each name the last entry that
 * has it, which every entry of that name then hashes as; a directory entry
 * through the same reader as a file (Go 1.19's) and with no declared
 * content (Go 1.26's rule).  dd: see dirhash_zip_dd (NULL: none).
 * Declared sizes are summed first so an oversized zip is refused before
 * anything is decompressed.
 */
static int
dirhash_zip_entries(zip_t *za, struct dirhash_file *files, zip_uint64_t n,
    const unsigned char *dd, struct err *e)
{
	zip_stat_t st;
	unsigned char *buf = NULL;
	zip_uint64_t i, total = 0, *opened;
	size_t len;
	int rv = -1;

	for (i = 0; i < n; i++) {
		zip_stat_init(&st);
		if (zip_stat_index(za, i, ZIP_FL_ENC_RAW, &st) != 0)
			return err_set(e, E_BADREQ, "zip entry %llu: %s",
			    (unsigned long long)i, zip_strerror(za));
		if ((st.valid & ZIP_STAT_NAME) == 0 ||
		    (st.valid & ZIP_STAT_SIZE) == 0 ||
		    (st.valid & ZIP_STAT_COMP_METHOD) == 0)
			return err_set(e, E_BADREQ, "zip entry %llu: no "
			    "name, size or method", (unsigned long long)i);
		files[i].name = st.name;
		if (st.size > (zip_uint64_t)ZIP_MAX ||
		    total > (zip_uint64_t)ZIP_MAX - st.size)
			return err_set(e, E_TOOBIG, "zip content larger than "
			    "%lld bytes", (long long)ZIP_MAX);
		total += st.size;
	}

	opened = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*opened));
	dirhash_opened(files, n, opened);
	buf = xmalloc(DIRHASH_CHUNK);
	for (i = 0; i < n; i++) {
		if (opened[i] != i)
			continue;
		zip_stat_init(&st);
		if (zip_stat_index(za, i, ZIP_FL_ENC_RAW, &st) != 0) {
			err_set(e, E_BADREQ, "zip entry %llu: %s",
			    (unsigned long long)i, zip_strerror(za));
			goto out;
		}
		/* Go opens an entry through its method's decompressor. */
		if (!dirhash_method_ok(st.comp_method)) {
			err_set(e, E_BADREQ, "zip entry %s: compression "
			    "method %d not allowed", st.name,
			    (int)st.comp_method);
			goto out;
		}
		len = strlen(files[i].name);
		if (len > 0 && files[i].name[len - 1] == '/' && st.size != 0) {
			err_set(e, E_BADREQ, "zip directory %s has data",
			    files[i].name);
			goto out;
		}
		if (dirhash_zip_entry(za, i, &st, dd != NULL ? dd[i] :
		    DIRHASH_DD_NONE, buf, files[i].digest, e) != 0)
			goto out;
	}
	for (i = 0; i < n; i++) {
		if (opened[i] != i)
			memcpy(files[i].digest, files[opened[i]].digest,
			    SHA256_LEN);
	}
	rv = 0;
out:
	free(opened);
	free(buf);
	return rv;
}

int
dirhash_zip(const char *zippath, char out[H1_MAX], struct err *e)
{
	return dirhash_zip_dd(zippath, NULL, 0, out, e);
}

int
dirhash_zip_dd(const char *zippath, const unsigned char *dd, size_t ndd,
    char out[H1_MAX], struct err *e)
{
	zip_t *za;
	struct dirhash_file *files = NULL;
	struct stat sb;
	zip_int64_t n;
	int rv = -1;

	if (stat(zippath, &sb) != 0)
		return err_errno(e, errno == ENOENT ? E_NOTFOUND : E_INTERNAL,
		    "%s", zippath);
	if (sb.st_size > ZIP_MAX)
		return err_set(e, E_TOOBIG, "%s: larger than %lld bytes",
		    zippath, (long long)ZIP_MAX);
	if (dirhash_zip_open(zippath, &za, e) != 0)
		return -1;
	if ((n = zip_get_num_entries(za, 0)) < 0) {
		err_set(e, E_BADREQ, "%s: %s", zippath, zip_strerror(za));
		goto out;
	}
	if ((zip_uint64_t)n > SIZE_MAX / sizeof(*files)) {
		err_set(e, E_TOOBIG, "%s: too many entries", zippath);
		goto out;
	}
	if (dd != NULL && (size_t)n != ndd) {
		err_set(e, E_INTERNAL, "%s: %llu entries, %zu descriptors",
		    zippath, (unsigned long long)n, ndd);
		goto out;
	}
	files = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*files));
	if (dirhash_zip_entries(za, files, (zip_uint64_t)n, dd, e) != 0)
		goto out;
	rv = dirhash_hash1(files, (size_t)n, out, e);
out:
	free(files);	/* the names belong to za */
	zip_discard(za);
	return rv;
}

void
dirhash_sha256_hex(const void *data, size_t len, char out[SHA256_HEX])
{
	unsigned char md[SHA256_LEN];

	if (EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL) != 1)
		fatalx("EVP_Digest failed");
	dirhash_hex(md, out);
}

/* A SHA-256 being computed over bytes as they arrive (an EVP context). */
struct dirhash_sha256 {
	EVP_MD_CTX	*ctx;
};

/* A new running SHA-256, or NULL with e set. */
struct dirhash_sha256 *
dirhash_sha256_new(struct err *e)
{
	struct dirhash_sha256 *h;
	EVP_MD_CTX *ctx;

	if ((ctx = dirhash_ctx_new(e)) == NULL)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->ctx = ctx;
	return h;
}

/* Start h again from no bytes: 0, or -1 when OpenSSL fails. */
int
dirhash_sha256_restart(struct dirhash_sha256 *h)
{
	return EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

/* Add n bytes to h: 0, or -1 when OpenSSL fails. */
int
dirhash_sha256_update(struct dirhash_sha256 *h, const void *p, size_t n)
{
	return EVP_DigestUpdate(h->ctx, p, n) == 1 ? 0 : -1;
}

/* The hex digest of what h has seen; h is freed either way. */
int
dirhash_sha256_end(struct dirhash_sha256 *h, char out[SHA256_HEX],
    struct err *e)
{
	unsigned char md[SHA256_LEN];
	int rv;

	rv = dirhash_ctx_final(h->ctx, md, e);
	free(h);
	if (rv == 0)
		dirhash_hex(md, out);
	return rv;
}

/* Drop h without a digest (NULL is fine). */
void
dirhash_sha256_free(struct dirhash_sha256 *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int
dirhash_sha256_file(const char *path, char out[SHA256_HEX], struct err *e)
{
	EVP_MD_CTX *ctx;
	unsigned char md[SHA256_LEN], *buf;
	ssize_t got;
	int fd, rv = -1;

	if ((fd = buf_open_regular(path, e)) == -1)
		return -1;
	if ((ctx = dirhash_ctx_new(e)) == NULL) {
		close(fd);
		return -1;
	}
	buf = xmalloc(DIRHASH_CHUNK);
	for (;;) {
		got = read(fd, buf, DIRHASH_CHUNK);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			err_errno(e, E_INTERNAL, "%s", path);
			goto out;
		}
		if (got == 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)got) != 1) {
			err_set(e, E_INTERNAL, "EVP_DigestUpdate failed");
			goto out;
		}
	}
	rv = dirhash_ctx_final(ctx, md, e);
	ctx = NULL;
	if (rv == 0)
		dirhash_hex(md, out);
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	close(fd);
	return rv;
}

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
 * content), under its full raw name, read by zipread.c exactly as the go
 * command reads it (the directory Go finds, the local headers, Store or
 * Deflate, sizes and CRC-32 at each entry's end).  Contents are streamed
 * through a fixed buffer, so memory stays bounded by the number of
 * entries, not their size.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "piraeus.h"

#define DIRHASH_CHUNK	(64 * 1024)	/* read buffer for streaming */

/* One file of a Hash1 list: a borrowed name and its content digest. */
struct dirhash_file {
	const char	*name;
	unsigned char	 digest[SHA256_LEN];
};

/* One entry's place, to find the last entry of each name. */
struct dirhash_pos {
	const char	*name;
	uint64_t	 i;
};

/* The lower-case hex of a 32-byte digest into out. */
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

/* A new SHA-256 context, or NULL and e set. */
static EVP_MD_CTX *
dirhash_ctx_new(struct err *e)
{
	EVP_MD_CTX *ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		err_set(e, E_INTERNAL, "EVP_MD_CTX_new failed");
		return NULL;
	}
	if (EVP_DigestInit_ex(ctx, sha256_md(), NULL) != 1) {
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

/* qsort: files by name, bytewise. */
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

/* See piraeus.h: the h1 of a go.mod body. */
int
dirhash_mod(const void *data, size_t len, char out[H1_MAX], struct err *e)
{
	struct dirhash_file f;

	f.name = "go.mod";
	sha256_digest(data, len, f.digest);
	return dirhash_hash1(&f, 1, out, e);
}

/* qsort: entries by name, then by place in the directory. */
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
dirhash_opened(const struct dirhash_file *files, uint64_t n,
    uint64_t *opened)
{
	struct dirhash_pos *pos;
	uint64_t i, j, k;

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

/* zipread_sink: content into a running SHA-256 (arg, an EVP_MD_CTX). */
static int
dirhash_sink(void *arg, const unsigned char *p, size_t n, struct err *e)
{
	if (EVP_DigestUpdate(arg, p, n) != 1)
		return err_set(e, E_INTERNAL, "EVP_DigestUpdate failed");
	return 0;
}

/*
 * Fill files[0..n) with the raw name and content digest of every entry,
 * reading them as Go's HashZip does: under each name the last entry that
 * has it, which every entry of that name then hashes as; a directory entry
 * too (zipread_data: as go 1.19 reads it, empty as go 1.26 wants it).
 * Declared sizes are summed first so an oversized zip is refused before
 * anything is decompressed.
 */
static int
dirhash_zip_entries(struct zipread *zr, struct dirhash_file *files,
    struct err *e)
{
	EVP_MD_CTX *ctx;
	uint64_t i, n = zr->n, total = 0, *opened;
	int rv = -1;

	for (i = 0; i < n; i++) {
		if (strlen(zr->ents[i].name) != zr->ents[i].name_len)
			return err_set(e, E_UPSTREAM, "zip entry %llu: a NUL "
			    "byte in its name", (unsigned long long)i);
		files[i].name = zr->ents[i].name;
		if (zr->ents[i].usize > (uint64_t)ZIP_MAX ||
		    total > (uint64_t)ZIP_MAX - zr->ents[i].usize)
			return err_set(e, E_TOOBIG, "zip content larger than "
			    "%lld bytes", (long long)ZIP_MAX);
		total += zr->ents[i].usize;
	}
	opened = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*opened));
	dirhash_opened(files, n, opened);
	for (i = 0; i < n; i++) {
		if (opened[i] != i)
			continue;
		if ((ctx = dirhash_ctx_new(e)) == NULL)
			goto out;
		if (zipread_data(zr, (size_t)i, dirhash_sink, ctx, e) != 0) {
			EVP_MD_CTX_free(ctx);
			goto out;
		}
		if (dirhash_ctx_final(ctx, files[i].digest, e) != 0)
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
	return rv;
}

/* See piraeus.h: the h1 of a zip open with zipread_open. */
int
dirhash_zipread(struct zipread *zr, char out[H1_MAX], struct err *e)
{
	struct dirhash_file *files;
	int rv = -1;

	files = xcalloc(zr->n > 0 ? zr->n : 1, sizeof(*files));
	if (dirhash_zip_entries(zr, files, e) == 0)
		rv = dirhash_hash1(files, zr->n, out, e);
	free(files);	/* the names belong to zr */
	return rv;
}

/* See piraeus.h: the h1 of the zip file at zippath. */
int
dirhash_zip(const char *zippath, char out[H1_MAX], struct err *e)
{
	struct zipread zr;
	struct stat sb;
	struct err ze;
	int fd, rv = -1;

	/* Never a FIFO or a device, never through a link. */
	if ((fd = buf_open_regular(zippath, e)) == -1)
		return -1;
	if (fstat(fd, &sb) != 0) {
		err_errno(e, E_INTERNAL, "%s", zippath);
		close(fd);
		return -1;
	}
	if (sb.st_size > ZIP_MAX) {
		close(fd);
		return err_set(e, E_TOOBIG, "%s: larger than %lld bytes",
		    zippath, (long long)ZIP_MAX);
	}
	err_clear(&ze);
	if (zipread_open(&zr, fd, (uint64_t)sb.st_size, &ze) == 0)
		rv = dirhash_zipread(&zr, out, &ze);
	/* A stored zip that is not one is a bad request, as it always was. */
	if (rv != 0)
		err_set(e, ze.code == E_UPSTREAM ? E_BADREQ : ze.code, "%s: %s",
		    zippath, ze.msg);
	zipread_close(&zr);
	close(fd);
	return rv;
}

/* See piraeus.h: the hex SHA-256 of a buffer. */
void
dirhash_sha256_hex(const void *data, size_t len, char out[SHA256_HEX])
{
	unsigned char md[SHA256_LEN];

	sha256_digest(data, len, md);
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
	return EVP_DigestInit_ex(h->ctx, sha256_md(), NULL) == 1 ? 0 : -1;
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

/* See piraeus.h: the hex SHA-256 of a file, streamed. */
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

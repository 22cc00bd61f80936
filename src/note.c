/*
 * note.c: signed notes of the checksum database (golang.org/x/mod/sumdb/note).
 *
 * A signed note is UTF-8 text ending in "\n", a blank line, and signature
 * lines "— <name> <base64(keyhash[4] || ed25519 sig[64])>\n".  A key is
 * named by its name and key hash, the first four bytes (big-endian) of
 * SHA-256(name || "\n" || 0x01 || public key).  Keys are written as
 * "<name>+<hash8hex>+<base64(0x01 || key)>", with "PRIVATE+KEY+" in front
 * for a signer, whose key is the 32-byte Ed25519 seed.
 *
 * Ed25519 and SHA-256 come from OpenSSL's EVP interface.  Base64 is the
 * padded standard alphabet of Go's base64.StdEncoding; like Go's default
 * (non-strict) decoder, unused bits of the last character are ignored.
 *
 * Error codes: malformed keys are E_CONFIG (they come from configuration),
 * every reason a note does not open is E_UPSTREAM (notes come from the
 * database server), OpenSSL failures are E_INTERNAL.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "piraeus.h"

#define NOTE_ALG_ED25519	0x01
#define NOTE_KEY_LEN		32	/* Ed25519 public key or seed */
#define NOTE_SIG_LEN		64	/* Ed25519 signature */
#define NOTE_HASH_LEN		4	/* key hash in front of a signature */
#define NOTE_HEX_LEN		8	/* key hash in a key string */
#define NOTE_SHA256_LEN		32
#define NOTE_RAWKEY_MAX		64	/* decoded key: alg byte + key, capped */
#define NOTE_B64_KEY		45	/* base64 of 33 bytes + NUL */
#define NOTE_B64_SIG		93	/* base64 of 68 bytes + NUL */
#define NOTE_PRIV_PREFIX	"PRIVATE+KEY+"

/* The signature line prefix: U+2014 EM DASH and a space. */
static const char note_sig_prefix[] = "\xe2\x80\x94 ";
#define NOTE_SIG_PREFIX_LEN	(sizeof(note_sig_prefix) - 1)

static const char note_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Unicode White_Space above ASCII (Go's unicode.IsSpace). */
static const uint32_t note_spaces[] = {
	0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
	0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
	0x205f, 0x3000,
};

void
note_b64_encode(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	size_t i, o;
	uint32_t v;

	if (outsz == 0)
		return;
	if (n / 3 >= (SIZE_MAX - 1) / 4 || outsz < (n + 2) / 3 * 4 + 1) {
		out[0] = '\0';
		return;
	}
	for (i = 0, o = 0; i + 3 <= n; i += 3, o += 4) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o] = note_b64_alphabet[v >> 18 & 0x3f];
		out[o + 1] = note_b64_alphabet[v >> 12 & 0x3f];
		out[o + 2] = note_b64_alphabet[v >> 6 & 0x3f];
		out[o + 3] = note_b64_alphabet[v & 0x3f];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o] = note_b64_alphabet[v >> 18 & 0x3f];
		out[o + 1] = note_b64_alphabet[v >> 12 & 0x3f];
		out[o + 2] = '=';
		out[o + 3] = '=';
		o += 4;
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o] = note_b64_alphabet[v >> 18 & 0x3f];
		out[o + 1] = note_b64_alphabet[v >> 12 & 0x3f];
		out[o + 2] = note_b64_alphabet[v >> 6 & 0x3f];
		out[o + 3] = '=';
		o += 4;
	}
	out[o] = '\0';
}

/* The 6-bit value of a base64 character, or -1. */
static int
note_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
note_b64_decode(const char *in, size_t n, unsigned char *out, size_t outsz,
    size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i, j, o, pad;
	int d[4];
	uint32_t v;

	*outlen = 0;
	if (n % 4 != 0)
		return -1;
	for (i = 0, o = 0; i < n; i += 4) {
		pad = 0;
		if (i + 4 == n) {
			if (s[i + 3] == '=')
				pad = s[i + 2] == '=' ? 2 : 1;
		}
		for (j = 0; j < 4 - pad; j++) {
			if ((d[j] = note_b64_value(s[i + j])) == -1)
				return -1;
		}
		for (; j < 4; j++)
			d[j] = 0;
		if (3 - pad > outsz - o)
			return -1;
		v = (uint32_t)d[0] << 18 | (uint32_t)d[1] << 12 |
		    (uint32_t)d[2] << 6 | (uint32_t)d[3];
		out[o++] = (unsigned char)(v >> 16);
		if (pad < 2)
			out[o++] = (unsigned char)(v >> 8);
		if (pad < 1)
			out[o++] = (unsigned char)v;
	}
	*outlen = o;
	return 0;
}

/*
 * Decode one UTF-8 sequence at p (n bytes left) as Go's utf8.DecodeRune
 * does, rejecting overlong forms, surrogates and values past U+10FFFF.
 * Returns its length with the code point in *r, or 0 when invalid.
 */
static size_t
note_rune(const unsigned char *p, size_t n, uint32_t *r)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t v;

	if (p[0] < 0x80) {
		*r = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		v = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		v = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		v = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 1; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	*r = v;
	return len;
}

/* Whether r is white space for Go's unicode.IsSpace. */
static int
note_is_space(uint32_t r)
{
	size_t i;

	if (r == ' ' || (r >= '\t' && r <= '\r'))
		return 1;
	for (i = 0; i < NITEMS(note_spaces); i++) {
		if (note_spaces[i] == r)
			return 1;
	}
	return 0;
}

/* Whether s[0..n) is a key name: non-empty UTF-8, no space, no '+'. */
static int
note_name_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, sz;
	uint32_t r;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i += sz) {
		if ((sz = note_rune(p + i, n - i, &r)) == 0)
			return 0;
		if (r == '+' || note_is_space(r))
			return 0;
	}
	return 1;
}

/* The key hash of name and key (algorithm byte included) into *hash. */
static int
note_key_hash(const char *name, const unsigned char *key, size_t keylen,
    uint32_t *hash, struct err *e)
{
	EVP_MD_CTX *ctx;
	unsigned char md[NOTE_SHA256_LEN];
	unsigned int mdlen = 0;
	int rv;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return err_set(e, E_INTERNAL, "EVP_MD_CTX_new failed");
	rv = EVP_DigestInit_ex(ctx, sha256_md(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, name, strlen(name)) == 1 &&
	    EVP_DigestUpdate(ctx, "\n", 1) == 1 &&
	    EVP_DigestUpdate(ctx, key, keylen) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 &&
	    mdlen == NOTE_SHA256_LEN;
	EVP_MD_CTX_free(ctx);
	if (!rv) {
		ERR_clear_error();
		return err_set(e, E_INTERNAL, "SHA-256 failed");
	}
	*hash = (uint32_t)md[0] << 24 | (uint32_t)md[1] << 16 |
	    (uint32_t)md[2] << 8 | md[3];
	return 0;
}

/* Derive the Ed25519 public key of seed into pub. */
static int
note_seed_public(const unsigned char seed[NOTE_KEY_LEN],
    unsigned char pub[NOTE_KEY_LEN], struct err *e)
{
	EVP_PKEY *pkey;
	size_t len = NOTE_KEY_LEN;
	int rv;

	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    NOTE_KEY_LEN);
	if (pkey == NULL) {
		ERR_clear_error();
		return err_set(e, E_INTERNAL, "Ed25519 private key failed");
	}
	rv = EVP_PKEY_get_raw_public_key(pkey, pub, &len);
	EVP_PKEY_free(pkey);
	if (rv != 1 || len != NOTE_KEY_LEN) {
		ERR_clear_error();
		return err_set(e, E_INTERNAL, "Ed25519 public key failed");
	}
	return 0;
}

/* Sign msg with the Ed25519 seed into sig. */
static int
note_ed25519_sign(const unsigned char seed[NOTE_KEY_LEN], const void *msg,
    size_t len, unsigned char sig[NOTE_SIG_LEN], struct err *e)
{
	EVP_PKEY *pkey;
	EVP_MD_CTX *ctx;
	size_t siglen = NOTE_SIG_LEN;
	int rv = 0;

	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    NOTE_KEY_LEN);
	if (pkey == NULL) {
		ERR_clear_error();
		return err_set(e, E_INTERNAL, "Ed25519 private key failed");
	}
	if ((ctx = EVP_MD_CTX_new()) != NULL) {
		rv = EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
		    EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 &&
		    siglen == NOTE_SIG_LEN;
		EVP_MD_CTX_free(ctx);
	}
	EVP_PKEY_free(pkey);
	if (!rv) {
		ERR_clear_error();
		return err_set(e, E_INTERNAL, "Ed25519 signing failed");
	}
	return 0;
}

/*
 * Verify an Ed25519 signature of msg under pub: 1 when it verifies, 0 when
 * it does not, -1 (E_INTERNAL) when OpenSSL itself fails.
 */
static int
note_ed25519_verify(const unsigned char pub[NOTE_KEY_LEN], const void *msg,
    size_t len, const unsigned char *sig, size_t siglen, struct err *e)
{
	EVP_PKEY *pkey;
	EVP_MD_CTX *ctx;
	int rv;

	if (siglen != NOTE_SIG_LEN)
		return 0;
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
	    NOTE_KEY_LEN);
	if (pkey == NULL) {
		ERR_clear_error();
		return err_set(e, E_INTERNAL, "Ed25519 public key failed");
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		EVP_PKEY_free(pkey);
		return err_set(e, E_INTERNAL, "EVP_MD_CTX_new failed");
	}
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) != 1)
		rv = -1;
	else
		rv = EVP_DigestVerify(ctx, sig, siglen, msg, len);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	if (rv < 0)
		return err_set(e, E_INTERNAL, "Ed25519 verification failed");
	return rv == 1;
}

/* Parse exactly eight hex digits (either case, as Go's ParseUint). */
static int
note_hex32(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;
	int d;

	if (n != NOTE_HEX_LEN)
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = hex_digit((unsigned char)s[i])) < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/*
 * Split "<name>+<hash8hex>+<base64>" into name (copied into a
 * NOTE_NAME_MAX buffer), hash and the decoded key (algorithm byte first,
 * at most NOTE_RAWKEY_MAX bytes).  what names the key kind for errors.
 */
static int
note_key_split(const char *s, const char *what, char name[NOTE_NAME_MAX],
    uint32_t *hash, unsigned char *raw, size_t *rawlen, struct err *e)
{
	const char *p1, *p2;
	size_t nlen;

	if ((p1 = strchr(s, '+')) == NULL ||
	    (p2 = strchr(p1 + 1, '+')) == NULL)
		return err_set(e, E_CONFIG, "malformed %s key", what);
	nlen = (size_t)(p1 - s);
	if (!note_name_ok(s, nlen) || nlen >= NOTE_NAME_MAX)
		return err_set(e, E_CONFIG, "%s key: invalid name", what);
	if (note_hex32(p1 + 1, (size_t)(p2 - p1 - 1), hash) == -1)
		return err_set(e, E_CONFIG, "%s key: malformed key hash",
		    what);
	if (note_b64_decode(p2 + 1, strlen(p2 + 1), raw, NOTE_RAWKEY_MAX,
	    rawlen) == -1 || *rawlen == 0)
		return err_set(e, E_CONFIG, "%s key: malformed key", what);
	memcpy(name, s, nlen);
	name[nlen] = '\0';
	return 0;
}

/* Check the algorithm byte and length of a decoded key. */
static int
note_key_alg(const unsigned char *raw, size_t rawlen, const char *what,
    struct err *e)
{
	if (raw[0] != NOTE_ALG_ED25519)
		return err_set(e, E_CONFIG, "%s key: unknown algorithm %u",
		    what, raw[0]);
	if (rawlen != 1 + NOTE_KEY_LEN)
		return err_set(e, E_CONFIG, "%s key: wrong key length", what);
	return 0;
}

int
note_verifier_parse(const char *vkey, struct note_verifier *v,
    struct err *e)
{
	unsigned char raw[NOTE_RAWKEY_MAX];
	size_t rawlen;
	uint32_t want;

	memset(v, 0, sizeof(*v));
	if (note_key_split(vkey, "verifier", v->name, &v->hash, raw, &rawlen,
	    e) == -1)
		return -1;
	if (note_key_hash(v->name, raw, rawlen, &want, e) == -1)
		return -1;
	if (want != v->hash)
		return err_set(e, E_CONFIG, "verifier key: invalid key hash");
	if (note_key_alg(raw, rawlen, "verifier", e) == -1)
		return -1;
	memcpy(v->pub, raw + 1, NOTE_KEY_LEN);
	return 0;
}

int
note_signer_parse(const char *skey, struct note_signer *s, struct err *e)
{
	unsigned char raw[NOTE_RAWKEY_MAX], pub[1 + NOTE_KEY_LEN];
	size_t rawlen;
	uint32_t want;
	int rv = -1;

	memset(s, 0, sizeof(*s));
	if (strncmp(skey, NOTE_PRIV_PREFIX, strlen(NOTE_PRIV_PREFIX)) != 0)
		return err_set(e, E_CONFIG, "malformed signer key");
	if (note_key_split(skey + strlen(NOTE_PRIV_PREFIX), "signer",
	    s->name, &s->hash, raw, &rawlen, e) == -1)
		goto out;
	if (note_key_alg(raw, rawlen, "signer", e) == -1)
		goto out;
	pub[0] = NOTE_ALG_ED25519;
	if (note_seed_public(raw + 1, pub + 1, e) == -1 ||
	    note_key_hash(s->name, pub, sizeof(pub), &want, e) == -1)
		goto out;
	if (want != s->hash) {
		err_set(e, E_CONFIG, "signer key: invalid key hash");
		goto out;
	}
	memcpy(s->seed, raw + 1, NOTE_KEY_LEN);
	rv = 0;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	if (rv == -1)
		OPENSSL_cleanse(s, sizeof(*s));
	return rv;
}

int
note_signer_verifier(const struct note_signer *s, char **out, struct err *e)
{
	unsigned char pub[1 + NOTE_KEY_LEN];
	char b64[NOTE_B64_KEY];

	*out = NULL;
	pub[0] = NOTE_ALG_ED25519;
	if (note_seed_public(s->seed, pub + 1, e) == -1)
		return -1;
	note_b64_encode(pub, sizeof(pub), b64, sizeof(b64));
	xasprintf(out, "%s+%08x+%s", s->name, (unsigned int)s->hash, b64);
	return 0;
}

int
note_keygen(const char *name, char **skey, char **vkey, struct err *e)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	unsigned char priv[1 + NOTE_KEY_LEN], pub[1 + NOTE_KEY_LEN];
	char b64priv[NOTE_B64_KEY], b64pub[NOTE_B64_KEY];
	size_t privlen = NOTE_KEY_LEN, publen = NOTE_KEY_LEN;
	uint32_t hash;
	int ok;

	*skey = *vkey = NULL;
	if (!note_name_ok(name, strlen(name)) ||
	    strlen(name) >= NOTE_NAME_MAX)
		return err_set(e, E_CONFIG, "invalid key name");
	if ((ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL)) == NULL) {
		ERR_clear_error();
		return err_set(e, E_INTERNAL, "EVP_PKEY_CTX_new_id failed");
	}
	ok = EVP_PKEY_keygen_init(ctx) == 1 &&
	    EVP_PKEY_keygen(ctx, &pkey) == 1 &&
	    EVP_PKEY_get_raw_private_key(pkey, priv + 1, &privlen) == 1 &&
	    EVP_PKEY_get_raw_public_key(pkey, pub + 1, &publen) == 1 &&
	    privlen == NOTE_KEY_LEN && publen == NOTE_KEY_LEN;
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		OPENSSL_cleanse(priv, sizeof(priv));
		return err_set(e, E_INTERNAL, "Ed25519 key generation failed");
	}
	priv[0] = pub[0] = NOTE_ALG_ED25519;
	if (note_key_hash(name, pub, sizeof(pub), &hash, e) == -1) {
		OPENSSL_cleanse(priv, sizeof(priv));
		return -1;
	}
	note_b64_encode(priv, sizeof(priv), b64priv, sizeof(b64priv));
	note_b64_encode(pub, sizeof(pub), b64pub, sizeof(b64pub));
	xasprintf(skey, NOTE_PRIV_PREFIX "%s+%08x+%s", name,
	    (unsigned int)hash, b64priv);
	xasprintf(vkey, "%s+%08x+%s", name, (unsigned int)hash, b64pub);
	OPENSSL_cleanse(priv, sizeof(priv));
	OPENSSL_cleanse(b64priv, sizeof(b64priv));
	return 0;
}

/* Whether msg is valid UTF-8 with no control character but '\n'. */
static int
note_text_ok(const char *msg, size_t len)
{
	const unsigned char *p = (const unsigned char *)msg;
	size_t i, sz;
	uint32_t r;

	for (i = 0; i < len; i += sz) {
		if ((sz = note_rune(p + i, len - i, &r)) == 0)
			return 0;
		if (r < 0x20 && r != '\n')
			return 0;
	}
	return 1;
}

int
note_sign(const char *text, size_t len, const struct note_signer *s,
    struct buf *out, struct err *e)
{
	unsigned char raw[NOTE_HASH_LEN + NOTE_SIG_LEN];
	char b64[NOTE_B64_SIG];

	buf_init(out, NOTE_MAX);
	if (len == 0 || text[len - 1] != '\n' || !note_text_ok(text, len) ||
	    memmem(text, len, "\n\n", 2) != NULL)
		return err_set(e, E_INTERNAL, "note text to sign is malformed");
	if (!note_name_ok(s->name, strlen(s->name)))
		return err_set(e, E_INTERNAL, "invalid signer name");
	raw[0] = (unsigned char)(s->hash >> 24);
	raw[1] = (unsigned char)(s->hash >> 16);
	raw[2] = (unsigned char)(s->hash >> 8);
	raw[3] = (unsigned char)s->hash;
	if (note_ed25519_sign(s->seed, text, len, raw + NOTE_HASH_LEN, e) == -1)
		return -1;
	note_b64_encode(raw, sizeof(raw), b64, sizeof(b64));
	if (buf_append(out, text, len, e) == -1 ||
	    buf_printf(out, e, "\n%s%s %s\n", note_sig_prefix, s->name,
	    b64) == -1) {
		buf_free(out);
		return -1;
	}
	return 0;
}

/*
 * The one verifier named name[0..nlen) with key hash hash: its index,
 * -1 when there is none, -2 (an error) when there are several.
 */
static ssize_t
note_find_verifier(const struct note_verifier *v, size_t nv,
    const char *name, size_t nlen, uint32_t hash, struct err *e)
{
	ssize_t found = -1;
	size_t i;

	for (i = 0; i < nv; i++) {
		if (v[i].hash != hash || strlen(v[i].name) != nlen ||
		    memcmp(v[i].name, name, nlen) != 0)
			continue;
		if (found != -1) {
			err_set(e, E_UPSTREAM, "ambiguous key %s+%08x",
			    v[i].name, (unsigned int)hash);
			return -2;
		}
		found = (ssize_t)i;
	}
	return found;
}

/*
 * Check the signature lines sigs[0..len) (each ending in "\n") against
 * the text; the number verified goes to *nok.  sig is scratch space of
 * at least len bytes for decoded signatures, seen one flag per verifier.
 */
static int
note_check_sigs(const char *sigs, size_t len, const char *text,
    size_t textlen, const struct note_verifier *v, size_t nv,
    unsigned char *seen, unsigned char *sig, size_t *nok, struct err *e)
{
	const char *line, *nl, *name, *b64, *sp;
	size_t llen, nlen, b64len, siglen, nsig = 0;
	ssize_t k;
	uint32_t hash;
	int rv;

	*nok = 0;
	for (line = sigs; line < sigs + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(sigs + len - line));
		if (nl == NULL)
			return err_set(e, E_UPSTREAM, "malformed note");
		llen = (size_t)(nl - line);
		if (llen < NOTE_SIG_PREFIX_LEN ||
		    memcmp(line, note_sig_prefix, NOTE_SIG_PREFIX_LEN) != 0)
			return err_set(e, E_UPSTREAM, "malformed note");
		name = line + NOTE_SIG_PREFIX_LEN;
		sp = memchr(name, ' ', (size_t)(nl - name));
		if (sp == NULL)
			return err_set(e, E_UPSTREAM, "malformed note");
		nlen = (size_t)(sp - name);
		b64 = sp + 1;
		b64len = (size_t)(nl - b64);
		if (!note_name_ok(name, nlen) || b64len == 0 ||
		    note_b64_decode(b64, b64len, sig, len, &siglen) == -1 ||
		    siglen <= NOTE_HASH_LEN)
			return err_set(e, E_UPSTREAM, "malformed note");
		if (++nsig > NOTE_SIGS_MAX)
			return err_set(e, E_UPSTREAM,
			    "malformed note: more than %d signatures",
			    NOTE_SIGS_MAX);
		hash = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 |
		    (uint32_t)sig[2] << 8 | sig[3];
		if ((k = note_find_verifier(v, nv, name, nlen, hash, e)) == -2)
			return -1;
		if (k == -1 || seen[k])
			continue;
		seen[k] = 1;
		rv = note_ed25519_verify(v[k].pub, text, textlen,
		    sig + NOTE_HASH_LEN, siglen - NOTE_HASH_LEN, e);
		if (rv == -1)
			return -1;
		if (rv == 0)
			return err_set(e, E_UPSTREAM,
			    "invalid signature for key %s+%08x", v[k].name,
			    (unsigned int)hash);
		(*nok)++;
	}
	return 0;
}

int
note_open(const char *msg, size_t len, const struct note_verifier *v,
    size_t nv, size_t *textlen, struct err *e)
{
	unsigned char *seen, *sig;
	size_t split, nok;
	int rv;

	*textlen = 0;
	if (len > NOTE_MAX)
		return err_set(e, E_UPSTREAM, "note longer than %d bytes",
		    NOTE_MAX);
	if (!note_text_ok(msg, len))
		return err_set(e, E_UPSTREAM,
		    "malformed note: invalid UTF-8 or control character");
	/* The last "\n\n": text through its first "\n", then signatures. */
	for (split = len; split >= 2; split--) {
		if (msg[split - 2] == '\n' && msg[split - 1] == '\n')
			break;
	}
	if (split < 2)
		return err_set(e, E_UPSTREAM, "malformed note: no signatures");
	split -= 2;
	if (split + 2 == len || msg[len - 1] != '\n')
		return err_set(e, E_UPSTREAM, "malformed note");
	seen = xcalloc(nv > 0 ? nv : 1, 1);
	sig = xmalloc(len);
	rv = note_check_sigs(msg + split + 2, len - split - 2, msg, split + 1,
	    v, nv, seen, sig, &nok, e);
	free(sig);
	free(seen);
	if (rv == -1)
		return -1;
	if (nok == 0)
		return err_set(e, E_UPSTREAM,
		    "note has no verifiable signatures");
	*textlen = split + 1;
	return 0;
}

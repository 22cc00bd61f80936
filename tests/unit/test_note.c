/*
 * test_note.c: unit tests for note.c (signed notes, note keys, base64).
 *
 * Known values: the PeterNeumann and EnochRoot keys and signatures of
 * golang.org/x/mod/sumdb/note (note.go, note_test.go), the sum.golang.org
 * key of the go command and a real tree note it signed (protocol.md
 * section 5.2), and the base64 vectors of RFC 4648.  Ed25519 signatures
 * are deterministic, so signing with the PeterNeumann private key must
 * reproduce Go's signature byte for byte.  Key hashes for hand-made keys
 * are computed here with a plain EVP_Digest, not with the code under test.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "piraeus.h"
#include "tap.h"

#define SCRATCH		256
#define MSG_CAP		(16 * 1024)

#define PETER_VKEY	"PeterNeumann+c74f20a3+" \
			"ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_SKEY	"PRIVATE+KEY+PeterNeumann+c74f20a3+" \
			"AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define PETER_PUB_B64	"ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define ENOCH_VKEY	"EnochRoot+af0cfe78+" \
			"ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
#define PETER_TEXT	"If you think cryptography is the answer to your " \
			"problem,\nthen you don't know what your problem is.\n"
#define PETER_SIG	"\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/Sffcv" \
			"IAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdn" \
			"gotpRZb6KE6RyyBwJnAM=\n"
#define ENOCH_SIG	"\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpD" \
			"ckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWL" \
			"ox33WWd1RvMc+QQ=\n"

#define SUM_VKEY	"sum.golang.org+033de0ae+" \
			"Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
#define SUM_TEXT	"go.sum database tree\n445646\n" \
			"jEFFy4AtYgBBNTSZTiNnQrgQqMbcH0mfO2oP2FxR9VU=\n"
#define SUM_SIG		"\xe2\x80\x94 sum.golang.org Az3grkGho/PqvUmEuTv6+r" \
			"2g303hUhu60FOD6vLpm19mBwH9UjquWY2OKxNmZ55z0gHrp24Ag" \
			"PC3Q5WO7uZrVdvdCQU=\n"

static const struct {
	const char	*in;
	const char	*out;
} b64_cases[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static const char *const b64_bad[] = {
	"Zg", "Zg=", "Z===", "====", "Zm9v=", "Zm=v", "Zg==Zg==", "Zm9v\n",
	"Zm9-", "Zm9_", "Zm 9", "Zm9v====",
};

/*
 * Messages Go's Open calls malformed (with the PeterNeumann verifier);
 * most carry a good signature first, so only the syntax can fail them.
 */
static const char *const bad_msgs[] = {
	PETER_TEXT,
	PETER_TEXT "\n",
	PETER_TEXT "\n" "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/Sffcv",
	PETER_TEXT PETER_SIG,				/* no blank line */
	PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94 Bad Name x08go/ZJkuBS9UG/S"
	    "ffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6R"
	    "yyBwJnAM=\n",
	PETER_TEXT "\n" PETER_SIG "Unexpected line.\n",
	PETER_TEXT "\n" PETER_SIG "- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVB"
	    "tiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
	    "\n",
	PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94 PeterNeumann\n",
	PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94 PeterNeumann \n",
	PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94  x08go/ZJkuBS9UG/Sffcv\n",
	PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94 Enoch+Root x08go/ZJkuBS9UG/Sf"
	    "fcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6Ry"
	    "yBwJnAM=\n",
	PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94 PeterNeumann x08g\n", /* 3 */
	PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94 PeterNeumann x08go/==\n", /* 4 */
	PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94 PeterNeumann x08go/Z\n",
	PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9"
	    "UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb"
	    "6KE6RyyBwJnAM=",				/* no final \n */
	PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRG"
	    "zPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1R"
	    "vMc+QQ=\x1b\n",
};

/*
 * Texts that are not valid note text.  They are signed here with raw
 * Ed25519, so only the UTF-8 and control byte checks can fail them.
 */
static const struct {
	const char	*text;
	size_t		 len;
} bad_texts[] = {
#define BT(s)	{ s, sizeof(s) - 1 }
	BT("a\x01b\n"), BT("a\tb\n"), BT("a\rb\n"), BT("a\x1b\n"),
	BT("a\0b\n"), BT("\x1f\n"),
	BT("\xff\n"), BT("\x80\n"), BT("\xc0\xaf\n"), BT("\xc1\xbf\n"),
	BT("\xe0\x80\xaf\n"), BT("\xed\xa0\x80\n"), BT("\xed\xbf\xbf\n"),
	BT("\xf0\x80\x80\xaf\n"), BT("\xf4\x90\x80\x80\n"),
	BT("\xf5\x80\x80\x80\n"), BT("\xe2\x80\n"), BT("a\xe2\x80"),
	BT("\xc3\n"),
#undef BT
};

/* Texts that are valid: DEL and C1 controls pass, as in Go. */
static const char *const good_texts[] = {
	"plain\n", "a\x7f b\n", "\xc2\x85\n", "\xed\x9f\xbf\xee\x80\x80\n",
	"\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf\n", "\xef\xbf\xbd\n",
	"two\nlines\n",
};

/* A verifier key for name and the 32-byte pub, hash made with EVP. */
static char *
make_vkey(const char *name, const unsigned char *pub)
{
	unsigned char key[33], md[32];
	char b64[64], *out;
	EVP_MD_CTX *ctx;
	unsigned int mdlen;

	key[0] = 0x01;
	memcpy(key + 1, pub, 32);
	ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, name, strlen(name));
	EVP_DigestUpdate(ctx, "\n", 1);
	EVP_DigestUpdate(ctx, key, sizeof(key));
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	EVP_EncodeBlock((unsigned char *)b64, key, sizeof(key));
	xasprintf(&out, "%s+%02x%02x%02x%02x+%s", name, md[0], md[1], md[2],
	    md[3], b64);
	return out;
}

/*
 * A note of text[0..len) signed by the PeterNeumann key with OpenSSL
 * directly, as a NUL-terminated string (allocated) of *msglen bytes.
 */
static char *
peter_raw_note(const char *text, size_t len, size_t *msglen)
{
	static const unsigned char hash[4] = { 0xc7, 0x4f, 0x20, 0xa3 };
	unsigned char seed[48], raw[68];
	char b64[128], *msg;
	EVP_PKEY *pkey;
	EVP_MD_CTX *ctx;
	size_t siglen = 64;
	static const char prefix[] = "\n\xe2\x80\x94 PeterNeumann ";

	EVP_DecodeBlock(seed, (const unsigned char *)
	    "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", 44);
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed + 1,
	    32);
	ctx = EVP_MD_CTX_new();
	memcpy(raw, hash, 4);
	if (pkey == NULL || ctx == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, raw + 4, &siglen, (const unsigned char *)text,
	    len) != 1)
		memset(raw + 4, 0, 64);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	EVP_EncodeBlock((unsigned char *)b64, raw, sizeof(raw));
	*msglen = len + sizeof(prefix) - 1 + strlen(b64) + 1;
	msg = xmalloc(*msglen + 1);
	memcpy(msg, text, len);
	memcpy(msg + len, prefix, sizeof(prefix) - 1);
	memcpy(msg + len + sizeof(prefix) - 1, b64, strlen(b64));
	msg[*msglen - 1] = '\n';
	msg[*msglen] = '\0';
	return msg;
}

/* note_open over a C string; the error code, E_OK on success. */
static enum errc
open_code(const char *msg, const struct note_verifier *v, size_t nv,
    size_t *textlen)
{
	struct err e;
	size_t tl;

	err_clear(&e);
	if (note_open(msg, strlen(msg), v, nv, textlen ? textlen : &tl,
	    &e) == 0)
		return E_OK;
	return e.code == E_OK ? E_INTERNAL : e.code;
}

/* note_verifier_parse; the error code, E_OK on success. */
static enum errc
vkey_code(const char *vkey)
{
	struct note_verifier v;
	struct err e;

	err_clear(&e);
	if (note_verifier_parse(vkey, &v, &e) == 0)
		return E_OK;
	return e.code == E_OK ? E_INTERNAL : e.code;
}

/* note_signer_parse; the error code, E_OK on success. */
static enum errc
skey_code(const char *skey)
{
	struct note_signer s;
	struct err e;

	err_clear(&e);
	if (note_signer_parse(skey, &s, &e) == 0)
		return E_OK;
	return e.code == E_OK ? E_INTERNAL : e.code;
}

static void
test_b64(void)
{
	unsigned char bin[SCRATCH];
	char out[SCRATCH];
	size_t i, len, nbad = 0;
	int rv;

	for (i = 0; i < NITEMS(b64_cases); i++) {
		note_b64_encode((const unsigned char *)b64_cases[i].in,
		    strlen(b64_cases[i].in), out, sizeof(out));
		is_str(out, b64_cases[i].out, "b64 encode RFC 4648 vector");
		rv = note_b64_decode(b64_cases[i].out,
		    strlen(b64_cases[i].out), bin, sizeof(bin), &len);
		ok(rv == 0 && len == strlen(b64_cases[i].in) &&
		    memcmp(bin, b64_cases[i].in, len) == 0,
		    "b64 decode RFC 4648 vector");
	}
	for (i = 0; i < NITEMS(b64_bad); i++) {
		if (note_b64_decode(b64_bad[i], strlen(b64_bad[i]), bin,
		    sizeof(bin), &len) == 0) {
			printf("# decoded bad base64 '%s'\n", b64_bad[i]);
			nbad++;
		}
	}
	is_int(nbad, 0, "b64 decode rejects malformed input");
	ok(note_b64_decode("Zm9vYmFy", 6, bin, sizeof(bin), &len) == -1,
	    "b64 decode of a length not a multiple of 4 fails");
	ok(note_b64_decode("Zm9vYg==", 4, bin, sizeof(bin), &len) == 0 &&
	    len == 3, "b64 decode reads only the given length");
	ok(note_b64_decode("Zm9vYmFy", 8, bin, 5, &len) == -1,
	    "b64 decode longer than outsz fails");
	ok(note_b64_decode("Zm9vYmFy", 8, bin, 6, &len) == 0 && len == 6,
	    "b64 decode exactly outsz succeeds");
	ok(note_b64_decode("Zm9vYg==", 8, bin, 4, &len) == 0 && len == 4,
	    "b64 decode with padding into exact outsz");
	memset(out, 'X', sizeof(out));
	note_b64_encode((const unsigned char *)"foobar", 6, out, 8);
	is_str(out, "", "b64 encode into too small a buffer writes \"\"");
	note_b64_encode((const unsigned char *)"foobar", 6, out, 9);
	is_str(out, "Zm9vYmFy", "b64 encode into an exact buffer");
	/* Every byte value survives a round trip. */
	for (i = 0; i < 150; i++)
		bin[i] = (unsigned char)(i * 37 + 11);
	note_b64_encode(bin, 150, out, sizeof(out));
	rv = note_b64_decode(out, strlen(out), bin, 0, &len);
	ok(rv == -1, "b64 decode into outsz 0 fails");
	{
		unsigned char back[SCRATCH];

		rv = note_b64_decode(out, strlen(out), back, sizeof(back),
		    &len);
		ok(rv == 0 && len == 150 && memcmp(back, bin, 150) == 0,
		    "b64 round trip of 150 bytes");
	}
}

static void
test_keys(void)
{
	struct note_verifier v;
	struct note_signer s;
	struct err e;
	char *vk, *name;
	char buf[SCRATCH];
	unsigned char pub[32];
	size_t i, j, len, nfail;

	err_clear(&e);
	ok(note_verifier_parse(PETER_VKEY, &v, &e) == 0,
	    "PeterNeumann verifier key parses");
	is_str(v.name, "PeterNeumann", "verifier name");
	is_int(v.hash, 0xc74f20a3, "verifier key hash");
	note_b64_decode(PETER_PUB_B64, strlen(PETER_PUB_B64),
	    (unsigned char *)buf, sizeof(buf), &len);
	ok(len == 33 && memcmp(v.pub, buf + 1, 32) == 0,
	    "verifier public key bytes");

	err_clear(&e);
	ok(note_verifier_parse(SUM_VKEY, &v, &e) == 0,
	    "sum.golang.org verifier key parses");
	is_str(v.name, "sum.golang.org", "sum.golang.org name");
	is_int(v.hash, 0x033de0ae, "sum.golang.org key hash");

	err_clear(&e);
	ok(note_signer_parse(PETER_SKEY, &s, &e) == 0,
	    "PeterNeumann signer key parses");
	is_str(s.name, "PeterNeumann", "signer name");
	is_int(s.hash, 0xc74f20a3, "signer key hash");
	vk = NULL;
	ok(note_signer_verifier(&s, &vk, &e) == 0,
	    "signer_verifier succeeds");
	is_str(vk, PETER_VKEY, "signer_verifier gives the verifier key");
	free(vk);

	/* Go's manglings: every proper substring, every byte + 1. */
	memcpy(buf, PETER_VKEY, sizeof(PETER_VKEY));
	len = strlen(buf);
	nfail = 0;
	for (i = 0; i <= len; i++) {
		for (j = i + 1; j <= len; j++) {
			char sub[SCRATCH];

			if (i == 0 && j == len)
				continue;
			memcpy(sub, buf + i, j - i);
			sub[j - i] = '\0';
			if (vkey_code(sub) != E_CONFIG)
				nfail++;
		}
	}
	for (i = 0; i < len; i++) {
		buf[i]++;
		if (vkey_code(buf) != E_CONFIG)
			nfail++;
		buf[i]--;
	}
	is_int(nfail, 0, "mangled verifier keys are E_CONFIG");

	memcpy(buf, PETER_SKEY, sizeof(PETER_SKEY));
	len = strlen(buf);
	nfail = 0;
	for (i = 0; i <= len; i++) {
		for (j = i + 1; j <= len; j++) {
			char sub[SCRATCH];

			if (i == 0 && j == len)
				continue;
			memcpy(sub, buf + i, j - i);
			sub[j - i] = '\0';
			if (skey_code(sub) != E_CONFIG)
				nfail++;
		}
	}
	for (i = 0; i < len; i++) {
		buf[i]++;
		if (skey_code(buf) != E_CONFIG)
			nfail++;
		buf[i]--;
	}
	is_int(nfail, 0, "mangled signer keys are E_CONFIG");

	is_int(vkey_code("PeterNeumann+c74f20a4+" PETER_PUB_B64), E_CONFIG,
	    "wrong key hash rejected");
	is_int(vkey_code("PeterNeumann+C74F20A3+" PETER_PUB_B64), E_OK,
	    "upper-case key hash accepted (as Go's ParseUint)");
	is_int(vkey_code("PeterNeumann+c74f20a+" PETER_PUB_B64), E_CONFIG,
	    "seven-digit key hash rejected");
	is_int(vkey_code("PeterNeumann+0c74f20a3+" PETER_PUB_B64), E_CONFIG,
	    "nine-digit key hash rejected");
	is_int(vkey_code("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVk"
	    "mqq/LDE4izWy10TWBADKEY=="), E_CONFIG,
	    "wrong key length (adjusted hash) rejected");
	is_int(vkey_code("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVk"
	    "mqq/LDE4izWy10TW"), E_CONFIG,
	    "unknown algorithm (adjusted hash) rejected");
	is_int(vkey_code("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVk"
	    "mqq/LDE4izWy10T"), E_CONFIG, "bad base64 rejected");
	is_int(vkey_code("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVk"
	    "mqq/LDE4izWy10T="), E_CONFIG, "short key rejected");
	is_int(vkey_code("PeterNeumann+c74f20a3"), E_CONFIG,
	    "key without its base64 rejected");
	is_int(vkey_code(""), E_CONFIG, "empty key rejected");
	is_int(skey_code("PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMz"
	    "D1QIDr+Y7hfZx09iUvxdXHKDFz"), E_CONFIG,
	    "signer key with wrong hash rejected");
	is_int(skey_code("PRIVATE+KEY+PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxb"
	    "zhKqiBfsVkmqq/LDE4izWy10TW"), E_CONFIG,
	    "signer key with another seed rejected");
	is_int(skey_code(PETER_VKEY), E_CONFIG,
	    "verifier key as signer key rejected");
	is_int(vkey_code(PETER_SKEY), E_CONFIG,
	    "signer key as verifier key rejected");

	/* Names, with hashes made right so only the name can fail. */
	note_b64_decode(PETER_PUB_B64, strlen(PETER_PUB_B64),
	    (unsigned char *)buf, sizeof(buf), &len);
	memcpy(pub, buf + 1, 32);
	vk = make_vkey("PeterNeumann", pub);
	is_str(vk, PETER_VKEY, "test helper makes the PeterNeumann key");
	is_int(vkey_code(vk), E_OK, "helper-made key parses");
	free(vk);
	vk = make_vkey("Peter Neumann", pub);
	is_int(vkey_code(vk), E_CONFIG, "name with a space rejected");
	free(vk);
	vk = make_vkey("Peter\xc2\xa0Neumann", pub);
	is_int(vkey_code(vk), E_CONFIG, "name with U+00A0 rejected");
	free(vk);
	vk = make_vkey("Peter\xe3\x80\x80Neumann", pub);
	is_int(vkey_code(vk), E_CONFIG, "name with U+3000 rejected");
	free(vk);
	vk = make_vkey("Peter\xffNeumann", pub);
	is_int(vkey_code(vk), E_CONFIG, "name with bad UTF-8 rejected");
	free(vk);
	vk = make_vkey("", pub);
	is_int(vkey_code(vk), E_CONFIG, "empty name rejected");
	free(vk);
	vk = make_vkey("P\xc3\xa9ter/Neumann", pub);
	is_int(vkey_code(vk), E_OK, "name with UTF-8 and '/' accepted");
	free(vk);
	name = xmalloc(NOTE_NAME_MAX + 1);
	memset(name, 'n', NOTE_NAME_MAX - 1);
	name[NOTE_NAME_MAX - 1] = '\0';
	vk = make_vkey(name, pub);
	is_int(vkey_code(vk), E_OK, "name of NOTE_NAME_MAX-1 bytes accepted");
	free(vk);
	name[NOTE_NAME_MAX - 1] = 'n';
	name[NOTE_NAME_MAX] = '\0';
	vk = make_vkey(name, pub);
	err_clear(&e);
	ok(note_verifier_parse(vk, &v, &e) == -1 && e.code == E_CONFIG &&
	    strstr(e.msg, "name") != NULL,
	    "name of NOTE_NAME_MAX bytes rejected");
	free(vk);
	free(name);
	is_int(vkey_code("Peter+Neumann+c74f20a3+" PETER_PUB_B64), E_CONFIG,
	    "name with '+' rejected");
}

static void
test_open(void)
{
	struct note_verifier v[4], sum;
	struct note_signer s;
	struct buf out;
	struct err e;
	char *msg, *p;
	size_t i, tl, nfail;

	err_clear(&e);
	note_verifier_parse(PETER_VKEY, &v[0], &e);
	note_verifier_parse(ENOCH_VKEY, &v[1], &e);
	note_verifier_parse(SUM_VKEY, &sum, &e);
	ok(e.code == E_OK, "test keys parse");

	/* The example of note.go. */
	tl = 0;
	is_int(open_code(PETER_TEXT "\n" PETER_SIG, v, 1, &tl), E_OK,
	    "PeterNeumann note opens");
	is_int(tl, strlen(PETER_TEXT), "textlen is the text through its \\n");
	is_int(open_code(PETER_TEXT "\n" PETER_SIG, &v[1], 1, NULL),
	    E_UPSTREAM, "PeterNeumann note with only EnochRoot known fails");
	is_int(open_code(PETER_TEXT "\n" PETER_SIG, v, 0, NULL), E_UPSTREAM,
	    "no verifiers: no verifiable signature");

	/* The sum.golang.org tree note of protocol.md 5.2. */
	tl = 0;
	is_int(open_code(SUM_TEXT "\n" SUM_SIG, &sum, 1, &tl), E_OK,
	    "sum.golang.org tree 445646 note opens");
	is_int(tl, strlen(SUM_TEXT), "its text length");
	is_int(open_code(SUM_TEXT "\n" SUM_SIG, v, 2, NULL), E_UPSTREAM,
	    "sum.golang.org note with other keys fails");

	/* One known, one unknown; both known; unknown only. */
	is_int(open_code(PETER_TEXT "\n" PETER_SIG ENOCH_SIG, v, 1, &tl), E_OK,
	    "unknown key's signature ignored");
	is_int(open_code(PETER_TEXT "\n" PETER_SIG ENOCH_SIG, v, 2, &tl), E_OK,
	    "both signatures verify");
	is_int(open_code(PETER_TEXT "\n" ENOCH_SIG PETER_SIG, v, 2, &tl), E_OK,
	    "signature order does not matter");
	is_int(open_code(PETER_TEXT "\n" ENOCH_SIG, v, 1, NULL), E_UPSTREAM,
	    "only an unknown key: fails");
	is_int(open_code(PETER_TEXT "\n" ENOCH_SIG, &sum, 1, NULL), E_UPSTREAM,
	    "only an unknown key (other verifier): fails");

	/* Tampering. */
	is_int(open_code("If you think cryptography is the answer to your "
	    "problem,\nthen you don't know what your problem was.\n\n"
	    PETER_SIG, v, 1, NULL), E_UPSTREAM, "tampered text fails");
	is_int(open_code("go.sum database tree\n445647\n"
	    "jEFFy4AtYgBBNTSZTiNnQrgQqMbcH0mfO2oP2FxR9VU=\n\n" SUM_SIG, &sum,
	    1, NULL), E_UPSTREAM, "tampered tree size fails");
	msg = xstrdup(PETER_TEXT "\n" PETER_SIG);
	p = strstr(msg, "x08go/") + 40;
	*p = *p == 'A' ? 'B' : 'A';
	err_clear(&e);
	ok(note_open(msg, strlen(msg), v, 1, &tl, &e) == -1 &&
	    e.code == E_UPSTREAM && strstr(e.msg, "invalid signature") != NULL,
	    "tampered signature byte: invalid signature");
	free(msg);
	is_int(open_code(PETER_TEXT "\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9"
	    "UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb"
	    "6KE6RyyBwJnAM=" "ABCD\n", v, 1, NULL), E_UPSTREAM,
	    "signature of the wrong length fails");
	is_int(open_code(PETER_TEXT "\n\xe2\x80\x94 PeterNeumann xxxxo/ZJkuBS9"
	    "UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb"
	    "6KE6RyyBwJnAM=\n", v, 1, NULL), E_UPSTREAM,
	    "wrong key hash: unknown key, no verified signature");
	is_int(open_code(PETER_TEXT "\n\xe2\x80\x94 PeterNeumann xxxxo/ZJkuBS9"
	    "UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb"
	    "6KE6RyyBwJnAM=\n" PETER_SIG, v, 1, NULL), E_OK,
	    "wrong key hash beside a good signature is ignored");
	is_int(open_code(PETER_TEXT "\n\xe2\x80\x94 CarmenSandiego x08go/ZJkuB"
	    "S9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpR"
	    "Zb6KE6RyyBwJnAM=\n", v, 1, NULL), E_UPSTREAM,
	    "wrong key name: no verified signature");

	/* Duplicates: later copies of a verified key are skipped. */
	is_int(open_code(PETER_TEXT "\n" PETER_SIG PETER_SIG ENOCH_SIG ENOCH_SIG,
	    v, 1, NULL), E_OK, "duplicated signatures accepted");
	is_int(open_code(PETER_TEXT "\n" PETER_SIG "\xe2\x80\x94 PeterNeumann "
	    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
	    "qfqdngotpRZb7KE6RyyBwJnAM=\n", v, 1, NULL), E_OK,
	    "a later line of an already verified key is not checked (Go)");
	is_int(open_code(PETER_TEXT "\n\xe2\x80\x94 PeterNeumann "
	    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
	    "qfqdngotpRZb7KE6RyyBwJnAM=\n" PETER_SIG, v, 1, NULL), E_UPSTREAM,
	    "but a bad first line of a known key fails");
	v[2] = v[1];
	is_int(open_code(PETER_TEXT "\n" ENOCH_SIG, &v[1], 2, NULL), E_UPSTREAM,
	    "ambiguous verifier list fails when used");
	is_int(open_code(PETER_TEXT "\n" PETER_SIG, v, 3, NULL), E_OK,
	    "ambiguous verifier unused: opens");

	/* At most NOTE_SIGS_MAX signatures, known or not. */
	for (i = NOTE_SIGS_MAX; i <= NOTE_SIGS_MAX + 1; i++) {
		struct buf b;
		size_t k;

		buf_init(&b, MSG_CAP);
		buf_puts(&b, PETER_TEXT "\n", &e);
		for (k = 0; k < i; k++)
			buf_puts(&b, i == NOTE_SIGS_MAX ? PETER_SIG : ENOCH_SIG,
			    &e);
		if (i == NOTE_SIGS_MAX)
			is_int(open_code(b.data, v, 1, NULL), E_OK,
			    "100 signatures accepted");
		else
			is_int(open_code(b.data, v, 1, NULL), E_UPSTREAM,
			    "101 signatures (unknown keys) rejected");
		buf_reset(&b);
		buf_puts(&b, PETER_TEXT "\n", &e);
		for (k = 0; k < NOTE_SIGS_MAX + 1; k++)
			buf_puts(&b, PETER_SIG, &e);
		if (i == NOTE_SIGS_MAX)
			is_int(open_code(b.data, v, 1, NULL), E_UPSTREAM,
			    "101 signatures (known key) rejected");
		buf_free(&b);
	}

	/* Malformed messages. */
	nfail = 0;
	for (i = 0; i < NITEMS(bad_msgs); i++) {
		if (open_code(bad_msgs[i], v, 2, NULL) != E_UPSTREAM) {
			printf("# opened bad message %zu\n", i);
			nfail++;
		}
	}
	is_int(nfail, 0, "malformed messages are E_UPSTREAM");

	/* Raw-signed texts: only the text checks decide. */
	nfail = 0;
	for (i = 0; i < NITEMS(good_texts); i++) {
		size_t mlen;

		msg = peter_raw_note(good_texts[i], strlen(good_texts[i]),
		    &mlen);
		err_clear(&e);
		if (note_open(msg, mlen, v, 1, &tl, &e) == -1 ||
		    tl != strlen(good_texts[i])) {
			printf("# good text %zu: %s\n", i, e.msg);
			nfail++;
		}
		free(msg);
	}
	is_int(nfail, 0, "raw-signed valid texts open");
	nfail = 0;
	for (i = 0; i < NITEMS(bad_texts); i++) {
		size_t mlen;

		msg = peter_raw_note(bad_texts[i].text, bad_texts[i].len,
		    &mlen);
		err_clear(&e);
		if (note_open(msg, mlen, v, 1, &tl, &e) != -1 ||
		    e.code != E_UPSTREAM) {
			printf("# bad text %zu opened\n", i);
			nfail++;
		}
		free(msg);
	}
	is_int(nfail, 0, "raw-signed bad UTF-8 and control bytes rejected");

	/* NOTE_MAX bytes open, one more do not. */
	for (i = 0; i < 2; i++) {
		size_t mlen, tlen;
		char *text;

		msg = peter_raw_note("x\n", 2, &mlen);
		tlen = NOTE_MAX - (mlen - 2) + i;
		free(msg);
		text = xmalloc(tlen);
		memset(text, 'a', tlen - 1);
		text[tlen - 1] = '\n';
		msg = peter_raw_note(text, tlen, &mlen);
		err_clear(&e);
		if (i == 0)
			ok(mlen == NOTE_MAX &&
			    note_open(msg, mlen, v, 1, &tl, &e) == 0 &&
			    tl == tlen, "note of NOTE_MAX bytes opens");
		else
			ok(mlen == NOTE_MAX + 1 &&
			    note_open(msg, mlen, v, 1, &tl, &e) == -1 &&
			    e.code == E_UPSTREAM,
			    "note of NOTE_MAX + 1 bytes rejected");
		free(msg);
		free(text);
	}
	{
		static const char nul[] = PETER_TEXT "\0\n\n" PETER_SIG;

		err_clear(&e);
		ok(note_open(nul, sizeof(nul) - 1, v, 1, &tl, &e) == -1 &&
		    e.code == E_UPSTREAM, "NUL byte rejected");
	}

	/* Sign: Ed25519 is deterministic, so Go's bytes come back. */
	err_clear(&e);
	note_signer_parse(PETER_SKEY, &s, &e);
	ok(note_sign(PETER_TEXT, strlen(PETER_TEXT), &s, &out, &e) == 0,
	    "note_sign succeeds");
	is_str(out.data, PETER_TEXT "\n" PETER_SIG,
	    "note_sign reproduces Go's signed note");
	is_int(out.len, strlen(PETER_TEXT "\n" PETER_SIG), "signed length");
	buf_free(&out);
	err_clear(&e);
	ok(note_sign("abc", 3, &s, &out, &e) == -1 && e.code == E_INTERNAL,
	    "sign text without final newline fails");
	buf_free(&out);
	err_clear(&e);
	ok(note_sign("a\n\nb\n", 5, &s, &out, &e) == -1,
	    "sign text with a blank line fails");
	buf_free(&out);
	err_clear(&e);
	ok(note_sign("a\x01\n", 3, &s, &out, &e) == -1,
	    "sign text with a control byte fails");
	buf_free(&out);
	err_clear(&e);
	ok(note_sign("h\xc3\xa9llo \xe2\x80\x94 \xe2\x9c\x93\n", 15, &s, &out,
	    &e) == 0 && open_code(out.data, v, 1, &tl) == E_OK &&
	    tl == 15, "UTF-8 text signs and opens");
	buf_free(&out);
}

static void
test_keygen(void)
{
	struct note_verifier v, peter;
	struct note_signer s;
	struct buf out;
	struct err e;
	char *skey, *vkey, *skey2, *vkey2, *vk;
	size_t tl;

	err_clear(&e);
	ok(note_keygen("EnochRoot", &skey, &vkey, &e) == 0, "keygen");
	ok(strncmp(skey, "PRIVATE+KEY+EnochRoot+", 22) == 0 &&
	    strlen(skey) == 22 + 8 + 1 + 44, "signer key shape");
	ok(strncmp(vkey, "EnochRoot+", 10) == 0 &&
	    strlen(vkey) == 10 + 8 + 1 + 44, "verifier key shape");
	ok(strncmp(skey + 22, vkey + 10, 8) == 0, "same key hash in both");
	ok(note_signer_parse(skey, &s, &e) == 0, "generated signer parses");
	ok(note_verifier_parse(vkey, &v, &e) == 0,
	    "generated verifier parses");
	is_int(s.hash, v.hash, "signer and verifier hashes agree");
	vk = NULL;
	ok(note_signer_verifier(&s, &vk, &e) == 0, "signer_verifier");
	is_str(vk, vkey, "signer_verifier equals keygen's verifier key");
	free(vk);
	ok(note_sign(SUM_TEXT, strlen(SUM_TEXT), &s, &out, &e) == 0,
	    "sign with generated key");
	tl = 0;
	ok(open_code(out.data, &v, 1, &tl) == E_OK &&
	    tl == strlen(SUM_TEXT), "keygen -> sign -> open round trip");
	note_verifier_parse(PETER_VKEY, &peter, &e);
	is_int(open_code(out.data, &peter, 1, NULL), E_UPSTREAM,
	    "opening with another key fails");
	buf_free(&out);

	ok(note_keygen("EnochRoot", &skey2, &vkey2, &e) == 0 &&
	    strcmp(skey, skey2) != 0 && strcmp(vkey, vkey2) != 0,
	    "two keygens differ");
	ok(note_verifier_parse(vkey2, &peter, &e) == 0 &&
	    note_sign(PETER_TEXT, strlen(PETER_TEXT), &s, &out, &e) == 0 &&
	    open_code(out.data, &peter, 1, NULL) == E_UPSTREAM,
	    "same name, other key: not verified");
	buf_free(&out);
	free(skey);
	free(vkey);
	free(skey2);
	free(vkey2);

	err_clear(&e);
	ok(note_keygen("bad name", &skey, &vkey, &e) == -1 &&
	    e.code == E_CONFIG && skey == NULL && vkey == NULL,
	    "keygen rejects a name with a space");
	err_clear(&e);
	ok(note_keygen("a+b", &skey, &vkey, &e) == -1 && e.code == E_CONFIG,
	    "keygen rejects a name with '+'");
	err_clear(&e);
	ok(note_keygen("", &skey, &vkey, &e) == -1 && e.code == E_CONFIG,
	    "keygen rejects an empty name");
}

int
main(void)
{
	test_b64();
	test_keys();
	test_open();
	test_keygen();
	return tap_done();
}

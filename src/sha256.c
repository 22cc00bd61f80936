/*
 * sha256.c: the one SHA-256 implementation every hash in piraeus uses.
 *
 * OpenSSL 3 looks an algorithm up in its provider store on every
 * EVP_DigestInit_ex(ctx, EVP_sha256(), ...) and EVP_Digest(...,
 * EVP_sha256(), ...): a lock, a hash-table walk and a reference count per
 * call.  A cold miss hashes thousands of times (the h1: of every file of
 * a zip, the checksum database's tile hashes of every proof), and that
 * lookup was 4 to 5 % of the responder's CPU in bench/fetch's verified
 * cold run (perf).  sha256_md fetches the implementation once per
 * process, thread-safely, and every caller passes it instead.
 */
#include "config.h"

#include <pthread.h>

#include <openssl/evp.h>

#include "piraeus.h"

static EVP_MD	*sha256_impl;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

/* Fetch the implementation; OpenSSL without SHA-256 is fatal. */
static void
sha256_fetch(void)
{
	if ((sha256_impl = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		fatalx("sha256: OpenSSL has no SHA-256");
}

/* See piraeus.h: the process's SHA-256, fetched at the first call. */
const EVP_MD *
sha256_md(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_impl;
}

/* See piraeus.h: the SHA-256 of len bytes at data into md. */
void
sha256_digest(const void *data, size_t len, unsigned char md[SHA256_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, md, &n, sha256_md(), NULL) != 1 ||
	    n != SHA256_LEN)
		fatalx("sha256: EVP_Digest failed");
}

/*
 * fuzz_gz.c: gzip in memory (gz.c).  The input is inflated into a buf
 * whose cap the first byte picks (the caps vulndb.c inflates under: an
 * entry's, db.json's, and small ones the input can pass); what inflates
 * is at most the cap and compresses and inflates back to itself, and the
 * input compresses and inflates back to itself under no cap.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "fuzz.h"

static const size_t fuzz_gz_caps[] = {
	0, 1, 64, 4096, VULNDB_DB_MAX, 65536, OSV_ENTRY_MAX,
};
#define FUZZ_GZ_NCAPS	(sizeof(fuzz_gz_caps) / sizeof(fuzz_gz_caps[0]))

/* fuzz_gz_round: p[0..n) compressed then inflated is p[0..n). */
static void
fuzz_gz_round(const void *p, size_t n)
{
	struct buf	 z, back;
	struct err	 e;

	buf_init(&z, (size_t)-1);
	buf_init(&back, n);
	err_clear(&e);
	if (gz_compress(p, n, &z, &e) == -1 ||
	    gz_decompress(z.data, z.len, &back, &e) == -1 ||
	    back.len != n || (n > 0 && memcmp(back.data, p, n) != 0))
		abort();
	buf_free(&z);
	buf_free(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 out;
	struct err	 e;
	size_t		 cap;

	if (size == 0)
		return 0;
	cap = fuzz_gz_caps[data[0] % FUZZ_GZ_NCAPS];
	buf_init(&out, cap);
	err_clear(&e);
	if (gz_decompress(data + 1, size - 1, &out, &e) == 0) {
		if (out.data == NULL || out.len > cap)
			abort();
		fuzz_gz_round(out.data, out.len);
	} else if (e.code != E_UPSTREAM && e.code != E_TOOBIG)
		abort();
	buf_free(&out);
	fuzz_gz_round(data, size);
	return 0;
}

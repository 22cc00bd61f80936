/*
 * fuzz_tlog.c: tile paths and tree notes (tlog.c).  The input's first
 * line is parsed as a tile path (which must format back to itself: only
 * the canonical path parses); the whole input as a tree note (whose
 * formatted form must parse back to the same size and root) and as a
 * tile's data for a hash lookup at the tile's last hash.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlog_tile	 t;
	struct tlog_hash	 h;
	char			*s, *nl, out[512];
	struct tlog_hash	 h2;
	int64_t			 n, n2;

	s = fuzz_cstr(data, size);
	if (tlog_tree_parse((const char *)data, size, &n, &h) == 0) {
		if (tlog_tree_format(n, &h, out, sizeof(out)) != 0 ||
		    tlog_tree_parse(out, strlen(out), &n2, &h2) != 0 ||
		    n2 != n || memcmp(&h, &h2, sizeof(h)) != 0)
			abort();
	}
	if ((nl = strchr(s, '\n')) != NULL)
		*nl = '\0';
	if (tlog_tile_parse(s, &t) == 0) {
		if (tlog_tile_path(&t, out, sizeof(out)) != 0 ||
		    strcmp(out, s) != 0)
			abort();
		/* Small tiles only: the index arithmetic of a huge one
		 * would overflow int64_t here, in the harness (n < 2^16,
		 * shifted by h and doubled l * h + 1 times: under 2^57). */
		if (t.l >= 0 && t.h * (t.l + 1) <= 40 &&
		    t.n < ((int64_t)1 << 16))
			tlog_hash_from_tile(&t, data, size,
			    tlog_stored_hash_index(t.l * t.h,
			    (t.n << t.h) + t.w - 1), &h);
	}
	free(s);
	return 0;
}

/*
 * fuzz_zipcheck.c: the zip checker (zipcheck.c) on fuzzed archives.  The
 * input is written to a scratch file and checked as the zip of
 * example.com/mod@v1.0.0 (the seeds are zips of that module); a zip that
 * passes must have an "h1:" hash.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err	 e;
	char		 h1[H1_MAX];

	err_clear(&e);
	if (zipcheck(fuzz_file(data, size), "example.com/mod", "v1.0.0", h1,
	    &e) == 0 && strncmp(h1, "h1:", 3) != 0)
		abort();
	return 0;
}

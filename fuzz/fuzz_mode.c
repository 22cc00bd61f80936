/*
 * fuzz_mode.c: the download-mode HCL parser (mode.c).  The input is
 * written to a scratch file and loaded as "file:PATH"; a table that loads
 * is asked about a few modules (a redirect mode always has a URL).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "piraeus.h"
#include "fuzz.h"

static const char *const fuzz_modules[] = {
	"github.com/a/b", "golang.org/x/mod", "corp.example/x", "a",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mode_table	 t;
	struct err		 e;
	const char		*url;
	char			 spec[4200];
	enum dl_mode		 m;
	size_t			 i;

	snprintf(spec, sizeof(spec), "file:%s", fuzz_file(data, size));
	err_clear(&e);
	if (mode_load(spec, &t, &e) != 0)
		return 0;
	for (i = 0; i < sizeof(fuzz_modules) / sizeof(fuzz_modules[0]); i++) {
		url = NULL;
		m = mode_for(&t, fuzz_modules[i], &url);
		if ((m == DL_REDIRECT || m == DL_ASYNC_REDIRECT) && url == NULL)
			abort();
		mode_name(m);
	}
	mode_free(&t);
	return 0;
}

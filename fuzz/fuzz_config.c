/*
 * fuzz_config.c: the configuration loader (config.c, inih).  The input is
 * written to a scratch INI file and loaded with an empty environment;
 * what loads is dumped (every value printable).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "piraeus.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const	 envp[] = { NULL };
	struct config		 cfg;
	struct config_errors	 errs = { 0 };
	FILE			*null;

	if (config_load(&cfg, fuzz_file(data, size), envp, &errs) == 0) {
		null = fopen("/dev/null", "w");
		if (null != NULL) {
			config_dump(&cfg, null);
			fclose(null);
		}
	}
	config_free(&cfg);
	config_errors_free(&errs);
	return 0;
}

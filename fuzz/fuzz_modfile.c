/*
 * fuzz_modfile.c: go.mod parsing (modfile.c): the retract and require
 * directives and a main module's require, replace and exclude.  What
 * parses is checked: each required version is canonical (the path is
 * not checked by the parser: Go's modfile.Parse does not either, the
 * callers check it on use), and the low end of each retracted interval
 * is then reported retracted (unless the interval is empty: Go's
 * parseVersionInterval takes [v1.1.0, v1.0.5] too, and retracts
 * nothing with it).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct modfile_require	*req = NULL;
	struct retraction	*ret = NULL;
	struct modfile_main	 m;
	struct err		 e;
	char			 canon[VERSION_MAX];
	size_t			 n, i;

	err_clear(&e);
	if (modfile_retractions((const char *)data, size, &ret, &n, &e) == 0) {
		for (i = 0; i < n; i++)
			if (semver_compare(ret[i].low, ret[i].high) <= 0 &&
			    !modfile_is_retracted(ret, n, ret[i].low))
				abort();
		free(ret);
	}
	err_clear(&e);
	if (modfile_requires((const char *)data, size, &req, &n, &e) == 0) {
		for (i = 0; i < n; i++)
			if (semver_canonical(req[i].version, 1, canon,
			    sizeof(canon)) != 0 ||
			    strcmp(canon, req[i].version) != 0)
				abort();
		free(req);
	}
	err_clear(&e);
	memset(&m, 0, sizeof(m));
	if (modfile_main_parse((const char *)data, size, &m, &e) == 0)
		modfile_main_free(&m);
	return 0;
}

/*
 * fuzz_modpath.c: module path and version checks (modpath.c, semver.c).
 * The input up to its first NUL is "path" or "path@version": every
 * checker of the path, the major-suffix split and compatibility check,
 * the version element rule and semver_canonical.  Checked beyond "no
 * crash": a valid module path is a valid import path, and its major
 * suffix split lies inside it.
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
	const char	*major;
	char		*s, *at, canon[VERSION_MAX];
	size_t		 plen;

	s = fuzz_cstr(data, size);
	at = strchr(s, '@');
	if (at != NULL)
		*at++ = '\0';
	err_clear(&e);
	if (modpath_check(s, &e) == 0 && modpath_check_import(s) != 0)
		abort();
	modpath_check_file(s);
	if (modpath_split_major(s, &plen, &major) == 0 &&
	    (plen > strlen(s) || major < s || major > s + strlen(s)))
		abort();
	if (at != NULL) {
		modpath_check_version_elem(at);
		modpath_check_major(s, at);
		if (semver_canonical(at, 1, canon, sizeof(canon)) == 0 &&
		    !semver_valid(canon))
			abort();
		semver_canonical(at, 0, canon, 8);
	}
	free(s);
	return 0;
}

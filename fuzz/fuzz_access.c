/*
 * fuzz_access.c: the access file parser (access.c).  The input is written
 * to a scratch file and loaded (hashes checked for their form, not hashed:
 * that is a login's cost); a file that loads is asked about visibility
 * and a token.
 */
#include "config.h"

#include <stdlib.h>

#include "piraeus.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct access	*a = NULL;
	struct err	 e;

	err_clear(&e);
	if (access_load(fuzz_file(data, size), 0, &a, &e) != 0)
		return 0;
	access_visible(a, NULL, "corp.example/secret");
	access_visible(a, "alice", "corp.example/secret/x");
	access_covered(a, "github.com/a/b");
	access_token(a, "0123456789abcdef0123456789abcdef");
	access_standin_name(a, "alice");
	access_nrules(a);
	access_npasswords(a);
	access_free(a);
	return 0;
}

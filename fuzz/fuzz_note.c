/*
 * fuzz_note.c: signed notes (note.c).  The input is opened as a signed
 * note against the keys of golang.org/x/mod's note tests and
 * sum.golang.org's; its first line is also parsed as a verifier and a
 * signer key, and the whole as base64.  An opened note's text ends in
 * "\n" and lies inside the input.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "fuzz.h"

static const char *const fuzz_vkeys[] = {
	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop",
	SUMDB_DEFAULT_KEY,
};
#define FUZZ_NKEYS	(sizeof(fuzz_vkeys) / sizeof(fuzz_vkeys[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct note_verifier	 v[FUZZ_NKEYS];
	static int			 loaded;
	struct note_verifier		 pv;
	struct note_signer		 ps;
	struct err			 e;
	unsigned char			 raw[256];
	char				*s, *nl;
	size_t				 i, textlen, rawlen;

	if (!loaded) {
		for (i = 0; i < FUZZ_NKEYS; i++) {
			err_clear(&e);
			if (note_verifier_parse(fuzz_vkeys[i], &v[i], &e) != 0)
				abort();
		}
		loaded = 1;
	}
	err_clear(&e);
	if (note_open((const char *)data, size, v, FUZZ_NKEYS, &textlen,
	    &e) == 0 && (textlen == 0 || textlen > size ||
	    data[textlen - 1] != '\n'))
		abort();
	s = fuzz_cstr(data, size);
	if ((nl = strchr(s, '\n')) != NULL)
		*nl = '\0';
	err_clear(&e);
	note_verifier_parse(s, &pv, &e);
	err_clear(&e);
	note_signer_parse(s, &ps, &e);
	note_b64_decode(s, strlen(s), raw, sizeof(raw), &rawlen);
	free(s);
	return 0;
}

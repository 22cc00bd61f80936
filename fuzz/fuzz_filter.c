/*
 * fuzz_filter.c: Athens' filter file parser (filter.c): filter_parse on
 * the input, then filter_decide for a few module@version pairs; a
 * decision is never FILTER_DEFAULT.
 */
#include "config.h"

#include <stdlib.h>

#include "piraeus.h"
#include "fuzz.h"

static const struct {
	const char	*module;
	const char	*version;
} fuzz_asks[] = {
	{ "github.com/a/b", "v1.2.3" }, { "github.com/a/b", "v0.0.0-pre" },
	{ "golang.org/x/mod", "" }, { "corp.example/x/y", "v2.0.0" },
	{ "a", NULL },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct filter_table	 t = { 0 };
	struct err		 e;
	enum filter_action	 a;
	size_t			 i;
	int			 line;

	err_clear(&e);
	if (filter_parse("fuzz", (const char *)data, size, &t, &e) != 0)
		return 0;
	for (i = 0; i < sizeof(fuzz_asks) / sizeof(fuzz_asks[0]); i++) {
		a = filter_decide(&t, fuzz_asks[i].module,
		    fuzz_asks[i].version, &line);
		if (a == FILTER_DEFAULT)
			abort();
		filter_action_name(a);
	}
	filter_free(&t);
	return 0;
}

/*
 * fuzz_accesslog.c: the access log line parser (accesslog.c): the input
 * as one Common/Combined Log Format line, as a timestamp, and a parsed
 * line's path as an artifact below "" and "/go".  A parsed GET has a
 * three-digit status (000 too: nginx logs it for a request never
 * answered; only 200, 206 and 304 count as hits) and a path starting
 * with "/".
 */
#include "config.h"

#include <stdlib.h>

#include "piraeus.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct accesslog_hit	*h;
	char			 emod[MODPATH_MAX], ever[VERSION_MAX];
	int64_t			 t;

	h = malloc(sizeof(*h));
	if (h == NULL)
		abort();
	if (accesslog_parse((const char *)data, size, h) == 0) {
		if (h->path[0] != '/' || h->status < 0 || h->status > 999)
			abort();
		accesslog_artifact(h->path, "", emod, ever);
		accesslog_artifact(h->path, "/go", emod, ever);
	}
	accesslog_time((const char *)data, size, &t);
	free(h);
	return 0;
}

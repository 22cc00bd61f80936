/*
 * fuzz_request.c: request path parsing and unescaping (request.c,
 * modpath.c).  The first byte picks the method and base path, the rest
 * is the REQUEST_URI given to request_parse_uri; the same bytes go
 * through request_pct_decode and the "!" unescaping.  Checked beyond "no
 * crash": a parsed module request names a valid module whose escaped
 * form is the one on disk, and "!"-unescaping round-trips.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "http.h"
#include "fuzz.h"

static const char *const fuzz_methods[] = { "GET", "HEAD", "POST", NULL };
static const char *const fuzz_bases[] = { "", "/go", "/a/b" };

/* fuzz_module_route: 1 for the routes that name a module. */
static int
fuzz_module_route(enum route r)
{
	return r == ROUTE_LIST || r == ROUTE_INFO || r == ROUTE_MOD ||
	    r == ROUTE_ZIP || r == ROUTE_LATEST;
}

/* fuzz_escape_roundtrip: unescape then escape gives s back; escape then
 * unescape too.  Not for "": escaping it is "", unescaping refuses it.
 * Both forms within MODPATH_MAX, as every caller's buffers are (both
 * functions refuse an input of MODPATH_MAX bytes or more, so a long
 * path of capitals escapes only into a bigger buffer than that). */
static void
fuzz_escape_roundtrip(const char *s)
{
	char	a[MODPATH_MAX], b[MODPATH_MAX];

	if (*s == '\0')
		return;
	if (modpath_unescape(s, a, sizeof(a)) == 0) {
		if (modpath_escape(a, b, sizeof(b)) != 0 || strcmp(b, s) != 0)
			abort();
	}
	if (modpath_escape(s, a, sizeof(a)) == 0) {
		if (modpath_unescape(a, b, sizeof(b)) != 0 || strcmp(b, s) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request	*r;
	struct err	 e;
	char		*uri, esc[MODPATH_MAX], val[URI_MAX];
	char		 small[16];

	if (size < 1)
		return 0;
	uri = fuzz_cstr(data + 1, size - 1);
	r = malloc(sizeof(*r));
	if (r == NULL)
		abort();
	err_clear(&e);
	if (request_parse_uri(r, fuzz_methods[data[0] % 4],
	    uri, fuzz_bases[(data[0] >> 2) % 3], &e) == 0) {
		if (fuzz_module_route(r->route)) {
			if (modpath_check(r->module, NULL) != 0)
				abort();
			if (modpath_escape(r->module, esc, sizeof(esc)) != 0 ||
			    strcmp(esc, r->emod) != 0)
				abort();
		}
		request_query_get(r->query, "go-get", val, sizeof(val));
	}
	request_pct_decode(uri, strlen(uri), val, sizeof(val));
	request_pct_decode(uri, strlen(uri), small, sizeof(small));
	fuzz_escape_roundtrip(uri);
	free(r);
	free(uri);
	return 0;
}

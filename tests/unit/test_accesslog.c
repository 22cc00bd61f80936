/*
 * test_accesslog.c: accesslog_parse against lines of lighttpd, Apache and
 * nginx (common and combined) and hostile ones; accesslog_artifact
 * against paths of stored files and paths that only look like them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "tap.h"

/* 2024-03-05T10:20:30Z */
#define T0	1709634030LL

static const struct {
	const char	*line;
	int		 rc;
	long long	 time;
	const char	*path;
	int		 status;
} lines[] = {
	/* Apache common */
	{ "127.0.0.1 - - [05/Mar/2024:10:20:30 +0000] \"GET /example.com/m/@v/v1.0.0.zip HTTP/1.1\" 200 2326\n",
	  0, T0, "/example.com/m/@v/v1.0.0.zip", 200 },
	/* Apache combined, a time zone east and west */
	{ "10.0.0.1 - alice [05/Mar/2024:12:20:30 +0200] \"GET /go/x.org/y/@v/v2.0.0.mod HTTP/1.1\" 304 - \"-\" \"Go-http-client/1.1\"",
	  0, T0, "/go/x.org/y/@v/v2.0.0.mod", 304 },
	{ "::1 - - [05/Mar/2024:05:50:30 -0430] \"GET /a.b/c/@v/v1.0.0.info HTTP/2.0\" 200 52",
	  0, T0, "/a.b/c/@v/v1.0.0.info", 200 },
	/* lighttpd: the Host in the ident field */
	{ "127.0.0.1 127.0.0.1:8080 - [05/Mar/2024:10:20:30 +0000] \"GET /a.b/c/@v/v1.0.0.zip HTTP/1.1\" 200 1 \"-\" \"Go-http-client/1.1\"",
	  0, T0, "/a.b/c/@v/v1.0.0.zip", 200 },
	/* nginx combined, CRLF */
	{ "1.2.3.4 - - [05/Mar/2024:10:20:30 +0000] \"GET /a.b/c/@v/v1.0.0.zip?x=1 HTTP/1.1\" 206 10 \"-\" \"curl\"\r\n",
	  0, T0, "/a.b/c/@v/v1.0.0.zip", 206 },
	/* percent-decoded once */
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a.b/%21c/@v/v1.0.0.zip HTTP/1.1\" 200 1",
	  0, T0, "/a.b/!c/@v/v1.0.0.zip", 200 },
	/* a user name with spaces and a fake time before the real one */
	{ "h - [bob] [x] [01/Jan/1999:00:00:00 +0000 \"GET /f HTTP/1.1\" 200 1 [05/Mar/2024:10:20:30 +0000] \"GET /a.b/c/@v/v1.0.0.zip HTTP/1.1\" 200 1",
	  0, T0, "/a.b/c/@v/v1.0.0.zip", 200 },
	/* quotes escaped by Apache (\") and nginx (\x22) */
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a\\\"b HTTP/1.1\" 404 1",
	  0, T0, "/a\"b", 404 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a\\x22b HTTP/1.1\" 404 1",
	  0, T0, "/a\"b", 404 },
	/* leap day; the latest second of a day */
	{ "h - - [29/Feb/2024:23:59:59 +0000] \"GET / HTTP/1.1\" 200 1",
	  0, 1709251199LL, "/", 200 },
	/* hostile or useless lines */
	{ "", -1, 0, NULL, 0 },
	{ "\n", -1, 0, NULL, 0 },
	{ "garbage", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"HEAD /a.b/c/@v/v1.0.0.zip HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"POST /a.b/c/@v/v1.0.0.zip HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET http://evil/a.b/c/@v/v1.0.0.zip HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"\\x16\\x03\\x01\" 400 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"-\" 408 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a HTTP/1.1 extra\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a HTTP/1.1", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a HTTP/1.1\" 2000 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a HTTP/1.1\" 20", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a%00b HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a%zz HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a% HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a\\x0ab HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000] \"GET /a\\q HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [30/Feb/2024:10:20:30 +0000] \"GET /a HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [29/Feb/2023:10:20:30 +0000] \"GET /a HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Foo/2024:10:20:30 +0000] \"GET /a HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:24:20:30 +0000] \"GET /a HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 0000] \"GET /a HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [5/Mar/2024:10:20:30 +0000] \"GET /a HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/-024:10:20:30 +0000] \"GET /a HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
	{ "h - - [05/Mar/2024:10:20:30 +0000]\"GET /a HTTP/1.1\" 200 0", -1, 0, NULL, 0 },
};

static const struct {
	const char	*path;
	const char	*base;
	int		 rc;
	const char	*emod;
	const char	*ever;
} paths[] = {
	{ "/example.com/m/@v/v1.0.0.zip", "", 0, "example.com/m", "v1.0.0" },
	{ "/go/example.com/m/@v/v1.0.0.mod", "/go", 0, "example.com/m", "v1.0.0" },
	{ "/example.com/!upper/@v/v1.0.0-!r!c.1.info", "", 0, "example.com/!upper", "v1.0.0-!r!c.1" },
	{ "/example.com/nomod/@v/v3.0.0+incompatible.zip", "", 0, "example.com/nomod", "v3.0.0+incompatible" },
	{ "/example.com/m/v2/@v/v2.1.0.zip", "", 0, "example.com/m/v2", "v2.1.0" },
	{ "/go/example.com/m/@v/v1.0.0.zip", "", -1, NULL, NULL },
	{ "/example.com/m/@v/v1.0.0.zip", "/go", -1, NULL, NULL },
	{ "/gox/example.com/m/@v/v1.0.0.zip", "/go", -1, NULL, NULL },
	{ "/example.com/m/@v/list", "", -1, NULL, NULL },
	{ "/example.com/m/@latest", "", -1, NULL, NULL },
	{ "/example.com/m/@v/v1.0.zip", "", -1, NULL, NULL },
	{ "/example.com/m/@v/v1.0.0.ziphash", "", -1, NULL, NULL },
	{ "/example.com/m/@v/v1.0.0.lock", "", -1, NULL, NULL },
	{ "/example.com/m/@v/.zip", "", -1, NULL, NULL },
	{ "/example.com/m/@v/x/v1.0.0.zip", "", -1, NULL, NULL },
	{ "/example.com/../m/@v/v1.0.0.zip", "", -1, NULL, NULL },
	{ "/example.com/Upper/@v/v1.0.0.zip", "", -1, NULL, NULL },
	{ "/example.com/m/v2/@v/v1.0.0.zip", "", -1, NULL, NULL },
	{ "/sumdb/sum.golang.org/lookup/x@v1.0.0", "", -1, NULL, NULL },
	{ "//@v/v1.0.0.zip", "", -1, NULL, NULL },
};

int
main(void)
{
	struct accesslog_hit h;
	char name[128], emod[MODPATH_MAX], ever[VERSION_MAX], *big;
	size_t i;
	int rc;

	for (i = 0; i < NITEMS(lines); i++) {
		memset(&h, 0, sizeof(h));
		rc = accesslog_parse(lines[i].line, strlen(lines[i].line), &h);
		snprintf(name, sizeof(name), "line %zu: rc", i);
		is_int(rc, lines[i].rc, name);
		if (rc != 0 || lines[i].rc != 0)
			continue;
		snprintf(name, sizeof(name), "line %zu: time", i);
		is_int(h.time, lines[i].time, name);
		snprintf(name, sizeof(name), "line %zu: path", i);
		is_str(h.path, lines[i].path, name);
		snprintf(name, sizeof(name), "line %zu: status", i);
		is_int(h.status, lines[i].status, name);
	}
	/* An over-long target is refused, never truncated. */
	big = xmalloc(URI_MAX + 200);
	i = (size_t)snprintf(big, 64, "h - - [05/Mar/2024:10:20:30 +0000] "
	    "\"GET /");
	memset(big + i, 'a', URI_MAX + 10);
	snprintf(big + i + URI_MAX + 10, 40, " HTTP/1.1\" 200 1");
	is_int(accesslog_parse(big, strlen(big), &h), -1,
	    "a target longer than URI_MAX is refused");
	free(big);

	for (i = 0; i < NITEMS(paths); i++) {
		rc = accesslog_artifact(paths[i].path, paths[i].base, emod,
		    ever);
		snprintf(name, sizeof(name), "artifact %s (base \"%s\")",
		    paths[i].path, paths[i].base);
		is_int(rc, paths[i].rc, name);
		if (rc == 0 && paths[i].rc == 0) {
			is_str(emod, paths[i].emod, "  its module");
			is_str(ever, paths[i].ever, "  its version");
		}
	}
	return tap_done();
}

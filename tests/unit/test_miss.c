/*
 * test_miss.c: the miss decision (miss.c) as a table: network_mode, the
 * download mode of the module's pattern, Disable-Module-Fetch and the
 * route (with or without a version) -> MISS_FETCH, MISS_NOTFOUND (and its
 * reason), MISS_ASYNC (and what is deferred) or MISS_REDIRECT (and the
 * exact Location, written out by hand below).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"

/* One download file for every case: a mode per module pattern. */
#define MODES_TEXT \
	"mode = \"sync\"\n" \
	"downloadURL = \"https://global.example/go\"\n" \
	"download \"none.example/*\" { mode = \"none\" }\n" \
	"download \"async.example/*\" { mode = \"async\" }\n" \
	"download \"redir.example/*\" { mode = \"redirect\" }\n" \
	"download \"aredir.example/*\" {\n" \
	"  mode = \"async_redirect\"\n" \
	"  downloadURL = \"https://other.example\"\n" \
	"}\n"

static const struct {
	const char	*name;
	int		 network;	/* enum network_mode */
	const char	*spec;		/* download_mode; NULL: the file */
	int		 no_fetch;	/* Disable-Module-Fetch: true */
	const char	*uri;
	enum miss_action want;
	const char	*why;		/* NOTFOUND: part of the reason */
	const char	*location;	/* REDIRECT */
	const char	*deferred;	/* "module@version" or "" */
} cases[] = {
	/* Sync (the default rule): fetch, whatever the route. */
	{ "sync zip", NETWORK_STRICT, NULL, 0,
	  "/sync.example/m/@v/v1.0.0.zip", MISS_FETCH, NULL, NULL, "" },
	{ "sync list", NETWORK_STRICT, NULL, 0,
	  "/sync.example/m/@v/list", MISS_FETCH, NULL, NULL, "" },
	{ "sync latest, fallback", NETWORK_FALLBACK, NULL, 0,
	  "/sync.example/m/@latest", MISS_FETCH, NULL, NULL, "" },
	{ "plain spec async", NETWORK_STRICT, "async", 0,
	  "/sync.example/m/@v/v1.0.0.mod", MISS_ASYNC, NULL, NULL,
	  "sync.example/m@v1.0.0" },
	/* Disable-Module-Fetch and offline win over every mode. */
	{ "no_fetch, sync", NETWORK_STRICT, NULL, 1,
	  "/sync.example/m/@v/v1.0.0.info", MISS_NOTFOUND,
	  "Disable-Module-Fetch", NULL, "" },
	{ "no_fetch, redirect", NETWORK_STRICT, NULL, 1,
	  "/redir.example/m/@v/list", MISS_NOTFOUND,
	  "Disable-Module-Fetch", NULL, "" },
	{ "no_fetch and offline: the header is named", NETWORK_OFFLINE, NULL,
	  1, "/sync.example/m/@v/list", MISS_NOTFOUND,
	  "Disable-Module-Fetch", NULL, "" },
	{ "offline, sync", NETWORK_OFFLINE, NULL, 0,
	  "/sync.example/m/@v/v1.0.0.zip", MISS_NOTFOUND,
	  "network_mode is offline", NULL, "" },
	{ "offline, async", NETWORK_OFFLINE, NULL, 0,
	  "/async.example/m/@v/v1.0.0.zip", MISS_NOTFOUND,
	  "network_mode is offline", NULL, "" },
	{ "offline, redirect", NETWORK_OFFLINE, NULL, 0,
	  "/redir.example/m/@latest", MISS_NOTFOUND,
	  "network_mode is offline", NULL, "" },
	/* none. */
	{ "none zip", NETWORK_STRICT, NULL, 0,
	  "/none.example/m/@v/v1.0.0.zip", MISS_NOTFOUND,
	  "download mode none", NULL, "" },
	{ "none list", NETWORK_FALLBACK, NULL, 0,
	  "/none.example/m/@v/list", MISS_NOTFOUND,
	  "download mode none", NULL, "" },
	/* async: deferred only when there is a version. */
	{ "async info", NETWORK_STRICT, NULL, 0,
	  "/async.example/m/@v/v1.2.3.info", MISS_ASYNC, NULL, NULL,
	  "async.example/m@v1.2.3" },
	{ "async list: nothing deferred", NETWORK_STRICT, NULL, 0,
	  "/async.example/m/@v/list", MISS_ASYNC, NULL, NULL, "" },
	{ "async latest: nothing deferred", NETWORK_STRICT, NULL, 0,
	  "/async.example/m/@latest", MISS_ASYNC, NULL, NULL, "" },
	/* redirect: the request's own path below the URL, escapes kept. */
	{ "redirect info", NETWORK_STRICT, NULL, 0,
	  "/redir.example/!m/@v/v1.0.0-!r!c1.info", MISS_REDIRECT, NULL,
	  "https://global.example/go/redir.example/!m/@v/v1.0.0-!r!c1.info",
	  "" },
	{ "redirect mod", NETWORK_STRICT, NULL, 0,
	  "/redir.example/m/@v/v2.0.0+incompatible.mod", MISS_REDIRECT, NULL,
	  "https://global.example/go/redir.example/m/@v/"
	  "v2.0.0+incompatible.mod", "" },
	{ "redirect zip", NETWORK_STRICT, NULL, 0,
	  "/redir.example/m/@v/v1.0.0.zip", MISS_REDIRECT, NULL,
	  "https://global.example/go/redir.example/m/@v/v1.0.0.zip", "" },
	{ "redirect list", NETWORK_STRICT, NULL, 0,
	  "/redir.example/m/@v/list", MISS_REDIRECT, NULL,
	  "https://global.example/go/redir.example/m/@v/list", "" },
	{ "redirect latest", NETWORK_FALLBACK, NULL, 0,
	  "/redir.example/m/@latest", MISS_REDIRECT, NULL,
	  "https://global.example/go/redir.example/m/@latest", "" },
	/* async_redirect: redirect, and defer when there is a version. */
	{ "async_redirect zip", NETWORK_STRICT, NULL, 0,
	  "/aredir.example/m/@v/v0.1.0.zip", MISS_REDIRECT, NULL,
	  "https://other.example/aredir.example/m/@v/v0.1.0.zip",
	  "aredir.example/m@v0.1.0" },
	{ "async_redirect list: nothing deferred", NETWORK_STRICT, NULL, 0,
	  "/aredir.example/m/@v/list", MISS_REDIRECT, NULL,
	  "https://other.example/aredir.example/m/@v/list", "" },
	/* A base path of ours is never in the Location. */
	{ "redirect under our base", NETWORK_STRICT, NULL, 0,
	  "/base/redir.example/m/@v/v1.0.0.mod", MISS_REDIRECT, NULL,
	  "https://global.example/go/redir.example/m/@v/v1.0.0.mod", "" },
};

int
main(void)
{
	char loc[1024], name[256], want_def[512];
	char got_def[MODPATH_MAX + VERSION_MAX + 2];
	struct proxy px;
	struct request r;
	struct err e;
	enum miss_action a;
	const char *spec, *base;
	size_t i;

	for (i = 0; i < NITEMS(cases); i++) {
		memset(&px, 0, sizeof(px));
		px.cfg.network_mode = cases[i].network;
		spec = cases[i].spec;
		err_clear(&e);
		if (spec == NULL) {
			/* The file form, through a temporary file. */
			char path[] = "/tmp/test_miss.XXXXXX";
			int fd = mkstemp(path);
			char fspec[64];

			if (fd == -1 || write(fd, MODES_TEXT,
			    strlen(MODES_TEXT)) != (ssize_t)strlen(MODES_TEXT))
				return 99;
			close(fd);
			snprintf(fspec, sizeof(fspec), "file:%s", path);
			if (mode_load(fspec, &px.modes, &e) == -1) {
				printf("# mode_load: %s\n", e.msg);
				unlink(path);
				return 99;
			}
			unlink(path);
		} else if (mode_load(spec, &px.modes, &e) == -1) {
			printf("# mode_load: %s\n", e.msg);
			return 99;
		}
		base = strncmp(cases[i].uri, "/base/", 6) == 0 ? "/base" : "";
		if (request_parse_uri(&r, "GET", cases[i].uri, base, &e) == -1) {
			printf("# %s: %s\n", cases[i].uri, e.msg);
			return 99;
		}
		r.no_fetch = cases[i].no_fetch;
		loc[0] = '\0';
		a = miss_decide(&px, &r, loc, sizeof(loc), &e);
		snprintf(name, sizeof(name), "%s: action", cases[i].name);
		is_int(a, cases[i].want, name);
		snprintf(name, sizeof(name), "%s: error code", cases[i].name);
		is_int(e.code, cases[i].want == MISS_NOTFOUND ? E_NOTFOUND :
		    E_OK, name);
		if (cases[i].why != NULL) {
			snprintf(name, sizeof(name), "%s: reason names %s",
			    cases[i].name, cases[i].why);
			if (!ok(strstr(e.msg, cases[i].why) != NULL, name))
				printf("#   got: '%s'\n", e.msg);
		}
		snprintf(name, sizeof(name), "%s: Location", cases[i].name);
		is_str(loc, cases[i].location ? cases[i].location : "", name);
		snprintf(want_def, sizeof(want_def), "%s", cases[i].deferred);
		if (px.deferred_module[0] != '\0')
			snprintf(got_def, sizeof(got_def), "%s@%s",
			    px.deferred_module, px.deferred_version);
		else
			got_def[0] = '\0';
		snprintf(name, sizeof(name), "%s: deferred", cases[i].name);
		is_str(got_def, want_def, name);
		mode_free(&px.modes);
	}
	return tap_done();
}

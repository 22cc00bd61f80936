/*
 * miss.c: what to do when storage lacks what a request asks for.
 *
 * One decision for every endpoint, in this order: a client that sent
 * "Disable-Module-Fetch: true" and network_mode = offline get storage only;
 * then the download mode of the module (Athens' DownloadMode, applied to
 * list and @latest too): none answers from storage, redirect and
 * async_redirect send the client to the configured URL (302, the request's
 * own path below that URL, never our base path), async answers "not yet"
 * and fetches once the answer is out, sync fetches now.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http.h"

/* The part of the request path below the base: "/<emod>/@v/<file>". */
static void
miss_location(const char *base, const struct request *r, char *out,
    size_t outsz)
{
	const char *suffix;

	switch (r->route) {
	case ROUTE_LIST:
		suffix = "@v/list";
		break;
	case ROUTE_LATEST:
		suffix = "@latest";
		break;
	default:
		suffix = NULL;
		break;
	}
	if (suffix != NULL)
		snprintf(out, outsz, "%s/%s/%s", base, r->emod, suffix);
	else
		snprintf(out, outsz, "%s/%s/@v/%s%s", base, r->emod, r->ever,
		    r->route == ROUTE_INFO ? ".info" : r->route == ROUTE_MOD ?
		    ".mod" : ".zip");
}

enum miss_action
miss_decide(struct proxy *px, const struct request *r, char *location,
    size_t locsz, struct err *e)
{
	const char *url = NULL;
	enum dl_mode mode;

	if (r->no_fetch) {
		err_set(e, E_NOTFOUND, "not in storage (the request said "
		    "Disable-Module-Fetch)");
		return MISS_NOTFOUND;
	}
	if (px->cfg.network_mode == NETWORK_OFFLINE) {
		err_set(e, E_NOTFOUND, "not in storage (network_mode is "
		    "offline)");
		return MISS_NOTFOUND;
	}
	mode = mode_for(&px->modes, r->module, &url);
	switch (mode) {
	case DL_NONE:
		err_set(e, E_NOTFOUND, "not in storage (download mode none)");
		return MISS_NOTFOUND;
	case DL_REDIRECT:
	case DL_ASYNC_REDIRECT:
		if (url == NULL || url[0] == '\0') {
			err_set(e, E_NOTFOUND, "not in storage (redirect mode "
			    "without a URL)");
			return MISS_NOTFOUND;
		}
		miss_location(url, r, location, locsz);
		if (mode == DL_ASYNC_REDIRECT && r->version[0] != '\0')
			miss_defer(px, r);
		return MISS_REDIRECT;
	case DL_ASYNC:
		if (r->version[0] != '\0')
			miss_defer(px, r);
		return MISS_ASYNC;
	default:
		return MISS_FETCH;
	}
}

void
miss_defer(struct proxy *px, const struct request *r)
{
	snprintf(px->deferred_module, sizeof(px->deferred_module), "%s",
	    r->module);
	snprintf(px->deferred_version, sizeof(px->deferred_version), "%s",
	    r->version);
}

int
miss_redirect(struct response *rs, const char *location)
{
	response_header(rs, "Location", "%s", location);
	return response_body(rs, 302, "text/plain; charset=utf-8", CACHE_NONE,
	    "redirect\n", 9);
}

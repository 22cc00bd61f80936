/*
 * ep_catalog.c: /catalog?token=&pagesize=, Athens' JSON shape.
 *
 *   {"modules":[{"module":"m","version":"v"},...],"next":"<token>"}
 *
 * "next" is omitted on the last page.  Pagination is keyset pagination on
 * (module, version) in byte order: the token names the last row of the
 * page ("<escaped module>@<escaped version>"), and the next page starts
 * strictly after it.  Rows added or removed between pages can therefore
 * never make a page skip or repeat a version that was there all along
 * (Athens' filesystem catalog drops versions: athens.md 4.2).
 *
 * With [access] rules, a page lists only what the request's user may see
 * (auth_keep): the rows of hidden modules are read past, so a page is as
 * full as the visible rows allow and its token names a visible row; the
 * answer is the same whether hidden rows exist or not.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "http.h"

#define CATALOG_TOKEN_MAX	(MODPATH_MAX + VERSION_MAX + 2)

/* Split and check a token into unescaped module and version. */
static int
ep_catalog_token(const char *tok, char *mod, char *ver, struct err *e)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX];
	const char *at = strrchr(tok, '@');
	size_t n;

	if (at == NULL || (n = (size_t)(at - tok)) == 0 || n >= sizeof(emod) ||
	    strlen(at + 1) >= sizeof(ever))
		return err_set(e, E_BADREQ, "malformed token");
	memcpy(emod, tok, n);
	emod[n] = '\0';
	memcpy(ever, at + 1, strlen(at + 1) + 1);
	if (modpath_unescape(emod, mod, MODPATH_MAX) == -1 ||
	    modpath_unescape(ever, ver, VERSION_MAX) == -1 ||
	    modpath_check(mod, NULL) == -1 || !semver_valid(ver))
		return err_set(e, E_BADREQ, "malformed token");
	return 0;
}

int
ep_catalog(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	char tok[CATALOG_TOKEN_MAX], num[32], mod[MODPATH_MAX];
	char ver[VERSION_MAX], emod[MODPATH_MAX], ever[VERSION_MAX];
	struct index_version *rows;
	struct auth_view view;
	struct json_object *top, *mods, *o;
	struct index *ix;
	const char *s;
	long pagesize = px->cfg.catalog_pagesize;
	size_t n, i, shown;
	int have_tok, rc, filter;

	if ((rc = request_query_get(r->query, "pagesize", num,
	    sizeof(num))) == -1 || (rc == 1 && request_query_long(num, 1,
	    px->cfg.catalog_max_pagesize, &pagesize) == -1))
		return err_set(e, E_BADREQ, "pagesize must be an integer "
		    "from 1 to %ld", px->cfg.catalog_max_pagesize);
	if ((have_tok = request_query_get(r->query, "token", tok,
	    sizeof(tok))) == -1)
		return err_set(e, E_BADREQ, "malformed token");
	if (have_tok == 1 && tok[0] == '\0')
		have_tok = 0;
	if (have_tok && ep_catalog_token(tok, mod, ver, e) == -1)
		return -1;
	if ((ix = proxy_index(px, e)) == NULL)
		return -1;
	proxy_catch_up(px, ix);
	filter = auth_view(px->acl, r, &view, rs);
	/* One row more than the page tells whether there is a next page. */
	if (index_catalog_kept(ix, have_tok ? mod : NULL, ver, pagesize + 1,
	    filter ? auth_keep : NULL, &view, &rows, &n, e) == -1)
		return -1;
	shown = n > (size_t)pagesize ? (size_t)pagesize : n;
	top = json_object_new_object();
	mods = json_object_new_array();
	for (i = 0; i < shown; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "module",
		    json_object_new_string(rows[i].module));
		json_object_object_add(o, "version",
		    json_object_new_string(rows[i].version));
		json_object_array_add(mods, o);
	}
	json_object_object_add(top, "modules", mods);
	if (n > shown && modpath_escape(rows[shown - 1].module, emod,
	    sizeof(emod)) == 0 && modpath_escape(rows[shown - 1].version,
	    ever, sizeof(ever)) == 0) {
		snprintf(tok, sizeof(tok), "%s@%s", emod, ever);
		json_object_object_add(top, "next",
		    json_object_new_string(tok));
	}
	free(rows);
	s = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	response_body(rs, 200, "application/json; charset=utf-8", CACHE_NONE,
	    s, strlen(s));
	json_object_put(top);
	return 0;
}

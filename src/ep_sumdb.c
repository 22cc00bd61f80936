/*
 * ep_sumdb.c: /sumdb/<name>/... -- the checksum database endpoints
 * (protocol.md section 5.5).
 *
 * <name> is one of [sumdb] databases (forwarded through the cache of
 * sumdb.c to where sumdb_base.c reads it: an upstream proxy's /sumdb/ or
 * the database's URL) or the private database of [sumdb] private_key
 * (answered from the log of sumdb_log.c), both through resolve.c
 * (resolve_sumdb.c); anything else is 404, which
 * sends a client's go command to the database directly.  A name may hold
 * "/" (a key name only excludes spaces and "+"; the go command asks
 * <proxy>/sumdb/<name>/... with the name as is): the longest configured
 * name followed by "/" is the database (sumdb_match).
 *
 *   supported            200, answered here, never forwarded
 *   lookup/<emod>@<ever> the record and a signed tree; checked first
 *                        (module path, version syntax of the reference
 *                        server); policy refuses a module matching
 *                        [sumdb] nosum (403), never named upstream
 *   latest               the signed tree head
 *   tile/H/L/N[.p/W], tile/H/data/N[.p/W]
 *                        only canonical tile paths; our own database's
 *                        data tiles name modules: with [access] rules
 *                        they are private to shared caches, and 404 to
 *                        a user who may not see one of their records
 *
 * Bodies are passed on byte for byte.  "!" arrives literally or as %21;
 * the path is decoded once by request.c and the escaped form forwarded.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http.h"

#define EP_SUMDB_CTYPE_TEXT	"text/plain; charset=UTF-8"

/*
 * "<emod>@<ever>" as the reference server accepts it (one "@", then
 * vX.Y.Z, an optional "-..." and an optional "+incompatible"), unescaped
 * into module and version and checked.
 */
static int
ep_sumdb_modver(const char *s, char *module, char *version, struct err *e)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX], canon[VERSION_MAX];
	const char *at = strchr(s, '@');
	size_t n;

	if (at == NULL || strchr(at + 1, '@') != NULL ||
	    (n = (size_t)(at - s)) == 0 || n >= sizeof(emod) ||
	    strlen(at + 1) >= sizeof(ever))
		return err_set(e, E_BADREQ, "invalid module@version syntax");
	memcpy(emod, s, n);
	emod[n] = '\0';
	memcpy(ever, at + 1, strlen(at + 1) + 1);
	if (modpath_unescape(emod, module, MODPATH_MAX) == -1 ||
	    modpath_unescape(ever, version, VERSION_MAX) == -1 ||
	    modpath_check(module, e) == -1)
		return err_set(e, E_BADREQ, "invalid module@version syntax");
	if (semver_canonical(version, 1, canon, sizeof(canon)) == -1 ||
	    strcmp(canon, version) != 0 || (strchr(version, '+') != NULL &&
	    strcmp(strchr(version, '+'), "+incompatible") != 0))
		return err_set(e, E_BADREQ, "invalid module@version syntax");
	return 0;
}

int
ep_sumdb(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	char name[NOTE_NAME_MAX], module[MODPATH_MAX], version[VERSION_MAX];
	const char *p = r->path + strlen("/sumdb/"), *rest;
	struct tlog_tile t;
	struct want w;
	int private;
	size_t n;

	memset(&w, 0, sizeof(w));
	/* Names may hold "/": the longest configured name wins. */
	w.db = sumdb_match(&px->sumdbs, px->has_signer ? px->signer.name :
	    NULL, p, &n, &private);
	if (n == 0 || n >= sizeof(name))
		return err_set(e, E_NOTFOUND, "checksum database %.*s is not "
		    "proxied here", (int)strcspn(p, "/"), p);
	memcpy(name, p, n);
	name[n] = '\0';
	rest = p + n + 1;
	if (strcmp(rest, "supported") == 0)
		return response_body(rs, 200, EP_SUMDB_CTYPE_TEXT, CACHE_NONE,
		    "", 0);
	module[0] = version[0] = '\0';
	if (strncmp(rest, "lookup/", 7) == 0) {
		if (ep_sumdb_modver(rest + 7, module, version, e) == -1)
			return -1;
	} else if (strcmp(rest, "latest") != 0 &&
	    tlog_tile_parse(rest, &t) == -1)
		return err_set(e, E_NOTFOUND, "unknown checksum database "
		    "path %s", rest);
	else if (private && strcmp(rest, "latest") != 0 && t.l == -1 &&
	    access_nrules(px->acl) > 0)
		rs->private_cache = 1;	/* a data tile: per user */
	w.kind = private ? WANT_SUMDB_PRIVATE : WANT_SUMDB;
	w.module = module;
	w.emod = w.ever = w.canon = "";
	w.version = version;
	w.path = rest;
	w.who = &r->who;
	return proxy_answer(px, &w, rs, e);
}

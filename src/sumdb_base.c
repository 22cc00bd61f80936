/*
 * sumdb_base.c: where a checksum database's bytes are fetched from.
 *
 * As the go command's dbClient.initBase (cmd/go/internal/modfetch/
 * sumdb.go, the same in go 1.19 and 1.26): the [upstream] goproxy
 * entries are tried in turn, each asked <proxy>/sumdb/<name>/supported.
 * A 200 makes <proxy>/sumdb/<name> the base, for good; 404 or 410 (or
 * any error, after an entry followed by "|") goes on to the next entry;
 * "direct", "off", or the end of the list with nothing but "not found"
 * makes the database's own URL the base.  Any other failure, with no
 * later proxy answering 200, is an error, as it is for the go command
 * (TryProxies, upstream_walk: the best error is kept, and "direct"
 * reached wins).  A
 * file:// entry is asked too: its sumdb/<name>/supported file exists or
 * not.  [sumdb] via_proxy = no skips all this: the URL only.
 *
 * The base is only where the bytes come from: the database's key and the
 * tree verified before are what prove them.  Nothing here names a module.
 *
 * The choice is kept in the index cache for [upstream] list_ttl, scoped
 * by the database and the GOPROXY list (sumdb_base_scope), as "direct" or
 * "proxy <i>" (an index into the list: the index holds no URL, so no
 * password).  A failed choice is not kept: the next fetch asks again.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "piraeus.h"

#define SUMDB_BASE_KEY		"sumdb-base:"
#define SUMDB_BASE_PROBE_MAX	(64 * 1024)	/* a "supported" answer */
#define SUMDB_BASE_BODY_MAX	32		/* "proxy <i>" */

/* What TryProxies keeps while it walks the list for initBase. */
struct sumdb_base_walk {
	const struct upstream_list *up;
	const char	*name;
	sumdb_probe_fn	 probe;
	void		*arg;
	int		 choice;	/* an index into up, or DIRECT */
	struct err	 best;		/* a proxy's failure other than 404 */
};

/*
 * One entry of the walk: "direct" makes the database's URL the base
 * (and wins over any earlier failure); a proxy is probed, and a failure
 * other than "not found" is the one told (a later proxy's over an
 * earlier one's) unless a later entry answers.
 */
static int
sumdb_base_try(void *arg, const struct upstream *u, struct err *e)
{
	struct sumdb_base_walk *w = arg;
	char shown[SUMDB_URL_MAX + 16];

	if (u->kind == UPSTREAM_DIRECT) {
		w->choice = SUMDB_BASE_DIRECT;
		return 0;
	}
	if (w->probe(w->arg, u->url, e) == 0) {
		w->choice = (int)(u - w->up->v);
		return 0;
	}
	if (e->code != E_NOTFOUND && e->code != E_GONE) {
		upstream_redact(u->url, shown, sizeof(shown));
		err_clear(&w->best);
		err_set(&w->best, e->code, "checksum database %s through %s: "
		    "%s", w->name, shown, e->msg);
	}
	return -1;
}

/* TryProxies with initBase's function: see piraeus.h. */
int
sumdb_base_choose(const struct upstream_list *up, const char *name,
    sumdb_probe_fn probe, void *arg, struct err *e)
{
	struct sumdb_base_walk w = { up, name, probe, arg, SUMDB_BASE_DIRECT,
	    { E_OK, "" } };
	struct err pe;

	if (upstream_walk(up, 0, sumdb_base_try, &w, &pe) == WALK_ANSWERED)
		return w.choice;
	/* Nothing but "not found", or "off": the database's own URL. */
	if (w.best.code == E_OK)
		return SUMDB_BASE_DIRECT;
	err_set(e, w.best.code, "%s", w.best.msg);
	return SUMDB_BASE_FAILED;
}

/*
 * The cache scope of db's base: db's own scope and the GOPROXY list's,
 * hashed together (another list may choose otherwise).
 */
static void
sumdb_base_scope(const struct sumdb_ctx *sc, const struct sumdb *db,
    char out[SHA256_HEX])
{
	char up[SHA256_HEX], text[2 * SHA256_HEX + 16];
	int n;

	upstream_scope(sc->up, up);
	n = snprintf(text, sizeof(text), "base %s %s", db->scope, up);
	dirhash_sha256_hex(text, n < 0 ? 0 : (size_t)n, out);
}

/* What a probe needs: the configuration and the database's name. */
struct sumdb_base_probe {
	const struct config	*cfg;
	const char		*name;
};

/* GET <proxy>/sumdb/<name>/supported: 0 on 200, else -1 with e. */
static int
sumdb_base_probe(void *arg, const char *proxy, struct err *e)
{
	const struct sumdb_base_probe *p = arg;
	char url[SUMDB_BASE_MAX + 16];
	struct buf b;

	if ((size_t)snprintf(url, sizeof(url), "%s/sumdb/%s/supported", proxy,
	    p->name) >= sizeof(url))
		return err_set(e, E_CONFIG, "proxy URL too long");
	if (fetch_proxy_buf(p->cfg, url, SUMDB_BASE_PROBE_MAX, &b, e) == -1)
		return -1;
	buf_free(&b);
	return 0;
}

/* The base for choice (an index into sc->up, or SUMDB_BASE_DIRECT). */
static int
sumdb_base_url(const struct sumdb_ctx *sc, const struct sumdb *db, int choice,
    char *out, size_t outsz, struct err *e)
{
	int n;

	if (choice == SUMDB_BASE_DIRECT)
		n = snprintf(out, outsz, "%s", db->url);
	else
		n = snprintf(out, outsz, "%s/sumdb/%s",
		    sc->up->v[choice].url, db->key.name);
	if (n < 0 || (size_t)n >= outsz)
		return err_set(e, E_CONFIG, "checksum database %s: URL too "
		    "long", db->key.name);
	return 0;
}

/* The choice cached in body ("direct", "proxy <i>"); SUMDB_BASE_FAILED
 * when it is not one (or names no proxy of this list). */
static int
sumdb_base_cached(const struct sumdb_ctx *sc, const struct buf *body)
{
	char text[SUMDB_BASE_BODY_MAX], *end;
	long i;

	if (body->len == 0 || body->len >= sizeof(text))
		return SUMDB_BASE_FAILED;
	memcpy(text, body->data, body->len);
	text[body->len] = '\0';
	if (strcmp(text, "direct") == 0)
		return SUMDB_BASE_DIRECT;
	if (strncmp(text, "proxy ", 6) != 0 || text[6] < '0' || text[6] > '9')
		return SUMDB_BASE_FAILED;
	i = strtol(text + 6, &end, 10);
	if (*end != '\0' || i < 0 || (size_t)i >= sc->up->n ||
	    sc->up->v[i].kind != UPSTREAM_PROXY)
		return SUMDB_BASE_FAILED;
	return (int)i;
}

/* The base of db as known without asking anyone: db's URL without
 * via_proxy, else the choice cached; SUMDB_BASE_FAILED when unknown. */
static int
sumdb_base_known(const struct sumdb_ctx *sc, const struct sumdb *db)
{
	char scope[SHA256_HEX], key[NOTE_NAME_MAX + 32];
	struct cache_key k = { sc->idx, scope, key, 1 };
	struct cache_entry c;
	struct err ce;
	int choice = SUMDB_BASE_FAILED;

	if (!sc->cfg->sumdb_via_proxy)
		return SUMDB_BASE_DIRECT;
	sumdb_base_scope(sc, db, scope);
	snprintf(key, sizeof(key), SUMDB_BASE_KEY "%s", db->key.name);
	err_clear(&ce);
	if (cache_lookup(&k, sc->cfg->list_ttl, 0, &c, &ce) == CACHE_FRESH &&
	    c.code == E_OK)
		choice = sumdb_base_cached(sc, &c.body);
	cache_entry_free(&c);
	return choice;
}

int
sumdb_base_cached_url(const struct sumdb_ctx *sc, const struct sumdb *db,
    char *out, size_t outsz)
{
	struct err e;
	int choice;

	err_clear(&e);
	if ((choice = sumdb_base_known(sc, db)) == SUMDB_BASE_FAILED)
		return -1;
	return sumdb_base_url(sc, db, choice, out, outsz, &e);
}

/* The base of db: cached, else chosen and cached (see piraeus.h). */
int
sumdb_base(const struct sumdb_ctx *sc, const struct sumdb *db, char *out,
    size_t outsz, struct err *e)
{
	char scope[SHA256_HEX], key[NOTE_NAME_MAX + 32];
	char body[SUMDB_BASE_BODY_MAX], shown[SUMDB_BASE_MAX + 16];
	struct sumdb_base_probe p = { sc->cfg, db->key.name };
	struct cache_key k = { NULL, scope, key, 1 };
	struct err ce;
	int choice, n;

	if ((choice = sumdb_base_known(sc, db)) != SUMDB_BASE_FAILED)
		return sumdb_base_url(sc, db, choice, out, outsz, e);
	sumdb_base_scope(sc, db, scope);
	snprintf(key, sizeof(key), SUMDB_BASE_KEY "%s", db->key.name);
	err_clear(&ce);
	k.ix = sc->idx;
	if ((choice = sumdb_base_choose(sc->up, db->key.name,
	    sumdb_base_probe, &p, e)) == SUMDB_BASE_FAILED)
		return -1;
	if (sumdb_base_url(sc, db, choice, out, outsz, e) == -1)
		return -1;
	n = choice == SUMDB_BASE_DIRECT ? snprintf(body, sizeof(body),
	    "direct") : snprintf(body, sizeof(body), "proxy %d", choice);
	if (n > 0 && cache_put(&k, E_OK, body, (size_t)n, &ce) == -1)
		log_warnx("sumdb %s: caching its base: %s", db->key.name,
		    ce.msg);
	upstream_redact(out, shown, sizeof(shown));
	log_info("checksum database %s: fetched from %s (%s)", db->key.name,
	    shown, choice == SUMDB_BASE_DIRECT ? "no proxy serves it" :
	    "the proxy serves it");
	return 0;
}

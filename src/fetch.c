/*
 * fetch.c: what one upstream entry answers (DESIGN 5).
 *
 * An entry of the GOPROXY list is a proxy (its URLs: <base>/<emod>/@v/...,
 * fetched with libcurl by fetch_proxy.c) or "direct" (the go command run
 * by fetch_direct.c).  Each function here asks one entry one thing and
 * says what came, into temporary files of the store or into memory under
 * a cap; which entries are asked, in which order, under which lock, and
 * what is kept is resolve's.  Module paths and versions go upstream
 * escaped ("!" for capitals) and percent-encoded as the go command does.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"

#define FETCH_LIST_MAX	(16 * 1024 * 1024)	/* an upstream @v/list */
#define FETCH_URL_MAX	(PATH_MAX + 3 * VERSION_MAX + 512)
#define FETCH_LOOKUP_MAX (64 * 1024)		/* a checksum database lookup */

void
fetched_free(struct fetched *f)
{
	char **p[] = { &f->info, &f->mod, &f->zip };
	size_t i;

	buf_free(&f->lookup);
	f->lookup_ok = 0;
	for (i = 0; i < NITEMS(p); i++) {
		if (*p[i] != NULL) {
			unlink(*p[i]);	/* already renamed when published */
			free(*p[i]);
			*p[i] = NULL;
		}
	}
}

/* The files kind needs from proxy base into f, fetched at once (one
 * batch: the version's round trips overlap), .mod first in the batch's
 * order so that its "not found" is the one told; a stored one is not
 * fetched again. */
static int
fetch_files_proxy(const struct fetch_env *env, const char *base,
    const char *emod, const char *ever, enum want_kind kind,
    struct fetched *f, struct err *e)
{
	const long long caps[] = {
		[ART_INFO] = INFO_MAX, [ART_MOD] = GOMOD_MAX,
		[ART_ZIP] = env->cfg->max_zip_size,
	};
	static const enum artifact order[] = { ART_MOD, ART_INFO, ART_ZIP };
	char url[NITEMS(order)][FETCH_URL_MAX], path[PATH_MAX];
	char **dst[] = { [ART_INFO] = &f->info, [ART_MOD] = &f->mod,
	    [ART_ZIP] = &f->zip };
	struct fetch_item items[NITEMS(order) + 1];
	enum artifact arts[NITEMS(order)];
	struct stat sb;
	size_t i, n = 0, lk;

	memset(items, 0, sizeof(items));
	for (i = 0; i < NITEMS(order); i++) {
		if ((kind == WANT_MOD && order[i] != ART_MOD) ||
		    (env->no_zip && order[i] == ART_ZIP))
			continue;
		if (store_path(env->store, emod, ever, order[i], path,
		    sizeof(path)) == 0 && stat(path, &sb) == 0)
			continue;
		snprintf(url[n], sizeof(url[n]), "%s/%s/@v/%s%s", base, emod,
		    ever, store_ext(order[i]));
		items[n].url = url[n];
		items[n].cap = caps[order[i]];
		items[n].want_sha256 = order[i] == ART_ZIP;
		arts[n++] = order[i];
	}
	if (n == 0)
		return 0;
	/* The checksum database's lookup, beside: one round trip less. */
	lk = n;
	if (env->lookup_url != NULL) {
		items[lk].url = env->lookup_url;
		items[lk].cap = FETCH_LOOKUP_MAX;
		items[lk].to_buf = 1;
		items[lk].optional = 1;
	}
	if (fetch_proxy_batch(env->cfg, env->store, items, n +
	    (env->lookup_url != NULL), e) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		*dst[arts[i]] = items[i].tmp;
		if (arts[i] == ART_ZIP)
			memcpy(f->zip_sha256, items[i].sha256, SHA256_HEX);
	}
	if (env->lookup_url != NULL && items[lk].err.code == E_OK) {
		f->lookup = items[lk].buf;
		f->lookup_ok = 1;
	} else if (env->lookup_url != NULL)
		buf_free(&items[lk].buf);
	return 0;
}

int
fetch_files(const struct fetch_env *env, const struct upstream *u,
    const char *module, const char *version, enum want_kind kind,
    struct fetched *f, struct err *e)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX];

	memset(f, 0, sizeof(*f));
	if (modpath_escape(module, emod, sizeof(emod)) == -1 ||
	    modpath_escape(version, ever, sizeof(ever)) == -1)
		return err_set(e, E_NOTFOUND, "invalid module or version");
	if (u->kind != UPSTREAM_DIRECT)
		return fetch_files_proxy(env, u->url, emod, ever, kind, f, e);
	/* Direct fetches come whole: f holds the whole version. */
	if (fetch_direct(env->cfg, env->store, module, version, f, e) == -1)
		return -1;
	if (strcmp(f->version, version) != 0) {
		fetched_free(f);
		return err_set(e, E_UPSTREAM, "go resolved %s to %s", version,
		    f->version);
	}
	return 0;
}

int
fetch_list(const struct fetch_env *env, const struct upstream *u,
    const char *module, struct buf *body, struct err *e)
{
	char emod[MODPATH_MAX], url[FETCH_URL_MAX], **vs;
	size_t n, k;

	if (u->kind == UPSTREAM_DIRECT) {
		if (fetch_direct_list(env->cfg, module, &vs, &n, e) == -1)
			return -1;
		buf_init(body, FETCH_LIST_MAX);
		for (k = 0; k < n; k++) {
			buf_puts(body, vs[k], e);
			buf_append(body, "\n", 1, e);
			free(vs[k]);
		}
		free(vs);
		if (body->data == NULL)
			buf_append(body, "", 0, e);
		return 0;
	}
	if (modpath_escape(module, emod, sizeof(emod)) == -1)
		return err_set(e, E_NOTFOUND, "invalid module path");
	snprintf(url, sizeof(url), "%s/%s/@v/list", u->url, emod);
	return fetch_proxy_buf(env->cfg, url, FETCH_LIST_MAX, body, e);
}

/* What latest_pick reads an upstream version's go.mod with. */
struct fetch_latest_arg {
	const struct fetch_env	*env;
	const char		*base;
	const char		*emod;
};

static int
fetch_latest_gomod(void *arg, const char *version, struct buf *b,
    struct err *e)
{
	struct fetch_latest_arg *a = arg;
	char ever[VERSION_MAX], url[FETCH_URL_MAX];

	if (modpath_escape(version, ever, sizeof(ever)) == -1)
		return err_set(e, E_NOTFOUND, "invalid version");
	snprintf(url, sizeof(url), "%s/%s/@v/%s.mod", a->base, a->emod, ever);
	return fetch_proxy_buf(a->env->cfg, url, GOMOD_MAX, b, e);
}

/*
 * A proxy without @latest (a file:// tree, a static mirror): the latest
 * of its @v/list as the go command picks it (latest.c), answered with
 * upstream's .info of that version.  E_NOTFOUND when the list has no
 * candidate.
 */
static int
fetch_latest_from_list(const struct fetch_env *env, const char *module,
    const char *emod, const char *base, struct buf *body, struct err *e)
{
	char url[FETCH_URL_MAX], shown[FETCH_URL_MAX], pick[VERSION_MAX];
	char ever[VERSION_MAX], canon[VERSION_MAX], **vs = NULL;
	struct fetch_latest_arg arg = { env, base, emod };
	struct latest_src src = { fetch_latest_gomod, &arg };
	const char *p, *end;
	size_t nv = 0, cap = 0, n, i;
	struct buf list;
	int picked;

	snprintf(url, sizeof(url), "%s/%s/@v/list", base, emod);
	if (fetch_proxy_buf(env->cfg, url, FETCH_LIST_MAX, &list, e) == -1)
		return -1;
	/* The client reads field 1 of each line (protocol.md 2.1). */
	for (p = list.data; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "\n");
		n = strcspn(p, " \t\r\n");
		if (n == 0 || n >= VERSION_MAX)
			continue;
		if (nv == cap) {
			cap = cap ? cap * 2 : 64;
			vs = xreallocarray(vs, cap, sizeof(*vs));
		}
		vs[nv++] = xstrndup(p, n);
	}
	buf_free(&list);
	picked = latest_pick(module, vs, nv, &src, pick);
	for (i = 0; i < nv; i++)
		free(vs[i]);
	free(vs);
	if (!picked)
		return err_set(e, E_NOTFOUND, "no @latest upstream, and no "
		    "version in its list");
	if (modpath_escape(pick, ever, sizeof(ever)) == -1)
		return err_set(e, E_UPSTREAM, "invalid version %s", pick);
	snprintf(url, sizeof(url), "%s/%s/@v/%s.info", base, emod, ever);
	if (fetch_proxy_buf(env->cfg, url, INFO_MAX, body, e) == -1)
		return -1;
	if (check_info_answer(module, body, canon) == -1 ||
	    strcmp(canon, pick) != 0) {
		buf_free(body);
		upstream_redact(url, shown, sizeof(shown));
		return err_set(e, E_UPSTREAM, "%s: not the .info of %s", shown,
		    pick);
	}
	return 0;
}

int
fetch_latest(const struct fetch_env *env, const struct upstream *u,
    const char *module, struct buf *body, struct err *e)
{
	char emod[MODPATH_MAX], canon[VERSION_MAX];
	char url[FETCH_URL_MAX], shown[FETCH_URL_MAX];

	if (u->kind != UPSTREAM_PROXY)
		return err_set(e, E_INTERNAL, "@latest of a proxy only");
	if (modpath_escape(module, emod, sizeof(emod)) == -1)
		return err_set(e, E_NOTFOUND, "invalid module path");
	snprintf(url, sizeof(url), "%s/%s/@latest", u->url, emod);
	if (fetch_proxy_buf(env->cfg, url, INFO_MAX, body, e) == 0) {
		if (check_info_answer(module, body, canon) == 0)
			return 0;
		buf_free(body);
		upstream_redact(url, shown, sizeof(shown));
		return err_set(e, E_UPSTREAM, "%s: not a valid .info", shown);
	}
	if (e->code != E_NOTFOUND && e->code != E_GONE)
		return -1;
	/* No @latest endpoint: what the go command does. */
	err_clear(e);
	return fetch_latest_from_list(env, module, emod, u->url, body, e);
}

int
fetch_query(const struct fetch_env *env, const struct upstream *u,
    const char *module, const char *query, char canon[VERSION_MAX],
    struct buf *body, struct err *e)
{
	char emod[MODPATH_MAX], equery[VERSION_MAX], uquery[VERSION_MAX * 3];
	char url[FETCH_URL_MAX];
	struct fetched f;
	struct buf b;

	memset(body, 0, sizeof(*body));
	if (u->kind == UPSTREAM_DIRECT) {
		memset(&f, 0, sizeof(f));
		if (fetch_direct(env->cfg, env->store, module, query, &f,
		    e) == -1)
			return -1;
		memcpy(canon, f.version, VERSION_MAX);
		fetched_free(&f);
		return 0;
	}
	if (modpath_escape(module, emod, sizeof(emod)) == -1 ||
	    modpath_escape(query, equery, sizeof(equery)) == -1 ||
	    upstream_path_escape(equery, uquery, sizeof(uquery)) == -1)
		return err_set(e, E_NOTFOUND, "invalid version");
	snprintf(url, sizeof(url), "%s/%s/@v/%s.info", u->url, emod, uquery);
	if (fetch_proxy_buf(env->cfg, url, INFO_MAX, &b, e) == -1)
		return -1;
	if (check_info_answer(module, &b, canon) == -1) {
		buf_free(&b);
		err_set(e, E_UPSTREAM, "upstream answered %s.info without a "
		    "valid Version", query);
		return UPSTREAM_TRY_LAST;
	}
	*body = b;
	return 0;
}

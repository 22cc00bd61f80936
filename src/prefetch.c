/*
 * prefetch.c: piraeus prefetch, a module graph into storage ahead of use.
 *
 *   piraeus prefetch [-q] -f GO.MOD [GO.SUM]
 *   piraeus prefetch [-q] [-s GO.SUM] MODULE@VERSION...
 *
 * The roots are the requirements of a go.mod (its own module is not
 * fetched) or the versions named.  From each version the walk takes its
 * go.mod's requirements, recursively: the whole, unpruned module graph.
 * Every version in it is fetched complete (.info, .mod, .zip), not only
 * the versions minimal version selection picks: the go command's pruned
 * graph (go >= 1.17) may select a lower version than MVS over the full
 * graph, older go commands read other go.mod files than newer ones, and
 * `go mod tidy`/`go mod graph` on the air-gapped side read them all; an
 * export made from it is then complete for every go command (README "Air-
 * gapped sites").
 *
 * The main go.mod's replace and exclude directives change the graph as
 * they change the go command's (modload): a requirement on an excluded
 * version is dropped, wherever it is, and the module's latest allowed
 * version (the go command's "latest" query: the highest listed release,
 * else pre-release, neither excluded nor retracted by the highest one's
 * go.mod) is fetched too, with that highest one; a replaced version (every
 * version of a path, or one) is the replacement's, fetched and walked in
 * its place (its go.mod is the one that counts).  A replacement by a
 * directory has nothing to fetch: it is skipped and said.
 *
 * Every version goes through the same pipeline as a miss of the responder:
 * resolve() with a struct want on the resolver of a struct proxy
 * (proxy.c), so policy, the upstream walk, checks, the checksum database,
 * publish and its hooks are those of a request.  A version storage
 * already holds is a hit and costs nothing upstream: a run stopped half
 * way is resumed by running it again.  With a go.sum, each version's h1
 * of go.mod and zip is compared with it; a mismatch is that version's
 * failure.  Progress: a bar on a terminal (stderr), else a line per version.
 *
 * Exit status: 0 every version stored (and matching go.sum), 1 a version
 * failed (fetch, check, go.sum) or the graph could not be read, 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "prefetch.h"

#define PREFETCH_NODES_MAX	100000		/* versions in one graph */
#define PREFETCH_GOSUM_MAX	(64 * 1024 * 1024) /* a go.sum file */
#define PREFETCH_GOSUM_LINES	1000000		/* lines of a go.sum */
#define PREFETCH_BAR_WIDTH	30		/* the terminal bar's cells */
#define PREFETCH_SHOW_MAX	48		/* bytes of a name on the bar */

/* One module version of the graph. */
struct prefetch_node {
	char	 path[MODPATH_MAX];
	char	 version[VERSION_MAX];
};

/* One go.sum line: path, version ("v1.2.3" or "v1.2.3/go.mod"), h1. */
struct prefetch_sum {
	char	*path;
	char	*version;
	char	*hash;
};

struct prefetch {
	struct proxy	 px;
	struct prefetch_node *nodes;	/* the graph, in walk order */
	size_t		 n, cap;
	struct strmap	 nodeidx;	/* "path@version" -> node */
	struct prefetch_sum *sums;	/* go.sum, or none */
	size_t		 nsums, capsums;
	struct strmap	 sumidx;	/* "path version[/go.mod]" -> sum */
	struct modfile_main main;	/* the main go.mod's rules, or none */
	struct strmap	 excluded;	/* "path@version" of exclude */
	struct strmap	 replaced;	/* "path@version" or "path" -> rep */
	unsigned char	*dirsaid;	/* a directory replace told, per rep */
	char		(*latest)[MODPATH_MAX];	/* paths to query */
	size_t		 nlatest, caplatest, donelatest;
	struct strmap	 latestidx;	/* path -> its query */
	struct buf	 gosum;		/* the go.sum text sums point into */
	int		 tty;		/* stderr is a terminal: the bar */
	int		 quiet;
	long		 fetched, stored, failed, verified;
};

static const char prefetch_usage[] =
    "usage: piraeus prefetch [-q] -f GO.MOD [GO.SUM]\n"
    "       piraeus prefetch [-q] [-s GO.SUM] MODULE@VERSION...\n";

static const char prefetch_help[] =
    "\n"
    "Fetch a module graph into storage through the configured upstreams,\n"
    "the same way a miss of the responder is fetched (policy, checks,\n"
    "checksum database, publish).  The roots are the requirements of\n"
    "GO.MOD, or the MODULE@VERSION arguments (canonical versions); every\n"
    "version their go.mod files require, recursively, is fetched complete\n"
    "(.info, .mod, .zip).  With a go.sum (GO.SUM, -s, or the go.sum beside\n"
    "GO.MOD), the h1: hashes of each go.mod and zip it lists must match.\n"
    "GO.MOD's replace and exclude directives apply as for the go command\n"
    "(a directory replacement is skipped: nothing to fetch).\n"
    "Versions already stored are not fetched again: run it again to resume.\n"
    "\n"
    "  -f GO.MOD   the go.mod whose requirements are the roots\n"
    "  -s GO.SUM   the go.sum to verify against\n"
    "  -q          no progress, only failures and the summary\n"
    "  -h          this help\n"
    "\n"
    "Exit status: 0 every version is stored (and matches go.sum), 1 a\n"
    "version failed or an input is unreadable, 2 usage.\n";

/* Add path@version to the graph unless it is there; -1 past the cap. */
static int
prefetch_add(struct prefetch *pf, const char *path, const char *version,
    struct err *e)
{
	char key[MODPATH_MAX + VERSION_MAX + 1];

	snprintf(key, sizeof(key), "%s@%s", path, version);
	if (strmap_get(&pf->nodeidx, key) != STRMAP_NONE)
		return 0;
	if (pf->n == PREFETCH_NODES_MAX)
		return err_set(e, E_TOOBIG, "more than %d versions in the "
		    "graph", PREFETCH_NODES_MAX);
	if (pf->n == pf->cap) {
		pf->cap = pf->cap ? pf->cap * 2 : 64;
		pf->nodes = xreallocarray(pf->nodes, pf->cap,
		    sizeof(*pf->nodes));
	}
	snprintf(pf->nodes[pf->n].path, MODPATH_MAX, "%s", path);
	snprintf(pf->nodes[pf->n].version, VERSION_MAX, "%s", version);
	strmap_put(&pf->nodeidx, key, pf->n);
	pf->n++;
	return 0;
}

/* path@version checked as a module version the go command accepts. */
static int
prefetch_check(const char *path, const char *version, struct err *e)
{
	char canon[VERSION_MAX];
	struct err pe;

	err_clear(&pe);
	if (modpath_check(path, &pe) != 0)
		return err_set(e, E_BADREQ, "%s: %s", path, pe.msg);
	if (semver_canonical(version, 1, canon, sizeof(canon)) != 0 ||
	    strcmp(canon, version) != 0)
		return err_set(e, E_BADREQ, "%s@%s: not a canonical version",
		    path, version);
	if (modpath_check_major(path, version) != 0)
		return err_set(e, E_BADREQ, "%s@%s: version does not match "
		    "the module path's major version", path, version);
	return 0;
}

/* Ask for the latest allowed version of path once the walk is done (a
 * requirement on it was excluded). */
static void
prefetch_want_latest(struct prefetch *pf, const char *path)
{
	if (strmap_get(&pf->latestidx, path) != STRMAP_NONE)
		return;
	if (pf->nlatest == pf->caplatest) {
		pf->caplatest = pf->caplatest ? 2 * pf->caplatest : 8;
		pf->latest = xreallocarray(pf->latest, pf->caplatest,
		    sizeof(*pf->latest));
	}
	snprintf(pf->latest[pf->nlatest], MODPATH_MAX, "%s", path);
	strmap_put(&pf->latestidx, path, pf->nlatest++);
}

/* The replace directive of path@version (one naming the version wins
 * over one for every version, as in the go command), or NULL. */
static const struct modfile_replace *
prefetch_replacement(const struct prefetch *pf, const char *path,
    const char *version)
{
	char key[MODPATH_MAX + VERSION_MAX + 1];
	size_t i;

	snprintf(key, sizeof(key), "%s@%s", path, version);
	if ((i = strmap_get(&pf->replaced, key)) == STRMAP_NONE)
		i = strmap_get(&pf->replaced, path);
	return i == STRMAP_NONE ? NULL : &pf->main.rep[i];
}

/*
 * A requirement on path@version, checked, through the main go.mod's
 * rules: excluded, dropped (and the module's latest allowed version
 * asked for); replaced, the replacement instead (a directory: nothing);
 * else itself into the graph.
 */
static int
prefetch_want(struct prefetch *pf, const char *path, const char *version,
    struct err *e)
{
	char key[MODPATH_MAX + VERSION_MAX + 1];
	const struct modfile_replace *r;

	if (prefetch_check(path, version, e) == -1)
		return -1;
	snprintf(key, sizeof(key), "%s@%s", path, version);
	if (strmap_get(&pf->excluded, key) != STRMAP_NONE) {
		prefetch_want_latest(pf, path);
		return 0;
	}
	if ((r = prefetch_replacement(pf, path, version)) == NULL)
		return prefetch_add(pf, path, version, e);
	if (r->new_version[0] == '\0') {
		if (!pf->dirsaid[r - pf->main.rep] && !pf->quiet)
			fprintf(stderr, "prefetch: %s%s%s: replaced by the "
			    "directory %s: nothing to fetch\n", r->old_path,
			    r->old_version[0] != '\0' ? "@" : "",
			    r->old_version, r->new_path);
		pf->dirsaid[r - pf->main.rep] = 1;
		return 0;
	}
	if (prefetch_check(r->new_path, r->new_version, e) == -1)
		return err_set(e, e->code, "replacement of %s@%s: %s", path,
		    version, e->msg);
	return prefetch_add(pf, r->new_path, r->new_version, e);
}

/* The requirements of a go.mod body into the graph. */
static int
prefetch_requires(struct prefetch *pf, const char *what, const struct buf *b,
    struct err *e)
{
	struct modfile_require *q = NULL;
	size_t nq = 0, i;
	int rc = 0;

	if (modfile_requires(b->data, b->len, &q, &nq, e) == -1)
		return err_set(e, e->code, "%s: %s", what, e->msg);
	for (i = 0; i < nq && rc == 0; i++)
		if (prefetch_want(pf, q[i].path, q[i].version, e) == -1)
			rc = err_set(e, e->code, "%s: %s", what, e->msg);
	free(q);
	return rc;
}

/* The main go.mod: its rules kept, its requirements the roots. */
static int
prefetch_main_gomod(struct prefetch *pf, const char *what,
    const struct buf *b, struct err *e)
{
	char key[MODPATH_MAX + VERSION_MAX + 1];
	const struct modfile_replace *r;
	size_t i;

	if (modfile_main_parse(b->data, b->len, &pf->main, e) == -1)
		return err_set(e, e->code, "%s: %s", what, e->msg);
	for (i = 0; i < pf->main.nexc; i++) {
		snprintf(key, sizeof(key), "%s@%s", pf->main.exc[i].path,
		    pf->main.exc[i].version);
		strmap_put(&pf->excluded, key, i);
	}
	pf->dirsaid = xcalloc(pf->main.nrep + 1, 1);
	for (i = 0; i < pf->main.nrep; i++) {
		r = &pf->main.rep[i];
		snprintf(key, sizeof(key), "%s%s%s", r->old_path,
		    r->old_version[0] != '\0' ? "@" : "", r->old_version);
		strmap_put(&pf->replaced, key, i);
	}
	for (i = 0; i < pf->main.nreq; i++)
		if (prefetch_want(pf, pf->main.req[i].path,
		    pf->main.req[i].version, e) == -1)
			return err_set(e, e->code, "%s: %s", what, e->msg);
	return 0;
}

/*
 * Read go.sum: "path version h1:..." lines (version may end in
 * "/go.mod"), blank lines allowed; anything else fails the whole file,
 * as the go command fails on a malformed go.sum.
 */
static int
prefetch_gosum(struct prefetch *pf, const char *file, struct err *e)
{
	char *p, *nl, *f[3], key[MODPATH_MAX + VERSION_MAX + 8];
	size_t line = 0, k;

	if (buf_read_file(&pf->gosum, file, PREFETCH_GOSUM_MAX, e) == -1)
		return err_set(e, e->code, "%s: %s", file, e->msg);
	for (p = pf->gosum.data; p != NULL && *p != '\0'; p = nl) {
		line++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		for (k = 0; k < 3; k++) {
			while (*p == ' ' || *p == '\t' || *p == '\r')
				*p++ = '\0';
			f[k] = p;
			while (*p != '\0' && *p != ' ' && *p != '\t' &&
			    *p != '\r')
				p++;
		}
		while (*p == ' ' || *p == '\t' || *p == '\r')
			*p++ = '\0';
		if (*f[0] == '\0' && *f[1] == '\0')
			continue;
		if (*f[2] == '\0' || *p != '\0')
			return err_set(e, E_BADREQ, "%s:%zu: malformed go.sum "
			    "line", file, line);
		if (pf->nsums == PREFETCH_GOSUM_LINES)
			return err_set(e, E_TOOBIG, "%s: more than %d lines",
			    file, PREFETCH_GOSUM_LINES);
		if (pf->nsums == pf->capsums) {
			pf->capsums = pf->capsums ? 2 * pf->capsums : 64;
			pf->sums = xreallocarray(pf->sums, pf->capsums,
			    sizeof(*pf->sums));
		}
		pf->sums[pf->nsums].path = f[0];
		pf->sums[pf->nsums].version = f[1];
		pf->sums[pf->nsums].hash = f[2];
		if (strncmp(f[2], "h1:", 3) == 0 &&
		    strlen(f[0]) < MODPATH_MAX && strlen(f[1]) < VERSION_MAX) {
			snprintf(key, sizeof(key), "%s %s", f[0], f[1]);
			strmap_put(&pf->sumidx, key, pf->nsums);
		}
		pf->nsums++;
	}
	return 0;
}

/* go.sum's h1 of path at version (".../go.mod" for the go.mod), or NULL:
 * the first h1 line of it, as before, found by its key. */
static const char *
prefetch_sum_of(const struct prefetch *pf, const char *path,
    const char *version, int gomod)
{
	char key[MODPATH_MAX + VERSION_MAX + 8];
	size_t i;

	snprintf(key, sizeof(key), "%s %s%s", path, version,
	    gomod ? "/go.mod" : "");
	i = strmap_get(&pf->sumidx, key);
	return i == STRMAP_NONE ? NULL : pf->sums[i].hash;
}

/* The terminal bar, or nothing (plain lines are printed per version). */
static void
prefetch_bar(const struct prefetch *pf, size_t done, const char *name)
{
	char bar[PREFETCH_BAR_WIDTH + 1];
	size_t i, fill;

	if (!pf->tty || pf->quiet)
		return;
	fill = pf->n > 0 ? done * PREFETCH_BAR_WIDTH / pf->n : 0;
	for (i = 0; i < PREFETCH_BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[i] = '\0';
	fprintf(stderr, "\r\033[K[%s] %zu/%zu %.*s", bar, done, pf->n,
	    PREFETCH_SHOW_MAX, name);
	fflush(stderr);
}

/* One line about a version: failures always, the rest unless quiet. */
static void
prefetch_say(const struct prefetch *pf, size_t done,
    const struct prefetch_node *nd, const char *what, const char *why)
{
	if (why == NULL && (pf->quiet || pf->tty))
		return;
	if (pf->tty && !pf->quiet)
		fprintf(stderr, "\r\033[K");
	fprintf(stderr, "prefetch: [%zu/%zu] %s@%s: %s%s%s\n", done, pf->n,
	    nd->path, nd->version, what, why != NULL ? ": " : "",
	    why != NULL ? why : "");
}

/* What the pipeline answered is published (the deferred work, then the
 * publisher thread's queue, which publishes after an answer) before
 * prefetch reads the stored files or counts the version. */
static void
prefetch_settle(struct prefetch *pf)
{
	resolve_deferred(proxy_resolver(&pf->px));	/* no vulndb ttl */
	resolve_flush(&pf->px.rv);
	publish_drain();
}
/* Resolve one artifact of nd as a request would, publishing what it
 * left pending; 0, or -1 and e. */
static int
prefetch_resolve(struct prefetch *pf, const struct prefetch_node *nd,
    const char *emod, const char *ever, enum want_kind kind, struct err *e)
{
	struct answer a;
	struct want w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.kind = kind;
	w.module = nd->path;
	w.emod = emod;
	w.version = nd->version;
	w.ever = ever;
	w.canon = "";
	w.path = "";
	/* The operator's own fetch, as a deferred one is the process's:
	 * [access] rules and download modes (about clients) do not apply;
	 * network mode, GOPROXY=off, the filter file, the validator hook,
	 * the checks and the checksum database do. */
	w.now = 1;
	rc = resolve(proxy_resolver(&pf->px), &w, &a, e);
	answer_free(&a);
	prefetch_settle(pf);
	return rc;
}

/* Compare nd's stored go.mod (in b) and zip with go.sum, when listed. */
static int
prefetch_verify(struct prefetch *pf, const struct prefetch_node *nd,
    const char *emod, const char *ever, const struct buf *b, struct err *e)
{
	char h1[H1_MAX], zpath[ANSWER_PATH_MAX];
	const char *want;
	int checked = 0;

	if ((want = prefetch_sum_of(pf, nd->path, nd->version, 1)) != NULL) {
		if (dirhash_mod(b->data, b->len, h1, e) == -1)
			return -1;
		if (strcmp(h1, want) != 0)
			return err_set(e, E_UPSTREAM, "go.mod has %s, go.sum "
			    "says %s", h1, want);
		checked = 1;
	}
	if ((want = prefetch_sum_of(pf, nd->path, nd->version, 0)) != NULL) {
		if (store_path(&pf->px.store, emod, ever, ART_ZIP, zpath,
		    sizeof(zpath)) == -1 || dirhash_zip(zpath, h1, e) == -1)
			return err_set(e, e->code != E_OK ? e->code :
			    E_INTERNAL, "zip: %s", e->msg);
		if (strcmp(h1, want) != 0)
			return err_set(e, E_UPSTREAM, "zip has %s, go.sum "
			    "says %s", h1, want);
		checked = 1;
	}
	pf->verified += checked;
	return 0;
}

/*
 * Node i: stored (a hit) or fetched whole through the pipeline, its
 * go.mod's requirements added to the graph, checked against go.sum.
 */
static int
prefetch_node(struct prefetch *pf, size_t i, int *hit, struct err *e)
{
	struct prefetch_node nd = pf->nodes[i];	/* nodes may move */
	char emod[MODPATH_MAX], ever[VERSION_MAX], mpath[ANSWER_PATH_MAX];
	struct buf b;
	int rc = -1;

	if (modpath_escape(nd.path, emod, sizeof(emod)) == -1 ||
	    modpath_escape(nd.version, ever, sizeof(ever)) == -1)
		return err_set(e, E_BADREQ, "cannot escape the path");
	*hit = stored_have(&pf->px.store, emod, ever, WANT_ZIP) &&
	    stored_have(&pf->px.store, emod, ever, WANT_MOD);
	if (!*hit && (prefetch_resolve(pf, &nd, emod, ever, WANT_MOD,
	    e) == -1 || prefetch_resolve(pf, &nd, emod, ever, WANT_ZIP,
	    e) == -1 || prefetch_resolve(pf, &nd, emod, ever, WANT_INFO,
	    e) == -1))
		return -1;
	if (!stored_have(&pf->px.store, emod, ever, WANT_ZIP))
		return err_set(e, E_INTERNAL, "not complete in storage after "
		    "the fetch");
	buf_init(&b, GOMOD_MAX);
	if (store_path(&pf->px.store, emod, ever, ART_MOD, mpath,
	    sizeof(mpath)) == -1)
		err_set(e, E_INTERNAL, "path too long");
	else if (buf_read_file(&b, mpath, GOMOD_MAX, e) == 0 &&
	    prefetch_verify(pf, &nd, emod, ever, &b, e) == 0 &&
	    prefetch_requires(pf, "go.mod", &b, e) == 0)
		rc = 0;
	buf_free(&b);
	return rc;
}

/* The versions of @v/list body (canonical ones, not excluded) into vs;
 * the count. */
static size_t
prefetch_listed(const struct prefetch *pf, const char *path, char *body,
    char **vs, size_t max)
{
	char key[MODPATH_MAX + VERSION_MAX + 1], canon[VERSION_MAX], *p, *nl;
	size_t n = 0;

	for (p = body; p != NULL && *p != '\0' && n < max; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		if (semver_canonical(p, 1, canon, sizeof(canon)) != 0 ||
		    strcmp(canon, p) != 0 || modpath_check_major(path, p) != 0)
			continue;
		snprintf(key, sizeof(key), "%s@%s", path, p);
		if (strmap_get(&pf->excluded, key) == STRMAP_NONE)
			vs[n++] = p;
	}
	return n;
}

/* The go command's latest among vs: the highest release, else the
 * highest pre-release, not retracted by r; NULL when none. */
static const char *
prefetch_pick(char **vs, size_t n, const struct retraction *r, size_t nr)
{
	const char *best = NULL;
	size_t i;
	int pre;

	for (pre = 0; pre < 2 && best == NULL; pre++)
		for (i = 0; i < n; i++)
			if (semver_is_prerelease(vs[i]) == pre &&
			    !modfile_is_retracted(r, nr, vs[i]) &&
			    (best == NULL || semver_compare(vs[i], best) > 0))
				best = vs[i];
	return best;
}

/*
 * The latest query of an excluded module (the go command asks it when a
 * package needs the module and no requirement is left): its list through
 * the pipeline, the highest listed version (whose go.mod says what is
 * retracted) and the latest allowed one into the graph.
 */
static int
prefetch_latest(struct prefetch *pf, const char *path, struct err *e)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX], mpath[ANSWER_PATH_MAX];
	struct prefetch_node top;
	struct retraction *r = NULL;
	struct answer a;
	struct want w;
	struct buf list, mod;
	char **vs = NULL;
	const char *pick;
	size_t n, nr = 0;
	int rc = -1;

	if (modpath_escape(path, emod, sizeof(emod)) == -1)
		return err_set(e, E_BADREQ, "cannot escape the path");
	memset(&w, 0, sizeof(w));
	w.kind = WANT_LIST;
	w.module = path;
	w.emod = emod;
	w.version = w.ever = w.canon = w.path = "";
	w.now = 1;
	buf_init(&list, PREFETCH_GOSUM_MAX);
	buf_init(&mod, GOMOD_MAX);
	answer_init(&a);
	if (resolve(proxy_resolver(&pf->px), &w, &a, e) == -1 ||
	    (a.kind == ANSWER_BODY ? buf_append(&list, a.body.data,
	    a.body.len, e) : a.kind == ANSWER_FILE ? buf_read_fd(&list, a.fd,
	    PREFETCH_GOSUM_MAX, e) : err_set(e, E_INTERNAL,
	    "list: redirected")) == -1) {
		err_set(e, e->code, "%s: list: %s", path, e->msg);
		goto out;
	}
	answer_free(&a);
	prefetch_settle(pf);
	vs = xcalloc(PREFETCH_NODES_MAX, sizeof(*vs));
	if ((n = prefetch_listed(pf, path, list.data, vs,
	    PREFETCH_NODES_MAX)) == 0) {
		rc = 0;		/* nothing else listed: the go command fails */
		goto out;
	}
	pick = prefetch_pick(vs, n, NULL, 0);
	snprintf(top.path, sizeof(top.path), "%s", path);
	snprintf(top.version, sizeof(top.version), "%s", pick);
	if (modpath_escape(pick, ever, sizeof(ever)) == -1 ||
	    prefetch_resolve(pf, &top, emod, ever, WANT_MOD, e) == -1 ||
	    store_path(&pf->px.store, emod, ever, ART_MOD, mpath,
	    sizeof(mpath)) == -1 || buf_read_file(&mod, mpath, GOMOD_MAX,
	    e) == -1 || modfile_retractions(mod.data, mod.len, &r, &nr,
	    e) == -1) {
		err_set(e, e->code != E_OK ? e->code : E_INTERNAL,
		    "%s@%s: %s", path, pick, e->msg);
		goto out;
	}
	if (prefetch_want(pf, path, pick, e) == -1)
		goto out;
	if ((pick = prefetch_pick(vs, n, r, nr)) != NULL &&
	    prefetch_want(pf, path, pick, e) == -1)
		goto out;
	rc = 0;
out:
	answer_free(&a);
	free(vs);
	free(r);
	buf_free(&list);
	buf_free(&mod);
	return rc;
}

/* Walk the graph from its roots, then what the latest queries of
 * excluded modules add; the counts say how it went. */
static void
prefetch_walk(struct prefetch *pf)
{
	struct err e;
	size_t i = 0;
	int hit = 0;

	for (;;) {
		for (; i < pf->n; i++) {
			prefetch_bar(pf, i, pf->nodes[i].path);
			err_clear(&e);
			if (prefetch_node(pf, i, &hit, &e) == -1) {
				pf->failed++;
				prefetch_say(pf, i + 1, &pf->nodes[i],
				    "failed", e.msg);
				continue;
			}
			if (hit)
				pf->stored++;
			else
				pf->fetched++;
			prefetch_say(pf, i + 1, &pf->nodes[i], hit ?
			    "stored" : "fetched", NULL);
		}
		if (pf->donelatest == pf->nlatest)
			break;
		err_clear(&e);
		if (prefetch_latest(pf, pf->latest[pf->donelatest++],
		    &e) == -1) {
			pf->failed++;
			if (pf->tty && !pf->quiet)
				fprintf(stderr, "\r\033[K");
			fprintf(stderr, "prefetch: the latest allowed version "
			    "of %s (a version of it is excluded): failed: "
			    "%s\n", pf->latest[pf->donelatest - 1], e.msg);
		}
	}
	prefetch_bar(pf, pf->n, "");
	if (pf->tty && !pf->quiet)
		fprintf(stderr, "\n");
}

/* The roots: GO.MOD's requirements, or MODULE@VERSION arguments. */
static int
prefetch_roots(struct prefetch *pf, const char *gomod, int argc,
    char **argv, struct err *e)
{
	char path[MODPATH_MAX];
	struct buf b;
	const char *at;
	int i, rc;

	if (gomod != NULL) {
		buf_init(&b, GOMOD_MAX);
		rc = buf_read_file(&b, gomod, GOMOD_MAX, e);
		if (rc == -1)
			err_set(e, e->code, "%s: %s", gomod, e->msg);
		else
			rc = prefetch_main_gomod(pf, gomod, &b, e);
		buf_free(&b);
		return rc;
	}
	for (i = 0; i < argc; i++) {
		if ((at = strrchr(argv[i], '@')) == NULL ||
		    (size_t)(at - argv[i]) >= sizeof(path))
			return err_set(e, E_BADREQ, "%s: not MODULE@VERSION",
			    argv[i]);
		memcpy(path, argv[i], (size_t)(at - argv[i]));
		path[at - argv[i]] = '\0';
		if (prefetch_want(pf, path, at + 1, e) == -1)
			return -1;
	}
	return 0;
}

/* The go.sum beside gomod, when there is one; else NULL.  Allocated. */
static char *
prefetch_beside(const char *gomod)
{
	const char *slash = strrchr(gomod, '/');
	char *p;

	xasprintf(&p, "%.*sgo.sum", slash != NULL ?
	    (int)(slash - gomod + 1) : 0, gomod);
	if (access(p, F_OK) == 0)
		return p;
	free(p);
	return NULL;
}

int
prefetch_main(struct config *cfg, int argc, char **argv)
{
	struct prefetch pf;
	const char *gomod = NULL, *gosum = NULL;
	char *beside = NULL;
	struct err e;
	int c, rc = 1;

	memset(&pf, 0, sizeof(pf));
	strmap_init(&pf.nodeidx);
	strmap_init(&pf.sumidx);
	strmap_init(&pf.excluded);
	strmap_init(&pf.replaced);
	strmap_init(&pf.latestidx);
	optind = 1;
	while ((c = getopt(argc, argv, "f:s:qh")) != -1) {
		switch (c) {
		case 'f':
			gomod = optarg;
			break;
		case 's':
			gosum = optarg;
			break;
		case 'q':
			pf.quiet = 1;
			break;
		case 'h':
			printf("%s%s", prefetch_usage, prefetch_help);
			return 0;
		default:
			fputs(prefetch_usage, stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (gomod != NULL && gosum == NULL && argc == 1) {
		gosum = argv[0];
		argc = 0;
	}
	if ((gomod != NULL && argc > 0) || (gomod == NULL && argc == 0)) {
		fputs(prefetch_usage, stderr);
		return 2;
	}
	if (gomod != NULL && gosum == NULL)
		gosum = beside = prefetch_beside(gomod);
	pf.tty = isatty(STDERR_FILENO);
	buf_init(&pf.gosum, PREFETCH_GOSUM_MAX);
	err_clear(&e);
	pf.px.cfg = *cfg;	/* borrowed: the caller frees it */
	if ((gosum != NULL && prefetch_gosum(&pf, gosum, &e) == -1) ||
	    prefetch_roots(&pf, gomod, argc, argv, &e) == -1) {
		fprintf(stderr, "piraeus: prefetch: %s\n", e.msg);
		goto out;
	}
	if (proxy_open(&pf.px, &e) == -1) {
		fprintf(stderr, "piraeus: prefetch: %s\n", e.msg);
		goto out;
	}
	prefetch_walk(&pf);
	proxy_close(&pf.px);
	printf("%zu versions: %ld fetched, %ld already stored, %ld failed; "
	    "%ld checked against go.sum\n", pf.n, pf.fetched, pf.stored,
	    pf.failed, pf.verified);
	rc = pf.failed > 0 ? 1 : 0;
out:
	free(beside);
	free(pf.nodes);
	free(pf.sums);
	free(pf.dirsaid);
	free(pf.latest);
	modfile_main_free(&pf.main);
	strmap_free(&pf.nodeidx);
	strmap_free(&pf.sumidx);
	strmap_free(&pf.excluded);
	strmap_free(&pf.replaced);
	strmap_free(&pf.latestidx);
	buf_free(&pf.gosum);
	return rc;
}

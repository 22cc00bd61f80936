/*
 * policy.c: the one decision about what a request may cause upstream.
 *
 * Every rule that says whether, where and how a miss is fetched lives
 * here, in this order: a public checksum database lookup of a module
 * matching [sumdb] nosum is refused (never named upstream); a client that
 * sent "Disable-Module-Fetch: true" and network_mode = offline get storage
 * (or cached answers) only; then the download mode of the module (Athens'
 * DownloadMode, applied to list and @latest too): none answers from
 * storage, redirect and async_redirect send the client to the configured
 * URL (302, the request's own path below that URL, never our base path),
 * async answers "not yet" and fetches once the answer is out, sync
 * fetches now; then GOPROXY=off leaves storage only, unless the module is
 * private (those go direct, never to a proxy).  Before all of these, the
 * filter file ([policy] filter_file, filter.c): "-" refuses (403, the
 * rule's line in the reason), whatever storage holds, and "D" sends a
 * miss to the configured upstream: a redirect to the first proxy of
 * [upstream] goproxy, or "not found" when there is none (or it carries
 * credentials, or the module is private) so that the client's own
 * GOPROXY goes on (to direct).  Alongside: whether upstream failures fall
 * back to stale or stored answers (network_mode fallback), whether the
 * public checksum database vouches for the module (not for private ones,
 * which are never named to it), and whether our own database logs it.
 *
 * First of all, who asks: [access] rules (access.c) refuse a module they
 * hide from the request's user (want.who) as not found; with [policy]
 * private_access = vcs, a private module is refused (401, 404, 502)
 * unless the request's credentials can read its repository (vcsauth.c),
 * whatever storage holds.
 *
 * Private patterns, as the go command reads them: [policy] private and
 * [upstream] goprivate (GOPRIVATE) make a module direct only and unknown
 * to public checksum databases; [sumdb] nosum (GONOSUMDB) the latter
 * only; from the responder's environment GONOPROXY and GONOSUMDB, each
 * GOPRIVATE when unset.  Patterns match letters in any case (hosts are
 * case-insensitive).  The modules private_access = vcs guards are those
 * fetched direct only as private (policy_direct_private): [policy]
 * private, [upstream] goprivate, GOPRIVATE, GONOPROXY; never [sumdb]
 * nosum alone (public modules without a checksum database).
 *
 * Just before a version is fetched, policy_before_fetch asks the filter
 * again with the version a query resolved to, then [policy] vulnerable
 * (the mirror of the Go vulnerability database, vulnview.c: deny refuses
 * a version an entry lists as affected, with 403 naming the ids, their
 * aliases and the fixed versions, unless vulnerable_allow names the id
 * or an alias, or the entry was published less than vulnerable_min_age
 * days ago: then it warns; warn serves, logs the ids and counts by
 * decision), then the validator hook (validator.c), whose verdicts are
 * kept a while in the index cache (cache.c).  In the every-request
 * deployment policy_on_hit asks the same of a stored version; list and
 * @latest are never changed by it (the go command's answers stay
 * upstream's).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "piraeus.h"

static void	 policy_location(const char *, const struct want *, char *,
		    size_t);
static void	 policy_storage_only(struct decision *, const char *);

/*
 * 1 when patterns (may be NULL or "") match module, letters in any case:
 * hosts such as github.com are case-insensitive, so "github.com/!corp/x"
 * is as private as "github.com/corp/x" (folding only adds matches).
 */
static int
policy_matches(const char *patterns, const char *module)
{
	return patterns != NULL && patterns[0] != '\0' && module != NULL &&
	    module[0] != '\0' && pattern_match_fold(patterns, module);
}

/* 1 when one of the n lists matches module. */
static int
policy_any(const char *const lists[], size_t n, const char *module)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (policy_matches(lists[i], module))
			return 1;
	return 0;
}

int
policy_private(const struct config *cfg, const char *module)
{
	const char *lists[] = { cfg->policy_private, cfg->goprivate,
	    cfg->sumdb_nosum, cfg->env_nosumdb };

	return policy_any(lists, NITEMS(lists), module);
}

int
policy_noproxy(const struct config *cfg, const char *module)
{
	const char *lists[] = { cfg->policy_private, cfg->goprivate,
	    cfg->env_noproxy };

	return policy_any(lists, NITEMS(lists), module);
}

int
policy_direct_private(const struct config *cfg, const char *module)
{
	const char *lists[] = { cfg->policy_private, cfg->goprivate,
	    cfg->env_goprivate, cfg->env_noproxy };

	return policy_any(lists, NITEMS(lists), module);
}

/* The version the filter judges w by: a known version, else "". */
static const char *
policy_filter_version(const struct want *w)
{
	switch (w->kind) {
	case WANT_INFO:
	case WANT_MOD:
	case WANT_ZIP:
		return w->version;
	case WANT_QUERY:
		return w->canon;
	default:
		return "";
	}
}

/* The first proxy of the upstream list, or NULL when there is none or
 * it carries credentials (never handed to a client). */
static const char *
policy_upstream_proxy(const struct upstream_list *up)
{
	const char *auth, *end;
	size_t i;

	for (i = 0; i < up->n; i++) {
		if (up->v[i].kind != UPSTREAM_PROXY)
			continue;
		auth = strstr(up->v[i].url, "://");
		auth = auth != NULL ? auth + 3 : up->v[i].url;
		end = auth + strcspn(auth, "/?#");
		if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
			return NULL;
		return up->v[i].url;
	}
	return NULL;
}

/* The filter's "-" as a refusal into why; 1 when it refused. */
static int
policy_excluded(const char *module, const char *version,
    enum filter_action fa, int line, struct err *why)
{
	if (fa != FILTER_EXCLUDE)
		return 0;
	if (line > 0)
		err_set(why, E_FORBIDDEN, "%s%s%s is excluded by the filter "
		    "of this proxy (rule at line %d)", module,
		    version[0] != '\0' ? "@" : "", version, line);
	else
		err_set(why, E_FORBIDDEN, "%s%s%s is excluded by the filter "
		    "of this proxy (its default rule)", module,
		    version[0] != '\0' ? "@" : "", version);
	return 1;
}

/*
 * The filter's word on a module request: 1 when it decided d (refused,
 * or "D": the upstream's), 0 when the other rules decide.
 */
static int
policy_filter(const struct policy *p, const struct want *w,
    struct decision *d)
{
	const char *version = policy_filter_version(w), *url;
	enum filter_action fa;
	int line = 0;

	if (p->filter == NULL)
		return 0;
	fa = filter_decide(p->filter, w->module, version, &line);
	if (policy_excluded(w->module, version, fa, line, &d->why)) {
		d->action = POLICY_REFUSE;
		return 1;
	}
	if (fa != FILTER_DIRECT || w->no_fetch || d->offline)
		return 0;
	url = d->direct_only ? NULL : policy_upstream_proxy(p->up);
	if (url == NULL) {
		policy_storage_only(d, "the filter of this proxy says D: not "
		    "fetched here, and no upstream proxy to send you to");
		return 1;
	}
	d->action = POLICY_REDIRECT;
	policy_location(url, w, d->location, sizeof(d->location));
	return 1;
}

/* The validator hook's verdict on module@version, through the cache. */
static int
policy_validate(const struct policy *p, struct index *ix,
    const char *module, const char *version, struct err *e)
{
	const struct config *cfg = p->cfg;
	char key[MODPATH_MAX + VERSION_MAX + 8];
	struct cache_key k = { ix, NULL, key };
	struct cache_entry c;
	struct err ce, he;
	int st;

	snprintf(key, sizeof(key), "hook:%s@%s", module, version);
	/* The verdicts are the hook's: kept under its URL, not upstream's. */
	k.scope = cfg->validator_hook;
	err_clear(&ce);
	st = cfg->validator_cache_ttl > 0 ? cache_lookup(&k,
	    cfg->validator_cache_ttl, cfg->validator_cache_ttl, &c, &ce) :
	    CACHE_NONE;
	if (st == CACHE_FRESH) {
		st = c.code == E_OK ? 0 : cache_failure(&c, "denied by the "
		    "validator hook", e);
		cache_entry_free(&c);
		return st;
	}
	if (st == CACHE_STALE)
		cache_entry_free(&c);
	err_clear(&he);
	if (validator_check(cfg->validator_hook, cfg->validator_timeout,
	    cfg->ca_file, module, version, &he) == 0) {
		if (cfg->validator_cache_ttl > 0)
			cache_put(&k, E_OK, "", 0, &ce);
		return 0;
	}
	/* A verdict is kept; a failing hook is asked again next time. */
	if (he.code == E_FORBIDDEN && cfg->validator_cache_ttl > 0)
		cache_put(&k, E_FORBIDDEN, he.msg, strlen(he.msg), &ce);
	log_info("validator hook: %s@%s: %s", module, version, he.msg);
	return err_set(e, he.code, "%s", he.msg);
}

/* 1 when m is excepted by [policy] vulnerable_allow: its id or one of
 * its aliases is listed there (letters as written). */
static int
policy_vuln_excepted(const char *list, const struct vuln_match *m)
{
	const char *s = list;
	size_t n, i;

	if (s == NULL)
		return 0;
	for (; (s = osv_id_next(s, &n)) != NULL; s += n) {
		if (strlen(m->id) == n && memcmp(m->id, s, n) == 0)
			return 1;
		for (i = 0; i < m->naliases; i++)
			if (strlen(m->aliases[i]) == n &&
			    memcmp(m->aliases[i], s, n) == 0)
				return 1;
	}
	return 0;
}

/* m for people appended to b, after "; " when b holds some already. */
static void
policy_vuln_text(struct buf *b, const struct vuln_match *m)
{
	struct err e;

	err_clear(&e);
	if (b->len > 0)
		buf_puts(b, "; ", &e);
	vulnview_match_text(b, m, &e);
}

_Static_assert(POLICY_VULN_MSG_MAX < ERR_MSG_MAX, "the reason fits e.msg");

/* The missing mirror was logged by this process. */
static int policy_nomirror_said;

/* The module@version (and generation) this process logged as served
 * lately: a stored version asked again and again (every_request) is
 * logged once, not on every hit (still counted each time). */
#define POLICY_SAID_MAX	64
static uint64_t policy_said[POLICY_SAID_MAX];
static size_t policy_said_next;

/* 1 when module@version of generation modified was logged as served
 * lately; else 0, and remembered. */
static int
policy_said_before(const char *module, const char *version,
    const char *modified)
{
	const char *parts[] = { module, "@", version, "@", modified };
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *c;
	size_t i;

	for (i = 0; i < NITEMS(parts); i++)
		for (c = (const unsigned char *)parts[i]; *c != '\0'; c++)
			h = (h ^ *c) * 1099511628211ULL;
	for (i = 0; i < POLICY_SAID_MAX; i++)
		if (policy_said[i] == h)
			return 1;
	policy_said[policy_said_next++ % POLICY_SAID_MAX] = h;
	return 0;
}

/* 1 when a denied entry of m (denied[i]) still affects module@fix. */
static int
policy_vuln_still(const struct policy *p, const char *module,
    const char *fix, const struct vuln_match *m, size_t n,
    const unsigned char *denied)
{
	struct vuln_match *m2 = NULL;
	struct err e;
	size_t n2 = 0, i, k;
	int st, still = 0;

	err_clear(&e);
	st = vulnview_check(p->vuln, p->cfg->storage_root, module, fix, &m2,
	    &n2, &e);
	if (st == -1)
		still = 1;	/* not known: no fix named */
	for (k = 0; st == 0 && k < n2 && !still; k++)
		for (i = 0; i < n && !still; i++)
			still = denied[i] && strcmp(m[i].id, m2[k].id) == 0;
	vulnview_matches_free(m2, n2);
	return still;
}

/*
 * The 403's reason for the denied entries of m (denied[i]) into out
 * (POLICY_VULN_MSG_MAX bytes; the response names module@version before
 * it): "affected by GO-1, GO-2 and 8 more (see the log); fixed in
 * v1.2.4", the ids alone (aliases are in the log) as many as fit, then
 * one version that fixes them all (the latest of their fixes, when none
 * of them affects it) or "no fixed version".
 */
static void
policy_vuln_reason(const struct policy *p, const char *module,
    const struct vuln_match *m, size_t n, const unsigned char *denied,
    char out[POLICY_VULN_MSG_MAX])
{
	char fix[VERSION_MAX], tail[VERSION_MAX + 32];
	static const char more[] = " and %zu more (see the log)";
	size_t i, len, need, shown = 0, total = 0;
	int nofix = 0;

	fix[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!denied[i])
			continue;
		total++;
		if (m[i].fixed[0] == '\0')
			nofix = 1;
		else if (fix[0] == '\0' || semver_compare(fix, m[i].fixed) < 0)
			memcpy(fix, m[i].fixed, sizeof(fix));
	}
	if (!nofix && fix[0] != '\0' &&
	    policy_vuln_still(p, module, fix, m, n, denied))
		nofix = 1;
	if (nofix || fix[0] == '\0')
		snprintf(tail, sizeof(tail), "; no fixed version");
	else
		snprintf(tail, sizeof(tail), "; fixed in %s", fix);
	len = (size_t)snprintf(out, POLICY_VULN_MSG_MAX, "affected by");
	for (i = 0; i < n; i++) {
		if (!denied[i])
			continue;
		need = 2 + strlen(m[i].id);
		/* Room kept for " and N more (see the log)" and the tail. */
		if (len + need + sizeof(more) + 20 + strlen(tail) >=
		    POLICY_VULN_MSG_MAX)
			break;
		len += (size_t)snprintf(out + len, POLICY_VULN_MSG_MAX - len,
		    "%s %s", shown > 0 ? "," : "", m[i].id);
		shown++;
	}
	if (shown < total)
		len += (size_t)snprintf(out + len, POLICY_VULN_MSG_MAX - len,
		    more, total - shown);
	snprintf(out + len, POLICY_VULN_MSG_MAX - len, "%s", tail);
}

/*
 * [policy] vulnerable on module@version (canonical): the mirror's entries
 * that affect it, each denied, warned about (warn, or deny on an entry
 * published less than vulnerable_min_age days ago) or excepted
 * (vulnerable_allow names its id or an alias).  Any denied: -1 and e
 * (E_FORBIDDEN naming them with their fixed versions); else 0, logged
 * and counted.  No mirror, or one that cannot be read: 0 (logged).
 * quiet: the same answer, nothing logged or counted (a .info or .mod,
 * served whatever the answer: only the zip is judged for people).
 */
static int
policy_vulnerable(const struct policy *p, const char *module,
    const char *version, int quiet, struct err *e)
{
	const struct config *cfg = p->cfg;
	struct vuln_match *m = NULL;
	struct buf deny, warn, ok;
	char reason[POLICY_VULN_MSG_MAX];
	unsigned char *denied;
	struct err ve;
	size_t i, n = 0;
	int64_t now, age;
	int st, rc = 0;

	if (p->vuln == NULL || cfg->vulnerable == VULN_ALLOW ||
	    version == NULL || version[0] == '\0')
		return 0;
	err_clear(&ve);
	st = vulnview_check(p->vuln, cfg->storage_root, module, version, &m,
	    &n, &ve);
	if (st == -1 && !quiet)
		log_warnx("[policy] vulnerable: %s@%s not checked: %s", module,
		    version, ve.msg);
	/*
	 * A mirror that is there but could not be read now (an entry file
	 * unreadable for a reason that may pass: EMFILE, EACCES, EIO) fails
	 * closed under deny: 503, try again.  Open, a vulnerable zip would
	 * be stored and then sent by the web server for good, never judged
	 * again; closed, the client retries.  warn serves (logged).
	 */
	if (st == -1 && cfg->vulnerable == VULN_DENY) {
		vulnview_matches_free(m, n);
		return err_set(e, E_UNAVAIL, "the vulnerability database "
		    "mirror could not be read (%s); try again", ve.msg);
	}
	/* No mirror: nothing refused; said once per process (and on
	 * /status), not on every request. */
	if (st == 1 && !quiet && !policy_nomirror_said) {
		policy_nomirror_said = 1;
		log_warnx("[policy] vulnerable = %s, but there is no "
		    "vulnerability database mirror (%s/vulndb): nothing is "
		    "refused or warned about until there is one",
		    cfg->vulnerable == VULN_DENY ? "deny" : "warn",
		    cfg->storage_root);
	}
	if (st != 0 || n == 0) {
		vulnview_matches_free(m, n);
		return 0;
	}
	buf_init(&deny, ERR_MSG_MAX * 4);
	buf_init(&warn, ERR_MSG_MAX * 4);
	buf_init(&ok, ERR_MSG_MAX * 4);
	now = (int64_t)time(NULL) * 1000000000LL;
	age = (int64_t)cfg->vulnerable_min_age * 86400LL * 1000000000LL;
	denied = xcalloc(n, 1);
	for (i = 0; i < n; i++) {
		if (policy_vuln_excepted(cfg->vulnerable_allow, &m[i]))
			policy_vuln_text(&ok, &m[i]);
		else if (cfg->vulnerable == VULN_DENY &&
		    (age == 0 || m[i].published <= now - age)) {
			policy_vuln_text(&deny, &m[i]);
			denied[i] = 1;
		} else
			policy_vuln_text(&warn, &m[i]);
	}
	if (deny.len > 0)
		policy_vuln_reason(p, module, m, n, denied, reason);
	free(denied);
	if (quiet)
		rc = deny.len > 0 ? err_set(e, E_FORBIDDEN, "%s", reason) : 0;
	else if (deny.len > 0) {
		log_info("[policy] vulnerable = deny: %s@%s refused: %s",
		    module, version, deny.data);
		metrics_vuln(METRICS_VULN_DENY, module, version, deny.data);
		rc = err_set(e, E_FORBIDDEN, "%s", reason);
	} else if (warn.len > 0) {
		if (!policy_said_before(module, version,
		    vulnview_modified_at(p->vuln)))
			log_warnx("[policy] vulnerable: %s@%s served, affected "
			    "by %s%s", module, version, warn.data,
			    cfg->vulnerable == VULN_DENY ? " (published less "
			    "than vulnerable_min_age ago)" : "");
		metrics_vuln(METRICS_VULN_WARN, module, version, warn.data);
	} else {
		if (!policy_said_before(module, version,
		    vulnview_modified_at(p->vuln)))
			log_info("[policy] vulnerable: %s@%s served, affected "
			    "only by excepted %s", module, version, ok.data);
		metrics_vuln(METRICS_VULN_EXCEPTED, module, version, ok.data);
	}
	buf_free(&deny);
	buf_free(&warn);
	buf_free(&ok);
	vulnview_matches_free(m, n);
	return rc;
}

int
policy_before_fetch(const struct policy *p, struct index *ix,
    const char *module, const char *version, enum want_kind kind,
    struct err *e)
{
	struct err ve;
	int nozip = 0;

	err_clear(&ve);
	enum filter_action fa;
	int line = 0;

	if (p->filter != NULL) {
		fa = filter_decide(p->filter, module, version, &line);
		if (policy_excluded(module, version, fa, line, e))
			return -1;
		if (fa == FILTER_DIRECT)
			return err_set(e, E_NOTFOUND, "%s@%s: the filter of "
			    "this proxy says D: not fetched here", module,
			    version);
	}
	/*
	 * The zip is judged (refused, logged, counted).  A .info or .mod is
	 * served whatever the answer (the go command reads the go.mod of
	 * versions its module graph holds but does not select): 1 tells
	 * the caller to store none of the version but its .mod.  A .info
	 * of a version that is not refused brings the whole version: it is
	 * judged as the zip it stores.
	 */
	if (kind == WANT_ZIP) {
		if (policy_vulnerable(p, module, version, 0, e) == -1)
			return -1;
	} else if (policy_vulnerable(p, module, version, 1, &ve) == -1)
		nozip = 1;
	else if (kind == WANT_INFO)
		(void)policy_vulnerable(p, module, version, 0, &ve);
	if (p->cfg->validator_hook != NULL &&
	    p->cfg->validator_hook[0] != '\0' &&
	    policy_validate(p, ix, module, version, e) == -1)
		return -1;
	return nozip;
}

int
policy_zip_refused(const struct policy *p, const char *module,
    const char *version, struct err *e)
{
	return policy_vulnerable(p, module, version, 0, e);
}

int
policy_version_excluded(const struct policy *p, const char *module,
    const char *version, struct err *e)
{
	enum filter_action fa;
	int line = 0;

	if (p->filter == NULL || version == NULL || version[0] == '\0')
		return 0;
	fa = filter_decide(p->filter, module, version, &line);
	return policy_excluded(module, version, fa, line, e);
}

int
policy_on_hit(const struct policy *p, struct index *ix, const char *module,
    const char *version, enum want_kind kind, struct err *e)
{
	if (!p->cfg->every_request)
		return 0;
	/* Only the zip: the go command reads the .mod (and may ask the
	 * .info) of versions its module graph holds but does not select. */
	if (kind == WANT_ZIP &&
	    policy_vulnerable(p, module, version, 0, e) == -1)
		return -1;
	if (p->cfg->validator_hook == NULL ||
	    p->cfg->validator_hook[0] == '\0')
		return 0;
	return policy_validate(p, ix, module, version, e);
}

/* The request's own path below base: "<base>/<emod>/@v/<file>". */
static void
policy_location(const char *base, const struct want *w, char *out,
    size_t outsz)
{
	int art = stored_artifact(w->kind);

	if (w->kind == WANT_LIST)
		snprintf(out, outsz, "%s/%s/@v/list", base, w->emod);
	else if (w->kind == WANT_LATEST)
		snprintf(out, outsz, "%s/%s/@latest", base, w->emod);
	else
		snprintf(out, outsz, "%s/%s/@v/%s%s", base, w->emod, w->ever,
		    art >= 0 ? store_ext((enum artifact)art) : "");
}

/* Storage only, for the reason given. */
static void
policy_storage_only(struct decision *d, const char *why)
{
	d->action = POLICY_STORAGE_ONLY;
	err_set(&d->why, E_NOTFOUND, "not in storage (%s)", why);
}

/* The download mode's word on w (a module proxy request). */
static void
policy_mode(const struct policy *p, const struct want *w, struct decision *d)
{
	const char *url = NULL;
	enum dl_mode mode;

	mode = mode_for(p->modes, w->module, &url);
	switch (mode) {
	case DL_NONE:
		policy_storage_only(d, "download mode none");
		return;
	case DL_REDIRECT:
	case DL_ASYNC_REDIRECT:
		if (url == NULL || url[0] == '\0') {
			policy_storage_only(d, "redirect mode without a URL");
			return;
		}
		d->action = POLICY_REDIRECT;
		policy_location(url, w, d->location, sizeof(d->location));
		d->defer = mode == DL_ASYNC_REDIRECT && w->version[0] != '\0';
		return;
	case DL_ASYNC:
		d->action = POLICY_ASYNC;
		d->defer = w->version[0] != '\0';
		return;
	case DL_SYNC:
		break;
	}
	d->action = POLICY_FETCH;
}

/* A module proxy request: artifacts, a query, list, @latest. */
static void
policy_module(const struct policy *p, const struct want *w,
    struct decision *d)
{
	if (policy_filter(p, w, d))
		return;
	if (w->no_fetch) {
		policy_storage_only(d, "the request said Disable-Module-Fetch");
		return;
	}
	if (d->offline) {
		policy_storage_only(d, "network_mode is offline");
		return;
	}
	if (!w->now)
		policy_mode(p, w, d);
	if (d->action != POLICY_FETCH && d->action != POLICY_ASYNC)
		return;
	/* Nothing to ask: GOPROXY=off, and the module is not private. */
	if ((p->up->n == 0 || p->up->v[0].kind == UPSTREAM_OFF) &&
	    !d->direct_only) {
		d->defer = 0;
		policy_storage_only(d, "module lookup disabled by GOPROXY=off");
	}
}

/* A public database: nosum lookups refused, offline from the cache. */
static void
policy_sumdb(const struct policy *p, const struct want *w,
    struct decision *d)
{
	/* The reason names the module alone: the patterns themselves may
	 * name modules [access] hides from this user. */
	if (w->module[0] != '\0' && policy_private(p->cfg, w->module)) {
		d->action = POLICY_REFUSE;
		err_set(&d->why, E_FORBIDDEN, "%s is private on this proxy: "
		    "not forwarded to %s; add it to GONOSUMDB (or GOPRIVATE) "
		    "on the client, e.g. GONOSUMDB=%s", w->module,
		    w->db != NULL ? w->db->key.name : "its database",
		    w->module);
		return;
	}
	if (d->offline)
		d->action = POLICY_STORAGE_ONLY;
}

/* Our own database: a version not stored may be fetched, not offline. */
static void
policy_sumdb_private(const struct policy *p, const struct want *w,
    struct decision *d)
{
	if (w->module[0] == '\0')
		return;
	if (!d->log) {
		d->action = POLICY_STORAGE_ONLY;
		err_set(&d->why, E_NOTFOUND, "%s@%s: not in the private "
		    "checksum database %s", w->module, w->version,
		    p->signer_name);
	} else if (d->offline) {
		d->action = POLICY_STORAGE_ONLY;
		err_set(&d->why, E_NOTFOUND, "%s@%s: not in the private "
		    "checksum database %s (not stored; network_mode is "
		    "offline)", w->module, w->version, p->signer_name);
	}
}

/*
 * [access] rules: a module they cover that w's user may not see is
 * refused as not found, whatever storage holds, for every kind (list,
 * @latest, .info, .mod, .zip, checksum database lookups): the same
 * answer whether the module exists or not.  1 when hidden.
 */
static int
policy_hidden(const struct policy *p, const struct want *w,
    struct decision *d)
{
	const char *user = w->who != NULL ? w->who->user : NULL;

	/* A deferred fetch (w->now) is the process's own, for a request
	 * that was let through. */
	if (w->now || access_visible(p->acl, user, w->module))
		return 0;
	d->action = POLICY_REFUSE;
	d->defer = 0;
	err_set(&d->why, E_NOTFOUND, "no such module, or not visible to %s",
	    user != NULL ? user : "anonymous requests");
	return 1;
}

/*
 * [policy] private_access = vcs: a request for a private module (one
 * fetched direct only as private: policy_direct_private; its files,
 * list, @latest, a query, our database's lookup) must carry
 * credentials that read its repository.  1 and d a refusal when they do
 * not (or cannot be checked); 0 to decide on.  A deferred fetch (w->now)
 * was checked when it was asked for.
 */
static int
policy_access_vcs(const struct policy *p, const struct want *w,
    struct decision *d)
{
	struct vcsauth_env env;

	if (!policy_direct_private(p->cfg, w->module) || p->cfg->private_access != PRIVATE_ACCESS_VCS ||
	    w->now || w->kind == WANT_SUMDB || w->module == NULL ||
	    w->module[0] == '\0')
		return 0;
	env.cfg = p->cfg;
	env.idx = p->idx;
	env.offline = d->offline;
	if (vcsauth_check(&env, w->module, w->who, &d->why) == 0)
		return 0;
	d->action = POLICY_REFUSE;
	d->defer = 0;
	return 1;
}

void
policy_decide(const struct policy *p, const struct want *w,
    struct decision *d)
{
	const struct config *cfg = p->cfg;
	int private = policy_private(cfg, w->module);

	memset(d, 0, sizeof(*d));
	d->action = POLICY_FETCH;
	d->direct_only = policy_noproxy(cfg, w->module);
	d->offline = cfg->network_mode == NETWORK_OFFLINE;
	d->fallback = cfg->network_mode != NETWORK_STRICT;
	d->verify = cfg->sumdb_verify && !private;
	d->log = p->signer_name != NULL && (private ||
	    cfg->sumdb_private_relay);
	if (policy_hidden(p, w, d) || policy_access_vcs(p, w, d))
		return;
	switch (w->kind) {
	case WANT_SUMDB:
		policy_sumdb(p, w, d);
		break;
	case WANT_SUMDB_PRIVATE:
		policy_sumdb_private(p, w, d);
		break;
	default:
		policy_module(p, w, d);
		break;
	}
}

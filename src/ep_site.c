/*
 * ep_site.c: the responder's own pages: the home page at "/", /healthz,
 * /readyz and /version.
 *
 * The home page tells users the GOPROXY line to set, built from the
 * request's (validated) Host, HTTPS and the configured base path.  An
 * operator may replace it with a template file in which {{GOPROXY}},
 * {{VERSION}}, {{HOST}}, {{BASE}}, {{GONOSUMDB}} (the [sumdb] nosum
 * patterns) and {{GOSUMDB_PRIVATE}} (the GOSUMDB value of the private
 * checksum database, or "") are substituted (HTML-escaped).
 *
 * With [access] rules the page depends on who asks: {{GONOSUMDB}} leaves
 * out the patterns that name a module hidden from the request's user
 * (covered by a rule that does not name them), and the page is private
 * to shared caches.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "http.h"

#define HOME_TEMPLATE_MAX	(256 * 1024)
#define SITE_NOSUM_MAX		4096	/* [sumdb] nosum: one config value */
#define CACHE_REVALIDATE_PRIVATE "private, no-cache"	/* per user */

static const char home_default[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<title>piraeus Go module proxy</title></head>\n"
	"<body>\n"
	"<h1>piraeus</h1>\n"
	"<p>This is a Go module proxy. To use it, set:</p>\n"
	"<pre>export GOPROXY={{GOPROXY}}</pre>\n"
	"<p>Private modules: also set <code>GONOSUMDB</code> (or "
	"<code>GOPRIVATE</code>) to their path patterns: "
	"<code>{{GONOSUMDB}}</code></p>\n"
	"<p>This proxy's own checksum database of private modules: "
	"<code>{{GOSUMDB_PRIVATE}}</code></p>\n"
	"<p>Endpoints: <code>/&lt;module&gt;/@v/list</code>, "
	"<code>.info</code>, <code>.mod</code>, <code>.zip</code>, "
	"<code>@latest</code>, <a href=\"{{BASE}}/catalog\">catalog</a>, "
	"<a href=\"{{BASE}}/index\">index</a>, "
	"<a href=\"{{BASE}}/healthz\">healthz</a>, "
	"<a href=\"{{BASE}}/readyz\">readyz</a>, "
	"<a href=\"{{BASE}}/version\">version</a>.</p>\n"
	"<p><small>piraeus {{VERSION}}</small></p>\n"
	"</body></html>\n";

/* GOSUMDB="<verifier key> <proxy>/sumdb/<name>" of the private database,
 * or "(none)". */
static void
ep_site_gosumdb(struct proxy *px, const char *goproxy, char *out,
    size_t outsz)
{
	char *vkey = NULL;
	struct err e;

	err_clear(&e);
	if (!px->has_signer || note_signer_verifier(&px->signer, &vkey,
	    &e) == -1) {
		snprintf(out, outsz, "(none)");
		return;
	}
	snprintf(out, outsz, "GOSUMDB=\"%s %s/sumdb/%s\"", vkey, goproxy,
	    px->signer.name);
	free(vkey);
}

/*
 * The [sumdb] nosum patterns user may know of into out: those of them
 * that [access] rules do not hide from user (taken as a module path, a
 * pattern a rule covers is hidden unless the rule names user), or
 * "(none configured)".
 */
static void
ep_site_nosum(const char *nosum, const struct access *acl, const char *user,
    char *out, size_t outsz)
{
	char elem[MODPATH_MAX];
	const char *p, *end;
	size_t n, len = 0;

	out[0] = '\0';
	for (p = nosum != NULL ? nosum : ""; *p != '\0'; p = end) {
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		if (*end == ',')
			end++;
		if (n == 0 || n >= sizeof(elem))
			continue;
		memcpy(elem, p, n);
		elem[n] = '\0';
		if (access_covered(acl, elem) &&
		    !access_visible(acl, user, elem))
			continue;
		if (len + n + 2 > outsz)
			break;
		if (len > 0)
			out[len++] = ',';
		memcpy(out + len, elem, n);
		len += n;
		out[len] = '\0';
	}
	if (len == 0)
		snprintf(out, outsz, "(none configured)");
}

int
ep_home(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	char goproxy[512], gosumdb[1024], nosum[SITE_NOSUM_MAX];
	const struct {
		const char	*name;
		const char	*value;
	} vars[] = {
		{ "{{GOPROXY}}", goproxy },
		{ "{{VERSION}}", piraeus_version },
		{ "{{HOST}}", r->host[0] ? r->host : "localhost" },
		{ "{{BASE}}", px->cfg.base_path },
		{ "{{GONOSUMDB}}", nosum },
		{ "{{GOSUMDB_PRIVATE}}", gosumdb },
	};
	struct buf tmpl, out;
	const char *p, *tpl;
	size_t i;

	snprintf(goproxy, sizeof(goproxy), "%s://%s%s", r->https ? "https" :
	    "http", r->host[0] ? r->host : "localhost", px->cfg.base_path);
	ep_site_gosumdb(px, goproxy, gosumdb, sizeof(gosumdb));
	ep_site_nosum(px->cfg.sumdb_nosum, px->acl, r->who.user, nosum,
	    sizeof(nosum));
	buf_init(&tmpl, HOME_TEMPLATE_MAX);
	tpl = home_default;
	if (px->cfg.home_template != NULL && px->cfg.home_template[0] != '\0') {
		if (buf_read_file(&tmpl, px->cfg.home_template,
		    HOME_TEMPLATE_MAX, e) == -1)
			return err_set(e, E_INTERNAL, "home template");
		tpl = tmpl.data;
	}
	buf_init(&out, HOME_TEMPLATE_MAX * 4);
	for (p = tpl; *p != '\0';) {
		for (i = 0; i < NITEMS(vars); i++)
			if (strncmp(p, vars[i].name, strlen(vars[i].name)) == 0)
				break;
		if (i < NITEMS(vars)) {
			buf_puts_html(&out, vars[i].value, e);
			p += strlen(vars[i].name);
		} else
			buf_append(&out, p++, 1, e);
	}
	buf_free(&tmpl);
	response_body(rs, 200, "text/html; charset=utf-8",
	    access_nrules(px->acl) > 0 ? CACHE_REVALIDATE_PRIVATE :
	    CACHE_REVALIDATE, out.data ? out.data : "", out.len);
	buf_free(&out);
	return 0;
}

int
ep_healthz(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	return response_body(rs, 200, "text/plain; charset=utf-8", CACHE_NONE,
	    "ok\n", 3) == -1 ? -1 : 0;
}

/* Ready when the storage root is readable and the index answers. */
int
ep_readyz(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	struct index *ix;

	if (access(px->store.root, R_OK | X_OK) == -1)
		return err_errno(e, E_UNAVAIL, "storage root not readable");
	if ((ix = proxy_index(px, e)) == NULL || index_ping(ix, e) == -1)
		return -1;
	return response_body(rs, 200, "text/plain; charset=utf-8", CACHE_NONE,
	    "ready\n", 6) == -1 ? -1 : 0;
}

int
ep_version(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	struct json_object *o = json_object_new_object();
	const char *s;
	int rc;

	json_object_object_add(o, "version",
	    json_object_new_string(piraeus_version));
	json_object_object_add(o, "date",
	    json_object_new_string(piraeus_build_date));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	rc = response_body(rs, 200, "application/json", CACHE_NONE, s,
	    strlen(s));
	json_object_put(o);
	return rc == -1 ? -1 : 0;
}

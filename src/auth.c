/*
 * auth.c: who asks -- the credential check of the built-in [access].
 *
 * Owns the Authorization header (RFC 7235 scheme names, case-insensitive;
 * Basic, RFC 7617: base64 of "user:password", strictly decoded; Bearer,
 * RFC 6750: a token68) and the trust in the web server's REMOTE_USER.
 * Every part is capped (AUTH_HEADER_MAX, IDENTITY_NAME_MAX,
 * IDENTITY_SECRET_MAX) and refused with control bytes.  The secrets are
 * checked by access.c (crypt(3), SHA-256, constant time); the answer is
 * the struct identity of the request (r->who), which the pipeline reads
 * (policy.c asks access_visible).  A request whose credentials are wrong,
 * or that has none where access needs them ([access] anonymous = no), is
 * E_UNAUTHORIZED: response.c answers 401 with the WWW-Authenticate
 * challenges.  Bad credentials never fall back to anonymous.  Listings
 * (/catalog, /index) read the index through auth_keep, the request's
 * view of access_visible (auth_view), so that they hold only what the
 * user may see.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* The value of base64 character c, or -1 (the standard alphabet). */
static int
auth_b64(int c)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p;

	if (c == '\0' || (p = strchr(alphabet, c)) == NULL)
		return -1;
	return (int)(p - alphabet);
}

/*
 * Strict base64 (padded, standard alphabet, no blanks, unused bits zero)
 * of s into out (NUL-terminated); the decoded length in *n.  0 or -1.
 */
static int
auth_b64_decode(const char *s, char *out, size_t outsz, size_t *n)
{
	size_t len = strlen(s), i, o = 0, pad = 0;
	int v[4], k;

	if (len == 0 || len % 4 != 0)
		return -1;
	if (s[len - 1] == '=')
		pad++;
	if (pad == 1 && s[len - 2] == '=')
		pad++;
	for (i = 0; i < len; i += 4) {
		for (k = 0; k < 4; k++) {
			if (i + 4 == len && k >= 4 - (int)pad) {
				v[k] = 0;
				continue;
			}
			if ((v[k] = auth_b64((unsigned char)s[i + k])) < 0)
				return -1;
		}
		if (o + 3 >= outsz)
			return -1;
		out[o++] = (char)(v[0] << 2 | v[1] >> 4);
		out[o++] = (char)((v[1] & 0xf) << 4 | v[2] >> 2);
		out[o++] = (char)((v[2] & 0x3) << 6 | v[3]);
	}
	/* Bits the padding leaves over must be zero (canonical form). */
	if ((pad == 1 && (v[2] & 0x3) != 0) || (pad == 2 && (v[1] & 0xf) != 0))
		return -1;
	o -= pad;
	out[o] = '\0';
	*n = o;
	return 0;
}

/* 1 when s[0..n) has a control byte (NUL included) or DEL. */
static int
auth_has_ctl(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* Basic: base64 of "user:password" into c. */
static int
auth_parse_basic(const char *b64, struct auth_cred *c, struct err *e)
{
	char dec[IDENTITY_NAME_MAX + IDENTITY_SECRET_MAX + 4];
	const char *colon;
	size_t n, un;

	if (auth_b64_decode(b64, dec, sizeof(dec), &n) == -1)
		return err_set(e, E_UNAUTHORIZED, "malformed Basic "
		    "credentials (not base64 of user:password, or too long)");
	if (auth_has_ctl(dec, n) || (colon = memchr(dec, ':', n)) == NULL) {
		explicit_bzero(dec, sizeof(dec));
		return err_set(e, E_UNAUTHORIZED, "malformed Basic "
		    "credentials (no \"user:password\", or control bytes)");
	}
	un = (size_t)(colon - dec);
	if (un == 0 || un >= sizeof(c->user) ||
	    n - un - 1 >= sizeof(c->secret)) {
		explicit_bzero(dec, sizeof(dec));
		return err_set(e, E_UNAUTHORIZED, "Basic credentials: empty "
		    "user name, or a user name or password too long");
	}
	memcpy(c->user, dec, un);
	c->user[un] = '\0';
	memcpy(c->secret, colon + 1, n - un - 1);
	c->secret[n - un - 1] = '\0';
	c->scheme = AUTH_BASIC;
	explicit_bzero(dec, sizeof(dec));
	return 0;
}

/* Bearer: a token68 (letters, digits, "-._~+/", then "=" padding). */
static int
auth_parse_bearer(const char *tok, struct auth_cred *c, struct err *e)
{
	static const char extra[] = "-._~+/";
	size_t n = strlen(tok), i;

	for (i = 0; i < n; i++)
		if (!((tok[i] >= 'a' && tok[i] <= 'z') ||
		    (tok[i] >= 'A' && tok[i] <= 'Z') ||
		    (tok[i] >= '0' && tok[i] <= '9') ||
		    strchr(extra, tok[i]) != NULL))
			break;
	while (i < n && tok[i] == '=' && i > 0)
		i++;
	if (n == 0 || i != n)
		return err_set(e, E_UNAUTHORIZED, "malformed Bearer token");
	if (n >= sizeof(c->secret))
		return err_set(e, E_UNAUTHORIZED, "Bearer token longer than "
		    "%d bytes", IDENTITY_SECRET_MAX - 1);
	memcpy(c->secret, tok, n + 1);
	c->scheme = AUTH_BEARER;
	return 0;
}

/* The schemes: their name (case-insensitive) and parser. */
static const struct {
	const char	*name;
	int		(*parse)(const char *, struct auth_cred *, struct err *);
} auth_schemes[] = {
	{ "Basic", auth_parse_basic },
	{ "Bearer", auth_parse_bearer },
};

int
auth_parse(const char *h, struct auth_cred *c, struct err *e)
{
	char val[AUTH_HEADER_MAX + 1];
	const char *rest;
	size_t n, sn, i;
	int rc;

	memset(c, 0, sizeof(*c));
	if (h == NULL || h[0] == '\0')
		return 0;
	if ((n = strlen(h)) > AUTH_HEADER_MAX)
		return err_set(e, E_UNAUTHORIZED, "Authorization header "
		    "longer than %d bytes", AUTH_HEADER_MAX);
	if (auth_has_ctl(h, n))
		return err_set(e, E_UNAUTHORIZED, "control bytes in the "
		    "Authorization header");
	sn = strcspn(h, " ");
	rest = h + sn;
	rest += strspn(rest, " ");
	memcpy(val, rest, strlen(rest) + 1);
	/* Blanks after the credentials are not part of them. */
	n = strlen(val);
	while (n > 0 && val[n - 1] == ' ')
		val[--n] = '\0';
	for (i = 0; i < NITEMS(auth_schemes); i++)
		if (sn == strlen(auth_schemes[i].name) &&
		    strncasecmp(h, auth_schemes[i].name, sn) == 0)
			break;
	if (i == NITEMS(auth_schemes))
		rc = err_set(e, E_UNAUTHORIZED, "unsupported authorization "
		    "scheme (Basic or Bearer)");
	else
		rc = auth_schemes[i].parse(val, c, e);
	explicit_bzero(val, sizeof(val));
	if (rc == -1)
		explicit_bzero(c, sizeof(*c));
	return rc;
}

int
auth_enabled(const struct config *cfg)
{
	return cfg->access_file != NULL || cfg->access_remote_user;
}

/* Copy name into the request's identity as its user. */
static void
auth_set_user(struct request *r, const char *name)
{
	snprintf(r->who_user, sizeof(r->who_user), "%s", name);
	r->who.user = r->who_user;
}

int
auth_identify(const struct config *cfg, const struct access *acl,
    const char *authorization, const char *remote_user, struct request *r,
    struct err *e)
{
	struct auth_cred c;
	struct err pe;
	const char *name = NULL;
	size_t n;
	int rc = 0;

	memset(&r->who, 0, sizeof(r->who));
	err_clear(&pe);
	/* Basic credentials as sent, for checks that present them
	 * elsewhere ([policy] private_access = vcs). */
	if (auth_parse(authorization, &c, &pe) == 0 &&
	    c.scheme == AUTH_BASIC) {
		memcpy(r->who_basic_user, c.user, sizeof(r->who_basic_user));
		memcpy(r->who_basic_pass, c.secret, sizeof(r->who_basic_pass));
		r->who.basic_user = r->who_basic_user;
		r->who.basic_pass = r->who_basic_pass;
	}
	if (!auth_enabled(cfg))
		goto out;
	/* The web server authenticated the request. */
	if (cfg->access_remote_user && remote_user != NULL &&
	    remote_user[0] != '\0') {
		n = strlen(remote_user);
		if (n >= IDENTITY_NAME_MAX || auth_has_ctl(remote_user, n))
			rc = err_set(e, E_UNAUTHORIZED, "the web server's "
			    "REMOTE_USER is not a usable user name");
		else
			auth_set_user(r, remote_user);
		goto out;
	}
	if (pe.code != E_OK) {
		rc = err_set(e, pe.code, "%s", pe.msg);
		goto out;
	}
	switch (c.scheme) {
	case AUTH_BASIC:
		if ((name = access_password(acl, c.user, c.secret)) == NULL)
			rc = err_set(e, E_UNAUTHORIZED, "wrong user name or "
			    "password");
		break;
	case AUTH_BEARER:
		if ((name = access_token(acl, c.secret)) == NULL)
			rc = err_set(e, E_UNAUTHORIZED, "unknown bearer "
			    "token");
		break;
	case AUTH_NONE:
		if (!cfg->access_anonymous)
			rc = err_set(e, E_UNAUTHORIZED, "credentials "
			    "required: send Basic user:password or a Bearer "
			    "token (the go command: GOAUTH, e.g. a .netrc "
			    "entry for this host, over https)");
		break;
	}
	if (name != NULL)
		auth_set_user(r, name);
out:
	explicit_bzero(&c, sizeof(c));
	return rc;
}

void
auth_forget(struct request *r)
{
	explicit_bzero(r->who_basic_pass, sizeof(r->who_basic_pass));
	explicit_bzero(r->who_basic_user, sizeof(r->who_basic_user));
	explicit_bzero(r->who_user, sizeof(r->who_user));
	explicit_bzero(&r->who, sizeof(r->who));
}

/* index_keep_fn: 1 when the view's user may see v's module. */
int
auth_keep(void *arg, const struct index_version *v)
{
	const struct auth_view *view = arg;

	return access_visible(view->acl, view->user, v->module);
}

/* Fill view for r; 1 (and rs private) when rules exist, else 0. */
int
auth_view(const struct access *acl, const struct request *r,
    struct auth_view *view, struct response *rs)
{
	view->acl = acl;
	view->user = r->who.user;
	if (access_nrules(acl) == 0)
		return 0;
	/* What is listed depends on who asks. */
	rs->private_cache = 1;
	return 1;
}

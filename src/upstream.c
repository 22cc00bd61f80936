/*
 * upstream.c: a GOPROXY list ("https://a,https://b|direct").
 *
 * Parsed as the go command's modfetch proxyList does (protocol.md 3.1):
 * the value is split at "," and "|", and the separator after an entry
 * says when the next entry is tried: "," only when this one answers
 * 404/410 (FALL_NOTFOUND), "|" on any error (FALL_ANY).  Entries are
 * trimmed and empty ones skipped; "off" and "direct" end the list (they
 * are kept, what follows is ignored).  An entry that contains ".", ":" or
 * "/" but not ":/", and is not an absolute path, gets "https://" in front
 * ("proxy.example.com" is "https://proxy.example.com").  Schemes are
 * https, http and file; a file URL is only a path.
 *
 * Stricter than the go command, because a server should fail at start
 * rather than at the first request: a host is required, no query or
 * fragment, no space, control or non-ASCII byte, well-formed "%XX"
 * escapes and ports, and no user:password on http:// (the go command
 * refuses to send those credentials at request time).  Credentials on
 * https:// URLs are kept; upstream_redact hides the password for logs,
 * and no message of this file shows it.
 *
 * upstream_walk is the one walk over a parsed list (fetches of a version,
 * a list, @latest, a query, the checksum database's base): it owns the
 * go command's rules for going on to the next entry, the callers own
 * what one entry is asked and which error they report.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "piraeus.h"

#define UPSTREAM_VALUE_MAX	8192	/* a whole GOPROXY value */
#define UPSTREAM_URL_MAX	2048	/* one entry, "https://" included */
#define UPSTREAM_ENTRIES_MAX	32
#define UPSTREAM_SHOW_MAX	100	/* bytes of an entry in a message */
#define UPSTREAM_SPACE		" \t\r\n\v\f"

/* Schemes a proxy URL may have. */
static const struct upstream_scheme {
	const char	*name;
	int		 is_file;
	int		 creds;		/* may carry user:password */
} upstream_schemes[] = {
	{ "https", 0, 1 },
	{ "http", 0, 0 },
	{ "file", 1, 0 },
};

/* Keywords that end the list. */
static const struct upstream_keyword {
	const char		*name;
	enum upstream_kind	 kind;
} upstream_keywords[] = {
	{ "direct", UPSTREAM_DIRECT },
	{ "off", UPSTREAM_OFF },
};

/* The length of the authority of url ("user@host:port"), 0 when none. */
static size_t
upstream_authority(const char *url, const char **start)
{
	const char *p;

	if ((p = strstr(url, "://")) == NULL) {
		*start = url + strlen(url);
		return 0;
	}
	*start = p + 3;
	return strcspn(*start, "/?#");
}

/*
 * Schemes whose whole userinfo is a secret: redis://PASSWORD@host is a
 * password without a user name (lock_redis_parse), not a user name.
 */
static const char *const upstream_secret_userinfo[] = {
	"redis://", "rediss://", "sentinel://",
};

/* 1 when every byte of url's userinfo is to be masked. */
static int
upstream_userinfo_secret(const char *url)
{
	size_t i;

	for (i = 0; i < NITEMS(upstream_secret_userinfo); i++)
		if (strncasecmp(url, upstream_secret_userinfo[i],
		    strlen(upstream_secret_userinfo[i])) == 0)
			return 1;
	return 0;
}

void
upstream_redact(const char *url, char *out, size_t outsz)
{
	const char *auth, *at, *colon;
	size_t len, i;

	if (outsz == 0)
		return;
	len = upstream_authority(url, &auth);
	at = NULL;
	for (i = 0; i < len; i++)
		if (auth[i] == '@')
			at = auth + i;
	colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (at != NULL && upstream_userinfo_secret(url)) {
		/* All of it: "redis://xxxxx@host". */
		snprintf(out, outsz, "%.*sxxxxx%s", (int)(auth - url), url, at);
		return;
	}
	if (colon == NULL) {
		snprintf(out, outsz, "%s", url);
		return;
	}
	snprintf(out, outsz, "%.*sxxxxx%s", (int)(colon + 1 - url), url, at);
}

/*
 * Every URL in text (a GOPROXY list, "<key> <url>" lines...) masked by
 * upstream_redact; the separators between them (white space, "," and "|")
 * as they are; truncated to outsz.
 */
void
upstream_redact_text(const char *text, char *out, size_t outsz)
{
	const char *p = text;
	size_t n = 0, k;
	char *tok, *shown;

	if (outsz == 0)
		return;
	out[0] = '\0';
	while (*p != '\0' && n + 1 < outsz) {
		k = strspn(p, UPSTREAM_SPACE ",|");
		if (k == 0) {
			/* A URL (or a word): masked alone. */
			k = strcspn(p, UPSTREAM_SPACE ",|");
			tok = xstrndup(p, k);
			shown = xmalloc(k + sizeof("xxxxx"));
			upstream_redact(tok, shown, k + sizeof("xxxxx"));
			snprintf(out + n, outsz - n, "%s", shown);
			free(shown);
			free(tok);
		} else
			snprintf(out + n, outsz - n, "%.*s", (int)k, p);
		n += strlen(out + n);
		p += k;
	}
}

/*
 * A printable and truncated copy of an entry for messages.  The entry may
 * be malformed, so everything between the scheme and the last "@" is
 * hidden, whatever it is.
 */
static void
upstream_show(const char *entry, size_t len, char *out, size_t outsz)
{
	const char *at, *start, *p;
	size_t i, n;
	char c;

	at = NULL;
	for (i = 0; i < len; i++)
		if (entry[i] == '@')
			at = entry + i;
	start = entry;
	for (p = entry; p + 3 <= entry + len; p++)
		if (memcmp(p, "://", 3) == 0) {
			start = p + 3;
			break;
		}
	n = 0;
	for (p = entry; p < entry + len && n + 1 < outsz; p++) {
		if (at != NULL && p == start && start < at) {
			snprintf(out + n, outsz - n, "xxxxx");
			n += strlen(out + n);
			p = at - 1;
			continue;
		}
		c = *p;
		out[n++] = (unsigned char)c < ' ' || (unsigned char)c >= 0x7f ?
		    '?' : c;
	}
	out[n] = '\0';
	if (n > UPSTREAM_SHOW_MAX && outsz > UPSTREAM_SHOW_MAX)
		snprintf(out + UPSTREAM_SHOW_MAX - 3, outsz -
		    (UPSTREAM_SHOW_MAX - 3), "...");
}

static int
upstream_is_unreserved(int c)
{
	return isalnum(c) || strchr("-._~", c) != NULL;
}

/* A path or userinfo byte of RFC 3986 (pchar, "/" in paths). */
static int
upstream_check_chars(const char *s, size_t len, const char *extra,
    const char **why)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len ||
			    !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2])) {
				*why = "a '%' not followed by two hex digits";
				return -1;
			}
			i += 2;
			continue;
		}
		if (upstream_is_unreserved((unsigned char)s[i]) ||
		    strchr("!$&'()*+,;=", s[i]) != NULL ||
		    strchr(extra, s[i]) != NULL)
			continue;
		*why = "a character that must be percent-encoded";
		return -1;
	}
	return 0;
}

/* host[:port] of an http(s) URL. */
static int
upstream_check_host(const char *s, size_t len, const char **why)
{
	size_t i, end;
	long port;

	if (len > 0 && s[0] == '[') {
		for (end = 1; end < len && s[end] != ']'; end++)
			if (!isxdigit((unsigned char)s[end]) &&
			    s[end] != ':' && s[end] != '.') {
				*why = "a bad IPv6 address";
				return -1;
			}
		if (end == len || end == 1) {
			*why = "a bad IPv6 address";
			return -1;
		}
		end++;
	} else {
		for (end = 0; end < len && s[end] != ':'; end++)
			if (!upstream_is_unreserved((unsigned char)s[end])) {
				*why = "a bad character in the host name";
				return -1;
			}
		if (end == 0) {
			*why = "no host";
			return -1;
		}
	}
	if (end == len)
		return 0;
	if (s[end] != ':' || end + 1 == len || len - end - 1 > 5) {
		*why = "a bad port";
		return -1;
	}
	port = 0;
	for (i = end + 1; i < len; i++) {
		if (!isdigit((unsigned char)s[i])) {
			*why = "a bad port";
			return -1;
		}
		port = port * 10 + (s[i] - '0');
	}
	if (port < 1 || port > 65535) {
		*why = "a port out of range";
		return -1;
	}
	return 0;
}

/*
 * Check and normalise one proxy entry (trimmed, not a keyword) into an
 * allocated URL without trailing "/"; NULL with the reason in e.
 */
static char *
upstream_url(const char *entry, size_t len, struct err *e)
{
	const struct upstream_scheme *sc = NULL;
	char url[UPSTREAM_URL_MAX + 1], show[UPSTREAM_SHOW_MAX + 8];
	const char *why = NULL, *rest, *auth, *at, *path;
	char *copy;
	size_t i, n, slen, alen;

	upstream_show(entry, len, show, sizeof(show));
	for (i = 0; i < len; i++)
		if ((unsigned char)entry[i] <= ' ' ||
		    (unsigned char)entry[i] >= 0x7f) {
			err_set(e, E_CONFIG, "GOPROXY entry \"%s\": a space, "
			    "control character or non-ASCII byte", show);
			return NULL;
		}
	if (len > UPSTREAM_URL_MAX - strlen("https://")) {
		err_set(e, E_CONFIG, "GOPROXY entry \"%s\": longer than %zu "
		    "bytes", show, UPSTREAM_URL_MAX - strlen("https://"));
		return NULL;
	}

	/* "host/path" means "https://host/path" (a bare word does not). */
	memcpy(url, entry, len);
	url[len] = '\0';
	if (strpbrk(url, ".:/") != NULL && strstr(url, ":/") == NULL &&
	    url[0] != '/') {
		memmove(url + strlen("https://"), url, len + 1);
		memcpy(url, "https://", strlen("https://"));
	}

	/* The scheme: a letter, then letters, digits, "+", "-", "." */
	slen = 0;
	if (isalpha((unsigned char)url[0]))
		slen = strspn(url, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	if (slen == 0 || url[slen] != ':') {
		err_set(e, E_CONFIG, "GOPROXY entry \"%s\": no URL scheme%s",
		    show, url[0] == '/' ? " (a directory is file:///path)" :
		    " (not off, direct or a URL)");
		return NULL;
	}
	for (i = 0; i < slen; i++)
		url[i] = (char)tolower((unsigned char)url[i]);
	for (i = 0; i < NITEMS(upstream_schemes); i++)
		if (strlen(upstream_schemes[i].name) == slen &&
		    strncmp(url, upstream_schemes[i].name, slen) == 0)
			sc = &upstream_schemes[i];
	if (sc == NULL) {
		err_set(e, E_CONFIG, "GOPROXY entry \"%s\": the scheme must "
		    "be https, http or file", show);
		return NULL;
	}
	rest = url + slen + 1;
	if (strpbrk(rest, "?#") != NULL) {
		err_set(e, E_CONFIG, "GOPROXY entry \"%s\": a query or "
		    "fragment is not allowed", show);
		return NULL;
	}

	if (sc->is_file) {
		/* file:///path or file:/path; nothing but the path. */
		if (strncmp(rest, "//", 2) == 0) {
			if (rest[2] != '/') {
				err_set(e, E_CONFIG, "GOPROXY entry \"%s\": "
				    "a file URL is only a path (file:///path)",
				    show);
				return NULL;
			}
			path = rest + 2;
		} else if (rest[0] == '/')
			path = rest;
		else {
			err_set(e, E_CONFIG, "GOPROXY entry \"%s\": a file "
			    "URL needs an absolute path (file:///path)", show);
			return NULL;
		}
		if (upstream_check_chars(path, strlen(path), "/:@",
		    &why) == -1) {
			err_set(e, E_CONFIG, "GOPROXY entry \"%s\": %s", show,
			    why);
			return NULL;
		}
		n = strlen(path);
		while (n > 0 && path[n - 1] == '/')
			n--;
		xasprintf(&copy, "file://%.*s", (int)n, path);
		return copy;
	}

	if (strncmp(rest, "//", 2) != 0) {
		err_set(e, E_CONFIG, "GOPROXY entry \"%s\": expected \"//\" "
		    "after \"%.*s:\"", show, (int)slen, url);
		return NULL;
	}
	alen = upstream_authority(url, &auth);
	at = NULL;
	for (i = 0; i < alen; i++)
		if (auth[i] == '@')
			at = auth + i;
	if (at != NULL && !sc->creds) {
		err_set(e, E_CONFIG, "GOPROXY entry \"%s\": refusing to "
		    "send credentials over http:// (use https://)", show);
		return NULL;
	}
	if (at != NULL && upstream_check_chars(auth, (size_t)(at - auth),
	    ":", &why) == -1) {
		err_set(e, E_CONFIG, "GOPROXY entry \"%s\": user info with "
		    "%s", show, why);
		return NULL;
	}
	i = at != NULL ? (size_t)(at + 1 - auth) : 0;
	if (upstream_check_host(auth + i, alen - i, &why) == -1) {
		err_set(e, E_CONFIG, "GOPROXY entry \"%s\": %s", show, why);
		return NULL;
	}
	path = auth + alen;
	if (upstream_check_chars(path, strlen(path), "/:@", &why) == -1) {
		err_set(e, E_CONFIG, "GOPROXY entry \"%s\": %s", show, why);
		return NULL;
	}
	n = strlen(url);
	while (n > (size_t)(path - url) && url[n - 1] == '/')
		n--;
	return xstrndup(url, n);
}

/* Append one parsed entry. */
static void
upstream_add(struct upstream_list *l, enum upstream_kind kind, char *url,
    enum upstream_fall fall)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n].kind = kind;
	l->v[l->n].url = url;
	l->v[l->n].fall = fall;
	l->n++;
}

int
upstream_parse(const char *value, struct upstream_list *l, struct err *e)
{
	const struct upstream_keyword *kw;
	const char *p, *entry;
	enum upstream_fall fall;
	size_t len, i, k;
	char *url;

	l->v = NULL;
	l->n = 0;
	if (value == NULL || *value == '\0')
		return err_set(e, E_CONFIG, "empty GOPROXY list");
	if (strlen(value) > UPSTREAM_VALUE_MAX)
		return err_set(e, E_CONFIG, "GOPROXY list longer than %d bytes",
		    UPSTREAM_VALUE_MAX);
	for (p = value; *p != '\0'; p += len + (p[len] != '\0')) {
		len = strcspn(p, ",|");
		fall = p[len] == '|' ? FALL_ANY : FALL_NOTFOUND;

		/* Trim, as strings.TrimSpace (ASCII spaces). */
		entry = p;
		i = len;
		while (i > 0 && strchr(UPSTREAM_SPACE, *entry) != NULL) {
			entry++;
			i--;
		}
		while (i > 0 && strchr(UPSTREAM_SPACE, entry[i - 1]) != NULL)
			i--;
		if (i == 0)
			continue;

		kw = NULL;
		for (k = 0; k < NITEMS(upstream_keywords); k++)
			if (strlen(upstream_keywords[k].name) == i &&
			    strncmp(entry, upstream_keywords[k].name, i) == 0)
				kw = &upstream_keywords[k];
		if (kw != NULL) {
			/* "off" and "direct" end the list. */
			upstream_add(l, kw->kind, xstrdup(kw->name),
			    FALL_NOTFOUND);
			return 0;
		}
		if (l->n == UPSTREAM_ENTRIES_MAX) {
			upstream_free(l);
			return err_set(e, E_CONFIG, "GOPROXY list of more than "
			    "%d entries", UPSTREAM_ENTRIES_MAX);
		}
		if ((url = upstream_url(entry, i, e)) == NULL) {
			upstream_free(l);
			return -1;
		}
		upstream_add(l, UPSTREAM_PROXY, url, fall);
	}
	if (l->n == 0)
		return err_set(e, E_CONFIG, "GOPROXY list is not the empty "
		    "string, but contains no entries");
	return 0;
}

void
upstream_free(struct upstream_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].url);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * The list as "<url><separator>..." (entries as upstream_parse normalised
 * them, their passwords masked as upstream_redact does, "," or "|" after
 * each as given), hashed: equal spellings of one list have one scope, and
 * the index holds nothing a guessed password could be checked against.
 * One server with other credentials is the same upstream; another user
 * name is kept apart.
 */
void
upstream_scope(const struct upstream_list *l, char out[SHA256_HEX])
{
	char shown[UPSTREAM_URL_MAX + 16];
	struct buf b;
	struct err e;
	size_t i;

	buf_init(&b, (size_t)-1);
	err_clear(&e);
	for (i = 0; i < l->n; i++) {
		upstream_redact(l->v[i].url, shown, sizeof(shown));
		buf_append(&b, shown, strlen(shown), &e);
		buf_append(&b, l->v[i].fall == FALL_ANY ? "|" : ",", 1, &e);
	}
	dirhash_sha256_hex(b.data != NULL ? b.data : "", b.len, out);
	buf_free(&b);
}

int
upstream_falls(const struct upstream *u, const struct err *e)
{
	return e->code == E_NOTFOUND || e->code == E_GONE ||
	    u->fall == FALL_ANY;
}

enum upstream_walked
upstream_walk(const struct upstream_list *l, int direct_only,
    upstream_try_fn *try, void *arg, struct err *e)
{
	static char direct_name[] = "direct";
	static const struct upstream direct = { UPSTREAM_DIRECT, direct_name,
	    FALL_NOTFOUND };
	const struct upstream *u;
	size_t i;
	int rc;

	err_clear(e);
	if (direct_only)
		return try(arg, &direct, e) == 0 ? WALK_ANSWERED : WALK_FAILED;
	for (i = 0; i < l->n; i++) {
		u = &l->v[i];
		if (u->kind == UPSTREAM_OFF)
			return WALK_OFF;
		err_clear(e);
		if ((rc = try(arg, u, e)) == 0)
			return WALK_ANSWERED;
		if (rc == UPSTREAM_TRY_LAST || u->kind == UPSTREAM_DIRECT ||
		    !upstream_falls(u, e))
			return WALK_FAILED;
	}
	return WALK_FAILED;
}

int
upstream_path_escape(const char *src, char *dst, size_t dstsz)
{
	/* url.PathEscape's segment set, as the go command sends: RFC 3986
	 * unreserved, and the reserved "$&+:=@" a segment may hold. */
	static const char keep[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~$&+:=@";
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	for (; *src != '\0'; src++) {
		c = (unsigned char)*src;
		if (c != '\0' && strchr(keep, c) != NULL) {
			if (o + 1 >= dstsz)
				return -1;
			dst[o++] = (char)c;
			continue;
		}
		if (o + 3 >= dstsz)
			return -1;
		dst[o++] = '%';
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 15];
	}
	if (dstsz == 0)
		return -1;
	dst[o] = '\0';
	return 0;
}

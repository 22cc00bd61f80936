/*
 * test_upstream.c: GOPROXY lists (upstream.c).
 *
 * Each good value is checked against the list written out by hand as
 * "kind:url:fall" words (kind P proxy, D direct, O off; fall N for ",",
 * A for "|"); each bad value against the start of its message.  The
 * expectations follow cmd/go modfetch proxyList (protocol.md 3.1).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "tap.h"

static const struct good_case {
	const char	*value;
	const char	*want;
} good_cases[] = {
	{ "https://proxy.golang.org,direct",
	  "P:https://proxy.golang.org:N D:direct:N" },
	{ "https://a.example|https://b.example,direct",
	  "P:https://a.example:A P:https://b.example:N D:direct:N" },
	{ "https://a.example,https://b.example|direct",
	  "P:https://a.example:N P:https://b.example:A D:direct:N" },
	{ "off", "O:off:N" },
	{ "direct", "D:direct:N" },
	/* "off" and "direct" end the list; what follows is not parsed. */
	{ "https://a.example,off,https://b.example",
	  "P:https://a.example:N O:off:N" },
	{ "https://a.example|off", "P:https://a.example:A O:off:N" },
	{ "direct,https://b.example", "D:direct:N" },
	{ "direct|ftp://not parsed", "D:direct:N" },
	{ "off,direct", "O:off:N" },
	/* Trimming, empty entries, trailing separators. */
	{ " https://a.example/ , direct ",
	  "P:https://a.example:N D:direct:N" },
	{ "\thttps://a.example\t|\tdirect\n",
	  "P:https://a.example:A D:direct:N" },
	{ ",,https://a.example,,", "P:https://a.example:N" },
	{ "https://a.example|", "P:https://a.example:A" },
	{ "https://a.example||,https://b.example",
	  "P:https://a.example:A P:https://b.example:N" },
	{ "https://a.example,|https://b.example",
	  "P:https://a.example:N P:https://b.example:N" },
	{ " , direct", "D:direct:N" },
	/* "https://" is implied for anything host-like. */
	{ "proxy.example.com", "P:https://proxy.example.com:N" },
	{ "localhost:8080", "P:https://localhost:8080:N" },
	{ "example.com/go/", "P:https://example.com/go:N" },
	{ "[::1]:8080", "P:https://[::1]:8080:N" },
	{ "corp.example|direct", "P:https://corp.example:A D:direct:N" },
	/* Explicit schemes, normalised. */
	{ "http://10.0.0.1:3000/proxy///",
	  "P:http://10.0.0.1:3000/proxy:N" },
	{ "HTTPS://Proxy.Example.com", "P:https://Proxy.Example.com:N" },
	{ "https://a.example:65535/", "P:https://a.example:65535:N" },
	{ "https://a_b.example/p%20q/~x",
	  "P:https://a_b.example/p%20q/~x:N" },
	{ "https://a.example/go/@v:x", "P:https://a.example/go/@v:x:N" },
	{ "file:///srv/goproxy/", "P:file:///srv/goproxy:N" },
	{ "file:/srv/goproxy", "P:file:///srv/goproxy:N" },
	{ "FILE:///srv/goproxy", "P:file:///srv/goproxy:N" },
	{ "file:///", "P:file://:N" },
	{ "file:///srv/a%20b", "P:file:///srv/a%20b:N" },
	/* Credentials on https are kept (upstream_redact hides them). */
	{ "https://user:secret@proxy.example.com/go",
	  "P:https://user:secret@proxy.example.com/go:N" },
	{ "https://token@proxy.example.com",
	  "P:https://token@proxy.example.com:N" },
	{ "user:secret@proxy.example.com",
	  "P:https://user:secret@proxy.example.com:N" },
};

static const struct bad_case {
	const char	*value;
	const char	*why;		/* start of the message */
} bad_cases[] = {
	{ "", "empty GOPROXY list" },
	{ ",", "GOPROXY list is not the empty string, but contains no "
	  "entries" },
	{ "|", "GOPROXY list is not the empty string" },
	{ " , | ,", "GOPROXY list is not the empty string" },
	{ " ", "GOPROXY list is not the empty string" },
	{ "proxy", "GOPROXY entry \"proxy\": no URL scheme (not off, direct" },
	{ "DIRECT", "GOPROXY entry \"DIRECT\": no URL scheme" },
	{ "noproxy", "GOPROXY entry \"noproxy\": no URL scheme" },
	{ "/srv/goproxy", "GOPROXY entry \"/srv/goproxy\": no URL scheme "
	  "(a directory is file:///path)" },
	{ "://a.example", "GOPROXY entry \"://a.example\": no URL scheme" },
	{ "ftp://a.example", "GOPROXY entry \"ftp://a.example\": the scheme "
	  "must be https, http or file" },
	{ "a:/b", "GOPROXY entry \"a:/b\": the scheme must be" },
	{ "https://a.example,gopher://b.example", "GOPROXY entry "
	  "\"gopher://b.example\": the scheme must be" },
	{ "file://host/srv", "GOPROXY entry \"file://host/srv\": a file URL "
	  "is only a path" },
	{ "file://", "GOPROXY entry \"file://\": a file URL is only a path" },
	/* Host-like, so "https://file:srv": as the go command, a bad port. */
	{ "file:srv", "GOPROXY entry \"file:srv\": a bad port" },
	{ "file:", "GOPROXY entry \"file:\": a bad port" },
	{ "file:x:/y", "GOPROXY entry \"file:x:/y\": a file URL needs an "
	  "absolute path" },
	{ "file:///srv?x", "GOPROXY entry \"file:///srv?x\": a query or "
	  "fragment" },
	{ "https://a.example?x=1", "GOPROXY entry \"https://a.example?x=1\": "
	  "a query or fragment" },
	{ "https://a.example/#f", "GOPROXY entry \"https://a.example/#f\": "
	  "a query or fragment" },
	{ "https:/a.example", "GOPROXY entry \"https:/a.example\": expected "
	  "\"//\" after \"https:\"" },
	{ "https://", "GOPROXY entry \"https://\": no host" },
	{ "https:///path", "GOPROXY entry \"https:///path\": no host" },
	{ "https://:8080", "GOPROXY entry \"https://:8080\": no host" },
	{ "https://a.example:0", "GOPROXY entry \"https://a.example:0\": a "
	  "port out of range" },
	{ "https://a.example:65536", "GOPROXY entry "
	  "\"https://a.example:65536\": a port out of range" },
	{ "https://a.example:123456", "GOPROXY entry "
	  "\"https://a.example:123456\": a bad port" },
	{ "https://a.example:", "GOPROXY entry \"https://a.example:\": a bad "
	  "port" },
	{ "https://a.example:x1", "GOPROXY entry \"https://a.example:x1\": a "
	  "bad port" },
	{ "https://[::1", "GOPROXY entry \"https://[::1\": a bad IPv6" },
	{ "https://[]/", "GOPROXY entry \"https://[]/\": a bad IPv6" },
	{ "https://[::1]x", "GOPROXY entry \"https://[::1]x\": a bad port" },
	{ "https://a\\b.example", "GOPROXY entry \"https://a\\b.example\": a "
	  "bad character in the host name" },
	{ "https://a b.example", "GOPROXY entry \"https://a b.example\": a "
	  "space, control character or non-ASCII byte" },
	{ "https://a.example/\x01", "GOPROXY entry \"https://a.example/?\": "
	  "a space, control character" },
	{ "https://ex\xc3\xa4mple.com", "GOPROXY entry "
	  "\"https://ex??mple.com\": a space, control character or non-ASCII" },
	{ "https://a.example/%zz", "GOPROXY entry \"https://a.example/%zz\": "
	  "a '%' not followed by two hex digits" },
	{ "https://a.example/%2", "GOPROXY entry \"https://a.example/%2\": "
	  "a '%' not followed" },
	{ "https://a.example/<x>", "GOPROXY entry \"https://a.example/<x>\": "
	  "a character that must be percent-encoded" },
	{ "file:///srv/{x}", "GOPROXY entry \"file:///srv/{x}\": a character "
	  "that must be" },
	/* Credentials: refused over http, never shown. */
	{ "http://user:secret@a.example", "GOPROXY entry "
	  "\"http://xxxxx@a.example\": refusing to send credentials over "
	  "http://" },
	{ "https://user:p@ss@a.example", "GOPROXY entry "
	  "\"https://xxxxx@a.example\": user info with a character" },
	{ "https://user:secret@a.example:99999", "GOPROXY entry "
	  "\"https://xxxxx@a.example:99999\": a port out of range" },
	{ "https://user:se/cret@a.example", "GOPROXY entry "
	  "\"https://xxxxx@a.example\": a bad port" },
};

/* A test name without control characters (TAP is line-based). */
static void
tname(char *out, size_t outsz, const char *what, const char *value,
    const char *suffix)
{
	char *p;

	snprintf(out, outsz, "%s \"%s\"%s", what, value, suffix);
	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < ' ')
			*p = '?';
}

/* The list as "kind:url:fall" words. */
static void
show_list(const struct upstream_list *l, char *out, size_t outsz)
{
	static const char kinds[] = { [UPSTREAM_PROXY] = 'P',
	    [UPSTREAM_DIRECT] = 'D', [UPSTREAM_OFF] = 'O' };
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < l->n && len < outsz; i++) {
		snprintf(out + len, outsz - len, "%s%c:%s:%c",
		    i > 0 ? " " : "", kinds[l->v[i].kind],
		    l->v[i].url != NULL ? l->v[i].url : "(null)",
		    l->v[i].fall == FALL_ANY ? 'A' : 'N');
		len += strlen(out + len);
	}
}

static const struct redact_case {
	const char	*url;
	const char	*want;
} redact_cases[] = {
	{ "https://user:secret@host.example/p",
	  "https://user:xxxxx@host.example/p" },
	{ "https://user:@host.example", "https://user:xxxxx@host.example" },
	{ "https://token@host.example", "https://token@host.example" },
	{ "https://host.example/a:b@c", "https://host.example/a:b@c" },
	{ "https://host.example", "https://host.example" },
	{ "file:///srv/a:b@c", "file:///srv/a:b@c" },
	{ "direct", "direct" },
	/* redis: the whole user info may be the password. */
	{ "redis://s3cret@h.example:6379/2", "redis://xxxxx@h.example:6379/2" },
	{ "redis://u:s3cret@h.example", "redis://xxxxx@h.example" },
	{ "REDIS://s3cret@h.example", "REDIS://xxxxx@h.example" },
	{ "sentinel://s3cret@a.example,b.example/m",
	  "sentinel://xxxxx@a.example,b.example/m" },
	{ "redis://h.example:6379", "redis://h.example:6379" },
};

/* Two lists whose cached answers are (same) or are not one upstream's. */
static const struct scope_case {
	const char	*a, *b;
	int		 same;
} scope_cases[] = {
	{ "https://u:one@h.example/p", "https://u:two@h.example/p", 1 },
	{ "https://u:one@h.example/p,direct",
	  "https://u:two@h.example/p,direct", 1 },
	{ " https://h.example/p ,", "https://h.example/p", 1 },
	{ "https://u:one@h.example/p", "https://v:one@h.example/p", 0 },
	{ "https://u:one@h.example/p", "https://h.example/p", 0 },
	{ "https://u:one@h.example/p", "https://u:one@h.example/q", 0 },
	{ "https://u:one@h.example/p", "https://u:one@g.example/p", 0 },
	{ "https://a.example,https://b.example",
	  "https://a.example|https://b.example", 0 },
	{ "https://a.example,direct", "https://a.example,off", 0 },
};

int
main(void)
{
	struct upstream_list l;
	struct err e;
	char name[512], got[4096], small[16], sa[SHA256_HEX], sb[SHA256_HEX];
	char many[4096], longurl[3000];
	size_t i, len;
	int rc;

	for (i = 0; i < NITEMS(good_cases); i++) {
		const struct good_case *c = &good_cases[i];

		err_clear(&e);
		rc = upstream_parse(c->value, &l, &e);
		tname(name, sizeof(name), "parse", c->value, "");
		if (!ok(rc == 0, name))
			printf("#   error: %s\n", e.msg);
		show_list(&l, got, sizeof(got));
		tname(name, sizeof(name), "parse", c->value, ": list");
		is_str(got, c->want, name);
		upstream_free(&l);
		ok(l.v == NULL && l.n == 0, "upstream_free empties the list");
	}

	for (i = 0; i < NITEMS(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		err_clear(&e);
		rc = upstream_parse(c->value, &l, &e);
		tname(name, sizeof(name), "reject", c->value, "");
		ok(rc == -1 && e.code == E_CONFIG && l.n == 0 && l.v == NULL,
		    name);
		tname(name, sizeof(name), "reject", c->value, ": message");
		if (!ok(strncmp(e.msg, c->why, strlen(c->why)) == 0, name))
			printf("#   got: '%s'\n#   expected prefix: '%s'\n",
			    e.msg, c->why);
		tname(name, sizeof(name), "reject", c->value,
		    ": no password shown");
		ok(strstr(e.msg, "secret") == NULL &&
		    strstr(e.msg, "se/cret") == NULL &&
		    strstr(e.msg, "p@ss") == NULL, name);
		upstream_free(&l);
	}

	err_clear(&e);
	ok(upstream_parse(NULL, &l, &e) == -1 && e.code == E_CONFIG,
	    "reject NULL");

	/* 32 entries are fine, 33 are too many. */
	len = 0;
	for (i = 0; i < 33; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len,
		    "%shttps://p%zu.example", i > 0 ? "," : "", i);
	err_clear(&e);
	is_int(upstream_parse(many, &l, &e), -1, "33 entries: rejected");
	ok(strstr(e.msg, "more than 32 entries") != NULL,
	    "33 entries: message");
	*strrchr(many, ',') = '\0';
	err_clear(&e);
	is_int(upstream_parse(many, &l, &e), 0, "32 entries: accepted");
	is_int(l.n, 32, "32 entries: all kept");
	is_str(l.n == 32 ? l.v[31].url : NULL, "https://p31.example",
	    "32 entries: the last one");
	upstream_free(&l);

	/* An entry over the cap. */
	memcpy(longurl, "https://a.example/", 18);
	memset(longurl + 18, 'x', sizeof(longurl) - 19);
	longurl[sizeof(longurl) - 1] = '\0';
	err_clear(&e);
	is_int(upstream_parse(longurl, &l, &e), -1, "long entry: rejected");
	ok(strstr(e.msg, "longer than") != NULL, "long entry: message");
	longurl[2000] = '\0';
	err_clear(&e);
	is_int(upstream_parse(longurl, &l, &e), 0, "2000 bytes: accepted");
	upstream_free(&l);

	for (i = 0; i < NITEMS(redact_cases); i++) {
		upstream_redact(redact_cases[i].url, got, sizeof(got));
		snprintf(name, sizeof(name), "redact \"%s\"",
		    redact_cases[i].url);
		is_str(got, redact_cases[i].want, name);
	}
	upstream_redact("https://user:secret@h.example", small,
	    sizeof(small));
	is_str(small, "https://user:xx", "redact: truncated to the buffer");
	/* Text: each URL masked as upstream_redact masks it, separators
	 * kept; a password may hold ";" (a sub-delim), unlike the list's
	 * separators. */
	upstream_redact_text("https://u:p;w@a.example/x,  https://b.example|"
	    "direct\nkey+1 https://k:s@c.example", got, sizeof(got));
	is_str(got, "https://u:xxxxx@a.example/x,  https://b.example|direct\n"
	    "key+1 https://k:xxxxx@c.example", "redact_text: every URL");
	upstream_redact_text("https://user:secret@h.example", small,
	    sizeof(small));
	is_str(small, "https://user:xx", "redact_text: truncated to the buffer");

	for (i = 0; i < NITEMS(scope_cases); i++) {
		err_clear(&e);
		if (upstream_parse(scope_cases[i].a, &l, &e) == -1)
			break;
		upstream_scope(&l, sa);
		upstream_free(&l);
		if (upstream_parse(scope_cases[i].b, &l, &e) == -1)
			break;
		upstream_scope(&l, sb);
		upstream_free(&l);
		snprintf(name, sizeof(name), "scope \"%s\" %s \"%s\"",
		    scope_cases[i].a, scope_cases[i].same ? "==" : "!=",
		    scope_cases[i].b);
		is_int(strcmp(sa, sb) == 0, scope_cases[i].same, name);
	}
	is_int(i, NITEMS(scope_cases),
	    "every scope case parsed");
	return tap_done();
}

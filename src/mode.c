/*
 * mode.c: download modes, globally or per module (Athens' DownloadMode).
 *
 * A mode says what to do when a version is not in storage: sync (fetch,
 * store, serve), async (404 now, fetch in the background), none (404),
 * redirect (to another proxy) and async_redirect (both).  The spec is a
 * mode name, "file:PATH" or "custom:BASE64", the last two holding Athens'
 * download file (athens.md 3.1, download.example.hcl):
 *
 *	downloadURL = "https://proxy.golang.org"
 *	mode = "async_redirect"
 *	download "*.corp.example/team" {
 *		mode = "sync"
 *		downloadURL = "https://other.example"	# optional
 *	}
 *
 * It is read by a small, strict parser of the subset of HCL that file
 * uses: attributes whose values are quoted strings, "download" blocks with
 * one quoted label (multi-line, or single-line with at most one
 * attribute), and "#", "//" and slash-star comments.  Anything else is
 * an error naming the line.  Unlike Athens, the top-level mode is checked
 * too, and every redirect mode must have a URL (its block's or the
 * top-level downloadURL) when the file is loaded.
 *
 * Block labels are GOPRIVATE-style globs (pattern.c), one per block; the
 * first block that matches gives the mode.  As in Athens, the redirect URL
 * is that of the first matching block that has one, else the top-level
 * downloadURL.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"

#define MODE_FILE_MAX	(64 * 1024)	/* a download file, decoded */
#define MODE_SPEC_MAX	(128 * 1024)	/* "custom:" and base64 */
#define MODE_STRING_MAX	2048		/* one string, unescaped */
#define MODE_RULES_MAX	1024		/* download blocks */
#define MODE_SRC_SHOW	80		/* bytes of a path in messages */

static const struct mode_entry {
	const char	*name;
	enum dl_mode	 mode;
	int		 redirect;	/* needs a URL */
} mode_entries[] = {
	{ "sync", DL_SYNC, 0 },
	{ "async", DL_ASYNC, 0 },
	{ "none", DL_NONE, 0 },
	{ "redirect", DL_REDIRECT, 1 },
	{ "async_redirect", DL_ASYNC_REDIRECT, 1 },
};
#define MODE_NAMES "sync, async, none, redirect or async_redirect"

/* The attributes of the file, at the top and in blocks. */
enum { ATTR_MODE = 0, ATTR_URL, ATTR_N };
static const char *const attr_names[ATTR_N] = {
	[ATTR_MODE] = "mode",
	[ATTR_URL] = "downloadURL",
};
struct attrs {
	char	*v[ATTR_N];
	int	 line[ATTR_N];
};

enum tok_type {
	TOK_EOF = 0, TOK_NEWLINE, TOK_IDENT, TOK_STRING, TOK_EQUALS,
	TOK_LBRACE, TOK_RBRACE
};
static const char *const tok_names[] = {
	[TOK_EOF] = "end of file",
	[TOK_NEWLINE] = "newline",
	[TOK_IDENT] = "name",
	[TOK_STRING] = "string",
	[TOK_EQUALS] = "'='",
	[TOK_LBRACE] = "'{'",
	[TOK_RBRACE] = "'}'",
};

struct tok {
	enum tok_type	 type;
	int		 line;
	const char	*s;		/* TOK_IDENT: into the text */
	size_t		 len;
	char		 str[MODE_STRING_MAX + 1];	/* TOK_STRING */
};

/* The parser: the text, where it is, and what it has built. */
struct hcl {
	const char		*p;
	const char		*end;
	int			 line;
	char			 src[MODE_SRC_SHOW + 8];	/* for messages */
	struct err		*e;
	struct mode_table	*t;
	int			*rule_lines;	/* line of each block */
};

const char *
mode_name(enum dl_mode m)
{
	size_t i;

	for (i = 0; i < NITEMS(mode_entries); i++)
		if (mode_entries[i].mode == m)
			return mode_entries[i].name;
	return "unknown";
}

static const struct mode_entry *
mode_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < NITEMS(mode_entries); i++)
		if (strcmp(mode_entries[i].name, name) == 0)
			return &mode_entries[i];
	return NULL;
}

static int
mode_is_redirect(enum dl_mode m)
{
	size_t i;

	for (i = 0; i < NITEMS(mode_entries); i++)
		if (mode_entries[i].mode == m)
			return mode_entries[i].redirect;
	return 0;
}

/* Record "SRC line N: message" as the error; returns -1. */
static int PIRAEUS_ATTR_PRINTF(3, 4)
hcl_error(struct hcl *h, int line, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(h->e, E_CONFIG, "%s line %d: %s", h->src, line, msg);
}

/* Skip blanks and comments, never a newline (it ends an attribute). */
static int
hcl_skip(struct hcl *h)
{
	int start;

	while (h->p < h->end) {
		if (*h->p == ' ' || *h->p == '\t' || *h->p == '\r')
			h->p++;
		else if (*h->p == '#' || (*h->p == '/' && h->p + 1 < h->end &&
		    h->p[1] == '/')) {
			while (h->p < h->end && *h->p != '\n')
				h->p++;
		} else if (*h->p == '/' && h->p + 1 < h->end &&
		    h->p[1] == '*') {
			start = h->line;
			for (h->p += 2; ; h->p++) {
				if (h->p + 1 >= h->end)
					return hcl_error(h, start,
					    "unterminated /* comment");
				if (*h->p == '\n')
					h->line++;
				if (h->p[0] == '*' && h->p[1] == '/')
					break;
			}
			h->p += 2;
		} else
			break;
	}
	return 0;
}

/* A quoted string into t->str, the opening quote at h->p. */
static int
hcl_string(struct hcl *h, struct tok *t)
{
	static const struct { char c, out; } escapes[] = {
		{ '"', '"' }, { '\\', '\\' }, { 'n', '\n' }, { 'r', '\r' },
		{ 't', '\t' },
	};
	unsigned char c;
	size_t n = 0, i;

	for (h->p++; ; h->p++) {
		if (h->p >= h->end || *h->p == '\n')
			return hcl_error(h, t->line, "unterminated string");
		c = (unsigned char)*h->p;
		if (c == '"')
			break;
		if (n == MODE_STRING_MAX)
			return hcl_error(h, t->line, "string longer than %d "
			    "bytes", MODE_STRING_MAX);
		if ((c == '$' || c == '%') && h->p + 1 < h->end &&
		    h->p[1] == '{')
			return hcl_error(h, t->line, "template sequences "
			    "(\"${\", \"%%{\") are not supported");
		if (c < ' ' || c >= 0x7f)
			return hcl_error(h, t->line, "a control character or "
			    "non-ASCII byte in a string");
		if (c == '\\') {
			if (++h->p >= h->end)
				return hcl_error(h, t->line,
				    "unterminated string");
			for (i = 0; i < NITEMS(escapes); i++)
				if (escapes[i].c == *h->p)
					break;
			if (i == NITEMS(escapes))
				return hcl_error(h, t->line, "unsupported "
				    "escape \"\\%c\" in a string",
				    (unsigned char)*h->p >= ' ' &&
				    (unsigned char)*h->p < 0x7f ? *h->p : '?');
			c = (unsigned char)escapes[i].out;
		}
		t->str[n++] = (char)c;
	}
	h->p++;
	t->str[n] = '\0';
	return 0;
}

/* The next token into t. */
static int
hcl_next(struct hcl *h, struct tok *t)
{
	static const struct { char c; enum tok_type type; } puncts[] = {
		{ '=', TOK_EQUALS }, { '{', TOK_LBRACE }, { '}', TOK_RBRACE },
	};
	unsigned char c;
	size_t i;

	if (hcl_skip(h) == -1)
		return -1;
	t->line = h->line;
	if (h->p >= h->end) {
		t->type = TOK_EOF;
		return 0;
	}
	c = (unsigned char)*h->p;
	if (c == '\n') {
		h->p++;
		h->line++;
		t->type = TOK_NEWLINE;
		return 0;
	}
	for (i = 0; i < NITEMS(puncts); i++)
		if (puncts[i].c == (char)c) {
			h->p++;
			t->type = puncts[i].type;
			return 0;
		}
	if (c == '"') {
		t->type = TOK_STRING;
		return hcl_string(h, t);
	}
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
		t->type = TOK_IDENT;
		t->s = h->p;
		while (h->p < h->end && ((*h->p >= 'a' && *h->p <= 'z') ||
		    (*h->p >= 'A' && *h->p <= 'Z') ||
		    (*h->p >= '0' && *h->p <= '9') || *h->p == '_' ||
		    *h->p == '-'))
			h->p++;
		t->len = (size_t)(h->p - t->s);
		return 0;
	}
	if (c >= ' ' && c < 0x7f)
		return hcl_error(h, h->line, "unexpected '%c'", c);
	return hcl_error(h, h->line, "unexpected byte 0x%02x", c);
}

static int
tok_is(const struct tok *t, const char *word)
{
	return t->type == TOK_IDENT && t->len == strlen(word) &&
	    strncmp(t->s, word, t->len) == 0;
}

/* name = "value", name already read (in name), at the '='. */
static int
hcl_attr(struct hcl *h, const struct tok *name, struct attrs *a)
{
	struct tok *v;
	size_t i;
	int rc;

	for (i = 0; i < ATTR_N; i++)
		if (tok_is(name, attr_names[i]))
			break;
	if (i == ATTR_N)
		return hcl_error(h, name->line, "unknown attribute \"%.*s\" "
		    "(expected mode or downloadURL)%s", (int)(name->len > 40 ?
		    40 : name->len), name->s, tok_is(name, "url") ?
		    "; the attribute is downloadURL" : "");
	if (a->v[i] != NULL)
		return hcl_error(h, name->line, "%s set twice (first on line "
		    "%d)", attr_names[i], a->line[i]);
	v = xmalloc(sizeof(*v));
	if ((rc = hcl_next(h, v)) == 0 && v->type != TOK_STRING)
		rc = hcl_error(h, v->line, "the value of %s must be a quoted "
		    "string", attr_names[i]);
	if (rc == 0) {
		a->v[i] = xstrdup(v->str);
		a->line[i] = name->line;
	}
	free(v);
	return rc;
}

static void
attrs_free(struct attrs *a)
{
	size_t i;

	for (i = 0; i < ATTR_N; i++) {
		free(a->v[i]);
		a->v[i] = NULL;
	}
}

/*
 * A redirect target: one http(s) URL without credentials (they would go
 * to every client in the Location header), normalised by upstream_parse.
 */
static int
hcl_url(struct hcl *h, int line, const char *s, char **out)
{
	struct upstream_list l;
	struct err e;
	const char *auth;

	*out = NULL;
	if (strpbrk(s, ",|") != NULL)
		return hcl_error(h, line, "downloadURL must be one URL");
	err_clear(&e);
	if (upstream_parse(s, &l, &e) == -1)
		return hcl_error(h, line, "downloadURL: %s", e.msg);
	if (l.n != 1 || l.v[0].kind != UPSTREAM_PROXY ||
	    strncmp(l.v[0].url, "http", 4) != 0) {
		upstream_free(&l);
		return hcl_error(h, line, "downloadURL must be an https:// or "
		    "http:// URL");
	}
	auth = strstr(l.v[0].url, "://") + 3;
	if (memchr(auth, '@', strcspn(auth, "/")) != NULL) {
		upstream_free(&l);
		return hcl_error(h, line, "downloadURL must not hold "
		    "credentials (clients are redirected to it)");
	}
	*out = l.v[0].url;
	l.v[0].url = NULL;
	upstream_free(&l);
	return 0;
}

/* The mode value of an attribute set, checked. */
static int
hcl_mode(struct hcl *h, const struct attrs *a, int line, const char *what,
    enum dl_mode *m)
{
	const struct mode_entry *me;

	if (a->v[ATTR_MODE] == NULL)
		return hcl_error(h, line, "%s has no mode", what);
	if ((me = mode_lookup(a->v[ATTR_MODE])) == NULL)
		return hcl_error(h, a->line[ATTR_MODE], "unknown mode "
		    "\"%.40s\" (expected " MODE_NAMES ")", a->v[ATTR_MODE]);
	*m = me->mode;
	return 0;
}

/* After an attribute or a block: a newline, or the end of the file. */
static int
hcl_end_line(struct hcl *h, const char *after)
{
	struct tok *t;
	int rc;

	t = xmalloc(sizeof(*t));
	if ((rc = hcl_next(h, t)) == 0 && t->type != TOK_NEWLINE &&
	    t->type != TOK_EOF)
		rc = hcl_error(h, t->line, "expected a newline after %s, not "
		    "%s", after, tok_names[t->type]);
	free(t);
	return rc;
}

/* The body of download "label" { ... }; the '{' is next. */
static int
hcl_block(struct hcl *h, const char *label, int line)
{
	struct mode_table *mt = h->t;
	struct mode_rule *r;
	struct attrs a;
	struct tok *t, *t2;
	char why[ERR_MSG_MAX];
	int rc = -1, single = 0, nattr = 0;
	enum dl_mode m;
	char *url = NULL;

	memset(&a, 0, sizeof(a));
	t = xmalloc(sizeof(*t));
	t2 = xmalloc(sizeof(*t2));
	if (hcl_next(h, t) == -1)
		goto out;
	if (t->type == TOK_STRING) {
		hcl_error(h, t->line, "a download block has one label");
		goto out;
	}
	if (t->type != TOK_LBRACE) {
		hcl_error(h, t->line, "expected '{' after download \"%.40s\"",
		    label);
		goto out;
	}
	for (;;) {
		if (hcl_next(h, t) == -1)
			goto out;
		if (t->type == TOK_NEWLINE) {
			if (nattr == 0)
				single = -1;	/* multi-line block */
			continue;
		}
		if (t->type == TOK_RBRACE)
			break;
		if (t->type == TOK_EOF) {
			hcl_error(h, line, "download block not closed");
			goto out;
		}
		if (t->type != TOK_IDENT) {
			hcl_error(h, t->line, "unexpected %s in a download "
			    "block", tok_names[t->type]);
			goto out;
		}
		if (single == 0)
			single = 1;
		else if (single == 1) {
			hcl_error(h, t->line, "a single-line block has at "
			    "most one attribute");
			goto out;
		}
		if (hcl_next(h, t2) == -1)
			goto out;
		if (t2->type == TOK_STRING || t2->type == TOK_LBRACE) {
			hcl_error(h, t->line, "blocks cannot be nested");
			goto out;
		}
		if (t2->type != TOK_EQUALS) {
			hcl_error(h, t2->line, "expected '=' after \"%.*s\"",
			    (int)(t->len > 40 ? 40 : t->len), t->s);
			goto out;
		}
		if (hcl_attr(h, t, &a) == -1)
			goto out;
		nattr++;
		/* Then a newline, or the '}' of a single-line block. */
		if (hcl_next(h, t2) == -1)
			goto out;
		if (t2->type == TOK_RBRACE && single == 1)
			break;
		if (single == 1) {
			hcl_error(h, t2->line, "a single-line block ends with "
			    "'}' after its attribute, not %s",
			    tok_names[t2->type]);
			goto out;
		}
		if (t2->type != TOK_NEWLINE) {
			hcl_error(h, t2->line, "expected a newline after the "
			    "value, not %s", tok_names[t2->type]);
			goto out;
		}
	}
	if (hcl_end_line(h, "'}'") == -1)
		goto out;

	if (hcl_mode(h, &a, line, "the download block", &m) == -1)
		goto out;
	if (*label == '\0' || strcmp(label, "/") == 0 ||
	    strchr(label, ',') != NULL) {
		hcl_error(h, line, "a download label is one non-empty "
		    "pattern");
		goto out;
	}
	if (pattern_check(label, why, sizeof(why)) == -1) {
		hcl_error(h, line, "%s", why);
		goto out;
	}
	if (a.v[ATTR_URL] != NULL &&
	    hcl_url(h, a.line[ATTR_URL], a.v[ATTR_URL], &url) == -1)
		goto out;
	if (mt->n == MODE_RULES_MAX) {
		hcl_error(h, line, "more than %d download blocks",
		    MODE_RULES_MAX);
		goto out;
	}
	mt->rules = xreallocarray(mt->rules, mt->n + 1, sizeof(*mt->rules));
	h->rule_lines = xreallocarray(h->rule_lines, mt->n + 1,
	    sizeof(*h->rule_lines));
	r = &mt->rules[mt->n];
	r->pattern = xstrdup(label);
	r->mode = m;
	r->url = url;
	url = NULL;
	h->rule_lines[mt->n] = line;
	mt->n++;
	rc = 0;
out:
	free(url);
	attrs_free(&a);
	free(t);
	free(t2);
	return rc;
}

/* The whole file: top-level attributes and download blocks. */
static int
hcl_parse(struct hcl *h)
{
	struct mode_table *mt = h->t;
	struct attrs top;
	struct tok *t, *t2;
	int rc = -1;
	size_t i;

	memset(&top, 0, sizeof(top));
	t = xmalloc(sizeof(*t));
	t2 = xmalloc(sizeof(*t2));
	/* A UTF-8 byte order mark is ignored. */
	if (h->end - h->p >= 3 && memcmp(h->p, "\xef\xbb\xbf", 3) == 0)
		h->p += 3;
	for (;;) {
		if (hcl_next(h, t) == -1)
			goto out;
		if (t->type == TOK_NEWLINE)
			continue;
		if (t->type == TOK_EOF)
			break;
		if (t->type != TOK_IDENT) {
			hcl_error(h, t->line, "unexpected %s",
			    tok_names[t->type]);
			goto out;
		}
		if (hcl_next(h, t2) == -1)
			goto out;
		if (t2->type == TOK_EQUALS) {
			if (hcl_attr(h, t, &top) == -1 ||
			    hcl_end_line(h, "the value") == -1)
				goto out;
			continue;
		}
		if (t2->type == TOK_STRING || t2->type == TOK_LBRACE) {
			if (!tok_is(t, "download")) {
				hcl_error(h, t->line, "unknown block \"%.*s\" "
				    "(only download blocks)", (int)(t->len >
				    40 ? 40 : t->len), t->s);
				goto out;
			}
			if (t2->type == TOK_LBRACE) {
				hcl_error(h, t->line, "a download block needs "
				    "a quoted pattern label");
				goto out;
			}
			if (hcl_block(h, t2->str, t->line) == -1)
				goto out;
			continue;
		}
		hcl_error(h, t2->line, "expected '=' or a block after \"%.*s\"",
		    (int)(t->len > 40 ? 40 : t->len), t->s);
		goto out;
	}

	if (hcl_mode(h, &top, h->line, "the file (top level)",
	    &mt->def) == -1)
		goto out;
	if (top.v[ATTR_URL] != NULL &&
	    hcl_url(h, top.line[ATTR_URL], top.v[ATTR_URL],
	    &mt->def_url) == -1)
		goto out;
	if (mode_is_redirect(mt->def) && mt->def_url == NULL) {
		hcl_error(h, top.line[ATTR_MODE], "mode %s needs a "
		    "downloadURL", mode_name(mt->def));
		goto out;
	}
	for (i = 0; i < mt->n; i++)
		if (mode_is_redirect(mt->rules[i].mode) &&
		    mt->rules[i].url == NULL && mt->def_url == NULL) {
			hcl_error(h, h->rule_lines[i], "mode %s needs a "
			    "downloadURL (in the block or at the top level)",
			    mode_name(mt->rules[i].mode));
			goto out;
		}
	rc = 0;
out:
	attrs_free(&top);
	free(t);
	free(t2);
	return rc;
}

/* Parse a download file held in data[0..len) into t. */
static int
mode_parse(const char *src, const char *data, size_t len,
    struct mode_table *t, struct err *e)
{
	struct hcl h;
	int rc;

	memset(&h, 0, sizeof(h));
	h.p = data;
	h.end = data + len;
	h.line = 1;
	h.e = e;
	h.t = t;
	snprintf(h.src, sizeof(h.src), "%s", src);
	rc = hcl_parse(&h);
	free(h.rule_lines);
	return rc;
}

/*
 * Decode standard base64 (padded, as Go's base64.StdEncoding; "\r" and
 * "\n" are skipped) into b, at most MODE_FILE_MAX bytes.
 */
static int
mode_base64(const char *s, struct buf *b, struct err *e)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char quad[4], out[3];
	const char *p, *q;
	size_t n = 0, pad = 0, i;

	buf_init(b, MODE_FILE_MAX);
	if (buf_append(b, "", 0, e) == -1)
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n')
			continue;
		if (pad > 0 && *p != '=')
			goto bad;
		if (*p == '=') {
			if (n < 2)
				goto bad;
			pad++;
			quad[n++] = 0;
		} else {
			if ((q = strchr(alphabet, *p)) == NULL)
				goto bad;
			quad[n++] = (unsigned char)(q - alphabet);
		}
		if (n < 4)
			continue;
		out[0] = (unsigned char)(quad[0] << 2 | quad[1] >> 4);
		out[1] = (unsigned char)(quad[1] << 4 | quad[2] >> 2);
		out[2] = (unsigned char)(quad[2] << 6 | quad[3]);
		if (pad > 2)
			goto bad;
		if (buf_append(b, out, 3 - pad, e) == -1) {
			buf_free(b);
			return -1;
		}
		n = 0;
		if (pad > 0)
			break;
	}
	if (*p != '\0') {
		/* Only newlines may follow the padding. */
		for (p++; *p != '\0'; p++)
			if (*p != '\r' && *p != '\n')
				goto bad;
	}
	if (n != 0)
		goto bad;
	return 0;
bad:
	i = (size_t)(p - s);
	buf_free(b);
	return err_set(e, E_CONFIG, "custom: invalid base64 at byte %zu", i);
}

/* Read the download file at path (absolute) into b, capped. */
static int
mode_read(const char *path, struct buf *b, struct err *e)
{
	struct err e2;
	struct stat st;
	int fd, rc;

	buf_init(b, MODE_FILE_MAX);
	if (*path != '/')
		return err_set(e, E_CONFIG, "file:%.*s: the path must be "
		    "absolute", MODE_SRC_SHOW, path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return err_errno(e, E_CONFIG, "download file %.*s",
		    MODE_SRC_SHOW, path);
	if (fstat(fd, &st) == -1) {
		close(fd);
		return err_errno(e, E_CONFIG, "download file %.*s",
		    MODE_SRC_SHOW, path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, E_CONFIG, "download file %.*s: not a "
		    "regular file", MODE_SRC_SHOW, path);
	}
	if (st.st_size > MODE_FILE_MAX) {
		close(fd);
		return err_set(e, E_CONFIG, "download file %.*s: larger than "
		    "%d bytes", MODE_SRC_SHOW, path, MODE_FILE_MAX);
	}
	err_clear(&e2);
	rc = buf_read_fd(b, fd, MODE_FILE_MAX, &e2);
	close(fd);
	if (rc == -1)
		return err_set(e, E_CONFIG, "download file %.*s: %s",
		    MODE_SRC_SHOW, path, e2.msg);
	return 0;
}

int
mode_load(const char *spec, struct mode_table *t, struct err *e)
{
	const struct mode_entry *me;
	struct buf b;
	char src[MODE_SRC_SHOW + 8];
	int rc;

	memset(t, 0, sizeof(*t));
	if (spec == NULL || *spec == '\0')
		return err_set(e, E_CONFIG, "empty download mode (expected "
		    MODE_NAMES ", file:PATH or custom:BASE64)");
	if (strncmp(spec, "file:", 5) == 0) {
		if (mode_read(spec + 5, &b, e) == -1)
			return -1;
		snprintf(src, sizeof(src), "%.*s", MODE_SRC_SHOW, spec + 5);
	} else if (strncmp(spec, "custom:", 7) == 0) {
		if (strlen(spec) > MODE_SPEC_MAX)
			return err_set(e, E_CONFIG, "custom: longer than %d "
			    "bytes", MODE_SPEC_MAX);
		if (mode_base64(spec + 7, &b, e) == -1)
			return -1;
		snprintf(src, sizeof(src), "custom");
	} else {
		if ((me = mode_lookup(spec)) == NULL)
			return err_set(e, E_CONFIG, "unknown download mode "
			    "\"%.40s\" (expected " MODE_NAMES ", file:PATH "
			    "or custom:BASE64)", spec);
		if (me->redirect)
			return err_set(e, E_CONFIG, "download mode %s needs a "
			    "downloadURL: give it in a file: or custom: "
			    "download file", me->name);
		t->def = me->mode;
		return 0;
	}
	rc = mode_parse(src, b.data, b.len, t, e);
	buf_free(&b);
	if (rc == -1)
		mode_free(t);
	return rc;
}

enum dl_mode
mode_for(const struct mode_table *t, const char *module, const char **url)
{
	enum dl_mode m = t->def;
	const char *u = NULL;
	size_t i;
	int found = 0;

	for (i = 0; i < t->n && (!found || u == NULL); i++) {
		if (!pattern_match(t->rules[i].pattern, module))
			continue;
		if (!found) {
			m = t->rules[i].mode;
			found = 1;
		}
		if (u == NULL)
			u = t->rules[i].url;
	}
	if (u == NULL)
		u = t->def_url;
	if (url != NULL)
		*url = mode_is_redirect(m) ? u : NULL;
	return m;
}

void
mode_free(struct mode_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->rules[i].pattern);
		free(t->rules[i].url);
	}
	free(t->rules);
	free(t->def_url);
	memset(t, 0, sizeof(*t));
}

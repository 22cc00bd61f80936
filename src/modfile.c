/*
 * modfile.c: the parts of a go.mod file a proxy needs: the retract
 * directives (protocol.md section 6), the require directives (the
 * module graph prefetch walks) and, of a main module's go.mod, the
 * replace and exclude directives (which change that graph).
 *
 * The whole file is tokenized and parsed with the grammar of
 * golang.org/x/mod/modfile (read.go), so that blocks of other directives
 * (require, replace, exclude, tool, godebug...) are skipped exactly as the
 * go command skips them and "//" inside a quoted string is not a comment.
 * Lexical and structural errors fail the whole file, as in Go.  Retract
 * arguments are checked strictly (modfile.Parse, not ParseLax): a bad
 * version or interval is an error, not an ignored line.  Versions are
 * stored canonical (module.CanonicalVersion): "v1.2" becomes "v1.2.0".
 *
 * Everything works on (data, len) with explicit bounds: the input need not
 * be NUL-terminated and may contain anything.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"

#define MODFILE_RETRACT_MAX	10000	/* retractions in one go.mod */
#define MODFILE_REQUIRE_MAX	10000	/* requirements in one go.mod */
#define MODFILE_REPLACE_MAX	10000	/* replacements in one go.mod */
#define MODFILE_EXCLUDE_MAX	10000	/* exclusions in one go.mod */
#define MODFILE_ARGS_MAX	8	/* tokens kept per retract line */
#define MODFILE_SHOW_MAX	40	/* bytes of a token in a message */


enum modfile_tok {
	TOK_EOF = 0,
	TOK_NL,		/* '\n' */
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_LBRACK,
	TOK_RBRACK,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_COMMA,
	TOK_IDENT,
	TOK_STRING,	/* "..." or `...`, quotes included */
	TOK_COMMENT,	/* a comment alone on its line */
	TOK_EOLCOMMENT	/* a comment after a token; ends the line */
};

/* Single-byte punctuation tokens. */
static const struct {
	char		 c;
	enum modfile_tok kind;
} modfile_punct[] = {
	{ '\n', TOK_NL },
	{ '(', TOK_LPAREN },
	{ ')', TOK_RPAREN },
	{ '[', TOK_LBRACK },
	{ ']', TOK_RBRACK },
	{ '{', TOK_LBRACE },
	{ '}', TOK_RBRACE },
	{ ',', TOK_COMMA },
};

/* Simple escapes of Go's strconv.Unquote in a "..." string. */
static const struct {
	char	 c;
	char	 value;
} modfile_escapes[] = {
	{ 'a', '\a' },
	{ 'b', '\b' },
	{ 'f', '\f' },
	{ 'n', '\n' },
	{ 'r', '\r' },
	{ 't', '\t' },
	{ 'v', '\v' },
	{ '\\', '\\' },
	{ '"', '"' },
};

struct modfile_token {
	enum modfile_tok kind;
	const char	*text;		/* into the input */
	size_t		 len;
	size_t		 line;
};

struct modfile_lexer {
	const char	*p;		/* next unread byte */
	const char	*end;
	size_t		 line;		/* line of p, from 1 */
	int		 seen;		/* a token seen on this line */
	struct modfile_token next;	/* the lookahead */
	struct err	*e;
	int		 failed;
};

/* The retract and require directives found so far. */
struct modfile_result {
	struct retraction *r;
	size_t		 n;
	size_t		 cap;
	struct modfile_require *q;
	size_t		 nq;
	size_t		 capq;
	struct modfile_replace *rp;
	size_t		 nrp;
	size_t		 caprp;
	struct modfile_require *x;	/* exclusions */
	size_t		 nx;
	size_t		 capx;
	int		 requires;	/* collect requires (else skipped) */
	int		 main;		/* collect replace and exclude too */
};

/* The directives whose arguments are kept. */
enum modfile_verb {
	VERB_OTHER = 0, VERB_RETRACT, VERB_REQUIRE, VERB_REPLACE,
	VERB_EXCLUDE
};

/* The tokens of one line that matter: the first MODFILE_ARGS_MAX. */
struct modfile_line {
	struct modfile_token tok[MODFILE_ARGS_MAX];
	size_t		 n;		/* may be > MODFILE_ARGS_MAX */
};

static int
modfile_fail(struct modfile_lexer *lx, size_t line, const char *what)
{
	lx->failed = 1;
	return err_set(lx->e, E_BADREQ, "go.mod:%zu: %s", line, what);
}

/* Go's isIdent for one byte; bytes of non-ASCII runes are accepted. */
static int
modfile_is_ident(unsigned char c)
{
	if (c >= 0x80)
		return 1;
	if (c <= ' ' || c == 0x7f)
		return 0;
	return strchr("()[]{},", c) == NULL;
}

static int
modfile_prefix(const struct modfile_lexer *lx, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(lx->end - lx->p) >= n && memcmp(lx->p, s, n) == 0;
}

static void
modfile_set(struct modfile_lexer *lx, enum modfile_tok kind,
    const char *start, size_t line)
{
	lx->next.kind = kind;
	lx->next.text = start;
	lx->next.len = (size_t)(lx->p - start);
	lx->next.line = line;
}

/* Read a quoted string starting at lx->p (the quote). */
static int
modfile_lex_string(struct modfile_lexer *lx)
{
	const char *start = lx->p;
	size_t line = lx->line;
	char quote = *lx->p++;
	char c;

	for (;;) {
		if (lx->p == lx->end)
			return modfile_fail(lx, line,
			    "unexpected EOF in string");
		if (*lx->p == '\n')
			return modfile_fail(lx, line,
			    "unexpected newline in string");
		c = *lx->p++;
		if (c == quote)
			break;
		if (c == '\\' && quote != '`') {
			if (lx->p == lx->end)
				return modfile_fail(lx, line,
				    "unexpected EOF in string");
			/* As Go, an escaped newline is swallowed. */
			if (*lx->p++ == '\n')
				lx->line++;
		}
	}
	modfile_set(lx, TOK_STRING, start, line);
	lx->seen = 1;
	return 0;
}

/* Read the next token into lx->next (the lexer of modfile/read.go). */
static int
modfile_lex_read(struct modfile_lexer *lx)
{
	const char *start;
	size_t i;
	unsigned char c;
	int alone;

	while (lx->p < lx->end) {
		c = (unsigned char)*lx->p;
		if (c == ' ' || c == '\t' || c == '\r') {
			lx->p++;
			continue;
		}
		if (modfile_prefix(lx, "//")) {
			start = lx->p;
			alone = !lx->seen;
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
			if (lx->p < lx->end)
				lx->p++;	/* the comment owns its \n */
			modfile_set(lx, alone ? TOK_COMMENT : TOK_EOLCOMMENT,
			    start, lx->line);
			lx->line++;
			lx->seen = 0;
			return 0;
		}
		if (modfile_prefix(lx, "/*"))
			return modfile_fail(lx, lx->line,
			    "mod files must use // comments (not /* */)");
		break;
	}
	start = lx->p;
	if (lx->p == lx->end) {
		modfile_set(lx, TOK_EOF, start, lx->line);
		return 0;
	}
	c = (unsigned char)*lx->p;
	for (i = 0; i < NITEMS(modfile_punct); i++) {
		if (modfile_punct[i].c != (char)c)
			continue;
		lx->p++;
		modfile_set(lx, modfile_punct[i].kind, start, lx->line);
		if (c == '\n') {
			lx->line++;
			lx->seen = 0;
		} else
			lx->seen = 1;
		return 0;
	}
	if (c == '"' || c == '`')
		return modfile_lex_string(lx);
	if (!modfile_is_ident(c))
		return modfile_fail(lx, lx->line, "unexpected input character");
	while (lx->p < lx->end && modfile_is_ident((unsigned char)*lx->p)) {
		if (modfile_prefix(lx, "//"))
			break;
		if (modfile_prefix(lx, "/*"))
			return modfile_fail(lx, lx->line,
			    "mod files must use // comments (not /* */)");
		lx->p++;
	}
	modfile_set(lx, TOK_IDENT, start, lx->line);
	lx->seen = 1;
	return 0;
}

/* Return the lookahead in *t and read the one after it. */
static int
modfile_lex(struct modfile_lexer *lx, struct modfile_token *t)
{
	*t = lx->next;
	if (t->kind == TOK_EOF)
		return 0;
	return modfile_lex_read(lx);
}

static enum modfile_tok
modfile_peek(const struct modfile_lexer *lx)
{
	return lx->next.kind;
}

static int
modfile_is_eol(enum modfile_tok kind)
{
	return kind == TOK_EOF || kind == TOK_NL || kind == TOK_EOLCOMMENT;
}

static void
modfile_line_add(struct modfile_line *l, const struct modfile_token *t)
{
	if (l->n < MODFILE_ARGS_MAX)
		l->tok[l->n] = *t;
	l->n++;
}

static int
modfile_is_word(const struct modfile_token *t, const char *word)
{
	return t->kind == TOK_IDENT && t->len == strlen(word) &&
	    memcmp(t->text, word, t->len) == 0;
}

/*
 * Read n hex digits (or octal when base is 8) at s[*i] into *v.  The
 * caller has checked that they are inside the string.
 */
static int
modfile_digits(const char *s, size_t *i, size_t n, int base, unsigned long *v)
{
	int d;

	*v = 0;
	for (; n > 0; n--, (*i)++) {
		d = hex_digit((unsigned char)s[*i]);
		if (d < 0 || d >= base)
			return -1;
		*v = *v * (unsigned long)base + (unsigned long)d;
	}
	return 0;
}

/*
 * Decode one escape at s[*i] (just after the backslash) of a string whose
 * content ends at len; *out gets the byte, or 0x80 standing for any
 * non-ASCII rune (no version may contain one).
 */
static int
modfile_unescape(const char *s, size_t len, size_t *i, unsigned char *out)
{
	static const struct {
		char	 c;
		size_t	 n;
		int	 base;
		unsigned long max;
	} numeric[] = {
		{ 'x', 2, 16, 0xff },
		{ 'u', 4, 16, 0x10ffff },
		{ 'U', 8, 16, 0x10ffff },
	};
	unsigned long v;
	size_t k;
	char c;

	c = s[(*i)++];
	for (k = 0; k < NITEMS(modfile_escapes); k++) {
		if (modfile_escapes[k].c == c) {
			*out = (unsigned char)modfile_escapes[k].value;
			return 0;
		}
	}
	if (c >= '0' && c <= '7') {
		(*i)--;
		if (len - *i < 3 || modfile_digits(s, i, 3, 8, &v) != 0 ||
		    v > 0xff)
			return -1;
		*out = v < 0x80 ? (unsigned char)v : 0x80;
		return 0;
	}
	for (k = 0; k < NITEMS(numeric); k++) {
		if (numeric[k].c != c)
			continue;
		if (len - *i < numeric[k].n ||
		    modfile_digits(s, i, numeric[k].n, 16, &v) != 0 ||
		    v > numeric[k].max || (v >= 0xd800 && v <= 0xdfff &&
		    c != 'x'))
			return -1;
		*out = v < 0x80 ? (unsigned char)v : 0x80;
		return 0;
	}
	return -1;
}

/*
 * The string value of a retract argument (modfile parseString): a "..."
 * token is unquoted; any other token may not contain a quote character.
 */
static int
modfile_string(struct modfile_lexer *lx, const struct modfile_token *t,
    char *out, size_t outsz)
{
	const char *s;
	size_t i, len, o = 0;
	unsigned char c;

	if (t->kind == TOK_STRING && t->text[0] == '"') {
		s = t->text + 1;
		len = t->len - 2;
		for (i = 0; i < len; ) {
			c = (unsigned char)s[i++];
			if (c == '\\' && modfile_unescape(s, len, &i, &c) != 0)
				return modfile_fail(lx, t->line,
				    "invalid quoted string");
			if (o + 1 >= outsz)
				return modfile_fail(lx, t->line,
				    "argument too long");
			out[o++] = (char)c;
		}
		out[o] = '\0';
		return 0;
	}
	for (i = 0; i < t->len; i++) {
		if (strchr("\"'`", t->text[i]) != NULL)
			return modfile_fail(lx, t->line,
			    "unquoted string cannot contain quote");
	}
	if (t->len >= outsz)
		return modfile_fail(lx, t->line, "argument too long");
	memcpy(out, t->text, t->len);
	out[t->len] = '\0';
	return 0;
}

/* One version argument, canonical, into out (VERSION_MAX bytes). */
static int
modfile_version(struct modfile_lexer *lx, const struct modfile_token *t,
    const char *verb, char *out)
{
	char raw[VERSION_MAX], show[MODFILE_SHOW_MAX + 1];
	size_t i;

	if (t->kind != TOK_IDENT && t->kind != TOK_STRING)
		return modfile_fail(lx, t->line, "expected version");
	if (modfile_string(lx, t, raw, sizeof(raw)) != 0)
		return -1;
	if (semver_canonical(raw, 1, out, VERSION_MAX) != 0) {
		/* Quote at most MODFILE_SHOW_MAX printable ASCII bytes. */
		for (i = 0; i < MODFILE_SHOW_MAX && raw[i] != '\0'; i++)
			show[i] = raw[i] >= 0x20 && raw[i] < 0x7f ?
			    raw[i] : '?';
		show[i] = '\0';
		lx->failed = 1;
		return err_set(lx->e, E_BADREQ, "go.mod:%zu: %s: invalid "
		    "version \"%s\": must be of the form v1.2.3", t->line,
		    verb, show);
	}
	return 0;
}

/*
 * The arguments of one retract (modfile parseVersionInterval): "v" or
 * "[ low , high ]" and nothing after.
 */
static int
modfile_retract(struct modfile_lexer *lx, const struct modfile_line *l,
    size_t first, size_t line, struct modfile_result *res)
{
	static const enum modfile_tok shape[] = {
		TOK_LBRACK, TOK_IDENT, TOK_COMMA, TOK_IDENT, TOK_RBRACK
	};
	const struct modfile_token *a = l->tok + first;
	size_t n = l->n - first, used, i;
	struct retraction r;

	if (n == 0 || a[0].kind == TOK_LPAREN)
		return modfile_fail(lx, line,
		    "retract: expected '[' or version");
	if (a[0].kind != TOK_LBRACK) {
		if (modfile_version(lx, &a[0], "retract", r.low) != 0)
			return -1;
		memcpy(r.high, r.low, sizeof(r.high));
		used = 1;
	} else {
		for (i = 1; i < NITEMS(shape); i++) {
			if (i >= n)
				return modfile_fail(lx, line,
				    "retract: unterminated interval");
			if (shape[i] == TOK_IDENT)
				continue;	/* versions checked below */
			if (a[i].kind != shape[i])
				return modfile_fail(lx, a[i].line,
				    shape[i] == TOK_COMMA ?
				    "retract: expected ',' after version" :
				    "retract: expected ']' after version");
		}
		if (modfile_version(lx, &a[1], "retract", r.low) != 0 ||
		    modfile_version(lx, &a[3], "retract", r.high) != 0)
			return -1;
		used = NITEMS(shape);
	}
	if (n > used)
		return modfile_fail(lx, line,
		    "retract: unexpected token after version");

	if (res->n == MODFILE_RETRACT_MAX) {
		lx->failed = 1;
		return err_set(lx->e, E_TOOBIG, "go.mod:%zu: more than %d "
		    "retractions", line, MODFILE_RETRACT_MAX);
	}
	if (res->n == res->cap) {
		res->cap = res->cap ? res->cap * 2 : 8;
		res->r = xreallocarray(res->r, res->cap, sizeof(*res->r));
	}
	res->r[res->n++] = r;
	return 0;
}

/*
 * The arguments of one require or exclude (modfile parseRequire in
 * Parse, not ParseLax): exactly a module path and a version, valid
 * semver, kept canonical.  The path is the caller's to check (Go checks
 * it on use).
 */
static int
modfile_require(struct modfile_lexer *lx, const struct modfile_line *l,
    size_t first, size_t line, int exclude, struct modfile_result *res)
{
	const char *verb = exclude ? "exclude" : "require";
	const struct modfile_token *a = l->tok + first;
	struct modfile_require q, **list = exclude ? &res->x : &res->q;
	size_t *n = exclude ? &res->nx : &res->nq;
	size_t *cap = exclude ? &res->capx : &res->capq;

	if (l->n - first != 2)
		return modfile_fail(lx, line, exclude ?
		    "usage: exclude module/path v1.2.3" :
		    "usage: require module/path v1.2.3");
	if ((a[0].kind != TOK_IDENT && a[0].kind != TOK_STRING) ||
	    modfile_string(lx, &a[0], q.path, sizeof(q.path)) != 0)
		return modfile_fail(lx, line, exclude ?
		    "exclude: invalid module path" :
		    "require: invalid module path");
	if (modfile_version(lx, &a[1], verb, q.version) != 0)
		return -1;
	if (*n == (exclude ? MODFILE_EXCLUDE_MAX : MODFILE_REQUIRE_MAX)) {
		lx->failed = 1;
		return err_set(lx->e, E_TOOBIG, "go.mod:%zu: more than %d "
		    "%s directives", line, exclude ? MODFILE_EXCLUDE_MAX :
		    MODFILE_REQUIRE_MAX, verb);
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*list = xreallocarray(*list, *cap, sizeof(**list));
	}
	(*list)[(*n)++] = q;
	return 0;
}

/* Go's modfile.IsDirectoryPath: a replacement that is a directory, in
 * the path syntaxes of every system. */
static int
modfile_is_dir(const char *s)
{
	static const char *const prefix[] = {
		"./", ".\\", "../", "..\\", "/", "\\"
	};
	size_t i;

	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 1;
	for (i = 0; i < NITEMS(prefix); i++)
		if (strncmp(s, prefix[i], strlen(prefix[i])) == 0)
			return 1;
	return ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))
	    && s[1] == ':';
}

/* Whether token t is exactly the bytes "=>" (Go compares the raw
 * argument: a quoted "=>" is not the arrow). */
static int
modfile_is_arrow(const struct modfile_token *t)
{
	return t->kind == TOK_IDENT && t->len == 2 &&
	    memcmp(t->text, "=>", 2) == 0;
}

/*
 * The arguments of one replace (modfile parseReplace): "old [v] => new
 * v" (a module) or "old [v] => dir" (a directory: no version).
 */
static int
modfile_replace(struct modfile_lexer *lx, const struct modfile_line *l,
    size_t first, size_t line, struct modfile_result *res)
{
	const struct modfile_token *a = l->tok + first;
	size_t n = l->n - first, arrow;
	struct modfile_replace r;

	memset(&r, 0, sizeof(r));
	arrow = n >= 2 && modfile_is_arrow(&a[1]) ? 1 : 2;
	if (n < arrow + 2 || n > arrow + 3 || !modfile_is_arrow(&a[arrow]))
		return modfile_fail(lx, line, "usage: replace module/path "
		    "[v1.2.3] => other/module v1.4 or => ../local/directory");
	if ((a[0].kind != TOK_IDENT && a[0].kind != TOK_STRING) ||
	    modfile_string(lx, &a[0], r.old_path, sizeof(r.old_path)) != 0)
		return modfile_fail(lx, line, "replace: invalid module path");
	if (arrow == 2 && modfile_version(lx, &a[1], "replace",
	    r.old_version) != 0)
		return -1;
	if ((a[arrow + 1].kind != TOK_IDENT &&
	    a[arrow + 1].kind != TOK_STRING) || modfile_string(lx,
	    &a[arrow + 1], r.new_path, sizeof(r.new_path)) != 0)
		return modfile_fail(lx, line, "replace: invalid replacement");
	if (n == arrow + 2) {
		if (!modfile_is_dir(r.new_path))
			return modfile_fail(lx, line, strchr(r.new_path, '@') ?
			    "replacement module must match format 'path "
			    "version', not 'path@version'" : "replacement "
			    "module without version must be directory path "
			    "(rooted or starting with . or ..)");
		if (strchr(r.new_path, '\\') != NULL)
			return modfile_fail(lx, line, "replacement directory "
			    "appears to be Windows path (on a non-windows "
			    "system)");
	} else {
		if (modfile_version(lx, &a[arrow + 2], "replace",
		    r.new_version) != 0)
			return -1;
		if (modfile_is_dir(r.new_path))
			return modfile_fail(lx, line, "replacement module "
			    "directory path cannot have version");
	}
	if (res->nrp == MODFILE_REPLACE_MAX) {
		lx->failed = 1;
		return err_set(lx->e, E_TOOBIG, "go.mod:%zu: more than %d "
		    "replace directives", line, MODFILE_REPLACE_MAX);
	}
	if (res->nrp == res->caprp) {
		res->caprp = res->caprp ? res->caprp * 2 : 16;
		res->rp = xreallocarray(res->rp, res->caprp, sizeof(*res->rp));
	}
	res->rp[res->nrp++] = r;
	return 0;
}

/* The arguments of one line of verb v from token first on. */
static int
modfile_args(struct modfile_lexer *lx, enum modfile_verb v,
    const struct modfile_line *l, size_t first, size_t line,
    struct modfile_result *res)
{
	switch (v) {
	case VERB_RETRACT:
		return modfile_retract(lx, l, first, line, res);
	case VERB_REQUIRE:
	case VERB_EXCLUDE:
		return modfile_require(lx, l, first, line, v == VERB_EXCLUDE,
		    res);
	case VERB_REPLACE:
		return modfile_replace(lx, l, first, line, res);
	case VERB_OTHER:
		break;
	}
	return 0;
}

/* Read the rest of a line inside a block (modfile parseLine). */
static int
modfile_block_line(struct modfile_lexer *lx, struct modfile_line *l)
{
	struct modfile_token t;

	l->n = 0;
	for (;;) {
		if (modfile_lex(lx, &t) != 0)
			return -1;
		if (modfile_is_eol(t.kind))
			return 0;
		modfile_line_add(l, &t);
	}
}

/* The lines of a block up to its ")" (modfile parseLineBlock). */
static int
modfile_block(struct modfile_lexer *lx, enum modfile_verb verb, size_t start,
    struct modfile_result *res)
{
	struct modfile_line l;
	struct modfile_token t;

	for (;;) {
		switch (modfile_peek(lx)) {
		case TOK_EOLCOMMENT:
		case TOK_NL:
		case TOK_COMMENT:
			if (modfile_lex(lx, &t) != 0)
				return -1;
			break;
		case TOK_EOF:
			lx->failed = 1;
			return err_set(lx->e, E_BADREQ, "go.mod:%zu: syntax "
			    "error (unterminated block started at line %zu)",
			    lx->next.line, start);
		case TOK_RPAREN:
			if (modfile_lex(lx, &t) != 0)
				return -1;
			if (!modfile_is_eol(modfile_peek(lx)))
				return modfile_fail(lx, t.line, "syntax error "
				    "(expected newline after closing paren)");
			return modfile_lex(lx, &t);
		default:
			if (modfile_block_line(lx, &l) != 0)
				return -1;
			if (modfile_args(lx, verb, &l, 0, l.tok[0].line,
			    res) != 0)
				return -1;
			break;
		}
	}
}

/*
 * One top-level statement (modfile parseStmt): a line, or "verb (" and a
 * block.  Only a block headed by exactly "retract" holds retractions,
 * only one headed by exactly "require" requirements.
 */
static int
modfile_stmt(struct modfile_lexer *lx, struct modfile_result *res)
{
	struct modfile_line l;
	struct modfile_token t, rp;
	enum modfile_verb verb;

	l.n = 0;
	if (modfile_lex(lx, &t) != 0)
		return -1;
	modfile_line_add(&l, &t);
	verb = modfile_is_word(&t, "retract") ? VERB_RETRACT :
	    res->requires && modfile_is_word(&t, "require") ?
	    VERB_REQUIRE : res->main && modfile_is_word(&t, "replace") ?
	    VERB_REPLACE : res->main && modfile_is_word(&t, "exclude") ?
	    VERB_EXCLUDE : VERB_OTHER;
	for (;;) {
		if (modfile_lex(lx, &t) != 0)
			return -1;
		if (modfile_is_eol(t.kind))
			break;
		if (t.kind != TOK_LPAREN) {
			modfile_line_add(&l, &t);
			continue;
		}
		if (modfile_is_eol(modfile_peek(lx))) {
			if (verb != VERB_OTHER && l.n != 1)
				return modfile_fail(lx, t.line,
				    "unknown block type");
			return modfile_block(lx, verb, l.tok[0].line, res);
		}
		if (modfile_peek(lx) != TOK_RPAREN) {
			modfile_line_add(&l, &t);	/* a "(" mid-line */
			continue;
		}
		if (modfile_lex(lx, &rp) != 0)
			return -1;
		if (modfile_is_eol(modfile_peek(lx))) {
			/* An empty block "verb ( )". */
			if (verb != VERB_OTHER && l.n != 1)
				return modfile_fail(lx, t.line,
				    "unknown block type");
			return modfile_lex(lx, &t);
		}
		modfile_line_add(&l, &t);
		modfile_line_add(&l, &rp);
	}
	return modfile_args(lx, verb, &l, 1, l.tok[0].line, res);
}

/* Parse the whole of data into res (allocated lists; requires, replaces
 * and excludes only when asked, else their lines are skipped as before);
 * 0, or -1 and e. */
static int
modfile_parse(const char *data, size_t len, int requires, int main,
    struct modfile_result *res, struct err *e)
{
	struct modfile_lexer lx;
	struct modfile_token t;

	memset(res, 0, sizeof(*res));
	res->requires = requires;
	res->main = main;
	if (len > GOMOD_MAX)
		return err_set(e, E_TOOBIG, "go.mod larger than %d bytes",
		    GOMOD_MAX);
	if (data == NULL)
		data = "";
	memset(&lx, 0, sizeof(lx));
	lx.p = data;
	lx.end = data + len;
	lx.line = 1;
	lx.e = e;

	if (modfile_lex_read(&lx) != 0)
		goto fail;
	for (;;) {
		switch (modfile_peek(&lx)) {
		case TOK_EOF:
			return 0;
		case TOK_NL:
		case TOK_COMMENT:
			if (modfile_lex(&lx, &t) != 0)
				goto fail;
			break;
		default:
			if (modfile_stmt(&lx, res) != 0)
				goto fail;
			break;
		}
	}
fail:
	if (!lx.failed)
		err_set(e, E_INTERNAL, "go.mod: parse failed");
	free(res->r);
	free(res->q);
	free(res->rp);
	free(res->x);
	memset(res, 0, sizeof(*res));
	return -1;
}

int
modfile_retractions(const char *data, size_t len, struct retraction **out,
    size_t *n, struct err *e)
{
	struct modfile_result res;

	if (modfile_parse(data, len, 0, 0, &res, e) == -1)
		return -1;
	free(res.q);
	*out = res.r;
	*n = res.n;
	return 0;
}

int
modfile_requires(const char *data, size_t len, struct modfile_require **out,
    size_t *n, struct err *e)
{
	struct modfile_result res;

	if (modfile_parse(data, len, 1, 0, &res, e) == -1)
		return -1;
	free(res.r);
	*out = res.q;
	*n = res.nq;
	return 0;
}

int
modfile_main_parse(const char *data, size_t len, struct modfile_main *m,
    struct err *e)
{
	struct modfile_result res;

	memset(m, 0, sizeof(*m));
	if (modfile_parse(data, len, 1, 1, &res, e) == -1)
		return -1;
	free(res.r);
	m->req = res.q;
	m->nreq = res.nq;
	m->rep = res.rp;
	m->nrep = res.nrp;
	m->exc = res.x;
	m->nexc = res.nx;
	return 0;
}

void
modfile_main_free(struct modfile_main *m)
{
	free(m->req);
	free(m->rep);
	free(m->exc);
	memset(m, 0, sizeof(*m));
}

int
modfile_is_retracted(const struct retraction *r, size_t n,
    const char *version)
{
	size_t i;

	if (version == NULL || !semver_valid(version))
		return 0;
	for (i = 0; i < n; i++) {
		if (semver_compare(r[i].low, version) <= 0 &&
		    semver_compare(version, r[i].high) <= 0)
			return 1;
	}
	return 0;
}

/*
 * test_modfile.c: unit tests for modfile.c (retract directives of go.mod).
 *
 * A table of go.mod bodies, each with the retractions expected as text
 * ("[low,high] ...") or the error code expected, following the grammar of
 * golang.org/x/mod/modfile (read.go, rule.go).  Then modfile_is_retracted,
 * the caps, and every prefix and many byte mutations of a busy go.mod
 * parsed from exact-size heap copies, so a sanitizer build catches any
 * read past the end.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "tap.h"

#define SHOW_MAX	1024
#define MUTATIONS	3000

static const struct {
	const char	*desc;
	const char	*body;
	size_t		 len;		/* 0: strlen(body) */
	const char	*want;		/* NULL: must fail */
	enum errc	 code;
} cases[] = {
	/* No retractions. */
	{ "empty", "", 0, "", E_OK },
	{ "module only", "module example.com/m\n", 0, "", E_OK },
	{ "comments and blank lines", "// hello\n\n  // x\n\n", 0, "", E_OK },
	{ "empty retract block", "retract (\n)\n", 0, "", E_OK },
	{ "empty retract block inline", "retract ( )\n", 0, "", E_OK },
	{ "empty retract block, no space", "retract ()\n", 0, "", E_OK },
	{ "empty block with comments", "retract (\n// only a comment\n\n)\n",
	  0, "", E_OK },

	/* Single versions and intervals. */
	{ "single", "retract v1.0.0\n", 0, "[v1.0.0,v1.0.0]", E_OK },
	{ "interval", "retract [v1.0.0, v1.0.5]\n", 0, "[v1.0.0,v1.0.5]",
	  E_OK },
	{ "interval without spaces", "retract [v1.0.0,v1.0.5]\n", 0,
	  "[v1.0.0,v1.0.5]", E_OK },
	{ "interval with odd spacing", "retract\t[ v1.0.0 ,\tv1.0.5 ]  \n",
	  0, "[v1.0.0,v1.0.5]", E_OK },
	{ "no final newline", "retract v1.0.0", 0, "[v1.0.0,v1.0.0]", E_OK },
	{ "CRLF", "module m\r\n\r\nretract (\r\n\tv1.0.0\r\n\t[v1.1.0, "
	  "v1.2.0]\r\n)\r\n", 0, "[v1.0.0,v1.0.0] [v1.1.0,v1.2.0]", E_OK },
	{ "rationale comment", "retract v1.0.0 // published too early\n", 0,
	  "[v1.0.0,v1.0.0]", E_OK },
	{ "comment with brackets", "retract v1.0.0 // not [v9.0.0, v9.9.9]\n",
	  0, "[v1.0.0,v1.0.0]", E_OK },
	{ "comment glued to version", "retract v1.0.0//why\n", 0,
	  "[v1.0.0,v1.0.0]", E_OK },
	{ "comment after interval", "retract [v1.0.0, v1.0.1]// x\n", 0,
	  "[v1.0.0,v1.0.1]", E_OK },
	{ "block", "module example.com/m\n\nretract (\n\tv1.0.0 // bad\n"
	  "\t[v1.1.0, v1.2.0] // worse\n)\n", 0,
	  "[v1.0.0,v1.0.0] [v1.1.0,v1.2.0]", E_OK },
	{ "block with comments and blanks",
	  "retract ( // why\n\n\t// v9.9.9 is a comment\n\tv1.0.0\n\n"
	  "\t[v1.1.0,v1.1.1]\n\t// trailing\n)\n", 0,
	  "[v1.0.0,v1.0.0] [v1.1.0,v1.1.1]", E_OK },
	{ "paren followed by comment at EOF", "retract (\nv1.0.0\n) // end",
	  0, "[v1.0.0,v1.0.0]", E_OK },
	{ "several directives accumulate", "retract v1.0.0\nretract (\n"
	  "\tv1.1.0\n)\nretract [v1.2.0, v1.3.0]\n", 0,
	  "[v1.0.0,v1.0.0] [v1.1.0,v1.1.0] [v1.2.0,v1.3.0]", E_OK },
	{ "self-retracting v1.0.1",
	  "module example.com/retract\n\ngo 1.16\n\n"
	  "// v1.0.0 is broken; v1.0.1 only retracts.\n"
	  "retract [v1.0.0, v1.0.1]\n", 0, "[v1.0.0,v1.0.1]", E_OK },
	{ "prerelease", "retract v1.0.0-rc.1\n", 0,
	  "[v1.0.0-rc.1,v1.0.0-rc.1]", E_OK },
	{ "pseudo-version", "retract v0.0.0-20200101000000-abcdefabcdef\n", 0,
	  "[v0.0.0-20200101000000-abcdefabcdef,"
	  "v0.0.0-20200101000000-abcdefabcdef]", E_OK },

	/* Versions are made canonical (module.CanonicalVersion). */
	{ "short version", "retract v1.2\n", 0, "[v1.2.0,v1.2.0]", E_OK },
	{ "major only", "retract [v1, v2]\n", 0, "[v1.0.0,v2.0.0]", E_OK },
	{ "build metadata dropped", "retract v1.0.0+meta\n", 0,
	  "[v1.0.0,v1.0.0]", E_OK },
	{ "+incompatible kept", "retract v2.0.0+incompatible\n", 0,
	  "[v2.0.0+incompatible,v2.0.0+incompatible]", E_OK },

	/* Quoted strings. */
	{ "double-quoted version", "retract \"v1.0.0\"\n", 0,
	  "[v1.0.0,v1.0.0]", E_OK },
	{ "double-quoted interval", "retract [\"v1.0.0\", \"v1.1.0\"]\n", 0,
	  "[v1.0.0,v1.1.0]", E_OK },
	{ "escapes in a quoted version", "retract \"\\x76\\u0031.\\060.0\"\n",
	  0, "[v1.0.0,v1.0.0]", E_OK },
	{ "// in a quoted string is not a comment",
	  "replace example.com/a => \"example.com/b//c\" v1.0.0\n"
	  "require example.com/x \"v1.0.0\" // \"odd\n"
	  "retract v1.0.1\n", 0, "[v1.0.1,v1.0.1]", E_OK },
	{ "( and ) in quoted strings", "require (\n\tx \"(\" // )\n"
	  "\ty \")\"\n)\nretract v1.0.2\n", 0, "[v1.0.2,v1.0.2]", E_OK },
	{ "backquotes in other directives",
	  "require example.com/x `v1.0.0 // ( [`\nretract v1.0.3\n", 0,
	  "[v1.0.3,v1.0.3]", E_OK },
	{ "escaped quote in a string", "require x \"a\\\"b // c\"\n"
	  "retract v1.0.4\n", 0, "[v1.0.4,v1.0.4]", E_OK },

	/* Other directives and their blocks are skipped. */
	{ "a full go.mod",
	  "// Deprecated: use example.com/n.\n"
	  "module example.com/m\n\ngo 1.22\n\ntoolchain go1.22.1\n\n"
	  "godebug (\n\tdefault=go1.21\n\tpanicnil=1\n)\n\n"
	  "require (\n\tgolang.org/x/mod v0.14.0\n"
	  "\tgolang.org/x/sys v0.1.0 // indirect\n)\n\n"
	  "require example.com/other v1.2.3\n\n"
	  "replace (\n\texample.com/a v1.0.0 => ../a\n"
	  "\texample.com/b => example.com/c v1.1.0\n)\n\n"
	  "exclude (\n\texample.com/x v1.0.0\n)\n\n"
	  "tool (\n\texample.com/m/cmd/gen\n)\n\n"
	  "ignore ./testdata\n\n"
	  "retract (\n\tv1.0.0 // oops\n\t[v1.1.0, v1.1.9]\n)\n", 0,
	  "[v1.0.0,v1.0.0] [v1.1.0,v1.1.9]", E_OK },
	{ "retract inside a require block is a module path",
	  "require (\n\tretract v9.9.9\n)\n", 0, "", E_OK },
	{ "retract as an argument", "require retract v1.0.0\n", 0, "",
	  E_OK },
	{ "unknown directives and blocks",
	  "future thing [a, b] {c}\nfuture (\n\tx y z ( ]\n)\n"
	  "two words (\n\ta\n)\nretract v1.0.5\n", 0,
	  "[v1.0.5,v1.0.5]", E_OK },
	{ "quoted verb is not retract", "\"retract\" v1.0.0\n", 0, "", E_OK },
	{ "capitalised verb is not retract", "Retract v1.0.0\n", 0, "",
	  E_OK },
	{ "non-ASCII in other directives",
	  "module example.com/m\n// caf\xc3\xa9\nrequire \xc3\xa9 v1.0.0\n"
	  "retract v1.0.6\n", 0, "[v1.0.6,v1.0.6]", E_OK },

	/* Malformed retractions. */
	{ "retract without argument", "retract\n", 0, NULL, E_BADREQ },
	{ "retract with only a comment", "retract // why\n", 0, NULL,
	  E_BADREQ },
	{ "invalid version", "retract foo\n", 0, NULL, E_BADREQ },
	{ "version without v", "retract 1.0.0\n", 0, NULL, E_BADREQ },
	{ "two versions", "retract v1.0.0 v1.0.1\n", 0, NULL, E_BADREQ },
	{ "one-version interval", "retract [v1.0.0]\n", 0, NULL, E_BADREQ },
	{ "unterminated interval", "retract [v1.0.0, v1.0.1\n", 0, NULL,
	  E_BADREQ },
	{ "interval without comma", "retract [v1.0.0 v1.0.1]\n", 0, NULL,
	  E_BADREQ },
	{ "interval without high", "retract [v1.0.0, ]\n", 0, NULL,
	  E_BADREQ },
	{ "bracket only", "retract [\n", 0, NULL, E_BADREQ },
	{ "open interval", "retract [v1.0.0, v1.0.1)\n", 0, NULL, E_BADREQ },
	{ "token after interval", "retract [v1.0.0,v1.0.1] x\n", 0, NULL,
	  E_BADREQ },
	{ "invalid version in a block", "retract (\n\tv1.0.0\n\tbad\n)\n", 0,
	  NULL, E_BADREQ },
	{ "parens on one line", "retract ( v1.0.0 )\n", 0, NULL, E_BADREQ },
	{ "two-token retract block", "retract v1.0.0 (\n)\n", 0, NULL,
	  E_BADREQ },
	{ "backquoted version", "retract `v1.0.0`\n", 0, NULL, E_BADREQ },
	{ "single-quoted version", "retract 'v1.0.0'\n", 0, NULL, E_BADREQ },
	{ "quote inside a version", "retract v1.0\"0\n", 0, NULL, E_BADREQ },
	{ "bad escape in a quoted version", "retract \"v1.0.0\\q\"\n", 0,
	  NULL, E_BADREQ },
	{ "short \\x escape", "retract \"v1.0.0\\x4\"\n", 0, NULL, E_BADREQ },
	{ "non-ASCII escape in a version", "retract \"v1.0.0-\\u00e9\"\n", 0,
	  NULL, E_BADREQ },
	{ "quoted version with a comment inside",
	  "retract \"v1.0.0 // x\"\n", 0, NULL, E_BADREQ },
	{ "long version", "retract v1.0.0-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "\n", 0, NULL, E_BADREQ },

	/* Lexical and structural errors anywhere fail the file. */
	{ "unterminated retract block", "retract (\n\tv1.0.0\n", 0, NULL,
	  E_BADREQ },
	{ "unterminated require block", "require (\n\tx v1.0.0\n", 0, NULL,
	  E_BADREQ },
	{ "text after closing paren", "retract (\n\tv1.0.0\n) x\n", 0, NULL,
	  E_BADREQ },
	{ "block comment", "module m\n/* no */\n", 0, NULL, E_BADREQ },
	{ "block comment glued to a word", "module m/*x*/\n", 0, NULL,
	  E_BADREQ },
	{ "unterminated string", "retract \"v1.0.0", 0, NULL, E_BADREQ },
	{ "newline in string", "require x \"v1\nretract v1.0.0\n", 0, NULL,
	  E_BADREQ },
	{ "unterminated raw string", "require x `v1\n", 0, NULL, E_BADREQ },
	{ "backslash at EOF in string", "require x \"v1\\", 0, NULL,
	  E_BADREQ },
	{ "NUL byte", "retract v1.0.0\0\n", 16, NULL, E_BADREQ },
	{ "control character", "module m\x01\n", 0, NULL, E_BADREQ },
	{ "form feed", "module m\n\f\n", 0, NULL, E_BADREQ },
	{ "DEL", "module \x7f\n", 0, NULL, E_BADREQ },
};

/* The retractions as "[low,high] [low,high]". */
static void
show(const struct retraction *r, size_t n, char *out, size_t outsz)
{
	size_t i, len = 0;
	int w;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		w = snprintf(out + len, outsz - len, "%s[%s,%s]",
		    i > 0 ? " " : "", r[i].low, r[i].high);
		if (w < 0 || (size_t)w >= outsz - len)
			return;
		len += (size_t)w;
	}
}

/* Parse from an exact-size heap copy so overreads are caught. */
static int
parse_copy(const char *body, size_t len, struct retraction **r, size_t *n,
    struct err *e)
{
	char *copy;
	int rv;

	copy = xmalloc(len > 0 ? len : 1);
	memcpy(copy, body, len);
	rv = modfile_retractions(copy, len, r, n, e);
	free(copy);
	return rv;
}

static void
test_table(void)
{
	struct retraction *r;
	struct err e;
	char got[SHOW_MAX];
	size_t i, n, len;
	int rv;

	for (i = 0; i < NITEMS(cases); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].body);
		err_clear(&e);
		r = NULL;
		n = 12345;
		rv = parse_copy(cases[i].body, len, &r, &n, &e);
		if (cases[i].want != NULL) {
			if (rv != 0)
				printf("# %s\n", e.msg);
			if (rv == 0)
				show(r, n, got, sizeof(got));
			is_str(rv == 0 ? got : "(failed)", cases[i].want,
			    cases[i].desc);
			free(r);
		} else {
			ok(rv == -1 && n == 12345 && r == NULL &&
			    e.code == cases[i].code && e.msg[0] != '\0',
			    cases[i].desc);
			printf("# %s: %s\n", cases[i].desc, e.msg);
		}
	}
}

static void
test_is_retracted(void)
{
	static const char gomod[] =
	    "module example.com/m\n\nretract (\n\tv1.0.0\n"
	    "\t[v1.1.0, v1.2.0] // a range\n\tv2.0.0+incompatible\n)\n";
	static const struct {
		const char	*version;
		int		 want;
	} vcases[] = {
		{ "v1.0.0", 1 },
		{ "v1.0.0+meta", 1 },
		{ "v1.0", 1 },
		{ "v0.9.9", 0 },
		{ "v1.0.1", 0 },
		{ "v1.0.0-rc.1", 0 },
		{ "v1.1.0-pre", 0 },
		{ "v1.1.0", 1 },
		{ "v1.1.5", 1 },
		{ "v1.2.0-pre", 1 },
		{ "v1.2.0", 1 },
		{ "v1.2.1", 0 },
		{ "v2.0.0+incompatible", 1 },
		{ "v2.0.1+incompatible", 0 },
		{ "garbage", 0 },
		{ "", 0 },
		{ "1.0.0", 0 },
	};
	/* A v1.0.1 that retracts v1.0.0 and itself (golang/go#42648). */
	static const char self[] = "module example.com/m\n\n"
	    "retract [v1.0.0, v1.0.1] // v1.0.1 retracts itself\n";
	struct retraction *r = NULL;
	struct err e;
	size_t i, n = 0;

	err_clear(&e);
	if (!ok(modfile_retractions(gomod, strlen(gomod), &r, &n, &e) == 0 &&
	    n == 3, "parse for is_retracted"))
		return;
	for (i = 0; i < NITEMS(vcases); i++) {
		is_int(modfile_is_retracted(r, n, vcases[i].version),
		    vcases[i].want, vcases[i].version);
	}
	is_int(modfile_is_retracted(r, 0, "v1.0.0"), 0, "no retractions");
	is_int(modfile_is_retracted(r, n, NULL), 0, "NULL version");
	free(r);

	r = NULL;
	err_clear(&e);
	ok(modfile_retractions(self, strlen(self), &r, &n, &e) == 0 && n == 1,
	    "parse self-retracting go.mod");
	is_int(modfile_is_retracted(r, n, "v1.0.1"), 1, "v1.0.1 retracted");
	is_int(modfile_is_retracted(r, n, "v1.0.0"), 1, "v1.0.0 retracted");
	is_int(modfile_is_retracted(r, n, "v1.0.2"), 0, "v1.0.2 is not");
	is_int(modfile_is_retracted(r, n, "v0.9.0"), 0, "v0.9.0 is not");
	free(r);
}

/* Many retractions and an oversized body are refused. */
static void
test_caps(void)
{
	static const char line[] = "retract v1.0.0\n";
	struct retraction *r = NULL;
	struct err e;
	char *body;
	size_t i, n = 0, len = sizeof(line) - 1;
	const size_t many = 10000;

	body = xmalloc((many + 1) * len);
	for (i = 0; i < many + 1; i++)
		memcpy(body + i * len, line, len);
	err_clear(&e);
	ok(modfile_retractions(body, many * len, &r, &n, &e) == 0 &&
	    n == many, "10000 retractions are accepted");
	free(r);
	r = NULL;
	err_clear(&e);
	ok(modfile_retractions(body, (many + 1) * len, &r, &n, &e) == -1 &&
	    e.code == E_TOOBIG, "10001 retractions are refused");
	free(body);

	body = xmalloc((size_t)GOMOD_MAX + 1);
	memset(body, '\n', (size_t)GOMOD_MAX + 1);
	err_clear(&e);
	ok(modfile_retractions(body, (size_t)GOMOD_MAX, &r, &n, &e) == 0 &&
	    n == 0, "a go.mod of GOMOD_MAX bytes is read");
	free(r);
	r = NULL;
	err_clear(&e);
	ok(modfile_retractions(body, (size_t)GOMOD_MAX + 1, &r, &n, &e) == -1 &&
	    e.code == E_TOOBIG, "a go.mod over GOMOD_MAX is refused");
	free(body);
}

/*
 * Every prefix and many random mutations of a busy go.mod: the parser
 * returns 0 or -1 with a message, never more than it read.
 */
static void
test_hostile(void)
{
	static const char busy[] =
	    "module example.com/m // c\n\ngo 1.21\n"
	    "require (\n\tx \"v1.0.0\" // \"q\"\n\ty `raw // (`\n)\n"
	    "retract (\n\tv1.0.0 // a\n\t[v1.1.0, \"v1.2.0\"]\n)\n"
	    "retract [v2.0.0+incompatible,v2.1.0+incompatible]\n"
	    "replace a => b v1.0.0\n";
	static const char alphabet[] = "()[]{},\"`\\/*\n\r\t v1.0x\x01\xc3";
	struct retraction *r;
	struct err e;
	char buf[sizeof(busy)];
	size_t i, n, len = sizeof(busy) - 1, bad = 0, okay = 0;
	uint32_t x = 2024;
	int rv;

	for (i = 0; i <= len; i++) {
		r = NULL;
		err_clear(&e);
		rv = parse_copy(busy, i, &r, &n, &e);
		if (rv == 0)
			okay++;
		else if (rv != -1 || e.msg[0] == '\0' || r != NULL)
			bad++;
		free(r);
	}
	ok(bad == 0, "every prefix parses or fails cleanly");
	ok(okay > 10 && okay < len, "some prefixes parse, some do not");

	r = NULL;
	err_clear(&e);
	rv = parse_copy(busy, len, &r, &n, &e);
	show(r, rv == 0 ? n : 0, buf, sizeof(buf));
	is_str(buf, "[v1.0.0,v1.0.0] [v1.1.0,v1.2.0] "
	    "[v2.0.0+incompatible,v2.1.0+incompatible]", "the busy go.mod");
	free(r);

	bad = 0;
	for (i = 0; i < MUTATIONS; i++) {
		memcpy(buf, busy, len);
		x = x * 1103515245 + 12345;
		buf[(x >> 8) % len] = alphabet[(x >> 20) %
		    (sizeof(alphabet) - 1)];
		x = x * 1103515245 + 12345;
		if (x & 0x100)
			buf[(x >> 8) % len] = (char)(x >> 24);
		r = NULL;
		err_clear(&e);
		rv = parse_copy(buf, (x >> 4) % 2 ? len : (x >> 9) % len, &r,
		    &n, &e);
		if (rv == -1 ? e.msg[0] == '\0' || r != NULL : rv != 0)
			bad++;
		free(r);
	}
	ok(bad == 0, "mutated go.mod files parse or fail cleanly");
}

/* modfile_requires: "path version" pairs of every require, in order,
 * from both forms; errors fail the file. */
static void
test_requires(void)
{
	static const struct {
		const char	*name;
		const char	*gomod;
		const char	*want;	/* "path@version " each, or NULL */
	} rcases[] = {
		{ "none", "module example.com/m\n\ngo 1.21\n", "" },
		{ "single", "module m\nrequire example.com/a v1.2.3\n",
		  "example.com/a@v1.2.3 " },
		{ "block, comments, indirect",
		  "module m\n\nrequire (\n\t// a comment\n"
		  "\texample.com/a v1.0.0\n\n"
		  "\texample.com/b/v2 v2.1.0 // indirect\n)\n"
		  "require example.com/c v0.0.0-20230316120000-0123456789ab\n",
		  "example.com/a@v1.0.0 example.com/b/v2@v2.1.0 "
		  "example.com/c@v0.0.0-20230316120000-0123456789ab " },
		{ "quoted path, +incompatible kept",
		  "require \"example.com/q\" v3.0.0+incompatible\n",
		  "example.com/q@v3.0.0+incompatible " },
		{ "short version made canonical",
		  "require example.com/a v1.2\n", "example.com/a@v1.2.0 " },
		{ "other blocks skipped",
		  "replace (\n\texample.com/a => ../a\n)\n"
		  "exclude example.com/a v1.0.0\n"
		  "retract v1.0.0\nrequire example.com/r v1.0.0\n",
		  "example.com/r@v1.0.0 " },
		{ "require inside another block is not one",
		  "tool (\n\trequire\n)\n", "" },
		{ "bad version", "require example.com/a 1.0\n", NULL },
		{ "three arguments", "require example.com/a v1.0.0 x\n", NULL },
		{ "one argument", "require (\n\texample.com/a\n)\n", NULL },
		{ "two-token block", "require x (\n)\n", NULL },
		{ "unterminated block", "require (\n\tex.com/a v1.0.0\n",
		  NULL },
	};
	static const char badreq[] = "require a 1.0\nretract v1.0.0\n";
	struct modfile_require *q;
	struct retraction *r;
	char got[1024];
	struct err e;
	size_t i, k, n, len;
	int rc;

	for (i = 0; i < NITEMS(rcases); i++) {
		err_clear(&e);
		q = NULL;
		n = 0;
		rc = modfile_requires(rcases[i].gomod, strlen(rcases[i].gomod),
		    &q, &n, &e);
		if (rcases[i].want == NULL) {
			ok(rc == -1 && e.code == E_BADREQ && q == NULL,
			    rcases[i].name);
			continue;
		}
		got[0] = '\0';
		for (k = 0, len = 0; rc == 0 && k < n; k++)
			len += (size_t)snprintf(got + len, sizeof(got) - len,
			    "%s@%s ", q[k].path, q[k].version);
		free(q);
		if (!ok(rc == 0 && strcmp(got, rcases[i].want) == 0,
		    rcases[i].name))
			printf("#   got '%s' (%s)\n", got, e.msg);
	}
	/* A bad require does not fail the retractions (as before). */
	err_clear(&e);
	r = NULL;
	ok(modfile_retractions(badreq, strlen(badreq), &r, &n, &e) == 0 &&
	    n == 1, "a bad require leaves retractions readable");
	free(r);
}

/* modfile_main_parse: require, replace and exclude of a main go.mod, in
 * the forms and with the errors of modfile parseReplace. */
static void
test_main(void)
{
	static const struct {
		const char	*name;
		const char	*gomod;
		const char	*want;	/* "R a@v", "X a@v", "P a[@v]>b[@v]" */
	} mcases[] = {
		{ "none", "module m\n", "" },
		{ "module replace, exclude, require",
		  "module m\nrequire example.com/a v1.0.0\n"
		  "replace example.com/a => example.com/fork v1.0.0\n"
		  "exclude example.com/b v1.1.0\n",
		  "R example.com/a@v1.0.0 P example.com/a>example.com/fork@"
		  "v1.0.0 X example.com/b@v1.1.0 " },
		{ "versioned left, short versions canonical",
		  "replace example.com/a v1.2 => example.com/b v1.0\n",
		  "P example.com/a@v1.2.0>example.com/b@v1.0.0 " },
		{ "directories: relative, rooted; blocks",
		  "replace (\n\texample.com/a => ../a\n"
		  "\texample.com/b v1.0.0 => ./b // c\n"
		  "\texample.com/c => /abs/c\n)\n"
		  "exclude (\n\texample.com/d v1.0.0\n"
		  "\texample.com/d v1.0.1\n)\n",
		  "P example.com/a>../a P example.com/b@v1.0.0>./b "
		  "P example.com/c>/abs/c X example.com/d@v1.0.0 "
		  "X example.com/d@v1.0.1 " },
		{ "quoted paths", "replace \"example.com/a\" => "
		  "\"example.com/b\" v1.0.0\n",
		  "P example.com/a>example.com/b@v1.0.0 " },
		{ "a module without version", "replace a => b\n", NULL },
		{ "path@version form", "replace a => b@v1.0.0\n", NULL },
		{ "a directory with a version", "replace a => ./b v1.0.0\n",
		  NULL },
		{ "no arrow", "replace a v1.0.0 b v1.0.0\n", NULL },
		{ "quoted arrow is no arrow",
		  "replace a \"=>\" b v1.0.0\n", NULL },
		{ "too many", "replace a v1.0.0 => b v1.0.0 x\n", NULL },
		{ "bad replacement version", "replace a => b 1.0\n", NULL },
		{ "exclude without version", "exclude a\n", NULL },
		{ "exclude bad version", "exclude a v1.0.0.0\n", NULL },
		{ "windows directory", "replace a => ..\\\\b\n", NULL },
	};
	struct modfile_main m;
	char got[1024];
	struct err e;
	size_t i, k, len;
	int rc;

	for (i = 0; i < NITEMS(mcases); i++) {
		err_clear(&e);
		rc = modfile_main_parse(mcases[i].gomod,
		    strlen(mcases[i].gomod), &m, &e);
		if (mcases[i].want == NULL) {
			if (!ok(rc == -1 && e.code == E_BADREQ &&
			    m.rep == NULL && m.nrep == 0, mcases[i].name))
				printf("#   rc %d (%s)\n", rc, e.msg);
			continue;
		}
		got[0] = '\0';
		len = 0;
		for (k = 0; rc == 0 && k < m.nreq; k++)
			len += (size_t)snprintf(got + len, sizeof(got) - len,
			    "R %s@%s ", m.req[k].path, m.req[k].version);
		for (k = 0; rc == 0 && k < m.nrep; k++)
			len += (size_t)snprintf(got + len, sizeof(got) - len,
			    "P %s%s%s>%s%s%s ", m.rep[k].old_path,
			    *m.rep[k].old_version ? "@" : "",
			    m.rep[k].old_version, m.rep[k].new_path,
			    *m.rep[k].new_version ? "@" : "",
			    m.rep[k].new_version);
		for (k = 0; rc == 0 && k < m.nexc; k++)
			len += (size_t)snprintf(got + len, sizeof(got) - len,
			    "X %s@%s ", m.exc[k].path, m.exc[k].version);
		modfile_main_free(&m);
		if (!ok(rc == 0 && strcmp(got, mcases[i].want) == 0,
		    mcases[i].name))
			printf("#   got '%s' (%s)\n", got, e.msg);
	}
}

int
main(void)
{
	test_table();
	test_is_retracted();
	test_caps();
	test_hostile();
	test_requires();
	test_main();
	return tap_done();
}

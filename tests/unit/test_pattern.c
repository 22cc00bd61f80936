/*
 * test_pattern.c: GOPRIVATE-style patterns (pattern.c).
 *
 * The glob vectors are those of Go's src/path/match_test.go and the list
 * vectors those of golang.org/x/mod module_test.go TestMatchPrefixPatterns;
 * the rest are cases of protocol.md 3.7 and of malformed patterns.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "piraeus.h"
#include "tap.h"

/* path.Match: 1 match, 0 no match, -1 ErrBadPattern. */
static const struct glob_case {
	const char	*pattern;
	const char	*name;
	int		 want;
} glob_cases[] = {
	{ "abc", "abc", 1 },
	{ "*", "abc", 1 },
	{ "*c", "abc", 1 },
	{ "a*", "a", 1 },
	{ "a*", "abc", 1 },
	{ "a*", "ab/c", 0 },
	{ "a*/b", "abc/b", 1 },
	{ "a*/b", "a/c/b", 0 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/f", 1 },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/f", 1 },
	{ "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0 },
	{ "a*b*c*d*e*/f", "axbxcxdxexxx/fff", 0 },
	{ "a*b?c*x", "abxbbxdbxebxczzx", 1 },
	{ "a*b?c*x", "abxbbxdbxebxczzy", 0 },
	{ "ab[c]", "abc", 1 },
	{ "ab[b-d]", "abc", 1 },
	{ "ab[e-g]", "abc", 0 },
	{ "ab[^c]", "abc", 0 },
	{ "ab[^b-d]", "abc", 0 },
	{ "ab[^e-g]", "abc", 1 },
	{ "a\\*b", "a*b", 1 },
	{ "a\\*b", "ab", 0 },
	{ "a?b", "a\xe2\x98\xba" "b", 1 },		/* U+263A */
	{ "a[^a]b", "a\xe2\x98\xba" "b", 1 },
	{ "a???b", "a\xe2\x98\xba" "b", 0 },
	{ "a[^a][^a][^a]b", "a\xe2\x98\xba" "b", 0 },
	{ "[a-\xce\xb6]*", "\xce\xb1", 1 },		/* [a-zeta], alpha */
	{ "*[a-\xce\xb6]", "A", 0 },
	{ "a?b", "a/b", 0 },
	{ "a*b", "a/b", 0 },
	{ "[\\]a]", "]", 1 },
	{ "[\\-]", "-", 1 },
	{ "[x\\-]", "x", 1 },
	{ "[x\\-]", "-", 1 },
	{ "[x\\-]", "z", 0 },
	{ "[\\-x]", "x", 1 },
	{ "[\\-x]", "-", 1 },
	{ "[\\-x]", "a", 0 },
	{ "[]a]", "]", -1 },
	{ "[-]", "-", -1 },
	{ "[x-]", "x", -1 },
	{ "[x-]", "-", -1 },
	{ "[x-]", "z", -1 },
	{ "[-x]", "x", -1 },
	{ "[-x]", "-", -1 },
	{ "[-x]", "a", -1 },
	{ "\\", "a", -1 },
	{ "[a-b-c]", "a", -1 },
	{ "[", "a", -1 },
	{ "[^", "a", -1 },
	{ "[^bc", "a", -1 },
	{ "a[", "a", -1 },
	{ "a[", "ab", -1 },
	{ "a[", "x", -1 },
	{ "a/b[", "x", -1 },
	{ "*x", "xxx", 1 },
	/* Beyond match_test.go. */
	{ "", "", 1 },
	{ "", "a", 0 },
	{ "*", "", 1 },
	{ "?", "", 0 },
	{ "a\\", "a", -1 },
	{ "*\\", "a", -1 },
	{ "x*[", "y", -1 },		/* bad rest found after a mismatch */
	{ "[\xff]", "a", -1 },		/* invalid UTF-8 in a class */
	{ "?", "\xff", 1 },		/* one invalid byte is one rune */
	{ "*.corp.example.com", "git.corp.example.com", 1 },
	{ "*", "a/b", 0 },
	{ "*/*", "a/b", 1 },
	{ "**/b", "a/b", 1 },
	{ "a[/]b", "a/b", 1 },		/* only "*" and "?" stop at "/" */
};

/* MatchPrefixPatterns. */
static const struct list_case {
	const char	*globs;
	const char	*target;
	int		 want;
} list_cases[] = {
	/* golang.org/x/mod module_test.go */
	{ "", "rsc.io/quote", 0 },
	{ "/", "rsc.io/quote", 0 },
	{ "*/quote", "rsc.io/quote", 1 },
	{ "*/quo", "rsc.io/quote", 0 },
	{ "*/quo??", "rsc.io/quote", 1 },
	{ "*/quo*", "rsc.io/quote", 1 },
	{ "*quo*", "rsc.io/quote", 0 },
	{ "rsc.io", "rsc.io/quote", 1 },
	{ "*.io", "rsc.io/quote", 1 },
	{ "rsc.io/", "rsc.io/quote", 1 },
	{ "rsc", "rsc.io/quote", 0 },
	{ "rsc*", "rsc.io/quote", 1 },
	{ "rsc.io", "rsc.io/quote/v3", 1 },
	{ "*/quote", "rsc.io/quote/v3", 1 },
	{ "*/quote/", "rsc.io/quote/v3", 1 },
	{ "*/quote/*", "rsc.io/quote/v3", 1 },
	{ "*/quote/*/", "rsc.io/quote/v3", 1 },
	{ "*/v3", "rsc.io/quote/v3", 0 },
	{ "*/*/v3", "rsc.io/quote/v3", 1 },
	{ "*/*/*", "rsc.io/quote/v3", 1 },
	{ "*/*/*/", "rsc.io/quote/v3", 1 },
	{ "*/*/*", "rsc.io/quote", 0 },
	{ "*/*/*/", "rsc.io/quote", 0 },
	{ "*/*/*,,", "rsc.io/quote", 0 },
	{ "*/*/*,,*/quote", "rsc.io/quote", 1 },
	{ ",,*/quote", "rsc.io/quote", 1 },
	/* protocol.md 3.7 */
	{ "*.corp.example.com", "git.corp.example.com/a/b", 1 },
	{ "*.corp.example.com", "corp.example.com/a", 0 },
	{ "rsc.io/private", "rsc.io/private/x", 1 },
	{ "rsc.io/private", "rsc.io/private", 1 },
	{ "rsc.io/private", "rsc.io/privateer", 0 },
	{ "rsc.io/private", "rsc.io", 0 },
	/* Only one trailing "/" goes: "rsc.io/" then needs two elements. */
	{ "rsc.io//", "rsc.io/quote", 0 },
	/* The unescaped path, byte for byte: case matters. */
	{ "github.com/Azure", "github.com/Azure/go-autorest", 1 },
	{ "github.com/azure", "github.com/Azure/go-autorest", 0 },
	{ "github.com/!azure", "github.com/Azure/go-autorest", 0 },
	{ "github.com/A*", "github.com/Azure/go-autorest/v14", 1 },
	/* Classes, escapes, several patterns. */
	{ "example.com/[a-c]*", "example.com/beta/x", 1 },
	{ "example.com/[^a-c]*", "example.com/beta/x", 0 },
	{ "example.com/\\*", "example.com/*", 1 },
	{ "example.com/\\*", "example.com/x", 0 },
	{ "a.com,b.com,c.com", "b.com/x", 1 },
	{ "a.com,b.com,c.com", "d.com/x", 0 },
	/* A malformed pattern never matches; the others still do. */
	{ "example.com/[,rsc.io", "rsc.io/quote", 1 },
	{ "example.com/[", "example.com/[", 0 },
	{ "[", "[", 0 },
	/* No trimming of spaces, as in Go. */
	{ "a.com, b.com", "b.com/x", 0 },
	{ "*", "anything.example/x/y", 1 },
	{ ",", "rsc.io/quote", 0 },
	{ "rsc.io", "", 0 },
};

/* pattern_check: 0 well formed, -1 malformed (and the start of why). */
/* pattern_match_fold: ASCII letters in any case, on either side; never
 * fewer matches than pattern_match. */
static const struct list_case fold_cases[] = {
	{ "github.com/corp", "github.com/Corp/secret", 1 },
	{ "github.com/Corp", "github.com/corp/secret", 1 },
	{ "github.com/corp/secret", "github.com/CORP/SECRET/v2", 1 },
	{ "github.com/c?rp/*", "github.com/COrP/x", 1 },
	{ "github.com/[a-c]orp", "github.com/Corp", 1 },
	{ "github.com/corp", "github.com/Corporate", 0 },
	{ "github.com/corp", "github.com/other/Corp", 0 },
	/* An exact match kept when folding the class would lose it:
	 * "_" is between "Z" and "a". */
	{ "x.io/[A-z]", "x.io/_", 1 },
	{ "", "github.com/Corp", 0 },
};

static const struct check_case {
	const char	*patterns;
	int		 want;
	const char	*why;
} check_cases[] = {
	{ "", 0, NULL },
	{ ",,,", 0, NULL },
	{ "a.com,b.com/*", 0, NULL },
	{ "*.corp.example.com,rsc.io/private/", 0, NULL },
	{ "example.com/[a-c]*,x.io/[^q]", 0, NULL },
	{ "\\*", 0, NULL },
	{ "[\\]a]", 0, NULL },
	{ "[", -1, "bad pattern \"[\": unclosed '['" },
	{ "a.com,[^", -1, "bad pattern \"[^\": unclosed '['" },
	{ "a.com/x\\", -1, "bad pattern \"a.com/x\\\": trailing '\\'" },
	{ "[]a]", -1, "bad pattern \"[]a]\": unescaped '-' or ']'" },
	{ "[a-b-c]", -1, "bad pattern \"[a-b-c]\": unescaped" },
	{ "x.io/[a-]", -1, "bad pattern \"x.io/[a-]\": unescaped" },
	{ "ok.io,x*[", -1, "bad pattern \"x*[\"" },
	{ "a.com, b.com", -1, "bad pattern \" b.com\": a space" },
	{ "a.com,b\tc", -1, "bad pattern \"b?c\": a space or control" },
	{ "[\xff]", -1, "bad pattern \"[\xff]\": invalid UTF-8" },
	{ "x/[", -1, "bad pattern \"x/[\"" },
};

int
main(void)
{
	char name[512], why[256];
	size_t i;
	int rc;

	for (i = 0; i < NITEMS(glob_cases); i++) {
		const struct glob_case *c = &glob_cases[i];

		snprintf(name, sizeof(name), "path.Match(\"%s\", \"%s\")",
		    c->pattern, c->name);
		is_int(pattern_glob(c->pattern, c->name), c->want, name);
	}

	for (i = 0; i < NITEMS(list_cases); i++) {
		const struct list_case *c = &list_cases[i];

		snprintf(name, sizeof(name), "match(\"%s\", \"%s\")",
		    c->globs, c->target);
		is_int(pattern_match(c->globs, c->target), c->want, name);
	}
	for (i = 0; i < NITEMS(fold_cases); i++) {
		const struct list_case *c = &fold_cases[i];

		snprintf(name, sizeof(name), "match_fold(\"%s\", \"%s\")",
		    c->globs, c->target);
		is_int(pattern_match_fold(c->globs, c->target), c->want, name);
	}
	is_int(pattern_match_fold(NULL, "a.b/c"), 0, "match_fold(NULL, ...)");
	is_int(pattern_match(NULL, "rsc.io/quote"), 0, "match(NULL, ...)");
	is_int(pattern_match("rsc.io", NULL), 0, "match(..., NULL)");

	for (i = 0; i < NITEMS(check_cases); i++) {
		const struct check_case *c = &check_cases[i];

		why[0] = '\0';
		rc = pattern_check(c->patterns, why, sizeof(why));
		snprintf(name, sizeof(name), "check(\"%s\")", c->patterns);
		is_int(rc, c->want, name);
		if (c->why == NULL)
			continue;
		snprintf(name, sizeof(name), "check(\"%s\") reason",
		    c->patterns);
		if (!ok(strncmp(why, c->why, strlen(c->why)) == 0, name))
			printf("#   got: '%s'\n#   expected prefix: '%s'\n",
			    why, c->why);
	}
	is_int(pattern_check(NULL, why, sizeof(why)), 0, "check(NULL)");
	is_int(pattern_check("[", NULL, 0), -1, "check without why");

	/* Every well-formed list also matches what it should. */
	is_int(pattern_check("*/quote,rsc.io/", why, sizeof(why)), 0,
	    "check of a MatchPrefixPatterns list");
	return tap_done();
}

/*
 * pattern.c: the module path patterns of GOPRIVATE, GONOPROXY and GONOSUMDB.
 *
 * A pattern list is comma-separated globs (golang.org/x/mod/module
 * MatchPrefixPatterns): empty entries are skipped, one trailing "/" is
 * dropped, and a glob with k slashes is matched with the rules of Go's
 * path.Match against the first k+1 elements of the module path.  So
 * "*.corp.example.com" matches "git.corp.example.com/a/b" and
 * "rsc.io/private" matches "rsc.io/private/x" but not "rsc.io/privateer".
 *
 * The glob matcher follows path.Match step by step: the pattern is cut into
 * chunks (a run of "*" then literals, "?" and classes), each chunk is tried
 * at the current position and, after a star, at every later position that
 * does not cross a "/".  A malformed pattern (an unclosed "[", a trailing
 * "\", an unescaped "-" or "]" in a class) never matches; pattern_check
 * reports it.  Matching is on the unescaped module path, byte for byte
 * (case matters), with UTF-8 decoding for "?" and classes as in Go;
 * pattern_match_fold also matches across ASCII case, for decisions about
 * hosts (which are case-insensitive) that may only get stricter.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "piraeus.h"

#define PATTERN_RUNE_ERROR	0xfffdU
#define PATTERN_SHOW_MAX	80	/* bytes of a pattern in a reason */

/* A byte string that is not NUL-terminated: a piece of a pattern list. */
struct span {
	const char	*p;
	size_t		 n;
};

/*
 * Decode one UTF-8 sequence as Go's utf8.DecodeRuneInString: returns its
 * length (0 for an empty string) and the rune in *r; an invalid sequence
 * is U+FFFD with length 1.
 */
static size_t
utf8_decode(const char *s, size_t n, uint32_t *r)
{
	static const struct utf8_lead {
		unsigned char	lo, hi;		/* the lead byte */
		size_t		len;
		unsigned char	lo2, hi2;	/* the second byte */
		uint32_t	mask;
	} leads[] = {
		{ 0xc2, 0xdf, 2, 0x80, 0xbf, 0x1f },
		{ 0xe0, 0xe0, 3, 0xa0, 0xbf, 0x0f },
		{ 0xe1, 0xec, 3, 0x80, 0xbf, 0x0f },
		{ 0xed, 0xed, 3, 0x80, 0x9f, 0x0f },
		{ 0xee, 0xef, 3, 0x80, 0xbf, 0x0f },
		{ 0xf0, 0xf0, 4, 0x90, 0xbf, 0x07 },
		{ 0xf1, 0xf3, 4, 0x80, 0xbf, 0x07 },
		{ 0xf4, 0xf4, 4, 0x80, 0x8f, 0x07 },
	};
	const unsigned char *u = (const unsigned char *)s;
	const struct utf8_lead *l = NULL;
	uint32_t v;
	size_t i;

	if (n == 0) {
		*r = PATTERN_RUNE_ERROR;
		return 0;
	}
	if (u[0] < 0x80) {
		*r = u[0];
		return 1;
	}
	for (i = 0; i < NITEMS(leads); i++)
		if (u[0] >= leads[i].lo && u[0] <= leads[i].hi) {
			l = &leads[i];
			break;
		}
	*r = PATTERN_RUNE_ERROR;
	if (l == NULL || n < l->len || u[1] < l->lo2 || u[1] > l->hi2)
		return 1;
	v = u[0] & l->mask;
	for (i = 1; i < l->len; i++) {
		if (i > 1 && (u[i] < 0x80 || u[i] > 0xbf))
			return 1;
		v = (v << 6) | (u[i] & 0x3f);
	}
	*r = v;
	return l->len;
}

/*
 * Split off the next chunk of pat: leading stars (*star), then everything
 * up to the next "*" outside a class (*chunk); *pat is advanced past it.
 */
static void
glob_scan_chunk(struct span *pat, int *star, struct span *chunk)
{
	int inrange = 0;
	size_t i;

	*star = 0;
	while (pat->n > 0 && pat->p[0] == '*') {
		pat->p++;
		pat->n--;
		*star = 1;
	}
	for (i = 0; i < pat->n; i++) {
		switch (pat->p[i]) {
		case '\\':
			/* A trailing "\" is reported by glob_match_chunk. */
			if (i + 1 < pat->n)
				i++;
			break;
		case '[':
			inrange = 1;
			break;
		case ']':
			inrange = 0;
			break;
		case '*':
			if (!inrange)
				goto out;
			break;
		}
	}
out:
	chunk->p = pat->p;
	chunk->n = i;
	pat->p += i;
	pat->n -= i;
}

/*
 * One possibly escaped character of a class (Go's getEsc): the rune into
 * *r, c advanced.  Returns -1 with *why set when the class is malformed.
 */
static int
glob_get_esc(struct span *c, uint32_t *r, const char **why)
{
	size_t len;

	if (c->n == 0) {
		*why = "unclosed '['";
		return -1;
	}
	if (c->p[0] == '-' || c->p[0] == ']') {
		*why = "unescaped '-' or ']' in a character class";
		return -1;
	}
	if (c->p[0] == '\\') {
		c->p++;
		c->n--;
		if (c->n == 0) {
			*why = "unclosed '['";
			return -1;
		}
	}
	len = utf8_decode(c->p, c->n, r);
	if (*r == PATTERN_RUNE_ERROR && len == 1) {
		*why = "invalid UTF-8 in a character class";
		return -1;
	}
	c->p += len;
	c->n -= len;
	if (c->n == 0) {
		*why = "unclosed '['";
		return -1;
	}
	return 0;
}

/*
 * Does chunk match the beginning of s (Go's matchChunk)?  Returns 1 and
 * advances s past the match, 0 when it does not match, -1 (with *why) when
 * the chunk is malformed.  The whole chunk is always parsed, so a bad
 * pattern is found even after the match has failed.
 */
static int
glob_match_chunk(struct span chunk, struct span *s, const char **why)
{
	struct span t = *s;
	uint32_t r, lo, hi;
	size_t len;
	int failed = 0, negated, match, nrange;

	while (chunk.n > 0) {
		if (!failed && t.n == 0)
			failed = 1;
		switch (chunk.p[0]) {
		case '[':
			r = 0;
			if (!failed) {
				len = utf8_decode(t.p, t.n, &r);
				t.p += len;
				t.n -= len;
			}
			chunk.p++;
			chunk.n--;
			negated = 0;
			if (chunk.n > 0 && chunk.p[0] == '^') {
				negated = 1;
				chunk.p++;
				chunk.n--;
			}
			match = 0;
			nrange = 0;
			for (;;) {
				if (chunk.n > 0 && chunk.p[0] == ']' &&
				    nrange > 0) {
					chunk.p++;
					chunk.n--;
					break;
				}
				if (glob_get_esc(&chunk, &lo, why) == -1)
					return -1;
				hi = lo;
				if (chunk.p[0] == '-') {
					chunk.p++;
					chunk.n--;
					if (glob_get_esc(&chunk, &hi,
					    why) == -1)
						return -1;
				}
				if (lo <= r && r <= hi)
					match = 1;
				nrange++;
			}
			if (match == negated)
				failed = 1;
			break;
		case '?':
			if (!failed) {
				if (t.p[0] == '/')
					failed = 1;
				len = utf8_decode(t.p, t.n, &r);
				t.p += len;
				t.n -= len;
			}
			chunk.p++;
			chunk.n--;
			break;
		case '\\':
			chunk.p++;
			chunk.n--;
			if (chunk.n == 0) {
				*why = "trailing '\\'";
				return -1;
			}
			/* FALLTHROUGH */
		default:
			if (!failed) {
				if (chunk.p[0] != t.p[0])
					failed = 1;
				t.p++;
				t.n--;
			}
			chunk.p++;
			chunk.n--;
			break;
		}
	}
	if (failed)
		return 0;
	*s = t;
	return 1;
}

/*
 * Go's path.Match of the whole of name against pat: 1 match, 0 no match,
 * -1 malformed pattern (*why says how).
 */
static int
glob_match(struct span pat, struct span name, const char **why)
{
	struct span chunk, t;
	size_t i;
	int star, rc;

	while (pat.n > 0) {
		glob_scan_chunk(&pat, &star, &chunk);
		/* A trailing star matches what is left but a "/". */
		if (star && chunk.n == 0)
			return memchr(name.p, '/', name.n) == NULL;
		t = name;
		rc = glob_match_chunk(chunk, &t, why);
		/* The last chunk must use up the name. */
		if (rc == 1 && (t.n == 0 || pat.n > 0)) {
			name = t;
			continue;
		}
		if (rc == -1)
			return -1;
		if (star) {
			/* Let the star eat i+1 bytes, never a "/". */
			for (i = 0; i < name.n && name.p[i] != '/'; i++) {
				t.p = name.p + i + 1;
				t.n = name.n - i - 1;
				rc = glob_match_chunk(chunk, &t, why);
				if (rc == 1) {
					if (pat.n == 0 && t.n > 0)
						continue;
					name = t;
					goto next;
				}
				if (rc == -1)
					return -1;
			}
		}
		/* No match: still report a malformed rest of the pattern. */
		while (pat.n > 0) {
			glob_scan_chunk(&pat, &star, &chunk);
			t.p = "";
			t.n = 0;
			if (glob_match_chunk(chunk, &t, why) == -1)
				return -1;
		}
		return 0;
	next:
		;
	}
	return name.n == 0;
}

/*
 * The next glob of a comma-separated list: *glob without its trailing "/";
 * returns 0 when the list is used up.  Empty globs are skipped.
 */
static int
pattern_next(const char **list, struct span *glob)
{
	const char *p, *comma;

	while (**list != '\0') {
		p = *list;
		if ((comma = strchr(p, ',')) != NULL) {
			glob->n = (size_t)(comma - p);
			*list = comma + 1;
		} else {
			glob->n = strlen(p);
			*list = p + glob->n;
		}
		glob->p = p;
		if (glob->n > 0 && p[glob->n - 1] == '/')
			glob->n--;
		if (glob->n > 0)
			return 1;
	}
	return 0;
}

/*
 * The first k+1 elements of module when glob has k slashes, into *prefix.
 * Returns 0 when module has fewer elements than that.
 */
static int
pattern_prefix(struct span glob, const char *module, struct span *prefix)
{
	size_t slashes = 0, i, len;

	for (i = 0; i < glob.n; i++)
		if (glob.p[i] == '/')
			slashes++;
	len = strlen(module);
	prefix->p = module;
	prefix->n = len;
	for (i = 0; i < len; i++) {
		if (module[i] != '/')
			continue;
		if (slashes == 0) {
			prefix->n = i;
			break;
		}
		slashes--;
	}
	return slashes == 0;
}

int
pattern_match(const char *patterns, const char *module)
{
	struct span glob, prefix;
	const char *why;

	if (patterns == NULL || module == NULL)
		return 0;
	while (pattern_next(&patterns, &glob)) {
		if (!pattern_prefix(glob, module, &prefix))
			continue;
		/* A malformed glob (-1) matches nothing, as in Go. */
		if (glob_match(glob, prefix, &why) == 1)
			return 1;
	}
	return 0;
}

/* s with ASCII letters in lower case (allocated). */
static char *
pattern_lower(const char *s)
{
	char *t = xstrdup(s), *q;

	for (q = t; *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return t;
}

int
pattern_match_fold(const char *patterns, const char *module)
{
	char *lp, *lm;
	int rc;

	if (patterns == NULL || module == NULL)
		return 0;
	/* The exact match first: folding a class ("[A-z]") could lose it. */
	if (pattern_match(patterns, module))
		return 1;
	lp = pattern_lower(patterns);
	lm = pattern_lower(module);
	rc = pattern_match(lp, lm);
	free(lp);
	free(lm);
	return rc;
}

int
pattern_check(const char *patterns, char *why, size_t whysz)
{
	struct span glob, empty = { "", 0 };
	const char *reason = NULL;
	char show[PATTERN_SHOW_MAX + 1];
	unsigned char c;
	size_t i, n;

	if (patterns == NULL)
		return 0;
	while (pattern_next(&patterns, &glob)) {
		/*
		 * The go command keeps spaces as part of a pattern, so such
		 * a pattern never matches a module path: most likely a
		 * list written as "a, b".
		 */
		for (i = 0; i < glob.n; i++) {
			if ((unsigned char)glob.p[i] <= ' ' ||
			    glob.p[i] == 0x7f) {
				reason = "a space or control character "
				    "(separate patterns with ',' only)";
				break;
			}
		}
		if (reason == NULL && glob_match(glob, empty, &reason) != -1)
			continue;
		if (why != NULL && whysz > 0) {
			/* Quote PATTERN_SHOW_MAX bytes at most, visibly. */
			n = glob.n > PATTERN_SHOW_MAX ? PATTERN_SHOW_MAX :
			    glob.n;
			for (i = 0; i < n; i++) {
				c = (unsigned char)glob.p[i];
				show[i] = c < ' ' || c == 0x7f ? '?' : (char)c;
			}
			show[n] = '\0';
			snprintf(why, whysz, "bad pattern \"%s\": %s", show,
			    reason);
		}
		return -1;
	}
	return 0;
}

int
pattern_glob(const char *pattern, const char *name)
{
	struct span pat, nm;
	const char *why;

	pat.p = pattern;
	pat.n = strlen(pattern);
	nm.p = name;
	nm.n = strlen(name);
	return glob_match(pat, nm, &why);
}

/*
 * semver.c: Go's dialect of semantic versions (golang.org/x/mod/semver),
 * plus module.CanonicalVersion and module.IsPseudoVersion.
 *
 * A version is "v" MAJOR [ "." MINOR [ "." PATCH [ "-" PRE ] [ "+" BUILD ] ] ]
 * with decimal numbers without leading zeros, and PRE and BUILD made of
 * non-empty dot-separated [0-9A-Za-z-] identifiers (numeric PRE identifiers
 * without leading zeros).  The short forms vX and vX.Y mean vX.0.0 and
 * vX.Y.0 and take no PRE or BUILD.
 *
 * Parsing never allocates: struct semver points into the caller's string.
 * Strings of VERSION_MAX bytes or more are invalid, and nothing past that
 * cap is read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"

/* One parsed version: pointers into the string that was parsed. */
struct semver {
	const char	*major;
	size_t		 major_len;
	const char	*minor;		/* "0" for vX */
	size_t		 minor_len;
	const char	*patch;		/* "0" for vX and vX.Y */
	size_t		 patch_len;
	const char	*pre;		/* "-..." or "" */
	size_t		 pre_len;
	const char	*build;		/* "+..." or "" */
	size_t		 build_len;
	const char	*fill;		/* ".0.0", ".0" or "": makes vX.Y.Z */
	size_t		 len;		/* of the whole string */
};

#define INCOMPATIBLE	"+incompatible"

/* The parts of a pseudo-version after "vN." (module/pseudo.go). */
#define PSEUDO_STAMP	14	/* yyyymmddhhmmss */

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_ident_char(int c)
{
	return is_alnum(c) || c == '-';
}

/* Whether the n bytes at s are all digits (true for n == 0). */
static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A numeric identifier with a leading zero ("01"), invalid in PRE. */
static int
is_bad_num(const char *s, size_t n)
{
	return n > 1 && s[0] == '0' && all_digits(s, n);
}

/*
 * A decimal number at v[*i] (limit n): at least one digit, no leading
 * zero.  Advances *i past it.  Returns 0 or -1.
 */
static int
parse_int(const char *v, size_t n, size_t *i)
{
	size_t start = *i;

	if (*i >= n || !is_digit((unsigned char)v[*i]))
		return -1;
	while (*i < n && is_digit((unsigned char)v[*i]))
		(*i)++;
	if (v[start] == '0' && *i - start != 1)
		return -1;
	return 0;
}

/*
 * Dot-separated identifiers starting after the "-" or "+" at v[*i] and
 * ending at stop (or n).  check_num refuses numeric identifiers with a
 * leading zero.  Advances *i to the end.  Returns 0 or -1.
 */
static int
parse_idents(const char *v, size_t n, size_t *i, int stop, int check_num)
{
	size_t start;
	int c;

	start = ++(*i);
	for (; *i < n && v[*i] != stop; (*i)++) {
		c = (unsigned char)v[*i];
		if (c == '.') {
			if (start == *i ||
			    (check_num && is_bad_num(v + start, *i - start)))
				return -1;
			start = *i + 1;
		} else if (!is_ident_char(c))
			return -1;
	}
	if (start == *i || (check_num && is_bad_num(v + start, *i - start)))
		return -1;
	return 0;
}

/* Parse v into p.  Returns 0, or -1 when v is not a valid version. */
static int
semver_parse(const char *v, struct semver *p)
{
	size_t n, i = 1;

	if (v == NULL)
		return -1;
	n = strnlen(v, VERSION_MAX);
	if (n == VERSION_MAX || n == 0 || v[0] != 'v')
		return -1;
	memset(p, 0, sizeof(*p));
	p->len = n;
	p->pre = p->build = p->fill = "";

	p->major = v + i;
	if (parse_int(v, n, &i) != 0)
		return -1;
	p->major_len = (size_t)(v + i - p->major);
	if (i == n) {
		p->minor = p->patch = "0";
		p->minor_len = p->patch_len = 1;
		p->fill = ".0.0";
		return 0;
	}
	if (v[i++] != '.')
		return -1;

	p->minor = v + i;
	if (parse_int(v, n, &i) != 0)
		return -1;
	p->minor_len = (size_t)(v + i - p->minor);
	if (i == n) {
		p->patch = "0";
		p->patch_len = 1;
		p->fill = ".0";
		return 0;
	}
	if (v[i++] != '.')
		return -1;

	p->patch = v + i;
	if (parse_int(v, n, &i) != 0)
		return -1;
	p->patch_len = (size_t)(v + i - p->patch);

	if (i < n && v[i] == '-') {
		p->pre = v + i;
		if (parse_idents(v, n, &i, '+', 1) != 0)
			return -1;
		p->pre_len = (size_t)(v + i - p->pre);
	}
	if (i < n && v[i] == '+') {
		p->build = v + i;
		if (parse_idents(v, n, &i, '\0', 0) != 0)
			return -1;
		p->build_len = (size_t)(v + i - p->build);
	}
	return i == n ? 0 : -1;
}

/* Two decimal numbers without leading zeros: by length, then bytes. */
static int
compare_int(const char *x, size_t xn, const char *y, size_t yn)
{
	int c;

	if (xn != yn)
		return xn < yn ? -1 : 1;
	c = memcmp(x, y, xn);
	return c < 0 ? -1 : c > 0;
}

/*
 * Pre-release precedence (semver.org 11): none ranks above any; else
 * identifier by identifier, numeric ones numerically and below
 * alphanumeric ones, which compare in ASCII order; more identifiers rank
 * higher when the shared ones are equal.
 */
static int
compare_pre(const char *x, size_t xn, const char *y, size_t yn)
{
	size_t dx, dy;
	int nx, ny, c;

	if (xn == yn && memcmp(x, y, xn) == 0)
		return 0;
	if (xn == 0)
		return 1;
	if (yn == 0)
		return -1;
	while (xn > 0 && yn > 0) {
		x++, xn--;		/* the "-" or "." */
		y++, yn--;
		for (dx = 0; dx < xn && x[dx] != '.'; dx++)
			;
		for (dy = 0; dy < yn && y[dy] != '.'; dy++)
			;
		if (dx != dy || memcmp(x, y, dx) != 0) {
			nx = all_digits(x, dx);
			ny = all_digits(y, dy);
			if (nx != ny)
				return nx ? -1 : 1;
			if (nx && dx != dy)
				return dx < dy ? -1 : 1;
			c = memcmp(x, y, dx < dy ? dx : dy);
			if (c != 0)
				return c < 0 ? -1 : 1;
			return dx < dy ? -1 : 1;
		}
		x += dx, xn -= dx;
		y += dy, yn -= dy;
	}
	return xn == 0 ? -1 : 1;
}

/* 1 when v is a valid version, else 0. */
int
semver_valid(const char *v)
{
	struct semver p;

	return semver_parse(v, &p) == 0;
}

/*
 * The canonical form of v into out: vX.Y.Z[-pre], build dropped, except
 * that keep_incompatible keeps a build of exactly "+incompatible"
 * (module.CanonicalVersion).  Returns 0, or -1 when v is invalid or the
 * result (with its NUL) does not fit in outsz.
 */
int
semver_canonical(const char *v, int keep_incompatible, char *out,
    size_t outsz)
{
	struct semver p;
	size_t base, fill, extra = 0;

	if (semver_parse(v, &p) != 0)
		return -1;
	base = p.len - p.build_len;
	fill = strlen(p.fill);
	if (keep_incompatible && p.build_len == strlen(INCOMPATIBLE) &&
	    memcmp(p.build, INCOMPATIBLE, p.build_len) == 0)
		extra = p.build_len;
	if (outsz == 0 || base + fill + extra >= outsz)
		return -1;
	memcpy(out, v, base);
	memcpy(out + base, p.fill, fill);
	memcpy(out + base + fill, p.build, extra);
	out[base + fill + extra] = '\0';
	return 0;
}

/*
 * Compare two versions by precedence: -1, 0 or 1.  Build metadata is
 * ignored; invalid versions are equal to each other and below valid ones.
 */
/* Compare two parsed versions (precedence only). */
static int
compare_parsed(const struct semver *pa, const struct semver *pb)
{
	int c;

	if ((c = compare_int(pa->major, pa->major_len, pb->major,
	    pb->major_len)) != 0)
		return c;
	if ((c = compare_int(pa->minor, pa->minor_len, pb->minor,
	    pb->minor_len)) != 0)
		return c;
	if ((c = compare_int(pa->patch, pa->patch_len, pb->patch,
	    pb->patch_len)) != 0)
		return c;
	return compare_pre(pa->pre, pa->pre_len, pb->pre, pb->pre_len);
}

int
semver_compare(const char *a, const char *b)
{
	struct semver pa, pb;
	int va, vb;

	va = semver_parse(a, &pa) == 0;
	vb = semver_parse(b, &pb) == 0;
	if (!va || !vb)
		return va - vb;
	return compare_parsed(&pa, &pb);
}

/* 1 when v is valid and has a pre-release part, else 0. */
int
semver_is_prerelease(const char *v)
{
	struct semver p;

	return semver_parse(v, &p) == 0 && p.pre_len > 0;
}

/*
 * The tail of a pseudo-version from s (n bytes): 14 digits, "-", one or
 * more alphanumerics, then an optional "+" build of dot-separated
 * [0-9A-Za-z-] identifiers, then the end.
 */
static int
pseudo_tail(const char *s, size_t n)
{
	size_t i, rev, start;

	if (n < PSEUDO_STAMP + 2 || !all_digits(s, PSEUDO_STAMP) ||
	    s[PSEUDO_STAMP] != '-')
		return 0;
	i = rev = PSEUDO_STAMP + 1;
	while (i < n && is_alnum((unsigned char)s[i]))
		i++;
	if (i == rev)
		return 0;
	if (i == n)
		return 1;
	if (s[i] != '+')
		return 0;
	start = ++i;
	for (; i < n; i++) {
		if (s[i] == '.') {
			if (i == start)
				return 0;
			start = i + 1;
		} else if (!is_ident_char((unsigned char)s[i]))
			return 0;
	}
	return i > start;
}

/*
 * IsPseudoVersion: at least two "-", valid semver, and the shape of
 * pseudo.go's pattern
 *   v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+build)?
 * matched here by hand, trying every place the optional group may end.
 */
int
semver_is_pseudo(const char *v)
{
	struct semver p;
	const char *r;
	size_t i, n, dashes = 0, rn, k;

	if (semver_parse(v, &p) != 0)
		return 0;
	n = p.len;
	for (i = 0; i < n; i++)
		if (v[i] == '-')
			dashes++;
	if (dashes < 2 || p.fill[0] != '\0')
		return 0;

	/* "vN." then either "0.0-" + tail ... */
	i = 1 + p.major_len + 1;
	if (n - i >= 4 && memcmp(v + i, "0.0-", 4) == 0 &&
	    pseudo_tail(v + i + 4, n - i - 4))
		return 1;

	/* ... or "Y.Z-", then optionally "[^+]*." , then "0." + tail. */
	if (p.pre_len == 0)
		return 0;
	r = p.pre + 1;
	rn = (size_t)(v + n - r);
	for (k = 0; k < rn; k++) {
		if (k > 0 && r[k - 1] == '+')
			break;
		if (k > 0 && r[k - 1] != '.')
			continue;
		if (rn - k >= 2 && r[k] == '0' && r[k + 1] == '.' &&
		    pseudo_tail(r + k + 2, rn - k - 2))
			return 1;
	}
	return 0;
}

/*
 * The major version "vN" of v into out (outsz bytes with the NUL).
 * Returns 0, or -1 when v is invalid or out too small.
 */
int
semver_major(const char *v, char *out, size_t outsz)
{
	struct semver p;
	size_t len;

	if (semver_parse(v, &p) != 0)
		return -1;
	len = 1 + p.major_len;
	if (outsz == 0 || len >= outsz)
		return -1;
	memcpy(out, v, len);
	out[len] = '\0';
	return 0;
}

/*
 * The build suffix of v ("+incompatible", "+meta"), pointing into v; ""
 * (the end of v) when it has none; NULL when v is invalid.
 */
const char *
semver_build(const char *v)
{
	struct semver p;

	if (semver_parse(v, &p) != 0)
		return NULL;
	return p.build_len > 0 ? p.build : v + p.len;
}

/*
 * qsort comparator for an array of char *: semver_compare, with ties
 * (equal precedence, or both invalid) broken by strcmp so the order is
 * total and the output deterministic.
 */
int
semver_qsort_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a;
	const char *y = *(const char *const *)b;
	int c;

	if ((c = semver_compare(x, y)) != 0)
		return c;
	c = strcmp(x, y);
	return c < 0 ? -1 : c > 0;
}

/* One element of semver_sort: the string and its parse, done once. */
struct semver_sort_elem {
	char		*s;
	struct semver	 p;
	int		 valid;
};

static int
semver_sort_cmp(const void *a, const void *b)
{
	const struct semver_sort_elem *x = a, *y = b;
	int c;

	if (!x->valid || !y->valid)
		c = x->valid - y->valid;
	else
		c = compare_parsed(&x->p, &y->p);
	if (c == 0)
		c = strcmp(x->s, y->s);
	return c < 0 ? -1 : c > 0;
}

/*
 * Sort v[0..n) in the order of semver_qsort_cmp, parsing each version
 * once instead of twice per comparison (lists of thousands of versions).
 */
void
semver_sort(char **v, size_t n)
{
	struct semver_sort_elem *e;
	size_t i;

	if (n < 2)
		return;
	e = xcalloc(n, sizeof(*e));
	for (i = 0; i < n; i++) {
		e[i].s = v[i];
		e[i].valid = semver_parse(v[i], &e[i].p) == 0;
	}
	qsort(e, n, sizeof(*e), semver_sort_cmp);
	for (i = 0; i < n; i++)
		v[i] = e[i].s;
	free(e);
}

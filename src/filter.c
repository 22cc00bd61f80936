/*
 * filter.c: Athens' filter file ([policy] filter_file): which modules and
 * versions may be fetched.
 *
 * One rule a line, "#" starts a comment (at the start of a line or of a
 * word), blank lines are skipped:
 *
 *	SIGN [PATH [QUALIFIER,QUALIFIER...]]
 *
 * SIGN is "+" (include), "-" (exclude: 403 with the rule in the reason)
 * or "D" (not fetched here: the configured upstream, policy.c).  A sign
 * alone sets the default rule (the last such line wins; include when
 * none).  PATH is a module path prefix cut at "/": "github.com/a" covers
 * github.com/a and github.com/a/b, never github.com/ab.  A module gets
 * the rule of the longest PATH that covers it and whose qualifiers
 * accept the version; among equally long ones the later line wins; else
 * the default.  Qualifiers (Athens' documented meaning, without its
 * quirks, reference/athens.md 3.2):
 *
 *	v1, v1.2, v1.*, v1.2.*	that major (and minor), pre-releases too
 *	v1.2.3			exactly v1.2.3 (semver equality): never
 *				v1.2.30, as Athens' string prefix does
 *	~1.2.3 or ~v1.2.3	1.2.x at least 1.2.3
 *	^1.2.3 or ^v1.2.3	1.x.y at least 1.2.3
 *	<1.2.3 or <v1.2.3	strictly lower than 1.2.3 (Athens: lower or
 *				equal)
 *
 * Comparisons are semver order on the canonical version (pseudo-versions
 * are pre-releases); numbers are compared as digit strings, so no size
 * overflows.  A rule with qualifiers applies only when the version is
 * known (info, mod, zip): list, @latest and queries are decided by the
 * rules without qualifiers (Athens applied every rule there).  Words are
 * apart by blanks; Athens' files (single spaces) read the same.  Anything
 * else is an error naming the line: an unknown sign, more than three
 * words, an empty or malformed qualifier, a bad path, a NUL byte, a line
 * or a file over its cap.  Loading is the only I/O.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"

#define FILTER_WORDS_MAX	3	/* sign, path, qualifiers */
#define FILTER_NUM_MAX		20	/* digits of one version number */
#define FILTER_SHOW_MAX		60	/* bytes of a bad word quoted back */

static const struct {
	const char		*sign;
	enum filter_action	 action;
	const char		*name;
} filter_signs[] = {
	{ "+", FILTER_INCLUDE, "include" },
	{ "-", FILTER_EXCLUDE, "exclude" },
	{ "D", FILTER_DIRECT, "D (not fetched here)" },
};

const char *
filter_action_name(enum filter_action a)
{
	size_t i;

	for (i = 0; i < NITEMS(filter_signs); i++)
		if (filter_signs[i].action == a)
			return filter_signs[i].name;
	return "default";
}

/* The sign of a rule as written ("+", "-", "D"), or "". */
const char *
filter_action_sign(enum filter_action a)
{
	size_t i;

	for (i = 0; i < NITEMS(filter_signs); i++)
		if (filter_signs[i].action == a)
			return filter_signs[i].sign;
	return "";
}

/* A version's numbers: up to three digit strings and whether it is a
 * pre-release.  0, or -1 when v does not start "vN[.N[.N]]" (v optional
 * when allow_bare). */
struct filter_ver {
	char	num[3][FILTER_NUM_MAX + 1];
	int	n;
	int	pre;		/* "-..." follows the numbers */
	size_t	len;		/* bytes of the numbers read */
};

static int
filter_numbers(const char *v, int allow_bare, struct filter_ver *fv)
{
	const char *p = v;
	size_t k;

	memset(fv, 0, sizeof(*fv));
	if (*p == 'v')
		p++;
	else if (!allow_bare)
		return -1;
	for (;;) {
		for (k = 0; p[k] >= '0' && p[k] <= '9'; k++)
			if (k >= FILTER_NUM_MAX)
				return -1;
		if (k == 0 || (k > 1 && p[0] == '0'))
			return -1;
		memcpy(fv->num[fv->n], p, k);
		fv->num[fv->n][k] = '\0';
		fv->n++;
		p += k;
		if (*p != '.' || fv->n == 3 || p[1] < '0' || p[1] > '9')
			break;
		p++;
	}
	fv->pre = *p == '-';
	fv->len = (size_t)(p - v);
	return 0;
}

/* Compare two digit strings without leading zeros: <0, 0, >0. */
static int
filter_numcmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/*
 * Parse one qualifier word[0..len) into q; an exact version is written
 * at *text (room for len + 2 bytes) and *text moved past it.  0, or -1
 * with why.
 */
static int
filter_qualifier(const char *word, size_t len, struct filter_qual *q,
    char **text, char *why, size_t whysz)
{
	char buf[VERSION_MAX];
	struct filter_ver fv;
	size_t stars = 0, n;
	const char *s;
	int show = (int)(len > FILTER_SHOW_MAX ? FILTER_SHOW_MAX : len);

	memset(q, 0, sizeof(*q));
	if (len == 0)
		return snprintf(why, whysz, "an empty version in the list"), -1;
	if (len >= sizeof(buf))
		return snprintf(why, whysz, "a version longer than %d bytes",
		    VERSION_MAX - 1), -1;
	memcpy(buf, word, len);
	buf[len] = '\0';
	while (len > 0 && buf[len - 1] == '*') {
		buf[--len] = '\0';
		stars++;
	}
	/* "v1.2.*": the "." before the "*" goes too. */
	if (stars > 0 && len > 0 && buf[len - 1] == '.')
		buf[--len] = '\0';
	s = buf;
	switch (*s) {
	case '~':
		q->op = FQ_TILDE;
		break;
	case '^':
		q->op = FQ_CARET;
		break;
	case '<':
		q->op = FQ_LOWER;
		break;
	default:
		q->op = FQ_PREFIX;
		break;
	}
	if (q->op != FQ_PREFIX)
		s++;
	if (filter_numbers(s, 1, &fv) == -1)
		goto bad;
	if (q->op != FQ_PREFIX) {
		/* A modifier takes a plain X.Y.Z release. */
		if (stars > 0 || fv.n != 3 || s[fv.len] != '\0')
			goto bad;
	} else if (fv.n == 3) {
		if (stars > 0)
			return snprintf(why, whysz, "\"%.*s\": a full version "
			    "matches exactly, drop the \"*\"", show, word), -1;
		q->op = FQ_EXACT;
		/* "v" and the version without its own "v", NUL: at most
		 * len + 2 bytes. */
		n = strlen(s) - (*s == 'v');
		(*text)[0] = 'v';
		memcpy(*text + 1, s + (*s == 'v'), n);
		(*text)[n + 1] = '\0';
		if (!semver_valid(*text))
			goto bad;
		q->exact = *text;
		*text += n + 2;
	} else {
		/* v1, v1.2, v1.2. (Athens' own form): a prefix of numbers. */
		if (s[fv.len] == '.' && s[fv.len + 1] == '\0')
			fv.len++;
		if (s[fv.len] != '\0' || fv.pre)
			goto bad;
	}
	memcpy(q->num, fv.num, sizeof(q->num));
	q->n = fv.n;
	return 0;
bad:
	snprintf(why, whysz, "\"%.*s\" is not a version qualifier (v1, v1.2, "
	    "v1.2.3, ~1.2.3, ^1.2.3, <1.2.3)", show, word);
	return -1;
}

/* 1 when version (canonical semver) satisfies q. */
static int
filter_qual_match(const struct filter_qual *q, const char *version)
{
	struct filter_ver fv;
	char base[3 * FILTER_NUM_MAX + 8];
	int i;

	if (q->op == FQ_EXACT)
		return semver_compare(version, q->exact) == 0;
	if (!semver_valid(version) || filter_numbers(version, 0, &fv) == -1 ||
	    fv.n != 3)
		return 0;
	if (q->op == FQ_PREFIX) {
		for (i = 0; i < q->n; i++)
			if (filter_numcmp(fv.num[i], q->num[i]) != 0)
				return 0;
		return 1;
	}
	snprintf(base, sizeof(base), "v%s.%s.%s", q->num[0], q->num[1],
	    q->num[2]);
	switch (q->op) {
	case FQ_LOWER:
		return semver_compare(version, base) < 0;
	case FQ_TILDE:
		if (filter_numcmp(fv.num[1], q->num[1]) != 0)
			return 0;
		/* FALLTHROUGH */
	case FQ_CARET:
		return filter_numcmp(fv.num[0], q->num[0]) == 0 &&
		    semver_compare(version, base) >= 0;
	default:
		return 0;
	}
}

/* A rule's path: printable, no blank, no empty element once the outer
 * "/"s are trimmed (Athens trims them too). */
static int
filter_path(const char *word, size_t len, char **out, char *why,
    size_t whysz)
{
	size_t i;

	while (len > 0 && word[0] == '/') {
		word++;
		len--;
	}
	while (len > 0 && word[len - 1] == '/')
		len--;
	if (len == 0)
		return snprintf(why, whysz, "an empty module path"), -1;
	if (len >= MODPATH_MAX)
		return snprintf(why, whysz, "a module path longer than %d "
		    "bytes", MODPATH_MAX - 1), -1;
	for (i = 0; i < len; i++) {
		if ((unsigned char)word[i] <= ' ' ||
		    (unsigned char)word[i] >= 0x7f)
			return snprintf(why, whysz, "a module path with a "
			    "byte 0x%02x", (unsigned char)word[i]), -1;
		if (word[i] == '/' && word[i + 1] == '/')
			return snprintf(why, whysz, "\"%.*s\": an empty path "
			    "element", (int)(len > FILTER_SHOW_MAX ?
			    FILTER_SHOW_MAX : len), word), -1;
	}
	*out = xmalloc(len + 1);
	memcpy(*out, word, len);
	(*out)[len] = '\0';
	return 0;
}

/*
 * The qualifiers word[0..len) ("v1,~1.2.3,...") into r: exactly as many
 * as the line has (at most FILTER_QUALS_MAX), the exact versions in one
 * text of the rule.  0, or -1 with why (r's qualifiers freed).
 */
static int
filter_quals(struct filter_rule *r, const char *word, size_t len,
    char *why, size_t whysz)
{
	const char *p, *end = word + len;
	size_t k, n = 1;
	char *text;

	for (p = word; p < end; p++)
		n += *p == ',';
	if (n > FILTER_QUALS_MAX)
		return snprintf(why, whysz, "more than %d versions on a line",
		    FILTER_QUALS_MAX), -1;
	r->q = xcalloc(n, sizeof(*r->q));
	/* Each exact version takes at most its word and 2 bytes. */
	r->text = text = xmalloc(len + 2 * n);
	for (p = word;; p += k + 1) {
		for (k = 0; p + k < end && p[k] != ','; k++)
			;
		if (filter_qualifier(p, k, &r->q[r->nq], &text, why,
		    whysz) == -1) {
			free(r->q);
			free(r->text);
			r->q = NULL;
			r->text = NULL;
			r->nq = 0;
			return -1;
		}
		r->nq++;
		if (p + k >= end)
			break;
	}
	return 0;
}

/* One line (NUL-free, no newline) into t.  0, or -1 with why. */
static int
filter_line(struct filter_table *t, const char *line, size_t len,
    int lineno, char *why, size_t whysz)
{
	const char *w[FILTER_WORDS_MAX];
	size_t wl[FILTER_WORDS_MAX], nw = 0, i = 0, k, j;
	struct filter_rule r;

	while (i < len) {
		while (i < len && (line[i] == ' ' || line[i] == '\t' ||
		    line[i] == '\r'))
			i++;
		if (i >= len || line[i] == '#')
			break;
		if (nw == FILTER_WORDS_MAX)
			return snprintf(why, whysz, "more than %d words "
			    "(SIGN PATH VERSION,...)", FILTER_WORDS_MAX), -1;
		w[nw] = line + i;
		for (k = 0; i < len && line[i] != ' ' && line[i] != '\t' &&
		    line[i] != '\r'; i++)
			k++;
		wl[nw++] = k;
	}
	if (nw == 0)
		return 0;
	memset(&r, 0, sizeof(r));
	r.line = lineno;
	for (j = 0; j < NITEMS(filter_signs); j++)
		if (wl[0] == 1 && w[0][0] == filter_signs[j].sign[0])
			r.action = filter_signs[j].action;
	if (r.action == FILTER_DEFAULT)
		return snprintf(why, whysz, "\"%.*s\": a rule starts with +, "
		    "- or D", (int)(wl[0] > FILTER_SHOW_MAX ? FILTER_SHOW_MAX :
		    wl[0]), w[0]), -1;
	if (nw == 1) {
		t->root = r.action;
		t->root_line = lineno;
		return 0;
	}
	if (t->n >= FILTER_RULES_MAX)
		return snprintf(why, whysz, "more than %d rules",
		    FILTER_RULES_MAX), -1;
	if (filter_path(w[1], wl[1], &r.path, why, whysz) == -1)
		return -1;
	if (nw == 3 && filter_quals(&r, w[2], wl[2], why, whysz) == -1) {
		free(r.path);
		return -1;
	}
	if (t->n == t->cap) {
		t->cap = t->cap == 0 ? 16 : t->cap * 2;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n++] = r;
	return 0;
}

int
filter_parse(const char *name, const char *data, size_t len,
    struct filter_table *t, struct err *e)
{
	char why[ERR_MSG_MAX];
	size_t start = 0, end;
	int lineno = 0;

	memset(t, 0, sizeof(*t));
	t->root = FILTER_INCLUDE;
	if (len > FILTER_FILE_MAX)
		return err_set(e, E_CONFIG, "%s: longer than %d bytes", name,
		    FILTER_FILE_MAX);
	while (start < len) {
		lineno++;
		for (end = start; end < len && data[end] != '\n'; end++)
			if (data[end] == '\0') {
				filter_free(t);
				return err_set(e, E_CONFIG, "%s:%d: a NUL byte",
				    name, lineno);
			}
		if (end - start > FILTER_LINE_MAX) {
			filter_free(t);
			return err_set(e, E_CONFIG, "%s:%d: a line longer "
			    "than %d bytes", name, lineno, FILTER_LINE_MAX);
		}
		if (filter_line(t, data + start, end - start, lineno, why,
		    sizeof(why)) == -1) {
			filter_free(t);
			return err_set(e, E_CONFIG, "%s:%d: %s", name, lineno,
			    why);
		}
		start = end + 1;
	}
	return 0;
}

int
filter_load(const char *path, struct filter_table *t, struct err *e)
{
	struct buf b;
	struct stat st;
	char chunk[8192];
	ssize_t n;
	int fd, rc;

	memset(t, 0, sizeof(*t));
	t->root = FILTER_INCLUDE;
	/* O_NONBLOCK: a FIFO must not hang the load. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return err_set(e, E_CONFIG, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, E_CONFIG, "%s: not a regular file", path);
	}
	buf_init(&b, FILTER_FILE_MAX);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_append(&b, chunk, (size_t)n, e) == -1) {
			close(fd);
			buf_free(&b);
			err_clear(e);
			return err_set(e, E_CONFIG, "%s: longer than %d bytes",
			    path, FILTER_FILE_MAX);
		}
	close(fd);
	if (n == -1) {
		buf_free(&b);
		return err_set(e, E_CONFIG, "%s: %s", path, strerror(errno));
	}
	rc = filter_parse(path, b.data != NULL ? b.data : "", b.len, t, e);
	buf_free(&b);
	return rc;
}

/* 1 when rule path covers module ("a/b" covers "a/b" and "a/b/c"). */
static int
filter_covers(const char *path, const char *module)
{
	size_t n = strlen(path);

	return strncmp(module, path, n) == 0 &&
	    (module[n] == '\0' || module[n] == '/');
}

enum filter_action
filter_decide(const struct filter_table *t, const char *module,
    const char *version, int *line)
{
	const struct filter_rule *best = NULL;
	size_t i, j, blen = 0, len;
	int ok;

	for (i = 0; i < t->n; i++) {
		const struct filter_rule *r = &t->v[i];

		if (!filter_covers(r->path, module))
			continue;
		if (r->nq > 0) {
			if (version == NULL || version[0] == '\0')
				continue;
			for (ok = 0, j = 0; j < r->nq && !ok; j++)
				ok = filter_qual_match(&r->q[j], version);
			if (!ok)
				continue;
		}
		len = strlen(r->path);
		if (best == NULL || len >= blen) {
			best = r;
			blen = len;
		}
	}
	if (best != NULL) {
		if (line != NULL)
			*line = best->line;
		return best->action;
	}
	if (line != NULL)
		*line = t->root_line;
	return t->root;
}

void
filter_free(struct filter_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].q);
		free(t->v[i].text);
	}
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

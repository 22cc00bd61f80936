/*
 * access.c: who may fetch what -- the file named by [access] file.
 *
 * One directive a line; "#" starts a comment line; words are separated by
 * blanks:
 *
 *   user NAME [password HASH]... [token sha256:HEX]...
 *	a user; HASH is a crypt(3) hash of libxcrypt ($y$ yescrypt, $2b$
 *	or $2y$ bcrypt, $6$ sha512crypt), HEX the SHA-256 of a bearer
 *	token (64 hex digits).  A user without secrets is one the web
 *	server authenticates (REMOTE_USER), named here for groups and rules
 *   group NAME USER...
 *	a group of users declared above
 *   allow PATTERNS WHO...
 *	modules matching PATTERNS (GOPRIVATE syntax: comma-separated globs
 *	over path prefixes, pattern.c) are visible to WHO: user names,
 *	@group, or "*" (any authenticated user)
 *
 * A module that no rule covers is visible to everyone the HTTP layer let
 * in; one that rules cover is visible to the union of what they name, and
 * to nobody else (they get 404: its existence is not revealed).  Every
 * problem is an error naming the file and the line.  Secrets are compared
 * in constant time (CRYPTO_memcmp); an unknown user's password is still
 * hashed once, so the time taken does not tell who exists.
 */
#include "config.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "piraeus.h"

#define ACCESS_WORDS_MAX	256	/* words on one line */
#define ACCESS_TOKEN_PREFIX	"sha256:"

struct access_user {
	char		 *name;
	char		**pw;		/* crypt(3) hashes */
	size_t		  npw;
	char		(*tok)[SHA256_HEX];	/* lower-case hex digests */
	size_t		  ntok;
};
struct access_group {
	char		 *name;
	char		**members;
	size_t		  n;
};
struct access_rule {
	char		 *patterns;
	char		**who;		/* "name", "@group" or "*" */
	size_t		  nwho;
};
struct access {
	struct access_user	*users;
	size_t			 nusers;
	struct access_group	*groups;
	size_t			 ngroups;
	struct access_rule	*rules;
	size_t			 nrules;
	const char		*dummy;	/* a hash for unknown users, or NULL */
};

/* The crypt(3) schemes accepted: the prefix of their hashes. */
static const char *const access_schemes[] = { "$y$", "$2b$", "$2y$", "$6$" };

/* What one line's directive does with its words. */
typedef int	 access_directive_fn(struct access *, char **, size_t,
		    char *, size_t);
static access_directive_fn	access_user_line;
static access_directive_fn	access_group_line;
static access_directive_fn	access_allow_line;
static const struct {
	const char		*word;
	access_directive_fn	*fn;
} access_directives[] = {
	{ "user", access_user_line },
	{ "group", access_group_line },
	{ "allow", access_allow_line },
};

/* Format a reason into why; always -1. */
static int access_why(char *, size_t, const char *, ...)
    PIRAEUS_ATTR_PRINTF(3, 4);
static int
access_why(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return -1;
}

/* A user or group name: a letter, digit or "_", then those and "._@+-";
 * at most IDENTITY_NAME_MAX - 1 bytes.  1 when valid. */
static int
access_name_ok(const char *s)
{
	static const char extra[] = "._@+-";
	size_t i, n = strlen(s);

	if (n == 0 || n >= IDENTITY_NAME_MAX || s[0] == '@' || s[0] == '.' ||
	    s[0] == '+' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    strchr(extra, s[i]) != NULL))
			return 0;
	return 1;
}

static struct access_user *
access_find_user(const struct access *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nusers; i++)
		if (strcmp(a->users[i].name, name) == 0)
			return &a->users[i];
	return NULL;
}

static struct access_group *
access_find_group(const struct access *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->ngroups; i++)
		if (strcmp(a->groups[i].name, name) == 0)
			return &a->groups[i];
	return NULL;
}

int
access_check_hash(const char *hash, char *why, size_t whysz)
{
	struct crypt_data *cd;
	const char *out;
	size_t i;
	int ok;

	for (i = 0; i < NITEMS(access_schemes); i++)
		if (strncmp(hash, access_schemes[i],
		    strlen(access_schemes[i])) == 0)
			break;
	if (i == NITEMS(access_schemes))
		return access_why(why, whysz, "password hash \"%.16s...\": "
		    "not $y$ (yescrypt), $2b$/$2y$ (bcrypt) or $6$ "
		    "(sha512crypt)", hash);
	if (crypt_checksalt(hash) != CRYPT_SALT_OK)
		return access_why(why, whysz, "password hash \"%.16s...\": "
		    "malformed or disabled in this libcrypt", hash);
	/* A whole hash, not a setting alone nor a cut one: hashing with
	 * it gives a string of its length. */
	cd = xcalloc(1, sizeof(*cd));
	out = crypt_rn("", hash, cd, (int)sizeof(*cd));
	ok = out != NULL && out[0] != '*' && strlen(out) == strlen(hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	if (!ok)
		return access_why(why, whysz, "password hash \"%.16s...\": "
		    "incomplete (a setting, or cut short)", hash);
	return 0;
}

/* "sha256:HEX" into out (lower case); 0, or -1 and why. */
static int
access_token_digest(const char *w, char out[SHA256_HEX], char *why,
    size_t whysz)
{
	size_t n = strlen(ACCESS_TOKEN_PREFIX), i;
	int d;

	if (strncmp(w, ACCESS_TOKEN_PREFIX, n) != 0 ||
	    strlen(w + n) != SHA256_HEX - 1)
		return access_why(why, whysz, "token must be sha256: and 64 "
		    "hex digits (the SHA-256 of the token)");
	for (i = 0; i < SHA256_HEX - 1; i++) {
		if ((d = hex_digit((unsigned char)w[n + i])) < 0)
			return access_why(why, whysz, "token: \"%c\" is not "
			    "a hex digit", w[n + i]);
		out[i] = "0123456789abcdef"[d];
	}
	out[SHA256_HEX - 1] = '\0';
	return 0;
}

/* user NAME [password HASH]... [token sha256:HEX]... */
static int
access_user_line(struct access *a, char **w, size_t n, char *why,
    size_t whysz)
{
	struct access_user *u;
	size_t i;

	if (n < 2 || !access_name_ok(w[1]))
		return access_why(why, whysz, "user needs a name (letters, "
		    "digits, \"_\", then also \"._@+-\")");
	if (access_find_user(a, w[1]) != NULL)
		return access_why(why, whysz, "user %s is declared twice",
		    w[1]);
	if (n % 2 != 0)
		return access_why(why, whysz, "user %s: \"%s\" has no value",
		    w[1], w[n - 1]);
	a->users = xreallocarray(a->users, a->nusers + 1, sizeof(*a->users));
	u = &a->users[a->nusers++];
	memset(u, 0, sizeof(*u));
	u->name = xstrdup(w[1]);
	for (i = 2; i < n; i += 2) {
		if (strcmp(w[i], "password") == 0) {
			if (access_check_hash(w[i + 1], why, whysz) == -1)
				return -1;
			u->pw = xreallocarray(u->pw, u->npw + 1,
			    sizeof(*u->pw));
			u->pw[u->npw++] = xstrdup(w[i + 1]);
			if (a->dummy == NULL)
				a->dummy = u->pw[u->npw - 1];
		} else if (strcmp(w[i], "token") == 0) {
			u->tok = xreallocarray(u->tok, u->ntok + 1,
			    sizeof(*u->tok));
			if (access_token_digest(w[i + 1], u->tok[u->ntok],
			    why, whysz) == -1)
				return -1;
			u->ntok++;
		} else
			return access_why(why, whysz, "user %s: unknown "
			    "\"%s\" (password or token)", w[1], w[i]);
	}
	return 0;
}

/* group NAME USER... */
static int
access_group_line(struct access *a, char **w, size_t n, char *why,
    size_t whysz)
{
	struct access_group *g;
	size_t i;

	if (n < 3 || !access_name_ok(w[1]))
		return access_why(why, whysz, "group needs a name and at "
		    "least one user");
	if (access_find_group(a, w[1]) != NULL)
		return access_why(why, whysz, "group %s is declared twice",
		    w[1]);
	for (i = 2; i < n; i++)
		if (access_find_user(a, w[i]) == NULL)
			return access_why(why, whysz, "group %s: unknown user "
			    "%s (declare it with a user line first)", w[1],
			    w[i]);
	a->groups = xreallocarray(a->groups, a->ngroups + 1,
	    sizeof(*a->groups));
	g = &a->groups[a->ngroups++];
	g->name = xstrdup(w[1]);
	g->n = n - 2;
	g->members = xcalloc(g->n, sizeof(*g->members));
	for (i = 2; i < n; i++)
		g->members[i - 2] = xstrdup(w[i]);
	return 0;
}

/* allow PATTERNS WHO... */
static int
access_allow_line(struct access *a, char **w, size_t n, char *why,
    size_t whysz)
{
	struct access_rule *r;
	char pwhy[256];
	size_t i;

	if (n < 3)
		return access_why(why, whysz, "allow needs module patterns "
		    "and at least one user, @group or *");
	if (pattern_check(w[1], pwhy, sizeof(pwhy)) == -1)
		return access_why(why, whysz, "allow %.80s: %s", w[1], pwhy);
	for (i = 2; i < n; i++) {
		if (strcmp(w[i], "*") == 0)
			continue;
		if (w[i][0] == '@' ? access_find_group(a, w[i] + 1) == NULL :
		    access_find_user(a, w[i]) == NULL)
			return access_why(why, whysz, "allow %.80s: unknown "
			    "%s %s (declare it first)", w[1], w[i][0] == '@' ?
			    "group" : "user", w[i]);
	}
	a->rules = xreallocarray(a->rules, a->nrules + 1, sizeof(*a->rules));
	r = &a->rules[a->nrules++];
	r->patterns = xstrdup(w[1]);
	r->nwho = n - 2;
	r->who = xcalloc(r->nwho, sizeof(*r->who));
	for (i = 2; i < n; i++)
		r->who[i - 2] = xstrdup(w[i]);
	return 0;
}

/* One line (NUL-terminated, no newline): 0, or -1 and why. */
static int
access_line(struct access *a, char *line, char *why, size_t whysz)
{
	char *w[ACCESS_WORDS_MAX], *p = line;
	size_t n = 0, i;

	for (p = line; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return access_why(why, whysz, "control character");
	p = line;
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0' || (n == 0 && *p == '#'))
			break;
		if (n == ACCESS_WORDS_MAX)
			return access_why(why, whysz, "more than %d words",
			    ACCESS_WORDS_MAX);
		w[n++] = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
	}
	if (n == 0)
		return 0;
	for (i = 0; i < NITEMS(access_directives); i++)
		if (strcmp(w[0], access_directives[i].word) == 0)
			return access_directives[i].fn(a, w, n, why, whysz);
	return access_why(why, whysz, "unknown directive \"%.40s\" (user, "
	    "group or allow)", w[0]);
}

int
access_load(const char *path, struct access **out, struct err *e)
{
	char why[512], *line, *next;
	struct access *a;
	struct buf b;
	int lineno = 0;

	*out = NULL;
	if (buf_read_file(&b, path, ACCESS_FILE_MAX, e) == -1)
		return -1;
	if (b.data != NULL && memchr(b.data, '\0', b.len) != NULL) {
		buf_free(&b);
		return err_set(e, E_CONFIG, "%s: a NUL byte", path);
	}
	a = xcalloc(1, sizeof(*a));
	for (line = b.data; line != NULL && *line != '\0'; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (strlen(line) > ACCESS_LINE_MAX) {
			err_set(e, E_CONFIG, "%s:%d: line longer than %d "
			    "bytes", path, lineno, ACCESS_LINE_MAX);
			break;
		}
		if (strlen(line) > 0 && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (access_line(a, line, why, sizeof(why)) == -1) {
			err_set(e, E_CONFIG, "%s:%d: %s", path, lineno, why);
			break;
		}
	}
	explicit_bzero(b.data, b.len);
	buf_free(&b);
	if (e->code != E_OK) {
		access_free(a);
		return -1;
	}
	*out = a;
	return 0;
}

void
access_free(struct access *a)
{
	size_t i, j;

	if (a == NULL)
		return;
	for (i = 0; i < a->nusers; i++) {
		for (j = 0; j < a->users[i].npw; j++)
			free(a->users[i].pw[j]);
		free(a->users[i].pw);
		free(a->users[i].tok);
		free(a->users[i].name);
	}
	for (i = 0; i < a->ngroups; i++) {
		for (j = 0; j < a->groups[i].n; j++)
			free(a->groups[i].members[j]);
		free(a->groups[i].members);
		free(a->groups[i].name);
	}
	for (i = 0; i < a->nrules; i++) {
		for (j = 0; j < a->rules[i].nwho; j++)
			free(a->rules[i].who[j]);
		free(a->rules[i].who);
		free(a->rules[i].patterns);
	}
	free(a->users);
	free(a->groups);
	free(a->rules);
	free(a);
}

/* 1 when crypt(3) of pass with hash gives hash (constant-time compare). */
static int
access_hash_ok(const char *hash, const char *pass)
{
	struct crypt_data *cd;
	const char *out;
	size_t n = strlen(hash);
	int ok;

	cd = xcalloc(1, sizeof(*cd));
	out = crypt_rn(pass, hash, cd, (int)sizeof(*cd));
	ok = out != NULL && strlen(out) == n &&
	    CRYPTO_memcmp(out, hash, n) == 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

const char *
access_password(const struct access *a, const char *user, const char *pass)
{
	const struct access_user *u;
	size_t i;
	int ok = 0;

	if (a == NULL || user == NULL || pass == NULL)
		return NULL;
	u = access_find_user(a, user);
	if (u == NULL || u->npw == 0) {
		/* The same work as for a user who exists. */
		if (a->dummy != NULL)
			(void)access_hash_ok(a->dummy, pass);
		return NULL;
	}
	for (i = 0; i < u->npw; i++)
		ok |= access_hash_ok(u->pw[i], pass);
	return ok ? u->name : NULL;
}

const char *
access_token(const struct access *a, const char *token)
{
	char digest[SHA256_HEX];
	const char *who = NULL;
	size_t i, j;

	if (a == NULL || token == NULL || token[0] == '\0')
		return NULL;
	dirhash_sha256_hex(token, strlen(token), digest);
	/* Every digest is compared: the time does not depend on which. */
	for (i = 0; i < a->nusers; i++)
		for (j = 0; j < a->users[i].ntok; j++)
			if (CRYPTO_memcmp(a->users[i].tok[j], digest,
			    SHA256_HEX - 1) == 0)
				who = a->users[i].name;
	explicit_bzero(digest, sizeof(digest));
	return who;
}

/* 1 when rule r names user (not NULL). */
static int
access_rule_names(const struct access *a, const struct access_rule *r,
    const char *user)
{
	const struct access_group *g;
	size_t i, j;

	for (i = 0; i < r->nwho; i++) {
		if (strcmp(r->who[i], "*") == 0 || (r->who[i][0] != '@' &&
		    strcmp(r->who[i], user) == 0))
			return 1;
		if (r->who[i][0] != '@' ||
		    (g = access_find_group(a, r->who[i] + 1)) == NULL)
			continue;
		for (j = 0; j < g->n; j++)
			if (strcmp(g->members[j], user) == 0)
				return 1;
	}
	return 0;
}

/*
 * Rules match letters in any case (hosts are case-insensitive, so
 * "github.com/!corp/x" is covered by "github.com/corp"), and folding
 * only adds denials: when some rule matches module exactly, those rules
 * alone grant, as without folding; else the rules matching across case.
 */
int
access_visible(const struct access *a, const char *user, const char *module)
{
	size_t i;
	int exact, named, covered = 0, granted = 0, xcovered = 0,
	    xgranted = 0;

	if (a == NULL || module == NULL || module[0] == '\0')
		return 1;
	for (i = 0; i < a->nrules; i++) {
		exact = pattern_match(a->rules[i].patterns, module);
		if (!exact && !pattern_match_fold(a->rules[i].patterns,
		    module))
			continue;
		named = user != NULL &&
		    access_rule_names(a, &a->rules[i], user);
		covered = 1;
		granted |= named;
		xcovered |= exact;
		xgranted |= exact && named;
	}
	if (xcovered)
		return xgranted;
	return !covered || granted;
}

int
access_covered(const struct access *a, const char *module)
{
	size_t i;

	if (a == NULL || module == NULL || module[0] == '\0')
		return 0;
	for (i = 0; i < a->nrules; i++)
		if (pattern_match_fold(a->rules[i].patterns, module))
			return 1;
	return 0;
}

size_t
access_nrules(const struct access *a)
{
	return a != NULL ? a->nrules : 0;
}

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
 * hashed, with the hashes of an existing user (access_password says
 * which), so the time taken does not tell who exists.
 *
 * Loading is cheap: a hash is checked for its form only (the scheme,
 * libxcrypt's crypt_checksalt on its setting, then the length and
 * alphabet of its checksum); hashing with it, which costs what a login
 * costs, is left to ACCESS_LOAD_VERIFY (piraeus check-config).  Names are
 * found through hash tables, arrays grow geometrically: a file of
 * ACCESS_FILE_MAX loads in linear time.
 */
#include "config.h"

#include <crypt.h>
#include <stdint.h>
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
	size_t		  npw, pwcap;
	char		(*tok)[SHA256_HEX];	/* lower-case hex digests */
	size_t		  ntok, tokcap;
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
/* Names to their index in an array: open addressing, linear probing,
 * at most half full. */
struct access_names {
	struct access_slot {
		const char	*name;		/* NULL: empty */
		size_t		 i;
	}		*slot;
	size_t		 cap, n;		/* cap: 0 or a power of 2 */
};
struct access {
	struct access_user	*users;
	size_t			 nusers, usercap;
	struct access_group	*groups;
	size_t			 ngroups, groupcap;
	struct access_rule	*rules;
	size_t			 nrules, rulecap;
	struct access_names	 user_names, group_names;
	size_t			*pwusers;	/* users with a password */
	size_t			 npwusers, pwusercap;
	char			 key[SHA256_HEX];	/* the file's digest:
							 * picks the stand-in
							 * of an unknown user */
	int			 verify;	/* ACCESS_LOAD_VERIFY */
};

/*
 * The crypt(3) schemes accepted: the prefix of their hashes, and the form
 * of their checksum: its length, counted after the last "$" (bcrypt:
 * after the "$" of the cost, salt and checksum together).
 */
static const struct {
	const char	*prefix;
	size_t		 tail;		/* characters of ACCESS_CRYPT64 */
	int		 bcrypt;	/* "$2b$NN$": the tail follows */
} access_schemes[] = {
	{ "$y$", 43, 0 },		/* yescrypt: 256 bits */
	{ "$2b$", 53, 1 },		/* bcrypt: 22 of salt, 31 of hash */
	{ "$2y$", 53, 1 },
	{ "$6$", 86, 0 },		/* sha512crypt: 512 bits */
};
#define ACCESS_CRYPT64	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"abcdefghijklmnopqrstuvwxyz"

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

/* Room for one more in *p (n used, *cap allocated), doubling. */
static void *
access_grow(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap == 0 ? 4 : 2 * *cap;
	return xreallocarray(p, *cap, size);
}

/* FNV-1a of s. */
static size_t
access_hash_name(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

/* The slot of name in t: its own, or the empty one it would take. */
static struct access_slot *
access_names_slot(const struct access_names *t, const char *name)
{
	size_t i = access_hash_name(name) & (t->cap - 1);

	while (t->slot[i].name != NULL && strcmp(t->slot[i].name, name) != 0)
		i = (i + 1) & (t->cap - 1);
	return &t->slot[i];
}

/* The index name was added with, or -1 (as SIZE_MAX). */
static size_t
access_names_find(const struct access_names *t, const char *name)
{
	const struct access_slot *sl;

	if (t->cap == 0)
		return SIZE_MAX;
	sl = access_names_slot(t, name);
	return sl->name != NULL ? sl->i : SIZE_MAX;
}

/* Add name (not in t; the string must outlive t) as index i. */
static void
access_names_add(struct access_names *t, const char *name, size_t i)
{
	struct access_names old = *t;
	struct access_slot *sl;
	size_t j;

	if (2 * (t->n + 1) > t->cap) {
		t->cap = t->cap == 0 ? 16 : 2 * t->cap;
		t->slot = xcalloc(t->cap, sizeof(*t->slot));
		t->n = 0;
		for (j = 0; j < old.cap; j++)
			if (old.slot[j].name != NULL)
				access_names_add(t, old.slot[j].name,
				    old.slot[j].i);
		free(old.slot);
	}
	sl = access_names_slot(t, name);
	sl->name = name;
	sl->i = i;
	t->n++;
}

static struct access_user *
access_find_user(const struct access *a, const char *name)
{
	size_t i = access_names_find(&a->user_names, name);

	return i != SIZE_MAX ? &a->users[i] : NULL;
}

static struct access_group *
access_find_group(const struct access *a, const char *name)
{
	size_t i = access_names_find(&a->group_names, name);

	return i != SIZE_MAX ? &a->groups[i] : NULL;
}

/*
 * The form of a hash: an accepted scheme, a setting libxcrypt takes, and a
 * checksum of the scheme's length and alphabet.  0, or -1 and why, which
 * quotes at most the scheme's prefix: a password put here by mistake
 * must not reach logs or check-config's output.
 */
static int
access_hash_shape(const char *hash, char *why, size_t whysz)
{
	const char *tail;
	size_t i, n;

	for (i = 0; i < NITEMS(access_schemes); i++)
		if (strncmp(hash, access_schemes[i].prefix,
		    strlen(access_schemes[i].prefix)) == 0)
			break;
	if (i == NITEMS(access_schemes))
		return access_why(why, whysz, "password hash: not a crypt(3) "
		    "hash of $y$ (yescrypt), $2b$/$2y$ (bcrypt) or $6$ "
		    "(sha512crypt)");
	if (crypt_checksalt(hash) != CRYPT_SALT_OK)
		return access_why(why, whysz, "password hash %s...: "
		    "malformed or disabled in this libcrypt",
		    access_schemes[i].prefix);
	n = strlen(access_schemes[i].prefix);
	if (access_schemes[i].bcrypt)	/* "$2b$" "NN" "$" */
		tail = strlen(hash) > n + 3 && hash[n + 2] == '$' ?
		    hash + n + 3 : NULL;
	else
		tail = strrchr(hash, '$') + 1;
	if (tail == NULL || strlen(tail) != access_schemes[i].tail ||
	    strspn(tail, ACCESS_CRYPT64) != access_schemes[i].tail)
		return access_why(why, whysz, "password hash %s...: "
		    "incomplete (a setting, or cut short) or not of this "
		    "scheme's alphabet", access_schemes[i].prefix);
	return 0;
}

int
access_check_hash(const char *hash, char *why, size_t whysz)
{
	struct crypt_data *cd;
	const char *out;
	int ok;

	if (access_hash_shape(hash, why, whysz) == -1)
		return -1;
	/* A whole hash, that libxcrypt computes: hashing with it gives a
	 * string of its length. */
	cd = xcalloc(1, sizeof(*cd));
	out = crypt_rn("", hash, cd, (int)sizeof(*cd));
	ok = out != NULL && out[0] != '*' && strlen(out) == strlen(hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	if (!ok)
		return access_why(why, whysz, "password hash: libcrypt "
		    "cannot hash with it");
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
	a->users = access_grow(a->users, a->nusers, &a->usercap,
	    sizeof(*a->users));
	u = &a->users[a->nusers++];
	memset(u, 0, sizeof(*u));
	u->name = xstrdup(w[1]);
	access_names_add(&a->user_names, u->name, a->nusers - 1);
	for (i = 2; i < n; i += 2) {
		if (strcmp(w[i], "password") == 0) {
			if ((a->verify ? access_check_hash(w[i + 1], why,
			    whysz) : access_hash_shape(w[i + 1], why,
			    whysz)) == -1)
				return -1;
			u->pw = access_grow(u->pw, u->npw, &u->pwcap,
			    sizeof(*u->pw));
			u->pw[u->npw++] = xstrdup(w[i + 1]);
			if (u->npw == 1) {
				a->pwusers = access_grow(a->pwusers,
				    a->npwusers, &a->pwusercap,
				    sizeof(*a->pwusers));
				a->pwusers[a->npwusers++] = a->nusers - 1;
			}
		} else if (strcmp(w[i], "token") == 0) {
			u->tok = access_grow(u->tok, u->ntok, &u->tokcap,
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
	a->groups = access_grow(a->groups, a->ngroups, &a->groupcap,
	    sizeof(*a->groups));
	g = &a->groups[a->ngroups++];
	g->name = xstrdup(w[1]);
	access_names_add(&a->group_names, g->name, a->ngroups - 1);
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
	a->rules = access_grow(a->rules, a->nrules, &a->rulecap,
	    sizeof(*a->rules));
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
access_load(const char *path, int flags, struct access **out,
    struct err *e)
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
	a->verify = (flags & ACCESS_LOAD_VERIFY) != 0;
	dirhash_sha256_hex(b.data != NULL ? b.data : "", b.len, a->key);
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
		for (j = 0; j < a->users[i].npw; j++) {
			explicit_bzero(a->users[i].pw[j],
			    strlen(a->users[i].pw[j]));
			free(a->users[i].pw[j]);
		}
		free(a->users[i].pw);
		if (a->users[i].ntok > 0)
			explicit_bzero(a->users[i].tok, a->users[i].ntok *
			    sizeof(*a->users[i].tok));
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
	free(a->user_names.slot);
	free(a->group_names.slot);
	free(a->pwusers);
	explicit_bzero(a->key, sizeof(a->key));
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

/*
 * The stand-in of a user name that has no password here: one of the users
 * who have one, chosen by SHA-256 of the file's digest and the name.
 *
 * Why this and not the file's most expensive hash: with mixed schemes or
 * costs, "the most expensive" makes every unknown name as slow as the
 * slowest user, and so slower than most users who exist -- the time
 * would still tell.  A stand-in drawn from the users themselves gives
 * unknown names the same spread of times as the names that exist.  The
 * choice is fixed for a name (the same time on every try, as for a real
 * user; CGI processes agree, since the key is the file's digest) and
 * cannot be foretold without the file (its hashes' salts are in the
 * digest).
 */
static const struct access_user *
access_standin(const struct access *a, const char *user)
{
	char buf[SHA256_HEX + IDENTITY_NAME_MAX], hex[SHA256_HEX];
	uint64_t v = 0;
	size_t i, n;

	if (a->npwusers == 0)
		return NULL;
	n = strnlen(user, IDENTITY_NAME_MAX - 1);
	memcpy(buf, a->key, SHA256_HEX - 1);
	memcpy(buf + SHA256_HEX - 1, user, n);
	dirhash_sha256_hex(buf, SHA256_HEX - 1 + n, hex);
	for (i = 0; i < 15; i++)
		v = v << 4 | (uint64_t)hex_digit((unsigned char)hex[i]);
	return &a->users[a->pwusers[v % a->npwusers]];
}

const char *
access_password(const struct access *a, const char *user, const char *pass)
{
	const struct access_user *u, *h;
	size_t i;
	int ok = 0;

	if (a == NULL || user == NULL || pass == NULL)
		return NULL;
	u = access_find_user(a, user);
	/* The same work as for a user who exists: all the hashes of the
	 * stand-in, whose answer is thrown away. */
	h = u != NULL && u->npw > 0 ? u : access_standin(a, user);
	if (h == NULL)
		return NULL;
	for (i = 0; i < h->npw; i++)
		ok |= access_hash_ok(h->pw[i], pass);
	return ok && h == u ? u->name : NULL;
}

const char *
access_standin_name(const struct access *a, const char *user)
{
	const struct access_user *u;

	if (a == NULL || user == NULL)
		return NULL;
	u = access_find_user(a, user);
	if (u != NULL && u->npw > 0)
		return NULL;
	u = access_standin(a, user);
	return u != NULL ? u->name : NULL;
}

size_t
access_npasswords(const struct access *a)
{
	return a != NULL ? a->npwusers : 0;
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

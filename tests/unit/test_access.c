/*
 * test_access.c: who may fetch what, as tables.
 *
 * auth_parse (auth.c): Authorization headers, Basic and Bearer, hostile
 * ones (bad base64, non-canonical padding, control bytes, no colon, over
 * the caps, unknown schemes).  access.c: password hashes of each scheme
 * ($y$, $2b$, $2y$, $6$; made here with crypt(3)) verified right and
 * wrong, schemes refused ($1$, $5$, plain, a setting alone, a cut hash),
 * tokens by SHA-256; file errors naming file:line; rules over users,
 * groups and "*" -> visible or not.  auth_identify: the [access] keys
 * (anonymous, trust_remote_user) and the header -> user or 401.
 * policy_decide: a hidden module is POLICY_REFUSE with E_NOTFOUND for
 * every kind, an allowed one is fetched.  response_error: E_UNAUTHORIZED
 * is 401 with both WWW-Authenticate challenges.  Also: the caps at their
 * boundaries (a secret of IDENTITY_SECRET_MAX - 1 bytes with the longest
 * name passes the header's cap), file errors that never quote a password
 * written where a hash belongs, the stand-in hashed for an unknown user
 * (one of the users, fixed per name, not always the first), auth_forget
 * wiping the request's credentials, and per-user answers sent "private"
 * (the prebuilt twins) with Vary: Authorization.
 */
#include "config.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"
#include "testhttp.h"

#define TOKEN_ALICE	"tok-alice-0123456789"
#define TOKEN_CAROL	"tok.carol~+/="

static char	tmpdir[256];
/* Writable strings for struct config's char * fields. */
static char	some_file[] = "x", empty[] = "", realm[] = "corp proxy";

/* A crypt(3) hash of pass with a fresh salt of prefix's scheme. */
static char *
mkhash(const char *prefix, const char *pass)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *h;
	char *res = NULL;

	if (cd != NULL && crypt_gensalt_rn(prefix, 0, NULL, 0, setting,
	    sizeof(setting)) != NULL && (h = crypt_rn(pass, setting, cd,
	    (int)sizeof(*cd))) != NULL && h[0] != '*')
		res = strdup(h);
	free(cd);
	if (res == NULL) {
		fprintf(stderr, "cannot hash with %s\n", prefix);
		exit(99);
	}
	return res;
}

/* The SHA-256 of s as "sha256:HEX". */
static void
mktoken(const char *s, char *dst, size_t dstsz)
{
	char hex[SHA256_HEX];

	dirhash_sha256_hex(s, strlen(s), hex);
	snprintf(dst, dstsz, "sha256:%s", hex);
}

/* Write text to tmpdir/name; the path into path. */
static void
put(const char *name, const char *text, char *path, size_t pathsz)
{
	FILE *f;

	snprintf(path, pathsz, "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(99);
	}
}

/* base64 of s (for Basic headers). */
static void
b64(const char *s, char *dst)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), i, o = 0;
	unsigned v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		dst[o++] = a[v >> 18 & 63];
		dst[o++] = a[v >> 12 & 63];
		dst[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
		dst[o++] = i + 2 < n ? a[v & 63] : '=';
	}
	dst[o] = '\0';
}

/*
 * Basic at the caps: the longest name with a secret of
 * IDENTITY_SECRET_MAX - 1 bytes is read whole; one byte more is refused
 * by the secret's cap (its message), not by the header's.
 */
static void
test_parse_caps(void)
{
	char cred[IDENTITY_NAME_MAX + IDENTITY_SECRET_MAX + 8];
	char enc[2 * sizeof(cred)], hdr[2 * sizeof(cred) + 16];
	struct auth_cred c;
	struct err e;
	size_t un = IDENTITY_NAME_MAX - 1;

	memset(cred, 'u', un);
	cred[un] = ':';
	memset(cred + un + 1, 'p', IDENTITY_SECRET_MAX - 1);
	cred[un + IDENTITY_SECRET_MAX] = '\0';
	b64(cred, enc);
	snprintf(hdr, sizeof(hdr), "Basic %s", enc);
	ok(strlen(hdr) <= AUTH_HEADER_MAX, "caps: the longest Basic header "
	    "is within AUTH_HEADER_MAX");
	err_clear(&e);
	ok(auth_parse(hdr, &c, &e) == 0 && c.scheme == AUTH_BASIC &&
	    strlen(c.user) == un && strlen(c.secret) ==
	    IDENTITY_SECRET_MAX - 1, "caps: a secret of IDENTITY_SECRET_MAX - 1 "
	    "bytes and the longest name are accepted");
	if (e.code != E_OK)
		printf("#   %s\n", e.msg);
	cred[un + 1 + IDENTITY_SECRET_MAX - 1] = 'p';
	cred[un + 1 + IDENTITY_SECRET_MAX] = '\0';
	b64(cred + un - 1, enc);	/* "u:" and IDENTITY_SECRET_MAX bytes */
	snprintf(hdr, sizeof(hdr), "Basic %s", enc);
	err_clear(&e);
	ok(auth_parse(hdr, &c, &e) == -1 && e.code == E_UNAUTHORIZED &&
	    strstr(e.msg, "password too long") != NULL,
	    "caps: a secret of IDENTITY_SECRET_MAX bytes is refused by its "
	    "own cap");
	if (strstr(e.msg, "password too long") == NULL)
		printf("#   got: %s\n", e.msg);
}

static void
test_parse(void)
{
	static const struct {
		const char	*name;
		const char	*header;
		enum auth_scheme scheme;	/* -1 below: an error */
		int		 rc;
		const char	*user;
		const char	*secret;
	} cases[] = {
		{ "none", NULL, AUTH_NONE, 0, "", "" },
		{ "empty", "", AUTH_NONE, 0, "", "" },
		{ "basic", "Basic YWxpY2U6czNjcmV0", AUTH_BASIC, 0, "alice",
		  "s3cret" },
		{ "scheme case-insensitive", "bAsIc YWxpY2U6czNjcmV0",
		  AUTH_BASIC, 0, "alice", "s3cret" },
		{ "blanks around", "Basic   YWxpY2U6czNjcmV0  ", AUTH_BASIC,
		  0, "alice", "s3cret" },
		{ "password with colons", "Basic YTpiOmM=", AUTH_BASIC, 0,
		  "a", "b:c" },
		{ "empty password", "Basic YTo=", AUTH_BASIC, 0, "a", "" },
		{ "one padding", "Basic YWI6Y2Q=", AUTH_BASIC, 0, "ab", "cd" },
		{ "bad base64 char", "Basic YWxp*2U6czNjcmV0", AUTH_NONE, -1,
		  NULL, NULL },
		{ "base64 length", "Basic YWxpY2U6czNjcmV", AUTH_NONE, -1,
		  NULL, NULL },
		{ "padding inside", "Basic YQ==YWxp", AUTH_NONE, -1, NULL,
		  NULL },
		{ "non-canonical padding bits", "Basic YTpiZ===", AUTH_NONE,
		  -1, NULL, NULL },
		{ "leftover bits set", "Basic YTp=", AUTH_NONE, -1, NULL,
		  NULL },
		{ "no colon", "Basic YWxpY2U=", AUTH_NONE, -1, NULL, NULL },
		{ "empty user", "Basic OnB3", AUTH_NONE, -1, NULL, NULL },
		{ "NUL in user", "Basic YQBiOmM=", AUTH_NONE, -1, NULL, NULL },
		{ "control byte in password", "Basic YTpiAWM=", AUTH_NONE, -1,
		  NULL, NULL },
		{ "Basic alone", "Basic", AUTH_NONE, -1, NULL, NULL },
		{ "Basic and blanks", "Basic   ", AUTH_NONE, -1, NULL, NULL },
		{ "CR LF in header", "Basic YTpi\r\nX-Evil: 1", AUTH_NONE, -1,
		  NULL, NULL },
		{ "tab", "Basic\tYTpi", AUTH_NONE, -1, NULL, NULL },
		{ "bearer", "Bearer " TOKEN_CAROL, AUTH_BEARER, 0, "",
		  TOKEN_CAROL },
		{ "bearer lower case", "bearer abc", AUTH_BEARER, 0, "",
		  "abc" },
		{ "bearer bad char", "Bearer ab,c", AUTH_NONE, -1, NULL,
		  NULL },
		{ "bearer = inside", "Bearer a=b", AUTH_NONE, -1, NULL, NULL },
		{ "bearer only =", "Bearer ==", AUTH_NONE, -1, NULL, NULL },
		{ "bearer two words", "Bearer a b", AUTH_NONE, -1, NULL,
		  NULL },
		{ "digest", "Digest username=\"a\"", AUTH_NONE, -1, NULL,
		  NULL },
		{ "scheme prefix", "Basicx YTpi", AUTH_NONE, -1, NULL, NULL },
		{ "unicode", "Bearer \xc3\xa9", AUTH_NONE, -1, NULL, NULL },
	};
	char big[AUTH_HEADER_MAX + 2300], name[128], userb64[2200];
	char longuser[IDENTITY_NAME_MAX + 8];
	struct auth_cred c;
	struct err e;
	size_t i;
	int rc;

	for (i = 0; i < NITEMS(cases); i++) {
		err_clear(&e);
		rc = auth_parse(cases[i].header, &c, &e);
		snprintf(name, sizeof(name), "parse %s: rc", cases[i].name);
		is_int(rc, cases[i].rc, name);
		if (cases[i].rc == -1) {
			snprintf(name, sizeof(name), "parse %s: 401",
			    cases[i].name);
			is_int(e.code, E_UNAUTHORIZED, name);
			continue;
		}
		snprintf(name, sizeof(name), "parse %s: scheme",
		    cases[i].name);
		is_int(c.scheme, cases[i].scheme, name);
		snprintf(name, sizeof(name), "parse %s: user", cases[i].name);
		is_str(c.user, cases[i].user, name);
		snprintf(name, sizeof(name), "parse %s: secret",
		    cases[i].name);
		is_str(c.secret, cases[i].secret, name);
	}
	/* Over the caps: the header, a token, a user name. */
	memcpy(big, "Bearer ", 7);
	memset(big + 7, 'a', sizeof(big) - 8);
	big[sizeof(big) - 1] = '\0';
	err_clear(&e);
	ok(auth_parse(big, &c, &e) == -1 && e.code == E_UNAUTHORIZED &&
	    strstr(e.msg, "longer") != NULL, "parse: header over its cap");
	big[7 + IDENTITY_SECRET_MAX] = '\0';
	err_clear(&e);
	ok(auth_parse(big, &c, &e) == -1 && strstr(e.msg, "Bearer token "
	    "longer") != NULL, "parse: token over its cap");
	big[7 + IDENTITY_SECRET_MAX - 1] = '\0';
	err_clear(&e);
	ok(auth_parse(big, &c, &e) == 0 && strlen(c.secret) ==
	    IDENTITY_SECRET_MAX - 1, "parse: token at its cap");
	memset(longuser, 'u', IDENTITY_NAME_MAX);
	memcpy(longuser + IDENTITY_NAME_MAX, ":pw", 4);
	b64(longuser, userb64);
	snprintf(big, sizeof(big), "Basic %s", userb64);
	err_clear(&e);
	ok(auth_parse(big, &c, &e) == -1 && e.code == E_UNAUTHORIZED,
	    "parse: user name over its cap");
	test_parse_caps();
}

/* The access file of the tests, with fresh hashes; its path into path. */
static void
write_acl(char *path, size_t pathsz)
{
	char *y = mkhash("$y$", "yes-pw"), *b = mkhash("$2b$", "bcrypt-pw");
	char *by = mkhash("$2y$", "bcrypt-y-pw"), *s = mkhash("$6$", "sha-pw");
	char ta[80], tc[80], *text;

	mktoken(TOKEN_ALICE, ta, sizeof(ta));
	mktoken(TOKEN_CAROL, tc, sizeof(tc));
	/* Upper-case hex is read as the same digest. */
	for (char *p = tc; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	tc[0] = 's';
	tc[1] = 'h';
	tc[2] = 'a';
	if (asprintf(&text,
	    "# test access file\n"
	    "\n"
	    "user alice password %s token %s\n"
	    "  user bob password %s\t\n"
	    "user carol password %s token %s\r\n"
	    "user dave password %s\n"
	    "user eve\n"
	    "group team alice bob\n"
	    "group ops eve\n"
	    "allow corp.example.com/*,git.corp.example.com @team\n"
	    "allow corp.example.com/ops @ops dave\n"
	    "allow shared.example.com *\n"
	    "allow github.com/corp/secret @ops\n",
	    y, ta, b, by, tc, s) == -1)
		exit(99);
	put("access", text, path, pathsz);
	free(text);
	free(y);
	free(b);
	free(by);
	free(s);
}

static void
test_secrets(const struct access *a)
{
	static const struct {
		const char	*user;
		const char	*pass;
		const char	*want;	/* NULL: refused */
	} pw[] = {
		{ "alice", "yes-pw", "alice" },		/* $y$ */
		{ "alice", "yes-pw ", NULL },
		{ "alice", "bcrypt-pw", NULL },
		{ "bob", "bcrypt-pw", "bob" },		/* $2b$ */
		{ "bob", "bcrypt-p", NULL },
		{ "carol", "bcrypt-y-pw", "carol" },	/* $2y$ */
		{ "carol", "", NULL },
		{ "dave", "sha-pw", "dave" },		/* $6$ */
		{ "dave", "SHA-pw", NULL },
		{ "eve", "", NULL },			/* no password */
		{ "eve", "x", NULL },
		{ "mallory", "yes-pw", NULL },		/* no such user */
		{ "Alice", "yes-pw", NULL },		/* names are exact */
	};
	static const struct {
		const char	*token;
		const char	*want;
	} tok[] = {
		{ TOKEN_ALICE, "alice" },
		{ TOKEN_CAROL, "carol" },
		{ "tok-alice-012345678", NULL },
		{ "", NULL },
		{ "yes-pw", NULL },
	};
	char name[128];
	size_t i;

	for (i = 0; i < NITEMS(pw); i++) {
		snprintf(name, sizeof(name), "password %s/%s", pw[i].user,
		    pw[i].pass);
		is_str(access_password(a, pw[i].user, pw[i].pass), pw[i].want,
		    name);
	}
	for (i = 0; i < NITEMS(tok); i++) {
		snprintf(name, sizeof(name), "token '%s'", tok[i].token);
		is_str(access_token(a, tok[i].token), tok[i].want, name);
	}
	ok(access_password(NULL, "alice", "yes-pw") == NULL &&
	    access_token(NULL, TOKEN_ALICE) == NULL, "no access file: nobody");
}

static void
test_hashes(void)
{
	char *y = mkhash("$y$", "x"), cut[256], why[256], name[128];
	struct {
		const char	*name;
		const char	*hash;
		int		 rc;
	} cases[] = {
		{ "yescrypt", y, 0 },
		{ "md5crypt refused", "$1$abcdefgh$0123456789abcdefghijkl", -1 },
		{ "sha256crypt refused", "$5$saltsalt$"
		  "0123456789012345678901234567890123456789012", -1 },
		{ "plain text", "s3cret", -1 },
		{ "DES refused", "abJnggxhB/yWI", -1 },
		{ "a setting alone", "$6$saltsaltsalt$", -1 },
		{ "a cut hash", cut, -1 },
		{ "empty", "", -1 },
	};
	size_t i;

	snprintf(cut, sizeof(cut), "%.*s", (int)strlen(y) - 3, y);
	for (i = 0; i < NITEMS(cases); i++) {
		snprintf(name, sizeof(name), "hash check: %s",
		    cases[i].name);
		is_int(access_check_hash(cases[i].hash, why, sizeof(why)),
		    cases[i].rc, name);
	}
	free(y);
}

/* A password written where its hash belongs never reaches the error
 * (logs, check-config): at most the scheme's prefix is quoted. */
static void
test_hash_quote(void)
{
	static const struct {
		const char	*name;
		const char	*value;
		const char	*scheme;	/* quoted, or NULL */
	} cases[] = {
		{ "plain text", "Hunter2Secret!pw", NULL },
		{ "bcrypt prefix then a password", "$2b$10$Hunter2Secret!pw",
		  "$2b$" },
		{ "yescrypt prefix then a password", "$y$Hunter2Secret!pw",
		  "$y$" },
		{ "sha512crypt prefix then a password",
		  "$6$Hunter2Secret!pw$x", "$6$" },
	};
	char why[256], name[160], text[128], path[512];
	struct access *a;
	struct err e;
	size_t i;

	for (i = 0; i < NITEMS(cases); i++) {
		snprintf(name, sizeof(name), "no password in the error: %s",
		    cases[i].name);
		ok(access_check_hash(cases[i].value, why, sizeof(why)) == -1 &&
		    strstr(why, "Hunter") == NULL && (cases[i].scheme ==
		    NULL || strstr(why, cases[i].scheme) != NULL), name);
		if (strstr(why, "Hunter") != NULL)
			printf("#   got: %s\n", why);
		snprintf(text, sizeof(text), "user a password %s\n",
		    cases[i].value);
		put("quote", text, path, sizeof(path));
		err_clear(&e);
		snprintf(name, sizeof(name), "no password in the file error: "
		    "%s", cases[i].name);
		ok(access_load(path, 0, &a, &e) == -1 &&
		    strstr(e.msg, "Hunter") == NULL, name);
		unlink(path);
	}
}

/*
 * An unknown user's password is hashed with a stand-in's hashes: one of
 * the users who have a password, the same for a name every time, and not
 * always the same user (the first hash of the file, whatever its cost,
 * would tell unknown names from users of another scheme or cost).
 */
static void
test_standin(const struct access *a)
{
	static const char *const withpw[] = { "alice", "bob", "carol",
	    "dave" };
	char nm[32], name[96];
	const char *s, *first = NULL;
	size_t i, j, inset = 0, differ = 0;

	for (i = 0; i < 64; i++) {
		snprintf(nm, sizeof(nm), "nobody%zu", i);
		s = access_standin_name(a, nm);
		for (j = 0; s != NULL && j < NITEMS(withpw); j++)
			if (strcmp(s, withpw[j]) == 0)
				inset++;
		if (first == NULL)
			first = s;
		else if (s != NULL && strcmp(s, first) != 0)
			differ++;
		if (s == NULL || strcmp(s, access_standin_name(a, nm)) != 0) {
			snprintf(name, sizeof(name), "stand-in of %s is "
			    "fixed", nm);
			ok(0, name);
		}
	}
	is_int((int)inset, 64, "stand-in: always a user with a password");
	ok(differ > 0, "stand-in: not always the same user");
	ok(access_standin_name(a, "eve") != NULL &&
	    strcmp(access_standin_name(a, "eve"), "eve") != 0,
	    "stand-in: a user without a password gets one too");
	ok(access_standin_name(a, "alice") == NULL,
	    "stand-in: none for a user with a password");
	is_int((int)access_npasswords(a), 4, "four users with a password");
}

/* auth_forget leaves nothing of the credentials in the request. */
static void
test_forget(const struct access *a)
{
	char hdr[128], enc[96];
	struct config cfg;
	struct request r;
	struct err e;
	size_t i;
	int left = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.access_file = some_file;
	b64("bob:bcrypt-pw", enc);
	snprintf(hdr, sizeof(hdr), "Basic %s", enc);
	memset(&r, 0, sizeof(r));
	err_clear(&e);
	ok(auth_identify(&cfg, a, hdr, NULL, &r, &e) == 0 &&
	    r.who.user != NULL && r.who.basic_pass != NULL &&
	    strcmp(r.who_basic_pass, "bcrypt-pw") == 0,
	    "forget: bob identified, his password kept for the request");
	auth_forget(&r);
	for (i = 0; i < sizeof(r.who_basic_pass); i++)
		left |= r.who_basic_pass[i];
	for (i = 0; i < sizeof(r.who_basic_user); i++)
		left |= r.who_basic_user[i];
	for (i = 0; i < sizeof(r.who_user); i++)
		left |= r.who_user[i];
	ok(left == 0 && r.who.user == NULL && r.who.basic_user == NULL &&
	    r.who.basic_pass == NULL, "forget: the credentials are wiped");
}

static void
test_file_errors(void)
{
	static const struct {
		const char	*name;
		const char	*text;
		const char	*msg;	/* after "<path>:" */
	} cases[] = {
		{ "unknown directive", "user a\ndeny x a\n",
		  "2: unknown directive \"deny\"" },
		{ "group of an unknown user", "user a\ngroup g a b\n",
		  "2: group g: unknown user b" },
		{ "rule naming an unknown group", "user a\nallow x.com @g\n",
		  "2: allow x.com: unknown group @g" },
		{ "rule naming an unknown user", "allow x.com bob\n",
		  "1: allow x.com: unknown user bob" },
		{ "rule without whom", "allow x.com\n", "1: allow needs" },
		{ "bad pattern", "user a\nallow x.com/[ a\n", "2: allow" },
		{ "user twice", "user a\nuser a\n", "2: user a is declared "
		  "twice" },
		{ "group twice", "user a\ngroup g a\ngroup g a\n",
		  "3: group g is declared twice" },
		{ "bad token", "user a token sha256:abc\n", "1: token must" },
		{ "token not hex", "user a token sha256:"
		  "zz00000000000000000000000000000000000000000000000000000000000000"
		  "\n", "1: token: \"z\" is not a hex digit" },
		{ "bad hash", "\n\nuser a password $1$x$y\n", "3: password "
		  "hash" },
		{ "option without value", "user a password\n", "1: user a: "
		  "\"password\" has no value" },
		{ "unknown option", "user a secret x\n", "1: user a: unknown "
		  "\"secret\"" },
		{ "bad user name", "user -a\n", "1: user needs a name" },
		{ "group name starting with @", "user a\ngroup @g a\n",
		  "2: group needs a name" },
		{ "control character", "user a\x01\n", "1: control "
		  "character" },
	};
	char path[512], name[160], want[768], *longline;
	struct access *a;
	struct err e;
	size_t i;

	for (i = 0; i < NITEMS(cases); i++) {
		put("bad", cases[i].text, path, sizeof(path));
		err_clear(&e);
		snprintf(name, sizeof(name), "file error: %s", cases[i].name);
		snprintf(want, sizeof(want), "%s:%s", path, cases[i].msg);
		ok(access_load(path, 0, &a, &e) == -1 && a == NULL &&
		    e.code == E_CONFIG && strncmp(e.msg, want,
		    strlen(want)) == 0, name);
		if (strncmp(e.msg, want, strlen(want)) != 0)
			printf("#   got: %s\n#   want: %s...\n", e.msg, want);
	}
	longline = malloc(ACCESS_LINE_MAX + 16);
	memcpy(longline, "user a\nuser ", 12);
	memset(longline + 12, 'b', ACCESS_LINE_MAX);
	longline[ACCESS_LINE_MAX + 12] = '\0';
	put("long", longline, path, sizeof(path));
	free(longline);
	err_clear(&e);
	snprintf(want, sizeof(want), "%s:2: line longer", path);
	ok(access_load(path, 0, &a, &e) == -1 && strncmp(e.msg, want,
	    strlen(want)) == 0, "file error: a line over its cap");
	err_clear(&e);
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	ok(access_load(path, 0, &a, &e) == -1 && strstr(e.msg, "missing") !=
	    NULL, "file error: a missing file names it");
	put("empty", "# nothing\n", path, sizeof(path));
	err_clear(&e);
	ok(access_load(path, 0, &a, &e) == 0 && access_nrules(a) == 0 &&
	    access_visible(a, NULL, "corp.example.com/x"),
	    "an empty file: no rules, everything visible");
	access_free(a);
}

static void
test_rules(const struct access *a)
{
	static const struct {
		const char	*user;
		const char	*module;
		int		 visible;
	} cases[] = {
		/* Not covered: everyone, anonymous too. */
		{ NULL, "example.com/public", 1 },
		{ "bob", "example.com/public", 1 },
		{ NULL, "corp.example.com", 1 },	/* the glob needs 2 */
		/* @team: alice and bob. */
		{ "alice", "corp.example.com/x", 1 },
		{ "bob", "corp.example.com/x/v2", 1 },
		{ "carol", "corp.example.com/x", 0 },
		{ "eve", "corp.example.com/x", 0 },
		{ NULL, "corp.example.com/x", 0 },
		{ "alice", "git.corp.example.com/a/b", 1 },
		{ "dave", "git.corp.example.com/a/b", 0 },
		{ "carol", "git.corp.example.community/a", 1 },	/* not a prefix */
		/* Two rules: the union of what they name. */
		{ "alice", "corp.example.com/ops", 1 },
		{ "eve", "corp.example.com/ops", 1 },
		{ "dave", "corp.example.com/ops", 1 },
		{ "carol", "corp.example.com/ops", 0 },
		{ "eve", "corp.example.com/ops2", 0 },
		/* "*": any authenticated user, not anonymous. */
		{ "carol", "shared.example.com/lib", 1 },
		{ "someone-else", "shared.example.com", 1 },
		{ NULL, "shared.example.com/lib", 0 },
		/* A web server's user not in the file. */
		{ "frank", "corp.example.com/x", 0 },
		{ "frank", "example.com/public", 1 },
		{ "team", "corp.example.com/x", 0 },	/* a group is no user */
		{ "@team", "corp.example.com/x", 0 },
		/* Letters in any case: github.com's owners and repositories
		 * are case-insensitive ("!corp" is "Corp"). */
		{ NULL, "github.com/Corp/secret", 0 },
		{ "carol", "github.com/Corp/secret", 0 },
		{ "carol", "github.com/corp/SECRET/v2", 0 },
		{ "eve", "github.com/Corp/Secret", 1 },
		{ "eve", "github.com/corp/secret", 1 },
		/* Folding never grants: the exact rule (@team) decides, not
		 * "corp.example.com/ops" across case. */
		{ "eve", "corp.example.com/OPS", 0 },
		{ "dave", "corp.example.com/OPS", 0 },
		{ "alice", "corp.example.com/OPS", 1 },
	};
	char name[160];
	size_t i;

	for (i = 0; i < NITEMS(cases); i++) {
		snprintf(name, sizeof(name), "visible: %s -> %s",
		    cases[i].user ? cases[i].user : "anonymous",
		    cases[i].module);
		is_int(access_visible(a, cases[i].user, cases[i].module),
		    cases[i].visible, name);
	}
	ok(access_covered(a, "corp.example.com/x") &&
	    !access_covered(a, "example.com/public") &&
	    access_covered(a, "github.com/Corp/Secret") &&
	    !access_covered(a, "github.com/Corp/secrets") &&
	    access_nrules(a) == 4, "covered (in any case) and the rule count");
	ok(access_visible(NULL, NULL, "corp.example.com/x") &&
	    access_visible(a, NULL, ""), "no file, or no module: visible");
}

static void
test_identify(const struct access *a)
{
	char basic_ok[128], basic_bad[128], h1[160], h2[160], h3[160];
	struct {
		const char	*name;
		int		 anonymous;
		int		 remote;	/* trust_remote_user */
		int		 file;		/* access file set */
		const char	*header;
		const char	*remote_user;
		int		 rc;
		const char	*user;
		const char	*basic_user;
	} cases[] = {
		{ "access off: nothing checked", 0, 0, 0, h2, NULL, 0, NULL,
		  "alice" },
		{ "access off: a bad header is ignored", 0, 0, 0,
		  "Basic !!", NULL, 0, NULL, NULL },
		{ "good password", 0, 0, 1, h1, NULL, 0, "alice", "alice" },
		{ "wrong password", 1, 0, 1, h2, NULL, -1, NULL, NULL },
		{ "good token", 0, 0, 1, h3, NULL, 0, "alice", NULL },
		{ "unknown token", 1, 0, 1, "Bearer nope", NULL, -1, NULL,
		  NULL },
		{ "malformed, anonymous allowed: still 401", 1, 0, 1,
		  "Basic ***", NULL, -1, NULL, NULL },
		{ "none, anonymous = no", 0, 0, 1, NULL, NULL, -1, NULL,
		  NULL },
		{ "none, anonymous = yes", 1, 0, 1, NULL, NULL, 0, NULL,
		  NULL },
		{ "REMOTE_USER trusted", 0, 1, 1, NULL, "frank", 0, "frank",
		  NULL },
		{ "REMOTE_USER trusted, its Basic header kept", 0, 1, 0, h2,
		  "alice", 0, "alice", "alice" },
		{ "REMOTE_USER not trusted", 0, 0, 1, NULL, "frank", -1,
		  NULL, NULL },
		{ "REMOTE_USER empty", 0, 1, 0, NULL, "", -1, NULL, NULL },
		{ "REMOTE_USER with a control byte", 0, 1, 0, NULL, "a\nb",
		  -1, NULL, NULL },
		{ "trusted, no REMOTE_USER, good password", 0, 1, 1, h1,
		  NULL, 0, "alice", "alice" },
	};
	struct config cfg;
	struct request r;
	struct err e;
	char name[160];
	size_t i;
	int rc;

	b64("alice:yes-pw", basic_ok);
	b64("alice:wrong", basic_bad);
	snprintf(h1, sizeof(h1), "Basic %s", basic_ok);
	snprintf(h2, sizeof(h2), "Basic %s", basic_bad);
	snprintf(h3, sizeof(h3), "Bearer %s", TOKEN_ALICE);
	for (i = 0; i < NITEMS(cases); i++) {
		memset(&cfg, 0, sizeof(cfg));
		memset(&r, 0, sizeof(r));
		cfg.access_anonymous = cases[i].anonymous;
		cfg.access_remote_user = cases[i].remote;
		cfg.access_file = cases[i].file ? some_file : NULL;
		err_clear(&e);
		rc = auth_identify(&cfg, cases[i].file ? a : NULL,
		    cases[i].header, cases[i].remote_user, &r, &e);
		snprintf(name, sizeof(name), "identify %s: rc",
		    cases[i].name);
		is_int(rc, cases[i].rc, name);
		if (rc == -1) {
			snprintf(name, sizeof(name), "identify %s: 401",
			    cases[i].name);
			is_int(e.code, E_UNAUTHORIZED, name);
		}
		snprintf(name, sizeof(name), "identify %s: user",
		    cases[i].name);
		is_str(rc == 0 ? r.who.user : NULL, cases[i].user, name);
		snprintf(name, sizeof(name), "identify %s: basic user",
		    cases[i].name);
		is_str(rc == 0 ? r.who.basic_user : NULL, cases[i].basic_user,
		    name);
	}
}

static void
test_policy(const struct access *a)
{
	static const enum want_kind kinds[] = {
		WANT_INFO, WANT_MOD, WANT_ZIP, WANT_QUERY, WANT_LIST,
		WANT_LATEST, WANT_SUMDB_PRIVATE,
	};
	struct upstream_list up;
	struct mode_table modes;
	struct config cfg;
	struct identity alice = { "alice", NULL, NULL };
	struct identity carol = { "carol", NULL, NULL };
	struct policy p;
	struct decision d;
	struct want w;
	struct err e;
	char name[128];
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.goprivate = empty;
	cfg.sumdb_nosum = empty;
	err_clear(&e);
	if (upstream_parse("direct", &up, &e) == -1 ||
	    mode_load("sync", &modes, &e) == -1) {
		ok(0, e.msg);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.cfg = &cfg;
	p.modes = &modes;
	p.up = &up;
	p.signer_name = "private.example";
	p.acl = a;
	for (i = 0; i < NITEMS(kinds); i++) {
		memset(&w, 0, sizeof(w));
		w.kind = kinds[i];
		w.module = "corp.example.com/x";
		w.emod = w.module;
		w.version = w.ever = "v1.0.0";
		w.canon = w.path = "";
		w.who = &carol;
		policy_decide(&p, &w, &d);
		snprintf(name, sizeof(name), "policy kind %d: hidden from "
		    "carol is refused as not found", (int)kinds[i]);
		ok(d.action == POLICY_REFUSE && d.why.code == E_NOTFOUND &&
		    strstr(d.why.msg, "not visible to carol") != NULL, name);
		w.who = NULL;
		policy_decide(&p, &w, &d);
		snprintf(name, sizeof(name), "policy kind %d: hidden from "
		    "anonymous", (int)kinds[i]);
		ok(d.action == POLICY_REFUSE && d.why.code == E_NOTFOUND,
		    name);
		w.who = &alice;
		policy_decide(&p, &w, &d);
		snprintf(name, sizeof(name), "policy kind %d: alice is "
		    "not refused", (int)kinds[i]);
		ok(d.action != POLICY_REFUSE, name);
	}
	/* A deferred fetch is the process's own: never hidden. */
	memset(&w, 0, sizeof(w));
	w.kind = WANT_ZIP;
	w.module = w.emod = "corp.example.com/x";
	w.version = "v1.0.0";
	w.ever = w.canon = w.path = "";
	w.now = 1;
	policy_decide(&p, &w, &d);
	ok(d.action == POLICY_FETCH, "policy: a deferred fetch is not hidden");
	upstream_free(&up);
	mode_free(&modes);
}

static void
test_401(void)
{
	struct io io = { NULL, capture, NULL };
	struct config cfg;
	struct response rs;
	struct request r;
	struct err e;
	size_t n;

	memset(&cfg, 0, sizeof(cfg));
	cfg.access_realm = realm;
	memset(&r, 0, sizeof(r));
	snprintf(r.uri, sizeof(r.uri), "/corp.example.com/x/@v/list");
	snprintf(r.module, sizeof(r.module), "corp.example.com/x");
	r.route = ROUTE_LIST;
	outlen = 0;
	response_init(&rs, &io, 0, &cfg);
	err_clear(&e);
	err_set(&e, E_UNAUTHORIZED, "credentials required");
	response_error(&rs, &r, &e);
	response_free(&rs);
	is_str(header("Status"), "401 Unauthorized", "401: status");
	ok(strstr(out, "WWW-Authenticate: Basic realm=\"corp proxy\", "
	    "charset=\"UTF-8\"\r\n") != NULL, "401: the Basic challenge");
	ok(strstr(out, "WWW-Authenticate: Bearer realm=\"corp proxy\"\r\n")
	    != NULL, "401: the Bearer challenge");
	is_str(header("Cache-Control"), "no-store", "401: not cached");
	is_str(body(&n), "unauthorized: credentials required\n",
	    "401: the body gives the reason, not the module");
	/* A per-user 404: "public" becomes "private". */
	outlen = 0;
	cfg.cache_notfound[0] = '\0';
	snprintf(cfg.cache_notfound, sizeof(cfg.cache_notfound),
	    "public, max-age=60");
	snprintf(cfg.cache_notfound_private,
	    sizeof(cfg.cache_notfound_private), "private, max-age=60");
	response_init(&rs, &io, 0, &cfg);
	rs.private_cache = 1;
	err_clear(&e);
	err_set(&e, E_NOTFOUND, "hidden");
	response_error(&rs, &r, &e);
	response_free(&rs);
	is_str(header("Cache-Control"), "private, max-age=60",
	    "a per-user answer is private to shared caches");
	is_str(header("Vary"), "Authorization", "404: Vary: Authorization");
	ok(strstr(out, "WWW-Authenticate") == NULL, "404: no challenge");
	/* The immutable files keep their lifetime in the client's cache. */
	outlen = 0;
	response_init(&rs, &io, 0, &cfg);
	rs.private_cache = 1;
	response_body(&rs, 200, "application/zip", CACHE_IMMUTABLE, "z", 1);
	response_free(&rs);
	is_str(header("Cache-Control"), "private, max-age=31536000, immutable",
	    "a per-user zip: private, immutable");
	is_str(header("Vary"), "Authorization", "200: Vary: Authorization");
	/* A "public" value without a prebuilt twin is never sent. */
	outlen = 0;
	response_init(&rs, &io, 0, &cfg);
	rs.private_cache = 1;
	response_body(&rs, 200, "text/plain", "public, max-age=7", "z", 1);
	response_free(&rs);
	is_str(header("Cache-Control"), "no-store",
	    "a per-user answer of an unknown public value: no-store");
	/* Not per user: as it is, no Vary. */
	outlen = 0;
	response_init(&rs, &io, 0, &cfg);
	response_body(&rs, 200, "application/zip", CACHE_IMMUTABLE, "z", 1);
	response_free(&rs);
	is_str(header("Cache-Control"), CACHE_IMMUTABLE, "shared: public");
	ok(strstr(out, "Vary:") == NULL, "shared: no Vary");
}

int
main(void)
{
	struct access *a;
	struct err e;
	char path[512];

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_access.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return 99;
	test_parse();
	test_hashes();
	test_hash_quote();
	test_file_errors();
	write_acl(path, sizeof(path));
	err_clear(&e);
	if (!ok(access_load(path, 0, &a, &e) == 0, "the test file loads"))
		printf("#   %s\n", e.msg);
	else {
		test_secrets(a);
		test_standin(a);
		test_forget(a);
		test_rules(a);
		test_identify(a);
		test_policy(a);
		access_free(a);
	}
	test_401();
	unlink(path);
	put("bad", "", path, sizeof(path));
	unlink(path);
	put("long", "", path, sizeof(path));
	unlink(path);
	put("empty", "", path, sizeof(path));
	unlink(path);
	rmdir(tmpdir);
	return tap_done();
}

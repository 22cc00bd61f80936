/*
 * test_vcsauth.c: the pure parts of [policy] private_access = vcs.
 *
 * vcsauth_repo_url against the go command's vcsPaths rules (github.com,
 * bitbucket.org, a ".git" element; written out by hand from
 * cmd/go/internal/vcs), including what it must refuse; vcsauth_key
 * (distinct for every field, unambiguous framing, the secret never in
 * it); vcsauth_check_identity on hostile user names and secrets;
 * the Basic credentials auth_identify keeps, on well-formed and hostile
 * Authorization headers; and
 * vcsauth_check's answers that need no git: no credentials -> E_UNAUTHORIZED,
 * unusable ones -> E_NOTFOUND, an unknown repository -> E_UNAVAIL.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"

static const struct {
	const char	*module;
	const char	*url;		/* NULL: refused */
	enum errc	 code;		/* when refused */
} repo_cases[] = {
	{ "github.com/o/r", "https://github.com/o/r", E_OK },
	{ "github.com/o/r/v2", "https://github.com/o/r", E_OK },
	{ "github.com/o/r/sub/pkg", "https://github.com/o/r", E_OK },
	{ "github.com/O_x/r.y-z", "https://github.com/O_x/r.y-z", E_OK },
	{ "github.com/o", NULL, E_UNAVAIL },		/* no repository */
	{ "github.com/o/r.git", NULL, E_UNAVAIL },	/* noVCSSuffix */
	{ "github.com/o/r~x", NULL, E_UNAVAIL },	/* not [\w.-] */
	{ "github.com/o/r/a~b", NULL, E_UNAVAIL },
	{ "bitbucket.org/o/r", "https://bitbucket.org/o/r", E_OK },
	{ "bitbucket.org/o/r.hg", NULL, E_UNAVAIL },
	{ "git.example.test/p/repo.git", "https://git.example.test/p/repo",
	  E_OK },
	{ "git.example.test/p/repo.git/v2", "https://git.example.test/p/repo",
	  E_OK },
	{ "git.example.test/a/b.git/c.git", "https://git.example.test/a/b",
	  E_OK },
	{ "git.example.test/~u/repo.git", "https://git.example.test/~u/repo",
	  E_OK },
	{ "git.example.test/p/repo.hg", NULL, E_UNAVAIL },	/* not git */
	{ "git.example.test/p/repo", NULL, E_UNAVAIL },	/* no rule: meta */
	{ "example.com/x", NULL, E_UNAVAIL },
	{ "git.example.test/.git", NULL, E_UNAVAIL },
	{ "../etc/passwd.git", NULL, E_UNAVAIL },
	{ "git.example.test/p/re po.git", NULL, E_UNAVAIL },
	{ "", NULL, E_UNAVAIL },
};

static void
test_repo_url(void)
{
	char url[VCSAUTH_URL_MAX], name[256];
	struct err e;
	size_t i;
	int rc;

	for (i = 0; i < NITEMS(repo_cases); i++) {
		err_clear(&e);
		url[0] = '\0';
		rc = vcsauth_repo_url(repo_cases[i].module, url, sizeof(url),
		    &e);
		snprintf(name, sizeof(name), "repo of '%s'",
		    repo_cases[i].module);
		if (repo_cases[i].url != NULL) {
			is_int(rc, 0, name);
			is_str(url, repo_cases[i].url, name);
		} else {
			is_int(rc, -1, name);
			is_int(e.code, repo_cases[i].code, name);
		}
	}
	err_clear(&e);
	ok(vcsauth_repo_url("git.example.test/p/repo.git", url, 10, &e) == -1,
	    "a URL over the buffer is refused, not cut");
}

/* Make a fresh state directory under TMPDIR into dir (dirsz). */
static void
mkstate(char *dir, size_t dirsz)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, dirsz, "%s/test_vcsauth.XXXXXX", t != NULL && t[0] ==
	    '/' ? t : "/tmp");
	if (mkdtemp(dir) == NULL)
		exit(99);
}

static void
test_key(void)
{
	char a[VCSAUTH_KEY_MAX], b[VCSAUTH_KEY_MAX];
	char s1[256], s2[256], path[300];
	unsigned char k1[VCSAUTH_HMAC_KEY_LEN], k2[VCSAUTH_HMAC_KEY_LEN];
	unsigned char k1b[VCSAUTH_HMAC_KEY_LEN];
	struct stat st;
	struct err e;

	mkstate(s1, sizeof(s1));
	mkstate(s2, sizeof(s2));
	err_clear(&e);
	is_int(vcsauth_hmac_key(s1, k1, &e), 0, "hmac key: made");
	snprintf(path, sizeof(path), "%s/vcsauth/key", s1);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600 &&
	    st.st_size == VCSAUTH_HMAC_KEY_LEN,
	    "hmac key: vcsauth/key, mode 0600, 32 bytes");
	is_int(vcsauth_hmac_key(s2, k2, &e), 0, "hmac key: another state dir");
	ok(memcmp(k1, k2, sizeof(k1)) != 0, "hmac key: another state dir, "
	    "another key");
	is_int(vcsauth_hmac_key(s1, k1b, &e), 0, "hmac key: read again");
	ok(memcmp(k1, k1b, sizeof(k1)) == 0, "hmac key: the same one");
	is_int(vcsauth_hmac_key("relative", k1b, &e), -1,
	    "hmac key: no absolute state dir: refused");

	vcsauth_key(k1, "alice", "pw", "https://h/r", a);
	ok(strncmp(a, "vcsauth:", 8) == 0 && strlen(a) == 8 + 64,
	    "key: vcsauth: and 64 hex digits");
	vcsauth_key(k1, "alice", "pw", "https://h/r", b);
	is_str(a, b, "key: the same tuple, the same key");
	vcsauth_key(k2, "alice", "pw", "https://h/r", b);
	ok(strcmp(a, b) != 0, "key: the same tuple in another state dir: "
	    "another key");
	vcsauth_key(k1, "bob", "pw", "https://h/r", b);
	ok(strcmp(a, b) != 0, "key: another user, another key");
	vcsauth_key(k1, "alice", "pw2", "https://h/r", b);
	ok(strcmp(a, b) != 0, "key: another secret, another key");
	vcsauth_key(k1, "alice", "pw", "https://h/r2", b);
	ok(strcmp(a, b) != 0, "key: another repository, another key");
	/* Fields are framed: moving bytes between them changes the key. */
	vcsauth_key(k1, "ab", "c", "u", a);
	vcsauth_key(k1, "a", "bc", "u", b);
	ok(strcmp(a, b) != 0, "key: user/secret boundary is framed");
	vcsauth_key(k1, "secret-in-key", "hunter2", "https://h/r", a);
	ok(strstr(a, "hunter2") == NULL && strstr(a, "secret") == NULL,
	    "key: neither user nor secret readable in it");
	remove(path);
	snprintf(path, sizeof(path), "%s/vcsauth", s1);
	rmdir(path);
	rmdir(s1);
	snprintf(path, sizeof(path), "%s/vcsauth/key", s2);
	remove(path);
	snprintf(path, sizeof(path), "%s/vcsauth", s2);
	rmdir(path);
	rmdir(s2);
}

static void
test_identity(void)
{
	char big[IDENTITY_SECRET_MAX + 2];

	is_int(vcsauth_check_identity("alice", "pw"), 0, "identity: plain");
	is_int(vcsauth_check_identity("alice", ""), 0,
	    "identity: empty secret allowed (git sends it as is)");
	is_int(vcsauth_check_identity("", "pw"), -1, "identity: empty user");
	is_int(vcsauth_check_identity("a\nhost=evil", "pw"), -1,
	    "identity: newline in the user (credential protocol injection)");
	is_int(vcsauth_check_identity("alice", "pw\nusername=x"), -1,
	    "identity: newline in the secret");
	is_int(vcsauth_check_identity("al\rice", "pw"), -1,
	    "identity: CR in the user");
	is_int(vcsauth_check_identity("alice", "p\x7fw"), -1,
	    "identity: DEL in the secret");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(vcsauth_check_identity("alice", big), -1,
	    "identity: secret over IDENTITY_SECRET_MAX");
	big[IDENTITY_NAME_MAX] = '\0';
	is_int(vcsauth_check_identity(big, "pw"), -1,
	    "identity: user over IDENTITY_NAME_MAX");
	is_int(vcsauth_check_identity(NULL, "pw"), -1, "identity: NULL");
}

/* The Basic credentials as sent, with [access] off: auth_identify keeps
 * them for private_access whatever the rest of the header says. */
static const char *
basic_user(struct request *r, const char *hdr)
{
	struct config cfg;
	struct err e;

	memset(&cfg, 0, sizeof(cfg));
	memset(r, 0, sizeof(*r));
	err_clear(&e);
	if (auth_identify(&cfg, NULL, hdr, NULL, r, &e) == -1)
		return "(error)";
	return r->who.basic_user;
}

static void
test_basic(void)
{
	struct request r;
	char hdr[4200], b64[4096];
	char big[IDENTITY_SECRET_MAX + 16];

	is_str(basic_user(&r, "Basic YWxpY2U6czNjcjN0OnB3"), "alice",
	    "basic: user");				/* alice:s3cr3t:pw */
	is_str(r.who.basic_pass, "s3cr3t:pw", "basic: password keeps its ':'");
	is_str(basic_user(&r, "basic   YWxpY2U6czNjcjN0OnB3"), "alice",
	    "basic: scheme in any case, blanks");
	ok(basic_user(&r, "basic \t YWxpY2U6czNjcjN0OnB3") == NULL,
	    "basic: a tab is not a blank (RFC 7235: SP)");
	ok(basic_user(&r, NULL) == NULL && r.who.basic_pass == NULL,
	    "basic: no header: anonymous");
	ok(basic_user(&r, "Bearer YWxpY2U6cHc=") == NULL,
	    "basic: another scheme: anonymous");
	ok(basic_user(&r, "BasicYWxpY2U6cHc=") == NULL,
	    "basic: no blank after the scheme");
	ok(basic_user(&r, "Basic YWxpY2U=") == NULL,	/* alice */
	    "basic: no ':' : anonymous");
	ok(basic_user(&r, "Basic YWxpY2U6cHc") == NULL,	/* unpadded */
	    "basic: unpadded base64 refused");
	ok(basic_user(&r, "Basic YWxp!2U6cHc=") == NULL, "basic: not base64");
	ok(basic_user(&r, "Basic YWxpY2U6cHc= extra") == NULL,
	    "basic: trailing word");
	ok(basic_user(&r, "Basic YQBiOnB3") == NULL,	/* a\0b:pw */
	    "basic: NUL in the credentials");
	/* A password over the cap: refused, never cut. */
	memset(big, 'p', sizeof(big) - 1);
	memcpy(big, "u:", 2);
	big[sizeof(big) - 1] = '\0';
	note_b64_encode((const unsigned char *)big, strlen(big), b64,
	    sizeof(b64));
	snprintf(hdr, sizeof(hdr), "Basic %s", b64);
	ok(basic_user(&r, hdr) == NULL, "basic: password over the cap refused");
}

static void
test_check_nogit(void)
{
	static char state[] = "/nonexistent-state";
	struct config cfg;
	struct vcsauth_env env;
	struct identity who;
	struct err e;

	memset(&cfg, 0, sizeof(cfg));
	cfg.state_dir = state;
	cfg.private_access_ttl = 60;
	env.cfg = &cfg;
	env.idx = NULL;
	env.offline = 0;
	memset(&who, 0, sizeof(who));
	err_clear(&e);
	is_int(vcsauth_check(&env, "github.com/o/r", NULL, &e), -1,
	    "check: anonymous refused");
	is_int(e.code, E_UNAUTHORIZED, "check: anonymous: 401");
	err_clear(&e);
	vcsauth_check(&env, "github.com/o/r", &who, &e);
	is_int(e.code, E_UNAUTHORIZED, "check: no Basic credentials: 401");
	who.basic_user = "a\nb";
	who.basic_pass = "pw";
	err_clear(&e);
	vcsauth_check(&env, "github.com/o/r", &who, &e);
	is_int(e.code, E_NOTFOUND, "check: hostile user: 404, git not run");
	ok(strstr(e.msg, "pw") == NULL, "check: the secret is not in the "
	    "message");
	who.basic_user = "alice";
	err_clear(&e);
	vcsauth_check(&env, "example.com/x", &who, &e);
	is_int(e.code, E_UNAVAIL, "check: no repository rule: 503");
}

int
main(void)
{
	log_init("test_vcsauth", LOG_LVL_ERROR);
	test_repo_url();
	test_key();
	test_identity();
	test_basic();
	test_check_nogit();
	return tap_done();
}

/*
 * vcsauth.c: [policy] private_access = vcs, identity pass-through for
 * private modules.
 *
 * A request for a private module must carry Basic credentials that can
 * read the module's repository; the VCS itself is asked.  Here:
 *
 *  - the repository URL, as the go command finds it without the network
 *    (cmd/go/internal/vcs vcsPaths): github.com and bitbucket.org paths,
 *    or a path with a ".git" element; then the [direct] gitconfig's
 *    insteadOf rules, applied by git itself ("git ls-remote --get-url"),
 *    and any user:password of the result dropped (the operator's
 *    credentials never speak for a user);
 *  - the check: "git ls-remote URL HEAD" with a clean environment (an
 *    empty HOME of the state directory: no ~/.netrc, no gitconfig at all,
 *    GIT_TERMINAL_PROMPT=0, http and https only), the credentials given to
 *    git by a credential helper that reads them from its environment:
 *    never on a command line, never in a log;
 *  - the verdict cache: the index cache (scope "vcsauth") keyed by the
 *    HMAC-SHA256 of (user, SHA-256 of the secret, URL) under a random key
 *    of the state directory (vcsauth/key, 0600: the index alone gives
 *    nothing to guess passwords against), kept private_access_ttl
 *    seconds.  A grant and a refusal are kept; a VCS that cannot be asked
 *    is an error (E_UPSTREAM), never a grant, and is not kept.
 *
 * git runs through fetch_direct_run: its own process group, killed at
 * [direct] timeout.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "piraeus.h"

#define VCSAUTH_SCOPE		"vcsauth"
#define VCSAUTH_OUT_MAX		(64 * 1024)	/* ls-remote's stdout kept */
#define VCSAUTH_ERR_MAX		(16 * 1024)	/* its stderr, for the verdict */
#define VCSAUTH_ENV_MAX		32
#define VCSAUTH_DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"
#define VCSAUTH_USER_VAR	"PIRAEUS_VCSAUTH_USER"
#define VCSAUTH_PASS_VAR	"PIRAEUS_VCSAUTH_PASS"

extern char **environ;

/* Hosts the go command knows (vcsPaths): "host/O/R", git, https. */
static const char *const vcsauth_known_hosts[] = {
	"github.com",
	"bitbucket.org",
};

/* The VCS suffixes of the go command's generic rule; only git is ours. */
static const char *const vcsauth_suffixes[] = {
	".git", ".hg", ".svn", ".bzr", ".fossil",
};

/* Variables passed from our environment to git when set (proxies, CAs). */
static const char *const vcsauth_pass[] = {
	"PATH", "LANG", "TZ", "TMPDIR",
	"http_proxy", "https_proxy", "no_proxy", "all_proxy",
	"HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
	"SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH",
};

/*
 * git's words for "these credentials cannot read it" (LC_ALL=C): a
 * refusal.  Anything else that fails is a VCS that could not be asked.
 */
static const char *const vcsauth_denied[] = {
	"authentication failed",
	"could not read username",
	"could not read password",
	"terminal prompts disabled",
	"returned error: 401",
	"returned error: 403",
	"returned error: 404",
	"returned error: 410",
	"repository not found",
	"not found",
	"does not appear to be a git repository",
};

/* 1 when c is one of Go's \w . - (a path element's characters). */
static int
vcsauth_elem_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* 1 when s[0..len) is "[\w.\-]+" (with an optional leading "~" when
 * tilde). */
static int
vcsauth_elem_ok(const char *s, size_t len, int tilde)
{
	size_t i = 0;

	if (tilde && len > 0 && s[0] == '~')
		i = 1;
	if (i >= len)
		return 0;
	for (; i < len; i++)
		if (!vcsauth_elem_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The VCS suffix s[0..len) ends with (vcsauth_suffixes), or NULL. */
static const char *
vcsauth_suffix(const char *s, size_t len)
{
	size_t i, n;

	for (i = 0; i < NITEMS(vcsauth_suffixes); i++) {
		n = strlen(vcsauth_suffixes[i]);
		if (len > n && memcmp(s + len - n, vcsauth_suffixes[i], n) == 0)
			return vcsauth_suffixes[i];
	}
	return NULL;
}

/* A known host's rule: "host/O/R(/E)*", R without a VCS suffix.  1 and
 * url set, 0 when module is not on host, -1 and e when it is but does
 * not fit. */
static int
vcsauth_known(const char *host, const char *module, char *url,
    size_t urlsz, struct err *e)
{
	size_t hl = strlen(host), n, k;
	const char *p, *end, *root_end = NULL;

	if (strncmp(module, host, hl) != 0 ||
	    (module[hl] != '/' && module[hl] != '\0'))
		return 0;
	for (p = module + hl, k = 0; *p == '/'; p = end, k++) {
		end = strchr(p + 1, '/');
		if (end == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p - 1);
		if (!vcsauth_elem_ok(p + 1, n, 0))
			break;
		if (k == 1)
			root_end = end;
	}
	if (*p != '\0' || root_end == NULL)
		return err_set(e, E_UNAVAIL, "invalid %s import path %s",
		    host, module);
	p = root_end;
	while (p > module && p[-1] != '/')
		p--;
	if (vcsauth_suffix(p, (size_t)(root_end - p)) != NULL)
		return err_set(e, E_UNAVAIL, "invalid version control "
		    "suffix in %s/ path %s", host, module);
	if ((size_t)snprintf(url, urlsz, "https://%.*s",
	    (int)(root_end - module), module) >= urlsz)
		return err_set(e, E_UNAVAIL, "%s: repository URL too long",
		    module);
	return 1;
}

/* 1 when the first element s[0..len) is "([a-z0-9.\-]+\.)+[a-z0-9.\-]+"
 * (the generic rule's host; module paths have no port). */
static int
vcsauth_host_ok(const char *s, size_t len)
{
	size_t i;
	int dot = 0;

	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-'))
			return 0;
		if (s[i] == '.' && i >= 1 && i + 2 <= len)
			dot = 1;
	}
	return dot;
}

/* The generic rule: the first element after the host ending in a VCS
 * suffix ends the repository.  1 and url set, 0 when there is none,
 * -1 and e when it is not git or an element does not fit. */
static int
vcsauth_qualified(const char *module, char *url, size_t urlsz,
    struct err *e)
{
	const char *p, *end, *suf, *repo_end = NULL;
	size_t n;

	end = strchr(module, '/');
	if (end == NULL || !vcsauth_host_ok(module, (size_t)(end - module)))
		return 0;
	for (p = end; *p == '/'; p = end) {
		end = strchr(p + 1, '/');
		if (end == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p - 1);
		if (!vcsauth_elem_ok(p + 1, n, 1))
			return repo_end == NULL ? 0 : err_set(e, E_UNAVAIL,
			    "%s: a path element does not fit the go "
			    "command's rule", module);
		if (repo_end == NULL && (suf = vcsauth_suffix(p + 1, n)) !=
		    NULL) {
			if (strcmp(suf, ".git") != 0)
				return err_set(e, E_UNAVAIL, "%s: only git "
				    "repositories are checked (%s)", module,
				    suf + 1);
			repo_end = end - strlen(suf);
			if (!vcsauth_elem_ok(p + 1,
			    (size_t)(repo_end - p - 1), 1))
				return err_set(e, E_UNAVAIL, "%s: no "
				    "repository name before .git", module);
		}
	}
	if (repo_end == NULL)
		return 0;
	if ((size_t)snprintf(url, urlsz, "https://%.*s",
	    (int)(repo_end - module), module) >= urlsz)
		return err_set(e, E_UNAVAIL, "%s: repository URL too long",
		    module);
	return 1;
}

int
vcsauth_repo_url(const char *module, char *url, size_t urlsz,
    struct err *e)
{
	struct err pe;
	size_t i;
	int rc;

	err_clear(&pe);
	if (module == NULL || module[0] == '\0' || modpath_check(module,
	    &pe) == -1)
		return err_set(e, E_UNAVAIL, "not a module path");
	for (i = 0; i < NITEMS(vcsauth_known_hosts); i++)
		if ((rc = vcsauth_known(vcsauth_known_hosts[i], module, url,
		    urlsz, e)) != 0)
			return rc == 1 ? 0 : -1;
	if ((rc = vcsauth_qualified(module, url, urlsz, e)) != 0)
		return rc == 1 ? 0 : -1;
	return err_set(e, E_UNAVAIL, "%s: no repository known for private "
	    "access checks (github.com, bitbucket.org or a path with a .git "
	    "element; no ?go-get=1 lookup is made)", module);
}

/*
 * The verdict keys' HMAC key: state_dir/vcsauth/key, 32 random bytes made
 * on first use (a 0600 file written whole under a temporary name, then
 * linked into place: the first writer wins, the others read its key).
 * Kept for the process, per state directory.
 */
static struct {
	char		*dir;
	unsigned char	 key[VCSAUTH_HMAC_KEY_LEN];
} vcsauth_hkey;

/* Read exactly VCSAUTH_HMAC_KEY_LEN bytes of path into key. */
static int
vcsauth_key_read(const char *path, unsigned char *key, struct err *e)
{
	unsigned char extra;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return err_errno(e, E_UNAVAIL, "open %s", path);
	while (got < VCSAUTH_HMAC_KEY_LEN) {
		n = read(fd, key + got, VCSAUTH_HMAC_KEY_LEN - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	n = got == VCSAUTH_HMAC_KEY_LEN ? read(fd, &extra, 1) : 0;
	close(fd);
	if (got != VCSAUTH_HMAC_KEY_LEN || n != 0)
		return err_set(e, E_UNAVAIL, "%s: not a %d-byte key", path,
		    VCSAUTH_HMAC_KEY_LEN);
	return 0;
}

/* Make path: random bytes into a 0600 temporary, linked into place. */
static int
vcsauth_key_make(const char *path, struct err *e)
{
	unsigned char key[VCSAUTH_HMAC_KEY_LEN];
	char *tmp;
	int fd, rc = 0;

	if (RAND_bytes(key, (int)sizeof(key)) != 1)
		return err_set(e, E_INTERNAL, "RAND_bytes failed");
	xasprintf(&tmp, "%s.%ld.tmp", path, (long)getpid());
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		rc = err_errno(e, E_UNAVAIL, "create %s", tmp);
		goto out;
	}
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) ||
	    fsync(fd) == -1)
		rc = err_errno(e, E_UNAVAIL, "write %s", tmp);
	if (close(fd) == -1 && rc == 0)
		rc = err_errno(e, E_UNAVAIL, "close %s", tmp);
	/* link, not rename: a key another process made first is kept. */
	if (rc == 0 && link(tmp, path) == -1 && errno != EEXIST)
		rc = err_errno(e, E_UNAVAIL, "link %s", path);
	(void)unlink(tmp);
out:
	OPENSSL_cleanse(key, sizeof(key));
	free(tmp);
	return rc;
}

int
vcsauth_hmac_key(const char *state_dir, unsigned char *key, struct err *e)
{
	char *dir, *path;
	int rc;

	if (state_dir == NULL || state_dir[0] != '/')
		return err_set(e, E_CONFIG, "private access: no state "
		    "directory");
	if (vcsauth_hkey.dir != NULL && strcmp(vcsauth_hkey.dir,
	    state_dir) == 0) {
		memcpy(key, vcsauth_hkey.key, VCSAUTH_HMAC_KEY_LEN);
		return 0;
	}
	xasprintf(&dir, "%s/vcsauth", state_dir);
	xasprintf(&path, "%s/key", dir);
	rc = 0;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		rc = err_errno(e, E_UNAVAIL, "mkdir %s", dir);
	if (rc == 0 && access(path, F_OK) == -1)
		rc = vcsauth_key_make(path, e);
	if (rc == 0)
		rc = vcsauth_key_read(path, key, e);
	if (rc == 0) {
		free(vcsauth_hkey.dir);
		vcsauth_hkey.dir = xstrdup(state_dir);
		memcpy(vcsauth_hkey.key, key, VCSAUTH_HMAC_KEY_LEN);
	}
	free(dir);
	free(path);
	return rc;
}

/* Append len and bytes of s to b (the key's unambiguous framing). */
static void
vcsauth_frame(struct buf *b, const char *s)
{
	struct err e;

	err_clear(&e);
	buf_printf(b, &e, "%zu:", strlen(s));
	buf_puts(b, s, &e);
}

void
vcsauth_key(const unsigned char *hkey, const char *user, const char *secret,
    const char *url, char out[VCSAUTH_KEY_MAX])
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, i;
	char sh[SHA256_HEX], kh[SHA256_HEX];
	struct buf b;

	dirhash_sha256_hex(secret, strlen(secret), sh);
	buf_init(&b, IDENTITY_NAME_MAX + VCSAUTH_URL_MAX + 2 * SHA256_HEX);
	vcsauth_frame(&b, user);
	vcsauth_frame(&b, sh);
	vcsauth_frame(&b, url);
	if (HMAC(sha256_md(), hkey, VCSAUTH_HMAC_KEY_LEN,
	    (const unsigned char *)(b.data != NULL ? b.data : ""), b.len, mac,
	    &maclen) == NULL || maclen * 2 + 1 != SHA256_HEX)
		fatalx("vcsauth: HMAC-SHA256 failed");
	for (i = 0; i < maclen; i++) {
		kh[2 * i] = hexd[mac[i] >> 4];
		kh[2 * i + 1] = hexd[mac[i] & 0x0f];
	}
	kh[2 * maclen] = '\0';
	OPENSSL_cleanse(sh, sizeof(sh));
	buf_free(&b);
	snprintf(out, VCSAUTH_KEY_MAX, "vcsauth:%s", kh);
}

int
vcsauth_check_identity(const char *user, const char *secret)
{
	const unsigned char *p;

	if (user == NULL || secret == NULL || user[0] == '\0' ||
	    strlen(user) >= IDENTITY_NAME_MAX ||
	    strlen(secret) >= IDENTITY_SECRET_MAX)
		return -1;
	for (p = (const unsigned char *)user; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	for (p = (const unsigned char *)secret; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	return 0;
}

/* The child's environment: "NAME=value" strings, allocated. */
struct vcsauth_envv {
	char	*v[VCSAUTH_ENV_MAX + 1];
	size_t	 n;
};

static void
vcsauth_setenv(struct vcsauth_envv *env, const char *name, const char *value)
{
	if (env->n >= VCSAUTH_ENV_MAX)
		fatalx("vcsauth: environment table full");
	xasprintf(&env->v[env->n++], "%s=%s", name, value);
	env->v[env->n] = NULL;
}

/* Free the strings, the secret's wiped first. */
static void
vcsauth_env_free(struct vcsauth_envv *env)
{
	size_t i;

	for (i = 0; i < env->n; i++) {
		memset(env->v[i], 0, strlen(env->v[i]));
		free(env->v[i]);
	}
	env->n = 0;
	env->v[0] = NULL;
}

/*
 * git's environment: what vcsauth_pass names, a home of ours, no
 * prompts, only http(s), and for the check (user not NULL) the
 * credentials; gitconfig is the global config (NULL: none at all).
 */
static void
vcsauth_env_build(const char *home, const char *gitconfig, const char *user,
    const char *secret, struct vcsauth_envv *env)
{
	char ceiling[VCSAUTH_URL_MAX];
	const char *v, *slash;
	size_t i;
	int path = 0;

	slash = strrchr(home, '/');
	snprintf(ceiling, sizeof(ceiling), "%.*s", slash != NULL && slash >
	    home ? (int)(slash - home) : 1, slash != NULL && slash > home ?
	    home : "/");

	env->n = 0;
	env->v[0] = NULL;
	for (i = 0; i < NITEMS(vcsauth_pass); i++) {
		if ((v = getenv(vcsauth_pass[i])) == NULL)
			continue;
		vcsauth_setenv(env, vcsauth_pass[i], v);
		path |= strcmp(vcsauth_pass[i], "PATH") == 0;
	}
	if (!path)
		vcsauth_setenv(env, "PATH", VCSAUTH_DEFAULT_PATH);
	vcsauth_setenv(env, "HOME", home);
	vcsauth_setenv(env, "LC_ALL", "C");
	vcsauth_setenv(env, "GIT_TERMINAL_PROMPT", "0");
	vcsauth_setenv(env, "GCM_INTERACTIVE", "never");
	vcsauth_setenv(env, "GIT_CONFIG_NOSYSTEM", "1");
	vcsauth_setenv(env, "GIT_CONFIG_GLOBAL", gitconfig != NULL ?
	    gitconfig : "/dev/null");
	vcsauth_setenv(env, "GIT_ALLOW_PROTOCOL", "http:https");
	/* home's parent is a ceiling: a state directory inside a work tree
	 * never lends git that tree's .git/config. */
	vcsauth_setenv(env, "GIT_CEILING_DIRECTORIES", ceiling);
	if (user != NULL) {
		vcsauth_setenv(env, VCSAUTH_USER_VAR, user);
		vcsauth_setenv(env, VCSAUTH_PASS_VAR, secret);
	}
}

/* git along our PATH (or the default one) into out (allocated). */
static int
vcsauth_find_git(char **out, struct err *e)
{
	const char *path = getenv("PATH"), *p, *end;
	size_t len;
	char *cand;

	if (path == NULL || path[0] == '\0')
		path = VCSAUTH_DEFAULT_PATH;
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len > 0 && p[0] == '/') {
			xasprintf(&cand, "%.*s/git", (int)len, p);
			if (access(cand, X_OK) == 0) {
				*out = cand;
				return 0;
			}
			free(cand);
		}
		if (end == NULL)
			break;
	}
	return err_set(e, E_UPSTREAM, "private access: git not found in "
	    "PATH");
}

/* state_dir/vcsauth/home (made, 0700) into *out (allocated). */
static int
vcsauth_home(const struct config *cfg, char **out, struct err *e)
{
	char *dir;

	if (cfg->state_dir == NULL || cfg->state_dir[0] != '/')
		return err_set(e, E_CONFIG, "private access: no state "
		    "directory");
	xasprintf(&dir, "%s/vcsauth", cfg->state_dir);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		err_errno(e, E_UNAVAIL, "mkdir %s", dir);
		free(dir);
		return -1;
	}
	free(dir);
	xasprintf(out, "%s/vcsauth/home", cfg->state_dir);
	if (mkdir(*out, 0700) == -1 && errno != EEXIST) {
		err_errno(e, E_UNAVAIL, "mkdir %s", *out);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* One git run in home; out, errout, status as fetch_direct_run. */
static int
vcsauth_git(const struct config *cfg, const char *git, const char *home,
    char *const argv[], const struct vcsauth_envv *env, struct buf *out,
    struct buf *errout, int *status, struct err *e)
{
	buf_init(out, VCSAUTH_OUT_MAX);
	buf_init(errout, VCSAUTH_ERR_MAX);
	return fetch_direct_run(git, argv, env->v, home,
	    cfg->direct_timeout, out, errout, status, e);
}

/* argv (allocated copies) from the NULL-terminated in; at most n - 1. */
static void
vcsauth_argv(const char *const in[], char *out[], size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && in[i] != NULL; i++)
		out[i] = xstrdup(in[i]);
	out[i] = NULL;
}

static void
vcsauth_argv_free(char *argv[])
{
	size_t i;

	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
}

/* 0 when url may carry a user's credentials: https, or http with
 * [policy] private_access_http = yes; else -1 and e (E_UNAVAIL). */
static int
vcsauth_scheme_ok(const struct config *cfg, const char *url, struct err *e)
{
	char redacted[VCSAUTH_URL_MAX];

	if (strncmp(url, "https://", 8) == 0 ||
	    (strncmp(url, "http://", 7) == 0 && cfg->private_access_http))
		return 0;
	upstream_redact(url, redacted, sizeof(redacted));
	return err_set(e, E_UNAVAIL, "private access: the repository %s is "
	    "not https: users' credentials are not sent to it (see [policy] "
	    "private_access_http)", redacted);
}

/*
 * The URL git would use for url: the [direct] gitconfig's insteadOf
 * applied ("git ls-remote --get-url"), user:password dropped; http or
 * https only.  0 and out set, or -1 and e (E_UNAVAIL).
 */
static int
vcsauth_rewrite(const struct config *cfg, const char *git, const char *home,
    const char *url, char *out, size_t outsz, struct err *e)
{
	struct vcsauth_envv env;
	struct buf o, er;
	const char *args[] = { "git", "ls-remote", "--get-url", "--", url,
	    NULL };
	char *argv[NITEMS(args)];
	const char *s, *host, *at, *slash;
	size_t len;
	int st, rc;

	if (cfg->gitconfig == NULL || cfg->gitconfig[0] == '\0') {
		snprintf(out, outsz, "%s", url);
		return vcsauth_scheme_ok(cfg, out, e);
	}
	vcsauth_argv(args, argv, NITEMS(argv));
	vcsauth_env_build(home, cfg->gitconfig, NULL, NULL, &env);
	rc = vcsauth_git(cfg, git, home, argv, &env, &o, &er, &st, e);
	vcsauth_env_free(&env);
	vcsauth_argv_free(argv);
	if (rc == 0 && (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0))
		rc = err_set(e, E_UNAVAIL, "private access: git ls-remote "
		    "--get-url %s failed", url);
	s = o.data != NULL ? o.data : "";
	len = strcspn(s, "\r\n");
	if (rc == 0 && (len == 0 || len >= outsz || s[len] == '\0'))
		rc = err_set(e, E_UNAVAIL, "private access: no URL from git "
		    "ls-remote --get-url %s", url);
	if (rc == 0) {
		if (strncmp(s, "https://", 8) == 0)
			host = s + 8;
		else if (strncmp(s, "http://", 7) == 0)
			host = s + 7;
		else
			host = NULL;
		if (host == NULL)
			rc = err_set(e, E_UNAVAIL, "private access: %s is "
			    "rewritten to a URL that is not http(s); only "
			    "http(s) repositories are checked", url);
	}
	if (rc == 0) {
		/* The operator's user:password never speaks for a user. */
		slash = memchr(host, '/', len - (size_t)(host - s));
		at = memchr(host, '@', (slash != NULL ? (size_t)(slash - host) :
		    len - (size_t)(host - s)));
		snprintf(out, outsz, "%.*s%.*s", (int)(host - s), s,
		    (int)(len - (size_t)((at != NULL ? at + 1 : host) - s)),
		    at != NULL ? at + 1 : host);
	}
	buf_free(&o);
	buf_free(&er);
	return rc == 0 ? vcsauth_scheme_ok(cfg, out, e) : rc;
}

/* 1 when git's stderr says the credentials cannot read the repository. */
static int
vcsauth_is_denied(const char *text)
{
	size_t i, j, n, tl = strlen(text);

	for (i = 0; i < NITEMS(vcsauth_denied); i++) {
		n = strlen(vcsauth_denied[i]);
		for (j = 0; j + n <= tl; j++)
			if (strncasecmp(text + j, vcsauth_denied[i], n) == 0)
				return 1;
	}
	return 0;
}

/*
 * Ask the VCS: "git ls-remote URL HEAD" with user and secret through a
 * credential helper reading them from git's environment.  0 granted,
 * 1 refused, -1 and e when git could not tell.
 */
static int
vcsauth_ask(const struct config *cfg, const char *git, const char *home,
    const char *url, const char *user, const char *secret, struct err *e)
{
	struct vcsauth_envv env;
	struct buf o, er;
	char redacted[VCSAUTH_URL_MAX];
	/* The first helper value empties the list: only ours is asked. */
	const char *args[] = { "git",
	    "-c", "credential.helper=",
	    "-c", "credential.helper=!f() { test \"$1\" = get "
		"&& printf 'username=%s\\npassword=%s\\n' "
		"\"$" VCSAUTH_USER_VAR "\" \"$" VCSAUTH_PASS_VAR "\"; }; f",
	    "-c", "core.askPass=",
	    "-c", "http.followRedirects=false",
	    "ls-remote", "--", url, "HEAD", NULL };
	char *argv[NITEMS(args)];
	int st, rc;

	vcsauth_argv(args, argv, NITEMS(argv));
	vcsauth_env_build(home, NULL, user, secret, &env);
	rc = vcsauth_git(cfg, git, home, argv, &env, &o, &er, &st, e);
	vcsauth_env_free(&env);
	vcsauth_argv_free(argv);
	upstream_redact(url, redacted, sizeof(redacted));
	if (rc == -1) {
		if (e->code == E_TIMEOUT) {
			err_clear(e);
			err_set(e, E_UPSTREAM, "private access: git ls-remote "
			    "%s timed out", redacted);
		}
	} else if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		rc = 0;
	else if (vcsauth_is_denied(er.data != NULL ? er.data : ""))
		rc = 1;
	else {
		upstream_redact_text(er.data != NULL ? er.data : "",
		    redacted, sizeof(redacted));
		rc = err_set(e, E_UPSTREAM, "private access: cannot ask the "
		    "repository: %.200s", redacted);
	}
	buf_free(&o);
	buf_free(&er);
	return rc;
}

int
vcsauth_check(const struct vcsauth_env *env, const char *module,
    const struct identity *who, struct err *e)
{
	const struct config *cfg = env->cfg;
	struct cache_key k;
	struct cache_entry c;
	char url[VCSAUTH_URL_MAX], real[VCSAUTH_URL_MAX];
	char key[VCSAUTH_KEY_MAX];
	unsigned char hkey[VCSAUTH_HMAC_KEY_LEN];
	char *git = NULL, *home = NULL;
	int rc, state;

	if (who == NULL || who->basic_user == NULL || who->basic_pass == NULL)
		return err_set(e, E_UNAUTHORIZED, "%s is private: send the "
		    "credentials of its repository (netrc or GOAUTH)", module);
	if (vcsauth_check_identity(who->basic_user, who->basic_pass) == -1) {
		log_info("private access: %s: unusable credentials refused",
		    module);
		return err_set(e, E_NOTFOUND, "%s: the credentials sent "
		    "cannot read its repository", module);
	}
	if (vcsauth_repo_url(module, url, sizeof(url), e) == -1)
		return -1;
	if (vcsauth_find_git(&git, e) == -1 || vcsauth_home(cfg, &home,
	    e) == -1)
		goto fail;
	if (vcsauth_rewrite(cfg, git, home, url, real, sizeof(real), e) == -1)
		goto fail;
	if (vcsauth_hmac_key(cfg->state_dir, hkey, e) == -1)
		goto fail;
	vcsauth_key(hkey, who->basic_user, who->basic_pass, real, key);
	OPENSSL_cleanse(hkey, sizeof(hkey));
	memset(&k, 0, sizeof(k));	/* not memo: a verdict can change */
	k.ix = env->idx;
	k.scope = VCSAUTH_SCOPE;
	k.key = key;
	state = cache_lookup(&k, cfg->private_access_ttl,
	    cfg->private_access_ttl, &c, e);
	if (state == -1) {
		log_warnx("private access: verdict cache: %s", e->msg);
		err_clear(e);
		state = CACHE_NONE;
	}
	if (state == CACHE_FRESH) {
		rc = c.code == E_OK ? 0 : 1;
		cache_entry_free(&c);
	} else {
		cache_entry_free(&c);
		if (env->offline) {
			err_set(e, E_UNAVAIL, "private access: no fresh "
			    "verdict and network_mode is offline");
			goto fail;
		}
		if ((rc = vcsauth_ask(cfg, git, home, real, who->basic_user,
		    who->basic_pass, e)) == -1)
			goto fail;
		log_info("private access: %s for %s: %s", who->basic_user,
		    module, rc == 0 ? "granted" : "refused");
		if (cache_put(&k, rc == 0 ? E_OK : E_NOTFOUND, "", 0, e) ==
		    -1) {
			log_warnx("private access: verdict cache: %s", e->msg);
			err_clear(e);
		}
	}
	free(git);
	free(home);
	if (rc == 0)
		return 0;
	return err_set(e, E_NOTFOUND, "%s: the credentials sent cannot read "
	    "its repository", module);
fail:
	free(git);
	free(home);
	return -1;
}

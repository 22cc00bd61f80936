/*
 * fetch_direct.c: the "direct" upstream, where the go command itself
 * fetches a module from its version control system.
 *
 * "go mod download -json module@query" (and "go list -m -versions" for
 * lists) runs with fork + execve, never through a shell, in an empty
 * directory of the state directory, with a persistent module cache there
 * (GOMODCACHE): a version fetched once is never cloned again, and the VCS
 * clones under cache/vcs are only updated.  The environment is built from
 * a list of names passed through (credentials, proxies, the operator's
 * GOSUMDB/GONOSUMDB/GOPRIVATE...) plus forced values (GOPROXY=direct, the
 * caches, no terminal prompts).
 *
 * The go process gets its own session and process group; at the deadline
 * the whole group is killed and the child reaped.  Its stdout and stderr
 * are read with caps.  At most [direct] workers go processes run at once
 * on a host: each holds a lock on one of the files state_dir/direct/slot-N
 * (fcntl locks, released by the kernel when the holder dies).
 *
 * go's answers are mapped to codes by a table of message fragments: a
 * version or repository that does not exist is E_NOTFOUND (the client may
 * try its next GOPROXY entry), a network failure E_UPSTREAM, the deadline
 * E_TIMEOUT.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "piraeus.h"

extern char **environ;

#define DIRECT_STDOUT_MAX	(1024 * 1024)	/* go's JSON answer */
#define DIRECT_STDERR_MAX	(64 * 1024)	/* kept for the message */
#define DIRECT_ENV_MAX		96		/* the child's environment */
#define DIRECT_ARGV_MAX		16
#define DIRECT_TICK_MS		100	/* poll tick while the pipes are open */
#define DIRECT_REAP_MS		10	/* tick once both pipes are closed */
#define DIRECT_GROUP_MS		500	/* wait for killed strays to die */
#define DIRECT_SLOT_MS_MIN	50	/* first wait for a free worker slot */
#define DIRECT_SLOT_MS_MAX	500
#define DIRECT_WORKERS_MAX	1024
#define DIRECT_FDS_MAX		65536	/* fds marked close-on-exec, fallback */
#define DIRECT_VERSIONS_MAX	100000	/* versions in one list */
#define DIRECT_COPY_CHUNK	65536
#define DIRECT_DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"

/* Variables passed from our environment to go when they are set. */
#define PASS_PLAIN	0x0
#define PASS_NOTCGI	0x1	/* not under CGI: a request could set it */
#define PASS_SOCKET	0x2	/* only when it names a socket */
static const struct {
	const char	*name;
	int		 flags;
} direct_pass[] = {
	{ "HOME", PASS_PLAIN },
	{ "PATH", PASS_PLAIN },
	{ "USER", PASS_PLAIN },
	{ "LOGNAME", PASS_PLAIN },
	{ "LANG", PASS_PLAIN },
	{ "LC_ALL", PASS_PLAIN },
	{ "LC_CTYPE", PASS_PLAIN },
	{ "TMPDIR", PASS_PLAIN },
	{ "TZ", PASS_PLAIN },
	{ "SSH_AUTH_SOCK", PASS_SOCKET },
	{ "GIT_SSH", PASS_PLAIN },
	{ "GIT_SSH_COMMAND", PASS_PLAIN },
	{ "GIT_ALLOW_PROTOCOL", PASS_PLAIN },
	{ "GIT_CONFIG_NOSYSTEM", PASS_PLAIN },
	{ "GIT_CONFIG_GLOBAL", PASS_PLAIN },
	{ "GIT_SSL_CAINFO", PASS_PLAIN },
	{ "GIT_SSL_CAPATH", PASS_PLAIN },
	{ "GIT_HTTP_LOW_SPEED_LIMIT", PASS_PLAIN },
	{ "GIT_HTTP_LOW_SPEED_TIME", PASS_PLAIN },
	{ "SSL_CERT_FILE", PASS_PLAIN },
	{ "SSL_CERT_DIR", PASS_PLAIN },
	{ "NETRC", PASS_PLAIN },
	{ "HGRCPATH", PASS_PLAIN },
	{ "http_proxy", PASS_PLAIN },
	{ "https_proxy", PASS_PLAIN },
	{ "no_proxy", PASS_PLAIN },
	{ "all_proxy", PASS_PLAIN },
	{ "HTTP_PROXY", PASS_NOTCGI },	/* httpoxy: the "Proxy:" header */
	{ "HTTPS_PROXY", PASS_PLAIN },
	{ "NO_PROXY", PASS_PLAIN },
	{ "ALL_PROXY", PASS_PLAIN },
	{ "GOROOT", PASS_PLAIN },
	{ "GOENV", PASS_PLAIN },
	{ "GOFLAGS", PASS_PLAIN },
	{ "GOSUMDB", PASS_PLAIN },
	{ "GONOSUMDB", PASS_PLAIN },
	{ "GONOSUMCHECK", PASS_PLAIN },
	{ "GOPRIVATE", PASS_PLAIN },
	{ "GONOPROXY", PASS_PLAIN },
	{ "GOINSECURE", PASS_PLAIN },
	{ "GOVCS", PASS_PLAIN },
	{ "GOTOOLCHAIN", PASS_PLAIN },
};

/* Variables always forced, whatever our environment says. */
static const struct {
	const char	*name;
	const char	*value;
} direct_fixed[] = {
	{ "GOPROXY", "direct" },
	{ "GO111MODULE", "on" },
	{ "GOWORK", "off" },
	{ "CGO_ENABLED", "0" },
	{ "GIT_TERMINAL_PROMPT", "0" },
	{ "GCM_INTERACTIVE", "never" },
};

/*
 * go's error text -> code, first match wins (case-insensitive).  The
 * hosting's own "not found" comes first, then network failures (go wraps
 * those in "invalid version" too), then go's words for a version or
 * module that does not exist.  No match: E_UPSTREAM.
 */
static const struct {
	const char	*needle;
	enum errc	 code;
} direct_errmap[] = {
	{ "returned error: 404", E_NOTFOUND },
	{ "returned error: 410", E_NOTFOUND },
	{ "404 not found", E_NOTFOUND },
	{ "410 gone", E_NOTFOUND },
	{ "repository not found", E_NOTFOUND },
	{ "does not appear to be a git repository", E_NOTFOUND },
	{ "terminal prompts disabled", E_NOTFOUND },
	{ "could not resolve host", E_UPSTREAM },
	{ "no such host", E_UPSTREAM },
	{ "connection refused", E_UPSTREAM },
	{ "connection reset", E_UPSTREAM },
	{ "network is unreachable", E_UPSTREAM },
	{ "timed out", E_UPSTREAM },
	{ "timeout", E_UPSTREAM },
	{ "tls handshake", E_UPSTREAM },
	{ "certificate", E_UPSTREAM },
	{ "unable to access", E_UPSTREAM },
	{ "rate limit", E_UPSTREAM },
	{ "checksum mismatch", E_UPSTREAM },
	{ "security error", E_UPSTREAM },
	{ "unknown revision", E_NOTFOUND },
	{ "invalid version", E_NOTFOUND },
	{ "no matching versions", E_NOTFOUND },
	{ "not found", E_NOTFOUND },
	{ "does not exist", E_NOTFOUND },
	{ "malformed module path", E_NOTFOUND },
	{ "unrecognized import path", E_NOTFOUND },
	{ "module declares its path as", E_NOTFOUND },
	{ "has non-", E_NOTFOUND },
	{ "has post-", E_NOTFOUND },
	{ "disallowed", E_NOTFOUND },
	{ "invalid", E_NOTFOUND },
};

/* The child's environment: "NAME=value" strings, allocated. */
struct direct_env {
	char	*v[DIRECT_ENV_MAX + 1];
	size_t	 n;
};

/* What one go run gave back. */
struct direct_result {
	struct buf	out;		/* stdout, capped */
	struct buf	errout;		/* stderr, capped (the rest dropped) */
	int		status;		/* waitpid status, -1 unknown */
};

static int64_t
direct_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
direct_sleep_ms(int64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The value of name in environ, or NULL. */
static const char *
direct_getenv(const char *name)
{
	size_t len = strlen(name);
	char **p;

	if (environ == NULL)
		return NULL;
	for (p = environ; *p != NULL; p++)
		if (strncmp(*p, name, len) == 0 && (*p)[len] == '=')
			return *p + len + 1;
	return NULL;
}

/* Set name=value in env, replacing an earlier value of name. */
static void
direct_setenv(struct direct_env *env, const char *name, const char *value)
{
	size_t i, len = strlen(name);
	char *s;

	xasprintf(&s, "%s=%s", name, value);
	for (i = 0; i < env->n; i++) {
		if (strncmp(env->v[i], name, len) == 0 &&
		    env->v[i][len] == '=') {
			free(env->v[i]);
			env->v[i] = s;
			return;
		}
	}
	if (env->n >= DIRECT_ENV_MAX)
		fatalx("direct: environment table full");
	env->v[env->n++] = s;
	env->v[env->n] = NULL;
}

static void
direct_env_free(struct direct_env *env)
{
	size_t i;

	for (i = 0; i < env->n; i++)
		free(env->v[i]);
	env->n = 0;
	env->v[0] = NULL;
}

/* s quoted for sh (git runs GIT_SSH_COMMAND through a shell). */
static char *
direct_shquote(const char *s)
{
	struct buf b;
	struct err e;

	buf_init(&b, SIZE_MAX / 2);
	err_clear(&e);
	buf_puts(&b, "'", &e);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_puts(&b, "'\\''", &e);
		else
			buf_append(&b, s, 1, &e);
	}
	buf_puts(&b, "'", &e);
	return b.data;
}


/*
 * state_dir/direct/home with a .netrc symlink to cfg->netrc, for git
 * (whose libcurl reads $HOME/.netrc only; go reads NETRC).  The link is
 * replaced atomically (rename) so a concurrent git never finds it
 * missing.  Returns the allocated directory, or NULL on failure.
 */
static char *
direct_netrc_home(const struct config *cfg)
{
	char *dir, *link, *tmp, target[PATH_MAX];
	ssize_t n;

	xasprintf(&dir, "%s/direct", cfg->state_dir);
	(void)mkdir(dir, 0700);
	free(dir);
	xasprintf(&dir, "%s/direct/home", cfg->state_dir);
	(void)mkdir(dir, 0700);
	xasprintf(&link, "%s/.netrc", dir);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0 || (size_t)n != strlen(cfg->netrc) ||
	    memcmp(target, cfg->netrc, (size_t)n) != 0) {
		xasprintf(&tmp, "%s/.netrc.%ld", dir, (long)getpid());
		(void)unlink(tmp);
		if (symlink(cfg->netrc, tmp) == -1 || rename(tmp, link) == -1) {
			log_warn("netrc link in %s", dir);
			(void)unlink(tmp);
			free(tmp);
			free(link);
			free(dir);
			return NULL;
		}
		free(tmp);
	}
	free(link);
	return dir;
}

/*
 * Before HOME is replaced: point var at $HOME/name when that file exists
 * and var is not set already (the [direct] keys, set later, still win).
 */
static void
direct_keep_home_file(struct direct_env *env, const char *var,
    const char *name)
{
	const char *home = direct_getenv("HOME");
	struct stat st;
	size_t i, len = strlen(var);
	char *path;

	for (i = 0; i < env->n; i++)
		if (strncmp(env->v[i], var, len) == 0 && env->v[i][len] == '=')
			return;
	if (home == NULL || home[0] != '/')
		return;
	xasprintf(&path, "%s/%s", home, name);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		direct_setenv(env, var, path);
	free(path);
}

/* Build the environment of a go process (section comment at the top). */
static void
direct_env_build(const struct config *cfg, struct direct_env *env)
{
	const char *v, *p;
	struct stat st;
	char *s, *q1, *q2, *priv;
	int cgi;
	size_t i;

	env->n = 0;
	env->v[0] = NULL;
	cgi = direct_getenv("GATEWAY_INTERFACE") != NULL ||
	    direct_getenv("REQUEST_METHOD") != NULL;
	for (i = 0; i < NITEMS(direct_pass); i++) {
		if ((v = direct_getenv(direct_pass[i].name)) == NULL)
			continue;
		if ((direct_pass[i].flags & PASS_NOTCGI) && cgi)
			continue;
		if ((direct_pass[i].flags & PASS_SOCKET) &&
		    (stat(v, &st) == -1 || !S_ISSOCK(st.st_mode)))
			continue;
		direct_setenv(env, direct_pass[i].name, v);
	}
	for (i = 0; i < NITEMS(direct_fixed); i++)
		direct_setenv(env, direct_fixed[i].name, direct_fixed[i].value);

	if (direct_getenv("HOME") == NULL) {
		xasprintf(&s, "%s/direct", cfg->state_dir);
		direct_setenv(env, "HOME", s);
		free(s);
	}
	if (direct_getenv("PATH") == NULL)
		direct_setenv(env, "PATH", DIRECT_DEFAULT_PATH);

	xasprintf(&s, "%s/gomodcache", cfg->state_dir);
	direct_setenv(env, "GOMODCACHE", s);
	free(s);
	xasprintf(&s, "%s/gopath", cfg->state_dir);
	direct_setenv(env, "GOPATH", s);
	free(s);
	xasprintf(&s, "%s/gocache", cfg->state_dir);
	direct_setenv(env, "GOCACHE", s);
	free(s);

	/* The cache stays writable, so the state directory can be removed. */
	v = direct_getenv("GOFLAGS");
	xasprintf(&s, "%s%s-modcacherw", v != NULL ? v : "",
	    v != NULL && v[0] != '\0' ? " " : "");
	direct_setenv(env, "GOFLAGS", s);
	free(s);

	/* piraeus verifies what go fetches itself (sumdb.c), with its own
	 * database, key and tree: go must not go around it. */
	if (cfg->sumdb_verify)
		direct_setenv(env, "GOSUMDB", "off");
	/* [upstream] goprivate and [policy] private join GOPRIVATE. */
	xasprintf(&priv, "%s%s%s", cfg->goprivate != NULL ? cfg->goprivate :
	    "", cfg->goprivate != NULL && cfg->goprivate[0] != '\0' &&
	    cfg->policy_private != NULL && cfg->policy_private[0] != '\0' ?
	    "," : "", cfg->policy_private != NULL ? cfg->policy_private : "");
	if (priv[0] != '\0') {
		v = direct_getenv("GOPRIVATE");
		if (v != NULL && v[0] != '\0') {
			xasprintf(&s, "%s,%s", v, priv);
			direct_setenv(env, "GOPRIVATE", s);
			free(s);
		} else
			direct_setenv(env, "GOPRIVATE", priv);
		/* An operator's GONOSUMDB replaces GOPRIVATE's default for
		 * it: private modules must never reach a checksum DB. */
		v = direct_getenv("GONOSUMDB");
		if (v != NULL && v[0] != '\0') {
			xasprintf(&s, "%s,%s", v, priv);
			direct_setenv(env, "GONOSUMDB", s);
			free(s);
		}
	}
	free(priv);
	if (cfg->netrc != NULL && cfg->netrc[0] != '\0') {
		direct_setenv(env, "NETRC", cfg->netrc);
		/*
		 * git's libcurl reads only $HOME/.netrc: a HOME of ours.  The
		 * operator's own ~/.gitconfig and ~/.hgrc still apply, unless
		 * [direct] names others.
		 */
		direct_keep_home_file(env, "GIT_CONFIG_GLOBAL", ".gitconfig");
		direct_keep_home_file(env, "HGRCPATH", ".hgrc");
		if ((s = direct_netrc_home(cfg)) != NULL) {
			direct_setenv(env, "HOME", s);
			free(s);
		}
	}
	if (cfg->gitconfig != NULL && cfg->gitconfig[0] != '\0')
		direct_setenv(env, "GIT_CONFIG_GLOBAL", cfg->gitconfig);
	if (cfg->hgrc != NULL && cfg->hgrc[0] != '\0')
		direct_setenv(env, "HGRCPATH", cfg->hgrc);
	if ((p = cfg->ssh_dir) != NULL && p[0] != '\0') {
		xasprintf(&s, "%s/config", p);
		q1 = direct_shquote(s);
		free(s);
		xasprintf(&s, "UserKnownHostsFile=%s/known_hosts", p);
		q2 = direct_shquote(s);
		free(s);
		xasprintf(&s, "ssh -F %s -o %s -o BatchMode=yes", q1, q2);
		direct_setenv(env, "GIT_SSH_COMMAND", s);
		free(s);
		free(q1);
		free(q2);
	}
}

/* Find the go binary: a name with a "/" as is, else along PATH. */
static int
direct_find_go(const struct config *cfg, const struct direct_env *env,
    char **out, struct err *e)
{
	const char *name = cfg->go_binary, *path = NULL, *p, *end;
	struct stat st;
	size_t i, len;
	char *cand;

	*out = NULL;
	if (name == NULL || name[0] == '\0')
		name = "go";
	if (strchr(name, '/') != NULL) {
		*out = xstrdup(name);
		return 0;
	}
	for (i = 0; i < env->n; i++)
		if (strncmp(env->v[i], "PATH=", 5) == 0)
			path = env->v[i] + 5;
	if (path == NULL)
		path = DIRECT_DEFAULT_PATH;
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len > 0) {
			xasprintf(&cand, "%.*s/%s", (int)len, p, name);
			if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
			    access(cand, X_OK) == 0) {
				*out = cand;
				return 0;
			}
			free(cand);
		}
		if (end == NULL)
			break;
	}
	return err_set(e, E_UPSTREAM, "direct: go command \"%s\" not found "
	    "in PATH", name);
}

static int
direct_mkdir(const char *path, struct err *e)
{
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return err_errno(e, E_UNAVAIL, "mkdir %s", path);
	return 0;
}

/* Try to lock fd: 0, or -1 with errno (EAGAIN/EACCES when held). */
static int
direct_trylock(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
#ifdef F_OFD_SETLK
	/* Per open file: also exclusive between threads of one process. */
	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
#endif
	return fcntl(fd, F_SETLK, &fl);
}

/*
 * Take one of the worker slots state_dir/direct/slot-N, waiting (with a
 * growing sleep) until the deadline.  *fd holds the lock; closing it
 * releases the slot.
 */
static int
direct_slot(const struct config *cfg, int64_t deadline, int *fd,
    struct err *e)
{
	long n = cfg->direct_workers, i, k, start;
	int64_t now, nap = DIRECT_SLOT_MS_MIN;
	char *path;
	int f;

	*fd = -1;
	if (n < 1)
		n = 1;
	if (n > DIRECT_WORKERS_MAX)
		n = DIRECT_WORKERS_MAX;
	start = (long)getpid() % n;
	for (;;) {
		for (i = 0; i < n; i++) {
			k = (start + i) % n;
			xasprintf(&path, "%s/direct/slot-%ld", cfg->state_dir,
			    k);
			f = open(path, O_RDWR | O_CREAT | O_CLOEXEC |
			    O_NOFOLLOW, 0600);
			if (f == -1) {
				err_errno(e, E_UNAVAIL, "open %s", path);
				free(path);
				return -1;
			}
			free(path);
			if (direct_trylock(f) == 0) {
				*fd = f;
				return 0;
			}
			if (errno != EAGAIN && errno != EACCES) {
				err_errno(e, E_UNAVAIL, "lock direct slot %ld",
				    k);
				close(f);
				return -1;
			}
			close(f);
		}
		lock_heartbeat();
		now = direct_now_ms();
		if (now >= deadline)
			return err_set(e, E_TIMEOUT, "direct: all %ld go "
			    "workers busy until the timeout", n);
		direct_sleep_ms(nap < deadline - now ? nap : deadline - now);
		if ((nap *= 2) > DIRECT_SLOT_MS_MAX)
			nap = DIRECT_SLOT_MS_MAX;
	}
}

/* A copy of fd at 3 or above, so dup2 onto 0..2 cannot clobber it. */
static int
direct_raise_fd(int fd)
{
	return fd >= 3 ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/*
 * The child between fork and execve: async-signal-safe calls only.  A
 * failure is reported as an errno through the close-on-exec pipe rep.
 */
static void __attribute__((noreturn))
direct_child(const char *bin, char *const argv[], char *const envp[],
    const char *dir, int in, int out, int errfd, int rep, long maxfd)
{
	struct sigaction sa;
	sigset_t none;
	int fd, sig, x;

	setsid();	/* own session and process group, no terminal */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);	/* ignored ones are inherited */

	if ((in = direct_raise_fd(in)) == -1 ||
	    (out = direct_raise_fd(out)) == -1 ||
	    (errfd = direct_raise_fd(errfd)) == -1 ||
	    (rep = direct_raise_fd(rep)) == -1)
		goto fail;
	if (dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(errfd, 2) == -1)
		goto fail;
	/* Nothing else of ours (sockets, the database) reaches go. */
#if defined(CLOSE_RANGE_CLOEXEC)
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == -1)
		for (fd = 3; fd < maxfd; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
#else
	for (fd = 3; fd < maxfd; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
	if (chdir(dir) == -1)
		goto fail;
	execve(bin, argv, envp);
fail:
	x = errno;
	if (rep != -1)
		while (write(rep, &x, sizeof(x)) == -1 && errno == EINTR)
			;
	_exit(127);
}

/* 1 when pid has exited (not reaped yet), 2 when it is gone, else 0. */
static int
direct_exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return errno == ECHILD ? 2 : 0;
	return si.si_pid == pid ? 1 : 0;
}

/*
 * Read what fd has now into b; past b's cap the bytes are dropped and
 * *over set.  Returns 0 at EOF (or a read error), 1 otherwise.
 */
static int
direct_read(int fd, struct buf *b, int *over)
{
	char chunk[16384];
	struct err e;
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : 0;
		if (n == 0)
			return 0;
		err_clear(&e);
		if (!*over && buf_append(b, chunk, (size_t)n, &e) == -1)
			*over = 1;
	}
}

static void
direct_reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) == -1) {
		if (errno != EINTR) {
			*status = -1;
			return;
		}
	}
}

/*
 * SIGKILL is delivered asynchronously: give what was left in the group a
 * moment to die, so that nothing of it runs once we return.  Signal 0
 * only: after the reaping the group id could (rarely) be reused.
 */
static void
direct_group_wait(pid_t pgid)
{
	int64_t end = direct_now_ms() + DIRECT_GROUP_MS;

	while (kill(-pgid, 0) == 0 && direct_now_ms() < end)
		direct_sleep_ms(5);
}

/*
 * Read the child's stdout and stderr until it exits or the deadline;
 * then kill its process group (a timeout, or strays left behind), drain
 * the pipes and reap it.
 */
static int
direct_collect(pid_t pid, int outfd, int errfd, int64_t deadline,
    struct direct_result *r, struct err *e)
{
	struct pollfd pfd[2];
	int open_out = 1, open_err = 1, over_out = 0, over_err = 0;
	int gone = 0, timedout = 0, failed = 0, n, i, rc;
	int64_t now, wait;

	fcntl(outfd, F_SETFL, fcntl(outfd, F_GETFL) | O_NONBLOCK);
	fcntl(errfd, F_SETFL, fcntl(errfd, F_GETFL) | O_NONBLOCK);
	for (;;) {
		lock_heartbeat();	/* our fetch locks, while go works */
		if ((gone = direct_exited(pid)) != 0)
			break;
		if ((now = direct_now_ms()) >= deadline) {
			timedout = 1;
			break;
		}
		wait = open_out || open_err ? DIRECT_TICK_MS : DIRECT_REAP_MS;
		if (wait > deadline - now)
			wait = deadline - now;
		n = 0;
		if (open_out) {
			pfd[n].fd = outfd;
			pfd[n++].events = POLLIN;
		}
		if (open_err) {
			pfd[n].fd = errfd;
			pfd[n++].events = POLLIN;
		}
		rc = poll(pfd, (nfds_t)n, (int)wait);
		if (rc == -1 && errno != EINTR) {
			failed = errno;
			break;
		}
		for (i = 0; rc > 0 && i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == outfd)
				open_out = direct_read(outfd, &r->out,
				    &over_out);
			else
				open_err = direct_read(errfd, &r->errout,
				    &over_err);
		}
		if (over_out)
			break;
	}
	/*
	 * The leader is a zombie or alive, never reaped yet: its pid, and so
	 * the group id, cannot have been reused.
	 */
	if (gone != 2) {
		kill(-pid, SIGKILL);
		if (gone == 0)
			kill(pid, SIGKILL);
	}
	if (open_out)
		direct_read(outfd, &r->out, &over_out);
	if (open_err)
		direct_read(errfd, &r->errout, &over_err);
	r->status = -1;
	if (gone != 2) {
		direct_reap(pid, &r->status);
		direct_group_wait(pid);
	}
	if (timedout)
		return err_set(e, E_TIMEOUT, "direct: go killed after the "
		    "timeout");
	if (over_out)
		return err_set(e, E_UPSTREAM, "direct: go wrote more than %d "
		    "bytes", DIRECT_STDOUT_MAX);
	if (failed) {
		errno = failed;
		return err_errno(e, E_INTERNAL, "direct: poll");
	}
	return 0;
}

/*
 * Run bin with argv in the work directory, environment env, until the
 * deadline.  r is filled (and must be freed by the caller) even on
 * failure.
 */
static int
direct_spawn(const char *bin, char *const argv[], char *const envp[],
    const char *dir, int64_t deadline, struct direct_result *r,
    struct err *e)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, px[2] = { -1, -1 };
	int devnull = -1, x, rc = -1, st;
	long maxfd;
	ssize_t n;
	pid_t pid;

	if ((maxfd = sysconf(_SC_OPEN_MAX)) < 0 || maxfd > DIRECT_FDS_MAX)
		maxfd = DIRECT_FDS_MAX;
	if (pipe2(po, O_CLOEXEC) == -1 || pipe2(pe, O_CLOEXEC) == -1 ||
	    pipe2(px, O_CLOEXEC) == -1) {
		err_errno(e, E_INTERNAL, "direct: pipe");
		goto out;
	}
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		err_errno(e, E_INTERNAL, "direct: /dev/null");
		goto out;
	}
	if ((pid = fork()) == -1) {
		err_errno(e, E_UPSTREAM, "direct: fork");
		goto out;
	}
	if (pid == 0)
		direct_child(bin, argv, envp, dir, devnull, po[1], pe[1],
		    px[1], maxfd);
	close(po[1]);
	close(pe[1]);
	close(px[1]);
	close(devnull);
	po[1] = pe[1] = px[1] = devnull = -1;

	/* EOF: execve worked; an int: the errno of what failed. */
	while ((n = read(px[0], &x, sizeof(x))) == -1 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(x)) {
		direct_reap(pid, &st);
		errno = x;
		err_errno(e, E_UPSTREAM, "direct: cannot run %s", bin);
		goto out;
	}
	rc = direct_collect(pid, po[0], pe[0], deadline, r, e);
out:
	close(po[0]);
	close(po[1]);
	close(pe[0]);
	close(pe[1]);
	close(px[0]);
	close(px[1]);
	if (devnull != -1)
		close(devnull);
	return rc;
}

/*
 * Run "go <args...>" for one direct operation: the directories, the
 * environment, a worker slot, the process and its output.  The deadline
 * covers the wait for a slot too.
 */
static int
direct_go(const struct config *cfg, const char *const args[], size_t nargs,
    struct direct_result *r, struct err *e)
{
	struct direct_env env;
	char *argv[DIRECT_ARGV_MAX + 2], *bin = NULL, *dir = NULL;
	int64_t start, deadline;
	long timeout = cfg->direct_timeout;
	int slot = -1, rc = -1;
	size_t i;

	buf_init(&r->out, DIRECT_STDOUT_MAX);
	buf_init(&r->errout, DIRECT_STDERR_MAX);
	r->status = -1;
	if (cfg->state_dir == NULL || cfg->state_dir[0] != '/')
		return err_set(e, E_CONFIG, "direct: no state directory");
	if (nargs > DIRECT_ARGV_MAX)
		return err_set(e, E_INTERNAL, "direct: too many arguments");
	if (timeout < 1)
		timeout = 1;
	start = direct_now_ms();
	deadline = start + (int64_t)timeout * 1000;

	direct_env_build(cfg, &env);
	if (direct_find_go(cfg, &env, &bin, e) == -1)
		goto out;
	xasprintf(&dir, "%s/direct", cfg->state_dir);
	if (direct_mkdir(cfg->state_dir, e) == -1 ||
	    direct_mkdir(dir, e) == -1)
		goto out;
	free(dir);
	xasprintf(&dir, "%s/direct/work", cfg->state_dir);
	if (direct_mkdir(dir, e) == -1)
		goto out;
	if (direct_slot(cfg, deadline, &slot, e) == -1)
		goto out;

	argv[0] = bin;
	for (i = 0; i < nargs; i++)
		argv[i + 1] = xstrdup(args[i]);
	argv[nargs + 1] = NULL;
	log_debug("direct: %s %s %s", bin, nargs > 0 ? args[0] : "",
	    nargs > 0 ? args[nargs - 1] : "");
	rc = direct_spawn(bin, argv, env.v, dir, deadline, r, e);
	log_debug("direct: %s done in %lld ms, status %d",
	    nargs > 0 ? args[nargs - 1] : "",
	    (long long)(direct_now_ms() - start), r->status);
	for (i = 0; i < nargs; i++)
		free(argv[i + 1]);
out:
	if (slot != -1)
		close(slot);
	free(bin);
	free(dir);
	direct_env_free(&env);
	return rc;
}

static void
direct_result_free(struct direct_result *r)
{
	buf_free(&r->out);
	buf_free(&r->errout);
}

int
fetch_direct_run(const char *bin, char *const argv[], char *const envp[],
    const char *dir, long timeout, struct buf *out, struct buf *errout,
    int *status, struct err *e)
{
	struct direct_result r;
	int rc;

	buf_init(&r.out, out->max);
	buf_init(&r.errout, errout->max);
	r.status = -1;
	if (timeout < 1)
		timeout = 1;
	rc = direct_spawn(bin, argv, envp, dir,
	    direct_now_ms() + (int64_t)timeout * 1000, &r, e);
	buf_free(out);
	buf_free(errout);
	*out = r.out;
	*errout = r.errout;
	*status = r.status;
	return rc;
}

/*
 * go's message made one line: a leading "go: " dropped, control bytes
 * and runs of blanks turned into single spaces, and the state directory
 * (hide) written as $STATE: the message may end up in a public answer.
 */
static void
direct_msg(const char *in, const char *hide, char *out, size_t outsz)
{
	static const char mark[] = "$STATE";
	size_t o = 0, hlen = hide != NULL ? strlen(hide) : 0;
	int space = 0;

	if (outsz == 0)
		return;
	while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
		in++;
	if (strncmp(in, "go: ", 4) == 0)
		in += 4;
	while (*in != '\0' && o + 1 < outsz) {
		if ((unsigned char)*in <= 0x20 || *in == 0x7f) {
			space = 1;
			in++;
			continue;
		}
		if (space && o > 0 && o + 2 < outsz)
			out[o++] = ' ';
		space = 0;
		if (hlen > 0 && strncmp(in, hide, hlen) == 0) {
			if (o + sizeof(mark) > outsz)
				break;
			memcpy(out + o, mark, sizeof(mark) - 1);
			o += sizeof(mark) - 1;
			in += hlen;
		} else
			out[o++] = *in++;
	}
	out[o] = '\0';
}

/* The code for one of go's error texts (direct_errmap). */
static enum errc
direct_classify(const char *msg)
{
	size_t i;

	for (i = 0; i < NITEMS(direct_errmap); i++)
		if (strcasestr(msg, direct_errmap[i].needle) != NULL)
			return direct_errmap[i].code;
	return E_UPSTREAM;
}

/* Set e from go's error text (the JSON Error, or stderr). */
static int
direct_fail(const struct config *cfg, const char *what, const char *text,
    struct err *e)
{
	char line[ERR_MSG_MAX];
	enum errc code;

	direct_msg(text != NULL ? text : "", cfg->state_dir, line,
	    sizeof(line));
	if (line[0] == '\0')
		return err_set(e, E_UPSTREAM, "direct: go failed for %s",
		    what);
	code = direct_classify(text);
	log_info("direct %s: %s: %s", what, err_name(code), line);
	return err_set(e, code, "%s", line);
}

/* The exit status as text, for messages. */
static void
direct_status(int status, char *out, size_t outsz)
{
	if (status == -1)
		snprintf(out, outsz, "unknown status");
	else if (WIFEXITED(status))
		snprintf(out, outsz, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, outsz, "signal %d", WTERMSIG(status));
	else
		snprintf(out, outsz, "status %d", status);
}

/* The JSON object go printed, or NULL (free with json_object_put). */
static struct json_object *
direct_json(const struct buf *b)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (b->data == NULL || b->len == 0)
		return NULL;
	if ((tok = json_tokener_new()) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, b->data, (int)b->len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* A string member (go list's Error is an object with Err), or NULL. */
static const char *
direct_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	if (json_object_is_type(v, json_type_object))
		return direct_str(v, "Err");
	return NULL;
}

/*
 * The common failure handling after a run: a JSON Error or a non-zero
 * exit.  Returns 0 when go succeeded (and *j is its object).  An unknown
 * status (someone else reaped the child) counts as success when the
 * answer is there.
 */
static int
direct_answer(const struct config *cfg, const char *what,
    struct direct_result *r, struct json_object **j, struct err *e)
{
	const char *msg;
	char st[64];

	*j = direct_json(&r->out);
	if ((msg = direct_str(*j, "Error")) != NULL && msg[0] != '\0')
		return direct_fail(cfg, what, msg, e);
	if ((r->status == 0 || r->status == -1) && *j != NULL)
		return 0;
	if (r->status != 0 && r->errout.len > 0)
		return direct_fail(cfg, what, r->errout.data, e);
	direct_status(r->status, st, sizeof(st));
	return err_set(e, E_UPSTREAM, "direct %s: go gave no usable answer "
	    "(%s)", what, st);
}

/* Check a query before it becomes part of an argument. */
static int
direct_check_query(const char *q, struct err *e)
{
	size_t i, len = strlen(q);

	if (len == 0 || len >= VERSION_MAX)
		return err_set(e, E_NOTFOUND, "invalid version query");
	for (i = 0; i < len; i++)
		if ((unsigned char)q[i] <= 0x20 || (unsigned char)q[i] >= 0x7f)
			return err_set(e, E_NOTFOUND, "invalid version query");
	return 0;
}

/*
 * Copy src (a file of the module cache) into a new temporary file of the
 * store, at most cap bytes.  *tmp is allocated on success.
 */
static int
direct_copy(const struct store *st, const char *modcache, const char *src,
    long long cap, char **tmp, struct err *e)
{
	char chunk[DIRECT_COPY_CHUNK];
	size_t mlen = strlen(modcache);
	long long total = 0;
	struct stat sb;
	int in, out = -1;
	ssize_t n, w, off;

	*tmp = NULL;
	if (strncmp(src, modcache, mlen) != 0 || src[mlen] != '/' ||
	    strstr(src, "/../") != NULL)
		return err_set(e, E_UPSTREAM, "direct: go named a file "
		    "outside the module cache: %s", src);
	if ((in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return err_errno(e, E_UPSTREAM, "direct: open %s", src);
	if (fstat(in, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(in);
		return err_set(e, E_UPSTREAM, "direct: %s: not a file", src);
	}
	if ((long long)sb.st_size > cap) {
		close(in);
		return err_set(e, E_UPSTREAM, "direct: %s: larger than %lld "
		    "bytes", src, cap);
	}
	if (store_tmpfile(st, tmp, &out, e) == -1) {
		close(in);
		return -1;
	}
	for (;;) {
		if ((n = read(in, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			err_errno(e, E_UPSTREAM, "direct: read %s", src);
			goto fail;
		}
		if (n == 0)
			break;
		if ((total += n) > cap) {
			err_set(e, E_UPSTREAM, "direct: %s: larger than %lld "
			    "bytes", src, cap);
			goto fail;
		}
		for (off = 0; off < n; off += w) {
			if ((w = write(out, chunk + off, (size_t)(n - off))) ==
			    -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				err_errno(e, E_INTERNAL, "write %s", *tmp);
				goto fail;
			}
		}
	}
	close(in);
	if (close(out) == -1) {
		out = -1;
		err_errno(e, E_INTERNAL, "close %s", *tmp);
		goto fail_closed;
	}
	return 0;
fail:
	close(in);
	close(out);
fail_closed:
	unlink(*tmp);
	free(*tmp);
	*tmp = NULL;
	return -1;
}

static void
direct_unlink(char **p)
{
	if (*p != NULL) {
		unlink(*p);
		free(*p);
		*p = NULL;
	}
}

int
fetch_direct(const struct config *cfg, const struct store *st,
    const char *module, const char *query, struct fetched *out,
    struct err *e)
{
	struct direct_result r;
	struct json_object *j = NULL;
	const char *path, *ver, *info, *mod, *zip;
	char what[MODPATH_MAX + VERSION_MAX + 2], canon[VERSION_MAX];
	char *arg = NULL, *modcache = NULL;
	const char *args[4];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (modpath_check(module, e) == -1 || direct_check_query(query, e) ==
	    -1)
		return -1;
	snprintf(what, sizeof(what), "%s@%s", module, query);
	xasprintf(&arg, "%s@%s", module, query);
	args[0] = "mod";
	args[1] = "download";
	args[2] = "-json";
	args[3] = arg;
	if (direct_go(cfg, args, 4, &r, e) == -1) {
		if (e->code == E_TIMEOUT)
			log_info("direct %s: %s", what, e->msg);
		goto out;
	}
	if (direct_answer(cfg, what, &r, &j, e) == -1)
		goto out;

	path = direct_str(j, "Path");
	ver = direct_str(j, "Version");
	info = direct_str(j, "Info");
	mod = direct_str(j, "GoMod");
	zip = direct_str(j, "Zip");
	if (path == NULL || strcmp(path, module) != 0) {
		err_set(e, E_UPSTREAM, "direct %s: go answered for module %s",
		    what, path != NULL ? path : "(none)");
		goto out;
	}
	if (ver == NULL || strlen(ver) >= VERSION_MAX ||
	    semver_canonical(ver, 1, canon, sizeof(canon)) == -1 ||
	    strcmp(canon, ver) != 0) {
		err_set(e, E_UPSTREAM, "direct %s: go gave no canonical "
		    "version", what);
		goto out;
	}
	if (info == NULL || mod == NULL || zip == NULL) {
		err_set(e, E_UPSTREAM, "direct %s: go named no .info, .mod "
		    "or .zip", what);
		goto out;
	}
	xasprintf(&modcache, "%s/gomodcache", cfg->state_dir);
	if (direct_copy(st, modcache, info, INFO_MAX, &out->info, e) == -1 ||
	    direct_copy(st, modcache, mod, GOMOD_MAX, &out->mod, e) == -1 ||
	    direct_copy(st, modcache, zip, cfg->max_zip_size, &out->zip, e) == -1)
		goto out;
	memcpy(out->version, ver, strlen(ver) + 1);
	rc = 0;
out:
	if (rc == -1) {
		direct_unlink(&out->info);
		direct_unlink(&out->mod);
		direct_unlink(&out->zip);
		out->version[0] = '\0';
	}
	json_object_put(j);
	direct_result_free(&r);
	free(modcache);
	free(arg);
	return rc;
}

int
fetch_direct_list(const struct config *cfg, const char *module, char ***out,
    size_t *n, struct err *e)
{
	static const char *head[] = { "list", "-m", "-versions", "-retracted",
	    "-json" };
	struct direct_result r;
	struct json_object *j = NULL, *vs, *v;
	const char *args[6], *s;
	size_t i, len, got = 0;
	char **list = NULL;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (modpath_check(module, e) == -1)
		return -1;
	for (i = 0; i < 5; i++)
		args[i] = head[i];
	args[5] = module;
	if (direct_go(cfg, args, 6, &r, e) == -1) {
		if (e->code == E_TIMEOUT)
			log_info("direct list %s: %s", module, e->msg);
		goto out;
	}
	if (direct_answer(cfg, module, &r, &j, e) == -1)
		goto out;
	if ((s = direct_str(j, "Path")) == NULL || strcmp(s, module) != 0) {
		err_set(e, E_UPSTREAM, "direct list %s: go answered for "
		    "module %s", module, s != NULL ? s : "(none)");
		goto out;
	}
	if (json_object_object_get_ex(j, "Versions", &vs) &&
	    json_object_is_type(vs, json_type_array)) {
		len = json_object_array_length(vs);
		if (len > DIRECT_VERSIONS_MAX) {
			err_set(e, E_UPSTREAM, "direct list %s: more than %d "
			    "versions", module, DIRECT_VERSIONS_MAX);
			goto out;
		}
		list = xcalloc(len + 1, sizeof(*list));
		for (i = 0; i < len; i++) {
			v = json_object_array_get_idx(vs, i);
			if (!json_object_is_type(v, json_type_string))
				continue;
			s = json_object_get_string(v);
			if (strlen(s) >= VERSION_MAX || !semver_valid(s))
				continue;
			list[got++] = xstrdup(s);
		}
	}
	*out = list;
	*n = got;
	rc = 0;
out:
	json_object_put(j);
	direct_result_free(&r);
	return rc;
}

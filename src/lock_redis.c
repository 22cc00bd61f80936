/*
 * lock_redis.c: the redis backend of singleflight, for several hosts that
 * share one storage tree ([singleflight] backend = redis).
 *
 * lock.c stays the one interface the pipeline calls; this file owns the
 * redis side of it: where redis is (lock_redis_parse: host:port, a
 * redis:// URL with password and database, or a Sentinel list with the
 * master's name), the two connections a process keeps between requests
 * (one for commands, one for pub/sub), and the four operations:
 *
 *   take     SET key token NX PX ttl, the token 16 random bytes
 *            (getrandom) after "PID@HOST:" (who holds it, for the
 *            operator), so that only the owner can renew or release
 *   renew    a script: PEXPIRE only when the key still holds our token;
 *            when the key is gone (redis restarted without it) it is set
 *            again with our token, NX: a lease is never taken from
 *            another owner
 *   release  a script: DEL only when the key holds our token, then
 *            PUBLISH on the key's channel, whatever happened
 *   wait     SUBSCRIBE to the key's channel first, then PTTL: a release
 *            after the PTTL is a message we will read, so no wake-up is
 *            lost; then wait for the message, bounded by the lease's
 *            remaining time (an owner killed with SIGKILL publishes
 *            nothing: its lease just runs out) and by the caller's slice.
 *
 * Redis is an existing distributed lock service; nothing here is clever:
 * a lost connection is closed and made again at the next call (not
 * before LOCK_REDIS_RETRY_MS after a failed connect, so that a host whose
 * redis is down does not pay a connect timeout per request).  Every
 * connect and command has a timeout.  The wire is redis_conn.c's: plain
 * TCP, or TLS for rediss:// (the files of [singleflight] redis_tls_ca,
 * redis_tls_cert and redis_tls_key); hiredis only formats commands and
 * parses replies.  sentinel:// is plain TCP, to the sentinels and to the
 * master they name.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "piraeus.h"

#define LOCK_REDIS_CONNECT_MS	2000	/* connecting to redis or a sentinel */
#define LOCK_REDIS_COMMAND_MS	2000	/* one command's answer */
#define LOCK_REDIS_RETRY_MS	1000	/* no new connect before, after one failed */
#define LOCK_REDIS_EXPIRY_SLACK_MS 50	/* past a lease's end before a look */
#define LOCK_REDIS_NAME_MAX	(LOCK_REDIS_PREFIX_MAX + LOCK_KEY_MAX + 8)
#define LOCK_REDIS_DRAIN_MAX	64	/* replies read to leave subscribe mode */
#define LOCK_REDIS_NUM_MAX	32	/* a decimal number (PX's milliseconds) */
#define LOCK_REDIS_PORT_DIGITS	5	/* 65535 */
#define LOCK_REDIS_DB_DIGITS	5	/* LOCK_REDIS_DB_MAX, 65535 */
#define LOCK_REDIS_CHECK_S	10	/* check-config's lease, if left behind */

/* Only the owner deletes; waiters are told in every case. */
static const char lock_redis_release_lua[] =
	"local r = 0\n"
	"if redis.call('get', KEYS[1]) == ARGV[1] then\n"
	"  redis.call('del', KEYS[1])\n"
	"  r = 1\n"
	"end\n"
	"redis.call('publish', KEYS[1], 'released')\n"
	"return r\n";

/* 1 renewed, 2 taken again (the key was gone, and ARGV[3] is "1"), 0
 * another owner has it (or it is gone and may not be taken again). */
static const char lock_redis_renew_lua[] =
	"local v = redis.call('get', KEYS[1])\n"
	"if v == ARGV[1] then\n"
	"  redis.call('pexpire', KEYS[1], ARGV[2])\n"
	"  return 1\n"
	"end\n"
	"if not v and ARGV[3] == '1' and"
	" redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then\n"
	"  return 2\n"
	"end\n"
	"return 0\n";

/* What this process keeps: where redis is, and the two connections. */
static struct {
	int				 configured;
	struct lock_redis_target	 t;
	char				 prefix[LOCK_REDIS_PREFIX_MAX + 1];
	struct redis_conn		*cmd;	/* commands */
	struct redis_conn		*sub;	/* SUBSCRIBE, while waiting */
	char				 tls_ca[REDIS_TLS_PATH_MAX];
	char				 tls_cert[REDIS_TLS_PATH_MAX];
	char				 tls_key[REDIS_TLS_PATH_MAX];
	pid_t				 pid;	/* that made the connections */
	struct timespec			 retry;	/* no connect before */
	char				 why[ERR_MSG_MAX];	/* last failure */
	int				 resent;	/* the last command went twice */
	struct lock_redis_addr		 at;	/* the server last dialed */
	int				 at_sentinel;	/* it is a sentinel */
} lr;

/* --- parsing ----------------------------------------------------------- */

/* 1 when c may be in a host name or an IPv4 address. */
static int
lock_redis_hostc(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

/*
 * One "host[:port]" or "[v6]:port" of n bytes at s into a, default port
 * def.  0, or -1 and e (E_CONFIG).
 */
static int
lock_redis_addr(const char *s, size_t n, int def, struct lock_redis_addr *a,
    struct err *e)
{
	const char *p, *end = s + n, *colon = NULL;
	size_t hl, i;
	long port;

	if (n == 0)
		return err_set(e, E_CONFIG, "an empty host");
	if (*s == '[') {
		if ((p = memchr(s, ']', n)) == NULL)
			return err_set(e, E_CONFIG, "\"[\" without \"]\"");
		for (i = 1; s + i < p; i++)
			if (strchr("0123456789abcdefABCDEF:.", s[i]) == NULL)
				return err_set(e, E_CONFIG, "not an IPv6 "
				    "address between [ and ]");
		hl = (size_t)(p - s) - 1;
		if (hl == 0)
			return err_set(e, E_CONFIG, "an empty host");
		if (hl >= sizeof(a->host))
			return err_set(e, E_CONFIG, "host longer than %d "
			    "bytes", LOCK_REDIS_HOST_MAX);
		memcpy(a->host, s + 1, hl);
		a->host[hl] = '\0';
		p++;
		if (p != end && *p != ':')
			return err_set(e, E_CONFIG, "junk after \"]\"");
		colon = p != end ? p : NULL;
	} else {
		for (p = s; p < end && *p != ':'; p++)
			if (!lock_redis_hostc((unsigned char)*p))
				return err_set(e, E_CONFIG, "a host name has "
				    "only letters, digits, \".\", \"-\" and "
				    "\"_\" (an IPv6 address goes in [ ])");
		hl = (size_t)(p - s);
		if (hl == 0)
			return err_set(e, E_CONFIG, "an empty host");
		if (hl >= sizeof(a->host))
			return err_set(e, E_CONFIG, "host longer than %d "
			    "bytes", LOCK_REDIS_HOST_MAX);
		memcpy(a->host, s, hl);
		a->host[hl] = '\0';
		colon = p != end ? p : NULL;
	}
	if (colon == NULL) {
		a->port = def;
		return 0;
	}
	if (colon + 1 == end || end - colon - 1 > LOCK_REDIS_PORT_DIGITS)
		return err_set(e, E_CONFIG, "a port is 1 to 65535");
	port = 0;
	for (p = colon + 1; p < end; p++) {
		if (*p < '0' || *p > '9')
			return err_set(e, E_CONFIG, "a port is 1 to 65535");
		port = port * 10 + (*p - '0');
	}
	if (port < 1 || port > 65535)
		return err_set(e, E_CONFIG, "a port is 1 to 65535");
	a->port = (int)port;
	return 0;
}

/* n bytes at s, percent-decoded, into out (cap outsz). 0 or -1 and e. */
static int
lock_redis_unescape(const char *s, size_t n, char *out, size_t outsz,
    const char *what, struct err *e)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n)
				return err_set(e, E_CONFIG, "a bad %%XX in "
				    "the %s", what);
			if ((hi = hex_digit((unsigned char)s[i + 1])) < 0
			    || (lo = hex_digit((unsigned char)s[i + 2]))
			    < 0)
				return err_set(e, E_CONFIG, "a bad %%XX in "
				    "the %s", what);
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0)
			return err_set(e, E_CONFIG, "a NUL byte in the %s",
			    what);
		if (o + 1 >= outsz)
			return err_set(e, E_CONFIG, "the %s is longer than "
			    "%zu bytes", what, outsz - 1);
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* "[user[:password]@]" at the start of s (authority part of n bytes):
 * the bytes used, or -1 and e. */
static long
lock_redis_userinfo(const char *s, size_t n, struct lock_redis_target *t,
    struct err *e)
{
	const char *at, *colon;

	if ((at = memchr(s, '@', n)) == NULL)
		return 0;
	if (memchr(at + 1, '@', n - (size_t)(at - s) - 1) != NULL)
		return err_set(e, E_CONFIG, "\"@\" in the password must be "
		    "written %%40");
	if ((colon = memchr(s, ':', (size_t)(at - s))) == NULL)
		colon = at;	/* no ":": the whole is a password */
	if (colon == at) {
		if (lock_redis_unescape(s, (size_t)(at - s), t->password,
		    sizeof(t->password), "password", e) == -1)
			return -1;
	} else if (lock_redis_unescape(s, (size_t)(colon - s), t->user,
	    sizeof(t->user), "user name", e) == -1 ||
	    lock_redis_unescape(colon + 1, (size_t)(at - colon - 1),
	    t->password, sizeof(t->password), "password", e) == -1)
		return -1;
	return (long)(at - s) + 1;
}

/* The decimal database number in s (n bytes) into t->db. */
static int
lock_redis_db(const char *s, size_t n, struct lock_redis_target *t,
    struct err *e)
{
	size_t i;
	long db = 0;

	if (n == 0 || n > LOCK_REDIS_DB_DIGITS)
		return err_set(e, E_CONFIG, "a database is a number, 0 to %d",
		    LOCK_REDIS_DB_MAX);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return err_set(e, E_CONFIG, "a database is a number, "
			    "0 to %d", LOCK_REDIS_DB_MAX);
		db = db * 10 + (s[i] - '0');
	}
	if (db > LOCK_REDIS_DB_MAX)
		return err_set(e, E_CONFIG, "a database is a number, 0 to %d",
		    LOCK_REDIS_DB_MAX);
	t->db = db;
	return 0;
}

/* The scheme prefixes. */
enum lock_redis_scheme { LRS_PLAIN, LRS_REDIS, LRS_REDISS, LRS_SENTINEL };
static const struct {
	const char		*prefix;
	enum lock_redis_scheme	 scheme;
} lock_redis_schemes[] = {
	{ "redis://", LRS_REDIS },
	{ "rediss://", LRS_REDISS },
	{ "sentinel://", LRS_SENTINEL },
};

int
lock_redis_parse(const char *spec, struct lock_redis_target *t,
    struct err *e)
{
	enum lock_redis_scheme sch = LRS_PLAIN;
	const char *s = spec, *slash, *end, *p, *comma;
	size_t i, n;
	long used;

	memset(t, 0, sizeof(*t));
	if (spec == NULL || *spec == '\0')
		return err_set(e, E_CONFIG, "empty: host:port, redis://..., "
		    "or sentinel://host:port,.../master");
	if (strlen(spec) > LOCK_REDIS_SPEC_MAX)
		return err_set(e, E_CONFIG, "longer than %d bytes",
		    LOCK_REDIS_SPEC_MAX);
	for (p = spec; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return err_set(e, E_CONFIG, "a blank or control byte "
			    "(write it %%XX in a password)");
	for (i = 0; i < NITEMS(lock_redis_schemes); i++) {
		n = strlen(lock_redis_schemes[i].prefix);
		if (strncmp(spec, lock_redis_schemes[i].prefix, n) == 0) {
			sch = lock_redis_schemes[i].scheme;
			s = spec + n;
			break;
		}
	}
	if (sch == LRS_PLAIN && strstr(spec, "://") != NULL)
		return err_set(e, E_CONFIG, "unknown scheme: redis://, "
		    "rediss:// (TLS) or sentinel://");
	end = s + strlen(s);
	slash = strchr(s, '/');
	if (sch == LRS_PLAIN && (slash != NULL || strchr(s, '@') != NULL))
		return err_set(e, E_CONFIG, "a plain host:port has no "
		    "password or database: write redis://:PASSWORD@host:port/DB");
	if (slash == NULL)
		slash = end;
	if ((used = lock_redis_userinfo(s, (size_t)(slash - s), t, e)) == -1)
		return -1;
	s += used;
	t->sentinel = sch == LRS_SENTINEL;
	t->tls = sch == LRS_REDISS;
	/* The hosts: one, or a comma list for Sentinel. */
	for (p = s; p < slash; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(slash - p))) == NULL)
			comma = slash;
		if (comma != slash && !t->sentinel)
			return err_set(e, E_CONFIG, "several hosts are a "
			    "sentinel:// list");
		if (t->naddr == LOCK_REDIS_SENTINELS_MAX)
			return err_set(e, E_CONFIG, "more than %d sentinels",
			    LOCK_REDIS_SENTINELS_MAX);
		if (lock_redis_addr(p, (size_t)(comma - p), t->sentinel ?
		    LOCK_REDIS_SENTINEL_PORT : LOCK_REDIS_PORT,
		    &t->addr[t->naddr], e) == -1)
			return -1;
		t->naddr++;
		if (comma == slash)
			break;
	}
	if (t->naddr == 0)
		return err_set(e, E_CONFIG, "no host");
	if (t->sentinel) {
		/* "/master" or "/master/db" */
		const char *m = slash + (slash < end), *me;

		if (slash == end || *m == '\0' || *m == '/')
			return err_set(e, E_CONFIG, "sentinel:// needs the "
			    "master's name: sentinel://host:port,.../NAME");
		if ((me = strchr(m, '/')) == NULL)
			me = end;
		if ((size_t)(me - m) > LOCK_REDIS_MASTER_MAX)
			return err_set(e, E_CONFIG, "a master name longer than "
			    "%d bytes", LOCK_REDIS_MASTER_MAX);
		for (p = m; p < me; p++)
			if (!lock_redis_hostc((unsigned char)*p))
				return err_set(e, E_CONFIG, "a master name has "
				    "only letters, digits, \".\", \"-\" and "
				    "\"_\"");
		memcpy(t->master, m, (size_t)(me - m));
		t->master[me - m] = '\0';
		if (me != end)
			return lock_redis_db(me + 1, (size_t)(end - me - 1), t,
			    e);
		return 0;
	}
	if (slash != end && slash + 1 != end)
		return lock_redis_db(slash + 1, (size_t)(end - slash - 1), t, e);
	return 0;
}

/* --- connections ------------------------------------------------------- */

/* Copy a TLS file's path (NULL: "") into out: 0, or -1 and e. */
static int
lock_redis_path(char out[REDIS_TLS_PATH_MAX], const char *path,
    const char *key, struct err *e)
{
	if (path == NULL)
		path = "";
	if (strlen(path) >= REDIS_TLS_PATH_MAX)
		return err_set(e, E_CONFIG, "%s longer than %d bytes", key,
		    REDIS_TLS_PATH_MAX - 1);
	memcpy(out, path, strlen(path) + 1);
	return 0;
}

int
lock_redis_setup(const char *spec, const char *prefix,
    const struct redis_tls *tls, struct err *e)
{
	char ca[REDIS_TLS_PATH_MAX], cert[REDIS_TLS_PATH_MAX],
	    key[REDIS_TLS_PATH_MAX];
	struct lock_redis_target t;

	/* Everything checked before anything is changed: a refused setup
	 * leaves the one before whole. */
	if (lock_redis_parse(spec, &t, e) == -1)
		return -1;
	if (strlen(prefix) > LOCK_REDIS_PREFIX_MAX)
		return err_set(e, E_CONFIG, "prefix longer than %d bytes",
		    LOCK_REDIS_PREFIX_MAX);
	if (lock_redis_path(ca, tls != NULL ? tls->ca : NULL,
	    "redis_tls_ca", e) == -1 || lock_redis_path(cert,
	    tls != NULL ? tls->cert : NULL, "redis_tls_cert", e) == -1 ||
	    lock_redis_path(key, tls != NULL ? tls->key : NULL,
	    "redis_tls_key", e) == -1)
		return -1;
	memcpy(lr.tls_ca, ca, sizeof(lr.tls_ca));
	memcpy(lr.tls_cert, cert, sizeof(lr.tls_cert));
	memcpy(lr.tls_key, key, sizeof(lr.tls_key));
	lock_redis_close();
	memset(&lr.retry, 0, sizeof(lr.retry));
	lr.why[0] = '\0';
	lr.t = t;
	snprintf(lr.prefix, sizeof(lr.prefix), "%s", prefix);
	lr.configured = 1;
	return 0;
}

int
lock_redis_configured(void)
{
	return lr.configured;
}

/* Close c (NULL is fine) and forget it. */
static void
lock_redis_drop(struct redis_conn **c)
{
	redis_conn_close(*c);
	*c = NULL;
}

void
lock_redis_close(void)
{
	lock_redis_drop(&lr.cmd);
	lock_redis_drop(&lr.sub);
}

/* Record why redis failed (kept for the next error) and return -1; the
 * message names the server last dialed (a sentinel, or the master). */
static int
lock_redis_fail(struct err *e, const char *what, const struct redis_conn *c,
    const redisReply *r)
{
	snprintf(lr.why, sizeof(lr.why), "%s", r != NULL &&
	    r->type == REDIS_REPLY_ERROR ? r->str : c != NULL &&
	    redis_conn_broken(c) ? redis_conn_error(c) :
	    "an unexpected reply");
	return err_set(e, E_UNAVAIL, "singleflight: redis %s%s:%d: %s: %s",
	    lr.at_sentinel ? "sentinel " : "", lr.at.host, lr.at.port, what,
	    lr.why);
}

/* Run argv on c, the answer or NULL (c broken, or an error reply: e
 * set, the reply freed). */
static redisReply *
lock_redis_argv(struct redis_conn *c, int argc, const char **argv,
    const size_t *lens, const char *what, struct err *e)
{
	redisReply *r = NULL;
	struct err ce;

	err_clear(&ce);
	if (redis_conn_command(c, argc, argv, lens, &r, &ce) == -1)
		r = NULL;
	if (r == NULL || r->type == REDIS_REPLY_ERROR) {
		lock_redis_fail(e, what, c, r);
		if (r != NULL)
			freeReplyObject(r);
		return NULL;
	}
	return r;
}

/* A connection to a (host, port), a sentinel or not, timeouts set,
 * remembered as the server errors name; NULL and e on failure.  The
 * connect timeout bounds the TCP connect and the TLS handshake only: a
 * host name is resolved first (getaddrinfo) with the resolver's own
 * timeouts (resolv.conf), so an address or a name in /etc/hosts is what
 * a deployment that must not wait on DNS gives (README).  TLS for
 * rediss:// (never to a sentinel: sentinel:// is plain TCP). */
static struct redis_conn *
lock_redis_dial(const char *host, int port, int sentinel, struct err *e)
{
	const struct redis_tls tls = { lr.tls_ca[0] != '\0' ? lr.tls_ca :
	    NULL, lr.tls_cert[0] != '\0' ? lr.tls_cert : NULL,
	    lr.tls_key[0] != '\0' ? lr.tls_key : NULL };
	struct redis_conn *c;
	struct err ce;

	snprintf(lr.at.host, sizeof(lr.at.host), "%s", host);
	lr.at.port = port;
	lr.at_sentinel = sentinel;

	err_clear(&ce);
	c = redis_conn_open(host, port, lr.t.tls && !sentinel ? &tls : NULL,
	    LOCK_REDIS_CONNECT_MS, LOCK_REDIS_COMMAND_MS, &ce);
	if (c == NULL) {
		err_set(e, E_UNAVAIL, "singleflight: redis %s:%d: %s", host,
		    port, ce.msg);
		snprintf(lr.why, sizeof(lr.why), "%s", e->msg);
		return NULL;
	}
	return c;
}

/* Ask the sentinels in order where the master is: 0 and a, or -1. */
static int
lock_redis_master(struct lock_redis_addr *a, struct err *e)
{
	const char *argv[] = { "SENTINEL", "get-master-addr-by-name",
	    lr.t.master };
	struct err se;
	struct redis_conn *c;
	redisReply *r;
	size_t i;
	int ok;

	err_clear(&se);
	for (i = 0; i < lr.t.naddr; i++) {
		if ((c = lock_redis_dial(lr.t.addr[i].host, lr.t.addr[i].port,
		    1, &se)) == NULL)
			continue;
		r = lock_redis_argv(c, 3, argv, NULL, "SENTINEL", &se);
		ok = r != NULL && r->type == REDIS_REPLY_ARRAY &&
		    r->elements == 2 &&
		    r->element[0]->type == REDIS_REPLY_STRING &&
		    r->element[1]->type == REDIS_REPLY_STRING &&
		    r->element[0]->len < sizeof(a->host);
		if (ok) {
			char *endp;
			long port;

			snprintf(a->host, sizeof(a->host), "%s",
			    r->element[0]->str);
			errno = 0;
			port = strtol(r->element[1]->str, &endp, 10);
			ok = errno == 0 && *endp == '\0' && port > 0 &&
			    port <= 65535;
			a->port = (int)port;
		} else if (r != NULL)
			err_set(&se, E_UNAVAIL, "sentinel %s:%d knows no "
			    "master %s", lr.t.addr[i].host, lr.t.addr[i].port,
			    lr.t.master);
		if (r != NULL)
			freeReplyObject(r);
		redis_conn_close(c);
		if (ok)
			return 0;
	}
	return err_set(e, E_UNAVAIL, "singleflight: no sentinel answered "
	    "for master %s: %s", lr.t.master, se.msg[0] != '\0' ? se.msg :
	    "no sentinel");
}

/* A ready connection to the master: AUTH, SELECT, and under Sentinel the
 * check that it is a master.  NULL and e on failure. */
static struct redis_conn *
lock_redis_open(struct err *e)
{
	struct lock_redis_addr a;
	struct redis_conn *c;
	redisReply *r;
	char db[LOCK_REDIS_NUM_MAX];

	if (lr.t.sentinel) {
		if (lock_redis_master(&a, e) == -1)
			return NULL;
	} else
		a = lr.t.addr[0];
	if ((c = lock_redis_dial(a.host, a.port, 0, e)) == NULL)
		return NULL;
	if (lr.t.password[0] != '\0') {
		const char *argv[] = { "AUTH", lr.t.user, lr.t.password };

		r = lr.t.user[0] != '\0' ?
		    lock_redis_argv(c, 3, argv, NULL, "AUTH", e) :
		    lock_redis_argv(c, 2, (const char *[]){ "AUTH",
		    lr.t.password }, NULL, "AUTH", e);
		if (r == NULL)
			goto fail;
		freeReplyObject(r);
	}
	if (lr.t.db != 0) {
		snprintf(db, sizeof(db), "%ld", lr.t.db);
		if ((r = lock_redis_argv(c, 2, (const char *[]){ "SELECT", db },
		    NULL, "SELECT", e)) == NULL)
			goto fail;
		freeReplyObject(r);
	}
	if (lr.t.sentinel) {
		if ((r = lock_redis_argv(c, 1, (const char *[]){ "ROLE" },
		    NULL, "ROLE", e)) == NULL)
			goto fail;
		if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
		    r->element[0]->type != REDIS_REPLY_STRING ||
		    strcmp(r->element[0]->str, "master") != 0) {
			freeReplyObject(r);
			err_set(e, E_UNAVAIL, "singleflight: %s:%d, named by "
			    "the sentinels as master %s, is not a master",
			    a.host, a.port, lr.t.master);
			goto fail;
		}
		freeReplyObject(r);
	}
	return c;
fail:
	redis_conn_close(c);
	return NULL;
}

/* *cp made ready (made again after a fork or a failure). 0, or -1 and e. */
static int
lock_redis_ready(struct redis_conn **cp, struct err *e)
{
	struct timespec now;

	if (!lr.configured)
		return err_set(e, E_INTERNAL, "singleflight: redis not set up");
	if (lr.pid != getpid()) {
		/* A child's copies: closing them leaves the parent's alone. */
		lock_redis_close();
		lr.pid = getpid();
	}
	if (*cp != NULL && !redis_conn_broken(*cp))
		return 0;
	lock_redis_drop(cp);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < lr.retry.tv_sec || (now.tv_sec == lr.retry.tv_sec &&
	    now.tv_nsec < lr.retry.tv_nsec))
		return err_set(e, E_UNAVAIL, "singleflight: redis unreachable "
		    "(%s)", lr.why);
	if ((*cp = lock_redis_open(e)) == NULL) {
		lr.retry = now;
		lr.retry.tv_nsec += (LOCK_REDIS_RETRY_MS % 1000) * 1000000L;
		lr.retry.tv_sec += LOCK_REDIS_RETRY_MS / 1000 +
		    lr.retry.tv_nsec / 1000000000L;
		lr.retry.tv_nsec %= 1000000000L;
		return -1;
	}
	return 0;
}

/*
 * Error replies that say this server cannot serve us any more, whatever
 * we send it: a master demoted to a replica (READONLY), a server loading
 * its data (LOADING), a replica cut from its master (MASTERDOWN), a
 * restarted server that wants AUTH again (NOAUTH).  The connection that
 * got one is dropped, so that a new one is made (under Sentinel, after
 * asking the sentinels again where the master is).
 */
static const char *const lock_redis_gone_errors[] = {
	"READONLY", "LOADING", "MASTERDOWN", "NOAUTH",
};

/* 1 when the last failure (lr.why) is one of lock_redis_gone_errors. */
static int
lock_redis_gone_reply(void)
{
	size_t i, n;

	for (i = 0; i < NITEMS(lock_redis_gone_errors); i++) {
		n = strlen(lock_redis_gone_errors[i]);
		if (strncmp(lr.why, lock_redis_gone_errors[i], n) == 0 &&
		    (lr.why[n] == ' ' || lr.why[n] == '\0'))
			return 1;
	}
	return 0;
}

/* After a failed command on lr.cmd: 1 when the connection is done for
 * (broken, or an error reply of lock_redis_gone_errors), and dropped. */
static int
lock_redis_cmd_gone(void)
{
	if (lr.cmd == NULL || (!redis_conn_broken(lr.cmd) &&
	    !lock_redis_gone_reply()))
		return 0;
	lock_redis_drop(&lr.cmd);
	return 1;
}

/*
 * A command on the command connection, made ready first.  A connection
 * kept from an earlier request may have died meanwhile (redis restarted),
 * or its server may answer it errors only (lock_redis_gone_errors: a
 * master demoted by a failover): then the connection is dropped and the
 * command sent once more on a new one, so that the first request after a
 * restart or a failover is not failed for the old socket.
 */
static redisReply *
lock_redis_cmd(int argc, const char **argv, const size_t *lens,
    const char *what, struct err *e)
{
	redisReply *r;
	struct err re;
	int kept;

	kept = lr.cmd != NULL && !redis_conn_broken(lr.cmd) &&
	    lr.pid == getpid();
	lr.resent = 0;
	err_clear(&re);
	if (lock_redis_ready(&lr.cmd, &re) == -1)
		return err_set(e, re.code, "%s", re.msg), NULL;
	if ((r = lock_redis_argv(lr.cmd, argc, argv, lens, what, &re)) ==
	    NULL) {
		int broken = redis_conn_broken(lr.cmd);

		if (lock_redis_cmd_gone() && (kept || !broken)) {
			lr.resent = 1;
			err_clear(&re);
			if (lock_redis_ready(&lr.cmd, &re) == 0 &&
			    (r = lock_redis_argv(lr.cmd, argc, argv, lens,
			    what, &re)) == NULL)
				(void)lock_redis_cmd_gone();
		}
	}
	if (r == NULL)
		err_set(e, re.code, "%s", re.msg);
	return r;
}

/* The redis name of key of a kind ("lock:", "note:"): prefix kind key. */
static int
lock_redis_kname(const char *kind, const char *key,
    char out[LOCK_REDIS_NAME_MAX], struct err *e)
{
	if ((size_t)snprintf(out, LOCK_REDIS_NAME_MAX, "%s%s%s", lr.prefix,
	    kind, key) >= LOCK_REDIS_NAME_MAX)
		return err_set(e, E_INTERNAL, "lock key too long");
	return 0;
}

/* The redis name of a lock key: prefix "lock:" key. */
static int
lock_redis_name(const char *key, char out[LOCK_REDIS_NAME_MAX],
    struct err *e)
{
	return lock_redis_kname("lock:", key, out, e);
}

/* --- the operations ---------------------------------------------------- */

int
lock_redis_ping(struct err *e)
{
	redisReply *r;
	int ok;

	if ((r = lock_redis_cmd(1, (const char *[]){ "PING" }, NULL, "PING",
	    e)) == NULL)
		return -1;
	ok = r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
	freeReplyObject(r);
	return ok ? 0 : lock_redis_fail(e, "PING", NULL, NULL);
}

int
lock_redis_check(struct err *e)
{
	char tok[LOCK_REDIS_TOKEN_MAX], msg[ERR_MSG_MAX];

	if (lock_redis_ping(e) == -1 || lock_redis_token(tok, e) == -1)
		return -1;
	if (lock_redis_try(LOCK_REDIS_CHECK_KEY, LOCK_REDIS_CHECK_S, tok,
	    e) == 0 && lock_redis_release(LOCK_REDIS_CHECK_KEY, tok, e) != -1 &&
	    lock_redis_wait(LOCK_REDIS_CHECK_KEY, 1, e) != -1)
		return 0;
	/* What an ACL user needs, said where it is found missing. */
	snprintf(msg, sizeof(msg), "%s", e->msg);
	err_clear(e);
	return err_set(e, E_UNAVAIL, "(an ACL user needs ~%s* &%s* "
	    "+set +get +pttl +eval +publish +subscribe +unsubscribe +ping) %s",
	    lr.prefix, lr.prefix, msg);
}

int
lock_redis_token(char out[LOCK_REDIS_TOKEN_MAX], struct err *e)
{
	unsigned char raw[LOCK_REDIS_TOKEN_BYTES];
	char host[LOCK_REDIS_TOKEN_HOST + 1];
	size_t got = 0, o;
	ssize_t n;

	while (got < sizeof(raw)) {
		n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(e, E_INTERNAL, "getrandom: %s",
			    strerror(errno));
		got += (size_t)n;
	}
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	o = (size_t)snprintf(out, LOCK_REDIS_TOKEN_MAX, "%ld@%.*s:",
	    (long)getpid(), LOCK_REDIS_TOKEN_HOST, host);
	for (got = 0; got < sizeof(raw); got++) {
		out[o++] = "0123456789abcdef"[raw[got] >> 4];
		out[o++] = "0123456789abcdef"[raw[got] & 15];
	}
	out[o] = '\0';
	return 0;
}

/* The redis name of lock key and its lease of expiry seconds in
 * milliseconds, as try and renew send them: 0, or -1 and e. */
static int
lock_redis_lease(const char *key, long expiry,
    char name[LOCK_REDIS_NAME_MAX], char px[LOCK_REDIS_NUM_MAX],
    struct err *e)
{
	if (lock_redis_name(key, name, e) == -1)
		return -1;
	snprintf(px, LOCK_REDIS_NUM_MAX, "%ld", expiry * 1000);
	return 0;
}

/* One of the scripts, EVAL argv: its integer answer, or -1 and e. */
static int
lock_redis_eval(int argc, const char **argv, const char *what,
    struct err *e)
{
	redisReply *r;
	int st;

	if ((r = lock_redis_cmd(argc, argv, NULL, what, e)) == NULL)
		return -1;
	st = r->type == REDIS_REPLY_INTEGER ? (int)r->integer :
	    lock_redis_fail(e, what, NULL, r);
	freeReplyObject(r);
	return st;
}

int
lock_redis_try(const char *key, long expiry, const char *token,
    struct err *e)
{
	char name[LOCK_REDIS_NAME_MAX], px[LOCK_REDIS_NUM_MAX];
	redisReply *r;
	int st;

	if (lock_redis_lease(key, expiry, name, px, e) == -1)
		return -1;
	if ((r = lock_redis_cmd(6, (const char *[]){ "SET", name, token, "NX",
	    "PX", px }, NULL, "SET NX", e)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0)
		st = LOCK_OWNER;
	else if (r->type == REDIS_REPLY_NIL && lr.resent) {
		/* The first SET may have been done, its answer lost: is the
		 * holder us? */
		freeReplyObject(r);
		if ((r = lock_redis_cmd(2, (const char *[]){ "GET", name },
		    NULL, "GET", e)) == NULL)
			return -1;
		st = r->type == REDIS_REPLY_STRING &&
		    strcmp(r->str, token) == 0 ? LOCK_OWNER : LOCK_HELD;
	} else if (r->type == REDIS_REPLY_NIL)
		st = LOCK_HELD;
	else
		st = lock_redis_fail(e, "SET NX", NULL, r);
	freeReplyObject(r);
	return st;
}

int
lock_redis_renew(const char *key, long expiry, const char *token, int retake,
    struct err *e)
{
	char name[LOCK_REDIS_NAME_MAX], px[LOCK_REDIS_NUM_MAX];

	if (lock_redis_lease(key, expiry, name, px, e) == -1)
		return -1;
	return lock_redis_eval(7, (const char *[]){ "EVAL",
	    lock_redis_renew_lua, "1", name, token, px, retake ? "1" : "0" },
	    "renew", e);
}

int
lock_redis_release(const char *key, const char *token, struct err *e)
{
	char name[LOCK_REDIS_NAME_MAX];

	if (lock_redis_name(key, name, e) == -1)
		return -1;
	return lock_redis_eval(5, (const char *[]){ "EVAL",
	    lock_redis_release_lua, "1", name, token }, "release", e);
}

int
lock_redis_note_set(const char *key, const char *value, long ttl_ms,
    struct err *e)
{
	char name[LOCK_REDIS_NAME_MAX], px[LOCK_REDIS_NUM_MAX];
	redisReply *r;
	int st;

	if (lock_redis_kname("note:", key, name, e) == -1)
		return -1;
	snprintf(px, sizeof(px), "%ld", ttl_ms > 0 ? ttl_ms : 1);
	if ((r = lock_redis_cmd(5, (const char *[]){ "SET", name, value, "PX",
	    px }, NULL, "SET note", e)) == NULL)
		return -1;
	st = r->type == REDIS_REPLY_STATUS ? 0 :
	    lock_redis_fail(e, "SET note", NULL, r);
	freeReplyObject(r);
	return st;
}

int
lock_redis_note_get(const char *key, char *out, size_t outsz, struct err *e)
{
	char name[LOCK_REDIS_NAME_MAX];
	redisReply *r;
	int st;

	if (lock_redis_kname("note:", key, name, e) == -1)
		return -1;
	if ((r = lock_redis_cmd(2, (const char *[]){ "GET", name }, NULL,
	    "GET note", e)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_STRING) {
		snprintf(out, outsz, "%s", r->str);
		st = 1;
	} else
		st = r->type == REDIS_REPLY_NIL ? 0 :
		    lock_redis_fail(e, "GET note", NULL, r);
	freeReplyObject(r);
	return st;
}

/* One reply from the subscription, waiting at most ms for it to begin:
 * 1 and *out, 0 when none came in time, -1 when the connection failed
 * (redis_conn_error says why). */
static int
lock_redis_sub_read(long ms, redisReply **out)
{
	struct err se;

	err_clear(&se);
	return redis_conn_wait(lr.sub, ms, out, &se);
}

/* 1 when r is the pub/sub event kind ("message", "subscribe"...). */
static int
lock_redis_event(const redisReply *r, const char *kind)
{
	return r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    strcmp(r->element[0]->str, kind) == 0;
}

/* Leave the channel: UNSUBSCRIBE, and read up to its confirmation (a
 * message sent meanwhile is dropped).  The connection is dropped when
 * that fails. */
static void
lock_redis_unsubscribe(void)
{
	redisReply *r;
	struct err se;
	int i, done;

	err_clear(&se);
	if (redis_conn_send(lr.sub, 1, (const char *[]){ "UNSUBSCRIBE" },
	    NULL, &se) == -1) {
		lock_redis_drop(&lr.sub);
		return;
	}
	for (i = 0; i < LOCK_REDIS_DRAIN_MAX; i++) {
		if (lock_redis_sub_read(LOCK_REDIS_COMMAND_MS, &r) != 1)
			break;
		/* The last channel left: the count is 0. */
		done = lock_redis_event(r, "unsubscribe") && r->elements == 3 &&
		    r->element[2]->type == REDIS_REPLY_INTEGER &&
		    r->element[2]->integer == 0;
		freeReplyObject(r);
		if (done)
			return;
	}
	lock_redis_drop(&lr.sub);
}

int
lock_redis_wait(const char *key, long max_ms, struct err *e)
{
	char name[LOCK_REDIS_NAME_MAX];
	redisReply *r, *t;
	long long pttl;
	struct err se;
	long ms;
	int got, st, kept;

	if (lock_redis_name(key, name, e) == -1)
		return -1;
	err_clear(&se);
	/* Subscribed before we look: a release after the look is heard.  A
	 * kept connection that died meanwhile is made again, once. */
	kept = lr.sub != NULL && !redis_conn_broken(lr.sub) &&
	    lr.pid == getpid();
	if (lock_redis_ready(&lr.sub, e) == -1)
		return -1;
	if ((r = lock_redis_argv(lr.sub, 2, (const char *[]){ "SUBSCRIBE",
	    name }, NULL, "SUBSCRIBE", &se)) == NULL) {
		lock_redis_drop(&lr.sub);
		if (!kept || lock_redis_ready(&lr.sub, e) == -1)
			return err_set(e, se.code, "%s", se.msg);
		if ((r = lock_redis_argv(lr.sub, 2, (const char *[]){
		    "SUBSCRIBE", name }, NULL, "SUBSCRIBE", e)) == NULL) {
			lock_redis_drop(&lr.sub);
			return -1;
		}
	}
	st = lock_redis_event(r, "subscribe");
	freeReplyObject(r);
	if (!st) {
		lock_redis_drop(&lr.sub);
		return lock_redis_fail(e, "SUBSCRIBE", NULL, NULL);
	}
	if ((t = lock_redis_cmd(2, (const char *[]){ "PTTL", name }, NULL,
	    "PTTL", e)) == NULL) {
		lock_redis_unsubscribe();
		return -1;
	}
	pttl = t->type == REDIS_REPLY_INTEGER ? t->integer : -2;
	freeReplyObject(t);
	if (pttl == -2) {	/* released (or expired) already */
		lock_redis_unsubscribe();
		return 1;
	}
	/* An owner killed publishes nothing: look again when its lease
	 * ends (a live owner will have renewed it by then). */
	ms = max_ms;
	if (pttl >= 0 && pttl + LOCK_REDIS_EXPIRY_SLACK_MS < ms)
		ms = (long)pttl + LOCK_REDIS_EXPIRY_SLACK_MS;
	st = 0;
	for (;;) {
		long long t0 = redis_conn_now();

		if ((got = lock_redis_sub_read(ms, &r)) == -1) {
			lock_redis_fail(e, "wait", lr.sub, NULL);
			lock_redis_drop(&lr.sub);
			return -1;
		}
		if (got == 0)
			break;
		st = lock_redis_event(r, "message");
		freeReplyObject(r);
		if (st)
			break;
		ms -= (long)(redis_conn_now() - t0);
		if (ms <= 0)
			break;
	}
	lock_redis_unsubscribe();
	return st;
}

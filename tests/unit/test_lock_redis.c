/*
 * test_lock_redis.c: lock_redis.c, the redis backend of singleflight.
 *
 * Always: the table of [singleflight] redis values (lock_redis_parse:
 * host:port, redis:// with user, password and database, sentinel:// lists,
 * the refused forms with their reasons).
 *
 * With PIRAEUS_TEST_REDIS=127.0.0.1:PORT (tests/cgi/t0600-redis-lock.t
 * starts a real redis-server and sets it): the lease against that server:
 * one owner, the token's ownership of renew and release, a renew that
 * finds the key gone takes it again, a waiter woken by the release's
 * message and one that gives up at the lease's end, and lock.c's
 * interface over the backend (lock_setup, lock_try, lock_release).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

/* One spec and what it parses to: "" want_err means it parses. */
static const struct {
	const char	*spec;
	const char	*want;		/* lock_redis_render's text */
	const char	*want_err;	/* a part of the message */
} parse_cases[] = {
	{ "127.0.0.1:6380", "redis 127.0.0.1:6380 user= pass= db=0", "" },
	{ "localhost", "redis localhost:6379 user= pass= db=0", "" },
	{ "redis.example.com:1", "redis redis.example.com:1 user= pass= db=0",
	  "" },
	{ "[::1]:7000", "redis ::1:7000 user= pass= db=0", "" },
	{ "[::1]", "redis ::1:6379 user= pass= db=0", "" },
	{ "redis://h", "redis h:6379 user= pass= db=0", "" },
	{ "redis://h:6380/", "redis h:6380 user= pass= db=0", "" },
	{ "redis://h:6380/3", "redis h:6380 user= pass= db=3", "" },
	{ "redis://:s3cret@h:6380/2", "redis h:6380 user= pass=s3cret db=2",
	  "" },
	{ "redis://s3cret@h", "redis h:6379 user= pass=s3cret db=0", "" },
	{ "redis://app:pw@h", "redis h:6379 user=app pass=pw db=0", "" },
	{ "redis://:p%40ss%3Aw%2Fd%25@h", "redis h:6379 user= pass=p@ss:w/d% "
	  "db=0", "" },
	{ "redis://:pw@[fe80::1]:6390/1", "redis fe80::1:6390 user= pass=pw "
	  "db=1", "" },
	{ "sentinel://s1,s2:26380/mymaster",
	  "sentinel s1:26379,s2:26380 master=mymaster user= pass= db=0", "" },
	{ "sentinel://:pw@s1:5000/m.1/4",
	  "sentinel s1:5000 master=m.1 user= pass=pw db=4", "" },
	{ "rediss://h:6380", "rediss h:6380 user= pass= db=0", "" },
	{ "rediss://h", "rediss h:6379 user= pass= db=0", "" },
	{ "rediss://app:p%40w@[::1]:7000/5",
	  "rediss ::1:7000 user=app pass=p@w db=5", "" },
	{ "rediss://:s3cret@redis.example.com/2",
	  "rediss redis.example.com:6379 user= pass=s3cret db=2", "" },
	/* refused */
	{ "", NULL, "empty" },
	{ "http://h", NULL, "unknown scheme" },
	{ "redisss://h", NULL, "unknown scheme" },
	{ "rediss://a,b", NULL, "several hosts are a sentinel:// list" },
	{ "rediss://h/x", NULL, "a database is a number" },
	{ "rediss://", NULL, "no host" },
	{ "h:0", NULL, "a port is 1 to 65535" },
	{ "h:65536", NULL, "a port is 1 to 65535" },
	{ "h:12x", NULL, "a port is 1 to 65535" },
	{ "h:", NULL, "a port is 1 to 65535" },
	{ "h:1234567", NULL, "a port is 1 to 65535" },
	{ ":6379", NULL, "an empty host" },
	{ "h/1", NULL, "a plain host:port has no password" },
	{ "pw@h", NULL, "a plain host:port has no password" },
	{ "h o", NULL, "a blank or control byte" },
	{ "h\tx", NULL, "a blank or control byte" },
	{ "h\xc3\xa9", NULL, "a blank or control byte" },
	{ "ho$t", NULL, "a host name has only" },
	{ "::1", NULL, "an empty host" },
	{ "[::1", NULL, "without \"]\"" },
	{ "[::g]", NULL, "not an IPv6 address" },
	{ "[::1]x", NULL, "junk after" },
	{ "redis://a,b", NULL, "several hosts are a sentinel:// list" },
	{ "redis://h/x", NULL, "a database is a number" },
	{ "redis://h/65536", NULL, "a database is a number" },
	{ "redis://h/1/2", NULL, "a database is a number" },
	{ "redis://:p@w@h", NULL, "\"@\" in the password" },
	{ "redis://:p%4@h", NULL, "a bad %XX" },
	{ "redis://:p%zz@h", NULL, "a bad %XX" },
	{ "redis://:p%00@h", NULL, "a NUL byte" },
	{ "redis://", NULL, "no host" },
	{ "sentinel://s1,s2", NULL, "needs the master's name" },
	{ "sentinel://s1/", NULL, "needs the master's name" },
	{ "sentinel://s1/m!", NULL, "a master name has only" },
	{ "sentinel://s1,,s2/m", NULL, "an empty host" },
	{ "sentinel://a,b,c,d,e,f,g,h,i/m", NULL, "more than 8 sentinels" },
};

/* What t says, in one line, for the table. */
static void
render(const struct lock_redis_target *t, char *out, size_t outsz)
{
	size_t i, o;

	o = (size_t)snprintf(out, outsz, "%s ", t->sentinel ? "sentinel" :
	    t->tls ? "rediss" : "redis");
	for (i = 0; i < t->naddr && o < outsz; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s%s:%d",
		    i > 0 ? "," : "", t->addr[i].host, t->addr[i].port);
	if (t->sentinel && o < outsz)
		o += (size_t)snprintf(out + o, outsz - o, " master=%s",
		    t->master);
	if (o < outsz)
		snprintf(out + o, outsz - o, " user=%s pass=%s db=%ld",
		    t->user, t->password, t->db);
}

static void
test_parse(void)
{
	struct lock_redis_target t;
	char got[2048], name[256];
	struct err e;
	size_t i;
	int rc;

	for (i = 0; i < NITEMS(parse_cases); i++) {
		err_clear(&e);
		rc = lock_redis_parse(parse_cases[i].spec, &t, &e);
		snprintf(name, sizeof(name), "parse \"%s\"",
		    parse_cases[i].spec);
		if (parse_cases[i].want != NULL) {
			if (!ok(rc == 0, name))
				printf("#   error: %s\n", e.msg);
			render(&t, got, sizeof(got));
			is_str(got, parse_cases[i].want, name);
		} else {
			ok(rc == -1 && e.code == E_CONFIG, name);
			if (!ok(strstr(e.msg, parse_cases[i].want_err) != NULL,
			    name))
				printf("#   got: %s\n#   want a part: %s\n",
				    e.msg, parse_cases[i].want_err);
		}
	}
	/* The caps. */
	{
		char big[LOCK_REDIS_SPEC_MAX + 8];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		err_clear(&e);
		ok(lock_redis_parse(big, &t, &e) == -1 &&
		    strstr(e.msg, "longer than") != NULL,
		    "a value over LOCK_REDIS_SPEC_MAX is refused");
		memcpy(big, "redis://", 8);
		big[8 + LOCK_REDIS_HOST_MAX + 1] = '\0';
		err_clear(&e);
		ok(lock_redis_parse(big, &t, &e) == -1 &&
		    strstr(e.msg, "host longer than") != NULL,
		    "a host over LOCK_REDIS_HOST_MAX is refused");
	}
}

/* redis-cli -p port ARG... (at most 6: a NULL ends them), its answer's
 * first line into out. */
static void
cli_argv(const char *port, const char *const args[6], char *out,
    size_t outsz)
{
	int pfd[2];
	pid_t pid;
	ssize_t n;
	size_t got = 0;

	out[0] = '\0';
	if (pipe(pfd) == -1)
		return;
	if ((pid = fork()) == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execlp("redis-cli", "redis-cli", "-h", "127.0.0.1", "-p", port,
		    "--raw", args[0], args[1], args[2], args[3], args[4],
		    args[5], (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (got + 1 < outsz &&
	    (n = read(pfd[0], out + got, outsz - got - 1)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	out[strcspn(out, "\n")] = '\0';
}

/* The value of key on the live server, by a fresh connection: "" when
 * absent (redis-cli, as a second client would see it). */
static void
cli_get(const char *port, const char *cmd, const char *key, char *out,
    size_t outsz)
{
	cli_argv(port, (const char *[6]){ cmd, key }, out, outsz);
}

/*
 * The live part against addr: redis://, or rediss:// with tls (its
 * files); redis-cli checks what is in redis over cli_port, the same
 * server's plain port.
 */
static void
test_live(const char *addr, const struct redis_tls *tls,
    const char *cli_port)
{
	char tok_a[LOCK_REDIS_TOKEN_MAX], tok_b[LOCK_REDIS_TOKEN_MAX];
	char v[256];
	const char *port = cli_port;
	struct err e;
	long long t0, t1;
	pid_t pid;
	int st;

	err_clear(&e);
	ok(lock_redis_setup(addr, "t:", tls, &e) == 0, "setup");
	if (e.msg[0] != '\0')
		printf("#   %s\n", e.msg);
	ok(lock_redis_token(tok_a, &e) == 0 && lock_redis_token(tok_b, &e) ==
	    0 && strchr(tok_a, ':') != NULL &&
	    strlen(strchr(tok_a, ':') + 1) == 32 &&
	    strtol(tok_a, NULL, 10) == (long)getpid() &&
	    strcmp(tok_a, tok_b) != 0,
	    "two tokens: PID@HOST: and 32 hex digits, different");
	is_int(lock_redis_try("k1", 30, tok_a, &e), LOCK_OWNER,
	    "a free key is taken");
	cli_get(port, "GET", "t:lock:k1", v, sizeof(v));
	is_str(v, tok_a, "SET NX: the key holds the owner's token");
	cli_get(port, "PTTL", "t:lock:k1", v, sizeof(v));
	ok(atoll(v) > 29000 && atoll(v) <= 30000,
	    "PX: the lease is lock_expiry (30 s)");
	is_int(lock_redis_try("k1", 30, tok_b, &e), LOCK_HELD,
	    "another token finds it held");
	is_int(lock_redis_renew("k1", 60, tok_b, 1, &e), 0,
	    "another token cannot renew it");
	cli_get(port, "PTTL", "t:lock:k1", v, sizeof(v));
	ok(atoll(v) <= 30000, "and the lease is unchanged");
	is_int(lock_redis_renew("k1", 60, tok_a, 1, &e), 1, "the owner renews");
	cli_get(port, "PTTL", "t:lock:k1", v, sizeof(v));
	ok(atoll(v) > 30000, "the lease runs 60 s from now");
	is_int(lock_redis_release("k1", tok_b, &e), 0,
	    "another token cannot release it");
	cli_get(port, "GET", "t:lock:k1", v, sizeof(v));
	is_str(v, tok_a, "still the owner's");
	is_int(lock_redis_release("k1", tok_a, &e), 1, "the owner releases");
	cli_get(port, "EXISTS", "t:lock:k1", v, sizeof(v));
	is_str(v, "0", "the key is gone");
	/* Redis restarted empty under an owner: its heartbeat takes the key
	 * again, unless someone else took it meanwhile. */
	is_int(lock_redis_renew("k1", 30, tok_a, 1, &e), 2,
	    "a renew that finds the key gone takes it again");
	cli_get(port, "GET", "t:lock:k1", v, sizeof(v));
	is_str(v, tok_a, "with the owner's token");
	lock_redis_release("k1", tok_a, &e);
	is_int(lock_redis_try("k1", 30, tok_b, &e), LOCK_OWNER, "b takes it");
	is_int(lock_redis_renew("k1", 30, tok_a, 1, &e), 0,
	    "a's renew does not take it from b");

	/* A waiter is woken by the release's message: a child releases
	 * after 300 ms; the wait (at most 10 s) returns right after. */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct err ce;

		lock_redis_close();
		usleep(300000);
		err_clear(&ce);
		_exit(lock_redis_release("k1", tok_b, &ce) == 1 ? 0 : 1);
	}
	t0 = tap_now_ms();
	st = lock_redis_wait("k1", 10000, &e);
	t1 = tap_now_ms();
	is_int(st, 1, "the waiter is woken by the release");
	ok(t1 - t0 >= 250 && t1 - t0 < 1500, "about 300 ms after it began "
	    "(not at the 10 s bound)");
	if (!(t1 - t0 >= 250 && t1 - t0 < 1500))
		printf("#   waited %lld ms\n", t1 - t0);
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child released it");
	/* An owner that dies publishes nothing: the wait ends at the lease's
	 * end (1 s), not at its own bound. */
	is_int(lock_redis_try("k2", 1, tok_a, &e), LOCK_OWNER,
	    "k2 with a lease of 1 s");
	t0 = tap_now_ms();
	st = lock_redis_wait("k2", 10000, &e);
	t1 = tap_now_ms();
	ok(st == 0 && t1 - t0 >= 800 && t1 - t0 < 3000,
	    "a silent owner: the wait ends when the lease does");
	if (!(t1 - t0 >= 800 && t1 - t0 < 3000))
		printf("#   st %d, waited %lld ms\n", st, t1 - t0);
	is_int(lock_redis_try("k2", 30, tok_b, &e), LOCK_OWNER,
	    "and the key is free then");
	lock_redis_release("k2", tok_b, &e);
	err_clear(&e);
	is_int(lock_redis_wait("k2", 10000, &e), 1,
	    "a free key: no wait at all");
	/* The connection outlives a lost one: the server closes every
	 * client; the next call connects again. */
	{
		pid_t k;

		fflush(stdout);
		if ((k = fork()) == 0) {
			if (freopen("/dev/null", "w", stdout) == NULL)
				_exit(127);
			execlp("redis-cli", "redis-cli", "-h", "127.0.0.1",
			    "-p", port, "CLIENT", "KILL", "TYPE", "normal",
			    (char *)NULL);
			_exit(127);
		}
		waitpid(k, NULL, 0);
	}
	err_clear(&e);
	st = lock_redis_try("k3", 30, tok_a, &e);
	is_int(st, LOCK_OWNER, "after the server dropped our connection, "
	    "the next call makes a new one and succeeds");
	if (st == -1)
		printf("#   %s\n", e.msg);
	lock_redis_release("k3", tok_a, &e);

	/* lock.c's interface over the backend. */
	{
		struct lock_opts o = { LOCK_BACKEND_REDIS, addr, "t:",
		    LOCK_DOWN_FAIL, tls != NULL ? tls->ca : NULL,
		    tls != NULL ? tls->cert : NULL,
		    tls != NULL ? tls->key : NULL };

		err_clear(&e);
		ok(lock_setup(&o, &e) == 0, "lock_setup redis");
		is_int(lock_try(NULL, "v:m@v1.0.0", 30, &e), LOCK_OWNER,
		    "lock_try takes a redis lease (no index needed)");
		cli_get(port, "EXISTS", "t:lock:v:m@v1.0.0", v, sizeof(v));
		is_str(v, "1", "it is in redis");
		lock_release(NULL, "v:m@v1.0.0");
		cli_get(port, "EXISTS", "t:lock:v:m@v1.0.0", v, sizeof(v));
		is_str(v, "0", "lock_release deletes it");
		/* A lease lost (the heartbeat finds another owner) is not
		 * released: neither in redis (not ours) nor in sqlite (there
		 * is no index here: a look at it would crash). */
		is_int(lock_try(NULL, "h1", 3, &e), LOCK_OWNER, "h1 taken");
		{
			pid_t k;

			if ((k = fork()) == 0) {
				execlp("redis-cli", "redis-cli", "-h",
				    "127.0.0.1", "-p", port, "SET",
				    "t:lock:h1", "other", (char *)NULL);
				_exit(127);
			}
			waitpid(k, NULL, 0);
		}
		usleep(1100000);
		lock_heartbeat();
		lock_release(NULL, "h1");
		cli_get(port, "GET", "t:lock:h1", v, sizeof(v));
		is_str(v, "other", "a lost lease's release leaves the new "
		    "owner's key, and no sqlite path is taken");
		cli_get(port, "DEL", "t:lock:h1", v, sizeof(v));
		/* A strict lock: lock_hold renews it whole, owner-checked,
		 * and never takes it again once it is gone from redis. */
		is_int(lock_try_strict(NULL, "s1", 30, &e), LOCK_OWNER,
		    "lock_try_strict takes a redis lease");
		cli_get(port, "PERSIST", "t:lock:s1", v, sizeof(v));
		is_int(lock_hold(NULL, "s1", &e), 0, "lock_hold: still ours");
		cli_get(port, "PTTL", "t:lock:s1", v, sizeof(v));
		ok(atoll(v) > 29000, "and its lease is whole again");
		cli_get(port, "DEL", "t:lock:s1", v, sizeof(v));
		err_clear(&e);
		ok(lock_hold(NULL, "s1", &e) == -1 &&
		    strstr(e.msg, "lost") != NULL,
		    "gone from redis: lock_hold says it is lost");
		cli_get(port, "EXISTS", "t:lock:s1", v, sizeof(v));
		is_str(v, "0", "and did not take it again");
		o.redis = "127.0.0.1:1";
		o.on_down = LOCK_DOWN_LOCAL;
		lock_setup(&o, &e);
		err_clear(&e);
		ok(lock_try_strict(NULL, "s2", 30, &e) == -1 &&
		    e.code == E_UNAVAIL, "redis unreachable, on_redis_down = "
		    "local: lock_try_strict fails (no sqlite fallback)");
		o.on_down = LOCK_DOWN_FAIL;
		lock_setup(&o, &e);
		err_clear(&e);
		ok(lock_try(NULL, "v:m@v1.0.0", 30, &e) == -1 &&
		    e.code == E_UNAVAIL && strstr(e.msg, "127.0.0.1:1") !=
		    NULL, "redis unreachable, on_redis_down = fail: E_UNAVAIL "
		    "naming it");
		printf("#   %s\n", e.msg);
	}
}

/* Through a real redis-sentinel that watches the server as "mymaster". */
static void
test_sentinel(const char *sentinel, const char *master)
{
	char spec[256], tok[LOCK_REDIS_TOKEN_MAX];
	struct err e;

	snprintf(spec, sizeof(spec), "sentinel://127.0.0.1:1,%s/mymaster",
	    sentinel);
	err_clear(&e);
	ok(lock_redis_setup(spec, "s:", NULL, &e) == 0, "setup sentinel://");
	lock_redis_token(tok, &e);
	is_int(lock_redis_try("k", 30, tok, &e), LOCK_OWNER,
	    "sentinel: a dead sentinel skipped, the master asked of the "
	    "next, the key taken there");
	if (e.msg[0] != '\0')
		printf("#   %s\n", e.msg);
	is_int(lock_redis_release("k", tok, &e), 1, "sentinel: released");
	/* An error at the master names the master, not the first
	 * sentinel of the list (dead here). */
	snprintf(spec, sizeof(spec), "sentinel://:wrongpw@127.0.0.1:1,%s/"
	    "mymaster", sentinel);
	lock_redis_setup(spec, "s:", NULL, &e);
	err_clear(&e);
	ok(lock_redis_try("k", 30, tok, &e) == -1 &&
	    strstr(e.msg, "AUTH") != NULL && master != NULL &&
	    strstr(e.msg, master) != NULL &&
	    strstr(e.msg, "127.0.0.1:1:") == NULL,
	    "sentinel: AUTH refused by the master names the master");
	printf("#   %s\n", e.msg);
	snprintf(spec, sizeof(spec), "sentinel://%s/nosuchmaster", sentinel);
	lock_redis_setup(spec, "s:", NULL, &e);
	err_clear(&e);
	ok(lock_redis_try("k", 30, tok, &e) == -1 && e.code == E_UNAVAIL &&
	    strstr(e.msg, "nosuchmaster") != NULL,
	    "sentinel: an unknown master is a clear E_UNAVAIL");
	printf("#   %s\n", e.msg);
}

/*
 * A switch of master under a kept connection: the sentinel (host:port)
 * watches a as master "fo", b replicates a.  lock_redis holds a
 * connection to a; the operator makes b the master and a its replica
 * (REPLICAOF: no client is disconnected) and points the sentinel at b.
 * a then answers every write READONLY: the next lease is taken on b
 * (the connection dropped on READONLY, the sentinels asked again), not
 * refused for as long as the responder lives.
 */
static void
test_failover(const char *sentinel, const char *a, const char *b)
{
	const char *sport = strrchr(sentinel, ':') + 1;
	const char *aport = strrchr(a, ':') + 1, *bport = strrchr(b, ':') + 1;
	char spec[256], tok[LOCK_REDIS_TOKEN_MAX], v[256];
	struct err e;
	int st;

	snprintf(spec, sizeof(spec), "sentinel://%s/fo", sentinel);
	err_clear(&e);
	ok(lock_redis_setup(spec, "f:", NULL, &e) == 0, "failover: setup");
	lock_redis_token(tok, &e);
	is_int(lock_redis_try("k1", 30, tok, &e), LOCK_OWNER,
	    "failover: a lease taken on the first master");
	cli_argv(aport, (const char *[6]){ "EXISTS", "f:lock:k1" }, v,
	    sizeof(v));
	is_str(v, "1", "failover: (on a)");
	cli_argv(bport, (const char *[6]){ "REPLICAOF", "NO", "ONE" }, v,
	    sizeof(v));
	is_str(v, "OK", "failover: b is made the master");
	cli_argv(aport, (const char *[6]){ "REPLICAOF", "127.0.0.1", bport },
	    v, sizeof(v));
	is_str(v, "OK", "failover: a is made its replica");
	cli_argv(sport, (const char *[6]){ "SENTINEL", "REMOVE", "fo" }, v,
	    sizeof(v));
	cli_argv(sport, (const char *[6]){ "SENTINEL", "MONITOR", "fo",
	    "127.0.0.1", bport, "1" }, v, sizeof(v));
	is_str(v, "OK", "failover: the sentinel names b");
	err_clear(&e);
	st = lock_redis_try("k2", 30, tok, &e);
	is_int(st, LOCK_OWNER, "failover: the next lease is taken, on the "
	    "new master (the connection answering READONLY dropped)");
	if (st == -1)
		printf("#   %s\n", e.msg);
	cli_argv(bport, (const char *[6]){ "EXISTS", "f:lock:k2" }, v,
	    sizeof(v));
	is_str(v, "1", "failover: (on b)");
	is_int(lock_redis_release("k2", tok, &e), 1, "failover: released");
}

/*
 * A refused lock_redis_setup leaves the one before whole: set up with
 * rediss:// to a closed port and the system's CA store, then a setup
 * whose redis_tls_ca is a missing file and whose redis_tls_key is too
 * long is refused; the next connect still uses the system store (it
 * fails on the closed port, not on the missing CA file).
 */
static void
test_setup_refused(void)
{
	static char longkey[REDIS_TLS_PATH_MAX + 16];
	const struct redis_tls bad = { "/nonexistent/piraeus-ca.pem", NULL,
	    longkey };
	char tok[LOCK_REDIS_TOKEN_MAX];
	struct err e;

	memset(longkey, 'k', sizeof(longkey) - 1);
	err_clear(&e);
	ok(lock_redis_setup("rediss://127.0.0.1:1", "t:", NULL, &e) == 0,
	    "setup rediss:// (the system's CA store)");
	err_clear(&e);
	ok(lock_redis_setup("rediss://127.0.0.1:1", "t:", &bad, &e) == -1 &&
	    strstr(e.msg, "redis_tls_key longer than") != NULL,
	    "a setup with a too long redis_tls_key is refused");
	lock_redis_token(tok, &e);
	err_clear(&e);
	ok(lock_redis_try("k", 30, tok, &e) == -1 &&
	    strstr(e.msg, "nonexistent") == NULL &&
	    strstr(e.msg, "onnection refused") != NULL,
	    "and the setup before stays whole (no CA of the refused one)");
	printf("#   %s\n", e.msg);
}

/* rename DIR/from onto DIR/to (an atomic replace, as mv does): 0 or -1. */
static int
swap_in(const char *dir, const char *from, const char *to)
{
	char a[1024], b[1024];

	snprintf(a, sizeof(a), "%s/%s", dir, from);
	snprintf(b, sizeof(b), "%s/%s", dir, to);
	return rename(a, b);
}

/*
 * Renewed TLS files under a long-lived process (PIRAEUS_TEST_TLS_RELOAD=
 * DIR, addr rediss://, the client's files DIR/client.crt and .key): a
 * lease works; the files are replaced (rename) by ones of a CA the server
 * does not trust and the server drops its clients (CLIENT KILL over
 * cli_port): the next lease fails on the certificate (the new files were
 * loaded by the reconnect); replaced by a renewed certificate of the
 * trusted CA (DIR/new.crt, .key), the next lease works again, in the same
 * process.
 */
static void
test_tls_reload(const char *addr, const char *dir, const char *cli_port)
{
	char ca[1024], cert[1024], key[1024], tok[LOCK_REDIS_TOKEN_MAX];
	char v[256];
	const struct redis_tls tls = { ca, cert, key };
	struct err e;
	int st;

	snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
	snprintf(cert, sizeof(cert), "%s/client.crt", dir);
	snprintf(key, sizeof(key), "%s/client.key", dir);
	err_clear(&e);
	ok(lock_redis_setup(addr, "r:", &tls, &e) == 0, "reload: setup");
	lock_redis_token(tok, &e);
	st = lock_redis_try("k1", 30, tok, &e);
	is_int(st, LOCK_OWNER, "reload: a lease with the first certificate");
	if (st == -1)
		printf("#   %s\n", e.msg);
	lock_redis_release("k1", tok, &e);
	ok(swap_in(dir, "bad.crt", "client.crt") == 0 &&
	    swap_in(dir, "bad.key", "client.key") == 0,
	    "reload: the client files replaced by an untrusted CA's (mv)");
	cli_argv(cli_port, (const char *[6]){ "CLIENT", "KILL", "TYPE",
	    "normal" }, v, sizeof(v));
	ok(strtol(v, NULL, 10) >= 1, "reload: the server drops its clients");
	err_clear(&e);
	st = lock_redis_try("k2", 30, tok, &e);
	is_int(st, -1, "reload: the next lease fails: the reconnect loaded "
	    "the new files");
	printf("#   %s\n", e.msg);
	ok(strstr(e.msg, "unknown ca") != NULL && strstr(e.msg, "the server "
	    "does not trust our client certificate's CA") != NULL,
	    "reload: on the client certificate");
	ok(swap_in(dir, "new.crt", "client.crt") == 0 &&
	    swap_in(dir, "new.key", "client.key") == 0,
	    "reload: a renewed certificate of the trusted CA put in (mv)");
	usleep(1100 * 1000);	/* LOCK_REDIS_RETRY_MS after the failure */
	err_clear(&e);
	st = lock_redis_try("k3", 30, tok, &e);
	is_int(st, LOCK_OWNER, "reload: the next lease works, same process");
	if (st == -1)
		printf("#   %s\n", e.msg);
	is_int(lock_redis_release("k3", tok, &e), 1, "reload: released");
}

int
main(void)
{
	const char *addr = getenv("PIRAEUS_TEST_REDIS");

	if (getenv("PIRAEUS_TEST_FAILOVER") != NULL) {
		test_failover(getenv("PIRAEUS_TEST_FAILOVER"),
		    getenv("PIRAEUS_TEST_FAILOVER_A"),
		    getenv("PIRAEUS_TEST_FAILOVER_B"));
		return tap_done();
	}

	if (getenv("PIRAEUS_TEST_TLS_RELOAD") != NULL && addr != NULL) {
		const char *cli = getenv("PIRAEUS_TEST_REDIS_CLI_PORT");

		test_tls_reload(addr, getenv("PIRAEUS_TEST_TLS_RELOAD"),
		    cli != NULL ? cli : "6379");
		return tap_done();
	}
	test_parse();
	test_setup_refused();
	if (addr != NULL && *addr != '\0' && strrchr(addr, ':') != NULL) {
		/* rediss://: the files, and the plain port for redis-cli. */
		const struct redis_tls tls = { getenv("PIRAEUS_TEST_TLS_CA"),
		    getenv("PIRAEUS_TEST_TLS_CERT"),
		    getenv("PIRAEUS_TEST_TLS_KEY") };
		const char *cli = getenv("PIRAEUS_TEST_REDIS_CLI_PORT");

		test_live(addr, strncmp(addr, "rediss://", 9) == 0 ? &tls :
		    NULL, cli != NULL ? cli : strrchr(addr, ':') + 1);
	}
	if (getenv("PIRAEUS_TEST_SENTINEL") != NULL)
		test_sentinel(getenv("PIRAEUS_TEST_SENTINEL"), addr);
	if (addr == NULL || *addr == '\0')
		printf("# PIRAEUS_TEST_REDIS unset: the live part is "
		    "tests/cgi/t0600-redis-lock.t's\n");
	return tap_done();
}

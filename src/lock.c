/*
 * lock.c: singleflight across responder processes (DESIGN section 4).
 *
 * A lock is a row of the index's lock table (key, owner pid, host, start,
 * expiry) taken inside BEGIN IMMEDIATE, so two processes can never both
 * see the key free.  A holder that died must not wedge the key: its row
 * is taken over when it has expired, or at once when the holder ran on
 * this host and its pid is gone (kill(pid, 0) says ESRCH).  Waiters poll
 * with a growing back-off and look at storage between polls; the caller
 * bounds the wait.
 *
 * Several hosts sharing one storage tree each have their own index, so
 * its lock table sees one host: with [singleflight] backend = redis
 * (lock_setup), the same calls take a redis lease instead (lock_redis.c:
 * SET NX PX with a random token, owner-checked renew and release), and a
 * waiter sleeps on the key's pub/sub channel instead of polling
 * (lock_wait).  When redis cannot be reached, a lock is a 503, or with
 * on_redis_down = local this host's sqlite lock (one fetch per host, not
 * per cluster; logged once per outage).
 *
 * A holder that is alive keeps its locks: the locks this process holds
 * are remembered, and lock_heartbeat() (called by the transfers while they
 * run: libcurl's progress callback, the wait for a go process) pushes
 * their expiry forward every third of it.  So lock_expiry bounds how long
 * a silent or vanished holder on another host blocks a key, not how long
 * a fetch may take.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"

#define LOCK_HELD_MAX	4	/* locks one process holds at once (nested) */
#define LOCK_WAIT_SLICE_MS 5000	/* a waiter looks at storage at least this often */

/* The locks this process holds, for the heartbeat and the release. */
static struct {
	struct index	*ix;
	char		 key[LOCK_KEY_MAX];
	long		 expiry;
	time_t		 renewed;
	int64_t		 started;	/* sqlite: the row's start */
	enum lock_backend backend;	/* where it was taken */
	char		 token[LOCK_REDIS_TOKEN_MAX];	/* redis */
	int		 strict;	/* lock_try_strict: never taken again */
} lock_held[LOCK_HELD_MAX];
static size_t	 lock_nheld;

/* The backend chosen by lock_setup. */
static struct {
	enum lock_backend	 backend;
	enum lock_on_down	 on_down;
	int			 down;	/* on_down = local is in force */
} lock_cfg;

int
lock_setup(const struct lock_opts *o, struct err *e)
{
	lock_cfg.backend = o->backend;
	lock_cfg.on_down = o->on_down;
	lock_cfg.down = 0;
	if (o->backend != LOCK_BACKEND_REDIS)
		return 0;
	return lock_redis_setup(o->redis, o->prefix != NULL ? o->prefix : "",
	    &(const struct redis_tls){ o->tls_ca, o->tls_cert, o->tls_key }, e);
}

static const char *
lock_host(void)
{
	static char host[256];

	if (host[0] == '\0' && gethostname(host, sizeof(host) - 1) == -1)
		snprintf(host, sizeof(host), "localhost");
	return host;
}

/* 1 when the holder is certainly gone: same host and no such pid. */
static int
lock_dead(const struct index_lock *l)
{
	if (strcmp(l->host, lock_host()) != 0)
		return 0;
	if (l->pid == (long)getpid())
		return 0;
	return kill((pid_t)l->pid, 0) == -1 && errno == ESRCH;
}

int
lock_distributed(void)
{
	return lock_cfg.backend == LOCK_BACKEND_REDIS;
}

/* Remember a lock taken (strict: see lock_try_strict; started: its
 * sqlite row's start), for lock_heartbeat and lock_release: 0, or -1
 * when this process holds LOCK_HELD_MAX already. */
static int
lock_remember(struct index *ix, const char *key, long expiry,
    enum lock_backend backend, const char *token, int strict,
    int64_t started)
{
	if (lock_nheld == LOCK_HELD_MAX || strlen(key) >= LOCK_KEY_MAX)
		return -1;
	lock_held[lock_nheld].ix = ix;
	snprintf(lock_held[lock_nheld].key, LOCK_KEY_MAX, "%s", key);
	lock_held[lock_nheld].expiry = expiry;
	lock_held[lock_nheld].renewed = time(NULL);
	lock_held[lock_nheld].started = started;
	lock_held[lock_nheld].backend = backend;
	snprintf(lock_held[lock_nheld].token, LOCK_REDIS_TOKEN_MAX, "%s",
	    token != NULL ? token : "");
	lock_held[lock_nheld].strict = strict;
	lock_nheld++;
	return 0;
}

/*
 * The redis lease of key: LOCK_OWNER, LOCK_HELD, or -1 and e; 2 when
 * redis is unreachable and on_redis_down = local says to use sqlite
 * (never when strict: then redis down is -1 and e).
 */
static int
lock_try_redis(struct index *ix, const char *key, long expiry, int strict,
    struct err *e)
{
	char token[LOCK_REDIS_TOKEN_MAX];
	struct err re;
	int st;

	if (lock_redis_token(token, e) == -1)
		return -1;
	err_clear(&re);
	if ((st = lock_redis_try(key, expiry, token, &re)) == -1) {
		if (strict || lock_cfg.on_down != LOCK_DOWN_LOCAL)
			return err_set(e, re.code, "%s", re.msg);
		if (!lock_cfg.down)
			log_warnx("%s; on_redis_down = local: singleflight "
			    "is this host's only until redis is back",
			    re.msg);
		lock_cfg.down = 1;
		return 2;
	}
	if (lock_cfg.down)
		log_warnx("singleflight: redis is back");
	lock_cfg.down = 0;
	if (st == LOCK_OWNER &&
	    lock_remember(ix, key, expiry, LOCK_BACKEND_REDIS, token,
	    strict, 0) == -1) {
		lock_redis_release(key, token, &re);
		return err_set(e, E_INTERNAL, "lock %s: more than %d locks "
		    "held at once", key, LOCK_HELD_MAX);
	}
	return st;
}

/* What a lock_take is for: where the key may be taken. */
enum lock_scope { LOCK_ANY, LOCK_STRICT, LOCK_HOST };

/* lock_try, lock_try_strict and lock_try_local: key's lock in the
 * backend (LOCK_HOST: this host's sqlite lock table whatever it is). */
static int
lock_take(struct index *ix, const char *key, long expiry,
    enum lock_scope scope, struct err *e)
{
	struct index_lock cur, mine;
	time_t now = time(NULL);
	int strict = scope == LOCK_STRICT, held;

	if (lock_cfg.backend == LOCK_BACKEND_REDIS && scope != LOCK_HOST &&
	    (held = lock_try_redis(ix, key, expiry, strict, e)) != 2)
		return held;

	if (index_begin(ix, e) == -1)
		return -1;
	if ((held = index_lock_get(ix, key, &cur, e)) == -1)
		goto fail;
	if (held && cur.expires > (int64_t)now && !lock_dead(&cur)) {
		index_commit(ix, e);
		return LOCK_HELD;
	}
	if (held)
		log_warnx("lock %s: taking over from pid %ld on %s (%s)", key,
		    cur.pid, cur.host, cur.expires <= (int64_t)now ?
		    "expired" : "holder gone");
	memset(&mine, 0, sizeof(mine));
	mine.pid = (long)getpid();
	snprintf(mine.host, sizeof(mine.host), "%s", lock_host());
	mine.started = (int64_t)now;
	mine.expires = (int64_t)now + expiry;
	if (index_lock_put(ix, key, &mine, e) == -1 ||
	    index_commit(ix, e) == -1)
		goto fail;
	if (lock_remember(ix, key, expiry, LOCK_BACKEND_SQLITE, NULL, strict,
	    mine.started) == -1) {
		index_lock_delete(ix, key, mine.pid, mine.host, mine.started,
		    e);
		return err_set(e, E_INTERNAL, "lock %s: more than %d locks "
		    "held at once", key, LOCK_HELD_MAX);
	}
	return LOCK_OWNER;
fail:
	index_rollback(ix);
	return -1;
}

int
lock_try(struct index *ix, const char *key, long expiry, struct err *e)
{
	return lock_take(ix, key, expiry, LOCK_ANY, e);
}

int
lock_try_strict(struct index *ix, const char *key, long expiry,
    struct err *e)
{
	return lock_take(ix, key, expiry, LOCK_STRICT, e);
}

int
lock_try_local(struct index *ix, const char *key, long expiry,
    struct err *e)
{
	return lock_take(ix, key, expiry, LOCK_HOST, e);
}

/* The index of key in lock_held (this process holds it on ix), or -1. */
static long
lock_find(const struct index *ix, const char *key)
{
	size_t i;

	for (i = 0; i < lock_nheld; i++)
		if (lock_held[i].ix == ix && strcmp(lock_held[i].key, key) == 0)
			return (long)i;
	return -1;
}

int
lock_local(const struct index *ix, const char *key)
{
	long i = lock_find(ix, key);

	return i >= 0 && lock_held[i].backend == LOCK_BACKEND_SQLITE;
}

int64_t
lock_disown(struct index *ix, const char *key)
{
	int64_t started;
	long i;

	(void)lock_host();	/* set before another thread drops the lock */
	if ((i = lock_find(ix, key)) < 0)
		return -1;
	started = lock_held[i].started;
	lock_held[i] = lock_held[--lock_nheld];
	return started;
}

void
lock_drop(struct index *ix, const char *key, int64_t started)
{
	struct err e;

	if (started < 0)
		return;
	err_clear(&e);
	if (index_lock_delete(ix, key, (long)getpid(), lock_host(), started,
	    &e) == -1)
		log_warnx("lock %s: release: %s", key, e.msg);
}

void
lock_release(struct index *ix, const char *key)
{
	char token[LOCK_REDIS_TOKEN_MAX];
	struct err e;
	long i;

	/* Not held (any more: the heartbeat found the lease lost) with
	 * redis: nothing to release, and no sqlite lock to look at (a lock
	 * taken with on_redis_down = local is held, as LOCK_BACKEND_SQLITE). */
	if ((i = lock_find(ix, key)) < 0 && lock_distributed())
		return;
	if (i < 0 || lock_held[i].backend != LOCK_BACKEND_REDIS) {
		lock_drop(ix, key, lock_disown(ix, key));
		return;
	}
	memcpy(token, lock_held[i].token, sizeof(token));
	lock_held[i] = lock_held[--lock_nheld];
	err_clear(&e);
	/* Not ours any more is no error: the lease ran out (or redis lost
	 * it) and someone else may hold it now. */
	if (lock_redis_release(key, token, &e) == -1)
		log_warnx("lock %s: release: %s (the lease runs out by "
		    "itself)", key, e.msg);
}

/*
 * Push the expiry of held lock i forward if this process still owns it:
 * 0 renewed, 1 lost (taken over; for a strict lock also gone from redis),
 * -1 and e when it could not be asked (logged; the lock is kept).
 */
static int
lock_renew(size_t i, time_t now, struct err *e)
{
	struct index_lock cur;
	struct index *ix = lock_held[i].ix;

	lock_held[i].renewed = now;
	if (lock_held[i].backend == LOCK_BACKEND_REDIS) {
		switch (lock_redis_renew(lock_held[i].key, lock_held[i].expiry,
		    lock_held[i].token, !lock_held[i].strict, e)) {
		case 0:
			log_warnx("lock %s: lost to another holder%s",
			    lock_held[i].key, lock_held[i].strict ?
			    " (or gone from redis)" : "");
			return 1;
		case 2:
			log_warnx("lock %s: the lease was gone from redis "
			    "(restarted?): taken again", lock_held[i].key);
			return 0;
		case -1:
			goto fail;
		default:
			return 0;
		}
	}
	if (index_begin(ix, e) == -1)
		goto fail;
	if (index_lock_get(ix, lock_held[i].key, &cur, e) != 1 ||
	    cur.pid != (long)getpid() || strcmp(cur.host, lock_host()) != 0) {
		index_rollback(ix);
		log_warnx("lock %s: lost to another holder", lock_held[i].key);
		return 1;
	}
	cur.expires = (int64_t)now + lock_held[i].expiry;
	if (index_lock_put(ix, lock_held[i].key, &cur, e) == -1 ||
	    index_commit(ix, e) == -1) {
		index_rollback(ix);
		goto fail;
	}
	return 0;
fail:
	log_warnx("lock %s: renew: %s", lock_held[i].key, e->msg);
	return -1;
}

int
lock_hold(struct index *ix, const char *key, struct err *e)
{
	long i;
	int st;

	if ((i = lock_find(ix, key)) < 0)
		return err_set(e, E_INTERNAL, "lock %s: not held", key);
	if ((st = lock_renew((size_t)i, time(NULL), e)) == 1) {
		lock_held[i] = lock_held[--lock_nheld];
		return err_set(e, E_UNAVAIL, "lock %s: lost before its work "
		    "was done (nothing written)", key);
	}
	return st;
}

void
lock_heartbeat(void)
{
	time_t now = time(NULL);
	struct err e;
	size_t i;

	for (i = 0; i < lock_nheld;) {
		err_clear(&e);
		if (now - lock_held[i].renewed >= lock_held[i].expiry / 3 &&
		    lock_renew(i, now, &e) == 1) {
			lock_held[i] = lock_held[--lock_nheld];
			continue;
		}
		i++;
	}
}

void
lock_note(const char *key, int code, const char *msg, long ttl)
{
	char v[LOCK_NOTE_MAX + 48];
	struct err e;

	if (lock_cfg.backend != LOCK_BACKEND_REDIS || lock_cfg.down)
		return;
	snprintf(v, sizeof(v), "%lld %d %s", (long long)time(NULL), code,
	    msg != NULL ? msg : "");
	err_clear(&e);
	if (lock_redis_note_set(key, v, ttl * 1000, &e) == -1)
		log_warnx("%s: the outcome not left in redis: %s", key, e.msg);
}

int
lock_note_get(const char *key, time_t *at, int *code, char *msg,
    size_t msgsz)
{
	char v[LOCK_NOTE_MAX + 48], *p, *end;
	long long t;
	long c;
	struct err e;

	if (lock_cfg.backend != LOCK_BACKEND_REDIS || lock_cfg.down)
		return 0;
	err_clear(&e);
	if (lock_redis_note_get(key, v, sizeof(v), &e) != 1)
		return 0;
	/* "SECONDS CODE MESSAGE" */
	errno = 0;
	t = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != ' ')
		return 0;
	p = end + 1;
	c = strtol(p, &end, 10);
	if (errno != 0 || end == p || (*end != ' ' && *end != '\0') ||
	    c <= E_OK || c > E_INTERNAL)
		return 0;
	*at = (time_t)t;
	*code = (int)c;
	snprintf(msg, msgsz, "%s", *end == ' ' ? end + 1 : "");
	return 1;
}

long
lock_backoff_us(int attempt)
{
	return attempt < 8 ? 1000L << attempt : 250000L;
}

void
lock_backoff(int attempt)
{
	long us = lock_backoff_us(attempt);
	struct timespec ts = { 0, us * 1000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
lock_wait(const char *key, int attempt, time_t deadline)
{
	time_t now = time(NULL);
	long ms;
	struct err e;

	if (lock_cfg.backend != LOCK_BACKEND_REDIS || lock_cfg.down) {
		lock_backoff(attempt);
		return;
	}
	ms = deadline > now ? (long)(deadline - now) * 1000 : 0;
	if (ms > LOCK_WAIT_SLICE_MS)
		ms = LOCK_WAIT_SLICE_MS;
	if (ms <= 0)
		return;
	err_clear(&e);
	if (lock_redis_wait(key, ms, &e) == -1) {
		log_warnx("lock %s: wait: %s", key, e.msg);
		lock_backoff(attempt);
	}
}

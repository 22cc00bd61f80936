/*
 * lock.c: singleflight across responder processes (DESIGN section 4).
 *
 * A lock is a row of the index's lock table (key, owner pid, host, start,
 * expiry) taken inside BEGIN IMMEDIATE, so two processes can never both
 * see the key free.  A holder that died must not wedge the key: its row
 * is taken over when it has expired, or at once when the holder ran on
 * this host and its pid is gone (kill(pid, 0) says ESRCH).  Waiters poll
 * with a growing back-off and look at storage between polls; the caller
 * bounds the wait.  Several hosts sharing one storage will put a redis
 * lock behind this same interface.
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
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"

#define LOCK_HELD_MAX	4	/* locks one process holds at once (nested) */

/* The locks this process holds, for the heartbeat. */
static struct {
	struct index	*ix;
	char		 key[LOCK_KEY_MAX];
	long		 expiry;
	time_t		 renewed;
} lock_held[LOCK_HELD_MAX];
static size_t	 lock_nheld;

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
lock_try(struct index *ix, const char *key, long expiry, struct err *e)
{
	struct index_lock cur, mine;
	time_t now = time(NULL);
	int held;

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
	if (lock_nheld < LOCK_HELD_MAX && strlen(key) < LOCK_KEY_MAX) {
		lock_held[lock_nheld].ix = ix;
		snprintf(lock_held[lock_nheld].key, LOCK_KEY_MAX, "%s", key);
		lock_held[lock_nheld].expiry = expiry;
		lock_held[lock_nheld].renewed = now;
		lock_nheld++;
	}
	return LOCK_OWNER;
fail:
	index_rollback(ix);
	return -1;
}

void
lock_disown(struct index *ix, const char *key)
{
	size_t i;

	(void)lock_host();	/* set before another thread drops the lock */
	for (i = 0; i < lock_nheld; i++)
		if (lock_held[i].ix == ix && strcmp(lock_held[i].key, key) == 0) {
			lock_held[i] = lock_held[--lock_nheld];
			break;
		}
}

void
lock_drop(struct index *ix, const char *key)
{
	struct err e;

	err_clear(&e);
	if (index_lock_delete(ix, key, (long)getpid(), lock_host(), &e) == -1)
		log_warnx("lock %s: release: %s", key, e.msg);
}

void
lock_release(struct index *ix, const char *key)
{
	lock_disown(ix, key);
	lock_drop(ix, key);
}

/*
 * Push the expiry of held lock i forward if this process still owns it.
 * Returns 1 when the lock was lost (taken over), else 0.
 */
static int
lock_renew(size_t i, time_t now)
{
	struct index_lock cur;
	struct index *ix = lock_held[i].ix;
	struct err e;

	err_clear(&e);
	lock_held[i].renewed = now;
	if (index_begin(ix, &e) == -1)
		goto fail;
	if (index_lock_get(ix, lock_held[i].key, &cur, &e) != 1 ||
	    cur.pid != (long)getpid() || strcmp(cur.host, lock_host()) != 0) {
		index_rollback(ix);
		log_warnx("lock %s: lost to another holder", lock_held[i].key);
		return 1;
	}
	cur.expires = (int64_t)now + lock_held[i].expiry;
	if (index_lock_put(ix, lock_held[i].key, &cur, &e) == -1 ||
	    index_commit(ix, &e) == -1) {
		index_rollback(ix);
		goto fail;
	}
	return 0;
fail:
	log_warnx("lock %s: renew: %s", lock_held[i].key, e.msg);
	return 0;
}

void
lock_heartbeat(void)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < lock_nheld;) {
		if (now - lock_held[i].renewed >= lock_held[i].expiry / 3 &&
		    lock_renew(i, now) == 1) {
			lock_held[i] = lock_held[--lock_nheld];
			continue;
		}
		i++;
	}
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

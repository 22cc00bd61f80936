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
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"

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
	return LOCK_OWNER;
fail:
	index_rollback(ix);
	return -1;
}

void
lock_release(struct index *ix, const char *key)
{
	struct err e;

	err_clear(&e);
	if (index_lock_delete(ix, key, (long)getpid(), lock_host(), &e) == -1)
		log_warnx("lock %s: release: %s", key, e.msg);
}

void
lock_backoff(int attempt)
{
	long ms = attempt < 4 ? 20L << attempt : 250;
	struct timespec ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

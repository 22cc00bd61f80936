/*
 * test_lock.c: the singleflight lock table policy of lock.c: one owner,
 * take-over of an expired or dead holder, release, and the heartbeat that
 * keeps the locks of a live holder from expiring while it works; a row
 * dropped by another thread (lock_disown + lock_drop) only while it is
 * the one disowned, not one the process took again after it expired.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

/* The expiry of key as the table has it; -1 when there is no row. */
static int64_t
expires(struct index *ix, const char *key)
{
	struct index_lock l;
	struct err e;

	err_clear(&e);
	return index_lock_get(ix, key, &l, &e) == 1 ? l.expires : -1;
}

/* Sleep until the wall clock has moved by at least s whole seconds. */
static void
wait_seconds(int s)
{
	time_t t0 = time(NULL);

	while (time(NULL) - t0 < s)
		usleep(50000);
}

int
main(void)
{
	char dir[] = "/tmp/test_lock.XXXXXX", cmd[128];
	struct index_lock l;
	struct index *ix;
	struct err e;
	int64_t before;
	pid_t pid;
	int st;

	if (mkdtemp(dir) == NULL)
		return 1;
	log_init("test_lock", LOG_LVL_ERROR);
	err_clear(&e);
	if (!ok(index_open(&ix, dir, &e) == 0, "index opens"))
		return tap_done();

	is_int(lock_try(ix, "k1", 3, &e), LOCK_OWNER, "a free key is taken");
	is_int(lock_try(ix, "k1", 3, &e), LOCK_HELD,
	    "held, also for its own holder (never dead to itself)");

	/* Another live process on this host holds k2: it is held. */
	memset(&l, 0, sizeof(l));
	l.pid = (long)getppid();
	gethostname(l.host, sizeof(l.host) - 1);
	l.started = (int64_t)time(NULL);
	l.expires = l.started + 60;
	index_lock_put(ix, "k2", &l, &e);
	is_int(lock_try(ix, "k2", 3, &e), LOCK_HELD, "a live holder keeps it");
	/* A dead pid on this host: taken over at once. */
	if ((pid = fork()) == 0)
		_exit(0);
	waitpid(pid, &st, 0);
	l.pid = (long)pid;
	index_lock_put(ix, "k3", &l, &e);
	is_int(lock_try(ix, "k3", 3, &e), LOCK_OWNER,
	    "a holder whose pid is gone is taken over");
	/* Another host, expired: taken over. */
	snprintf(l.host, sizeof(l.host), "elsewhere.example");
	l.expires = (int64_t)time(NULL) - 1;
	index_lock_put(ix, "k4", &l, &e);
	is_int(lock_try(ix, "k4", 3, &e), LOCK_OWNER,
	    "an expired holder on another host is taken over");
	l.expires = (int64_t)time(NULL) + 60;
	index_lock_put(ix, "k5", &l, &e);
	is_int(lock_try(ix, "k5", 3, &e), LOCK_HELD,
	    "an unexpired holder on another host is not");

	/* The heartbeat: nothing to do before a third of the expiry. */
	is_int(lock_try(ix, "k6", 30, &e), LOCK_OWNER, "a key with expiry 30");
	before = expires(ix, "k6");
	lock_heartbeat();
	is_int(expires(ix, "k6"), before, "no renewal before 10 s");
	lock_release(ix, "k6");
	before = expires(ix, "k1");
	wait_seconds(2);
	lock_heartbeat();
	ok(expires(ix, "k1") >= before + 1, "renewed once a third has passed");
	ok(expires(ix, "k1") >= (int64_t)time(NULL) + 2,
	    "and it runs a whole expiry from now");
	/* A live holder that beats keeps its key past the first expiry. */
	wait_seconds(2);
	lock_heartbeat();
	wait_seconds(2);
	lock_heartbeat();
	ok(expires(ix, "k1") > (int64_t)time(NULL),
	    "after more than the expiry, still not expired");

	/* Lost to someone else (took it over): the heartbeat leaves it. */
	memset(&l, 0, sizeof(l));
	l.pid = 1;
	snprintf(l.host, sizeof(l.host), "elsewhere.example");
	l.expires = (int64_t)time(NULL) + 1000;
	index_lock_put(ix, "k3", &l, &e);
	wait_seconds(2);
	lock_heartbeat();
	is_int(expires(ix, "k3"), l.expires,
	    "a lock lost to another holder is not renewed");

	/* Released: gone, and no longer beaten. */
	lock_release(ix, "k1");
	is_int(expires(ix, "k1"), -1, "released: no row");
	wait_seconds(2);
	lock_heartbeat();
	is_int(expires(ix, "k1"), -1, "and the heartbeat does not bring it back");

	/* Disowned for another thread to drop (the publisher), expired while
	 * that thread's job waited, and taken again by this process: the
	 * late drop of the old row leaves the new one alone. */
	{
		int64_t started, again;

		is_int(lock_try(ix, "k7", 1, &e), LOCK_OWNER,
		    "k7: taken (expiry 1 s)");
		started = lock_disown(ix, "k7");
		ok(started > 0, "k7: disowned: the row's start");
		wait_seconds(2);
		is_int(lock_try(ix, "k7", 30, &e), LOCK_OWNER,
		    "k7: expired, taken again by this process");
		again = index_lock_get(ix, "k7", &l, &e) == 1 ? l.started : -1;
		ok(again > started, "k7: the new row starts later");
		lock_drop(ix, "k7", started);
		is_int(index_lock_get(ix, "k7", &l, &e), 1,
		    "k7: the old row's drop leaves the new row");
		is_int(l.started, again, "k7: it is still the new row");
		lock_release(ix, "k7");
		is_int(expires(ix, "k7"), -1, "k7: released by its holder");
		is_int(lock_disown(ix, "k7"), -1,
		    "k7: a key not held: disown says -1");
	}

	index_close(ix);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return tap_done();
}

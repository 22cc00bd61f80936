/*
 * publish.c: a checked version into storage, then the index, then the
 * after-publish hooks (DESIGN 2 and 3).
 *
 * store_publish moves the temporary files into place atomically, .info
 * last; from then on the version exists, whatever happens next.  The
 * index row is made from what the fetch already knows of the zip (its h1
 * from check.c, its SHA-256 taken while it streamed), so the published
 * zip is not read again.  Then each hook is told (the private checksum
 * database records the version).  Index and hook failures are logged and
 * never undo the publish: the tree is the truth, and reindex or the next
 * lookup mends the rest.
 *
 * publish_later hands a version answered from its temporary files to this
 * process's publisher thread, which publishes it (the fsyncs: several
 * milliseconds on a real disk) with an index connection of its own
 * (opened by publish_later: if it cannot be, the caller publishes) and
 * then writes the index row and drops the version's singleflight lock in
 * one transaction, while the responder takes its next request.  The web server sees an idle responder as soon as the
 * answer is out and sends it the next request at once: without the thread
 * that request waited for the fsyncs of the last one.  The rules of the
 * publish do not change; only who waits for it does.  Jobs are published
 * in turn; at exit (atexit) the queue is drained and the thread joined.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"

/* Publishes queued at once; past this the caller publishes itself. */
#define PUBLISH_QUEUE_MAX	16

/*
 * Place f's files as emod@ever (store_publish) and describe the version
 * for the index from what the fetch knows of its zip (nothing read
 * again): 1 and iv when there is a row to put, 0 when there is none (a
 * .mod stored alone; no index; a description that failed, logged), -1
 * and e when the files could not be placed.
 */
static int
publish_place(const struct publish_env *env, const char *emod,
    const char *ever, struct fetched *f, const char *zip_h1,
    const char *origin, struct index_version *iv, struct err *e)
{
	struct reindex_zip_known known;
	struct stat sb;
	struct err ie;

	memset(&known, 0, sizeof(known));
	known.size = -1;
	if (f->zip != NULL && stat(f->zip, &sb) == 0) {
		known.size = (int64_t)sb.st_size;
		snprintf(known.h1, sizeof(known.h1), "%s", zip_h1);
		snprintf(known.sha256, sizeof(known.sha256), "%s",
		    f->zip_sha256);
	}
	if (store_publish(env->store, emod, ever, f->info, f->mod, f->zip,
	    e) == -1)
		return -1;
	if (f->info == NULL)
		return 0;
	err_clear(&ie);
	if (env->idx == NULL) {
		log_warnx("index %s@%s: no index to record it in", emod, ever);
		return 0;
	}
	if (reindex_describe(env->store, emod, ever, &known, iv, &ie) == -1) {
		log_warnx("index %s@%s: %s", emod, ever, ie.msg);
		return 0;
	}
	snprintf(iv->origin, sizeof(iv->origin), "%.63s", origin);
	return 1;
}

/* Put iv's row in idx; a failure is logged (reindex mends it). */
static void
publish_index(struct index *idx, const struct index_version *iv)
{
	struct err ie;

	err_clear(&ie);
	if (index_put(idx, iv, &ie) == -1)
		log_warnx("index %s@%s: %s", iv->module, iv->version, ie.msg);
}

int
publish_version(const struct publish_env *env, const char *emod,
    const char *ever, struct fetched *f, const char *zip_h1,
    const char *origin, struct err *e)
{
	struct index_version iv;
	struct err ie;
	size_t i;
	int rc;

	if ((rc = publish_place(env, emod, ever, f, zip_h1, origin, &iv,
	    e)) != 1)
		return rc;
	publish_index(env->idx, &iv);
	FAULT_POINT("index");
	if (!iv.has_zip)
		return 0;
	err_clear(&ie);
	for (i = 0; i < env->nhooks; i++) {
		if (env->hooks[i].fn(env->hooks[i].arg, &iv, &ie) == -1) {
			log_warnx("%s: %s@%s: %s", env->hooks[i].name,
			    iv.module, iv.version, ie.msg);
			err_clear(&ie);
		}
	}
	return 0;
}

/* One version for the publisher thread: what publish_version needs, and
 * the lock to drop after it (owned: f's files and names). */
struct publish_job {
	struct publish_job	*next;
	struct store		 store;		/* a copy: outlives the caller's */
	char			 emod[MODPATH_MAX];
	char			 ever[VERSION_MAX];
	char			 zip_h1[H1_MAX];
	char			 origin[64];
	char			 key[LOCK_KEY_MAX];
	int64_t			 started;	/* the lock row's start */
	struct fetched		 f;
};

/* The publisher thread of this process and its queue (mu guards all but
 * idx, which publish_later opens before the thread's first job and only
 * the thread touches after). */
static struct {
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;		/* a job came, or stop */
	struct publish_job	*head, *tail;
	size_t			 n;
	int			 started, stop;
	pthread_t		 thread;
	struct index		*idx;		/* the thread's connection */
} publish_bg = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
    NULL, NULL, 0, 0, 0, 0, NULL };

/*
 * For a signal that asks the process to end while it is idle but a
 * publish is queued or running: jobs queued or running (not guarded by
 * mu: a signal handler reads it), the request to exit after the last one,
 * and the caller's test that the process is still idle then.
 */
static atomic_int	  publish_busy;
static atomic_int	  publish_exit_asked;
static int		(*publish_exit_idle)(void);

/*
 * Publish job j with the thread's own index connection (opened by
 * publish_later), then drop its lock and free it.  The index row and the
 * lock's release are one write transaction (each is a write lock the
 * other responders wait for); should it fail, each is written alone.
 */
static void
publish_job_run(struct publish_job *j)
{
	struct publish_env pe = { &j->store, publish_bg.idx, NULL, 0 };
	struct index_version iv;
	struct err e;
	int rc, done = 0;

	FAULT_POINT("publisher");
	err_clear(&e);
	if ((rc = publish_place(&pe, j->emod, j->ever, &j->f, j->zip_h1,
	    j->origin, &iv, &e)) == -1)
		log_warnx("publish %s@%s (answered from %s): %s", j->emod,
		    j->ever, j->origin, e.msg);
	fetched_free(&j->f);
	store_close(&j->store);
	err_clear(&e);
	/* Nothing to write (no row; a redis lease, released elsewhere): no
	 * transaction. */
	if ((rc == 1 || j->started >= 0) &&
	    index_begin(publish_bg.idx, &e) == 0) {
		if (rc == 1)
			publish_index(publish_bg.idx, &iv);
		lock_drop(publish_bg.idx, j->key, j->started);
		if (rc == 1)
			FAULT_POINT("index");
		if (index_commit(publish_bg.idx, &e) == 0)
			done = 1;
		else {
			log_warnx("publish %s@%s: %s", j->emod, j->ever,
			    e.msg);
			index_rollback(publish_bg.idx);
		}
	}
	if (!done) {
		if (rc == 1)
			publish_index(publish_bg.idx, &iv);
		lock_drop(publish_bg.idx, j->key, j->started);
	}
	free(j);
}

/* The publisher thread: jobs in turn until stopped and drained. */
static void *
publish_thread(void *arg)
{
	struct publish_job *j;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&publish_bg.mu);
		while (publish_bg.head == NULL && !publish_bg.stop)
			pthread_cond_wait(&publish_bg.work, &publish_bg.mu);
		if ((j = publish_bg.head) != NULL) {
			publish_bg.head = j->next;
			if (publish_bg.head == NULL)
				publish_bg.tail = NULL;
			publish_bg.n--;
		}
		pthread_mutex_unlock(&publish_bg.mu);
		if (j == NULL)
			break;
		publish_job_run(j);
		/* The last job of a process asked to end while idle: end it
		 * now (the main thread sits in accept). */
		if (atomic_fetch_sub(&publish_busy, 1) == 1 &&
		    atomic_load(&publish_exit_asked) &&
		    (publish_exit_idle == NULL || publish_exit_idle()))
			_exit(0);
	}
	if (publish_bg.idx != NULL)
		index_close(publish_bg.idx);
	publish_bg.idx = NULL;
	return NULL;
}

void
publish_exit_hook(int (*idle)(void))
{
	publish_exit_idle = idle;
}

int
publish_exit_when_done(void)
{
	atomic_store(&publish_exit_asked, 1);
	return atomic_load(&publish_busy) > 0;
}

void
publish_drain(void)
{
	pthread_mutex_lock(&publish_bg.mu);
	if (!publish_bg.started) {
		/* Opened by publish_later for a thread that did not start. */
		if (publish_bg.idx != NULL)
			index_close(publish_bg.idx);
		publish_bg.idx = NULL;
		pthread_mutex_unlock(&publish_bg.mu);
		return;
	}
	/* Called (atexit) by the thread itself ending the process (exit
	 * from xmalloc's out-of-memory): it cannot join itself. */
	if (pthread_equal(pthread_self(), publish_bg.thread)) {
		pthread_mutex_unlock(&publish_bg.mu);
		return;
	}
	publish_bg.stop = 1;
	pthread_cond_signal(&publish_bg.work);
	pthread_mutex_unlock(&publish_bg.mu);
	pthread_join(publish_bg.thread, NULL);
	pthread_mutex_lock(&publish_bg.mu);
	publish_bg.started = 0;
	publish_bg.stop = 0;
	pthread_mutex_unlock(&publish_bg.mu);
}

/* Start the thread (mu held): 0, or -1.  Signals stay with the main
 * thread (a SIGTERM must interrupt its accept, not this thread's wait). */
static int
publish_start(void)
{
	static int registered;
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&publish_bg.thread, NULL, publish_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	publish_bg.started = 1;
	if (!registered) {
		registered = 1;
		atexit(publish_drain);
	}
	return 0;
}

int
publish_later(const struct publish_env *env, const char *state_dir,
    const char *emod, const char *ever, struct fetched *f,
    const char *zip_h1, const char *origin, const char *key)
{
	struct publish_job *j;
	struct err e;

	/* Hooks run with the caller's connection and state: not here. */
	/* A redis lease is released on this thread's connection (hiredis
	 * is not thread-safe): publish inline. */
	if (env->nhooks > 0 || env->idx == NULL || state_dir == NULL ||
	    !index_threadsafe() || strlen(key) >= LOCK_KEY_MAX ||
	    !lock_local(env->idx, key))
		return -1;
	pthread_mutex_lock(&publish_bg.mu);
	if (publish_bg.n >= PUBLISH_QUEUE_MAX) {
		pthread_mutex_unlock(&publish_bg.mu);
		return -1;
	}
	/* The thread's connection, opened here: when it cannot be (out of
	 * descriptors), the caller publishes with its own and releases the
	 * lock, instead of a thread that could not drop it (the row would
	 * stay while this process lives and every waiter time out). */
	err_clear(&e);
	if (publish_bg.idx == NULL &&
	    index_open(&publish_bg.idx, state_dir, &e) == -1) {
		log_warnx("publisher: %s; published inline", e.msg);
		publish_bg.idx = NULL;
		pthread_mutex_unlock(&publish_bg.mu);
		return -1;
	}
	if (!publish_bg.started && publish_start() == -1) {
		pthread_mutex_unlock(&publish_bg.mu);
		return -1;
	}
	j = xcalloc(1, sizeof(*j));
	j->store.root = xstrdup(env->store->root);
	j->store.tmp = xstrdup(env->store->tmp);
	snprintf(j->emod, sizeof(j->emod), "%s", emod);
	snprintf(j->ever, sizeof(j->ever), "%s", ever);
	snprintf(j->zip_h1, sizeof(j->zip_h1), "%s", zip_h1);
	snprintf(j->origin, sizeof(j->origin), "%s", origin);
	snprintf(j->key, sizeof(j->key), "%s", key);
	j->f = *f;
	memset(f, 0, sizeof(*f));
	/* The thread drops the lock: this process stops renewing it.  The
	 * row's start tells it from one this process takes again should it
	 * expire while queued. */
	j->started = lock_disown(env->idx, key);
	atomic_fetch_add(&publish_busy, 1);
	if (publish_bg.tail != NULL)
		publish_bg.tail->next = j;
	else
		publish_bg.head = j;
	publish_bg.tail = j;
	publish_bg.n++;
	pthread_cond_signal(&publish_bg.work);
	pthread_mutex_unlock(&publish_bg.mu);
	return 0;
}

/*
 * gc.c: the storage lifecycle (piraeus gc; README "Storage lifecycle").
 *
 * A version's last use is the newest of: the mtime of its files (when it
 * was stored), their atimes (with gc_opts.use_atime: what the web server's
 * reads leave on a mount that keeps access times), and the newest hit on
 * one of its files in the web server's access log (gc_opts.access_log,
 * read incrementally: the state file remembers the log's device, inode
 * and offset, and the last hit of every stored version seen so far).
 *
 * Then, in order: versions unused for max_age days are candidates; every
 * version a kept version's go.mod requires is kept again (transitively;
 * not with force); while the kept versions weigh more than max_size, the
 * least recently used one that no kept go.mod requires goes too.  A
 * version used in the last GC_GRACE_SECONDS is never removed, and one
 * whose fetch lock is held (lock.c) is skipped: a fetch or a publish in
 * flight is never undone.  Each removal takes the version's lock, looks
 * at its times again, and removes it with purge_version (purge.c: the
 * .info first, then .mod and .zip, the index row, empty directories).
 *
 * The go.mod files are read with O_NOATIME, so gc's own reads do not make
 * a version look used.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"

#ifndef O_NOATIME
#define O_NOATIME	0
#endif

#define GC_STATE_MAGIC	"piraeus-gc-accesslog 1"
#define GC_STATE_LINE_MAX (MODPATH_MAX + VERSION_MAX + 64)

enum gc_fate { GC_KEEP = 0, GC_AGE, GC_SIZE };

/* One stored version. */
struct gc_ent {
	char		*module;	/* unescaped */
	char		*version;
	char		*emod;		/* escaped, as on disk */
	char		*ever;
	int64_t		 bytes;
	int64_t		 last;		/* last use, seconds */
	enum gc_fate	 fate;
	long		 refs;		/* kept versions that require it */
	long		 keeper;	/* who kept it again, or -1 */
	size_t		*req;		/* entries its go.mod requires */
	size_t		 nreq;
};

/* A hit remembered: "emod ever" and its time. */
struct gc_hit {
	char		*key;
	int64_t		 time;
};

struct gc_run {
	const struct store	*s;
	const struct gc_opts	*o;
	struct gc_ent		*ents;
	size_t			 n, cap;
	struct gc_hit		*hits;
	size_t			 nhits, caphits;
	dev_t			 log_dev;
	ino_t			 log_ino;
	int64_t			 log_off;
	struct gc_stats		*st;
	struct err		*e;
	int64_t			 now;		/* hits are never later */
};

int
gc_size_parse(const char *s, int64_t *out)
{
	static const struct {
		char	c;
		int	shift;
	} units[] = { { 'K', 10 }, { 'M', 20 }, { 'G', 30 }, { 'T', 40 } };
	int64_t v = 0;
	size_t i;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (*s != '\0') {
		for (i = 0; i < NITEMS(units); i++)
			if (*s == units[i].c)
				break;
		if (i == NITEMS(units) || s[1] != '\0' ||
		    v > (INT64_MAX >> units[i].shift))
			return -1;
		v <<= units[i].shift;
	}
	*out = v;
	return 0;
}

/* The newest of the mtimes (and with use_atime, atimes) of what exists of
 * emod@ever; *bytes (not NULL) gets their total size.  -1: none exists. */
static int64_t
gc_last(const struct store *s, const char *emod, const char *ever,
    int use_atime, int64_t *bytes)
{
	char path[ANSWER_PATH_MAX];
	struct stat sb;
	int64_t last = -1;
	int a;

	if (bytes != NULL)
		*bytes = 0;
	for (a = ART_INFO; a <= ART_ZIP; a++) {
		if (store_path(s, emod, ever, (enum artifact)a, path,
		    sizeof(path)) == -1 || lstat(path, &sb) == -1 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if (sb.st_mtime > last)
			last = sb.st_mtime;
		if (use_atime && sb.st_atime > last)
			last = sb.st_atime;
		if (bytes != NULL)
			*bytes += sb.st_size;
	}
	return last;
}

static int
gc_hit_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gc_hit *)a)->key,
	    ((const struct gc_hit *)b)->key);
}

/* Remember a hit on "emod ever" at t. */
static void
gc_hit_add(struct gc_run *r, const char *emod, const char *ever, int64_t t)
{
	if (r->nhits == r->caphits) {
		r->caphits = r->caphits ? r->caphits * 2 : 64;
		r->hits = xreallocarray(r->hits, r->caphits,
		    sizeof(*r->hits));
	}
	xasprintf(&r->hits[r->nhits].key, "%s %s", emod, ever);
	r->hits[r->nhits++].time = t;
}

/* Sort the hits and keep the newest per key. */
static void
gc_hit_merge(struct gc_run *r)
{
	size_t i, o = 0;

	if (r->nhits == 0)
		return;
	qsort(r->hits, r->nhits, sizeof(*r->hits), gc_hit_cmp);
	for (i = 0; i < r->nhits; i++) {
		if (o > 0 && strcmp(r->hits[o - 1].key, r->hits[i].key) == 0) {
			if (r->hits[i].time > r->hits[o - 1].time)
				r->hits[o - 1].time = r->hits[i].time;
			free(r->hits[i].key);
			continue;
		}
		r->hits[o++] = r->hits[i];
	}
	r->nhits = o;
}

/* The last hit of emod@ever in the log, or -1. */
static int64_t
gc_hit_find(const struct gc_run *r, const char *emod, const char *ever)
{
	struct gc_hit k, *h;
	int64_t t = -1;

	if (r->nhits == 0)
		return -1;
	xasprintf(&k.key, "%s %s", emod, ever);
	h = bsearch(&k, r->hits, r->nhits, sizeof(*r->hits), gc_hit_cmp);
	if (h != NULL)
		t = h->time;
	free(k.key);
	return t;
}

/* A signed decimal at *p into *v, then one separator sep (or the end). */
static int
gc_state_num(char **p, int64_t *v, int sep)
{
	char *end;

	errno = 0;
	*v = strtoll(*p, &end, 10);
	if (end == *p || errno != 0 || *end != sep)
		return -1;
	*p = end + (sep != '\0');
	return 0;
}

/*
 * Load the state file (its absence is a first run).  A line that does not
 * read is dropped: the state only remembers hits, the tree is the truth.
 */
static void
gc_state_load(struct gc_run *r, const char *path)
{
	char line[GC_STATE_LINE_MAX], *p, *sp, *nl;
	int64_t dev, ino, off, t;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return;
	if (fgets(line, sizeof(line), f) == NULL ||
	    strcmp(line, GC_STATE_MAGIC "\n") != 0 ||
	    fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return;
	}
	p = line;
	if (gc_state_num(&p, &dev, ' ') == 0 &&
	    gc_state_num(&p, &ino, ' ') == 0 &&
	    gc_state_num(&p, &off, '\n') == 0 && off >= 0) {
		r->log_dev = (dev_t)dev;
		r->log_ino = (ino_t)ino;
		r->log_off = off;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		p = line;
		if (gc_state_num(&p, &t, ' ') == -1 ||
		    (nl = strchr(p, '\n')) == NULL)
			continue;
		*nl = '\0';
		if ((sp = strchr(p, ' ')) == NULL || sp == p ||
		    sp[1] == '\0' || strchr(sp + 1, ' ') != NULL)
			continue;
		*sp = '\0';
		gc_hit_add(r, p, sp + 1, t > r->now ? r->now : t);
	}
	fclose(f);
}

/*
 * Read the log f from off on, line by line: every GET of a stored
 * version's file answered 200, 206 or 304 is a hit.  *off gets the end of
 * the last complete line (a line being written is read next time).
 */
static void
gc_log_read(struct gc_run *r, FILE *f, int64_t *off)
{
	char line[ACCESSLOG_LINE_MAX + 2], emod[MODPATH_MAX];
	char ever[VERSION_MAX];
	struct accesslog_hit h;
	int64_t pos, end;
	size_t len;
	int toolong = 0;

	if (fseeko(f, (off_t)*off, SEEK_SET) == -1)
		return;
	pos = (int64_t)*off;
	while (fgets(line, sizeof(line), f) != NULL) {
		/* What fgets read, by the offset (a NUL in the line would make
		 * strlen short, and the line's rest taken for the next). */
		if ((end = (int64_t)ftello(f)) < pos)
			break;
		len = (size_t)(end - pos);
		pos = end;
		if (len == 0 || len >= sizeof(line) || line[len - 1] != '\n') {
			if (feof(f))
				break;		/* incomplete: next time */
			toolong = 1;		/* skip to its end */
			continue;
		}
		*off = (int64_t)ftello(f);
		if (toolong) {
			toolong = 0;
			continue;
		}
		r->st->log_lines++;
		if (memchr(line, '\0', len) != NULL ||
		    accesslog_parse(line, len, &h) == -1 ||
		    (h.status != 200 && h.status != 206 && h.status != 304) ||
		    accesslog_artifact(h.path, r->o->base_path, emod, ever) ==
		    -1)
			continue;
		r->st->log_hits++;
		/* A hit dated in the future (a clock set wrong, a forged
		 * line) counts as now: it would pin the version for ever. */
		gc_hit_add(r, emod, ever, h.time > r->now ? r->now : h.time);
	}
}

/*
 * The new lines of the access log.  When it was rotated (another inode,
 * or shorter than the saved offset), the rest of the old file is read
 * first if PATH.1 is it, then the new file from its start.
 */
static void
gc_log_scan(struct gc_run *r)
{
	char *old;
	struct stat sb, ob;
	int64_t off;
	FILE *f, *of;

	if (r->o->access_log == NULL)
		return;
	if ((f = fopen(r->o->access_log, "re")) == NULL) {
		log_warn("gc: access log %s", r->o->access_log);
		return;
	}
	if (fstat(fileno(f), &sb) == -1) {
		fclose(f);
		return;
	}
	off = r->log_off;
	if (sb.st_dev != r->log_dev || sb.st_ino != r->log_ino ||
	    sb.st_size < r->log_off) {
		xasprintf(&old, "%s.1", r->o->access_log);
		of = fopen(old, "re");
		if (of != NULL && fstat(fileno(of), &ob) == 0 &&
		    ob.st_dev == r->log_dev && ob.st_ino == r->log_ino &&
		    ob.st_size >= r->log_off)
			gc_log_read(r, of, &off);
		if (of != NULL)
			fclose(of);
		free(old);
		off = 0;
	}
	gc_log_read(r, f, &off);
	r->log_dev = sb.st_dev;
	r->log_ino = sb.st_ino;
	r->log_off = off;
	fclose(f);
}

/* Save the log's position and the hits of the versions still stored,
 * atomically (a temporary file renamed over the state file). */
static int
gc_state_save(struct gc_run *r, const char *path, struct err *e)
{
	struct gc_ent *x;
	char *tmp;
	int64_t t;
	size_t i;
	FILE *f;
	int ok;

	xasprintf(&tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "we")) == NULL) {
		err_errno(e, E_INTERNAL, "%s", tmp);
		free(tmp);
		return -1;
	}
	fprintf(f, "%s\n%lld %lld %lld\n", GC_STATE_MAGIC,
	    (long long)r->log_dev, (long long)r->log_ino,
	    (long long)r->log_off);
	for (i = 0; i < r->n; i++) {
		x = &r->ents[i];
		if (x->fate != GC_KEEP ||
		    (t = gc_hit_find(r, x->emod, x->ever)) == -1)
			continue;
		fprintf(f, "%lld %s %s\n", (long long)t, x->emod, x->ever);
	}
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0 || !ok || rename(tmp, path) == -1) {
		err_errno(e, E_INTERNAL, "%s", path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* Record every version (.info or .mod present) of the module at emod. */
static int
gc_walk(const char *emod, void *arg)
{
	struct gc_run *r = arg;
	char module[MODPATH_MAX], version[VERSION_MAX];
	struct store_version *v = NULL;
	struct gc_ent *x;
	struct err e;
	int64_t hit;
	size_t i, n = 0;

	err_clear(&e);
	if (modpath_unescape(emod, module, sizeof(module)) == -1 ||
	    store_versions(r->s, emod, &v, &n, &e) == -1)
		return 0;
	for (i = 0; i < n; i++) {
		if ((!v[i].has_info && !v[i].has_mod) ||
		    modpath_unescape(v[i].ever, version, sizeof(version)) == -1)
			continue;
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 256;
			r->ents = xreallocarray(r->ents, r->cap,
			    sizeof(*r->ents));
		}
		x = &r->ents[r->n++];
		memset(x, 0, sizeof(*x));
		x->module = xstrdup(module);
		x->version = xstrdup(version);
		x->emod = xstrdup(emod);
		x->ever = xstrdup(v[i].ever);
		x->keeper = -1;
		x->last = gc_last(r->s, emod, v[i].ever, r->o->use_atime,
		    &x->bytes);
		if ((hit = gc_hit_find(r, emod, v[i].ever)) > x->last)
			x->last = hit;
	}
	free(v);
	return 0;
}

static int
gc_ent_cmp(const void *a, const void *b)
{
	const struct gc_ent *x = a, *y = b;
	int c = strcmp(x->module, y->module);

	return c ? c : strcmp(x->version, y->version);
}

/* The entry of module@version, or -1. */
static long
gc_find(const struct gc_run *r, const char *module, const char *version)
{
	struct gc_ent k, *x;

	if (r->n == 0)
		return -1;
	k.module = (char *)(uintptr_t)module;
	k.version = (char *)(uintptr_t)version;
	x = bsearch(&k, r->ents, r->n, sizeof(*r->ents), gc_ent_cmp);
	return x == NULL ? -1 : (long)(x - r->ents);
}

/* The stored versions x's go.mod requires (read with O_NOATIME). */
static void
gc_requires(struct gc_run *r, struct gc_ent *x)
{
	static int warned;
	char path[ANSWER_PATH_MAX];
	struct modfile_require *q = NULL;
	struct stat sb;
	struct buf b;
	struct err e;
	size_t i, nq = 0;
	long j;
	int fd;

	err_clear(&e);
	if (store_path(r->s, x->emod, x->ever, ART_MOD, path,
	    sizeof(path)) == -1)
		return;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME |
	    O_NONBLOCK);
	if (fd == -1 && errno == EPERM) {
		if (!warned++)
			log_warnx("gc: O_NOATIME refused (run gc as the "
			    "storage's owner): reading go.mod files "
			    "refreshes their access times");
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NONBLOCK);
	}
	if (fd == -1)
		return;
	/* Opened without blocking: a FIFO there is no go.mod. */
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == -1) {
		close(fd);
		return;
	}
	buf_init(&b, GOMOD_MAX);
	if (buf_read_fd(&b, fd, GOMOD_MAX, &e) == -1 ||
	    modfile_requires(b.data, b.len, &q, &nq, &e) == -1) {
		log_warnx("gc: %s@%s: go.mod: %s (its requirements do not "
		    "keep anything)", x->module, x->version, e.msg);
		r->st->bad_gomod++;
	} else {
		x->req = xreallocarray(NULL, nq ? nq : 1, sizeof(*x->req));
		for (i = 0; i < nq; i++)
			if ((j = gc_find(r, q[i].path, q[i].version)) >= 0 &&
			    (size_t)j != (size_t)(x - r->ents))
				x->req[x->nreq++] = (size_t)j;
	}
	free(q);
	buf_free(&b);
	close(fd);
}

/* Keep again every candidate a kept version requires, transitively. */
static void
gc_keep_required(struct gc_run *r)
{
	size_t *work, nw = 0, i, k;
	struct gc_ent *x, *y;

	work = xreallocarray(NULL, r->n ? r->n : 1, sizeof(*work));
	for (i = 0; i < r->n; i++)
		if (r->ents[i].fate == GC_KEEP)
			work[nw++] = i;
	while (nw > 0) {
		x = &r->ents[work[--nw]];
		for (k = 0; k < x->nreq; k++) {
			y = &r->ents[x->req[k]];
			if (y->fate == GC_KEEP)
				continue;
			y->fate = GC_KEEP;
			y->keeper = (long)(x - r->ents);
			r->st->kept_required++;
			work[nw++] = x->req[k];
		}
	}
	free(work);
}

static int
gc_last_cmp(const void *a, const void *b, void *arg)
{
	const struct gc_ent *e = arg;
	const struct gc_ent *x = &e[*(const size_t *)a];
	const struct gc_ent *y = &e[*(const size_t *)b];

	if (x->last != y->last)
		return x->last < y->last ? -1 : 1;
	return gc_ent_cmp(x, y);
}

/* While the kept versions weigh more than max_size, mark the least
 * recently used unrequired ones (out of the grace period) GC_SIZE. */
static void
gc_fit(struct gc_run *r, int64_t now)
{
	int64_t total = 0;
	size_t *order, n = 0, i, k;
	struct gc_ent *x;
	int progress = 1;

	for (i = 0; i < r->n; i++)
		if (r->ents[i].fate == GC_KEEP)
			total += r->ents[i].bytes;
	if (r->o->max_size <= 0 || total <= r->o->max_size)
		return;
	order = xreallocarray(NULL, r->n ? r->n : 1, sizeof(*order));
	for (i = 0; i < r->n; i++)
		if (r->ents[i].fate == GC_KEEP)
			order[n++] = i;
	if (n > 0)
		qsort_r(order, n, sizeof(*order), gc_last_cmp, r->ents);
	while (progress && total > r->o->max_size) {
		progress = 0;
		for (i = 0; i < n && total > r->o->max_size; i++) {
			x = &r->ents[order[i]];
			if (x->fate != GC_KEEP ||
			    (x->refs > 0 && !r->o->force) ||
			    x->last >= now - GC_GRACE_SECONDS)
				continue;
			x->fate = GC_SIZE;
			total -= x->bytes;
			for (k = 0; k < x->nreq; k++)
				r->ents[x->req[k]].refs--;
			progress = 1;
		}
	}
	if (total > r->o->max_size)
		log_warnx("gc: %lld bytes kept, over max_size %lld: the rest "
		    "is required by kept versions or used in the last %d "
		    "seconds", (long long)total, (long long)r->o->max_size,
		    GC_GRACE_SECONDS);
	free(order);
}

/*
 * Whether x may go now: its lock free (taken, *key filled: the caller
 * releases it) and not used since the scan.  Else it is skipped (said,
 * counted, kept) and 0 returned.
 */
static int
gc_may_remove(struct gc_run *r, struct index *idx, struct gc_ent *x,
    int64_t cutoff, char key[LOCK_KEY_MAX])
{
	struct err e;
	int64_t last;
	int held;

	err_clear(&e);
	snprintf(key, LOCK_KEY_MAX, "v:%s@%s", x->module, x->version);
	if ((held = lock_try(idx, key, r->o->lock_expiry, &e)) != LOCK_OWNER) {
		fprintf(r->o->out, "skip %s@%s: %s\n", x->module, x->version,
		    held == LOCK_HELD ? "being fetched (its lock is held)" :
		    e.msg);
		r->st->skipped++;
		x->fate = GC_KEEP;
		return 0;
	}
	last = gc_last(r->s, x->emod, x->ever, r->o->use_atime, NULL);
	if (last > x->last || last >= cutoff) {
		fprintf(r->o->out, "skip %s@%s: used since the scan\n",
		    x->module, x->version);
		r->st->skipped++;
		x->fate = GC_KEEP;
		lock_release(idx, key);
		return 0;
	}
	return 1;
}

/* Remove x now: under its fetch lock, if nobody used it since the scan. */
static void
gc_remove(struct gc_run *r, struct index *idx, struct gc_ent *x,
    const char *why, int64_t cutoff)
{
	char key[LOCK_KEY_MAX];
	struct purge_result pr;
	struct err e;

	err_clear(&e);
	if (!gc_may_remove(r, idx, x, cutoff, key))
		return;
	if (purge_version(r->s, idx, x->module, x->version, NULL, &pr,
	    &e) == -1) {
		fprintf(r->o->out, "error %s@%s: %s\n", x->module, x->version,
		    e.msg);
		r->st->errors++;
	} else {
		fprintf(r->o->out, "removed %s@%s %lld %s\n", x->module,
		    x->version, (long long)x->bytes, why);
		r->st->removed++;
		r->st->freed += x->bytes;
	}
	lock_release(idx, key);
}

/* The cutoff x is judged by again at its removal. */
static int64_t
gc_cutoff_of(const struct gc_ent *x, int64_t cutoff, int64_t now)
{
	return x->fate == GC_AGE ? cutoff : now - GC_GRACE_SECONDS;
}

/*
 * Before anything is removed: every candidate that would be skipped
 * (its lock held, used since the scan) is kept now, and what the kept
 * versions require is kept again, so that a skipped version never loses
 * a version its go.mod requires.  (A skip found later, at the removal
 * itself, keeps what it requires for the rest of the run.)
 */
static void
gc_decide_skips(struct gc_run *r, struct index *idx, int64_t cutoff,
    int64_t now)
{
	char key[LOCK_KEY_MAX];
	struct gc_ent *x;
	size_t i;
	int skipped = 0;

	for (i = 0; i < r->n; i++) {
		x = &r->ents[i];
		if (x->fate == GC_KEEP)
			continue;
		if (gc_may_remove(r, idx, x, gc_cutoff_of(x, cutoff, now),
		    key))
			lock_release(idx, key);
		else
			skipped = 1;
	}
	if (skipped && !r->o->force)
		gc_keep_required(r);
}

static void
gc_free(struct gc_run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->ents[i].module);
		free(r->ents[i].version);
		free(r->ents[i].emod);
		free(r->ents[i].ever);
		free(r->ents[i].req);
	}
	free(r->ents);
	for (i = 0; i < r->nhits; i++)
		free(r->hits[i].key);
	free(r->hits);
}

int
gc_run(const struct store *s, struct index *idx, const struct gc_opts *o,
    struct gc_stats *st, struct err *e)
{
	struct gc_run r;
	char *state = NULL, why[128];
	int64_t now = o->now ? o->now : (int64_t)time(NULL), cutoff;
	size_t i, k;
	struct gc_ent *x;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	memset(st, 0, sizeof(*st));
	r.s = s;
	r.o = o;
	r.st = st;
	r.e = e;
	r.now = now;
	if (o->access_log != NULL) {
		xasprintf(&state, "%s/gc-accesslog", o->state_dir);
		gc_state_load(&r, state);
		gc_log_scan(&r);
		gc_hit_merge(&r);
	}
	if (store_walk(s, gc_walk, &r, e) == -1) {
		rc = -1;
		goto out;
	}
	if (r.n > 0)
		qsort(r.ents, r.n, sizeof(*r.ents), gc_ent_cmp);
	for (i = 0; i < r.n; i++)
		gc_requires(&r, &r.ents[i]);
	cutoff = o->max_age > 0 ? now - (int64_t)o->max_age * 86400 : -1;
	if (cutoff > now - GC_GRACE_SECONDS)
		cutoff = now - GC_GRACE_SECONDS;
	for (i = 0; i < r.n; i++) {
		st->versions++;
		st->bytes += r.ents[i].bytes;
		if (o->max_age > 0 && r.ents[i].last < cutoff)
			r.ents[i].fate = GC_AGE;
	}
	if (!o->force)
		gc_keep_required(&r);
	for (i = 0; i < r.n; i++)
		if (r.ents[i].fate == GC_KEEP)
			for (k = 0; k < r.ents[i].nreq; k++)
				r.ents[r.ents[i].req[k]].refs++;
	gc_fit(&r, now);
	if (!o->dry_run)
		gc_decide_skips(&r, idx, cutoff, now);
	for (i = 0; i < r.n; i++) {
		x = &r.ents[i];
		if (x->keeper >= 0)
			fprintf(o->out, "keep %s@%s: unused for %lld days, "
			    "required by %s@%s\n", x->module, x->version,
			    (long long)((now - x->last) / 86400),
			    r.ents[x->keeper].module,
			    r.ents[x->keeper].version);
		if (x->fate == GC_KEEP)
			continue;
		if (x->fate == GC_AGE)
			snprintf(why, sizeof(why), "unused for %lld days",
			    (long long)((now - x->last) / 86400));
		else
			snprintf(why, sizeof(why), "over max_size, unused "
			    "for %lld days", (long long)((now - x->last) /
			    86400));
		if (o->dry_run) {
			fprintf(o->out, "would remove %s@%s %lld %s\n",
			    x->module, x->version, (long long)x->bytes, why);
			st->removed++;
			st->freed += x->bytes;
		} else {
			gc_remove(&r, idx, x, why, gc_cutoff_of(x, cutoff,
			    now));
			if (x->fate == GC_KEEP && !o->force)
				gc_keep_required(&r);
		}
	}
	if (!o->dry_run && state != NULL && gc_state_save(&r, state, e) == -1)
		rc = -1;
out:
	free(state);
	gc_free(&r);
	return rc;
}

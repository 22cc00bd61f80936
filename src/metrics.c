/*
 * metrics.c: the counters every responder process shares, and their
 * Prometheus text form.
 *
 * The counters live in one small file of the state directory
 * (METRICS_FILE), mapped MAP_SHARED by each process: a request adds to
 * them with __atomic adds, no lock and no system call, so the hit path
 * is not slowed.  The file outlives restarts: counters keep counting
 * (Prometheus's rate() handles a reset anyway, should the file go).
 * Fields are only appended at the end: metrics_open extends a shorter
 * file of an older layout (the new fields zero); a layout that moves a
 * field takes a new file name, never a reinterpretation.
 * Upstream names are claimed in fixed slots (compare-and-swap on a slot's
 * state); the last fetches are a ring of seqlocked entries for /status.
 * What storage holds is not counted here: the index says it at scrape
 * time (index_stats).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"

#define METRICS_MAGIC	0x7069726165757331ULL	/* "piraeus1" */

const int metrics_status_codes[METRICS_STATUSES - 1] = {
	200, 206, 302, 304, 400, 401, 403, 404, 405, 410, 413, 500, 502,
	503, 504,
};

/* Upper bounds of the fetch duration buckets, seconds (+Inf last). */
static const double metrics_bounds[METRICS_BUCKETS - 1] = {
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
};

static const char *const metrics_results[METRICS_RESULTS] = {
	[METRICS_OK] = "ok", [METRICS_NOTFOUND] = "notfound",
	[METRICS_REJECTED] = "rejected", [METRICS_FAILED] = "failed",
};

static const char *const metrics_vuln_names[METRICS_VULN_DECISIONS] = {
	[METRICS_VULN_DENY] = "deny", [METRICS_VULN_WARN] = "warn",
	[METRICS_VULN_EXCEPTED] = "excepted",
};

static struct metrics_data *metrics_map;	/* NULL: counting off */

int
metrics_open(const char *state_dir, struct err *e)
{
	char path[4096];
	struct stat st;
	void *m;
	int fd;

	if (metrics_map != NULL)
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir,
	    METRICS_FILE) >= sizeof(path))
		return err_set(e, E_CONFIG, "state directory path too long");
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0640)) == -1)
		return err_set(e, E_UNAVAIL, "open %s: %s", path,
		    strerror(errno));
	/* Growing to the size is idempotent: two processes may both do it,
	 * the bytes stay zero (or counted). */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_size < (off_t)sizeof(struct metrics_data) &&
	    ftruncate(fd, (off_t)sizeof(struct metrics_data)) == -1)) {
		err_set(e, E_UNAVAIL, "%s: %s", path, S_ISREG(st.st_mode) ?
		    strerror(errno) : "not a regular file");
		close(fd);
		return -1;
	}
	m = mmap(NULL, sizeof(struct metrics_data), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return err_set(e, E_UNAVAIL, "mmap %s: %s", path,
		    strerror(errno));
	metrics_map = m;
	{
		uint64_t zero = 0;

		__atomic_compare_exchange_n(&metrics_map->magic, &zero,
		    METRICS_MAGIC, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	if (__atomic_load_n(&metrics_map->magic, __ATOMIC_SEQ_CST) !=
	    METRICS_MAGIC) {
		metrics_close();
		return err_set(e, E_UNAVAIL, "%s: not a metrics file of this "
		    "version", path);
	}
	return 0;
}

void
metrics_close(void)
{
	if (metrics_map != NULL)
		munmap(metrics_map, sizeof(struct metrics_data));
	metrics_map = NULL;
}

static void
metrics_inc(uint64_t *p, uint64_t n)
{
	__atomic_add_fetch(p, n, __ATOMIC_RELAXED);
}

/* The column of status in requests[][]. */
static size_t
metrics_status_slot(int status)
{
	size_t i;

	for (i = 0; i < NITEMS(metrics_status_codes); i++)
		if (metrics_status_codes[i] == status)
			return i;
	return METRICS_STATUSES - 1;
}

void
metrics_request(unsigned endpoint, int status, enum answer_outcome o)
{
	if (metrics_map == NULL)
		return;
	if (endpoint < METRICS_ENDPOINTS)
		metrics_inc(&metrics_map->requests[endpoint]
		    [metrics_status_slot(status)], 1);
	if ((unsigned)o < OUTCOME_MAX)
		metrics_inc(&metrics_map->outcomes[o], 1);
}

void
metrics_add(enum metrics_counter c)
{
	if (metrics_map != NULL && (unsigned)c < METRICS_COUNTERS)
		metrics_inc(&metrics_map->counters[c], 1);
}

/* The slot named name, claimed when new; NULL when every slot is taken
 * by other names. */
static struct metrics_upstream *
metrics_upstream(const char *name)
{
	struct metrics_upstream *u;
	uint32_t st, want;
	size_t i;
	int spin;

	for (i = 0; i < METRICS_UPSTREAMS; i++) {
		u = &metrics_map->up[i];
		for (spin = 0; spin < 1000; spin++) {
			st = __atomic_load_n(&u->state, __ATOMIC_ACQUIRE);
			if (st != 1)
				break;
			sched_yield();	/* another process names it */
		}
		if (st == 2) {
			if (strncmp(u->name, name, sizeof(u->name) - 1) == 0)
				return u;
			continue;
		}
		if (st != 0)
			continue;
		want = 0;
		if (!__atomic_compare_exchange_n(&u->state, &want, 1, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			i--;	/* lost the race: look at this slot again */
			continue;
		}
		snprintf(u->name, sizeof(u->name), "%s", name);
		__atomic_store_n(&u->state, 2, __ATOMIC_RELEASE);
		return u;
	}
	return NULL;
}

/* Seqlock of one entry of a recent ring: take it for writing (odd while
 * written; a reader that sees seq change skips the entry): 1, or 0 when
 * another writer holds it (the ring lapped) and the entry is left. */
static int
metrics_seq_begin(uint64_t *seq)
{
	if ((__atomic_add_fetch(seq, 1, __ATOMIC_ACQ_REL) & 1) == 0) {
		__atomic_sub_fetch(seq, 1, __ATOMIC_ACQ_REL);
		return 0;
	}
	return 1;
}

/* The entry metrics_seq_begin took is written: even again. */
static void
metrics_seq_end(uint64_t *seq)
{
	__atomic_add_fetch(seq, 1, __ATOMIC_RELEASE);
}

void
metrics_fetch(const char *upstream, const char *module, const char *version,
    enum metrics_result r, long long us, const char *why)
{
	struct metrics_upstream *u;
	struct metrics_event *ev;
	uint64_t n;
	size_t b;

	if (metrics_map == NULL || (unsigned)r >= METRICS_RESULTS)
		return;
	if (us < 0)
		us = 0;
	if ((u = metrics_upstream(upstream)) != NULL) {
		metrics_inc(&u->results[r], 1);
		for (b = 0; b < METRICS_BUCKETS - 1; b++)
			if ((double)us <= metrics_bounds[b] * 1e6)
				break;
		metrics_inc(&u->buckets[b], 1);
		metrics_inc(&u->sum_us, (uint64_t)us);
	}
	n = __atomic_fetch_add(&metrics_map->next_event, 1, __ATOMIC_RELAXED);
	ev = &metrics_map->events[n % METRICS_RECENT];
	if (!metrics_seq_begin(&ev->seq))
		return;
	ev->when = (int64_t)time(NULL);
	ev->ms = (uint32_t)(us / 1000 > UINT32_MAX ? UINT32_MAX : us / 1000);
	ev->result = (int32_t)r;
	snprintf(ev->module, sizeof(ev->module), "%s", module);
	snprintf(ev->version, sizeof(ev->version), "%s", version);
	snprintf(ev->upstream, sizeof(ev->upstream), "%s", upstream);
	snprintf(ev->why, sizeof(ev->why), "%s", why != NULL ? why : "");
	metrics_seq_end(&ev->seq);
}

void
metrics_vuln(enum metrics_vuln d, const char *module, const char *version,
    const char *ids)
{
	struct metrics_vuln_event *ev, *last;
	uint64_t n, seq;

	if (metrics_map == NULL || (unsigned)d >= METRICS_VULN_DECISIONS)
		return;
	metrics_inc(&metrics_map->vuln[d], 1);
	/* The same version decided the same way as the newest entry (every
	 * hit of it, in the every-request deployment) is not listed again:
	 * its counter moved. */
	n = __atomic_load_n(&metrics_map->next_vuln, __ATOMIC_RELAXED);
	if (n > 0) {
		last = &metrics_map->vulns[(n - 1) % METRICS_VULN_RECENT];
		seq = __atomic_load_n(&last->seq, __ATOMIC_ACQUIRE);
		if ((seq & 1) == 0 && last->decision == (int32_t)d &&
		    strncmp(last->module, module, sizeof(last->module) - 1) ==
		    0 && strncmp(last->version, version, VERSION_MAX - 1) == 0
		    && __atomic_load_n(&last->seq, __ATOMIC_ACQUIRE) == seq) {
			__atomic_store_n(&last->when, (int64_t)time(NULL),
			    __ATOMIC_RELAXED);
			return;
		}
	}
	n = __atomic_fetch_add(&metrics_map->next_vuln, 1, __ATOMIC_RELAXED);
	ev = &metrics_map->vulns[n % METRICS_VULN_RECENT];
	if (!metrics_seq_begin(&ev->seq))
		return;
	ev->when = (int64_t)time(NULL);
	ev->decision = (int32_t)d;
	snprintf(ev->module, sizeof(ev->module), "%s", module);
	snprintf(ev->version, sizeof(ev->version), "%s", version);
	snprintf(ev->ids, sizeof(ev->ids), "%s", ids);
	metrics_seq_end(&ev->seq);
}

const char *
metrics_vuln_name(enum metrics_vuln d)
{
	return (unsigned)d < METRICS_VULN_DECISIONS ? metrics_vuln_names[d] :
	    "?";
}

/* The vulnerable decisions' counters and ring of m into out. */
static void
metrics_snapshot_vuln(const struct metrics_data *m, struct metrics_data *out)
{
	struct metrics_vuln_event *o;
	uint64_t s1, s2;
	size_t i;

	for (i = 0; i < METRICS_VULN_DECISIONS; i++)
		out->vuln[i] = __atomic_load_n(&m->vuln[i], __ATOMIC_RELAXED);
	out->next_vuln = __atomic_load_n(&m->next_vuln, __ATOMIC_RELAXED);
	for (i = 0; i < METRICS_VULN_RECENT; i++) {
		o = &out->vulns[i];
		s1 = __atomic_load_n(&m->vulns[i].seq, __ATOMIC_ACQUIRE);
		memcpy(o, &m->vulns[i], sizeof(*o));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&m->vulns[i].seq, __ATOMIC_RELAXED);
		if (s1 != s2 || (s1 & 1) != 0)
			memset(o, 0, sizeof(*o));
		else {
			o->module[sizeof(o->module) - 1] = '\0';
			o->version[VERSION_MAX - 1] = '\0';
			o->ids[sizeof(o->ids) - 1] = '\0';
		}
	}
}

int
metrics_snapshot(struct metrics_data *out)
{
	const uint64_t *src;
	uint64_t *dst, s1, s2;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (metrics_map == NULL)
		return -1;
	/* The counters before up[] as words. */
	src = &metrics_map->requests[0][0];
	dst = &out->requests[0][0];
	n = (size_t)((const char *)&metrics_map->up[0] - (const char *)src) /
	    sizeof(uint64_t);
	for (i = 0; i < n; i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	for (i = 0; i < METRICS_UPSTREAMS; i++) {
		const struct metrics_upstream *u = &metrics_map->up[i];
		struct metrics_upstream *o = &out->up[i];
		size_t k;

		if (__atomic_load_n(&u->state, __ATOMIC_ACQUIRE) != 2)
			continue;
		o->state = 2;
		memcpy(o->name, u->name, sizeof(o->name));
		o->name[sizeof(o->name) - 1] = '\0';
		for (k = 0; k < METRICS_RESULTS; k++)
			o->results[k] = __atomic_load_n(&u->results[k],
			    __ATOMIC_RELAXED);
		for (k = 0; k < METRICS_BUCKETS; k++)
			o->buckets[k] = __atomic_load_n(&u->buckets[k],
			    __ATOMIC_RELAXED);
		o->sum_us = __atomic_load_n(&u->sum_us, __ATOMIC_RELAXED);
	}
	metrics_snapshot_vuln(metrics_map, out);
	out->magic = METRICS_MAGIC;
	out->next_event = __atomic_load_n(&metrics_map->next_event,
	    __ATOMIC_RELAXED);
	for (i = 0; i < METRICS_RECENT; i++) {
		s1 = __atomic_load_n(&metrics_map->events[i].seq,
		    __ATOMIC_ACQUIRE);
		memcpy(&out->events[i], &metrics_map->events[i],
		    sizeof(out->events[i]));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&metrics_map->events[i].seq,
		    __ATOMIC_RELAXED);
		if (s1 != s2 || (s1 & 1) != 0)
			memset(&out->events[i], 0, sizeof(out->events[i]));
		else {
			out->events[i].module[sizeof(out->events[i].module) -
			    1] = '\0';
			out->events[i].version[VERSION_MAX - 1] = '\0';
			out->events[i].upstream[METRICS_NAME_MAX - 1] = '\0';
			out->events[i].why[sizeof(out->events[i].why) - 1] =
			    '\0';
		}
	}
	return 0;
}

const char *
metrics_result_name(enum metrics_result r)
{
	return (unsigned)r < METRICS_RESULTS ? metrics_results[r] : "failed";
}

/* s as a label value: \\, " and newline escaped (the exposition
 * format's three escapes); other bytes as they are. */
static int
metrics_label(struct buf *out, const char *s, struct err *e)
{
	char esc[2] = { '\\', 0 };
	size_t i, start = 0;
	int rc = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] != '\\' && s[i] != '"' && s[i] != '\n')
			continue;
		rc |= buf_append(out, s + start, i - start, e);
		esc[1] = s[i] == '\n' ? 'n' : s[i];
		rc |= buf_append(out, esc, 2, e);
		start = i + 1;
	}
	rc |= buf_append(out, s + start, i - start, e);
	return rc == 0 ? 0 : -1;
}

/* "# HELP" and "# TYPE" of one metric family. */
static int
metrics_family(struct buf *out, const char *name, const char *type,
    const char *help, struct err *e)
{
	return buf_printf(out, e, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

/* The fetch families: by upstream and result, and the duration
 * histogram by upstream (cumulative buckets, +Inf = count). */
static int
metrics_format_fetches(const struct metrics_data *d, struct buf *out,
    struct err *e)
{
	const struct metrics_upstream *u;
	uint64_t cum;
	size_t i, k;
	int rc;

	rc = metrics_family(out, "piraeus_fetches_total", "counter",
	    "Fetches of one version (or query) from one upstream entry, by result.", e);
	for (i = 0; i < METRICS_UPSTREAMS; i++) {
		u = &d->up[i];
		if (u->state != 2)
			continue;
		for (k = 0; k < METRICS_RESULTS; k++) {
			rc |= buf_puts(out, "piraeus_fetches_total{upstream=\"",
			    e);
			rc |= metrics_label(out, u->name, e);
			rc |= buf_printf(out, e, "\",result=\"%s\"} %llu\n",
			    metrics_results[k],
			    (unsigned long long)u->results[k]);
		}
	}
	rc |= metrics_family(out, "piraeus_fetch_duration_seconds",
	    "histogram", "Time to fetch, check and store one version.", e);
	for (i = 0; i < METRICS_UPSTREAMS; i++) {
		u = &d->up[i];
		if (u->state != 2)
			continue;
		cum = 0;
		for (k = 0; k < METRICS_BUCKETS; k++) {
			cum += u->buckets[k];
			rc |= buf_puts(out, "piraeus_fetch_duration_seconds_"
			    "bucket{upstream=\"", e);
			rc |= metrics_label(out, u->name, e);
			if (k < METRICS_BUCKETS - 1)
				rc |= buf_printf(out, e, "\",le=\"%g\"} %llu\n",
				    metrics_bounds[k],
				    (unsigned long long)cum);
			else
				rc |= buf_printf(out, e, "\",le=\"+Inf\"} "
				    "%llu\n", (unsigned long long)cum);
		}
		rc |= buf_puts(out, "piraeus_fetch_duration_seconds_sum{"
		    "upstream=\"", e);
		rc |= metrics_label(out, u->name, e);
		rc |= buf_printf(out, e, "\"} %llu.%06llu\n",
		    (unsigned long long)(u->sum_us / 1000000),
		    (unsigned long long)(u->sum_us % 1000000));
		rc |= buf_puts(out, "piraeus_fetch_duration_seconds_count{"
		    "upstream=\"", e);
		rc |= metrics_label(out, u->name, e);
		rc |= buf_printf(out, e, "\"} %llu\n", (unsigned long long)cum);
	}
	return rc == 0 ? 0 : -1;
}

int
metrics_format(const struct metrics_data *d, const struct index_stats *s,
    const char *const endpoint_names[METRICS_ENDPOINTS], struct buf *out,
    struct err *e)
{
	size_t i, k;
	int rc;

	rc = metrics_family(out, "piraeus_requests_total", "counter",
	    "Requests the responder answered, by endpoint and status.", e);
	for (i = 0; i < METRICS_ENDPOINTS; i++) {
		if (endpoint_names[i] == NULL)
			continue;
		for (k = 0; k < METRICS_STATUSES; k++) {
			if (d->requests[i][k] == 0)
				continue;
			rc |= buf_puts(out, "piraeus_requests_total{endpoint=\"",
			    e);
			rc |= metrics_label(out, endpoint_names[i], e);
			if (k < METRICS_STATUSES - 1)
				rc |= buf_printf(out, e, "\",status=\"%d\"} ",
				    metrics_status_codes[k]);
			else
				rc |= buf_puts(out, "\",status=\"other\"} ", e);
			rc |= buf_printf(out, e, "%llu\n",
			    (unsigned long long)d->requests[i][k]);
		}
	}
	rc |= metrics_family(out, "piraeus_responses_total", "counter",
	    "Responder answers by how they were come to.", e);
	for (i = 1; i < OUTCOME_MAX; i++)
		rc |= buf_printf(out, e, "piraeus_responses_total{outcome=\"%s\"}"
		    " %llu\n", answer_outcome_name((enum answer_outcome)i),
		    (unsigned long long)d->outcomes[i]);
	rc |= metrics_family(out, "piraeus_cache_requests_total", "counter",
	    "Module answers from storage or cache (hit), fetched or waited "
	    "for (miss), or stale.", e);
	rc |= buf_printf(out, e, "piraeus_cache_requests_total{result=\"hit\"} "
	    "%llu\npiraeus_cache_requests_total{result=\"miss\"} %llu\n"
	    "piraeus_cache_requests_total{result=\"stale\"} %llu\n",
	    (unsigned long long)d->outcomes[OUTCOME_HIT],
	    (unsigned long long)(d->outcomes[OUTCOME_FETCHED] +
	    d->outcomes[OUTCOME_WAITED]),
	    (unsigned long long)d->outcomes[OUTCOME_STALE]);
	rc |= metrics_family(out, "piraeus_singleflight_waits_total",
	    "counter", "Requests that waited for another request's fetch.", e);
	rc |= buf_printf(out, e, "piraeus_singleflight_waits_total %llu\n",
	    (unsigned long long)d->counters[METRICS_SF_WAITS]);
	rc |= metrics_family(out, "piraeus_verification_failures_total",
	    "counter", "Fetched versions that failed the checks (zip rules, "
	    "checksum database).", e);
	rc |= buf_printf(out, e, "piraeus_verification_failures_total %llu\n",
	    (unsigned long long)d->counters[METRICS_VERIFY_FAILURES]);
	rc |= metrics_format_fetches(d, out, e);
	rc |= metrics_family(out, "piraeus_vulnerable_total", "counter",
	    "Versions the vulnerability database lists as affected, asked "
	    "for, by [policy] vulnerable's decision (the ids are logged).", e);
	for (i = 0; i < METRICS_VULN_DECISIONS; i++)
		rc |= buf_printf(out, e, "piraeus_vulnerable_total{decision="
		    "\"%s\"} %llu\n", metrics_vuln_names[i],
		    (unsigned long long)d->vuln[i]);
	if (s != NULL) {
		rc |= metrics_family(out, "piraeus_fetches_in_flight", "gauge",
		    "Fetches holding a singleflight lock now.", e);
		rc |= buf_printf(out, e, "piraeus_fetches_in_flight %lld\n",
		    (long long)s->locks);
		rc |= metrics_family(out, "piraeus_storage_bytes", "gauge",
		    "Bytes of the stored zips (the index's sizes).", e);
		rc |= buf_printf(out, e, "piraeus_storage_bytes %lld\n",
		    (long long)s->zip_bytes);
		rc |= metrics_family(out, "piraeus_storage_versions", "gauge",
		    "Versions in the index.", e);
		rc |= buf_printf(out, e, "piraeus_storage_versions %lld\n",
		    (long long)s->versions);
		rc |= metrics_family(out, "piraeus_storage_modules", "gauge",
		    "Modules in the index.", e);
		rc |= buf_printf(out, e, "piraeus_storage_modules %lld\n",
		    (long long)s->modules);
	}
	rc |= metrics_family(out, "piraeus_index_up", "gauge",
	    "1 when the index answered this scrape.", e);
	rc |= buf_printf(out, e, "piraeus_index_up %d\n", s != NULL);
	return rc == 0 ? 0 : -1;
}

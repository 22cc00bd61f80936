/*
 * test_metrics.c: the shared counters and their Prometheus text form.
 * Two mappings of one file (as two responder processes have) add to the
 * same counters; the exposition has cumulative buckets whose +Inf equals
 * _count, escapes hostile upstream names in label values, and names
 * every endpoint and status counted.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

int
main(void)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", path[256];
	const char *names[METRICS_ENDPOINTS] = { "other", "list", "info" };
	struct metrics_data *d = calloc(1, sizeof(*d));
	struct index_stats s = { 7, 3, 123456, 1 };
	struct buf out;
	struct err e;
	pid_t pid;
	int st;

	if (d == NULL || mkdtemp(dir) == NULL)
		return 1;
	err_clear(&e);
	ok(metrics_snapshot(d) == -1, "snapshot before open: off");
	metrics_request(1, 200, OUTCOME_HIT);	/* off: no crash, no count */
	ok(metrics_open(dir, &e) == 0, "open creates the file");
	metrics_request(1, 200, OUTCOME_HIT);
	metrics_request(1, 404, OUTCOME_NOTFOUND);
	metrics_request(2, 599, OUTCOME_ERROR);
	metrics_add(METRICS_SF_WAITS);
	metrics_fetch("https://up\"q\\b\nx/", "example.com/m", "v1.0.0",
	    METRICS_OK, 70000, NULL);	/* 0.07 s: bucket 0.1 */
	metrics_fetch("https://up\"q\\b\nx/", "example.com/m", "v1.0.1",
	    METRICS_FAILED, 90 * 1000000LL, "boom");	/* +Inf only */
	/* Another process: its own mapping of the same file. */
	if ((pid = fork()) == 0) {
		metrics_close();
		if (metrics_open(dir, &e) == -1)
			_exit(2);
		metrics_request(1, 200, OUTCOME_FETCHED);
		metrics_fetch("https://up\"q\\b\nx/", "example.com/m",
		    "v1.0.2", METRICS_OK, 10, NULL);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child counted");
	ok(metrics_snapshot(d) == 0, "snapshot");
	is_int(d->requests[1][0], 2, "list 200: counted by both processes");
	is_int(d->outcomes[OUTCOME_FETCHED], 1, "the child's outcome shared");
	is_int(d->up[0].results[METRICS_OK], 2, "one upstream slot, two ok");
	is_int(d->up[1].state, 0, "no second slot for the same name");
	is_int(d->next_event, 3, "three fetches remembered");
	is_str(d->events[1].why, "boom", "a failure's reason kept");

	buf_init(&out, 1 << 20);
	ok(metrics_format(d, &s, names, &out, &e) == 0, "format");
	buf_append(&out, "", 1, &e);
	ok(strstr(out.data, "piraeus_requests_total{endpoint=\"list\","
	    "status=\"200\"} 2\n") != NULL, "list 200 twice (two processes)");
	ok(strstr(out.data, "piraeus_requests_total{endpoint=\"list\","
	    "status=\"404\"} 1\n") != NULL, "list 404 once");
	ok(strstr(out.data, "piraeus_requests_total{endpoint=\"info\","
	    "status=\"other\"} 1\n") != NULL, "an unlisted status: other");
	ok(strstr(out.data, "upstream=\"https://up\\\"q\\\\b\\nx/\"") != NULL,
	    "label value escaped (quote, backslash, newline)");
	ok(strchr(out.data, '\n') != NULL && strstr(out.data, "\nx/") ==
	    NULL, "no raw newline inside a label");
	ok(strstr(out.data, "le=\"0.05\"} 1\n") != NULL &&
	    strstr(out.data, "le=\"0.1\"} 2\n") != NULL &&
	    strstr(out.data, "le=\"60\"} 2\n") != NULL &&
	    strstr(out.data, "le=\"+Inf\"} 3\n") != NULL,
	    "buckets cumulative, +Inf all");
	ok(strstr(out.data, "_count{upstream=\"https://up\\\"q\\\\b\\nx/\"} 3\n")
	    != NULL, "_count equals +Inf");
	ok(strstr(out.data, "_sum{upstream=\"https://up\\\"q\\\\b\\nx/\"} "
	    "90.070010\n") != NULL, "_sum in seconds");
	ok(strstr(out.data, "piraeus_cache_requests_total{result=\"hit\"} 1\n")
	    != NULL && strstr(out.data, "piraeus_cache_requests_total{result="
	    "\"miss\"} 1\n") != NULL, "cache hit and miss from outcomes");
	ok(strstr(out.data, "piraeus_singleflight_waits_total 1\n") != NULL,
	    "singleflight waits");
	ok(strstr(out.data, "piraeus_storage_bytes 123456\n") != NULL &&
	    strstr(out.data, "piraeus_storage_versions 7\n") != NULL &&
	    strstr(out.data, "piraeus_storage_modules 3\n") != NULL &&
	    strstr(out.data, "piraeus_fetches_in_flight 1\n") != NULL,
	    "storage figures from the index");
	ok(strstr(out.data, "# TYPE piraeus_fetch_duration_seconds "
	    "histogram\n") != NULL, "histogram typed");
	buf_free(&out);

	/* Without the index: its families are left out, index_up 0. */
	buf_init(&out, 1 << 20);
	metrics_format(d, NULL, names, &out, &e);
	buf_append(&out, "", 1, &e);
	ok(strstr(out.data, "piraeus_storage_bytes") == NULL &&
	    strstr(out.data, "piraeus_index_up 0\n") != NULL,
	    "no index: no storage figures, index_up 0");
	buf_free(&out);

	metrics_close();
	snprintf(path, sizeof(path), "%s/%s", dir, METRICS_FILE);
	/* Survives a restart: reopened, the counts are there. */
	ok(metrics_open(dir, &e) == 0 && metrics_snapshot(d) == 0 &&
	    d->outcomes[OUTCOME_HIT] == 1, "counts survive a reopen");
	metrics_close();
	unlink(path);

	/*
	 * The file of the layout before [policy] vulnerable's fields (they
	 * were appended at the end): the same name, extended, its counts
	 * kept.  A renamed file (metrics.v2) lost them for nothing.
	 */
	{
		size_t old = offsetof(struct metrics_data, vuln);
		uint64_t magic = 0x7069726165757331ULL, hits = 5;
		FILE *f;
		char *z = calloc(1, old);

		snprintf(path, sizeof(path), "%s/metrics.v1", dir);
		if (z == NULL || (f = fopen(path, "w")) == NULL)
			abort();
		memcpy(z, &magic, sizeof(magic));
		memcpy(z + offsetof(struct metrics_data,
		    outcomes[OUTCOME_HIT]), &hits, sizeof(hits));
		if (fwrite(z, 1, old, f) != old || fclose(f) != 0)
			abort();
		free(z);
		ok(metrics_open(dir, &e) == 0 && metrics_snapshot(d) == 0 &&
		    d->outcomes[OUTCOME_HIT] == 5 &&
		    d->vuln[METRICS_VULN_DENY] == 0,
		    "a metrics.v1 of the shorter layout: extended, its counts "
		    "kept");
		metrics_close();
		unlink(path);
	}
	rmdir(dir);
	free(d);
	return tap_done();
}

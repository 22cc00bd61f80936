/*
 * test_strmap.c: strmap (the hashed lookups of prefetch's graph and
 * go.sum): a key is found with its value, a missing key is not, the first
 * value of a key stays, keys are copies, growth keeps every key, and
 * colliding prefixes (the same path, other versions) stay apart.  With
 * STRMAP_BENCH=N in the environment it also times N inserts and N
 * lookups (bench/prefetch-lookup prints it; no check depends on time).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "piraeus.h"
#include "tap.h"

/* Seconds since an arbitrary point. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Insert n "example.com/mN@v1.0.K" keys, look each up, and print the
 * times. */
static void
bench(size_t n)
{
	struct strmap m;
	char key[128];
	double t0, t1, t2;
	size_t i, bad = 0;

	strmap_init(&m);
	t0 = now();
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "example.com/m%zu@v1.0.%zu", i / 4,
		    i % 4);
		strmap_put(&m, key, i);
	}
	t1 = now();
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "example.com/m%zu@v1.0.%zu", i / 4,
		    i % 4);
		bad += strmap_get(&m, key) != i;
	}
	t2 = now();
	printf("# bench: %zu keys: put %.3f s, get %.3f s (%zu wrong)\n", n,
	    t1 - t0, t2 - t1, bad);
	strmap_free(&m);
}

int
main(void)
{
	static const char *const keys[] = {
		"github.com/a/b@v1.0.0", "github.com/a/b@v1.0.1",
		"github.com/a/b v1.0.0", "github.com/a/b v1.0.0/go.mod",
		"github.com/a/bc@v1.0.0", "", "x",
	};
	struct strmap m;
	char key[64];
	const char *env;
	size_t i, n = 5000, bad = 0;

	strmap_init(&m);
	is_int(strmap_get(&m, "anything") == STRMAP_NONE, 1,
	    "an empty map has no key");
	for (i = 0; i < NITEMS(keys); i++)
		is_int(strmap_put(&m, keys[i], i), i, keys[i]);
	for (i = 0; i < NITEMS(keys); i++)
		is_int(strmap_get(&m, keys[i]), i, "found with its value");
	is_int(m.n, NITEMS(keys), "one entry per key");
	is_int(strmap_put(&m, keys[0], 99), 0,
	    "a second put of a key returns the first value");
	is_int(strmap_get(&m, keys[0]), 0, "and leaves it");
	is_int(m.n, NITEMS(keys), "and adds nothing");
	ok(strmap_get(&m, "github.com/a/b@v1.0.2") == STRMAP_NONE,
	    "a missing version of a known path is missing");
	ok(strmap_get(&m, "github.com/a/b@v1.0.0 ") == STRMAP_NONE,
	    "a longer key is another key");
	snprintf(key, sizeof(key), "%s", "copied@v1");
	strmap_put(&m, key, 7);
	key[0] = 'X';
	is_int(strmap_get(&m, "copied@v1"), 7, "keys are copied");
	strmap_free(&m);

	/* Growth: many keys, each still found with its own value. */
	strmap_init(&m);
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "m%zu@v%zu", i % 97, i);
		strmap_put(&m, key, i);
	}
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "m%zu@v%zu", i % 97, i);
		bad += strmap_get(&m, key) != i;
	}
	is_int(bad, 0, "5000 keys after growth: every one found");
	is_int(m.n, n, "and counted once");
	ok(m.cap >= 2 * m.n, "the table is at most half full");
	strmap_free(&m);

	if ((env = getenv("STRMAP_BENCH")) != NULL)
		bench((size_t)strtoul(env, NULL, 10));
	return tap_done();
}

/*
 * tap.h: a minimal Test Anything Protocol emitter for the unit tests.
 *
 * Each check prints "ok N - name" or "not ok N - name" with a diagnostic;
 * tap_done() prints the plan and returns the exit status (0 when every
 * check passed), so main() ends with "return tap_done();".  tap_now_ms()
 * is the monotonic clock in milliseconds, for the tests that time a wait.
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>
#include <time.h>

static int tap_n, tap_failed;

static int
tap_ok(int cond, const char *name, const char *file, int line)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n,
	    name != NULL ? name : "(unnamed)");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, name) tap_ok(!!(cond), (name), __FILE__, __LINE__)

#define is_str(got, want, name) do {					\
	const char *tap_g_ = (got), *tap_w_ = (want);			\
	if (!tap_ok(tap_g_ != NULL && tap_w_ != NULL ?			\
	    strcmp(tap_g_, tap_w_) == 0 : tap_g_ == tap_w_,		\
	    (name), __FILE__, __LINE__))					\
		printf("#   got: '%s'\n#   expected: '%s'\n",		\
		    tap_g_ ? tap_g_ : "(null)", tap_w_ ? tap_w_ : "(null)");\
} while (0)

#define is_int(got, want, name) do {					\
	long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);\
	if (!tap_ok(tap_g_ == tap_w_, (name), __FILE__, __LINE__))	\
		printf("#   got: %lld\n#   expected: %lld\n", tap_g_, tap_w_);\
} while (0)

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d checks failed\n", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

/* Milliseconds on the monotonic clock. */
static inline long long
tap_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif /* TAP_H */

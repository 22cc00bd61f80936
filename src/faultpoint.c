/*
 * faultpoint.c: test-only fault points (a configure option,
 * --enable-fault-points; a build without it compiles nothing here and
 * FAULT_POINT is empty).
 *
 * A fault point names a step of the work (e.g. "publish-zip": right after
 * the zip's rename).  The tests arm one by creating the file
 * $PIRAEUS_TEST_FAULT_DIR/STEP; the first process that reaches the step
 * removes the file (so exactly one process fires, once) and kills itself
 * with SIGKILL: the crash lands exactly there, with nothing cleaned up.
 * A file that holds "sleep MS" instead stalls the step MS milliseconds
 * (at most FAULTPOINT_SLEEP_MAX_MS) and lets it go on: a slow step made
 * deterministic.
 */
#include "config.h"

#ifdef PIRAEUS_FAULT_POINTS
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"

/* Step names are short words of the code; longer ones are not armed. */
#define FAULTPOINT_PATH_MAX	4096
/* What an armed file may hold ("sleep MS\n"), and the longest stall. */
#define FAULTPOINT_ARG_MAX	32
#define FAULTPOINT_SLEEP_MAX_MS	60000L

/* The milliseconds of "sleep MS" in the armed file at path, or -1 (an
 * empty or other file: a kill). */
static long
faultpoint_sleep_ms(const char *path)
{
	char buf[FAULTPOINT_ARG_MAX];
	char *end;
	ssize_t n;
	long ms;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 6)
		return -1;
	buf[n] = '\0';
	if (strncmp(buf, "sleep ", 6) != 0)
		return -1;
	errno = 0;
	ms = strtol(buf + 6, &end, 10);
	if (errno != 0 || end == buf + 6 || (*end != '\0' && *end != '\n') ||
	    ms < 0 || ms > FAULTPOINT_SLEEP_MAX_MS)
		return -1;
	return ms;
}

/* Kill the process if step is armed (and disarm it), or stall it when
 * the armed file says "sleep MS"; else return. */
void
faultpoint(const char *step)
{
	char path[FAULTPOINT_PATH_MAX];
	struct timespec ts;
	const char *dir;
	long ms;
	int n;

	if ((dir = getenv("PIRAEUS_TEST_FAULT_DIR")) == NULL || *dir == '\0')
		return;
	n = snprintf(path, sizeof(path), "%s/%s", dir, step);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	ms = faultpoint_sleep_ms(path);
	if (unlink(path) == -1)
		return;
	if (ms >= 0) {
		log_warnx("fault point %s: sleeping %ld ms (test build)", step,
		    ms);
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		log_warnx("fault point %s: slept (test build)", step);
		return;
	}
	log_warnx("fault point %s: SIGKILL (test build)", step);
	raise(SIGKILL);
}
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int faultpoint_unused;
#endif

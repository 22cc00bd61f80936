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
 */
#include "config.h"

#ifdef PIRAEUS_FAULT_POINTS
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "piraeus.h"

/* Step names are short words of the code; longer ones are not armed. */
#define FAULTPOINT_PATH_MAX	4096

/* Kill the process if step is armed (and disarm it); else return. */
void
faultpoint(const char *step)
{
	char path[FAULTPOINT_PATH_MAX];
	const char *dir;
	int n;

	if ((dir = getenv("PIRAEUS_TEST_FAULT_DIR")) == NULL || *dir == '\0')
		return;
	n = snprintf(path, sizeof(path), "%s/%s", dir, step);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	if (unlink(path) == -1)
		return;
	log_warnx("fault point %s: SIGKILL (test build)", step);
	raise(SIGKILL);
}
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int faultpoint_unused;
#endif

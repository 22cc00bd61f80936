/*
 * version.c: the version and build date both programs print.
 */
#include "config.h"

#include <stdio.h>

#include "piraeus.h"

const char	*piraeus_version = PACKAGE_VERSION;
const char	*piraeus_build_date = PIRAEUS_BUILD_DATE;

void
version_print(const char *progname)
{
	printf("%s %s (built %s)\n", progname, piraeus_version,
	    piraeus_build_date);
}

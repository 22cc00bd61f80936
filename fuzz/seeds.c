/*
 * seeds.c: the main() of fuzz/seeds_NAME, a target built without
 * libFuzzer.  It runs every file of the seed corpus through the target's
 * LLVMFuzzerTestOneInput and prints TAP, one line per file: a seed that
 * crashes (or trips ASan/UBSan in the sanitizer build) kills the program,
 * so the test fails.  Each seed is passed in an allocation of its own
 * size, as libFuzzer does.  With no argument the corpus is
 * $top_srcdir/fuzz/corpus/NAME; arguments name files or directories.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME must name the target"
#endif
#define SEED_MAX	(4 * 1024 * 1024)	/* a committed seed */

static int	seeds_n;
static int	seeds_bad;

/* seeds_file: one file through the target; an "ok" line, or "not ok"
 * when it cannot be read. */
static void
seeds_file(const char *path)
{
	unsigned char	*buf, *exact;
	size_t		 len;
	FILE		*f;

	buf = malloc(SEED_MAX);
	if (buf == NULL)
		abort();
	f = fopen(path, "rb");
	seeds_n++;
	if (f == NULL) {
		printf("not ok %d - %s: cannot open\n", seeds_n, path);
		seeds_bad++;
		free(buf);
		return;
	}
	len = fread(buf, 1, SEED_MAX, f);
	if (ferror(f) || !feof(f)) {
		printf("not ok %d - %s: unreadable or over %d bytes\n",
		    seeds_n, path, SEED_MAX);
		seeds_bad++;
	} else {
		/* In a buffer of its exact size, as libFuzzer passes it: a
		 * read past the end is ASan's to see. */
		exact = malloc(len > 0 ? len : 1);
		if (exact == NULL)
			abort();
		memcpy(exact, buf, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
		printf("ok %d - %s (%zu bytes)\n", seeds_n, path, len);
	}
	fclose(f);
	free(buf);
	fflush(stdout);
}

/* seeds_cmp: scandir order by name. */
static int
seeds_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* seeds_arg: a file, or every regular file of a directory, in name
 * order. */
static void
seeds_arg(const char *path)
{
	struct dirent	**ents;
	struct stat	  st;
	char		  sub[4096];
	int		  i, n;

	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		seeds_file(path);
		return;
	}
	n = scandir(path, &ents, NULL, seeds_cmp);
	if (n < 0) {
		printf("not ok %d - %s: cannot list\n", ++seeds_n, path);
		seeds_bad++;
		return;
	}
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' &&
		    (size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
		    ents[i]->d_name) < sizeof(sub) &&
		    stat(sub, &st) == 0 && S_ISREG(st.st_mode))
			seeds_file(sub);
		free(ents[i]);
	}
	free(ents);
}

int
main(int argc, char **argv)
{
	const char	*top;
	char		 dir[4096];
	int		 i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			seeds_arg(argv[i]);
	} else {
		top = getenv("top_srcdir");
		if (top == NULL)
			top = ".";
		if ((size_t)snprintf(dir, sizeof(dir), "%s/fuzz/corpus/%s",
		    top, FUZZ_NAME) >= sizeof(dir))
			return 1;
		seeds_arg(dir);
	}
	if (seeds_n == 0) {
		printf("not ok 1 - no seeds for %s\n", FUZZ_NAME);
		seeds_n = seeds_bad = 1;
	}
	printf("1..%d\n", seeds_n);
	return seeds_bad != 0;
}

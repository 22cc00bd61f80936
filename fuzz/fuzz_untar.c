/*
 * fuzz_untar.c: a vulnerability database tarball (untar.c), plain or
 * gzip-compressed.  The input is written to the scratch file and
 * extracted into DIR/d, DIR a directory made once in $TMPDIR, under small
 * caps (a file at most FUZZ_UNTAR_FILE_MAX, all of them
 * FUZZ_UNTAR_TOTAL_MAX), so a run stays short.  Whatever
 * happens, nothing is made beside d in DIR (no ".." or absolute name got
 * out), and d holds only directories and regular files (no link, device
 * or FIFO), each within the file cap and all within the total cap; d is
 * then removed.
 */
#include "config.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"
#include "fuzz.h"

#define FUZZ_UNTAR_FILE_MAX	(64 * 1024)
#define FUZZ_UNTAR_TOTAL_MAX	(256 * 1024)

static char		fuzz_untar_dir[4096];	/* DIR */
static long long	fuzz_untar_total;	/* bytes of files in d */

/* fuzz_untar_rmdir: the atexit hook that removes DIR (empty by then). */
static void
fuzz_untar_rmdir(void)
{
	if (fuzz_untar_dir[0] != '\0')
		rmdir(fuzz_untar_dir);
}

/* fuzz_untar_walk: one entry of d (nftw, depth first): only directories
 * and regular files within the caps; each removed. */
static int
fuzz_untar_walk(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_DP) {
		if (!S_ISDIR(st->st_mode) || rmdir(path) == -1)
			abort();
		return 0;
	}
	if (flag != FTW_F || !S_ISREG(st->st_mode) ||
	    st->st_size > FUZZ_UNTAR_FILE_MAX || unlink(path) == -1)
		abort();
	fuzz_untar_total += st->st_size;
	return 0;
}

/* fuzz_untar_only: DIR holds nothing but (maybe) d. */
static void
fuzz_untar_only(void)
{
	struct dirent	*de;
	DIR		*d;

	if ((d = opendir(fuzz_untar_dir)) == NULL)
		abort();
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, "d") != 0)
			abort();
	closedir(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stat	 st;
	struct err	 e;
	const char	*tmp, *tar;
	char		 dest[4200];

	tar = fuzz_file(data, size);
	if (fuzz_untar_dir[0] == '\0') {
		if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
			tmp = "/tmp";
		if ((size_t)snprintf(fuzz_untar_dir, sizeof(fuzz_untar_dir),
		    "%s/piraeus-untar-XXXXXX", tmp) >= sizeof(fuzz_untar_dir) ||
		    mkdtemp(fuzz_untar_dir) == NULL)
			abort();
		atexit(fuzz_untar_rmdir);
	}
	snprintf(dest, sizeof(dest), "%s/d", fuzz_untar_dir);
	err_clear(&e);
	if (untar_dir(tar, dest, FUZZ_UNTAR_FILE_MAX, FUZZ_UNTAR_TOTAL_MAX,
	    &e) == -1 && e.msg[0] == '\0')
		abort();
	fuzz_untar_only();
	if (lstat(dest, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			abort();
		fuzz_untar_total = 0;
		if (nftw(dest, fuzz_untar_walk, 16, FTW_DEPTH | FTW_PHYS) != 0 ||
		    fuzz_untar_total > FUZZ_UNTAR_TOTAL_MAX)
			abort();
	}
	return 0;
}

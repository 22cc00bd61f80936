/*
 * fuzz_util.c: the helpers of fuzz.h, linked into every target: the
 * NUL-terminated copy and the one scratch file a target writes its input
 * to when the parser under test reads a file (zipcheck, mode, access,
 * config).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char	fuzz_path[4096];

/* fuzz_cstr: data with a NUL appended, in a new allocation. */
char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char	*s;

	s = malloc(size + 1);
	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* fuzz_unlink: the atexit hook that removes the scratch file. */
static void
fuzz_unlink(void)
{
	if (fuzz_path[0] != '\0')
		unlink(fuzz_path);
}

/* fuzz_file: data written over the scratch file; returns its path. */
const char *
fuzz_file(const uint8_t *data, size_t size)
{
	const char	*tmp;
	size_t		 off;
	ssize_t		 w;
	int		 fd;

	if (fuzz_path[0] == '\0') {
		tmp = getenv("TMPDIR");
		if (tmp == NULL || *tmp == '\0')
			tmp = "/tmp";
		if ((size_t)snprintf(fuzz_path, sizeof(fuzz_path),
		    "%s/piraeus-fuzz-XXXXXX", tmp) >= sizeof(fuzz_path))
			abort();
		fd = mkstemp(fuzz_path);
		if (fd == -1)
			abort();
		close(fd);
		atexit(fuzz_unlink);
	}
	fd = open(fuzz_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd == -1)
		abort();
	for (off = 0; off < size; off += (size_t)w) {
		w = write(fd, data + off, size - off);
		if (w <= 0)
			abort();
	}
	close(fd);
	return fuzz_path;
}

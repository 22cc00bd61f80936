/*
 * testmod.h: helpers shared by the unit tests of the miss pipeline's
 * stages (test_fetch.c, test_check.c, test_publish.c, test_sumdb.c):
 * a module zip made with libzip, directories made along a path, a file
 * written under a directory by a relative name, a tree removed.
 * Header-only, like tap.h; include it after testfile.h.
 */
#ifndef TESTMOD_H
#define TESTMOD_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zip.h>

/* One file of a test zip: its full name in the zip and its bytes. */
struct testmod_entry {
	const char	*name;
	const char	*data;
};

/* A zip at path of entries[0..n) (stored, not compressed); 0 or -1. */
static inline int
testmod_zip(const char *path, const struct testmod_entry *entries, size_t n)
{
	zip_source_t *src;
	zip_t *za;
	size_t i;
	int zerr;

	if ((za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((src = zip_source_buffer(za, entries[i].data,
		    strlen(entries[i].data), 0)) == NULL)
			goto fail;
		if (zip_file_add(za, entries[i].name, src,
		    ZIP_FL_ENC_UTF_8) < 0) {
			zip_source_free(src);
			goto fail;
		}
	}
	if (zip_close(za) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "libzip: %s\n", zip_strerror(za));
	zip_discard(za);
	return -1;
}

/* The zip of module@version holding go.mod (gomod) and m.go. */
static inline int
testmod_module_zip(const char *path, const char *module, const char *version,
    const char *gomod)
{
	char n1[1024], n2[1024];
	struct testmod_entry e[2];

	snprintf(n1, sizeof(n1), "%s@%s/go.mod", module, version);
	snprintf(n2, sizeof(n2), "%s@%s/m.go", module, version);
	e[0].name = n1;
	e[0].data = gomod;
	e[1].name = n2;
	e[1].data = "package m\n";
	return testmod_zip(path, e, 2);
}

/* mkdir -p of the directory part of path (the last element is a file). */
static inline int
testmod_mkdirs(const char *path)
{
	char p[8192], *s;

	if (strlen(path) >= sizeof(p))
		return -1;
	memcpy(p, path, strlen(path) + 1);
	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

/* Write len bytes of data to dir/<rel, printf-style>, making the
 * directories on the way; 0 or -1. */
static inline int
testmod_put(const char *dir, const void *data, size_t len, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
static inline int
testmod_put(const char *dir, const void *data, size_t len, const char *fmt,
    ...)
{
	char rel[2048], path[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (testmod_mkdirs(path) == -1)
		return -1;
	return write_file(path, data, len);
}

/* rm -rf dir (a directory this test made under /tmp). */
static inline void
testmod_rmrf(const char *dir)
{
	char cmd[4200];

	if (strncmp(dir, "/tmp/", 5) != 0 || strchr(dir, '\'') != NULL)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

#endif /* TESTMOD_H */

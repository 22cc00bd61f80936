/*
 * testfile.h: small file helpers shared by the unit tests that build zips
 * (test_dirhash.c, test_zipcheck.c).  Header-only, like tap.h; include it
 * after defining PATH_CAP (the size of the path buffers).
 */
#ifndef TESTFILE_H
#define TESTFILE_H

#include <stdio.h>
#include <stdlib.h>

static inline void
path_join(char *out, const char *a, const char *b)
{
	if ((size_t)snprintf(out, PATH_CAP, "%s/%s", a, b) >= PATH_CAP) {
		fprintf(stderr, "path too long\n");
		exit(99);
	}
}

static inline int
write_file(const char *path, const void *data, size_t len)
{
	FILE *f;
	int rv = 0;

	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, f) != len)
		rv = -1;
	if (fclose(f) != 0)
		rv = -1;
	return rv;
}

/* Read a small file into a malloc'd buffer. */
static inline unsigned char *
read_file(const char *path, size_t *len)
{
	unsigned char *p;
	FILE *f;
	long sz;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	p = xmalloc((size_t)sz + 1);
	if (fread(p, 1, (size_t)sz, f) != (size_t)sz) {
		free(p);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)sz;
	return p;
}

#endif /* TESTFILE_H */

/*
 * testfile.h: small file helpers shared by the unit tests that build zips
 * and patch their headers (test_dirhash.c, test_zipcheck.c).  Header-only, like tap.h; include it
 * after defining PATH_CAP (the size of the path buffers).
 */
#ifndef TESTFILE_H
#define TESTFILE_H

#include <stdint.h>
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

/* Little-endian fields of zip headers, for patching test zips. */
static inline void
put16(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static inline void
put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static inline uint32_t
get16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t
get32(const unsigned char *p)
{
	return get16(p) | get16(p + 2) << 16;
}

#endif /* TESTFILE_H */

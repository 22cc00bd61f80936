/*
 * fuzz.h: what the fuzz targets share.  Each fuzz/fuzz_NAME.c defines
 * LLVMFuzzerTestOneInput for one parser; it is linked either with
 * libFuzzer (configure --enable-fuzzing: fuzz/fuzz_NAME) or with
 * fuzz/seeds.c (always: fuzz/seeds_NAME, which feeds the committed seed
 * corpus fuzz/corpus/NAME/ through it in the regular test suite).
 */
#ifndef PIRAEUS_FUZZ_H
#define PIRAEUS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point every target defines. */
int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* A NUL-terminated copy of data (allocated; free it). */
char	*fuzz_cstr(const uint8_t *data, size_t size);
/* Write data to this process's scratch file (created once in $TMPDIR,
 * removed at exit) and return its path; aborts when it cannot. */
const char *fuzz_file(const uint8_t *data, size_t size);

#endif

/* pattern.c: placeholder until written (accepts nothing but ""). */
#include "config.h"

#include <stdio.h>

#include "piraeus.h"

int
pattern_match(const char *patterns, const char *module)
{
	return 0;
}

int
pattern_check(const char *patterns, char *why, size_t whysz)
{
	return 0;
}

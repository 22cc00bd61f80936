/*
 * hex.c: hexadecimal digits, read.
 *
 * The one place a hex digit becomes its value: %-escapes in request URIs
 * (request.c), \x escapes in go.mod strings (modfile.c) and the key hash
 * of a note verifier key (note.c).
 */
#include "config.h"

#include "piraeus.h"

/* The value of hex digit c (either case), 0 to 15; -1 for any other c. */
int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

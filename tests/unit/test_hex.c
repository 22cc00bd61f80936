/*
 * test_hex.c: hex_digit, against a table and against every byte.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "piraeus.h"
#include "tap.h"

static const struct {
	int		 c;
	int		 want;
} hex_cases[] = {
	{ '0', 0 }, { '1', 1 }, { '7', 7 }, { '8', 8 }, { '9', 9 },
	{ 'a', 10 }, { 'b', 11 }, { 'c', 12 }, { 'd', 13 }, { 'e', 14 },
	{ 'f', 15 },
	{ 'A', 10 }, { 'B', 11 }, { 'C', 12 }, { 'D', 13 }, { 'E', 14 },
	{ 'F', 15 },
	/* The neighbours of each range. */
	{ '/', -1 }, { ':', -1 }, { '@', -1 }, { 'G', -1 }, { '`', -1 },
	{ 'g', -1 },
	{ 'x', -1 }, { 'X', -1 }, { ' ', -1 }, { '%', -1 }, { '\0', -1 },
	{ 0x80, -1 }, { 0xff, -1 }, { -1, -1 }, { (char)0xe6, -1 },
	{ 256 + 'a', -1 },
};

int
main(void)
{
	static const char lower[] = "0123456789abcdef";
	static const char upper[] = "0123456789ABCDEF";
	const char *p;
	char name[64];
	size_t i;
	int c, want, bad = 0;

	for (i = 0; i < NITEMS(hex_cases); i++) {
		snprintf(name, sizeof(name), "hex_digit(%d)", hex_cases[i].c);
		is_int(hex_digit(hex_cases[i].c), hex_cases[i].want, name);
	}
	/* Every byte: a digit's value is its place in either alphabet. */
	for (c = 0; c < 256; c++) {
		want = -1;
		if (c != 0 && (p = strchr(lower, c)) != NULL)
			want = (int)(p - lower);
		else if (c != 0 && (p = strchr(upper, c)) != NULL)
			want = (int)(p - upper);
		if (hex_digit(c) != want) {
			printf("# hex_digit(%d) = %d, want %d\n", c,
			    hex_digit(c), want);
			bad++;
		}
	}
	is_int(bad, 0, "hex_digit: every byte");
	return tap_done();
}

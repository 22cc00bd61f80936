/*
 * fuzz_jsonval.c: the one JSON value parser (jsonval.c).  The first byte
 * picks the cap (the callers' and small ones the input can pass) and
 * whether an object is asked for; the rest is parsed.  A value accepted
 * came from at most the cap, holds no NUL byte, is an object when one was
 * asked for, and what json-c writes of it is accepted again (uncapped) as
 * a value of the same JSON type (a number, int or double, is one).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "piraeus.h"
#include "fuzz.h"

static const size_t fuzz_jsonval_caps[] = {
	0, 1, 16, 256, VULNDB_DB_MAX, OSV_ENTRY_MAX, VULNDB_INDEX_MAX,
	(size_t)-1,
};
#define FUZZ_JSONVAL_NCAPS \
	(sizeof(fuzz_jsonval_caps) / sizeof(fuzz_jsonval_caps[0]))

/* fuzz_jsonval_type: o's JSON type; a number is one, int or double (json-c
 * writes the double of "5e" as "5", an int again). */
static json_type
fuzz_jsonval_type(struct json_object *o)
{
	json_type t = json_object_get_type(o);

	return t == json_type_double ? json_type_int : t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*o, *o2;
	const char		*s, *out;
	size_t			 cap, n;
	int			 object;

	if (size == 0)
		return 0;
	cap = fuzz_jsonval_caps[data[0] % FUZZ_JSONVAL_NCAPS];
	object = (data[0] / FUZZ_JSONVAL_NCAPS) % 2;
	s = (const char *)data + 1;
	n = size - 1;
	if ((o = jsonval_parse(s, n, cap, object)) == NULL)
		return 0;
	if (n == 0 || n > cap || memchr(s, '\0', n) != NULL ||
	    (object && !json_object_is_type(o, json_type_object)))
		abort();
	out = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (out == NULL ||
	    (o2 = jsonval_parse(out, strlen(out), (size_t)-1, object)) == NULL ||
	    fuzz_jsonval_type(o2) != fuzz_jsonval_type(o))
		abort();
	json_object_put(o2);
	json_object_put(o);
	return 0;
}

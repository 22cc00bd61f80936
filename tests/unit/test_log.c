/*
 * test_log.c: log_format_fields, the access line's two forms: plain
 * values quoted and escaped when they must be, JSON always valid (parsed
 * back with json-c) whatever bytes a hostile path carries, and a line
 * cut at its cap still well formed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "piraeus.h"
#include "tap.h"

/* Every byte 1..255 once, as a hostile client's path could carry. */
static void
all_bytes(char *out)
{
	int i;

	for (i = 1; i < 256; i++)
		out[i - 1] = (char)i;
	out[255] = '\0';
}

int
main(void)
{
	char line[LOG_LINE_MAX], hostile[256], big[8192];
	struct json_object *o, *v;
	size_t n, i;
	int bad;

	struct log_field f[] = {
		{ "method", "GET", 0 },
		{ "path", "/example.com/m/@v/v1.0.0.info", 0 },
		{ "status", NULL, 200 },
		{ "bytes", NULL, 146 },
		{ "outcome", "hit", 0 },
		{ "module", "example.com/m", 0 },
		{ "request_id", "abc-1", 0 },
	};

	n = log_format_fields(LOG_FMT_PLAIN, "info", "access", "T", f,
	    NITEMS(f), line, sizeof(line));
	is_str(line, "ACCESS method=GET path=/example.com/m/@v/v1.0.0.info "
	    "status=200 bytes=146 outcome=hit module=example.com/m "
	    "request_id=abc-1\n", "plain line, bare values");
	is_int((long long)n, (long long)strlen(line), "length returned");

	f[1].s = "/a b\"c\\d\n\x01\xff";
	log_format_fields(LOG_FMT_PLAIN, "info", "access", "T", f, 2, line,
	    sizeof(line));
	is_str(line, "ACCESS method=GET path=\"/a b\\x22c\\x5cd\\x0a\\x01"
	    "\\xff\"\n", "plain: space kept inside quotes, the rest \\xNN");
	f[1].s = "";
	log_format_fields(LOG_FMT_PLAIN, "info", "access", "T", f, 2, line,
	    sizeof(line));
	is_str(line, "ACCESS method=GET path=\"\"\n", "plain: empty quoted");

	/* JSON: the hostile path parses back to the same bytes, escaped
	 * (the non-ASCII ones as \u00NN, so Latin-1 code points). */
	all_bytes(hostile);
	f[1].s = hostile;
	log_format_fields(LOG_FMT_JSON, "info", "access", "2026-01-01T00:00:00Z",
	    f, NITEMS(f), line, sizeof(line));
	ok(strchr(line, '\n') == line + strlen(line) - 1,
	    "json: one line (the newline only at the end)");
	o = json_tokener_parse(line);
	ok(o != NULL && json_object_is_type(o, json_type_object),
	    "json: parses as one object");
	ok(o != NULL && json_object_object_get_ex(o, "path", &v) &&
	    json_object_get_string_len(v) > 0, "json: path present");
	if (o != NULL && json_object_object_get_ex(o, "path", &v)) {
		const unsigned char *p = (const unsigned char *)
		    json_object_get_string(v);
		int len = json_object_get_string_len(v);
		size_t k = 0;

		/* Bytes below 0x80 round-trip as they are. */
		bad = 0;
		for (i = 1; i < 128; i++) {
			if (k >= (size_t)len || p[k] != i)
				bad = 1;
			k++;
		}
		ok(!bad, "json: bytes 1..127 round-trip");
		/* Each of 0x80..0xff is U+0080..U+00FF: two UTF-8 bytes. */
		ok(len == 127 + 2 * 128, "json: 128 high bytes as U+00NN");
	}
	ok(o != NULL && json_object_object_get_ex(o, "status", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int(v) == 200, "json: status a number");
	ok(o != NULL && json_object_object_get_ex(o, "type", &v) &&
	    strcmp(json_object_get_string(v), "access") == 0, "json: type");
	ok(o != NULL && json_object_object_get_ex(o, "level", &v) &&
	    strcmp(json_object_get_string(v), "info") == 0, "json: level");
	json_object_put(o);
	ok(strstr(line, "\\u00ff") != NULL && strstr(line, "\\u0001") !=
	    NULL && strstr(line, "\\\"") != NULL && strstr(line, "\\\\") !=
	    NULL, "json: escapes as expected");

	/* Cut at the cap: still one valid object, still one line. */
	memset(big, '"', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	f[1].s = big;
	for (i = 40; i < 400; i += 7) {
		char small[400];

		n = log_format_fields(LOG_FMT_JSON, "info", "access", "T", f,
		    NITEMS(f), small, i);
		o = json_tokener_parse(small);
		if (o == NULL || n >= i || small[n - 1] != '\n') {
			ok(0, "json: cut line well formed");
			printf("#   size %zu: %s\n", i, small);
			break;
		}
		json_object_put(o);
	}
	if (i >= 400)
		ok(1, "json: lines cut at every size parse");
	n = log_format_fields(LOG_FMT_PLAIN, "info", "access", "T", f,
	    NITEMS(f), line, 100);
	ok(n < 100 && line[n - 1] == '\n' && line[n - 2] == '"',
	    "plain: cut line ends its quote and the line");
	return tap_done();
}

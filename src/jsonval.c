/*
 * jsonval.c: one JSON value alone in a buffer, as the go command's
 * json.Unmarshal takes it: nothing but white space around it, no NUL
 * byte, under a cap.  The one parser of such bodies (a .info, an OSV
 * entry, the vulnerability database's index files).
 *
 * json-c is lenient where Go is not: it takes trailing commas, single
 * quotes, NaN and Infinity, raw control bytes in strings, "1." and "5e"
 * (fuzz_jsonval found them; JSON_TOKENER_STRICT still takes several).
 * So the bytes are first checked against RFC 8259's grammar as Go's
 * encoding/json scanner reads it (jsonval_syntax), and only a value the
 * go command would read is given to json-c to build.  Nesting is
 * JSONVAL_DEPTH_MAX containers deep at most, Go's maxNestingDepth: json-c
 * is given a tokener that deep only for a value nested past its default
 * (32 levels of values), which every other value is read with.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <json-c/json.h>

#include "piraeus.h"

#define JSONVAL_DEPTH_MAX	10000	/* arrays and objects, one in
					 * another (Go's maxNestingDepth) */

/* The states of the grammar (Go's scanner, encoding/json/scanner.go). */
enum jsonval_want {
	JV_VALUE,		/* a value */
	JV_KEY_OR_END,		/* after "{": a key, or "}" */
	JV_KEY,			/* after ",": a key */
	JV_VALUE_OR_END,	/* after "[": a value, or "]" */
	JV_AFTER		/* after a value: ",", the closer, or the end */
};

/* p past white space (space, tab, CR, LF) before end. */
static const char *
jsonval_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	return p;
}

/* The end of the string that starts at p ('"'), or NULL: escapes \" \\
 * \/ \b \f \n \r \t and \u with four hex digits, no byte below 0x20. */
static const char *
jsonval_string(const char *p, const char *end)
{
	int i;

	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\')
			continue;
		if (++p == end)
			return NULL;
		if (*p == 'u') {
			for (i = 0; i < 4; i++)
				if (++p == end || hex_digit((unsigned char)*p) < 0)
					return NULL;
		} else if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0')
			return NULL;
	}
	return NULL;
}

/* p past the digits at it. */
static const char *
jsonval_digits(const char *p, const char *end)
{
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

/* The end of the number at p, or NULL: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? */
static const char *
jsonval_number(const char *p, const char *end)
{
	const char *q;

	if (p < end && *p == '-')
		p++;
	if (p == end || *p < '0' || *p > '9')
		return NULL;
	p = *p == '0' ? p + 1 : jsonval_digits(p, end);
	if (p < end && *p == '.') {
		if ((q = jsonval_digits(p + 1, end)) == p + 1)
			return NULL;
		p = q;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if ((q = jsonval_digits(p, end)) == p)
			return NULL;
		p = q;
	}
	return p;
}

/* The end of the scalar (string, number, true, false, null) at p, or
 * NULL when none starts there. */
static const char *
jsonval_scalar(const char *p, const char *end)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t i, n;

	if (*p == '"')
		return jsonval_string(p, end);
	if (*p == '-' || (*p >= '0' && *p <= '9'))
		return jsonval_number(p, end);
	for (i = 0; i < NITEMS(words); i++) {
		n = strlen(words[i]);
		if ((size_t)(end - p) >= n && memcmp(p, words[i], n) == 0)
			return p + n;
	}
	return NULL;
}

/*
 * Is data[0..len) one JSON value, white space around it, as Go's
 * json.Unmarshal reads it (its checkValid)?  0 yes (*deepest: the most
 * containers open at once), -1 no.  A stack of the open brackets ('{' or
 * '['), JSONVAL_DEPTH_MAX deep at most.
 */
static int
jsonval_syntax(const char *data, size_t len, size_t *deepest)
{
	const char *p = data, *end = data + len;
	char open[JSONVAL_DEPTH_MAX];
	enum jsonval_want want = JV_VALUE;
	size_t depth = 0;

	*deepest = 0;
	for (;;) {
		p = jsonval_ws(p, end);
		if (p == end)
			return want == JV_AFTER && depth == 0 ? 0 : -1;
		switch (want) {
		case JV_KEY_OR_END:
		case JV_VALUE_OR_END:
			if (*p == (want == JV_KEY_OR_END ? '}' : ']')) {
				depth--;
				p++;
				want = JV_AFTER;
				continue;
			}
			if (want == JV_VALUE_OR_END) {
				want = JV_VALUE;
				continue;
			}
			/* FALLTHROUGH */
		case JV_KEY:
			if (*p != '"' || (p = jsonval_string(p, end)) == NULL)
				return -1;
			p = jsonval_ws(p, end);
			if (p == end || *p != ':')
				return -1;
			p++;
			want = JV_VALUE;
			continue;
		case JV_VALUE:
			if (*p == '{' || *p == '[') {
				if (depth == JSONVAL_DEPTH_MAX)
					return -1;
				open[depth++] = *p;
				if (depth > *deepest)
					*deepest = depth;
				want = *p == '{' ? JV_KEY_OR_END :
				    JV_VALUE_OR_END;
				p++;
				continue;
			}
			if ((p = jsonval_scalar(p, end)) == NULL)
				return -1;
			want = JV_AFTER;
			continue;
		case JV_AFTER:
			if (depth == 0)
				return -1;	/* a second value */
			if (*p == ',') {
				want = open[depth - 1] == '{' ? JV_KEY :
				    JV_VALUE;
				p++;
				continue;
			}
			if (*p != (open[depth - 1] == '{' ? '}' : ']'))
				return -1;
			depth--;
			p++;
			continue;
		}
	}
}

struct json_object *
jsonval_parse(const char *data, size_t len, size_t max, int object)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end, deepest;

	if (data == NULL || len == 0 || len > max || len > INT_MAX ||
	    memchr(data, '\0', len) != NULL ||
	    jsonval_syntax(data, len, &deepest) == -1)
		return NULL;
	/* json-c counts values: the containers and what the innermost
	 * holds. */
	if ((tok = deepest < JSON_TOKENER_DEFAULT_DEPTH ? json_tokener_new() :
	    json_tokener_new_ex((int)deepest + 1)) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, data, (int)len);
	end = json_tokener_get_parse_end(tok);
	/* All of data read and the value not ended (a number, true, false
	 * or null with nothing after it): its end is the end of data, as
	 * json.Unmarshal takes it, which json-c is told by a NUL. */
	if (json_tokener_get_error(tok) == json_tokener_continue) {
		o = json_tokener_parse_ex(tok, "", 1);
		end = len;
	}
	/* White space to the end: data[len] is not ours to read (data need
	 * not be NUL-terminated). */
	while (end < len && strchr(" \t\r\n", data[end]) != NULL)
		end++;
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    (object && !json_object_is_type(o, json_type_object)) ||
	    end != len) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/*
 * jsonval.c: one JSON value alone in a buffer, as the go command's
 * json.Unmarshal takes it: nothing but white space around it, no NUL
 * byte, under a cap.  The one parser of such bodies (a .info, an OSV
 * entry, the vulnerability database's index files).
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <json-c/json.h>

#include "piraeus.h"

struct json_object *
jsonval_parse(const char *data, size_t len, size_t max, int object)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;

	if (data == NULL || len == 0 || len > max || len > INT_MAX ||
	    memchr(data, '\0', len) != NULL ||
	    (tok = json_tokener_new()) == NULL)
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

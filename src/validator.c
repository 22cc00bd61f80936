/*
 * validator.c: the validator hook ([policy] validator_hook), Athens'
 * ATHENS_PROXY_VALIDATOR (reference/athens.md 3.3), over libcurl.
 *
 * Before a version is fetched, POST {"Module":"<path>","Version":"<v>"}
 * (Content-Type: application/json) to the hook.  200 allows; 403 denies,
 * with the hook's answer (its first VALIDATOR_MSG_MAX bytes, printable
 * ASCII only, blanks collapsed) as the reason the client sees; anything
 * else, a transport error or the timeout is E_UPSTREAM with a reason
 * that says so: a hook that cannot answer never allows.  Redirects are
 * not followed.  Caching the verdicts is the caller's (policy.c).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "piraeus.h"

#define VALIDATOR_BODY_MAX	4096	/* bytes of the hook's answer kept */

/* Keep the first VALIDATOR_BODY_MAX bytes; the rest is read and dropped
 * (the timeout bounds a hook that never stops). */
static size_t
validator_write(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n, room;
	struct err e;

	err_clear(&e);
	room = b->len < VALIDATOR_BODY_MAX ? VALIDATOR_BODY_MAX - b->len : 0;
	if (room > 0 && buf_append(b, p, len < room ? len : room, &e) == -1)
		return 0;
	return len;
}

void
validator_message(const char *body, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0;
	int blank = 0;

	if (outsz == 0)
		return;
	for (i = 0; i < len && o + 1 < outsz; i++) {
		unsigned char c = (unsigned char)body[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			blank = o > 0;
			continue;
		}
		if (blank && o + 2 < outsz)
			out[o++] = ' ';
		blank = 0;
		out[o++] = c > ' ' && c < 0x7f ? (char)c : '?';
	}
	out[o] = '\0';
}

int
validator_check(const char *url, long timeout, const char *ca_file,
    const char *module, const char *version, struct err *e)
{
	char ebuf[CURL_ERROR_SIZE] = "", msg[VALIDATOR_MSG_MAX + 1];
	struct curl_slist *hdrs = NULL;
	json_object *o;
	const char *json;
	struct buf b;
	CURLcode cc;
	CURL *c;
	long code = 0;
	int rc;

	if ((c = curl_easy_init()) == NULL)
		return err_set(e, E_INTERNAL, "validator hook: curl_easy_init "
		    "failed");
	o = json_object_new_object();
	json_object_object_add(o, "Module", json_object_new_string(module));
	json_object_object_add(o, "Version", json_object_new_string(version));
	json = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	buf_init(&b, VALIDATOR_BODY_MAX + 1);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "piraeus/" PACKAGE_VERSION);
	if (ca_file != NULL && ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, validator_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	validator_message(b.data != NULL ? b.data : "", b.len, msg,
	    sizeof(msg));
	if (cc == CURLE_OPERATION_TIMEDOUT)
		rc = err_set(e, E_UPSTREAM, "the validator hook did not answer "
		    "within %ld s: %s@%s not allowed", timeout, module,
		    version);
	else if (cc != CURLE_OK)
		rc = err_set(e, E_UPSTREAM, "the validator hook failed (%s): "
		    "%s@%s not allowed", ebuf[0] != '\0' ? ebuf :
		    curl_easy_strerror(cc), module, version);
	else if (code == 200)
		rc = 0;
	else if (code == 403)
		rc = err_set(e, E_FORBIDDEN, "denied by the validator hook%s%s",
		    msg[0] != '\0' ? ": " : "", msg);
	else
		rc = err_set(e, E_UPSTREAM, "the validator hook answered %ld "
		    "(200 allows, 403 denies): %s@%s not allowed", code,
		    module, version);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	json_object_put(o);
	buf_free(&b);
	return rc;
}

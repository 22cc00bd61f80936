/*
 * ep_latest.c: <module>/@latest from storage.
 *
 * The go command asks it only when list holds nothing suitable.  The rule
 * is latest.c's (the go command's: highest release, else pre-release,
 * else the newest pseudo-version; "+incompatible" not above a compatible
 * version with a go.mod; the latest's retractions applied to tags; no
 * tag left: the newest pseudo-version, else the highest version).  The answer is that
 * version's stored .info, byte for byte.  When policy allows, upstream's
 * own @latest comes first (its default-branch pseudo-version is something
 * storage cannot know; an upstream without @latest gets it computed from
 * its list, fetch.c; resolve_answer.c); storage answers when upstream has none, or fails
 * under network_mode fallback; then a miss says why upstream failed.
 */
#include "config.h"

#include "http.h"

int
ep_latest(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	struct want w;

	request_want(r, WANT_LATEST, &w);
	return proxy_answer(px, &w, rs, e);
}

/*
 * ep_list.c: <module>/@v/list, computed from storage, never a stored file.
 *
 * Tagged versions only (no pseudo-versions), each canonical and valid for
 * the module path, sorted by semver, retracted ones kept (the client
 * applies retractions itself: protocol.md 2.1 and 6).  A stored version
 * counts once its .info exists, the last file publish writes.  When policy
 * allows (policy.c) the upstream list is merged in (resolve_answer.c caches
 * it); if upstream fails, network_mode strict answers the error and fallback
 * answers from storage (a module storage does not know is then a 404
 * that names the upstream and its failure).  A module known to storage or upstream but with
 * no tagged version answers 200 with an empty body; an unknown one 404.
 */
#include "config.h"

#include "http.h"

int
ep_list(struct proxy *px, const struct request *r, struct response *rs,
    struct err *e)
{
	struct want w;

	request_want(r, WANT_LIST, &w);
	return proxy_answer(px, &w, rs, e);
}

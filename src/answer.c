/*
 * answer.c: struct answer, what resolve gives an endpoint: a body, a
 * stored file open on a descriptor, or a redirect (piraeus.h).  Made
 * empty here, and freed here whatever it holds; the names of its
 * outcomes.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "piraeus.h"

void
answer_init(struct answer *a)
{
	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->cache = ANSWER_NOSTORE;
}

void
answer_free(struct answer *a)
{
	if (a->fd != -1)
		close(a->fd);
	a->fd = -1;
	buf_free(&a->body);
}

static const char *const answer_outcomes[OUTCOME_MAX] = {
	[OUTCOME_NONE] = "-", [OUTCOME_HIT] = "hit",
	[OUTCOME_FETCHED] = "fetched", [OUTCOME_WAITED] = "waited",
	[OUTCOME_STALE] = "stale", [OUTCOME_REDIRECTED] = "redirected",
	[OUTCOME_DENIED] = "denied", [OUTCOME_NOTFOUND] = "notfound",
	[OUTCOME_ERROR] = "error",
};

const char *
answer_outcome_name(enum answer_outcome o)
{
	return (unsigned)o < OUTCOME_MAX ? answer_outcomes[o] : "-";
}

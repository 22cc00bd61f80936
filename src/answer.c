/*
 * answer.c: struct answer, what resolve gives an endpoint: a body, a
 * stored file open on a descriptor, or a redirect (piraeus.h).  Made
 * empty here, and freed here whatever it holds.
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

/*
 * proxy.c: what a responder process keeps between requests.
 *
 * The configuration, the storage root and the sqlite index, opened once
 * per process (baseline.md: opening sqlite per request costs 5x).  If the
 * index cannot be opened at start the responder still serves what it can
 * from the tree and retries on later requests; /readyz reports why.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http.h"

int
proxy_open(struct proxy *px, struct err *e)
{
	struct err ie;

	if (store_open(&px->store, px->cfg.storage_root, e) == -1)
		return -1;
	err_clear(&ie);
	px->idx = NULL;
	px->idx_error[0] = '\0';
	if (index_open(&px->idx, px->cfg.state_dir, &ie) == -1) {
		log_warnx("%s", ie.msg);
		snprintf(px->idx_error, sizeof(px->idx_error), "%s", ie.msg);
	}
	return 0;
}

void
proxy_close(struct proxy *px)
{
	index_close(px->idx);
	px->idx = NULL;
	store_close(&px->store);
}

struct index *
proxy_index(struct proxy *px, struct err *e)
{
	struct err ie;

	if (px->idx != NULL)
		return px->idx;
	err_clear(&ie);
	if (index_open(&px->idx, px->cfg.state_dir, &ie) == -1) {
		snprintf(px->idx_error, sizeof(px->idx_error), "%s", ie.msg);
		err_set(e, ie.code, "%s", ie.msg);
		return NULL;
	}
	px->idx_error[0] = '\0';
	return px->idx;
}

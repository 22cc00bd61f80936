/*
 * fuzz_redis_url.c: where redis is ([singleflight] redis:
 * lock_redis_parse in lock_redis.c): "host[:port]", redis://,
 * rediss:// (TLS) and sentinel:// lists.  The input (up to its first
 * NUL) is parsed; a target that parses has one to LOCK_REDIS_SENTINELS_MAX
 * hosts (one unless Sentinel), each non-empty, of host bytes (or an IPv6
 * address's), its port 1 to 65535; a database 0 to LOCK_REDIS_DB_MAX; a
 * master's name for Sentinel; user and password within their caps; TLS
 * exactly for rediss:// (never with Sentinel).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "fuzz.h"

/* fuzz_redis_check: the invariants of a parsed target. */
static void
fuzz_redis_check(const char *spec, const struct lock_redis_target *t)
{
	const struct lock_redis_addr	*a;
	size_t				 i, hl;

	if (strlen(spec) > LOCK_REDIS_SPEC_MAX || t->naddr == 0 ||
	    t->naddr > LOCK_REDIS_SENTINELS_MAX ||
	    (!t->sentinel && t->naddr != 1) ||
	    t->db < 0 || t->db > LOCK_REDIS_DB_MAX ||
	    (t->sentinel != (t->master[0] != '\0')) ||
	    strlen(t->master) > LOCK_REDIS_MASTER_MAX ||
	    strlen(t->user) > LOCK_REDIS_USER_MAX ||
	    strlen(t->password) > LOCK_REDIS_PASSWORD_MAX ||
	    t->tls != (strncmp(spec, "rediss://", 9) == 0) ||
	    (t->tls && t->sentinel))
		abort();
	for (i = 0; i < t->naddr; i++) {
		a = &t->addr[i];
		hl = strlen(a->host);
		if (hl == 0 || hl > LOCK_REDIS_HOST_MAX ||
		    a->port < 1 || a->port > 65535 ||
		    strspn(a->host, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:") != hl)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lock_redis_target	 t;
	struct err			 e;
	char				*s;

	s = fuzz_cstr(data, size);
	err_clear(&e);
	if (lock_redis_parse(s, &t, &e) == 0)
		fuzz_redis_check(s, &t);
	else if (e.code != E_CONFIG || e.msg[0] == '\0')
		abort();
	free(s);
	return 0;
}

#!/bin/sh
# t0600-redis-lock.t: lock_redis.c against a real redis-server (started
# here by tests/lib/redis.sh on 127.0.0.1 and a free port): the unit test
# tests/unit/test_lock_redis with PIRAEUS_TEST_REDIS set runs its live
# part (lease, token ownership, pub/sub wake-up, reconnect), and through
# a real redis-sentinel its sentinel:// part; then
# piraeus check-config on the [singleflight] keys.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/redis.sh"
need redis-server redis-cli redis-sentinel

redis_start
sentinel_start mymaster
B=$top_builddir
if PIRAEUS_TEST_REDIS=$REDIS_ADDR \
    PIRAEUS_TEST_SENTINEL=127.0.0.1:$SENTINEL_PORT \
    "$B/tests/unit/test_lock_redis" \
    >"$TRASH/unit.out" 2>&1; then
	pass "test_lock_redis's live part against redis $REDIS_ADDR"
else
	fail "test_lock_redis's live part against redis $REDIS_ADDR"
	diag_file "$TRASH/unit.out"
fi
like "$(cat "$TRASH/unit.out")" 'ok [0-9]+ - the waiter is woken by the release' \
    "the live part ran"
like "$(cat "$TRASH/unit.out")" 'ok [0-9]+ - sentinel: a dead sentinel skipped' \
    "the sentinel part ran"

# check-config: the keys, and the refused forms with the file's name.
mkdir -p "$TRASH/s" "$TRASH/t"
ini()
{
	cat >"$TRASH/p.ini" <<INI
[storage]
root = $TRASH/s
[state]
dir = $TRASH/t
[singleflight]
$1
INI
}
ini "backend = redis
redis = redis://:pw@127.0.0.1:$REDIS_PORT/2"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
is "$?" 0 "check-config accepts backend = redis with a redis:// URL"
ini "backend = redis"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
isnt "$?" 0 "backend = redis without redis: refused"
like "$(cat "$TRASH/out")" '\[singleflight\] (backend|redis).*needs \[singleflight\] redis' \
    "saying what is missing"
ini "backend = redis
redis = rediss://127.0.0.1:$REDIS_PORT"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
isnt "$?" 0 "rediss:// refused"
like "$(cat "$TRASH/out")" 'p\.ini: \[singleflight\] redis: rediss:// \(TLS\) is not supported: this piraeus is built with hiredis 0\.14' \
    "saying why (no TLS in this hiredis), with file, section and key"
ini "on_redis_down = maybe"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
isnt "$?" 0 "on_redis_down = maybe refused"
ini "prefix = a b"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
isnt "$?" 0 "a prefix with a blank refused"
redis_stop
done_testing

#!/bin/sh
# t2035-hosts-redis-tls.t: two hosts, one storage, one redis spoken to
# over TLS only (README "Several hosts": rediss://).
#
# As t2030-hosts-redis, on a redis-server whose TLS port (tls-auth-clients
# yes: a client certificate is required) is the only one the hosts are
# given ([singleflight] redis = rediss://127.0.0.1:TLSPORT, redis_tls_ca,
# redis_tls_cert, redis_tls_key; on_redis_down = fail, so a host that
# cannot speak TLS to redis answers 503, never a local fetch):
#   - 2 x 32 concurrent clients on each of three cold zips (the upstream
#     holding each 1.5 s): every client 200 and the upstream's bytes, one
#     upstream fetch per zip and per .mod between the two hosts;
#   - the leases went through redis (its command counts: SET, EVAL for
#     the releases, SUBSCRIBE for the waiters), and none is left.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/redis.sh"
. "$top_srcdir/tests/lib/hosts.sh"
need go git curl lighttpd perl cmp redis-server redis-cli openssl
hosts_loopback

upstream_fixtures
C=$TRASH/certs
redis_tls_certs "$C" || bail_out "cannot make the test certificates"
redis_tls_start tls "$C"
pass "fake upstream on $UPSTREAM_URL, redis TLS on 127.0.0.1:$REDIS_TLS_PORT"

S=$TRASH/shared/storage
mkdir -p "$S"
host_ini()
{
	cat <<INI
[storage]
root = $S
[state]
dir = $2
[upstream]
goproxy = $UPSTREAM_URL
network_mode = fallback
retries = 0
timeout = 60
lock_expiry = 10
wait_timeout = 60
[sumdb]
verify = no
[singleflight]
backend = redis
redis = rediss://127.0.0.1:$REDIS_TLS_PORT/1
redis_tls_ca = $C/ca.crt
redis_tls_cert = $C/client.crt
redis_tls_key = $C/client.key
on_redis_down = fail
INI
}
hosts_start 2 "$S" host_ini
redis_cli CONFIG RESETSTAT >/dev/null

# calls CMD: how many times redis ran CMD since the RESETSTAT.
calls()
{
	redis_cli INFO commandstats | tr -d '\r' |
	    sed -n "s/^cmdstat_$1:calls=\\([0-9]*\\),.*/\\1/p"
}

upstream_reset
upstream_fault '*.zip' delay ms=1500 >/dev/null
# shellcheck disable=SC2086 # the names hold no white space
hosts_storm 32 "$REF" $HOSTS_ZIPS
upstream_fault '*.zip' none >/dev/null
is "$HOSTS_CODES" "192 200" "all 192 clients (2 hosts x 32 x 3 zips) got 200"
is "$HOSTS_BAD" 0 "every client got the upstream's bytes"
for f in $HOSTS_ZIPS; do
	is "$(upstream_count "/$f")" 1 "$f: one upstream fetch for 64 clients on 2 hosts"
	is "$(upstream_count "/${f%.zip}.mod")" 1 "and one of its .mod"
	is_file "$S/$f" "$REF/$f" "the stored $f is the upstream's"
done
n=$(calls set)
ok "the leases were taken in redis, over TLS (SET: ${n:-0})" \
    test "${n:-0}" -ge 3
n=$(calls eval)
ok "and released there (EVAL: ${n:-0})" test "${n:-0}" -ge 3
n=$(calls subscribe)
ok "waiters subscribed to the releases (SUBSCRIBE: ${n:-0})" \
    test "${n:-0}" -ge 1
is "$(redis_cli -n 1 KEYS 'piraeus:lock:*')" "" "no lease left in redis"
is "$(cat "$TRASH"/host.*/state/run/*.log 2>/dev/null |
    grep -E 'singleflight: redis' | head -n 3)" "" \
    "no redis error in the hosts' logs"
hosts_sanitizer_clean
done_testing

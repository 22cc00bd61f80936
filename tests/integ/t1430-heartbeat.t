#!/bin/sh
# t1430-heartbeat.t: a fetch slower than [upstream] lock_expiry is still
# fetched exactly once.  The holder of a singleflight lock keeps it alive
# while its transfer runs (lock_heartbeat from libcurl's progress
# callback), so a second request in another responder process waits for
# it instead of taking the lock over as if the holder were gone.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need curl lighttpd zip go

UP=$TRASH/up
M=example.com/slow
mkver "$UP" $M v1.0.0 v1.0.0 2020-01-01T00:00:00Z "module $M
" $M go.mod="module $M" s.go='package s' || bail_out "mkver"
upstream_start "$UP" || bail_out "cannot start the fake upstream"

S=$TRASH/storage
T=$TRASH/state
mkdir -p "$S" "$T"
cat >"$TRASH/p.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = $UPSTREAM_URL
lock_expiry = 10
timeout = 60
low_speed_time = 60
wait_timeout = 60
[sumdb]
verify = no
INI
serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$TRASH/p.ini"

# The zip takes 16 s to come: longer than the lock's expiry of 10 s.
upstream_fault "/$M/@v/v1.0.0.zip" delay ms=16000
curl -s -o "$TRASH/a" -w '%{http_code}\n' "$URL/$M/@v/v1.0.0.zip" \
    >"$TRASH/a.code" &
A=$!
sleep 1
curl -s -o "$TRASH/b" -w '%{http_code}\n' "$URL/$M/@v/v1.0.0.zip" \
    >"$TRASH/b.code" &
B=$!
wait "$A"
wait "$B"
is "$(cat "$TRASH/a.code")" 200 "the first client gets the slow zip"
is "$(cat "$TRASH/b.code")" 200 "the second (another responder) too"
ok "with the upstream's bytes" cmp -s "$TRASH/b" "$UP/$M/@v/v1.0.0.zip"
is "$(upstream_count "/$M/@v/v1.0.0.zip")" 1 \
    "one upstream request: the live holder kept its lock past lock_expiry"
unlike "$(cat "$T"/run/*.log 2>/dev/null)" 'taking over' "no take-over was logged"
unlike "$(cat "$T"/run/*.log 2>/dev/null)" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"
stop_bg "$SERVE_PID"
done_testing

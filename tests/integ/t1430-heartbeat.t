#!/bin/sh
# t1430-heartbeat.t: singleflight over time.
# 1. A fetch slower than [upstream] lock_expiry is still fetched exactly
#    once.  The holder of a singleflight lock keeps it alive while its
#    transfer runs (lock_heartbeat from libcurl's progress callback), so a
#    second request in another responder process waits for it instead of
#    taking the lock over as if the holder were gone.
# 2. A fetch that fails is not tried again by every request that waited
#    for it: they all get its failure (one upstream request, not one per
#    client); a request that comes later tries again.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need curl lighttpd zip go

UP=$TRASH/up
M=example.com/slow
mkver "$UP" $M v1.0.0 v1.0.0 2020-01-01T00:00:00Z "module $M
" $M go.mod="module $M" s.go='package s' || bail_out "mkver"
mkver "$UP" $M v1.1.0 v1.1.0 2020-01-02T00:00:00Z "module $M
" $M go.mod="module $M" s.go='package s // 1.1' || bail_out "mkver"
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
retries = 0
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

# 2. Two clients (one per responder: each answers one request at a time)
# ask for a version whose fetch fails after 1.5 s.
upstream_fault "/$M/@v/v1.1.0.zip" slowstatus ms=1500 code=500
i=0
pids=
while [ $i -lt 2 ]; do
	curl -s -o /dev/null -w '%{http_code}\n' "$URL/$M/@v/v1.1.0.zip" \
	    >>"$TRASH/f.codes" &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
is "$(sort -u "$TRASH/f.codes" | xargs)" 502 "both get the failure (502)"
is "$(wc -l <"$TRASH/f.codes" | tr -d ' ')" 2 "both answered"
is "$(upstream_count "/$M/@v/v1.1.0.zip")" 1 \
    "one upstream request: the waiters shared the holder's failure"
upstream_fault "/$M/@v/v1.1.0.zip" none
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/$M/@v/v1.1.0.zip")" 200 \
    "a request that comes later tries again, and the upstream has healed"
unlike "$(cat "$T"/run/*.log 2>/dev/null)" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"
stop_bg "$SERVE_PID"
done_testing

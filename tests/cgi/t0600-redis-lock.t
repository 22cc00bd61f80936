#!/bin/sh
# t0600-redis-lock.t: lock_redis.c against a real redis-server (started
# here by tests/lib/redis.sh on 127.0.0.1 and a free port): the unit test
# tests/unit/test_lock_redis with PIRAEUS_TEST_REDIS set runs its live
# part (lease, token ownership, pub/sub wake-up, reconnect), and through
# a real redis-sentinel its sentinel:// part; then piraeus check-config on
# the [singleflight] keys; then the private checksum database's writer
# lock: while another host holds "piraeus:lock:sumdb-log" in redis, a
# responder (CGI, its own index) does not append to the log; it does once
# the holder releases it (woken by the release's message) or its lease
# runs out.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/redis.sh"
need redis-server redis-cli redis-sentinel zip sqlite3 perl

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
redis = redis://127.0.0.1:$REDIS_PORT/2"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
is "$?" 0 "check-config accepts backend = redis with a redis:// URL"
like "$(cat "$TRASH/out")" 'singleflight: redis answers' "and asked redis"
ini "backend = redis
redis = redis://:wrong@127.0.0.1:$REDIS_PORT/2"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
isnt "$?" 0 "check-config: a password redis does not take is an error"
like "$(cat "$TRASH/out")" 'redis 127\.0\.0\.1:[0-9]+: AUTH: ' "naming AUTH"
ini "backend = redis
redis = 127.0.0.1:$(free_port)"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
isnt "$?" 0 "check-config: redis unreachable is an error"
like "$(cat "$TRASH/out")" 'connect: Connection refused' "saying why"
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
# A waiter's wait is bounded: another host holds a version's lease (60 s)
# and never releases it; [upstream] wait_timeout = 2 -> 504, in about 2 s.
mkdir -p "$TRASH/ws" "$TRASH/wt"
cat >"$TRASH/w.ini" <<INI
[storage]
root = $TRASH/ws
[state]
dir = $TRASH/wt
[upstream]
goproxy = http://127.0.0.1:$(free_port)
wait_timeout = 2
[sumdb]
verify = no
[singleflight]
backend = redis
redis = $REDIS_ADDR
INI
redis_cli SET "piraeus:lock:v:example.com/held@v1.0.0" "1@otherhost:00" \
    PX 60000 >/dev/null
t0=$(date +%s%N)
cgi GET "/example.com/held/@v/v1.0.0.info" PIRAEUS_CONFIG="$TRASH/w.ini"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
is "$STATUS" 504 "a version whose lease another host holds: 504 after wait_timeout"
like "$(cat "$TRASH/body")" 'still being fetched' "saying so"
ok "in about wait_timeout (${ms} ms; 2 s), not the lease's 60 s" \
    test "$ms" -ge 1500 -a "$ms" -lt 5000

# The private checksum database's writer lock.
M=example.com/priv
UP=$TRASH/up
for v in 0 1; do
	mkver "$UP" $M v1.0.$v v1.0.$v 2020-01-01T00:00:0${v}Z "module $M
" $M go.mod="module $M" p.go="package p // $v" || bail_out "mkver"
done
"$PIRAEUS" sumdb-keygen private.test "$TRASH/priv.key" >/dev/null ||
    bail_out "sumdb-keygen"
S=$TRASH/ps
T=$TRASH/pt
L=$TRASH/plog
mkdir -p "$S" "$T" "$L"
# Several hosts (redis) and a private database: one shared log, or none.
pini()
{
	cat >"$TRASH/p.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = off
[sumdb]
nosum = $M
verify = no
private_key = $TRASH/priv.key
$1
[singleflight]
backend = redis
redis = $REDIS_ADDR
INI
}
pini ""
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
isnt "$?" 0 "check-config: private_key with backend = redis and no log_dir refused"
like "$(cat "$TRASH/out")" 'p\.ini: \[sumdb\] private_key: .*backend = redis \(several hosts\) needs \[sumdb\] log_dir.*a log of its own' \
    "saying why (each host would sign a log of its own)"
cgi GET "/sumdb/private.test/latest" PIRAEUS_CONFIG="$TRASH/p.ini"
is "$STATUS" 500 "the responder does not start so"
like "$(cat "$TRASH/stderr")" 'needs \[sumdb\] log_dir' "and logs why"
pini "log_dir = $TRASH/nolog"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
isnt "$?" 0 "check-config: a log_dir that does not exist refused"
like "$(cat "$TRASH/out")" '\[sumdb\] log_dir: .*/nolog: No such file or directory \(it must be the directory every host shares' \
    "saying why"
cgi GET "/sumdb/private.test/latest" PIRAEUS_CONFIG="$TRASH/p.ini"
is "$STATUS" 500 "the responder does not start on a log_dir that does not exist"
ok "and does not make it (a log of this host's own)" test ! -e "$TRASH/nolog"
like "$(cat "$TRASH/stderr")" 'log_dir .*/nolog: No such file or directory \(the directory every host shares: not mounted\?\)' \
    "saying why"
pini "log_dir = $L"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
is "$?" 0 "check-config: with log_dir, accepted"
like "$(cat "$TRASH/out")" "private checksum log: $L/sumdb-log\\.sqlite \\(the same file on every host\\)" \
    "and names the log every host must share"
export PIRAEUS_CONFIG=$TRASH/p.ini
"$PIRAEUS" import "$UP" >"$TRASH/import.log" 2>&1 ||
    { diag_file "$TRASH/import.log"; bail_out "import"; }
records()
{
	sqlite3 "$L/sumdb-log.sqlite" "SELECT count(*) FROM sumdb_records"
}
is "$(records)" 0 "imported: no record yet (they come with the lookups)"
# Another host holds the writer lock for 2.5 s.
redis_cli SET piraeus:lock:sumdb-log "1@otherhost:00" PX 2500 >/dev/null
t0=$(date +%s%N)
cgi GET "/sumdb/private.test/lookup/$M@v1.0.0"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
is "$STATUS" 200 "the lookup is answered"
ok "after the other host's lease ran out (${ms} ms, lease 2500 ms)" \
    test "$ms" -ge 2300
is "$(records)" 1 "one record appended"
is "$(redis_cli EXISTS piraeus:lock:sumdb-log)" 0 \
    "the writer lock is released after the append"
# The other host releases early (its release script: DEL, then PUBLISH).
redis_cli SET piraeus:lock:sumdb-log "1@otherhost:00" PX 60000 >/dev/null
( sleep 1; redis_cli DEL piraeus:lock:sumdb-log >/dev/null;
  redis_cli PUBLISH piraeus:lock:sumdb-log released >/dev/null ) &
rel=$!
t0=$(date +%s%N)
cgi GET "/sumdb/private.test/lookup/$M@v1.0.1"
t1=$(date +%s%N)
wait "$rel"
ms=$(( (t1 - t0) / 1000000 ))
is "$STATUS" 200 "the second lookup is answered"
ok "as soon as the other host released it (${ms} ms; its lease was 60 s)" \
    test "$ms" -ge 900 -a "$ms" -lt 5000
is "$(records)" 2 "a second record appended"
unlike "$(cat "$TRASH/stderr")" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report"
redis_stop
done_testing

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

# tests/lib/redis.sh leaves no redis behind: a test that restarts redis
# in a subshell (its trap and variables lost) and fails, and one killed
# with SIGKILL (no trap at all), each stop theirs.
cat >"$TRASH/leak.sh" <<EOF
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/redis.sh"
echo "\$TRASH" >"$TRASH/leak.trash"
redis_start leak
echo "\$REDIS_PORT" >"$TRASH/leak.port"
( redis_kill; redis_restart ) >/dev/null 2>&1
if [ "\$1" = kill ]; then
	: >"$TRASH/leak.ready"
	while :; do sleep 1; done
fi
exit 1
EOF
answers()
{
	[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}
gone()
{
	_g=0
	while answers "$1" && [ $_g -lt 80 ]; do
		sleep 0.1
		_g=$((_g + 1))
	done
	! answers "$1"
}
top_srcdir=$top_srcdir top_builddir=$top_builddir sh "$TRASH/leak.sh" fail \
    >/dev/null 2>&1
port=$(cat "$TRASH/leak.port")
ok "a failing test whose redis was restarted in a subshell leaves no redis (port $port)" \
    gone "$port"
rm -f "$TRASH/leak.port" "$TRASH/leak.ready"
top_srcdir=$top_srcdir top_builddir=$top_builddir sh "$TRASH/leak.sh" kill \
    >/dev/null 2>&1 &
lk=$!
# (Its redis starts twice, each start waited for up to 10 s: under the
# sanitizer run's load that took more than the 30 s once waited here.)
i=0
while [ ! -e "$TRASH/leak.ready" ] && [ $i -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
test -e "$TRASH/leak.ready" ||
	diag "leak.sh not ready after 120 s"
port=$(cat "$TRASH/leak.port")
ok "the killed test's redis answered first" answers "$port"
kill -KILL "$lk"
wait "$lk" 2>/dev/null
ok "a test killed with SIGKILL leaves no redis either (port $port)" \
    gone "$port"
lt=$(cat "$TRASH/leak.trash")
case $lt in "${TMPDIR:-/tmp}"/piraeus-leak.*) rm -rf "$lt" ;; esac

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

# check-config: the keys, and the refused forms with the file's name
# (rediss:// is t0610-redis-tls.t's).
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
# A password never shown: redis://PASSWORD@host (no ":") is a password
# too, masked in check-config -v's dump and absent from every message.
for spec in "redis://pw0Secret@127.0.0.1:$REDIS_PORT/2" \
    "sentinel://pw0Secret@127.0.0.1:$SENTINEL_PORT/mymaster"; do
	ini "backend = redis
redis = $spec
[upstream]
goproxy = http://127.0.0.1:$(free_port)"
	PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config -v \
	    >"$TRASH/out" 2>&1
	like "$(cat "$TRASH/out")" 'redis = [a-z]+://xxxxx@127' \
	    "check-config -v masks the user info of ${spec%%:*}://"
	unlike "$(cat "$TRASH/out")" 'pw0Secret' \
	    "the password is not in check-config -v's output (${spec%%:*}://)"
	: >"$TRASH/stderr"
	cgi GET "/example.com/pw/@v/v1.0.0.mod" PIRAEUS_CONFIG="$TRASH/p.ini"
	like "$(cat "$TRASH/stderr")" 'AUTH' "a responder sent it to redis"
	unlike "$(cat "$TRASH/stderr" "$TRASH/body")" 'pw0Secret' \
	    "nor in a responder's log lines or answer (${spec%%:*}://)"
done
# An ACL user without the prefix's channels (Redis 7's resetchannels):
# the release's PUBLISH would be NOPERM at every release; check-config
# says so now.
redis_cli ACL SETUSER pir on '>pw1' '~piraeus:*' resetchannels '+@all' \
    >/dev/null
ini "backend = redis
redis = redis://pir:pw1@127.0.0.1:$REDIS_PORT"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
isnt "$?" 0 "check-config: an ACL without the prefix's channels is an error"
like "$(cat "$TRASH/out")" '~piraeus:\* &piraeus:\* .*release: .*publish' \
    "naming the release, its PUBLISH and what the ACL user needs"
redis_cli ACL SETUSER pir '&piraeus:*' >/dev/null
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
is "$?" 0 "with &piraeus:* it passes"
is "$(redis_cli EXISTS piraeus:lock:check-config)" 0 \
    "and leaves no key behind"
redis_cli ACL DELUSER pir >/dev/null
ini "backend = redis"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
isnt "$?" 0 "backend = redis without redis: refused"
like "$(cat "$TRASH/out")" '\[singleflight\] (backend|redis).*needs \[singleflight\] redis' \
    "saying what is missing"
ini "backend = redis
redis = redis://127.0.0.1:$REDIS_PORT/x"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
isnt "$?" 0 "a redis value that does not parse is refused"
like "$(cat "$TRASH/out")" 'p\.ini: \[singleflight\] redis: a database is a number' \
    "saying why, with file, section and key"
unlike "$(cat "$TRASH/out")" 'needs \[singleflight\] redis' \
    "and not also that redis is missing"
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
# The writer lock is owner-checked right before the commit: the append
# waits for the shared log (another writer holds its sqlite lock 2 s) and
# meanwhile its lease is lost (ran out and another host took it, done
# here at once): nothing is appended.
for v in 2; do
	mkver "$UP" $M v1.0.$v v1.0.$v 2020-01-01T00:00:0${v}Z "module $M
" $M go.mod="module $M" p.go="package p // $v" || bail_out "mkver"
done
"$PIRAEUS" import "$UP" >"$TRASH/import.log" 2>&1 ||
    { diag_file "$TRASH/import.log"; bail_out "import"; }
printf 'BEGIN IMMEDIATE;\n.shell sleep 2\nCOMMIT;\n' |
    sqlite3 "$L/sumdb-log.sqlite" >/dev/null 2>&1 &
hold=$!
sleep 0.3
: >"$TRASH/stderr"
cgi GET "/sumdb/private.test/lookup/$M@v1.0.2" &
look=$!
i=0
while [ -z "$(redis_cli GET piraeus:lock:sumdb-log)" ] && [ $i -lt 150 ]; do
	sleep 0.01
	i=$((i + 1))
done
redis_cli SET piraeus:lock:sumdb-log "1@otherhost:00" PX 60000 XX >/dev/null
wait "$look"
wait "$hold"
is "$(records)" 2 "a lease lost during the append: no record appended"
like "$(cat "$TRASH/stderr")" 'lock sumdb-log: lost' "the responder says why"
is "$(redis_cli GET piraeus:lock:sumdb-log)" "1@otherhost:00" \
    "the other host's lease is left alone"
redis_cli DEL piraeus:lock:sumdb-log >/dev/null
# Strict: redis unreachable and on_redis_down = local, the append does
# not fall back to this host's sqlite lock (it orders this host only).
sed -e "s/^redis = .*/redis = 127.0.0.1:$(free_port)/" \
    -e 's/^backend = redis/backend = redis\
on_redis_down = local/' "$TRASH/p.ini" >"$TRASH/down.ini"
cgi GET "/sumdb/private.test/lookup/$M@v1.0.2" PIRAEUS_CONFIG="$TRASH/down.ini"
is "$(records)" 2 "redis down, on_redis_down = local: still no record appended"
isnt "$STATUS" 200 "and the lookup is not answered ($STATUS)"
cgi GET "/sumdb/private.test/lookup/$M@v1.0.2"
is "$STATUS" 200 "redis back: the lookup is answered"
is "$(records)" 3 "and its record appended"
# A switch of master under a kept connection (last: it demotes the redis
# above).  A second server replicates it, the sentinel watches it as
# "fo" too; the unit test makes the second the master, the first its
# replica (which then answers READONLY to every write) and points the
# sentinel at the second.
A=$REDIS_ADDR
A_PORT=$REDIS_PORT
redis_start b "replicaof 127.0.0.1 $A_PORT"
redis-cli -h 127.0.0.1 -p "$SENTINEL_PORT" SENTINEL MONITOR fo 127.0.0.1 \
    "$A_PORT" 1 >/dev/null
if PIRAEUS_TEST_FAILOVER=127.0.0.1:$SENTINEL_PORT PIRAEUS_TEST_FAILOVER_A=$A \
    PIRAEUS_TEST_FAILOVER_B=$REDIS_ADDR "$B/tests/unit/test_lock_redis" \
    >"$TRASH/failover.out" 2>&1; then
	pass "test_lock_redis's failover part (a master demoted under a kept connection)"
else
	fail "test_lock_redis's failover part (a master demoted under a kept connection)"
	diag_file "$TRASH/failover.out"
fi
like "$(cat "$TRASH/failover.out")" 'ok [0-9]+ - failover: the next lease is taken' \
    "the failover part ran"
unlike "$(cat "$TRASH/stderr")" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report"
redis_stop
done_testing

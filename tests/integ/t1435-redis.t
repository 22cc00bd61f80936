#!/bin/sh
# t1435-redis.t: singleflight across "hosts" over a real redis-server
# ([singleflight] backend = redis).  Three lighttpd + piraeus instances
# (contrib/serve, two responders each) share one storage tree but each has
# its own state directory, so its own index and sqlite lock table: only
# redis can make them fetch a version once.  H1 and H2 say on_redis_down =
# fail, H3 local.  The upstream is the fake proxy, made slow per file.
#
# 1. 32 concurrent clients spread over the three hosts ask for one cold
#    version whose zip takes 13 s, longer than lock_expiry (10 s): one
#    upstream fetch, the lease renewed past its first 10 s, 32 answers
#    with the upstream's bytes.  Then a responder's connection to redis
#    outlives a request.
# 2. A waiter is woken by pub/sub: strace of the waiting host's
#    responders shows no sleep while it waits.
# 3. The owner is killed (SIGKILL) mid-fetch: its lease runs out and a
#    request on another host fetches and answers.
# 4. Redis killed mid-fetch and restarted (empty): a cold version on a
#    fail host is a clear 503 meanwhile, on the local host it is served;
#    the owner's heartbeat takes its lease again, so a waiter on another
#    host waits for it: one upstream fetch, the upstream's bytes.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/redis.sh"
need curl lighttpd zip go redis-server redis-cli

UP=$TRASH/up
M=example.com/many
for v in 0 1 2 3 4; do
	mkver "$UP" $M v1.$v.0 v1.$v.0 2020-01-0$((v + 1))T00:00:00Z "module $M
" $M go.mod="module $M" s.go="package s // $v" || bail_out "mkver"
done
for c in 0 1 2 3 4 5; do
	mkver "$UP" example.com/c$c v1.0.0 v1.0.0 2020-01-01T00:00:00Z \
	    "module example.com/c$c
" example.com/c$c go.mod="module example.com/c$c" c.go='package c' ||
	    bail_out "mkver"
done
upstream_start "$UP" || bail_out "cannot start the fake upstream"
redis_start

S=$TRASH/storage
mkdir -p "$S"
# host N DOWN: start host N (state $TRASH/stateN, on_redis_down DOWN);
# sets URLN and PIDN.
host()
{
	mkdir -p "$TRASH/state$1"
	cat >"$TRASH/p$1.ini" <<INI
[storage]
root = $S
[state]
dir = $TRASH/state$1
[upstream]
goproxy = $UPSTREAM_URL
lock_expiry = 10
retries = 0
timeout = 120
low_speed_time = 120
wait_timeout = 60
[sumdb]
verify = no
[singleflight]
backend = redis
redis = $REDIS_ADDR
on_redis_down = $2
INI
	serve_lighttpd "$TRASH/serve$1.log" "$S" "$TRASH/state$1" \
	    "$TRASH/p$1.ini"
	eval "URL$1=\$URL PID$1=\$SERVE_PID"
}
host 1 fail
host 2 fail
host 3 local
logs()
{
	cat "$TRASH"/state*/run/*.log 2>/dev/null
}
# get URL PATH OUT: curl in the background; "CODE SECONDS" goes to OUT.code
get()
{
	curl -q -s -o "$3" -w '%{http_code} %{time_total}\n' "$1$2" \
	    >"$3.code" 2>/dev/null
}
# lease_holder VERSION: the value of its redis key ("" when none).
lease()
{
	redis_cli GET "piraeus:lock:v:$M@$1" 2>/dev/null
}
# wait_lease VERSION: until it has a holder (20 s).
wait_lease()
{
	_wl=0
	while [ -z "$(lease "$1")" ] && [ $_wl -lt 200 ]; do
		sleep 0.1
		_wl=$((_wl + 1))
	done
	[ -n "$(lease "$1")" ]
}

# 1. 32 clients, one cold version slower than the lease.
upstream_fault "/$M/@v/v1.0.0.zip" delay ms=13000
i=0
pids=
while [ $i -lt 32 ]; do
	case $((i % 3)) in
	0) u=$URL1 ;; 1) u=$URL2 ;; *) u=$URL3 ;;
	esac
	get "$u" "/$M/@v/v1.0.0.zip" "$TRASH/c$i" &
	pids="$pids $!"
	i=$((i + 1))
done
ok "a lease is taken in redis" wait_lease v1.0.0
like "$(lease v1.0.0)" '^[0-9]+@[^:]+:[0-9a-f]{32}$' \
    "its value is the owner's token, PID@HOST:32 hex digits"
sleep 11.5
pttl=$(redis_cli PTTL "piraeus:lock:v:$M@v1.0.0")
ok "11.5 s later (lock_expiry 10 s) the lease is still there: renewed (PTTL $pttl)" \
    test "$pttl" -gt 0
for p in $pids; do wait "$p"; done
i=0
bad=0
while [ $i -lt 32 ]; do
	read -r code _ <"$TRASH/c$i.code"
	if [ "$code" != 200 ] || ! cmp -s "$TRASH/c$i" "$UP/$M/@v/v1.0.0.zip"
	then
		bad=$((bad + 1))
		diag "client $i: $code"
	fi
	i=$((i + 1))
done
is "$bad" 0 "32 clients on three hosts: each got 200 and the upstream's bytes"
is "$(upstream_count "/$M/@v/v1.0.0.zip")" 1 \
    "exactly one upstream fetch of the zip, across three indexes"
is "$(lease v1.0.0)" "" "the lease was released"
unlike "$(logs)" 'taking over|lost to another' "no take-over, no lease lost"

# 1b. A responder keeps its redis connection between requests: six cold
# versions asked of H1 one after another take six leases, but redis
# accepts at most a connection per responder that had none yet (two),
# plus redis-cli's own.
conns()
{
	redis_cli INFO stats | sed -n 's/^total_connections_received:\([0-9]*\).*/\1/p'
}
c0=$(conns)
for c in 0 1 2 3 4 5; do
	curl -q -s -o /dev/null "$URL1/example.com/c$c/@v/v1.0.0.info"
done
c1=$(conns)
is "$(upstream_count "/example.com/c5/@v/v1.0.0.info")" 1 "the sixth was fetched"
ok "six leases, $((c1 - c0 - 1)) new connection(s) to redis (at most 2)" \
    test $((c1 - c0 - 1)) -le 2

# 2. Pub/sub: H1 fetches (3 s); a client of H2 waits for it.  strace on
# H2's responders: a waiter that polled would sleep (lock_backoff's
# nanosleep, 1 ms doubling to 250 ms: a dozen in 3 s); one woken by the
# release's message sleeps in poll(2) on the redis socket only.
r2=$(procs_of "$TRASH/state2" | awk '$2 ~ /piraeus/ { print $1 }' | xargs)
if command -v strace >/dev/null 2>&1 && [ -n "$r2" ]; then
	set --
	for p in $r2; do set -- "$@" -p "$p"; done
	strace -f -qq -e trace=nanosleep,clock_nanosleep,poll \
	    -o "$TRASH/strace" "$@" 2>"$TRASH/strace.err" &
	ST=$!
	at_exit "kill $ST"
	sleep 1
	upstream_fault "/$M/@v/v1.4.0.zip" delay ms=3000
	get "$URL1" "/$M/@v/v1.4.0.zip" "$TRASH/o4" &
	a=$!
	wait_lease v1.4.0 || diag "no lease for v1.4.0"
	get "$URL2" "/$M/@v/v1.4.0.zip" "$TRASH/w4" &
	b=$!
	wait "$a"
	wait "$b"
	sleep 0.5
	kill "$ST" 2>/dev/null
	wait "$ST" 2>/dev/null
	read -r code wt <"$TRASH/w4.code"
	is "$code" 200 "the waiter on H2 got the version H1 fetched"
	ok "with the upstream's bytes" cmp -s "$TRASH/w4" "$UP/$M/@v/v1.4.0.zip"
	is "$(upstream_count "/$M/@v/v1.4.0.zip")" 1 "fetched once"
	# Woken by the release's message, not by the end of its wait's
	# slice (LOCK_WAIT_SLICE_MS, 5 s) nor by the lease's (10 s): done
	# about when the owner's 3 s fetch is.
	ok "the waiter answered ${wt} s after asking (owner's fetch 3 s; < 4.5 s)" \
	    awk -v t="$wt" 'BEGIN { exit !(t > 2 && t < 4.5) }'
	polls=$(grep -c 'poll(' "$TRASH/strace")
	sleeps=$(grep -c 'nanosleep(' "$TRASH/strace")
	ok "strace saw the waiter wait in poll(2) ($polls calls)" \
	    test "$polls" -gt 0
	is "$sleeps" 0 "and never sleep: no polling loop (nanosleep calls)"
	[ "$sleeps" = 0 ] || diag_file "$TRASH/strace"
else
	skip "strace or H2's responders not found" 5
fi

# 3. The owner killed mid-fetch.
upstream_fault "/$M/@v/v1.1.0.zip" delay ms=60000
get "$URL1" "/$M/@v/v1.1.0.zip" "$TRASH/k1" &
a=$!
ok "H1 takes the lease of v1.1.0" wait_lease v1.1.0
owner=$(lease v1.1.0)
owner=${owner%%@*}
is_responder()
{
	ps -o args= -p "$1" | grep -q piraeus
}
ok "the owner's pid ($owner) is a responder" is_responder "$owner"
kill -KILL "$owner"
wait "$a"
upstream_fault "/$M/@v/v1.1.0.zip" none
t0=$(date +%s)
get "$URL2" "/$M/@v/v1.1.0.zip" "$TRASH/k2"
t1=$(date +%s)
read -r code _ <"$TRASH/k2.code"
is "$code" 200 "a client of H2 gets v1.1.0 after its owner died"
ok "with the upstream's bytes" cmp -s "$TRASH/k2" "$UP/$M/@v/v1.1.0.zip"
ok "once the dead owner's lease ran out (waited $((t1 - t0)) s of at most 10)" \
    test $((t1 - t0)) -ge 3 -a $((t1 - t0)) -le 14
is "$(upstream_count "/$M/@v/v1.1.0.zip")" 2 \
    "two upstream requests: the killed one and the one that completed"

# 4. Redis killed mid-fetch, restarted empty.  (The owner killed in 3.
# left its temporary files: swept after 2 * lock_expiry, not ours.)
ls "$S/.tmp" >"$TRASH/tmp.before" 2>/dev/null
upstream_fault "/$M/@v/v1.2.0.zip" delay ms=12000
get "$URL1" "/$M/@v/v1.2.0.zip" "$TRASH/r1" &
a=$!
ok "H1 takes the lease of v1.2.0" wait_lease v1.2.0
redis_kill
get "$URL2" "/$M/@v/v1.3.0.zip" "$TRASH/d2"
read -r code _ <"$TRASH/d2.code"
is "$code" 503 "redis down, on_redis_down = fail: a cold version is 503"
like "$(cat "$TRASH/d2")" 'redis' "whose body names redis"
get "$URL3" "/$M/@v/v1.3.0.zip" "$TRASH/d3"
read -r code _ <"$TRASH/d3.code"
is "$code" 200 "on_redis_down = local: served with this host's singleflight"
ok "with the upstream's bytes" cmp -s "$TRASH/d3" "$UP/$M/@v/v1.3.0.zip"
like "$(logs)" 'on_redis_down = local' "H3 logged that it went local"
redis_restart
# The heartbeat renews every third of lock_expiry (3 s): it finds the key
# gone and sets it again.
wait_lease v1.2.0
like "$(lease v1.2.0)" '^[0-9]+@' \
    "the restarted redis has the lease again: the owner's heartbeat took it"
get "$URL2" "/$M/@v/v1.2.0.zip" "$TRASH/r2"
wait "$a"
read -r code _ <"$TRASH/r1.code"
is "$code" 200 "the owner's client got v1.2.0"
read -r code _ <"$TRASH/r2.code"
is "$code" 200 "a client of H2 waited for it and got it"
ok "with the upstream's bytes" cmp -s "$TRASH/r2" "$UP/$M/@v/v1.2.0.zip"
is "$(upstream_count "/$M/@v/v1.2.0.zip")" 1 \
    "one upstream fetch across the restart: no duplicate"
ok "the stored zip is the upstream's" \
    cmp -s "$S/$M/@v/v1.2.0.zip" "$UP/$M/@v/v1.2.0.zip"
ls "$S/.tmp" >"$TRASH/tmp.after" 2>/dev/null
ok "no temporary file left behind" cmp -s "$TRASH/tmp.before" "$TRASH/tmp.after"
like "$(logs)" 'taken again' "the owner logged that it took its lease again"
get "$URL1" "/$M/@v/v1.3.0.zip" "$TRASH/h1"
read -r code _ <"$TRASH/h1.code"
is "$code" 200 "service resumes on H1"

# 5. A list is cached in each host's own index: its refresh takes this
# host's lock (lock_try_local), not a redis lease that a client of
# another host would wait for, to find its own cache empty after it and
# fetch again (3 s, then 3 s more).
upstream_fault "/$M/@v/list" delay ms=3000
get "$URL1" "/$M/@v/list" "$TRASH/l1" &
a=$!
sleep 0.5
get "$URL2" "/$M/@v/list" "$TRASH/l2"
wait "$a"
read -r code lt <"$TRASH/l2.code"
is "$code" 200 "a list asked of H2 while H1 refreshes it: 200"
ok "in about the upstream's 3 s (${lt} s < 4.5 s), not after H1's refresh" \
    awk -v t="$lt" 'BEGIN { exit !(t > 2 && t < 4.5) }'
upstream_fault "/$M/@v/list" none

# 6. A failure is shared across hosts: a version whose files the
# upstream answers slowly (2 s) with 404, and one with 500, its .mod
# asked by 2 clients of each host at once (a host has two responders:
# every client is a request in flight): one upstream request each; the
# owner leaves the outcome in redis for the waiters of the other hosts.
# (A request that comes after a failure other than "not found" tries
# again, on one host as on several.)
for f in info mod zip; do
	upstream_fault "/$M/@v/v1.9.0.$f" slowstatus ms=2000 code=404
	upstream_fault "/$M/@v/v1.9.1.$f" slowstatus ms=2000 code=500
done
# fetched VERSION: upstream requests for its files
fetched()
{
	echo $(( $(upstream_count "/$M/@v/$1.info") + \
	    $(upstream_count "/$M/@v/$1.mod") + \
	    $(upstream_count "/$M/@v/$1.zip") ))
}
for v in v1.9.0 v1.9.1; do
	pids=
	n=0
	for h in 1 2 3 1 2 3; do
		eval "u=\$URL$h"
		n=$((n + 1))
		get "$u" "/$M/@v/$v.mod" "$TRASH/f$v.$n" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p"; done
	codes=$(cat "$TRASH"/f$v.*.code | awk '{ print $1 }' | sort | uniq -c |
	    awk '{ printf "%s x %s; ", $1, $2 }')
	diag "$v: $codes"
	is "$(fetched $v)" 1 \
	    "$v, failing slowly upstream, asked on 3 hosts x 2: one upstream request"
done
nf=$(cat "$TRASH"/fv1.9.0.*.code | awk '$1 != 404' | wc -l)
is "$nf" 0 "every client of the 404 got 404"
nf=$(cat "$TRASH"/fv1.9.1.*.code | awk '$1 < 500' | wc -l)
is "$nf" 0 "every client of the 500 got a 5xx"

unlike "$(logs)" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"
stop_bg "$PID1"
stop_bg "$PID2"
stop_bg "$PID3"
done_testing

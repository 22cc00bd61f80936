#!/bin/sh
# t2030-hosts-redis.t: three hosts, one storage, one redis (README
# "Several hosts").
#
# As t2020-hosts (each host its own lighttpd and responders on 127.0.0.1,
# .2, .3, its own index; one storage root, one private log), with
# [singleflight] backend = redis on one real redis-server, so that the
# hosts fetch each artifact once between them:
#   - the real go command (each of GOS) builds the app through each host:
#     the reference go.sum everywhere, every .info, .mod and .zip fetched
#     from upstream exactly once in all;
#   - 3 x 32 concurrent clients on the same cold zips: one upstream fetch
#     per artifact, every client the upstream's bytes;
#   - a host killed in the middle of a fetch: another host waits for the
#     lease to expire (lock_expiry), fetches and answers; nothing partial;
#   - redis killed and restarted in the middle of a storm: every answer is
#     the upstream's bytes or a clear 503 (on_redis_down = fail), no
#     artifact is fetched or published twice, nothing stored is corrupt,
#     and once redis is back every host serves every version.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/redis.sh"
. "$top_srcdir/tests/lib/hosts.sh"
need go git curl lighttpd perl cmp unzip redis-server redis-cli
hosts_loopback

upstream_fixtures
redis_start
pass "fake upstream on $UPSTREAM_URL, redis on $REDIS_ADDR"

S=$TRASH/shared/storage
SL=$TRASH/shared/sumdb
mkdir -p "$S" "$SL"
"$PIRAEUS" sumdb-keygen hosts.test "$TRASH/priv.key" >"$TRASH/priv.vkey" ||
    bail_out "sumdb-keygen"
VKEY=$(cat "$TRASH/priv.vkey")

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
nosum = github.com/fixture
private_key = $TRASH/priv.key
log_dir = $SL
[singleflight]
backend = redis
redis = $REDIS_ADDR
on_redis_down = fail
INI
}
hosts_start 3 "$S" host_ini

# fetched PATH: how many times the upstream was asked for PATH.
fetched()
{
	upstream_count "/$1"
}

# --- the go command through each host ----------------------------------------
builds()
{
	fixture_build_app "$FX" "ref.$GOTAG" "file://$REF"
	ok $? "reference build from file:// [$GOTAG]" ||
	    diag_file "$TRASH/build.ref.$GOTAG.log"
	for i in 1 2 3; do
		fixture_build_app "$FX" "h$i.$GOTAG" "$(host_url "$i")" \
		    "GOSUMDB=$VKEY $(host_url "$i")/sumdb/hosts.test"
		ok $? "go build through host $i [$GOTAG]" ||
		    diag_file "$TRASH/build.h$i.$GOTAG.log"
		is_file "$TRASH/app.h$i.$GOTAG/go.sum" \
		    "$TRASH/app.ref.$GOTAG/go.sum" \
		    "go.sum through host $i equals the reference [$GOTAG]"
	done
}
upstream_reset
for_each_go builds
is "$(upstream_counts | awk '$2 ~ /\.(info|mod|zip)$/ && $1 != 1')" "" \
    "every .info, .mod and .zip was fetched once by the three hosts"
heads=$(for i in 1 2 3; do curl -s "$(host_url "$i")/sumdb/hosts.test/latest" |
    sha256sum; done | sort -u | wc -l)
is "$heads" 1 "the three hosts serve one tree head"

# --- 3 x 32 concurrent clients on the same cold zips -------------------------
hosts_cold_storm 1500
for f in $HOSTS_ZIPS; do
	is "$(fetched "$f")" 1 "$f: one upstream fetch for 96 clients on 3 hosts"
	is "$(fetched "${f%.zip}.mod")" 1 "and one of its .mod"
	is_file "$S/$f" "$REF/$f" "the stored $f is the upstream's"
done

# --- a host killed in the middle of a fetch ----------------------------------
KV=github.com/fixture/notags/@v/$(cat "$FX/pseudo.notags.old").zip
upstream_reset
# Only the first request is slow: the killed host's.
upstream_fault "/$KV" delay ms=30000 n=1 >/dev/null
curl -s -o /dev/null --max-time 40 "$(host_url 1)/$KV" &
cpid=$!
sleep 2	# host 1 is in the fetch (the upstream holds its answer 30 s)
is "$(fetched "$KV")" 1 "host 1 asked the upstream"
T0=$(date +%s)
host_kill 1
wait "$cpid"
is "$(procs_of "$(host_state 1)" | grep -E ' (lighttpd|piraeus\.fcgi)$')" "" \
    "host 1 is killed: its lighttpd and responders"
code=$(curl -s -o "$TRASH/kv" -w '%{http_code}' --max-time 60 \
    "$(host_url 2)/$KV")
T1=$(date +%s)
is "$code" 200 "host 2 serves the version host 1 was fetching"
is_file "$TRASH/kv" "$REF/$KV" "with the upstream's bytes"
[ $((T1 - T0)) -ge 5 ]
ok $? "after host 1's lease ran out ($((T1 - T0)) s; lock_expiry 10 s)"
is "$(fetched "$KV")" 2 "fetched again once: by host 2 alone"
i=0
while [ ! -f "$S/$KV" ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
is_file "$S/$KV" "$REF/$KV" "the stored zip is whole"
host_up 1

# --- redis killed and restarted in the middle of a storm --------------------
# (Versions the app does not need: cold still.)
MUL=github.com/fixture/multi/@v/v1.0.0.zip
UP0=github.com/fixture/multi/@v/v1.3.0-rc.1.zip
NT=github.com/fixture/incompat/@v/v2.1.0+incompatible.zip
ALL0=github.com/fixture/allretract/@v/v1.0.0.zip
upstream_reset
upstream_fault '*.zip' delay ms=3000 >/dev/null
# The restarted redis's pid is handed back (this shell stops it at exit;
# hosts.sh's reaper stops it too if the test dies before).
(
	sleep 1
	redis_kill
	sleep 2
	redis_restart
	echo "$REDIS_PID" >"$TRASH/redis.pid"
) >"$TRASH/redis-bounce.log" 2>&1 &
bpid=$!
hosts_storm 16 "$REF" "$MUL" "$UP0" "$NT" "$ALL0"
wait "$bpid"
REDIS_PID=$(cat "$TRASH/redis.pid") || bail_out "redis was not restarted"
at_exit stop_bg "$REDIS_PID"
upstream_fault '*.zip' none >/dev/null
diag "answers while redis was bounced: $(echo "$HOSTS_CODES" | tr '\n' ' ')"
is "$(echo "$HOSTS_CODES" | awk '$2 != 200 && $2 != 503')" "" \
    "every answer was 200 or 503 (redis down, on_redis_down = fail)"
is "$HOSTS_BAD" 0 "every 200 was the upstream's bytes"
for f in "$MUL" "$UP0" "$NT" "$ALL0"; do
	n=$(fetched "$f")
	[ "$n" -le 1 ]
	ok $? "$f: not fetched twice ($n)"
done
# Service resumes: every host serves every version (fetched now when the
# storm's requests were all refused) -- once past a responder's reconnect
# backoff (a dead connection is made again at most once a second: a
# request within that second is still 503).
sleep 1.1
for f in "$MUL" "$UP0" "$NT" "$ALL0"; do
	for i in 1 2 3; do
		code=$(curl -s -o "$TRASH/after" -w '%{http_code}' --max-time 60 \
		    "$(host_url "$i")/$f")
		[ "$code" = 200 ] && cmp -s "$TRASH/after" "$REF/$f"
		ok $? "redis back: host $i serves $f ($code)"
	done
	is "$(fetched "$f")" 1 "$f: fetched once in all"
	is_file "$S/$f" "$REF/$f" "the stored $f is whole"
done
is "$(find "$S" -path "$S/.tmp" -prune -o -name '*.zip' -print |
    while read -r z; do unzip -tqq "$z" >/dev/null 2>&1 || echo "$z"; done)" \
    "" "every stored zip is sound"

hosts_sanitizer_clean
redis_stop
# (Debian's redis-server is a link to redis-check-rdb: the exe's name.)
is "$(procs_of "$TRASH" | grep -E ' redis-(server|check-rdb)$')" "" \
    "no redis-server of this test left running (the restarted one stopped)"
done_testing

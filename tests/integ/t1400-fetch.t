#!/bin/sh
# t1400-fetch.t: fetch on miss through a real lighttpd from a
# fault-injecting upstream (tests/upstream/fakeproxy.go) serving offline
# fixtures: the go command builds the app from empty storage with the
# reference go.sum; everything is stored (the build works with the
# upstream stopped); 64 concurrent clients cause one upstream request per
# artifact; each upstream fault gives a clear error, stores nothing, and
# heals; transient failures (5xx, 429, timeouts) are retried, others not;
# a stalled body hits the low-speed limit; an oversized go.mod is refused
# while reading; http_proxy and NO_PROXY reach the fetches; offline mode
# and Disable-Module-Fetch never touch the network.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need go git curl lighttpd sha256sum sqlite3

upstream_fixtures
pass "fake upstream on $UPSTREAM_URL"

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
network_mode = fallback
retries = 1
timeout = 5
low_speed_time = 2
wait_timeout = 20
[sumdb]
verify = no
INI
PORT=$(free_port) || bail_out "no free port"
start_bg "$TRASH/serve.log" "$top_srcdir/contrib/serve" --server lighttpd \
    --port "$PORT" --storage "$S" --state "$T" --fcgi "$PIRAEUS_FCGI" \
    --config "$TRASH/p.ini" --procs 4
SERVE_PID=$BG_PID
wait_line "$TRASH/serve.log" "serving on http://127\.0\.0\.1:$PORT/" 60 \
    "$SERVE_PID" || { diag_file "$TRASH/serve.log"; bail_out "serve"; }
URL=http://127.0.0.1:$PORT

# code METHOD URL [curl args]: status; the body in $TRASH/b.
code()
{
	_m=$1 _u=$2
	shift 2
	curl -s -X "$_m" -o "$TRASH/b" -w '%{http_code}' "$@" "$_u"
}
stored()
{
	test -e "$S/$1/@v/$2"
}

# stored_soon MODULE FILE: stored within 10 s.  A small file is answered
# from the checked temporary copy and published right after the answer
# is out (the version's lock held until then), so the tree may lag the
# client by the time of the publish.
stored_soon()
{
	_ss=0
	while [ "$_ss" -lt 100 ]; do
		stored "$1" "$2" && return 0
		sleep 0.1
		_ss=$((_ss + 1))
	done
	return 1
}

# --- each go command builds the app: the first from empty storage ---
# build_app NAME PROXY: "$GO" builds the app as $TRASH/app.NAME.$GOTAG.
build_app()
{
	fixture_build_app "$FX" "$1.$GOTAG" "$2"
	_st=$?
	[ "$_st" -eq 0 ] || diag_file "$TRASH/build.$1.$GOTAG.log"
	return "$_st"
}
# cold_build: the reference build and the build through the proxy (from
# empty storage for the first go command, the others find it stored).
cold_build()
{
	build_app ref "file://$REF"
	ok $? "reference build from file:// [$GOTAG]"
	build_app cold "$URL"
	ok $? "go build through the proxy, $WHAT [$GOTAG]"
	is_file "$TRASH/app.cold.$GOTAG/go.sum" "$TRASH/app.ref.$GOTAG/go.sum" \
	    "go.sum equals the reference [$GOTAG]"
	WHAT="storage filled by the go commands before"
}
# warm_build: the same build through the proxy with the upstream stopped.
warm_build()
{
	build_app warm "$URL"
	ok $? "the same build with the upstream stopped (everything was stored) [$GOTAG]"
	is_file "$TRASH/app.warm.$GOTAG/go.sum" "$TRASH/app.ref.$GOTAG/go.sum" \
	    "and the same go.sum [$GOTAG]"
}
WHAT="empty storage"
for_each_go cold_build
is "$(find "$S/.tmp" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 "no temporary file left"

upstream_stop
for_each_go warm_build
is "$(code GET "$URL/github.com/fixture/multi/@v/list")" 200 \
    "list with the upstream down (fallback: storage)"

# Back on the same port: the proxy's configuration names it.
upstream_start "$REF" -addr "${UPSTREAM_URL#http://}" || bail_out "restart"
upstream_reset

# --- singleflight: 64 clients, one upstream request per artifact ---
M=github.com/fixture/multi
V=v1.2.0
if stored "$M" "$V.zip"; then
	V=v1.3.0-rc.1
fi
i=0
pids=
while [ $i -lt 64 ]; do
	curl -s -o "$TRASH/sf.$i" -w '%{http_code}\n' "$URL/$M/@v/$V.zip" \
	    >>"$TRASH/sf.codes" &
	pids="$pids $!"
	i=$((i + 1))
done
# Not a bare wait: the upstream is a child of this shell too.
for p in $pids; do wait "$p"; done
is "$(sort -u "$TRASH/sf.codes")" 200 "64 concurrent clients all get 200"
is "$(sha256sum "$TRASH"/sf.* | grep -v codes | awk '{print $1}' | sort -u | wc -l | tr -d ' ')" 1 \
    "all 64 got identical bytes"
ok "and they are the upstream's bytes" cmp -s "$TRASH/sf.0" "$REF/$M/@v/$V.zip"
is "$(upstream_count "/$M/@v/$V.zip")" 1 "exactly one upstream request for the zip"
is "$(upstream_count "/$M/@v/$V.mod")" 1 "one for the .mod"
is "$(upstream_count "/$M/@v/$V.info")" 1 "one for the .info"

# --- list and @latest answers are cached (positive and negative) ---
upstream_reset
code GET "$URL/github.com/fixture/major/@v/list" >/dev/null
code GET "$URL/github.com/fixture/major/@v/list" >/dev/null
is "$(upstream_count /github.com/fixture/major/@v/list)" 1 "two lists, one upstream request"
code GET "$URL/github.com/fixture/major/@latest" >/dev/null
is "$(code GET "$URL/github.com/fixture/major/@latest")" 200 "@latest (storage answers upstream's 404)"
is "$(upstream_count /github.com/fixture/major/@latest)" 1 "two @latest, one upstream request"

# Concurrent identical refreshes coalesce: 32 lists, one upstream request
# (the upstream is slowed so they all arrive while the first is asked).
upstream_reset
upstream_fault /github.com/fixture/mono/sub/@v/list delay ms=500
pids=
i=0
while [ $i -lt 32 ]; do
	curl -s -o /dev/null -w '%{http_code}\n' \
	    "$URL/github.com/fixture/mono/sub/@v/list" >>"$TRASH/lc.codes" &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
is "$(sort -u "$TRASH/lc.codes")" 200 "32 concurrent lists all get 200"
is "$(upstream_count /github.com/fixture/mono/sub/@v/list)" 1 \
    "32 concurrent lists, one upstream request"

# An upstream that fails is not asked again at once: one failing list
# refresh (with its retry), then the stale answer without new requests.
upstream_reset
upstream_fault /github.com/fixture/major/@v/list status500
sqlite3 "$T/index.sqlite" "UPDATE upstream_cache SET fetched = 0 \
    WHERE key = 'list:github.com/fixture/major'"
is "$(code GET "$URL/github.com/fixture/major/@v/list")" 200 "failing upstream: the stale list (fallback)"
n=$(upstream_count /github.com/fixture/major/@v/list)
is "$(code GET "$URL/github.com/fixture/major/@v/list")" 200 "again"
is "$(upstream_count /github.com/fixture/major/@v/list)" "$n" \
    "the failing upstream is not asked again within notfound_ttl"

# --- upstream faults: status, nothing stored, healing ---
# fault_case KIND EXPECTED-STATUS [extra]: on a version not yet stored.
F=github.com/fixture/retract
for ver in v1.0.0 v1.1.0; do rm -f "$S/$F/@v/$ver".*; done
fault_case()
{
	_kind=$1 _want=$2 _ver=$3
	shift 3
	upstream_reset
	upstream_fault "/$F/@v/$_ver.zip" "$_kind" "$@"
	is "$(code GET "$URL/$F/@v/$_ver.zip")" "$_want" "fault $_kind: $_want"
	like "$(head -n 1 "$TRASH/b")" '.' "fault $_kind: a text body ($(head -n 1 "$TRASH/b" | cut -c1-60))"
	nok "fault $_kind: nothing stored" stored "$F" "$_ver.info"
	nok "fault $_kind: no zip stored" stored "$F" "$_ver.zip"
	is "$(find "$S/.tmp" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 \
	    "fault $_kind: no temporary file left"
}
fault_case status500 502 v1.0.0
fault_case reset 502 v1.0.0
fault_case truncate 502 v1.0.0
fault_case corrupt 502 v1.0.0
fault_case swapzip 502 v1.0.0 "with=/$F/@v/v1.1.0.zip"
fault_case delay 504 v1.0.0 ms=9000
upstream_reset
sleep 1
is "$(code GET "$URL/$F/@v/v1.0.0.zip")" 200 "healed upstream: 200"
ok "and the zip is the upstream's" cmp -s "$TRASH/b" "$REF/$F/@v/v1.0.0.zip"
ok "and it is stored" stored_soon "$F" "v1.0.0.info"

# A missing version: 404 through, remembered (one upstream request).
upstream_reset
is "$(code GET "$URL/$M/@v/v1.9.9.info")" 404 "missing upstream version: 404"
like "$(head -n 1 "$TRASH/b")" '^not found: ' "not-found body"
code GET "$URL/$M/@v/v1.9.9.info" >/dev/null
is "$(upstream_count "/$M/@v/v1.9.9.mod")" 1 "a repeated miss is not asked again"

# --- a holder killed with SIGKILL mid-fetch ---
need sqlite3
upstream_reset
upstream_fault "/$F/@v/v1.1.0.zip" delay ms=4000
curl -s -o /dev/null "$URL/$F/@v/v1.1.0.zip" &
CPID=$!
holder=
i=0
while [ -z "$holder" ] && [ $i -lt 100 ]; do
	holder=$(sqlite3 "$T/index.sqlite" "SELECT owner_pid FROM locks \
	    WHERE key = 'v:$F@v1.1.0'" 2>/dev/null)
	[ -n "$holder" ] || sleep 0.05
	i=$((i + 1))
done
isnt "$holder" "" "a responder holds the fetch lock"
kill -KILL "$holder" 2>/dev/null
ok $? "it is killed with SIGKILL mid-fetch"
wait "$CPID"
nok "nothing of the killed fetch is visible" stored "$F" "v1.1.0.info"
nok "no zip of the killed fetch is visible" stored "$F" "v1.1.0.zip"
upstream_reset
is "$(code GET "$URL/$F/@v/v1.1.0.zip")" 200 \
    "the next request takes the lock over and succeeds"
ok "with the upstream's bytes" cmp -s "$TRASH/b" "$REF/$F/@v/v1.1.0.zip"
like "$(cat "$T"/run/responder.log)" 'taking over from pid' "the take-over is logged"

# --- transport: retries, the low-speed limit, the size cap ---
# Versions nothing else here asks for (retries = 1: two tries at most).
# The holder killed above may have left temporary files: none may be added.
touch "$TRASH/tmp.mark"
newtmp()
{
	find "$S/.tmp" -type f -newer "$TRASH/tmp.mark" 2>/dev/null | wc -l |
	    tr -d ' '
}
# why: the end of the first line of the last body.
why()
{
	head -n 1 "$TRASH/b" | sed 's/^.*\(.\{50\}\)$/...\1/'
}
# A transient failure (5xx, 429) is retried once, and the retry succeeds.
U=github.com/!fixture/!upper
upstream_reset
upstream_fault "/$U/@v/v1.0.0.mod" status code=429 n=1
is "$(code GET "$URL/$U/@v/v1.0.0.mod")" 200 "retry: a 429 then 200 gives 200"
is "$(upstream_count "/$U/@v/v1.0.0.mod")" 2 "retry: the 429 was retried once"
is_file "$TRASH/b" "$REF/$U/@v/v1.0.0.mod" "retry: the upstream's go.mod"
upstream_fault "/$U/@v/v1.0.0.zip" status500 n=1
is "$(code GET "$URL/$U/@v/v1.0.0.zip")" 200 "retry: a 500 then 200 gives 200"
is "$(upstream_count "/$U/@v/v1.0.0.zip")" 2 "retry: the 500 was retried once"
is "$(upstream_count "/$U/@v/v1.0.0.info")" 1 "retry: the .info asked once"
is_file "$TRASH/b" "$REF/$U/@v/v1.0.0.zip" "retry: the upstream's zip"
ok "retry: the zip is stored" stored_soon "$U" "v1.0.0.zip"
# A retry after half a body: the first try's bytes are in neither the
# stored zip nor the SHA-256 the index got while the bytes streamed (the
# published zip is not read again); its h1 is go.sum's.
rm -f "$S/$U/@v/v1.0.1".*
upstream_fault "/$U/@v/v1.0.1.zip" truncate n=1
is "$(code GET "$URL/$U/@v/v1.0.1.zip")" 200 "retry: half a body then 200 gives 200"
is "$(upstream_count "/$U/@v/v1.0.1.zip")" 2 "retry: the truncated body was retried once"
is_file "$TRASH/b" "$REF/$U/@v/v1.0.1.zip" "retry: the whole zip"
is "$(sqlite3 "$T/index.sqlite" "SELECT zip_sha256 || ' ' || zip_size || \
    ' ' || zip_h1 FROM versions WHERE module = 'github.com/Fixture/Upper' \
    AND version = 'v1.0.1'")" \
    "$(sha256sum <"$REF/$U/@v/v1.0.1.zip" | cut -d ' ' -f 1) $(wc -c \
    <"$REF/$U/@v/v1.0.1.zip" | tr -d ' ') $(cat "$REF/$U/@v/v1.0.1.ziphash")" \
    "retry: the index has the zip's SHA-256, size and h1"
# A status that is not transient is not retried.
upstream_reset
upstream_fault "/$U/@v/v1.7.0.mod" status code=403
is "$(code GET "$URL/$U/@v/v1.7.0.mod")" 502 "upstream 403: 502"
is "$(upstream_count "/$U/@v/v1.7.0.mod")" 1 "upstream 403: not retried"

# Retries exhausted: 1 + retries tries, 502, nothing stored; then healed.
R=github.com/fixture/multi/@v/v1.0.0
upstream_reset
upstream_fault "/$R.zip" status500
is "$(code GET "$URL/$R.zip")" 502 "retries exhausted: 502"
like "$(head -n 1 "$TRASH/b")" ': 500( |$)' "retries exhausted: the body names the status ($(why))"
is "$(upstream_count "/$R.zip")" 2 "retries exhausted: 1 + retries requests"
nok "retries exhausted: no .info stored" stored github.com/fixture/multi v1.0.0.info
nok "retries exhausted: no zip stored" stored github.com/fixture/multi v1.0.0.zip
upstream_fault "/$R.zip" none
is "$(code GET "$URL/$R.zip")" 200 "retries exhausted: healed once the fault is gone"
is_file "$TRASH/b" "$REF/$R.zip" "retries exhausted: then the upstream's zip"

# A body that stops flowing hits the low-speed limit (low_speed_time = 2),
# long before the total timeout (5 s a try: >= 10 s for two tries).
I=github.com/fixture/incompat/@v/v2.1.0+incompatible
upstream_reset
upstream_fault "/$I.zip" stall
t0=$(date +%s)
st=$(code GET "$URL/$I.zip")
t1=$(date +%s)
is "$st" 504 "stalled body: 504"
like "$(head -n 1 "$TRASH/b")" 'too slow' "stalled body: the low-speed limit fired ($(why))"
ok "stalled body: $((t1 - t0)) s, well under two total timeouts" test $((t1 - t0)) -lt 9
is "$(upstream_count "/$I.zip")" 2 "stalled body: a timeout is retried once"
nok "stalled body: no .info stored" stored github.com/fixture/incompat v2.1.0+incompatible.info
nok "stalled body: no zip stored" stored github.com/fixture/incompat v2.1.0+incompatible.zip
is "$(newtmp)" 0 "stalled body: no temporary file left"

# Size cap: a go.mod over 16 MiB is refused, with a Content-Length and
# without one (chunked: the cap is enforced while reading), and not retried.
for ch in 0 1; do
	upstream_reset
	upstream_fault "/$U/@v/v1.8.$ch.mod" big size=17000000 chunked=$ch
	is "$(code GET "$URL/$U/@v/v1.8.$ch.mod")" 502 "17 MB go.mod (chunked=$ch): 502"
	like "$(head -n 1 "$TRASH/b")" 'larger than' \
	    "17 MB go.mod (chunked=$ch): the body says so ($(why))"
	is "$(upstream_count "/$U/@v/v1.8.$ch.mod")" 1 "17 MB go.mod (chunked=$ch): not retried"
	nok "17 MB go.mod (chunked=$ch): nothing stored" stored "$U" "v1.8.$ch.mod"
	is "$(newtmp)" 0 "17 MB go.mod (chunked=$ch): no temporary file left"
done

# --- policy: no fetch ---
F=github.com/fixture/allretract
upstream_reset
is "$(code GET "$URL/$F/@v/v1.0.0.zip" -H 'Disable-Module-Fetch: true')" 404 \
    "Disable-Module-Fetch: 404"
is "$(upstream_count '*')" 0 "Disable-Module-Fetch: no upstream request"

# --- proxies from the environment reach the responders ---
# restart_serve LOG [NAME=VALUE...]: a new contrib/serve instance (the same
# storage and state) with these variables in its environment.
restart_serve()
{
	_log=$1
	shift
	kill -TERM "$SERVE_PID"
	i=0
	while kill -0 "$SERVE_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	PORT=$(free_port) || bail_out "no free port"
	start_bg "$_log" env "$@" "$top_srcdir/contrib/serve" \
	    --server lighttpd --port "$PORT" --storage "$S" --state "$T" \
	    --fcgi "$PIRAEUS_FCGI" --config "$TRASH/p.ini" --procs 2
	SERVE_PID=$BG_PID
	wait_line "$_log" "serving on http://127\.0\.0\.1:$PORT/" 60 \
	    "$SERVE_PID" || { diag_file "$_log"; bail_out "serve ($_log)"; }
	URL=http://127.0.0.1:$PORT
}
# contrib/serve's own start-up probe of http://127.0.0.1:PORT/ honours
# http_proxy too, so 127.0.0.1 stays in NO_PROXY; the responders reach the
# upstream as localhost instead, which only the second NO_PROXY lists.
unset HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
DEADPORT=$(free_port) || bail_out "no free port"
DEAD=http://127.0.0.1:$DEADPORT
LOCALUP=http://localhost:${UPSTREAM_URL##*:}
X=github.com/fixture/allretract/@v/v1.0.1
restart_serve "$TRASH/serve.proxy.log" "http_proxy=$DEAD" \
    NO_PROXY=127.0.0.1 "PIRAEUS_UPSTREAM_GOPROXY=$LOCALUP"
upstream_reset
st=$(code GET "$URL/$X.mod")
like "$st" '^50[24]$' "http_proxy names a dead proxy: a miss fails ($st)"
like "$(head -n 1 "$TRASH/b")" "port $DEADPORT([^0-9]|$)" \
    "dead proxy: the body names the proxy's port ($(why))"
is "$(upstream_count '*')" 0 "dead proxy: the upstream saw no request"
nok "dead proxy: nothing stored" stored github.com/fixture/allretract v1.0.1.mod
restart_serve "$TRASH/serve.noproxy.log" "http_proxy=$DEAD" \
    NO_PROXY=127.0.0.1,localhost "PIRAEUS_UPSTREAM_GOPROXY=$LOCALUP"
upstream_reset
is "$(code GET "$URL/$X.mod")" 200 "NO_PROXY lists the upstream's host: 200"
is "$(upstream_count "/$X.mod")" 1 "NO_PROXY: the upstream was asked directly"
is_file "$TRASH/b" "$REF/$X.mod" "NO_PROXY: the upstream's go.mod"

kill -TERM "$SERVE_PID"
i=0
while kill -0 "$SERVE_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(free_port) || bail_out "no free port"
PIRAEUS_UPSTREAM_NETWORK_MODE=offline
export PIRAEUS_UPSTREAM_NETWORK_MODE
start_bg "$TRASH/serve2.log" "$top_srcdir/contrib/serve" --server lighttpd \
    --port "$PORT" --storage "$S" --state "$T" --fcgi "$PIRAEUS_FCGI" \
    --config "$TRASH/p.ini" --procs 2
SERVE_PID=$BG_PID
wait_line "$TRASH/serve2.log" "serving on http://127\.0\.0\.1:$PORT/" 60 \
    "$SERVE_PID" || bail_out "serve offline"
URL=http://127.0.0.1:$PORT
upstream_reset
is "$(code GET "$URL/$F/@v/v1.0.0.zip")" 404 "offline: a miss is 404"
like "$(cat "$TRASH/b")" 'offline' "offline: the body says so"
is "$(code GET "$URL/$M/@v/list")" 200 "offline: list from storage"
is "$(code GET "$URL/github.com/fixture/notags/@latest")" 200 "offline: @latest from storage"
is "$(upstream_count '*')" 0 "offline: the upstream saw no request at all"
unlike "$(cat "$T"/run/*.log 2>/dev/null)" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"

done_testing

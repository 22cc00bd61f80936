#!/bin/sh
# t1400-fetch.t: fetch on miss through a real lighttpd from a
# fault-injecting upstream (tests/upstream/fakeproxy.go) serving offline
# fixtures: the go command builds the app from empty storage with the
# reference go.sum; everything is stored (the build works with the
# upstream stopped); 64 concurrent clients cause one upstream request per
# artifact; each upstream fault gives a clear error, stores nothing, and
# heals; offline mode and Disable-Module-Fetch never touch the network.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need go git curl lighttpd sha256sum sqlite3

FX=$TRASH/fx
REF=$FX/modcache/cache/download
make_fixtures "$FX" >"$TRASH/fixtures.log" 2>&1 ||
    { diag_file "$TRASH/fixtures.log"; bail_out "fixtures"; }
upstream_build || bail_out "cannot build the fake upstream"
upstream_start "$REF" || bail_out "cannot start the fake upstream"
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

# --- the go command builds the app from empty storage ---
build_app()
{
	rm -rf "$TRASH/app.$1"
	cp -R "$FX/app" "$TRASH/app.$1"
	(
		cd "$TRASH/app.$1" || exit 1
		go_env_proxy "$2" "$TRASH/mc.$1" || exit 1
		GOCACHE=$FX/gocache GOFLAGS='-mod=mod -modcacherw'
		export GOCACHE GOFLAGS
		go build -o app.bin . && ./app.bin >app.out
	) >"$TRASH/build.$1.log" 2>&1
}
build_app ref "file://$REF"
ok $? "reference build from file://"
build_app cold "$URL"
st=$?
ok "$st" "go build through the proxy with empty storage"
[ "$st" -eq 0 ] || diag_file "$TRASH/build.cold.log"
is_file "$TRASH/app.cold/go.sum" "$TRASH/app.ref/go.sum" "go.sum equals the reference"
is "$(find "$S/.tmp" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 "no temporary file left"

upstream_stop
build_app warm "$URL"
st=$?
ok "$st" "the same build with the upstream stopped (everything was stored)"
[ "$st" -eq 0 ] || diag_file "$TRASH/build.warm.log"
is_file "$TRASH/app.warm/go.sum" "$TRASH/app.ref/go.sum" "and the same go.sum"
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
ok "and it is stored" stored "$F" "v1.0.0.info"

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

# --- policy: no fetch ---
F=github.com/fixture/allretract
upstream_reset
is "$(code GET "$URL/$F/@v/v1.0.0.zip" -H 'Disable-Module-Fetch: true')" 404 \
    "Disable-Module-Fetch: 404"
is "$(upstream_count '*')" 0 "Disable-Module-Fetch: no upstream request"

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

# tests/upstream/t-selftest.sh: checks tests/upstream/fakeproxy.go, the
# fault-injecting upstream of the fetch-on-miss tests, through
# tests/lib/upstream.sh: plain answers, @v/list without pseudo-versions,
# every fault kind and the counters with curl, then the real go command
# against it.  TAP; POSIX sh.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"

need go git curl
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY

FX=$TRASH/fx
REF=$FX/modcache/cache/download
ROOT=$TRASH/root
M=/github.com/fixture/multi/@v
mkdir -p "$TRASH/empty"

make_fixtures "$FX" >"$TRASH/fixtures.log" 2>&1
ok $? "fixtures made offline" || { diag_file "$TRASH/fixtures.log"; done_testing; }
# A copy: some list files are removed below.
cp -R "$REF" "$ROOT"
rm -f "$ROOT/github.com/fixture/retract/@v/list" \
    "$ROOT/github.com/fixture/notags/@v/list"

upstream_build 2>"$TRASH/build.err"
ok $? "fakeproxy builds offline" || { diag_file "$TRASH/build.err"; done_testing; }
upstream_start "$ROOT" 2>"$TRASH/start.err"
ok $? "fakeproxy starts" || { diag_file "$TRASH/start.err"; done_testing; }
like "$UPSTREAM_URL" '^http://127\.0\.0\.1:[0-9]+$' "UPSTREAM_URL: $UPSTREAM_URL"

# get PATH [CURL ARG...]: GET (or what the arguments say) $UPSTREAM_URL/PATH;
# sets CODE (000 when none) and RC (curl's exit status); headers in $TRASH/h,
# body in $TRASH/b.
get()
{
	_p=$1
	shift
	rm -f "$TRASH/h" "$TRASH/b"
	CODE=$(curl -q -sg --path-as-is --max-time 10 -D "$TRASH/h" \
	    -o "$TRASH/b" -w '%{http_code}' "$@" "$UPSTREAM_URL$_p")
	RC=$?
	[ -f "$TRASH/b" ] || : >"$TRASH/b"
}

hdr()
{
	tr -d '\r' <"$TRASH/h" | sed -n "s/^$1: *//Ip" | tail -n 1
}

size()
{
	wc -c <"$1" | tr -d ' '
}

# Plain answers.
get "$M/v1.1.0.info"
is "$CODE" 200 "GET multi v1.1.0.info: 200"
is_file "$TRASH/b" "$REF$M/v1.1.0.info" "GET v1.1.0.info: the file's bytes"
like "$(hdr Content-Type)" '^application/json' "GET .info: application/json"
get "$M/v1.1.0.mod"
like "$(hdr Content-Type)" '^text/plain; charset=utf-8' "GET .mod: text/plain"
get "$M/v1.1.0.zip"
is_file "$TRASH/b" "$REF$M/v1.1.0.zip" "GET v1.1.0.zip: the file's bytes"
is "$(hdr Content-Type)" application/zip "GET .zip: application/zip"
is "$(hdr Content-Length)" "$(size "$REF$M/v1.1.0.zip")" "GET .zip: Content-Length"
get "$M/v1.1.0.zip" -I -w '%{http_code}:%{size_download}'
is "$CODE:$(hdr Content-Length)" \
    "200:0:$(size "$REF$M/v1.1.0.zip")" "HEAD .zip: 200, no body, Content-Length"
get '/github.com/!fixture/!upper/@v/v1.0.1.mod'
is "$CODE" 200 "GET !fixture/!upper: 200"
get '/github.com/%21fixture/%21upper/@v/v1.0.1.mod'
is_file "$TRASH/b" "$REF/github.com/!fixture/!upper/@v/v1.0.1.mod" \
    "GET %21fixture/%21upper: decoded once, the same file"
get '/github.com/fixture/incompat/@v/v3.0.0+incompatible.info'
is "$CODE" 200 "GET v3.0.0+incompatible.info: 200"

# Lists.
get "$M/list"
is "$CODE" 200 "GET multi list: 200"
is "$(cat "$TRASH/b" | xargs)" "v1.0.0 v1.1.0 v1.2.0 v1.3.0-rc.1" \
    "multi list: the list file without the pseudo-version"
like "$(cat "$REF$M/list")" "$(cat "$FX/pseudo.multi")" \
    "(the list file has the pseudo-version)"
get /github.com/fixture/retract/@v/list
is "$CODE:$(xargs <"$TRASH/b")" "200:v1.0.0 v1.1.0" \
    "retract list without a list file: from the .info files"
get /github.com/fixture/notags/@v/list
is "$CODE:$(size "$TRASH/b")" "200:0" "notags list: only pseudo-versions, empty"
get /github.com/fixture/nosuch/@v/list
is "$CODE" 404 "list of a module not in the tree: 404"
like "$(head -n 1 "$TRASH/b")" '^not found: github.com/fixture/nosuch' \
    "list 404 body: not found: module"

# Misses.
get /github.com/fixture/multi/@latest
is "$CODE" 404 "@latest: 404"
get "$M/v9.9.9.zip"
is "$CODE" 404 "missing zip: 404"
like "$(cat "$TRASH/b")" '^not found: github.com/fixture/multi@v9\.9\.9' \
    "missing zip: not found: module@version"
like "$(hdr Content-Type)" '^text/plain' "404: text/plain"
get "/github.com/../../../etc/passwd"
is "$CODE" 404 "traversal: 404"
get "$M/v1.1.0.zip" -X POST
is "$CODE" 405 "POST: 405"

# Counters.
upstream_reset
ok $? "upstream_reset"
is "$(upstream_count '*')" 0 "after reset: total 0"
get "$M/v1.0.0.zip"
get "$M/v1.0.0.zip" -I
get "$M/v1.0.0.mod"
get "$M/v9.9.9.mod"
is "$(upstream_count "$M/v1.0.0.zip")" 2 "count of a path (GET and HEAD)"
is "$(upstream_count "$M/v9.9.9.mod")" 1 "misses are counted"
is "$(upstream_count '*.mod')" 2 "count *.mod"
is "$(upstream_count '*')" 4 "count *"
is "$(upstream_count /nothing)" 0 "count of a path never asked"
like "$(upstream_counts)" "^2 $M/v1.0.0.zip\$" "upstream_counts"
like "$(upstream_log)" "^HEAD $M/v1.0.0.zip 200\$" "upstream_log: HEAD line"
like "$(upstream_log)" "^GET $M/v9.9.9.mod 404\$" "upstream_log: 404 line"
like "$(cat "$UPSTREAM_LOG")" "^GET $M/v1.0.0.mod 200\$" "-log file"
upstream_reset
is "$(upstream_log)" "" "reset clears the request log"

# Faults.  status500 for one request.
upstream_fault "$M/v1.0.0.info" status500 n=1
ok $? "upstream_fault status500 n=1"
get "$M/v1.0.0.info"
is "$CODE" 500 "status500: 500"
like "$(cat "$TRASH/b")" 'injected' "status500: text body"
get "$M/v1.0.0.info"
is "$CODE" 200 "n=1: the next request is fine"
is "$(upstream_count "$M/v1.0.0.info")" 2 "faulted requests are counted"

upstream_fault "$M/v1.0.0.info" status404
get "$M/v1.0.0.info"
is "$CODE" 404 "status404: 404"
like "$(cat "$TRASH/b")" '^not found: ' "status404: not found body"
get "$M/v1.0.0.info"
is "$CODE" 404 "without n: every request"
upstream_fault "$M/v1.0.0.info" none
get "$M/v1.0.0.info"
is "$CODE" 200 "kind none removes the fault"

upstream_fault "$M/v1.0.0.info" status code=410 body="gone away"
get "$M/v1.0.0.info"
is "$CODE:$(cat "$TRASH/b")" "410:gone away" "status code=410 body=..."
upstream_fault "$M/v1.0.0.info" status 'code=502&n=1'
get "$M/v1.0.0.info"
is "$CODE" 502 "a raw 'a=1&b=2' parameter"
get "$M/v1.0.0.info"
is "$CODE" 200 "replaced fault, n=1 used up"

nok "unknown kind refused" upstream_fault "$M/x" nosuchkind 2>/dev/null
nok "redirect without to= refused" upstream_fault "$M/x" redirect 2>/dev/null

# Suffix patterns; the newest matching fault wins.
upstream_reset
upstream_fault '*.zip' status500 n=2
get "$M/v1.0.0.zip"
_a=$CODE
get "$M/v1.2.0.zip"
_b=$CODE
get "$M/v1.2.0.mod"
_c=$CODE
get "$M/v1.2.0.zip"
is "$_a $_b $_c $CODE" "500 500 200 200" "*.zip n=2: two zips faulted, .mod not"
upstream_fault '*.zip' status500
upstream_fault "$M/v1.2.0.zip" status code=503
get "$M/v1.2.0.zip"
_a=$CODE
get "$M/v1.0.0.zip"
is "$_a $CODE" "503 500" "newest matching fault wins"
upstream_reset
get "$M/v1.2.0.zip"
is "$CODE" 200 "reset clears the faults"

# delay.
upstream_fault "$M/v1.2.0.info" delay ms=700 n=1
_t0=$(date +%s%N)
get "$M/v1.2.0.info"
_t1=$(date +%s%N)
is "$CODE" 200 "delay: then 200"
is_file "$TRASH/b" "$REF$M/v1.2.0.info" "delay: the file's bytes"
ok "$([ $(( (_t1 - _t0) / 1000000 )) -ge 650 ]; echo $?)" \
    "delay: took $(( (_t1 - _t0) / 1000000 )) ms (ms=700)"
upstream_fault "$M/v1.2.0.info" delay ms=8000 n=1
get "$M/v1.2.0.info" --max-time 0.5
is "$RC" 28 "delay 8 s, client gives up after 0.5 s: curl timeout"
wait_line "$UPSTREAM_LOG" "^GET $M/v1.2.0.info 000 delay\$" 3
ok $? "delay ends as soon as the client goes (logged 000 within 3 s)"

# hang.
upstream_fault "$M/v1.2.0.mod" hang n=1
get "$M/v1.2.0.mod" --max-time 1
is "$RC:$CODE:$(size "$TRASH/b")" "28:000:0" "hang: no answer at all"
wait_line "$UPSTREAM_LOG" "^GET $M/v1.2.0.mod 000 hang\$" 3
ok $? "hang ends when the client goes"

# reset, truncate, stall, drop.
Z=$REF$M/v1.2.0.zip
ZS=$(size "$Z")
upstream_fault "$M/v1.2.0.zip" reset n=1
get "$M/v1.2.0.zip"
is "$RC:$CODE" "56:200" "reset: 200 then connection reset (curl 56)"
is "$(hdr Content-Length)" "$ZS" "reset: the full Content-Length announced"
ok "$([ "$(size "$TRASH/b")" -lt "$ZS" ]; echo $?)" \
    "reset: less than the body ($(size "$TRASH/b") of $ZS)"
upstream_fault "$M/v1.2.0.zip" truncate n=1
get "$M/v1.2.0.zip"
is "$RC:$CODE:$(size "$TRASH/b")" "18:200:$((ZS / 2))" \
    "truncate: half the body then close (curl 18)"
head -c $((ZS / 2)) "$Z" >"$TRASH/half"
is_file "$TRASH/b" "$TRASH/half" "truncate: the first half of the real bytes"
upstream_fault "$M/v1.2.0.zip" stall n=1
get "$M/v1.2.0.zip" --max-time 1
is "$RC:$CODE:$(size "$TRASH/b")" "28:200:$((ZS / 2))" \
    "stall: half the body then nothing (curl timeout)"
wait_line "$UPSTREAM_LOG" "^GET $M/v1.2.0.zip 200 stall\$" 3
ok $? "stall ends when the client goes"
upstream_fault "$M/v1.2.0.zip" drop n=1
get "$M/v1.2.0.zip"
like "$RC:$CODE" '^(52|56):000$' "drop: no answer, connection reset ($RC)"
get "$M/v1.2.0.zip"
is_file "$TRASH/b" "$Z" "after the n=1 faults: the real zip"

# corrupt, swapzip.
upstream_fault "$M/v1.2.0.zip" corrupt n=1
get "$M/v1.2.0.zip"
is "$CODE:$(size "$TRASH/b")" "200:$ZS" "corrupt: 200, same size"
is "$(cmp -l "$TRASH/b" "$Z" | wc -l | tr -d ' ')" 1 "corrupt: one byte differs"
upstream_fault "$M/v1.2.0.zip" swapzip with="$M/v1.0.0.zip" n=1
get "$M/v1.2.0.zip"
is "$CODE:$(hdr Content-Type)" "200:application/zip" "swapzip: 200 zip"
is_file "$TRASH/b" "$REF$M/v1.0.0.zip" "swapzip: the other version's zip"
nok "swapzip without with= refused" upstream_fault "$M/x" swapzip 2>/dev/null

# redirect.
upstream_fault "$M/v1.2.0.mod" redirect to=http://127.0.0.1:9/x.mod n=1
get "$M/v1.2.0.mod"
is "$CODE:$(hdr Location)" "302:http://127.0.0.1:9/x.mod" "redirect: 302 Location"
upstream_fault "$M/v1.2.0.mod" redirect to="$M/v1.0.0.mod" code=307 n=1
get "$M/v1.2.0.mod" -L
is "$CODE" 200 "redirect code=307 to a path, followed: 200"
is_file "$TRASH/b" "$REF$M/v1.0.0.mod" "redirect: the target's bytes"

# big.
upstream_fault "$M/v1.2.0.zip" big size=3000000 n=1
get "$M/v1.2.0.zip"
is "$CODE:$(hdr Content-Length):$(size "$TRASH/b")" "200:3000000:3000000" \
    "big: 3000000 bytes with Content-Length"
upstream_fault "$M/v1.2.0.zip" big size=100000 chunked=1 n=1
get "$M/v1.2.0.zip"
is "$CODE:$(hdr Content-Length):$(hdr Transfer-Encoding):$(size "$TRASH/b")" \
    "200::chunked:100000" "big chunked=1: no Content-Length"

# Concurrency: counters under parallel requests.
upstream_reset
_i=0
_pids=
while [ "$_i" -lt 20 ]; do
	curl -q -s -o /dev/null --max-time 10 "$UPSTREAM_URL$M/v1.1.0.zip" &
	_pids="$_pids $!"
	_i=$((_i + 1))
done
# (Not a bare wait: the upstream is a child of this shell too.)
for _pid in $_pids; do
	wait "$_pid"
done
is "$(upstream_count "$M/v1.1.0.zip")" 20 "20 parallel requests counted"

# The real go command.
# gorun PROXY CMD...: CMD with a fresh module cache against PROXY.
gorun()
{
	(
		_px=$1
		shift
		go_env_proxy "$_px" "$TRASH/mc" || exit 1
		# "go": the go command of need_gos, never the one on PATH.
		[ "$1" = go ] && shift && set -- "$GO" "$@"
		cd "$TRASH/empty" && "$@"
	) 2>&1
}
fields()
{
	grep -E '^[[:space:]]*"(Path|Version|Sum|GoModSum|Error)":' |
	    sed 's/^[[:space:]]*//'
}
upstream_reset
_r=$(gorun "file://$REF" go mod download -json github.com/fixture/multi@v1.1.0 | fields)
_p=$(gorun "$UPSTREAM_URL" go mod download -json github.com/fixture/multi@v1.1.0 | fields)
like "$_r" '"Sum": "h1:' "reference download has a Sum"
is "$_p" "$_r" "go mod download multi@v1.1.0 through fakeproxy: same sums"
is "$(upstream_count "$M/v1.1.0.zip")" 1 "go fetched the zip once"
_p=$(gorun "$UPSTREAM_URL" go list -m -versions github.com/fixture/multi)
is "$_p" "github.com/fixture/multi v1.0.0 v1.1.0 v1.2.0 v1.3.0-rc.1" \
    "go list -m -versions: no pseudo-version"
_p=$(gorun "$UPSTREAM_URL" go list -m -versions 'github.com/Fixture/Upper')
is "$_p" "github.com/Fixture/Upper v1.0.0 v1.0.1" "go list -m -versions with capitals"
is "$(upstream_count '/github.com/!fixture/!upper/@v/list')" 1 \
    "the go command asked for !fixture/!upper/@v/list"
upstream_fault "$M/v1.1.0.info" status500
_p=$(gorun "$UPSTREAM_URL" go mod download -json github.com/fixture/multi@v1.1.0)
like "$_p" '500 Internal Server Error' "go sees an injected 500"
upstream_reset

upstream_stop
nok "upstream_stop: the server is gone" curl -q -s -o /dev/null --max-time 2 \
    "$UPSTREAM_URL/_ctl/log"
done_testing

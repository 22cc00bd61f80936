#!/bin/sh
# t1930-lifecycle.t: stopping and restarting while fetches run (issue 11),
# through a real lighttpd (a configuration of this test's own, so that it
# can signal lighttpd itself) and the fake upstream pacing its answers
# (kind "paced": the whole body, slowly, above the low-speed limit):
#   1. SIGTERM to a responder in the middle of a slow fetch: the client
#      still gets a complete 200 with the upstream's bytes, the version is
#      published whole, then the responder exits 0 and takes no new
#      request; as a -s unix: responder (spawn-fcgi style) and as
#      lighttpd's own child (bin-path) when lighttpd shuts down gracefully
#      (SIGINT) or restarts gracefully (SIGUSR1); and SIGTERM while the
#      responder streams a 40 MB answer to a slow client: every byte
#      arrives (the handlers are SA_RESTART: no write cut by EINTR);
#   2. lighttpd stopped hard (SIGTERM) and started again while several
#      slow cold fetches run: nothing partial in the tree, each stored file
#      the upstream's, no stuck fetch lock (the next request for each
#      version answers at once), the index agrees;
#   3. a .zip larger than [upstream] max_zip_size, or endless: 502 within
#      seconds, nothing stored, no temporary file left;
#   4. sqlite "locked": a connection in locking_mode=EXCLUSIVE (the sqlite3
#      CLI of an operator) holds the index: a miss is a clear 503, hits are
#      served, and misses work again once it lets go.
# T1930_FROM=2 (or 3) skips the parts before it, for work on a later one.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need go git curl lighttpd sha256sum sqlite3

upstream_fixtures

S=$TRASH/storage
T=$TRASH/state
R=$TRASH/run
mkdir -p "$S" "$T" "$R"
cat >"$TRASH/p.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = $UPSTREAM_URL
network_mode = strict
retries = 0
timeout = 60
low_speed_time = 10
wait_timeout = 30
lock_expiry = 10
max_zip_size = 65536
[sumdb]
verify = no
INI
PIRAEUS_CONFIG=$TRASH/p.ini
export PIRAEUS_CONFIG
"$PIRAEUS" reindex >"$TRASH/reindex.log" 2>&1 ||
    { diag_file "$TRASH/reindex.log"; bail_out "reindex"; }

# The paced answers take this long (ms): long enough to signal in the
# middle, well under every timeout.
PACE=4000

# lt_conf MODE [PROCS]: lighttpd's configuration, the rules of contrib/lighttpd
# reduced to what this test needs: files from the storage root, the rest
# to the responder; MODE "bin" (lighttpd starts one responder, bin-path)
# or "sock" (a responder of ours listens on $R/r.sock); PROCS responders
# for "bin" (default 1).
lt_conf()
{
	if [ "$1" = bin ]; then
		_lc_fcgi="\"bin-path\" => \"$PIRAEUS_FCGI\",
		\"socket\" => \"$R/lt.sock\", \"max-procs\" => ${2:-1},
		\"bin-copy-environment\" => ( \"PIRAEUS_CONFIG\",
		    \"PIRAEUS_TEST_FAULT_DIR\", \"ASAN_OPTIONS\",
		    \"UBSAN_OPTIONS\", \"LSAN_OPTIONS\" ),"
	else
		_lc_fcgi="\"socket\" => \"$R/r.sock\","
	fi
	# "all": every request to the responder, its answers streamed to
	# the client as they come (back-pressure reaches the responder).
	_lc_rw='url.rewrite-if-not-file = ( "^([^?]*)(\?.*)?$" => "/_r$1$2" )'
	[ "${3:-}" != all ] || _lc_rw='url.rewrite-once = ( "^(.*)$" => "/_r$1" )
server.stream-response-body = 2'
	cat >"$R/lighttpd.conf" <<CONF
server.modules = ( "mod_rewrite", "mod_fastcgi" )
server.bind = "127.0.0.1"
server.port = $PORT
server.document-root = "$S"
server.errorlog = "$R/error.log"
server.breakagelog = "$R/responder.log"
server.feature-flags = ( "server.graceful-shutdown-timeout" => 30 )
mimetype.assign = ( ".zip" => "application/zip", "" => "text/plain" )
$_lc_rw
fastcgi.server = ( "/_r" => (( $_lc_fcgi
	"check-local" => "disable" )) )
CONF
}

# lt_start MODE [PROCS [PATH [all]]]: lighttpd in the foreground (LT_PID),
# serving at URL once PATH (default healthz) answers.
lt_start()
{
	lt_conf "$1" "${2:-1}" "${4:-}"
	start_bg "$R/lighttpd.out" lighttpd -D -f "$R/lighttpd.conf"
	LT_PID=$BG_PID
	wait_http "$URL/${3:-healthz}" 20 "$LT_PID" ||
	    { diag_file "$R/error.log"; bail_out "lighttpd"; }
}

# responder_of PID: the piraeus.fcgi child of lighttpd PID.
responder_of()
{
	for _p in $(pgrep -P "$1"); do
		case $(readlink "/proc/$_p/exe" 2>/dev/null) in
		*piraeus.fcgi*) echo "$_p"; return 0 ;;
		esac
	done
	return 1
}

# gone PID [SECS]: wait until PID has exited (default 15 s).
gone()
{
	_g=0
	while kill -0 "$1" 2>/dev/null && [ $_g -lt $((${2:-15} * 10)) ]; do
		sleep 0.1
		_g=$((_g + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

# in_tmp: a fetch has a temporary file in the storage's .tmp (it is
# receiving); waits up to 10 s.
in_tmp()
{
	_t=0
	while [ $_t -lt 100 ]; do
		[ -n "$(find "$S/.tmp" -type f 2>/dev/null | head -n 1)" ] &&
		    return 0
		sleep 0.1
		_t=$((_t + 1))
	done
	return 1
}

ntmp()
{
	find "$S/.tmp" -type f 2>/dev/null | wc -l | tr -d ' '
}

nothing_of()
{
	! ls "$S/$1/@v/$2".* >/dev/null 2>&1
}

# tree_sound: every .info has its .mod and .zip; every stored file of the
# fixtures (github.com/...; example.com/big is packed here) is the
# upstream's; the problems on stderr.
tree_sound()
{
	_ts=0
	for _f in $(cd "$S" && find ./github.com -type f \
	    \( -name '*.info' -o -name '*.mod' -o -name '*.zip' \) -print); do
		_f=${_f#./}
		if ! cmp -s "$S/$_f" "$REF/$_f"; then
			echo "differs from the upstream's: $_f" >&2
			_ts=1
		fi
		case $_f in
		*.info)
			for _x in mod zip; do
				[ -f "$S/${_f%.info}.$_x" ] || {
					echo "$_f without its .$_x" >&2
					_ts=1
				}
			done ;;
		esac
	done
	return $_ts
}

# complete M V: the version's three files are stored, the upstream's.
complete()
{
	for _x in info mod zip; do
		cmp "$S/$1/@v/$2.$_x" "$REF/$1/@v/$2.$_x" >&2 || return 1
	done
}

indexed()
{
	sqlite3 "$T/index.sqlite" "SELECT zip_sha256 FROM versions WHERE \
	    module = '$1' AND version = '$2'" 2>/dev/null
}

# index_agrees M V: the index has the SHA-256 of the upstream's zip of
# M@V; waits up to 5 s (a version is published after its answer).
index_agrees()
{
	_w=$(sha "$REF/$1/@v/$2.zip")
	_i=0
	while [ "$(indexed "$1" "$2")" != "$_w" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(indexed "$1" "$2")" = "$_w" ]
}

sha()
{
	sha256sum <"$1" | cut -d ' ' -f 1
}

# get_bg NAME PATH: curl GET URL/PATH in the background; the body in
# $TRASH/NAME.body, the status in $TRASH/NAME.code once it is done
# (CURL_PID).
get_bg()
{
	rm -f "$TRASH/$1.code" "$TRASH/$1.body"
	(
		curl -s -m 90 -o "$TRASH/$1.body" -w '%{http_code}' \
		    "$URL/$2" >"$TRASH/$1.code.tmp"
		mv "$TRASH/$1.code.tmp" "$TRASH/$1.code"
	) &
	CURL_PID=$!
}

code()
{
	curl -s -m 60 -o "$TRASH/b" -w '%{http_code}' "$URL/$1"
}

why()
{
	head -n 1 "$TRASH/b" | sed 's/^.*\(.\{70\}\)$/...\1/'
}

PORT=$(free_port) || bail_out "no free port"
URL=http://127.0.0.1:$PORT

# --- 1. SIGTERM during a slow fetch ---
if [ "${T1930_FROM:-1}" -le 1 ]; then

# (a) spawn-fcgi style: the responder listens itself (-s unix:), lighttpd
# connects to it.  Its exit status is written to $R/r.rc.
M=github.com/fixture/multi
V=v1.0.0
rm -f "$R/r.sock" "$R/r.rc"
start_bg "$R/r.log" sh -c '"$1" -s "unix:$2"; echo $? >"$3"' sh \
    "$PIRAEUS_FCGI" "$R/r.sock" "$R/r.rc"
RSH=$BG_PID
i=0
while [ ! -S "$R/r.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
RPID=$(pgrep -P "$RSH" | head -n 1)
lt_start sock
upstream_reset
upstream_fault "*/@v/$V.zip" paced ms=$PACE
get_bg a "$M/@v/$V.zip"
ok "-s unix: the fetch is under way" in_tmp
kill -TERM "$RPID"
sleep 0.3
# A new request after the signal: not taken by the stopping responder.
get_bg a2 "$M/@v/v1.1.0.info"
A2=$CURL_PID
wait "$CURL_PID"
wait "$A2"
is "$(cat "$TRASH/a.code")" 200 "-s unix: SIGTERM mid-fetch: the client gets 200"
is_file "$TRASH/a.body" "$REF/$M/@v/$V.zip" "-s unix: the upstream's bytes, complete"
ok "-s unix: the responder exits" gone "$RPID"
ok "-s unix: the version is published whole" complete "$M" "$V"
i=0
while [ ! -s "$R/r.rc" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
is "$(cat "$R/r.rc" 2>/dev/null)" 0 "-s unix: it exits 0"
isnt "$(cat "$TRASH/a2.code")" 200 "-s unix: a request after the signal is not served ($(cat "$TRASH/a2.code"))"
is "$(upstream_count "/$M/@v/v1.1.0.info")" 0 "-s unix: ... and not fetched"
is "$(ntmp)" 0 "-s unix: no temporary file left"
is "$(indexed "$M" "$V")" "$(sha "$REF/$M/@v/$V.zip")" "-s unix: the index agrees"
stop_bg "$LT_PID"
stop_bg "$RSH"

# (a') the same responder streaming a large stored zip (sendfile off,
# every request to it) to a slow client: lighttpd passes the back-pressure
# on, the responder's writes block, and SIGTERM comes during one of them.
# The write is resumed, not cut: the client gets every byte.
mkdir -p "$TRASH/big"
printf 'module example.com/big\n\ngo 1.16\n' >"$TRASH/big/go.mod"
head -c 40000000 /dev/urandom >"$TRASH/big/blob.bin"
"$PIRAEUS" pack "$TRASH/big" example.com/big v1.0.0 >"$TRASH/pack.log" 2>&1 ||
    { diag_file "$TRASH/pack.log"; bail_out "pack"; }
rm -f "$R/r.sock" "$R/r.rc"
start_bg "$R/r.log" env PIRAEUS_SERVER_SENDFILE=off \
    PIRAEUS_SERVER_EVERY_REQUEST=yes sh -c '"$1" -s "unix:$2"; echo $? >"$3"' \
    sh "$PIRAEUS_FCGI" "$R/r.sock" "$R/r.rc"
RSH=$BG_PID
i=0
while [ ! -S "$R/r.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
RPID=$(pgrep -P "$RSH" | head -n 1)
lt_start sock 1 healthz all
rm -f "$TRASH/big.code"
( curl -s -m 90 --limit-rate 4M -o "$TRASH/big.body" -w '%{http_code}' \
    "$URL/example.com/big/@v/v1.0.0.zip" >"$TRASH/big.code" ) &
BIGC=$!
sleep 1
kill -TERM "$RPID"
sleep 1
ok "streaming: the responder still writes after the signal (the client has not all yet)" \
    kill -0 "$RPID"
wait "$BIGC"
is "$(cat "$TRASH/big.code")" 200 "streaming 40 MB, SIGTERM mid-write: 200"
is_file "$TRASH/big.body" "$S/example.com/big/@v/v1.0.0.zip" \
    "streaming, SIGTERM mid-write: every byte"
ok "streaming: the responder exits" gone "$RPID"
i=0
while [ ! -s "$R/r.rc" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
is "$(cat "$R/r.rc" 2>/dev/null)" 0 "streaming: it exits 0"
stop_bg "$LT_PID"
stop_bg "$RSH"

# (b) lighttpd's own child (bin-path); lighttpd shuts down gracefully
# (SIGINT) or restarts gracefully (SIGUSR1) while the fetch runs.
set -- INT github.com/fixture/retract v1.0.0 \
    USR1 github.com/fixture/major v1.0.0
while [ $# -ge 3 ]; do
	sig=$1 M=$2 V=$3
	shift 3
	lt_start bin
	curl -s -o /dev/null "$URL/healthz"
	RPID=$(responder_of "$LT_PID")
	ok "SIG$sig: lighttpd started responder $RPID" test -n "$RPID"
	upstream_reset
	upstream_fault "*/@v/$V.zip" paced ms=$PACE
	get_bg b "$M/@v/$V.zip"
	ok "SIG$sig: the fetch is under way" in_tmp
	kill -"$sig" "$LT_PID"
	wait "$CURL_PID"
	is "$(cat "$TRASH/b.code")" 200 "SIG$sig to lighttpd mid-fetch: the client gets 200"
	is_file "$TRASH/b.body" "$REF/$M/@v/$V.zip" "SIG$sig: the upstream's bytes, complete"
	ok "SIG$sig: the responder exits" gone "$RPID"
	ok "SIG$sig: the version is published whole" complete "$M" "$V"
	is "$(ntmp)" 0 "SIG$sig: no temporary file left"
	is "$(indexed "$M" "$V")" "$(sha "$REF/$M/@v/$V.zip")" "SIG$sig: the index agrees"
	if [ "$sig" = USR1 ]; then
		# lighttpd runs again with a new responder.
		wait_http "$URL/healthz" 20 "$LT_PID"
		is "$(code "$M/@v/list")" 200 "SIGUSR1: lighttpd serves again"
		isnt "$(responder_of "$LT_PID")" "$RPID" "SIGUSR1: by a new responder"
	else
		ok "SIGINT: lighttpd exits" gone "$LT_PID" 40
	fi
	stop_bg "$LT_PID"
	grep -i 'error\|sanitizer' "$R/responder.log" | head -n 5 |
	    while read -r l; do diag "responder.log: $l"; done
done

fi

# --- 2. lighttpd stopped and started while slow cold fetches run ---
# Four responders, one fetch each; lighttpd stopped hard (SIGTERM: its
# connections are cut, its children get SIGTERM) or restarted gracefully
# (SIGUSR1), then (after a stop) started again.
[ "${T1930_FROM:-1}" -le 2 ] &&
set -- TERM "github.com/fixture/multi v1.1.0 github.com/fixture/multi v1.2.0 \
	github.com/fixture/mono v1.0.0 github.com/fixture/nomod v1.0.0" \
    USR1 "github.com/fixture/incompat v2.1.0+incompatible \
	github.com/fixture/allretract v1.0.0 github.com/fixture/retract v1.1.0 \
	github.com/fixture/mono/sub v1.0.0"
while [ $# -ge 2 ]; do
	sig=$1 vers=$2
	shift 2
	lt_start bin 4
	upstream_reset
	upstream_fault "*.zip" paced ms=$PACE
	n=0 pids=
	printf '%s %s\n' $vers >"$TRASH/vers"
	while read -r m v; do
		n=$((n + 1))
		get_bg "c$n" "$m/@v/$v.zip"
		pids="$pids $CURL_PID"
	done <"$TRASH/vers"
	sleep 1
	olds=$(pgrep -P "$LT_PID" | xargs)
	is "$(upstream_count '*.zip')" 4 "SIG$sig mid-fetch: four fetches under way"
	kill -"$sig" "$LT_PID"
	if [ "$sig" = TERM ]; then
		ok "SIGTERM: lighttpd stops" gone "$LT_PID"
		lt_start bin 4
	fi
	wait_http "$URL/healthz" 20 "$LT_PID"
	for p in $pids; do wait "$p"; done
	for p in $olds; do
		ok "SIG$sig: the old responder $p exits" gone "$p"
	done
	diag "SIG$sig: the clients got $(cat "$TRASH"/c*.code | xargs)"
	ok "SIG$sig: the tree is sound" tree_sound
	is "$(ntmp)" 0 "SIG$sig: no temporary file left"
	# No stuck fetch lock: each version at once (not after lock_expiry),
	# the upstream's bytes, and the index agrees.
	upstream_reset
	while read -r m v; do
		for x in info mod zip; do
			t0=$(date +%s)
			is "$(code "$m/@v/$v.$x")" 200 "SIG$sig: then $m@$v.$x is 200"
			t1=$(date +%s)
			ok "SIG$sig: ... in $((t1 - t0)) s, no stuck lock" \
			    test $((t1 - t0)) -lt 5
			is_file "$TRASH/b" "$REF/$m/@v/$v.$x" "SIG$sig: ... the upstream's bytes"
		done
		is "$(indexed "$m" "$v")" "$(sha "$REF/$m/@v/$v.zip")" \
		    "SIG$sig: the index agrees on $m@$v"
	done <"$TRASH/vers"
	ok "SIG$sig: the tree is sound after" tree_sound
	stop_bg "$LT_PID"
	rm -f "$TRASH"/c*.code
done

# --- 3. a .zip over [upstream] max_zip_size (65536 here) ---
M=github.com/fixture/multi
V=v1.3.0-rc.1
lt_start bin
for f in "big size=200000" "big size=200000 chunked=1" endless; do
	upstream_reset
	upstream_fault "/$M/@v/$V.zip" $f
	t0=$(date +%s)
	is "$(code "$M/@v/$V.zip")" 502 "zip fault '$f': 502"
	t1=$(date +%s)
	like "$(why)" 'larger than 65536 bytes' "zip fault '$f': cut at max_zip_size ($(why))"
	ok "zip fault '$f': answered in $((t1 - t0)) s" test $((t1 - t0)) -lt 5
	ok "zip fault '$f': nothing stored" nothing_of "$M" "$V"
	is "$(ntmp)" 0 "zip fault '$f': no temporary file left"
done
upstream_reset
is "$(code "$M/@v/$V.zip")" 200 "a zip under max_zip_size: 200"
is_file "$TRASH/b" "$REF/$M/@v/$V.zip" "... the upstream's bytes"
# check-config: the key's range (1024 to the go command's 500 MiB).
for n in 1023 524288001 12x; do
	sed "s/^max_zip_size = .*/max_zip_size = $n/" "$TRASH/p.ini" >"$TRASH/bad.ini"
	PIRAEUS_CONFIG=$TRASH/bad.ini "$PIRAEUS" check-config >"$TRASH/cc.out" 2>&1
	is "$?" 1 "check-config refuses max_zip_size = $n"
	like "$(cat "$TRASH/cc.out")" 'max_zip_size' "... and names the key"
done
sed "s/^max_zip_size = .*/max_zip_size = 524288000/" "$TRASH/p.ini" >"$TRASH/good.ini"
PIRAEUS_CONFIG=$TRASH/good.ini "$PIRAEUS" check-config >"$TRASH/cc.out" 2>&1
ok $? "check-config takes max_zip_size = 524288000"
stop_bg "$LT_PID"

# --- 4. the index held by a connection in locking_mode=EXCLUSIVE ---
# What "locked" can be for piraeus: another process never causes
# SQLITE_LOCKED proper (that needs a shared cache or a conflict inside one
# connection; piraeus has one private connection per process).  What an
# operator meets is sqlite's "database is locked" (SQLITE_BUSY): t1910
# holds the write lock (BEGIN EXCLUSIVE: readers go on); here the sqlite3
# CLI in locking_mode=EXCLUSIVE holds the whole file, readers too, for as
# long as it stays open.  It gets that lock only while no responder has
# the index open (an open WAL connection keeps it in shared mode), i.e.
# when it was opened while the server was down, e.g. for maintenance:
# then the server starts.  (Taken while responders run, the mode stays
# shared and blocks nothing.)
B=github.com/fixture/allretract
V=v1.0.1
H=v1.3.0-rc.1
upstream_reset
mkfifo "$TRASH/lockfifo"
sqlite3 "$T/index.sqlite" <"$TRASH/lockfifo" >"$TRASH/lock.out" 2>&1 &
LOCKER=$!
exec 7>"$TRASH/lockfifo"
echo 'PRAGMA locking_mode = EXCLUSIVE; SELECT count(*) > 0 FROM versions;' >&7
ok "the operator's sqlite3 reads the index" wait_line "$TRASH/lock.out" '^1$' 10
nok "... and holds it: another reader is refused" \
    sqlite3 "$T/index.sqlite" 'SELECT count(*) FROM versions' 2>/dev/null
lt_start bin 1 "$M/@v/$H.info"
# The responder finds the index locked at its start (one busy wait of
# 5 s); from then on a request that needs no index waits for nothing.
sleep 6
for i in 1 2 3; do
	t0=$(date +%s%N)
	is "$(code healthz)" 200 "index held: /healthz $i is 200"
	t1=$(date +%s%N)
	ok "index held: /healthz $i in $(( (t1 - t0) / 1000000 )) ms, no wait for the index" \
	    test $(( (t1 - t0) / 1000000 )) -lt 1000
done
for round in 1 2; do
	t0=$(date +%s)
	st=$(code "$B/@v/$V.zip")
	t1=$(date +%s)
	is "$st" 503 "index held, miss $round: 503 ($(why))"
	like "$(why)" 'locked' "index held, miss $round: the body says why"
	ok "index held, miss $round: in $((t1 - t0)) s, no hang" test $((t1 - t0)) -lt 10
	for x in info mod zip; do
		is "$(code "$M/@v/$H.$x")" 200 "index held: a stored .$x is 200"
	done
	t0=$(date +%s)
	# A list is computed from the index: no index, no list (a clear
	# 503, as for a miss), not a list short of the stored versions.
	is "$(code "$M/@v/list")" 503 "index held: a list is 503"
	t1=$(date +%s)
	like "$(why)" 'locked' "index held: ... saying why, in $((t1 - t0)) s"
	ok "index held: ... no hang" test $((t1 - t0)) -lt 10
	ok "index held: nothing stored of the miss" nothing_of "$B" "$V"
	is "$(ntmp)" 0 "index held: no temporary file left"
done
is "$(upstream_count '*')" 0 "index held: the upstream is not asked"
echo '.quit' >&7
exec 7>&-
wait "$LOCKER"
# The same responder, not restarted, opens the index again.
is "$(code "$B/@v/$V.zip")" 200 "index let go: the miss is fetched"
is_file "$TRASH/b" "$REF/$B/@v/$V.zip" "index let go: the upstream's bytes"
ok "index let go: the index agrees" index_agrees "$B" "$V"
ok "index let go: the tree is sound" tree_sound
stop_bg "$LT_PID"
# Sanitizer builds: no report from any responder.
nok "no sanitizer report in the responders' logs" \
    grep -Eq 'Sanitizer|runtime error' "$R/responder.log" "$R/r.log"

done_testing

#!/bin/sh
# t1920-valgrind.t: 1,000 FastCGI requests to ONE responder process under
# valgrind (issue 11): contrib/serve --every-request --procs 1 behind a real
# lighttpd, so static hits pass the responder too, and the fake upstream
# for the misses.  The workload cycles 20 requests 50 times: hits (GET and
# HEAD, .info .mod .zip, "!" escapes), misses fetched and published in the
# first round (hits after), lists and @latest asked upstream every time
# (list_ttl = 0), versions and modules upstream does not have (404 every
# time, notfound_ttl = 0), an upstream 500 (502), /index and /catalog with
# bad query parameters (400) and a module the filter file excludes (403).
# Each answer's status is checked.
# Then serve is stopped (lighttpd's SIGTERM: the responder exits between
# requests) and valgrind's summary must say 0 bytes definitely lost and 0
# errors.  A second run without valgrind, same workload, samples VmRSS of
# the one responder after request 100 and after request 1000: the growth
# must stay under 2 MiB (see GROWTH_KIB).
# Sanitizer builds skip it (valgrind cannot run an ASan binary).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need go git curl lighttpd valgrind nm

if nm "$PIRAEUS_FCGI" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
	skip_all "a sanitizer build: valgrind cannot run it (run in build/werror)"
fi

# The bound of the growth between request 100 and request 1000, in KiB.
# After the first round every miss is stored, so the later rounds do the
# same work with the same inputs: what a request allocates is freed, the
# sqlite page cache is bounded by the index (a few pages here) and
# libcurl's connection cache by its default size.  glibc's heap may keep
# some freed arenas mapped; 2 MiB is well above that noise (a few hundred
# KiB at most here) and well below a leak of even 2 KiB per request
# (900 requests: 1.8 MiB plus fragmentation; 8 KiB per request: 7 MiB).
GROWTH_KIB=2048

upstream_fixtures
upstream_fault "/github.com/fixture/nomod/@v/v1.0.0.info" status500
upstream_fault "/github.com/fixture/nomod/@v/list" status500

# The workload: "METHOD PATH STATUS", 20 lines, cycled.
F=/github.com/fixture
cat >"$TRASH/work" <<EOF
GET $F/multi/@v/v1.0.0.info 200
GET $F/multi/@v/v1.0.0.mod 200
GET $F/multi/@v/v1.0.0.zip 200
HEAD $F/multi/@v/v1.1.0.zip 200
GET /github.com/!fixture/!upper/@v/v1.0.1.info 200
GET $F/major/@v/v1.0.0.info 200
GET $F/major/@v/v1.0.0.zip 200
GET $F/major/v2/@v/v2.0.0.mod 200
GET $F/mono/sub/@v/v1.0.0.zip 200
GET $F/multi/@v/list 200
GET $F/incompat/@v/list 200
GET $F/multi/@latest 200
GET $F/notags/@latest 200
GET $F/multi/@v/v9.9.9.info 404
GET $F/nosuch/@v/list 404
GET $F/nomod/@v/v1.0.0.info 502
GET /index?limit=1%00 400
GET /catalog?pagesize=x 400
GET $F/retract/@v/v1.0.0.info 403
GET $F/retract/@v/list 403
EOF
NW=$(wc -l <"$TRASH/work" | tr -d ' ')

# setup N: storage N (the reference tree without the modules the first
# round fetches), its index, its configuration.
setup()
{
	S=$TRASH/storage$1
	T=$TRASH/state$1
	mkdir -p "$S" "$T"
	cp -R "$REF/." "$S/"
	rm -rf "$S/github.com/fixture/major" "$S/github.com/fixture/mono" \
	    "$S/github.com/fixture/nomod"
	echo "- github.com/fixture/retract" >"$TRASH/filter"
	cat >"$TRASH/p$1.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = $UPSTREAM_URL
network_mode = fallback
retries = 0
list_ttl = 0
notfound_ttl = 0
[sumdb]
verify = no
[policy]
filter_file = $TRASH/filter
INI
	PIRAEUS_CONFIG=$TRASH/p$1.ini "$PIRAEUS" reindex \
	    >"$TRASH/reindex$1.log" 2>&1 ||
	    { diag_file "$TRASH/reindex$1.log"; bail_out "reindex"; }
}

# batch N: requests N*100+1 .. N*100+100 in one curl process (keep-alive),
# each status appended to $TRASH/codes, and each compared with the
# workload's; the mismatches on stderr.
batch()
{
	_cfg=$TRASH/curl.cfg
	: >"$_cfg"
	_i=0
	while [ "$_i" -lt 100 ]; do
		_k=$(( ($1 * 100 + _i) % NW + 1 ))
		set -- "$1" $(sed -n "${_k}p" "$TRASH/work")
		[ "$_i" -gt 0 ] && echo next >>"$_cfg"
		case $2 in
		HEAD)	echo head >>"$_cfg" ;;
		esac
		printf 'url = "%s%s"\noutput = "/dev/null"\n' "$URL" "$3" \
		    >>"$_cfg"
		printf 'write-out = "%s %s %%{http_code}\\n"\n' "$3" "$4" \
		    >>"$_cfg"
		_i=$((_i + 1))
	done
	curl -q -s -g --max-time 120 --config "$_cfg" >>"$TRASH/codes"
}

# responder T: the pid of the one piraeus.fcgi of state directory T
# (valgrind runs it under the same pid; its exe is valgrind's tool).
responder()
{
	procs_of "$1" | awk '$2 ~ /piraeus\.fcgi|memcheck/ { print $1 }'
}

rss()
{
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status"
}

# --- run 1: under valgrind ---
setup 1
VG=$TRASH/vg
mkdir -p "$VG"
cat >"$TRASH/fcgi-valgrind" <<EOF
#!/bin/sh
exec $(command -v valgrind) --leak-check=full \\
    --errors-for-leak-kinds=definite --error-exitcode=99 \\
    --log-file=$VG/vg.%p.log "$PIRAEUS_FCGI" "\$@"
EOF
chmod +x "$TRASH/fcgi-valgrind"
PIRAEUS_FCGI_REAL=$PIRAEUS_FCGI
PIRAEUS_FCGI=$TRASH/fcgi-valgrind
serve_lighttpd "$TRASH/serve1.log" "$S" "$T" "$TRASH/p1.ini" -- \
    --every-request --procs 1 --wait 120
PIRAEUS_FCGI=$PIRAEUS_FCGI_REAL
pid1=$(responder "$T")
is "$(echo $pid1 | wc -w | tr -d ' ')" 1 "valgrind: one responder ($pid1)"

: >"$TRASH/codes"
t0=$(date +%s)
b=0
while [ "$b" -lt 10 ]; do
	batch "$b"
	b=$((b + 1))
done
t1=$(date +%s)
diag "1000 requests under valgrind: $((t1 - t0)) s"
is "$(wc -l <"$TRASH/codes" | tr -d ' ')" 1000 "valgrind: 1000 answers"
bad=$(awk '$2 != $3' "$TRASH/codes")
is "$(printf '%s' "$bad" | grep -c .)" 0 \
    "valgrind: every status as the workload says" ||
    printf '%s\n' "$bad" | sort | uniq -c | head -n 20 | while read -r l; do
	diag "$l"; done
diag "statuses: $(awk '{ print $3 }' "$TRASH/codes" | sort | uniq -c |
    tr -s ' \n' ' ')"
is "$(responder "$T")" "$pid1" "valgrind: the same responder served all"
ok "valgrind: the first round fetched the misses" \
    test -f "$S/github.com/fixture/mono/sub/@v/v1.0.0.zip"

kill -TERM "$SERVE_PID"
i=0
while kill -0 "$SERVE_PID" 2>/dev/null && [ "$i" -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
nok "valgrind: serve stopped" kill -0 "$SERVE_PID" 2>/dev/null
log=$VG/vg.$pid1.log
ok "valgrind: its log is there" test -s "$log"
wait_line "$log" 'ERROR SUMMARY' 30
like "$(cat "$log")" 'ERROR SUMMARY: 0 errors' "valgrind: ERROR SUMMARY: 0 errors"
if grep -q 'definitely lost:' "$log"; then
	like "$(cat "$log")" 'definitely lost: 0 bytes' \
	    "valgrind: definitely lost: 0 bytes"
else
	like "$(cat "$log")" 'All heap blocks were freed|no leaks are possible' \
	    "valgrind: nothing lost"
fi
unlike "$(cat "$log")" 'Invalid (read|write)|uninitialised|Mismatched free' \
    "valgrind: no invalid access"
ls "$VG" | grep -v "^vg.$pid1.log\$" >"$TRASH/others"
is "$(cat "$TRASH/others")" "" "valgrind: no other responder started"
if [ "$_tl_failed" -ne 0 ]; then
	diag_file "$log"
	diag_file "$T/run/responder.log"
fi
diag "$(grep -E 'in use at exit|definitely|indirectly|ERROR SUMMARY' "$log" |
    sed 's/^==[0-9]*== *//' | tr '\n' ';')"

# --- run 2: RSS growth without valgrind ---
upstream_reset
upstream_fault "/github.com/fixture/nomod/@v/v1.0.0.info" status500
upstream_fault "/github.com/fixture/nomod/@v/list" status500
setup 2
serve_lighttpd "$TRASH/serve2.log" "$S" "$T" "$TRASH/p2.ini" -- \
    --every-request --procs 1
pid2=$(responder "$T")
is "$(echo $pid2 | wc -w | tr -d ' ')" 1 "growth: one responder ($pid2)"
: >"$TRASH/codes"
batch 0
r100=$(rss "$pid2")
b=1
while [ "$b" -lt 10 ]; do
	batch "$b"
	b=$((b + 1))
done
r1000=$(rss "$pid2")
is "$(awk '$2 != $3' "$TRASH/codes" | grep -c .)" 0 \
    "growth: every status as the workload says"
is "$(responder "$T")" "$pid2" "growth: the same responder served all"
diag "VmRSS after request 100: $r100 KiB, after 1000: $r1000 KiB"
ok "growth: VmRSS $r100 -> $r1000 KiB, under $GROWTH_KIB KiB more" \
    test $((r1000 - r100)) -lt "$GROWTH_KIB"
done_testing

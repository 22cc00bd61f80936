#!/bin/sh
# t0300-fcgi.t: the responder as a FastCGI server, driven by cgi-fcgi
# (libfcgi-bin): the same answers as CGI, many requests to one process
# without growth, a 100 MB zip streamed (small max RSS, as CGI and over
# FastCGI), fd-0 sockets from spawn-fcgi, and a clean SIGTERM.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need perl zip cgi-fcgi spawn-fcgi

S=$TRASH/storage
mkstore "$S"
use_config "$S" "$TRASH/state"
"$PIRAEUS" reindex > /dev/null

# Sanitizer builds: no quarantine, so RSS measures our allocations.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
export ASAN_OPTIONS
SOCK=$TRASH/fcgi.sock
start_bg "$TRASH/fcgi.log" "$PIRAEUS_FCGI" -s "unix:$SOCK"
FPID=$BG_PID
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ok "the responder listens on its socket" test -S "$SOCK"

# fcgi METHOD URI [VAR=VALUE...]: one request over FastCGI.
fcgi()
{
	_m=$1 _u=$2
	shift 2
	env REQUEST_METHOD="$_m" REQUEST_URI="$_u" GATEWAY_INTERFACE=CGI/1.1 \
	    "$@" cgi-fcgi -bind -connect "$SOCK" </dev/null > "$TRASH/raw"
	_cgi_split
}

for u in /example.com/m/@v/list /example.com/m/@v/v1.0.0.info \
    /example.com/m/@v/v1.0.0.mod /example.com/m/@v/v1.0.0.zip \
    /example.com/m/@latest '/example.com/%21upper/@v/v1.0.0.zip' \
    /example.com/m/@v/v1.9.9.info /github.com/@v/list /catalog \
    '/index?limit=3' /healthz /readyz /version /nope; do
	# One request id for both: the id is echoed, the rest must match.
	cgi GET "$u" HTTP_X_REQUEST_ID=t0300
	cp "$TRASH/body" "$TRASH/body.cgi"
	c_hdr=$HDR
	fcgi GET "$u" HTTP_X_REQUEST_ID=t0300
	is "$HDR" "$c_hdr" "fcgi $u: same headers as CGI"
	ok "fcgi $u: same body as CGI" cmp -s "$TRASH/body" "$TRASH/body.cgi"
done
fcgi HEAD /example.com/m/@v/v1.0.0.zip
is "$STATUS" 200 "fcgi HEAD zip"
is "$(wc -c < "$TRASH/body" | tr -d ' ')" 0 "fcgi HEAD has no body"

# Many requests to one process: its memory must not grow with them.
rss()
{
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"
}
child=$FPID
for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	fcgi GET /example.com/m/@v/v1.0.0.zip
done
rss0=$(rss "$child")
n=0
fails=0
while [ $n -lt 1000 ]; do
	case $((n % 4)) in
	0) u=/example.com/m/@v/list ;;
	1) u=/example.com/m/@v/v1.0.0.zip ;;
	2) u=/example.com/m/@latest ;;
	3) u=/bad/@v/%zz ;;
	esac
	env REQUEST_METHOD=GET REQUEST_URI="$u" cgi-fcgi -bind -connect "$SOCK" \
	    </dev/null > /dev/null 2>&1 || fails=$((fails + 1))
	n=$((n + 1))
done
is "$fails" 0 "1000 requests to one process all answered"
rss1=$(rss "$child")
diag "RSS before $rss0 kB, after 1000 requests $rss1 kB"
ok "memory does not grow with requests (< 2 MB)" test $((rss1 - rss0)) -lt 2048
ok "the same process served them all" kill -0 "$FPID"

kill -TERM "$FPID"
i=0
while kill -0 "$FPID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
nok "SIGTERM stops the responder" kill -0 "$FPID"
unlike "$(cat "$TRASH/fcgi.log")" 'Sanitizer|runtime error' "no sanitizer report (leaks included) from the responder"

# spawn-fcgi hands over fd 0, as lighttpd bin-path and systemd do.
SOCK=$TRASH/spawn.sock
spawn-fcgi -n -s "$SOCK" -- "$PIRAEUS_FCGI" > "$TRASH/spawn.log" 2>&1 &
SPID=$!
at_exit "kill $SPID 2>/dev/null"
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
fcgi GET /example.com/m/@v/list
is "$STATUS" 200 "spawn-fcgi: FastCGI on fd 0"
kill -TERM "$SPID"
wait "$SPID" 2>/dev/null
nok "spawn-fcgi child stopped" kill -0 "$SPID"

# A 100 MB zip (incompressible, stored) served by the responder itself
# ([server] sendfile = off, the default) is streamed, never loaded whole:
# the max RSS of piraeus.fcgi, from GNU time's wait4() of its direct child,
# stays far below the zip's size, as CGI and over FastCGI.  (No reindex:
# a zip is served from the tree; the index only gives it a strong ETag.)

# big_split: $TRASH/raw into HDR, STATUS and $TRASH/body, streaming.
big_split()
{
	perl -e '
	    binmode STDIN;
	    { local $/ = "\r\n\r\n"; $h = <STDIN>; }
	    $h =~ s/\r\n\r\n$//; $h =~ s/\r//g;
	    open(my $f, ">", $ARGV[1]) or die; print $f "$h\n"; close $f;
	    open($f, ">", $ARGV[0]) or die; binmode $f;
	    print $f $b while read(STDIN, $b, 1 << 20);
	    close $f or die;
	' "$TRASH/body" "$TRASH/hdr" < "$TRASH/raw"
	HDR=$(cat "$TRASH/hdr")
	STATUS=$(hdr Status | cut -d' ' -f1)
}

# big_check HOW RSSFILE: the answer in $TRASH/raw and the RSS in RSSFILE.
big_check()
{
	big_split
	rm -f "$TRASH/raw"
	is "$STATUS" 200 "$1 100 MB zip: 200"
	is "$(hdr Content-Length)" "$BIGSZ" "$1 100 MB zip: Content-Length"
	is_file "$TRASH/body" "$BIG" "$1 100 MB zip: the stored bytes"
	rm -f "$TRASH/body"
	_kb=$(tail -n 1 "$2")
	diag "$1 100 MB zip: piraeus.fcgi max RSS $_kb kB"
	case $_kb in
	'' | *[!0-9]*) _kb=999999999 ;;	# no number: time failed
	esac
	ok "$1 100 MB zip: max RSS < $BIGRSS kB (streamed, not loaded)" \
	    test "$_kb" -lt "$BIGRSS"
}

BIGRSS=48000
if [ ! -x /usr/bin/time ] && [ "${PIRAEUS_REQUIRE_INTEG:-0}" = 1 ]; then
	fail "required command missing: /usr/bin/time (GNU time)"
elif [ ! -x /usr/bin/time ]; then
	skip "100 MB zip streamed" "/usr/bin/time (GNU time) not installed"
else
	BIGD=$S/example.com/big/@v
	BIG=$BIGD/v1.0.0.zip
	mkdir -p "$BIGD" "$TRASH/bigzip/example.com/big@v1.0.0"
	printf 'module example.com/big\n' > "$BIGD/v1.0.0.mod"
	cp "$BIGD/v1.0.0.mod" "$TRASH/bigzip/example.com/big@v1.0.0/go.mod"
	head -c 100000000 /dev/urandom \
	    > "$TRASH/bigzip/example.com/big@v1.0.0/blob.bin"
	(cd "$TRASH/bigzip" && zip -q -0 -X -D -r "$BIG.tmp" .)
	rm -rf "$TRASH/bigzip"
	mv "$BIG.tmp" "$BIG"
	printf '{"Version":"v1.0.0","Time":"2021-01-01T00:00:00Z"}\n' \
	    > "$BIGD/v1.0.0.info"
	BIGSZ=$(wc -c < "$BIG" | tr -d ' ')

	# CGI: time's child is piraeus.fcgi itself (env execs it).
	env REQUEST_METHOD=GET REQUEST_URI=/example.com/big/@v/v1.0.0.zip \
	    GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
	    /usr/bin/time -f %M -o "$TRASH/rss.cgi" "$PIRAEUS_FCGI" \
	    </dev/null > "$TRASH/raw" 2>> "$TRASH/stderr"
	big_check CGI "$TRASH/rss.cgi"

	# FastCGI: time's child (the piraeus.fcgi process) gets the SIGTERM,
	# so that time outlives it and reports.
	SOCK=$TRASH/big.sock
	start_bg "$TRASH/big.log" /usr/bin/time -f %M -o "$TRASH/rss.fcgi" \
	    "$PIRAEUS_FCGI" -s "unix:$SOCK"
	TPID=$BG_PID
	i=0
	while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	child=$(cat "/proc/$TPID/task/$TPID/children" 2>/dev/null | tr -d ' ')
	[ -n "$child" ] || child=$(pgrep -P "$TPID" 2>/dev/null)
	is "$(cat "/proc/$child/comm" 2>/dev/null)" piraeus.fcgi \
	    "time measures the piraeus.fcgi process itself"
	env REQUEST_METHOD=GET REQUEST_URI=/example.com/big/@v/v1.0.0.zip \
	    GATEWAY_INTERFACE=CGI/1.1 cgi-fcgi -bind -connect "$SOCK" \
	    </dev/null > "$TRASH/raw"
	[ -n "$child" ] && kill -TERM "$child"
	i=0	# time writes its report once the responder has exited
	while [ ! -s "$TRASH/rss.fcgi" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	stop_bg "$TPID"
	big_check FastCGI "$TRASH/rss.fcgi"
	unlike "$(cat "$TRASH/big.log")" 'Sanitizer|runtime error' \
	    "no sanitizer report from the 100 MB zip responder"
	rm -rf "$S/example.com/big"
fi

done_testing

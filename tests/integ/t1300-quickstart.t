#!/bin/sh
# t1300-quickstart.t: README command 1.  contrib/quickstart writes a
# configuration, reindexes the storage it is given, prints the GOPROXY
# line, serves on 127.0.0.1 (port 3000 by default) through lighttpd, nginx
# or apache with PIRAEUS_* variables and --upstream reaching the
# responders, and stops everything on SIGTERM and on SIGINT.  (It is given
# the built responder with --fcgi: its own build step writes to the
# source tree, which make distcheck keeps read-only.)
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need lighttpd curl perl zip

S=$TRASH/data/storage
mkstore "$S"
printf 'quickstart home: {{GOPROXY}}\n' > "$TRASH/home.tmpl"
PIRAEUS_SERVER_HOME_TEMPLATE=$TRASH/home.tmpl
export PIRAEUS_SERVER_HOME_TEMPLATE

code()
{
	curl -s -o /dev/null -w '%{http_code}' "$1"
}


# qs_up NAME PORT [ARG...]: start quickstart on the storage $S and the
# state $TRASH/NAME, with --port PORT unless PORT is empty (then 3000 is
# expected), log in $TRASH/NAME.log.  Sets QN, QPID, QPORT, QURL, QLOG and
# QT (the state directory as quickstart resolves it).  Fails, showing the
# log, when it does not come up within 60 s.
qs_up()
{
	QN=$1 QPORT=$2
	shift 2
	if [ -n "$QPORT" ]; then
		set -- --port "$QPORT" "$@"
	else
		QPORT=3000
	fi
	QT=$TRASH/$QN QLOG=$TRASH/$QN.log QURL=http://127.0.0.1:$QPORT
	start_bg "$QLOG" "$top_srcdir/contrib/quickstart" \
	    --fcgi "$PIRAEUS_FCGI" --storage "$S" --state "$QT" "$@"
	QPID=$BG_PID
	if wait_line "$QLOG" "serving on http://127\.0\.0\.1:$QPORT/" 60 "$QPID"
	then
		QT=$(cd "$QT" && pwd -P)
		at_exit reap_state "$QT"
		return 0
	fi
	diag_file "$QLOG"
	return 1
}

# qs_running SERVER: the web server and the responders of the run are seen
# (so that quickstart_down's "nothing is left" means something).
qs_running()
{
	_ps=$(procs_of "$QT")
	like "$_ps" " $1\$" "$QN: its $1 runs"
	like "$_ps" ' piraeus\.fcgi$' "$QN: its responders run"
}

# have_server NAME CMD...: the commands a --server needs are installed;
# else a skip (a failure with PIRAEUS_REQUIRE_INTEG=1) and false.
have_server()
{
	_n=$1
	shift
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 && continue
		if [ "${PIRAEUS_REQUIRE_INTEG:-0}" = 1 ]; then
			fail "--server $_n: $_c is missing (PIRAEUS_REQUIRE_INTEG=1)"
		else
			skip "--server $_n" "$_c not installed"
		fi
		return 1
	done
}

# --- lighttpd, the defaults, SIGTERM ---------------------------------------

PORT=$(free_port) || bail_out "no free port"
if ! qs_up lighttpd "$PORT"; then
	fail "quickstart comes up"
	done_testing
fi
T=$QT
pass "quickstart comes up on 127.0.0.1:$PORT"
like "$(cat "$QLOG")" "^export GOPROXY=http://127\.0\.0\.1:$PORT\$" "prints the GOPROXY line"
ok "writes a configuration into the state directory" test -f "$T/piraeus.ini"
ok "the configuration is valid" env PIRAEUS_CONFIG="$T/piraeus.ini" "$PIRAEUS" check-config
is "$(sed -n 's/^goproxy = //p' "$T/piraeus.ini")" "https://proxy.golang.org,direct" \
    "its upstream is the default one"
ok "the index was built" test -s "$T/index.sqlite"

URL=$QURL
is "$(curl -s "$URL/example.com/m/@v/list")" "v1.0.0
v1.1.0
v1.2.0-rc.1" "serves the storage it was given"
is "$(code "$URL/example.com/m/@v/v1.0.0.zip")" 200 "static zip"
is "$(curl -s "$URL/catalog?pagesize=1")" '{"modules":[{"module":"example.com/Upper","version":"v1.0.0"}],"next":"example.com/!upper@v1.0.0"}' "catalog from the index it built"
is "$(curl -s -H "Host: proxy.example:$PORT" "$URL/")" "quickstart home: http://proxy.example:$PORT" \
    "PIRAEUS_* variables reach the responders"
ok "listens on 127.0.0.1 only" sh -c "! ss -Hltn 'sport = :$PORT' | grep -qv '127.0.0.1:$PORT'"
# What quickstart tells about checksums: the go command's lookups go
# through the proxy, which says it proxies sum.golang.org.
is "$(code "$URL/sumdb/sum.golang.org/supported")" 200 \
    "it proxies sum.golang.org for the go command, as it says"
unlike "$(cat "$QLOG")" 'answers 404 under /sumdb/' "and does not say otherwise"
qs_running lighttpd
quickstart_down TERM

# --- --upstream reaches the responders; SIGINT --------------------------------

# A dead upstream: a version missing from storage is fetched from it and
# that fails (502/504), where "off" would say 404.  (Verification against
# sum.golang.org comes after a fetch, so none happens.)
PORT=$(free_port) || bail_out "no free port"
if qs_up upstream "$PORT" --upstream http://127.0.0.1:1; then
	pass "upstream: quickstart --upstream comes up"
	is "$(sed -n 's/^goproxy = //p' "$QT/piraeus.ini")" "http://127.0.0.1:1" \
	    "upstream: the upstream goes into the new piraeus.ini"
	is "$(env PIRAEUS_CONFIG="$QT/piraeus.ini" "$PIRAEUS" check-config -v |
	    sed -n 's/^goproxy = //p')" "http://127.0.0.1:1" \
	    "upstream: and check-config -v reads it from there"
	like "$(code "$QURL/example.com/m/@v/v1.3.0.info")" '^50[24]$' \
	    "upstream: a version missing from storage is a gateway error, not 404"
	like "$(code "$QURL/example.com/absent/@v/v1.0.0.zip")" '^50[24]$' \
	    "upstream: so is a module missing from storage"
	like "$(cat "$QT"/run/*.log)" 'http://127\.0\.0\.1:1/example\.com/m/@v/v1\.3\.0\.' \
	    "upstream: the responder tried http://127.0.0.1:1"
	is "$(code "$QURL/example.com/m/@v/v1.0.0.info")" 200 \
	    "upstream: what storage holds is still served"
	qs_running lighttpd
	quickstart_down INT
else
	fail "upstream: quickstart --upstream comes up"
fi

# --- nginx and apache ---------------------------------------------------------

for srv in nginx:nginx apache:apache2; do
	name=${srv%%:*}
	have_server "$name" "${srv#*:}" spawn-fcgi || continue
	PORT=$(free_port) || bail_out "no free port"
	if ! qs_up "$name" "$PORT" --server "$name"; then
		fail "$name: quickstart --server $name comes up"
		continue
	fi
	pass "$name: quickstart --server $name comes up"
	is "$(code "$QURL/example.com/m/@v/v1.0.0.zip")" 200 "$name: static zip"
	is "$(code "$QURL/example.com/m/@v/list")" 200 "$name: @v/list"
	is "$(curl -s "$QURL/example.com/m/@v/list")" "v1.0.0
v1.1.0
v1.2.0-rc.1" "$name: @v/list of the storage it was given"
	ok "$name: listens on 127.0.0.1 only" sh -c "! ss -Hltn 'sport = :$PORT' | grep -qv '127.0.0.1:$PORT'"
	qs_running "${srv#*:}"
	quickstart_down TERM
done

# --- contrib/serve and signals ------------------------------------------------

# sv_up NAME FCGI: contrib/serve (lighttpd, one responder FCGI) on the
# storage $S and the state $TRASH/NAME, in the background; its environment
# names the state directory so that procs_of finds serve and its helpers.
sv_up()
{
	QN=$1 QT=$TRASH/$1 QLOG=$TRASH/$1.log
	QPORT=$(free_port) || bail_out "no free port"
	mkdir -p "$QT"
	QT=$(cd "$QT" && pwd -P)
	start_bg "$QLOG" env PIRAEUS_STATE_DIR="$QT" \
	    "$top_srcdir/contrib/serve" --server lighttpd --port "$QPORT" \
	    --storage "$S" --state "$QT" --fcgi "$2" --procs 1
	QPID=$BG_PID
	at_exit reap_state "$QT"
}

# gone_within SECS PID: PID has exited (its status in $GONE_ST) within SECS.
gone_within()
{
	_i=0
	while kill -0 "$2" 2>/dev/null && [ $_i -lt $(($1 * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -0 "$2" 2>/dev/null && return 1
	wait "$2"
	GONE_ST=$?
	return 0
}

# SIGTERM while serve probes /healthz: a responder slow to start (a wrapper
# that sleeps 1.5 s before it execs piraeus.fcgi) holds the probe's request;
# the signal comes 0.4 s after lighttpd started it.  serve must stop at
# once, not finish the probe, say "serving" and then wait for ever.
SLOW=$TRASH/slow.fcgi
cat >"$SLOW" <<EOF
#!/bin/sh
: >>"$TRASH/slow.started"
sleep 1.5
exec "$PIRAEUS_FCGI" "\$@"
EOF
chmod +x "$SLOW"
sv_up probe "$SLOW"
_i=0
while [ ! -e "$TRASH/slow.started" ] && [ $_i -lt 200 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
ok "probe: lighttpd starts the slow responder" test -e "$TRASH/slow.started"
sleep 0.4
kill -TERM "$QPID"
if gone_within 10 "$QPID"; then
	is "$GONE_ST" 0 "probe: SIGTERM during the start-up probe stops serve (status 0)"
else
	fail "probe: SIGTERM during the start-up probe stops serve"
	diag_file "$QLOG"
fi
unlike "$(cat "$QLOG")" 'serving on' "probe: the probe was cut short, not finished"
is "$(procs_of "$QT")" "" "probe: no web server, responder or helper is left"
nok "probe: nothing listens on its port any more" port_in_use "$QPORT"

# SIGKILL to serve once it serves: serve cannot trap it; its watchdog stops
# lighttpd and the responders within a few seconds and exits too.
sv_up kill "$PIRAEUS_FCGI"
if wait_line "$QLOG" "serving on http://127\.0\.0\.1:$QPORT/" 60 "$QPID"; then
	qs_running lighttpd
	kill -KILL "$QPID"
	wait "$QPID" 2>/dev/null
	_i=0
	while [ -n "$(procs_of "$QT")" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	is "$(procs_of "$QT")" "" "kill: within 5 s of SIGKILL to serve nothing of it is left"
	nok "kill: nothing listens on its port any more" port_in_use "$QPORT"
else
	fail "kill: serve comes up"
	diag_file "$QLOG"
fi

# --- the default port ---------------------------------------------------------

# Only when 3000 is free, reserved like free_port's ports so that a parallel
# run of this test does not take it too.
P3=$(_tl_portdir 3000)
if ! mkdir "$P3" 2>/dev/null; then
	o=$(cat "$P3/owner" 2>/dev/null)
	[ -n "$o" ] && ! kill -0 "$o" 2>/dev/null || P3=
fi
if [ -n "$P3" ]; then
	echo "$$" > "$P3/owner"
fi
if [ -z "$P3" ] || port_in_use 3000; then
	skip "port 3000 by default" "port 3000 is in use here"
elif qs_up default ""; then
	pass "default: without --port it serves on 127.0.0.1:3000"
	like "$(cat "$QLOG")" '^export GOPROXY=http://127\.0\.0\.1:3000$' \
	    "default: prints the GOPROXY line for port 3000"
	is "$(curl -s "$QURL/example.com/m/@v/list")" "v1.0.0
v1.1.0
v1.2.0-rc.1" "default: serves the storage on port 3000"
	quickstart_down TERM
else
	fail "default: without --port it serves on 127.0.0.1:3000"
fi

done_testing

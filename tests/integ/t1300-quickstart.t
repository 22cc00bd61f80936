#!/bin/sh
# t1300-quickstart.t: README command 1.  contrib/quickstart writes a
# configuration, reindexes the storage it is given, prints the GOPROXY
# line, serves on 127.0.0.1 through lighttpd with PIRAEUS_* variables
# reaching the responders, and stops everything on SIGTERM.  (It is given
# the built responder with --fcgi: its own build step writes to the
# source tree, which make distcheck keeps read-only.)
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need lighttpd curl perl zip

S=$TRASH/data/storage
T=$TRASH/data/state
mkstore "$S"
printf 'quickstart home: {{GOPROXY}}\n' > "$TRASH/home.tmpl"
PORT=$(free_port) || bail_out "no free port"
PIRAEUS_SERVER_HOME_TEMPLATE=$TRASH/home.tmpl
export PIRAEUS_SERVER_HOME_TEMPLATE
start_bg "$TRASH/qs.log" "$top_srcdir/contrib/quickstart" \
    --fcgi "$PIRAEUS_FCGI" --port "$PORT" --storage "$S" --state "$T"
QPID=$BG_PID
if ! wait_line "$TRASH/qs.log" "serving on http://127\.0\.0\.1:$PORT/" 60 "$QPID"; then
	fail "quickstart comes up"
	diag_file "$TRASH/qs.log"
	done_testing
fi
pass "quickstart comes up on 127.0.0.1:$PORT"
like "$(cat "$TRASH/qs.log")" "^export GOPROXY=http://127\.0\.0\.1:$PORT\$" "prints the GOPROXY line"
ok "writes a configuration into the state directory" test -f "$T/piraeus.ini"
ok "the configuration is valid" env PIRAEUS_CONFIG="$T/piraeus.ini" "$PIRAEUS" check-config
ok "the index was built" test -s "$T/index.sqlite"

URL=http://127.0.0.1:$PORT
is "$(curl -s "$URL/example.com/m/@v/list")" "v1.0.0
v1.1.0
v1.2.0-rc.1" "serves the storage it was given"
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/example.com/m/@v/v1.0.0.zip")" 200 "static zip"
is "$(curl -s "$URL/catalog?pagesize=1")" '{"modules":[{"module":"example.com/Upper","version":"v1.0.0"}],"next":"example.com/!upper@v1.0.0"}' "catalog from the index it built"
is "$(curl -s -H "Host: proxy.example:$PORT" "$URL/")" "quickstart home: http://proxy.example:$PORT" \
    "PIRAEUS_* variables reach the responders"
ok "listens on 127.0.0.1 only" sh -c "! ss -Hltn 'sport = :$PORT' | grep -qv '127.0.0.1:$PORT'"

kill -TERM "$QPID"
i=0
while kill -0 "$QPID" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
nok "SIGTERM stops quickstart" kill -0 "$QPID"
sleep 0.2
nok "nothing of it is left running" kill -0 "-$QPID"
nok "nothing listens on the port any more" port_in_use "$PORT"

done_testing

#!/bin/sh
# t1850-observe.t: logs, metrics and the status page with real lighttpd
# (every request through two FastCGI responders, files sent by
# X-Sendfile), a fake upstream, Prometheus's own parser (promtool) and
# headless Chromium.
#   - one JSON access line per request: a hit, a miss (fetched), a 404, a
#     403 (nosum lookup) and a hostile path (quotes, braces, backslash,
#     bad UTF-8: logged as sent); each line parses;
#     the outcome, status, module, version and request id are the
#     pipeline's; X-Request-Id echoed (the client's, else a generated one)
#   - /metrics passes `promtool check metrics`; the counters move by
#     exactly the requests made, across the two FastCGI processes and a
#     third (CGI) process sharing the state directory; storage figures
#     are the index's
#   - /status in Chromium: the figures and the fetched version are shown;
#     both pages are no-store
#   - with [access] on, /metrics and /status need an authenticated user
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need lighttpd go curl jq promtool
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY

U=$TRASH/upstream
S=$TRASH/storage
T=$TRASH/state
mkstore "$U"
mkstore "$S"
mkdir -p "$T"
# The miss: a version upstream has and storage does not.
rm -f "$S"/example.com/m/@v/v1.2.0-rc.1.*
upstream_start "$U" || bail_out "cannot start the fake upstream"

LOG=$TRASH/piraeus.log
INI=$TRASH/p.ini
cat >"$INI" <<EOF
[server]
log_format = json
log_file = $LOG
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = $UPSTREAM_URL
[sumdb]
verify = no
nosum = example.com/secret
EOF
PIRAEUS_CONFIG=$INI "$PIRAEUS" reindex >"$TRASH/reindex.out" 2>&1 ||
	{ diag_file "$TRASH/reindex.out"; bail_out "reindex"; }

serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$INI" NO_PROXY=127.0.0.1 \
    -- --every-request

# get PATH [CURL ARGS...]: CODE, HDRS (file), BODY (file).
get()
{
	_p=$1
	shift
	CODE=$(curl -s -g -o "$TRASH/body" -D "$TRASH/hdrs" \
	    -w '%{http_code}' "$@" "$URL$_p")
}
hdrval()
{
	tr -d '\r' < "$TRASH/hdrs" | sed -n "s/^$1: //Ip" | head -1
}
# line RID: the access line of request id RID.
line()
{
	jq -c "select(.type == \"access\" and .request_id == \"$1\")" "$LOG"
}
# field RID KEY
field()
{
	line "$1" | jq -r ".$2"
}

# --- access lines ---
get /example.com/m/@v/v1.0.0.info -H 'X-Request-Id: t1850-hit'
is "$CODE" 200 "hit: 200"
is "$(hdrval X-Request-Id)" t1850-hit "hit: the client's request id echoed"
is "$(line t1850-hit | wc -l)" 1 "hit: one access line"
is "$(field t1850-hit outcome)" hit "hit: outcome hit"
is "$(field t1850-hit status)" 200 "hit: status 200"
is "$(field t1850-hit module)@$(field t1850-hit version)" \
    example.com/m@v1.0.0 "hit: module and version"
is "$(field t1850-hit bytes)" "$(wc -c < "$S/example.com/m/@v/v1.0.0.info" |
    tr -d ' ')" "hit: bytes are the file's (sent by lighttpd)"
is "$(field t1850-hit method) $(field t1850-hit endpoint)" "GET info" \
    "hit: method and endpoint"
like "$(field t1850-hit duration_us)" '^[0-9]+$' "hit: a duration"

get /example.com/m/@v/v1.2.0-rc.1.info -H 'X-Request-Id: t1850-miss'
is "$CODE" 200 "miss: 200"
is "$(field t1850-miss outcome)" fetched "miss: outcome fetched"
is "$(upstream_count /example.com/m/@v/v1.2.0-rc.1.info)" 1 \
    "miss: upstream asked once"

get /example.com/m/@v/v9.9.9.info -H 'X-Request-Id: t1850-404'
is "$CODE" 404 "unknown version: 404"
is "$(field t1850-404 outcome)" notfound "404: outcome notfound"
is "$(field t1850-404 status)" 404 "404: status in the line"

get /sumdb/sum.golang.org/lookup/example.com/secret@v1.0.0 \
    -H 'X-Request-Id: t1850-403'
is "$CODE" 403 "nosum lookup: 403"
is "$(field t1850-403 outcome)" denied "403: outcome denied"
is "$(field t1850-403 endpoint)" sumdb "403: endpoint sumdb"

get /example.com/m/@v/v1.0.0.mod
rid=$(hdrval X-Request-Id)
like "$rid" '^[0-9a-f]{16}$' "no id sent: one generated and echoed"
is "$(field "$rid" outcome)" hit "the generated id is in the access line"

# A hostile id is not echoed; a hostile path is escaped.
get /example.com/m/@v/v1.0.0.mod -H 'X-Request-Id: a"b<c>'
unlike "$(hdrval X-Request-Id)" '[<">]' "a hostile id is replaced"
get '/example.com/m/@v/%22%7D%7B%5C%C3%28.info' -H 'X-Request-Id: t1850-bad'
is "$CODE" 404 "hostile path: 404"
like "$(field t1850-bad path)" '^/example.com/m/@v/%22%7D%7B%5C%C3%28.info$' \
    "hostile path: logged as sent"
ok "every line of the log is one JSON object" \
    sh -c "jq -e 'type == \"object\"' '$LOG' >/dev/null"
is "$(jq -r 'select(.type == "access") | .request_id' "$LOG" |
    grep -c '^t1850-')" 5 "one access line per request (5 with our ids)"

# --- /metrics ---
# metric NAME{LABELS}: its value in the last scrape (0 when absent).
scrape()
{
	get /metrics
	cp "$TRASH/body" "$TRASH/metrics.$1"
}
metric()
{
	awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' \
	    "$TRASH/metrics.$1"
}
scrape a
is "$CODE" 200 "metrics: 200"
like "$(hdrval Content-Type)" '^text/plain; version=0\.0\.4' \
    "metrics: the exposition's content type"
is "$(hdrval Cache-Control)" no-store "metrics: no-store"
promtool check metrics < "$TRASH/metrics.a" >"$TRASH/promtool.out" 2>&1
ok $? "promtool check metrics passes" || diag_file "$TRASH/promtool.out"
for m in piraeus_requests_total piraeus_fetches_total \
    piraeus_fetch_duration_seconds piraeus_singleflight_waits_total \
    piraeus_fetches_in_flight piraeus_cache_requests_total \
    piraeus_verification_failures_total piraeus_storage_bytes \
    piraeus_storage_versions; do
	like "$(cat "$TRASH/metrics.a")" "# TYPE $m " "metrics: $m"
done
UP="upstream=\"$UPSTREAM_URL\""
is "$(metric a "piraeus_fetches_total{$UP,result=\"ok\"}")" 1 \
    "metrics: one fetch ok from the upstream"
is "$(metric a "piraeus_fetches_total{$UP,result=\"notfound\"}")" 1 \
    "metrics: one fetch not found"
is "$(metric a "piraeus_fetch_duration_seconds_count{$UP}")" 2 \
    "metrics: two fetches in the histogram"
is "$(metric a piraeus_storage_versions)" \
    "$(find "$S" -name '*.info' | wc -l | tr -d ' ')" \
    "metrics: versions as stored (the fetched one included)"
zips=0
for z in $(find "$S" -name '*.zip'); do
	zips=$((zips + $(wc -c < "$z")))
done
is "$(metric a piraeus_storage_bytes)" "$zips" "metrics: storage bytes"

# Exactly the requests made, from three processes: 12 parallel hits
# through lighttpd's two responders, 3 from a CGI process.
K='piraeus_requests_total{endpoint="zip",status="200"}'
H='piraeus_cache_requests_total{result="hit"}'
i=0 cpids=
while [ $i -lt 12 ]; do
	curl -s -o /dev/null "$URL/example.com/m/@v/v1.0.0.zip" &
	cpids="$cpids $!"
	i=$((i + 1))
done
for p in $cpids; do
	wait "$p"
done
for i in 1 2 3; do
	cgi GET /example.com/m/@v/v1.0.0.zip PIRAEUS_CONFIG="$INI"
done
is "$STATUS" 200 "the CGI process answers"
scrape b
is "$(( $(metric b "$K") - $(metric a "$K") ))" 15 \
    "metrics: zip 200 moved by exactly 15"
# (the hits of b also count the .mod requests above: only zips since a)
is "$(( $(metric b "$H") - $(metric a "$H") ))" 15 \
    "metrics: cache hits moved by exactly 15"
pids=$(jq -r 'select(.type == "access" and .endpoint == "zip") | .pid' \
    "$LOG" | sort -u | wc -l)
ok "the zips were answered by at least two processes ($pids)" \
    test "$pids" -ge 2
is "$(( $(metric b 'piraeus_requests_total{endpoint="metrics",status="200"}')
    - $(metric a 'piraeus_requests_total{endpoint="metrics",status="200"}') ))" \
    1 "metrics: the scrape counted once"

# --- /status ---
get /status
is "$CODE" 200 "status: 200"
is "$(hdrval Cache-Control)" no-store "status: no-store"
like "$(hdrval Content-Security-Policy)" "default-src 'none'" \
    "status: no external resources allowed"
unlike "$(cat "$TRASH/body")" '(src|href)="?(https?:)?//' \
    "status: no external resource referenced"
if command -v chromium >/dev/null 2>&1; then
	HOME=$TRASH timeout 60 chromium --headless --no-sandbox --disable-gpu \
	    --dump-dom "$URL/status" >"$TRASH/dom" 2>"$TRASH/chromium.err"
	ok $? "chromium loads /status" || diag_file "$TRASH/chromium.err"
	like "$(cat "$TRASH/dom")" '<h1>piraeus status</h1>' "chromium: title"
	like "$(cat "$TRASH/dom")" "<b>$(metric b piraeus_storage_versions)</b><span>versions</span>" \
	    "chromium: the versions figure"
	like "$(cat "$TRASH/dom")" '<b>[0-9.]+%</b><span>hit ratio</span>' \
	    "chromium: a hit ratio"
	like "$(cat "$TRASH/dom")" '<td data-label="Version">v1\.2\.0-rc\.1</td>' \
	    "chromium: the fetched version in the last fetches"
	like "$(cat "$TRASH/dom")" '<td data-label="Version">v9\.9\.9</td><td data-label="Upstream">[^<]*</td><td data-label="Result" class="bad">notfound' \
	    "chromium: the failed fetch under failures"
elif [ "${PIRAEUS_REQUIRE_INTEG:-0}" = 1 ]; then
	fail "chromium missing (PIRAEUS_REQUIRE_INTEG=1)"
else
	skip "chromium not installed: /status not loaded in a browser"
fi

# --- [access] on: operators' pages need a user ---
cgi GET /metrics PIRAEUS_CONFIG="$INI" PIRAEUS_ACCESS_TRUST_REMOTE_USER=yes
is "$STATUS" 401 "access on: anonymous /metrics is 401"
cgi GET /status PIRAEUS_CONFIG="$INI" PIRAEUS_ACCESS_TRUST_REMOTE_USER=yes
is "$STATUS" 401 "access on: anonymous /status is 401"
cgi GET /metrics PIRAEUS_CONFIG="$INI" PIRAEUS_ACCESS_TRUST_REMOTE_USER=yes \
    REMOTE_USER=alice
is "$STATUS" 200 "access on: an authenticated user gets /metrics"

# Under ASan/UBSan (build/asan) a report would be in the responders' logs.
unlike "$(cat "$T"/run/*.log "$LOG" 2>/dev/null)" \
    'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "no sanitizer report from the responders"

done_testing

#!/bin/sh
# t0400-fetch-cgi.t: fetch on miss decided per request, with file:// and
# unreachable upstreams (no servers needed): GOPROXY fall-through rules,
# download modes (none, redirect and async from Athens' HCL, given as
# custom:BASE64), network modes, and upstream files that must be refused.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need perl zip base64 sqlite3

UP=$TRASH/upstream
mkstore "$UP"
# Hostile upstream versions: a zip for another version, a lying .info.
mkver "$UP" example.com/m v1.3.0 v1.3.0 2020-09-01T00:00:00Z \
    'module example.com/m
' example.com/m go.mod='module example.com/m'
mkzip "$UP/example.com/m/@v/v1.3.0.zip" example.com/m@v1.2.9 \
    go.mod='module example.com/m'
mkver "$UP" example.com/m v1.4.0 v1.4.1 2020-09-02T00:00:00Z \
    'module example.com/m
' example.com/m go.mod='module example.com/m'
# A real upstream's list: tags (and a pseudo-version it should not send).
printf 'v1.0.0\nv1.1.0\nv1.2.0-rc.1\nv1.3.0\nv1.4.0\nv0.0.0-20200401000000-abcdefabcdef\n' \
    > "$UP/example.com/m/@v/list"
DEAD=http://127.0.0.1:1

S=$TRASH/storage
use_config "$S" "$TRASH/state"
export PIRAEUS_UPSTREAM_GOPROXY="file://$UP" PIRAEUS_SUMDB_VERIFY=no
export PIRAEUS_UPSTREAM_RETRIES=0 PIRAEUS_UPSTREAM_CONNECT_TIMEOUT=2

cgi GET /example.com/m/@v/v1.0.0.info
is "$STATUS" 200 "a miss is fetched (sync)"
ok "the upstream's .info is stored" cmp -s "$S/example.com/m/@v/v1.0.0.info" "$UP/example.com/m/@v/v1.0.0.info"
ok "with its zip" cmp -s "$S/example.com/m/@v/v1.0.0.zip" "$UP/example.com/m/@v/v1.0.0.zip"
is "$(find "$S/.tmp" -type f | wc -l | tr -d ' ')" 0 "no temporary file left"
cgi GET /example.com/m/@v/v1.1.0.mod
is "$STATUS" 200 "a .mod miss fetches the .mod"
ok "the .mod alone is stored (graph loads need no zip)" test -f "$S/example.com/m/@v/v1.1.0.mod"
nok "no .info for a .mod-only fetch" test -e "$S/example.com/m/@v/v1.1.0.info"
cgi GET /example.com/m/@v/v1.1.0.zip
is "$STATUS" 200 "the zip later completes the version"
ok "now with its .info" test -f "$S/example.com/m/@v/v1.1.0.info"
cgi GET /example.com/m/@v/list
is "$(cat "$TRASH/body")" "v1.0.0
v1.1.0
v1.2.0-rc.1
v1.3.0
v1.4.0" "list: storage and upstream merged, no pseudo-versions"

cgi GET /example.com/m/@v/v1.3.0.zip
is "$STATUS" 502 "a zip for another version is refused"
like "$(cat "$TRASH/body")" 'unexpected file' "and the body says why"
nok "nothing of it is stored" test -e "$S/example.com/m/@v/v1.3.0.zip"
cgi GET /example.com/m/@v/v1.4.0.info
is "$STATUS" 502 "an .info naming another version is refused"
nok "nothing of it is stored" test -e "$S/example.com/m/@v/v1.4.0.info"
cgi GET /example.com/m/@v/v1.9.0.info
is "$STATUS" 404 "upstream not found is 404"
like "$(head -n 1 "$TRASH/body")" '^not found: example.com/m@v1.9.0: ' "with the convention's body"

# GOPROXY fall-through: "|" on any error, "," on not found only.
cgi GET /example.com/pseudo/@v/v0.0.0-20200701000000-0123456789ab.zip \
    PIRAEUS_UPSTREAM_GOPROXY="$DEAD|file://$UP"
is "$STATUS" 200 "'|' falls through a dead upstream"
cgi GET /example.com/nomod/@v/v3.0.0+incompatible.zip \
    PIRAEUS_UPSTREAM_GOPROXY="$DEAD,file://$UP"
is "$STATUS" 502 "',' does not fall through a dead upstream"
cgi GET /example.com/nomod/@v/v3.0.0+incompatible.zip \
    PIRAEUS_UPSTREAM_GOPROXY="file://$TRASH/empty,file://$UP"
is "$STATUS" 200 "',' falls through a not-found"
cgi GET /example.com/m/v2/@v/v2.0.0.info PIRAEUS_UPSTREAM_GOPROXY=off
is "$STATUS" 404 "GOPROXY=off: a miss is 404"

# Network modes for list when upstream fails: UP2 answers, then its list
# grows past the cap (a failure, not a "not found").
UP2=$TRASH/upstream2
mkdir -p "$UP2/example.com/m/@v"
cp "$UP/example.com/m/@v/list" "$UP2/example.com/m/@v/list"
cgi GET /example.com/m/@v/list PIRAEUS_UPSTREAM_GOPROXY="file://$UP2"
is "$STATUS" 200 "a list from another upstream"
truncate -s 17M "$UP2/example.com/m/@v/list"
cgi GET /example.com/m/@v/list PIRAEUS_UPSTREAM_GOPROXY="file://$UP2" \
    PIRAEUS_UPSTREAM_NETWORK_MODE=strict PIRAEUS_UPSTREAM_LIST_TTL=0
is "$STATUS" 502 "strict: a failing upstream list is an error"
cgi GET /example.com/m/@v/list PIRAEUS_UPSTREAM_GOPROXY="file://$UP2" \
    PIRAEUS_UPSTREAM_NETWORK_MODE=fallback PIRAEUS_UPSTREAM_LIST_TTL=0
is "$STATUS" 200 "fallback: the list is served anyway"
like "$(cat "$TRASH/body")" 'v1.3.0' "fallback: the last good upstream answer is kept"
cgi GET /example.com/m/@v/list PIRAEUS_UPSTREAM_GOPROXY="$DEAD" \
    PIRAEUS_UPSTREAM_NETWORK_MODE=fallback PIRAEUS_UPSTREAM_LIST_TTL=0
is "$STATUS" 200 "fallback, a dead upstream: the list is served anyway"
unlike "$(cat "$TRASH/body")" 'v1.3.0' "but not from another upstream's answer"
cgi GET /example.com/m/v2/@v/v2.0.0.info PIRAEUS_UPSTREAM_NETWORK_MODE=offline
is "$STATUS" 404 "offline: no fetch"
like "$(cat "$TRASH/body")" 'offline' "offline: the body says so"
cgi GET /example.com/m/v2/@v/v2.0.0.info HTTP_DISABLE_MODULE_FETCH=true
is "$STATUS" 404 "Disable-Module-Fetch: no fetch"

# Download modes, from Athens' HCL as custom:BASE64.
hcl=$(printf '%s\n' 'downloadURL = "https://proxy.example"' \
    'mode = "sync"' \
    'download "example.com/m/*" { mode = "redirect" }' \
    'download "example.com/Upper" { mode = "none" }' \
    'download "example.com/pseudo" { mode = "async" }' | base64 -w0)
cgi GET /example.com/m/v2/@v/v2.0.0.info \
    PIRAEUS_UPSTREAM_DOWNLOAD_MODE="custom:$hcl" PIRAEUS_SERVER_BASE_PATH=/go \
    REQUEST_URI=/go/example.com/m/v2/@v/v2.0.0.info
is "$STATUS" 302 "redirect mode: 302"
is "$(hdr Location)" "https://proxy.example/example.com/m/v2/@v/v2.0.0.info" \
    "redirect mode: the target's URL, without our base path"
cgi GET /example.com/m/v2/@v/list PIRAEUS_UPSTREAM_DOWNLOAD_MODE="custom:$hcl"
is "$STATUS" 302 "redirect mode applies to list too (Athens #1959)"
cgi GET '/example.com/!upper/@v/v1.0.0.info' PIRAEUS_UPSTREAM_DOWNLOAD_MODE="custom:$hcl"
is "$STATUS" 404 "none mode: 404"
nok "none mode: nothing fetched" test -e "$S/example.com/!upper/@v/v1.0.0.info"
cgi GET /example.com/pseudo/@v/v0.0.0-20200701000000-0123456789ab.mod \
    PIRAEUS_UPSTREAM_DOWNLOAD_MODE="custom:$hcl"
cgi GET /example.com/nomod/@v/list PIRAEUS_UPSTREAM_DOWNLOAD_MODE="custom:$hcl"
is "$STATUS" 200 "a module no rule names uses the default mode"
rm -f "$S/example.com/pseudo/@v/"*
cgi GET /example.com/pseudo/@v/v0.0.0-20200701000000-0123456789ab.info \
    PIRAEUS_UPSTREAM_DOWNLOAD_MODE="custom:$hcl"
is "$STATUS" 404 "async mode: not yet"
like "$(cat "$TRASH/body")" 'being fetched' "async mode: the body says it is coming"
ok "async mode: fetched once the answer was out" \
    test -f "$S/example.com/pseudo/@v/v0.0.0-20200701000000-0123456789ab.info"
# async_redirect: the client is sent away at once, and the version is
# fetched here all the same once the answer is out.
hcl2=$(printf '%s\n' 'downloadURL = "https://proxy.example"' \
    'mode = "sync"' \
    'download "example.com/nomod" { mode = "async_redirect" }' | base64 -w0)
rm -f "$S/example.com/nomod/@v/"*
cgi GET '/example.com/nomod/@v/v3.0.0+incompatible.info' \
    PIRAEUS_UPSTREAM_DOWNLOAD_MODE="custom:$hcl2"
is "$STATUS" 302 "async_redirect mode: 302"
is "$(hdr Location)" \
    "https://proxy.example/example.com/nomod/@v/v3.0.0+incompatible.info" \
    "async_redirect mode: to the target"
ok "async_redirect mode: and fetched here after the answer" \
    test -f "$S/example.com/nomod/@v/v3.0.0+incompatible.info"
ok "async_redirect mode: the whole version" \
    test -f "$S/example.com/nomod/@v/v3.0.0+incompatible.zip"
# Singleflight: a fetch another live process holds is waited for (and
# 504 when the wait runs out); an expired lock or one whose holder died
# is taken over.
DB=$TRASH/state/index.sqlite
host=$(uname -n)
now=$(date +%s)
sleep 60 &
LIVE=$!
at_exit "kill $LIVE 2>/dev/null"
sh -c 'exit 0' &
DEADPID=$!
wait "$DEADPID"
# (An earlier GOPROXY=off request left a remembered "not found" for
# v2.0.0 in upstream_cache: cleared too.)
lockrow()
{
	sqlite3 "$DB" "DELETE FROM upstream_cache; DELETE FROM locks; INSERT INTO locks VALUES \
	    ('v:example.com/m/v2@v2.0.0', $1, '$host', $now, $2);"
}
rm -f "$S/example.com/m/v2/@v/"*
lockrow "$LIVE" $((now + 600))
cgi GET /example.com/m/v2/@v/v2.0.0.zip PIRAEUS_UPSTREAM_WAIT_TIMEOUT=1
is "$STATUS" 504 "a fetch held by a live process: 504 once the wait runs out"
like "$(cat "$TRASH/body")" 'still being fetched' "and the body says so"
nok "the waiter fetched nothing itself" test -e "$S/example.com/m/v2/@v/v2.0.0.zip"
lockrow "$LIVE" $((now - 1))
cgi GET /example.com/m/v2/@v/v2.0.0.zip PIRAEUS_UPSTREAM_WAIT_TIMEOUT=1
is "$STATUS" 200 "an expired lock is taken over"
is "$(sqlite3 "$DB" "SELECT count(*) FROM locks")" 0 "and released after the fetch"
rm -f "$S/example.com/m/v2/@v/"*
lockrow "$DEADPID" $((now + 600))
cgi GET /example.com/m/v2/@v/v2.0.0.zip PIRAEUS_UPSTREAM_WAIT_TIMEOUT=1
is "$STATUS" 200 "a lock whose holder died on this host is taken over at once"
like "$(cat "$TRASH/stderr")" "taking over from pid $DEADPID" "the take-over is logged"

# A branch query is resolved once per list_ttl: the upstream's answer is
# reused (the file is gone for the second request), and with list_ttl = 0
# upstream is asked again.
printf '{"Version":"v1.0.0","Time":"2020-01-01T00:00:00Z"}\n' \
    >"$UP/example.com/m/@v/main.info"
cgi GET /example.com/m/@v/main.info
is "$STATUS" 200 "a branch query is resolved upstream"
like "$(cat "$TRASH/body")" '"Version": *"v1.0.0"' "to the version upstream names"
rm -f "$UP/example.com/m/@v/main.info"
cgi GET /example.com/m/@v/main.info
is "$STATUS" 200 "asked again within list_ttl: the answer is reused"
cgi GET /example.com/m/@v/main.info PIRAEUS_UPSTREAM_LIST_TTL=0
is "$STATUS" 404 "with list_ttl = 0 upstream is asked again (and says not found)"

cgi GET /healthz PIRAEUS_UPSTREAM_DOWNLOAD_MODE="custom:!!!"
is "$STATUS" 500 "a bad download mode is a configuration error"
unlike "$(cat "$TRASH/stderr")" 'Sanitizer|runtime error' "no sanitizer report"

done_testing

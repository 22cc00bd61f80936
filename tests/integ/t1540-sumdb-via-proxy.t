#!/bin/sh
# t1540-sumdb-via-proxy.t: a checksum database read through the upstream
# proxy, as the go command reads it (dbClient.initBase).
#
# A host that reaches its upstream proxy but not the database itself: a
# chain of two piraeus behind real lighttpds.  B's [sumdb] databases names
# the test database at its real URL; A's upstream is B, and A's database
# is the same key at a URL where nothing listens.
#   - A asks B's /sumdb/<name>/supported (200), then reads lookups and
#     tiles under B's /sumdb/<name>: cold fetches through A are verified,
#     once per process list (the choice is cached), and the real go
#     command builds the app through A with GOSUMDB=<key> only;
#   - a wrong record, served via B, is still caught by A: 502, nothing
#     stored (the signatures prove the bytes, not where they came from);
#   - [sumdb] via_proxy = no: A goes to the dead URL and says so;
#   - an upstream that 404s /sumdb/<name>/supported (fakeproxy, a file://
#     tree without sumdb/) makes A use the database's URL; a file:// tree
#     with sumdb/<name>/supported is used as the base; a proxy whose
#     supported fails otherwise is an error (502), not remembered.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/sumdb.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need go git curl lighttpd sqlite3 zip unzip cmp

FX=$TRASH/fx
REF=$FX/modcache/cache/download
make_fixtures "$FX" >"$TRASH/fixtures.log" 2>&1 ||
    { diag_file "$TRASH/fixtures.log"; bail_out "fixtures"; }

# The database lies about one version the app does not need.
WM=github.com/fixture/allretract
WV=v1.0.0
upstream_build || bail_out "cannot build the fake upstream"
upstream_start "$REF" || bail_out "cannot start the fake upstream"
sumdb_build || bail_out "cannot build the test checksum database"
sumdb_start "$REF" -name via.test -key "$TRASH/sum.key" -wrong "$WM@$WV" ||
    bail_out "cannot start the test checksum database"
pass "checksum database $SUMDB_NAME on $SUMDB_URL"
DEADPORT=$(free_port) || bail_out "no free port"
DEAD=http://127.0.0.1:$DEADPORT
nok "nothing listens on $DEAD" curl -s -o /dev/null "$DEAD/latest"

# --- B: the proxy that reaches the database ----------------------------------
SB=$TRASH/b.storage
TB=$TRASH/b.state
mkdir -p "$SB" "$TB"
cat >"$TRASH/b.ini" <<INI
[storage]
root = $SB
[state]
dir = $TB
[upstream]
goproxy = $UPSTREAM_URL
network_mode = strict
retries = 0
notfound_ttl = 0
[sumdb]
databases = $SUMDB_VKEY $SUMDB_URL
; B relays, A verifies: a wrong record must reach A.
verify = no
INI
serve_lighttpd "$TRASH/b.serve.log" "$SB" "$TB" "$TRASH/b.ini"
B=$URL
B_PID=$SERVE_PID

# --- A: the proxy that reaches only B ---------------------------------------
S=$TRASH/a.storage
T=$TRASH/a.state
mkdir -p "$S" "$T"
cat >"$TRASH/a.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = $B
network_mode = strict
retries = 0
notfound_ttl = 0
list_ttl = 3600
connect_timeout = 5
timeout = 20
[sumdb]
databases = $SUMDB_VKEY $DEAD
INI
PIRAEUS_CONFIG=$TRASH/a.ini "$PIRAEUS" check-config >"$TRASH/cc.out" 2>&1
ok $? "check-config accepts A's configuration" || diag_file "$TRASH/cc.out"
for v in yes no; do
	PIRAEUS_CONFIG=$TRASH/a.ini PIRAEUS_SUMDB_VIA_PROXY=$v "$PIRAEUS" \
	    check-config >"$TRASH/cc.out" 2>&1
	ok $? "check-config accepts via_proxy = $v" || diag_file "$TRASH/cc.out"
done
PIRAEUS_CONFIG=$TRASH/a.ini PIRAEUS_SUMDB_VIA_PROXY=maybe "$PIRAEUS" \
    check-config >"$TRASH/cc.out" 2>&1
isnt $? 0 "check-config refuses via_proxy = maybe"
like "$(cat "$TRASH/cc.out")" '\[sumdb\] via_proxy' "and names the key"

serve_lighttpd "$TRASH/a.serve.log" "$S" "$T" "$TRASH/a.ini"
A=$URL
A_PID=$SERVE_PID

# code URL: the status of a GET; the body in $TRASH/b.
code()
{
	curl -s -o "$TRASH/b" -w '%{http_code}' "$1"
}
stored()
{
	test -e "$S/$1/@v/$2"
}
alog()
{
	cat "$T"/run/*.log 2>/dev/null
}
# b_access STRING: how many of B's requests had STRING in their line
# (lighttpd buffers its access log: read once B has stopped).
b_access()
{
	grep -cF -- "$1" "$TB/run/access.log" 2>/dev/null || true
}
a_sql()
{
	sqlite3 "$T/index.sqlite" "$1"
}

# --- cold fetches through A, verified through B -----------------------------
M=github.com/fixture/multi
is "$(code "$A/$M/@v/v1.0.0.zip")" 200 "a cold fetch through A"
ok "the bytes are the reference's" cmp -s "$TRASH/b" "$REF/$M/@v/v1.0.0.zip"
is "$(sumdb_count "/lookup/$M@v1.0.0")" 1 "the database got the lookup, once"
# b_cached PATH: B's cache holds the database's PATH (written once B's
# answer is out: eventually).
b_cached()
{
	test "$(sqlite3 -cmd '.timeout 5000' "$TB/index.sqlite" \
	    "SELECT count(*) FROM upstream_cache WHERE key = \
	    'sumdb:via.test/$1'")" -eq 1
}
ok "B forwarded it (B's cache holds it)" eventually 10 b_cached \
    "lookup/$M@v1.0.0"
ok "A keeps the tree it verified" test -n "$(a_sql \
    "SELECT value FROM meta WHERE key = 'sumdb-tree:via.test'")"
like "$(alog)" "checksum database via\\.test: fetched from $B/sumdb/via\\.test" \
    "A's log says where it reads the database"
unlike "$(alog)" "127\\.0\\.0\\.1:$DEADPORT" "A never tried the dead URL"
is "$(a_sql "SELECT body FROM upstream_cache WHERE key = 'sumdb-base:via.test'")" \
    "proxy 0" "A remembers the choice: the first proxy (no URL in the index)"

is "$(code "$A/github.com/fixture/retract/@v/v1.0.0.mod")" 200 ".mod alone: verified through B"
is "$(code "$A/$M/@v/v1.1.0.zip")" 200 "another cold fetch"

# --- the go command through A --------------------------------------------------
build_app()
{
	fixture_build_app "$FX" "$1.$GOTAG" "$2" GOPATH="$TRASH/gp.$1.$GOTAG" \
	    GOSUMDB="$3"
}
client()
{
	build_app ref "file://$REF" off
	ok $? "reference build from file:// [$GOTAG]"
	build_app via "$A" "$SUMDB_VKEY"
	st=$?
	ok "$st" "go build through A, GOSUMDB = the key only [$GOTAG]"
	[ "$st" -eq 0 ] || diag_file "$TRASH/build.via.$GOTAG.log"
	is_file "$TRASH/app.via.$GOTAG/go.sum" "$TRASH/app.ref.$GOTAG/go.sum" \
	    "go.sum equals the reference [$GOTAG]"
	ok "the go command verified through A [$GOTAG]" \
	    test -s "$TRASH/gp.via.$GOTAG/pkg/sumdb/via.test/latest"
	(
		go_env_proxy "$A" "$TRASH/mc.dl.$GOTAG" || exit 1
		GOPATH=$TRASH/gp.dl.$GOTAG GOFLAGS=-mod=mod GOSUMDB=$SUMDB_VKEY
		export GOPATH GOSUMDB GOFLAGS
		"$GO" mod download -json github.com/fixture/mono/sub@v1.0.0
	) >"$TRASH/dl.$GOTAG.log" 2>&1
	ok $? "go mod download through A verifies [$GOTAG]" ||
	    diag_file "$TRASH/dl.$GOTAG.log"
}
for_each_go client
ok "every version the app needs is stored in A, verified" \
    stored github.com/fixture/notags "$(cat "$FX/pseudo.notags").zip"
unlike "$(alog)" "127\\.0\\.0\\.1:$DEADPORT" "A never tried the dead URL"

# --- a wrong record via B is caught by A --------------------------------------
is "$(code "$A/$WM/@v/$WV.zip")" 502 "a version whose record lies: 502"
like "$(cat "$TRASH/b")" 'checksum mismatch' "the client is told why"
nok "nothing of it stored" stored "$WM" "$WV.zip"
nok "not even its .info" stored "$WM" "$WV.info"
like "$(alog)" "SECURITY.*allretract@v1\\.0\\.0.*checksum database via\\.test has h1:" \
    "the refusal is logged"
client_wrong()
{
	(
		go_env_proxy "$A" "$TRASH/mc.wrong.$GOTAG" || exit 1
		GOPATH=$TRASH/gp.wrong.$GOTAG GOFLAGS=-mod=mod GOSUMDB=$SUMDB_VKEY
		export GOPATH GOSUMDB GOFLAGS
		"$GO" mod download -json "$WM@$WV"
	) >"$TRASH/wrong.$GOTAG.log" 2>&1
	isnt $? 0 "go mod download of the lying version fails [$GOTAG]"
}
for_each_go client_wrong

# --- via_proxy = no: the configured URL only ----------------------------------
stop_bg "$A_PID"
serve_lighttpd "$TRASH/a2.serve.log" "$S" "$T" "$TRASH/a.ini" \
    PIRAEUS_SUMDB_VIA_PROXY=no
A=$URL
A_PID=$SERVE_PID
IM=github.com/fixture/incompat
IV=v2.1.0+incompatible
is "$(code "$A/$IM/@v/$IV.zip")" 502 "via_proxy = no: a cold fetch fails"
like "$(cat "$TRASH/b")" "unreachable: http://127\\.0\\.0\\.1:$DEADPORT/lookup/" \
    "naming the configured URL"
nok "nothing stored" stored "$IM" "$IV.info"
stop_bg "$A_PID"
serve_lighttpd "$TRASH/a3.serve.log" "$S" "$T" "$TRASH/a.ini"
A=$URL
A_PID=$SERVE_PID
is "$(code "$A/$IM/@v/$IV.zip")" 200 "via_proxy = yes again: the same fetch passes"
stop_bg "$A_PID"

# --- upstreams that do not serve the database ---------------------------------
# cgi_with NAME GOPROXY [VAR=VALUE...]: run A as CGI with its own storage and
# state, the given upstream and the database at its real URL.
cgi_with()
{
	_n=$1 _g=$2
	shift 2
	mkdir -p "$TRASH/$_n.s" "$TRASH/$_n.t"
	cgi GET "$CGI_PATH" PIRAEUS_STORAGE_ROOT="$TRASH/$_n.s" \
	    PIRAEUS_STATE_DIR="$TRASH/$_n.t" PIRAEUS_UPSTREAM_GOPROXY="$_g" \
	    PIRAEUS_UPSTREAM_NETWORK_MODE=strict PIRAEUS_UPSTREAM_RETRIES=0 \
	    PIRAEUS_UPSTREAM_NOTFOUND_TTL=0 "$@"
}
use_config "$TRASH/unused.s" "$TRASH/unused.t"
export PIRAEUS_SUMDB_DATABASES="$SUMDB_VKEY $SUMDB_URL"

upstream_reset
CGI_PATH=/github.com/fixture/mono/@v/v1.0.0.zip
cgi_with fp "$UPSTREAM_URL"
is "$STATUS" 200 "an upstream that 404s supported: verified at the URL"
is "$(upstream_count /sumdb/via.test/supported)" 1 "the upstream was asked"
like "$(cat "$TRASH/stderr")" "via\\.test: fetched from $SUMDB_URL \\(no proxy serves it\\)" \
    "and the database's URL used"

: >"$TRASH/stderr"
CGI_PATH=/github.com/fixture/major/@v/v1.0.0.zip
cgi_with file "file://$REF"
is "$STATUS" 200 "a file:// upstream without sumdb/: verified at the URL"
like "$(cat "$TRASH/stderr")" "via\\.test: fetched from $SUMDB_URL" \
    "the database's URL used"

# A file:// tree with sumdb/via.test/supported is the base, as the go
# command's web.GetBytes reads file:// URLs: its lookups are files there.
FT=$TRASH/ft
cp -R "$REF" "$FT" && mkdir -p "$FT/sumdb/via.test" &&
    : >"$FT/sumdb/via.test/supported" || bail_out "file tree"
: >"$TRASH/stderr"
CGI_PATH=/github.com/fixture/major/v2/@v/v2.0.0.zip
n=$(sumdb_count "")
cgi_with ftree "file://$FT"
is "$STATUS" 502 "a file:// tree that claims the database but has no record: 502"
like "$(cat "$TRASH/body")" 'no record' "the lookup was read from the tree"
is "$(sumdb_count "")" "$n" "and the database's URL was not asked"
mkdir -p "$FT/sumdb/via.test/lookup/github.com/fixture/major/v2" &&
    curl -sf -o "$FT/sumdb/via.test/lookup/github.com/fixture/major/v2@v2.0.0" \
    "$SUMDB_URL/lookup/github.com/fixture/major/v2@v2.0.0" || fail "copy a lookup"
# The size of the tree the lookup's note signs: its tile proves the record.
W=$(awk 'p { print; exit } /^go\.sum database tree$/ { p = 1 }' \
    "$FT/sumdb/via.test/lookup/github.com/fixture/major/v2@v2.0.0")
mkdir -p "$FT/sumdb/via.test/tile/8/0/000.p" &&
    curl -sf -o "$FT/sumdb/via.test/tile/8/0/000.p/$W" \
    "$SUMDB_URL/tile/8/0/000.p/$W" || fail "copy a tile"
n=$(sumdb_count "")
cgi_with ftree "file://$FT" PIRAEUS_UPSTREAM_LIST_TTL=0
if [ "$STATUS" != 200 ]; then diag_file "$TRASH/body"; fi
is "$STATUS" 200 "with the record and its tile in the tree: verified from file://"
is "$(sumdb_count "")" "$n" "the database's URL still not asked"

# A proxy whose supported fails otherwise: an error, as for the go command,
# and not remembered.
upstream_reset
upstream_fault /sumdb/via.test/supported status500
CGI_PATH=/github.com/fixture/mono/sub/@v/v1.0.0.zip
n=$(sumdb_count "")
cgi_with bad "$UPSTREAM_URL"
is "$STATUS" 502 "supported answering 500: 502"
like "$(cat "$TRASH/body")" "via\\.test through $UPSTREAM_URL: .*/sumdb/via\\.test/supported: 500" \
    "naming the proxy and the answer"
is "$(sumdb_count "")" "$n" "the database's URL is not tried after a ',' entry's error"
nok "nothing stored" test -e "$TRASH/bad.s/github.com/fixture/mono/sub/@v/v1.0.0.info"
cgi_with bad "$UPSTREAM_URL|direct"
is "$STATUS" 200 "after '|' and direct: the database's URL"
upstream_fault /sumdb/via.test/supported none
CGI_PATH=/github.com/fixture/multi/@v/v1.2.0.zip
cgi_with bad "$UPSTREAM_URL"
is "$STATUS" 200 "the failure was not remembered: asked again, 404, the URL"
is "$(upstream_count /sumdb/via.test/supported)" 3 "supported asked each time"

# --- what B was asked ----------------------------------------------------------
stop_bg "$B_PID"
is "$(b_access "GET /sumdb/via.test/supported ")" 1 \
    "A asked B's /sumdb/via.test/supported once: the choice was reused"
is "$(b_access "GET /sumdb/via.test/lookup/$M@v1.0.0 ")" 1 "the first lookup went through B"
is "$(b_access "GET /sumdb/via.test/lookup/$WM@$WV ")" 1 "so did the wrong record"
is "$(b_access "GET /sumdb/via.test/lookup/$IM@$IV ")" 1 \
    "via_proxy = no did not go through B (only the later fetch did)"
ok "A read tiles through B too" \
    test "$(b_access "GET /sumdb/via.test/tile/")" -gt 0

unlike "$(cat "$T"/run/*.log "$TB"/run/*.log "$TRASH/stderr" 2>/dev/null)" \
    'AddressSanitizer|LeakSanitizer|runtime error:' "no sanitizer report"
done_testing

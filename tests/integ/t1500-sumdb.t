#!/bin/sh
# t1500-sumdb.t: the checksum database through a real lighttpd.
#
# An independent checksum database (tests/sumdb/testsumdb.go: the
# reference server of golang.org/x/mod/sumdb, with a key made for the
# test) knows the true hashes of the offline fixtures; the fake upstream
# proxy serves the same fixtures, one of them with a tampered zip.
#   - /sumdb/<name>/supported is answered here; lookups, latest and tiles
#     are forwarded byte for byte ("!" and %21 alike) and cached;
#   - the real go command, with GOSUMDB set to the test key only, finds
#     the database through the proxy and builds the app: go.sum equal to
#     the reference;
#   - every version piraeus fetches is verified before it is stored: the
#     tampered zip is refused and never stored, a forked log (same key,
#     other records) is refused;
#   - a nosum module's lookup is 403 and the database never hears of it;
#   - piraeus' own private database: the go command verifies a private
#     module against it, and fails once a record is altered.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/sumdb.sh"
need go git curl lighttpd sqlite3 zip unzip cmp

FX=$TRASH/fx
REF=$FX/modcache/cache/download
make_fixtures "$FX" >"$TRASH/fixtures.log" 2>&1 ||
    { diag_file "$TRASH/fixtures.log"; bail_out "fixtures"; }

# The upstream serves a copy of the fixtures in which one zip is
# tampered with: a file added under the right prefix, so the zip is valid
# and only its hash tells.
UP=$TRASH/up
cp -R "$REF" "$UP" || bail_out "copy the fixtures"
TM=github.com/!fixture/!upper
TV=v1.0.0
mkdir -p "$TRASH/tamper/github.com/Fixture/Upper@$TV" &&
    echo 'package upper // tampered' \
    >"$TRASH/tamper/github.com/Fixture/Upper@$TV/evil.go" &&
    (cd "$TRASH/tamper" && zip -q "$UP/$TM/@v/$TV.zip" \
    "github.com/Fixture/Upper@$TV/evil.go") || bail_out "tamper"
nok "the tampered zip differs" cmp -s "$UP/$TM/@v/$TV.zip" "$REF/$TM/@v/$TV.zip"

upstream_build || bail_out "cannot build the fake upstream"
upstream_start "$UP" || bail_out "cannot start the fake upstream"
sumdb_build || bail_out "cannot build the test checksum database"
sumdb_start "$REF" -name sum.test -key "$TRASH/sum.key" ||
    bail_out "cannot start the test checksum database"
pass "checksum database $SUMDB_NAME on $SUMDB_URL"

"$PIRAEUS" sumdb-keygen private.test "$TRASH/priv.key" >"$TRASH/priv.vkey"
ok $? "piraeus sumdb-keygen"
PVKEY=$(cat "$TRASH/priv.vkey")
like "$PVKEY" '^private\.test\+[0-9a-f]{8}\+' "a verifier key for private.test"
is "$(stat -c %a "$TRASH/priv.key")" 600 "the signer key file is 0600"
nok "sumdb-keygen never overwrites a key" "$PIRAEUS" sumdb-keygen \
    private.test "$TRASH/priv.key"

S=$TRASH/storage
T=$TRASH/state
mkdir -p "$S" "$T"
NOSUM=github.com/fixture/nomod
cat >"$TRASH/p.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = $UPSTREAM_URL
network_mode = strict
retries = 0
notfound_ttl = 0
timeout = 10
[sumdb]
databases = $SUMDB_VKEY $SUMDB_URL
nosum = $NOSUM,example.org/hidden
private_key = $TRASH/priv.key
cache_ttl = 600
INI
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/cc.out" 2>&1
ok $? "check-config accepts the [sumdb] section" || diag_file "$TRASH/cc.out"

serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$TRASH/p.ini"

# code URL [curl args]: the status of a GET; the body in $TRASH/b.
code()
{
	_u=$1
	shift
	curl -s -o "$TRASH/b" -w '%{http_code}' "$@" "$_u"
}
stored()
{
	test -e "$S/$1/@v/$2"
}
# logs: what the responders logged.
logs()
{
	cat "$T"/run/*.log 2>/dev/null
}

# --- the home page tells users the checksum settings ------------------------
curl -s -H "Host: proxy.example" -o "$TRASH/home" "$URL/"
like "$(cat "$TRASH/home")" "GONOSUMDB.*$NOSUM" "home: the GONOSUMDB patterns"
like "$(cat "$TRASH/home")" "GOSUMDB=&quot;private\\.test\\+[0-9a-f]{8}\\+[^ ]+ http://proxy\\.example/sumdb/private\\.test&quot;" \
    "home: the GOSUMDB line of the private database"

# --- the endpoints ---------------------------------------------------------
is "$(code "$URL/sumdb/sum.test/supported")" 200 "supported: 200 for the configured database"
is "$(sumdb_count /supported)" 0 "supported is answered here, never forwarded"
is "$(code "$URL/sumdb/sum.golang.org/supported")" 404 "supported: 404 for another database"
is "$(code "$URL/sumdb/private.test/supported")" 200 "supported: 200 for the private database"
is "$(code "$URL/sumdb/sum.test/nonsense")" 404 "an unknown path is 404"
is "$(code "$URL/sumdb/sum.test/tile/8/0/0003")" 404 "a non-canonical tile path is 404"
is "$(code "$URL/sumdb/sum.test/lookup/github.com/fixture/multi@latest")" 400 \
    "a lookup of a non-version is 400"
is "$(code "$URL/sumdb/sum.test/lookup/github.com/Fixture/Upper@v1.0.0")" 400 \
    "a lookup with a capital in the escaped path is 400"
is "$(sumdb_count "")" 0 "none of these reached the database"

# A lookup: byte for byte, both escape forms.
L=/lookup/github.com/!fixture/!upper@v1.0.1
is "$(code "$URL/sumdb/sum.test$L")" 200 "lookup through the proxy"
cp "$TRASH/b" "$TRASH/lookup.proxy"
curl -s -o "$TRASH/lookup.direct" "$SUMDB_URL$L"
is_file "$TRASH/lookup.proxy" "$TRASH/lookup.direct" "byte for byte what the database says"
is "$(code "$URL/sumdb/sum.test/lookup/github.com/%21fixture/%21upper@v1.0.1")" 200 \
    "lookup with %21"
is_file "$TRASH/b" "$TRASH/lookup.direct" "the same answer"
like "$(head -n 2 "$TRASH/lookup.proxy" | tail -n 1)" \
    '^github.com/Fixture/Upper v1.0.1 h1:' "the record's go.sum line"
is "$(code "$URL/sumdb/sum.test/latest")" 200 "latest"
like "$(head -n 1 "$TRASH/b")" '^go.sum database tree$' "latest is a tree note"
W=$(sed -n 2p "$TRASH/b")
is "$(code "$URL/sumdb/sum.test/lookup/github.com/fixture/multi@v9.9.9")" 404 \
    "a lookup the database does not know: its 404 passed on"

# Tiles: byte for byte, and cached.
TP=tile/8/0/000.p/$W
is "$(code "$URL/sumdb/sum.test/$TP")" 200 "partial tile $TP"
curl -s -o "$TRASH/tile.direct" "$SUMDB_URL/$TP"
is_file "$TRASH/b" "$TRASH/tile.direct" "the tile byte for byte"
is "$(wc -c <"$TRASH/b" | tr -d ' ')" $((W * 32)) "W hashes of 32 bytes"
n=$(sumdb_count "/$TP")
code "$URL/sumdb/sum.test/$TP" >/dev/null
is "$(sumdb_count "/$TP")" "$n" "the second request is answered from the cache"

# --- the go command finds the database through the proxy -------------------
# build_app NAME PROXY GOSUMDB: "$GO" builds the app as app.NAME.$GOTAG.
build_app()
{
	fixture_build_app "$FX" "$1.$GOTAG" "$2" GOPATH="$TRASH/gp.$1.$GOTAG" \
	    GOSUMDB="$3" GONOSUMDB="$NOSUM"
}
# client_sumdb: each go command verifies through the proxy.
client_sumdb()
{
	build_app ref "file://$REF" off
	ok $? "reference build from file:// [$GOTAG]"
	build_app cold "$URL" "$SUMDB_VKEY"
	st=$?
	ok "$st" "go build through the proxy, GOSUMDB = the key only [$GOTAG]"
	[ "$st" -eq 0 ] || diag_file "$TRASH/build.cold.$GOTAG.log"
	is_file "$TRASH/app.cold.$GOTAG/go.sum" "$TRASH/app.ref.$GOTAG/go.sum" \
	    "go.sum equals the reference [$GOTAG]"
	ok "the go command verified through the proxy (it keeps the tree it checked) [$GOTAG]" \
	    test -s "$TRASH/gp.cold.$GOTAG/pkg/sumdb/sum.test/latest"
	(
		go_env_proxy "$URL" "$TRASH/mc.url.$GOTAG" || exit 1
		GOPATH=$TRASH/gp.url.$GOTAG GOFLAGS=-mod=mod
		GOSUMDB="$SUMDB_VKEY $URL/sumdb/sum.test"
		export GOPATH GOSUMDB GOFLAGS
		"$GO" mod download -json github.com/fixture/mono/sub@v1.0.0
	) >"$TRASH/url.$GOTAG.log" 2>&1
	ok $? "GOSUMDB=\"<key> <proxy>/sumdb/sum.test\": go mod download verifies [$GOTAG]" ||
	    diag_file "$TRASH/url.$GOTAG.log"
	ok "through the proxy's URL [$GOTAG]" \
	    test -s "$TRASH/gp.url.$GOTAG/pkg/sumdb/sum.test/latest"
}
for_each_go client_sumdb
is "$(sumdb_count "fixture/nomod")" 0 "the database never heard of the nosum module"
ok "the nosum module was fetched all the same" stored github.com/fixture/nomod v1.0.0.zip
ok "piraeus keeps the tree it verified" test -n "$(sqlite3 "$T/index.sqlite" \
    "SELECT value FROM meta WHERE key = 'sumdb-tree:sum.test'")"

# --- every fetch is verified before it is stored ---------------------------
M=github.com/fixture/multi
is "$(code "$URL/$M/@v/v1.0.0.zip")" 200 "a zip fetched by curl (no client sumdb)"
is "$(sumdb_count "/lookup/$M@v1.0.0")" 1 "piraeus looked it up itself, once"
ok "the bytes are upstream's" cmp -s "$TRASH/b" "$REF/$M/@v/v1.0.0.zip"

n=$(sumdb_count "/lookup/")
is "$(code "$URL/$TM/@v/$TV.zip")" 502 "the tampered zip is refused (502)"
like "$(cat "$TRASH/b")" 'checksum mismatch' "the client is told why"
nok "nothing of it is stored" stored "$TM" "$TV.zip"
nok "not even its .info" stored "$TM" "$TV.info"
is "$(find "$S/.tmp" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 "no temporary file left"
good=$(sed -n "s/^github.com\/Fixture\/Upper $TV h1:/h1:/p" "$TRASH/app.cold.$GOTAG/go.sum" 2>/dev/null)
like "$(logs)" 'SECURITY.*Fixture/Upper@v1\.0\.0.*upstream sent h1:.*checksum database sum\.test has h1:' \
    "the refusal is logged with both hashes"
client_tamper()
{
	(
		go_env_proxy "$URL" "$TRASH/mc.tamper.$GOTAG" || exit 1
		GOPATH=$TRASH/gp.tamper.$GOTAG GOSUMDB=$SUMDB_VKEY GOFLAGS=-mod=mod
		export GOPATH GOSUMDB GOFLAGS
		"$GO" mod download -json "github.com/Fixture/Upper@$TV"
	) >"$TRASH/tamper.$GOTAG.log" 2>&1
	isnt $? 0 "go mod download of the tampered version fails [$GOTAG]"
	nok "and the client never had the tampered zip [$GOTAG]" \
	    test -e "$TRASH/mc.tamper.$GOTAG/cache/download/$TM/@v/$TV.zip"
}
for_each_go client_tamper
upstream_fault "/$TM/@v/$TV.zip" swapzip with="/$TM/@v/v1.0.1.zip"
is "$(code "$URL/$TM/@v/$TV.zip")" 502 "another version's zip is refused too"
upstream_fault "/$TM/@v/$TV.zip" none

# .mod alone is verified against the go.mod line.
is "$(code "$URL/github.com/fixture/retract/@v/v1.0.0.mod")" 200 ".mod alone: verified and served"
is "$(sumdb_count "/lookup/github.com/fixture/retract@v1.0.0")" 1 "looked up"

# A cached tile that lies (upstream sent bad bytes once) is dropped and
# fetched again: the proof is made with good tiles, the fetch succeeds.
# The responder writes the lookup and tiles it fetched once its answer is
# out (one transaction): the tiles are corrupted after that.
cached_lookup()
{
	test "$(sqlite3 -cmd '.timeout 5000' "$T/index.sqlite" \
	    "SELECT count(*) FROM upstream_cache WHERE key = \
	    'sumdb:sum.test/lookup/$1'")" -eq 1
}
ok "the lookup is cached once the answer is out" \
    eventually 10 cached_lookup github.com/fixture/retract@v1.0.0
sqlite3 -cmd '.timeout 5000' "$T/index.sqlite" "UPDATE upstream_cache SET body = zeroblob(length(body)) \
    WHERE key LIKE 'sumdb:sum.test/tile/%'" || fail "corrupt the cached tiles"
is "$(sqlite3 "$T/index.sqlite" "SELECT count(*) FROM upstream_cache \
    WHERE key LIKE 'sumdb:sum.test/tile/%' AND body = zeroblob(length(body))" \
    )" "$(sqlite3 "$T/index.sqlite" "SELECT count(*) FROM upstream_cache \
    WHERE key LIKE 'sumdb:sum.test/tile/%'")" "every cached tile is now zeros"
# A responder keeps the tiles it read in memory (cache.c): new responders
# (lighttpd restarted gracefully) read the corrupt ones from the index.
LT=$(pgrep -P "$SERVE_PID" -x lighttpd)
OLDR=$(pgrep -P "$LT" -x piraeus.fcgi | sort | tr '\n' ' ')
ok "lighttpd restarted gracefully" kill -USR1 "$LT"
wait_http "$URL/healthz" 20 "$SERVE_PID"
NEWR=$(pgrep -P "$(pgrep -P "$SERVE_PID" -x lighttpd)" -x piraeus.fcgi | sort | tr '\n' ' ')
ok "by new responders ($OLDR -> $NEWR)" test -n "$NEWR" -a "$NEWR" != "$OLDR"
is "$(code "$URL/github.com/fixture/multi/@v/v1.1.0.zip")" 200 \
    "a fetch verified in spite of the corrupt cached tiles"
like "$(logs)" 'fetching its tiles again' "the failed proof made piraeus fetch the tiles again"

# --- no-sum patterns --------------------------------------------------------
is "$(code "$URL/sumdb/sum.test/lookup/github.com/fixture/nomod@v1.0.0")" 403 \
    "a nosum module's lookup is 403"
like "$(cat "$TRASH/b")" 'github.com/fixture/nomod is private.*GONOSUMDB=github.com/fixture/nomod' \
    "the body says the module is private and which GONOSUMDB to set"
unlike "$(cat "$TRASH/b")" 'example.org/hidden' \
    "the body names no other private pattern"
is "$(sumdb_count "fixture/nomod")" 0 "and nothing naming it went upstream"

# --- the private database --------------------------------------------------
ok "the private module got a record when it was stored" \
    test "$(sqlite3 "$T/index.sqlite" "SELECT count(*) FROM sumdb_records \
    WHERE module = 'github.com/fixture/nomod'")" -eq 1
is "$(code "$URL/sumdb/private.test/latest")" 200 "private latest"
like "$(head -n 1 "$TRASH/b")" '^go.sum database tree$' "a tree note"
like "$(cat "$TRASH/b")" "^— private\\.test " "signed by the private key"
is "$(code "$URL/sumdb/private.test/lookup/github.com/fixture/multi@v1.2.0")" 404 \
    "a public module is not in the private database"
REC=$(sqlite3 "$T/index.sqlite" "SELECT text FROM sumdb_records WHERE id = 0")
is "$(code "$URL/sumdb/private.test/tile/8/data/000.p/1")" 200 "private data tile"
is "$(cat "$TRASH/b")" "$(printf '0\n%s\n' "$REC")" "the record, as the reference server formats it"
is "$(code "$URL/sumdb/private.test/tile/8/0/000.p/1")" 200 "private hash tile"
is "$(wc -c <"$TRASH/b" | tr -d ' ')" 32 "one hash"
is "$(code "$URL/sumdb/private.test/tile/8/0/000.p/2")" 404 "a tile beyond the tree is 404"
priv_download()
{
	(
		go_env_proxy "$URL" "$TRASH/mc.$1.$GOTAG" || exit 1
		GOPATH=$TRASH/gp.$1.$GOTAG GOFLAGS=-mod=mod
		GOSUMDB="$PVKEY $URL/sumdb/private.test"
		export GOPATH GOSUMDB GOFLAGS
		"$GO" mod download -json github.com/fixture/nomod@v1.0.0
	) >"$TRASH/priv.$1.$GOTAG.log" 2>&1
}
priv_good()
{
	priv_download good
	st=$?
	ok "$st" "go verifies the private module against piraeus' database [$GOTAG]"
	[ "$st" -eq 0 ] || diag_file "$TRASH/priv.good.$GOTAG.log"
	ok "go kept the private tree it checked [$GOTAG]" \
	    test -s "$TRASH/gp.good.$GOTAG/pkg/sumdb/private.test/latest"
}
for_each_go priv_good

# Alter the record: the go command must notice.
sqlite3 "$T/index.sqlite" "UPDATE sumdb_records SET text = \
    replace(text, 'h1:', 'h1:X') WHERE module = 'github.com/fixture/nomod'" ||
    fail "alter the record"
priv_altered()
{
	priv_download altered
	isnt $? 0 "an altered record fails the go command's verification [$GOTAG]"
	like "$(cat "$TRASH/priv.altered.$GOTAG.log")" 'verifying|SECURITY|checksum' \
	    "and go says why [$GOTAG]"
}
for_each_go priv_altered

# --- a forked log: same key, other records -----------------------------------
addr=${SUMDB_URL#http://}
sumdb_stop
is "$(code "$URL/sumdb/sum.test/lookup/github.com/fixture/multi@v1.3.0-rc.1")" 502 \
    "the database down: an uncached lookup is 502"
like "$(cat "$TRASH/b")" '^bad gateway: ' "with a text body"
is "$(code "$URL/sumdb/sum.test/lookup/github.com/!fixture/!upper@v1.0.1")" 200 \
    "a cached lookup is still answered"
is "$(code "$URL/github.com/fixture/allretract/@v/v1.0.0.zip")" 502 \
    "a fetch that cannot be verified is refused"
nok "and not stored" stored github.com/fixture/allretract v1.0.0.info
awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' \
    "$FX/versions" >"$TRASH/preload"
sumdb_start "$REF" -key "$TRASH/sum.key" -addr "$addr" \
    -preload "$TRASH/preload" || bail_out "restart the checksum database"
is "$(code "$URL/github.com/fixture/incompat/@v/v2.1.0+incompatible.zip")" 502 \
    "a fork of the log the proxy verified before is refused"
like "$(cat "$TRASH/b")" 'not consistent with the tree verified before' "the client is told why"
nok "nothing stored" stored github.com/fixture/incompat "v2.1.0+incompatible.info"
like "$(logs)" 'SECURITY ERROR: checksum database sum\.test misbehaves' "and it is logged"

# --- offline: no network for the checksum database either -------------------
stop_bg "$SERVE_PID"
serve_lighttpd "$TRASH/serve2.log" "$S" "$T" "$TRASH/p.ini" \
    PIRAEUS_UPSTREAM_NETWORK_MODE=offline
n=$(sumdb_count "")
is "$(code "$URL/sumdb/sum.test/lookup/github.com/!fixture/!upper@v1.0.1")" 200 \
    "offline: a cached lookup is answered"
is "$(code "$URL/sumdb/sum.test/lookup/github.com/fixture/mono@v1.0.0")" 200 \
    "offline: so is a lookup cached long ago"
is "$(code "$URL/sumdb/sum.test/lookup/github.com/fixture/allretract@v1.0.1")" 404 \
    "offline: an uncached lookup is 404"
like "$(cat "$TRASH/b")" 'offline' "and says why"
is "$(sumdb_count "")" "$n" "offline: the database saw no request"
stop_bg "$SERVE_PID"
unlike "$(cat "$T"/run/*.log 2>/dev/null)" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"
done_testing

#!/bin/sh
# t1530-sumdb-relay.t: piraeus' private checksum database as a client's
# only GOSUMDB ([sumdb] private_relay = yes).
#
# The go command builds the app with GOSUMDB = the private database and no
# GONOSUMDB at all: every module it needs (public ones from the fake
# upstream, a nosum one) must have a record there, which is only made for
# a public version after piraeus verified it against the public database
# (tests/sumdb/testsumdb.go); versions the go command needs only the
# go.mod of are fetched whole for their record.  go.sum equals the
# reference.  A public version the public database disagrees with gets no
# record.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/sumdb.sh"
need go git curl lighttpd sqlite3

FX=$TRASH/fx
REF=$FX/modcache/cache/download
make_fixtures "$FX" >"$TRASH/fixtures.log" 2>&1 ||
    { diag_file "$TRASH/fixtures.log"; bail_out "fixtures"; }
WRONG=github.com/fixture/retract@v1.0.0
upstream_start "$REF" || bail_out "cannot start the fake upstream"
sumdb_start "$REF" -name sum.test -wrong "$WRONG" ||
    bail_out "cannot start the test checksum database"
"$PIRAEUS" sumdb-keygen private.test "$TRASH/priv.key" >"$TRASH/priv.vkey" ||
    bail_out "sumdb-keygen"
PVKEY=$(cat "$TRASH/priv.vkey")

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
notfound_ttl = 0
[sumdb]
databases = $SUMDB_VKEY $SUMDB_URL
nosum = $NOSUM
private_key = $TRASH/priv.key
private_relay = yes
INI
serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$TRASH/p.ini"

# build_app NAME PROXY GOSUMDB: "$GO" builds the fixture app as
# app.NAME.$GOTAG, fresh caches.
build_app()
{
	fixture_build_app "$FX" "$1.$GOTAG" "$2" GOPATH="$TRASH/gp.$1.$GOTAG" \
	    GOSUMDB="$3" GONOSUMDB= GOPRIVATE=
}
# relay_build: each go command, the private database as its only GOSUMDB.
relay_build()
{
	build_app ref "file://$REF" off
	ok $? "reference build from file:// [$GOTAG]"
	build_app relay "$URL" "$PVKEY $URL/sumdb/private.test"
	st=$?
	ok "$st" "go build with the private database as the only GOSUMDB [$GOTAG]"
	[ "$st" -eq 0 ] || diag_file "$TRASH/build.relay.$GOTAG.log"
	is_file "$TRASH/app.relay.$GOTAG/go.sum" "$TRASH/app.ref.$GOTAG/go.sum" \
	    "go.sum equals the reference [$GOTAG]"
	ok "the go command verified against the private database [$GOTAG]" \
	    test -s "$TRASH/gp.relay.$GOTAG/pkg/sumdb/private.test/latest"
}
for_each_go relay_build

# Every module version of go.sum has its record.
missing=
while read -r m v h; do
	v=${v%/go.mod}
	n=$(sqlite3 "$T/index.sqlite" "SELECT count(*) FROM sumdb_records \
	    WHERE module = '$m' AND version = '$v'")
	[ "$n" = 1 ] || missing="$missing $m@$v"
done <"$TRASH/app.ref.$GOTAG/go.sum"
is "$missing" "" "every version in go.sum has a record in the private log"
is "$(sumdb_count /lookup/github.com/fixture/multi@v1.2.0)" 1 \
    "a public version was verified against the public database first"
is "$(sumdb_count fixture/nomod)" 0 "the nosum module never went to it"
ok "a go.mod-only version was fetched whole for its record" \
    test -f "$S/github.com/fixture/multi/@v/v1.1.0.zip"

# The public database disagrees with the fixtures about $WRONG: no record.
code=$(curl -s -o "$TRASH/b" -w '%{http_code}' \
    "$URL/sumdb/private.test/lookup/${WRONG%@*}@${WRONG#*@}")
is "$code" 502 "a version the public database disagrees with: 502"
like "$(cat "$TRASH/b")" 'checksum mismatch' "and the body says why"
is "$(sqlite3 "$T/index.sqlite" "SELECT count(*) FROM sumdb_records \
    WHERE module = '${WRONG%@*}' AND version = '${WRONG#*@}'")" 0 \
    "and it got no record"

stop_bg "$SERVE_PID"
unlike "$(cat "$T"/run/*.log 2>/dev/null)" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"
done_testing

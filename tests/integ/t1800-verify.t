#!/bin/sh
# t1800-verify.t: `piraeus verify` and `piraeus purge` on a store made by
# the real go command through piraeus behind a real lighttpd.
#
# The fake upstream serves the offline fixtures; the test checksum
# database knows them too, but for one version (fixture/retract v1.1.0)
# whose zip it was given tampered: what a database says of a module whose
# upstream re-tagged it.  piraeus fetches with [sumdb] verify off (the
# store holds the upstream's bytes), then the store is damaged in each
# way verify tells apart:
#   - a zip byte changed           -> store corrupted
#   - a .mod truncated             -> store corrupted
#   - a .mod deleted               -> incomplete
#   - an index row changed         -> index wrong (the database agrees
#                                     with the tree) / store corrupted
#                                     (no database to ask)
#   - the database disagrees       -> upstream re-tagged
#   - a version copied in by hand  -> never verified / not indexed
# --quarantine moves exactly the bad ones to STORAGE/.quarantine and the
# next go command download fetches them again, identical; purge removes
# versions (refused without a terminal unless --yes), and after it the go
# command fetches them again with the same go.sum.
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

# The database's view: one zip tampered with (valid, other hash).
DBV=$TRASH/dbview
cp -R "$REF" "$DBV" || bail_out "copy the fixtures"
RM=github.com/fixture/retract
mkdir -p "$TRASH/tamper/$RM@v1.1.0" &&
    echo 'package retract // re-tagged' >"$TRASH/tamper/$RM@v1.1.0/new.go" &&
    (cd "$TRASH/tamper" && zip -q "$DBV/$RM/@v/v1.1.0.zip" \
    "$RM@v1.1.0/new.go") || bail_out "tamper"

upstream_build || bail_out "cannot build the fake upstream"
upstream_start "$REF" || bail_out "cannot start the fake upstream"
sumdb_build || bail_out "cannot build the test checksum database"
sumdb_start "$DBV" -name sum.test -key "$TRASH/sum.key" ||
    bail_out "cannot start the test checksum database"

S=$TRASH/storage
T=$TRASH/state
mkdir -p "$S" "$T"
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
[sumdb]
verify = no
databases = $SUMDB_VKEY $SUMDB_URL
INI
PIRAEUS_CONFIG=$TRASH/p.ini
export PIRAEUS_CONFIG
serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$TRASH/p.ini"

# verify_out ARGS...: piraeus verify into $TRASH/v.out; VRC its status.
verify_out()
{
	"$PIRAEUS" verify "$@" >"$TRASH/v.out" 2>"$TRASH/v.err"
	VRC=$?
}
# dl NAME MODULE@VERSION...: go mod download through piraeus into a new
# module cache $TRASH/mc.NAME.
dl()
{
	_dl_n=$1
	shift
	(
		go_env_proxy "$URL" "$TRASH/mc.$_dl_n" || exit 1
		GOSUMDB=off GOFLAGS=-modcacherw
		export GOSUMDB GOFLAGS
		"$GO" mod download "$@"
	) >"$TRASH/dl.$_dl_n.log" 2>&1
}
# same NAME EMOD EVER: the version in mc.NAME is the fixtures' own.
same()
{
	for _x in mod zip; do
		cmp -s "$TRASH/mc.$1/cache/download/$2/@v/$3.$_x" \
		    "$REF/$2/@v/$3.$_x" || return 1
	done
}

# --- a store made by the go command --------------------------------------
fixture_build_app "$FX" first "$URL" GOSUMDB=off
ok $? "the app builds through piraeus" || diag_file "$TRASH/build.first.log"
dl first2 github.com/fixture/multi@v1.0.0 github.com/fixture/multi@v1.1.0
ok $? "go mod download of more versions" || diag_file "$TRASH/dl.first2.log"
MM=github.com/fixture/multi
ok "multi v1.0.0 is stored" test -f "$S/$MM/@v/v1.0.0.zip"

"$PIRAEUS" verify -h >"$TRASH/h.out" 2>&1
ok $? "verify -h exits 0"
like "$(cat "$TRASH/h.out")" 'usage: piraeus verify \[--quarantine\]' "verify -h: the usage"
"$PIRAEUS" purge -h >"$TRASH/h.out" 2>&1
ok $? "purge -h exits 0"
like "$(cat "$TRASH/h.out")" 'usage: piraeus purge MODULE\[@VERSION\] \[--yes\]' "purge -h: the usage"

verify_out
is "$VRC" 0 "verify of an intact store: exit 0" || diag_file "$TRASH/v.out"
like "$(cat "$TRASH/v.out")" '^verified [0-9]+ versions: all well$' "and a summary line"
PIRAEUS_SUMDB_VERIFY=yes verify_out github.com/fixture/multi
is "$VRC" 0 "with the checksum database: multi is vouched for" || diag_file "$TRASH/v.out"
PIRAEUS_SUMDB_VERIFY=yes verify_out $RM@v1.1.0
is "$VRC" 1 "the database disagrees with retract v1.1.0: exit 1"
like "$(cat "$TRASH/v.out")" "^$RM@v1.1.0: upstream re-tagged: tree and index agree, the checksum database does not" \
    "diagnosed: upstream re-tagged"

# --- damage ---------------------------------------------------------------
# A zip byte changed (in the middle, inside compressed data).
Z=$S/$MM/@v/v1.0.0.zip
SZ=$(stat -c %s "$Z")
printf 'X' | dd of="$Z" bs=1 seek=$((SZ / 3)) conv=notrunc 2>/dev/null
nok "the zip is changed" cmp -s "$Z" "$REF/$MM/@v/v1.0.0.zip"
# A .mod truncated.
truncate -s 5 "$S/$MM/@v/v1.1.0.mod"
# A .mod deleted.
MJ=github.com/fixture/major
rm "$S/$MJ/@v/v1.0.0.mod"
# An index row changed.
sqlite3 "$T/index.sqlite" "UPDATE versions SET mod_h1 = 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' WHERE module = '$MM' AND version = 'v1.2.0'"
# A version copied in by hand (no index row).
MO=github.com/fixture/mono
sqlite3 "$T/index.sqlite" "DELETE FROM versions WHERE module = '$MO' AND version = 'v1.0.0'"

verify_out
is "$VRC" 1 "verify of a damaged store: exit 1"
V=$(cat "$TRASH/v.out")
like "$V" "^$MM@v1.0.0: store corrupted: the zip('s SHA-256 is [0-9a-f]+, the index recorded [0-9a-f]+| no longer reads)" "a changed zip byte: store corrupted"
like "$V" "^$MM@v1.1.0: store corrupted: go.mod is h1:[^ ]+, the index recorded h1:" "a truncated .mod: store corrupted"
like "$V" "^$MJ@v1.0.0: incomplete: a .info without its .mod" "a deleted .mod: incomplete"
like "$V" "^$MM@v1.2.0: store corrupted: go.mod is h1:[^ ]+, the index recorded h1:AAAA" \
    "a changed index row, no database to ask: store corrupted"
like "$V" "^$MO@v1.0.0: never verified: not in the index" "no index row, no database: never verified"
unlike "$V" "$RM@v1.1.0" "without [sumdb] verify the re-tagged one is not suspected"
like "$V" '^verified [0-9]+ versions: 5 with problems, 0 quarantined$' "the summary counts them"

PIRAEUS_SUMDB_VERIFY=yes verify_out
is "$VRC" 1 "with the database: exit 1"
V=$(cat "$TRASH/v.out")
like "$V" "^$MM@v1.2.0: index wrong: go.mod is h1:[^ ]+, the index recorded h1:AAAA[^ ]*, but the tree agrees with the checksum database: run piraeus reindex" \
    "a changed index row, the database agrees with the tree: index wrong"
like "$V" "^$MO@v1.0.0: not indexed:" "no index row, the database vouches: not indexed"
like "$V" "^$RM@v1.1.0: upstream re-tagged:" "re-tagged"
like "$V" "^$MM@v1.0.0: store corrupted:" "the corrupted zip still"
is "$(grep -c '^[^ ]*@v[^ ]*: ' "$TRASH/v.out")" 6 "six problems, each on one line"

# --- quarantine -----------------------------------------------------------
before=$(cd "$S" && find . -path ./.quarantine -prune -o -type f -print | sort)
PIRAEUS_SUMDB_VERIFY=yes verify_out --quarantine
is "$VRC" 1 "verify --quarantine: exit 1 (problems were found)"
like "$(cat "$TRASH/v.out")" '^verified [0-9]+ versions: 6 with problems, 4 quarantined$' "four bad versions quarantined"
Q=$(ls -d "$S/.quarantine"/*/ 2>/dev/null | head -n 1)
ok "a quarantine directory under STORAGE/.quarantine" test -n "$Q"
moved=$(cd "$Q" && find . -type f | sort)
is "$moved" "./$MJ/@v/v1.0.0.info
./$MJ/@v/v1.0.0.zip
./$MM/@v/v1.0.0.info
./$MM/@v/v1.0.0.mod
./$MM/@v/v1.0.0.zip
./$MM/@v/v1.1.0.info
./$MM/@v/v1.1.0.mod
./$MM/@v/v1.1.0.zip
./$RM/@v/v1.1.0.info
./$RM/@v/v1.1.0.mod
./$RM/@v/v1.1.0.zip" "exactly the bad versions' files moved "
after=$(cd "$S" && find . -path ./.quarantine -prune -o -type f -print | sort)
gone=$(printf '%s\n' "$before" | grep -v -x -F "$after")
is "$(printf '%s\n' "$gone" | wc -l)" 11 "and nothing else left the tree"
is "$(sqlite3 "$T/index.sqlite" "SELECT count(*) FROM versions WHERE (module = '$MM' AND version IN ('v1.0.0', 'v1.1.0')) OR (module = '$MJ' AND version = 'v1.0.0') OR (module = '$RM' AND version = 'v1.1.0')")" 0 \
    "their index rows are removed"
is "$(sqlite3 "$T/index.sqlite" "SELECT count(*) FROM versions WHERE module = '$MM' AND version = 'v1.2.0'")" 1 \
    "the index-wrong version stays (reindex mends it)"
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/.quarantine/")" 404 "the quarantine is not served (directory)"
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/${Q#$S/}$MM/@v/v1.0.0.zip")" 404 "the quarantine is not served (a file)"

# The damage above was done in place, behind lighttpd's back: its stat
# cache (server.stat-cache-engine, re-checked once a second) may still
# hold the truncated .mod's old size with the file open, and send 5
# bytes under the old Content-Length.  piraeus never changes a file in
# place; wait the cache out.
sleep 2
dl again $MM@v1.0.0 $MM@v1.1.0 $MJ@v1.0.0 $RM@v1.1.0
ok $? "the go command downloads the quarantined versions again" || diag_file "$TRASH/dl.again.log"
ok "multi v1.0.0 fetched again, identical" same again $MM v1.0.0
ok "multi v1.1.0 fetched again, identical" same again $MM v1.1.0
ok "major v1.0.0 fetched again, identical" same again $MJ v1.0.0
ok "the stored zip is the fixture's again" cmp -s "$S/$MM/@v/v1.0.0.zip" "$REF/$MM/@v/v1.0.0.zip"
"$PIRAEUS" reindex >/dev/null 2>&1
verify_out
is "$VRC" 0 "after the re-fetch and a reindex: all well" || diag_file "$TRASH/v.out"

# --- purge ----------------------------------------------------------------
"$PIRAEUS" purge $MM@v1.0.0 </dev/null >"$TRASH/p.out" 2>&1
is "$?" 2 "purge without --yes and without a terminal: refused (2)"
like "$(cat "$TRASH/p.out")" 'not on a terminal: pass --yes' "and says why"
ok "nothing removed" test -f "$S/$MM/@v/v1.0.0.info"
if command -v script >/dev/null 2>&1; then
	echo n | script -qec "$PIRAEUS purge $MM@v1.0.0" /dev/null >"$TRASH/p.out" 2>&1
	is "$?" 2 "purge on a terminal answered no: 2"
	like "$(cat "$TRASH/p.out")" "remove 1 version of $MM \\(v1.0.0\\) from storage\\? \\[y/N\\]" "the question"
	ok "nothing removed" test -f "$S/$MM/@v/v1.0.0.info"
	echo y | script -qec "$PIRAEUS purge $MM@v1.0.0" /dev/null >"$TRASH/p.out" 2>&1
	is "$?" 0 "purge on a terminal answered yes: 0" || diag_file "$TRASH/p.out"
	nok "the version is gone" test -e "$S/$MM/@v/v1.0.0.info"
else
	for _i in 1 2 3 4 5; do
		skip "purge on a terminal" "no script(1)"
	done
	"$PIRAEUS" purge --yes $MM@v1.0.0 >/dev/null 2>&1
fi
for x in info mod zip; do
	nok "purged: no v1.0.0.$x" test -e "$S/$MM/@v/v1.0.0.$x"
done
is "$(sqlite3 "$T/index.sqlite" "SELECT count(*) FROM versions WHERE module = '$MM' AND version = 'v1.0.0'")" 0 \
    "purged: no index row"
is "$(curl -s "$URL/$MM/@v/list" | tr '\n' ' ')" "v1.0.0 v1.1.0 v1.2.0 v1.3.0-rc.1 " \
    "@v/list still names it (upstream has it)"

"$PIRAEUS" purge --yes $MM >"$TRASH/p.out" 2>&1
ok $? "purge --yes of a whole module" || diag_file "$TRASH/p.out"
like "$(cat "$TRASH/p.out")" "purged $MM@v1.2.0 \\(3 files, index row\\)" "says what it removed"
nok "the module's directory is gone" test -e "$S/$MM"
is "$(sqlite3 "$T/index.sqlite" "SELECT count(*) FROM versions WHERE module = '$MM'")" 0 "no index row of it"
"$PIRAEUS" purge --yes $MM >"$TRASH/p.out" 2>&1
is "$?" 1 "purge of what is not stored: 1"

cp "$TRASH/app.first/go.sum" "$TRASH/go.sum.first"
fixture_build_app "$FX" second "$URL" GOSUMDB=off
ok $? "after purge the app builds again through piraeus" || diag_file "$TRASH/build.second.log"
ok "with the same go.sum" cmp "$TRASH/go.sum.first" "$TRASH/app.second/go.sum"
ok "multi v1.2.0 is stored again" test -f "$S/$MM/@v/v1.2.0.zip"
ok "identical to the fixture" cmp -s "$S/$MM/@v/v1.2.0.zip" "$REF/$MM/@v/v1.2.0.zip"

stop_bg "$SERVE_PID"
unlike "$(cat "$T"/run/*.log "$TRASH"/v.out "$TRASH"/p.out 2>/dev/null)" \
    'AddressSanitizer|LeakSanitizer|runtime error:' "no sanitizer report"
done_testing

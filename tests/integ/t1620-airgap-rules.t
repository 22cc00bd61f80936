#!/bin/sh
# t1620-airgap-rules.t: the air-gapped workflow (t1610) with an app whose
# go.mod has replace and exclude directives, which change the module graph
# the go command needs.  The upstream tree (made here with piraeus pack):
#   example.com/a      no version at all: replaced, never fetched
#   example.com/fork   v1.0.0, the replacement of a (package fork; its
#                      go.mod requires c v1.0.0)
#   example.com/c      v1.0.0 (needed through the replacement's go.mod only)
#   example.com/b      v1.1.0 (excluded), v1.2.0, v1.3.0 (retracts itself)
# The app requires a v1.0.0, b v1.1.0 and d (replaced by the directory ./d).
# The go command drops the excluded requirement and takes b's latest
# allowed version (v1.2.0, reading v1.3.0's go.mod for retractions), and
# fetches fork for a.  prefetch on host A must store exactly what that
# needs; host B (offline, no upstream) imports host A's export and both go
# commands build the app there with the go.sum of a direct build.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need go curl lighttpd tar

UP=$TRASH/upstream
SRC=$TRASH/src
# mkmod MODULE VERSION GOMOD-MODULE WHAT [GO.MOD LINES...]: pack a module
# version whose package (named after the path's last element) says WHAT.
mkmod()
{
	_m=$1 _v=$2 _gm=$3 _w=$4
	shift 4
	_d=$SRC/$_m@$_v
	_p=${_gm##*/}
	mkdir -p "$_d" &&
	{ printf 'module %s\n\ngo 1.16\n' "$_gm"; for _l in "$@"; do
		printf '%s\n' "$_l"; done; } >"$_d/go.mod" &&
	printf 'package %s\n\nfunc What() string { return "%s" }\n' "$_p" \
	    "$_w" >"$_d/$_p.go" &&
	"$PIRAEUS" pack -o "$UP" --time 2023-03-01T12:00:00Z "$_d" "$_m" \
	    "$_v" >>"$TRASH/pack.log" 2>&1 &&
	echo "$_v" >>"$UP/$_m/@v/list"
}
PIRAEUS_CONFIG=/dev/null
export PIRAEUS_CONFIG
mkmod example.com/fork v1.0.0 example.com/fork "fork 1.0.0" \
    "require example.com/c v1.0.0" &&
mkmod example.com/c v1.0.0 example.com/c "c 1.0.0" &&
mkmod example.com/b v1.1.0 example.com/b "b 1.1.0" &&
mkmod example.com/b v1.2.0 example.com/b "b 1.2.0" &&
mkmod example.com/b v1.3.0 example.com/b "b 1.3.0" "retract v1.3.0" ||
    { diag_file "$TRASH/pack.log"; bail_out "cannot pack the upstream"; }
unset PIRAEUS_CONFIG
pass "upstream tree packed"

FX=$TRASH/fx
mkdir -p "$FX/app/d"
cat >"$FX/app/go.mod" <<'EOF2'
module example.com/app

go 1.16

require (
	example.com/a v1.0.0
	example.com/b v1.1.0
	example.com/d v0.0.0
)

replace example.com/a => example.com/fork v1.0.0

replace example.com/d => ./d

exclude example.com/b v1.1.0
EOF2
printf 'module example.com/d\n\ngo 1.16\n' >"$FX/app/d/go.mod"
printf 'package d\n\nfunc What() string { return "d local" }\n' >"$FX/app/d/d.go"
cat >"$FX/app/main.go" <<'EOF2'
package main

import (
	"fmt"

	a "example.com/a"
	"example.com/b"
	"example.com/d"
)

func main() { fmt.Println(a.What(), b.What(), d.What()) }
EOF2
APPOUT="fork 1.0.0 b 1.2.0 d local"

ref_build()
{
	fixture_build_app "$FX" "ref.$GOTAG" "file://$UP"
	ok $? "reference build from file:// [$GOTAG]" ||
	    diag_file "$TRASH/build.ref.$GOTAG.log"
	is "$(cat "$TRASH/app.ref.$GOTAG/app.out")" "$APPOUT" \
	    "the go command takes the replacement and b's latest allowed [$GOTAG]"
}
for_each_go ref_build
REFSUM=$TRASH/app.ref.$GOTAG/go.sum
ok "the reference go.sum is not empty" test -s "$REFSUM"

upstream_start "$UP" || bail_out "cannot start the fake upstream"

SA=$TRASH/hostA/storage
TA=$TRASH/hostA/state
connected_ini "$TRASH/hostA.ini" "$SA" "$TA" "$UPSTREAM_URL" ||
    bail_out "host A's INI"
APP=$TRASH/app
cp -R "$FX/app" "$APP"
cp "$REFSUM" "$APP/go.sum"
PIRAEUS_CONFIG=$TRASH/hostA.ini "$PIRAEUS" prefetch -f "$APP/go.mod" \
    >"$TRASH/pf.out" 2>"$TRASH/pf.err"
is "$?" 0 "prefetch -f go.mod with replace and exclude exits 0" ||
    diag_file "$TRASH/pf.err"
like "$(cat "$TRASH/pf.out")" "^4 versions: 4 fetched, 0 already stored, 0 failed" \
    "fork, c (the replacement's requirement), b v1.3.0 and v1.2.0" ||
    diag_file "$TRASH/pf.err"
like "$(cat "$TRASH/pf.err")" "example.com/d: replaced by the directory ./d: nothing to fetch" \
    "a directory replacement is skipped and said"
is "$(upstream_count /example.com/a/@v/v1.0.0.mod)$(upstream_count /example.com/a/@v/v1.0.0.zip)" 00 \
    "the replaced version is not asked for"
is "$(upstream_count '/example.com/b/@v/v1.1.0*')" 0 \
    "nor the excluded one"
for mv in fork/@v/v1.0.0 c/@v/v1.0.0 b/@v/v1.2.0 b/@v/v1.3.0; do
	ok "example.com/$mv stored" test -f "$SA/example.com/$mv.zip" -a \
	    -f "$SA/example.com/$mv.mod" -a -f "$SA/example.com/$mv.info"
done
ok "the excluded version is not stored" test ! -e "$SA/example.com/b/@v/v1.1.0.mod"

PIRAEUS_CONFIG=$TRASH/hostA.ini "$PIRAEUS" export -o "$TRASH/kit.tar" \
    2>"$TRASH/ex.err"
is "$?" 0 "export -o" || diag_file "$TRASH/ex.err"
upstream_stop
mkdir -p "$TRASH/unpacked"
tar -xf "$TRASH/kit.tar" -C "$TRASH/unpacked"

SB=$TRASH/hostB/storage
TB=$TRASH/hostB/state
offline_ini "$TRASH/hostB.ini" "$SB" "$TB"
PIRAEUS_CONFIG=$TRASH/hostB.ini "$PIRAEUS" import "$TRASH/unpacked" \
    >"$TRASH/imp.out" 2>&1
is "$?" 0 "host B imports the kit" || diag_file "$TRASH/imp.out"
serve_lighttpd "$TRASH/serveB.log" "$SB" "$TB" "$TRASH/hostB.ini"
B_URL=$URL

airgap_build()
{
	fixture_build_app "$FX" "b.$GOTAG" "$B_URL"
	ok $? "go builds the app against host B [$GOTAG]" ||
	    diag_file "$TRASH/build.b.$GOTAG.log"
	is_file "$TRASH/app.b.$GOTAG/go.sum" "$TRASH/app.ref.$GOTAG/go.sum" \
	    "go.sum equals the direct build's [$GOTAG]"
	is "$(cat "$TRASH/app.b.$GOTAG/app.out")" "$APPOUT" "the app runs [$GOTAG]"
}
for_each_go airgap_build

done_testing

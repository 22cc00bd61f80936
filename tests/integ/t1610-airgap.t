#!/bin/sh
# t1610-airgap.t: the air-gapped workflow end to end (README "Air-gapped
# sites").  Host A (storage and state of its own, a local upstream:
# tests/upstream/fakeproxy.go serving the fixtures) runs piraeus prefetch
# on the app's go.mod and go.sum: the whole module graph is stored through
# the miss pipeline, go.sum checked; a second run asks the upstream
# nothing (resumable: stored versions are hits); a run after a partial one
# fetches only the rest; a go.sum that disagrees fails the run.  Host A
# exports the store (-d tree and -o tarball: the same files); host B
# (storage and state of its own, network_mode = offline, goproxy = off,
# the upstream stopped) imports the unpacked tarball and serves it with
# lighttpd (contrib/serve), and each go command builds the app there with
# the go.sum of a direct build.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need go git curl lighttpd tar

upstream_fixtures
pass "fake upstream on $UPSTREAM_URL"

# The reference: each go command builds the app from the fixtures'
# file:// tree, making the go.sum every later build must equal.
ref_build()
{
	fixture_build_app "$FX" "ref.$GOTAG" "file://$REF"
	ok $? "reference build from file:// [$GOTAG]" ||
	    diag_file "$TRASH/build.ref.$GOTAG.log"
}
for_each_go ref_build
REFSUM=$TRASH/app.ref.$GOTAG/go.sum
ok "the reference go.sum is not empty" test -s "$REFSUM"

# Host A.
SA=$TRASH/hostA/storage
TA=$TRASH/hostA/state
mkdir -p "$TRASH/modenone" "$TRASH/modenone.state"
connected_ini "$TRASH/hostA.ini" "$SA" "$TA" "$UPSTREAM_URL" ||
    bail_out "host A's INI"
# piraeus_a ARGS: the CLI with host A's configuration.
piraeus_a()
{
	PIRAEUS_CONFIG=$TRASH/hostA.ini "$PIRAEUS" "$@"
}
complete()
{
	test -f "$1/$2/@v/$3.info" && test -f "$1/$2/@v/$3.mod" &&
	    test -f "$1/$2/@v/$3.zip"
}

# The app as the operator has it: go.mod and the go.sum of a direct build.
APP=$TRASH/app
mkdir -p "$APP"
cp "$FX/app/go.mod" "$APP/go.mod"
cp "$REFSUM" "$APP/go.sum"

# --- prefetch: a partial run first (MODULE@VERSION), then the go.mod ---
piraeus_a prefetch github.com/fixture/major/v2@v2.0.0 >"$TRASH/pf0.out" \
    2>"$TRASH/pf0.err"
is "$?" 0 "prefetch MODULE@VERSION exits 0" || diag_file "$TRASH/pf0.err"
ok "the version named is stored" complete "$SA" github.com/fixture/major/v2 v2.0.0
ok "and the version its go.mod requires (the graph is walked)" \
    complete "$SA" github.com/fixture/multi v1.1.0
like "$(cat "$TRASH/pf0.out")" "^2 versions: 2 fetched, 0 already stored, 0 failed" \
    "the summary counts both"

# The operator's own fetch: download_mode (about clients) does not stop it.
PIRAEUS_STORAGE_ROOT=$TRASH/modenone PIRAEUS_STATE_DIR=$TRASH/modenone.state \
    PIRAEUS_UPSTREAM_DOWNLOAD_MODE=none \
    piraeus_a prefetch github.com/fixture/nomod@v1.0.0 >/dev/null 2>"$TRASH/pfm.err"
is "$?" 0 "download_mode = none: prefetch still fetches" || diag_file "$TRASH/pfm.err"
ok "and stores" complete "$TRASH/modenone" github.com/fixture/nomod v1.0.0

upstream_reset
piraeus_a prefetch -f "$APP/go.mod" >"$TRASH/pf1.out" 2>"$TRASH/pf1.err"
is "$?" 0 "prefetch -f go.mod exits 0" || diag_file "$TRASH/pf1.err"
# The graph: the app's requirements (10) and multi v1.1.0, required by
# major/v2's go.mod only.
like "$(cat "$TRASH/pf1.out")" "^11 versions: 9 fetched, 2 already stored, 0 failed; 11 checked against go.sum" \
    "the whole graph, the partial run's versions not fetched again, every one checked against go.sum (found beside go.mod)"
is "$(upstream_count "/github.com/fixture/major/v2/@v/v2.0.0.zip")" 0 \
    "a version the partial run stored is not asked upstream again"
is "$(upstream_count "/github.com/fixture/multi/@v/v1.2.0.zip")" 1 \
    "a new one is fetched once"
like "$(cat "$TRASH/pf1.err")" "prefetch: \[[0-9]*/11\] github.com/fixture/retract@v1.1.0: fetched" \
    "plain progress lines when stderr is not a terminal"
unlike "$(cat "$TRASH/pf1.err")" "$(printf '\r')" "and no bar"
while read -r m v; do
	em=$(printf '%s' "$m" | sed 's/\([A-Z]\)/!\1/g' | tr 'A-Z' 'a-z')
	complete "$SA" "$em" "$v" || echo "$m $v"
done <<EOF >"$TRASH/missing"
$(sed 's#/go.mod##' "$REFSUM" | awk '{print $1, $2}' | sort -u)
EOF
is "$(cat "$TRASH/missing")" "" "every version of the reference go.sum is stored complete"
is "$(find "$SA/.tmp" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 "no temporary file left"

upstream_reset
piraeus_a prefetch -q -f "$APP/go.mod" "$APP/go.sum" >"$TRASH/pf2.out" 2>"$TRASH/pf2.err"
is "$?" 0 "a second run exits 0"
like "$(cat "$TRASH/pf2.out")" "^11 versions: 0 fetched, 11 already stored" \
    "and fetches nothing"
is "$(upstream_count '*')" 0 "not one request upstream"
is "$(cat "$TRASH/pf2.err")" "" "-q: no progress"

# On a terminal (script(1) gives it a pty): the bar instead of lines.
if command -v script >/dev/null 2>&1; then
	PIRAEUS_CONFIG=$TRASH/hostA.ini script -qec \
	    "'$PIRAEUS' prefetch -f '$APP/go.mod'" /dev/null >"$TRASH/pty.out" 2>&1
	like "$(tr '\r' '\n' <"$TRASH/pty.out")" '^.*\[#{30}\] 11/11' \
	    "a progress bar on a terminal, full at the end"
	unlike "$(cat "$TRASH/pty.out")" "prefetch: \[" "and no progress lines"
else
	skip "script(1) missing: no pty for the bar"
	skip "script(1) missing"
fi

# --- go.sum disagrees: that version fails, the run exits 1 ---
sed -e '/^github.com\/fixture\/retract v1.1.0 /s/h1:./h1:A/' \
    -e '/^github.com\/fixture\/mono v1.0.0\/go.mod /s/h1:./h1:B/' \
    "$REFSUM" >"$TRASH/bad.sum"
nok "a go.sum with two hashes changed" cmp -s "$TRASH/bad.sum" "$REFSUM"
piraeus_a prefetch -f "$APP/go.mod" "$TRASH/bad.sum" >"$TRASH/pf3.out" \
    2>"$TRASH/pf3.err"
is "$?" 1 "prefetch against it exits 1"
like "$(cat "$TRASH/pf3.err")" "github.com/fixture/retract@v1.1.0: failed: zip has h1:.*, go.sum says h1:A" \
    "the zip's mismatch is named"
like "$(cat "$TRASH/pf3.err")" "github.com/fixture/mono@v1.0.0: failed: go.mod has h1:.*, go.sum says h1:B" \
    "the go.mod's mismatch is named"
like "$(cat "$TRASH/pf3.out")" "2 failed" "two versions failed"

printf 'github.com/fixture/multi v1.2.0\n' >"$TRASH/short.sum"
piraeus_a prefetch -f "$APP/go.mod" "$TRASH/short.sum" >/dev/null 2>"$TRASH/pf4.err"
is "$?" 1 "a malformed go.sum: exit 1"
like "$(cat "$TRASH/pf4.err")" "short.sum:1: malformed go.sum line" "with the line"
piraeus_a prefetch github.com/fixture/multi@v1.2 >/dev/null 2>"$TRASH/pf5.err"
is "$?" 1 "a version that is not canonical: exit 1"
piraeus_a prefetch -f "$APP/go.mod" github.com/fixture/multi@v1.2.0 extra \
    >/dev/null 2>&1
is "$?" 2 "too many arguments: usage, exit 2"
piraeus_a prefetch -h >"$TRASH/pfh.out" 2>&1
is "$?" 0 "prefetch -h exits 0"
like "$(cat "$TRASH/pfh.out")" "Exit status: 0" "and documents the exit status"

# --- export: a tree and a tarball of the same files ---
piraeus_a export -d "$TRASH/kit" >/dev/null 2>"$TRASH/ex1.err"
is "$?" 0 "export -d exits 0" || diag_file "$TRASH/ex1.err"
NV=$(find "$SA" -path "$SA/.tmp" -prune -o -name '*.info' -print | wc -l | tr -d ' ')
is "$(find "$TRASH/kit" -type f | wc -l | tr -d ' ')" "$((NV * 3))" \
    "three files for each of the $NV stored versions"
ok "the files are storage's (escaped paths)" cmp -s \
    "$TRASH/kit/github.com/!fixture/!upper/@v/v1.0.1.zip" \
    "$SA/github.com/!fixture/!upper/@v/v1.0.1.zip"
piraeus_a export -d "$TRASH/kit" 2>"$TRASH/ex2.err"
like "$(cat "$TRASH/ex2.err")" "0 files written, $((NV * 3)) unchanged" \
    "exporting again into the same tree writes nothing (rsync-able)"
# A file changed in the tree but keeping its size and mtime is not
# "unchanged": its bytes are compared, and it is written again.
KM=$TRASH/kit/github.com/fixture/multi/@v/v1.2.0
SM=$SA/github.com/fixture/multi/@v/v1.2.0
sed '1s/^m/M/' "$SM.mod" >"$TRASH/mod.x" && cat "$TRASH/mod.x" >"$KM.mod"
printf 'Z' | dd of="$KM.zip" bs=1 seek=100 conv=notrunc 2>/dev/null
touch -r "$SM.mod" "$KM.mod"
touch -r "$SM.zip" "$KM.zip"
nok "the tree's .mod and .zip differ from storage's" cmp -s "$KM.mod" "$SM.mod"
piraeus_a export -d "$TRASH/kit" 2>"$TRASH/ex2b.err"
like "$(cat "$TRASH/ex2b.err")" "2 files written, $((NV * 3 - 2)) unchanged" \
    "same size and mtime, other bytes: both written again"
ok "the .mod is storage's again" cmp -s "$KM.mod" "$SM.mod"
ok "the .zip is storage's again" cmp -s "$KM.zip" "$SM.zip"
# A module directory in DIR that is a symbolic link is not followed.
mkdir -p "$TRASH/kitl/github.com/fixture" "$TRASH/outside"
ln -s "$TRASH/outside" "$TRASH/kitl/github.com/fixture/multi"
piraeus_a export -d "$TRASH/kitl" github.com/fixture/multi@v1.2.0 \
    2>"$TRASH/ex2c.err"
is "$?" 1 "a symbolic link inside DIR: the export fails"
like "$(cat "$TRASH/ex2c.err")" "kitl/github.com/fixture/multi: a symbolic link inside the export directory: refused" \
    "and names it"
is "$(find "$TRASH/outside" | wc -l | tr -d ' ')" 1 "nothing written through it"
mkdir -p "$TRASH/kitl3/github.com"
ln -s "$TRASH/outside" "$TRASH/kitl3/github.com/fixture"
piraeus_a export -d "$TRASH/kitl3" github.com/fixture/multi@v1.2.0 2>/dev/null
is "$?" 1 "a link higher up below DIR: refused too"
is "$(find "$TRASH/outside" | wc -l | tr -d ' ')" 1 "nothing written through it"
piraeus_a export -o "$TRASH/kit.tar" 2>"$TRASH/ex3.err"
is "$?" 0 "export -o exits 0" || diag_file "$TRASH/ex3.err"
ok "no temporary archive left" test ! -e "$TRASH/kit.tar.tmp"
mkdir -p "$TRASH/unpacked"
tar -xf "$TRASH/kit.tar" -C "$TRASH/unpacked"
ok "the tarball unpacks to the same tree" diff -r "$TRASH/kit" "$TRASH/unpacked"
piraeus_a export -d "$TRASH/one" github.com/fixture/multi@v1.2.0 2>/dev/null
is "$(cd "$TRASH/one" && find . -type f | sort | tr '\n' ' ')" \
    "./github.com/fixture/multi/@v/v1.2.0.info ./github.com/fixture/multi/@v/v1.2.0.mod ./github.com/fixture/multi/@v/v1.2.0.zip " \
    "MODULE@VERSION exports that version only"
piraeus_a export -d "$TRASH/none" github.com/fixture/multi@v9.9.9 2>"$TRASH/ex4.err"
is "$?" 1 "a version not stored: exit 1"
like "$(cat "$TRASH/ex4.err")" "not stored complete" "and says so"
piraeus_a export >/dev/null 2>&1
is "$?" 2 "neither -o nor -d: usage, exit 2"
# A name longer than ustar holds (255 bytes: a pax "path" header).
SL=$TRASH/long
LM=example.com$(printf '/0123456789%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25)
mkdir -p "$SL/$LM/@v"
for x in info mod zip; do
	cp "$SA/github.com/fixture/multi/@v/v1.2.0.$x" "$SL/$LM/@v/v1.0.0.$x"
done
PIRAEUS_STORAGE_ROOT=$SL piraeus_a export -o "$TRASH/long.tar" 2>"$TRASH/ex5.err"
is "$?" 0 "export of a module path of ${#LM} bytes" || diag_file "$TRASH/ex5.err"
is "$(tar -tf "$TRASH/long.tar" | sort | tr '\n' ' ')" \
    "$LM/@v/v1.0.0.info $LM/@v/v1.0.0.mod $LM/@v/v1.0.0.zip " \
    "tar reads its full names back"
mkdir -p "$TRASH/long.x"
tar -xf "$TRASH/long.tar" -C "$TRASH/long.x"
ok "and its files" diff -r "$SL/$LM" "$TRASH/long.x/$LM"

# --- host B: no upstream at all ---
upstream_stop
SB=$TRASH/hostB/storage
TB=$TRASH/hostB/state
offline_ini "$TRASH/hostB.ini" "$SB" "$TB"
PIRAEUS_CONFIG=$TRASH/hostB.ini "$PIRAEUS" import "$TRASH/unpacked" \
    >"$TRASH/imp.out" 2>&1
is "$?" 0 "host B imports the unpacked tarball" || diag_file "$TRASH/imp.out"
like "$(cat "$TRASH/imp.out")" "imported $NV versions" "every version"
serve_lighttpd "$TRASH/serveB.log" "$SB" "$TB" "$TRASH/hostB.ini"
B_URL=$URL

airgap_build()
{
	fixture_build_app "$FX" "b.$GOTAG" "$B_URL"
	ok $? "go builds the app against host B [$GOTAG]" ||
	    diag_file "$TRASH/build.b.$GOTAG.log"
	is_file "$TRASH/app.b.$GOTAG/go.sum" "$TRASH/app.ref.$GOTAG/go.sum" \
	    "go.sum equals the direct build's [$GOTAG]"
	is "$(cat "$TRASH/app.b.$GOTAG/app.out")" "$(fixture_app_output)" \
	    "the app runs [$GOTAG]"
}
for_each_go airgap_build
is "$(curl -s -o /dev/null -w '%{http_code}' "$B_URL/github.com/fixture/multi/@v/v1.0.0.info")" 404 \
    "a version host A never had is not found on host B (nothing goes upstream)"

done_testing

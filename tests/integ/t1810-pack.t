#!/bin/sh
# t1810-pack.t: piraeus pack and import, with the go command as the judge.
# Each source tree is committed and tagged in a local git repository; the
# real go commands (GOPROXY=direct) download the tag and piraeus packs the
# same tree (its checkout, .git and all): the h1 must be the same.  Trees
# with a vendor directory (go 1.21 and go 1.24 rules), a nested module, a
# symbolic link, a .git directory, a /v2 module and a +incompatible one.
# Bad requests are refused with their reason.  Then import: pack -o
# output, an Athens disk tree (good and bad versions) and a module cache
# made by the go command; last the go command builds an app through
# lighttpd serving the packed versions.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
need git lighttpd go

OUT=$TRASH/out
S=$TRASH/storage
T=$TRASH/state
mkdir -p "$S" "$T" "$TRASH/git/pk" "$TRASH/empty"
printf '[storage]\nroot = %s\n[state]\ndir = %s\n[policy]\nprivate = github.com/pk\n' \
    "$S" "$T" >"$TRASH/p.ini"
printf '[url "file://%s/git/"]\n\tinsteadOf = https://github.com/\n' \
    "$TRASH" >"$TRASH/gitconfig"

# tree NAME: a new source tree $TRASH/src/NAME (cd'd into, in a subshell).
# tag NAME TAG: commit it, tag it and make the bare repository github.com/pk/NAME.
tag()
{
	_fx_init "$TRASH/src/$1" >/dev/null 2>&1
	_fx_commit "$TRASH/src/$1" 10 "$1" "$2" &&
	    git clone -q --bare "$TRASH/src/$1" "$TRASH/git/pk/$1"
}

# gosum GO MODULE@VERSION: the h1 (or the error) the go command computes
# from the git repository, fresh module cache $TRASH/mc.
gosum()
{
	(
		go_env_common
		GIT_CONFIG_GLOBAL=$TRASH/gitconfig GIT_CONFIG_NOSYSTEM=1
		GIT_ALLOW_PROTOCOL=file:https GIT_TERMINAL_PROMPT=0
		GOPROXY=direct GOPRIVATE=github.com/pk GOMODCACHE=$TRASH/mc
		GOPATH=$TRASH/gopath GOFLAGS=-modcacherw
		export GIT_CONFIG_GLOBAL GIT_CONFIG_NOSYSTEM GIT_ALLOW_PROTOCOL \
		    GIT_TERMINAL_PROMPT GOPROXY GOPRIVATE GOMODCACHE GOPATH \
		    GOFLAGS
		cd "$TRASH/empty" && "$1" mod download -json "$2"
	) 2>&1 | sed -n 's/^[[:space:]]*"\(Sum\|Error\)": "\(.*\)",*$/\2/p'
}

# packed NAME MODULE VERSION TAG GO...: pack the tree into $OUT; its h1
# must be what each GO computes from the tag.
packed()
{
	_n=$1 _m=$2 _v=$3 _t=$4
	shift 4
	tag "$_n" "$_t" || { fail "$_n: git"; return; }
	"$PIRAEUS" pack -o "$OUT" --time 2023-03-10T12:00:00Z \
	    "$TRASH/src/$_n" "$_m" "$_v" >"$TRASH/pack.out" 2>&1
	ok $? "pack $_n: $_m@$_v" || diag_file "$TRASH/pack.out"
	_h=$(awk '{print $3}' "$TRASH/pack.out")
	for _g in "$@"; do
		is "$(gosum "$_g" "$_m@$_v")" "$_h" \
		    "$_n: pack's h1 is go mod download's ($_g)"
	done
}

# A tree with everything CreateFromDir leaves out.
mixed()
{
	mkdir -p "$1" && cd "$1" || return 1
	_fx_gomod "github.com/pk/$2" "$3" >go.mod
	_fx_pkg "$2" "$2" >a.go
	printf 'license\n' >LICENSE
	mkdir -p vendor/ex.com/y pkg/vendor/z sub/nested inner
	printf 'package y\n' >vendor/ex.com/y/y.go
	printf '# ex.com/y v1.0.0\n' >vendor/modules.txt
	printf 'package vendor\n' >pkg/vendor/vendor.go
	printf 'package z\n' >pkg/vendor/z/z.go
	_fx_gomod "github.com/pk/$2/sub/nested" >sub/nested/go.mod
	printf 'package nested\n' >sub/nested/n.go
	printf 'package sub\n' >sub/s.go
	printf 'package inner\n' >inner/i.go
	ln -s a.go link.go
	ln -s inner innerlink
}

GOALL="$GOS"
( mixed "$TRASH/src/ven21" ven21 1.21 ) && packed ven21 github.com/pk/ven21 v1.0.0 v1.0.0 $GOALL
( mixed "$TRASH/src/ven24" ven24 1.24 ) && packed ven24 github.com/pk/ven24 v1.0.0 v1.0.0 "$GO_CURRENT"
unzip -l "$OUT/github.com/pk/ven24/@v/v1.0.0.zip" >"$TRASH/v24.l" 2>&1
unlike "$(cat "$TRASH/v24.l")" 'modules.txt' "go 1.24: vendor/modules.txt left out"
like "$(cat "$TRASH/v24.l")" 'pkg/vendor/vendor.go' "go 1.24: pkg/vendor/vendor.go kept"
unzip -l "$OUT/github.com/pk/ven21/@v/v1.0.0.zip" >"$TRASH/v21.l" 2>&1
like "$(cat "$TRASH/v21.l")" 'vendor/modules.txt' "go 1.21: vendor/modules.txt kept"
unlike "$(cat "$TRASH/v21.l")" 'nested|link|\.git/|ex\.com' \
    "no nested module, symbolic link, .git or vendored package in the zip"
(
	mkdir -p "$TRASH/src/two" && cd "$TRASH/src/two" &&
	_fx_gomod github.com/pk/two/v2 >go.mod && _fx_pkg two v2 >two.go
) && packed two github.com/pk/two/v2 v2.0.0 v2.0.0 $GOALL
(
	mkdir -p "$TRASH/src/inc" && cd "$TRASH/src/inc" && _fx_pkg inc v3 >inc.go
) && packed inc github.com/pk/inc v3.0.0+incompatible v3.0.0 $GOALL
is "$(cat "$OUT/github.com/pk/inc/@v/v3.0.0+incompatible.mod")" \
    "module github.com/pk/inc" "no go.mod: the .mod is the go command's"
is "$(cat "$OUT/github.com/pk/ven21/@v/v1.0.0.info")" \
    '{"Version":"v1.0.0","Time":"2023-03-10T12:00:00Z"}' ".info: the version and --time"
is "$(cat "$OUT/github.com/pk/ven21/@v/list")" "v1.0.0" "-o: @v/list"

# refused MESSAGE-ERE DIR MODULE VERSION: pack exits 1 saying why, and
# nothing is written.
refused()
{
	_re=$1
	shift
	"$PIRAEUS" pack -o "$TRASH/refused" "$@" >"$TRASH/r.out" 2>&1
	_st=$?
	is "$_st" 1 "pack $2 $3 refused (exit 1)"
	like "$(cat "$TRASH/r.out")" "$_re" "  ... saying: $_re"
	is "$(find "$TRASH/refused" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 \
	    "  ... and nothing written"
}
refused 'invalid module path' "$TRASH/src/two" 'github.com/pk/two/v2/' v2.0.0
refused 'not canonical.*v2\.0\.0' "$TRASH/src/two" github.com/pk/two/v2 v2.0
refused 'not a semantic version' "$TRASH/src/two" github.com/pk/two/v2 2.0.0
refused 'says "module github.com/pk/two/v2", not github.com/pk/two/v3' \
    "$TRASH/src/two" github.com/pk/two/v3 v3.0.0
refused 'does not match the major version' "$TRASH/src/two" \
    github.com/pk/two/v2 v1.0.0
refused '\+incompatible, but the tree has a go.mod' "$TRASH/src/ven21" \
    github.com/pk/ven21 v2.0.0+incompatible
refused 'only for v2 and above' "$TRASH/src/inc" github.com/pk/inc \
    v1.0.0+incompatible
refused 'has no go.mod: version v2.0.0 needs one' "$TRASH/src/inc" \
    github.com/pk/inc/v2 v2.0.0
mkdir -p "$TRASH/src/badname" && _fx_gomod github.com/pk/badname >"$TRASH/src/badname/go.mod"
: >"$TRASH/src/badname/a:b.go"
: >"$TRASH/src/badname/ok.go"
refused '"a:b.go": invalid file name' "$TRASH/src/badname" github.com/pk/badname v1.0.0
mkdir -p "$TRASH/src/fold" && _fx_gomod github.com/pk/fold >"$TRASH/src/fold/go.mod"
: >"$TRASH/src/fold/A.go"
: >"$TRASH/src/fold/a.go"
refused 'case' "$TRASH/src/fold" github.com/pk/fold v1.0.0
"$PIRAEUS" pack -h >"$TRASH/h.out" 2>&1
ok $? "pack -h: exit 0"
like "$(cat "$TRASH/h.out")" 'usage: piraeus pack \[-o OUTDIR\]' "pack -h: its usage"
"$PIRAEUS" pack a b >/dev/null 2>&1
is $? 2 "pack with too few arguments: exit 2"

# Into storage, then again: refused (published versions never change).
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" pack --time 2023-03-10T12:00:00Z \
    "$TRASH/src/ven21" github.com/pk/ven21 v1.0.0 >"$TRASH/ps.out" 2>&1
ok $? "pack into storage" || diag_file "$TRASH/ps.out"
cmp -s "$S/github.com/pk/ven21/@v/v1.0.0.zip" "$OUT/github.com/pk/ven21/@v/v1.0.0.zip"
ok $? "the same tree and time make the same zip"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" pack "$TRASH/src/ven21" \
    github.com/pk/ven21 v1.0.0 >"$TRASH/ps.out" 2>&1
is $? 1 "pack of a stored version: exit 1"
like "$(cat "$TRASH/ps.out")" 'stored already' "  ... saying it is stored already"

# import of pack's output: every version, v21 present already.
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" import "$OUT" >"$TRASH/i.out" 2>&1
ok $? "import pack -o output" || diag_file "$TRASH/i.out"
like "$(cat "$TRASH/i.out")" 'imported 3 versions, 1 already present, skipped 0 .GOPROXY tree' \
    "  ... 3 imported, 1 present"

# An Athens disk tree: <module>/<version>/{go.mod,source.zip,<version>.info}.
A=$TRASH/athens
athens()	# MODULE VERSION FROM-MODULE-IN-OUT FROM-VERSION
{
	mkdir -p "$A/$1/$2"
	cp "$OUT/$3/@v/$4.mod" "$A/$1/$2/go.mod"
	cp "$OUT/$3/@v/$4.zip" "$A/$1/$2/source.zip"
	cp "$OUT/$3/@v/$4.info" "$A/$1/$2/$2.info"
}
athens github.com/pk/two/v2 v2.0.0 github.com/pk/two/v2 v2.0.0
athens github.com/pk/ven24 v1.0.0 github.com/pk/ven24 v1.0.0
athens github.com/pk/badmod v1.0.0 github.com/pk/ven24 v1.0.0	# zip names v24
athens github.com/pk/ven21 v1.0.1 github.com/pk/ven21 v1.0.0	# .info v1.0.0
athens github.com/pk/ven21 v1.0.0 github.com/pk/ven21 v1.0.0
printf 'module github.com/pk/ven21\n' >"$A/github.com/pk/ven21/v1.0.0/go.mod"
mkdir -p "$A/github.com/pk/ven24/v1.0.3"
cp "$A/github.com/pk/ven24/v1.0.0/go.mod" "$A/github.com/pk/ven24/v1.0.3/"
rm -rf "$S/github.com/pk/two"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" import "$A" >"$TRASH/a.out" 2>&1
is $? 1 "import of an Athens tree with bad versions: exit 1"
like "$(cat "$TRASH/a.out")" 'imported 1 versions, 1 already present, skipped 4 .Athens disk tree' \
    "  ... 1 imported, 1 present, 4 skipped"
like "$(cat "$TRASH/a.out")" 'not imported: github.com/pk/badmod@v1.0.0: .*prefix|not imported: github.com/pk/badmod@v1.0.0: .*github.com/pk/ven24' \
    "  ... a zip of another module: told"
like "$(cat "$TRASH/a.out")" 'not imported: github.com/pk/ven21@v1.0.1: .info Version is not v1.0.1' \
    "  ... a .info naming another version: told"
like "$(cat "$TRASH/a.out")" "not imported: github.com/pk/ven21@v1.0.0: .mod differs from the zip's go.mod" \
    "  ... a .mod not the zip's go.mod: told"
like "$(cat "$TRASH/a.out")" 'not imported: github.com/pk/ven24@v1.0.3: incomplete' \
    "  ... an incomplete version: told"
[ ! -e "$S/github.com/pk/ven21/@v/v1.0.1.zip" ] &&
    [ ! -e "$S/github.com/pk/ven21/@v/v1.0.1.mod" ] &&
    [ ! -e "$S/github.com/pk/ven24/@v/v1.0.3.mod" ] &&
    [ ! -e "$S/github.com/pk/badmod" ]
ok $? "  ... nothing of a bad version stored"
cmp -s "$S/github.com/pk/ven21/@v/v1.0.0.mod" "$OUT/github.com/pk/ven21/@v/v1.0.0.mod"
ok $? "  ... a stored version untouched by a bad copy of it"
cmp -s "$S/github.com/pk/two/v2/@v/v2.0.0.zip" "$OUT/github.com/pk/two/v2/@v/v2.0.0.zip"
ok $? "  ... the good one stored as it was"
is "$(find "$S/.tmp" -type f | wc -l | tr -d ' ')" 0 "  ... nothing left in .tmp"

# A module cache made by the go command (its root): imported, all present.
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" import "$TRASH/mc" >"$TRASH/m.out" 2>&1
ok $? "import of a module cache the go command made" || diag_file "$TRASH/m.out"
like "$(cat "$TRASH/m.out")" 'imported 0 versions, 4 already present, skipped 0' \
    "  ... the same content (h1) as packed: present, nothing skipped"

# The go command builds an app through lighttpd serving the packed versions.
mkdir -p "$TRASH/app"
cat >"$TRASH/app/go.mod" <<'GOMOD'
module example.com/app

go 1.16

require (
	github.com/pk/inc v3.0.0+incompatible
	github.com/pk/two/v2 v2.0.0
	github.com/pk/ven21 v1.0.0
)
GOMOD
cat >"$TRASH/app/main.go" <<'GOSRC'
package main

import (
	"fmt"

	"github.com/pk/inc"
	"github.com/pk/two/v2"
	"github.com/pk/ven21"
)

func main() { fmt.Println(ven21.What(), two.What(), inc.What()) }
GOSRC
: >"$TRASH/app/go.sum"
serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$TRASH/p.ini"
build()
{
	rm -rf "$TRASH/app.b" && cp -r "$TRASH/app" "$TRASH/app.b"
	(
		go_env_proxy "$URL" "$TRASH/mc.b" || exit 1
		GOFLAGS=-mod=mod GONOSUMDB=github.com/pk GOPRIVATE= GOSUMDB=off
		export GOFLAGS GONOSUMDB GOPRIVATE GOSUMDB
		cd "$TRASH/app.b" && "$GO" build -o app . && ./app
	) >"$TRASH/build.log" 2>&1
}
for_each_go build
ok $? "the go command builds the app through lighttpd" || diag_file "$TRASH/build.log"
is "$(tail -1 "$TRASH/build.log")" "ven21 v2 v3" "  ... and it runs"
stop_bg "$SERVE_PID"
done_testing

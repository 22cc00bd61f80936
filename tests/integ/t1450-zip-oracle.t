#!/bin/sh
# t1450-zip-oracle.t: the go command is the judge of module zips.  Every
# case of tests/data/hostile-zips.tsv is written byte for byte by
# tests/zips/mkzips.go (built here with the go command under test) as the
# zip of module example.com/zo/NAME in a file:// GOPROXY tree.  The real go
# commands download it from there (go mod download -json, fresh module
# cache each), and piraeus fetches it on a miss from the same tree (the
# responder as CGI).  Each is compared with the data file's verdict, so a
# go command that decides otherwise fails here as loudly as a piraeus
# that does: an accepted zip is served and stored byte for byte as the
# tree has it, under the h1 the go command computed; a refused one is a
# 502 naming the zip, and nothing of it is stored or left in .tmp.  A
# refusal is for the reason the data file gives (GOERR for a go command,
# PERR for piraeus), so a zip refused for another reason fails too.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
need cmp

# The oracles: GO (go 1.26, /usr/local/go) and GO_OLD (Debian 12's go
# 1.19), both required, never the go on PATH.  Where they disagree (the
# data file says NEW/OLD), piraeus refuses: what one of them refuses, it
# refuses, since it cannot tell which go command will ask.
GO=$GO_CURRENT
GO_OLD=$GO_DEBIAN
need "$GO" "$GO_OLD"
DATA=$top_srcdir/tests/data/hostile-zips.tsv

UP=$TRASH/upstream
S=$TRASH/storage
use_config "$S" "$TRASH/state"
export PIRAEUS_UPSTREAM_GOPROXY="file://$UP" PIRAEUS_SUMDB_VERIFY=no
export PIRAEUS_UPSTREAM_RETRIES=0

# The generator, built with the go command under test (standard library
# only, GOPATH mode: no module, no network).
(
	go_env_common
	GO111MODULE=off GOCACHE=$TRASH/gocache.mkzips
	export GO111MODULE GOCACHE
	"$GO" build -o "$TRASH/mkzips" "$top_srcdir/tests/zips/mkzips.go"
) > "$TRASH/mkzips.log" 2>&1 || { diag_file "$TRASH/mkzips.log"; bail_out "mkzips.go does not build"; }
"$TRASH/mkzips" -tree "$UP" || bail_out "mkzips -tree"

# The data file's cases are the generator's, in the same order.
grep -v '^#' "$DATA" | cut -f1 > "$TRASH/data.names"
"$TRASH/mkzips" -list > "$TRASH/gen.names"
ok "the data file lists every case of mkzips.go, in order" \
    cmp -s "$TRASH/data.names" "$TRASH/gen.names" ||
    diff "$TRASH/data.names" "$TRASH/gen.names" | head -20 >&2
ncases=$(wc -l < "$TRASH/data.names" | tr -d ' ')
ok "at least 40 cases ($ncases)" test "$ncases" -ge 40

# go_verdict GO TAG NAME: "ok" when that go command downloads the zip of
# case NAME (a fresh module cache), else "bad"; its output in
# $TRASH/go.NAME.TAG.json.
go_verdict()
{
	_gv_out=$TRASH/go.$3.$2.json
	(
		go_env_proxy "file://$UP" "$TRASH/mc.$3.$2"
		GOCACHE=$TRASH/gocache.$2
		export GOCACHE
		cd "$TRASH" && "$1" mod download -json \
		    "example.com/zo/$3@v1.0.0"
	) > "$_gv_out" 2>&1
	chmod -R u+w "$TRASH/mc.$3.$2" 2>/dev/null
	rm -rf "$TRASH/mc.$3.$2"
	if grep -q '"Error"' "$_gv_out" || ! grep -q '"Zip"' "$_gv_out"; then
		echo bad
	else
		echo ok
	fi
}

# json_sum FILE: the "Sum" of go mod download -json's output.
json_sum()
{
	sed -n 's/^[	 ]*"Sum": "\(h1:[^"]*\)",*$/\1/p' "$1"
}

us=$(printf '\037')
grep -v '^#' "$DATA" | tr '\t' '\037' > "$TRASH/cases"
# go_reason TAG NAME GOERR WANT: when that go command was to refuse case
# NAME (WANT bad), its "Error" matches GOERR: it refused for the reason
# the data file gives, not another.
go_reason()
{
	[ "$4" = bad ] || return 0
	like "$(grep -a '"Error"' "$TRASH/go.$2.$1.json")" "$3" \
	    "$2: the $1 go command's reason: $3"
}

while IFS=$us read -r name want goerr perr why; do
	[ -n "$name" ] || continue
	mod=example.com/zo/$name
	# WANT is "NEW" or "NEW/OLD"; piraeus must refuse what either refuses.
	want_new=${want%/*} want_old=${want#*/}
	gov=ok
	[ "$want_new" = ok ] && [ "$want_old" = ok ] || gov=bad
	v=$(go_verdict "$GO" new "$name")
	is "$v" "$want_new" "$name: $GO says $want_new ($why)" ||
	    diag_file "$TRASH/go.$name.new.json"
	go_reason new "$name" "$goerr" "$want_new"
	v=$(go_verdict "$GO_OLD" old "$name")
	is "$v" "$want_old" "$name: $GO_OLD says $want_old" ||
	    diag_file "$TRASH/go.$name.old.json"
	go_reason old "$name" "$goerr" "$want_old"

	cgi GET "/$mod/@v/v1.0.0.zip"
	case $STATUS in
	200) pv=ok ;;
	502) pv=bad ;;
	*) pv="status $STATUS" ;;
	esac
	is "$pv" "$gov" "$name: piraeus says $gov" ||
	    diag "$(head -c 300 "$TRASH/body" | tr -cd '[:print:]\n')"
	if [ "$pv" = ok ]; then
		ok "$name: served byte for byte" \
		    cmp -s "$TRASH/body" "$UP/$mod/@v/v1.0.0.zip"
		ok "$name: stored byte for byte" \
		    cmp -s "$S/$mod/@v/v1.0.0.zip" "$UP/$mod/@v/v1.0.0.zip"
		# The h1 piraeus indexed is the one the go command computed
		# (the newest one's when only the newest one accepts).
		if [ "$want_new" = ok ]; then
			h1=$(json_sum "$TRASH/go.$name.new.json")
			is "$("$PIRAEUS" catalog "$mod" 2>&1 |
			    awk '$1 == "v1.0.0" { print $NF }')" "$h1" \
			    "$name: piraeus's h1 is go's"
		fi
	else
		nok "$name: nothing stored" test -e "$S/$mod/@v/v1.0.0.zip"
		is "$(find "$S/$mod" -type f 2>/dev/null)" "" \
		    "$name: no file of the module stored"
		if [ "$pv" = bad ]; then
			like "$(cat "$TRASH/body")" "$mod@v1\\.0\\.0" \
			    "$name: the 502 names the zip"
			like "$(cat "$TRASH/body")" "$perr" \
			    "$name: piraeus's reason: $perr"
		fi
	fi
done < "$TRASH/cases"
is "$(find "$S/.tmp" -type f 2>/dev/null)" "" "no temporary file left"
done_testing

#!/bin/sh
# t0350-gc.t: piraeus gc.  By age from access times and from the web
# server's access log (read incrementally), by size (least recently
# fetched first), the require rule (an old version a kept go.mod requires
# stays; --force removes it), --dry-run changes nothing (tree and index
# identical), a version whose fetch lock is held is skipped, removal keeps
# tree and index consistent; then the go command, through lighttpd and
# piraeus, fetches a removed version again and go.sum is the same.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need perl zip sqlite3

S=$TRASH/storage
T=$TRASH/state
use_config "$S" "$T"
NOW=$(date +%s)
OLD=$((NOW - 100 * 86400))
MID=$((NOW - 20 * 86400))

# ver MODULE VERSION GOMOD-EXTRA: a version stored.
ver()
{
	mkver "$S" "$1" "$2" "$2" 2020-01-01T00:00:00Z "module $1
$3" "$1" go.mod="module $1" x.go='package x'
}
# build_store: the versions, indexed (reindex reads the files: their
# access times are set after it), every file last used OLD, but used's
# zip and app's go.mod fetched now.
build_store()
{
	rm -rf "$S" "$T"
	mkdir -p "$S" "$T"
	ver a.example/old v1.0.0 ''
	ver a.example/used v1.0.0 ''
	ver a.example/logged v1.0.0 ''
	ver a.example/req v1.0.0 ''
	ver a.example/req2 v1.0.0 ''
	ver a.example/app v1.0.0 'require (
	a.example/req v1.0.0 // indirect
)
'
	# app is used; req is required by it; req2 by req (transitively).
	printf 'module a.example/req\nrequire "a.example/req2" v1.0.0\n' \
	    > "$S/a.example/req/@v/v1.0.0.mod"
	"$PIRAEUS" reindex >/dev/null || return 1
	find "$S" -path "$S/.tmp" -prune -o -type f -exec touch -d "@$OLD" {} +
	touch -a -d "@$NOW" "$S/a.example/used/@v/v1.0.0.zip"
	touch -a -d "@$NOW" "$S/a.example/app/@v/v1.0.0.mod"
}
# snapshot NAME: the tree (paths, sizes, mtimes) and the index's rows.
snapshot()
{
	(cd "$S" && find . -path ./.tmp -prune -o -print | sort |
	    while read -r f; do stat -c '%n %s %Y' "$f"; done) > "$TRASH/$1.tree"
	sqlite3 "$T/index.sqlite" "SELECT module, version, zip_h1 FROM versions ORDER BY 1, 2" > "$TRASH/$1.index"
}
gone()
{
	! test -e "$S/$1/@v/$2.info" && ! test -e "$S/$1/@v/$2.mod" &&
	    ! test -e "$S/$1/@v/$2.zip" &&
	    [ -z "$(sqlite3 "$T/index.sqlite" "SELECT 1 FROM versions WHERE module = '$1' AND version = '$2'")" ]
}
here()
{
	test -f "$S/$1/@v/$2.info" && test -f "$S/$1/@v/$2.zip" &&
	    [ "$(sqlite3 "$T/index.sqlite" "SELECT 1 FROM versions WHERE module = '$1' AND version = '$2'")" = 1 ]
}

# --- nothing configured: nothing to do ---
build_store || bail_out "store"
out=$("$PIRAEUS" gc 2>&1)
is "$?" 0 "gc without max_age or max_size exits 0"
like "$out" 'nothing to do' "and says there is nothing to do"
"$PIRAEUS" gc --bogus >/dev/null 2>&1
is "$?" 2 "an unknown flag is a usage error"
PIRAEUS_GC_MAX_SIZE=12Q "$PIRAEUS" gc >/dev/null 2>"$TRASH/err"
is "$?" 1 "a bad max_size is a configuration error"
like "$(cat "$TRASH/err")" '\[gc\] max_size' "naming the key"

# --- by age, from access times; dry run first ---
export PIRAEUS_GC_MAX_AGE=30
snapshot before
"$PIRAEUS" gc --dry-run > "$TRASH/dry" 2>&1
is "$?" 0 "gc --dry-run exits 0"
snapshot after
is_file "$TRASH/after.tree" "$TRASH/before.tree" "--dry-run: the tree is identical"
is_file "$TRASH/after.index" "$TRASH/before.index" "--dry-run: the index is identical"
ok "--dry-run leaves no state file" test ! -e "$T/gc-accesslog"
like "$(cat "$TRASH/dry")" 'would remove a\.example/old@v1\.0\.0 [0-9]+ unused for 100 days' \
    "--dry-run prints module@version, bytes and why"
like "$(cat "$TRASH/dry")" 'keep a\.example/req@v1\.0\.0: unused for 100 days, required by a\.example/app@v1\.0\.0' \
    "a version a kept go.mod requires is kept, and it says why"
like "$(cat "$TRASH/dry")" 'keep a\.example/req2@v1\.0\.0: .*required by a\.example/req@v1\.0\.0' \
    "transitively"
unlike "$(cat "$TRASH/dry")" 'would remove a\.example/(used|app|req)@' \
    "neither used nor required versions would go"

"$PIRAEUS" gc > "$TRASH/out" 2>&1
is "$?" 0 "gc exits 0"
like "$(cat "$TRASH/out")" 'removed a\.example/old@v1\.0\.0 [0-9]+ unused for 100 days' "old is removed"
ok "old: files and index row gone" gone a.example/old v1.0.0
ok "old: its empty directories are gone" test ! -e "$S/a.example/old"
ok "logged (no access log configured) is removed" gone a.example/logged v1.0.0
ok "used (fresh atime) is kept" here a.example/used v1.0.0
ok "req (required by app) is kept" here a.example/req v1.0.0
ok "req2 (required by req) is kept" here a.example/req2 v1.0.0
ok "app is kept" here a.example/app v1.0.0
like "$(cat "$TRASH/out")" 'removed 2 \(' "the summary counts 2 removed"
ok "the other versions of the tree stay complete" test -f "$S/a.example/used/@v/v1.0.0.mod"

# PIRAEUS_GC_ATIME=no: access times do not count (a noatime mount).
build_store || bail_out "store"
PIRAEUS_GC_ATIME=no "$PIRAEUS" gc --dry-run > "$TRASH/dry" 2>&1
like "$(cat "$TRASH/dry")" 'would remove a\.example/used@v1\.0\.0' "atime = no: a fresh atime does not keep a version"

# --- --force: the require rule is ignored ---
"$PIRAEUS" gc --force > "$TRASH/out" 2>&1
ok "--force removes req" gone a.example/req v1.0.0
ok "--force removes req2" gone a.example/req2 v1.0.0
ok "--force keeps what is used" here a.example/app v1.0.0

# --- by age, from the access log (incremental) ---
build_store || bail_out "store"
LOG=$TRASH/access.log
export PIRAEUS_GC_ACCESS_LOG=$LOG
when=$(LC_ALL=C date -u -d "@$MID" '+%d/%b/%Y:%H:%M:%S +0000')
recent=$(LC_ALL=C date -u -d "@$((NOW - 60))" '+%d/%b/%Y:%H:%M:%S +0000')
{
	printf '127.0.0.1 - - [%s] "GET /a.example/logged/@v/v1.0.0.zip HTTP/1.1" 200 120 "-" "Go-http-client/1.1"\n' "$when"
	printf '127.0.0.1 - - [%s] "GET /a.example/old/@v/v1.0.0.zip HTTP/1.1" 404 9\n' "$recent"
	printf '127.0.0.1 - - [%s] "HEAD /a.example/old/@v/v1.0.0.zip HTTP/1.1" 200 0\n' "$recent"
	printf 'garbage [%s] "GET /a.example/old/@v/v1.0.0.zip\n' "$recent"
} > "$LOG"
"$PIRAEUS" gc > "$TRASH/out" 2>&1
ok "a hit 20 days ago in the access log keeps logged" here a.example/logged v1.0.0
ok "a 404, a HEAD and a garbage line do not keep old" gone a.example/old v1.0.0
like "$(cat "$TRASH/out")" 'access log: 4 lines, 1 hits' "the log's lines were read once"
ok "the state file remembers the log" test -s "$T/gc-accesslog"
"$PIRAEUS" gc > "$TRASH/out" 2>&1
like "$(cat "$TRASH/out")" 'access log: 0 lines' "a second gc reads only new lines"
ok "and remembers logged's hit from the first" here a.example/logged v1.0.0
PIRAEUS_GC_MAX_AGE=10 "$PIRAEUS" gc > "$TRASH/out" 2>&1
ok "max_age 10: the hit 20 days ago no longer keeps it" gone a.example/logged v1.0.0
# Rotation: the rest of the old file (now PATH.1) is read, then the new.
build_store || bail_out "store"
rm -f "$T/gc-accesslog"
printf '127.0.0.1 - - [%s] "GET /a.example/old/@v/v1.0.0.mod HTTP/1.1" 200 1\n' "$when" > "$LOG"
"$PIRAEUS" gc --dry-run >/dev/null 2>&1
PIRAEUS_GC_MAX_AGE=200 "$PIRAEUS" gc >/dev/null 2>&1
ok "max_age 200: logged is still there" here a.example/logged v1.0.0
printf '127.0.0.1 - - [%s] "GET /a.example/logged/@v/v1.0.0.info HTTP/1.1" 200 1\n' "$recent" >> "$LOG"
mv "$LOG" "$LOG.1"
printf '127.0.0.1 - - [%s] "GET /a.example/used/@v/v1.0.0.info HTTP/1.1" 200 1\n' "$recent" > "$LOG"
"$PIRAEUS" gc > "$TRASH/out" 2>&1
like "$(cat "$TRASH/out")" 'access log: 2 lines, 2 hits' "after a rotation: the old file's rest and the new file"
ok "the hit written before the rotation keeps logged" here a.example/logged v1.0.0
# A NUL inside a line: that line is no hit, and the next line is read
# whole (not taken for the rest of a line too long).
build_store || bail_out "store"
rm -f "$T/gc-accesslog"
{
	printf '127.0.0.1 - - [%s] "GET /a.example/old/@v/v1.0.0.zip\000 HTTP/1.1" 200 1\n' "$recent"
	printf '127.0.0.1 - - [%s] "GET /a.example/logged/@v/v1.0.0.zip HTTP/1.1" 200 1\n' "$recent"
} > "$LOG"
"$PIRAEUS" gc > "$TRASH/out" 2>&1
like "$(cat "$TRASH/out")" 'access log: 2 lines, 1 hits' "a line with a NUL is a line, not a hit"
ok "the line after a NUL is read: its hit keeps logged" here a.example/logged v1.0.0
ok "the line with a NUL keeps nothing" gone a.example/old v1.0.0
# A hit dated in the future counts as now: it does not pin the version
# (nor is it saved later than now in the state file).
build_store || bail_out "store"
rm -f "$T/gc-accesslog"
future=$(LC_ALL=C date -u -d "@$((NOW + 3650 * 86400))" '+%d/%b/%Y:%H:%M:%S +0000')
printf '127.0.0.1 - - [%s] "GET /a.example/old/@v/v1.0.0.zip HTTP/1.1" 200 1\n' "$future" > "$LOG"
"$PIRAEUS" gc > "$TRASH/out" 2>&1
ok "a future hit: kept this run (as used now)" here a.example/old v1.0.0
t=$(awk '/a\.example\/old/ { print $1 }' "$T/gc-accesslog")
ok "the state file keeps the hit no later than now ($t)" test -n "$t" -a "${t:-0}" -le "$(date +%s)"
unset PIRAEUS_GC_ACCESS_LOG

# --- a version whose fetch lock is held is skipped ---
build_store || bail_out "store"
sleep 300 &
HOLDER=$!
at_exit "kill $HOLDER 2>/dev/null"
sqlite3 "$T/index.sqlite" "INSERT INTO locks (key, owner_pid, host, started, expires) VALUES ('v:a.example/old@v1.0.0', $HOLDER, '$(hostname)', $NOW, $((NOW + 600)))"
"$PIRAEUS" gc > "$TRASH/out" 2>&1
like "$(cat "$TRASH/out")" 'skip a\.example/old@v1\.0\.0: being fetched' "a held fetch lock: skipped, and said"
ok "the locked version is whole" here a.example/old v1.0.0
ok "the others still go" gone a.example/logged v1.0.0
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
"$PIRAEUS" gc > "$TRASH/out" 2>&1
ok "its holder dead, the next gc removes it" gone a.example/old v1.0.0
# A skipped version keeps what it requires: app, old now, is held; req
# (which app requires) and req2 (which req requires) must stay, though
# app comes before them and they were candidates too.
build_store || bail_out "store"
touch -a -d "@$OLD" "$S/a.example/app/@v/v1.0.0.mod"
sleep 300 &
HOLDER=$!
at_exit "kill $HOLDER 2>/dev/null"
sqlite3 "$T/index.sqlite" "INSERT INTO locks (key, owner_pid, host, started, expires) VALUES ('v:a.example/app@v1.0.0', $HOLDER, '$(hostname)', $NOW, $((NOW + 600)))"
"$PIRAEUS" gc > "$TRASH/out" 2>&1
like "$(cat "$TRASH/out")" 'skip a\.example/app@v1\.0\.0: being fetched' "a held app: skipped"
ok "the skipped app is whole" here a.example/app v1.0.0
ok "req, which the skipped app requires, is kept" here a.example/req v1.0.0
ok "req2, which req requires, is kept" here a.example/req2 v1.0.0
ok "old still goes" gone a.example/old v1.0.0
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
# A version fetched (stored) just now is never removed, even by size.
build_store || bail_out "store"
ver a.example/fresh v1.0.0 ''
"$PIRAEUS" reindex >/dev/null
find "$S" -path "$S/.tmp" -prune -o -type f ! -path '*/fresh/*' -exec touch -d "@$OLD" {} +
touch -a -d "@$NOW" "$S/a.example/used/@v/v1.0.0.zip" "$S/a.example/app/@v/v1.0.0.mod"
PIRAEUS_GC_MAX_AGE=0 PIRAEUS_GC_MAX_SIZE=1 "$PIRAEUS" gc --force > "$TRASH/out" 2>&1
ok "max_size 1 with --force: a version stored just now stays" here a.example/fresh v1.0.0
like "$(cat "$TRASH/out")" 'removed 4 \(' "every version unused for an hour goes"
ok "used (fetched now) stays" here a.example/used v1.0.0
unset PIRAEUS_GC_MAX_AGE

# --- by size: least recently fetched first, the require rule kept ---
build_store || bail_out "store"
# Uses: old 100 days ago, logged 50, req/req2 (required by app) 100,
# used and app now.
touch -a -d "@$((NOW - 50 * 86400))" "$S/a.example/logged/@v/v1.0.0.zip"
total=$(sqlite3 "$T/index.sqlite" "SELECT 1" >/dev/null; cd "$S" && find . -path ./.tmp -prune -o -type f -name 'v1.0.0.*' -printf '%s\n' | awk '{ t += $1 } END { print t }')
one=$(cd "$S/a.example/old/@v" && stat -c %s v1.0.0.info v1.0.0.mod v1.0.0.zip | awk '{ t += $1 } END { print t }')
PIRAEUS_GC_MAX_SIZE=$((total - 1)) "$PIRAEUS" gc > "$TRASH/out" 2>&1
like "$(cat "$TRASH/out")" 'removed a\.example/old@v1\.0\.0 [0-9]+ over max_size' "one byte over: the least recently fetched goes"
ok "old is gone" gone a.example/old v1.0.0
ok "logged (fetched later) stays" here a.example/logged v1.0.0
like "$(cat "$TRASH/out")" "removed 1 \\($one bytes\\)" "one version, its bytes counted"
PIRAEUS_GC_MAX_SIZE=1 "$PIRAEUS" gc > "$TRASH/out" 2>&1
ok "max_size 1: logged goes" gone a.example/logged v1.0.0
ok "but req, which app requires, stays" here a.example/req v1.0.0
ok "and req2" here a.example/req2 v1.0.0
ok "and what was fetched in the last hour" here a.example/used v1.0.0
like "$(cat "$TRASH/out")" 'over max_size' "it warns that storage stays over max_size"

# --- the go command fetches a removed version again, same go.sum ---
if ! command -v lighttpd >/dev/null 2>&1 || [ ! -x "$GO_CURRENT" ]; then
	if [ "${PIRAEUS_REQUIRE_INTEG:-0}" = 1 ]; then
		fail "lighttpd or $GO_CURRENT missing"
	else
		skip "lighttpd or $GO_CURRENT missing: no go re-fetch check"
	fi
	done_testing
	exit 0
fi
UP=$TRASH/upstream
mkver "$UP" a.example/dep v1.0.0 v1.0.0 2020-01-01T00:00:00Z \
    'module a.example/dep
' a.example/dep go.mod='module a.example/dep' dep.go='package dep
func V() string { return "dep" }'
rm -rf "$S" "$T"
mkdir -p "$S" "$T"
cat >"$TRASH/p.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = file://$UP
[sumdb]
verify = no
[gc]
max_age = 30
INI
serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$TRASH/p.ini" -- --procs 1
# app DIR PROXY: build a tiny app needing a.example/dep with a fresh
# module cache; its go.sum is DIR/go.sum.
app()
{
	rm -rf "$1" "$TRASH/gopath"
	mkdir -p "$1"
	printf 'module app\ngo 1.19\nrequire a.example/dep v1.0.0\n' > "$1/go.mod"
	printf 'package main\nimport "a.example/dep"\nfunc main() { println(dep.V()) }\n' > "$1/main.go"
	(cd "$1" && env -i PATH=/usr/bin:/bin HOME="$TRASH" \
	    GOPATH="$TRASH/gopath" GOCACHE="$TRASH/gocache" GOFLAGS=-mod=mod \
	    GOPROXY="$2" GOSUMDB=off GOTOOLCHAIN=local GONOSUMDB= GOPRIVATE= \
	    "$GO_CURRENT" build -o app . ) > "$TRASH/go.log" 2>&1
	_st=$?
	chmod -R u+w "$TRASH/gopath" 2>/dev/null
	[ "$_st" -eq 0 ] || diag_file "$TRASH/go.log"
	return "$_st"
}
app "$TRASH/ref" "file://$UP"
ok $? "reference build from file://"
app "$TRASH/one" "http://127.0.0.1:$PORT"
ok $? "build through lighttpd and piraeus"
is_file "$TRASH/one/go.sum" "$TRASH/ref/go.sum" "go.sum equals the reference"
ok "dep is stored" here a.example/dep v1.0.0
touch -d "@$OLD" "$S/a.example/dep/@v/v1.0.0".*
"$PIRAEUS" gc > "$TRASH/out" 2>&1
ok "gc removes dep, unused for 100 days" gone a.example/dep v1.0.0
app "$TRASH/two" "http://127.0.0.1:$PORT"
ok $? "the go command builds again: piraeus fetches dep again"
is_file "$TRASH/two/go.sum" "$TRASH/ref/go.sum" "with the same go.sum"
ok "dep is stored again" here a.example/dep v1.0.0
kill -TERM "$SERVE_PID"
done_testing

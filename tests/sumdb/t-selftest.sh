# tests/sumdb/t-selftest.sh: checks tests/sumdb/testsumdb.go, the checksum
# database of the sumdb tests, through tests/lib/sumdb.sh: a one-module
# GOPROXY tree made here with zip, the records and notes it serves (curl),
# then the real go command verifying against it (GOSUMDB="vkey URL"), a
# wrong record (-wrong), -key, -prefix, -preload and the go command's
# <proxy>/sumdb/<name>/supported probe.  TAP; POSIX sh.  Run by hand:
#
#	top_srcdir=$PWD top_builddir=/tmp/b sh tests/sumdb/t-selftest.sh
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/sumdb.sh"

need go zip curl
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY

TREE=$TRASH/tree
MV=$TREE/example.com/m/@v
mkdir -p "$TRASH/empty" "$TRASH/src/example.com/m@v1.0.0" "$MV"

# The tree: example.com/m v1.0.0 (zip without directory entries, as the go
# command makes them).
printf 'module example.com/m\n\ngo 1.16\n' >"$MV/v1.0.0.mod"
cp "$MV/v1.0.0.mod" "$TRASH/src/example.com/m@v1.0.0/go.mod"
printf 'package m\n\nconst X = 1\n' >"$TRASH/src/example.com/m@v1.0.0/m.go"
(cd "$TRASH/src" && zip -q -X -D -r "$MV/v1.0.0.zip" example.com)
ok $? "zip of example.com/m@v1.0.0"
printf '{"Version":"v1.0.0","Time":"2023-03-01T12:00:00Z"}\n' >"$MV/v1.0.0.info"
sed 's/X = 1/X = 2/' "$TRASH/src/example.com/m@v1.0.0/m.go" >"$TRASH/m.go"
mkdir -p "$TRASH/src2/example.com/m@v1.1.0"
cp "$MV/v1.0.0.mod" "$MV/v1.1.0.mod"
cp "$MV/v1.0.0.mod" "$TRASH/m.go" "$TRASH/src2/example.com/m@v1.1.0/"
mv "$TRASH/src2/example.com/m@v1.1.0/v1.0.0.mod" \
    "$TRASH/src2/example.com/m@v1.1.0/go.mod"
(cd "$TRASH/src2" && zip -q -X -D -r "$MV/v1.1.0.zip" example.com)
ok $? "zip of example.com/m@v1.1.0"
printf '{"Version":"v1.1.0","Time":"2023-03-02T12:00:00Z"}\n' >"$MV/v1.1.0.info"
printf 'v1.0.0\nv1.1.0\n' >"$MV/list"

# gorun SUMDB CMD...: CMD with a fresh module cache (GORUN_KEEP=1: the
# last one, and its GOPATH/pkg/sumdb), modules from the tree (or
# GOPROXY_FOR_TEST), checksums from GOSUMDB=SUMDB (off: none).  Output:
# stdout and stderr.
gorun()
{
	(
		GOSUMDB=$1
		shift
		if [ -z "${GORUN_KEEP:-}" ]; then
			chmod -R u+w "$TRASH/mc" 2>/dev/null
			rm -rf "$TRASH/mc"
		fi
		mkdir -p "$TRASH/mc" || exit 1
		GO111MODULE=on GOENV=off GOWORK=off GOFLAGS=-modcacherw
		GONOSUMDB= GONOSUMCHECK= GONOPROXY= GOPRIVATE= GOINSECURE=
		GOVCS= GOTOOLCHAIN=local CGO_ENABLED=0
		GOPROXY=${GOPROXY_FOR_TEST:-file://$TREE}
		GOPATH=$TRASH/mc/gopath GOMODCACHE=$TRASH/mc
		GOCACHE=$TRASH/gocache
		GIT_ALLOW_PROTOCOL=none
		export GO111MODULE GOENV GOWORK GOFLAGS GONOSUMDB GONOSUMCHECK \
		    GONOPROXY GOPRIVATE GOINSECURE GOVCS GOTOOLCHAIN \
		    CGO_ENABLED GOPROXY GOPATH GOMODCACHE GOCACHE GOSUMDB \
		    GIT_ALLOW_PROTOCOL
		# "go": the go command of need_gos, never the one on PATH.
		[ "$1" = go ] && shift && set -- "$GO" "$@"
		cd "$TRASH/empty" && "$@"
	) 2>&1
}
field()
{
	sed -n "s/^[[:space:]]*\"$1\": \"\\(.*\\)\",*\$/\\1/p"
}

# The sums the go command computes itself.
_r=$(gorun off go mod download -json example.com/m@v1.0.0)
SUM=$(printf '%s\n' "$_r" | field Sum)
GOMODSUM=$(printf '%s\n' "$_r" | field GoModSum)
like "$SUM $GOMODSUM" '^h1:[A-Za-z0-9+/]{43}= h1:[A-Za-z0-9+/]{43}=$' \
    "go computes the sums (GOSUMDB=off)" || diag "$_r"

# get URL [CURL ARG...]: sets CODE (000 when none); body in $TRASH/b.
get()
{
	_u=$1
	shift
	rm -f "$TRASH/b"
	CODE=$(curl -q -sg --path-as-is --max-time 10 -o "$TRASH/b" \
	    -w '%{http_code}' "$@" "$_u")
	[ -f "$TRASH/b" ] || : >"$TRASH/b"
}

sumdb_build 2>"$TRASH/build.err"
ok $? "testsumdb builds offline" || { diag_file "$TRASH/build.err"; done_testing; }
sumdb_start "$TREE" 2>"$TRASH/start.err"
ok $? "testsumdb starts" || { diag_file "$TRASH/start.err"; done_testing; }
like "$SUMDB_URL" '^http://127\.0\.0\.1:[0-9]+$' "SUMDB_URL: $SUMDB_URL"
is "$SUMDB_NAME" sum.test "SUMDB_NAME: the default name"
like "$SUMDB_VKEY" '^sum\.test\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$' \
    "SUMDB_VKEY: $SUMDB_VKEY"
is "$(head -n 2 "$SUMDB_OUT" | sed 's/ .*//' | xargs)" "vkey listening" \
    "stdout: the vkey line, then the listening line"

# The protocol, with curl.
get "$SUMDB_URL/latest"
is "$CODE" 200 "GET /latest: 200"
is "$(head -n 1 "$TRASH/b")" "go.sum database tree" "/latest: a tree note"
is "$(sed -n 2p "$TRASH/b")" 0 "/latest: an empty log at first"
like "$(cat "$TRASH/b")" "^— sum\\.test " "/latest: signed by sum.test"
get "$SUMDB_URL/lookup/example.com/m@v1.0.0"
is "$CODE" 200 "GET /lookup/example.com/m@v1.0.0: 200"
is "$(sed -n 1,3p "$TRASH/b")" "0
example.com/m v1.0.0 $SUM
example.com/m v1.0.0/go.mod $GOMODSUM" \
    "lookup: record 0, the go command's two go.sum lines"
like "$(cat "$TRASH/b")" '^go\.sum database tree$' "lookup: then the tree note"
get "$SUMDB_URL/latest"
is "$(sed -n 2p "$TRASH/b")" 1 "/latest: one record now"
get "$SUMDB_URL/lookup/example.com/m@v9.9.9"
is "$CODE" 404 "lookup of a version not in the tree: 404"
like "$(cat "$TRASH/b")" 'example\.com/m@v9\.9\.9' "404 body names it"
get "$SUMDB_URL/lookup/example.com/nosuch@v1.0.0"
is "$CODE" 404 "lookup of a module not in the tree: 404"
get "$SUMDB_URL/lookup/example.com/m@latest"
is "$CODE" 400 "lookup of a non-version: 400"
get "$SUMDB_URL/sumdb/sum.test/latest"
is "$CODE" 404 "no prefix: /sumdb/sum.test/latest is a 404"
get "$SUMDB_URL/tile/8/0/000.p/1"
is "$CODE:$(wc -c <"$TRASH/b" | tr -d ' ')" 200:32 "a partial tile: one hash"

is "$(sumdb_count /lookup/example.com/m@v1.0.0)" 1 "sumdb_count of a lookup"
is "$(sumdb_count /lookup/)" 4 "sumdb_count /lookup/ (a fixed string)"
is "$(sumdb_count '')" 8 "sumdb_count '': every request"
is "$(sumdb_count /nothing)" 0 "sumdb_count of a path never asked"
like "$(sumdb_log)" '^GET /lookup/example\.com/m@v9\.9\.9 404$' \
    "sumdb_log: METHOD PATH STATUS"
like "$(sumdb_log)" '^GET /latest 200$' "sumdb_log: /latest"

# The real go command, verifying against it.
: >"$SUMDB_LOG"
_p=$(gorun "$SUMDB_VKEY $SUMDB_URL" go mod download -json example.com/m@v1.0.0)
ok $? "go mod download with GOSUMDB=\"vkey http://...\" succeeds" || diag "$_p"
is "$(printf '%s\n' "$_p" | field Sum)" "$SUM" "the same Sum"
is "$(sumdb_count /lookup/example.com/m@v1.0.0)" 1 \
    "go looked example.com/m@v1.0.0 up"
like "$(sumdb_log)" '^GET /tile/' "go fetched tiles"
unlike "$(sumdb_log)" ' [^2][0-9][0-9]$' "all its requests answered 2xx"
_p=$(gorun "$SUMDB_VKEY" go mod download -json example.com/m@v1.0.0)
like "$_p" 'sum\.test' "go with GOSUMDB=vkey alone goes elsewhere (https://sum.test)"
sumdb_stop
nok "sumdb_stop: the server is gone" curl -q -s -o /dev/null --max-time 2 \
    "$SUMDB_URL/latest"

# -wrong.
sumdb_start "$TREE" -wrong example.com/m@v1.0.0 2>"$TRASH/start.err"
ok $? "testsumdb -wrong starts" || diag_file "$TRASH/start.err"
get "$SUMDB_URL/lookup/example.com/m@v1.0.0"
like "$(sed -n 2p "$TRASH/b")" '^example\.com/m v1\.0\.0 h1:[A-Za-z0-9+/]{43}=$' \
    "-wrong: a valid-looking zip hash"
isnt "$(sed -n 2p "$TRASH/b")" "example.com/m v1.0.0 $SUM" "-wrong: not the real one"
is "$(sed -n 3p "$TRASH/b")" "example.com/m v1.0.0/go.mod $GOMODSUM" \
    "-wrong: the go.mod hash is right"
_p=$(gorun "$SUMDB_VKEY $SUMDB_URL" go mod download -json example.com/m@v1.0.0)
_rc=$?
isnt "$_rc" 0 "-wrong: go mod download fails"
like "$_p" 'SECURITY ERROR|checksum mismatch' \
    "-wrong: SECURITY ERROR / checksum mismatch" || diag "$_p"
sumdb_stop

# -key, -name.
KEY=$TRASH/key
sumdb_start "$TREE" -key "$KEY" -name other.test/sub 2>"$TRASH/start.err"
ok $? "testsumdb -key (new) starts" || diag_file "$TRASH/start.err"
V1=$SUMDB_VKEY
is "$SUMDB_NAME" other.test/sub "-name other.test/sub"
like "$(cat "$KEY" 2>/dev/null)" '^PRIVATE\+KEY\+other\.test/sub\+[0-9a-f]{8}\+' \
    "-key FILE written: a signer key"
is "$(ls -l "$KEY" | cut -c1-10)" "-rw-------" "-key FILE: mode 0600"
sumdb_stop
sumdb_start "$TREE" -key "$KEY" -name ignored.test 2>"$TRASH/start.err"
ok $? "testsumdb -key (existing) starts" || diag_file "$TRASH/start.err"
is "$SUMDB_VKEY" "$V1" "-key FILE round trip: the same vkey (the file's name wins)"
_p=$(gorun "$SUMDB_VKEY $SUMDB_URL" go mod download -json example.com/m@v1.0.0)
ok $? "go verifies against a database with a name holding a path" || diag "$_p"
sumdb_stop
sumdb_start "$TREE" 2>"$TRASH/start.err"
isnt "$SUMDB_VKEY" "$V1" "without -key: a fresh key"
sumdb_stop

# -prefix.
sumdb_start "$TREE" -prefix /sumdb/sum.test/ 2>"$TRASH/start.err"
ok $? "testsumdb -prefix starts" || diag_file "$TRASH/start.err"
like "$SUMDB_URL" '^http://127\.0\.0\.1:[0-9]+/sumdb/sum\.test$' \
    "-prefix: SUMDB_URL ends with the prefix, no slash"
get "$SUMDB_URL/latest"
is "$CODE:$(head -n 1 "$TRASH/b")" "200:go.sum database tree" "-prefix: P/latest"
get "${SUMDB_URL%/sumdb/sum.test}/latest"
is "$CODE" 404 "-prefix: /latest outside it is a 404"
get "$SUMDB_URL/supported"
is "$CODE" 404 "-prefix: P/supported is a 404"
_p=$(gorun "$SUMDB_VKEY $SUMDB_URL" go mod download -json example.com/m@v1.0.0)
ok $? "-prefix: go mod download verifies through it" || diag "$_p"
like "$(sumdb_log)" '^GET /sumdb/sum\.test/lookup/example\.com/m@v1\.0\.0 200$' \
    "-prefix: the log has the full path"

# The go command's probe: with GOSUMDB=vkey alone, it asks each proxy in
# GOPROXY for <proxy>/sumdb/<name>/supported; a 404 (or 410) sends it to
# the next one, then to https://<name> directly.
_base=${SUMDB_URL%/sumdb/sum.test}
: >"$SUMDB_LOG"
_p=$(GOPROXY_FOR_TEST="$_base/px,file://$TREE" gorun "$SUMDB_VKEY" \
    go mod download -json example.com/m@v1.0.0)
is "$(sumdb_count /px/sumdb/sum.test/supported)" 1 \
    "GOSUMDB without URL: go probes <proxy>/sumdb/<name>/supported"
like "$(sumdb_log)" '^GET /px/sumdb/sum\.test/supported 404$' "(answered 404)"
like "$_p" 'https://sum\.test/' "after the 404s: directly https://<name>/"
sumdb_stop

# -preload: records in file order.
printf '# comment\n\nexample.com/m v1.0.0\n' >"$TRASH/preload"
sumdb_start "$TREE" -preload "$TRASH/preload" 2>"$TRASH/start.err"
ok $? "testsumdb -preload starts" || diag_file "$TRASH/start.err"
get "$SUMDB_URL/latest"
is "$(sed -n 2p "$TRASH/b")" 1 "-preload: one record before any lookup"
is "$(sumdb_count '')" 1 "-preload: no request logged for it"
sumdb_stop

# -preload and -key: two logs forked under one key.  The go command keeps
# the latest tree it saw (GOPATH/pkg/sumdb/NAME/latest): a second server
# with the same key but the records in the other order is caught.
printf 'example.com/m v1.0.0\nexample.com/m v1.1.0\n' >"$TRASH/preload"
sumdb_start "$TREE" -key "$TRASH/forkkey" -preload "$TRASH/preload" \
    2>"$TRASH/start.err"
ok $? "fork: first server starts" || diag_file "$TRASH/start.err"
_p=$(gorun "$SUMDB_VKEY $SUMDB_URL" go mod download -json example.com/m@v1.0.0)
ok $? "fork: go verifies m@v1.0.0 against the first log" || diag "$_p"
sumdb_stop
printf 'example.com/m v1.1.0\nexample.com/m v1.0.0\n' >"$TRASH/preload"
sumdb_start "$TREE" -key "$TRASH/forkkey" -preload "$TRASH/preload" \
    2>"$TRASH/start.err"
ok $? "fork: second server, same key, other order" || diag_file "$TRASH/start.err"
_p=$(GORUN_KEEP=1 gorun "$SUMDB_VKEY $SUMDB_URL" \
    go mod download -json example.com/m@v1.1.0)
_rc=$?
isnt "$_rc" 0 "fork: go refuses m@v1.1.0 from the forked log"
like "$_p" 'SECURITY ERROR' "fork: SECURITY ERROR (misbehavior)" || diag "$_p"
_p=$(gorun "$SUMDB_VKEY $SUMDB_URL" go mod download -json example.com/m@v1.1.0)
ok $? "fork: a fresh client accepts the second log" || diag "$_p"
sumdb_stop

echo "example.com/m v7.0.0" >"$TRASH/preload"
sumdb_start "$TREE" -preload "$TRASH/preload" 2>"$TRASH/start.err"
nok "-preload of a version not in the tree: does not start" [ -n "$SUMDB_URL" ]
like "$(cat "$SUMDB_OUT")" 'preload:.*v7\.0\.0' "-preload: says why"

done_testing

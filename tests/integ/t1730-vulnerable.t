#!/bin/sh
# t1730-vulnerable.t: [policy] vulnerable and piraeus audit, through a
# real lighttpd (static hits, then every request through the responder),
# with both go commands as clients, offline.
#
# Upstream is the fake proxy (tests/upstream/fakeproxy.go) serving the
# fixtures' reference tree.  The test writes a mirror of the Go
# vulnerability database (the v1 layout: index/db.json, index/modules.json,
# ID/<id>.json) as STORAGE/vulndb, a symbolic link to a generation:
#   GO-2024-0001 (CVE-2024-0001)          multi < v1.2.0, fixed in v1.2.0
#   GO-2024-0002 (CVE-2024-0002, GHSA-2222-2222-2222)
#                                         major/v2 < v2.0.1
#   GO-2099-0003 (CVE-2099-0003)          nomod < v1.0.1, published now
#   GO-2024-0004 (CVE-2024-0004)          incompat < v3.0.0+incompatible
#   GO-2024-0005 (CVE-2024-0005)          Fixture/Upper < v1.0.1
#   GO-2024-0006 (CVE-2024-0006)          mono, every version, no fix
#   GO-2024-0007 (CVE-2024-0007, GHSA-7777-7777-7777)
#                                         retract < v9.9.9 (excepted)
#   GO-2024-0008                          notags: a malformed entry
#   1. allow: multi v1.0.0 and v1.1.0 and major/v2 v2.0.0 are stored.
#   2. deny (vulnerable_allow = GHSA-7777-7777-7777, vulnerable_min_age =
#      7), lighttpd sending stored files itself:
#      go get Upper@v1.0.0 fails with 403 on the zip, the id and the
#      fixed version (the aliases in the log); Upper@v1.0.1 is fetched;
#      a go 1.16 graph holding the affected Upper v1.0.0 but selecting
#      v1.0.1 lists and builds (.info and .mod are served, only the .mod
#      stored, the zip still 403); major v1.0.0 is served (the entry is
#      for major/v2); incompat v2.1.0+incompatible
#      refused (fixed in v3.0.0+incompatible), v3.0.0+incompatible not;
#      the excepted retract and the young nomod entry are served; the
#      malformed entry is skipped (notags served, a log line); lists
#      are upstream's, @latest the version the go command picks from the
#      reference tree (mono's: its affected v1.0.0), whose .info is 403;
#      a refused version is never asked upstream; the stored, affected
#      multi v1.0.0 is served (static: README says so); /metrics counts
#      deny, warn, excepted; /status lists them.
#   2b. redirect and async download modes: the affected zip is 403, not
#      sent on (302) or told "not yet" (404).
#   3. warn: Upper@v1.0.0 is served and counted.
#   4. every request through the responder (deny): the stored multi
#      v1.0.0's zip (GET and HEAD; its .info and .mod are 200) and
#      major/v2 v2.0.0's are 403 naming the ids, go mod download of multi@v1.0.0 fails with
#      them, the excepted retract is served, list is untouched.
#   5. piraeus audit: every stored affected version, its ids, the fixed
#      version, who requires it (directly: major/v2 requires multi
#      v1.1.0; through others: example.com/top, packed here, requires
#      major/v2); --json; exit 1, then 0 with a clean mirror, 3 without
#      one or with a configuration that does not load; then, without a
#      mirror under deny, everything is served, said once per process
#      and on /status.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need go git curl lighttpd perl
perl -MJSON::PP -e 1 2>/dev/null || skip_all "perl JSON::PP"

unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY GOFLAGS GONOSUMDB GONOPROXY GOPRIVATE GOINSECURE \
    GOVCS GOPATH GOMODCACHE GOCACHE GIT_CONFIG_GLOBAL GIT_SSH \
    GIT_SSH_COMMAND GIT_ALLOW_PROTOCOL SSH_AUTH_SOCK
HOME=$TRASH/home
GOENV=off
GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME" "$TRASH/empty"
export HOME GOENV GIT_CONFIG_NOSYSTEM

FX=$TRASH/fx
REF=$FX/modcache/cache/download
make_fixtures "$FX" >"$TRASH/fixtures.log" 2>&1 ||
    { diag_file "$TRASH/fixtures.log"; bail_out "fixtures"; }
pass "fixtures made offline"
upstream_start "$REF" || bail_out "fake upstream"

S=$TRASH/s
T=$TRASH/t
mkdir -p "$S" "$T"

# --- the mirror ---------------------------------------------------------------
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
V=$TRASH/vulndb.gen1
mkdir -p "$V/index" "$V/ID"
# entry ID PUBLISHED MODULE RANGES ALIASES...: ID/<ID>.json.
entry()
{
	_id=$1 _pub=$2 _mod=$3 _rng=$4
	shift 4
	_al=
	for _a in "$@"; do
		_al="$_al${_al:+,}\"$_a\""
	done
	cat >"$V/ID/$_id.json" <<EOF
{"schema_version":"1.3.1","id":"$_id","modified":"$_pub","published":"$_pub",
 "aliases":[$_al],"summary":"a test entry","details":"Test.",
 "affected":[{"package":{"name":"$_mod","ecosystem":"Go"},
   "ranges":[{"type":"SEMVER","events":[$_rng]}],
   "ecosystem_specific":{"imports":[{"path":"$_mod","symbols":["F"]}]}}],
 "database_specific":{"url":"https://pkg.go.dev/vuln/$_id"}}
EOF
}
OLD=2024-01-01T00:00:00Z
entry GO-2024-0001 $OLD github.com/fixture/multi \
    '{"introduced":"0"},{"fixed":"1.2.0"}' CVE-2024-0001
entry GO-2024-0002 $OLD github.com/fixture/major/v2 \
    '{"introduced":"0"},{"fixed":"2.0.1"}' CVE-2024-0002 GHSA-2222-2222-2222
entry GO-2099-0003 "$NOW" github.com/fixture/nomod \
    '{"introduced":"0"},{"fixed":"1.0.1"}' CVE-2099-0003
entry GO-2024-0004 $OLD github.com/fixture/incompat \
    '{"introduced":"0"},{"fixed":"3.0.0+incompatible"}' CVE-2024-0004
entry GO-2024-0005 $OLD github.com/Fixture/Upper \
    '{"introduced":"0"},{"fixed":"1.0.1"}' CVE-2024-0005
entry GO-2024-0006 $OLD github.com/fixture/mono '{"introduced":"0"}' \
    CVE-2024-0006
entry GO-2024-0007 $OLD github.com/fixture/retract \
    '{"introduced":"0"},{"fixed":"9.9.9"}' CVE-2024-0007 GHSA-7777-7777-7777
printf '{"id":"GO-2024-0008","affected":[{"package":' >"$V/ID/GO-2024-0008.json"
printf '{"modified":"%s"}\n' "$OLD" >"$V/index/db.json"
{
	printf '['
	_sep=
	for _m in github.com/fixture/multi:GO-2024-0001 \
	    github.com/fixture/major/v2:GO-2024-0002 \
	    github.com/fixture/nomod:GO-2099-0003 \
	    github.com/fixture/incompat:GO-2024-0004 \
	    github.com/Fixture/Upper:GO-2024-0005 \
	    github.com/fixture/mono:GO-2024-0006 \
	    github.com/fixture/retract:GO-2024-0007 \
	    github.com/fixture/notags:GO-2024-0008; do
		printf '%s{"path":"%s","vulns":[{"id":"%s","modified":"%s"}]}' \
		    "$_sep" "${_m%%:*}" "${_m#*:}" "$OLD"
		_sep=,
	done
	printf ']\n'
} >"$V/index/modules.json"
ln -s "$V" "$S/vulndb"

# mkini FILE MODE: the configuration, [policy] vulnerable = MODE.
mkini()
{
	cat >"$1" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = $UPSTREAM_URL
network_mode = strict
[sumdb]
verify = no
[policy]
vulnerable = $2
vulnerable_allow = GHSA-7777-7777-7777, CVE-1999-0000
vulnerable_min_age = 7
INI
}

# cgo PROXY TAG CMD...: a go command against PROXY with a fresh module
# cache, from an empty directory; output in OUT, status in CGO_ST.
cgo()
{
	_p=$1 _tag=$2
	shift 2
	(
		go_env_proxy "$_p" "$TRASH/mc.$_tag.$GOTAG" || exit 1
		cd "$TRASH/empty" && "$@"
	) >"$TRASH/cgo.out" 2>&1
	CGO_ST=$?
	OUT=$(cat "$TRASH/cgo.out")
}

# gget PROXY MV: go get MV in a fresh module; output in OUT, status in
# CGO_ST, the go.mod after in GOMOD.
gget()
{
	_d=$TRASH/getmod.$GOTAG
	rm -rf "$_d"
	mkdir -p "$_d"
	printf 'module example.com/getter\n\ngo 1.16\n' >"$_d/go.mod"
	(
		go_env_proxy "$1" "$TRASH/mc.get.$GOTAG" || exit 1
		cd "$_d" && "$GO" get "$2"
	) >"$TRASH/cgo.out" 2>&1
	CGO_ST=$?
	OUT=$(cat "$TRASH/cgo.out")
	GOMOD=$(cat "$_d/go.mod")
}

# code URL [CURL-ARGS]: GET it; the status on stdout, the body in $TRASH/b.
code()
{
	_u=$1
	shift
	curl -q -s --max-time 60 "$@" -o "$TRASH/b" -w '%{http_code}' "$_u"
}

# metric DECISION: piraeus_vulnerable_total{decision=DECISION} now.
metric()
{
	curl -q -s --max-time 20 "$URL/metrics" |
	    sed -n "s/^piraeus_vulnerable_total{decision=\"$1\"} //p"
}

# --- 1. allow: versions stored before the advisory ----------------------------
mkini "$TRASH/allow.ini" allow
serve_lighttpd "$TRASH/serve1.log" "$S" "$T" "$TRASH/allow.ini"
for _p in github.com/fixture/multi/@v/v1.0.0 github.com/fixture/multi/@v/v1.1.0 \
    github.com/fixture/major/v2/@v/v2.0.0; do
	is "$(code "$URL/$_p.zip")" 200 "allow: $_p.zip fetched"
	# Published once the answer is out.
	_n=0
	while [ ! -f "$S/$_p.info" ] && [ "$_n" -lt 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	ok "allow: $_p stored" test -f "$S/$_p.info"
done
stop_bg "$SERVE_PID"

# --- 2. deny, stored files sent by lighttpd ---------------------------------------
mkini "$TRASH/deny.ini" deny
PIRAEUS_CONFIG=$TRASH/deny.ini "$PIRAEUS" check-config >"$TRASH/cc.out" 2>&1
ok $? "check-config accepts vulnerable, vulnerable_allow, vulnerable_min_age" ||
    diag_file "$TRASH/cc.out"
# example.com/needsold v1.0.0 (go 1.16) requires the affected Upper v1.0.0.
mkdir -p "$TRASH/needsold"
printf 'module example.com/needsold\n\ngo 1.16\n\nrequire github.com/Fixture/Upper v1.0.0\n' \
    >"$TRASH/needsold/go.mod"
printf 'package needsold\n' >"$TRASH/needsold/needsold.go"
PIRAEUS_CONFIG=$TRASH/deny.ini "$PIRAEUS" pack "$TRASH/needsold" \
    example.com/needsold v1.0.0 >"$TRASH/pack.out" 2>&1
ok $? "example.com/needsold v1.0.0 packed into storage" || diag_file "$TRASH/pack.out"
upstream_reset
serve_lighttpd "$TRASH/serve2.log" "$S" "$T" "$TRASH/deny.ini"
D0=$(metric deny)
deny_go()
{
	gget "$URL" github.com/Fixture/Upper@v1.0.0
	isnt "$CGO_ST" 0 "deny: go get Upper@v1.0.0 fails [$GOTAG]"
	like "$OUT" "403 Forbidden" "with the 403 [$GOTAG]"
	like "$OUT" "github.com/Fixture/Upper@v1.0.0: affected by GO-2024-0005; fixed in v1\\.0\\.1" \
	    "naming the version once, the id and the fixed version (aliases in the log) [$GOTAG]"
	unlike "$GOMOD" "Fixture/Upper" "go.mod unchanged [$GOTAG]"
	gget "$URL" github.com/Fixture/Upper@v1.0.1
	is "$CGO_ST" 0 "deny: go get Upper@v1.0.1, the fixed version, works [$GOTAG]" ||
	    diag "$OUT"
	like "$GOMOD" "github.com/Fixture/Upper v1\\.0\\.1" "in go.mod [$GOTAG]"

	cgo "$URL" d "$GO" mod download github.com/fixture/incompat@v2.1.0+incompatible
	isnt "$CGO_ST" 0 "deny: incompat v2.1.0+incompatible refused [$GOTAG]"
	like "$OUT" "affected by GO-2024-0004; fixed in v3\\.0\\.0\\+incompatible" \
	    "+incompatible compared as semver, the fix named [$GOTAG]"
	cgo "$URL" d "$GO" mod download -json github.com/fixture/incompat@v3.0.0+incompatible
	is "$CGO_ST" 0 "deny: incompat v3.0.0+incompatible (the fix) fetched [$GOTAG]" ||
	    diag "$OUT"

	cgo "$URL" d "$GO" mod download -json github.com/fixture/major@v1.0.0
	is "$CGO_ST" 0 "deny: major v1.0.0 served (the entry is for major/v2) [$GOTAG]" ||
	    diag "$OUT"
	cgo "$URL" d "$GO" mod download -json github.com/fixture/retract@v1.1.0
	is "$CGO_ST" 0 "deny: retract, excepted by an alias, fetched [$GOTAG]" ||
	    diag "$OUT"
	cgo "$URL" d "$GO" mod download -json github.com/fixture/nomod@v1.0.0
	is "$CGO_ST" 0 "deny: nomod, an entry younger than vulnerable_min_age, served [$GOTAG]" ||
	    diag "$OUT"
	cgo "$URL" d "$GO" mod download -json "github.com/fixture/notags@$(cat "$FX/pseudo.notags")"
	is "$CGO_ST" 0 "deny: notags, whose entry is malformed, served [$GOTAG]" ||
	    diag "$OUT"
	cgo "$URL" d "$GO" mod download -json github.com/fixture/multi@v1.0.0
	is "$CGO_ST" 0 "deny: the stored multi@v1.0.0, sent by lighttpd, is served [$GOTAG]" ||
	    diag "$OUT"
	gget "$URL" github.com/fixture/mono@latest
	isnt "$CGO_ST" 0 "deny: go get mono@latest fails [$GOTAG]"
	like "$OUT" "GO-2024-0006; no fixed version" \
	    "saying there is no fix [$GOTAG]"
}
for_each_go deny_go
ok "deny: the fixed Upper v1.0.1 stored" test -f "$S/github.com/!fixture/!upper/@v/v1.0.1.zip"
nok "deny: nothing of Upper v1.0.0 stored" test -e "$S/github.com/!fixture/!upper/@v/v1.0.0.info"
nok "deny: nothing of incompat v2.1.0+incompatible stored" test -e \
    "$S/github.com/fixture/incompat/@v/v2.1.0+incompatible.info"
is "$(upstream_count '/github.com/!fixture/!upper/@v/v1.0.0.zip')" 0 \
    "deny: a refused version's zip is never asked upstream"
# Its .info and .mod are served (only the zip is refused): fetched, not
# stored as a version (a .info in the tree means the whole version).
nok "deny: Upper v1.0.0's zip not stored" test -e \
    "$S/github.com/!fixture/!upper/@v/v1.0.0.zip"

# The go command reads the go.mod of every version in an unpruned module
# graph (a main module at go < 1.17), the ones it does not select too:
# example.com/needsold requires the affected Upper v1.0.0, the main
# module Upper v1.0.1, the fix.  Both must build; the zip stays refused.
graph_go()
{
	_d=$TRASH/graph.$GOTAG
	rm -rf "$_d"
	mkdir -p "$_d"
	printf 'module example.com/graph\n\ngo 1.16\n\nrequire (\n\texample.com/needsold v1.0.0\n\tgithub.com/Fixture/Upper v1.0.1\n)\n' \
	    >"$_d/go.mod"
	printf 'package main\n\nimport (\n\t_ "example.com/needsold"\n\t_ "github.com/Fixture/Upper"\n)\n\nfunc main() {}\n' \
	    >"$_d/main.go"
	(
		go_env_proxy "$URL" "$TRASH/mc.graph.$GOTAG" || exit 1
		cd "$_d" && "$GO" list -mod=mod -m all
	) >"$TRASH/cgo.out" 2>&1
	is "$?" 0 "deny: go list -m all of a go 1.16 graph holding the affected Upper v1.0.0 (not selected) [$GOTAG]" ||
	    diag_file "$TRASH/cgo.out"
	like "$(cat "$TRASH/cgo.out")" 'github.com/Fixture/Upper v1\.0\.1' \
	    "the graph selects the fix [$GOTAG]"
	(
		go_env_proxy "$URL" "$TRASH/mc.graph.$GOTAG" || exit 1
		cd "$_d" && "$GO" build -mod=mod -o /dev/null .
	) >"$TRASH/cgo.out" 2>&1
	is "$?" 0 "deny: go build of that graph [$GOTAG]" ||
	    diag_file "$TRASH/cgo.out"
}
for_each_go graph_go
is "$(code "$URL/github.com/!fixture/!upper/@v/v1.0.0.zip")" 403 \
    "deny: Upper v1.0.0.zip is still refused"
is "$(code "$URL/github.com/!fixture/!upper/@v/v1.0.0.info")" 200 \
    "deny: its .info is served (from the checked temporary copy)"
nok "deny: and still not stored: no .info" test -e \
    "$S/github.com/!fixture/!upper/@v/v1.0.0.info"
nok "deny: no zip" test -e "$S/github.com/!fixture/!upper/@v/v1.0.0.zip"
like "$(cat "$TRASH/serve2.log" "$T"/run/*.log 2>/dev/null)" \
    'GO-2024-0008.json: .*\(skipped\)' "the malformed entry is skipped with a log line"
like "$(cat "$TRASH/serve2.log" "$T"/run/*.log 2>/dev/null)" \
    'nomod@v1.0.0 served, affected by GO-2099-0003' "the warning is logged with its id"

# list is upstream's; @latest is what the go command picks (the affected
# version too).
for _p in github.com/fixture/mono/@latest github.com/fixture/mono/@v/list \
    github.com/fixture/multi/@v/list github.com/fixture/multi/@latest \
    'github.com/!fixture/!upper/@v/list'; do
	is "$(code "$URL/$_p")" 200 "untouched: $_p 200"
	cp "$TRASH/b" "$TRASH/mine"
	code "$UPSTREAM_URL/$_p" >/dev/null
	if [ "${_p%/list}" != "$_p" ]; then
		is "$(LC_ALL=C sort "$TRASH/mine")" "$(LC_ALL=C sort "$TRASH/b")" \
		    "untouched: $_p lists what upstream lists"
	else
		# The fake proxy has no @latest: the go command then picks
		# from the list itself; piraeus must answer what it picks
		# against the reference tree (GOPROXY=file://), the affected
		# version included.
		_m=${_p%/@latest}
		_want=$(go_env_proxy "file://$REF" "$TRASH/mc.oracle" &&
		    cd "$TRASH/empty" && "$GO" list -m -f '{{.Version}}' \
		    "$_m@latest" 2>&1)
		is "$(perl -MJSON::PP -e 'local $/;
		    print decode_json(<STDIN>)->{Version}' <"$TRASH/mine")" \
		    "$_want" "untouched: $_p is the go command's own answer ($_want)"
	fi
done
like "$(cat "$TRASH/mine")" 'v1\.0\.0' "untouched: Upper's list still offers the affected v1.0.0"
is "$(code "$URL/github.com/fixture/mono/@v/v1.0.0.info")" 200 \
    "mono@v1.0.0.info (what @latest names): served, only zips are refused"
is "$(code "$URL/github.com/fixture/mono/@v/v1.0.0.zip")" 403 \
    "mono@v1.0.0.zip: 403"
like "$(cat "$TRASH/b")" 'affected by GO-2024-0006' "naming the id"
is "$(code "$URL/github.com/fixture/multi/@v/v1.0.0.zip")" 200 \
    "static: the stored, affected multi v1.0.0.zip is 200 (the web server sends it)"
D1=$(metric deny)
ok "metrics: deny counted ($D0 -> $D1)" [ "${D1:-0}" -gt "${D0:-0}" ]
ok "metrics: warn counted ($(metric warn))" [ "$(metric warn)" -ge 1 ]
ok "metrics: excepted counted ($(metric excepted))" [ "$(metric excepted)" -ge 1 ]
unlike "$(curl -q -s "$URL/metrics" | grep piraeus_vulnerable_total)" 'GO-|module=' \
    "metrics: by decision only, no id or module label"
is "$(code "$URL/status")" 200 "/status: 200"
like "$(tr -d '\n' <"$TRASH/b")" '<td[^>]*>github.com/fixture/nomod</td><td[^>]*>v1.0.0</td><td[^>]*>warn</td><td[^>]*>GO-2099-0003' \
    "/status lists the warned version with its id"
like "$(tr -d '\n' <"$TRASH/b")" '<td[^>]*>github.com/Fixture/Upper</td><td[^>]*>v1.0.0</td><td[^>]*>deny</td><td[^>]*>GO-2024-0005' \
    "/status lists the refused version"
stop_bg "$SERVE_PID"

# --- 2b. redirect and async download modes: the zip is judged first ---------------
# A redirect would send the client elsewhere for the affected zip; async
# answers 404 and the go command falls through to its next GOPROXY entry.
for _m in redirect async; do
	printf 'downloadURL = "http://127.0.0.1:9/elsewhere"\nmode = "%s"\n' \
	    "$_m" >"$TRASH/dl.$_m.hcl"
	sed "s|^goproxy = .*|&\\
download_mode = file:$TRASH/dl.$_m.hcl|" "$TRASH/deny.ini" >"$TRASH/deny.$_m.ini"
	serve_lighttpd "$TRASH/serve2$_m.log" "$S" "$T" "$TRASH/deny.$_m.ini"
	is "$(code "$URL/github.com/fixture/incompat/@v/v2.1.0+incompatible.zip")" 403 \
	    "$_m: the affected incompat v2.1.0+incompatible.zip is 403, not sent on"
	like "$(cat "$TRASH/b")" 'GO-2024-0004' "$_m: naming the id"
	is "$(code "$URL/github.com/fixture/multi/@v/v1.2.0.zip")" \
	    "$([ "$_m" = redirect ] && echo 302 || echo 404)" \
	    "$_m: multi v1.2.0 (the fix) goes the mode's way"
	stop_bg "$SERVE_PID"
done

# --- 3. warn --------------------------------------------------------------------
mkini "$TRASH/warn.ini" warn
serve_lighttpd "$TRASH/serve3.log" "$S" "$T" "$TRASH/warn.ini"
W0=$(metric warn)
warn_go()
{
	cgo "$URL" w "$GO" mod download -json github.com/Fixture/Upper@v1.0.0
	is "$CGO_ST" 0 "warn: Upper@v1.0.0 is served [$GOTAG]" || diag "$OUT"
}
for_each_go warn_go
W1=$(metric warn)
ok "warn: counted ($W0 -> $W1)" [ "${W1:-0}" -gt "${W0:-0}" ]
like "$(cat "$TRASH/serve3.log" "$T"/run/*.log 2>/dev/null)" \
    'Upper@v1.0.0 served, affected by GO-2024-0005 \(CVE-2024-0005\), fixed in v1.0.1' \
    "warn: logged with the id and the fix"
stop_bg "$SERVE_PID"

# --- 4. every request through the responder ---------------------------------------
serve_lighttpd "$TRASH/serve4.log" "$S" "$T" "$TRASH/deny.ini" -- --every-request
# Only the zip: the go command reads the .mod of versions it does not
# select (see deny above).
for _x in .info .mod; do
	is "$(code "$URL/github.com/fixture/multi/@v/v1.0.0$_x")" 200 \
	    "every: the stored multi v1.0.0$_x is served"
	is "$(curl -q -s -I --max-time 20 -o /dev/null -w '%{http_code}' \
	    "$URL/github.com/fixture/multi/@v/v1.0.0$_x")" 200 "every: HEAD $_x 200"
done
for _x in .zip; do
	is "$(code "$URL/github.com/fixture/multi/@v/v1.0.0$_x")" 403 \
	    "every: the stored multi v1.0.0$_x is refused"
	like "$(cat "$TRASH/b")" 'multi@v1.0.0: affected by GO-2024-0001; fixed in v1\.2\.0' \
	    "every: naming the id and the fix ($_x)"
	is "$(curl -q -s -I --max-time 20 -o /dev/null -w '%{http_code}' \
	    "$URL/github.com/fixture/multi/@v/v1.0.0$_x")" 403 "every: HEAD $_x 403"
done
is "$(code "$URL/github.com/fixture/major/v2/@v/v2.0.0.zip")" 403 \
    "every: the stored major/v2 v2.0.0 refused"
like "$(cat "$TRASH/b")" 'major/v2@v2.0.0: affected by GO-2024-0002; fixed in v2\.0\.1' \
    "every: the id and the fix"
like "$(cat "$T"/run/*.log "$TRASH/serve4.log" 2>/dev/null)" 'major/v2@v2.0.0 refused: GO-2024-0002 \(CVE-2024-0002, GHSA-2222-2222-2222\), fixed in v2\.0\.1' \
    "every: both aliases in the log"
is "$(code "$URL/github.com/!fixture/!upper/@v/v1.0.0.zip")" 403 \
    "every: Upper v1.0.0 (stored in warn mode) refused now"
is "$(code "$URL/github.com/fixture/retract/@v/v1.1.0.zip")" 200 \
    "every: the excepted retract served"
is "$(code "$URL/github.com/fixture/multi/@v/v1.2.0.info")" 200 \
    "every: multi v1.2.0, the fix, served"
is "$(code "$URL/github.com/fixture/multi/@v/list")" 200 "every: list 200"
like "$(cat "$TRASH/b")" 'v1\.0\.0' "every: list untouched (v1.0.0 offered)"
every_go()
{
	cgo "$URL" e "$GO" mod download github.com/fixture/multi@v1.0.0
	isnt "$CGO_ST" 0 "every: go mod download multi@v1.0.0 fails [$GOTAG]"
	like "$OUT" "multi@v1.0.0: affected by GO-2024-0001; fixed in v1\\.2\\.0" \
	    "with the id and the fix [$GOTAG]"
}
for_each_go every_go
# A new generation, switched atomically: read at the next request.
V2=$TRASH/vulndb.gen2
cp -R "$V" "$V2"
rm "$V2/ID/GO-2024-0001.json"
printf '[{"path":"github.com/fixture/major/v2","vulns":[{"id":"GO-2024-0002"}]}]\n' \
    >"$V2/index/modules.json"
printf '{"modified":"2024-06-01T00:00:00Z"}\n' >"$V2/index/db.json"
ln -s "$V2" "$S/vulndb.new" && mv -T "$S/vulndb.new" "$S/vulndb"
is "$(code "$URL/github.com/fixture/multi/@v/v1.0.0.zip")" 200 \
    "every: the new generation (no multi entry) serves multi v1.0.0"
is "$(code "$URL/github.com/fixture/major/v2/@v/v2.0.0.zip")" 403 \
    "every: and still refuses major/v2 v2.0.0"
stop_bg "$SERVE_PID"

# --- 5. piraeus audit -----------------------------------------------------------------
# example.com/top v1.0.0 requires major/v2 v2.0.0 (which requires multi v1.1.0).
mkdir -p "$TRASH/top"
printf 'module example.com/top\n\ngo 1.16\n\nrequire github.com/fixture/major/v2 v2.0.0\n' \
    >"$TRASH/top/go.mod"
printf 'package top\n' >"$TRASH/top/top.go"
PIRAEUS_CONFIG=$TRASH/deny.ini "$PIRAEUS" pack "$TRASH/top" example.com/top v1.0.0 \
    >"$TRASH/pack.out" 2>&1
ok $? "example.com/top v1.0.0 packed into storage" || diag_file "$TRASH/pack.out"
# Back to the first generation.
ln -s "$V" "$S/vulndb.new" && mv -T "$S/vulndb.new" "$S/vulndb"
PIRAEUS_CONFIG=$TRASH/deny.ini "$PIRAEUS" audit >"$TRASH/audit.out" 2>"$TRASH/audit.err"
is "$?" 1 "audit: exit 1, affected versions found"
# One line: a line break as "#", the indent as one blank.
A=$(sed 's/	/ /' "$TRASH/audit.out" | tr '\n' '#')
like "$A" '#github.com/fixture/multi@v1\.0\.0:# GO-2024-0001 \(CVE-2024-0001\), fixed in v1\.2\.0#github.com/fixture/multi@v1\.1\.0:#' \
    "audit: multi v1.0.0 with its id and fix, required by nothing stored"
like "$A" '#github.com/fixture/multi@v1\.1\.0:# GO-2024-0001 \(CVE-2024-0001\), fixed in v1\.2\.0# required by github.com/fixture/major/v2@v2\.0\.0# required by example.com/top@v1\.0\.0 \(through other stored versions\)#github' \
    "audit: multi v1.1.0, required by major/v2 directly and by top through it"
like "$A" '#github.com/fixture/major/v2@v2\.0\.0:# GO-2024-0002 \(CVE-2024-0002, GHSA-2222-2222-2222\), fixed in v2\.0\.1# required by example.com/top@v1\.0\.0#github' \
    "audit: major/v2 v2.0.0, required by top"
like "$A" '#github.com/fixture/retract@v1\.1\.0:# GO-2024-0007 \(CVE-2024-0007, GHSA-7777-7777-7777\), fixed in v9\.9\.9#' \
    "audit: the excepted retract is still reported"
like "$A" '^github.com/Fixture/Upper@v1\.0\.0:# GO-2024-0005 \(CVE-2024-0005\), fixed in v1\.0\.1#' \
    "audit: Upper v1.0.0 (stored in warn mode), first in byte order"
like "$A" '#github.com/fixture/nomod@v1\.0\.0:# GO-2099-0003 \(CVE-2099-0003\), fixed in v1\.0\.1#' \
    "audit: nomod (its young entry counts for the report)"
unlike "$A" 'Upper@v1\.0\.1' "audit: not Upper v1.0.1, the fix"
unlike "$A" 'incompat' "audit: not incompat v3.0.0+incompatible, the fix"
unlike "$A" 'multi@v1\.2\.0' "audit: not multi v1.2.0, the fix"
unlike "$A" 'notags' "audit: not notags, whose entry is malformed"
unlike "$A" 'example.com/top@v1\.0\.0:' "audit: not top itself"
like "$A" "#6 of [0-9]+ stored versions affected \\(vulnerability database modified $OLD\\)#\$" \
    "audit: the summary counts them and names the database"

PIRAEUS_CONFIG=$TRASH/deny.ini "$PIRAEUS" audit --json >"$TRASH/audit.json" 2>/dev/null
is "$?" 1 "audit --json: exit 1"
is "$(perl -MJSON::PP -e '
	local $/; my $j = decode_json(<STDIN>);
	for my $a (@{$j->{affected}}) {
		next unless $a->{module} eq "github.com/fixture/multi" &&
		    $a->{version} eq "v1.1.0";
		print join(" ", $a->{vulns}[0]{id}, $a->{vulns}[0]{fixed},
		    @{$a->{vulns}[0]{aliases}}, "by", @{$a->{required_by}},
		    "through", @{$a->{required_through}});
	}' <"$TRASH/audit.json")" \
    "GO-2024-0001 v1.2.0 CVE-2024-0001 by github.com/fixture/major/v2@v2.0.0 through example.com/top@v1.0.0" \
    "audit --json: multi v1.1.0's id, fix, aliases and who requires it"
is "$(perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
	print $j->{modified}, " ", $j->{checked} > 0 ? "checked" : "none"' \
    <"$TRASH/audit.json")" "$OLD checked" "audit --json: modified and checked"

# A mirror that lists nothing stored: exit 0.
V3=$TRASH/vulndb.gen3
mkdir -p "$V3/index" "$V3/ID"
printf '{"modified":"2024-07-01T00:00:00Z"}\n' >"$V3/index/db.json"
printf '[]\n' >"$V3/index/modules.json"
ln -s "$V3" "$S/vulndb.new" && mv -T "$S/vulndb.new" "$S/vulndb"
PIRAEUS_CONFIG=$TRASH/deny.ini "$PIRAEUS" audit >"$TRASH/audit.out" 2>&1
is "$?" 0 "audit: a clean store exits 0"
like "$(cat "$TRASH/audit.out")" '^0 of [0-9]+ stored versions affected' "audit: saying so"
# A configuration that does not load: 3 (an error), not 1 ("found").
printf '[policy]\nvulnerable = maybe\n' >"$TRASH/bad.ini"
PIRAEUS_CONFIG=$TRASH/bad.ini "$PIRAEUS" audit >"$TRASH/audit.out" 2>&1
is "$?" 3 "audit: a configuration that does not load exits 3"
like "$(cat "$TRASH/audit.out")" 'vulnerable' "audit: naming the key"
rm "$S/vulndb"
PIRAEUS_CONFIG=$TRASH/deny.ini "$PIRAEUS" audit >"$TRASH/audit.out" 2>&1
is "$?" 3 "audit: no mirror exits 3"
like "$(cat "$TRASH/audit.out")" 'no vulnerability database mirror' "audit: saying why"

# No mirror under deny: nothing refused, said once per responder process
# (two here) and on /status.
serve_lighttpd "$TRASH/serve6.log" "$S" "$T" "$TRASH/deny.ini"
for _p in 'github.com/!fixture/!upper/@v/v1.0.0.zip' \
    github.com/fixture/multi/@v/v1.3.0-rc.1.zip \
    github.com/fixture/multi/@v/v1.3.0-rc.1.mod \
    github.com/fixture/multi/@v/v1.2.0.zip github.com/fixture/major/@v/v1.0.0.mod \
    'github.com/!fixture/!upper/@v/v1.0.1.info'; do
	is "$(code "$URL/$_p")" 200 "no mirror: $_p served"
done
_n=$(cat "$TRASH/serve6.log" "$T"/run/*.log 2>/dev/null |
    grep -c 'no vulnerability database mirror')
ok "no mirror: logged once per process, not per request ($_n lines, 2 processes)" \
    [ "$_n" -ge 1 ] && [ "$_n" -le 2 ]
is "$(code "$URL/status")" 200 "no mirror: /status 200"
like "$(cat "$TRASH/b")" 'no vulnerability database mirror' "no mirror: /status says so"
stop_bg "$SERVE_PID"
unlike "$(cat "$T"/run/*.log 2>/dev/null)" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"
done_testing

#!/bin/sh
# t1720-policy.t: what may be built ([policy]), through a real lighttpd,
# with both go commands as clients, offline.
#
# Upstream is the fake proxy (tests/upstream/fakeproxy.go) serving the
# fixtures' reference tree, then direct (git fixtures); versions fetched
# are verified against the test checksum database; a validator hook
# (tests/upstream/hookserver.go) answers as the test chooses.
#   1. The filter file: a "-" module's 403 and its reason appear in the
#      output of go mod download; a "-" on one version refuses it and
#      not the next; "D" sends the client to the upstream proxy (302),
#      nothing stored.
#   2. A refused module falls through to direct only when the client's
#      GOPROXY says so: "," goes on after 404/410 only (a 403 stops the
#      go command), "|" after any error.
#   3. The validator hook: asked once per version fetched (its verdict
#      cached, never for a stored version); deny: 403 with the hook's
#      message in go's output; 500 and a timeout: 502.
#   4. Private patterns ([policy] private, and GOPRIVATE of the
#      responder's environment): fetched direct, and the fake proxy's and
#      the checksum database's request logs never name them, while they
#      name a public module; a client lookup of one is 403.
#   4b. A later "-" on the newest release (multi v1.2.0, stored by 4):
#      list and @latest no longer offer it (storage's and upstream's
#      answers alike), a query naming it is 403, and "go get
#      multi@latest" picks v1.1.0.
#   5. A bad filter file: check-config names the file and the line; the
#      responder refuses to start (as CGI: 500 with a clear body).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/sumdb.sh"
. "$top_srcdir/tests/lib/hook.sh"
need go git curl lighttpd

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
sumdb_start "$REF" || bail_out "checksum database"
hook_start || bail_out "validator hook"

cat >"$TRASH/filter" <<'EOF'
# t1700's filter: include by default
+
- github.com/fixture/retract
- github.com/fixture/multi v1.0.0
D github.com/fixture/incompat
EOF

S=$TRASH/s
T=$TRASH/t
mkdir -p "$S" "$T"
cat >"$TRASH/p.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = $UPSTREAM_URL,direct
network_mode = strict
[sumdb]
databases = $SUMDB_VKEY $SUMDB_URL
[direct]
go = $GO_TOOL
timeout = 120
gitconfig = $FX/gitconfig
[policy]
filter_file = $TRASH/filter
validator_hook = $HOOK_URL/check
validator_timeout = 2
validator_cache_ttl = 600
private = github.com/fixture/mono
INI
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/cc.out" 2>&1
ok $? "check-config accepts the [policy] section" || diag_file "$TRASH/cc.out"

# The responders' environment: GOPRIVATE names a module private.
serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$TRASH/p.ini" \
    GOPRIVATE=github.com/Fixture/Upper

# cgo PROXY TAG CMD...: a go command against PROXY with a fresh module
# cache, from an empty directory; stdout and stderr in OUT, status in
# CGO_ST (called as it is, never in $(...), so that both are kept).
cgo()
{
	_p=$1 _tag=$2
	shift 2
	(
		go_env_proxy "$_p" "$TRASH/mc.$_tag.$GOTAG" || exit 1
		# direct, when the client's GOPROXY gets there: the fixtures.
		fixture_git_env "$FX"
		cd "$TRASH/empty" && "$@"
	) >"$TRASH/cgo.out" 2>&1
	CGO_ST=$?
	OUT=$(cat "$TRASH/cgo.out")
}

# code URL: GET it; the status on stdout, the body in $TRASH/b.
code()
{
	curl -q -s --max-time 60 -o "$TRASH/b" -w '%{http_code}' "$1"
}

# --- 1. the filter file --------------------------------------------------------
filter_go()
{
	cgo "$URL" f "$GO" mod download github.com/fixture/retract@v1.1.0
	isnt "$CGO_ST" 0 "-: go mod download retract fails [$GOTAG]"
	like "$OUT" "403 Forbidden" "with the 403 [$GOTAG]"
	like "$OUT" "github.com/fixture/retract@v1.1.0 is excluded by the filter of this proxy \\(rule at line 3\\)" \
	    "and the filter's reason, naming the rule's line [$GOTAG]"

	cgo "$URL" f "$GO" mod download github.com/fixture/multi@v1.0.0
	isnt "$CGO_ST" 0 "- on v1.0.0: multi@v1.0.0 fails [$GOTAG]"
	like "$OUT" "multi@v1.0.0 is excluded by the filter of this proxy \\(rule at line 4\\)" \
	    "with the reason [$GOTAG]"
	cgo "$URL" f "$GO" mod download -json github.com/fixture/multi@v1.1.0
	is "$CGO_ST" 0 "- on v1.0.0: multi@v1.1.0 is fetched [$GOTAG]" ||
	    diag "$OUT"

	cgo "$URL" f "$GO" mod download -json \
	    github.com/fixture/incompat@v3.0.0+incompatible
	is "$CGO_ST" 0 "D: go mod download incompat works [$GOTAG]" ||
	    diag "$OUT"
}
upstream_reset
for_each_go filter_go
is "$(code "$URL/github.com/fixture/retract/@v/list")" 403 \
    "-: the module's list is 403 too"
is "$(code "$URL/github.com/fixture/incompat/@v/v3.0.0+incompatible.info")" 302 \
    "D: a redirect"
like "$(curl -q -s -o /dev/null -w '%{redirect_url}' \
    "$URL/github.com/fixture/incompat/@v/v3.0.0+incompatible.info")" \
    "^$UPSTREAM_URL/github.com/fixture/incompat/@v/v3.0.0\\+incompatible.info\$" \
    "to the same path on the upstream proxy"
nok "D: nothing of incompat is stored" test -e "$S/github.com/fixture/incompat"
nok "-: nothing of retract is stored" test -e "$S/github.com/fixture/retract"
nok "-: multi@v1.0.0 is not stored" test -e \
    "$S/github.com/fixture/multi/@v/v1.0.0.info"
ok "multi@v1.1.0 is stored" test -f "$S/github.com/fixture/multi/@v/v1.1.0.zip"
is "$(upstream_count /github.com/fixture/retract/@v/v1.1.0.info)" 0 \
    "a refused version is never asked upstream"
is "$(upstream_count /github.com/fixture/multi/@v/v1.0.0.info)" 0 \
    "nor a refused version of an allowed module"
# A stored version refused by a later filter: policy runs before storage.
is "$(code "$URL/github.com/fixture/multi/@v/v1.1.0.mod")" 200 \
    "the stored multi@v1.1.0.mod is served"

# --- 2. falling through to direct ------------------------------------------------
fall_go()
{
	cgo "$URL,direct" c "$GO" mod download -json \
	    github.com/fixture/retract@v1.1.0
	isnt "$CGO_ST" 0 "GOPROXY=piraeus,direct: a 403 stops the go command [$GOTAG]"
	like "$OUT" "excluded by the filter" "saying why [$GOTAG]"
	cgo "$URL|direct" p "$GO" mod download -json \
	    github.com/fixture/retract@v1.1.0
	is "$CGO_ST" 0 "GOPROXY=piraeus|direct: the go command goes on to direct [$GOTAG]" ||
	    diag "$OUT"
	like "$OUT" '"Sum": "h1:' "and downloads it there [$GOTAG]"
}
for_each_go fall_go

# --- 3. the validator hook -------------------------------------------------------
hook_set github.com/fixture/major deny "msg=major is under review
by the security team" || bail_out "hook_set"
hook_set github.com/fixture/major/v2 error "msg=hook broke" || bail_out "hook_set"
hook_set github.com/fixture/nomod sleep ms=5000 || bail_out "hook_set"
NGO=0
hook_go()
{
	NGO=$((NGO + 1))
	cgo "$URL" h "$GO" mod download github.com/fixture/major@v1.0.0
	isnt "$CGO_ST" 0 "hook deny: go mod download major fails [$GOTAG]"
	like "$OUT" "403 Forbidden" "403 [$GOTAG]"
	like "$OUT" "denied by the validator hook: major is under review by the security team" \
	    "the hook's message, on one line, in go's output [$GOTAG]"
	cgo "$URL" h "$GO" mod download github.com/fixture/major/v2@v2.0.0
	isnt "$CGO_ST" 0 "hook 500: fails [$GOTAG]"
	like "$OUT" "502 Bad Gateway" "with 502 [$GOTAG]"
	like "$OUT" "the validator hook answered 500" "saying why [$GOTAG]"
	cgo "$URL" h "$GO" mod download github.com/fixture/nomod@v1.0.0
	isnt "$CGO_ST" 0 "hook timeout: fails [$GOTAG]"
	like "$OUT" "502 Bad Gateway" "with 502 [$GOTAG]"
	like "$OUT" "did not answer within 2 s" "saying why [$GOTAG]"
}
for_each_go hook_go
is "$(hook_count github.com/fixture/major)" 1 \
    "a deny is kept: the hook was asked once for major"
is "$(hook_count github.com/fixture/major/v2)" "$NGO" \
    "a failing hook is asked again each time"
is "$(hook_count github.com/fixture/multi)" 1 \
    "the hook is asked once for the version fetched, never for the stored one"
is "$(hook_count github.com/fixture/retract)" 0 \
    "a version the filter refuses never reaches the hook"
like "$(grep '^github.com/fixture/multi ' "$HOOK_LOG")" \
    "^github.com/fixture/multi v1.1.0 allow" "the hook got module and version"
is "$(grep -c '^BAD' "$HOOK_LOG")" 0 "every hook request was a JSON POST"
nok "nothing of major is stored" test -e "$S/github.com/fixture/major"
hook_set github.com/fixture/nomod allow || bail_out "hook_set"
is "$(code "$URL/github.com/fixture/nomod/@v/v1.0.0.info")" 200 \
    "once the hook answers, the version is fetched"

# --- 4. private modules never named upstream ----------------------------------------
: >"$SUMDB_LOG"
upstream_reset
private_go()
{
	for mv in github.com/fixture/mono@v1.0.0 github.com/Fixture/Upper@v1.0.1 \
	    github.com/fixture/multi@v1.2.0; do
		cgo "$URL" v "$GO" mod download -json "$mv"
		is "$CGO_ST" 0 "go mod download $mv through piraeus [$GOTAG]" ||
		    diag "$OUT"
		like "$OUT" '"GoModSum": "h1:' "with its sums [$GOTAG]"
	done
}
for_each_go private_go
ok "[policy] private: mono stored (fetched direct)" test -f \
    "$S/github.com/fixture/mono/@v/v1.0.0.zip"
ok "GOPRIVATE: Upper stored (fetched direct)" test -f \
    "$S/github.com/!fixture/!upper/@v/v1.0.1.zip"
upstream_log >"$TRASH/up.log"
unlike "$(cat "$TRASH/up.log")" 'fixture/mono' \
    "the fake proxy's log never names the [policy] private module"
unlike "$(cat "$TRASH/up.log")" '[Ff]ixture/[!]?[Uu]pper' \
    "nor the GOPRIVATE module of the environment"
like "$(cat "$TRASH/up.log")" 'github.com/fixture/multi/@v/v1.2.0' \
    "while it names the public module fetched"
unlike "$(cat "$SUMDB_LOG")" 'fixture/mono' \
    "the checksum database's log never names the [policy] private module"
unlike "$(cat "$SUMDB_LOG")" '[Ff]ixture/[!]?[Uu]pper' \
    "nor the GOPRIVATE module of the environment"
like "$(cat "$SUMDB_LOG")" '/lookup/github.com/fixture/multi@v1.2.0' \
    "while it names the public module, verified"
is "$(code "$URL/sumdb/$SUMDB_NAME/lookup/github.com/fixture/mono@v1.0.0")" 403 \
    "a client lookup of the private module through piraeus: 403"
like "$(cat "$TRASH/b")" 'fixture/mono is private on this proxy' "saying why"
unlike "$(cat "$SUMDB_LOG")" 'fixture/mono' "and not forwarded"

# --- 4b. an excluded version is not offered -----------------------------------------
stop_bg "$SERVE_PID"
ok "multi@v1.2.0 is stored" test -f "$S/github.com/fixture/multi/@v/v1.2.0.zip"
printf -- '- github.com/fixture/multi v1.2.0\n' >>"$TRASH/filter"
serve_lighttpd "$TRASH/serve2.log" "$S" "$T" "$TRASH/p.ini"
is "$(code "$URL/github.com/fixture/multi/@v/list")" 200 "list: 200"
unlike "$(cat "$TRASH/b")" 'v1\.2\.0' "list: the excluded v1.2.0 is not offered"
like "$(cat "$TRASH/b")" 'v1\.1\.0' "list: v1.1.0 is"
is "$(code "$URL/github.com/fixture/multi/@latest")" 200 "@latest: 200"
like "$(cat "$TRASH/b")" '"Version": *"v1\.1\.0"' \
    "@latest: the newest allowed version, v1.1.0"
# Storage's answers alone (Disable-Module-Fetch): the same.
is "$(curl -q -s --max-time 60 -H 'Disable-Module-Fetch: true' -o "$TRASH/b" \
    -w '%{http_code}' "$URL/github.com/fixture/multi/@latest")" 200 \
    "storage's @latest: 200"
like "$(cat "$TRASH/b")" '"Version": *"v1\.1\.0"' \
    "storage's @latest: v1.1.0, not the stored, excluded v1.2.0"
curl -q -s --max-time 60 -H 'Disable-Module-Fetch: true' -o "$TRASH/b" \
    "$URL/github.com/fixture/multi/@v/list"
unlike "$(cat "$TRASH/b")" 'v1\.2\.0' "storage's list: v1.2.0 not offered"
is "$(code "$URL/github.com/fixture/multi/@v/v1.2.info")" 403 \
    "a query answered by the excluded version (stored): 403"
latest_go()
{
	mkdir -p "$TRASH/getmod.$GOTAG"
	printf 'module example.com/getter\n\ngo 1.16\n' \
	    >"$TRASH/getmod.$GOTAG/go.mod"
	(
		go_env_proxy "$URL" "$TRASH/mc.get.$GOTAG" || exit 1
		cd "$TRASH/getmod.$GOTAG" &&
		    "$GO" get github.com/fixture/multi@latest
	) >"$TRASH/get.out" 2>&1
	is "$?" 0 "go get multi@latest through piraeus [$GOTAG]" ||
	    diag_file "$TRASH/get.out"
	like "$(cat "$TRASH/getmod.$GOTAG/go.mod")" \
	    'github.com/fixture/multi v1\.1\.0' \
	    "it picks v1.1.0, the newest allowed [$GOTAG]"
}
for_each_go latest_go
stop_bg "$SERVE_PID"

# --- 5. a bad filter file ----------------------------------------------------------
printf '+\n- github.com/a\nI github.com/b\n' >"$TRASH/filter"
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/cc.out" 2>&1
isnt $? 0 "check-config refuses a bad filter file"
like "$(cat "$TRASH/cc.out")" "\\[policy\\] filter_file: $TRASH/filter:3: \"I\"" \
    "naming the file and the line"
(
	cd "$TRASH/empty" &&
	env -i PATH="$PATH" PIRAEUS_CONFIG="$TRASH/p.ini" \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    REQUEST_URI=/github.com/fixture/multi/@v/list \
	    SCRIPT_NAME= PATH_INFO=/github.com/fixture/multi/@v/list \
	    SERVER_PROTOCOL=HTTP/1.1 "$PIRAEUS_FCGI" </dev/null
) >"$TRASH/cgi.out" 2>"$TRASH/cgi.err"
isnt $? 0 "the responder refuses to start"
like "$(head -n 1 "$TRASH/cgi.out")" '^Status: 500' "as CGI: 500, never an empty 200"
like "$(cat "$TRASH/cgi.out")" 'misconfigured' "with a clear body"
like "$(cat "$TRASH/cgi.err")" "$TRASH/filter:3:" "the log names the file and line"
unlike "$(cat "$T"/run/*.log 2>/dev/null)" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"
done_testing

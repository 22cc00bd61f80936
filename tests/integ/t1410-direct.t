#!/bin/sh
# t1410-direct.t: the "direct" upstream through a real lighttpd, offline.
#
# 1. Public modules: goproxy = direct and a [direct] gitconfig that rewrites
#    https://github.com/ to the fixture repositories; from empty storage the
#    go command through the proxy gets the same Sum/GoModSum as through
#    file://<reference>, a branch query gives the reference's
#    pseudo-version, @v/list lists the tags only (retracted ones kept).
#    What go fetched is verified by piraeus against a checksum database
#    (tests/sumdb/testsumdb.go) before it is stored: a version the database
#    disagrees with is refused.
# 2. A private module behind HTTP basic auth: a second lighttpd started here
#    serves a bare repository with git's smart HTTP (git http-backend as a
#    CGI program, mod_auth + mod_authn_file); piraeus (goproxy = off,
#    goprivate = git.private.test) fetches it with the credentials of
#    [direct] netrc.  With a wrong password in the netrc the same request
#    fails, nothing is stored, and the git server logged the 401s.
# 3. Every server is stopped; no sanitizer report in the logs.
#
# How the go command (1.19, git 2.39) reaches the private server offline:
#  - The module path ends in ".git" (git.private.test/secret/lib.git): a
#    path with a VCS suffix needs no "?go-get=1" meta lookup (which would
#    need DNS and TLS for git.private.test).  go runs git on
#    https://git.private.test/secret/lib (it tries https first; git:// and
#    ssh only after that fails), and the gitconfig rule
#	url."http://127.0.0.1:PORT/git/".insteadOf = https://git.private.test/
#    sends git to the test's server.  go never sees the rewritten URL, so
#    neither GOINSECURE nor GIT_ALLOW_PROTOCOL is needed (git allows http
#    by default).
#  - No checksum database offline: piraeus verifies what its go fetched
#    itself and runs go with GOSUMDB=off.  GOPRIVATE is not set for the
#    responders: piraeus reads it as the go command does, and would take
#    the public fixtures for private ones (fetched, never verified).
#    piraeus appends [upstream] goprivate to its go's GOPRIVATE for the
#    private host.
#  - Credentials: git (libcurl) reads $HOME/.netrc and ignores the NETRC
#    variable, which only the go command's own HTTP client honours.  The
#    reference download below therefore runs with HOME holding a .netrc;
#    piraeus must make [direct] netrc reach git, not only set NETRC.
#  - HOME of the responders is an empty directory of the test, so no
#    ~/.netrc or ~/.gitconfig of the user running the tests can help.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/sumdb.sh"
need go git curl lighttpd

_t0=$(date +%s)
GIT_HTTP_BACKEND=$(git --exec-path)/git-http-backend
[ -x "$GIT_HTTP_BACKEND" ] || skip_all "no git-http-backend"

# A known environment for everything started from here (contrib/serve
# passes the GO* and GIT* names on to the responders, and they to go).
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY GOFLAGS GONOSUMDB GONOPROXY GOINSECURE GOVCS \
    GOPATH GOMODCACHE GOCACHE GIT_CONFIG_GLOBAL GIT_SSH GIT_SSH_COMMAND \
    GIT_ALLOW_PROTOCOL SSH_AUTH_SOCK
HOME=$TRASH/home
GOENV=off
GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME" "$TRASH/empty"
unset GOPRIVATE
export HOME GOENV GIT_CONFIG_NOSYSTEM

FX=$TRASH/fx
REF=$FX/modcache/cache/download
make_fixtures "$FX" >"$TRASH/fixtures.log" 2>&1 ||
    { diag_file "$TRASH/fixtures.log"; bail_out "fixtures"; }
pass "fixtures made offline"

# cgo PROXY TAG CMD...: a go command against PROXY with a fresh module cache
# $TRASH/mc.TAG.$GOTAG, from an empty directory; stdout and stderr.  The
# client checks run with each go command (for_each_go); piraeus' own go
# (for direct) is GO_TOOL, Debian's.
cgo()
{
	(
		_p=$1 _tag=$2
		shift 2
		go_env_proxy "$_p" "$TRASH/mc.$_tag.$GOTAG" || exit 1
		cd "$TRASH/empty" && "$@"
	) 2>&1
}

# The fields of go mod download -json that must be equal.
dlfields()
{
	grep -E '^[[:space:]]*"(Path|Version|Sum|GoModSum|Error)":' |
	    sed 's/^[[:space:]]*//'
}

# code URL: GET it; the status on stdout, the body in $TRASH/b.
code()
{
	curl -q -s --max-time 120 -o "$TRASH/b" -w '%{http_code}' "$1"
}

# serve_up NAME INI: contrib/serve (lighttpd) with storage $TRASH/NAME.s and
# state $TRASH/NAME.t; sets URL, SERVE_PID, S and T.
serve_up()
{
	S=$TRASH/$1.s
	T=$TRASH/$1.t
	mkdir -p "$S" "$T"
	PORT=$(free_port) || bail_out "no free port"
	start_bg "$TRASH/$1.serve.log" "$top_srcdir/contrib/serve" \
	    --server lighttpd --port "$PORT" --storage "$S" --state "$T" \
	    --fcgi "$PIRAEUS_FCGI" --config "$2" --procs 2
	SERVE_PID=$BG_PID
	wait_line "$TRASH/$1.serve.log" \
	    "serving on http://127\.0\.0\.1:$PORT/" 60 "$SERVE_PID" ||
	    { diag_file "$TRASH/$1.serve.log"; bail_out "serve $1"; }
	URL=http://127.0.0.1:$PORT
	pass "piraeus ($1) on $URL"
}

# files_under DIR: how many files there are under DIR.
files_under()
{
	find "$1" -type f 2>/dev/null | wc -l | tr -d ' '
}

# --- 1. public modules via direct ---------------------------------------

# The database disagrees with the fixtures about one version.
WRONG=github.com/fixture/retract@v1.0.0
sumdb_build || bail_out "cannot build the test checksum database"
sumdb_start "$REF" -wrong "$WRONG" || bail_out "checksum database"

cat >"$TRASH/pub.ini" <<INI
[storage]
root = $TRASH/pub.s
[state]
dir = $TRASH/pub.t
[upstream]
goproxy = direct
network_mode = strict
wait_timeout = 120
[sumdb]
databases = $SUMDB_VKEY $SUMDB_URL
[direct]
go = $GO_TOOL
timeout = 120
workers = 2
gitconfig = $FX/gitconfig
INI
serve_up pub "$TRASH/pub.ini"
PUB_PID=$SERVE_PID
PUB_T=$T

# The first go command's downloads are fetched direct, the others' stored.
pub_downloads()
{
	for mv in github.com/fixture/multi@v1.1.0 \
	    github.com/Fixture/Upper@v1.0.1 \
	    github.com/fixture/incompat@v3.0.0+incompatible \
	    github.com/fixture/mono/sub@v1.0.0; do
		r=$(cgo "file://$REF" ref "$GO" mod download -json "$mv" |
		    dlfields)
		p=$(cgo "$URL" prx "$GO" mod download -json "$mv" | dlfields)
		like "$r" '"GoModSum": "h1:' "reference: $mv has sums [$GOTAG]"
		is "$p" "$r" \
		    "direct: go mod download $mv: same Version/Sum/GoModSum [$GOTAG]"
	done
}
for_each_go pub_downloads
ok "the stored zip is the reference's bytes" cmp -s \
    "$S/github.com/fixture/multi/@v/v1.1.0.zip" \
    "$REF/github.com/fixture/multi/@v/v1.1.0.zip"
ok "capitals stored escaped" test -f \
    "$S/github.com/!fixture/!upper/@v/v1.0.1.zip"
is "$(files_under "$S/.tmp")" 0 "no temporary file left"
is "$(sumdb_count /lookup/github.com/fixture/multi@v1.1.0)" 1 \
    "piraeus verified what go fetched with the checksum database"
is "$(sumdb_count /lookup/github.com/!fixture/!upper@v1.0.1)" 1 \
    "capitals are looked up escaped"
is "$(code "$URL/${WRONG%@*}/@v/${WRONG#*@}.zip")" 502 \
    "a direct fetch the checksum database disagrees with is refused"
like "$(cat "$TRASH/b")" 'checksum mismatch' "the client is told why"
nok "and nothing of it is stored" test -e "$S/${WRONG%@*}/@v/${WRONG#*@}.info"

# A branch: the fixtures' default branch is main; its tip is the untagged
# commit after v1.3.0-rc.1.
PSEUDO=$(cat "$FX/pseudo.multi")
is "$(code "$URL/github.com/fixture/multi/@v/main.info")" 200 \
    "GET multi/@v/main.info: 200"
like "$(cat "$TRASH/b")" "\"Version\": *\"$PSEUDO\"" \
    "main.info names the reference pseudo-version $PSEUDO"
pub_main()
{
	is "$(cgo "$URL" prx "$GO" list -m -f '{{.Version}}' \
	    github.com/fixture/multi@main)" "$PSEUDO" \
	    "go list -m multi@main through the proxy: $PSEUDO [$GOTAG]"
}
for_each_go pub_main

# Lists: the tags only, retracted versions kept.
list_is()
{
	is "$(code "$URL/$1/@v/list")" 200 "GET $1/@v/list: 200"
	is "$(sed 's/[[:space:]].*//' "$TRASH/b" | grep . | sort | xargs)" \
	    "$2" "GET $1/@v/list: $2"
}
list_is github.com/fixture/multi 'v1.0.0 v1.1.0 v1.2.0 v1.3.0-rc.1'
unlike "$(cat "$TRASH/b")" "$PSEUDO" "multi list: no pseudo-version"
list_is github.com/fixture/retract 'v1.0.0 v1.1.0'
pub_lists()
{
	for m in github.com/fixture/multi github.com/fixture/retract; do
		r=$(cgo "file://$REF" ref "$GO" list -m -versions "$m")
		p=$(cgo "$URL" prx "$GO" list -m -versions "$m")
		is "$p" "$r" "go list -m -versions $m: $r [$GOTAG]"
	done
	r=$(cgo "file://$REF" ref "$GO" list -m github.com/fixture/multi@latest)
	p=$(cgo "$URL" prx "$GO" list -m github.com/fixture/multi@latest)
	is "$p" "$r" "go list -m multi@latest: $r [$GOTAG]"
}
for_each_go pub_lists
ok "piraeus kept go's module cache in its state directory" test -d \
    "$PUB_T/gomodcache/cache/download/github.com/fixture/multi"
stop_bg "$PUB_PID"
nok "piraeus (pub) stopped" kill -0 "$PUB_PID" 2>/dev/null

# --- 2. a private module behind basic auth ---------------------------------

# The repository: module git.private.test/secret/lib.git, tag v1.0.0.
G=$TRASH/gitsrv
PRIV=git.private.test/secret/lib.git
(
	set -e
	r=$G/work
	mkdir -p "$r" "$G/root/secret" "$G/logs" "$G/www"
	git init -q -b main "$r"
	printf 'module %s\n\ngo 1.16\n' "$PRIV" >"$r/go.mod"
	printf '// Package lib is a private piraeus test fixture.\n' >"$r/lib.go"
	printf 'package lib\n\n// Secret is the answer.\n' >>"$r/lib.go"
	printf 'func Secret() string { return "42" }\n' >>"$r/lib.go"
	_fx_commit "$r" 20 "secret lib v1.0.0" v1.0.0
	git clone -q --bare "$r" "$G/root/secret/lib"
) >"$TRASH/gitrepo.log" 2>&1 ||
    { diag_file "$TRASH/gitrepo.log"; bail_out "private repository"; }

GPORT=$(free_port) || bail_out "no free port"
# bob for the reference download, alice for piraeus.
printf 'alice:s3cret-pw\nbob:bobs-pw\n' >"$G/users"
cat >"$G/lighttpd.conf" <<EOF
server.modules = ("mod_auth", "mod_authn_file", "mod_alias", "mod_setenv",
    "mod_cgi", "mod_accesslog")
server.document-root = "$G/www"
server.bind = "127.0.0.1"
server.port = $GPORT
server.errorlog = "$G/logs/error.log"
accesslog.filename = "$G/logs/access.log"
alias.url = ("/git/" => "$GIT_HTTP_BACKEND/")
auth.backend = "plain"
auth.backend.plain.userfile = "$G/users"
\$HTTP["url"] =~ "^/git/" {
	cgi.assign = ("" => "")
	setenv.add-environment = ("GIT_PROJECT_ROOT" => "$G/root",
	    "GIT_HTTP_EXPORT_ALL" => "1")
	auth.require = ("" => ("method" => "basic", "realm" => "git",
	    "require" => "valid-user"))
}
EOF
lighttpd -tt -f "$G/lighttpd.conf" >"$TRASH/gitsrv.tt" 2>&1 ||
    { diag_file "$TRASH/gitsrv.tt"; skip_all "lighttpd: no mod_auth/mod_cgi"; }
start_bg "$TRASH/gitsrv.log" lighttpd -D -f "$G/lighttpd.conf"
GIT_PID=$BG_PID
GURL=http://127.0.0.1:$GPORT
wait_http "$GURL/" 20 "$GIT_PID" ||
    { diag_file "$TRASH/gitsrv.log"; bail_out "git server"; }
REFS='/git/secret/lib/info/refs?service=git-upload-pack'
is "$(curl -q -s -o /dev/null -w '%{http_code}' "$GURL$REFS")" 401 \
    "git server: 401 without credentials"
is "$(curl -q -s -o /dev/null -w '%{http_code}' -u alice:s3cret-pw \
    "$GURL$REFS")" 200 "git server: 200 with them"

cat >"$G/gitconfig" <<EOF
[url "$GURL/git/"]
	insteadOf = https://git.private.test/
EOF
printf 'machine 127.0.0.1\nlogin alice\npassword s3cret-pw\n' >"$G/netrc"
printf 'machine 127.0.0.1\nlogin bob\npassword bobs-pw\n' >"$G/netrc.bob"
printf 'machine 127.0.0.1\nlogin alice\npassword wrong-pw\n' >"$G/netrc.bad"
chmod 600 "$G/netrc" "$G/netrc.bob" "$G/netrc.bad"

# The reference: the go command itself, direct, with the credentials (git
# takes them from $HOME/.netrc, go's own client from NETRC).
mkdir -p "$TRASH/refhome"
cp "$G/netrc.bob" "$TRASH/refhome/.netrc"
PREF=$(
	go_env_common
	GOPROXY=direct GOPRIVATE=git.private.test
	GOMODCACHE=$TRASH/mc.privref GOPATH=$TRASH/mc.privref/gopath
	HOME=$TRASH/refhome NETRC=$G/netrc.bob
	GIT_CONFIG_GLOBAL=$G/gitconfig GIT_TERMINAL_PROMPT=0
	export GOPROXY GOPRIVATE GOMODCACHE GOPATH HOME NETRC \
	    GIT_CONFIG_GLOBAL GIT_TERMINAL_PROMPT
	cd "$TRASH/empty" && "$GO" mod download -json "$PRIV@v1.0.0" 2>&1
)
PREF_ZIP=$TRASH/mc.privref/cache/download/$PRIV/@v/v1.0.0.zip
PREF=$(printf '%s\n' "$PREF" | dlfields)
like "$PREF" '"Sum": "h1:' "reference: go direct with the credentials: $PRIV"

# private_ini NAME NETRC: goproxy off, the private host fetched direct.
private_ini()
{
	cat >"$TRASH/$1.ini" <<INI
[storage]
root = $TRASH/$1.s
[state]
dir = $TRASH/$1.t
[upstream]
goproxy = off
goprivate = git.private.test
network_mode = strict
notfound_ttl = 0
wait_timeout = 120
[direct]
go = $GO_TOOL
timeout = 120
workers = 2
netrc = $2
gitconfig = $G/gitconfig
INI
}

private_ini priv "$G/netrc"
serve_up priv "$TRASH/priv.ini"
PRIV_PID=$SERVE_PID
priv_download()
{
	p=$(cgo "$URL" priv "$GO" mod download -json "$PRIV@v1.0.0" | dlfields)
	is "$p" "$PREF" \
	    "through the proxy: go mod download $PRIV@v1.0.0 = reference [$GOTAG]"
}
for_each_go priv_download
ok "the stored zip is the reference's bytes" cmp -s \
    "$S/$PRIV/@v/v1.0.0.zip" "$PREF_ZIP"
is "$(code "$URL/$PRIV/@v/list")" 200 "GET private @v/list: 200"
is "$(sed 's/[[:space:]].*//' "$TRASH/b" | grep . | xargs)" v1.0.0 \
    "private @v/list: v1.0.0"
is "$(code "$URL/$PRIV/@latest")" 200 "GET private @latest: 200"
like "$(cat "$TRASH/b")" '"Version": *"v1.0.0"' "private @latest: v1.0.0"
isnt "$(code "$URL/github.com/fixture/multi/@v/v1.0.0.info")" 200 \
    "goproxy = off: a public module is not fetched"
stop_bg "$PRIV_PID"

# The same with a wrong password: no credentials, no module.  (git gets a
# 401 for https://, go then tries git://git.private.test, whose name does
# not resolve, and reports "invalid version": a 404.)
private_ini bad "$G/netrc.bad"
serve_up bad "$TRASH/bad.ini"
BAD_PID=$SERVE_PID
for x in info mod zip; do
	c=$(code "$URL/$PRIV/@v/v1.0.0.$x")
	like "$c" '^(404|410|502)$' "wrong password: GET v1.0.0.$x: $c"
done
bad_download()
{
	p=$(cgo "$URL" bad "$GO" mod download -json "$PRIV@v1.0.0" | dlfields)
	like "$p" '"Error":' \
	    "wrong password: go mod download through the proxy fails [$GOTAG]"
	unlike "$p" '"Sum":' "wrong password: and gives no sum [$GOTAG]"
}
for_each_go bad_download
is "$(files_under "$S")" 0 "wrong password: nothing stored"
stop_bg "$BAD_PID"

# --- 3. everything stopped, no sanitizer report ----------------------------

stop_bg "$GIT_PID"
# (lighttpd buffers its access log: read it once the server has stopped.)
A=$G/logs/access.log
like "$(grep '"git/' "$A")" \
    ' alice .*"POST /git/secret/lib/git-upload-pack HTTP/[0-9.]*" 200 ' \
    "the git server served alice (piraeus' netrc) an upload-pack"
# After the last authenticated request (field 3 is the user): git's
# requests with the wrong password.
after()
{
	awk -v want="$1" '$3 != "-" { n = 0; next }
	    /"git\// && (($0 ~ /" 401 /) == want) { n++ }
	    END { print n + 0 }' "$A"
}
n=$(after 1)
ok "wrong password: $n git requests after the last good one, each 401" \
    test "$n" -gt 0
is "$(after 0)" 0 "wrong password: no git request got another status"
alive()
{
	kill -0 "$1" 2>/dev/null
}
for pid in "pub $PUB_PID" "priv $PRIV_PID" "bad $BAD_PID" \
    "git-server $GIT_PID"; do
	nok "${pid% *}: process group ${pid#* } is gone" alive "-${pid#* }"
done
nok "nothing listens on the git server's port" port_in_use "$GPORT"
is "$(grep -hE 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "$TRASH"/*.t/run/*.log 2>/dev/null | head -n 5)" "" \
    "no sanitizer report in the logs"
if [ "$_tl_failed" -ne 0 ]; then
	for f in "$TRASH"/*.t/run/responder.log "$G/logs/access.log"; do
		diag_file "$f"
	done
fi
diag "total: $(($(date +%s) - _t0)) s"
done_testing

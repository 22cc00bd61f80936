#!/bin/sh
# t1470-vcsauth.t: [policy] private_access = vcs, identity pass-through.
#
# A git smart-HTTP server (git http-backend as a CGI program behind a
# lighttpd started here, mod_auth over an htpasswd file) serves the
# private module git.private.test/secret/lib.git; lighttpd lets op (the
# operator: piraeus' [direct] netrc), alice, bob and dave read it, and
# knows carol (right password) without letting her.  piraeus runs behind a
# second lighttpd over https (a self-signed certificate made here: the go
# command sends GOAUTH credentials over https only) where EVERY request
# reaches the responder (stored files too).  The real go command
# (/usr/local/go/bin/go, GOAUTH=netrc, NETRC per user):
#  - without credentials: 401 with WWW-Authenticate: Basic, and go fails;
#  - alice and bob: the module, go.sum equal to a direct download's, the
#    app builds and runs; the git server's log shows op's requests (the
#    one fetch) all before bob's first request: bob's download fetched
#    nothing, only checked his credentials (list and @latest, which ask
#    the repository as op, are asked before bob);
#  - carol: go fails with the proxy's 404, nothing of the module shown;
#  - dave, removed from the htpasswd file after his download: still
#    served within private_access_ttl, refused (404) once it has passed;
#  - a wrong password: 404.
# Around it: the state directory's vcsauth/ is itself a git work tree
# whose .git/config sends every URL of the git server to a dead port
# (git must not discover it: GIT_CEILING_DIRECTORIES); the git server is
# http, allowed by private_access_http = yes.  A second piraeus without
# goprivate, the module private by the responder's GONOPROXY alone and
# without private_access_http: anonymous 401, alice 503 (not https) with
# git never run with her credentials.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
need git curl lighttpd openssl
GO=${PIRAEUS_TEST_GO_CURRENT:-/usr/local/go/bin/go}
[ -x "$GO" ] || { need go; GO=$GO_CURRENT; }
[ -x "$GO" ] || skip_all "no $GO"
GIT_HTTP_BACKEND=$(git --exec-path)/git-http-backend
[ -x "$GIT_HTTP_BACKEND" ] || skip_all "no git-http-backend"
TTL=10

unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY GOFLAGS GONOSUMDB GONOPROXY GOINSECURE GOVCS \
    GOPATH GOMODCACHE GOCACHE GOAUTH NETRC GIT_CONFIG_GLOBAL GIT_SSH \
    GIT_SSH_COMMAND GIT_ALLOW_PROTOCOL GIT_ASKPASS SSH_ASKPASS \
    SSH_AUTH_SOCK SSL_CERT_FILE SSL_CERT_DIR GIT_SSL_CAINFO GOPRIVATE
HOME=$TRASH/home
GOENV=off
GIT_CONFIG_NOSYSTEM=1
GIT_TERMINAL_PROMPT=0
mkdir -p "$HOME" "$TRASH/empty"
export HOME GOENV GIT_CONFIG_NOSYSTEM GIT_TERMINAL_PROMPT
GO_CACHE=$TRASH/gocache

# --- the git server ---------------------------------------------------------
G=$TRASH/gitsrv
PRIV=git.private.test/secret/lib.git
(
	set -e
	r=$G/work
	mkdir -p "$r" "$G/root/secret" "$G/logs" "$G/www"
	git init -q -b main "$r"
	printf 'module %s\n\ngo 1.16\n' "$PRIV" >"$r/go.mod"
	printf 'package lib\n\n// Secret is the answer.\n' >"$r/lib.go"
	printf 'func Secret() string { return "42" }\n' >>"$r/lib.go"
	_fx_commit "$r" 20 "secret lib v1.0.0" v1.0.0
	git clone -q --bare "$r" "$G/root/secret/lib"
) >"$TRASH/gitrepo.log" 2>&1 ||
    { diag_file "$TRASH/gitrepo.log"; bail_out "private repository"; }

# htpasswd: apr1 hashes.  users NAME...: the file with those users.
pw()
{
	echo "pw-of-$1"
}
users()
{
	for u in "$@"; do
		printf '%s:%s\n' "$u" "$(openssl passwd -apr1 "$(pw "$u")")"
	done >"$G/htpasswd.tmp" && mv "$G/htpasswd.tmp" "$G/htpasswd"
}
users op alice bob carol dave

GPORT=$(free_port) || bail_out "no free port"
cat >"$G/lighttpd.conf" <<EOF
server.modules = ("mod_auth", "mod_authn_file", "mod_alias", "mod_setenv",
    "mod_cgi", "mod_accesslog")
server.document-root = "$G/www"
server.bind = "127.0.0.1"
server.port = $GPORT
server.errorlog = "$G/logs/error.log"
accesslog.filename = "$G/logs/access.log"
alias.url = ("/git/" => "$GIT_HTTP_BACKEND/")
auth.backend = "htpasswd"
auth.backend.htpasswd.userfile = "$G/htpasswd"
\$HTTP["url"] =~ "^/git/" {
	cgi.assign = ("" => "")
	setenv.add-environment = ("GIT_PROJECT_ROOT" => "$G/root",
	    "GIT_HTTP_EXPORT_ALL" => "1")
	auth.require = ("" => ("method" => "basic", "realm" => "git",
	    "require" => "user=op|user=alice|user=bob|user=dave"))
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
gcode()
{
	curl -q -s -o /dev/null -w '%{http_code}' "$@" "$GURL$REFS"
}
is "$(gcode -u "alice:$(pw alice)")" 200 "git server: alice may read"
is "$(gcode -u "carol:$(pw carol)")" 401 "git server: carol may not"

cat >"$G/gitconfig" <<EOF
[url "$GURL/git/"]
	insteadOf = https://git.private.test/
EOF
printf 'machine 127.0.0.1\nlogin op\npassword %s\n' "$(pw op)" >"$G/netrc.op"
chmod 600 "$G/netrc.op"

# The reference: the go command itself, direct, with op's credentials.
mkdir -p "$TRASH/refhome" "$TRASH/app"
cp "$G/netrc.op" "$TRASH/refhome/.netrc"
cat >"$TRASH/app/go.mod" <<EOF
module example.com/app

go 1.16

require $PRIV v1.0.0
EOF
cat >"$TRASH/app/main.go" <<EOF
package main

import (
	"fmt"

	"$PRIV"
)

func main() { fmt.Println(lib.Secret()) }
EOF
# app NAME VAR=VALUE...: go mod download + build + run of a copy of the
# app with a fresh module cache; go.sum in $TRASH/app.NAME/go.sum, the
# output of everything in $TRASH/app.NAME.log.
app()
{
	_n=$1
	shift
	rm -rf "$TRASH/app.$_n" "$TRASH/mc.$_n"
	cp -R "$TRASH/app" "$TRASH/app.$_n"
	(
		go_env_common
		GOMODCACHE=$TRASH/mc.$_n GOPATH=$TRASH/mc.$_n/gopath
		GOFLAGS='-mod=mod -modcacherw'
		export GOMODCACHE GOPATH GOFLAGS
		for _v in "$@"; do
			export "$_v"
		done
		cd "$TRASH/app.$_n" && "$GO" mod download -json "$PRIV" &&
		    "$GO" build -o app.bin . && ./app.bin
	) >"$TRASH/app.$_n.log" 2>&1
}
app ref GOPROXY=direct GOPRIVATE=git.private.test HOME="$TRASH/refhome" \
    GIT_CONFIG_GLOBAL="$G/gitconfig" GOAUTH=off ||
    { diag_file "$TRASH/app.ref.log"; bail_out "reference: go direct"; }
like "$(tail -n 1 "$TRASH/app.ref.log")" '^42$' \
    "reference: the app builds direct with the operator's credentials"

# --- piraeus over https, every request to the responder ----------------------
P=$TRASH/piraeus
mkdir -p "$P/s" "$P/t" "$P/run"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$P/key.pem" \
    -out "$P/cert.pem" >"$TRASH/openssl.log" 2>&1 ||
    { diag_file "$TRASH/openssl.log"; bail_out "certificate"; }
cat "$P/cert.pem" "$P/key.pem" >"$P/both.pem"
cat >"$P/piraeus.ini" <<INI
[storage]
root = $P/s
[state]
dir = $P/t
[upstream]
goproxy = off
goprivate = git.private.test
network_mode = strict
notfound_ttl = 0
wait_timeout = 120
[direct]
go = $GO
timeout = 120
netrc = $G/netrc.op
gitconfig = $G/gitconfig
[sumdb]
verify = no
[policy]
private_access = vcs
private_access_ttl = $TTL
private_access_http = yes
INI
# A work tree above git's home in the state directory, its config
# poisoned: read, it would send every check to a dead port (a 502).
mkdir -p "$P/t/vcsauth"
git init -q "$P/t/vcsauth" || bail_out "git init"
git -C "$P/t/vcsauth" config "url.http://127.0.0.1:9/.insteadOf" "$GURL/" ||
    bail_out "git config"
PORT=$(free_port) || bail_out "no free port"
cat >"$P/lighttpd.conf" <<EOF
server.modules = ("mod_openssl", "mod_fastcgi", "mod_accesslog")
server.document-root = "$P/s"
server.bind = "127.0.0.1"
server.port = $PORT
server.errorlog = "$P/run/error.log"
server.breakagelog = "$P/run/responder.log"
accesslog.filename = "$P/run/access.log"
ssl.engine = "enable"
ssl.pemfile = "$P/both.pem"
fastcgi.server = ("/" => ((
	"bin-path" => "$PIRAEUS_FCGI",
	"socket" => "$P/run/piraeus.sock",
	"max-procs" => 2,
	"check-local" => "disable",
	"bin-environment" => ("PIRAEUS_CONFIG" => "$P/piraeus.ini",
	    "PATH" => "$PATH", "HOME" => "$TRASH/empty"),
)))
EOF
lighttpd -tt -f "$P/lighttpd.conf" >"$TRASH/piraeus.tt" 2>&1 ||
    { diag_file "$TRASH/piraeus.tt"; skip_all "lighttpd: no mod_openssl"; }
start_bg "$TRASH/piraeus.log" lighttpd -D -f "$P/lighttpd.conf"
PIR_PID=$BG_PID
URL=https://127.0.0.1:$PORT
pcode()
{
	curl -q -s --cacert "$P/cert.pem" --max-time 120 -o "$TRASH/b" \
	    -D "$TRASH/h" -w '%{http_code}' "$@"
}
i=0
while [ "$(pcode "$URL/healthz")" != 200 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
is "$(pcode "$URL/healthz")" 200 "piraeus over https on $URL"

# --- no credentials: 401 -----------------------------------------------------
is "$(pcode "$URL/$PRIV/@v/list")" 401 "no credentials: 401"
like "$(tr -d '\r' <"$TRASH/h" | tr A-Z a-z)" '^www-authenticate: basic realm="piraeus"' \
    "401 carries WWW-Authenticate: Basic"
is "$(find "$P/s" -type f | wc -l | tr -d ' ')" 0 "nothing fetched for it"

# netrc NAME [PASSWORD]: NAME's netrc for the proxy (GOAUTH=netrc).
netrc()
{
	printf 'machine 127.0.0.1:%s\nlogin %s\npassword %s\n' "$PORT" "$1" \
	    "${2:-$(pw "$1")}" >"$TRASH/netrc.$1"
	chmod 600 "$TRASH/netrc.$1"
	echo "$TRASH/netrc.$1"
}
viaproxy()
{
	_who=$1
	shift
	app "$_who" GOPROXY="$URL" GOAUTH=netrc SSL_CERT_FILE="$P/cert.pem" \
	    GIT_CONFIG_GLOBAL=/dev/null GIT_ALLOW_PROTOCOL=none "$@"
}

: >"$TRASH/netrc.none"
viaproxy anon NETRC="$TRASH/netrc.none"
unlike "$(tail -n 1 "$TRASH/app.anon.log")" '^42$' \
    "go without credentials fails"
like "$(cat "$TRASH/app.anon.log")" '401 Unauthorized' \
    "go shows the proxy's 401"

# --- alice and bob: the module, fetched once ---------------------------------
viaproxy alice NETRC="$(netrc alice)"
like "$(tail -n 1 "$TRASH/app.alice.log")" '^42$' "alice: the app builds"
ok "alice: go.sum equals the direct download's" \
    cmp -s "$TRASH/app.alice/go.sum" "$TRASH/app.ref/go.sum"
is "$(pcode -u "alice:$(pw alice)" "$URL/$PRIV/@v/list")" 200 \
    "alice: @v/list 200"
is "$(pcode -u "alice:$(pw alice)" "$URL/$PRIV/@latest")" 200 \
    "alice: @latest 200"
# (list and @latest ask the repository again, as op: before bob.)
viaproxy bob NETRC="$(netrc bob)"
like "$(tail -n 1 "$TRASH/app.bob.log")" '^42$' "bob: the app builds"
ok "bob: go.sum equals the direct download's" \
    cmp -s "$TRASH/app.bob/go.sum" "$TRASH/app.ref/go.sum"

# --- carol (known to the git server, no access): 404 ------------------------
viaproxy carol NETRC="$(netrc carol)"
unlike "$(tail -n 1 "$TRASH/app.carol.log")" '^42$' "carol: go fails"
like "$(cat "$TRASH/app.carol.log")" '404 Not Found' \
    "carol: go shows the proxy's 404"
for x in info mod zip; do
	is "$(pcode -u "carol:$(pw carol)" "$URL/$PRIV/@v/v1.0.0.$x")" 404 \
	    "carol: stored v1.0.0.$x: 404"
done
is "$(pcode -u "carol:$(pw carol)" "$URL/$PRIV/@v/list")" 404 \
    "carol: @v/list 404"
is "$(pcode -u "alice:wrong" "$URL/$PRIV/@v/v1.0.0.info")" 404 \
    "a wrong password: 404"
unlike "$(cat "$TRASH/b")" 'wrong|127\.0\.0\.1' \
    "the 404 names neither the secret nor the repository"

# --- dave: revoked --------------------------------------------------------
t0=$(date +%s)
viaproxy dave NETRC="$(netrc dave)"
like "$(tail -n 1 "$TRASH/app.dave.log")" '^42$' "dave: the app builds"
users op alice bob carol
is "$(gcode -u "dave:$(pw dave)")" 401 "dave removed from the git server"
# dave's verdict was kept at his first request, after t0: it is fresh
# while less than TTL whole seconds have passed since t0 (one more for
# the clock's granularity).
code=$(pcode -u "dave:$(pw dave)" "$URL/$PRIV/@v/v1.0.0.info")
t1=$(date +%s)
if [ $((t1 - t0)) -lt $((TTL - 1)) ]; then
	is "$code" 200 "dave: still served within private_access_ttl"
else
	diag "slow machine: $((t1 - t0)) s since dave's first check"
	skip "dave: still served within private_access_ttl" "TTL passed"
fi
sleep $((TTL + 2 - ($(date +%s) - t1)))
is "$(pcode -u "dave:$(pw dave)" "$URL/$PRIV/@v/v1.0.0.info")" 404 \
    "dave: refused once the verdict expired"
viaproxy dave2 NETRC="$TRASH/netrc.dave"
like "$(cat "$TRASH/app.dave2.log")" '404 Not Found' \
    "dave: go shows the proxy's 404 after the revocation"
is "$(pcode -u "alice:$(pw alice)" "$URL/$PRIV/@v/v1.0.0.info")" 200 \
    "alice still served"

# --- GONOPROXY alone makes it private; http refused by default ---------------
stop_bg "$PIR_PID"
Q=$TRASH/piraeus2
mkdir -p "$Q/s" "$Q/t" "$Q/run"
sed -e "s|$P/|$Q/|g" -e '/^goprivate =/d' -e '/^private_access_http/d' \
    "$P/piraeus.ini" >"$Q/piraeus.ini"
sed -e "s|$P/run|$Q/run|g" -e "s|$P/s\"|$Q/s\"|" \
    -e "s|$P/piraeus.ini|$Q/piraeus.ini|" \
    -e 's|"HOME" => |"GONOPROXY" => "git.private.test", "HOME" => |' \
    "$P/lighttpd.conf" >"$Q/lighttpd.conf"
grep -q GONOPROXY "$Q/lighttpd.conf" || bail_out "second config"
start_bg "$TRASH/piraeus2.log" lighttpd -D -f "$Q/lighttpd.conf"
PIR_PID=$BG_PID
i=0
while [ "$(pcode "$URL/healthz")" != 200 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
n_alice=$(grep -c '^[^ ]* [^ ]* alice ' "$G/logs/access.log")
is "$(pcode "$URL/$PRIV/@v/list")" 401 \
    "GONOPROXY in the responder's environment: anonymous list 401"
is "$(find "$Q/s" -type f | wc -l | tr -d ' ')" 0 \
    "GONOPROXY: nothing fetched for the anonymous request"
code=$(pcode -u "alice:$(pw alice)" "$URL/$PRIV/@v/list")
ok "an http repository without private_access_http: 502/503 ($code)" \
    test "$code" = 503 -o "$code" = 502
like "$(cat "$TRASH/b")" 'not https' "the answer says the repository is not https"
is "$(grep -c '^[^ ]* [^ ]* alice ' "$G/logs/access.log")" "$n_alice" \
    "git was not run with alice's credentials"

# --- the git server's log, and the responders' -------------------------------
stop_bg "$PIR_PID"
stop_bg "$GIT_PID"
A=$G/logs/access.log
n_op=$(awk '$3 == "op" && /git-upload-pack/' "$A" | wc -l | tr -d ' ')
ok "op (piraeus' direct fetch) read the repository ($n_op requests)" \
    test "$n_op" -gt 0
is "$(awk '$3 == "bob" { seen = 1 } seen && $3 == "op"' "$A" | wc -l |
    tr -d ' ')" 0 "no fetch after bob's first request: one fetch, shared"
ok "bob's credentials were checked at the git server" \
    grep -q '^[^ ]* [^ ]* bob .*info/refs' "$A"
for u in alice bob carol dave; do
	# 1: searched and not found (2, a missing directory, fails).
	is "$(grep -rqF "$(pw "$u")" "$P/run" "$P/t" "$Q/run" "$Q/t"
	    echo $?)" 1 "$u's password is in no log of piraeus"
done
i=0
while kill -0 "-$PIR_PID" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
nok "nothing of piraeus' process group is left" kill -0 "-$PIR_PID"
is "$(grep -hE 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "$P/run/"*.log "$Q/run/"*.log 2>/dev/null | head -n 5)" "" \
    "no sanitizer report in the responders' logs"
done_testing

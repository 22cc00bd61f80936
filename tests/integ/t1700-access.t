#!/bin/sh
# t1700-access.t: who may fetch what -- the built-in [access] check with
# real lighttpd over https (a self-signed certificate made here) and the
# real go commands as clients.
#
# lighttpd sends EVERY request to the responder (fastcgi.server on "/",
# nothing served from a document root) and sends the files the responder
# names with X-Sendfile ([server] sendfile = x-sendfile): the deployment
# per-user rules need, so stored files are checked too.  The access file:
# alice (sha512crypt password and a bearer token) and bob (bcrypt
# password) in group team; dave (sha512crypt) in no group.  Rules:
# example.com/m and example.com/m/v2 for @team; example.com/pseudo is
# public.  Checked:
#   - go 1.26 with GOAUTH=netrc (NETRC file) as alice downloads a private
#     module; with a GOAUTH command printing a bearer token too
#   - as dave, the go command fails with the 404 and its reason; dave
#     gets the public module; curl as dave gets 404 for a stored zip
#     (no static bypass) and the same body for a module that does not
#     exist
#   - anonymous curl: 401 with WWW-Authenticate Basic and Bearer; a wrong
#     password or token: 401; /healthz open
#   - go 1.19 (Debian) sends .netrc credentials to the proxy (its
#     web.Get adds them for https): alice downloads
#   - check-config: an access file error names file:line and fails; rules
#     without every_request warn
#   - [access] anonymous = yes (the responder as CGI): public modules for
#     anonymous requests, private ones 404
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/access.sh"
need lighttpd go curl openssl zip perl
[ -f /usr/lib/lighttpd/mod_openssl.so ] || need lighttpd-mod-openssl
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY

S=$TRASH/storage
T=$TRASH/state
mkstore "$S"
mkdir -p "$T" "$TRASH/run" "$TRASH/docroot" "$TRASH/empty"

# Secrets, hashed as the README says.
H_ALICE=$(openssl passwd -6 alice-pw)
H_DAVE=$(openssl passwd -6 dave-pw)
if command -v htpasswd >/dev/null 2>&1; then
	H_BOB=$(htpasswd -nbB bob bob-pw | cut -d: -f2-)
else
	H_BOB=$(openssl passwd -6 bob-pw)
fi
TOKEN=tok-alice-$$-0123456789abcdef
D_TOKEN=$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
cat >"$TRASH/access" <<EOF
# users, groups, rules of t1700
user alice password $H_ALICE token sha256:$D_TOKEN
user bob password $H_BOB
user dave password $H_DAVE
group team alice bob
allow example.com/m,example.com/m/v2 @team
EOF
INI=$TRASH/piraeus.ini
access_ini "$INI" "$S" "$T"
cat >>"$INI" <<EOF
[sumdb]
verify = no
[access]
file = $TRASH/access
realm = t1700 proxy
EOF

# check-config: the file as it is; then its errors and the warning.
PIRAEUS_CONFIG=$INI "$PIRAEUS" check-config >"$TRASH/cc.out" 2>&1
ok $? "check-config accepts the [access] file" || diag_file "$TRASH/cc.out"
unlike "$(cat "$TRASH/cc.out")" 'warning' "no warning with every_request"
PIRAEUS_CONFIG=$INI PIRAEUS_SERVER_EVERY_REQUEST=no "$PIRAEUS" check-config \
    >"$TRASH/cc.out" 2>&1
ok $? "check-config without every_request still passes"
like "$(cat "$TRASH/cc.out")" 'warning: \[access\] file .* has rules.*bypass' \
    "check-config warns: rules without every_request"
printf 'user alice\ngroup team alice carol\n' >"$TRASH/bad-access"
PIRAEUS_CONFIG=$INI PIRAEUS_ACCESS_FILE=$TRASH/bad-access "$PIRAEUS" \
    check-config >"$TRASH/cc.out" 2>&1
is $? 1 "check-config fails on a bad access file"
like "$(cat "$TRASH/cc.out")" "bad-access:2: group team: unknown user carol" \
    "the error names the file and the line"
# A password where its hash belongs: the error quotes no more than the
# scheme.
printf 'user alice password $6$Hunter2-plain-pw\n' >"$TRASH/pw-access"
PIRAEUS_CONFIG=$INI PIRAEUS_ACCESS_FILE=$TRASH/pw-access "$PIRAEUS" \
    check-config >"$TRASH/cc.out" 2>&1
is $? 1 "check-config fails on a password in place of a hash"
unlike "$(cat "$TRASH/cc.out")" 'Hunter2' "and does not print it"
# [policy] private_access = vcs takes Basic credentials to git: with
# [access] passwords they would be checked twice.  Refused.
PIRAEUS_CONFIG=$INI PIRAEUS_POLICY_PRIVATE_ACCESS=vcs "$PIRAEUS" \
    check-config >"$TRASH/cc.out" 2>&1
is $? 1 "check-config refuses private_access = vcs with [access] passwords"
like "$(cat "$TRASH/cc.out")" '\[policy\] private_access: vcs takes the Basic credentials' \
    "and says why"
printf 'user tim token sha256:%s\nallow example.com/m tim\n' "$D_TOKEN" \
    >"$TRASH/tok-access"
PIRAEUS_CONFIG=$INI PIRAEUS_POLICY_PRIVATE_ACCESS=vcs \
    PIRAEUS_ACCESS_FILE=$TRASH/tok-access "$PIRAEUS" check-config \
    >"$TRASH/cc.out" 2>&1
ok $? "private_access = vcs with a tokens-only [access] file is fine" ||
    diag_file "$TRASH/cc.out"

# lighttpd over https, every request to the responder (tests/lib/access.sh).
access_serve_https "$S" "$INI"

# h PATH [CURL-ARGS...]: GET URL/PATH; CODE, headers in $TRASH/h, body in
# $TRASH/b.
h()
{
	_p=$1
	shift
	CODE=$(curl -q -sg --max-time 20 --cacert "$TRASH/cert.pem" \
	    -D "$TRASH/h" -o "$TRASH/b" -w '%{http_code}' --http1.1 "$@" \
	    "$URL$_p")
}
hdrs()
{
	tr -d '\r' <"$TRASH/h"
}

h /healthz
is "$CODE" 200 "/healthz is open without credentials"
h /example.com/pseudo/@v/list
is "$CODE" 401 "anonymous: 401 (anonymous = no)"
like "$(hdrs)" '^WWW-Authenticate: Basic realm="t1700 proxy", charset="UTF-8"$' \
    "401: a Basic challenge with the realm"
like "$(hdrs)" '^WWW-Authenticate: Bearer realm="t1700 proxy"$' \
    "401: a Bearer challenge"
like "$(cat "$TRASH/b")" '^unauthorized: credentials required' \
    "401: the body says what is missing"
h /example.com/m/@v/list -u alice:wrong
is "$CODE" 401 "a wrong password: 401"
like "$(cat "$TRASH/b")" 'wrong user name or password' "and says so"
h /example.com/m/@v/list -H "Authorization: Bearer nope"
is "$CODE" 401 "an unknown token: 401"
h /example.com/m/@v/list -H "Authorization: Basic !!!"
is "$CODE" 401 "malformed Basic credentials: 401"
h /example.com/m/@v/list -u alice:alice-pw
is "$CODE" 200 "alice (team) lists example.com/m"
like "$(cat "$TRASH/b")" '^v1\.0\.0$' "the list"
like "$(hdrs)" '^Cache-Control: private' \
    "a private module's answer is private to shared caches"
h /example.com/m/@v/v1.0.0.zip -u bob:bob-pw
is "$CODE" 200 "bob (team, bcrypt) gets the stored zip"
is_file "$TRASH/b" "$S/example.com/m/@v/v1.0.0.zip" "the stored bytes"
# Per-user answers: no shared cache keeps them; the client's own keeps
# an immutable file as long as ever.
like "$(hdrs)" '^Cache-Control: private, max-age=31536000, immutable$' \
    "a covered zip: private, immutable"
like "$(hdrs)" '^Vary: Authorization$' "a covered zip: Vary: Authorization"
h /example.com/pseudo/@v/list -u bob:bob-pw
is "$CODE" 200 "bob lists the public module"
like "$(hdrs)" '^Cache-Control: private, max-age=[0-9]*$' \
    "a module no rule covers, asked with credentials: private"
like "$(hdrs)" '^Vary: Authorization$' "and Vary: Authorization"
h /example.com/nothere/@v/list -u bob:bob-pw
is "$CODE" 404 "a module that is nowhere: 404"
like "$(hdrs)" '^Cache-Control: private, max-age=[0-9]*$' \
    "the 404 is private too"
like "$(hdrs)" '^Vary: Authorization$' "the 404 varies with Authorization"
h /example.com/m/@v/v1.0.0.zip -u dave:dave-pw
is "$CODE" 404 "dave: the stored zip is 404 (no static bypass)"
_hidden=$(sed 's/v1\.0\.0/VER/' "$TRASH/b")
like "$_hidden" 'not visible to dave' "the reason names the user"
h /example.com/m/@v/v1.9.9.zip -u dave:dave-pw
is "$CODE" 404 "dave: a version that does not exist is 404 too"
is "$(sed 's/v1\.9\.9/VER/' "$TRASH/b")" "$_hidden" \
    "the same body: existence is not revealed"
for _p in /example.com/m/@v/list /example.com/m/@latest \
    /example.com/m/@v/v1.0.0.info /example.com/m/@v/v1.0.0.mod \
    /example.com/m/v2/@v/list; do
	h "$_p" -u dave:dave-pw
	is "$CODE" 404 "dave: $_p is 404"
done
h /example.com/pseudo/@v/list -u dave:dave-pw
is "$CODE" 200 "dave gets the public module's list"
h /example.com/m/@v/v1.0.0.info -H "Authorization: Bearer $TOKEN"
is "$CODE" 200 "alice's bearer token: 200"

# The go commands.
GOMODS=$TRASH/gomods
mkdir -p "$GOMODS"
# gorun NAME GO VAR=VALUE... -- ARGS: $GO ARGS against the proxy, fresh
# module cache, the certificate trusted; output in $TRASH/NAME.out.
gorun()
{
	_name=$1 _go=$2
	shift 2
	(
		go_env_common
		GOPROXY=$URL GOSUMDB=off GOFLAGS=-modcacherw HOME=$TRASH/home
		GOMODCACHE=$GOMODS/$_name GOPATH=$TRASH/gopath
		SSL_CERT_FILE=$TRASH/cert.pem
		export GOPROXY GOSUMDB GOFLAGS HOME GOMODCACHE GOPATH \
		    SSL_CERT_FILE
		while [ "$1" != -- ]; do
			export "$1"
			shift
		done
		shift
		cd "$TRASH/empty" && "$_go" "$@"
	) >"$TRASH/$_name.out" 2>&1
}

if [ -x "$GO_CURRENT" ]; then
	printf 'machine 127.0.0.1:%s login alice password alice-pw\n' \
	    "$PORT" >"$TRASH/netrc.alice"
	gorun netrc "$GO_CURRENT" GOAUTH=netrc NETRC="$TRASH/netrc.alice" -- \
	    mod download -json example.com/m@v1.0.0
	ok $? "go (current), GOAUTH=netrc as alice: downloads example.com/m" ||
	    diag_file "$TRASH/netrc.out"
	like "$(cat "$TRASH/netrc.out")" '"Sum": "h1:' "and its sum"
	gorun netrc2 "$GO_CURRENT" GOAUTH=netrc NETRC="$TRASH/netrc.alice" -- \
	    list -m -versions example.com/m/v2
	like "$(cat "$TRASH/netrc2.out")" '^example.com/m/v2 v2\.0\.0$' \
	    "go list -m -versions as alice"

	cat >"$TRASH/goauth-token" <<EOF
#!/bin/sh
# A GOAUTH command: the bearer token for the proxy.
cat >/dev/null 2>&1 &
printf '%s\n\n%s\n\n' "$URL" "Authorization: Bearer $TOKEN"
EOF
	chmod +x "$TRASH/goauth-token"
	gorun token "$GO_CURRENT" GOAUTH="$TRASH/goauth-token" -- \
	    mod download -json example.com/m@v1.0.0
	ok $? "go (current), a GOAUTH command's bearer token: downloads" ||
	    diag_file "$TRASH/token.out"

	printf 'machine 127.0.0.1:%s login dave password dave-pw\n' \
	    "$PORT" >"$TRASH/netrc.dave"
	gorun dave "$GO_CURRENT" GOAUTH=netrc NETRC="$TRASH/netrc.dave" -- \
	    mod download -json example.com/m@v1.0.0
	isnt $? 0 "go (current) as dave: example.com/m is refused"
	like "$(cat "$TRASH/dave.out")" '404 Not Found' \
	    "the go command shows the 404"
	like "$(cat "$TRASH/dave.out")" 'not visible to dave' \
	    "and the reason"
	gorun davepub "$GO_CURRENT" GOAUTH=netrc NETRC="$TRASH/netrc.dave" -- \
	    mod download -json example.com/pseudo@v0.0.0-20200701000000-0123456789ab
	ok $? "go (current) as dave: the public module downloads" ||
	    diag_file "$TRASH/davepub.out"

	gorun anon "$GO_CURRENT" GOAUTH=off -- \
	    mod download -json example.com/pseudo@v0.0.0-20200701000000-0123456789ab
	isnt $? 0 "go (current), no credentials: refused"
	like "$(cat "$TRASH/anon.out")" '401 Unauthorized' \
	    "the go command shows the 401"
	like "$(cat "$TRASH/anon.out")" 'credentials required' "and why"
else
	skip "go (current) clients" "$GO_CURRENT missing"
fi

if [ -x "$GO_DEBIAN" ]; then
	# Go 1.19 matches a netrc machine by host name, without the port.
	printf 'machine 127.0.0.1 login alice password alice-pw\n' \
	    >"$TRASH/netrc.119"
	gorun go119 "$GO_DEBIAN" NETRC="$TRASH/netrc.119" -- \
	    mod download -json example.com/m@v1.0.0
	ok $? "go 1.19 with a .netrc as alice: downloads example.com/m" ||
	    diag_file "$TRASH/go119.out"
	printf 'machine 127.0.0.1 login dave password dave-pw\n' \
	    >"$TRASH/netrc.119d"
	gorun go119d "$GO_DEBIAN" NETRC="$TRASH/netrc.119d" -- \
	    mod download -json example.com/m@v1.0.0
	isnt $? 0 "go 1.19 as dave: refused"
	like "$(cat "$TRASH/go119d.out")" '404 Not Found' "with the 404"
else
	skip "go 1.19 client" "$GO_DEBIAN missing"
fi

stop_bg "$LPID"
unlike "$(cat "$TRASH"/run/*.log "$TRASH/lighttpd.log" 2>/dev/null)" \
    'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"

# anonymous = yes, the responder as CGI: public to anyone, private 404.
PIRAEUS_CONFIG=$INI
export PIRAEUS_CONFIG
cgi GET /example.com/pseudo/@v/list PIRAEUS_ACCESS_ANONYMOUS=yes \
    PIRAEUS_SERVER_SENDFILE=off
is "$STATUS" 200 "anonymous = yes: a public module for anonymous requests"
cgi GET /example.com/m/@v/list PIRAEUS_ACCESS_ANONYMOUS=yes
is "$STATUS" 404 "anonymous = yes: a private module is 404 to anonymous"
like "$(cat "$TRASH/body")" 'not visible to anonymous' "and says so"
cgi GET /example.com/m/@v/list PIRAEUS_ACCESS_ANONYMOUS=yes \
    HTTP_AUTHORIZATION="Basic $(printf alice:bad | base64)"
is "$STATUS" 401 "anonymous = yes: wrong credentials are still 401"
cgi GET /example.com/m/@v/list PIRAEUS_ACCESS_ANONYMOUS=yes \
    HTTP_AUTHORIZATION="Basic $(printf alice:alice-pw | base64)"
is "$STATUS" 200 "anonymous = yes: alice lists it"
# The web server's user, when trusted.
cgi GET /example.com/m/@v/list PIRAEUS_ACCESS_TRUST_REMOTE_USER=yes \
    REMOTE_USER=bob
is "$STATUS" 200 "trust_remote_user: REMOTE_USER bob (team) lists it"
cgi GET /example.com/m/@v/list PIRAEUS_ACCESS_TRUST_REMOTE_USER=yes \
    REMOTE_USER=dave
is "$STATUS" 404 "trust_remote_user: REMOTE_USER dave gets 404"
cgi GET /example.com/m/@v/list REMOTE_USER=bob
is "$STATUS" 401 "REMOTE_USER is ignored unless trusted"
done_testing

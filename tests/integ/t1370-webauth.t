#!/bin/sh
# t1370-webauth.t: basic authentication by the web server, over https only
# (contrib/<server>/piraeus-auth.conf through contrib/serve --https), for
# lighttpd, Apache and nginx in turn.  The test makes its own CA and a
# certificate for 127.0.0.1 with the openssl command, and an htpasswd file
# with one user per hash format the README names.  Per server:
#   - https: 401 with WWW-Authenticate without or with wrong credentials,
#     for static hits, responder answers and /sumdb/ alike; 200 with the
#     right ones (each hash format); /healthz open;
#   - plain http: /healthz answered, everything else 403 with a text body,
#     never a 401 nor a WWW-Authenticate, credentials or not;
#   - the responder gets the authenticated user as REMOTE_USER (its debug
#     log line), and none for /healthz even when the client sends some;
#   - the real go commands (Debian's 1.19 and a current one) build the
#     fixture app through https with credentials from a netrc file
#     (GOAUTH=netrc for the current one), go.sum identical to the one from
#     GOPROXY=file://; with a wrong password they fail naming 401
#     Unauthorized; through plain http they fail with the 403 and its text.
# A server whose program is missing is skipped (failed under
# PIRAEUS_REQUIRE_INTEG=1).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
need go git curl openssl htpasswd
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY \
    NETRC SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE
HOME=$TRASH/home
mkdir -p "$HOME"
export HOME

# --- a CA, a certificate for 127.0.0.1, users ----------------------------

T=$TRASH/tls
mkdir -p "$T"
{
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -keyout "$T/ca.key" -out "$T/ca.pem" -subj /CN=piraeus-test-ca \
	    -addext basicConstraints=critical,CA:true \
	    -addext keyUsage=critical,keyCertSign &&
	openssl req -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
	    -out "$T/req.pem" -subj /CN=127.0.0.1 &&
	printf '%s\n' 'subjectAltName=IP:127.0.0.1' \
	    'basicConstraints=CA:false' 'extendedKeyUsage=serverAuth' \
	    >"$T/ext" &&
	openssl x509 -req -in "$T/req.pem" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
	    -CAcreateserial -days 2 -extfile "$T/ext" -out "$T/cert.pem"
} >"$T/openssl.log" 2>&1
ok $? "a CA and a certificate for 127.0.0.1 made with openssl" ||
    { diag_file "$T/openssl.log"; done_testing; }

# One user per hash format: the README says all three servers take them.
PW=$TRASH/htpasswd
{
	htpasswd -nbB alice alice-pw | grep .
	printf 'apr:%s\n' "$(openssl passwd -apr1 apr-pw)"
	printf 'sha512:%s\n' "$(openssl passwd -6 sha512-pw)"
	htpasswd -nbs sha1 sha1-pw | grep .
} >"$PW" 2>"$TRASH/htpasswd.log"
like "$(cat "$PW")" '^alice:\$2y\$' "htpasswd -B: a bcrypt hash"
like "$(cat "$PW")" '^apr:\$apr1\$' "openssl passwd -apr1: an apr1 hash"
like "$(cat "$PW")" '^sha512:\$6\$' "openssl passwd -6: a SHA-512 crypt hash"
like "$(cat "$PW")" '^sha1:\{SHA\}' "htpasswd -s: a {SHA} hash"

# The modules contrib/lighttpd/piraeus-auth.conf lists again (":=") are
# those of piraeus.conf and its own three.
_mods()
{
	sed -n '/^server\.modules/,/)/p' "$1" | grep -o '"mod_[a-z_]*"' |
	    tr -d '"' | sort
}
is "$(_mods "$top_srcdir/contrib/lighttpd/piraeus-auth.conf")" \
    "$( (_mods "$top_srcdir/contrib/lighttpd/piraeus.conf"
	printf '%s\n' mod_openssl mod_auth mod_authn_file) | sort)" \
    "lighttpd piraeus-auth.conf lists the modules of piraeus.conf"

# --- fixtures and storage -------------------------------------------------

FX=$TRASH/fx
REF=$FX/modcache/cache/download
mkdir -p "$TRASH/empty"
make_fixtures "$FX" >"$TRASH/fixtures.log" 2>&1
ok $? "fixtures made offline with the go command" ||
    { diag_file "$TRASH/fixtures.log"; done_testing; }
# ref_build: the app built by $GO against GOPROXY=file://, the reference.
ref_build()
{
	fixture_build_app "$FX" "ref.$GOTAG" "file://$REF"
	ok $? "go build of the app through file:// [$GOTAG]" ||
	    diag_file "$TRASH/build.ref.$GOTAG.log"
}
for_each_go ref_build

# web CURL-ARGS...: curl trusting the test CA; sets CODE, writes the
# headers to $TRASH/h and the body to $TRASH/b.
web()
{
	rm -f "$TRASH/h" "$TRASH/b"
	CODE=$(curl -q -sg --max-time 20 --cacert "$T/ca.pem" -D "$TRASH/h" \
	    -o "$TRASH/b" -w '%{http_code}' "$@")
}

# hdr NAME: the value of header NAME of the last web call, or "".
hdr()
{
	tr -d '\r' <"$TRASH/h" | awk -v n="$1" 'index($0, ":") > 0 {
	    k = tolower(substr($0, 1, index($0, ":") - 1))
	    if (k == tolower(n)) { v = substr($0, index($0, ":") + 1)
		sub(/^[ \t]*/, "", v); val = v } } END { print val }'
}

# go_build NAME PROXY NETRC: fixture_build_app with the go command $GO
# through PROXY, credentials from NETRC, the test CA trusted.
go_build()
{
	fixture_build_app "$FX" "$1" "$2" GOAUTH=netrc "NETRC=$3" \
	    "SSL_CERT_FILE=$T/ca.pem" "HOME=$HOME"
}

# go_list PROXY NETRC MODULE: go list -m -versions (an @v/list: the
# responder) through PROXY; stdout+stderr.
go_list()
{
	(
		go_env_proxy "$1" "$TRASH/mc.list" || exit 1
		GOAUTH=netrc NETRC=$2 SSL_CERT_FILE=$T/ca.pem
		export GOAUTH NETRC SSL_CERT_FILE
		cd "$TRASH/empty" && "$GO" list -m -versions "$3"
	) 2>&1
}

# server_go: the go checks of one server, for $GO (for_each_go).
server_go()
{
	_t=" [$SRV, $GOTAG]"
	_n=$SRV.$GOTAG
	go_build "ok.$_n" "$HTTPS" "$NETRC_OK"
	ok $? "go build through https with credentials$_t" ||
	    diag_file "$TRASH/build.ok.$_n.log"
	is_file "$TRASH/app.ok.$_n/go.sum" "$TRASH/app.ref.$GOTAG/go.sum" \
	    "go.sum identical to GOPROXY=file://$_t"
	is "$(cat "$TRASH/app.ok.$_n/app.out" 2>/dev/null)" \
	    "$(fixture_app_output)" "the app runs$_t"
	is "$(go_list "$HTTPS" "$NETRC_OK" github.com/fixture/multi)" \
	    "$(go_list "file://$REF" /dev/null github.com/fixture/multi)" \
	    "go list -m -versions (the responder) as through file://$_t"

	go_build "bad.$_n" "$HTTPS" "$NETRC_BAD"
	nok "go build with a wrong password fails$_t" test $? = 0
	like "$(cat "$TRASH/build.bad.$_n.log")" '401 Unauthorized' \
	    "the go command says 401 Unauthorized$_t"

	go_build "http.$_n" "$HTTP" "$NETRC_OK"
	nok "go build through plain http fails$_t" test $? = 0
	_o=$(cat "$TRASH/build.http.$_n.log")
	like "$_o" '403 Forbidden' "the go command says 403 Forbidden$_t"
	like "$_o" 'server response: piraeus: .*https only' \
	    "and shows the server's reason$_t"
	unlike "$_o" '401' "plain http never answers 401$_t"

	# The netrc "machine" the README gives: the host alone for go before
	# 1.24, host:port from 1.24 on (GOAUTH=netrc matches URL prefixes).
	[ "$SRV" = lighttpd ] || return 0
	_minor=${GOTAG#go1.}
	_minor=${_minor%%.*}
	grep -v ":$TPORT " "$NETRC_OK" >"$TRASH/netrc.host"
	grep ":$TPORT " "$NETRC_OK" >"$TRASH/netrc.port"
	if [ "$_minor" -ge 24 ]; then
		_bad=$TRASH/netrc.host _good=$TRASH/netrc.port
	else
		_bad=$TRASH/netrc.port _good=$TRASH/netrc.host
	fi
	like "$(go_list "$HTTPS" "$_bad" github.com/fixture/multi)" \
	    '401 Unauthorized' "netrc: $(cut -d' ' -f2 "$_bad") is not for$_t"
	like "$(go_list "$HTTPS" "$_good" github.com/fixture/multi)" \
	    '^github\.com/fixture/multi v1' \
	    "netrc: $(cut -d' ' -f2 "$_good") is$_t"
}

# server_check SERVER: everything for one front server.
server_check()
{
	SRV=$1
	S=$TRASH/$SRV/storage
	ST=$TRASH/$SRV/state
	INI=$TRASH/$SRV/piraeus.ini
	mkdir -p "$S" "$ST"
	cp -R "$REF/." "$S/"
	printf '[storage]\nroot = %s\n[state]\ndir = %s\n[server]\nlog_level = debug\n' \
	    "$S" "$ST" >"$INI"
	PIRAEUS_CONFIG=$INI "$PIRAEUS" reindex >"$TRASH/$SRV/reindex.log" 2>&1
	ok $? "piraeus reindex [$SRV]" || diag_file "$TRASH/$SRV/reindex.log"

	PORT=$(free_port) && TPORT=$(free_port) || bail_out "no free port"
	start_bg "$TRASH/$SRV/serve.log" "$top_srcdir/contrib/serve" \
	    --server "$SRV" --port "$PORT" --storage "$S" --state "$ST" \
	    --fcgi "$PIRAEUS_FCGI" --config "$INI" --procs 2 \
	    --https "$TPORT" --cert "$T/cert.pem" --key "$T/key.pem" \
	    --htpasswd "$PW"
	SERVE_PID=$BG_PID
	if ! wait_line "$TRASH/$SRV/serve.log" \
	    "serving on https://127\.0\.0\.1:$TPORT/" 60 "$SERVE_PID"; then
		fail "contrib/serve --server $SRV --https is up"
		diag_file "$TRASH/$SRV/serve.log"
		return 0
	fi
	pass "contrib/serve --server $SRV --https is up"
	HTTP=http://127.0.0.1:$PORT
	HTTPS=https://127.0.0.1:$TPORT
	RLOG=$ST/run/responder.log
	printf 'machine 127.0.0.1 login alice password alice-pw\n' >"$NETRC_OK"
	printf 'machine 127.0.0.1:%s login alice password alice-pw\n' \
	    "$TPORT" >>"$NETRC_OK"
	sed 's/alice-pw$/wrong-pw/' "$NETRC_OK" >"$NETRC_BAD"

	_mod=github.com/fixture/multi/@v/v1.1.0.mod
	for _p in "/$_mod" /github.com/fixture/multi/@v/list \
	    /sumdb/sum.golang.org/supported /; do
		web "$HTTPS$_p"
		is "$CODE" 401 "https GET $_p without credentials: 401 [$SRV]"
		like "$(hdr WWW-Authenticate)" '^Basic realm="piraeus"' \
		    "with WWW-Authenticate: Basic [$SRV]"
		web -u alice:wrong-pw "$HTTPS$_p"
		is "$CODE" 401 "https GET $_p, wrong password: 401 [$SRV]"
		web -u alice:alice-pw "$HTTP$_p"
		is "$CODE" 403 "http GET $_p with credentials: 403 [$SRV]"
		is "$(hdr WWW-Authenticate)" "" "no WWW-Authenticate [$SRV]"
		like "$(cat "$TRASH/b")" '^piraeus: .*https only' \
		    "the body says why [$SRV]"
		like "$(hdr Content-Type)" '^text/plain' "as text/plain [$SRV]"
		web "$HTTP$_p"
		is "$CODE" 403 "http GET $_p without credentials: 403 [$SRV]"
		is "$(hdr WWW-Authenticate)" "" "no WWW-Authenticate [$SRV]"
	done
	web -u alice:alice-pw "$HTTPS/$_mod"
	is "$CODE" 200 "https GET a static hit with credentials: 200 [$SRV]"
	is_file "$TRASH/b" "$REF/$_mod" "its bytes [$SRV]"
	web -u alice:alice-pw "$HTTPS/github.com/fixture/multi/@v/list"
	is "$CODE" 200 "https GET @v/list with credentials: 200 [$SRV]"
	web -u alice:alice-pw "$HTTPS/sumdb/sum.golang.org/supported"
	isnt "$CODE" 401 "/sumdb/ with credentials: to the responder [$SRV]"
	for _u in apr sha512 sha1; do
		web -u "$_u:$_u-pw" "$HTTPS/"
		is "$CODE" 200 "user $_u ($_u hash): 200 [$SRV]"
		web -u "$_u:alice-pw" "$HTTPS/"
		is "$CODE" 401 "user $_u, wrong password: 401 [$SRV]"
	done
	web "$HTTPS/healthz"
	is "$CODE" 200 "https /healthz without credentials: 200 [$SRV]"
	web "$HTTP/healthz"
	is "$CODE" 200 "http /healthz: 200 [$SRV]"
	web -u mallory:any "$HTTPS/healthz?x"
	is "$CODE" 200 "https /healthz with made-up credentials: 200 [$SRV]"

	# REMOTE_USER: what the responder was given.
	like "$(cat "$RLOG")" '^piraeus\.fcgi\[[0-9]+\]: request /github\.com/fixture/multi/@v/list user alice$' \
	    "the responder got REMOTE_USER=alice for @v/list [$SRV]"
	like "$(cat "$RLOG")" 'request /sumdb/sum\.golang\.org/supported user alice$' \
	    "and for /sumdb/ [$SRV]"
	like "$(cat "$RLOG")" 'request / user sha512$' \
	    "and the user of each format (sha512) [$SRV]"
	like "$(cat "$RLOG")" 'request /healthz user -$' \
	    "/healthz: no REMOTE_USER [$SRV]"
	unlike "$(cat "$RLOG")" 'user mallory' \
	    "made-up credentials never reach the responder as a user [$SRV]"
	unlike "$(cat "$RLOG")" 'request /github\.com/fixture/multi/@v/list user -$' \
	    "no @v/list reached the responder unauthenticated [$SRV]"

	for_each_go server_go
	like "$(cat "$RLOG")" 'request /github\.com/fixture/multi/@v/list user alice$' \
	    "the go command's requests reached the responder as alice [$SRV]"

	stop_bg "$SERVE_PID"
	nok "nothing listens on $TPORT any more [$SRV]" port_in_use "$TPORT"
	unlike "$(cat "$TRASH/$SRV"/*.log "$ST"/run/*.log 2>/dev/null)" \
	    'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "no sanitizer report [$SRV]"
	if [ "$_tl_failed" -ne 0 ]; then
		diag_file "$TRASH/$SRV/serve.log"
		diag_file "$ST/run/error.log"
	fi
}

# missing WHAT: a server's part cannot run.
missing()
{
	if [ "${PIRAEUS_REQUIRE_INTEG:-0}" = 1 ]; then
		fail "$WHAT is installed (PIRAEUS_REQUIRE_INTEG=1): $1"
	else
		skip "$WHAT" "$1 missing"
	fi
}

NETRC_OK=$TRASH/netrc.ok
NETRC_BAD=$TRASH/netrc.bad
MODS=${APACHE_MODULE_DIR:-/usr/lib/apache2/modules}
for SRV in lighttpd apache nginx; do
	WHAT="basic authentication by $SRV"
	case $SRV in
	lighttpd)
		command -v lighttpd >/dev/null || { missing lighttpd; continue; }
		[ -f /usr/lib/lighttpd/mod_openssl.so ] ||
		    { missing "lighttpd mod_openssl"; continue; } ;;
	apache)
		command -v apache2 >/dev/null || { missing apache2; continue; }
		command -v spawn-fcgi >/dev/null ||
		    { missing spawn-fcgi; continue; }
		[ -f "$MODS/mod_ssl.so" ] || { missing mod_ssl.so; continue; } ;;
	nginx)
		command -v nginx >/dev/null || { missing nginx; continue; }
		command -v spawn-fcgi >/dev/null ||
		    { missing spawn-fcgi; continue; } ;;
	esac
	server_check "$SRV"
done

done_testing

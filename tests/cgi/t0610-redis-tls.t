#!/bin/sh
# t0610-redis-tls.t: [singleflight] redis = rediss://... against a real
# redis-server with TLS (tests/lib/redis.sh: a CA, server and client
# certificates made here with openssl; tls-auth-clients yes).
#
#   - test_lock_redis's live part (lease, owner-only renew and release,
#     waiter woken by the release's PUBLISH, reconnect, lock.c over it)
#     over rediss:// instead of redis://;
#   - renewed client files (replaced by mv) used by a long-lived process
#     from its next connection on: an untrusted CA's refused, then a
#     renewed trusted one accepted, without a restart;
#   - check-config: accepted with the CA and the client certificate, by
#     address and by name (SNI, DNS:localhost), by an IPv6 literal
#     ([::1], when lo has it), with a password over TLS;
#   - refused with a clear error: a CA that did not sign the server's
#     certificate, no client certificate, a certificate without the name
#     or address dialed, a name in the CN only (no subjectAltName),
#     rediss:// to a plain port and redis:// to a TLS
#     port (both within the connect timeout, no hang);
#   - the redis_tls_* keys checked at load (missing file, cert without
#     key, a key that is not the certificate's, a CA file that is no PEM,
#     an encrypted key: refused at once, no passphrase prompt, also on a
#     tty, the keys with a plain redis://);
#   - a responder with a wrong CA: 503 naming the TLS failure with
#     on_redis_down = fail, and served (this host's sqlite lock) with
#     on_redis_down = local.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/redis.sh"
need redis-server redis-cli openssl zip perl

C=$TRASH/certs
redis_tls_certs "$C" || bail_out "cannot make the test certificates"
redis_tls_start tls "$C"
TLS=$REDIS_TLS_PORT
PLAIN=$REDIS_PORT
pass "redis on 127.0.0.1: plain $PLAIN, TLS $TLS (tls-auth-clients yes)"

B=$top_builddir
if PIRAEUS_TEST_REDIS=rediss://127.0.0.1:$TLS \
    PIRAEUS_TEST_REDIS_CLI_PORT=$PLAIN PIRAEUS_TEST_TLS_CA=$C/ca.crt \
    PIRAEUS_TEST_TLS_CERT=$C/client.crt PIRAEUS_TEST_TLS_KEY=$C/client.key \
    "$B/tests/unit/test_lock_redis" >"$TRASH/unit.out" 2>&1; then
	pass "test_lock_redis's live part over rediss://127.0.0.1:$TLS"
else
	fail "test_lock_redis's live part over rediss://127.0.0.1:$TLS"
	diag_file "$TRASH/unit.out"
fi
like "$(cat "$TRASH/unit.out")" 'ok [0-9]+ - the waiter is woken by the release' \
    "the live part ran (the pub/sub wake-up over TLS)"
like "$(cat "$TRASH/unit.out")" 'ok [0-9]+ - another token cannot release it' \
    "(owner-only release over TLS)"
like "$(cat "$TRASH/unit.out")" 'ok [0-9]+ - lock_release deletes it' \
    "(lock.c's interface over TLS)"
unlike "$(cat "$TRASH/unit.out")" '(^|[^#] )not ok' "no check failed"

# Renewed files under a long-lived process: picked up at the next
# connection (test_lock_redis with PIRAEUS_TEST_TLS_RELOAD: the files
# replaced by mv, the server's clients killed, same process throughout).
R=$TRASH/reload
mkdir -p "$R" && cp "$C/ca.crt" "$R/ca.crt" &&
    cp "$C/client.crt" "$R/client.crt" && cp "$C/client.key" "$R/client.key" &&
    cp "$C/otherclient.crt" "$R/bad.crt" && cp "$C/otherclient.key" "$R/bad.key" &&
    cp "$C/client2.crt" "$R/new.crt" && cp "$C/client2.key" "$R/new.key" ||
    bail_out "cannot copy the certificates"
if PIRAEUS_TEST_REDIS=rediss://127.0.0.1:$TLS PIRAEUS_TEST_TLS_RELOAD=$R \
    PIRAEUS_TEST_REDIS_CLI_PORT=$PLAIN \
    "$B/tests/unit/test_lock_redis" >"$TRASH/reload.out" 2>&1; then
	pass "renewed client files are used from the next connection on"
else
	fail "renewed client files are used from the next connection on"
	diag_file "$TRASH/reload.out"
fi
ok "(an untrusted CA's certificate: the next connection refused)" \
    grep -q '^ok [0-9]* - reload: on the client certificate' "$TRASH/reload.out"
ok "(a renewed trusted one: accepted again without a restart)" \
    grep -q '^ok [0-9]* - reload: the next lease works, same process' \
    "$TRASH/reload.out"

mkdir -p "$TRASH/s" "$TRASH/t"
# ini LINES: $TRASH/p.ini with [singleflight] backend = $BACKEND (redis
# unless set) and LINES.
BACKEND=redis
ini()
{
	cat >"$TRASH/p.ini" <<INI
[storage]
root = $TRASH/s
[state]
dir = $TRASH/t
[singleflight]
backend = $BACKEND
$1
INI
}
# tlsini URL [CA]: ini with redis = URL (none when empty), the client's
# certificate and key, and the CA CA (ca).
tlsini()
{
	ini "${1:+redis = $1
}redis_tls_ca = $C/${2:-ca}.crt
redis_tls_cert = $C/client.crt
redis_tls_key = $C/client.key"
}
# check SPEC: check-config on $TRASH/p.ini; sets RC, OUT, MS.
check()
{
	_t0=$(date +%s%N)
	PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" check-config >"$TRASH/out" 2>&1
	RC=$?
	_t1=$(date +%s%N)
	MS=$(( (_t1 - _t0) / 1000000 ))
	OUT=$(cat "$TRASH/out")
}

tlsini "rediss://127.0.0.1:$TLS/2"
check
is "$RC" 0 "check-config: rediss:// with the CA and a client certificate"
like "$OUT" 'singleflight: redis answers \(over TLS\)' "and redis answered over TLS"
tlsini "rediss://localhost:$TLS"
check
is "$RC" 0 "rediss://localhost: the certificate's DNS name (SNI, name check)"
[ "$RC" = 0 ] || diag "$OUT"

# An IPv6 literal: rediss://[::1]:PORT, the address checked against the
# certificate's IP names (IP:::1), when this host has ::1.
if ip -6 addr show lo 2>/dev/null | grep -q 'inet6 ::1/'; then
	redis_tls_start v6 "$C" server "bind 127.0.0.1 ::1"
	V6=$REDIS_TLS_PORT
	REDIS_PORT=$PLAIN
	tlsini "rediss://[::1]:$V6"
	check
	is "$RC" 0 "rediss://[::1]: an IPv6 literal, checked against IP:::1"
	[ "$RC" = 0 ] || diag "$OUT"
	tlsini "rediss://[::1]:$V6/1"
	sed -i "s|^redis_tls_ca = .*|redis_tls_ca = $C/other.crt|" "$TRASH/p.ini"
	check
	like "$OUT" "redis ::1:$V6: TLS handshake: the server's certificate" \
	    "(and a wrong CA refused over IPv6 too, naming ::1)"
else
	skip "rediss://[::1]" "no ::1 on lo"
	skip "rediss://[::1] with a wrong CA" "no ::1 on lo"
fi

# A password over TLS.
redis_cli CONFIG SET requirepass 's3cr%t' >/dev/null
REDIS_AUTH='s3cr%t'
tlsini "rediss://:s3cr%25t@127.0.0.1:$TLS"
check
is "$RC" 0 "a password over TLS (AUTH on the TLS connection)"
tlsini "rediss://:wrong@127.0.0.1:$TLS"
check
isnt "$RC" 0 "a wrong password over TLS is refused"
like "$OUT" "redis 127\\.0\\.0\\.1:$TLS: AUTH: WRONGPASS" "naming AUTH"
redis_cli CONFIG SET requirepass '' >/dev/null
REDIS_AUTH=

# Refused, each with a clear error.
tlsini "rediss://127.0.0.1:$TLS" other
check
isnt "$RC" 0 "a CA that did not sign the server's certificate: refused"
like "$OUT" "redis 127\\.0\\.0\\.1:$TLS: TLS handshake: the server's certificate: (unable to get local issuer certificate|self.signed)" \
    "saying the server's certificate did not verify"
ini "redis = rediss://127.0.0.1:$TLS
redis_tls_ca = $C/ca.crt"
check
isnt "$RC" 0 "no client certificate, the server wants one: refused"
like "$OUT" "redis 127\\.0\\.0\\.1:$TLS: .*certificate required \\(the server wants a client certificate: \\[singleflight\\] redis_tls_cert and redis_tls_key\\)" \
    "saying a client certificate is required, and which keys give one"
like "$OUT" 'PING' "(found at the first command: TLS 1.3 asks after the handshake)"

redis_tls_start wrongname "$C" wrongname
WRONG=$REDIS_TLS_PORT
REDIS_PORT=$PLAIN
tlsini "rediss://127.0.0.1:$WRONG"
check
isnt "$RC" 0 "a certificate without the address dialed: refused"
like "$OUT" "TLS handshake: the server's certificate: IP address mismatch" \
    "saying the address does not match"
tlsini "rediss://localhost:$WRONG"
check
isnt "$RC" 0 "a certificate without the name dialed: refused"
like "$OUT" "TLS handshake: the server's certificate: hostname mismatch" \
    "saying the name does not match"

# A name only in the certificate's CN (no subjectAltName): refused, as
# Go's crypto/tls and browsers do.
redis_tls_start nosan "$C" nosan
NOSAN=$REDIS_TLS_PORT
REDIS_PORT=$PLAIN
tlsini "rediss://localhost:$NOSAN"
check
isnt "$RC" 0 "CN=localhost without subjectAltName: refused for rediss://localhost"
like "$OUT" "redis localhost:$NOSAN: TLS handshake: the server's certificate: hostname mismatch \\(the name must be in the certificate's subjectAltName: its CN is not looked at\\)" \
    "saying the name must be in subjectAltName"

tlsini "rediss://127.0.0.1:$PLAIN"
check
isnt "$RC" 0 "rediss:// to a plain port: refused"
like "$OUT" "redis 127\\.0\\.0\\.1:$PLAIN: TLS handshake: .*(is it a TLS port\\?|not a TLS port)" \
    "saying it may not be a TLS port"
ok "within the connect timeout, no hang (${MS} ms; 2 s timeout)" \
    test "$MS" -lt 6000
ini "redis = redis://127.0.0.1:$TLS"
check
isnt "$RC" 0 "redis:// to a TLS port: refused"
like "$OUT" "redis 127\\.0\\.0\\.1:$TLS: PING: .*(closed by the server|reset by peer) \\(a TLS port\\? use rediss://\\)" \
    "saying the server dropped the connection, and that it may be a TLS port"
ok "at once, no hang (${MS} ms)" test "$MS" -lt 6000

# The files, checked at load (no connection needed).
tlsini "rediss://127.0.0.1:$TLS"
sed -i "s|^redis_tls_key = .*|redis_tls_key = $C/server.key|" "$TRASH/p.ini"
check
isnt "$RC" 0 "a key that is not the certificate's: a configuration error"
like "$OUT" "p\\.ini: \\[singleflight\\] redis_tls_key: redis_tls_key $C/server\\.key is not the key of redis_tls_cert $C/client\\.crt" \
    "naming the file, the key and the certificate"
unlike "$OUT" 'redis answers' "and redis is not asked"
tlsini "rediss://127.0.0.1:$TLS"
sed -i '/^redis_tls_key = /d' "$TRASH/p.ini"
check
isnt "$RC" 0 "redis_tls_cert without redis_tls_key: refused"
like "$OUT" '\[singleflight\] redis_tls_cert: redis_tls_cert and redis_tls_key go together .*redis_tls_key is missing' \
    "saying the key is missing"
tlsini "rediss://127.0.0.1:$TLS"
sed -i "s|^redis_tls_cert = .*|redis_tls_cert = $C/nosuch.crt|" "$TRASH/p.ini"
check
isnt "$RC" 0 "a certificate file that does not exist: refused"
like "$OUT" "\\[singleflight\\] redis_tls_cert: $C/nosuch\\.crt: No such file or directory" \
    "naming the key and the file"
printf 'not a certificate\n' >"$TRASH/junk.pem"
tlsini "rediss://127.0.0.1:$TLS"
sed -i "s|^redis_tls_ca = .*|redis_tls_ca = $TRASH/junk.pem|" "$TRASH/p.ini"
check
isnt "$RC" 0 "a CA file that holds no certificate: refused"
like "$OUT" "\\[singleflight\\] redis_tls_ca: redis_tls_ca $TRASH/junk\\.pem: .*\\(a PEM file of CA certificates\\)" \
    "naming the key and the file"
# An encrypted client key: refused at once, never a passphrase prompt
# (OpenSSL's own asks on the terminal: check-config would hang under a
# tty, a responder started from a shell could block).
openssl pkey -in "$C/client.key" -aes256 -passout pass:x \
    -out "$TRASH/enc.key" 2>>"$C/openssl.log" || bail_out "openssl pkey"
tlsini "rediss://127.0.0.1:$TLS"
sed -i "s|^redis_tls_key = .*|redis_tls_key = $TRASH/enc.key|" "$TRASH/p.ini"
PIRAEUS_CONFIG=$TRASH/p.ini timeout 10 "$PIRAEUS" check-config \
    </dev/null >"$TRASH/out" 2>&1
RC=$?
OUT=$(cat "$TRASH/out")
isnt "$RC" 0 "an encrypted redis_tls_key: refused"
isnt "$RC" 124 "at once (not killed by timeout 10)"
like "$OUT" "redis_tls_key $TRASH/enc\\.key: the key is encrypted \\(a passphrase is not supported: store it decrypted, mode 0600\\)" \
    "saying the key is encrypted and what to do"
unlike "$OUT" 'Enter PEM pass phrase' "no passphrase prompt"
if command -v script >/dev/null 2>&1; then
	# The same on a terminal (script: a pty as controlling tty).
	PIRAEUS_CONFIG=$TRASH/p.ini timeout 10 script -qec \
	    "'$PIRAEUS' check-config" /dev/null </dev/null >"$TRASH/out" 2>&1
	RC=$?
	OUT=$(cat "$TRASH/out")
	isnt "$RC" 0 "under a tty: refused"
	isnt "$RC" 124 "at once, no prompt waited on (not killed by timeout 10)"
	like "$OUT" 'the key is encrypted \(a passphrase is not supported' \
	    "with the same message"
	unlike "$OUT" 'Enter PEM pass phrase' "no passphrase prompt on the tty"
else
	for _i in 1 2 3 4; do
		skip "the tty case" "no script(1)"
	done
fi
tlsini "redis://127.0.0.1:$PLAIN"
check
isnt "$RC" 0 "the redis_tls_* keys with a plain redis://: refused"
like "$OUT" '\[singleflight\] redis: redis_tls_ca, redis_tls_cert and redis_tls_key are for a rediss:// redis' \
    "saying they would go unused"
BACKEND=sqlite
tlsini ""
BACKEND=redis
check
isnt "$RC" 0 "the redis_tls_* keys without any redis: refused"
like "$OUT" 'redis_tls_key are for a rediss:// redis \(TLS\): they need \[singleflight\] redis = rediss://\.\.\., which is not set' \
    "saying they need [singleflight] redis = rediss://..."
unlike "$OUT" 'plain TCP' "(not that a redis unset is plain TCP)"
ini "redis = sentinel://127.0.0.1:1/m
redis_tls_ca = $C/ca.crt"
check
like "$OUT" 'sentinel:// is plain TCP only' "sentinel:// with redis_tls_ca: refused, saying it is plain TCP"

# A responder whose CA is wrong: 503 naming the failure, or, with
# on_redis_down = local, served under this host's sqlite lock.
M=example.com/tls
UP=$TRASH/up
mkver "$UP" $M v1.0.0 v1.0.0 2020-01-01T00:00:00Z "module $M
" $M go.mod="module $M" p.go="package p" || bail_out "mkver"
mkdir -p "$TRASH/rs" "$TRASH/rt"
rini()
{
	cat >"$TRASH/r.ini" <<INI
[storage]
root = $TRASH/rs
[state]
dir = $TRASH/rt
[upstream]
goproxy = file://$UP
[sumdb]
verify = no
[singleflight]
backend = redis
redis = rediss://127.0.0.1:$TLS
redis_tls_ca = $C/$1.crt
redis_tls_cert = $C/client.crt
redis_tls_key = $C/client.key
on_redis_down = $2
INI
}
rini other fail
: >"$TRASH/stderr"
cgi GET "/$M/@v/v1.0.0.mod" PIRAEUS_CONFIG="$TRASH/r.ini"
is "$STATUS" 503 "wrong CA, on_redis_down = fail: 503"
like "$(cat "$TRASH/stderr" "$TRASH/body")" 'TLS handshake: the server.s certificate' \
    "naming the TLS failure"
ok "nothing stored" test ! -e "$TRASH/rs/$M/@v/v1.0.0.mod"
rini other local
: >"$TRASH/stderr"
cgi GET "/$M/@v/v1.0.0.mod" PIRAEUS_CONFIG="$TRASH/r.ini"
is "$STATUS" 200 "wrong CA, on_redis_down = local: served (this host's lock)"
is "$(cat "$TRASH/body")" "module $M" "the module's go.mod"
like "$(cat "$TRASH/stderr")" 'TLS handshake' "and the TLS failure is logged"
rini ca fail
: >"$TRASH/stderr"
cgi GET "/$M/@v/v1.0.0.info" PIRAEUS_CONFIG="$TRASH/r.ini"
is "$STATUS" 200 "the right CA, on_redis_down = fail: served under the redis lease"
is "$(redis_cli KEYS 'piraeus:lock:*')" "" "and the lease released"
unlike "$(cat "$TRASH/stderr")" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report"
done_testing

#!/bin/sh
# t1460-goproxy-config.t: one GOPROXY parser.  For a table of [upstream]
# goproxy values, `piraeus check-config` and the responder (a request as
# CGI) give the same verdict: what check-config passes is served, what it
# refuses (with a message naming the key) is a 500 "misconfigured", never
# "configuration OK" and then 500 on every request.  Where the go command
# sends credentials (https://user:password@host), piraeus's upstream
# requests carry the same Authorization header as the go command's own
# requests to that upstream (the fake upstream logs it).
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
need perl zip

GO=${GO:-/usr/local/go/bin/go}
[ -x "$GO" ] || GO=$(command -v go) || need go

UP=$TRASH/upstream
mkstore "$UP"
upstream_build || bail_out "cannot build the fake upstream"
upstream_start "$UP" -tlscert "$TRASH/ca.pem" || bail_out "https upstream"
HP=${UPSTREAM_URL#https://}

S=$TRASH/storage
use_config "$S" "$TRASH/state"
export PIRAEUS_SUMDB_VERIFY=no PIRAEUS_UPSTREAM_RETRIES=0
export PIRAEUS_UPSTREAM_CA_FILE="$TRASH/ca.pem"

# VALUE|VERDICT: ok (check-config passes, the miss is fetched: 200) or bad
# (check-config fails naming the key, every request is a 500).
n=0
while IFS='|' read -r value want; do
	n=$((n + 1))
	rm -rf "$S" && mkdir -p "$S"
	out=$(PIRAEUS_UPSTREAM_GOPROXY=$value "$PIRAEUS" check-config 2>&1)
	if [ $? -eq 0 ]; then cv=ok; else cv=bad; fi
	is "$cv" "$want" "check-config: $value: $want" || diag "$out"
	[ "$cv" = bad ] && like "$out" '\[upstream\] goproxy: ' \
	    "check-config: $value: the message names the key"
	cgi GET /example.com/m/@v/v1.0.0.info PIRAEUS_UPSTREAM_GOPROXY="$value"
	case $STATUS in
	200) rv=ok ;;
	500) rv=bad ;;
	*) rv="status $STATUS" ;;
	esac
	is "$rv" "$cv" "responder: $value: as check-config says" ||
	    diag "$(head -c 300 "$TRASH/body")"
done <<EOF
$UPSTREAM_URL|ok
https://user:pw@$HP|ok
https://us%40er:p%3Aw@$HP|ok
  $UPSTREAM_URL  ,off|ok
$UPSTREAM_URL,,off|ok
$UPSTREAM_URL/|ok
file://$UP|ok
$UPSTREAM_URL?x=1|bad
$UPSTREAM_URL/#frag|bad
http://user:pw@$HP|bad
ftp://$HP|bad
https://|bad
word|bad
file://host$UP|bad
EOF

# The credentials: as the go command sends them.
upstream_reset
rm -rf "$S" && mkdir -p "$S"
cgi GET /example.com/m/@v/v1.0.0.info \
    PIRAEUS_UPSTREAM_GOPROXY="https://us%40er:p%3Aw@$HP"
is "$STATUS" 200 "fetched with credentials"
upstream_log | sed -n 's/.* auth=//p' | sort -u > "$TRASH/auth.piraeus"
upstream_reset
(
	go_env_proxy "https://us%40er:p%3Aw@$HP" "$TRASH/mc"
	GOCACHE=$TRASH/gocache SSL_CERT_FILE=$TRASH/ca.pem
	export GOCACHE SSL_CERT_FILE
	cd "$TRASH" && "$GO" mod download -json example.com/m@v1.0.0
) > "$TRASH/go.json" 2>&1
nok "the go command downloads with them" grep -q '"Error"' "$TRASH/go.json"
upstream_log | sed -n 's/.* auth=//p' | sort -u > "$TRASH/auth.go"
is "$(cat "$TRASH/auth.go")" "Basic $(printf 'us@er:p:w' | base64)" \
    "the go command sends the decoded user:password as basic auth"
is "$(cat "$TRASH/auth.piraeus")" "$(cat "$TRASH/auth.go")" \
    "piraeus's upstream requests carry the same Authorization"

# A password in an upstream URL is never shown: not by check-config -v,
# not in an error sent to a client, a log line or the index (an upstream
# @latest that is not a valid .info names the URL it came from).
SECRET=s3cr3tpw
SUMDB_KEY=sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8
out=$(PIRAEUS_UPSTREAM_GOPROXY="https://user:$SECRET@$HP,off" \
    PIRAEUS_SUMDB_DATABASES="$SUMDB_KEY https://db:$SECRET@$HP/sumdb" \
    "$PIRAEUS" check-config -v 2>&1)
like "$out" "goproxy = https://user:xxxxx@$HP,off" \
    "check-config -v: the goproxy password masked"
like "$out" "databases = .* https://db:xxxxx@$HP/sumdb" \
    "check-config -v: a checksum database's password masked"
unlike "$out" "$SECRET" "check-config -v: no password"
mkdir -p "$UP/example.com/m"
printf 'not a .info\n' > "$UP/example.com/m/@latest"
rm -rf "$S" "$TRASH/state" && mkdir -p "$S"
: > "$TRASH/stderr"
cgi GET /example.com/m/@latest \
    PIRAEUS_UPSTREAM_GOPROXY="https://user:$SECRET@$HP"
like "$(cat "$TRASH/body")" "not a valid .info" \
    "a bad @latest upstream: the error says so"
like "$(cat "$TRASH/body")" "https://user:xxxxx@" \
    "the error names the upstream, its password masked"
nok "no password in the error body" grep -q "$SECRET" "$TRASH/body"
nok "no password in the log" grep -q "$SECRET" "$TRASH/stderr"
nok "no password in the index" grep -qa "$SECRET" "$TRASH/state/index.sqlite"
done_testing

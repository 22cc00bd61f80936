#!/bin/sh
# t1420-tls.t: https upstreams.  A fake upstream serving https with its own
# self-signed CA: trusted only through [upstream] ca_file; a redirect from
# it to plain http is refused (never https -> http), to https is followed;
# nothing is stored from a refused or untrusted upstream.  The responder
# runs as CGI: no web server needed.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need go curl perl zip

UP=$TRASH/upstream
mkstore "$UP"
upstream_build || bail_out "cannot build the fake upstream"
# A plain-http twin of the same tree, the target of the bad redirect.
upstream_start "$UP" || bail_out "http upstream"
PLAIN=$UPSTREAM_URL
PLAIN_PID=$UPSTREAM_PID
upstream_start "$UP" -tlscert "$TRASH/ca.pem" || bail_out "https upstream"
like "$UPSTREAM_URL" '^https://127\.0\.0\.1:' "the fake upstream serves https"

S=$TRASH/storage
use_config "$S" "$TRASH/state"
export PIRAEUS_UPSTREAM_GOPROXY="$UPSTREAM_URL" PIRAEUS_SUMDB_VERIFY=no
export PIRAEUS_UPSTREAM_RETRIES=0 PIRAEUS_UPSTREAM_NETWORK_MODE=strict

cgi GET /example.com/m/@v/v1.0.0.info
is "$STATUS" 502 "an upstream whose CA is not trusted: 502"
like "$(cat "$TRASH/body")" '[Cc]ertificate|SSL' "the body names the TLS failure"
nok "nothing stored from it" test -e "$S/example.com/m/@v/v1.0.0.info"

export PIRAEUS_UPSTREAM_CA_FILE="$TRASH/ca.pem"
cgi GET /example.com/m/@v/v1.0.0.info
is "$STATUS" 200 "trusted through [upstream] ca_file: 200"
ok "the upstream's bytes are stored" cmp -s "$S/example.com/m/@v/v1.0.0.zip" "$UP/example.com/m/@v/v1.0.0.zip"

upstream_fault /example.com/m/@v/v1.1.0.mod redirect \
    "to=$PLAIN/example.com/m/@v/v1.1.0.mod"
cgi GET /example.com/m/@v/v1.1.0.mod
is "$STATUS" 502 "a redirect from https to http is refused"
like "$(cat "$TRASH/body")" 'redirect' "the body says so"
nok "nothing stored" test -e "$S/example.com/m/@v/v1.1.0.mod"
is "$(UPSTREAM_URL=$PLAIN upstream_count /example.com/m/@v/v1.1.0.mod)" 0 \
    "the http target was never contacted"

upstream_reset
upstream_fault /example.com/m/@v/v1.1.0.mod redirect \
    "to=$UPSTREAM_URL/example.com/m/v2/@v/v2.0.0.mod" n=1
cgi GET /example.com/m/@v/v1.1.0.mod
is "$STATUS" 200 "a redirect from https to https is followed"

upstream_reset
i=0
while [ $i -lt 8 ]; do
	upstream_fault "/example.com/m/@v/v1.2.0-rc.$i.mod" redirect \
	    "to=$UPSTREAM_URL/example.com/m/@v/v1.2.0-rc.$((i + 1)).mod"
	i=$((i + 1))
done
cgi GET /example.com/m/@v/v1.2.0-rc.0.mod PIRAEUS_UPSTREAM_MAX_REDIRECTS=3
is "$STATUS" 502 "more redirects than max_redirects: 502"
unlike "$(cat "$TRASH/stderr")" 'Sanitizer|runtime error' "no sanitizer report"
stop_bg "$PLAIN_PID"

done_testing

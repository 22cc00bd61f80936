# tests/integ/t1230-nginx-every.t: the every-request deployment behind a
# real nginx (contrib/serve --every-request, contrib/nginx/piraeus-every.conf):
# every request passes the responder, hits included, and nginx sends the
# stored files it names (X-Accel-Redirect).  integ_main's whole contract (both
# go commands through the proxy, go.sum identical to GOPROXY=file://),
# then every_checks (tests/lib/every.sh): hits pass the responder, which
# does not read their bodies; static-hit headers, HEAD, 304; nothing
# outside the tree; policy on hits (every_policy_hit).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/integ.sh"
. "$top_srcdir/tests/lib/hook.sh"
. "$top_srcdir/tests/lib/every.sh"
INTEG_EXTRA=every_checks
integ_main nginx-every

# tests/integ/t1000-lighttpd.t: the real go command builds a real program
# through piraeus behind a real lighttpd, with exactly the answers of
# GOPROXY=file://<the same modules>.  Fixtures are made offline: the checks
# are in tests/lib/integ.sh, the modules in tests/lib/fixtures.sh.
#
# Run in a hostile go environment (go_env_hostile: GOFLAGS=-mod=vendor,
# GOPROXY, GONOPROXY, GOTOOLCHAIN, GOROOT, GOENV files, ... all wrong):
# every go run must be shielded by go_env_common; and every go command
# (1.19, 1.26) makes the same reference tree.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/integ.sh"
INTEG_HOSTILE=1
integ_main lighttpd

# tests/integ/t1120-apache-fcgid.t: the real go command builds a real program
# through piraeus behind a real Apache whose mod_fcgid starts the
# responders, with exactly the answers of GOPROXY=file://<the same modules>.  Fixtures are made offline: the checks
# are in tests/lib/integ.sh, the modules in tests/lib/fixtures.sh.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/integ.sh"
integ_main apache-fcgid

#!/bin/sh
# tests/cgi/t0110-direct-go.t: the direct upstream's unit test
# (tests/unit/test_direct, which runs with Debian's go 1.19 by default)
# once more with the current go command (PIRAEUS_TEST_GO_CURRENT, else
# /usr/local/go/bin/go, as tests/lib/testlib.sh names it): fetch_direct.c
# must give the same versions, hashes and errors whichever go command the
# operator's [direct] go names.  The unit test's TAP is this test's TAP.
go_current=${PIRAEUS_TEST_GO_CURRENT:-/usr/local/go/bin/go}
go_debian=${PIRAEUS_TEST_GO_DEBIAN:-/usr/lib/go-1.19/bin/go}
if [ ! -x "$go_current" ]; then
	echo "1..0 # SKIP no current go command at $go_current"
	exit 0
fi
if [ "$go_current" -ef "$go_debian" ]; then
	echo "1..0 # SKIP $go_current is Debian's go"
	exit 0
fi
bin=${top_builddir:?}/tests/unit/test_direct
if [ ! -x "$bin" ]; then
	echo "Bail out! $bin is not built (make check builds it)"
	exit 1
fi
PIRAEUS_TEST_GO=$go_current exec "$bin"

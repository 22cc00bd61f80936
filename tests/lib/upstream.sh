# tests/lib/upstream.sh: a fault-injecting upstream GOPROXY for the tests of
# fetch-on-miss.  POSIX sh (dash); source it after testlib.sh:
#
#	. "$top_srcdir/tests/lib/upstream.sh"
#
# The upstream is tests/upstream/fakeproxy.go (see the comment at its top
# for every fault kind), built with the go command, offline, the first time
# it is needed into $top_builddir/tests/upstream-bin (or $TRASH when that is
# not writable) and rebuilt when fakeproxy.go is newer.  Set UPSTREAM_BIN to
# use a binary built elsewhere.
#
#	upstream_build		build it if needed; sets UPSTREAM_BIN
#	upstream_start ROOT [FLAG...]
#				serve the GOPROXY tree ROOT on 127.0.0.1 (a
#				free port) in the background, stopped at exit;
#				sets UPSTREAM_URL (http://127.0.0.1:PORT, no
#				slash at the end), UPSTREAM_PID, UPSTREAM_LOG
#				(one line per request: "METHOD PATH STATUS
#				[FAULT]", control requests too) and
#				UPSTREAM_OUT (its stdout and stderr)
#	upstream_count PATH	print how many requests PATH got since the last
#				reset (PATH as requested, decoded, e.g.
#				/github.com/!fixture/!upper/@v/list; "*" for
#				all, "*.zip" for all the paths ending in .zip)
#	upstream_counts		print "N PATH" for every path requested
#	upstream_fault PATH KIND [NAME=VALUE...]
#				answer requests for PATH (exact, or "*SUFFIX")
#				with fault KIND; NAME=VALUE adds parameters:
#				n=N (next N requests only), ms=M (delay),
#				code=C, body=TEXT (status), to=URL (redirect),
#				with=PATH (swapzip), size=S chunked=1 (big);
#				KIND none removes the fault of PATH
#	upstream_reset		clear counters, faults and the request log
#	upstream_log		print the requests since the last reset
#	upstream_stop		stop it now
#
# The control functions fail (non-zero, the reason on stderr) when the
# upstream refuses the request, e.g. an unknown fault kind.

UPSTREAM_SRC=$top_srcdir/tests/upstream/fakeproxy.go
_up_n=0

upstream_build()
{
	if [ -n "${UPSTREAM_BIN:-}" ] && [ -x "$UPSTREAM_BIN" ]; then
		return 0
	fi
	go_tool_build "$UPSTREAM_SRC" upstream-bin || return 1
	UPSTREAM_BIN=$GO_TOOL_BIN
}

upstream_start()
{
	_up_root=$1
	shift
	upstream_build || return 1
	_up_n=$((_up_n + 1))
	UPSTREAM_OUT=$TRASH/upstream.$_up_n.out
	UPSTREAM_LOG=$TRASH/upstream.$_up_n.log
	start_bg "$UPSTREAM_OUT" "$UPSTREAM_BIN" -root "$_up_root" \
	    -addr 127.0.0.1:0 -log "$UPSTREAM_LOG" "$@"
	UPSTREAM_PID=$BG_PID
	if ! wait_line "$UPSTREAM_OUT" '^listening on https?://' 20 \
	    "$UPSTREAM_PID"; then
		echo "upstream_start: fakeproxy did not start:" >&2
		cat "$UPSTREAM_OUT" >&2
		return 1
	fi
	UPSTREAM_URL=$(sed -n 's/^listening on //p' "$UPSTREAM_OUT" |
	    head -n 1)
	[ -n "$UPSTREAM_URL" ]
}

# upstream_fixtures: the fixtures of fixtures.sh made in $TRASH/fx (FX;
# REF is the download tree of its module cache) and served by a started
# fake upstream (UPSTREAM_URL); bails out when either fails.  Needs
# fixtures.sh sourced too.
upstream_fixtures()
{
	FX=$TRASH/fx
	REF=$FX/modcache/cache/download
	make_fixtures "$FX" >"$TRASH/fixtures.log" 2>&1 ||
	    { diag_file "$TRASH/fixtures.log"; bail_out "fixtures"; }
	upstream_start "$REF" || bail_out "cannot start the fake upstream"
}

# _up_ctl ENDPOINT [CURL ARG...]: GET /_ctl/ENDPOINT with the query the
# arguments make; print the body, fail unless the status is 200.
_up_ctl()
{
	_up_ep=$1
	shift
	# -k: a -tlscert upstream's certificate is self-signed.
	_up_out=$(curl -q -k -sS --noproxy '*' --max-time 10 -G \
	    -w '%{http_code}' "$@" "$UPSTREAM_URL/_ctl/$_up_ep") || {
		echo "upstream $_up_ep: curl failed" >&2
		return 1
	}
	_up_code=${_up_out#"${_up_out%???}"}
	_up_body=${_up_out%???}
	if [ "$_up_code" != 200 ]; then
		printf 'upstream %s: %s %s\n' "$_up_ep" "$_up_code" \
		    "$_up_body" >&2
		return 1
	fi
	printf '%s' "$_up_body"
}

upstream_count()
{
	_up_c=$(_up_ctl count --data-urlencode "path=$1") || return 1
	echo "$_up_c"
}

upstream_counts()
{
	_up_ctl counts
}

upstream_fault()
{
	_up_p=$1
	_up_k=$2
	shift 2
	# Each NAME=VALUE is encoded; "a=1&b=2" is passed as it is.
	for _up_a in "$@"; do
		shift
		case $_up_a in
		*'&'*)	set -- "$@" -d "$_up_a" ;;
		*)	set -- "$@" --data-urlencode "$_up_a" ;;
		esac
	done
	_up_ctl fault --data-urlencode "path=$_up_p" \
	    --data-urlencode "kind=$_up_k" "$@" >/dev/null
}

upstream_reset()
{
	_up_ctl reset >/dev/null
}

upstream_log()
{
	_up_ctl log
}

upstream_stop()
{
	[ -n "${UPSTREAM_PID:-}" ] || return 0
	stop_bg "$UPSTREAM_PID"
	UPSTREAM_PID=
}

# tests/lib/hook.sh: a validator hook server for the tests of [policy]
# validator_hook.  POSIX sh (dash); source it after testlib.sh:
#
#	. "$top_srcdir/tests/lib/hook.sh"
#
# The server is tests/upstream/hookserver.go (see its top comment), built
# with the go command, offline, like fakeproxy (go_tool_build).
#
#	hook_start		start it on 127.0.0.1 (a free port), stopped at
#				exit; sets HOOK_URL, HOOK_PID, HOOK_LOG (one
#				line a hook request: "MODULE VERSION ACTION")
#	hook_set MODULE ACTION [msg=TEXT] [ms=N]
#				answer MODULE with ACTION: allow, deny (403
#				msg), error (500 msg), sleep (ms, then 200)
#	hook_count MODULE	how many hook requests named MODULE

HOOK_SRC=$top_srcdir/tests/upstream/hookserver.go

hook_start()
{
	go_tool_build "$HOOK_SRC" upstream-bin || return 1
	HOOK_BIN=$GO_TOOL_BIN
	HOOK_LOG=$TRASH/hook.log
	: >"$HOOK_LOG"
	start_bg "$TRASH/hook.out" "$HOOK_BIN" -addr 127.0.0.1:0 \
	    -log "$HOOK_LOG"
	HOOK_PID=$BG_PID
	wait_line "$TRASH/hook.out" '^listening on http://' 20 "$HOOK_PID" ||
	    return 1
	HOOK_URL=$(sed -n 's/^listening on //p' "$TRASH/hook.out" | head -n 1)
}

hook_set()
{
	_hk_m=$1 _hk_a=$2
	shift 2
	for _hk_p in "$@"; do
		shift
		set -- "$@" --data-urlencode "$_hk_p"
	done
	curl -q -sS -f --noproxy '*' --max-time 10 -G -o /dev/null \
	    --data-urlencode "module=$_hk_m" --data-urlencode "action=$_hk_a" \
	    "$@" "$HOOK_URL/_ctl/set"
}

hook_count()
{
	awk -v m="$1" '$1 == m { n++ } END { print n + 0 }' "$HOOK_LOG"
}

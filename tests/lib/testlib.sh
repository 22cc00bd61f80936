# tests/lib/testlib.sh: TAP helpers for the shell tests (tests/cgi/*.t and
# tests/integ/*.t).  POSIX sh (dash); source it first:
#
#	. "$top_srcdir/tests/lib/testlib.sh"
#
# The harness exports top_srcdir and top_builddir (absolute paths); the
# programs under test are $PIRAEUS ($top_builddir/piraeus) and $PIRAEUS_FCGI
# ($top_builddir/piraeus.fcgi).
#
# Results
#	plan N			print "1..N" now (else done_testing prints it)
#	ok DESC CMD [ARG...]	pass when CMD exits 0
#	ok STATUS DESC		pass when STATUS is 0 (e.g. "cmp a b; ok $? same")
#	nok DESC CMD [ARG...]	pass when CMD exits non-zero
#	is GOT WANT DESC	string equality (multi-line is fine)
#	isnt GOT UNWANTED DESC
#	like GOT ERE DESC	some line of GOT matches the extended regex
#	unlike GOT ERE DESC	no line of GOT matches
#	is_file FILE1 FILE2 DESC same bytes (cmp)
#	pass DESC / fail DESC
#	skip DESC REASON	an "ok N - DESC # SKIP REASON" line
#	diag MSG... / diag_file FILE
#				"# " comment lines (to stdout, kept in the log)
#	skip_all REASON		"1..0 # SKIP REASON" and exit 0
#	bail_out REASON		"Bail out! REASON" and exit 1
#	done_testing		print the plan if not yet, exit 1 on any failure
#				or a plan mismatch, else 0
#
# Environment
#	TRASH			a fresh directory under ${TMPDIR:-/tmp}, removed
#				at exit (kept when PIRAEUS_KEEP_TRASH=1)
#	at_exit CMD...		run CMD (eval'd) at exit, last registered first,
#				also on failure, INT and TERM
#	start_bg LOG CMD...	run CMD in the background in its own session,
#				stdout+stderr to LOG; BG_PID is set and the
#				process (and its process group) is stopped at exit
#	stop_bg PID		TERM, wait up to 10 s, then KILL its group
#	free_port		print a 127.0.0.1 TCP port nobody listens on
#				(reserved for this test until it exits)
#	port_in_use PORT	something listens on TCP port PORT (v4 or v6)
#	wait_http URL [SECS] [PID]
#				wait (default 20 s) until URL answers any HTTP
#				status; fail early when PID has died
#	wait_line FILE ERE [SECS] [PID]
#				wait until a line of FILE matches
#	need CMD...		skip the whole test when a command is missing,
#				or fail it when PIRAEUS_REQUIRE_INTEG=1; "go"
#				is need_gos (never the go on PATH)
#
# The go commands (never whatever "go" is on PATH):
#	GO_DEBIAN		Debian's golang-go, $PIRAEUS_TEST_GO_DEBIAN or
#				/usr/lib/go-1.19/bin/go
#	GO_CURRENT		a current release, $PIRAEUS_TEST_GO_CURRENT or
#				/usr/local/go/bin/go
#	need_gos		set GOS, the go commands every client check
#				runs with: $PIRAEUS_TEST_GOS (paths, space-
#				separated, each must exist) or else GO_DEBIAN
#				and GO_CURRENT, those that exist.  None: skip
#				the test; PIRAEUS_REQUIRE_INTEG=1 requires
#				GO_DEBIAN (CI installs golang-go; GO_CURRENT
#				is used when present).  Sets GO (the first of
#				GOS), GO_TOOL (GO_DEBIAN when it exists, else
#				GO), GOV_<n> and prints one diag line naming
#				each go command and its version
#	for_each_go CMD...	run CMD once per go command of GOS, with GO
#				(its path), GOTAG (its version, e.g. go1.19.8)
#				and GOCACHE (a build cache for that version,
#				shared by the tests) set; returns non-zero
#				when a run did
#	go_env_common		export a known value for every GO* variable
#				the go command reads (GOTOOLCHAIN=local,
#				GOENV=off, GOAUTH=off, ...) and unset those
#				whose default is wanted (GOROOT, GOOS, ...):
#				nothing of the caller's environment reaches it
#	go_env_hostile		export a hostile value for each of them (and a
#				hostile go env file and telemetry mode), for a
#				test that proves go_env_common shields go;
#				go_hostile_untouched then checks that nothing
#				was written in its config directory
#	go_tool_build SRC DIR	build the test program SRC (one .go file) with
#				GO_TOOL, offline, GOPATH mode, against
#				Debian's /usr/share/gocode (or $SUMDB_GOCODE),
#				into $top_builddir/tests/DIR (or $TRASH/DIR when
#				that is not writable), again when SRC is newer;
#				sets GO_TOOL_BIN; the go output goes to stderr
#				on failure
#	serve_lighttpd LOG STORAGE STATE INI [NAME=VALUE...] [-- FLAG...]
#				contrib/serve with lighttpd and 2 responders
#				on a free port, the variables in its
#				environment, the FLAGs after its own (a later
#				--procs N wins); waits until it serves (bails
#				out if not) and sets PORT, URL and SERVE_PID
#	procs_of STATE		"PID PROGRAM" of each process of a
#				quickstart/serve run on state directory STATE
#				(serve and its watchdog, the web server,
#				spawn-fcgi, fcgi-prefork, the responders)
#	reap_state STATE	TERM, then KILL, whatever procs_of finds (for
#				at_exit: what a failed check left running)
#	quickstart_down SIG	send SIG to the quickstart run QPID (its own
#				session, as start_bg makes it; state QT, port
#				QPORT, name QN for the descriptions): it exits
#				0 within 15 s and leaves no process and no
#				listener behind

# /usr/sbin holds lighttpd, apache2 and friends.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
export PATH

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
PIRAEUS=$top_builddir/piraeus
PIRAEUS_FCGI=$top_builddir/piraeus.fcgi

_tl_n=0			# tests run
_tl_failed=0		# tests failed
_tl_plan=		# planned count, once printed
_tl_done=0		# done_testing or skip_all reached
_tl_cleanup=		# eval'd at exit, newline-separated, newest first
TEST_NAME=$(basename "$0" .t)

# Results.

plan()
{
	_tl_plan=$1
	echo "1..$1"
}

_tl_result()
{
	# $1: 0 pass, else fail; $2: description
	_tl_n=$((_tl_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tl_n - $2"
		return 0
	fi
	_tl_failed=$((_tl_failed + 1))
	echo "not ok $_tl_n - $2"
	return 1
}

pass()
{
	_tl_result 0 "$1"
}

fail()
{
	_tl_result 1 "$1"
}

ok()
{
	if [ $# -eq 2 ] && expr "x$1" : 'x[0-9][0-9]*$' >/dev/null; then
		_tl_result "$1" "$2"
		return
	fi
	_tl_desc=$1
	shift
	"$@"
	_tl_result $? "$_tl_desc"
}

nok()
{
	_tl_desc=$1
	shift
	if "$@"; then
		_tl_result 1 "$_tl_desc"
	else
		_tl_result 0 "$_tl_desc"
	fi
}

is()
{
	if [ "x$1" = "x$2" ]; then
		_tl_result 0 "$3"
		return 0
	fi
	_tl_result 1 "$3"
	diag "     got: '$1'"
	diag "expected: '$2'"
	return 1
}

isnt()
{
	if [ "x$1" != "x$2" ]; then
		_tl_result 0 "$3"
		return 0
	fi
	_tl_result 1 "$3"
	diag "     got: '$1'"
	diag "expected anything else"
	return 1
}

like()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		_tl_result 0 "$3"
		return 0
	fi
	_tl_result 1 "$3"
	diag "     got: '$1'"
	diag "expected to match: $2"
	return 1
}

unlike()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		_tl_result 1 "$3"
		diag "     got: '$1'"
		diag "expected not to match: $2"
		return 1
	fi
	_tl_result 0 "$3"
}

is_file()
{
	if cmp -s -- "$1" "$2"; then
		_tl_result 0 "$3"
		return 0
	fi
	_tl_result 1 "$3"
	diag "files differ: $1 $2"
	return 1
}

skip()
{
	_tl_n=$((_tl_n + 1))
	echo "ok $_tl_n - $1 # SKIP ${2:-}"
}

diag()
{
	printf '%s\n' "$*" | sed 's/^/# /'
}

diag_file()
{
	[ -f "$1" ] || return 0
	diag "--- $1"
	sed 's/^/# /' "$1" | tail -n "${2:-40}"
}

skip_all()
{
	_tl_done=1
	echo "1..0 # SKIP $*"
	exit 0
}

bail_out()
{
	_tl_done=1
	echo "Bail out! $*"
	exit 1
}

done_testing()
{
	_tl_done=1
	if [ -z "$_tl_plan" ]; then
		echo "1..$_tl_n"
	elif [ "$_tl_plan" -ne "$_tl_n" ]; then
		diag "planned $_tl_plan tests but ran $_tl_n"
		exit 1
	fi
	if [ "$_tl_failed" -ne 0 ]; then
		diag "failed $_tl_failed of $_tl_n"
		exit 1
	fi
	exit 0
}

# need CMD...: skip (or, with PIRAEUS_REQUIRE_INTEG=1, fail) the test when
# a command is missing.
need()
{
	for _tl_c in "$@"; do
		if [ "$_tl_c" = go ]; then
			need_gos
			continue
		fi
		command -v "$_tl_c" >/dev/null 2>&1 && continue
		if [ "${PIRAEUS_REQUIRE_INTEG:-0}" = 1 ]; then
			_tl_done=1
			echo "1..1"
			echo "not ok 1 - required command missing: $_tl_c" \
			    "(PIRAEUS_REQUIRE_INTEG=1)"
			exit 1
		fi
		skip_all "$_tl_c not installed"
	done
}

# Cleanup.

at_exit()
{
	_tl_cleanup="$*
$_tl_cleanup"
}

_tl_exit()
{
	_tl_st=$?
	trap - EXIT
	# Run each registered command once, newest first.
	_tl_todo=$_tl_cleanup
	_tl_cleanup=
	while [ -n "$_tl_todo" ]; do
		_tl_cmd=${_tl_todo%%
*}
		case $_tl_todo in
		*"
"*)	_tl_todo=${_tl_todo#*
} ;;
		*)	_tl_todo= ;;
		esac
		[ -n "$_tl_cmd" ] && eval "$_tl_cmd" >/dev/null 2>&1
	done
	if [ "$_tl_done" -eq 0 ] && [ "$_tl_st" -eq 0 ]; then
		_tl_st=1
	fi
	exit "$_tl_st"
}
trap _tl_exit EXIT
trap 'diag "interrupted"; exit 130' INT
trap 'diag "terminated"; exit 143' TERM

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/piraeus-$TEST_NAME.XXXXXX") ||
    bail_out "cannot create a trash directory"
export TRASH

_tl_rm_trash()
{
	if [ "${PIRAEUS_KEEP_TRASH:-0}" = 1 ]; then
		echo "# kept $TRASH" >&2
		return 0
	fi
	chmod -R u+w "$TRASH" 2>/dev/null
	rm -rf "$TRASH"
}
at_exit _tl_rm_trash
at_exit _tl_release_ports

# Background processes.

start_bg()
{
	_tl_log=$1
	shift
	if command -v setsid >/dev/null 2>&1; then
		setsid "$@" >"$_tl_log" 2>&1 </dev/null &
	else
		"$@" >"$_tl_log" 2>&1 </dev/null &
	fi
	BG_PID=$!
	at_exit stop_bg "$BG_PID"
}

_tl_alive()
{
	kill -0 "$1" 2>/dev/null
}

stop_bg()
{
	_tl_pid=$1
	kill -TERM "$_tl_pid" 2>/dev/null
	_tl_i=0
	while _tl_alive "$_tl_pid" && [ "$_tl_i" -lt 100 ]; do
		sleep 0.1
		_tl_i=$((_tl_i + 1))
	done
	if _tl_alive "$_tl_pid"; then
		diag "pid $_tl_pid ignored SIGTERM for 10 s: killing it"
		kill -KILL "$_tl_pid" 2>/dev/null
	fi
	wait "$_tl_pid" 2>/dev/null
	# Whatever it left in its own process group (it is the leader when
	# started by start_bg with setsid).
	# (dash's kill takes no "--": a negative pid after the signal.)
	if kill -0 "-$_tl_pid" 2>/dev/null; then
		kill -TERM "-$_tl_pid" 2>/dev/null
		sleep 0.5
		kill -KILL "-$_tl_pid" 2>/dev/null
	fi
	return 0
}

# Ports.

port_in_use()
{
	# Listening (state 0A) on any address with this port, v4 or v6.
	_tl_hex=$(printf '%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
	    awk -v p=":$_tl_hex" '$4 == "0A" && substr($2, length($2) - 4) == p \
		{ found = 1 } END { exit !found }'
}

# free_port runs in a command substitution (a subshell), so it cannot
# register a cleanup: each reservation directory names its owner ($$, the
# same in subshells) and _tl_release_ports removes ours at exit, and any
# whose owner is dead when seen by free_port.
_tl_portdir()
{
	echo "${TMPDIR:-/tmp}/piraeus-port.$1"
}

_tl_release_ports()
{
	for _tl_d in "${TMPDIR:-/tmp}"/piraeus-port.*; do
		[ -d "$_tl_d" ] || continue
		[ "$(cat "$_tl_d/owner" 2>/dev/null)" = "$$" ] || continue
		rm -f "$_tl_d/owner"
		rmdir "$_tl_d"
	done
	return 0
}

free_port()
{
	_tl_try=0
	while [ "$_tl_try" -lt 200 ]; do
		_tl_try=$((_tl_try + 1))
		_tl_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		# Below Linux's ephemeral range (32768-60999), so that no
		# client's source port or ":0" listener can take it meanwhile.
		_tl_p=$((12000 + _tl_r % 20000))
		port_in_use "$_tl_p" && continue
		_tl_d=$(_tl_portdir "$_tl_p")
		if ! mkdir "$_tl_d" 2>/dev/null; then
			# Reserved: reclaim it only if its owner is gone.
			_tl_o=$(cat "$_tl_d/owner" 2>/dev/null)
			[ -n "$_tl_o" ] && ! _tl_alive "$_tl_o" || continue
		fi
		echo "$$" >"$_tl_d/owner"
		echo "$_tl_p"
		return 0
	done
	return 1
}

# Waiting.

wait_http()
{
	_tl_url=$1
	_tl_max=$(( ${2:-20} * 10 ))
	_tl_pid=${3:-}
	_tl_i=0
	while [ "$_tl_i" -lt "$_tl_max" ]; do
		if curl -q -s -o /dev/null --max-time 2 "$_tl_url"; then
			return 0
		fi
		if [ -n "$_tl_pid" ] && ! _tl_alive "$_tl_pid"; then
			return 1
		fi
		sleep 0.1
		_tl_i=$((_tl_i + 1))
	done
	return 1
}

wait_line()
{
	_tl_f=$1
	_tl_re=$2
	_tl_max=$(( ${3:-20} * 10 ))
	_tl_pid=${4:-}
	_tl_i=0
	while [ "$_tl_i" -lt "$_tl_max" ]; do
		if [ -f "$_tl_f" ] && grep -Eq -- "$_tl_re" "$_tl_f"; then
			return 0
		fi
		if [ -n "$_tl_pid" ] && ! _tl_alive "$_tl_pid"; then
			# One last look: it may have printed and exited.
			grep -Eq -- "$_tl_re" "$_tl_f" 2>/dev/null
			return
		fi
		sleep 0.1
		_tl_i=$((_tl_i + 1))
	done
	return 1
}

# eventually SECS CMD [ARG...]: run CMD until it succeeds, every 0.1 s
# for SECS seconds at most; its last status.  For what a responder writes
# once its answer is out (a checksum database's cached rows: index_later).
eventually()
{
	_tl_max=$(( $1 * 10 ))
	shift
	_tl_i=0
	while ! "$@"; do
		_tl_i=$((_tl_i + 1))
		[ "$_tl_i" -lt "$_tl_max" ] || return 1
		sleep 0.1
	done
}

# procs_of: its environment has PIRAEUS_STATE_DIR=STATE (nginx clears its
# own), or its command line or an open file is under STATE/.
procs_of()
{
	{
		grep -lzxF "PIRAEUS_STATE_DIR=$1" /proc/[0-9]*/environ
		grep -laF "$1/" /proc/[0-9]*/cmdline
		find /proc/[0-9]*/fd -lname "$1/*"
	} 2>/dev/null | sed -n 's|^/proc/\([0-9]*\)/.*|\1|p' | sort -un |
	while read -r _p; do
		_e=$(readlink "/proc/$_p/exe" 2>/dev/null) || continue
		_e=${_e% (deleted)}
		echo "$_p ${_e##*/}"
	done
}

reap_state()
{
	_l=$(procs_of "$1" | cut -d' ' -f1)
	[ -n "$_l" ] || return 0
	kill -TERM $_l 2>/dev/null
	sleep 1
	_l=$(procs_of "$1" | cut -d' ' -f1)
	[ -z "$_l" ] || kill -KILL $_l 2>/dev/null
	return 0
}

quickstart_down()
{
	kill -"$1" "$QPID"
	_i=0
	while kill -0 "$QPID" 2>/dev/null && [ $_i -lt 150 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$QPID" 2>/dev/null; then
		fail "$QN: SIG$1 stops quickstart"
	else
		wait "$QPID"
		is "$?" 0 "$QN: SIG$1 stops quickstart (status 0)"
	fi
	nok "$QN: nothing of its process group is left" kill -0 "-$QPID" 2>/dev/null
	is "$(procs_of "$QT")" "" "$QN: no web server or responder is left"
	nok "$QN: nothing listens on port $QPORT any more" port_in_use "$QPORT"
}

# connected_ini INI STORAGE STATE UPSTREAM: the INI of the connected host
# of the air-gapped workflow (storage and state made here): UPSTREAM as its
# only upstream, a 5 s timeout, no checksum database.
connected_ini()
{
	mkdir -p "$2" "$3" || return 1
	cat >"$1" <<INI
[storage]
root = $2
[state]
dir = $3
[upstream]
goproxy = $4
timeout = 5
[sumdb]
verify = no
INI
}

# offline_ini INI STORAGE STATE: the INI of an air-gapped host (storage and
# state made here): no upstream at all, nothing verified over the network.
offline_ini()
{
	mkdir -p "$2" "$3" || return 1
	cat >"$1" <<INI
[storage]
root = $2
[state]
dir = $3
[upstream]
goproxy = off
network_mode = offline
[sumdb]
verify = no
INI
}

serve_lighttpd()
{
	_sl_log=$1 _sl_s=$2 _sl_t=$3 _sl_ini=$4
	shift 4
	PORT=$(free_port) || bail_out "no free port"
	# Rotate the arguments into "NAME=VALUE... serve FLAGS... FLAG...":
	# each goes to the end; at "--" (or after the last), contrib/serve
	# and its flags do.
	_sl_n=$#
	_sl_cmd=0
	while [ "$_sl_n" -gt 0 ] || [ "$_sl_cmd" = 0 ]; do
		if [ "$_sl_n" -eq 0 ] || { [ "$_sl_cmd" = 0 ] && [ "$1" = -- ]; }
		then
			[ "$_sl_n" -eq 0 ] || { shift; _sl_n=$((_sl_n - 1)); }
			_sl_cmd=1
			set -- "$@" "$top_srcdir/contrib/serve" \
			    --server lighttpd --port "$PORT" --storage "$_sl_s" \
			    --state "$_sl_t" --fcgi "$PIRAEUS_FCGI" \
			    --config "$_sl_ini" --procs 2
			continue
		fi
		set -- "$@" "$1"
		shift
		_sl_n=$((_sl_n - 1))
	done
	# The test's GOPRIVATE, GONOPROXY and GONOSUMDB are its go clients';
	# the responder would take them as private patterns (README): a
	# server gets them only when the caller passes them in VAR=VALUE.
	start_bg "$_sl_log" env -u GOPRIVATE -u GONOPROXY -u GONOSUMDB "$@"
	SERVE_PID=$BG_PID
	wait_line "$_sl_log" "serving on http://127\.0\.0\.1:$PORT/" 60 \
	    "$SERVE_PID" || { diag_file "$_sl_log"; bail_out "serve"; }
	URL=http://127.0.0.1:$PORT
}

# The go commands.

GO_DEBIAN=${PIRAEUS_TEST_GO_DEBIAN:-/usr/lib/go-1.19/bin/go}
GO_CURRENT=${PIRAEUS_TEST_GO_CURRENT:-/usr/local/go/bin/go}
GOS=
GO=
GO_TOOL=
GOTAG=
GO_CACHE=

# _go_version GO: its version (go1.19.8), asked with a known environment.
_go_version()
{
	(
		go_env_common
		"$1" env GOVERSION
	) 2>/dev/null
}

# _go_cache TAG: the build cache of that go version, shared by the tests
# (the go command locks its cache: concurrent runs are fine).
_go_cache()
{
	_gc_d=$top_builddir/tests/gocache/$1
	if ! mkdir -p "$_gc_d" 2>/dev/null || [ ! -w "$_gc_d" ]; then
		_gc_d=$TRASH/gocache/$1
		mkdir -p "$_gc_d" || return 1
	fi
	echo "$_gc_d"
}

# _go_missing WHAT: the go command WHAT is missing: fail the test under
# PIRAEUS_REQUIRE_INTEG=1, else skip it.
_go_missing()
{
	if [ "${PIRAEUS_REQUIRE_INTEG:-0}" = 1 ]; then
		_tl_done=1
		echo "1..1"
		echo "not ok 1 - required go command missing: $1" \
		    "(PIRAEUS_REQUIRE_INTEG=1)"
		exit 1
	fi
	skip_all "go command missing: $1"
}

need_gos()
{
	[ -n "$GOS" ] && return 0
	if [ -n "${PIRAEUS_TEST_GOS:-}" ]; then
		for _ng_g in $PIRAEUS_TEST_GOS; do
			[ -x "$_ng_g" ] || _go_missing "$_ng_g (PIRAEUS_TEST_GOS)"
			GOS="$GOS${GOS:+ }$_ng_g"
		done
	else
		if [ -x "$GO_DEBIAN" ]; then
			GOS=$GO_DEBIAN
		elif [ "${PIRAEUS_REQUIRE_INTEG:-0}" = 1 ]; then
			_go_missing "$GO_DEBIAN (Debian's golang-go)"
		fi
		[ -x "$GO_CURRENT" ] && GOS="$GOS${GOS:+ }$GO_CURRENT"
	fi
	[ -n "$GOS" ] || _go_missing "$GO_DEBIAN or $GO_CURRENT"
	GO_TOOL=${GOS%% *}
	[ -x "$GO_DEBIAN" ] && GO_TOOL=$GO_DEBIAN
	_ng_list=
	for _ng_g in $GOS; do
		_ng_v=$(_go_version "$_ng_g")
		case $_ng_v in
		go[0-9]*) ;;
		*)	bail_out "$_ng_g: no version from go env GOVERSION" ;;
		esac
		_ng_list="$_ng_list${_ng_list:+, }$_ng_v ($_ng_g)"
	done
	case " $GOS " in
	*" $GO_CURRENT "*) ;;
	*)	_ng_list="$_ng_list; not $GO_CURRENT (absent or not listed)" ;;
	esac
	diag "go commands: $_ng_list; tools built with $GO_TOOL"
	_go_select "${GOS%% *}"
}

# _go_select GO: make it the current go command (GO, GOTAG, GO_CACHE).
_go_select()
{
	GO=$1
	GOTAG=$(_go_version "$GO")
	GO_CACHE=$(_go_cache "$GOTAG") || bail_out "no go build cache"
}

for_each_go()
{
	need_gos
	_fe_st=0
	for _fe_g in $GOS; do
		_go_select "$_fe_g"
		"$@" || _fe_st=$?
	done
	_go_select "${GOS%% *}"
	return "$_fe_st"
}

# go_env_common: see the top.  Every variable of `go env` (1.19 and 1.26)
# that a client run depends on (GOPATH and GOMODCACHE: the callers give
# their own).  An empty value is not enough for those
# also read from a go env file (so GOENV=off: none is read).
# os.UserConfigDir (XDG_CONFIG_HOME) holds the default go env file and the
# telemetry mode (GOTELEMETRY only reports it, the go command never reads
# it): a directory of the test's own, telemetry off.
go_env_common()
{
	unset GOROOT GOOS GOARCH GOAMD64 GOEXPERIMENT GODEBUG GOBIN GOTMPDIR \
	    GOCACHEPROG GOFIPS140 GONOSUMCHECK GONOVERIFY GOCOVERDIR \
	    GOROOT_FINAL GCCGO
	GO111MODULE=on
	GOENV=off
	GOWORK=off
	GOFLAGS=-modcacherw
	GOPROXY=off
	GOSUMDB=off
	GONOSUMDB=
	GONOPROXY=
	GOPRIVATE=
	GOINSECURE=
	GOVCS=
	GOTOOLCHAIN=local
	GOTELEMETRY=off
	GOAUTH=off
	CGO_ENABLED=0
	GOCACHE=${GO_CACHE:-$TRASH/gocache/default}
	GOPATH=$TRASH/gopath
	GOMODCACHE=$TRASH/gopath/pkg/mod
	XDG_CONFIG_HOME=$TRASH/go-config
	if [ ! -f "$XDG_CONFIG_HOME/go/telemetry/mode" ]; then
		mkdir -p "$XDG_CONFIG_HOME/go/telemetry" &&
		    echo off >"$XDG_CONFIG_HOME/go/telemetry/mode"
	fi
	export GO111MODULE GOENV GOWORK GOFLAGS GOPROXY GOSUMDB GONOSUMDB \
	    GONOPROXY GOPRIVATE GOINSECURE GOVCS GOTOOLCHAIN GOTELEMETRY GOAUTH \
	    CGO_ENABLED GOCACHE GOPATH GOMODCACHE XDG_CONFIG_HOME
}

# go_env_hostile: export the worst the caller's environment could hold for
# the go command, so that a test run under it shows that go_env_common
# shields every go run: each value, leaking through, breaks some go run.
go_env_hostile()
{
	_gh=$TRASH/hostile
	mkdir -p "$_gh/go/telemetry" || return 1
	# The default go env file ($XDG_CONFIG_HOME/go/env) and GOENV's:
	# what the environment leaves empty would be read there.
	{
		echo GOFLAGS=-mod=vendor
		echo GOPROXY=http://127.0.0.1:9
		echo GOSUMDB=sum.golang.org
		echo 'GONOSUMDB=*'
		echo 'GONOPROXY=*'
		echo GOEXPERIMENT=nosuchexperiment
		echo GOTOOLCHAIN=go1.99.9
		echo "GOTMPDIR=$_gh/nosuchdir"
	} >"$_gh/go/env"
	cp "$_gh/go/env" "$_gh/goenv"
	echo on >"$_gh/go/telemetry/mode"
	sleep 1 && : >"$_gh/.stamp"
	XDG_CONFIG_HOME=$_gh
	GOENV=$_gh/goenv
	GO111MODULE=off
	GOFLAGS=-mod=vendor
	GOPROXY=http://127.0.0.1:9
	GOSUMDB=sum.golang.org
	GONOSUMDB='*'
	GONOPROXY='*'
	GOPRIVATE='*'
	GOINSECURE='*'
	GOVCS='*:off'
	GOTOOLCHAIN=go1.99.9
	GOTELEMETRY=on
	GOAUTH='command false'
	GOROOT=$_gh/goroot
	GOPATH=relative/gopath
	GOMODCACHE=relative/modcache
	GOCACHE=relative/gocache
	GOWORK=$_gh/nosuch.work
	GOEXPERIMENT=nosuchexperiment
	GOOS=plan9
	GOARCH=arm64
	GOAMD64=v9
	GOCACHEPROG=/bin/false
	GOFIPS140=nosuchversion
	GOTMPDIR=$_gh/nosuchdir
	CGO_ENABLED=1
	export XDG_CONFIG_HOME GOENV GO111MODULE GOFLAGS GOPROXY GOSUMDB \
	    GONOSUMDB GONOPROXY GOPRIVATE GOINSECURE GOVCS GOTOOLCHAIN \
	    GOTELEMETRY GOAUTH GOROOT GOPATH GOMODCACHE GOCACHE GOWORK \
	    GOEXPERIMENT GOOS GOARCH GOAMD64 GOCACHEPROG GOFIPS140 GOTMPDIR \
	    CGO_ENABLED
	diag "hostile go environment:" \
	    "$(env | grep -E '^(GO|XDG_CONFIG_HOME)' | sort | tr '\n' ' ')"
}

# go_hostile_untouched: a test result: the go commands wrote nothing in the
# hostile configuration directory (telemetry "on" there: counters).
go_hostile_untouched()
{
	is "$(find "$TRASH/hostile" -type f -newer "$TRASH/hostile/.stamp" \
	    2>/dev/null | head -n 5)" "" \
	    "the go commands wrote nothing in the caller's config directory"
}

go_tool_build()
{
	_gt_src=$1
	_gt_dir=$top_builddir/tests/$2
	if ! mkdir -p "$_gt_dir" 2>/dev/null || [ ! -w "$_gt_dir" ]; then
		_gt_dir=$TRASH/$2
		mkdir -p "$_gt_dir" || return 1
	fi
	GO_TOOL_BIN=$_gt_dir/$(basename "$_gt_src" .go)
	if [ -x "$GO_TOOL_BIN" ] && [ ! "$_gt_src" -nt "$GO_TOOL_BIN" ]; then
		return 0
	fi
	# Several tests may build at once: each into its own file, renamed
	# into place.
	_gt_tmp=$GO_TOOL_BIN.tmp.$$
	need_gos
	if ! (
		GO_CACHE=$(_go_cache "tool-$(_go_version "$GO_TOOL")") ||
		    exit 1
		go_env_common
		GO111MODULE=off GOFLAGS= GOMODCACHE= \
		GOPATH=$TRASH/go-tool-path:${SUMDB_GOCODE:-/usr/share/gocode}
		export GO111MODULE GOFLAGS GOMODCACHE GOPATH
		"$GO_TOOL" build -o "$_gt_tmp" "$_gt_src"
	) >"$TRASH/go-tool-build.log" 2>&1; then
		echo "go_tool_build: go build of $_gt_src failed:" >&2
		cat "$TRASH/go-tool-build.log" >&2
		rm -f "$_gt_tmp"
		return 1
	fi
	mv -f "$_gt_tmp" "$GO_TOOL_BIN"
}

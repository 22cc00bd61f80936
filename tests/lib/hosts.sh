# tests/lib/hosts.sh: several piraeus hosts on one machine sharing one
# storage root, as behind a load balancer (README "Several hosts").  POSIX
# sh (dash); source it after testlib.sh.
#
# Host I (1, 2, 3...) is a contrib/serve run of its own -- lighttpd and
# its responders -- bound to the loopback address 127.0.0.I (all of 127/8
# is loopback on Linux) on one port shared by every host, with its own
# state directory (sqlite index, locks, caches) and INI; the storage root
# (and whatever else the INIs name) is shared.
#
#	hosts_loopback		skip the test (fail it under
#				PIRAEUS_REQUIRE_INTEG=1) unless 127.0.0.2 can
#				be bound here
#	hosts_start N STORAGE INIFN [SERVE FLAG...]
#				start hosts 1..N on storage root STORAGE
#				(shared); INIFN I STATE is called to
#				print host I's INI (STATE its state
#				directory, made here); each host's serve
#				output in $TRASH/host.I/serve.log, its logs in
#				STATE/run; bails out when one does not come up.
#				Sets HOSTS_N, HOSTS_PORT
#	host_url I		print http://127.0.0.I:PORT
#	host_state I		print host I's state directory
#	host_up I		start host I again (same INI, state, port)
#	host_kill I		SIGKILL every process of host I at once
#				(serve, its watchdog, lighttpd, responders): a
#				machine lost mid-request
#	host_stop I		stop host I cleanly (SIGTERM to serve)
#	hosts_storm N REF FILE...
#				N concurrent clients per host and FILE; sets
#				HOSTS_CODES ("COUNT STATUS" lines) and
#				HOSTS_BAD (200 answers not REF/FILE's bytes)
#	hosts_sanitizer_clean	a result: no ASan/UBSan report in the hosts'
#				logs

HOSTS_N=0
HOSTS_PORT=

# _hosts_reap: at exit (registered when this file is sourced, so it runs
# after every stop_bg the test registered, before the trash is removed),
# whatever still names a file below $TRASH or holds one open, but this
# shell: a server started in a subshell, whose pid this shell never
# learned (t2030's redis restarted mid-storm), a responder a killed
# host's lighttpd left.  SIGTERM, then SIGKILL.  Each pid checked again
# first, so that a pid reused meanwhile is not hit.
_hosts_reap()
{
	_hr_i=0
	while [ "$_hr_i" -lt 2 ]; do
		_hr_l=$(procs_of "$TRASH" | cut -d' ' -f1 | grep -vx "$$")
		[ -n "$_hr_l" ] || return 0
		if [ "$_hr_i" -eq 0 ]; then
			# shellcheck disable=SC2086
			kill -TERM $_hr_l 2>/dev/null
			sleep 1
		else
			# shellcheck disable=SC2086
			kill -KILL $_hr_l 2>/dev/null
		fi
		_hr_i=$((_hr_i + 1))
	done
	return 0
}
at_exit _hosts_reap
trap 'diag "hung up"; exit 129' HUP

hosts_loopback()
{
	if perl -MIO::Socket::INET -e 'IO::Socket::INET->new(
	    LocalAddr => "127.0.0.2", LocalPort => 0, Listen => 1,
	    Proto => "tcp") or exit 1' 2>/dev/null; then
		return 0
	fi
	if [ "${PIRAEUS_REQUIRE_INTEG:-0}" = 1 ]; then
		_tl_done=1
		echo "1..1"
		echo "not ok 1 - cannot bind 127.0.0.2 (PIRAEUS_REQUIRE_INTEG=1)"
		exit 1
	fi
	skip_all "cannot bind 127.0.0.2: no loopback /8 here"
}

host_url()
{
	echo "http://127.0.0.$1:$HOSTS_PORT"
}

host_state()
{
	echo "$TRASH/host.$1/state"
}

# _hosts_pid I: the pid of host I's serve, when it runs.
_hosts_pid()
{
	cat "$TRASH/host.$1/serve.pid" 2>/dev/null
}

host_up()
{
	_hs_d=$TRASH/host.$1
	# (Removed first: the new serve truncates it in the background,
	# after wait_line may have read the old "serving on" line.)
	rm -f "$_hs_d/serve.log"
	start_bg "$_hs_d/serve.log" env -u GOPRIVATE -u GONOPROXY \
	    -u GONOSUMDB "$top_srcdir/contrib/serve" --server lighttpd \
	    --bind "127.0.0.$1" --port "$HOSTS_PORT" \
	    --storage "$HOSTS_STORAGE" --state "$_hs_d/state" \
	    --fcgi "$PIRAEUS_FCGI" --config "$_hs_d/p.ini" --procs 2 \
	    $HOSTS_FLAGS
	echo "$BG_PID" >"$_hs_d/serve.pid"
	wait_line "$_hs_d/serve.log" \
	    "serving on http://127\\.0\\.0\\.$1:$HOSTS_PORT/" 60 "$BG_PID" || {
		diag_file "$_hs_d/serve.log"
		bail_out "host $1 did not come up"
	}
}

hosts_start()
{
	_hs_n=$1 HOSTS_STORAGE=$2 _hs_fn=$3
	shift 3
	HOSTS_FLAGS="$*"
	HOSTS_PORT=$(free_port) || bail_out "no free port"
	_hs_i=1
	while [ "$_hs_i" -le "$_hs_n" ]; do
		mkdir -p "$TRASH/host.$_hs_i/state" || bail_out "mkdir"
		"$_hs_fn" "$_hs_i" "$TRASH/host.$_hs_i/state" \
		    >"$TRASH/host.$_hs_i/p.ini" || bail_out "INI of host $_hs_i"
		at_exit reap_state "$TRASH/host.$_hs_i/state"
		host_up "$_hs_i"
		_hs_i=$((_hs_i + 1))
	done
	HOSTS_N=$_hs_n
}

host_kill()
{
	_hk_l="$(_hosts_pid "$1") $(procs_of "$(host_state "$1")" |
	    cut -d' ' -f1)"
	_hk_i=0
	# Again on whatever is left (a responder lighttpd was starting):
	# up to 10 s.
	while [ -n "$_hk_l" ] && [ "$_hk_i" -lt 100 ]; do
		# shellcheck disable=SC2086
		kill -KILL $_hk_l 2>/dev/null
		sleep 0.1
		_hk_l=$(procs_of "$(host_state "$1")" | cut -d' ' -f1)
		_hk_i=$((_hk_i + 1))
	done
	_hk_p=$(_hosts_pid "$1")
	[ -z "$_hk_p" ] || wait "$_hk_p" 2>/dev/null
	rm -f "$TRASH/host.$1/serve.pid"
	return 0
}

host_stop()
{
	_hp=$(_hosts_pid "$1")
	[ -z "$_hp" ] || stop_bg "$_hp"
	rm -f "$TRASH/host.$1/serve.pid"
}

# hosts_cold_storm MS: 32 clients per host on each of three cold fixture
# zips (HOSTS_ZIPS, below the root) at once, the upstream holding each zip
# MS ms; checks that all 288 got 200 and the upstream's bytes (REF).
HOSTS_ZIPS="github.com/!fixture/!upper/@v/v1.0.0.zip
github.com/fixture/retract/@v/v1.0.0.zip
github.com/fixture/allretract/@v/v1.0.1.zip"
hosts_cold_storm()
{
	upstream_reset
	upstream_fault '*.zip' delay ms="$1" >/dev/null
	_hs0=$(date +%s)
	# shellcheck disable=SC2086 # the names hold no white space
	hosts_storm 32 "$REF" $HOSTS_ZIPS
	diag "storm of 3 x 32 clients on 3 zips: $(( $(date +%s) - _hs0 )) s"
	upstream_fault '*.zip' none >/dev/null
	is "$HOSTS_CODES" "288 200" "all 288 clients got 200"
	is "$HOSTS_BAD" 0 "every client got the upstream's bytes"
}

# hosts_storm N REF FILE...: N clients per host and FILE at once (curl),
# each FILE (a path below the root) asked of every host; then the tally:
# HOSTS_CODES gets "COUNT STATUS" lines (sorted), HOSTS_BAD the number of
# 200 answers whose body differs from REF/FILE.  Bodies in $TRASH/storm.
hosts_storm()
{
	_st_n=$1 _st_ref=$2
	shift 2
	rm -rf "$TRASH/storm"
	mkdir -p "$TRASH/storm"
	_st_pids=
	for _st_f in "$@"; do
		_st_i=1
		while [ "$_st_i" -le "$HOSTS_N" ]; do
			_st_c=0
			while [ "$_st_c" -lt "$_st_n" ]; do
				_st_o=$TRASH/storm/$(echo "$_st_f" |
				    tr '/@!' '___').$_st_i.$_st_c
				curl -s -o "$_st_o" -w '%{http_code}\n' \
				    "$(host_url "$_st_i")/$_st_f" >"$_st_o.code" &
				_st_pids="$_st_pids $!"
				_st_c=$((_st_c + 1))
			done
			_st_i=$((_st_i + 1))
		done
	done
	# (Not a bare wait: the hosts run in the background too.)
	for _st_p in $_st_pids; do
		wait "$_st_p"
	done
	HOSTS_CODES=$(cat "$TRASH"/storm/*.code | sort | uniq -c |
	    sed 's/^ *//')
	HOSTS_BAD=0
	for _st_f in "$@"; do
		for _st_o in "$TRASH/storm/$(echo "$_st_f" | tr '/@!' '___')".*
		do
			case $_st_o in *.code) continue ;; esac
			[ "$(cat "$_st_o.code")" = 200 ] || continue
			cmp -s "$_st_o" "$_st_ref/$_st_f" ||
			    HOSTS_BAD=$((HOSTS_BAD + 1))
		done
	done
}

# hosts_sanitizer_clean: a result: no AddressSanitizer or UBSan report in
# any host's logs (the responders' stderr is responder.log).
hosts_sanitizer_clean()
{
	is "$(cat "$TRASH"/host.*/state/run/*.log 2>/dev/null |
	    grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' |
	    head -n 3)" "" "no sanitizer report in the hosts' logs"
}

# tests/lib/sumdb.sh: an independent checksum database (sumdb) for the tests
# of piraeus's sumdb support.  POSIX sh (dash); source it after testlib.sh:
#
#	. "$top_srcdir/tests/lib/sumdb.sh"
#
# The database is tests/sumdb/testsumdb.go (see the comment at its top for
# every flag): the reference server of golang.org/x/mod/sumdb, adding the
# go.sum lines of a GOPROXY tree's module versions to its log as they are
# looked up.  It is built with the go command, offline, against Debian's
# golang.org/x/mod (golang-golang-x-mod-dev, in /usr/share/gocode, or
# $SUMDB_GOCODE), the first time it is needed into
# $top_builddir/tests/sumdb-bin (or $TRASH when that is not writable) and
# rebuilt when testsumdb.go is newer.  Set SUMDB_BIN to use a binary built
# elsewhere.
#
#	sumdb_build		build it if needed; sets SUMDB_BIN
#	sumdb_start ROOT [FLAG...]
#				serve the sums of the GOPROXY tree ROOT on
#				127.0.0.1 (a free port) in the background,
#				stopped at exit; FLAGs go to testsumdb (-name N,
#				-key FILE, -prefix P, -wrong MOD@VER, -preload
#				FILE).  Sets SUMDB_URL (http://127.0.0.1:PORT,
#				plus the -prefix if any, no slash at the end),
#				SUMDB_VKEY (the verifier key), SUMDB_NAME (its
#				name part, e.g. sum.test), SUMDB_PID, SUMDB_LOG
#				(one line per request: "METHOD PATH STATUS",
#				PATH as requested, decoded, with the prefix) and
#				SUMDB_OUT (its stdout and stderr).  So
#				GOSUMDB="$SUMDB_VKEY $SUMDB_URL" points the go
#				command at it.
#	sumdb_log		print the request log
#	sumdb_count STRING	print how many requests had a PATH containing
#				STRING, a fixed string, not a regex (paths have
#				"." and "+"), e.g. /lookup/example.com/m@v1.0.0,
#				/latest, /tile/; "" counts every request.  (For
#				a regex: sumdb_log | grep -cE ERE.)
#	sumdb_stop		stop it now
#
# The log only grows; ": >\"$SUMDB_LOG\"" empties it (the server appends).

SUMDB_SRC=$top_srcdir/tests/sumdb/testsumdb.go
_sdb_n=0

sumdb_build()
{
	if [ -n "${SUMDB_BIN:-}" ] && [ -x "$SUMDB_BIN" ]; then
		return 0
	fi
	go_tool_build "$SUMDB_SRC" sumdb-bin || {
		echo "sumdb_build: golang-golang-x-mod-dev installed?" >&2
		return 1
	}
	SUMDB_BIN=$GO_TOOL_BIN
}

sumdb_start()
{
	_sdb_root=$1
	shift
	sumdb_build || return 1
	_sdb_n=$((_sdb_n + 1))
	SUMDB_OUT=$TRASH/sumdb.$_sdb_n.out
	SUMDB_LOG=$TRASH/sumdb.$_sdb_n.log
	SUMDB_URL=
	SUMDB_VKEY=
	SUMDB_NAME=
	start_bg "$SUMDB_OUT" "$SUMDB_BIN" -root "$_sdb_root" \
	    -addr 127.0.0.1:0 -log "$SUMDB_LOG" "$@"
	SUMDB_PID=$BG_PID
	if ! wait_line "$SUMDB_OUT" '^listening on http://' 20 "$SUMDB_PID"
	then
		echo "sumdb_start: testsumdb did not start:" >&2
		cat "$SUMDB_OUT" >&2
		return 1
	fi
	SUMDB_VKEY=$(sed -n 's/^vkey //p' "$SUMDB_OUT" | head -n 1)
	SUMDB_NAME=${SUMDB_VKEY%%+*}
	SUMDB_URL=$(sed -n 's/^listening on //p' "$SUMDB_OUT" | head -n 1)
	# The URL the go command needs is the one of the served tree.
	_sdb_p=
	_sdb_prev=
	for _sdb_a in "$@"; do
		case $_sdb_prev in
		-prefix|--prefix) _sdb_p=$_sdb_a ;;
		esac
		case $_sdb_a in
		-prefix=*|--prefix=*) _sdb_p=${_sdb_a#*=} ;;
		esac
		_sdb_prev=$_sdb_a
	done
	while [ "${_sdb_p%/}" != "$_sdb_p" ]; do
		_sdb_p=${_sdb_p%/}
	done
	case $_sdb_p in
	''|/*)	;;
	*)	_sdb_p=/$_sdb_p ;;
	esac
	SUMDB_URL=$SUMDB_URL$_sdb_p
	[ -n "$SUMDB_URL" ] && [ -n "$SUMDB_VKEY" ]
}

sumdb_log()
{
	cat "$SUMDB_LOG" 2>/dev/null
	return 0
}

sumdb_count()
{
	if [ ! -f "$SUMDB_LOG" ]; then
		echo 0
		return 0
	fi
	# PATH is what lies between the first and the last space.
	_SDB_S=$1 awk '{
		p = $0
		sub(/^[^ ]* /, "", p)
		sub(/ [^ ]*$/, "", p)
		s = ENVIRON["_SDB_S"]
		if (s == "" || index(p, s))
			n++
	} END { print n + 0 }' "$SUMDB_LOG"
}

sumdb_stop()
{
	[ -n "${SUMDB_PID:-}" ] || return 0
	stop_bg "$SUMDB_PID"
	SUMDB_PID=
}

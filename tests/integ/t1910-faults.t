#!/bin/sh
# t1910-faults.t: the fault matrix of issue 11 that t1400-fetch.t does not
# cover, through a real lighttpd (contrib/serve) and the fake upstream:
#   - upstream: a redirect loop (502), a body that never ends (cut at the
#     cap, 502), a slow trickle under low_speed_time (504); nothing stored,
#     no temporary file left;
#   - the responder killed with SIGKILL at each step of a fetch and a
#     publish (fault points, a build configured --enable-fault-points):
#     after each kill every .info has its .mod and .zip, every stored file
#     is the upstream's, the next request completes the version and the
#     index agrees (after it, or after `piraeus reindex`); and SIGTERM to
#     an idle responder whose publisher thread is still publishing (a
#     fault point stalls it): the version is published whole first;
#   - sqlite: another process holding the index's write lock longer than
#     the busy timeout gives a clear 503, not a hang (hits still served);
#     a corrupt index file is rebuilt from the tree at start;
#   - storage read-only (a read-only bind mount): hits served, a miss is a
#     clear 503; disk full (a full tmpfs as the storage root): a miss is a
#     clear 503, nothing partial, and it heals once there is room.
# The mounts need a private mount namespace (unshare -m, as root): the test
# runs itself in one, or skips those parts and says why.
if [ -z "${T1910_NS:-}" ] && [ "$(id -u)" = 0 ] &&
    unshare -m --propagation private true 2>/dev/null; then
	T1910_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need go git curl lighttpd sha256sum sqlite3

upstream_fixtures

S=$TRASH/storage
T=$TRASH/state
FD=$TRASH/faultpoints
mkdir -p "$S" "$T" "$FD"
cat >"$TRASH/p.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = $UPSTREAM_URL
network_mode = fallback
retries = 0
timeout = 20
low_speed_time = 2
wait_timeout = 20
max_redirects = 3
[sumdb]
verify = no
INI
export PIRAEUS_TEST_FAULT_DIR="$FD"
serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$TRASH/p.ini" -- --procs 1

code()
{
	_m=$1 _u=$2
	shift 2
	curl -s -m 60 -X "$_m" -o "$TRASH/b" -w '%{http_code}' "$@" "$_u"
}
why()
{
	head -n 1 "$TRASH/b" | sed 's/^.*\(.\{60\}\)$/...\1/'
}
ntmp()
{
	find "$S/.tmp" -type f 2>/dev/null | wc -l | tr -d ' '
}
# nothing_of MODULE VERSION: no file of it in the tree.
nothing_of()
{
	! ls "$S/$1/@v/$2".* >/dev/null 2>&1
}
# tree_sound: every .info has its .mod and .zip; every stored file is
# the upstream's, byte for byte; the problems on stderr.
tree_sound()
{
	_ts=0
	for _f in $(cd "$S" && find . -path ./.tmp -prune -o -type f \
	    \( -name '*.info' -o -name '*.mod' -o -name '*.zip' \) -print); do
		_f=${_f#./}
		if ! cmp -s "$S/$_f" "$REF/$_f"; then
			echo "differs from the upstream's: $_f" >&2
			_ts=1
		fi
		case $_f in
		*.info)
			for _x in mod zip; do
				[ -f "$S/${_f%.info}.$_x" ] || {
					echo "$_f without its .$_x" >&2
					_ts=1
				}
			done ;;
		esac
	done
	return $_ts
}
# indexed MODULE VERSION: the index's zip SHA-256 of it.
indexed()
{
	sqlite3 "$T/index.sqlite" "SELECT zip_sha256 FROM versions WHERE \
	    module = '$1' AND version = '$2'" 2>/dev/null
}

# --- upstream faults t1400 does not make ---
F=github.com/fixture/multi
# A redirect loop: each answer redirects to itself (max_redirects = 3).
upstream_reset
upstream_fault "/$F/@v/v1.0.0.zip" redirect "to=$UPSTREAM_URL/$F/@v/v1.0.0.zip"
is "$(code GET "$URL/$F/@v/v1.0.0.zip")" 502 "redirect loop: 502"
like "$(why)" '[Rr]edirect' "redirect loop: the body says so ($(why))"
is "$(upstream_count "/$F/@v/v1.0.0.zip")" 4 "redirect loop: 1 + max_redirects requests"
ok "redirect loop: nothing stored" nothing_of "$F" v1.0.0
is "$(ntmp)" 0 "redirect loop: no temporary file left"

# A body that never ends: cut at the cap of the file (.info 64 KiB, go.mod
# 16 MiB), 502, nothing stored.
for ext in info mod; do
	upstream_reset
	upstream_fault "/$F/@v/v1.1.0.$ext" endless
	t0=$(date +%s)
	is "$(code GET "$URL/$F/@v/v1.1.0.$ext")" 502 "endless .$ext: 502"
	t1=$(date +%s)
	like "$(why)" 'larger than' "endless .$ext: cut at the cap ($(why))"
	ok "endless .$ext: answered in $((t1 - t0)) s" test $((t1 - t0)) -lt 15
	ok "endless .$ext: nothing stored" nothing_of "$F" v1.1.0
	is "$(ntmp)" 0 "endless .$ext: no temporary file left"
done

# A trickle (10 bytes a second, under the 1 KiB/s low-speed limit): cut
# after low_speed_time, long before the total timeout (20 s).
upstream_reset
upstream_fault "/$F/@v/v1.1.0.zip" trickle ms=100
t0=$(date +%s)
is "$(code GET "$URL/$F/@v/v1.1.0.zip")" 504 "trickle: 504"
t1=$(date +%s)
like "$(head -n 1 "$TRASH/b")" 'too slow' "trickle: the low-speed limit fired ($(why))"
ok "trickle: $((t1 - t0)) s, under the total timeout" test $((t1 - t0)) -lt 15
ok "trickle: nothing stored" nothing_of "$F" v1.1.0
is "$(ntmp)" 0 "trickle: no temporary file left"
upstream_reset
is "$(code GET "$URL/$F/@v/v1.1.0.zip")" 200 "after the faults: 200"
ok "after the faults: the tree is sound" tree_sound

# --- SIGKILL at each step of a fetch and a publish ---
if grep -q PIRAEUS_TEST_FAULT_DIR "$PIRAEUS_FCGI"; then
	# step module version (escaped module path as stored; the module
	# path as the index has it)
	set -- \
	    fetch-tmp github.com/fixture/retract v1.0.0 \
	    check github.com/fixture/retract v1.1.0 \
	    publish-zip github.com/fixture/major v1.0.0 \
	    publish-mod github.com/fixture/mono v1.0.0 \
	    publish-info github.com/fixture/nomod v1.0.0 \
	    index github.com/fixture/incompat v2.1.0+incompatible
	while [ $# -ge 3 ]; do
		step=$1 m=$2 v=$3
		shift 3
		: >"$FD/$step"
		upstream_reset
		st=$(code GET "$URL/$m/@v/$v.zip")
		# A publish runs after the answer is out: wait for the kill.
		ok "kill at $step: the fault point fired (the client got $st)" \
		    wait_line "$T/run/responder.log" \
		    "fault point $step: SIGKILL" 20
		pid=$(sed -n "s/^piraeus.fcgi\[\([0-9]*\)\]: fault point $step:.*/\1/p" \
		    "$T/run/responder.log")
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		nok "kill at $step: the responder is gone" kill -0 "$pid"
		# lighttpd starts a new one (503 from lighttpd until then).
		i=0
		while [ "$(code GET "$URL/healthz")" != 200 ] && [ $i -lt 100 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		is "$(code GET "$URL/healthz")" 200 "kill at $step: a new responder answers"
		ok "kill at $step: the tree is sound" tree_sound
		# Whatever is visible was published whole: a .info only last.
		case $step in
		fetch-tmp|check|publish-zip|publish-mod)
			nok "kill at $step: no .info visible" \
			    test -e "$S/$m/@v/$v.info" ;;
		*)	ok "kill at $step: the version is complete" \
			    test -e "$S/$m/@v/$v.info" ;;
		esac
		for ext in info mod zip; do
			is "$(code GET "$URL/$m/@v/$v.$ext")" 200 \
			    "kill at $step: then .$ext is 200" ||
			    diag "$(cat "$TRASH/b")"
			is_file "$TRASH/b" "$REF/$m/@v/$v.$ext" \
			    "kill at $step: the upstream's .$ext"
		done
		i=0
		while [ ! -e "$S/$m/@v/$v.info" ] && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		ok "kill at $step: the tree is sound after" tree_sound
		want=$(sha256sum <"$REF/$m/@v/$v.zip" | cut -d ' ' -f 1)
		got=$(indexed "$m" "$v")
		if [ "$got" != "$want" ]; then
			diag "kill at $step: index has '$got' after the next requests: reindex"
			PIRAEUS_CONFIG="$TRASH/p.ini" "$PIRAEUS" reindex \
			    >"$TRASH/reindex.log" 2>&1 ||
			    diag_file "$TRASH/reindex.log"
			got=$(indexed "$m" "$v")
		fi
		is "$got" "$want" "kill at $step: the index agrees"
	done

	# SIGTERM to an idle responder while its publisher thread still
	# publishes the version it answered (the fault point "publisher"
	# stalls the thread 4 s before the publish): the thread finishes the
	# publish, then the process exits; the version is complete, nothing
	# is left in .tmp, the index agrees.
	m=github.com/fixture/multi v=v1.2.0
	upstream_reset
	# What the kills above left in .tmp (their processes are gone) would
	# hide this fetch's files.
	find "$S/.tmp" -type f -exec rm -f {} +
	printf 'sleep 4000\n' >"$FD/publisher"
	is "$(code GET "$URL/$m/@v/$v.zip")" 200 "SIGTERM while publishing: answered"
	is_file "$TRASH/b" "$REF/$m/@v/$v.zip" "SIGTERM while publishing: the upstream's zip"
	ok "SIGTERM while publishing: the thread stalls in the publish" \
	    wait_line "$T/run/responder.log" "fault point publisher: sleeping" 20
	pid=$(sed -n "s/^piraeus.fcgi\[\([0-9]*\)\]: fault point publisher: sleeping.*/\1/p" \
	    "$T/run/responder.log")
	# The answer is out and the deferred work done: the main thread is
	# back in accept (idle) well within this.
	sleep 0.5
	nok "SIGTERM while publishing: not published yet" \
	    test -e "$S/$m/@v/$v.info"
	kill -TERM "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	nok "SIGTERM while publishing: the responder is gone" kill -0 "$pid"
	ok "SIGTERM while publishing: the thread woke and went on" \
	    grep -q "^piraeus.fcgi\[$pid\]: fault point publisher: slept" \
	    "$T/run/responder.log"
	ok "SIGTERM while publishing: the version is complete" \
	    test -e "$S/$m/@v/$v.info"
	for ext in info mod zip; do
		is_file "$S/$m/@v/$v.$ext" "$REF/$m/@v/$v.$ext" \
		    "SIGTERM while publishing: the stored .$ext is the upstream's"
	done
	is "$(ntmp)" 0 "SIGTERM while publishing: nothing left in .tmp"
	is "$(indexed "$m" "$v")" \
	    "$(sha256sum <"$REF/$m/@v/$v.zip" | cut -d ' ' -f 1)" \
	    "SIGTERM while publishing: the index agrees"
	i=0
	while [ "$(code GET "$URL/healthz")" != 200 ] && [ $i -lt 100 ]; do
		sleep 0.2
		i=$((i + 1))
	done
else
	skip "SIGKILL at each step" "piraeus.fcgi built without --enable-fault-points"
fi

# --- sqlite: the index's write lock held longer than the busy timeout ---
# (5 s: INDEX_BUSY_MS).  A miss needs the lock table: a clear 503 or 504
# within seconds, not a hang; a stored file is still served.
B=github.com/fixture/allretract
upstream_reset
mkfifo "$TRASH/lockfifo"
sqlite3 "$T/index.sqlite" <"$TRASH/lockfifo" >"$TRASH/lock.out" 2>&1 &
LOCKER=$!
exec 7>"$TRASH/lockfifo"
echo 'BEGIN EXCLUSIVE; SELECT 1;' >&7
wait_line "$TRASH/lock.out" '^1$' 10
t0=$(date +%s)
st=$(code GET "$URL/$B/@v/v1.0.0.zip")
t1=$(date +%s)
like "$st" '^50[34]$' "index locked: a miss is $st ($(why))"
ok "index locked: answered in $((t1 - t0)) s, no hang (one busy wait, not one per statement)" test $((t1 - t0)) -lt 10
is "$(code GET "$URL/$F/@v/v1.1.0.zip")" 200 "index locked: a stored zip is still served"
echo 'COMMIT;' >&7
exec 7>&-
wait "$LOCKER"
is "$(code GET "$URL/$B/@v/v1.0.0.zip")" 200 "index unlocked: the miss is fetched"
ok "index unlocked: the tree is sound" tree_sound

stop_bg "$SERVE_PID"

# --- a corrupt index file ---
# Decided: the responder does not rebuild it (many responders would race,
# and a rebuild walks the whole tree): hits are served, a miss is a clear
# 503 naming the file; the operator moves it aside and runs reindex.
rm -f "$T/index.sqlite-wal" "$T/index.sqlite-shm"
printf 'this is not an sqlite file, its header is overwritten' |
    dd of="$T/index.sqlite" bs=1 conv=notrunc 2>/dev/null
serve_lighttpd "$TRASH/serve.corrupt.log" "$S" "$T" "$TRASH/p.ini" -- --procs 1
is "$(code GET "$URL/$F/@v/v1.1.0.info")" 200 "corrupt index: a hit is 200"
upstream_reset
is "$(code GET "$URL/$B/@v/v1.0.1.zip")" 503 "corrupt index: a miss is 503"
like "$(head -n 1 "$TRASH/b")" 'index\.sqlite: file is not a database' \
    "corrupt index: the body names the file and the fault ($(why))"
is "$(upstream_count '*')" 0 "corrupt index: the upstream is not asked"
stop_bg "$SERVE_PID"
mv "$T/index.sqlite" "$T/index.sqlite.corrupt"
PIRAEUS_CONFIG="$TRASH/p.ini" "$PIRAEUS" reindex >"$TRASH/reindex.log" 2>&1
ok $? "corrupt index moved aside: reindex rebuilds it"
want=$(sha256sum <"$REF/$F/@v/v1.1.0.zip" | cut -d ' ' -f 1)
is "$(indexed "$F" v1.1.0)" "$want" "corrupt index: rebuilt from the tree"
rm -rf "$S/.tmp"

# --- storage read-only; disk full ---
if [ -z "${T1910_NS:-}" ]; then
	skip "read-only storage and disk full" "needs root and unshare -m"
	done_testing
fi
mount --bind "$S" "$S" && mount -o remount,bind,ro "$S" ||
    bail_out "read-only bind mount"
serve_lighttpd "$TRASH/serve.ro.log" "$S" "$T" "$TRASH/p.ini" -- --procs 1
is "$(code GET "$URL/$F/@v/v1.1.0.zip")" 200 "read-only storage: a static hit is 200"
is "$(code GET "$URL/$F/@v/list")" 200 "read-only storage: a list is 200"
upstream_reset
is "$(code GET "$URL/github.com/fixture/mono/sub/@v/v1.0.0.zip")" 503 \
    "read-only storage: a miss is 503 ($(why))"
like "$(head -n 1 "$TRASH/b")" '[Rr]ead-only' "read-only storage: the body says why"
stop_bg "$SERVE_PID"
umount "$S"

D=$TRASH/small
mkdir -p "$D"
mount -t tmpfs -o size=256k tmpfs "$D" || bail_out "tmpfs"
cp -a "$S/." "$D/" 2>/dev/null
sed "s|^root = .*|root = $D|" "$TRASH/p.ini" >"$TRASH/small.ini"
dd if=/dev/zero of="$D/.fill" bs=4k 2>/dev/null
S=$D
serve_lighttpd "$TRASH/serve.full.log" "$S" "$T" "$TRASH/small.ini" -- --procs 1
M2=github.com/fixture/mono/sub
upstream_reset
is "$(code GET "$URL/$M2/@v/v1.0.0.zip")" 503 "disk full: a miss is 503 ($(why))"
like "$(head -n 1 "$TRASH/b")" 'space' "disk full: the body says why"
ok "disk full: nothing stored" nothing_of "$M2" v1.0.0
is "$(ntmp)" 0 "disk full: no temporary file left"
rm -f "$D/.fill"
upstream_reset
is "$(code GET "$URL/$M2/@v/v1.0.0.zip")" 200 "room again: the miss is fetched"
ok "room again: the tree is sound" tree_sound
stop_bg "$SERVE_PID"

done_testing

#!/bin/bash
# bench/load.sh -- a mixed load against piraeus behind lighttpd (not a test).
#
# It starts on 127.0.0.1 the fake upstream (tests/upstream/fakeproxy.go
# -synth: any number of modules and versions made on demand), the test
# checksum database (tests/sumdb/testsumdb.go) and two contrib/serve
# lighttpd instances on one storage tree and state directory, each with
# BENCH_PROCS responders: the usual one (stored files are sent by lighttpd)
# and an --every-request one (every request passes a responder, which
# hands stored files back with X-Sendfile).  Then, for BENCH_SECS, one wrk
# per kind of request at the same time, BENCH_CONNS connections in all:
#
#	static     a stored .info/.mod/.zip, lighttpd alone    (conns 14/64)
#	responder  the same files through the every-request one (14/64)
#	list       <module>/@v/list (computed by a responder)   (10/64)
#	latest     <module>/@latest                             (10/64)
#	cold       a .zip of a module@version never fetched before: a
#	           fetch from the upstream, checks, publish     (6/64)
#	sumdb      /sumdb/<name>/lookup/<module>@<version> through the
#	           responder's checksum-db proxy                (10/64)
#
# It prints per kind the requests, req/s, p50 and p99 latency and the
# errors (every answer that is not 2xx/3xx, every socket error or
# timeout), and the resident memory (VmRSS) of both lighttpds and every
# responder at the start, the middle and the end of the load.  With
# ATHENS=/path/to/athens the same load (static and responder as one kind,
# "hits", with their connections and those of sumdb) also runs against Athens (disk storage,
# its go command's GOPROXY the same fake upstream) and the two are printed
# side by side.  See bench/README.
#
# usage: bench/load.sh [BUILDDIR]   (default: the current directory; it
#        must hold piraeus and piraeus.fcgi)
# environment: BENCH_SECS (60), BENCH_CONNS (64), BENCH_PROCS (4),
#        BENCH_RSS_GROWTH_KB (8192: the largest RSS growth from start to
#        end that counts as flat), ATHENS (an athens binary), BENCH_KEEP=1
#        keeps the scratch directory (configs, logs, wrk output).
# exit status: 0, 1 when a request failed or a process's RSS grew more
#        than the bound, 2 for set-up errors.
set -u -o pipefail
shopt -u patsub_replacement 2>/dev/null || true

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd "$here/.." && pwd -P)

die()
{
	echo "load: $*" >&2
	exit 2
}

case ${1:-} in
-h|--help)
	sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 0 ;;
esac
[ $# -le 1 ] || die "usage: bench/load.sh [BUILDDIR]"
secs=${BENCH_SECS:-60}
conns=${BENCH_CONNS:-64}
procs=${BENCH_PROCS:-4}
growth_kb=${BENCH_RSS_GROWTH_KB:-8192}
for v in "secs=$secs" "conns=$conns" "procs=$procs" "growth=$growth_kb"; do
	case ${v#*=} in
	''|*[!0-9]*|0*) die "bad ${v%%=*} '${v#*=}'" ;;
	esac
done
[ "$secs" -le 3600 ] || die "BENCH_SECS $secs is too long"
[ "$conns" -ge 8 ] && [ "$conns" -le 1024 ] ||
	die "BENCH_CONNS $conns: from 8 to 1024"
[ "$procs" -le 64 ] || die "BENCH_PROCS $procs is too many"
build=$(cd "${1:-.}" 2>/dev/null && pwd -P) || die "no build directory ${1:-.}"
fcgi=$build/piraeus.fcgi
[ -x "$build/piraeus" ] && [ -x "$fcgi" ] ||
	die "$build has no piraeus and piraeus.fcgi (build first, or give BUILDDIR)"
for t in wrk lighttpd curl setsid; do
	command -v "$t" >/dev/null || die "$t is not installed"
done
gotool=${PIRAEUS_TEST_GO_DEBIAN:-/usr/lib/go-1.19/bin/go}
[ -x "$gotool" ] || gotool=/usr/local/go/bin/go
[ -x "$gotool" ] || die "no go command to build the fake upstream"
if [ -n "${ATHENS:-}" ]; then
	[ -x "$ATHENS" ] || die "ATHENS=$ATHENS is not executable"
fi

# The caller's PIRAEUS_* and GO* variables must not change the numbers.
for n in $(compgen -e); do
	case $n in
	PIRAEUS_*|GO*) unset "$n" ;;
	esac
done

tmp=$(mktemp -d /tmp/piraeus-load.XXXXXX) || die "mktemp failed"

# --- processes ------------------------------------------------------------

pids=()		# what we started, each the leader of its own group

# start LOG CMD...: CMD in its own session, output to LOG; sets PID.
start()
{
	local log=$1
	shift
	setsid "$@" >"$log" 2>&1 </dev/null &
	PID=$!
	pids+=("$PID")
}

# stop PID: SIGTERM (contrib/serve stops its children), then the group.
stop()
{
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	kill -TERM -- "-$pid" 2>/dev/null
	sleep 0.2
	kill -KILL -- "-$pid" 2>/dev/null
	return 0
}

cleanup()
{
	local i
	trap '' INT TERM HUP
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		stop "${pids[$i]}"
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "load: scratch directory kept: $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

# wait_out FILE ERE [SECS]: until a line of FILE matches.
wait_out()
{
	local i
	for i in $(seq $((${3:-30} * 10))); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

free_port()
{
	local p
	for p in $(shuf -i 20000-60000 -n 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}

# descendants PID: PID and every process below it.
descendants()
{
	ps -e -o pid= -o ppid= | awk -v root="$1" '
	    { parent[$1] = $2; pids[NR] = $1 }
	    END {
		for (i = 1; i <= NR; i++) {
			p = pids[i]
			for (q = p; q != "" && q != 0 && q != 1; q = parent[q])
				if (q == root) { print p; break }
		}
	    }'
}

# --- the fake upstream and the checksum database ----------------------------

gobuild()	# SRC OUT [GOPATH]
{
	env -i PATH="$PATH" HOME="$tmp" GO111MODULE=off GOFLAGS= GOPROXY=off \
	    CGO_ENABLED=0 GOPATH="${3:-$tmp/gopath}" GOCACHE="$tmp/gocache" \
	    GOTOOLCHAIN=local "$gotool" build -o "$2" "$1" >"$tmp/gobuild.log" 2>&1 ||
	    { cat "$tmp/gobuild.log" >&2; die "cannot build $1"; }
}
echo "load: building the fake upstream and the checksum database" >&2
gobuild "$top/tests/upstream/fakeproxy.go" "$tmp/fakeproxy"
gobuild "$top/tests/sumdb/testsumdb.go" "$tmp/testsumdb" \
    "${SUMDB_GOCODE:-/usr/share/gocode}"

SYNTH=synth.example
mkdir -p "$tmp/empty"
start "$tmp/upstream.out" "$tmp/fakeproxy" -root "$tmp/empty" -synth "$SYNTH"
wait_out "$tmp/upstream.out" '^listening on ' 20 || die "fakeproxy did not start"
UP=$(sed -n 's/^listening on //p' "$tmp/upstream.out")

# The warm set: WARM_MODS modules, 2 versions each, copied from the
# upstream into a GOPROXY tree the checksum database serves.
WARM_MODS=20
warm=$tmp/warm
for i in $(seq "$WARM_MODS"); do
	m=$SYNTH/w$i
	mkdir -p "$warm/$m/@v"
	for v in v1.0.0 v1.0.1; do
		for x in info mod zip; do
			curl -sf -o "$warm/$m/@v/$v.$x" "$UP/$m/@v/$v.$x" ||
			    die "fakeproxy: $m/@v/$v.$x"
		done
	done
done
start "$tmp/sumdb.out" "$tmp/testsumdb" -root "$warm"
wait_out "$tmp/sumdb.out" '^listening on ' 20 || die "testsumdb did not start"
SUMDB_URL=$(sed -n 's/^listening on //p' "$tmp/sumdb.out")
SUMDB_VKEY=$(sed -n 's/^vkey //p' "$tmp/sumdb.out")
SUMDB_NAME=${SUMDB_VKEY%%+*}

# --- piraeus: two contrib/serve lighttpd instances --------------------------

S=$tmp/storage
T=$tmp/state
mkdir -p "$S" "$T"
cat >"$tmp/piraeus.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = $UP
[sumdb]
; The cold versions are not in the checksum database: no verification
; (it would be a 404 for each); /sumdb/ lookups are proxied all the same.
verify = no
via_proxy = no
databases = $SUMDB_VKEY $SUMDB_URL
INI
PIRAEUS_CONFIG=$tmp/piraeus.ini "$build/piraeus" reindex \
    >"$tmp/reindex.log" 2>&1 </dev/null || die "reindex: $(cat "$tmp/reindex.log")"

# serve NAME [FLAG...]: a contrib/serve lighttpd instance; sets its PORT_x.
serve()
{
	local name=$1 port
	shift
	port=$(free_port) || die "no free port"
	mkdir -p "$tmp/run-$name"
	start "$tmp/serve-$name.out" "$top/contrib/serve" --server lighttpd \
	    --port "$port" --storage "$S" --state "$T" --fcgi "$fcgi" \
	    --config "$tmp/piraeus.ini" --rundir "$tmp/run-$name" \
	    --procs "$procs" "$@"
	eval "SERVE_$name=\$PID PORT_$name=\$port"
	wait_out "$tmp/serve-$name.out" "serving on http://127\.0\.0\.1:$port/" 60 ||
	    die "contrib/serve $name: $(tail -n 5 "$tmp/serve-$name.out")"
}
echo "load: starting lighttpd + $procs responders, twice" >&2
serve main
serve every --every-request
MAIN=http://127.0.0.1:$PORT_main
EVERY=http://127.0.0.1:$PORT_every

# --- the paths of each kind ---------------------------------------------------

# Files of the warm set, fetched once (through the responder) first.
: >"$tmp/paths.hits"
: >"$tmp/paths.list"
: >"$tmp/paths.latest"
: >"$tmp/paths.sumdb"
for i in $(seq "$WARM_MODS"); do
	m=$SYNTH/w$i
	for v in v1.0.0 v1.0.1; do
		for x in info mod zip; do
			echo "/$m/@v/$v.$x" >>"$tmp/paths.hits"
		done
		echo "/sumdb/$SUMDB_NAME/lookup/$m@$v" >>"$tmp/paths.sumdb"
	done
	echo "/$m/@v/list" >>"$tmp/paths.list"
	echo "/$m/@latest" >>"$tmp/paths.latest"
done
echo "/sumdb/$SUMDB_NAME/latest" >>"$tmp/paths.sumdb"

# warm BASE: fetch every path of the warm set once; each must be 200.
warm_up()
{
	local p c
	for p in $(cat "$tmp/paths.hits" "$tmp/paths.list" \
	    "$tmp/paths.latest" "$tmp/paths.sumdb"); do
		c=$(curl -s -m 60 -o /dev/null -w '%{http_code}' "$1$p")
		[ "$c" = 200 ] || die "warm-up: $1$p: $c"
	done
}
warm_up "$MAIN"

# The lua script: paths from a file (round robin from a random start), or
# (cold) a module@version of its own per request; done() prints
# "RESULT kind requests non2xx3xx connect read write timeout p50us p99us".
cat >"$tmp/load.lua" <<'EOF'
-- (done() runs in wrk's main Lua state, where init() never ran: the
-- parameters come from the environment.)
local kind, seed = os.getenv("LOAD_KIND"), os.getenv("LOAD_SEED")
local file, paths, n = os.getenv("LOAD_PATHS"), {}, 0
function init(args)
	if file ~= "-" then
		for line in io.lines(file) do paths[#paths + 1] = line end
		n = math.random(#paths)
	end
end
function request()
	n = n + 1
	if #paths == 0 then
		return wrk.format("GET", string.format(
		    "/synth.example/c%s-%d/@v/v1.%d.0.zip", seed,
		    math.floor(n / 100), n % 100))
	end
	return wrk.format("GET", paths[(n % #paths) + 1])
end
function done(s, lat, req)
	io.write(string.format("RESULT %s %d %d %d %d %d %d %d %d\n", kind,
	    s.requests, s.errors.status, s.errors.connect, s.errors.read,
	    s.errors.write, s.errors.timeout, lat:percentile(50),
	    lat:percentile(99)))
end
EOF

# --- memory -------------------------------------------------------------------

# rss_sample LABEL NAME=ROOT...: "LABEL PID NAME/PROGRAM RSS_KB" for each
# lighttpd, piraeus.fcgi or athens below each root.
rss_sample()
{
	local label=$1 root p exe rss
	shift
	for root in "$@"; do
		for p in $(descendants "${root#*=}"); do
			exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
			case ${exe##*/} in
			lighttpd|piraeus.fcgi) ;;
			*)	[ -n "${ATHENS:-}" ] &&
				    [ "${exe##*/}" = "${ATHENS##*/}" ] || continue ;;
			esac
			rss=$(awk '$1 == "VmRSS:" { print $2 }' \
			    "/proc/$p/status" 2>/dev/null)
			[ -n "$rss" ] && echo "$label $p ${root%%=*}/${exe##*/} $rss"
		done
	done
}

# --- a run ----------------------------------------------------------------------

# run NAME KIND:BASE:PATHS:CONNS...: one wrk per kind, all at once, RSS
# samples of the roots ROOTS at start, middle and end into $tmp/NAME.rss.
run()
{
	local name=$1 spec kind base paths c wpids=() out
	shift
	: >"$tmp/$name.rss"
	rss_sample start $ROOTS >>"$tmp/$name.rss"
	for spec in "$@"; do
		IFS=: read -r kind base paths c <<<"$spec"
		base=${base//|/:}
		out=$tmp/$name.$kind.wrk
		LOAD_KIND=$kind LOAD_PATHS=$paths LOAD_SEED=$name$RANDOM \
		    wrk -t1 -c"$c" -d"${secs}s" --timeout 30s --latency \
		    -s "$tmp/load.lua" "$base" >"$out" 2>&1 &
		wpids+=($!)
	done
	sleep $((secs / 2))
	rss_sample middle $ROOTS >>"$tmp/$name.rss"
	for c in "${wpids[@]}"; do
		wait "$c"
	done
	rss_sample end $ROOTS >>"$tmp/$name.rss"
	cat "$tmp/$name".*.wrk | grep '^RESULT' >"$tmp/$name.results"
}

# Connections per kind, in 64ths of BENCH_CONNS (the rest to static).
share()
{
	local n=$(( conns * $1 / 64 ))
	[ "$n" -ge 1 ] || n=1
	echo "$n"
}
c_resp=$(share 14) c_list=$(share 10) c_latest=$(share 10)
c_cold=$(share 6) c_sumdb=$(share 10)
c_static=$((conns - c_resp - c_list - c_latest - c_cold - c_sumdb))
[ "$c_static" -ge 1 ] || die "BENCH_CONNS $conns is too few"

u() { echo "${1//:/|}"; }
echo "load: piraeus: ${secs} s, $conns connections" >&2
ROOTS="main=$SERVE_main every=$SERVE_every"
run piraeus \
    "static:$(u "$MAIN"):$tmp/paths.hits:$c_static" \
    "responder:$(u "$EVERY"):$tmp/paths.hits:$c_resp" \
    "list:$(u "$MAIN"):$tmp/paths.list:$c_list" \
    "latest:$(u "$MAIN"):$tmp/paths.latest:$c_latest" \
    "cold:$(u "$MAIN"):-:$c_cold" \
    "sumdb:$(u "$MAIN"):$tmp/paths.sumdb:$c_sumdb"
# After the load: the tree of the cold versions is whole.
incomplete=0
for f in $(find "$S/$SYNTH" -name '*.info' 2>/dev/null); do
	[ -f "${f%.info}.mod" ] && [ -f "${f%.info}.zip" ] ||
	    incomplete=$((incomplete + 1))
done
stored=$(find "$S/$SYNTH" -name '*.zip' 2>/dev/null | wc -l)

if [ -n "${ATHENS:-}" ]; then
	echo "load: athens: ${secs} s, $conns connections" >&2
	aport=$(free_port) || die "no free port"
	mkdir -p "$tmp/athens-storage" "$tmp/athens-goget"
	start "$tmp/athens.out" env ATHENS_STORAGE_TYPE=disk \
	    ATHENS_DISK_STORAGE_ROOT="$tmp/athens-storage" \
	    ATHENS_PORT="127.0.0.1:$aport" ATHENS_GOGET_DIR="$tmp/athens-goget" \
	    ATHENS_GO_BINARY_ENV_VARS="GOPROXY=$UP;GOSUMDB=off;GOFLAGS=-mod=mod" \
	    ATHENS_GOGET_WORKERS="$procs" ATHENS_LOG_LEVEL=error \
	    PATH="$(dirname "$gotool"):$PATH" "$ATHENS"
	APID=$PID
	A=http://127.0.0.1:$aport
	for i in $(seq 300); do
		curl -sf -o /dev/null "$A/healthz" && break
		sleep 0.1
	done
	curl -sf -o /dev/null "$A/healthz" ||
	    die "athens did not start: $(tail -n 5 "$tmp/athens.out")"
	# Athens proxies only https checksum databases: no sumdb kind.
	cp "$tmp/paths.hits" "$tmp/paths.ahits"
	for p in $(cat "$tmp/paths.ahits" "$tmp/paths.list" "$tmp/paths.latest"); do
		c=$(curl -s -m 120 -o /dev/null -w '%{http_code}' "$A$p")
		[ "$c" = 200 ] || die "athens warm-up: $p: $c"
	done
	ROOTS=athens=$APID
	run athens \
	    "hits:$(u "$A"):$tmp/paths.ahits:$((c_static + c_resp + c_sumdb))" \
	    "list:$(u "$A"):$tmp/paths.list:$c_list" \
	    "latest:$(u "$A"):$tmp/paths.latest:$c_latest" \
	    "cold:$(u "$A"):-:$c_cold"
fi

# --- the report ---------------------------------------------------------------

status=0
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
# row RESULTSFILE KIND: "req req/s p50 p99 errors" or "-".
row()
{
	local r
	r=$(awk -v k="$2" '$2 == k' "$1" 2>/dev/null)
	if [ -z "$r" ]; then
		printf '%8s %8s %8s %8s %7s' - - - - -
		return
	fi
	set -- $r
	printf '%8d %8.1f %8s %8s %7d' "$3" "$(awk -v n="$3" -v s="$secs" \
	    'BEGIN { print n / s }')" "$(ms "$9")" "$(ms "${10}")" \
	    $(( $4 + $5 + $6 + $7 + $8 ))
}
echo
echo "mixed load: ${secs} s, $conns connections (static $c_static," \
    "responder $c_resp, list $c_list, latest $c_latest, cold $c_cold," \
    "sumdb $c_sumdb), $procs responders per lighttpd, $(nproc) cores"
echo
printf '%-10s  %-44s' kind "piraeus: requests  req/s  p50 ms  p99 ms  errors"
[ -z "${ATHENS:-}" ] || printf '  %s' "athens: requests  req/s  p50 ms  p99 ms  errors"
echo
for k in static responder hits list latest cold sumdb; do
	[ "$k" != hits ] || [ -n "${ATHENS:-}" ] || continue
	printf '%-10s  ' "$k"
	row "$tmp/piraeus.results" "$k"
	if [ -n "${ATHENS:-}" ]; then
		printf '     '
		row "$tmp/athens.results" "$k"
	fi
	echo
done
echo
echo "errors (non-2xx/3xx answers, connect/read/write errors, timeouts):"
for f in "$tmp/piraeus.results" ${ATHENS:+"$tmp/athens.results"}; do
	while read -r _ k n st co rd wr to _ _; do
		e=$((st + co + rd + wr + to))
		[ "$e" -eq 0 ] && continue
		echo "  $(basename "$f" .results) $k: $st non-2xx/3xx, $co connect," \
		    "$rd read, $wr write, $to timeouts (of $n)"
		status=1
	done <"$f"
done
for n in piraeus ${ATHENS:+athens}; do
	for spec in "$tmp/$n".*.wrk; do
		grep -q '^RESULT' "$spec" || {
			echo "  $n: no result from $(basename "$spec"):"
			sed 's/^/    /' "$spec"
			status=1
		}
	done
done
[ "$status" = 1 ] || echo "  none"
echo "piraeus cold versions stored: $stored, incomplete: $incomplete"
[ "$incomplete" -eq 0 ] || status=1
echo
echo "resident memory (VmRSS, kB) at start / middle / end of the load;"
echo "flat: grown by less than $growth_kb kB from start to end"
for n in piraeus ${ATHENS:+athens}; do
	awk -v bound="$growth_kb" -v run="$n" '
	    { rss[$2, $1] = $4; name[$2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[++k] = $2 } }
	    END {
		bad = 0
		for (i = 1; i <= k; i++) {
			p = order[i]
			s = rss[p, "start"]; m = rss[p, "middle"]; e = rss[p, "end"]
			if (s == "" || e == "") verdict = "(not alive throughout)"
			else if (e - s < bound) verdict = "flat"
			else { verdict = "GROWS"; bad = 1 }
			printf "  %-7s %-19s pid %-7s %8s %8s %8s  %s\n", run,
			    name[p], p, s, m, e, verdict
		}
		exit bad
	    }' "$tmp/$n.rss" || status=1
done
exit "$status"

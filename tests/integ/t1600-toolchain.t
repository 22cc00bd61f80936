#!/bin/sh
# t1600-toolchain.t: Go toolchains through piraeus.
#
# Since Go 1.21 the go command switches to another toolchain (GOTOOLCHAIN,
# or a go/toolchain line of go.mod newer than itself) and downloads it as
# the module golang.org/toolchain, version v0.0.1-go1.N.M.GOOS-GOARCH,
# through GOPROXY, verified against GOSUMDB; it unzips it into the module
# cache, sets the execute bits of bin/ and pkg/tool/ (module zips carry
# no modes) and runs bin/go with GOROOT set to it
# (cmd/go/internal/toolchain/select.go).
#
# Here the toolchains are the test's own, made offline: go1.99.0 whose
# bin/go is a shell script that prints "go version go1.99.0 GOOS/GOARCH"
# and echoes its arguments, and go1.99.1, the same plus 80 MB of random
# bytes (real toolchain zips are 60-100 MB).  A fake upstream
# (tests/upstream/fakeproxy.go) serves them; the test checksum database
# (tests/sumdb/testsumdb.go) has their hashes; piraeus behind lighttpd
# verifies what it fetches against it, and the go command uses it as
# GOSUMDB through the proxy:
#   - @v/list and .info through piraeus are the upstream's;
#   - every go command downloads the toolchain module with the sums of
#     GOPROXY=file://<the same tree>;
#   - cold (empty storage): a current go command switches to go1.99.0
#     with GOTOOLCHAIN=go1.99.0: piraeus fetched, verified and stored it;
#   - warm: a module whose go.mod says "go 1.99.0", GOTOOLCHAIN=auto: the
#     same toolchain runs, served from storage, no upstream request;
#   - the 80 MB toolchain fetched cold streams: the responder's peak RSS
#     stays far below its size; then the go command runs it.
# Go 1.19 has no toolchain switching: without a go >= 1.21 only the
# switching checks are skipped.  All of it in go_env_hostile's environment.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/sumdb.sh"
go_env_hostile
need go curl lighttpd zip cmp sqlite3

# The go command that switches: the first of GOS at 1.21 or later.
SWGO=
for g in $GOS; do
	v=$(_go_version "$g")
	minor=${v#go1.}
	minor=${minor%%.*}
	case $minor in
	'' | *[!0-9]*) continue ;;
	esac
	if [ "$minor" -ge 21 ]; then
		SWGO=$g
		break
	fi
done
if [ -n "$SWGO" ]; then
	diag "toolchain switching with $SWGO ($(_go_version "$SWGO"))"
fi

# The platform the go command asks a toolchain for.
PLAT=$( go_env_common; "$GO" env GOHOSTOS GOHOSTARCH | paste -sd- - )
case $PLAT in
*-*) ;;
*) bail_out "no GOHOSTOS/GOHOSTARCH: $PLAT" ;;
esac
TM=golang.org/toolchain
V0=v0.0.1-go1.99.0.$PLAT
V1=v0.0.1-go1.99.1.$PLAT
BIGSIZE=80000000

# --- the toolchains, a GOPROXY tree made offline -----------------------------
UP=$TRASH/up
D=$UP/$TM/@v
mkdir -p "$D"

# mk_toolchain VERSION GOVERSION [PAYLOAD_BYTES]: its .info, .mod and .zip.
mk_toolchain()
{
	_st=$TRASH/stage.$2
	_p=$_st/$TM@$1
	mkdir -p "$_p/bin" "$_p/pkg/tool/${PLAT%-*}_${PLAT#*-}" "$_p/lib" || return 1
	printf 'module %s\n' "$TM" >"$_p/go.mod"
	cat >"$_p/bin/go" <<EOF
#!/bin/sh
# A fake toolchain $2 for piraeus' tests.
if [ "\$1" = version ]; then
	echo "go version $2 ${PLAT%-*}/${PLAT#*-}"
	exit 0
fi
echo "fake toolchain $2 (GOROOT=\$GOROOT) ran: \$*"
EOF
	printf '#!/bin/sh\necho fake gofmt\n' >"$_p/bin/gofmt"
	# The go command walks bin/, pkg/tool/ and lib/ to set execute bits:
	# each must exist (a zip has no empty directory).
	printf 'fake vet\n' >"$_p/pkg/tool/${PLAT%-*}_${PLAT#*-}/vet"
	printf 'fake zoneinfo\n' >"$_p/lib/zoneinfo.txt"
	if [ -n "${3:-}" ]; then
		head -c "$3" /dev/urandom >"$_p/lib/payload.bin" || return 1
	fi
	# No directory entries, no extra fields: a module zip.
	(cd "$_st" && zip -q -X -D -r "$D/$1.zip" "$TM@$1") || return 1
	rm -rf "$_st"
	printf 'module %s\n' "$TM" >"$D/$1.mod"
	printf '{"Version":"%s","Time":"2023-08-08T12:00:00Z"}\n' "$1" \
	    >"$D/$1.info"
}
mk_toolchain "$V0" go1.99.0 && mk_toolchain "$V1" go1.99.1 "$BIGSIZE" ||
    bail_out "cannot make the toolchain zips"
printf '%s\n%s\n' "$V0" "$V1" >"$D/list"
BIGZIP=$(wc -c <"$D/$V1.zip" | tr -d ' ')
diag "toolchain zips: $(wc -c <"$D/$V0.zip" | tr -d ' ') and $BIGZIP bytes"

upstream_start "$UP" || bail_out "cannot start the fake upstream"
sumdb_start "$UP" -name sum.test || bail_out "cannot start the checksum database"

S=$TRASH/storage
T=$TRASH/state
mkdir -p "$S" "$T" "$TRASH/empty"
cat >"$TRASH/p.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = $UPSTREAM_URL
network_mode = strict
retries = 0
notfound_ttl = 0
timeout = 60
wait_timeout = 120
[sumdb]
databases = $SUMDB_VKEY $SUMDB_URL
INI
# Sanitizer builds: no quarantine, so RSS measures our allocations.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
export ASAN_OPTIONS
serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$TRASH/p.ini"

# code URL: GET it; the status on stdout, the body in $TRASH/b.
code()
{
	curl -q -s --max-time 120 -o "$TRASH/b" -w '%{http_code}' "$1"
}

# --- @v/list: the upstream's answer (.info below: it fetches the version) ---
is "$(code "$URL/$TM/@v/list")" 200 "GET $TM/@v/list: 200"
is "$(sed 's/[[:space:]].*//' "$TRASH/b" | grep . | sort)" \
    "$(curl -q -s "$UPSTREAM_URL/$TM/@v/list" | sort)" \
    "$TM/@v/list: the upstream's versions"
is "$(upstream_count "*.zip")" 0 "no zip fetched yet"

# gorun NAME [VAR=VALUE...] -- CMD...: CMD (a "$GO"/"$SWGO" command line)
# from $TRASH/wd.NAME (made if missing) against the proxy, GOSUMDB = the
# test database through it, module cache $TRASH/mc.NAME (fresh) and GOPATH
# $TRASH/gp.NAME (its sumdb cache); stdout in $TRASH/NAME.out, stderr in
# $TRASH/NAME.err.
gorun()
{
	_n=$1
	shift
	mkdir -p "$TRASH/wd.$_n"
	(
		go_env_common
		chmod -R u+w "$TRASH/mc.$_n" 2>/dev/null
		rm -rf "$TRASH/mc.$_n" "$TRASH/gp.$_n"
		GOPROXY=$URL GOSUMDB=$SUMDB_VKEY GOMODCACHE=$TRASH/mc.$_n
		GOPATH=$TRASH/gp.$_n
		export GOPROXY GOSUMDB GOMODCACHE GOPATH
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			export "$1"
			shift
		done
		shift
		cd "$TRASH/wd.$_n" && "$@"
	) >"$TRASH/$_n.out" 2>"$TRASH/$_n.err"
}

# dlfields: the fields of go mod download -json that must be equal.
dlfields()
{
	grep -E '^[[:space:]]*"(Path|Version|Sum|GoModSum|Error)":' |
	    sed 's/^[[:space:]]*//'
}

# --- the toolchain module itself, with every go command ----------------------
# The reference: the same tree as GOPROXY=file://, no checksum database.
mod_download()
{
	gorun "ref.$GOTAG" GOPROXY="file://$UP" GOSUMDB=off -- \
	    "$GO" mod download -json "$TM@$V0"
	_r=$(dlfields <"$TRASH/ref.$GOTAG.out")
	like "$_r" '"Sum": "h1:' "reference: $TM@$V0 has a sum [$GOTAG]"
	gorun "dl.$GOTAG" -- "$GO" mod download -json "$TM@$V0"
	is "$(dlfields <"$TRASH/dl.$GOTAG.out")" "$_r" \
	    "go mod download $TM@$V0 through piraeus, verified: the same sums [$GOTAG]"
	ok "the go command checked it with the database through piraeus [$GOTAG]" \
	    test -s "$TRASH/gp.dl.$GOTAG/pkg/sumdb/sum.test/latest"
}

if [ -n "$SWGO" ]; then
	# --- cold: storage empty, GOTOOLCHAIN=go1.99.0 ------------------------
	gorun cold GOTOOLCHAIN=go1.99.0 -- "$SWGO" version
	st=$?
	ok "$st" "GOTOOLCHAIN=go1.99.0 $SWGO version: runs (cold)" ||
	    diag_file "$TRASH/cold.err"
	like "$(cat "$TRASH/cold.err")" '^go: downloading go1\.99\.0 ' \
	    "the go command downloaded the toolchain"
	is "$(cat "$TRASH/cold.out")" "go version go1.99.0 ${PLAT%-*}/${PLAT#*-}" \
	    "the fake toolchain answered, fetched through piraeus"
	is "$(upstream_count "/$TM/@v/$V0.zip")" 1 "piraeus fetched the zip once"
	ok "and stored it" cmp -s "$S/$TM/@v/$V0.zip" "$D/$V0.zip"
	ok "with its .mod" cmp -s "$S/$TM/@v/$V0.mod" "$D/$V0.mod"
	is "$(sumdb_count "/lookup/$TM@$V0")" 1 \
	    "piraeus verified it against the checksum database"
	ok "the go command verified it too, through piraeus" \
	    test -s "$TRASH/gp.cold/pkg/sumdb/sum.test/latest"
	ok "the go command made its bin/go executable" \
	    test -x "$TRASH/mc.cold/$TM@$V0/bin/go"
	is "$(find "$S/.tmp" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 \
	    "no temporary file left"

	# --- warm: go.mod says go 1.99.0, GOTOOLCHAIN=auto ---------------------
	upstream_reset
	mkdir -p "$TRASH/wd.warm"
	printf 'module example.com/needs199\n\ngo 1.99.0\n' \
	    >"$TRASH/wd.warm/go.mod"
	gorun warm GOTOOLCHAIN=auto -- "$SWGO" env GOVERSION
	st=$?
	ok "$st" "go.mod 'go 1.99.0', GOTOOLCHAIN=auto: $SWGO switches (warm)" ||
	    diag_file "$TRASH/warm.err"
	like "$(cat "$TRASH/warm.out")" \
	    "^fake toolchain go1\\.99\\.0 \\(GOROOT=$TRASH/mc\\.warm/$TM@$V0\\) ran: env GOVERSION\$" \
	    "the fake toolchain ran, with its args and GOROOT"
	is "$(upstream_count '*')" 0 "served from storage: no upstream request"
	mkdir -p "$TRASH/wd.warm2"
	cp "$TRASH/wd.warm/go.mod" "$TRASH/wd.warm2/go.mod"
	gorun warm2 GOTOOLCHAIN=auto -- "$SWGO" version
	is "$(cat "$TRASH/warm2.out")" \
	    "go version go1.99.0 ${PLAT%-*}/${PLAT#*-}" "go version: go1.99.0"
else
	skip "toolchain switching (cold, warm)" \
	    "no go command >= 1.21 in GOS ($GOS): go 1.19 has no toolchain switching"
fi
for_each_go mod_download

# .info: the upstream's bytes (the zip of $V1 is not fetched yet).
is "$(code "$URL/$TM/@v/$V0.info")" 200 "GET $V0.info: 200"
curl -q -s -o "$TRASH/info.up" "$UPSTREAM_URL/$TM/@v/$V0.info"
is_file "$TRASH/b" "$TRASH/info.up" "$V0.info: the upstream's bytes"

# --- 80 MB, cold: streamed with bounded memory --------------------------------
# The responders: the piraeus.fcgi processes descending from contrib/serve.
# VmHWM is a process's peak RSS.
responders()
{
	ps -e -o pid=,ppid=,comm= | awk -v s="$SERVE_PID" '
	    { pp[$1] = $2; c[$1] = $3 }
	    END {
		for (p in pp) {
			if (c[p] != "piraeus.fcgi")
				continue
			for (q = pp[p]; q > 1; q = pp[q])
				if (q == s) { print p; break }
		}
	    }'
}
peak_kb()
{
	_m=0
	for _pid in $(responders); do
		_k=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' \
		    "/proc/$_pid/status" 2>/dev/null)
		[ -n "$_k" ] && [ "$_k" -gt "$_m" ] && _m=$_k
	done
	echo "$_m"
}
BIGRSS=48000
is "$(responders | wc -l | tr -d ' ')" 2 "two responders to watch"
before=$(peak_kb)
upstream_reset
is "$(code "$URL/$TM/@v/$V1.zip")" 200 "GET the 80 MB toolchain zip (cold): 200"
ok "the upstream's bytes" cmp -s "$TRASH/b" "$D/$V1.zip"
rm -f "$TRASH/b"
after=$(peak_kb)
diag "responders' peak RSS: $before kB before, $after kB after the $BIGZIP-byte zip"
is "$(upstream_count "/$TM/@v/$V1.zip")" 1 "fetched from upstream once"
is "$(sumdb_count "/lookup/$TM@$V1")" 1 "verified against the checksum database"
ok "peak RSS < $BIGRSS kB (streamed, never loaded whole)" \
    test "$after" -gt 0 -a "$after" -lt "$BIGRSS"
ok "stored" cmp -s "$S/$TM/@v/$V1.zip" "$D/$V1.zip"
is "$(code "$URL/$TM/@v/$V1.info")" 200 "GET $V1.info: 200"
curl -q -s -o "$TRASH/info.up" "$UPSTREAM_URL/$TM/@v/$V1.info"
is_file "$TRASH/b" "$TRASH/info.up" "$V1.info: the upstream's bytes"
if [ -n "$SWGO" ]; then
	gorun big GOTOOLCHAIN=go1.99.1 -- "$SWGO" version
	st=$?
	ok "$st" "GOTOOLCHAIN=go1.99.1: $SWGO runs the 80 MB toolchain" ||
	    diag_file "$TRASH/big.err"
	is "$(cat "$TRASH/big.out")" "go version go1.99.1 ${PLAT%-*}/${PLAT#*-}" \
	    "its go version"
	is "$(wc -c <"$TRASH/mc.big/$TM@$V1/lib/payload.bin" | tr -d ' ')" \
	    "$BIGSIZE" "with its payload unpacked"
else
	skip "switching to the 80 MB toolchain" \
	    "no go command >= 1.21 in GOS: go 1.19 has no toolchain switching"
fi

go_hostile_untouched
stop_bg "$SERVE_PID"
unlike "$(cat "$T"/run/*.log "$TRASH/serve.log" 2>/dev/null)" \
    'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"
if [ "$_tl_failed" -ne 0 ]; then
	for f in "$T"/run/*.log "$TRASH"/*.out "$TRASH"/*.err; do
		diag_file "$f"
	done
fi
done_testing

#!/bin/sh
# bench/fuzz.sh -- run one libFuzzer target of fuzz/ for a while.
#
#	bench/fuzz.sh TARGET SECONDS
#
# TARGET is a name of fuzz/Makefile.inc's FUZZ_NAMES (request, modpath,
# semver, zipcheck, mode, filter, access, note, tlog, modfile, config,
# accesslog, untar, gz, osv, vulndb_index, jsonval, redis_url).  Builds build/fuzz (configure CC=clang --enable-fuzzing:
# libFuzzer, ASan, UBSan) when fuzz/fuzz_TARGET is missing or stale, then
# runs it for SECONDS on a scratch copy of fuzz/corpus/TARGET (the
# committed seeds are never written; set FUZZ_WORK=DIR to keep the grown
# corpus and any crash input there).  Prints execs/s, total execs and
# libFuzzer's coverage (cov: edges, ft: features) and fails (exit 1) on a
# crash, a leak, a timeout or a sanitizer report: the input that did it
# is left in the work directory as crash-*, leak-* or timeout-*.
# Needs clang and libfuzzer-14-dev (contrib/install-deps --fuzz).
set -eu

usage() { echo "usage: bench/fuzz.sh TARGET SECONDS" >&2; exit 2; }
[ $# -eq 2 ] || usage
target=$1
secs=$2
case $target in *[!a-z0-9_]*|'') usage ;; esac
case $secs in *[!0-9]*|'') usage ;; esac

top=$(cd "$(dirname "$0")/.." && pwd)
seeds=$top/fuzz/corpus/$target
[ -d "$seeds" ] || { echo "fuzz.sh: no seed corpus $seeds" >&2; exit 2; }
build=${FUZZ_BUILD:-$top/build/fuzz}
cc=${CC:-clang}
command -v "$cc" >/dev/null 2>&1 ||
	{ echo "fuzz.sh: $cc not found (apt-get install clang libfuzzer-14-dev)" >&2; exit 2; }

if [ ! -f "$build/Makefile" ]; then
	[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null)
	mkdir -p "$build"
	(cd "$build" && "$top/configure" CC="$cc" --enable-fuzzing >/dev/null)
fi
make -C "$build" -s -j2 "fuzz/fuzz_$target" >"$build/make-$target.log" 2>&1 ||
	{ cat "$build/make-$target.log" >&2; exit 2; }
bin=$build/fuzz/fuzz_$target

if [ -n "${FUZZ_WORK:-}" ]; then
	work=$FUZZ_WORK
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/piraeus-fuzz.XXXXXX")
fi
mkdir -p "$work/corpus"
cp "$seeds"/* "$work/corpus/"
log=$work/fuzz.log

rc=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
	-rss_limit_mb=2048 -max_len=65536 \
	-artifact_prefix="$work/" "$work/corpus" >"$log" 2>&1 || rc=$?

# The last status line ("#N DONE cov: C ft: F corp: ...") and the stats.
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
printf '%-10s %6ss  execs %10s  execs/s %7s  cov %5s  ft %6s  corpus %5s\n' \
	"$target" "$secs" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" \
	"${corp:-?}"
if [ "$rc" -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
	echo "fuzz.sh: $target FAILED (exit $rc); log and input in $work:" >&2
	grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -n 10 >&2
	exit 1
fi
[ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"

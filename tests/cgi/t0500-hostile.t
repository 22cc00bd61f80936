#!/bin/sh
# t0500-hostile.t: every hostile request target of tests/data/hostile-paths.tsv
# through the responder run as CGI, byte for byte (tests/lib/hostile.pl),
# each under strace: the status the data file names (never 5xx, never 200
# with other content, no header injected), and from the trace that nothing
# outside the storage root, the state directory, the configuration file and
# a short list of system paths was even looked up, and nothing written
# outside the state directory.  A canary tree next to the storage root (the
# target of the traversals) is watched with inotifywait when it is
# installed, and the storage tree must be the same afterwards.
# HOSTILE_ONLY=REGEX runs only the cases whose target matches (debugging).
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need perl zip strace

HP="perl $top_srcdir/tests/lib/hostile.pl"
DATA=$top_srcdir/tests/data/hostile-paths.tsv

S=$TRASH/storage
T=$TRASH/state
mkstore "$S"
use_config "$S" "$T"
ok "reindex the store" "$PIRAEUS" reindex
# The canary: what a traversal out of the storage root would reach.
O=$TRASH/outside
mkdir -p "$O/@v"
for f in list v1.0.0.info v1.0.0.mod v1.0.0.zip; do
	echo CANARY > "$O/@v/$f"
done
echo CANARY > "$O/@latest"
echo CANARY > "$TRASH/CANARY"

# The system paths a responder may read (the loader, TLS and time zone
# data, entropy, its own /proc entries, ASan's look at the machine).
ALLOW="/etc/ld.so.cache /etc/ld.so.preload /lib /lib64 /usr/lib /usr/lib64
/etc/ssl /usr/share/zoneinfo /etc/localtime /dev/urandom /dev/null
/proc/self /proc/sys/vm /sys/devices/system/cpu /etc/nsswitch.conf
/etc/gai.conf /etc/host.conf /etc/hosts /etc/resolv.conf /usr/lib/ssl
/etc/gnutls /usr/share/locale /usr/lib/locale /etc/passwd"
# shellcheck disable=SC2086
set -- $ALLOW

snap()
{
	(cd "$S" && find . -printf '%p %s %T@\n' | LC_ALL=C sort)
}
snap > "$TRASH/before"

watching=0
if command -v inotifywait >/dev/null 2>&1; then
	start_bg "$TRASH/inotify" inotifywait -m -r -e access,open,modify,attrib,create,delete,move \
	    --format '%w%f %e' "$O" "$TRASH/CANARY"
	wait_line "$TRASH/inotify" 'Watches established' 20 "$BG_PID" &&
	    watching=1
fi

# status_ok EXPECT STATUS: STATUS is what EXPECT allows.
status_ok()
{
	case $1 in
	4xx)	case $2 in 4[0-9][0-9]) return 0;; esac; return 1;;
	200~*)	[ "$2" = 200 ];;
	*)	printf '|%s|' "$1" | grep -q "|$2|";;
	esac
}

n=0
mkdir -p "$TRASH/st"
# Fields are tab-separated and may be empty (the empty target): read with
# a separator that is not white space, which IFS would fold.
us=$(printf '\037')
tr '\t' '\037' <"$DATA" >"$TRASH/paths"
tr '\t' '\037' <"$top_srcdir/tests/data/hostile-upstream.tsv" \
    >"$TRASH/upstream.tsv"
while IFS=$us read -r method target want _http why; do
	case $method in ''|'#'*) continue;; esac
	[ "$want" = - ] && continue
	if [ -n "${HOSTILE_ONLY:-}" ]; then
		printf '%s\n' "$target" | grep -Eq -- "$HOSTILE_ONLY" || continue
	fi
	n=$((n + 1))
	shown=$(printf '%s' "$target" | cut -c1-80)
	log=$TRASH/st/$n
	$HP cgi "$PIRAEUS_FCGI" "$TRASH/raw" "$log" "$method" "$target" \
	    2>>"$TRASH/stderr"
	_cgi_split
	if status_ok "$want" "$STATUS"; then
		pass "$n $method $shown: $STATUS ($why)"
	else
		fail "$n $method $shown: $STATUS, want $want ($why)"
		diag "$(head -c 300 "$TRASH/body")"
	fi
	case $want in
	200~*)
		cp "$TRASH/body" "$TRASH/got"
		cgi GET "${want#200~}"
		ok "$n: the body is the clean answer of ${want#200~}" \
		    cmp -s "$TRASH/got" "$TRASH/body"
		;;
	esac
	bad=$(grep -il 'canary' "$TRASH/raw"; printf '%s\n' "$HDR" | grep -i '^X-Injected')
	is "$bad" "" "$n: no canary content, no injected header"
	v=$($HP audit "$log" "$T" "$S" "$PIRAEUS_CONFIG" "$@")
	is "$v" "" "$n: the trace touches only storage, state, config, system"
	[ -z "$v" ] && rm -f "$log"
done <"$TRASH/paths"
[ -n "${HOSTILE_ONLY:-}" ] || ok "at least 300 cases ran ($n)" test "$n" -ge 300

snap > "$TRASH/after"
ok "the storage tree is unchanged" cmp -s "$TRASH/before" "$TRASH/after" ||
    diff "$TRASH/before" "$TRASH/after" | head -20 >&2
if [ "$watching" = 1 ]; then
	sleep 1
	is "$(grep -v 'Watches established\|Setting up watches' "$TRASH/inotify")" "" \
	    "inotify: the canary tree was never opened"
	# The watch works: a read of the canary is seen.
	cat "$O/@v/list" >/dev/null
	wait_line "$TRASH/inotify" "$O/@v/list OPEN" 10 "$BG_PID"
	ok "inotify: and would have seen it" grep -q "$O/@v/list OPEN" "$TRASH/inotify"
else
	skip "inotifywait is not installed (inotify-tools)" 2
fi
# Hostile upstream answers (tests/data/hostile-upstream.tsv), through a
# file:// upstream: the status, and nothing of the module stored.
UP=$TRASH/upstream
k=0
while IFS=$us read -r file content req want why; do
	case $file in ''|'#'*) continue;; esac
	k=$((k + 1))
	m=example.com/h$k
	mkver "$UP" "$m" v1.0.0 v1.0.0 2020-01-01T00:00:00Z "module $m
" "$m" go.mod="module $m" a.go='package a'
	printf 'v1.0.0\n' > "$UP/$m/@v/list"
	$HP decode "$content" > "$UP/$m/@v/$file"
	cgi GET "/$m/$req" PIRAEUS_UPSTREAM_GOPROXY="file://$UP" \
	    PIRAEUS_SUMDB_VERIFY=no PIRAEUS_UPSTREAM_RETRIES=0
	case $want in
	200)	is "$STATUS" 200 "upstream $k: $why: 200"
		ok "upstream $k: the body is upstream's file" \
		    cmp -s "$TRASH/body" "$UP/$m/@v/$file";;
	200-empty)
		is "$STATUS" 200 "upstream $k: $why: 200"
		is "$(wc -c < "$TRASH/body" | tr -d ' ')" 0 \
		    "upstream $k: an empty body";;
	*)	is "$STATUS" "$want" "upstream $k: $why: $want"
		is "$(find "$S/$m" -type f 2>/dev/null)" "" \
		    "upstream $k: nothing of it stored";;
	esac
done <"$TRASH/upstream.tsv"
is "$(find "$S/.tmp" -type f 2>/dev/null)" "" "upstream: no temporary file left"

log=$TRASH/st/selftest
# The audit works: a responder whose root is the canary is caught.
$HP cgi "$PIRAEUS_FCGI" "$TRASH/raw" "$log" GET /example.com/m/@v/list \
    PIRAEUS_STORAGE_ROOT="$O" 2>>"$TRASH/stderr"
like "$($HP audit "$log" "$T" "$S" "$PIRAEUS_CONFIG" "$@")" "outside the allowed paths" \
    "the audit sees a path outside the storage root"
done_testing

#!/bin/sh
# t1900-hostile.t: every hostile request target of tests/data/hostile-paths.tsv
# sent byte for byte (tests/lib/hostile.pl http: no client normalisation)
# to a real lighttpd with the responders behind it (contrib/serve), checked
# against the data file's HTTP column: the status lighttpd or the responder
# gives (lighttpd refuses some requests itself and folds dot segments
# first), never 5xx, never 200 with other content (a "200~CLEAN" case must
# have exactly the body of a GET of CLEAN), no header injected, and the
# canary next to the storage root (what a traversal would reach) never in
# an answer.  HOSTILE_ONLY=REGEX runs only the cases whose target matches.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need lighttpd perl zip curl

HP="perl $top_srcdir/tests/lib/hostile.pl"
DATA=$top_srcdir/tests/data/hostile-paths.tsv

S=$TRASH/root/storage
T=$TRASH/state
mkstore "$S"
use_config "$S" "$T"
ok "reindex the store" "$PIRAEUS" reindex
# The canary: what a traversal out of the storage root would reach.
O=$TRASH/root/outside
mkdir -p "$O/@v"
for f in list v1.0.0.info v1.0.0.mod v1.0.0.zip; do
	echo CANARY >"$O/@v/$f"
done
echo CANARY >"$O/@latest"
echo CANARY >"$TRASH/root/CANARY"
echo CANARY >"$TRASH/CANARY"
mkdir -p "$S/.tmp"
echo CANARY >"$S/.tmp/secret"

serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$PIRAEUS_CONFIG"

# status_ok EXPECT STATUS: STATUS is what EXPECT allows.
status_ok()
{
	case $1 in
	4xx)	case $2 in 4[0-9][0-9]) return 0;; esac; return 1;;
	200~*)	[ "$2" = 200 ];;
	*)	printf '|%s|' "$1" | grep -q "|$2|";;
	esac
}

# send METHOD TARGET: the raw answer in $TRASH/raw, its status in STATUS,
# its header block (CR stripped) in $TRASH/hdr, its body in $TRASH/body.
send()
{
	$HP http "$PORT" "$TRASH/raw" "$1" "$2" 2>>"$TRASH/stderr"
	STATUS=$(head -n 1 "$TRASH/raw" | tr -d '\r' |
	    sed -n 's|^HTTP/1\.[01] \([0-9][0-9][0-9]\).*|\1|p')
	[ -n "$STATUS" ] || STATUS=none
	perl -e 'local $/; my $r = <STDIN>; my ($h, $b) = split(/\r\n\r\n/, $r, 2);
	    open(my $f, ">", $ARGV[0]) or die; print $f $h // "";
	    open(my $g, ">", $ARGV[1]) or die; binmode $g; print $g $b // "";' \
	    "$TRASH/hdr" "$TRASH/body" <"$TRASH/raw"
	sed -i 's/\r$//' "$TRASH/hdr"
}

n=0
# Fields split at a non-blank separator: an empty field stays one.
us=$(printf "\037")
tr "\t" "\037" <"$DATA" >"$TRASH/data"
while IFS=$us read -r method target _cgi want why; do
	case $method in ''|'#'*) continue;; esac
	[ "$want" = - ] && continue
	if [ -n "${HOSTILE_ONLY:-}" ]; then
		printf '%s\n' "$target" | grep -Eq -- "$HOSTILE_ONLY" || continue
	fi
	n=$((n + 1))
	shown=$(printf '%s' "$target" | cut -c1-80)
	send "$method" "$target"
	if status_ok "$want" "$STATUS"; then
		pass "$n $method $shown: $STATUS ($why)"
	else
		fail "$n $method $shown: $STATUS, want $want ($why)"
		diag "$(head -c 300 "$TRASH/raw")"
	fi
	case $want in
	200)	# lighttpd's own OPTIONS answer: nothing served.
		is "$(wc -c <"$TRASH/body" | tr -d ' ')" 0 "$n: a bare 200 has no body" ;;
	200~*)
		cp "$TRASH/body" "$TRASH/got"
		send GET "${want#200~}"
		ok "$n: the body is the clean answer of ${want#200~}" \
		    cmp -s "$TRASH/got" "$TRASH/body"
		;;
	esac
	bad=$(grep -il 'canary' "$TRASH/raw"; grep -i '^X-Injected' "$TRASH/hdr")
	is "$bad" "" "$n: no canary content, no injected header"
done <"$TRASH/data"
[ -n "${HOSTILE_ONLY:-}" ] || ok "at least 300 cases ran ($n)" test "$n" -ge 300

# The checks can fail: the canary is served when asked for inside the root.
mkdir -p "$S/example.com/canary/@v"
cp "$O/@v/v1.0.0.info" "$S/example.com/canary/@v/v1.0.0.info"
send GET /example.com/canary/@v/v1.0.0.info
like "$(cat "$TRASH/raw")" CANARY "the canary check sees a canary (self-test)"
rm -rf "$S/example.com/canary"
unlike "$(cat "$TRASH/serve.log" "$T"/run/*.log 2>/dev/null)" \
    'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"
done_testing

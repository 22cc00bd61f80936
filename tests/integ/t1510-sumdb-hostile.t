#!/bin/sh
# t1510-sumdb-hostile.t: a checksum database that lies or babbles.
#
# The reference server (tests/sumdb/testsumdb.go) makes a genuine log of
# a small module's versions; its answers are saved as files, altered one
# way per version, and served by the fake upstream (fakeproxy serves any
# file of its tree) next to the versions themselves.  piraeus runs as CGI
# with that upstream as its GOPROXY and its checksum database.  Every
# altered answer (a bad record id, a bad signature, an unknown key, a
# record not in its tree, a record of another version, control bytes, a
# huge body, a short or lying tile, no record at all) must give 502 with
# the reason, store nothing, and upset no sanitizer; the genuine answers
# must pass, before and after.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/sumdb.sh"
need go zip curl perl

UP=$TRASH/up
M=example.com/h
N=12
: >"$TRASH/preload"
i=0
while [ $i -le $N ]; do
	mkver "$UP" $M v1.0.$i v1.0.$i 2020-01-01T00:00:00Z "module $M
" $M go.mod="module $M" h.go="package h // $i" || bail_out "mkver"
	# v1.0.$N is not in the database at all.
	[ $i -eq $N ] || echo "$M v1.0.$i" >>"$TRASH/preload"
	i=$((i + 1))
done

# The genuine log of v1.0.0 .. v1.0.11, fixed by -preload.
sumdb_build || bail_out "cannot build the test checksum database"
sumdb_start "$UP" -name hostile.test -key "$TRASH/db.key" \
    -preload "$TRASH/preload" || bail_out "checksum database"
VKEY=$SUMDB_VKEY
D=$UP/sumdb
mkdir -p "$D/lookup/$M" "$D/tile/8/0" || bail_out "mkdir"
i=0
while [ $i -lt $N ]; do
	curl -sf -o "$D/lookup/$M@v1.0.$i" "$SUMDB_URL/lookup/$M@v1.0.$i" ||
	    bail_out "lookup v1.0.$i"
	i=$((i + 1))
done
TILE=$D/tile/8/0/000.p/$N
mkdir -p "$(dirname "$TILE")"
curl -sf -o "$TILE" "$SUMDB_URL/tile/8/0/000.p/$N" || bail_out "tile"
cp "$TILE" "$TRASH/tile.good"
sumdb_stop
# The same name under another key: its notes are from an unknown key.
sumdb_start "$UP" -name hostile.test -preload "$TRASH/preload" ||
    bail_out "second checksum database"
curl -sf -o "$TRASH/otherkey" "$SUMDB_URL/lookup/$M@v1.0.5" ||
    bail_out "lookup under the other key"
sumdb_stop
isnt "$VKEY" "$SUMDB_VKEY" "two keys of the same name"
is "$(wc -c <"$TRASH/tile.good" | tr -d ' ')" $((N * 32)) "the genuine tile"

upstream_start "$UP" || bail_out "cannot start the fake upstream"
S=$TRASH/storage
use_config "$S" "$TRASH/state"
export PIRAEUS_UPSTREAM_GOPROXY="$UPSTREAM_URL" \
    PIRAEUS_SUMDB_DATABASES="$VKEY $UPSTREAM_URL/sumdb" \
    PIRAEUS_SUMDB_CACHE_TTL=0 PIRAEUS_UPSTREAM_RETRIES=0 \
    PIRAEUS_UPSTREAM_NETWORK_MODE=strict

# alter VERSION PERL: edit the saved lookup answer of VERSION in place.
alter()
{
	perl -0777 -pi -e "$2" "$D/lookup/$M@$1" || fail "alter $1"
}
# refused VERSION DESC PATTERN: the zip of VERSION is refused (502, body
# matching PATTERN) and nothing of VERSION is stored.
refused()
{
	cgi GET "/$M/@v/$1.zip"
	is "$STATUS" 502 "$2: 502"
	like "$(cat "$TRASH/body")" "$3" "$2: the client is told why"
	nok "$2: nothing stored" test -e "$S/$M/@v/$1.zip" -o \
	    -e "$S/$M/@v/$1.info" -o -e "$S/$M/@v/$1.mod"
}

cgi GET "/$M/@v/v1.0.0.zip"
is "$STATUS" 200 "a genuine answer passes"
ok "and the version is stored" test -f "$S/$M/@v/v1.0.0.info"

alter v1.0.1 's/^\d+/x1/'
refused v1.0.1 "a record id that is not a number" 'malformed lookup'
alter v1.0.2 's/^\d+/99999999999999999999/'
refused v1.0.2 "a record id of 20 digits" 'malformed lookup'
alter v1.0.3 "s/^\\d+/$N/"
refused v1.0.3 "a record id past its tree" 'not in its tree'
# The 10th base64 character of the signature is in the signature bytes
# (the first 4 bytes are the key hash): make it another character.
alter v1.0.4 's/(\xe2\x80\x94 hostile\.test \S{9})(\S)/$1 . ($2 eq "A" ? "B" : "A")/e'
refused v1.0.4 "a bad signature of the known key" 'signature|verify'
cp "$TRASH/otherkey" "$D/lookup/$M@v1.0.5"
refused v1.0.5 "a note signed by another key only" 'signature|verif|key'
alter v1.0.6 's/\n\n.*//s'
refused v1.0.6 "a record without its note" 'without a note'
# Another line in the record: both hashes still right, but this record
# is not the one in the tree.
alter v1.0.7 "s|\\n\\n|\\n$M v1.0.7/extra h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\\n\\n|"
refused v1.0.7 "a record that is not in its tree" 'not in the tree'
cp "$UP/sumdb/lookup/$M@v1.0.0" "$D/lookup/$M@v1.0.8"
refused v1.0.8 "the record of another version" 'has no .* line'
alter v1.0.9 's/(go\.sum database tree\n)/$1\x01/'
refused v1.0.9 "a control byte in the note" 'control|malformed|note'
perl -e 'print "1\n", "a" x 100000' >"$D/lookup/$M@v1.0.10"
refused v1.0.10 "a body of 100 kB" 'larger than'
refused v1.0.$N "a version the database does not know" 'no record'

# Tiles: the lookup of v1.0.11 is genuine, its tile is not.
head -c 100 "$TRASH/tile.good" >"$TILE"
refused v1.0.11 "a short tile" 'wrong size'
perl -e 'print "\0" x (32 * $ARGV[0])' $N >"$TILE"
refused v1.0.11 "a tile of the right size that lies" 'not in the tree'
cp "$TRASH/tile.good" "$TILE"
cgi GET "/$M/@v/v1.0.11.zip"
is "$STATUS" 200 "the genuine tile again: the version passes"
ok "and is stored" test -f "$S/$M/@v/v1.0.11.info"

is "$(find "$S/.tmp" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 "no temporary file left"
like "$(cat "$TRASH/stderr")" 'SECURITY ERROR' "the lies are logged as such"
unlike "$(cat "$TRASH/stderr")" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report"
done_testing

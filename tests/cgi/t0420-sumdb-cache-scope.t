#!/bin/sh
# t0420-sumdb-cache-scope.t: a cached checksum database answer belongs to
# the database it came from ([sumdb] databases "<key> <URL>"), not to the
# GOPROXY upstream.  Answers of the test database (tests/sumdb) are
# cached, then [upstream] goproxy changes: with network_mode offline they
# are still served, the database hears nothing.  Then the database's URL
# changes to a second instance under the same key, whose log differs: the
# first one's cached answers are not served (offline: "not cached";
# online: the second one's answer).  A password in the URL is not part
# of the database's identity.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/sumdb.sh"
need go perl zip sqlite3 curl

R=$TRASH/tree
mkstore "$R"
sumdb_start "$R" -name sum.test -key "$TRASH/sum.key" ||
    bail_out "cannot start the test checksum database"
URL1=$SUMDB_URL LOG1=$SUMDB_LOG VKEY=$SUMDB_VKEY

use_config "$TRASH/storage" "$TRASH/state"
# The goproxy values below are dead stand-ins: the database is read at its
# URL only (via_proxy = no), as this test is about the cache's scope, not
# about where the bytes come from (t1540).
export PIRAEUS_SUMDB_VERIFY=no PIRAEUS_UPSTREAM_RETRIES=0
export PIRAEUS_SUMDB_VIA_PROXY=no
export PIRAEUS_UPSTREAM_CONNECT_TIMEOUT=2

# ask PATH GOPROXY DATABASE-URL NETWORK-MODE: a request below
# /sumdb/sum.test; STATUS, BODY.
ask()
{
	cgi GET "/sumdb/sum.test/$1" PIRAEUS_UPSTREAM_GOPROXY="$2" \
	    PIRAEUS_SUMDB_DATABASES="$VKEY $3" \
	    PIRAEUS_UPSTREAM_NETWORK_MODE="$4"
	BODY=$(tr -d '\000' <"$TRASH/body")
}
A=http://127.0.0.1:1/a
B=http://127.0.0.1:1/b
LK=lookup/example.com/m@v1.0.0

# Cached under GOPROXY A.
ask "$LK" "$A" "$URL1" fallback
is "$STATUS" 200 "a lookup"
like "$(printf '%s\n' "$BODY" | sed -n 2p)" '^example.com/m v1.0.0 h1:' \
    "its record"
LOOKUP1=$BODY
ask latest "$A" "$URL1" fallback
is "$STATUS" 200 "latest"
W=$(printf '%s\n' "$BODY" | sed -n 2p)
TP=tile/8/0/000.p/$W
ask "$TP" "$A" "$URL1" fallback
is "$STATUS" 200 "a tile"
TILE1=$(od -An -tx1 "$TRASH/body" | tr -d ' \n')
n=$(sumdb_count "")

# GOPROXY B, offline: the database's answers are still the database's.
ask "$LK" "$B" "$URL1" offline
is "$STATUS $BODY" "200 $LOOKUP1" "goproxy changed: the lookup from the cache"
ask "$TP" "$B" "$URL1" offline
is "$STATUS $(od -An -tx1 "$TRASH/body" | tr -d ' \n')" "200 $TILE1" \
    "goproxy changed: the tile from the cache"
is "$(sumdb_count "")" "$n" "the database heard nothing"
# One database, other credentials: its answers (the scope hashes the URL
# with the password masked); another user is another scope.
H1=${URL1#http://}
ask "$LK" "$A" "http://u:one@$H1" fallback
is "$STATUS $BODY" "200 $LOOKUP1" "with a user and password"
ask "$LK" "$A" "http://u:two@$H1" offline
is "$STATUS $BODY" "200 $LOOKUP1" "another password: the same database's cached answer"
ask "$LK" "$A" "http://v:one@$H1" offline
is "$STATUS" 404 "another user: not cached"
# Online too, the database down: the cached lookup within its TTL.
sumdb_stop
ask "$LK" "$B" "$URL1" fallback
is "$STATUS $BODY" "200 $LOOKUP1" "goproxy changed, database down: cached lookup"

# A second instance under the same key: its log starts with another record,
# so its answer for the lookup differs.  GOPROXY is A again, the one the
# first database's answers were cached under.
sumdb_start "$R" -key "$TRASH/sum.key" ||
    bail_out "cannot start the second checksum database"
URL2=$SUMDB_URL
is "$SUMDB_VKEY" "$VKEY" "the second instance has the same key"
curl -s -o /dev/null "$URL2/lookup/example.com/m@v1.1.0" ||
    bail_out "a record in the second database"
ask "$LK" "$A" "$URL2" offline
is "$STATUS" 404 "database URL changed, offline: the first one's lookup is not served"
like "$BODY" 'not cached' "not cached"
ask "$TP" "$A" "$URL2" offline
is "$STATUS" 404 "nor its tile"
ask "$LK" "$A" "$URL2" fallback
is "$STATUS" 200 "online: the lookup"
is "$(printf '%s\n' "$BODY" | head -n 1)" 1 "the second database's record (id 1), not the cached one"
is "$(sumdb_count /lookup/example.com/m@v1.0.0)" 1 "asked of the second database"
# And back to the first URL, offline: its answers are still cached.
ask "$LK" "$A" "$URL1" offline
is "$STATUS $BODY" "200 $LOOKUP1" "back to the first URL: its cached lookup"
unlike "$(cat "$TRASH/stderr")" 'Sanitizer|runtime error' "no sanitizer report"
done_testing

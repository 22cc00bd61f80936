#!/bin/sh
# t0410-upstream-cache.t: a cached answer belongs to the upstream that gave
# it.  Two file:// upstreams, A and B, answer differently for one module:
# its list, @latest, a branch query, a version only B has (a "not found"
# from A), and a module A cannot list at all (an outage).  Each is asked
# of A, then [upstream] goproxy becomes B: every answer is B's, none is
# A's from the cache.  Back to A within the TTLs, A's cached answers are
# A's again.  And an index of the schema before the upstream was part of
# the cache key: its cached rows are of no known upstream, never served.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need perl zip sqlite3

M=example.com/c
A=$TRASH/upstream-a
B=$TRASH/upstream-b
DEAD=http://127.0.0.1:1
for v in v1.0.0 v1.1.0; do
	mkver "$A" $M $v $v 2021-01-01T00:00:00Z "module $M
" $M go.mod="module $M" c.go="package c // A $v"
done
for v in v1.0.0 v1.5.0 v1.9.0; do
	mkver "$B" $M $v $v 2021-01-01T00:00:00Z "module $M
" $M go.mod="module $M" c.go="package c // B $v"
done
# B's v1.0.0 must be A's: the same version has one content.
cp "$A/$M/@v/v1.0.0.zip" "$B/$M/@v/v1.0.0.zip"
printf 'v1.0.0\nv1.1.0\n' > "$A/$M/@v/list"
printf 'v1.0.0\nv1.5.0\nv1.9.0\n' > "$B/$M/@v/list"
cp "$A/$M/@v/v1.1.0.info" "$A/$M/@latest"
cp "$B/$M/@v/v1.9.0.info" "$B/$M/@latest"
# The branch "main": at v1.0.0 for A, at v1.5.0 for B.
cp "$A/$M/@v/v1.0.0.info" "$A/$M/@v/main.info"
cp "$B/$M/@v/v1.5.0.info" "$B/$M/@v/main.info"
# example.com/d: only B has it, and A is an upstream that is down.
mkver "$B" example.com/d v1.0.0 v1.0.0 2021-01-01T00:00:00Z \
    'module example.com/d
' example.com/d go.mod='module example.com/d'
printf 'v1.0.0\n' > "$B/example.com/d/@v/list"

S=$TRASH/storage
use_config "$S" "$TRASH/state"
export PIRAEUS_SUMDB_VERIFY=no PIRAEUS_UPSTREAM_RETRIES=0
export PIRAEUS_UPSTREAM_CONNECT_TIMEOUT=2
export PIRAEUS_UPSTREAM_LIST_TTL=3600 PIRAEUS_UPSTREAM_NOTFOUND_TTL=3600

# body_of URI GOPROXY: the status and the body of one request.
ask()
{
	cgi GET "$1" PIRAEUS_UPSTREAM_GOPROXY="$2"
	BODY=$(cat "$TRASH/body")
}

# From A.
ask /$M/@v/list "file://$A"
is "$STATUS $BODY" "200 v1.0.0
v1.1.0" "A: the list"
ask /$M/@latest "file://$A"
like "$STATUS $BODY" '^200 .*"v1\.1\.0"' "A: @latest"
ask /$M/@v/main.info "file://$A"
like "$STATUS $BODY" '^200 .*"v1\.0\.0"' "A: main is v1.0.0"
ask /$M/@v/v1.9.0.info "file://$A"
is "$STATUS" 404 "A: v1.9.0 is not found"
ask /example.com/d/@v/list "$DEAD"
isnt "$STATUS" 200 "A down: no list"

# The same questions, now of B.
ask /$M/@v/list "file://$B"
is "$STATUS $BODY" "200 v1.0.0
v1.5.0
v1.9.0" "B: the list is B's, not A's cached one"
ask /$M/@latest "file://$B"
like "$STATUS $BODY" '^200 .*"v1\.9\.0"' "B: @latest is B's"
ask /$M/@v/main.info "file://$B"
like "$STATUS $BODY" '^200 .*"v1\.5\.0"' "B: main is B's v1.5.0"
ask /$M/@v/v1.9.0.info "file://$B"
is "$STATUS" 200 "B: v1.9.0, not A's cached \"not found\""
ask /example.com/d/@v/list "file://$B"
is "$STATUS $BODY" "200 v1.0.0" "B: a list, not A's cached outage"

# Back to A within the TTLs: A's answers, from the cache (A's list has
# changed since; the cached one is still A's within list_ttl).
printf 'v1.0.0\nv1.1.0\nv1.2.0\n' > "$A/$M/@v/list"
ask /$M/@v/list "file://$A"
like "$STATUS $BODY" '^200 ' "back to A: the list"
unlike "$BODY" 'v1\.2\.0' "A's cached list is A's within list_ttl"
like "$BODY" 'v1\.1\.0' "with A's version"
ask /$M/@latest "file://$A"
like "$STATUS $BODY" '^200 .*"v1\.1\.0"' "back to A: A's @latest"

# An index of schema 3: its upstream_cache rows name no upstream.
S3=$TRASH/storage3 T3=$TRASH/state3
use_config "$S3" "$T3"
now=$(date +%s)
sqlite3 "$T3/index.sqlite" "
    CREATE TABLE upstream_cache (key TEXT PRIMARY KEY,
	status INTEGER NOT NULL, fetched INTEGER NOT NULL,
	body BLOB NOT NULL);
    INSERT INTO upstream_cache VALUES ('list:$M', 200, $now,
	'v1.0.0' || char(10) || 'v7.7.7' || char(10));
    INSERT INTO upstream_cache VALUES ('latest:$M', 200, $now,
	'{\"Version\":\"v7.7.7\",\"Time\":\"2021-01-01T00:00:00Z\"}');
    PRAGMA user_version = 3;" || bail_out "an index of schema 3"
ask /$M/@v/list "file://$B"
is "$STATUS $BODY" "200 v1.0.0
v1.5.0
v1.9.0" "schema 3's cached list is not served"
ask /$M/@latest "file://$B"
like "$STATUS $BODY" '^200 .*"v1\.9\.0"' "nor its @latest"
is "$(sqlite3 "$T3/index.sqlite" 'PRAGMA user_version')" 4 \
    "the index is now of schema 4"
done_testing

#!/bin/sh
# t1570-vulndb-sync.t: piraeus vulndb sync and import, against a test
# database (tests/vulndb/gendb.go) served by tests/upstream/fakeproxy.go.
#
#   - [vulndb] enabled = no refuses;
#   - a cold sync stores every v1 file byte for byte (.json.gz too) and
#     legacy files equal (as JSON) to the ones gendb writes on its own;
#   - a sync with nothing new asks for db.json.gz only;
#   - after 4 entries change upstream, a sync asks for exactly those 4,
#     hard-links the others from the generation before, keeps that one
#     and removes older ones;
#   - each hostile upstream (an entry whose id, modified time or affected
#     module disagrees with the index, a .json.gz with bytes after its end
#     or not gzip, an entry over OSV_ENTRY_MAX or one osv.c refuses (what
#     [policy] vulnerable would skip), an entry missing or
#     failing, an index naming "../" ids or unknown entries, a database
#     older than the mirror) fails the sync and leaves the served set as
#     it was, byte for byte, with no generation left behind;
#   - two syncs at once: the second is refused;
#   - import of a directory, a .tar.gz of STORAGE/vulndb/ and a plain tar
#     give the same set; tarballs with a link, an absolute or a ".." name
#     are refused and nothing is served;
#   - the responder's /vulndb/ (ep_vulndb.c, as CGI) sends the mirror's
#     files (the same bytes, application/json or application/gzip), 404
#     for the generations, a non-file, a link, another suffix, and for
#     everything while [vulndb] enabled = no;
#   - [vulndb] ttl: the responder syncs after an answer when the last
#     sync is older than ttl, not before, not with ttl = 0;
#   - a directory (not piraeus's link) at STORAGE/vulndb is refused;
#     reindex ignores the mirror.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need go jq gzip tar perl

go_tool_build "$top_srcdir/tests/vulndb/gendb.go" vulndb-bin ||
    bail_out "cannot build gendb"
GENDB=$GO_TOOL_BIN
UP=$TRASH/up
"$GENDB" -o "$UP" -n 30 -fixture || bail_out "gendb"
upstream_build || bail_out "cannot build the fake upstream"
upstream_start "$UP" || bail_out "cannot start the fake upstream"

# mkini NAME STORAGE ENABLED: an INI for a storage of its own.
mkini()
{
	mkdir -p "$2" "$TRASH/state.$1"
	cat >"$TRASH/$1.ini" <<INI
[storage]
root = $2
[state]
dir = $TRASH/state.$1
[upstream]
goproxy = off
retries = 0
timeout = 5
[vulndb]
enabled = $3
url = $UPSTREAM_URL
INI
}
S=$TRASH/storage
mkini main "$S" yes
vdb()
{
	PIRAEUS_CONFIG=$TRASH/main.ini "$PIRAEUS" vulndb "$@" \
	    >"$TRASH/out" 2>&1
}
# served: a digest of every file of the served set, and where the link is.
served()
{
	( cd "$S/vulndb/" 2>/dev/null && find . -type f | LC_ALL=C sort |
	    xargs sha256sum ) | sha256sum
	readlink "$S/vulndb"
}
gens()
{
	ls "$S/.vulndb" | grep '^g' | tr '\n' ' '
}

mkini off "$TRASH/storage.off" no
PIRAEUS_CONFIG=$TRASH/off.ini "$PIRAEUS" vulndb sync >"$TRASH/off.out" 2>&1
is "$?" 1 "[vulndb] enabled = no: sync refused"
like "$(cat "$TRASH/off.out")" "enabled is no" "and says why"

# --url is checked as [vulndb] url is (a host, no blank, capped).
for u in 'http:///x' 'http://a b/' "http://h/$(printf 'x%.0s' $(seq 1 2100))"; do
	vdb sync --url "$u"
	is "$?" 2 "--url $(printf '%.30s' "$u"): refused" || diag_file "$TRASH/out"
done
like "$(cat "$TRASH/out")" "at most 2047" "(and says why)"

# --- cold ---
upstream_reset
vdb sync
is "$?" 0 "a cold sync exits 0" || diag_file "$TRASH/out"
like "$(cat "$TRASH/out")" "generation 1: 33 entries \(33 got, 0 kept\), 10 modules" \
    "it reports the entries got"
is "$(upstream_count '*.json.gz')" 36 "it asked for 3 index and 33 entry .json.gz"
is "$(upstream_count '*')" 36 "and nothing else"
is "$(readlink "$S/vulndb")" ".vulndb/g1" "STORAGE/vulndb links to the generation"
bad=0
for f in $(cd "$UP" && find index ID -name '*.json*' ! -name index.json); do
	cmp -s "$UP/$f" "$S/vulndb/$f" || { bad=$((bad + 1)); diag "differs: $f"; }
done
is "$bad" 0 "every v1 file is the upstream's, byte for byte"
bad=0
for f in $(cd "$S/vulndb" && find index ID -name '*.json' ! -name index.json); do
	gzip -dc "$S/vulndb/$f.gz" | cmp -s - "$S/vulndb/$f" || bad=$((bad + 1))
done
is "$bad" 0 "each .json.gz is the gzip of its .json"
# The legacy layout, as JSON, against gendb's own.
jnorm()
{
	jq -S 'if type == "array" then sort_by(if type == "object" then .id else . end)
	    elif type == "object" then map_values(if type == "array" then sort else . end)
	    else . end' "$1"
}
bad=0 n=0
for f in index.json aliases.json ID/index.json stdlib.json \
    example.com/vulnlib.json 'example.com/!v!mod3.json' example.com/vmod0.json \
    'example.com/!v!mod10.json'; do
	n=$((n + 1))
	[ "$(jnorm "$UP/$f")" = "$(jnorm "$S/vulndb/$f")" ] ||
	    { bad=$((bad + 1)); diag "legacy differs: $f"; }
done
is "$bad" 0 "the $n legacy files derived equal gendb's own"
is "$(cd "$S/vulndb" && find . -name '*.json' ! -path './index/*' ! -path './ID/*' | wc -l)" \
    "$(cd "$UP" && find . -name '*.json' ! -path './index/*' ! -path './ID/*' | wc -l)" \
    "as many legacy files as gendb's"

# --- nothing new ---
upstream_reset
vdb sync
like "$(cat "$TRASH/out")" "up to date" "a second sync: up to date"
is "$(upstream_count '*')" 1 "it asked for one file"
is "$(upstream_count /index/db.json.gz)" 1 "db.json.gz"

# --- incremental ---
"$GENDB" -o "$UP" -n 30 -fixture -bump 4 || bail_out "gendb -bump"
upstream_reset
vdb sync
is "$?" 0 "an incremental sync exits 0" || diag_file "$TRASH/out"
like "$(cat "$TRASH/out")" "generation 2: 33 entries \(4 got, 29 kept\)" \
    "it got the 4 changed entries, kept 29"
is "$(upstream_count '/ID/*')" 0 "(no request names a directory)"
is "$(upstream_count '*.json.gz')" 7 "it asked for 3 index and 4 entry files"
ok "the changed entry is the new one" cmp -s "$UP/ID/GO-2020-0000.json" \
    "$S/vulndb/ID/GO-2020-0000.json"
is "$(stat -c %i "$S/.vulndb/g1/ID/GO-2020-0001.json")" \
    "$(stat -c %i "$S/.vulndb/g2/ID/GO-2020-0001.json")" \
    "an unchanged entry is a hard link to the generation before"
is "$(gens)" "g1 g2 " "the generation before is kept"
"$GENDB" -o "$UP" -n 30 -fixture -bump 5 || bail_out "gendb -bump"
if command -v strace >/dev/null 2>&1; then
	# A generation is removed index/db.json first: a reader in the middle
	# (vulnview.c) sees a generation gone, not entries missing.
	PIRAEUS_CONFIG=$TRASH/main.ini strace -f -qq -e trace=unlink,unlinkat \
	    -o "$TRASH/strace.out" "$PIRAEUS" vulndb sync >"$TRASH/out" 2>&1
	first=$(grep -n '/g1/' "$TRASH/strace.out" | grep -v ENOENT | head -1)
	like "$first" '/g1/index/db\.json"' \
	    "pruning g1, its index/db.json is removed first" ||
	    diag "$(grep -c '/g1/' "$TRASH/strace.out") removals of g1's files"
else
	vdb sync
	skip "pruning g1, its index/db.json is removed first" "no strace"
fi
is "$(gens)" "g2 g3 " "older ones are removed"

# --- hostile upstreams: each fails, the served set stays ---
"$GENDB" -o "$TRASH/good" -n 30 -fixture -bump 6 || bail_out "gendb"
# hostile NAME SETUP...: the good newer database, changed by SETUP (run
# in the upstream's directory), must be refused.
hostile()
{
	_h_name=$1
	shift
	rm -rf "$UP" && cp -R "$TRASH/good" "$UP" || bail_out "cp"
	upstream_reset
	before=$(served)
	( cd "$UP" && "$@" ) || bail_out "setup of $_h_name"
	vdb sync
	_h_rc=$?
	is "$_h_rc" 1 "$_h_name: refused" || diag_file "$TRASH/out"
	is "$(served)" "$before" "$_h_name: the served set is unchanged"
	is "$(gens)" "g2 g3 " "$_h_name: no generation left" 
	diag "$_h_name: $(cat "$TRASH/out")"
}
# rezip FILE: FILE.gz made again from FILE.
rezip()
{
	gzip -n -c "$1" >"$1.gz"
}
# edit FILE SED: FILE changed, its .gz made again.
edit()
{
	sed "$2" "$1" >"$1.new" && mv "$1.new" "$1" && rezip "$1"
}
hostile "an entry whose id is another" \
    edit ID/GO-2020-0006.json 's/"id":"GO-2020-0006"/"id":"GO-2020-0007"/'
hostile "an entry whose modified time is not the index's" \
    edit ID/GO-2020-0006.json 's/"modified":"[^"]*"/"modified":"2024-01-01T00:00:00Z"/'
hostile "an entry not affecting the module the index says" \
    edit ID/GO-2020-0006.json 's/"name":"example.com\/vmod[0-9]*"/"name":"example.com\/other"/'
hostile "an entry that is not JSON" \
    edit ID/GO-2020-0006.json 's/}$/,/'
hostile "a .json.gz with bytes after its end" \
    sh -c 'printf x >>ID/GO-2020-0006.json.gz'
like "$(cat "$TRASH/out")" 'ID/GO-2020-0006\.json\.gz: gzip: 1 bytes after the end' \
    "and the message names the file"
hostile "a .json.gz that is not gzip" \
    cp ID/GO-2020-0006.json ID/GO-2020-0006.json.gz
hostile "an entry the index names that is missing" \
    rm ID/GO-2020-0006.json.gz
# (in both index files, so that the index is otherwise consistent: the
# id check is what refuses it)
hostile "an index naming ../ ids" \
    sh -c 'for f in index/vulns.json index/modules.json; do
	sed "s/\"id\":\"GO-2020-0006\"/\"id\":\"..\/..\/etc\/x\"/" "$f" >"$f.new" &&
	    mv "$f.new" "$f" && gzip -n -c "$f" >"$f.gz" || exit 1; done'
like "$(cat "$TRASH/out")" 'index/vulns.json: row [0-9]*: no valid "id"' \
    "../ ids: refused by the id check"
hostile "modules.json naming an entry vulns.json does not" \
    edit index/modules.json 's/"id":"GO-2020-0006"/"id":"GO-2020-9999"/'
# (newer than the mirror's 2023-01-03T03:28:05Z, older than entry 25's
# 2023-01-03T03:29:05Z)
hostile "an entry newer than db.json" \
    edit index/db.json 's/"modified":"[^"]*"/"modified":"2023-01-03T03:28:30Z"/'
# jqedit FILE FILTER: FILE changed by jq, its .gz made again.
jqedit()
{
	jq -c "$2" "$1" >"$1.new" && mv "$1.new" "$1" && rezip "$1"
}
hostile "an entry of 2 MiB (over OSV_ENTRY_MAX, which the policy reads)" \
    jqedit ID/GO-2020-0006.json '.details = ("x" * 2097152)'
hostile "an entry the policy reader would skip (an event of two kinds)" \
    jqedit ID/GO-2020-0006.json '.affected[0].ranges[0].events[0] = {"introduced": "0", "fixed": "1.0.0"}'
hostile "an entry over the cap" \
    upstream_fault /ID/GO-2020-0006.json.gz big size=5000000
hostile "an entry answered 500" \
    upstream_fault /ID/GO-2020-0006.json.gz status500
"$GENDB" -o "$TRASH/old" -n 30 -fixture || bail_out "gendb"
hostile "a database older than the mirror" \
    sh -c "rm -rf ./* && cp -R '$TRASH/old/.' ."
upstream_fault /ID/GO-2020-0006.json.gz none >/dev/null 2>&1 || true
upstream_reset

# --- two at once ---
rm -rf "$UP" && cp -R "$TRASH/good" "$UP"
upstream_fault /index/vulns.json.gz delay ms=3000
PIRAEUS_CONFIG=$TRASH/main.ini "$PIRAEUS" vulndb sync >"$TRASH/first.out" 2>&1 &
first=$!
sleep 1
vdb sync
is "$?" 1 "a sync while another runs is refused"
like "$(cat "$TRASH/out")" "another vulndb sync" "and says why"
wait "$first"
is "$?" 0 "the first one finishes" || diag_file "$TRASH/first.out"
upstream_reset

# --- import ---
S2=$TRASH/storage2
mkini imp "$S2" yes
imp()
{
	PIRAEUS_CONFIG=$TRASH/imp.ini "$PIRAEUS" vulndb import "$@" \
	    >"$TRASH/imp.out" 2>&1
}
digest()
{
	( cd "$1/" && find . -type f | LC_ALL=C sort | xargs sha256sum ) |
	    sha256sum
}
imp "$S/vulndb"
is "$?" 0 "import of a directory (STORAGE/vulndb of another host)" ||
    diag_file "$TRASH/imp.out"
is "$(digest "$S2/vulndb")" "$(digest "$S/vulndb")" "the same set"
# GNU tar's own format (its default) writes a name over 100 bytes as a
# GNU long name ('L'): a legacy module file can have one.
mkdir -p "$TRASH/long"
cp -R "$S/vulndb/." "$TRASH/long/"
long=example.com/$(printf 'a%.0s' $(seq 1 60))/$(printf 'b%.0s' $(seq 1 60)).json
mkdir -p "$TRASH/long/$(dirname "$long")" && echo '[]' >"$TRASH/long/$long"
tar --format=gnu -C "$TRASH/long" -czf "$TRASH/long.tar.gz" . || bail_out "tar"
rm -rf "$S2" && mkini imp "$S2" yes
imp "$TRASH/long.tar.gz"
is "$?" 0 "import of a GNU tar with a long name ('L' header)" ||
    diag_file "$TRASH/imp.out"
is "$(digest "$S2/vulndb")" "$(digest "$S/vulndb")" "the same set"
tar --format=gnu -C "$TRASH/long" -cf "$TRASH/long.tar" index ID "$long" ||
    bail_out "tar"
rm -rf "$S2" && mkini imp "$S2" yes
imp "$TRASH/long.tar"
is "$?" 0 "(and a plain one)" || diag_file "$TRASH/imp.out"
# A module path that is not a go.mod one (example.com/vulnlib/v1): the v1
# files keep it, the legacy ones leave it out; the rest is imported.
mkdir -p "$TRASH/dbV1"
cp -R "$S/vulndb/index" "$S/vulndb/ID" "$TRASH/dbV1/"
( cd "$TRASH/dbV1" &&
    for f in index/modules.json ID/GO-2099-0001.json ID/GO-2099-0002.json; do
	sed 's|"example.com/vulnlib"|"example.com/vulnlib/v1"|g' "$f" >"$f.new" &&
	    mv "$f.new" "$f" && gzip -n -c "$f" >"$f.gz" || exit 1
    done ) || bail_out "dbV1"
rm -rf "$S2" && mkini imp "$S2" yes
imp "$TRASH/dbV1"
is "$?" 0 "a module path ending in /v1 does not stop the import" ||
    diag_file "$TRASH/imp.out"
ok "(the v1 modules.json keeps it)" grep -q '"example.com/vulnlib/v1"' \
    "$S2/vulndb/index/modules.json"
is "$(jq -r 'has("example.com/vulnlib/v1")' "$S2/vulndb/index.json" 2>&1)" \
    false "the legacy index.json leaves it out"
ok "and has no <module>.json for it" test ! -e "$S2/vulndb/example.com/vulnlib/v1.json"
ok "the other modules' legacy files are there" test -f "$S2/vulndb/stdlib.json"
# An entry kept from the generation before is checked against the new
# index too: database B lists GO-2099-0001 under example.com/b, which it
# does not affect; refused cold, and refused after A (the same entry,
# the same modified time, listed under its own module) was imported.
mkdir -p "$TRASH/dbB"
cp -R "$S/vulndb/index" "$S/vulndb/ID" "$TRASH/dbB/"
( cd "$TRASH/dbB" &&
    sed 's|"path":"example.com/vulnlib"|"path":"example.com/b"|' \
    index/modules.json >index/m.new && mv index/m.new index/modules.json &&
    gzip -n -c index/modules.json >index/modules.json.gz ) || bail_out "dbB"
grep -q '"example.com/b"' "$TRASH/dbB/index/modules.json" || bail_out "dbB sed"
S4=$TRASH/storage4
mkini imp4 "$S4" yes
PIRAEUS_CONFIG=$TRASH/imp4.ini "$PIRAEUS" vulndb import --force "$TRASH/dbB" \
    >"$TRASH/imp4.out" 2>&1
is "$?" 1 "database B (an entry under a module it does not affect), cold: refused"
like "$(cat "$TRASH/imp4.out")" "does not affect example.com/b" "and says why"
PIRAEUS_CONFIG=$TRASH/imp4.ini "$PIRAEUS" vulndb import "$S/vulndb" \
    >"$TRASH/imp4.out" 2>&1 || bail_out "import A"
PIRAEUS_CONFIG=$TRASH/imp4.ini "$PIRAEUS" vulndb import --force "$TRASH/dbB" \
    >"$TRASH/imp4.out" 2>&1
is "$?" 1 "database B after A (the entry unchanged, its modules not): refused"
like "$(cat "$TRASH/imp4.out")" "does not affect example.com/b" "and says why"
tar -C "$S/vulndb/" -czf "$TRASH/vulndb.tar.gz" . || bail_out "tar"
rm -rf "$S2" && mkini imp "$S2" yes
imp "$TRASH/vulndb.tar.gz"
is "$?" 0 "import of a .tar.gz" || diag_file "$TRASH/imp.out"
is "$(digest "$S2/vulndb")" "$(digest "$S/vulndb")" "the same set"
tar -C "$TRASH/good" -cf "$TRASH/db.tar" index ID || bail_out "tar"
rm -rf "$S2" && mkini imp "$S2" yes
imp "$TRASH/db.tar"
is "$?" 0 "import of a plain tar of the upstream's v1 files" ||
    diag_file "$TRASH/imp.out"
is "$(digest "$S2/vulndb")" "$(digest "$S/vulndb")" "the same set"
ls "$S2/.vulndb" | grep -q import && fail "the extracted copy is left" ||
    pass "the extracted copy is removed"
# A killed import (in the middle of extracting) and a killed sync (its
# new generation made) leave nothing the next run does not remove.
rm -rf "$S2" && mkini imp "$S2" yes
imp "$S/vulndb" || bail_out "import"
mkdir -p "$TRASH/bigtar"
for i in 0 1 2 3; do truncate -s 250M "$TRASH/bigtar/big$i"; done
tar -C "$TRASH/bigtar" -cf - big0 big1 big2 big3 | gzip -1 >"$TRASH/big.tgz" ||
    bail_out "big tar"
rm -rf "$TRASH/bigtar"
PIRAEUS_CONFIG=$TRASH/imp.ini "$PIRAEUS" vulndb import "$TRASH/big.tgz" \
    >/dev/null 2>&1 &
killme=$!
i=0
until ls "$S2/.vulndb" | grep -q '^import\.' || [ $i -ge 400 ]; do
	sleep 0.02; i=$((i + 1))
done
sleep 0.2
kill -9 "$killme" 2>/dev/null
wait "$killme" 2>/dev/null
ls "$S2/.vulndb" | grep -q '^import\.' && pass "(an import killed while extracting)" ||
    fail "(an import killed while extracting)"
upstream_fault /index/db.json.gz delay ms=5000
PIRAEUS_CONFIG=$TRASH/imp.ini "$PIRAEUS" vulndb sync >/dev/null 2>&1 &
killme=$!
sleep 1
kill -9 "$killme" 2>/dev/null
wait "$killme" 2>/dev/null
upstream_fault /index/db.json.gz none >/dev/null 2>&1 || true
upstream_reset
imp "$S/vulndb"
is "$?" 0 "the next import runs" || diag_file "$TRASH/imp.out"
like "$(cat "$TRASH/imp.out")" "up to date" "(nothing new in it)"
is "$(ls "$S2/.vulndb" | grep -v -e '^lock$' -e '^checked$' | tr '\n' ' ')" \
    "$(readlink "$S2/vulndb" | sed 's|^.vulndb/||') " \
    "nothing stale is left: no import.*, no generation after the current one"
# Hostile tarballs: nothing served after.
rm -rf "$S2" && mkini imp "$S2" yes
mkdir -p "$TRASH/evil/index" "$TRASH/evil2/sub"
cp -R "$TRASH/good/index" "$TRASH/good/ID" "$TRASH/evil/"
ln -s /etc "$TRASH/evil/ID/link"
tar -C "$TRASH/evil" -cf "$TRASH/link.tar" index ID
imp "$TRASH/link.tar"
is "$?" 1 "a tarball with a symbolic link is refused"
like "$(cat "$TRASH/imp.out")" "type '2'" "and says why"
tar -cPf "$TRASH/abs.tar" "$TRASH/good/index/db.json" 2>/dev/null
imp "$TRASH/abs.tar"
is "$?" 1 "a tarball with an absolute name is refused"
like "$(cat "$TRASH/imp.out")" "tar: $TRASH/good/index/db.json: an absolute, \"..\" or otherwise unsafe name" \
    "and says why"
( cd "$TRASH/evil2/sub" && tar -cPf "$TRASH/dotdot.tar" ../../good/index/db.json )
imp "$TRASH/dotdot.tar"
is "$?" 1 "a tarball with a \"..\" name is refused"
like "$(cat "$TRASH/imp.out")" 'unsafe name' "and says why"
ok "nothing is served after them" test ! -e "$S2/vulndb"
# (dotdot.tar's name, from the extraction directory
# STORAGE/.vulndb/import.PID, lands in STORAGE/good)
ok "nothing was written outside" test ! -e "$S2/good/index/db.json"
ok "(nor the extraction directory is left)" test -z "$(ls "$S2/.vulndb" | grep import)"

# --- the responder's /vulndb/ (CGI) ---
vcgi()
{
	PIRAEUS_CONFIG=$TRASH/main.ini cgi GET "$1"
}
vcgi /vulndb/index/db.json
is "$STATUS" 200 "responder: /vulndb/index/db.json"
ok "the mirror's bytes" cmp -s "$TRASH/body" "$S/vulndb/index/db.json"
is "$(hdr Content-Type)" "application/json" "application/json"
is "$(hdr Cache-Control)" "public, max-age=3600, must-revalidate" \
    "kept an hour, then revalidated"
is "$(hdr Last-Modified)" \
    "$(TZ=GMT LC_ALL=C date -r "$S/vulndb/index/db.json" '+%a, %d %b %Y %H:%M:%S GMT')" \
    "its Last-Modified (the revalidation asked for)"
like "$(hdr ETag)" '^"[0-9a-f]+-[0-9a-f]+"$' "and an ETag"
# Revalidation (RFC 9110, 13): 304 and no body when the client's copy is
# the mirror's.
vtag=$(hdr ETag) vlm=$(hdr Last-Modified)
vcgir()
{
	PIRAEUS_CONFIG=$TRASH/main.ini cgi GET /vulndb/index/db.json "$@"
}
vcgir "HTTP_IF_NONE_MATCH=$vtag"
is "$STATUS" 304 "If-None-Match with its ETag: 304"
is "$(wc -c < "$TRASH/body" | tr -d ' ')" 0 "with no body"
is "$(hdr ETag)" "$vtag" "and its ETag"
is "$(hdr Cache-Control)" "public, max-age=3600, must-revalidate" "and Cache-Control"
vcgir 'HTTP_IF_NONE_MATCH="0-0"'
is "$STATUS" 200 "another ETag: 200"
ok "with the mirror's bytes" cmp -s "$TRASH/body" "$S/vulndb/index/db.json"
vcgir "HTTP_IF_MODIFIED_SINCE=$vlm"
is "$STATUS" 304 "If-Modified-Since its Last-Modified: 304"
vcgir "HTTP_IF_MODIFIED_SINCE=Thu, 01 Jan 1970 00:00:00 GMT"
is "$STATUS" 200 "If-Modified-Since before it: 200"
vcgir 'HTTP_IF_NONE_MATCH="0-0"' "HTTP_IF_MODIFIED_SINCE=$vlm"
is "$STATUS" 200 "If-None-Match decides when both are sent: 200"
vcgir "HTTP_IF_MODIFIED_SINCE=$vlm junk"
is "$STATUS" 200 "a malformed date: 200"
vcgi /vulndb/ID/GO-2020-0003.json.gz
is "$STATUS" 200 "responder: an entry's .json.gz"
ok "the mirror's bytes" cmp -s "$TRASH/body" "$S/vulndb/ID/GO-2020-0003.json.gz"
is "$(hdr Content-Type)" "application/gzip" "application/gzip"
is "$(hdr Content-Encoding)" "" "no Content-Encoding"
vcgi '/vulndb/example.com/!v!mod3.json'
is "$STATUS" 200 "responder: a legacy module file"
ln -s "$S/vulndb/index/db.json" "$S/vulndb/index/link.json"
g=$(readlink "$S/vulndb")
for p in /vulndb/.vulndb/lock "/vulndb/../.vulndb/$g/index/db.json" \
    /vulndb/index /vulndb/index/ /vulndb/index/db.json/x.json \
    /vulndb/index//db.json /vulndb/absent.json /vulndb/ID/index.txt \
    /vulndb/index/link.json /vulndb/ '/vulndb/index/%2e%2e/index.json'; do
	vcgi "$p"
	is "$STATUS" 404 "responder: $p is 404"
done
rm -f "$S/vulndb/index/link.json"
PIRAEUS_CONFIG=$TRASH/main.ini PIRAEUS_VULNDB_ENABLED=no \
    cgi GET /vulndb/index/db.json
is "$STATUS" 404 "responder: 404 while [vulndb] enabled = no"

# --- [vulndb] ttl: the responder syncs after its answer ---
"$GENDB" -o "$UP" -n 30 -fixture -bump 30 || bail_out "gendb -bump"
upstream_reset
before=$(readlink "$S/vulndb")
PIRAEUS_CONFIG=$TRASH/main.ini cgi GET /healthz
is "$(upstream_count '*')" 0 "ttl = 0: the responder does not sync"
PIRAEUS_CONFIG=$TRASH/main.ini PIRAEUS_VULNDB_TTL=3600 cgi GET /healthz
is "$(upstream_count '*')" 0 "ttl = 3600 after a sync a moment ago: nor then"
touch -d '2 hours ago' "$S/.vulndb/checked"
PIRAEUS_CONFIG=$TRASH/main.ini PIRAEUS_VULNDB_TTL=3600 cgi GET /healthz
is "$STATUS" 200 "the request is answered"
isnt "$(readlink "$S/vulndb")" "$before" \
    "the last sync 2 hours old: the responder switched to a new generation"
ok "the new entry is served" cmp -s "$UP/ID/GO-2020-0000.json" \
    "$S/vulndb/ID/GO-2020-0000.json"
ok "an entry got by the responder is there" test -f "$S/vulndb/ID/GO-2020-0003.json.gz"
upstream_reset
PIRAEUS_CONFIG=$TRASH/main.ini PIRAEUS_VULNDB_TTL=3600 cgi GET /healthz
is "$(upstream_count '*')" 0 "and the stamp is new: the next request does not"

# The responder's sync is incremental only: with no generation yet it
# does nothing (a cold sync is too long for a request's process).
S5=$TRASH/storage5
mkini s5 "$S5" yes
upstream_reset
PIRAEUS_CONFIG=$TRASH/s5.ini PIRAEUS_VULNDB_TTL=60 cgi GET /healthz
is "$STATUS" 200 "no mirror yet, ttl set: the request is answered"
is "$(upstream_count '*')" 0 "and the responder does not start a cold sync"
ok "(no generation made)" test ! -e "$S5/vulndb"

# --- a directory of someone else's at STORAGE/vulndb ---
S3=$TRASH/storage3
mkini s3 "$S3" yes
mkdir -p "$S3/vulndb"
PIRAEUS_CONFIG=$TRASH/s3.ini "$PIRAEUS" vulndb sync >"$TRASH/s3.out" 2>&1
is "$?" 1 "a directory at STORAGE/vulndb is refused"
like "$(cat "$TRASH/s3.out")" "not the link piraeus vulndb keeps" "and says why"
PIRAEUS_CONFIG=$TRASH/main.ini "$PIRAEUS" reindex >"$TRASH/reindex.out" 2>&1
is "$?" 0 "reindex with a mirror in storage" || diag_file "$TRASH/reindex.out"
like "$(cat "$TRASH/reindex.out")" "indexed 0 versions, skipped 0" \
    "it takes nothing of the mirror for a module"

done_testing

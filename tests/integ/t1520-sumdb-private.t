#!/bin/sh
# t1520-sumdb-private.t: piraeus' private checksum database at scale,
# checked by the reference client.
#
# 700 versions of a private module (nosum) are imported into empty
# storage, so that none has a record yet; piraeus runs behind lighttpd.
# tests/sumdb/sumdbclient.go, the Client of golang.org/x/mod/sumdb (the
# go command's own verification code), looks them all up in a shuffled
# order: each lookup appends a record lazily, so the client sees the tree
# grow from 1 to 700 records and proves every new signed tree consistent
# with the one before (partial and full tiles of level 0, tiles of level
# 1), authenticates every record, and compares its go.sum lines with the
# hashes of the imported files.  Then:
#   - the log holds exactly the 700 records, in the order of the lookups;
#   - a full hash tile, a level-1 partial tile, full and partial data
#     tiles are served with the right sizes and contents; tiles beyond
#     the tree are 404;
#   - a fresh client in another order (every record already logged, one
#     tree) verifies them all again;
#   - an audit by sumdbclient -audit, without the client, reads every
#     record from the data tiles, recomputes the whole tree from them and
#     finds the signed tree hash and every hash tile, byte for byte (the
#     client alone leaves some full tiles unchecked: see sumdbclient.go);
#   - once one record's text is altered in the index, a fresh client
#     refuses that version and only that one, and the audit fails; so it
#     does once a stored hash is corrupted;
#   - no sanitizer report in the responders' logs.
#
# The versions are written by one perl process (IO::Compress::Zip), not by
# mkver of tests/cgi/lib.sh: that spawns ten processes a version, 700
# versions took 46 s.  Both the client and piraeus hash the same files.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
need go curl lighttpd sqlite3 perl unzip awk sort

M=example.com/priv
N=700
NAME=private.test

# --- the reference client ----------------------------------------------------
# Built like testsumdb (go_tool_build): offline, against Debian's
# golang.org/x/mod, into $top_builddir/tests/sumdb-bin (or $TRASH).
CLIENT_SRC=$top_srcdir/tests/sumdb/sumdbclient.go
client_build()
{
	go_tool_build "$CLIENT_SRC" sumdb-bin && CLIENT_BIN=$GO_TOOL_BIN
}
client_build || bail_out "cannot build tests/sumdb/sumdbclient.go" \
    "(golang-golang-x-mod-dev installed?)"
pass "the reference client is built"

# --- 700 tiny versions in a GOPROXY tree ---------------------------------------
UP=$TRASH/up
mkdir -p "$UP/$M/@v" || bail_out "mkdir"
perl -MIO::Compress::Zip=:all -e '
	my ($dir, $m, $n) = @ARGV;
	for my $i (0 .. $n - 1) {
		my $v = "v1.0.$i";
		my $base = "$dir/$v";
		open(my $f, ">", "$base.mod") or die "$base.mod: $!";
		print $f "module $m\n";
		close($f) or die;
		open($f, ">", "$base.info") or die "$base.info: $!";
		printf $f "{\"Version\":\"%s\",\"Time\":\"2020-01-01T00:%02d:%02dZ\"}\n",
		    $v, int($i / 60) % 60, $i % 60;
		close($f) or die;
		my $z = IO::Compress::Zip->new("$base.zip",
		    Name => "$m\@$v/go.mod", Minimal => 1,
		    Method => ZIP_CM_DEFLATE) or die "$base.zip: $ZipError";
		$z->print("module $m\n");
		$z->newStream(Name => "$m\@$v/p.go", Minimal => 1,
		    Method => ZIP_CM_DEFLATE);
		$z->print("package priv // $i\n");
		$z->close or die "$base.zip: $ZipError";
	}
' "$UP/$M/@v" "$M" "$N" || bail_out "cannot write the versions"
is "$(ls "$UP/$M/@v" | grep -c '\.zip$')" "$N" "$N zips written"
unzip -tq "$UP/$M/@v/v1.0.699.zip" >"$TRASH/unzip.log" 2>&1
ok $? "unzip finds the zips sound" || diag_file "$TRASH/unzip.log"
is "$(unzip -Z1 "$UP/$M/@v/v1.0.42.zip" | sort | tr '\n' ' ')" \
    "$M@v1.0.42/go.mod $M@v1.0.42/p.go " "a version's zip holds go.mod and p.go"

# --- the private database ------------------------------------------------------
"$PIRAEUS" sumdb-keygen "$NAME" "$TRASH/priv.key" >"$TRASH/priv.vkey"
ok $? "piraeus sumdb-keygen"
VKEY=$(cat "$TRASH/priv.vkey")
like "$VKEY" "^private\\.test\\+[0-9a-f]{8}\\+" "a verifier key for $NAME"

S=$TRASH/storage
T=$TRASH/state
mkdir -p "$S" "$T"
cat >"$TRASH/p.ini" <<INI
[storage]
root = $S
[state]
dir = $T
[upstream]
goproxy = off
[sumdb]
nosum = $M
verify = no
private_key = $TRASH/priv.key
INI
PIRAEUS_CONFIG=$TRASH/p.ini "$PIRAEUS" import "$UP" >"$TRASH/import.log" 2>&1
ok $? "piraeus import of the tree" || diag_file "$TRASH/import.log"
like "$(cat "$TRASH/import.log")" "^imported $N versions, 0 already present, skipped 0" \
    "all $N versions imported"
DB=$T/index.sqlite
records()
{
	sqlite3 "$DB" "SELECT count(*) FROM sumdb_records"
}
is "$(records)" 0 "an import logs no record: they come with the lookups"

serve_lighttpd "$TRASH/serve.log" "$S" "$T" "$TRASH/p.ini"
BASE=$URL/sumdb/$NAME

# code URL: the status of a GET; the body in $TRASH/b.
code()
{
	curl -s -o "$TRASH/b" -w '%{http_code}' "$1"
}
size()
{
	wc -c <"$TRASH/b" | tr -d ' '
}
is "$(code "$BASE/latest")" 200 "latest of the empty log"
is "$(sed -n 2p "$TRASH/b")" 0 "a tree of 0 records"

# shuffle SEED <IN: the lines of IN in an order fixed by SEED.
shuffle()
{
	awk -v seed="$1" 'BEGIN { srand(seed) } { printf "%.12f\t%s\n", rand(), $0 }' |
	    sort -k1,1 | cut -f 2-
}
i=0
while [ $i -lt $N ]; do
	echo "$M v1.0.$i"
	i=$((i + 1))
done >"$TRASH/all"
shuffle 1520 <"$TRASH/all" >"$TRASH/list1"
shuffle 2015 <"$TRASH/all" >"$TRASH/list2"
is "$(sort "$TRASH/list1" | uniq | wc -l | tr -d ' ')" "$N" "list 1: every version once"
isnt "$(head -n 20 "$TRASH/list1")" "$(head -n 20 "$TRASH/all")" "list 1 is shuffled"
isnt "$(head -n 20 "$TRASH/list2")" "$(head -n 20 "$TRASH/list1")" "list 2 is another order"

# client NAME LIST [FLAG...]: a fresh reference client (LIST may be "" with
# -audit); output in $TRASH/client.NAME.out, its requests in
# $TRASH/client.NAME.log, status in $CLIENT_ST.
client()
{
	_cl_n=$1 _cl_l=$2
	shift 2
	"$CLIENT_BIN" -url "$BASE" -vkey "$VKEY" -list "$_cl_l" -root "$UP" \
	    -log "$TRASH/client.$_cl_n.log" "$@" >"$TRASH/client.$_cl_n.out" 2>&1
	CLIENT_ST=$?
}
summary()
{
	grep -E '^[0-9]+ ok, [0-9]+ failed$' "$TRASH/client.$1.out"
}

# --- 1: every lookup appends; the tree grows from 1 to 700 -------------------
t0=$(date +%s)
client grow "$TRASH/list1" -latest-every 25 -audit
t1=$(date +%s)
is "$CLIENT_ST" 0 "the reference client verified $N lookups, each a new tree" ||
    { grep -v '^ok ' "$TRASH/client.grow.out" >"$TRASH/notok"; diag_file "$TRASH/notok"; }
is "$(summary grow)" "$N ok, 0 failed" "$N ok, 0 failed"
diag "$(tail -n 1 "$TRASH/client.grow.out") in $((t1 - t0)) s"
AUDIT="audit ok: tree of $N records, 3 data tiles, 4 hash tiles"
is "$(grep '^audit ok' "$TRASH/client.grow.out")" "$AUDIT" \
    "the audit recomputes the tree from the data tiles: every tile right"
# The client asked for the tiles of every tree it saw.
sed -n 's,^\(/tile/8/[01]/[^ ]*\) 200$,\1,p' "$TRASH/client.grow.log" |
    sort -u >"$TRASH/tiles.asked"
like "$(grep -c '^/tile/8/0/[0-9]*\.p/' "$TRASH/tiles.asked")" '^(6[0-9][0-9]|[7-9][0-9][0-9])$' \
    "the client proved its trees with partial tiles of 600 and more widths"
like "$(cat "$TRASH/tiles.asked")" '^/tile/8/1/000\.p/2$' "and with tiles of level 1"
is "$(records)" "$N" "the log has $N records"
sqlite3 "$DB" "SELECT module || ' ' || version FROM sumdb_records ORDER BY id" \
    >"$TRASH/logged"
is_file "$TRASH/logged" "$TRASH/list1" "appended in the order of the lookups"
is "$(sqlite3 "$DB" "SELECT min(id) || ' ' || max(id) || ' ' || count(DISTINCT id) \
    FROM sumdb_records")" "0 $((N - 1)) $N" "ids dense from 0"

is "$(code "$BASE/latest")" 200 "latest"
is "$(sed -n 2p "$TRASH/b")" "$N" "a tree of $N records"
like "$(cat "$TRASH/b")" "^— $NAME " "signed by the private key"

# --- tiles -------------------------------------------------------------------
is "$(code "$BASE/tile/8/0/000")" 200 "full hash tile tile/8/0/000"
is "$(size)" 8192 "256 hashes"
cp "$TRASH/b" "$TRASH/tile0.000"
is "$(code "$BASE/tile/8/0/001")" 200 "full hash tile tile/8/0/001"
is "$(size)" 8192 "256 hashes"
is "$(code "$BASE/tile/8/0/002.p/188")" 200 "partial hash tile tile/8/0/002.p/188"
is "$(size)" $((188 * 32)) "188 hashes"
is "$(code "$BASE/tile/8/0/002")" 404 "tile/8/0/002 is not full yet"
is "$(code "$BASE/tile/8/0/000.p/17")" 200 "a partial tile of an older tree"
head -c $((17 * 32)) "$TRASH/tile0.000" >"$TRASH/prefix"
is_file "$TRASH/b" "$TRASH/prefix" "a prefix of the full tile"
is "$(code "$BASE/tile/8/1/000.p/2")" 200 "level-1 partial tile tile/8/1/000.p/2"
is "$(size)" 64 "2 hashes"
cp "$TRASH/b" "$TRASH/tile1"
is "$(code "$BASE/tile/8/1/000.p/1")" 200 "its prefix tile/8/1/000.p/1"
head -c 32 "$TRASH/tile1" >"$TRASH/prefix"
is_file "$TRASH/b" "$TRASH/prefix" "the first hash of it"
is "$(code "$BASE/tile/8/1/000.p/3")" 404 "level 1 has only 2 hashes"
is "$(code "$BASE/tile/8/2/000.p/1")" 404 "level 2 has none"

is "$(code "$BASE/tile/8/data/000")" 200 "full data tile tile/8/data/000"
is "$(head -n 1 "$TRASH/b")" 0 "starts with record 0"
sqlite3 "$DB" "SELECT id || char(10) || text FROM sumdb_records \
    WHERE id < 256 ORDER BY id" >"$TRASH/want.data"
is_file "$TRASH/b" "$TRASH/want.data" "records 0 to 255, each its id line then its text"
is "$(grep -cE "^$M v1\\.0\\.[0-9]+ h1:[A-Za-z0-9+/]{43}=\$" "$TRASH/b")" 256 \
    "256 zip lines"
is "$(grep -cE "^$M v1\\.0\\.[0-9]+/go\\.mod h1:[A-Za-z0-9+/]{43}=\$" "$TRASH/b")" 256 \
    "256 go.mod lines"
is "$(code "$BASE/tile/8/data/002.p/188")" 200 "partial data tile tile/8/data/002.p/188"
is "$(head -n 1 "$TRASH/b")" 512 "starts with record 512"
is "$(grep -c "^$M " "$TRASH/b")" $((188 * 2)) "188 records"
is "$(code "$BASE/tile/8/data/002.p/189")" 404 "a data tile beyond the tree is 404"
is "$(code "$BASE/tile/8/data/003.p/1")" 404 "so is the next one"

# --- 2: a fresh client, another order, one tree --------------------------------
client again "$TRASH/list2" -latest-every 100 -audit
is "$CLIENT_ST" 0 "a fresh client verifies them all in another order" ||
    { grep -v '^ok ' "$TRASH/client.again.out" >"$TRASH/notok"; diag_file "$TRASH/notok"; }
is "$(summary again)" "$N ok, 0 failed" "$N ok, 0 failed"
is "$(grep '^audit ok' "$TRASH/client.again.out")" "$AUDIT" "the audit again"
is "$(records)" "$N" "no record added"
is "$(code "$BASE/latest")" 200 "latest"
is "$(sed -n 2p "$TRASH/b")" "$N" "still a tree of $N records"

# --- 3: one record altered -----------------------------------------------------
V300=$(sqlite3 "$DB" "SELECT version FROM sumdb_records WHERE id = 300")
like "$V300" '^v1\.0\.[0-9]+$' "record 300 is $M@$V300"
sqlite3 "$DB" "UPDATE sumdb_records SET text = replace(text, 'h1:', 'h1:X') \
    WHERE id = 300" || fail "alter record 300"
is "$(code "$BASE/lookup/$M@$V300")" 200 "its lookup is served as stored"
like "$(sed -n 2p "$TRASH/b")" " h1:X" "the altered text"
client altered "$TRASH/list2"
isnt "$CLIENT_ST" 0 "the reference client fails"
like "$(cat "$TRASH/client.altered.out")" "^FAIL $M $V300: .*(SECURITY|cannot authenticate)" \
    "for the altered version, saying why"
is "$(grep -c '^FAIL' "$TRASH/client.altered.out")" 1 "and only for it"
is "$(summary altered)" "$((N - 1)) ok, 1 failed" "$((N - 1)) ok, 1 failed"
client audit1 "" -audit
isnt "$CLIENT_ST" 0 "the audit fails"
like "$(cat "$TRASH/client.audit1.out")" "^FAIL audit: record 300: " "at record 300"

# A stored hash corrupted: the leaf of record 400, stored hash index
# 2 * 400 - popcount(400) = 797, in tile/8/0/001.
sqlite3 "$DB" "UPDATE sumdb_records SET text = replace(text, 'h1:X', 'h1:') \
    WHERE id = 300; UPDATE sumdb_hashes SET hash = zeroblob(32) WHERE idx = 797" ||
    fail "corrupt a hash"
V400=$(sqlite3 "$DB" "SELECT version FROM sumdb_records WHERE id = 400")
client audit2 "" -audit
isnt "$CLIENT_ST" 0 "a corrupt stored hash: the audit fails"
like "$(cat "$TRASH/client.audit2.out")" "^FAIL audit: tile/8/0/001: wrong hashes" \
    "in tile/8/0/001"
echo "$M $V400" >"$TRASH/list400"
client corrupt "$TRASH/list400"
isnt "$CLIENT_ST" 0 "and the client refuses record 400"
like "$(cat "$TRASH/client.corrupt.out")" "^FAIL $M $V400: " "saying so"

stop_bg "$SERVE_PID"
unlike "$(cat "$T"/run/*.log 2>/dev/null)" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"
done_testing

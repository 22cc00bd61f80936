#!/bin/sh
# t2020-hosts.t: three hosts, one storage (README "Several hosts").
#
# Three piraeus hosts, each its own lighttpd and responders on its own
# loopback address (127.0.0.1, .2, .3: tests/lib/hosts.sh) with its own
# state directory (index, locks, caches), share one storage root and one
# private checksum database log ([sumdb] log_dir).  The upstream is the
# fake proxy over the offline fixtures.  Checked:
#   - the real go command (each of GOS) builds the app through each host,
#     verifying every module against the private checksum database of the
#     host it uses: the same go.sum as the reference everywhere, and one
#     upstream fetch per zip in all;
#   - every host serves the same tree head, from the one shared log (no
#     host's own index holds a record);
#   - /catalog and /index of every host list every version in the tree,
#     whichever host published it, and no longer one another host purged;
#   - a version another host stored without a record (piraeus import) is
#     looked up through this host: a record, not a 404;
#   - with the upstream down, @v/list and @latest are the same on every
#     host and hold what any host stored, at once (a host's remembered
#     list is dropped when the directory changes);
#   - 3 x 32 concurrent clients on the same cold zips: all get the
#     upstream's bytes, nothing partial, at most one fetch per host and
#     artifact (the sqlite singleflight is per host; [singleflight]
#     backend = redis makes it one in all: t2030-hosts-redis);
#   - a host killed in the middle of a fetch: another host serves the
#     version, nothing partial is left in the tree;
#   - a storage root whose .tmp is another file system is refused (root
#     and tmpfs only);
#   - piraeus verify on any host checks the tree against the shared log.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/hosts.sh"
need go git curl lighttpd sqlite3 perl cmp
hosts_loopback

upstream_fixtures
pass "fake upstream on $UPSTREAM_URL"

NAME=hosts.test
"$PIRAEUS" sumdb-keygen "$NAME" "$TRASH/priv.key" >"$TRASH/priv.vkey" ||
    bail_out "sumdb-keygen"
VKEY=$(cat "$TRASH/priv.vkey")

# The shared storage: the tree and the private log, apart.
S=$TRASH/shared/storage
SL=$TRASH/shared/sumdb
mkdir -p "$S" "$SL"

# host_ini I STATE: every host's INI but for its state directory.
host_ini()
{
	cat <<INI
[storage]
root = $S
[state]
dir = $2
[upstream]
goproxy = $UPSTREAM_URL
network_mode = fallback
retries = 1
timeout = 10
wait_timeout = 30
[sumdb]
verify = no
nosum = github.com/fixture,example.com/imp
private_key = $TRASH/priv.key
log_dir = $SL
INI
}
hosts_start 3 "$S" host_ini
for i in 1 2 3; do
	is "$(curl -s -o /dev/null -w '%{http_code}' "$(host_url $i)/healthz")" \
	    200 "host $i answers on 127.0.0.$i:$HOSTS_PORT"
done

# --- the go command through each host --------------------------------------
# gosum_via I: $GO builds the app through host I, verifying against the
# private database there.
gosum_via()
{
	fixture_build_app "$FX" "h$1.$GOTAG" "$(host_url "$1")" \
	    "GOSUMDB=$VKEY $(host_url "$1")/sumdb/$NAME"
	ok $? "go build through host $1, GOSUMDB its private database [$GOTAG]" ||
	    diag_file "$TRASH/build.h$1.$GOTAG.log"
	is_file "$TRASH/app.h$1.$GOTAG/go.sum" "$TRASH/app.ref.$GOTAG/go.sum" \
	    "go.sum through host $1 equals the reference [$GOTAG]"
	is "$(cat "$TRASH/app.h$1.$GOTAG/app.out" 2>/dev/null)" \
	    "$(fixture_app_output)" "the app runs [$GOTAG]"
}
builds()
{
	fixture_build_app "$FX" "ref.$GOTAG" "file://$REF"
	ok $? "reference build from file:// [$GOTAG]" ||
	    diag_file "$TRASH/build.ref.$GOTAG.log"
	for i in 1 2 3; do
		gosum_via "$i"
	done
}
upstream_reset
for_each_go builds
is "$(upstream_counts | awk '$2 ~ /\.zip$/ && $1 != 1' | head -n 3)" "" \
    "each zip was fetched from upstream once, by all the hosts together"
is "$(find "$S/.tmp" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 \
    "no temporary file left"

# --- one log, one tree head ---------------------------------------------------
heads()
{
	for i in 1 2 3; do
		curl -s "$(host_url "$i")/sumdb/$NAME/latest" >"$TRASH/head.$i"
	done
}
heads
like "$(head -n 1 "$TRASH/head.1")" "^go\\.sum database tree$" \
    "host 1 serves a tree head"
is_file "$TRASH/head.2" "$TRASH/head.1" "host 2 serves host 1's tree head"
is_file "$TRASH/head.3" "$TRASH/head.1" "host 3 serves host 1's tree head"
NREC=$(sqlite3 "$SL/sumdb-log.sqlite" 'SELECT count(*) FROM sumdb_records')
is "$(sed -n 2p "$TRASH/head.1")" "$NREC" \
    "the head's size is the shared log's record count ($NREC)"
for i in 1 2 3; do
	is "$(sqlite3 "$(host_state $i)/index.sqlite" \
	    'SELECT count(*) FROM sumdb_records')" 0 \
	    "host $i's own index holds no record"
done

# --- every host's listings hold every version of the tree ------------------
find "$S" -path "$S/.tmp" -prune -o -name '*.info' -print |
    sed "s|^$S/||; s|/@v/| |; s|\\.info\$||" | sort >"$TRASH/tree.versions"
[ "$(wc -l <"$TRASH/tree.versions")" -gt 10 ]
ok $? "the tree holds the fixture versions"
# The catalog's rows, escaped as in the tree.
catalog_of()
{
	curl -s "$(host_url "$1")/catalog?pagesize=1000" |
	    perl -MJSON::PP -e '
		local $/; my $j = decode_json(<STDIN>);
		for my $m (@{$j->{modules}}) {
			my ($p, $v) = ($m->{module}, $m->{version});
			s/([A-Z])/"!" . lc($1)/ge for $p, $v;
			print "$p $v\n";
		}' | sort
}
for i in 1 2 3; do
	catalog_of "$i" >"$TRASH/catalog.$i"
	is "$(cat "$TRASH/catalog.$i")" "$(cat "$TRASH/tree.versions")" \
	    "host $i's /catalog lists every version of the tree"
	is "$(curl -s "$(host_url "$i")/index?limit=1000" | grep -c '"Path"')" \
	    "$(wc -l <"$TRASH/tree.versions" | tr -d ' ')" \
	    "host $i's /index has a line per version of the tree"
done

# A version purged through host 1 leaves the listings of every host.
sleep 1.1	# past the hosts' once-a-second catch-up
PIRAEUS_CONFIG=$TRASH/host.1/p.ini "$PIRAEUS" purge \
    github.com/fixture/nomod@v1.0.0 --yes >"$TRASH/purge.log" 2>&1
ok $? "host 1 purges github.com/fixture/nomod@v1.0.0" ||
    diag_file "$TRASH/purge.log"
for i in 2 3; do
	is "$(catalog_of "$i" | grep -c '^github.com/fixture/nomod ')" 0 \
	    "host $i's /catalog no longer lists it"
done

# --- a version stored without a record, looked up through another host -----
M=example.com/imp
IMP=$TRASH/imp
mkdir -p "$IMP/$M/@v"
perl -MIO::Compress::Zip=:all -e '
	my ($dir, $m) = @ARGV;
	my $base = "$dir/v1.0.0";
	open(my $f, ">", "$base.mod") or die; print $f "module $m\n"; close $f;
	open($f, ">", "$base.info") or die;
	print $f "{\"Version\":\"v1.0.0\",\"Time\":\"2020-01-01T00:00:00Z\"}\n";
	close $f;
	my $z = IO::Compress::Zip->new("$base.zip", Name => "$m\@v1.0.0/go.mod",
	    Minimal => 1) or die;
	$z->print("module $m\n");
	$z->close or die;
' "$IMP/$M/@v" "$M" || bail_out "cannot write $M"
PIRAEUS_CONFIG=$TRASH/host.1/p.ini "$PIRAEUS" import "$IMP" \
    >"$TRASH/import.log" 2>&1
ok $? "host 1 imports $M@v1.0.0 into the shared tree (no record)" ||
    diag_file "$TRASH/import.log"
code=$(curl -s -o "$TRASH/lookup" -w '%{http_code}' \
    "$(host_url 2)/sumdb/$NAME/lookup/$M@v1.0.0")
is "$code" 200 "host 2 looks it up: a record, not a 404" ||
    diag_file "$TRASH/lookup"
like "$(cat "$TRASH/lookup")" "^$M v1\\.0\\.0 h1:" "the record names it"
heads
is_file "$TRASH/head.1" "$TRASH/head.2" "host 1 serves host 2's new tree head"
is_file "$TRASH/head.3" "$TRASH/head.2" "and so does host 3"
is "$(sed -n 2p "$TRASH/head.2")" "$((NREC + 1))" "one record more"
# The command line reads the shared log too, not the host's index.
like "$(PIRAEUS_CONFIG=$TRASH/host.3/p.ini "$PIRAEUS" stats 2>&1)" \
    "private log: $((NREC + 1)) records" \
    "host 3's piraeus stats counts the shared log's records"

# --- list and @latest with the upstream down -------------------------------
MP=github.com/fixture/multi
upstream_stop
sleep 1.2	# the @v directory unchanged long enough to be remembered
for i in 1 2 3; do
	curl -s "$(host_url "$i")/$MP/@v/list" >"$TRASH/list.$i"
	curl -s "$(host_url "$i")/$MP/@latest" >"$TRASH/latest.$i"
done
is "$(cat "$TRASH/list.1")" "v1.1.0
v1.2.0" "upstream down: host 1's list of $MP is what the tree holds"
is_file "$TRASH/list.2" "$TRASH/list.1" "host 2's list is the same"
is_file "$TRASH/list.3" "$TRASH/list.1" "host 3's list is the same"
is_file "$TRASH/latest.1" "$S/$MP/@v/v1.2.0.info" "host 1's @latest: v1.2.0"
is_file "$TRASH/latest.2" "$TRASH/latest.1" "host 2's @latest is the same"
is_file "$TRASH/latest.3" "$TRASH/latest.1" "host 3's @latest is the same"
# Another host stores v1.0.0 (an import, the upstream being down): the
# list host 2 remembered is not answered again.
mkdir -p "$TRASH/m100/$MP/@v"
cp "$REF/$MP/@v/v1.0.0.info" "$REF/$MP/@v/v1.0.0.mod" \
    "$REF/$MP/@v/v1.0.0.zip" "$TRASH/m100/$MP/@v/"
PIRAEUS_CONFIG=$TRASH/host.3/p.ini "$PIRAEUS" import "$TRASH/m100" \
    >"$TRASH/import.log" 2>&1
ok $? "host 3 imports $MP@v1.0.0" || diag_file "$TRASH/import.log"
is "$(curl -s "$(host_url 2)/$MP/@v/list")" "v1.0.0
v1.1.0
v1.2.0" "host 2's list holds it at once"
is "$(curl -s -o /dev/null -w '%{http_code}' \
    "$(host_url 1)/$MP/@v/v1.0.0.info")" 200 "host 1 serves its .info"
upstream_start "$REF" -addr "${UPSTREAM_URL#http://}" ||
    bail_out "upstream restart"

# --- 3 x 32 concurrent clients on the same cold zips -----------------------
hosts_cold_storm 700
for f in $HOSTS_ZIPS; do
	cmp -s "$S/$f" "$REF/$f"
	ok $? "the stored $f is the upstream's"
	n=$(upstream_count "/$f")
	[ "$n" -ge 1 ] && [ "$n" -le 3 ]
	ok $? "$f: fetched $n times, at most once per host (sqlite singleflight)"
done
is "$(find "$S/.tmp" -type f | wc -l | tr -d ' ')" 0 "no temporary file left"

# --- a host killed in the middle of a fetch ----------------------------------
KV=github.com/fixture/notags/@v/$(cat "$FX/pseudo.notags.old").zip
upstream_reset
upstream_fault '*.zip' delay ms=3000 >/dev/null
curl -s -o /dev/null "$(host_url 1)/$KV" &
cpid=$!
sleep 1
host_kill 1
wait "$cpid"
is "$(procs_of "$(host_state 1)" | grep -E ' (lighttpd|piraeus\.fcgi)$')" "" \
    "host 1 is gone: its lighttpd and responders"
upstream_fault '*.zip' none >/dev/null
code=$(curl -s -o "$TRASH/kv" -w '%{http_code}' --max-time 60 \
    "$(host_url 2)/$KV")
is "$code" 200 "host 2 serves the version host 1 was fetching"
is_file "$TRASH/kv" "$REF/$KV" "with the upstream's bytes"
# (A small zip is answered from its checked temporary copy and published
# right after the answer is out.)
i=0
while [ ! -f "$S/$KV" ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
is_file "$S/$KV" "$REF/$KV" "the stored zip is whole"
host_up 1
is "$(curl -s -o /dev/null -w '%{http_code}' "$(host_url 1)/$KV")" 200 \
    "host 1, back, serves it too"

# --- .tmp on another file system ---------------------------------------------
X=$TRASH/other
mkdir -p "$X/storage/.tmp" "$X/state"
if [ "$(id -u)" = 0 ] && mount -t tmpfs tmpfs "$X/storage/.tmp" 2>/dev/null
then
	at_exit umount "$X/storage/.tmp"
	printf '[storage]\nroot = %s\n[state]\ndir = %s\n' "$X/storage" \
	    "$X/state" >"$X/p.ini"
	out=$(PIRAEUS_CONFIG=$X/p.ini "$PIRAEUS" reindex 2>&1)
	isnt "$?" 0 "a .tmp mounted apart is refused"
	like "$out" "another file system" "and said why: $out"
	umount "$X/storage/.tmp"
else
	skip "a .tmp mounted apart is refused" "not root, or no tmpfs mount"
	skip "and said why" "not root, or no tmpfs mount"
fi

# --- piraeus verify reads the shared log ---------------------------------------
# A host's index lacks what the others published: verify says so ("not
# indexed") -- it takes the index as a witness -- and reindex mends it.
PIRAEUS_CONFIG=$TRASH/host.3/p.ini "$PIRAEUS" reindex >"$TRASH/verify.log" 2>&1
ok $? "piraeus reindex of host 3's index from the shared tree" ||
    diag_file "$TRASH/verify.log"
PIRAEUS_CONFIG=$TRASH/host.3/p.ini "$PIRAEUS" verify >"$TRASH/verify.log" 2>&1
ok $? "piraeus verify through host 3: all well" || diag_file "$TRASH/verify.log"
# One record of the shared log altered (its zip line's hash): host 3's
# verify sees it, though host 3 did not write that record.
sqlite3 "$SL/sumdb-log.sqlite" "UPDATE sumdb_records SET text = \
    replace(text, ' h1:', ' h1:AAAA') WHERE module = 'example.com/imp'"
PIRAEUS_CONFIG=$TRASH/host.3/p.ini "$PIRAEUS" verify >"$TRASH/verify.log" 2>&1
isnt "$?" 0 "after a record of the shared log is altered, verify fails"
like "$(cat "$TRASH/verify.log")" "example\.com/imp.*private checksum log" \
    "and names the version and the log"
# Purged through host 3, whose index holds no record: purge says the
# shared log keeps its record.
PIRAEUS_CONFIG=$TRASH/host.3/p.ini "$PIRAEUS" purge example.com/imp@v1.0.0 \
    --yes >"$TRASH/purge.log" 2>&1
ok $? "host 3 purges example.com/imp@v1.0.0" || diag_file "$TRASH/purge.log"
like "$(cat "$TRASH/purge.log")" 'the private checksum log keeps its record' \
    "and says the shared log keeps its record"

hosts_sanitizer_clean
done_testing

#!/bin/sh
# t0120-inventory.t: piraeus catalog and stats on real stores, checked
# against what the test stored (counted here with find, stat and sqlite3,
# not with the code under test); --json parsed with perl's JSON::PP; and
# every command `piraeus --help` lists answers -h with its usage, a help
# text and its exit statuses (a new command without them fails here).
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need perl zip sqlite3
perl -MJSON::PP -e 1 2>/dev/null || skip_all "perl JSON::PP"

S=$TRASH/storage
T=$TRASH/state
use_config "$S" "$T"
mkstore "$S"
"$PIRAEUS" reindex >/dev/null || bail_out "reindex"

# What the tree holds, independently: "module version" of every .info
# (module paths unescaped: "!x" is "X").
unesc() { perl -pe 's/!([a-z])/uc $1/ge'; }
(cd "$S" && find . -path './.*' -prune -o -name '*.info' -print) |
    sed 's|^\./||; s|/@v/| |; s|\.info$||' | unesc | LC_ALL=C sort \
    >"$TRASH/want.rows"
nrows=$(wc -l <"$TRASH/want.rows" | tr -d ' ')
[ "$nrows" -gt 5 ] || bail_out "mkstore stored only $nrows versions"

# catalog: one line per module, its number of versions.
cut -d' ' -f1 "$TRASH/want.rows" | uniq -c | awk '{ print $2, $1 }' \
    >"$TRASH/want.cat"
"$PIRAEUS" catalog >"$TRASH/cat" 2>"$TRASH/err"
is "$?" 0 "catalog exits 0"
ok "catalog: every stored module with its number of versions" \
    cmp -s "$TRASH/want.cat" "$TRASH/cat" || {
	diag_file "$TRASH/want.cat"; diag_file "$TRASH/cat"; }

# catalog --json: {"modules":[{"module":M,"versions":[V...]}]}.
"$PIRAEUS" catalog --json >"$TRASH/cat.json"
is "$?" 0 "catalog --json exits 0"
perl -MJSON::PP -e '
	local $/; my $j = decode_json(<STDIN>);
	for my $m (@{$j->{modules}}) {
		print "$m->{module} $_\n" for @{$m->{versions}};
	}' <"$TRASH/cat.json" | LC_ALL=C sort >"$TRASH/cat.rows"
ok "catalog --json parses and lists every stored version" \
    cmp -s "$TRASH/want.rows" "$TRASH/cat.rows" || diag_file "$TRASH/cat.rows"

# catalog MODULE: its versions, with the .info Time and the zip h1 the
# index holds (reindex computed them; t0100 checks them against go.sum's
# algorithm).
grep '^example\.com/m ' "$TRASH/want.rows" | cut -d' ' -f2 \
    >"$TRASH/want.m"
"$PIRAEUS" catalog example.com/m >"$TRASH/m"
is "$?" 0 "catalog MODULE exits 0"
cut -d' ' -f1 "$TRASH/m" | LC_ALL=C sort >"$TRASH/m.versions"
ok "catalog MODULE: its stored versions" cmp -s "$TRASH/want.m" "$TRASH/m.versions"
like "$(cat "$TRASH/m")" '^v1\.0\.0 2020-01-01T00:00:00Z h1:' \
    "catalog MODULE: version, .info Time, zip h1"
want=$(sqlite3 "$T/index.sqlite" "SELECT zip_h1 FROM versions WHERE module='example.com/m' AND version='v1.1.0'")
is "$(sed -n 's/^v1\.1\.0 [^ ]* //p' "$TRASH/m")" "$want" "catalog MODULE: the zip h1 of the index"
is "$(head -n 1 "$TRASH/m" | cut -d' ' -f1)" v0.0.0-20200401000000-abcdefabcdef \
    "catalog MODULE: semver order (the pseudo-version first)"
"$PIRAEUS" catalog --json example.com/Upper >"$TRASH/up.json"
is "$?" 0 "catalog --json MODULE exits 0"
got=$(perl -MJSON::PP -e '
	local $/; my $j = decode_json(<STDIN>);
	my $v = $j->{versions}[0];
	print join(" ", $j->{module}, scalar @{$j->{versions}},
	    $v->{version}, $v->{time}, $v->{zip_size}, $v->{origin})' \
    <"$TRASH/up.json")
zsz=$(stat -c %s "$S/example.com/!upper/@v/v1.0.0.zip")
is "$got" "example.com/Upper 1 v1.0.0 2020-06-01T00:00:00Z $zsz reindex" \
    "catalog --json MODULE: module (unescaped), version, time, zip size, origin"

"$PIRAEUS" catalog example.com/nosuch >/dev/null 2>"$TRASH/err"
is "$?" 1 "catalog of a module with nothing stored exits 1"
like "$(cat "$TRASH/err")" 'no version of example.com/nosuch is indexed' "and says so"
"$PIRAEUS" catalog 'example.com/../etc' >/dev/null 2>&1
is "$?" 2 "catalog of an invalid module path is a usage error (2)"
"$PIRAEUS" catalog --frob >/dev/null 2>&1
is "$?" 2 "catalog: an unknown option is a usage error (2)"

# stats: the tree's figures against find and stat, the index's against
# sqlite3.
sum_of() { (cd "$S" && find . -path './.*' -prune -o -type f -name "*.$1" \
    -printf '%s\n') | awk '{ s += $1 } END { print s + 0 }'; }
cnt_of() { (cd "$S" && find . -path './.*' -prune -o -type f -name "*.$1" \
    -print) | wc -l | tr -d ' '; }
bi=$(sum_of info) bm=$(sum_of mod) bz=$(sum_of zip)
total=$((bi + bm + bz))
nmods=$(wc -l <"$TRASH/want.cat" | tr -d ' ')
"$PIRAEUS" stats >"$TRASH/stats"
is "$?" 0 "stats exits 0"
st=$(cat "$TRASH/stats")
like "$st" "^modules: $nmods \\(index: $nmods\\)\$" "stats: modules of tree and index"
like "$st" "^versions: $nrows \\(index: $nrows; incomplete in the tree: 0\\)\$" "stats: versions"
like "$st" "^bytes: $total \\(index, zips: $bz\\)\$" "stats: bytes of the tree, zip bytes of the index"
like "$st" "^info: $(cnt_of info) files, $bi bytes\$" "stats: .info files and bytes"
like "$st" "^mod: $(cnt_of mod) files, $bm bytes\$" "stats: .mod files and bytes"
like "$st" "^zip: $(cnt_of zip) files, $bz bytes\$" "stats: .zip files and bytes"
unlike "$st" 'private log' "stats: no private log line without a private database"

"$PIRAEUS" stats --json >"$TRASH/stats.json"
is "$?" 0 "stats --json exits 0"
isz=$(($(stat -c %s "$T/index.sqlite") + $(stat -c %s "$T/index.sqlite-wal" 2>/dev/null || echo 0)))
first=$(sqlite3 "$T/index.sqlite" 'SELECT min(stored) FROM versions')
last=$(sqlite3 "$T/index.sqlite" 'SELECT max(stored) FROM versions')
got=$(perl -MJSON::PP -e '
	local $/; my $j = decode_json(<STDIN>);
	my $k = $j->{kinds};
	print join(" ", $j->{modules}, $j->{versions}, $j->{incomplete},
	    $j->{bytes}, map({ "$k->{$_}{files}/$k->{$_}{bytes}" }
	    qw(info mod zip)), $j->{index_modules}, $j->{index_versions},
	    $j->{index_zip_bytes}, $j->{index_bytes},
	    defined $j->{private_log_records} ? "log" : "nolog")' \
    <"$TRASH/stats.json")
is "$got" "$nmods $nrows 0 $total $(cnt_of info)/$bi $(cnt_of mod)/$bm $(cnt_of zip)/$bz $nmods $nrows $bz $isz nolog" \
    "stats --json: every figure"
# oldest and newest fetch: the index's stored times (ns), as RFC 3339.
got=$(perl -MJSON::PP -MTime::Local -e '
	local $/; my $j = decode_json(<STDIN>);
	for my $t ($j->{oldest_fetch}, $j->{newest_fetch}) {
		$t =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(?:\.(\d+))?Z$/
		    or die "bad time $t";
		my $f = substr(($7 // "") . "000000000", 0, 9);
		print timegm($6, $5, $4, $3, $2 - 1, $1) . $f, "\n";
	}' <"$TRASH/stats.json" | tr '\n' ' ')
is "$got" "$first $last " "stats: oldest and newest fetch are the index's first and last"

# A version whose .info is gone is incomplete: not a version of the tree.
rm "$S/example.com/pseudo/@v/"*.info
st=$("$PIRAEUS" stats)
like "$st" "^versions: $((nrows - 1)) \\(index: $nrows; incomplete in the tree: 1\\)\$" \
    "stats: a version without .info is counted as incomplete"
like "$st" "^modules: $((nmods - 1)) \\(index: $nmods\\)\$" \
    "stats: a module without a complete version is not a module of the tree"
"$PIRAEUS" stats --frob >/dev/null 2>&1
is "$?" 2 "stats: an unknown option is a usage error (2)"

# The private checksum database's log: a packed private module is logged.
"$PIRAEUS" sumdb-keygen private.test "$TRASH/priv.key" >/dev/null ||
    bail_out "sumdb-keygen"
mkdir -p "$TRASH/src"
printf 'module example.com/priv\n' >"$TRASH/src/go.mod"
printf 'package priv\n' >"$TRASH/src/p.go"
PIRAEUS_SUMDB_PRIVATE_KEY=$TRASH/priv.key PIRAEUS_SUMDB_NOSUM=example.com/priv \
    "$PIRAEUS" pack "$TRASH/src" example.com/priv v1.0.0 >/dev/null 2>&1 ||
    bail_out "pack"
st=$(PIRAEUS_SUMDB_PRIVATE_KEY=$TRASH/priv.key PIRAEUS_SUMDB_NOSUM=example.com/priv \
    "$PIRAEUS" stats)
is "$(printf '%s\n' "$st" | sed -n 's/^private log: \([0-9]*\) records$/\1/p')" \
    "$(sqlite3 "$T/index.sqlite" 'SELECT count(*) FROM sumdb_records')" \
    "stats: the private log's records"
like "$st" '^private log: 1 records$' "stats: one record, the packed version"
like "$("$PIRAEUS" catalog)" '^example\.com/priv 1$' "catalog: the packed module"

# -h for every command of the table: loop over --help's list, so that a
# command added without its help fails here.
cmds=$("$PIRAEUS" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p')
n=$(printf '%s\n' "$cmds" | wc -l | tr -d ' ')
[ "$n" -ge 12 ] || fail "piraeus --help lists the commands ($n found)"
for c in catalog stats reindex check-config sumdb-keygen; do
	case " $(echo $cmds) " in
	*" $c "*) pass "--help lists $c" ;;
	*) fail "--help lists $c" ;;
	esac
done
for c in $cmds; do
	out=$(env -u PIRAEUS_CONFIG "$PIRAEUS" "$c" -h 2>"$TRASH/err" </dev/null)
	st=$?
	is "$st" 0 "$c -h exits 0"
	like "$out" "^usage: piraeus $c" "$c -h: the usage line, on stdout"
	is "$(printf '%s\n' "$out" | sed -n '2,$p' | grep -c '[a-z]' | \
	    awk '{ print ($1 >= 2) }')" 1 "$c -h: a help text"
	like "$out" 'Exit status: 0 ' "$c -h: the exit statuses"
done
like "$("$PIRAEUS" --help)" 'exit status: 0 ' "--help: the exit statuses"

done_testing

#!/bin/sh
# t1450-zip-oracle.t: the go command is the judge of module zips.  Each zip
# of a table, written byte by byte here (perl pack: what zip(1) and libzip
# will not write), is put in a file:// GOPROXY tree; the real go command
# downloads it from there (go mod download -json, fresh module cache), and
# piraeus fetches it on a miss from the same tree (the responder as CGI).
# Their verdicts must be equal, and an accepted zip is served and stored
# byte for byte as the tree has it.  The table's last column is the verdict
# expected of go, so a go that behaved otherwise is seen too.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
need perl cmp

# The oracles: GO (the newest go command) and GO_OLD (Debian 12's), the
# latter when it is there.  Where they disagree (the table says NEW/OLD),
# piraeus refuses: what one of them refuses, it refuses.
GO=${GO:-/usr/local/go/bin/go}
[ -x "$GO" ] || GO=$(command -v go) || need go
GO_OLD=${GO_OLD:-/usr/lib/go-1.19/bin/go}
[ -x "$GO_OLD" ] && ! [ "$GO_OLD" -ef "$GO" ] || GO_OLD=

# mkzip.pl OUT < SPEC: one entry a line, tab-separated: name, content,
# general purpose flags, Unix mode (octal, 0: none), method (0, 8 or 12,
# the bytes are always stored), CRC-32 (hex; "-": the right one), and an
# optional data descriptor after the data: "S" with its signature, "N"
# without, ":HEX" after either for its CRC-32 (else the header's).  \xNN
# in a name or content stands for that byte.  Local headers, central
# directory and end record as APPNOTE 4.3 has them, nothing else.
cat > "$TRASH/mkzip.pl" <<'EOF'
use strict;
use warnings;
use Compress::Zlib qw(crc32);
my $out = shift;
my ($body, $cd, $n) = ('', '', 0);
while (my $line = <STDIN>) {
	chomp $line;
	my ($name, $data, $flags, $mode, $method, $crc, $dd) =
	    split /\t/, $line;
	for ($name, $data) {
		s/\\x([0-9a-fA-F]{2})/chr(hex($1))/ge;
	}
	$crc = $crc eq '-' ? crc32($data) : hex($crc);
	my $len = length $data;
	my $off = length $body;
	$body .= pack('VvvvvvVVVvv', 0x04034b50, 20, $flags, $method, 0,
	    0x21, $crc, $len, $len, length $name, 0) . $name . $data;
	if (defined $dd && $dd =~ /^([SN])(?::([0-9a-fA-F]+))?$/) {
		$body .= pack('V', 0x08074b50) if $1 eq 'S';
		$body .= pack('VVV', defined $2 ? hex($2) : $crc, $len, $len);
	} elsif (defined $dd && $dd ne '') {
		die "bad descriptor $dd";
	}
	my $made = oct($mode) ? 0x0314 : 0x0014;	# Unix or MS-DOS
	$cd .= pack('VvvvvvvVVVvvvvvVV', 0x02014b50, $made, 20, $flags,
	    $method, 0, 0x21, $crc, $len, $len, length $name, 0, 0, 0, 0,
	    oct($mode) << 16, $off) . $name;
	$n++;
}
my $end = pack('VvvvvVVv', 0x06054b50, 0, 0, $n, $n, length $cd,
    length $body, 0);
open(my $f, '>', $out) or die "$out: $!";
binmode $f;
print $f $body, $cd, $end;
close $f or die "$out: $!";
EOF

UP=$TRASH/upstream
S=$TRASH/storage
use_config "$S" "$TRASH/state"
export PIRAEUS_UPSTREAM_GOPROXY="file://$UP" PIRAEUS_SUMDB_VERIFY=no
export PIRAEUS_UPSTREAM_RETRIES=0

# case_zip NAME EXPECT: the zip of module example.com/zo/NAME v1.0.0 from
# the entry lines on stdin, fields as mkzip.pl's separated by "|", "{}"
# standing for the prefix "example.com/zo/NAME@v1.0.0/".
case_zip()
{
	_mod=example.com/zo/$1
	_d=$UP/$_mod/@v
	mkdir -p "$_d"
	printf 'module %s\n' "$_mod" > "$_d/v1.0.0.mod"
	printf '{"Version":"v1.0.0","Time":"2021-01-01T00:00:00Z"}\n' \
	    > "$_d/v1.0.0.info"
	printf 'v1.0.0\n' > "$_d/list"
	sed "s#{}#$_mod@v1.0.0/#; s#|#	#g" |
	    perl "$TRASH/mkzip.pl" "$_d/v1.0.0.zip" ||
	    bail_out "mkzip.pl $1"
	CASES="$CASES $1:$2"
}

CASES=
# Accepted by the go command: it reads no mode and no encryption flag, a
# directory entry may repeat, a CRC-32 of 0 is not compared.
case_zip plain ok <<'EOF'
{}go.mod|module example.com/zo/plain\x0a|0|0|0|-
{}m.go|package m|0|0|0|-
EOF
case_zip symlink ok <<'EOF'
{}go.mod|module example.com/zo/symlink\x0a|0|0|0|-
{}link|/etc/passwd|0|0120777|0|-
EOF
case_zip fifo ok <<'EOF'
{}fifo||0|010644|0|-
EOF
case_zip dirrepeat ok <<'EOF'
{}a/||0|040755|0|-
{}a/||0|040755|0|-
{}a/x.go|package a|0|0100644|0|-
EOF
case_zip dirs ok <<'EOF'
{}||0|040755|0|-
{}||0|040755|0|-
{}a/||0|040755|0|-
{}a/b/||0|040755|0|-
{}a/b/x.go|package b|0|0100644|0|-
{}a/||0|040755|0|-
EOF
case_zip encrypted ok <<'EOF'
{}m.go|package m|1|0|0|-
EOF
case_zip strongflag ok <<'EOF'
{}m.go|package m|65|0|0|-
EOF
case_zip crczero ok <<'EOF'
{}m.go|package m|0|0|0|0
EOF
# Refused by the go command.
case_zip traversal bad <<'EOF'
{}../x.go|x|0|0|0|-
EOF
case_zip casecollision bad <<'EOF'
{}m.go|a|0|0|0|-
{}M.GO|b|0|0|0|-
EOF
case_zip dircollision bad <<'EOF'
{}Dir/||0|040755|0|-
{}dir/x.go|x|0|0|0|-
EOF
case_zip badprefix bad <<'EOF'
example.com/zo/other@v1.0.0/x.go|x|0|0|0|-
EOF
case_zip absolute bad <<'EOF'
/{}x.go|x|0|0|0|-
EOF
case_zip backslash bad <<'EOF'
{}a\x5cb.go|x|0|0|0|-
EOF
case_zip badutf8 bad <<'EOF'
{}\xff.go|x|0|0|0|-
EOF
case_zip dupfile bad <<'EOF'
{}m.go|a|0|0|0|-
{}m.go|b|0|0|0|-
EOF
case_zip filedir bad <<'EOF'
{}a|a|0|0|0|-
{}a/x.go|b|0|0|0|-
EOF
case_zip nestedgomod bad <<'EOF'
{}sub/go.mod|module x\x0a|0|0|0|-
EOF
case_zip gomodcase bad <<'EOF'
{}GO.MOD|module x\x0a|0|0|0|-
EOF
case_zip crcbad bad <<'EOF'
{}m.go|package m|0|0|0|12345678
EOF
case_zip bzip2 bad <<'EOF'
{}m.go|package m|0|0|12|-
EOF
# Go 1.26 opens no directory entry through a decompressor, and refuses
# one with content; Go 1.19 does the one and accepts the other.
case_zip dirbzip2 ok/bad <<'EOF'
{}a/||0|040755|12|-
{}a/x.go|package a|0|0|0|-
EOF
case_zip dirdata bad/ok <<'EOF'
{}a/|x|0|040755|0|-
{}a/x.go|package a|0|0|0|-
EOF

# Data descriptors (general purpose bit 3): Go reads one after the data,
# wants its CRC-32 equal to the central one, and then compares the
# content's CRC-32 with the central one even when that is 0.
case_zip ddsig ok <<'EOF'
{}m.go|package m|8|0|0|-|S
EOF
case_zip ddnosig ok <<'EOF'
{}m.go|package m|8|0|0|-|N
{}go.mod|module example.com/zo/ddnosig\x0a|0|0|0|-
EOF
case_zip ddcrczero bad <<'EOF'
{}m.go|package m|8|0|0|0|S:0
EOF
case_zip ddcrczeronosig bad <<'EOF'
{}m.go|package m|8|0|0|0|N:0
EOF
case_zip ddcrczeroempty ok <<'EOF'
{}m.go||8|0|0|0|S:0
EOF
case_zip ddcrcdiff bad <<'EOF'
{}m.go|package m|8|0|0|-|S:12345678
EOF
case_zip ddabsent bad <<'EOF'
{}m.go|package m|8|0|0|-
EOF
case_zip ddnoflag ok <<'EOF'
{}m.go|package m|0|0|0|-|S:12345678
EOF
# Go 1.19 reads a directory entry as a file, its descriptor too: under a
# name the last entry only (HashZip's map).  Go 1.26 reads none.
case_zip dirdd ok/bad <<'EOF'
{}a/||8|040755|0|0|S:12345678
{}a/x.go|package a|0|0|0|-
EOF
case_zip dirddfirst ok <<'EOF'
{}a/||8|040755|0|0|S:12345678
{}a/||0|040755|0|-
{}a/x.go|package a|0|0|0|-
EOF
case_zip dirddlast ok/bad <<'EOF'
{}a/||0|040755|0|-
{}a/||8|040755|0|0|S:12345678
{}a/x.go|package a|0|0|0|-
EOF
case_zip dircrc ok/bad <<'EOF'
{}a/||0|040755|0|12345678
{}a/x.go|package a|0|0|0|-
EOF
case_zip dirdeflate ok/bad <<'EOF'
{}a/||0|040755|8|-
{}a/x.go|package a|0|0|0|-
EOF

# go_verdict GO TAG NAME: "ok" when that go command downloads the zip of
# case NAME (a fresh module cache), else "bad"; its output in
# $TRASH/go.NAME.TAG.json.
go_verdict()
{
	_gv_out=$TRASH/go.$3.$2.json
	(
		go_env_proxy "file://$UP" "$TRASH/mc.$3.$2"
		GOCACHE=$TRASH/gocache.$2
		export GOCACHE
		cd "$TRASH" && "$1" mod download -json \
		    "example.com/zo/$3@v1.0.0"
	) > "$_gv_out" 2>&1
	if grep -q '"Error"' "$_gv_out" || ! grep -q '"Zip"' "$_gv_out"; then
		echo bad
	else
		echo ok
	fi
}

for c in $CASES; do
	name=${c%%:*} want=${c#*:}
	mod=example.com/zo/$name
	# WANT is "NEW" or "NEW/OLD"; piraeus must refuse what either refuses.
	want_new=${want%/*} want_old=${want#*/}
	gov=ok
	[ "$want_new" = ok ] && [ "$want_old" = ok ] || gov=bad
	v=$(go_verdict "$GO" new "$name")
	is "$v" "$want_new" "$name: $GO says $want_new" ||
	    diag_file "$TRASH/go.$name.new.json"
	if [ -n "$GO_OLD" ]; then
		v=$(go_verdict "$GO_OLD" old "$name")
		is "$v" "$want_old" "$name: $GO_OLD says $want_old" ||
		    diag_file "$TRASH/go.$name.old.json"
	fi

	cgi GET "/$mod/@v/v1.0.0.zip"
	case $STATUS in
	200) pv=ok ;;
	502) pv=bad ;;
	*) pv="status $STATUS" ;;
	esac
	is "$pv" "$gov" "$name: piraeus says $gov" ||
	    diag "$(head -c 300 "$TRASH/body" | tr -cd '[:print:]\n')"
	if [ "$pv" = ok ]; then
		ok "$name: served byte for byte" \
		    cmp -s "$TRASH/body" "$UP/$mod/@v/v1.0.0.zip"
		ok "$name: stored byte for byte" \
		    cmp -s "$S/$mod/@v/v1.0.0.zip" "$UP/$mod/@v/v1.0.0.zip"
	else
		nok "$name: nothing stored" test -e "$S/$mod/@v/v1.0.0.zip"
	fi
done
done_testing

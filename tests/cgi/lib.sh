# tests/cgi/lib.sh: helpers for the process-level tests (the responder run
# as CGI, and through cgi-fcgi).  Sourced after tests/lib/testlib.sh.
#
#	mkstore DIR		a small storage tree made with zip(1), no go
#	cgi METHOD URI [VAR=VALUE...]
#				run piraeus.fcgi as CGI; sets STATUS, HDR (the
#				header block, CR stripped) and writes the body
#				to $TRASH/body
#	hdr NAME		the value of header NAME in $HDR
#	use_config STORAGE STATE
#				write a config for them, export PIRAEUS_CONFIG
#	mkzip DIR MODULE VERSION FILE...
#				a module zip of FILE=content pairs

# mkzip OUT MODULE@VERSION NAME=CONTENT...: a module zip with those files.
mkzip()
{
	_out=$1 _mv=$2
	shift 2
	_zd=$(mktemp -d "$TRASH/zip.XXXXXX")
	for _f in "$@"; do
		_n=${_f%%=*}
		mkdir -p "$(dirname "$_zd/$_mv/$_n")"
		printf '%s\n' "${_f#*=}" > "$_zd/$_mv/$_n"
	done
	rm -f "$_out"
	(cd "$_zd" && zip -qD -X -r "$_out" .) || return 1
	rm -rf "$_zd"
}

# mkver ROOT EMOD EVER VERSION TIME GOMOD [zip args...]: one stored version.
mkver()
{
	_d=$1/$2/@v _ever=$3 _ver=$4 _time=$5
	mkdir -p "$_d"
	printf '%s' "$6" > "$_d/$_ever.mod"
	if [ $# -gt 6 ]; then
		_mod=$7
		shift 7
		mkzip "$_d/$_ever.zip" "$_mod@$_ver" "$@" || return 1
	fi
	printf '{"Version":"%s","Time":"%s"}\n' "$_ver" "$_time" \
	    > "$_d/$_ever.info"
}

mkstore()
{
	_r=$1
	mkdir -p "$_r"
	mkver "$_r" example.com/m v1.0.0 v1.0.0 2020-01-01T00:00:00Z \
	    'module example.com/m
' example.com/m go.mod='module example.com/m' m.go='package m'
	mkver "$_r" example.com/m v1.1.0 v1.1.0 2020-02-01T00:00:00Z \
	    'module example.com/m

// v1.1.0 was published by mistake.
retract v1.1.0
' example.com/m go.mod='module example.com/m

// v1.1.0 was published by mistake.
retract v1.1.0' m.go='package m // 1.1'
	mkver "$_r" example.com/m v1.2.0-rc.1 v1.2.0-rc.1 \
	    2020-03-01T00:00:00Z 'module example.com/m
' example.com/m go.mod='module example.com/m' m.go='package m // rc'
	mkver "$_r" example.com/m v0.0.0-20200401000000-abcdefabcdef \
	    v0.0.0-20200401000000-abcdefabcdef 2020-04-01T00:00:00Z \
	    'module example.com/m
' example.com/m go.mod='module example.com/m' m.go='package m // p'
	# A Go module cache's leftovers: never served as they are.
	printf 'v9.9.9\nv0.0.0-20200401000000-abcdefabcdef\n' \
	    > "$_r/example.com/m/@v/list"
	: > "$_r/example.com/m/@v/v1.0.0.lock"
	printf 'h1:bogus\n' > "$_r/example.com/m/@v/v1.0.0.ziphash"
	mkver "$_r" example.com/m/v2 v2.0.0 v2.0.0 2020-05-01T00:00:00Z \
	    'module example.com/m/v2
' example.com/m/v2 go.mod='module example.com/m/v2' m.go='package m'
	mkver "$_r" 'example.com/!upper' v1.0.0 v1.0.0 2020-06-01T00:00:00Z \
	    'module example.com/Upper
' example.com/Upper go.mod='module example.com/Upper' u.go='package u'
	mkver "$_r" example.com/pseudo v0.0.0-20200701000000-0123456789ab \
	    v0.0.0-20200701000000-0123456789ab 2020-07-01T00:00:00Z \
	    'module example.com/pseudo
' example.com/pseudo go.mod='module example.com/pseudo' p.go='package p'
	mkver "$_r" example.com/nomod v3.0.0+incompatible v3.0.0+incompatible \
	    2020-08-01T00:00:00Z 'module example.com/nomod
' example.com/nomod n.go='package n'
}

# use_config STORAGE STATE: write $TRASH/p.ini for them and export
# PIRAEUS_CONFIG naming it.
use_config()
{
	mkdir -p "$1" "$2"
	printf '[storage]\nroot = %s\n[state]\ndir = %s\n' "$1" "$2" \
	    > "$TRASH/p.ini"
	PIRAEUS_CONFIG=$TRASH/p.ini
	export PIRAEUS_CONFIG
}

cgi()
{
	_m=$1 _u=$2
	shift 2
	env REQUEST_METHOD="$_m" REQUEST_URI="$_u" GATEWAY_INTERFACE=CGI/1.1 \
	    SERVER_PROTOCOL=HTTP/1.1 "$@" "$PIRAEUS_FCGI" </dev/null \
	    > "$TRASH/raw" 2>> "$TRASH/stderr"
	_cgi_split
}

# Split $TRASH/raw into HDR, STATUS and $TRASH/body (binary safe).
_cgi_split()
{
	perl -0777 -e '
	    my $raw = <STDIN>;
	    my ($h, $b) = split(/\r\n\r\n/, $raw, 2);
	    $h =~ s/\r//g;
	    open(my $f, ">", $ARGV[0]) or die; binmode $f; print $f $b; close $f;
	    open($f, ">", $ARGV[1]) or die; print $f "$h\n"; close $f;
	' "$TRASH/body" "$TRASH/hdr" < "$TRASH/raw"
	HDR=$(cat "$TRASH/hdr")
	STATUS=$(hdr Status | cut -d' ' -f1)
}

hdr()
{
	printf '%s\n' "$HDR" | sed -n "s/^$1: //p" | head -n 1
}

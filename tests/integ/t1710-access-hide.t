#!/bin/sh
# t1710-access-hide.t: what [access] hides stays hidden in the listings,
# in the private checksum database's data tiles and on the home page --
# real lighttpd over https sending every request to the responder, curl
# and the real go command (GOAUTH=netrc) as clients.
#
# The store of tests/cgi/lib.sh (mkstore), reindexed; rule: example.com/m
# (and example.com/m/v2 below it) for alice only; dave sees the rest.  Our
# own checksum database logs example.com/m and example.com/pseudo ([sumdb]
# nosum).  Checked:
#   - /catalog paged with pagesize 1 and 2 as alice and dave (dave's
#     hidden rows lie between his visible ones): exactly the rows each may
#     see, in order, every page but the last full, every token naming a
#     row shown; not cacheable by shared caches
#   - /index paged with limit 2 by the last Timestamp, as alice and dave
#   - the go command as dave downloads example.com/pseudo and as alice
#     example.com/m, each verified against our private database
#     (GOSUMDB=<key> <proxy>/sumdb/<name>, credentials from a .netrc);
#     it asks lookups and hash tiles, never a data tile
#   - then the data tile of record 0 (pseudo) is 200 to dave, the one of
#     records 0-1 (example.com/m too) is 404 to dave and 200 to alice;
#     hash tiles and latest are 200 to dave
#   - dave's 404 bodies for a hidden module that exists and one that does
#     not are the same, for list, @latest, .info, .mod, .zip and lookups
#   - the home page's GONOSUMDB as dave leaves out example.com/m
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/access.sh"
need lighttpd go curl openssl zip perl sqlite3
[ -f /usr/lib/lighttpd/mod_openssl.so ] || need lighttpd-mod-openssl
[ -x "$GO_CURRENT" ] || skip_all "$GO_CURRENT missing"
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY

S=$TRASH/storage
T=$TRASH/state
NAME=private.t1710
mkstore "$S"
mkdir -p "$T" "$TRASH/run" "$TRASH/docroot" "$TRASH/empty"

"$PIRAEUS" sumdb-keygen "$NAME" "$TRASH/priv.key" >"$TRASH/priv.vkey" ||
    bail_out "sumdb-keygen"
VKEY=$(cat "$TRASH/priv.vkey")
H_ALICE=$(openssl passwd -6 alice-pw)
H_DAVE=$(openssl passwd -6 dave-pw)
cat >"$TRASH/access" <<EOF
user alice password $H_ALICE
user dave password $H_DAVE
allow example.com/m alice
EOF
INI=$TRASH/piraeus.ini
access_ini "$INI" "$S" "$T"
cat >>"$INI" <<EOF
[sumdb]
verify = no
nosum = example.com/m,example.com/pseudo
private_key = $TRASH/priv.key
[access]
file = $TRASH/access
EOF
PIRAEUS_CONFIG=$INI "$PIRAEUS" reindex >"$TRASH/reindex.log" 2>&1
ok $? "reindex the store" || diag_file "$TRASH/reindex.log"

# The oracle: every row of the index, then what dave may see of them.
DB=$T/index.sqlite
sqlite3 "$DB" "SELECT module || ' ' || version FROM versions
    ORDER BY module, version" >"$TRASH/cat.alice"
grep -Ev '^example\.com/m[ /]' "$TRASH/cat.alice" >"$TRASH/cat.dave"
sqlite3 "$DB" "SELECT module || ' ' || version FROM versions
    ORDER BY stored, id" >"$TRASH/idx.alice"
grep -Ev '^example\.com/m[ /]' "$TRASH/idx.alice" >"$TRASH/idx.dave"
is "$(wc -l <"$TRASH/cat.alice" | tr -d ' ')" 8 "8 versions indexed"
is "$(wc -l <"$TRASH/cat.dave" | tr -d ' ')" 3 "3 of them visible to dave"
# Dave's hidden rows lie between his visible ones in both orders.
like "$(tr '\n' '|' <"$TRASH/cat.alice")" \
    '^example.com/Upper [^|]*\|example.com/m [^|]*\|.*\|example.com/nomod ' \
    "catalog order: Upper, the hidden rows, then nomod"

access_serve_https "$S" "$INI"

# h USER PATH: GET URL/PATH as USER (password USER-pw); CODE, headers in
# $TRASH/h (CR stripped), body in $TRASH/b.
h()
{
	CODE=$(curl -q -sg --max-time 20 --cacert "$TRASH/cert.pem" \
	    -D "$TRASH/h.raw" -o "$TRASH/b" -w '%{http_code}' --http1.1 \
	    -u "$1:$1-pw" "$URL$2")
	tr -d '\r' <"$TRASH/h.raw" >"$TRASH/h"
}

# catalog USER PAGESIZE: page through /catalog; the rows into
# $TRASH/got, and PAGES, SHORT (pages with a next token but fewer rows
# than PAGESIZE), BADTOK (tokens that are not the page's last row),
# PUBLIC (answers a shared cache may keep).
catalog()
{
	: >"$TRASH/got"
	PAGES=0 SHORT=0 BADTOK=0 PUBLIC=0
	_tok=
	while [ $PAGES -lt 50 ]; do
		h "$1" "/catalog?pagesize=$2${_tok:+&token=$_tok}"
		[ "$CODE" = 200 ] || { diag "catalog: $CODE"; break; }
		PAGES=$((PAGES + 1))
		grep -qi '^Cache-Control: .*public' "$TRASH/h" &&
		    PUBLIC=$((PUBLIC + 1))
		perl -MJSON::PP -e '
			local $/; my $j = decode_json(<STDIN>);
			print "$_->{module} $_->{version}\n"
			    for @{$j->{modules}};
			print "NEXT $j->{next}\n" if exists $j->{next};
		' <"$TRASH/b" >"$TRASH/page" || { diag_file "$TRASH/b"; break; }
		grep -v '^NEXT ' "$TRASH/page" >>"$TRASH/got"
		_tok=$(sed -n 's/^NEXT //p' "$TRASH/page")
		[ -n "$_tok" ] || break
		[ "$(grep -vc '^NEXT ' "$TRASH/page")" -eq "$2" ] ||
		    SHORT=$((SHORT + 1))
		# The token is the escaped module@version (! before a
		# capital letter).
		[ "$_tok" = "$(grep -v '^NEXT ' "$TRASH/page" | tail -n 1 |
		    perl -pe 's/([A-Z])/"!" . lc($1)/ge; s/ /@/')" ] ||
		    BADTOK=$((BADTOK + 1))
		printf '%s\n' "$_tok" >>"$TRASH/tokens.$1"
	done
}

: >"$TRASH/tokens.alice"
: >"$TRASH/tokens.dave"
for _u in alice dave; do
	for _ps in 1 2; do
		catalog $_u $_ps
		is_file "$TRASH/got" "$TRASH/cat.$_u" \
		    "catalog as $_u, pagesize $_ps: exactly the rows $_u may see"
		_n=$(wc -l <"$TRASH/cat.$_u" | tr -d ' ')
		is "$PAGES $SHORT $BADTOK" "$(((_n + _ps - 1) / _ps)) 0 0" \
		    "catalog as $_u, pagesize $_ps: full pages, each token the last row shown"
		is "$PUBLIC" 0 "catalog as $_u: never public to shared caches"
	done
done
like "$(cat "$TRASH/tokens.alice")" '^example\.com/m@' \
    "alice's tokens name example.com/m rows"
unlike "$(cat "$TRASH/tokens.dave")" 'example\.com/m[@/]' \
    "no token of dave's names a hidden module"
h dave "/catalog?pagesize=2"
like "$(cat "$TRASH/b")" '"next":"example.com/nomod@v3.0.0\+incompatible"' \
    "dave's first page of 2 ends at nomod, past the hidden rows"
unlike "$(cat "$TRASH/b")" 'example.com/m' "and names no hidden module"
like "$(grep -i '^Cache-Control' "$TRASH/h")" '^Cache-Control: no-store$' \
    "the catalog is no-store"

# index USER LIMIT: page through /index by the last Timestamp (inclusive:
# the last row comes again and is dropped); the rows into $TRASH/got.
index()
{
	: >"$TRASH/got"
	PAGES=0
	_since=
	while [ $PAGES -lt 50 ]; do
		h "$1" "/index?limit=$2${_since:+&since=$_since}"
		[ "$CODE" = 200 ] || { diag "index: $CODE"; break; }
		PAGES=$((PAGES + 1))
		perl -MJSON::PP -ne '
			my $j = decode_json($_);
			print "$j->{Path} $j->{Version}\n";
			print STDERR "$j->{Timestamp}\n";
		' <"$TRASH/b" >"$TRASH/page" 2>"$TRASH/ts" ||
		    { diag_file "$TRASH/b"; break; }
		_last=$(tail -n 1 "$TRASH/got")
		while IFS= read -r _l; do
			[ "$_l" = "$_last" ] || printf '%s\n' "$_l"
			_last=$_l
		done <"$TRASH/page" >>"$TRASH/got"
		[ "$(wc -l <"$TRASH/page")" -lt "$2" ] && break
		_since=$(tail -n 1 "$TRASH/ts")
	done
}
for _u in alice dave; do
	index $_u 2
	is_file "$TRASH/got" "$TRASH/idx.$_u" \
	    "index as $_u, limit 2: exactly the rows $_u may see, in stored order"
done
h dave "/index"
unlike "$(cat "$TRASH/b")" '"Path":"example.com/m[/"]' \
    "dave's index names no hidden module"
is "$(grep -c . "$TRASH/b")" 3 "dave's index: his 3 rows"

# --- the private checksum database with the go command ----------------------
GOMODS=$TRASH/gomods
mkdir -p "$GOMODS"
# gosum NAME USER MODULE@VERSION: go mod download as USER (a .netrc),
# verified against our private database; output in $TRASH/NAME.out.
gosum()
{
	printf 'machine 127.0.0.1:%s login %s password %s-pw\n' "$PORT" \
	    "$2" "$2" >"$TRASH/netrc.$2"
	(
		go_env_common
		GOPROXY=$URL GOSUMDB="$VKEY $URL/sumdb/$NAME" HOME=$TRASH/home
		GOMODCACHE=$GOMODS/$1 SSL_CERT_FILE=$TRASH/cert.pem
		GOAUTH=netrc NETRC=$TRASH/netrc.$2
		export GOPROXY GOSUMDB HOME GOMODCACHE SSL_CERT_FILE GOAUTH \
		    NETRC
		cd "$TRASH/empty" && "$GO_CURRENT" mod download -json "$3"
	) >"$TRASH/$1.out" 2>&1
}
gosum davepub dave example.com/pseudo@v0.0.0-20200701000000-0123456789ab
ok $? "go as dave: example.com/pseudo verified against our database" ||
    diag_file "$TRASH/davepub.out"
gosum alicem alice example.com/m@v1.0.0
ok $? "go as alice: example.com/m verified against our database" ||
    diag_file "$TRASH/alicem.out"
like "$(cat "$TRASH/alicem.out")" '"GoModSum": "h1:' "with its go.sum lines"
is "$(sqlite3 "$DB" "SELECT id || ' ' || module FROM sumdb_records
    ORDER BY id" | tr '\n' '|')" "0 example.com/pseudo|1 example.com/m|" \
    "the log: pseudo, then example.com/m"

TB=/sumdb/$NAME
for _c in \
    "dave tile/8/data/000.p/1 200" \
    "dave tile/8/data/000.p/2 404" \
    "alice tile/8/data/000.p/2 200" \
    "alice tile/8/data/000.p/1 200" \
    "dave tile/8/0/000.p/2 200" \
    "dave latest 200" \
    "dave lookup/example.com/pseudo@v0.0.0-20200701000000-0123456789ab 200" \
    "dave lookup/example.com/m@v1.0.0 404"; do
	set -- $_c
	h "$1" "$TB/$2"
	is "$CODE" "$3" "$2 as $1: $3"
	case $2 in
	tile/8/data/*)
		[ "$CODE" = 200 ] && [ "$1" = dave ] &&
		    unlike "$(cat "$TRASH/b")" 'example.com/m ' \
		    "dave's data tile names no hidden module"
		like "$(grep -i '^Cache-Control' "$TRASH/h")" 'private|no-store' \
		    "a data tile is private to shared caches"
		;;
	esac
done
h alice "$TB/tile/8/data/000.p/2"
like "$(cat "$TRASH/b")" 'example.com/m v1.0.0 h1:' \
    "alice's data tile holds example.com/m's record"
h dave "$TB/tile/8/data/000.p/2"
unlike "$(cat "$TRASH/b")" 'example.com/m' "the 404 names no module"

# --- 404 bodies: a hidden module that exists, one that does not ------------
for _p in "/example.com/m/@v/list|/example.com/m/nope/@v/list" \
    "/example.com/m/@latest|/example.com/m/nope/@latest" \
    "/example.com/m/@v/v1.0.0.info|/example.com/m/nope/@v/v1.0.0.info" \
    "/example.com/m/@v/v1.0.0.mod|/example.com/m/nope/@v/v1.0.0.mod" \
    "/example.com/m/@v/v1.0.0.zip|/example.com/m/nope/@v/v1.0.0.zip" \
    "/example.com/m/@v/v1.0.0.zip|/example.com/m/@v/v1.7.0.zip" \
    "$TB/lookup/example.com/m@v1.0.0|$TB/lookup/example.com/m/nope@v1.0.0"; do
	h dave "${_p%%|*}"
	_c1=$CODE
	_b1=$(sed 's,example\.com/m\(/nope\)*\(@v1\.[07]\.0\)*,MOD,g' "$TRASH/b")
	h dave "${_p#*|}"
	_b2=$(sed 's,example\.com/m\(/nope\)*\(@v1\.[07]\.0\)*,MOD,g' "$TRASH/b")
	is "$_c1 $CODE" "404 404" "dave: ${_p%%|*} and ${_p#*|} are 404"
	is "$_b1" "$_b2" "the same body: existence is not revealed ($_b1)"
done

# --- the home page -------------------------------------------------------------
h dave /
like "$(cat "$TRASH/b")" '<code>example.com/pseudo</code>' \
    "home as dave: GONOSUMDB example.com/pseudo"
unlike "$(cat "$TRASH/b")" 'example.com/m' "and not example.com/m"
like "$(grep -i '^Cache-Control' "$TRASH/h")" 'private' \
    "the home page is private to shared caches"
h alice /
like "$(cat "$TRASH/b")" '<code>example.com/m,example.com/pseudo</code>' \
    "home as alice: both patterns"

stop_bg "$LPID"
# lighttpd writes its access log at the latest when it stops: the go
# command's requests (its User-Agent, not curl's) to the database.
grep -v '"curl/' "$TRASH/run/access.log" |
    sed -n 's,.*"GET \(/sumdb/[^ ]*\) HTTP[^"]*" \([0-9]*\) .*,\1 \2,p' \
    >"$TRASH/go.sumdb"
like "$(cat "$TRASH/go.sumdb")" "^/sumdb/$NAME/lookup/example.com/m@v1.0.0 200$" \
    "the go command looked example.com/m up"
like "$(cat "$TRASH/go.sumdb")" "^/sumdb/$NAME/tile/8/0/000\.p/[12] 200$" \
    "and proved it with hash tiles"
unlike "$(cat "$TRASH/go.sumdb")" '/tile/8/data/' \
    "the go command never asks a data tile"
unlike "$(cat "$TRASH"/run/*.log "$TRASH/lighttpd.log" 2>/dev/null)" \
    'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report in the logs"
done_testing

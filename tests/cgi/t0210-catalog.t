#!/bin/sh
# t0210-catalog.t: /catalog pagination over thousands of versions never
# skips or repeats a version, even when versions are added (before and
# after the cursor) and the whole index is rebuilt between two pages.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need perl

S=$TRASH/storage
use_config "$S" "$TRASH/state"

# 3000 versions: 30 modules (some nested in others, one upper-case) x 100.
addver()
{
	_d=$S/$1/@v
	mkdir -p "$_d"
	printf 'module %s\n' "$2" > "$_d/$3.mod"
	printf '{"Version":"%s"}\n' "$3" > "$_d/$3.info"
	printf '%s %s\n' "$2" "$3" >> "$TRASH/want"
}
: > "$TRASH/want"
m=0
while [ $m -lt 30 ]; do
	case $((m % 3)) in
	0) e=example.com/mod$m p=example.com/mod$m ;;
	1) e=example.com/mod$((m - 1))/sub p=example.com/mod$((m - 1))/sub ;;
	2) e=example.com/!cap$m p=example.com/Cap$m ;;
	esac
	v=0
	while [ $v -lt 100 ]; do
		addver "$e" "$p" "v1.$v.0"
		v=$((v + 1))
	done
	m=$((m + 1))
done
LC_ALL=C sort -o "$TRASH/want" "$TRASH/want"
is "$(wc -l < "$TRASH/want" | tr -d ' ')" 3000 "3000 versions made"
"$PIRAEUS" reindex > /dev/null

# page TOKEN: fetch one page of 97; appends "module version" lines to
# $TRASH/got and sets NEXT.
page()
{
	if [ -n "$1" ]; then
		cgi GET "/catalog?pagesize=97&token=$1"
	else
		cgi GET "/catalog?pagesize=97"
	fi
	[ "$STATUS" = 200 ] || return 1
	perl -ne 'while (/\{"module":"([^"]+)","version":"([^"]+)"\}/g) { print "$1 $2\n" }' \
	    "$TRASH/body" >> "$TRASH/got"
	NEXT=$(perl -ne 'print $1 if /"next":"([^"]+)"/' "$TRASH/body")
}

: > "$TRASH/got"
NEXT=
pages=0
page "" || fail "first page"
pages=1
while [ -n "$NEXT" ] && [ $pages -lt 200 ]; do
	if [ $pages -eq 10 ]; then
		# Mid-walk: versions sort before and after the cursor, then a
		# full rebuild of the index (new row ids for everything).
		addver example.com/!a!a!a example.com/AAA v1.0.0
		addver example.com/zzz example.com/zzz v1.0.0
		"$PIRAEUS" reindex > /dev/null
	fi
	page "$NEXT" || { fail "page $pages"; break; }
	pages=$((pages + 1))
done
diag "$pages pages"
is "$(LC_ALL=C sort "$TRASH/got" | uniq -d | wc -l | tr -d ' ')" 0 "no version repeated"
LC_ALL=C sort -o "$TRASH/want" "$TRASH/want"
is "$(grep -v "^example.com/AAA " "$TRASH/want" | LC_ALL=C comm -23 - "$TRASH/got" | wc -l | tr -d ' ')" 0 \
    "every version present from the start is listed (the one added before the cursor excepted)"
ok "a version added after the cursor is listed" grep -q '^example.com/zzz v1.0.0$' "$TRASH/got"
ok "pages come in (module, version) byte order" sh -c "LC_ALL=C sort -c '$TRASH/got'"
is "$(wc -l < "$TRASH/got" | tr -d ' ')" 3001 "3000 + the one added after the cursor"

cgi GET "/catalog?pagesize=100000"
is "$STATUS" 400 "pagesize above the maximum is refused"

done_testing

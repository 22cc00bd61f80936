#!/bin/sh
# t0130-man.t: the manual pages piraeus(1), piraeus.fcgi(8) and
# piraeus.ini(5): lint-clean (mandoc -T lint -W warning; without mandoc,
# groff -mandoc -z -ww, still failing on any warning), every key of the
# configuration as this build reads it (check-config -v) documented in
# its section of piraeus.ini(5), every command of `piraeus --help` in
# piraeus(1) with its exit status, and installed by `make install`.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"

M=$top_builddir/man
PAGES="piraeus.1 piraeus.fcgi.8 piraeus.ini.5"
for p in $PAGES; do
	[ -f "$M/$p" ] || make -C "$top_builddir" "man/$p" >/dev/null 2>&1
	ok "$p is built" test -s "$M/$p"
done

# Lint.  mandoc is Debian's mandoc package (contrib/install-deps --tests).
if command -v mandoc >/dev/null 2>&1; then
	for p in $PAGES; do
		out=$(mandoc -T lint -W warning "$M/$p" 2>&1)
		st=$?
		is "$st" 0 "mandoc -T lint: $p exits 0"
		is "$out" "" "mandoc -T lint -W warning: $p has no warning"
	done
elif [ -n "$PIRAEUS_REQUIRE_INTEG" ]; then
	fail "mandoc is not installed (apt-get install mandoc)"
elif command -v groff >/dev/null 2>&1; then
	diag "mandoc missing: checking with groff -mandoc -z -ww"
	for p in $PAGES; do
		out=$(groff -mandoc -z -ww "$M/$p" 2>&1)
		is "$out" "" "groff -ww: $p has no warning"
	done
else
	skip "lint of the pages" "neither mandoc nor groff"
fi

# Every key of the configuration table, as this build reads it, under
# its section's subsection of piraeus.ini(5), with an .It of its own.
mkdir -p "$TRASH/s" "$TRASH/st"
env -u PIRAEUS_CONFIG PIRAEUS_STORAGE_ROOT="$TRASH/s" \
    PIRAEUS_STATE_DIR="$TRASH/st" "$PIRAEUS" check-config -v \
    >"$TRASH/keys" 2>&1
awk '/^\[[a-z]+\]$/ { s = $0; next }
    s != "" && /^[a-z_]+ =/ { print s, $1 }' "$TRASH/keys" >"$TRASH/want"
awk '/^\.Ss \[/ { s = $2; next }
    /^\.Sh / { s = "" }
    s != "" && /^\.It Cm [a-z_]+/ { print s, $3 }' "$M/piraeus.ini.5" \
    >"$TRASH/got"
n=$(wc -l <"$TRASH/want" | tr -d ' ')
[ "$n" -ge 40 ] || fail "check-config -v lists the keys ($n found)"
missing=$(LC_ALL=C sort "$TRASH/want" | LC_ALL=C comm -23 - "$(LC_ALL=C sort "$TRASH/got" >"$TRASH/got.s"; echo "$TRASH/got.s")")
is "$missing" "" "piraeus.ini(5) documents every one of the $n keys in its section"
extra=$(LC_ALL=C sort "$TRASH/want" >"$TRASH/want.s"; LC_ALL=C comm -13 "$TRASH/want.s" "$TRASH/got.s")
is "$extra" "" "piraeus.ini(5) documents no key the configuration lacks"
# And each with its default: check-config -v's value (paths under the
# build's localstatedir are /var in the sample).
def=$(awk '/^\[[a-z]+\]$/ { next } /^log_level = / { print $3 }' "$TRASH/keys")
like "$(cat "$M/piraeus.ini.5")" "^\\.It Cm log_level Li = \"$def\"\$" \
    "piraeus.ini(5): a key's default"
for v in PIRAEUS_CONFIG PIRAEUS_; do
	like "$(cat "$M/piraeus.ini.5")" "$v" "piraeus.ini(5) names $v"
done

# Every command of `piraeus --help`: described, and in EXIT STATUS.
cmds=$("$PIRAEUS" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p')
[ -n "$cmds" ] || fail "piraeus --help lists commands"
for c in $cmds; do
	like "$(cat "$M/piraeus.1")" "^\\.It Cm $c( |\$)" "piraeus(1) describes $c"
	like "$(sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$M/piraeus.1")" \
	    "^\\.It Cm ([a-z-]+ , )*$c( |,|\$)" "piraeus(1): $c in EXIT STATUS"
done
p1=$(cat "$M/piraeus.1")
for s in ENVIRONMENT FILES 'EXIT STATUS'; do
	like "$p1" "^\\.Sh $s\$" "piraeus(1) has $s"
done
like "$p1" 'PIRAEUS_CONFIG' "piraeus(1): PIRAEUS_CONFIG"
like "$p1" '^\.It Ev PIRAEUS_ Ns Ar SECTION Ns _ Ns Ar KEY' \
    "piraeus(1): PIRAEUS_<SECTION>_<KEY>"

# piraeus.fcgi(8): both transports, the environment, signals, the web
# server's contract, sendfile and every-request.
p8=$(cat "$M/piraeus.fcgi.8")
for s in '^\.It FastCGI on fd 0' '^\.It CGI$' 'PIRAEUS_CONFIG' 'REQUEST_URI' \
    'SIGTERM' '^\.Sh SIGNALS' '^\.Sh THE WEB SERVER CONTRACT' \
    '^\.Ss Sendfile' '^\.Ss Every request' 'every_request = yes' \
    '^\.Sh EXIT STATUS'; do
	like "$p8" "$s" "piraeus.fcgi(8): $s"
done
# The options of --help are in the page.
for o in $("$PIRAEUS_FCGI" --help | grep -o -- '--[a-z]*' | sort -u); do
	like "$p8" "Fl -${o#--}" "piraeus.fcgi(8): $o"
done

# make install puts the pages in mandir (DESTDIR staging).
need make
make -C "$top_builddir" install-man DESTDIR="$TRASH/inst" >"$TRASH/inst.log" 2>&1
ok "make install-man" test $? -eq 0 || diag_file "$TRASH/inst.log"
for p in $PAGES; do
	sec=${p##*.}
	n=$(find "$TRASH/inst" -path "*/man$sec/$p" -type f | wc -l | tr -d ' ')
	is "$n" 1 "make install puts $p into man$sec"
done

done_testing

#!/bin/sh
# t0050-layering.t: src/ keeps the layers of HACKING.  tests/lib/layering.sh
# reads the objects of this build with nm (what each defines, what each
# uses) and the #include lines of src/, and reports every edge to a higher
# layer, every circle, http.h included below the HTTP layer, and every file
# the table does not place or names without a file.  Each violation is one
# "not ok" line naming the files and the symbols.
#
# First the checker itself, on small made-up trees compiled here: one with
# a circle, an edge upwards, a bad include, an unplaced file, a missing
# one and a file without object must report exactly those; a circle inside
# one layer is still a circle; a clean tree reports nothing (and its
# graph has its edge, so "nothing" is not "nothing seen").
. "$top_srcdir/tests/lib/testlib.sh"
need nm ar cc

L=$top_srcdir/tests/lib/layering.sh
CC=${CC:-cc}

# fake DIR FILE=TEXT...: DIR/src holding those files, each .c compiled to
# DIR/NAME.o (except those named in $NOOBJ).
fake()
{
	_d=$1
	shift
	rm -rf "$_d"
	mkdir -p "$_d/src"
	for _f in "$@"; do
		printf '%s\n' "${_f#*=}" > "$_d/src/${_f%%=*}"
	done
	for _c in "$_d"/src/*.c; do
		_n=${_c##*/}
		_n=${_n%.c}
		case " $NOOBJ " in *" $_n "*) continue ;; esac
		"$CC" -c -I"$_d/src" -o "$_d/$_n.o" "$_c" || return 1
	done
}

# violations OUT: its VIOLATION lines.
violations()
{
	printf '%s\n' "$1" | grep '^VIOLATION' || true
}

# 1. Everything wrong at once.  a (layer 0) calls b (layer 1), which calls
# a back; a includes high.h (layer 1); c.c is in no layer; ghost is in the
# table with no file; d.c is placed but was not built.
F=$TRASH/bad
NOOBJ=d
fake "$F" \
    low.h='int a_g(void); int b_g(void);' \
    high.h='#include "low.h"' \
    a.c='#include "low.h"
#include "high.h"
int a_f(void) { return b_g(); }
int a_g(void) { return 1; }' \
    b.c='#include "low.h"
int b_g(void) { return a_g(); }' \
    c.c='int c_f(void) { return 3; }' \
    d.c='int d_f(void) { return 4; }' ||
    bail_out "cannot compile the fake tree"
cat > "$F/table" <<'EOF'
Anything before the block is prose.
    [layers]
    # a comment
    layer 0 low:   a ghost
    layer 1 high:  b d
    header low.h:  layer 0
    header high.h: layer 1
    [end layers]
EOF
out=$("$L" -t "$F/table" -s "$F/src" "$F/a.o" "$F/b.o" "$F/c.o")
is "$?" 1 "bad tree: exit status 1"
is "$(violations "$out")" "VIOLATION unplaced: c.c is not in the layer table ($F/table)
VIOLATION missing: ghost (layer 0 low) is in the table but src/ghost.c does not exist
VIOLATION noobject: d.c has no object in the build
VIOLATION layer: a (layer 0 low) -> b (layer 1 high) by b_g
VIOLATION include: a (layer 0 low) includes high.h (layer 1 high)
VIOLATION cycle: a -> b -> a (a -> b: b_g; b -> a: a_g)" \
    "bad tree: each violation reported, nothing else"
like "$out" '^graph: b -> a: a_g$' "bad tree: the graph shows b -> a"
like "$out" '^graph: high.h -> low.h: #include:low.h$' \
    "bad tree: the graph shows a header's include"

# 2. A circle inside one layer is a circle; no layer violation.
NOOBJ=
fake "$F" \
    low.h='int a_g(void); int b_g(void); int c_g(void);' \
    high.h='#include "low.h"' \
    a.c='#include "low.h"
int a_g(void) { return b_g(); }' \
    b.c='#include "low.h"
int b_g(void) { return c_g(); }' \
    c.c='#include "low.h"
int c_g(void) { return a_g(); }' \
    d.c='int d_f(void) { return 4; }' ||
    bail_out "cannot compile the fake tree"
cat > "$F/table1" <<'EOF'
[layers]
layer 0 low: a b c d
header low.h: layer 0
header high.h: layer 0
[end layers]
EOF
out=$("$L" -q -t "$F/table1" -s "$F/src" "$F"/*.o)
is "$?" 1 "circle in one layer: exit status 1"
is "$(violations "$out")" \
    "VIOLATION cycle: a -> b -> c -> a (a -> b: b_g; b -> c: c_g; c -> a: a_g)" \
    "circle in one layer: the circle, once, nothing else"

# 3. A table that is not understood, a name placed twice, a header in a
# layer that does not exist.
cat > "$F/table2" <<'EOF'
[layers]
layer 0 low: a b c d
layer 1 high: a
header low.h: layer 0
header high.h: layer 0
stratum 2: nothing
header high.h: layer 5
[end layers]
EOF
out=$("$L" -q -t "$F/table2" -s "$F/src" "$F"/*.o)
like "$out" "^VIOLATION table: $F/table2:3: a is already in layer 0 low\$" \
    "bad table: a name placed twice"
like "$out" "^VIOLATION table: $F/table2:6: not understood: stratum 2: nothing\$" \
    "bad table: a line not understood"
like "$out" "^VIOLATION table: $F/table2:7: there is no layer 5\$" \
    "bad table: a header in a layer that does not exist"
nok "no [layers] block: an error" \
    "$L" -q -t "$F/src/a.c" -s "$F/src" "$F/a.o"

# 4. Clean: b (layer 1) uses a (layer 0), nothing goes up, no circle.
# a.o is read from an archive, as libpiraeus.a's members are.
fake "$F" \
    low.h='int a_g(void);' \
    a.c='#include "low.h"
int a_g(void) { return 1; }' \
    b.c='#include "low.h"
int b_g(void) { return a_g(); }' ||
    bail_out "cannot compile the fake tree"
cat > "$F/table3" <<'EOF'
[layers]
layer 0 low: a
layer 1 high: b
header low.h: layer 0
[end layers]
EOF
rm -f "$F/liba.a"
ar rc "$F/liba.a" "$F/a.o" || bail_out "ar failed"
out=$("$L" -t "$F/table3" -s "$F/src" "$F/liba.a" "$F/b.o")
is "$?" 0 "clean tree: exit status 0"
is "$(violations "$out")" "" "clean tree: no violation"
like "$out" '^graph: b -> a: a_g$' "clean tree: the graph has b -> a"

# 5. The real build: the table in HACKING against src/ and the objects of
# this build (libpiraeus.a, src/main_*.o).
out=$("$L" "$top_builddir")
st=$?
[ "$st" -le 1 ] || bail_out "tests/lib/layering.sh $top_builddir failed ($st)"
# A sanity edge, so that "no violation" never means "nm saw nothing".
like "$out" '^graph: router -> request: .*request_parse' \
    "the graph of this build has router -> request"
for kind in table unplaced missing noobject nosource layer include cycle; do
	lines=$(printf '%s\n' "$out" | grep "^VIOLATION $kind: ")
	if [ -z "$lines" ]; then
		pass "no $kind violation in src/"
		continue
	fi
	while IFS= read -r l; do
		fail "${l#VIOLATION }"
	done <<EOF
$lines
EOF
done
is "$st" 0 "tests/lib/layering.sh exits 0 on this build"

done_testing

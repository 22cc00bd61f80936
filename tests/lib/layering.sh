#!/bin/sh
# tests/lib/layering.sh: check the layering of src/ against the layer table
# in HACKING, on the objects of a real build.  POSIX sh + awk + nm.
#
#	tests/lib/layering.sh [-q] [-t TABLE] [-s SRCDIR] BUILDDIR
#	tests/lib/layering.sh [-q] [-t TABLE] [-s SRCDIR] OBJECT|ARCHIVE...
#
# BUILDDIR names the objects of a build: the members of
# BUILDDIR/libpiraeus.a and BUILDDIR/src/main_*.o.  TABLE (default
# HACKING next to this tests/ directory) holds the table between the lines
# "[layers]" and "[end layers]"; SRCDIR (default src/ next to it) holds the
# .c and .h files.
#
# The file-level graph: an edge A -> B for each global symbol that A's
# object uses (nm: U) and B's object defines (nm: T, D, B, R, ...), and for
# each #include "B" of src/A that names a file of SRCDIR (so configure's
# config.h is no node).  Symbols no object defines (libc, curl, ...) make
# no edge.
#
# Printed on stdout: "graph: A -> B: SYMBOLS" for every edge (unless -q),
# then one "VIOLATION KIND: ..." line per violation, KIND one of
#	layer	an edge to a higher layer (the files and the symbols)
#	include	an #include of a header of a higher layer (e.g. http.h)
#	cycle	a circle of edges (its files, and the symbol of each edge)
#	unplaced a .c or .h of SRCDIR the table does not name
#	missing	a name of the table with no file in SRCDIR
#	noobject a .c of SRCDIR with no object among those given
#	nosource an object with no .c in SRCDIR
#	table	a line of the table that is not understood, or a name twice
# Exit status: 0 no violation, 1 violations, 2 usage or a tool failed.

usage()
{
	echo "usage: $0 [-q] [-t TABLE] [-s SRCDIR] BUILDDIR|OBJECT..." >&2
	exit 2
}

here=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
table=$here/HACKING
srcdir=$here/src
quiet=0
while getopts qt:s: opt; do
	case $opt in
	q)	quiet=1 ;;
	t)	table=$OPTARG ;;
	s)	srcdir=$OPTARG ;;
	*)	usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
[ -f "$table" ] || { echo "$0: no table file $table" >&2; exit 2; }
[ -d "$srcdir" ] || { echo "$0: no source directory $srcdir" >&2; exit 2; }
NM=${NM:-nm}
AWK=${AWK:-awk}

# The objects: a build directory's, or those named.
if [ $# -eq 1 ] && [ -d "$1" ]; then
	[ -f "$1/libpiraeus.a" ] ||
	    { echo "$0: no $1/libpiraeus.a (not built?)" >&2; exit 2; }
	set -- "$1/libpiraeus.a" "$1"/src/main_*.o
fi
for o in "$@"; do
	[ -f "$o" ] || { echo "$0: no object $o" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/layering.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM

# The table, tagged "T LINENO TEXT".
$AWK '
	/^[ \t]*\[end layers\][ \t]*$/	{ if (on) { on = 0; done = 1 } ; next }
	/^[ \t]*\[layers\][ \t]*$/	{ on = 1; seen = 1; next }
	on				{ print "T", NR, $0 }
	END { if (!seen || !done) exit 1 }
' "$table" > "$tmp/in" || {
	echo "$0: no [layers] ... [end layers] block in $table" >&2
	exit 2
}

# The source files ("S NAME": a .c without its suffix, a .h with it) and
# their #include "..." lines ("I FROM TO") naming a file of SRCDIR.
for f in "$srcdir"/*.c "$srcdir"/*.h; do
	[ -f "$f" ] || continue
	b=${f##*/}
	case $b in *.c) n=${b%.c} ;; *) n=$b ;; esac
	echo "S $n"
	sed -n 's/^[[:blank:]]*#[[:blank:]]*include[[:blank:]]*"\([^"]*\)".*/\1/p' "$f" |
	while read -r inc; do
		[ -f "$srcdir/$inc" ] || continue
		case $inc in *.c) inc=${inc%.c} ;; esac
		echo "I $n $inc"
	done
done >> "$tmp/in"

# The objects ("O NAME": an archive's members, an object's file name;
# without ".o" and without automake's "target-" prefix) and their symbols
# ("N OBJECT SYMBOL TYPE").
for o in "$@"; do
	case $o in
	*.a)	${AR:-ar} t "$o" ||
		    { echo "$0: ${AR:-ar} t $o failed" >&2; exit 2; } ;;
	*)	echo "${o##*/}" ;;
	esac
done | sed 's/\.o$//; s/^.*-//; s/^/O /' >> "$tmp/in" || exit 2
$NM -A -P "$@" > "$tmp/nm" || { echo "$0: $NM failed" >&2; exit 2; }
$AWK '
	{
		o = $1
		sub(/:$/, "", o)
		if (match(o, /\[[^]]*\]$/))
			o = substr(o, RSTART + 1, RLENGTH - 2)
		sub(/.*\//, "", o)
		sub(/\.o$/, "", o)
		sub(/^.*-/, "", o)
		if (NF >= 3)
			print "N", o, $2, $3
	}
' "$tmp/nm" >> "$tmp/in"

srcdir=${srcdir%/}
$AWK -v quiet="$quiet" -v tablefile="$table" -v srcname="${srcdir##*/}" '
# A violation, sorted after the graph by kind: the table first.
function v(kind, msg) {
	nviol++
	print index("table unplaced missing noobject nosource layer include cycle", \
	    kind) + 100, "VIOLATION " kind ": " msg
}
function lname(n) { return layer[n] " " lname_[layer[n]] }
# The first five symbols of edge e, and how many more.
function syms(e,    k, s, i, out) {
	k = split(esyms[e], s, " ")
	out = ""
	for (i = 1; i <= k && i <= 5; i++)
		out = out (i > 1 ? ", " : "") s[i]
	if (k > 5)
		out = out " and " (k - 5) " more"
	return out
}
function addedge(a, b, what) {
	if (a == b)
		return
	if (!((a, b) in has)) {
		has[a, b] = 1
		ne++; ea[ne] = a; eb[ne] = b
		nsucc[a]++; succ[a, nsucc[a]] = b
		node[a] = 1; node[b] = 1
		esyms[a SUBSEP b] = what
	} else if (index(" " esyms[a SUBSEP b] " ", " " what " ") == 0)
		esyms[a SUBSEP b] = esyms[a SUBSEP b] " " what
}
function place(n, l, lineno) {
	if (n in layer) {
		v("table", tablefile ":" lineno ": " n " is already in layer " \
		    lname(n))
		return
	}
	layer[n] = l
	ntab++; tab[ntab] = n
}
$1 == "T" {
	lineno = $2
	$1 = ""; $2 = ""
	line = $0
	sub(/^[ \t]+/, "", line)
	if (line == "" || substr(line, 1, 1) == "#")
		next
	k = split(line, f, /[ \t]+/)
	if (f[1] == "layer" && k >= 3 && f[2] ~ /^[0-9]+$/ && f[3] ~ /^[a-z_]+:$/) {
		l = f[2] + 0
		if (l in lname_) {
			v("table", tablefile ":" lineno ": layer " l " twice")
			next
		}
		lname_[l] = substr(f[3], 1, length(f[3]) - 1)
		for (i = 4; i <= k; i++) {
			if (f[i] !~ /^[a-z0-9_]+$/) {
				v("table", tablefile ":" lineno ": \"" f[i] \
				    "\" is no file name (no .c: \"fetch\" for src/fetch.c)")
				continue
			}
			place(f[i], l, lineno)
		}
		next
	}
	if (f[1] == "header" && k == 4 && f[2] ~ /^[a-z0-9_]+\.h:$/ &&
	    f[3] == "layer" && f[4] ~ /^[0-9]+$/) {
		place(substr(f[2], 1, length(f[2]) - 1), f[4] + 0, lineno)
		nhl++; hl[nhl] = f[4] + 0; hlline[nhl] = lineno
		next
	}
	v("table", tablefile ":" lineno ": not understood: " line)
	next
}
$1 == "S" { src[$2] = 1; nsrc++; srcs[nsrc] = $2; next }
$1 == "I" { addedge($2, $3, "#include:" $3 (($3 ~ /\.h$/) ? "" : ".c")); next }
$1 == "O" { obj[$2] = 1; nobj++; objs[nobj] = $2; next }
$1 == "N" {
	# Used: undefined (U), weak undefined (w, v).  Defined, global: the
	# other capitals, unique (u) and indirect (i).  Lower case: local.
	t = $4
	if (t == "U" || t == "w" || t == "v") {
		nu++; ua[nu] = $2; us[nu] = $3
	} else if (t ~ /^[A-TV-Z]$/ || t == "u" || t == "i")
		def[$3] = $2
	next
}
END {
	# Symbol edges, in nm order (nm sorts each object by name).
	for (i = 1; i <= nu; i++)
		if (us[i] in def)
			addedge(ua[i], def[us[i]], us[i])

	for (i = 1; i <= nhl; i++)
		if (!(hl[i] in lname_))
			v("table", tablefile ":" hlline[i] ": there is no layer " hl[i])

	# Every file placed, every name a file, every .c built.
	for (i = 1; i <= nsrc; i++) {
		n = srcs[i]
		if (!(n in layer))
			v("unplaced", (n ~ /\.h$/ ? n : n ".c") \
			    " is not in the layer table (" tablefile ")")
		if (n !~ /\.h$/ && !(n in obj))
			v("noobject", n ".c has no object in the build")
	}
	for (i = 1; i <= ntab; i++)
		if (!(tab[i] in src))
			v("missing", tab[i] " (layer " lname(tab[i]) \
			    ") is in the table but " srcname "/" tab[i] \
			    (tab[i] ~ /\.h$/ ? "" : ".c") " does not exist")
	for (i = 1; i <= nobj; i++)
		if (!(objs[i] in src))
			v("nosource", objs[i] ".o is in the build but " \
			    srcname "/" objs[i] ".c does not exist")

	# The graph, and every edge upwards.
	for (i = 1; i <= ne; i++) {
		a = ea[i]; b = eb[i]; e = a SUBSEP b
		if (quiet == 0)
			print "1 graph: " a " -> " b ": " esyms[e]
		if (!(a in layer) || !(b in layer) || layer[a] >= layer[b])
			continue
		if (b ~ /\.h$/)
			v("include", a " (layer " lname(a) ") includes " b \
			    " (layer " lname(b) ")")
		else
			v("layer", a " (layer " lname(a) ") -> " b \
			    " (layer " lname(b) ") by " syms(e))
	}

	# Circles: the nodes, sorted; what each reaches; for each node on a
	# circle, the shortest circle through it, each circle reported once
	# (written from its smallest file on).  Every file of a knot is on
	# at least one of them.
	nn = 0
	for (n in node) {
		nn++
		for (j = nn; j > 1 && nodes[j - 1] > n; j--)
			nodes[j] = nodes[j - 1]
		nodes[j] = n
	}
	for (i = 1; i <= nn; i++) {
		s = nodes[i]
		split("", q); qh = 1; qt = 1; q[1] = s
		while (qh <= qt) {
			x = q[qh++]
			for (j = 1; j <= nsucc[x]; j++) {
				y = succ[x, j]
				if (!((s, y) in reach)) {
					reach[s, y] = 1
					q[++qt] = y
				}
			}
		}
	}
	for (i = 1; i <= nn; i++) {
		s = nodes[i]
		if (!((s, s) in reach))
			continue
		# Breadth first from s until an edge leads back to s.
		split("", par); split("", q); qh = 1; qt = 1; q[1] = s
		found = ""
		while (qh <= qt && found == "") {
			x = q[qh++]
			for (j = 1; j <= nsucc[x]; j++) {
				y = succ[x, j]
				if (y == s) { found = x; break }
				if (y != s && !(y in par) && ((y, s) in reach)) {
					par[y] = x
					q[++qt] = y
				}
			}
		}
		# c[1..m]: s, ..., found; then from its smallest file on.
		m = 0
		for (x = found; x != s; x = par[x])
			rev[++m] = x
		rev[++m] = s
		low = 1
		for (j = 1; j <= m; j++) {
			c[j] = rev[m + 1 - j]
			if (c[j] < c[low])
				low = j
		}
		path = ""; why = ""
		for (j = 0; j < m; j++) {
			x = c[(low - 1 + j) % m + 1]
			y = c[(low + j) % m + 1]
			path = path x " -> "
			why = why (j ? "; " : "") x " -> " y ": " syms(x SUBSEP y)
		}
		path = path c[low]
		if (path in seencycle)
			continue
		seencycle[path] = 1
		v("cycle", path " (" why ")")
	}
	exit nviol > 0
}
' "$tmp/in" > "$tmp/out"
st=$?
LC_ALL=C sort "$tmp/out" | cut -d' ' -f2-
exit $st

# ini2man.awk: piraeus.ini(5) from its template and etc/piraeus.ini.sample.
#
#   awk -f ini2man.awk piraeus.ini.sample piraeus.ini.5.in > piraeus.ini.5
#
# The sample documents every key of the configuration table (the unit
# test test_config compares it with config_describe), so the page made
# from it lists every key with its default and its help, and cannot
# drift from the code.  The template's line "@KEYS@" is replaced by one
# mdoc subsection per [section] and one tagged item per key; the comment
# block above a key is its text, lines indented in it are shown as
# literal displays.

# Escape a text line for mdoc: backslashes, and a leading "." or "'".
function esc(s) {
	gsub(/\\/, "\\e", s)
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}

# A text line with each sentence on a line of its own (mdoc's rule: a
# sentence ending inside a line would get one space, not two).
function sentences(s,   r, n, i, part) {
	r = ""
	while (match(s, /[.?!]  +[^ ]/)) {
		r = r esc(substr(s, 1, RSTART)) "\n"
		s = substr(s, RSTART + RLENGTH - 1)
	}
	return r esc(s) "\n"
}

# A default value as one quoted macro argument.
function quote(s) {
	gsub(/\\/, "\\e", s)
	gsub(/"/, "\\(dq", s)
	return "\"" s "\""
}

function flush_text(   i, lit) {
	lit = 0
	# The first line is the key's summary: a sentence of its own.
	if (ntext > 0 && text[1] !~ /[.]$/)
		text[1] = text[1] "."
	for (i = 1; i <= ntext; i++) {
		if (text[i] ~ /^  / && !lit) {
			out = out ".Bd -literal -offset indent\n"
			lit = 1
		} else if (text[i] !~ /^  / && lit) {
			out = out ".Ed\n"
			lit = 0
		}
		if (text[i] == "")
			out = out (lit ? "\n" : ".Pp\n")
		else if (lit)
			out = out esc(substr(text[i], 3)) "\n"
		else
			out = out sentences(text[i])
	}
	if (lit)
		out = out ".Ed\n"
	ntext = 0
}

FNR == NR {
	if ($0 ~ /^\[[a-z]+\]$/) {
		if (insection)
			out = out ".El\n"
		out = out ".Ss " $0 "\n.Bl -tag -width Ds\n"
		insection = 1
		ntext = 0
		next
	}
	if (!insection)
		next
	if ($0 ~ /^;[a-z_]+ =/) {
		key = $0
		sub(/^;/, "", key)
		sub(/ =.*/, "", key)
		def = $0
		sub(/^;[a-z_]+ =[ ]?/, "", def)
		out = out ".It Cm " key
		if (def == "")
			out = out " Li = Pq empty"
		else if (length(def) <= 40)
			out = out " Li = " quote(def)
		out = out "\n"
		flush_text()
		if (length(def) > 40)	# too long for a tag line: a display
			out = out ".Pp\nDefault:\n.Bd -literal -offset indent\n" \
			    esc(def) "\n.Ed\n"
		nkeys++
		next
	}
	if ($0 ~ /^;/) {
		line = $0
		sub(/^; ?/, "", line)
		text[++ntext] = line
		next
	}
	ntext = 0		# a blank line ends a block
	next
}

$0 == "@KEYS@" {
	if (insection)
		out = out ".El\n"
	printf "%s", out
	next
}

{ print }

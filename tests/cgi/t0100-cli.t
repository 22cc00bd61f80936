#!/bin/sh
# t0100-cli.t: the command line: --version and --help of both programs,
# check-config (the file it read or that none was, every error with file,
# section and key, a missing storage root), reindex (h1 hashes recorded as
# go.sum would have them), import (atomic, indexed, hostile trees refused).
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need perl zip sqlite3

like "$("$PIRAEUS" --version)" '^piraeus [0-9.]+ \(built [0-9T:Z-]+\)$' "piraeus --version"
like "$("$PIRAEUS_FCGI" --version)" '^piraeus.fcgi [0-9.]+ \(built [0-9T:Z-]+\)$' "piraeus.fcgi --version"
nok "unknown command fails" "$PIRAEUS" frobnicate
like "$("$PIRAEUS" help)" 'reindex' "help lists the commands"

# -h is --help: the usage on stdout, status 0 (a usage error is 2).
for h in --help -h; do
	out=$("$PIRAEUS" $h 2>/dev/null)
	is "$?" 0 "piraeus $h exits 0"
	like "$out" '^usage: piraeus ' "piraeus $h prints the usage on stdout"
	like "$out" 'check-config' "piraeus $h lists the commands"
done
"$PIRAEUS" >/dev/null 2>&1
is "$?" 2 "piraeus without a command is a usage error (2)"
# piraeus.fcgi --help says what it is and how it is started.
for h in --help -h; do
	out=$("$PIRAEUS_FCGI" $h 2>/dev/null </dev/null)
	is "$?" 0 "piraeus.fcgi $h exits 0"
	like "$out" '^usage: piraeus\.fcgi ' "piraeus.fcgi $h: the usage line, on stdout"
	like "$out" 'FastCGI on fd 0' "piraeus.fcgi $h: FastCGI on fd 0"
	like "$out" 'spawn-fcgi' "piraeus.fcgi $h: started by spawn-fcgi"
	like "$out" 'systemd' "piraeus.fcgi $h: or systemd"
	like "$out" '-s unix:PATH' "piraeus.fcgi $h: -s unix:PATH"
	like "$out" 'CGI  ' "piraeus.fcgi $h: CGI mode"
	like "$out" 'PIRAEUS_CONFIG' "piraeus.fcgi $h: PIRAEUS_CONFIG"
	like "$out" '--version' "piraeus.fcgi $h: --version"
done
"$PIRAEUS_FCGI" --frobnicate >/dev/null 2>&1 </dev/null
is "$?" 2 "piraeus.fcgi: an unknown option is a usage error (2)"

S=$TRASH/storage
use_config "$S" "$TRASH/state"
ok "check-config accepts a good file" "$PIRAEUS" check-config
like "$("$PIRAEUS" check-config -v)" '^root = ' "check-config -v dumps the keys"
out=$("$PIRAEUS" check-config)
like "$out" "^configuration file: $TRASH/p\.ini\$" "check-config says which file it read"
like "$out" '^configuration OK$' "check-config says the configuration is OK"

# A missing storage root: nothing would work (every command and the
# responder open it), so check-config says so and fails.
out=$(PIRAEUS_STORAGE_ROOT=$TRASH/nosuch "$PIRAEUS" check-config 2>&1)
isnt "$?" 0 "check-config fails when the storage root does not exist"
like "$out" "\[storage\] root: .*$TRASH/nosuch: No such file or directory" \
    "check-config names the missing storage root"
unlike "$out" 'configuration OK' "and does not say the configuration is OK"
: >"$TRASH/afile"
out=$(PIRAEUS_STORAGE_ROOT=$TRASH/afile "$PIRAEUS" check-config 2>&1)
isnt "$?" 0 "check-config fails when the storage root is not a directory"
like "$out" "$TRASH/afile: not a directory" "check-config says it is not a directory"

# No file at all: it says that none was read and that only the defaults
# and PIRAEUS_* variables apply (the default path is in the usage).
defini=$("$PIRAEUS" --help | sed -n 's/.*(default \(.*\));$/\1/p')
if [ -z "$defini" ]; then
	fail "piraeus --help names the default configuration file"
elif [ -e "$defini" ]; then
	skip "check-config without a file" "$defini exists here"
else
	out=$(env -u PIRAEUS_CONFIG PIRAEUS_STORAGE_ROOT="$S" \
	    PIRAEUS_STATE_DIR="$TRASH/state" "$PIRAEUS" check-config 2>&1)
	is "$?" 0 "check-config without a file, storage from PIRAEUS_STORAGE_ROOT: OK"
	like "$out" "^configuration file: none \(PIRAEUS_CONFIG is unset and $defini does not exist\)" \
	    "check-config without a file says none was read, and where it looked"
	like "$out" 'built-in defaults and PIRAEUS_\* variables only' \
	    "check-config without a file says what applies instead"
	out=$(env -u PIRAEUS_CONFIG -u PIRAEUS_STORAGE_ROOT \
	    "$PIRAEUS" check-config -v 2>&1)
	st=$?
	defroot=$(printf '%s\n' "$out" | sed -n 's/^root = //p')
	if [ -e "$defroot" ]; then
		skip "check-config with nothing configured" "$defroot exists here"
	else
		isnt "$st" 0 "check-config with nothing configured fails (no storage root)"
		like "$out" '^configuration file: none' "and says no file was read"
		like "$out" "\\[storage\\] root: storage root $defroot: No such file or directory" \
		    "and that the default storage root ($defroot) is missing"
	fi
fi

cat > "$TRASH/bad.ini" <<INI
[storage]
root = relative/path
colour = blue
[nosuch]
key = 1
[server]
list_max_age = -5
sendfile = maybe
INI
out=$(PIRAEUS_CONFIG=$TRASH/bad.ini "$PIRAEUS" check-config 2>&1)
st=$?
isnt "$st" 0 "check-config fails on a bad file"
like "$out" "bad.ini: \[storage\] root: " "error names file, section and key (root)"
like "$out" "bad.ini: \[storage\] colour: " "unknown key is an error"
like "$out" "bad.ini: \[nosuch\]" "unknown section is an error"
like "$out" "bad.ini: \[server\] list_max_age: " "out-of-range value is an error"
like "$out" "bad.ini: \[server\] sendfile: " "bad enum value is an error"
out=$(PIRAEUS_SERVER_SENDFILE=nope "$PIRAEUS" check-config 2>&1)
like "$out" 'PIRAEUS_SERVER_SENDFILE: \[server\] sendfile' "environment override errors name the variable"
out=$(PIRAEUS_CONFIG=$TRASH/missing.ini "$PIRAEUS" check-config 2>&1)
like "$out" 'missing.ini' "a missing PIRAEUS_CONFIG file is an error"

# reindex: hashes must be those of go.sum; computed here independently of
# the code under test with sha256sum over the files (protocol.md 4.6).
mkstore "$S"
ok "reindex" "$PIRAEUS" reindex
h1_of_dir()
{
	(cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort |
	    while read -r f; do sha256sum "$f"; done) |
	    sha256sum | cut -d' ' -f1 | xxd -r -p | base64
}
need xxd base64
mkdir -p "$TRASH/unz" && (cd "$TRASH/unz" && unzip -q "$S/example.com/m/@v/v1.0.0.zip")
want="h1:$(h1_of_dir "$TRASH/unz")"
got=$(sqlite3 "$TRASH/state/index.sqlite" "SELECT zip_h1 FROM versions WHERE module='example.com/m' AND version='v1.0.0'")
is "$got" "$want" "reindex: zip h1 equals the go.sum algorithm"
mkdir -p "$TRASH/gomod" && cp "$S/example.com/m/@v/v1.0.0.mod" "$TRASH/gomod/go.mod"
want="h1:$(h1_of_dir "$TRASH/gomod")"
got=$(sqlite3 "$TRASH/state/index.sqlite" "SELECT mod_h1 FROM versions WHERE module='example.com/m' AND version='v1.0.0'")
is "$got" "$want" "reindex: go.mod h1 equals the go.sum algorithm"
is "$(sqlite3 "$TRASH/state/index.sqlite" "SELECT count(*) FROM versions")" 8 "reindex: every complete version"
got=$(sqlite3 "$TRASH/state/index.sqlite" "SELECT time FROM versions WHERE module='example.com/Upper'")
is "$got" "2020-06-01T00:00:00Z" "reindex: time from .info, unescaped module path"
rm "$S/example.com/pseudo/@v/"*.info
"$PIRAEUS" reindex > /dev/null
is "$(sqlite3 "$TRASH/state/index.sqlite" "SELECT count(*) FROM versions")" 7 "reindex: rebuilds from the tree (removed versions go)"

# import: copy a GOPROXY tree into empty storage.
S2=$TRASH/storage2
mkdir -p "$S2" "$TRASH/state2"
out=$(PIRAEUS_STORAGE_ROOT=$S2 PIRAEUS_STATE_DIR=$TRASH/state2 "$PIRAEUS" import "$S" 2>&1)
like "$out" '^imported 7 versions, 0 already present' "import: every complete version"
# import indexes what it copies (no reindex needed, as the README says)
is "$(sqlite3 "$TRASH/state2/index.sqlite" "SELECT count(*) FROM versions")" 7 \
    "import: every imported version is in the index"
ok "import: zip copied byte for byte" cmp -s "$S/example.com/m/@v/v1.0.0.zip" "$S2/example.com/m/@v/v1.0.0.zip"
ok "import: the list file of a module cache is not copied" test ! -e "$S2/example.com/m/@v/list"
is "$(find "$S2/.tmp" -type f | wc -l | tr -d ' ')" 0 "import: no temporary file left"
out=$(PIRAEUS_STORAGE_ROOT=$S2 PIRAEUS_STATE_DIR=$TRASH/state2 "$PIRAEUS" import "$S" 2>&1)
like "$out" '^imported 0 versions, 7 already present' "import: idempotent"
# A module cache spells a .info its own way (the go command re-encodes
# what a proxy sent): the same version, already present, the stored .info
# kept.
cp -R "$S" "$TRASH/respelled"
info=$TRASH/respelled/example.com/m/@v/v1.0.0.info
sed 's/":"/": "/g; s/","/", "/g' "$S/example.com/m/@v/v1.0.0.info" >"$info"
nok "the re-spelled .info differs" cmp -s "$info" "$S/example.com/m/@v/v1.0.0.info"
out=$(PIRAEUS_STORAGE_ROOT=$S2 PIRAEUS_STATE_DIR=$TRASH/state2 "$PIRAEUS" import "$TRASH/respelled" 2>&1)
like "$out" '^imported 0 versions, 7 already present' \
    "import: a differently spelled .info is the same version"
unlike "$out" 'example\.com/m@v1\.0\.0' "import: and is not reported as refused"
ok "import: the stored .info is kept" \
    cmp -s "$S/example.com/m/@v/v1.0.0.info" "$S2/example.com/m/@v/v1.0.0.info"

# Hostile source trees: a .info naming another version, a traversal name,
# a symbolic link, a corrupt zip.  Nothing of them may land in storage.
H=$TRASH/hostile
mkver "$H" example.com/h v1.0.0 v1.0.1 2020-01-01T00:00:00Z 'module example.com/h
' example.com/h go.mod='module example.com/h'
mv "$H/example.com/h/@v/v1.0.0.zip" "$TRASH/h.zip"
mkzip "$H/example.com/h/@v/v1.0.0.zip" example.com/h@v1.0.0 go.mod='module example.com/h'
mkdir -p "$H/example.com/bad/@v"
printf 'PK\003\004garbage' > "$H/example.com/bad/@v/v1.0.0.zip"
printf 'module example.com/bad\n' > "$H/example.com/bad/@v/v1.0.0.mod"
printf '{"Version":"v1.0.0"}' > "$H/example.com/bad/@v/v1.0.0.info"
mkdir -p "$H/example.com/link/@v"
ln -s /etc/passwd "$H/example.com/link/@v/v1.0.0.zip"
printf 'module example.com/link\n' > "$H/example.com/link/@v/v1.0.0.mod"
printf '{"Version":"v1.0.0"}' > "$H/example.com/link/@v/v1.0.0.info"
mkdir -p "$H/example.com/Caps/@v"
cp "$S/example.com/m/@v/v1.0.0."* "$H/example.com/Caps/@v/"
S3=$TRASH/storage3
mkdir -p "$S3"
out=$(PIRAEUS_STORAGE_ROOT=$S3 PIRAEUS_STATE_DIR=$TRASH/state3 "$PIRAEUS" import "$H" 2>&1)
st=$?
isnt "$st" 0 "import of a hostile tree fails"
like "$out" 'Version is not v1.0.0' "import: .info naming another version refused"
is "$(find "$S3" -name '*.info' | wc -l | tr -d ' ')" 0 "import: nothing of the hostile tree is published"
is "$(find "$S3/.tmp" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 "import: temporary files removed"

# A FIFO where a version's file should be: import must not block opening
# it (a FIFO's open waits for a writer), and tells the version, skipped.
F=$TRASH/fifotree
mkdir -p "$F/example.com/m/@v"
cp "$S/example.com/m/@v/v1.0.0.mod" "$S/example.com/m/@v/v1.0.0.zip" "$F/example.com/m/@v/"
mkfifo "$F/example.com/m/@v/v1.0.0.info"
S4=$TRASH/storage4
mkdir -p "$S4"
out=$(PIRAEUS_STORAGE_ROOT=$S4 PIRAEUS_STATE_DIR=$TRASH/state4 timeout 20 "$PIRAEUS" import "$F" 2>&1)
st=$?
isnt "$st" 124 "import: a FIFO as a .info does not hang (GOPROXY tree)"
like "$out" 'example\.com/m@v1\.0\.0: .*v1\.0\.0\.info: not a regular file' "import: a FIFO is no .info: the version is told, skipped"
# The same in an Athens disk tree.
A=$TRASH/athensfifo/example.com/m/v1.0.0
mkdir -p "$A"
cp "$S/example.com/m/@v/v1.0.0.mod" "$A/go.mod"
cp "$S/example.com/m/@v/v1.0.0.zip" "$A/source.zip"
mkfifo "$A/v1.0.0.info"
out=$(PIRAEUS_STORAGE_ROOT=$S4 PIRAEUS_STATE_DIR=$TRASH/state4 timeout 20 "$PIRAEUS" import "$TRASH/athensfifo" 2>&1)
st=$?
isnt "$st" 124 "import: a FIFO as a .info does not hang (Athens tree)"
like "$out" 'example\.com/m@v1\.0\.0: incomplete' "import: the Athens version with a FIFO .info is told, skipped"
# A FIFO as the go.mod (after the .info) and as the zip.
rm "$A/v1.0.0.info"
cp "$S/example.com/m/@v/v1.0.0.info" "$A/v1.0.0.info"
rm "$A/source.zip" && mkfifo "$A/source.zip"
out=$(PIRAEUS_STORAGE_ROOT=$S4 PIRAEUS_STATE_DIR=$TRASH/state4 timeout 20 "$PIRAEUS" import "$TRASH/athensfifo" 2>&1)
isnt "$?" 124 "import: a FIFO as source.zip does not hang"
is "$(find "$S4" -name '*.info' | wc -l | tr -d ' ')" 0 "import: nothing of the FIFO trees is published"

# import completing a stored version: the tree had its .info and .mod
# (as a module cache keeps them), the import brings the zip.  It is
# published and indexed (the row lists the zip), and counted as imported.
P=$TRASH/partial
mkdir -p "$P/example.com/m/@v"
cp "$S/example.com/m/@v/v1.0.0.info" "$S/example.com/m/@v/v1.0.0.mod" "$P/example.com/m/@v/"
S5=$TRASH/storage5
mkdir -p "$S5"
out=$(PIRAEUS_STORAGE_ROOT=$S5 PIRAEUS_STATE_DIR=$TRASH/state5 "$PIRAEUS" import "$P" 2>&1)
like "$out" '^imported 1 versions, 0 already present' "import: a version without its zip"
is "$(sqlite3 "$TRASH/state5/index.sqlite" "SELECT has_zip FROM versions WHERE module='example.com/m' AND version='v1.0.0'")" 0 \
    "import: indexed without a zip"
cp "$S/example.com/m/@v/v1.0.0.zip" "$P/example.com/m/@v/"
out=$(PIRAEUS_STORAGE_ROOT=$S5 PIRAEUS_STATE_DIR=$TRASH/state5 "$PIRAEUS" import "$P" 2>&1)
like "$out" '^imported 1 versions, 0 already present' "import: completing it with its zip counts as imported"
ok "import: the zip is stored" cmp -s "$S/example.com/m/@v/v1.0.0.zip" "$S5/example.com/m/@v/v1.0.0.zip"
is "$(sqlite3 "$TRASH/state5/index.sqlite" "SELECT has_zip, zip_h1 <> '' FROM versions WHERE module='example.com/m' AND version='v1.0.0'")" '1|1' \
    "import: the index row lists the zip, with its h1"
PIRAEUS_STORAGE_ROOT=$S5 PIRAEUS_STATE_DIR=$TRASH/state5 PIRAEUS_SUMDB_VERIFY=no "$PIRAEUS" verify >"$TRASH/v5.out" 2>&1
ok $? "verify: the completed version is well" || diag_file "$TRASH/v5.out"
# verify tells a zip in the tree that the index row does not list.
sqlite3 "$TRASH/state5/index.sqlite" "UPDATE versions SET has_zip = 0, zip_h1 = '', zip_sha256 = '' WHERE module='example.com/m'"
PIRAEUS_STORAGE_ROOT=$S5 PIRAEUS_STATE_DIR=$TRASH/state5 PIRAEUS_SUMDB_VERIFY=no "$PIRAEUS" verify >"$TRASH/v5.out" 2>&1
is "$?" 1 "verify: a zip the index does not list is a problem"
like "$(cat "$TRASH/v5.out")" 'example\.com/m@v1\.0\.0: index wrong: the tree holds a \.zip \(h1:.*\) that the index row does not list' \
    "verify: and says so"

# import takes the version's lock (the responder's publish lock): a
# version whose lock is held is told and skipped, the others imported.
S6=$TRASH/storage6
mkdir -p "$S6"
PIRAEUS_STORAGE_ROOT=$S6 PIRAEUS_STATE_DIR=$TRASH/state6 "$PIRAEUS" reindex >/dev/null 2>&1
sleep 300 &
HOLDER=$!
at_exit "kill $HOLDER 2>/dev/null"
NOW=$(date +%s)
sqlite3 "$TRASH/state6/index.sqlite" "INSERT INTO locks (key, owner_pid, host, started, expires) VALUES ('v:example.com/m@v1.0.0', $HOLDER, '$(hostname)', $NOW, $((NOW + 600)))"
out=$(PIRAEUS_STORAGE_ROOT=$S6 PIRAEUS_STATE_DIR=$TRASH/state6 "$PIRAEUS" import "$S" 2>&1)
like "$out" 'not imported: example\.com/m@v1\.0\.0: being fetched or published \(its lock is held\)' \
    "import: a version whose lock is held is skipped, and said"
like "$out" '^imported 6 versions, 0 already present, skipped 2' "import: the others are imported"
nok "import: nothing of the locked version is stored" test -e "$S6/example.com/m/@v/v1.0.0.zip"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null

done_testing

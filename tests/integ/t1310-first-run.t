#!/bin/sh
# t1310-first-run.t: what a new user does first, literally.  `git clone`
# of the committed tree into an empty directory, then README "Quick start"
# command 1 there: `contrib/quickstart` with no option (its own build,
# its default storage ./piraeus-data, its default port 3000 when that is
# free here).  It must build, write only ignored files into the clone, print
# nothing but the GOPROXY line on stdout, serve, fetch a module missing from
# its storage from an upstream (a local fake one, through
# PIRAEUS_UPSTREAM_GOPROXY; PIRAEUS_SUMDB_VERIFY=no as there is no
# internet), and stop on SIGINT leaving nothing running.  The commands it
# prints for the command line must work from a clean environment on its
# storage.
#
# When $top_srcdir is not a git checkout (make distcheck's tarball) the
# test runs on a copy of the source tree instead, and the `git status`
# check is skipped.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need git lighttpd curl perl zip go

# --- the clone ----------------------------------------------------------------

W=$TRASH/new-user
mkdir -p "$W"
CLONE=$W/piraeus
gittop=$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)
if [ -n "$gittop" ] &&
    [ "$(cd "$gittop" && pwd -P)" = "$(cd "$top_srcdir" && pwd -P)" ]; then
	ISCLONE=1
	git clone -q "$top_srcdir" "$CLONE" >"$TRASH/clone.log" 2>&1
	ok $? "git clone of the source tree" || diag_file "$TRASH/clone.log"
	diag "cloned $(git -C "$CLONE" log -1 --format='%h %s' 2>/dev/null)"
else
	ISCLONE=0
	diag "$top_srcdir is not a git checkout: a copy of the source tree stands in for the clone"
	mkdir -p "$CLONE" &&
	    (cd "$top_srcdir" && tar -cf - --exclude=./_build --exclude=./_inst \
	    --exclude=./build --exclude=./piraeus-data .) |
	    (cd "$CLONE" && tar -xf -) && chmod -R u+w "$CLONE"
	ok $? "copy of the source tree"
fi
[ -x "$CLONE/contrib/quickstart" ] || bail_out "no contrib/quickstart in $CLONE"

# --- the upstream -------------------------------------------------------------

UP=$TRASH/up
mkstore "$UP"
upstream_start "$UP" || bail_out "cannot start the fake upstream"

# --- README command 1 ---------------------------------------------------------

# The README's command is `contrib/quickstart`, which serves on port 3000:
# run it literally when 3000 is free here (reserved like free_port's ports,
# so that t1300 running at the same time does not take it); else with
# --port, the only option added.
P3=$(_tl_portdir 3000)
if ! mkdir "$P3" 2>/dev/null; then
	o=$(cat "$P3/owner" 2>/dev/null)
	[ -n "$o" ] && ! kill -0 "$o" 2>/dev/null || P3=
fi
[ -z "$P3" ] || echo "$$" > "$P3/owner"
if [ -n "$P3" ] && ! port_in_use 3000; then
	PORT=3000
	set --
	diag "running README command 1 literally: contrib/quickstart"
else
	PORT=$(free_port) || bail_out "no free port"
	set -- --port "$PORT"
	diag "port 3000 is in use here: contrib/quickstart --port $PORT"
fi
URL=http://127.0.0.1:$PORT
D=$CLONE/piraeus-data
QT=$D/state
at_exit reap_state "$QT"
OUT=$TRASH/quickstart.out ERR=$TRASH/quickstart.err
export PIRAEUS_UPSTREAM_GOPROXY="$UPSTREAM_URL" PIRAEUS_SUMDB_VERIFY=no
# stdout alone into OUT (start_bg's log), stderr into ERR.
start_bg "$OUT" sh -c 'cd "$1" && shift 2 && exec contrib/quickstart "$@" 2>"$0"' \
    "$ERR" "$CLONE" -- "$@"
QPID=$BG_PID
unset PIRAEUS_UPSTREAM_GOPROXY PIRAEUS_SUMDB_VERIFY
# Up when serve's "serving on" line is out, on either stream (a quickstart
# that printed it on stdout must fail the check below, not time out here).
up()
{
	_i=0
	while [ $_i -lt 9000 ]; do
		cat "$OUT" "$ERR" 2>/dev/null |
		    grep -q "serving on http://127\.0\.0\.1:$PORT/" && return 0
		kill -0 "$QPID" 2>/dev/null || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
if ! up; then
	fail "contrib/quickstart in the new clone builds and serves"
	diag_file "$ERR" 60
	diag_file "$CLONE/build/quickstart.log" 40
	done_testing
fi
pass "contrib/quickstart in the new clone builds and serves on $URL"
is "$(cat "$OUT")" "export GOPROXY=$URL" "stdout holds the GOPROXY line and nothing else"
ok "it built in the clone" test -x "$CLONE/build/quickstart/piraeus.fcgi"
ok "its storage is ./piraeus-data/storage" test -d "$D/storage"
QT=$(cd "$QT" && pwd -P)
is "$(sed -n 's/^goproxy = //p' "$QT/piraeus.ini")" "https://proxy.golang.org,direct" \
    "the piraeus.ini it wrote names the upstream the README says"
like "$(cat "$ERR")" "^piraeus: upstream https://proxy\.golang\.org,direct\$" \
    "and it says so"
unlike "$(cat "$ERR")" 'then run .*reindex' "it does not ask for a reindex after an import"

# A module missing from its storage comes from the upstream.
for f in info mod zip; do
	curl -s -o "$TRASH/got.$f" -w '%{http_code}' \
	    "$URL/example.com/m/@v/v1.0.0.$f" >"$TRASH/code.$f"
	is "$(cat "$TRASH/code.$f")" 200 "fetches example.com/m v1.0.0 .$f through the upstream"
done
is_file "$TRASH/got.zip" "$UP/example.com/m/@v/v1.0.0.zip" "the zip is the upstream's"
is_file "$TRASH/got.mod" "$UP/example.com/m/@v/v1.0.0.mod" "the go.mod is the upstream's"
is_file "$D/storage/example.com/m/@v/v1.0.0.zip" "$UP/example.com/m/@v/v1.0.0.zip" \
    "and it is stored in ./piraeus-data/storage"
like "$(upstream_log)" '/example\.com/m/@v/v1\.0\.0\.zip 200' "the upstream was asked for it"

# --- the command line, as quickstart says -------------------------------------

# The lines it prints: the wrapper's commands, and "by hand" the exports
# and the absolute path of the piraeus it built.
WRAP=$(sed -n 's/^    \(.*\/bin\/piraeus\) check-config$/\1/p' "$ERR" | head -n 1)
HAND=$(sed -n '/^  The same by hand:$/,/ import DIR$/p' "$ERR" | sed -n 's/^    //p')
ok "quickstart prints the command line's wrapper" test -n "$WRAP"
like "$HAND" "^export PIRAEUS_CONFIG=$QT/piraeus\.ini\$" "it prints the PIRAEUS_CONFIG to export"
like "$HAND" "^$CLONE/build/quickstart/piraeus import DIR\$" "and the absolute path of piraeus"

mkdir -p "$TRASH/elsewhere"
# clean SCRIPT: run SCRIPT with sh in an empty environment, in another
# directory.
clean()
{
	[ -n "$1" ] || return 1
	(cd "$TRASH/elsewhere" && env -i PATH=/usr/bin:/bin sh -c "$1")
}
out=$(clean "$WRAP check-config" 2>&1)
is "$?" 0 "printed wrapper: check-config in a clean environment succeeds"
like "$out" "^configuration file: $QT/piraeus\.ini\$" "printed wrapper: reads quickstart's piraeus.ini"
out=$(clean "$(printf '%s\n' "$HAND" | sed 's/ import DIR$/ check-config/')" 2>&1)
is "$?" 0 "printed commands by hand: check-config in a clean environment succeeds"
like "$out" "^configuration file: $QT/piraeus\.ini\$" "printed commands by hand: read quickstart's piraeus.ini"

# import through the printed commands lands in quickstart's storage and
# index, and the running proxy serves it (catalog from the index).
IMP=$TRASH/import
mkver "$IMP" example.com/imported v1.0.0 v1.0.0 2021-01-01T00:00:00Z \
    'module example.com/imported
' example.com/imported go.mod='module example.com/imported' i.go='package imported'
out=$(clean "$(printf '%s\n' "$HAND" | sed "s| import DIR\$| import $IMP|")" 2>&1)
is "$?" 0 "printed commands by hand: import in a clean environment succeeds"
like "$out" '^imported 1 versions' "printed commands by hand: one version imported"
ok "it is in quickstart's storage" test -f "$D/storage/example.com/imported/@v/v1.0.0.zip"
mkver "$IMP" example.com/imported2 v1.0.0 v1.0.0 2021-01-01T00:00:00Z \
    'module example.com/imported2
' example.com/imported2 go.mod='module example.com/imported2' i.go='package imported2'
out=$(clean "$WRAP import $IMP" 2>&1)
is "$?" 0 "printed wrapper: import in a clean environment succeeds"
like "$out" '^imported 1 versions, 1 already present' "printed wrapper: the same storage"
cat=$(curl -s "$URL/catalog?pagesize=100")
like "$cat" '"module":"example.com/imported","version":"v1.0.0"' \
    "the proxy's catalog lists the import at once (import indexes)"
like "$cat" '"module":"example.com/imported2","version":"v1.0.0"' \
    "and the wrapper's import too"

# --- stop -----------------------------------------------------------------------

ps_before=$(procs_of "$QT")
like "$ps_before" ' lighttpd$' "its lighttpd runs"
like "$ps_before" ' piraeus\.fcgi$' "its responders run"
QN=first-run QPORT=$PORT
quickstart_down INT

# --- the clone is clean -----------------------------------------------------------

if [ "$ISCLONE" = 1 ]; then
	st=$(git -C "$CLONE" status --porcelain 2>&1)
	is "$st" "" "git status in the clone is empty: the build and piraeus-data/ are ignored"
else
	skip "git status in the clone is empty" "not a git checkout"
fi

done_testing

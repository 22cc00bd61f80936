#!/bin/sh
# t1560-vulndb.t: the vulnerability database mirror behind a real lighttpd
# (and Apache and nginx when installed, each with its contrib config),
# read by the real govulncheck (Debian 12's, which speaks the database
# layout before the v1 API: GOVULNDB, index.json, <module>.json).
#
# A test database (tests/vulndb/gendb.go: 40 entries of made-up modules,
# the fixture app's two entries, one for "stdlib"; v1 files .json and
# .json.gz, and the legacy layout written on its own from the same
# entries) is served by tests/upstream/fakeproxy.go.  piraeus vulndb sync
# mirrors it (asking only for the v1 files: piraeus derives the legacy
# ones), contrib/serve runs lighttpd on the storage, and:
#   - every v1 file served at /vulndb/ is the upstream's, byte for byte,
#     .json.gz included, with its Content-Type and Cache-Control;
#   - govulncheck -json on the fixture app (example.com/app calling
#     example.com/vulnlib.Vuln, module deps from a module cache the test
#     fills from a file:// tree it packs) reports the same findings with
#     GOVULNDB=<upstream> (its own legacy files) and GOVULNDB=<lighttpd>/
#     vulndb (piraeus's derived files), the findings being the two
#     vulnlib entries, one with a call stack;
#   - every request govulncheck made through lighttpd was served without
#     the responder (its access lines), while a miss under /vulndb/ does
#     reach it (so the count can see one);
#   - /.vulndb/ (the generations) is not served;
#   - with every request through the responder (--every-request), the
#     responder's /vulndb/ (ep_vulndb.c) gives govulncheck the same.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/upstream.sh"
need go curl lighttpd jq gzip

GOVULNCHECK=${PIRAEUS_TEST_GOVULNCHECK:-/usr/bin/govulncheck}
[ -x "$GOVULNCHECK" ] || need govulncheck
# Debian's govulncheck is built with Debian's go and loads packages with
# the go command on PATH: that one.
[ -x "$GO_DEBIAN" ] || need "$GO_DEBIAN"

go_tool_build "$top_srcdir/tests/vulndb/gendb.go" vulndb-bin ||
    bail_out "cannot build gendb"
GENDB=$GO_TOOL_BIN
DB=$TRASH/db
"$GENDB" -o "$DB" -n 40 -fixture || bail_out "gendb"
upstream_build || bail_out "cannot build the fake upstream"
upstream_start "$DB" || bail_out "cannot start the fake upstream"

S=$TRASH/storage
T=$TRASH/state
INI=$TRASH/piraeus.ini
offline_ini "$INI" "$S" "$T" || bail_out "ini"
cat >>"$INI" <<INI
[vulndb]
enabled = yes
url = $UPSTREAM_URL
INI

PIRAEUS_CONFIG=$INI "$PIRAEUS" vulndb sync >"$TRASH/sync.out" 2>&1
is "$?" 0 "vulndb sync exits 0" || diag_file "$TRASH/sync.out"
like "$(cat "$TRASH/sync.out")" "generation 1: 43 entries \(43 got, 0 kept\)" \
    "it got every entry"
is "$(grep -c '^GET /index\.json\|^GET /aliases\.json\|^GET /ID/index\.json\|^GET /example\.com/[^@]*\.json \|^GET /stdlib\.json' "$UPSTREAM_LOG")" 0 \
    "sync asked the upstream for no legacy file (it derives them)"

# --- the fixture app and its module cache ---
LIB=$TRASH/vulnlib
APP=$TRASH/app
TREE=$TRASH/tree
mkdir -p "$LIB" "$APP" "$TREE"
printf 'module example.com/vulnlib\n\ngo 1.17\n' >"$LIB/go.mod"
cat >"$LIB/vulnlib.go" <<'GO'
package vulnlib

// Vuln is what GO-2099-0001 names.
func Vuln() string { return "v" }

// Unused is what GO-2099-0002 names.
func Unused() string { return "u" }
GO
"$PIRAEUS" pack -o "$TREE" --time 2023-01-01T00:00:00Z "$LIB" \
    example.com/vulnlib v1.0.0 >"$TRASH/pack.out" 2>&1 ||
    { diag_file "$TRASH/pack.out"; bail_out "pack"; }
printf 'module example.com/app\n\ngo 1.17\n\nrequire example.com/vulnlib v1.0.0\n' \
    >"$APP/go.mod"
cat >"$APP/main.go" <<'GO'
package main

import (
	"fmt"

	"example.com/vulnlib"
)

func main() { fmt.Println(vulnlib.Vuln()) }
GO
_go_select "$GO_DEBIAN"
MC=$TRASH/modcache
# gv_env: the go environment of the fixture app (Debian's go first on
# PATH: govulncheck runs it to load the packages).
gv_env()
{
	go_env_common
	GOMODCACHE=$MC GOPATH=$TRASH/gopath GOCACHE=$GO_CACHE
	GOFLAGS="-mod=mod -modcacherw"
	PATH=$(dirname "$GO_DEBIAN"):$PATH
	export GOMODCACHE GOPATH GOCACHE GOFLAGS PATH
}
(
	gv_env
	cd "$APP" && GOPROXY=file://$TREE "$GO" mod tidy
) >"$TRASH/tidy.log" 2>&1
ok "the fixture app's go.sum is made from the file:// tree" \
    test -s "$APP/go.sum" || diag_file "$TRASH/tidy.log"

# govulncheck DB NAME: -json findings with GOVULNDB=DB into $TRASH/NAME.json,
# the client's own cache of the database emptied first.
govulncheck()
{
	rm -rf "$MC/cache/download/vulndb"
	(
		gv_env
		cd "$APP" && GOVULNDB=$1 "$GOVULNCHECK" -json ./...
	) >"$TRASH/$2.json" 2>"$TRASH/$2.err"
}
# norm FILE: the findings, keys and entries in a fixed order.
norm()
{
	jq -S '.Vulns |= sort_by(.OSV.id)' "$1"
}

govulncheck "$UPSTREAM_URL" direct
is "$?" 0 "govulncheck against the test database exits 0" ||
    diag_file "$TRASH/direct.err"
is "$(norm "$TRASH/direct.json" | jq -r '[.Vulns[].OSV.id] | join(" ")')" \
    "GO-2099-0001 GO-2099-0002" "it finds the two vulnlib entries"
is "$(norm "$TRASH/direct.json" | jq -r '[.Vulns[] | select(.Modules[0].Packages[0].CallStacks != null) | .OSV.id] | join(" ")')" \
    "GO-2099-0001" "and a call stack only to the called symbol"
ok "it asked the test database for stdlib's entries" \
    grep -q '^GET /stdlib\.json 200' "$UPSTREAM_LOG"

# serve NAME [FLAG...]: contrib/serve with the server NAME (lighttpd-every:
# lighttpd) in front of the storage (a run directory of its own); sets
# URL, ALOG, RLOG, SERVE_PID.
serve()
{
	PORT=$(free_port) || bail_out "no free port"
	_sv_name=$1
	shift
	start_bg "$TRASH/serve.$_sv_name.log" "$top_srcdir/contrib/serve" \
	    --server "${_sv_name%-*}" --port "$PORT" --storage "$S" \
	    --state "$T" --rundir "$TRASH/run.$_sv_name" \
	    --fcgi "$PIRAEUS_FCGI" --config "$INI" --procs 2 "$@"
	SERVE_PID=$BG_PID
	wait_line "$TRASH/serve.$_sv_name.log" \
	    "serving on http://127\.0\.0\.1:$PORT/" 60 "$SERVE_PID" ||
	    { diag_file "$TRASH/serve.$_sv_name.log"; return 1; }
	URL=http://127.0.0.1:$PORT
	ALOG=$TRASH/run.$_sv_name/access.log
	RLOG=$TRASH/run.$_sv_name/responder.log
}

# served SERVER: the mirror through SERVER (contrib/SERVER's config).
served()
{
	same=0 n=0
	for f in index/db.json index/modules.json index/vulns.json \
	    ID/GO-2099-0001.json ID/GO-2020-0007.json; do
		for x in "" .gz; do
			n=$((n + 1))
			curl -s -f -o "$TRASH/got" "$URL/vulndb/$f$x" &&
			    cmp -s "$TRASH/got" "$DB/$f$x" && same=$((same + 1))
		done
	done
	is "$same" "$n" "[$1] the v1 files served are the upstream's, .json.gz too"
	curl -s -o /dev/null -D "$TRASH/h1.$1" "$URL/vulndb/index/modules.json.gz"
	like "$(tr -d '\r' <"$TRASH/h1.$1")" "Content-Type: application/gzip" \
	    "[$1] .json.gz: application/gzip (a file, not a Content-Encoding)"
	unlike "$(tr -d '\r' <"$TRASH/h1.$1")" "Content-Encoding" \
	    "[$1] .json.gz: no Content-Encoding"
	curl -s -o /dev/null -D "$TRASH/h2.$1" "$URL/vulndb/index/db.json"
	like "$(tr -d '\r' <"$TRASH/h2.$1")" "Content-Type: application/json" \
	    "[$1] .json: application/json"
	like "$(tr -d '\r' <"$TRASH/h2.$1")" "Cache-Control: public, max-age=3600, must-revalidate" \
	    "[$1] the index: kept an hour, then revalidated"
	code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/.vulndb/g1/index/db.json")
	is "$code" 404 "[$1] the generations (/.vulndb/) are not served"

	r0=$(grep -c '/vulndb/' "$RLOG")
	govulncheck "$URL/vulndb" "piraeus.$1"
	is "$?" 0 "[$1] govulncheck through piraeus exits 0" ||
	    diag_file "$TRASH/piraeus.$1.err"
	is "$(norm "$TRASH/piraeus.$1.json")" "$(norm "$TRASH/direct.json")" \
	    "[$1] govulncheck reports the same findings through piraeus"
	# govulncheck's requests: the legacy files (the checks above ask
	# for v1 files only).  lighttpd writes its access log late, and
	# govulncheck asks the module's file and stdlib.json at once: wait
	# (20 s at most) until index.json, stdlib.json and a module's file
	# are all there, whatever their order.
	i=0
	while [ "$i" -lt 100 ]; do
		grep -E '"GET /vulndb/(index|stdlib|aliases|ID/index|example\.com/[^ ]*)\.json ' \
		    "$ALOG" >"$TRASH/gv-access.$1.log"
		grep -q 'GET /vulndb/stdlib\.json ' "$TRASH/gv-access.$1.log" &&
		    grep -q 'GET /vulndb/example\.com/' "$TRASH/gv-access.$1.log" &&
		    break
		sleep 0.2
		i=$((i + 1))
	done
	total=$(wc -l <"$TRASH/gv-access.$1.log")
	hits=$(grep -c ' /vulndb/[^ ]* HTTP/[0-9.]*" 200 ' "$TRASH/gv-access.$1.log")
	resp=$(($(grep -c '/vulndb/' "$RLOG") - r0))
	ok "[$1] govulncheck's requests are in $1's access log ($total)" \
	    [ "$total" -ge 3 ]
	is "$resp" 0 "[$1] the responder saw none of them"
	is "$hits" "$total" "[$1] every one was a 200 from the files"
	diag "[$1] govulncheck through piraeus: $total requests, $hits served by $1" \
	    "without the responder, $resp by the responder:" \
	    "$(awk '{ print $6, $7 }' "$TRASH/gv-access.$1.log" | sort | uniq -c |
	    tr '\n' ';')"
	curl -s -o /dev/null "$URL/vulndb/example.com/absent.json"
	is "$(($(grep -c '/vulndb/' "$RLOG") - r0))" 1 \
	    "[$1] a miss under /vulndb/ does reach the responder (the count sees it)"

}

# lighttpd always; Apache and nginx when installed (each needs its own
# rules for /vulndb/, in contrib/apache and contrib/nginx).
for server in lighttpd apache nginx; do
	case $server in
	lighttpd)	;;
	apache)		command -v apache2 >/dev/null 2>&1 ||
			    { skip "apache2 not installed"; continue; } ;;
	nginx)		command -v nginx >/dev/null 2>&1 &&
			    command -v spawn-fcgi >/dev/null 2>&1 ||
			    { skip "nginx or spawn-fcgi not installed"; continue; } ;;
	esac
	if ! serve "$server"; then
		fail "$server serves the storage"
		continue
	fi
	served "$server"
	stop_bg "$SERVE_PID"
done

# Every request through the responder (contrib/serve --every-request, as
# with [access] rules): /vulndb/ is answered by ep_vulndb.c, with the same
# files and the same findings.
if serve lighttpd-every --every-request; then
	same=0 n=0
	for f in index/db.json index/modules.json ID/GO-2099-0001.json; do
		for x in "" .gz; do
			n=$((n + 1))
			curl -s -f -o "$TRASH/got" "$URL/vulndb/$f$x" &&
			    cmp -s "$TRASH/got" "$DB/$f$x" && same=$((same + 1))
		done
	done
	is "$same" "$n" "[every] the v1 files the responder sends are the upstream's"
	r0=$(grep -c '/vulndb/' "$RLOG")
	govulncheck "$URL/vulndb" piraeus.every
	is "$?" 0 "[every] govulncheck through the responder exits 0" ||
	    diag_file "$TRASH/piraeus.every.err"
	is "$(norm "$TRASH/piraeus.every.json")" "$(norm "$TRASH/direct.json")" \
	    "[every] govulncheck reports the same findings"
	is "$(($(grep -c '/vulndb/' "$RLOG") - r0))" 3 \
	    "[every] its 3 requests were answered by the responder"
	stop_bg "$SERVE_PID"
else
	fail "lighttpd --every-request serves the storage"
fi

done_testing

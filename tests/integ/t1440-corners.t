#!/bin/sh
# t1440-corners.t: four corners of the protocol where piraeus must do what
# the go command does, each through a real lighttpd with the real go
# command as client, from empty storage.
#
# 1. @latest from an upstream without @latest (a file:// tree): computed
#    from its list as the go command would; "go list -m M@latest" through
#    piraeus equals it against the tree itself, for every fixture module
#    and the corners made here (+incompatible above a go.mod and above
#    none, pre-releases only, a newest pseudo-version that retracts
#    itself); from storage too (network_mode offline).
# 2. .info queries that are not canonical versions of the path
#    ("v2.1.0" of a path without /v2, a branch, a commit) are forwarded
#    and answered as upstream answered them; the go command through a
#    piraeus whose upstream is another piraeus going direct (git) gets
#    what GOPROXY=direct gives.  Upstream's bytes are passed on and cached;
#    hostile queries are refused and never reach upstream; a query with
#    "#" or "%" reaches it percent-encoded.
# 3. Unreachable upstream: @latest and @v/list name the upstream and say
#    it is unreachable, under network_mode strict (502) and fallback (404);
#    the go command prints it.
# 4. A checksum database named with "/" (localhost.localdev/sumdb) next
#    to one named by its prefix (localhost.localdev): each is found through
#    the proxy (longest name wins), the go command verifies through it.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/lib/fixtures.sh"
. "$top_srcdir/tests/lib/upstream.sh"
. "$top_srcdir/tests/lib/sumdb.sh"
need go git curl lighttpd

unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY GOFLAGS GONOSUMDB GONOPROXY GOINSECURE GOVCS \
    GOPATH GOMODCACHE GOCACHE GIT_CONFIG_GLOBAL GIT_SSH GIT_SSH_COMMAND \
    GIT_ALLOW_PROTOCOL
HOME=$TRASH/home
GOENV=off
GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME" "$TRASH/empty"
export HOME GOENV GIT_CONFIG_NOSYSTEM

FX=$TRASH/fx
REF=$FX/modcache/cache/download
make_fixtures "$FX" >"$TRASH/fixtures.log" 2>&1 ||
    { diag_file "$TRASH/fixtures.log"; bail_out "fixtures"; }

# More modules, only here (the go command's latest rule, each corner):
#  gomodinc     a go.mod at v1.0.0, none at the tag v2.0.0: v2.0.0+incompatible
#               exists, but the go command never calls it latest
#               (filterVersions, golang.org/issue/34165);
#  nomodinc     no go.mod at v1.0.0 nor at v2.0.0: v2.0.0+incompatible is
#               latest;
#  prerel       only pre-release tags;
#  pseudoretr   no tag, two commits, the newer one's go.mod retracts it: the
#               go command takes the newest pseudo-version and refuses it,
#               it never falls back to the older one.
GI=github.com/fixture/gomodinc
PR=github.com/fixture/pseudoretr
(
	fixture_git_env "$FX"
	set -e
	# mod NAME: a new repository for github.com/fixture/NAME in $r.
	mod()
	{
		r=$FX/git/fixture/$1
		_fx_init "$r"
	}
	mod gomodinc
	_fx_gomod "$GI" | _fx_write "$r/go.mod"
	_fx_pkg gomodinc v1.0.0 | _fx_write "$r/gomodinc.go"
	_fx_commit "$r" 20 "gomodinc v1.0.0" v1.0.0
	git -C "$r" rm -q go.mod
	_fx_pkg gomodinc v2.0.0 | _fx_write "$r/gomodinc.go"
	_fx_commit "$r" 21 "gomodinc v2.0.0" v2.0.0
	mod nomodinc
	_fx_pkg nomodinc v1.0.0 | _fx_write "$r/nomodinc.go"
	_fx_commit "$r" 22 "nomodinc v1.0.0" v1.0.0
	_fx_pkg nomodinc v2.0.0 | _fx_write "$r/nomodinc.go"
	_fx_commit "$r" 23 "nomodinc v2.0.0" v2.0.0
	mod prerel
	_fx_gomod github.com/fixture/prerel | _fx_write "$r/go.mod"
	_fx_pkg prerel v1.0.0-rc.1 | _fx_write "$r/prerel.go"
	_fx_commit "$r" 24 "prerel v1.0.0-rc.1" v1.0.0-rc.1
	_fx_pkg prerel v1.1.0-beta.1 | _fx_write "$r/prerel.go"
	_fx_commit "$r" 25 "prerel v1.1.0-beta.1" v1.1.0-beta.1
	mod pseudoretr
	_fx_gomod "$PR" | _fx_write "$r/go.mod"
	_fx_pkg pseudoretr old | _fx_write "$r/pseudoretr.go"
	_fx_commit "$r" 26 "pseudoretr old"
	old=$(_fx_head "$r")
	{
		_fx_gomod "$PR"
		printf '\nretract [v0.0.0-20230327000000-000000000000, v0.0.0-20230328000000-000000000000]\n'
	} | _fx_write "$r/go.mod"
	_fx_pkg pseudoretr new | _fx_write "$r/pseudoretr.go"
	_fx_commit "$r" 27 "pseudoretr new, retracting itself"
	new=$(_fx_head "$r")
	go_env_common
	GOPROXY=direct GOPATH=$FX/gopath GOMODCACHE=$FX/modcache
	export GOPROXY GOPATH GOMODCACHE
	cd "$FX/empty"
	"$GO" mod download -json "$GI@v1.0.0" "$GI@v2.0.0+incompatible" \
	    github.com/fixture/nomodinc@v1.0.0 \
	    github.com/fixture/nomodinc@v2.0.0+incompatible \
	    github.com/fixture/prerel@v1.0.0-rc.1 \
	    github.com/fixture/prerel@v1.1.0-beta.1 \
	    "$PR@$old" "$PR@$new"
) >"$TRASH/more.log" 2>&1 || { diag_file "$TRASH/more.log"; bail_out "more fixtures"; }
printf '%s\n' "$GI" github.com/fixture/nomodinc github.com/fixture/prerel \
    >>"$FX/modules"
pass "fixtures made offline"

# gocmd PROXY TAG CMD...: the go command of for_each_go ($GO, its build
# cache) against PROXY, a fresh module cache $TRASH/mc.TAG.$GOTAG, from an
# empty directory; stdout and stderr.  PROXY "direct" reads the fixture
# repositories.
gocmd()
{
	(
		_p=$1 _tag=$2
		shift 2
		go_env_proxy "$_p" "$TRASH/mc.$_tag.$GOTAG" || exit 1
		[ "$_p" = direct ] && fixture_git_env "$FX"
		cd "$TRASH/empty" && "$@"
	) 2>&1
}

# code URL: GET it; the status on stdout, the body in $TRASH/b.
code()
{
	curl -q -sg --max-time 120 -o "$TRASH/b" -w '%{http_code}' "$1"
}

# ini NAME UPSTREAM MODE [EXTRA LINE...]: $TRASH/NAME.ini for storage
# $TRASH/NAME.s, state $TRASH/NAME.t.
ini()
{
	_n=$1 _u=$2 _m=$3
	shift 3
	mkdir -p "$TRASH/$_n.s" "$TRASH/$_n.t"
	{
		printf '[storage]\nroot = %s\n[state]\ndir = %s\n' \
		    "$TRASH/$_n.s" "$TRASH/$_n.t"
		printf '[upstream]\ngoproxy = %s\nnetwork_mode = %s\n' "$_u" "$_m"
		printf 'retries = 0\nnotfound_ttl = 0\nlist_ttl = 600\n'
		printf 'timeout = 120\nwait_timeout = 120\n'
		for _l in "$@"; do
			printf '%s\n' "$_l"
		done
	} >"$TRASH/$_n.ini"
}

# up NAME [VAR=VALUE...]: serve NAME.ini; sets URL.
up()
{
	_n=$1
	shift
	serve_lighttpd "$TRASH/$_n.serve.log" "$TRASH/$_n.s" "$TRASH/$_n.t" \
	    "$TRASH/$_n.ini" "$@"
	pass "piraeus ($_n) on $URL"
}

# version_of FILE: the Version field of a .info body.
version_of()
{
	sed -n 's/.*"Version": *"\([^"]*\)".*/\1/p' "$1"
}

NOSUMDB='[sumdb]
verify = no'

# --- 1. @latest from an upstream without @latest ---------------------------
ini file "file://$REF" strict "$NOSUMDB"
up file
FILE_URL=$URL
# latest_same MODULE: go list -m MODULE@latest through piraeus equals the
# answer against the tree, for the go command of for_each_go.
latest_same()
{
	r=$(gocmd "file://$REF" ref "$GO" list -m -f '{{.Version}}' "$1@latest")
	p=$(gocmd "$FILE_URL" prx "$GO" list -m -f '{{.Version}}' "$1@latest")
	is "$p" "$r" "[$GOTAG] file:// upstream: go list -m $1@latest: $r"
}
while read -r m; do
	for_each_go latest_same "$m"
	r=$(gocmd "file://$REF" ref "$GO" list -m -f '{{.Version}}' "$m@latest")
	# What the proxy itself answers is the go command's pick.
	c=$(code "$FILE_URL/$(echo "$m" | sed 's/[A-Z]/!&/g' |
	    tr '[:upper:]' '[:lower:]')/@latest")
	is "$c $(version_of "$TRASH/b")" "200 $r" "GET $m/@latest: $r"
done <"$FX/modules"
is "$(gocmd "file://$REF" ref "$GO" list -m -f '{{.Version}}' "$GI@latest")" \
    v1.0.0 "the go command: $GI@latest is v1.0.0, not v2.0.0+incompatible"
is "$(code "$FILE_URL/github.com/fixture/incompat/@latest") $(version_of "$TRASH/b")" \
    "200 v3.0.0+incompatible" "no compatible version: +incompatible is latest"
is "$(gocmd "file://$REF" ref "$GO" list -m -f '{{.Version}}' \
    github.com/fixture/nomodinc@latest)" v2.0.0+incompatible \
    "the go command: nomodinc@latest is v2.0.0+incompatible (no go.mod below)"
is "$(gocmd "file://$REF" ref "$GO" list -m -f '{{.Version}}' \
    github.com/fixture/prerel@latest)" v1.1.0-beta.1 \
    "the go command: prerel@latest is the highest pre-release"
# The newest pseudo-version retracts itself: the go command fails against
# the tree and through piraeus alike; piraeus' @latest is that
# pseudo-version (what the go command's fallback takes), not an older one.
PRNEW=$(sed -n 's/^\(v0\.0\.0-20230327120000-[0-9a-f]*\)$/\1/p' \
    "$REF/$PR/@v/list")
like "$PRNEW" '^v0\.0\.0-20230327120000-' "pseudoretr: the newest pseudo-version"
pseudoretr_same()
{
	r=$(gocmd "file://$REF" ref "$GO" list -m -f '{{.Version}}' "$PR@latest")
	like "$r" 'no matching versions for query "latest"' \
	    "[$GOTAG] the go command against the tree: no version of pseudoretr"
	p=$(gocmd "$FILE_URL" prx "$GO" list -m -f '{{.Version}}' "$PR@latest")
	is "$p" "$r" "[$GOTAG] through piraeus: the same"
}
for_each_go pseudoretr_same
is "$(code "$FILE_URL/$PR/@latest") $(version_of "$TRASH/b")" "200 $PRNEW" \
    "GET pseudoretr/@latest: the newest pseudo-version"

# From storage (network_mode offline): the same rule.
mkdir -p "$TRASH/off.s"
cp -R "$REF/." "$TRASH/off.s/"
ini off off offline "$NOSUMDB"
PIRAEUS_CONFIG=$TRASH/off.ini "$PIRAEUS" reindex >"$TRASH/reindex.log" 2>&1 ||
    diag_file "$TRASH/reindex.log"
up off
is "$(code "$URL/$GI/@latest") $(version_of "$TRASH/b")" "200 v1.0.0" \
    "from storage: $GI@latest is v1.0.0 (go.mod below the +incompatible)"
is "$(code "$URL/github.com/fixture/allretract/@latest") $(version_of "$TRASH/b")" \
    "200 $(cat "$FX/pseudo.allretract")" "from storage: allretract@latest"
is "$(code "$URL/$PR/@latest") $(version_of "$TRASH/b")" "200 $PRNEW" \
    "from storage: pseudoretr@latest is the newest pseudo-version"
stop_bg "$SERVE_PID"

# --- 2. .info queries -------------------------------------------------------
# A piraeus going direct (git), and a piraeus whose upstream it is.
GOPRIVATE=github.com/fixture,github.com/Fixture
export GOPRIVATE
ini dir direct strict "$NOSUMDB" '[direct]' "gitconfig = $FX/gitconfig" \
    'timeout = 120' 'workers = 2'
# Its go needs GOPRIVATE (no checksum database for the fixtures); the
# chained piraeus must not have it: to a responder GOPRIVATE means
# "never ask a proxy", and its upstream is the first piraeus.
up dir "GOPRIVATE=$GOPRIVATE"
DIR_URL=$URL
ini chain "$DIR_URL" strict "$NOSUMDB"
up chain
CHAIN_URL=$URL

PSEUDO=$(cat "$FX/pseudo.multi")
HASH=${PSEUDO##*-}
# queries_same: each query, direct and through piraeus, answers the same.
queries_same()
{
	for q in github.com/fixture/incompat@v2.1.0 \
	    github.com/fixture/incompat@v3.0.0 \
	    github.com/fixture/multi@main \
	    "github.com/fixture/multi@$HASH" \
	    github.com/fixture/multi@v1.2; do
		r=$(gocmd direct ref "$GO" list -m -f '{{.Version}} {{.Time}}' "$q")
		p=$(gocmd "$CHAIN_URL" prx "$GO" list -m \
		    -f '{{.Version}} {{.Time}}' "$q")
		like "$r" '^v' "[$GOTAG] direct: go list -m $q: $r"
		is "$p" "$r" "[$GOTAG] through piraeus: go list -m $q"
	done
}
for_each_go queries_same
is "$(code "$DIR_URL/github.com/fixture/incompat/@v/v2.1.0.info")" 200 \
    "direct: GET incompat/@v/v2.1.0.info: 200"
cp "$TRASH/b" "$TRASH/q.dir"
is "$(version_of "$TRASH/q.dir")" v2.1.0+incompatible \
    "resolved to v2.1.0+incompatible"
is "$(code "$CHAIN_URL/github.com/fixture/incompat/@v/v2.1.0.info")" 200 \
    "proxy upstream: GET incompat/@v/v2.1.0.info: 200"
is_file "$TRASH/b" "$TRASH/q.dir" "the bytes upstream answered"

# go get in a module, both ways: the same go.mod.
get_same()
{
	for w in ref prx; do
		rm -rf "$TRASH/get.$w"
		mkdir -p "$TRASH/get.$w"
		printf 'module example.com/get\n\ngo 1.16\n' >"$TRASH/get.$w/go.mod"
		if [ $w = ref ]; then p=direct; else p=$CHAIN_URL; fi
		gocmd "$p" "get$w" sh -c "cd '$TRASH/get.$w' && '$GO' get \
		    github.com/fixture/incompat@v2.1.0" >"$TRASH/get.$w.log"
		ok $? "[$GOTAG] go get github.com/fixture/incompat@v2.1.0 ($w)" ||
		    diag_file "$TRASH/get.$w.log"
	done
	is_file "$TRASH/get.prx/go.mod" "$TRASH/get.ref/go.mod" \
	    "[$GOTAG] go get: same go.mod"
}
for_each_go get_same
stop_bg "$SERVE_PID"

# Upstream's bytes, cached; hostile queries never forwarded.
upstream_build || bail_out "cannot build the fake upstream"
upstream_start "$REF" || bail_out "cannot start the fake upstream"
ini fake "$UPSTREAM_URL" strict "$NOSUMDB"
up fake
QI=/github.com/fixture/incompat/@v/v2.1.0.info
BODY='{"Version":"v2.1.0+incompatible","Time":"2023-03-10T12:00:00Z","Origin":{"VCS":"git","Ref":"refs/tags/v2.1.0"}}'
upstream_fault "$QI" status code=200 "body=$BODY" >/dev/null ||
    bail_out "upstream_fault"
is "$(code "$URL$QI")" 200 "GET $QI from a proxy upstream: 200"
is "$(cat "$TRASH/b")" "$BODY" "upstream's .info, byte for byte"
code "$URL$QI" >/dev/null
is "$(upstream_count "$QI")" 1 "the answer is cached (one upstream request)"
nok "the query's answer is not stored as a version" \
    test -e "$TRASH/fake.s/github.com/fixture/incompat/@v/v2.1.0.info"
upstream_fault "/github.com/fixture/multi/@v/v9.info" status code=200 \
    'body={"Version":"v2.0.0","Time":"2023-03-10T12:00:00Z"}' >/dev/null
is "$(code "$URL/github.com/fixture/multi/@v/v9.info")" 502 \
    "an upstream answer naming a version invalid for the path: 502"
# What the go command's json.Unmarshal refuses is refused here too:
# trailing bytes, a Time that is no RFC 3339 string, no object at all,
# and the JSON json-c alone would take (a trailing comma, single quotes,
# NaN, a raw tab in a string).
for qb in 'v8|{"Version":"v1.2.0","Time":"2023-03-10T12:00:00Z"}junk' \
    'v7|{"Version":"v1.2.0","Time":"yesterday"}' \
    'v6|{"Version":"v1.2.0","Time":5}' 'v5|["v1.2.0"]' \
    'v4|{"Version":"v1.2.0","Time":"2023-03-10T12:00:00Z",}' \
    "v3|{'Version':'v1.2.0','Time':'2023-03-10T12:00:00Z'}" \
    'v2|{"Version":"v1.2.0","Time":"2023-03-10T12:00:00Z","X":NaN}' \
    "v1|{\"Version\":\"v1.2.0\",\"Time\":\"2023-03-10T12:00:00Z\",\"X\":\"a$(printf '\t')b\"}"; do
	q=${qb%%|*}
	upstream_fault "/github.com/fixture/multi/@v/$q.info" status code=200 \
	    "body=${qb#*|}" >/dev/null || bail_out "upstream_fault"
	is "$(code "$URL/github.com/fixture/multi/@v/$q.info")" 502 \
	    "an upstream answer that is no .info (${qb#*|}): 502"
done
# Nesting: json.Unmarshal reads 10000 containers one in another (its
# scanner's maxNestingDepth), not one more: the object and 9999 arrays in
# it are a .info, 10000 arrays in it are not.  The go command, reading
# the same .info from a file:// tree, is the judge.
# deep_info N VERSION: a .info whose field X holds N arrays one in another
deep_info()
{
	printf '{"Version":"%s","Time":"2023-03-10T12:00:00Z","X":%s}' "$2" \
	    "$(awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "[";
	    for (i = 0; i < n; i++) printf "]" }')"
}
# go_reads_deep N: the go command of for_each_go lists example.com/deep
# whose .info is deep_info N.
go_reads_deep()
{
	_d=$TRASH/deep.$1/example.com/deep/@v
	mkdir -p "$_d" && deep_info "$1" v1.0.0 >"$_d/v1.0.0.info" &&
	    printf 'module example.com/deep\n' >"$_d/v1.0.0.mod" &&
	    printf 'v1.0.0\n' >"$_d/list" || return 2
	gocmd "file://$TRASH/deep.$1" "deep$1" \
	    "$GO" list -m -json example.com/deep@v1.0.0 >"$TRASH/deep.$1.log"
}
deep_same()
{
	for qn in v10:9999 v11:10000; do
		if go_reads_deep "${qn#*:}"; then want=200; else want=502; fi
		is "$(code "$URL/github.com/fixture/multi/@v/${qn%:*}.info")" \
		    "$want" "a .info with ${qn#*:} arrays nested in it: $want, as the go command reads it [$GOTAG]"
	done
	grep -q 'exceeded max depth' "$TRASH/deep.10000.log"
	ok $? "and the go command refuses 10000 for their depth [$GOTAG]"
}
for qn in v10:9999 v11:10000; do
	upstream_fault "/github.com/fixture/multi/@v/${qn%:*}.info" status \
	    code=200 "body=$(deep_info "${qn#*:}" v1.2.0)" >/dev/null ||
	    bail_out "upstream_fault"
done
for_each_go deep_same

n=$(upstream_count '*')
for h in 'a%2fb' '..' '%2e%2e' 'a%01b' 'a%0ab' \
    "$(printf 'v%0300d' 1)" 'a/b'; do
	c=$(code "$URL/github.com/fixture/multi/@v/$h.info")
	like "$c" '^4[0-9][0-9]$' "hostile query '$(printf %.20s "$h")': $c"
done
is "$(upstream_count '*')" "$n" "none of them reached upstream"
code "$URL/github.com/fixture/multi/@v/a%23b%25c%20d.info" >/dev/null
is "$(upstream_count '/github.com/fixture/multi/@v/a#b%c d.info')" 1 \
    "'#', '%' and ' ' reach upstream percent-encoded"
stop_bg "$SERVE_PID"

# --- 3. unreachable upstream --------------------------------------------------
DEAD=$(free_port) || bail_out "no free port"
# dead_said MODE: the go command prints why (the unreachable upstream).
dead_said()
{
	o=$(gocmd "$URL" "dead$1" "$GO" list -m rsc.io/quote@latest)
	like "$o" "unreachable.*127\\.0\\.0\\.1:$DEAD" \
	    "[$GOTAG] $1: the go command prints why"
}
for mode in strict fallback; do
	ini "dead$mode" "http://127.0.0.1:$DEAD" "$mode" "$NOSUMDB"
	up "dead$mode"
	if [ $mode = strict ]; then want=502; else want=404; fi
	for p in @latest @v/list; do
		is "$(code "$URL/rsc.io/quote/$p")" "$want" "$mode: $p: $want"
		like "$(cat "$TRASH/b")" "unreachable.*127\\.0\\.0\\.1:$DEAD" \
		    "$mode: $p: the body names the unreachable upstream"
	done
	for_each_go dead_said "$mode"
	stop_bg "$SERVE_PID"
done

# --- 4. checksum database names with "/" ------------------------------------
sumdb_build || bail_out "cannot build the test checksum database"
sumdb_start "$REF" -name localhost.localdev/sumdb || bail_out "sumdb 1"
K1=$SUMDB_VKEY U1=$SUMDB_URL L1=$SUMDB_LOG
sumdb_start "$REF" -name localhost.localdev || bail_out "sumdb 2"
K2=$SUMDB_VKEY U2=$SUMDB_URL L2=$SUMDB_LOG
like "$K1" '^localhost\.localdev/sumdb\+' "a key named localhost.localdev/sumdb"
ini sum "$UPSTREAM_URL" strict '[sumdb]' "databases = $K1 $U1" \
    "databases = $K2 $U2"
up sum
is "$(code "$URL/sumdb/localhost.localdev/sumdb/supported")" 200 \
    "supported: the database named with /"
is "$(code "$URL/sumdb/localhost.localdev/supported")" 200 \
    "supported: the one named by its prefix"
is "$(code "$URL/sumdb/localhost.localdev/sumdb/latest")" 200 "latest (1)"
like "$(cat "$TRASH/b")" '— localhost\.localdev/sumdb ' \
    "signed by localhost.localdev/sumdb: the longest name won"
is "$(code "$URL/sumdb/localhost.localdev/latest")" 200 "latest (2)"
like "$(cat "$TRASH/b")" '— localhost\.localdev ' "signed by localhost.localdev"
is "$(code "$URL/sumdb/localhost/latest")" 404 "an unknown name: 404"
M=github.com/fixture/multi@v1.1.0
# sum_verified K: the go command verifies $M with database K's key only.
sum_verified()
{
	eval "key=\$K$1 log=\$L$1"
	o=$(gocmd "$URL" "sum$1" env GOSUMDB="$key" GONOSUMDB= GOPRIVATE= \
	    "$GO" mod download -json "$M")
	like "$o" '"GoModSum": "h1:' \
	    "[$GOTAG] GOSUMDB=${key%%+*}: go mod download verifies" || diag "$o"
	ok "[$GOTAG] the go command verified through the proxy" test -s \
	    "$TRASH/mc.sum$1.$GOTAG/cache/download/sumdb/${key%%+*}/latest" \
	    -o -s "$TRASH/mc.sum$1.$GOTAG/gopath/pkg/sumdb/${key%%+*}/latest"
	like "$(cat "$log")" "/lookup/github.com/fixture/multi@v1.1.0 200" \
	    "[$GOTAG] database ${key%%+*} answered the lookup"
}
for k in 1 2; do
	for_each_go sum_verified "$k"
done
stop_bg "$SERVE_PID"

done_testing

# tests/lib/fixtures.sh: offline Go module fixtures for the integration tests.
#
# Sourced (POSIX sh) after testlib.sh.  make_fixtures DIR builds, with no
# network at all:
#
#   DIR/git/<owner>/<repo>   local git repositories standing in for
#                            https://github.com/<owner>/<repo>
#   DIR/gitconfig            a GIT_CONFIG_GLOBAL rewriting https://github.com/
#                            to file://DIR/git/
#   DIR/modcache             a Go module cache filled by the real go command
#                            (GOPROXY=direct): DIR/modcache/cache/download is
#                            the reference tree, usable as GOPROXY=file://...
#   DIR/app                  a small program requiring several fixtures, with
#                            an empty go.sum
#   DIR/versions             "module version" lines: every version downloaded
#   DIR/modules              every module path, one a line
#   DIR/pseudo.multi, DIR/pseudo.notags.old, DIR/pseudo.notags,
#   DIR/pseudo.allretract    the pseudo-versions the go command computed
#
# fixture_build_app DIR NAME PROXY [VAR=VALUE...] builds DIR/app with the
# real go command against a proxy (see its comment).
#
# The modules (all under github.com/, 21 versions):
#   fixture/multi       v1.0.0 v1.1.0 v1.2.0 v1.3.0-rc.1 and the pseudo-version
#                       v1.3.0-rc.1.0.20230305120000-<hash> (untagged commit)
#   Fixture/Upper       v1.0.0 v1.0.1 (stored as !fixture/!upper)
#   fixture/major       v1.0.0;  fixture/major/v2  v2.0.0 (requires multi v1.1.0)
#   fixture/incompat    v2.1.0+incompatible v3.0.0+incompatible (no go.mod)
#   fixture/nomod       v1.0.0 (no go.mod: synthetic one)
#   fixture/retract     v1.0.0, v1.1.0 (whose go.mod retracts v1.0.0)
#   fixture/mono        v1.0.0;  fixture/mono/sub  v1.0.0 (tag sub/v1.0.0)
#   fixture/notags      two pseudo-versions v0.0.0-2023031[67]120000-<hash>
#   fixture/allretract  v1.0.0 v1.0.1 (v1.0.1 retracts both) and the
#                       pseudo-version the go command gives for latest
#
# Every commit has a fixed author, committer and date, so the pseudo-versions,
# zips and hashes are the same on every run.  go_env_proxy sets the
# environment for a go command run against the reference tree
# (file://DIR/modcache/cache/download) or a proxy, with a fresh module cache.

# Every commit is made on a day of this month, at noon UTC.
FIXTURE_EPOCH_DAY=2023-03-

# Run git in fixture repository $1 with fixed identity and date $2 (day of
# month, two digits), then the remaining arguments.
_fx_git()
{
	_fx_repo=$1; _fx_day=$2; shift 2
	GIT_AUTHOR_NAME='Fixture Author' GIT_AUTHOR_EMAIL=author@fixture.invalid \
	GIT_COMMITTER_NAME='Fixture Committer' \
	GIT_COMMITTER_EMAIL=committer@fixture.invalid \
	GIT_AUTHOR_DATE="${FIXTURE_EPOCH_DAY}${_fx_day}T12:00:00Z" \
	GIT_COMMITTER_DATE="${FIXTURE_EPOCH_DAY}${_fx_day}T12:00:00Z" \
	    git -C "$_fx_repo" "$@"
}

# _fx_write FILE: write stdin to FILE, creating its directory.
_fx_write()
{
	mkdir -p "$(dirname "$1")" && cat >"$1"
}

# _fx_commit REPO DAY MESSAGE [TAG...]: commit everything, tag the commit.
_fx_commit()
{
	_fx_r=$1; _fx_d=$2; _fx_m=$3; shift 3
	_fx_git "$_fx_r" "$_fx_d" add -A || return 1
	_fx_git "$_fx_r" "$_fx_d" commit -q -m "$_fx_m" || return 1
	for _fx_t in "$@"; do
		_fx_git "$_fx_r" "$_fx_d" tag "$_fx_t" || return 1
	done
}

# _fx_init REPO: a new repository on branch main.
_fx_init()
{
	mkdir -p "$1" && git init -q -b main "$1"
}

# _fx_gomod PATH [GO]: a go.mod body.
_fx_gomod()
{
	printf 'module %s\n\ngo %s\n' "$1" "${2:-1.16}"
}

# _fx_pkg NAME WHAT: a Go file of package NAME whose What() returns WHAT.
_fx_pkg()
{
	printf '// Package %s is a piraeus test fixture.\npackage %s\n\n' "$1" "$1"
	printf '// What says which fixture version this is.\n'
	printf 'func What() string { return "%s" }\n' "$2"
}

# _fx_head REPO: the full commit hash of HEAD.
_fx_head()
{
	git -C "$1" rev-parse HEAD
}

# fixture_git_env DIR: the git environment that maps github.com to DIR/git.
fixture_git_env()
{
	GIT_CONFIG_GLOBAL=$1/gitconfig
	GIT_CONFIG_NOSYSTEM=1
	GIT_TERMINAL_PROMPT=0
	GIT_ALLOW_PROTOCOL=file:https
	export GIT_CONFIG_GLOBAL GIT_CONFIG_NOSYSTEM GIT_TERMINAL_PROMPT \
	    GIT_ALLOW_PROTOCOL
}

# go_env_proxy PROXY MODCACHE: go against PROXY (a file:// or http:// URL)
# with module cache MODCACHE (made empty), never git.
go_env_proxy()
{
	go_env_common
	chmod -R u+w "$2" 2>/dev/null
	rm -rf "$2" && mkdir -p "$2" || return 1
	GOPROXY=$1
	GOPATH=$2/gopath
	GOMODCACHE=$2
	GIT_CONFIG_GLOBAL=/dev/null
	GIT_ALLOW_PROTOCOL=none
	export GOPROXY GOPATH GOMODCACHE GIT_CONFIG_GLOBAL GIT_ALLOW_PROTOCOL
}

# fixture_build_app DIR NAME PROXY [VAR=VALUE...]: $GO build of a fresh copy
# of DIR/app as $TRASH/app.NAME against PROXY (module cache $TRASH/mc.NAME,
# the build cache of go_env_common), with the variables given on top; the
# app is run into app.out; the output of both in $TRASH/build.NAME.log.
fixture_build_app()
{
	_fb_fx=$1 _fb_n=$2 _fb_p=$3
	shift 3
	rm -rf "$TRASH/app.$_fb_n"
	cp -R "$_fb_fx/app" "$TRASH/app.$_fb_n"
	(
		cd "$TRASH/app.$_fb_n" || exit 1
		go_env_proxy "$_fb_p" "$TRASH/mc.$_fb_n" || exit 1
		GOFLAGS='-mod=mod -modcacherw'
		export GOFLAGS
		for _fb_v in "$@"; do
			export "$_fb_v"
		done
		"$GO" build -o app.bin . && ./app.bin >app.out
	) >"$TRASH/build.$_fb_n.log" 2>&1
}

# make_fixtures DIR: build everything described at the top into DIR (which
# should not exist or be empty), with $GO (1.19 and 1.26 make the same
# reference tree, but for the order of the Origin fields in .info files:
# t1000 checks).  Returns non-zero, with the go command's
# output on stderr, when anything fails.
make_fixtures()
{
	_fx=$1
	need_gos
	mkdir -p "$_fx/git" || return 1
	_fx=$(cd "$_fx" && pwd) || return 1
	cat >"$_fx/gitconfig" <<EOF || return 1
[url "file://$_fx/git/"]
	insteadOf = https://github.com/
[protocol "file"]
	allow = always
[init]
	defaultBranch = main
[advice]
	detachedHead = false
[safe]
	directory = *
EOF
	(
	fixture_git_env "$_fx"
	set -e
	g=$_fx/git

	# multi: several releases, a pre-release, and an untagged commit
	# after it (a pseudo-version v1.3.0-rc.1.0.<date>-<hash>).
	r=$g/fixture/multi
	_fx_init "$r"
	_fx_gomod github.com/fixture/multi | _fx_write "$r/go.mod"
	_fx_pkg multi v1.0.0 | _fx_write "$r/multi.go"
	_fx_commit "$r" 01 "multi v1.0.0" v1.0.0
	_fx_pkg multi v1.1.0 | _fx_write "$r/multi.go"
	printf 'multi fixture\n' | _fx_write "$r/README"
	_fx_commit "$r" 02 "multi v1.1.0" v1.1.0
	_fx_pkg multi v1.2.0 | _fx_write "$r/multi.go"
	_fx_pkg util v1.2.0 | _fx_write "$r/util/util.go"
	_fx_commit "$r" 03 "multi v1.2.0" v1.2.0
	_fx_pkg multi v1.3.0-rc.1 | _fx_write "$r/multi.go"
	_fx_commit "$r" 04 "multi v1.3.0-rc.1" v1.3.0-rc.1
	_fx_pkg multi untagged | _fx_write "$r/multi.go"
	_fx_commit "$r" 05 "multi untagged"
	multi_pseudo=$(_fx_head "$r" | cut -c1-12)

	# Upper: a module path with capitals (escaped as !fixture/upper).
	r=$g/Fixture/Upper
	_fx_init "$r"
	_fx_gomod github.com/Fixture/Upper | _fx_write "$r/go.mod"
	_fx_pkg upper v1.0.0 | _fx_write "$r/upper.go"
	_fx_commit "$r" 06 "Upper v1.0.0" v1.0.0
	_fx_pkg upper v1.0.1 | _fx_write "$r/upper.go"
	_fx_commit "$r" 07 "Upper v1.0.1" v1.0.1

	# major: v1.0.0, then v2.0.0 as module .../v2 (major branch at the
	# root) which requires an older multi.
	r=$g/fixture/major
	_fx_init "$r"
	_fx_gomod github.com/fixture/major | _fx_write "$r/go.mod"
	_fx_pkg major v1.0.0 | _fx_write "$r/major.go"
	_fx_commit "$r" 08 "major v1.0.0" v1.0.0
	{
		_fx_gomod github.com/fixture/major/v2
		printf '\nrequire github.com/fixture/multi v1.1.0\n'
	} | _fx_write "$r/go.mod"
	_fx_pkg major v2.0.0 | _fx_write "$r/major.go"
	_fx_commit "$r" 09 "major v2.0.0" v2.0.0

	# incompat: no go.mod anywhere, tags v2.1.0 and v3.0.0, so
	# v2.1.0+incompatible and v3.0.0+incompatible.
	r=$g/fixture/incompat
	_fx_init "$r"
	_fx_pkg incompat v2.1.0 | _fx_write "$r/incompat.go"
	_fx_commit "$r" 10 "incompat v2.1.0" v2.1.0
	_fx_pkg incompat v3.0.0 | _fx_write "$r/incompat.go"
	_fx_commit "$r" 11 "incompat v3.0.0" v3.0.0

	# nomod: a v1 module without go.mod (synthetic go.mod).
	r=$g/fixture/nomod
	_fx_init "$r"
	_fx_pkg nomod v1.0.0 | _fx_write "$r/nomod.go"
	_fx_commit "$r" 12 "nomod v1.0.0" v1.0.0

	# retract: v1.1.0's go.mod retracts v1.0.0.
	r=$g/fixture/retract
	_fx_init "$r"
	_fx_gomod github.com/fixture/retract | _fx_write "$r/go.mod"
	_fx_pkg retract v1.0.0 | _fx_write "$r/retract.go"
	_fx_commit "$r" 13 "retract v1.0.0" v1.0.0
	{
		_fx_gomod github.com/fixture/retract
		printf '\n// v1.0.0 was tagged by mistake.\nretract v1.0.0\n'
	} | _fx_write "$r/go.mod"
	_fx_pkg retract v1.1.0 | _fx_write "$r/retract.go"
	_fx_commit "$r" 14 "retract v1.1.0" v1.1.0

	# mono: a root module and a nested one in sub/ (tag sub/v1.0.0);
	# the root module's zip leaves sub/ out.
	r=$g/fixture/mono
	_fx_init "$r"
	_fx_gomod github.com/fixture/mono | _fx_write "$r/go.mod"
	_fx_pkg mono v1.0.0 | _fx_write "$r/mono.go"
	_fx_gomod github.com/fixture/mono/sub | _fx_write "$r/sub/go.mod"
	_fx_pkg sub sub/v1.0.0 | _fx_write "$r/sub/sub.go"
	_fx_commit "$r" 15 "mono v1.0.0 and sub/v1.0.0" v1.0.0 sub/v1.0.0

	# notags: no tag at all, two commits (two pseudo-versions).
	r=$g/fixture/notags
	_fx_init "$r"
	_fx_gomod github.com/fixture/notags | _fx_write "$r/go.mod"
	_fx_pkg notags first | _fx_write "$r/notags.go"
	_fx_commit "$r" 16 "notags first"
	notags_old=$(_fx_head "$r" | cut -c1-12)
	_fx_pkg notags second | _fx_write "$r/notags.go"
	_fx_commit "$r" 17 "notags second"
	notags_new=$(_fx_head "$r" | cut -c1-12)

	# allretract: v1.0.1's go.mod retracts [v1.0.0, v1.0.1], so every
	# tag is retracted and latest is a pseudo-version of the tip.
	r=$g/fixture/allretract
	_fx_init "$r"
	_fx_gomod github.com/fixture/allretract | _fx_write "$r/go.mod"
	_fx_pkg allretract v1.0.0 | _fx_write "$r/allretract.go"
	_fx_commit "$r" 18 "allretract v1.0.0" v1.0.0
	{
		_fx_gomod github.com/fixture/allretract
		printf '\nretract [v1.0.0, v1.0.1]\n'
	} | _fx_write "$r/go.mod"
	_fx_pkg allretract v1.0.1 | _fx_write "$r/allretract.go"
	_fx_commit "$r" 19 "allretract v1.0.1" v1.0.1

	# Resolve everything with the real go command, straight from git.
	go_env_common
	GOPROXY=direct GOPATH=$_fx/gopath GOMODCACHE=$_fx/modcache
	export GOPROXY GOPATH GOMODCACHE
	mkdir -p "$_fx/empty"
	cd "$_fx/empty"
	"$GO" mod download -json \
	    github.com/fixture/multi@v1.0.0 \
	    github.com/fixture/multi@v1.1.0 \
	    github.com/fixture/multi@v1.2.0 \
	    github.com/fixture/multi@v1.3.0-rc.1 \
	    "github.com/fixture/multi@$multi_pseudo" \
	    github.com/Fixture/Upper@v1.0.0 \
	    github.com/Fixture/Upper@v1.0.1 \
	    github.com/fixture/major@v1.0.0 \
	    github.com/fixture/major/v2@v2.0.0 \
	    github.com/fixture/incompat@v2.1.0+incompatible \
	    github.com/fixture/incompat@v3.0.0+incompatible \
	    github.com/fixture/nomod@v1.0.0 \
	    github.com/fixture/retract@v1.0.0 \
	    github.com/fixture/retract@v1.1.0 \
	    github.com/fixture/mono@v1.0.0 \
	    github.com/fixture/mono/sub@v1.0.0 \
	    "github.com/fixture/notags@$notags_old" \
	    "github.com/fixture/notags@$notags_new" \
	    github.com/fixture/allretract@v1.0.0 \
	    github.com/fixture/allretract@v1.0.1 \
	    >"$_fx/download.json"
	# What latest is when every tag is retracted (a pseudo-version).
	allretract=$("$GO" list -m -f '{{.Version}}' \
	    github.com/fixture/allretract@latest)
	"$GO" mod download -json "github.com/fixture/allretract@$allretract" \
	    >>"$_fx/download.json"
	if grep -q '"Error"' "$_fx/download.json"; then
		cat "$_fx/download.json" >&2
		exit 1
	fi
	# "module version" lines, from the go command's own answers.
	sed -n -e 's/^	"Path": "\(.*\)",$/\1/p' \
	    -e 's/^	"Version": "\(.*\)",$/\1/p' "$_fx/download.json" |
	    paste -d ' ' - - >"$_fx/versions"
	cut -d ' ' -f 1 "$_fx/versions" | uniq >"$_fx/modules"
	grep '^github.com/fixture/multi v1.3.0-rc.1.0.' "$_fx/versions" |
	    cut -d ' ' -f 2 >"$_fx/pseudo.multi"
	grep "^github.com/fixture/notags .*-$notags_old\$" "$_fx/versions" |
	    cut -d ' ' -f 2 >"$_fx/pseudo.notags.old"
	grep "^github.com/fixture/notags .*-$notags_new\$" "$_fx/versions" |
	    cut -d ' ' -f 2 >"$_fx/pseudo.notags"
	echo "$allretract" >"$_fx/pseudo.allretract"
	test "$(wc -l <"$_fx/versions")" -eq 21
	test -s "$_fx/pseudo.multi"
	test -s "$_fx/pseudo.notags.old"
	test -s "$_fx/pseudo.notags"

	# The app: requires most fixtures, imports a package from each.
	a=$_fx/app
	mkdir -p "$a"
	cat >"$a/go.mod" <<EOF
module example.com/app

go 1.16

require (
	github.com/Fixture/Upper v1.0.1
	github.com/fixture/incompat v3.0.0+incompatible
	github.com/fixture/major v1.0.0
	github.com/fixture/major/v2 v2.0.0
	github.com/fixture/mono v1.0.0
	github.com/fixture/mono/sub v1.0.0
	github.com/fixture/multi v1.2.0
	github.com/fixture/nomod v1.0.0
	github.com/fixture/notags $(cat "$_fx/pseudo.notags")
	github.com/fixture/retract v1.1.0
)
EOF
	: >"$a/go.sum"
	cat >"$a/main.go" <<'EOF'
// Command app prints the fixture versions it was built with.
package main

import (
	"fmt"

	upper "github.com/Fixture/Upper"
	"github.com/fixture/incompat"
	"github.com/fixture/major"
	majorv2 "github.com/fixture/major/v2"
	"github.com/fixture/mono"
	"github.com/fixture/mono/sub"
	"github.com/fixture/multi"
	"github.com/fixture/multi/util"
	"github.com/fixture/nomod"
	"github.com/fixture/notags"
	"github.com/fixture/retract"
)

func main() {
	fmt.Println(upper.What(), incompat.What(), major.What(),
		majorv2.What(), mono.What(), sub.What(), multi.What(),
		util.What(), nomod.What(), notags.What(), retract.What())
}
EOF
	)
}

# fixture_app_output: what the app prints when built from the fixtures.
fixture_app_output()
{
	echo "v1.0.1 v3.0.0 v1.0.0 v2.0.0 v1.0.0 sub/v1.0.0 v1.2.0 v1.2.0" \
	    "v1.0.0 second v1.1.0"
}

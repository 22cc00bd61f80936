# tests/lib/integ.sh: the body shared by the integration tests
# (tests/integ/t1000-lighttpd.t, t1100-apache.t).  Sourced after testlib.sh
# and fixtures.sh; integ_main SERVER runs everything for one front server
# ("lighttpd" or "apache"; "SERVER-every" for contrib/serve
# --every-request, and INTEG_EXTRA names a function to run while the
# server is up, after the go commands):
#
#   fixtures made offline -> storage = a copy of the reference tree
#   (DIR/modcache/cache/download) -> piraeus check-config, reindex, import
#   -> contrib/serve starts SERVER + piraeus.fcgi on 127.0.0.1 -> curl checks
#   of the HTTP contract -> each go command (for_each_go: Debian's 1.19 and
#   a current one) through the proxy and through GOPROXY=file://<reference>,
#   each run with a fresh module cache, must give the same answers
#   (download, list -versions, @latest, go build's go.sum, the same go.sum
#   for every go command) -> the server is stopped and leaves nothing
#   behind.
#
# INTEG_HOSTILE=1 (t1000) runs it all in go_env_hostile's environment and
# checks that every go command makes the same reference tree.

# _in_alive PID: the process (or, for -PID, a process of the group) lives.
_in_alive()
{
	kill -0 "$1" 2>/dev/null
}

# Milliseconds since the epoch (GNU date).
_in_ms()
{
	echo $(( $(date +%s%N) / 1000000 ))
}

# _in_go PROXY CMD...: run CMD (a "$GO" command line) in a subshell with a
# fresh module cache, against PROXY, from an empty directory; stdout+stderr.
_in_go()
{
	(
		_p=$1
		shift
		go_env_proxy "$_p" "$TRASH/mc" || exit 1
		cd "$TRASH/empty" && "$@"
	) 2>&1
}

# _in_ref / _in_prx CMD...: the same go command against the reference tree
# and against the proxy.
_in_ref()
{
	_in_go "file://$REF" "$@"
}

_in_prx()
{
	_in_go "$URL" "$@"
}

# The fields of go mod download -json that must be equal.
_in_dlfields()
{
	grep -E '^[[:space:]]*"(Path|Version|Sum|GoModSum|Error)":' |
	    sed 's/^[[:space:]]*//'
}

# _in_http METHOD PATH: request URL/PATH; sets CODE, writes the headers to
# $TRASH/h and the body to $TRASH/b.
_in_http()
{
	rm -f "$TRASH/h" "$TRASH/b"
	if [ "$1" = HEAD ]; then
		CODE=$(curl -q -sg --max-time 20 -I -o "$TRASH/h" \
		    -w '%{http_code}' "$URL$2")
		: >"$TRASH/b"
	else
		CODE=$(curl -q -sg --max-time 20 -X "$1" -D "$TRASH/h" \
		    -o "$TRASH/b" -w '%{http_code}' "$URL$2")
	fi
}

# _in_hdr NAME: the value of header NAME of the last _in_http (last one).
_in_hdr()
{
	tr -d '\r' <"$TRASH/h" | awk -v n="$1" '
	    index($0, ":") > 0 {
		k = tolower(substr($0, 1, index($0, ":") - 1))
		if (k == tolower(n)) {
			v = substr($0, index($0, ":") + 1)
			sub(/^[ \t]*/, "", v)
			val = v
		}
	    }
	    END { print val }'
}

# _in_body: the body of the last _in_http.
_in_body()
{
	cat "$TRASH/b"
}

# _in_size FILE: its size in bytes.
_in_size()
{
	wc -c <"$1" | tr -d ' '
}

# _in_static EMOD EVER EXT TYPE_ERE: a static hit and its headers.
_in_static()
{
	_f=$REF/$1/@v/$2$3
	_in_http GET "/$1/@v/$2$3"
	is "$CODE" 200 "GET $1 $2$3: 200"
	like "$(_in_hdr Content-Type)" "$4" "GET $2$3: Content-Type"
	is "$(_in_hdr Content-Length)" "$(_in_size "$_f")" \
	    "GET $2$3: Content-Length is the file's size"
	is_file "$TRASH/b" "$_f" "GET $2$3: the stored bytes"
	isnt "$(_in_hdr ETag)" "" "GET $2$3: ETag"
	like "$(_in_hdr Cache-Control)" 'immutable' \
	    "GET $2$3: Cache-Control immutable"
	_in_http HEAD "/$1/@v/$2$3"
	is "$CODE" 200 "HEAD $2$3: 200"
	is "$(_in_hdr Content-Length)" "$(_in_size "$_f")" \
	    "HEAD $2$3: Content-Length"
	is "$(_in_size "$TRASH/b")" 0 "HEAD $2$3: no body"
}

# _in_list EMOD WANT: the computed @v/list (sorted) equals WANT (sorted,
# space-separated).
_in_list()
{
	_in_http GET "/$1/@v/list"
	is "$CODE" 200 "GET $1/@v/list: 200"
	like "$(_in_hdr Content-Type)" '^text/plain; ?charset=utf-8$' \
	    "GET $1/@v/list: Content-Type"
	is "$(sed 's/[[:space:]].*//' "$TRASH/b" | grep . | sort | xargs)" \
	    "$(echo $2 | tr ' ' '\n' | grep . | sort | xargs)" \
	    "GET $1/@v/list: $2"
}

# _in_notfound METHOD PATH WHAT: 404/410 with "not found: WHAT" (ERE).
_in_notfound()
{
	_in_http "$1" "$2"
	like "$CODE" '^(404|410)$' "$1 $2: 404 or 410"
	if [ "$1" = GET ]; then
		like "$(head -n 1 "$TRASH/b")" "^not found: $3" \
		    "$1 $2: body 'not found: ...'"
		like "$(_in_hdr Content-Type)" '^text/plain' \
		    "$1 $2: text/plain body"
	fi
	# A version may appear later: a miss is never cached for good.
	unlike "$(_in_hdr Cache-Control)" 'immutable' \
	    "$1 $2: not cached as immutable"
}

# integ_http: the HTTP contract checked with curl.
integ_http()
{
	# Static hits: the front server answers from the storage tree.
	_in_static github.com/fixture/multi v1.0.0 .info '^application/json'
	_in_static github.com/fixture/multi v1.0.0 .mod \
	    '^text/plain; ?charset=utf-8$'
	_in_static github.com/fixture/multi v1.0.0 .zip '^application/zip$'
	_in_static github.com/fixture/incompat v3.0.0+incompatible .zip \
	    '^application/zip$'

	# Capitals: "!" and its percent-encoding %21 name the same files.
	_f=$REF/github.com/!fixture/!upper/@v/v1.0.1.info
	_in_http GET "/github.com/!fixture/!upper/@v/v1.0.1.info"
	is "$CODE" 200 "GET !fixture/!upper v1.0.1.info: 200"
	is_file "$TRASH/b" "$_f" "GET !fixture/!upper v1.0.1.info: bytes"
	_in_http GET "/github.com/%21fixture/%21upper/@v/v1.0.1.info"
	is "$CODE" 200 "GET %21fixture/%21upper v1.0.1.info: 200"
	is_file "$TRASH/b" "$_f" "GET %21fixture/%21upper v1.0.1.info: bytes"
	_in_list 'github.com/%21fixture/%21upper' 'v1.0.0 v1.0.1'
	_in_http GET "/github.com/Fixture/Upper/@v/list"
	like "$CODE" '^(400|404|410)$' \
	    "GET unescaped capitals Fixture/Upper/@v/list: refused"

	# @v/list is computed (the copied cache has a static list file with
	# the pseudo-version in it): tags only, retracted versions kept.
	_in_list github.com/fixture/multi 'v1.0.0 v1.1.0 v1.2.0 v1.3.0-rc.1'
	unlike "$(_in_body)" "$(cat "$FX/pseudo.multi")" \
	    "multi list: no pseudo-version"
	_in_list github.com/fixture/retract 'v1.0.0 v1.1.0'
	_in_list github.com/fixture/incompat \
	    'v2.1.0+incompatible v3.0.0+incompatible'
	_in_list github.com/fixture/mono/sub 'v1.0.0'
	_in_list github.com/fixture/notags ''
	_in_http HEAD /github.com/fixture/multi/@v/list
	is "$CODE" 200 "HEAD multi/@v/list: 200"
	like "$(_in_hdr Content-Type)" '^text/plain' \
	    "HEAD multi/@v/list: Content-Type"

	# @latest of a module with only pseudo-versions: the newest.
	_in_http GET /github.com/fixture/notags/@latest
	is "$CODE" 200 "GET notags/@latest: 200"
	like "$(_in_hdr Content-Type)" '^application/json' \
	    "GET notags/@latest: Content-Type"
	like "$(_in_body)" "\"Version\": *\"$(cat "$FX/pseudo.notags")\"" \
	    "GET notags/@latest: the newest pseudo-version"

	# Every tag retracted: list keeps them, @latest is the pseudo-version
	# stored for the tip.
	_in_list github.com/fixture/allretract 'v1.0.0 v1.0.1'
	_in_http GET /github.com/fixture/allretract/@latest
	is "$CODE" 200 "GET allretract/@latest: 200"
	like "$(_in_body)" \
	    "\"Version\": *\"$(cat "$FX/pseudo.allretract")\"" \
	    "GET allretract/@latest: not a retracted version"

	# Not found.
	_in_notfound GET /github.com/fixture/multi/@v/v9.9.9.info \
	    'github.com/fixture/multi@v9\.9\.9'
	_in_notfound GET /github.com/fixture/multi/@v/v9.9.9.mod \
	    'github.com/fixture/multi@v9\.9\.9'
	_in_notfound GET /github.com/fixture/multi/@v/v9.9.9.zip \
	    'github.com/fixture/multi@v9\.9\.9'
	_in_notfound HEAD /github.com/fixture/multi/@v/v9.9.9.zip
	_in_notfound GET /github.com/fixture/nosuch/@v/list \
	    'github.com/fixture/nosuch'
	_in_notfound GET /github.com/fixture/nosuch/@latest \
	    'github.com/fixture/nosuch'

	# The temporary directory of the storage is never served.
	_in_http GET /.tmp/secret.txt
	isnt "$CODE" 200 "GET /.tmp/secret.txt: not served ($CODE)"
	unlike "$(_in_body)" 'piraeus-secret' "GET /.tmp/secret.txt: no bytes"
	_in_http GET /.tmp/
	isnt "$CODE" 200 "GET /.tmp/: not served ($CODE)"
}

# integ_go: integ_go_one with each go command; they all wrote one go.sum.
integ_go()
{
	for_each_go integ_go_one
	_first=
	for _g in "$TRASH"/app.ref.*/go.sum; do
		[ -n "$_first" ] || { _first=$_g; continue; }
		_a=${_g#"$TRASH"/app.ref.}
		_b=${_first#"$TRASH"/app.ref.}
		is_file "$_g" "$_first" \
		    "the app's go.sum: ${_a%/go.sum} wrote that of ${_b%/go.sum}"
	done
}

# integ_go_one: "$GO" through the proxy and through file://<reference>;
# every description ends with [$GOTAG].
integ_go_one()
{
	_t=" [$GOTAG]"
	# go mod download -json, every version, one fresh cache each.
	while read -r _m _v; do
		_r=$(_in_ref "$GO" mod download -json "$_m@$_v" | _in_dlfields)
		_p=$(_in_prx "$GO" mod download -json "$_m@$_v" | _in_dlfields)
		like "$_r" '"GoModSum": "h1:' "reference: $_m@$_v has sums$_t"
		is "$_p" "$_r" \
		    "go mod download $_m@$_v: same Version/Sum/GoModSum$_t"
	done <"$FX/versions"

	# Lists and latest, per module.
	while read -r _m; do
		_r=$(_in_ref "$GO" list -m -versions "$_m")
		_p=$(_in_prx "$GO" list -m -versions "$_m")
		is "$_p" "$_r" "go list -m -versions $_m: $_r$_t"
		_r=$(_in_ref "$GO" list -m -retracted -versions "$_m")
		_p=$(_in_prx "$GO" list -m -retracted -versions "$_m")
		is "$_p" "$_r" "go list -m -retracted -versions $_m$_t"
		_r=$(_in_ref "$GO" list -m "$_m@latest")
		_p=$(_in_prx "$GO" list -m "$_m@latest")
		is "$_p" "$_r" "go list -m $_m@latest: $_r$_t"
		_r=$(_in_ref "$GO" list -m -f '{{.Version}} {{.Time}}' \
		    "$_m@latest")
		_p=$(_in_prx "$GO" list -m -f '{{.Version}} {{.Time}}' \
		    "$_m@latest")
		is "$_p" "$_r" "go list -m $_m@latest: same Time$_t"
	done <"$FX/modules"

	# Queries the go command resolves from list + info.
	for _q in github.com/fixture/multi@v1.1 \
	    github.com/fixture/multi@'<v1.2.0' \
	    github.com/fixture/multi@v1.3.0-rc.1 \
	    "github.com/fixture/multi@$(cat "$FX/pseudo.multi")" \
	    github.com/fixture/retract@v1.0.0; do
		_r=$(_in_ref "$GO" list -m -f '{{.Version}} {{.Time}}' "$_q")
		_p=$(_in_prx "$GO" list -m -f '{{.Version}} {{.Time}}' "$_q")
		is "$_p" "$_r" "go list -m $_q: $_r$_t"
	done

	# go build of the app with an empty go.sum.
	_ar=$TRASH/app.ref.$GOTAG
	_ap=$TRASH/app.prx.$GOTAG
	fixture_build_app "$FX" "ref.$GOTAG" "file://$REF"
	ok $? "go build of the app (ref)$_t" ||
	    diag_file "$TRASH/build.ref.$GOTAG.log"
	fixture_build_app "$FX" "prx.$GOTAG" "$URL"
	ok $? "go build of the app (prx)$_t" ||
	    diag_file "$TRASH/build.prx.$GOTAG.log"
	is "$(wc -l <"$_ar/go.sum" | tr -d ' ')" 21 \
	    "reference go.sum has 21 lines$_t"
	is_file "$_ap/go.sum" "$_ar/go.sum" "go build: go.sum identical$_t"
	is_file "$_ap/go.mod" "$_ar/go.mod" "go build: go.mod identical$_t"
	is "$(cat "$_ap/app.out" 2>/dev/null)" \
	    "$(fixture_app_output)" "the app built through the proxy runs$_t"

	# The index recorded the hashes the go command wrote to go.sum.
	if command -v sqlite3 >/dev/null 2>&1; then
		_bad=0
		while read -r _m _v _h; do
			case $_v in
			*/go.mod) _col=mod_h1 _v=${_v%/go.mod} ;;
			*) _col=zip_h1 ;;
			esac
			_got=$(sqlite3 "$STATE/index.sqlite" "SELECT $_col FROM \
			    versions WHERE module='$_m' AND version='$_v'")
			if [ "$_got" != "$_h" ]; then
				diag "index $_col of $_m@$_v: '$_got', go.sum: $_h"
				_bad=$((_bad + 1))
			fi
		done <"$_ar/go.sum"
		is "$_bad" 0 "index h1 hashes equal every go.sum line$_t"
	else
		fail "sqlite3 is installed"
	fi

	# go list -m -u all in the app (list and latest of every dependency).
	_r=$(_in_go "file://$REF" sh -c "cd '$_ar' && '$GO' list -m -u all")
	_p=$(_in_go "$URL" sh -c "cd '$_ap' && '$GO' list -m -u all")
	is "$_p" "$_r" "go list -m -u all in the app$_t"
}

# integ_import: piraeus import of the reference tree into an empty storage.
integ_import()
{
	_s2=$TRASH/storage-import
	mkdir -p "$_s2" "$TRASH/state-import"
	printf '[storage]\nroot = %s\n[state]\ndir = %s\n' "$_s2" \
	    "$TRASH/state-import" >"$TRASH/import.ini"
	if ! "$PIRAEUS" --help 2>&1 | grep -q import &&
	    ! "$PIRAEUS" help 2>&1 | grep -q import; then
		skip "piraeus import" "piraeus has no import command"
		return 0
	fi
	PIRAEUS_CONFIG=$TRASH/import.ini "$PIRAEUS" import "$REF" \
	    >"$TRASH/import.log" 2>&1
	ok $? "piraeus import <reference tree>" || diag_file "$TRASH/import.log"
	_bad=0
	_nfiles=0
	while read -r _m _v; do
		_e=$(printf '%s' "$_m" | sed 's/[A-Z]/!&/g' |
		    tr '[:upper:]' '[:lower:]')
		for _x in .info .mod .zip; do
			_nfiles=$((_nfiles + 1))
			cmp -s "$REF/$_e/@v/$_v$_x" "$_s2/$_e/@v/$_v$_x" && continue
			diag "import: $_e/@v/$_v$_x differs or is missing"
			_bad=$((_bad + 1))
		done
	done <"$FX/versions"
	is "$_bad" 0 "import: all $_nfiles .info/.mod/.zip files identical"
	is "$(find "$_s2/.tmp" -type f 2>/dev/null | wc -l | tr -d ' ')" 0 \
	    "import: nothing left in .tmp"
	PIRAEUS_CONFIG=$TRASH/import.ini "$PIRAEUS" import "$REF" \
	    >"$TRASH/import2.log" 2>&1
	ok $? "piraeus import again: no error" || diag_file "$TRASH/import2.log"
}

# _in_json FILE: its JSON with sorted keys (perl's core JSON::PP).
_in_json()
{
	perl -MJSON::PP -e 'local $/; my $j = JSON::PP->new->canonical;
	    print $j->encode($j->decode(<STDIN>)), "\n"' <"$1" 2>&1
}

# _in_fx_agree: the fixtures made again with "$GO" (not the first go
# command, which made $FX) are the same reference tree: the same files,
# each byte for byte but the .info files, the same JSON (1.19 and 1.26
# write Origin's fields in another order), the same pseudo-versions.
_in_fx_agree()
{
	[ "$GO" = "${GOS%% *}" ] && return 0
	_f2=$TRASH/fx.$GOTAG
	_r2=$_f2/modcache/cache/download
	make_fixtures "$_f2" >"$TRASH/fixtures.$GOTAG.log" 2>&1
	ok $? "fixtures made with $GOTAG too" ||
	    { diag_file "$TRASH/fixtures.$GOTAG.log"; return 0; }
	is "$(cd "$_r2" && find . -type f | sort)" \
	    "$(cd "$REF" && find . -type f | sort)" \
	    "$GOTAG made the same files in the reference tree"
	_bad=0
	_n=0
	for _x in $(cd "$REF" && find . -type f | sort); do
		_n=$((_n + 1))
		case $_x in
		*.info)	[ "$(_in_json "$REF/$_x")" = "$(_in_json "$_r2/$_x")" ] ;;
		*)	cmp -s "$REF/$_x" "$_r2/$_x" ;;
		esac && continue
		_bad=$((_bad + 1))
		diag "$_x differs: $(cat "$REF/$_x" | head -c 300)" \
		    "$(cat "$_r2/$_x" 2>/dev/null | head -c 300)"
	done
	is "$_bad" 0 "$GOTAG: each of the $_n files the same (.info as JSON)"
	for _x in versions pseudo.multi pseudo.notags pseudo.notags.old \
	    pseudo.allretract; do
		is_file "$_f2/$_x" "$FX/$_x" "$GOTAG: the same $_x"
	done
}

integ_main()
{
	SERVER=$1
	_t0=$(_in_ms)
	if [ "${INTEG_HOSTILE:-0}" = 1 ]; then
		go_env_hostile
	fi
	SERVE_OPTS=
	case $SERVER in
	lighttpd)	need lighttpd ;;
	apache)		need apache2 ;;
	apache-cgi)	need apache2; SERVER=apache; SERVE_OPTS=--cgi ;;
	apache-fcgid)	need apache2; SERVER=apache; SERVE_OPTS=--fcgid
			[ -f /usr/lib/apache2/modules/mod_fcgid.so ] ||
			    need mod_fcgid.so ;;
	nginx)		need nginx spawn-fcgi ;;
	# The every-request deployment (contrib/serve --every-request).
	lighttpd-every)	need lighttpd; SERVER=lighttpd
			SERVE_OPTS=--every-request ;;
	apache-every)	need apache2 spawn-fcgi; SERVER=apache
			SERVE_OPTS=--every-request
			[ -f /usr/lib/apache2/modules/mod_xsendfile.so ] ||
			    need mod_xsendfile.so ;;
	nginx-every)	need nginx spawn-fcgi; SERVER=nginx
			SERVE_OPTS=--every-request ;;
	esac
	need go git curl perl
	unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
	SERVE=${PIRAEUS_SERVE:-$top_srcdir/contrib/serve}
	for _f in "$PIRAEUS" "$PIRAEUS_FCGI" "$SERVE"; do
		if [ ! -x "$_f" ]; then
			fail "$_f exists and is executable"
			done_testing
		fi
	done

	FX=$TRASH/fx
	REF=$FX/modcache/cache/download
	mkdir -p "$TRASH/empty"
	make_fixtures "$FX" >"$TRASH/fixtures.log" 2>&1
	ok $? "fixtures made offline with the go command" ||
	    { diag_file "$TRASH/fixtures.log"; done_testing; }
	_t1=$(_in_ms)
	diag "fixtures: $((_t1 - _t0)) ms"
	if [ "${INTEG_HOSTILE:-0}" = 1 ]; then
		for_each_go _in_fx_agree
		_t1=$(_in_ms)
		diag "fixtures with every go command: $((_t1 - _t0)) ms"
	fi

	# Storage: a copy of the module cache's download tree.
	STORAGE=$TRASH/storage
	STATE=$TRASH/state
	INI=$TRASH/piraeus.ini
	mkdir -p "$STORAGE" "$STATE"
	cp -R "$REF/." "$STORAGE/"
	printf '[storage]\nroot = %s\n[state]\ndir = %s\n' \
	    "$STORAGE" "$STATE" >"$INI"
	PIRAEUS_CONFIG=$INI "$PIRAEUS" check-config >"$TRASH/cc.log" 2>&1
	ok $? "piraeus check-config" || diag_file "$TRASH/cc.log"
	PIRAEUS_CONFIG=$INI "$PIRAEUS" reindex >"$TRASH/reindex.log" 2>&1
	ok $? "piraeus reindex of the copied tree" ||
	    diag_file "$TRASH/reindex.log"
	mkdir -p "$STORAGE/.tmp"
	echo piraeus-secret >"$STORAGE/.tmp/secret.txt"

	integ_import

	# The front server.
	_t2=$(_in_ms)
	PORT=$(free_port) || bail_out "no free port"
	# The hostile values are the go client's environment, not the
	# operator's: the responder reads GOPRIVATE, GONOPROXY and GONOSUMDB
	# of its own environment as private patterns (README, [policy]
	# private), so the server starts without them.
	start_bg "$TRASH/serve.log" env -u GOPRIVATE -u GONOPROXY \
	    -u GONOSUMDB "$SERVE" --server "$SERVER" $SERVE_OPTS \
	    --port "$PORT" --storage "$STORAGE" --state "$STATE" \
	    --fcgi "$PIRAEUS_FCGI" --config "$INI"
	SERVE_PID=$BG_PID
	if ! wait_line "$TRASH/serve.log" \
	    "piraeus: serving on http://127\.0\.0\.1:$PORT/" 60 "$SERVE_PID"
	then
		fail "contrib/serve --server $SERVER is up"
		diag_file "$TRASH/serve.log"
		done_testing
	fi
	pass "contrib/serve --server $SERVER is up on port $PORT"
	URL=http://127.0.0.1:$PORT
	wait_http "$URL/" 20 "$SERVE_PID"
	ok $? "the server answers HTTP"
	_t3=$(_in_ms)
	diag "server start: $((_t3 - _t2)) ms"

	integ_http
	_t4=$(_in_ms)
	diag "curl checks: $((_t4 - _t3)) ms"
	integ_go
	_t5=$(_in_ms)
	diag "go comparisons: $((_t5 - _t4)) ms"
	# The caller's own checks against the running server.
	if [ -n "${INTEG_EXTRA:-}" ]; then
		"$INTEG_EXTRA"
		diag "$INTEG_EXTRA: $(($(_in_ms) - _t5)) ms"
	fi

	# Stop: SIGTERM to contrib/serve stops everything it started.
	kill -TERM "$SERVE_PID" 2>/dev/null
	_i=0
	while kill -0 "$SERVE_PID" 2>/dev/null && [ "$_i" -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	nok "contrib/serve exits on SIGTERM" _in_alive "$SERVE_PID"
	sleep 0.2
	if command -v setsid >/dev/null 2>&1; then
		nok "nothing of it is left running" _in_alive "-$SERVE_PID"
	fi
	nok "nothing listens on port $PORT any more" port_in_use "$PORT"
	# Sanitizer builds: responders report into the server's logs.
	unlike "$(cat "$TRASH"/*.log "$STATE"/*.log "$STATE"/*/*.log \
	    2>/dev/null)" 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "no sanitizer report in the logs"
	if [ "$_tl_failed" -ne 0 ]; then
		diag_file "$TRASH/serve.log"
		for _f in "$STATE"/*.log "$STATE"/*/*.log; do
			[ -f "$_f" ] && diag_file "$_f"
		done
	fi
	if [ "${INTEG_HOSTILE:-0}" = 1 ]; then
		go_hostile_untouched
	fi
	diag "total: $(($(_in_ms) - _t0)) ms"
	done_testing
}

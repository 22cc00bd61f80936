# tests/lib/every.sh: the checks of the every-request deployment
# (contrib/serve --every-request: every request passes the responder, hits
# included; the web server sends the stored files the responder names).
# Sourced after integ.sh by tests/integ/t1030-lighttpd-every.t,
# t1150-apache-every.t and t1230-nginx-every.t, which run
#
#	INTEG_EXTRA=every_checks integ_main SERVER-every
#
# so integ_main's whole contract (curl checks of static-looking hits, both
# go commands through the proxy against GOPROXY=file://, go.sum identical)
# runs in this mode, and then every_checks:
#
#   - a hit passes the responder: its read counters (/proc/PID/io syscr of
#     the piraeus.fcgi processes) move on every hit, and a file in the tree
#     that is not a version the responder serves (a non-canonical name, a
#     symbolic link) is refused although it exists;
#   - the responder does not read the body: a 2 MiB .mod and a 4 MiB .zip
#     reach the client byte for byte while the responders' rchar grows by
#     far less than the file;
#   - the headers of a static hit: status, Content-Type, Content-Length,
#     ETag, Cache-Control, Last-Modified (the file's mtime); HEAD has
#     GET's headers and no body; If-None-Match with the ETag is 304 (GET
#     and HEAD), another ETag is 200;
#   - nothing outside the tree: dot segments, encoded slashes, .tmp and the
#     internal X-Accel-Redirect location are 4xx without a byte of the
#     file;
#   - policy on hits: every_policy_hit (below) starts a second server in
#     this mode with a configuration fragment and checks what a stored
#     version answers.

# _ev_sum FIELD: the sum of FIELD (rchar, syscr) of /proc/PID/io over the
# responder processes of $STATE.
_ev_sum()
{
	_ev_t=0
	for _ev_p in $(procs_of "$1" | awk '$2 == "piraeus.fcgi" { print $1 }')
	do
		_ev_v=$(sed -n "s/^$2: //p" "/proc/$_ev_p/io" 2>/dev/null)
		_ev_t=$((_ev_t + ${_ev_v:-0}))
	done
	echo "$_ev_t"
}

# _ev_http METHOD PATH [HEADER]: _in_http with one more request header,
# the path sent as it is (dot segments too); no body leaves $TRASH/b empty.
_ev_http()
{
	rm -f "$TRASH/h" "$TRASH/b"
	: >"$TRASH/b"
	if [ "$1" = HEAD ]; then
		CODE=$(curl -q -sg --path-as-is --max-time 20 -I \
		    ${3:+-H "$3"} -o "$TRASH/h" -w '%{http_code}' "$URL$2")
		: >"$TRASH/b"
	else
		CODE=$(curl -q -sg --path-as-is --max-time 20 ${3:+-H "$3"} \
		    -D "$TRASH/h" -o "$TRASH/b" -w '%{http_code}' "$URL$2")
	fi
}

# _ev_httpdate FILE: its mtime as an HTTP date.
_ev_httpdate()
{
	LC_ALL=C date -u -r "$1" '+%a, %d %b %Y %H:%M:%S GMT'
}

# _ev_hit EMOD EVER EXT TYPE: a stored file through the responder, with
# the headers of a static hit; HEAD; If-None-Match.
_ev_hit()
{
	_f=$STORAGE/$1/@v/$2$3
	_n="$(basename "$1") $2$3"
	_ev_http GET "/$1/@v/$2$3"
	is "$CODE" 200 "every: GET $_n: 200"
	is_file "$TRASH/b" "$_f" "every: GET $_n: the stored bytes"
	is "$(_in_hdr Content-Type)" "$4" "every: GET $_n: Content-Type $4"
	is "$(_in_hdr Content-Length)" "$(_in_size "$_f")" \
	    "every: GET $_n: Content-Length"
	is "$(_in_hdr Cache-Control)" 'public, max-age=31536000, immutable' \
	    "every: GET $_n: Cache-Control immutable"
	is "$(_in_hdr Last-Modified)" "$(_ev_httpdate "$_f")" \
	    "every: GET $_n: Last-Modified is the file's mtime"
	_etag=$(_in_hdr ETag)
	like "$_etag" '^(W/)?"[^"]+"$' "every: GET $_n: an ETag ($_etag)"
	_get=$(for _h in Content-Type Content-Length ETag Cache-Control \
	    Last-Modified; do echo "$_h: $(_in_hdr "$_h")"; done)
	_ev_http HEAD "/$1/@v/$2$3"
	is "$CODE" 200 "every: HEAD $_n: 200"
	is "$(for _h in Content-Type Content-Length ETag Cache-Control \
	    Last-Modified; do echo "$_h: $(_in_hdr "$_h")"; done)" "$_get" \
	    "every: HEAD $_n: the headers of GET"
	is "$(_in_size "$TRASH/b")" 0 "every: HEAD $_n: no body"
	_ev_http GET "/$1/@v/$2$3" "If-None-Match: $_etag"
	is "$CODE" 304 "every: GET $_n If-None-Match its ETag: 304"
	is "$(_in_size "$TRASH/b")" 0 "every: 304 $_n: no body"
	_ev_http HEAD "/$1/@v/$2$3" "If-None-Match: $_etag"
	is "$CODE" 304 "every: HEAD $_n If-None-Match its ETag: 304"
	_ev_http GET "/$1/@v/$2$3" 'If-None-Match: "0"'
	is "$CODE" 200 "every: GET $_n If-None-Match another ETag: 200"
	is_file "$TRASH/b" "$_f" "every: GET $_n If-None-Match another: bytes"
}

# _ev_unread EMOD EVER EXT: GET of a large stored file: the client gets
# every byte, through a responder (syscr moved), which read less than
# half of it (rchar).
_ev_unread()
{
	_f=$STORAGE/$1/@v/$2$3
	_sz=$(_in_size "$_f")
	_r0=$(_ev_sum "$STATE" rchar)
	_c0=$(_ev_sum "$STATE" syscr)
	_ev_http GET "/$1/@v/$2$3"
	_r1=$(_ev_sum "$STATE" rchar)
	_c1=$(_ev_sum "$STATE" syscr)
	is "$CODE" 200 "every: GET big $2$3 ($_sz bytes): 200"
	is_file "$TRASH/b" "$_f" "every: GET big $2$3: the stored bytes"
	ok "every: GET big $2$3 passed a responder (syscr $_c0 -> $_c1)" \
	    [ "$_c1" -gt "$_c0" ]
	ok "every: the responders read $((_r1 - _r0)) bytes, not the $_sz of big $2$3" \
	    [ $((_r1 - _r0)) -lt $((_sz / 2)) ]
}

# _ev_refused PATH WHAT: 4xx, and not a byte of $TRASH/outside.
_ev_refused()
{
	_ev_http GET "$1"
	like "$CODE" '^4[0-9][0-9]$' "every: GET $1 ($2): 4xx ($CODE)"
	nok "every: GET $1: not the file outside the tree" \
	    grep -q piraeus-outside-secret "$TRASH/b"
}

# every_policy_hit NAME FRAGMENT STATUS BODY_ERE [EMOD EVER]
#
# POLICY ON HITS -- extend here.  Starts a second server in this mode on
# the same storage, with FRAGMENT (INI text; printf %b escapes such as \n)
# appended to the test's configuration, and checks that GET of the stored
# .info, .mod and .zip of EMOD@EVER (default github.com/fixture/multi
# v1.0.0, a stored version) answers STATUS with a body matching BODY_ERE
# (empty: not checked), and HEAD answers STATUS; then stops it.  Both
# requests carry the header EV_HEADER when it is set.
every_policy_hit()
{
	_pn=$1 _pfrag=$2 _pst=$3 _pre=$4
	_pm=${5:-github.com/fixture/multi} _pv=${6:-v1.0.0}
	_pi=$((${_ev_pol_n:-0} + 1))
	_ev_pol_n=$_pi
	_pini=$TRASH/policy.$_pi.ini
	{ cat "$INI"; printf '%b' "$_pfrag"; } >"$_pini"
	mkdir -p "$TRASH/policy.$_pi.state"
	_pport=$(free_port) || bail_out "no free port"
	start_bg "$TRASH/policy.$_pi.serve.log" "$SERVE" --server "$SERVER" \
	    --every-request --port "$_pport" --storage "$STORAGE" \
	    --state "$TRASH/policy.$_pi.state" --procs 2 \
	    --fcgi "$PIRAEUS_FCGI" --config "$_pini"
	_ppid=$BG_PID
	if ! wait_line "$TRASH/policy.$_pi.serve.log" \
	    "piraeus: serving on http://127\.0\.0\.1:$_pport/" 60 "$_ppid"; then
		fail "every, $_pn: a server with the fragment is up"
		diag_file "$TRASH/policy.$_pi.serve.log"
		stop_bg "$_ppid"
		return 0
	fi
	_purl=$URL
	URL=http://127.0.0.1:$_pport
	for _px in .info .mod .zip; do
		_ev_http GET "/$_pm/@v/$_pv$_px" "${EV_HEADER:-}"
		is "$CODE" "$_pst" "every, $_pn: GET stored $_pm@$_pv$_px: $_pst"
		[ -z "$_pre" ] || like "$(_in_body)" "$_pre" \
		    "every, $_pn: GET stored $_pm@$_pv$_px: body /$_pre/"
		_ev_http HEAD "/$_pm/@v/$_pv$_px" "${EV_HEADER:-}"
		is "$CODE" "$_pst" "every, $_pn: HEAD stored $_pm@$_pv$_px: $_pst"
	done
	URL=$_purl
	stop_bg "$_ppid"
	nok "every, $_pn: its server is stopped" port_in_use "$_pport"
}

# every_checks: run by integ_main (INTEG_EXTRA) while the server runs.
every_checks()
{
	# Hits with the headers of a static hit.
	_ev_hit github.com/fixture/multi v1.0.0 .info application/json
	_ev_hit github.com/fixture/multi v1.0.0 .mod \
	    'text/plain; charset=utf-8'
	_ev_hit github.com/fixture/multi v1.0.0 .zip application/zip
	_ev_hit github.com/fixture/incompat v3.0.0+incompatible .zip \
	    application/zip

	# Large files: sent by the server, not read by the responder.  (A
	# .mod under GOMOD_MAX, so that a responder that read it would
	# answer it.)
	_bd=$STORAGE/example.com/every/big/@v
	mkdir -p "$_bd"
	printf '{"Version":"v1.0.0","Time":"2020-01-01T00:00:00Z"}\n' \
	    >"$_bd/v1.0.0.info"
	{
		echo 'module example.com/every/big'
		head -c 524288 /dev/urandom | od -An -tx1 | sed 's|^|// |'
	} >"$_bd/v1.0.0.mod"
	head -c 4194304 /dev/urandom >"$_bd/v1.0.0.zip"
	_ev_unread example.com/every/big v1.0.0 .mod
	_ev_unread example.com/every/big v1.0.0 .zip

	# The responder decides on hits: files in the tree it does not serve
	# as a version are refused (a static server would send them).
	cp "$STORAGE/github.com/fixture/multi/@v/v1.0.0.info" \
	    "$STORAGE/github.com/fixture/multi/@v/v1.0.info"
	_ev_http GET /github.com/fixture/multi/@v/v1.0.info
	like "$CODE" '^(404|410)$' \
	    "every: a non-canonical v1.0.info in the tree is not served ($CODE)"
	echo piraeus-outside-secret >"$TRASH/outside"
	mkdir -p "$STORAGE/example.com/every/link/@v"
	ln -s "$TRASH/outside" "$STORAGE/example.com/every/link/@v/v1.0.0.mod"
	_ev_refused /example.com/every/link/@v/v1.0.0.mod \
	    "a symbolic link out of the tree"

	# Nothing outside the tree, nothing below ".": never named.
	cp "$TRASH/outside" "$STORAGE/.tmp/v1.0.0.zip"
	_ev_refused /.tmp/v1.0.0.zip ".tmp"
	_ev_refused "/github.com/fixture/multi/@v/..%2f..%2f..%2f..%2f.tmp%2fv1.0.0.zip" \
	    "encoded slashes"
	_ev_refused "/%2e%2e/%2e%2e/%2e%2e$TRASH/outside" "encoded dot segments"
	_ev_refused "/../../../..$TRASH/outside" "dot segments"
	_ev_refused "/github.com/fixture/multi/@v/v1.0.0.zip/../../../../../..$TRASH/outside" \
	    "dot segments after a hit"
	# The internal location of X-Accel-Redirect (nginx) is not reachable
	# from outside: 404 (the other servers' responder: 404 too).
	_ev_http GET /_piraeus_storage/github.com/fixture/multi/@v/v1.0.0.info
	is "$CODE" 404 "every: the internal location requested directly: 404"
	unlike "$(_in_body)" '"Version"' \
	    "every: the internal location requested directly: no file"

	# Policy on hits: storage only (download_mode none, network_mode
	# offline) still serves what is stored; the filter file refuses a
	# stored version with its rule's line, whoever serves the bytes; a
	# "-" for another version of the module leaves this one served.
	every_policy_hit "storage only (download_mode none, offline)" \
	    "[upstream]\ndownload_mode = none\nnetwork_mode = offline\n" 200 ''
	printf -- '# every-request: a stored module excluded\n- github.com/fixture/multi\n' \
	    >"$TRASH/filter-all"
	every_policy_hit "filter file, module excluded" \
	    "[policy]\nfilter_file = $TRASH/filter-all\n" 403 \
	    'excluded by the filter of this proxy \(rule at line 2\)'
	printf -- '- github.com/fixture/multi v1.0.1\n' >"$TRASH/filter-other"
	every_policy_hit "filter file, another version excluded" \
	    "[policy]\nfilter_file = $TRASH/filter-other\n" 200 ''

	# The validator hook on hits: asked for a stored version (its
	# verdict kept), its 403 and message given to the client.
	hook_start || bail_out "the validator hook server"
	hook_set github.com/fixture/multi deny \
	    "msg=multi is withdrawn by the security team" ||
	    bail_out "hook_set"
	every_policy_hit "validator hook, denied" \
	    "[policy]\nvalidator_hook = $HOOK_URL\n" 403 \
	    'multi is withdrawn by the security team'
	_ev_n=$(hook_count github.com/fixture/multi)
	ok "every: the hook was asked about the stored version ($_ev_n)" \
	    [ "$_ev_n" -ge 1 ]
	hook_set github.com/fixture/multi allow || bail_out "hook_set"
	every_policy_hit "validator hook, allowed" \
	    "[policy]\nvalidator_hook = $HOOK_URL\n" 200 ''

	# The built-in [access] check on hits: the server passes the
	# Authorization header on (Apache only when told), the rules hide
	# the stored module from dave (404, as if it did not exist) and
	# ask anonymous requests for credentials.
	_ev_hash=$(openssl passwd -6 'alice-pw') &&
	    _ev_dhash=$(openssl passwd -6 'dave-pw') ||
	    bail_out "openssl passwd -6 failed"
	printf '%s\n' "user alice password $_ev_hash" \
	    "user dave password $_ev_dhash" \
	    'allow github.com/fixture/multi alice' >"$TRASH/access"
	_ev_afrag="[access]\nfile = $TRASH/access\n"
	EV_HEADER="Authorization: Basic $(printf 'alice:alice-pw' | base64)"
	every_policy_hit "access, alice" "$_ev_afrag" 200 ''
	EV_HEADER="Authorization: Basic $(printf 'dave:dave-pw' | base64)"
	every_policy_hit "access, dave" "$_ev_afrag" 404 'not visible to dave'
	EV_HEADER="Authorization: Basic $(printf 'alice:wrong' | base64)"
	every_policy_hit "access, a wrong password" "$_ev_afrag" 401 \
	    'wrong user name or password'
	EV_HEADER=
	every_policy_hit "access, anonymous" "$_ev_afrag" 401 \
	    'credentials required'
}

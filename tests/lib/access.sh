# tests/lib/access.sh: the deployment the tests of [access] need -- real
# lighttpd over https (a self-signed certificate for 127.0.0.1 made here
# with openssl) sending EVERY request to the responder, which names the
# stored files for lighttpd to send (X-Sendfile).  POSIX sh (dash); source
# it after testlib.sh:
#
#	. "$top_srcdir/tests/lib/access.sh"
#
#	access_serve_https STORAGE INI
#				make $TRASH/cert.pem and $TRASH/key.pem,
#				write $TRASH/lighttpd.conf (document root
#				$TRASH/docroot, logs and socket in $TRASH/run,
#				x-sendfile-docroot STORAGE, the responder
#				$PIRAEUS_FCGI with PIRAEUS_CONFIG=INI), start
#				lighttpd and wait until /healthz answers; one
#				check ("lighttpd serves https on $URL"); sets
#				PORT, URL (https://127.0.0.1:PORT) and LPID.
#				Bails out when any step fails.
#
#	access_ini INI STORAGE STATE
#				write the head of INI those tests share:
#				[server] every_request = yes, sendfile =
#				x-sendfile; [storage] root; [state] dir;
#				[upstream] goproxy = off.  The test appends
#				its [sumdb] and [access] sections.
#
# The INI must say [server] every_request = yes and sendfile = x-sendfile
# (access_ini does); $TRASH/run and $TRASH/docroot must exist.

access_ini()
{
	cat >"$1" <<EOF
[server]
every_request = yes
sendfile = x-sendfile
[storage]
root = $2
[state]
dir = $3
[upstream]
goproxy = off
EOF
}

access_serve_https()
{
	_ac_s=$1
	_ac_ini=$2
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	    -keyout "$TRASH/key.pem" -out "$TRASH/cert.pem" \
	    >"$TRASH/openssl.log" 2>&1 ||
	    { diag_file "$TRASH/openssl.log"; bail_out "no certificate"; }
	PORT=$(free_port) || bail_out "no free port"
	URL=https://127.0.0.1:$PORT
	# The sanitizers' options reach the responder too.
	_ac_env='"PATH"'
	for _ac_v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		eval "[ -n \"\${$_ac_v+x}\" ]" &&
		    _ac_env="$_ac_env, \"$_ac_v\""
	done
	cat >"$TRASH/lighttpd.conf" <<EOF
server.modules = ( "mod_openssl", "mod_fastcgi", "mod_accesslog" )
server.bind = "127.0.0.1"
server.port = $PORT
server.document-root = "$TRASH/docroot"
server.errorlog = "$TRASH/run/error.log"
server.breakagelog = "$TRASH/run/responder.log"
accesslog.filename = "$TRASH/run/access.log"
ssl.engine = "enable"
ssl.pemfile = "$TRASH/cert.pem"
ssl.privkey = "$TRASH/key.pem"
# Every request reaches the responder; it names files, lighttpd sends them.
fastcgi.server = ( "/" => ((
	"bin-path" => "$PIRAEUS_FCGI",
	"socket" => "$TRASH/run/piraeus.sock",
	"max-procs" => 1,
	"check-local" => "disable",
	"x-sendfile" => "enable",
	"x-sendfile-docroot" => ( "$_ac_s" ),
	"bin-environment" => ( "PIRAEUS_CONFIG" => "$_ac_ini" ),
	"bin-copy-environment" => ( $_ac_env ),
)))
EOF
	lighttpd -tt -f "$TRASH/lighttpd.conf" >"$TRASH/lt.log" 2>&1 ||
	    { diag_file "$TRASH/lt.log"; bail_out "lighttpd rejects its config"; }
	start_bg "$TRASH/lighttpd.log" lighttpd -D -f "$TRASH/lighttpd.conf"
	LPID=$BG_PID
	_ac_i=0
	until curl -q -s -o /dev/null --cacert "$TRASH/cert.pem" \
	    --max-time 2 "$URL/healthz"; do
		_ac_i=$((_ac_i + 1))
		[ $_ac_i -lt 100 ] && kill -0 "$LPID" 2>/dev/null || {
			diag_file "$TRASH/lighttpd.log"
			bail_out "lighttpd is not up"
		}
		sleep 0.1
	done
	pass "lighttpd serves https on $URL"
}

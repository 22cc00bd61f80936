# tests/lib/redis.sh: a real redis-server (and redis-sentinel) for a test,
# on 127.0.0.1 and a free port, stopped at exit.  Sourced after testlib.sh.
#
#   need redis-server redis-cli          (redis-sentinel for sentinel_start)
#   redis_start [NAME [DIRECTIVE...]]    start; sets REDIS_PORT, REDIS_PID,
#                                        REDIS_ADDR (127.0.0.1:PORT), and
#                                        NAME_PORT etc. (NAME: redis)
#   redis_cli ARG...                     redis-cli against it
#   redis_kill                           SIGKILL it (no clean shutdown)
#   redis_restart                        start it again on the same port
#   redis_stop                           SIGTERM it and wait
#   sentinel_start MASTER                a sentinel watching REDIS_PORT as
#                                        MASTER; sets SENTINEL_PORT and
#                                        SENTINEL_PID
#   redis_tls_certs DIR                  (need openssl) make in DIR: ca.crt
#                                        (and .key), server.crt/.key (SAN
#                                        IP:127.0.0.1, IP:::1, DNS:localhost),
#                                        client.crt/.key (by ca), other.crt
#                                        (and .key: an unrelated CA),
#                                        wrongname.crt/.key (by ca, SAN
#                                        DNS:elsewhere.test only),
#                                        client2.crt/.key (by ca: a renewed
#                                        client certificate),
#                                        otherclient.crt/.key (by other),
#                                        nosan.crt/.key (by ca, CN=localhost
#                                        and no subjectAltName)
#   redis_tls_start NAME CERTDIR [CERT [DIRECTIVE...]]
#                                        redis_start with TLS on a second
#                                        port: CERT (server: the default)
#                                        .crt/.key of CERTDIR, clients
#                                        checked against CERTDIR/ca.crt
#                                        (tls-auth-clients yes); sets
#                                        REDIS_TLS_PORT too.  The plain
#                                        REDIS_PORT stays for redis_cli.
#
# Nothing is persisted (save "", appendonly no): a restarted redis is
# empty, as after a crash of a cache.  Each directive is one redis.conf
# line ("requirepass s3cret").  Logs: $TRASH/NAME/redis.log.
#
# No redis outlives its test: each server writes its pid file
# ($TRASH/NAME/redis.pid), and redis_start registers in the test's exit
# trap a stop by that file, so a server started again in a subshell
# (redis_restart in "( ... ) &", whose own trap and variables are lost)
# is stopped as well; a watchdog stops it too if the test's shell is
# killed (SIGKILL runs no trap).

# _rd_conf NAME PORT DIRECTIVE...: write $TRASH/NAME/redis.conf.
_rd_conf()
{
	_rd_n=$1 _rd_p=$2
	shift 2
	mkdir -p "$TRASH/$_rd_n" || return 1
	{
		echo "bind 127.0.0.1"
		echo "port $_rd_p"
		echo "daemonize no"
		echo "save \"\""
		echo "appendonly no"
		echo "dir $TRASH/$_rd_n"
		echo "logfile $TRASH/$_rd_n/redis.log"
		echo "pidfile $TRASH/$_rd_n/redis.pid"
		echo "protected-mode yes"
		for _rd_d in "$@"; do
			echo "$_rd_d"
		done
	} >"$TRASH/$_rd_n/redis.conf"
}

# _rd_wait PORT PID [AUTH]: until PING answers PONG (10 s), or PID dies.
_rd_wait()
{
	_rd_i=0
	while [ "$_rd_i" -lt 100 ]; do
		[ "$(redis-cli -h 127.0.0.1 -p "$1" ${3:+--no-auth-warning -a "$3"} \
		    ping 2>/dev/null)" = PONG ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
		_rd_i=$((_rd_i + 1))
	done
	return 1
}

# _rd_stop_pidfile DIR PORT: TERM (then KILL) the redis-server whose pid
# DIR/redis.pid holds, if that pid is still a redis-server on PORT.
_rd_stop_pidfile()
{
	_rd_sp=$(cat "$1/redis.pid" 2>/dev/null) || return 0
	case $_rd_sp in ''|*[!0-9]*) return 0 ;; esac
	case $(ps -o args= -p "$_rd_sp" 2>/dev/null) in
	*" 127.0.0.1:$2"|*" 127.0.0.1:$2 "*) ;;
	*) return 0 ;;
	esac
	kill -TERM "$_rd_sp" 2>/dev/null
	_rd_si=0
	while kill -0 "$_rd_sp" 2>/dev/null && [ "$_rd_si" -lt 50 ]; do
		sleep 0.1
		_rd_si=$((_rd_si + 1))
	done
	kill -KILL "$_rd_sp" 2>/dev/null
	return 0
}

# _rd_watch DIR PORT: in the background, until the test's shell is gone,
# then _rd_stop_pidfile (its trap stopped redis already, or it was killed).
_rd_watch()
{
	_rd_shell=$$
	(
		trap - EXIT INT TERM
		while kill -0 "$_rd_shell" 2>/dev/null; do
			sleep 1
		done
		_rd_stop_pidfile "$1" "$2"
	) </dev/null >/dev/null 2>&1 &
}

redis_start()
{
	REDIS_NAME=${1:-redis}
	[ $# -gt 0 ] && shift
	REDIS_PORT=$(free_port) || bail_out "no free port for redis"
	# Never redis_tls_start's TLS port (free_port reserves each port it
	# gives for the test's life, so this is a guard, bounded).
	_rd_i=0
	while [ "$REDIS_PORT" = "${_rd_avoid:-}" ] && [ "$_rd_i" -lt 20 ]; do
		REDIS_PORT=$(free_port) || bail_out "no free port for redis"
		_rd_i=$((_rd_i + 1))
	done
	[ "$REDIS_PORT" != "${_rd_avoid:-}" ] ||
	    bail_out "no second free port for redis"
	_rd_conf "$REDIS_NAME" "$REDIS_PORT" "$@" ||
	    bail_out "cannot write redis.conf"
	at_exit _rd_stop_pidfile "$TRASH/$REDIS_NAME" "$REDIS_PORT"
	_rd_watch "$TRASH/$REDIS_NAME" "$REDIS_PORT"
	REDIS_AUTH=
	for _rd_d in "$@"; do
		case $_rd_d in
		"requirepass "*) REDIS_AUTH=${_rd_d#requirepass } ;;
		esac
	done
	_redis_run
}

# Start redis-server on $TRASH/$REDIS_NAME/redis.conf.
_redis_run()
{
	start_bg "$TRASH/$REDIS_NAME/stdout" redis-server \
	    "$TRASH/$REDIS_NAME/redis.conf"
	REDIS_PID=$BG_PID
	_rd_wait "$REDIS_PORT" "$REDIS_PID" "$REDIS_AUTH" || {
		diag_file "$TRASH/$REDIS_NAME/redis.log"
		bail_out "redis-server did not start on port $REDIS_PORT"
	}
	REDIS_ADDR=127.0.0.1:$REDIS_PORT
}

redis_cli()
{
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" \
	    ${REDIS_AUTH:+--no-auth-warning -a "$REDIS_AUTH"} "$@"
}

redis_kill()
{
	kill -KILL "$REDIS_PID" 2>/dev/null
	wait "$REDIS_PID" 2>/dev/null
	return 0
}

redis_stop()
{
	stop_bg "$REDIS_PID"
}

redis_restart()
{
	_redis_run
}

sentinel_start()
{
	SENTINEL_PORT=$(free_port) || bail_out "no free port for sentinel"
	mkdir -p "$TRASH/sentinel" || bail_out "mkdir sentinel"
	{
		echo "bind 127.0.0.1"
		echo "port $SENTINEL_PORT"
		echo "daemonize no"
		echo "dir $TRASH/sentinel"
		echo "logfile $TRASH/sentinel/sentinel.log"
		echo "pidfile $TRASH/sentinel/redis.pid"
		echo "sentinel monitor $1 127.0.0.1 $REDIS_PORT 1"
		[ -n "$REDIS_AUTH" ] &&
		    echo "sentinel auth-pass $1 $REDIS_AUTH"
	} >"$TRASH/sentinel/sentinel.conf"
	at_exit _rd_stop_pidfile "$TRASH/sentinel" "$SENTINEL_PORT"
	_rd_watch "$TRASH/sentinel" "$SENTINEL_PORT"
	start_bg "$TRASH/sentinel/stdout" redis-sentinel \
	    "$TRASH/sentinel/sentinel.conf"
	SENTINEL_PID=$BG_PID
	_rd_wait "$SENTINEL_PORT" "$SENTINEL_PID" || {
		diag_file "$TRASH/sentinel/sentinel.log"
		bail_out "redis-sentinel did not start on port $SENTINEL_PORT"
	}
}

# _rd_cert DIR NAME SUBJ CA EXT: DIR/NAME.key and NAME.crt, signed by
# DIR/CA (or self-signed: CA empty), extensions EXT (openssl -extfile).
_rd_cert()
{
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$1/$2.key" -subj "$3" -out "$1/$2.csr" \
	    2>>"$1/openssl.log" || return 1
	printf '%s\n' "$5" >"$1/$2.ext"
	if [ -z "$4" ]; then
		openssl x509 -req -in "$1/$2.csr" -signkey "$1/$2.key" \
		    -days 2 -extfile "$1/$2.ext" -out "$1/$2.crt" \
		    2>>"$1/openssl.log"
	else
		openssl x509 -req -in "$1/$2.csr" -CA "$1/$4.crt" \
		    -CAkey "$1/$4.key" -CAcreateserial -days 2 \
		    -extfile "$1/$2.ext" -out "$1/$2.crt" 2>>"$1/openssl.log"
	fi
}

redis_tls_certs()
{
	mkdir -p "$1" || return 1
	_rd_ca='basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign'
	_rd_leaf='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment'
	_rd_cert "$1" ca "/CN=piraeus test CA" "" "$_rd_ca" &&
	_rd_cert "$1" other "/CN=unrelated test CA" "" "$_rd_ca" &&
	_rd_cert "$1" server "/CN=localhost" ca "$_rd_leaf
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" &&
	_rd_cert "$1" wrongname "/CN=elsewhere.test" ca "$_rd_leaf
extendedKeyUsage=serverAuth
subjectAltName=DNS:elsewhere.test" &&
	_rd_cert "$1" client "/CN=piraeus client" ca "$_rd_leaf
extendedKeyUsage=clientAuth" &&
	_rd_cert "$1" client2 "/CN=piraeus client renewed" ca "$_rd_leaf
extendedKeyUsage=clientAuth" &&
	_rd_cert "$1" otherclient "/CN=unrelated client" other "$_rd_leaf
extendedKeyUsage=clientAuth" &&
	_rd_cert "$1" nosan "/CN=localhost" ca "$_rd_leaf
extendedKeyUsage=serverAuth" || {
		diag_file "$1/openssl.log"
		return 1
	}
}

redis_tls_start()
{
	_rd_tn=$1 _rd_td=$2 _rd_tc=${3:-server}
	shift 2
	[ $# -gt 0 ] && shift
	REDIS_TLS_PORT=$(free_port) || bail_out "no free port for redis TLS"
	_rd_avoid=$REDIS_TLS_PORT	# the plain port must differ
	redis_start "$_rd_tn" "tls-port $REDIS_TLS_PORT" \
	    "tls-cert-file $_rd_td/$_rd_tc.crt" \
	    "tls-key-file $_rd_td/$_rd_tc.key" \
	    "tls-ca-cert-file $_rd_td/ca.crt" "tls-auth-clients yes" "$@"
	_rd_avoid=
}

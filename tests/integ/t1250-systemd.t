#!/bin/sh
# t1250-systemd.t: the systemd units of contrib/systemd.
#
# The units are rendered the way contrib/systemd's comments say (sed over
# the placeholders) and checked with systemd-analyze verify: no warning,
# and a unit whose program is missing is caught (so the check can fail).
# Then the service's own ExecStart line runs with its Environment= lines
# on a listening socket on fd 0, as StandardInput=socket hands it over
# (spawn-fcgi -n does the same), and answers FastCGI requests; SIGTERM
# stops every copy, as KillMode=control-group would.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need systemd-analyze spawn-fcgi cgi-fcgi perl zip

U=$TRASH/units
S=$TRASH/storage
T=$TRASH/state
SOCK=$TRASH/piraeus.sock
mkdir -p "$U" "$S" "$T"
mkstore "$S"
use_config "$S" "$T"
user=$(id -un)
group=$(id -gn)

render()
{
	sed -e "s|@FCGI@|$PIRAEUS_FCGI|g" \
	    -e "s|@PREFORK@|$top_srcdir/contrib/fcgi-prefork|g" \
	    -e "s|@PROCS@|2|g" -e "s|@CONFIG@|$PIRAEUS_CONFIG|g" \
	    -e "s|@STORAGE@|$S|g" -e "s|@STATE@|$T|g" \
	    -e "s|@USER@|$user|g" -e "s|@GROUP@|$group|g" \
	    -e "s|@SOCKET@|$SOCK|g" -e "s|@PIRAEUS@|$PIRAEUS|g" "$1"
}
render "$top_srcdir/contrib/systemd/piraeus.service" >"$U/piraeus.service"
render "$top_srcdir/contrib/systemd/piraeus.socket" >"$U/piraeus.socket"
render "$top_srcdir/contrib/systemd/piraeus-vulndb.service" \
    >"$U/piraeus-vulndb.service"
render "$top_srcdir/contrib/systemd/piraeus-vulndb.timer" \
    >"$U/piraeus-vulndb.timer"
unlike "$(cat "$U/piraeus.service" "$U/piraeus.socket" \
    "$U/piraeus-vulndb.service" "$U/piraeus-vulndb.timer")" '@[A-Z]+@' \
    "every placeholder is documented and replaced"

(cd "$U" && timeout 60 systemd-analyze verify ./piraeus.socket \
    ./piraeus.service ./piraeus-vulndb.timer ./piraeus-vulndb.service) \
    >"$TRASH/verify.out" 2>&1
ok $? "systemd-analyze verify accepts the units" || diag_file "$TRASH/verify.out"
is "$(grep -v '^$' "$TRASH/verify.out" | grep -v 'Cannot add dependency job\|Unit .* not found\|Failed to connect to bus' | wc -l | tr -d ' ')" 0 \
    "and says nothing about them" || diag_file "$TRASH/verify.out"
sed 's|^ExecStart=.*|ExecStart=/nonexistent/piraeus.fcgi|' "$U/piraeus.service" \
    >"$U/broken.service"
(cd "$U" && timeout 60 systemd-analyze verify ./broken.service) \
    >"$TRASH/broken.out" 2>&1
isnt $? 0 "a unit whose program is missing is refused (the check can fail)"

# Run the service's command as systemd would: its Environment= lines, the
# listening socket on fd 0 (spawn-fcgi -n hands it over the same way).
exec_start=$(sed -n 's/^ExecStart=//p' "$U/piraeus.service")
envs=$(sed -n 's/^Environment=//p' "$U/piraeus.service" | tr '\n' ' ')
like "$exec_start" "fcgi-prefork 2 .*piraeus.fcgi" "ExecStart runs fcgi-prefork over piraeus.fcgi"
# shellcheck disable=SC2086 # the unit's words, split as systemd splits them
start_bg "$TRASH/svc.log" env $envs PIRAEUS_SERVER_SENDFILE=off \
    spawn-fcgi -n -s "$SOCK" -- $exec_start
SVC=$BG_PID
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ok "the socket is there" test -S "$SOCK"
fcgi()
{
	env REQUEST_METHOD=GET REQUEST_URI="$1" GATEWAY_INTERFACE=CGI/1.1 \
	    cgi-fcgi -bind -connect "$SOCK" </dev/null >"$TRASH/raw"
	_cgi_split
}
i=0
while [ $i -lt 50 ]; do
	fcgi /healthz
	[ "$STATUS" = 200 ] && break
	sleep 0.1
	i=$((i + 1))
done
is "$STATUS" 200 "the service answers /healthz over FastCGI"
fcgi /example.com/m/@v/list
is "$STATUS" 200 "and serves the storage named by its Environment= PIRAEUS_CONFIG"
like "$(cat "$TRASH/body")" '^v1\.0\.0' "the module's versions"
# spawn-fcgi -n execs fcgi-prefork: the copies are its children.
kids=$(pgrep -P "$SVC" | xargs)
is "$(echo "$kids" | wc -w | tr -d ' ')" 2 "fcgi-prefork runs two responders"
stop_bg "$SVC"
sleep 0.5
left=
for k in $kids; do
	kill -0 "$k" 2>/dev/null && left="$left $k"
done
is "$left" "" "SIGTERM stops every copy"
unlike "$(cat "$TRASH/svc.log")" 'AddressSanitizer|LeakSanitizer|runtime error:' \
    "no sanitizer report"
done_testing

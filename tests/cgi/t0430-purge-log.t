#!/bin/sh
# t0430-purge-log.t: purge and the private checksum log (no servers: the
# responder as CGI, a file:// upstream).
#
# A private module's version is stored and logged; `piraeus purge --yes`
# removes it from tree and index, and the log keeps its record (append
# only).  An upstream that now serves other content under that version
# is refused (502) and nothing is stored; the original content is taken
# again, and the log is unchanged.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need perl zip sqlite3

UP=$TRASH/upstream
mkstore "$UP"
S=$TRASH/storage
T=$TRASH/state
use_config "$S" "$T"
"$PIRAEUS" sumdb-keygen private.test "$TRASH/priv.key" >/dev/null ||
    bail_out "sumdb-keygen"
export PIRAEUS_UPSTREAM_GOPROXY="file://$UP" PIRAEUS_SUMDB_VERIFY=no
export PIRAEUS_SUMDB_PRIVATE_KEY="$TRASH/priv.key"
export PIRAEUS_SUMDB_NOSUM=example.com/m PIRAEUS_UPSTREAM_RETRIES=0
export PIRAEUS_UPSTREAM_NOTFOUND_TTL=0
V=$S/example.com/m/@v

cgi GET /example.com/m/@v/v1.0.0.zip
is "$STATUS" 200 "a private version is fetched"
cgi GET /sumdb/private.test/lookup/example.com/m@v1.0.0
is "$STATUS" 200 "and logged"
head -n 3 "$TRASH/body" >"$TRASH/lookup.before"
cgi GET /example.com/m/@v/v1.1.0.zip
is "$STATUS" 200 "another version is fetched"
is "$(sqlite3 "$T/index.sqlite" 'SELECT count(*) FROM sumdb_records')" 2 "one record each"

"$PIRAEUS" purge --yes example.com/m@v1.0.0 >"$TRASH/p.out" 2>&1
ok $? "purge --yes" || diag_file "$TRASH/p.out"
like "$(cat "$TRASH/p.out")" 'purged example.com/m@v1.0.0 \(3 files, index row\)' "says what went"
like "$(cat "$TRASH/p.out")" 'the private checksum log keeps its record' "and that the log keeps its record"
nok "no .info" test -e "$V/v1.0.0.info"
nok "no .zip" test -e "$V/v1.0.0.zip"
nok "no .mod" test -e "$V/v1.0.0.mod"
ok "the other versions stay" test -f "$V/v1.1.0.info"
is "$(sqlite3 "$T/index.sqlite" "SELECT count(*) FROM versions WHERE version = 'v1.0.0'")" 0 "no index row"
is "$(sqlite3 "$T/index.sqlite" 'SELECT count(*) FROM sumdb_records')" 2 "the record stays"

# Upstream now has other content under v1.0.0 (a re-tag).
cp "$UP/example.com/m/@v/v1.0.0.zip" "$TRASH/orig.zip"
mkzip "$UP/example.com/m/@v/v1.0.0.zip" example.com/m@v1.0.0 \
    go.mod='module example.com/m' m.go='package m // re-tagged'
cgi GET /example.com/m/@v/v1.0.0.zip
is "$STATUS" 502 "other content under a logged version is refused"
like "$(cat "$TRASH/body")" 'differs from record 0 of the private checksum log' "and says why"
nok "nothing stored" test -e "$V/v1.0.0.zip"
nok "no .info either" test -e "$V/v1.0.0.info"

cp "$TRASH/orig.zip" "$UP/example.com/m/@v/v1.0.0.zip"
cgi GET /example.com/m/@v/v1.0.0.zip
is "$STATUS" 200 "the logged content is taken again"
ok "and stored" cmp -s "$V/v1.0.0.zip" "$TRASH/orig.zip"
is "$(sqlite3 "$T/index.sqlite" 'SELECT count(*) FROM sumdb_records')" 2 "no new record"
cgi GET /sumdb/private.test/lookup/example.com/m@v1.0.0
head -n 3 "$TRASH/body" >"$TRASH/lookup.after"
ok "the lookup's record is what it was" cmp -s "$TRASH/lookup.after" "$TRASH/lookup.before"

"$PIRAEUS" verify example.com/m >"$TRASH/v.out" 2>&1
ok $? "verify: all well" || diag_file "$TRASH/v.out"
# The tree changed under both index and log: reindex takes the tree, the
# log still tells.
printf 'module example.com/m\n// changed\n' >"$V/v1.0.0.mod"
"$PIRAEUS" reindex >/dev/null 2>&1
"$PIRAEUS" verify example.com/m >"$TRASH/v.out" 2>&1
is "$?" 1 "verify after a change the index took in: exit 1"
like "$(cat "$TRASH/v.out")" '^example.com/m@v1.0.0: store corrupted: the tree differs from the private checksum log' \
    "the private log tells: store corrupted"

# purge and verify --quarantine take the version's lock, the one the
# responder publishes under: while it is held (a publish in flight), the
# version is left alone, even when it looks half there.
sleep 300 &
HOLDER=$!
at_exit "kill $HOLDER 2>/dev/null"
NOW=$(date +%s)
sqlite3 "$T/index.sqlite" "INSERT INTO locks (key, owner_pid, host, started, expires) VALUES ('v:example.com/m@v1.1.0', $HOLDER, '$(hostname)', $NOW, $((NOW + 600)))"
"$PIRAEUS" purge --yes example.com/m@v1.1.0 >"$TRASH/p.out" 2>&1
is "$?" 1 "purge of a version whose lock is held: exit 1"
like "$(cat "$TRASH/p.out")" 'skip example\.com/m@v1\.1\.0: being fetched or published \(its lock is held\)' \
    "purge: a held lock: skipped, and said"
ok "purge: the locked version is whole" test -f "$V/v1.1.0.info" -a -f "$V/v1.1.0.zip" -a -f "$V/v1.1.0.mod"
# Mid-publish: the .zip and .mod are in, the .info is about to be.
mv "$V/v1.1.0.info" "$TRASH/v110.info"
"$PIRAEUS" verify --quarantine example.com/m@v1.1.0 >"$TRASH/v.out" 2>&1
like "$(cat "$TRASH/v.out")" 'a \.zip without its \.info' "verify sees a .zip without its .info"
like "$(cat "$TRASH/v.out")" 'not quarantined: being fetched or published \(its lock is held\)' \
    "verify --quarantine: a held lock: not quarantined, and said"
ok "verify --quarantine: the zip of the locked version stays" test -f "$V/v1.1.0.zip"
ok "verify --quarantine: and its .mod" test -f "$V/v1.1.0.mod"
# The publish completes under the lock, then it is released: all well.
mv "$TRASH/v110.info" "$V/v1.1.0.info"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
"$PIRAEUS" verify --quarantine example.com/m@v1.1.0 >"$TRASH/v.out" 2>&1
ok $? "verify after the publish completed: all well" || diag_file "$TRASH/v.out"
# Without a holder, a version truly incomplete is quarantined.
mv "$V/v1.1.0.info" "$TRASH/v110.info"
"$PIRAEUS" verify --quarantine example.com/m@v1.1.0 >"$TRASH/v.out" 2>&1
like "$(cat "$TRASH/v.out")" 'quarantined to ' "no holder: the incomplete version is quarantined"
nok "and its zip has left the tree" test -e "$V/v1.1.0.zip"
unlike "$(cat "$TRASH/stderr" "$TRASH/v.out" "$TRASH/p.out")" \
    'AddressSanitizer|LeakSanitizer|runtime error:' "no sanitizer report"
done_testing

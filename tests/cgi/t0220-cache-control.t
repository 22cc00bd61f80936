#!/bin/sh
# t0220-cache-control.t: the Cache-Control header of every kind of answer,
# pinned: a version's files are immutable, what may change as versions
# appear (list, @latest, a query's .info) gets list_max_age, not-found
# answers get notfound_max_age, every other error and the live pages get
# no-store, the home page no-cache.  The max-ages are set away from their
# defaults too, so a value baked in instead of read from the config fails.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need perl zip

S=$TRASH/storage
mkstore "$S"
use_config "$S" "$TRASH/state"
ok "reindex the store" "$PIRAEUS" reindex

IMM="public, max-age=31536000, immutable"

# cc NAME WANT-STATUS WANT-CACHE METHOD URI [VAR=VALUE...]
cc()
{
	_name=$1 _st=$2 _cc=$3
	shift 3
	cgi "$@"
	is "$STATUS" "$_st" "$_name: status"
	is "$(hdr Cache-Control)" "$_cc" "$_name: Cache-Control"
}

for ext in info mod zip; do
	cc "$ext" 200 "$IMM" GET "/example.com/m/@v/v1.0.0.$ext"
	cc "$ext HEAD" 200 "$IMM" HEAD "/example.com/m/@v/v1.0.0.$ext"
done
cc "zip, x-sendfile" 200 "$IMM" GET /example.com/m/@v/v1.0.0.zip \
    PIRAEUS_SERVER_SENDFILE=x-sendfile

# The defaults, then other values from the environment.
for age in default 7 0; do
	if [ $age = default ]; then
		set -- ; want=60 nf=60
	else
		set -- PIRAEUS_SERVER_LIST_MAX_AGE=$age \
		    PIRAEUS_SERVER_NOTFOUND_MAX_AGE=$((age + 2))
		want=$age nf=$((age + 2))
	fi
	cc "list ($age)" 200 "public, max-age=$want" \
	    GET /example.com/m/@v/list "$@"
	cc "latest ($age)" 200 "public, max-age=$want" \
	    GET /example.com/m/@latest "$@"
	cc "query .info ($age)" 200 "public, max-age=$want" \
	    GET /example.com/m/@v/v1.0.0+meta.info "$@"
	cc "exact .info ($age)" 200 "$IMM" \
	    GET /example.com/m/@v/v1.0.0.info "$@"
	cc "404 .info ($age)" 404 "public, max-age=$nf" \
	    GET /example.com/m/@v/v1.9.9.info "$@"
	cc "404 query ($age)" 404 "public, max-age=$nf" \
	    GET /example.com/m/@v/master.info "$@"
	cc "404 list ($age)" 404 "public, max-age=$nf" \
	    GET /github.com/@v/list "$@"
	cc "404 latest ($age)" 404 "public, max-age=$nf" \
	    GET /example.org/none/@latest "$@"
	cc "400 ($age)" 400 "no-store" \
	    GET /example.com/m/@v/%zz.info "$@"
done

cc "405" 405 "no-store" POST /example.com/m/@v/list
cc "403 sumdb nosum" 403 "no-store" \
    GET /sumdb/sum.golang.org/lookup/example.com/m@v1.0.0 \
    PIRAEUS_SUMDB_NOSUM='example.com/*'
cc "502 sumdb down" 502 "no-store" \
    GET '/sumdb/sum.golang.org/lookup/example.com/x@v1.0.0' \
    PIRAEUS_SUMDB_DATABASES='sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 http://127.0.0.1:1'
cc "503 readyz" 503 "no-store" \
    GET /readyz PIRAEUS_STATE_DIR="$TRASH/nonexistent/deeper/state"
cc "500 bad config (no header at all)" 500 "" \
    GET /healthz PIRAEUS_STORAGE_BOGUS=1

cc "home" 200 "no-cache" GET / HTTP_HOST=h
cc "healthz" 200 "no-store" GET /healthz
cc "readyz" 200 "no-store" GET /readyz
cc "version" 200 "no-store" GET /version
cc "catalog" 200 "no-store" GET /catalog
cc "index" 200 "no-store" GET /index
cc "sumdb supported" 200 "no-store" GET /sumdb/sum.golang.org/supported

unlike "$(grep -v PIRAEUS_STORAGE_BOGUS "$TRASH/stderr")" \
    'Sanitizer|runtime error' "no sanitizer report from any request"

done_testing

#!/bin/sh
# t0200-cgi.t: the responder run as plain CGI, one process per request:
# every endpoint of the protocol from storage, the HTTP contract (types,
# lengths, ETags, cache headers, HEAD), hostile paths, the catalog and
# index, the site pages, sendfile modes and a broken configuration.
. "$top_srcdir/tests/lib/testlib.sh"
. "$top_srcdir/tests/cgi/lib.sh"
need perl zip

S=$TRASH/storage
mkstore "$S"
use_config "$S" "$TRASH/state"
ok "reindex the store" "$PIRAEUS" reindex

# --- list ---
cgi GET /example.com/m/@v/list
is "$STATUS" 200 "list: 200"
is "$(cat "$TRASH/body")" "v1.0.0
v1.1.0
v1.2.0-rc.1" "list: tagged versions sorted, retracted kept, no pseudo, stored list file ignored"
is "$(hdr Content-Type)" "text/plain; charset=utf-8" "list: content type"
is "$(hdr Cache-Control)" "public, max-age=60" "list: short max-age, not immutable"
is "$(hdr Content-Length)" "$(wc -c < "$TRASH/body" | tr -d ' ')" "list: Content-Length"

cgi GET /example.com/%21upper/@v/list
a=$(cat "$TRASH/body")
cgi GET '/example.com/!upper/@v/list'
is "$(cat "$TRASH/body")" "$a" "list: %21 and ! forms are the same"
is "$a" "v1.0.0" "list: upper-case module"
cgi GET /example.com/Upper/@v/list
is "$STATUS" 404 "list: a capital letter in the escaped path is 404"

cgi GET /example.com/pseudo/@v/list
is "$STATUS" 200 "list: pseudo-only module is 200"
is "$(wc -c < "$TRASH/body" | tr -d ' ')" 0 "list: pseudo-only module has an empty body"
cgi GET /github.com/@v/list
is "$STATUS" 404 "list: unknown prefix is 404"
like "$(cat "$TRASH/body")" '^not found: github.com: ' "list: not-found body names the module"

# --- info, mod, zip ---
for ext in info mod zip; do
	cgi GET "/example.com/m/@v/v1.0.0.$ext"
	is "$STATUS" 200 "$ext: 200"
	ok "$ext: body is the stored file" cmp -s "$TRASH/body" "$S/example.com/m/@v/v1.0.0.$ext"
	is "$(hdr Cache-Control)" "public, max-age=31536000, immutable" "$ext: immutable"
	is "$(hdr Content-Length)" "$(wc -c < "$S/example.com/m/@v/v1.0.0.$ext" | tr -d ' ')" "$ext: Content-Length"
	like "$(hdr ETag)" '^"[0-9a-f]{64}"$' "$ext: strong ETag"
	# (but the X-Request-Id each request gets its own of)
	get_hdr=$(printf '%s\n' "$HDR" | grep -v '^X-Request-Id:' | sort)
	cgi HEAD "/example.com/m/@v/v1.0.0.$ext"
	is "$(printf '%s\n' "$HDR" | grep -v '^X-Request-Id:' | sort)" "$get_hdr" "$ext: HEAD has the headers of GET"
	is "$(wc -c < "$TRASH/body" | tr -d ' ')" 0 "$ext: HEAD has no body"
done
cgi GET /example.com/m/@v/v1.0.0.zip
zsha=$(sha256sum "$S/example.com/m/@v/v1.0.0.zip" | cut -d' ' -f1)
is "$(hdr ETag)" "\"$zsha\"" "zip: ETag is the SHA-256 of the zip"
is "$(hdr Content-Type)" "application/zip" "zip: content type"
cgi GET /example.com/m/@v/v1.0.0.info
is "$(hdr Content-Type)" "application/json" "info: content type"

# --- conditional GET of what the responder sends itself (RFC 9110, 13) ---
for ext in info mod zip; do
	cgi GET "/example.com/m/@v/v1.0.0.$ext"
	tag=$(hdr ETag)
	cgi GET "/example.com/m/@v/v1.0.0.$ext" "HTTP_IF_NONE_MATCH=$tag"
	is "$STATUS" 304 "$ext: If-None-Match with its ETag: 304"
	is "$(wc -c < "$TRASH/body" | tr -d ' ')" 0 "$ext: 304 has no body"
	is "$(hdr ETag)" "$tag" "$ext: 304 repeats the ETag"
	is "$(hdr Cache-Control)" "public, max-age=31536000, immutable" \
	    "$ext: 304 repeats Cache-Control"
	cgi GET "/example.com/m/@v/v1.0.0.$ext" "HTTP_IF_NONE_MATCH=\"x\", W/$tag"
	is "$STATUS" 304 "$ext: in a list, weakly compared: 304"
	cgi GET "/example.com/m/@v/v1.0.0.$ext" 'HTTP_IF_NONE_MATCH="other"'
	is "$STATUS" 200 "$ext: another ETag: 200"
	ok "$ext: and the body" cmp -s "$TRASH/body" "$S/example.com/m/@v/v1.0.0.$ext"
	cgi GET "/example.com/m/@v/v1.0.0.$ext" "HTTP_IF_NONE_MATCH=$tag junk"
	is "$STATUS" 200 "$ext: a malformed If-None-Match: 200"
done
cgi GET /example.com/m/@v/v1.0.0.info 'HTTP_IF_NONE_MATCH=*'
is "$STATUS" 304 "If-None-Match *: 304"
cgi GET /example.com/m/@v/v1.0.0.mod
is "$(hdr Content-Type)" "text/plain; charset=utf-8" "mod: content type"

cgi GET '/example.com/%21upper/@v/v1.0.0.zip'
is "$STATUS" 200 "zip of an upper-case module"
cgi GET '/example.com/nomod/@v/v3.0.0+incompatible.mod'
is "$STATUS" 200 "+incompatible: .mod served (+ is not a space)"
is "$(cat "$TRASH/body")" "module example.com/nomod" "+incompatible: synthetic go.mod"
cgi GET '/example.com/nomod/@v/v3.0.0%2Bincompatible.info'
is "$STATUS" 200 "+incompatible: %2B decodes to +"
cgi GET '/example.com/m/v2/@v/v2.0.0.info'
is "$STATUS" 200 "/v2 module"
cgi GET /example.com/m/@v/v0.0.0-20200401000000-abcdefabcdef.zip
is "$STATUS" 200 "pseudo-version zip is served"

cgi GET /example.com/m/@v/v1.0.zip
is "$STATUS" 404 "zip: non-canonical version is 404"
cgi GET /example.com/m/@v/v2.0.0.mod
is "$STATUS" 404 "mod: version of the wrong major is 404"
cgi GET /example.com/m/@v/v1.9.9.info
is "$STATUS" 404 "info: missing version is 404"
like "$(head -n 1 "$TRASH/body")" "^not found: example.com/m@v1.9.9: not in storage" "not-found body"
is "$(hdr Content-Type)" "text/plain; charset=utf-8" "not-found content type"
cgi GET /example.com/m/@v/v1.0.0+meta.info
is "$STATUS" 200 "info: build metadata resolves to the canonical version"
like "$(cat "$TRASH/body")" '"Version":"v1.0.0"' "info: canonical Version in the answer"
cgi GET /example.com/m/@v/master.info
is "$STATUS" 404 "info: a branch query without a fetcher is 404"
cgi GET /example.com/m/@v/v1.0.0.ziphash
is "$STATUS" 404 ".ziphash is never served"
cgi GET /example.com/m/@v/v1.0.0.lock
is "$STATUS" 404 ".lock is never served"

# --- @latest ---
cgi GET /example.com/m/@latest
is "$STATUS" 200 "latest: 200"
like "$(cat "$TRASH/body")" '"Version":"v1.0.0"' "latest: v1.1.0 retracts itself, rc and pseudo lose to v1.0.0"
is "$(hdr Cache-Control)" "public, max-age=60" "latest: short max-age"
cgi GET /example.com/pseudo/@latest
like "$(cat "$TRASH/body")" '"Version":"v0.0.0-20200701000000-0123456789ab"' "latest: pseudo-only module answers its pseudo-version"
cgi GET /example.org/none/@latest
is "$STATUS" 404 "latest: unknown module is 404"

# --- hostile requests: rejected before the disk ---
for u in '/../../etc/passwd' '/example.com/m/@v/..%2f..%2fp.info' \
    '/example.com/%2e%2e/@v/list' '/example.com/m/@v/%00.info' \
    '/example.com/m/@v/v1.0.0.info%0a' '/.tmp/x/@v/v1.0.0.zip' \
    '/example.com/m/@v/list/' '/example.com//m/@v/list' \
    '/example.com/m/@v/v1.0.0.exe' '/example.com/m/@x' \
    '/example.com/m/@v/' '/x.y/aux/@v/list' '/x.y/z/v1/@v/list' \
    '/example.com/!0m/@v/list' '/example.com/m/@v/%zz.info'; do
	cgi GET "$u"
	case $STATUS in
	400|404) pass "hostile $u: $STATUS" ;;
	*) fail "hostile $u: $STATUS" ;;
	esac
	like "$(hdr Content-Type)" '^text/plain; charset=utf-8$' "hostile $u: text body"
done
long=$(head -c 5000 /dev/zero | tr '\0' a)
cgi GET "/example.com/$long/@v/list"
is "$STATUS" 400 "a request URI over the cap is 400"
cgi POST /example.com/m/@v/list
is "$STATUS" 405 "POST is 405"
is "$(hdr Allow)" "GET, HEAD" "405 says what is allowed"

# --- site pages ---
cgi GET / HTTP_HOST=proxy.example:3000
is "$STATUS" 200 "home: 200"
like "$(cat "$TRASH/body")" 'GOPROXY=http://proxy.example:3000' "home: GOPROXY line from Host"
cgi GET / HTTP_HOST=proxy.example HTTPS=on
like "$(cat "$TRASH/body")" 'GOPROXY=https://proxy.example' "home: https"
cgi GET / 'HTTP_HOST=<script>'
unlike "$(cat "$TRASH/body")" '<script>' "home: a hostile Host is not echoed"
printf 'Use {{GOPROXY}} now\n' > "$TRASH/home.tmpl"
cgi GET / HTTP_HOST=h PIRAEUS_SERVER_HOME_TEMPLATE="$TRASH/home.tmpl"
is "$(cat "$TRASH/body")" "Use http://h now" "home: template override"
cgi GET /go/ HTTP_HOST=h PIRAEUS_SERVER_BASE_PATH=/go
like "$(cat "$TRASH/body")" 'GOPROXY=http://h/go' "home: base path in the GOPROXY line"
cgi GET /go/example.com/m/@v/list PIRAEUS_SERVER_BASE_PATH=/go
is "$STATUS" 200 "base path: list below it"
cgi GET /example.com/m/@v/list PIRAEUS_SERVER_BASE_PATH=/go
is "$STATUS" 404 "base path: paths outside it are 404"
cgi GET /healthz
is "$STATUS" 200 "healthz"
cgi GET /readyz
is "$STATUS" 200 "readyz"
cgi GET /readyz PIRAEUS_STATE_DIR="$TRASH/nonexistent/deeper/state"
is "$STATUS" 503 "readyz: 503 when the index cannot be opened"
cgi GET /version
like "$(cat "$TRASH/body")" '^\{"version":"[0-9.]+","date":"[0-9T:Z-]+"\}$' "version: JSON"
is "$(hdr Content-Type)" "application/json" "version: content type"
cgi GET /sumdb/sum.golang.org/supported
is "$STATUS" 200 "sumdb: the default database is proxied (supported answered here)"
cgi GET /sumdb/sum.example.org/supported
is "$STATUS" 404 "sumdb: another database is not: clients go direct"
cgi GET /sumdb/sum.golang.org/lookup/example.com/m@v1.0.0 \
    PIRAEUS_SUMDB_NOSUM='example.com/*'
is "$STATUS" 403 "sumdb: a nosum module's lookup is 403 (no network needed)"
cgi GET '/sumdb/sum.golang.org/lookup/example.com/%21private/x@v1.0.0' \
    PIRAEUS_SUMDB_NOSUM='example.com/Private'
is "$STATUS" 403 "sumdb: nosum matches the unescaped path, a prefix without a wildcard too"
like "$(cat "$TRASH/body")" 'example.com/Private/x' "sumdb: the 403 names the module"
cgi GET '/sumdb/sum.golang.org/lookup/example.com/%21private/x@v1.0.0' \
    PIRAEUS_SUMDB_NOSUM='example.com/private' PIRAEUS_SUMDB_DATABASES='sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 http://127.0.0.1:1'
# Module paths are compared case-folded for privacy (hosts such as
# github.com do not tell Corp from corp): a nosum pattern also keeps a
# differently cased path from the public database.  Folding only ever
# adds privacy; the go command, case-sensitive, would ask, so this errs
# on the side of never naming a private module upstream.
is "$STATUS" 403 "sumdb: another case of a nosum module is not named upstream either (403)"
cgi GET '/sumdb/sum.golang.org/lookup/example.com/%21other/x@v1.0.0' \
    PIRAEUS_SUMDB_NOSUM='example.com/private' PIRAEUS_SUMDB_DATABASES='sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 http://127.0.0.1:1'
is "$STATUS" 502 "sumdb: another module is forwarded (the database is down: 502)"

# --- catalog and index ---
cgi GET /catalog
is "$STATUS" 200 "catalog: 200"
is "$(cat "$TRASH/body")" '{"modules":[{"module":"example.com/Upper","version":"v1.0.0"},{"module":"example.com/m","version":"v0.0.0-20200401000000-abcdefabcdef"},{"module":"example.com/m","version":"v1.0.0"},{"module":"example.com/m","version":"v1.1.0"},{"module":"example.com/m","version":"v1.2.0-rc.1"},{"module":"example.com/m/v2","version":"v2.0.0"},{"module":"example.com/nomod","version":"v3.0.0+incompatible"},{"module":"example.com/pseudo","version":"v0.0.0-20200701000000-0123456789ab"}]}' "catalog: every stored version, no next"
cgi GET '/catalog?pagesize=3'
like "$(cat "$TRASH/body")" '"next":"example.com/m@v1.0.0"' "catalog: next token"
cgi GET '/catalog?pagesize=3&token=example.com/m@v1.0.0'
like "$(cat "$TRASH/body")" '^\{"modules":\[\{"module":"example.com/m","version":"v1.1.0"\}' "catalog: the page after the token"
cgi GET '/catalog?pagesize=x'
is "$STATUS" 400 "catalog: bad pagesize is 400"
cgi GET '/catalog?token=..@..'
is "$STATUS" 400 "catalog: bad token is 400"
cgi GET '/index'
is "$(wc -l < "$TRASH/body" | tr -d ' ')" 8 "index: one line per version"
like "$(head -n 1 "$TRASH/body")" '^\{"Path":"[^"]+","Version":"[^"]+","Timestamp":"[0-9-]+T[0-9:.]+Z"\}$' "index: NDJSON line shape"
cgi GET '/index?limit=2'
is "$(wc -l < "$TRASH/body" | tr -d ' ')" 2 "index: limit"
cgi GET '/index'
t5=$(sed -n 5p "$TRASH/body" | sed 's/.*"Timestamp":"\([^"]*\)".*/\1/')
cgi GET "/index?since=$t5"
is "$(wc -l < "$TRASH/body" | tr -d ' ')" 4 "index: since is inclusive"
cgi GET '/index?since=2999-01-01T00:00:00Z'
is "$(wc -c < "$TRASH/body" | tr -d ' ')" 0 "index: nothing since the future"
cgi GET '/index?limit=0'
is "$STATUS" 400 "index: limit 0 is 400"
cgi GET '/index?since=yesterday'
is "$STATUS" 400 "index: bad since is 400"

# --- front-server hand-off ---
cgi GET /example.com/m/@v/v1.0.0.zip PIRAEUS_SERVER_SENDFILE=x-sendfile
is "$(hdr X-Sendfile)" "$S/example.com/m/@v/v1.0.0.zip" "x-sendfile: the absolute path"
is "$(wc -c < "$TRASH/body" | tr -d ' ')" 0 "x-sendfile: no body from the responder"
cgi GET '/example.com/%21upper/@v/v1.0.0.zip' PIRAEUS_SERVER_SENDFILE=x-accel-redirect
is "$(hdr X-Accel-Redirect)" "/_piraeus_storage/example.com/!upper/@v/v1.0.0.zip" "x-accel-redirect: below the internal prefix"
# Every stored file is handed off, never read (the every-request
# deployment sends hits through the responder): .info and .mod too, HEAD
# too, with the responder's Content-Type, Cache-Control and an ETag (the
# server answers If-None-Match with it), no length, no body.
for m in GET HEAD; do
	for ext in info mod zip; do
		f=$S/example.com/m/@v/v1.0.0.$ext
		cgi $m "/example.com/m/@v/v1.0.0.$ext" PIRAEUS_SERVER_SENDFILE=x-sendfile
		is "$STATUS" 200 "x-sendfile $m .$ext: 200"
		is "$(hdr X-Sendfile)" "$f" "x-sendfile $m .$ext: handed off"
		is "$(wc -c < "$TRASH/body" | tr -d ' ')" 0 "x-sendfile $m .$ext: no body"
		is "$(hdr Content-Length)" "" "x-sendfile $m .$ext: the server's Content-Length"
		is "$(hdr Cache-Control)" "public, max-age=31536000, immutable" "x-sendfile $m .$ext: immutable"
		isnt "$(hdr ETag)" "" "x-sendfile $m .$ext: an ETag"
		cgi $m "/example.com/m/@v/v1.0.0.$ext" PIRAEUS_SERVER_SENDFILE=x-accel-redirect
		is "$(hdr X-Accel-Redirect)" "/_piraeus_storage/example.com/m/@v/v1.0.0.$ext" "x-accel-redirect $m .$ext: handed off"
		is "$(wc -c < "$TRASH/body" | tr -d ' ')" 0 "x-accel-redirect $m .$ext: no body"
	done
done
cgi GET /example.com/m/@v/v1.0.0.info PIRAEUS_SERVER_SENDFILE=x-sendfile
is "$(hdr Content-Type)" "application/json" "x-sendfile .info: application/json"
cgi GET /example.com/m/@v/v1.0.0.mod PIRAEUS_SERVER_SENDFILE=x-sendfile
is "$(hdr Content-Type)" "text/plain; charset=utf-8" "x-sendfile .mod: text/plain"
# A file the tree does not hold as a version is still not served.
cgi GET /example.com/m/@v/v1.9.9.info PIRAEUS_SERVER_SENDFILE=x-sendfile
is "$STATUS" 404 "x-sendfile: a missing version is 404"
is "$(hdr X-Sendfile)" "" "x-sendfile: nothing named for a miss"

# --- a broken configuration ---
unlike "$(cat "$TRASH/stderr")" 'Sanitizer|runtime error' "no sanitizer report from any request"

cgi GET /healthz PIRAEUS_STORAGE_BOGUS=1
is "$STATUS" 500 "a bad configuration answers 500 under CGI"
like "$(cat "$TRASH/stderr")" 'PIRAEUS_STORAGE_BOGUS' "and the log names the bad key"

done_testing

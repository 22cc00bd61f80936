/*
 * test_access_hide.c: what [access] hides stays hidden in the listings
 * and in our checksum database's data tiles, as tables over real
 * endpoints (ep_catalog, ep_index, ep_sumdb, ep_home on a real index).
 *
 * The index holds 480 modules of 2 versions each, "ex.com/NNN/p" (public)
 * and "ex.com/NNN/h" (a rule gives them to alice alone): interleaved for
 * NNN < 150, then a run of 300 hidden modules (600 rows, more than one
 * batch of the filtered read), then 30 public ones; stored in an order
 * unlike the catalog's.  Who may see what is computed here from the names
 * (not by access.c).  For each user and page size, a client pages through
 * /catalog by its tokens and /index by the last Timestamp: it must get
 * exactly the rows it may see, in order, every page but the last full,
 * every token naming a row it was shown; the answers are private to
 * shared caches.  Data tiles of the private database: 404 to a user who
 * may not see one of their records, 200 otherwise; hash tiles and latest
 * to anyone.  The home page's GONOSUMDB leaves out hidden patterns.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "http.h"
#include "tap.h"

#define PATH_CAP	PATH_MAX
#include "testfile.h"
#include "testproxy.h"
#include "testhttp.h"

#define NMOD		480
#define NVER		2
#define NROWS		(NMOD * NVER)
#define DBNAME		"private.example"
#define STORED_BASE	INT64_C(1000000000000000000)

static struct proxy	px;

/* Module i: hidden from all but alice when it is an "h" module. */
static int
mod_hidden(int i)
{
	return (i < 150 && i % 3 != 0) || (i >= 150 && i < 450);
}

static void
mod_name(int i, char *dst, size_t dstsz)
{
	snprintf(dst, dstsz, "ex.com/%03d/%c", i, mod_hidden(i) ? 'h' : 'p');
}

/* Row k (module k / NVER, version k % NVER): stored at a time that is a
 * permutation of the rows (37 is prime to NROWS). */
static int64_t
row_stored(int k)
{
	return STORED_BASE + (int64_t)((k * 37) % NROWS) * 1000;
}

/* What user may see of row k. */
static int
row_visible(const char *user, int k)
{
	return !mod_hidden(k / NVER) || (user != NULL &&
	    strcmp(user, "alice") == 0);
}

/* "module version" of row k. */
static void
row_text(int k, char *dst, size_t dstsz)
{
	char m[64];

	mod_name(k / NVER, m, sizeof(m));
	snprintf(dst, dstsz, "%s v1.%d.0", m, k % NVER);
}

/* Answer uri with ep as user (NULL: anonymous) into out; the status. */
static int
call(endpoint_fn *ep, const char *uri, const char *user, int *private)
{
	struct request r;
	struct response rs;
	struct io io = { NULL, capture, NULL };
	struct err e;
	int status;

	outlen = 0;
	out[0] = '\0';
	err_clear(&e);
	if (request_parse_uri(&r, "GET", uri, "", &e) == -1) {
		printf("# %s: %s\n", uri, e.msg);
		exit(99);
	}
	memset(&r.who, 0, sizeof(r.who));
	if (user != NULL) {
		snprintf(r.who_user, sizeof(r.who_user), "%s", user);
		r.who.user = r.who_user;
	}
	response_init(&rs, &io, 0, &px.cfg);
	if (ep(&px, &r, &rs, &e) == -1)
		response_error(&rs, &r, &e);
	status = rs.status;
	*private = rs.private_cache;
	response_free(&rs);
	return status;
}

/* The rows user may see, in catalog order (module, version) or in
 * stored order, as "module version" lines. */
static void
want_rows(const char *user, int stored_order, char (*rows)[96], int *n)
{
	int k, j, best;
	static int used[NROWS];

	*n = 0;
	if (!stored_order) {
		/* Names sort as the numbers do: the catalog order. */
		for (k = 0; k < NROWS; k++)
			if (row_visible(user, k))
				row_text(k, rows[(*n)++], sizeof(rows[0]));
		return;
	}
	memset(used, 0, sizeof(used));
	for (;;) {
		best = -1;
		for (j = 0; j < NROWS; j++)
			if (!used[j] && row_visible(user, j) && (best == -1 ||
			    row_stored(j) < row_stored(best)))
				best = j;
		if (best == -1)
			return;
		used[best] = 1;
		row_text(best, rows[(*n)++], sizeof(rows[0]));
	}
}

static char	wanted[NROWS][96], got[NROWS + 16][96];

/* Page through /catalog as user with pagesize; check every page. */
static void
test_catalog(const char *user, int pagesize)
{
	char uri[512], name[160], tok[256], last[96], *pfx;
	struct json_object *top, *mods, *o, *next;
	const char *b;
	size_t blen;
	int nwant, ngot = 0, pages = 0, short_mid = 0, bad_tok = 0, priv;
	int status, privall = 1, n, i;

	want_rows(user, 0, wanted, &nwant);
	tok[0] = '\0';
	snprintf(name, sizeof(name), "catalog as %s, pagesize %d",
	    user ? user : "anonymous", pagesize);
	for (;;) {
		snprintf(uri, sizeof(uri), "/catalog?pagesize=%d%s%s",
		    pagesize, tok[0] ? "&token=" : "", tok);
		if ((status = call(ep_catalog, uri, user, &priv)) != 200) {
			printf("# %s: %d\n", uri, status);
			break;
		}
		privall &= priv;
		b = body(&blen);
		if ((top = json_tokener_parse(b)) == NULL ||
		    !json_object_object_get_ex(top, "modules", &mods)) {
			printf("# %s: not the catalog's JSON\n", uri);
			json_object_put(top);
			break;
		}
		pages++;
		n = (int)json_object_array_length(mods);
		last[0] = '\0';
		for (i = 0; i < n && ngot < (int)NITEMS(got); i++) {
			o = json_object_array_get_idx(mods, (size_t)i);
			snprintf(got[ngot], sizeof(got[0]), "%s %s",
			    json_object_get_string(json_object_object_get(o,
			    "module")), json_object_get_string(
			    json_object_object_get(o, "version")));
			snprintf(last, sizeof(last), "%s", got[ngot++]);
		}
		if (!json_object_object_get_ex(top, "next", &next)) {
			json_object_put(top);
			break;
		}
		if (n != pagesize)
			short_mid++;
		snprintf(tok, sizeof(tok), "%s", json_object_get_string(next));
		/* The token names the page's last row: "module@version". */
		if ((pfx = strchr(last, ' ')) != NULL)
			*pfx = '@';
		if (strcmp(tok, last) != 0) {
			printf("# token %s is not the last row %s\n", tok,
			    last);
			bad_tok++;
		}
		json_object_put(top);
		if (pages > NROWS + 1)
			break;
	}
	for (i = 0; i < ngot && i < nwant; i++)
		if (strcmp(got[i], wanted[i]) != 0)
			break;
	if (!ok(ngot == nwant && i == nwant, name))
		printf("#   %d rows, %d wanted; first difference at %d: "
		    "'%s' for '%s'\n", ngot, nwant, i, i < ngot ? got[i] : "",
		    i < nwant ? wanted[i] : "");
	snprintf(name, sizeof(name), "catalog as %s, pagesize %d: every page "
	    "but the last full, every token the last row shown",
	    user ? user : "anonymous", pagesize);
	ok(short_mid == 0 && bad_tok == 0 && pages == (nwant == 0 ? 1 :
	    (nwant + pagesize - 1) / pagesize), name);
	snprintf(name, sizeof(name), "catalog as %s, pagesize %d: private to "
	    "shared caches", user ? user : "anonymous", pagesize);
	ok(privall, name);
}

/* Page through /index as user with limit, since = the last Timestamp. */
static void
test_index(const char *user, int limit)
{
	char uri[512], name[160], since[80], text[96];
	struct json_object *o;
	const char *b, *line, *nl;
	size_t blen;
	int nwant, ngot = 0, pages = 0, priv, privall = 1;
	int status, lines, i;

	want_rows(user, 1, wanted, &nwant);
	since[0] = '\0';
	for (;;) {
		snprintf(uri, sizeof(uri), "/index?limit=%d%s%s", limit,
		    since[0] ? "&since=" : "", since);
		if ((status = call(ep_index, uri, user, &priv)) != 200) {
			printf("# %s: %d\n", uri, status);
			break;
		}
		privall &= priv;
		pages++;
		b = body(&blen);
		lines = 0;
		for (line = b; *line != '\0'; line = nl + 1) {
			if ((nl = strchr(line, '\n')) == NULL)
				break;
			lines++;
			o = json_tokener_parse(line);
			snprintf(text, sizeof(text), "%s %s",
			    json_object_get_string(json_object_object_get(o,
			    "Path")), json_object_get_string(
			    json_object_object_get(o, "Version")));
			snprintf(since, sizeof(since), "%s",
			    json_object_get_string(json_object_object_get(o,
			    "Timestamp")));
			json_object_put(o);
			/* since is inclusive: the last row comes again. */
			if ((ngot == 0 || strcmp(got[ngot - 1], text) != 0) &&
			    ngot < (int)NITEMS(got))
				snprintf(got[ngot++], sizeof(got[0]), "%s",
				    text);
		}
		/* A short page ends the feed: one before the end loses the
		 * rows after it. */
		if (lines < limit || pages > NROWS + 1)
			break;
	}
	for (i = 0; i < ngot && i < nwant; i++)
		if (strcmp(got[i], wanted[i]) != 0)
			break;
	snprintf(name, sizeof(name), "index as %s, limit %d: exactly the "
	    "visible rows, in stored order (%d pages, the last one short)",
	    user ? user : "anonymous", limit, pages);
	if (!ok(ngot == nwant && i == nwant, name))
		printf("#   %d rows, %d wanted; first difference at %d: "
		    "'%s' for '%s'\n", ngot, nwant, i, i < ngot ? got[i] : "",
		    i < nwant ? wanted[i] : "");
	snprintf(name, sizeof(name), "index as %s, limit %d: private to "
	    "shared caches", user ? user : "anonymous", limit);
	ok(privall, name);
}

/* Row v's files in the storage tree (.info, .mod): the tree is the
 * truth, and a listing first catches the index up with it (a row whose
 * .info is gone is deleted), so every row is stored as published. */
static int
fill_tree(const struct index_version *v)
{
	static const char *const ext[] = { ".info", ".mod" };
	char dir[PATH_MAX], path[PATH_MAX], body[256];
	const char *p;
	size_t i;
	int len;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s/@v", px.store.root,
	    v->module) >= sizeof(dir))
		return -1;
	/* Each directory below the root, made in turn. */
	for (p = dir + strlen(px.store.root) + 1; (p = strchr(p, '/')) != NULL;
	    p++) {
		snprintf(path, sizeof(path), "%.*s", (int)(p - dir), dir);
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return -1;
	}
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return -1;
	for (i = 0; i < NITEMS(ext); i++) {
		if (i == 0)
			len = snprintf(body, sizeof(body), "{\"Version\":\"%s\","
			    "\"Time\":\"%s\"}", v->version, v->time);
		else
			len = snprintf(body, sizeof(body), "module %s\n",
			    v->module);
		if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", dir,
		    v->version, ext[i]) >= sizeof(path) ||
		    write_file(path, body, (size_t)len) == -1)
			return -1;
	}
	return 0;
}

/* The index rows (each stored in the tree too) and the log's records. */
static int
fill(void)
{
	struct index_version v;
	struct err e;
	char zh1[H1_MAX], mh1[H1_MAX];
	int k;

	err_clear(&e);
	for (k = 0; k < NROWS; k++) {
		memset(&v, 0, sizeof(v));
		mod_name(k / NVER, v.module, sizeof(v.module));
		snprintf(v.version, sizeof(v.version), "v1.%d.0", k % NVER);
		snprintf(v.time, sizeof(v.time), "2020-01-01T00:00:00Z");
		v.stored = row_stored(k);
		v.zip_size = 10;
		v.has_info = v.has_zip = 1;
		snprintf(v.origin, sizeof(v.origin), "test");
		if (fill_tree(&v) == -1) {
			printf("# %s@%s: cannot store it\n", v.module,
			    v.version);
			return -1;
		}
		if (index_put(px.idx, &v, &e) == -1) {
			printf("# index_put: %s\n", e.msg);
			return -1;
		}
	}
	/* The log: records 0-2 public, 3 hidden, 4-255 public and hidden
	 * (module i), 256-261 public. */
	for (k = 0; k < 262; k++) {
		char m[64], ver[32];

		if (k < 3 || k >= 256)
			snprintf(m, sizeof(m), "ex.com/%03d/p", 450 + k % 30);
		else if (k == 3)
			snprintf(m, sizeof(m), "ex.com/%03d/h", 151);
		else
			mod_name(k, m, sizeof(m));
		/* Each record its own version. */
		snprintf(ver, sizeof(ver), "v2.%d.0", k);
		snprintf(zh1, sizeof(zh1), "h1:z%d=", k);
		snprintf(mh1, sizeof(mh1), "h1:m%d=", k);
		if (sumdb_log_add(px.idx, &px.signer, m, ver, zh1, mh1,
		    &e) == -1) {
			printf("# sumdb_log_add %d: %s\n", k, e.msg);
			return -1;
		}
	}
	return 0;
}

/* Data, hash tiles and latest of the private database, per user. */
static void
test_tiles(void)
{
	static const struct {
		const char	*path;
		const char	*user;
		int		 status;
		int		 private;	/* Cache-Control private */
	} cases[] = {
		/* Records 0-2 are public: anyone. */
		{ "tile/8/data/000.p/3", "dave", 200, 1 },
		{ "tile/8/data/000.p/3", NULL, 200, 1 },
		{ "tile/8/data/000.p/3", "alice", 200, 1 },
		/* Record 3 is hidden: alice only. */
		{ "tile/8/data/000.p/4", "dave", 404, 1 },
		{ "tile/8/data/000.p/4", NULL, 404, 1 },
		{ "tile/8/data/000.p/4", "alice", 200, 1 },
		{ "tile/8/data/000", "dave", 404, 1 },
		{ "tile/8/data/000", "alice", 200, 1 },
		/* Records 256-261: public. */
		{ "tile/8/data/001.p/6", "dave", 200, 1 },
		{ "tile/8/data/001.p/6", NULL, 200, 1 },
		/* Beyond the log: 404 for everyone. */
		{ "tile/8/data/001.p/7", "alice", 404, 1 },
		/* Hash tiles and the tree head name no module. */
		{ "tile/8/0/000", "dave", 200, 0 },
		{ "tile/8/0/000", NULL, 200, 0 },
		{ "tile/8/0/001.p/6", "dave", 200, 0 },
		{ "tile/8/1/000.p/1", "dave", 200, 0 },
		{ "latest", "dave", 200, 0 },
		{ "latest", NULL, 200, 0 },
	};
	char uri[256], name[200], hidden404[512] = "";
	const char *b;
	size_t i, blen;
	int status, priv;

	for (i = 0; i < NITEMS(cases); i++) {
		snprintf(uri, sizeof(uri), "/sumdb/%s/%s", DBNAME,
		    cases[i].path);
		status = call(ep_sumdb, uri, cases[i].user, &priv);
		snprintf(name, sizeof(name), "%s as %s: %d%s", cases[i].path,
		    cases[i].user ? cases[i].user : "anonymous",
		    cases[i].status, cases[i].private ? ", private" : "");
		if (!ok(status == cases[i].status && priv == cases[i].private,
		    name))
			printf("#   got %d, private %d: %s\n", status, priv,
			    out);
		b = body(&blen);
		if (status == 200 && strncmp(cases[i].path, "tile/8/data/",
		    12) == 0 && strstr(b, "/h ") != NULL &&
		    (cases[i].user == NULL || strcmp(cases[i].user, "alice")))
			ok(0, "a data tile served names a hidden module");
		if (status == 404 && cases[i].user != NULL &&
		    strcmp(cases[i].user, "dave") == 0)
			snprintf(hidden404, sizeof(hidden404), "%.*s",
			    (int)blen, b);
	}
	ok(strstr(hidden404, "/h") == NULL && strstr(hidden404, "ex.com") ==
	    NULL, "the 404 of a hidden data tile names no module");
}

/* The home page's GONOSUMDB per user. */
static void
test_home(void)
{
	static const struct {
		const char	*user;
		const char	*want;
	} cases[] = {
		{ "alice", "<code>ex.com/*/h,open.example,ex.com/151/h/sub"
		  "</code>" },
		{ "dave", "<code>open.example</code>" },
		{ NULL, "<code>open.example</code>" },
	};
	char name[160];
	size_t i;
	int priv;

	for (i = 0; i < NITEMS(cases); i++) {
		call(ep_home, "/", cases[i].user, &priv);
		snprintf(name, sizeof(name), "home as %s: GONOSUMDB %s",
		    cases[i].user ? cases[i].user : "anonymous",
		    cases[i].want);
		if (!ok(strstr(out, cases[i].want) != NULL, name))
			printf("#   %s\n", out);
		ok(strstr(header("Cache-Control"), "private") != NULL,
		    "home: private to shared caches");
	}
}

int
main(void)
{
	static const struct {
		const char	*user;
		int		 n;		/* pagesize, limit */
	} pages[] = {
		{ "dave", 1 }, { "dave", 3 }, { "dave", 7 }, { "dave", 1000 },
		{ NULL, 4 }, { "alice", 5 }, { "alice", 1000 },
	};
	char tmpl[] = "/tmp/test_access_hide.XXXXXX", path[PATH_MAX];
	char text[4 * PATH_MAX], cmd[PATH_MAX + 16], *skey, *vkey;
	struct err e;
	size_t i;

	log_set_level(LOG_LVL_WARN);
	if (mkdtemp(tmpl) == NULL)
		return 99;
	err_clear(&e);
	path_join(path, tmpl, "skey");
	if (note_keygen(DBNAME, &skey, &vkey, &e) == -1 ||
	    write_file(path, skey, strlen(skey)) == -1 ||
	    chmod(path, 0600) == -1)
		return 99;
	free(skey);
	free(vkey);
	path_join(path, tmpl, "access");
	snprintf(text, sizeof(text), "user alice\nuser dave\n"
	    "allow ex.com/*/h alice\n");
	if (write_file(path, text, strlen(text)) == -1)
		return 99;
	snprintf(text, sizeof(text), "[server]\nevery_request = yes\n"
	    "[upstream]\nnetwork_mode = offline\n"
	    "[sumdb]\nnosum = ex.com/*/h,open.example,ex.com/151/h/sub\n"
	    "private_key = %s/skey\n[access]\nfile = %s/access\n"
	    "anonymous = yes\n", tmpl, tmpl);
	if (testproxy_open(&px, tmpl, text) == -1 || !px.has_signer ||
	    px.acl == NULL)
		return 99;
	if (!ok(fill() == 0, "index rows and log records made"))
		return tap_done();
	for (i = 0; i < NITEMS(pages); i++)
		test_catalog(pages[i].user, pages[i].n);
	for (i = 0; i < NITEMS(pages); i++)
		if (pages[i].n > 1)
			test_index(pages[i].user, pages[i].n);
	test_tiles();
	test_home();
	proxy_close(&px);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		return 99;
	return tap_done();
}

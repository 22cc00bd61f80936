/*
 * test_fetch.c: fetch.c, what one upstream proxy entry answers, against a
 * file:// GOPROXY tree written here (libcurl reads file:// URLs; a file
 * that is not there is "not found").
 *
 * fetch_files: the files each kind needs land in the store's .tmp with
 * upstream's exact bytes and the zip's SHA-256 as dirhash computes it;
 * WANT_MOD fetches the .mod alone; a file the tree holds is not fetched
 * again; a missing version is E_NOTFOUND; an .info over INFO_MAX is
 * refused and one of exactly INFO_MAX bytes is not.  fetch_list: the
 * list's bytes.  fetch_latest: a tree's @latest checked, and without one
 * the latest of its list as the go command picks it.  fetch_query: a
 * query's .info byte for byte with its canonical version, an .info naming
 * no valid version (UPSTREAM_TRY_LAST), and queries holding characters
 * that must reach the URL escaped (only the escaped file exists).
 */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

#define PATH_CAP	PATH_MAX
#include "testfile.h"
#include "testmod.h"

#define MOD	"example.com/Fetch"
#define EMOD	"example.com/!fetch"
#define GOMOD	"module example.com/Fetch\n\ngo 1.20\n"
#define INFO(v)	"{\"Version\":\"" v "\",\"Time\":\"2023-01-02T03:04:05Z\"}"

static char up[PATH_MAX];		/* the upstream tree */
static struct fetch_env env;
static struct upstream u;

/* Write an upstream file: up/<rel>. */
static void
put(const char *rel, const char *data)
{
	if (testmod_put(up, data, strlen(data), "%s", rel) == -1) {
		printf("# cannot write %s/%s\n", up, rel);
		exit(99);
	}
}

/* 1 when path holds the same bytes as the upstream file up/<rel>. */
static int
same_as_upstream(const char *path, const char *rel)
{
	char upath[PATH_MAX];
	unsigned char *a, *b;
	size_t na, nb;
	int same;

	if (path == NULL)
		return 0;
	path_join(upath, up, rel);
	if ((a = read_file(path, &na)) == NULL)
		return 0;
	if ((b = read_file(upath, &nb)) == NULL) {
		free(a);
		return 0;
	}
	same = na == nb && memcmp(a, b, na) == 0;
	free(a);
	free(b);
	return same;
}

/* How many files the store's .tmp holds. */
static int
tmp_count(void)
{
	struct dirent *d;
	DIR *dp;
	int n = 0;

	if ((dp = opendir(env.store->tmp)) == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dp);
	return n;
}

/* 1 when path is a file directly in the store's .tmp. */
static int
in_tmp(const char *path)
{
	size_t n = strlen(env.store->tmp);

	return path != NULL && strncmp(path, env.store->tmp, n) == 0 &&
	    path[n] == '/' && strchr(path + n + 1, '/') == NULL;
}

static void
test_files(const char *root)
{
	static const struct {
		enum want_kind	 kind;
		const char	*name;
		int		 whole;		/* info and zip too */
	} kinds[] = {
		{ WANT_INFO, "WANT_INFO", 1 },
		{ WANT_MOD, "WANT_MOD", 0 },
		{ WANT_ZIP, "WANT_ZIP", 1 },
	};
	char zpath[PATH_MAX], sha[SHA256_HEX], name[128], lurl[PATH_MAX + 32];
	char big[INFO_MAX + 2];
	struct fetched f;
	struct err e;
	size_t i;

	path_join(zpath, up, EMOD "/@v/v1.0.0.zip");
	put(EMOD "/@v/v1.0.0.info", INFO("v1.0.0"));
	put(EMOD "/@v/v1.0.0.mod", GOMOD);
	if (testmod_mkdirs(zpath) == -1 ||
	    testmod_module_zip(zpath, MOD, "v1.0.0", GOMOD) == -1) {
		ok(0, "files: upstream zip written");
		return;
	}
	err_clear(&e);
	ok(dirhash_sha256_file(zpath, sha, &e) == 0, "files: zip's SHA-256");

	for (i = 0; i < NITEMS(kinds); i++) {
		err_clear(&e);
		snprintf(name, sizeof(name), "files: %s fetched",
		    kinds[i].name);
		is_int(fetch_files(&env, &u, MOD, "v1.0.0", kinds[i].kind, &f,
		    &e), 0, name);
		snprintf(name, sizeof(name), "files: %s: .mod in .tmp, "
		    "upstream's bytes", kinds[i].name);
		ok(in_tmp(f.mod) && same_as_upstream(f.mod,
		    EMOD "/@v/v1.0.0.mod"), name);
		if (kinds[i].whole) {
			snprintf(name, sizeof(name), "files: %s: .info in "
			    ".tmp, upstream's bytes", kinds[i].name);
			ok(in_tmp(f.info) && same_as_upstream(f.info,
			    EMOD "/@v/v1.0.0.info"), name);
			snprintf(name, sizeof(name), "files: %s: .zip in "
			    ".tmp, upstream's bytes", kinds[i].name);
			ok(in_tmp(f.zip) && same_as_upstream(f.zip,
			    EMOD "/@v/v1.0.0.zip"), name);
			snprintf(name, sizeof(name), "files: %s: the zip's "
			    "SHA-256", kinds[i].name);
			is_str(f.zip_sha256, sha, name);
		} else {
			snprintf(name, sizeof(name), "files: %s: the .mod "
			    "alone", kinds[i].name);
			ok(f.info == NULL && f.zip == NULL &&
			    f.zip_sha256[0] == '\0', name);
		}
		fetched_free(&f);
	}
	is_int(tmp_count(), 0, "files: fetched_free empties .tmp");

	/* A file the tree already holds is not fetched again. */
	if (testmod_put(root, GOMOD, strlen(GOMOD), "%s",
	    EMOD "/@v/v1.0.0.mod") == -1)
		ok(0, "files: stored .mod written");
	err_clear(&e);
	is_int(fetch_files(&env, &u, MOD, "v1.0.0", WANT_ZIP, &f, &e), 0,
	    "stored .mod: the rest fetched");
	ok(f.mod == NULL, "stored .mod: not fetched again");
	ok(f.info != NULL && f.zip != NULL, "stored .mod: .info and .zip "
	    "fetched");
	fetched_free(&f);
	is_int(fetch_files(&env, &u, MOD, "v1.0.0", WANT_MOD, &f, &e), 0,
	    "stored .mod: WANT_MOD answers");
	ok(f.mod == NULL && f.info == NULL && f.zip == NULL,
	    "stored .mod: WANT_MOD fetches nothing");
	fetched_free(&f);

	/* A version upstream does not have. */
	err_clear(&e);
	is_int(fetch_files(&env, &u, MOD, "v9.9.9", WANT_ZIP, &f, &e), -1,
	    "missing version: fails");
	is_int(e.code, E_NOTFOUND, "missing version: E_NOTFOUND");
	fetched_free(&f);
	err_clear(&e);
	is_int(fetch_files(&env, &u, "example.com/none", "v1.0.0", WANT_MOD,
	    &f, &e), -1, "missing module: fails");
	is_int(e.code, E_NOTFOUND, "missing module: E_NOTFOUND");
	fetched_free(&f);

	/* A checksum database lookup beside the files: kept when it came,
	 * its failure its own. */
	put("lookup.txt", "42\nrecord\n");
	snprintf(lurl, sizeof(lurl), "file://%s/lookup.txt", up);
	env.lookup_url = lurl;
	err_clear(&e);
	is_int(fetch_files(&env, &u, MOD, "v1.0.0", WANT_ZIP, &f, &e), 0,
	    "lookup beside: the files fetched");
	ok(f.lookup_ok && f.lookup.len == 10 && memcmp(f.lookup.data,
	    "42\nrecord\n", 10) == 0, "lookup beside: its bytes kept");
	fetched_free(&f);
	ok(!f.lookup_ok && f.lookup.data == NULL, "lookup beside: freed");
	snprintf(lurl, sizeof(lurl), "file://%s/no-such-lookup", up);
	err_clear(&e);
	is_int(fetch_files(&env, &u, MOD, "v1.0.0", WANT_ZIP, &f, &e), 0,
	    "lookup beside, missing: the files still fetched");
	ok(!f.lookup_ok && f.info != NULL && f.zip != NULL,
	    "lookup beside, missing: no lookup, the files there");
	fetched_free(&f);
	env.lookup_url = NULL;
	is_int(tmp_count(), 0, "lookup beside: nothing left in .tmp");

	/* Caps: an .info of INFO_MAX bytes passes, one byte more does not. */
	memset(big, ' ', sizeof(big));
	memcpy(big, INFO("v1.0.1"), strlen(INFO("v1.0.1")));
	big[INFO_MAX] = '\0';
	put(EMOD "/@v/v1.0.1.mod", GOMOD);
	put(EMOD "/@v/v1.0.1.info", big);
	zpath[strlen(zpath) - strlen("v1.0.0.zip")] = '\0';
	snprintf(zpath + strlen(zpath), sizeof(zpath) - strlen(zpath),
	    "v1.0.1.zip");
	testmod_module_zip(zpath, MOD, "v1.0.1", GOMOD);
	err_clear(&e);
	is_int(fetch_files(&env, &u, MOD, "v1.0.1", WANT_INFO, &f, &e), 0,
	    "cap: an .info of exactly INFO_MAX bytes is fetched");
	fetched_free(&f);
	big[INFO_MAX] = ' ';
	big[INFO_MAX + 1] = '\0';
	put(EMOD "/@v/v1.0.1.info", big);
	err_clear(&e);
	is_int(fetch_files(&env, &u, MOD, "v1.0.1", WANT_INFO, &f, &e), -1,
	    "cap: an .info of INFO_MAX + 1 bytes is refused");
	is_int(e.code, E_UPSTREAM, "cap: as E_UPSTREAM (upstream's fault)");
	ok(strstr(e.msg, "larger than") != NULL, "cap: \"larger than\"");
	printf("# %s\n", e.msg);
	ok(f.info == NULL, "cap: no .info file kept");
	fetched_free(&f);
	is_int(tmp_count(), 0, "cap: nothing left in .tmp");
}

static void
test_list(void)
{
	static const char list[] = "v1.0.0\nv1.1.0 2023-01-01T00:00:00Z\n"
	    "v0.9.0\n";
	struct buf b;
	struct err e;

	put(EMOD "/@v/list", list);
	err_clear(&e);
	is_int(fetch_list(&env, &u, MOD, &b, &e), 0, "list: fetched");
	ok(b.len == strlen(list) && memcmp(b.data, list, b.len) == 0,
	    "list: upstream's bytes");
	buf_free(&b);
	put("example.com/empty/@v/list", "");
	is_int(fetch_list(&env, &u, "example.com/empty", &b, &e), 0,
	    "list: an empty list");
	ok(b.data != NULL && b.len == 0, "list: empty, not NULL");
	buf_free(&b);
	err_clear(&e);
	is_int(fetch_list(&env, &u, "example.com/nolist", &b, &e), -1,
	    "list: no list upstream");
	is_int(e.code, E_NOTFOUND, "list: E_NOTFOUND");
}

/* One module of the @latest table: its upstream files, what comes. */
struct latest_case {
	const char	*name;
	const char	*module;	/* example.com/<...>, no capitals */
	const char	*latest;	/* the @latest file, or NULL */
	const char	*list;		/* the @v/list file, or NULL */
	const char	*files[6][2];	/* @v/<name>, content */
	const char	*want;		/* the version answered, or NULL */
	enum errc	 code;		/* when want is NULL */
};

#define PS1	"v0.0.0-20230101000000-aaaaaaaaaaaa"
#define PS2	"v0.0.0-20230201000000-bbbbbbbbbbbb"

static const struct latest_case latests[] = {
	{ "a valid @latest, byte for byte", "example.com/l1",
	    INFO("v1.4.0"), "v1.0.0\n", { { NULL, NULL } }, "v1.4.0", 0 },
	{ "@latest not JSON", "example.com/l2", "v1.4.0\n", "v1.0.0\n",
	    { { "v1.0.0.info", INFO("v1.0.0") } }, NULL, E_UPSTREAM },
	{ "@latest names v1.4 (not canonical)", "example.com/l3",
	    INFO("v1.4"), NULL, { { NULL, NULL } }, NULL, E_UPSTREAM },
	{ "@latest names a v2 under a v1 path", "example.com/l4",
	    INFO("v2.0.0"), NULL, { { NULL, NULL } }, NULL, E_UPSTREAM },
	{ "no @latest: release over pre-release and pseudo",
	    "example.com/l5", NULL,
	    "v1.1.0-rc.1\nv1.0.0\n" PS2 "\nv0.9.0\n",
	    { { "v1.0.0.info", INFO("v1.0.0") },
	    { "v1.1.0-rc.1.info", INFO("v1.1.0-rc.1") } }, "v1.0.0", 0 },
	{ "no @latest: pre-release over pseudo", "example.com/l6", NULL,
	    PS2 "\nv1.1.0-rc.1\nv1.1.0-beta.2\n",
	    { { "v1.1.0-rc.1.info", INFO("v1.1.0-rc.1") } }, "v1.1.0-rc.1",
	    0 },
	{ "no @latest: the newest pseudo-version", "example.com/l7", NULL,
	    PS2 "\n" PS1 "\n", { { PS2 ".info", INFO(PS2) } }, PS2, 0 },
	{ "no @latest: +incompatible dropped under a go.mod",
	    "example.com/l8", NULL, "v1.0.0\nv2.0.0+incompatible\n",
	    { { "v1.0.0.mod", "module example.com/l8\n\ngo 1.20\n" },
	    { "v1.0.0.info", INFO("v1.0.0") },
	    { "v2.0.0+incompatible.info", INFO("v2.0.0+incompatible") } },
	    "v1.0.0", 0 },
	{ "no @latest: +incompatible kept without a go.mod",
	    "example.com/l9", NULL, "v1.0.0\nv2.0.0+incompatible\n",
	    { { "v1.0.0.mod", "module example.com/l9\n" },
	    { "v1.0.0.info", INFO("v1.0.0") },
	    { "v2.0.0+incompatible.info", INFO("v2.0.0+incompatible") } },
	    "v2.0.0+incompatible", 0 },
	{ "no @latest: a retracted latest skipped", "example.com/l10", NULL,
	    "v1.0.0\nv1.1.0\n",
	    { { "v1.1.0.mod", "module example.com/l10\n\nretract v1.1.0\n" },
	    { "v1.0.0.info", INFO("v1.0.0") },
	    { "v1.1.0.info", INFO("v1.1.0") } }, "v1.0.0", 0 },
	{ "no @latest: fields after the version ignored", "example.com/l11",
	    NULL, "v1.0.0 2023-01-01T00:00:00Z\nv1.2.0\tx\n",
	    { { "v1.2.0.info", INFO("v1.2.0") } }, "v1.2.0", 0 },
	{ "no @latest: a list of no valid version", "example.com/l12", NULL,
	    "junk\nv1.2\nv2.0.0\n1.0.0\nv1.0.0+meta\n", { { NULL, NULL } },
	    NULL, E_NOTFOUND },
	{ "no @latest: an empty list", "example.com/l13", NULL, "",
	    { { NULL, NULL } }, NULL, E_NOTFOUND },
	{ "no @latest, no list", "example.com/l14", NULL, NULL,
	    { { NULL, NULL } }, NULL, E_NOTFOUND },
	{ "no @latest: the picked .info names another version",
	    "example.com/l15", NULL, "v1.0.0\n",
	    { { "v1.0.0.info", INFO("v1.0.1") } }, NULL, E_UPSTREAM },
	{ "no @latest: the picked .info missing", "example.com/l16", NULL,
	    "v1.0.0\n", { { NULL, NULL } }, NULL, E_NOTFOUND },
};

static void
test_latest(void)
{
	char rel[PATH_MAX], name[256], canon[VERSION_MAX];
	const struct latest_case *c;
	struct buf b;
	struct err e;
	size_t i, k;
	int rc;

	for (i = 0; i < NITEMS(latests); i++) {
		c = &latests[i];
		if (c->latest != NULL) {
			snprintf(rel, sizeof(rel), "%s/@latest", c->module);
			put(rel, c->latest);
		}
		if (c->list != NULL) {
			snprintf(rel, sizeof(rel), "%s/@v/list", c->module);
			put(rel, c->list);
		}
		for (k = 0; k < NITEMS(c->files) && c->files[k][0]; k++) {
			snprintf(rel, sizeof(rel), "%s/@v/%s", c->module,
			    c->files[k][0]);
			put(rel, c->files[k][1]);
		}
		err_clear(&e);
		memset(&b, 0, sizeof(b));
		rc = fetch_latest(&env, &u, c->module, &b, &e);
		snprintf(name, sizeof(name), "latest: %s: %s", c->name,
		    c->want ? c->want : err_name(c->code));
		if (c->want == NULL) {
			ok(rc == -1 && e.code == c->code, name);
			if (rc != -1 || e.code != c->code)
				printf("#   rc %d, %s: %s\n", rc,
				    err_name(e.code), e.msg);
			ok(b.data == NULL, "latest: no body on failure");
			buf_free(&b);
			continue;
		}
		ok(rc == 0 && check_info_answer(c->module, &b, canon) == 0 &&
		    strcmp(canon, c->want) == 0, name);
		if (rc != 0)
			printf("#   %s: %s\n", err_name(e.code), e.msg);
		/* The body is upstream's .info of that version, as is. */
		if (c->latest != NULL)
			snprintf(rel, sizeof(rel), "%s/@latest", c->module);
		else
			snprintf(rel, sizeof(rel), "%s/@v/%s.info", c->module,
			    c->want);
		path_join(name, up, rel);
		{
			unsigned char *p;
			size_t n = 0;

			p = read_file(name, &n);
			ok(p != NULL && rc == 0 && b.len == n &&
			    memcmp(b.data, p, n) == 0,
			    "latest: the body is upstream's file, byte for "
			    "byte");
			free(p);
		}
		buf_free(&b);
	}
}

/* A query, the file its .info is upstream under @v/, and the answer. */
static const struct {
	const char	*name;
	const char	*query;
	const char	*file;		/* under EMOD/@v/, NULL: none */
	const char	*info;
	const char	*canon;		/* NULL: fails with rc, code */
	int		 rc;
	enum errc	 code;
} queries[] = {
	{ "v1.2 names v1.2.3", "v1.2", "v1.2.info", INFO("v1.2.3"), "v1.2.3",
	    0, 0 },
	{ "a branch", "main", "main.info", INFO(PS1), PS1, 0, 0 },
	{ "white space kept", "v1", "v1.info",
	    "  {\"Version\": \"v1.9.0\"}\n", "v1.9.0", 0, 0 },
	{ "an invalid Version", "v1.3", "v1.3.info", INFO("master"), NULL,
	    UPSTREAM_TRY_LAST, E_UPSTREAM },
	{ "a non-canonical Version", "v1.4", "v1.4.info", INFO("v1.4"), NULL,
	    UPSTREAM_TRY_LAST, E_UPSTREAM },
	{ "not JSON", "v1.5", "v1.5.info", "v1.5.0\n", NULL,
	    UPSTREAM_TRY_LAST, E_UPSTREAM },
	{ "not upstream", "v1.6", NULL, NULL, NULL, -1, E_NOTFOUND },
	/* Escaping: only the file the escaped URL names exists (file://
	 * decodes %XX, so "%3F" asks for a file named "a?b"; sent raw, "?"
	 * and "#" would end the path and "%41" would be "A"). */
	{ "\"?\" escaped", "a?b", "a?b.info", INFO("v1.0.0"), "v1.0.0", 0,
	    0 },
	{ "\"#\" escaped", "a#b", "a#b.info", INFO("v1.0.0"), "v1.0.0", 0,
	    0 },
	{ "\"%\" escaped", "a%41b", "a%41b.info", INFO("v1.0.0"), "v1.0.0",
	    0, 0 },
	{ "capitals \"!\"-escaped", "Main", "!main.info", INFO("v1.7.0"),
	    "v1.7.0", 0, 0 },
	{ "spaces escaped", "a b", "a b.info", INFO("v1.0.0"), "v1.0.0", 0,
	    0 },
	/* "/" goes as "%2F", which file:// decodes into a directory: this
	 * only shows a query with "/" is asked and answered. */
	{ "\"/\"", "feature/x", "feature/x.info", INFO(PS2), PS2, 0, 0 },
};

static void
test_query(void)
{
	char rel[PATH_MAX], canon[VERSION_MAX], name[256];
	struct buf b;
	struct err e;
	size_t i;
	int rc;

	/* Decoys a query sent unescaped would reach. */
	put(EMOD "/@v/a.info", INFO("v0.0.1"));
	put(EMOD "/@v/aAb.info", INFO("v0.0.2"));
	put(EMOD "/@v/Main.info", INFO("v0.0.3"));
	for (i = 0; i < NITEMS(queries); i++) {
		if (queries[i].file != NULL) {
			snprintf(rel, sizeof(rel), EMOD "/@v/%s",
			    queries[i].file);
			put(rel, queries[i].info);
		}
		err_clear(&e);
		snprintf(canon, sizeof(canon), "unset");
		rc = fetch_query(&env, &u, MOD, queries[i].query, canon, &b,
		    &e);
		snprintf(name, sizeof(name), "query %s: %s", queries[i].name,
		    queries[i].canon ? queries[i].canon :
		    err_name(queries[i].code));
		if (queries[i].canon == NULL) {
			ok(rc == queries[i].rc && e.code == queries[i].code,
			    name);
			if (rc != queries[i].rc || e.code != queries[i].code)
				printf("#   rc %d %s: %s\n", rc,
				    err_name(e.code), e.msg);
			ok(b.data == NULL, "query: no body on failure");
			buf_free(&b);
			continue;
		}
		ok(rc == 0 && strcmp(canon, queries[i].canon) == 0, name);
		if (rc != 0)
			printf("#   rc %d %s: %s\n", rc, err_name(e.code),
			    e.msg);
		else if (strcmp(canon, queries[i].canon) != 0)
			printf("#   canon %s\n", canon);
		ok(rc == 0 && b.len == strlen(queries[i].info) &&
		    memcmp(b.data, queries[i].info, b.len) == 0,
		    "query: the body is upstream's .info, byte for byte");
		buf_free(&b);
	}
}

int
main(void)
{
	char dir[] = "/tmp/test_fetch.XXXXXX", root[PATH_MAX];
	char state[PATH_MAX], ini[PATH_MAX], text[4 * PATH_MAX], url[PATH_MAX + 16];
	char home[] = "HOME=/nonexistent", *envp[] = { home, NULL };
	struct config_errors errs = { NULL, 0 };
	struct config cfg;
	struct store st;
	struct err e;

	log_init("test_fetch", LOG_LVL_ERROR);
	fetch_proxy_init();
	if (mkdtemp(dir) == NULL)
		return 1;
	path_join(root, dir, "store");
	path_join(state, dir, "state");
	path_join(up, dir, "up");
	path_join(ini, dir, "piraeus.ini");
	snprintf(text, sizeof(text), "[storage]\nroot = %s\n[state]\n"
	    "dir = %s\n[upstream]\nretries = 0\n", root, state);
	err_clear(&e);
	memset(&cfg, 0, sizeof(cfg));
	if (mkdir(root, 0755) == -1 || mkdir(state, 0700) == -1 ||
	    mkdir(up, 0755) == -1 || write_file(ini, text, strlen(text)) == -1 ||
	    config_load(&cfg, ini, envp, &errs) != 0 ||
	    store_open(&st, root, &e) == -1) {
		printf("# set-up: %s %s\n", errs.n ? errs.msgs[0] : "", e.msg);
		return 1;
	}
	env.cfg = &cfg;
	env.store = &st;
	snprintf(url, sizeof(url), "file://%s", up);
	u.kind = UPSTREAM_PROXY;
	u.url = url;
	u.fall = FALL_NOTFOUND;

	test_files(root);
	test_list();
	test_latest();
	test_query();

	store_close(&st);
	config_free(&cfg);
	config_errors_free(&errs);
	testmod_rmrf(dir);
	return tap_done();
}

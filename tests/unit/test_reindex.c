/*
 * test_reindex.c: rebuilding the index from a storage tree, importing a
 * GOPROXY tree (import.c's import_run), reindex_describe (reindex.c),
 * another host's index catching up with the tree (reindex_catch_up) and
 * stored_row (stored.c), on trees made here.
 *
 * The expected h1 hashes, SHA-256 and sizes are computed here from the
 * bytes written (the go.sum "h1:" algorithm written out with OpenSSL's
 * SHA-256 and base64), not by dirhash.c; the expected set of indexed
 * versions is written out by hand.
 */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zip.h>

#include "piraeus.h"
#include "tap.h"

#define PATH_CAP	PATH_MAX
#include "testfile.h"
#include "testmod.h"

/* A zip's entries (stored, names in full) and the h1 of them. */
#define zent testmod_entry

static void
sha256_hex(const void *p, size_t n, char out[SHA256_HEX])
{
	unsigned char md[32];
	unsigned int len;
	int i;

	EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Hash1 of files (sorted by name here): base64(SHA-256 of the lines
 * "<hex sha256>  <name>\n"). */
static void
h1_of(const struct zent *z, size_t n, char out[H1_MAX])
{
	char lines[8192], hex[SHA256_HEX];
	unsigned char md[32], b64[48];
	const struct zent *order[16];
	size_t i, j, len = 0;
	unsigned int mdlen;

	for (i = 0; i < n; i++)
		order[i] = &z[i];
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(order[j - 1]->name,
		    order[j]->name) > 0; j--) {
			const struct zent *t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		sha256_hex(order[i]->data, strlen(order[i]->data), hex);
		len += (size_t)snprintf(lines + len, sizeof(lines) - len,
		    "%s  %s\n", hex, order[i]->name);
	}
	EVP_Digest(lines, len, md, &mdlen, EVP_sha256(), NULL);
	EVP_EncodeBlock(b64, md, 32);
	snprintf(out, H1_MAX, "h1:%s", b64);
}

/* mkdir -p of root/rel. */
static int
mkdirs(const char *root, const char *rel)
{
	char path[PATH_MAX], *p;

	path_join(path, root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && access(path, F_OK) == -1)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) == -1 && access(path, F_OK) == -1 ? -1 : 0;
}

/* Write root/rel (parents made). */
static int
put(const char *root, const char *rel, const void *data, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", rel);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (mkdirs(root, dir) == -1)
			return -1;
	}
	path_join(path, root, rel);
	return write_file(path, data, len);
}

static int
puts_file(const char *root, const char *rel, const char *s)
{
	return put(root, rel, s, strlen(s));
}

/* A version's three files under root: .info naming info_ver (NULL: no
 * .info), .mod text (NULL: none), zip entries (n 0: no zip; z NULL and
 * n 1: garbage bytes). */
static int
version(const char *root, const char *emod, const char *ever,
    const char *info_ver, const char *mod, const struct zent *z, size_t n)
{
	char rel[PATH_MAX], text[512], path[PATH_MAX];

	if (info_ver != NULL) {
		snprintf(rel, sizeof(rel), "%s/@v/%s.info", emod, ever);
		snprintf(text, sizeof(text), "{\"Version\":\"%s\",\"Time\":"
		    "\"2023-04-05T06:07:08Z\"}\n", info_ver);
		if (puts_file(root, rel, text) == -1)
			return -1;
	}
	if (mod != NULL) {
		snprintf(rel, sizeof(rel), "%s/@v/%s.mod", emod, ever);
		if (puts_file(root, rel, mod) == -1)
			return -1;
	}
	if (n > 0) {
		snprintf(rel, sizeof(rel), "%s/@v/%s.zip", emod, ever);
		if (z == NULL)
			return puts_file(root, rel, "PK\003\004 truncated");
		snprintf(rel, sizeof(rel), "%s/@v", emod);
		if (mkdirs(root, rel) == -1)
			return -1;
		snprintf(rel, sizeof(rel), "%s/@v/%s.zip", emod, ever);
		path_join(path, root, rel);
		return testmod_zip(path, z, n);
	}
	return 0;
}

/* What a stored version must be indexed as. */
struct row_want {
	const char	*module;
	const char	*version;
	const char	*mod;		/* the .mod text */
	const struct zent *zip;		/* NULL: no zip */
	size_t		 nzip;
	const char	*zippath;	/* below the root, for size/sha256 */
};

static const struct zent zip_a100[] = {
	{ "example.com/a@v1.0.0/go.mod", "module example.com/a\n" },
	{ "example.com/a@v1.0.0/a.go", "package a\n" },
	{ "example.com/a@v1.0.0/LICENSE", "MIT\n" },
};
static const struct zent zip_b100[] = {
	{ "example.com/!b@v1.0.0/go.mod", "module example.com/B\n" },
	{ "example.com/!b@v1.0.0/b.go", "package b\n" },
};
/* A zip under another module's prefix. */
static const struct zent zip_wrongprefix[] = {
	{ "example.com/other@v1.6.0/go.mod", "module example.com/a\n" },
};
static const struct zent zip_imp[] = {
	{ "example.com/imp@v1.0.0/go.mod", "module example.com/imp\n" },
	{ "example.com/imp@v1.0.0/imp.go", "package imp\n" },
};
static const struct zent zip_imp2[] = {
	{ "example.com/imp@v2.0.0+incompatible/imp.go", "package imp\n" },
};
static const struct zent zip_imp_wrong[] = {
	{ "example.com/imp@v1.4.0/../../evil.go", "package evil\n" },
};

/* Check the index row of w against the files; name prefixes names. */
static void
check_row(struct index *ix, const char *root, const struct row_want *w,
    const char *origin)
{
	struct index_version iv;
	struct zent modz;
	char h1[H1_MAX], hex[SHA256_HEX], name[256], path[PATH_MAX];
	unsigned char *bytes;
	size_t len;
	struct err e;

	err_clear(&e);
	snprintf(name, sizeof(name), "%s@%s: indexed", w->module, w->version);
	if (!ok(index_get(ix, w->module, w->version, &iv, &e) == 1, name))
		return;
	modz.name = "go.mod";
	modz.data = w->mod;
	h1_of(&modz, 1, h1);
	is_str(iv.mod_h1, h1, "  mod h1 (go.sum's /go.mod line)");
	is_str(iv.time, "2023-04-05T06:07:08Z", "  time from .info");
	is_int(iv.has_info, 1, "  has_info");
	is_str(iv.origin, origin, "  origin");
	if (w->zip == NULL) {
		is_int(iv.has_zip, 0, "  no zip");
		is_int(iv.zip_size, -1, "  zip size -1");
		is_str(iv.zip_h1, "", "  no zip h1");
		return;
	}
	h1_of(w->zip, w->nzip, h1);
	is_int(iv.has_zip, 1, "  has_zip");
	is_str(iv.zip_h1, h1, "  zip h1 (go.sum's line)");
	path_join(path, root, w->zippath);
	if ((bytes = read_file(path, &len)) == NULL) {
		ok(0, "  read the zip back");
		return;
	}
	sha256_hex(bytes, len, hex);
	free(bytes);
	is_int(iv.zip_size, (long long)len, "  zip size");
	is_str(iv.zip_sha256, hex, "  zip SHA-256");
}

/* Every row of the index as "module@version\n..." sorted. */
static void
rows(struct index *ix, char *out, size_t outsz)
{
	struct index_version *v;
	struct err e;
	size_t n, i, o = 0;

	out[0] = '\0';
	err_clear(&e);
	if (index_catalog(ix, "", "", 1000, &v, &n, &e) == -1)
		return;
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s@%s\n",
		    v[i].module, v[i].version);
	free(v);
}

/* The names in dir, sorted, space-separated ("" when empty/absent). */
static void
listdir(const char *dir, char *out, size_t outsz)
{
	struct dirent **ents;
	size_t o = 0;
	int n, i;

	out[0] = '\0';
	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") != 0 &&
		    strcmp(ents[i]->d_name, "..") != 0)
			o += (size_t)snprintf(out + o, outsz - o, "%s%s",
			    o ? " " : "", ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
}

/* import_run's publish environment: storage and index, no hooks. */
static const struct publish_env *
plain_env(void *arg, const char *module)
{
	(void)module;
	return arg;
}

int
main(int argc, char **argv)
{
	char tmpl[] = "/tmp/test_reindex.XXXXXX", root[PATH_MAX];
	char state[PATH_MAX], src[PATH_MAX], path[PATH_MAX], cmd[3 * PATH_MAX];
	char got[4096], h1[H1_MAX];
	struct index_version iv, iv2;
	struct reindex_zip_known known;
	struct reindex_stats st;
	struct import_stats ist;
	struct import_env ienv;
	struct publish_env pe;
	struct store s;
	struct index *ix;
	struct err e;
	int bad = 0;

	(void)argc;
	(void)argv;
	log_set_level(LOG_LVL_ERROR);
	if (mkdtemp(tmpl) == NULL)
		return 99;
	path_join(root, tmpl, "store");
	path_join(state, tmpl, "state");
	path_join(src, tmpl, "src");
	if (mkdir(root, 0755) == -1 || mkdir(state, 0700) == -1 ||
	    mkdir(src, 0755) == -1)
		return 99;

	/* The storage tree. */
	bad |= version(root, "example.com/a", "v1.0.0", "v1.0.0",
	    "module example.com/a\n", zip_a100, NITEMS(zip_a100));
	/* .info and .mod only (a module cache's go.mod-only version). */
	bad |= version(root, "example.com/a", "v1.1.0", "v1.1.0",
	    "module example.com/a // v1.1.0\n", NULL, 0);
	/* No .mod. */
	bad |= version(root, "example.com/a", "v1.2.0", "v1.2.0", NULL,
	    zip_a100, NITEMS(zip_a100));
	/* .info naming another version. */
	bad |= version(root, "example.com/a", "v1.3.0", "v1.0.0",
	    "module example.com/a\n", zip_a100, NITEMS(zip_a100));
	/* No .info: incomplete, not a version yet. */
	bad |= version(root, "example.com/a", "v1.4.0", NULL,
	    "module example.com/a\n", zip_a100, NITEMS(zip_a100));
	/* A zip that is not a zip. */
	bad |= version(root, "example.com/a", "v1.5.0", "v1.5.0",
	    "module example.com/a\n", NULL, 1);
	/* Names that are not canonical or not valid. */
	bad |= version(root, "example.com/a", "v1.0", "v1.0",
	    "module example.com/a\n", NULL, 0);
	bad |= version(root, "example.com/a", "v2.0.0", "v2.0.0",
	    "module example.com/a\n", NULL, 0);
	bad |= version(root, "Example.com/c", "v1.0.0", "v1.0.0",
	    "module Example.com/c\n", NULL, 0);
	/* A "!"-escaped module. */
	bad |= version(root, "example.com/!b", "v1.0.0", "v1.0.0",
	    "module example.com/B\n", zip_b100, NITEMS(zip_b100));
	/* Stray files, and a whole version under .tmp. */
	bad |= puts_file(root, "example.com/a/@v/README", "stray\n");
	bad |= puts_file(root, "example.com/a/@v/v1.0.0.txt", "stray\n");
	bad |= puts_file(root, "example.com/a/@v/list", "v1.0.0\n");
	bad |= puts_file(root, "stray.txt", "stray\n");
	bad |= version(root, ".tmp/example.com/t", "v1.0.0", "v1.0.0",
	    "module example.com/t\n", NULL, 0);
	bad |= puts_file(root, ".tmp/tmp.abc123", "half a zip");
	if (bad) {
		printf("# could not make the tree\n");
		return 99;
	}

	err_clear(&e);
	if (store_open(&s, root, &e) == -1 || index_open(&ix, state, &e) == -1) {
		printf("# open: %s\n", e.msg);
		return 99;
	}
	/* A stale row that the tree does not have: reindex drops it. */
	memset(&iv, 0, sizeof(iv));
	snprintf(iv.module, sizeof(iv.module), "gone.example/x");
	snprintf(iv.version, sizeof(iv.version), "v1.0.0");
	iv.zip_size = -1;
	ok(index_put(ix, &iv, &e) == 0, "a stale row");

	/* reindex_run. */
	ok(reindex_run(&s, ix, &st, &e) == 0, "reindex_run");
	is_int(st.versions, 3, "versions indexed");
	is_int(st.skipped, 6, "skipped: no .mod, wrong .info, bad zip, "
	    "v1.0, v2.0.0 on a v1 path, capitals");
	rows(ix, got, sizeof(got));
	is_str(got, "example.com/B@v1.0.0\nexample.com/a@v1.0.0\n"
	    "example.com/a@v1.1.0\n", "exactly these versions are indexed");
	{
		static const struct row_want w[] = {
			{ "example.com/a", "v1.0.0", "module example.com/a\n",
			  zip_a100, NITEMS(zip_a100),
			  "example.com/a/@v/v1.0.0.zip" },
			{ "example.com/a", "v1.1.0",
			  "module example.com/a // v1.1.0\n", NULL, 0, NULL },
			{ "example.com/B", "v1.0.0", "module example.com/B\n",
			  zip_b100, NITEMS(zip_b100),
			  "example.com/!b/@v/v1.0.0.zip" },
		};
		size_t i;

		for (i = 0; i < NITEMS(w); i++)
			check_row(ix, root, &w[i], "reindex");
	}
	ok(reindex_run(&s, ix, &st, &e) == 0 && st.versions == 3 &&
	    st.skipped == 6, "reindex again: the same counts");
	{
		char again[4096];

		rows(ix, again, sizeof(again));
		is_str(again, got, "reindex again: the same rows");
	}

	/* reindex_describe, with and without what is known of the zip. */
	err_clear(&e);
	ok(reindex_describe(&s, "example.com/a", "v1.0.0", NULL, &iv, &e) == 0,
	    "describe without known");
	h1_of(zip_a100, NITEMS(zip_a100), h1);
	is_str(iv.zip_h1, h1, "describe: zip h1");
	memset(&known, 0, sizeof(known));
	snprintf(known.h1, sizeof(known.h1), "%s", iv.zip_h1);
	snprintf(known.sha256, sizeof(known.sha256), "%s", iv.zip_sha256);
	known.size = iv.zip_size;
	ok(reindex_describe(&s, "example.com/a", "v1.0.0", &known, &iv2,
	    &e) == 0, "describe with the true known hashes");
	ok(strcmp(iv.zip_h1, iv2.zip_h1) == 0 &&
	    strcmp(iv.zip_sha256, iv2.zip_sha256) == 0 &&
	    strcmp(iv.mod_h1, iv2.mod_h1) == 0 &&
	    iv.zip_size == iv2.zip_size && iv2.has_zip == 1,
	    "describe: known hashes equal recomputed ones");
	/* The known values are used when the size matches (not read again),
	 * ignored when it does not. */
	snprintf(known.h1, sizeof(known.h1), "h1:KNOWN");
	snprintf(known.sha256, sizeof(known.sha256), "%064d", 7);
	ok(reindex_describe(&s, "example.com/a", "v1.0.0", &known, &iv2,
	    &e) == 0 && strcmp(iv2.zip_h1, "h1:KNOWN") == 0,
	    "describe: known h1 taken when the size matches");
	known.size = iv.zip_size + 1;
	ok(reindex_describe(&s, "example.com/a", "v1.0.0", &known, &iv2,
	    &e) == 0 && strcmp(iv2.zip_h1, h1) == 0 &&
	    strcmp(iv2.zip_sha256, iv.zip_sha256) == 0,
	    "describe: known ignored when the size differs");
	err_clear(&e);
	ok(reindex_describe(&s, "example.com/a", "v1.3.0", NULL, &iv2, &e) ==
	    -1 && e.code == E_BADREQ, "describe: .info of another version");
	err_clear(&e);
	ok(reindex_describe(&s, "example.com/a", "v1.4.0", NULL, &iv2, &e) ==
	    -1 && e.code == E_NOTFOUND, "describe: no .info");
	err_clear(&e);
	ok(reindex_describe(&s, "example.com/a", "v1.0", NULL, &iv2, &e) ==
	    -1 && e.code == E_BADREQ, "describe: non-canonical version");

	/* Import from a module cache. */
	bad |= version(src, "example.com/imp", "v1.0.0", "v1.0.0",
	    "module example.com/imp\n", zip_imp, NITEMS(zip_imp));
	bad |= version(src, "example.com/imp", "v2.0.0+incompatible",
	    "v2.0.0+incompatible", "module example.com/imp\n", zip_imp2,
	    NITEMS(zip_imp2));
	bad |= version(src, "example.com/imp", "v1.1.0", "v1.0.0",
	    "module example.com/imp\n", zip_imp, NITEMS(zip_imp));
	bad |= version(src, "example.com/imp", "v1.2.0", "v1.2.0",
	    "module example.com/imp\n", NULL, 1);
	bad |= version(src, "example.com/imp", "v1.3.0", "v1.3.0",
	    "module example.com/imp\n", NULL, 0);
	bad |= version(src, "example.com/imp", "v1.4.0", "v1.4.0",
	    "module example.com/imp\n", zip_imp_wrong,
	    NITEMS(zip_imp_wrong));
	bad |= version(src, "example.com/imp", "v1.5.0", "v1.5.0",
	    "module example.com/imp\n", zip_wrongprefix,
	    NITEMS(zip_wrongprefix));
	/* Already in the store, identical; and in the store, different. */
	bad |= version(src, "example.com/a", "v1.0.0", "v1.0.0",
	    "module example.com/a\n", NULL, 0);
	if (bad)
		return 99;
	{
		/* identical bytes: copy the stored files */
		snprintf(cmd, sizeof(cmd), "cp %s/example.com/a/@v/v1.0.0.* "
		    "%s/example.com/a/@v/", root, src);
		if (system(cmd) != 0)
			return 99;
		bad |= version(src, "example.com/!b", "v1.0.0", "v1.0.0",
		    "module example.com/B // changed\n", zip_b100,
		    NITEMS(zip_b100));
	}
	if (bad)
		return 99;
	err_clear(&e);
	memset(&ienv, 0, sizeof(ienv));
	memset(&pe, 0, sizeof(pe));
	pe.store = &s;
	pe.idx = ix;
	ienv.store = &s;
	ienv.idx = ix;
	ienv.lock_expiry = 900;
	ienv.publish_env = plain_env;
	ienv.arg = &pe;
	ok(import_run(&ienv, src, &ist, &e) == 0, "import_run");
	/* v1.3.0 has a .info and a .mod and no zip: a version whose go.mod
	 * alone was needed, as the go command's cache and our storage hold
	 * them; import takes it as it is (reindex_import, which this test
	 * exercised before `piraeus import` became import.c's, skipped it). */
	is_int(ist.imported, 3, "imported: v1.0.0, v1.3.0 (go.mod only), "
	    "v2.0.0+incompatible");
	is_int(ist.existing, 1, "existing: a@v1.0.0");
	is_int(ist.skipped, 5, "skipped: wrong .info, bad zip, "
	    "\"..\" in the zip, wrong prefix, a different B@v1.0.0");
	rows(ix, got, sizeof(got));
	is_str(got, "example.com/B@v1.0.0\nexample.com/a@v1.0.0\n"
	    "example.com/a@v1.1.0\nexample.com/imp@v1.0.0\n"
	    "example.com/imp@v1.3.0\n"
	    "example.com/imp@v2.0.0+incompatible\n",
	    "import: exactly these rows");
	{
		static const struct row_want w[] = {
			{ "example.com/imp", "v1.0.0",
			  "module example.com/imp\n", zip_imp,
			  NITEMS(zip_imp), "example.com/imp/@v/v1.0.0.zip" },
			{ "example.com/imp", "v2.0.0+incompatible",
			  "module example.com/imp\n", zip_imp2,
			  NITEMS(zip_imp2),
			  "example.com/imp/@v/v2.0.0+incompatible.zip" },
		};
		size_t i;

		for (i = 0; i < NITEMS(w); i++)
			check_row(ix, root, &w[i], "import");
	}
	/* Nothing half-imported: exactly the good versions' files. */
	path_join(path, root, "example.com/imp/@v");
	listdir(path, got, sizeof(got));
	is_str(got, "v1.0.0.info v1.0.0.mod v1.0.0.zip "
	    "v1.3.0.info v1.3.0.mod "
	    "v2.0.0+incompatible.info v2.0.0+incompatible.mod "
	    "v2.0.0+incompatible.zip", "import: only whole good versions");
	path_join(path, root, "example.com/!b/@v/v1.0.0.mod");
	{
		unsigned char *m;
		size_t len;

		m = read_file(path, &len);
		ok(m != NULL && len == strlen("module example.com/B\n") &&
		    memcmp(m, "module example.com/B\n", len) == 0,
		    "import: a stored file is never replaced");
		free(m);
	}
	path_join(path, root, ".tmp");
	listdir(path, got, sizeof(got));
	is_str(got, "example.com tmp.abc123", "import: no temporary file "
	    "left in .tmp");
	err_clear(&e);
	ok(import_run(&ienv, "/nonexistent/dir", &ist, &e) == -1 &&
	    e.code == E_NOTFOUND, "import from a missing directory");

	/* Another host's index of the same tree (a shared storage root):
	 * reindex_catch_up adds what the tree holds and deletes what it
	 * lost, for the modules whose @v directory changed. */
	{
		struct index *ix2;
		char mine[4096], state2[PATH_MAX];

		path_join(state2, tmpl, "state2");
		err_clear(&e);
		if (index_open(&ix2, state2, &e) == -1) {
			printf("# open: %s\n", e.msg);
			return 99;
		}
		rows(ix, mine, sizeof(mine));
		ok(reindex_catch_up(&s, ix2, 1, &e) == 0, "catch_up");
		rows(ix2, got, sizeof(got));
		is_str(got, mine, "catch_up: another index gets every version "
		    "of the tree");
		bad = version(root, "example.com/a", "v1.6.0", "v1.6.0",
		    "module example.com/a\n", zip_a100, NITEMS(zip_a100));
		ok(bad == 0 && reindex_catch_up(&s, ix2, 60, &e) == 0,
		    "catch_up within its interval");
		ok(index_get(ix2, "example.com/a", "v1.6.0", &iv, &e) == 0,
		    "catch_up within its interval: the tree is not looked at");
		ok(reindex_catch_up(&s, ix2, 0, &e) == 0 &&
		    index_get(ix2, "example.com/a", "v1.6.0", &iv, &e) == 1 &&
		    strcmp(iv.origin, "tree") == 0,
		    "catch_up: a version published since is added (origin tree)");
		path_join(path, root, "example.com/a/@v/v1.1.0.info");
		ok(unlink(path) == 0 && reindex_catch_up(&s, ix2, 0, &e) == 0 &&
		    index_get(ix2, "example.com/a", "v1.1.0", &iv, &e) == 0,
		    "catch_up: a version whose .info is gone is deleted");
		ok(index_get(ix2, "example.com/a", "v1.0.0", &iv, &e) == 1,
		    "catch_up: the other versions stay");
		snprintf(cmd, sizeof(cmd), "rm -rf '%s/example.com/!b'", root);
		ok(index_get(ix2, "example.com/B", "v1.0.0", &iv, &e) == 1 &&
		    system(cmd) == 0 && reindex_catch_up(&s, ix2, 0, &e) == 0 &&
		    index_get(ix2, "example.com/B", "v1.0.0", &iv, &e) == 0,
		    "catch_up: the rows of a module removed whole are deleted");
		index_close(ix2);

		/* stored_row: the index's row, else the tree's, added. */
		path_join(state2, tmpl, "state3");
		if (index_open(&ix2, state2, &e) == -1)
			return 99;
		ok(stored_row(&s, ix2, "example.com/a", "v1.6.0", &iv, &e) == 1 &&
		    iv.has_zip == 1 && iv.zip_sha256[0] != '\0',
		    "stored_row: a stored version unknown to the index");
		ok(index_get(ix2, "example.com/a", "v1.6.0", &iv2, &e) == 1 &&
		    strcmp(iv2.zip_sha256, iv.zip_sha256) == 0,
		    "stored_row: and its row is added");
		ok(stored_row(&s, ix2, "example.com/a", "v1.1.0", &iv, &e) == 0 &&
		    e.code == E_OK, "stored_row: not stored (no .info): 0");
		ok(stored_row(&s, ix2, "example.com/a", "v9.9.9", &iv, &e) == 0,
		    "stored_row: absent: 0");
		index_close(ix2);
	}

	index_close(ix);
	store_close(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpl);
	return tap_done();
}

/*
 * test_sumdb.c: sumdb_get and sumdb_verify (sumdb.c) against a checksum
 * database written here as files under a file:// URL ([sumdb] via_proxy
 * = no: the database's URL is read directly).
 *
 * The database is made with the lower layers, as a server would make it:
 * a key (note_keygen), records "<module> <version> <h1>\n<module>
 * <version>/go.mod <h1>\n", their stored hashes (tlog_stored_hashes), the
 * level-0 tile of each tree (tlog_tile_path, the leaf hashes), a signed
 * latest note (note_sign of tlog_tree_format) and the lookup files
 * "lookup/<emod>@<ever>" = "<id>\n<text>\n<signed note>".  A second tree
 * (more records) follows the first; a fork (one old record changed) is
 * signed with the same key and must be refused.
 *
 * Checked: verify succeeds for the record's hashes and keeps the tree;
 * a wrong zip or go.mod h1 is "checksum mismatch"; a version without a
 * record names [sumdb] nosum; a tampered tile is refused, and once the
 * tile is right again the cached bad copy is fetched afresh; the second
 * tree moves the kept tree forward, an older tree is proved against it,
 * the fork is refused; a lookup whose note is a kept (already opened)
 * note's text with a bad signature is refused; sumdb_get answers from its cache within the TTL
 * after the upstream file is gone, and offline with nothing cached is
 * E_NOTFOUND.
 */
#include "config.h"

#include <inttypes.h>
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

#define DBNAME		"sum.test.example"
#define NREC_MAX	16
#define TEXT_MAX	(2 * (MODPATH_MAX + VERSION_MAX + H1_MAX))

/* A log: its records and stored hashes, as a database keeps them. */
struct log {
	int64_t		 n;
	char		 text[NREC_MAX][TEXT_MAX];
	char		 module[NREC_MAX][64];
	char		 version[NREC_MAX][32];
	char		 zip_h1[NREC_MAX][H1_MAX];
	char		 mod_h1[NREC_MAX][H1_MAX];
	struct tlog_hash stored[4 * NREC_MAX];
	int64_t		 nstored;
};

static char dbdir[PATH_MAX];
static struct note_signer signer;

static int
log_read(void *arg, const int64_t *idx, size_t n, struct tlog_hash *out,
    struct err *e)
{
	struct log *l = arg;
	size_t i;

	for (i = 0; i < n; i++) {
		if (idx[i] < 0 || idx[i] >= l->nstored)
			return err_set(e, E_INTERNAL, "no stored hash %" PRId64,
			    idx[i]);
		out[i] = l->stored[idx[i]];
	}
	return 0;
}

/* A made-up h1: "h1:" and the base64 of 32 bytes of seed. */
static void
fake_h1(int seed, char out[H1_MAX])
{
	unsigned char raw[32];
	char b64[48];

	memset(raw, seed & 0xff, sizeof(raw));
	raw[0] = (unsigned char)(seed >> 8);
	note_b64_encode(raw, sizeof(raw), b64, sizeof(b64));
	snprintf(out, H1_MAX, "h1:%s", b64);
}

/* Append the record of module@version (hashes from seed) to l. */
static int
log_add(struct log *l, const char *module, const char *version, int seed)
{
	struct tlog_hash leaf, out[64];
	char zh1[H1_MAX], mh1[H1_MAX];
	size_t nout, i;
	struct err e;
	int64_t k = l->n;

	if (k >= NREC_MAX)
		return -1;
	snprintf(l->module[k], sizeof(l->module[k]), "%s", module);
	snprintf(l->version[k], sizeof(l->version[k]), "%s", version);
	fake_h1(seed, zh1);
	fake_h1(seed + 1000, mh1);
	memcpy(l->zip_h1[k], zh1, H1_MAX);
	memcpy(l->mod_h1[k], mh1, H1_MAX);
	snprintf(l->text[k], sizeof(l->text[k]), "%s %s %s\n%s %s/go.mod %s\n",
	    module, version, zh1, module, version, mh1);
	tlog_record_hash(l->text[k], strlen(l->text[k]), &leaf);
	err_clear(&e);
	if (tlog_stored_hashes(k, &leaf, log_read, l, out, &nout, &e) == -1 ||
	    l->nstored != tlog_stored_hash_count(k) ||
	    l->nstored + (int64_t)nout > (int64_t)NITEMS(l->stored))
		return -1;
	for (i = 0; i < nout; i++)
		l->stored[l->nstored++] = out[i];
	l->n++;
	return 0;
}

/*
 * Publish l's tree (every record so far) under dbdir: its level-0 tile
 * (the leaf hashes; a tree under 256 records has no other), "latest",
 * and the lookup of each record.  note gets the signed tree note.
 */
static int
log_publish(struct log *l, struct buf *note)
{
	unsigned char data[NREC_MAX * TLOG_HASH];
	char path[128], text[256], emod[MODPATH_MAX], ever[VERSION_MAX];
	struct tlog_tile t = { TLOG_TILE_H, 0, 0, (int)l->n };
	struct tlog_hash root;
	struct buf look;
	struct err e;
	int64_t k;

	err_clear(&e);
	for (k = 0; k < l->n; k++)
		memcpy(data + k * TLOG_HASH,
		    l->stored[tlog_stored_hash_index(0, k)].b, TLOG_HASH);
	if (tlog_tile_path(&t, path, sizeof(path)) == -1 ||
	    testmod_put(dbdir, data, (size_t)l->n * TLOG_HASH, "%s",
	    path) == -1)
		return -1;
	if (tlog_tree_hash(l->n, log_read, l, &root,
	    &e) == -1 || tlog_tree_format(l->n, &root, text,
	    sizeof(text)) == -1 || note_sign(text, strlen(text), &signer,
	    note, &e) == -1)
		return -1;
	if (testmod_put(dbdir, note->data, note->len, "latest") == -1)
		return -1;
	for (k = 0; k < l->n; k++) {
		buf_init(&look, NOTE_MAX);
		if (modpath_escape(l->module[k], emod, sizeof(emod)) == -1 ||
		    modpath_escape(l->version[k], ever, sizeof(ever)) == -1 ||
		    buf_printf(&look, &e, "%" PRId64 "\n%s\n%s", k, l->text[k],
		    note->data) == -1 ||
		    testmod_put(dbdir, look.data, look.len, "lookup/%s@%s",
		    emod, ever) == -1) {
			buf_free(&look);
			return -1;
		}
		buf_free(&look);
	}
	return 0;
}

/* The tree kept as verified for the database, or "" (static). */
static const char *
kept_tree(struct index *ix)
{
	static char text[4096];
	struct buf b;
	struct err e;

	err_clear(&e);
	text[0] = '\0';
	if (index_meta_get(ix, "sumdb-tree:" DBNAME, &b, &e) == 1) {
		snprintf(text, sizeof(text), "%.*s", (int)b.len, b.data);
		buf_free(&b);
	}
	return text;
}

/* verify record k of l; the code, message to e. */
static int
verify(const struct sumdb_ctx *sc, const struct log *l, int k,
    const char *mod_h1, const char *zip_h1, struct err *e)
{
	err_clear(e);
	return sumdb_verify(sc, l->module[k], l->version[k], mod_h1, zip_h1, e);
}

static int
flip_byte(const char *rel, size_t off)
{
	char path[PATH_MAX];
	unsigned char *p;
	size_t n;
	int rc;

	path_join(path, dbdir, rel);
	if ((p = read_file(path, &n)) == NULL || off >= n) {
		free(p);
		return -1;
	}
	p[off] ^= 0x55;
	rc = write_file(path, p, n);
	free(p);
	return rc;
}

int
main(void)
{
	char dir[] = "/tmp/test_sumdb.XXXXXX", state[PATH_MAX], ini[PATH_MAX];
	char text[4 * PATH_MAX], path[PATH_MAX], *skey, *vkey;
	char home[] = "HOME=/nonexistent", *envp[] = { home, NULL };
	struct config_errors errs = { NULL, 0 };
	struct upstream_list up = { NULL, 0 };
	static struct log l1, fork;
	struct buf note5, note9, note10, b, b2;
	struct sumdb_list dbs;
	struct sumdb_ctx sc;
	struct config cfg;
	struct sumdb db;
	struct err e;
	int i;

	log_init("test_sumdb", LOG_LVL_ERROR);
	fetch_proxy_init();
	if (mkdtemp(dir) == NULL)
		return 1;
	path_join(dbdir, dir, "db");
	path_join(state, dir, "state");
	path_join(ini, dir, "piraeus.ini");
	snprintf(text, sizeof(text), "[storage]\nroot = %s/store\n[state]\n"
	    "dir = %s\n[upstream]\nretries = 0\n[sumdb]\nvia_proxy = no\n",
	    dir, state);
	err_clear(&e);
	memset(&cfg, 0, sizeof(cfg));
	memset(&sc, 0, sizeof(sc));
	path_join(path, dir, "store");
	if (mkdir(dbdir, 0755) == -1 || mkdir(state, 0700) == -1 ||
	    mkdir(path, 0755) == -1 ||
	    write_file(ini, text, strlen(text)) == -1 ||
	    config_load(&cfg, ini, envp, &errs) != 0 ||
	    index_open(&sc.idx, state, &e) == -1) {
		printf("# set-up: %s %s\n", errs.n ? errs.msgs[0] : "", e.msg);
		return 1;
	}
	ok(!cfg.sumdb_via_proxy, "config: via_proxy = no");

	/* The database: its key, and the entry piraeus knows it by. */
	memset(&db, 0, sizeof(db));
	if (note_keygen(DBNAME, &skey, &vkey, &e) == -1 ||
	    note_signer_parse(skey, &signer, &e) == -1 ||
	    note_verifier_parse(vkey, &db.key, &e) == -1) {
		printf("# keys: %s\n", e.msg);
		return 1;
	}
	snprintf(db.url, sizeof(db.url), "file://%.1000s", dbdir);
	dirhash_sha256_hex(db.url, strlen(db.url), db.scope);
	dbs.v = &db;
	dbs.n = 1;
	sc.cfg = &cfg;
	sc.up = &up;
	sc.dbs = &dbs;

	/* Tree 1: five records; a module with capitals among them. */
	ok(log_add(&l1, "example.com/a", "v1.0.0", 1) == 0 &&
	    log_add(&l1, "example.com/a", "v1.1.0", 2) == 0 &&
	    log_add(&l1, "example.com/Cap", "v0.1.0", 3) == 0 &&
	    log_add(&l1, "example.com/b", "v2.0.0+incompatible", 4) == 0 &&
	    log_add(&l1, "example.com/c/v2", "v2.3.4", 5) == 0,
	    "tree 1: five records");
	ok(log_publish(&l1, &note5) == 0, "tree 1: published");

	/* A tampered tile: record 0's proof needs leaf 1's hash. */
	ok(flip_byte("tile/8/0/000.p/5", TLOG_HASH + 3) == 0,
	    "tampered: leaf 1's hash changed in the tile");
	is_int(verify(&sc, &l1, 0, l1.mod_h1[0], l1.zip_h1[0], &e), -1,
	    "tampered tile: refused");
	is_int(e.code, E_UPSTREAM, "tampered tile: E_UPSTREAM");
	ok(strstr(e.msg, "not in the tree") != NULL, "tampered tile: the "
	    "record is not in the tree it came with");
	printf("# %s\n", e.msg);
	is_str(kept_tree(sc.idx), "", "tampered tile: no tree kept");
	/* Right again: the bad copy cached is fetched afresh. */
	ok(flip_byte("tile/8/0/000.p/5", TLOG_HASH + 3) == 0,
	    "tampered: the tile put right upstream");

	for (i = 0; i < 5; i++) {
		char name[128];

		snprintf(name, sizeof(name), "tree 1: %s@%s verifies",
		    l1.module[i], l1.version[i]);
		is_int(verify(&sc, &l1, i, l1.mod_h1[i], l1.zip_h1[i], &e), 0,
		    name);
		if (e.code != E_OK)
			printf("#   %s\n", e.msg);
	}
	is_str(kept_tree(sc.idx), note5.data, "tree 1: kept as verified");
	is_int(verify(&sc, &l1, 1, NULL, l1.zip_h1[1], &e), 0,
	    "the zip h1 alone verifies");
	is_int(verify(&sc, &l1, 1, l1.mod_h1[1], NULL, &e), 0,
	    "the go.mod h1 alone verifies");
	is_int(verify(&sc, &l1, 1, NULL, NULL, &e), 0,
	    "nothing to verify: 0");

	/* Mismatches. */
	is_int(verify(&sc, &l1, 0, l1.mod_h1[0], l1.zip_h1[1], &e), -1,
	    "a wrong zip h1: refused");
	is_int(e.code, E_UPSTREAM, "a wrong zip h1: E_UPSTREAM");
	ok(strstr(e.msg, "checksum mismatch") != NULL &&
	    strstr(e.msg, "/go.mod") == NULL, "a wrong zip h1: \"checksum "
	    "mismatch\" of the zip");
	printf("# %s\n", e.msg);
	is_int(verify(&sc, &l1, 0, l1.mod_h1[1], l1.zip_h1[0], &e), -1,
	    "a wrong go.mod h1: refused");
	ok(e.code == E_UPSTREAM && strstr(e.msg, "checksum mismatch") != NULL &&
	    strstr(e.msg, "/go.mod") != NULL, "a wrong go.mod h1: \"checksum "
	    "mismatch\" of the go.mod");
	err_clear(&e);
	is_int(sumdb_verify(&sc, "example.com/a", "v1.2.0", NULL, l1.zip_h1[0],
	    &e), -1, "no record: refused");
	is_int(e.code, E_UPSTREAM, "no record: E_UPSTREAM");
	ok(strstr(e.msg, "no record") != NULL && strstr(e.msg, "nosum") !=
	    NULL, "no record: names [sumdb] nosum");
	printf("# %s\n", e.msg);
	is_str(kept_tree(sc.idx), note5.data, "failures keep tree 1");

	/* Tree 2: four more records, consistent with tree 1. */
	ok(log_add(&l1, "example.com/d", "v1.0.0", 6) == 0 &&
	    log_add(&l1, "example.com/d", "v1.0.1", 7) == 0 &&
	    log_add(&l1, "example.com/e", "v0.0.0-20230101000000-abcdefabcdef",
	    8) == 0 && log_add(&l1, "example.com/f", "v1.0.0", 9) == 0,
	    "tree 2: nine records");
	memcpy(&fork, &l1, sizeof(fork));
	ok(log_publish(&l1, &note9) == 0, "tree 2: published");
	is_int(verify(&sc, &l1, 6, l1.mod_h1[6], l1.zip_h1[6], &e), 0,
	    "tree 2: a new record verifies");
	if (e.code != E_OK)
		printf("#   %s\n", e.msg);
	is_str(kept_tree(sc.idx), note9.data, "tree 2: the kept tree moves "
	    "forward");
	/* A record whose lookup (cached) came with tree 1. */
	is_int(verify(&sc, &l1, 2, l1.mod_h1[2], l1.zip_h1[2], &e), 0,
	    "an older tree is proved against the kept one");
	is_str(kept_tree(sc.idx), note9.data, "an older tree: the kept tree "
	    "does not go back");

	/* A lookup fetched beside the version's files (sumdb_verify_with):
	 * used as it came, the database not asked for it (its file is moved
	 * away upstream), then cached as if fetched.  Each step under a
	 * scope of its own, where nothing is cached yet. */
	{
		char lpath[PATH_MAX + 64], moved[PATH_MAX + 72];
		char opath[PATH_MAX + 64];
		struct buf given, other;
		char *gdata, *odata;
		size_t glen, olen;

		snprintf(lpath, sizeof(lpath), "%s/lookup/example.com/a@v1.0.0",
		    dbdir);
		snprintf(moved, sizeof(moved), "%s.away", lpath);
		gdata = (char *)read_file(lpath, &glen);
		snprintf(opath, sizeof(opath), "%s/lookup/example.com/a@v1.1.0",
		    dbdir);
		odata = (char *)read_file(opath, &olen);
		ok(gdata != NULL && odata != NULL && rename(lpath, moved) == 0,
		    "given: the lookup file moved away upstream");
		buf_init(&given, 1 << 20);
		buf_init(&other, 1 << 20);
		buf_append(&given, gdata, glen, &e);
		buf_append(&other, odata, olen, &e);
		db.scope[0] = 'x';
		err_clear(&e);
		is_int(sumdb_verify_with(&sc, "example.com/a", "v1.0.0",
		    l1.mod_h1[0], l1.zip_h1[0], &other, &e), -1,
		    "given: another version's lookup: refused");
		ok(strstr(e.msg, "has no") != NULL, "given: ... its record "
		    "has no line for the version (it was used, not fetched)");
		printf("# %s\n", e.msg);
		db.scope[0] = 'y';
		err_clear(&e);
		is_int(sumdb_verify_with(&sc, "example.com/a", "v1.0.0",
		    l1.mod_h1[0], l1.zip_h1[0], &given, &e), 0,
		    "given: the right lookup verifies without the file");
		if (e.code != E_OK)
			printf("#   %s\n", e.msg);
		err_clear(&e);
		is_int(sumdb_verify(&sc, "example.com/a", "v1.0.0",
		    l1.mod_h1[0], l1.zip_h1[0], &e), 0,
		    "given: then cached as if fetched");
		db.scope[0] = 'z';
		err_clear(&e);
		is_int(sumdb_verify(&sc, "example.com/a", "v1.0.0",
		    l1.mod_h1[0], l1.zip_h1[0], &e), -1,
		    "given: without it, the moved file is missed (control)");
		/* Its note was opened (and kept): the same text with another
		 * signature is checked, not taken for the kept note. */
		{
			struct buf bad;
			char *sig = NULL, *p;

			buf_init(&bad, 1 << 20);
			buf_append(&bad, gdata, glen, &e);
			for (p = bad.data; (p = strstr(p, "\n\xe2\x80\x94 ")) !=
			    NULL; p++)
				sig = p;
			ok(sig != NULL && glen > 12, "kept note: the lookup's "
			    "signature line");
			if (sig != NULL && glen > 12) {
				p = bad.data + glen - 10;
				*p = *p == 'A' ? 'B' : 'A';
			}
			db.scope[0] = 'w';
			err_clear(&e);
			is_int(sumdb_verify_with(&sc, "example.com/a", "v1.0.0",
			    l1.mod_h1[0], l1.zip_h1[0], &bad, &e), -1,
			    "kept note: the same tree with a bad signature is "
			    "refused");
			printf("# %s\n", e.msg);
			is_int(e.code, E_UPSTREAM, "kept note: E_UPSTREAM");
			db.scope[0] = 'v';
			err_clear(&e);
			is_int(sumdb_verify_with(&sc, "example.com/a", "v1.0.0",
			    l1.mod_h1[0], l1.zip_h1[0], &given, &e), 0,
			    "kept note: the good one still verifies");
			buf_free(&bad);
		}
		ok(rename(moved, lpath) == 0, "given: the file put back");
		buf_free(&given);
		buf_free(&other);
		free(gdata);
		free(odata);
	}

	/* A fork: record 3 rewritten, a tenth added, signed by the key. */
	{
		static struct log f2;
		int k;

		memset(&f2, 0, sizeof(f2));
		for (k = 0; k < 9; k++)
			log_add(&f2, fork.module[k], fork.version[k],
			    k == 3 ? 99 : k + 1);
		log_add(&f2, "example.com/g", "v1.0.0", 10);
		ok(f2.n == 10 && log_publish(&f2, &note10) == 0,
		    "fork: ten records, record 3 changed, published");
		err_clear(&e);
		is_int(sumdb_verify(&sc, "example.com/g", "v1.0.0", f2.mod_h1[9],
		    f2.zip_h1[9], &e), -1, "fork: refused");
		is_int(e.code, E_UPSTREAM, "fork: E_UPSTREAM");
		ok(strstr(e.msg, "not consistent") != NULL,
		    "fork: not consistent with the tree verified before");
		printf("# %s\n", e.msg);
		is_str(kept_tree(sc.idx), note9.data, "fork: tree 2 kept");
	}

	/* sumdb_get: the cache answers within the TTL. */
	err_clear(&e);
	memset(&b, 0, sizeof(b));
	ok(sumdb_get(&sc, &db, "lookup/example.com/!cap@v0.1.0", &b, &e) == 0,
	    "get: a lookup (cached by verify)");
	ok(b.data != NULL && strncmp(b.data, "2\n", 2) == 0 &&
	    strstr(b.data, l1.text[2]) != NULL, "get: its id and record");
	buf_free(&b);
	path_join(path, dbdir, "tile/8/0/000.p/9");
	is_int(sumdb_get(&sc, &db, "tile/8/0/000.p/9", &b, &e), 0,
	    "get: a tile");
	ok(unlink(path) == 0, "get: the tile deleted upstream");
	is_int(sumdb_get(&sc, &db, "tile/8/0/000.p/9", &b2, &e), 0,
	    "get: the tile again, within the TTL");
	ok(b.len == b2.len && b.len == 9 * TLOG_HASH &&
	    memcmp(b.data, b2.data, b.len) == 0, "get: the same bytes");
	buf_free(&b);
	buf_free(&b2);
	is_int(sumdb_get(&sc, &db, "latest", &b, &e), 0, "get: latest");
	ok(b.len == note10.len && memcmp(b.data, note10.data, b.len) == 0,
	    "get: latest is upstream's");
	buf_free(&b);
	path_join(path, dbdir, "latest");
	ok(unlink(path) == 0, "get: latest deleted upstream");
	is_int(sumdb_get(&sc, &db, "latest", &b, &e), 0,
	    "get: latest again, from the cache");
	ok(b.len == note10.len, "get: the cached latest");
	buf_free(&b);
	err_clear(&e);
	is_int(sumdb_get(&sc, &db, "tile/8/0/001.p/3", &b, &e), -1,
	    "get: a path upstream never had");
	is_int(e.code, E_NOTFOUND, "get: E_NOTFOUND");

	/* Offline: what is cached answers, nothing else. */
	sc.offline = 1;
	is_int(sumdb_get(&sc, &db, "latest", &b, &e), 0,
	    "offline: a cached path answers");
	buf_free(&b);
	err_clear(&e);
	is_int(sumdb_get(&sc, &db, "lookup/example.com/never@v1.0.0", &b, &e),
	    -1, "offline: nothing cached: fails");
	is_int(e.code, E_NOTFOUND, "offline: E_NOTFOUND");
	printf("# %s\n", e.msg);
	err_clear(&e);
	is_int(sumdb_get(&sc, &db, "lookup/example.com/f@v1.0.0", &b, &e), -1,
	    "offline: upstream has it, not cached: fails");
	is_int(e.code, E_NOTFOUND, "offline: E_NOTFOUND, upstream not asked");
	sc.offline = 0;

	buf_free(&note5);
	buf_free(&note9);
	buf_free(&note10);
	free(skey);
	free(vkey);
	index_close(sc.idx);
	config_free(&cfg);
	config_errors_free(&errs);
	testmod_rmrf(dir);
	return tap_done();
}

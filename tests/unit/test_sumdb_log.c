/*
 * test_sumdb_log.c: the private checksum database's log (sumdb_log.c) on
 * a real index, answered through the pipeline (resolve.c,
 * WANT_SUMDB_PRIVATE): which versions get a record, one record per version
 * (idempotence), dense ids, the tree size and root of the signed tree
 * head (the root recomputed here by RFC 6962's recursive definition from
 * the record texts, not by tlog's stored hashes), the signature under the
 * database's own public key, lookups, and tiles equal to tiles computed
 * here from the same records.  network_mode is offline throughout.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"

#define PATH_CAP	PATH_MAX
#include "testfile.h"
#include "testproxy.h"

#define NREC	261	/* one full tile of 256 and a partial one of 5 */
#define DBNAME	"private.example/sumdb"
#define LOG	px.idx, &px.signer	/* sumdb_log_add's log */

static struct tlog_hash leaves[NREC + 1];
static char texts[NREC + 1][4 * MODPATH_MAX];

/* The tiles of the log of NREC + 1 records: level 0 holds the leaf
 * hashes, level 1 the roots of 256-leaf subtrees, level -1 the records;
 * width 0 means "must be 404". */
static const struct {
	const char	*path;
	int		 level;
	int		 first;		/* first leaf (or level-1 node) */
	int		 width;
} tiles[] = {
	{ "tile/8/0/000", 0, 0, 256 },
	{ "tile/8/0/001.p/6", 0, 256, 6 },
	{ "tile/8/0/001.p/2", 0, 256, 2 },
	{ "tile/8/1/000.p/1", 1, 0, 1 },
	{ "tile/8/data/000", -1, 0, 256 },
	{ "tile/8/data/001.p/6", -1, 256, 6 },
	{ "tile/8/data/001.p/1", -1, 256, 1 },
	{ "tile/8/0/001.p/7", 0, 0, 0 },
	{ "tile/8/0/001", 0, 0, 0 },
	{ "tile/8/0/002.p/1", 0, 0, 0 },
	{ "tile/8/1/000", 0, 0, 0 },
	{ "tile/8/2/000.p/1", 0, 0, 0 },
	{ "tile/8/data/001", 0, 0, 0 },
	{ "tile/8/data/001.p/7", 0, 0, 0 },
	{ "tile/4/0/000", 0, 0, 0 },
	{ "tile/8/0/0", 0, 0, 0 },
	{ "lookup", 0, 0, 0 },
	{ "nonsense", 0, 0, 0 },
};

/* The go.sum lines record i is made of. */
static void
version_of(int i, char *module, size_t msz, char *version, size_t vsz,
    char *zh1, char *mh1)
{
	unsigned char raw[32];
	char b64[48];

	snprintf(module, msz, "private.example/m%d", i % 7);
	snprintf(version, vsz, "v1.%d.0", i);
	memset(raw, i & 0xff, sizeof(raw));
	raw[0] = (unsigned char)(i >> 8);
	note_b64_encode(raw, sizeof(raw), b64, sizeof(b64));
	snprintf(zh1, H1_MAX, "h1:%s", b64);
	raw[1] = 0xee;
	note_b64_encode(raw, sizeof(raw), b64, sizeof(b64));
	snprintf(mh1, H1_MAX, "h1:%s", b64);
}

/* RFC 6962 MTH(leaves[lo..hi)), recursively: the split is the largest
 * power of two below the width. */
static void
mth(int lo, int hi, struct tlog_hash *out)
{
	struct tlog_hash l, r;
	int k = 1;

	if (hi - lo == 1) {
		*out = leaves[lo];
		return;
	}
	while (k * 2 < hi - lo)
		k *= 2;
	mth(lo, lo + k, &l);
	mth(lo + k, hi, &r);
	tlog_node_hash(&l, &r, out);
}

/* Answer path into b as a client's request does (resolve); 0 or -1. */
static int
answer(struct proxy *px, const char *path, const char *module,
    const char *version, struct buf *b, struct err *e)
{
	struct answer a;
	struct want w;
	int rc;

	err_clear(e);
	memset(&w, 0, sizeof(w));
	w.kind = WANT_SUMDB_PRIVATE;
	w.module = module;
	w.version = version;
	w.emod = w.ever = w.canon = "";
	w.path = path;
	rc = resolve(proxy_resolver(px), &w, &a, e);
	*b = a.body;
	memset(&a.body, 0, sizeof(a.body));
	answer_free(&a);
	return rc;
}

/* The signed tree head: verified under vkey, its size and root. */
static int
tree_head(struct proxy *px, const struct note_verifier *v, int64_t *n,
    struct tlog_hash *root)
{
	struct buf b;
	struct err e;
	size_t tl;
	int rc = -1;

	if (answer(px, "latest", "", "", &b, &e) == -1) {
		printf("# latest: %s\n", e.msg);
		return -1;
	}
	if (note_open(b.data, b.len, v, 1, &tl, &e) == -1)
		printf("# note_open: %s\n", e.msg);
	else if (tlog_tree_parse(b.data, tl, n, root) == -1)
		printf("# tree_parse failed\n");
	else
		rc = 0;
	buf_free(&b);
	return rc;
}

static int
setup(const char *dir, struct proxy *px, struct note_verifier *v,
    struct note_verifier *other)
{
	char path[PATH_MAX], text[4 * PATH_MAX];
	char *skey, *vkey;
	struct err e;

	err_clear(&e);
	if (note_keygen(DBNAME, &skey, &vkey, &e) == -1 ||
	    note_verifier_parse(vkey, v, &e) == -1)
		return -1;
	path_join(path, dir, "skey");
	if (write_file(path, skey, strlen(skey)) == -1 ||
	    chmod(path, 0600) == -1)
		return -1;
	free(skey);
	free(vkey);
	/* Another key of the same name: must not verify the heads. */
	if (note_keygen(DBNAME, &skey, &vkey, &e) == -1 ||
	    note_verifier_parse(vkey, other, &e) == -1)
		return -1;
	free(skey);
	free(vkey);
	snprintf(text, sizeof(text), "[upstream]\nnetwork_mode = offline\n"
	    "[sumdb]\nnosum = private.example\nprivate_key = %s/skey\n",
	    dir);
	if (testproxy_open(px, dir, text) == -1)
		return -1;
	if (!px->has_signer) {
		printf("# proxy_open: %s %s\n", e.msg, px->idx_error);
		return -1;
	}
	return 0;
}

int
main(void)
{
	char tmpl[] = "/tmp/test_sumdb_log.XXXXXX", cmd[PATH_MAX + 16];
	char module[MODPATH_MAX], version[VERSION_MAX], zh1[H1_MAX];
	char mh1[H1_MAX], name[256], want[4 * MODPATH_MAX + 32];
	struct note_verifier v, other;
	struct tlog_hash root, want_root;
	struct proxy px;
	struct buf b;
	struct err e;
	int64_t n, id;
	size_t tl;
	int i, bad;

	log_set_level(LOG_LVL_WARN);
	if (mkdtemp(tmpl) == NULL || setup(tmpl, &px, &v, &other) == -1)
		return 99;

	/* Not logged: a public module (no relay), missing hashes. */
	ok(answer(&px, "lookup/x", "example.com/public", "v1.0.0", &b, &e) ==
	    -1 && e.code == E_NOTFOUND, "public module: lookup 404");
	is_int(index_log_count(px.idx, &e), 0, "public module: no record");
	err_clear(&e);
	is_int(sumdb_log_add(LOG, "private.example/x", "v1.0.0", "", "h1:B",
	    &e), -1, "no zip hash: refused");
	is_int(e.code, E_INTERNAL, "no zip hash: E_INTERNAL");
	err_clear(&e);
	is_int(sumdb_log_add(LOG, "private.example/x", "v1.0.0", "h1:A", NULL,
	    &e), -1, "no mod hash: refused");
	is_int(index_log_count(px.idx, &e), 0, "refused: no record");

	/* Append NREC records, each twice: one record per version, ids
	 * dense from 0. */
	bad = 0;
	for (i = 0; i < NREC; i++) {
		version_of(i, module, sizeof(module), version, sizeof(version),
		    zh1, mh1);
		snprintf(texts[i], sizeof(texts[i]), "%s %s %s\n%s %s/go.mod "
		    "%s\n", module, version, zh1, module, version, mh1);
		tlog_record_hash(texts[i], strlen(texts[i]), &leaves[i]);
		err_clear(&e);
		if (sumdb_log_add(LOG, module, version, zh1, mh1, &e) == -1 ||
		    sumdb_log_add(LOG, module, version, zh1, mh1, &e) == -1 ||
		    index_log_count(px.idx, &e) != i + 1 ||
		    index_log_find(px.idx, module, version, &id, &e) != 1 ||
		    id != i) {
			printf("# record %d: %s\n", i, e.msg);
			bad++;
		}
	}
	is_int(bad, 0, "each version added twice: one record, id = order");
	/* The same version with other hashes: the first record stays. */
	version_of(3, module, sizeof(module), version, sizeof(version), zh1,
	    mh1);
	err_clear(&e);
	is_int(sumdb_log_add(LOG, module, version, "h1:other", "h1:other",
	    &e), 0, "a logged version again, other hashes: no error");
	is_int(index_log_count(px.idx, &e), NREC, "... and no new record");
	ok(index_log_record(px.idx, 3, &b, &e) == 1 && b.len ==
	    strlen(texts[3]) && memcmp(b.data, texts[3], b.len) == 0,
	    "... record 3 unchanged: the first go.sum lines");
	buf_free(&b);

	/* The signed tree head. */
	mth(0, NREC, &want_root);
	ok(tree_head(&px, &v, &n, &root) == 0, "latest: opens under the "
	    "database's verifier key");
	is_int(n, NREC, "latest: tree size is last id + 1");
	ok(memcmp(root.b, want_root.b, TLOG_HASH) == 0,
	    "latest: root equals RFC 6962 MTH of the records");
	ok(answer(&px, "latest", "", "", &b, &e) == 0 &&
	    note_open(b.data, b.len, &other, 1, &tl, &e) == -1,
	    "latest: another key of the same name does not verify it");
	buf_free(&b);
	/* Lookups: "<id>\n<text>\n<signed head>". */
	version_of(200, module, sizeof(module), version, sizeof(version), zh1,
	    mh1);
	ok(answer(&px, "lookup/x", module, version, &b, &e) == 0,
	    "lookup of record 200");
	snprintf(want, sizeof(want), "200\n%s\n", texts[200]);
	ok(b.len > strlen(want) && memcmp(b.data, want, strlen(want)) == 0,
	    "lookup: id, the record's text, blank line");
	ok(b.len > strlen(want) && note_open(b.data + strlen(want),
	    b.len - strlen(want), &v, 1, &tl, &e) == 0 &&
	    tlog_tree_parse(b.data + strlen(want), tl, &n, &root) == 0 &&
	    n == NREC, "lookup: the signed head of the whole tree follows");
	buf_free(&b);
	ok(answer(&px, "lookup/x", "example.com/public", "v1.0.0", &b, &e) ==
	    -1 && e.code == E_NOTFOUND, "lookup of a public module: 404");
	ok(answer(&px, "lookup/x", "private.example/m1", "v9.9.9", &b, &e) ==
	    -1 && e.code == E_NOTFOUND, "lookup of an unstored private "
	    "version, offline: 404");
	is_int(index_log_count(px.idx, &e), NREC, "failed lookups: no record");
	/* A private version stored (indexed) but not logged yet: the lookup
	 * appends it as record NREC. */
	{
		struct index_version iv;

		memset(&iv, 0, sizeof(iv));
		snprintf(iv.module, sizeof(iv.module), "private.example/late");
		snprintf(iv.version, sizeof(iv.version), "v0.1.0");
		snprintf(iv.zip_h1, sizeof(iv.zip_h1), "h1:zipzip=");
		snprintf(iv.mod_h1, sizeof(iv.mod_h1), "h1:modmod=");
		iv.has_info = iv.has_zip = 1;
		iv.zip_size = 1;
		err_clear(&e);
		ok(index_put(px.idx, &iv, &e) == 0, "index a stored version");
		ok(answer(&px, "lookup/x", iv.module, iv.version, &b, &e) == 0,
		    "lookup of a stored, unlogged private version");
		snprintf(want, sizeof(want), "%d\nprivate.example/late v0.1.0 "
		    "h1:zipzip=\nprivate.example/late v0.1.0/go.mod "
		    "h1:modmod=\n\n", NREC);
		ok(b.len > strlen(want) && memcmp(b.data, want,
		    strlen(want)) == 0, "... appended as the next record");
		buf_free(&b);
		is_int(index_log_count(px.idx, &e), NREC + 1,
		    "... the log grew by one");
	}

	/* Tiles, against tiles made here from the records (NREC + 1 now). */
	snprintf(texts[NREC], sizeof(texts[NREC]), "private.example/late "
	    "v0.1.0 h1:zipzip=\nprivate.example/late v0.1.0/go.mod "
	    "h1:modmod=\n");
	tlog_record_hash(texts[NREC], strlen(texts[NREC]), &leaves[NREC]);
	for (i = 0; i < (int)NITEMS(tiles); i++) {
		static char tile[256 * (4 * MODPATH_MAX + 16)];
		size_t tlen = 0;
		int j, k;

		if (tiles[i].level == 0)
			for (j = tiles[i].first; j < tiles[i].first +
			    tiles[i].width; j++) {
				memcpy(tile + tlen, leaves[j].b, TLOG_HASH);
				tlen += TLOG_HASH;
			}
		else if (tiles[i].level == 1)
			for (j = 0; j < tiles[i].width; j++) {
				struct tlog_hash h;

				k = (tiles[i].first + j) * 256;
				mth(k, k + 256, &h);
				memcpy(tile + tlen, h.b, TLOG_HASH);
				tlen += TLOG_HASH;
			}
		else
			for (j = tiles[i].first; j < tiles[i].first +
			    tiles[i].width; j++)
				tlen += (size_t)snprintf(tile + tlen,
				    sizeof(tile) - tlen, "%d\n%s\n", j,
				    texts[j]);
		snprintf(name, sizeof(name), "%s", tiles[i].path);
		err_clear(&e);
		if (tiles[i].width == 0) {
			ok(answer(&px, tiles[i].path, "", "", &b, &e) == -1 &&
			    e.code == E_NOTFOUND, name);
			continue;
		}
		if (!ok(answer(&px, tiles[i].path, "", "", &b, &e) == 0, name)) {
			printf("#   %s\n", e.msg);
			continue;
		}
		is_int(b.len, tlen, "  length");
		ok(b.len == tlen && memcmp(b.data, tile, tlen) == 0,
		    "  bytes equal the tile computed here");
		buf_free(&b);
	}

	proxy_close(&px);
	config_free(&px.cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpl);
	return tap_done();
}

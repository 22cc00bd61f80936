/*
 * test_tlog.c: unit tests for tlog.c (the checksum database's Merkle tree).
 *
 * Known values come from golang.org/x/mod/sumdb/tlog (tlog_test.go,
 * note_test.go, tile paths) and protocol.md section 5.2 (record 842 of
 * sum.golang.org and its tree 445646).  The rest is checked against a log
 * of NREC records built in memory: tree hashes against a direct recursive
 * RFC 6962 computation (hashed here with EVP_Digest, not tlog.c), proofs
 * both ways (they must hold, and must break when anything is altered),
 * and tiles against the stored hashes they are made of.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "piraeus.h"
#include "tap.h"

#define NREC		300	/* records in the test log */
#define PROOF_ALL_T	64	/* every (t, n) pair up to this tree size */
#define PATH_CAP	128
#define NOTE_CAP	256
#define REC_CAP		64

#define UUID_RECORD	"github.com/google/uuid v1.1.1 h1:Gkbcsh/GbpXz7lPftLA3" \
			"P6TYMwjCLYm83jiFQZF/3gY=\ngithub.com/google/uuid v1." \
			"1.1/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhx" \
			"U+yHo=\n"
#define UUID_LEAF	"gCGotQKRpCpTloDkBuQHaEaIfNvKFRiwWgilbJLPPm0="
#define SUM_N		445646
#define SUM_ROOT	"jEFFy4AtYgBBNTSZTiNnQrgQqMbcH0mfO2oP2FxR9VU="
#define SUM_TEXT	"go.sum database tree\n445646\n" SUM_ROOT "\n"
#define HELLO_TREE	"go.sum database tree\n123456789012\n" \
			"TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"

/* The stored hashes of a log, read through tlog_read_fn. */
struct hashlog {
	struct tlog_hash	*h;
	int64_t			 n;
	int			 fail;	/* make every read fail */
};

static struct hashlog log_store;
static struct tlog_hash leaves[NREC];

static const struct {
	const char	*path;
	struct tlog_tile tile;
} tile_paths[] = {
	{ "tile/3/4/x001/x234/067.p/1", { 3, 4, 1234067, 1 } },
	{ "tile/3/4/x001/x234/067", { 3, 4, 1234067, 8 } },
	{ "tile/8/0/003", { 8, 0, 3, 256 } },
	{ "tile/8/data/003", { 8, -1, 3, 256 } },
	{ "tile/8/0/x001/740.p/206", { 8, 0, 1740, 206 } },
	{ "tile/8/1/006.p/204", { 8, 1, 6, 204 } },
	{ "tile/8/2/000.p/6", { 8, 2, 0, 6 } },
	{ "tile/4/0/001", { 4, 0, 1, 16 } },
	{ "tile/4/0/001.p/5", { 4, 0, 1, 5 } },
	{ "tile/3/5/x123/x456/078", { 3, 5, 123456078, 8 } },
	{ "tile/3/5/x123/x456/078.p/2", { 3, 5, 123456078, 2 } },
	{ "tile/1/0/x003/x057/500", { 1, 0, 3057500, 2 } },
	{ "tile/1/data/x003/x057/500", { 1, -1, 3057500, 2 } },
	{ "tile/8/data/003.p/5", { 8, -1, 3, 5 } },
	{ "tile/30/63/x009/x223/x372/x036/x854/x775/807",
	  { 30, 63, INT64_MAX, 1 << 30 } },
	{ "tile/30/0/000.p/1073741823", { 30, 0, 0, (1 << 30) - 1 } },
	{ "tile/1/0/000.p/1", { 1, 0, 0, 1 } },
};

static const char *const bad_tile_paths[] = {
	"tile/3/5/123/456/078",		/* groups without x */
	"tile/3/-1/123/456/078",
	"tile/8/0/x000/003",		/* leading zero group */
	"tile/8/0/0003",
	"tile/8/0/03",
	"tile/8/0/3",
	"tile/8/0/x003",
	"tile/8/0/003/",
	"tile/8/0/003.p/0",		/* W = 0 */
	"tile/8/0/003.p/256",		/* W = 2^H with .p */
	"tile/8/0/003.p/257",
	"tile/8/0/003.p/05",
	"tile/8/0/003.p/",
	"tile/8/0/003.p",
	"tile/8/0/003.q/5",
	"tile/0/0/003",			/* H = 0 */
	"tile/31/0/003",		/* H = 31 */
	"tile/08/0/003",
	"tile/8/00/003",
	"tile/8/64/003",
	"tile/8/Data/003",
	"tile/8/data/",
	"tile/8/0/",
	"tile/8/0",
	"tile/8",
	"tile/",
	"",
	"/tile/8/0/003",
	"tiles/8/0/003",
	"tile/8/0/003 ",
	"tile/+8/0/003",
	"tile/8/+0/003",
	"tile/8/0/x-01/003",
	"tile/30/63/x009/x223/x372/x036/x854/x775/808",	/* > INT64_MAX */
	"tile/8/0/x001/x000/x000/x000/x000/x000/x000/000",
};

/* SHA-256(prefix || a || b), by EVP_Digest directly. */
static void
ref_sha(unsigned char prefix, const void *a, size_t alen, const void *b,
    size_t blen, struct tlog_hash *out)
{
	unsigned char *in;

	in = xmalloc(1 + alen + blen);
	in[0] = prefix;
	memcpy(in + 1, a, alen);
	if (blen > 0)
		memcpy(in + 1 + alen, b, blen);
	EVP_Digest(in, 1 + alen + blen, out->b, NULL, EVP_sha256(), NULL);
	free(in);
}

/* RFC 6962 MTH of leaves [lo, hi), recursively. */
static void
ref_mth(int64_t lo, int64_t hi, struct tlog_hash *out)
{
	struct tlog_hash l, r;
	int64_t k = 1;

	if (hi - lo == 1) {
		*out = leaves[lo];
		return;
	}
	while (k * 2 < hi - lo)
		k *= 2;
	ref_mth(lo, lo + k, &l);
	ref_mth(lo + k, hi, &r);
	ref_sha(0x01, l.b, sizeof(l.b), r.b, sizeof(r.b), out);
}

static int
hash_eq(const struct tlog_hash *a, const struct tlog_hash *b)
{
	return memcmp(a->b, b->b, TLOG_HASH) == 0;
}

static void
hash_b64(const struct tlog_hash *h, char out[64])
{
	note_b64_encode(h->b, TLOG_HASH, out, 64);
}

/* The tlog_read_fn over a struct hashlog. */
static int
store_read(void *arg, const int64_t *indexes, size_t n,
    struct tlog_hash *out, struct err *e)
{
	struct hashlog *s = arg;
	size_t i;

	if (s->fail)
		return err_set(e, E_UNAVAIL, "test read failure");
	for (i = 0; i < n; i++) {
		if (indexes[i] < 0 || indexes[i] >= s->n)
			return err_set(e, E_INTERNAL, "index %lld not stored",
			    (long long)indexes[i]);
		out[i] = s->h[indexes[i]];
	}
	return 0;
}

static void
test_hashes(void)
{
	struct tlog_hash h, l, r, want;
	char b64[64];

	tlog_record_hash("hello world", 11, &h);
	hash_b64(&h, b64);
	is_str(b64, "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=",
	    "record hash of \"hello world\" (Go's tree note test)");
	tlog_record_hash(UUID_RECORD, strlen(UUID_RECORD), &h);
	hash_b64(&h, b64);
	is_str(b64, UUID_LEAF, "leaf hash of record 842 (protocol.md 5.2)");
	tlog_record_hash("", 0, &h);
	ref_sha(0x00, "", 0, NULL, 0, &want);
	ok(hash_eq(&h, &want), "record hash of nothing is SHA-256(0x00)");
	tlog_record_hash("a", 1, &l);
	tlog_record_hash("b", 1, &r);
	tlog_node_hash(&l, &r, &h);
	ref_sha(0x01, l.b, TLOG_HASH, r.b, TLOG_HASH, &want);
	ok(hash_eq(&h, &want), "node hash is SHA-256(0x01 || l || r)");
	tlog_node_hash(&r, &l, &h);
	ok(!hash_eq(&h, &want), "node hash depends on the order");
	h = l;
	tlog_node_hash(&h, &r, &h);
	ok(hash_eq(&h, &want), "node hash may write over its left input");
}

static void
test_index(void)
{
	static const struct {
		int	 level;
		int64_t	 n;
		int64_t	 index;
	} known[] = {
		{ 0, 0, 0 }, { 0, 1, 1 }, { 1, 0, 2 }, { 0, 2, 3 }, { 0, 3, 4 },
		{ 1, 1, 5 }, { 2, 0, 6 }, { 0, 4, 7 }, { 0, 842, 1679 },
		{ 3, 5, 92 }, { 7, 1000, 256248 },
	};
	static const struct {
		int64_t	 n;
		int64_t	 count;
	} counts[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 3 }, { 3, 4 }, { 4, 7 }, { 5, 8 },
		{ 8, 15 }, { SUM_N, 891281 },
	};
	size_t i, bad;
	int64_t n, x, want, m, prev;
	int level, l;

	for (i = 0; i < NITEMS(known); i++) {
		is_int(tlog_stored_hash_index(known[i].level, known[i].n),
		    known[i].index, "StoredHashIndex known value");
		tlog_split_stored_hash_index(known[i].index, &level, &n);
		ok(level == known[i].level && n == known[i].n,
		    "SplitStoredHashIndex known value");
	}
	for (i = 0; i < NITEMS(counts); i++)
		is_int(tlog_stored_hash_count(counts[i].n), counts[i].count,
		    "StoredHashCount known value");

	/* Level 0: n + n/2 + n/4 + ...; level l: last leaf below, plus l. */
	bad = 0;
	for (n = 0; n < 5000; n++) {
		for (want = 0, m = n; m > 0; m >>= 1)
			want += m;
		if (tlog_stored_hash_index(0, n) != want)
			bad++;
		for (l = 1; l < 12; l++) {
			x = tlog_stored_hash_index(0, ((n + 1) << l) - 1) + l;
			if (tlog_stored_hash_index(l, n) != x)
				bad++;
		}
	}
	is_int(bad, 0, "StoredHashIndex matches its closed forms");

	bad = 0;
	for (l = 0; l < 40; l++) {
		for (n = 0; n < 3000; n += 1 + n / 7) {
			tlog_split_stored_hash_index(
			    tlog_stored_hash_index(l, n), &level, &m);
			if (level != l || m != n)
				bad++;
		}
	}
	for (n = (int64_t)1 << 40; n < ((int64_t)1 << 40) + 64; n++) {
		tlog_split_stored_hash_index(tlog_stored_hash_index(5, n),
		    &level, &m);
		if (level != 5 || m != n)
			bad++;
	}
	is_int(bad, 0, "Split(StoredHashIndex(l, n)) round trip");

	/* Every index 0..N splits to a pair that maps back to it. */
	bad = 0;
	for (x = 0; x < 200000; x++) {
		tlog_split_stored_hash_index(x, &level, &n);
		if (tlog_stored_hash_index(level, n) != x)
			bad++;
	}
	is_int(bad, 0, "StoredHashIndex(Split(x)) == x for 200000 indexes");

	/* Count(n) is the index of leaf n: all hashes of the first n. */
	bad = 0;
	prev = 0;
	for (n = 1; n < 5000; n++) {
		if (tlog_stored_hash_count(n) != tlog_stored_hash_index(0, n) ||
		    tlog_stored_hash_count(n) <= prev)
			bad++;
		prev = tlog_stored_hash_count(n);
	}
	is_int(bad, 0, "StoredHashCount(n) == StoredHashIndex(0, n)");
}

/* Build the log of NREC records; check counts and tree hashes. */
static void
test_build(void)
{
	struct tlog_hash out[64], th, want, zero;
	struct err e;
	char rec[REC_CAP];
	size_t nout, badcount = 0, badtree = 0, nfail = 0;
	int64_t i, cap;
	int len;

	cap = tlog_stored_hash_count(NREC);
	log_store.h = xcalloc((size_t)cap, sizeof(*log_store.h));
	log_store.n = 0;
	for (i = 0; i < NREC; i++) {
		len = snprintf(rec, sizeof(rec), "record %lld\n", (long long)i);
		ref_sha(0x00, rec, (size_t)len, NULL, 0, &leaves[i]);
		err_clear(&e);
		if (tlog_stored_hashes(i, &leaves[i], store_read, &log_store,
		    out, &nout, &e) == -1) {
			nfail++;
			continue;
		}
		if (!hash_eq(&out[0], &leaves[i]) ||
		    log_store.n + (int64_t)nout > cap) {
			nfail++;
			continue;
		}
		memcpy(log_store.h + log_store.n, out, nout * sizeof(*out));
		log_store.n += (int64_t)nout;
		if (log_store.n != tlog_stored_hash_count(i + 1))
			badcount++;
	}
	is_int(nfail, 0, "StoredHashesForRecordHash for every record");
	is_int(badcount, 0, "stored hash count after every append");
	is_int(log_store.n, cap, "log holds StoredHashCount(NREC) hashes");
	for (i = 0; i < NREC; i++) {
		if (!hash_eq(&log_store.h[tlog_stored_hash_index(0, i)],
		    &leaves[i]))
			badtree++;
	}
	is_int(badtree, 0, "leaf hashes at StoredHashIndex(0, n)");

	badtree = 0;
	for (i = 1; i <= NREC; i++) {
		err_clear(&e);
		if (tlog_tree_hash(i, store_read, &log_store, &th, &e) == -1) {
			badtree++;
			continue;
		}
		ref_mth(0, i, &want);
		if (!hash_eq(&th, &want))
			badtree++;
	}
	is_int(badtree, 0, "TreeHash(n) equals recursive MTH, n = 1..NREC");
	memset(&zero, 0, sizeof(zero));
	err_clear(&e);
	ok(tlog_tree_hash(0, store_read, &log_store, &th, &e) == 0 &&
	    hash_eq(&th, &zero), "TreeHash(0) is the zero hash (as Go)");
	err_clear(&e);
	ok(tlog_tree_hash(NREC + 1, store_read, &log_store, &th, &e) == -1 &&
	    e.code == E_INTERNAL, "TreeHash past the log: reader error");
	err_clear(&e);
	ok(tlog_tree_hash(-1, store_read, &log_store, &th, &e) == -1,
	    "TreeHash(-1) fails");
	log_store.fail = 1;
	err_clear(&e);
	ok(tlog_tree_hash(5, store_read, &log_store, &th, &e) == -1 &&
	    e.code == E_UNAVAIL, "a reader's error is passed on");
	err_clear(&e);
	ok(tlog_stored_hashes(3, &leaves[3], store_read, &log_store, out,
	    &nout, &e) == -1 && e.code == E_UNAVAIL,
	    "StoredHashes passes a reader's error on");
	err_clear(&e);
	ok(tlog_stored_hashes(4, &leaves[4], store_read, &log_store, out,
	    &nout, &e) == 0 && nout == 1,
	    "StoredHashes for an even record reads nothing");
	log_store.fail = 0;
}

/* Flip one bit of h. */
static void
flip(struct tlog_hash *h, size_t byte)
{
	h->b[byte % TLOG_HASH] ^= 0x20;
}

/* Prove and check record n in tree t, then every alteration; problems. */
static size_t
record_pair(int64_t t, int64_t n)
{
	struct tlog_proof p, q;
	struct tlog_hash th, th2, h;
	struct err e;
	size_t bad = 0, k;
	int64_t t2;

	ref_mth(0, t, &th);
	err_clear(&e);
	if (tlog_prove_record(t, n, store_read, &log_store, &p, &e) == -1)
		return 1;
	if (tlog_check_record(&p, t, &th, n, &leaves[n]) != 0)
		return 1;
	for (k = 0; k < p.n; k++) {
		q = p;
		flip(&q.h[k], k + (size_t)n);
		if (tlog_check_record(&q, t, &th, n, &leaves[n]) == 0)
			bad++;
	}
	if (p.n > 0) {
		q = p;
		q.n--;
		if (tlog_check_record(&q, t, &th, n, &leaves[n]) == 0)
			bad++;
	}
	q = p;
	q.h[q.n++] = th;
	if (tlog_check_record(&q, t, &th, n, &leaves[n]) == 0)
		bad++;
	th2 = th;
	flip(&th2, (size_t)t);
	if (tlog_check_record(&p, t, &th2, n, &leaves[n]) == 0)
		bad++;
	h = leaves[n];
	flip(&h, 3);
	if (tlog_check_record(&p, t, &th, n, &h) == 0)
		bad++;
	if (t > 1 && tlog_check_record(&p, t, &th, n == 0 ? 1 : n - 1,
	    &leaves[n]) == 0)
		bad++;
	if (n + 1 < t && tlog_check_record(&p, t, &th, n + 1,
	    &leaves[n]) == 0)
		bad++;
	/* Another tree size, with that tree's real root. */
	for (t2 = t - 1; t2 <= t + 1; t2 += 2) {
		if (t2 <= n || t2 > NREC)
			continue;
		ref_mth(0, t2, &th2);
		if (tlog_check_record(&p, t2, &th2, n, &leaves[n]) == 0)
			bad++;
	}
	return bad;
}

/* Prove and check tree n inside tree t, then every alteration. */
static size_t
tree_pair(int64_t t, int64_t n)
{
	struct tlog_proof p, q;
	struct tlog_hash th, h, x;
	struct err e;
	size_t bad = 0, k;
	int64_t m;

	ref_mth(0, t, &th);
	ref_mth(0, n, &h);
	err_clear(&e);
	if (tlog_prove_tree(t, n, store_read, &log_store, &p, &e) == -1)
		return 1;
	if (tlog_check_tree(&p, t, &th, n, &h) != 0)
		return 1;
	for (k = 0; k < p.n; k++) {
		q = p;
		flip(&q.h[k], k + (size_t)t);
		if (tlog_check_tree(&q, t, &th, n, &h) == 0)
			bad++;
	}
	if (p.n > 0) {
		q = p;
		q.n--;
		if (tlog_check_tree(&q, t, &th, n, &h) == 0)
			bad++;
	}
	q = p;
	q.h[q.n++] = h;
	if (tlog_check_tree(&q, t, &th, n, &h) == 0)
		bad++;
	x = th;
	flip(&x, (size_t)n);
	if (tlog_check_tree(&p, t, &x, n, &h) == 0)
		bad++;
	x = h;
	flip(&x, (size_t)t);
	if (tlog_check_tree(&p, t, &th, n, &x) == 0)
		bad++;
	/* Other old sizes with their real roots; other new sizes too. */
	for (m = n - 1; m <= n + 1; m += 2) {
		if (m < 1 || m > t)
			continue;
		ref_mth(0, m, &x);
		if (tlog_check_tree(&p, t, &th, m, &x) == 0)
			bad++;
	}
	for (m = t - 1; m <= t + 1; m += 2) {
		if (m < n || m > NREC || m < 1)
			continue;
		ref_mth(0, m, &x);
		if (tlog_check_tree(&p, m, &x, n, &h) == 0)
			bad++;
	}
	return bad;
}

static void
test_proofs(void)
{
	static const int64_t big[] = {
		100, 127, 128, 129, 200, 255, 256, 257, 299, NREC,
	};
	struct tlog_proof p;
	struct tlog_hash th;
	struct err e;
	size_t bad, pairs, i, maxlen = 0;
	int64_t t, n;

	bad = pairs = 0;
	for (t = 1; t <= PROOF_ALL_T; t++) {
		for (n = 0; n < t; n++, pairs++)
			bad += record_pair(t, n);
	}
	for (i = 0; i < NITEMS(big); i++) {
		for (n = 0; n < big[i]; n++, pairs++)
			bad += record_pair(big[i], n);
	}
	ok(pairs > 4000, "many (t, n) record proof pairs tried");
	is_int(bad, 0, "record proofs hold, and fail when altered");

	bad = pairs = 0;
	for (t = 1; t <= PROOF_ALL_T; t++) {
		for (n = 1; n <= t; n++, pairs++)
			bad += tree_pair(t, n);
	}
	for (i = 0; i < NITEMS(big); i++) {
		for (n = 1; n <= big[i]; n++, pairs++)
			bad += tree_pair(big[i], n);
	}
	ok(pairs > 4000, "many (t, n) tree proof pairs tried");
	is_int(bad, 0, "tree proofs hold, and fail when altered");

	for (t = 1; t <= NREC; t++) {
		for (n = 0; n < t; n += 1 + t / 5) {
			err_clear(&e);
			if (tlog_prove_record(t, n, store_read, &log_store, &p,
			    &e) == 0 && p.n > maxlen)
				maxlen = p.n;
		}
	}
	is_int(maxlen, 9, "record proofs in 300 records: at most 9 hashes");
	err_clear(&e);
	ok(tlog_prove_record(1, 0, store_read, &log_store, &p, &e) == 0 &&
	    p.n == 0, "record proof in a tree of one is empty");
	err_clear(&e);
	ok(tlog_prove_tree(7, 7, store_read, &log_store, &p, &e) == 0 &&
	    p.n == 0, "tree proof of a tree in itself is empty");
	err_clear(&e);
	ok(tlog_prove_record(5, 5, store_read, &log_store, &p, &e) == -1 &&
	    e.code == E_INTERNAL, "record proof with n >= t fails");
	err_clear(&e);
	ok(tlog_prove_record(5, -1, store_read, &log_store, &p, &e) == -1,
	    "record proof with n < 0 fails");
	err_clear(&e);
	ok(tlog_prove_tree(5, 6, store_read, &log_store, &p, &e) == -1,
	    "tree proof with n > t fails");
	err_clear(&e);
	ok(tlog_prove_tree(5, 0, store_read, &log_store, &p, &e) == -1,
	    "tree proof with n = 0 fails");
	err_clear(&e);
	ok(tlog_prove_record(NREC + 5, 3, store_read, &log_store, &p, &e) ==
	    -1, "record proof past the log: reader error");
	ref_mth(0, 1, &th);
	p.n = 0;
	ok(tlog_check_record(&p, 1, &th, 0, &leaves[0]) == 0,
	    "empty record proof: the leaf is the root");
	ok(tlog_check_record(&p, 0, &th, 0, &leaves[0]) == -1,
	    "check record in tree 0 fails");
	ok(tlog_check_tree(&p, 1, &th, 1, &leaves[0]) == 0,
	    "empty tree proof of equal trees");
	ok(tlog_check_tree(&p, 1, &th, 0, &leaves[0]) == -1,
	    "check tree with n = 0 fails");
	p.n = TLOG_PROOF_MAX + 1;
	ok(tlog_check_record(&p, 1, &th, 0, &leaves[0]) == -1,
	    "proof longer than TLOG_PROOF_MAX fails");
}

static int
tile_eq(const struct tlog_tile *a, const struct tlog_tile *b)
{
	return a->h == b->h && a->l == b->l && a->n == b->n && a->w == b->w;
}

/* The number of hashes at level l stored for a tree of size n, by
 * counting. */
static int64_t
count_at_level(int l, int64_t size)
{
	int64_t m = 0, total = tlog_stored_hash_count(size);

	while (tlog_stored_hash_index(l, m) < total)
		m++;
	return m;
}

static void
test_tiles(void)
{
	static const int heights[] = { 1, 2, 3, 4, 8 };
	static const int64_t sizes[] = {
		1, 2, 5, 16, 17, 64, 100, 255, 256, 257, NREC,
	};
	struct tlog_tile t, t2;
	struct tlog_hash h;
	unsigned char *data;
	char path[PATH_CAP];
	size_t hi, si, bad = 0, badw = 0, badrt = 0, badneg = 0, tried = 0;
	size_t full = 0, partial = 0;
	int64_t x, count, cnt, first, j, want;

	for (hi = 0; hi < NITEMS(heights); hi++) {
		int th = heights[hi];

		for (si = 0; si < NITEMS(sizes); si++) {
			int64_t size = sizes[si];

			count = tlog_stored_hash_count(size);
			for (x = 0; x < count; x++, tried++) {
				if (tlog_tile_in_tree(th, x, size, &t) == -1) {
					bad++;
					continue;
				}
				cnt = count_at_level(t.l * th, size);
				first = t.n << th;
				want = cnt - first < (1 << th) ? cnt - first :
				    1 << th;
				if (t.h != th || t.w != want)
					badw++;
				if (t.w == 1 << th)
					full++;
				else
					partial++;
				/* The tile's data: its bottom-level hashes. */
				data = xcalloc((size_t)t.w, TLOG_HASH);
				for (j = 0; j < t.w; j++)
					memcpy(data + j * TLOG_HASH,
					    log_store.h[tlog_stored_hash_index(
					    t.l * th, first + j)].b, TLOG_HASH);
				if (tlog_hash_from_tile(&t, data,
				    (size_t)t.w * TLOG_HASH, x, &h) == -1 ||
				    !hash_eq(&h, &log_store.h[x]))
					bad++;
				if (tlog_hash_from_tile(&t, data,
				    (size_t)t.w * TLOG_HASH - 1, x, &h) == 0)
					badneg++;
				t2 = t;
				t2.n++;
				if (tlog_hash_from_tile(&t2, data,
				    (size_t)t.w * TLOG_HASH, x, &h) == 0)
					badneg++;
				t2 = t;
				t2.l = -1;
				if (tlog_hash_from_tile(&t2, data,
				    (size_t)t.w * TLOG_HASH, x, &h) == 0)
					badneg++;
				free(data);
				if (tlog_tile_path(&t, path, sizeof(path)) ==
				    -1 || tlog_tile_parse(path, &t2) == -1 ||
				    !tile_eq(&t, &t2))
					badrt++;
			}
			if (tlog_tile_in_tree(th, count, size, &t) == 0)
				badneg++;
		}
	}
	ok(tried > 10000, "tiles tried for many (h, index, size)");
	is_int(bad, 0, "HashFromTile(TileInTree(index)) is the stored hash");
	is_int(badw, 0, "tile widths: full when complete, else the tree's");
	ok(full > 0 && partial > 0, "both full and partial tiles seen");
	is_int(badneg, 0, "short data, other tiles, past the tree: -1");
	is_int(badrt, 0, "tile path round trip");

	/* A partial tile wider than the hash needs still serves it. */
	ok(tlog_tile_in_tree(2, 0, NREC, &t) == 0 && t.w == 4,
	    "index 0 in a big tree: full tile");
	t.w = 1;
	data = xcalloc(4, TLOG_HASH);
	memcpy(data, log_store.h[0].b, TLOG_HASH);
	ok(tlog_hash_from_tile(&t, data, TLOG_HASH, 0, &h) == 0 &&
	    hash_eq(&h, &log_store.h[0]), "leaf 0 from tile/2/0/000.p/1");
	ok(tlog_hash_from_tile(&t, data, 4 * TLOG_HASH,
	    tlog_stored_hash_index(0, 1), &h) == -1,
	    "leaf 1 is not in tile/2/0/000.p/1");
	free(data);
	ok(tlog_tile_in_tree(0, 0, 10, &t) == -1, "height 0 rejected");
	ok(tlog_tile_in_tree(31, 0, 10, &t) == -1, "height 31 rejected");
	ok(tlog_tile_in_tree(8, -1, 10, &t) == -1, "negative index rejected");
	ok(tlog_tile_in_tree(8, 0, 0, &t) == -1, "empty tree has no tiles");
}

static void
test_sumdb_tiles(void)
{
	struct tlog_tile t;
	char path[PATH_CAP];
	int64_t lo = 0, k;
	int level, nbad = 0, n = 0;

	is_int(tlog_stored_hash_index(0, 842), 1679,
	    "record 842 is stored hash 1679");
	ok(tlog_tile_in_tree(TLOG_TILE_H, 1679, SUM_N, &t) == 0,
	    "tile of index 1679 in tree 445646");
	tlog_tile_path(&t, path, sizeof(path));
	is_str(path, "tile/8/0/003", "record 842: hash tile");
	t.l = -1;
	tlog_tile_path(&t, path, sizeof(path));
	is_str(path, "tile/8/data/003", "record 842: data tile");
	ok(tlog_tile_in_tree(TLOG_TILE_H, 1679, 842, &t) == -1,
	    "index 1679 is not in tree 842");
	ok(tlog_tile_in_tree(TLOG_TILE_H, 1679, 843, &t) == 0 && t.w == 75,
	    "index 1679 in tree 843: tile/8/0/003.p/75");

	/* The complete subtrees of 445646 and the tiles serving them. */
	for (level = 62; level >= 0; level--) {
		k = (int64_t)1 << level;
		if ((SUM_N & k) == 0)
			continue;
		n++;
		if (tlog_tile_in_tree(TLOG_TILE_H,
		    tlog_stored_hash_index(level, lo >> level), SUM_N, &t) == -1 ||
		    tlog_tile_path(&t, path, sizeof(path)) == -1) {
			nbad++;
			continue;
		}
		if (strcmp(path, level >= 16 ? "tile/8/2/000.p/6" :
		    level >= 8 ? "tile/8/1/006.p/204" :
		    "tile/8/0/x001/740.p/206") != 0) {
			printf("# level %d: %s\n", level, path);
			nbad++;
		}
		lo += k;
	}
	is_int(n, 11, "tree 445646 has 11 complete subtrees");
	is_int(nbad, 0, "tree 445646 root tiles (protocol.md 5.2)");
}

static void
test_tile_paths(void)
{
	struct tlog_tile t;
	char path[PATH_CAP];
	size_t i, nbad = 0;

	for (i = 0; i < NITEMS(tile_paths); i++) {
		ok(tlog_tile_path(&tile_paths[i].tile, path, sizeof(path)) ==
		    0, "tile path formats");
		is_str(path, tile_paths[i].path, "tile path");
		ok(tlog_tile_parse(tile_paths[i].path, &t) == 0 &&
		    tile_eq(&t, &tile_paths[i].tile), tile_paths[i].path);
	}
	for (i = 0; i < NITEMS(bad_tile_paths); i++) {
		if (tlog_tile_parse(bad_tile_paths[i], &t) == 0) {
			printf("# parsed '%s'\n", bad_tile_paths[i]);
			nbad++;
		}
	}
	is_int(nbad, 0, "non-canonical tile paths rejected");

	t.h = 8;
	t.l = 0;
	t.n = 3;
	t.w = 0;
	ok(tlog_tile_path(&t, path, sizeof(path)) == -1, "W = 0 not formatted");
	t.w = 257;
	ok(tlog_tile_path(&t, path, sizeof(path)) == -1,
	    "W > 2^H not formatted");
	t.w = 256;
	t.h = 0;
	ok(tlog_tile_path(&t, path, sizeof(path)) == -1, "H = 0 not formatted");
	t.h = 31;
	ok(tlog_tile_path(&t, path, sizeof(path)) == -1,
	    "H = 31 not formatted");
	t.h = 8;
	t.l = -2;
	ok(tlog_tile_path(&t, path, sizeof(path)) == -1,
	    "L = -2 not formatted");
	t.l = 0;
	ok(tlog_tile_path(&t, path, 12) == -1 && path[0] == '\0',
	    "buffer too small: -1 and \"\"");
	ok(tlog_tile_path(&t, path, 13) == 0, "buffer of exact size");
	is_str(path, "tile/8/0/003", "exact size path");
}

static void
test_tree_note(void)
{
	static const char *const bad[] = {
		"not-" HELLO_TREE,
		"go.sum database tree\n0xabcdef\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n123456789012\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n",
		"go.sum database tree\n0123456789012\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n00\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n+5\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n-5\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n9223372036854775808\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"go.sum database tree\n123456789012\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=",
		"go.sum database tree\n123456789012\n",
		"go.sum database tree\n123456789012",
		"go.sum database tree\n",
		"go.sum database tree\n123456789012\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40Hmuw\n",
		"go.sum database tree\n123456789012\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0\n",
		"go.sum database tree\n123456789012\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=Zg==\n",
		"go.sum database tree\n123456789012\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40Hmuw-b0=\n",
		"go.sum database tree\n123456789012 \n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"Go.sum database tree\n123456789012\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"",
	};
	static const char *const extra[] = {
		"JOE", "JOE\n", "\n", "JOE\nJOE\nJOE\n",
	};
	struct tlog_hash h, want;
	struct buf b;
	struct err e;
	char out[NOTE_CAP], b64[64];
	int64_t n;
	size_t i, nbad = 0;

	tlog_record_hash("hello world", 11, &want);
	ok(tlog_tree_format(123456789012LL, &want, out, sizeof(out)) == 0,
	    "tree format");
	is_str(out, HELLO_TREE, "tree format (Go's vector)");
	ok(tlog_tree_format(123456789012LL, &want, out,
	    sizeof(HELLO_TREE) - 1) == -1 && out[0] == '\0',
	    "tree format into too small a buffer: -1");
	ok(tlog_tree_format(123456789012LL, &want, out,
	    sizeof(HELLO_TREE)) == 0, "tree format into an exact buffer");
	ok(tlog_tree_format(-1, &want, out, sizeof(out)) == -1,
	    "tree format of a negative size fails");
	ok(tlog_tree_parse(HELLO_TREE, strlen(HELLO_TREE), &n, &h) == 0 &&
	    n == 123456789012LL && hash_eq(&h, &want),
	    "tree parse (Go's vector)");
	tlog_tree_format(0, &leaves[7], out, sizeof(out));
	ok(tlog_tree_parse(out, strlen(out), &n, &h) == 0 && n == 0 &&
	    hash_eq(&h, &leaves[7]), "tree parse of size 0");
	tlog_tree_format(INT64_MAX, &leaves[8], out, sizeof(out));
	ok(tlog_tree_parse(out, strlen(out), &n, &h) == 0 && n == INT64_MAX &&
	    hash_eq(&h, &leaves[8]), "tree round trip of INT64_MAX");

	for (i = 0; i < NITEMS(bad); i++) {
		if (tlog_tree_parse(bad[i], strlen(bad[i]), &n, &h) == 0) {
			printf("# parsed bad tree %zu\n", i);
			nbad++;
		}
	}
	is_int(nbad, 0, "malformed tree notes rejected");
	nbad = 0;
	for (i = 0; i < NITEMS(extra); i++) {
		char in[NOTE_CAP];

		snprintf(in, sizeof(in), "%s%s", HELLO_TREE, extra[i]);
		n = 0;
		if (tlog_tree_parse(in, strlen(in), &n, &h) == -1 ||
		    n != 123456789012LL || !hash_eq(&h, &want))
			nbad++;
	}
	is_int(nbad, 0, "extra lines after the tree are ignored");
	buf_init(&b, 2 * 1024 * 1024);
	err_clear(&e);
	buf_puts(&b, HELLO_TREE, &e);
	while (b.len <= 1000000 - 4)
		buf_puts(&b, "JOE\n", &e);
	ok(tlog_tree_parse(b.data, b.len, &n, &h) == 0,
	    "tree note of 1000000 bytes accepted");
	buf_puts(&b, "JOE\n", &e);
	ok(tlog_tree_parse(b.data, b.len, &n, &h) == -1,
	    "tree note over 1000000 bytes rejected");
	buf_free(&b);
	{
		static const char nul[] = "go.sum database tree\n12\0\n"
		    "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";

		ok(tlog_tree_parse(nul, sizeof(nul) - 1, &n, &h) == -1,
		    "NUL in the size rejected");
	}

	/* sum.golang.org's signed tree 445646 (protocol.md 5.2). */
	ok(tlog_tree_parse(SUM_TEXT, strlen(SUM_TEXT), &n, &h) == 0,
	    "sum.golang.org tree note parses");
	is_int(n, SUM_N, "its size");
	hash_b64(&h, b64);
	is_str(b64, SUM_ROOT, "its root");
	ok(tlog_tree_format(n, &h, out, sizeof(out)) == 0 &&
	    strcmp(out, SUM_TEXT) == 0, "and formats back to the same text");
}

int
main(void)
{
	test_hashes();
	test_index();
	test_build();
	test_proofs();
	test_tiles();
	test_sumdb_tiles();
	test_tile_paths();
	test_tree_note();
	free(log_store.h);
	return tap_done();
}

/*
 * tlog.c: the Merkle tree of the checksum database
 * (golang.org/x/mod/sumdb/tlog): hashes, the dense numbering of stored
 * hashes, tree hashes, RFC 6962 inclusion and consistency proofs, tiles
 * and the tree note.
 *
 * The tree of n records has leaves SHA-256(0x00 || record) and interior
 * nodes SHA-256(0x01 || left || right); a tree whose size is not a power
 * of two is the right fold of its complete subtrees, largest first.  Every
 * complete subtree hash is "stored" and numbered in the order a log that
 * appends records would write it (tlog_stored_hash_index).  Hashes are
 * read through a caller's tlog_read_fn; nothing here keeps state.
 *
 * Recursions go at most 63 levels deep (one per bit of an int64 size), so
 * the index lists and proofs have fixed bounds.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "piraeus.h"

#define TLOG_NEED_MAX	256	/* stored hashes one tree hash or proof reads */
#define TLOG_SPLIT_MAX	64	/* complete subtrees of an int64 size */
#define TLOG_LEVEL_MAX	63	/* highest tile level */
#define TLOG_HEIGHT_MAX	30	/* highest tile height */
#define TLOG_PATH_BASE	1000	/* tile index groups of three digits */
#define TLOG_GROUPS_MAX	7	/* groups in an int64 tile index */
#define TLOG_TREE_MAX	1000000	/* a tree note text, as Go's ParseTree */
#define TLOG_B64_HASH	45	/* base64 of a hash + NUL */
#define TLOG_INT64_DIGITS 19
#define TLOG_PATH_MAX_LEN 128	/* the longest tile path, with room */

static const char tlog_tree_prefix[] = "go.sum database tree\n";

/* A list of stored hash indexes to read. */
struct tlog_need {
	int64_t		 x[TLOG_NEED_MAX];
	size_t		 n;
};

/* Hashes that were read, consumed in the order they were asked for. */
struct tlog_cursor {
	const struct tlog_hash	*h;
	size_t			 n;
	size_t			 i;
};

/* SHA-256 of prefix || a || b into out; OpenSSL failing is fatal. */
static void
tlog_sha256(unsigned char prefix, const void *a, size_t alen, const void *b,
    size_t blen, struct tlog_hash *out)
{
	EVP_MD_CTX *ctx;
	unsigned int mdlen = 0;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("tlog: EVP_MD_CTX_new failed");
	ok = EVP_DigestInit_ex(ctx, sha256_md(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, &prefix, 1) == 1 &&
	    (alen == 0 || EVP_DigestUpdate(ctx, a, alen) == 1) &&
	    (blen == 0 || EVP_DigestUpdate(ctx, b, blen) == 1) &&
	    EVP_DigestFinal_ex(ctx, out->b, &mdlen) == 1 &&
	    mdlen == TLOG_HASH;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		fatalx("tlog: SHA-256 failed");
}

void
tlog_record_hash(const void *data, size_t len, struct tlog_hash *out)
{
	tlog_sha256(0x00, data, len, NULL, 0, out);
}

void
tlog_node_hash(const struct tlog_hash *l, const struct tlog_hash *r,
    struct tlog_hash *out)
{
	struct tlog_hash left = *l, right = *r;	/* out may alias l or r */

	tlog_sha256(0x01, left.b, TLOG_HASH, right.b, TLOG_HASH, out);
}

/* The largest power of two below n (n >= 2), or 1 for n == 1; its log2. */
static int64_t
tlog_maxpow2(int64_t n, int *level)
{
	int l = 0;

	while (((uint64_t)1 << (l + 1)) < (uint64_t)n)
		l++;
	if (level != NULL)
		*level = l;
	return (int64_t)1 << l;
}

int64_t
tlog_stored_hash_index(int level, int64_t n)
{
	int64_t i = 0;
	int l;

	/* The last leaf under (level, n), then that leaf's index. */
	for (l = level; l > 0; l--)
		n = 2 * n + 1;
	for (; n > 0; n >>= 1)
		i += n;
	return i + level;
}

void
tlog_split_stored_hash_index(int64_t index, int *level, int64_t *n)
{
	int64_t m, at, x;

	m = index / 2;
	at = tlog_stored_hash_index(0, m);
	for (;;) {
		x = at + 1 + __builtin_ctzll((unsigned long long)(m + 1));
		if (x > index)
			break;
		m++;
		at = x;
	}
	*level = (int)(index - at);
	*n = m >> *level;
}

int64_t
tlog_stored_hash_count(int64_t n)
{
	int64_t count;
	uint64_t i;

	if (n <= 0)
		return 0;
	count = tlog_stored_hash_index(0, n - 1) + 1;
	for (i = (uint64_t)(n - 1); i & 1; i >>= 1)
		count++;
	return count;
}

/* Add index to need; the bounds are proven, so overflowing is a bug. */
static void
tlog_need_add(struct tlog_need *need, int64_t index)
{
	if (need->n >= TLOG_NEED_MAX)
		fatalx("tlog: too many stored hashes needed");
	need->x[need->n++] = index;
}

/* The stored hashes of the complete subtrees of records [lo, hi). */
static void
tlog_need_subtree(int64_t lo, int64_t hi, struct tlog_need *need)
{
	int64_t k;
	int level;

	while (lo < hi) {
		k = tlog_maxpow2(hi - lo + 1, &level);
		tlog_need_add(need, tlog_stored_hash_index(level, lo >> level));
		lo += k;
	}
}

/* Read the hashes need lists into out (need->n of them). */
static int
tlog_read(const struct tlog_need *need, tlog_read_fn *rd, void *arg,
    struct tlog_hash *out, struct err *e)
{
	if (need->n == 0)
		return 0;
	if (rd(arg, need->x, need->n, out, e) == -1)
		return err_set(e, E_INTERNAL, "tlog: reading stored hashes");
	return 0;
}

/* The hash of records [lo, hi) from the subtree hashes next in c. */
static int
tlog_subtree_hash(int64_t lo, int64_t hi, struct tlog_cursor *c,
    struct tlog_hash *out)
{
	size_t ntree = 0, i;

	while (lo < hi) {
		lo += tlog_maxpow2(hi - lo + 1, NULL);
		ntree++;
	}
	if (ntree == 0 || c->n - c->i < ntree)
		return -1;
	*out = c->h[c->i + ntree - 1];
	for (i = ntree - 1; i > 0; i--)
		tlog_node_hash(&c->h[c->i + i - 1], out, out);
	c->i += ntree;
	return 0;
}

int
tlog_stored_hashes(int64_t n, const struct tlog_hash *leaf,
    tlog_read_fn *rd, void *arg, struct tlog_hash out[64], size_t *nout,
    struct err *e)
{
	struct tlog_need need;
	struct tlog_hash old[TLOG_SPLIT_MAX];
	int m, i;

	*nout = 0;
	if (n < 0 || n == INT64_MAX)
		return err_set(e, E_INTERNAL, "tlog: invalid record number");
	m = __builtin_ctzll((unsigned long long)(n + 1));
	need.n = (size_t)m;
	for (i = 0; i < m; i++)
		need.x[m - 1 - i] = tlog_stored_hash_index(i, (n >> i) - 1);
	if (tlog_read(&need, rd, arg, old, e) == -1)
		return -1;
	out[0] = *leaf;
	for (i = 0; i < m; i++)
		tlog_node_hash(&old[m - 1 - i], &out[i], &out[i + 1]);
	*nout = (size_t)m + 1;
	return 0;
}

int
tlog_tree_hash(int64_t n, tlog_read_fn *rd, void *arg, struct tlog_hash *out,
    struct err *e)
{
	struct tlog_need need;
	struct tlog_hash h[TLOG_SPLIT_MAX];
	struct tlog_cursor c;

	memset(out, 0, sizeof(*out));
	if (n < 0)
		return err_set(e, E_INTERNAL, "tlog: invalid tree size");
	if (n == 0)
		return 0;	/* Go's TreeHash: the zero hash */
	need.n = 0;
	tlog_need_subtree(0, n, &need);
	if (tlog_read(&need, rd, arg, h, e) == -1)
		return -1;
	c.h = h;
	c.n = need.n;
	c.i = 0;
	if (tlog_subtree_hash(0, n, &c, out) == -1 || c.i != c.n)
		return err_set(e, E_INTERNAL, "tlog: bad index math");
	return 0;
}

/* Append h to proof p. */
static int
tlog_proof_add(struct tlog_proof *p, const struct tlog_hash *h)
{
	if (p->n >= TLOG_PROOF_MAX)
		return -1;
	p->h[p->n++] = *h;
	return 0;
}

/* The stored hashes a proof that record n is in [lo, hi) needs. */
static void
tlog_need_leaf(int64_t lo, int64_t hi, int64_t n, struct tlog_need *need)
{
	int64_t k;

	if (lo + 1 == hi)
		return;
	k = tlog_maxpow2(hi - lo, NULL);
	if (n < lo + k) {
		tlog_need_leaf(lo, lo + k, n, need);
		tlog_need_subtree(lo + k, hi, need);
	} else {
		tlog_need_subtree(lo, lo + k, need);
		tlog_need_leaf(lo + k, hi, n, need);
	}
}

/* Build the proof that record n is in [lo, hi) from the hashes in c. */
static int
tlog_leaf_proof(int64_t lo, int64_t hi, int64_t n, struct tlog_cursor *c,
    struct tlog_proof *p)
{
	struct tlog_hash th;
	int64_t k;

	if (lo + 1 == hi)
		return 0;
	k = tlog_maxpow2(hi - lo, NULL);
	if (n < lo + k) {
		if (tlog_leaf_proof(lo, lo + k, n, c, p) == -1 ||
		    tlog_subtree_hash(lo + k, hi, c, &th) == -1)
			return -1;
	} else {
		if (tlog_subtree_hash(lo, lo + k, c, &th) == -1 ||
		    tlog_leaf_proof(lo + k, hi, n, c, p) == -1)
			return -1;
	}
	return tlog_proof_add(p, &th);
}

int
tlog_prove_record(int64_t t, int64_t n, tlog_read_fn *rd, void *arg,
    struct tlog_proof *p, struct err *e)
{
	struct tlog_need need;
	struct tlog_hash h[TLOG_NEED_MAX];
	struct tlog_cursor c;

	p->n = 0;
	if (t < 0 || n < 0 || n >= t)
		return err_set(e, E_INTERNAL, "tlog: invalid record proof "
		    "inputs");
	need.n = 0;
	tlog_need_leaf(0, t, n, &need);
	if (tlog_read(&need, rd, arg, h, e) == -1)
		return -1;
	c.h = h;
	c.n = need.n;
	c.i = 0;
	if (tlog_leaf_proof(0, t, n, &c, p) == -1 || c.i != c.n) {
		p->n = 0;
		return err_set(e, E_INTERNAL, "tlog: bad index math");
	}
	return 0;
}

/*
 * The root of [lo, hi) from leaf hash h of record n and the proof hashes
 * p[0..np), or -1 when the proof has the wrong shape.
 */
static int
tlog_run_record(const struct tlog_hash *p, size_t np, int64_t lo, int64_t hi,
    int64_t n, const struct tlog_hash *h, struct tlog_hash *out)
{
	struct tlog_hash th;
	int64_t k;

	if (lo + 1 == hi) {
		if (np != 0)
			return -1;
		*out = *h;
		return 0;
	}
	if (np == 0)
		return -1;
	k = tlog_maxpow2(hi - lo, NULL);
	if (n < lo + k) {
		if (tlog_run_record(p, np - 1, lo, lo + k, n, h, &th) == -1)
			return -1;
		tlog_node_hash(&th, &p[np - 1], out);
	} else {
		if (tlog_run_record(p, np - 1, lo + k, hi, n, h, &th) == -1)
			return -1;
		tlog_node_hash(&p[np - 1], &th, out);
	}
	return 0;
}

int
tlog_check_record(const struct tlog_proof *p, int64_t t,
    const struct tlog_hash *th, int64_t n, const struct tlog_hash *h)
{
	struct tlog_hash root;

	if (t < 0 || n < 0 || n >= t || p->n > TLOG_PROOF_MAX)
		return -1;
	if (tlog_run_record(p->h, p->n, 0, t, n, h, &root) == -1)
		return -1;
	return memcmp(root.b, th->b, TLOG_HASH) == 0 ? 0 : -1;
}

/* The stored hashes a proof that tree n is a prefix of [lo, hi) needs. */
static void
tlog_need_tree(int64_t lo, int64_t hi, int64_t n, struct tlog_need *need)
{
	int64_t k;

	if (n == hi) {
		if (lo != 0)
			tlog_need_subtree(lo, hi, need);
		return;
	}
	k = tlog_maxpow2(hi - lo, NULL);
	if (n <= lo + k) {
		tlog_need_tree(lo, lo + k, n, need);
		tlog_need_subtree(lo + k, hi, need);
	} else {
		tlog_need_subtree(lo, lo + k, need);
		tlog_need_tree(lo + k, hi, n, need);
	}
}

/* Build the proof that tree n is a prefix of [lo, hi) from c. */
static int
tlog_tree_proof(int64_t lo, int64_t hi, int64_t n, struct tlog_cursor *c,
    struct tlog_proof *p)
{
	struct tlog_hash th;
	int64_t k;

	if (n == hi) {
		if (lo == 0)
			return 0;
		if (tlog_subtree_hash(lo, hi, c, &th) == -1)
			return -1;
		return tlog_proof_add(p, &th);
	}
	k = tlog_maxpow2(hi - lo, NULL);
	if (n <= lo + k) {
		if (tlog_tree_proof(lo, lo + k, n, c, p) == -1 ||
		    tlog_subtree_hash(lo + k, hi, c, &th) == -1)
			return -1;
	} else {
		if (tlog_subtree_hash(lo, lo + k, c, &th) == -1 ||
		    tlog_tree_proof(lo + k, hi, n, c, p) == -1)
			return -1;
	}
	return tlog_proof_add(p, &th);
}

int
tlog_prove_tree(int64_t t, int64_t n, tlog_read_fn *rd, void *arg,
    struct tlog_proof *p, struct err *e)
{
	struct tlog_need need;
	struct tlog_hash h[TLOG_NEED_MAX];
	struct tlog_cursor c;

	p->n = 0;
	if (t < 1 || n < 1 || n > t)
		return err_set(e, E_INTERNAL, "tlog: invalid tree proof inputs");
	need.n = 0;
	tlog_need_tree(0, t, n, &need);
	if (tlog_read(&need, rd, arg, h, e) == -1)
		return -1;
	c.h = h;
	c.n = need.n;
	c.i = 0;
	if (tlog_tree_proof(0, t, n, &c, p) == -1 || c.i != c.n) {
		p->n = 0;
		return err_set(e, E_INTERNAL, "tlog: bad index math");
	}
	return 0;
}

/*
 * Run the consistency proof p[0..np) over [lo, hi) for the tree of n
 * records with root old: the recomputed old root into *oh and the root
 * of [lo, hi) into *th, or -1 when the proof has the wrong shape.
 */
static int
tlog_run_tree(const struct tlog_hash *p, size_t np, int64_t lo, int64_t hi,
    int64_t n, const struct tlog_hash *old, struct tlog_hash *oh,
    struct tlog_hash *th)
{
	struct tlog_hash o, t;
	int64_t k;

	if (n == hi) {
		if (lo == 0) {
			if (np != 0)
				return -1;
			*oh = *th = *old;
			return 0;
		}
		if (np != 1)
			return -1;
		*oh = *th = p[0];
		return 0;
	}
	if (np == 0)
		return -1;
	k = tlog_maxpow2(hi - lo, NULL);
	if (n <= lo + k) {
		if (tlog_run_tree(p, np - 1, lo, lo + k, n, old, &o, &t) == -1)
			return -1;
		*oh = o;
		tlog_node_hash(&t, &p[np - 1], th);
	} else {
		if (tlog_run_tree(p, np - 1, lo + k, hi, n, old, &o, &t) == -1)
			return -1;
		tlog_node_hash(&p[np - 1], &o, oh);
		tlog_node_hash(&p[np - 1], &t, th);
	}
	return 0;
}

int
tlog_check_tree(const struct tlog_proof *p, int64_t t,
    const struct tlog_hash *th, int64_t n, const struct tlog_hash *h)
{
	struct tlog_hash oh, root;

	if (t < 1 || n < 1 || n > t || p->n > TLOG_PROOF_MAX)
		return -1;
	if (tlog_run_tree(p->h, p->n, 0, t, n, h, &oh, &root) == -1)
		return -1;
	if (memcmp(root.b, th->b, TLOG_HASH) != 0 ||
	    memcmp(oh.b, h->b, TLOG_HASH) != 0)
		return -1;
	return 0;
}

/* Whether t has a height, level, index and width a tile can have. */
static int
tlog_tile_valid(const struct tlog_tile *t, int data_ok)
{
	if (t->h < 1 || t->h > TLOG_HEIGHT_MAX)
		return 0;
	if (t->l < (data_ok ? -1 : 0) || t->l > TLOG_LEVEL_MAX)
		return 0;
	if (t->n < 0 || t->w < 1 || t->w > 1 << t->h)
		return 0;
	return 1;
}

/* Append a formatted string at *pos of out; -1 when it does not fit. */
static int PIRAEUS_ATTR_PRINTF(4, 5)
tlog_put(char *out, size_t outsz, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (*pos >= outsz)
		return -1;
	va_start(ap, fmt);
	len = vsnprintf(out + *pos, outsz - *pos, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= outsz - *pos)
		return -1;
	*pos += (size_t)len;
	return 0;
}

int
tlog_tile_path(const struct tlog_tile *t, char *out, size_t outsz)
{
	int groups[TLOG_GROUPS_MAX];
	int64_t n;
	size_t pos = 0;
	int ng = 0, i, rv;

	if (outsz > 0)
		out[0] = '\0';
	if (!tlog_tile_valid(t, 1))
		return -1;
	n = t->n;
	do {
		groups[ng++] = (int)(n % TLOG_PATH_BASE);
		n /= TLOG_PATH_BASE;
	} while (n > 0 && ng < TLOG_GROUPS_MAX);
	rv = tlog_put(out, outsz, &pos, "tile/%d/", t->h);
	if (rv == 0 && t->l == -1)
		rv = tlog_put(out, outsz, &pos, "data/");
	else if (rv == 0)
		rv = tlog_put(out, outsz, &pos, "%d/", t->l);
	for (i = ng - 1; rv == 0 && i > 0; i--)
		rv = tlog_put(out, outsz, &pos, "x%03d/", groups[i]);
	if (rv == 0)
		rv = tlog_put(out, outsz, &pos, "%03d", groups[0]);
	if (rv == 0 && t->w != 1 << t->h)
		rv = tlog_put(out, outsz, &pos, ".p/%d", t->w);
	if (rv == -1 && outsz > 0)
		out[0] = '\0';
	return rv;
}

/* Read 1..max decimal digits at *s into *v, advancing *s; -1 if none or
 * too many. */
static int
tlog_digits(const char **s, int max, int64_t *v)
{
	const char *p = *s;
	int64_t x = 0;
	int i;

	for (i = 0; p[i] >= '0' && p[i] <= '9'; i++) {
		if (i == max)
			return -1;
		x = x * 10 + (p[i] - '0');
	}
	if (i == 0)
		return -1;
	*s = p + i;
	*v = x;
	return 0;
}

int
tlog_tile_parse(const char *path, struct tlog_tile *out)
{
	static const char prefix[] = "tile/";
	char canon[TLOG_PATH_MAX_LEN];
	struct tlog_tile t;
	const char *p = path;
	int64_t h, l, g, w, n = 0;
	int ng = 0, more;

	memset(out, 0, sizeof(*out));
	if (strncmp(p, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	p += sizeof(prefix) - 1;
	if (tlog_digits(&p, 2, &h) == -1 || *p++ != '/')
		return -1;
	if (strncmp(p, "data/", 5) == 0) {
		l = -1;
		p += 5;
	} else if (tlog_digits(&p, 2, &l) == -1 || *p++ != '/')
		return -1;
	do {
		if ((more = *p == 'x'))
			p++;
		if (++ng > TLOG_GROUPS_MAX || tlog_digits(&p, 3, &g) == -1)
			return -1;
		if (n > (INT64_MAX - g) / TLOG_PATH_BASE)
			return -1;
		n = n * TLOG_PATH_BASE + g;
		if (more && *p++ != '/')
			return -1;
	} while (more);
	if (h < 1 || h > TLOG_HEIGHT_MAX)
		return -1;
	w = (int64_t)1 << h;
	if (strncmp(p, ".p/", 3) == 0) {
		p += 3;
		if (tlog_digits(&p, 10, &w) == -1 || w < 1 ||
		    w >= (int64_t)1 << h)
			return -1;
	}
	if (*p != '\0')
		return -1;
	t.h = (int)h;
	t.l = (int)l;
	t.n = n;
	t.w = (int)w;
	if (tlog_tile_path(&t, canon, sizeof(canon)) == -1 ||
	    strcmp(canon, path) != 0)
		return -1;
	*out = t;
	return 0;
}

/*
 * The smallest tile of height h holding stored hash index, and the range
 * [*start, *end) of hashes (at the tile's bottom level) it is made from.
 */
static void
tlog_tile_for_index(int h, int64_t index, struct tlog_tile *t,
    int64_t *start, int64_t *end)
{
	int64_t n;
	int level;

	tlog_split_stored_hash_index(index, &level, &n);
	t->h = h;
	t->l = level / h;
	level -= t->l * h;
	t->n = n << level >> h;
	n -= t->n << h >> level;
	t->w = (int)((n + 1) << level);
	*start = n << level;
	*end = (n + 1) << level;
}

int
tlog_tile_in_tree(int h, int64_t index, int64_t tree_size,
    struct tlog_tile *out)
{
	struct tlog_tile t;
	int64_t start, end, max, first;

	memset(out, 0, sizeof(*out));
	if (h < 1 || h > TLOG_HEIGHT_MAX || index < 0 || tree_size < 0 ||
	    index >= tlog_stored_hash_count(tree_size))
		return -1;
	tlog_tile_for_index(h, index, &t, &start, &end);
	if (t.l > TLOG_LEVEL_MAX)
		return -1;
	/* Hashes at the tile's bottom level in this tree. */
	max = tree_size >> (t.l * h);
	first = t.n << h;
	if (first >= max || max - first < t.w)
		return -1;
	t.w = max - first >= (int64_t)1 << h ? 1 << h : (int)(max - first);
	*out = t;
	return 0;
}

/* The hash of the complete subtree over the n hashes at data (n a power
 * of two). */
static void
tlog_tile_hash(const unsigned char *data, int64_t n, struct tlog_hash *out)
{
	struct tlog_hash l, r;

	if (n == 1) {
		memcpy(out->b, data, TLOG_HASH);
		return;
	}
	tlog_tile_hash(data, n / 2, &l);
	tlog_tile_hash(data + (size_t)(n / 2) * TLOG_HASH, n / 2, &r);
	tlog_node_hash(&l, &r, out);
}

int
tlog_hash_from_tile(const struct tlog_tile *t, const unsigned char *data,
    size_t len, int64_t index, struct tlog_hash *out)
{
	struct tlog_tile t1;
	int64_t start, end;

	if (!tlog_tile_valid(t, 0) || index < 0 ||
	    len / TLOG_HASH < (size_t)t->w)
		return -1;
	tlog_tile_for_index(t->h, index, &t1, &start, &end);
	if (t->l != t1.l || t->n != t1.n || t->w < t1.w)
		return -1;
	tlog_tile_hash(data + (size_t)start * TLOG_HASH, end - start, out);
	return 0;
}

int
tlog_tree_format(int64_t n, const struct tlog_hash *h, char *out,
    size_t outsz)
{
	char b64[TLOG_B64_HASH];
	size_t pos = 0;

	if (outsz > 0)
		out[0] = '\0';
	if (n < 0)
		return -1;
	note_b64_encode(h->b, TLOG_HASH, b64, sizeof(b64));
	if (tlog_put(out, outsz, &pos, "%s%lld\n%s\n", tlog_tree_prefix,
	    (long long)n, b64) == -1) {
		if (outsz > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

int
tlog_tree_parse(const char *text, size_t len, int64_t *n,
    struct tlog_hash *h)
{
	const size_t plen = sizeof(tlog_tree_prefix) - 1;
	const char *num, *nl1, *b64, *nl2;
	struct tlog_hash tmp;
	size_t nlen, i, outlen;
	int64_t v = 0;

	if (len > TLOG_TREE_MAX || len < plen ||
	    memcmp(text, tlog_tree_prefix, plen) != 0)
		return -1;
	num = text + plen;
	if ((nl1 = memchr(num, '\n', len - plen)) == NULL)
		return -1;
	b64 = nl1 + 1;
	if ((nl2 = memchr(b64, '\n', (size_t)(text + len - b64))) == NULL)
		return -1;
	/* The size: decimal without sign or leading zeros. */
	nlen = (size_t)(nl1 - num);
	if (nlen == 0 || nlen > TLOG_INT64_DIGITS ||
	    (num[0] == '0' && nlen > 1))
		return -1;
	for (i = 0; i < nlen; i++) {
		if (num[i] < '0' || num[i] > '9' ||
		    v > (INT64_MAX - (num[i] - '0')) / 10)
			return -1;
		v = v * 10 + (num[i] - '0');
	}
	if (note_b64_decode(b64, (size_t)(nl2 - b64), tmp.b, TLOG_HASH,
	    &outlen) == -1 || outlen != TLOG_HASH)
		return -1;
	*n = v;
	*h = tmp;
	return 0;
}

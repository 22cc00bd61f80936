/*
 * sumdb.c: the checksum databases piraeus proxies and verifies against
 * (protocol.md section 5, DESIGN section 5).
 *
 * [sumdb] databases names each database by its verifier key and gives the
 * URL it is fetched from (sum.golang.org itself, or another proxy's
 * /sumdb/<name>) when no [upstream] goproxy proxy serves it: as the go
 * command does, the proxies are asked first (sumdb_base.c, [sumdb]
 * via_proxy).  sumdb_get fetches a path below a database through the
 * index cache: full tiles never change and are kept for good, the latest
 * tree and partial tiles for [sumdb] cache_ttl, lookups for a day.
 * The cached answers are the database's (sumdb_scope: its key and URL),
 * whatever [upstream] goproxy says.
 *
 * sumdb_verify is what the go command does before it trusts a download,
 * done once here for every client: look the version up in the first
 * database, open the signed tree note with its key, compare the record's
 * go.sum lines with the hashes of what upstream sent, prove the record is
 * in that tree and that the tree is consistent with the last tree this
 * host verified (kept in the index, moved forward only).  Every proof is
 * checked against the signed root, so a tile that lies is caught.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "piraeus.h"

#define SUMDB_LOOKUP_TTL	86400		/* a record never changes */
#define SUMDB_LOOKUP_MAX	(64 * 1024)	/* a lookup answer */
#define SUMDB_SIGNER_MAX	1024		/* a signer key file */
#define SUMDB_PATH_MAX		(MODPATH_MAX + VERSION_MAX + 64)
#define SUMDB_KEY_PREFIX	"sumdb-tree:"

/* Notes opened here before, kept (the bytes and the key) so that the same
 * note is not checked again: a database signs one tree for many lookups,
 * and the kept tree is read back for every proof.  Only the responder's
 * main thread verifies. */
#define SUMDB_NOTES_KEPT	4
#define SUMDB_NOTE_KEPT_MAX	2048	/* a larger note is checked each time */

static struct sumdb_note_kept {
	struct note_verifier	 key;
	size_t			 len, textlen;
	char			 note[SUMDB_NOTE_KEPT_MAX];
} sumdb_notes[SUMDB_NOTES_KEPT];
static size_t	 sumdb_notes_n, sumdb_notes_next;

/*
 * note_open of note with db's key alone, the signature checked once per
 * process for the same bytes: a note opened before with the same key is
 * the same note (note_open depends on nothing else).  0 and *textlen, or
 * -1 and e as note_open.
 */
static int
sumdb_note_open(const struct note_verifier *key, const char *note,
    size_t len, size_t *textlen, struct err *e)
{
	struct sumdb_note_kept *k;
	size_t i;

	for (i = 0; i < sumdb_notes_n; i++) {
		k = &sumdb_notes[i];
		if (k->len == len && memcmp(k->note, note, len) == 0 &&
		    k->key.hash == key->hash &&
		    strcmp(k->key.name, key->name) == 0 &&
		    memcmp(k->key.pub, key->pub, sizeof(key->pub)) == 0) {
			*textlen = k->textlen;
			return 0;
		}
	}
	if (note_open(note, len, key, 1, textlen, e) == -1)
		return -1;
	if (len <= SUMDB_NOTE_KEPT_MAX) {
		k = &sumdb_notes[sumdb_notes_next];
		sumdb_notes_next = (sumdb_notes_next + 1) % SUMDB_NOTES_KEPT;
		if (sumdb_notes_n < SUMDB_NOTES_KEPT)
			sumdb_notes_n++;
		k->key = *key;
		k->len = len;
		k->textlen = *textlen;
		memcpy(k->note, note, len);
	}
	return 0;
}

/*
 * The scope of a database's answers in the index cache: the hash of
 * "<vkey> <url>", the URL's password masked (upstream_redact: one server
 * is one database whatever the credentials, and the index holds nothing
 * a password could be tested against).
 */
static void
sumdb_scope(const char *vkey, const char *url, char out[SHA256_HEX])
{
	char shown[SUMDB_URL_MAX + 16], text[NOTE_NAME_MAX + 512 +
	    sizeof(shown)];
	int n;

	upstream_redact(url, shown, sizeof(shown));
	n = snprintf(text, sizeof(text), "%s %s", vkey, shown);
	dirhash_sha256_hex(text, n < 0 ? 0 : (size_t)n < sizeof(text) ?
	    (size_t)n : sizeof(text) - 1, out);
}

/* One "<vkey> <url>" entry of spec[0..len) into db. */
static int
sumdb_parse_one(const char *spec, size_t len, struct sumdb *db,
    struct err *e)
{
	char entry[NOTE_NAME_MAX + SUMDB_URL_MAX + 256], *key, *url, *end;
	char shown[2 * sizeof(entry)];
	size_t ulen;

	if (len >= sizeof(entry))
		return err_set(e, E_CONFIG, "database entry too long");
	memcpy(entry, spec, len);
	entry[len] = '\0';
	key = entry + strspn(entry, " \t");
	if ((url = strpbrk(key, " \t")) == NULL) {
		upstream_redact_text(key, shown, sizeof(shown));
		return err_set(e, E_CONFIG, "\"%.128s\": want \"<verifier key> "
		    "<URL>\"", shown);
	}
	*url++ = '\0';
	url += strspn(url, " \t");
	for (end = url + strlen(url); end > url && isspace((unsigned char)
	    end[-1]); end--)
		;
	*end = '\0';
	while (end > url && end[-1] == '/')
		*--end = '\0';
	if (note_verifier_parse(key, &db->key, e) == -1)
		return -1;
	upstream_redact_text(url, shown, sizeof(shown));
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return err_set(e, E_CONFIG, "%s: URL \"%.64s\" is not http(s)",
		    db->key.name, shown);
	ulen = strlen(url);
	if (strpbrk(url, " \t?#") != NULL || ulen >= sizeof(db->url) ||
	    strlen(url) <= (url[4] == 's' ? 8u : 7u))
		return err_set(e, E_CONFIG, "%s: bad URL \"%.64s\"",
		    db->key.name, shown);
	memcpy(db->url, url, ulen + 1);
	sumdb_scope(key, url, db->scope);
	return 0;
}

int
sumdb_parse(const char *spec, struct sumdb_list *l, struct err *e)
{
	const char *p, *semi;
	size_t len, i;

	l->v = NULL;
	l->n = 0;
	for (p = spec; p != NULL && *p != '\0'; p = semi ? semi + 1 : NULL) {
		semi = strchr(p, ';');
		len = semi ? (size_t)(semi - p) : strlen(p);
		if (strspn(p, " \t") >= len)
			continue;
		if (l->n == SUMDB_MAX) {
			sumdb_free(l);
			return err_set(e, E_CONFIG, "more than %d databases",
			    SUMDB_MAX);
		}
		l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
		if (sumdb_parse_one(p, len, &l->v[l->n], e) == -1) {
			sumdb_free(l);
			return -1;
		}
		for (i = 0; i < l->n; i++)
			if (strcmp(l->v[i].key.name, l->v[l->n].key.name) == 0) {
				err_set(e, E_CONFIG, "database %s named twice",
				    l->v[i].key.name);
				sumdb_free(l);
				return -1;
			}
		l->n++;
	}
	return 0;
}

void
sumdb_free(struct sumdb_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const struct sumdb *
sumdb_find(const struct sumdb_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key.name, name) == 0)
			return &l->v[i];
	return NULL;
}

/* 1 when path is name followed by "/" (a database path below name). */
static int
sumdb_is_below(const char *name, const char *path)
{
	size_t n = strlen(name);

	return n > 0 && strncmp(path, name, n) == 0 && path[n] == '/';
}

const struct sumdb *
sumdb_match(const struct sumdb_list *l, const char *private_name,
    const char *path, size_t *len, int *private)
{
	const struct sumdb *db = NULL;
	size_t i, best = 0;

	*private = 0;
	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i].key.name) > best &&
		    sumdb_is_below(l->v[i].key.name, path)) {
			db = &l->v[i];
			best = strlen(db->key.name);
		}
	if (private_name != NULL && strlen(private_name) > best &&
	    sumdb_is_below(private_name, path)) {
		db = NULL;
		best = strlen(private_name);
		*private = 1;
	}
	*len = best;
	return db;
}

int
sumdb_load_signer(const char *path, struct note_signer *s, struct err *e)
{
	struct buf b;
	size_t n;
	int rc;

	if (buf_read_file(&b, path, SUMDB_SIGNER_MAX, e) == -1)
		return -1;
	for (n = b.len; n > 0 && isspace((unsigned char)b.data[n - 1]); n--)
		b.data[n - 1] = '\0';
	rc = note_signer_parse(b.data, s, e);
	explicit_bzero(b.data, b.len);
	buf_free(&b);
	return rc;
}

/* How long an answer for path may be reused: -1 for ever. */
static long
sumdb_ttl(const struct config *cfg, const char *path)
{
	struct tlog_tile t;

	if (strncmp(path, "lookup/", 7) == 0)
		return SUMDB_LOOKUP_TTL;
	if (tlog_tile_parse(path, &t) == 0 && t.w == 1 << t.h)
		return -1;
	return cfg->sumdb_cache_ttl;
}

/*
 * Where one verification (or one forwarded request) reads a database:
 * decided on its first trip upstream (sumdb_base), then kept, as the go
 * command decides once per process.
 */
struct sumdb_where {
	int		 have;
	char		 base[SUMDB_BASE_MAX];
	const struct buf *given;	/* the lookup's answer, fetched already
					 * (beside the version's files) */
};

/*
 * sumdb_get, or with fresh set a new copy from upstream in any case;
 * upstream is where's base, found on the first need.
 */
static int
sumdb_fetch(const struct sumdb_ctx *sc, const struct sumdb *db,
    struct sumdb_where *where, const char *path, int fresh,
    struct buf *body, struct err *e)
{
	char key[SUMDB_PATH_MAX + NOTE_NAME_MAX + 16];
	char url[SUMDB_BASE_MAX + SUMDB_PATH_MAX + 8];
	char what[SUMDB_PATH_MAX + NOTE_NAME_MAX + 16];
	struct cache_key k = { NULL, db->scope, key };
	struct cache_policy pol = { what, 0, 0, 1 };
	struct cache_entry c;
	struct buf up;
	struct err ue, ce;
	int offline = sc->offline, rc = -1, given;
	size_t cap;

	snprintf(key, sizeof(key), "sumdb:%s/%s", db->key.name, path);
	snprintf(what, sizeof(what), "sumdb %s/%s", db->key.name, path);
	err_clear(&ce);
	memset(&c, 0, sizeof(c));
	k.ix = sc->idx;
	/* A tile's path names exactly the hashes it holds. */
	k.memo = strncmp(path, "tile/", 5) == 0;
	/* Offline, any answer kept is fresh enough.  A lookup fetched with
	 * the version's files was not kept a moment ago (sumdb_lookup_url
	 * looked): it is not looked for again. */
	given = where->given != NULL && !fresh && strncmp(path, "lookup/",
	    7) == 0;
	if ((!fresh || offline) && (!given || offline) &&
	    cache_lookup(&k, offline ? -1 :
	    sumdb_ttl(sc->cfg, path), 0, &c, &ce) == CACHE_FRESH &&
	    c.code == E_OK) {
		*body = c.body;
		return 0;
	}
	if (offline) {
		cache_entry_free(&c);
		return err_set(e, E_NOTFOUND, "%s/%s: not cached (network_mode "
		    "is offline)", db->key.name, path);
	}
	cap = strncmp(path, "tile/", 5) == 0 ? (size_t)TLOG_HASH << 8 <<
	    TLOG_TILE_H : SUMDB_LOOKUP_MAX;
	err_clear(&ue);
	if (!where->have && sumdb_base(sc, db, where->base,
	    sizeof(where->base), &ue) == 0)
		where->have = 1;
	if (given && where->given->len <= cap) {
		/* Fetched with the version's files: settled as if now. */
		buf_init(&up, cap);
		rc = buf_append(&up, where->given->data, where->given->len,
		    &ue);
		where->given = NULL;
	} else if (where->have) {
		snprintf(url, sizeof(url), "%s/%s", where->base, path);
		rc = fetch_proxy_buf(sc->cfg, url, cap, &up, &ue);
	}
	pol.serve_stale = sc->fallback;
	return cache_settle(&k, &c, &pol, rc, &up, &ue, body, NULL, e);
}

int
sumdb_get(const struct sumdb_ctx *sc, const struct sumdb *db, const char *path,
    struct buf *body, struct err *e)
{
	struct sumdb_where where;

	where.have = 0;
	where.given = NULL;
	return sumdb_fetch(sc, db, &where, path, 0, body, e);
}

/*
 * Reading stored hashes from the tiles of one tree of a database.  When a
 * proof fails, it is made once more with every tile fetched afresh
 * (fresh): a tile cached for good must not make one bad answer of
 * upstream last for ever.  The fresh copies replace the cached ones.
 */
struct sumdb_reader {
	const struct sumdb_ctx	*sc;
	const struct sumdb	*db;
	struct sumdb_where	*where;
	int64_t			 size;		/* the tree */
	int			 fresh;		/* bypass the cache */
	struct tlog_tile	 tile;		/* the last tile read */
	struct buf		 data;
};

static int
sumdb_read_hashes(void *arg, const int64_t *idx, size_t n,
    struct tlog_hash *out, struct err *e)
{
	struct sumdb_reader *r = arg;
	char path[128];
	struct tlog_tile t;
	size_t i;

	for (i = 0; i < n; i++) {
		if (tlog_tile_in_tree(TLOG_TILE_H, idx[i], r->size, &t) == -1)
			return err_set(e, E_UPSTREAM, "stored hash %" PRId64
			    " is not in tree %" PRId64, idx[i], r->size);
		if (r->data.data == NULL || t.h != r->tile.h ||
		    t.l != r->tile.l || t.n != r->tile.n || t.w != r->tile.w) {
			buf_free(&r->data);
			if (tlog_tile_path(&t, path, sizeof(path)) == -1)
				return err_set(e, E_INTERNAL, "tile path");
			if (sumdb_fetch(r->sc, r->db, r->where, path,
			    r->fresh, &r->data, e) == -1)
				return -1;
			if (r->data.len != (size_t)t.w * TLOG_HASH) {
				buf_free(&r->data);
				return err_set(e, E_UPSTREAM, "%s: %s has the "
				    "wrong size", r->db->key.name, path);
			}
			r->tile = t;
		}
		if (tlog_hash_from_tile(&t, (const unsigned char *)r->data.data,
		    r->data.len, idx[i], &out[i]) == -1)
			return err_set(e, E_INTERNAL, "hash %" PRId64
			    " from tile", idx[i]);
	}
	return 0;
}

/* A lookup answer: "<id>\n<record text>\n<signed note>". */
struct sumdb_lookup {
	int64_t		 id;
	const char	*text;		/* into the body */
	size_t		 textlen;	/* through its final "\n" */
	const char	*note;
	size_t		 notelen;
	int64_t		 size;		/* the signed tree */
	struct tlog_hash root;
};

static int
sumdb_parse_lookup(const struct sumdb *db, const struct buf *b,
    struct sumdb_lookup *l, struct err *e)
{
	const char *p = b->data, *nl, *end = b->data + b->len, *blank;
	size_t textlen;
	char *ep;

	if ((nl = memchr(p, '\n', b->len)) == NULL || nl == p ||
	    (nl - p > 1 && p[0] == '0') || strspn(p, "0123456789") !=
	    (size_t)(nl - p) || nl - p > 18)
		return err_set(e, E_UPSTREAM, "%s: malformed lookup answer",
		    db->key.name);
	l->id = strtoll(p, &ep, 10);
	l->text = nl + 1;
	if ((blank = memmem(l->text, (size_t)(end - l->text), "\n\n", 2)) ==
	    NULL)
		return err_set(e, E_UPSTREAM, "%s: lookup answer without a "
		    "note", db->key.name);
	l->textlen = (size_t)(blank - l->text) + 1;
	l->note = blank + 2;
	l->notelen = (size_t)(end - l->note);
	if (sumdb_note_open(&db->key, l->note, l->notelen, &textlen, e) == -1)
		return -1;
	if (tlog_tree_parse(l->note, textlen, &l->size, &l->root) == -1)
		return err_set(e, E_UPSTREAM, "%s: the signed note is not a "
		    "tree", db->key.name);
	if (l->id >= l->size)
		return err_set(e, E_UPSTREAM, "%s: record %" PRId64 " is not "
		    "in its tree of %" PRId64, db->key.name, l->id, l->size);
	return 0;
}

/* The h1 in the record for "<module> <version><suffix> "; 0 or -1. */
static int
sumdb_record_h1(const struct sumdb_lookup *l, const char *module,
    const char *version, const char *suffix, char h1[H1_MAX])
{
	char prefix[MODPATH_MAX + VERSION_MAX + 16];
	const char *p = l->text, *end = l->text + l->textlen, *nl;
	size_t plen;

	snprintf(prefix, sizeof(prefix), "%s %s%s ", module, version, suffix);
	plen = strlen(prefix);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		if ((size_t)(nl - p) > plen && (size_t)(nl - p) - plen <
		    H1_MAX && memcmp(p, prefix, plen) == 0) {
			memcpy(h1, p + plen, (size_t)(nl - p) - plen);
			h1[(size_t)(nl - p) - plen] = '\0';
			return 0;
		}
	}
	return -1;
}

/* Compare one hash of ours with the record's; E_UPSTREAM on a mismatch. */
static int
sumdb_compare(const struct sumdb *db, const struct sumdb_lookup *l,
    const char *module, const char *version, const char *suffix,
    const char *ours, struct err *e)
{
	char theirs[H1_MAX];

	if (ours == NULL)
		return 0;
	if (sumdb_record_h1(l, module, version, suffix, theirs) == -1)
		return err_set(e, E_UPSTREAM, "%s has no %s line for %s@%s",
		    db->key.name, suffix[0] ? "go.mod" : "zip", module,
		    version);
	if (strcmp(ours, theirs) == 0)
		return 0;
	log_warnx("SECURITY: %s@%s%s: upstream sent %s, checksum database "
	    "%s has %s: refused", module, version, suffix, ours,
	    db->key.name, theirs);
	return err_set(e, E_UPSTREAM, "checksum mismatch for %s@%s%s: "
	    "upstream has %s, %s has %s; not stored", module, version,
	    suffix, ours, db->key.name, theirs);
}

/* The last tree verified for db ("sumdb-tree:<name>"): 1 and filled, 0
 * when none, -1 on error. */
static int
sumdb_head(const struct sumdb_ctx *sc, const struct sumdb *db, struct buf *note,
    int64_t *size, struct tlog_hash *root, struct err *e)
{
	char key[NOTE_NAME_MAX + 32];
	struct index *ix;
	size_t textlen;
	int have;

	if ((ix = sc->idx) == NULL)
		return err_set(e, E_UNAVAIL, "no index for the verified "
		    "trees");
	snprintf(key, sizeof(key), SUMDB_KEY_PREFIX "%s", db->key.name);
	if ((have = index_meta_get(ix, key, note, e)) != 1)
		return have;
	if (sumdb_note_open(&db->key, note->data, note->len, &textlen, e) ==
	    -1 || tlog_tree_parse(note->data, textlen, size, root) == -1) {
		buf_free(note);
		err_clear(e);
		return err_set(e, E_INTERNAL, "the stored tree of %s does not "
		    "verify", db->key.name);
	}
	return 1;
}

/* Store the signed tree l verified for db, unless a newer one is there
 * (another process may have gone forward meanwhile). */
static int
sumdb_store_head(const struct sumdb_ctx *sc, const struct sumdb *db,
    const struct sumdb_lookup *l, struct err *e)
{
	char key[NOTE_NAME_MAX + 32];
	struct tlog_hash oroot;
	struct index *ix;
	struct buf old;
	int64_t osize;
	int have;

	if ((ix = sc->idx) == NULL)
		return err_set(e, E_UNAVAIL, "no index for the verified "
		    "trees");
	/* Kept trees only grow: no write (no write lock) when the kept one
	 * is as large already, the common case. */
	if ((have = sumdb_head(sc, db, &old, &osize, &oroot, e)) == 1)
		buf_free(&old);
	if (have == -1)
		return -1;
	if (have == 1 && osize >= l->size)
		return 0;
	if (index_begin(ix, e) == -1)
		return -1;
	snprintf(key, sizeof(key), SUMDB_KEY_PREFIX "%s", db->key.name);
	if ((have = sumdb_head(sc, db, &old, &osize, &oroot, e)) == 1)
		buf_free(&old);
	if (have == -1 || ((have == 0 || osize < l->size) &&
	    index_meta_put(ix, key, l->note, l->notelen, e) == -1)) {
		index_rollback(ix);
		return -1;
	}
	return index_commit(ix, e);
}

/*
 * The proofs for lookup l of db: the record is in its signed tree, and
 * that tree is consistent with the last tree verified.  0, -1 on an error
 * (e), -2 when a proof fails (*why says which).
 */
static int
sumdb_prove(const struct sumdb_ctx *sc, const struct sumdb *db,
    const struct sumdb_lookup *l, struct sumdb_reader *r, const char **why,
    struct err *e)
{
	struct tlog_hash leaf, oroot;
	struct tlog_proof pf;
	struct buf old;
	int64_t osize;
	int have, rc = 0;

	r->size = l->size;
	tlog_record_hash(l->text, l->textlen, &leaf);
	if (tlog_prove_record(l->size, l->id, sumdb_read_hashes, r, &pf,
	    e) == -1)
		return -1;
	if (tlog_check_record(&pf, l->size, &l->root, l->id, &leaf) == -1) {
		*why = "the record is not in the tree it came with";
		return -2;
	}
	if ((have = sumdb_head(sc, db, &old, &osize, &oroot, e)) != 1)
		return have;
	buf_free(&old);
	*why = "the tree is not consistent with the tree verified before";
	if (osize < l->size) {
		if (tlog_prove_tree(l->size, osize, sumdb_read_hashes, r, &pf,
		    e) == -1)
			rc = -1;
		else if (tlog_check_tree(&pf, l->size, &l->root, osize,
		    &oroot) == -1)
			rc = -2;
	} else if (osize > l->size) {
		/* An older tree: proved with the tiles of the newer one. */
		r->size = osize;
		buf_free(&r->data);
		if (tlog_prove_tree(osize, l->size, sumdb_read_hashes, r, &pf,
		    e) == -1)
			rc = -1;
		else if (tlog_check_tree(&pf, osize, &oroot, l->size,
		    &l->root) == -1)
			rc = -2;
	} else if (memcmp(&oroot, &l->root, sizeof(oroot)) != 0)
		rc = -2;
	return rc;
}

/* Log a failed proof with both trees; E_UPSTREAM for the client. */
static int
sumdb_misbehaves(const struct sumdb_ctx *sc, const struct sumdb *db,
    const struct sumdb_lookup *l, const char *module, const char *version,
    const char *why, struct err *e)
{
	struct tlog_hash oroot;
	struct buf old;
	struct err he;
	int64_t osize;
	int have;

	err_clear(&he);
	have = sumdb_head(sc, db, &old, &osize, &oroot, &he);
	log_warnx("SECURITY ERROR: checksum database %s misbehaves: %s@%s: "
	    "%s.\nverified before:\n%.*s\nnow (record %" PRId64 "):\n%.*s",
	    db->key.name, module, version, why, have == 1 ? (int)old.len : 6,
	    have == 1 ? old.data : "(none)", l->id, (int)l->notelen, l->note);
	if (have == 1)
		buf_free(&old);
	return err_set(e, E_UPSTREAM, "checksum database %s: %s (tree %"
	    PRId64 "); %s@%s refused", db->key.name, why, l->size, module,
	    version);
}

int
sumdb_lookup_url(const struct sumdb_ctx *sc, const char *module,
    const char *version, char *url, size_t urlsz)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX], path[SUMDB_PATH_MAX];
	char key[SUMDB_PATH_MAX + NOTE_NAME_MAX + 16], base[SUMDB_BASE_MAX];
	const struct sumdb *db;
	struct cache_key k = { sc->idx, NULL, key };
	struct cache_entry c;
	struct err ce;
	int fresh;

	if (sc->dbs->n == 0 || sc->offline ||
	    modpath_escape(module, emod, sizeof(emod)) == -1 ||
	    modpath_escape(version, ever, sizeof(ever)) == -1)
		return 0;
	db = &sc->dbs->v[0];
	k.scope = db->scope;
	snprintf(path, sizeof(path), "lookup/%s@%s", emod, ever);
	snprintf(key, sizeof(key), "sumdb:%s/%s", db->key.name, path);
	err_clear(&ce);
	fresh = cache_lookup(&k, sumdb_ttl(sc->cfg, path), 0, &c, &ce) ==
	    CACHE_FRESH && c.code == E_OK;
	cache_entry_free(&c);
	if (fresh || sumdb_base_cached_url(sc, db, base, sizeof(base)) == -1)
		return 0;
	return snprintf(url, urlsz, "%s/%s", base, path) < (int)urlsz;
}

int
sumdb_verify(const struct sumdb_ctx *sc, const char *module, const char *version,
    const char *mod_h1, const char *zip_h1, struct err *e)
{
	return sumdb_verify_with(sc, module, version, mod_h1, zip_h1, NULL, e);
}

int
sumdb_verify_with(const struct sumdb_ctx *sc, const char *module,
    const char *version, const char *mod_h1, const char *zip_h1,
    const struct buf *lookup, struct err *e)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX], path[SUMDB_PATH_MAX];
	const char *why = "";
	const struct sumdb *db;
	struct sumdb_where where;
	struct sumdb_lookup l;
	struct sumdb_reader r;
	struct buf b;
	struct err le;
	int rc, attempt;

	if (mod_h1 == NULL && zip_h1 == NULL)
		return 0;
	if (sc->dbs->n == 0)
		return err_set(e, E_INTERNAL, "no checksum database to verify "
		    "with");
	db = &sc->dbs->v[0];
	if (modpath_escape(module, emod, sizeof(emod)) == -1 ||
	    modpath_escape(version, ever, sizeof(ever)) == -1)
		return err_set(e, E_INTERNAL, "cannot escape %s@%s", module,
		    version);
	snprintf(path, sizeof(path), "lookup/%s@%s", emod, ever);
	err_clear(&le);
	where.have = 0;
	where.given = lookup;
	if (sumdb_fetch(sc, db, &where, path, 0, &b, &le) == -1) {
		if (le.code == E_NOTFOUND || le.code == E_GONE)
			return err_set(e, E_UPSTREAM, "checksum database %s "
			    "has no record of %s@%s (%s); if the module is "
			    "private, add it to [sumdb] nosum", db->key.name,
			    module, version, le.msg);
		return err_set(e, le.code, "verifying %s@%s with %s: %s",
		    module, version, db->key.name, le.msg);
	}
	if ((rc = sumdb_parse_lookup(db, &b, &l, e)) == 0)
		rc = sumdb_compare(db, &l, module, version, "/go.mod", mod_h1,
		    e);
	if (rc == 0)
		rc = sumdb_compare(db, &l, module, version, "", zip_h1, e);
	for (attempt = 0; rc == 0 || rc == -2; attempt++) {
		memset(&r, 0, sizeof(r));
		r.sc = sc;
		r.db = db;
		r.where = &where;
		r.fresh = attempt > 0;
		rc = sumdb_prove(sc, db, &l, &r, &why, e);
		buf_free(&r.data);
		if (rc != -2 || attempt == 1)
			break;
		log_info("%s: %s@%s: %s; fetching its tiles again",
		    db->key.name, module, version, why);
	}
	if (rc == -2)
		rc = sumdb_misbehaves(sc, db, &l, module, version, why, e);
	if (rc == 0)
		rc = sumdb_store_head(sc, db, &l, e);
	buf_free(&b);
	if (rc == 0)
		log_debug("verified %s@%s with %s (record %" PRId64 ", tree %"
		    PRId64 ")", module, version, db->key.name, l.id, l.size);
	return rc;
}

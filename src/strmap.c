/*
 * strmap.c: a map from strings to indexes (size_t), for lookups that
 * must not scan: the nodes of prefetch's module graph ("path@version")
 * and the lines of a go.sum ("path version").
 *
 * Open addressing with linear probing over a power-of-two table, FNV-1a
 * hashes, grown to keep it at most half full; keys are copied.  Nothing
 * is ever removed (no tombstones).  Lookups and inserts are O(1) on
 * average, whatever the number of keys.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "piraeus.h"

#define STRMAP_MIN	64	/* slots of a new table (a power of two) */

/* FNV-1a, 64 bits, of the NUL-terminated s. */
static uint64_t
strmap_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of key: where it is, or the empty slot where it would go. */
static size_t
strmap_slot(const struct strmap *m, const char *key)
{
	size_t mask = m->cap - 1, i = (size_t)strmap_hash(key) & mask;

	while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & mask;
	return i;
}

/* Double the table (or make the first one), placing every key again. */
static void
strmap_grow(struct strmap *m)
{
	struct strmap old = *m;
	size_t i, s;

	m->cap = old.cap ? old.cap * 2 : STRMAP_MIN;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
	for (i = 0; i < old.cap; i++) {
		if (old.keys[i] == NULL)
			continue;
		s = strmap_slot(m, old.keys[i]);
		m->keys[s] = old.keys[i];
		m->vals[s] = old.vals[i];
	}
	free(old.keys);
	free(old.vals);
}

void
strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

size_t
strmap_get(const struct strmap *m, const char *key)
{
	size_t s;

	if (m->cap == 0)
		return STRMAP_NONE;
	s = strmap_slot(m, key);
	return m->keys[s] != NULL ? m->vals[s] : STRMAP_NONE;
}

size_t
strmap_put(struct strmap *m, const char *key, size_t val)
{
	size_t s;

	if (m->cap == 0 || 2 * (m->n + 1) > m->cap)
		strmap_grow(m);
	s = strmap_slot(m, key);
	if (m->keys[s] != NULL)
		return m->vals[s];
	m->keys[s] = xstrdup(key);
	m->vals[s] = val;
	m->n++;
	return val;
}

void
strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/*
 * fuzz_vulndb_index.c: the vulnerability database's index files and
 * entries (vulndb_index.c).  The input is index/db.json, vulns.json and
 * modules.json apart by NUL bytes, then entries (ID/<id>.json), each
 * after a NUL, entry j checked as vulns.json's row j (modulo their
 * number); each part is read into a struct buf as vulndb.c reads a file.
 * An index that parses is consistent: every id valid and found where it
 * is, none newer than db.json, a module's vulns and a vuln's modules
 * name each other, and freeing it twice is safe.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "fuzz.h"

#define FUZZ_VI_PARTS	3	/* db.json, vulns.json, modules.json */

/* fuzz_vi_part: the next part of data[*off..size) (up to a NUL) into b;
 * 0, or -1 when there is none. */
static int
fuzz_vi_part(const uint8_t *data, size_t size, size_t *off, struct buf *b)
{
	const uint8_t	*nul;
	struct err	 e;
	size_t		 n;

	buf_init(b, (size_t)-1);
	if (*off > size)
		return -1;
	nul = memchr(data + *off, '\0', size - *off);
	n = nul != NULL ? (size_t)(nul - data) - *off : size - *off;
	err_clear(&e);
	if (buf_append(b, data + *off, n, &e) == -1)
		abort();
	*off += n + 1;
	return 0;
}

/* fuzz_vi_check: the invariants of a parsed index. */
static void
fuzz_vi_check(const struct vulndb_index *ix)
{
	const struct vulndb_vuln	*v;
	const struct vulndb_module	*m;
	size_t				 i, j, k;

	if (strlen(ix->modified) >= VULNDB_TIME_MAX)
		abort();
	for (i = 0; i < ix->nv; i++) {
		v = &ix->v[i];
		if (!osv_id_valid(v->id) || vulndb_index_find(ix, v->id) != i ||
		    v->mod_ns > ix->mod_ns || v->naliases > OSV_ALIASES_MAX)
			abort();
		for (j = 0; j < v->naliases; j++)
			if (!osv_id_valid(v->aliases[j]))
				abort();
		for (j = 0; j < v->nmods; j++) {
			if (v->mods[j] >= ix->nm)
				abort();
			m = &ix->m[v->mods[j]];
			for (k = 0; k < m->nvulns && m->vulns[k] != i; k++)
				;
			if (k == m->nvulns)
				abort();
		}
	}
	for (i = 0; i < ix->nm; i++) {
		m = &ix->m[i];
		if (m->path[0] == '\0' || strlen(m->path) >= MODPATH_MAX ||
		    m->nvulns > VULNDB_MODULE_VULNS_MAX ||
		    (m->nvulns > 0 && m->newest >= ix->nv))
			abort();
		for (j = 0; j < m->nvulns; j++)
			if (m->vulns[j] >= ix->nv ||
			    ix->v[m->vulns[j]].mod_ns > ix->v[m->newest].mod_ns)
				abort();
		vulndb_index_module_check(m->path);
		vulndb_index_module_special(m->path);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vulndb_index	 ix;
	struct buf		 part[FUZZ_VI_PARTS], ent;
	struct err		 e;
	char			 modified[VULNDB_TIME_MAX];
	int64_t			 ns;
	size_t			 off = 0, i, j;

	for (i = 0; i < FUZZ_VI_PARTS; i++)
		fuzz_vi_part(data, size, &off, &part[i]);
	err_clear(&e);
	if (vulndb_index_db_parse(part[0].data, part[0].len, modified, &ns,
	    &e) == 0 && strlen(modified) >= VULNDB_TIME_MAX)
		abort();
	err_clear(&e);
	if (vulndb_index_parse(&ix, &part[0], &part[1], &part[2], &e) == 0) {
		fuzz_vi_check(&ix);
		for (j = 0; ix.nv > 0 && fuzz_vi_part(data, size, &off,
		    &ent) == 0; j++) {
			err_clear(&e);
			if (vulndb_index_entry_check(&ix, j % ix.nv, ent.data,
			    ent.len, &e) == -1 && e.msg[0] == '\0')
				abort();
			buf_free(&ent);
		}
	} else if (e.msg[0] == '\0' || ix.nv != 0 || ix.nm != 0)
		abort();
	vulndb_index_free(&ix);
	vulndb_index_free(&ix);
	for (i = 0; i < FUZZ_VI_PARTS; i++)
		buf_free(&part[i]);
	return 0;
}

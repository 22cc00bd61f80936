/*
 * check.c: nothing from upstream is published before it passes here.
 *
 * A fetched version: its .info must be a JSON object naming the version
 * (reindex_check_info), its go.mod is hashed (h1), its zip must follow
 * the go command's zip rules (zipcheck, which also hashes it), and then
 * the first public checksum database must vouch for the hashes
 * (sumdb_verify), when policy says it should.  An .info answered for a
 * query or @latest must be what the go command's json.Unmarshal reads
 * into a canonical version valid for the module path.  Every fault here is
 * upstream's: E_UPSTREAM, whatever the checker called it.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "piraeus.h"

int
check_info_answer(const char *module, const struct buf *body,
    char canon[VERSION_MAX])
{
	struct json_object *o, *v, *t;
	int64_t ns;
	int rc = -1;

	/* One JSON object alone (what json.Unmarshal takes). */
	if ((o = jsonval_parse(body->data, body->len, INT_MAX, 1)) == NULL)
		return -1;
	if (json_object_object_get_ex(o, "Version", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    semver_canonical(json_object_get_string(v), 1, canon,
	    VERSION_MAX) == 0 &&
	    strcmp(canon, json_object_get_string(v)) == 0 &&
	    modpath_check_major(module, canon) == 0 &&
	    (!json_object_object_get_ex(o, "Time", &t) || t == NULL ||
	    (json_object_is_type(t, json_type_string) &&
	    rfc3339_parse(json_object_get_string(t), &ns) == 0)))
		rc = 0;
	json_object_put(o);
	return rc;
}

/* The files of f: the .info names version, go.mod and zip hashed. */
static int
check_files(const char *module, const char *version, const struct fetched *f,
    char zip_h1[H1_MAX], char mod_h1[H1_MAX], struct err *ce)
{
	char time[64], canon[VERSION_MAX];
	struct buf b;
	int rc = 0;

	/* The .info names the version, and the go command can read it:
	 * one JSON object, a Time it parses (check_info_answer). */
	if (f->info != NULL) {
		if ((rc = buf_read_file(&b, f->info, INFO_MAX, ce)) == 0) {
			rc = reindex_check_info(&b, version, time,
			    sizeof(time), ce);
			if (rc == 0 && check_info_answer(module, &b,
			    canon) == -1)
				rc = err_set(ce, E_BADREQ, ".info is not what "
				    "the go command reads (a JSON object with "
				    "an RFC 3339 Time)");
			buf_free(&b);
		}
	}
	if (rc == 0 && f->mod != NULL &&
	    (rc = buf_read_file(&b, f->mod, GOMOD_MAX, ce)) == 0) {
		rc = dirhash_mod(b.data, b.len, mod_h1, ce);
		buf_free(&b);
	}
	if (rc == 0 && f->zip != NULL)
		rc = zipcheck(f->zip, module, version, zip_h1, ce);
	return rc;
}

int
check_fetched(const struct sumdb_ctx *sdb, const char *module,
    const char *version, const struct fetched *f, char zip_h1[H1_MAX],
    char mod_h1[H1_MAX], struct err *e)
{
	struct err ce;

	err_clear(&ce);
	zip_h1[0] = mod_h1[0] = '\0';
	if (check_files(module, version, f, zip_h1, mod_h1, &ce) == -1) {
		log_warnx("refusing %s@%s from upstream: %s", module, version,
		    ce.msg);
		return err_set(e, E_UPSTREAM, "upstream sent a bad %s: %s",
		    f->zip != NULL && ce.msg[0] != '.' ? "module" : "file",
		    ce.msg);
	}
	/* The checksum database, before anything is published. */
	if (sdb == NULL || (mod_h1[0] == '\0' && zip_h1[0] == '\0'))
		return 0;
	return sumdb_verify_with(sdb, module, version, mod_h1[0] ? mod_h1 :
	    NULL, zip_h1[0] ? zip_h1 : NULL, f->lookup_ok ? &f->lookup : NULL,
	    e);
}

/*
 * publish.c: a checked version into storage, then the index, then the
 * after-publish hooks (DESIGN 2 and 3).
 *
 * store_publish moves the temporary files into place atomically, .info
 * last; from then on the version exists, whatever happens next.  The
 * index row is made from what the fetch already knows of the zip (its h1
 * from check.c, its SHA-256 taken while it streamed), so the published
 * zip is not read again.  Then each hook is told (the private checksum
 * database records the version).  Index and hook failures are logged and
 * never undo the publish: the tree is the truth, and reindex or the next
 * lookup mends the rest.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "piraeus.h"

int
publish_version(const struct publish_env *env, const char *emod,
    const char *ever, struct fetched *f, const char *zip_h1,
    const char *origin, struct err *e)
{
	struct reindex_zip_known known;
	struct index_version iv;
	struct stat sb;
	struct err ie;
	size_t i;

	memset(&known, 0, sizeof(known));
	known.size = -1;
	if (f->zip != NULL && stat(f->zip, &sb) == 0) {
		known.size = (int64_t)sb.st_size;
		snprintf(known.h1, sizeof(known.h1), "%s", zip_h1);
		snprintf(known.sha256, sizeof(known.sha256), "%s",
		    f->zip_sha256);
	}
	if (store_publish(env->store, emod, ever, f->info, f->mod, f->zip,
	    e) == -1)
		return -1;
	if (f->info == NULL)
		return 0;
	err_clear(&ie);
	if (env->idx == NULL) {
		log_warnx("index %s@%s: no index to record it in", emod, ever);
		return 0;
	}
	if (reindex_describe(env->store, emod, ever, &known, &iv, &ie) == -1) {
		log_warnx("index %s@%s: %s", emod, ever, ie.msg);
		return 0;
	}
	snprintf(iv.origin, sizeof(iv.origin), "%.63s", origin);
	if (index_put(env->idx, &iv, &ie) == -1) {
		log_warnx("index %s@%s: %s", emod, ever, ie.msg);
		err_clear(&ie);
	}
	FAULT_POINT("index");
	if (!iv.has_zip)
		return 0;
	for (i = 0; i < env->nhooks; i++) {
		if (env->hooks[i].fn(env->hooks[i].arg, &iv, &ie) == -1) {
			log_warnx("%s: %s@%s: %s", env->hooks[i].name,
			    iv.module, iv.version, ie.msg);
			err_clear(&ie);
		}
	}
	return 0;
}

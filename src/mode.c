/* mode.c: placeholder until written (sync only). */
#include "config.h"

#include <string.h>

#include "piraeus.h"

int
mode_load(const char *spec, struct mode_table *t, struct err *e)
{
	memset(t, 0, sizeof(*t));
	if (strcmp(spec, "sync") != 0)
		return err_set(e, E_CONFIG, "only sync for now");
	return 0;
}

enum dl_mode
mode_for(const struct mode_table *t, const char *module, const char **url)
{
	*url = NULL;
	return t->def;
}

void
mode_free(struct mode_table *t)
{
}

const char *
mode_name(enum dl_mode m)
{
	return "sync";
}

/*
 * test_latest.c: latest_pick (the go command's "latest" over a set of
 * versions) and sumdb_match (the database a /sumdb/ path names).
 */
#include "config.h"

#include <string.h>

#include "piraeus.h"
#include "tap.h"

/* go.mod bodies by version, for the callback; NULL: unreadable. */
struct gomods {
	const char	*version[8];
	const char	*body[8];
};

static int
gomod_cb(void *arg, const char *version, struct buf *b, struct err *e)
{
	const struct gomods *g = arg;
	size_t i;

	for (i = 0; i < 8 && g->version[i] != NULL; i++)
		if (strcmp(g->version[i], version) == 0 && g->body[i] != NULL) {
			buf_init(b, (size_t)-1);
			return buf_puts(b, g->body[i], e);
		}
	return err_set(e, E_NOTFOUND, "no go.mod");
}

static void
pick(const char *module, const char *list, struct gomods *g,
    const char *want, const char *name)
{
	struct latest_src src = { gomod_cb, g };
	char copy[512], out[VERSION_MAX], *v[16], *p;
	size_t n = 0;
	int rc;

	snprintf(copy, sizeof(copy), "%s", list);
	for (p = copy; *p != '\0' && n < 16;) {
		v[n++] = p;
		p += strcspn(p, " ");
		if (*p == ' ')
			*p++ = '\0';
	}
	rc = latest_pick(module, v, n, &src, out);
	if (want == NULL)
		is_int(rc, 0, name);
	else {
		is_int(rc, 1, name);
		is_str(rc == 1 ? out : "", want, name);
	}
}

static void
test_pick(void)
{
	struct gomods none = { { NULL }, { NULL } };
	struct gomods gomodinc = { { "v1.0.0", "v2.0.0+incompatible" },
	    { "module example.com/m\n\ngo 1.16\n",
	    "module example.com/m\n" } };
	struct gomods synth = { { "v1.0.0" }, { "module example.com/m\n" } };
	struct gomods retract = { { "v1.1.0" },
	    { "module example.com/m\nretract v1.0.0\n" } };
	struct gomods allretract = { { "v1.0.1" },
	    { "module example.com/m\nretract [v1.0.0, v1.0.1]\n" } };
#define SELFRETRACT "module example.com/m\n" \
	    "retract [v0.0.0-20230317000000-000000000000, v1.0.0]\n"
	struct gomods selfretract = { { "v1.0.0",
	    "v0.0.0-20230317120000-aaaaaaaaaaaa" },
	    { SELFRETRACT, SELFRETRACT } };

	pick("example.com/m", "v1.0.0 v1.2.0 v1.1.0 v1.3.0-rc.1", &none,
	    "v1.2.0", "highest release");
	pick("example.com/m", "v1.3.0-rc.1 v1.2.0-beta", &none,
	    "v1.3.0-rc.1", "no release: highest pre-release");
	pick("example.com/m", "v0.0.0-20230317120000-aaaaaaaaaaaa "
	    "v0.0.0-20230316120000-bbbbbbbbbbbb", &none,
	    "v0.0.0-20230317120000-aaaaaaaaaaaa", "newest pseudo-version");
	pick("example.com/m", "v1.0.1-0.20230301120000-aaaaaaaaaaaa "
	    "v0.0.0-20230317120000-bbbbbbbbbbbb", &none,
	    "v0.0.0-20230317120000-bbbbbbbbbbbb",
	    "pseudo-versions by time, not semver");
	pick("example.com/m", "v1.0.0 v0.0.0-20990101120000-aaaaaaaaaaaa",
	    &none, "v1.0.0", "a tag before any pseudo-version");
	pick("example.com/m", "v1.0.0 v2.0.0+incompatible", &gomodinc,
	    "v1.0.0", "+incompatible not above a go.mod");
	pick("example.com/m", "v1.0.0 v2.0.0+incompatible", &synth,
	    "v2.0.0+incompatible", "+incompatible above a synthesized go.mod");
	pick("example.com/m", "v2.1.0+incompatible v3.0.0+incompatible", &none,
	    "v3.0.0+incompatible", "no compatible version");
	pick("example.com/m", "v1.0.0 v1.1.0", &retract, "v1.1.0",
	    "retractions of the latest");
	pick("example.com/m", "v1.0.0 v1.0.1 v1.0.2-0.20230319120000-"
	    "aaaaaaaaaaaa", &allretract,
	    "v1.0.2-0.20230319120000-aaaaaaaaaaaa",
	    "every tag retracted: the pseudo-version");
	pick("example.com/m", "v1.0.0 v1.0.1", &allretract, "v1.0.1",
	    "everything retracted: the highest");
	pick("example.com/m", "v0.0.0-20230316120000-bbbbbbbbbbbb "
	    "v0.0.0-20230317120000-aaaaaaaaaaaa", &selfretract,
	    "v0.0.0-20230317120000-aaaaaaaaaaaa",
	    "the newest pseudo-version even when it retracts itself");
	pick("example.com/m", "v1.0.0 v0.0.0-20230316120000-bbbbbbbbbbbb "
	    "v0.0.0-20230317120000-aaaaaaaaaaaa", &selfretract,
	    "v0.0.0-20230317120000-aaaaaaaaaaaa",
	    "every tag retracted: the newest pseudo-version, retracted too");
	pick("example.com/m", "v2.0.0 v1.0.0+meta junk v1.2", &none, NULL,
	    "nothing canonical and valid for the path");
	pick("example.com/m/v2", "v2.0.0 v1.9.0 v3.0.0", &none, "v2.0.0",
	    "only the path's major version");
	pick("example.com/m", "", &none, NULL, "empty list");
}

static void
test_sumdb_match(void)
{
	static const char *const names[] = {
		"localhost.localdev", "localhost.localdev/sumdb", "sum.test",
	};
	struct sumdb dbs[3];
	struct sumdb_list l = { dbs, 3 };
	const struct sumdb *db;
	size_t len, i;
	int priv;

	memset(dbs, 0, sizeof(dbs));
	for (i = 0; i < 3; i++)
		snprintf(dbs[i].key.name, sizeof(dbs[i].key.name), "%s",
		    names[i]);
	db = sumdb_match(&l, NULL, "localhost.localdev/sumdb/latest", &len,
	    &priv);
	ok(db == &dbs[1] && len == 24 && !priv, "the longest name wins");
	db = sumdb_match(&l, NULL, "localhost.localdev/supported", &len,
	    &priv);
	ok(db == &dbs[0] && len == 18, "its prefix is a database too");
	db = sumdb_match(&l, NULL, "localhost.localdev/sumdbx/latest", &len,
	    &priv);
	ok(db == &dbs[0], "a name matches up to a \"/\" only");
	db = sumdb_match(&l, NULL, "sum.test", &len, &priv);
	ok(db == NULL && len == 0, "no \"/\" after the name: none");
	db = sumdb_match(&l, NULL, "localhost/latest", &len, &priv);
	ok(db == NULL && len == 0, "an unknown name: none");
	db = sumdb_match(&l, "localhost.localdev/sumdb/private",
	    "localhost.localdev/sumdb/private/latest", &len, &priv);
	ok(db == NULL && priv && len == 32, "the private database, longest");
	db = sumdb_match(&l, "sum", "sum.test/latest", &len, &priv);
	ok(db == &dbs[2] && !priv, "a private name that is no prefix");
}

int
main(void)
{
	test_pick();
	test_sumdb_match();
	return tap_done();
}

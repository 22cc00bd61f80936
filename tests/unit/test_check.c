/*
 * test_check.c: check.c, the gate between upstream and storage.
 *
 * check_info_answer against a table of .info bodies (what the go
 * command's json.Unmarshal reads into a canonical version valid for the
 * module path, and nothing else); check_fetched without a checksum
 * database (sdb NULL) on files written here: the h1s it gives are
 * dirhash's own, a .info naming another version and a zip with a bad
 * prefix are upstream's fault, and what was not fetched has h1 "".
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

#define PATH_CAP	PATH_MAX
#include "testfile.h"
#include "testmod.h"

/* Bodies holding a NUL byte (their length is the literal's). */
#define NUL_AFTER	"{\"Version\":\"v1.2.3\"}\0"
#define NUL_INSIDE	"{\"Version\":\"v1.2.3\",\"X\":\"a\0b\"}"
#define T	"\"Time\":\"2023-01-02T03:04:05Z\""

static const struct {
	const char	*name;
	const char	*module;
	const char	*body;
	size_t		 len;		/* 0: strlen(body) */
	const char	*canon;		/* NULL: refused */
} infos[] = {
	{ "valid", "example.com/m", "{\"Version\":\"v1.2.3\"," T "}", 0,
	    "v1.2.3" },
	{ "white space around", "example.com/m",
	    " \n{\"Version\":\"v1.2.3\"," T "}\r\n\t ", 0, "v1.2.3" },
	{ "extra fields", "example.com/m", "{\"Version\":\"v1.2.3\"," T
	    ",\"Origin\":{\"VCS\":\"git\",\"Hash\":\"abc\"},\"X\":[1,2]}", 0,
	    "v1.2.3" },
	{ "pre-release", "example.com/m",
	    "{\"Version\":\"v1.2.3-rc.1\"," T "}", 0, "v1.2.3-rc.1" },
	{ "trailing garbage", "example.com/m",
	    "{\"Version\":\"v1.2.3\"," T "} x", 0, NULL },
	{ "two objects", "example.com/m",
	    "{\"Version\":\"v1.2.3\"}{\"Version\":\"v1.2.3\"}", 0, NULL },
	{ "a NUL byte after the object", "example.com/m", NUL_AFTER,
	    sizeof(NUL_AFTER) - 1, NULL },
	{ "a NUL byte inside", "example.com/m", NUL_INSIDE,
	    sizeof(NUL_INSIDE) - 1, NULL },
	{ "not an object", "example.com/m", "[\"v1.2.3\"]", 0, NULL },
	{ "a string", "example.com/m", "\"v1.2.3\"", 0, NULL },
	{ "empty", "example.com/m", "", 0, NULL },
	{ "truncated", "example.com/m", "{\"Version\":\"v1.2.3\"", 0, NULL },
	{ "no Version", "example.com/m", "{" T "}", 0, NULL },
	{ "Version a number", "example.com/m", "{\"Version\":1}", 0, NULL },
	{ "Version null", "example.com/m", "{\"Version\":null}", 0, NULL },
	{ "non-canonical v1.2", "example.com/m", "{\"Version\":\"v1.2\"}", 0,
	    NULL },
	{ "non-canonical +meta", "example.com/m",
	    "{\"Version\":\"v1.2.3+meta\"}", 0, NULL },
	{ "not semver", "example.com/m", "{\"Version\":\"master\"}", 0, NULL },
	{ "no v", "example.com/m", "{\"Version\":\"1.2.3\"}", 0, NULL },
	{ "v2 under a v1 path", "example.com/m", "{\"Version\":\"v2.0.0\"}", 0,
	    NULL },
	{ "v1 under a /v2 path", "example.com/m/v2",
	    "{\"Version\":\"v1.0.0\"}", 0, NULL },
	{ "v2 under its /v2 path", "example.com/m/v2",
	    "{\"Version\":\"v2.0.1\"}", 0, "v2.0.1" },
	{ "v3 under a /v2 path", "example.com/m/v2",
	    "{\"Version\":\"v3.0.0\"}", 0, NULL },
	{ "+incompatible under a v1 path", "example.com/m",
	    "{\"Version\":\"v2.0.0+incompatible\"}", 0, "v2.0.0+incompatible" },
	{ "gopkg.in .v2 with v2", "gopkg.in/yaml.v2",
	    "{\"Version\":\"v2.4.0\"}", 0, "v2.4.0" },
	{ "gopkg.in .v2 with v3", "gopkg.in/yaml.v2",
	    "{\"Version\":\"v3.0.0\"}", 0, NULL },
	{ "Time absent", "example.com/m", "{\"Version\":\"v1.2.3\"}", 0,
	    "v1.2.3" },
	{ "Time null", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":null}", 0, "v1.2.3" },
	{ "Time with a fraction and zone", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":\"2023-01-02T03:04:05.5+02:00\"}",
	    0, "v1.2.3" },
	{ "Time bad", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":\"yesterday\"}", 0, NULL },
	{ "Time without a zone", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":\"2023-01-02T03:04:05\"}", 0,
	    NULL },
	{ "Time a number", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":1672628645}", 0, NULL },
	/* What Go's time.Parse refuses (day out of range, second out of
	 * range, lower-case T and Z), and what it takes at the edges. */
	{ "Time February 30", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":\"2023-02-30T00:00:00Z\"}", 0,
	    NULL },
	{ "Time February 29 of a common year", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":\"1900-02-29T00:00:00Z\"}", 0,
	    NULL },
	{ "Time February 29 of a leap year", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":\"2000-02-29T00:00:00Z\"}", 0,
	    "v1.2.3" },
	{ "Time April 31", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":\"2023-04-31T00:00:00Z\"}", 0,
	    NULL },
	{ "Time a leap second", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":\"2016-12-31T23:59:60Z\"}", 0,
	    NULL },
	{ "Time lower-case t", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":\"2023-01-02t03:04:05Z\"}", 0,
	    NULL },
	{ "Time lower-case z", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":\"2023-01-02T03:04:05z\"}", 0,
	    NULL },
	{ "Time far in the future", "example.com/m",
	    "{\"Version\":\"v1.2.3\",\"Time\":\"9999-12-31T23:59:59Z\"}", 0,
	    "v1.2.3" },
};

static void
test_info_answer(void)
{
	char canon[VERSION_MAX], name[256];
	struct buf b;
	struct err e;
	size_t i, len;
	int rc;

	for (i = 0; i < NITEMS(infos); i++) {
		len = infos[i].len ? infos[i].len : strlen(infos[i].body);
		buf_init(&b, INFO_MAX);
		err_clear(&e);
		buf_append(&b, infos[i].body, len, &e);
		if (len == 0)
			buf_append(&b, "", 0, &e);
		snprintf(canon, sizeof(canon), "unset");
		rc = check_info_answer(infos[i].module, &b, canon);
		snprintf(name, sizeof(name), "info: %s: %s", infos[i].name,
		    infos[i].canon ? "accepted" : "refused");
		is_int(rc, infos[i].canon ? 0 : -1, name);
		if (infos[i].canon != NULL) {
			snprintf(name, sizeof(name), "info: %s: canon %s",
			    infos[i].name, infos[i].canon);
			is_str(canon, infos[i].canon, name);
		}
		buf_free(&b);
	}
}

/* What check_fetched is given: temporary files by name, NULL when not
 * fetched. */
static void
fetched_of(struct fetched *f, char *info, char *mod, char *zip)
{
	memset(f, 0, sizeof(*f));
	f->info = info;
	f->mod = mod;
	f->zip = zip;
}

static void
test_fetched(const char *dir)
{
	static const char gomod[] = "module example.com/m\n\ngo 1.20\n";
	static const char info[] = "{\"Version\":\"v1.0.0\"," T "}";
	static const char other[] = "{\"Version\":\"v1.0.1\"," T "}";
	char pinfo[PATH_MAX], pother[PATH_MAX], pmod[PATH_MAX], pzip[PATH_MAX];
	char pbad[PATH_MAX], want_zip[H1_MAX], want_mod[H1_MAX];
	char zh1[H1_MAX], mh1[H1_MAX];
	struct fetched f;
	struct err e;

	path_join(pinfo, dir, "v1.0.0.info");
	path_join(pother, dir, "other.info");
	path_join(pmod, dir, "v1.0.0.mod");
	path_join(pzip, dir, "v1.0.0.zip");
	path_join(pbad, dir, "bad.zip");
	if (write_file(pinfo, info, strlen(info)) == -1 ||
	    write_file(pother, other, strlen(other)) == -1 ||
	    write_file(pmod, gomod, strlen(gomod)) == -1 ||
	    testmod_module_zip(pzip, "example.com/m", "v1.0.0", gomod) == -1 ||
	    testmod_module_zip(pbad, "example.com/other", "v1.0.0",
	    gomod) == -1) {
		ok(0, "fetched: fixtures written");
		return;
	}
	err_clear(&e);
	ok(dirhash_zip(pzip, want_zip, &e) == 0 &&
	    dirhash_mod(gomod, strlen(gomod), want_mod, &e) == 0,
	    "fetched: dirhash of the fixtures");

	/* A good version: the h1s are dirhash's. */
	fetched_of(&f, pinfo, pmod, pzip);
	is_int(check_fetched(NULL, "example.com/m", "v1.0.0", &f, zh1, mh1,
	    &e), 0, "fetched: good version accepted");
	is_str(zh1, want_zip, "fetched: zip h1 is dirhash_zip's");
	is_str(mh1, want_mod, "fetched: mod h1 is dirhash_mod's");

	/* The .info names another version. */
	err_clear(&e);
	fetched_of(&f, pother, pmod, pzip);
	is_int(check_fetched(NULL, "example.com/m", "v1.0.0", &f, zh1, mh1,
	    &e), -1, "fetched: .info of another version refused");
	is_int(e.code, E_UPSTREAM, "fetched: as E_UPSTREAM");
	ok(strstr(e.msg, "bad file") != NULL &&
	    strstr(e.msg, "v1.0.0") != NULL, "fetched: the message says the "
	    ".info names another version");
	printf("# %s\n", e.msg);

	/* A .info naming the version that the go command cannot read: a
	 * Time it refuses, bytes after the object. */
	{
		static const char *const bad[] = {
			"{\"Version\":\"v1.0.0\",\"Time\":\"2023-02-30T00:00:00Z\"}",
			"{\"Version\":\"v1.0.0\",\"Time\":\"garbage\"}",
			"{\"Version\":\"v1.0.0\",\"Time\":5}",
			"{\"Version\":\"v1.0.0\"} trailing",
		};
		size_t i;

		for (i = 0; i < NITEMS(bad); i++) {
			err_clear(&e);
			if (write_file(pother, bad[i], strlen(bad[i])) == -1)
				ok(0, "fetched: fixture written");
			fetched_of(&f, pother, pmod, pzip);
			is_int(check_fetched(NULL, "example.com/m", "v1.0.0",
			    &f, zh1, mh1, &e), -1, bad[i]);
			is_int(e.code, E_UPSTREAM, "fetched: as E_UPSTREAM");
		}
	}

	/* A .info that is no JSON at all. */
	err_clear(&e);
	fetched_of(&f, pmod, pmod, NULL);
	is_int(check_fetched(NULL, "example.com/m", "v1.0.0", &f, zh1, mh1,
	    &e), -1, "fetched: a go.mod as .info refused");
	is_int(e.code, E_UPSTREAM, "fetched: as E_UPSTREAM");

	/* A zip whose files are under another module's prefix. */
	err_clear(&e);
	fetched_of(&f, pinfo, pmod, pbad);
	is_int(check_fetched(NULL, "example.com/m", "v1.0.0", &f, zh1, mh1,
	    &e), -1, "fetched: zip with a bad prefix refused");
	is_int(e.code, E_UPSTREAM, "fetched: as E_UPSTREAM");
	ok(strstr(e.msg, "bad module") != NULL, "fetched: \"bad module\"");
	printf("# %s\n", e.msg);
	is_str(zh1, "", "fetched: no zip h1 for a refused zip");

	/* The same zip for the module it was made for is good. */
	err_clear(&e);
	fetched_of(&f, NULL, NULL, pbad);
	is_int(check_fetched(NULL, "example.com/other", "v1.0.0", &f, zh1,
	    mh1, &e), 0, "fetched: that zip is good for its own module");

	/* What was not fetched has no h1. */
	err_clear(&e);
	fetched_of(&f, NULL, pmod, NULL);
	snprintf(zh1, sizeof(zh1), "junk");
	is_int(check_fetched(NULL, "example.com/m", "v1.0.0", &f, zh1, mh1,
	    &e), 0, "fetched: only the .mod");
	is_str(zh1, "", "fetched: zip h1 \"\" when no zip came");
	is_str(mh1, want_mod, "fetched: mod h1 still dirhash_mod's");
	fetched_of(&f, pinfo, NULL, pzip);
	snprintf(mh1, sizeof(mh1), "junk");
	is_int(check_fetched(NULL, "example.com/m", "v1.0.0", &f, zh1, mh1,
	    &e), 0, "fetched: .info and .zip only");
	is_str(mh1, "", "fetched: mod h1 \"\" when no .mod came");
	is_str(zh1, want_zip, "fetched: zip h1 dirhash_zip's");
	fetched_of(&f, NULL, NULL, NULL);
	is_int(check_fetched(NULL, "example.com/m", "v1.0.0", &f, zh1, mh1,
	    &e), 0, "fetched: nothing at all");
	ok(zh1[0] == '\0' && mh1[0] == '\0', "fetched: both h1 \"\"");
}

int
main(void)
{
	char dir[] = "/tmp/test_check.XXXXXX";

	log_init("test_check", LOG_LVL_ERROR);
	if (mkdtemp(dir) == NULL)
		return 1;
	test_info_answer();
	test_fetched(dir);
	testmod_rmrf(dir);
	return tap_done();
}

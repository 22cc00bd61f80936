/*
 * test_sumdb_base.c: where a checksum database is read from
 * (sumdb_base_choose in sumdb_base.c).
 *
 * Each case is a GOPROXY list, what each proxy answers to
 * <proxy>/sumdb/<name>/supported, the choice and the proxies asked, in
 * order.  Proxies are https://<letter>.example (file:// is "f"); answers
 * are "<letter>=<O|N|G|E|T>": 200, 404, 410, another failure (500, no
 * connection), a timeout.  The expectations are those of the go command's
 * dbClient.initBase over TryProxies (cmd/go/internal/modfetch/sumdb.go
 * and proxy.go, alike in go 1.19 and 1.26): a 200 is the base; 404/410
 * goes on; another error goes on only after "|"; "direct" reached makes
 * the direct URL win over earlier errors, "off" does not.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "piraeus.h"
#include "tap.h"

static const struct base_case {
	const char	*goproxy;
	const char	*answers;
	int		 want;		/* an index, or SUMDB_BASE_DIRECT/FAILED */
	const char	*asked;		/* the letters asked, in order */
} base_cases[] = {
	{ "https://a.example,direct", "a=O", 0, "a" },
	{ "https://a.example,direct", "a=N", SUMDB_BASE_DIRECT, "a" },
	{ "https://a.example,direct", "a=G", SUMDB_BASE_DIRECT, "a" },
	{ "https://a.example,direct", "a=E", SUMDB_BASE_FAILED, "a" },
	{ "https://a.example,direct", "a=T", SUMDB_BASE_FAILED, "a" },
	{ "https://a.example|direct", "a=E", SUMDB_BASE_DIRECT, "a" },
	{ "https://a.example", "a=N", SUMDB_BASE_DIRECT, "a" },
	{ "https://a.example", "a=E", SUMDB_BASE_FAILED, "a" },
	{ "https://a.example|https://b.example", "a=E b=N",
	  SUMDB_BASE_FAILED, "ab" },
	{ "https://a.example|https://b.example", "a=E b=O", 1, "ab" },
	{ "https://a.example,https://b.example,direct", "a=N b=O", 1, "ab" },
	{ "https://a.example,https://b.example", "a=N b=G",
	  SUMDB_BASE_DIRECT, "ab" },
	{ "https://a.example,https://b.example,direct", "a=E b=O",
	  SUMDB_BASE_FAILED, "a" },
	{ "https://a.example|https://b.example,direct", "a=O b=O", 0, "a" },
	{ "https://a.example|https://b.example|https://c.example,direct",
	  "a=E b=T c=N", SUMDB_BASE_DIRECT, "abc" },
	{ "https://a.example|https://b.example|https://c.example,off",
	  "a=E b=T c=N", SUMDB_BASE_FAILED, "abc" },
	{ "https://a.example|off", "a=E", SUMDB_BASE_FAILED, "a" },
	{ "https://a.example,off", "a=N", SUMDB_BASE_DIRECT, "a" },
	{ "direct", "", SUMDB_BASE_DIRECT, "" },
	{ "off", "", SUMDB_BASE_DIRECT, "" },
	{ "file:///srv/tree,direct", "f=N", SUMDB_BASE_DIRECT, "f" },
	{ "file:///srv/tree,direct", "f=O", 0, "f" },
	{ "https://a.example,file:///srv/tree", "a=N f=O", 1, "af" },
};

/* What the fake probe was given, and what it saw. */
struct fake {
	const char	*answers;
	const char	*name;
	char		 asked[64];
	int		 bad_url;	/* a URL the list does not hold */
};

/* The letter of a proxy URL: the host's first byte, "f" for file://. */
static char
letter(const char *url)
{
	const char *at;

	if (strncmp(url, "file://", 7) == 0)
		return 'f';
	if (strncmp(url, "https://", 8) != 0)
		return '?';
	at = strchr(url, '@');
	return at != NULL ? at[1] : url[8];
}

static int
fake_probe(void *arg, const char *url, struct err *e)
{
	struct fake *f = arg;
	char l = letter(url), want[4];
	const char *a;
	size_t n = strlen(f->asked);

	if (n + 1 < sizeof(f->asked)) {
		f->asked[n] = l;
		f->asked[n + 1] = '\0';
	}
	snprintf(want, sizeof(want), "%c=", l);
	if ((a = strstr(f->answers, want)) == NULL) {
		f->bad_url = 1;
		return err_set(e, E_INTERNAL, "unexpected probe of %s", url);
	}
	switch (a[2]) {
	case 'O':
		return 0;
	case 'N':
		return err_set(e, E_NOTFOUND, "not found upstream");
	case 'G':
		return err_set(e, E_GONE, "gone");
	case 'T':
		return err_set(e, E_TIMEOUT, "timed out");
	default:
		return err_set(e, E_UPSTREAM, "500 boom");
	}
}

static const char *
show(int choice, char *buf, size_t sz)
{
	if (choice == SUMDB_BASE_DIRECT)
		return "direct";
	if (choice == SUMDB_BASE_FAILED)
		return "failed";
	snprintf(buf, sz, "proxy %d", choice);
	return buf;
}

int
main(void)
{
	struct upstream_list l;
	struct fake f;
	struct err e;
	char name[512], got[32], want[32];
	size_t i;
	int rc;

	for (i = 0; i < NITEMS(base_cases); i++) {
		const struct base_case *c = &base_cases[i];

		err_clear(&e);
		if (upstream_parse(c->goproxy, &l, &e) == -1) {
			ok(0, c->goproxy);
			printf("#   %s\n", e.msg);
			continue;
		}
		memset(&f, 0, sizeof(f));
		f.answers = c->answers;
		rc = sumdb_base_choose(&l, "sum.test", fake_probe, &f, &e);
		snprintf(name, sizeof(name), "%s [%s]: the choice",
		    c->goproxy, c->answers);
		is_str(show(rc, got, sizeof(got)),
		    show(c->want, want, sizeof(want)), name);
		snprintf(name, sizeof(name), "%s [%s]: asked in order",
		    c->goproxy, c->answers);
		is_str(f.asked, c->asked, name);
		snprintf(name, sizeof(name), "%s [%s]: an error only when "
		    "failed", c->goproxy, c->answers);
		ok((rc == SUMDB_BASE_FAILED) == (e.code != E_OK) &&
		    !f.bad_url, name);
		upstream_free(&l);
	}

	/* The error names the proxy, its password masked, and keeps the
	 * probe's code (a timeout stays a timeout: 504). */
	err_clear(&e);
	if (upstream_parse("https://u:secret@a.example/go,direct", &l,
	    &e) == 0) {
		memset(&f, 0, sizeof(f));
		f.answers = "a=T";
		rc = sumdb_base_choose(&l, "sum.test", fake_probe, &f, &e);
		is_int(rc, SUMDB_BASE_FAILED, "a timed-out probe: failed");
		is_int(e.code, E_TIMEOUT, "with the probe's code");
		ok(strstr(e.msg, "sum.test") != NULL &&
		    strstr(e.msg, "https://u:xxxxx@a.example/go") != NULL,
		    "the message names the database and the proxy");
		ok(strstr(e.msg, "secret") == NULL, "and no password");
		upstream_free(&l);
	} else
		ok(0, "parse the list with a password");
	/* Of two failed proxies, the later one's error is told (TryProxies
	 * keeps the last proxy error). */
	err_clear(&e);
	if (upstream_parse("https://a.example|https://b.example", &l,
	    &e) == 0) {
		memset(&f, 0, sizeof(f));
		f.answers = "a=E b=T";
		rc = sumdb_base_choose(&l, "sum.test", fake_probe, &f, &e);
		is_int(rc, SUMDB_BASE_FAILED, "two failed proxies: failed");
		ok(e.code == E_TIMEOUT && strstr(e.msg, "b.example") != NULL,
		    "the second proxy's error is told");
		upstream_free(&l);
	} else
		ok(0, "parse a|b");
	return tap_done();
}

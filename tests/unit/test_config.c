/*
 * test_config.c: unit tests of config.c.
 *
 * Each case of load_cases[] writes an INI file into a temporary directory,
 * loads it with an explicit environment (the real one is never used),
 * then checks the error messages (in order, each a prefix) and the values
 * printed by config_dump.  In the strings, "%d" stands for the temporary
 * directory and "%f" for the case's INI file.  Other checks: the struct
 * fields of the defaults, a missing default file, config_dump read back,
 * the cap on messages, and that etc/piraeus.ini.sample documents every key
 * with its help line and default (compared with config_describe).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif
#define DEF_ROOT	LOCALSTATEDIR "/lib/piraeus/storage"
#define DEF_STATE	LOCALSTATEDIR "/lib/piraeus/state"
#define SAMPLE		"etc/piraeus.ini.sample"

enum mode {
	M_PATH = 0,	/* write %f, pass it as the path argument */
	M_ENV,		/* write %f, name it by PIRAEUS_CONFIG */
	M_MISSING_PATH,	/* pass %d/missing.ini as the path argument */
	M_MISSING_ENV,	/* PIRAEUS_CONFIG=%d/missing.ini */
	M_DIR,		/* pass %d (a directory) as the path argument */
	M_EMPTY_ENV	/* PIRAEUS_CONFIG= */
};

struct load_case {
	const char	*name;
	enum mode	 mode;
	const char	*ini;
	const char	*env[6];
	const char	*errs[6];	/* message prefixes, in order */
	const char	*want[16];	/* "section.key=value" of the dump */
};

static char	tmpdir[PATH_MAX];
static char	long_ini[512];	/* a line of 300 characters */
static char	edge_ini[512];	/* a line of exactly 198 characters */

#define K1	"sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
#define K2	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"

static const struct load_case load_cases[] = {
	{ "defaults from an empty file", M_PATH, "", { NULL }, { NULL },
	  { "server.base_path=", "server.sendfile=off",
	    "server.accel_prefix=/_piraeus_storage",
	    "server.home_template=", "server.log_level=info",
	    "server.list_max_age=60", "server.notfound_max_age=60",
	    "server.catalog_pagesize=1000",
	    "server.catalog_max_pagesize=10000", "server.index_limit=2000",
	    "server.index_max_limit=10000", "storage.root=" DEF_ROOT,
	    "state.dir=" DEF_STATE, "upstream.goproxy=off" } },
	{ "every key from the file", M_PATH,
	  "; a comment\n# another\n[server]\nbase_path = /go\n"
	  "sendfile = x-accel-redirect\naccel_prefix = /_st\n"
	  "home_template = %d/home.html\nlog_level = debug\n"
	  "list_max_age = 0\nnotfound_max_age = 86400\n"
	  "catalog_pagesize = 5\ncatalog_max_pagesize = 100000\n"
	  "index_limit = 1\nindex_max_limit = 7\n"
	  "[storage]\nroot = /srv/piraeus/storage/\n"
	  "[state]\ndir = //srv//piraeus/state\n"
	  "[upstream]\ngoproxy = https://proxy.golang.org,direct\n",
	  { NULL }, { NULL },
	  { "server.base_path=/go", "server.sendfile=x-accel-redirect",
	    "server.accel_prefix=/_st", "server.home_template=%d/home.html",
	    "server.log_level=debug", "server.list_max_age=0",
	    "server.notfound_max_age=86400", "server.catalog_pagesize=5",
	    "server.catalog_max_pagesize=100000", "server.index_limit=1",
	    "server.index_max_limit=7", "storage.root=/srv/piraeus/storage",
	    "state.dir=/srv/piraeus/state",
	    "upstream.goproxy=https://proxy.golang.org,direct" } },
	{ "blanks, inline comments, colon, CRLF", M_PATH,
	  "[server]\r\n  base_path = /a ; comment\r\n\tlog_level: warn\r\n"
	  "   \r\nsendfile=x-sendfile\r\n",
	  { NULL }, { NULL },
	  { "server.base_path=/a", "server.log_level=warn",
	    "server.sendfile=x-sendfile" } },
	{ "UTF-8 byte order mark", M_PATH,
	  "\xef\xbb\xbf[server]\nlog_level = warn\n", { NULL }, { NULL },
	  { "server.log_level=warn" } },
	{ "path is a FIFO", M_PATH, "[server]\nhome_template = %d/fifo\n",
	  { NULL }, { "%f: [server] home_template: %d/fifo: not a regular" },
	  { NULL } },
	{ "environment wins over the file", M_PATH,
	  "[server]\nbase_path = /a\n[storage]\nroot = /x\n",
	  { "PIRAEUS_SERVER_BASE_PATH=/b", "PIRAEUS_STORAGE_ROOT=/y/",
	    "PIRAEUS_UPSTREAM_GOPROXY=direct", "PIRAEUS_STATE_DIR=/z",
	    NULL },
	  { NULL },
	  { "server.base_path=/b", "storage.root=/y", "state.dir=/z",
	    "upstream.goproxy=direct" } },
	{ "environment may set an empty value", M_PATH,
	  "[server]\nbase_path = /a\n",
	  { "PIRAEUS_SERVER_BASE_PATH=", NULL }, { NULL },
	  { "server.base_path=" } },
	{ "first of two environment entries wins", M_PATH, "",
	  { "PIRAEUS_SERVER_LOG_LEVEL=debug",
	    "PIRAEUS_SERVER_LOG_LEVEL=error", NULL },
	  { NULL }, { "server.log_level=debug" } },
	{ "PIRAEUS_CONFIG names the file", M_ENV,
	  "[server]\nlog_level = error\n", { NULL }, { NULL },
	  { "server.log_level=error" } },
	{ "PIRAEUS_CONFIG names a missing file", M_MISSING_ENV, NULL,
	  { NULL },
	  { "%d/missing.ini: No such file or directory (named by "
	    "PIRAEUS_CONFIG)" },
	  { "server.log_level=info" } },
	{ "PIRAEUS_CONFIG is empty", M_EMPTY_ENV, NULL, { NULL },
	  { "PIRAEUS_CONFIG: empty file name" }, { NULL } },
	{ "explicit path to a missing file", M_MISSING_PATH, NULL, { NULL },
	  { "%d/missing.ini: No such file or directory" }, { NULL } },
	{ "path is a directory", M_DIR, NULL, { NULL },
	  { "%d: not a regular file" }, { NULL } },
	{ "unknown key", M_PATH, "[server]\nnope = 1\n", { NULL },
	  { "%f: [server] nope: unknown key" }, { NULL } },
	{ "unknown section", M_PATH, "[nope]\nroot = /x\n", { NULL },
	  { "%f: [nope] root: unknown section" }, { NULL } },
	{ "key is case sensitive", M_PATH, "[server]\nLog_Level = info\n",
	  { NULL }, { "%f: [server] Log_Level: unknown key" }, { NULL } },
	{ "key outside any section", M_PATH, "base_path = /go\n", { NULL },
	  { "%f: [] base_path: key outside any section" },
	  { "server.base_path=" } },
	{ "duplicate key, first value kept", M_PATH,
	  "[server]\nlog_level = warn\n[storage]\n[server]\n"
	  "log_level = debug\n",
	  { NULL }, { "%f: [server] log_level: duplicate key" },
	  { "server.log_level=warn" } },
	{ "several errors, all reported", M_PATH,
	  "[server]\nlist_max_age = abc\nsendfile = yes\n"
	  "[storage]\nroot = relative/path\n[bogus]\nx = 1\n",
	  { NULL },
	  { "%f: [server] list_max_age: \"abc\" is not an integer",
	    "%f: [server] sendfile: \"yes\" is not one of: off, x-sendfile, "
	    "x-accel-redirect",
	    "%f: [storage] root: \"relative/path\" is not an absolute path",
	    "%f: [bogus] x: unknown section" },
	  { "server.list_max_age=60", "server.sendfile=off",
	    "storage.root=" DEF_ROOT } },
	{ "int above range", M_PATH, "[server]\nlist_max_age = 86401\n",
	  { NULL },
	  { "%f: [server] list_max_age: 86401 is out of range (0 to 86400)" },
	  { NULL } },
	{ "int below range", M_PATH, "[server]\nnotfound_max_age = -1\n",
	  { NULL },
	  { "%f: [server] notfound_max_age: -1 is out of range (0 to 86400)" },
	  { NULL } },
	{ "int zero page size", M_PATH, "[server]\ncatalog_pagesize = 0\n",
	  { NULL },
	  { "%f: [server] catalog_pagesize: 0 is out of range (1 to 100000)" },
	  { NULL } },
	{ "int overflow", M_PATH,
	  "[server]\nindex_limit = 99999999999999999999999\n", { NULL },
	  { "%f: [server] index_limit: 99999999999999999999999 is out of "
	    "range" },
	  { NULL } },
	{ "int with a unit", M_PATH, "[server]\nlist_max_age = 60s\n",
	  { NULL },
	  { "%f: [server] list_max_age: \"60s\" is not an integer" },
	  { NULL } },
	{ "int with a plus sign", M_PATH, "[server]\nlist_max_age = +6\n",
	  { NULL },
	  { "%f: [server] list_max_age: \"+6\" is not an integer" },
	  { NULL } },
	{ "int empty", M_PATH, "[server]\nlist_max_age =\n", { NULL },
	  { "%f: [server] list_max_age: \"\" is not an integer" }, { NULL } },
	{ "bad log level", M_PATH, "[server]\nlog_level = verbose\n",
	  { NULL },
	  { "%f: [server] log_level: \"verbose\" is not one of: error, warn, "
	    "info, debug" },
	  { NULL } },
	{ "enum is case sensitive", M_PATH, "[server]\nsendfile = OFF\n",
	  { NULL }, { "%f: [server] sendfile: \"OFF\" is not one of" },
	  { NULL } },
	{ "base_path with a trailing slash", M_PATH,
	  "[server]\nbase_path = /go/\n", { NULL },
	  { "%f: [server] base_path: \"/go/\" ends with \"/\"" }, { NULL } },
	{ "base_path relative", M_PATH, "[server]\nbase_path = go\n",
	  { NULL },
	  { "%f: [server] base_path: \"go\" does not start with \"/\"" },
	  { NULL } },
	{ "base_path is the root", M_PATH, "[server]\nbase_path = /\n",
	  { NULL },
	  { "%f: [server] base_path: use \"\" for the site root" }, { NULL } },
	{ "base_path with a space", M_PATH, "[server]\nbase_path = /g o\n",
	  { NULL }, { "%f: [server] base_path: \"/g o\": only letters" },
	  { NULL } },
	{ "base_path with a query", M_PATH, "[server]\nbase_path = /g?x\n",
	  { NULL }, { "%f: [server] base_path: \"/g?x\": only letters" },
	  { NULL } },
	{ "base_path with an empty component", M_PATH,
	  "[server]\nbase_path = /a//b\n", { NULL },
	  { "%f: [server] base_path: \"/a//b\" has an empty" }, { NULL } },
	{ "base_path with a dot-dot", M_PATH,
	  "[server]\nbase_path = /a/../b\n", { NULL },
	  { "%f: [server] base_path: \"/a/../b\" has an empty" }, { NULL } },
	{ "base_path nested, URL-safe", M_PATH,
	  "[server]\nbase_path = /Go-mods/v1.2_x~y\n", { NULL }, { NULL },
	  { "server.base_path=/Go-mods/v1.2_x~y" } },
	{ "accel_prefix empty", M_PATH, "[server]\naccel_prefix =\n",
	  { NULL }, { "%f: [server] accel_prefix: empty" }, { NULL } },
	{ "accel_prefix relative", M_PATH, "[server]\naccel_prefix = st\n",
	  { NULL },
	  { "%f: [server] accel_prefix: \"st\" does not start with \"/\"" },
	  { NULL } },
	{ "state dir inside the storage root", M_PATH,
	  "[storage]\nroot = /srv/p\n[state]\ndir = /srv/p/state\n",
	  { NULL },
	  { "%f: [state] dir: /srv/p/state is inside the storage root "
	    "/srv/p" },
	  { NULL } },
	{ "state dir equal to the storage root", M_PATH,
	  "[storage]\nroot = /srv/p/\n[state]\ndir = /srv//p\n", { NULL },
	  { "%f: [state] dir: /srv/p is inside the storage root /srv/p" },
	  { NULL } },
	{ "state dir next to the storage root", M_PATH,
	  "[storage]\nroot = /srv/p\n[state]\ndir = /srv/pp\n", { NULL },
	  { NULL }, { "state.dir=/srv/pp" } },
	{ "default state dir inside a storage root from env", M_PATH, "",
	  { "PIRAEUS_STORAGE_ROOT=" LOCALSTATEDIR "/lib/piraeus", NULL },
	  { "PIRAEUS_STORAGE_ROOT: [storage] root: " DEF_STATE " is inside "
	    "the storage root " LOCALSTATEDIR "/lib/piraeus" },
	  { NULL } },
	{ "relative storage root", M_PATH, "[storage]\nroot = var/x\n",
	  { NULL },
	  { "%f: [storage] root: \"var/x\" is not an absolute path" },
	  { NULL } },
	{ "relative state dir", M_PATH, "[state]\ndir = .\n", { NULL },
	  { "%f: [state] dir: \".\" is not an absolute path" }, { NULL } },
	{ "empty storage root", M_PATH, "[storage]\nroot =\n", { NULL },
	  { "%f: [storage] root: \"\" is not an absolute path" }, { NULL } },
	{ "storage root with dot-dot", M_PATH,
	  "[storage]\nroot = /srv/../etc\n", { NULL },
	  { "%f: [storage] root: \"/srv/../etc\" has a \".\" or \"..\" "
	    "component" },
	  { NULL } },
	{ "storage root /", M_PATH, "[storage]\nroot = ///\n", { NULL },
	  { "%f: [storage] root: " DEF_STATE " is inside the storage root /" },
	  { "storage.root=/" } },
	{ "home_template missing", M_PATH,
	  "[server]\nhome_template = %d/missing.html\n", { NULL },
	  { "%f: [server] home_template: %d/missing.html: No such file or "
	    "directory" },
	  { "server.home_template=" } },
	{ "home_template a directory", M_PATH,
	  "[server]\nhome_template = %d/\n", { NULL },
	  { "%f: [server] home_template: %d: not a regular file" },
	  { NULL } },
	{ "home_template relative", M_PATH,
	  "[server]\nhome_template = home.html\n", { NULL },
	  { "%f: [server] home_template: \"home.html\" is not an absolute "
	    "path" },
	  { NULL } },
	{ "home_template empty is unset", M_PATH,
	  "[server]\nhome_template =\n", { NULL }, { NULL },
	  { "server.home_template=" } },
	{ "goproxy list with pipes and files", M_PATH,
	  "[upstream]\ngoproxy = https://a.example|http://b:8080/x,"
	  "file:///srv/mods,off\n",
	  { NULL }, { NULL },
	  { "upstream.goproxy=https://a.example|http://b:8080/x,"
	    "file:///srv/mods,off" } },
	/* Checked by upstream_parse, the responder's own parser. */
	{ "goproxy empty", M_PATH, "[upstream]\ngoproxy =\n", { NULL },
	  { "%f: [upstream] goproxy: empty GOPROXY list" }, { NULL } },
	{ "goproxy bad scheme", M_PATH,
	  "[upstream]\ngoproxy = ftp://x,direct\n", { NULL },
	  { "%f: [upstream] goproxy: GOPROXY entry \"ftp://x\": the scheme "
	    "must be https, http or file" },
	  { NULL } },
	{ "goproxy empty entry is skipped, as by the go command", M_PATH,
	  "[upstream]\ngoproxy = direct,,off\n", { NULL }, { NULL },
	  { "upstream.goproxy=direct,,off" } },
	{ "goproxy URL without host", M_PATH,
	  "[upstream]\ngoproxy = https://\n", { NULL },
	  { "%f: [upstream] goproxy: GOPROXY entry \"https://\": no host" },
	  { NULL } },
	{ "goproxy URL with empty host", M_PATH,
	  "[upstream]\ngoproxy = https:///x\n", { NULL },
	  { "%f: [upstream] goproxy: GOPROXY entry \"https:///x\": no host" },
	  { NULL } },
	{ "goproxy relative file URL", M_PATH,
	  "[upstream]\ngoproxy = file://mods\n", { NULL },
	  { "%f: [upstream] goproxy: GOPROXY entry \"file://mods\": a file "
	    "URL is only a path" }, { NULL } },
	{ "goproxy bare host is https://, as by the go command", M_PATH,
	  "[upstream]\ngoproxy = proxy.golang.org|direct\n", { NULL }, { NULL },
	  { "upstream.goproxy=proxy.golang.org|direct" } },
	{ "goproxy trailing comma", M_PATH, "[upstream]\ngoproxy = direct,\n",
	  { NULL }, { NULL }, { "upstream.goproxy=direct," } },
	{ "goproxy query refused at check time", M_PATH,
	  "[upstream]\ngoproxy = https://h.example?x=1\n", { NULL },
	  { "%f: [upstream] goproxy: GOPROXY entry \"https://h.example?x=1\": "
	    "a query or fragment is not allowed" }, { NULL } },
	{ "goproxy credentials over http refused at check time", M_PATH,
	  "[upstream]\ngoproxy = http://user:pw@h.example\n", { NULL },
	  { "%f: [upstream] goproxy: GOPROXY entry \"http://xxxxx@h.example\": "
	    "refusing to send credentials over http://" }, { NULL } },
	/* Accepted; the dump (check-config -v) masks the password. */
	{ "goproxy credentials over https", M_PATH,
	  "[upstream]\ngoproxy = https://user:pw@h.example\n", { NULL },
	  { NULL }, { "upstream.goproxy=https://user:xxxxx@h.example" } },
	{ "catalog page size above its maximum", M_PATH,
	  "[server]\ncatalog_pagesize = 20000\n", { NULL },
	  { "%f: [server] catalog_pagesize: 20000 is more than "
	    "catalog_max_pagesize 10000" },
	  { NULL } },
	{ "index maximum below the default limit", M_PATH,
	  "[server]\nindex_max_limit = 10\n", { NULL },
	  { "%f: [server] index_max_limit: 2000 is more than "
	    "index_max_limit 10" },
	  { NULL } },
	{ "syntax errors: the first is reported, parsing goes on", M_PATH,
	  "[server]\nbase_path = /a\njunk\n[storage\nlog_level = x\n",
	  { NULL },
	  { "%f: [server] log_level: \"x\" is not one of",
	    "%f:3: syntax error" },
	  { "server.base_path=/a" } },
	{ "no multi-line continuation", M_PATH,
	  "[server]\nbase_path = /a\n   /b\n", { NULL },
	  { "%f:3: syntax error" }, { "server.base_path=/a" } },
	{ "line too long", M_PATH, long_ini, { NULL },
	  { "%f:2: line too long (more than 197 characters)" },
	  { "server.log_level=debug" } },
	{ "line of 198 characters", M_PATH, edge_ini, { NULL }, { NULL },
	  { "server.log_level=debug" } },
	{ "unknown environment key", M_PATH, "",
	  { "PIRAEUS_SERVER_NOPE=1", "PIRAEUS_STATE_DIRECTORY=/x", NULL },
	  { "PIRAEUS_SERVER_NOPE: [server] nope: unknown key",
	    "PIRAEUS_STATE_DIRECTORY: [state] directory: unknown key" },
	  { NULL } },
	{ "bad environment values", M_PATH,
	  "[server]\nlist_max_age = 5\n",
	  { "PIRAEUS_SERVER_LIST_MAX_AGE=x", "PIRAEUS_SERVER_BASE_PATH=/a\nb",
	    NULL },
	  { "PIRAEUS_SERVER_LIST_MAX_AGE: [server] list_max_age: \"x\" is "
	    "not an integer",
	    "PIRAEUS_SERVER_BASE_PATH: [server] base_path: control "
	    "character" },
	  { "server.list_max_age=5" } },
	{ "sumdb databases: the key repeated", M_PATH,
	  "[sumdb]\ndatabases = " K1 " https://a.example\n"
	  "databases = " K2 " http://b.example/sumdb/b/\n", { NULL }, { NULL },
	  { "sumdb.databases=" K1 " https://a.example;" K2
	    " http://b.example/sumdb/b/" } },
	{ "sumdb databases: \";\" in the environment", M_PATH, "",
	  { "PIRAEUS_SUMDB_DATABASES=" K1 " https://a.example; " K2
	    " https://b.example", NULL }, { NULL },
	  { "sumdb.databases=" K1 " https://a.example; " K2
	    " https://b.example" } },
	{ "sumdb databases: a key whose hash is wrong", M_PATH,
	  "[sumdb]\ndatabases = sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9"
	  "SxEdh+s3Ux18htTTAD8OuAn8 https://sum.golang.org\n", { NULL },
	  { "%f: [sumdb] databases: " }, { NULL } },
	{ "sumdb databases: not http", M_PATH,
	  "[sumdb]\ndatabases = " K1 " ftp://sum.golang.org\n", { NULL },
	  { "%f: [sumdb] databases: sum.golang.org: URL \"ftp://sum.golang.org\" "
	    "is not http(s)" }, { NULL } },
	{ "sumdb databases: no URL", M_PATH,
	  "[sumdb]\ndatabases = " K1 "\n", { NULL },
	  { "%f: [sumdb] databases: \"" K1 "\": want" }, { NULL } },
	{ "sumdb databases: one name twice", M_PATH,
	  "[sumdb]\ndatabases = " K1 " https://a.example\n"
	  "databases = " K1 " https://b.example\n", { NULL },
	  { "%f: [sumdb] databases: database sum.golang.org named twice" },
	  { NULL } },
	{ "sumdb verify needs a database", M_PATH,
	  "[sumdb]\ndatabases =\n", { NULL },
	  { "%f: [sumdb] databases: verify needs a database" }, { NULL } },
	{ "sumdb without databases and without verifying", M_PATH,
	  "[sumdb]\ndatabases =\nverify = no\n", { NULL }, { NULL },
	  { "sumdb.databases=", "sumdb.verify=no" } },
	{ "sumdb private key missing", M_PATH,
	  "[sumdb]\nprivate_key = %d/missing.key\n", { NULL },
	  { "%f: [sumdb] private_key: %d/missing.key: No such file" },
	  { NULL } },
	{ "bad value in both file and environment", M_PATH,
	  "[server]\nsendfile = on\n", { "PIRAEUS_SERVER_SENDFILE=1", NULL },
	  { "%f: [server] sendfile: \"on\" is not one of",
	    "PIRAEUS_SERVER_SENDFILE: [server] sendfile: \"1\" is not one of" },
	  { "server.sendfile=off" } },
};

/* Copy in with "%d" and "%f" replaced; the result is allocated. */
static char *
subst(const char *in, const char *file)
{
	char *out;
	size_t n = 0, cap, len;
	const char *rep;

	cap = strlen(in) * 2 + strlen(tmpdir) * 8 + 256;
	out = xmalloc(cap);
	for (; *in != '\0'; in++) {
		rep = NULL;
		if (in[0] == '%' && in[1] == 'd')
			rep = tmpdir;
		else if (in[0] == '%' && in[1] == 'f')
			rep = file;
		if (rep != NULL) {
			len = strlen(rep);
			if (n + len >= cap)
				break;
			memcpy(out + n, rep, len);
			n += len;
			in++;
			continue;
		}
		if (n + 1 >= cap)
			break;
		out[n++] = *in;
	}
	out[n] = '\0';
	return out;
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		fatal("fopen %s", path);
	fputs(text, fp);
	if (fclose(fp) != 0)
		fatal("fclose %s", path);
}

/* config_dump of cfg as one allocated string. */
static char *
dump_text(const struct config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	if ((fp = open_memstream(&text, &len)) == NULL)
		fatal("open_memstream");
	config_dump(cfg, fp);
	fclose(fp);
	return text;
}

static char *
describe_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	if ((fp = open_memstream(&text, &len)) == NULL)
		fatal("open_memstream");
	config_describe(fp);
	fclose(fp);
	return text;
}

/* The value of [section] key in a config_dump text, allocated; or NULL. */
static char *
dump_get(const char *text, const char *section, const char *key)
{
	const char *line, *end, *cur = "";
	size_t curlen = 0, klen = strlen(key);

	for (line = text; *line != '\0'; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		if (*line == '[') {
			cur = line + 1;
			curlen = strcspn(cur, "]");
			continue;
		}
		if (curlen != strlen(section) ||
		    strncmp(cur, section, curlen) != 0)
			continue;
		if (strncmp(line, key, klen) != 0 ||
		    strncmp(line + klen, " =", 2) != 0)
			continue;
		line += klen + 2;
		if (*line == ' ')
			line++;
		return xstrndup(line, (size_t)(end - line));
	}
	return NULL;
}

/* Check one "section.key=value" (after substitution) against a dump. */
static void
check_want(const char *dump, const char *want, const char *casename)
{
	char section[64], key[64], name[256], *got;
	const char *dot, *eq;

	dot = strchr(want, '.');
	eq = strchr(want, '=');
	if (dot == NULL || eq == NULL || eq < dot ||
	    (size_t)(dot - want) >= sizeof(section) ||
	    (size_t)(eq - dot) >= sizeof(key)) {
		ok(0, "malformed want");
		return;
	}
	memcpy(section, want, (size_t)(dot - want));
	section[dot - want] = '\0';
	memcpy(key, dot + 1, (size_t)(eq - dot - 1));
	key[eq - dot - 1] = '\0';
	snprintf(name, sizeof(name), "%s: [%s] %s", casename, section, key);
	got = dump_get(dump, section, key);
	is_str(got, eq + 1, name);
	free(got);
}

static void
run_case(const struct load_case *c)
{
	struct config cfg;
	struct config_errors errs = { NULL, 0 };
	char file[PATH_MAX + 32], name[256], *envp[16], *want, *dump;
	const char *path = NULL;
	size_t i, nenv = 0, nerr;
	int rc;

	snprintf(file, sizeof(file), "%s/case.ini", tmpdir);
	if (c->ini != NULL) {
		want = subst(c->ini, file);
		write_file(file, want);
		free(want);
	}
	/* Present in every case, and to be ignored. */
	envp[nenv++] = xstrdup("HOME=/nonexistent");
	envp[nenv++] = xstrdup("PIRAEUS=1");
	envp[nenv++] = xstrdup("PIRAEUS_X_Y=1");
	envp[nenv++] = xstrdup("PIRAEUS_SERVERX=1");
	switch (c->mode) {
	case M_PATH:
		path = file;
		break;
	case M_EMPTY_ENV:
		envp[nenv++] = xstrdup("PIRAEUS_CONFIG=");
		break;
	case M_ENV:
		envp[nenv++] = subst("PIRAEUS_CONFIG=%f", file);
		break;
	case M_MISSING_PATH:
		path = "%d/missing.ini";
		break;
	case M_MISSING_ENV:
		envp[nenv++] = subst("PIRAEUS_CONFIG=%d/missing.ini", file);
		break;
	case M_DIR:
		path = "%d";
		break;
	}
	for (i = 0; c->env[i] != NULL; i++)
		envp[nenv++] = subst(c->env[i], file);
	envp[nenv] = NULL;

	want = path != NULL ? subst(path, file) : NULL;
	rc = config_load(&cfg, want, envp, &errs);
	free(want);

	for (nerr = 0; c->errs[nerr] != NULL; nerr++)
		continue;
	snprintf(name, sizeof(name), "%s: return value", c->name);
	is_int(rc, nerr == 0 ? 0 : -1, name);
	snprintf(name, sizeof(name), "%s: number of errors", c->name);
	is_int(errs.n, nerr, name);
	for (i = 0; c->errs[i] != NULL; i++) {
		want = subst(c->errs[i], file);
		snprintf(name, sizeof(name), "%s: message %zu", c->name, i);
		if (i < errs.n) {
			if (!ok(strncmp(errs.msgs[i], want, strlen(want)) == 0,
			    name))
				printf("#   got: '%s'\n#   expected prefix: "
				    "'%s'\n", errs.msgs[i], want);
		} else
			ok(0, name);
		free(want);
	}
	for (i = nerr; i < errs.n; i++)
		printf("#   extra message: '%s'\n", errs.msgs[i]);

	dump = dump_text(&cfg);
	for (i = 0; c->want[i] != NULL; i++) {
		want = subst(c->want[i], file);
		check_want(dump, want, c->name);
		free(want);
	}
	free(dump);

	config_free(&cfg);
	config_errors_free(&errs);
	for (i = 0; i < nenv; i++)
		free(envp[i]);
}

/* The defaults, read from the struct itself rather than the dump. */
static void
test_default_fields(void)
{
	struct config cfg;
	struct config_errors errs = { NULL, 0 };
	char file[PATH_MAX + 32];
	char *envp[] = { NULL };

	snprintf(file, sizeof(file), "%s/empty.ini", tmpdir);
	write_file(file, "");
	is_int(config_load(&cfg, file, envp, &errs), 0, "fields: load");
	is_str(cfg.file, file, "fields: file");
	is_str(cfg.base_path, "", "fields: base_path");
	is_int(cfg.sendfile, SENDFILE_OFF, "fields: sendfile");
	is_str(cfg.accel_prefix, "/_piraeus_storage", "fields: accel_prefix");
	ok(cfg.home_template == NULL, "fields: home_template unset");
	is_int(cfg.log_level, LOG_LVL_INFO, "fields: log_level");
	is_int(cfg.list_max_age, 60, "fields: list_max_age");
	is_int(cfg.notfound_max_age, 60, "fields: notfound_max_age");
	is_int(cfg.catalog_pagesize, 1000, "fields: catalog_pagesize");
	is_int(cfg.catalog_max_pagesize, 10000,
	    "fields: catalog_max_pagesize");
	is_int(cfg.index_limit, 2000, "fields: index_limit");
	is_int(cfg.index_max_limit, 10000, "fields: index_max_limit");
	is_str(cfg.storage_root, DEF_ROOT, "fields: storage_root");
	is_str(cfg.state_dir, DEF_STATE, "fields: state_dir");
	is_str(cfg.upstream_goproxy, "off", "fields: upstream_goproxy");
	is_str(cfg.cache_list, "public, max-age=60", "fields: cache_list");
	is_str(cfg.cache_notfound, "public, max-age=60",
	    "fields: cache_notfound");
	is_str(cfg.cache_sumdb, "public, max-age=60", "fields: cache_sumdb");
	config_free(&cfg);
	ok(cfg.file == NULL && cfg.storage_root == NULL &&
	    cfg.base_path == NULL, "fields: config_free clears the pointers");
	config_free(&cfg);
	ok(1, "fields: config_free twice");
	config_errors_free(&errs);
	unlink(file);

	/* Enumerations and numbers as the struct holds them. */
	snprintf(file, sizeof(file), "%s/enums.ini", tmpdir);
	write_file(file, "[server]\nsendfile = x-accel-redirect\n"
	    "log_level = error\nlist_max_age = 86400\n");
	is_int(config_load(&cfg, file, envp, &errs), 0, "fields: enums load");
	is_int(cfg.sendfile, SENDFILE_X_ACCEL, "fields: sendfile x-accel");
	is_int(cfg.log_level, LOG_LVL_ERROR, "fields: log_level error");
	is_int(cfg.list_max_age, 86400, "fields: list_max_age 86400");
	config_free(&cfg);
	config_errors_free(&errs);
	unlink(file);

	/* The Cache-Control values follow the max-ages, from file and env. */
	snprintf(file, sizeof(file), "%s/cache.ini", tmpdir);
	write_file(file, "[server]\nlist_max_age = 86400\n"
	    "notfound_max_age = 0\n[sumdb]\ncache_ttl = 5\n");
	{
		char var[] = "PIRAEUS_SERVER_LIST_MAX_AGE=7";
		char *cenv[] = { var, NULL };

		is_int(config_load(&cfg, file, cenv, &errs), 0,
		    "fields: cache load");
	}
	is_str(cfg.cache_list, "public, max-age=7", "fields: cache_list env");
	is_str(cfg.cache_notfound, "public, max-age=0",
	    "fields: cache_notfound 0");
	is_str(cfg.cache_sumdb, "public, max-age=5", "fields: cache_sumdb 5");
	config_free(&cfg);
	config_errors_free(&errs);
	unlink(file);
}

/* No file named and the default file absent: defaults, no error. */
static void
test_missing_default(void)
{
	struct config cfg;
	struct config_errors errs = { NULL, 0 };
	char *envp[] = { NULL }, name[PATH_MAX + 64];

	ok(strcmp(config_default_path() + strlen(config_default_path()) -
	    strlen("/piraeus/piraeus.ini"), "/piraeus/piraeus.ini") == 0,
	    "default path ends with /piraeus/piraeus.ini");
	if (access(config_default_path(), F_OK) == 0 || errno != ENOENT) {
		snprintf(name, sizeof(name), "missing default file # SKIP %s "
		    "exists", config_default_path());
		ok(1, name);
		return;
	}
	is_int(config_load(&cfg, NULL, envp, &errs), 0,
	    "missing default file: no error");
	ok(cfg.file == NULL, "missing default file: file is NULL");
	is_str(cfg.storage_root, DEF_ROOT, "missing default file: defaults");
	config_free(&cfg);
	config_errors_free(&errs);
}

/* What config_dump prints loads back to the same configuration. */
static void
test_dump_reload(void)
{
	struct config cfg;
	struct config_errors errs = { NULL, 0 };
	char file[PATH_MAX + 32], *envp[] = { NULL }, *a, *b;

	snprintf(file, sizeof(file), "%s/dump.ini", tmpdir);
	write_file(file, "[server]\nbase_path = /go\nlog_level = warn\n"
	    "index_limit = 3\n[upstream]\ngoproxy = direct\n");
	is_int(config_load(&cfg, file, envp, &errs), 0, "dump: first load");
	a = dump_text(&cfg);
	config_free(&cfg);
	write_file(file, a);
	is_int(config_load(&cfg, file, envp, &errs), 0, "dump: reload");
	b = dump_text(&cfg);
	is_str(b, a, "dump: same text after reload");
	ok(strncmp(a, "[server]\nbase_path = /go\nsendfile = off\n",
	    strlen("[server]\nbase_path = /go\nsendfile = off\n")) == 0,
	    "dump: starts with [server] and its keys");
	free(a);
	free(b);
	config_free(&cfg);
	config_errors_free(&errs);
	unlink(file);
}

/* A file full of errors: the messages stop at a cap, with a last word. */
static void
test_error_cap(void)
{
	struct config cfg;
	struct config_errors errs = { NULL, 0 };
	char file[PATH_MAX + 32], *envp[] = { NULL };
	FILE *fp;
	int i;

	snprintf(file, sizeof(file), "%s/many.ini", tmpdir);
	if ((fp = fopen(file, "w")) == NULL)
		fatal("fopen %s", file);
	fputs("[server]\n", fp);
	for (i = 0; i < 500; i++)
		fprintf(fp, "k%d = 1\n", i);
	fclose(fp);
	is_int(config_load(&cfg, file, envp, &errs), -1, "cap: fails");
	is_int(errs.n, 101, "cap: 100 messages and a last one");
	is_str(errs.n > 0 ? errs.msgs[errs.n - 1] : NULL,
	    "too many configuration errors; the rest are not shown",
	    "cap: last message");
	config_free(&cfg);
	config_errors_free(&errs);
	unlink(file);
}

/* Read a whole small file; NULL when it cannot be opened. */
static char *
slurp(const char *path)
{
	struct buf b;
	struct err e = { E_OK, "" };

	if (buf_read_file(&b, path, 1024 * 1024, &e) == -1)
		return NULL;
	return b.data;
}

/*
 * Is line (len bytes) a line of section in text?  With prefix, is it the
 * start of one?
 */
static int
text_has(const char *text, const char *section, const char *line,
    size_t len, int prefix)
{
	const char *l, *end, *cur = "";
	size_t curlen = 0;

	for (l = text; *l != '\0'; l = *end ? end + 1 : end) {
		end = l + strcspn(l, "\n");
		if (*l == '[') {
			cur = l + 1;
			curlen = strcspn(cur, "]");
			continue;
		}
		if (curlen == strlen(section) &&
		    strncmp(cur, section, curlen) == 0 &&
		    ((size_t)(end - l) == len || (prefix &&
		    (size_t)(end - l) > len)) && strncmp(l, line, len) == 0)
			return 1;
	}
	return 0;
}

/*
 * Every key's help line and ";key = default" line of config_describe is in
 * the sample, in the same section (the compiled LOCALSTATEDIR written as
 * /var there); every key line of the sample is a real key; and the sample
 * loads with no error.
 */
/* The number of "key = value" lines config_dump prints for the defaults. */
static int
dump_keys(void)
{
	char *const envp[] = { NULL };
	struct config_errors errs = { NULL, 0 };
	struct config cfg;
	char *text = NULL, *p;
	size_t len = 0;
	FILE *f;
	int n = 0;

	memset(&cfg, 0, sizeof(cfg));
	config_load(&cfg, "/dev/null/none", envp, &errs);
	config_errors_free(&errs);
	if ((f = open_memstream(&text, &len)) == NULL)
		return -1;
	config_dump(&cfg, f);
	fclose(f);
	/* Key lines start with a lower-case letter: "key = value". */
	for (p = text; p != NULL && *p != '\0'; p++)
		if ((p == text || p[-1] == '\n') && *p >= 'a' && *p <= 'z')
			n++;
	free(text);
	config_free(&cfg);
	return n;
}

static void
test_sample(void)
{
	struct config cfg;
	struct config_errors errs = { NULL, 0 };
	static const char *fallbacks[] = {
		"../../" SAMPLE, "../" SAMPLE, SAMPLE,
	};
	char path[PATH_MAX], name[256], fixed[1024], *sample, *desc;
	char section[64], *envp[] = { NULL };
	const char *top, *l, *end, *p;
	size_t i, len, n, nkeys = 0;

	sample = NULL;
	if ((top = getenv("top_srcdir")) != NULL) {
		snprintf(path, sizeof(path), "%s/" SAMPLE, top);
		sample = slurp(path);
	}
	for (i = 0; sample == NULL &&
	    i < NITEMS(fallbacks); i++) {
		snprintf(path, sizeof(path), "%s", fallbacks[i]);
		sample = slurp(path);
	}
	if (!ok(sample != NULL, "sample: found " SAMPLE))
		return;

	desc = describe_text();
	section[0] = '\0';
	for (l = desc; *l != '\0'; l = *end ? end + 1 : end) {
		end = l + strcspn(l, "\n");
		len = (size_t)(end - l);
		if (*l == '[') {
			n = strcspn(l + 1, "]");
			if (n >= sizeof(section))
				n = sizeof(section) - 1;
			memcpy(section, l + 1, n);
			section[n] = '\0';
			continue;
		}
		if (len == 0)
			continue;
		/* The compiled LOCALSTATEDIR is /var in the sample. */
		p = strstr(l, " = " LOCALSTATEDIR "/");
		if (p != NULL && p < end) {
			p += strlen(" = " LOCALSTATEDIR);
			snprintf(fixed, sizeof(fixed), "%.*s = /var%.*s",
			    (int)(strstr(l, " = ") - l), l, (int)(end - p), p);
			l = fixed;
			len = strlen(fixed);
		}
		if (l[0] == ';' && l[1] != ' ')
			nkeys++;
		snprintf(name, sizeof(name), "sample: [%s] has '%.*s'",
		    section, (int)len, l);
		ok(text_has(sample, section, l, len, 0), name);
	}
	ok(nkeys > 0 && (int)nkeys == dump_keys(),
	    "sample: config_describe lists every key config_dump prints");

	/* The other way: each key line of the sample is a real key. */
	section[0] = '\0';
	for (l = sample; *l != '\0'; l = *end ? end + 1 : end) {
		end = l + strcspn(l, "\n");
		if (*l == '[') {
			n = strcspn(l + 1, "]");
			if (n >= sizeof(section))
				n = sizeof(section) - 1;
			memcpy(section, l + 1, n);
			section[n] = '\0';
			continue;
		}
		if (*l == ';')
			l++;
		n = strspn(l, "abcdefghijklmnopqrstuvwxyz_");
		if (n == 0 || n >= 64 || l + n > end ||
		    strncmp(l + n, " =", 2) != 0)
			continue;
		snprintf(name, sizeof(name), "sample: [%s] %.*s is a key",
		    section, (int)n, l);
		snprintf(fixed, sizeof(fixed), ";%.*s =", (int)n, l);
		ok(text_has(desc, section, fixed, strlen(fixed), 1), name);
	}
	free(desc);

	is_int(config_load(&cfg, path, envp, &errs), 0,
	    "sample: loads with no error");
	for (i = 0; i < errs.n; i++)
		printf("#   %s\n", errs.msgs[i]);
	config_free(&cfg);
	config_errors_free(&errs);
	free(sample);
}

int
main(void)
{
	const char *t;
	char file[PATH_MAX + 32];
	size_t i;
	int n;

	t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_config.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		fatal("mkdtemp %s", tmpdir);
	snprintf(file, sizeof(file), "%s/home.html", tmpdir);
	write_file(file, "<html></html>\n");
	snprintf(file, sizeof(file), "%s/fifo", tmpdir);
	if (mkfifo(file, 0600) == -1)
		fatal("mkfifo %s", file);

	/* inih's buffer is 200 bytes: 197 characters, CR, LF, NUL. */
	n = snprintf(long_ini, sizeof(long_ini), "[server]\n;");
	memset(long_ini + n, 'x', 300);
	snprintf(long_ini + n + 300, sizeof(long_ini) - n - 300,
	    "\nlog_level = debug\n");
	n = snprintf(edge_ini, sizeof(edge_ini), "[server]\n;");
	memset(edge_ini + n, 'x', 197);
	snprintf(edge_ini + n + 197, sizeof(edge_ini) - n - 197,
	    "\nlog_level = debug\n");

	for (i = 0; i < NITEMS(load_cases); i++)
		run_case(&load_cases[i]);
	test_default_fields();
	test_missing_default();
	test_dump_reload();
	test_error_cap();
	test_sample();

	snprintf(file, sizeof(file), "%s/fifo", tmpdir);
	unlink(file);
	snprintf(file, sizeof(file), "%s/home.html", tmpdir);
	unlink(file);
	snprintf(file, sizeof(file), "%s/case.ini", tmpdir);
	unlink(file);
	if (rmdir(tmpdir) == -1)
		printf("# rmdir %s: %s\n", tmpdir, strerror(errno));
	return tap_done();
}

/*
 * test_direct.c: the direct upstream (fetch_direct.c) against the real go
 * command and a local git repository, with no network.
 *
 * The fixture is github.com/fixture/direct, rewritten to a git repository
 * in a temporary directory by a GIT_CONFIG_GLOBAL insteadOf rule (as
 * tests/lib/fixtures.sh does): tags v1.0.0 and v1.1.0 and an untagged
 * commit on main, with fixed identities and dates, so every version, hash
 * and pseudo-version below is known in advance (they were computed once
 * with go 1.19 "go mod download -json").  Fake go commands (shell
 * scripts) check the error mapping, the environment, the timeout (the
 * whole process group killed, nothing left) and the worker slots.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

#define FIXMOD		"github.com/fixture/direct"
#define FIX_ZIP_H1_100	"h1:0GgJ5K9+QQVMixZ7V+0Em0dqHrB3AUufuq5s5gZC18s="
#define FIX_ZIP_H1_110	"h1:8w1yE8ZWdBTvjNTdj5K05O240hKia9Trml3EU55wcpo="
#define FIX_ZIP_H1_MAIN	"h1:F8lyqDtYE4hRhjb+7ePajZu5DwaByRtPYl+roLzBa98="
#define FIX_PSEUDO	"v1.1.1-0.20230303120000-fc2bc440317d"
#define FIX_MOD		"module github.com/fixture/direct\n\ngo 1.16\n"
#define CMD_MAX		(PATH_MAX * 4)

static char tmp[1024];		/* the temporary directory */
/* The go command of the tests against the real one: PIRAEUS_TEST_GO, else
 * PIRAEUS_TEST_GO_DEBIAN or Debian's 1.19, else the current release at /usr/local/go, else "go" on
 * PATH (tests/cgi/t0110-direct-go.t runs this program once per go). */
static const char *real_go = "go";

/* The fixture repository, built by sh with the directory as $1. */
static const char *fixture_sh[] = {
	"set -e",
	"T=$1",
	"g=$T/git/fixture/direct",
	"GIT_AUTHOR_NAME='Fixture Author'",
	"GIT_AUTHOR_EMAIL=author@fixture.invalid",
	"GIT_COMMITTER_NAME='Fixture Committer'",
	"GIT_COMMITTER_EMAIL=committer@fixture.invalid",
	"GIT_CONFIG_GLOBAL=$T/gitconfig",
	"GIT_CONFIG_NOSYSTEM=1",
	"export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME",
	"export GIT_COMMITTER_EMAIL GIT_CONFIG_GLOBAL GIT_CONFIG_NOSYSTEM",
	"mkdir -p \"$g\" \"$T/store\" \"$T/state\"",
	"cat >\"$T/gitconfig\" <<EOF",
	"[url \"file://$T/git/\"]",
	"\tinsteadOf = https://github.com/",
	"[protocol \"file\"]",
	"\tallow = always",
	"[init]",
	"\tdefaultBranch = main",
	"[safe]",
	"\tdirectory = *",
	"EOF",
	"git init -q -b main \"$g\"",
	"printf 'module github.com/fixture/direct\\n\\ngo 1.16\\n' "
	    ">\"$g/go.mod\"",
	"w() {",
	"\tprintf '// Package direct is a piraeus test fixture.\\n"
	    "package direct\\n\\n' >\"$g/direct.go\"",
	"\tprintf 'func What() string { return \"%s\" }\\n' \"$1\" "
	    ">>\"$g/direct.go\"",
	"}",
	"c() {",
	"\tGIT_AUTHOR_DATE=\"2023-03-$1T12:00:00Z\"",
	"\tGIT_COMMITTER_DATE=\"2023-03-$1T12:00:00Z\"",
	"\texport GIT_AUTHOR_DATE GIT_COMMITTER_DATE",
	"\tgit -C \"$g\" add -A",
	"\tgit -C \"$g\" commit -q -m \"$2\"",
	"}",
	"w v1.0.0; c 01 v1.0.0; git -C \"$g\" tag v1.0.0",
	"w v1.1.0; c 02 v1.1.0; git -C \"$g\" tag v1.1.0",
	"w untagged; c 03 untagged",
	NULL
};

static int
run(const char *fmt, ...) PIRAEUS_ATTR_PRINTF(1, 2);

static int
run(const char *fmt, ...)
{
	char cmd[CMD_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	return system(cmd);
}

static int
write_file(const char *path, const char *const *lines, const char *text,
    mode_t mode)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	for (; lines != NULL && *lines != NULL; lines++)
		fprintf(f, "%s\n", *lines);
	if (text != NULL)
		fputs(text, f);
	if (fclose(f) != 0)
		return -1;
	return chmod(path, mode);
}

/* Unlink and free what a fetch left (fetched_free belongs to fetch.c). */
static void
clean(struct fetched *f)
{
	char **p[3] = { &f->info, &f->mod, &f->zip };
	int i;

	for (i = 0; i < 3; i++) {
		if (*p[i] != NULL)
			unlink(*p[i]);
		free(*p[i]);
		*p[i] = NULL;
	}
}

static int
count_tmp(const struct store *st)
{
	struct dirent *d;
	DIR *dir;
	int n = 0;

	if ((dir = opendir(st->tmp)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((d = readdir(dir)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			n++;
	closedir(dir);
	return n;
}

static int
file_is(const char *path, const char *want)
{
	struct buf b;
	struct err e;
	int same;

	err_clear(&e);
	if (path == NULL || buf_read_file(&b, path, 1 << 20, &e) == -1)
		return 0;
	same = b.len == strlen(want) && memcmp(b.data, want, b.len) == 0;
	buf_free(&b);
	return same;
}

static int
file_starts(const char *path, const char *want)
{
	struct buf b;
	struct err e;
	int same;

	err_clear(&e);
	if (path == NULL || buf_read_file(&b, path, 1 << 20, &e) == -1)
		return 0;
	same = b.len >= strlen(want) && memcmp(b.data, want, strlen(want)) == 0;
	buf_free(&b);
	return same;
}

/* 1 when line (a whole line) is in the file. */
static int
file_has_line(const char *path, const char *line)
{
	struct buf b;
	struct err e;
	const char *p;
	size_t len = strlen(line);
	int found = 0;

	err_clear(&e);
	if (buf_read_file(&b, path, 1 << 20, &e) == -1)
		return 0;
	for (p = b.data; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, line, len) == 0 &&
		    (p[len] == '\n' || p[len] == '\0')) {
			found = 1;
			break;
		}
	}
	buf_free(&b);
	return found;
}

/* 1 when some line of the file starts with prefix. */
static int
file_has_prefix(const char *path, const char *prefix)
{
	struct buf b;
	struct err e;
	const char *p;
	int found = 0;

	err_clear(&e);
	if (buf_read_file(&b, path, 1 << 20, &e) == -1)
		return 0;
	for (p = b.data; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			found = 1;
			break;
		}
	}
	buf_free(&b);
	return found;
}

/*
 * From /proc/PID/stat: the state letter into *state and the process
 * group; -1 when there is no such process.
 */
static long
proc_stat(long pid, char *state)
{
	char path[64];
	const char *p;
	struct buf b;
	struct err e;
	char *end;
	long pgrp;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	err_clear(&e);
	if (buf_read_file(&b, path, 4096, &e) == -1)
		return -1;
	/* "pid (comm) S ppid pgrp ...": comm may hold anything. */
	if ((p = strrchr(b.data, ')')) == NULL || p[1] != ' ' ||
	    p[2] == '\0') {
		buf_free(&b);
		return -1;
	}
	*state = p[2];
	p += 3;
	strtol(p, &end, 10);			/* ppid */
	pgrp = strtol(end, &end, 10);
	buf_free(&b);
	return pgrp;
}

/* 1 when pid is not running: no such process, or a zombie. */
static int
pid_gone(long pid)
{
	char state = '?';

	if (pid <= 0)
		return 0;
	if (proc_stat(pid, &state) == -1)
		return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
	return state == 'Z' || state == 'X';
}

/* How many running (not zombie) processes are in process group pgrp. */
static int
group_alive(long pgrp)
{
	struct dirent *d;
	DIR *dir;
	char state, *end;
	long pid;
	int n = 0;

	if ((dir = opendir("/proc")) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		pid = strtol(d->d_name, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		if (proc_stat(pid, &state) == pgrp && state != 'Z' &&
		    state != 'X')
			n++;
	}
	closedir(dir);
	return n;
}

static void
base_config(struct config *cfg, const char *go)
{
	static char state[PATH_MAX], gitconfig[PATH_MAX];

	memset(cfg, 0, sizeof(*cfg));
	snprintf(state, sizeof(state), "%s/state", tmp);
	snprintf(gitconfig, sizeof(gitconfig), "%s/gitconfig", tmp);
	cfg->state_dir = state;
	cfg->gitconfig = gitconfig;
	cfg->go_binary = (char *)(uintptr_t)go;
	cfg->direct_timeout = 120;
	cfg->direct_workers = 4;
	cfg->max_zip_size = ZIP_MAX;
	cfg->goprivate = (char *)(uintptr_t)"";
}

/* Queries against the real go and the fixture, and what they resolve to. */
static const struct good_case {
	const char	*query;
	const char	*version;
	const char	*zip_h1;
} good_cases[] = {
	{ "v1.0.0", "v1.0.0", FIX_ZIP_H1_100 },
	{ "main", FIX_PSEUDO, FIX_ZIP_H1_MAIN },
	{ "v1.1", "v1.1.0", FIX_ZIP_H1_110 },
	{ "3f6a08d0b149", "v1.0.0", FIX_ZIP_H1_100 },	/* v1.0.0's commit */
	{ "latest", "v1.1.0", FIX_ZIP_H1_110 },
};

static void
test_good(const struct store *st)
{
	struct config cfg;
	struct fetched f;
	struct err e;
	char h1[H1_MAX], want[64], a[SHA256_HEX], b[SHA256_HEX];
	char cached[PATH_MAX * 2], name[128];
	size_t i;
	int rc;

	base_config(&cfg, real_go);
	for (i = 0; i < NITEMS(good_cases); i++) {
		const struct good_case *c = &good_cases[i];

		err_clear(&e);
		rc = fetch_direct(&cfg, st, FIXMOD, c->query, &f, &e);
		snprintf(name, sizeof(name), "fetch %s", c->query);
		if (!ok(rc == 0, name)) {
			printf("#   %s: %s\n", err_name(e.code), e.msg);
			continue;
		}
		snprintf(name, sizeof(name), "%s resolves to %s", c->query,
		    c->version);
		is_str(f.version, c->version, name);
		ok(f.info != NULL && f.mod != NULL && f.zip != NULL &&
		    strncmp(f.zip, st->tmp, strlen(st->tmp)) == 0 &&
		    access(f.info, R_OK) == 0 && access(f.mod, R_OK) == 0 &&
		    access(f.zip, R_OK) == 0,
		    "three temporary files in the store's .tmp");
		ok(file_is(f.mod, FIX_MOD), "go.mod copied");
		snprintf(want, sizeof(want), "{\"Version\":\"%s\",\"Time\":",
		    c->version);
		ok(file_starts(f.info, want), ".info copied");
		err_clear(&e);
		h1[0] = '\0';
		dirhash_zip(f.zip, h1, &e);
		is_str(h1, c->zip_h1, "zip h1 is go's");
		snprintf(cached, sizeof(cached), "%s/state/gomodcache/cache/"
		    "download/" FIXMOD "/@v/%s.zip", tmp, c->version);
		a[0] = b[0] = '\0';
		err_clear(&e);
		dirhash_sha256_file(f.zip, a, &e);
		dirhash_sha256_file(cached, b, &e);
		ok(a[0] != '\0' && strcmp(a, b) == 0,
		    "zip bytes are the module cache's");
		clean(&f);
	}
	is_int(count_tmp(st), 0, "nothing left in .tmp");
}

/* Errors from the real go: the module or version does not exist. */
static const struct bad_case {
	const char	*module;
	const char	*query;
	enum errc	 code;
	const char	*msg;		/* the start of the message */
} bad_cases[] = {
	{ FIXMOD, "v9.9.9", E_NOTFOUND,
	  FIXMOD "@v9.9.9: invalid version: unknown revision v9.9.9" },
	{ FIXMOD, "v1.2", E_NOTFOUND,
	  "module " FIXMOD ": no matching versions for query \"v1.2\"" },
	{ FIXMOD, "nosuchbranch", E_NOTFOUND,
	  FIXMOD "@nosuchbranch: invalid version: unknown revision "
	  "nosuchbranch" },
	{ "github.com/fixture/nope", "v1.0.0", E_NOTFOUND,
	  "github.com/fixture/nope@v1.0.0: invalid version: git ls-remote" },
	{ "notadomain", "v1.0.0", E_NOTFOUND, "malformed module path" },
	{ FIXMOD, "v1.0.0 x", E_NOTFOUND, "invalid version query" },
	{ FIXMOD, "", E_NOTFOUND, "invalid version query" },
};

static void
test_bad(const struct store *st)
{
	struct config cfg;
	struct fetched f;
	struct err e;
	char name[256];
	size_t i;
	int rc;

	base_config(&cfg, real_go);
	for (i = 0; i < NITEMS(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		err_clear(&e);
		rc = fetch_direct(&cfg, st, c->module, c->query, &f, &e);
		snprintf(name, sizeof(name), "%s@%s fails", c->module,
		    c->query);
		ok(rc == -1 && f.info == NULL && f.zip == NULL, name);
		snprintf(name, sizeof(name), "%s@%s is %s", c->module,
		    c->query, err_name(c->code));
		is_str(err_name(e.code), err_name(c->code), name);
		if (!ok(strncmp(e.msg, c->msg, strlen(c->msg)) == 0,
		    "go's message"))
			printf("#   got '%s'\n#   want '%s...'\n", e.msg,
			    c->msg);
		ok(strchr(e.msg, '\n') == NULL && strchr(e.msg, '\t') == NULL,
		    "one line");
		ok(strstr(e.msg, cfg.state_dir) == NULL,
		    "no state directory in the message");
		clean(&f);
	}
	is_int(count_tmp(st), 0, "nothing left in .tmp");
}

static void
test_list(void)
{
	char statedir[sizeof(tmp) + 8];
	struct config cfg;
	struct err e;
	char **v = NULL;
	size_t n = 0, i;
	int rc;

	base_config(&cfg, real_go);
	err_clear(&e);
	rc = fetch_direct_list(&cfg, FIXMOD, &v, &n, &e);
	if (!ok(rc == 0, "list the fixture"))
		printf("#   %s: %s\n", err_name(e.code), e.msg);
	is_int(n, 2, "two tags");
	if (n == 2) {
		is_str(v[0], "v1.0.0", "first v1.0.0");
		is_str(v[1], "v1.1.0", "then v1.1.0");
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);

	err_clear(&e);
	v = NULL;
	rc = fetch_direct_list(&cfg, "github.com/fixture/nope", &v, &n, &e);
	ok(rc == -1 && v == NULL && n == 0, "list of a missing repository");
	is_str(err_name(e.code), err_name(E_NOTFOUND), "is not found");
	/* Go 1.19 says "git ls-remote -q origin", later releases add
	 * "--end-of-options" before "origin". */
#define NOPE_MSG "module github.com/fixture/nope: git ls-remote -q "
	snprintf(statedir, sizeof(statedir), "%s/state/", tmp);
	if (!ok(strncmp(e.msg, NOPE_MSG, strlen(NOPE_MSG)) == 0 &&
	    strstr(e.msg, " in $STATE/gomodcache/cache/vcs/") != NULL &&
	    strstr(e.msg, statedir) == NULL,
	    "go's message, the state directory hidden"))
		printf("#   got '%s'\n", e.msg);
}

/* The module cache persists: cached versions need no git at all. */
static void
test_cache(const struct store *st)
{
	struct config cfg;
	struct fetched f;
	struct err e;
	char h1[H1_MAX];
	int rc;

	base_config(&cfg, real_go);
	if (!ok(run("mv '%s/git/fixture/direct' '%s/git/fixture/away'", tmp,
	    tmp) == 0, "repository moved away"))
		return;
	err_clear(&e);
	rc = fetch_direct(&cfg, st, FIXMOD, "v1.0.0", &f, &e);
	if (!ok(rc == 0, "v1.0.0 again, from the module cache"))
		printf("#   %s: %s\n", err_name(e.code), e.msg);
	is_str(f.version, "v1.0.0", "same version");
	h1[0] = '\0';
	err_clear(&e);
	if (f.zip != NULL)
		dirhash_zip(f.zip, h1, &e);
	is_str(h1, FIX_ZIP_H1_100, "same zip");
	clean(&f);

	/* A version not in the cache needs the repository: it fails. */
	err_clear(&e);
	rc = fetch_direct(&cfg, st, FIXMOD, "v1.0.1", &f, &e);
	ok(rc == -1, "an uncached version needs the repository");
	clean(&f);
	ok(run("mv '%s/git/fixture/away' '%s/git/fixture/direct'", tmp,
	    tmp) == 0, "repository back");
}

/* Fake go commands: what the error mapping makes of their answers. */
static const struct fake_case {
	const char	*name;
	const char	*script;	/* body after "#!/bin/sh" */
	enum errc	 code;
	const char	*msg;		/* the start of the message */
} fake_cases[] = {
	{ "not JSON", "echo hello; exit 0", E_UPSTREAM,
	  "direct example.com/m@v1.0.0: go gave no usable answer" },
	{ "output over the cap",
	  "head -c 2000000 /dev/zero | tr '\\0' a; exit 0", E_UPSTREAM,
	  "direct: go wrote more than 1048576 bytes" },
	{ "JSON Error, unknown revision",
	  "printf '{\"Path\":\"example.com/m\","
	  "\"Error\":\"example.com/m@v1.0.0: invalid version:"
	  "\\\\n\\\\tunknown revision v1.0.0\"}\\n'; exit 1",
	  E_NOTFOUND,
	  "example.com/m@v1.0.0: invalid version: unknown revision v1.0.0" },
	{ "JSON Error, network",
	  "printf '{\"Error\":\"example.com/m@v1.0.0: invalid version: "
	  "dial tcp: lookup example.com: no such host\"}'; exit 1",
	  E_UPSTREAM, "example.com/m@v1.0.0: invalid version: dial tcp" },
	{ "JSON Error, 404 from git hosting",
	  "printf '{\"Error\":\"example.com/m@v1.0.0: invalid version: "
	  "fatal: unable to access: The requested URL returned error: 404\"}';"
	  " exit 1", E_NOTFOUND, "example.com/m@v1.0.0: invalid version" },
	{ "JSON Error, repository not found",
	  "printf '{\"Error\":\"ERROR: Repository not found.\"}'; exit 1",
	  E_NOTFOUND, "ERROR: Repository not found." },
	{ "stderr only",
	  "echo 'go: module example.com/m: reading https://example.com/m?go-"
	  "get=1: 404 Not Found' >&2; exit 1", E_NOTFOUND,
	  "module example.com/m: reading https://example.com/m?go-get=1: 404 "
	  "Not Found" },
	{ "killed by a signal", "kill -9 $$", E_UPSTREAM,
	  "direct example.com/m@v1.0.0: go gave no usable answer (signal 9)" },
	{ "exit 2, silent", "exit 2", E_UPSTREAM,
	  "direct example.com/m@v1.0.0: go gave no usable answer (exit "
	  "status 2)" },
	{ "another module",
	  "printf '{\"Path\":\"example.com/other\",\"Version\":\"v1.0.0\"}'",
	  E_UPSTREAM, "direct example.com/m@v1.0.0: go answered for module "
	  "example.com/other" },
	{ "a version that is not canonical",
	  "printf '{\"Path\":\"example.com/m\",\"Version\":\"v1.0\"}'",
	  E_UPSTREAM, "direct example.com/m@v1.0.0: go gave no canonical" },
	{ "a file outside the module cache",
	  "printf '{\"Path\":\"example.com/m\",\"Version\":\"v1.0.0\","
	  "\"Info\":\"/etc/passwd\",\"GoMod\":\"/etc/passwd\","
	  "\"Zip\":\"/etc/passwd\"}'", E_UPSTREAM,
	  "direct: go named a file outside the module cache" },
	{ "no files named",
	  "printf '{\"Path\":\"example.com/m\",\"Version\":\"v1.0.0\"}'",
	  E_UPSTREAM, "direct example.com/m@v1.0.0: go named no" },
};

static void
test_fake(const struct store *st)
{
	struct config cfg;
	struct fetched f;
	struct err e;
	char go[PATH_MAX], name[256], *text;
	size_t i;
	int rc;

	snprintf(go, sizeof(go), "%s/fakego", tmp);
	base_config(&cfg, go);
	for (i = 0; i < NITEMS(fake_cases); i++) {
		const struct fake_case *c = &fake_cases[i];

		xasprintf(&text, "#!/bin/sh\n%s\n", c->script);
		unlink(go);
		write_file(go, NULL, text, 0755);
		free(text);
		err_clear(&e);
		rc = fetch_direct(&cfg, st, "example.com/m", "v1.0.0", &f, &e);
		snprintf(name, sizeof(name), "%s: %s", c->name,
		    err_name(c->code));
		ok(rc == -1 && f.info == NULL && f.mod == NULL &&
		    f.zip == NULL, c->name);
		is_str(err_name(e.code), err_name(c->code), name);
		if (!ok(strncmp(e.msg, c->msg, strlen(c->msg)) == 0,
		    "message"))
			printf("#   got '%s'\n#   want '%s...'\n", e.msg,
			    c->msg);
		clean(&f);
	}

	/* A go command that cannot be run at all. */
	cfg.go_binary = (char *)(uintptr_t)"/nonexistent/go";
	err_clear(&e);
	rc = fetch_direct(&cfg, st, "example.com/m", "v1.0.0", &f, &e);
	ok(rc == -1 && e.code == E_UPSTREAM, "missing go binary: upstream");
	ok(strncmp(e.msg, "direct: cannot run /nonexistent/go", 34) == 0,
	    "message says so");
	cfg.go_binary = (char *)(uintptr_t)"piraeus-no-such-go";
	err_clear(&e);
	rc = fetch_direct(&cfg, st, "example.com/m", "v1.0.0", &f, &e);
	ok(rc == -1 && e.code == E_UPSTREAM, "go not in PATH: upstream");
	is_int(count_tmp(st), 0, "nothing left in .tmp");
}

/* pat with every "@T" replaced by the temporary directory. */
static void
subst(const char *pat, char *out, size_t outsz)
{
	size_t o = 0, tlen = strlen(tmp);

	for (; *pat != '\0' && o + 1 < outsz; pat++) {
		if (pat[0] == '@' && pat[1] == 'T' && o + tlen + 1 < outsz) {
			memcpy(out + o, tmp, tlen);
			o += tlen;
			pat++;
		} else
			out[o++] = *pat;
	}
	out[o] = '\0';
}

/* The environment, arguments and directory the go command gets. */
static const struct env_case {
	const char	*line;		/* "@T" is the temporary directory */
	int		 present;
} env_cases[] = {
	{ "GOPROXY=direct", 1 },
	{ "GOMODCACHE=@T/state/gomodcache", 1 },
	{ "GOPATH=@T/state/gopath", 1 },
	{ "GOCACHE=@T/state/gocache", 1 },
	{ "GOFLAGS=-mod=mod -modcacherw", 1 },
	{ "GOPRIVATE=corp.example,private.example", 1 },
	{ "GOSUMDB=off", 1 },
	{ "GONOSUMDB=sum.example,private.example", 1 },
	{ "GO111MODULE=on", 1 },
	{ "GOWORK=off", 1 },
	{ "GIT_TERMINAL_PROMPT=0", 1 },
	{ "NETRC=@T/netrc", 1 },
	{ "HGRCPATH=@T/hgrc", 1 },
	{ "GIT_CONFIG_GLOBAL=@T/gitconfig", 1 },
	{ "GIT_SSH_COMMAND=ssh -F '@T/ssh dir/config' -o "
	  "'UserKnownHostsFile=@T/ssh dir/known_hosts' -o BatchMode=yes", 1 },
	{ "https_proxy=http://proxy.example:3128", 1 },
	{ "GIT_ALLOW_PROTOCOL=file:https", 1 },
	{ "PIRAEUS_SECRET=", 0 },
	{ "REQUEST_METHOD=", 0 },
	{ "HTTP_PROXY=", 0 },		/* httpoxy: set by a request */
	{ "QUERY_STRING=", 0 },
};

static const char *const env_vars[][2] = {
	{ "PIRAEUS_SECRET", "x" },
	{ "REQUEST_METHOD", "GET" },
	{ "QUERY_STRING", "a=b" },
	{ "HTTP_PROXY", "http://evil.example" },
	{ "https_proxy", "http://proxy.example:3128" },
	{ "GOPRIVATE", "corp.example" },
	{ "GONOSUMDB", "sum.example" },
	{ "GOFLAGS", "-mod=mod" },
	{ "GOPROXY", "https://proxy.example" },
	{ "GIT_ALLOW_PROTOCOL", "file:https" },
};

static void
test_env(const struct store *st)
{
	struct config cfg;
	struct fetched f;
	struct err e;
	char go[PATH_MAX], out[PATH_MAX], line[PATH_MAX], name[CMD_MAX];
	char netrc[PATH_MAX], hgrc[PATH_MAX], ssh[PATH_MAX], *text;
	char **v;
	size_t i, n;

	snprintf(go, sizeof(go), "%s/envgo", tmp);
	snprintf(out, sizeof(out), "%s/envout", tmp);
	snprintf(netrc, sizeof(netrc), "%s/netrc", tmp);
	snprintf(hgrc, sizeof(hgrc), "%s/hgrc", tmp);
	snprintf(ssh, sizeof(ssh), "%s/ssh dir", tmp);
	xasprintf(&text, "#!/bin/sh\n{ pwd; echo \"ARGS $*\"; env; } >'%s'\n"
	    "exit 1\n", out);
	write_file(go, NULL, text, 0755);
	free(text);
	base_config(&cfg, go);
	cfg.goprivate = (char *)(uintptr_t)"private.example";
	cfg.netrc = netrc;
	cfg.hgrc = hgrc;
	cfg.ssh_dir = ssh;
	for (i = 0; i < NITEMS(env_vars); i++)
		setenv(env_vars[i][0], env_vars[i][1], 1);

	err_clear(&e);
	fetch_direct(&cfg, st, "example.com/m", "v1.0.0", &f, &e);
	clean(&f);
	for (i = 0; i < NITEMS(env_cases); i++) {
		const struct env_case *c = &env_cases[i];

		subst(c->line, line, sizeof(line));
		snprintf(name, sizeof(name), "%s %s", c->present ? "has" :
		    "has no", line);
		if (c->present)
			ok(file_has_line(out, line), name);
		else
			ok(!file_has_prefix(out, line), name);
	}
	snprintf(line, sizeof(line), "%s/state/direct/work", tmp);
	ok(file_has_line(out, line), "runs in state_dir/direct/work");
	ok(file_has_line(out, "ARGS mod download -json example.com/m@v1.0.0"),
	    "mod download arguments");

	unlink(out);
	err_clear(&e);
	v = NULL;
	fetch_direct_list(&cfg, "example.com/m", &v, &n, &e);
	ok(file_has_line(out,
	    "ARGS list -m -versions -retracted -json example.com/m"),
	    "list arguments");
	for (i = 0; i < NITEMS(env_vars); i++)
		unsetenv(env_vars[i][0]);
}

/*
 * [direct] netrc replaces HOME (git reads only $HOME/.netrc): the
 * operator's ~/.gitconfig and ~/.hgrc must still reach go and git.
 */
static void
test_env_home(const struct store *st)
{
	struct config cfg;
	struct fetched f;
	struct err e;
	char go[PATH_MAX], out[PATH_MAX], line[2 * PATH_MAX], home[PATH_MAX];
	char netrc[PATH_MAX], path[2 * PATH_MAX], *text, *oldhome;

	snprintf(go, sizeof(go), "%s/envgo2", tmp);
	snprintf(out, sizeof(out), "%s/envout2", tmp);
	snprintf(netrc, sizeof(netrc), "%s/netrc", tmp);
	snprintf(home, sizeof(home), "%s/ophome", tmp);
	mkdir(home, 0700);
	snprintf(path, sizeof(path), "%s/.gitconfig", home);
	write_file(path, NULL, "[user]\n\tname = op\n", 0644);
	snprintf(path, sizeof(path), "%s/.hgrc", home);
	write_file(path, NULL, "[ui]\n", 0644);
	xasprintf(&text, "#!/bin/sh\nenv >'%s'\nexit 1\n", out);
	write_file(go, NULL, text, 0755);
	free(text);
	base_config(&cfg, go);
	cfg.gitconfig = NULL;
	cfg.netrc = netrc;
	oldhome = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	setenv("HOME", home, 1);
	unsetenv("GIT_CONFIG_GLOBAL");
	unsetenv("HGRCPATH");
	err_clear(&e);
	fetch_direct(&cfg, st, "example.com/m", "v1.0.0", &f, &e);
	clean(&f);
	snprintf(line, sizeof(line), "GIT_CONFIG_GLOBAL=%s/.gitconfig", home);
	ok(file_has_line(out, line), "netrc: the operator's ~/.gitconfig "
	    "still applies");
	snprintf(line, sizeof(line), "HGRCPATH=%s/.hgrc", home);
	ok(file_has_line(out, line), "netrc: and ~/.hgrc");
	snprintf(line, sizeof(line), "HOME=%s/state/direct/home", tmp);
	ok(file_has_line(out, line), "netrc: HOME is ours (for git's .netrc)");
	/* [direct] gitconfig wins over ~/.gitconfig. */
	snprintf(path, PATH_MAX, "%s/gitconfig", tmp);
	cfg.gitconfig = path;
	err_clear(&e);
	fetch_direct(&cfg, st, "example.com/m", "v1.0.0", &f, &e);
	clean(&f);
	snprintf(line, sizeof(line), "GIT_CONFIG_GLOBAL=%s/gitconfig", tmp);
	ok(file_has_line(out, line), "netrc: [direct] gitconfig still wins");
	if (oldhome != NULL) {
		setenv("HOME", oldhome, 1);
		free(oldhome);
	} else
		unsetenv("HOME");
}

/* The timeout kills the whole process group and reaps the child. */
static void
test_timeout(const struct store *st)
{
	struct config cfg;
	struct fetched f;
	struct err e;
	char go[PATH_MAX], pids[PATH_MAX], *text, *end;
	struct buf b;
	long spid = -1, cpid = -1;
	int64_t t0, took;
	int rc, status;

	snprintf(go, sizeof(go), "%s/sleepgo", tmp);
	snprintf(pids, sizeof(pids), "%s/pids", tmp);
	xasprintf(&text, "#!/bin/sh\nsleep 60 &\necho \"$$ $!\" >'%s'\n"
	    "sleep 30\n", pids);
	write_file(go, NULL, text, 0755);
	free(text);
	base_config(&cfg, go);
	cfg.direct_timeout = 1;
	t0 = tap_now_ms();
	err_clear(&e);
	rc = fetch_direct(&cfg, st, "example.com/m", "v1.0.0", &f, &e);
	took = tap_now_ms() - t0;
	clean(&f);
	ok(rc == -1, "a go that hangs fails");
	is_str(err_name(e.code), err_name(E_TIMEOUT), "with a timeout");
	ok(took >= 900 && took < 3000, "after about a second");
	printf("#   took %lld ms\n", (long long)took);
	err_clear(&e);
	if (buf_read_file(&b, pids, 256, &e) == 0) {
		spid = strtol(b.data, &end, 10);
		cpid = strtol(end, &end, 10);
		buf_free(&b);
	}
	ok(spid > 0 && cpid > 0, "the script started its child");
	ok(pid_gone(spid), "the script is gone");
	ok(pid_gone(cpid), "its background child is gone");
	is_int(group_alive(spid), 0, "nothing left in the process group");
	ok(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD,
	    "no child left unreaped");
}

/* Hold slot N from another process until told to stop. */
static pid_t
hold_slot(int n, int *stop)
{
	char path[PATH_MAX], c;
	struct flock fl;
	int ready[2], go[2], fd;
	pid_t pid;

	if (pipe(ready) == -1 || pipe(go) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/state/direct/slot-%d", tmp, n);
	if ((pid = fork()) == 0) {
		close(ready[0]);
		close(go[1]);
		fd = open(path, O_RDWR | O_CREAT, 0600);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		c = fd != -1 && fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		while (read(go[0], &c, 1) == -1 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	c = 'n';
	if (pid == -1 || read(ready[0], &c, 1) != 1 || c != 'y') {
		close(ready[0]);
		close(go[1]);
		return -1;
	}
	close(ready[0]);
	*stop = go[1];
	return pid;
}

static void
release_slot(pid_t pid, int stop)
{
	int status;

	close(stop);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
}

/* Worker slots: a busy host makes the fetch wait, then time out. */
static void
test_slots(const struct store *st)
{
	struct config cfg;
	struct fetched f;
	struct err e;
	char go[PATH_MAX];
	int64_t t0, took;
	int stop = -1, rc;
	pid_t holder;

	snprintf(go, sizeof(go), "%s/fakego", tmp);
	write_file(go, NULL, "#!/bin/sh\necho hello\n", 0755);
	base_config(&cfg, go);
	cfg.direct_timeout = 1;
	cfg.direct_workers = 1;
	holder = hold_slot(0, &stop);
	if (!ok(holder > 0, "another process holds slot 0"))
		return;
	t0 = tap_now_ms();
	err_clear(&e);
	rc = fetch_direct(&cfg, st, "example.com/m", "v1.0.0", &f, &e);
	took = tap_now_ms() - t0;
	clean(&f);
	ok(rc == -1 && e.code == E_TIMEOUT, "one worker, busy: timeout");
	ok(strstr(e.msg, "workers busy") != NULL, "message says why");
	ok(took >= 900 && took < 3000, "after about a second");

	cfg.direct_workers = 2;
	err_clear(&e);
	rc = fetch_direct(&cfg, st, "example.com/m", "v1.0.0", &f, &e);
	clean(&f);
	ok(rc == -1 && e.code == E_UPSTREAM, "two workers: slot 1 is free");
	release_slot(holder, stop);

	cfg.direct_workers = 1;
	err_clear(&e);
	rc = fetch_direct(&cfg, st, "example.com/m", "v1.0.0", &f, &e);
	clean(&f);
	ok(rc == -1 && e.code == E_UPSTREAM, "slot 0 free again: go runs");
}

/* The go environment of the test itself: no network, no sum database. */
static const char *const test_env_vars[][2] = {
	{ "GOSUMDB", "off" },
	{ "GOENV", "off" },
	{ "GOTOOLCHAIN", "local" },
	{ "GIT_CONFIG_NOSYSTEM", "1" },
};
static const char *const test_unset_vars[] = {
	"GOFLAGS", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE",
	"GOVCS", "GIT_ALLOW_PROTOCOL", "GIT_SSH_COMMAND", "NETRC",
	"HGRCPATH", "GIT_CONFIG_GLOBAL",
};

int
main(void)
{
	struct store st;
	struct err e;
	char path[PATH_MAX + 32];
	size_t i;
	int rc;

	log_init("test_direct", LOG_LVL_ERROR);
	if (getenv("PIRAEUS_TEST_GO") != NULL && *getenv("PIRAEUS_TEST_GO"))
		real_go = getenv("PIRAEUS_TEST_GO");
	else if (getenv("PIRAEUS_TEST_GO_DEBIAN") != NULL &&
	    *getenv("PIRAEUS_TEST_GO_DEBIAN"))
		real_go = getenv("PIRAEUS_TEST_GO_DEBIAN");
	else if (access("/usr/lib/go-1.19/bin/go", X_OK) == 0)
		real_go = "/usr/lib/go-1.19/bin/go";
	else if (access("/usr/local/go/bin/go", X_OK) == 0)
		real_go = "/usr/local/go/bin/go";
	if (run("command -v '%s' >/dev/null 2>&1 && "
	    "command -v git >/dev/null 2>&1", real_go) != 0) {
		printf("1..0 # SKIP go (%s) or git not installed\n", real_go);
		return 0;
	}
	printf("# the go command: %s\n", real_go);
	snprintf(tmp, sizeof(tmp), "%s/piraeus-direct-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmp) == NULL) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	for (i = 0; i < NITEMS(test_env_vars); i++)
		setenv(test_env_vars[i][0], test_env_vars[i][1], 1);
	for (i = 0; i < NITEMS(test_unset_vars);
	    i++)
		unsetenv(test_unset_vars[i]);
	snprintf(path, sizeof(path), "%s/fixture.sh", tmp);
	if (write_file(path, fixture_sh, NULL, 0644) == -1 ||
	    run("sh '%s' '%s' >/dev/null", path, tmp) != 0) {
		printf("Bail out! cannot build the git fixture\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/store", tmp);
	err_clear(&e);
	if (store_open(&st, path, &e) == -1) {
		printf("Bail out! store_open: %s\n", e.msg);
		return 1;
	}

	test_good(&st);
	test_bad(&st);
	test_list();
	test_cache(&st);
	test_fake(&st);
	test_env(&st);
	test_env_home(&st);
	test_timeout(&st);
	test_slots(&st);

	store_close(&st);
	rc = tap_done();
	if (rc == 0)
		run("chmod -R u+w '%s' && rm -rf '%s'", tmp, tmp);
	else
		printf("# left %s for inspection\n", tmp);
	return rc;
}

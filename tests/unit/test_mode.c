/*
 * test_mode.c: download modes and Athens' download file (mode.c).
 *
 * Good files are checked by asking mode_for about modules and comparing
 * with the mode and URL written out by hand; bad files by the line and
 * reason of the message.  The base64 texts were encoded outside this
 * program (python3 base64), so the decoder is checked against them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

#define MAXQ	6

struct query {
	const char	*module;
	enum dl_mode	 mode;
	const char	*url;		/* NULL for non-redirect modes */
};

/* A spec that loads, and what it answers. */
static const struct good_case {
	const char	*name;
	const char	*text;		/* a file; NULL: use spec */
	const char	*spec;
	struct query	 q[MAXQ];
} good_cases[] = {
	{ "plain sync", NULL, "sync", {
	    { "github.com/a/b", DL_SYNC, NULL } } },
	{ "plain async", NULL, "async", {
	    { "github.com/a/b", DL_ASYNC, NULL } } },
	{ "plain none", NULL, "none", {
	    { "github.com/a/b", DL_NONE, NULL } } },
	{ "athens download.example.hcl",
	  "downloadURL = \"https://proxy.golang.org\"\n"
	  "\n"
	  "mode = \"sync\"\n"
	  "\n"
	  "download \"github.com/gomods/*\" {\n"
	  "    mode = \"async_redirect\"\n"
	  "}\n"
	  "\n"
	  "download \"golang.org/x/*\" {\n"
	  "    mode = \"none\"\n"
	  "}\n"
	  "\n"
	  "download \"github.com/pkg/*\" {\n"
	  "    mode = \"redirect\"\n"
	  "    downloadURL = \"https://gocenter.io\"\n"
	  "}\n", NULL, {
	    { "github.com/gomods/athens", DL_ASYNC_REDIRECT,
	      "https://proxy.golang.org" },
	    { "golang.org/x/text", DL_NONE, NULL },
	    { "github.com/pkg/errors", DL_REDIRECT, "https://gocenter.io" },
	    { "github.com/pkg/errors/v2", DL_REDIRECT,
	      "https://gocenter.io" },
	    { "github.com/other/x", DL_SYNC, NULL },
	    { "golang.org/x", DL_SYNC, NULL } } },
	{ "athens docs example",
	  "downloadURL = \"https://proxy.golang.org\"\n"
	  "mode = \"async_redirect\"\n"
	  "download \"github.com/gomods/*\" {\n"
	  "    mode = \"sync\"\n"
	  "}\n", NULL, {
	    { "github.com/gomods/athens", DL_SYNC, NULL },
	    { "rsc.io/quote", DL_ASYNC_REDIRECT,
	      "https://proxy.golang.org" } } },
	{ "athens mode_test cases",
	  "mode = \"sync\"\n"
	  "download \"*.github.com/gomods/*\" { mode = \"none\" }\n"
	  "download \"github.com/gomods/*\" { mode = \"none\" }\n"
	  "download \"github.com/*\" { mode = \"async\" }\n", NULL, {
	    { "athens.github.com/gomods/pkg/mode", DL_NONE, NULL },
	    { "github.com/gomods/athens", DL_NONE, NULL },
	    { "github.com/athens-artifacts/maturelib", DL_ASYNC, NULL },
	    { "github.com/gomods/athens/pkg/mode", DL_NONE, NULL },
	    { "gitlab.com/x/y", DL_SYNC, NULL } } },
	{ "comments, CRLF, BOM, escapes",
	  "\xef\xbb\xbf# a comment\r\n"
	  "// another one\r\n"
	  "/* a block\r\n   comment */ mode = \"none\" # after\r\n"
	  "download \"example.com/\\\\*\" { mode = \"sync\" } // lit star\r\n"
	  "download \"example.com/[a-c]*\" {\r\n"
	  "\tmode = /* inline */ \"async\"\r\n"
	  "\r\n"
	  "}\r\n", NULL, {
	    { "example.com/*", DL_SYNC, NULL },
	    { "example.com/x", DL_NONE, NULL },
	    { "example.com/beta/v2", DL_ASYNC, NULL },
	    { "example.com/delta", DL_NONE, NULL } } },
	{ "first match wins",
	  "mode = \"sync\"\n"
	  "download \"github.com/a/*\" {\n mode = \"none\"\n}\n"
	  "download \"github.com/*\" {\n mode = \"async\"\n}\n"
	  "download \"github.com/a/b\" {\n mode = \"sync\"\n}\n", NULL, {
	    { "github.com/a/b", DL_NONE, NULL },
	    { "github.com/c/d", DL_ASYNC, NULL },
	    { "github.com", DL_SYNC, NULL } } },
	{ "URL from the first matching block that has one (Athens)",
	  "mode = \"sync\"\n"
	  "downloadURL = \"https://global.example\"\n"
	  "download \"github.com/*\" {\n mode = \"redirect\"\n}\n"
	  "download \"github.com/a/*\" {\n mode = \"sync\"\n"
	  " downloadURL = \"https://a.example\"\n}\n", NULL, {
	    { "github.com/a/b", DL_REDIRECT, "https://a.example" },
	    { "github.com/c/d", DL_REDIRECT, "https://global.example" },
	    { "gitlab.com/a/b", DL_SYNC, NULL } } },
	{ "downloadURL after the blocks, normalised",
	  "download \"corp.example/*\" {\n"
	  "  mode = \"async_redirect\"\n"
	  "}\n"
	  "mode = \"none\"\n"
	  "downloadURL = \"gomods.io/go/\"\n", NULL, {
	    { "corp.example/x", DL_ASYNC_REDIRECT, "https://gomods.io/go" },
	    { "corp.example", DL_NONE, NULL } } },
	{ "unescaped module paths",
	  "mode = \"sync\"\n"
	  "download \"github.com/Azure/*\" { mode = \"none\" }\n"
	  "download \"github.com/!burnt!sushi\" { mode = \"async\" }\n", NULL, {
	    { "github.com/Azure/go-autorest", DL_NONE, NULL },
	    { "github.com/azure/go-autorest", DL_SYNC, NULL },
	    { "github.com/BurntSushi/toml", DL_SYNC, NULL } } },
	{ "an empty single-line attribute block and http URL",
	  "mode = \"redirect\"\n"
	  "downloadURL = \"http://10.0.0.1:3000\"\n"
	  "download \"a.example\" { mode = \"sync\" }\n", NULL, {
	    { "a.example/x", DL_SYNC, NULL },
	    { "b.example/x", DL_REDIRECT, "http://10.0.0.1:3000" } } },
	{ "custom: the Athens example", NULL,
	  "custom:ZG93bmxvYWRVUkwgPSAiaHR0cHM6Ly9wcm94eS5nb2xhbmcub3JnIgoKbW"
	  "9kZSA9ICJzeW5jIgoKZG93bmxvYWQgImdpdGh1Yi5jb20vZ29tb2RzLyoiIHsKICAg"
	  "IG1vZGUgPSAiYXN5bmNfcmVkaXJlY3QiCn0KCmRvd25sb2FkICJnb2xhbmcub3JnL3"
	  "gvKiIgewogICAgbW9kZSA9ICJub25lIgp9Cgpkb3dubG9hZCAiZ2l0aHViLmNvbS9w"
	  "a2cvKiIgewogICAgbW9kZSA9ICJyZWRpcmVjdCIKICAgIGRvd25sb2FkVVJMID0gIm"
	  "h0dHBzOi8vZ29jZW50ZXIuaW8iCn0K", {
	    { "github.com/gomods/athens", DL_ASYNC_REDIRECT,
	      "https://proxy.golang.org" },
	    { "golang.org/x/text", DL_NONE, NULL },
	    { "github.com/pkg/errors", DL_REDIRECT, "https://gocenter.io" },
	    { "example.com/m", DL_SYNC, NULL } } },
	{ "custom: one padding byte", NULL,
	  "custom:bW9kZSA9ICJub25lIgo=", {
	    { "example.com/m", DL_NONE, NULL } } },
	{ "custom: two padding bytes, no final newline", NULL,
	  "custom:bW9kZSA9ICJub25lIg==", {
	    { "example.com/m", DL_NONE, NULL } } },
	{ "custom: base64 wrapped at 76 columns", NULL,
	  "custom:bW9kZSA9ICJhc3luYyIKZG93bmxvYWQgImNvcnAuZXhhbXBsZS8qIiB7IG"
	  "1vZGUgPSAic3luYyIg\nfQo=\n", {
	    { "corp.example/x", DL_SYNC, NULL },
	    { "other.example/x", DL_ASYNC, NULL } } },
};

/* A spec or file that fails, and the end of its message. */
static const struct bad_case {
	const char	*name;
	const char	*text;		/* a file; NULL: use spec */
	size_t		 len;		/* 0: strlen(text) */
	const char	*spec;
	const char	*why;		/* found in the message */
} bad_cases[] = {
	{ "empty spec", NULL, 0, "", "empty download mode" },
	{ "unknown name", NULL, 0, "fast",
	  "unknown download mode \"fast\" (expected sync, async, none, "
	  "redirect or async_redirect, file:PATH or custom:BASE64)" },
	{ "names are case-sensitive", NULL, 0, "SYNC",
	  "unknown download mode \"SYNC\"" },
	{ "plain redirect has no URL", NULL, 0, "redirect",
	  "download mode redirect needs a downloadURL" },
	{ "plain async_redirect has no URL", NULL, 0, "async_redirect",
	  "download mode async_redirect needs a downloadURL" },
	{ "relative file", NULL, 0, "file:download.hcl",
	  "file:download.hcl: the path must be absolute" },
	{ "missing file", NULL, 0, "file:/nonexistent/piraeus/dl.hcl",
	  "download file /nonexistent/piraeus/dl.hcl: No such file" },
	{ "a directory", NULL, 0, "file:/", "download file /: not a regular "
	  "file" },
	{ "custom: bad byte", NULL, 0, "custom:bW9k!GUg",
	  "custom: invalid base64 at byte 4" },
	{ "custom: missing padding", NULL, 0, "custom:bW9kZSA9ICJub25lIg",
	  "custom: invalid base64 at byte 18" },
	{ "custom: data after padding", NULL, 0, "custom:QQ==QUJD",
	  "custom: invalid base64 at byte 4" },
	{ "custom: padding too early", NULL, 0, "custom:Q===",
	  "custom: invalid base64 at byte 1" },
	{ "custom: empty", NULL, 0, "custom:",
	  "custom line 1: the file (top level) has no mode" },
	{ "custom: url attribute", NULL, 0,
	  "custom:bW9kZSA9ICJzeW5jIgp1cmwgPSAiaHR0cHM6Ly9hLmV4YW1wbGUiCg==",
	  "custom line 2: unknown attribute \"url\" (expected mode or "
	  "downloadURL); the attribute is downloadURL" },
	/* HCL files. */
	{ "no top-level mode", "downloadURL = \"https://a.example\"\n", 0,
	  NULL, "line 2: the file (top level) has no mode" },
	{ "unknown top-level mode", "mode = \"fast\"\n", 0, NULL,
	  "line 1: unknown mode \"fast\" (expected sync" },
	{ "unknown block mode", "mode = \"sync\"\ndownload \"a.example\" {\n"
	  "  mode = \"Sync\"\n}\n", 0, NULL, "line 3: unknown mode \"Sync\"" },
	{ "block without mode", "mode = \"sync\"\ndownload \"a.example\" {\n"
	  "  downloadURL = \"https://b.example\"\n}\n", 0, NULL,
	  "line 2: the download block has no mode" },
	{ "unknown attribute in a block", "mode = \"sync\"\n"
	  "download \"a.example\" {\n  mode = \"redirect\"\n"
	  "  url = \"https://reliable.proxy.com\"\n}\n", 0, NULL,
	  "line 4: unknown attribute \"url\"" },
	{ "unknown top-level attribute", "mode = \"sync\"\n"
	  "DownloadURL = \"https://a.example\"\n", 0, NULL,
	  "line 2: unknown attribute \"DownloadURL\" (expected mode or "
	  "downloadURL)" },
	{ "attribute set twice", "mode = \"sync\"\n\nmode = \"none\"\n", 0,
	  NULL, "line 3: mode set twice (first on line 1)" },
	{ "redirect block without URL", "mode = \"sync\"\n"
	  "download \"a.example/*\" {\n  mode = \"redirect\"\n}\n", 0, NULL,
	  "line 2: mode redirect needs a downloadURL (in the block or at the "
	  "top level)" },
	{ "top-level async_redirect without URL",
	  "# comment\nmode = \"async_redirect\"\n", 0, NULL,
	  "line 2: mode async_redirect needs a downloadURL" },
	{ "unterminated string", "mode = \"sync\n", 0, NULL,
	  "line 1: unterminated string" },
	{ "unterminated string at the end", "mode = \"sync", 0, NULL,
	  "line 1: unterminated string" },
	{ "unterminated comment", "mode = \"sync\"\n/* x\n\n", 0, NULL,
	  "line 2: unterminated /* comment" },
	{ "block not closed", "mode = \"sync\"\ndownload \"x.example\" {\n"
	  "  mode = \"none\"\n", 0, NULL, "line 2: download block not closed" },
	{ "nested block", "mode = \"sync\"\ndownload \"x.example\" {\n"
	  "  inner \"y\" {\n  }\n}\n", 0, NULL,
	  "line 3: blocks cannot be nested" },
	{ "unknown block", "mode = \"sync\"\nfilter \"x\" {\n}\n", 0, NULL,
	  "line 2: unknown block \"filter\" (only download blocks)" },
	{ "two labels", "mode = \"sync\"\ndownload \"a\" \"b\" {\n}\n", 0,
	  NULL, "line 2: a download block has one label" },
	{ "no label", "mode = \"sync\"\ndownload {\n}\n", 0, NULL,
	  "line 2: a download block needs a quoted pattern label" },
	{ "bare word label", "mode = \"sync\"\ndownload x {\n}\n", 0, NULL,
	  "line 2: expected '=' or a block after \"download\"" },
	{ "value not a string", "mode = sync\n", 0, NULL,
	  "line 1: the value of mode must be a quoted string" },
	{ "two attributes on a line",
	  "mode = \"sync\" downloadURL = \"https://a.example\"\n", 0, NULL,
	  "line 1: expected a newline after the value, not name" },
	{ "single-line block with two attributes", "mode = \"sync\"\n"
	  "download \"a\" { mode = \"none\" downloadURL = \"https://b\" }\n",
	  0, NULL, "line 2: a single-line block ends with '}' after its "
	  "attribute, not name" },
	{ "single-line block continued", "mode = \"sync\"\n"
	  "download \"a\" { mode = \"none\"\n}\n",
	  0, NULL, "line 2: a single-line block ends with '}' after its "
	  "attribute, not newline" },
	{ "'}' after a value in a multi-line block", "mode = \"sync\"\n"
	  "download \"a\" {\n  mode = \"none\" }\n", 0, NULL,
	  "line 3: expected a newline after the value, not '}'" },
	{ "text after '}'", "download \"a\" { mode = \"none\" } mode = \"x\"\n",
	  0, NULL, "line 1: expected a newline after '}', not name" },
	{ "stray '}'", "mode = \"sync\"\n}\n", 0, NULL,
	  "line 2: unexpected '}'" },
	{ "stray '='", "= \"sync\"\n", 0, NULL, "line 1: unexpected '='" },
	{ "missing '='", "mode \"sync\"\n", 0, NULL,
	  "line 1: unknown block \"mode\" (only download blocks)" },
	{ "unexpected character", "mode = \"sync\"\n\n@\n", 0, NULL,
	  "line 3: unexpected '@'" },
	{ "NUL byte", "mode = \"sync\"\n\0\n", 16, NULL,
	  "line 2: unexpected byte 0x00" },
	{ "non-ASCII outside strings", "mode = \"sync\"\n\xc3\xa9 = \"x\"\n",
	  0, NULL, "line 2: unexpected byte 0xc3" },
	{ "non-ASCII in a string", "mode = \"sync\"\ndownload \"caf\xc3\xa9\" {"
	  " mode = \"none\" }\n", 0, NULL,
	  "line 2: a control character or non-ASCII byte in a string" },
	{ "tab in a string", "mode = \"sy\tnc\"\n", 0, NULL,
	  "line 1: a control character or non-ASCII byte in a string" },
	{ "template", "mode = \"sync\"\ndownloadURL = \"${base}/go\"\n", 0,
	  NULL, "line 2: template sequences (\"${\", \"%{\") are not "
	  "supported" },
	{ "template directive", "mode = \"%{ if x }sync\"\n", 0, NULL,
	  "line 1: template sequences" },
	{ "unsupported escape", "mode = \"\\u0073ync\"\n", 0, NULL,
	  "line 1: unsupported escape \"\\u\" in a string" },
	{ "bad pattern", "mode = \"sync\"\ndownload \"x.example/[\" {\n"
	  "  mode = \"none\"\n}\n", 0, NULL,
	  "line 2: bad pattern \"x.example/[\": unclosed '['" },
	{ "pattern list", "mode = \"sync\"\ndownload \"a.example,b.example\" {"
	  " mode = \"none\" }\n", 0, NULL,
	  "line 2: a download label is one non-empty pattern" },
	{ "empty pattern", "mode = \"sync\"\ndownload \"\" {"
	  " mode = \"none\" }\n", 0, NULL,
	  "line 2: a download label is one non-empty pattern" },
	{ "slash pattern", "mode = \"sync\"\ndownload \"/\" {"
	  " mode = \"none\" }\n", 0, NULL,
	  "line 2: a download label is one non-empty pattern" },
	{ "pattern with a space", "mode = \"sync\"\ndownload \"a b\" {"
	  " mode = \"none\" }\n", 0, NULL, "line 2: bad pattern \"a b\"" },
	{ "URL scheme", "mode = \"redirect\"\ndownloadURL = \"ftp://a\"\n", 0,
	  NULL, "line 2: downloadURL: GOPROXY entry \"ftp://a\": the scheme "
	  "must be https, http or file" },
	{ "file URL", "mode = \"redirect\"\ndownloadURL = \"file:///srv\"\n",
	  0, NULL, "line 2: downloadURL must be an https:// or http:// URL" },
	{ "direct as URL", "mode = \"redirect\"\ndownloadURL = \"direct\"\n",
	  0, NULL, "line 2: downloadURL must be an https:// or http:// URL" },
	{ "URL list", "mode = \"redirect\"\n"
	  "downloadURL = \"https://a.example,https://b.example\"\n", 0, NULL,
	  "line 2: downloadURL must be one URL" },
	{ "URL with credentials", "mode = \"redirect\"\n"
	  "downloadURL = \"https://u:secret@a.example\"\n", 0, NULL,
	  "line 2: downloadURL must not hold credentials" },
	{ "block URL", "mode = \"sync\"\ndownload \"a\" {\n mode = \"none\"\n"
	  " downloadURL = \"https://\"\n}\n", 0, NULL,
	  "line 4: downloadURL: GOPROXY entry \"https://\": no host" },
};

static char tmpdir[256];
static int nfiles;

/* Write len bytes of text to a new file; its path into path. */
static void
write_file(const char *name, const char *text, size_t len, char *path,
    size_t pathsz)
{
	FILE *f;

	snprintf(path, pathsz, "%s/%d.hcl", tmpdir, nfiles++);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
}

/* Load a case's spec, writing its text to a file first when it has one. */
static int
load(const char *name, const char *text, size_t len, const char *spec,
    struct mode_table *t, struct err *e)
{
	char path[512], fspec[600];

	err_clear(e);
	if (text == NULL)
		return mode_load(spec, t, e);
	write_file(name, text, len != 0 ? len : strlen(text), path,
	    sizeof(path));
	snprintf(fspec, sizeof(fspec), "file:%s", path);
	return mode_load(fspec, t, e);
}

static void
big_files(void)
{
	struct mode_table t;
	struct err e;
	char *text, path[512], spec[600], *why;
	size_t i, len, blk;
	int rc;

	text = malloc(2 * 64 * 1024);
	if (text == NULL)
		exit(1);

	/* 1024 blocks are fine, 1025 too many. */
	blk = strlen("download \"a\" { mode = \"none\" }\n");
	len = (size_t)snprintf(text, 64, "mode = \"sync\"\n");
	for (i = 0; i < 1025; i++) {
		memcpy(text + len, "download \"a\" { mode = \"none\" }\n", blk);
		len += blk;
	}
	rc = load("many", text, len, NULL, &t, &e);
	is_int(rc, -1, "1025 blocks: rejected");
	ok(strstr(e.msg, "line 1026: more than 1024 download blocks") != NULL,
	    "1025 blocks: message");
	ok(t.n == 0 && t.rules == NULL, "1025 blocks: table left empty");
	rc = load("many", text, len - blk, NULL, &t, &e);
	is_int(rc, 0, "1024 blocks: accepted");
	is_int(t.n, 1024, "1024 blocks: all kept");
	mode_free(&t);

	/* 64 KiB is the cap. */
	memset(text, '#', 64 * 1024 + 1);
	memcpy(text, "mode = \"none\"\n", 14);
	text[64 * 1024 - 1] = '\n';
	rc = load("cap", text, 64 * 1024, NULL, &t, &e);
	is_int(rc, 0, "a 64 KiB file: accepted");
	is_int(t.def, DL_NONE, "a 64 KiB file: parsed");
	mode_free(&t);
	rc = load("cap", text, 64 * 1024 + 1, NULL, &t, &e);
	is_int(rc, -1, "64 KiB + 1: rejected");
	ok(strstr(e.msg, "larger than 65536 bytes") != NULL,
	    "64 KiB + 1: message");

	/* A string over 2048 bytes. */
	len = (size_t)snprintf(text, 64, "mode = \"sync\"\ndownload \"");
	memset(text + len, 'a', 2049);
	len += 2049;
	len += (size_t)snprintf(text + len, 64, "\" { mode = \"none\" }\n");
	rc = load("long", text, len, NULL, &t, &e);
	ok(rc == -1 && strstr(e.msg, "line 2: string longer than 2048 bytes")
	    != NULL, "a long string: rejected");
	free(text);

	/* The message names the file. */
	write_file("name", "mode = \"x\"\n", 11, path, sizeof(path));
	snprintf(spec, sizeof(spec), "file:%s", path);
	err_clear(&e);
	mode_load(spec, &t, &e);
	why = strstr(e.msg, path);
	ok(why == e.msg, "the message starts with the path");
	ok(e.code == E_CONFIG, "errors are E_CONFIG");
}

int
main(void)
{
	struct mode_table t;
	struct err e;
	const char *url;
	char name[512];
	size_t i, j;
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_mode.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}

	for (i = 0; i < NITEMS(good_cases); i++) {
		const struct good_case *c = &good_cases[i];

		rc = load(c->name, c->text, 0, c->spec, &t, &e);
		snprintf(name, sizeof(name), "%s: loads", c->name);
		if (!ok(rc == 0, name))
			printf("#   error: %s\n", e.msg);
		for (j = 0; j < MAXQ && c->q[j].module != NULL; j++) {
			url = "unset";
			snprintf(name, sizeof(name), "%s: mode of %s", c->name,
			    c->q[j].module);
			is_str(mode_name(mode_for(&t, c->q[j].module, &url)),
			    mode_name(c->q[j].mode), name);
			snprintf(name, sizeof(name), "%s: URL of %s", c->name,
			    c->q[j].module);
			is_str(url, c->q[j].url, name);
		}
		mode_free(&t);
		ok(t.n == 0 && t.rules == NULL && t.def_url == NULL,
		    "mode_free empties the table");
	}

	for (i = 0; i < NITEMS(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		memset(&t, 0xff, sizeof(t));
		rc = load(c->name, c->text, c->len, c->spec, &t, &e);
		snprintf(name, sizeof(name), "%s: rejected", c->name);
		ok(rc == -1 && e.code == E_CONFIG, name);
		snprintf(name, sizeof(name), "%s: message", c->name);
		if (!ok(strstr(e.msg, c->why) != NULL, name))
			printf("#   got: '%s'\n#   expected: '%s'\n", e.msg,
			    c->why);
		snprintf(name, sizeof(name), "%s: table left empty", c->name);
		ok(t.n == 0 && t.rules == NULL && t.def_url == NULL, name);
		ok(strstr(e.msg, "secret") == NULL, "no password in messages");
	}

	/* mode_name of every mode, and of a bad value. */
	is_str(mode_name(DL_SYNC), "sync", "mode_name sync");
	is_str(mode_name(DL_ASYNC), "async", "mode_name async");
	is_str(mode_name(DL_NONE), "none", "mode_name none");
	is_str(mode_name(DL_REDIRECT), "redirect", "mode_name redirect");
	is_str(mode_name(DL_ASYNC_REDIRECT), "async_redirect",
	    "mode_name async_redirect");
	is_str(mode_name((enum dl_mode)99), "unknown", "mode_name 99");

	/* A NULL url pointer is allowed. */
	err_clear(&e);
	mode_load("none", &t, &e);
	is_int(mode_for(&t, "a.example/b", NULL), DL_NONE, "mode_for, no url");
	mode_free(&t);
	err_clear(&e);
	ok(mode_load(NULL, &t, &e) == -1 && e.code == E_CONFIG,
	    "a NULL spec is an error");

	big_files();

	for (i = 0; i < (size_t)nfiles; i++) {
		snprintf(name, sizeof(name), "%s/%zu.hcl", tmpdir, i);
		unlink(name);
	}
	ok(rmdir(tmpdir) == 0, "temporary files removed");
	return tap_done();
}

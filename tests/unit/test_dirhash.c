/*
 * test_dirhash.c: unit tests for dirhash.c (SHA-256 and the go.sum "h1:"
 * hashes of go.mod bodies and module zips).
 *
 * Known values come from protocol.md section 4.6 and golang/mod's
 * zip/testdata/create (simple.txt, exclude_submodule.txt).  Zips are built
 * here with libzip and with the zip(1) tool, and an independent expected
 * h1 is computed with sha256sum(1) in a shell pipeline over the same tree,
 * never with the code under test.  Broken zips are made by patching the
 * bytes of good ones.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zip.h>

#include "piraeus.h"
#include "tap.h"

#define PATH_CAP	1024
#include "testfile.h"
#define ENTRIES_MAX	8
#define BIG_LEN		(300 * 1024)	/* several read chunks */
#define SH_OUT_MAX	256
#define ARGS_MAX	16

#define H1_SIMPLE	"h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k="
#define H1_EXCL_SUB	"h1:XduFAgX/GaspZa8Jv4pfzoGEzNaU/r88PiCunijw5ok="
#define H1_EMPTY_SUM	"h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

#define PFX		"example.com/m@v1.0.0/"
#define GOMOD_SIMPLE	"module example.com/m\n\ngo 1.13\n"
#define MGO_SIMPLE	"package m\n\nfunc Foo() int { return 42 }\n"
#define HELLO_SIMPLE	"package main\n\nimport (\n  \"fmt\"\n" \
			"  \"example.com/m\"\n)\n\nfunc main() {\n" \
			"  fmt.Println(m.Foo())\n}\n"

static char tmpdir[PATH_CAP];

/* SHA-256 of short strings (FIPS 180-2 and well-known values). */
static const struct {
	const char	*in;
	const char	*hex;
} sha_cases[] = {
	{ "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

/* go.mod hashes, protocol.md 4.6 and exclude_submodule.txt. */
static const struct {
	const char	*body;
	const char	*h1;
} mod_cases[] = {
	{ "", "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=" },
	{ "module example.com/m\n",
	  "h1:flS2VctbRrTv+sBE+VKgxx6hlkMGPVz9MGOmzMYFg3k=" },
};

struct entry {
	const char	*name;
	const char	*data;		/* NULL: a directory entry */
	zip_int32_t	 method;
};

/* Zips built with libzip: expected h1, or failure with an error code. */
static const struct {
	const char	*desc;
	struct entry	 e[ENTRIES_MAX];
	const char	*h1;		/* NULL: must fail */
	enum errc	 code;
} zip_cases[] = {
	{ "simple.txt, deflate, in order", {
		{ PFX "go.mod", GOMOD_SIMPLE, ZIP_CM_DEFLATE },
		{ PFX "m.go", MGO_SIMPLE, ZIP_CM_DEFLATE },
		{ PFX "cmd/hello/hello.go", HELLO_SIMPLE, ZIP_CM_DEFLATE },
	  }, H1_SIMPLE, E_OK },
	{ "simple.txt, stored, reversed", {
		{ PFX "cmd/hello/hello.go", HELLO_SIMPLE, ZIP_CM_STORE },
		{ PFX "m.go", MGO_SIMPLE, ZIP_CM_STORE },
		{ PFX "go.mod", GOMOD_SIMPLE, ZIP_CM_STORE },
	  }, H1_SIMPLE, E_OK },
	{ "simple.txt, mixed methods", {
		{ PFX "m.go", MGO_SIMPLE, ZIP_CM_STORE },
		{ PFX "go.mod", GOMOD_SIMPLE, ZIP_CM_DEFLATE },
		{ PFX "cmd/hello/hello.go", HELLO_SIMPLE, ZIP_CM_STORE },
	  }, H1_SIMPLE, E_OK },
	{ "exclude_submodule.txt", {
		{ PFX "go.mod", GOMOD_SIMPLE, ZIP_CM_DEFLATE },
	  }, H1_EXCL_SUB, E_OK },
	{ "name with a newline", {
		{ PFX "go.mod", GOMOD_SIMPLE, ZIP_CM_DEFLATE },
		{ PFX "a\nb.go", MGO_SIMPLE, ZIP_CM_DEFLATE },
	  }, NULL, E_BADREQ },
};

/* Run args in dir; stdout into out (NUL-terminated) if out != NULL. */
static int
run(const char *dir, const char *const args[], char *out, size_t outsz)
{
	char *argv[ARGS_MAX + 1];
	int fds[2], status, devnull;
	size_t len = 0, i;
	ssize_t got;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((devnull = open("/dev/null", O_RDWR)) != -1) {
			dup2(devnull, 0);
			dup2(devnull, 2);
		}
		dup2(fds[1], 1);
		close(fds[0]);
		if (dir != NULL && chdir(dir) != 0)
			_exit(126);
		for (i = 0; i < ARGS_MAX && args[i] != NULL; i++)
			argv[i] = xstrdup(args[i]);
		argv[i] = NULL;
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		char sink[256];

		if (out != NULL && len + 1 < outsz)
			got = read(fds[0], out + len, outsz - 1 - len);
		else
			got = read(fds[0], sink, sizeof(sink));
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (out != NULL && len + 1 < outsz)
			len += (size_t)got;
	}
	close(fds[0]);
	if (out != NULL)
		out[len] = '\0';
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Make a zip with libzip; data of file entries must stay valid. */
static int
make_zip(const char *path, const struct entry *e, size_t n, const void *big,
    size_t biglen)
{
	zip_source_t *src;
	zip_int64_t idx;
	zip_t *za;
	size_t i;
	int zerr;

	if ((za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr)) == NULL)
		return -1;
	for (i = 0; i < n && e[i].name != NULL; i++) {
		if (e[i].data == NULL) {
			if (zip_dir_add(za, e[i].name, ZIP_FL_ENC_UTF_8) < 0)
				goto fail;
			continue;
		}
		if (strcmp(e[i].data, "@big") == 0)
			src = zip_source_buffer(za, big, biglen, 0);
		else
			src = zip_source_buffer(za, e[i].data,
			    strlen(e[i].data), 0);
		if (src == NULL)
			goto fail;
		if ((idx = zip_file_add(za, e[i].name, src,
		    ZIP_FL_ENC_UTF_8)) < 0) {
			zip_source_free(src);
			goto fail;
		}
		if (zip_set_file_compression(za, (zip_uint64_t)idx,
		    e[i].method, 0) != 0)
			goto fail;
	}
	if (zip_close(za) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "libzip: %s\n", zip_strerror(za));
	zip_discard(za);
	return -1;
}

static void
check_h1(const char *zip, const char *want, const char *name)
{
	struct err e;
	char h1[H1_MAX];
	int rv;

	err_clear(&e);
	memset(h1, 0, sizeof(h1));
	rv = dirhash_zip(zip, h1, &e);
	if (rv != 0)
		printf("# %s: %s\n", name, e.msg);
	is_str(rv == 0 ? h1 : "(failed)", want, name);
}

static void
check_fail(const char *zip, enum errc code, const char *name)
{
	struct err e;
	char h1[H1_MAX];
	int rv;

	err_clear(&e);
	rv = dirhash_zip(zip, h1, &e);
	is_int(rv, -1, name);
	is_str(err_name(e.code), err_name(code), name);
	ok(e.msg[0] != '\0', "error has a message");
	printf("# %s: %s\n", name, e.msg);
}

static void
test_sha256(void)
{
	char hex[SHA256_HEX], path[PATH_CAP];
	struct err e;
	size_t i;

	for (i = 0; i < NITEMS(sha_cases); i++) {
		dirhash_sha256_hex(sha_cases[i].in, strlen(sha_cases[i].in),
		    hex);
		is_str(hex, sha_cases[i].hex, "sha256 of a buffer");

		path_join(path, tmpdir, "sha.txt");
		if (write_file(path, sha_cases[i].in,
		    strlen(sha_cases[i].in)) != 0)
			ok(0, "write sha.txt");
		err_clear(&e);
		memset(hex, 0, sizeof(hex));
		is_int(dirhash_sha256_file(path, hex, &e), 0,
		    "sha256 of a file");
		is_str(hex, sha_cases[i].hex, "sha256 of a file: value");
	}
	path_join(path, tmpdir, "no-such-file");
	err_clear(&e);
	is_int(dirhash_sha256_file(path, hex, &e), -1, "sha256 missing file");
	is_str(err_name(e.code), err_name(E_NOTFOUND),
	    "sha256 missing file: not found");
}

static void
test_mod(void)
{
	char h1[H1_MAX];
	struct err e;
	size_t i;

	for (i = 0; i < NITEMS(mod_cases); i++) {
		err_clear(&e);
		memset(h1, 0, sizeof(h1));
		is_int(dirhash_mod(mod_cases[i].body,
		    strlen(mod_cases[i].body), h1, &e), 0, "dirhash_mod");
		is_str(h1, mod_cases[i].h1, "dirhash_mod value");
	}
	/* exclude_submodule's zip holds only go.mod; not the go.mod hash. */
	err_clear(&e);
	is_int(dirhash_mod(GOMOD_SIMPLE, strlen(GOMOD_SIMPLE), h1, &e), 0,
	    "dirhash_mod of a 3-line go.mod");
	ok(strcmp(h1, H1_EXCL_SUB) != 0, "go.mod hash is not the zip hash");
	ok(strlen(h1) == 47, "h1 is 47 characters");
}

static void
test_zip_table(void)
{
	char path[PATH_CAP];
	size_t i;

	for (i = 0; i < NITEMS(zip_cases); i++) {
		path_join(path, tmpdir, "case.zip");
		if (make_zip(path, zip_cases[i].e, ENTRIES_MAX, NULL, 0) != 0) {
			ok(0, zip_cases[i].desc);
			continue;
		}
		if (zip_cases[i].h1 != NULL)
			check_h1(path, zip_cases[i].h1, zip_cases[i].desc);
		else
			check_fail(path, zip_cases[i].code, zip_cases[i].desc);
	}
}

/* A directory entry counts, with empty content (protocol.md 4.6). */
static void
test_zip_dirs(void)
{
	static const struct entry with_dir[] = {
		{ PFX "go.mod", GOMOD_SIMPLE, ZIP_CM_DEFLATE },
		{ PFX "cmd/", NULL, 0 },
		{ PFX "m.go", MGO_SIMPLE, ZIP_CM_DEFLATE },
		{ PFX "cmd/hello/hello.go", HELLO_SIMPLE, ZIP_CM_DEFLATE },
	};
	static const struct entry only_dir[] = {
		{ PFX, NULL, 0 },
	};
	/* "e3b0...  example.com/m@v1.0.0/\n" through openssl and base64. */
	static const char only_dir_h1[] =
	    "h1:ng6/Bi6S2CujqA8w/eVsp9nm0d5a3SiMNstF9P2Hx+s=";
	char path[PATH_CAP], h1[H1_MAX];
	struct err e;

	path_join(path, tmpdir, "dir.zip");
	ok(make_zip(path, with_dir, NITEMS(with_dir), NULL, 0) == 0,
	    "make zip with a directory entry");
	err_clear(&e);
	is_int(dirhash_zip(path, h1, &e), 0, "zip with a directory entry");
	ok(strcmp(h1, H1_SIMPLE) != 0, "a directory entry changes the h1");

	ok(make_zip(path, only_dir, NITEMS(only_dir), NULL, 0) == 0,
	    "make zip with only a directory");
	check_h1(path, only_dir_h1, "zip of one directory entry");
}

/* Write a tree for the shell route and zip(1). */
static int
write_tree(const char *root, const unsigned char *big, size_t biglen)
{
	static const struct {
		const char	*name;
		const char	*data;
	} files[] = {
		{ "example.com", NULL },
		{ "example.com/m@v1.0.0", NULL },
		{ "example.com/m@v1.0.0/cmd", NULL },
		{ "example.com/m@v1.0.0/cmd/hello", NULL },
		{ PFX "go.mod", GOMOD_SIMPLE },
		{ PFX "m.go", MGO_SIMPLE },
		{ PFX "cmd/hello/hello.go", HELLO_SIMPLE },
	};
	char path[PATH_CAP];
	size_t i;

	if (mkdir(root, 0700) != 0)
		return -1;
	for (i = 0; i < NITEMS(files); i++) {
		path_join(path, root, files[i].name);
		if (files[i].data == NULL) {
			if (mkdir(path, 0700) != 0)
				return -1;
		} else if (write_file(path, files[i].data,
		    strlen(files[i].data)) != 0)
			return -1;
	}
	if (big != NULL) {
		path_join(path, root, PFX "big.bin");
		if (write_file(path, big, biglen) != 0)
			return -1;
	}
	return 0;
}

/*
 * The independent route: sha256sum over the tree ($1), directories as
 * empty "name/" entries when $2 is 1, then SHA-256 and base64 of the
 * summary.  Exits 77 when a tool is missing.
 */
static const char shell_h1[] =
    "set -e\n"
    "command -v sha256sum >/dev/null || exit 77\n"
    "if command -v openssl >/dev/null; then\n"
    "  bin='openssl dgst -sha256 -binary'\n"
    "elif command -v xxd >/dev/null; then\n"
    "  bin='sha256sum | cut -c1-64 | xxd -r -p'\n"
    "else exit 77; fi\n"
    "cd \"$1\"\n"
    "{ find . -mindepth 1 -type f | sed 's|^\\./||'\n"
    "  if [ \"$2\" = 1 ]; then find . -mindepth 1 -type d |"
    " sed 's|^\\./||; s|$|/|'; fi\n"
    "} | LC_ALL=C sort | while IFS= read -r p; do\n"
    "  case $p in\n"
    "  */) h=$(printf '' | sha256sum) ;;\n"
    "  *) h=$(sha256sum < \"$p\") ;;\n"
    "  esac\n"
    "  printf '%s  %s\\n' \"${h%% *}\" \"$p\"\n"
    "done | eval \"$bin\" | base64\n";

static int
shell_expect(const char *root, int dirs, char *out, size_t outsz)
{
	const char *argv[] = { "sh", "-c", shell_h1, "sh", root,
	    dirs ? "1" : "0", NULL };
	size_t len;
	int rv;

	if ((rv = run(NULL, argv, out, outsz)) != 0)
		return rv;
	len = strlen(out);
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	if (len != 44)
		return -1;
	memmove(out + 3, out, len + 1);
	memcpy(out, "h1:", 3);
	return 0;
}

static int
zip_tool(const char *root, const char *zip, const char *opts)
{
	const char *argv[] = { "zip", "-q", "-X", "-r", opts, zip,
	    "example.com", NULL };

	return run(root, argv, NULL, 0);
}

static void
test_zip_tool(const unsigned char *big, size_t biglen)
{
	static const struct {
		const char	*desc;
		const char	*opts;	/* -D: no dirs, -0: store */
		int		 dirs;
		int		 big;
	} tool_cases[] = {
		{ "zip -D (deflate)", "-D", 0, 0 },
		{ "zip -D -0 (stored)", "-D0", 0, 0 },
		{ "zip with directory entries", "-9", 1, 0 },
		{ "zip -D with a big file", "-D", 0, 1 },
		{ "zip -D -0 with a big file", "-D0", 0, 1 },
		{ "zip -1 with dirs and a big file", "-1", 1, 1 },
	};
	/* The same big tree built by libzip, reversed, other methods. */
	static const struct entry big_entries[] = {
		{ PFX "m.go", MGO_SIMPLE, ZIP_CM_DEFLATE },
		{ PFX "go.mod", GOMOD_SIMPLE, ZIP_CM_STORE },
		{ PFX "big.bin", "@big", ZIP_CM_STORE },
		{ PFX "cmd/hello/hello.go", HELLO_SIMPLE, ZIP_CM_DEFLATE },
	};
	char root[2][PATH_CAP], zip[PATH_CAP], want[SH_OUT_MAX];
	const char *vargv[] = { "zip", "-v", NULL };
	char h1_nodir[H1_MAX] = "", h1_big[H1_MAX] = "";
	size_t i;
	int rv;

	path_join(root[0], tmpdir, "tree");
	path_join(root[1], tmpdir, "tree-big");
	ok(write_tree(root[0], NULL, 0) == 0, "write tree");
	ok(write_tree(root[1], big, biglen) == 0, "write big tree");

	/* The shell route must agree with golang/mod's value first. */
	rv = shell_expect(root[0], 0, want, sizeof(want));
	if (rv == 77) {
		ok(1, "# SKIP sha256sum/openssl not available");
		return;
	}
	is_str(rv == 0 ? want : "(shell failed)", H1_SIMPLE,
	    "shell route gives simple.txt's h1");
	if (shell_expect(root[1], 0, h1_big, sizeof(h1_big)) != 0)
		ok(0, "shell route on the big tree");
	path_join(zip, tmpdir, "big-libzip.zip");
	ok(make_zip(zip, big_entries, NITEMS(big_entries), big, biglen) == 0,
	    "make big zip with libzip");
	check_h1(zip, h1_big, "libzip big zip matches the shell route");
	check_h1(zip, h1_big, "same zip twice, same h1");

	if (run(NULL, vargv, NULL, 0) != 0) {
		ok(1, "# SKIP zip(1) not installed");
		return;
	}
	for (i = 0; i < NITEMS(tool_cases); i++) {
		const char *r = root[tool_cases[i].big];

		if (shell_expect(r, tool_cases[i].dirs, want,
		    sizeof(want)) != 0) {
			ok(0, "shell route");
			continue;
		}
		path_join(zip, tmpdir, "tool.zip");
		unlink(zip);
		if (zip_tool(r, zip, tool_cases[i].opts) != 0) {
			ok(0, tool_cases[i].desc);
			continue;
		}
		check_h1(zip, want, tool_cases[i].desc);
		if (!tool_cases[i].dirs && !tool_cases[i].big)
			memcpy(h1_nodir, want, sizeof(h1_nodir));
		if (tool_cases[i].dirs)
			ok(strcmp(want, tool_cases[i].big ? h1_big : h1_nodir)
			    != 0, "directory entries change the h1");
	}
}



/*
 * Patch every local and central header of a zip: the method, the
 * uncompressed size (added to delta), or a name byte.
 */
enum patch { P_METHOD, P_SIZE, P_SIZE_SET, P_NAME };

static int
patch_zip(const char *src, const char *dst, enum patch what, long arg)
{
	static const unsigned char lsig[] = { 'P', 'K', 3, 4 };
	static const unsigned char csig[] = { 'P', 'K', 1, 2 };
	unsigned char *p;
	size_t len, i, off;
	int central, done = 0, rv;

	if ((p = read_file(src, &len)) == NULL)
		return -1;
	for (i = 0; i + 46 <= len; i++) {
		if (memcmp(p + i, lsig, 4) == 0)
			central = 0;
		else if (memcmp(p + i, csig, 4) == 0)
			central = 1;
		else
			continue;
		off = i + (central ? 2 : 0);
		switch (what) {
		case P_METHOD:
			put16(p + off + 8, (unsigned)arg);
			break;
		case P_SIZE:
			put32(p + off + 22,
			    get32(p + off + 22) + (uint32_t)arg);
			break;
		case P_SIZE_SET:
			put32(p + off + 22, (uint32_t)arg);
			break;
		case P_NAME:
			/* The last byte of the name. */
			off = i + (central ? 46 : 30);
			off += (size_t)(p[i + (central ? 28 : 26)] |
			    p[i + (central ? 29 : 27)] << 8) - 1;
			if (off < len)
				p[off] = (unsigned char)arg;
			break;
		}
		done++;
	}
	rv = done >= 2 ? write_file(dst, p, len) : -1;
	free(p);
	return rv;
}

static void
test_zip_broken(void)
{
	static const struct entry one[] = {
		{ PFX "go.mod", GOMOD_SIMPLE, ZIP_CM_DEFLATE },
	};
	static const struct entry one_stored[] = {
		{ PFX "go.mod", GOMOD_SIMPLE, ZIP_CM_STORE },
	};
	static const struct entry two[] = {
		{ PFX "a", MGO_SIMPLE, ZIP_CM_DEFLATE },
		{ PFX "b", MGO_SIMPLE, ZIP_CM_DEFLATE },
	};
	static const struct entry two_diff[] = {
		{ PFX "a", "first\n", ZIP_CM_DEFLATE },
		{ PFX "b", "second\n", ZIP_CM_STORE },
	};
	static const struct {
		const char	*desc;
		const struct entry *e;
		size_t		 n;
		enum patch	 what;
		long		 arg;
		enum errc	 code;
	} patch_cases[] = {
		{ "bzip2 method", one, 1, P_METHOD, 12, E_BADREQ },
		{ "lzma method", one_stored, 1, P_METHOD, 14, E_BADREQ },
		{ "declared size one byte short", one, 1, P_SIZE, -1,
		  E_BADREQ },
		{ "declared size one byte long", one, 1, P_SIZE, 1, E_BADREQ },
		{ "stored, declared size short", one_stored, 1, P_SIZE, -1,
		  E_BADREQ },
		{ "declared size over ZIP_MAX", one, 1, P_SIZE_SET,
		  (long)ZIP_MAX + 1, E_TOOBIG },
	};
	/* An end-of-central-directory record alone: a zip of no entries. */
	static const unsigned char eocd[22] = { 'P', 'K', 5, 6 };
	char good[PATH_CAP], bad[PATH_CAP];
	unsigned char *p, *q;
	size_t i, len;

	path_join(good, tmpdir, "good.zip");
	path_join(bad, tmpdir, "bad.zip");
	for (i = 0; i < NITEMS(patch_cases); i++) {
		if (make_zip(good, patch_cases[i].e, patch_cases[i].n, NULL,
		    0) != 0 || patch_zip(good, bad, patch_cases[i].what,
		    patch_cases[i].arg) != 0) {
			ok(0, patch_cases[i].desc);
			continue;
		}
		check_h1(good, H1_EXCL_SUB, "unpatched zip");
		check_fail(bad, patch_cases[i].code, patch_cases[i].desc);
	}

	/*
	 * Two entries with one name: both listed, as Go's HashZip lists
	 * them (zipcheck refuses two files, not two directory entries).
	 */
	if (make_zip(good, two, 2, NULL, 0) != 0 ||
	    patch_zip(good, bad, P_NAME, 'a') != 0)
		ok(0, "make two entries with one name");
	else
		check_h1(bad, "h1:aAfaVDrofZvp/rAw0b1yk8i+lIMdtlAb5dPVqvmj9No=",
		    "two entries with one name: both in the summary");

	/*
	 * Two entries with one name and other contents: HashZip's map keeps
	 * the last entry of a name and opens it for each listing of the
	 * name, so both lines hash "second\n" (checked with Go 1.19's
	 * golang.org/x/mod dirhash.HashZip).
	 */
	if (make_zip(good, two_diff, 2, NULL, 0) != 0 ||
	    patch_zip(good, bad, P_NAME, 'a') != 0)
		ok(0, "make two entries with one name, other contents");
	else
		check_h1(bad, "h1:x31pyWyXIb6YT8uTO05LmlvJwUVmvyTdWLQFJvR30FM=",
		    "two entries with one name: both hash as the last one");

	/* Not a zip, a truncated zip, no file at all. */
	if (write_file(bad, "module example.com/m\n", 21) != 0)
		ok(0, "write bad");
	check_fail(bad, E_BADREQ, "not a zip");
	if (write_file(bad, "", 0) != 0)
		ok(0, "write bad");
	check_fail(bad, E_BADREQ, "empty file");
	if (make_zip(good, one, 1, NULL, 0) != 0 ||
	    (p = read_file(good, &len)) == NULL) {
		ok(0, "make zip to truncate");
		return;
	}
	if (write_file(bad, p, len / 2) != 0)
		ok(0, "write truncated");
	check_fail(bad, E_BADREQ, "zip truncated to half");
	if (write_file(bad, p, len - 1) != 0)
		ok(0, "write truncated");
	check_fail(bad, E_BADREQ, "zip missing its last byte");
	/*
	 * A last end record signature whose comment runs past the end: go
	 * 1.26 reads no zip there, and the hash fails too (reindex, import
	 * and prefetch once hashed the file read otherwise).
	 */
	q = xmalloc(len + 22);
	memcpy(q, p, len);
	memset(q + len, 0, 22);
	memcpy(q + len, "PK\5\6", 4);
	q[len + 20] = 0xff;
	if (write_file(bad, q, len + 22) != 0)
		ok(0, "write trailing end record");
	check_fail(bad, E_BADREQ, "a last end record with a truncated comment");
	free(q);
	free(p);
	path_join(bad, tmpdir, "no-such.zip");
	check_fail(bad, E_NOTFOUND, "missing zip");

	path_join(bad, tmpdir, "empty.zip");
	if (write_file(bad, eocd, sizeof(eocd)) != 0)
		ok(0, "write empty zip");
	check_h1(bad, H1_EMPTY_SUM, "zip with no entries");
}

int
main(void)
{
	unsigned char *big;
	const char *t;
	const char *rmargv[] = { "rm", "-rf", tmpdir, NULL };
	uint32_t x = 12345;
	size_t i;

	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s/test_dirhash.XXXXXX",
	    t) >= sizeof(tmpdir) || mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	big = xmalloc(BIG_LEN);
	for (i = 0; i < BIG_LEN; i++) {
		x = x * 1103515245 + 12345;
		big[i] = (unsigned char)(x >> 16);
	}

	test_sha256();
	test_mod();
	test_zip_table();
	test_zip_dirs();
	test_zip_tool(big, BIG_LEN);
	test_zip_broken();

	free(big);
	run(NULL, rmargv, NULL, 0);
	return tap_done();
}

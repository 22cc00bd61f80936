/*
 * test_zipcheck.c: unit tests for zipcheck.c, the module zip rules of
 * protocol.md sections 4.1, 4.2 and 4.4 and the h1 of an accepted zip.
 *
 * Every zip is built here with libzip in a temporary directory; what
 * libzip will not write (two entries with one name, a NUL in a name, a
 * bzip2 or LZMA method, the encryption flag, a declared size that lies)
 * is made by patching the bytes of the local and central headers.
 *
 * The expected h1 of each good zip was computed outside this program,
 * twice: with golang.org/x/mod/sumdb/dirhash.HashZip (Go 1.19) and with a
 * sha256sum pipeline over the unzipped tree (h1_of_dir of t0100-cli.t);
 * simple.txt's value is golang/mod's own.  The cases added for the
 * encryption flags, file types, repeated directory entries and CRC-32 were
 * checked (verdict and h1) with dirhash.HashZip and zip.Unzip of Go 1.19's
 * golang.org/x/mod and of Go 1.26's vendored copy.  Each bad zip is
 * refused by both, except where a comment says one version accepts it
 * (piraeus refuses what either refuses).  t1450-zip-oracle.t asks the
 * go command itself about a table of such zips.  Set ZIPCHECK_TEST_KEEP=1 to keep the zips (the
 * directory and a manifest are printed as TAP comments).
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
#include <zlib.h>

#include "piraeus.h"
#include "tap.h"

#define PATH_CAP	1024
#include "testfile.h"
#define ENTRIES_MAX	8
#define MIB16		(16 * 1024 * 1024)
#define ZEROS_MAX	(MIB16 + 1)

#define H1_SIMPLE	"h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k="
#define H1_EXCL_SUB	"h1:XduFAgX/GaspZa8Jv4pfzoGEzNaU/r88PiCunijw5ok="
#define H1_MGO		"h1:uBrA7z4htHqUtYL45hWevM82ot2Badt5uFXHNmTx0u8="
#define H1_LINK		"h1:avWe2hEmuZlp3xRWqnfyaNRgkuGTIqfukHlHjIrw8zg="
#define H1_FIFO		"h1:CVC73y5oVY+8LfA9GtqT5TDtKRFhZ+E06UjJOl+h6oE="
#define H1_DIR2		"h1:4RcV1ML3U1m47SyLt3M7kPI1YAkrb/a9daO0li/a2Cw="
#define H1_ROOT2	"h1:4vmAmlQL+/P9Z6qVEkNAktKTg3FjMwv84dJ8KCh/tso="
#define H1_DIR1		"h1:CZY83jqBTVZz4vpHtBgoPpb5QKt8w6v+o1Y8p0hxqZE="
#define H1_EMPTY_SUM	"h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
/* PFX "m.go" empty; PFX "m.go" and PFX "go.mod" of simple.txt. */
#define H1_MGO_EMPTY	"h1:jGwKYnJUpSmA+QQiOZaIx1SQB2/2T5lqMsxqr5VHoeM="
#define H1_MGO_GOMOD	"h1:EUp/qgm1ShD4M45tXyYsFYXc+UxhQw6jvC3GRdnHs6o="

#define MOD		"example.com/m"
#define V1		"v1.0.0"
#define PFX		MOD "@" V1 "/"
#define GOMOD_SIMPLE	"module example.com/m\n\ngo 1.13\n"
#define MGO_SIMPLE	"package m\n\nfunc Foo() int { return 42 }\n"
#define HELLO_SIMPLE	"package main\n\nimport (\n  \"fmt\"\n" \
			"  \"example.com/m\"\n)\n\nfunc main() {\n" \
			"  fmt.Println(m.Foo())\n}\n"

/* Unix modes for the external attributes. */
#define M_REG		0100644
#define M_DIR		040755
#define M_LNK		0120777
#define M_FIFO		010644

static char tmpdir[PATH_CAP];
static unsigned char *zeros;	/* ZEROS_MAX zero bytes */
static int keep;

/* One entry of a zip built with libzip. */
struct entry {
	const char	*name;
	const char	*data;		/* NULL: a directory entry */
	zip_int32_t	 method;
	uint32_t	 mode;		/* 0: libzip's attributes */
	size_t		 zeros;		/* > 0: that many zero bytes instead */
};

/* A file, deflated; a file, stored; a directory. */
#define F(n, d)		{ (n), (d), ZIP_CM_DEFLATE, 0, 0 }
#define S(n, d)		{ (n), (d), ZIP_CM_STORE, 0, 0 }
#define D(n)		{ (n), NULL, ZIP_CM_STORE, 0, 0 }
#define SIMPLE3		F(PFX "go.mod", GOMOD_SIMPLE), \
			F(PFX "m.go", MGO_SIMPLE), \
			F(PFX "cmd/hello/hello.go", HELLO_SIMPLE)

/* Byte patches of the headers (local and central) of one entry. */
enum patch_kind {
	P_NONE = 0, P_METHOD, P_FLAGS, P_USIZE, P_NAME, P_CRC,
	P_EOCD,		/* the end record's entry counts */
	P_EOCD_FIRST	/* the end record lists the first central record only */
};
struct patch {
	enum patch_kind	 kind;
	const char	*name;		/* the entry to patch */
	uint32_t	 value;		/* method, flags, size, EOCD count */
	const char	*to;		/* P_NAME: new name, same length */
};

struct zcase {
	const char	*desc;
	const char	*module;
	const char	*version;
	struct entry	 e[ENTRIES_MAX];
	struct patch	 patch[2];
	const char	*h1;		/* NULL: must be refused */
	const char	*msg;		/* refused: a part of the message */
};

/* Zips that must be accepted, with their independently computed h1. */
static const struct zcase good_cases[] = {
	{ "simple.txt, deflated", MOD, V1, { SIMPLE3 }, { { 0 } },
	  H1_SIMPLE, NULL },
	{ "simple.txt, stored, reversed", MOD, V1, {
		S(PFX "cmd/hello/hello.go", HELLO_SIMPLE),
		S(PFX "m.go", MGO_SIMPLE),
		S(PFX "go.mod", GOMOD_SIMPLE) }, { { 0 } }, H1_SIMPLE, NULL },
	{ "exclude_submodule.txt: go.mod alone", MOD, V1, {
		F(PFX "go.mod", GOMOD_SIMPLE) }, { { 0 } }, H1_EXCL_SUB,
	  NULL },
	{ "no go.mod", MOD, V1, {
		F(PFX "m.go", MGO_SIMPLE),
		F(PFX "cmd/hello/hello.go", HELLO_SIMPLE) }, { { 0 } },
	  "h1:eX19Ag89/tHoHQMMwjdJdMNamsyHXXbxMXPgsdlyRL0=", NULL },
	{ "directory entries, root one too", MOD, V1, {
		D(PFX), D(PFX "cmd/"), D(PFX "cmd/hello/"), SIMPLE3 },
	  { { 0 } }, "h1:CCh2hVINVYuv0BvJr+JQQBylIBM1i352n02rp6LKTmg=", NULL },
	{ "Unix modes: regular files, a directory", MOD, V1, {
		{ PFX "go.mod", GOMOD_SIMPLE, ZIP_CM_DEFLATE, M_REG, 0 },
		{ PFX "cmd/", NULL, ZIP_CM_STORE, M_DIR, 0 },
		{ PFX "m.go", MGO_SIMPLE, ZIP_CM_STORE, M_REG | 0111, 0 } },
	  { { 0 } }, "h1:n5S6MDOpy7AFbXvVWDsNJ453uL8UoqS5vZ7Dm22hS5M=", NULL },
	{ "+incompatible", MOD, "v2.0.0+incompatible", {
		F(MOD "@v2.0.0+incompatible/m.go", MGO_SIMPLE) }, { { 0 } },
	  "h1:2tRmi15pGEup8+DKaOSR8xtOpbmXvyI52Nrd1ZiW7O4=", NULL },
	{ "/v2 module", MOD "/v2", "v2.1.0", {
		F(MOD "/v2@v2.1.0/go.mod", "module example.com/m/v2\n"),
		F(MOD "/v2@v2.1.0/m.go", MGO_SIMPLE) }, { { 0 } },
	  "h1:3tcRiljDfgJV3x3w2Y622o7I8WTfiIA0GZHUZpiTeeg=", NULL },
	{ "gopkg.in .v2 module", "gopkg.in/yaml.v2", "v2.4.0", {
		F("gopkg.in/yaml.v2@v2.4.0/yaml.go", "package yaml\n") },
	  { { 0 } }, "h1:rfvBsfVCs59hehA74JmNyygK/DiLsIolqsESZ1byKPI=", NULL },
	{ "pseudo-version", MOD, "v0.0.0-20200101000000-abcdefabcdef", {
		F(MOD "@v0.0.0-20200101000000-abcdefabcdef/m.go",
		  MGO_SIMPLE) }, { { 0 } },
	  "h1:GpeZe4Q7FB/ca9rU3OJzdZlgAZsLmrOU+S69ORGJvIc=", NULL },
	{ "upper-case module path", "github.com/Azure/go-autorest", V1, {
		F("github.com/Azure/go-autorest@" V1 "/LICENSE", "MIT\n"),
		F("github.com/Azure/go-autorest@" V1 "/autorest.go",
		  "package autorest\n") }, { { 0 } },
	  "h1:3L9h2Laiz68Y2Dwu8i2xll9OB1ZK5AuTlwaHIx/CVjw=", NULL },
	{ "no fold: i, dotless i, dotted I; Cyrillic names", MOD, V1, {
		F(PFX "i.go", "i"),
		F(PFX "\xc4\xb1.go", "dotless i"),
		F(PFX "\xc4\xb0.go", "dotted I"),
		F(PFX "\xd0\xb8\xd1\x81\xd0\xbf\xd1\x8b\xd1\x82\xd0\xb0\xd0\xbd"
		  "\xd0\xb8\xd0\xb5/\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb.go",
		  "package x\n") }, { { 0 } },
	  "h1:gtf9SucJzdweYZXHAAMTAXfgbeBDRZ4ACfRGjiIkpPE=", NULL },
	{ "root LICENSE of exactly 16 MiB", MOD, V1, {
		{ PFX "LICENSE", "", ZIP_CM_DEFLATE, 0, MIB16 } }, { { 0 } },
	  "h1:6okbhrcnRE/cflAcTosh1oOjidh4Hi22CV30YirP2B4=", NULL },
	/*
	 * What CheckZip, HashZip and Unzip do not look at (Go 1.19 and
	 * 1.26): the encryption flags (the stored bytes are read as they
	 * are), the Unix file type (the entry is unzipped as a regular file),
	 * a directory entry twice, a CRC-32 of 0 (not compared).
	 */
	{ "encrypted flag on stored data (patched)", MOD, V1, {
		S(PFX "m.go", MGO_SIMPLE) },
	  { { P_FLAGS, PFX "m.go", 1, NULL } }, H1_MGO, NULL },
	{ "encrypted flag on deflated data (patched)", MOD, V1, {
		F(PFX "m.go", MGO_SIMPLE) },
	  { { P_FLAGS, PFX "m.go", 1, NULL } }, H1_MGO, NULL },
	{ "strong encryption flags (patched)", MOD, V1, {
		F(PFX "m.go", MGO_SIMPLE) },
	  { { P_FLAGS, PFX "m.go", 0x41, NULL } }, H1_MGO, NULL },
	{ "symbolic link entry: a file holding the link", MOD, V1, {
		F(PFX "go.mod", GOMOD_SIMPLE),
		{ PFX "link", "/etc/passwd", ZIP_CM_STORE, M_LNK, 0 } },
	  { { 0 } }, H1_LINK, NULL },
	{ "named pipe entry: a regular file", MOD, V1, {
		{ PFX "fifo", "", ZIP_CM_STORE, M_FIFO, 0 } },
	  { { 0 } }, H1_FIFO, NULL },
	{ "a directory entry twice (patched)", MOD, V1, {
		D(PFX "a/"), D(PFX "b/"), F(PFX "a/x.go", "x") },
	  { { P_NAME, PFX "b/", 0, PFX "a/" } }, H1_DIR2, NULL },
	{ "the root directory entry twice (patched)", MOD, V1, {
		D(PFX), D("example.com/n@" V1 "/"), F(PFX "m.go", MGO_SIMPLE) },
	  { { P_NAME, "example.com/n@" V1 "/", 0, PFX } }, H1_ROOT2, NULL },
	/* HashZip opens the last entry of a name: the first is not read. */
	{ "directory entry twice, the first one's descriptor bad (patched)",
	  MOD, V1, { D(PFX "b/"), D(PFX "a/"), F(PFX "a/x.go", "x") },
	  { { P_FLAGS, PFX "b/", 8, NULL },
	    { P_NAME, PFX "b/", 0, PFX "a/" } }, H1_DIR2, NULL },
	{ "a directory entry after its file", MOD, V1, {
		F(PFX "a/x.go", "x"), D(PFX "a/") }, { { 0 } }, H1_DIR1,
	  NULL },
	{ "CRC-32 declared as 0 (patched)", MOD, V1, {
		F(PFX "m.go", MGO_SIMPLE) },
	  { { P_CRC, PFX "m.go", 0, NULL } }, H1_MGO, NULL },
	{ "CRC-32 declared as 0, stored (patched)", MOD, V1, {
		S(PFX "m.go", MGO_SIMPLE) },
	  { { P_CRC, PFX "m.go", 0, NULL } }, H1_MGO, NULL },
	{ "sub/LICENSE over 16 MiB is not capped", MOD, V1, {
		{ PFX "sub/LICENSE", "", ZIP_CM_DEFLATE, 0, MIB16 + 1 } },
	  { { 0 } }, "h1:nVQXYwuAf6VZvxBXFUhh32GBdSKslM0Ri4rCV+mdMeI=", NULL },
};

/* Zips that must be refused. */
static const struct zcase bad_cases[] = {
	/* The prefix. */
	{ "other module in prefix", MOD, V1, {
		F(PFX "go.mod", GOMOD_SIMPLE),
		F("example.com/n@" V1 "/x.go", "x") }, { { 0 } }, NULL,
	  "has unexpected file example.com/n@v1.0.0/x.go" },
	{ "other version in prefix", MOD, V1, {
		F(MOD "@v1.0.1/x.go", "x") }, { { 0 } }, NULL,
	  "has unexpected file example.com/m@v1.0.1/x.go" },
	{ "prefix in other case", "github.com/Azure/go-autorest", V1, {
		F("github.com/azure/go-autorest@" V1 "/a.go", "x") },
	  { { 0 } }, NULL, "has unexpected file" },
	{ "prefix without its slash", MOD, V1, {
		F(MOD "@" V1, "x") }, { { 0 } }, NULL, "has unexpected file" },
	{ "absolute name", MOD, V1, {
		F("/" PFX "x.go", "x") }, { { 0 } }, NULL,
	  "has unexpected file" },
	/* Clean names and CheckFilePath. */
	{ "../ traversal", MOD, V1, {
		F(PFX "../x.go", "x") }, { { 0 } }, NULL, "not clean" },
	{ "../../ out of the prefix", MOD, V1, {
		F(PFX "a/../../n@v1.0.0/x.go", "x") }, { { 0 } }, NULL,
	  "not clean" },
	{ "slash after the prefix", MOD, V1, {
		F(PFX "/etc/passwd", "x") }, { { 0 } }, NULL,
	  "not relative" },
	{ "backslash", MOD, V1, {
		F(PFX "a\\b.go", "x") }, { { 0 } }, NULL,
	  "malformed file path" },
	{ "backslash traversal", MOD, V1, {
		F(PFX "..\\x.go", "x") }, { { 0 } }, NULL,
	  "malformed file path" },
	{ "a//b", MOD, V1, {
		F(PFX "a//b.go", "x") }, { { 0 } }, NULL, "not clean" },
	{ "./x", MOD, V1, {
		F(PFX "./x.go", "x") }, { { 0 } }, NULL, "not clean" },
	{ "a/./b", MOD, V1, {
		F(PFX "a/./b.go", "x") }, { { 0 } }, NULL, "not clean" },
	{ "directory a//", MOD, V1, {
		D(PFX "a//") }, { { 0 } }, NULL, "not clean" },
	{ "directory // at the root", MOD, V1, {
		D(PFX "/") }, { { 0 } }, NULL, "not clean" },
	{ "trailing dot", MOD, V1, {
		F(PFX "x.", "x") }, { { 0 } }, NULL, "malformed file path" },
	{ "colon", MOD, V1, {
		F(PFX "c:x.go", "x") }, { { 0 } }, NULL,
	  "malformed file path" },
	{ "Windows device name", MOD, V1, {
		F(PFX "aux.go", "x") }, { { 0 } }, NULL,
	  "malformed file path" },
	{ "invalid UTF-8", MOD, V1, {
		F(PFX "\xff.go", "x") }, { { 0 } }, NULL,
	  "malformed file path" },
	{ "a non-letter rune", MOD, V1, {
		F(PFX "\xe2\x98\x83.go", "x") }, { { 0 } }, NULL,
	  "malformed file path" },
	{ "NUL in a name (patched)", MOD, V1, {
		F(PFX "a_b.go", "x") },
	  { { P_NAME, PFX "a_b.go", 0, PFX "a\0b.go" } }, NULL,
	  "NUL byte" },
	/* Collisions. */
	{ "two entries with one name (patched)", MOD, V1, {
		F(PFX "dupA.go", "a"), F(PFX "dupB.go", "b") },
	  { { P_NAME, PFX "dupB.go", 0, PFX "dupA.go" } }, NULL,
	  "multiple entries for file \"dupA.go\"" },
	{ "m.go and M.GO", MOD, V1, {
		F(PFX "m.go", "a"), F(PFX "M.GO", "b") }, { { 0 } }, NULL,
	  "case-insensitive file name collision: \"m.go\" and \"M.GO\"" },
	{ "a/B/x and a/b/y", MOD, V1, {
		F(PFX "a/B/x.go", "a"), F(PFX "a/b/y.go", "b") }, { { 0 } },
	  NULL, "collision: \"a/B\" and \"a/b\"" },
	{ "A/b/x and a/c/y", MOD, V1, {
		F(PFX "A/b/x.go", "a"), F(PFX "a/c/y.go", "b") }, { { 0 } },
	  NULL, "collision: \"A\" and \"a\"" },
	{ "directory entry and file in other case", MOD, V1, {
		D(PFX "Dir/"), F(PFX "dir/x.go", "b") }, { { 0 } },
	  NULL, "collision: \"Dir\" and \"dir\"" },
	{ "file a and a/x", MOD, V1, {
		F(PFX "a", "a"), F(PFX "a/x.go", "b") }, { { 0 } }, NULL,
	  "entry \"a\" is both a file and a directory" },
	{ "a/x and file a", MOD, V1, {
		F(PFX "a/x.go", "b"), F(PFX "a", "a") }, { { 0 } }, NULL,
	  "entry \"a\" is both a file and a directory" },
	{ "file a and directory a/", MOD, V1, {
		F(PFX "a", "a"), D(PFX "a/") }, { { 0 } }, NULL,
	  "both a file and a directory" },
	{ "Kelvin sign and k", MOD, V1, {
		F(PFX "k.go", "a"), F(PFX "\xe2\x84\xaa.go", "b") },
	  { { 0 } }, NULL, "case-insensitive file name collision" },
	{ "long s and S", MOD, V1, {
		F(PFX "\xc5\xbf.go", "a"), F(PFX "S.go", "b") },
	  { { 0 } }, NULL, "case-insensitive file name collision" },
	{ "sharp s and capital sharp S", MOD, V1, {
		F(PFX "\xc3\x9f.go", "a"), F(PFX "\xe1\xba\x9e.go", "b") },
	  { { 0 } }, NULL, "case-insensitive file name collision" },
	{ "final sigma and sigma", MOD, V1, {
		F(PFX "\xcf\x82.go", "a"), F(PFX "\xcf\x83.go", "b") },
	  { { 0 } }, NULL, "case-insensitive file name collision" },
	{ "Cyrillic de in two cases, in a directory", MOD, V1, {
		F(PFX "\xd0\x94/a.go", "a"), F(PFX "\xd0\xb4/b.go", "b") },
	  { { 0 } }, NULL, "case-insensitive file name collision" },
	{ "DZ digraph: title case and lower case", MOD, V1, {
		F(PFX "\xc7\x85.go", "a"), F(PFX "\xc7\x86.go", "b") },
	  { { 0 } }, NULL, "case-insensitive file name collision" },
	{ "Latin Extended-A: A-macron", MOD, V1, {
		F(PFX "\xc4\x80.go", "a"), F(PFX "\xc4\x81.go", "b") },
	  { { 0 } }, NULL, "case-insensitive file name collision" },
	/* Unicode 14.0 (Go 1.21 and later; Go 1.19 rejects the names). */
	{ "Vithkuqi capital and small A", MOD, V1, {
		F(PFX "\xf0\x90\x95\xb0.go", "a"),
		F(PFX "\xf0\x90\x96\x97.go", "b") },
	  { { 0 } }, NULL, "case-insensitive file name collision" },
	/* go.mod. */
	{ "nested go.mod", MOD, V1, {
		F(PFX "go.mod", GOMOD_SIMPLE),
		F(PFX "sub/go.mod", "module example.com/m/sub\n") }, { { 0 } },
	  NULL, "sub/go.mod: go.mod file not in module root directory" },
	{ "nested GO.MOD", MOD, V1, {
		F(PFX "sub/GO.MOD", "module example.com/m/sub\n") },
	  { { 0 } }, NULL, "not in module root directory" },
	{ "GO.MOD at the root", MOD, V1, {
		F(PFX "GO.MOD", GOMOD_SIMPLE) }, { { 0 } }, NULL,
	  "GO.MOD: go.mod files must have lowercase names" },
	{ "Go.Mod at the root", MOD, V1, {
		F(PFX "Go.Mod", GOMOD_SIMPLE) }, { { 0 } }, NULL,
	  "must have lowercase names" },
	/* Methods, encryption, file types. */
	{ "bzip2 method (patched)", MOD, V1, {
		S(PFX "go.mod", GOMOD_SIMPLE) },
	  { { P_METHOD, PFX "go.mod", 12, NULL } }, NULL,
	  "unsupported compression method 12" },
	{ "LZMA method (patched)", MOD, V1, {
		S(PFX "m.go", MGO_SIMPLE) },
	  { { P_METHOD, PFX "m.go", 14, NULL } }, NULL,
	  "unsupported compression method 14" },
	/* Method 99 without its AES extra field: libzip refuses to open. */
	{ "AES method 99 (patched)", MOD, V1, {
		S(PFX "m.go", MGO_SIMPLE) },
	  { { P_METHOD, PFX "m.go", 99, NULL } }, NULL, NULL },
	/* Go 1.19 opens a directory entry through its decompressor. */
	{ "bzip2 method on a directory entry (patched)", MOD, V1, {
		D(PFX "a/"), F(PFX "a/x.go", "x") },
	  { { P_METHOD, PFX "a/", 12, NULL } }, NULL,
	  "unsupported compression method 12" },
	{ "CRC-32 mismatch (patched)", MOD, V1, {
		F(PFX "m.go", MGO_SIMPLE) },
	  { { P_CRC, PFX "m.go", 0x12345678, NULL } }, NULL,
	  "CRC-32 mismatch" },
	{ "CRC-32 mismatch, stored (patched)", MOD, V1, {
		S(PFX "m.go", MGO_SIMPLE) },
	  { { P_CRC, PFX "m.go", 1, NULL } }, NULL, "CRC-32 mismatch" },
	/*
	 * Go 1.19 reads a directory entry as a file (1.26 reads none): the
	 * CRC-32 of its empty content is 0, Deflate wants a stream.
	 */
	{ "directory entry with a CRC-32 (patched)", MOD, V1, {
		D(PFX "a/"), F(PFX "a/x.go", "x") },
	  { { P_CRC, PFX "a/", 0x12345678, NULL } }, NULL,
	  "CRC-32 mismatch" },
	{ "Deflate directory entry with no data (patched)", MOD, V1, {
		D(PFX "a/"), F(PFX "a/x.go", "x") },
	  { { P_METHOD, PFX "a/", 8, NULL } }, NULL, "deflate data truncated" },
	/*
	 * General purpose bit 3 and no descriptor: Go reads the next
	 * record's signature as the descriptor's CRC-32.
	 */
	{ "data descriptor flag, no descriptor (patched)", MOD, V1, {
		F(PFX "m.go", MGO_SIMPLE) },
	  { { P_FLAGS, PFX "m.go", 8, NULL } }, NULL,
	  "data descriptor CRC-32 is not the central" },
	{ "data descriptor flag, no descriptor, stored (patched)", MOD, V1, {
		S(PFX "go.mod", GOMOD_SIMPLE), S(PFX "m.go", MGO_SIMPLE) },
	  { { P_FLAGS, PFX "go.mod", 8, NULL } }, NULL,
	  "data descriptor CRC-32 is not the central" },
	/* Go 1.19 reads a directory's data descriptor too: the last one. */
	{ "directory entry twice, the last one's descriptor bad (patched)",
	  MOD, V1, { D(PFX "a/"), D(PFX "b/"), F(PFX "a/x.go", "x") },
	  { { P_FLAGS, PFX "b/", 8, NULL },
	    { P_NAME, PFX "b/", 0, PFX "a/" } }, NULL,
	  "data descriptor CRC-32 is not the central" },
	/* Go 1.26 refuses a directory entry with content (1.19 hashes it). */
	{ "directory entry with data (patched name)", MOD, V1, {
		S(PFX "a_", "x"), F(PFX "a/x.go", "x") },
	  { { P_NAME, PFX "a_", 0, PFX "a/" } }, NULL, "has data" },
	/* Sizes. */
	{ "go.mod over 16 MiB", MOD, V1, {
		{ PFX "go.mod", "", ZIP_CM_DEFLATE, 0, MIB16 + 1 } },
	  { { 0 } }, NULL, "go.mod file too large" },
	{ "root LICENSE over 16 MiB", MOD, V1, {
		{ PFX "LICENSE", "", ZIP_CM_DEFLATE, 0, MIB16 + 1 } },
	  { { 0 } }, NULL, "LICENSE file too large" },
	{ "declared go.mod size over 16 MiB (patched)", MOD, V1, {
		F(PFX "go.mod", GOMOD_SIMPLE) },
	  { { P_USIZE, PFX "go.mod", MIB16 + 1, NULL } }, NULL,
	  "go.mod file too large" },
	{ "declared total over 500 MiB (patched)", MOD, V1, {
		F(PFX "a.go", "a"), F(PFX "b.go", "b") },
	  { { P_USIZE, PFX "a.go", 300u << 20, NULL },
	    { P_USIZE, PFX "b.go", 300u << 20, NULL } }, NULL,
	  "total uncompressed size of module contents too large" },
	{ "a zip bomb: 16 MiB declared as 1000 bytes", MOD, V1, {
		{ PFX "bomb.bin", "", ZIP_CM_DEFLATE, 0, MIB16 } },
	  { { P_USIZE, PFX "bomb.bin", 1000, NULL } }, NULL,
	  "larger than its declared size 1000" },
	{ "stored data longer than declared", MOD, V1, {
		S(PFX "m.go", MGO_SIMPLE) },
	  { { P_USIZE, PFX "m.go", 5, NULL } }, NULL, "declared size 5" },
	{ "data shorter than declared", MOD, V1, {
		F(PFX "m.go", MGO_SIMPLE) },
	  { { P_USIZE, PFX "m.go", 100, NULL } }, NULL, "declared 100" },
	/* The central directory: one record more than the end says. */
	{ "end record counts one entry too few", MOD, V1, {
		F(PFX "a.go", "a"), F(PFX "b.go", "b") },
	  { { P_EOCD, NULL, 1, NULL } }, NULL, NULL },
	{ "end record covers the first of two records", MOD, V1, {
		F(PFX "a.go", "a"), F(PFX "b.go", "b") },
	  { { P_EOCD_FIRST, NULL, 1, NULL } }, NULL,
	  "central directory is ambiguous (at offset" },
};

/* Module and version arguments that are refused before the zip. */
static const struct {
	const char	*module;
	const char	*version;
	const char	*msg;
} arg_cases[] = {
	{ "Example.com/m", V1, "malformed module path" },
	{ "example.com/m/v1", V1, "malformed module path" },
	{ MOD, "v1.0", "not canonical (should be \"v1.0.0\")" },
	{ MOD, "v1.0.0+build", "not canonical" },
	{ MOD, "1.0.0", "not a semantic version" },
	{ MOD, "latest", "not a semantic version" },
	{ MOD, "v2.0.0", "compatible with the major version" },
	{ MOD "/v2", V1, "compatible with the major version" },
	{ "gopkg.in/yaml.v2", "v3.0.0", "compatible with the major" },
};

/* Make a zip of up to n entries with libzip. */
static int
make_zip(const char *path, const struct entry *e, size_t n)
{
	zip_source_t *src;
	zip_int64_t idx;
	zip_t *za;
	size_t i;
	int zerr;

	unlink(path);
	if ((za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr)) == NULL)
		return -1;
	for (i = 0; i < n && e[i].name != NULL; i++) {
		if (e[i].data == NULL) {
			if ((idx = zip_dir_add(za, e[i].name,
			    ZIP_FL_ENC_RAW)) < 0)
				goto fail;
		} else {
			if (e[i].zeros > 0)
				src = zip_source_buffer(za, zeros, e[i].zeros,
				    0);
			else
				src = zip_source_buffer(za, e[i].data,
				    strlen(e[i].data), 0);
			if (src == NULL)
				goto fail;
			if ((idx = zip_file_add(za, e[i].name, src,
			    ZIP_FL_ENC_RAW)) < 0) {
				zip_source_free(src);
				goto fail;
			}
			if (zip_set_file_compression(za, (zip_uint64_t)idx,
			    e[i].method, 0) != 0)
				goto fail;
		}
		if (e[i].mode != 0 && zip_file_set_external_attributes(za,
		    (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
		    (zip_uint32_t)e[i].mode << 16) != 0)
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




/*
 * Apply one patch to every header of the named entry (local and central
 * records), or to the end record.  Returns the number of records patched.
 */
static int
patch_buf(unsigned char *p, size_t len, const struct patch *pt)
{
	/* Field offsets in local / central headers (APPNOTE 4.3.7, 4.3.12). */
	static const struct {
		unsigned char	sig[4];
		size_t		fixed, name_len, flags, method, usize, crc;
	} hdr[] = {
		{ { 'P', 'K', 3, 4 }, 30, 26, 6, 8, 22, 14 },
		{ { 'P', 'K', 1, 2 }, 46, 28, 8, 10, 24, 16 },
	};
	static const unsigned char eocd[4] = { 'P', 'K', 5, 6 };
	size_t i, h, nlen, nmlen, first = 0;
	int done = 0;

	for (i = 0; i + 4 <= len; i++) {
		if (first == 0 && i + 46 <= len &&
		    memcmp(p + i, hdr[1].sig, 4) == 0)
			first = 46 + get16(p + i + 28) + get16(p + i + 30) +
			    get16(p + i + 32);
		if (pt->kind == P_EOCD || pt->kind == P_EOCD_FIRST) {
			if (i + 22 > len || memcmp(p + i, eocd, 4) != 0)
				continue;
			if (pt->kind == P_EOCD_FIRST)
				put32(p + i + 12, (uint32_t)first);
			put16(p + i + 8, pt->value);
			put16(p + i + 10, pt->value);
			done++;
			continue;
		}
		for (h = 0; h < NITEMS(hdr); h++) {
			if (memcmp(p + i, hdr[h].sig, 4) != 0 ||
			    i + hdr[h].fixed > len)
				continue;
			nlen = get16(p + i + hdr[h].name_len);
			nmlen = strlen(pt->name);
			if (nlen != nmlen || i + hdr[h].fixed + nlen > len ||
			    memcmp(p + i + hdr[h].fixed, pt->name, nlen) != 0)
				continue;
			switch (pt->kind) {
			case P_METHOD:
				put16(p + i + hdr[h].method, pt->value);
				break;
			case P_FLAGS:
				put16(p + i + hdr[h].flags, pt->value);
				break;
			case P_USIZE:
				put32(p + i + hdr[h].usize, pt->value);
				break;
			case P_CRC:
				put32(p + i + hdr[h].crc, pt->value);
				break;
			case P_NAME:
				/* Same length; may hold a NUL. */
				memcpy(p + i + hdr[h].fixed, pt->to, nlen);
				break;
			default:
				break;
			}
			done++;
		}
	}
	return done;
}

static int
patch_zip(const char *path, const struct patch *pt, size_t npt)
{
	unsigned char *p;
	size_t len, i;
	int rv = 0;

	if ((p = read_file(path, &len)) == NULL)
		return -1;
	for (i = 0; i < npt && pt[i].kind != P_NONE; i++) {
		if (patch_buf(p, len, &pt[i]) < (pt[i].kind >= P_EOCD ? 1 : 2))
			rv = -1;
	}
	if (rv == 0)
		rv = write_file(path, p, len);
	free(p);
	return rv;
}

/* Print a manifest line for an outside check of the kept zips. */
static void
manifest(const char *path, const char *module, const char *version,
    const char *expect)
{
	if (keep)
		printf("# zip %s %s %s %s\n", path, module, version, expect);
}

static void
check_ok(const char *path, const char *module, const char *version,
    const char *want, const char *desc)
{
	char h1[H1_MAX], dh1[H1_MAX];
	struct err e;
	int rv;

	manifest(path, module, version, "ok");
	err_clear(&e);
	memset(h1, 0, sizeof(h1));
	rv = zipcheck(path, module, version, h1, &e);
	if (rv != 0)
		printf("# %s: %s: %s\n", desc, err_name(e.code), e.msg);
	is_str(rv == 0 ? h1 : "(refused)", want, desc);

	/* The same value as dirhash_zip on the same file. */
	err_clear(&e);
	if (dirhash_zip(path, dh1, &e) != 0)
		snprintf(dh1, sizeof(dh1), "(dirhash failed)");
	is_str(h1, dh1, "the h1 is dirhash_zip's");
}

static void
check_bad(const char *path, const char *module, const char *version,
    const char *msg, const char *desc)
{
	char h1[H1_MAX];
	struct err e;
	int rv;

	manifest(path, module, version, "bad");
	err_clear(&e);
	rv = zipcheck(path, module, version, h1, &e);
	is_int(rv, -1, desc);
	is_str(err_name(e.code), err_name(E_UPSTREAM), "E_UPSTREAM");
	if (msg != NULL && !ok(strstr(e.msg, msg) != NULL, "message"))
		printf("#   wanted a part: '%s'\n", msg);
	printf("# %s\n", e.msg);
}

static void
test_cases(const struct zcase *c, size_t n, const char *tag)
{
	char path[PATH_CAP], file[32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s%02zu.zip", tag, i);
		path_join(path, tmpdir, file);
		if (make_zip(path, c[i].e, ENTRIES_MAX) != 0 ||
		    patch_zip(path, c[i].patch, NITEMS(c[i].patch)) != 0) {
			ok(0, c[i].desc);
			continue;
		}
		if (c[i].h1 != NULL)
			check_ok(path, c[i].module, c[i].version, c[i].h1,
			    c[i].desc);
		else
			check_bad(path, c[i].module, c[i].version, c[i].msg,
			    c[i].desc);
	}
}

/*
 * An entry of a zip written byte by byte (Store only): libzip writes no
 * data descriptor.  General purpose flags as given; crc: the central and
 * local CRC-32, or ~0 for the right one; dd: 0 none, 1 a descriptor with
 * its signature, 2 without; ddcrc: the descriptor's CRC-32 (~0: right).
 */
struct rawent {
	const char	*name;
	const char	*data;
	uint16_t	 flags;
	uint32_t	 crc;
	int		 dd;
	uint32_t	 ddcrc;
};

#define RIGHT		0xffffffffU
#define RAW_MAX		4096

/* Write the zip of rawents e[0..n) to path. */
static int
make_raw_zip(const char *path, const struct rawent *e, size_t n)
{
	static unsigned char buf[RAW_MAX], cd[RAW_MAX];
	unsigned char *h;
	size_t i, len = 0, clen = 0, nlen, dlen;
	uint32_t crc, ddcrc, off;

	for (i = 0; i < n; i++) {
		nlen = strlen(e[i].name);
		dlen = strlen(e[i].data);
		if (len + 30 + nlen + dlen + 16 > RAW_MAX ||
		    clen + 46 + nlen > RAW_MAX)
			return -1;
		crc = (uint32_t)crc32(0, (const Bytef *)e[i].data,
		    (uInt)dlen);
		ddcrc = e[i].ddcrc == RIGHT ? crc : e[i].ddcrc;
		crc = e[i].crc == RIGHT ? crc : e[i].crc;
		off = (uint32_t)len;
		h = buf + len;
		memset(h, 0, 30);
		put32(h, 0x04034b50);
		put16(h + 4, 20);
		put16(h + 6, e[i].flags);
		put32(h + 14, crc);
		put32(h + 18, (uint32_t)dlen);
		put32(h + 22, (uint32_t)dlen);
		put16(h + 26, (uint32_t)nlen);
		memcpy(h + 30, e[i].name, nlen);
		memcpy(h + 30 + nlen, e[i].data, dlen);
		len += 30 + nlen + dlen;
		if (e[i].dd != 0) {
			if (e[i].dd == 1) {
				put32(buf + len, 0x08074b50);
				len += 4;
			}
			put32(buf + len, ddcrc);
			put32(buf + len + 4, (uint32_t)dlen);
			put32(buf + len + 8, (uint32_t)dlen);
			len += 12;
		}
		h = cd + clen;
		memset(h, 0, 46);
		put32(h, 0x02014b50);
		put16(h + 4, 20);
		put16(h + 6, 20);
		put16(h + 8, e[i].flags);
		put32(h + 16, crc);
		put32(h + 20, (uint32_t)dlen);
		put32(h + 24, (uint32_t)dlen);
		put16(h + 28, (uint32_t)nlen);
		put32(h + 42, off);
		memcpy(h + 46, e[i].name, nlen);
		clen += 46 + nlen;
	}
	if (len + clen + 22 > RAW_MAX)
		return -1;
	memcpy(buf + len, cd, clen);
	h = buf + len + clen;
	memset(h, 0, 22);
	put32(h, 0x06054b50);
	put16(h + 8, (uint32_t)n);
	put16(h + 10, (uint32_t)n);
	put32(h + 12, (uint32_t)clen);
	put32(h + 16, (uint32_t)len);
	return write_file(path, buf, len + clen + 22);
}

/*
 * Data descriptors (general purpose bit 3), as Go's checksumReader reads
 * them: the descriptor's CRC-32 must be the central one, and then the
 * content's CRC-32 is compared with the central one even when that is 0.
 * Checked with the go command (1.19, 1.26) by t1450-zip-oracle.t.
 */
static void
test_data_descriptors(void)
{
	static const struct {
		const char	*desc;
		struct rawent	 e[2];
		const char	*h1;	/* NULL: refused */
		const char	*msg;
	} c[] = {
		{ "data descriptor with its signature",
		  { { PFX "m.go", MGO_SIMPLE, 8, RIGHT, 1, RIGHT } },
		  H1_MGO, NULL },
		{ "data descriptor without a signature",
		  { { PFX "m.go", MGO_SIMPLE, 8, RIGHT, 2, RIGHT } },
		  H1_MGO, NULL },
		{ "data descriptor, empty file, CRC-32 0",
		  { { PFX "m.go", "", 8, 0, 1, 0 } }, H1_MGO_EMPTY, NULL },
		{ "data descriptor, then a file without one",
		  { { PFX "m.go", MGO_SIMPLE, 8, RIGHT, 1, RIGHT },
		    { PFX "go.mod", GOMOD_SIMPLE, 0, RIGHT, 0, 0 } },
		  H1_MGO_GOMOD, NULL },
		{ "data descriptor, CRC-32 0 in it and in the directory",
		  { { PFX "m.go", MGO_SIMPLE, 8, 0, 1, 0 } }, NULL,
		  "CRC-32 mismatch" },
		{ "data descriptor without signature, CRC-32 0 everywhere",
		  { { PFX "m.go", MGO_SIMPLE, 8, 0, 2, 0 } }, NULL,
		  "CRC-32 mismatch" },
		{ "data descriptor CRC-32 other than the central one",
		  { { PFX "m.go", MGO_SIMPLE, 8, RIGHT, 1, 0x12345678 } },
		  NULL, "data descriptor CRC-32 is not the central" },
		{ "data descriptor CRC-32 0, the central one right",
		  { { PFX "m.go", MGO_SIMPLE, 8, RIGHT, 1, 0 } },
		  NULL, "data descriptor CRC-32 is not the central" },
		{ "no flag: descriptor bytes after the data are not read",
		  { { PFX "m.go", MGO_SIMPLE, 0, RIGHT, 1, 0x12345678 },
		    { PFX "go.mod", GOMOD_SIMPLE, 0, RIGHT, 0, 0 } },
		  H1_MGO_GOMOD, NULL },
	};
	char path[PATH_CAP], file[32];
	size_t i, n;

	for (i = 0; i < NITEMS(c); i++) {
		snprintf(file, sizeof(file), "dd%02zu.zip", i);
		path_join(path, tmpdir, file);
		n = c[i].e[1].name != NULL ? 2 : 1;
		if (make_raw_zip(path, c[i].e, n) != 0) {
			ok(0, c[i].desc);
			continue;
		}
		if (c[i].h1 != NULL)
			check_ok(path, MOD, V1, c[i].h1, c[i].desc);
		else
			check_bad(path, MOD, V1, c[i].msg, c[i].desc);
	}
}

static void
test_args(void)
{
	static const struct entry one[] = { F(PFX "go.mod", GOMOD_SIMPLE) };
	char path[PATH_CAP], desc[256];
	size_t i;

	path_join(path, tmpdir, "args.zip");
	if (make_zip(path, one, NITEMS(one)) != 0) {
		ok(0, "make args.zip");
		return;
	}
	for (i = 0; i < NITEMS(arg_cases); i++) {
		snprintf(desc, sizeof(desc), "arguments %s@%s",
		    arg_cases[i].module, arg_cases[i].version);
		check_bad(path, arg_cases[i].module, arg_cases[i].version,
		    arg_cases[i].msg, desc);
	}
}

/* Files that are not zips, too big, missing; a zip of no entries. */
static void
test_files(void)
{
	static const struct entry one[] = { F(PFX "go.mod", GOMOD_SIMPLE) };
	/* An end-of-central-directory record alone: a zip of no entries. */
	static const unsigned char eocd[22] = { 'P', 'K', 5, 6 };
	char path[PATH_CAP], good[PATH_CAP], h1[H1_MAX];
	unsigned char *p;
	struct err e;
	size_t len;
	int fd;

	path_join(path, tmpdir, "notzip.zip");
	if (write_file(path, "module example.com/m\n", 21) != 0)
		ok(0, "write notzip.zip");
	check_bad(path, MOD, V1, "not a valid zip file", "not a zip");

	path_join(path, tmpdir, "empty.zip");
	if (write_file(path, "", 0) != 0)
		ok(0, "write empty.zip");
	check_bad(path, MOD, V1, "not a valid zip file", "empty file");

	path_join(good, tmpdir, "one.zip");
	path_join(path, tmpdir, "truncated.zip");
	if (make_zip(good, one, NITEMS(one)) != 0 ||
	    (p = read_file(good, &len)) == NULL) {
		ok(0, "make one.zip");
		return;
	}
	if (write_file(path, p, len - 1) != 0)
		ok(0, "write truncated.zip");
	check_bad(path, MOD, V1, NULL, "zip missing its last byte");
	if (write_file(path, p, len / 2) != 0)
		ok(0, "write truncated.zip");
	check_bad(path, MOD, V1, NULL, "zip truncated to half");
	free(p);

	path_join(path, tmpdir, "noentries.zip");
	if (write_file(path, eocd, sizeof(eocd)) != 0)
		ok(0, "write noentries.zip");
	check_ok(path, MOD, V1, H1_EMPTY_SUM, "zip with no entries");

	/* A sparse file one byte over ZIP_MAX. */
	path_join(path, tmpdir, "huge.zip");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    ftruncate(fd, ZIP_MAX + 1) != 0 || close(fd) != 0)
		ok(0, "make huge.zip");
	check_bad(path, MOD, V1, "module zip file is too large", "huge file");
	unlink(path);

	path_join(path, tmpdir, "no-such.zip");
	err_clear(&e);
	is_int(zipcheck(path, MOD, V1, h1, &e), -1, "missing file");
	is_str(err_name(e.code), err_name(E_INTERNAL),
	    "missing file: E_INTERNAL");
}

/* A file path of 4095 bytes is fine, 4096 is not (CheckFilePath cap). */
static void
test_long_names(void)
{
	static const size_t lens[] = { 4095, 4096 };
	struct entry e[2];
	char path[PATH_CAP], *name, h1[H1_MAX];
	struct err err;
	size_t i, k, plen = strlen(PFX);
	int rv;

	path_join(path, tmpdir, "long.zip");
	for (i = 0; i < NITEMS(lens); i++) {
		name = xmalloc(plen + lens[i] + 1);
		memcpy(name, PFX, plen);
		/* "aaa.../aaa..." : elements of 100 bytes. */
		for (k = 0; k < lens[i]; k++)
			name[plen + k] = k % 101 == 100 ? '/' : 'a';
		name[plen + lens[i]] = '\0';
		memset(e, 0, sizeof(e));
		e[0].name = name;
		e[0].data = "x";
		e[0].method = ZIP_CM_STORE;
		if (make_zip(path, e, 1) != 0) {
			ok(0, "make long.zip");
			free(name);
			continue;
		}
		err_clear(&err);
		rv = zipcheck(path, MOD, V1, h1, &err);
		if (lens[i] < 4096)
			is_int(rv, 0, "4095-byte file path accepted");
		else {
			is_int(rv, -1, "4096-byte file path refused");
			ok(strstr(err.msg, "longer than 4095") != NULL,
			    "message names the cap");
		}
		free(name);
	}
}

/* Many files in many directories: the collision table grows. */
static void
test_many(void)
{
	enum { NFILES = 3000 };
	char path[PATH_CAP], name[128], h1[H1_MAX];
	zip_source_t *src;
	struct err e;
	zip_t *za;
	int i, zerr, rv = 0;

	path_join(path, tmpdir, "many.zip");
	unlink(path);
	if ((za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr)) == NULL) {
		ok(0, "make many.zip");
		return;
	}
	for (i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), PFX "d%d/E%d/f%d.go", i % 7,
		    i % 50, i);
		if ((src = zip_source_buffer(za, "x", 1, 0)) == NULL ||
		    zip_file_add(za, name, src, ZIP_FL_ENC_RAW) < 0)
			rv = -1;
	}
	/* The last one collides with the first in folded form. */
	if ((src = zip_source_buffer(za, "x", 1, 0)) == NULL ||
	    zip_file_add(za, PFX "D0/e0/F0.go", src, ZIP_FL_ENC_RAW) < 0)
		rv = -1;
	if (rv != 0 || zip_close(za) != 0) {
		ok(0, "make many.zip");
		zip_discard(za);
		return;
	}
	err_clear(&e);
	is_int(zipcheck(path, MOD, V1, h1, &e), -1, "3001 files: refused");
	ok(strstr(e.msg, "collision: \"d0/E0/f0.go\" and \"D0/e0/F0.go\"")
	    != NULL,
	    "3001 files: the late collision is found");
	printf("# %s\n", e.msg);
}

/* Little-endian 64-bit store. */
static void
put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/*
 * simple.txt's zip of MOD (stored) made by libzip, read into a buffer with room
 * for more (*len its length, *eocd where its end record is); NULL when
 * it could not be made.
 */
static unsigned char *
end_base(const char *path, size_t *len, size_t *eocd)
{
	static const struct entry e[] = {
		S(PFX "go.mod", GOMOD_SIMPLE), S(PFX "m.go", MGO_SIMPLE),
		S(PFX "cmd/hello/hello.go", HELLO_SIMPLE),
	};
	unsigned char *p, *q;

	if (make_zip(path, e, NITEMS(e)) != 0 ||
	    (p = read_file(path, len)) == NULL)
		return NULL;
	q = xmalloc(*len + 512);
	memcpy(q, p, *len);
	free(p);
	*eocd = *len - 22;
	return q;
}

/*
 * The end record as the go commands find it (tests/data/hostile-zips.tsv
 * has each case as a zip the go commands judge; t1450-zip-oracle.t).
 */
static void
test_end_records(void)
{
	char path[PATH_CAP];
	unsigned char *p, *end;
	size_t len, eocd, cd, cdsize;
	uint32_t disks;

	path_join(path, tmpdir, "end.zip");

	/* Garbage after the end record: both go commands take it. */
	if ((p = end_base(path, &len, &eocd)) == NULL) {
		ok(0, "make end.zip");
		return;
	}
	memcpy(p + len, "garbage, no signature", 21);
	write_file(path, p, len + 21);
	check_ok(path, MOD, V1, H1_SIMPLE,
	    "trailing garbage");
	/* An end record signature in it whose comment runs past the end:
	 * go 1.26 stops at the last signature and refuses (go 1.19 looks
	 * on for the real one). */
	memcpy(p + len, "PK\x05\x06", 4);
	memset(p + len + 4, 0, 16);
	put16(p + len + 20, 0xff);
	write_file(path, p, len + 22);
	check_bad(path, MOD, V1, "comment runs past the end",
	    "a last end record signature with a truncated comment");
	free(p);

	/* Zip64 end record and locator, the end record all ones: read;
	 * a locator of 2 disks is none to Go, and 0xffff entries stand. */
	for (disks = 1; disks <= 2; disks++) {
		if ((p = end_base(path, &len, &eocd)) == NULL) {
			ok(0, "make end.zip");
			return;
		}
		cdsize = get32(p + eocd + 12);
		cd = get32(p + eocd + 16);
		end = p + eocd;
		memmove(end + 76, end, 22);
		put32(end, 0x06064b50);
		put64(end + 4, 44);
		put16(end + 12, 45);
		put16(end + 14, 45);
		put32(end + 16, 0);
		put32(end + 20, 0);
		put64(end + 24, 3);
		put64(end + 32, 3);
		put64(end + 40, cdsize);
		put64(end + 48, cd);
		put32(end + 56, 0x07064b50);
		put32(end + 60, 0);
		put64(end + 64, eocd);
		put32(end + 72, disks);
		put16(end + 76 + 8, 0xffff);
		put16(end + 76 + 10, 0xffff);
		put32(end + 76 + 16, 0xffffffff);
		write_file(path, p, len + 76);
		if (disks == 1)
			check_ok(path, MOD, V1, H1_SIMPLE,
			    "zip64 end record and locator");
		else
			check_bad(path, MOD, V1, NULL,
			    "a zip64 locator of 2 disks is not read");
		if (disks == 2) {
			/* A directory size of all ones is no zip64 marker:
			 * with the count and offset right, the locator is not
			 * read and the directory starts before the file. */
			put16(end + 76 + 8, 3);
			put16(end + 76 + 10, 3);
			put32(end + 76 + 12, 0xffffffff);
			put32(end + 76 + 16, (uint32_t)cd);
			put32(end + 72, 1);
			write_file(path, p, len + 76);
			check_bad(path, MOD, V1, "out of range",
			    "a directory size of all ones, a zip64 locator");
		}
		free(p);
	}

	/* A stub before the zip that the offsets do not count: Go finds
	 * the zip behind it (its baseOffset), and libzip is given the file
	 * from there. */
	if ((p = end_base(path, &len, &eocd)) == NULL) {
		ok(0, "make end.zip");
		return;
	}
	memmove(p + 17, p, len);
	memcpy(p, "#!/bin/sh\nexit 0\n", 17);
	write_file(path, p, len + 17);
	check_ok(path, MOD, V1, H1_SIMPLE,
	    "a prepended stub its offsets do not count");
	/* A later end record of an empty directory: Go reads that one, the
	 * zip before it is its base; an empty module. */
	memmove(p, p + 17, len);
	memset(p + len, 0, 22);
	put32(p + len, 0x06054b50);
	write_file(path, p, len + 22);
	check_ok(path, MOD, V1, H1_EMPTY_SUM, "a later, empty end record");
	free(p);
}

/* A stored file's local header and data at p: its length. */
static size_t
raw_lfh(unsigned char *p, const char *name, const char *data)
{
	size_t nlen = strlen(name), dlen = strlen(data);

	memset(p, 0, 30);
	put32(p, 0x04034b50);
	put16(p + 4, 20);
	put32(p + 14, (uint32_t)crc32(0, (const Bytef *)data, (uInt)dlen));
	put32(p + 18, (uint32_t)dlen);
	put32(p + 22, (uint32_t)dlen);
	put16(p + 26, (uint32_t)nlen);
	memcpy(p + 30, name, nlen);
	memcpy(p + 30 + nlen, data, dlen);
	return 30 + nlen + dlen;
}

/* A stored file's central directory record (local header at off). */
static size_t
raw_cdh(unsigned char *p, const char *name, const char *data, uint32_t off)
{
	size_t nlen = strlen(name), dlen = strlen(data);

	memset(p, 0, 46);
	put32(p, 0x02014b50);
	put16(p + 4, 20);
	put16(p + 6, 20);
	put32(p + 16, (uint32_t)crc32(0, (const Bytef *)data, (uInt)dlen));
	put32(p + 20, (uint32_t)dlen);
	put32(p + 24, (uint32_t)dlen);
	put16(p + 28, (uint32_t)nlen);
	put32(p + 42, off);
	memcpy(p + 46, name, nlen);
	return 46 + nlen;
}

/* An end record: n entries, a directory of size bytes at off. */
static size_t
raw_eocd(unsigned char *p, uint32_t n, uint32_t size, uint32_t off)
{
	memset(p, 0, 22);
	put32(p, 0x06054b50);
	put16(p + 8, n);
	put16(p + 10, n);
	put32(p + 12, size);
	put32(p + 16, off);
	return 22;
}

#define TWIN_X	"package m\n\n// benign\n// pad\n// pad\n// pad\n// pad\n"
#define TWIN_Y	"package m\n\nfunc init() { panic(\"evil\") }\n"
/* go.mod and a.go (TWIN_Y), as the go command hashes them (1.19, 1.26). */
#define H1_TWIN_Y	"h1:qOp/J87caTuUUch0KIT1UwQ3OT1YAILo0soOF/Uf92c="

/*
 * Two directories in one zip, each with its end record, naming different
 * contents for one name: Go reads the last end record's, and so must the
 * check and the hash (zipcheck once read entries through libzip, which
 * keeps the first end record).
 */
static void
test_twin_directories(void)
{
	static unsigned char b[4096];
	char path[PATH_CAP];
	size_t len = 0, og, oy, ox, c1, c2, n;

	path_join(path, tmpdir, "twin.zip");
	og = len;
	len += raw_lfh(b + len, PFX "go.mod", GOMOD_SIMPLE);
	oy = len;
	len += raw_lfh(b + len, PFX "a.go", TWIN_Y);
	ox = len;
	len += raw_lfh(b + len, PFX "a.go", TWIN_X);
	c1 = len;
	len += raw_cdh(b + len, PFX "go.mod", GOMOD_SIMPLE, (uint32_t)og);
	len += raw_cdh(b + len, PFX "a.go", TWIN_X, (uint32_t)ox);
	n = len - c1;
	len += raw_eocd(b + len, 2, (uint32_t)n, (uint32_t)c1);
	c2 = len;
	len += raw_cdh(b + len, PFX "go.mod", GOMOD_SIMPLE, (uint32_t)og);
	len += raw_cdh(b + len, PFX "a.go", TWIN_Y, (uint32_t)oy);
	n = len - c2;
	len += raw_eocd(b + len, 2, (uint32_t)n, (uint32_t)c2);
	write_file(path, b, len);
	check_ok(path, MOD, V1, H1_TWIN_Y,
	    "two directories: the last end record's is checked and hashed");
}

/*
 * A positive base (the directory's end minus its size minus its offset)
 * with a whole directory at the offset as recorded too: go 1.26 takes
 * base 0 and reads that one, go 1.19 the one a base further on.  Here
 * directory 1 (offsets from the file's start) at offset O is directly
 * followed by directory 2 (offsets len(directory 1) short) and the end
 * record says directory 2's size at O: refused, whichever go asks.
 */
static void
test_ambiguous_base(void)
{
	static unsigned char b[4096];
	char path[PATH_CAP];
	size_t len = 0, og1, ox, og2, oy, c1, c2, base;

	path_join(path, tmpdir, "ambiguous.zip");
	og1 = len;
	len += raw_lfh(b + len, PFX "go.mod", GOMOD_SIMPLE);
	ox = len;
	len += raw_lfh(b + len, PFX "a.go", TWIN_X);
	og2 = len;
	len += raw_lfh(b + len, PFX "go.mod", GOMOD_SIMPLE);
	oy = len;
	len += raw_lfh(b + len, PFX "a.go", TWIN_Y);
	c1 = len;
	len += raw_cdh(b + len, PFX "go.mod", GOMOD_SIMPLE, (uint32_t)og1);
	len += raw_cdh(b + len, PFX "a.go", TWIN_X, (uint32_t)ox);
	base = len - c1;
	if (og2 < base) {
		ok(0, "ambiguous.zip: directory 2's offsets fit");
		return;
	}
	c2 = len;
	len += raw_cdh(b + len, PFX "go.mod", GOMOD_SIMPLE,
	    (uint32_t)(og2 - base));
	len += raw_cdh(b + len, PFX "a.go", TWIN_Y, (uint32_t)(oy - base));
	len += raw_eocd(b + len, 2, (uint32_t)(len - c2), (uint32_t)c1);
	write_file(path, b, len);
	check_bad(path, MOD, V1, "central directory is ambiguous (at offset",
	    "a whole directory at the offset as recorded and a base on");
}

/*
 * A name element longer than NAME_MAX (255): the go command cannot unzip
 * it into its module cache, and refuses the zip.
 */
static void
test_long_elements(void)
{
	char path[PATH_CAP], name[512], h1[H1_MAX];
	struct entry e[2];
	struct err err;
	size_t plen = strlen(PFX), k;
	int rv;

	path_join(path, tmpdir, "elem.zip");
	for (k = 255; k <= 256; k++) {
		memcpy(name, PFX, plen);
		memset(name + plen, 'a', k - 3);
		memcpy(name + plen + k - 3, ".go", 4);
		memset(e, 0, sizeof(e));
		e[0].name = name;
		e[0].data = "x";
		e[0].method = ZIP_CM_STORE;
		if (make_zip(path, e, 1) != 0) {
			ok(0, "make elem.zip");
			continue;
		}
		err_clear(&err);
		rv = zipcheck(path, MOD, V1, h1, &err);
		if (k == 255)
			is_int(rv, 0, "a 255-byte element accepted");
		else {
			is_int(rv, -1, "a 256-byte element refused");
			ok(strstr(err.msg, "longer than 255 bytes") != NULL,
			    "message names the cap");
		}
	}
}

int
main(void)
{
	const char *t;
	char rm[] = "rm", rf[] = "-rf", *rmargv[] = { rm, rf, tmpdir, NULL };
	pid_t pid;
	int status;

	keep = getenv("ZIPCHECK_TEST_KEEP") != NULL;
	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir),
	    "%s/test_zipcheck.XXXXXX", t) >= sizeof(tmpdir) ||
	    mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	if (keep)
		printf("# keeping %s\n", tmpdir);
	zeros = xcalloc(1, ZEROS_MAX);

	test_cases(good_cases, NITEMS(good_cases), "good");
	test_cases(bad_cases, NITEMS(bad_cases), "bad");
	test_data_descriptors();
	test_args();
	test_files();
	test_long_names();
	test_end_records();
	test_twin_directories();
	test_ambiguous_base();
	test_long_elements();
	test_many();

	free(zeros);
	if (!keep) {
		if ((pid = fork()) == 0) {
			execvp(rmargv[0], rmargv);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, &status, 0);
	}
	return tap_done();
}

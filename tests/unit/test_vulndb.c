/*
 * test_vulndb.c: the rules of the vulnerability database mirror below the
 * network: vulndb_index.c (ids, the three index files checked together,
 * an entry against its index), gz.c (a round trip, bytes after the end,
 * a truncated member, a gzip that inflates past the cap) and untar.c (a
 * tar.c archive read back; hand-made headers with a "..", an absolute or
 * a pax "../" name, a link, a bad checksum, an over-cap file, a name
 * given twice: each refused, nothing written outside); the responder's
 * [vulndb] ttl back-off.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

#define DB	"{\"modified\":\"2023-02-01T00:00:00Z\"}"
#define VULNS	"[{\"id\":\"GO-2023-0001\",\"modified\":\"2023-01-01T00:00:00Z\"," \
		"\"aliases\":[\"CVE-1\"]},{\"id\":\"GO-2023-0002\"," \
		"\"modified\":\"2023-02-01T00:00:00Z\"}]"
#define MODS	"[{\"path\":\"example.com/a\",\"vulns\":[{\"id\":\"GO-2023-0001\"," \
		"\"modified\":\"2023-01-01T00:00:00Z\",\"fixed\":\"1.0.0\"}]}," \
		"{\"path\":\"stdlib\",\"vulns\":[{\"id\":\"GO-2023-0002\"," \
		"\"modified\":\"2023-02-01T00:00:00Z\"}]}]"
#define ENTRY1	"{\"id\":\"GO-2023-0001\",\"modified\":\"2023-01-01T00:00:00Z\"," \
		"\"affected\":[{\"package\":{\"name\":\"example.com/a\"," \
		"\"ecosystem\":\"Go\"}}]}"

static void
setbuf_str(struct buf *b, const char *s)
{
	struct err e;

	buf_init(b, 1 << 20);
	buf_append(b, s, strlen(s), &e);
}

/* 0 when the three parse together; the error's text into why. */
static int
parse3(const char *db, const char *vulns, const char *mods, char *why,
    size_t whysz, struct vulndb_index *ix)
{
	struct buf b[3];
	struct err e;
	int rc;
	size_t i;

	err_clear(&e);
	setbuf_str(&b[0], db);
	setbuf_str(&b[1], vulns);
	setbuf_str(&b[2], mods);
	rc = vulndb_index_parse(ix, &b[0], &b[1], &b[2], &e);
	snprintf(why, whysz, "%s", e.msg);
	for (i = 0; i < 3; i++)
		buf_free(&b[i]);
	return rc;
}

static void
test_index(void)
{
	static const struct {
		const char *db, *vulns, *mods, *name;
	} bad[] = {
		{ "{}", VULNS, MODS, "db.json without modified" },
		{ DB " x", VULNS, MODS, "db.json with bytes after it" },
		{ DB, "{}", MODS, "vulns.json not an array" },
		{ DB, "[{\"id\":\"../x\",\"modified\":\"2023-01-01T00:00:00Z\"}]",
		    "[]", "an id with ../" },
		{ DB, "[{\"id\":\"GO-1\",\"modified\":\"2023-01-01T00:00:00Z\"},"
		    "{\"id\":\"GO-1\",\"modified\":\"2023-01-01T00:00:00Z\"}]",
		    "[]", "an id twice" },
		{ DB, "[{\"id\":\"GO-1\",\"modified\":\"2024-01-01T00:00:00Z\"}]",
		    "[]", "an entry newer than db.json" },
		{ DB, "[{\"id\":\"GO-1\",\"modified\":\"yesterday\"}]", "[]",
		    "a modified that is not RFC 3339" },
		{ DB, VULNS, "[{\"path\":\"a\\u0001b\",\"vulns\":[]}]",
		    "a module path with a control byte" },
		{ DB, VULNS, "[{\"path\":\"example.com/a\",\"vulns\":[]},"
		    "{\"path\":\"example.com/a\",\"vulns\":[]}]", "a module twice" },
		{ DB, VULNS, "[{\"path\":\"example.com/a\",\"vulns\":[{\"id\":"
		    "\"GO-9\",\"modified\":\"2023-01-01T00:00:00Z\"}]}]",
		    "a module's entry not in vulns.json" },
		{ DB, VULNS, "[{\"path\":\"example.com/a\",\"vulns\":[{\"id\":"
		    "\"GO-2023-0001\",\"modified\":\"2023-01-02T00:00:00Z\"}]}]",
		    "a module's entry with another modified" },
		{ DB, VULNS, "[{\"path\":\"example.com/a\",\"vulns\":[{\"id\":"
		    "\"GO-2023-0001\",\"modified\":\"2023-01-01T00:00:00Z\"},"
		    "{\"id\":\"GO-2023-0001\",\"modified\":"
		    "\"2023-01-01T00:00:00Z\"}]}]", "a module's entry twice" },
	};
	struct vulndb_index ix;
	char why[ERR_MSG_MAX], name[160];
	size_t i;

	/* One id rule for the mirror and the reader (osv.c). */
	ok(osv_id_valid("GO-2023-0001"), "id GO-2023-0001");
	ok(!osv_id_valid("../x"), "id ../x refused");
	ok(!osv_id_valid(".hidden"), "id .hidden refused");
	ok(!osv_id_valid("-x"), "id -x refused (starts with [A-Za-z0-9])");
	ok(!osv_id_valid("_x"), "id _x refused");
	ok(!osv_id_valid(""), "an empty id refused");
	ok(!osv_id_valid("a/b"), "id a/b refused");
	ok(vulndb_index_module_check("stdlib") == 0, "module stdlib");
	ok(vulndb_index_module_check("toolchain") == 0, "module toolchain");
	ok(vulndb_index_module_check("std") == -1, "module std refused");

	/* The v1 client never checks a module path: one that is not a
	 * go.mod module path does not stop the database. */
	ok(parse3(DB, VULNS, "[{\"path\":\"example.com/a/v1\",\"vulns\":["
	    "{\"id\":\"GO-2023-0001\",\"modified\":\"2023-01-01T00:00:00Z\"}"
	    "]}]", why, sizeof(why), &ix) == 0,
	    "a module path ending in /v1 is taken (v1 files)");
	vulndb_index_free(&ix);
	ok(vulndb_index_module_check("example.com/a/v1") == -1,
	    "(not a module path: no legacy file for it)");
	ok(parse3(DB, VULNS, "[{\"path\":\"a\\u0000b\",\"vulns\":[]}]", why,
	    sizeof(why), &ix) == -1, "a module path with \\u0000 is refused");
	ok(parse3(DB, VULNS, "[{\"path\":\"\",\"vulns\":[]}]", why,
	    sizeof(why), &ix) == -1, "an empty module path is refused");
	ok(parse3(DB, "[{\"id\":\"GO-1\\u0000x\",\"modified\":"
	    "\"2023-01-01T00:00:00Z\"}]", "[]", why, sizeof(why), &ix) == -1,
	    "an id with \\u0000 is refused");

	ok(parse3(DB, VULNS, MODS, why, sizeof(why), &ix) == 0,
	    "a consistent index parses");
	is_int(ix.nv, 2, "two entries");
	is_int(ix.nm, 2, "two modules");
	is_str(ix.v[ix.m[0].newest].modified, "2023-01-01T00:00:00Z",
	    "a module's newest modified");
	is_int(ix.v[0].naliases, 1, "the aliases");
	is_int(vulndb_index_find(&ix, "GO-2023-0002"), 1, "find an id");
	ok(vulndb_index_find(&ix, "GO-2023-0003") == STRMAP_NONE,
	    "an unknown id is not found");
	ok(vulndb_index_entry_check(&ix, 0, ENTRY1, strlen(ENTRY1), &(struct err){0})
	    == 0, "its entry passes");
	{
		static const char *const ebad[][2] = {
		    { "{\"id\":\"GO-2023-0002\",\"modified\":"
		      "\"2023-01-01T00:00:00Z\",\"affected\":[{\"package\":"
		      "{\"name\":\"example.com/a\",\"ecosystem\":"
		      "\"Go\"}}]}", "another id" },
		    { "{\"id\":\"GO-2023-0001\",\"modified\":"
		      "\"2023-01-01T00:00:01Z\",\"affected\":[{\"package\":"
		      "{\"name\":\"example.com/a\",\"ecosystem\":"
		      "\"Go\"}}]}", "another modified" },
		    { "{\"id\":\"GO-2023-0001\",\"modified\":"
		      "\"2023-01-01T00:00:00Z\",\"affected\":[{\"package\":"
		      "{\"name\":\"example.com/b\",\"ecosystem\":"
		      "\"Go\"}}]}",
		      "not affecting its module" },
		    { "[" ENTRY1 "]", "an array" },
		    { ENTRY1 "}", "bytes after the object" },
		};
		for (i = 0; i < NITEMS(ebad); i++) {
			snprintf(name, sizeof(name), "an entry with %s is "
			    "refused", ebad[i][1]);
			ok(vulndb_index_entry_check(&ix, 0, ebad[i][0],
			    strlen(ebad[i][0]), &(struct err){0}) == -1, name);
		}
	}
	vulndb_index_free(&ix);
	for (i = 0; i < NITEMS(bad); i++) {
		snprintf(name, sizeof(name), "refused: %s", bad[i].name);
		ok(parse3(bad[i].db, bad[i].vulns, bad[i].mods, why,
		    sizeof(why), &ix) == -1, name);
		if (why[0] == '\0')
			printf("#   no reason given\n");
	}
}

static void
test_gz(void)
{
	struct buf z, out, big;
	struct err e;
	char *zeros;

	err_clear(&e);
	buf_init(&z, (size_t)-1);
	buf_init(&out, 1024);
	ok(gz_compress(ENTRY1, strlen(ENTRY1), &z, &e) == 0, "gzip");
	ok(gz_decompress(z.data, z.len, &out, &e) == 0 &&
	    out.len == strlen(ENTRY1) && memcmp(out.data, ENTRY1, out.len) == 0,
	    "gunzip gives the bytes back");
	buf_free(&out);
	buf_init(&out, 1024);
	err_clear(&e);
	ok(gz_decompress(z.data, z.len - 3, &out, &e) == -1 &&
	    e.code == E_UPSTREAM, "a truncated gzip is refused");
	buf_free(&out);
	buf_append(&z, "x", 1, &e);
	buf_init(&out, 1024);
	err_clear(&e);
	ok(gz_decompress(z.data, z.len, &out, &e) == -1 &&
	    e.code == E_UPSTREAM, "bytes after the gzip are refused");
	buf_free(&out);
	buf_init(&out, 1024);
	err_clear(&e);
	ok(gz_decompress(ENTRY1, strlen(ENTRY1), &out, &e) == -1,
	    "not gzip is refused");
	buf_free(&out);
	buf_free(&z);
	zeros = calloc(1, 8 << 20);
	buf_init(&big, (size_t)-1);
	gz_compress(zeros, 8 << 20, &big, &e);
	buf_init(&out, 1 << 20);
	err_clear(&e);
	ok(gz_decompress(big.data, big.len, &out, &e) == -1 &&
	    e.code == E_TOOBIG, "a gzip inflating past the cap is E_TOOBIG");
	printf("# %zu bytes of gzip for 8 MiB\n", big.len);
	free(zeros);
	buf_free(&big);
	buf_free(&out);
}

/* One hand-made ustar header block (name, type, size) at fd, then size
 * bytes of "x" and padding. */
static void
hdr(int fd, const char *name, char type, size_t size)
{
	unsigned char h[512];
	char x[512];
	unsigned sum = 0;
	size_t i;

	memset(h, 0, sizeof(h));
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011zo", size);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	if (write(fd, h, sizeof(h)) != (ssize_t)sizeof(h))
		abort();
	memset(x, 'x', sizeof(x));
	while (size > 0) {
		i = size > 512 ? 512 : size;
		if (write(fd, x, 512) != 512)
			abort();
		size -= i;
	}
}

/* A tar at path: the blocks cb writes, then the end. */
static void
mktar(const char *path, void (*cb)(int))
{
	static const char zero[1024];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	cb(fd);
	if (write(fd, zero, sizeof(zero)) != (ssize_t)sizeof(zero))
		abort();
	close(fd);
}

static void t_dotdot(int fd) { hdr(fd, "a/../../escape", '0', 3); }
static void t_abs(int fd) { hdr(fd, "/tmp/escape", '0', 3); }
static void t_link(int fd) { hdr(fd, "l", '2', 0); }
static void t_hard(int fd) { hdr(fd, "h", '1', 0); }
static void t_big(int fd) { hdr(fd, "big", '0', 5000); }
static void t_twice(int fd) { hdr(fd, "f", '0', 1); hdr(fd, "f", '0', 1); }
/* A pax header of 19 bytes; test_untar writes its record over them. */
static void t_pax(int fd) { hdr(fd, "PaxHeaders/x", 'x', 19); }
static void t_ok(int fd);

/* A directory header with a body (600 bytes), then a file. */
static void
t_dirdata(int fd)
{
	hdr(fd, "d/", '5', 600);
	hdr(fd, "d/f", '0', 3);
}
/* GNU long names ('L'): one with "..", one over TAR_NAME_MAX. */
static void t_longdotdot(int fd) { hdr(fd, "././@LongLink", 'L', 20); }
static void t_longbig(int fd) { hdr(fd, "././@LongLink", 'L', 5000); }
/* A pax header of 12 bytes ("12 size=600\n", written over them). */
static void t_paxsize(int fd) { hdr(fd, "PaxHeaders/x", 'x', 12); }

/* Write the 12-byte size field s over the first header of the tar at
 * arc, and its checksum again. */
static void
setsize(const char *arc, const unsigned char s[12])
{
	unsigned char h[512];
	unsigned sum = 0;
	size_t i;
	int fd = open(arc, O_RDWR);

	if (pread(fd, h, sizeof(h), 0) != 512)
		abort();
	memcpy(h + 124, s, 12);
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	if (pwrite(fd, h, sizeof(h), 0) != 512)
		abort();
	close(fd);
}

/* Write body (one block) over the second block of the tar at arc. */
static void
setbody(const char *arc, const char *body)
{
	unsigned char blk[512];
	int fd = open(arc, O_RDWR);

	memset(blk, 0, sizeof(blk));
	memcpy(blk, body, strlen(body));
	if (pwrite(fd, blk, sizeof(blk), 512) != 512)
		abort();
	close(fd);
}

/* untar.c's header types and sizes: a directory's body skipped, GNU long
 * names taken and checked, a pax size record, base-256 and huge octal
 * sizes refused. */
static void
test_untar_sizes(void)
{
	static const unsigned char b256[12] = { 0x80, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0x02, 0x58 };
	char dir[] = "/tmp/test_vulndb.XXXXXX", arc[256], dest[256], f[300];
	struct stat st;
	struct err e;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(arc, sizeof(arc), "%s/a.tar", dir);

	mktar(arc, t_dirdata);
	snprintf(dest, sizeof(dest), "%s/dirdata", dir);
	err_clear(&e);
	ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == 0,
	    "a directory with a body: the body is skipped");
	snprintf(f, sizeof(f), "%s/d/f", dest);
	ok(stat(f, &st) == 0 && st.st_size == 3, "the file after it is read");

	mktar(arc, t_longdotdot);
	setbody(arc, "../../longescape");
	{
		int afd = open(arc, O_WRONLY);

		lseek(afd, 1024, SEEK_SET);
		hdr(afd, "innocent", '0', 3);
		if (write(afd, (char[1024]){0}, 1024) != 1024)
			abort();
		close(afd);
	}
	snprintf(dest, sizeof(dest), "%s/long/in", dir);
	snprintf(f, sizeof(f), "%s/long", dir);
	mkdir(f, 0755);
	err_clear(&e);
	ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == -1 &&
	    strstr(e.msg, "../../longescape") != NULL,
	    "refused: a GNU long name with \"..\"");
	snprintf(f, sizeof(f), "%s/longescape", dir);
	ok(stat(f, &st) == -1, "nothing written outside");
	mktar(arc, t_longdotdot);
	setbody(arc, "ok/long/name");
	{
		int afd = open(arc, O_WRONLY);

		lseek(afd, 1024, SEEK_SET);
		hdr(afd, "innocent", '0', 3);
		if (write(afd, (char[1024]){0}, 1024) != 1024)
			abort();
		close(afd);
	}
	snprintf(dest, sizeof(dest), "%s/long2", dir);
	err_clear(&e);
	ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == 0,
	    "a GNU long name is taken");
	snprintf(f, sizeof(f), "%s/ok/long/name", dest);
	ok(stat(f, &st) == 0 && st.st_size == 3, "for the entry after it");
	mktar(arc, t_longbig);
	snprintf(dest, sizeof(dest), "%s/longbig", dir);
	err_clear(&e);
	ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == -1 &&
	    e.code == E_BADREQ, "refused: a GNU long name over TAR_NAME_MAX");

	mktar(arc, t_paxsize);
	setbody(arc, "12 size=600\n");
	{
		int afd = open(arc, O_WRONLY);

		lseek(afd, 1024, SEEK_SET);
		hdr(afd, "f", '0', 3);
		if (write(afd, (char[1024]){0}, 1024) != 1024)
			abort();
		close(afd);
	}
	snprintf(dest, sizeof(dest), "%s/paxsize", dir);
	err_clear(&e);
	ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == -1 &&
	    strstr(e.msg, "size") != NULL,
	    "refused: a pax size record (not honoured, so not ignored)");

	mktar(arc, t_ok);
	setsize(arc, b256);
	snprintf(dest, sizeof(dest), "%s/b256", dir);
	err_clear(&e);
	ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == -1 &&
	    e.code == E_BADREQ, "refused: a base-256 size");
	mktar(arc, t_ok);
	setsize(arc, (const unsigned char *)"77777777777");
	snprintf(dest, sizeof(dest), "%s/huge", dir);
	err_clear(&e);
	ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == -1 &&
	    e.code == E_BADREQ, "refused: a huge octal size (8 GiB)");
	mktar(arc, t_ok);
	setsize(arc, (const unsigned char *)"777777777777");
	snprintf(dest, sizeof(dest), "%s/huge12", dir);
	err_clear(&e);
	ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == -1 &&
	    e.code == E_BADREQ, "refused: 12 octal digits, no terminator");
	vulndb_tree_rm(dir);
}

static void
t_ok(int fd)
{
	hdr(fd, "d/", '5', 0);
	hdr(fd, "d/f", '0', 600);
}

static void
test_untar(void)
{
	static const struct {
		void (*cb)(int);
		const char *name;
	} bad[] = {
		{ t_dotdot, "a \"..\" name" },
		{ t_abs, "an absolute name" },
		{ t_link, "a symbolic link" },
		{ t_hard, "a hard link" },
		{ t_big, "a file over the cap" },
		{ t_twice, "a file named twice" },
	};
	char dir[] = "/tmp/test_vulndb.XXXXXX", arc[256], dest[256], f[300];
	char name[128];
	unsigned char blk[512];
	struct stat st;
	struct err e;
	size_t i;
	int fd;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(arc, sizeof(arc), "%s/a.tar", dir);
	mktar(arc, t_ok);
	snprintf(dest, sizeof(dest), "%s/ok", dir);
	err_clear(&e);
	ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == 0,
	    "a tar of a directory and a file is read");
	snprintf(f, sizeof(f), "%s/d/f", dest);
	ok(stat(f, &st) == 0 && st.st_size == 600, "the file is there, whole");
	for (i = 0; i < NITEMS(bad); i++) {
		mktar(arc, bad[i].cb);
		snprintf(dest, sizeof(dest), "%s/bad%zu", dir, i);
		err_clear(&e);
		snprintf(name, sizeof(name), "refused: %s", bad[i].name);
		ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == -1 &&
		    e.code == E_BADREQ, name);
	}
	/* A pax header naming ../../paxx: its record written by hand. */
	mktar(arc, t_pax);
	fd = open(arc, O_RDWR);
	memset(blk, 0, sizeof(blk));
	memcpy(blk, "19 path=../../paxx\n", 19);
	if (pwrite(fd, blk, sizeof(blk), 512) != 512)
		abort();
	close(fd);
	snprintf(dest, sizeof(dest), "%s/pax/in", dir);
	snprintf(f, sizeof(f), "%s/pax", dir);
	mkdir(f, 0755);
	err_clear(&e);
	/* The pax name applies to the next entry: the end block here, so
	 * add one after it. */
	{
		int afd = open(arc, O_WRONLY);

		lseek(afd, 1024, SEEK_SET);
		hdr(afd, "innocent", '0', 3);
		if (write(afd, (char[1024]){0}, 1024) != 1024)
			abort();
		close(afd);
	}
	ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == -1 &&
	    e.code == E_BADREQ, "refused: a pax path with \"..\"");
	snprintf(f, sizeof(f), "%s/paxx", dir);
	ok(stat(f, &st) == -1, "nothing written outside");
	snprintf(f, sizeof(f), "/tmp/escape");
	ok(stat(f, &st) == -1, "nothing written at the absolute name");
	/* A header with a bad checksum. */
	mktar(arc, t_ok);
	fd = open(arc, O_RDWR);
	if (pwrite(fd, "Z", 1, 0) != 1)
		abort();
	close(fd);
	snprintf(dest, sizeof(dest), "%s/sum", dir);
	err_clear(&e);
	ok(untar_dir(arc, dest, 4096, 1 << 20, &e) == -1,
	    "refused: a bad header checksum");
	vulndb_tree_rm(dir);
}

/* [vulndb] ttl: a responder whose sync cannot even start (STORAGE/.vulndb
 * is not a directory: nor the stamp nor the lock can be made) backs off
 * for ttl, in this process; it is not tried on every request. */
static void
test_refresh_backoff(void)
{
	char dir[] = "/tmp/test_vulndb.XXXXXX", path[256];
	char url[] = "http://127.0.0.1:1";
	struct config cfg;
	time_t now;
	int fd;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.storage_root = dir;
	cfg.vulndb_enabled = 1;
	cfg.vulndb_ttl = 600;
	cfg.vulndb_url = url;
	snprintf(path, sizeof(path), "%s/.vulndb", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) != -1)
		close(fd);
	now = time(NULL);
	ok(vulndb_refresh_due(&cfg, now) == 1, "never synced: due");
	vulndb_refresh(&cfg);
	ok(vulndb_refresh_due(&cfg, now) == 0,
	    "after a try that could not write its stamp: not due again");
	ok(vulndb_refresh_due(&cfg, now + 599) == 0, "nor within ttl");
	ok(vulndb_refresh_due(&cfg, now + 601) == 1, "due after ttl");
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	test_refresh_backoff();
	test_index();
	test_gz();
	test_untar();
	test_untar_sizes();
	return tap_done();
}

/*
 * zipcheck.c: the module zip rules of protocol.md sections 4.1, 4.2 and
 * 4.4 (golang.org/x/mod/zip CheckZip and Unzip), applied to a zip fetched
 * from an upstream before anything of it is stored, and its h1.
 *
 * In order: the module path and version are valid, the version canonical
 * and compatible with the path's major suffix; the zip is at most ZIP_MAX
 * bytes; then for every entry: its name starts with "<module>@<version>/"
 * exactly; the rest is clean and passes CheckFilePath; no two names fold
 * alike (section 4.4, every parent directory registered too), no name is
 * both a file and a directory; a go.mod base name only as the root
 * "go.mod"; Store or Deflate only; declared sizes within the caps.  Last
 * dirhash_zipread reads every entry as Go's reader does (declared sizes
 * and CRC enforced while reading; a data descriptor must have the central
 * CRC-32, which is then compared even when 0) for the h1.  As in Go, and
 * nothing more:
 * the encryption flags and the Unix file type are not rules (the go
 * command unzips a "symbolic link" entry as a regular file holding the
 * link's text), a directory entry may repeat, and the zip's bytes are
 * stored exactly as they came.
 *
 * The zip is read once, through one descriptor, by zipread.c: the
 * directory Go finds (zipend.c: the last end record, the zip64 records
 * behind it, the bytes before the zip its offsets do not count), its raw
 * records, and each entry's bytes from its local header on.  The names
 * checked here are the ones hashed and the ones the go command unpacks:
 * no second parser sees the zip.  Go never compares local and central
 * headers, and neither does this.
 *
 * Case folding: a name folds rune by rune to the smallest member of its
 * Unicode simple case folding orbit (Go's unicode.SimpleFold cycle), then
 * ASCII upper case to lower case, as Go's strToFold.  zc_fold_runs is
 * generated from Go 1.19's unicode.SimpleFold (Unicode 13.0) for every
 * code point above U+007F, plus the case pairs new in Unicode 14.0
 * (U+2C2F, U+A7C0, U+A7D0, U+A7D6, U+A7D8 and Vithkuqi U+10570..U+10595),
 * so it covers what modpath.c's Unicode 14.0 letters allow.  Unicode 15.0
 * (Go 1.21 and later) added no case pairs.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "piraeus.h"


#define ZIPCHECK_PATHS_MAX	1000000	/* files + directories registered */
#define ZIPCHECK_FILE_MAX	4096	/* a name after the prefix */
#define ZIPCHECK_ELEM_MAX	255	/* one element of it (NAME_MAX) */
#define ZIPCHECK_LICENSE_MAX	(16 * 1024 * 1024) /* root LICENSE */
#define ZIPCHECK_QUOTE_MAX	80	/* bytes of a name in a message */

/* One folding rule: lo..hi (every stride-th code point) add delta. */
struct zc_fold_run {
	uint32_t	lo;
	uint32_t	hi;
	uint8_t		stride;
	int32_t		delta;
};

/* Code point -> smallest of its simple case folding orbit (see above). */
static const struct zc_fold_run zc_fold_runs[] = {
	{ 0x000e0, 0x000f6, 1, -32 },
	{ 0x000f8, 0x000fe, 1, -32 },
	{ 0x00101, 0x0012f, 2, -1 },
	{ 0x00133, 0x00137, 2, -1 },
	{ 0x0013a, 0x00148, 2, -1 },
	{ 0x0014b, 0x00177, 2, -1 },
	{ 0x00178, 0x00178, 1, -121 },
	{ 0x0017a, 0x0017e, 2, -1 },
	{ 0x0017f, 0x0017f, 1, -268 },
	{ 0x00183, 0x00185, 2, -1 },
	{ 0x00188, 0x00188, 1, -1 },
	{ 0x0018c, 0x0018c, 1, -1 },
	{ 0x00192, 0x00192, 1, -1 },
	{ 0x00199, 0x00199, 1, -1 },
	{ 0x001a1, 0x001a5, 2, -1 },
	{ 0x001a8, 0x001a8, 1, -1 },
	{ 0x001ad, 0x001ad, 1, -1 },
	{ 0x001b0, 0x001b0, 1, -1 },
	{ 0x001b4, 0x001b6, 2, -1 },
	{ 0x001b9, 0x001b9, 1, -1 },
	{ 0x001bd, 0x001bd, 1, -1 },
	{ 0x001c5, 0x001c5, 1, -1 },
	{ 0x001c6, 0x001c6, 1, -2 },
	{ 0x001c8, 0x001c8, 1, -1 },
	{ 0x001c9, 0x001c9, 1, -2 },
	{ 0x001cb, 0x001cb, 1, -1 },
	{ 0x001cc, 0x001cc, 1, -2 },
	{ 0x001ce, 0x001dc, 2, -1 },
	{ 0x001dd, 0x001dd, 1, -79 },
	{ 0x001df, 0x001ef, 2, -1 },
	{ 0x001f2, 0x001f2, 1, -1 },
	{ 0x001f3, 0x001f3, 1, -2 },
	{ 0x001f5, 0x001f5, 1, -1 },
	{ 0x001f6, 0x001f6, 1, -97 },
	{ 0x001f7, 0x001f7, 1, -56 },
	{ 0x001f9, 0x0021f, 2, -1 },
	{ 0x00220, 0x00220, 1, -130 },
	{ 0x00223, 0x00233, 2, -1 },
	{ 0x0023c, 0x0023c, 1, -1 },
	{ 0x0023d, 0x0023d, 1, -163 },
	{ 0x00242, 0x00242, 1, -1 },
	{ 0x00243, 0x00243, 1, -195 },
	{ 0x00247, 0x0024f, 2, -1 },
	{ 0x00253, 0x00253, 1, -210 },
	{ 0x00254, 0x00254, 1, -206 },
	{ 0x00256, 0x00257, 1, -205 },
	{ 0x00259, 0x00259, 1, -202 },
	{ 0x0025b, 0x0025b, 1, -203 },
	{ 0x00260, 0x00260, 1, -205 },
	{ 0x00263, 0x00263, 1, -207 },
	{ 0x00268, 0x00268, 1, -209 },
	{ 0x00269, 0x00269, 1, -211 },
	{ 0x0026f, 0x0026f, 1, -211 },
	{ 0x00272, 0x00272, 1, -213 },
	{ 0x00275, 0x00275, 1, -214 },
	{ 0x00280, 0x00280, 1, -218 },
	{ 0x00283, 0x00283, 1, -218 },
	{ 0x00288, 0x00288, 1, -218 },
	{ 0x00289, 0x00289, 1, -69 },
	{ 0x0028a, 0x0028b, 1, -217 },
	{ 0x0028c, 0x0028c, 1, -71 },
	{ 0x00292, 0x00292, 1, -219 },
	{ 0x00371, 0x00373, 2, -1 },
	{ 0x00377, 0x00377, 1, -1 },
	{ 0x00399, 0x00399, 1, -84 },
	{ 0x0039c, 0x0039c, 1, -743 },
	{ 0x003ac, 0x003ac, 1, -38 },
	{ 0x003ad, 0x003af, 1, -37 },
	{ 0x003b1, 0x003b8, 1, -32 },
	{ 0x003b9, 0x003b9, 1, -116 },
	{ 0x003ba, 0x003bb, 1, -32 },
	{ 0x003bc, 0x003bc, 1, -775 },
	{ 0x003bd, 0x003c1, 1, -32 },
	{ 0x003c2, 0x003c2, 1, -31 },
	{ 0x003c3, 0x003cb, 1, -32 },
	{ 0x003cc, 0x003cc, 1, -64 },
	{ 0x003cd, 0x003ce, 1, -63 },
	{ 0x003d0, 0x003d0, 1, -62 },
	{ 0x003d1, 0x003d1, 1, -57 },
	{ 0x003d5, 0x003d5, 1, -47 },
	{ 0x003d6, 0x003d6, 1, -54 },
	{ 0x003d7, 0x003d7, 1, -8 },
	{ 0x003d9, 0x003ef, 2, -1 },
	{ 0x003f0, 0x003f0, 1, -86 },
	{ 0x003f1, 0x003f1, 1, -80 },
	{ 0x003f3, 0x003f3, 1, -116 },
	{ 0x003f4, 0x003f4, 1, -92 },
	{ 0x003f5, 0x003f5, 1, -96 },
	{ 0x003f8, 0x003f8, 1, -1 },
	{ 0x003f9, 0x003f9, 1, -7 },
	{ 0x003fb, 0x003fb, 1, -1 },
	{ 0x003fd, 0x003ff, 1, -130 },
	{ 0x00430, 0x0044f, 1, -32 },
	{ 0x00450, 0x0045f, 1, -80 },
	{ 0x00461, 0x00481, 2, -1 },
	{ 0x0048b, 0x004bf, 2, -1 },
	{ 0x004c2, 0x004ce, 2, -1 },
	{ 0x004cf, 0x004cf, 1, -15 },
	{ 0x004d1, 0x0052f, 2, -1 },
	{ 0x00561, 0x00586, 1, -48 },
	{ 0x013f8, 0x013fd, 1, -8 },
	{ 0x01c80, 0x01c80, 1, -6254 },
	{ 0x01c81, 0x01c81, 1, -6253 },
	{ 0x01c82, 0x01c82, 1, -6244 },
	{ 0x01c83, 0x01c84, 1, -6242 },
	{ 0x01c85, 0x01c85, 1, -6243 },
	{ 0x01c86, 0x01c86, 1, -6236 },
	{ 0x01c87, 0x01c87, 1, -6181 },
	{ 0x01c90, 0x01cba, 1, -3008 },
	{ 0x01cbd, 0x01cbf, 1, -3008 },
	{ 0x01e01, 0x01e95, 2, -1 },
	{ 0x01e9b, 0x01e9b, 1, -59 },
	{ 0x01e9e, 0x01e9e, 1, -7615 },
	{ 0x01ea1, 0x01eff, 2, -1 },
	{ 0x01f08, 0x01f0f, 1, -8 },
	{ 0x01f18, 0x01f1d, 1, -8 },
	{ 0x01f28, 0x01f2f, 1, -8 },
	{ 0x01f38, 0x01f3f, 1, -8 },
	{ 0x01f48, 0x01f4d, 1, -8 },
	{ 0x01f59, 0x01f5f, 2, -8 },
	{ 0x01f68, 0x01f6f, 1, -8 },
	{ 0x01f88, 0x01f8f, 1, -8 },
	{ 0x01f98, 0x01f9f, 1, -8 },
	{ 0x01fa8, 0x01faf, 1, -8 },
	{ 0x01fb8, 0x01fb9, 1, -8 },
	{ 0x01fba, 0x01fbb, 1, -74 },
	{ 0x01fbc, 0x01fbc, 1, -9 },
	{ 0x01fbe, 0x01fbe, 1, -7289 },
	{ 0x01fc8, 0x01fcb, 1, -86 },
	{ 0x01fcc, 0x01fcc, 1, -9 },
	{ 0x01fd8, 0x01fd9, 1, -8 },
	{ 0x01fda, 0x01fdb, 1, -100 },
	{ 0x01fe8, 0x01fe9, 1, -8 },
	{ 0x01fea, 0x01feb, 1, -112 },
	{ 0x01fec, 0x01fec, 1, -7 },
	{ 0x01ff8, 0x01ff9, 1, -128 },
	{ 0x01ffa, 0x01ffb, 1, -126 },
	{ 0x01ffc, 0x01ffc, 1, -9 },
	{ 0x02126, 0x02126, 1, -7549 },
	{ 0x0212a, 0x0212a, 1, -8383 },
	{ 0x0212b, 0x0212b, 1, -8294 },
	{ 0x0214e, 0x0214e, 1, -28 },
	{ 0x02170, 0x0217f, 1, -16 },
	{ 0x02184, 0x02184, 1, -1 },
	{ 0x024d0, 0x024e9, 1, -26 },
	{ 0x02c30, 0x02c5f, 1, -48 },
	{ 0x02c61, 0x02c61, 1, -1 },
	{ 0x02c62, 0x02c62, 1, -10743 },
	{ 0x02c63, 0x02c63, 1, -3814 },
	{ 0x02c64, 0x02c64, 1, -10727 },
	{ 0x02c65, 0x02c65, 1, -10795 },
	{ 0x02c66, 0x02c66, 1, -10792 },
	{ 0x02c68, 0x02c6c, 2, -1 },
	{ 0x02c6d, 0x02c6d, 1, -10780 },
	{ 0x02c6e, 0x02c6e, 1, -10749 },
	{ 0x02c6f, 0x02c6f, 1, -10783 },
	{ 0x02c70, 0x02c70, 1, -10782 },
	{ 0x02c73, 0x02c73, 1, -1 },
	{ 0x02c76, 0x02c76, 1, -1 },
	{ 0x02c7e, 0x02c7f, 1, -10815 },
	{ 0x02c81, 0x02ce3, 2, -1 },
	{ 0x02cec, 0x02cee, 2, -1 },
	{ 0x02cf3, 0x02cf3, 1, -1 },
	{ 0x02d00, 0x02d25, 1, -7264 },
	{ 0x02d27, 0x02d27, 1, -7264 },
	{ 0x02d2d, 0x02d2d, 1, -7264 },
	{ 0x0a641, 0x0a649, 2, -1 },
	{ 0x0a64a, 0x0a64a, 1, -35266 },
	{ 0x0a64b, 0x0a64b, 1, -35267 },
	{ 0x0a64d, 0x0a66d, 2, -1 },
	{ 0x0a681, 0x0a69b, 2, -1 },
	{ 0x0a723, 0x0a72f, 2, -1 },
	{ 0x0a733, 0x0a76f, 2, -1 },
	{ 0x0a77a, 0x0a77c, 2, -1 },
	{ 0x0a77d, 0x0a77d, 1, -35332 },
	{ 0x0a77f, 0x0a787, 2, -1 },
	{ 0x0a78c, 0x0a78c, 1, -1 },
	{ 0x0a78d, 0x0a78d, 1, -42280 },
	{ 0x0a791, 0x0a793, 2, -1 },
	{ 0x0a797, 0x0a7a9, 2, -1 },
	{ 0x0a7aa, 0x0a7aa, 1, -42308 },
	{ 0x0a7ab, 0x0a7ab, 1, -42319 },
	{ 0x0a7ac, 0x0a7ac, 1, -42315 },
	{ 0x0a7ad, 0x0a7ad, 1, -42305 },
	{ 0x0a7ae, 0x0a7ae, 1, -42308 },
	{ 0x0a7b0, 0x0a7b0, 1, -42258 },
	{ 0x0a7b1, 0x0a7b1, 1, -42282 },
	{ 0x0a7b2, 0x0a7b2, 1, -42261 },
	{ 0x0a7b5, 0x0a7c3, 2, -1 },
	{ 0x0a7c4, 0x0a7c4, 1, -48 },
	{ 0x0a7c5, 0x0a7c5, 1, -42307 },
	{ 0x0a7c6, 0x0a7c6, 1, -35384 },
	{ 0x0a7c8, 0x0a7ca, 2, -1 },
	{ 0x0a7d1, 0x0a7d1, 1, -1 },
	{ 0x0a7d7, 0x0a7d9, 2, -1 },
	{ 0x0a7f6, 0x0a7f6, 1, -1 },
	{ 0x0ab53, 0x0ab53, 1, -928 },
	{ 0x0ab70, 0x0abbf, 1, -38864 },
	{ 0x0ff41, 0x0ff5a, 1, -32 },
	{ 0x10428, 0x1044f, 1, -40 },
	{ 0x104d8, 0x104fb, 1, -40 },
	{ 0x10597, 0x105a1, 1, -39 },
	{ 0x105a3, 0x105b1, 1, -39 },
	{ 0x105b3, 0x105b9, 1, -39 },
	{ 0x105bb, 0x105bc, 1, -39 },
	{ 0x10cc0, 0x10cf2, 1, -64 },
	{ 0x118c0, 0x118df, 1, -32 },
	{ 0x16e60, 0x16e7f, 1, -32 },
	{ 0x1e922, 0x1e943, 1, -34 },
};

/* Compression methods Go's archive/zip reads. */
static const uint16_t zc_methods[] = { 0 /* Store */, 8 /* Deflate */ };

/* One file or directory registered for the collision check. */
struct zc_path {
	uint64_t	 hash;		/* of the folded form */
	const char	*path;		/* borrowed from zc->zr's entry name */
	const char	*fold;		/* borrowed from zc->folds */
	uint32_t	 plen;
	uint32_t	 flen;
	int		 is_dir;
};

/* The state of one check. */
struct zc {
	const char	*module;
	const char	*version;
	char		 prefix[MODPATH_MAX + VERSION_MAX + 2];
	size_t		 plen;
	struct err	*e;
	uint64_t	 total;		/* declared uncompressed bytes */
	struct zipread	 zr;		/* the zip as Go reads it */
	const struct zipread_ent *ent;	/* the entry being checked */

	struct zc_path	*paths;		/* the collision table */
	size_t		 npaths;
	size_t		 pathcap;
	uint32_t	*slots;		/* index + 1 into paths, 0 empty */
	size_t		 nslots;	/* a power of two */
	char		**folds;	/* folded names to free */
	size_t		 nfolds;
	size_t		 foldcap;

	/* Per entry: the slash offsets of the name and its fold. */
	size_t		 pslash[ZIPCHECK_FILE_MAX];
	size_t		 fslash[ZIPCHECK_FILE_MAX];
	uint64_t	 fhash[ZIPCHECK_FILE_MAX];
};

static int	zc_fail(struct zc *, const char *, const char *, ...)
		    PIRAEUS_ATTR_PRINTF(3, 4);

/* How many bytes of s (length n) a message quotes. */
static int
zc_qlen(size_t n)
{
	return n > ZIPCHECK_QUOTE_MAX ? ZIPCHECK_QUOTE_MAX : (int)n;
}

/*
 * Record a rule violation: "zip for m@v: name: why" (name NULL: without
 * it), E_UPSTREAM.  Always returns -1.
 */
static int
zc_fail(struct zc *zc, const char *name, const char *fmt, ...)
{
	char why[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (name == NULL)
		return err_set(zc->e, E_UPSTREAM, "zip for %.*s@%.*s: %s",
		    zc_qlen(strlen(zc->module)), zc->module,
		    zc_qlen(strlen(zc->version)), zc->version, why);
	return err_set(zc->e, E_UPSTREAM, "zip for %.*s@%.*s: %.*s: %s",
	    zc_qlen(strlen(zc->module)), zc->module,
	    zc_qlen(strlen(zc->version)), zc->version,
	    zc_qlen(strlen(name)), name, why);
}

/*
 * The module path and version (module.Check and CanonicalVersion, as
 * CheckZip starts), and the prefix every entry must have.
 */
static int
zc_check_module(struct zc *zc)
{
	char canon[VERSION_MAX];
	struct err me;
	int n;

	err_clear(&me);
	if (modpath_check(zc->module, &me) != 0)
		return zc_fail(zc, NULL, "%s", me.msg);
	if (strlen(zc->version) >= VERSION_MAX ||
	    semver_canonical(zc->version, 1, canon, sizeof(canon)) != 0)
		return zc_fail(zc, NULL, "version \"%.*s\" is not a semantic "
		    "version", zc_qlen(strlen(zc->version)), zc->version);
	if (strcmp(canon, zc->version) != 0)
		return zc_fail(zc, NULL, "version \"%.*s\" is not canonical "
		    "(should be \"%s\")", zc_qlen(strlen(zc->version)),
		    zc->version, canon);
	if (modpath_check_major(zc->module, zc->version) != 0)
		return zc_fail(zc, NULL, "version %s invalid: should be "
		    "compatible with the major version of the module path",
		    zc->version);
	n = snprintf(zc->prefix, sizeof(zc->prefix), "%s@%s/", zc->module,
	    zc->version);
	if (n < 0 || (size_t)n >= sizeof(zc->prefix))
		return zc_fail(zc, NULL, "module path and version too long");
	zc->plen = (size_t)n;
	return 0;
}

/* Decode one UTF-8 sequence of s[0..n) (n > 0); an invalid byte is itself. */
static size_t
zc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else
		len = 0;
	if (len == 0 || len > n)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return len;
bad:
	*cp = 0x80000000U | s[0];	/* zc_utf8_encode gives the byte back */
	return 1;
}

/* Encode c (as decoded above) into out; returns the length. */
static size_t
zc_utf8_encode(uint32_t c, unsigned char *out)
{
	if (c & 0x80000000U) {		/* an invalid byte, kept as is */
		out[0] = (unsigned char)(c & 0xff);
		return 1;
	}
	if (c < 0x80) {
		out[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (unsigned char)(0xc0 | c >> 6);
		out[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (unsigned char)(0xe0 | c >> 12);
		out[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | c >> 18);
	out[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (c & 0x3f));
	return 4;
}

/* The folded form of one code point (strToFold's rule). */
static uint32_t
zc_fold_rune(uint32_t c)
{
	size_t lo = 0, hi = NITEMS(zc_fold_runs), mid;
	const struct zc_fold_run *r;

	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = &zc_fold_runs[mid];
		if (c < r->lo)
			hi = mid;
		else if (c > r->hi)
			lo = mid + 1;
		else if ((c - r->lo) % r->stride == 0)
			return (uint32_t)((int32_t)c + r->delta);
		else
			return c;
	}
	return c;
}

/*
 * Fold the n bytes at s into out (room for n + 1 bytes: a folded code
 * point is never longer than the original); returns the folded length.
 */
static size_t
zc_fold(const char *s, size_t n, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char enc[4];
	size_t i = 0, o = 0, k, len;
	uint32_t c;

	while (i < n) {
		k = zc_utf8_decode(u + i, n - i, &c);
		len = zc_utf8_encode(zc_fold_rune(c), enc);
		if (len > k) {		/* cannot happen: keep the rune */
			len = k;
			memcpy(enc, u + i, k);
		}
		memcpy(out + o, enc, len);
		o += len;
		i += k;
	}
	out[o] = '\0';
	return o;
}

/* 64-bit FNV-1a, continued from h. */
static uint64_t
zc_hash_byte(uint64_t h, unsigned char c)
{
	return (h ^ c) * 0x100000001b3ULL;
}

#define ZC_HASH_INIT	0xcbf29ce484222325ULL

/* The registered path with this folded form, or NULL. */
static struct zc_path *
zc_lookup(struct zc *zc, uint64_t hash, const char *fold, size_t flen,
    size_t *slot)
{
	struct zc_path *p;
	size_t i, mask = zc->nslots - 1;

	for (i = (size_t)hash & mask; zc->slots[i] != 0; i = (i + 1) & mask) {
		p = &zc->paths[zc->slots[i] - 1];
		if (p->hash == hash && p->flen == flen &&
		    memcmp(p->fold, fold, flen) == 0)
			return p;
	}
	*slot = i;
	return NULL;
}

/* Double the slot array and re-insert every path. */
static void
zc_grow(struct zc *zc)
{
	size_t i, j, mask;

	free(zc->slots);
	zc->nslots *= 2;
	zc->slots = xcalloc(zc->nslots, sizeof(*zc->slots));
	mask = zc->nslots - 1;
	for (i = 0; i < zc->npaths; i++) {
		for (j = (size_t)zc->paths[i].hash & mask; zc->slots[j] != 0;
		    j = (j + 1) & mask)
			;
		zc->slots[j] = (uint32_t)(i + 1);
	}
}

/*
 * One step of collisionChecker.check: path p (plen bytes) folding to f
 * (flen bytes, hash h).  Returns 1 when p is a directory already
 * registered (so its parents are too), 0 when registered now, -1 on a
 * collision.
 */
static int
zc_register(struct zc *zc, const char *p, size_t plen, const char *f,
    size_t flen, uint64_t h, int is_dir)
{
	struct zc_path *o;
	size_t slot = 0;

	if ((o = zc_lookup(zc, h, f, flen, &slot)) != NULL) {
		if (o->plen != plen || memcmp(o->path, p, plen) != 0)
			return zc_fail(zc, NULL, "case-insensitive file name "
			    "collision: \"%.*s\" and \"%.*s\"",
			    zc_qlen(o->plen), o->path, zc_qlen(plen), p);
		if (o->is_dir != is_dir)
			return zc_fail(zc, NULL, "entry \"%.*s\" is both a "
			    "file and a directory", zc_qlen(plen), p);
		if (!is_dir)
			return zc_fail(zc, NULL, "multiple entries for file "
			    "\"%.*s\"", zc_qlen(plen), p);
		return 1;
	}
	if (zc->npaths >= ZIPCHECK_PATHS_MAX)
		return zc_fail(zc, NULL, "more than %d files and directories",
		    ZIPCHECK_PATHS_MAX);
	if (zc->npaths == zc->pathcap) {
		zc->pathcap = zc->pathcap == 0 ? 256 : zc->pathcap * 2;
		zc->paths = xreallocarray(zc->paths, zc->pathcap,
		    sizeof(*zc->paths));
	}
	o = &zc->paths[zc->npaths];
	o->hash = h;
	o->path = p;
	o->plen = (uint32_t)plen;
	o->fold = f;
	o->flen = (uint32_t)flen;
	o->is_dir = is_dir;
	zc->slots[slot] = (uint32_t)(++zc->npaths);
	if (zc->npaths * 2 >= zc->nslots)
		zc_grow(zc);
	return 0;
}

/*
 * The collision check of name p (n bytes, a directory's without its "/"):
 * p itself, then each parent directory up to the first one already known.
 * Parents are prefixes of p ending before a "/", and of its fold (only
 * "/" folds to "/"), so one pass finds the offsets and prefix hashes.
 */
static int
zc_collisions(struct zc *zc, const char *p, size_t n, int is_dir)
{
	char *f;
	size_t flen, i, k = 0, kf = 0;
	uint64_t h = ZC_HASH_INIT;
	int rv;

	if (zc->nfolds == zc->foldcap) {
		zc->foldcap = zc->foldcap == 0 ? 256 : zc->foldcap * 2;
		zc->folds = xreallocarray(zc->folds, zc->foldcap,
		    sizeof(*zc->folds));
	}
	f = xmalloc(n + 1);
	zc->folds[zc->nfolds++] = f;
	flen = zc_fold(p, n, f);

	for (i = 0; i < n; i++) {
		if (p[i] == '/' && k < ZIPCHECK_FILE_MAX)
			zc->pslash[k++] = i;
	}
	for (i = 0; i < flen; i++) {
		if (f[i] == '/' && kf < ZIPCHECK_FILE_MAX) {
			zc->fslash[kf] = i;
			zc->fhash[kf++] = h;
		}
		h = zc_hash_byte(h, (unsigned char)f[i]);
	}
	if (k != kf)		/* cannot happen: only "/" folds to "/" */
		return err_set(zc->e, E_INTERNAL, "zipcheck: fold changed "
		    "the slashes of %.*s", zc_qlen(n), p);

	if ((rv = zc_register(zc, p, n, f, flen, h, is_dir)) != 0)
		return rv < 0 ? -1 : 0;
	while (k-- > 0) {
		rv = zc_register(zc, p, zc->pslash[k], f, zc->fslash[k],
		    zc->fhash[k], 1);
		if (rv != 0)
			return rv < 0 ? -1 : 0;
	}
	return 0;
}

/*
 * path.Clean(p) == p for the n bytes at p (n > 0, no trailing "/"): no
 * empty, "." or ".." element.  (Clean keeps a leading "..", which
 * CheckFilePath refuses anyway.)
 */
static int
zc_is_clean(const char *p, size_t n)
{
	size_t i, start = 0, len;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		len = i - start;
		if (len == 0 || (len == 1 && p[start] == '.') ||
		    (len == 2 && p[start] == '.' && p[start + 1] == '.'))
			return 0;
		start = i + 1;
	}
	return 1;
}

/*
 * The longest element of the n bytes at p.  The go command unzips every
 * file into its module cache: an element longer than the file systems'
 * NAME_MAX (255 bytes on Linux, macOS and Windows) in a file's name fails
 * there, so the go command refuses the zip (a directory entry is not
 * unzipped: its name is no path created).
 */
static size_t
zc_longest_elem(const char *p, size_t n)
{
	size_t i, start = 0, longest = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		if (i - start > longest)
			longest = i - start;
		start = i + 1;
	}
	return longest;
}

/*
 * Whether the n bytes at s are "go.mod" ignoring case.  ASCII is enough
 * for strings.EqualFold here: no other rune folds to g, o, ".", m or d.
 */
static int
zc_is_gomod_fold(const char *s, size_t n)
{
	static const char gomod[] = "go.mod";
	size_t i;
	int c;

	if (n != sizeof(gomod) - 1)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != gomod[i])
			return 0;
	}
	return 1;
}

/*
 * The compression method of the raw record of entry name: Store or
 * Deflate, the only ones Go's reader has (dirhash_zip opens every entry).
 * A directory entry too: Go 1.19 opens it through the decompressor.
 * Nothing else of the record is a rule: CheckZip and Unzip ignore the
 * encryption flags (the bytes are read as stored) and the mode bits (a
 * symbolic link or a named pipe entry is unzipped as a regular file).
 */
static int
zc_check_record(struct zc *zc, const char *name)
{
	size_t i;

	for (i = 0; i < NITEMS(zc_methods); i++) {
		if (zc->ent->method == zc_methods[i])
			return 0;
	}
	return zc_fail(zc, name, "unsupported compression method %u "
	    "(only Store and Deflate)", (unsigned)zc->ent->method);
}

/* The name rules (CheckZip) for entry name, its record zc->ent. */
static int
zc_check_name(struct zc *zc, const char *name)
{
	const char *p;
	size_t n;
	int is_dir;

	if (strncmp(name, zc->prefix, zc->plen) != 0)
		return err_set(zc->e, E_UPSTREAM, "zip for %.*s@%.*s has "
		    "unexpected file %.*s", zc_qlen(strlen(zc->module)),
		    zc->module, zc_qlen(strlen(zc->version)), zc->version,
		    zc_qlen(strlen(name)), name);
	p = name + zc->plen;
	n = strlen(p);
	/* The raw name goes on after a NUL: CheckFilePath refuses it. */
	if (strlen(name) != zc->ent->name_len)
		return zc_fail(zc, p, "malformed file path: NUL byte");
	if (n == 0)
		return 0;	/* the root directory entry, as Go skips it */
	if (n >= ZIPCHECK_FILE_MAX)
		return zc_fail(zc, p, "file path longer than %d bytes",
		    ZIPCHECK_FILE_MAX - 1);
	is_dir = p[n - 1] == '/';
	if (is_dir)
		n--;
	if (n > 0 && p[0] == '/')
		return zc_fail(zc, p, "file path is not relative");
	if (n == 0 || !zc_is_clean(p, n))
		return zc_fail(zc, p, "file path is not clean");
	/* Unzip skips directory entries: only a file's name is a path the
	 * go command creates. */
	if (!is_dir && zc_longest_elem(p, n) > ZIPCHECK_ELEM_MAX)
		return zc_fail(zc, p, "file name element longer than %d bytes "
		    "(no file system of the go command takes it)",
		    ZIPCHECK_ELEM_MAX);
	/* modpath_check_file wants a string: the file path alone. */
	if (is_dir) {
		char tmp[ZIPCHECK_FILE_MAX];

		memcpy(tmp, p, n);
		tmp[n] = '\0';
		if (modpath_check_file(tmp) != 0)
			return zc_fail(zc, p, "malformed file path");
	} else if (modpath_check_file(p) != 0)
		return zc_fail(zc, p, "malformed file path");
	return zc_collisions(zc, p, n, is_dir);
}

/* Placement of go.mod and the size caps for file entry p (after prefix). */
static int
zc_check_file(struct zc *zc, const char *p, uint64_t size)
{
	const char *base;

	base = strrchr(p, '/');
	base = base == NULL ? p : base + 1;
	if (zc_is_gomod_fold(base, strlen(base))) {
		if (base != p)
			return zc_fail(zc, p, "go.mod file not in module root "
			    "directory");
		if (strcmp(p, "go.mod") != 0)
			return zc_fail(zc, p, "go.mod files must have "
			    "lowercase names");
	}
	if (size > (uint64_t)ZIP_MAX || zc->total > (uint64_t)ZIP_MAX - size)
		return zc_fail(zc, NULL, "total uncompressed size of module "
		    "contents too large (max size is %lld bytes)",
		    (long long)ZIP_MAX);
	zc->total += size;
	if (strcmp(p, "go.mod") == 0 && size > GOMOD_MAX)
		return zc_fail(zc, p, "go.mod file too large (max size is %d "
		    "bytes)", GOMOD_MAX);
	if (strcmp(p, "LICENSE") == 0 && size > ZIPCHECK_LICENSE_MAX)
		return zc_fail(zc, p, "LICENSE file too large (max size is %d "
		    "bytes)", ZIPCHECK_LICENSE_MAX);
	return 0;
}

/* Every entry, in central directory order, as Go reads the directory. */
static int
zc_check_entries(struct zc *zc)
{
	const char *name;
	size_t i;

	zc->nslots = 1024;
	zc->slots = xcalloc(zc->nslots, sizeof(*zc->slots));
	for (i = 0; i < zc->zr.n; i++) {
		zc->ent = &zc->zr.ents[i];
		name = zc->ent->name;
		if (zc_check_name(zc, name) != 0 ||
		    zc_check_record(zc, name[zc->plen] != '\0' ?
		    name + zc->plen : name) != 0)
			return -1;
		if (name[zc->plen] == '\0' || name[strlen(name) - 1] == '/')
			continue;	/* directories: no size, no go.mod */
		if (zc_check_file(zc, name + zc->plen, zc->ent->usize) != 0)
			return -1;
	}
	return 0;
}

/* See piraeus.h: the zip rules and the h1 of the zip at zippath. */
int
zipcheck(const char *zippath, const char *module, const char *version,
    char h1[H1_MAX], struct err *e)
{
	struct zc *zc;
	struct stat sb;
	struct err de, oe;
	size_t i;
	int fd = -1, rv = -1;

	if (zippath == NULL || module == NULL || version == NULL)
		return err_set(e, E_INTERNAL, "zipcheck: missing argument");
	zc = xcalloc(1, sizeof(*zc));
	zc->module = module;
	zc->version = version;
	zc->e = e;
	zc->zr.fd = -1;
	if (zc_check_module(zc) != 0)
		goto out;

	/* Opened never blocking (a FIFO), never through a link.  The zip is
	 * a file the caller wrote or chose: missing is an internal error,
	 * never the client's "not found".  Every byte checked and hashed
	 * is read through this one descriptor. */
	err_clear(&oe);
	if ((fd = buf_open_regular(zippath, &oe)) == -1) {
		err_set(e, E_INTERNAL, "%s", oe.msg);
		goto out;
	}
	if (fstat(fd, &sb) != 0) {
		err_errno(e, E_INTERNAL, "%s", zippath);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		err_set(e, E_INTERNAL, "%s: not a regular file", zippath);
		goto out;
	}
	if (sb.st_size > ZIP_MAX) {
		zc_fail(zc, NULL, "module zip file is too large (%lld bytes; "
		    "limit is %lld bytes)", (long long)sb.st_size,
		    (long long)ZIP_MAX);
		goto out;
	}
	/* The directory as both go commands read it, or why not. */
	err_clear(&de);
	if (zipread_open(&zc->zr, fd, (uint64_t)sb.st_size, &de) != 0) {
		if (de.code == E_INTERNAL)
			err_set(e, E_INTERNAL, "%s: %s", zippath, de.msg);
		else
			zc_fail(zc, NULL, "%s", de.msg);
		goto out;
	}
	if (zc_check_entries(zc) != 0)
		goto out;

	/* Names are checked: now every byte, declared sizes enforced. */
	err_clear(&de);
	if (dirhash_zipread(&zc->zr, h1, &de) != 0) {
		if (de.code == E_INTERNAL)
			err_set(e, E_INTERNAL, "%s", de.msg);
		else
			zc_fail(zc, NULL, "%s", de.msg);
		goto out;
	}
	rv = 0;
out:
	zipread_close(&zc->zr);
	if (fd != -1)
		close(fd);
	for (i = 0; i < zc->nfolds; i++)
		free(zc->folds[i]);
	free(zc->folds);
	free(zc->paths);
	free(zc->slots);
	free(zc);
	return rv;
}

/*
 * test_modpath.c: unit tests for modpath.c.
 *
 * The tables carry over the facts of golang.org/x/mod module/module_test.go
 * (checkPathTests, checkTests, splitPathVersionTests, escapeTests,
 * badUnescape, TestMatchPathMajor) and protocol.md sections 1.3-1.7; the
 * expected values are written out here, never computed by the code under
 * test.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "piraeus.h"
#include "tap.h"


/* CheckPath / CheckImportPath / CheckFilePath (module_test.go). */
static const struct {
	const char	*path;
	int		 mod;
	int		 imp;
	int		 file;
} path_tests[] = {
	{ "x.y/z", 1, 1, 1 },
	{ "x.y", 1, 1, 1 },

	{ "", 0, 0, 0 },
	{ "x.y/\xFFz", 0, 0, 0 },
	{ "/x.y/z", 0, 0, 0 },
	{ "x./z", 0, 0, 0 },
	{ ".x/z", 0, 1, 1 },
	{ "-x/z", 0, 0, 1 },
	{ "x..y/z", 1, 1, 1 },
	{ "x.y/z/../../w", 0, 0, 0 },
	{ "x.y//z", 0, 0, 0 },
	{ "x.y/z//w", 0, 0, 0 },
	{ "x.y/z/", 0, 0, 0 },

	{ "x.y/z/v0", 0, 1, 1 },
	{ "x.y/z/v1", 0, 1, 1 },
	{ "x.y/z/v2", 1, 1, 1 },
	{ "x.y/z/v2.0", 0, 1, 1 },
	{ "X.y/z", 0, 1, 1 },

	{ "!x.y/z", 0, 0, 1 },
	{ "_x.y/z", 0, 1, 1 },
	{ "x.y!/z", 0, 0, 1 },
	{ "x.y\"/z", 0, 0, 0 },
	{ "x.y#/z", 0, 0, 1 },
	{ "x.y$/z", 0, 0, 1 },
	{ "x.y%/z", 0, 0, 1 },
	{ "x.y&/z", 0, 0, 1 },
	{ "x.y'/z", 0, 0, 0 },
	{ "x.y(/z", 0, 0, 1 },
	{ "x.y)/z", 0, 0, 1 },
	{ "x.y*/z", 0, 0, 0 },
	{ "x.y+/z", 0, 1, 1 },
	{ "x.y,/z", 0, 0, 1 },
	{ "x.y-/z", 1, 1, 1 },
	{ "x.y./zt", 0, 0, 0 },
	{ "x.y:/z", 0, 0, 0 },
	{ "x.y;/z", 0, 0, 0 },
	{ "x.y</z", 0, 0, 0 },
	{ "x.y=/z", 0, 0, 1 },
	{ "x.y>/z", 0, 0, 0 },
	{ "x.y?/z", 0, 0, 0 },
	{ "x.y@/z", 0, 0, 1 },
	{ "x.y[/z", 0, 0, 1 },
	{ "x.y\\/z", 0, 0, 0 },
	{ "x.y]/z", 0, 0, 1 },
	{ "x.y^/z", 0, 0, 1 },
	{ "x.y_/z", 0, 1, 1 },
	{ "x.y`/z", 0, 0, 0 },
	{ "x.y{/z", 0, 0, 1 },
	{ "x.y}/z", 0, 0, 1 },
	{ "x.y~/z", 0, 1, 1 },
	{ "x.y/z!", 0, 0, 1 },
	{ "x.y/z\"", 0, 0, 0 },
	{ "x.y/z#", 0, 0, 1 },
	{ "x.y/z$", 0, 0, 1 },
	{ "x.y/z%", 0, 0, 1 },
	{ "x.y/z&", 0, 0, 1 },
	{ "x.y/z'", 0, 0, 0 },
	{ "x.y/z(", 0, 0, 1 },
	{ "x.y/z)", 0, 0, 1 },
	{ "x.y/z*", 0, 0, 0 },
	{ "x.y/z++", 0, 1, 1 },
	{ "x.y/z,", 0, 0, 1 },
	{ "x.y/z-", 1, 1, 1 },
	{ "x.y/z.t", 1, 1, 1 },
	{ "x.y/z/t", 1, 1, 1 },
	{ "x.y/z:", 0, 0, 0 },
	{ "x.y/z;", 0, 0, 0 },
	{ "x.y/z<", 0, 0, 0 },
	{ "x.y/z=", 0, 0, 1 },
	{ "x.y/z>", 0, 0, 0 },
	{ "x.y/z?", 0, 0, 0 },
	{ "x.y/z@", 0, 0, 1 },
	{ "x.y/z[", 0, 0, 1 },
	{ "x.y/z\\", 0, 0, 0 },
	{ "x.y/z]", 0, 0, 1 },
	{ "x.y/z^", 0, 0, 1 },
	{ "x.y/z_", 1, 1, 1 },
	{ "x.y/z`", 0, 0, 0 },
	{ "x.y/z{", 0, 0, 1 },
	{ "x.y/z}", 0, 0, 1 },
	{ "x.y/z~", 1, 1, 1 },
	{ "x.y/x.foo", 1, 1, 1 },
	{ "x.y/aux.foo", 0, 0, 0 },
	{ "x.y/prn", 0, 0, 0 },
	{ "x.y/prn2", 1, 1, 1 },
	{ "x.y/com", 1, 1, 1 },
	{ "x.y/com1", 0, 0, 0 },
	{ "x.y/com1.txt", 0, 0, 0 },
	{ "x.y/calm1", 1, 1, 1 },
	{ "x.y/z~0", 0, 0, 1 },
	{ "x.y/z~09", 0, 0, 1 },
	{ "x.y/z09", 1, 1, 1 },
	{ "x.y/z09~", 1, 1, 1 },
	{ "x.y/z09~09z", 1, 1, 1 },
	{ "x.y/z09~09z~09", 0, 0, 1 },
	{ "github.com/!123/logrus", 0, 0, 1 },

	/* Unicode letters are allowed in file paths only. */
	{ "github.com/user/unicode/испытание", 0, 0, 1 },

	{ "../x", 0, 0, 0 },
	{ "./y", 0, 0, 0 },
	{ "x:y", 0, 0, 0 },
	{ "\\temp\\foo", 0, 0, 0 },
	{ ".gitignore", 0, 1, 1 },
	{ ".github/ISSUE_TEMPLATE", 0, 1, 1 },
	{ "x☺y", 0, 0, 0 },

	/* More, from protocol.md 1.4 and the rules it states. */
	{ "x.y/CON", 0, 0, 0 },
	{ "x.y/nul.tar.gz", 0, 0, 0 },
	{ "x.y/Lpt9", 0, 0, 0 },
	{ "x.y/lpt0", 1, 1, 1 },
	{ "x.y/com10", 1, 1, 1 },
	{ "x.y/auxx", 1, 1, 1 },
	{ "x.y/z~1.go", 0, 0, 1 },
	{ "x.y/z.a~1", 1, 1, 1 },
	{ "x.y/~1", 0, 0, 1 },
	{ "x.y/.z", 0, 1, 1 },
	{ "x.y/...", 0, 0, 0 },
	{ "x.y/a b", 0, 0, 1 },
	{ "x.y/z\t", 0, 0, 0 },
	{ "x.y/z\x7f", 0, 0, 0 },
	{ "a.b.c-d/e_f~g", 1, 1, 1 },
	{ "github.com/Azure/azure-sdk-for-go", 1, 1, 1 },
	{ "gopkg.in/yaml.v2", 1, 1, 1 },
	{ "gopkg.in/yaml.v0", 1, 1, 1 },
	{ "gopkg.in/yaml.v1-unstable", 1, 1, 1 },
	{ "gopkg.in/yaml", 0, 1, 1 },
	{ "gopkg.in/yaml.v01", 0, 1, 1 },
	{ "gopkg.in/yaml.v0-unstable", 0, 1, 1 },
	{ "x.y/z/v02", 0, 1, 1 },
	{ "x.y/z/v10", 1, 1, 1 },
	{ "x.y/v2", 1, 1, 1 },
	{ "x-y.z", 1, 1, 1 },
	{ "xy", 0, 1, 1 },
	{ "x_y.z/w", 0, 1, 1 },
	{ "x.y/é", 0, 0, 1 },			/* U+00E9, Ll */
	{ "x.y/日本語", 0, 0, 1 },		/* U+65E5..., Lo */
	{ "x.y/\xF0\x9D\x90\x80", 0, 0, 1 },	/* U+1D400, Lu */
	{ "x.y/a\xC2\xAD", 0, 0, 0 },		/* U+00AD, Cf */
	{ "x.y/\xD9\xA0", 0, 0, 0 },		/* U+0660 digit, Nd */
	{ "x.y/\xC0\xAF", 0, 0, 0 },		/* overlong "/" */
	{ "x.y/\xED\xA0\x80", 0, 0, 0 },	/* surrogate U+D800 */
	{ "x.y/\xF4\x90\x80\x80", 0, 0, 0 },	/* above U+10FFFF */
	{ "x.y/\xC3", 0, 0, 0 },		/* truncated sequence */
	{ "x.y/\xE6\x97", 0, 0, 0 },		/* truncated sequence */
};

/* EscapePath / EscapeVersion encodings; out NULL: must fail. */
static const struct {
	const char	*in;
	const char	*out;
} escape_tests[] = {
	{ "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
	  "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789" },
	{ "ascii.com/abcdefghijklmnopqrstuvwxyz.-+/~_0123456789",
	  "ascii.com/abcdefghijklmnopqrstuvwxyz.-+/~_0123456789" },
	{ "github.com/GoogleCloudPlatform/omega",
	  "github.com/!google!cloud!platform/omega" },
	{ "github.com/Azure/azure-sdk-for-go",
	  "github.com/!azure/azure-sdk-for-go" },
	{ "github.com/Sirupsen/logrus", "github.com/!sirupsen/logrus" },
	{ "github.com/PuerkitoBio/goquery",
	  "github.com/!puerkito!bio/goquery" },
	{ "v1.0.0-RC1", "v1.0.0-!r!c1" },
	{ "Main", "!main" },
	{ "ABCXYZ", "!a!b!c!x!y!z" },
	{ "v2.0.0+incompatible", "v2.0.0+incompatible" },
	{ "", "" },
	{ "x!y", NULL },
	{ "github.com/!azure/x", NULL },
	{ "x.y/испытание", NULL },
	{ "x.y/\xFF", NULL },
};

/* UnescapePath / UnescapeVersion decodings; out NULL: must fail. */
static const struct {
	const char	*in;
	const char	*out;
} unescape_tests[] = {
	{ "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
	  "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789" },
	{ "github.com/!google!cloud!platform/omega",
	  "github.com/GoogleCloudPlatform/omega" },
	{ "github.com/!azure/azure-sdk-for-go",
	  "github.com/Azure/azure-sdk-for-go" },
	{ "v1.0.0-!r!c1", "v1.0.0-RC1" },
	{ "!main", "Main" },
	{ "!a!z", "AZ" },
	{ "v2.0.0+incompatible", "v2.0.0+incompatible" },
	/* badUnescape in module_test.go */
	{ "github.com/GoogleCloudPlatform/omega", NULL },
	{ "github.com/!google!cloud!platform!/omega", NULL },
	{ "github.com/!0google!cloud!platform/omega", NULL },
	{ "github.com/!_google!cloud!platform/omega", NULL },
	{ "github.com/!!google!cloud!platform/omega", NULL },
	{ "", NULL },
	/* and more of the same rules */
	{ "!", NULL },
	{ "abc!", NULL },
	{ "!A", NULL },
	{ "a/!/b", NULL },
	{ "x.y/\xD0\xB8", NULL },
	{ "x.y/\x80", NULL },
};

/* The error text of modpath_check, like Go's InvalidPathError. */
static const struct {
	const char	*path;
	const char	*msg;
} message_tests[] = {
	{ "x",
	  "malformed module path \"x\": missing dot in first path element" },
	{ "", "malformed module path \"\": empty string" },
	{ "x.y/\xFFz", "malformed module path \"x.y/\\xffz\": invalid UTF-8" },
	{ "-x.y/z", "malformed module path \"-x.y/z\": leading dash" },
	{ "x.y//z", "malformed module path \"x.y//z\": double slash" },
	{ "x.y/z/", "malformed module path \"x.y/z/\": trailing slash" },
	{ "/x.y/z", "malformed module path \"/x.y/z\": empty path element" },
	{ "x.y/z/../w",
	  "malformed module path \"x.y/z/../w\": invalid path element \"..\"" },
	{ ".x/z",
	  "malformed module path \".x/z\": leading dot in path element" },
	{ "x./z",
	  "malformed module path \"x./z\": trailing dot in path element" },
	{ "x.y/z!", "malformed module path \"x.y/z!\": invalid char '!'" },
	{ "x.y/z'", "malformed module path \"x.y/z'\": invalid char '\\''" },
	{ "x.y/z\"", "malformed module path \"x.y/z\\\"\": invalid char '\"'" },
	{ "x.y/z\\",
	  "malformed module path \"x.y/z\\\\\": invalid char '\\\\'" },
	{ "x.y/a\x01", "malformed module path \"x.y/a\\x01\": "
	  "invalid char '\\x01'" },
	{ "x.y/испытание", "malformed module path \"x.y/испытание\": "
	  "invalid char 'и'" },
	{ "x.y/aux.foo", "malformed module path \"x.y/aux.foo\": "
	  "\"aux\" disallowed as path element component on Windows" },
	{ "x.y/z~09", "malformed module path \"x.y/z~09\": "
	  "trailing tilde and digits in path element" },
	{ "X.y/z", "malformed module path \"X.y/z\": "
	  "invalid char 'X' in first path element" },
	{ "x_y.z/w", "malformed module path \"x_y.z/w\": "
	  "invalid char '_' in first path element" },
	{ "x.y/z/v1", "malformed module path \"x.y/z/v1\": invalid version" },
	{ "gopkg.in/yaml", "malformed module path \"gopkg.in/yaml\": "
	  "invalid version" },
};

/* SplitPathVersion: prefix and major of good paths; ok 0 for bad ones. */
static const struct {
	const char	*path;
	const char	*prefix;
	const char	*major;
	int		 ok;
} split_tests[] = {
	{ "x.y/z", "x.y/z", "", 1 },
	{ "x.y/z/v2", "x.y/z", "/v2", 1 },
	{ "x.y/z/v3", "x.y/z", "/v3", 1 },
	{ "x.y/v", "x.y/v", "", 1 },
	{ "gopkg.in/yaml.v0", "gopkg.in/yaml", ".v0", 1 },
	{ "gopkg.in/yaml.v1", "gopkg.in/yaml", ".v1", 1 },
	{ "gopkg.in/yaml.v2", "gopkg.in/yaml", ".v2", 1 },
	{ "gopkg.in/yaml.v3", "gopkg.in/yaml", ".v3", 1 },
	{ "gopkg.in/yaml.v1-unstable", "gopkg.in/yaml", ".v1-unstable", 1 },
	{ "x.y/z/v10", "x.y/z", "/v10", 1 },
	{ "x.y/z/v2x", "x.y/z/v2x", "", 1 },
	{ "x.y/zv2", "x.y/zv2", "", 1 },
	{ "x.y/z.v2", "x.y/z.v2", "", 1 },
	{ "v2", "v2", "", 1 },
	{ "/v2", "", "/v2", 1 },
	{ "x.y/z/v1", "x.y/z/v1", "", 0 },
	{ "x.y/z/v0", "x.y/z/v0", "", 0 },
	{ "x.y/z/v02", "x.y/z/v02", "", 0 },
	{ "x.y/z/v2.0", "x.y/z/v2.0", "", 0 },
	{ "x.y/z/v.2", "x.y/z/v.2", "", 0 },
	{ "x.y/z/v.", "x.y/z/v.", "", 0 },
	{ "gopkg.in/yaml", "gopkg.in/yaml", "", 0 },
	{ "gopkg.in/yaml.v", "gopkg.in/yaml.v", "", 0 },
	{ "gopkg.in/yaml.v01", "gopkg.in/yaml.v01", "", 0 },
	{ "gopkg.in/yaml/v2", "gopkg.in/yaml/v2", "", 0 },
};

/* s with control and non-ASCII bytes as \xNN, for a TAP test name. */
static const char *
vis(const char *s)
{
	static char buf[4][160];
	static int which;
	char *b = buf[which++ % 4];
	size_t o = 0;

	for (; *s != '\0' && o + 5 < sizeof(buf[0]); s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			o += (size_t)snprintf(b + o, sizeof(buf[0]) - o,
			    "\\x%02x", (unsigned char)*s);
		else
			b[o++] = *s;
	}
	b[o] = '\0';
	return b;
}

/* Check(path, version): module_test.go checkTests. */
static const struct {
	const char	*path;
	const char	*version;
	int		 ok;
} check_tests[] = {
	{ "rsc.io/quote", "0.1.0", 0 },
	{ "rsc io/quote", "v1.0.0", 0 },

	{ "github.com/go-yaml/yaml", "v0.8.0", 1 },
	{ "github.com/go-yaml/yaml", "v1.0.0", 1 },
	{ "github.com/go-yaml/yaml", "v2.0.0", 0 },
	{ "github.com/go-yaml/yaml", "v2.1.5", 0 },
	{ "github.com/go-yaml/yaml", "v3.0.0", 0 },

	{ "github.com/go-yaml/yaml/v2", "v1.0.0", 0 },
	{ "github.com/go-yaml/yaml/v2", "v2.0.0", 1 },
	{ "github.com/go-yaml/yaml/v2", "v2.1.5", 1 },
	{ "github.com/go-yaml/yaml/v2", "v3.0.0", 0 },

	{ "gopkg.in/yaml.v0", "v0.8.0", 1 },
	{ "gopkg.in/yaml.v0", "v1.0.0", 0 },
	{ "gopkg.in/yaml.v0", "v2.0.0", 0 },
	{ "gopkg.in/yaml.v0", "v2.1.5", 0 },
	{ "gopkg.in/yaml.v0", "v3.0.0", 0 },

	{ "gopkg.in/yaml.v1", "v0.8.0", 0 },
	{ "gopkg.in/yaml.v1", "v1.0.0", 1 },
	{ "gopkg.in/yaml.v1", "v2.0.0", 0 },
	{ "gopkg.in/yaml.v1", "v2.1.5", 0 },
	{ "gopkg.in/yaml.v1", "v3.0.0", 0 },

	{ "gopkg.in/check.v1", "v0.0.0", 0 },
	{ "gopkg.in/check.v1", "v0.0.0-20160102150405-abcdef123456", 1 },

	{ "gopkg.in/yaml.v2", "v1.0.0", 0 },
	{ "gopkg.in/yaml.v2", "v2.0.0", 1 },
	{ "gopkg.in/yaml.v2", "v2.1.5", 1 },
	{ "gopkg.in/yaml.v2", "v3.0.0", 0 },

	{ "rsc.io/quote", "v17.0.0", 0 },
	{ "rsc.io/quote", "v17.0.0+incompatible", 1 },
};

/* CheckPathMajor alone (protocol.md 1.5, TestMatchPathMajor, more). */
static const struct {
	const char	*path;
	const char	*version;
	int		 ok;
} major_tests[] = {
	{ "github.com/go-yaml/yaml", "v0.8.0", 1 },
	{ "github.com/go-yaml/yaml", "v1.0.0", 1 },
	{ "github.com/go-yaml/yaml", "v2.0.0", 0 },
	{ "github.com/go-yaml/yaml/v2", "v2.0.0", 1 },
	{ "github.com/go-yaml/yaml/v2", "v2.1.5", 1 },
	{ "github.com/go-yaml/yaml/v2", "v1.0.0", 0 },
	{ "github.com/go-yaml/yaml/v2", "v3.0.0", 0 },
	{ "gopkg.in/yaml.v0", "v0.8.0", 1 },
	{ "gopkg.in/yaml.v0", "v1.0.0", 0 },
	{ "gopkg.in/yaml.v1", "v1.0.0", 1 },
	{ "gopkg.in/yaml.v1", "v0.8.0", 0 },
	{ "gopkg.in/check.v1", "v0.0.0", 0 },
	{ "gopkg.in/check.v1", "v0.0.0-20160102150405-abcdef123456", 1 },
	{ "rsc.io/quote", "v17.0.0", 0 },
	{ "rsc.io/quote", "v17.0.0+incompatible", 1 },
	/* TestMatchPathMajor, with a path carrying each suffix */
	{ "x.y/z", "v0.0.0", 1 },
	{ "x.y/z/v2", "v0.0.0", 0 },
	{ "gopkg.in/z.v0", "v0.0.0", 1 },
	{ "gopkg.in/z.v1", "v0.0.0-20190510104115-cbcb75029529", 1 },
	{ "x.y/z/v2", "v1.0.0", 0 },
	{ "gopkg.in/z.v1", "v1.0.0", 1 },
	{ "gopkg.in/z.v1-unstable", "v1.0.0", 1 },
	{ "x.y/z", "v2.0.0+incompatible", 1 },
	{ "x.y/z", "v2.0.0", 0 },
	{ "x.y/z/v2", "v2.0.0", 1 },
	{ "gopkg.in/z.v2", "v2.0.0", 1 },
	/* more */
	{ "x.y/z", "v1.2.3-pre+meta", 1 },
	{ "x.y/z", "v2.0.0+meta", 0 },
	{ "x.y/z", "v2.0.0+incompatible.1", 0 },
	{ "x.y/z/v2", "v2.0.0+incompatible", 1 },
	{ "x.y/z/v3", "v3", 1 },
	{ "x.y/z/v2", "v20.0.0", 0 },
	{ "x.y/z/v20", "v20.0.0", 1 },
	{ "gopkg.in/z.v2", "v0.0.0-20190510104115-cbcb75029529", 0 },
	{ "gopkg.in/z.v1", "v0.0.1-0.20190510104115-cbcb75029529", 0 },
	{ "x.y/z/v1", "v1.0.0", 0 },
	{ "x.y/z", "1.0.0", 0 },
	{ "x.y/z", "", 0 },
	{ "x.y/z", "v1.0.0-", 0 },
};

/* EscapeVersion's element rule. */
static const struct {
	const char	*v;
	int		 ok;
} version_tests[] = {
	{ "v1.0.0", 1 },
	{ "v1.0.0-RC1", 1 },
	{ "v2.0.0+incompatible", 1 },
	{ "master", 1 },
	{ "daa7c041", 1 },
	{ "a b", 1 },
	{ "v1.0.0@x", 1 },
	{ "z~0", 1 },
	{ "испытание", 1 },
	{ ".hidden", 1 },
	{ "", 0 },
	{ ".", 0 },
	{ "..", 0 },
	{ "v1.", 0 },
	{ "feature/x", 0 },
	{ "/v1.0.0", 0 },
	{ "x!y", 0 },
	{ "aux", 0 },
	{ "Con.txt", 0 },
	{ "x:y", 0 },
	{ "x*y", 0 },
	{ "x|y", 0 },
	{ "x☺y", 0 },
	{ "x\xFF", 0 },
	{ "x\ny", 0 },
};

/* Check(path, version) of module.go: all three rules together. */
static int
check(const char *path, const char *v)
{
	if (modpath_check(path, NULL) != 0 || !semver_valid(v))
		return -1;
	return modpath_check_major(path, v);
}

static void
test_paths(void)
{
	char name[256], out[MODPATH_MAX];
	struct err e;
	size_t i;
	int r;

	for (i = 0; i < NITEMS(path_tests); i++) {
		memset(&e, 0, sizeof(e));
		r = modpath_check(path_tests[i].path, &e);
		snprintf(name, sizeof(name), "CheckPath(%s)",
		    vis(path_tests[i].path));
		is_int(r, path_tests[i].mod ? 0 : -1, name);
		if (path_tests[i].mod)
			ok(e.code == E_OK && e.msg[0] == '\0', name);
		else
			ok(e.code == E_NOTFOUND && strncmp(e.msg,
			    "malformed module path \"", 23) == 0, name);

		snprintf(name, sizeof(name), "CheckImportPath(%s)",
		    vis(path_tests[i].path));
		is_int(modpath_check_import(path_tests[i].path),
		    path_tests[i].imp ? 0 : -1, name);

		snprintf(name, sizeof(name), "CheckFilePath(%s)",
		    vis(path_tests[i].path));
		is_int(modpath_check_file(path_tests[i].path),
		    path_tests[i].file ? 0 : -1, name);

		/* TestUnescapePath: an invalid path never unescapes to one. */
		if (!path_tests[i].mod) {
			snprintf(name, sizeof(name), "UnescapePath(%s) fails",
			    vis(path_tests[i].path));
			ok(modpath_unescape(path_tests[i].path, out,
			    sizeof(out)) != 0 || modpath_check(out, NULL) != 0,
			    name);
		}
	}
}

static void
test_messages(void)
{
	char name[256];
	struct err e;
	size_t i;

	for (i = 0; i < NITEMS(message_tests); i++) {
		memset(&e, 0, sizeof(e));
		snprintf(name, sizeof(name), "message for %s",
		    vis(message_tests[i].path));
		modpath_check(message_tests[i].path, &e);
		is_str(e.msg, message_tests[i].msg, name);
	}
}

static void
test_escape(void)
{
	char name[256], out[MODPATH_MAX];
	size_t i;
	int r;

	for (i = 0; i < NITEMS(escape_tests); i++) {
		snprintf(name, sizeof(name), "escape %s",
		    vis(escape_tests[i].in));
		memset(out, 'X', sizeof(out));
		r = modpath_escape(escape_tests[i].in, out, sizeof(out));
		if (escape_tests[i].out == NULL)
			is_int(r, -1, name);
		else {
			is_int(r, 0, name);
			is_str(r == 0 ? out : NULL, escape_tests[i].out, name);
		}
	}
	for (i = 0; i < NITEMS(unescape_tests); i++) {
		snprintf(name, sizeof(name), "unescape %s",
		    vis(unescape_tests[i].in));
		memset(out, 'X', sizeof(out));
		r = modpath_unescape(unescape_tests[i].in, out, sizeof(out));
		if (unescape_tests[i].out == NULL)
			is_int(r, -1, name);
		else {
			is_int(r, 0, name);
			is_str(r == 0 ? out : NULL, unescape_tests[i].out,
			    name);
		}
	}
}

/* Output buffers: exactly enough works, one byte less fails. */
static void
test_bounds(void)
{
	static char big[MODPATH_MAX + 16], out[MODPATH_MAX + 16];
	static const struct {
		const char	*in;
		int		 escape;	/* else unescape */
		size_t		 outsz;
		int		 want;
	} rows[] = {
		{ "AbC", 1, 6, 0 },		/* "!ab!c" + NUL */
		{ "AbC", 1, 5, -1 },
		{ "AbC", 1, 0, -1 },
		{ "abc", 1, 4, 0 },
		{ "abc", 1, 3, -1 },
		{ "", 1, 1, 0 },
		{ "!ab!c", 0, 4, 0 },		/* "AbC" + NUL */
		{ "!ab!c", 0, 3, -1 },
		{ "!ab!c", 0, 0, -1 },
	};
	char name[128], small[16];
	size_t i;
	int r;

	for (i = 0; i < NITEMS(rows); i++) {
		snprintf(name, sizeof(name), "%s \"%s\" into %zu bytes",
		    rows[i].escape ? "escape" : "unescape", rows[i].in,
		    rows[i].outsz);
		memset(small, 'Z', sizeof(small));
		if (rows[i].escape)
			r = modpath_escape(rows[i].in, small, rows[i].outsz);
		else
			r = modpath_unescape(rows[i].in, small, rows[i].outsz);
		is_int(r, rows[i].want, name);
		snprintf(name, sizeof(name), "no write past %zu bytes",
		    rows[i].outsz);
		ok(small[rows[i].outsz] == 'Z', name);
	}

	/* The longest input accepted is MODPATH_MAX - 1 bytes. */
	memset(big, 'a', MODPATH_MAX - 1);
	big[MODPATH_MAX - 1] = '\0';
	is_int(modpath_escape(big, out, sizeof(out)), 0, "escape max length");
	is_int(modpath_unescape(big, out, sizeof(out)), 0,
	    "unescape max length");
	memcpy(big, "a.b/", 4);
	is_int(modpath_check(big, NULL), 0, "check max length");
	is_int(modpath_check_import(big), 0, "import max length");
	big[MODPATH_MAX - 1] = 'a';
	big[MODPATH_MAX] = '\0';
	is_int(modpath_escape(big, out, sizeof(out)), -1, "escape too long");
	is_int(modpath_unescape(big, out, sizeof(out)), -1,
	    "unescape too long");
	is_int(modpath_check(big, NULL), -1, "check too long");
	is_int(modpath_check_import(big), -1, "import too long");
	is_int(modpath_check_major(big, "v1.0.0"), -1, "major too long");
	is_int(modpath_check_file(big), 0, "a file path may be longer");

	memset(big, 'a', VERSION_MAX - 1);
	big[VERSION_MAX - 1] = '\0';
	is_int(modpath_check_version_elem(big), 0, "version max length");
	big[VERSION_MAX - 1] = 'a';
	big[VERSION_MAX] = '\0';
	is_int(modpath_check_version_elem(big), -1, "version too long");

	/* NULL is refused like an over-long string. */
	is_int(modpath_check(NULL, NULL), -1, "check NULL");
	is_int(modpath_check_import(NULL), -1, "import NULL");
	is_int(modpath_check_file(NULL), -1, "file NULL");
	is_int(modpath_check_version_elem(NULL), -1, "version NULL");
	is_int(modpath_escape(NULL, out, sizeof(out)), -1, "escape NULL");
	is_int(modpath_unescape(NULL, out, sizeof(out)), -1, "unescape NULL");
	is_int(modpath_check_major(NULL, "v1.0.0"), -1, "major NULL path");
	is_int(modpath_check_major("x.y/z", NULL), -1, "major NULL version");
}

static void
test_split(void)
{
	char name[256];
	const char *major;
	size_t i, plen;
	int r;

	for (i = 0; i < NITEMS(split_tests); i++) {
		snprintf(name, sizeof(name), "SplitPathVersion(%s)",
		    vis(split_tests[i].path));
		r = modpath_split_major(split_tests[i].path, &plen, &major);
		is_int(r, split_tests[i].ok ? 0 : -1, name);
		is_int(plen, strlen(split_tests[i].prefix), name);
		is_str(major, split_tests[i].major, name);
	}
	/* Prefix and suffix always add up to the path. */
	for (i = 0; i < NITEMS(path_tests); i++) {
		snprintf(name, sizeof(name), "SplitPathVersion(%s) adds up",
		    vis(path_tests[i].path));
		modpath_split_major(path_tests[i].path, &plen, &major);
		ok(major == path_tests[i].path + plen &&
		    plen + strlen(major) == strlen(path_tests[i].path), name);
	}
}

static void
test_major(void)
{
	char name[256];
	size_t i;

	for (i = 0; i < NITEMS(check_tests); i++) {
		snprintf(name, sizeof(name), "Check(%s, %s)",
		    vis(check_tests[i].path), vis(check_tests[i].version));
		is_int(check(check_tests[i].path, check_tests[i].version),
		    check_tests[i].ok ? 0 : -1, name);
	}
	for (i = 0; i < NITEMS(major_tests); i++) {
		snprintf(name, sizeof(name), "CheckPathMajor(%s, %s)",
		    vis(major_tests[i].path), vis(major_tests[i].version));
		is_int(modpath_check_major(major_tests[i].path,
		    major_tests[i].version), major_tests[i].ok ? 0 : -1, name);
	}
}

static void
test_version_elem(void)
{
	char name[256];
	size_t i;

	for (i = 0; i < NITEMS(version_tests); i++) {
		snprintf(name, sizeof(name), "version element %s",
		    vis(version_tests[i].v));
		is_int(modpath_check_version_elem(version_tests[i].v),
		    version_tests[i].ok ? 0 : -1, name);
	}
}

int
main(void)
{
	test_paths();
	test_messages();
	test_escape();
	test_bounds();
	test_split();
	test_major();
	test_version_elem();
	return tap_done();
}

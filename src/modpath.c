/*
 * modpath.c: module paths and versions as they appear in URLs and on disk.
 *
 * These are the rules of golang.org/x/mod/module, written out in C:
 *
 *   - the "!" case-encoding (EscapePath/EscapeVersion, UnescapePath/
 *     UnescapeVersion): an upper-case ASCII letter L is stored and sent as
 *     "!" followed by the lower-case letter, so the GOPROXY tree can live on
 *     a case-insensitive file system;
 *   - the three levels of path checking (CheckPath, CheckImportPath,
 *     CheckFilePath) and the single-element rule used for versions;
 *   - the major-version suffix of a module path (SplitPathVersion) and
 *     whether a version may be used with it (CheckPathMajor).
 *
 * Everything here works on NUL-terminated strings whose length is capped
 * before any other look at them (MODPATH_MAX, VERSION_MAX, and
 * MODPATH_FILE_MAX below), and never writes past a caller's buffer.
 *
 * Unicode letters: CheckFilePath allows any rune for which Go's
 * unicode.IsLetter is true.  modpath_letters below is the list of code
 * point ranges of General_Category L (Lu, Ll, Lt, Lm, Lo) above U+007F,
 * generated from the Unicode 14.0 character database.  Go 1.21 and later
 * use Unicode 15.0, so the few letters new in 15.0 are refused here (Go
 * 1.20 and older, on 13.0, refuse the letters new in 14.0 that this
 * table accepts).  Checked against Python's unicodedata 14.0: identical.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "piraeus.h"

/* Longest file path (inside a module) modpath_check_file accepts. */
#define MODPATH_FILE_MAX	4096

/* How many bytes of an offending path are quoted in an error message. */
#define MODPATH_QUOTE_MAX	96

/* Room for the reason part of an error message. */
#define MODPATH_WHY_MAX		128

/* The three kinds of path of module.go, from strictest to loosest. */
enum path_kind {
	KIND_MODULE = 0,
	KIND_IMPORT,
	KIND_FILE
};

/* ASCII punctuation allowed in a path element, beyond letters and digits. */
static const char *const kind_punct[] = {
	[KIND_MODULE] = "-._~",
	[KIND_IMPORT] = "-._~+",
	[KIND_FILE] = "!#$%&()+,-.=@[]^_{}~ ",
};

/* Reserved file names on Windows, compared ignoring case. */
static const char *const win_reserved[] = {
	"CON", "PRN", "AUX", "NUL",
	"COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
	"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
};

/* The shape of each UTF-8 sequence length (RFC 3629). */
static const struct utf8_form {
	unsigned char	 mask;		/* the fixed bits of the lead byte */
	unsigned char	 lead;		/* their value */
	size_t		 len;
	uint32_t	 min;		/* smallest code point (no overlong) */
} utf8_forms[] = {
	{ 0xe0, 0xc0, 2, 0x80 },
	{ 0xf0, 0xe0, 3, 0x800 },
	{ 0xf8, 0xf0, 4, 0x10000 },
};

/* Code point ranges of Unicode letters above ASCII (see the top comment). */
static const struct letter_range {
	uint32_t	lo;
	uint32_t	hi;
} modpath_letters[] = {
	{ 0x000aa, 0x000aa }, { 0x000b5, 0x000b5 }, { 0x000ba, 0x000ba },
	{ 0x000c0, 0x000d6 }, { 0x000d8, 0x000f6 }, { 0x000f8, 0x002c1 },
	{ 0x002c6, 0x002d1 }, { 0x002e0, 0x002e4 }, { 0x002ec, 0x002ec },
	{ 0x002ee, 0x002ee }, { 0x00370, 0x00374 }, { 0x00376, 0x00377 },
	{ 0x0037a, 0x0037d }, { 0x0037f, 0x0037f }, { 0x00386, 0x00386 },
	{ 0x00388, 0x0038a }, { 0x0038c, 0x0038c }, { 0x0038e, 0x003a1 },
	{ 0x003a3, 0x003f5 }, { 0x003f7, 0x00481 }, { 0x0048a, 0x0052f },
	{ 0x00531, 0x00556 }, { 0x00559, 0x00559 }, { 0x00560, 0x00588 },
	{ 0x005d0, 0x005ea }, { 0x005ef, 0x005f2 }, { 0x00620, 0x0064a },
	{ 0x0066e, 0x0066f }, { 0x00671, 0x006d3 }, { 0x006d5, 0x006d5 },
	{ 0x006e5, 0x006e6 }, { 0x006ee, 0x006ef }, { 0x006fa, 0x006fc },
	{ 0x006ff, 0x006ff }, { 0x00710, 0x00710 }, { 0x00712, 0x0072f },
	{ 0x0074d, 0x007a5 }, { 0x007b1, 0x007b1 }, { 0x007ca, 0x007ea },
	{ 0x007f4, 0x007f5 }, { 0x007fa, 0x007fa }, { 0x00800, 0x00815 },
	{ 0x0081a, 0x0081a }, { 0x00824, 0x00824 }, { 0x00828, 0x00828 },
	{ 0x00840, 0x00858 }, { 0x00860, 0x0086a }, { 0x00870, 0x00887 },
	{ 0x00889, 0x0088e }, { 0x008a0, 0x008c9 }, { 0x00904, 0x00939 },
	{ 0x0093d, 0x0093d }, { 0x00950, 0x00950 }, { 0x00958, 0x00961 },
	{ 0x00971, 0x00980 }, { 0x00985, 0x0098c }, { 0x0098f, 0x00990 },
	{ 0x00993, 0x009a8 }, { 0x009aa, 0x009b0 }, { 0x009b2, 0x009b2 },
	{ 0x009b6, 0x009b9 }, { 0x009bd, 0x009bd }, { 0x009ce, 0x009ce },
	{ 0x009dc, 0x009dd }, { 0x009df, 0x009e1 }, { 0x009f0, 0x009f1 },
	{ 0x009fc, 0x009fc }, { 0x00a05, 0x00a0a }, { 0x00a0f, 0x00a10 },
	{ 0x00a13, 0x00a28 }, { 0x00a2a, 0x00a30 }, { 0x00a32, 0x00a33 },
	{ 0x00a35, 0x00a36 }, { 0x00a38, 0x00a39 }, { 0x00a59, 0x00a5c },
	{ 0x00a5e, 0x00a5e }, { 0x00a72, 0x00a74 }, { 0x00a85, 0x00a8d },
	{ 0x00a8f, 0x00a91 }, { 0x00a93, 0x00aa8 }, { 0x00aaa, 0x00ab0 },
	{ 0x00ab2, 0x00ab3 }, { 0x00ab5, 0x00ab9 }, { 0x00abd, 0x00abd },
	{ 0x00ad0, 0x00ad0 }, { 0x00ae0, 0x00ae1 }, { 0x00af9, 0x00af9 },
	{ 0x00b05, 0x00b0c }, { 0x00b0f, 0x00b10 }, { 0x00b13, 0x00b28 },
	{ 0x00b2a, 0x00b30 }, { 0x00b32, 0x00b33 }, { 0x00b35, 0x00b39 },
	{ 0x00b3d, 0x00b3d }, { 0x00b5c, 0x00b5d }, { 0x00b5f, 0x00b61 },
	{ 0x00b71, 0x00b71 }, { 0x00b83, 0x00b83 }, { 0x00b85, 0x00b8a },
	{ 0x00b8e, 0x00b90 }, { 0x00b92, 0x00b95 }, { 0x00b99, 0x00b9a },
	{ 0x00b9c, 0x00b9c }, { 0x00b9e, 0x00b9f }, { 0x00ba3, 0x00ba4 },
	{ 0x00ba8, 0x00baa }, { 0x00bae, 0x00bb9 }, { 0x00bd0, 0x00bd0 },
	{ 0x00c05, 0x00c0c }, { 0x00c0e, 0x00c10 }, { 0x00c12, 0x00c28 },
	{ 0x00c2a, 0x00c39 }, { 0x00c3d, 0x00c3d }, { 0x00c58, 0x00c5a },
	{ 0x00c5d, 0x00c5d }, { 0x00c60, 0x00c61 }, { 0x00c80, 0x00c80 },
	{ 0x00c85, 0x00c8c }, { 0x00c8e, 0x00c90 }, { 0x00c92, 0x00ca8 },
	{ 0x00caa, 0x00cb3 }, { 0x00cb5, 0x00cb9 }, { 0x00cbd, 0x00cbd },
	{ 0x00cdd, 0x00cde }, { 0x00ce0, 0x00ce1 }, { 0x00cf1, 0x00cf2 },
	{ 0x00d04, 0x00d0c }, { 0x00d0e, 0x00d10 }, { 0x00d12, 0x00d3a },
	{ 0x00d3d, 0x00d3d }, { 0x00d4e, 0x00d4e }, { 0x00d54, 0x00d56 },
	{ 0x00d5f, 0x00d61 }, { 0x00d7a, 0x00d7f }, { 0x00d85, 0x00d96 },
	{ 0x00d9a, 0x00db1 }, { 0x00db3, 0x00dbb }, { 0x00dbd, 0x00dbd },
	{ 0x00dc0, 0x00dc6 }, { 0x00e01, 0x00e30 }, { 0x00e32, 0x00e33 },
	{ 0x00e40, 0x00e46 }, { 0x00e81, 0x00e82 }, { 0x00e84, 0x00e84 },
	{ 0x00e86, 0x00e8a }, { 0x00e8c, 0x00ea3 }, { 0x00ea5, 0x00ea5 },
	{ 0x00ea7, 0x00eb0 }, { 0x00eb2, 0x00eb3 }, { 0x00ebd, 0x00ebd },
	{ 0x00ec0, 0x00ec4 }, { 0x00ec6, 0x00ec6 }, { 0x00edc, 0x00edf },
	{ 0x00f00, 0x00f00 }, { 0x00f40, 0x00f47 }, { 0x00f49, 0x00f6c },
	{ 0x00f88, 0x00f8c }, { 0x01000, 0x0102a }, { 0x0103f, 0x0103f },
	{ 0x01050, 0x01055 }, { 0x0105a, 0x0105d }, { 0x01061, 0x01061 },
	{ 0x01065, 0x01066 }, { 0x0106e, 0x01070 }, { 0x01075, 0x01081 },
	{ 0x0108e, 0x0108e }, { 0x010a0, 0x010c5 }, { 0x010c7, 0x010c7 },
	{ 0x010cd, 0x010cd }, { 0x010d0, 0x010fa }, { 0x010fc, 0x01248 },
	{ 0x0124a, 0x0124d }, { 0x01250, 0x01256 }, { 0x01258, 0x01258 },
	{ 0x0125a, 0x0125d }, { 0x01260, 0x01288 }, { 0x0128a, 0x0128d },
	{ 0x01290, 0x012b0 }, { 0x012b2, 0x012b5 }, { 0x012b8, 0x012be },
	{ 0x012c0, 0x012c0 }, { 0x012c2, 0x012c5 }, { 0x012c8, 0x012d6 },
	{ 0x012d8, 0x01310 }, { 0x01312, 0x01315 }, { 0x01318, 0x0135a },
	{ 0x01380, 0x0138f }, { 0x013a0, 0x013f5 }, { 0x013f8, 0x013fd },
	{ 0x01401, 0x0166c }, { 0x0166f, 0x0167f }, { 0x01681, 0x0169a },
	{ 0x016a0, 0x016ea }, { 0x016f1, 0x016f8 }, { 0x01700, 0x01711 },
	{ 0x0171f, 0x01731 }, { 0x01740, 0x01751 }, { 0x01760, 0x0176c },
	{ 0x0176e, 0x01770 }, { 0x01780, 0x017b3 }, { 0x017d7, 0x017d7 },
	{ 0x017dc, 0x017dc }, { 0x01820, 0x01878 }, { 0x01880, 0x01884 },
	{ 0x01887, 0x018a8 }, { 0x018aa, 0x018aa }, { 0x018b0, 0x018f5 },
	{ 0x01900, 0x0191e }, { 0x01950, 0x0196d }, { 0x01970, 0x01974 },
	{ 0x01980, 0x019ab }, { 0x019b0, 0x019c9 }, { 0x01a00, 0x01a16 },
	{ 0x01a20, 0x01a54 }, { 0x01aa7, 0x01aa7 }, { 0x01b05, 0x01b33 },
	{ 0x01b45, 0x01b4c }, { 0x01b83, 0x01ba0 }, { 0x01bae, 0x01baf },
	{ 0x01bba, 0x01be5 }, { 0x01c00, 0x01c23 }, { 0x01c4d, 0x01c4f },
	{ 0x01c5a, 0x01c7d }, { 0x01c80, 0x01c88 }, { 0x01c90, 0x01cba },
	{ 0x01cbd, 0x01cbf }, { 0x01ce9, 0x01cec }, { 0x01cee, 0x01cf3 },
	{ 0x01cf5, 0x01cf6 }, { 0x01cfa, 0x01cfa }, { 0x01d00, 0x01dbf },
	{ 0x01e00, 0x01f15 }, { 0x01f18, 0x01f1d }, { 0x01f20, 0x01f45 },
	{ 0x01f48, 0x01f4d }, { 0x01f50, 0x01f57 }, { 0x01f59, 0x01f59 },
	{ 0x01f5b, 0x01f5b }, { 0x01f5d, 0x01f5d }, { 0x01f5f, 0x01f7d },
	{ 0x01f80, 0x01fb4 }, { 0x01fb6, 0x01fbc }, { 0x01fbe, 0x01fbe },
	{ 0x01fc2, 0x01fc4 }, { 0x01fc6, 0x01fcc }, { 0x01fd0, 0x01fd3 },
	{ 0x01fd6, 0x01fdb }, { 0x01fe0, 0x01fec }, { 0x01ff2, 0x01ff4 },
	{ 0x01ff6, 0x01ffc }, { 0x02071, 0x02071 }, { 0x0207f, 0x0207f },
	{ 0x02090, 0x0209c }, { 0x02102, 0x02102 }, { 0x02107, 0x02107 },
	{ 0x0210a, 0x02113 }, { 0x02115, 0x02115 }, { 0x02119, 0x0211d },
	{ 0x02124, 0x02124 }, { 0x02126, 0x02126 }, { 0x02128, 0x02128 },
	{ 0x0212a, 0x0212d }, { 0x0212f, 0x02139 }, { 0x0213c, 0x0213f },
	{ 0x02145, 0x02149 }, { 0x0214e, 0x0214e }, { 0x02183, 0x02184 },
	{ 0x02c00, 0x02ce4 }, { 0x02ceb, 0x02cee }, { 0x02cf2, 0x02cf3 },
	{ 0x02d00, 0x02d25 }, { 0x02d27, 0x02d27 }, { 0x02d2d, 0x02d2d },
	{ 0x02d30, 0x02d67 }, { 0x02d6f, 0x02d6f }, { 0x02d80, 0x02d96 },
	{ 0x02da0, 0x02da6 }, { 0x02da8, 0x02dae }, { 0x02db0, 0x02db6 },
	{ 0x02db8, 0x02dbe }, { 0x02dc0, 0x02dc6 }, { 0x02dc8, 0x02dce },
	{ 0x02dd0, 0x02dd6 }, { 0x02dd8, 0x02dde }, { 0x02e2f, 0x02e2f },
	{ 0x03005, 0x03006 }, { 0x03031, 0x03035 }, { 0x0303b, 0x0303c },
	{ 0x03041, 0x03096 }, { 0x0309d, 0x0309f }, { 0x030a1, 0x030fa },
	{ 0x030fc, 0x030ff }, { 0x03105, 0x0312f }, { 0x03131, 0x0318e },
	{ 0x031a0, 0x031bf }, { 0x031f0, 0x031ff }, { 0x03400, 0x04dbf },
	{ 0x04e00, 0x0a48c }, { 0x0a4d0, 0x0a4fd }, { 0x0a500, 0x0a60c },
	{ 0x0a610, 0x0a61f }, { 0x0a62a, 0x0a62b }, { 0x0a640, 0x0a66e },
	{ 0x0a67f, 0x0a69d }, { 0x0a6a0, 0x0a6e5 }, { 0x0a717, 0x0a71f },
	{ 0x0a722, 0x0a788 }, { 0x0a78b, 0x0a7ca }, { 0x0a7d0, 0x0a7d1 },
	{ 0x0a7d3, 0x0a7d3 }, { 0x0a7d5, 0x0a7d9 }, { 0x0a7f2, 0x0a801 },
	{ 0x0a803, 0x0a805 }, { 0x0a807, 0x0a80a }, { 0x0a80c, 0x0a822 },
	{ 0x0a840, 0x0a873 }, { 0x0a882, 0x0a8b3 }, { 0x0a8f2, 0x0a8f7 },
	{ 0x0a8fb, 0x0a8fb }, { 0x0a8fd, 0x0a8fe }, { 0x0a90a, 0x0a925 },
	{ 0x0a930, 0x0a946 }, { 0x0a960, 0x0a97c }, { 0x0a984, 0x0a9b2 },
	{ 0x0a9cf, 0x0a9cf }, { 0x0a9e0, 0x0a9e4 }, { 0x0a9e6, 0x0a9ef },
	{ 0x0a9fa, 0x0a9fe }, { 0x0aa00, 0x0aa28 }, { 0x0aa40, 0x0aa42 },
	{ 0x0aa44, 0x0aa4b }, { 0x0aa60, 0x0aa76 }, { 0x0aa7a, 0x0aa7a },
	{ 0x0aa7e, 0x0aaaf }, { 0x0aab1, 0x0aab1 }, { 0x0aab5, 0x0aab6 },
	{ 0x0aab9, 0x0aabd }, { 0x0aac0, 0x0aac0 }, { 0x0aac2, 0x0aac2 },
	{ 0x0aadb, 0x0aadd }, { 0x0aae0, 0x0aaea }, { 0x0aaf2, 0x0aaf4 },
	{ 0x0ab01, 0x0ab06 }, { 0x0ab09, 0x0ab0e }, { 0x0ab11, 0x0ab16 },
	{ 0x0ab20, 0x0ab26 }, { 0x0ab28, 0x0ab2e }, { 0x0ab30, 0x0ab5a },
	{ 0x0ab5c, 0x0ab69 }, { 0x0ab70, 0x0abe2 }, { 0x0ac00, 0x0d7a3 },
	{ 0x0d7b0, 0x0d7c6 }, { 0x0d7cb, 0x0d7fb }, { 0x0f900, 0x0fa6d },
	{ 0x0fa70, 0x0fad9 }, { 0x0fb00, 0x0fb06 }, { 0x0fb13, 0x0fb17 },
	{ 0x0fb1d, 0x0fb1d }, { 0x0fb1f, 0x0fb28 }, { 0x0fb2a, 0x0fb36 },
	{ 0x0fb38, 0x0fb3c }, { 0x0fb3e, 0x0fb3e }, { 0x0fb40, 0x0fb41 },
	{ 0x0fb43, 0x0fb44 }, { 0x0fb46, 0x0fbb1 }, { 0x0fbd3, 0x0fd3d },
	{ 0x0fd50, 0x0fd8f }, { 0x0fd92, 0x0fdc7 }, { 0x0fdf0, 0x0fdfb },
	{ 0x0fe70, 0x0fe74 }, { 0x0fe76, 0x0fefc }, { 0x0ff21, 0x0ff3a },
	{ 0x0ff41, 0x0ff5a }, { 0x0ff66, 0x0ffbe }, { 0x0ffc2, 0x0ffc7 },
	{ 0x0ffca, 0x0ffcf }, { 0x0ffd2, 0x0ffd7 }, { 0x0ffda, 0x0ffdc },
	{ 0x10000, 0x1000b }, { 0x1000d, 0x10026 }, { 0x10028, 0x1003a },
	{ 0x1003c, 0x1003d }, { 0x1003f, 0x1004d }, { 0x10050, 0x1005d },
	{ 0x10080, 0x100fa }, { 0x10280, 0x1029c }, { 0x102a0, 0x102d0 },
	{ 0x10300, 0x1031f }, { 0x1032d, 0x10340 }, { 0x10342, 0x10349 },
	{ 0x10350, 0x10375 }, { 0x10380, 0x1039d }, { 0x103a0, 0x103c3 },
	{ 0x103c8, 0x103cf }, { 0x10400, 0x1049d }, { 0x104b0, 0x104d3 },
	{ 0x104d8, 0x104fb }, { 0x10500, 0x10527 }, { 0x10530, 0x10563 },
	{ 0x10570, 0x1057a }, { 0x1057c, 0x1058a }, { 0x1058c, 0x10592 },
	{ 0x10594, 0x10595 }, { 0x10597, 0x105a1 }, { 0x105a3, 0x105b1 },
	{ 0x105b3, 0x105b9 }, { 0x105bb, 0x105bc }, { 0x10600, 0x10736 },
	{ 0x10740, 0x10755 }, { 0x10760, 0x10767 }, { 0x10780, 0x10785 },
	{ 0x10787, 0x107b0 }, { 0x107b2, 0x107ba }, { 0x10800, 0x10805 },
	{ 0x10808, 0x10808 }, { 0x1080a, 0x10835 }, { 0x10837, 0x10838 },
	{ 0x1083c, 0x1083c }, { 0x1083f, 0x10855 }, { 0x10860, 0x10876 },
	{ 0x10880, 0x1089e }, { 0x108e0, 0x108f2 }, { 0x108f4, 0x108f5 },
	{ 0x10900, 0x10915 }, { 0x10920, 0x10939 }, { 0x10980, 0x109b7 },
	{ 0x109be, 0x109bf }, { 0x10a00, 0x10a00 }, { 0x10a10, 0x10a13 },
	{ 0x10a15, 0x10a17 }, { 0x10a19, 0x10a35 }, { 0x10a60, 0x10a7c },
	{ 0x10a80, 0x10a9c }, { 0x10ac0, 0x10ac7 }, { 0x10ac9, 0x10ae4 },
	{ 0x10b00, 0x10b35 }, { 0x10b40, 0x10b55 }, { 0x10b60, 0x10b72 },
	{ 0x10b80, 0x10b91 }, { 0x10c00, 0x10c48 }, { 0x10c80, 0x10cb2 },
	{ 0x10cc0, 0x10cf2 }, { 0x10d00, 0x10d23 }, { 0x10e80, 0x10ea9 },
	{ 0x10eb0, 0x10eb1 }, { 0x10f00, 0x10f1c }, { 0x10f27, 0x10f27 },
	{ 0x10f30, 0x10f45 }, { 0x10f70, 0x10f81 }, { 0x10fb0, 0x10fc4 },
	{ 0x10fe0, 0x10ff6 }, { 0x11003, 0x11037 }, { 0x11071, 0x11072 },
	{ 0x11075, 0x11075 }, { 0x11083, 0x110af }, { 0x110d0, 0x110e8 },
	{ 0x11103, 0x11126 }, { 0x11144, 0x11144 }, { 0x11147, 0x11147 },
	{ 0x11150, 0x11172 }, { 0x11176, 0x11176 }, { 0x11183, 0x111b2 },
	{ 0x111c1, 0x111c4 }, { 0x111da, 0x111da }, { 0x111dc, 0x111dc },
	{ 0x11200, 0x11211 }, { 0x11213, 0x1122b }, { 0x11280, 0x11286 },
	{ 0x11288, 0x11288 }, { 0x1128a, 0x1128d }, { 0x1128f, 0x1129d },
	{ 0x1129f, 0x112a8 }, { 0x112b0, 0x112de }, { 0x11305, 0x1130c },
	{ 0x1130f, 0x11310 }, { 0x11313, 0x11328 }, { 0x1132a, 0x11330 },
	{ 0x11332, 0x11333 }, { 0x11335, 0x11339 }, { 0x1133d, 0x1133d },
	{ 0x11350, 0x11350 }, { 0x1135d, 0x11361 }, { 0x11400, 0x11434 },
	{ 0x11447, 0x1144a }, { 0x1145f, 0x11461 }, { 0x11480, 0x114af },
	{ 0x114c4, 0x114c5 }, { 0x114c7, 0x114c7 }, { 0x11580, 0x115ae },
	{ 0x115d8, 0x115db }, { 0x11600, 0x1162f }, { 0x11644, 0x11644 },
	{ 0x11680, 0x116aa }, { 0x116b8, 0x116b8 }, { 0x11700, 0x1171a },
	{ 0x11740, 0x11746 }, { 0x11800, 0x1182b }, { 0x118a0, 0x118df },
	{ 0x118ff, 0x11906 }, { 0x11909, 0x11909 }, { 0x1190c, 0x11913 },
	{ 0x11915, 0x11916 }, { 0x11918, 0x1192f }, { 0x1193f, 0x1193f },
	{ 0x11941, 0x11941 }, { 0x119a0, 0x119a7 }, { 0x119aa, 0x119d0 },
	{ 0x119e1, 0x119e1 }, { 0x119e3, 0x119e3 }, { 0x11a00, 0x11a00 },
	{ 0x11a0b, 0x11a32 }, { 0x11a3a, 0x11a3a }, { 0x11a50, 0x11a50 },
	{ 0x11a5c, 0x11a89 }, { 0x11a9d, 0x11a9d }, { 0x11ab0, 0x11af8 },
	{ 0x11c00, 0x11c08 }, { 0x11c0a, 0x11c2e }, { 0x11c40, 0x11c40 },
	{ 0x11c72, 0x11c8f }, { 0x11d00, 0x11d06 }, { 0x11d08, 0x11d09 },
	{ 0x11d0b, 0x11d30 }, { 0x11d46, 0x11d46 }, { 0x11d60, 0x11d65 },
	{ 0x11d67, 0x11d68 }, { 0x11d6a, 0x11d89 }, { 0x11d98, 0x11d98 },
	{ 0x11ee0, 0x11ef2 }, { 0x11fb0, 0x11fb0 }, { 0x12000, 0x12399 },
	{ 0x12480, 0x12543 }, { 0x12f90, 0x12ff0 }, { 0x13000, 0x1342e },
	{ 0x14400, 0x14646 }, { 0x16800, 0x16a38 }, { 0x16a40, 0x16a5e },
	{ 0x16a70, 0x16abe }, { 0x16ad0, 0x16aed }, { 0x16b00, 0x16b2f },
	{ 0x16b40, 0x16b43 }, { 0x16b63, 0x16b77 }, { 0x16b7d, 0x16b8f },
	{ 0x16e40, 0x16e7f }, { 0x16f00, 0x16f4a }, { 0x16f50, 0x16f50 },
	{ 0x16f93, 0x16f9f }, { 0x16fe0, 0x16fe1 }, { 0x16fe3, 0x16fe3 },
	{ 0x17000, 0x187f7 }, { 0x18800, 0x18cd5 }, { 0x18d00, 0x18d08 },
	{ 0x1aff0, 0x1aff3 }, { 0x1aff5, 0x1affb }, { 0x1affd, 0x1affe },
	{ 0x1b000, 0x1b122 }, { 0x1b150, 0x1b152 }, { 0x1b164, 0x1b167 },
	{ 0x1b170, 0x1b2fb }, { 0x1bc00, 0x1bc6a }, { 0x1bc70, 0x1bc7c },
	{ 0x1bc80, 0x1bc88 }, { 0x1bc90, 0x1bc99 }, { 0x1d400, 0x1d454 },
	{ 0x1d456, 0x1d49c }, { 0x1d49e, 0x1d49f }, { 0x1d4a2, 0x1d4a2 },
	{ 0x1d4a5, 0x1d4a6 }, { 0x1d4a9, 0x1d4ac }, { 0x1d4ae, 0x1d4b9 },
	{ 0x1d4bb, 0x1d4bb }, { 0x1d4bd, 0x1d4c3 }, { 0x1d4c5, 0x1d505 },
	{ 0x1d507, 0x1d50a }, { 0x1d50d, 0x1d514 }, { 0x1d516, 0x1d51c },
	{ 0x1d51e, 0x1d539 }, { 0x1d53b, 0x1d53e }, { 0x1d540, 0x1d544 },
	{ 0x1d546, 0x1d546 }, { 0x1d54a, 0x1d550 }, { 0x1d552, 0x1d6a5 },
	{ 0x1d6a8, 0x1d6c0 }, { 0x1d6c2, 0x1d6da }, { 0x1d6dc, 0x1d6fa },
	{ 0x1d6fc, 0x1d714 }, { 0x1d716, 0x1d734 }, { 0x1d736, 0x1d74e },
	{ 0x1d750, 0x1d76e }, { 0x1d770, 0x1d788 }, { 0x1d78a, 0x1d7a8 },
	{ 0x1d7aa, 0x1d7c2 }, { 0x1d7c4, 0x1d7cb }, { 0x1df00, 0x1df1e },
	{ 0x1e100, 0x1e12c }, { 0x1e137, 0x1e13d }, { 0x1e14e, 0x1e14e },
	{ 0x1e290, 0x1e2ad }, { 0x1e2c0, 0x1e2eb }, { 0x1e7e0, 0x1e7e6 },
	{ 0x1e7e8, 0x1e7eb }, { 0x1e7ed, 0x1e7ee }, { 0x1e7f0, 0x1e7fe },
	{ 0x1e800, 0x1e8c4 }, { 0x1e900, 0x1e943 }, { 0x1e94b, 0x1e94b },
	{ 0x1ee00, 0x1ee03 }, { 0x1ee05, 0x1ee1f }, { 0x1ee21, 0x1ee22 },
	{ 0x1ee24, 0x1ee24 }, { 0x1ee27, 0x1ee27 }, { 0x1ee29, 0x1ee32 },
	{ 0x1ee34, 0x1ee37 }, { 0x1ee39, 0x1ee39 }, { 0x1ee3b, 0x1ee3b },
	{ 0x1ee42, 0x1ee42 }, { 0x1ee47, 0x1ee47 }, { 0x1ee49, 0x1ee49 },
	{ 0x1ee4b, 0x1ee4b }, { 0x1ee4d, 0x1ee4f }, { 0x1ee51, 0x1ee52 },
	{ 0x1ee54, 0x1ee54 }, { 0x1ee57, 0x1ee57 }, { 0x1ee59, 0x1ee59 },
	{ 0x1ee5b, 0x1ee5b }, { 0x1ee5d, 0x1ee5d }, { 0x1ee5f, 0x1ee5f },
	{ 0x1ee61, 0x1ee62 }, { 0x1ee64, 0x1ee64 }, { 0x1ee67, 0x1ee6a },
	{ 0x1ee6c, 0x1ee72 }, { 0x1ee74, 0x1ee77 }, { 0x1ee79, 0x1ee7c },
	{ 0x1ee7e, 0x1ee7e }, { 0x1ee80, 0x1ee89 }, { 0x1ee8b, 0x1ee9b },
	{ 0x1eea1, 0x1eea3 }, { 0x1eea5, 0x1eea9 }, { 0x1eeab, 0x1eebb },
	{ 0x20000, 0x2a6df }, { 0x2a700, 0x2b738 }, { 0x2b740, 0x2b81d },
	{ 0x2b820, 0x2cea1 }, { 0x2ceb0, 0x2ebe0 }, { 0x2f800, 0x2fa1d },
	{ 0x30000, 0x3134a },
};

#define GOPKGIN		"gopkg.in/"
#define UNSTABLE	"-unstable"

static int
is_ascii_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_ascii_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_ascii_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_ascii_alnum(int c)
{
	return is_ascii_digit(c) || is_ascii_lower(c) || is_ascii_upper(c);
}

/*
 * Length of s if it is shorter than max, else max (which callers treat as
 * too long, as they do a NULL s).  Reads at most max bytes.
 */
static size_t
capped_len(const char *s, size_t max)
{
	return s == NULL ? max : strnlen(s, max);
}

/*
 * Decode one UTF-8 sequence from the n bytes at s.  Returns its length and
 * sets *cp, or returns 0 when the bytes are not valid UTF-8 by Go's rules
 * (truncated, overlong, a surrogate, or above U+10FFFF).
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	const struct utf8_form *f = NULL;
	uint32_t c;
	size_t i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	for (i = 0; i < NITEMS(utf8_forms); i++) {
		if ((s[0] & utf8_forms[i].mask) == utf8_forms[i].lead) {
			f = &utf8_forms[i];
			break;
		}
	}
	if (f == NULL || n < f->len)
		return 0;
	c = s[0] & (0x7f >> f->len);
	for (i = 1; i < f->len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < f->min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return f->len;
}

/* Whether code point c (above ASCII) is a Unicode letter. */
static int
is_unicode_letter(uint32_t c)
{
	size_t lo = 0, hi = NITEMS(modpath_letters), mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c < modpath_letters[mid].lo)
			hi = mid;
		else if (c > modpath_letters[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* Whether rune c may appear in a path element of the given kind. */
static int
rune_ok(uint32_t c, enum path_kind kind)
{
	if (c >= 0x80)
		return kind == KIND_FILE && is_unicode_letter(c);
	if (c == '\0')
		return 0;
	if (is_ascii_alnum((int)c))
		return 1;
	return strchr(kind_punct[kind], (int)c) != NULL;
}

/* Whether the n bytes at s equal the upper-case ASCII word w, ignoring case. */
static int
equal_fold(const char *s, size_t n, const char *w)
{
	size_t i;
	int c;

	if (strlen(w) != n)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (is_ascii_lower(c))
			c -= 'a' - 'A';
		if (c != (unsigned char)w[i])
			return 0;
	}
	return 1;
}

static void	say(char *, size_t, const char *, ...)
		    PIRAEUS_ATTR_PRINTF(3, 4);

/* snprintf that may truncate on purpose: messages are cut to fit. */
static void
say(char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, outsz, fmt, ap);
	va_end(ap);
}

/* Control characters that Go's %q writes with a short escape. */
static const struct {
	char	c;
	char	esc;
} short_escapes[] = {
	{ '\a', 'a' }, { '\b', 'b' }, { '\f', 'f' }, { '\n', 'n' },
	{ '\r', 'r' }, { '\t', 't' }, { '\v', 'v' },
};

/*
 * One character of s (n bytes left) as Go's %q would write it inside the
 * given quote character, into tmp (NUL-terminated).  Returns the number of
 * bytes of s used.  Close to strconv.Quote: quote and backslash escaped,
 * controls as \t or \xNN, bad UTF-8 as \xNN, C1 controls as \u00NN, all
 * other runes as themselves.
 */
static size_t
quote_one(const char *s, size_t n, char quote, char tmp[16])
{
	unsigned char c = (unsigned char)s[0];
	uint32_t cp;
	size_t i, k;

	if (c == (unsigned char)quote || c == '\\') {
		say(tmp, 16, "\\%c", c);
		return 1;
	}
	if (c >= 0x20 && c < 0x7f) {
		say(tmp, 16, "%c", c);
		return 1;
	}
	for (i = 0; i < NITEMS(short_escapes); i++) {
		if (c == (unsigned char)short_escapes[i].c) {
			say(tmp, 16, "\\%c", short_escapes[i].esc);
			return 1;
		}
	}
	k = c >= 0x80 ? utf8_decode((const unsigned char *)s, n, &cp) : 0;
	if (k == 0) {
		say(tmp, 16, "\\x%02x", c);
		return 1;
	}
	if (cp <= 0x9f)
		say(tmp, 16, "\\u%04x", (unsigned int)cp);
	else
		say(tmp, 16, "%.*s", (int)k, s);
	return k;
}

/*
 * The n bytes at s as Go's %q would show them (between double quotes),
 * at most MODPATH_QUOTE_MAX of them, then "..." if there are more.
 * Truncated to outsz, always NUL-terminated.
 */
static void
quote_str(char *out, size_t outsz, const char *s, size_t n)
{
	size_t o, i, shown, len;
	char tmp[16];

	if (outsz == 0)
		return;
	shown = n > MODPATH_QUOTE_MAX ? MODPATH_QUOTE_MAX : n;
	out[0] = '\0';
	say(out, outsz, "\"");
	o = strlen(out);
	for (i = 0; i < shown; ) {
		i += quote_one(s + i, shown - i, '"', tmp);
		len = strlen(tmp);
		if (o + len >= outsz)
			break;
		memcpy(out + o, tmp, len + 1);
		o += len;
	}
	say(out + o, outsz - o, "\"%s", shown < n ? "..." : "");
}

/* Go's %q of the one rune at s (len bytes): 'c', '\'', '\t', 'и'. */
static void
quote_rune(char *out, size_t outsz, const char *s, size_t len)
{
	char tmp[16];

	quote_one(s, len, '\'', tmp);
	say(out, outsz, "'%s'", tmp);
}

/*
 * checkElem: one slash-free element of n bytes at elem (already known to be
 * valid UTF-8).  Returns 0, or -1 with the reason in why.
 */
static int
check_elem(const char *elem, size_t n, enum path_kind kind, char *why,
    size_t whysz)
{
	char q[MODPATH_QUOTE_MAX * 4 + 8];
	size_t i, k, shortlen, tilde;
	uint32_t cp;

	if (n == 0) {
		say(why, whysz, "empty path element");
		return -1;
	}
	for (i = 0; i < n && elem[i] == '.'; i++)
		;
	if (i == n) {
		quote_str(q, sizeof(q), elem, n);
		say(why, whysz, "invalid path element %s", q);
		return -1;
	}
	if (elem[0] == '.' && kind == KIND_MODULE) {
		say(why, whysz, "leading dot in path element");
		return -1;
	}
	if (elem[n - 1] == '.') {
		say(why, whysz, "trailing dot in path element");
		return -1;
	}
	for (i = 0; i < n; i += k) {
		k = utf8_decode((const unsigned char *)elem + i, n - i, &cp);
		if (k == 0) {
			say(why, whysz, "invalid UTF-8");
			return -1;
		}
		if (!rune_ok(cp, kind)) {
			quote_rune(q, sizeof(q), elem + i, k);
			say(why, whysz, "invalid char %s", q);
			return -1;
		}
	}

	/* The part before the first dot must not be a Windows device name. */
	for (shortlen = 0; shortlen < n && elem[shortlen] != '.'; shortlen++)
		;
	for (i = 0; i < NITEMS(win_reserved); i++) {
		if (equal_fold(elem, shortlen, win_reserved[i])) {
			quote_str(q, sizeof(q), elem, shortlen);
			say(why, whysz, "%s disallowed as path element "
			    "component on Windows", q);
			return -1;
		}
	}
	if (kind == KIND_FILE)
		return 0;

	/* Nor look like a Windows 8.3 short name: "~" then only digits. */
	for (tilde = shortlen; tilde > 0 && elem[tilde - 1] != '~'; tilde--)
		;
	if (tilde == 0 || tilde == shortlen)
		return 0;
	for (i = tilde; i < shortlen && is_ascii_digit(elem[i]); i++)
		;
	if (i == shortlen) {
		say(why, whysz, "trailing tilde and digits in path element");
		return -1;
	}
	return 0;
}

/* checkPath: n bytes at path, of the given kind; -1 with a reason in why. */
static int
check_path(const char *path, size_t n, enum path_kind kind, char *why,
    size_t whysz)
{
	size_t i, k, start;
	uint32_t cp;

	for (i = 0; i < n; i += k) {
		k = utf8_decode((const unsigned char *)path + i, n - i, &cp);
		if (k == 0) {
			say(why, whysz, "invalid UTF-8");
			return -1;
		}
	}
	if (n == 0) {
		say(why, whysz, "empty string");
		return -1;
	}
	if (path[0] == '-' && kind != KIND_FILE) {
		say(why, whysz, "leading dash");
		return -1;
	}
	for (i = 0; i + 1 < n; i++) {
		if (path[i] == '/' && path[i + 1] == '/') {
			say(why, whysz, "double slash");
			return -1;
		}
	}
	if (path[n - 1] == '/') {
		say(why, whysz, "trailing slash");
		return -1;
	}
	start = 0;
	for (i = 0; i <= n; i++) {
		if (i < n && path[i] != '/')
			continue;
		if (check_elem(path + start, i - start, kind, why, whysz) != 0)
			return -1;
		start = i + 1;
	}
	return 0;
}

/*
 * SplitPathVersion on the n bytes at path.  Sets *prefix_len (the length
 * without the major suffix; n when there is none) and returns 1 when the
 * suffix is well formed, 0 when not (then *prefix_len is n).
 */
static int
split_major(const char *path, size_t n, size_t *prefix_len)
{
	size_t ulen = strlen(UNSTABLE), glen = strlen(GOPKGIN);
	size_t i = n, pm, pmlen;
	int dot = 0;

	*prefix_len = n;
	if (n >= glen && memcmp(path, GOPKGIN, glen) == 0) {
		/* gopkg.in: ".vN" for any N, then optionally "-unstable". */
		if (n >= ulen && memcmp(path + n - ulen, UNSTABLE, ulen) == 0)
			i -= ulen;
		while (i > 0 && is_ascii_digit(path[i - 1]))
			i--;
		if (i <= 1 || path[i - 1] != 'v' || path[i - 2] != '.')
			return 0;
		pm = i - 2;
		pmlen = n - pm;
		if (pmlen <= 2 || (path[pm + 2] == '0' && pmlen != 3))
			return 0;
		*prefix_len = pm;
		return 1;
	}

	/* Elsewhere: "/vN" with N >= 2, no leading zero, no dots. */
	while (i > 0 && (is_ascii_digit(path[i - 1]) || path[i - 1] == '.')) {
		if (path[i - 1] == '.')
			dot = 1;
		i--;
	}
	if (i <= 1 || i == n || path[i - 1] != 'v' || path[i - 2] != '/')
		return 1;
	pm = i - 2;
	pmlen = n - pm;
	if (dot || pmlen <= 2 || path[pm + 2] == '0' ||
	    (pmlen == 3 && path[pm + 2] == '1'))
		return 0;
	*prefix_len = pm;
	return 1;
}

/*
 * Escape: copy in to out (outsz bytes including the NUL) with every
 * upper-case ASCII letter turned into "!" and its lower-case form.
 * Returns -1 when in holds "!" or a non-ASCII byte, is longer than
 * MODPATH_MAX - 1, or the result does not fit.
 */
int
modpath_escape(const char *in, char *out, size_t outsz)
{
	size_t n, i, o = 0;
	unsigned char c;

	n = capped_len(in, MODPATH_MAX);
	if (n == MODPATH_MAX || outsz == 0)
		return -1;
	for (i = 0; i < n; i++) {
		c = (unsigned char)in[i];
		if (c == '!' || c >= 0x80)
			return -1;
		if (is_ascii_upper(c)) {
			if (o + 2 >= outsz)
				return -1;
			out[o++] = '!';
			out[o++] = (char)(c + ('a' - 'A'));
		} else {
			if (o + 1 >= outsz)
				return -1;
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return 0;
}

/*
 * Unescape: undo modpath_escape into out (outsz bytes including the NUL).
 * Returns -1 on an empty or over-long input, a non-ASCII byte, a literal
 * capital, a "!" not followed by a-z, or when the result does not fit.
 * The result still has to pass modpath_check or
 * modpath_check_version_elem.
 */
int
modpath_unescape(const char *in, char *out, size_t outsz)
{
	size_t n, i, o = 0;
	unsigned char c;

	n = capped_len(in, MODPATH_MAX);
	if (n == 0 || n == MODPATH_MAX || outsz == 0)
		return -1;
	for (i = 0; i < n; i++) {
		c = (unsigned char)in[i];
		if (c >= 0x80 || is_ascii_upper(c))
			return -1;
		if (c == '!') {
			if (i + 1 >= n || !is_ascii_lower(in[i + 1]))
				return -1;
			c = (unsigned char)(in[++i] - ('a' - 'A'));
		}
		if (o + 1 >= outsz)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/*
 * CheckPath.  Returns 0 for a valid module path; else -1 with E_NOTFOUND
 * (a malformed path in a request is answered 404, protocol.md 1.2) and a
 * message like Go's: malformed module path "x": missing dot in first path
 * element.
 */
int
modpath_check(const char *path, struct err *err)
{
	char why[MODPATH_WHY_MAX], q[MODPATH_QUOTE_MAX * 4 + 8], rq[16];
	size_t n, i, k, first, prefix_len;
	uint32_t cp;

	if (path == NULL)
		return err_set(err, E_NOTFOUND, "malformed module path: NULL");
	n = capped_len(path, MODPATH_MAX);
	quote_str(q, sizeof(q), path, n);
	if (n == MODPATH_MAX)
		return err_set(err, E_NOTFOUND,
		    "malformed module path %s: longer than %d bytes", q,
		    MODPATH_MAX - 1);
	if (check_path(path, n, KIND_MODULE, why, sizeof(why)) != 0)
		return err_set(err, E_NOTFOUND, "malformed module path %s: %s",
		    q, why);
	for (first = 0; first < n && path[first] != '/'; first++)
		;
	if (first == 0)
		return err_set(err, E_NOTFOUND,
		    "malformed module path %s: leading slash", q);
	if (memchr(path, '.', first) == NULL)
		return err_set(err, E_NOTFOUND, "malformed module path %s: "
		    "missing dot in first path element", q);
	if (path[0] == '-')
		return err_set(err, E_NOTFOUND, "malformed module path %s: "
		    "leading dash in first path element", q);
	for (i = 0; i < first; i += k) {
		k = utf8_decode((const unsigned char *)path + i, first - i,
		    &cp);
		if (k == 0)
			k = 1;
		if (cp == '-' || cp == '.' || is_ascii_digit((int)cp) ||
		    is_ascii_lower((int)cp))
			continue;
		quote_rune(rq, sizeof(rq), path + i, k);
		return err_set(err, E_NOTFOUND, "malformed module path %s: "
		    "invalid char %s in first path element", q, rq);
	}
	if (!split_major(path, n, &prefix_len))
		return err_set(err, E_NOTFOUND,
		    "malformed module path %s: invalid version", q);
	return 0;
}

/* CheckImportPath: 0 for a valid import path, else -1. */
int
modpath_check_import(const char *path)
{
	char why[MODPATH_WHY_MAX];
	size_t n;

	n = capped_len(path, MODPATH_MAX);
	if (n == MODPATH_MAX)
		return -1;
	return check_path(path, n, KIND_IMPORT, why, sizeof(why));
}

/*
 * CheckFilePath: 0 for a valid slash-separated file path (at most
 * MODPATH_FILE_MAX - 1 bytes), else -1.
 */
int
modpath_check_file(const char *path)
{
	char why[MODPATH_WHY_MAX];
	size_t n;

	n = capped_len(path, MODPATH_FILE_MAX);
	if (n == MODPATH_FILE_MAX)
		return -1;
	return check_path(path, n, KIND_FILE, why, sizeof(why));
}

/*
 * The version rule of EscapeVersion/UnescapeVersion: v is one valid file
 * name element (no "/") with no "!", at most VERSION_MAX - 1 bytes.
 * Returns 0 or -1.
 */
int
modpath_check_version_elem(const char *v)
{
	char why[MODPATH_WHY_MAX];
	size_t n;

	n = capped_len(v, VERSION_MAX);
	if (n == VERSION_MAX || memchr(v, '!', n) != NULL)
		return -1;
	return check_elem(v, n, KIND_FILE, why, sizeof(why));
}

/*
 * SplitPathVersion.  *prefix_len gets the length of path without its major
 * suffix and *major points into path at that suffix ("/v2", ".v1",
 * ".v1-unstable", or "" at the end).  Returns 0, or -1 when the suffix is
 * malformed or path is over-long (then *prefix_len is the whole length and
 * *major is "").
 */
int
modpath_split_major(const char *path, size_t *prefix_len,
    const char **major)
{
	size_t n;
	int ok;

	n = capped_len(path, MODPATH_MAX);
	if (n == MODPATH_MAX) {
		*prefix_len = n;
		*major = "";
		return -1;
	}
	ok = split_major(path, n, prefix_len);
	*major = path + *prefix_len;
	return ok ? 0 : -1;
}

/*
 * CheckPathMajor of v against the major suffix of path.  Returns 0 when v
 * is valid semver and may be used with path: v0/v1 or "+incompatible"
 * for a path without a suffix, the same major for "/vN" and ".vN" (with
 * "-unstable" ignored), and v0.0.0- pseudo-versions for gopkg.in ".v1".
 * Returns -1 otherwise, and when the path's suffix is malformed.
 */
int
modpath_check_major(const char *path, const char *v)
{
	char m[VERSION_MAX];
	const char *pm, *build;
	size_t prefix_len, pmlen, ulen = strlen(UNSTABLE);

	if (modpath_split_major(path, &prefix_len, &pm) != 0)
		return -1;
	if (!semver_valid(v) || semver_major(v, m, sizeof(m)) != 0)
		return -1;
	pmlen = strlen(pm);
	if (pmlen >= 2 && pm[0] == '.' && pm[1] == 'v' && pmlen >= ulen &&
	    memcmp(pm + pmlen - ulen, UNSTABLE, ulen) == 0)
		pmlen -= ulen;

	/* An old bug made v0 pseudo-versions for gopkg.in .v1 paths. */
	if (strncmp(v, "v0.0.0-", strlen("v0.0.0-")) == 0 && pmlen == 3 &&
	    memcmp(pm, ".v1", 3) == 0)
		return 0;

	if (pmlen == 0) {
		if (strcmp(m, "v0") == 0 || strcmp(m, "v1") == 0)
			return 0;
		build = semver_build(v);
		if (build != NULL && strcmp(build, "+incompatible") == 0)
			return 0;
		return -1;
	}
	if (strlen(m) == pmlen - 1 && memcmp(m, pm + 1, pmlen - 1) == 0)
		return 0;
	return -1;
}

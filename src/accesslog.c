/*
 * accesslog.c: one line of a web server's access log, in the Common or
 * Combined Log Format that lighttpd, Apache and nginx write by default:
 *
 *   host ident user [10/Oct/2000:13:55:36 -0700] "GET /p HTTP/1.1" 200 2326 ...
 *
 * gc.c reads it to learn when each stored version was last fetched (the
 * web server answers hits from the tree and the responder never sees
 * them).  Every line is hostile: a user name may hold spaces or brackets,
 * a request line may hold quotes (Apache writes \", nginx \x22) or be
 * garbage; whatever cannot be read exactly is refused, never guessed.
 * This file knows nothing of files: gc.c reads the log and keeps its
 * offset.
 */
#include "config.h"

#include <string.h>

#include "piraeus.h"

static const char *const accesslog_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* The methods that fetch a file (a HEAD fetches nothing). */
static const char *const accesslog_methods[] = { "GET" };

/* The n decimal digits at s into *v; -1 unless all are digits. */
static int
accesslog_num(const char *s, size_t n, long *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; m 1..12). */
static int64_t
accesslog_days(long y, long m, long d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * "dd/Mon/yyyy:HH:MM:SS +zzzz" (26 bytes, the brackets excluded) at s
 * into *t, seconds since the epoch, UTC.  -1 unless exactly that.
 */
int
accesslog_time(const char *s, size_t len, int64_t *t)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	long d, y, hh, mi, ss, zh, zm;
	size_t m;

	if (len != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' ||
	    s[14] != ':' || s[17] != ':' || s[20] != ' ' ||
	    (s[21] != '+' && s[21] != '-'))
		return -1;
	for (m = 0; m < 12; m++)
		if (memcmp(s + 3, accesslog_months[m], 3) == 0)
			break;
	if (m == 12 || accesslog_num(s, 2, &d) == -1 ||
	    accesslog_num(s + 7, 4, &y) == -1 ||
	    accesslog_num(s + 12, 2, &hh) == -1 ||
	    accesslog_num(s + 15, 2, &mi) == -1 ||
	    accesslog_num(s + 18, 2, &ss) == -1 ||
	    accesslog_num(s + 22, 2, &zh) == -1 ||
	    accesslog_num(s + 24, 2, &zm) == -1)
		return -1;
	if (d < 1 || d > mdays[m] || hh > 23 || mi > 59 || ss > 60 ||
	    zh > 23 || zm > 59 || y < 1970)
		return -1;
	if (m == 1 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return -1;
	*t = accesslog_days(y, (long)m + 1, d) * 86400 + hh * 3600 +
	    mi * 60 + ss;
	*t += (s[21] == '+' ? -1 : 1) * (zh * 3600 + zm * 60);
	return 0;
}

/*
 * The request target of a request line "METHOD TARGET PROTO" (already
 * unescaped of the log's quoting) into h->path: a GET of an origin-form
 * target, the query dropped, percent-decoded once.  -1 otherwise.
 */
static int
accesslog_request(const char *r, size_t len, struct accesslog_hit *h)
{
	const char *sp1, *sp2, *end = r + len;
	size_t i, mlen, o = 0;
	int a, b, ok = 0;

	if ((sp1 = memchr(r, ' ', len)) == NULL)
		return -1;
	mlen = (size_t)(sp1 - r);
	for (i = 0; i < NITEMS(accesslog_methods); i++)
		if (strlen(accesslog_methods[i]) == mlen &&
		    memcmp(r, accesslog_methods[i], mlen) == 0)
			ok = 1;
	if (!ok || (sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))) ==
	    NULL || memchr(sp2 + 1, ' ', (size_t)(end - sp2 - 1)) != NULL ||
	    strncmp(sp2 + 1, "HTTP/", 5) != 0 || sp1[1] != '/')
		return -1;
	for (r = sp1 + 1; r < sp2 && *r != '?' && *r != '#'; r++) {
		if (o + 1 >= sizeof(h->path))
			return -1;
		if (*r != '%') {
			h->path[o++] = *r;
			continue;
		}
		if (sp2 - r < 3 || (a = hex_digit(r[1])) == -1 ||
		    (b = hex_digit(r[2])) == -1 || (a == 0 && b == 0))
			return -1;
		h->path[o++] = (char)(a * 16 + b);
		r += 2;
	}
	h->path[o] = '\0';
	return 0;
}

/*
 * The quoted request at s (after its opening quote) into out, its
 * backslash escapes undone (\" \\ \xHH); *used gets the bytes read up to
 * and with the closing quote.  -1 on a control byte or no closing quote.
 */
static int
accesslog_quoted(const char *s, size_t len, char *out, size_t outsz,
    size_t *olen, size_t *used)
{
	size_t i, o = 0;
	int a, b;
	char c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '"') {
			*olen = o;
			*used = i + 1;
			return 0;
		}
		if ((unsigned char)c < 0x20 || c == 0x7f)
			return -1;
		if (c == '\\') {
			if (i + 1 >= len)
				return -1;
			c = s[++i];
			if (c == 'x') {
				if (i + 2 >= len || (a = hex_digit(s[i + 1])) ==
				    -1 || (b = hex_digit(s[i + 2])) == -1)
					return -1;
				c = (char)(a * 16 + b);
				i += 2;
				if ((unsigned char)c < 0x20)
					return -1;
			} else if (c != '"' && c != '\\')
				return -1;
		}
		if (o + 1 >= outsz)
			return -1;
		out[o++] = c;
	}
	return -1;
}

int
accesslog_parse(const char *line, size_t len, struct accesslog_hit *h)
{
	char req[URI_MAX + 64];
	const char *p, *end;
	size_t rlen, used;
	long status;

	if (len > ACCESSLOG_LINE_MAX)
		return -1;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	end = line + len;
	/* The time: the first "[" that opens a valid one followed by
	 * "] \"" (a user name cannot fake it: the time must parse). */
	for (p = line; (p = memchr(p, '[', (size_t)(end - p))) != NULL; p++)
		if (end - p >= 31 && p[27] == ']' && p[28] == ' ' &&
		    p[29] == '"' && accesslog_time(p + 1, 26, &h->time) == 0)
			break;
	if (p == NULL)
		return -1;
	p += 30;
	if (accesslog_quoted(p, (size_t)(end - p), req, sizeof(req), &rlen,
	    &used) == -1)
		return -1;
	req[rlen] = '\0';
	if (memchr(req, '\0', rlen) != NULL ||
	    accesslog_request(req, rlen, h) == -1)
		return -1;
	p += used;
	if (end - p < 4 || p[0] != ' ' || accesslog_num(p + 1, 3, &status) ==
	    -1 || (end - p > 4 && p[4] != ' '))
		return -1;
	h->status = (int)status;
	return 0;
}

int
accesslog_artifact(const char *path, const char *base,
    char emod[MODPATH_MAX], char ever[VERSION_MAX])
{
	static const char *const exts[] = { ".info", ".mod", ".zip" };
	char module[MODPATH_MAX], version[VERSION_MAX], canon[VERSION_MAX];
	const char *rel, *at, *file;
	size_t blen = strlen(base), n, i, elen;

	if (strncmp(path, base, blen) != 0 || path[blen] != '/')
		return -1;
	rel = path + blen + 1;
	/* The first "/@v/": a module path has no "@" element. */
	if ((at = strstr(rel, "/@v/")) == NULL)
		return -1;
	file = at + 4;
	if ((size_t)(at - rel) >= MODPATH_MAX || strchr(file, '/') != NULL)
		return -1;
	memcpy(emod, rel, (size_t)(at - rel));
	emod[at - rel] = '\0';
	n = strlen(file);
	for (i = 0; i < NITEMS(exts); i++) {
		elen = strlen(exts[i]);
		if (n > elen && strcmp(file + n - elen, exts[i]) == 0)
			break;
	}
	if (i == NITEMS(exts) || n - elen >= VERSION_MAX)
		return -1;
	memcpy(ever, file, n - elen);
	ever[n - elen] = '\0';
	if (modpath_unescape(emod, module, sizeof(module)) == -1 ||
	    modpath_check(module, NULL) == -1 ||
	    modpath_unescape(ever, version, sizeof(version)) == -1 ||
	    semver_canonical(version, 1, canon, sizeof(canon)) == -1 ||
	    strcmp(canon, version) != 0 ||
	    modpath_check_major(module, version) == -1)
		return -1;
	return 0;
}

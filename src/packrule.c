/*
 * packrule.c: which files of a source tree go into a module zip, the rules
 * of golang.org/x/mod/zip CreateFromDir (listFilesInDir, then checkFiles)
 * that are not zipcheck's (names, case-fold collisions and sizes are
 * checked on the zip pack.c makes, by zipcheck.c).  Pure: no disk.
 *
 *   - a directory named .bzr .git .hg or .svn is left out, with all below;
 *   - a directory holding a go.mod (not the root) is another module: out;
 *     so is any directory holding a file whose name folds to go.mod;
 *   - files of vendored packages are left out (isVendoredPackage): with
 *     the root go.mod's "go" at 1.24 or later also vendor/modules.txt, and
 *     a nested "/vendor/" counts from after itself;
 *   - a root ".hg_archival.txt" is left out;
 *   - anything not a regular file (symbolic links included) is left out.
 *
 * The root go.mod is read for its "module" line (it must name the module
 * packed) and its "go" line (the vendor rule above), the way modfile's
 * lax parser reads them.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "piraeus.h"

static const char *const packrule_vcs[] = { ".bzr", ".git", ".hg", ".svn" };

int
packrule_vcs_dir(const char *base)
{
	size_t i;

	for (i = 0; i < NITEMS(packrule_vcs); i++)
		if (strcmp(base, packrule_vcs[i]) == 0)
			return 1;
	return 0;
}

int
packrule_vendored(const char *p, int go124)
{
	const char *rest, *j;

	if (go124 && strcmp(p, "vendor/modules.txt") == 0)
		return 1;
	if (strncmp(p, "vendor/", 7) == 0)
		rest = p + 7;
	else if ((j = strstr(p, "/vendor/")) != NULL)
		/* Before go 1.24 the offset was counted from the start
		 * (golang.org/issue/37397): kept for the old checksums. */
		rest = go124 ? j + 8 : p + 8;
	else
		return 0;
	return strchr(rest, '/') != NULL;
}

int
packrule_gomod_name(const char *base)
{
	return strcasecmp(base, "go.mod") == 0;
}

/*
 * The next line of data[*off..len) without its comment and surrounding
 * blanks into [*s, *e); 0 at the end.
 */
static int
packrule_line(const char *data, size_t len, size_t *off, const char **s,
    const char **e)
{
	const char *p, *end, *c;

	if (*off >= len)
		return 0;
	p = data + *off;
	end = memchr(p, '\n', len - *off);
	if (end == NULL)
		end = data + len;
	*off = (size_t)(end - data) + 1;
	for (c = p; c + 1 < end; c++)
		if (c[0] == '/' && c[1] == '/') {
			end = c;
			break;
		}
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	*s = p;
	*e = end;
	return 1;
}

/* The argument of directive verb on [s, e) into [*as, *ae), or 0. */
static int
packrule_directive(const char *verb, const char *s, const char *e,
    const char **as, const char **ae)
{
	size_t n = strlen(verb);

	if ((size_t)(e - s) <= n || strncmp(s, verb, n) != 0 ||
	    !isspace((unsigned char)s[n]))
		return 0;
	s += n;
	while (s < e && isspace((unsigned char)*s))
		s++;
	*as = s;
	*ae = e;
	return s < e;
}

int
packrule_gomod_module(const char *data, size_t len, char *out, size_t outsz)
{
	const char *s, *e, *as, *ae;
	size_t off = 0;

	while (packrule_line(data, len, &off, &s, &e))
		if (packrule_directive("module", s, e, &as, &ae)) {
			if (ae - as >= 2 && *as == '"' && ae[-1] == '"') {
				as++;
				ae--;
			}
			if ((size_t)(ae - as) >= outsz ||
			    memchr(as, '"', (size_t)(ae - as)) != NULL ||
			    memchr(as, ' ', (size_t)(ae - as)) != NULL)
				return -1;
			memcpy(out, as, (size_t)(ae - as));
			out[ae - as] = '\0';
			return 0;
		}
	return -1;
}

/* Digits at *p (no leading zero unless "0" alone) into *n; 0 or -1. */
static int
packrule_num(const char **p, const char *e, long *n)
{
	const char *s = *p;

	*n = 0;
	if (s >= e || !isdigit((unsigned char)*s))
		return -1;
	if (*s == '0' && s + 1 < e && isdigit((unsigned char)s[1]))
		return -1;
	for (; s < e && isdigit((unsigned char)*s); s++)
		if ((*n = *n * 10 + (*s - '0')) > 100000)
			return -1;
	*p = s;
	return 0;
}

int
packrule_go124(const char *data, size_t len)
{
	const char *s, *e, *as, *ae;
	size_t off = 0;
	long major, minor;
	int lax;

	while (packrule_line(data, len, &off, &s, &e)) {
		if (!packrule_directive("go", s, e, &as, &ae))
			continue;
		/* modfile's GoVersionRE, or laxGoVersionRE's "v"? and
		 * anything not a digit after major.minor */
		if ((lax = *as == 'v'))
			as++;
		if (packrule_num(&as, ae, &major) == -1 || major == 0 ||
		    as >= ae || *as++ != '.' ||
		    packrule_num(&as, ae, &minor) == -1 || (lax && as == ae))
			return 0;
		return major > 1 || (major == 1 && minor >= 24);
	}
	return 0;
}

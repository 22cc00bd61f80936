/*
 * test_packrule.c: packrule.c's rules against tables taken from
 * golang.org/x/mod/zip (isVendoredPackage with and without go 1.24, the
 * VCS directories) and modfile's reading of the module and go lines.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "piraeus.h"
#include "tap.h"

static const struct {
	const char	*path;
	int		 old, new;	/* vendored before / from go 1.24 */
} vendored_cases[] = {
	{ "vendor/modules.txt", 0, 1 },
	{ "vendor/a.go", 0, 0 },
	{ "vendor/x/y.go", 1, 1 },
	{ "vendor/x/y/z.go", 1, 1 },
	{ "pkg/vendor/vendor.go", 1, 0 },	/* golang.org/issue/37397 */
	{ "pkg/vendor/foo/foo.go", 1, 1 },
	{ "a/b/vendor/c.go", 1, 0 },
	{ "a/vendor/modules.txt", 1, 0 },	/* the old offset: "/modules.txt" */
	{ "vendorx/a/b.go", 0, 0 },
	{ "myvendor/a/b.go", 0, 0 },
	{ "a.go", 0, 0 },
	{ "Vendor/a/b.go", 0, 0 },
};

static const struct {
	const char	*gomod;
	const char	*module;	/* NULL: none found */
	int		 go124;
} gomod_cases[] = {
	{ "module example.com/m\n\ngo 1.24\n", "example.com/m", 1 },
	{ "module example.com/m\ngo 1.23.4\n", "example.com/m", 0 },
	{ "module \"example.com/q\" // c\ngo 1.24rc1\n", "example.com/q", 1 },
	{ "// x\n  module   example.com/s  \ngo 2.0\n", "example.com/s", 1 },
	{ "module example.com/m\ngo 1.25.x\n", "example.com/m", 1 }, /* lax */
	{ "module example.com/m\ngo v1.24\n", "example.com/m", 0 },
	{ "module example.com/m\ngo 1.024\n", "example.com/m", 0 },
	{ "module example.com/m\ngo 0.24\n", "example.com/m", 0 },
	{ "module example.com/m\n", "example.com/m", 0 },
	{ "go 1.24\n", NULL, 1 },
	{ "modules example.com/m\n", NULL, 0 },
	{ "", NULL, 0 },
};

int
main(void)
{
	static const char *const vcs[] = { ".git", ".hg", ".svn", ".bzr" };
	static const char *const notvcs[] = { "git", ".github", ".gitx",
	    ".GIT", ".fossil", "" };
	char name[160], mod[MODPATH_MAX];
	size_t i;
	int rc;

	for (i = 0; i < NITEMS(vendored_cases); i++) {
		snprintf(name, sizeof(name), "vendored %s (go < 1.24)",
		    vendored_cases[i].path);
		is_int(packrule_vendored(vendored_cases[i].path, 0),
		    vendored_cases[i].old, name);
		snprintf(name, sizeof(name), "vendored %s (go >= 1.24)",
		    vendored_cases[i].path);
		is_int(packrule_vendored(vendored_cases[i].path, 1),
		    vendored_cases[i].new, name);
	}
	for (i = 0; i < NITEMS(vcs); i++)
		ok(packrule_vcs_dir(vcs[i]), vcs[i]);
	for (i = 0; i < NITEMS(notvcs); i++)
		ok(!packrule_vcs_dir(notvcs[i]), notvcs[i]);
	ok(packrule_gomod_name("go.mod") && packrule_gomod_name("GO.MOD") &&
	    packrule_gomod_name("Go.Mod") && !packrule_gomod_name("go.mod2") &&
	    !packrule_gomod_name("gomod"), "go.mod folds");
	for (i = 0; i < NITEMS(gomod_cases); i++) {
		const char *g = gomod_cases[i].gomod;

		rc = packrule_gomod_module(g, strlen(g), mod, sizeof(mod));
		snprintf(name, sizeof(name), "module line of case %zu", i);
		if (gomod_cases[i].module == NULL)
			is_int(rc, -1, name);
		else {
			is_int(rc, 0, name);
			is_str(mod, gomod_cases[i].module, name);
		}
		snprintf(name, sizeof(name), "go line of case %zu", i);
		is_int(packrule_go124(g, strlen(g)), gomod_cases[i].go124, name);
	}
	return tap_done();
}

/*
 * testproxy.h: a responder's process state (struct proxy) for the unit
 * tests, made the way piraeus.fcgi makes it: an INI file in the test's
 * directory, config_load, proxy_open.  Include after http.h and
 * testfile.h.
 */
#ifndef TESTPROXY_H
#define TESTPROXY_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/*
 * dir/piraeus.ini with [storage] root = dir/store, [state] dir =
 * dir/state and then extra (INI text, "" for none); both directories
 * made when missing; loaded with an environment that holds only HOME,
 * and opened with its index.  0, or -1 with the reason as a TAP comment.
 */
static int
testproxy_open(struct proxy *px, const char *dir, const char *extra)
{
	char home[] = "HOME=/nonexistent", *envp[] = { home, NULL };
	char path[4096], ini[4096], text[7 * 4096];
	struct config_errors errs = { NULL, 0 };
	struct err e;

	snprintf(path, sizeof(path), "%s/store", dir);
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/state", dir);
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return -1;
	snprintf(ini, sizeof(ini), "%s/piraeus.ini", dir);
	snprintf(text, sizeof(text), "[storage]\nroot = %s/store\n"
	    "[state]\ndir = %s/state\n%s", dir, dir, extra);
	if (write_file(ini, text, strlen(text)) == -1)
		return -1;
	memset(px, 0, sizeof(*px));
	if (config_load(&px->cfg, ini, envp, &errs) != 0) {
		printf("# config: %s\n", errs.n ? errs.msgs[0] : "?");
		config_errors_free(&errs);
		return -1;
	}
	err_clear(&e);
	if (proxy_open(px, &e) == -1 || px->idx == NULL) {
		printf("# proxy_open: %s %s\n", e.msg, px->idx_error);
		return -1;
	}
	return 0;
}

#endif /* TESTPROXY_H */

/*
 * teststore.h: what the store tests set up alike.  Include after
 * piraeus.h.
 */
#ifndef TESTSTORE_H
#define TESTSTORE_H

#include <string.h>
#include <unistd.h>

/* A new temporary file of s holding content: its path (allocated; ""
 * when the write failed), or NULL when it could not be made. */
static char *
tmpwith(const struct store *s, const char *content)
{
	struct err e;
	char *path;
	int fd;

	err_clear(&e);
	if (store_tmpfile(s, &path, &fd, &e) == -1)
		return NULL;
	if (write(fd, content, strlen(content)) < 0)
		path[0] = '\0';
	close(fd);
	return path;
}

#endif /* TESTSTORE_H */

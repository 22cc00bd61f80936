/*
 * test_fetch_batch.c: fetch_proxy_batch against a small HTTP server forked
 * here (one process per connection, answers after a delay the path asks
 * for): the transfers of a batch run at the same time (three answers of
 * 300 ms each take less than 900 ms), files hold the bodies with their
 * SHA-256, buffers theirs; a 404 fails the batch as "not found" with its
 * body's line, abandons a slow transfer at once and leaves no temporary
 * file; a 503 is retried; an optional item's 404 fails it alone; a body
 * over the cap is refused.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"
#include "tap.h"

#define BIG_LEN		100000	/* bytes of /big */
#define SLOW_MS		300	/* /slow/... and /big answer after this */
#define SLOWER_MS	3000	/* /slower */

static char	 dir[PATH_MAX];
static int	 port;

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static char
big_byte(size_t i)
{
	return (char)('a' + (i * 7) % 26);
}

static void
answer(int c, int status, const char *body, size_t len)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Length: "
	    "%zu\r\nConnection: close\r\n\r\n", status, len);
	if (write(c, head, (size_t)n) != n || write(c, body, len) < 0)
		_exit(1);
}

/* One connection: the request's path decides the answer. */
static void
serve(int c)
{
	char req[2048], path[1024], mark[PATH_MAX + 1040], *big;
	size_t got = 0, i;
	ssize_t r;
	int fd;

	while (got < sizeof(req) - 1 && (r = read(c, req + got,
	    sizeof(req) - 1 - got)) > 0) {
		got += (size_t)r;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	req[got] = '\0';
	path[0] = '\0';
	if (strncmp(req, "GET ", 4) == 0) {
		i = strcspn(req + 4, " ");
		if (i < sizeof(path)) {
			memcpy(path, req + 4, i);
			path[i] = '\0';
		}
	}
	snprintf(mark, sizeof(mark), "%s/requests", dir);
	if ((fd = open(mark, O_WRONLY | O_CREAT | O_APPEND, 0644)) != -1) {
		if (write(fd, path, strlen(path)) < 0 || write(fd, "\n", 1) < 0)
			_exit(1);
		close(fd);
	}
	if (strncmp(path, "/slow/", 6) == 0) {
		sleep_ms(SLOW_MS);
		answer(c, 200, path + 6, strlen(path + 6));
	} else if (strcmp(path, "/slower") == 0) {
		sleep_ms(SLOWER_MS);
		answer(c, 200, "late", 4);
	} else if (strcmp(path, "/big") == 0) {
		big = malloc(BIG_LEN);
		for (i = 0; big != NULL && i < BIG_LEN; i++)
			big[i] = big_byte(i);
		sleep_ms(SLOW_MS);
		answer(c, 200, big, big ? BIG_LEN : 0);
		free(big);
	} else if (strncmp(path, "/flaky", 6) == 0 &&
	    strchr(path + 1, '/') == NULL) {
		/* 503 the first time, then the body. */
		snprintf(mark, sizeof(mark), "%s/%s", dir, path + 1);
		if ((fd = open(mark, O_WRONLY | O_CREAT | O_EXCL, 0644)) != -1) {
			close(fd);
			answer(c, 503, "busy", 4);
		} else
			answer(c, 200, "recovered", 9);
	} else
		answer(c, 404, "no such thing\nmore", 18);
	close(c);
	_exit(0);
}

/* The server, forked: its pid; port set. */
static pid_t
server_start(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	pid_t pid;
	int s, c, one = 1;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s, 64) == -1 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) == -1)
		return -1;
	port = ntohs(sa.sin_port);
	if ((pid = fork()) != 0) {
		close(s);
		return pid;
	}
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		if ((c = accept(s, NULL, NULL)) == -1)
			continue;
		if (fork() == 0) {
			close(s);
			serve(c);
		}
		close(c);
	}
}

/* Files in the store's .tmp. */
static int
count_tmp(const struct store *st)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(st->tmp)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* How many times the server was asked for path. */
static int
count_requests(const char *path)
{
	char file[PATH_MAX + 16], line[1100];
	FILE *f;
	int n = 0;

	snprintf(file, sizeof(file), "%s/requests", dir);
	if ((f = fopen(file, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		n += strcmp(line, path) == 0;
	}
	fclose(f);
	return n;
}

static void
item(struct fetch_item *it, const char *url, long long cap, int to_buf,
    int want_sha256)
{
	memset(it, 0, sizeof(*it));
	it->url = url;
	it->cap = cap;
	it->to_buf = to_buf;
	it->want_sha256 = want_sha256;
}

/* 1 when the file at path holds exactly want (len bytes). */
static int
file_is(const char *path, const char *want, size_t len)
{
	struct buf b;
	struct err e;
	int same;

	err_clear(&e);
	if (path == NULL || buf_read_file(&b, path, len + 1, &e) == -1)
		return 0;
	same = b.len == len && memcmp(b.data, want, len) == 0;
	buf_free(&b);
	return same;
}

int
main(void)
{
	char u[5][128], *big, sha[SHA256_HEX], root[PATH_MAX + 16];
	struct fetch_item it[FETCH_BATCH_MAX + 1];
	struct config cfg;
	struct store st;
	long long t0, ms;
	struct err e;
	pid_t srv;
	size_t i;

	snprintf(dir, sizeof(dir), "/tmp/test_fetch_batch.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(root, sizeof(root), "%s/storage", dir);
	mkdir(root, 0755);
	err_clear(&e);
	if (!ok(store_open(&st, root, &e) == 0, "store") ||
	    !ok((srv = server_start()) > 0, "server"))
		return tap_done();
	fetch_proxy_init();
	memset(&cfg, 0, sizeof(cfg));
	cfg.connect_timeout = 10;
	cfg.fetch_timeout = 30;
	cfg.low_speed_time = 30;
	cfg.max_redirects = 3;
	cfg.retries = 2;
	big = xmalloc(BIG_LEN);
	for (i = 0; i < BIG_LEN; i++)
		big[i] = big_byte(i);
	dirhash_sha256_hex(big, BIG_LEN, sha);

	/* Three at once: a file, a file with its SHA-256, a buffer. */
	snprintf(u[0], sizeof(u[0]), "http://127.0.0.1:%d/slow/alpha", port);
	snprintf(u[1], sizeof(u[1]), "http://127.0.0.1:%d/big", port);
	snprintf(u[2], sizeof(u[2]), "http://127.0.0.1:%d/slow/gamma", port);
	item(&it[0], u[0], 1000, 0, 0);
	item(&it[1], u[1], BIG_LEN, 0, 1);
	item(&it[2], u[2], 1000, 1, 0);
	t0 = tap_now_ms();
	ok(fetch_proxy_batch(&cfg, &st, it, 3, &e) == 0, "a batch of three");
	ms = tap_now_ms() - t0;
	if (!ok(ms < 3 * SLOW_MS - 100, "at the same time: less than three "
	    "answers one after the other"))
		printf("#   %lld ms\n", ms);
	ok(file_is(it[0].tmp, "alpha", 5), "a file holds its body");
	ok(file_is(it[1].tmp, big, BIG_LEN), "the big file too");
	is_str(it[1].sha256, sha, "its SHA-256, taken as it came");
	is_str(it[0].sha256, "", "none asked for the first");
	ok(it[2].tmp == NULL && it[2].buf.data != NULL &&
	    strcmp(it[2].buf.data, "gamma") == 0, "a buffer holds its body");
	ok(it[0].err.code == E_OK && it[1].err.code == E_OK &&
	    it[2].err.code == E_OK, "no item's error set");
	is_int(count_tmp(&st), 2, "two temporary files, the caller's");
	for (i = 0; i < 2; i++) {
		unlink(it[i].tmp);
		free(it[i].tmp);
	}
	buf_free(&it[2].buf);

	/* A 404 fails the batch at once, the slow one abandoned. */
	snprintf(u[3], sizeof(u[3]), "http://127.0.0.1:%d/slower", port);
	snprintf(u[4], sizeof(u[4]), "http://127.0.0.1:%d/missing", port);
	item(&it[0], u[3], 1000, 0, 1);
	item(&it[1], u[4], 1000, 0, 0);
	item(&it[2], u[2], 1000, 1, 0);
	err_clear(&e);
	t0 = tap_now_ms();
	ok(fetch_proxy_batch(&cfg, &st, it, 3, &e) == -1, "a 404 fails the "
	    "batch");
	ms = tap_now_ms() - t0;
	is_int(e.code, E_NOTFOUND, "as not found");
	is_str(e.msg, "no such thing", "with the first line of its body");
	is_int(it[1].err.code, E_NOTFOUND, "the item's error");
	ok(it[0].abandoned, "the slow transfer abandoned");
	if (!ok(ms < SLOWER_MS - 1000, "without waiting for it"))
		printf("#   %lld ms\n", ms);
	is_int(count_tmp(&st), 0, "no temporary file left");
	ok(it[0].tmp == NULL && it[1].tmp == NULL && it[2].buf.data == NULL,
	    "nothing handed back");
	is_int(count_requests("/missing"), 1, "a 404 is not retried");

	/* A 503 is retried; the other item is not asked again. */
	snprintf(u[4], sizeof(u[4]), "http://127.0.0.1:%d/flaky", port);
	snprintf(u[3], sizeof(u[3]), "http://127.0.0.1:%d/slow/beta", port);
	item(&it[0], u[4], 1000, 0, 1);
	item(&it[1], u[3], 1000, 1, 0);
	err_clear(&e);
	ok(fetch_proxy_batch(&cfg, &st, it, 2, &e) == 0, "a 503 is retried");
	ok(file_is(it[0].tmp, "recovered", 9), "the retry's body, alone");
	dirhash_sha256_hex("recovered", 9, sha);
	is_str(it[0].sha256, sha, "and its SHA-256 (restarted for the "
	    "retry)");
	is_int(count_requests("/flaky"), 2, "two requests");
	is_int(count_requests("/slow/beta"), 1, "the other one, once");
	unlink(it[0].tmp);
	free(it[0].tmp);
	buf_free(&it[1].buf);

	/* An optional item's 404 is its own: the others go on. */
	snprintf(u[4], sizeof(u[4]), "http://127.0.0.1:%d/missing", port);
	item(&it[0], u[0], 1000, 0, 0);
	item(&it[1], u[4], 1000, 1, 0);
	it[1].optional = 1;
	err_clear(&e);
	ok(fetch_proxy_batch(&cfg, &st, it, 2, &e) == 0, "an optional item "
	    "fails alone");
	is_int(it[1].err.code, E_NOTFOUND, "its error, as not found");
	ok(it[1].buf.data == NULL && !it[1].abandoned, "it holds nothing");
	ok(!it[0].abandoned && file_is(it[0].tmp, "alpha", 5), "the other "
	    "one is not abandoned: its body");
	is_int(count_tmp(&st), 1, "its temporary file only");
	unlink(it[0].tmp);
	free(it[0].tmp);

	/* An optional item is tried once: its user asks again itself. */
	snprintf(u[4], sizeof(u[4]), "http://127.0.0.1:%d/flaky-optional",
	    port);
	item(&it[0], u[0], 1000, 0, 0);
	item(&it[1], u[4], 1000, 1, 0);
	it[1].optional = 1;
	err_clear(&e);
	ok(fetch_proxy_batch(&cfg, &st, it, 2, &e) == 0, "an optional 503: "
	    "the batch succeeds");
	ok(it[1].err.code != E_OK && it[1].buf.data == NULL,
	    "an optional 503: its failure, nothing held");
	is_int(count_requests("/flaky-optional"), 1, "an optional 503 is not "
	    "retried");
	unlink(it[0].tmp);
	free(it[0].tmp);

	/* Over the cap. */
	item(&it[0], u[1], BIG_LEN - 1, 0, 1);
	err_clear(&e);
	ok(fetch_proxy_batch(&cfg, &st, it, 1, &e) == -1, "over the cap");
	is_int(e.code, E_UPSTREAM, "upstream's fault");
	ok(strstr(e.msg, "larger than") != NULL, "said so");
	is_int(count_tmp(&st), 0, "no temporary file left");

	/* Bounds. */
	err_clear(&e);
	ok(fetch_proxy_batch(&cfg, &st, it, 0, &e) == 0, "an empty batch");
	for (i = 0; i <= FETCH_BATCH_MAX; i++)
		item(&it[i], u[0], 1000, 1, 0);
	ok(fetch_proxy_batch(&cfg, &st, it, FETCH_BATCH_MAX + 1, &e) == -1,
	    "too many items refused");

	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
	free(big);
	store_close(&st);
	snprintf(root, sizeof(root), "rm -rf '%s'", dir);
	if (system(root) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}

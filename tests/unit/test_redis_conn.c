/*
 * test_redis_conn.c: redis_conn.c's reader against a fake server.
 *
 * The server is a child process on a 127.0.0.1 listener that plays a
 * script (read the command, send these bytes after that many ms, hold
 * the connection silent, close): plain TCP, which is enough for the
 * reader (the TLS path reads through the same loop; t0610 runs it
 * against a real redis-server).  Each case checks what the client gets:
 * the reply, or the error and whether the connection is broken, and
 * how long it took: a reply's rest late after a short wait, the 1 MiB
 * cap, a reply split across reads, two replies in one read, a reply cut
 * short by a close, a silent server.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "piraeus.h"
#include "tap.h"

#define IO_MS		2000	/* lock_redis' command timeout */

/* One step of the fake server's script. */
enum step_kind {
	STEP_END = 0,	/* close the connection (after a last drain) */
	STEP_READ,	/* read once: the client's command */
	STEP_SEND,	/* after ms, send len bytes of data */
	STEP_HOLD,	/* stay silent for ms */
};

struct step {
	enum step_kind	 kind;
	long		 ms;
	const char	*data;
	size_t		 len;	/* 0: strlen(data) */
};

/* A running fake server: its child and port. */
struct fake {
	pid_t	 pid;
	int	 port;
};

/* Sleep ms milliseconds. */
static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1)
		;
}

/* Write all n bytes of p to fd (the child's side): 0 or -1. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The child: accept one connection on lfd and play script on it. */
static void
fake_play(int lfd, const struct step *script)
{
	char buf[4096];
	int fd;

	if ((fd = accept(lfd, NULL, NULL)) == -1)
		_exit(1);
	for (; script->kind != STEP_END; script++) {
		switch (script->kind) {
		case STEP_READ:
			if (read(fd, buf, sizeof(buf)) <= 0)
				_exit(1);
			break;
		case STEP_SEND:
			sleep_ms(script->ms);
			if (write_all(fd, script->data, script->len != 0 ?
			    script->len : strlen(script->data)) == -1)
				_exit(1);
			break;
		case STEP_HOLD:
			sleep_ms(script->ms);
			break;
		case STEP_END:
			break;
		}
	}
	/* Nothing unread left behind (a close with unread data is a
	 * reset, not the close under test). */
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	_exit(0);
}

/* Start a fake server playing script: 0 and f, or -1. */
static int
fake_start(struct fake *f, const struct step *script)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int lfd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 1) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) == -1)
		return -1;
	f->port = ntohs(sin.sin_port);
	fflush(stdout);
	if ((f->pid = fork()) == -1)
		return -1;
	if (f->pid == 0)
		fake_play(lfd, script);
	close(lfd);
	return 0;
}

/* Stop the fake server (it may be done already). */
static void
fake_stop(struct fake *f)
{
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
}

/* A connection to f with a command timeout of io_ms (NULL: a failed
 * check). */
static struct redis_conn *
fake_conn(const struct fake *f, long io_ms)
{
	struct redis_conn *c;
	struct err e;

	err_clear(&e);
	c = redis_conn_open("127.0.0.1", f->port, NULL, 2000, io_ms, &e);
	if (c == NULL)
		printf("#   connect: %s\n", e.msg);
	return c;
}

/* PING on c: redis_conn_command's return, *r its reply. */
static int
ping(struct redis_conn *c, redisReply **r, struct err *e)
{
	const char *argv[] = { "PING" };

	err_clear(e);
	return redis_conn_command(c, 1, argv, NULL, r, e);
}

/* 1 when r is a status or string reply holding s. */
static int
reply_is(const redisReply *r, const char *s)
{
	return r != NULL && (r->type == REDIS_REPLY_STATUS ||
	    r->type == REDIS_REPLY_STRING) && r->len == strlen(s) &&
	    memcmp(r->str, s, r->len) == 0;
}

/*
 * A reply partly read with the one before: "+PONG\r\n+SEC" then, 500 ms
 * later, "OND\r\n".  A wait shorter than that (a waiter's 50 ms) must not
 * call the second reply cut short: its rest is awaited io_ms.
 */
static void
test_wait_partial(void)
{
	static const struct step script[] = {
		{ STEP_READ, 0, NULL, 0 },
		{ STEP_SEND, 0, "+PONG\r\n+SEC", 0 },
		{ STEP_SEND, 500, "OND\r\n", 0 },
		{ STEP_HOLD, 1000, NULL, 0 },
		{ STEP_END, 0, NULL, 0 },
	};
	struct fake f;
	struct redis_conn *c;
	redisReply *r = NULL;
	struct err e;
	long long t0;
	int got;

	if (fake_start(&f, script) == -1 || (c = fake_conn(&f, IO_MS)) ==
	    NULL) {
		ok(0, "partial: the fake server");
		return;
	}
	ok(ping(c, &r, &e) == 0 && reply_is(r, "PONG"),
	    "partial: the command gets PONG (the next reply's start kept)");
	if (r != NULL)
		freeReplyObject(r);
	r = NULL;
	err_clear(&e);
	t0 = tap_now_ms();
	got = redis_conn_wait(c, 50, &r, &e);
	ok(got >= 0 && !redis_conn_broken(c), "partial: a 50 ms wait with "
	    "a reply begun does not break the connection");
	if (got == -1)
		printf("#   %s\n", e.msg);
	if (got == 0)
		got = redis_conn_wait(c, 1000, &r, &e);
	ok(got == 1 && reply_is(r, "SECOND"),
	    "partial: the reply's rest is read: SECOND");
	ok(tap_now_ms() - t0 < 1500, "partial: when it came (500 ms)");
	if (r != NULL)
		freeReplyObject(r);
	redis_conn_close(c);
	fake_stop(&f);
}

/*
 * Run script on a new fake server and PING it (command timeout io_ms):
 * the return, *r the reply (freed by the caller), e, *ms how long.
 * *cp the connection when cp is not NULL (closed by the caller, with
 * fake_stop(f)); else closed here.
 */
static int
run_ping(const struct step *script, long io_ms, struct fake *f,
    struct redis_conn **cp, redisReply **r, struct err *e, long long *ms)
{
	struct redis_conn *c;
	long long t0;
	int rc;

	*r = NULL;
	if (cp != NULL)
		*cp = NULL;
	err_clear(e);
	if (fake_start(f, script) == -1 || (c = fake_conn(f, io_ms)) ==
	    NULL) {
		err_set(e, E_INTERNAL, "no fake server");
		return -2;
	}
	t0 = tap_now_ms();
	rc = ping(c, r, e);
	*ms = tap_now_ms() - t0;
	if (cp != NULL)
		*cp = c;
	else {
		redis_conn_close(c);
		fake_stop(f);
	}
	return rc;
}

/* A bulk string reply of n bytes ("$N\r\n", n x's, "\r\n"): malloc'ed,
 * its length in *len. */
static char *
bulk(size_t n, size_t *len)
{
	char head[32], *p;
	int h = snprintf(head, sizeof(head), "$%zu\r\n", n);

	if ((p = malloc((size_t)h + n + 2)) == NULL)
		return NULL;
	memcpy(p, head, (size_t)h);
	memset(p + h, 'x', n);
	memcpy(p + h + n, "\r\n", 2);
	*len = (size_t)h + n + 2;
	return p;
}

/* The 1 MiB cap: a bulk string just under it is read, one of 1 MiB + 1
 * refused with a clear error, the connection broken. */
static void
test_cap(void)
{
	struct step script[] = {
		{ STEP_READ, 0, NULL, 0 },
		{ STEP_SEND, 0, NULL, 0 },
		{ STEP_HOLD, 3000, NULL, 0 },
		{ STEP_END, 0, NULL, 0 },
	};
	const size_t under = 1024 * 1024 - 64, over = 1024 * 1024 + 1;
	struct redis_conn *c;
	redisReply *r;
	struct fake f;
	struct err e;
	long long ms;
	char *big;
	int rc;

	if ((big = bulk(under, &script[1].len)) == NULL)
		return;
	script[1].data = big;
	rc = run_ping(script, IO_MS, &f, NULL, &r, &e, &ms);
	ok(rc == 0 && r != NULL && r->type == REDIS_REPLY_STRING &&
	    r->len == under, "cap: a reply of 1 MiB - 64 bytes is read");
	if (rc != 0)
		printf("#   %s\n", e.msg);
	if (r != NULL)
		freeReplyObject(r);
	free(big);
	if ((big = bulk(over, &script[1].len)) == NULL)
		return;
	script[1].data = big;
	rc = run_ping(script, IO_MS, &f, &c, &r, &e, &ms);
	ok(rc == -1 && r == NULL, "cap: a bulk string of 1 MiB + 1 is "
	    "refused");
	ok(strstr(e.msg, "a reply of more than 1048576 bytes") != NULL,
	    "cap: saying the reply is over 1 MiB");
	printf("#   %s\n", e.msg);
	ok(redis_conn_broken(c), "cap: the connection broken");
	ok(c != NULL && ping(c, &r, &e) == -1 && r == NULL,
	    "cap: and no command sent on it any more");
	redis_conn_close(c);
	if (rc != -2)
		fake_stop(&f);
	free(big);
}

/* A reply split across reads, even inside its header and its CRLFs. */
static void
test_split(void)
{
	static const struct step script[] = {
		{ STEP_READ, 0, NULL, 0 },
		{ STEP_SEND, 0, "$5\r", 0 },
		{ STEP_SEND, 60, "\nhel", 0 },
		{ STEP_SEND, 60, "lo\r", 0 },
		{ STEP_SEND, 60, "\n", 0 },
		{ STEP_HOLD, 500, NULL, 0 },
		{ STEP_END, 0, NULL, 0 },
	};
	struct fake f;
	redisReply *r;
	struct err e;
	long long ms;
	int rc;

	rc = run_ping(script, IO_MS, &f, NULL, &r, &e, &ms);
	ok(rc == 0 && reply_is(r, "hello"), "split: a reply in four reads "
	    "is put together");
	if (rc != 0)
		printf("#   %s\n", e.msg);
	if (r != NULL)
		freeReplyObject(r);
}

/* Two replies in one read: the second is kept for the next call. */
static void
test_two(void)
{
	static const struct step script[] = {
		{ STEP_READ, 0, NULL, 0 },
		{ STEP_SEND, 0, "+ONE\r\n+TWO\r\n", 0 },
		{ STEP_HOLD, 1000, NULL, 0 },
		{ STEP_END, 0, NULL, 0 },
	};
	struct redis_conn *c;
	struct fake f;
	redisReply *r;
	struct err e;
	long long ms;
	int rc;

	rc = run_ping(script, IO_MS, &f, &c, &r, &e, &ms);
	ok(rc == 0 && reply_is(r, "ONE"), "two: the command gets the first");
	if (r != NULL)
		freeReplyObject(r);
	if (c == NULL)
		return;
	r = NULL;
	ok(redis_conn_wait(c, 0, &r, &e) == 1 && reply_is(r, "TWO"),
	    "two: the second is there for the next call, nothing awaited");
	if (r != NULL)
		freeReplyObject(r);
	r = NULL;
	ok(redis_conn_wait(c, 100, &r, &e) == 0 && r == NULL &&
	    !redis_conn_broken(c), "two: then none, the connection good");
	redis_conn_close(c);
	fake_stop(&f);
}

/* A reply cut short by the server's close. */
static void
test_closed(void)
{
	static const struct step script[] = {
		{ STEP_READ, 0, NULL, 0 },
		{ STEP_SEND, 0, "$10\r\nabc", 0 },
		{ STEP_END, 0, NULL, 0 },
	};
	struct redis_conn *c;
	struct fake f;
	redisReply *r;
	struct err e;
	long long ms;
	int rc;

	rc = run_ping(script, IO_MS, &f, &c, &r, &e, &ms);
	ok(rc == -1 && r == NULL && strstr(e.msg, "connection closed") !=
	    NULL, "closed: a reply cut short by a close: 'connection "
	    "closed'");
	printf("#   %s\n", e.msg);
	ok(strstr(e.msg, "TLS port") == NULL, "closed: no 'a TLS port?' "
	    "hint (bytes of a redis reply came: it is no TLS port)");
	ok(redis_conn_broken(c), "closed: the connection broken");
	ok(ms < 1000, "closed: at once, not at the timeout");
	redis_conn_close(c);
	if (rc != -2)
		fake_stop(&f);
}

/* A silent server: a wait finds nothing (the connection good); a
 * command times out within its timeout, no hang. */
static void
test_silent(void)
{
	static const struct step script[] = {
		{ STEP_READ, 0, NULL, 0 },
		{ STEP_HOLD, 10000, NULL, 0 },
		{ STEP_END, 0, NULL, 0 },
	};
	struct redis_conn *c;
	struct fake f;
	redisReply *r = NULL;
	struct err e;
	long long t0, ms;
	int rc;

	if (fake_start(&f, script) == -1 || (c = fake_conn(&f, 300)) ==
	    NULL) {
		ok(0, "silent: the fake server");
		return;
	}
	err_clear(&e);
	t0 = tap_now_ms();
	ok(redis_conn_wait(c, 100, &r, &e) == 0 && r == NULL &&
	    !redis_conn_broken(c), "silent: a wait of 100 ms finds none, "
	    "the connection good");
	ok(tap_now_ms() - t0 >= 90 && tap_now_ms() - t0 < 1000,
	    "silent: (it waited about 100 ms)");
	t0 = tap_now_ms();
	rc = ping(c, &r, &e);
	ms = tap_now_ms() - t0;
	ok(rc == -1 && r == NULL && strstr(e.msg, "timed out") != NULL,
	    "silent: a command times out");
	printf("#   %s (%lld ms)\n", e.msg, ms);
	ok(ms >= 290 && ms < 300 + 700, "silent: within its 300 ms timeout "
	    "(+ 700 ms slack)");
	ok(redis_conn_broken(c), "silent: the connection broken");
	redis_conn_close(c);
	fake_stop(&f);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_wait_partial();
	test_cap();
	test_split();
	test_two();
	test_closed();
	test_silent();
	return tap_done();
}

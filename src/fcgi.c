/*
 * fcgi.c: the transport.  One loop serves FastCGI and plain CGI.
 *
 * Under FastCGI (fd 0 is a listening socket handed over by lighttpd,
 * spawn-fcgi or systemd, or a socket opened with -s) requests are
 * accepted with the re-entrant fcgiapp API; their parameters die at the
 * next accept, so request.c copies what it keeps.  Started as CGI the
 * same binary answers the one request in its environment on stdout.
 *
 * Shutdown: SIGTERM/SIGINT between requests exit at once; during a
 * request they let it finish first, then the loop ends (a half-written
 * answer is never cut by our own signal handling: the handler is
 * installed with SA_RESTART, so a write blocked by a slow client goes on).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "http.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define PIRAEUS_LSAN 1
#endif

static volatile sig_atomic_t	fcgi_in_request;
static volatile sig_atomic_t	fcgi_stop;

/* The process may end now (no request in progress): 1, after the
 * sanitizer builds' leak report that a normal exit would give; else 0. */
static int
fcgi_may_exit(void)
{
	if (fcgi_in_request)
		return 0;
#ifdef PIRAEUS_LSAN
	__lsan_do_leak_check();
#endif
	return 1;
}

/* SIGTERM, SIGINT: between requests exit now (0), or once the publisher
 * thread has published what it holds (it ends the process); during a
 * request, note it and let the loop end after the request and its
 * deferred work. */
static void
fcgi_on_signal(int sig)
{
	(void)sig;
	fcgi_stop = 1;
	if (!fcgi_in_request) {
		if (publish_exit_when_done())
			return;
		if (fcgi_may_exit())
			_exit(0);
	}
	FCGX_ShutdownPending();
}

static const char *
cgi_getenv(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static int
cgi_write(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

static const char *
fcgi_getenv(void *ctx, const char *name)
{
	FCGX_Request *rq = ctx;

	return FCGX_GetParam(name, rq->envp);
}

static int
fcgi_write(void *ctx, const void *p, size_t n)
{
	FCGX_Request *rq = ctx;
	const char *c = p;
	int chunk;

	/* FCGX_PutStr takes an int length. */
	while (n > 0) {
		chunk = n > 1 << 30 ? 1 << 30 : (int)n;
		if (FCGX_PutStr(c, chunk, rq->out) != chunk)
			return -1;
		c += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

/* The handlers of SIGTERM and SIGINT (fcgi_on_signal); SIGPIPE ignored. */
static void
fcgi_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fcgi_on_signal;
	sigemptyset(&sa.sa_mask);
	/* SA_RESTART: a write to the web server blocked by a slow client
	 * must resume after the handler, not fail with EINTR (libfcgi
	 * gives up the answer on it: the client would get it cut).  Waits
	 * that must notice the signal (curl's poll, nanosleep) return
	 * EINTR whatever the flag; libfcgi's accept, now restarted, needs
	 * no EINTR: between requests the handler exits by itself. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int
fcgi_run(struct proxy *px, int listen_fd)
{
	FCGX_Request rq;
	struct io io;
	int rc;

	if (FCGX_Init() != 0) {
		log_warnx("FCGX_Init failed");
		return 1;
	}
	if (listen_fd == -1 && FCGX_IsCGI()) {
		io.getenv = cgi_getenv;
		io.write = cgi_write;
		io.ctx = NULL;
		router_handle(px, &io);
		rc = fflush(stdout) == 0 ? 0 : 1;
		/* The answer is out once stdout is closed: async work now. */
		fclose(stdout);
		proxy_run_deferred(px);
		return rc;
	}
	if (FCGX_InitRequest(&rq, listen_fd == -1 ? 0 : listen_fd, 0) != 0) {
		log_warnx("FCGX_InitRequest failed");
		return 1;
	}
	fcgi_signals();
	publish_exit_hook(fcgi_may_exit);
	io.getenv = fcgi_getenv;
	io.write = fcgi_write;
	io.ctx = &rq;
	while (!fcgi_stop) {
		if (FCGX_Accept_r(&rq) < 0)
			break;
		fcgi_in_request = 1;
		router_handle(px, &io);
		FCGX_Finish_r(&rq);
		/* Async fetches run after the answer, before the next accept;
		 * a signal now waits for them like for a request. */
		proxy_run_deferred(px);
		fcgi_in_request = 0;
	}
	FCGX_Free(&rq, 1);
	return 0;
}

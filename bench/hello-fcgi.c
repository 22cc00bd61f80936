/*
 * bench/hello-fcgi.c -- the smallest useful FastCGI responder, the
 * baseline of bench/run: it answers every request with the same short
 * text body, so that what it costs is only lighttpd's mod_fastcgi and
 * libfcgi.  lighttpd starts it (bin-path) with the listening socket on
 * descriptor 0.
 *
 *	cc -O2 -o hello-fcgi bench/hello-fcgi.c -lfcgi
 */

#include <fcgiapp.h>
#include <stdio.h>

#define HELLO_BODY	"hello, world\n"
#define HELLO_MAX	256	/* room for the whole answer */

int
main(void)
{
	FCGX_Request	 req;
	char		 answer[HELLO_MAX];
	int		 len;

	/* The answer never changes: compose it once. */
	len = snprintf(answer, sizeof answer,
	    "Status: 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "\r\n"
	    "%s", sizeof HELLO_BODY - 1, HELLO_BODY);
	if (len < 0 || (size_t)len >= sizeof answer)
		return (1);

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return (1);
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(answer, len, req.out);
		FCGX_Finish_r(&req);
	}
	return (0);
}

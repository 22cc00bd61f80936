/*
 * main_fcgi.c: piraeus.fcgi, the FastCGI (and CGI) responder.
 *
 *   piraeus.fcgi [-s unix:/path/sock | -s 127.0.0.1:port] [--version]
 *   piraeus.fcgi --help
 *
 * Without -s it serves FastCGI on fd 0 when that is a listening socket
 * (lighttpd bin-path, spawn-fcgi, systemd StandardInput=socket) and
 * otherwise answers one request as CGI.  The configuration is read once
 * per process (PIRAEUS_CONFIG and PIRAEUS_* variables); when it is broken
 * the responder says so in the log and, as CGI, answers 500.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "http.h"

#define LISTEN_BACKLOG	128

#define FCGI_USAGE \
	"usage: piraeus.fcgi [-s unix:PATH | -s HOST:PORT] [--version] [--help]\n"

/* --help: what the program is and the ways it is started. */
static const char fcgi_help[] =
    FCGI_USAGE
    "\n"
    "piraeus.fcgi is the responder of piraeus, a Go module proxy (GOPROXY\n"
    "server).  A web server in front of it serves the stored files itself\n"
    "and passes every other request to it with the original REQUEST_URI.\n"
    "It is not run by hand; it is started in one of these ways:\n"
    "\n"
    "  FastCGI on fd 0   when fd 0 is a listening socket: lighttpd\n"
    "                    (fastcgi.server bin-path), spawn-fcgi, or systemd\n"
    "                    socket activation (StandardInput=socket); see\n"
    "                    contrib/fcgi-prefork to run several copies\n"
    "  -s unix:PATH      listen on a unix socket itself (-s HOST:PORT: TCP)\n"
    "  CGI               otherwise (a web server runs it per request, e.g.\n"
    "                    cgi-bin/piraeus.cgi): it answers one request\n"
    "\n"
    "contrib/serve and contrib/quickstart run it behind lighttpd, nginx or\n"
    "Apache on 127.0.0.1.\n"
    "\n"
    "Configuration: the INI file named by PIRAEUS_CONFIG, by default\n"
    "  %s;\n"
    "PIRAEUS_<SECTION>_<KEY> variables override its keys.  `piraeus\n"
    "check-config` checks it.  Messages go to stderr (the web server's\n"
    "error log).\n"
    "\n"
    "  --version         print the version and exit\n"
    "  --help, -h        print this help and exit\n";

/* A usage error: the usage line on stderr, exit 2. */
static void
usage(void)
{
	fprintf(stderr, FCGI_USAGE "(piraeus.fcgi --help for more)\n");
	exit(2);
}

/* As CGI, the web server shows our stdout: say "500" rather than nothing. */
static void
cgi_fail(int listen_fd)
{
	if (listen_fd == -1 && FCGX_IsCGI())
		printf("Status: 500 Internal Server Error\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
		    "internal error: piraeus is misconfigured (see the error "
		    "log)\n");
}

int
main(int argc, char *argv[])
{
	struct config_errors errs = { NULL, 0 };
	struct proxy px;
	const char *sock = NULL;
	struct err e;
	int i, listen_fd = -1, rc;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			version_print("piraeus.fcgi");
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			printf(fcgi_help, config_default_path());
			return 0;
		} else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			sock = argv[++i];
		else
			usage();
	}
	log_init("piraeus.fcgi", LOG_LVL_INFO);
	memset(&px, 0, sizeof(px));
	if (sock != NULL) {
		if (FCGX_Init() != 0)
			fatalx("FCGX_Init failed");
		if ((listen_fd = FCGX_OpenSocket(strncmp(sock, "unix:", 5) == 0 ?
		    sock + 5 : sock, LISTEN_BACKLOG)) == -1)
			fatal("listen on %s", sock);
	}
	if (config_load(&px.cfg, NULL, NULL, &errs) == -1 || errs.n > 0) {
		for (k = 0; k < errs.n; k++)
			log_warnx("%s", errs.msgs[k]);
		config_errors_free(&errs);
		config_free(&px.cfg);
		cgi_fail(listen_fd);
		return 1;
	}
	log_set_level(px.cfg.log_level);
	if (log_configure(px.cfg.log_file, px.cfg.log_format) == -1)
		log_warn("log_file %s (logging to stderr)", px.cfg.log_file);
	err_clear(&e);
	if (proxy_open(&px, &e) == -1) {
		log_warnx("%s", e.msg);
		config_free(&px.cfg);
		cgi_fail(listen_fd);
		return 1;
	}
	rc = fcgi_run(&px, listen_fd);
	proxy_close(&px);
	config_free(&px.cfg);
	return rc;
}

/*
 * redis_conn.c: one connection to a redis server, plain TCP or TLS.
 *
 * lock_redis.c says what to ask redis; this file owns the wire under it:
 * the connect (getaddrinfo, IPv4 or IPv6, a non-blocking connect bounded
 * by a deadline, TCP_NODELAY, FD_CLOEXEC), the optional TLS session over
 * it (OpenSSL: TLS 1.2 at least, the server's certificate verified
 * against a CA file or the system store, its name or address checked
 * against its subjectAltName (never the CN), SNI, an optional client
 * certificate since redis' default tls-auth-clients yes asks for one),
 * sending a command and reading replies, each bounded by a deadline, and
 * the close.
 *
 * hiredis is used for the protocol only: redisFormatCommandArgv makes a
 * command's bytes, a redisReader parses the replies.  The reader's
 * unused-buffer threshold (maxbuf) is REDIS_CONN_IDLE_BUF; hiredis 0.14
 * has no cap on a reply's size, so this file counts the bytes of the
 * reply being read and gives up past REDIS_CONN_REPLY_MAX.
 *
 * The socket is non-blocking throughout; every wait is a poll() with what
 * is left of the deadline.  With TLS, SSL_read is tried before any poll
 * (bytes it decrypted already, SSL_pending, are never waited for), and a
 * WANT_READ or WANT_WRITE polls for that direction.  A timeout or an I/O
 * or protocol error leaves the connection broken (redis_conn_broken): its
 * replies can no longer be matched to commands; the caller closes it.
 *
 * Writes to a socket the server closed raise SIGPIPE, which would kill a
 * CGI responder or a command: SIGPIPE is blocked around the I/O here,
 * and one made pending is taken before it is unblocked (the process'
 * dispositions are not changed).
 *
 * The SSL_CTX is made once per process for one set of files (CA, client
 * certificate and key), and again only when their paths or the files
 * change (device, inode, size, mtime: looked at by each new connection,
 * so a renewed certificate is used from the next connection on).  A close never
 * sends a TLS close_notify: after a fork the child closes its copies of
 * the parent's connections, and a close_notify on one would end the
 * parent's session.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <hiredis/hiredis.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "piraeus.h"

#define REDIS_CONN_READ_CHUNK	16384		/* one read() or SSL_read */
#define REDIS_CONN_IDLE_BUF	(16 * 1024)	/* reader's maxbuf */
#define REDIS_CONN_REPLY_MAX	(1024 * 1024)	/* one reply's bytes */
#define REDIS_CONN_PORT_DIGITS	8		/* "65535" and NUL */
#define REDIS_CONN_WHY_MAX	256		/* an OpenSSL error string */

struct redis_conn {
	int		 fd;
	SSL		*ssl;		/* NULL: plain TCP */
	redisReader	*reader;
	size_t		 pending;	/* bytes fed since the last reply */
	unsigned long	 replies;	/* read so far */
	long		 io_ms;		/* a command's answer, a reply's rest */
	int		 broken;
	char		 host[LOCK_REDIS_HOST_MAX + 1];
	int		 port;
	char		 errstr[ERR_MSG_MAX];	/* the last failure */
};

/* Which version of a file a context was made from (stat before the
 * load: a file replaced meanwhile only makes one more rebuild). */
struct redis_conn_file {
	int		 ok;		/* stat worked (0: rebuild) */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtim;
};

/* The process' TLS context and the files it was made from. */
static struct {
	SSL_CTX			*ctx;
	char			 ca[REDIS_TLS_PATH_MAX];
	char			 cert[REDIS_TLS_PATH_MAX];
	char			 key[REDIS_TLS_PATH_MAX];
	struct redis_conn_file	 id[3];		/* ca, cert, key */
} rc_tls;

/* See piraeus.h: milliseconds on the monotonic clock. */
long long
redis_conn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What is left until deadline, in ms for poll (0 when past). */
static int
redis_conn_left(long long deadline)
{
	long long l = deadline - redis_conn_now();

	return l <= 0 ? 0 : l > 0x7fffffff ? 0x7fffffff : (int)l;
}

/* Block SIGPIPE into *old (see the top of the file). */
static void
redis_conn_pipe_block(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &s, old);
}

/* Take a SIGPIPE made pending meanwhile (unless it was blocked before),
 * then restore *old. */
static void
redis_conn_pipe_restore(const sigset_t *old)
{
	struct timespec zero = { 0, 0 };
	sigset_t s, pend;

	if (!sigismember(old, SIGPIPE) && sigpending(&pend) == 0 &&
	    sigismember(&pend, SIGPIPE)) {
		sigemptyset(&s);
		sigaddset(&s, SIGPIPE);
		while (sigtimedwait(&s, NULL, &zero) == -1 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* What an operator does about some of OpenSSL's reasons. */
static const struct {
	int		 reason;
	const char	*hint;
} redis_conn_ssl_hints[] = {
	{ SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, " (the server wants a "
	  "client certificate: [singleflight] redis_tls_cert and "
	  "redis_tls_key)" },
	{ SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, " (a client certificate "
	  "missing, or no common protocol)" },
	{ SSL_R_TLSV1_ALERT_UNKNOWN_CA, " (the server does not trust our "
	  "client certificate's CA)" },
	{ SSL_R_WRONG_VERSION_NUMBER, " (not a TLS port? use redis://)" },
	{ SSL_R_PACKET_LENGTH_TOO_LONG, " (not a TLS port? use redis://)" },
};

/* The oldest OpenSSL error of this thread (or def) with its hint, the
 * queue emptied. */
static void
redis_conn_ssl_why(char *out, size_t outsz, const char *def)
{
	unsigned long code = ERR_get_error();
	const char *reason, *hint = "";
	size_t i;

	if (code == 0) {
		snprintf(out, outsz, "%s", def);
		return;
	}
	for (i = 0; i < NITEMS(redis_conn_ssl_hints); i++)
		if (ERR_GET_REASON(code) == redis_conn_ssl_hints[i].reason)
			hint = redis_conn_ssl_hints[i].hint;
	if ((reason = ERR_reason_error_string(code)) != NULL)
		snprintf(out, outsz, "%s%s", reason, hint);
	else {
		ERR_error_string_n(code, out, outsz);
		if (strlen(out) + strlen(hint) < outsz)
			memcpy(out + strlen(out), hint, strlen(hint) + 1);
	}
	ERR_clear_error();
}

/* Record why c failed (kept for redis_conn_error), mark it broken when
 * broken, and return -1 with e. */
static int
redis_conn_fail(struct redis_conn *c, int broken, struct err *e,
    const char *fmt, ...) PIRAEUS_ATTR_PRINTF(4, 5);

static int
redis_conn_fail(struct redis_conn *c, int broken, struct err *e,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->errstr, sizeof(c->errstr), fmt, ap);
	va_end(ap);
	if (broken)
		c->broken = 1;
	return err_set(e, E_UNAVAIL, "%s", c->errstr);
}

/* --- TLS context -------------------------------------------------------- */

/* Copy s (NULL: "") into out; -1 when it does not fit. */
static int
redis_conn_keep(char *out, size_t outsz, const char *s)
{
	if (s == NULL)
		s = "";
	if (strlen(s) >= outsz)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* What path (NULL: no file, always the same) is now, into *f. */
static void
redis_conn_file_id(const char *path, struct redis_conn_file *f)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	if (path == NULL) {
		f->ok = 1;
		return;
	}
	if (stat(path, &st) == -1)
		return;
	f->ok = 1;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = st.st_size;
	f->mtim = st.st_mtim;
}

/* 1 when a and b are the same version of a file (both stat'ed). */
static int
redis_conn_file_same(const struct redis_conn_file *a,
    const struct redis_conn_file *b)
{
	return a->ok && b->ok && a->dev == b->dev && a->ino == b->ino &&
	    a->size == b->size && a->mtim.tv_sec == b->mtim.tv_sec &&
	    a->mtim.tv_nsec == b->mtim.tv_nsec;
}

/* 1 when the context in rc_tls was made from these files, as they are
 * now (id: theirs, just stat'ed): a renewed file is loaded again. */
static int
redis_conn_same(const struct redis_tls *t, const struct redis_conn_file id[3])
{
	return rc_tls.ctx != NULL &&
	    strcmp(rc_tls.ca, t->ca != NULL ? t->ca : "") == 0 &&
	    strcmp(rc_tls.cert, t->cert != NULL ? t->cert : "") == 0 &&
	    strcmp(rc_tls.key, t->key != NULL ? t->key : "") == 0 &&
	    redis_conn_file_same(&rc_tls.id[0], &id[0]) &&
	    redis_conn_file_same(&rc_tls.id[1], &id[1]) &&
	    redis_conn_file_same(&rc_tls.id[2], &id[2]);
}

/* OpenSSL's passphrase callback: no passphrase, ever (OpenSSL's own
 * would prompt on the terminal and block a responder or check-config);
 * u, an int (or NULL), is set to say a key asked for one. */
static int
redis_conn_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	if (u != NULL)
		*(int *)u = 1;
	return 0;
}

/* A new client context for t: NULL and e (E_CONFIG, naming the file and
 * the key it comes from) when a file is missing or does not fit. */
static SSL_CTX *
redis_conn_ctx_new(const struct redis_tls *t, struct err *e)
{
	char why[REDIS_CONN_WHY_MAX];
	SSL_CTX *ctx;
	int asked = 0;

	ERR_clear_error();
	if ((t->cert == NULL) != (t->key == NULL))
		return err_set(e, E_CONFIG, "redis_tls_cert and redis_tls_key "
		    "go together (a client certificate and its key)"), NULL;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		redis_conn_ssl_why(why, sizeof(why), "out of memory");
		return err_set(e, E_INTERNAL, "TLS: %s", why), NULL;
	}
	SSL_CTX_set_default_passwd_cb(ctx, redis_conn_no_passphrase);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, &asked);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (t->ca != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, t->ca, NULL) != 1) {
			redis_conn_ssl_why(why, sizeof(why), "unreadable");
			err_set(e, E_CONFIG, "redis_tls_ca %s: %s (a PEM file "
			    "of CA certificates)", t->ca, why);
			goto fail;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		redis_conn_ssl_why(why, sizeof(why), "unreadable");
		err_set(e, E_CONFIG, "the system's CA store: %s (set "
		    "redis_tls_ca)", why);
		goto fail;
	}
	if (t->cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(ctx, t->cert) != 1) {
			redis_conn_ssl_why(why, sizeof(why), "unreadable");
			err_set(e, E_CONFIG, "redis_tls_cert %s: %s (a PEM "
			    "certificate)", t->cert, why);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, t->key, SSL_FILETYPE_PEM)
		    != 1 && ERR_GET_REASON(ERR_peek_last_error()) ==
		    X509_R_KEY_VALUES_MISMATCH) {
			ERR_clear_error();
			err_set(e, E_CONFIG, "redis_tls_key %s is not the key "
			    "of redis_tls_cert %s", t->key, t->cert);
			goto fail;
		}
		if (asked) {
			ERR_clear_error();
			err_set(e, E_CONFIG, "redis_tls_key %s: the key is "
			    "encrypted (a passphrase is not supported: store it "
			    "decrypted, mode 0600)", t->key);
			goto fail;
		}
		if (ERR_peek_error() != 0) {
			redis_conn_ssl_why(why, sizeof(why), "unreadable");
			err_set(e, E_CONFIG, "redis_tls_key %s: %s (a PEM "
			    "private key, unencrypted)", t->key, why);
			goto fail;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			redis_conn_ssl_why(why, sizeof(why), "mismatch");
			err_set(e, E_CONFIG, "redis_tls_key %s is not the key "
			    "of redis_tls_cert %s: %s", t->key, t->cert, why);
			goto fail;
		}
	}
	SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);	/* asked ends */
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int
redis_conn_tls_check(const struct redis_tls *t, struct err *e)
{
	SSL_CTX *ctx;

	if ((ctx = redis_conn_ctx_new(t, e)) == NULL)
		return -1;
	SSL_CTX_free(ctx);
	return 0;
}

/* The process' context for t, made (again) when needed: the first
 * time, for other paths, or when a file changed (a renewed certificate,
 * key or CA: looked at by each new connection).  NULL and e. */
static SSL_CTX *
redis_conn_ctx(const struct redis_tls *t, struct err *e)
{
	struct redis_conn_file id[3];
	SSL_CTX *ctx;

	redis_conn_file_id(t->ca, &id[0]);
	redis_conn_file_id(t->cert, &id[1]);
	redis_conn_file_id(t->key, &id[2]);
	if (redis_conn_same(t, id))
		return rc_tls.ctx;
	if ((t->ca != NULL && strlen(t->ca) >= sizeof(rc_tls.ca)) ||
	    (t->cert != NULL && strlen(t->cert) >= sizeof(rc_tls.cert)) ||
	    (t->key != NULL && strlen(t->key) >= sizeof(rc_tls.key)))
		return err_set(e, E_CONFIG, "a redis_tls_* path longer than "
		    "%d bytes", REDIS_TLS_PATH_MAX - 1), NULL;
	if ((ctx = redis_conn_ctx_new(t, e)) == NULL)
		return NULL;
	(void)redis_conn_keep(rc_tls.ca, sizeof(rc_tls.ca), t->ca);
	(void)redis_conn_keep(rc_tls.cert, sizeof(rc_tls.cert), t->cert);
	(void)redis_conn_keep(rc_tls.key, sizeof(rc_tls.key), t->key);
	if (rc_tls.ctx != NULL)
		SSL_CTX_free(rc_tls.ctx);	/* connections hold references */
	rc_tls.ctx = ctx;
	memcpy(rc_tls.id, id, sizeof(rc_tls.id));
	return ctx;
}

/* --- connect ------------------------------------------------------------ */

/* A TCP connection to one address of ai before deadline: the fd, or -1
 * and errno. */
static int
redis_conn_tcp(const struct addrinfo *ai, long long deadline)
{
	struct pollfd pfd;
	socklen_t sl;
	int fd, n, soerr, one = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		for (;;) {
			pfd.revents = 0;
			n = poll(&pfd, 1, redis_conn_left(deadline));
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1)
				goto fail;
			if (n == 0) {
				errno = ETIMEDOUT;
				goto fail;
			}
			break;
		}
		sl = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	n = errno;
	close(fd);
	errno = n;
	return -1;
}

/* 1 when host is an IPv4 or IPv6 address (not a name). */
static int
redis_conn_is_ip(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

/*
 * Wait until c's socket is ready for events (POLLIN or POLLOUT), until
 * deadline: 0, or -1 and errno (ETIMEDOUT when the deadline passed).
 */
static int
redis_conn_poll(struct redis_conn *c, short events, long long deadline)
{
	struct pollfd pfd;
	int n;

	pfd.fd = c->fd;
	pfd.events = events;
	for (;;) {
		pfd.revents = 0;
		n = poll(&pfd, 1, redis_conn_left(deadline));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		return 0;
	}
}

/* Wait on c's socket for what the last SSL call wanted (st: its
 * SSL_get_error), until deadline: 0, or -1 and errno (ETIMEDOUT). */
static int
redis_conn_ssl_wait(struct redis_conn *c, int st, long long deadline)
{
	return redis_conn_poll(c, st == SSL_ERROR_WANT_WRITE ? POLLOUT :
	    POLLIN, deadline);
}

/* What an operator does about some of the certificate checks' results. */
static const struct {
	long		 result;	/* SSL_get_verify_result */
	const char	*hint;
} redis_conn_verify_hints[] = {
	{ X509_V_ERR_HOSTNAME_MISMATCH, " (the name must be in the "
	  "certificate's subjectAltName: its CN is not looked at)" },
	{ X509_V_ERR_IP_ADDRESS_MISMATCH, " (the address must be an IP "
	  "name of the certificate's subjectAltName)" },
};

/* The hint for a verify result vr ("" when none). */
static const char *
redis_conn_verify_hint(long vr)
{
	size_t i;

	for (i = 0; i < NITEMS(redis_conn_verify_hints); i++)
		if (redis_conn_verify_hints[i].result == vr)
			return redis_conn_verify_hints[i].hint;
	return "";
}

/*
 * After a handshake that succeeded, what SSL_VERIFY_PEER already made
 * sure of, checked again (defence in depth: a change of the context's
 * verify mode must not let a connection through): the server sent a
 * certificate and it verified.  0, or -1 and e.
 */
static int
redis_conn_verified(struct redis_conn *c, struct err *e)
{
	long vr = SSL_get_verify_result(c->ssl);
	int have;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	have = SSL_get0_peer_certificate(c->ssl) != NULL;
#else
	X509 *peer = SSL_get_peer_certificate(c->ssl);

	have = peer != NULL;
	X509_free(peer);
#endif
	if (!have)
		return redis_conn_fail(c, 1, e, "TLS handshake: the server "
		    "sent no certificate");
	if (vr != X509_V_OK)
		return redis_conn_fail(c, 1, e, "TLS handshake: the server's "
		    "certificate: %s%s", X509_verify_cert_error_string(vr),
		    redis_conn_verify_hint(vr));
	return 0;
}

/* The TLS handshake on c (its socket connected) before deadline, with
 * the name or address checked: 0, or -1 and e. */
static int
redis_conn_handshake(struct redis_conn *c, SSL_CTX *ctx, long long deadline,
    struct err *e)
{
	char why[REDIS_CONN_WHY_MAX];
	X509_VERIFY_PARAM *vp;
	long vr;
	int r, st;

	ERR_clear_error();
	if ((c->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		return redis_conn_fail(c, 1, e, "TLS: out of memory");
	vp = SSL_get0_param(c->ssl);
	/* A name is looked for in subjectAltName only, never the subject's
	 * CN (as Go's crypto/tls and browsers since 2020). */
	X509_VERIFY_PARAM_set_hostflags(vp,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
	    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
	if (redis_conn_is_ip(c->host)) {
		/* An address is checked against the certificate's IP
		 * names, and is never sent as SNI. */
		if (X509_VERIFY_PARAM_set1_ip_asc(vp, c->host) != 1)
			return redis_conn_fail(c, 1, e, "TLS: address %s",
			    c->host);
	} else if (SSL_set1_host(c->ssl, c->host) != 1 ||
	    SSL_set_tlsext_host_name(c->ssl, c->host) != 1)
		return redis_conn_fail(c, 1, e, "TLS: host name %s", c->host);
	SSL_set_connect_state(c->ssl);
	for (;;) {
		ERR_clear_error();
		if ((r = SSL_connect(c->ssl)) == 1)
			return redis_conn_verified(c, e);
		st = SSL_get_error(c->ssl, r);
		if (st == SSL_ERROR_WANT_READ || st == SSL_ERROR_WANT_WRITE) {
			if (redis_conn_ssl_wait(c, st, deadline) == -1)
				return redis_conn_fail(c, 1, e, "TLS "
				    "handshake: %s%s", strerror(errno),
				    errno == ETIMEDOUT ? " (is it a TLS "
				    "port?)" : "");
			continue;
		}
		break;
	}
	if ((vr = SSL_get_verify_result(c->ssl)) != X509_V_OK) {
		ERR_clear_error();
		return redis_conn_fail(c, 1, e, "TLS handshake: the server's "
		    "certificate: %s%s", X509_verify_cert_error_string(vr),
		    redis_conn_verify_hint(vr));
	}
	if (st == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
		return redis_conn_fail(c, 1, e, "TLS handshake: %s",
		    r == 0 ? "connection closed by the server (is it a TLS "
		    "port?)" : strerror(errno));
	redis_conn_ssl_why(why, sizeof(why), "failed");
	return redis_conn_fail(c, 1, e, "TLS handshake: %s", why);
}

struct redis_conn *
redis_conn_open(const char *host, int port, const struct redis_tls *tls,
    long connect_ms, long io_ms, struct err *e)
{
	struct addrinfo hints, *res = NULL, *ai;
	char sport[REDIS_CONN_PORT_DIGITS];
	struct redis_conn *c;
	long long deadline = redis_conn_now() + connect_ms;
	SSL_CTX *ctx = NULL;
	sigset_t old;
	int rc, saved = 0;

	if (tls != NULL && (ctx = redis_conn_ctx(tls, e)) == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return err_set(e, E_INTERNAL, "out of memory"), NULL;
	c->fd = -1;
	c->io_ms = io_ms;
	c->port = port;
	snprintf(c->host, sizeof(c->host), "%s", host);
	if ((c->reader = redisReaderCreate()) == NULL) {
		free(c);
		return err_set(e, E_INTERNAL, "out of memory"), NULL;
	}
	c->reader->maxbuf = REDIS_CONN_IDLE_BUF;
	snprintf(sport, sizeof(sport), "%d", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, sport, &hints, &res)) != 0) {
		redis_conn_fail(c, 1, e, "connect: %s", rc == EAI_SYSTEM ?
		    strerror(errno) : gai_strerror(rc));
		goto fail;
	}
	for (ai = res; ai != NULL && c->fd == -1; ai = ai->ai_next)
		if ((c->fd = redis_conn_tcp(ai, deadline)) == -1)
			saved = errno;
	freeaddrinfo(res);
	if (c->fd == -1) {
		redis_conn_fail(c, 1, e, "connect: %s", strerror(saved));
		goto fail;
	}
	if (ctx != NULL) {
		redis_conn_pipe_block(&old);
		rc = redis_conn_handshake(c, ctx, deadline, e);
		redis_conn_pipe_restore(&old);
		if (rc == -1)
			goto fail;
	}
	return c;
fail:
	redis_conn_close(c);
	return NULL;
}

void
redis_conn_close(struct redis_conn *c)
{
	if (c == NULL)
		return;
	if (c->ssl != NULL)
		SSL_free(c->ssl);	/* no close_notify: see the top */
	if (c->fd != -1)
		close(c->fd);
	if (c->reader != NULL)
		redisReaderFree(c->reader);
	free(c);
}

int
redis_conn_broken(const struct redis_conn *c)
{
	return c == NULL || c->broken;
}

const char *
redis_conn_error(const struct redis_conn *c)
{
	return c != NULL && c->errstr[0] != '\0' ? c->errstr : "no connection";
}

/* --- bytes -------------------------------------------------------------- */

/* A hint for a plain connection closed before any byte of a reply
 * came: a TLS port drops what is not TLS. */
static const char *
redis_conn_tls_hint(const struct redis_conn *c)
{
	return c->ssl == NULL && c->replies == 0 && c->pending == 0 ?
	    " (a TLS port? use rediss://)" : "";
}

/*
 * A write failed because the server closed the connection: a TLS
 * server that refuses us after the handshake (TLS 1.3: no client
 * certificate) sends an alert first, which may be waiting unread.  -1
 * and e with the alert's reason when there is one, else 0.
 */
static int
redis_conn_alert(struct redis_conn *c, struct err *e)
{
	char buf[REDIS_CONN_WHY_MAX], why[REDIS_CONN_WHY_MAX];
	int k;

	ERR_clear_error();
	k = SSL_read(c->ssl, buf, sizeof(buf));
	if (k > 0 || SSL_get_error(c->ssl, k) != SSL_ERROR_SSL ||
	    ERR_peek_error() == 0) {
		ERR_clear_error();
		return 0;
	}
	redis_conn_ssl_why(why, sizeof(why), "failed");
	return redis_conn_fail(c, 1, e, "TLS: %s", why);
}

/* Write all n bytes of p on c before deadline: 0, or -1 and e. */
static int
redis_conn_write(struct redis_conn *c, const char *p, size_t n,
    long long deadline, struct err *e)
{
	ssize_t w;
	int st, k;

	while (n > 0) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			k = SSL_write(c->ssl, p, n > 0x7fffffff ? 0x7fffffff :
			    (int)n);
			if (k > 0) {
				p += k;
				n -= (size_t)k;
				continue;
			}
			st = SSL_get_error(c->ssl, k);
			if (st != SSL_ERROR_WANT_READ &&
			    st != SSL_ERROR_WANT_WRITE) {
				char why[REDIS_CONN_WHY_MAX];

				if (st == SSL_ERROR_SYSCALL &&
				    ERR_peek_error() == 0) {
					int en = errno;

					if (redis_conn_alert(c, e) == -1)
						return -1;
					return redis_conn_fail(c, 1, e,
					    "write: %s", k == 0 ? "connection "
					    "closed" : strerror(en));
				}
				redis_conn_ssl_why(why, sizeof(why), "failed");
				return redis_conn_fail(c, 1, e, "TLS write: %s",
				    why);
			}
			if (redis_conn_ssl_wait(c, st, deadline) == -1)
				return redis_conn_fail(c, 1, e, "write: %s",
				    strerror(errno));
			continue;
		}
		w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
			return redis_conn_fail(c, 1, e, "write: %s%s",
			    strerror(errno), redis_conn_tls_hint(c));
		if (redis_conn_poll(c, POLLOUT, deadline) == -1)
			return redis_conn_fail(c, 1, e, "write: %s",
			    strerror(errno));
	}
	return 0;
}

/*
 * Some bytes from c into buf, waiting until deadline: the count, 0 when
 * none came in time (not an error), or -1 and e (the connection closed
 * or failed: broken).
 */
static long
redis_conn_recv(struct redis_conn *c, char *buf, size_t sz,
    long long deadline, struct err *e)
{
	ssize_t r;
	int st, k;

	for (;;) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			k = SSL_read(c->ssl, buf, (int)sz);
			if (k > 0)
				return k;
			st = SSL_get_error(c->ssl, k);
			if (st == SSL_ERROR_ZERO_RETURN)
				return redis_conn_fail(c, 1, e, "connection "
				    "closed by the server");
			if (st != SSL_ERROR_WANT_READ &&
			    st != SSL_ERROR_WANT_WRITE) {
				char why[REDIS_CONN_WHY_MAX];

				if (st == SSL_ERROR_SYSCALL &&
				    ERR_peek_error() == 0)
					return redis_conn_fail(c, 1, e,
					    "read: %s", k == 0 ? "connection "
					    "closed by the server" :
					    strerror(errno));
				redis_conn_ssl_why(why, sizeof(why), "failed");
				return redis_conn_fail(c, 1, e, "TLS read: %s",
				    why);
			}
			if (redis_conn_ssl_wait(c, st, deadline) == -1) {
				if (errno == ETIMEDOUT)
					return 0;
				return redis_conn_fail(c, 1, e, "read: %s",
				    strerror(errno));
			}
			continue;
		}
		r = recv(c->fd, buf, sz, 0);
		if (r > 0)
			return (long)r;
		if (r == 0)
			return redis_conn_fail(c, 1, e, "connection closed by "
			    "the server%s", redis_conn_tls_hint(c));
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return redis_conn_fail(c, 1, e, "read: %s%s",
			    strerror(errno), redis_conn_tls_hint(c));
		if (redis_conn_poll(c, POLLIN, deadline) == -1) {
			if (errno == ETIMEDOUT)
				return 0;
			return redis_conn_fail(c, 1, e, "read: %s",
			    strerror(errno));
		}
	}
}

/* A reply the reader holds already: 1 and *out, 0 when none yet, -1
 * and e (a protocol error: broken). */
static int
redis_conn_parsed(struct redis_conn *c, redisReply **out, struct err *e)
{
	void *r = NULL;

	if (redisReaderGetReply(c->reader, &r) != REDIS_OK)
		return redis_conn_fail(c, 1, e, "protocol error: %s",
		    c->reader->errstr);
	if (r == NULL)
		return 0;
	*out = r;
	c->replies++;
	c->pending = c->reader->len - c->reader->pos;
	return 1;
}

/*
 * One reply: the first of its bytes awaited until first (a deadline), the
 * rest within io_ms of each other.  1 and *out, 0 when no byte came by
 * first, -1 and e (broken).
 */
static int
redis_conn_reply(struct redis_conn *c, long long first, redisReply **out,
    struct err *e)
{
	char buf[REDIS_CONN_READ_CHUNK];
	long long deadline = first;
	long n;
	int got;

	*out = NULL;
	if (c->broken)
		return err_set(e, E_UNAVAIL, "%s", c->errstr);
	for (;;) {
		if ((got = redis_conn_parsed(c, out, e)) != 0)
			return got;
		if ((n = redis_conn_recv(c, buf, sizeof(buf), deadline, e)) ==
		    -1)
			return -1;
		if (n == 0) {
			if (c->pending == 0)
				return 0;
			return redis_conn_fail(c, 1, e, "read: a reply cut "
			    "short: %s", strerror(ETIMEDOUT));
		}
		c->pending += (size_t)n;
		if (c->pending > REDIS_CONN_REPLY_MAX)
			return redis_conn_fail(c, 1, e, "a reply of more than "
			    "%d bytes", REDIS_CONN_REPLY_MAX);
		if (redisReaderFeed(c->reader, buf, (size_t)n) != REDIS_OK)
			return redis_conn_fail(c, 1, e, "protocol error: %s",
			    c->reader->errstr);
		/* A reply begun: its rest is not waited for forever. */
		if (deadline < redis_conn_now() + c->io_ms)
			deadline = redis_conn_now() + c->io_ms;
	}
}

int
redis_conn_send(struct redis_conn *c, int argc, const char **argv,
    const size_t *lens, struct err *e)
{
	char *cmd = NULL;
	sigset_t old;
	int len, rc;

	if (c->broken)
		return err_set(e, E_UNAVAIL, "%s", c->errstr);
	if ((len = redisFormatCommandArgv(&cmd, argc, argv, lens)) < 0 ||
	    cmd == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	redis_conn_pipe_block(&old);
	rc = redis_conn_write(c, cmd, (size_t)len, redis_conn_now() +
	    c->io_ms, e);
	redis_conn_pipe_restore(&old);
	redisFreeCommand(cmd);
	return rc;
}

int
redis_conn_read(struct redis_conn *c, struct redisReply **out, struct err *e)
{
	sigset_t old;
	int got;

	redis_conn_pipe_block(&old);
	got = redis_conn_reply(c, redis_conn_now() + c->io_ms, out, e);
	redis_conn_pipe_restore(&old);
	if (got == 0)
		return redis_conn_fail(c, 1, e, "read: %s",
		    strerror(ETIMEDOUT));
	return got == 1 ? 0 : -1;
}

int
redis_conn_wait(struct redis_conn *c, long ms, struct redisReply **out,
    struct err *e)
{
	long long first = redis_conn_now() + (ms > 0 ? ms : 0);
	sigset_t old;
	int got;

	/* A reply begun (bytes of it read with the one before) is awaited
	 * as a command's is: its rest late is not a reply cut short. */
	if (c->pending > 0 && first < redis_conn_now() + c->io_ms)
		first = redis_conn_now() + c->io_ms;
	redis_conn_pipe_block(&old);
	got = redis_conn_reply(c, first, out, e);
	redis_conn_pipe_restore(&old);
	return got;
}

int
redis_conn_command(struct redis_conn *c, int argc, const char **argv,
    const size_t *lens, struct redisReply **out, struct err *e)
{
	*out = NULL;
	if (redis_conn_send(c, argc, argv, lens, e) == -1)
		return -1;
	return redis_conn_read(c, out, e);
}

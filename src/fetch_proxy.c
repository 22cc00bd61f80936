/*
 * fetch_proxy.c: GET from an upstream GOPROXY server with libcurl.
 *
 * Bodies stream into a temporary file of the store (artifacts) or into a
 * capped buffer (list, @latest): memory stays bounded whatever the size.
 * A zip's SHA-256 is taken from the bytes as they are written, so the
 * published file is not read again for it; its writeback is started when
 * the transfer ends, so the publish's fsync has less left to wait for.
 * One easy handle serves every
 * transfer of the process, so connections to upstream are kept alive.
 * fetch_proxy_batch runs several transfers at once (a version's .info
 * and .zip, a checksum database lookup beside them) on a multi handle
 * whose connections are kept the same way.
 * Every transfer has a connect timeout, a total timeout, a low-speed
 * limit, a size cap enforced while reading, at most N redirects and never
 * a redirect from https to http.  Transient failures (connection errors,
 * timeouts, 5xx, 429) are retried with exponential backoff; 404 and 410
 * are answers, not failures, and become E_NOTFOUND at once.  libcurl
 * honours http_proxy, HTTPS_PROXY and NO_PROXY from the environment.
 * While a transfer runs, the singleflight locks of this process are kept
 * alive (lock_heartbeat from the progress callback).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "piraeus.h"

#define FETCH_BACKOFF_MS	200	/* first retry; doubles each time */
#define FETCH_ERRBODY_MAX	512	/* kept of an error answer's body */
#define FETCH_LOW_SPEED		1024	/* bytes per second */
#define FETCH_WRITEBACK_MIN	(1024 * 1024)	/* bytes: writeback started early */

/* Where a transfer's bytes go: a file or a buffer, with a cap. */
struct fetch_sink {
	int		 fd;		/* -1: into buf */
	struct buf	*buf;
	long long	 cap;
	long long	 got;
	int		 toobig;
	int		 ioerr;
	struct buf	 errbody;	/* the start of a non-200 body */
	struct dirhash_sha256 *sha;	/* of the bytes written to fd, or NULL */
	long		 status;	/* set once headers are in */
	CURL		*curl;
};

static size_t
fetch_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct fetch_sink *s = arg;
	size_t n = size * nmemb;
	struct err e;

	if (s->status == 0)
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);
	err_clear(&e);
	/* file:// has no status (0); http errors keep only a body start. */
	if (s->status != 200 && s->status != 0) {
		if (s->errbody.len < FETCH_ERRBODY_MAX)
			buf_append(&s->errbody, p, n < FETCH_ERRBODY_MAX ? n :
			    FETCH_ERRBODY_MAX, &e);
		return n;
	}
	if ((s->got += (long long)n) > s->cap) {
		s->toobig = 1;
		return 0;	/* aborts the transfer */
	}
	if (s->fd != -1) {
		const char *c = p;
		size_t left = n;
		ssize_t w;

		while (left > 0) {
			w = write(s->fd, c, left);
			if (w == -1 && errno == EINTR)
				continue;
			if (w <= 0) {
				s->ioerr = errno ? errno : EIO;
				return 0;
			}
			c += w;
			left -= (size_t)w;
		}
		/* The digest of the bytes as they pass: no second read. */
		if (s->sha != NULL && dirhash_sha256_update(s->sha, p,
		    n) == -1) {
			s->ioerr = EIO;
			return 0;
		}
		return n;
	}
	if (buf_append(s->buf, p, n, &e) == -1) {
		s->toobig = 1;
		return 0;
	}
	return n;
}

/* libcurl's progress callback: keep our singleflight locks while we work. */
static int
fetch_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	lock_heartbeat();
	return 0;
}

/* The allowed protocols: a base URL's own scheme, and https. */
static const char *
fetch_protocols(const char *url)
{
	if (strncmp(url, "https://", 8) == 0)
		return "https";
	if (strncmp(url, "file://", 7) == 0)
		return "file";
	return "http,https";
}

/* First line of an upstream's error body, printable ASCII only. */
static void
fetch_errline(const struct buf *b, char *out, size_t outsz)
{
	size_t i, o = 0;

	for (i = 0; i < b->len && b->data[i] != '\n' && o + 1 < outsz; i++)
		if ((unsigned char)b->data[i] >= 0x20 &&
		    (unsigned char)b->data[i] < 0x7f)
			out[o++] = b->data[i];
	out[o] = '\0';
}

/* The transfer errors that mean no connection to upstream was made. */
static const CURLcode fetch_unreachable_codes[] = {
	CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST,
	CURLE_COULDNT_CONNECT,
};

/* 1 when cc says upstream could not be reached at all. */
static int
fetch_unreachable(CURLcode cc)
{
	size_t i;

	for (i = 0; i < NITEMS(fetch_unreachable_codes); i++)
		if (fetch_unreachable_codes[i] == cc)
			return 1;
	return 0;
}

/*
 * The process's one easy handle, reset before each transfer: libcurl keeps
 * its connection cache (and DNS cache) with the handle, so the .mod, .info
 * and .zip of a version and the checksum database's lookups and tiles
 * reuse one keep-alive connection to the same host instead of a new one
 * each.  NULL with e set when libcurl cannot make one.
 */
static CURL *
fetch_handle(struct err *e)
{
	static CURL *handle;

	if (handle != NULL) {
		curl_easy_reset(handle);
		return handle;
	}
	if ((handle = curl_easy_init()) == NULL)
		err_set(e, E_INTERNAL, "curl_easy_init failed");
	return handle;
}

/* Every option of one transfer of url into s on c; ebuf gets its error. */
static void
fetch_setup(CURL *c, const struct config *cfg, const char *url,
    struct fetch_sink *s, char ebuf[CURL_ERROR_SIZE])
{
	const char *proto = fetch_protocols(url);

	ebuf[0] = '\0';
	s->curl = c;
	s->status = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, cfg->max_redirects);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, proto);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, strcmp(proto,
	    "file") == 0 ? "https" : proto);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cfg->connect_timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->fetch_timeout);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, (long)FETCH_LOW_SPEED);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, cfg->low_speed_time);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->cap);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "piraeus/" PACKAGE_VERSION);
	if (cfg->ca_file != NULL && cfg->ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, fetch_progress);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 0L);
}

/*
 * What the finished transfer on c (libcurl's cc) into s means: 0 (200),
 * or -1 with e set; *transient says whether a retry may help.
 */
static int
fetch_result(CURL *c, CURLcode cc, const char *shown, struct fetch_sink *s,
    const char *ebuf, int *transient, struct err *e)
{
	char line[FETCH_ERRBODY_MAX + 1];
	int rc = -1;

	*transient = 0;
	if (s->status == 0)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &s->status);
	if (s->toobig || cc == CURLE_FILESIZE_EXCEEDED)
		err_set(e, E_UPSTREAM, "%s: larger than %lld bytes", shown,
		    s->cap);
	else if (s->ioerr)
		err_set(e, err_errno_code(E_INTERNAL, s->ioerr),
		    "writing %s: %s", shown,
		    strerror(s->ioerr));
	else if (cc == CURLE_OPERATION_TIMEDOUT) {
		*transient = 1;
		err_set(e, E_TIMEOUT, "%s: %s", shown, ebuf[0] ? ebuf :
		    curl_easy_strerror(cc));
	} else if (cc == CURLE_TOO_MANY_REDIRECTS ||
	    cc == CURLE_UNSUPPORTED_PROTOCOL)
		err_set(e, E_UPSTREAM, "%s: refused redirect: %s", shown,
		    ebuf[0] ? ebuf : curl_easy_strerror(cc));
	else if (cc == CURLE_FILE_COULDNT_READ_FILE)
		err_set(e, E_NOTFOUND, "not found upstream");
	else if (fetch_unreachable(cc)) {
		*transient = 1;
		err_set(e, E_UPSTREAM, "upstream unreachable: %s: %s", shown,
		    ebuf[0] ? ebuf : curl_easy_strerror(cc));
	} else if (cc != CURLE_OK) {
		*transient = 1;
		err_set(e, E_UPSTREAM, "%s: %s", shown, ebuf[0] ? ebuf :
		    curl_easy_strerror(cc));
	} else if (s->status == 404 || s->status == 410) {
		fetch_errline(&s->errbody, line, sizeof(line));
		err_set(e, s->status == 410 ? E_GONE : E_NOTFOUND, "%s",
		    line[0] ? line : "not found upstream");
	} else if (s->status != 200 && s->status != 0) {
		*transient = s->status >= 500 || s->status == 429;
		fetch_errline(&s->errbody, line, sizeof(line));
		err_set(e, E_UPSTREAM, "%s: %ld%s%s", shown, s->status,
		    line[0] ? " " : "", line);
	} else
		rc = 0;
	/* Nothing of this transfer (ebuf, s) may be used by a later one. */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
	return rc;
}

/*
 * One try.  Returns 0 (200), or -1 with e set; *transient says whether a
 * retry may help.
 */
static int
fetch_once(const struct config *cfg, const char *url, const char *shown,
    struct fetch_sink *s, int *transient, struct err *e)
{
	char ebuf[CURL_ERROR_SIZE];
	CURLcode cc;
	CURL *c;

	*transient = 0;
	if ((c = fetch_handle(e)) == NULL)
		return -1;
	fetch_setup(c, cfg, url, s, ebuf);
	cc = curl_easy_perform(c);
	return fetch_result(c, cc, shown, s, ebuf, transient, e);
}

static void
fetch_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Start writing back the got bytes of fd, without waiting (see
 * fetch_proxy_file), when there are FETCH_WRITEBACK_MIN of them at least.
 * A smaller file is written back by the publish's fsync, on the publisher
 * thread after the answer: started here it cost the answer's own thread
 * 3.5 % of the responder's CPU in bench/fetch's cold run (perf), for
 * files of a few kilobytes.
 */
static void
fetch_writeback(int fd, long long got)
{
#ifdef SYNC_FILE_RANGE_WRITE
	if (got >= FETCH_WRITEBACK_MIN)
		sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
	(void)got;
#endif
}

/*
 * Make s ready for try number 'try': the error body empty, the counters
 * zero; a retry starts the file (or buffer) and its digest again, while
 * the first try has a new, empty file.  (Not truncating that one also
 * matters: ext4 flushes a file truncated to 0 when it is closed,
 * auto_da_alloc, a second writeback before the publish's fsync.)  0, or
 * -1 and e set.
 */
static int
fetch_sink_start(struct fetch_sink *s, long try, struct err *e)
{
	buf_init(&s->errbody, FETCH_ERRBODY_MAX * 2);
	s->got = 0;
	s->toobig = s->ioerr = 0;
	if (try > 0 && s->fd != -1 && (ftruncate(s->fd, 0) == -1 ||
	    lseek(s->fd, 0, SEEK_SET) == -1 || (s->sha != NULL &&
	    dirhash_sha256_restart(s->sha) == -1))) {
		buf_free(&s->errbody);
		return err_errno(e, E_INTERNAL, "truncate");
	}
	if (s->buf != NULL)
		buf_reset(s->buf);
	return 0;
}

/* Tries with backoff; the sink is reset before each try. */
static int
fetch_tries(const struct config *cfg, const char *url, struct fetch_sink *s,
    struct err *e)
{
	long i, backoff = FETCH_BACKOFF_MS;
	char shown[4096];
	struct err te;
	int transient;

	/* Messages and logs never show an upstream's password. */
	upstream_redact(url, shown, sizeof(shown));
	for (i = 0;; i++) {
		err_clear(&te);
		if (fetch_sink_start(s, i, e) == -1)
			return -1;
		if (fetch_once(cfg, url, shown, s, &transient, &te) == 0) {
			buf_free(&s->errbody);
			return 0;
		}
		buf_free(&s->errbody);
		if (!transient || i >= cfg->retries) {
			log_info("fetch %s: %s", shown, te.msg);
			return err_set(e, te.code, "%s", te.msg);
		}
		log_info("fetch %s: %s (retrying)", shown, te.msg);
		fetch_sleep_ms(backoff);
		backoff *= 2;
	}
}

int
fetch_proxy_file(const struct config *cfg, const struct store *st,
    const char *url, long long cap, char **tmp, char sha256[SHA256_HEX],
    struct err *e)
{
	struct fetch_sink s;
	int fd, rc;

	*tmp = NULL;
	memset(&s, 0, sizeof(s));
	if (sha256 != NULL && (s.sha = dirhash_sha256_new(e)) == NULL)
		return -1;
	if (store_tmpfile(st, tmp, &fd, e) == -1) {
		dirhash_sha256_free(s.sha);
		return -1;
	}
	s.fd = fd;
	s.cap = cap;
	rc = fetch_tries(cfg, url, &s, e);
	/*
	 * Start writing the bytes back now, without waiting: the publish's
	 * fsync then finds them written or under way instead of starting
	 * them itself, while the checks and the next transfer run.
	 */
	if (rc == 0)
		fetch_writeback(fd, s.got);
	if (close(fd) == -1 && rc == 0)
		rc = err_errno(e, E_INTERNAL, "close %s", *tmp);
	if (s.sha != NULL) {
		if (rc == 0)
			rc = dirhash_sha256_end(s.sha, sha256, e);
		else
			dirhash_sha256_free(s.sha);
	}
	if (rc == -1) {
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	return 0;
}

int
fetch_proxy_buf(const struct config *cfg, const char *url, size_t cap,
    struct buf *b, struct err *e)
{
	struct fetch_sink s;

	memset(&s, 0, sizeof(s));
	buf_init(b, cap);
	s.fd = -1;
	s.buf = b;
	s.cap = (long long)cap;
	if (fetch_tries(cfg, url, &s, e) == -1) {
		buf_free(b);
		return -1;
	}
	if (b->data == NULL)
		buf_append(b, "", 0, e);
	return 0;
}

/*
 * The process's multi handle for fetch_proxy_batch and its easy handles,
 * one per slot, kept between batches: the multi handle holds the
 * connections, so a batch reuses the last one's.  NULL with e set when
 * libcurl cannot make them.
 */
static CURLM *
fetch_multi(CURL *easy[FETCH_BATCH_MAX], size_t n, struct err *e)
{
	static CURL *pool[FETCH_BATCH_MAX];
	static CURLM *multi;
	size_t i;

	if (multi == NULL && (multi = curl_multi_init()) == NULL) {
		err_set(e, E_INTERNAL, "curl_multi_init failed");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (pool[i] != NULL)
			curl_easy_reset(pool[i]);
		else if ((pool[i] = curl_easy_init()) == NULL) {
			err_set(e, E_INTERNAL, "curl_easy_init failed");
			return NULL;
		}
		easy[i] = pool[i];
	}
	return multi;
}

/* One item of a batch while it runs. */
struct fetch_slot {
	struct fetch_sink	 s;
	char			 ebuf[CURL_ERROR_SIZE];
	char			 shown[4096];
	long			 tries;
	int			 running;	/* in the multi handle */
	int			 retry;		/* failed, may try again */
};

/*
 * Run one round of the items whose slots are marked 'running' on multi,
 * all at once, until they are done or one failed for good (then the others
 * are abandoned: a 404 of the .mod stops a zip's download).  Each item's
 * err is set; retry says whether it failed in a way another try may mend.
 * 0, or -1 with e set when the multi interface itself failed.
 */
static int
fetch_round(CURLM *multi, CURL *easy[], struct fetch_item *items,
    struct fetch_slot *sl, size_t n, struct err *e)
{
	int still, left, stop = 0, transient;
	CURLMcode mc = CURLM_OK;
	CURLMsg *msg;
	size_t i;

	for (i = 0; i < n; i++)
		if (sl[i].running && curl_multi_add_handle(multi,
		    easy[i]) != CURLM_OK) {
			sl[i].running = 0;
			err_set(&items[i].err, E_INTERNAL,
			    "curl_multi_add_handle failed");
			stop = 1;
		}
	while (!stop) {
		if ((mc = curl_multi_perform(multi, &still)) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			for (i = 0; i < n && easy[i] != msg->easy_handle; i++)
				;
			if (i == n || !sl[i].running)
				continue;
			curl_multi_remove_handle(multi, easy[i]);
			sl[i].running = 0;
			err_clear(&items[i].err);
			if (fetch_result(easy[i], msg->data.result,
			    sl[i].shown, &sl[i].s, sl[i].ebuf, &transient,
			    &items[i].err) == -1) {
				sl[i].retry = transient;
				stop |= !transient && !items[i].optional;
			}
		}
		if (still == 0 || stop)
			break;
		if ((mc = curl_multi_poll(multi, NULL, 0, 1000, NULL)) !=
		    CURLM_OK)
			break;
	}
	/* Abandoned (another failed for good) or cut short by an error. */
	for (i = 0; i < n; i++) {
		if (!sl[i].running)
			continue;
		curl_multi_remove_handle(multi, easy[i]);
		curl_easy_setopt(easy[i], CURLOPT_ERRORBUFFER, NULL);
		curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, NULL);
		sl[i].running = 0;
		sl[i].retry = 0;
		err_set(&items[i].err, E_UPSTREAM, "%s: abandoned",
		    sl[i].shown);
		items[i].abandoned = 1;
	}
	if (mc != CURLM_OK)
		return err_set(e, E_INTERNAL, "libcurl: %s",
		    curl_multi_strerror(mc));
	return 0;
}

/* Remove what an item holds: its temporary file, its buffer. */
static void
fetch_item_drop(struct fetch_item *it)
{
	if (it->tmp != NULL) {
		unlink(it->tmp);
		free(it->tmp);
		it->tmp = NULL;
	}
	if (it->to_buf)
		buf_free(&it->buf);
}

/*
 * Give back what the batch's items hold.  With ok, each item that
 * succeeded keeps its file (writeback started, SHA-256 out) or body; an
 * optional one that failed keeps nothing.  Without ok, nothing is kept.
 */
static void
fetch_batch_end(struct fetch_item *items, struct fetch_slot *sl, size_t n,
    int ok)
{
	struct err e;
	size_t i;
	int keep;

	for (i = 0; i < n; i++) {
		err_clear(&e);
		keep = ok && items[i].err.code == E_OK;
		buf_free(&sl[i].s.errbody);
		if (sl[i].s.fd != -1) {
			if (keep)
				fetch_writeback(sl[i].s.fd, sl[i].s.got);
			if (close(sl[i].s.fd) == -1 && keep) {
				keep = 0;
				err_errno(&items[i].err, E_INTERNAL,
				    "close %s", items[i].tmp);
			}
			sl[i].s.fd = -1;
		}
		if (sl[i].s.sha != NULL) {
			err_clear(&e);
			if (keep && dirhash_sha256_end(sl[i].s.sha,
			    items[i].sha256, &e) == -1) {
				keep = 0;
				items[i].err = e;
			} else if (!keep)
				dirhash_sha256_free(sl[i].s.sha);
			sl[i].s.sha = NULL;
		}
		if (keep) {
			if (items[i].to_buf && items[i].buf.data == NULL)
				buf_append(&items[i].buf, "", 0, &e);
			continue;
		}
		/* What failed here fails the batch, unless it is optional. */
		if (!items[i].optional)
			ok = 0;
		fetch_item_drop(&items[i]);
	}
	if (ok)
		return;
	for (i = 0; i < n; i++)
		fetch_item_drop(&items[i]);
}

int
fetch_proxy_batch(const struct config *cfg, const struct store *st,
    struct fetch_item *items, size_t n, struct err *e)
{
	struct fetch_slot sl[FETCH_BATCH_MAX];
	CURL *easy[FETCH_BATCH_MAX];
	long backoff = FETCH_BACKOFF_MS;
	size_t i, failed;
	int again, fd, rc = 0;
	CURLM *multi;

	if (n == 0)
		return 0;
	if (n > FETCH_BATCH_MAX)
		return err_set(e, E_INTERNAL, "a batch of %zu transfers", n);
	memset(sl, 0, sizeof(sl));
	for (i = 0; i < n; i++) {
		items[i].tmp = NULL;
		items[i].sha256[0] = '\0';
		items[i].abandoned = 0;
		memset(&items[i].buf, 0, sizeof(items[i].buf));
		err_clear(&items[i].err);
		sl[i].s.fd = -1;
	}
	if ((multi = fetch_multi(easy, n, e)) == NULL)
		return -1;
	/* Every sink first: nothing is asked upstream before they exist. */
	for (i = 0; i < n && rc == 0; i++) {
		upstream_redact(items[i].url, sl[i].shown,
		    sizeof(sl[i].shown));
		sl[i].s.cap = items[i].cap;
		if (items[i].to_buf) {
			buf_init(&items[i].buf, (size_t)items[i].cap);
			sl[i].s.buf = &items[i].buf;
			continue;
		}
		if (items[i].want_sha256 &&
		    (sl[i].s.sha = dirhash_sha256_new(e)) == NULL)
			rc = -1;
		else if (store_tmpfile(st, &items[i].tmp, &fd, e) == -1)
			rc = -1;
		else
			sl[i].s.fd = fd;
	}
	if (rc == -1) {
		fetch_batch_end(items, sl, n, 0);
		return -1;
	}
	for (i = 0; i < n; i++)
		sl[i].retry = 1;
	for (;;) {
		/* This round: the first try of all, then the retries. */
		for (i = 0; i < n; i++) {
			if (!sl[i].retry)
				continue;
			sl[i].retry = 0;
			buf_free(&sl[i].s.errbody);
			if (fetch_sink_start(&sl[i].s, sl[i].tries++,
			    &items[i].err) == -1)
				break;
			fetch_setup(easy[i], cfg, items[i].url, &sl[i].s,
			    sl[i].ebuf);
			sl[i].running = 1;
		}
		if (i < n) {
			rc = -1;
			break;
		}
		if (fetch_round(multi, easy, items, sl, n, e) == -1) {
			rc = -1;
			break;
		}
		again = 0;
		for (i = 0; i < n; i++) {
			if (items[i].err.code == E_OK)
				continue;
			/* An optional item is tried once: its failure is its
			 * own, and its user asks again on its own terms (a
			 * lookup fails over to the check's own fetch). */
			if (!sl[i].retry || sl[i].tries > cfg->retries ||
			    items[i].optional) {
				/* An optional item's failure is its own. */
				sl[i].retry = 0;
				if (items[i].optional)
					continue;
				rc = -1;
				break;
			}
			again = 1;
		}
		if (rc == -1 || !again)
			break;
		for (i = 0; i < n; i++)
			if (sl[i].retry)
				log_info("fetch %s: %s (retrying)",
				    sl[i].shown, items[i].err.msg);
		fetch_sleep_ms(backoff);
		backoff *= 2;
	}
	fetch_batch_end(items, sl, n, rc == 0);
	for (failed = 0; failed < n && (items[failed].err.code == E_OK ||
	    items[failed].abandoned || items[failed].optional); failed++)
		;
	if (failed == n && rc == 0)
		return 0;
	if (failed == n)
		return e->code != E_OK ? -1 : err_set(e, E_INTERNAL,
		    "the batch failed");
	log_info("fetch %s: %s", sl[failed].shown, items[failed].err.msg);
	return err_set(e, items[failed].err.code, "%s",
	    items[failed].err.msg);
}

void
fetch_proxy_init(void)
{
	static int done;

	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		done = 1;
}

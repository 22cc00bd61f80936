/*
 * piraeus.h: the one internal header of piraeus, a Go module proxy.
 *
 * Prototypes are grouped by the file that defines them (tmux style).  The
 * files are cut into layers, lowest first; a file uses only files of its
 * own layer or below, and no two files use each other (HACKING has the
 * table; tests/cgi/t0050-layering.t checks it on the built objects):
 *
 *   base       err.c xmalloc.c buf.c hex.c log.c version.c strmap.c
 *              tar.c untar.c gz.c jsonval.c
 *   rules      modpath.c semver.c pattern.c access.c dirhash.c modfile.c latest.c
 *              note.c tlog.c upstream.c mode.c zipcheck.c zipend.c
 *              zipread.c rfc3339.c
 *              filter.c packrule.c accesslog.c osv.c vulndb_index.c
 *   state      store.c (the tree) index.c (sqlite) cache.c lock.c reindex.c
 *              gc.c vulnview.c audit.c vulndb_tree.c (the vulnerability
 *              database's generations)
 *   transport  fetch_proxy.c (libcurl) fetch_direct.c (the go command)
 *              vcsauth.c (git ls-remote for [policy] private_access)
 *              validator.c (libcurl)
 *   databases  sumdb.c sumdb_base.c sumdb_log.c
 *   stages     answer.c policy.c stored.c fetch.c check.c publish.c
 *              pack.c import.c vulndb.c (vulndb sync and import)
 *   pipeline   resolve_version.c resolve_answer.c resolve_sumdb.c resolve.c
 *   http       (http.h) config.c request.c response.c router.c proxy.c
 *              fcgi.c ep_*.c
 *   programs   main_cli.c main_fcgi.c
 *
 * Conventions: fallible functions return 0 on success and -1 on failure
 * with the reason in a struct err (first error wins).  Borrowed pointers are
 * const; functions that return allocated memory say so.
 */
#ifndef PIRAEUS_H
#define PIRAEUS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/stat.h>

/* Named caps on every input. */
#define MODPATH_MAX	1024		/* unescaped or escaped module path */
#define VERSION_MAX	256		/* unescaped or escaped version */
#define URI_MAX		4096		/* raw REQUEST_URI */
#define INFO_MAX	(64 * 1024)	/* a .info file */
#define GOMOD_MAX	(16 * 1024 * 1024) /* a go.mod file (protocol 4.1) */
#define ZIP_MAX		(500LL * 1024 * 1024) /* a module zip, and its content */
#define H1_MAX		64		/* "h1:" + 44 base64 chars + NUL, rounded */
#define SHA256_LEN	32		/* a SHA-256 digest */
#define SHA256_HEX	65		/* 64 hex digits + NUL */
#define ERR_MSG_MAX	256

#define PIRAEUS_ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* The number of elements of array a (an array, never a pointer). */
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* err.c */
enum errc {
	E_OK = 0,
	E_BADREQ,	/* malformed request: 400 */
	E_NOTFOUND,	/* 404: the client may try its next GOPROXY entry */
	E_GONE,		/* 410: same meaning for the client as 404 */
	E_FORBIDDEN,	/* 403: excluded by policy */
	E_METHOD,	/* 405: only GET and HEAD */
	E_TOOBIG,	/* 413 for requests; an over-cap upstream body */
	E_UPSTREAM,	/* 502 */
	E_TIMEOUT,	/* 504 */
	E_UNAVAIL,	/* 503: storage or index not usable */
	E_CONFIG,	/* a configuration error (never reaches HTTP) */
	E_INTERNAL,	/* 500 */
	E_UNAUTHORIZED	/* 401: credentials missing or wrong (after
			 * E_INTERNAL: cached rows hold codes by number) */
};
struct err {
	enum errc	code;
	char		msg[ERR_MSG_MAX];
};
/* Record an error unless one is already recorded; always returns -1. */
int		 err_set(struct err *, enum errc, const char *, ...)
		    PIRAEUS_ATTR_PRINTF(3, 4);
/* Like err_set, appending ": strerror(errno)". */
int		 err_errno(struct err *, enum errc, const char *, ...)
		    PIRAEUS_ATTR_PRINTF(3, 4);
/* code, or E_UNAVAIL for an E_INTERNAL that errnum says is the storage's
 * condition (read-only, full, over quota). */
enum errc	 err_errno_code(enum errc code, int errnum);
void		 err_clear(struct err *);
const char	*err_name(enum errc);

/*
 * faultpoint.c: TESTS ONLY.  With --enable-fault-points, FAULT_POINT(step)
 * kills the process with SIGKILL when the file $PIRAEUS_TEST_FAULT_DIR/step
 * exists (it is removed first: one shot), or stalls it MS milliseconds when
 * that file holds "sleep MS"; without it, nothing at all.
 */
#ifdef PIRAEUS_FAULT_POINTS
void		 faultpoint(const char *step);
#define FAULT_POINT(step)	faultpoint(step)
#else
#define FAULT_POINT(step)	((void)0)
#endif

/* xmalloc.c: small allocations; exit on out-of-memory. */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xreallocarray(void *, size_t, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
int		 xasprintf(char **, const char *, ...) PIRAEUS_ATTR_PRINTF(2, 3);

/* buf.c: a growable byte buffer with a hard cap (for sizes others control). */
struct buf {
	char	*data;		/* always NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* appending past this is E_TOOBIG */
};
void		 buf_init(struct buf *, size_t max);
int		 buf_append(struct buf *, const void *, size_t, struct err *);
int		 buf_puts(struct buf *, const char *, struct err *);
/* Append s for HTML text and attribute values: & < > " ' as entities,
 * control bytes and bytes outside ASCII as "?". */
int		 buf_puts_html(struct buf *, const char *, struct err *);
int		 buf_printf(struct buf *, struct err *, const char *, ...)
		    PIRAEUS_ATTR_PRINTF(3, 4);
void		 buf_reset(struct buf *);
void		 buf_free(struct buf *);
/* Open a regular file for reading (no FIFO, device, symbolic link; never
 * blocks in open): the fd, or -1 and e set. */
int		 buf_open_regular(const char *path, struct err *);
/* The little-endian 16, 32 and 64-bit values at p (zip records). */
uint16_t	 buf_le16(const unsigned char *p);
uint32_t	 buf_le32(const unsigned char *p);
uint64_t	 buf_le64(const unsigned char *p);
/* pread(2) up to len bytes at off of fd (EINTR retried, short reads
 * continued): the count, less than len only at the end of the file (0 for
 * an offset past INT64_MAX), or -1 and errno. */
ssize_t		 buf_pread(int fd, uint64_t off, void *p, size_t len);
/* Write all of p to fd (short writes, EINTR): 0, or -1 and errno. */
int		 buf_write_all(int fd, const void *p, size_t n);
#define BUF_CHUNK	65536	/* one read of a copy or a comparison */
/* Copy in to out to the end (EINTR, short writes); src and dst name them
 * in errors.  The bytes copied, or -1 and e (E_TOOBIG past max). */
long long	 buf_copy_fd(int in, int out, long long max, const char *src,
		    const char *dst, struct err *);
/* 1 when regular file a and file b hold the same bytes, 0 when not (or b
 * cannot be opened), -1 and e when a cannot be read. */
int		 buf_same_file(const char *a, const char *b, struct err *);
/* Read a whole file of at most max bytes into b (b is initialised here). */
int		 buf_read_file(struct buf *, const char *path, size_t max,
		    struct err *);
int		 buf_read_fd(struct buf *, int fd, size_t max, struct err *);

/* strmap.c: strings to indexes, hashed (no scan per lookup). */
#define STRMAP_NONE	((size_t)-1)	/* strmap_get: no such key */
struct strmap {
	char	**keys;		/* cap slots, NULL empty; owned copies */
	size_t	 *vals;
	size_t	  cap, n;
};
void		 strmap_init(struct strmap *);
/* key's value, or STRMAP_NONE. */
size_t		 strmap_get(const struct strmap *, const char *key);
/* Insert key (copied) with val unless there: returns the value the key
 * has now (the old one when it was there, else val). */
size_t		 strmap_put(struct strmap *, const char *key, size_t val);
void		 strmap_free(struct strmap *);

/* tar.c: a tar archive (ustar; pax "path" for names ustar cannot hold). */
#define TAR_NAME_MAX	4096	/* an entry's name */
/* Append the regular file src under name (0644, its mtime); 0 or -1. */
int		 tar_add_file(int fd, const char *name, const char *src,
		    struct err *);
/* The two zero blocks that end an archive. */
int		 tar_finish(int fd, struct err *);

/* untar.c: reading a tar archive (ustar, pax "path"; plain or gzip). */
#define UNTAR_ENTRIES_MAX	1000000		/* entries of one archive */
/*
 * Extract the archive at path into the directory dest (made here, must
 * not exist): regular files and directories only, each file at most
 * file_max bytes, all of them at most total_max; a name that is absolute,
 * has a ".." element or is longer than TAR_NAME_MAX, a link or a device
 * is refused, and so is a file named twice.  0, or -1 and e (E_BADREQ:
 * the archive is refused; dest may then hold part of it: the caller
 * removes it).
 */
int		 untar_dir(const char *path, const char *dest,
		    long long file_max, long long total_max, struct err *);

/* gz.c: gzip in memory (zlib). */
/* Append the gzip of p[0..n) to out (its cap applies): 0 or -1. */
int		 gz_compress(const void *p, size_t n, struct buf *out,
		    struct err *);
/* Append what the gzip p[0..n) holds to out (its cap is the most
 * accepted): exactly one member, nothing after it.  0, or -1 and e
 * (E_UPSTREAM not gzip, E_TOOBIG over the cap). */
int		 gz_decompress(const void *p, size_t n, struct buf *out,
		    struct err *);

/* hex.c: the value of hex digit c (either case), 0 to 15, or -1. */
int		 hex_digit(int c);

/* sha256.c: the process's SHA-256 implementation, fetched from OpenSSL
 * once (pass it to every EVP_DigestInit_ex/EVP_Digest/HMAC), and a one-shot
 * digest with it. */
struct evp_md_st;
const struct evp_md_st *sha256_md(void);
void		 sha256_digest(const void *, size_t, unsigned char md[SHA256_LEN]);

/* log.c: messages to stderr (the web server's error log under FastCGI). */
enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };
void		 log_init(const char *ident, enum log_level);
void		 log_set_level(enum log_level);
/* How a line is written: "ident[pid]: msg" (plain) or one JSON object. */
enum log_format { LOG_FMT_PLAIN = 0, LOG_FMT_JSON };
/* Lines go to path (appended, created 0640), or stderr when path is NULL:
 * 0, or -1 with errno (stderr stays). */
int		 log_configure(const char *path, enum log_format);
/* One field of a structured line: a string (s) or, s NULL, a number. */
struct log_field {
	const char	*key;		/* [a-z_]+, the caller's constant */
	const char	*s;		/* any bytes; escaped when written */
	long long	 n;
};
#define LOG_LINE_MAX	(3 * 4096 + 1024)	/* one formatted line */
/* fields formatted as one line into out (always terminated, "\n"
 * included): plain "ACCESS key=value ..." (a value with a space, quote,
 * backslash, control or non-ASCII byte quoted, those escaped \xNN), or
 * JSON {"time":...,"level":level,"type":kind,key:value...} (every
 * control and non-ASCII byte as \u00NN: always valid JSON).  The line
 * is cut, still well formed, at outsz.  Returns its length. */
size_t		 log_format_fields(enum log_format, const char *level,
		    const char *kind, const char *time,
		    const struct log_field *, size_t n, char *out,
		    size_t outsz);
/* An access line (kind "access") at level info, in the configured
 * format. */
void		 log_access(const struct log_field *, size_t n);
void		 log_warn(const char *, ...) PIRAEUS_ATTR_PRINTF(1, 2);
void		 log_warnx(const char *, ...) PIRAEUS_ATTR_PRINTF(1, 2);
void		 log_info(const char *, ...) PIRAEUS_ATTR_PRINTF(1, 2);
void		 log_debug(const char *, ...) PIRAEUS_ATTR_PRINTF(1, 2);
void		 fatal(const char *, ...) PIRAEUS_ATTR_PRINTF(1, 2)
		    __attribute__((noreturn));
void		 fatalx(const char *, ...) PIRAEUS_ATTR_PRINTF(1, 2)
		    __attribute__((noreturn));

/* version.c */
extern const char	*piraeus_version;
extern const char	*piraeus_build_date;
void		 version_print(const char *progname);

/* config.c: one INI file (inih) plus PIRAEUS_<SECTION>_<KEY> overrides. */
#define CONFIG_CACHE_MAX	48	/* "private, max-age=" + a long + NUL */
enum sendfile_mode { SENDFILE_OFF = 0, SENDFILE_X_SENDFILE, SENDFILE_X_ACCEL };
struct config {
	char		*file;		/* the file read, or NULL if none */
	/* [server] */
	char		*base_path;	/* "" or "/go": no trailing slash */
	enum sendfile_mode sendfile;
	char		*accel_prefix;	/* X-Accel-Redirect location */
	int		 every_request;	/* the web server sends every
					 * request here, hits too */
	char		*home_template;	/* path or NULL: built-in home page */
	enum log_level	 log_level;
	enum log_format	 log_format;
	char		*log_file;	/* NULL: stderr */
	int		 access_log;	/* one access line per request */
	long		 list_max_age;	/* seconds, Cache-Control of list/latest */
	long		 notfound_max_age;
	long		 catalog_pagesize;	/* default page size */
	long		 catalog_max_pagesize;
	long		 index_limit;		/* default /index limit */
	long		 index_max_limit;
	/* [storage] */
	char		*storage_root;	/* absolute, no trailing slash */
	/* [state] */
	char		*state_dir;	/* absolute, no trailing slash */
	/* [upstream] */
	char		*upstream_goproxy;	/* GOPROXY syntax */
	int		 network_mode;		/* enum network_mode */
	char		*download_mode;		/* mode, file:PATH, custom:B64 */
	char		*goprivate;		/* patterns that go direct */
	long		 connect_timeout;	/* seconds */
	long		 fetch_timeout;		/* seconds, one whole transfer */
	long		 low_speed_time;	/* seconds under 1 KB/s */
	long		 max_redirects;
	long		 max_zip_size;		/* bytes, <= ZIP_MAX */
	char		*ca_file;		/* extra CA bundle, or NULL */
	long		 retries;		/* extra tries on transient errors */
	long		 list_ttl;		/* seconds an upstream list is fresh */
	long		 notfound_ttl;		/* seconds a negative answer is */
	long		 wait_timeout;		/* seconds a waiter waits (504) */
	long		 lock_expiry;		/* seconds a fetch lock is trusted */
	/* [direct] */
	char		*go_binary;		/* "go" or a path */
	long		 direct_timeout;	/* seconds, then the group is killed */
	long		 direct_workers;	/* concurrent go processes, per host */
	char		*netrc;			/* optional file for NETRC */
	char		*gitconfig;		/* optional GIT_CONFIG_GLOBAL */
	char		*hgrc;			/* optional HGRCPATH */
	char		*ssh_dir;		/* optional: GIT_SSH_COMMAND -F */
	/* [sumdb] */
	char		*sumdb_databases;	/* "<vkey> <url>;..." or NULL */
	char		*sumdb_nosum;		/* GONOSUMDB patterns */
	int		 sumdb_verify;
	long		 sumdb_cache_ttl;	/* latest, partial tiles */
	char		*sumdb_private_key;	/* signer key file, or NULL */
	int		 sumdb_private_relay;	/* public versions logged too */
	char		*sumdb_log_dir;		/* the private log's database
						 * (shared by every host), or
						 * NULL: in the index */
	int		 sumdb_via_proxy;	/* goproxy's /sumdb/ first */
	/* [access] */
	char		*access_file;		/* users, groups, rules; or NULL */
	char		*access_realm;		/* WWW-Authenticate realm */
	int		 access_anonymous;	/* no credentials: public only */
	int		 access_remote_user;	/* trust the web server's
						 * REMOTE_USER */
	/* [policy] */
	int		 private_access;	/* enum private_access */
	long		 private_access_ttl;	/* seconds a verdict is kept */
	int		 private_access_http;	/* credentials to http:// too */
	char		*filter_file;		/* Athens' filter file, or NULL */
	char		*validator_hook;	/* URL, or NULL */
	long		 validator_timeout;	/* seconds */
	long		 validator_cache_ttl;	/* seconds a verdict is kept */
	int		 vulnerable;		/* enum vuln_mode */
	char		*vulnerable_allow;	/* ids and aliases excepted */
	long		 vulnerable_min_age;	/* days before deny applies */
	/* [gc] */
	long		 gc_max_age;		/* days; 0: none */
	char		*gc_max_size;		/* gc_size_parse syntax */
	char		*gc_access_log;		/* path, or NULL */
	int		 gc_atime;		/* access times are fetches */
	/* [vulndb] */
	int		 vulndb_enabled;	/* sync and import may run */
	char		*vulndb_url;		/* the database mirrored */
	long		 vulndb_ttl;		/* responder's refresh, seconds */
	/* [singleflight] */
	int		 sf_backend;		/* enum lock_backend */
	char		*sf_redis;		/* lock_redis_parse, or NULL */
	char		*sf_prefix;		/* of every redis name */
	int		 sf_on_redis_down;	/* enum lock_on_down */
	char		*sf_tls_ca;		/* rediss://: CA file, or NULL */
	char		*sf_tls_cert;		/* client certificate, or NULL */
	char		*sf_tls_key;		/* its key, or NULL */
	char		*policy_private;	/* GOPRIVATE patterns */
	/*
	 * Read by config_load from the environment as the go command reads
	 * it: GOPRIVATE, and GONOPROXY / GONOSUMDB, each defaulting to
	 * GOPRIVATE when unset or empty.  "" when none.
	 */
	char		*env_goprivate;
	char		*env_noproxy;
	char		*env_nosumdb;
	/* Cache-Control values, built once by config_load from the above;
	 * the _private twins ("private, max-age=N") for per-user answers. */
	char		 cache_list[CONFIG_CACHE_MAX];	/* list, @latest */
	char		 cache_notfound[CONFIG_CACHE_MAX]; /* 404, 410 */
	char		 cache_sumdb[CONFIG_CACHE_MAX];	/* sumdb_cache_ttl */
	char		 cache_list_private[CONFIG_CACHE_MAX];
	char		 cache_notfound_private[CONFIG_CACHE_MAX];
	char		 cache_sumdb_private[CONFIG_CACHE_MAX];
};
enum network_mode { NETWORK_STRICT = 0, NETWORK_FALLBACK, NETWORK_OFFLINE };
/* [policy] private_access: who may read a private module. */
enum private_access { PRIVATE_ACCESS_NONE = 0, PRIVATE_ACCESS_VCS };
/* [policy] vulnerable: a version the vulnerability database lists. */
enum vuln_mode { VULN_ALLOW = 0, VULN_WARN, VULN_DENY };
struct config_errors {
	char		**msgs;		/* each "file: [section] key: reason" */
	size_t		  n;
};
/* The default path when PIRAEUS_CONFIG is unset. */
const char	*config_default_path(void);
/*
 * Load defaults, then the file (path NULL: $PIRAEUS_CONFIG, else the
 * default path, which may be absent), then the environment overrides from
 * envp (NULL-terminated "K=V" strings; NULL means environ), then check
 * cross-field rules.  Every problem is appended to errs; returns 0 when errs
 * is empty.  cfg must be freed with config_free even on failure.
 */
int		 config_load(struct config *, const char *path,
		    char *const *envp, struct config_errors *errs);
void		 config_free(struct config *);
/* 0 when v is a URL [vulndb] url takes (http or https, a host, no blank
 * or control byte, shorter than VULNDB_URL_MAX), else -1 and why. */
int		 config_check_vulndb_url(const char *v, char *why, size_t whysz);
/* Set up singleflight (lock_setup) from [singleflight].  0, or -1 and e. */
int		 config_singleflight(const struct config *, struct err *);
void		 config_errors_free(struct config_errors *);
/* Print every key with its effective value as INI text. */
void		 config_dump(const struct config *, FILE *);
/* Print every key commented out with its help line and default. */
void		 config_describe(FILE *);

/* modpath.c: module paths, versions in URLs, the "!" case-encoding. */
/* Escape upper case as "!"+lower.  Fails on "!" or non-ASCII input. */
int		 modpath_escape(const char *in, char *out, size_t outsz);
/* Undo "!"-escaping; fails on capitals, bad "!", non-ASCII, empty. */
int		 modpath_unescape(const char *in, char *out, size_t outsz);
/* golang.org/x/mod/module CheckPath: 0 if a valid module path. */
int		 modpath_check(const char *path, struct err *);
int		 modpath_check_import(const char *path);
int		 modpath_check_file(const char *path);
/* The single file-name element rule of EscapeVersion (no "!" either). */
int		 modpath_check_version_elem(const char *v);
/*
 * SplitPathVersion: *prefix_len gets the length of the path without its
 * major suffix, *major points into path at "/vN", ".vN" or "" (the end).
 * Returns 0, or -1 when the suffix is malformed.
 */
int		 modpath_split_major(const char *path, size_t *prefix_len,
		    const char **major);
/* CheckPathMajor: 0 when version v is compatible with the path's major. */
int		 modpath_check_major(const char *path, const char *v);

/* semver.c: Go's semver dialect. */
int		 semver_valid(const char *v);	/* 1 or 0 */
/*
 * The canonical form vX.Y.Z[-pre] of v into out (build metadata dropped);
 * keep_incompatible keeps a "+incompatible" build suffix (CanonicalVersion).
 * Returns 0, or -1 when v is not valid semver or out is too small.
 */
int		 semver_canonical(const char *v, int keep_incompatible,
		    char *out, size_t outsz);
/* Compare: <0, 0, >0.  Invalid versions sort below every valid one. */
int		 semver_compare(const char *a, const char *b);
int		 semver_is_prerelease(const char *v);	/* has "-pre" */
int		 semver_is_pseudo(const char *v);	/* IsPseudoVersion */
/* "vN" major of v into out ("v0", "v2"...); -1 when invalid. */
int		 semver_major(const char *v, char *out, size_t outsz);
/* The build suffix ("+incompatible") or "" when none; NULL when invalid. */
const char	*semver_build(const char *v);
/* For qsort of an array of char *: semver order, then bytes. */
int		 semver_qsort_cmp(const void *, const void *);
/* Sort an array of versions in semver_qsort_cmp order, parsing each once. */
void		 semver_sort(char **, size_t);

/* dirhash.c: the "h1:" hashes of go.sum (dirhash Hash1), SHA-256. */
/* h1 of a go.mod body (a single file named "go.mod"). */
int		 dirhash_mod(const void *data, size_t len, char out[H1_MAX],
		    struct err *);
/*
 * h1 of a zip file (every entry, full names, decompressed contents) as
 * the go command's HashZip computes it, read by zipread.c as Go reads it,
 * streamed: memory stays bounded whatever the size.  Entries are read up
 * to their declared size + 1 and a mismatch is an error (E_BADREQ for
 * the zip's faults, E_TOOBIG, E_NOTFOUND, E_INTERNAL).
 */
int		 dirhash_zip(const char *zippath, char out[H1_MAX], struct err *);
/* The same of a zip open with zipread_open (zipcheck's, already walked);
 * the zip's faults are E_UPSTREAM here. */
struct zipread;
int		 dirhash_zipread(struct zipread *, char out[H1_MAX],
		    struct err *);
/* Lower-case hex SHA-256 of a buffer / of a file streamed. */
void		 dirhash_sha256_hex(const void *, size_t, char out[SHA256_HEX]);
int		 dirhash_sha256_file(const char *path, char out[SHA256_HEX],
		    struct err *);
/*
 * A running SHA-256 over bytes as they stream in (a body being written to
 * .tmp), so the file need not be read again for its digest.
 */
struct dirhash_sha256;
struct dirhash_sha256 *dirhash_sha256_new(struct err *);
int		 dirhash_sha256_restart(struct dirhash_sha256 *);
int		 dirhash_sha256_update(struct dirhash_sha256 *, const void *,
		    size_t);
int		 dirhash_sha256_end(struct dirhash_sha256 *,
		    char out[SHA256_HEX], struct err *);
void		 dirhash_sha256_free(struct dirhash_sha256 *);

/* modfile.c: the parts of go.mod a proxy needs (retract, require). */
struct retraction {
	char	low[VERSION_MAX];
	char	high[VERSION_MAX];	/* == low for a single version */
};
/*
 * Parse the retract directives (single and block forms, versions and
 * [low, high] intervals) of a go.mod body.  *out is allocated (free it),
 * *n set; on a syntax error returns -1 and sets nothing.
 */
int		 modfile_retractions(const char *data, size_t len,
		    struct retraction **out, size_t *n, struct err *);
int		 modfile_is_retracted(const struct retraction *, size_t n,
		    const char *version);
/* One require directive: a module path as written (not checked here, as
 * Go's modfile.Parse does not: callers check it on use), a canonical
 * version. */
struct modfile_require {
	char	path[MODPATH_MAX];
	char	version[VERSION_MAX];
};
/*
 * Parse the require directives (single and block forms) of a go.mod body
 * with the same grammar: *out is allocated (free it), *n set; -1 and e
 * on a syntax error, a bad module path or version anywhere.
 */
int		 modfile_requires(const char *data, size_t len,
		    struct modfile_require **out, size_t *n, struct err *);
/* One replace directive: old_version "" replaces every version; a
 * new_version "" means new_path is a directory (nothing to fetch). */
#define MODFILE_DIR_MAX	4096	/* a replacement directory's path */
struct modfile_replace {
	char	old_path[MODPATH_MAX];
	char	old_version[VERSION_MAX];
	char	new_path[MODFILE_DIR_MAX];
	char	new_version[VERSION_MAX];
};
/* What a main module's go.mod says about its graph (all allocated). */
struct modfile_main {
	struct modfile_require *req;	/* require */
	size_t	 nreq;
	struct modfile_replace *rep;	/* replace, in file order */
	size_t	 nrep;
	struct modfile_require *exc;	/* exclude */
	size_t	 nexc;
};
/*
 * Parse require, replace and exclude of a main module's go.mod with the
 * same grammar (modfile parseReplace's argument forms and errors); 0, or
 * -1 and e, *m empty.  modfile_main_free releases it.
 */
int		 modfile_main_parse(const char *data, size_t len,
		    struct modfile_main *, struct err *);
void		 modfile_main_free(struct modfile_main *);

/* accesslog.c: one line of a Common/Combined Log Format access log. */
#define ACCESSLOG_LINE_MAX	(URI_MAX + 8192)	/* longer: skipped */
struct accesslog_hit {
	int64_t	 time;		/* seconds since the epoch, UTC */
	int	 status;
	char	 path[URI_MAX];	/* GET target, query dropped, %-decoded */
};
/* A GET line with its time, target and status into h: 0, else -1 (any
 * other method, a malformed or hostile line). */
int		 accesslog_parse(const char *line, size_t len,
		    struct accesslog_hit *h);
/* "dd/Mon/yyyy:HH:MM:SS +zzzz" (len 26) into *t (UTC seconds): 0 or -1. */
int		 accesslog_time(const char *s, size_t len, int64_t *t);
/* The escaped module and version (as on disk) of a path naming a
 * version's .info, .mod or .zip below base ("" or "/go"): 0, else -1. */
int		 accesslog_artifact(const char *path, const char *base,
		    char emod[MODPATH_MAX], char ever[VERSION_MAX]);
/* rfc3339.c: RFC 3339 date-time to nanoseconds since the epoch (clamped
 * to int64_t), 0 or -1; and back, UTC, the fraction without its zeros. */
int		 rfc3339_parse(const char *, int64_t *ns);
void		 rfc3339_format(int64_t ns, char *out, size_t outsz);

/* conditional.c: conditional GET (RFC 9110, 13).  Whether the client's
 * copy is the one that would be sent: If-None-Match (when present) lists
 * etag, compared weakly, or else If-Modified-Since is a date not before
 * mtime (-1: the answer has no time); a malformed or too long header is
 * absent.  1 yes (answer 304), 0 no.  And the two parts alone: 1 when the
 * If-None-Match list matches etag; an HTTP-date into *t, 0 or -1. */
int		 conditional_unchanged(const char *if_none_match,
		    const char *if_modified, const char *etag, time_t mtime);
int		 conditional_etag_match(const char *list, const char *etag);
int		 conditional_date(const char *, time_t *);

/*
 * The Go vulnerability database's caps: ONE set, for its mirror
 * (vulndb*.c: a sync or import refuses a database over any of them) and
 * its reader ([policy] vulnerable and audit: osv.c, vulnview.c, which
 * skip what is over): what the mirror serves, the policy reads whole.
 */
#define OSV_ENTRY_MAX		(1024 * 1024)	/* bytes of one entry */
#define OSV_ID_MAX		64	/* an id or alias, with its NUL */
#define OSV_ALIASES_MAX		64	/* aliases of one entry */
#define VULNDB_DB_MAX		4096	/* index/db.json */
#define VULNDB_INDEX_MAX	(16 * 1024 * 1024) /* modules/vulns.json */
#define VULNDB_MODULE_VULNS_MAX	4096	/* entries of one module */

/*
 * osv.c: one entry of the Go vulnerability database (OSV JSON): parsed
 * under caps (a malformed entry is refused whole), and its SEMVER ranges
 * evaluated as golang.org/x/vuln does.
 */
#define OSV_AFFECTED_MAX	1024	/* affected packages of one entry */
#define OSV_RANGES_MAX		64	/* ranges of one affected module */
#define OSV_EVENTS_MAX		512	/* events of one range */
enum osv_event_kind {
	OSV_IGNORED = 0, OSV_INTRODUCED, OSV_FIXED, OSV_LAST_AFFECTED
};
struct osv_event {
	enum osv_event_kind kind;
	char		 version[VERSION_MAX];	/* "v1.2.3"; "" for "0" */
};
struct osv_range {
	struct osv_event *ev;		/* in version order (osv_parse
					 * sorts them: osv_range_sort) */
	size_t		  n;
	int		  ignored;	/* not SEMVER */
	int		  every;	/* no events: every version */
	int		  bad;		/* a version not semver: none */
};
struct osv_affected {
	char		 *module;	/* NULL: not the Go ecosystem */
	struct osv_range *ranges;
	size_t		  nranges;	/* 0: every version */
};
struct osv_entry {
	char		  id[OSV_ID_MAX];
	char		**aliases;
	size_t		  naliases;
	int64_t		  published;	/* ns since the epoch; else modified;
					 * 0 when neither */
	int64_t		  modified;
	int64_t		  withdrawn;	/* ns: affects nothing from then on
					 * (0: not withdrawn) */
	struct osv_affected *aff;
	size_t		  naff;
};
/* 1 when s is an id or alias we accept (the one rule, for the mirror too:
 * it names a file ID/<id>.json): [A-Za-z0-9] then [A-Za-z0-9._-], under
 * OSV_ID_MAX bytes. */
int		 osv_id_valid(const char *s);
/* The next id of a list apart by blanks or commas ([policy]
 * vulnerable_allow) from s: its start and *n its length, or NULL at the
 * end.  Go on from the start + *n. */
const char	*osv_id_next(const char *s, size_t *n);
/* A database version ("1.2.3", "v1.2.3", "1.2", "1.0.0+meta") as x/vuln
 * compares it, canonical into out ("v1.2.0", "v1.0.0"; "+incompatible"
 * kept): 0, or -1 when it is not semver. */
int		 osv_version(const char *s, char out[VERSION_MAX]);
/* Parse one entry (at most OSV_ENTRY_MAX bytes) into x: 0, or -1 and e
 * (x empty); osv_free releases it. */
int		 osv_parse(const char *data, size_t len, struct osv_entry *x,
		    struct err *e);
void		 osv_free(struct osv_entry *x);
/* Sort r's events as x/vuln does before it walks them: the beginning of
 * time first, then version order, stable. */
void		 osv_range_sort(struct osv_range *r);
/* 1 when version (canonical, with "v") is in r (its events sorted),
 * fixed then the version that closes it ("" when none); else 0. */
int		 osv_range_affects(const struct osv_range *r,
		    const char *version, char fixed[VERSION_MAX]);
/* 1 when x affects module@version (not withdrawn), fixed then the fix
 * golang.org/x/vuln names (NonSupersededFix: the latest fix of the
 * module's ranges, "" when none or when it is introduced again after
 * it); else 0. */
int		 osv_affects(const struct osv_entry *x, const char *module,
		    const char *version, char fixed[VERSION_MAX]);

/* jsonval.c: one JSON value alone in data[0..len) (white space around
 * it, no NUL byte, at most max bytes; an object when object), or NULL
 * (free with json_object_put). */
struct json_object;
struct json_object *jsonval_parse(const char *data, size_t len, size_t max,
		    int object);

/* latest.c: a module's "latest" among versions, as the go command picks. */
struct latest_src {
	/* The go.mod of version into b (allocated): 0, or -1 and e set. */
	int	(*gomod)(void *arg, const char *version, struct buf *b,
		    struct err *e);
	void	*arg;
};
/*
 * Pick module's latest of versions[0..n) (not canonical or not valid for
 * the path: ignored) into out: tagged before pseudo, "+incompatible"
 * dropped under a compatible version with a go.mod, retractions of the
 * latest applied to tags (the newest pseudo-version is the answer even
 * when retracted, as the go command takes it).  1 when picked, 0 when
 * there is no candidate.
 */
int		 latest_pick(const char *module, char **versions, size_t n,
		    const struct latest_src *, char out[VERSION_MAX]);

/* store.c: the GOPROXY tree under the storage root (DESIGN section 2). */
enum artifact { ART_INFO = 0, ART_MOD, ART_ZIP };
struct store {
	char	*root;		/* absolute path, no trailing slash */
	char	*tmp;		/* root/.tmp */
};
int		 store_open(struct store *, const char *root, struct err *);
void		 store_close(struct store *);
const char	*store_ext(enum artifact);	/* ".info" ".mod" ".zip" */
/* root/<emod>/@v/<ever><ext> into out; emod and ever already escaped. */
int		 store_path(const struct store *, const char *emod,
		    const char *ever, enum artifact, char *out, size_t outsz);
/* The part of path below the root when path is root/<rel> with rel clean
 * (no "", "." or ".." element, none starting with "." such as .tmp),
 * else NULL: what may be handed to the web server to send. */
const char	*store_rel(const struct store *, const char *path);
/*
 * Wait up to us microseconds for emod@ever's file a to be placed (by any
 * process): returns 0 as soon as it is (inotify on its @v directory), or
 * when the time has passed; where the directory cannot be watched (it
 * does not exist yet, no inotify) it sleeps us.  Returns 1 at once, not
 * having waited, when the file is there already: a caller that still
 * finds what it waits for missing must not call again at once (it would
 * spin).  The caller looks again.
 */
int		 store_wait(const struct store *, const char *emod,
		    const char *ever, enum artifact, long us);
/* Create a temporary file in root/.tmp; *path allocated, *fd open. */
int		 store_tmpfile(const struct store *, char **path, int *fd,
		    struct err *);
/*
 * Remove temporary files older than max_age seconds from root/.tmp (left
 * by a process killed mid-fetch; never visible to clients).  Returns how
 * many were removed.
 */
int		 store_sweep_tmp(const struct store *, long max_age);
/* root/.tmp, when it exists, is a directory on the root's file system
 * (st_dev): publishing links and renames from it into the tree, which a
 * .tmp mounted apart (a shared tree's local scratch) would make fail.
 * 0, or -1 and e (E_CONFIG). */
int		 store_check_tmp(const struct store *, struct err *);
/* fsync + rename tmp to dst (creating parent dirs) + fsync the dir. */
int		 store_commit(const struct store *, const char *tmp,
		    const char *dst, struct err *);
/*
 * Publish one version: the three temporary files (zip may be NULL when
 * only .info/.mod exist) are moved into place in the order zip, mod,
 * info; a version whose .info exists is complete.  Existing artifacts are
 * never overwritten (immutability): E_INTERNAL if one differs.
 */
int		 store_publish(const struct store *, const char *emod,
		    const char *ever, const char *tmp_info, const char *tmp_mod,
		    const char *tmp_zip, struct err *);
/* One version found in a <emod>/@v directory. */
struct store_version {
	char	ever[VERSION_MAX];	/* escaped, as on disk */
	int	has_info;
	int	has_mod;
	int	has_zip;
};
/*
 * The versions present in root/<emod>/@v, sorted by escaped name; *out
 * allocated (by name only: whoever opens a file checks it is a regular
 * one, buf_open_regular).  Returns 0 (also for an empty directory), or -1 with
 * E_NOTFOUND when the module has no @v directory.
 */
int		 store_versions(const struct store *, const char *emod,
		    struct store_version **out, size_t *n, struct err *);
/*
 * Visit every <emod>/@v directory under the root (depth-first, symbolic
 * links not followed, names starting with "." skipped).  fn returning -1
 * stops the walk.
 */
typedef int	 store_walk_fn(const char *emod, void *arg);
int		 store_walk(const struct store *, store_walk_fn *, void *arg,
		    struct err *);

/*
 * export.c: piraeus export, argv as getopt sees it (argv[0] "export"),
 * cfg loaded and borrowed: stored versions as a GOPROXY tree in a
 * directory or a tar archive.  Returns the exit status (0, 1, 2).
 */
int		 export_main(struct config *cfg, int argc, char **argv);

/*
 * vulndb_index.c: the Go vulnerability database's v1 index and entries,
 * checked (go.dev/security/vulndb/api).
 */
#define VULNDB_TIME_MAX		64	/* a "modified" time as written */
#define VULNDB_ENTRIES_MAX	1000000	/* entries, and modules, of one db */
#define VULNDB_PATH_MAX		4096	/* a path below the storage root */
#define VULNDB_URL_MAX		2048	/* [vulndb] url, --url, NUL included */
#define VULNDB_TAR_FILE_MAX	(256 * 1024 * 1024) /* a file of an import's
						     * tarball (legacy files
						     * too) */
#define VULNDB_TAR_MAX		(4LL * 1024 * 1024 * 1024) /* all of it */
struct vulndb_vuln {
	char	  id[OSV_ID_MAX];
	char	  modified[VULNDB_TIME_MAX];	/* as the index wrote it */
	int64_t	  mod_ns;
	char	**aliases;			/* allocated */
	size_t	  naliases;
	size_t	 *mods;		/* the modules listing it: indexes of m */
	size_t	  nmods;
};
struct vulndb_module {
	char	*path;		/* allocated */
	size_t	*vulns;		/* indexes of v */
	size_t	 nvulns;
	size_t	 newest;	/* the vuln with the newest modified time */
};
struct vulndb_index {
	char			 modified[VULNDB_TIME_MAX];	/* db.json */
	int64_t			 mod_ns;
	struct vulndb_vuln	*v;	/* vulns.json's order */
	size_t			 nv;
	struct vulndb_module	*m;	/* modules.json's order */
	size_t			 nm;
	struct strmap		 ids;	/* id -> index of v */
};
/* 0 when path is a valid module path, or "stdlib" or "toolchain". */
int		 vulndb_index_module_check(const char *path);
/* 1 for "stdlib" and "toolchain" (never "!"-escaped). */
int		 vulndb_index_module_special(const char *path);
/* index/db.json's modified time (as written, and parsed): 0 or -1. */
int		 vulndb_index_db_parse(const char *s, size_t n,
		    char modified[VULNDB_TIME_MAX], int64_t *ns, struct err *);
/* The three index files, checked together into ix (freed on error). */
int		 vulndb_index_parse(struct vulndb_index *ix,
		    const struct buf *db, const struct buf *vulns,
		    const struct buf *modules, struct err *);
/* The index of id in ix->v, or STRMAP_NONE. */
size_t		 vulndb_index_find(const struct vulndb_index *, const char *id);
/* Release what an index holds; it is left empty. */
void		 vulndb_index_free(struct vulndb_index *);
/* 0 when s[0..n) is entry vi of ix: one JSON object, its id, its
 * modified time, affecting every module the index lists it under. */
int		 vulndb_index_entry_check(const struct vulndb_index *ix, size_t vi,
		    const char *s, size_t n, struct err *);

/* vulndb_tree.c: ROOT/vulndb, a link to ROOT/.vulndb/gN, switched whole. */
struct vulndb_gen {
	char	root[VULNDB_PATH_MAX];	/* the storage root */
	char	dir[VULNDB_PATH_MAX];	/* the new generation; "" when none */
	char	prev[VULNDB_PATH_MAX];	/* the current one; "" when none */
	char	scratch[VULNDB_PATH_MAX]; /* ROOT/.vulndb/import.PID: the
					 * run's own scratch directory (not
					 * made here), removed by abort */
	long	no;			/* the new one's N */
	int	lockfd;			/* ROOT/.vulndb/lock, flocked */
	int	busy;			/* begin failed: another holds it */
};
/* The current generation's directory into out ("" when there is none). */
int		 vulndb_tree_current(const char *root, char *out, size_t outsz,
		    struct err *);
/* Remove a tree (links not followed): 0 or -1 and errno. */
int		 vulndb_tree_rm(const char *path);
/* Take the lock and make a new, empty generation. */
int		 vulndb_tree_begin(struct vulndb_gen *, const char *root,
		    struct err *);
/* A new file rel (clean, relative) of the new generation. */
int		 vulndb_tree_put(const struct vulndb_gen *, const char *rel,
		    const void *p, size_t n, struct err *);
/* rel hard-linked from the current generation (E_NOTFOUND: not there). */
int		 vulndb_tree_link(const struct vulndb_gen *, const char *rel,
		    struct err *);
/* rel removed from the new generation (not there: 0 too). */
int		 vulndb_tree_unlink(const struct vulndb_gen *, const char *rel,
		    struct err *);
/* Sync the file system, switch ROOT/vulndb to the new generation, remove
 * all but it and the one before, release the lock. */
int		 vulndb_tree_commit(struct vulndb_gen *, struct err *);
/* Remove the new generation (unless committed), release the lock. */
void		 vulndb_tree_abort(struct vulndb_gen *);

/* index.c: the sqlite index (WAL) in the state directory. */
struct index;
struct index_version {
	char	 module[MODPATH_MAX];	/* unescaped */
	char	 version[VERSION_MAX];
	char	 time[64];		/* RFC 3339 from .info, may be "" */
	int64_t	 stored;		/* when stored: ns since the epoch */
	int64_t	 zip_size;		/* -1 when no zip */
	char	 zip_h1[H1_MAX];	/* "" when unknown */
	char	 mod_h1[H1_MAX];
	char	 zip_sha256[SHA256_HEX];
	int	 has_info;
	int	 has_zip;
	char	 origin[64];		/* "reindex", "import", an upstream */
	int64_t	 id;			/* the row's id (index_since only) */
};
int		 index_open(struct index **, const char *state_dir,
		    struct err *);
/* The private checksum database's log kept apart, in dir/sumdb-log.sqlite
 * ([sumdb] log_dir, on storage several hosts share): a rollback journal
 * (no WAL shared memory), synchronous commits; only its sumdb tables are
 * used (index_log_*). */
int		 index_open_log(struct index **, const char *dir,
		    struct err *);
void		 index_close(struct index *);
/* 1 when two connections may be used by two threads at once (sqlite
 * built thread-safe), else 0. */
int		 index_threadsafe(void);
int		 index_begin(struct index *, struct err *);
int		 index_commit(struct index *, struct err *);
void		 index_rollback(struct index *);
/*
 * Writes that need not be made before the answer (a cache row):
 * fn(ix, arg, e) is run in index_flush's one write transaction, then
 * done(arg) (NULL: nothing) whatever came of it.  A full queue
 * (INDEX_LATER_MAX) is flushed first: the writes keep their order.
 * Returns 0.  index_flush runs the queue (the responder, once the answer
 * is out; index_close): 0, or -1 and e when the transaction failed (its
 * writes are dropped: they are caches, written again on the next need).
 * A failing fn is logged.
 */
typedef int	 index_later_fn(struct index *, void *arg, struct err *);
int		 index_later(struct index *, index_later_fn *, void *arg,
		    void (*done)(void *));
int		 index_flush(struct index *, struct err *);
int		 index_put(struct index *, const struct index_version *,
		    struct err *);
/* 1 found (filled), 0 not found, -1 error. */
int		 index_get(struct index *, const char *module,
		    const char *version, struct index_version *, struct err *);
/* Every version of module (unescaped); *out allocated, sorted by semver. */
int		 index_versions(struct index *, const char *module,
		    struct index_version **out, size_t *n, struct err *);
int		 index_delete_all(struct index *, struct err *);
/* Delete module@version's row: 1 deleted, 0 there was none, -1 error. */
int		 index_delete(struct index *, const char *module,
		    const char *version, struct err *);
/* Catalog page: rows with (module, version) > (after_mod, after_ver). */
int		 index_catalog(struct index *, const char *after_mod,
		    const char *after_ver, long limit,
		    struct index_version **out, size_t *n, struct err *);
/* /index page: rows stored at or after since (ns since the epoch). */
int		 index_since(struct index *, int64_t since, long limit,
		    struct index_version **out, size_t *n, struct err *);
/* A filter over rows (what one user may see): 1 keeps v. */
typedef int	 index_keep_fn(void *arg, const struct index_version *v);
/* index_catalog and index_since of the rows keep keeps (NULL: all): up
 * to limit of them, reading on past the rows skipped until limit are
 * kept or the rows end (never a short page while kept rows remain). */
int		 index_catalog_kept(struct index *, const char *after_mod,
		    const char *after_ver, long limit, index_keep_fn *keep,
		    void *arg, struct index_version **out, size_t *n,
		    struct err *);
int		 index_since_kept(struct index *, int64_t since, long limit,
		    index_keep_fn *keep, void *arg,
		    struct index_version **out, size_t *n, struct err *);
int		 index_ping(struct index *, struct err *);
/*
 * vulnview.c: the mirror of the Go vulnerability database in the storage
 * tree (ROOT/vulndb, the v1 API's layout; a symbolic link to a generation
 * may be switched atomically), read through an in-process cache keyed by
 * index/db.json's "modified": modules.json at each change, entries when
 * first asked about.  Malformed rows and entries are skipped, logged.
 */
#define VULNVIEW_MODIFIED_MAX	64	/* db.json's "modified" */
struct vulnview_module {
	char		**ids;
	size_t		  n;
};
struct vulnview {
	char		 *dir;		/* the generation read, or NULL */
	char		  modified[VULNVIEW_MODIFIED_MAX];
	struct strmap	  mods;		/* module -> index in mod[] */
	struct vulnview_module *mod;
	size_t		  nmod, capmod;
	struct strmap	  ents;		/* id -> index in ent[] */
	struct osv_entry **ent;		/* NULL: skipped as malformed */
	size_t		  nent, capent;
};
/* One entry that affects a module@version. */
struct vuln_match {
	char		  id[OSV_ID_MAX];
	char		**aliases;	/* naliases strings */
	size_t		  naliases;
	char		  fixed[VERSION_MAX];	/* "" when none is known */
	int64_t		  published;	/* ns since the epoch, 0 unknown */
};
void		 vulnview_init(struct vulnview *);
void		 vulnview_free(struct vulnview *);
/* Read root's mirror again if its db.json changed: 0 (current), 1 no
 * mirror, -1 and e (v keeps what it held). */
int		 vulnview_refresh(struct vulnview *, const char *root,
		    struct err *);
/*
 * The entries of root's mirror (refreshed first) that affect module@
 * version (canonical): 0 and *out (allocated, *n of them; free with
 * vulnview_matches_free), 1 when there is no mirror, -1 and e when it
 * cannot be read.
 */
int		 vulnview_check(struct vulnview *, const char *root,
		    const char *module, const char *version,
		    struct vuln_match **out, size_t *n, struct err *);
void		 vulnview_matches_free(struct vuln_match *, size_t n);
/* m for people appended to b: "GO-2024-0001 (CVE-2024-1, GHSA-x), fixed
 * in v1.2.4" (or ", no fixed version"); the log and piraeus audit. */
int		 vulnview_match_text(struct buf *b, const struct vuln_match *m,
		    struct err *e);
/* As vulnview_check, in the generation v holds (vulnview_refresh read
 * it): db.json is not read again, so a report is of one generation.
 * -1 and e (never empty) when nothing was read or an entry cannot be
 * read (its generation went away). */
int		 vulnview_match(struct vulnview *, const char *module,
		    const char *version, struct vuln_match **out, size_t *n,
		    struct err *);
/* db.json's "modified" of the generation held ("" when none). */
const char	*vulnview_modified_at(const struct vulnview *);
/* 1 when modules.json of the generation held lists module. */
int		 vulnview_listed(const struct vulnview *, const char *module);

/*
 * audit.c: piraeus audit: every stored version (the index's) an entry of
 * root's vulnerability database mirror lists as affected, its ids,
 * aliases and fixed versions, and the stored versions whose go.mod files
 * require it (directly, and through others), on out as text or JSON.
 * 0 when none is affected, 1 when some are, -1 and e (no mirror, an
 * unreadable mirror or index).
 */
int		 audit_run(const struct store *, struct index *,
		    const char *root, int json, FILE *out, struct err *);

/* The lock table (DESIGN 4); lock.c holds the policy. */
struct index_lock {
	long	 pid;
	char	 host[256];
	int64_t	 started;	/* unix seconds */
	int64_t	 expires;
};
/* 1 and *l filled when key is locked, 0 when not, -1 on error. */
int		 index_lock_get(struct index *, const char *key,
		    struct index_lock *, struct err *);
/* Insert or replace the row of key. */
int		 index_lock_put(struct index *, const char *key,
		    const struct index_lock *, struct err *);
/* Delete the row of key if it is still the one pid/host took at
 * started. */
int		 index_lock_delete(struct index *, const char *key, long pid,
		    const char *host, int64_t started, struct err *);
/* The upstream answer cache (list, @latest): body, status, when. */
struct index_cached {
	int	 status;	/* an enum errc: E_OK for an answer (cache.c) */
	int64_t	 fetched;	/* unix seconds */
	struct buf body;	/* allocated */
};
/* Whose answers get and put see from now on (upstream_scope's hash). */
void		 index_cache_scope(struct index *, const char *scope);
/* get: 1 and c filled, 0 when nothing is cached, -1 on error.  get and
 * put are of the scope set by index_cache_scope (the GOPROXY upstream);
 * get_in and put_in of the scope given (a checksum database's). */
int		 index_cache_get(struct index *, const char *key,
		    struct index_cached *, struct err *);
int		 index_cache_put(struct index *, const char *key, int status,
		    const char *body, size_t len, struct err *);
int		 index_cache_get_in(struct index *, const char *scope,
		    const char *key, struct index_cached *, struct err *);
int		 index_cache_put_in(struct index *, const char *scope,
		    const char *key, int status, const char *body, size_t len,
		    struct err *);
int64_t		 index_count(struct index *);
/* meta: small named values (a database's verified tree note).  get: 1
 * and out filled (initialised here), 0 when absent, -1 on error. */
int		 index_meta_get(struct index *, const char *key, struct buf *,
		    struct err *);
int		 index_meta_put(struct index *, const char *key,
		    const char *value, size_t len, struct err *);
/* The private checksum database's log (sumdb_log.c holds the policy). */
int64_t		 index_log_count(struct index *, struct err *);	/* -1: error */
/* 1 and *id when module@version has a record, 0 when not, -1 error. */
int		 index_log_find(struct index *, const char *module,
		    const char *version, int64_t *id, struct err *);
/* Record id's text into out (initialised here); 1, 0 absent, -1. */
int		 index_log_record(struct index *, int64_t id, struct buf *,
		    struct err *);
/* The stored hashes at idx[0..n); a missing one is E_INTERNAL. */
int		 index_log_hashes(struct index *, const int64_t *idx, size_t n,
		    unsigned char (*out)[32], struct err *);
/* Insert record id and its n stored hashes from first_idx on (inside a
 * transaction the caller holds). */
int		 index_log_add(struct index *, int64_t id, const char *module,
		    const char *version, const char *text, int64_t first_idx,
		    unsigned char (*hashes)[32], size_t n, struct err *);

/*
 * inventory.c: what storage holds (piraeus catalog, stats); reads only.
 * catalog: every indexed module with its versions, or MODULE's versions
 * (then 1 when none is indexed); 0, or -1 with e.
 */
/* Call fn on every index row in (module, version) byte order, a page at
 * a time (catalog, stats, piraeus audit).  Returns 0, or -1 with e set
 * (by the index or by fn). */
int		 inventory_rows(struct index *,
		    int (*fn)(void *, const struct index_version *, struct err *),
		    void *arg, struct err *e);
int		 inventory_catalog(struct index *, const char *module, int json,
		    FILE *out, struct err *);
struct inventory_stats {
	const struct store *store;	/* borrowed, during the walk */
	int64_t	 tree_modules;		/* with a complete version */
	int64_t	 tree_versions;		/* complete: .info present */
	int64_t	 incomplete;		/* .mod or .zip without .info */
	int64_t	 files[3], bytes[3];	/* by enum artifact */
	int64_t	 idx_modules, idx_versions, idx_zip_bytes;
	int64_t	 oldest, newest;	/* index "stored", ns; 0: none */
	int64_t	 index_bytes;		/* index.sqlite and its WAL */
	int64_t	 log_records;		/* private log; -1: none configured */
};
/* log: the private checksum database's log (the index, or [sumdb]
 * log_dir's), NULL when none is configured. */
int		 inventory_stats(const struct store *, struct index *,
		    const char *state_dir, struct index *log,
		    struct inventory_stats *, struct err *);
void		 inventory_stats_print(const struct inventory_stats *,
		    int json, FILE *);

/*
 * purge.c: one version out of storage: .info, .zip, .mod (each whole),
 * the index row, the directories left empty.  The private log is
 * append-only: a purged version's record stays (logged says so), and a
 * re-fetch is checked against it (sumdb_log_check).
 */
#define PURGE_QUARANTINE	".quarantine"	/* below the storage root */
struct purge_result {
	int	files;		/* files removed (or quarantined) */
	int	indexed;	/* 1: its index row was removed */
	int	logged;		/* 1: the private log keeps its record */
};
/* Remove module@version (unescaped) from the tree, or with quarantine
 * not NULL move its files to quarantine/<emod>/@v/, then from the index
 * (idx NULL: none).  Nothing there is no error (files 0). */
int		 purge_version(const struct store *, struct index *,
		    const char *module, const char *version,
		    const char *quarantine, struct purge_result *,
		    struct err *);
/* purge_locked's outcomes besides 0 (purged) and -1 (e set). */
#define PURGE_HELD	1	/* the version's lock is held: untouched */
#define PURGE_CHANGED	2	/* recheck said no: untouched */
/* Asked under the lock whether the version is still to go (1) or not. */
typedef int	 purge_recheck_fn(void *arg);
/* purge_version under the version's lock "v:<module>@<version>" (the
 * responder's publish lock; idx NULL: without), recheck (not NULL) asked
 * once the lock is taken. */
int		 purge_locked(const struct store *, struct index *,
		    long lock_expiry, const char *module, const char *version,
		    const char *quarantine, purge_recheck_fn *recheck,
		    void *arg, struct purge_result *, struct err *);
/* A new quarantine directory's path: root/.quarantine/<UTC time>-<pid>. */
int		 purge_quarantine_dir(const struct store *, char *out,
		    size_t outsz, struct err *);
/* The versions of module in the tree or the index, semver order; *out
 * allocated (each string too). */
int		 purge_versions(const struct store *, struct index *,
		    const char *module, char ***out, size_t *n, struct err *);

/* reindex.c: rebuild the index from the tree; import a module cache. */
struct reindex_stats {
	long	versions;	/* indexed */
	long	skipped;	/* invalid names or unreadable files */
	long	imported;	/* import: versions published */
	long	existing;	/* import: already present, identical */
};
int		 reindex_run(const struct store *, struct index *,
		    struct reindex_stats *, struct err *);
/* Add to the index the versions the tree holds and it lacks, and delete
 * the rows whose .info is gone, looking only at the modules whose @v
 * directory changed since the last catch-up (another host of a shared
 * storage root published or purged there), and the rows of modules whose
 * @v directory is gone; at most once every interval seconds (0: now).
 * 0, or -1 and e. */
int		 reindex_catch_up(const struct store *, struct index *,
		    long interval, struct err *);
/* A .info body must be a JSON object whose Version is version; its Time
 * (or "") goes to time. */
int		 reindex_check_info(const struct buf *, const char *version,
		    char *time, size_t timesz, struct err *);
/*
 * What a caller already knows of a version's zip, taken from the bytes
 * that were published (fields "" when unknown): reindex_describe uses them
 * when the stored zip has that size instead of reading the zip again.
 */
struct reindex_zip_known {
	char	 h1[H1_MAX];
	char	 sha256[SHA256_HEX];
	int64_t	 size;
};
/* Fill v (hashes, sizes, time) from the stored files of one version;
 * known (may be NULL) spares hashing the zip again. */
int		 reindex_describe(const struct store *, const char *emod,
		    const char *ever, const struct reindex_zip_known *known,
		    struct index_version *v, struct err *);

/* index.c: what storage holds, for /metrics and /status. */
struct index_stats {
	int64_t	 versions;	/* rows */
	int64_t	 modules;	/* distinct modules */
	int64_t	 zip_bytes;	/* the zips' sizes summed */
	int64_t	 locks;		/* unexpired locks: fetches in flight */
};
/* 0 and s filled, or -1 and e. */
int		 index_stats(struct index *, struct index_stats *s,
		    struct err *e);

/* pattern.c: GOPRIVATE/GONOPROXY/GONOSUMDB patterns (MatchPrefixPatterns). */
/* 1 when module matches one of the comma-separated glob patterns, else 0. */
int		 pattern_match(const char *patterns, const char *module);
/* pattern_match with ASCII letters folded to lower case on both sides:
 * matches whenever pattern_match does, and also across case (hosts are
 * case-insensitive).  For decisions that folding may only make stricter. */
int		 pattern_match_fold(const char *patterns, const char *module);
/* 0 when every pattern is well formed, else -1 with the reason in why. */
int		 pattern_check(const char *patterns, char *why, size_t whysz);
/* Go's path.Match of all of name: 1 match, 0 no match, -1 bad pattern. */
int		 pattern_glob(const char *pattern, const char *name);

/*
 * access.c: the [access] file: users (crypt(3) password hashes, SHA-256
 * digests of bearer tokens), groups, and rules naming who may fetch which
 * module patterns.  A module no rule covers is visible to everyone; one
 * that rules cover only to the users and groups they name.
 */
#define ACCESS_FILE_MAX		(1024 * 1024)	/* the whole file */
#define ACCESS_LINE_MAX		4096		/* one line */
struct access;
/* Read and check the file at path into *out (allocated; access_free).
 * Errors are E_CONFIG "path:line: reason".  Hashes are checked for their
 * form; with ACCESS_LOAD_VERIFY also hashed with (as a login costs: for
 * piraeus check-config). */
#define ACCESS_LOAD_VERIFY	0x1
int		 access_load(const char *path, int flags, struct access **out,
		    struct err *);
void		 access_free(struct access *);
/* The user whose password pass is (user's hash checked with crypt(3),
 * compared in constant time), or NULL. */
const char	*access_password(const struct access *, const char *user,
		    const char *pass);
/* The user one of whose tokens is token (SHA-256, constant time), or
 * NULL. */
const char	*access_token(const struct access *, const char *token);
/* 1 when module is visible to user (NULL: anonymous): no rule covers it,
 * or one that does names the user, a group of theirs, or "*" (any
 * authenticated user).  1 for a NULL access and an empty module. */
int		 access_visible(const struct access *, const char *user,
		    const char *module);
/* 1 when a rule covers module. */
int		 access_covered(const struct access *, const char *module);
/* The number of rules. */
size_t		 access_nrules(const struct access *);
/* The number of users with a password. */
size_t		 access_npasswords(const struct access *);
/* The user whose hashes access_password computes for user, a name without
 * a password here (the tests), or NULL. */
const char	*access_standin_name(const struct access *, const char *user);
/* 0 when hash is a crypt(3) hash of an accepted scheme ($y$, $2b$, $2y$,
 * $6$) of the right form that libcrypt hashes with, else -1 with why
 * (which never quotes more of hash than its scheme's prefix). */
int		 access_check_hash(const char *hash, char *why, size_t whysz);
/* filter.c: Athens' filter file (which modules and versions may be fetched). */
#define FILTER_FILE_MAX		(1024 * 1024)	/* the whole file */
#define FILTER_LINE_MAX		4096		/* one line */
#define FILTER_RULES_MAX	100000		/* rules with a path */
#define FILTER_QUALS_MAX	64		/* versions on one line */
enum filter_action {
	FILTER_DEFAULT = 0,	/* no rule (never returned) */
	FILTER_INCLUDE,		/* "+" */
	FILTER_EXCLUDE,		/* "-" */
	FILTER_DIRECT		/* "D" */
};
enum filter_op { FQ_PREFIX = 0, FQ_EXACT, FQ_TILDE, FQ_CARET, FQ_LOWER };
struct filter_qual {
	enum filter_op	 op;
	char		 num[3][21];	/* digit strings; n of them used */
	int		 n;
	const char	*exact;		/* FQ_EXACT: "v1.2.3[-pre]", in the
					 * rule's text; else NULL */
};
struct filter_rule {
	char			*path;	/* module path prefix, no outer "/" */
	enum filter_action	 action;
	struct filter_qual	*q;	/* nq qualifiers; none: every version */
	size_t			 nq;
	char			*text;	/* the exact versions, NUL-separated */
	int			 line;
};
struct filter_table {
	struct filter_rule	*v;
	size_t			 n;
	size_t			 cap;	/* of v */
	enum filter_action	 root;	/* the default rule */
	int			 root_line;	/* 0: built in (include) */
};
/* Parse data (len bytes, name for messages) into t: 0, or -1 and e
 * (E_CONFIG, "name:line: reason"); t is empty after a failure. */
int		 filter_parse(const char *name, const char *data, size_t len,
		    struct filter_table *t, struct err *e);
/* filter_parse of the regular file path (E_CONFIG naming it). */
int		 filter_load(const char *path, struct filter_table *t,
		    struct err *e);
/* The rule for module@version (version "" or NULL: only the rules
 * without qualifiers apply); *line (may be NULL) gets its line, 0 for
 * the built-in default. */
enum filter_action filter_decide(const struct filter_table *t,
		    const char *module, const char *version, int *line);
const char	*filter_action_name(enum filter_action);
const char	*filter_action_sign(enum filter_action);
void		 filter_free(struct filter_table *);

/* cache.c: answers kept for a while in the index cache. */
struct cache_key {
	struct index	*ix;		/* NULL: nothing is cached */
	const char	*scope;		/* NULL: the index's (the upstream's) */
	const char	*key;
	int		 memo;		/* 1: an answer also kept in this
					 * process's memory while fresh (one
					 * that never changes within its ttl:
					 * a checksum database's tile, its
					 * base) */
};
struct cache_entry {
	int		 have;		/* 1: a row was read (body allocated) */
	enum errc	 code;		/* E_OK: an answer, else a failure */
	struct buf	 body;		/* the answer, or the failure's text */
};
enum cache_state { CACHE_NONE = 0, CACHE_STALE, CACHE_FRESH };
/* What a caller wants of cache_settle. */
struct cache_policy {
	const char	*what;		/* for the log: "list:<module>" */
	int		 remember_notfound;	/* keep a 404/410 as E_NOTFOUND */
	int		 serve_stale;	/* an older answer when upstream fails */
	int		 later;		/* the row may be written after the
					 * answer (index_later): what the
					 * caller's next index_flush writes */
};
/* k's row into c: CACHE_FRESH for an answer younger than ttl (-1: for
 * ever) or a failure younger than neg_ttl, CACHE_STALE for an older one,
 * CACHE_NONE (c->have 0) for none; -1 and e set when the index fails. */
int		 cache_lookup(const struct cache_key *k, long ttl,
		    long neg_ttl, struct cache_entry *c, struct err *e);
void		 cache_entry_free(struct cache_entry *);
int		 cache_put(const struct cache_key *k, enum errc code,
		    const char *body, size_t len, struct err *e);
/* c's remembered failure as e (its text, or dflt); returns -1. */
int		 cache_failure(const struct cache_entry *c, const char *dflt,
		    struct err *e);
/* After a fetch of k that returned rc (up, or ue): 0 and body set to up
 * (stored) or, when upstream failed other than "not found" and p allows
 * it, to c's stale answer (*stale set when stale is not NULL); else -1
 * and e set to ue ("not found" stored when p says so).  c is consumed. */
int		 cache_settle(const struct cache_key *k, struct cache_entry *c,
		    const struct cache_policy *p, int rc, struct buf *up,
		    const struct err *ue, struct buf *body, int *stale,
		    struct err *e);

/* upstream.c: a GOPROXY list ("https://a,https://b|direct"). */
enum upstream_kind { UPSTREAM_PROXY = 0, UPSTREAM_DIRECT, UPSTREAM_OFF };
enum upstream_fall {
	FALL_NOTFOUND = 0,	/* "," after it: next entry on 404/410 only */
	FALL_ANY		/* "|" after it: next entry on any error */
};
struct upstream {
	enum upstream_kind	 kind;
	char			*url;	/* proxies: no trailing "/" */
	enum upstream_fall	 fall;
};
struct upstream_list {
	struct upstream	*v;
	size_t		 n;
};
/* Parse as the go command does (protocol.md 3.1); "" is an error. */
int		 upstream_parse(const char *, struct upstream_list *,
		    struct err *);
void		 upstream_free(struct upstream_list *);
/* The identity of a parsed list, for the answers cached from it: the
 * SHA-256 (hex) of its normalised form, credentials included. */
void		 upstream_scope(const struct upstream_list *,
		    char out[SHA256_HEX]);
/* url with a password replaced by "xxxxx" (as Go's URL.Redacted), for logs;
 * for redis://, rediss:// and sentinel:// the whole user info. */
void		 upstream_redact(const char *url, char *out, size_t outsz);
/* text with the password of every "scheme://user:password@" in it hidden. */
void		 upstream_redact_text(const char *text, char *out, size_t outsz);
/* 1 when the go command goes on past u after it failed with e: on "not
 * found" (E_NOTFOUND, E_GONE) always, on anything else only after "|". */
int		 upstream_falls(const struct upstream *u, const struct err *e);
/* One entry's attempt in upstream_walk: 0 when it answered, else -1 and
 * e set, or UPSTREAM_TRY_LAST and e set when no later entry may be tried
 * whatever the separator.  u is a proxy or "direct" (never "off"). */
#define UPSTREAM_TRY_LAST	(-2)
typedef int	 upstream_try_fn(void *arg, const struct upstream *u,
		    struct err *e);
/* How upstream_walk ended. */
enum upstream_walked {
	WALK_ANSWERED = 0,	/* an entry answered */
	WALK_FAILED,		/* an entry failed and the walk stopped
				 * there (or the list ended): e is its error */
	WALK_OFF		/* "off" reached: e is the last entry's
				 * error, or clear when none was tried */
};
/* Try l's entries in turn as the go command walks GOPROXY (upstream_falls
 * says when the next is tried; "direct" is the last one tried, "off"
 * stops the walk), or only "direct" when direct_only (a private module).
 * e is cleared first and before each try. */
enum upstream_walked upstream_walk(const struct upstream_list *l,
		    int direct_only, upstream_try_fn *try, void *arg,
		    struct err *e);

/*
 * Percent-encode src for one URL path element into dst as the go command
 * does (modfetch pathEscape, url.PathEscape): every byte but letters,
 * digits and "-._~$&+:=@" (so "!" of an escaped capital is "%21", and
 * "/", "?", "#", "%", ",", ";", spaces and non-ASCII never reach an
 * upstream URL raw).  0, or -1 when it does not fit.
 */
int		 upstream_path_escape(const char *src, char *dst, size_t dstsz);

/* mode.c: download modes, globally or per module (Athens' DownloadMode). */
enum dl_mode { DL_SYNC = 0, DL_ASYNC, DL_NONE, DL_REDIRECT,
    DL_ASYNC_REDIRECT };
struct mode_rule {
	char		*pattern;	/* GOPRIVATE-style */
	enum dl_mode	 mode;
	char		*url;		/* redirect modes: the target base URL */
};
struct mode_table {
	enum dl_mode	  def;
	char		 *def_url;
	struct mode_rule *rules;	/* first match wins */
	size_t		  n;
};
/*
 * spec is a mode name ("sync"), "file:PATH" (Athens' HCL file) or
 * "custom:BASE64" (the same text, base64).  Errors name the line.
 */
int		 mode_load(const char *spec, struct mode_table *, struct err *);
enum dl_mode	 mode_for(const struct mode_table *, const char *module,
		    const char **url);
void		 mode_free(struct mode_table *);
const char	*mode_name(enum dl_mode);

/* packrule.c: which files of a tree go into a module zip (CreateFromDir). */
/* 1 when a directory of this base name is a VCS's (.bzr .git .hg .svn). */
int		 packrule_vcs_dir(const char *base);
/* isVendoredPackage: 1 when the slash path p is left out as vendored;
 * go124: the root go.mod's go line is 1.24 or later. */
int		 packrule_vendored(const char *p, int go124);
/* 1 when base folds to "go.mod" (a file that makes its directory a
 * module of its own). */
int		 packrule_gomod_name(const char *base);
/* The module line's path of a go.mod body into out: 0, or -1. */
int		 packrule_gomod_module(const char *data, size_t len, char *out,
		    size_t outsz);
/* 1 when the go.mod body's go line is 1.24 or later, else 0. */
int		 packrule_go124(const char *data, size_t len);

/* zipend.c: where Go's archive/zip finds a zip's central directory. */
struct zipend {
	uint64_t	 count;		/* entries the end record says */
	uint64_t	 size;		/* of the central directory */
	uint64_t	 offset;	/* of the directory, as recorded */
	int64_t		 base;		/* bytes before the zip (Go's
					   baseOffset; may be negative) */
};
/*
 * Find the end record of the zip open at fd (size bytes) as go 1.19 and
 * go 1.26 do, refusing what either refuses: 0, or -1 with E_UPSTREAM
 * (malformed) or E_INTERNAL (a read failed).
 */
int		 zipend_find(int fd, uint64_t size, struct zipend *,
		    struct err *);

/* zipread.c: a zip's directory and entries read as Go's archive/zip does. */
#define ZIPREAD_ENTRIES_MAX	500000	/* entries in one zip */
/* One central directory record as Go's readDirectoryHeader takes it. */
struct zipread_ent {
	char		*name;		/* the raw bytes, NUL added (a NUL
					   inside: strlen < name_len) */
	size_t		 name_len;
	uint16_t	 flags;		/* general purpose bits */
	uint16_t	 method;
	uint32_t	 crc;
	uint64_t	 csize;		/* zip64 applied */
	uint64_t	 usize;		/* zip64 applied */
	int64_t		 offset;	/* of the local header, base added
					   as Go adds it (int64 wrap) */
};
/* A zip open as Go reads it: the directory walked, the fd borrowed. */
struct zipread {
	int		 fd;
	uint64_t	 size;		/* of the file */
	struct zipend	 end;
	int64_t		 base;		/* the base both go commands take */
	struct zipread_ent *ents;	/* in central directory order */
	size_t		 n;
	unsigned char	*win;		/* a window of the file, cached */
	uint64_t	 win_off;
	size_t		 win_len;
	struct zipread_rd *rd;		/* zipread_data's buffers, kept for
					 * the next entry */
};
/*
 * Walk the central directory of the zip open at fd (size bytes, at most
 * ZIP_MAX) as both go commands do.  A zip they read apart (a directory
 * at two places, records beyond the count) or that either refuses is
 * E_UPSTREAM; a read error E_INTERNAL.  zipread_close frees it either way.
 */
int		 zipread_open(struct zipread *, int fd, uint64_t size,
		    struct err *);
void		 zipread_close(struct zipread *);
/* Where zipread_data puts an entry's content: 0, or -1 and e set. */
typedef int	 zipread_sink(void *arg, const unsigned char *p, size_t n,
		    struct err *);
/*
 * The content of entry i as Go's File.Open and a read to its end give it
 * (the local header's lengths skipped; Store, or raw Deflate; at most the
 * declared size; the size, the data descriptor and the CRC-32 compared at
 * the end as checksumReader does; a directory entry read as go 1.19 reads
 * it and empty as go 1.26 wants it), in pieces to sink: 0, or -1 with
 * E_UPSTREAM (the zip's fault), E_INTERNAL, or the sink's error.
 */
int		 zipread_data(struct zipread *, size_t i, zipread_sink *,
		    void *arg, struct err *);

/* zipcheck.c: the zip rules of protocol.md 4.2, before anything is stored. */
/*
 * Check the zip at zippath for module@version (prefix, clean names,
 * CheckFilePath, case-fold collisions, go.mod placement, Store/Deflate
 * only, sizes within the caps while reading) and compute its h1 into
 * h1.  Violations are E_UPSTREAM with the rule in the message.
 */
int		 zipcheck(const char *zippath, const char *module,
		    const char *version, char h1[H1_MAX], struct err *);

/* fetch.c / fetch_proxy.c / fetch_direct.c: getting a version upstream. */
struct fetched {
	char	 version[VERSION_MAX];	/* resolved, canonical */
	char	*info;			/* temporary files in the store's */
	char	*mod;			/* .tmp; NULL when not fetched */
	char	*zip;
	char	 zip_sha256[SHA256_HEX];	/* of zip's bytes, "" unknown */
	struct buf lookup;		/* the checksum database's lookup,
					 * fetched beside, when lookup_ok */
	int	 lookup_ok;
};
/* Unlink what is still in .tmp and free the names. */
void		 fetched_free(struct fetched *);
/*
 * Direct mode: "go mod download -json module@query" with the persistent
 * module cache of the state directory; the results are copied into
 * temporary files of the store.  The go process group is killed at the
 * timeout.  E_NOTFOUND when go says the version does not exist.
 */
int		 fetch_direct(const struct config *, const struct store *,
		    const char *module, const char *query, struct fetched *,
		    struct err *);
/*
 * GET url into a new temporary file of the store, at most cap bytes; with
 * sha256 not NULL, the SHA-256 of the file's bytes, taken as they came.
 */
int		 fetch_proxy_file(const struct config *, const struct store *,
		    const char *url, long long cap, char **tmp,
		    char sha256[SHA256_HEX], struct err *);
/*
 * fetch_proxy_batch: several GETs at once (libcurl's multi interface, on
 * connections kept between batches), each into a new temporary file of
 * the store (its SHA-256 taken as the bytes come when want_sha256) or,
 * with to_buf, into buf.  Each item is retried on its own like
 * fetch_proxy_file's transfers; the first to fail for good abandons the
 * others.  An optional item (a checksum database lookup beside a zip)
 * fails alone: its err is set and it holds nothing.  0 when every item
 * that is not optional succeeded: the caller owns each tmp (unlink and
 * free it) and buf (buf_free) of an item whose err is E_OK.  Else -1 with
 * e the error of the first failed item in the order given (neither
 * abandoned nor optional), each item's err set, and nothing left: no
 * temporary file, no buffer.
 */
#define FETCH_BATCH_MAX	8
struct fetch_item {
	const char	*url;		/* in */
	long long	 cap;		/* in: the most bytes accepted */
	int		 to_buf;	/* in: into buf, not a temporary file */
	int		 want_sha256;	/* in: a file's SHA-256 */
	int		 optional;	/* in: its failure is its own (err),
					   the batch goes on without it */
	char		*tmp;		/* out: the temporary file */
	char		 sha256[SHA256_HEX];	/* out, with want_sha256 */
	struct buf	 buf;		/* out, with to_buf */
	struct err	 err;		/* out: E_OK, or why this item failed */
	int		 abandoned;	/* out: stopped as another failed */
};
int		 fetch_proxy_batch(const struct config *, const struct store *,
		    struct fetch_item *, size_t n, struct err *);
/* GET url into b (initialised here with cap). */
int		 fetch_proxy_buf(const struct config *, const char *url,
		    size_t cap, struct buf *b, struct err *);
/* libcurl's global set-up, once per process. */
void		 fetch_proxy_init(void);
/* validator.c: the validator hook, asked before a version is fetched. */
#define VALIDATOR_MSG_MAX	160	/* bytes of a hook's reason shown */
/* POST {"Module":module,"Version":version} to url: 0 when it answers
 * 200; E_FORBIDDEN with its (sanitised) answer on 403; E_UPSTREAM on any
 * other status, a transport error or after timeout seconds. */
int		 validator_check(const char *url, long timeout,
		    const char *ca_file, const char *module,
		    const char *version, struct err *e);
/* body (len bytes) as a one-line reason into out: printable ASCII, runs
 * of blanks as one space, the rest "?", cut to outsz - 1 bytes. */
void		 validator_message(const char *body, size_t len, char *out,
		    size_t outsz);
/* Direct list: tagged versions (retracted included) into *out (free). */
int		 fetch_direct_list(const struct config *, const char *module,
		    char ***out, size_t *n, struct err *);
/*
 * Run bin (a path) with argv and envp (NULL-terminated, nothing else of
 * ours) in dir, stdin /dev/null, in its own session and process group,
 * killed with its group after timeout seconds (E_TIMEOUT).  stdout and
 * stderr go into out and errout (initialised by the caller: their max is
 * the cap; replaced here, free them), *status is the waitpid status (-1
 * unknown).  0 when it ran to its end (any status), else -1 and e.
 */
int		 fetch_direct_run(const char *bin, char *const argv[],
		    char *const envp[], const char *dir, long timeout,
		    struct buf *out, struct buf *errout, int *status,
		    struct err *);

/*
 * vcsauth.c: [policy] private_access = vcs, the identity pass-through of
 * private modules: the credentials a request carries must read the
 * module's repository, asked of the VCS itself (git ls-remote), the
 * verdict kept in the index cache for private_access_ttl seconds per
 * (user, hash of the secret, repository).
 */
#define VCSAUTH_URL_MAX		2048	/* a repository URL */
/*
 * The repository of module as the go command finds it without asking the
 * network (cmd/go/internal/vcs vcsPaths): github.com/O/R and
 * bitbucket.org/O/R (https://host/O/R, no VCS suffix on R), or a path
 * element ending in ".git" (https://<path up to that element, without
 * ".git">).  0 and url set, or -1 with e: E_UNAVAIL when no rule gives a
 * git repository (a "?go-get=1" lookup is not made).
 */
int		 vcsauth_repo_url(const char *module, char *url, size_t urlsz,
		    struct err *);
/* The cache key of a verdict: "vcsauth:" + hex HMAC-SHA256 under hkey
 * (vcsauth_hmac_key) over user, SHA-256(secret) and url, each
 * length-prefixed (no two tuples share a key); the secret itself is never
 * stored, and the index alone cannot be used to guess it. */
#define VCSAUTH_KEY_MAX		(8 + SHA256_HEX)
#define VCSAUTH_HMAC_KEY_LEN	32
void		 vcsauth_key(const unsigned char *hkey, const char *user,
		    const char *secret, const char *url,
		    char out[VCSAUTH_KEY_MAX]);
/* The HMAC key of state_dir's verdicts into key (VCSAUTH_HMAC_KEY_LEN
 * bytes): state_dir/vcsauth/key, made 0600 with random bytes on first
 * use, read once per process.  0, or -1 and e. */
int		 vcsauth_hmac_key(const char *state_dir, unsigned char *key,
		    struct err *);
/* 0 when user and secret may be presented to a VCS: lengths within
 * IDENTITY_NAME_MAX / IDENTITY_SECRET_MAX, no control bytes, a user not
 * empty; else -1. */
int		 vcsauth_check_identity(const char *user, const char *secret);
struct identity;
struct vcsauth_env {
	const struct config	*cfg;
	struct index		*idx;		/* the verdict cache; NULL none */
	int			 offline;	/* cached verdicts only */
};
/*
 * May who read module?  0: yes.  Else -1 and e: E_UNAUTHORIZED without Basic
 * credentials, E_NOTFOUND when they cannot read the repository (or are
 * unusable), E_UPSTREAM when the VCS cannot be asked (never a grant),
 * E_UNAVAIL when the repository cannot be found.
 */
int		 vcsauth_check(const struct vcsauth_env *, const char *module,
		    const struct identity *who, struct err *);

/* note.c: signed notes (golang.org/x/mod/sumdb/note), Ed25519 by OpenSSL. */
#define NOTE_MAX	(1024 * 1024)	/* a whole signed note */
#define NOTE_NAME_MAX	256		/* a key's name */
#define NOTE_SIGS_MAX	100		/* signature lines accepted */
struct note_verifier {
	char		 name[NOTE_NAME_MAX];
	uint32_t	 hash;		/* key hash: first 4 bytes, big-endian */
	unsigned char	 pub[32];	/* Ed25519 public key */
};
struct note_signer {
	char		 name[NOTE_NAME_MAX];
	uint32_t	 hash;
	unsigned char	 seed[32];	/* Ed25519 private key (seed) */
};
/* "<name>+<hash8hex>+<base64(0x01 || pub)>"; E_CONFIG when malformed or
 * when the hash does not match the name and key. */
int		 note_verifier_parse(const char *vkey, struct note_verifier *,
		    struct err *);
/* "PRIVATE+KEY+<name>+<hash8hex>+<base64(0x01 || seed)>"; E_CONFIG. */
int		 note_signer_parse(const char *skey, struct note_signer *,
		    struct err *);
/* The verifier key string of a signer into out (allocated). */
int		 note_signer_verifier(const struct note_signer *, char **out,
		    struct err *);
/*
 * Open a signed note: valid UTF-8 without control bytes but "\n", split
 * at the last "\n\n", at most NOTE_SIGS_MAX signature lines; signatures
 * of unknown keys are ignored, a known key with a bad signature is an
 * error, and at least one of the nv verifiers must have signed.  On
 * success *textlen is the length of the text (through its final "\n").
 * Failures are E_UPSTREAM with the reason.
 */
int		 note_open(const char *msg, size_t len,
		    const struct note_verifier *v, size_t nv, size_t *textlen,
		    struct err *);
/* Sign text (ends in "\n", no blank line) into out: the whole note, text
 * + "\n" + one signature line (out initialised here). */
int		 note_sign(const char *text, size_t len,
		    const struct note_signer *, struct buf *out, struct err *);
/* A new Ed25519 key pair named name; *skey and *vkey allocated. */
int		 note_keygen(const char *name, char **skey, char **vkey,
		    struct err *);
/* Standard padded base64 (Go's StdEncoding).  decode: 0, or -1 when
 * malformed or longer than outsz; *outlen set. */
void		 note_b64_encode(const unsigned char *, size_t, char *out,
		    size_t outsz);
int		 note_b64_decode(const char *, size_t, unsigned char *out,
		    size_t outsz, size_t *outlen);

/* tlog.c: the checksum database's Merkle tree (golang.org/x/mod/sumdb/tlog). */
#define TLOG_HASH	32
#define TLOG_TILE_H	8		/* the tile height the go command uses */
#define TLOG_PROOF_MAX	128		/* hashes in a record or tree proof */
struct tlog_hash {
	unsigned char	 b[TLOG_HASH];
};
struct tlog_proof {
	struct tlog_hash h[TLOG_PROOF_MAX];
	size_t		 n;
};
struct tlog_tile {
	int		 h;		/* height, 1..30 */
	int		 l;		/* level; -1 for a data tile */
	int64_t		 n;		/* index at that level */
	int		 w;		/* width, 1..2^h (2^h: full) */
};
/* SHA-256(0x00 || data) / SHA-256(0x01 || l || r). */
void		 tlog_record_hash(const void *data, size_t len,
		    struct tlog_hash *out);
void		 tlog_node_hash(const struct tlog_hash *l,
		    const struct tlog_hash *r, struct tlog_hash *out);
/* The dense numbering of stored hashes (StoredHashIndex and its inverse). */
int64_t		 tlog_stored_hash_index(int level, int64_t n);
void		 tlog_split_stored_hash_index(int64_t index, int *level,
		    int64_t *n);
/* How many stored hashes a tree of n records has (StoredHashCount). */
int64_t		 tlog_stored_hash_count(int64_t n);
/*
 * Read the stored hashes at indexes[0..n) into out[0..n).  The indexes
 * may come in any order.  0, or -1 with e set.
 */
typedef int	 tlog_read_fn(void *arg, const int64_t *indexes, size_t n,
		    struct tlog_hash *out, struct err *e);
/*
 * The stored hashes to append after record n (whose leaf hash is leaf)
 * to a log of n records (StoredHashesForRecordHash): out[0] is leaf,
 * then the interior hashes it completes; *nout of them (at most 64).
 */
int		 tlog_stored_hashes(int64_t n, const struct tlog_hash *leaf,
		    tlog_read_fn *, void *, struct tlog_hash out[64],
		    size_t *nout, struct err *);
/* The root of the tree of the first n records (TreeHash). */
int		 tlog_tree_hash(int64_t n, tlog_read_fn *, void *,
		    struct tlog_hash *out, struct err *);
/* RFC 6962 inclusion of record n in tree t (ProveRecord / CheckRecord);
 * check returns 0 when the proof shows leaf hash h is record n of the
 * tree of size t with root th, else -1. */
int		 tlog_prove_record(int64_t t, int64_t n, tlog_read_fn *,
		    void *, struct tlog_proof *, struct err *);
int		 tlog_check_record(const struct tlog_proof *, int64_t t,
		    const struct tlog_hash *th, int64_t n,
		    const struct tlog_hash *h);
/* RFC 6962 consistency of tree n (root h) with tree t (root th), n <= t
 * (ProveTree / CheckTree). */
int		 tlog_prove_tree(int64_t t, int64_t n, tlog_read_fn *, void *,
		    struct tlog_proof *, struct err *);
int		 tlog_check_tree(const struct tlog_proof *, int64_t t,
		    const struct tlog_hash *th, int64_t n,
		    const struct tlog_hash *h);
/* "tile/H/L/NNN[.p/W]" (L "data" when l == -1) into out; -1 if too small. */
int		 tlog_tile_path(const struct tlog_tile *, char *out,
		    size_t outsz);
/* Parse exactly the canonical path tlog_tile_path writes; -1 otherwise. */
int		 tlog_tile_parse(const char *path, struct tlog_tile *);
/*
 * The tile of height h that a tree of size tree_size serves for stored
 * hash index: full when complete in that tree, else partial with the
 * tree's width.  -1 when index is not part of that tree.
 */
int		 tlog_tile_in_tree(int h, int64_t index, int64_t tree_size,
		    struct tlog_tile *);
/* The hash at stored index from the data (t->w * 32 bytes) of tile t
 * (HashFromTile); -1 when index is not in t or the data is short. */
int		 tlog_hash_from_tile(const struct tlog_tile *,
		    const unsigned char *data, size_t len, int64_t index,
		    struct tlog_hash *);
/* "go.sum database tree\n<n>\n<base64 root>\n" (extra lines ignored on
 * parse; -1 when malformed). */
int		 tlog_tree_format(int64_t n, const struct tlog_hash *,
		    char *out, size_t outsz);
int		 tlog_tree_parse(const char *text, size_t len, int64_t *n,
		    struct tlog_hash *);

/* sumdb.c: the checksum databases: which, and their keys. */
#define SUMDB_DEFAULT_KEY \
	"sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
#define SUMDB_MAX	16		/* databases configured */
#define SUMDB_URL_MAX	1024
struct sumdb {
	struct note_verifier key;	/* key.name is the database name */
	char		 url[SUMDB_URL_MAX];	/* upstream, no "/" at the end */
	char		 scope[SHA256_HEX];	/* its answers in the cache */
};
struct sumdb_list {
	struct sumdb	*v;
	size_t		 n;
};
/* "<vkey> <url>" entries separated by ";" (blank: none); E_CONFIG. */
int		 sumdb_parse(const char *spec, struct sumdb_list *,
		    struct err *);
void		 sumdb_free(struct sumdb_list *);
const struct sumdb *sumdb_find(const struct sumdb_list *, const char *name);
/*
 * The database a path below /sumdb/ names: the one whose name, followed
 * by "/", is the longest prefix of path (names may hold "/").  The
 * private database (private_name, NULL when none) takes part too: then
 * *private is 1 and NULL is returned.  *len is the name's length, 0 (and
 * NULL) when no name matches.
 */
const struct sumdb *sumdb_match(const struct sumdb_list *,
		    const char *private_name, const char *path, size_t *len,
		    int *private);
/*
 * sumdb_base.c: the go command's choice of where a database is read
 * (dbClient.initBase over TryProxies).  probe asks one proxy URL for
 * <url>/sumdb/<name>/supported: 0 on 200, else -1 with e (E_NOTFOUND or
 * E_GONE: "not found").  sumdb_base_choose returns the index in up of the
 * proxy to use, SUMDB_BASE_DIRECT for the database's own URL, or
 * SUMDB_BASE_FAILED with e set (a proxy failed, no later one answered).
 */
#define SUMDB_BASE_DIRECT	(-1)
#define SUMDB_BASE_FAILED	(-2)
typedef int	 (*sumdb_probe_fn)(void *arg, const char *url, struct err *);
int		 sumdb_base_choose(const struct upstream_list *up,
		    const char *name, sumdb_probe_fn probe, void *arg,
		    struct err *);
/* Read a signer key (PRIVATE+KEY+...) from a file; E_CONFIG. */
int		 sumdb_load_signer(const char *path, struct note_signer *,
		    struct err *);

/*
 * sumdb.c, sumdb_base.c: reading a public database, through the cache.
 * What a read needs: the config (timeouts, TTLs, via_proxy), the index
 * (its cache, the last verified trees; NULL: none), the upstream proxies
 * (which may serve it), and the policy's word on the network.
 */
struct sumdb_ctx {
	const struct config	   *cfg;
	struct index		   *idx;
	const struct upstream_list *up;
	const struct sumdb_list	   *dbs;
	int			    offline;	/* cached answers only */
	int			    fallback;	/* stale answers on failure */
};
/*
 * GET path ("lookup/<emod>@<ever>", "latest", a tile path) of db into
 * body (allocated): from the cache while fresh, else upstream.
 * E_NOTFOUND/E_GONE carry upstream's line; E_UPSTREAM, E_TIMEOUT.
 */
int		 sumdb_get(const struct sumdb_ctx *, const struct sumdb *,
		    const char *path, struct buf *body, struct err *);
/*
 * Verify the hashes of module@version (mod_h1 and/or zip_h1, NULL when
 * not fetched) against the first database: record, signed tree,
 * inclusion, consistency with the last verified tree.  E_UPSTREAM
 * (mismatch, bad proof, no record), E_TIMEOUT...
 */
int		 sumdb_verify(const struct sumdb_ctx *, const char *module,
		    const char *version, const char *mod_h1,
		    const char *zip_h1, struct err *);
/* sumdb_verify with the lookup's answer already fetched (lookup, when not
 * NULL: what upstream answered sumdb_lookup_url), cached as if fetched. */
int		 sumdb_verify_with(const struct sumdb_ctx *, const char *module,
		    const char *version, const char *mod_h1,
		    const char *zip_h1, const struct buf *lookup, struct err *);
/* 1 and url set when verifying module@version would fetch its lookup
 * (nothing fresh cached) from a base known without asking anyone: the
 * URL to fetch beside the version's files.  0 otherwise. */
int		 sumdb_lookup_url(const struct sumdb_ctx *, const char *module,
		    const char *version, char *url, size_t urlsz);
/*
 * The base URL of db's lookups, tiles and latest, no "/" at the end: the
 * first [upstream] goproxy proxy whose /sumdb/<name>/supported is 200,
 * else db's URL (sumdb_base_choose); db's URL alone with [sumdb]
 * via_proxy = no.  Cached in the index for list_ttl; a failure is not.
 */
#define SUMDB_BASE_MAX	(2 * SUMDB_URL_MAX + NOTE_NAME_MAX + 16)
int		 sumdb_base(const struct sumdb_ctx *, const struct sumdb *db,
		    char *out, size_t outsz, struct err *);
/* sumdb_base when it is known without asking anyone (via_proxy = no, or
 * the choice cached): 0, else -1 and out untouched. */
int		 sumdb_base_cached_url(const struct sumdb_ctx *,
		    const struct sumdb *db, char *out, size_t outsz);

/* sumdb_log.c: the private checksum database (a log in the index). */
/* Append the record of module@version (an existing one is kept). */
int		 sumdb_log_add(struct index *, const struct note_signer *,
		    const char *module, const char *version,
		    const char *zip_h1, const char *mod_h1, struct err *);
/* The answer to path (latest, lookup/..., a tile) into out (allocated);
 * module and version are the lookup's, unescaped.  A lookup of a version
 * without a record is E_NOTFOUND. */
int		 sumdb_log_answer(struct index *, const struct note_signer *,
		    const char *path, const char *module, const char *version,
		    struct buf *out, struct err *);
/* 1 when path is not a data tile of the log, or is one beyond it, or
 * user (NULL: anonymous) may see the module of every record in it
 * (access_visible); 0 when one is hidden from user; -1 and e on error. */
int		 sumdb_log_tile_visible(struct index *, const char *path,
		    const struct access *, const char *user, struct err *);
/* 0 when module@version has no record, or one with these hashes (one
 * may be NULL or "": not compared); else -1 and e (E_UPSTREAM: it differs;
 * a purged version comes back only as it was logged). */
int		 sumdb_log_check(struct index *, const char *module,
		    const char *version, const char *zip_h1,
		    const char *mod_h1, struct err *);
/* 1 when module@version has a record, 0 when not, -1 on error. */
int		 sumdb_log_has(struct index *, const char *module,
		    const char *version, struct err *);

/* lock.c: singleflight across processes over the index's lock table,
 * or across hosts over redis (lock_redis.c), chosen by lock_setup. */
#define LOCK_KEY_MAX	(MODPATH_MAX + VERSION_MAX + 32)
enum lock_state { LOCK_OWNER = 0, LOCK_HELD };
enum lock_backend { LOCK_BACKEND_SQLITE = 0, LOCK_BACKEND_REDIS };
enum lock_on_down { LOCK_DOWN_FAIL = 0, LOCK_DOWN_LOCAL };
/* [singleflight]: the configuration's values (borrowed). */
struct lock_opts {
	enum lock_backend	 backend;
	const char		*redis;		/* lock_redis_parse's forms */
	const char		*prefix;	/* of every redis name */
	enum lock_on_down	 on_down;	/* redis unreachable: 503, or
						 * this host's sqlite locks */
	const char		*tls_ca;	/* rediss://: redis_tls_ca, */
	const char		*tls_cert;	/* redis_tls_cert and */
	const char		*tls_key;	/* redis_tls_key, or NULL */
};
/*
 * Choose the backend of every later lock_try of this process.  Connects
 * to nothing (the first lock does).  0, or -1 and e (E_CONFIG: the redis
 * address does not parse).  Without a call, the sqlite backend.
 */
int		 lock_setup(const struct lock_opts *, struct err *);
/* 1 when locks are taken across hosts (redis), 0 for this host's. */
int		 lock_distributed(void);
/*
 * Try to take key: LOCK_OWNER when this process now holds it (also when
 * it took over an expired lock or one whose holder on this host died),
 * LOCK_HELD when a live holder has it.  -1 on error.
 */
int		 lock_try(struct index *, const char *key, long expiry,
		    struct err *);
/*
 * lock_try for a key whose holder must hold it alone across hosts (the
 * private checksum log's writer): with redis, redis down is -1 and e
 * whatever on_redis_down says (never this host's sqlite lock), and a
 * lease gone from redis is not taken again by a renewal.
 */
int		 lock_try_strict(struct index *, const char *key, long expiry,
		    struct err *);
/*
 * The outcome of a fetch, left by its owner for the waiters of every
 * host (with redis; nothing otherwise): lock_note, before the release,
 * keeps code and msg under key for ttl seconds; lock_note_get says 1
 * and when (at), code and msg, or 0 when there is none.
 */
#define LOCK_NOTE_MAX	ERR_MSG_MAX
void		 lock_note(const char *key, int code, const char *msg,
		    long ttl);
int		 lock_note_get(const char *key, time_t *at, int *code,
		    char *msg, size_t msgsz);
/*
 * lock_try on this host's sqlite lock table whatever the backend: for
 * work whose result stays in this host's index (cached lists, @latest),
 * where a waiter on another host would find nothing when woken.  Its
 * waiters poll (lock_backoff), never lock_wait.
 */
int		 lock_try_local(struct index *, const char *key, long expiry,
		    struct err *);
/*
 * Renew key, held by this process, now (owner-checked), before work that
 * must be done under it: 0 still held and its lease whole again; -1 and e
 * when it was lost (forgotten: do not release it) or could not be asked.
 */
int		 lock_hold(struct index *, const char *key, struct err *);
void		 lock_release(struct index *, const char *key);
/* lock_release's two halves, for a lock another thread of this process
 * drops: lock_disown stops renewing key (the heartbeat forgets it) and
 * returns the start of its row (-1 when this process does not hold it);
 * lock_drop deletes the row if it is still that one (this process, that
 * start: not a row the process took again after this one expired). */
int64_t		 lock_disown(struct index *, const char *key);
void		 lock_drop(struct index *, const char *key, int64_t started);
/* 1 when this process holds key on ix in the sqlite lock table (so
 * lock_disown + lock_drop may release it from another thread); 0 for a
 * redis lease or a key not held. */
int		 lock_local(const struct index *, const char *key);
/*
 * Keep the locks this process holds: renew each when a third of its
 * expiry has passed.  Cheap to call often (long transfers call it).
 */
void		 lock_heartbeat(void);
/* Sleep a little before the next look (1 ms, doubling to 250 ms: a
 * fetch answered before its publish holds its lock for a few ms more). */
void		 lock_backoff(int attempt);
/* lock_backoff's wait for attempt, in microseconds. */
long		 lock_backoff_us(int attempt);

/*
 * Wait for key, held by another, before the next lock_try: with redis, until
 * its owner releases it (pub/sub), its lease runs out, or deadline (time());
 * with sqlite (or redis unreachable), lock_backoff(attempt).
 */
void		 lock_wait(const char *key, int attempt, time_t deadline);

/* redis_conn.c: one connection to a redis server, plain TCP or TLS
 * (lock_redis.c's wire; hiredis formats and parses, nothing more). */
#define REDIS_TLS_PATH_MAX	4096	/* a redis_tls_* file's path */
/* TLS for a connection: every field NULL is TLS with the system's CA
 * store and no client certificate (cert and key go together). */
struct redis_tls {
	const char	*ca;	/* PEM CA certificates; NULL: system store */
	const char	*cert;	/* PEM client certificate (chain), or NULL */
	const char	*key;	/* its PEM private key, or NULL */
};
struct redis_conn;
struct redisReply;
/* Load t's files into a throw-away TLS context, as a connect would: 0,
 * or -1 and e (E_CONFIG naming the key: redis_tls_ca, redis_tls_cert,
 * redis_tls_key, or the key not the certificate's). */
int		 redis_conn_tls_check(const struct redis_tls *t, struct err *);
/*
 * Connect to host:port (getaddrinfo: names, IPv4, IPv6), then, when tls
 * is not NULL, the TLS handshake (TLS 1.2 at least, the server's
 * certificate verified against tls->ca or the system store and its name
 * or address checked), all within connect_ms; each later command's
 * answer is awaited io_ms.  The new connection (redis_conn_close it), or
 * NULL and e (E_UNAVAIL; E_CONFIG when a TLS file does not load).
 */
struct redis_conn *redis_conn_open(const char *host, int port,
		    const struct redis_tls *tls, long connect_ms, long io_ms,
		    struct err *);
/* Send one command (argv; lens NULL: C strings): 0, or -1 and e. */
int		 redis_conn_send(struct redis_conn *, int argc,
		    const char **argv, const size_t *lens, struct err *);
/* The next reply (freeReplyObject it), awaited io_ms: 0 and *out, or -1
 * and e (a timeout too: the connection is broken then). */
int		 redis_conn_read(struct redis_conn *, struct redisReply **out,
		    struct err *);
/* redis_conn_send then redis_conn_read: 0 and *out (an error reply is a
 * reply), or -1 and e. */
int		 redis_conn_command(struct redis_conn *, int argc,
		    const char **argv, const size_t *lens,
		    struct redisReply **out, struct err *);
/* Milliseconds on the monotonic clock (the deadlines of redis_conn and
 * lock_redis). */
long long	 redis_conn_now(void);
/* A reply if one begins within ms (its rest within io_ms; one begun
 * already, read with the reply before, is awaited io_ms at least): 1 and
 * *out, 0 when none came (the connection still good), -1 and e (broken). */
int		 redis_conn_wait(struct redis_conn *, long ms,
		    struct redisReply **out, struct err *);
/* 1 when c failed (I/O, timeout, protocol) and must be closed; NULL too. */
int		 redis_conn_broken(const struct redis_conn *);
/* Why c last failed ("connect: Connection refused", "TLS handshake:
 * ..."), for messages. */
const char	*redis_conn_error(const struct redis_conn *);
/* Close c (NULL is fine): no TLS close_notify (a forked child closes its
 * copies of the parent's connections this way). */
void		 redis_conn_close(struct redis_conn *);

/* lock_redis.c: the redis side of lock.c (one connection for commands,
 * one for pub/sub, kept between requests; timeouts on both). */
#define LOCK_REDIS_SPEC_MAX	1024	/* [singleflight] redis */
#define LOCK_REDIS_HOST_MAX	255	/* one host name or address */
#define LOCK_REDIS_USER_MAX	128
#define LOCK_REDIS_PASSWORD_MAX	512
#define LOCK_REDIS_MASTER_MAX	128	/* a Sentinel master's name */
#define LOCK_REDIS_SENTINELS_MAX 8
#define LOCK_REDIS_DB_MAX	65535
#define LOCK_REDIS_PREFIX_MAX	64	/* [singleflight] prefix */
#define LOCK_REDIS_PORT		6379
#define LOCK_REDIS_SENTINEL_PORT 26379
#define LOCK_REDIS_TOKEN_BYTES	16
#define LOCK_REDIS_TOKEN_HOST	64	/* of the host name, in a token */
/* "PID@HOST:HEX": who holds a key, for the operator (redis-cli GET). */
#define LOCK_REDIS_TOKEN_MAX	(24 + LOCK_REDIS_TOKEN_HOST + \
				 2 * LOCK_REDIS_TOKEN_BYTES + 1)
struct lock_redis_addr {
	char		 host[LOCK_REDIS_HOST_MAX + 1];
	int		 port;
};
/* Where redis is: one server, or the sentinels that name its master. */
struct lock_redis_target {
	int			 sentinel;
	int			 tls;		/* rediss:// */
	struct lock_redis_addr	 addr[LOCK_REDIS_SENTINELS_MAX];
	size_t			 naddr;
	char			 user[LOCK_REDIS_USER_MAX + 1];	/* "": none */
	char			 password[LOCK_REDIS_PASSWORD_MAX + 1];
	long			 db;
	char			 master[LOCK_REDIS_MASTER_MAX + 1];
};
/*
 * Parse "host[:port]", "redis://[[user]:password@]host[:port][/db]" or
 * "sentinel://[[user]:password@]host[:port][,host[:port]...]/master[/db]"
 * (password %XX-escaped; [v6] hosts); "rediss://" is redis:// over TLS
 * (tls set; sentinel:// is plain TCP only).  0, or -1 and e (E_CONFIG,
 * why).
 */
int		 lock_redis_parse(const char *, struct lock_redis_target *,
		    struct err *);
/* Remember where redis is, the names' prefix and, for rediss://, the
 * TLS files (tls NULL: the system's CA store, no client certificate);
 * closes any connection.  0, or -1 and e (E_CONFIG). */
int		 lock_redis_setup(const char *spec, const char *prefix,
		    const struct redis_tls *tls, struct err *);
int		 lock_redis_configured(void);
/* Connect (AUTH, SELECT, Sentinel's master) and PING: 0, or -1 and e. */
int		 lock_redis_ping(struct err *);
/*
 * What a responder will ask of redis, once, for check-config: PING, then
 * the lease LOCK_REDIS_CHECK_KEY taken (SET NX PX), released (the script:
 * GET, DEL, PUBLISH on its channel) and waited for (SUBSCRIBE, PTTL), so
 * that an ACL that lacks a key pattern, a command or the channels
 * (Redis 7's resetchannels: PUBLISH is NOPERM) is found now, not at the
 * first release.  0, or -1 and e naming the command.
 */
#define LOCK_REDIS_CHECK_KEY	"check-config"
int		 lock_redis_check(struct err *);
void		 lock_redis_close(void);
/* A new owner token, "PID@HOST:" then the hex of 16 bytes from getrandom
 * (unique and unguessable; the pid and host say who holds a key).  0, or
 * -1 and e. */
int		 lock_redis_token(char out[LOCK_REDIS_TOKEN_MAX], struct err *);
/* SET NX PX: LOCK_OWNER, LOCK_HELD, or -1 and e (E_UNAVAIL). */
int		 lock_redis_try(const char *key, long expiry, const char *token,
		    struct err *);
/* Push the lease forward if token owns it: 1, 2 (it was gone: taken
 * again, only when retake), 0 (another owner has it, or it was gone and
 * not retake), -1 and e. */
int		 lock_redis_renew(const char *key, long expiry,
		    const char *token, int retake, struct err *);
/* Delete key if token owns it, then wake its waiters: 1 deleted, 0 not
 * ours (any more), -1 and e. */
int		 lock_redis_release(const char *key, const char *token,
		    struct err *);
/* A note left for other hosts: SET prefix "note:" key value PX ttl_ms.
 * 0, or -1 and e. */
int		 lock_redis_note_set(const char *key, const char *value,
		    long ttl_ms, struct err *);
/* That note into out: 1, 0 when none (or expired), -1 and e. */
int		 lock_redis_note_get(const char *key, char *out, size_t outsz,
		    struct err *);
/* Subscribe to key's channel, then wait (at most max_ms, and no longer
 * than the lease's end) for its release: 1 released (or gone), 0 not
 * yet, -1 and e. */
int		 lock_redis_wait(const char *key, long max_ms, struct err *);

/* gc.c: the storage lifecycle (piraeus gc). */
#define GC_GRACE_SECONDS	3600	/* a version used since is never removed */
struct gc_opts {
	long		 max_age;	/* days unused; 0: no age limit */
	int64_t		 max_size;	/* bytes kept at most; 0: no limit */
	const char	*access_log;	/* the web server's, or NULL */
	const char	*base_path;	/* "" or "/go": in the log's paths */
	const char	*state_dir;	/* where the log's offset is kept */
	int		 use_atime;	/* access times count as uses */
	int		 dry_run;	/* print, change nothing */
	int		 force;		/* ignore the require rule */
	long		 lock_expiry;
	int64_t		 now;		/* seconds; 0: time(NULL) */
	FILE		*out;		/* one line per decision */
};
struct gc_stats {
	long		 versions;	/* seen */
	long		 removed;	/* (dry run: would be) */
	long		 kept_required;	/* old, kept for a kept go.mod */
	long		 skipped;	/* locked, or used since the scan */
	long		 errors;
	long		 bad_gomod;	/* go.mod files that did not parse */
	long		 log_lines;	/* access log lines read */
	long		 log_hits;	/* of them, hits on stored files */
	int64_t		 bytes;		/* of every version seen */
	int64_t		 freed;
};
/* "123", "64K", "10M", "2G", "1T" (powers of 1024) into *out: 0 or -1. */
int		 gc_size_parse(const char *, int64_t *out);
/* One gc over s and idx with o: decisions printed to o->out. */
int		 gc_run(const struct store *, struct index *,
		    const struct gc_opts *, struct gc_stats *, struct err *);

/*
 * The miss pipeline (DESIGN 1): resolve.c takes what a request wants and
 * runs it through the stages below, each in its own file and knowing only
 * the files under it: policy.c (one decision) -> cache.c (TTL, negative,
 * stale answers) -> lock.c (singleflight) -> fetch.c (one upstream entry)
 * -> check.c (zip rules, hashes, the checksum database) -> publish.c
 * (storage, index, hooks); stored.c answers from the tree.
 */
#define ANSWER_PATH_MAX	4096		/* a stored file's path */
#define ANSWER_LOCATION_MAX (ANSWER_PATH_MAX + 512)	/* a redirect */

/* What a request wants resolved (module and versions already checked). */
enum want_kind {
	WANT_INFO = 0,		/* a version's .info (canonical) */
	WANT_MOD,		/* its .mod */
	WANT_ZIP,		/* its .zip */
	WANT_QUERY,		/* the .info of a query: "v1.2", a branch */
	WANT_LIST,		/* @v/list */
	WANT_LATEST,		/* @latest */
	WANT_SUMDB,		/* a path below a public /sumdb/<name>/ */
	WANT_SUMDB_PRIVATE,	/* a path below our own database */
	WANT_MAX
};
/*
 * Who asks.  The HTTP layer fills it (the web server's REMOTE_USER, or the
 * built-in [access] check); the pipeline only reads it.  A NULL user is an
 * anonymous request.  The Basic credentials as the client sent them are
 * kept only for checks that must present them elsewhere ([policy]
 * private_access = vcs); NULL when none were sent.
 */
#define IDENTITY_NAME_MAX	256	/* a user name */
#define IDENTITY_SECRET_MAX	1024	/* a password or a bearer token */
struct identity {
	const char	*user;		/* authenticated name, or NULL */
	const char	*basic_user;	/* Authorization: Basic, as sent */
	const char	*basic_pass;
};
struct want {
	enum want_kind	 kind;
	const char	*module;	/* unescaped; "" for sumdb non-lookups */
	const char	*emod;		/* escaped */
	const char	*version;	/* canonical, or a query; "" none */
	const char	*ever;		/* escaped version, "" none */
	const char	*canon;		/* QUERY: "v1.2.3" of "v1.2.3+meta",
					 * else "" */
	const struct sumdb *db;		/* WANT_SUMDB */
	const char	*path;		/* sumdb: below /sumdb/<name>/ */
	int		 no_fetch;	/* Disable-Module-Fetch: true */
	int		 now;		/* a deferred fetch: fetch, whatever
					 * the download mode */
	const struct identity *who;	/* NULL: anonymous (and internal) */
};
/* How an answer may be cached by clients (response.c has the values). */
enum answer_cache {
	ANSWER_IMMUTABLE = 0,	/* a version's file, a full tile */
	ANSWER_LIST,		/* list, @latest, a query: list_max_age */
	ANSWER_STALE,		/* a list upstream could not refresh */
	ANSWER_SUMDB,		/* sumdb latest, partial tiles, lookups */
	ANSWER_NOSTORE		/* a redirect */
};
enum answer_kind { ANSWER_BODY = 0, ANSWER_FILE, ANSWER_REDIRECT };
/* How the pipeline came to its answer (the access line, the metrics):
 * set by resolve*.c; the HTTP layer adds denied, notfound and error from
 * the request's error. */
enum answer_outcome {
	OUTCOME_NONE = 0,	/* not about a module (/, /metrics...) */
	OUTCOME_HIT,		/* from storage, or a fresh cached answer */
	OUTCOME_FETCHED,	/* this request fetched it upstream */
	OUTCOME_WAITED,		/* another request fetched it; this waited */
	OUTCOME_STALE,		/* a stale cached answer (upstream failing) */
	OUTCOME_REDIRECTED,	/* sent elsewhere (download mode redirect) */
	OUTCOME_DENIED,		/* 401, 403 */
	OUTCOME_NOTFOUND,	/* 404, 410 */
	OUTCOME_ERROR,		/* any other error */
	OUTCOME_MAX
};
struct answer {
	enum answer_kind kind;
	enum answer_cache cache;
	enum answer_outcome outcome;
	const char	*ctype;
	char		 etag[SHA256_HEX + 48];	/* the header's value, or "" */
	struct buf	 body;			/* BODY */
	char		 path[ANSWER_PATH_MAX];	/* FILE: open on fd */
	int		 fd;
	struct stat	 st;
	int		 stream;	/* FILE: send the bytes, never by
					 * X-Sendfile (a temporary file) */
	char		 location[ANSWER_LOCATION_MAX];	/* REDIRECT */
};
/* answer.c: an empty answer; free what one holds (closes fd). */
void		 answer_init(struct answer *);
void		 answer_free(struct answer *);
/* The outcome's name in logs and metrics ("hit", "fetched"...; "-" for
 * OUTCOME_NONE). */
const char	*answer_outcome_name(enum answer_outcome);

/*
 * metrics.c: counters shared by every responder process: a small file in
 * the state directory (METRICS_FILE), mapped shared, changed with atomic
 * adds only (no lock, no system call on the request path).  It outlives
 * restarts (counters keep counting).  Fields are only appended at the
 * end: metrics_open extends a file of an older, shorter layout (zeros),
 * its counts kept; a layout that moves a field needs a new file name.
 * Nothing here fails a request: when the file cannot be mapped, counting
 * is off and metrics_open says why once.
 */
#define METRICS_FILE		"metrics.v1"	/* fields are appended at
						 * the end: metrics_open
						 * extends an older file */
#define METRICS_ENDPOINTS	24	/* the HTTP layer's routes fit */
#define METRICS_STATUSES	16	/* metrics_status_codes + "other" */
#define METRICS_UPSTREAMS	16	/* distinct upstream names kept */
#define METRICS_NAME_MAX	160	/* an upstream's (redacted) URL */
#define METRICS_BUCKETS		11	/* fetch duration buckets, +Inf last */
#define METRICS_RECENT		32	/* fetches remembered for /status */
#define METRICS_VULN_RECENT	16	/* vulnerable versions for /status */
#define METRICS_VULN_MODULE_MAX	200	/* a module path there, cut to fit */
#define METRICS_VULN_IDS_MAX	200	/* its ids there, cut to fit */
enum metrics_result {		/* one fetch from one upstream entry */
	METRICS_OK = 0,		/* fetched, checked, stored */
	METRICS_NOTFOUND,	/* upstream: no such version */
	METRICS_REJECTED,	/* failed the checks (zip rules, sumdb) */
	METRICS_FAILED,		/* upstream or storage error */
	METRICS_RESULTS
};
enum metrics_counter {
	METRICS_SF_WAITS = 0,	/* requests that waited for another's fetch */
	METRICS_VERIFY_FAILURES, /* fetched files that failed the checks */
	METRICS_COUNTERS
};
enum metrics_vuln {		/* [policy] vulnerable's decisions */
	METRICS_VULN_DENY = 0,	/* refused (403) */
	METRICS_VULN_WARN,	/* served: warn, or deny before min age */
	METRICS_VULN_EXCEPTED,	/* served: every id in vulnerable_allow */
	METRICS_VULN_DECISIONS
};
struct metrics_vuln_event {	/* one decision, for /status */
	uint64_t	 seq;		/* odd while being written */
	int64_t		 when;		/* unix seconds */
	int32_t		 decision;	/* enum metrics_vuln */
	char		 module[METRICS_VULN_MODULE_MAX]; /* cut to fit: for
					 * people */
	char		 version[VERSION_MAX];
	char		 ids[METRICS_VULN_IDS_MAX];
};
struct metrics_upstream {
	uint32_t	 state;		/* 0 free, 1 being named, 2 named */
	char		 name[METRICS_NAME_MAX];
	uint64_t	 results[METRICS_RESULTS];
	uint64_t	 buckets[METRICS_BUCKETS];	/* not cumulative */
	uint64_t	 sum_us;
};
struct metrics_event {		/* one fetch, for /status */
	uint64_t	 seq;		/* odd while being written */
	int64_t		 when;		/* unix seconds */
	uint32_t	 ms;
	int32_t		 result;	/* enum metrics_result */
	char		 module[200];	/* cut to fit: for people */
	char		 version[VERSION_MAX];
	char		 upstream[METRICS_NAME_MAX];
	char		 why[200];
};
struct metrics_data {
	uint64_t	 magic;
	uint64_t	 requests[METRICS_ENDPOINTS][METRICS_STATUSES];
	uint64_t	 outcomes[OUTCOME_MAX];
	uint64_t	 counters[METRICS_COUNTERS];
	struct metrics_upstream up[METRICS_UPSTREAMS];
	uint64_t	 next_event;
	struct metrics_event events[METRICS_RECENT];
	uint64_t	 vuln[METRICS_VULN_DECISIONS];
	uint64_t	 next_vuln;
	struct metrics_vuln_event vulns[METRICS_VULN_RECENT];
};
/* The HTTP statuses counted by code; others are "other". */
extern const int metrics_status_codes[METRICS_STATUSES - 1];
/* Map (creating) state_dir/METRICS_FILE: 0, or -1 and e (counting off). */
int		 metrics_open(const char *state_dir, struct err *e);
void		 metrics_close(void);
/* One request answered: its endpoint (< METRICS_ENDPOINTS), status and
 * outcome. */
void		 metrics_request(unsigned endpoint, int status,
		    enum answer_outcome);
void		 metrics_add(enum metrics_counter);
/* One fetch of module@version from upstream (a redacted URL). */
void		 metrics_fetch(const char *upstream, const char *module,
		    const char *version, enum metrics_result, long long us,
		    const char *why);
/* A [policy] vulnerable decision on module@version (ids: the entries,
 * for /status; the counter is by decision only). */
void		 metrics_vuln(enum metrics_vuln, const char *module,
		    const char *version, const char *ids);
/* The name of a decision ("deny", "warn", "excepted"). */
const char	*metrics_vuln_name(enum metrics_vuln);
/* A consistent-enough copy of the shared counters into out: 0, or -1
 * when counting is off (out zeroed). */
int		 metrics_snapshot(struct metrics_data *out);
/* The Prometheus text exposition (format 0.0.4) of d and s (s NULL: the
 * index was not readable) appended to out; endpoint_names[i] names
 * endpoint i (NULL: not printed). */
int		 metrics_format(const struct metrics_data *d,
		    const struct index_stats *s,
		    const char *const endpoint_names[METRICS_ENDPOINTS],
		    struct buf *out, struct err *e);
/* The name of a result ("ok", "notfound", "rejected", "failed"). */
const char	*metrics_result_name(enum metrics_result);

/* policy.c: the one decision about what a request may cause upstream. */
enum policy_action {
	POLICY_FETCH = 0,	/* storage, else fetch now */
	POLICY_STORAGE_ONLY,	/* storage (or cache) only; why says why */
	POLICY_REDIRECT,	/* send the client to location */
	POLICY_ASYNC,		/* storage, else "not yet" and fetch after */
	POLICY_REFUSE		/* 403, whatever storage holds; why */
};
struct policy {
	const struct config	  *cfg;
	const struct mode_table	  *modes;
	const struct upstream_list *up;
	const char		  *signer_name;	/* our private database's
						 * name, or NULL: none */
	const struct access	  *acl;		/* [access] file, or NULL */
	struct index		  *idx;		/* [policy] private_access's
						 * verdicts; NULL: none */
	const struct filter_table *filter;	/* [policy] filter_file, or
						 * NULL: none */
	struct vulnview		  *vuln;	/* [policy] vulnerable's view of
						 * the mirror, or NULL: none */
};
struct decision {
	enum policy_action action;
	struct err	 why;		/* STORAGE_ONLY, REFUSE */
	char		 location[ANSWER_LOCATION_MAX];	/* REDIRECT */
	int		 defer;		/* fetch the version after answering */
	int		 direct_only;	/* private: only "direct" is asked */
	int		 fallback;	/* upstream failing (not "not found"):
					 * answer stale or stored instead */
	int		 offline;	/* nothing at all goes upstream */
	int		 verify;	/* a public database vouches for it */
	int		 log;		/* our private database records it */
};
/* Decide for w: every rule (the filter file, network mode,
 * Disable-Module-Fetch, download mode, GOPROXY=off, private patterns,
 * [sumdb] nosum) in one place. */
void		 policy_decide(const struct policy *, const struct want *,
		    struct decision *);
/*
 * Just before module@version (canonical, not stored) is fetched: the
 * filter's word on that version (a query resolved to it), then [policy]
 * vulnerable's (the mirror of the vulnerability database: deny refuses a
 * version it lists as affected, naming the ids and the fixed version;
 * warn logs and counts), then the validator hook's, its verdict kept
 * validator_cache_ttl in ix's cache (ix NULL: not kept).  kind is the
 * file asked for: [policy] vulnerable refuses only a zip; for a .info
 * or .mod of a version whose zip it refuses the answer is 1 (serve the
 * asked file, store nothing but the .mod).  0 when allowed, else -1 and
 * e: E_FORBIDDEN (the reason), E_UPSTREAM (the hook failed).
 */
int		 policy_before_fetch(const struct policy *, struct index *ix,
		    const char *module, const char *version, enum want_kind kind,
		    struct err *e);
/* The 403's reason of [policy] vulnerable = deny, at most (the answer
 * puts "forbidden: module@version: " before it; the go command shows
 * 8 lines, 648 bytes, of a body: cmd/go/internal/web/api.go). */
#define POLICY_VULN_MSG_MAX	200
/* [policy] vulnerable's word on module@version's zip, asked before a
 * download mode sends the client elsewhere (redirect) or answers "not
 * yet" (async): -1 and e (403, logged, counted) when refused, else 0. */
int		 policy_zip_refused(const struct policy *, const char *module,
		    const char *version, struct err *e);
/*
 * A stored module@version about to be answered, when every request
 * reaches the responder ([server] every_request): [policy] vulnerable's
 * and the validator hook's word on it, as before a fetch (cached the
 * same way; [policy] vulnerable on the zip only, kind being the file
 * asked).  0 when allowed (or no hook, or not that deployment), else -1
 * and e as above.
 */
int		 policy_on_hit(const struct policy *, struct index *ix,
		    const char *module, const char *version, enum want_kind kind,
		    struct err *e);
/* 1 and e the refusal (403, the rule's line) when the filter file
 * excludes module@version ("-" with a qualifier that takes it, or
 * without one); else 0.  list and @latest drop such versions. */
int		 policy_version_excluded(const struct policy *,
		    const char *module, const char *version, struct err *e);
/* 1 when module is private for checksum databases: [policy] private,
 * [upstream] goprivate, [sumdb] nosum, GONOSUMDB (else GOPRIVATE). */
int		 policy_private(const struct config *, const char *module);
/* 1 when only "direct" may be asked for module: [policy] private,
 * [upstream] goprivate, GONOPROXY (else GOPRIVATE). */
int		 policy_noproxy(const struct config *, const char *module);
/* 1 when module is fetched direct only as private, the modules
 * [policy] private_access = vcs guards: [policy] private, [upstream]
 * goprivate, GOPRIVATE and GONOPROXY of the environment; not [sumdb]
 * nosum nor GONOSUMDB (public modules without a checksum database).
 * All the predicates above match letters in any case. */
int		 policy_direct_private(const struct config *,
		    const char *module);

/* stored.c: answers from the storage tree alone. */
/* The file a want names (a query: its .info), or -1 (list, @latest,
 * checksum database paths). */
int		 stored_artifact(enum want_kind);
/* 1 when the tree holds what want needs of emod@ever: the .mod for
 * WANT_MOD, else the whole version (.info, published last, and .zip). */
int		 stored_have(const struct store *, const char *emod,
		    const char *ever, enum want_kind);
/* The regular file at path (symbolic links refused) as the answer of
 * art: .info and .mod read under their cap into a body with their
 * SHA-256 as ETag, a .zip left open (ANSWER_FILE).  E_NOTFOUND when
 * absent. */
int		 stored_file(const char *path, enum artifact, struct answer *,
		    struct err *);
/* The stored .info, .mod or .zip of emod@ever into a (stored_file). */
int		 stored_open(const struct store *, const char *emod,
		    const char *ever, enum artifact, struct answer *,
		    struct err *);
/* The same opened, never read, whatever the artifact (ANSWER_FILE, no
 * ETag): for the web server to send, which sets the length, ETag and
 * Last-Modified of a static hit itself.  E_NOTFOUND when absent. */
int		 stored_open_unread(const struct store *, const char *emod,
		    const char *ever, enum artifact, struct answer *,
		    struct err *);
/* The tagged versions of module that are complete in the tree, canonical
 * and valid for the path, in semver order (allocated); E_NOTFOUND when
 * storage has no @v directory for the module.  Remembered per process
 * while the @v directory does not change. */
int		 stored_list(const struct store *, const char *module,
		    const char *emod, char ***out, size_t *n, struct err *);
/* The .info of the stored version the go command would call latest
 * (latest.c) into body; E_NOTFOUND when there is none. */
int		 stored_latest(const struct store *, const char *module,
		    const char *emod, struct buf *body, struct err *);
/* The index row of module@version (unescaped), the tree the truth: the
 * index's, else described from the tree and added (another host of a
 * shared tree published it).  1 and filled, 0 not stored, -1 and e. */
int		 stored_row(const struct store *, struct index *,
		    const char *module, const char *version,
		    struct index_version *, struct err *);

/* fetch.c: what one upstream entry (a proxy, or "direct") answers. */
struct fetch_env {
	const struct config	*cfg;
	const struct store	*store;
	const char		*lookup_url;	/* fetched beside a proxy's
						 * files when not NULL (its
						 * failure is its own) */
	int			 no_zip;	/* a proxy is not asked for the
						 * zip (it is refused) */
};
/* The files want needs of module@version (canonical) from u into f (a
 * file the tree already holds is not fetched again; direct fetches the
 * whole version).  E_NOTFOUND/E_GONE when u does not have it. */
int		 fetch_files(const struct fetch_env *, const struct upstream *u,
		    const char *module, const char *version, enum want_kind,
		    struct fetched *f, struct err *);
/* u's @v/list of module into body (direct: go list -m -versions). */
int		 fetch_list(const struct fetch_env *, const struct upstream *u,
		    const char *module, struct buf *body, struct err *);
/* Proxy u's @latest of module into body, checked (check_info_answer);
 * a proxy without @latest gets it computed from its list (latest.c). */
int		 fetch_latest(const struct fetch_env *,
		    const struct upstream *u, const char *module,
		    struct buf *body, struct err *);
/* What u resolves query to: a proxy's .info into body, byte for byte,
 * checked (UPSTREAM_TRY_LAST when it names no valid version); direct's
 * resolved version (body left empty; go has downloaded it).  canon gets
 * the canonical version. */
int		 fetch_query(const struct fetch_env *, const struct upstream *u,
		    const char *module, const char *query,
		    char canon[VERSION_MAX], struct buf *body, struct err *);

/* check.c: nothing from upstream is published before it passes here. */
/* 0 and canon set when body is the one JSON object of an .info whose
 * Version is canonical and valid for module and whose Time, if any, is
 * RFC 3339: an answer the go command reads. */
int		 check_info_answer(const char *module, const struct buf *body,
		    char canon[VERSION_MAX]);
struct sumdb_ctx;
/*
 * f as fetched for module@version: its .info names version, its go.mod
 * and zip are hashed (h1, "" for what did not come), the zip passes the
 * zip rules, and with sdb not NULL the checksum database vouches for the
 * hashes.  Any fault is upstream's: E_UPSTREAM (E_TIMEOUT...).
 */
int		 check_fetched(const struct sumdb_ctx *sdb, const char *module,
		    const char *version, const struct fetched *f,
		    char zip_h1[H1_MAX], char mod_h1[H1_MAX], struct err *);

/* publish.c: storage, then the index, then the after-publish hooks. */
/* Told each version published complete; a failure is logged, never
 * undoes the publish (the tree is the truth). */
typedef int	 publish_hook_fn(void *arg, const struct index_version *,
		    struct err *);
struct publish_hook {
	const char	*name;		/* for the log */
	publish_hook_fn	*fn;
	void		*arg;
};
struct publish_env {
	const struct store	  *store;
	struct index		  *idx;		/* NULL: reindex mends it */
	const struct publish_hook *hooks;
	size_t			   nhooks;
};
/* store_publish f as emod@ever, then index it with the zip's h1 and
 * SHA-256 already known (nothing read again) and run the hooks. */
int		 publish_version(const struct publish_env *, const char *emod,
		    const char *ever, struct fetched *f, const char *zip_h1,
		    const char *origin, struct err *);
/*
 * Hand f (answered, its lock key held by this process) to the publisher
 * thread, which publishes it as publish_version does with an index
 * connection of its own (state_dir; opened here, on the caller's thread,
 * at the first use) and drops the lock: 0, f emptied and key disowned;
 * -1 and nothing done when it cannot (hooks to run, the queue full, no
 * threads, that connection cannot be opened) and the caller publishes
 * itself.
 */
int		 publish_later(const struct publish_env *,
		    const char *state_dir, const char *emod, const char *ever,
		    struct fetched *f, const char *zip_h1, const char *origin,
		    const char *key);
/* Wait for the publisher thread's queue to be published and stop it (at
 * exit; a later publish_later starts it again). */
void		 publish_drain(void);
/*
 * A signal asking an idle process to end, while a publish is queued or
 * running: publish_exit_when_done (async-signal-safe) returns 0 when
 * nothing is (the caller may end the process itself), else 1, and the
 * publisher thread ends the process (_exit(0)) after its last job if
 * idle() -- given once by publish_exit_hook, NULL for always -- says the
 * process is still idle then.
 */
void		 publish_exit_hook(int (*idle)(void));
int		 publish_exit_when_done(void);

/*
 * verify.c: stored versions checked again (`piraeus verify`): files,
 * rules, and hashes against the index, the public checksum database and
 * the private log.  What a problem is, from the witnesses' words:
 */
enum verify_kind {
	VERIFY_OK = 0,
	VERIFY_INCOMPLETE,	/* files a complete version has are missing */
	VERIFY_BROKEN,		/* a file fails the rules, nothing recorded */
	VERIFY_CORRUPTED,	/* the tree differs from the index's (or the
				 * private log's) recorded hashes */
	VERIFY_RETAGGED,	/* tree and index agree, the checksum
				 * database does not */
	VERIFY_INDEX,		/* the index alone differs: a checksum
				 * database agrees with the tree */
	VERIFY_UNINDEXED,	/* vouched for, but not in the index */
	VERIFY_NEVER,		/* no record anywhere */
	VERIFY_UNCHECKED,	/* the checksum database could not be asked */
	VERIFY_MAX
};
struct verify_env {
	const struct store	*store;
	struct index		*idx;	/* NULL: no index */
	struct index		*logidx; /* the private log's ([sumdb]
					  * log_dir), NULL: idx's */
	const struct sumdb_ctx	*sdb;	/* NULL: no public database */
};
struct verify_finding {
	enum verify_kind kind;
	char		 module[MODPATH_MAX];
	char		 version[VERSION_MAX];
	char		 emod[MODPATH_MAX];
	char		 ever[VERSION_MAX];
	char		 why[1024];
};
struct verify_stats {
	long		 versions;
	long		 problems;
};
typedef void	 verify_report_fn(void *arg, const struct verify_finding *);
const char	*verify_kind_name(enum verify_kind);
/* 1 when verify --quarantine moves a version with this finding out. */
int		 verify_kind_bad(enum verify_kind);
struct store_version;
/* The finding of one version of emod (sv: the files the tree has). */
int		 verify_version(const struct verify_env *, const char *emod,
		    const struct store_version *sv, struct verify_finding *,
		    struct err *);
/* Every stored version (module NULL), a module's, or one version's;
 * each finding (ok ones too) goes to fn.  -1 only when the walk fails. */
int		 verify_run(const struct verify_env *, const char *module,
		    const char *version, verify_report_fn *fn, void *arg,
		    struct verify_stats *, struct err *);

/* pack.c: a version made from a source tree (CreateFromDir's rules). */
struct pack_req {
	const char	*dir;		/* the source tree */
	const char	*module;
	const char	*version;	/* canonical */
	int64_t		 time_ns;	/* the .info's Time */
};
/*
 * The .info, .mod and .zip of r as temporary files of s in f (zip's
 * SHA-256 too) and the zip's h1: 0, or -1 and e set (E_BADREQ: the
 * request or the tree is refused, the message says why; nothing left).
 */
int		 pack_make(const struct store *s, const struct pack_req *r,
		    struct fetched *f, char h1[H1_MAX], struct err *);
/* Add version to root/<emod>/@v/list (atomically) unless listed. */
int		 pack_list_add(const struct store *, const char *emod,
		    const char *version, struct err *);

/*
 * vulndb.c: piraeus vulndb sync / import: the Go vulnerability database
 * mirrored into ROOT/vulndb (v1 API files and the legacy ones derived
 * from them), from url (sync) or the directory dir (import).
 */
struct vulndb_stats {
	char		 modified[VULNDB_TIME_MAX];	/* the source's db.json */
	int		 uptodate;	/* nothing changed: no new generation */
	int		 busy;		/* failed: another run holds the lock */
	int		 nogen;		/* failed: VULNDB_INCREMENTAL, and no
					 * generation yet */
	long		 generation;	/* the new one's N */
	long		 entries;	/* in the new index */
	long		 modules;
	long		 fetched;	/* entries got from the source */
	long		 linked;	/* entries kept from the current one */
	long		 files;		/* files read from the source */
	long long	 bytes;		/* bytes read from the source */
};
#define VULNDB_FORCE		1	/* a new generation even when db.json
					 * did not change */
#define VULNDB_INCREMENTAL	2	/* only when a generation exists */
/* One run (flags: VULNDB_*).
 * dir (import): a directory, or a tarball extracted, under the lock,
 * into the generation's scratch directory; in either, the set is the
 * directory holding index/db.json: it or its vulndb/ (a copy of
 * STORAGE).  A successful sync (not an import) stamps
 * STORAGE/.vulndb/checked. */
int		 vulndb_run(const struct config *cfg, const char *url,
		    const char *dir, int flags, struct vulndb_stats *,
		    struct err *);
/* 1 when [vulndb] ttl asks the responder to sync now: enabled, ttl set,
 * this process's last try not within ttl, and the last sync (its stamp)
 * older than ttl seconds or never. */
int		 vulndb_refresh_due(const struct config *cfg, time_t now);
/* The responder's sync, after its answer: nothing when there is no
 * generation yet (a first sync is piraeus vulndb sync's); else the stamp
 * first (the other responders then wait for the next ttl), then an
 * incremental vulndb_run; logged, except a lock held by another run.
 * Whatever happens, this process does not try again before ttl. */
void		 vulndb_refresh(const struct config *cfg);

/* import.c: a GOPROXY tree, module cache or Athens disk tree into storage. */
struct import_env {
	const struct store	*store;
	struct index		*idx;	/* the version locks (NULL: none) */
	long			 lock_expiry;
	/* the publish environment for module (piraeus import: never the
	 * private checksum database's hook; records come with lookups) */
	const struct publish_env *(*publish_env)(void *arg,
				    const char *module);
	void			*arg;
};
struct import_stats {
	const char	*layout;	/* what the tree was taken for */
	long		 imported;	/* published */
	long		 existing;	/* stored already, the same bytes */
	long		 skipped;	/* bad or incomplete: told, not taken */
};
/* Import every version of dir (layout detected); a bad one is logged and
 * counted in skipped.  0, or -1 and e set (the tree unusable). */
int		 import_run(const struct import_env *, const char *dir,
		    struct import_stats *, struct err *);

/* resolve.c: the one entry of the miss pipeline. */
/* A version checked and answered, not yet published (its lock held). */
struct resolve_pending {
	int		 active;
	struct fetched	 f;
	char		 module[MODPATH_MAX];
	char		 emod[MODPATH_MAX];
	char		 ever[VERSION_MAX];
	char		 zip_h1[H1_MAX];
	char		 origin[ANSWER_PATH_MAX];
	char		 key[LOCK_KEY_MAX];
	int		 log;		/* the private log's hook runs */
};
/* What a responder's stages share: borrowed from the process (proxy.c). */
struct resolver {
	const struct config	   *cfg;
	const struct store	   *store;
	struct index		   *idx;	/* NULL: not usable now */
	const char		   *idx_error;	/* why, when NULL */
	struct index		   *logidx;	/* the private log's ([sumdb]
						 * log_dir), NULL: idx's */
	const struct upstream_list *up;
	const struct mode_table	   *modes;
	const struct sumdb_list	   *dbs;
	const struct note_signer   *signer;	/* NULL: no private database */
	const struct access	   *acl;	/* [access] file, or NULL */
	const struct filter_table  *filter;	/* NULL: no filter file */
	struct vulnview		   *vuln;	/* the vulnerability database
						 * mirror's cache, or NULL */
	/* A fetch to run once the answer is out (download modes). */
	char			    deferred_module[MODPATH_MAX];
	char			    deferred_version[VERSION_MAX];
	struct resolve_pending	    pending;
};
/* The pipeline's own parts, for resolve*.c only. */
#define RESOLVE_KEY_MAX	(MODPATH_MAX + VERSION_MAX + 16) /* a cache key */
/* resolve_version.c: module@query (a canonical version, or a query
 * resolved first) into storage: its .mod (WANT_MOD) or the whole version;
 * canon gets the canonical version.  0 when stored; with a not NULL, 1
 * when a is the asked file answered from the checked temporary files,
 * published by resolve_publish_pending once the answer is out.
 * E_NOTFOUND, E_GONE, E_UPSTREAM, E_TIMEOUT (a wait for another fetch ran
 * out)... */
int		 resolve_version(struct resolver *,
		    const struct decision *, const char *module,
		    const char *query, enum want_kind, char canon[VERSION_MAX],
		    struct answer *, struct err *);
/* What the upstream walk resolves query to (fetch_query): body, when not
 * NULL, gets a proxy's .info (left empty by direct). */
int		 resolve_query_upstream(struct resolver *,
		    const struct decision *, const char *module,
		    const char *query, char canon[VERSION_MAX],
		    struct buf *body, struct err *);
/* 1 and e set when a failure is remembered under key (notfound_ttl). */
int		 resolve_negative(struct resolver *, const char *key,
		    struct err *);
/* 0 when the resolver has an index, else -1 and e (E_UNAVAIL, why). */
int		 resolve_index(struct resolver *, struct err *);
/* The private checksum database's log: [sumdb] log_dir's (shared by
 * every host), else the index's; NULL when neither is usable. */
struct index	*resolve_log_index(const struct resolver *);
/* The policy stage's view of rv. */
void		 resolve_policy(const struct resolver *, struct policy *);
/* The checksum database context of rv under decision d. */
void		 resolve_sumdb_ctx(struct resolver *,
		    const struct decision *, struct sumdb_ctx *);
/* resolve_answer.c: list, @latest, a query's .info. */
int		 resolve_list(struct resolver *, const struct want *,
		    const struct decision *, struct answer *, struct err *);
int		 resolve_latest(struct resolver *, const struct want *,
		    const struct decision *, struct answer *, struct err *);
int		 resolve_query(struct resolver *, const struct want *,
		    const struct decision *, struct answer *, struct err *);
/* resolve_sumdb.c: a public database's path; our own database's. */
int		 resolve_sumdb(struct resolver *, const struct want *,
		    const struct decision *, struct answer *, struct err *);
int		 resolve_sumdb_private(struct resolver *,
		    const struct want *, const struct decision *,
		    struct answer *, struct err *);
/* Resolve w into a (answer_init'ed here): storage, else policy, cache,
 * singleflight, fetch, check, publish.  0, or -1 with e set. */
int		 resolve(struct resolver *, const struct want *,
		    struct answer *, struct err *);
/* After the answer is finished: publish the pending version, if any,
 * and release its lock; then run the deferred fetch, if any. */
void		 resolve_deferred(struct resolver *);
/* Write what rv's index queued for after the answer (index_flush; a
 * failure logged). */
void		 resolve_flush(struct resolver *);
/* Publish rv's pending version now (resolve_deferred's first step). */
void		 resolve_publish_pending(struct resolver *);

#endif /* PIRAEUS_H */

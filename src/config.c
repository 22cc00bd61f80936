/*
 * config.c: the configuration of piraeus.
 *
 * One INI file, read with inih, then PIRAEUS_<SECTION>_<KEY> environment
 * overrides, then the rules that tie several keys together.
 *
 * A single table, options[] (in the style of redis' static_configs), lists
 * every key: section, name, type, where the value lives in struct config,
 * default, check, and a one-line help.  The same table gives the defaults,
 * reads the INI file, applies the environment, prints the effective
 * configuration (config_dump) and the documented key list
 * (config_describe).  etc/piraeus.ini.sample is kept in step by hand; the
 * unit test compares it with config_describe.
 *
 * Every problem is collected as one message, "source: [section] key:
 * reason", where source is the file or the environment variable; loading
 * never stops at the first problem.
 *
 * inih as Debian builds it has a fixed 200-byte line buffer and reports only
 * the first syntax error, without telling the handler the line number.  We
 * read the file through our own line reader, which reports over-long lines
 * instead of letting inih cut them in two, and removes leading blanks so
 * that inih never treats a line as the continuation of the previous value.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "piraeus.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif

#define CONFIG_VALUE_MAX	4096		/* one value, file or env */
#define CONFIG_FILE_MAX		(1024 * 1024)	/* the whole INI file */
#define CONFIG_ERRORS_MAX	100		/* messages kept */
#define CONFIG_WHY_MAX		512		/* one reason */
#define CONFIG_ENVNAME_MAX	128		/* PIRAEUS_SECTION_KEY */
#define CONFIG_SHOW_MAX		80		/* a bad value quoted back */
#define CONFIG_ENV_PREFIX	"PIRAEUS_"
#define CONFIG_ENV_FILE		"PIRAEUS_CONFIG"
#define CONFIG_VALIDATOR_TIMEOUT	"10"	/* seconds */
#define CONFIG_VALIDATOR_CACHE_TTL	"60"	/* seconds */

extern char **environ;

/* Enumerations are stored through an int pointer. */
_Static_assert(sizeof(enum sendfile_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum log_level) == sizeof(int), "enum size");
_Static_assert(sizeof(enum log_format) == sizeof(int), "enum size");

enum opt_type {
	OPT_STRING = 0,	/* char *, checked by opt->check */
	OPT_PATH,	/* char *, absolute, normalised, then opt->check */
	OPT_INT,	/* long in [min, max] */
	OPT_ENUM,	/* int, one of opt->enums */
	OPT_BOOL	/* int, 0 or 1 */
};

#define OPTF_OPTIONAL	0x1	/* an empty value means unset (NULL) */
#define OPTF_REPEAT	0x2	/* repeated in a file: values joined by ";" */

struct opt_enum {
	const char	*name;
	int		 value;
};

typedef int	 opt_check_fn(const char *, char *, size_t);

struct option {
	const char		*section;
	const char		*key;
	enum opt_type		 type;
	size_t			 off;	/* offsetof(struct config, field) */
	const char		*def;	/* as written in a file; NULL: unset */
	long			 min;	/* OPT_INT */
	long			 max;
	const struct opt_enum	*enums;	/* OPT_ENUM */
	opt_check_fn		*check;	/* OPT_STRING, OPT_PATH */
	int			 flags;
	const char		*help;	/* one line, repeated in the sample */
};

static opt_check_fn	check_base_path;
static opt_check_fn	check_accel_prefix;
static opt_check_fn	check_readable;
static opt_check_fn	check_goproxy;
static opt_check_fn	check_download_mode;
static opt_check_fn	check_patterns;
static opt_check_fn	check_sumdbs;
static opt_check_fn	check_signer_file;
static opt_check_fn	check_access_file;
static opt_check_fn	check_realm;
static opt_check_fn	check_filter_file;
static opt_check_fn	check_hook_url;
static opt_check_fn	check_vuln_ids;
static opt_check_fn	check_size;
static opt_check_fn	check_redis;
static opt_check_fn	check_redis_prefix;

static const struct opt_enum network_mode_enums[] = {
	{ "strict", NETWORK_STRICT },
	{ "fallback", NETWORK_FALLBACK },
	{ "offline", NETWORK_OFFLINE },
	{ NULL, 0 }
};

static const struct opt_enum sendfile_enums[] = {
	{ "off", SENDFILE_OFF },
	{ "x-sendfile", SENDFILE_X_SENDFILE },
	{ "x-accel-redirect", SENDFILE_X_ACCEL },
	{ NULL, 0 }
};

static const struct opt_enum private_access_enums[] = {
	{ "none", PRIVATE_ACCESS_NONE },
	{ "vcs", PRIVATE_ACCESS_VCS },
	{ NULL, 0 }
};

static const struct opt_enum sf_backend_enums[] = {
	{ "sqlite", LOCK_BACKEND_SQLITE },
	{ "redis", LOCK_BACKEND_REDIS },
	{ NULL, 0 }
};

static const struct opt_enum sf_on_down_enums[] = {
	{ "fail", LOCK_DOWN_FAIL },
	{ "local", LOCK_DOWN_LOCAL },
	{ NULL, 0 }
};

static const struct opt_enum vulnerable_enums[] = {
	{ "allow", VULN_ALLOW },
	{ "warn", VULN_WARN },
	{ "deny", VULN_DENY },
	{ NULL, 0 }
};

static const struct opt_enum log_level_enums[] = {
	{ "error", LOG_LVL_ERROR },
	{ "warn", LOG_LVL_WARN },
	{ "info", LOG_LVL_INFO },
	{ "debug", LOG_LVL_DEBUG },
	{ NULL, 0 }
};

static const struct opt_enum log_format_enums[] = {
	{ "plain", LOG_FMT_PLAIN },
	{ "json", LOG_FMT_JSON },
	{ NULL, 0 }
};

/* The first name of each value is the one printed. */
static const struct opt_enum bool_enums[] = {
	{ "yes", 1 }, { "no", 0 },
	{ "true", 1 }, { "false", 0 },
	{ "on", 1 }, { "off", 0 },
	{ "1", 1 }, { "0", 0 },
	{ NULL, 0 }
};

#define F(field)	offsetof(struct config, field)

/* Every key.  Keep the keys of one section together. */
static const struct option options[] = {
	{ "server", "base_path", OPT_STRING, F(base_path), "",
	  0, 0, NULL, check_base_path, 0,
	  "URL prefix of the proxy: \"\" for the site root, or e.g. \"/go\"" },
	{ "server", "sendfile", OPT_ENUM, F(sendfile), "off",
	  0, 0, sendfile_enums, NULL, 0,
	  "Who sends artifacts: off (piraeus), "
	  "x-sendfile or x-accel-redirect" },
	{ "server", "accel_prefix", OPT_STRING, F(accel_prefix),
	  "/_piraeus_storage",
	  0, 0, NULL, check_accel_prefix, 0,
	  "Internal location mapped to the storage root (x-accel-redirect)" },
	{ "server", "every_request", OPT_BOOL, F(every_request), "no",
	  0, 0, NULL, NULL, 0,
	  "The web server sends every request to the responder, hits too "
	  "(X-Sendfile/X-Accel-Redirect): [access] rules and the validator "
	  "hook then apply to stored versions" },
	{ "server", "home_template", OPT_PATH, F(home_template), NULL,
	  0, 0, NULL, check_readable, OPTF_OPTIONAL,
	  "HTML file for the home page; empty for the built-in page" },
	{ "server", "log_level", OPT_ENUM, F(log_level), "info",
	  0, 0, log_level_enums, NULL, 0,
	  "Least severe message logged: error, warn, info or debug" },
	{ "server", "log_format", OPT_ENUM, F(log_format), "plain",
	  0, 0, log_format_enums, NULL, 0,
	  "Log lines: plain, or json (one object a line)" },
	{ "server", "log_file", OPT_PATH, F(log_file), NULL,
	  0, 0, NULL, NULL, OPTF_OPTIONAL,
	  "File the log lines are appended to; empty for stderr "
	  "(the web server's error log)" },
	{ "server", "access_log", OPT_BOOL, F(access_log), "yes",
	  0, 0, NULL, NULL, 0,
	  "One access line per responder request (at level info)" },
	{ "server", "list_max_age", OPT_INT, F(list_max_age), "60",
	  0, 86400, NULL, NULL, 0,
	  "Cache-Control max-age (seconds) of list and @latest answers" },
	{ "server", "notfound_max_age", OPT_INT, F(notfound_max_age), "60",
	  0, 86400, NULL, NULL, 0,
	  "Cache-Control max-age (seconds) of not-found answers" },
	{ "server", "catalog_pagesize", OPT_INT, F(catalog_pagesize), "1000",
	  1, 100000, NULL, NULL, 0,
	  "Catalog page size when the client asks for none" },
	{ "server", "catalog_max_pagesize", OPT_INT, F(catalog_max_pagesize),
	  "10000",
	  1, 100000, NULL, NULL, 0,
	  "Largest catalog page size a client may ask for" },
	{ "server", "index_limit", OPT_INT, F(index_limit), "2000",
	  1, 100000, NULL, NULL, 0,
	  "/index page size when the client gives no limit" },
	{ "server", "index_max_limit", OPT_INT, F(index_max_limit), "10000",
	  1, 100000, NULL, NULL, 0,
	  "Largest /index limit a client may ask for" },
	{ "storage", "root", OPT_PATH, F(storage_root),
	  LOCALSTATEDIR "/lib/piraeus/storage",
	  0, 0, NULL, NULL, 0,
	  "Absolute path of the GOPROXY tree that the web server serves" },
	{ "state", "dir", OPT_PATH, F(state_dir),
	  LOCALSTATEDIR "/lib/piraeus/state",
	  0, 0, NULL, NULL, 0,
	  "Absolute path of the state (sqlite index); "
	  "not inside the storage root" },
	{ "upstream", "goproxy", OPT_STRING, F(upstream_goproxy), "off",
	  0, 0, NULL, check_goproxy, 0,
	  "Upstream in GOPROXY syntax: off, direct, "
	  "or URLs joined by \",\" or \"|\"" },
	{ "upstream", "network_mode", OPT_ENUM, F(network_mode), "fallback",
	  0, 0, network_mode_enums, NULL, 0,
	  "strict (upstream errors are errors), fallback (serve storage), "
	  "offline (no network)" },
	{ "upstream", "download_mode", OPT_STRING, F(download_mode), "sync",
	  0, 0, NULL, check_download_mode, 0,
	  "sync, async, none, redirect, async_redirect, file:PATH or "
	  "custom:BASE64 (Athens' HCL)" },
	{ "upstream", "goprivate", OPT_STRING, F(goprivate), "",
	  0, 0, NULL, check_patterns, 0,
	  "Module patterns (GOPRIVATE syntax) always fetched direct" },
	{ "upstream", "connect_timeout", OPT_INT, F(connect_timeout), "10",
	  1, 600, NULL, NULL, 0,
	  "Seconds to connect to an upstream proxy" },
	{ "upstream", "timeout", OPT_INT, F(fetch_timeout), "600",
	  1, 86400, NULL, NULL, 0,
	  "Seconds one upstream transfer may take in all" },
	{ "upstream", "low_speed_time", OPT_INT, F(low_speed_time), "30",
	  1, 3600, NULL, NULL, 0,
	  "Seconds under 1 KB/s before a transfer is abandoned" },
	{ "upstream", "max_zip_size", OPT_INT, F(max_zip_size), "524288000",
	  1024, ZIP_MAX, NULL, NULL, 0,
	  "Largest module .zip fetched, in bytes; a larger one is a 502 "
	  "(at most 524288000, the go command's limit)" },
	{ "upstream", "max_redirects", OPT_INT, F(max_redirects), "5",
	  0, 20, NULL, NULL, 0,
	  "Redirects followed (never from https to http)" },
	{ "upstream", "ca_file", OPT_PATH, F(ca_file), NULL,
	  0, 0, NULL, check_readable, OPTF_OPTIONAL,
	  "PEM CA bundle for https upstreams (a private CA); empty: the system's" },
	{ "upstream", "retries", OPT_INT, F(retries), "2",
	  0, 10, NULL, NULL, 0,
	  "Extra tries, with backoff, on transient upstream failures" },
	{ "upstream", "list_ttl", OPT_INT, F(list_ttl), "60",
	  0, 86400, NULL, NULL, 0,
	  "Seconds an upstream list or @latest answer is reused" },
	{ "upstream", "notfound_ttl", OPT_INT, F(notfound_ttl), "60",
	  0, 86400, NULL, NULL, 0,
	  "Seconds an upstream \"not found\" is reused" },
	{ "upstream", "wait_timeout", OPT_INT, F(wait_timeout), "120",
	  1, 3600, NULL, NULL, 0,
	  "Seconds a request waits for another's fetch before 504" },
	{ "upstream", "lock_expiry", OPT_INT, F(lock_expiry), "900",
	  10, 86400, NULL, NULL, 0,
	  "Seconds after which a fetch lock of a silent holder is taken over" },
	{ "direct", "go", OPT_STRING, F(go_binary), "go",
	  0, 0, NULL, NULL, 0,
	  "The go command used for direct fetches (a name or a path)" },
	{ "direct", "timeout", OPT_INT, F(direct_timeout), "600",
	  1, 86400, NULL, NULL, 0,
	  "Seconds before a go process group is killed" },
	{ "direct", "workers", OPT_INT, F(direct_workers), "4",
	  1, 256, NULL, NULL, 0,
	  "Concurrent go processes on this host" },
	{ "direct", "netrc", OPT_PATH, F(netrc), NULL,
	  0, 0, NULL, check_readable, OPTF_OPTIONAL,
	  ".netrc with credentials for private repositories (NETRC)" },
	{ "direct", "gitconfig", OPT_PATH, F(gitconfig), NULL,
	  0, 0, NULL, check_readable, OPTF_OPTIONAL,
	  ".gitconfig for go's git (insteadOf rules, credentials)" },
	{ "direct", "hgrc", OPT_PATH, F(hgrc), NULL,
	  0, 0, NULL, check_readable, OPTF_OPTIONAL,
	  ".hgrc for go's Mercurial (HGRCPATH)" },
	{ "direct", "ssh_dir", OPT_PATH, F(ssh_dir), NULL,
	  0, 0, NULL, NULL, OPTF_OPTIONAL,
	  "Directory with ssh config, keys and known_hosts for git over ssh" },
	{ "sumdb", "databases", OPT_STRING, F(sumdb_databases),
	  SUMDB_DEFAULT_KEY " https://sum.golang.org",
	  0, 0, NULL, check_sumdbs, OPTF_OPTIONAL | OPTF_REPEAT,
	  "Checksum databases, \"<verifier key> <upstream URL>\"; repeat the "
	  "key for more (\";\" in the environment); the first verifies" },
	{ "sumdb", "nosum", OPT_STRING, F(sumdb_nosum), "",
	  0, 0, NULL, check_patterns, 0,
	  "Module patterns (GONOSUMDB syntax) never looked up: lookups get 403" },
	{ "sumdb", "verify", OPT_BOOL, F(sumdb_verify), "yes",
	  0, 0, NULL, NULL, 0,
	  "Verify every fetched version against the first database first" },
	{ "sumdb", "cache_ttl", OPT_INT, F(sumdb_cache_ttl), "60",
	  0, 86400, NULL, NULL, 0,
	  "Seconds a database's latest tree and partial tiles are reused" },
	{ "sumdb", "via_proxy", OPT_BOOL, F(sumdb_via_proxy), "yes",
	  0, 0, NULL, NULL, 0,
	  "Read a database through the first [upstream] goproxy proxy that "
	  "serves its /sumdb/<name>/supported, as the go command does" },
	{ "sumdb", "private_key", OPT_PATH, F(sumdb_private_key), NULL,
	  0, 0, NULL, check_signer_file, OPTF_OPTIONAL,
	  "Signer key file (piraeus sumdb-keygen): serve a private database "
	  "of the nosum and goprivate modules" },
	{ "sumdb", "log_dir", OPT_PATH, F(sumdb_log_dir), NULL,
	  0, 0, NULL, NULL, OPTF_OPTIONAL,
	  "Directory of the private checksum database's log (sumdb-log.sqlite), "
	  "on storage every host shares, outside the storage root; unset: "
	  "the log is in this host's index" },
	{ "sumdb", "private_relay", OPT_BOOL, F(sumdb_private_relay), "no",
	  0, 0, NULL, NULL, 0,
	  "The private database also holds every public version (verified "
	  "first), so clients can use it as their only GOSUMDB" },
	{ "access", "file", OPT_PATH, F(access_file), NULL,
	  0, 0, NULL, check_access_file, OPTF_OPTIONAL,
	  "Users, groups and rules of the built-in access check (README "
	  "\"Access\"); empty: no per-user rules" },
	{ "access", "realm", OPT_STRING, F(access_realm), "piraeus",
	  0, 0, NULL, check_realm, 0,
	  "Realm of the WWW-Authenticate challenges of a 401" },
	{ "access", "anonymous", OPT_BOOL, F(access_anonymous), "no",
	  0, 0, NULL, NULL, 0,
	  "With access on, requests without credentials get the modules no "
	  "rule covers (yes) or 401 (no); /healthz is always open" },
	{ "access", "trust_remote_user", OPT_BOOL, F(access_remote_user), "no",
	  0, 0, NULL, NULL, 0,
	  "Take the web server's REMOTE_USER as the user (it authenticated "
	  "the request); turns access on" },
	{ "policy", "filter_file", OPT_PATH, F(filter_file), NULL,
	  0, 0, NULL, check_filter_file, OPTF_OPTIONAL,
	  "Athens' filter file: + include, - exclude (403), D not fetched "
	  "here (the upstream proxy); versions ~ ^ <" },
	{ "policy", "validator_hook", OPT_STRING, F(validator_hook), NULL,
	  0, 0, NULL, check_hook_url, OPTF_OPTIONAL,
	  "URL POSTed {\"Module\",\"Version\"} before a version is fetched: "
	  "200 allows, 403 denies" },
	{ "policy", "validator_timeout", OPT_INT, F(validator_timeout),
	  CONFIG_VALIDATOR_TIMEOUT, 1, 300, NULL, NULL, 0,
	  "Seconds the validator hook may take; then 502" },
	{ "policy", "validator_cache_ttl", OPT_INT, F(validator_cache_ttl),
	  CONFIG_VALIDATOR_CACHE_TTL, 0, 86400, NULL, NULL, 0,
	  "Seconds a hook's allow or deny of a module@version is reused" },
	{ "policy", "vulnerable", OPT_ENUM, F(vulnerable), "allow",
	  0, 0, vulnerable_enums, NULL, 0,
	  "A version the vulnerability database mirror (ROOT/vulndb) lists "
	  "as affected: allow, warn (served, logged, counted) or deny (the "
	  "zip is 403, naming the ids and a fix)" },
	{ "policy", "vulnerable_allow", OPT_STRING, F(vulnerable_allow), "",
	  0, 0, NULL, check_vuln_ids, 0,
	  "Vulnerability ids or aliases (GO-2024-0001, CVE-..., GHSA-...) "
	  "never refused, apart by blanks or commas" },
	{ "policy", "vulnerable_min_age", OPT_INT, F(vulnerable_min_age), "0",
	  0, 3650, NULL, NULL, 0,
	  "Days an entry must have been published before deny applies to "
	  "it; younger ones warn" },
	{ "policy", "private", OPT_STRING, F(policy_private), "",
	  0, 0, NULL, check_patterns, 0,
	  "Private module patterns (GOPRIVATE syntax): fetched direct only, "
	  "never named to a proxy or a public checksum database" },
	{ "policy", "private_access", OPT_ENUM, F(private_access), "none",
	  0, 0, private_access_enums, NULL, 0,
	  "none, or vcs: a private module only for Basic credentials that "
	  "can read its git repository (git ls-remote), else 401/404" },
	{ "policy", "private_access_ttl", OPT_INT, F(private_access_ttl), "60",
	  0, 86400, NULL, NULL, 0,
	  "Seconds a private_access verdict is kept per user, secret and "
	  "repository (0: every request asks the VCS)" },
	{ "policy", "private_access_http", OPT_BOOL, F(private_access_http),
	  "no", 0, 0, NULL, NULL, 0,
	  "yes: private_access may send users' credentials to an http:// "
	  "repository (after insteadOf); no: such a module gets 503" },
	{ "gc", "max_age", OPT_INT, F(gc_max_age), "0",
	  0, 36500, NULL, NULL, 0,
	  "piraeus gc removes versions not fetched for this many days; "
	  "0: no age limit" },
	{ "gc", "max_size", OPT_STRING, F(gc_max_size), "0",
	  0, 0, NULL, check_size, 0,
	  "piraeus gc keeps storage under this many bytes (K, M, G, T: "
	  "powers of 1024), least recently fetched first; 0: no limit" },
	{ "gc", "access_log", OPT_PATH, F(gc_access_log), NULL,
	  0, 0, NULL, NULL, OPTF_OPTIONAL,
	  "The web server's access log (common or combined format): its "
	  "hits are fetches; empty: access times only" },
	{ "gc", "atime", OPT_BOOL, F(gc_atime), "yes",
	  0, 0, NULL, NULL, 0,
	  "Files' access times count as fetches (say no on a noatime mount: "
	  "README \"Storage lifecycle\")" },
	{ "vulndb", "enabled", OPT_BOOL, F(vulndb_enabled), "no",
	  0, 0, NULL, NULL, 0,
	  "yes: piraeus vulndb sync and import keep a mirror of a Go "
	  "vulnerability database in STORAGE/vulndb (served at /vulndb/)" },
	{ "vulndb", "url", OPT_STRING, F(vulndb_url), "https://vuln.go.dev",
	  0, 0, NULL, config_check_vulndb_url, 0,
	  "The vulnerability database piraeus vulndb sync mirrors (its base "
	  "URL: URL/index/db.json...)" },
	{ "vulndb", "ttl", OPT_INT, F(vulndb_ttl), "0",
	  0, 2592000, NULL, NULL, 0,
	  "Seconds after which the responder syncs the mirror itself, once "
	  "its answer is out (0: only piraeus vulndb sync does); "
	  "incremental only: the first generation is piraeus vulndb "
	  "sync's" },
	{ "singleflight", "backend", OPT_ENUM, F(sf_backend), "sqlite",
	  0, 0, sf_backend_enums, NULL, 0,
	  "sqlite: one fetch per version across this host's responders (the "
	  "index's lock table); redis: across every host (README \"Several "
	  "hosts\")" },
	{ "singleflight", "redis", OPT_STRING, F(sf_redis), NULL,
	  0, 0, NULL, check_redis, OPTF_OPTIONAL,
	  "host:port, redis://[:PASSWORD@]host:port[/DB], "
	  "rediss://[:PASSWORD@]host:port[/DB] (TLS), or "
	  "sentinel://host:port,host:port/MASTER" },
	{ "singleflight", "redis_tls_ca", OPT_PATH, F(sf_tls_ca), NULL,
	  0, 0, NULL, check_readable, OPTF_OPTIONAL,
	  "rediss://: PEM file of the CAs that sign redis' certificate; "
	  "empty: the system's CA store" },
	{ "singleflight", "redis_tls_cert", OPT_PATH, F(sf_tls_cert), NULL,
	  0, 0, NULL, check_readable, OPTF_OPTIONAL,
	  "rediss://: PEM client certificate (redis' default "
	  "tls-auth-clients yes wants one), with redis_tls_key" },
	{ "singleflight", "redis_tls_key", OPT_PATH, F(sf_tls_key), NULL,
	  0, 0, NULL, check_readable, OPTF_OPTIONAL,
	  "rediss://: the PEM private key of redis_tls_cert (unencrypted)" },
	{ "singleflight", "prefix", OPT_STRING, F(sf_prefix), "piraeus:",
	  0, 0, NULL, check_redis_prefix, 0,
	  "Prefix of every redis key and channel piraeus uses" },
	{ "singleflight", "on_redis_down", OPT_ENUM, F(sf_on_redis_down),
	  "fail", 0, 0, sf_on_down_enums, NULL, 0,
	  "Redis unreachable: fail (503) or local (this host's sqlite locks: "
	  "one fetch per host until redis is back)" },
};
#define NOPTIONS	NITEMS(options)

#undef F

/* Per-type parse and print: a table rather than a switch in each caller. */
typedef int	 opt_set_fn(struct config *, const struct option *,
		    const char *, char *, size_t);
typedef const char *opt_get_fn(const struct config *, const struct option *,
		    char *, size_t);

static opt_set_fn	opt_set_string;
static opt_set_fn	opt_set_int;
static opt_set_fn	opt_set_enum;
static opt_get_fn	opt_get_string;
static opt_get_fn	opt_get_int;
static opt_get_fn	opt_get_enum;

static const struct {
	opt_set_fn	*set;
	opt_get_fn	*get;
} opt_types[] = {
	[OPT_STRING] = { opt_set_string, opt_get_string },
	[OPT_PATH] = { opt_set_string, opt_get_string },
	[OPT_INT] = { opt_set_int, opt_get_int },
	[OPT_ENUM] = { opt_set_enum, opt_get_enum },
	[OPT_BOOL] = { opt_set_enum, opt_get_enum },
};

/* Rules between keys, checked once everything is read. */
typedef int	 cross_check_fn(const struct config *, char *, size_t);

static cross_check_fn	cross_state_dir;
static cross_check_fn	cross_sumdb_log_dir;
static cross_check_fn	cross_sumdb_log_shared;
static cross_check_fn	cross_catalog;
static cross_check_fn	cross_index;
static cross_check_fn	cross_sumdb_verify;
static cross_check_fn	cross_sumdb_private;
static cross_check_fn	cross_access_vcs;
static cross_check_fn	cross_singleflight;
static cross_check_fn	cross_redis_tls_scheme;
static cross_check_fn	cross_redis_tls_ca;
static cross_check_fn	cross_redis_tls_pair;

static const struct {
	const char	*section;	/* blamed when set outside defaults */
	const char	*key;
	const char	*other_section;	/* else this one, when set */
	const char	*other_key;
	cross_check_fn	*check;
} cross_rules[] = {
	{ "state", "dir", "storage", "root", cross_state_dir },
	{ "sumdb", "log_dir", "storage", "root", cross_sumdb_log_dir },
	{ "sumdb", "log_dir", "sumdb", "private_key", cross_sumdb_log_shared },
	{ "server", "catalog_pagesize", "server", "catalog_max_pagesize",
	  cross_catalog },
	{ "server", "index_limit", "server", "index_max_limit", cross_index },
	{ "sumdb", "verify", "sumdb", "databases", cross_sumdb_verify },
	{ "sumdb", "private_key", "sumdb", "databases", cross_sumdb_private },
	{ "policy", "private_access", "access", "file", cross_access_vcs },
	{ "singleflight", "backend", "singleflight", "redis",
	  cross_singleflight },
	{ "singleflight", "redis", "singleflight", "redis_tls_ca",
	  cross_redis_tls_scheme },
	{ "singleflight", "redis_tls_ca", "singleflight", "redis",
	  cross_redis_tls_ca },
	{ "singleflight", "redis_tls_key", "singleflight", "redis_tls_cert",
	  cross_redis_tls_pair },
};

/* What one config_load call is doing. */
struct load {
	struct config		*cfg;
	struct config_errors	*errs;
	char			*src[NOPTIONS];	/* who set it; NULL: default */
	unsigned char		 in_file[NOPTIONS];
	unsigned char		 in_env[NOPTIONS];
	unsigned char		 refused[NOPTIONS];	/* a value was refused */
	const char		*file;		/* the file being read */
	FILE			*fp;
	int			 lineno;
	size_t			 bytes;
	int			 stop;
};

static int	 why_set(char *, size_t, const char *, ...)
		    PIRAEUS_ATTR_PRINTF(3, 4);
static void	 errs_add(struct config_errors *, const char *, ...)
		    PIRAEUS_ATTR_PRINTF(2, 3);

/* Format a reason into why; always returns -1. */
static int
why_set(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return -1;
}

/* Append one message to errs, one line, up to CONFIG_ERRORS_MAX. */
static void
errs_add(struct config_errors *errs, const char *fmt, ...)
{
	va_list ap;
	char *msg, *p;

	if (errs->n > CONFIG_ERRORS_MAX)
		return;
	if (errs->n == CONFIG_ERRORS_MAX)
		msg = xstrdup("too many configuration errors; "
		    "the rest are not shown");
	else {
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) == -1)
			fatal("vasprintf");
		va_end(ap);
	}
	for (p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	errs->msgs = xreallocarray(errs->msgs, errs->n + 1,
	    sizeof(*errs->msgs));
	errs->msgs[errs->n++] = msg;
}

static const struct option *
opt_find(const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++)
		if (strcmp(options[i].section, section) == 0 &&
		    strcmp(options[i].key, key) == 0)
			return &options[i];
	return NULL;
}

static int
section_known(const char *section)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++)
		if (strcmp(options[i].section, section) == 0)
			return 1;
	return 0;
}

static char **
opt_string_slot(struct config *cfg, const struct option *o)
{
	return (char **)(void *)((char *)cfg + o->off);
}

/*
 * Copy a path into out with runs of "/" made one and the trailing "/"
 * removed ("/" stays "/").  Fails unless absolute and free of "." and ".."
 * components.
 */
static int
path_normalize(const char *in, char *out, size_t outsz, char *why,
    size_t whysz)
{
	const char *p, *seg;
	size_t n = 0, seglen;

	if (in[0] != '/')
		return why_set(why, whysz, "\"%.*s\" is not an absolute path",
		    CONFIG_SHOW_MAX, in);
	for (p = in; *p != '\0';) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		seg = p;
		while (*p != '\0' && *p != '/')
			p++;
		seglen = (size_t)(p - seg);
		if ((seglen == 1 && seg[0] == '.') ||
		    (seglen == 2 && seg[0] == '.' && seg[1] == '.'))
			return why_set(why, whysz,
			    "\"%.*s\" has a \".\" or \"..\" component",
			    CONFIG_SHOW_MAX, in);
		if (n + 1 + seglen >= outsz)
			return why_set(why, whysz, "path too long");
		out[n++] = '/';
		memcpy(out + n, seg, seglen);
		n += seglen;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

static int
opt_set_string(struct config *cfg, const struct option *o, const char *value,
    char *why, size_t whysz)
{
	char norm[CONFIG_VALUE_MAX + 1], **slot;
	const char *v = value, *p;

	if (strlen(value) > CONFIG_VALUE_MAX)
		return why_set(why, whysz, "longer than %d bytes",
		    CONFIG_VALUE_MAX);
	for (p = value; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return why_set(why, whysz,
			    "control character in value");
	slot = opt_string_slot(cfg, o);
	if (*v == '\0' && (o->flags & OPTF_OPTIONAL)) {
		free(*slot);
		*slot = NULL;
		return 0;
	}
	if (o->type == OPT_PATH) {
		if (path_normalize(v, norm, sizeof(norm), why, whysz) == -1)
			return -1;
		v = norm;
	}
	if (o->check != NULL && o->check(v, why, whysz) == -1)
		return -1;
	free(*slot);
	*slot = xstrdup(v);
	return 0;
}

static const char *
opt_get_string(const struct config *cfg, const struct option *o, char *tmp,
    size_t tmpsz)
{
	const char *s;

	s = *(char *const *)(const void *)((const char *)cfg + o->off);
	return s != NULL ? s : "";
}

static int
opt_set_int(struct config *cfg, const struct option *o, const char *value,
    char *why, size_t whysz)
{
	const char *p = value;
	char *end;
	long long ll;

	if (*p == '-')
		p++;
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p))
		return why_set(why, whysz, "\"%.*s\" is not an integer",
		    CONFIG_SHOW_MAX, value);
	errno = 0;
	ll = strtoll(value, &end, 10);
	if (errno == ERANGE || *end != '\0' || ll < o->min || ll > o->max)
		return why_set(why, whysz, "%.*s is out of range (%ld to %ld)",
		    CONFIG_SHOW_MAX, value, o->min, o->max);
	*(long *)(void *)((char *)cfg + o->off) = (long)ll;
	return 0;
}

static const char *
opt_get_int(const struct config *cfg, const struct option *o, char *tmp,
    size_t tmpsz)
{
	snprintf(tmp, tmpsz, "%ld",
	    *(const long *)(const void *)((const char *)cfg + o->off));
	return tmp;
}

static const struct opt_enum *
opt_enums(const struct option *o)
{
	return o->type == OPT_BOOL ? bool_enums : o->enums;
}

static int
opt_set_enum(struct config *cfg, const struct option *o, const char *value,
    char *why, size_t whysz)
{
	const struct opt_enum *e;
	size_t len;
	int n;

	for (e = opt_enums(o); e->name != NULL; e++)
		if (strcmp(e->name, value) == 0) {
			*(int *)(void *)((char *)cfg + o->off) = e->value;
			return 0;
		}
	n = snprintf(why, whysz, "\"%.*s\" is not one of:", CONFIG_SHOW_MAX,
	    value);
	len = n < 0 ? 0 : (size_t)n;
	for (e = opt_enums(o); e->name != NULL && len < whysz; e++) {
		n = snprintf(why + len, whysz - len, "%s %s",
		    e == opt_enums(o) ? "" : ",", e->name);
		len += n < 0 ? 0 : (size_t)n;
	}
	return -1;
}

static const char *
opt_get_enum(const struct config *cfg, const struct option *o, char *tmp,
    size_t tmpsz)
{
	const struct opt_enum *e;
	int v;

	v = *(const int *)(const void *)((const char *)cfg + o->off);
	for (e = opt_enums(o); e->name != NULL; e++)
		if (e->value == v)
			return e->name;
	snprintf(tmp, tmpsz, "%d", v);
	return tmp;
}

/* A URL path: "/" then letters, digits, "-._~" and single "/". */
static int
check_url_path(const char *v, char *why, size_t whysz)
{
	static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
	static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static const char other[] = "0123456789-._~/";
	const char *p, *seg;
	size_t seglen;

	if (v[0] != '/')
		return why_set(why, whysz, "\"%.*s\" does not start with \"/\"",
		    CONFIG_SHOW_MAX, v);
	if (v[strlen(v) - 1] == '/')
		return why_set(why, whysz, "\"%.*s\" ends with \"/\"",
		    CONFIG_SHOW_MAX, v);
	for (p = v; *p != '\0'; p++)
		if (strchr(lower, *p) == NULL && strchr(upper, *p) == NULL &&
		    strchr(other, *p) == NULL)
			return why_set(why, whysz, "\"%.*s\": only letters, "
			    "digits, \"-._~\" and \"/\" are allowed",
			    CONFIG_SHOW_MAX, v);
	for (p = v; *p != '\0';) {
		seg = ++p;
		while (*p != '\0' && *p != '/')
			p++;
		seglen = (size_t)(p - seg);
		if (seglen == 0 || (seglen == 1 && seg[0] == '.') ||
		    (seglen == 2 && seg[0] == '.' && seg[1] == '.'))
			return why_set(why, whysz, "\"%.*s\" has an empty, "
			    "\".\" or \"..\" component", CONFIG_SHOW_MAX, v);
	}
	return 0;
}

static int
check_base_path(const char *v, char *why, size_t whysz)
{
	if (strcmp(v, "/") == 0)
		return why_set(why, whysz, "use \"\" for the site root");
	if (*v == '\0')
		return 0;
	return check_url_path(v, why, whysz);
}

static int
check_accel_prefix(const char *v, char *why, size_t whysz)
{
	if (*v == '\0')
		return why_set(why, whysz, "empty");
	return check_url_path(v, why, whysz);
}

static int
check_readable(const char *v, char *why, size_t whysz)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO must not hang the load. */
	if ((fd = open(v, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return why_set(why, whysz, "%.*s: %s", CONFIG_SHOW_MAX, v,
		    strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return why_set(why, whysz, "%.*s: not a regular file",
		    CONFIG_SHOW_MAX, v);
	}
	close(fd);
	return 0;
}

/*
 * A GOPROXY list: checked by upstream_parse, the parser the responder
 * runs (upstream.c), so that a value that passes here is one that runs.
 */
static int
check_goproxy(const char *v, char *why, size_t whysz)
{
	struct upstream_list l;
	struct err e;

	err_clear(&e);
	if (upstream_parse(v, &l, &e) == -1)
		return why_set(why, whysz, "%s", e.msg);
	upstream_free(&l);
	return 0;
}

/* A download mode: checked by loading it (mode.c). */
static int
check_download_mode(const char *v, char *why, size_t whysz)
{
	struct mode_table t;
	struct err e;

	err_clear(&e);
	if (mode_load(v, &t, &e) == -1) {
		snprintf(why, whysz, "%s", e.msg);
		return -1;
	}
	mode_free(&t);
	return 0;
}

static int
check_patterns(const char *v, char *why, size_t whysz)
{
	return pattern_check(v, why, whysz);
}

/* Checksum databases: "<verifier key> <http(s) URL>" entries, ";" apart. */
static int
check_sumdbs(const char *v, char *why, size_t whysz)
{
	struct sumdb_list dbs;
	struct err e;

	err_clear(&e);
	if (sumdb_parse(v, &dbs, &e) == -1)
		return why_set(why, whysz, "%s", e.msg);
	sumdb_free(&dbs);
	return 0;
}

/* A readable file holding one signer key (PRIVATE+KEY+...). */
static int
check_signer_file(const char *v, char *why, size_t whysz)
{
	struct note_signer s;
	struct err e;

	err_clear(&e);
	if (check_readable(v, why, whysz) == -1)
		return -1;
	if (sumdb_load_signer(v, &s, &e) == -1)
		return why_set(why, whysz, "%s", e.msg);
	explicit_bzero(&s, sizeof(s));
	return 0;
}

/* A size for [gc] max_size: digits, then K, M, G or T at most. */
static int
check_size(const char *v, char *why, size_t whysz)
{
	int64_t n;

	if (gc_size_parse(v, &n) == -1)
		return why_set(why, whysz, "\"%.*s\" is not a size (digits, "
		    "then K, M, G or T)", CONFIG_SHOW_MAX, v);
	return 0;
}

/* An [access] file: loaded and checked as the responder loads it (hashes
 * for their form; check-config hashes with them). */
static int
check_access_file(const char *v, char *why, size_t whysz)
{
	struct access *a;
	struct err e;

	err_clear(&e);
	if (access_load(v, 0, &a, &e) == -1)
		return why_set(why, whysz, "%s", e.msg);
	access_free(a);
	return 0;
}

/* A realm goes into a quoted header value: printable ASCII, no quote or
 * backslash. */
static int
check_realm(const char *v, char *why, size_t whysz)
{
	const char *p;

	if (*v == '\0')
		return why_set(why, whysz, "empty");
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e ||
		    *p == '"' || *p == '\\')
			return why_set(why, whysz, "only printable ASCII "
			    "without '\"' and '\\'");
	if (strlen(v) > 128)
		return why_set(why, whysz, "longer than 128 bytes");
	return 0;
}

/* A filter file: checked by loading it (filter.c), errors with a line. */
static int
check_filter_file(const char *v, char *why, size_t whysz)
{
	struct filter_table t;
	struct err e;

	err_clear(&e);
	if (filter_load(v, &t, &e) == -1)
		return why_set(why, whysz, "%s", e.msg);
	filter_free(&t);
	return 0;
}

/* The validator hook: an http or https URL with a host. */
static int
check_hook_url(const char *v, char *why, size_t whysz)
{
	const char *host;
	size_t i;

	if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else
		return why_set(why, whysz, "\"%.*s\": not an http:// or "
		    "https:// URL", CONFIG_SHOW_MAX, v);
	if (*host == '\0' || *host == '/')
		return why_set(why, whysz, "\"%.*s\": no host", CONFIG_SHOW_MAX,
		    v);
	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
			return why_set(why, whysz, "a blank or control byte "
			    "in the URL");
	return 0;
}

int
config_check_vulndb_url(const char *v, char *why, size_t whysz)
{
	if (strlen(v) >= VULNDB_URL_MAX)
		return why_set(why, whysz, "a URL of %zu bytes (at most %d)",
		    strlen(v), VULNDB_URL_MAX - 1);
	return check_hook_url(v, why, whysz);
}

/* Where redis is: lock_redis_parse's forms. */
static int
check_redis(const char *v, char *why, size_t whysz)
{
	struct lock_redis_target t;
	struct err e;

	err_clear(&e);
	if (lock_redis_parse(v, &t, &e) == -1)
		return why_set(why, whysz, "%s", e.msg);
	explicit_bzero(&t, sizeof(t));
	return 0;
}

/* A prefix of redis names: printable, no blank, at most 64 bytes. */
static int
check_redis_prefix(const char *v, char *why, size_t whysz)
{
	const char *p;

	if (strlen(v) > LOCK_REDIS_PREFIX_MAX)
		return why_set(why, whysz, "longer than %d bytes",
		    LOCK_REDIS_PREFIX_MAX);
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return why_set(why, whysz, "a blank or control byte");
	return 0;
}

/* [policy] vulnerable_allow: ids or aliases apart by blanks or commas. */
static int
check_vuln_ids(const char *v, char *why, size_t whysz)
{
	char id[OSV_ID_MAX];
	size_t n;

	for (; (v = osv_id_next(v, &n)) != NULL; v += n) {
		if (n >= sizeof(id))
			return why_set(why, whysz, "\"%.*s\": an id over %d "
			    "bytes", CONFIG_SHOW_MAX, v, OSV_ID_MAX - 1);
		memcpy(id, v, n);
		id[n] = '\0';
		if (!osv_id_valid(id))
			return why_set(why, whysz, "\"%.*s\": not an id or "
			    "alias ([A-Za-z0-9._-])", CONFIG_SHOW_MAX, id);
	}
	return 0;
}

/* Is a inside b (or equal to it)?  Both absolute and normalised. */
static int
path_inside(const char *a, const char *b)
{
	size_t len = strlen(b);

	if (strcmp(b, "/") == 0)
		return 1;
	return strncmp(a, b, len) == 0 && (a[len] == '\0' || a[len] == '/');
}

static int
cross_state_dir(const struct config *cfg, char *why, size_t whysz)
{
	char *rs, *rr;
	int inside;

	if (cfg->state_dir == NULL || cfg->storage_root == NULL)
		return 0;
	inside = path_inside(cfg->state_dir, cfg->storage_root);
	if (!inside) {
		/* Through symbolic links, when both exist already. */
		rs = realpath(cfg->state_dir, NULL);
		rr = realpath(cfg->storage_root, NULL);
		if (rs != NULL && rr != NULL)
			inside = path_inside(rs, rr);
		free(rs);
		free(rr);
	}
	if (inside)
		return why_set(why, whysz, "%.*s is inside the storage root "
		    "%.*s, which the web server serves", CONFIG_SHOW_MAX,
		    cfg->state_dir, CONFIG_SHOW_MAX, cfg->storage_root);
	return 0;
}

/* [sumdb] log_dir, like the state directory, is never served. */
static int
cross_sumdb_log_dir(const struct config *cfg, char *why, size_t whysz)
{
	struct config c;

	if (cfg->sumdb_log_dir == NULL)
		return 0;
	c = *cfg;
	c.state_dir = cfg->sumdb_log_dir;
	return cross_state_dir(&c, why, whysz);
}

/* Several hosts (singleflight over redis) with a private checksum
 * database need its one log in [sumdb] log_dir: each host's own log in its
 * index would sign its own tree, a fork every client would catch. */
static int
cross_sumdb_log_shared(const struct config *cfg, char *why, size_t whysz)
{
	if (cfg->sf_backend != LOCK_BACKEND_REDIS ||
	    cfg->sumdb_private_key == NULL || cfg->sumdb_log_dir != NULL)
		return 0;
	return why_set(why, whysz, "the private checksum database with "
	    "[singleflight] backend = redis (several hosts) needs [sumdb] "
	    "log_dir, a directory every host shares: without it each host "
	    "would keep and sign a log of its own, forked tree heads");
}

static int
cross_catalog(const struct config *cfg, char *why, size_t whysz)
{
	if (cfg->catalog_pagesize > cfg->catalog_max_pagesize)
		return why_set(why, whysz, "%ld is more than "
		    "catalog_max_pagesize %ld", cfg->catalog_pagesize,
		    cfg->catalog_max_pagesize);
	return 0;
}

static int
cross_index(const struct config *cfg, char *why, size_t whysz)
{
	if (cfg->index_limit > cfg->index_max_limit)
		return why_set(why, whysz, "%ld is more than index_max_limit "
		    "%ld", cfg->index_limit, cfg->index_max_limit);
	return 0;
}

/* Verifying needs a database. */
static int
cross_sumdb_verify(const struct config *cfg, char *why, size_t whysz)
{
	struct sumdb_list dbs;
	struct err e;

	err_clear(&e);
	if (!cfg->sumdb_verify || (cfg->sumdb_databases != NULL &&
	    sumdb_parse(cfg->sumdb_databases, &dbs, &e) == -1))
		return 0;	/* a bad list is reported by the key's check */
	if (cfg->sumdb_databases == NULL || dbs.n == 0)
		return why_set(why, whysz, "verify needs a database in "
		    "[sumdb] databases (or set verify = no)");
	sumdb_free(&dbs);
	return 0;
}

/*
 * [policy] private_access = vcs takes the client's Basic credentials (its
 * git credentials) to the repository; built-in [access] passwords would
 * check the same header against the [access] file, and refuse them.  The
 * two cannot be combined (tokens and REMOTE_USER can).
 */
static int
cross_access_vcs(const struct config *cfg, char *why, size_t whysz)
{
	struct access *a;
	struct err e;
	size_t n;

	err_clear(&e);
	if (cfg->private_access != PRIVATE_ACCESS_VCS ||
	    cfg->access_file == NULL ||
	    access_load(cfg->access_file, 0, &a, &e) == -1)
		return 0;	/* a bad file is reported by its key's check */
	n = access_npasswords(a);
	access_free(a);
	if (n > 0)
		return why_set(why, whysz, "vcs takes the Basic credentials "
		    "to the repository, but [access] file %.*s has "
		    "passwords, which would check them too: use tokens (or "
		    "the web server's REMOTE_USER) for [access], or "
		    "private_access = none", CONFIG_SHOW_MAX,
		    cfg->access_file);
	return 0;
}

/* A private database's name must not shadow one that is proxied. */
static int
cross_sumdb_private(const struct config *cfg, char *why, size_t whysz)
{
	struct sumdb_list dbs;
	struct note_signer s;
	struct err e;
	int rc = 0;

	err_clear(&e);
	if (cfg->sumdb_private_key == NULL || cfg->sumdb_databases == NULL ||
	    sumdb_parse(cfg->sumdb_databases, &dbs, &e) == -1)
		return 0;
	if (sumdb_load_signer(cfg->sumdb_private_key, &s, &e) == 0 &&
	    sumdb_find(&dbs, s.name) != NULL)
		rc = why_set(why, whysz, "the private database %s is also "
		    "in [sumdb] databases", s.name);
	explicit_bzero(&s, sizeof(s));
	sumdb_free(&dbs);
	return rc;
}

int
config_singleflight(const struct config *cfg, struct err *e)
{
	struct lock_opts o;

	o.backend = (enum lock_backend)cfg->sf_backend;
	o.redis = cfg->sf_redis;
	o.prefix = cfg->sf_prefix;
	o.on_down = (enum lock_on_down)cfg->sf_on_redis_down;
	o.tls_ca = cfg->sf_tls_ca;
	o.tls_cert = cfg->sf_tls_cert;
	o.tls_key = cfg->sf_tls_key;
	return lock_setup(&o, e);
}

/* backend = redis needs to know where redis is. */
static int
cross_singleflight(const struct config *cfg, char *why, size_t whysz)
{
	if (cfg->sf_backend == LOCK_BACKEND_REDIS && cfg->sf_redis == NULL)
		return why_set(why, whysz, "redis needs [singleflight] redis "
		    "(host:port, redis://... or sentinel://...)");
	return 0;
}

/* The redis_tls_* keys are for rediss:// only: set with another form,
 * they would be silently unused (a plain connection the operator
 * believes encrypted). */
static int
cross_redis_tls_scheme(const struct config *cfg, char *why, size_t whysz)
{
	struct lock_redis_target t;
	struct err e;

	if (cfg->sf_tls_ca == NULL && cfg->sf_tls_cert == NULL &&
	    cfg->sf_tls_key == NULL)
		return 0;
	err_clear(&e);
	if (cfg->sf_redis != NULL && lock_redis_parse(cfg->sf_redis, &t, &e)
	    == 0 && t.tls) {
		explicit_bzero(&t, sizeof(t));
		return 0;
	}
	explicit_bzero(&t, sizeof(t));
	if (cfg->sf_redis == NULL)
		return why_set(why, whysz, "redis_tls_ca, redis_tls_cert and "
		    "redis_tls_key are for a rediss:// redis (TLS): they need "
		    "[singleflight] redis = rediss://..., which is not set");
	return why_set(why, whysz, "redis_tls_ca, redis_tls_cert and "
	    "redis_tls_key are for a rediss:// redis (TLS); this one is "
	    "plain TCP%s", cfg->sf_redis != NULL &&
	    strncmp(cfg->sf_redis, "sentinel://", 11) == 0 ? " (sentinel:// "
	    "is plain TCP only)" : "");
}

/* redis_tls_ca loads as the connect will load it. */
static int
cross_redis_tls_ca(const struct config *cfg, char *why, size_t whysz)
{
	const struct redis_tls t = { cfg->sf_tls_ca, NULL, NULL };
	struct err e;

	if (cfg->sf_tls_ca == NULL)
		return 0;
	err_clear(&e);
	if (redis_conn_tls_check(&t, &e) == -1)
		return why_set(why, whysz, "%s", e.msg);
	return 0;
}

/* redis_tls_cert and redis_tls_key: both or neither, and the key is the
 * certificate's. */
static int
cross_redis_tls_pair(const struct config *cfg, char *why, size_t whysz)
{
	const struct redis_tls t = { NULL, cfg->sf_tls_cert, cfg->sf_tls_key };
	struct err e;

	if (cfg->sf_tls_cert == NULL && cfg->sf_tls_key == NULL)
		return 0;
	if (cfg->sf_tls_cert == NULL || cfg->sf_tls_key == NULL)
		return why_set(why, whysz, "redis_tls_cert and redis_tls_key "
		    "go together (a client certificate and its key): %s is "
		    "missing", cfg->sf_tls_cert == NULL ? "redis_tls_cert" :
		    "redis_tls_key");
	err_clear(&e);
	if (redis_conn_tls_check(&t, &e) == -1)
		return why_set(why, whysz, "%s", e.msg);
	return 0;
}

/* Set one key from source src (a file or a variable), collecting errors. */
static void
load_set(struct load *l, const struct option *o, const char *value,
    const char *src)
{
	char why[CONFIG_WHY_MAX];
	size_t i = (size_t)(o - options);

	if (opt_types[o->type].set(l->cfg, o, value, why, sizeof(why)) == -1) {
		errs_add(l->errs, "%s: [%s] %s: %s", src, o->section, o->key,
		    why);
		l->refused[i] = 1;
		return;
	}
	free(l->src[i]);
	l->src[i] = xstrdup(src);
}

static void
load_defaults(struct load *l)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++)
		if (options[i].def != NULL)
			load_set(l, &options[i], options[i].def, "default");
	for (i = 0; i < NOPTIONS; i++) {
		free(l->src[i]);
		l->src[i] = NULL;
	}
}

/* A repeated OPTF_REPEAT key: its value joins the earlier ones. */
static void
load_repeat(struct load *l, const struct option *o, const char *value)
{
	const char *old = *opt_string_slot(l->cfg, o);
	char *joined;

	if (old == NULL || *old == '\0') {
		load_set(l, o, value, l->file);
		return;
	}
	xasprintf(&joined, "%s;%s", old, value);
	load_set(l, o, joined, l->file);
	free(joined);
}

/* inih handler: always "success"; our own errors are collected. */
static int
load_handler(void *arg, const char *section, const char *key,
    const char *value)
{
	struct load *l = arg;
	const struct option *o;
	size_t i;

	if (value == NULL) {
		errs_add(l->errs, "%s:%d: [%s] %s: no value", l->file,
		    l->lineno, section, key);
		return 1;
	}
	if (*section == '\0') {
		errs_add(l->errs, "%s: [] %s: key outside any section",
		    l->file, key);
		return 1;
	}
	if (!section_known(section)) {
		errs_add(l->errs, "%s: [%s] %s: unknown section", l->file,
		    section, key);
		return 1;
	}
	if ((o = opt_find(section, key)) == NULL) {
		errs_add(l->errs, "%s: [%s] %s: unknown key", l->file,
		    section, key);
		return 1;
	}
	i = (size_t)(o - options);
	if (l->in_file[i] && (o->flags & OPTF_REPEAT)) {
		load_repeat(l, o, value);
		return 1;
	}
	if (l->in_file[i]) {
		errs_add(l->errs, "%s: [%s] %s: duplicate key", l->file,
		    section, key);
		return 1;
	}
	l->in_file[i] = 1;
	load_set(l, o, value, l->file);
	return 1;
}

/*
 * inih line reader.  Reports a line longer than inih's buffer and hands
 * inih an empty line instead of the two halves it would otherwise parse;
 * removes leading blanks so no line is a multi-line continuation.
 */
static char *
load_reader(char *str, int num, void *arg)
{
	struct load *l = arg;
	size_t len, skip;
	int c, toolong = 0;

	if (l->stop || num < 4 || fgets(str, num, l->fp) == NULL)
		return NULL;
	l->lineno++;
	len = strlen(str);
	l->bytes += len;
	if (len == (size_t)num - 1 && str[len - 1] != '\n') {
		c = getc(l->fp);
		if (c != EOF && c != '\n') {
			toolong = 1;
			while ((c = getc(l->fp)) != EOF && c != '\n')
				l->bytes++;
		}
	}
	if (l->bytes > CONFIG_FILE_MAX) {
		errs_add(l->errs, "%s: larger than %d bytes", l->file,
		    CONFIG_FILE_MAX);
		l->stop = 1;
		return NULL;
	}
	if (toolong) {
		errs_add(l->errs, "%s:%d: line too long (more than %d "
		    "characters)", l->file, l->lineno, num - 3);
		str[0] = '\n';
		str[1] = '\0';
		return str;
	}
	skip = strspn(str, " \t");
	if (skip > 0)
		memmove(str, str + skip, len - skip + 1);
	return str;
}

/*
 * Read the file at path.  A missing file is an error only when must_exist;
 * named_by says where the name came from, for the message.
 */
static void
load_file(struct load *l, const char *path, int must_exist,
    const char *named_by)
{
	struct stat st;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		if (errno == ENOENT && !must_exist)
			return;
		errs_add(l->errs, "%s: %s%s", path, strerror(errno),
		    named_by);
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		errs_add(l->errs, "%s: not a regular file%s", path, named_by);
		close(fd);
		return;
	}
	if ((l->fp = fdopen(fd, "r")) == NULL)
		fatal("fdopen");
	l->cfg->file = xstrdup(path);
	l->file = l->cfg->file;
	rc = ini_parse_stream(load_reader, l, load_handler, l);
	if (ferror(l->fp))
		errs_add(l->errs, "%s: read error", path);
	else if (rc > 0)
		errs_add(l->errs, "%s:%d: syntax error", path, rc);
	else if (rc < 0)
		errs_add(l->errs, "%s: cannot parse (inih error %d)", path,
		    rc);
	fclose(l->fp);
	l->fp = NULL;
}

/* PIRAEUS_SERVER_BASE_PATH for [server] base_path. */
static void
opt_env_name(const char *section, const char *key, char *buf, size_t bufsz)
{
	char *p;

	snprintf(buf, bufsz, CONFIG_ENV_PREFIX "%s_%s", section, key);
	for (p = buf; *p != '\0'; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (*p == '-')
			*p = '_';
	}
}

static const char *
env_get(char *const *envp, const char *name)
{
	size_t len = strlen(name);

	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

/*
 * An unknown PIRAEUS_<SECTION>_<REST> variable, with SECTION a known
 * section: report it as the key it looks like.
 */
static void
load_env_unknown(struct load *l, const char *name)
{
	char prefix[CONFIG_ENVNAME_MAX], key[CONFIG_ENVNAME_MAX];
	const char *rest;
	size_t i, j, len;

	for (i = 0; i < NOPTIONS; i++) {
		opt_env_name(options[i].section, "", prefix, sizeof(prefix));
		len = strlen(prefix);
		if (strncmp(name, prefix, len) != 0 || name[len] == '\0')
			continue;
		rest = name + len;
		for (j = 0; rest[j] != '\0' && j < sizeof(key) - 1; j++)
			key[j] = (rest[j] >= 'A' && rest[j] <= 'Z') ?
			    (char)(rest[j] - 'A' + 'a') : rest[j];
		key[j] = '\0';
		errs_add(l->errs, "%s: [%s] %s: unknown key", name,
		    options[i].section, key);
		return;
	}
}

static void
load_env(struct load *l, char *const *envp)
{
	char name[CONFIG_ENVNAME_MAX], want[CONFIG_ENVNAME_MAX];
	const char *e, *eq;
	size_t i, len;

	for (; *envp != NULL; envp++) {
		e = *envp;
		if (strncmp(e, CONFIG_ENV_PREFIX,
		    strlen(CONFIG_ENV_PREFIX)) != 0 ||
		    (eq = strchr(e, '=')) == NULL)
			continue;
		len = (size_t)(eq - e);
		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		memcpy(name, e, len);
		name[len] = '\0';
		if (strcmp(name, CONFIG_ENV_FILE) == 0)
			continue;
		for (i = 0; i < NOPTIONS; i++) {
			opt_env_name(options[i].section, options[i].key, want,
			    sizeof(want));
			if (strcmp(name, want) == 0)
				break;
		}
		if (i == NOPTIONS) {
			load_env_unknown(l, name);
			continue;
		}
		/* The first one wins, as with getenv(3). */
		if (l->in_env[i])
			continue;
		l->in_env[i] = 1;
		load_set(l, &options[i], eq + 1, name);
	}
}

static void
load_cross(struct load *l)
{
	char why[CONFIG_WHY_MAX];
	const struct option *a, *b, *blame;
	const char *src;
	size_t i;

	for (i = 0; i < NITEMS(cross_rules); i++) {
		a = opt_find(cross_rules[i].section, cross_rules[i].key);
		b = opt_find(cross_rules[i].other_section,
		    cross_rules[i].other_key);
		/* A key whose value was refused is said once, by its own
		 * error, not again as missing by the keys it goes with. */
		if (l->refused[a - options] || l->refused[b - options] ||
		    cross_rules[i].check(l->cfg, why, sizeof(why)) == 0)
			continue;
		blame = a;
		if (l->src[a - options] == NULL && l->src[b - options] != NULL)
			blame = b;
		src = l->src[blame - options];
		errs_add(l->errs, "%s: [%s] %s: %s", src != NULL ? src :
		    "default", blame->section, blame->key, why);
	}
}

const char *
config_default_path(void)
{
	return SYSCONFDIR "/piraeus/piraeus.ini";
}

/* A Cache-Control value (scope "public" or "private") with max-age
 * seconds into out. */
static void
config_max_age(char *out, size_t outsz, const char *scope, long seconds)
{
	snprintf(out, outsz, "%s, max-age=%ld", scope, seconds);
}

/*
 * The go command's private patterns from envp (cmd/go/internal/cfg):
 * GOPRIVATE; GONOPROXY and GONOSUMDB when set and not empty, else
 * GOPRIVATE.  Each is checked as [policy] private is.
 */
static void
load_private_env(struct load *l, char *const *envp)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} vars[] = {
		{ "GOPRIVATE", offsetof(struct config, env_goprivate) },
		{ "GONOPROXY", offsetof(struct config, env_noproxy) },
		{ "GONOSUMDB", offsetof(struct config, env_nosumdb) },
	};
	char why[CONFIG_WHY_MAX];
	const char *v, *priv;
	size_t i;

	priv = env_get(envp, "GOPRIVATE");
	if (priv == NULL)
		priv = "";
	for (i = 0; i < NITEMS(vars); i++) {
		v = env_get(envp, vars[i].name);
		if (v == NULL || *v == '\0')
			v = priv;
		if (strlen(v) > CONFIG_VALUE_MAX)
			errs_add(l->errs, "%s (environment): longer than %d "
			    "bytes", vars[i].name, CONFIG_VALUE_MAX);
		else if (pattern_check(v, why, sizeof(why)) == -1)
			errs_add(l->errs, "%s (environment): %s",
			    vars[i].name, why);
		*(char **)(void *)((char *)l->cfg + vars[i].off) = xstrdup(v);
	}
}

/* The Cache-Control values that depend on the config, formatted once. */
static void
config_cache_build(struct config *cfg)
{
	config_max_age(cfg->cache_list, sizeof(cfg->cache_list), "public",
	    cfg->list_max_age);
	config_max_age(cfg->cache_notfound, sizeof(cfg->cache_notfound),
	    "public", cfg->notfound_max_age);
	config_max_age(cfg->cache_sumdb, sizeof(cfg->cache_sumdb), "public",
	    cfg->sumdb_cache_ttl);
	config_max_age(cfg->cache_list_private,
	    sizeof(cfg->cache_list_private), "private", cfg->list_max_age);
	config_max_age(cfg->cache_notfound_private,
	    sizeof(cfg->cache_notfound_private), "private",
	    cfg->notfound_max_age);
	config_max_age(cfg->cache_sumdb_private,
	    sizeof(cfg->cache_sumdb_private), "private", cfg->sumdb_cache_ttl);
}

/*
 * cfg is overwritten (free a previous load first); errs must be empty or
 * hold earlier messages, which are kept.
 */
int
config_load(struct config *cfg, const char *path, char *const *envp,
    struct config_errors *errs)
{
	struct load l;
	const char *named;
	size_t i;

	if (envp == NULL)
		envp = environ;
	memset(cfg, 0, sizeof(*cfg));
	memset(&l, 0, sizeof(l));
	l.cfg = cfg;
	l.errs = errs;

	load_defaults(&l);
	if (path != NULL)
		load_file(&l, path, 1, "");
	else if ((named = env_get(envp, CONFIG_ENV_FILE)) != NULL) {
		if (*named == '\0')
			errs_add(errs, CONFIG_ENV_FILE ": empty file name");
		else
			load_file(&l, named, 1, " (named by " CONFIG_ENV_FILE
			    ")");
	} else
		load_file(&l, config_default_path(), 0, "");
	load_env(&l, envp);
	load_private_env(&l, envp);
	load_cross(&l);
	config_cache_build(cfg);

	for (i = 0; i < NOPTIONS; i++)
		free(l.src[i]);
	return errs->n == 0 ? 0 : -1;
}

/* Safe on a zeroed or partly loaded config, and twice. */
void
config_free(struct config *cfg)
{
	size_t i;
	char **slot;

	for (i = 0; i < NOPTIONS; i++) {
		if (options[i].type != OPT_STRING &&
		    options[i].type != OPT_PATH)
			continue;
		slot = opt_string_slot(cfg, &options[i]);
		free(*slot);
		*slot = NULL;
	}
	free(cfg->file);
	cfg->file = NULL;
	free(cfg->env_goprivate);
	free(cfg->env_noproxy);
	free(cfg->env_nosumdb);
	cfg->env_goprivate = cfg->env_noproxy = cfg->env_nosumdb = NULL;
}

void
config_errors_free(struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

void
config_dump(const struct config *cfg, FILE *fp)
{
	char tmp[64], *shown;
	size_t sz;
	const char *section = NULL, *v;
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		if (section == NULL ||
		    strcmp(section, options[i].section) != 0) {
			fprintf(fp, "%s[%s]\n", section != NULL ? "\n" : "",
			    options[i].section);
			section = options[i].section;
		}
		v = opt_types[options[i].type].get(cfg, &options[i], tmp,
		    sizeof(tmp));
		/* A URL's password is never printed (goproxy, sumdbs). */
		sz = strlen(v) * 2 + 16;	/* room for each "xxxxx" */
		shown = xmalloc(sz);
		upstream_redact_text(v, shown, sz);
		fprintf(fp, "%s =%s%s\n", options[i].key,
		    *shown != '\0' ? " " : "", shown);
		free(shown);
	}
}

void
config_describe(FILE *fp)
{
	const char *section = NULL, *def;
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		if (section == NULL ||
		    strcmp(section, options[i].section) != 0) {
			fprintf(fp, "%s[%s]\n", section != NULL ? "\n" : "",
			    options[i].section);
			section = options[i].section;
		}
		def = options[i].def != NULL ? options[i].def : "";
		fprintf(fp, "\n; %s\n;%s =%s%s\n", options[i].help,
		    options[i].key, *def != '\0' ? " " : "", def);
	}
}

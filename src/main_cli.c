/*
 * main_cli.c: piraeus, the command line.
 *
 *   piraeus [--version | --help | -h] COMMAND [ARGS]
 *
 * Commands are a table (tmux's cmd_entry): each has a name, its argument
 * count, a usage line and a function.  They read the same configuration
 * as the responder (PIRAEUS_CONFIG and PIRAEUS_* variables).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "piraeus.h"
#include "prefetch.h"

#define CLI_ARGS_MAX	100000	/* arguments of one command */

struct cli_cmd {
	const char	*name;
	int		 min_args;
	int		 max_args;
	int		 needs_config;
	const char	*usage;
	const char	*help;
	const char	*exits;		/* its exit statuses, for -h */
	int		 own_help;	/* fn answers -h itself (its options) */
	int		(*fn)(struct config *, int, char **);
	int		 config_exit;	/* exit status when the configuration
					 * does not load (0: 1) */
};

static int	cli_check_config(struct config *, int, char **);
static int	cli_reindex(struct config *, int, char **);
static int	cli_import(struct config *, int, char **);
static int	cli_sumdb_keygen(struct config *, int, char **);
static int	cli_verify(struct config *, int, char **);
static int	cli_purge(struct config *, int, char **);
static int	cli_pack(struct config *, int, char **);
static int	cli_prefetch(struct config *, int, char **);
static int	cli_export(struct config *, int, char **);
static int	cli_gc(struct config *, int, char **);
static int	cli_catalog(struct config *, int, char **);
static int	cli_stats(struct config *, int, char **);
static int	cli_audit(struct config *, int, char **);
static int	cli_vulndb(struct config *, int, char **);

#define CLI_EXITS	"0 done, 1 failed, 2 usage"

static const struct cli_cmd cli_cmds[] = {
	{ "check-config", 0, 1, 0, "check-config [-v]",
	    "check the configuration: say which file it read, report every "
	    "error and a missing storage root; -v also prints every key",
	    "0 the configuration is valid and the storage root exists, 1 "
	    "an error, 2 usage", 0, cli_check_config },
	{ "catalog", 0, 2, 1, "catalog [--json] [MODULE]",
	    "list every indexed module with its number of versions, or "
	    "MODULE's versions (version, .info Time, zip h1); --json: "
	    "{\"modules\":[{\"module\",\"versions\":[...]}]} or "
	    "{\"module\",\"versions\":[{...}]}",
	    "0 listed, 1 MODULE has no version indexed or the index is "
	    "unreadable, 2 usage", 0, cli_catalog },
	{ "stats", 0, 1, 1, "stats [--json]",
	    "modules, versions, bytes and files per kind (.info .mod .zip) "
	    "of the tree, the same from the index, the index's size, the "
	    "oldest and newest fetch, the private log's records",
	    CLI_EXITS, 0, cli_stats },
	{ "audit", 0, 1, 1, "audit [--json]",
	    "list every stored version that the vulnerability database "
	    "mirror (STORAGE/vulndb, piraeus vulndb sync) lists as affected: "
	    "its ids and aliases, the fixed version, and the stored "
	    "versions whose go.mod requires it (directly, or through "
	    "others); --json: {\"modified\",\"checked\",\"affected\":"
	    "[{\"module\",\"version\",\"vulns\":[{\"id\",\"aliases\","
	    "\"fixed\"}],\"required_by\",\"required_through\"}]}",
	    "0 no stored version is affected, 1 some are (listed), 2 usage, "
	    "3 no mirror, the mirror or the index cannot be read, or the "
	    "configuration does not load",
	    0, cli_audit, 3 },
	{ "reindex", 0, 0, 1, "reindex",
	    "rebuild the index from the storage tree", CLI_EXITS, 0,
	    cli_reindex },
	{ "import", 1, 1, 1, "import DIR",
	    "check and copy into storage every version of DIR: a GOPROXY "
	    "tree (pack -o output, another piraeus), a Go module cache (its "
	    "root or cache/download) or an Athens disk tree; bad versions "
	    "are told and skipped",
	    "0 every version imported or present, 1 a version skipped or "
	    "DIR unusable, 2 usage", 0, cli_import },
	{ "pack", 3, 7, 0, "pack [-o OUTDIR] [--time T] DIR MODULE VERSION",
	    "make MODULE@VERSION's .zip, .mod and .info from the source tree "
	    "DIR as the go command would from a tag; into storage (indexed, "
	    "logged by the private checksum database), or the GOPROXY tree "
	    "OUTDIR; T: the .info Time (RFC 3339, default now)",
	    "0 packed, 1 refused (the reason is told) or failed, 2 usage",
	    0, cli_pack },
	{ "gc", 0, 2, 1, "gc [--dry-run] [--force]",
	    "remove versions not fetched for [gc] max_age days, then the "
	    "least recently fetched while storage is over [gc] max_size; "
	    "never one a kept version's go.mod requires (unless --force); "
	    "--dry-run prints what would go and changes nothing",
	    "0 gc ran (also with nothing to do), 1 an error, 2 usage",
	    0, cli_gc },
	{ "sumdb-keygen", 2, 2, 0, "sumdb-keygen NAME FILE",
	    "make a key for a private checksum database: the signer key "
	    "into FILE (new, mode 0600), the verifier key on stdout",
	    "0 made, 1 failed (FILE exists, a bad NAME), 2 usage",
	    0, cli_sumdb_keygen },
	{ "verify", 0, 1024, 1, "verify [--quarantine] [MODULE[@VERSION]...]",
	    "hash every stored version again and compare with the index, "
	    "the checksum database and the private log; --quarantine moves "
	    "bad versions to STORAGE/.quarantine",
	    "0 all well, 1 a problem found (or a check failed), 2 usage",
	    0, cli_verify },
	{ "purge", 1, 2, 1, "purge MODULE[@VERSION] [--yes]",
	    "remove a version (or every version of a module) from storage "
	    "and the index, after a question on a terminal or with --yes",
	    "0 removed, 1 failed or nothing stored, 2 usage or not "
	    "confirmed", 0, cli_purge },
	{ "prefetch", 1, CLI_ARGS_MAX, 0,
	    "prefetch -f GO.MOD [GO.SUM] | MODULE@VERSION...",
	    "fetch a module graph into storage through the upstreams, "
	    "checked against go.sum (-h: more)",
	    "0 every version stored, 1 a version failed, 2 usage",
	    1, cli_prefetch },
	{ "export", 0, CLI_ARGS_MAX, 0,
	    "export -o FILE.tar | -d DIR [MODULE[@VERSION]...]",
	    "write stored versions (all, or those named) as a tarball or a "
	    "GOPROXY tree for import DIR (-h: more)",
	    "0 written, 1 a named version missing or a write failed, 2 "
	    "usage", 1, cli_export },
	{ "vulndb", 1, 4, 1,
	    "vulndb sync [--url URL] [--force] | vulndb import [--force] "
	    "DIR|TARBALL",
	    "mirror a Go vulnerability database into STORAGE/vulndb (served "
	    "at /vulndb/): sync gets what changed from [vulndb] url (or URL) "
	    "since the last sync, import takes a copy carried from a "
	    "connected host (a directory or a tarball, plain or gzip, of a "
	    "database or of STORAGE/vulndb); every entry is checked against "
	    "its index and the whole set is switched at once; a database "
	    "older than the mirror is refused; --force: a new set even when "
	    "db.json did not change or is older; needs [vulndb] enabled",
	    "0 the mirror is up to date, 1 failed (the served set is "
	    "unchanged), 2 usage", 0, cli_vulndb },
};
#define CLI_NCMDS NITEMS(cli_cmds)

/* text on f, words wrapped before column 76, each line indented. */
static void
cli_wrap(FILE *f, const char *indent, const char *text)
{
	size_t col = 0, w, ind = strlen(indent);
	const char *p = text;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		w = strcspn(p, " ");
		if (w == 0)
			break;
		if (col == 0) {
			fputs(indent, f);
			col = ind;
		} else if (col + 1 + w > 76) {
			fprintf(f, "\n%s", indent);
			col = ind;
		} else {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += w;
		p += w;
	}
	if (col > 0)
		fputc('\n', f);
}

static void
usage(FILE *f)
{
	char ex[512];
	size_t i;

	fprintf(f, "usage: piraeus [--version | --help] COMMAND [ARGS]\n\n"
	    "commands:\n");
	for (i = 0; i < CLI_NCMDS; i++) {
		fprintf(f, "  %s\n", cli_cmds[i].usage);
		cli_wrap(f, "      ", cli_cmds[i].help);
		snprintf(ex, sizeof(ex), "exit status: %s", cli_cmds[i].exits);
		cli_wrap(f, "      ", ex);
	}
	fprintf(f, "\n'piraeus COMMAND -h' shows one command's usage.  Exit "
	    "status: 0 done, 1 failed, 2 usage (each command's above).\n");
	fprintf(f, "\nThe configuration is the INI file named by PIRAEUS_CONFIG "
	    "(default %s);\nPIRAEUS_<SECTION>_<KEY> variables override its "
	    "keys.\n", config_default_path());
}

/* Load the configuration, printing every error; 0 when it is valid. */
static int
cli_load(struct config *cfg)
{
	struct config_errors errs = { NULL, 0 };
	size_t i;
	int rc;

	rc = config_load(cfg, NULL, NULL, &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "piraeus: %s\n", errs.msgs[i]);
	if (errs.n > 0)
		rc = -1;
	config_errors_free(&errs);
	return rc;
}

/*
 * The [access] file checked in full: each hash is hashed with once (what
 * a login costs; the responder checks only their form).  Then a warning
 * when rules exist but nothing says every request reaches the responder:
 * static hits would bypass them.  0, or -1 when the file is wrong.
 */
static int
cli_check_access(const struct config *cfg)
{
	struct access *a = NULL;
	struct err e;

	err_clear(&e);
	if (cfg->access_file == NULL)
		return 0;
	if (access_load(cfg->access_file, ACCESS_LOAD_VERIFY, &a, &e) == -1) {
		fprintf(stderr, "piraeus: [access] file: %s\n", e.msg);
		return -1;
	}
	if (access_nrules(a) > 0 && !cfg->every_request)
		fprintf(stderr, "piraeus: warning: [access] file %s has rules, "
		    "but [server] every_request is no: files the web server "
		    "serves from storage bypass them; send every request to "
		    "the responder (README \"Access\") and set every_request "
		    "= yes\n", cfg->access_file);
	access_free(a);
	return 0;
}

/*
 * Say which file was read (or that none was: then only the built-in
 * defaults and PIRAEUS_* variables apply), report every configuration
 * error, and check that the storage root exists as a directory, as every
 * command and the responder need.  0 when all is well, 1 otherwise.
 */
/* check-config's word on [sumdb] log_dir (with a private_key): an
 * existing directory this user may write (on the shared file system: a
 * directory missing here is a mount missing, not made); says which log
 * every host must share.  0, or -1 and a message on stderr. */
static int
cli_check_log_dir(const struct config *cfg)
{
	struct stat sb;

	if (cfg->sumdb_private_key == NULL || cfg->sumdb_log_dir == NULL)
		return 0;
	if (stat(cfg->sumdb_log_dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "piraeus: [sumdb] log_dir: %s: %s (it must be "
		    "the directory every host shares: mount it, or make it "
		    "there)\n", cfg->sumdb_log_dir, access(cfg->sumdb_log_dir,
		    F_OK) == -1 ? strerror(errno) : "not a directory");
		return -1;
	}
	if (access(cfg->sumdb_log_dir, W_OK | X_OK) == -1) {
		fprintf(stderr, "piraeus: [sumdb] log_dir: %s: %s (the log "
		    "is written there)\n", cfg->sumdb_log_dir,
		    strerror(errno));
		return -1;
	}
	printf("private checksum log: %s/sumdb-log.sqlite (the same file "
	    "on every host)\n", cfg->sumdb_log_dir);
	return 0;
}

static int
cli_check_config(struct config *cfg, int argc, char **argv)
{
	struct store s;
	struct err e;
	int rc;

	if (argc == 1 && strcmp(argv[0], "-v") != 0) {
		usage(stderr);
		return 2;
	}
	rc = cli_load(cfg);
	if (cfg->file != NULL)
		printf("configuration file: %s\n", cfg->file);
	else if (getenv("PIRAEUS_CONFIG") == NULL)
		printf("configuration file: none (PIRAEUS_CONFIG is unset and "
		    "%s does not exist): built-in defaults and PIRAEUS_* "
		    "variables only\n", config_default_path());
	if (rc == -1)
		return 1;
	if (argc == 1)
		config_dump(cfg, stdout);
	err_clear(&e);
	if (store_open(&s, cfg->storage_root, &e) == -1) {
		fprintf(stderr, "piraeus: [storage] root: %s (create it, or "
		    "set root in [storage] or PIRAEUS_STORAGE_ROOT)\n", e.msg);
		return 1;
	}
	store_close(&s);
	if (cli_check_access(cfg) == -1 || cli_check_log_dir(cfg) == -1)
		return 1;
	/* Redis is asked once: a lock needs it (or on_redis_down = local). */
	if (cfg->sf_backend == LOCK_BACKEND_REDIS) {
		if (config_singleflight(cfg, &e) == -1 ||
		    lock_redis_check(&e) == -1) {
			fprintf(stderr, "piraeus: [singleflight] redis: %s%s\n",
			    e.msg, cfg->sf_on_redis_down == LOCK_DOWN_LOCAL ?
			    " (on_redis_down = local: each host would fetch "
			    "on its own meanwhile)" : "");
			return 1;
		}
		printf("singleflight: redis answers%s\n",
		    strncmp(cfg->sf_redis, "rediss://", 9) == 0 ?
		    " (over TLS)" : "");
	}
	printf("configuration OK\n");
	return 0;
}

/* Open storage and index for a command that changes them. */
static int
cli_open(struct config *cfg, struct store *s, struct index **idx)
{
	struct err e;

	err_clear(&e);
	if (config_singleflight(cfg, &e) == -1 ||
	    store_open(s, cfg->storage_root, &e) == -1 ||
	    store_check_tmp(s, &e) == -1 ||
	    index_open(idx, cfg->state_dir, &e) == -1) {
		fprintf(stderr, "piraeus: %s\n", e.msg);
		store_close(s);
		return -1;
	}
	return 0;
}

static int
cli_reindex(struct config *cfg, int argc, char **argv)
{
	struct reindex_stats st;
	struct index *idx;
	struct store s;
	struct err e;
	int rc;

	if (cli_open(cfg, &s, &idx) == -1)
		return 1;
	err_clear(&e);
	store_sweep_tmp(&s, 2 * cfg->lock_expiry);
	rc = reindex_run(&s, idx, &st, &e);
	if (rc == -1)
		fprintf(stderr, "piraeus: reindex: %s\n", e.msg);
	else
		printf("indexed %ld versions, skipped %ld\n", st.versions,
		    st.skipped);
	index_close(idx);
	store_close(&s);
	return rc == -1 ? 1 : 0;
}

/* What pack and import publish with: storage, index, and the private
 * checksum database's hook for the modules it records. */
struct cli_pub {
	const struct config	*cfg;
	struct store		 s;
	struct index		*idx;
	struct index		*logidx;	/* [sumdb] log_dir's, or NULL */
	struct note_signer	 signer;
	int			 has_signer;
	struct publish_hook	 hook;
	struct publish_env	 logged, plain;
};

/* The private checksum database's after-publish hook. */
static int
cli_log_hook(void *arg, const struct index_version *iv, struct err *e)
{
	struct cli_pub *p = arg;

	return sumdb_log_add(p->logidx != NULL ? p->logidx : p->idx,
	    &p->signer, iv->module, iv->version, iv->zip_h1, iv->mod_h1, e);
}

/* The publish environment for module: logged as the responder would
 * (a private module, or every module with [sumdb] private_relay). */
static const struct publish_env *
cli_pub_env(void *arg, const char *module)
{
	struct cli_pub *p = arg;

	if (p->has_signer && (policy_private(p->cfg, module) ||
	    p->cfg->sumdb_private_relay))
		return &p->logged;
	return &p->plain;
}

/*
 * The publish environment of an imported version: never logged at import.
 * Records of the private checksum database come with the lookups, in their
 * order, as for a version fetched on a miss (the responder logs a stored
 * private version when it is first looked up).
 */
static const struct publish_env *
cli_import_env(void *arg, const char *module)
{
	struct cli_pub *p = arg;

	(void)module;
	return &p->plain;
}

/* Open storage, index and the signer key for pack and import. */
static int
cli_pub_open(struct config *cfg, struct cli_pub *p)
{
	struct err e;

	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	if (cli_open(cfg, &p->s, &p->idx) == -1)
		return -1;
	err_clear(&e);
	if (cfg->sumdb_private_key != NULL) {
		if (sumdb_load_signer(cfg->sumdb_private_key, &p->signer,
		    &e) == -1 || (cfg->sumdb_log_dir != NULL &&
		    index_open_log(&p->logidx, cfg->sumdb_log_dir, &e) == -1)) {
			fprintf(stderr, "piraeus: %s\n", e.msg);
			explicit_bzero(&p->signer, sizeof(p->signer));
			index_close(p->idx);
			store_close(&p->s);
			return -1;
		}
		p->has_signer = 1;
	}
	p->hook.name = "private checksum database";
	p->hook.fn = cli_log_hook;
	p->hook.arg = p;
	p->plain.store = p->logged.store = &p->s;
	p->plain.idx = p->logged.idx = p->idx;
	p->logged.hooks = &p->hook;
	p->logged.nhooks = 1;
	return 0;
}

static void
cli_pub_close(struct cli_pub *p)
{
	explicit_bzero(&p->signer, sizeof(p->signer));
	index_close(p->logidx);
	index_close(p->idx);
	store_close(&p->s);
}

static int
cli_import(struct config *cfg, int argc, char **argv)
{
	struct import_stats st;
	struct import_env env;
	struct cli_pub p;
	struct err e;
	int rc;

	if (cli_pub_open(cfg, &p) == -1)
		return 1;
	env.store = &p.s;
	env.idx = p.idx;
	env.lock_expiry = cfg->lock_expiry;
	env.publish_env = cli_import_env;
	env.arg = &p;
	err_clear(&e);
	rc = import_run(&env, argv[0], &st, &e);
	if (rc == -1)
		fprintf(stderr, "piraeus: import: %s\n", e.msg);
	else
		printf("imported %ld versions, %ld already present, "
		    "skipped %ld (%s %s)\n", st.imported, st.existing,
		    st.skipped, st.layout, argv[0]);
	cli_pub_close(&p);
	return rc == -1 || st.skipped > 0 ? 1 : 0;
}

/* pack's options before DIR MODULE VERSION: -o OUTDIR, --time T. */
static int
cli_pack_opts(int argc, char **argv, const char **outdir, int64_t *ns,
    int *first)
{
	struct timespec now;
	int i;

	*outdir = NULL;
	clock_gettime(CLOCK_REALTIME, &now);
	*ns = (int64_t)now.tv_sec * 1000000000LL;	/* whole seconds */
	for (i = 0; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-o") == 0)
			*outdir = argv[i + 1];
		else if (strcmp(argv[i], "--time") == 0) {
			if (rfc3339_parse(argv[i + 1], ns) == -1) {
				fprintf(stderr, "piraeus: pack: --time %s: "
				    "not an RFC 3339 time (such as "
				    "2024-05-01T12:00:00Z)\n", argv[i + 1]);
				return -1;
			}
		} else
			break;
	}
	if (argc - i != 3) {
		fprintf(stderr, "usage: piraeus pack [-o OUTDIR] [--time T] "
		    "DIR MODULE VERSION\n");
		return -1;
	}
	*first = i;
	return 0;
}

/* Publish f into the GOPROXY tree outdir (made when missing). */
static int
cli_pack_out(const char *outdir, const struct pack_req *r, const char *emod,
    const char *ever, struct fetched *f, struct err *e)
{
	char real[PATH_MAX];
	struct store o;
	int rc;

	if (mkdir(outdir, 0755) == -1 && errno != EEXIST)
		return err_errno(e, E_BADREQ, "%s", outdir);
	if (realpath(outdir, real) == NULL)
		return err_errno(e, E_BADREQ, "%s", outdir);
	if (store_open(&o, real, e) == -1)
		return -1;
	rc = store_publish(&o, emod, ever, f->info, f->mod, f->zip, e);
	if (rc == 0)
		rc = pack_list_add(&o, emod, r->version, e);
	store_close(&o);
	return rc;
}

/*
 * pack [-o OUTDIR] [--time T] DIR MODULE VERSION: the version made in a
 * temporary directory of storage (or of OUTDIR), then published; a
 * version stored already is refused (published versions never change).
 */
static int
cli_pack(struct config *cfg, int argc, char **argv)
{
	char emod[MODPATH_MAX], ever[VERSION_MAX], h1[H1_MAX];
	char path[PATH_MAX], real[PATH_MAX], key[LOCK_KEY_MAX];
	const struct publish_env *pe;
	struct pack_req r;
	struct fetched f;
	struct cli_pub p;
	struct store tmp;
	const char *outdir;
	struct stat st;
	struct err e;
	int first, rc = 1, locked = -1;

	if (cli_pack_opts(argc, argv, &outdir, &r.time_ns, &first) == -1)
		return 2;
	r.dir = argv[first];
	r.module = argv[first + 1];
	r.version = argv[first + 2];
	err_clear(&e);
	memset(&f, 0, sizeof(f));
	if (outdir != NULL) {
		if ((mkdir(outdir, 0755) == -1 && errno != EEXIST) ||
		    realpath(outdir, real) == NULL) {
			fprintf(stderr, "piraeus: pack: %s: %s\n", outdir,
			    strerror(errno));
			return 1;
		}
		if (store_open(&tmp, real, &e) == -1) {
			fprintf(stderr, "piraeus: pack: %s\n", e.msg);
			return 1;
		}
	} else if (cli_load(cfg) == -1 || cli_pub_open(cfg, &p) == -1)
		return 1;
	if (pack_make(outdir != NULL ? &tmp : &p.s, &r, &f, h1, &e) == -1)
		goto out;
	if (modpath_escape(r.module, emod, sizeof(emod)) == -1 ||
	    modpath_escape(r.version, ever, sizeof(ever)) == -1) {
		err_set(&e, E_BADREQ, "cannot escape %s@%s", r.module,
		    r.version);
		goto out;
	}
	/* Into storage: under the version's lock, as the responder
	 * publishes (resolve_version.c's key), from the check to the end. */
	snprintf(key, sizeof(key), "v:%s@%s", r.module, r.version);
	if (outdir == NULL && (locked = lock_try(p.idx, key,
	    cfg->lock_expiry, &e)) != LOCK_OWNER) {
		if (locked == LOCK_HELD)
			err_set(&e, E_UNAVAIL, "%s@%s is being fetched or "
			    "published (its lock is held); try again",
			    r.module, r.version);
		locked = -1;
		goto out;
	}
	if (store_path(outdir != NULL ? &tmp : &p.s, emod, ever, ART_INFO,
	    path, sizeof(path)) == 0 && stat(path, &st) == 0) {
		err_set(&e, E_BADREQ, "%s@%s is stored already (published "
		    "versions never change)", r.module, r.version);
		goto out;
	}
	if (outdir != NULL) {
		if (cli_pack_out(real, &r, emod, ever, &f, &e) == -1)
			goto out;
	} else {
		pe = cli_pub_env(&p, r.module);
		if (publish_version(pe, emod, ever, &f, h1, "pack", &e) == -1)
			goto out;
		if (!policy_private(cfg, r.module))
			fprintf(stderr, "piraeus: pack: warning: %s is not "
			    "private ([policy] private, GOPRIVATE): clients "
			    "will ask the public checksum database for it\n",
			    r.module);
	}
	printf("%s %s %s\n", r.module, r.version, h1);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "piraeus: pack: %s\n", e.msg);
	fetched_free(&f);
	if (locked == LOCK_OWNER)
		lock_release(p.idx, key);
	if (outdir != NULL)
		store_close(&tmp);
	else
		cli_pub_close(&p);
	return rc;
}

/* catalog [--json] [MODULE]: inventory_catalog on the index (caught up
 * with the tree first). */
static int
cli_catalog(struct config *cfg, int argc, char **argv)
{
	const char *module = NULL;
	struct index *idx;
	struct store s;
	struct err e;
	int i, json = 0, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-' || module != NULL) {
			usage(stderr);
			return 2;
		} else
			module = argv[i];
	}
	err_clear(&e);
	if (module != NULL && modpath_check(module, &e) == -1) {
		fprintf(stderr, "piraeus: catalog: %s\n", e.msg);
		return 2;
	}
	if (cli_open(cfg, &s, &idx) == -1)
		return 1;
	/* What other hosts of a shared tree published, indexed first. */
	err_clear(&e);
	if (reindex_catch_up(&s, idx, 0, &e) == -1) {
		fprintf(stderr, "piraeus: catalog: %s\n", e.msg);
		err_clear(&e);
	}
	rc = inventory_catalog(idx, module, json, stdout, &e);
	if (rc == -1)
		fprintf(stderr, "piraeus: catalog: %s\n", e.msg);
	else if (rc == 1)
		fprintf(stderr, "piraeus: catalog: no version of %s is "
		    "indexed\n", module);
	index_close(idx);
	store_close(&s);
	return rc == 0 ? 0 : 1;
}

/* The "[--json]" of stats and audit: 1 or 0 into *json and storage
 * and index opened; 2 usage (told), -1 not opened (told), else 0. */
static int
cli_json_open(struct config *cfg, int argc, char **argv, int *json,
    struct store *s, struct index **idx)
{
	*json = argc == 1 && strcmp(argv[0], "--json") == 0;
	if (argc != 0 && !*json) {
		usage(stderr);
		return 2;
	}
	return cli_open(cfg, s, idx) == -1 ? -1 : 0;
}

/* The private checksum database's log apart ([sumdb] log_dir, shared by
 * every host) into *log, or NULL (none configured, or the index's).  0, or
 * -1 and a message on stderr naming cmd. */
static int
cli_log_open(const struct config *cfg, const char *cmd, struct index **log)
{
	struct err e;

	*log = NULL;
	if (cfg->sumdb_private_key == NULL || cfg->sumdb_log_dir == NULL)
		return 0;
	err_clear(&e);
	if (index_open_log(log, cfg->sumdb_log_dir, &e) == -1) {
		fprintf(stderr, "piraeus: %s: %s\n", cmd, e.msg);
		return -1;
	}
	return 0;
}

/* stats [--json]: inventory_stats of the tree, the index and the private
 * log ([sumdb] log_dir's when set). */
static int
cli_stats(struct config *cfg, int argc, char **argv)
{
	struct inventory_stats st;
	struct index *idx, *log;
	struct store s;
	struct err e;
	int json, rc;

	if ((rc = cli_json_open(cfg, argc, argv, &json, &s, &idx)) != 0)
		return rc == 2 ? 2 : 1;
	if (cli_log_open(cfg, "stats", &log) == -1) {
		index_close(idx);
		store_close(&s);
		return 1;
	}
	err_clear(&e);
	rc = inventory_stats(&s, idx, cfg->state_dir,
	    cfg->sumdb_private_key == NULL ? NULL : log != NULL ? log : idx,
	    &st, &e);
	if (rc == -1)
		fprintf(stderr, "piraeus: stats: %s\n", e.msg);
	else
		inventory_stats_print(&st, json, stdout);
	index_close(log);
	index_close(idx);
	store_close(&s);
	return rc == -1 ? 1 : 0;
}

/* audit [--json]: audit_run on storage and its mirror; 0 clean, 1 some
 * stored version affected, 3 an error. */
static int
cli_audit(struct config *cfg, int argc, char **argv)
{
	struct index *idx;
	struct store s;
	struct err e;
	int json, rc;

	if ((rc = cli_json_open(cfg, argc, argv, &json, &s, &idx)) != 0)
		return rc == 2 ? 2 : 3;
	err_clear(&e);
	rc = audit_run(&s, idx, cfg->storage_root, json, stdout, &e);
	if (rc == -1)
		fprintf(stderr, "piraeus: audit: %s\n", e.msg);
	index_close(idx);
	store_close(&s);
	return rc == -1 ? 3 : rc;
}

/* gc_run with the [gc] configuration; 0 when it ran without errors. */
static int
cli_gc(struct config *cfg, int argc, char **argv)
{
	struct gc_stats st;
	struct gc_opts o;
	struct index *idx;
	struct store s;
	struct timespec t0, t1;
	struct err e;
	int i, rc;

	memset(&o, 0, sizeof(o));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			o.dry_run = 1;
		else if (strcmp(argv[i], "--force") == 0)
			o.force = 1;
		else {
			usage(stderr);
			return 2;
		}
	}
	o.max_age = cfg->gc_max_age;
	if (gc_size_parse(cfg->gc_max_size, &o.max_size) == -1)
		return 1;	/* config_load checked it */
	o.access_log = cfg->gc_access_log;
	o.base_path = cfg->base_path;
	o.state_dir = cfg->state_dir;
	o.use_atime = cfg->gc_atime;
	o.lock_expiry = cfg->lock_expiry;
	o.out = stdout;
	if (o.max_age == 0 && o.max_size == 0) {
		fprintf(stderr, "piraeus: gc: neither [gc] max_age nor "
		    "max_size is set: nothing to do\n");
		return 0;
	}
	if (cli_open(cfg, &s, &idx) == -1)
		return 1;
	err_clear(&e);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = gc_run(&s, idx, &o, &st, &e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == -1)
		fprintf(stderr, "piraeus: gc: %s\n", e.msg);
	else
		printf("gc%s: %ld versions (%lld bytes), %s %ld (%lld bytes), "
		    "%ld old kept as required, %ld skipped, %ld errors; "
		    "access log: %ld lines, %ld hits; %.3f s\n",
		    o.dry_run ? " --dry-run" : "", st.versions,
		    (long long)st.bytes, o.dry_run ? "would remove" :
		    "removed", st.removed, (long long)st.freed,
		    st.kept_required, st.skipped, st.errors, st.log_lines,
		    st.log_hits, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	index_close(idx);
	store_close(&s);
	return rc == -1 || st.errors > 0 ? 1 : 0;
}

/*
 * A new Ed25519 key named argv[0]: the signer key goes into the new file
 * argv[1] (never over an existing one), the verifier key to stdout.
 */
static int
cli_sumdb_keygen(struct config *cfg, int argc, char **argv)
{
	char *skey = NULL, *vkey = NULL;
	struct err e;
	FILE *f;
	int fd, rc = 1;

	err_clear(&e);
	if (note_keygen(argv[0], &skey, &vkey, &e) == -1) {
		fprintf(stderr, "piraeus: sumdb-keygen: %s\n", e.msg);
		return 1;
	}
	if ((fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "piraeus: sumdb-keygen: %s: %s\n", argv[1],
		    strerror(errno));
		if (fd != -1)
			close(fd);
	} else {
		fprintf(f, "%s\n", skey);
		if (fflush(f) == 0 && fsync(fd) == 0 && fclose(f) == 0) {
			printf("%s\n", vkey);
			rc = 0;
		} else {
			fprintf(stderr, "piraeus: sumdb-keygen: %s: write "
			    "failed\n", argv[1]);
			unlink(argv[1]);
		}
	}
	explicit_bzero(skey, strlen(skey));
	free(skey);
	free(vkey);
	return rc;
}

/* MODULE[@VERSION] into module and version (NULL when none): the
 * argument is cut at its last "@". */
static void
cli_split(char *arg, const char **module, const char **version)
{
	char *at = strrchr(arg, '@');

	*module = arg;
	*version = NULL;
	if (at != NULL) {
		*at = '\0';
		*version = at + 1;
	}
}

/* What cli_verify's report function keeps. */
struct cli_verify {
	const struct store	*store;
	struct index		*idx;
	const struct verify_env	*env;
	long			 lock_expiry;
	const struct verify_finding *f;	/* the one being quarantined */
	int			 quarantine;
	char			 qdir[ANSWER_PATH_MAX];
	long			 moved;
	int			 failed;
};

/*
 * Under the version's lock: whether cv->f's version is still bad, its
 * files looked at again (a publish may have completed it since).
 */
static int
cli_verify_recheck(void *arg)
{
	struct cli_verify *cv = arg;
	struct store_version *sv = NULL, none;
	struct verify_finding again;
	struct err e;
	size_t n = 0, i;
	int bad = 0;

	err_clear(&e);
	if (store_versions(cv->store, cv->f->emod, &sv, &n, &e) == -1 &&
	    e.code != E_NOTFOUND)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(sv[i].ever, cv->f->ever) == 0)
			break;
	memset(&none, 0, sizeof(none));
	snprintf(none.ever, sizeof(none.ever), "%s", cv->f->ever);
	err_clear(&e);
	if (verify_version(cv->env, cv->f->emod, i < n ? &sv[i] : &none,
	    &again, &e) == 0)
		bad = verify_kind_bad(again.kind);
	free(sv);
	return bad;
}

/* Print one finding; with --quarantine, move a bad version out (under
 * its lock, once the finding is confirmed). */
static void
cli_verify_report(void *arg, const struct verify_finding *f)
{
	struct cli_verify *cv = arg;
	struct purge_result r;
	struct err e;
	int rc;

	if (f->kind == VERIFY_OK)
		return;
	printf("%s@%s: %s: %s\n", f->module, f->version,
	    verify_kind_name(f->kind), f->why);
	if (!cv->quarantine || !verify_kind_bad(f->kind))
		return;
	err_clear(&e);
	cv->f = f;
	if ((cv->qdir[0] == '\0' && purge_quarantine_dir(cv->store, cv->qdir,
	    sizeof(cv->qdir), &e) == -1) || (rc = purge_locked(cv->store,
	    cv->idx, cv->lock_expiry, f->module, f->version, cv->qdir,
	    cli_verify_recheck, cv, &r, &e)) == -1) {
		fprintf(stderr, "piraeus: verify: quarantine %s@%s: %s\n",
		    f->module, f->version, e.msg);
		cv->failed = 1;
		return;
	}
	if (rc == PURGE_HELD || rc == PURGE_CHANGED) {
		printf("  not quarantined: %s\n", rc == PURGE_HELD ?
		    "being fetched or published (its lock is held)" :
		    "no longer found bad under its lock");
		return;
	}
	cv->moved++;
	printf("  quarantined to %s/%s/@v/ (the next request fetches it "
	    "again)\n", cv->qdir, f->emod);
}

/*
 * verify [--quarantine] [MODULE[@VERSION]...]: every stored version (or
 * those named) checked again (verify.c).  0 when all is well, 1 when a
 * problem was found or the check could not run, 2 on a usage error.
 */
static int
cli_verify(struct config *cfg, int argc, char **argv)
{
	struct upstream_list up = { NULL, 0 };
	struct sumdb_list dbs = { NULL, 0 };
	struct cli_verify cv;
	struct verify_stats st, all = { 0, 0 };
	struct verify_env env;
	struct sumdb_ctx sc;
	struct index *idx;
	struct store s;
	struct err e;
	const char *module, *version;
	int i, rc = 0, nmods = 0;

	memset(&cv, 0, sizeof(cv));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--quarantine") == 0)
			cv.quarantine = 1;
		else if (argv[i][0] == '-') {
			usage(stderr);
			return 2;
		} else
			nmods++;
	}
	if (cli_open(cfg, &s, &idx) == -1)
		return 1;
	err_clear(&e);
	memset(&env, 0, sizeof(env));
	env.store = &s;
	env.idx = idx;
	/* The private log kept apart, on storage the hosts share. */
	if (cfg->sumdb_private_key != NULL && cfg->sumdb_log_dir != NULL &&
	    index_open_log(&env.logidx, cfg->sumdb_log_dir, &e) == -1) {
		fprintf(stderr, "piraeus: verify: %s\n", e.msg);
		rc = 1;
		goto out;
	}
	if (cfg->sumdb_verify && (upstream_parse(cfg->upstream_goproxy, &up,
	    &e) == -1 || sumdb_parse(cfg->sumdb_databases, &dbs, &e) == -1)) {
		fprintf(stderr, "piraeus: verify: %s\n", e.msg);
		rc = 1;
		goto out;
	}
	if (cfg->sumdb_verify && dbs.n > 0) {
		memset(&sc, 0, sizeof(sc));
		sc.cfg = cfg;
		sc.idx = idx;
		sc.up = &up;
		sc.dbs = &dbs;
		sc.offline = cfg->network_mode == NETWORK_OFFLINE;
		sc.fallback = cfg->network_mode == NETWORK_FALLBACK;
		env.sdb = &sc;
	}
	cv.store = &s;
	cv.idx = idx;
	cv.env = &env;
	cv.lock_expiry = cfg->lock_expiry;
	for (i = 0; i < argc && rc == 0; i++) {
		if (nmods > 0 && argv[i][0] == '-')
			continue;
		module = version = NULL;
		if (nmods > 0)
			cli_split(argv[i], &module, &version);
		if (verify_run(&env, module, version, cli_verify_report, &cv,
		    &st, &e) == -1) {
			fprintf(stderr, "piraeus: verify: %s\n", e.msg);
			rc = 1;
		}
		all.versions += st.versions;
		all.problems += st.problems;
		if (nmods == 0)
			break;
	}
	if (argc == 0 && verify_run(&env, NULL, NULL, cli_verify_report, &cv,
	    &all, &e) == -1) {
		fprintf(stderr, "piraeus: verify: %s\n", e.msg);
		rc = 1;
	}
	if (all.problems == 0)
		printf("verified %ld versions: all well\n", all.versions);
	else
		printf("verified %ld versions: %ld with problems, %ld "
		    "quarantined\n", all.versions, all.problems, cv.moved);
	if (all.problems > 0 || cv.failed)
		rc = 1;
out:
	index_close(env.logidx);
	sumdb_free(&dbs);
	upstream_free(&up);
	index_close(idx);
	store_close(&s);
	return rc;
}

/* 1 when the user at the terminal answers yes to question. */
static int
cli_confirm(const char *question)
{
	char line[16];

	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return strcmp(line, "y\n") == 0 || strcmp(line, "yes\n") == 0;
}

/*
 * purge MODULE[@VERSION] [--yes]: remove versions from tree and index
 * (purge.c).  Without --yes, asked on a terminal; refused without one.
 */
static int
cli_purge(struct config *cfg, int argc, char **argv)
{
	struct purge_result r;
	struct index *idx, *log = NULL;
	struct store s;
	struct err e;
	int64_t id;
	const char *module = NULL, *version = NULL;
	char **v = NULL, *one[1], q[MODPATH_MAX + 128], vbuf[VERSION_MAX];
	size_t n = 0, i;
	int yes = 0, rc = 0, k;

	for (k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--yes") == 0)
			yes = 1;
		else if (argv[k][0] == '-' || module != NULL) {
			usage(stderr);
			return 2;
		} else
			cli_split(argv[k], &module, &version);
	}
	if (module == NULL) {
		usage(stderr);
		return 2;
	}
	if (!yes && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "piraeus: purge: not on a terminal: pass "
		    "--yes to purge without a question\n");
		return 2;
	}
	if (cli_open(cfg, &s, &idx) == -1)
		return 1;
	if (cli_log_open(cfg, "purge", &log) == -1) {
		rc = 1;
		goto out;
	}
	err_clear(&e);
	if (version != NULL) {
		snprintf(vbuf, sizeof(vbuf), "%s", version);
		one[0] = vbuf;
		v = one;
		n = 1;
	} else if (purge_versions(&s, idx, module, &v, &n, &e) == -1) {
		fprintf(stderr, "piraeus: purge: %s\n", e.msg);
		rc = 1;
		goto out;
	}
	if (n == 0) {
		fprintf(stderr, "piraeus: purge: nothing stored for %s\n",
		    module);
		rc = 1;
		goto out;
	}
	snprintf(q, sizeof(q), "remove %zu version%s of %s (%s%s) from "
	    "storage?", n, n == 1 ? "" : "s", module, v[0], n > 1 ? "..." :
	    "");
	if (!yes && !cli_confirm(q)) {
		fprintf(stderr, "piraeus: purge: not confirmed; nothing "
		    "removed\n");
		rc = 2;
		goto out;
	}
	for (i = 0; i < n; i++) {
		err_clear(&e);
		if ((k = purge_locked(&s, idx, cfg->lock_expiry, module, v[i],
		    NULL, NULL, NULL, &r, &e)) == -1) {
			fprintf(stderr, "piraeus: purge: %s@%s: %s\n", module,
			    v[i], e.msg);
			rc = 1;
			continue;
		}
		if (k == PURGE_HELD) {
			fprintf(stderr, "piraeus: purge: skip %s@%s: being "
			    "fetched or published (its lock is held); try "
			    "again\n", module, v[i]);
			rc = 1;
			continue;
		}
		if (r.files == 0 && !r.indexed) {
			fprintf(stderr, "piraeus: purge: %s@%s: not stored\n",
			    module, v[i]);
			rc = 1;
			continue;
		}
		/* The shared log's record, not the host's index's. */
		if (log != NULL)
			r.logged = index_log_find(log, module, v[i], &id,
			    &e) == 1;
		printf("purged %s@%s (%d file%s%s)\n", module, v[i], r.files,
		    r.files == 1 ? "" : "s", r.indexed ? ", index row" : "");
		if (r.logged)
			printf("  the private checksum log keeps its record: "
			    "a re-fetch must have the same hashes\n");
	}
out:
	if (v != one && v != NULL) {
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
	}
	index_close(log);
	index_close(idx);
	store_close(&s);
	return rc;
}

/* 1 when argv asks for a command's help (-h before any "--"). */
static int
cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/* prefetch and export parse their own options (getopt: argv[-1] is the
 * command's name); the configuration is loaded unless -h is asked. */
static int
cli_prefetch(struct config *cfg, int argc, char **argv)
{
	if (!cli_wants_help(argc, argv) && cli_load(cfg) == -1)
		return 1;
	log_set_level(cfg->log_level);
	return prefetch_main(cfg, argc + 1, argv - 1);
}

static int
cli_export(struct config *cfg, int argc, char **argv)
{
	if (!cli_wants_help(argc, argv) && cli_load(cfg) == -1)
		return 1;
	log_set_level(cfg->log_level);
	return export_main(cfg, argc + 1, argv - 1);
}

/* piraeus vulndb sync|import: see the table. */
static int
cli_vulndb(struct config *cfg, int argc, char **argv)
{
	char url[VULNDB_URL_MAX], why[256];
	const char *src = NULL;
	struct vulndb_stats st;
	struct err e;
	int i, force = 0;
	size_t n;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			printf("usage: piraeus vulndb sync [--url URL] "
			    "[--force]\n       piraeus vulndb import "
			    "[--force] DIR|TARBALL\n");
			return 0;
		}
	snprintf(url, sizeof(url), "%s", cfg->vulndb_url);
	if (strcmp(argv[0], "sync") == 0) {
		for (i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--force") == 0)
				force = 1;
			else if (strcmp(argv[i], "--url") == 0 &&
			    i + 1 < argc) {
				if (config_check_vulndb_url(argv[++i], why,
				    sizeof(why)) == -1) {
					fprintf(stderr, "piraeus: vulndb sync: "
					    "--url: %s\n", why);
					return 2;
				}
				snprintf(url, sizeof(url), "%s", argv[i]);
			} else
				goto usage;
		}
	} else if (strcmp(argv[0], "import") == 0 && argc == 2)
		src = argv[1];
	else if (strcmp(argv[0], "import") == 0 && argc == 3 &&
	    strcmp(argv[1], "--force") == 0) {
		force = 1;
		src = argv[2];
	} else
		goto usage;
	if (!cfg->vulndb_enabled) {
		fprintf(stderr, "piraeus: vulndb: [vulndb] enabled is no (set "
		    "it to yes to keep a mirror in %s/vulndb)\n",
		    cfg->storage_root);
		return 1;
	}
	while ((n = strlen(url)) > 0 && url[n - 1] == '/')
		url[n - 1] = '\0';
	err_clear(&e);
	if (vulndb_run(cfg, src == NULL ? url : NULL, src,
	    force ? VULNDB_FORCE : 0, &st,
	    &e) == -1) {
		fprintf(stderr, "piraeus: vulndb %s: %s (the served set is "
		    "unchanged)\n", argv[0], e.msg);
		return 1;
	}
	if (st.uptodate)
		printf("vulndb: up to date (modified %s): %lld bytes in %ld "
		    "files from %s\n", st.modified, st.bytes, st.files,
		    src == NULL ? url : src);
	else
		printf("vulndb: generation %ld: %ld entries (%ld got, %ld "
		    "kept), %ld modules, modified %s: %lld bytes in %ld files "
		    "from %s\n", st.generation, st.entries, st.fetched,
		    st.linked, st.modules, st.modified, st.bytes, st.files,
		    src == NULL ? url : src);
	return 0;
usage:
	fprintf(stderr, "usage: piraeus vulndb sync [--url URL] [--force]\n"
	    "       piraeus vulndb import [--force] DIR|TARBALL\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	struct config cfg;
	char ex[512];
	size_t i;
	int rc, nargs;

	log_init("piraeus", LOG_LVL_INFO);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		version_print("piraeus");
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < CLI_NCMDS; i++)
		if (strcmp(argv[1], cli_cmds[i].name) == 0)
			break;
	nargs = argc - 2;
	if (i < CLI_NCMDS && !cli_cmds[i].own_help && nargs == 1 &&
	    (strcmp(argv[2], "-h") == 0 ||
	    strcmp(argv[2], "--help") == 0)) {
		printf("usage: piraeus %s\n\n", cli_cmds[i].usage);
		cli_wrap(stdout, "", cli_cmds[i].help);
		snprintf(ex, sizeof(ex), "Exit status: %s.", cli_cmds[i].exits);
		printf("\n");
		cli_wrap(stdout, "", ex);
		return 0;
	}
	if (i == CLI_NCMDS || nargs < cli_cmds[i].min_args ||
	    nargs > cli_cmds[i].max_args) {
		usage(stderr);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	if (cli_cmds[i].needs_config && cli_load(&cfg) == -1) {
		config_free(&cfg);
		return cli_cmds[i].config_exit != 0 ? cli_cmds[i].config_exit :
		    1;
	}
	if (cli_cmds[i].needs_config)
		log_set_level(cfg.log_level);
	rc = cli_cmds[i].fn(&cfg, nargs, argv + 2);
	config_free(&cfg);
	return rc;
}

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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "piraeus.h"

struct cli_cmd {
	const char	*name;
	int		 min_args;
	int		 max_args;
	int		 needs_config;
	const char	*usage;
	const char	*help;
	int		(*fn)(struct config *, int, char **);
};

static int	cli_check_config(struct config *, int, char **);
static int	cli_reindex(struct config *, int, char **);
static int	cli_import(struct config *, int, char **);
static int	cli_sumdb_keygen(struct config *, int, char **);

static const struct cli_cmd cli_cmds[] = {
	{ "check-config", 0, 1, 0, "check-config [-v]",
	    "check the configuration: say which file it read, report every "
	    "error and a missing storage root; -v also prints every key",
	    cli_check_config },
	{ "reindex", 0, 0, 1, "reindex",
	    "rebuild the index from the storage tree", cli_reindex },
	{ "import", 1, 1, 1, "import DIR",
	    "copy the versions of a GOPROXY tree (a Go module cache's "
	    "cache/download) into storage and index them", cli_import },
	{ "sumdb-keygen", 2, 2, 0, "sumdb-keygen NAME FILE",
	    "make a key for a private checksum database: the signer key "
	    "into FILE (new, mode 0600), the verifier key on stdout",
	    cli_sumdb_keygen },
};
#define CLI_NCMDS NITEMS(cli_cmds)

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: piraeus [--version | --help] COMMAND [ARGS]\n\n"
	    "commands:\n");
	for (i = 0; i < CLI_NCMDS; i++)
		fprintf(f, "  %-20s %s\n", cli_cmds[i].usage, cli_cmds[i].help);
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
	if (cli_check_access(cfg) == -1)
		return 1;
	printf("configuration OK\n");
	return 0;
}

/* Open storage and index for a command that changes them. */
static int
cli_open(struct config *cfg, struct store *s, struct index **idx)
{
	struct err e;

	err_clear(&e);
	if (store_open(s, cfg->storage_root, &e) == -1 ||
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

static int
cli_import(struct config *cfg, int argc, char **argv)
{
	struct reindex_stats st;
	struct index *idx;
	struct store s;
	struct err e;
	int rc;

	if (cli_open(cfg, &s, &idx) == -1)
		return 1;
	err_clear(&e);
	rc = reindex_import(&s, idx, argv[0], &st, &e);
	if (rc == -1)
		fprintf(stderr, "piraeus: import: %s\n", e.msg);
	else
		printf("imported %ld versions, %ld already present, "
		    "skipped %ld\n", st.imported, st.existing, st.skipped);
	index_close(idx);
	store_close(&s);
	return rc == -1 || st.skipped > 0 ? 1 : 0;
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

int
main(int argc, char *argv[])
{
	struct config cfg;
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
	if (i == CLI_NCMDS || nargs < cli_cmds[i].min_args ||
	    nargs > cli_cmds[i].max_args) {
		usage(stderr);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	if (cli_cmds[i].needs_config && cli_load(&cfg) == -1) {
		config_free(&cfg);
		return 1;
	}
	if (cli_cmds[i].needs_config)
		log_set_level(cfg.log_level);
	rc = cli_cmds[i].fn(&cfg, nargs, argv + 2);
	config_free(&cfg);
	return rc;
}

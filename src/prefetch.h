/*
 * prefetch.h: piraeus prefetch, a command of the programs layer too
 * large for main_cli.c.
 */
#ifndef PIRAEUS_PREFETCH_H
#define PIRAEUS_PREFETCH_H

/*
 * prefetch.c: piraeus prefetch, argv as getopt sees it (argv[0] is
 * "prefetch"), cfg loaded and borrowed.  Returns the exit status (0, 1,
 * 2: see the top of prefetch.c).
 */
int	prefetch_main(struct config *cfg, int argc, char **argv);

#endif /* PIRAEUS_PREFETCH_H */

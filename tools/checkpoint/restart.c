// SPDX-License-Identifier: GPL-2.0-only
/*
 * restart: turn this process into the process an image describes, and
 * create the rest of its tree.
 *
 *   restart [--run] [--lazy] [--inherit [TID:]FD[=FROM]]... IMAGE
 *   restart [--run] < IMAGE
 *   checkpoint PID | restart
 *
 * On success restart(2) does not return: this process becomes the
 * image's root process. A process that was stopped when it was
 * checkpointed comes back stopped, unless --run (RESTART_RUN) is given.
 * With --lazy (RESTART_LAZY), the process runs at once and its memory
 * comes from IMAGE, a regular file or a PRAM node, as it touches it and
 * from the background; IMAGE cannot be written (or the node deleted)
 * meanwhile.
 * On failure the process is as it was, and the reasons the kernel gave
 * are on standard error.
 *
 * Descriptors the image records as external (a terminal, a pipe to the
 * outside) take the substitutes given with --inherit: descriptor FD of
 * process TID (the root when left out) gets this process's descriptor
 * FROM (FD when left out). This process's standard input, output and
 * error are always offered for the root's 0, 1 and 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ckpt_hdr.h>

static void print_usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s [--run] [--lazy] [--inherit [TID:]FD[=FROM]]... [IMAGE]\n",
		prog);
	fprintf(f, "  IMAGE           the image file (default: standard input)\n");
	fprintf(f, "  --run           stopped processes resume, too (RESTART_RUN)\n");
	fprintf(f, "  --lazy          memory comes in on first touch (RESTART_LAZY)\n");
	fprintf(f, "  --inherit SPEC  external descriptor FD of process TID (default:\n");
	fprintf(f, "                  the root) gets our descriptor FROM (default: FD)\n");
}

#define MAX_INHERIT	1024

/* A number from 0 to INT32_MAX at *@s, which is moved past it; or -1. */
static int32_t parse_id(const char **s)
{
	char *end;
	long n = strtol(*s, &end, 10);

	if (end == *s || n < 0 || n > INT32_MAX)
		return -1;
	*s = end;
	return n;
}

/* Parse "[TID:]FD[=FROM]" into @inh; 0, or -1 if malformed. */
static int parse_inherit(const char *s, struct cr_inherit *inh)
{
	int32_t n = parse_id(&s);

	memset(inh, 0, sizeof(*inh));
	if (n < 0)
		return -1;
	if (*s == ':') {
		s++;
		inh->tid = n;
		n = parse_id(&s);
		if (n < 0)
			return -1;
	}
	inh->fd = n;
	inh->from = n;
	if (*s == '=') {
		s++;
		inh->from = parse_id(&s);
		if (inh->from < 0)
			return -1;
	}
	return *s ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "run", no_argument, NULL, 'r' },
		{ "lazy", no_argument, NULL, 'l' },
		{ "inherit", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct cr_inherit inh[MAX_INHERIT] = {
		{ .fd = 0, .from = 0 }, { .fd = 1, .from = 1 },
		{ .fd = 2, .from = 2 },
	};
	unsigned int nr = 3, i;
	unsigned long flags = 0;
	int fd = STDIN_FILENO;
	const char *path;
	int c;

	while ((c = getopt_long(argc, argv, "rli:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			flags |= RESTART_RUN;
			break;
		case 'l':
			flags |= RESTART_LAZY;
			break;
		case 'i':
			if (nr == MAX_INHERIT || parse_inherit(optarg, &inh[nr])) {
				fprintf(stderr, "%s: bad --inherit %s\n", argv[0],
					optarg);
				return 2;
			}
			/* A later one for the same descriptor replaces it. */
			for (i = 0; i < nr; i++)
				if (inh[i].tid == inh[nr].tid &&
				    inh[i].fd == inh[nr].fd)
					break;
			inh[i] = inh[nr];
			if (i == nr)
				nr++;
			break;
		case 'h':
			print_usage(stdout, argv[0]);
			return 0;
		default:
			print_usage(stderr, argv[0]);
			return 2;
		}
	}
	if (argc - optind > 1) {
		print_usage(stderr, argv[0]);
		return 2;
	}
	path = optind < argc ? argv[optind] : "-";
	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "%s: %s: %s\n", argv[0], path,
				strerror(errno));
			return 2;
		}
	}
	syscall(__NR_restart, 0, fd, flags, STDERR_FILENO, inh, nr);
	fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
	return 1;
}

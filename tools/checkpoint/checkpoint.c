// SPDX-License-Identifier: GPL-2.0-only
/*
 * checkpoint: write the image of a process to standard output.
 *
 *   checkpoint [--tree] PID > image
 *   checkpoint PID | restart
 *
 * The image holds the process PID with all its threads; with --tree
 * (CHECKPOINT_TREE) it holds its descendants, with theirs, too. PID 0
 * is this process itself, which is rarely what a person wants; the
 * process is usually another one, stopped first (kill -STOP, or its
 * cgroup frozen). Reasons for a refusal go to standard error, one line
 * each, as the kernel wrote them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ckpt_hdr.h>

static void print_usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s [--tree] PID > IMAGE\n", prog);
	fprintf(f, "  --tree  also the descendants of PID (CHECKPOINT_TREE)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tree", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long flags = 0;
	char *end;
	long pid, id;
	int c;

	while ((c = getopt_long(argc, argv, "th", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			flags |= CHECKPOINT_TREE;
			break;
		case 'h':
			print_usage(stdout, argv[0]);
			return 0;
		default:
			print_usage(stderr, argv[0]);
			return 2;
		}
	}
	if (argc - optind != 1) {
		print_usage(stderr, argv[0]);
		return 2;
	}
	pid = strtol(argv[optind], &end, 10);
	if (*end || end == argv[optind]) {
		fprintf(stderr, "%s: not a pid: %s\n", argv[0], argv[optind]);
		return 2;
	}
	if (isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: refusing to write an image to a terminal\n",
			argv[0]);
		return 2;
	}
	id = syscall(__NR_checkpoint, pid, STDOUT_FILENO, flags,
		     STDERR_FILENO);
	if (id < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	fprintf(stderr, "%s: checkpoint %ld of pid %ld%s written\n", argv[0],
		id, pid, flags & CHECKPOINT_TREE ? " and its descendants" : "");
	return 0;
}

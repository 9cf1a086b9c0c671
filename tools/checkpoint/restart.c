// SPDX-License-Identifier: GPL-2.0-only
/*
 * restart: turn this process into the process an image describes, and
 * create the rest of its tree.
 *
 *   restart [--run] IMAGE
 *   restart [--run] < IMAGE
 *   checkpoint PID | restart
 *
 * On success restart(2) does not return: this process becomes the
 * image's root process. A process that was stopped when it was
 * checkpointed comes back stopped, unless --run (RESTART_RUN) is given.
 * On failure the process is as it was, and the reasons the kernel gave
 * are on standard error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ckpt_hdr.h>

static void print_usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s [--run] [IMAGE]   (default: standard input)\n",
		prog);
	fprintf(f, "  --run  stopped processes resume, too (RESTART_RUN)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "run", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long flags = 0;
	int fd = STDIN_FILENO;
	const char *path;
	int c;

	while ((c = getopt_long(argc, argv, "rh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			flags |= RESTART_RUN;
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
	syscall(__NR_restart, 0, fd, flags, STDERR_FILENO);
	fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
	return 1;
}

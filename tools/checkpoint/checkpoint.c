// SPDX-License-Identifier: GPL-2.0-only
/*
 * checkpoint: write the image of a task to standard output.
 *
 *   checkpoint PID > image
 *   checkpoint PID | restart
 *
 * PID 0 is this process itself, which is rarely what a person wants;
 * the task is usually another one, stopped first (kill -STOP). Reasons
 * for a refusal go to standard error, one line each, as the kernel
 * wrote them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ckpt_hdr.h>

int main(int argc, char **argv)
{
	char *end;
	long pid, id;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PID > IMAGE\n", argv[0]);
		return 2;
	}
	pid = strtol(argv[1], &end, 10);
	if (*end || end == argv[1]) {
		fprintf(stderr, "%s: not a pid: %s\n", argv[0], argv[1]);
		return 2;
	}
	if (isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: refusing to write an image to a terminal\n",
			argv[0]);
		return 2;
	}
	id = syscall(__NR_checkpoint, pid, STDOUT_FILENO, 0, STDERR_FILENO);
	if (id < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	fprintf(stderr, "%s: checkpoint %ld of pid %ld written\n", argv[0],
		id, pid);
	return 0;
}

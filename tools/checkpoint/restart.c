// SPDX-License-Identifier: GPL-2.0-only
/*
 * restart: turn this process into the task an image describes.
 *
 *   restart IMAGE
 *   restart < IMAGE
 *   checkpoint PID | restart
 *
 * On success restart(2) does not return: this process becomes the
 * restored task. On failure the process is as it was, and the reasons
 * the kernel gave are on standard error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ckpt_hdr.h>

int main(int argc, char **argv)
{
	int fd = STDIN_FILENO;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [IMAGE]   (default: standard input)\n",
			argv[0]);
		return 2;
	}
	if (argc == 2 && strcmp(argv[1], "-")) {
		fd = open(argv[1], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1],
				strerror(errno));
			return 2;
		}
	}
	syscall(__NR_restart, 0, fd, 0, STDERR_FILENO);
	fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
	return 1;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-demo: show checkpoint(2) and restart(2) to a person.
 *
 * Calls each syscall with bad and good arguments and prints what the
 * kernel answered, errno and log line both. Run by "make demo" in the
 * plain guest kernel.
 *
 *   ckpt-demo                      the argument checks
 *   ckpt-demo checkpoint PID FILE  checkpoint PID into FILE
 *   ckpt-demo restart FILE         restart from FILE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ckpt_hdr.h>

static int logp[2];

/* Print the call, its result and the log line the kernel wrote. */
/* Restart offers its standard descriptors to the image's root. */
static const struct cr_inherit stdio[] = {
	{ .fd = 0, .from = 0 }, { .fd = 1, .from = 1 }, { .fd = 2, .from = 2 },
};

static void show(const char *call, long nr, long pid, long fd, long flags)
{
	char line[512];
	ssize_t n;
	long ret;

	ret = syscall(nr, pid, fd, flags, logp[1], stdio, 3);
	printf("  %-44s = %ld", call, ret);
	if (ret < 0)
		printf(" (%s)", strerrorname_np(errno) ?: "?");
	printf("\n");
	n = read(logp[0], line, sizeof(line) - 1);
	if (n > 0) {
		line[n] = '\0';
		printf("  %-44s   log: %s", "", line);
	}
}

/* Checkpoint @pid into @path, logging to stderr. */
static int checkpoint_to(const char *pid, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	long id;

	if (fd < 0) {
		perror(path);
		return 1;
	}
	id = syscall(__NR_checkpoint, atoi(pid), fd, 0, 2);
	if (id < 0) {
		printf("checkpoint: %s\n", strerrorname_np(errno) ?: "?");
		return 1;
	}
	printf("checkpoint returned id %ld\n", id);
	return close(fd) ? 1 : 0;
}

/* Restart from @path, logging to a pipe shown with the result. */
static int restart_from(const char *path)
{
	int fd = open(path, O_RDONLY);
	char call[300];

	if (fd < 0) {
		perror(path);
		return 1;
	}
	snprintf(call, sizeof(call), "restart(0, %s, 0, logfd)", path);
	show(call, __NR_restart, 0, fd, 0);
	return 0;
}

int main(int argc, char **argv)
{
	int img[2];

	if (pipe(img) || pipe2(logp, O_NONBLOCK)) {
		perror("pipe");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "checkpoint"))
		return checkpoint_to(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "restart"))
		return restart_from(argv[2]);

	printf("checkpoint(2) is syscall %d, restart(2) is syscall %d\n",
	       __NR_checkpoint, __NR_restart);
	printf("\nArgument checks (the log goes to a pipe we read back):\n");
	show("checkpoint(0, -1, 0, logfd)", __NR_checkpoint, 0, -1, 0);
	show("checkpoint(0, pipe read end, 0, logfd)", __NR_checkpoint, 0,
	     img[0], 0);
	show("checkpoint(0, pipe, 0x8, logfd)", __NR_checkpoint, 0, img[1], 8);
	show("checkpoint(999999, pipe, 0, logfd)", __NR_checkpoint, 999999,
	     img[1], 0);
	show("restart(1, pipe, 0, logfd)", __NR_restart, 1, img[0], 0);
	show("restart(0, pipe write end, 0, logfd)", __NR_restart, 0, img[1], 0);

	return 0;
}

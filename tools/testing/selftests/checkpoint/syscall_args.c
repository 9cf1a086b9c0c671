// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint(2) and restart(2): syscall numbers and argument checks.
 *
 * Every bad argument must get its own errno and, when a log descriptor
 * is given, one line on it saying what was refused.
 */
#define _GNU_SOURCE
#include <limits.h>

#include <linux/ckpt_hdr.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

/* A pid that names no process: a child that has been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

FIXTURE(args) {
	int img[2];	/* pipe: [0] read end for restart, [1] write end */
	int log[2];	/* pipe: the log, read back by the test */
	int badfd;	/* a descriptor number that is not open */
};

FIXTURE_SETUP(args)
{
	ASSERT_EQ(0, pipe2(self->img, O_CLOEXEC | O_NONBLOCK));
	ASSERT_EQ(0, pipe2(self->log, O_CLOEXEC | O_NONBLOCK));
	self->badfd = dup(self->img[0]);
	ASSERT_LE(0, self->badfd);
	ASSERT_EQ(0, close(self->badfd));
}

FIXTURE_TEARDOWN(args)
{
	close(self->img[0]);
	close(self->img[1]);
	close(self->log[0]);
	close(self->log[1]);
}

/* Read what the syscall wrote to the log pipe; "" when it wrote nothing. */
static const char *log_text(int fd)
{
	static char buf[1024];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

TEST(syscall_numbers)
{
	ASSERT_EQ(463, __NR_checkpoint);
	ASSERT_EQ(464, __NR_restart);
}

TEST(record_header_layout)
{
	ASSERT_EQ(8, sizeof(struct cr_hdr));
	ASSERT_EQ(0, sizeof(struct cr_hdr) % CR_HDR_ALIGN);
	ASSERT_EQ(0, memcmp("CKPTIMG", &(unsigned long long){CR_IMAGE_MAGIC}, 8));
}

TEST_F(args, checkpoint_bad_fd)
{
	EXPECT_EQ(-1, sys_checkpoint(0, -1, 0, self->log[1]));
	EXPECT_EQ(EBADF, errno);
	EXPECT_STREQ("checkpoint: pid 0: fd -1 is not open for writing\n",
		     log_text(self->log[0]));

	EXPECT_EQ(-1, sys_checkpoint(0, self->badfd, 0, -1));
	EXPECT_EQ(EBADF, errno);
}

TEST_F(args, checkpoint_read_only_fd)
{
	EXPECT_EQ(-1, sys_checkpoint(0, self->img[0], 0, self->log[1]));
	EXPECT_EQ(EBADF, errno);
	EXPECT_NE(NULL, strstr(log_text(self->log[0]), "not open for writing"));
}

TEST_F(args, checkpoint_bad_logfd)
{
	EXPECT_EQ(-1, sys_checkpoint(0, self->img[1], 0, self->badfd));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, sys_checkpoint(0, self->img[1], 0, -2));
	EXPECT_EQ(EBADF, errno);
	/* A log must be writable. */
	EXPECT_EQ(-1, sys_checkpoint(0, self->img[1], 0, self->log[0]));
	EXPECT_EQ(EBADF, errno);
}

/*
 * Bit 0 is CHECKPOINT_TREE, bit 1 the first unknown checkpoint flag;
 * bits 0 and 1 are RESTART_RUN and RESTART_LAZY, bit 2 the first unknown
 * restart flag.
 */
#define UNKNOWN_FLAG		2UL
#define RESTART_UNKNOWN_FLAG	4UL

TEST_F(args, checkpoint_unknown_flags)
{
	EXPECT_EQ(-1, sys_checkpoint(0, self->img[1], UNKNOWN_FLAG,
				     self->log[1]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_STREQ("checkpoint: pid 0: unknown flags 0x2\n",
		     log_text(self->log[0]));
	/* Only the unknown bits are named. */
	EXPECT_EQ(-1, sys_checkpoint(0, self->img[1],
				     CHECKPOINT_TREE | UNKNOWN_FLAG,
				     self->log[1]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_STREQ("checkpoint: pid 0: unknown flags 0x2\n",
		     log_text(self->log[0]));

	EXPECT_EQ(-1, sys_checkpoint(0, self->img[1], 1UL << 63, -1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(args, checkpoint_no_such_pid)
{
	pid_t pid = dead_pid();
	char want[64];

	EXPECT_EQ(-1, sys_checkpoint(pid, self->img[1], 0, self->log[1]));
	EXPECT_EQ(ESRCH, errno);
	snprintf(want, sizeof(want), "checkpoint: pid %d: no such process\n",
		 pid);
	EXPECT_STREQ(want, log_text(self->log[0]));

	EXPECT_EQ(-1, sys_checkpoint(-1, self->img[1], 0, -1));
	EXPECT_EQ(ESRCH, errno);
	EXPECT_EQ(-1, sys_checkpoint(INT_MIN, self->img[1], 0, -1));
	EXPECT_EQ(ESRCH, errno);
}

/* Good arguments: the caller checkpoints itself, and nothing is logged. */
TEST_F(args, checkpoint_good_args)
{
	int null = open("/dev/null", O_WRONLY), status;
	pid_t pid;

	ASSERT_LE(0, null);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		drop_shared_mappings();
		_exit(sys_checkpoint(0, null, 0, self->log[1]) > 0 &&
		      sys_checkpoint(getpid(), null, 0, -1) > 0 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_STREQ("", log_text(self->log[0]));
	close(null);
}

TEST_F(args, restart_pid_must_be_zero)
{
	EXPECT_EQ(-1, sys_restart(getpid(), self->img[0], 0, self->log[1]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(NULL, strstr(log_text(self->log[0]), "pid must be 0"));

	EXPECT_EQ(-1, sys_restart(-1, self->img[0], 0, -1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(args, restart_bad_fd)
{
	EXPECT_EQ(-1, sys_restart(0, -1, 0, self->log[1]));
	EXPECT_EQ(EBADF, errno);
	EXPECT_STREQ("restart: pid 0: fd -1 is not open for reading\n",
		     log_text(self->log[0]));

	EXPECT_EQ(-1, sys_restart(0, self->badfd, 0, -1));
	EXPECT_EQ(EBADF, errno);
	/* An image must be readable. */
	EXPECT_EQ(-1, sys_restart(0, self->img[1], 0, -1));
	EXPECT_EQ(EBADF, errno);
}

TEST_F(args, restart_bad_logfd)
{
	EXPECT_EQ(-1, sys_restart(0, self->img[0], 0, self->badfd));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, sys_restart(0, self->img[0], 0, self->log[0]));
	EXPECT_EQ(EBADF, errno);
}

TEST_F(args, restart_unknown_flags)
{
	EXPECT_EQ(-1, sys_restart(0, self->img[0], ~0UL, self->log[1]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_STREQ("restart: pid 0: unknown flags 0xfffffffffffffffc\n",
		     log_text(self->log[0]));
}

/*
 * With several bad arguments, the first in the order logfd, flags,
 * restart's pid, fd, checkpoint's pid decides the errno, and only that
 * one is logged.
 */
TEST_F(args, checkpoint_argument_order)
{
	pid_t pid = dead_pid();
	char want[64];

	/* A bad logfd beats everything, and nothing can be logged. */
	EXPECT_EQ(-1, sys_checkpoint(pid, self->badfd, UNKNOWN_FLAG,
				     self->badfd));
	EXPECT_EQ(EBADF, errno);

	/* Unknown flags before a bad fd: EINVAL, not EBADF. */
	EXPECT_EQ(-1, sys_checkpoint(pid, self->badfd, UNKNOWN_FLAG,
				     self->log[1]));
	EXPECT_EQ(EINVAL, errno);
	snprintf(want, sizeof(want), "checkpoint: pid %d: unknown flags 0x2\n",
		 pid);
	EXPECT_STREQ(want, log_text(self->log[0]));

	/* A bad fd before a pid that names no process: EBADF. */
	EXPECT_EQ(-1, sys_checkpoint(pid, self->badfd, 0, self->log[1]));
	EXPECT_EQ(EBADF, errno);
	EXPECT_NE(NULL, strstr(log_text(self->log[0]), "is not open for writing"));
}

TEST_F(args, restart_argument_order)
{
	/* A bad logfd beats everything. */
	EXPECT_EQ(-1, sys_restart(1, self->badfd, RESTART_UNKNOWN_FLAG, self->badfd));
	EXPECT_EQ(EBADF, errno);

	/* Unknown flags before a pid other than 0. */
	EXPECT_EQ(-1, sys_restart(1, self->badfd, RESTART_UNKNOWN_FLAG,
				  self->log[1]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_STREQ("restart: pid 1: unknown flags 0x4\n",
		     log_text(self->log[0]));

	/* A pid other than 0 before a bad fd: EINVAL, not EBADF. */
	EXPECT_EQ(-1, sys_restart(1, self->badfd, 0, self->log[1]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(NULL, strstr(log_text(self->log[0]), "pid must be 0"));
}

/* Good arguments: restart reads the image, here an empty one. */
TEST_F(args, restart_reads_the_image)
{
	close(self->img[1]);
	self->img[1] = -1;
	EXPECT_EQ(-1, sys_restart(0, self->img[0], 0, self->log[1]));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_STREQ("restart: pid 0: image offset 0: the image ends early\n",
		     log_text(self->log[0]));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint(2): targets it must refuse, each with its errno and one log
 * line saying why, and writes that fail.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

static unsigned char *region;

/* Read what the syscall wrote to the log pipe. */
static const char *log_text(int fd)
{
	static char buf[1024];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

FIXTURE(target) {
	int img;
	int log[2];
};

FIXTURE_SETUP(target)
{
	self->img = image_file();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, pipe2(self->log, O_NONBLOCK));
}

FIXTURE_TEARDOWN(target)
{
	close(self->img);
	close(self->log[0]);
	close(self->log[1]);
}

TEST_F(target, running_task_is_busy)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		for (;;)
			pause();
	}
	EXPECT_EQ(-1, sys_checkpoint(pid, self->img, 0, self->log[1]));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_NE(NULL, strstr(log_text(self->log[0]), "running"));
	kill_child(pid);
}

TEST_F(target, kernel_thread_is_not_supported)
{
	/* pid 2 is kthreadd */
	EXPECT_EQ(-1, sys_checkpoint(2, self->img, 0, self->log[1]));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_NE(NULL, strstr(log_text(self->log[0]), "kernel thread"));
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

static unsigned long threads_setup(void *arg)
{
	pthread_t t;

	if (arg && pthread_create(&t, NULL, sleeper, NULL))
		_exit(3);
	return 1;
}

/* A stopped process is saved with all its threads. */
TEST_F(target, multi_threaded_process_is_checkpointed_whole)
{
	unsigned long unused;
	pid_t pid = spawn_stopped(threads_setup, "", &unused);

	ASSERT_LT(0, pid);
	EXPECT_LT(0, sys_checkpoint(pid, self->img, 0, self->log[1]));
	kill_child(pid);
}

static unsigned long self_threads_setup(void *arg)
{
	pthread_t t;
	long ret;

	if (pthread_create(&t, NULL, sleeper, NULL))
		_exit(3);
	ret = sys_checkpoint(0, *(int *)arg, 0, STDERR_FILENO);
	_exit(ret == -1 && errno == EBUSY ? 0 : 4);
}

/* A task checkpoints itself only alone: its other threads would run. */
TEST_F(target, self_checkpoint_with_threads_is_ebusy)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid)
		self_threads_setup(&self->img);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

#ifndef __NR_mseal
#define __NR_mseal	462
#endif

/* A sealed mapping: VM_SEALED is state the image has no constant for. */
static unsigned long sealed_setup(void *arg)
{
	if (!arg)
		return region[0] == 1;
	region = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED || syscall(__NR_mseal, region, 4096, 0))
		_exit(3);
	region[0] = 1;
	return (unsigned long)region;
}

/*
 * A flag that is program state but has no image constant is refused at
 * checkpoint, naming the VMA and the flag, instead of vanishing from
 * the image.
 */
TEST_F(target, flag_without_image_constant_is_refused)
{
	unsigned long base;
	char want[64];
	pid_t pid = spawn_stopped(sealed_setup, "", &base);
	const char *log;

	ASSERT_LT(0, pid);
	EXPECT_EQ(-1, sys_checkpoint(pid, self->img, 0, self->log[1]));
	EXPECT_EQ(EOPNOTSUPP, errno);
	log = log_text(self->log[0]);
	snprintf(want, sizeof(want), "vma %#lx-%#lx: VM_SEALED (mseal)",
		 base, base + 4096);
	EXPECT_NE(NULL, strstr(log, want)) {
		TH_LOG("log: %s", log);
	}
	EXPECT_EQ(0, finish_child(pid));
}

/* Map @fd privately and write to it: the set-up of the two below. */
static unsigned long map_written(int fd)
{
	if (fd < 0 || ftruncate(fd, 4096))
		_exit(3);
	region = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (region == MAP_FAILED)
		_exit(3);
	close(fd);
	region[0] = 1;
	return (unsigned long)region;
}

/* A private mapping of a file deleted since: nothing to reopen. */
static unsigned long deleted_setup(void *arg)
{
	char name[] = "/tmp/ckpt-deleted-XXXXXX";
	int fd;

	if (!arg)
		return region[0] == 1;
	fd = mkstemp(name);
	if (fd >= 0 && unlink(name))
		_exit(3);
	return map_written(fd);
}

/*
 * A shared mapping of a tmpfs file unlinked before mmap(2): its VMA has
 * the operations of shared anonymous memory, but it is a file mapping,
 * of a file with no path.
 */
static unsigned long unlinked_shared_setup(void *arg)
{
	char name[] = "/tmp/ckpt-unlinked-XXXXXX";	/* tmpfs, in the guest */
	int fd;

	if (!arg)
		return region[0] == 1;
	fd = mkstemp(name);
	if (fd < 0 || unlink(name) || ftruncate(fd, 4096))
		_exit(3);
	region = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (region == MAP_FAILED)
		_exit(3);
	close(fd);
	region[0] = 1;
	return (unsigned long)region;
}

/*
 * Checkpoint a child that @setup gave a mapping restart could not
 * reopen: refused, the log line naming the VMA and @why; the child
 * goes on unharmed.
 */
static void expect_mapping_refused(struct __test_metadata *_metadata,
				   struct _test_data_target *self,
				   unsigned long (*setup)(void *),
				   const char *why)
{
	unsigned long base;
	char want[96];
	pid_t pid = spawn_stopped(setup, "", &base);
	const char *log;

	ASSERT_LT(0, pid);
	EXPECT_EQ(-1, sys_checkpoint(pid, self->img, 0, self->log[1]));
	EXPECT_EQ(EOPNOTSUPP, errno);
	log = log_text(self->log[0]);
	snprintf(want, sizeof(want), "vma %#lx-%#lx: %s", base, base + 4096,
		 why);
	EXPECT_NE(NULL, strstr(log, want)) {
		TH_LOG("log: %s", log);
	}
	EXPECT_EQ(0, finish_child(pid));
}

/*
 * Restart reopens a file mapping by its path; a file deleted before the
 * checkpoint has none, so the image could never restart: refused at
 * checkpoint instead, with the VMA named.
 */
TEST_F(target, deleted_file_mapping_is_refused)
{
	expect_mapping_refused(_metadata, self, deleted_setup,
			       "its file was deleted");
}

/* Shared, with the VM operations of anonymous memory: refused the same. */
TEST_F(target, unlinked_tmpfs_mapping_is_refused)
{
	expect_mapping_refused(_metadata, self, unlinked_shared_setup,
			       "its file was deleted");
}

/* An unprivileged user may not checkpoint root's task. */
TEST_F(target, unprivileged_against_root_is_eperm)
{
	pid_t parent = getpid(), pid;
	int status;

	if (geteuid())
		SKIP(return, "needs root to drop to an unprivileged user");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(3);
		if (sys_checkpoint(parent, self->img, 0, self->log[1]) != -1)
			_exit(4);
		_exit(errno == EPERM ? 0 : 5);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_NE(NULL, strstr(log_text(self->log[0]), "permission"));
}

TEST_F(target, closed_pipe_is_epipe)
{
	int p[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	close(p[0]);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Nothing the image would refuse: only the write fails. */
		drop_shared_mappings();
		signal(SIGPIPE, SIG_IGN);
		if (sys_checkpoint(0, p[1], 0, -1) != -1)
			_exit(1);
		_exit(errno == EPIPE ? 0 : 2);
	}
	close(p[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x: 2 is an errno other than EPIPE", status);
	}
}

TEST_F(target, read_only_fd_is_ebadf)
{
	int fd = open("/proc/self/maps", O_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, sys_checkpoint(0, fd, 0, -1));
	EXPECT_EQ(EBADF, errno);
	close(fd);
}

TEST_HARNESS_MAIN

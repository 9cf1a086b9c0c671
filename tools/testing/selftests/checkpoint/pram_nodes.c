// SPDX-License-Identifier: GPL-2.0
/*
 * PRAM nodes through their filesystem, and checkpoint/restart through
 * them, within one boot (the kexec round trip is scripts/tests/
 * kexec-selftest): create, list, stat, read and delete nodes; the errno
 * of every misuse; a checkpoint into a node is a snapshot that pages
 * by reference and stays one while the task runs on; restart from a node
 * twice gives two tasks that share no writable page.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define PRAM_DIR	"/sys/fs/pram"
#define PS		4096UL

static void mount_pram(struct __test_metadata *_metadata)
{
	struct stat st;

	if (stat(PRAM_DIR "/.", &st))
		SKIP(return, "no PRAM in this kernel");
	if (mount("pram", PRAM_DIR, "pram", 0, NULL) && errno != EBUSY)
		SKIP(return, "cannot mount the pram filesystem: %s",
		     strerror(errno));
}

/* Whether a node named @name is listed. */
static int listed(const char *name)
{
	DIR *d = opendir(PRAM_DIR);
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		if (!strcmp(e->d_name, name))
			found = 1;
	if (d)
		closedir(d);
	return found;
}

TEST(node_lifecycle)
{
	char buf[64] = "";
	struct stat st;
	int fd, fd2;

	mount_pram(_metadata);
	unlink(PRAM_DIR "/t-life");
	fd = open(PRAM_DIR "/t-life", O_CREAT | O_EXCL | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(11, write(fd, "hello world", 11));
	/* Being saved: no second opener, no unlink. */
	EXPECT_EQ(-1, open(PRAM_DIR "/t-life", O_RDONLY));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, unlink(PRAM_DIR "/t-life"));
	EXPECT_EQ(EBUSY, errno);
	close(fd);

	EXPECT_TRUE(listed("t-life"));
	ASSERT_EQ(0, stat(PRAM_DIR "/t-life", &st));
	EXPECT_EQ(11, st.st_size);
	/* the node's page, one link, one data page */
	EXPECT_EQ(3 * PS / 512, st.st_blocks);
	EXPECT_EQ(0400, st.st_mode & 0777);

	/* Published: read-only, readable by anyone who may open it. */
	EXPECT_EQ(-1, open(PRAM_DIR "/t-life", O_WRONLY));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, open(PRAM_DIR "/t-life", O_CREAT | O_EXCL | O_WRONLY,
			   0600));
	EXPECT_EQ(EEXIST, errno);
	fd = open(PRAM_DIR "/t-life", O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(11, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello world", buf);
	EXPECT_EQ(5, pread(fd, buf, 5, 6));
	EXPECT_EQ(0, memcmp(buf, "world", 5));
	fd2 = open(PRAM_DIR "/t-life", O_RDONLY);
	EXPECT_LE(0, fd2);
	close(fd2);
	EXPECT_EQ(-1, unlink(PRAM_DIR "/t-life"));
	EXPECT_EQ(EBUSY, errno);
	close(fd);

	EXPECT_EQ(0, unlink(PRAM_DIR "/t-life"));
	EXPECT_FALSE(listed("t-life"));
	EXPECT_EQ(-1, open(PRAM_DIR "/t-life", O_RDONLY));
	EXPECT_EQ(ENOENT, errno);
}

TEST(bad_names)
{
	char name[300];

	mount_pram(_metadata);
	memset(name, 'n', sizeof(name));
	memcpy(name, PRAM_DIR "/", strlen(PRAM_DIR "/"));
	name[sizeof(name) - 1] = '\0';
	EXPECT_EQ(-1, open(name, O_CREAT | O_WRONLY, 0600));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, mkdir(PRAM_DIR "/dir", 0700));
	EXPECT_EQ(EPERM, errno);
}

static unsigned char *snap;
#define SNAP_PAGES	64

/* Fill memory, stop; resumed, overwrite it all; restored, check it. */
static int snap_child(void)
{
	int i;

	snap = mmap(NULL, SNAP_PAGES * PS, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (snap == MAP_FAILED)
		return 1;
	for (i = 0; i < SNAP_PAGES; i++)
		memset(snap + i * PS, i + 1, PS);
	raise(SIGSTOP);
	/* The original, resumed, or a restored copy, gets here. */
	for (i = 0; i < SNAP_PAGES; i++)
		if (snap[i * PS] != i + 1 && snap[i * PS] != 0xee)
			return 2;
	if (snap[0] == 0xee)
		return 3;	/* saw the other task's writes */
	memset(snap, 0xee, SNAP_PAGES * PS);
	return 0;
}

/*
 * Into a node, the image carries no page contents, yet stays a snapshot:
 * the original runs on and overwrites its memory, and two restarts from
 * the node each find the checkpointed data and write privately.
 */
TEST(checkpoint_into_node_is_a_snapshot)
{
	struct stat st;
	pid_t pid;
	int fd;

	mount_pram(_metadata);
	unlink(PRAM_DIR "/t-snap");
	pid = spawn_fn(snap_child);
	ASSERT_LT(0, pid);
	fd = open(PRAM_DIR "/t-snap", O_CREAT | O_EXCL | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, sys_checkpoint(pid, fd, 0, STDERR_FILENO));
	/* Not readable for restart while it is still being saved. */
	close(fd);

	ASSERT_EQ(0, stat(PRAM_DIR "/t-snap", &st));
	EXPECT_GT(SNAP_PAGES * PS / 2, st.st_size) {
		TH_LOG("an image of %ld bytes holds page contents",
		       (long)st.st_size);
	}
	EXPECT_LE(SNAP_PAGES * PS / 512, st.st_blocks);

	/* The original overwrites everything, then the node restarts. */
	EXPECT_EQ(0, finish_child(pid));
	fd = open(PRAM_DIR "/t-snap", O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, restart_child(fd, NULL, 0));
	EXPECT_EQ(0, restart_child(fd, NULL, 0));
	close(fd);
	EXPECT_EQ(0, unlink(PRAM_DIR "/t-snap"));
}

/* A node's image is only restartable once published. */
TEST(restart_from_a_node_being_saved)
{
	char log[256] = "";
	int fd, logp[2];
	pid_t pid;

	mount_pram(_metadata);
	unlink(PRAM_DIR "/t-busy");
	pid = spawn_fn(snap_child);
	ASSERT_LT(0, pid);
	fd = open(PRAM_DIR "/t-busy", O_CREAT | O_EXCL | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, sys_checkpoint(pid, fd, 0, STDERR_FILENO));
	kill_child(pid);
	ASSERT_EQ(0, pipe2(logp, O_NONBLOCK));
	lseek(fd, 0, SEEK_SET);
	EXPECT_EQ(-1, sys_restart(0, fd, 0, logp[1]));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_LT(0, read(logp[0], log, sizeof(log) - 1));
	EXPECT_NE(NULL, strstr(log, "still being saved"));
	close(fd);
	EXPECT_EQ(0, unlink(PRAM_DIR "/t-busy"));
}

TEST_HARNESS_MAIN

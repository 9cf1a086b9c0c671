// SPDX-License-Identifier: GPL-2.0
/*
 * restart(2) grants nothing: files are reopened with the restarter's
 * credentials, the restored task keeps the restarter's ids, and an
 * unprivileged user can restart its own images. Run as root; the
 * restarter drops to nobody.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define NOBODY		65534
#define PS		4096UL

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		_exit(99);
}

/* The root-only file's name, set by its test. */
static char secret[64];

/* A private mapping of a file only root can read. */
static int secret_child(void)
{
	int fd = open(secret, O_RDONLY);
	char *p = mmap(NULL, PS, PROT_READ, MAP_PRIVATE, fd, 0);

	if (fd < 0 || p == MAP_FAILED)
		return 1;
	raise(SIGSTOP);
	return p[0] == 's' ? 0 : 2;
}

/* Anonymous memory only; restored, report whether it runs as nobody. */
static int anon_child(void)
{
	raise(SIGSTOP);
	return getuid() == NOBODY && geteuid() == NOBODY &&
	       getgid() == NOBODY ? 0 : 3;
}

/* Checkpoint the stopped @pid into a fresh image and kill it. */
static int image_of(pid_t pid)
{
	int fd = image_file();

	if (pid <= 0 || fd < 0 || sys_checkpoint(pid, fd, 0, STDERR_FILENO) <= 0) {
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if (pid > 0)
		kill_child(pid);
	return fd;
}

TEST(root_only_file_is_eacces_for_nobody)
{
	int fd, img;

	if (geteuid())
		SKIP(return, "needs root");
	snprintf(secret, sizeof(secret), "/tmp/ckpt-secret-XXXXXX");
	fd = mkstemp(secret);
	ASSERT_LE(0, fd);
	ASSERT_EQ(6, write(fd, "secret", 6));
	ASSERT_EQ(0, fchmod(fd, 0600));
	img = image_of(spawn_fn(secret_child));
	ASSERT_LE(0, img);
	/* Root may restart it; nobody may not open the file. */
	EXPECT_EQ(0, restart_child(img, NULL, 0));
	EXPECT_EQ(RESTART_FAILED(EACCES), restart_child(img, become_nobody, 0));
	close(img);
	close(fd);
	unlink(secret);
}

TEST(restart_keeps_the_restarters_ids)
{
	int img;

	if (geteuid())
		SKIP(return, "needs root");
	img = image_of(spawn_fn(anon_child));
	ASSERT_LE(0, img);
	EXPECT_EQ(0, restart_child(img, become_nobody, 0));
	/* Restarted by root, the same image does not run as nobody. */
	EXPECT_EQ(3, restart_child(img, NULL, 0));
	close(img);
}

static int own_fd;

/* As nobody: checkpoint itself; 50 as the original, 0 once restored. */
static int own_child(void)
{
	long id;

	become_nobody();
	id = sys_checkpoint(0, own_fd, 0, STDERR_FILENO);
	if (id > 0)
		return 50;
	return !id && getuid() == NOBODY ? 0 : 4;
}

TEST(nobody_restarts_its_own_image)
{
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root");
	own_fd = self_image_file();
	ASSERT_LE(0, own_fd);
	pid = fork();
	if (!pid) {
		drop_shared_mappings();
		_exit(own_child());
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(50, WEXITSTATUS(status));
	EXPECT_EQ(0, restart_child(own_fd, become_nobody, 0));
	close(own_fd);
}

TEST_HARNESS_MAIN

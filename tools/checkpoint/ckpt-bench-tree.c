// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-bench-tree: checkpoint(2) and restart(2) of a process tree, per
 * task. Run by "make bench" in the plain guest kernel, as root.
 *
 * The tree is a container: init of a new pid namespace, with 63 child
 * processes, each process with 4 threads (256 tasks), little memory
 * each. It is checkpointed through its init with CHECKPOINT_TREE into a
 * tmpfs file, and restarted as init of another new pid namespace, up to
 * the restored init's first instruction. Target: below 1 ms per task.
 *
 *	ckpt-bench-tree [PROCS [THREADS]]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/ckpt_hdr.h>

#ifndef __NR_checkpoint
#define __NR_checkpoint	463
#define __NR_restart	464
#endif

#define RUNS		3
#define RESUMED_FD	100	/* the restored init says it runs here */
#define GO_FD		101	/* and waits for a byte here first */

/*
 * Both are pipes whose other ends this program holds: external files of
 * the image, for which restart(2) takes the restarter's descriptors.
 */
static const struct cr_inherit substitutes[] = {
	{ .fd = 0, .from = 0 }, { .fd = 1, .from = 1 }, { .fd = 2, .from = 2 },
	{ .fd = RESUMED_FD, .from = RESUMED_FD }, { .fd = GO_FD, .from = GO_FD },
};

#define NR_SUBST	5

static int nr_procs = 64, nr_threads = 4;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

static void start_threads(void)
{
	pthread_t t;
	int i;

	for (i = 1; i < nr_threads; i++)
		if (pthread_create(&t, NULL, sleeper, NULL))
			_exit(3);
}

/*
 * The container's init: its children stop themselves; it says it is
 * ready on RESUMED_FD and waits for a byte on GO_FD, which only the
 * restarter's substitute has, and then writes to RESUMED_FD again: to
 * the restarter's substitute.
 */
static int tree_init(int unused)
{
	int i, status;
	pid_t pid;
	char c;

	(void)unused;

	/* Nothing of ours but these: the image refuses our memfd. */
	close_range(3, RESUMED_FD - 1, 0);
	close_range(GO_FD + 1, ~0U, 0);

	for (i = 1; i < nr_procs; i++) {
		pid = fork();
		if (!pid) {
			start_threads();
			raise(SIGSTOP);
			for (;;)
				pause();
		}
		if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid)
			return 3;
	}
	start_threads();
	/* Ready: the original's byte, which main() reads. */
	if (write(RESUMED_FD, "r", 1) != 1)
		return 3;
	while (read(GO_FD, &c, 1) != 1)
		;
	if (write(RESUMED_FD, "r", 1) != 1)
		return 4;
	for (;;)
		pause();
}

/*
 * Fork a helper that makes a new pid namespace and forks @fn as its
 * init; returns the init's pid as the caller sees it, and the helper's.
 */
static pid_t spawn_ns(int (*fn)(int), int arg, pid_t *helper)
{
	int p[2];
	pid_t init = -1;

	if (pipe(p))
		return -1;
	*helper = fork();
	if (!*helper) {
		close(p[0]);
		if (unshare(CLONE_NEWPID))
			_exit(5);
		init = fork();
		if (!init)
			_exit(fn(arg));
		if (write(p[1], &init, sizeof(init)) != sizeof(init))
			_exit(5);
		waitpid(init, NULL, 0);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &init, sizeof(init)) != sizeof(init))
		init = -1;
	close(p[0]);
	return init;
}

static int img;

static int do_restart(int resumed)
{
	int go[2];

	if (pipe(go) || write(go[1], "g", 1) != 1)
		return 6;
	dup2(go[0], GO_FD);
	dup2(resumed, RESUMED_FD);
	lseek(img, 0, SEEK_SET);
	syscall(__NR_restart, 0, img, RESTART_RUN, 2, substitutes, NR_SUBST);
	perror("restart");
	return 6;
}

static void kill_ns(pid_t init, pid_t helper)
{
	kill(init, SIGKILL);
	waitpid(helper, NULL, 0);
}

int main(int argc, char **argv)
{
	double t, best_ckpt = 1e9, best_rst = 1e9;
	int run, p[2], go[2], ready[2], tasks;
	pid_t init, helper;
	off_t size = 0;
	char c;

	if (argc > 1)
		nr_procs = atoi(argv[1]);
	if (argc > 2)
		nr_threads = atoi(argv[2]);
	tasks = nr_procs * nr_threads;
	img = memfd_create("ckpt-bench-tree", 0);
	if (img < 0)
		return 1;
	/* The original tree's: a go that never comes, and where it is ready. */
	if (pipe(go) || pipe(ready) || dup2(go[0], GO_FD) != GO_FD ||
	    dup2(ready[1], RESUMED_FD) != RESUMED_FD)
		return 1;

	for (run = 0; run < RUNS; run++) {
		init = spawn_ns(tree_init, 0, &helper);
		if (init < 0 || read(ready[0], &c, 1) != 1) {
			fprintf(stderr, "the tree did not start\n");
			return 1;
		}
		kill(init, SIGSTOP);
		usleep(200000);
		if (ftruncate(img, 0))
			return 1;
		lseek(img, 0, SEEK_SET);
		t = now();
		if (syscall(__NR_checkpoint, init, img, CHECKPOINT_TREE, 2) <= 0) {
			perror("checkpoint");
			return 1;
		}
		t = now() - t;
		size = lseek(img, 0, SEEK_END);
		if (t < best_ckpt)
			best_ckpt = t;
		kill_ns(init, helper);

		if (pipe(p))
			return 1;
		t = now();
		init = spawn_ns(do_restart, p[1], &helper);
		close(p[1]);
		if (init < 0 || read(p[0], &c, 1) != 1) {
			fprintf(stderr, "the restored tree did not run\n");
			return 1;
		}
		t = now() - t;
		close(p[0]);
		if (t < best_rst)
			best_rst = t;
		kill_ns(init, helper);
	}

	printf("tree: %d processes x %d threads (%d tasks) in a pid namespace\n",
	       nr_procs, nr_threads, tasks);
	printf("   checkpoint(2):        %7.1f ms  %6.3f ms per task  (image %.1f MiB)\n",
	       best_ckpt * 1e3, best_ckpt * 1e3 / tasks, size / 1048576.0);
	printf("   restart(2):           %7.1f ms  %6.3f ms per task\n",
	       best_rst * 1e3, best_rst * 1e3 / tasks);
	printf("   target: below 1 ms per task: %s, %s\n",
	       best_ckpt * 1e3 / tasks < 1 ? "met" : "NOT met",
	       best_rst * 1e3 / tasks < 1 ? "met" : "NOT met");
	return 0;
}

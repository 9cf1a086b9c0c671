// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-bench-tree: checkpoint(2) and restart(2) of a process tree, per
 * task, beside Debian's criu on the same tree in the same boot. Run by
 * "make bench" in the bench guest kernel, as root.
 *
 * The tree is a container: init of a new pid namespace, with 63 child
 * processes, each process with 4 threads (256 tasks), little memory
 * each; the children stop themselves. It is checkpointed through its
 * init with CHECKPOINT_TREE into a tmpfs file, and restarted as init of
 * another new pid namespace, up to the restored init's first
 * instruction. Target: below 1 ms per task.
 *
 * Beside it, Debian's criu on a tree of the same shape: "criu dump -t
 * INIT", INIT the init's pid as the bench sees it, into a tmpfs
 * directory, and "criu restore" of it, which makes a new pid namespace
 * again and the children stopped again, timed to the restored init's
 * first instruction too; and the ratios criu/ours. For criu, as in
 * ckpt-bench (bench_criu.h), the init is not stopped by the bench but
 * left waiting in read(), since criu stops it itself, and it leads a
 * session of its own with /dev/null as standard descriptors, or criu
 * would want the serial tty; and criu restores with "-d", since the
 * restored tree must outlive criu's restore (see criu_restore()). Each
 * figure is the best of RUNS, ours and criu's interleaved.
 *
 *	ckpt-bench-tree [PROCS [THREADS]]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>

#include "bench.h"
#include "bench_criu.h"

#ifndef __NR_checkpoint
#define __NR_checkpoint	463
#define __NR_restart	464
#endif

#define RUNS		3

/*
 * The restored init says it runs on RESUMED_FD and waits for a byte on
 * GO_FD first. Both are pipes whose other ends this program holds:
 * external files of the image, for which restart(2) takes the
 * restarter's descriptors.
 */
static const struct cr_inherit substitutes[] = {
	{ .fd = 0, .from = 0 }, { .fd = 1, .from = 1 }, { .fd = 2, .from = 2 },
	{ .fd = RESUMED_FD, .from = RESUMED_FD }, { .fd = GO_FD, .from = GO_FD },
};

static int nr_procs = 64, nr_threads = 4;

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

/* What a tree's init is given: its pipes, and whose tree it is. */
struct tree_fds {
	int go, ready;	/* become GO_FD and RESUMED_FD */
	bool criu;
};

/*
 * The container's init: its children stop themselves; it says it is
 * ready on RESUMED_FD and waits for a byte on GO_FD, which only the
 * restarter's substitute (criu's --inherit-fd) has, and then writes to
 * RESUMED_FD again: to the restarter's substitute.
 */
static int tree_init(const void *arg)
{
	const struct tree_fds *fds = arg;
	int i, status;
	pid_t pid;
	char c;

	if (fds->criu) {
		/* As criu_spawn()'s task: criu dumps no serial tty. */
		int null = open("/dev/null", O_RDWR);

		setsid();
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	dup2(fds->go, GO_FD);
	dup2(fds->ready, RESUMED_FD);
	/* Nothing of ours but these: the image refuses our memfd. */
	close_range(3, GO_FD - 1, 0);
	close_range(RESUMED_FD + 1, ~0U, 0);

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
	/* Ready: the original's byte, which the bench reads. */
	if (write(RESUMED_FD, "s", 1) != 1)
		return 3;
	while (read(GO_FD, &c, 1) != 1)
		;
	if (write(RESUMED_FD, "r", 1) != 1)
		return 4;
	/* Not even criu's ends here: see criu_restore() on CRIU_DETACH. */
	for (;;)
		pause();
}

/*
 * Fork a helper that makes a new pid namespace and forks @fn as its
 * init; returns the init's pid as the caller sees it, and the helper's.
 */
static pid_t spawn_ns(int (*fn)(const void *), const void *arg, pid_t *helper)
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

static int do_restart(const void *arg)
{
	int resumed = *(const int *)arg;
	int go[2];

	if (pipe(go) || write(go[1], "g", 1) != 1)
		return 6;
	dup2(go[0], GO_FD);
	dup2(resumed, RESUMED_FD);
	lseek(img, 0, SEEK_SET);
	syscall(__NR_restart, 0, img, RESTART_RUN, 2, substitutes,
		ARRAY_SIZE(substitutes));
	perror("restart");
	return 6;
}

static void kill_ns(pid_t init, pid_t helper)
{
	kill(init, SIGKILL);
	waitpid(helper, NULL, 0);
}

/*
 * "criu dump -t" of a fresh tree of criu's kind (tree_init()) into
 * CRIU_DIR, from criu's start until it has killed the tree; the init's
 * pid and pipe inodes, which criu_restore() needs, in @ct.
 */
static double criu_tree_dump(struct criu_task *ct)
{
	struct tree_fds fds = { .criu = true };
	int go[2], ready[2];
	pid_t helper;
	double t;
	char c;

	criu_empty_dir();
	if (pipe(go) || pipe(ready))
		die("pipe");
	fds.go = go[0];
	fds.ready = ready[1];
	ct->go_ino = pipe_ino(go[0]);
	ct->resumed_ino = pipe_ino(ready[1]);
	ct->pid = spawn_ns(tree_init, &fds, &helper);
	close(go[0]);
	close(ready[1]);
	if (ct->pid < 0 || read(ready[0], &c, 1) != 1) {
		fprintf(stderr, "the criu tree did not start\n");
		exit(1);
	}
	close(ready[0]);
	/* Held until the dump: without a writer, read() ends. */
	ct->go_w = go[1];
	t = criu_dump_pid(ct->pid);
	/* criu killed the init: its helper reaps it and ends. */
	waitpid(helper, NULL, 0);
	close(ct->go_w);
	return t;
}

static void print_line(const char *what, double t, int tasks)
{
	printf("   %-21s %7.1f ms  %6.3f ms per task", what, t * 1e3,
	       t * 1e3 / tasks);
}

int main(int argc, char **argv)
{
	double t, best_ckpt = 1e9, best_rst = 1e9;
	double best_dump = 1e9, best_restore = 1e9;
	bool criu = !access(CRIU, X_OK);
	struct tree_fds fds = { .criu = false };
	int run, p[2], go[2], ready[2], tasks;
	off_t size = 0, criu_size = 0;
	struct criu_task ct = { 0 };
	pid_t init, helper;
	char c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* criu_restore() kills the init it restored: reap it here. */
	if (criu && prctl(PR_SET_CHILD_SUBREAPER, 1))
		die("PR_SET_CHILD_SUBREAPER");
	scrub_free_memory();
	if (argc > 1)
		nr_procs = atoi(argv[1]);
	if (argc > 2)
		nr_threads = atoi(argv[2]);
	tasks = nr_procs * nr_threads;
	img = memfd_create("ckpt-bench-tree", 0);
	if (img < 0)
		return 1;
	/* The original tree's: a go that never comes, and where it is ready. */
	if (pipe(go) || pipe(ready))
		return 1;
	fds.go = go[0];
	fds.ready = ready[1];

	for (run = 0; run < RUNS; run++) {
		init = spawn_ns(tree_init, &fds, &helper);
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

		if (criu) {
			t = criu_tree_dump(&ct);
			criu_size = criu_images_size();
			if (t < best_dump)
				best_dump = t;
		}

		if (pipe(p))
			return 1;
		t = now();
		init = spawn_ns(do_restart, &p[1], &helper);
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

		if (criu) {
			t = criu_restore(&ct, CRIU_DETACH);
			if (t < best_restore)
				best_restore = t;
		}
	}

	printf("tree: %d processes x %d threads (%d tasks) in a pid namespace\n",
	       nr_procs, nr_threads, tasks);
	print_line("checkpoint(2):", best_ckpt, tasks);
	printf("  (image %.1f MiB)\n", size / (double)MIB);
	print_line("restart(2):", best_rst, tasks);
	printf("\n");
	if (criu) {
		print_line("criu dump -t:", best_dump, tasks);
		printf("  (images %.1f MiB)\n", criu_size / (double)MIB);
		print_line("criu restore:", best_restore, tasks);
		printf("\n");
		printf("   ratio criu/ours: dump/checkpoint %.1f, restore/restart %.1f\n",
		       best_dump / best_ckpt, best_restore / best_rst);
	}
	printf("   target: below 1 ms per task: %s, %s\n",
	       best_ckpt * 1e3 / tasks < 1 ? "met" : "NOT met",
	       best_rst * 1e3 / tasks < 1 ? "met" : "NOT met");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-bench: checkpoint(2) speed, measured side by side with what it is
 * compared to, in one run. Run by "make bench" in the plain guest kernel.
 *
 *  1. Throughput: checkpoint of a task with 256 MiB of dirty anonymous
 *     memory into a tmpfs file, against one write() of the same 256 MiB
 *     to a tmpfs file. Target ratio: >= 0.9.
 *  2. Sparse against dense: checkpoint of 64 GiB MAP_NORESERVE with 64
 *     touched pages, against 64 MiB fully touched. The sparse one must
 *     cost less: the ratio dense/sparse is above 1.
 *  3. Restart throughput: restart(2) of the 256 MiB image from tmpfs,
 *     up to the restored task's first instruction, against one read() of
 *     the same bytes from tmpfs into a fresh buffer. Target ratio: >= 0.9.
 *  4. PRAM: checkpoint of the same task into a PRAM node (its pages kept
 *     by reference) against checkpoint into tmpfs. Target: >= 50x faster.
 *  5. PRAM: restart from that node against restart from tmpfs, in the
 *     same boot, where the node's pages are still the first owner's
 *     anonymous pages and are copied.
 *  6. PRAM across kexec: a 256 MiB task checkpointed into a node, a
 *     kexec reboot (ckpt-kexec), then in the new kernel ("ckpt-bench
 *     --after-kexec") the first restart from the node, which maps the
 *     pages in place, against restart from tmpfs of a fresh 256 MiB
 *     task's image. Only a node's first restart maps pages in place, so
 *     that side is one run, not the best of several.
 *
 * Each figure is the best of several runs, to keep the guest's noise out.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/ckpt_hdr.h>
#include <time.h>
#include <unistd.h>

#include <linux/ckpt_hdr.h>

#define RUNS	5
#define MIB	(1024UL * 1024)

/* The restored child says it runs by writing to this descriptor. */
#define RESUMED_FD	99

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int tmpfile_fd(void)
{
	char name[] = "/tmp/ckpt-bench-XXXXXX";
	int fd = mkstemp(name);

	if (fd < 0) {
		perror("mkstemp");
		exit(1);
	}
	unlink(name);
	return fd;
}

/* A stopped child holding @len bytes, @step apart touched. */
/*
 * The workload's RESUMED_FD is a pipe this program holds the other end
 * of: an external file of its image, for which restart(2) takes the
 * restarter's RESUMED_FD.
 */
static const struct cr_inherit stdio_and_resumed[] = {
	{ .fd = 0, .from = 0 }, { .fd = 1, .from = 1 }, { .fd = 2, .from = 2 },
	{ .fd = RESUMED_FD, .from = RESUMED_FD },
};

static pid_t spawn(unsigned long len, unsigned long step, int flags)
{
	static int keep[2] = { -1, -1 };
	int status;
	pid_t pid;

	if (keep[0] < 0 && pipe(keep)) {
		perror("pipe");
		exit(1);
	}
	pid = fork();
	if (!pid) {
		/* Nothing of ours but RESUMED_FD: the image refuses a memfd. */
		dup2(keep[1], RESUMED_FD);
		close_range(3, RESUMED_FD - 1, 0);
		close_range(RESUMED_FD + 1, ~0U, 0);
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
		unsigned long i;

		if (p == MAP_FAILED)
			_exit(1);
		/* Small pages, as the write() side's buffer has. */
		madvise(p, len, MADV_NOHUGEPAGE);
		for (i = 0; i < len; i += step)
			memset(p + i, (int)(i >> 12) | 1, step > 4096 ? 1 : step);
		raise(SIGSTOP);
		/* Restored (bench 3): tell the restarter's parent. */
		if (write(RESUMED_FD, "r", 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "child did not stop\n");
		exit(1);
	}
	return pid;
}

/*
 * Best time of RUNS checkpoints of @pid into a tmpfs file, each timing
 * @reps checkpoints in a row: the guest's clock may tick in 4 ms steps
 * (see main()), so a short checkpoint is timed as many.
 */
static double time_checkpoint(pid_t pid, int reps, off_t *size)
{
	double best = 1e9, t;
	int i, r, fd = tmpfile_fd();

	for (i = 0; i < RUNS; i++) {
		t = now();
		for (r = 0; r < reps; r++) {
			if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET)) {
				perror("truncate");
				exit(1);
			}
			if (syscall(__NR_checkpoint, pid, fd, 0, 2) <= 0) {
				perror("checkpoint");
				exit(1);
			}
		}
		t = (now() - t) / reps;
		*size = lseek(fd, 0, SEEK_END);
		if (t < best)
			best = t;
	}
	close(fd);
	return best;
}

/* One more checkpoint of @pid, kept in a tmpfs file for bench 3. */
static int checkpoint_to_file(pid_t pid)
{
	int fd = tmpfile_fd();

	if (syscall(__NR_checkpoint, pid, fd, 0, 2) <= 0) {
		perror("checkpoint");
		exit(1);
	}
	return fd;
}

/* The guest's clocksource: the resolution of every figure here. */
static void print_clocksource(void)
{
	char cs[64] = "unknown";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			"r");

	if (f) {
		if (!fgets(cs, sizeof(cs), f))
			snprintf(cs, sizeof(cs), "unknown");
		fclose(f);
	}
	cs[strcspn(cs, "\n")] = '\0';
	printf("clocksource: %s; best of %d runs each\n", cs, RUNS);
}

/*
 * Best time of @runs restarts of the image in @img, each from fork() to
 * the restored task's first write, which comes right after its stop.
 */
static double time_restarts(int img, int runs)
{
	double best = 1e9, t;
	int i, p[2];
	pid_t pid;
	char c;

	for (i = 0; i < runs; i++) {
		if (pipe(p)) {
			perror("pipe");
			exit(1);
		}
		t = now();
		pid = fork();
		if (!pid) {
			dup2(p[1], RESUMED_FD);
			lseek(img, 0, SEEK_SET);
			syscall(__NR_restart, 0, img, RESTART_RUN, 2,
				stdio_and_resumed, 4);
			perror("restart");
			_exit(1);
		}
		close(p[1]);
		if (read(p[0], &c, 1) != 1) {
			fprintf(stderr, "the restored task did not run\n");
			exit(1);
		}
		t = now() - t;
		close(p[0]);
		waitpid(pid, NULL, 0);
		if (t < best)
			best = t;
	}
	return best;
}

static double time_restart(int img)
{
	return time_restarts(img, RUNS);
}

static double time_restart_once(int img)
{
	return time_restarts(img, 1);
}

/* Best time of RUNS read()s of @size bytes of @fd into fresh memory. */
static double time_read(int fd, size_t size)
{
	double best = 1e9, t;
	char *buf;
	int i;

	for (i = 0; i < RUNS; i++) {
		buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			exit(1);
		madvise(buf, size, MADV_NOHUGEPAGE);
		t = now();
		if (pread(fd, buf, size, 0) != (ssize_t)size) {
			perror("read");
			exit(1);
		}
		t = now() - t;
		munmap(buf, size);
		if (t < best)
			best = t;
	}
	return best;
}

/* Best time of RUNS checkpoints of fresh 256 MiB tasks into PRAM nodes. */
static double time_checkpoint_pram(unsigned long len, off_t *size)
{
	double best = 1e9, t;
	pid_t pid;
	int i, fd;

	for (i = 0; i < RUNS; i++) {
		pid = spawn(len, 4096, 0);
		unlink("/sys/fs/pram/bench");
		fd = open("/sys/fs/pram/bench", O_CREAT | O_EXCL | O_WRONLY,
			  0600);
		if (fd < 0) {
			perror("/sys/fs/pram/bench");
			exit(1);
		}
		t = now();
		if (syscall(__NR_checkpoint, pid, fd, 0, 2) <= 0) {
			perror("checkpoint into PRAM");
			exit(1);
		}
		t = now() - t;
		*size = lseek(fd, 0, SEEK_END);
		close(fd);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (t < best)
			best = t;
	}
	return best;
}

/* Checkpoint a fresh 256 MiB task into node @name, kill it. */
static void checkpoint_fresh(unsigned long len, const char *name)
{
	pid_t pid = spawn(len, 4096, 0);
	int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	if (fd < 0 || syscall(__NR_checkpoint, pid, fd, 0, 2) <= 0) {
		perror(name);
		exit(1);
	}
	close(fd);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Bench 6, second half: in the kernel kexec'd into. */
static int after_kexec(unsigned long len)
{
	double t_pram, t_tmpfs;
	int img;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mount("pram", "/sys/fs/pram", "pram", 0, NULL) && errno != EBUSY) {
		perror("mount pram");
		return 1;
	}
	img = open("/sys/fs/pram/bench-kexec", O_RDONLY);
	if (img < 0) {
		perror("/sys/fs/pram/bench-kexec");
		return 1;
	}
	t_pram = time_restart_once(img);
	close(img);
	unlink("/sys/fs/pram/bench-kexec");

	checkpoint_fresh(len, "/tmp/bench-kexec.img");
	img = open("/tmp/bench-kexec.img", O_RDONLY);
	t_tmpfs = time_restart(img);
	close(img);

	printf("6. restart of 256 MiB after kexec (pages kept in PRAM, mapped in place)\n");
	printf("   from tmpfs:           %7.1f ms (best of %d)\n", t_tmpfs * 1e3,
	       RUNS);
	printf("   from PRAM:            %7.1f ms (the node's first restart)\n",
	       t_pram * 1e3);
	printf("   ratio tmpfs/PRAM time: %.1f\n", t_tmpfs / t_pram);
	return 0;
}

static void finish(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	unsigned long len = 256 * MIB;
	double t_write = 1e9, t_ckpt, t_sparse, t_dense, t_restart, t_read, t;
	double t_pram, t_restart_pram;
	off_t size_ckpt, size_sparse, size_dense, size_pram;
	char *buf;
	pid_t pid;
	int i, fd, img;

	if (argc > 1 && !strcmp(argv[1], "--after-kexec"))
		return after_kexec(len);
	setvbuf(stdout, NULL, _IOLBF, 0);
	print_clocksource();

	/*
	 * Both sides get small pages: whether TCG's software TLB maps a
	 * buffer with huge pages or not changes its copy speed threefold.
	 */
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	madvise(buf, len, MADV_NOHUGEPAGE);
	memset(buf, 0x5a, len);
	for (i = 0; i < RUNS; i++) {
		fd = tmpfile_fd();
		t = now();
		if (write(fd, buf, len) != (ssize_t)len) {
			perror("write");
			return 1;
		}
		t = now() - t;
		close(fd);
		if (t < t_write)
			t_write = t;
	}
	munmap(buf, len);

	pid = spawn(len, 4096, 0);
	t_ckpt = time_checkpoint(pid, 1, &size_ckpt);
	img = checkpoint_to_file(pid);
	finish(pid);
	t_restart = time_restart(img);
	t_read = time_read(img, size_ckpt);
	close(img);

	printf("1. checkpoint of 256 MiB dirty anonymous memory to tmpfs\n");
	printf("   write() of 256 MiB:   %7.1f ms  %7.1f MiB/s\n",
	       t_write * 1e3, 256 / t_write);
	printf("   checkpoint(2):        %7.1f ms  %7.1f MiB/s  (image %.1f MiB)\n",
	       t_ckpt * 1e3, 256 / t_ckpt, size_ckpt / (double)MIB);
	printf("   ratio checkpoint/write throughput: %.2f (target >= 0.9)\n",
	       t_write / t_ckpt);

	pid = spawn(64UL << 30, 1UL << 30, MAP_NORESERVE);
	t_sparse = time_checkpoint(pid, 200, &size_sparse);
	finish(pid);
	pid = spawn(64 * MIB, 4096, 0);
	t_dense = time_checkpoint(pid, 1, &size_dense);
	finish(pid);

	printf("2. sparse against dense\n");
	printf("   64 GiB, 64 pages:     %7.2f ms  (image %.2f MiB)\n",
	       t_sparse * 1e3, size_sparse / (double)MIB);
	printf("   64 MiB, all pages:    %7.2f ms  (image %.2f MiB)\n",
	       t_dense * 1e3, size_dense / (double)MIB);
	printf("   ratio dense/sparse time: %.1f (sparse must cost less: > 1)\n",
	       t_dense / t_sparse);

	printf("3. restart of the 256 MiB image from tmpfs\n");
	printf("   read() of the image:  %7.1f ms  %7.1f MiB/s\n",
	       t_read * 1e3, size_ckpt / (double)MIB / t_read);
	printf("   restart(2):           %7.1f ms  %7.1f MiB/s\n",
	       t_restart * 1e3, size_ckpt / (double)MIB / t_restart);
	printf("   ratio restart/read throughput: %.2f (target >= 0.9)\n",
	       t_read / t_restart);

	if (mount("pram", "/sys/fs/pram", "pram", 0, NULL) && errno != EBUSY) {
		printf("4-5. no PRAM in this kernel\n");
		return 0;
	}
	t_pram = time_checkpoint_pram(len, &size_pram);
	printf("4. checkpoint of 256 MiB into a PRAM node (pages by reference)\n");
	printf("   into tmpfs:           %7.1f ms  (image %.1f MiB)\n",
	       t_ckpt * 1e3, size_ckpt / (double)MIB);
	printf("   into PRAM:            %7.2f ms  (image %.2f MiB)\n",
	       t_pram * 1e3, size_pram / (double)MIB);
	printf("   ratio tmpfs/PRAM time: %.0f (target >= 50)\n",
	       t_ckpt / t_pram);

	img = open("/sys/fs/pram/bench", O_RDONLY);
	if (img < 0) {
		perror("/sys/fs/pram/bench");
		return 1;
	}
	t_restart_pram = time_restart(img);
	close(img);
	unlink("/sys/fs/pram/bench");
	printf("5. restart of 256 MiB from PRAM, same boot (pages copied)\n");
	printf("   from tmpfs:           %7.1f ms\n", t_restart * 1e3);
	printf("   from PRAM:            %7.1f ms\n", t_restart_pram * 1e3);
	printf("   ratio tmpfs/PRAM time: %.2f\n", t_restart / t_restart_pram);

	/* Bench 6: into a node, then on in the next kernel. */
	if (access("/kexec/bzImage", R_OK)) {
		printf("6. no kexec kernel in this guest\n");
		return 0;
	}
	checkpoint_fresh(len, "/sys/fs/pram/bench-kexec");
	execl("/ckpt-kexec", "ckpt-kexec", "/kexec/bzImage",
	      "/kexec/initrd.img", "ckpt.boot=2", NULL);
	perror("/ckpt-kexec");
	return 1;
}

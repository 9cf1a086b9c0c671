// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-bench-lazy: lazy restart (RESTART_LAZY) against eager restart,
 * measured side by side in one run. Run by "make bench" in the plain
 * guest kernel, before ckpt-bench.
 *
 *  1. Time from restart(2) to the restored task's first instruction
 *     (its first write after resuming), lazy against eager, for a task
 *     with 64 MiB and with 1 GiB of dirty anonymous memory, images on
 *     tmpfs. Targets: lazy <= 1/20 of eager at 1 GiB, and lazy at 64 MiB
 *     and 1 GiB within 1.5x of each other (independent of size).
 *  2. Time until the last page is filled, the task idle (it waits until
 *     mincore(2) sees all its pages), lazy against eager restart up to
 *     the first instruction. Target: <= 1.2x.
 *  3. Median time of a first touch of a lazy page, against a first touch
 *     of a page of a tmpfs file in the page cache (a minor fault), both
 *     measured by the restored task, on pages far enough apart that
 *     neither fault-around nor the background has mapped them. Target:
 *     <= 2x.
 *
 * Beside 1 and 2 at 1 GiB, Debian's criu on the same workload: "criu
 * restore --lazy-pages" with a "criu lazy-pages" daemon serving the
 * pages of the same dump through userfaultfd, timed from the daemon's
 * start to the restored task's first instruction, and to its report
 * that every page is in; and criu's eager restore.
 *
 * Each time is the best of several runs (RUNS, RUNS_LAZY) but bench 3's
 * medians, from the last of RUNS runs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"
#include "bench_criu.h"

#define RUNS		3
/*
 * A lazy restart to the first instruction takes milliseconds: the best
 * of more runs, since under TCG the first after another kind of run is
 * often twice as slow (translated code evicted, say).
 */
#define RUNS_LAZY	7
#define PS		4096UL
#define TOUCHES		256	/* first touches bench 3 times, each side */
/* Pages apart: more than fault-around maps (fault_around_bytes, 64 KiB). */
#define STRIDE		32

/* What the restored child does first. */
enum mode { M_RUN, M_FILLED, M_TOUCH };

/* A read the compiler must make: the page is touched. */
static char touch(const char *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/*
 * Bench 3 in the restored task: first touches of lazy pages from the
 * end of @p (the background fills from the start), then of a tmpfs
 * file's pages in the page cache; both medians go to RESUMED_FD.
 */
static int touch_times(const char *p, unsigned long len)
{
	double lazy[TOUCHES], file[TOUCHES], t, m[2];
	char path[] = "/tmp/ckpt-bench-lazy-XXXXXX";
	const char *q;
	char *buf, *map;
	int fd, i;

	for (i = 0; i < TOUCHES; i++) {
		q = p + len - (unsigned long)(STRIDE * i + 1) * PS;
		t = now();
		touch(q);
		lazy[i] = now() - t;
	}
	fd = mkstemp(path);
	buf = malloc(TOUCHES * STRIDE * PS);
	if (fd < 0 || !buf)
		return 1;
	unlink(path);
	memset(buf, 1, TOUCHES * STRIDE * PS);
	if (write(fd, buf, TOUCHES * STRIDE * PS) !=
	    (ssize_t)(TOUCHES * STRIDE * PS))
		return 1;
	map = mmap(NULL, TOUCHES * STRIDE * PS, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return 1;
	/* Each touch a fault of its own, past what fault-around maps. */
	for (i = 0; i < TOUCHES; i++) {
		q = map + (unsigned long)i * STRIDE * PS;
		t = now();
		touch(q);
		file[i] = now() - t;
	}
	m[0] = median(lazy, TOUCHES);
	m[1] = median(file, TOUCHES);
	return write(RESUMED_FD, m, sizeof(m)) != sizeof(m);
}

/*
 * A child with @len bytes of dirty anonymous memory, stopped; once
 * restored it reports as @mode says.
 */
static pid_t spawn(unsigned long len, enum mode mode)
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
		char *p;

		dup2(keep[1], RESUMED_FD);
		close_range(3, RESUMED_FD - 1, 0);
		close_range(RESUMED_FD + 1, ~0U, 0);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		dirty(p, len);
		raise(SIGSTOP);
		/* Restored. */
		if (mode == M_TOUCH)
			_exit(touch_times(p, len));
		if (mode == M_FILLED)
			wait_resident(p, len);
		_exit(write(RESUMED_FD, "r", 1) != 1);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "child did not stop\n");
		exit(1);
	}
	return pid;
}

/* An image of a child of @len bytes in a tmpfs file, read-only. */
static int image(unsigned long len, enum mode mode)
{
	char path[] = "/tmp/ckpt-bench-lazy-img-XXXXXX";
	int fd = mkstemp(path), ro;
	pid_t pid = spawn(len, mode);

	if (fd < 0 || syscall(__NR_checkpoint, pid, fd, 0, 2) <= 0) {
		perror("checkpoint");
		exit(1);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* A lazy restart holds the image against writers: no writable fd. */
	ro = open(path, O_RDONLY);
	unlink(path);
	close(fd);
	if (ro < 0) {
		perror(path);
		exit(1);
	}
	return ro;
}

/* Best time of @runs restarts of @img with @flags; the report in @out. */
static double time_restart(int img, unsigned long flags, void *out, size_t len,
			   int runs)
{
	double best = 1e9, t;
	int i;

	for (i = 0; i < runs; i++) {
		t = restart_once(img, flags, out, len);
		if (t < best)
			best = t;
	}
	return best;
}

static double min_d(double a, double b)
{
	return a < b ? a : b;
}

/*
 * criu at @len bytes: eager restore, lazy restore to the first
 * instruction and lazy restore until every page is in, best of RUNS
 * each, into @t.
 */
static void criu_lazy(unsigned long len, double t[3])
{
	unsigned int flags;
	struct criu_task ct;
	int i, k;

	for (k = 0; k < 3; k++) {
		t[k] = 1e9;
		flags = k > 0 ? CRIU_LAZY : 0;
		criu_dump(len, k == 2, &ct);
		for (i = 0; i < RUNS; i++)
			t[k] = min_d(t[k], criu_restore(&ct, flags));
	}
}

int main(void)
{
	double eager[2], lazy[2], filled, m[2], criu_t[3] = { 0 };
	unsigned long len[2] = { 64 * MIB, 1024 * MIB };
	char c;
	int i, img;

	setvbuf(stdout, NULL, _IOLBF, 0);
	scrub_free_memory();
	for (i = 0; i < 2; i++) {
		img = image(len[i], M_RUN);
		eager[i] = time_restart(img, 0, &c, 1, RUNS);
		lazy[i] = time_restart(img, RESTART_LAZY, &c, 1, RUNS_LAZY);
		close(img);
	}
	img = image(len[1], M_FILLED);
	filled = time_restart(img, RESTART_LAZY, &c, 1, RUNS);
	close(img);
	img = image(len[1], M_TOUCH);
	time_restart(img, RESTART_LAZY, m, sizeof(m), RUNS);
	close(img);
	if (!access(CRIU, X_OK))
		criu_lazy(len[1], criu_t);

	printf("lazy 1. restart to the first instruction, lazy against eager\n");
	for (i = 0; i < 2; i++)
		printf("   %4lu MiB: eager %8.1f ms, lazy %7.2f ms, ratio lazy/eager %.3f\n",
		       len[i] / MIB, eager[i] * 1e3, lazy[i] * 1e3,
		       lazy[i] / eager[i]);
	printf("   (target lazy/eager <= 0.05 at 1 GiB)\n");
	printf("   ratio lazy 1 GiB/64 MiB: %.2f (target <= 1.5)\n",
	       lazy[1] / lazy[0]);
	printf("lazy 2. 1 GiB: until the last page is filled, the task idle\n");
	printf("   lazy, all filled: %8.1f ms, eager: %8.1f ms\n",
	       filled * 1e3, eager[1] * 1e3);
	printf("   ratio filled/eager: %.2f (target <= 1.2)\n",
	       filled / eager[1]);
	if (criu_t[0]) {
		printf("   criu at 1 GiB: restore %.1f ms; --lazy-pages: ",
		       criu_t[0] * 1e3);
		printf("first instruction %.1f ms, all filled %.1f ms\n",
		       criu_t[1] * 1e3, criu_t[2] * 1e3);
		printf("   ratio criu/ours: first instruction %.1f, all filled %.2f\n",
		       criu_t[1] / lazy[1], criu_t[2] / filled);
	}
	printf("lazy 3. median first touch: lazy page %.1f us, page-cache page %.1f us\n",
	       m[0] * 1e6, m[1] * 1e6);
	printf("   ratio lazy/page cache: %.2f (target <= 2)\n", m[0] / m[1]);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the ckpt-bench programs share: the clock, medians, tmpfs files,
 * and the timing of one restart(2) up to the restored task's first
 * instruction, which every restart and restore is timed to.
 */
#ifndef CKPT_BENCH_H
#define CKPT_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ckpt_hdr.h>

#define MIB	(1024UL * 1024)

/*
 * The restored task reports on this descriptor, a pipe whose reader is
 * the bench: an external file of the image, for which restart(2) takes
 * the restarter's RESUMED_FD.
 */
#define RESUMED_FD	99

static const struct cr_inherit stdio_and_resumed[] = {
	{ .fd = 0, .from = 0 }, { .fd = 1, .from = 1 },
	{ .fd = 2, .from = 2 }, { .fd = RESUMED_FD, .from = RESUMED_FD },
};

static inline void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Fill @len bytes at @p, each page different, as a program would. */
static inline void dirty(char *p, unsigned long len)
{
	unsigned long i;

	/* Small pages on every side: TCG copies huge ones 3x faster. */
	madvise(p, len, MADV_NOHUGEPAGE);
	for (i = 0; i < len; i += 4096)
		memset(p + i, (int)(i >> 12) | 1, 4096);
}

/*
 * Wait until every page of [@p, @p + @len) is resident, polling every
 * millisecond. A page of the idle task that waits, once in, stays in
 * (the guest has no swap): each poll asks mincore(2) about 2 MiB from
 * the first page it has not seen in yet, and goes on while they are all
 * in. So the waiting costs little beside the filling it waits for (a
 * mincore(2) of all 1 GiB a millisecond kept a CPU busy and took the
 * page table locks the filling takes), the same for both systems.
 */
static inline void wait_resident(const char *p, unsigned long len)
{
	static unsigned char vec[512];
	unsigned long from = 0, n, i;

	while (from < len) {
		n = len - from < sizeof(vec) * 4096 ? len - from :
						      sizeof(vec) * 4096;
		if (mincore((void *)(p + from), n, vec)) {
			usleep(1000);
			continue;
		}
		for (i = 0; i < n / 4096 && (vec[i] & 1); i++)
			from += 4096;
		if (i < n / 4096)
			usleep(1000);
	}
}

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Write every free page of the guest once, before anything is timed.
 * Under TCG, QEMU keeps its translations of the code a guest page held
 * until that page is written, and the first writes to such a page run
 * thousands of times slower than to any other: after criu's runs (each
 * restore executes its restorer from fresh anonymous pages) and after a
 * kexec reboot (the old kernel's text is free memory now), a restart
 * whose page tables landed on such pages spent 1.4 s in clear_page(),
 * and of two scrubs of the same free memory in a kexec'd boot the first
 * had a 64 MiB piece take 1.6 s, the second none over 0.1 s. A child
 * populates all but 256 MiB of MemFree, 64 MiB at a time, and exits;
 * the worst piece's time is printed, to show what was kept out. The
 * 256 MiB are for what MemFree counts but no allocation gets: the
 * isolated kexec landing zone (pram_zone=64M) and the zones' reserves
 * (with 64 MiB left, the OOM killer took the child after the kexec).
 */
static inline void scrub_free_memory(void)
{
	const unsigned long piece = 64 * MIB;
	unsigned long kb = 0, len, off;
	double t, worst = 0;
	int p[2], status;
	char line[256];
	pid_t pid;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %lu kB", &kb) == 1)
			break;
	fclose(f);
	len = kb * 1024 > 8 * piece ? kb * 1024 - 4 * piece : 0;
	if (pipe(p))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		for (off = 0; off + piece <= len; off += piece) {
			t = now();
			if (mmap(NULL, piece, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				 -1, 0) == MAP_FAILED)
				break;
			t = now() - t;
			if (t > worst)
				worst = t;
		}
		_exit(write(p[1], &worst, sizeof(worst)) != sizeof(worst));
	}
	close(p[1]);
	if (read(p[0], &worst, sizeof(worst)) != sizeof(worst))
		worst = -1;
	close(p[0]);
	waitpid(pid, &status, 0);
	printf("free memory written once: %lu MiB, slowest 64 MiB %.0f ms\n",
	       len / MIB, worst * 1e3);
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n figures (sorts them). */
static inline double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A tmpfs file, already unlinked. */
static inline int tmpfile_fd(void)
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

/*
 * One restart(2) of the image in @img with @flags, from fork() to the
 * restored task's report of @len bytes into @out, which it writes as
 * its first act once it runs.
 */
static inline double restart_once(int img, unsigned long flags, void *out,
				  size_t len)
{
	double t;
	int p[2];
	pid_t pid;

	if (pipe(p)) {
		perror("pipe");
		exit(1);
	}
	t = now();
	pid = fork();
	if (!pid) {
		dup2(p[1], RESUMED_FD);
		lseek(img, 0, SEEK_SET);
		syscall(__NR_restart, 0, img, RESTART_RUN | flags, 2,
			stdio_and_resumed, 4);
		perror("restart");
		_exit(1);
	}
	close(p[1]);
	if (read(p[0], out, len) != (ssize_t)len) {
		fprintf(stderr, "the restored task did not report\n");
		exit(1);
	}
	t = now() - t;
	close(p[0]);
	waitpid(pid, NULL, 0);
	return t;
}

#endif /* CKPT_BENCH_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Lazy restart (RESTART_LAZY): the task runs at once, and its saved
 * anonymous pages come from the image on first touch or from the
 * background.
 *
 * - touched in a random order, every page is byte for byte what was
 *   saved; left alone, the background fills every page (mincore(2) sees
 *   them all), and they are right too; the same with pages that were
 *   never written between the saved ones, in a batch and across batches:
 *   they read zeroes, touched before or after their batch was read;
 * - during the lazy phase: MADV_DONTNEED and munmap()+mmap() give zeroes,
 *   never the image; a VMA split while the background fills it loses no
 *   page; mremap() moves the pages with their contents; a
 *   fork() child sees the same memory; /proc/PID/mem,
 *   process_vm_readv() and vmsplice(2) (GUP, as a driver's direct I/O
 *   takes pages) read the saved contents;
 * - a damaged page gets SIGBUS on touch, and its neighbours are right;
 *   a batch whose digest does not match gets SIGBUS in all of its pages,
 *   the pages of the other batches are right;
 * - the image cannot be opened for writing while the task is lazy;
 * - what the background allocates for the task is charged to the task's
 *   memory cgroup;
 * - a task that exits in the middle leaves nothing behind (kmemleak, at
 *   the end of the run); one that dumps core in the middle dumps every
 *   page with its saved contents;
 * - lazy restart from a pipe is refused with EINVAL.
 *
 * The restored task checks itself: its exit status is the verdict.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include <linux/ckpt_hdr.h>
#include <linux/elf.h>

#include "../kselftest_harness.h"
#include "ckpt_edit.h"
#include "ckpt_util.h"

#define PS		4096UL
#define NPAGES		16384UL		/* 64 MiB: the background takes a while */
#define DAMAGED		777UL		/* the page whose contents the test damages */
#define BATCH		CR_PGARR_MAX	/* pages a batch holds at most */
/* Where the child maps its memory: the test reads it from outside. */
#define AREA		((unsigned char *)0x7e0000000000UL)

/* What the restored task does, set before the checkpoint. */
enum scenario {
	S_RANDOM, S_BACKGROUND, S_DONTNEED, S_REMAP, S_MREMAP, S_FORK,
	S_STOP, S_SIGBUS, S_BADBATCH, S_EXIT, S_SPARSE, S_SPARSE_BG, S_CORE,
	S_VMSPLICE, S_POISON_TOUCHED, S_POISON_AT_FORK, S_RANDOM_MAJOR,
	S_THREADS, S_ORDINARY_AGAIN, S_FAIL_NTH, S_CHARGED, S_SPLIT_BG,
};

static int scenario;
static pid_t image_pid;		/* the checkpointed child's */
static unsigned char *area = AREA;

static unsigned char pat(unsigned long page, unsigned long off)
{
	return (unsigned char)(page * 31 + off * 7 + (off >> 9) + 1);
}

static void fill_page(unsigned char *p, unsigned long page)
{
	unsigned long off;

	for (off = 0; off < PS; off++)
		p[off] = pat(page, off);
}

/*
 * For the sparse scenarios: whether the child writes page @i, and so
 * saves it. Holes of one page inside batches, and one of 700 pages
 * across a batch boundary.
 */
static bool saved(unsigned long i)
{
	return i % 7 != 3 && (i < 3000 || i >= 3700);
}

static bool sparse(void)
{
	return scenario == S_SPARSE || scenario == S_SPARSE_BG;
}

/* 0 when @p holds page @page's saved contents. */
static int page_ok(const unsigned char *p, unsigned long page)
{
	unsigned long off;

	for (off = 0; off < PS; off++)
		if (p[off] != pat(page, off))
			return -1;
	return 0;
}

static int page_zero(const unsigned char *p)
{
	unsigned long off;

	for (off = 0; off < PS; off++)
		if (p[off])
			return -1;
	return 0;
}

/* Pages of [@from, @to) of @base that are right, or the first wrong. */
static long check_range(const unsigned char *base, unsigned long from,
			unsigned long to)
{
	unsigned long i;

	for (i = from; i < to; i++)
		if (page_ok(base + i * PS, i))
			return -(long)i - 1;
	return 0;
}

/* 0 when, in a sparse scenario, each page of @order is what it must be. */
static int check_sparse(const unsigned long *order)
{
	unsigned long i, n;

	for (i = 0; i < NPAGES; i++) {
		n = order ? order[i] : i;
		if (saved(n) ? page_ok(area + n * PS, n) :
			       page_zero(area + n * PS))
			return -1;
	}
	return 0;
}

static unsigned long resident(void)
{
	unsigned char *vec = malloc(NPAGES);
	unsigned long i, n = 0;

	if (!vec || mincore(area, NPAGES * PS, vec))
		return 0;
	for (i = 0; i < NPAGES; i++)
		n += vec[i] & 1;
	free(vec);
	return n;
}

static sigjmp_buf bus_jmp;

/* A read the compiler must make: the page is touched. */
static unsigned char touch(const unsigned char *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void on_bus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

/* Whether reading @p gets SIGBUS, on_bus() catching it. */
static int faults(const unsigned char *p)
{
	if (sigsetjmp(bus_jmp, 1))
		return 1;
	touch(p);
	return 0;
}

/*
 * S_THREADS: threads that exist at the checkpoint, and after the restart
 * all read every page at once, in the same order, so that their faults
 * on one lazy page meet (and meet the background's fill).
 */
#define NTHREADS	4

static pthread_t threads[NTHREADS];
static int threads_go;
static int thread_bad[NTHREADS];

/* The ends of page @n: a quick check, the whole comes after. */
static int page_ends_ok(const unsigned char *p, unsigned long n)
{
	unsigned long off;

	for (off = 0; off < 64; off++)
		if (p[off] != pat(n, off) || p[PS - 1 - off] != pat(n, PS - 1 - off))
			return -1;
	return 0;
}

static void *toucher(void *arg)
{
	unsigned long t = (unsigned long)arg, i, n;

	while (!__atomic_load_n(&threads_go, __ATOMIC_ACQUIRE))
		sched_yield();
	/* 7919 is odd, NPAGES a power of two: every page, once. */
	for (i = 0; i < NPAGES; i++) {
		n = i * 7919 % NPAGES;
		if (page_ends_ok(area + n * PS, n)) {
			thread_bad[t] = 1;
			break;
		}
	}
	return NULL;
}

static int threads_touch(void)
{
	unsigned long t;
	int bad = 0;

	__atomic_store_n(&threads_go, 1, __ATOMIC_RELEASE);
	for (t = 0; t < NTHREADS; t++) {
		if (pthread_join(threads[t], NULL))
			return 130;
		bad |= thread_bad[t];
	}
	if (bad)
		return 131;
	return check_range(area, 0, NPAGES) ? 132 : 0;
}

/*
 * Whether a new 2 MiB-aligned anonymous area gets a transparent huge
 * page on its first touch, within 20 s: the address space is an ordinary
 * one again once the background is done.
 */
static int thp_again(void)
{
	unsigned char *p, *huge;
	int k;

	for (k = 0; k < 200; k++) {
		p = mmap(NULL, 4UL << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 0;
		huge = (unsigned char *)(((uintptr_t)p + (2UL << 20) - 1) &
					 ~((2UL << 20) - 1));
		madvise(huge, 2UL << 20, MADV_HUGEPAGE);
		huge[0] = 1;
		if (anon_huge_kb(getpid()) > 0) {
			munmap(p, 4UL << 20);
			return 1;
		}
		munmap(p, 4UL << 20);
		usleep(100000);
	}
	return 0;
}

/*
 * S_FAIL_NTH: the first touch of the last page of the next-to-last batch
 * (restart itself reads the last one's addresses; the background starts
 * from the other end), with the N-th allocation it makes failing (fail-nth, N read
 * from FAIL_NTH_FILE). A failed allocation is a passing error: the
 * fault is retried (VM_FAULT_OOM or a retry), never poisoned. Exit 0 when
 * the injected failure was reached and the page is right after it, 1
 * when the touch made fewer than N allocations (every fail point is
 * done), else what went wrong.
 */
#define FAIL_NTH_FILE	"/tmp/ckpt-lazy-fail-nth"

static int fail_nth_touch(void)
{
	unsigned long n = NPAGES - BATCH - 1;
	char buf[16];
	int fd, nth;
	ssize_t len;
	FILE *f;

	f = fopen(FAIL_NTH_FILE, "r");
	if (!f || fscanf(f, "%d", &nth) != 1)
		return 160;
	fclose(f);
	fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fd < 0)
		return 161;
	signal(SIGBUS, on_bus);
	len = snprintf(buf, sizeof(buf), "%d", nth);
	if (sigsetjmp(bus_jmp, 1))
		return 162;	/* SIGBUS: the failure poisoned the page */
	if (write(fd, buf, len) != len)
		return 163;
	touch(area + n * PS);
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0 || write(fd, "0", 1) != 1)
		return 164;
	buf[len] = '\0';
	signal(SIGBUS, SIG_DFL);
	if (page_ok(area + n * PS, n) || check_range(area, 0, NPAGES))
		return 165;
	return strtol(buf, NULL, 10) ? 1 : 0;
}

/* 0 when every page but the damaged one holds what was saved. */
static int all_but_damaged(const unsigned char *base)
{
	return check_range(base, 0, DAMAGED) ||
	       check_range(base, DAMAGED + 1, NPAGES);
}

/*
 * The damaged page stays lost where its page table is copied or moved:
 * a fork child gets SIGBUS on it as the parent does, never zeroes, and
 * so does its new place after mremap(). With S_POISON_TOUCHED a touch
 * has poisoned it before the fork; with S_POISON_AT_FORK fork() reads
 * it (unless the background got there first), and must not fail for it.
 */
static int poison_copied(void)
{
	unsigned char *p;
	int status;
	pid_t kid;

	signal(SIGBUS, on_bus);
	if (scenario == S_POISON_TOUCHED && !faults(area + DAMAGED * PS))
		return 110;
	kid = fork();
	if (!kid)
		_exit(faults(area + DAMAGED * PS) && !all_but_damaged(area) ?
		      0 : 1);
	if (kid < 0)
		return 111;
	if (waitpid(kid, &status, 0) != kid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return 112;
	if (!faults(area + DAMAGED * PS) || all_but_damaged(area))
		return 113;
	/* Three pages, the damaged one in the middle, moved elsewhere. */
	p = mremap(area + (DAMAGED - 1) * PS, 3 * PS, 3 * PS,
		   MREMAP_MAYMOVE | MREMAP_FIXED, area + (NPAGES + 64) * PS);
	if (p == MAP_FAILED)
		return 114;
	if (page_ok(p, DAMAGED - 1) || page_ok(p + 2 * PS, DAMAGED + 1))
		return 115;
	if (!faults(p + PS + 9))
		return 116;
	return 0;
}

/* The restored task's part: its exit status says what went wrong. */
/*
 * Not touched: while the background fills, the VMA is split (and merged
 * again) a little ahead of the first page it has not filled, by
 * mprotect(), which leaves the pages to fill as they are; so that a
 * batch the background read no longer lies in one VMA when it maps it.
 * Every page must still come, with its contents.
 */
static int split_ahead_of_background(void)
{
	unsigned char *vec = malloc(NPAGES), *p;
	unsigned long f;
	int k, splits = 0;

	if (!vec)
		return 160;
	for (k = 0; k < 5000; k++) {
		if (mincore(area, NPAGES * PS, vec))
			return 161;
		for (f = 0; f < NPAGES && (vec[f] & 1); f++)
			;
		if (f + 64 >= NPAGES)
			break;
		p = area + (f + 32) * PS;
		if (mprotect(p, PS, PROT_READ) ||
		    mprotect(p, PS, PROT_READ | PROT_WRITE))
			return 162;
		splits++;
	}
	free(vec);
	for (k = 0; k < 1200 && resident() < NPAGES; k++)
		usleep(100000);
	if (resident() < NPAGES)
		return 163;
	/* Too few splits to have met the background: no verdict. */
	if (splits < 16)
		return 164;
	return check_range(area, 0, NPAGES) ? 165 : 0;
}

static int resumed(void)
{
	unsigned long i, j, tmp, *order, lo, hi;
	unsigned char *p;
	int status, k, fds[2];
	struct rlimit core;
	pid_t kid;

	struct rusage ru0, ru1;

	switch (scenario) {
	case S_RANDOM_MAJOR:
		/* Its faults read the image: major ones, as a file's are. */
		getrusage(RUSAGE_SELF, &ru0);
		scenario = S_RANDOM;
		if (resumed())
			return 16;
		getrusage(RUSAGE_SELF, &ru1);
		return ru1.ru_majflt > ru0.ru_majflt ? 0 : 17;
	case S_SPARSE:
	case S_RANDOM:
		order = malloc(NPAGES * sizeof(*order));
		if (!order)
			return 10;
		for (i = 0; i < NPAGES; i++)
			order[i] = i;
		srand(42);
		for (i = NPAGES - 1; i > 0; i--) {
			j = rand() % (i + 1);
			tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
		if (scenario == S_SPARSE)
			return check_sparse(order) || check_sparse(NULL) ? 13 : 0;
		for (i = 0; i < NPAGES; i++)
			if (page_ok(area + order[i] * PS, order[i]))
				return 11;
		return check_range(area, 0, NPAGES) ? 12 : 0;
	case S_SPARSE_BG:
		/* Not touched: the background fills the saved pages alone. */
		for (i = 0, j = 0; i < NPAGES; i++)
			j += saved(i);
		for (k = 0; k < 1200 && resident() < j; k++)
			usleep(100000);
		if (resident() != j)
			return 14;
		return check_sparse(NULL) ? 15 : 0;
	case S_BACKGROUND:
		/* Not touched: the background fills it all. */
		for (k = 0; k < 1200 && resident() < NPAGES; k++)
			usleep(100000);
		if (resident() < NPAGES)
			return 20;
		return check_range(area, 0, NPAGES) ? 21 : 0;
	case S_DONTNEED:
		if (madvise(area + 100 * PS, 100 * PS, MADV_DONTNEED))
			return 30;
		for (i = 100; i < 200; i++)
			if (page_zero(area + i * PS))
				return 31;
		return check_range(area, 0, 100) || check_range(area, 200, NPAGES) ?
		       32 : 0;
	case S_REMAP:
		if (munmap(area + 200 * PS, 100 * PS) ||
		    mmap(area + 200 * PS, 100 * PS, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
		    area + 200 * PS)
			return 40;
		for (i = 200; i < 300; i++)
			if (page_zero(area + i * PS))
				return 41;
		return check_range(area, 0, 200) || check_range(area, 300, NPAGES) ?
		       42 : 0;
	case S_MREMAP:
		p = mremap(area, 64 * PS, 64 * PS, MREMAP_MAYMOVE | MREMAP_FIXED,
			   area + NPAGES * PS + 64 * PS);
		if (p == MAP_FAILED)
			return 50;
		for (i = 0; i < 64; i++)
			if (page_ok(p + i * PS, i))
				return 51;
		return check_range(area, 64, NPAGES) ? 52 : 0;
	case S_FORK:
		kid = fork();
		if (!kid)
			_exit(check_range(area, 0, NPAGES) ? 1 : 0);
		if (kid < 0 || waitpid(kid, &status, 0) != kid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			return 60;
		return check_range(area, 0, NPAGES) ? 61 : 0;
	case S_STOP:
		/* The test reads and checks from outside, then lets it go. */
		raise(SIGSTOP);
		return 0;
	case S_SIGBUS:
		signal(SIGBUS, on_bus);
		if (!sigsetjmp(bus_jmp, 1)) {
			touch(area + DAMAGED * PS);
			return 70;	/* read the damaged page: no SIGBUS */
		}
		/* Again: still SIGBUS, never zeroes or other contents. */
		if (!sigsetjmp(bus_jmp, 1)) {
			touch(area + DAMAGED * PS + 9);
			return 71;
		}
		signal(SIGBUS, SIG_DFL);
		return check_range(area, 0, DAMAGED) ||
		       check_range(area, DAMAGED + 1, NPAGES) ? 72 : 0;
	case S_BADBATCH:
		/*
		 * The pages that get SIGBUS: one run [lo, hi) of at most a
		 * batch, with the page of the damaged batch the test chose;
		 * every other page right.
		 */
		signal(SIGBUS, on_bus);
		lo = NPAGES;
		hi = NPAGES;
		for (i = 0; i < NPAGES; i++) {
			if (!faults(area + i * PS)) {
				if (page_ok(area + i * PS, i))
					return 80;
				continue;
			}
			if (lo == NPAGES)
				lo = i;
			else if (i != hi)
				return 81;	/* a second run of them */
			hi = i + 1;
		}
		/* Again: still SIGBUS, never zeroes or other contents. */
		if (!faults(area + DAMAGED * PS + 9))
			return 82;
		signal(SIGBUS, SIG_DFL);
		return lo <= DAMAGED && DAMAGED < hi && hi - lo <= BATCH ? 0 : 83;
	case S_POISON_TOUCHED:
	case S_POISON_AT_FORK:
		return poison_copied();
	case S_THREADS:
		return threads_touch();
	case S_FAIL_NTH:
		return fail_nth_touch();
	case S_ORDINARY_AGAIN:
		/*
		 * Not touched: the background fills all but the damaged page,
		 * then the address space is an ordinary one, with huge pages
		 * again; and the damaged page still gets SIGBUS, never zeroes.
		 */
		for (k = 0; k < 1200 && resident() < NPAGES - 1; k++)
			usleep(100000);
		if (resident() != NPAGES - 1)
			return 140;
		if (!thp_again())
			return 141;
		signal(SIGBUS, on_bus);
		if (!faults(area + DAMAGED * PS))
			return 142;
		signal(SIGBUS, SIG_DFL);
		return all_but_damaged(area) ? 143 : 0;
	case S_SPLIT_BG:
		return split_ahead_of_background();
	case S_CHARGED:
		/*
		 * Not touched: once the background has mapped every page,
		 * the test reads the cgroup's figures, the task stopped.
		 */
		for (k = 0; k < 1200 && resident() < NPAGES; k++)
			usleep(100000);
		if (resident() < NPAGES)
			return 150;
		raise(SIGSTOP);
		return check_range(area, 0, NPAGES) ? 151 : 0;
	case S_EXIT:
		return 0;
	case S_VMSPLICE:
		/*
		 * Untouched pages, from the end (the background starts at the
		 * beginning), handed to a pipe by reference: GUP faults each
		 * in, as a driver's direct I/O into or out of it would.
		 */
		p = malloc(PS);
		if (!p || pipe(fds))
			return 100;
		for (i = NPAGES - 1; i > NPAGES - 64; i -= 5) {
			struct iovec iov = { area + i * PS, PS };

			if (vmsplice(fds[1], &iov, 1, 0) != (ssize_t)PS ||
			    read(fds[0], p, PS) != (ssize_t)PS)
				return 101;
			if (page_ok(p, i))
				return 102;
		}
		return check_range(area, 0, NPAGES) ? 103 : 0;
	case S_CORE:
		/* At once, before it or the background touched the area. */
		core.rlim_cur = RLIM_INFINITY;
		core.rlim_max = RLIM_INFINITY;
		if (setrlimit(RLIMIT_CORE, &core) || prctl(PR_SET_DUMPABLE, 1))
			return 90;
		signal(SIGABRT, SIG_DFL);
		abort();
	}
	return 99;
}

static int lazy_child(void)
{
	unsigned long i;

	area = mmap(AREA, NPAGES * PS, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (area != AREA)
		return 2;
	/* Base pages: the test's page offsets are each one page. */
	madvise(area, NPAGES * PS, MADV_NOHUGEPAGE);
	for (i = 0; i < NPAGES; i++)
		if (!sparse() || saved(i))
			fill_page(area + i * PS, i);
	for (i = 0; scenario == S_THREADS && i < NTHREADS; i++)
		if (pthread_create(&threads[i], NULL, toucher, (void *)i))
			return 3;
	raise(SIGSTOP);
	return resumed();
}

FIXTURE(lazy) {
	int img;
	int log[2];
	char logbuf[1024];
};

FIXTURE_SETUP(lazy)
{
	self->img = image_file();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, pipe2(self->log, O_NONBLOCK));
}

FIXTURE_TEARDOWN(lazy)
{
	close(self->img);
	close(self->log[0]);
	close(self->log[1]);
}

/*
 * Keep only a read-only descriptor of the image: a lazy restart holds
 * the file against writers (ETXTBSY), as exec does, and this test's own
 * writable descriptor would be one.
 */
static int image_read_only(struct _test_data_lazy *self)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->img);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	close(self->img);
	self->img = fd;
	return 0;
}

/*
 * Checkpoint a child that will run @s once restored, and kill it; with
 * @ro, the image is left read-only.
 */
static int image_of_rw(struct _test_data_lazy *self, enum scenario s, bool ro)
{
	pid_t pid;
	long ret;

	scenario = s;
	pid = spawn_fn(lazy_child);
	if (pid < 0)
		return -1;
	image_pid = pid;
	ret = checkpoint_then_kill(pid, self->img, 0, self->log, self->logbuf,
				   sizeof(self->logbuf));
	if (ret < 0)
		return -1;
	return ro ? image_read_only(self) : 0;
}

static int image_of(struct _test_data_lazy *self, enum scenario s)
{
	return image_of_rw(self, s, true);
}

static int exit_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The cgroup.procs a restart joins first, when not NULL. */
static const char *restart_cgroup;

/* Fork a restart of the image with @flags; its pid. */
static pid_t restart_with(struct _test_data_lazy *self, unsigned long flags)
{
	/* Threads come back with their ids: the process with its pid. */
	pid_t pid = scenario == S_THREADS ? fork_clone3(0, image_pid) : fork();

	if (!pid) {
		/* "0": the writer itself. */
		if (restart_cgroup && write_str(restart_cgroup, "0"))
			_exit(4);
		lseek(self->img, 0, SEEK_SET);
		sys_restart(0, self->img, flags, self->log[1]);
		_exit(RESTART_FAILED(errno));
	}
	return pid;
}

static pid_t lazy_restart(struct _test_data_lazy *self)
{
	return restart_with(self, RESTART_RUN | RESTART_LAZY);
}

/* One scenario: checkpoint, restart lazily, the restored task's verdict. */
static int run_scenario(struct _test_data_lazy *self, enum scenario s)
{
	int ret;

	if (image_of(self, s))
		return -1;
	ret = exit_status(lazy_restart(self));
	if (ret)
		read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	return ret;
}

TEST_F_TIMEOUT(lazy, random_touch_is_byte_exact, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_RANDOM)) {
		TH_LOG("%s", self->logbuf);
	}
}

/* What a test does with a scenario: run_scenario() or fail_nth_sweep(). */
typedef int (*lazy_run_fn)(struct _test_data_lazy *self, enum scenario s);

/*
 * Run @s lazily from an image on ramfs, a filesystem whose reads may
 * sleep on I/O or take the inode's lock for all restart knows (it stands
 * for XFS or NFS here: not tmpfs, whose reads are made under the fault's
 * lock), with @run. Returns what @run does, or -2 without ramfs.
 */
static int run_on_ramfs_with(struct _test_data_lazy *self, enum scenario s,
			     lazy_run_fn run)
{
	const char *dir = "/tmp/ckpt-lazy-ramfs";
	char path[64];
	int fd, ret;

	mkdir(dir, 0700);
	if (mount("ramfs", dir, "ramfs", 0, NULL))
		return -2;
	snprintf(path, sizeof(path), "%s/image", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	/* Unlinked, as image_file()'s: the child's copy is not saved. */
	unlink(path);
	ret = -1;
	if (fd >= 0) {
		close(self->img);
		self->img = fd;
		ret = run(self, s);
	}
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	return ret;
}

static int run_on_ramfs(struct _test_data_lazy *self, enum scenario s)
{
	return run_on_ramfs_with(self, s, run_scenario);
}

/*
 * The knobs that let fail-nth fail every allocation: those that may
 * sleep, of user pages (highmem) and of single pages.
 */
static const struct {
	const char *path, *val;
} fail_knobs[] = {
	{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
};

/*
 * Restart @s (S_FAIL_NTH) lazily with N = 1, 2, ... until its touch
 * reaches no injected failure: every N must leave the page right.
 * Returns 0, -2 without fault injection, or what failed (printed).
 */
static int fail_nth_sweep(struct _test_data_lazy *self, enum scenario s)
{
	char saved[ARRAY_SIZE(fail_knobs)][8];
	int ret = -1, n, reached = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fail_knobs); i++) {
		int fd = open(fail_knobs[i].path, O_RDONLY);
		ssize_t len = fd < 0 ? -1 : read(fd, saved[i], 7);

		if (fd >= 0)
			close(fd);
		if (len <= 0)
			return -2;
		saved[i][len] = '\0';
	}
	if (image_of(self, s))
		return -1;
	for (i = 0; i < ARRAY_SIZE(fail_knobs); i++)
		write_str(fail_knobs[i].path, fail_knobs[i].val);
	for (n = 1; n < 64; n++) {
		FILE *f = fopen(FAIL_NTH_FILE, "w");

		if (!f || fprintf(f, "%d\n", n) < 0 || fclose(f))
			break;
		ret = exit_status(lazy_restart(self));
		if (ret == 1)
			break;
		if (ret) {
			read_log(self->log[0], self->logbuf,
				 sizeof(self->logbuf));
			fprintf(stderr, "# N=%d: exit %d: %s\n", n, ret,
				self->logbuf);
			break;
		}
		reached++;
	}
	for (i = 0; i < ARRAY_SIZE(fail_knobs); i++)
		write_str(fail_knobs[i].path, saved[i]);
	unlink(FAIL_NTH_FILE);
	fprintf(stderr, "# %d fail points in a lazy page's first touch\n",
		reached);
	/* Done, and the fill's own allocations among them. */
	return ret == 1 && reached >= 3 ? 0 : ret ? ret : -1;
}

/*
 * Each fault that reads such an image drops its lock first, and is
 * retried, a major fault, as a file page's that needed I/O. The memory
 * is byte-exact all the same.
 */
TEST_F_TIMEOUT(lazy, an_image_on_another_fs_is_read_without_the_fault_lock,
	       300)
{
	int ret = run_on_ramfs(self, S_RANDOM_MAJOR);

	if (ret == -2)
		SKIP(return, "no ramfs");
	EXPECT_EQ(0, ret) {
		TH_LOG("exit %d (17: no major fault): %s", ret, self->logbuf);
	}
}

/*
 * A lazy address space shared by threads: all of them fault on the same
 * pages at once after the restart, and every page is what was saved.
 */
TEST_F_TIMEOUT(lazy, threads_fault_on_the_same_pages, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_THREADS)) {
		TH_LOG("%s", self->logbuf);
	}
}

/* The same, each fault dropping its lock to read (see run_on_ramfs()). */
TEST_F_TIMEOUT(lazy, threads_fault_on_the_same_pages_without_the_lock, 300)
{
	int ret = run_on_ramfs(self, S_THREADS);

	if (ret == -2)
		SKIP(return, "no ramfs");
	EXPECT_EQ(0, ret) {
		TH_LOG("exit %d: %s", ret, self->logbuf);
	}
}

/*
 * A failed allocation in a lazy page's first touch (its folio, its
 * batch's addresses and checksums, the tree's nodes) is a passing
 * error: the touch is retried and reads what was saved, never SIGBUS.
 * Each fail point in turn, from tmpfs (the read under the fault's lock)
 * and from ramfs (the fault drops its lock and fills as the background).
 */
TEST_F_TIMEOUT(lazy, a_failed_allocation_never_poisons, 600)
{
	int ret = fail_nth_sweep(self, S_FAIL_NTH);

	if (ret == -2)
		SKIP(return, "no fault injection");
	EXPECT_EQ(0, ret);
}

TEST_F_TIMEOUT(lazy, a_failed_allocation_never_poisons_without_the_lock,
	       600)
{
	int ret = run_on_ramfs_with(self, S_FAIL_NTH, fail_nth_sweep);

	if (ret == -2)
		SKIP(return, "no ramfs or no fault injection");
	EXPECT_EQ(0, ret);
}

TEST_F_TIMEOUT(lazy, the_background_fills_every_page, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_BACKGROUND)) {
		TH_LOG("%s", self->logbuf);
	}
}

/*
 * A batch the background read, then found split across two VMAs when it
 * came to map it: what lies in the first VMA is mapped, the rest stays
 * to fill, none is lost.
 */
TEST_F_TIMEOUT(lazy, a_vma_split_under_the_background_loses_nothing, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_SPLIT_BG)) {
		TH_LOG("%s", self->logbuf);
	}
}

#define MEMCG_ROOT	"/sys/fs/cgroup"
#define MEMCG_GROUP	MEMCG_ROOT "/ckpt-lazy"

/*
 * What the background allocates for a task beside its pages (the page
 * tables it maps them in, its batches' addresses and checksums, the
 * set's nodes) is charged to the task's memory cgroup, as the task's
 * own faults' would be, not to the worker that runs it: a container's
 * limit sees what its restored task costs. The task is left untouched,
 * so that the background maps every page, and the test reads the
 * cgroup's page tables: at least one for each 2 MiB of the area.
 */
TEST_F_TIMEOUT(lazy, the_background_is_charged_to_the_task_s_cgroup, 300)
{
	long pt, kernel, want = NPAGES / 512 * PS;
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "the cgroup needs root");
	if (!cgroup2_at(MEMCG_ROOT))
		SKIP(return, "no cgroup v2 here");
	if (write_str(MEMCG_ROOT "/cgroup.subtree_control", "+memory"))
		SKIP(return, "no memory controller (CONFIG_MEMCG)");
	rmdir(MEMCG_GROUP);
	ASSERT_EQ(0, mkdir(MEMCG_GROUP, 0755));
	ASSERT_EQ(0, image_of(self, S_CHARGED));
	restart_cgroup = MEMCG_GROUP "/cgroup.procs";
	pid = lazy_restart(self);
	restart_cgroup = NULL;
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status)) {
		TH_LOG("status %#x: %s", status,
		       read_log(self->log[0], self->logbuf,
				sizeof(self->logbuf)));
	}
	pt = file_field(MEMCG_GROUP "/memory.stat", "pagetables", ' ');
	kernel = file_field(MEMCG_GROUP "/memory.stat", "kernel", ' ');
	TH_LOG("cgroup: pagetables %ld, kernel %ld bytes", pt, kernel);
	EXPECT_LE(want, pt);
	kill(pid, SIGCONT);
	EXPECT_EQ(0, exit_status(pid));
	rmdir(MEMCG_GROUP);
}

/*
 * Batches whose pages are not all those from their first to their last:
 * the addresses between leave the set when the batch is read, and read
 * zeroes, whether touched before the batch was read (the touch reads it)
 * or after.
 */
TEST_F_TIMEOUT(lazy, pages_never_written_read_zeroes, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_SPARSE)) {
		TH_LOG("%s", self->logbuf);
	}
}

TEST_F_TIMEOUT(lazy, the_background_leaves_the_holes, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_SPARSE_BG)) {
		TH_LOG("%s", self->logbuf);
	}
}

TEST_F_TIMEOUT(lazy, vmsplice_takes_the_saved_pages, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_VMSPLICE)) {
		TH_LOG("%s", self->logbuf);
	}
}

TEST_F_TIMEOUT(lazy, dontneed_reads_zeroes, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_DONTNEED)) {
		TH_LOG("%s", self->logbuf);
	}
}

TEST_F_TIMEOUT(lazy, munmap_then_mmap_reads_zeroes, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_REMAP)) {
		TH_LOG("%s", self->logbuf);
	}
}

TEST_F_TIMEOUT(lazy, mremap_moves_the_contents, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_MREMAP)) {
		TH_LOG("%s", self->logbuf);
	}
}

TEST_F_TIMEOUT(lazy, a_fork_child_sees_the_same_memory, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_FORK)) {
		TH_LOG("%s", self->logbuf);
	}
}

TEST_F_TIMEOUT(lazy, an_exit_in_the_middle, 300)
{
	EXPECT_EQ(0, run_scenario(self, S_EXIT)) {
		TH_LOG("%s", self->logbuf);
	}
}

/*
 * From outside, while it is stopped and lazy: /proc/PID/mem and
 * process_vm_readv() read what was saved, and the image cannot be
 * opened for writing.
 */
TEST_F_TIMEOUT(lazy, readers_from_outside_and_the_image_held, 300)
{
	unsigned char *buf = malloc(PS);
	struct iovec local, remote;
	char path[64];
	int status, fd;
	unsigned long i;
	pid_t pid;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, image_of(self, S_STOP));
	pid = lazy_restart(self);
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status)) {
		TH_LOG("status %#x: %s", status,
		       read_log(self->log[0], self->logbuf,
				sizeof(self->logbuf)));
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->img);
	fd = open(path, O_WRONLY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ETXTBSY, errno);

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	for (i = NPAGES - 1; i > NPAGES - 40; i -= 3) {
		ASSERT_EQ((ssize_t)PS, pread(fd, buf, PS,
					     (off_t)(uintptr_t)(area + i * PS)));
		EXPECT_EQ(0, page_ok(buf, i)) {
			TH_LOG("/proc/PID/mem page %lu", i);
		}
	}
	close(fd);
	for (i = NPAGES - 2; i > NPAGES - 40; i -= 3) {
		local = (struct iovec){ .iov_base = buf, .iov_len = PS };
		remote = (struct iovec){ .iov_base = area + i * PS,
					 .iov_len = PS };
		ASSERT_EQ((ssize_t)PS, process_vm_readv(pid, &local, 1,
							&remote, 1, 0));
		EXPECT_EQ(0, page_ok(buf, i)) {
			TH_LOG("process_vm_readv page %lu", i);
		}
	}
	kill(pid, SIGCONT);
	EXPECT_EQ(0, exit_status(pid));
	free(buf);
}

/*
 * The image offset of the contents of the page at @addr, or -1; with
 * @batch, that of its batch's PGARR record instead.
 */
static long page_offset(struct recs *r, unsigned long addr, bool batch)
{
	struct cr_hdr_pgarr ha;
	struct cr_hdr_pages hp;
	uint64_t a;
	int i;
	unsigned int j;

	for (i = 0; i + 1 < r->nr; i++) {
		if (r->type[i] != CR_HDR_PGARR || r->type[i + 1] != CR_HDR_PAGES)
			continue;
		memcpy(&ha, r->img + r->off[i], sizeof(ha));
		memcpy(&hp, r->img + r->off[i + 1], sizeof(hp));
		/* The bounds, which a lazy restart reads alone. */
		if (hp.flags || addr < ha.first || addr > ha.last)
			continue;
		if (batch)
			return r->off[i];
		for (j = 0; j < ha.nr_pages; j++) {
			memcpy(&a, r->img + r->off[i] + sizeof(ha) + 8 * j, 8);
			if (a == addr)
				return r->off[i + 1] + sizeof(hp) +
				       8UL * ha.nr_pages + j * PS;
		}
	}
	return -1;
}

/* Damage the contents of page DAMAGED of the image; read-only after. */
static int damage_page(struct _test_data_lazy *self)
{
	struct recs r;
	long off;

	if (load_recs(self->img, &r))
		return -1;
	off = page_offset(&r, (unsigned long)area + DAMAGED * PS, false);
	if (off < 0)
		return -1;
	r.img[off + 100] ^= 0x40;
	if (pwrite(self->img, r.img, r.size, 0) != (ssize_t)r.size)
		return -1;
	free(r.img);
	return image_read_only(self);
}

/*
 * Checkpoint a child that runs @s once restored, damage page DAMAGED,
 * restart lazily: the restored task's exit status, the log read.
 */
static int run_damaged(struct _test_data_lazy *self, enum scenario s)
{
	int ret = -1;

	if (!image_of_rw(self, s, false) && !damage_page(self))
		ret = exit_status(lazy_restart(self));
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	return ret;
}

TEST_F_TIMEOUT(lazy, a_damaged_page_gets_sigbus, 300)
{
	int ret;

	ASSERT_EQ(0, image_of_rw(self, S_SIGBUS, false));
	ASSERT_EQ(0, damage_page(self));
	/* Eagerly: refused at the page, before anything runs. */
	EXPECT_EQ(RESTART_FAILED(EBADMSG),
		  exit_status(restart_with(self, RESTART_RUN)));
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	EXPECT_NE(NULL, strstr(self->logbuf, "is damaged"));
	/* Lazily: it runs, and only the damaged page gets SIGBUS. */
	ret = exit_status(lazy_restart(self));
	EXPECT_EQ(0, ret) {
		TH_LOG("%s", read_log(self->log[0], self->logbuf,
				      sizeof(self->logbuf)));
	}
}

/*
 * A batch whose digest does not match: its first page's checksum changed,
 * which the digest covers, the contents left alone. Eagerly, the digest
 * refuses it before anything runs. Lazily, the task runs, and the first
 * touch of any of the batch's pages reads the batch and finds it damaged:
 * all of its pages get SIGBUS, not only the first (which a check of that
 * page's checksum alone would give), and the other batches are right.
 */
/*
 * A lazy page that could not be filled is lost data wherever its page
 * table goes: a fork child and a mremap() see SIGBUS there, not zeroes;
 * poisoned by a touch before the fork, or by the fork's own fill.
 */
TEST_F_TIMEOUT(lazy, a_damaged_page_stays_lost_in_a_fork_child, 300)
{
	int ret = run_damaged(self, S_POISON_TOUCHED);

	EXPECT_EQ(0, ret) {
		TH_LOG("exit %d: %s", ret, self->logbuf);
	}
}

TEST_F_TIMEOUT(lazy, a_page_damaged_at_fork_stays_lost, 300)
{
	int ret = run_damaged(self, S_POISON_AT_FORK);

	EXPECT_EQ(0, ret) {
		TH_LOG("exit %d: %s", ret, self->logbuf);
	}
}

/*
 * Once the background is done, the address space is an ordinary one
 * again: a lazy address space makes no transparent huge page, but this
 * one does now; and the page it could not fill stays lost, in the page
 * tables.
 */
TEST_F_TIMEOUT(lazy, once_filled_it_has_huge_pages_again, 300)
{
	int ret = run_damaged(self, S_ORDINARY_AGAIN);

	EXPECT_EQ(0, ret) {
		TH_LOG("exit %d: %s", ret, self->logbuf);
	}
}

/*
 * checkpoint(2) of a lazy task with a lost page is refused, with a log
 * line naming it: an image must not hold zeroes where the page was.
 */
TEST_F_TIMEOUT(lazy, a_checkpoint_of_a_lost_page_is_refused, 300)
{
	unsigned char *buf = malloc(PS);
	char path[64];
	int status, fd, img;
	pid_t pid;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, image_of_rw(self, S_STOP, false));
	ASSERT_EQ(0, damage_page(self));
	pid = lazy_restart(self);
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status)) {
		TH_LOG("status %#x: %s", status,
		       read_log(self->log[0], self->logbuf,
				sizeof(self->logbuf)));
	}
	/* Read from outside first: the page is poisoned before. */
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, pread(fd, buf, PS,
			    (off_t)(uintptr_t)(area + DAMAGED * PS)));
	EXPECT_EQ(EIO, errno);
	close(fd);
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));

	img = image_file();
	ASSERT_LE(0, img);
	EXPECT_EQ(-1, sys_checkpoint(pid, img, 0, self->log[1]));
	EXPECT_EQ(EOPNOTSUPP, errno);
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	EXPECT_NE(NULL, strstr(self->logbuf, "whose contents were lost")) {
		TH_LOG("log: %s", self->logbuf);
	}
	close(img);
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, exit_status(pid));
	free(buf);
}

TEST_F_TIMEOUT(lazy, a_damaged_batch_gets_sigbus, 300)
{
	struct cr_hdr_pgarr ha;
	struct recs r;
	long off;
	int ret;

	ASSERT_EQ(0, image_of_rw(self, S_BADBATCH, false));
	ASSERT_EQ(0, load_recs(self->img, &r));
	off = page_offset(&r, (unsigned long)area + DAMAGED * PS, true);
	ASSERT_LT(0, off);
	memcpy(&ha, r.img + off, sizeof(ha));
	ASSERT_LE(ha.first, (unsigned long)area + DAMAGED * PS);
	/* Its first checksum, after its addresses and the PAGES struct. */
	off += sizeof(ha) + 8UL * ha.nr_pages + sizeof(struct cr_hdr_pages);
	r.img[off + 3] ^= 0x10;
	ASSERT_EQ((ssize_t)r.size, pwrite(self->img, r.img, r.size, 0));
	free(r.img);
	ASSERT_EQ(0, image_read_only(self));
	EXPECT_EQ(RESTART_FAILED(EBADMSG),
		  exit_status(restart_with(self, RESTART_RUN)));
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	EXPECT_NE(NULL, strstr(self->logbuf, "page-array is damaged")) {
		TH_LOG("log: %s", self->logbuf);
	}
	ret = exit_status(lazy_restart(self));
	EXPECT_EQ(0, ret) {
		TH_LOG("%s", read_log(self->log[0], self->logbuf,
				      sizeof(self->logbuf)));
	}
}

#define CORE_PATTERN	"/proc/sys/kernel/core_pattern"
#define CORE_FILE	"/tmp/ckpt-lazy-core"

/*
 * 0 when the core file @path has the area, every page with what was
 * saved: the PT_LOAD segment that starts at it, whole.
 */
static int core_has_area(const char *path, char *why, size_t n)
{
	unsigned char *page = malloc(PS);
	struct elf64_hdr eh;
	struct elf64_phdr ph;
	unsigned long i;
	int fd, k, ret = -1;

	fd = open(path, O_RDONLY);
	if (fd < 0 || !page ||
	    pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_type != ET_CORE) {
		snprintf(why, n, "no ELF core at %s", path);
		goto out;
	}
	for (k = 0; k < eh.e_phnum; k++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + k * sizeof(ph)) !=
		    sizeof(ph))
			break;
		if (ph.p_type == PT_LOAD && ph.p_vaddr == (uintptr_t)AREA)
			break;
	}
	if (k == eh.e_phnum || ph.p_filesz != NPAGES * PS) {
		snprintf(why, n, "no whole PT_LOAD for the area in the core");
		goto out;
	}
	for (i = 0; i < NPAGES; i++) {
		if (pread(fd, page, PS, ph.p_offset + i * PS) != (ssize_t)PS ||
		    page_ok(page, i)) {
			snprintf(why, n, "page %lu of the area in the core", i);
			goto out;
		}
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(page);
	return ret;
}

/*
 * A lazy task that dumps core before its pages are in: the dump fills
 * them first, and has each with its saved contents (the kernel does not
 * dump a page it could not read, and does not dump zeroes for one still
 * in the image).
 */
TEST_F_TIMEOUT(lazy, a_core_dump_has_every_page, 300)
{
	char old[256] = "", why[128] = "";
	ssize_t len;
	int fd, st;

	fd = open(CORE_PATTERN, O_RDWR);
	if (fd < 0)
		SKIP(return, "cannot set %s: %s", CORE_PATTERN, strerror(errno));
	len = read(fd, old, sizeof(old) - 1);
	ASSERT_LT(0, len);
	ASSERT_EQ((ssize_t)strlen(CORE_FILE), pwrite(fd, CORE_FILE,
						     strlen(CORE_FILE), 0));
	unlink(CORE_FILE);
	ASSERT_EQ(0, image_of(self, S_CORE));
	st = exit_status(lazy_restart(self));
	EXPECT_EQ(128 + SIGABRT, st) {
		TH_LOG("%s", read_log(self->log[0], self->logbuf,
				      sizeof(self->logbuf)));
	}
	EXPECT_EQ(0, core_has_area(CORE_FILE, why, sizeof(why))) {
		TH_LOG("%s", why);
	}
	unlink(CORE_FILE);
	pwrite(fd, old, len, 0);
	close(fd);
}

TEST_F(lazy, from_a_pipe_is_einval)
{
	int p[2], status;
	pid_t pid;

	ASSERT_EQ(0, image_of(self, S_EXIT));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	if (!pid) {
		close(p[1]);
		sys_restart(0, p[0], RESTART_RUN | RESTART_LAZY, self->log[1]);
		_exit(RESTART_FAILED(errno));
	}
	close(p[0]);
	close(p[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(RESTART_FAILED(EINVAL), WEXITSTATUS(status));
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	EXPECT_NE(NULL, strstr(self->logbuf, "regular file"));
}

TEST_HARNESS_MAIN

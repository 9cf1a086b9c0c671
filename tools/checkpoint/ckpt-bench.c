// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-bench: checkpoint(2) and restart(2) beside their peer, Debian's
 * criu, and beside the copy limit, all in one boot. Run by "make bench"
 * in the bench guest kernel (the plain one plus what criu needs).
 *
 * The workload is a task with N MiB of dirty anonymous memory in small
 * pages, for N = 64, 256 and 1024; images go to tmpfs. Each figure is
 * the median of RUNS runs, ours and criu's interleaved:
 *
 *  - checkpoint(2) of the stopped task into a tmpfs file, against
 *    "criu dump" of the same workload into a tmpfs directory;
 *  - restart(2) from that file, against "criu restore" from that
 *    directory, each from its start to the restored task's first
 *    instruction (its first write, to a pipe the bench reads);
 *  - checkpoint(2) into a PRAM node (pages kept by reference) up to
 *    the close(2) that publishes it, and restart(2) from it in the same
 *    boot (pages copied), against the same two criu figures; and the
 *    checkpoint into PRAM of the same workload in transparent huge
 *    pages, which a node keeps whole, against its small-page twin
 *    (target: 50 times faster at 1 GiB);
 *  - after a kexec reboot ("ckpt-bench --after-kexec"): the first
 *    restart(2) from a node, which maps the pages in place (the median
 *    of three nodes' first restarts, after an untimed one), against
 *    "criu restore" and restart(2) from tmpfs in that boot; and a lazy
 *    restart(2) from each node to the restored task's first
 *    instruction, against the eager one from tmpfs (target: 1/50 at
 *    1 GiB); and at 256 MiB, the first restart from nodes of huge pages
 *    kept whole, mapped back by PMDs;
 *  - the copy limit: write(2) of the bytes from memory to a tmpfs file
 *    and read(2) of them into fresh memory, in 64 KiB pieces, as a
 *    program would; and copy_file_range(2) between two tmpfs files, a
 *    copy in the kernel through the direct map, as checkpoint's is.
 *
 * Plus one figure of its own: checkpoint of 64 GiB of MAP_NORESERVE with
 * 64 touched pages costs less than of 64 MiB fully touched.
 *
 * Every figure is also printed as "csv,PATH,SYSTEM,MIB,SECONDS", which
 * scripts/bench collects into a CSV file and a plot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "bench.h"
#include "bench_criu.h"

#define RUNS		5
#define NSIZES		3
#define CHUNK		(64 * 1024UL)
#define HUGE_SIZE	(2 * MIB)

static const unsigned long sizes[NSIZES] = { 64, 256, 1024 };

enum path {
	P_WRITE, P_READ, P_COPY,	/* the copy limit */
	P_CKPT, P_DUMP,			/* to tmpfs */
	P_RESTART, P_RESTORE,		/* from tmpfs */
	P_CKPT_PRAM, P_RESTART_PRAM,	/* PRAM, same boot */
	P_CKPT_PRAM_THP,		/* the same in huge pages */
	P_KEXEC, P_KEXEC_LAZY,		/* after kexec */
	P_KEXEC_TMPFS, P_KEXEC_RESTORE,
	P_KEXEC_THP,			/* after kexec, huge pages */
	NPATHS
};

static const struct {
	const char *name, *system, *what;
} paths[NPATHS] = {
	[P_WRITE]	= { "write-64k", "limit", "write() from memory to tmpfs, 64 KiB pieces" },
	[P_READ]	= { "read-64k", "limit", "read() into fresh memory, 64 KiB pieces" },
	[P_COPY]	= { "copy-file-range", "limit", "copy_file_range() tmpfs to tmpfs" },
	[P_CKPT]	= { "dump-tmpfs", "ours", "checkpoint(2) to tmpfs" },
	[P_DUMP]	= { "dump-tmpfs", "criu", "criu dump to tmpfs" },
	[P_RESTART]	= { "restore-tmpfs", "ours", "restart(2) from tmpfs" },
	[P_RESTORE]	= { "restore-tmpfs", "criu", "criu restore from tmpfs" },
	[P_CKPT_PRAM]	= { "dump-pram", "ours", "checkpoint(2) into PRAM" },
	[P_RESTART_PRAM] = { "restore-pram", "ours", "restart(2) from PRAM, same boot" },
	[P_CKPT_PRAM_THP] = { "dump-pram-thp", "ours", "checkpoint(2) into PRAM, huge pages" },
	[P_KEXEC]	= { "restore-kexec", "ours", "restart(2) from PRAM after kexec" },
	[P_KEXEC_LAZY]	= { "restore-kexec-lazy", "ours", "lazy restart(2) from PRAM, 1st instr." },
	[P_KEXEC_TMPFS]	= { "restore-tmpfs-kexec", "ours", "restart(2) from tmpfs, that boot" },
	[P_KEXEC_RESTORE] = { "restore-tmpfs-kexec", "criu", "criu restore from tmpfs, that boot" },
	[P_KEXEC_THP]	= { "restore-kexec-thp", "ours", "the same, huge pages (256 MiB only)" },
};

static double fig[NPATHS][NSIZES];

static void record(enum path p, int s, double *v, int n)
{
	fig[p][s] = median(v, n);
	printf("csv,%s,%s,%lu,%.6f\n", paths[p].name, paths[p].system,
	       sizes[s], fig[p][s]);
}

static char *dirty_buffer(unsigned long len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	dirty(p, len);
	return p;
}

/* @step for spawn(): every page written, in transparent huge pages. */
#define STEP_HUGE	0

/*
 * Our workload: a stopped child holding @len bytes, @step apart
 * touched (or STEP_HUGE); once restored it writes to RESUMED_FD, a pipe
 * held here.
 */
static pid_t spawn(unsigned long len, unsigned long step, int flags)
{
	static int keep[2] = { -1, -1 };
	int status;
	pid_t pid;

	if (keep[0] < 0 && pipe(keep))
		die("pipe");
	pid = fork();
	if (!pid) {
		unsigned long i;
		char *p;

		/* Nothing of ours but RESUMED_FD: the image refuses a memfd. */
		dup2(keep[1], RESUMED_FD);
		close_range(3, RESUMED_FD - 1, 0);
		close_range(RESUMED_FD + 1, ~0U, 0);
		/* Room to align huge pages to their size. */
		p = mmap(NULL, len + HUGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		if (step == STEP_HUGE) {
			p = (char *)(((unsigned long)p + HUGE_SIZE - 1) &
				     ~(HUGE_SIZE - 1));
			madvise(p, len, MADV_HUGEPAGE);
			for (i = 0; i < len; i += 4096)
				memset(p + i, (int)(i >> 12) | 1, 4096);
		} else if (step == 4096) {
			dirty(p, len);
		} else {
			/* 64 small pages, not 64 huge ones. */
			madvise(p, len, MADV_NOHUGEPAGE);
			for (i = 0; i < len; i += step)
				p[i] = 1;
		}
		raise(SIGSTOP);
		_exit(write(RESUMED_FD, "r", 1) != 1);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "child did not stop\n");
		exit(1);
	}
	return pid;
}

static void finish(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* One checkpoint of @pid into @fd, from its start; its image size. */
static double checkpoint_once(pid_t pid, int fd, off_t *size)
{
	double t;

	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET))
		die("truncate");
	t = now();
	if (syscall(__NR_checkpoint, pid, fd, 0, 2) <= 0)
		die("checkpoint");
	t = now() - t;
	if (size)
		*size = lseek(fd, 0, SEEK_END);
	return t;
}

/* The copy limit for @len bytes: write, read and in-kernel copy. */
static void limits(int s, unsigned long len)
{
	double w[RUNS], r[RUNS], c[RUNS], t;
	char *buf = dirty_buffer(len), *fresh;
	int i, src, dst;
	unsigned long o;
	loff_t in, out;

	for (i = 0; i < RUNS; i++) {
		src = tmpfile_fd();
		t = now();
		for (o = 0; o < len; o += CHUNK)
			if (write(src, buf + o, CHUNK) != (ssize_t)CHUNK)
				die("write");
		w[i] = now() - t;

		fresh = mmap(NULL, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (fresh == MAP_FAILED)
			die("mmap");
		madvise(fresh, len, MADV_NOHUGEPAGE);
		t = now();
		for (o = 0; o < len; o += CHUNK)
			if (pread(src, fresh + o, CHUNK, o) != (ssize_t)CHUNK)
				die("read");
		r[i] = now() - t;
		munmap(fresh, len);

		dst = tmpfile_fd();
		in = 0;
		out = 0;
		t = now();
		while (in < (loff_t)len)
			if (copy_file_range(src, &in, dst, &out, len - in, 0) <= 0)
				die("copy_file_range");
		c[i] = now() - t;
		close(dst);
		close(src);
	}
	munmap(buf, len);
	record(P_WRITE, s, w, RUNS);
	record(P_READ, s, r, RUNS);
	record(P_COPY, s, c, RUNS);
}

/* Checkpoint and restart through tmpfs, ours and criu's, interleaved. */
static void through_tmpfs(int s, unsigned long len)
{
	double ck[RUNS], du[RUNS], rs[RUNS], ro[RUNS];
	struct criu_task ct;
	int i, img = tmpfile_fd();
	pid_t pid = spawn(len, 4096, 0);
	char c;

	for (i = 0; i < RUNS; i++) {
		ck[i] = checkpoint_once(pid, img, NULL);
		du[i] = criu_dump(len, false, &ct);
	}
	finish(pid);
	for (i = 0; i < RUNS; i++) {
		rs[i] = restart_once(img, 0, &c, 1);
		ro[i] = criu_restore(&ct, 0);
	}
	close(img);
	record(P_CKPT, s, ck, RUNS);
	record(P_DUMP, s, du, RUNS);
	record(P_RESTART, s, rs, RUNS);
	record(P_RESTORE, s, ro, RUNS);
}

/*
 * A fresh workload of @len bytes, @step apart touched, checkpointed into
 * the node "bench" (made anew) and killed: the time of the checkpoint
 * and of the close(2) that publishes the node, which is only then one
 * to restart from (its metadata sealed: 0.3 ms at 256 MiB), as criu's
 * dump is timed until its images are complete. Each run's task is
 * fresh, since a second checkpoint of a task finds its pages shared
 * already, and has less to do.
 */
static double pram_once(unsigned long len, unsigned long step)
{
	pid_t pid = spawn(len, step, 0);
	double t;
	int fd;

	unlink("/sys/fs/pram/bench");
	fd = open("/sys/fs/pram/bench", O_CREAT | O_EXCL | O_WRONLY, 0600);
	if (fd < 0)
		die("/sys/fs/pram/bench");
	t = now();
	if (syscall(__NR_checkpoint, pid, fd, 0, 2) <= 0)
		die("checkpoint into PRAM");
	close(fd);
	t = now() - t;
	finish(pid);
	return t;
}

/*
 * Checkpoint into a PRAM node and restart from it in the same boot; and
 * the checkpoint of the same workload in huge pages, interleaved.
 */
static void through_pram(int s, unsigned long len)
{
	double ck[RUNS], rs[RUNS], ch[RUNS];
	int i, fd;
	char c;

	for (i = 0; i < RUNS; i++) {
		ch[i] = pram_once(len, STEP_HUGE);
		ck[i] = pram_once(len, 4096);
	}
	fd = open("/sys/fs/pram/bench", O_RDONLY);
	if (fd < 0)
		die("/sys/fs/pram/bench");
	for (i = 0; i < RUNS; i++)
		rs[i] = restart_once(fd, 0, &c, 1);
	close(fd);
	unlink("/sys/fs/pram/bench");
	record(P_CKPT_PRAM, s, ck, RUNS);
	record(P_RESTART_PRAM, s, rs, RUNS);
	record(P_CKPT_PRAM_THP, s, ch, RUNS);
}

/*
 * A fresh workload of @len bytes (in huge pages with STEP_HUGE for
 * @step, else small) checkpointed into @name, and killed.
 */
static void checkpoint_fresh(unsigned long len, unsigned long step,
			     const char *name)
{
	pid_t pid = spawn(len, step, 0);
	int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	if (fd < 0 || syscall(__NR_checkpoint, pid, fd, 0, 2) <= 0)
		die(name);
	close(fd);
	finish(pid);
}

/* Nodes per size carried across kexec: each is restarted once. */
#define KEXEC_NODES	3

static void node_name(char *buf, size_t n, int s, int i)
{
	snprintf(buf, n, "/sys/fs/pram/bench-kexec-%lu-%d", sizes[s], i);
}

/*
 * A node restarted, untimed, before the rest: the first restart after
 * the boot runs code the guest has not run yet, which TCG translates
 * first (a 64 MiB node took 63 ms where the next ones took 9-25), and
 * criu's restores, medians of RUNS, have their first run too.
 */
#define WARM_NODE	"/sys/fs/pram/bench-kexec-warm"

/* The same for the nodes of huge pages, at 256 MiB. */
static void thp_node_name(char *buf, size_t n, int i)
{
	snprintf(buf, n, "/sys/fs/pram/bench-kexec-thp-%d", i);
}

/* @r, and whether it meets @target (none if 0). */
static void print_ratio(const char *what, double r, double target)
{
	printf("   %-48s %8.2f", what, r);
	if (target)
		printf("  (target >= %g: %s)", target,
		       r >= target ? "met" : "MISSED");
	printf("\n");
}

static void print_row(enum path p)
{
	int s;

	printf("   %-44s", paths[p].what);
	/* A path measured at one size only leaves the others at 0. */
	for (s = 0; s < NSIZES; s++) {
		if (fig[p][s])
			printf(" %9.1f", fig[p][s] * 1e3);
		else
			printf(" %9s", "-");
	}
	/* Linear growth: 1 GiB costs 16 times 64 MiB. */
	if (fig[p][0] && fig[p][NSIZES - 1])
		printf("   %5.1f", fig[p][NSIZES - 1] / fig[p][0]);
	printf("\n");
}

static void print_header(const char *title, const char *what)
{
	int s;

	printf("%s\n   %-44s", title, what);
	for (s = 0; s < NSIZES; s++)
		printf(" %5lu MiB", sizes[s]);
	printf("   1G/64M (linear: %lu)\n", sizes[NSIZES - 1] / sizes[0]);
}

/* Restart once from the node @name, with @flags; delete it if @last. */
static double restart_node(const char *name, unsigned long flags, bool last)
{
	double t;
	char c;
	int img = open(name, O_RDONLY);

	if (img < 0)
		die(name);
	t = restart_once(img, flags, &c, 1);
	close(img);
	if (last)
		unlink(name);
	return t;
}

/* The second half, in the kernel kexec'd into. */
static int after_kexec(void)
{
	double rs[RUNS], ro[RUNS], rk[KEXEC_NODES], rl[KEXEC_NODES];
	double each[NSIZES][KEXEC_NODES];
	struct criu_task ct;
	char name[64], c;
	int s, i, img;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mount("pram", "/sys/fs/pram", "pram", 0, NULL) && errno != EBUSY)
		die("mount pram");
	/* The old kernel's text and criu's code pages are free memory now. */
	scrub_free_memory();
	restart_node(WARM_NODE, 0, true);
	/*
	 * Only a node's first restart maps its pages in place: the median
	 * of the first restarts of KEXEC_NODES nodes. All of them before
	 * any lazy restart: a lazily restarted task that exits leaves its
	 * mm's end to a worker, which frees its pages on another CPU while
	 * the next restart runs.
	 */
	for (s = 0; s < NSIZES; s++) {
		for (i = 0; i < KEXEC_NODES; i++) {
			node_name(name, sizeof(name), s, i);
			rk[i] = restart_node(name, 0, false);
			each[s][i] = rk[i];
		}
		record(P_KEXEC, s, rk, KEXEC_NODES);
	}
	/* Huge pages kept whole, mapped back by PMDs: 256 MiB only. */
	for (i = 0; i < KEXEC_NODES; i++) {
		thp_node_name(name, sizeof(name), i);
		rk[i] = restart_node(name, 0, true);
	}
	record(P_KEXEC_THP, 1, rk, KEXEC_NODES);
	/* Lazily: to the first instruction, the pages after. */
	for (s = 0; s < NSIZES; s++) {
		for (i = 0; i < KEXEC_NODES; i++) {
			node_name(name, sizeof(name), s, i);
			rl[i] = restart_node(name, RESTART_LAZY, true);
		}
		record(P_KEXEC_LAZY, s, rl, KEXEC_NODES);
	}
	/* The last lazy restart's mm goes before criu's figures begin. */
	sleep(1);
	for (s = 0; s < NSIZES; s++) {
		unsigned long len = sizes[s] * MIB;

		img = tmpfile_fd();
		pid = spawn(len, 4096, 0);
		checkpoint_once(pid, img, NULL);
		finish(pid);
		criu_dump(len, false, &ct);
		for (i = 0; i < RUNS; i++) {
			rs[i] = restart_once(img, 0, &c, 1);
			ro[i] = criu_restore(&ct, 0);
		}
		close(img);
		record(P_KEXEC_TMPFS, s, rs, RUNS);
		record(P_KEXEC_RESTORE, s, ro, RUNS);
	}
	print_header("after kexec: restart from a PRAM node, pages mapped in place",
		     "ms, median of 3 nodes (tmpfs: of 5 runs)");
	print_row(P_KEXEC);
	print_row(P_KEXEC_LAZY);
	print_row(P_KEXEC_TMPFS);
	print_row(P_KEXEC_RESTORE);
	print_row(P_KEXEC_THP);
	/* Each node's, in the order restarted: their spread is the point. */
	printf("   restart(2) from PRAM after kexec, each node:");
	for (s = 0; s < NSIZES; s++) {
		printf("%s %lu MiB", s ? ";" : "", sizes[s]);
		for (i = 0; i < KEXEC_NODES; i++)
			printf(" %.1f", each[s][i] * 1e3);
	}
	printf("\n");
	printf("   at 256 MiB:\n");
	print_ratio("criu restore / restart from PRAM", fig[P_KEXEC_RESTORE][1] /
		    fig[P_KEXEC][1], 30);
	print_ratio("restart from PRAM, small / huge pages",
		    fig[P_KEXEC][1] / fig[P_KEXEC_THP][1], 0);
	print_ratio("restart from tmpfs / from PRAM",
		    fig[P_KEXEC_TMPFS][1] / fig[P_KEXEC][1], 0);
	printf("   at 1 GiB:\n");
	print_ratio("restart from tmpfs / lazy from PRAM, first instr.",
		    fig[P_KEXEC_TMPFS][2] / fig[P_KEXEC_LAZY][2], 50);
	return 0;
}

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
	printf("clocksource: %s; medians of %d runs, ours and criu's interleaved\n",
	       cs, RUNS);
}

/* Sparse against dense: cost follows populated memory, not mapped. */
static void sparse_dense(void)
{
	double sp[RUNS], de[RUNS], t;
	off_t size_sparse, size_dense;
	pid_t pid;
	int i, r, fd = tmpfile_fd();

	/* A short checkpoint is timed as 200 in a row (4 ms clock steps). */
	pid = spawn(64UL << 30, 1UL << 30, MAP_NORESERVE);
	for (i = 0; i < RUNS; i++) {
		t = 0;
		for (r = 0; r < 200; r++)
			t += checkpoint_once(pid, fd, &size_sparse);
		sp[i] = t / 200;
	}
	finish(pid);
	pid = spawn(64 * MIB, 4096, 0);
	for (i = 0; i < RUNS; i++)
		de[i] = checkpoint_once(pid, fd, &size_dense);
	finish(pid);
	close(fd);
	t = median(de, RUNS) / median(sp, RUNS);
	printf("sparse against dense checkpoint\n");
	printf("   64 GiB, 64 pages touched: %7.2f ms (image %.2f MiB)\n",
	       median(sp, RUNS) * 1e3, size_sparse / (double)MIB);
	printf("   64 MiB, all touched:      %7.2f ms (image %.2f MiB)\n",
	       median(de, RUNS) * 1e3, size_dense / (double)MIB);
	printf("   ratio dense/sparse time: %.1f (sparse must cost less: > 1)\n",
	       t);
}

int main(int argc, char **argv)
{
	bool criu = !access(CRIU, X_OK);
	char name[64];
	int s, i;

	if (argc > 1 && !strcmp(argv[1], "--after-kexec"))
		return after_kexec();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!criu) {
		fprintf(stderr, "no %s in this guest\n", CRIU);
		return 1;
	}
	if (mount("pram", "/sys/fs/pram", "pram", 0, NULL) && errno != EBUSY)
		die("mount pram");
	scrub_free_memory();
	print_clocksource();
	sparse_dense();

	for (s = 0; s < NSIZES; s++) {
		limits(s, sizes[s] * MIB);
		through_tmpfs(s, sizes[s] * MIB);
		through_pram(s, sizes[s] * MIB);
	}

	print_header("the copy limit", "ms, median of 5");
	print_row(P_WRITE);
	print_row(P_READ);
	print_row(P_COPY);
	print_header("checkpoint and restart through tmpfs", "ms, median of 5");
	print_row(P_CKPT);
	print_row(P_DUMP);
	print_row(P_RESTART);
	print_row(P_RESTORE);
	print_header("PRAM, same boot", "ms, median of 5");
	print_row(P_CKPT_PRAM);
	print_row(P_RESTART_PRAM);
	print_row(P_CKPT_PRAM_THP);
	printf("at 1 GiB:\n");
	print_ratio("checkpoint into PRAM, small / huge pages",
		    fig[P_CKPT_PRAM][2] / fig[P_CKPT_PRAM_THP][2], 50);
	printf("at 256 MiB:\n");
	print_ratio("criu dump / checkpoint to tmpfs",
		    fig[P_DUMP][1] / fig[P_CKPT][1], 1.5);
	print_ratio("criu restore / restart from tmpfs",
		    fig[P_RESTORE][1] / fig[P_RESTART][1], 1.5);
	print_ratio("criu dump / checkpoint into PRAM",
		    fig[P_DUMP][1] / fig[P_CKPT_PRAM][1], 100);
	print_ratio("criu restore / restart from PRAM, same boot",
		    fig[P_RESTORE][1] / fig[P_RESTART_PRAM][1], 0);
	print_ratio("checkpoint to tmpfs / copy_file_range",
		    fig[P_CKPT][1] / fig[P_COPY][1], 0);
	print_ratio("checkpoint to tmpfs / write() in 64 KiB pieces",
		    fig[P_CKPT][1] / fig[P_WRITE][1], 0);
	print_ratio("restart from tmpfs / read() in 64 KiB pieces",
		    fig[P_RESTART][1] / fig[P_READ][1], 0);

	/* After kexec: a node of each size, then on in the next kernel. */
	if (access("/kexec/bzImage", R_OK)) {
		printf("no kexec kernel in this guest\n");
		return 0;
	}
	for (s = 0; s < NSIZES; s++) {
		for (i = 0; i < KEXEC_NODES; i++) {
			node_name(name, sizeof(name), s, i);
			checkpoint_fresh(sizes[s] * MIB, 4096, name);
		}
	}
	for (i = 0; i < KEXEC_NODES; i++) {
		thp_node_name(name, sizeof(name), i);
		checkpoint_fresh(sizes[1] * MIB, STEP_HUGE, name);
	}
	checkpoint_fresh(sizes[0] * MIB, 4096, WARM_NODE);
	execl("/ckpt-kexec", "ckpt-kexec", "/kexec/bzImage",
	      "/kexec/initrd.img", "ckpt.boot=2", NULL);
	die("/ckpt-kexec");
}

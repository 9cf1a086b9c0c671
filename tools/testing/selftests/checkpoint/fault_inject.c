// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection through /proc/thread-self/fail-nth: the 1st, 2nd, 3rd
 * ... allocation (slab or page, GFP_KERNEL and order 0 included) of one
 * call is made to fail, until the call succeeds without reaching the
 * failure. Every injected failure must give -1 and an errno, leave the
 * target of a checkpoint and the caller of a restart as they were, and
 * the same call made again without injection must succeed. The calls:
 * checkpoint(2) of a stopped child into a regular file and into a PRAM
 * node, restart(2) from a regular file and from a PRAM node, and a PRAM
 * node's create, write and delete. Slab leaks are left to kmemleak,
 * which the test runner scans after the run; pages are counted here
 * (fi_mem()).
 *
 * Each test prints how many fail points it exercised, the errnos it saw
 * and what each N did. A failure the call got over (a kvmalloc() falling
 * back to vmalloc, kmemleak's metadata taken from its pool, a short
 * write to tmpfs retried) is counted as absorbed, and what the call
 * produced is checked all the same.
 *
 * FI_TRACE_N=n (or "all") in the environment has the kernel print the
 * stack of the n-th fault site of every call.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <time.h>
#include <dirent.h>
#include <pthread.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define PS		4096UL
#define PRAM_DIR	"/sys/fs/pram"
#define PRAMFS_MAGIC	0x5052414d
#define DEBUGFS		"/sys/kernel/debug"

/* Above any call's number of fail points: a call that never gets there. */
#define FI_MAX_N	4000

/*
 * The restarting child keeps these descriptors across a successful
 * restart(2), so that the restored task can say how far the countdown
 * got: its fail-nth file, and a pipe for its report.
 */
#define FI_NTH_FD	200
#define FI_REPORT_FD	201

/* Pages a test may leave behind: the noise of runs without leaks. */
#define FI_MAX_ORPHANS		128
#define FI_MAX_UNACCOUNTED	512

/* Entries in a PRAM link page (mm/pram_internal.h). */
#define PRAM_LINK_NR	((PS - 24) / 8)

/* The fault injection knobs this test sets, and restores after. */
static const struct {
	const char *path;
	const char *val;
} fi_knobs[] = {
	{ DEBUGFS "/failslab/ignore-gfp-wait", "N" },
	{ DEBUGFS "/failslab/verbose", "0" },
	{ DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N" },
	{ DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ DEBUGFS "/fail_page_alloc/min-order", "0" },
	{ DEBUGFS "/fail_page_alloc/verbose", "0" },
};

#define FI_NR_KNOBS	ARRAY_SIZE(fi_knobs)

static ssize_t read_whole(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/*
 * kmemleak sees slab and vmalloc objects only. For pages, the counters
 * of /proc/meminfo are compared before and after each test, with the
 * caches dropped and the per-CPU LRU batches drained (compact_memory):
 * - anonymous pages on the LRU that nothing maps and no tmpfs file
 *   holds, where a page whose reference was never dropped ends up once
 *   its task is gone (PRAM nodes hold such pages too, and are deleted);
 * - page tables, for the record only: the kernel's own grow as forks
 *   take vmalloc'd stacks in new places, and a leaked mm's are found by
 *   kmemleak, which reports the mm;
 * - pages no counter accounts for, where a page an error path never
 *   freed ends up (a PRAM metadata page, say), less what KASAN's stack
 *   depot took meanwhile; free pages on the per-CPU lists are not in
 *   MemFree, and are counted from zoneinfo.
 */
struct fi_mem {
	long orphans;
	long page_tables;
	long unaccounted;
};

static long meminfo(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? strtol(p + strlen(key), NULL, 10) / 4 : 0;
}

static void fi_mem(struct fi_mem *m)
{
	static const char *const used[] = {
		"MemFree:", "Buffers:", "Cached:", "Slab:", "KernelStack:",
		"PageTables:", "AnonPages:", "Percpu:", "VmallocUsed:",
	};
	static char buf[65536];
	unsigned int i;
	char *p;

	memset(m, 0, sizeof(*m));
	write_str("/proc/sys/vm/drop_caches", "3");
	write_str("/proc/sys/vm/compact_memory", "1");
	if (read_whole("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return;
	m->orphans = meminfo(buf, "Active(anon):") +
		     meminfo(buf, "Inactive(anon):") -
		     meminfo(buf, "AnonPages:") - meminfo(buf, "Shmem:");
	m->page_tables = meminfo(buf, "PageTables:");
	m->unaccounted = meminfo(buf, "MemTotal:");
	for (i = 0; i < ARRAY_SIZE(used); i++)
		m->unaccounted -= meminfo(buf, used[i]);
	if (read_whole("/proc/zoneinfo", buf, sizeof(buf)) > 0)
		for (p = buf; (p = strstr(p, " count: ")); p += 8)
			m->unaccounted -= strtol(p + 8, NULL, 10);
	/* Pools of 4 pages, which the depot keeps for good. */
	if (read_whole(DEBUGFS "/stackdepot/stats", buf, sizeof(buf)) > 0) {
		p = strstr(buf, "pools: ");
		if (p)
			m->unaccounted -= 4 * strtol(p + 7, NULL, 10);
	}
}

/* Read what the kernel logged to @fd, a non-blocking pipe. */
static const char *drain_log(int fd)
{
	static char buf[4096], rest[4096];
	ssize_t n, len = 0;

	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	/* Whatever did not fit is dropped. */
	while (read(fd, rest, sizeof(rest)) > 0)
		;
	return buf;
}

/* How one fail point went, as the restarting child or restored task saw. */
enum fi_kind {
	FI_FAILED = 1,		/* restart(2) returned: errno, caller checks */
	FI_RESTORED,		/* the restored task runs: left, memory check */
	FI_RETRY_FAILED,	/* restart without injection failed: errno */
};

struct fi_report {
	int kind;
	int err;
	unsigned int left;	/* fail-nth after the call: 0 if reached */
	unsigned int bad;	/* FI_BAD_* bits: what changed */
	int sig;		/* the first signal whose action changed */
};

#define FI_BAD_MEMORY	0x01
#define FI_BAD_MASK	0x02
#define FI_BAD_ACTIONS	0x04
#define FI_BAD_MAPS	0x08
#define FI_BAD_ALTSTACK	0x10
#define FI_BAD_COMM	0x20

/* Per distinct errno: how often, first N, first log line. */
#define FI_MAX_ERRNOS	8

struct fi_stats {
	const char *op;
	struct timespec start;
	int errs[FI_MAX_ERRNOS];
	int err_count[FI_MAX_ERRNOS];
	int err_first[FI_MAX_ERRNOS];
	char err_log[FI_MAX_ERRNOS][160];
	int nr_errs;
	int failed;	/* injected failures that returned an errno */
	int unlogged;	/* of which the call's log said nothing */
	int partial;	/* injected failures that gave a short count */
	int absorbed;	/* injected failures the call succeeded despite */
	int done_at;	/* the N at which the call succeeded unhindered */
	char map[FI_MAX_N + 1];	/* what each N did, see fi_note() */
	struct fi_mem mem;	/* at the start */
};

/* Errnos an allocation failure may be reported with. */
static bool fi_errno_ok(int err)
{
	/*
	 * ENFILE is what socket(2) says, and so restart, when a socket's
	 * inode or file cannot be had: the kernel does not tell a full file
	 * table from a failed allocation there. ENOSPC is what shmget(2)
	 * says when its id cannot be allocated (ipc_addid()), as when the
	 * namespace's ids are all taken.
	 */
	return err == ENOMEM || err == ENFILE || err == ENOSPC;
}

/*
 * What the @n-th fail point did: 'E' an errno, 's' a short count, 'a'
 * absorbed, '.' not reached: the call succeeded.
 */
static void fi_note(struct fi_stats *st, unsigned int n, char what)
{
	st->map[n - 1] = what;
	switch (what) {
	case 'E':
		st->failed++;
		break;
	case 's':
		st->partial++;
		break;
	case 'a':
		st->absorbed++;
		break;
	default:
		st->done_at = n;
	}
}

static void fi_note_errno(struct fi_stats *st, int n, int err,
			  const char *log)
{
	const char *nl;
	int i, len;

	fi_note(st, n, 'E');
	if (log && !*log)
		st->unlogged++;
	for (i = 0; i < st->nr_errs; i++)
		if (st->errs[i] == err)
			break;
	if (i == st->nr_errs) {
		if (i == FI_MAX_ERRNOS)
			return;
		st->nr_errs++;
		st->errs[i] = err;
		st->err_first[i] = n;
		nl = log ? strchr(log, '\n') : NULL;
		len = nl ? nl - log : (log ? (int)strlen(log) : 0);
		snprintf(st->err_log[i], sizeof(st->err_log[i]), "%.*s",
			 len, log ? log : "");
	}
	st->err_count[i]++;
}

static void fi_start(struct fi_stats *st, const char *op)
{
	memset(st, 0, sizeof(*st));
	st->op = op;
	fi_mem(&st->mem);
	clock_gettime(CLOCK_MONOTONIC, &st->start);
}

/*
 * Print what the test saw, and check that the call succeeded in the end
 * and that no pages leaked: the margins are the noise seen in runs
 * without leaks.
 */
static void fi_finish(struct __test_metadata *_metadata, struct fi_stats *st)
{
	struct timespec now;
	struct fi_mem mem;
	char errs[512] = "";
	size_t len = 0;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	fi_mem(&mem);
	mem.orphans -= st->mem.orphans;
	mem.page_tables -= st->mem.page_tables;
	mem.unaccounted -= st->mem.unaccounted;
	for (i = 0; i < st->nr_errs; i++)
		len += snprintf(errs + len, sizeof(errs) - len, "%s%s x%d",
				i ? ", " : "", strerrorname_np(st->errs[i]),
				st->err_count[i]);
	ksft_print_msg("%s: %d fail points, unhindered at N=%d\n", st->op,
		       st->done_at - 1, st->done_at);
	ksft_print_msg("%s: %d errno [%s] (%d not logged), %d short, %d absorbed\n",
		       st->op, st->failed, errs, st->unlogged, st->partial,
		       st->absorbed);
	ksft_print_msg("%s: %.1f s; pages: %+ld orphaned, %+ld page tables, %+ld unaccounted\n",
		       st->op, (now.tv_sec - st->start.tv_sec) +
		       (now.tv_nsec - st->start.tv_nsec) / 1e9,
		       mem.orphans, mem.page_tables, mem.unaccounted);
	ksft_print_msg("%s: by N: %s\n", st->op, st->map);
	for (i = 0; i < st->nr_errs; i++)
		ksft_print_msg("%s: %s first at N=%d: %s\n", st->op,
			       strerrorname_np(st->errs[i]), st->err_first[i],
			       st->err_log[i][0] ? st->err_log[i] : "(no log)");
	/* Unless a check failed and stopped the loop, it got there. */
	if (!_metadata->exit_code) {
		ASSERT_NE(0, st->done_at) {
			TH_LOG("%s: no success in %d tries", st->op, FI_MAX_N);
		}
	}
	EXPECT_GT(FI_MAX_ORPHANS, mem.orphans);
	EXPECT_GT(FI_MAX_UNACCOUNTED, mem.unaccounted);
}

/*
 * FI_TRACE_N: the fault site whose failure the kernel prints with its
 * stack (verbose=2), or all of them (allocations with __GFP_NOWARN, as
 * kmemleak's, are never printed).
 */
static unsigned int fi_trace_n;
#define FI_TRACE_ALL	(~0U)

/* Write @n to a fail-nth file: the @n-th fault site from now fails. */
static int fi_arm(int fd, unsigned int n)
{
	const char *v = n && (n == fi_trace_n || fi_trace_n == FI_TRACE_ALL) ?
			"2" : "0";
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (fi_trace_n) {
		write_str(DEBUGFS "/failslab/verbose", v);
		write_str(DEBUGFS "/fail_page_alloc/verbose", v);
	}
	return write(fd, buf, len) == len ? 0 : -1;
}

/*
 * Stop the countdown; returns what was left of it, 0 if it was reached.
 * Without it nothing can be told: abort.
 */
static unsigned int fi_disarm(int fd)
{
	char buf[16];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0 || write(fd, "0", 1) != 1)
		abort();
	buf[n] = '\0';
	return strtoul(buf, NULL, 10);
}

/* The target: a stopped child with a few VMAs and pages. */

#define T_ANON	64	/* anonymous pages, every other one touched */
#define T_RO	2	/* read-only anonymous pages */
#define T_FILE	2	/* pages of a private file mapping, one written */

static char t_path[64];		/* the mapped file, in /tmp */
static unsigned char *t_anon, *t_ro, *t_file;
static unsigned long t_sum;

static unsigned long t_checksum(void)
{
	unsigned long sum = 0, i;

	for (i = 0; i < T_ANON * PS; i++)
		sum = sum * 31 + t_anon[i];
	for (i = 0; i < T_RO * PS; i++)
		sum = sum * 31 + t_ro[i];
	for (i = 0; i < T_FILE * PS; i++)
		sum = sum * 31 + t_file[i];
	return sum;
}

/*
 * A restored task reports through the descriptors its restarter gave it
 * for its external ones (fi_spawn()): how much of the countdown was left
 * when it got here (and stops it), and whether its memory is intact.
 * The original, resumed, has a pipe there, which pread() refuses.
 */
static void t_report_restored(void)
{
	struct fi_report rep = { .kind = FI_RESTORED };
	char buf[16];
	ssize_t n = pread(FI_NTH_FD, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return;
	buf[n] = '\0';
	rep.left = strtoul(buf, NULL, 10);
	if (write(FI_NTH_FD, "0", 1) != 1)
		rep.left = ~0U;
	if (t_checksum() != t_sum)
		rep.bad |= FI_BAD_MEMORY;
	if (write(FI_REPORT_FD, &rep, sizeof(rep)) != sizeof(rep))
		_exit(4);
}

/* The target's memory, and its checksum; 0, or 3 on failure. */
static int t_setup(void)
{
	int fd, i;

	t_anon = mmap(NULL, T_ANON * PS, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t_ro = mmap(NULL, T_RO * PS, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = open(t_path, O_RDONLY);
	if (t_anon == MAP_FAILED || t_ro == MAP_FAILED || fd < 0)
		return 3;
	t_file = mmap(NULL, T_FILE * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		      fd, 0);
	close(fd);
	if (t_file == MAP_FAILED)
		return 3;
	for (i = 0; i < T_ANON; i += 2)
		memset(t_anon + i * PS, 0x11 * (i + 1), PS);
	memset(t_ro, 0x5a, T_RO * PS);
	mprotect(t_ro, T_RO * PS, PROT_READ);
	t_file[100] ^= 0xff;		/* a private copy of page 0 */
	t_sum = t_checksum();
	return 0;
}

static int target_main(void)
{
	if (t_setup())
		return 3;
	raise(SIGSTOP);
	t_report_restored();
	return t_checksum() == t_sum && t_anon[0] == 0x11 ? 0 : 2;
}

/*
 * Spawn @fn holding FI_NTH_FD and FI_REPORT_FD as the two ends of a
 * pipe this process keeps: external descriptors of its image, for which
 * the restarter's fail-nth file and report pipe are the substitutes.
 * The original, resumed, finds a pipe where the countdown would be.
 */
static pid_t fi_spawn(int (*fn)(void))
{
	static int keep[2] = { -1, -1 };

	if (keep[0] < 0 && pipe(keep))
		return -1;
	if (dup2(keep[0], FI_NTH_FD) < 0 || dup2(keep[1], FI_REPORT_FD) < 0)
		return -1;
	return spawn_fn(fn);
}

static pid_t spawn_target(void)
{
	return fi_spawn(target_main);
}

/*
 * The target with objects shared between its descriptors and mappings:
 * shared anonymous memory, a memfd mapped shared, a SysV segment
 * removed while attached (so that it goes with the process, restored or
 * not), a unix socketpair with a message queued each way, an eventfd at
 * 7 and an epoll instance watching it, a FIFO holding data. Restored, it
 * finds each as it was.
 */
#define T_SHM	4	/* pages of shared anonymous memory */
#define O_SOCK	60	/* the socketpair: 60 holds "to-a", 61 "to-b" */
#define O_EFD	62
#define O_EPOLL	63
#define O_MEMFD	64
#define O_FIFO	65	/* a FIFO, read and written here: holds "ff" */

static char t_fifo[64];

static int target_objects_main(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 };
	unsigned char *shm, *mfd, *sysv;
	char buf[8];
	uint64_t v;
	int sv[2], fd, sid;

	if (t_setup())
		return 3;
	shm = mmap(NULL, T_SHM * PS, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fd = memfd_create("fi", 0);
	if (shm == MAP_FAILED || fd < 0 || dup2(fd, O_MEMFD) != O_MEMFD ||
	    ftruncate(O_MEMFD, 3 * PS))
		return 3;
	mfd = mmap(NULL, 3 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, O_MEMFD,
		   0);
	sid = shmget(IPC_PRIVATE, 2 * PS, IPC_CREAT | 0600);
	sysv = sid < 0 ? (void *)-1 : shmat(sid, NULL, 0);
	if (sysv == (void *)-1 || shmctl(sid, IPC_RMID, NULL))
		return 3;
	if (mfd == MAP_FAILED || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    dup2(sv[0], O_SOCK) != O_SOCK || dup2(sv[1], O_SOCK + 1) < 0 ||
	    send(O_SOCK + 1, "to-a", 4, 0) != 4 ||
	    send(O_SOCK, "to-b", 4, 0) != 4 ||
	    dup2(eventfd(7, 0), O_EFD) != O_EFD ||
	    dup2(epoll_create1(0), O_EPOLL) != O_EPOLL ||
	    epoll_ctl(O_EPOLL, EPOLL_CTL_ADD, O_EFD, &ev))
		return 3;
	if (dup2(open(t_fifo, O_RDWR | O_NONBLOCK), O_FIFO) != O_FIFO ||
	    write(O_FIFO, "ff", 2) != 2)
		return 3;
	memset(shm, 0x77, T_SHM * PS);
	memset(mfd, 0x66, 3 * PS);
	memset(sysv, 0x55, 2 * PS);
	raise(SIGSTOP);
	t_report_restored();
	if (t_checksum() != t_sum || shm[T_SHM * PS - 1] != 0x77 || mfd[2 * PS] != 0x66 ||
	    pread(O_MEMFD, buf, 1, PS) != 1 || buf[0] != 0x66 ||
	    sysv[2 * PS - 1] != 0x55)
		return 2;
	if (epoll_wait(O_EPOLL, &ev, 1, 0) != 1 || ev.data.u64 != 7 ||
	    read(O_EFD, &v, 8) != 8 || v != 7)
		return 2;
	if (read(O_FIFO, buf, 8) != 2 || memcmp(buf, "ff", 2))
		return 2;
	if (recv(O_SOCK, buf, 8, MSG_DONTWAIT) != 4 || memcmp(buf, "to-a", 4) ||
	    recv(O_SOCK + 1, buf, 8, MSG_DONTWAIT) != 4 ||
	    memcmp(buf, "to-b", 4))
		return 2;
	return 0;
}

static void *t_sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* The target with two more threads, which restart must create. */
static int target_threads_main(void)
{
	pthread_t t;
	int i;

	for (i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, t_sleeper, NULL))
			return 3;
	return target_main();
}

/* The target's state as /proc shows it: stopped, its maps and signals. */
static int target_state(pid_t pid, char *buf, size_t size)
{
	char path[64], stat[512], *p;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_whole(path, stat, sizeof(stat)) <= 0)
		return -1;
	p = strrchr(stat, ')');
	if (!p || p[2] != 'T')
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	len = read_whole(path, buf, size / 2);
	if (len < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	p = buf + len;
	if (read_whole(path, p, size - len) < 0)
		return -1;
	/* Signal state on: the lines after it count switches. */
	p = strstr(p, "SigPnd:");
	p = p ? strstr(p, "voluntary_ctxt") : NULL;
	if (p)
		*p = '\0';
	return 0;
}

/* The restarting child: the caller of restart(2), and its checks. */

struct fi_snapshot {
	unsigned long sum;
	sigset_t blocked;
	struct sigaction act[64];
	stack_t altstack;
	char comm[16];
	char maps[16384];
};

static unsigned char c_mem[16 * PS];
static unsigned char *c_map;
static struct fi_snapshot c_before, c_after;
static char c_altstack[64 * 1024];

static void c_handler(int sig, siginfo_t *si, void *uc)
{
}

static unsigned long c_checksum(void)
{
	unsigned long sum = 0, i;

	for (i = 0; i < sizeof(c_mem); i++)
		sum = sum * 31 + c_mem[i];
	for (i = 0; i < 8 * PS; i++)
		sum = sum * 31 + c_map[i];
	return sum;
}

/* Give the caller memory and signal state of its own to compare. */
static void c_prep(void)
{
	struct sigaction sa = { .sa_sigaction = c_handler };
	stack_t ss = { .ss_sp = c_altstack, .ss_size = sizeof(c_altstack) };
	sigset_t set;
	size_t i;

	for (i = 0; i < sizeof(c_mem); i++)
		c_mem[i] = i * 13 + 7;
	c_map = mmap(NULL, 8 * PS, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c_map == MAP_FAILED)
		_exit(3);
	for (i = 0; i < 8 * PS; i++)
		c_map[i] = i * 29 + 3;

	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGUSR2, SIG_IGN);
	sigaltstack(&ss, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_NAME, "fi-caller");
}

/* No allocation here: the heap, so the maps, must not change. */
static void c_snapshot(struct fi_snapshot *s)
{
	int sig;

	memset(s, 0, sizeof(*s));
	s->sum = c_checksum();
	sigprocmask(SIG_BLOCK, NULL, &s->blocked);
	for (sig = 1; sig <= 64; sig++)
		sigaction(sig, NULL, &s->act[sig - 1]);
	sigaltstack(NULL, &s->altstack);
	prctl(PR_GET_NAME, s->comm);
	read_whole("/proc/self/maps", s->maps, sizeof(s->maps));
}

/*
 * The kernel's part of two signal sets: glibc copies a whole sigset_t
 * out of an uninitialized one, of which the kernel filled 8 bytes.
 */
static bool mask_eq(const sigset_t *a, const sigset_t *b)
{
	return !memcmp(a, b, 8);
}

static unsigned int c_compare(const struct fi_snapshot *a,
			      const struct fi_snapshot *b, int *sig)
{
	unsigned int bad = 0;
	int i;

	if (a->sum != b->sum)
		bad |= FI_BAD_MEMORY;
	if (!mask_eq(&a->blocked, &b->blocked))
		bad |= FI_BAD_MASK;
	for (i = 0; i < 64; i++)
		if (a->act[i].sa_handler != b->act[i].sa_handler ||
		    a->act[i].sa_flags != b->act[i].sa_flags ||
		    a->act[i].sa_restorer != b->act[i].sa_restorer ||
		    !mask_eq(&a->act[i].sa_mask, &b->act[i].sa_mask)) {
			bad |= FI_BAD_ACTIONS;
			*sig = i + 1;
			break;
		}
	if (memcmp(&a->altstack, &b->altstack, sizeof(a->altstack)))
		bad |= FI_BAD_ALTSTACK;
	if (strcmp(a->comm, b->comm))
		bad |= FI_BAD_COMM;
	if (strcmp(a->maps, b->maps))
		bad |= FI_BAD_MAPS;
	return bad;
}

/*
 * Restart the image in @img with the @n-th fault site failing (none for
 * 0), report, and if restart(2) returned, check the caller, report, and
 * restart again without injection. Never returns.
 */
static void restart_child_main(int img, unsigned int n, int logfd, int rep)
{
	struct fi_report r = { .kind = FI_FAILED };
	int nth = open("/proc/thread-self/fail-nth", O_RDWR);

	if (nth < 0 || dup2(nth, FI_NTH_FD) < 0 || dup2(rep, FI_REPORT_FD) < 0)
		_exit(5);
	close(nth);
	close(rep);
	c_prep();
	c_snapshot(&c_before);
	lseek(img, 0, SEEK_SET);

	if (fi_arm(FI_NTH_FD, n))
		_exit(5);
	sys_restart(0, img, RESTART_RUN, logfd);
	r.err = errno;
	r.left = fi_disarm(FI_NTH_FD);

	c_snapshot(&c_after);
	r.bad = c_compare(&c_before, &c_after, &r.sig);
	if (write(FI_REPORT_FD, &r, sizeof(r)) != sizeof(r))
		_exit(5);

	lseek(img, 0, SEEK_SET);
	sys_restart(0, img, RESTART_RUN, logfd);
	r.kind = FI_RETRY_FAILED;
	r.err = errno;
	if (write(FI_REPORT_FD, &r, sizeof(r)) != sizeof(r))
		_exit(5);
	_exit(6);
}

struct fi_outcome {
	struct fi_report rep[2];
	int nr_rep;
	int status;		/* as waitpid() gives it */
	char log[1024];
};

/*
 * The pid the restarting child must have: an image of more than one
 * task restarts only in a caller with its root's pid. 0 for any.
 */
static pid_t fi_root_pid;

/* Run restart_child_main() in a new child and collect what it said. */
static int fi_restart(int img, unsigned int n, struct fi_outcome *o)
{
	int logp[2], repp[2];
	ssize_t len;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (pipe2(logp, O_NONBLOCK) || pipe2(repp, O_NONBLOCK))
		return -1;
	pid = fi_root_pid ? fork_clone3(0, fi_root_pid) : fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(logp[0]);
		close(repp[0]);
		restart_child_main(img, n, logp[1], repp[1]);
	}
	close(logp[1]);
	close(repp[1]);
	if (waitpid(pid, &o->status, 0) != pid)
		return -1;
	len = read(repp[0], o->rep, sizeof(o->rep));
	o->nr_rep = len > 0 ? len / sizeof(o->rep[0]) : 0;
	snprintf(o->log, sizeof(o->log), "%s", drain_log(logp[0]));
	close(logp[0]);
	close(repp[0]);
	return 0;
}

/* Whether the restored task of @o ran, reported and exited 0. */
static bool fi_restored_ok(const struct fi_report *r, int status)
{
	return r->kind == FI_RESTORED && !r->bad && WIFEXITED(status) &&
	       !WEXITSTATUS(status);
}

static const char *fi_status(int status)
{
	static char buf[64];

	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by %s",
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sizeof(buf), "status %#x", status);
	return buf;
}

/* Whether the image in @img restarts, untouched by injection. */
static bool fi_image_restarts(int img)
{
	struct fi_outcome o;

	return !fi_restart(img, 0, &o) && o.nr_rep >= 1 &&
	       fi_restored_ok(&o.rep[0], o.status);
}

/* PRAM */

static bool pram_mounted(void)
{
	struct statfs sf;

	return !statfs(PRAM_DIR, &sf) && sf.f_type == PRAMFS_MAGIC;
}

/* Whether node @name is there (1), gone (0), or half there (-1). */
static int pram_node_state(const char *name)
{
	char path[128];
	struct stat st;
	int listed = pram_listed(name);
	int there;

	snprintf(path, sizeof(path), PRAM_DIR "/%s", name);
	there = !stat(path, &st);
	if (!there && errno != ENOENT)
		return -1;
	return there == listed ? there : -1;
}

FIXTURE(fi) {
	char saved[FI_NR_KNOBS][32];
	bool set[FI_NR_KNOBS];
	int nth;		/* this process's fail-nth */
	int img;		/* a scratch image file */
	int log[2];
	bool pram;
};

FIXTURE_SETUP(fi)
{
	struct stat st;
	unsigned int i;
	char page[PS];
	int fd;

	if (stat("/proc/thread-self/fail-nth", &st))
		SKIP(return, "no fail-nth: the kernel lacks CONFIG_FAULT_INJECTION");
	if (stat(DEBUGFS "/failslab", &st))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	if (stat(DEBUGFS "/failslab", &st) ||
	    stat(DEBUGFS "/fail_page_alloc", &st))
		SKIP(return, "no failslab or fail_page_alloc in debugfs");
	for (i = 0; i < FI_NR_KNOBS; i++) {
		ASSERT_LT(0, read_whole(fi_knobs[i].path, self->saved[i],
					sizeof(self->saved[i]))) {
			TH_LOG("cannot read %s", fi_knobs[i].path);
		}
		ASSERT_EQ(0, write_str(fi_knobs[i].path, fi_knobs[i].val)) {
			TH_LOG("cannot set %s", fi_knobs[i].path);
		}
		self->set[i] = true;
	}

	if (getenv("FI_TRACE_N"))
		fi_trace_n = strcmp(getenv("FI_TRACE_N"), "all") ?
			     strtoul(getenv("FI_TRACE_N"), NULL, 10) :
			     FI_TRACE_ALL;
	self->nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth);
	self->img = image_file();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, pipe2(self->log, O_NONBLOCK));

	/* The file the targets map privately. */
	snprintf(t_path, sizeof(t_path), "/tmp/fi-map-XXXXXX");
	fd = mkstemp(t_path);
	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(page); i++)
		page[i] = i * 3;
	ASSERT_EQ(PS, write(fd, page, PS));
	ASSERT_EQ(PS, write(fd, page, PS));
	close(fd);

	if (!stat(PRAM_DIR "/.", &st) && !pram_mounted())
		mount("pram", PRAM_DIR, "pram", 0, NULL);
	self->pram = pram_mounted();
}

FIXTURE_TEARDOWN(fi)
{
	unsigned int i;

	for (i = 0; i < FI_NR_KNOBS; i++)
		if (self->set[i])
			write_str(fi_knobs[i].path, self->saved[i]);
	if (t_path[0])
		unlink(t_path);
}

/*
 * checkpoint(2) of the stopped @pid into @fd with the @n-th fault site
 * failing. Returns its result, with *err its errno and *left what was
 * left of the countdown.
 */
static long fi_checkpoint(struct _test_data_fi *self, pid_t pid, int fd,
			  unsigned int n, int *err, unsigned int *left)
{
	long ret;

	drain_log(self->log[0]);
	if (fi_arm(self->nth, n))
		return -2;
	ret = sys_checkpoint(pid, fd, 0, self->log[1]);
	*err = errno;
	*left = fi_disarm(self->nth);
	return ret;
}

static int reset_image(int fd)
{
	return ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) ? -1 : 0;
}

TEST_F_TIMEOUT(fi, checkpoint_file, 600)
{
	char before[8192], after[8192];
	struct fi_stats st;
	unsigned int n, left;
	int err;
	long ret;
	pid_t pid;

	fi_start(&st, "checkpoint into a file");
	for (n = 1; n < FI_MAX_N && !st.done_at; n++) {
		pid = spawn_target();
		ASSERT_LT(0, pid);
		ASSERT_EQ(0, target_state(pid, before, sizeof(before)));
		ASSERT_EQ(0, reset_image(self->img));
		ret = fi_checkpoint(self, pid, self->img, n, &err, &left);
		ASSERT_NE(-2, ret);

		if (ret < 0) {
			const char *log = drain_log(self->log[0]);

			fi_note_errno(&st, n, err, log);
			EXPECT_EQ(0, left) {
				TH_LOG("N=%u: %s without the injected failure: %s",
				       n, strerrorname_np(err), log);
			}
			EXPECT_TRUE(fi_errno_ok(err)) {
				TH_LOG("N=%u: %s: %s", n, strerrorname_np(err),
				       log);
			}
			/* The target: still stopped, its maps and signals. */
			EXPECT_EQ(0, target_state(pid, after, sizeof(after)));
			EXPECT_STREQ(before, after);
			/* Again without injection: it succeeds. */
			ASSERT_EQ(0, reset_image(self->img));
			EXPECT_LT(0, sys_checkpoint(pid, self->img, 0,
						    self->log[1])) {
				TH_LOG("N=%u: checkpoint after the failure: %s",
				       n, strerror(errno));
			}
		} else if (!left) {
			fi_note(&st, n, 'a');
		} else {
			fi_note(&st, n, '.');
		}
		/* Resumed, the target finds its memory intact. */
		EXPECT_EQ(0, finish_child(pid)) {
			TH_LOG("N=%u: the target did not exit 0", n);
		}
		/* An image made despite a failure is good. */
		if (ret > 0 && !left) {
			EXPECT_TRUE(fi_image_restarts(self->img)) {
				TH_LOG("N=%u: the image made despite a failure does not restart",
				       n);
			}
		}
		if (_metadata->exit_code)
			break;
	}
	fi_finish(_metadata, &st);
	EXPECT_TRUE(fi_image_restarts(self->img));
}

/*
 * restart(2) of the image in @img, failing its 1st, 2nd, ... fault site
 * until it succeeds unhindered.
 */
static void fi_restart_loop(struct __test_metadata *_metadata,
			    struct fi_stats *st, int img)
{
	const struct fi_report *r;
	struct fi_outcome o;
	unsigned int n;

	for (n = 1; n < FI_MAX_N && !st->done_at; n++) {
		ASSERT_EQ(0, fi_restart(img, n, &o));
		r = &o.rep[0];
		if (!o.nr_rep) {
			EXPECT_TRUE(false) {
				TH_LOG("N=%u: the restarting child %s without a word; log: %s",
				       n, fi_status(o.status), o.log);
			}
		} else if (r->kind == FI_FAILED) {
			fi_note_errno(st, n, r->err, o.log);
			EXPECT_EQ(0, r->left) {
				TH_LOG("N=%u: %s without the injected failure: %s",
				       n, strerrorname_np(r->err), o.log);
			}
			EXPECT_TRUE(fi_errno_ok(r->err)) {
				TH_LOG("N=%u: %s: %s", n,
				       strerrorname_np(r->err), o.log);
			}
			EXPECT_EQ(0, r->bad) {
				TH_LOG("N=%u: %s left the caller changed (%#x, signal %d): %s",
				       n, strerrorname_np(r->err), r->bad,
				       r->sig, o.log);
			}
			/* Then restarted without injection. */
			EXPECT_TRUE(o.nr_rep == 2 &&
				    fi_restored_ok(&o.rep[1], o.status)) {
				TH_LOG("N=%u: restart after the failure: %s, %s; log: %s",
				       n, o.nr_rep == 2 &&
				       o.rep[1].kind == FI_RETRY_FAILED ?
				       strerrorname_np(o.rep[1].err) : "ran",
				       fi_status(o.status), o.log);
			}
		} else {
			EXPECT_TRUE(fi_restored_ok(r, o.status)) {
				TH_LOG("N=%u: the restored task %s (bad %#x); log: %s",
				       n, fi_status(o.status), r->bad, o.log);
			}
			if (r->left)
				fi_note(st, n, '.');
			else
				fi_note(st, n, 'a');
		}
		if (_metadata->exit_code)
			break;
	}
	fi_finish(_metadata, st);
}

TEST_F_TIMEOUT(fi, restart_file, 600)
{
	struct fi_stats st;
	pid_t pid;

	pid = spawn_target();
	ASSERT_LT(0, pid);
	ASSERT_LT(0, sys_checkpoint(pid, self->img, 0, STDERR_FILENO));
	ASSERT_EQ(0, finish_child(pid));
	ASSERT_TRUE(fi_image_restarts(self->img));

	fi_start(&st, "restart from a file");
	fi_restart_loop(_metadata, &st, self->img);
}

/*
 * A threaded process: every failure, in the caller or in creating a
 * thread, leaves the caller single-threaded and unchanged, and no task
 * behind (the next restart gets the same tids again).
 */
TEST_F_TIMEOUT(fi, restart_threads, 600)
{
	struct fi_stats st;
	pid_t pid;

	pid = fi_spawn(target_threads_main);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, sys_checkpoint(pid, self->img, 0, STDERR_FILENO));
	ASSERT_EQ(0, finish_child(pid));
	fi_root_pid = pid;
	ASSERT_TRUE(fi_image_restarts(self->img));

	fi_start(&st, "restart of a threaded process");
	fi_restart_loop(_metadata, &st, self->img);
	fi_root_pid = 0;
}

/*
 * Shared memory (SysV too), sockets, eventfds and epoll: every failure
 * in making them leaves the caller as it was, with nothing of them
 * behind.
 */
TEST_F_TIMEOUT(fi, restart_objects, 900)
{
	struct fi_stats st;
	pid_t pid;

	snprintf(t_fifo, sizeof(t_fifo), "/tmp/ckpt-fi-fifo-%d", getpid());
	unlink(t_fifo);
	ASSERT_EQ(0, mkfifo(t_fifo, 0600));
	pid = fi_spawn(target_objects_main);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, sys_checkpoint(pid, self->img, 0, STDERR_FILENO));
	ASSERT_EQ(0, finish_child(pid));
	ASSERT_TRUE(fi_image_restarts(self->img));

	fi_start(&st, "restart of shared objects");
	fi_restart_loop(_metadata, &st, self->img);
	unlink(t_fifo);
}

TEST_F_TIMEOUT(fi, restart_pram, 600)
{
	struct fi_stats st;
	pid_t pid;
	int fd;

	if (!self->pram)
		SKIP(return, "no PRAM in this kernel");
	unlink(PRAM_DIR "/fi-restart");
	pid = spawn_target();
	ASSERT_LT(0, pid);
	fd = open(PRAM_DIR "/fi-restart", O_CREAT | O_EXCL | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, sys_checkpoint(pid, fd, 0, STDERR_FILENO));
	close(fd);
	ASSERT_EQ(0, finish_child(pid));
	fd = open(PRAM_DIR "/fi-restart", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(fi_image_restarts(fd));

	fi_start(&st, "restart from a PRAM node");
	fi_restart_loop(_metadata, &st, fd);
	close(fd);
	EXPECT_EQ(0, unlink(PRAM_DIR "/fi-restart"));
	EXPECT_EQ(0, pram_node_state("fi-restart"));
}

/*
 * A checkpoint into a node that fails leaves the node with what was
 * written, which publishes it without a tail: restart refuses it.
 */
TEST_F_TIMEOUT(fi, checkpoint_pram, 600)
{
	char before[8192], after[8192];
	struct fi_outcome o;
	struct fi_stats st;
	unsigned int n, left;
	int fd, err;
	long ret;
	pid_t pid;

	if (!self->pram)
		SKIP(return, "no PRAM in this kernel");
	unlink(PRAM_DIR "/fi-ckpt");
	unlink(PRAM_DIR "/fi-ckpt2");
	fi_start(&st, "checkpoint into a PRAM node");
	for (n = 1; n < FI_MAX_N && !st.done_at; n++) {
		pid = spawn_target();
		ASSERT_LT(0, pid);
		ASSERT_EQ(0, target_state(pid, before, sizeof(before)));
		fd = open(PRAM_DIR "/fi-ckpt", O_CREAT | O_EXCL | O_WRONLY,
			  0600);
		ASSERT_LE(0, fd);
		ret = fi_checkpoint(self, pid, fd, n, &err, &left);
		ASSERT_NE(-2, ret);
		close(fd);

		if (ret < 0) {
			const char *log = drain_log(self->log[0]);

			fi_note_errno(&st, n, err, log);
			EXPECT_EQ(0, left) {
				TH_LOG("N=%u: %s without the injected failure: %s",
				       n, strerrorname_np(err), log);
			}
			EXPECT_TRUE(fi_errno_ok(err)) {
				TH_LOG("N=%u: %s: %s", n, strerrorname_np(err),
				       log);
			}
			EXPECT_EQ(0, target_state(pid, after, sizeof(after)));
			EXPECT_STREQ(before, after);
			fd = open(PRAM_DIR "/fi-ckpt2",
				  O_CREAT | O_EXCL | O_WRONLY, 0600);
			ASSERT_LE(0, fd);
			EXPECT_LT(0, sys_checkpoint(pid, fd, 0, self->log[1])) {
				TH_LOG("N=%u: checkpoint after the failure: %s",
				       n, strerror(errno));
			}
			close(fd);
			EXPECT_EQ(0, finish_child(pid));
			fd = open(PRAM_DIR "/fi-ckpt2", O_RDONLY);
			ASSERT_LE(0, fd);
			EXPECT_TRUE(fi_image_restarts(fd));
			close(fd);
			EXPECT_EQ(0, unlink(PRAM_DIR "/fi-ckpt2"));
			/* The half-written node: published, refused. */
			fd = open(PRAM_DIR "/fi-ckpt", O_RDONLY);
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, fi_restart(fd, 0, &o));
			EXPECT_TRUE(o.nr_rep >= 1 && o.rep[0].kind == FI_FAILED &&
				    o.rep[0].err == EINVAL && !o.rep[0].bad) {
				TH_LOG("N=%u: restart from the node left: %s, %s",
				       n, fi_status(o.status), o.log);
			}
			close(fd);
		} else {
			EXPECT_EQ(0, finish_child(pid));
			if (left)
				fi_note(&st, n, '.');
			else
				fi_note(&st, n, 'a');
			fd = open(PRAM_DIR "/fi-ckpt", O_RDONLY);
			ASSERT_LE(0, fd);
			EXPECT_TRUE(fi_image_restarts(fd)) {
				TH_LOG("N=%u: the node made %s does not restart",
				       n, left ? "unhindered" :
				       "despite a failure");
			}
			close(fd);
		}
		EXPECT_EQ(0, unlink(PRAM_DIR "/fi-ckpt"));
		EXPECT_EQ(0, pram_node_state("fi-ckpt"));
		EXPECT_EQ(0, pram_node_state("fi-ckpt2"));
		if (_metadata->exit_code)
			break;
	}
	fi_finish(_metadata, &st);
}

TEST_F_TIMEOUT(fi, pram_create, 300)
{
	const char *path = PRAM_DIR "/fi-create";
	struct fi_stats st;
	unsigned int n, left;
	int fd, err, state;

	if (!self->pram)
		SKIP(return, "no PRAM in this kernel");
	unlink(path);
	fi_start(&st, "PRAM node create");
	for (n = 1; n < FI_MAX_N && !st.done_at; n++) {
		ASSERT_EQ(0, fi_arm(self->nth, n));
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
		err = errno;
		left = fi_disarm(self->nth);
		state = pram_node_state("fi-create");

		if (fd < 0) {
			fi_note_errno(&st, n, err, NULL);
			EXPECT_EQ(0, left) {
				TH_LOG("N=%u: %s without the injected failure",
				       n, strerrorname_np(err));
			}
			EXPECT_TRUE(fi_errno_ok(err)) {
				TH_LOG("N=%u: %s", n, strerrorname_np(err));
			}
			/* Gone, or there and usable as created. */
			EXPECT_LE(0, state) {
				TH_LOG("N=%u: the node is half there", n);
			}
			if (state > 0) {
				TH_LOG("N=%u: the node was created before the failure",
				       n);
				fd = open(path, O_WRONLY);
			} else {
				fd = open(path, O_CREAT | O_EXCL | O_WRONLY,
					  0600);
			}
			EXPECT_LE(0, fd) {
				TH_LOG("N=%u: open after the failure: %s", n,
				       strerror(errno));
			}
		} else if (!left) {
			fi_note(&st, n, 'a');
		} else {
			fi_note(&st, n, '.');
		}
		if (fd >= 0) {
			EXPECT_EQ(1, pram_node_state("fi-create"));
			EXPECT_EQ(5, write(fd, "hello", 5));
			close(fd);
			EXPECT_EQ(0, unlink(path));
		}
		EXPECT_EQ(0, pram_node_state("fi-create"));
		if (_metadata->exit_code)
			break;
	}
	fi_finish(_metadata, &st);
}

/*
 * A write that needs a data page, then a data page and a link page,
 * then a data page: an errno when the first fails, a short count after.
 */
#define W_BEFORE	((PRAM_LINK_NR - 1) * PS)
#define W_LEN		(2 * PS + 100)

static unsigned char w_data[W_BEFORE + W_LEN];

TEST_F_TIMEOUT(fi, pram_write, 300)
{
	const char *path = PRAM_DIR "/fi-write";
	size_t i, len, done, total = sizeof(w_data);
	unsigned char buf[PS];
	unsigned int n, left;
	struct fi_stats st;
	struct stat sb;
	int fd, err;
	ssize_t ret;

	if (!self->pram)
		SKIP(return, "no PRAM in this kernel");
	for (i = 0; i < total; i++)
		w_data[i] = i * 7 + i / PS;
	unlink(path);
	fi_start(&st, "PRAM node write");
	for (n = 1; n < FI_MAX_N && !st.done_at; n++) {
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
		ASSERT_LE(0, fd);
		ASSERT_EQ(W_BEFORE, write(fd, w_data, W_BEFORE));

		ASSERT_EQ(0, fi_arm(self->nth, n));
		ret = write(fd, w_data + W_BEFORE, W_LEN);
		err = errno;
		left = fi_disarm(self->nth);

		done = ret > 0 ? ret : 0;
		if (ret < 0) {
			fi_note_errno(&st, n, err, NULL);
			EXPECT_TRUE(fi_errno_ok(err)) {
				TH_LOG("N=%u: %s", n, strerrorname_np(err));
			}
		} else if (ret < W_LEN) {
			fi_note(&st, n, 's');
		} else if (!left) {
			fi_note(&st, n, 'a');
		} else {
			fi_note(&st, n, '.');
		}
		if (ret < W_LEN) {
			EXPECT_EQ(0, left) {
				TH_LOG("N=%u: %zd, %s without the injected failure",
				       n, ret, strerrorname_np(err));
			}
		}
		/* What the write reported is what the node holds ... */
		ASSERT_EQ(0, stat(path, &sb));
		EXPECT_EQ(W_BEFORE + done, sb.st_size);
		/* ... and the rest can be written without injection. */
		if (done < W_LEN) {
			EXPECT_EQ(W_LEN - done,
				  write(fd, w_data + W_BEFORE + done,
					W_LEN - done));
		}
		close(fd);

		fd = open(path, O_RDONLY);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, fstat(fd, &sb));
		EXPECT_EQ(total, sb.st_size);
		for (i = 0; i < total; i += len) {
			len = total - i < sizeof(buf) ? total - i : sizeof(buf);
			if (read(fd, buf, len) != (ssize_t)len ||
			    memcmp(buf, w_data + i, len))
				break;
		}
		EXPECT_EQ(total, i) {
			TH_LOG("N=%u: the node differs from what was written at %zu",
			       n, i);
		}
		close(fd);
		EXPECT_EQ(0, unlink(path));
		EXPECT_EQ(0, pram_node_state("fi-write"));
		if (_metadata->exit_code)
			break;
	}
	fi_finish(_metadata, &st);
}

TEST_F_TIMEOUT(fi, pram_delete, 300)
{
	const char *path = PRAM_DIR "/fi-delete";
	char data[3 * PS], buf[3 * PS];
	unsigned int n, left;
	struct fi_stats st;
	struct stat sb;
	int fd, ret, err;
	size_t i;

	if (!self->pram)
		SKIP(return, "no PRAM in this kernel");
	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 11;
	unlink(path);
	fi_start(&st, "PRAM node delete");
	for (n = 1; n < FI_MAX_N && !st.done_at; n++) {
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
		ASSERT_LE(0, fd);
		ASSERT_EQ(sizeof(data), write(fd, data, sizeof(data)));
		close(fd);

		ASSERT_EQ(0, fi_arm(self->nth, n));
		ret = unlink(path);
		err = errno;
		left = fi_disarm(self->nth);

		if (ret) {
			fi_note_errno(&st, n, err, NULL);
			EXPECT_EQ(0, left) {
				TH_LOG("N=%u: %s without the injected failure",
				       n, strerrorname_np(err));
			}
			EXPECT_TRUE(fi_errno_ok(err)) {
				TH_LOG("N=%u: %s", n, strerrorname_np(err));
			}
			/* Still there, whole. */
			EXPECT_EQ(1, pram_node_state("fi-delete"));
			fd = open(path, O_RDONLY);
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, fstat(fd, &sb));
			EXPECT_EQ(sizeof(data), sb.st_size);
			EXPECT_EQ(sizeof(data), read(fd, buf, sizeof(buf)));
			EXPECT_EQ(0, memcmp(buf, data, sizeof(data)));
			close(fd);
			EXPECT_EQ(0, unlink(path));
		} else if (!left) {
			fi_note(&st, n, 'a');
		} else {
			fi_note(&st, n, '.');
		}
		EXPECT_EQ(0, pram_node_state("fi-delete"));
		if (_metadata->exit_code)
			break;
	}
	fi_finish(_metadata, &st);
}

TEST_HARNESS_MAIN

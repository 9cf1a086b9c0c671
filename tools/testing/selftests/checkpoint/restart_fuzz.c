// SPDX-License-Identifier: GPL-2.0
/*
 * restart_fuzz: a structure-aware fuzzer for restart(2).
 *
 * Valid images of several kinds are made here, in the guest, with
 * checkpoint(2): a self-checkpoint, stopped children with anonymous
 * memory, with private file mappings, with a transparent huge page, with
 * hundreds of VMAs, one stopped inside a syscall, and one checkpointed
 * into a PRAM node. Each image is parsed into records, and a mutant
 * changes fields of those records chosen by record type (counts,
 * addresses, mm bounds, VMA protections, flags, types and offsets, file
 * paths and identities, registers and selectors, the XSAVE header, the
 * tree's counts, task ids and object ids, signal actions and masks,
 * limits, umask and pending signals, the alternate stack, rseq and
 * futex pointers) or their structure (records dropped, duplicated,
 * swapped, resized, spliced from another image, truncated; VMAs moved,
 * split, dropped and duplicated with their pages; pending signals
 * added), using boundary values (the
 * end of the user address space +-1, page size +-1, kernel addresses,
 * huge counts) as well as random ones. The mutant is then sealed again
 * as checkpoint(2) seals an image: the XXH64 of each page whose
 * contents changed, in its PAGES record; each batch's digest, in its
 * PGARR record, of its addresses and its PAGES record up to the
 * contents; and the tail's CRC-32C, of all but those addresses and PAGES
 * records, so that the mutant reaches the checks behind them.
 * Some mutants change the restarting caller instead (its limits, MDWE,
 * no or a full log, the image through a pipe) or signal it in the
 * middle of restart(2): SIGKILL, whose cleanup must leave nothing
 * behind.
 *
 * Each mutant is restarted by a forked child that first becomes nobody.
 * Either restart(2) fails, and that child checks that nothing of it
 * changed (a memory checksum, callee-saved, SSE and x87 control
 * registers, fs and gs base, signal dispositions, mask and alternate
 * stack, rseq and robust list registrations, credentials, limits and
 * umask, mm fields and /proc/self/maps), or the restored task runs whatever the image makes
 * it do until it exits, is killed, or is killed at the deadline. Since
 * a refused image leaves the caller as it was, one such child serves
 * mutant after mutant, each time checked against the state it took once,
 * until an image restarts (it is then the restored task) or it finds
 * itself changed; a mutant that changes the caller's limits, or comes
 * through a pipe or a PRAM node, gets a child of its own. A restored
 * task that reaches its image's own code checks what restart must never
 * grant (credentials, memory below mmap_min_addr) and works its new
 * address space (page walks, fork, a hole punched into its mapped file).
 * A kernel report that shows up on /dev/kmsg is pinned on the mutant
 * that was running. A mutant of one mutation whose refusal is certain
 * (the tail's checksum left wrong, a page's contents or checksum
 * changed alone, a batch's digest left wrong) must be refused with its
 * errno, EBADMSG.
 *
 * A node of the pram filesystem written with write(2) holds bytes only,
 * no kept pages. So a PRAM image's mutant is written into a new node,
 * and the same stopped task is then checkpointed into that node behind
 * it: the node's page stream gets the pages the mutant's PAGES records
 * (CR_PAGES_PRAM) take, and the valid image that follows the mutant is
 * never read.
 *
 *   restart_fuzz [-s SEED|random] [-n COUNT] [-k KIND,...] [-i INDEX]
 *                [-j WORKERS] [-t SECONDS] [-x CLASS,...] [-f] [-m] [-v]
 *
 * Without arguments, as a kselftest, it runs a fixed seed. A failing
 * mutant is logged with its kind and every change made (record, field,
 * old and new value), and replays alone with -s SEED -k KIND -i INDEX.
 * -h lists the kinds of image and the classes of mutation.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <ctype.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/uio.h>
#include <time.h>

#include <linux/ckpt_hdr.h>
#include <asm/ckpt_hdr.h>

#include "../kselftest_harness.h"
#include "../../../checkpoint/crc32c.h"
#include "../../../checkpoint/xxh64.h"
#include "ckpt_util.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE			65
#define PR_MDWE_REFUSE_EXEC_GAIN	1UL
#define PR_GET_MDWE			66
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE		0x08
#endif
#ifndef SA_RESTORER
#define SA_RESTORER		0x04000000
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef SS_AUTODISARM
#define SS_AUTODISARM		0x80000000U
#endif

#define PS		4096UL
#define NOBODY		65534
/* TASK_SIZE_MAX with 4-level paging, the end of user space */
#define USER_END	0x00007ffffffff000ULL
#define KERNEL_ADDR	0xffff888000000000ULL
#define VSYSCALL_ADDR	0xffffffffff600000ULL
#define HBUF_SIZE	(4 * PS + 4096)	/* the kernel's CR_HBUF_SIZE */
#define PGARR_MAX	CR_PGARR_MAX	/* most pages of one batch */
#define CPU_AREA	sizeof(struct cr_hdr_cpu)
#define XSAVE_HDR	512

#define MAX_RECS	4096
#define MAX_PAGES	2048
#define IMAGE_FD	10
#define LOG_FD		11
#define RT_FD		199	/* a file: the restored task is to round-trip */
#define REPORT_FD	200
#define CMD_FD		201
#define KIND_FD		210	/* a serving restarter's images, by kind */
#define FD_HIGH		300
#define DEFAULT_SEED	20241129
#define DEFAULT_COUNT	2000

#define FILE_PAGES	16
#define N(a)		(sizeof(a) / sizeof((a)[0]))
#define PRAM_DIR	"/sys/fs/pram"
#define TMP		"/tmp/restart_fuzz-"
#define RESTARTER_COMM	"fz-restarter"

/* The kinds of image, and the children that are their tasks. */
enum { K_SELF, K_ANON, K_FILE, K_THP, K_MANY, K_SLEEP, K_PRAM, NR_KINDS };

struct rec {
	size_t off;
	uint32_t type, len;
};

struct kind {
	const char *name;
	int weight;		/* how often it is picked */
	unsigned char *img;	/* the valid image */
	size_t size;
	struct rec *recs;
	int nr;
	uint32_t *crc;		/* CRC register at each record's start */
	pid_t keep;		/* PRAM: the stopped child, checkpointed anew */
	uint64_t addrs[64];	/* addresses the image holds */
	int naddrs;
	uint64_t code_start, code_end;
	/*
	 * Where its mutants are made: a scratch file mapped shared, which
	 * the restarter reads through a read-only descriptor, so that no
	 * copy is written per mutant. Its bytes before @dirty are the
	 * image's own; it is @flen bytes long.
	 */
	int sfd, rfd;
	unsigned char *buf;
	size_t cap, dirty, flen;
};

static struct kind kinds[NR_KINDS] = {
	[K_SELF] = { .name = "self", .weight = 4 },
	[K_ANON] = { .name = "anon", .weight = 4 },
	[K_FILE] = { .name = "file", .weight = 4 },
	[K_SLEEP] = { .name = "sleep", .weight = 2 },
	/* the slow ones: 2 MiB of pages, a checkpoint each, 200 VMAs */
	[K_THP] = { .name = "thp", .weight = 2 },
	[K_PRAM] = { .name = "pram", .weight = 2 },
	[K_MANY] = { .name = "many", .weight = 1 },
};

/* Classes of mutation, which -x turns off. */
enum {
	C_HEAD, C_HDR, C_STRUCT, C_TASK, C_SIG, C_ALTSTACK, C_RSEQ, C_FUTEX,
	C_REGS, C_SEL, C_FSGS, C_XSTATE, C_MM, C_MMFLAGS, C_LDT, C_VMA,
	C_PGOFF, C_PATH, C_IDENT, C_PAGES, C_DATA, C_CRC, C_ENV, C_INTR,
	C_TREE, C_PROC, C_PENDING, C_DIGEST, NR_CLS
};

static const char *const cls_name[NR_CLS] = {
	"head", "hdr", "struct", "task", "sig", "altstack", "rseq", "futex",
	"regs", "sel", "fsgs", "xstate", "mm", "mmflags", "ldt", "vma",
	"pgoff", "path", "ident", "pages", "data", "crc", "env", "interrupt",
	"tree", "proc", "pending", "digest",
};

static struct {
	uint64_t seed;
	long count;
	long index;
	unsigned int kinds;
	unsigned int off;
	int deadline;
	int jobs;
	bool fresh;
	bool mutate_only;
	int verbose;
} opt = {
	.seed = DEFAULT_SEED,
	.count = DEFAULT_COUNT,
	.index = -1,
	.deadline = 5,
};

static struct __test_metadata *md;

#define LOG(...) do {						\
	struct __test_metadata *_metadata = md;			\
								\
	TH_LOG(__VA_ARGS__);					\
} while (0)

/* The XXH64 of one page, as its PAGES record holds it. */
static uint64_t page_sum(const unsigned char *p)
{
	return xxh64(p, PS);
}

static uint64_t zero_page_sum;	/* of a page of zeros */

static void page_sum_init(void)
{
	static const unsigned char zeros[PS];

	zero_page_sum = page_sum(zeros);
}

/* The bytes of @n pages' checksums in a PAGES record: 8 a page. */
static size_t sums_len(uint64_t n)
{
	return 8 * n;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The random stream @stream of mutant @idx: a function of the seed only. */
static uint64_t mix(uint64_t idx, uint64_t stream)
{
	uint64_t s = opt.seed ^ (idx * 0xd1b54a32d192ed03ULL) ^
		     (stream * 0xaf251af3b0f025b5ULL);

	return splitmix(&s);
}

static uint64_t getv(const unsigned char *p, int size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);
	return v;
}

/*
 * Where the page contents of the record at @p, @len bytes long, start:
 * after its checksums, if it is a PAGES record that holds contents.
 * @len for any other record, and for a PAGES record whose length does
 * not match its count, which restart refuses before the tail.
 */
static size_t contents_at(const unsigned char *p, size_t len)
{
	uint64_t n;

	if (len < sizeof(struct cr_hdr_pages) ||
	    getv(p, 4) != CR_HDR_PAGES || getv(p + 12, 4))
		return len;
	n = getv(p + 8, 4);
	if (len != sizeof(struct cr_hdr_pages) + sums_len(n) + n * PS)
		return len;
	return sizeof(struct cr_hdr_pages) + sums_len(n);
}

/*
 * The running CRC-32C of the tail taken on over the record at @p, @len
 * bytes: none of a PAGES record, which its batch's digest and its pages'
 * own checksums cover, and of a PGARR record only its struct, not the
 * addresses after it, which the digest covers.
 */
static uint32_t crc_rec(uint32_t crc, const unsigned char *p, size_t len)
{
	uint32_t type = len >= 4 ? getv(p, 4) : 0;

	if (type == CR_HDR_PAGES)
		return crc;
	if (type == CR_HDR_PGARR && len > sizeof(struct cr_hdr_pgarr))
		len = sizeof(struct cr_hdr_pgarr);
	return crc32c_update(crc, p, len);
}

/*
 * The digest of the batch whose PGARR record is @a and PAGES record @pg,
 * in the image @img, as restart computes it: the XXH64 of the addresses,
 * then of the PAGES struct and, when it has no flag, of the pages'
 * checksums, which are one stretch of the image. False when the records
 * are not formed for restart to get as far as the digest.
 */
static bool batch_digest(const unsigned char *img, const struct rec *a,
			 const struct rec *pg, uint64_t *digest)
{
	size_t at = a->off + sizeof(struct cr_hdr_pgarr), end;
	uint64_t n;

	if (a->type != CR_HDR_PGARR || pg->type != CR_HDR_PAGES ||
	    a->len < sizeof(struct cr_hdr_pgarr) ||
	    pg->len < sizeof(struct cr_hdr_pages) ||
	    pg->off != a->off + a->len)
		return false;
	n = getv(img + a->off + offsetof(struct cr_hdr_pgarr, nr_pages), 4);
	if (a->len != sizeof(struct cr_hdr_pgarr) + 8 * n ||
	    getv(img + pg->off + offsetof(struct cr_hdr_pages, nr_pages), 4) !=
	    n)
		return false;
	end = pg->off + sizeof(struct cr_hdr_pages);
	if (!getv(img + pg->off + offsetof(struct cr_hdr_pages, flags), 4))
		end += sums_len(n);
	if (end > pg->off + pg->len)
		return false;
	*digest = xxh64(img + at, end - at);
	return true;
}

static long raw_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		buf[0] = '\0';
		return -1;
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/*
 * Reports on the report pipe, all of one size so that they never split:
 * the restarting child's before and after restart(2), and the restored
 * task's once it runs its image's code.
 */
#define REP_MAGIC	0x7a7a4652U
enum { PH_PRE = 1, PH_RET, PH_POST, PH_RUN, PH_ORACLE, PH_SETUP };

struct report {
	uint32_t magic;
	uint32_t phase;
	uint64_t nonce;
	int32_t err;
	uint32_t bad;
	uint64_t ns;		/* CLOCK_MONOTONIC when sent */
	char what[224];
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static void report(uint32_t phase, uint64_t nonce, int err, uint32_t bad,
		   const char *what)
{
	struct report r = {
		.magic = REP_MAGIC, .phase = phase, .nonce = nonce,
		.err = err, .bad = bad, .ns = now_ns(),
	};

	if (what)
		memcpy(r.what, what, strnlen(what, sizeof(r.what) - 1));
	raw_syscall3(__NR_write, REPORT_FD, (long)&r, sizeof(r));
}

/* What the restored tasks find: set by the children the images are of. */
static int image_kind;
static unsigned char *region;
static size_t region_pages;
static unsigned char self_data[8 * PS];
static char file_path[64] = TMP "file";
static struct timespec file_mtime;
static char altstack[4 * 8192];

static unsigned char pat(int kind, size_t page, size_t byte)
{
	return (page * 31 + byte * 7 + kind * 5 + 1) & 0xff;
}

static unsigned char file_pat(size_t page, size_t byte)
{
	return (page * 13 + byte + 'F') & 0xff;
}

/* Which pages of its region a kind's task wrote, and checks once restored. */
static bool touched(int kind, size_t page)
{
	switch (kind) {
	case K_ANON:
		/* 48-55 are MADV_WIPEONFORK: not saved, restored zeroed */
		return page % 3 != 2 && (page < 48 || page >= 56);
	case K_FILE:
		return page % 4 == 1;
	case K_MANY:
		return page % 4 == 0;
	default:
		return true;
	}
}

static void fill_region(int kind)
{
	size_t p, b;

	for (p = 0; p < region_pages; p++)
		if (touched(kind, p))
			for (b = 0; b < 64; b++)
				region[p * PS + b] = pat(kind, p, b);
	escape(region);
}

static bool check_region(int kind)
{
	size_t p, b;

	for (p = 0; p < region_pages; p++)
		for (b = 0; b < 64; b++) {
			/* the many kind's odd pages are not all readable */
			if (kind == K_MANY && p % 2)
				break;
			unsigned char want = touched(kind, p) ?
					     pat(kind, p, b) :
					     kind == K_FILE ? file_pat(p, b) : 0;

			if (region[p * PS + b] != want)
				return false;
		}
	return true;
}

static unsigned long min_mmap_addr(void)
{
	char buf[32];

	if (read_file("/proc/sys/vm/mmap_min_addr", buf, sizeof(buf)) <= 0)
		return 4096;
	return strtoul(buf, NULL, 10);
}

/*
 * Walk the restored address space: read a few bytes of every readable
 * VMA through process_vm_readv() (which fails instead of faulting) and
 * write them back to writable private ones. Returns the oracle bits: a
 * VMA below mmap_min_addr, which nobody may map.
 */
#define OR_CREDS	0x1U
#define OR_LOWMAP	0x2U
#define OR_ROUNDTRIP	0x4U
#define RT_OK		61	/* exit status of a task restored twice */

static uint32_t walk_maps(unsigned long min_addr, char *what, size_t len)
{
	static char maps[1 << 16];
	char *line, *next, perm[5];
	unsigned long s, e, a;
	uint32_t bad = 0;
	int budget = 64, k;
	char c;

	read_file("/proc/self/maps", maps, sizeof(maps));
	for (line = maps; line && *line; line = next) {
		struct iovec l = { &c, 1 }, r = { NULL, 1 };

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, "%lx-%lx %4s", &s, &e, perm) != 3)
			continue;
		if (s < min_addr && !(bad & OR_LOWMAP)) {
			bad |= OR_LOWMAP;
			snprintf(what, len, "restored VMA %.120s below mmap_min_addr %#lx",
				 line, min_addr);
		}
		if (perm[0] != 'r' || strstr(line, "[vvar]"))
			continue;
		for (k = 0; k < 4 && budget > 0; k++, budget--) {
			a = s + (e - s) / PS * k / 4 * PS;
			r.iov_base = (void *)a;
			if (process_vm_readv(getpid(), &l, 1, &r, 1, 0) == 1 &&
			    perm[1] == 'w' && perm[3] == 'p')
				process_vm_writev(getpid(), &l, 1, &r, 1, 0);
		}
	}
	return bad;
}

/*
 * The file kind's task, restored: punch a hole over its mapped file
 * (which unmaps the file's pages from every mapping, the restored ones
 * included), truncate it to nothing and back, and put its contents and
 * modification time back for the next mutant.
 */
static void punch_file(void)
{
	static unsigned char page[PS];
	struct timespec ts[2] = { { 0, UTIME_OMIT }, file_mtime };
	int fd = open(file_path, O_RDWR);
	size_t p, b;

	if (fd < 0)
		return;
	fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		  FILE_PAGES * PS);
	walk_maps(0, NULL, 0);
	if (!ftruncate(fd, 0) && !ftruncate(fd, FILE_PAGES * PS))
		for (p = 0; p < FILE_PAGES; p++) {
			for (b = 0; b < PS; b++)
				page[b] = file_pat(p, b);
			if (pwrite(fd, page, PS, p * PS) != PS)
				break;
		}
	futimens(fd, ts);
	close(fd);
}

/*
 * What checkpoint(2) writes, restart(2) restores: checkpoint the restored
 * task into an anonymous file and restart that in a child, which must
 * come back as a copy of this task (to which checkpoint(2) returns 0).
 * A refused checkpoint is allowed. Returns the oracle bit, and why.
 */
static uint32_t round_trip(char *what, size_t len)
{
	int fd = open("/tmp", O_TMPFILE | O_RDWR, 0600), lg[2], st = 0;
	char log[128] = "";
	ssize_t n;
	long id;
	pid_t pid;

	if (fd < 0 || pipe2(lg, O_NONBLOCK))
		return 0;
	id = sys_checkpoint(0, fd, 0, -1);
	if (!id)
		_exit(RT_OK);		/* the copy */
	if (id > 0) {
		/*
		 * Not the C library's fork(): its child walks lists in
		 * memory that a mutant may have left broken, and crashes.
		 */
		pid = syscall(SYS_fork);
		if (!pid) {
			lseek(fd, 0, SEEK_SET);
			sys_restart(0, fd, RESTART_RUN, lg[1]);
			_exit(100 + errno);
		}
		if (pid > 0)
			waitpid(pid, &st, 0);
		n = read(lg[0], log, sizeof(log) - 1);
		log[n > 0 ? n : 0] = '\0';
	}
	close(fd);
	close(lg[0]);
	close(lg[1]);
	if (id < 0 || (WIFEXITED(st) && WEXITSTATUS(st) == RT_OK))
		return 0;
	snprintf(what, len,
		 "its checkpoint (id %ld) does not restart: status %#x: %s",
		 id, st, log);
	return OR_ROUNDTRIP;
}

/*
 * What every restored task runs once back in its image's own code: say
 * so, check that it is still nobody and maps nothing below
 * mmap_min_addr, check its memory, and work its address space. Its exit
 * status is 0 when its memory is as it was checkpointed, else 2.
 */
static int workout(void)
{
	unsigned long min_addr = min_mmap_addr();
	uid_t u[3] = { 0 };
	gid_t g[3] = { 0 };
	char what[200] = "";
	uint32_t bad = 0;
	struct stat st;
	int code, i;
	pid_t pid;

	report(PH_RUN, 0, image_kind, 0, kinds[image_kind].name);
	if (getresuid(&u[0], &u[1], &u[2]) || getresgid(&g[0], &g[1], &g[2]) ||
	    getgroups(0, NULL) != 0)
		bad |= OR_CREDS;
	for (i = 0; i < 3; i++)
		if (u[i] != NOBODY || g[i] != NOBODY)
			bad |= OR_CREDS;
	if (bad)
		snprintf(what, sizeof(what), "restored task has uids %u %u %u gids %u %u %u",
			 u[0], u[1], u[2], g[0], g[1], g[2]);
	bad |= walk_maps(min_addr, what, sizeof(what));
	if (!fstat(RT_FD, &st) && S_ISREG(st.st_mode))
		bad |= round_trip(what, sizeof(what));
	if (bad)
		report(PH_ORACLE, 0, image_kind, bad, what);

	if (image_kind == K_SELF) {
		code = 0;
		for (i = 0; i < (int)sizeof(self_data); i++)
			if (self_data[i] != pat(K_SELF, i / PS, i % PS))
				code = 2;
	} else {
		code = region && check_region(image_kind) ? 0 : 2;
	}

	/* A copy of the restored address space, made and torn down. */
	pid = fork();
	if (!pid)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (image_kind == K_FILE)
		punch_file();
	/* What a task does to its memory, done to the restored VMAs. */
	if (region) {
		size_t len = region_pages * PS;
		void *p;

		madvise(region, len, MADV_COLD);
		madvise(region, len, MADV_PAGEOUT);
		if (image_kind == K_THP)
			madvise(region, len, MADV_COLLAPSE);
		if (!mlock(region, PS))
			munlock(region, PS);
		mprotect(region, PS, PROT_READ);
		madvise(region + PS, PS, MADV_DONTNEED);
		p = mremap(region, PS, 2 * PS, MREMAP_MAYMOVE);
		munmap(region, len);
		if (p != MAP_FAILED)
			munmap(p, 2 * PS);
	}
	_exit(code);
}

/* The children whose images are fuzzed. */

static void on_signal(int sig, siginfo_t *si, void *uc)
{
}

static int setup_anon(void)
{
	static const int advice[8] = {
		-1, MADV_DONTFORK, MADV_DONTDUMP, MADV_RANDOM,
		MADV_SEQUENTIAL, MADV_NOHUGEPAGE, MADV_WIPEONFORK, -1,
	};
	struct sigaction sa = { .sa_sigaction = on_signal };
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	sigset_t set;
	char *p;
	int i;

	region_pages = 64;
	region = mmap(NULL, region_pages * PS, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	fill_region(K_ANON);
	for (i = 0; i < 8; i++)
		if (advice[i] >= 0 &&
		    madvise(region + i * 8 * PS, 8 * PS, advice[i]))
			return -1;
	if (mprotect(region + 56 * PS, 8 * PS, PROT_READ))
		return -1;
	p = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	p[3 * PS] = 1;
	p = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	p[0] = 1;
	/* Locked and droppable memory, when the kernel has them. */
	p = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (p != MAP_FAILED)
		p[0] = 1;
	p = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE,
		 MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		p[0] = 1;

	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	if (sigaltstack(&ss, NULL) || sigaction(SIGUSR1, &sa, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		return -1;
	i = open("/proc/self/coredump_filter", O_WRONLY);
	if (i >= 0) {
		if (write(i, "0x3b", 4) != 4)
			return -1;
		close(i);
	}
	return 0;
}

static int setup_file(void)
{
	int fd = open(file_path, O_RDONLY);
	void *p;

	if (fd < 0)
		return -1;
	region_pages = FILE_PAGES;
	region = mmap(NULL, FILE_PAGES * PS, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE, fd, 0);
	if (region == MAP_FAILED)
		return -1;
	fill_region(K_FILE);
	/* An executable view at an offset, and one running past the end. */
	p = mmap(NULL, 4 * PS, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 4 * PS);
	if (p == MAP_FAILED)
		return -1;
	p = mmap(NULL, 8 * PS, PROT_READ, MAP_PRIVATE, fd, 12 * PS);
	if (p == MAP_FAILED)
		return -1;
	close(fd);
	return 0;
}

static int setup_thp(void)
{
	size_t huge = 2UL << 20;
	unsigned char *raw;
	uintptr_t a;

	raw = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return -1;
	a = ((uintptr_t)raw + huge - 1) & ~(huge - 1);
	if (a > (uintptr_t)raw)
		munmap(raw, a - (uintptr_t)raw);
	if ((uintptr_t)raw + 2 * huge > a + huge)
		munmap((void *)(a + huge), (uintptr_t)raw + 2 * huge - a - huge);
	region = (unsigned char *)a;
	region_pages = huge / PS;
	if (madvise(region, huge, MADV_HUGEPAGE))
		return -1;
	fill_region(K_THP);
	return 0;
}

/* Hundreds of VMAs: read-write, read-only and inaccessible in turn. */
static int setup_many(void)
{
	size_t p;

	region_pages = 200;
	region = mmap(NULL, region_pages * PS, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	fill_region(K_MANY);
	for (p = 1; p < region_pages; p += 2)
		if (mprotect(region + p * PS, PS,
			     p % 4 == 1 ? PROT_READ : PROT_NONE))
			return -1;
	/* Restored, this task may not gain executable memory. */
	prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0);
	return 0;
}

static int setup_small(int kind, size_t pages)
{
	region_pages = pages;
	region = mmap(NULL, pages * PS, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	fill_region(kind);
	return 0;
}

/* The task of a stopped kind: set up, stop; restored, the workout. */
static int stopped_child(int kind)
{
	struct timespec ts = { 100000, 0 };
	int ret;

	image_kind = kind;
	switch (kind) {
	case K_ANON:
		ret = setup_anon();
		break;
	case K_FILE:
		ret = setup_file();
		break;
	case K_THP:
		ret = setup_thp();
		break;
	case K_MANY:
		ret = setup_many();
		break;
	default:
		ret = setup_small(kind, kind == K_PRAM ? 32 : 4);
		break;
	}
	if (ret)
		return 3;
	if (kind == K_SLEEP)
		syscall(SYS_nanosleep, &ts, NULL);	/* stopped in here */
	else
		raise(SIGSTOP);
	return workout();
}

/* Checkpoint itself into @fd: 0 as the original, the workout restored. */
static int self_child(int fd)
{
	size_t i;
	long id;

	image_kind = K_SELF;
	for (i = 0; i < sizeof(self_data); i++)
		self_data[i] = pat(K_SELF, i / PS, i % PS);
	escape(self_data);
	id = sys_checkpoint(0, fd, 0, STDERR_FILENO);
	if (id > 0)
		return 0;
	if (id < 0)
		return 1;
	return workout();
}

/* Wait until @pid sleeps in syscall @nr, as /proc/PID/syscall says. */
static void wait_syscall(pid_t pid, long nr)
{
	char path[64], buf[64];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (i = 0; i < 1000; i++) {
		if (read_file(path, buf, sizeof(buf)) > 0 &&
		    strtol(buf, NULL, 10) == nr)
			return;
		usleep(10000);
	}
}

static void safety_limits(void);

static pid_t spawn_kind(int kind)
{
	int status;
	pid_t pid;

	pid = fork();
	if (!pid) {
		/* The image holds them: restart(2) may not raise them. */
		safety_limits();
		drop_shared_mappings();
		_exit(stopped_child(kind));
	}
	if (pid < 0)
		return -1;
	if (kind == K_SLEEP) {
		wait_syscall(pid, SYS_nanosleep);
		kill(pid, SIGSTOP);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
		LOG("the %s child did not stop: status %#x", kinds[kind].name,
		    status);
		return -1;
	}
	return pid;
}

/* Read the whole of @fd from its start. */
static unsigned char *slurp(int fd, size_t *size)
{
	size_t cap = 1 << 20, len = 0;
	unsigned char *p = malloc(cap);
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while (p && (n = read(fd, p + len, cap - len)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			p = realloc(p, cap);
		}
	}
	*size = len;
	return p;
}

/*
 * Memory a fork does not copy: the pages of a shared mapping are not
 * write-protected and copied page table by page table, as private ones
 * are, and each mutant costs a fork.
 */
static void *shared_alloc(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int parse(const unsigned char *p, size_t len, struct rec *r, int max)
{
	size_t off = 0;
	int n = 0;

	while (off + sizeof(struct cr_hdr) <= len && n < max) {
		uint32_t t = getv(p + off, 4), l = getv(p + off + 4, 4);

		if (l < sizeof(struct cr_hdr) || l > len - off)
			break;
		r[n].off = off;
		r[n].type = t;
		r[n++].len = l;
		off += l;
		if (t == CR_HDR_TAIL)
			break;
	}
	return n;
}

static bool mount_pram(void)
{
	struct stat st;

	if (stat(PRAM_DIR "/.", &st)) {
		LOG("no %s: the pram kind is skipped", PRAM_DIR);
		return false;
	}
	if (mount("none", PRAM_DIR, "pram", 0, NULL) && errno != EBUSY) {
		LOG("cannot mount the pram filesystem (%s): the pram kind is skipped",
		    strerror(errno));
		return false;
	}
	return true;
}

/*
 * Checkpoint the task of @kind; returns the image's descriptor. The
 * images are read into memory only once all are made: a child forked
 * after that would carry them all in its own image.
 */
static int make_image(int kind)
{
	static int keep[2] = { -1, -1 };
	struct kind *k = &kinds[kind];
	int fd, status;
	pid_t pid;

	/*
	 * The children hold RT_FD and REPORT_FD as the ends of a pipe this
	 * process keeps: external descriptors of their images, for which a
	 * restarter passes its own (image_inherit()), /dev/null for a
	 * closed RT_FD.
	 */
	if (keep[0] < 0 && (pipe(keep) || dup2(keep[0], RT_FD) < 0 ||
			    dup2(keep[1], REPORT_FD) < 0))
		return -1;

	if (kind == K_SELF) {
		fd = self_image_file();
		pid = fork();
		if (!pid) {
			safety_limits();
			drop_shared_mappings();
			_exit(self_child(fd));
		}
		if (fd < 0 || pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			LOG("the self-checkpoint failed");
			return -1;
		}
	} else if (kind == K_PRAM) {
		if (!mount_pram())
			return -1;
		/* first: a child holding the node open would keep it unpublished */
		k->keep = spawn_kind(kind);
		unlink(PRAM_DIR "/restart_fuzz-base");
		fd = open(PRAM_DIR "/restart_fuzz-base",
			  O_CREAT | O_EXCL | O_WRONLY, 0600);
		if (fd < 0 || k->keep < 0 ||
		    sys_checkpoint(k->keep, fd, 0, STDERR_FILENO) <= 0) {
			LOG("checkpoint into a PRAM node failed (%s): the pram kind is skipped",
			    strerror(errno));
			if (fd >= 0)
				close(fd);
			unlink(PRAM_DIR "/restart_fuzz-base");
			return -1;
		}
		close(fd);
		fd = open(PRAM_DIR "/restart_fuzz-base", O_RDONLY);
	} else {
		fd = image_file();
		pid = spawn_kind(kind);
		if (fd < 0 || pid < 0 ||
		    sys_checkpoint(pid, fd, 0, STDERR_FILENO) <= 0) {
			LOG("checkpoint of the %s child failed: %s", k->name,
			    strerror(errno));
			return -1;
		}
		kill_child(pid);
	}
	return fd;
}

/*
 * Whether the valid image of @k is sealed as its mutants are made to
 * be: each batch's digest in its PGARR record, each page's checksum in
 * its PAGES record, and the tail's checksum, of all but those batches'
 * addresses and PAGES records.
 * If it were not, restart would refuse every mutant at the first of
 * them, and reach nothing behind.
 */
static bool check_seal(const struct kind *k)
{
	const struct rec *t = &k->recs[k->nr - 1];
	const unsigned char *p;
	uint64_t digest;
	size_t c, n, j;
	uint32_t crc;
	int i;

	for (i = 0; i + 1 < k->nr; i++) {
		if (k->recs[i].type != CR_HDR_PGARR)
			continue;
		p = k->img + k->recs[i].off;
		if (!batch_digest(k->img, &k->recs[i], &k->recs[i + 1],
				  &digest)) {
			LOG("the %s image's batch at %zu is malformed",
			    k->name, k->recs[i].off);
			return false;
		}
		if (getv(p + offsetof(struct cr_hdr_pgarr, digest), 8) != digest) {
			LOG("the %s image's batch at %zu: digest not %#llx",
			    k->name, k->recs[i].off, (unsigned long long)digest);
			return false;
		}
	}
	for (i = 0; i < k->nr; i++) {
		p = k->img + k->recs[i].off;
		c = contents_at(p, k->recs[i].len);
		if (c == k->recs[i].len)
			continue;
		n = (k->recs[i].len - c) / PS;
		for (j = 0; j < n; j++)
			if (getv(p + sizeof(struct cr_hdr_pages) + 8 * j, 8) !=
			    page_sum(p + c + j * PS))
				break;
		if (j < n) {
			LOG("the %s image's PAGES record at %zu: page %zu is damaged",
			    k->name, k->recs[i].off, j);
			return false;
		}
	}
	if (t->len < sizeof(struct cr_hdr_tail))
		return false;
	crc = ~crc32c_update(k->crc[k->nr - 1], k->img + t->off,
			     offsetof(struct cr_hdr_tail, crc32c));
	if (getv(k->img + t->off + offsetof(struct cr_hdr_tail, crc32c), 4) !=
	    crc) {
		LOG("the %s image's checksum is not %#x, as computed here",
		    k->name, crc);
		return false;
	}
	return true;
}

/* Read the image of @kind from @fd, parse it, note what it holds. */
static bool load_image(int kind, int fd)
{
	struct kind *k = &kinds[kind];
	int i;

	unsigned char *p;

	p = slurp(fd, &k->size);
	close(fd);
	if (kind == K_PRAM)
		unlink(PRAM_DIR "/restart_fuzz-base");
	if (!p || !k->size)
		return false;
	k->img = shared_alloc(k->size);
	k->cap = 2 * k->size + (64 << 20);
	if (!k->img)
		return false;
	memcpy(k->img, p, k->size);
	free(p);
	k->recs = calloc(MAX_RECS, sizeof(*k->recs));
	k->crc = calloc(MAX_RECS, sizeof(*k->crc));
	if (!k->recs || !k->crc)
		return false;
	k->nr = parse(k->img, k->size, k->recs, MAX_RECS);
	if (!k->nr || k->recs[k->nr - 1].type != CR_HDR_TAIL ||
	    k->recs[k->nr - 1].off + k->recs[k->nr - 1].len != k->size) {
		LOG("the %s image does not parse", k->name);
		return false;
	}
	k->crc[0] = ~0U;
	for (i = 1; i < k->nr; i++)
		k->crc[i] = crc_rec(k->crc[i - 1], k->img + k->recs[i - 1].off,
				    k->recs[i - 1].len);
	if (!check_seal(k))
		return false;

	/* Addresses of this image, to aim mutated fields at. */
	for (i = 0; i < k->nr && k->naddrs < 60; i++) {
		const unsigned char *r = k->img + k->recs[i].off;
		struct cr_hdr_vma v;
		struct cr_hdr_cpu c;

		if (k->recs[i].type == CR_HDR_VMA) {
			memcpy(&v, r, sizeof(v));
			k->addrs[k->naddrs++] = v.start;
			k->addrs[k->naddrs++] = v.end;
			if (v.type == CR_VMA_FILE && (v.prot & CR_PROT_EXEC) &&
			    !k->code_start) {
				k->code_start = v.start;
				k->code_end = v.end;
			}
		} else if (k->recs[i].type == CR_HDR_CPU) {
			memcpy(&c, r, sizeof(c));
			k->addrs[k->naddrs++] = c.regs.ip;
			k->addrs[k->naddrs++] = c.regs.sp;
			k->addrs[k->naddrs++] = c.regs.fs_base;
		}
	}
	return true;
}

/* The scratch file mutants of @kind are made in, for this process. */
static bool scratch_init(int kind)
{
	struct kind *k = &kinds[kind];
	char path[64];

	k->sfd = image_file();
	if (k->sfd < 0 || ftruncate(k->sfd, k->cap))
		return false;
	k->buf = mmap(NULL, k->cap, PROT_READ | PROT_WRITE, MAP_SHARED,
		      k->sfd, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", k->sfd);
	k->rfd = open(path, O_RDONLY);
	if (k->buf == MAP_FAILED || k->rfd < 0)
		return false;
	memcpy(k->buf, k->img, k->size);
	k->dirty = k->size;
	k->flen = k->cap;
	return true;
}

/* Files for mutated paths to name. */
static char exe_path[256];
static char long_path[4200];

static const char *const path_list[] = {
	file_path, TMP "link", TMP "loop", TMP "fifo", TMP "secret",
	TMP "empty", TMP "dir/file", TMP "dir", TMP "big", "/tmp", "/",
	exe_path, "/bin/busybox", "/init", "/dev/zero", "/dev/null",
	"/dev/mem", "/dev/kmsg", "/dev/console", "/proc/self/mem",
	"/proc/self/maps", "/proc/self/exe", "/proc/self/fd/10",
	"/proc/self/fd/200", "/proc/self/cwd", "/proc/sys/vm/mmap_min_addr",
	"/sys/kernel/mm/transparent_hugepage/enabled", "/sys/kernel/pram",
	PRAM_DIR, PRAM_DIR "/restart_fuzz-m", "/nonexistent",
	"tmp/restart_fuzz-file", "", TMP "file/", "/tmp/../tmp/restart_fuzz-file",
	"/tmp/./restart_fuzz-file", "//tmp//restart_fuzz-file", long_path,
};

static bool make_file(const char *path, size_t pages, mode_t mode, uid_t uid)
{
	static unsigned char page[PS];
	size_t p, b;
	int fd;

	unlink(path);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, mode);
	if (fd < 0)
		return false;
	for (p = 0; p < pages; p++) {
		for (b = 0; b < PS; b++)
			page[b] = file_pat(p, b);
		if (write(fd, page, PS) != PS)
			return false;
	}
	if (fchmod(fd, mode) || fchown(fd, uid, uid))
		return false;
	close(fd);
	return true;
}

static struct stat file_st;

static void remove_targets(void)
{
	static const char *const names[] = {
		"file", "secret", "empty", "big", "link", "loop", "fifo",
		"dir/file",
	};
	char path[64];
	size_t i;

	for (i = 0; i < N(names); i++) {
		snprintf(path, sizeof(path), TMP "%s", names[i]);
		unlink(path);
	}
	rmdir(TMP "dir");
}

static bool make_targets(void)
{
	size_t n;
	ssize_t len;

	len = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);
	exe_path[len > 0 ? len : 0] = '\0';
	snprintf(long_path, sizeof(long_path), "/tmp");
	for (n = strlen(long_path); n + 3 < 4095; n += 2)
		strcat(long_path, "/.");
	remove_targets();
	/* Owned by nobody, so that the restored task may punch holes. */
	if (!make_file(file_path, FILE_PAGES, 0644, NOBODY) ||
	    !make_file(TMP "secret", 4, 0600, 0) ||
	    !make_file(TMP "empty", 0, 0644, 0) ||
	    !make_file(TMP "big", 64, 0755, 0) ||
	    symlink(file_path, TMP "link") || symlink(TMP "loop", TMP "loop") ||
	    mkfifo(TMP "fifo", 0666) || mkdir(TMP "dir", 0700) ||
	    !make_file(TMP "dir/file", 1, 0644, 0) ||
	    stat(file_path, &file_st))
		return false;
	file_mtime = file_st.st_mtim;
	return true;
}

/* Put the file kind's file back as its image recorded it. */
static void repair_file(void)
{
	static unsigned char page[PS];
	struct timespec ts[2] = { { 0, UTIME_OMIT }, file_st.st_mtim };
	struct stat st;
	size_t p, b;
	int fd;

	if (!stat(file_path, &st) && st.st_size == file_st.st_size &&
	    st.st_mtim.tv_sec == file_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == file_st.st_mtim.tv_nsec)
		return;
	fd = open(file_path, O_WRONLY);
	if (fd < 0)
		return;
	if (ftruncate(fd, FILE_PAGES * PS))
		LOG("cannot truncate %s", file_path);
	for (p = 0; p < FILE_PAGES; p++) {
		for (b = 0; b < PS; b++)
			page[b] = file_pat(p, b);
		if (pwrite(fd, page, PS, p * PS) != PS)
			LOG("cannot rewrite %s", file_path);
	}
	futimens(fd, ts);
	close(fd);
}

/* The mutator: a copy of an image and what was done to it. */

struct env {
	int rlimit;		/* a limit lowered for the restart, or -1 */
	uint64_t rlim;
	bool mdwe, thp_off, nolog, logfull, pipe;
	bool round_trip;	/* a restored task checkpoints itself, etc. */
	int sig, sig_us;	/* sent to the restarter, so long into it */
};

/* Record types 1 to CR_HDR_SIGPENDING have a slot each, then TAIL. */
#define NR_TSLOTS	(CR_HDR_SIGPENDING + 2)

struct mut {
	uint64_t rng;
	unsigned char *p;
	size_t len, cap;
	size_t dirty;		/* bytes before this are the image's own */
	struct rec recs[MAX_RECS];
	int nr;
	int tcount[NR_TSLOTS];	/* records by type, TAIL last */
	int kind;
	bool crc_bad;
	/*
	 * The batch (the how many'th PGARR record) whose digest sealing
	 * leaves as it is, or -1; and how to damage it once sealed, or 0.
	 */
	int keep_digest;
	int digest_bad;
	int want;		/* the errno restart must refuse it with, or 0 */
	struct env env;
	char desc[4096];
	size_t dlen;
};

static struct mut mt;
static unsigned char *tmpbuf;
static size_t tmpcap;

/* Scratch memory for the mutators, never more than a mutant's cap. */
static void *tmp_get(size_t n)
{
	if (n > tmpcap) {
		LOG("scratch memory of %zu bytes asked for, %zu there", n,
		    tmpcap);
		abort();
	}
	return tmpbuf;
}

static uint64_t rnd(struct mut *m)
{
	return splitmix(&m->rng);
}

static uint64_t below(struct mut *m, uint64_t n)
{
	return n ? rnd(m) % n : 0;
}

static bool chance(struct mut *m, int percent)
{
	return below(m, 100) < (uint64_t)percent;
}

static void dsc(struct mut *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->dlen >= sizeof(m->desc) - 2)
		return;
	if (m->dlen)
		m->dlen += snprintf(m->desc + m->dlen,
				    sizeof(m->desc) - m->dlen, "; ");
	va_start(ap, fmt);
	n = vsnprintf(m->desc + m->dlen, sizeof(m->desc) - m->dlen, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->dlen = m->dlen + n < sizeof(m->desc) ? m->dlen + n :
			  sizeof(m->desc) - 1;
}

static int tslot(uint32_t type)
{
	return type == CR_HDR_TAIL ? NR_TSLOTS - 1 :
	       type <= CR_HDR_SIGPENDING ? (int)type : 0;
}

static const char *tname(uint32_t type)
{
	static const char *const names[NR_TSLOTS] = {
		"?", "HEAD", "TASK", "CPU", "MM", "MM_CONTEXT", "VMA", "PGARR",
		"PAGES", "TREE", "SIGHAND", "SIGNAL", "SIGPENDING", "TAIL",
	};

	return names[tslot(type)];
}

static void reparse(struct mut *m)
{
	int i;

	m->nr = parse(m->p, m->len, m->recs, MAX_RECS);
	memset(m->tcount, 0, sizeof(m->tcount));
	for (i = 0; i < m->nr; i++)
		m->tcount[tslot(m->recs[i].type)]++;
}

static void mark(struct mut *m, size_t off)
{
	if (off < m->dirty)
		m->dirty = off;
}

static void mset(struct mut *m, size_t off, int size, uint64_t v)
{
	mark(m, off);
	memcpy(m->p + off, &v, size);
}

static uint64_t mget(struct mut *m, size_t off, int size)
{
	return off + size <= m->len ? getv(m->p + off, size) : 0;
}

/* Replace @oldlen bytes at @off by @newlen bytes of @src (NULL: zeros). */
static void msplice(struct mut *m, size_t off, size_t oldlen,
		    const void *src, size_t newlen)
{
	if (m->len - oldlen + newlen > m->cap) {
		dsc(m, "(not applied: too large)");
		return;
	}
	memmove(m->p + off + newlen, m->p + off + oldlen,
		m->len - off - oldlen);
	if (src)
		memcpy(m->p + off, src, newlen);
	else
		memset(m->p + off, 0, newlen);
	m->len = m->len - oldlen + newlen;
	mark(m, off);
}

/* A random record of @type (0: any), as an index, or -1. */
static int pick_rec(struct mut *m, uint32_t type)
{
	int n = type ? m->tcount[tslot(type)] : m->nr, i, k;

	if (!n)
		return -1;
	k = below(m, n);
	for (i = 0; i < m->nr; i++)
		if (!type || m->recs[i].type == type)
			if (!k--)
				return i;
	return -1;
}

static size_t rec_end(struct mut *m, int i)
{
	return m->recs[i].off + m->recs[i].len;
}

/* Value classes: how a field's interesting values are chosen. */
enum {
	V_ANY, V_ADDR, V_CODE, V_STACK, V_COUNT, V_FLAGS, V_SEL, V_RFLAGS,
	V_SIGMASK, V_HANDLER, V_SAFLAGS, V_SSFLAGS, V_SIZE, V_RSEQLEN,
	V_PGOFF, V_XFEAT, V_XSIZE, V_AX, V_SYSNR, V_VMATYPE, V_MAGIC,
	V_VERSION, V_PAGESZ, V_PAD, V_ID, V_NSEC, V_DEV, V_STR, V_BYTE,
	V_MXCSR, V_FCW, V_TID, V_OBJID, V_SIGNO, V_PERS, V_RLIM, V_SIGCODE,
};

struct field {
	uint32_t rtype;
	const char *name;
	uint16_t off;
	uint8_t size;
	uint8_t cls;
	uint8_t vc;
	uint8_t weight;
	uint16_t stride;
	int16_t count;		/* elements; -1: as many as the record holds */
	uint64_t known;		/* V_FLAGS, V_SAFLAGS: the defined bits */
};

/*
 * Field @m of struct cr_hdr_@st, @sz bytes wide: the widths are the
 * image format's, pinned by <linux/ckpt_hdr.h> as ABI (and checked below).
 */
#define FLD(rt, st, m, sz, cl, v, w, k)					\
	{ rt, #m, offsetof(struct cr_hdr_##st, m), sz, cl, v, w, 0, 1, k }
#define ARR(rt, st, m, sz, nm, n, strd, cl, v, w, k)			\
	{ rt, nm, offsetof(struct cr_hdr_##st, m), sz, cl, v, w, strd, n, k }
#define REG(m, cl, v, w)	FLD(CR_HDR_CPU, cpu, regs.m, 8, cl, v, w, 0)
#define XS(nm, at, sz, v, w, strd, n)					\
	{ CR_HDR_CPU, nm, CPU_AREA + (at), sz, C_XSTATE, v, w, strd, n, 0 }

#define SA_KNOWN	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO |	\
			 SA_ONSTACK | SA_RESTART | SA_NODEFER |		\
			 SA_RESETHAND | SA_RESTORER | 0x800)
#define SS_KNOWN	(SS_ONSTACK | SS_DISABLE | SS_AUTODISARM)
/* The 4 bytes the compiler leaves between gid[] and blocked */
#define TASK_HOLE	(offsetof(struct cr_hdr_task, gid) + 16)
/* struct cr_siginfo: the entries after a SIGPENDING record's struct */
#define SIGINFO(nm, m, sz, v, w)					\
	{ CR_HDR_SIGPENDING, "siginfo." nm,				\
	  sizeof(struct cr_hdr_sigpending) + offsetof(struct cr_siginfo, m), \
	  sz, C_PENDING, v, w, sizeof(struct cr_siginfo), -1, 0 }

static const struct field fields[] = {
	FLD(CR_HDR_HEAD, head, magic, 8, C_HEAD, V_MAGIC, 1, 0),
	FLD(CR_HDR_HEAD, head, version, 4, C_HEAD, V_VERSION, 2, 0),
	FLD(CR_HDR_HEAD, head, arch, 4, C_HEAD, V_VERSION, 1, 0),
	FLD(CR_HDR_HEAD, head, page_size, 4, C_HEAD, V_PAGESZ, 1, 0),
	FLD(CR_HDR_HEAD, head, flags, 4, C_HEAD, V_FLAGS, 2,
	    CR_HEAD_FLAGS),
	FLD(CR_HDR_HEAD, head, id, 8, C_HEAD, V_ANY, 1, 0),
	FLD(CR_HDR_HEAD, head, time, 8, C_HEAD, V_ANY, 1, 0),
	FLD(CR_HDR_HEAD, head, release, 64, C_HEAD, V_STR, 1, 0),

	FLD(CR_HDR_TREE, tree, nr_tasks, 4, C_TREE, V_COUNT, 2, 0),
	FLD(CR_HDR_TREE, tree, nr_procs, 4, C_TREE, V_COUNT, 2, 0),

	FLD(CR_HDR_TASK, task, comm, 16, C_TASK, V_STR, 1, 0),
	FLD(CR_HDR_TASK, task, tid, 4, C_TREE, V_TID, 2, 0),
	FLD(CR_HDR_TASK, task, tgid, 4, C_TREE, V_TID, 2, 0),
	FLD(CR_HDR_TASK, task, ptid, 4, C_TREE, V_TID, 2, 0),
	FLD(CR_HDR_TASK, task, pgid, 4, C_TREE, V_TID, 1, 0),
	FLD(CR_HDR_TASK, task, sid, 4, C_TREE, V_TID, 1, 0),
	FLD(CR_HDR_TASK, task, exit_signal, 4, C_TREE, V_SIGNO, 2, 0),
	FLD(CR_HDR_TASK, task, pdeath_signal, 4, C_TASK, V_SIGNO, 2, 0),
	FLD(CR_HDR_TASK, task, mm_id, 4, C_TREE, V_OBJID, 2, 0),
	FLD(CR_HDR_TASK, task, sighand_id, 4, C_TREE, V_OBJID, 2, 0),
	FLD(CR_HDR_TASK, task, signal_id, 4, C_TREE, V_OBJID, 2, 0),
	FLD(CR_HDR_TASK, task, personality, 4, C_TASK, V_PERS, 2, 0),
	ARR(CR_HDR_TASK, task, uid[0], 4, "uid", 4, 4, C_TASK, V_ID, 1, 0),
	ARR(CR_HDR_TASK, task, gid[0], 4, "gid", 4, 4, C_TASK, V_ID, 1, 0),
	{ CR_HDR_TASK, "hole", TASK_HOLE, 4, C_TASK, V_PAD, 1, 0, 1, 0 },
	FLD(CR_HDR_TASK, task, blocked, 8, C_SIG, V_SIGMASK, 3, 0),
	FLD(CR_HDR_TASK, task, altstack_sp, 8, C_ALTSTACK, V_ADDR, 2, 0),
	FLD(CR_HDR_TASK, task, altstack_size, 8, C_ALTSTACK, V_SIZE, 2, 0),
	FLD(CR_HDR_TASK, task, altstack_flags, 4, C_ALTSTACK, V_SSFLAGS, 2,
	    SS_KNOWN),
	FLD(CR_HDR_TASK, task, rseq_len, 4, C_RSEQ, V_RSEQLEN, 2, 0),
	FLD(CR_HDR_TASK, task, rseq, 8, C_RSEQ, V_ADDR, 2, 0),
	FLD(CR_HDR_TASK, task, rseq_sig, 4, C_RSEQ, V_ANY, 1, 0),
	FLD(CR_HDR_TASK, task, nr_pending, 4, C_PENDING, V_COUNT, 2, 0),
	FLD(CR_HDR_TASK, task, robust_list, 8, C_FUTEX, V_ADDR, 2, 0),
	FLD(CR_HDR_TASK, task, clear_child_tid, 8, C_FUTEX, V_ADDR, 2, 0),

	FLD(CR_HDR_SIGHAND, sighand, id, 4, C_TREE, V_OBJID, 2, 0),
	FLD(CR_HDR_SIGHAND, sighand, pad, 4, C_SIG, V_PAD, 1, 0),
	ARR(CR_HDR_SIGHAND, sighand, action[0].handler, 8, "action.handler",
	    CR_NSIG, 32, C_SIG, V_HANDLER, 4, 0),
	ARR(CR_HDR_SIGHAND, sighand, action[0].flags, 8, "action.flags",
	    CR_NSIG, 32, C_SIG, V_SAFLAGS, 4, SA_KNOWN),
	ARR(CR_HDR_SIGHAND, sighand, action[0].restorer, 8,
	    "action.restorer", CR_NSIG, 32, C_SIG, V_HANDLER, 2, 0),
	ARR(CR_HDR_SIGHAND, sighand, action[0].mask, 8, "action.mask",
	    CR_NSIG, 32, C_SIG, V_SIGMASK, 2, 0),

	FLD(CR_HDR_SIGNAL, signal, id, 4, C_TREE, V_OBJID, 2, 0),
	FLD(CR_HDR_SIGNAL, signal, flags, 4, C_PROC, V_FLAGS, 2,
	    CR_SIGNAL_FLAGS),
	FLD(CR_HDR_SIGNAL, signal, umask, 4, C_PROC, V_FLAGS, 2, 0777),
	FLD(CR_HDR_SIGNAL, signal, nr_pending, 4, C_PENDING, V_COUNT, 2, 0),
	ARR(CR_HDR_SIGNAL, signal, rlim[0].cur, 8, "rlim.cur", CR_NRLIMIT, 16,
	    C_PROC, V_RLIM, 3, 0),
	ARR(CR_HDR_SIGNAL, signal, rlim[0].max, 8, "rlim.max", CR_NRLIMIT, 16,
	    C_PROC, V_RLIM, 3, 0),

	FLD(CR_HDR_SIGPENDING, sigpending, shared, 4, C_PENDING, V_COUNT, 2,
	    0),
	FLD(CR_HDR_SIGPENDING, sigpending, nr, 4, C_PENDING, V_COUNT, 2, 0),
	SIGINFO("signo", signo, 4, V_SIGNO, 3),
	SIGINFO("errno", err, 4, V_ANY, 1),
	SIGINFO("code", code, 4, V_SIGCODE, 2),
	SIGINFO("pad", pad, 4, V_PAD, 1),
	SIGINFO("fields", fields[0], 8, V_ANY, 2),
	SIGINFO("beyond", fields[4], 8, V_ANY, 1),

	REG(r15, C_REGS, V_ANY, 1), REG(r14, C_REGS, V_ANY, 1),
	REG(r13, C_REGS, V_ANY, 1), REG(r12, C_REGS, V_ANY, 1),
	REG(bp, C_REGS, V_STACK, 1), REG(bx, C_REGS, V_ANY, 1),
	REG(r11, C_REGS, V_RFLAGS, 1), REG(r10, C_REGS, V_ANY, 1),
	REG(r9, C_REGS, V_ANY, 1), REG(r8, C_REGS, V_ANY, 1),
	REG(ax, C_REGS, V_AX, 3), REG(cx, C_REGS, V_CODE, 1),
	REG(dx, C_REGS, V_ANY, 1), REG(si, C_REGS, V_ADDR, 1),
	REG(di, C_REGS, V_ANY, 1), REG(orig_ax, C_REGS, V_SYSNR, 3),
	REG(ip, C_REGS, V_CODE, 4), REG(cs, C_SEL, V_SEL, 3),
	REG(flags, C_REGS, V_RFLAGS, 4), REG(sp, C_REGS, V_STACK, 3),
	REG(ss, C_SEL, V_SEL, 3), REG(fs_base, C_FSGS, V_ADDR, 4),
	REG(gs_base, C_FSGS, V_ADDR, 4), REG(ds, C_SEL, V_SEL, 2),
	REG(es, C_SEL, V_SEL, 2), REG(fs, C_SEL, V_SEL, 2),
	REG(gs, C_SEL, V_SEL, 2),
	FLD(CR_HDR_CPU, cpu, xstate_size, 4, C_XSTATE, V_XSIZE, 2, 0),
	FLD(CR_HDR_CPU, cpu, pad, 4, C_REGS, V_PAD, 1, 0),
	FLD(CR_HDR_CPU, cpu, xfeatures, 8, C_XSTATE, V_XFEAT, 3, 0),
	XS("fxsave.fcw", 0, 2, V_FCW, 1, 0, 1),
	XS("fxsave.ftw", 4, 1, V_BYTE, 1, 0, 1),
	XS("fxsave.mxcsr", 24, 4, V_MXCSR, 3, 0, 1),
	XS("fxsave.mxcsr_mask", 28, 4, V_MXCSR, 2, 0, 1),
	XS("xsave.xfeatures", XSAVE_HDR, 8, V_XFEAT, 4, 0, 1),
	XS("xsave.xcomp_bv", XSAVE_HDR + 8, 8, V_XFEAT, 3, 0, 1),
	XS("xsave.reserved", XSAVE_HDR + 16, 8, V_ANY, 2, 8, 6),
	XS("xsave.byte", 0, 1, V_BYTE, 2, 1, -1),

	FLD(CR_HDR_MM, mm, start_code, 8, C_MM, V_ADDR, 1, 0),
	FLD(CR_HDR_MM, mm, end_code, 8, C_MM, V_ADDR, 1, 0),
	FLD(CR_HDR_MM, mm, start_data, 8, C_MM, V_ADDR, 1, 0),
	FLD(CR_HDR_MM, mm, end_data, 8, C_MM, V_ADDR, 1, 0),
	FLD(CR_HDR_MM, mm, start_brk, 8, C_MM, V_ADDR, 1, 0),
	FLD(CR_HDR_MM, mm, brk, 8, C_MM, V_ADDR, 2, 0),
	FLD(CR_HDR_MM, mm, start_stack, 8, C_MM, V_ADDR, 1, 0),
	FLD(CR_HDR_MM, mm, arg_start, 8, C_MM, V_ADDR, 1, 0),
	FLD(CR_HDR_MM, mm, arg_end, 8, C_MM, V_ADDR, 1, 0),
	FLD(CR_HDR_MM, mm, env_start, 8, C_MM, V_ADDR, 1, 0),
	FLD(CR_HDR_MM, mm, env_end, 8, C_MM, V_ADDR, 1, 0),
	FLD(CR_HDR_MM, mm, flags, 4, C_MMFLAGS, V_FLAGS, 3, CR_MM_FLAGS),
	FLD(CR_HDR_MM, mm, dump_filter, 4, C_MMFLAGS, V_FLAGS, 2,
	    CR_MM_DUMP_FILTER),
	FLD(CR_HDR_MM, mm, map_count, 4, C_MM, V_COUNT, 3, 0),
	FLD(CR_HDR_MM, mm, id, 4, C_TREE, V_OBJID, 2, 0),

	FLD(CR_HDR_MM_CONTEXT, mm_context, nr_ldt, 4, C_LDT, V_COUNT, 2, 0),
	FLD(CR_HDR_MM_CONTEXT, mm_context, pad, 4, C_LDT, V_PAD, 1, 0),
	{ CR_HDR_MM_CONTEXT, "ldt", sizeof(struct cr_hdr_mm_context), 8,
	  C_LDT, V_ANY, 1, 8, -1, 0 },

	FLD(CR_HDR_VMA, vma, start, 8, C_VMA, V_ADDR, 4, 0),
	FLD(CR_HDR_VMA, vma, end, 8, C_VMA, V_ADDR, 4, 0),
	FLD(CR_HDR_VMA, vma, pgoff, 8, C_PGOFF, V_PGOFF, 4, 0),
	FLD(CR_HDR_VMA, vma, type, 4, C_VMA, V_VMATYPE, 3, 0),
	FLD(CR_HDR_VMA, vma, prot, 4, C_VMA, V_FLAGS, 3, CR_PROT_ALL),
	FLD(CR_HDR_VMA, vma, flags, 4, C_VMA, V_FLAGS, 3, CR_VMA_FLAGS),
	FLD(CR_HDR_VMA, vma, path_len, 4, C_PATH, V_COUNT, 2, 0),
	FLD(CR_HDR_VMA, vma, dev, 8, C_IDENT, V_DEV, 1, 0),
	FLD(CR_HDR_VMA, vma, ino, 8, C_IDENT, V_ANY, 1, 0),
	FLD(CR_HDR_VMA, vma, size, 8, C_IDENT, V_SIZE, 1, 0),
	FLD(CR_HDR_VMA, vma, mtime_sec, 8, C_IDENT, V_ANY, 1, 0),
	FLD(CR_HDR_VMA, vma, mtime_nsec, 4, C_IDENT, V_NSEC, 1, 0),
	FLD(CR_HDR_VMA, vma, object, 4, C_VMA, V_PAD, 1, 0),
	{ CR_HDR_VMA, "path[]", sizeof(struct cr_hdr_vma), 1, C_PATH, V_BYTE,
	  1, 1, -1, 0 },

	FLD(CR_HDR_PGARR, pgarr, nr_pages, 4, C_PAGES, V_COUNT, 3, 0),
	FLD(CR_HDR_PGARR, pgarr, flags, 4, C_PAGES, V_FLAGS, 2,
	    CR_PAGES_FLAGS),
	FLD(CR_HDR_PGARR, pgarr, first, 8, C_PAGES, V_ADDR, 3, 0),
	FLD(CR_HDR_PGARR, pgarr, last, 8, C_PAGES, V_ADDR, 3, 0),
	FLD(CR_HDR_PGARR, pgarr, digest, 8, C_DIGEST, V_ANY, 2, 0),
	{ CR_HDR_PGARR, "addr", sizeof(struct cr_hdr_pgarr), 8, C_PAGES,
	  V_ADDR, 4, 8, -1, 0 },
	FLD(CR_HDR_PAGES, pages, nr_pages, 4, C_PAGES, V_COUNT, 2, 0),
	FLD(CR_HDR_PAGES, pages, flags, 4, C_PAGES, V_FLAGS, 2,
	    CR_PAGES_FLAGS),

	FLD(CR_HDR_TAIL, tail, magic, 8, C_HDR, V_MAGIC, 1, 0),
	FLD(CR_HDR_TAIL, tail, pad, 4, C_HDR, V_PAD, 1, 0),
};

static size_t rec_size(uint32_t type)
{
	switch (type) {
	case CR_HDR_HEAD:
		return sizeof(struct cr_hdr_head);
	case CR_HDR_TASK:
		return sizeof(struct cr_hdr_task);
	case CR_HDR_TREE:
		return sizeof(struct cr_hdr_tree);
	case CR_HDR_SIGHAND:
		return sizeof(struct cr_hdr_sighand);
	case CR_HDR_SIGNAL:
		return sizeof(struct cr_hdr_signal);
	case CR_HDR_SIGPENDING:
		return sizeof(struct cr_hdr_sigpending);
	case CR_HDR_CPU:
		return sizeof(struct cr_hdr_cpu);
	case CR_HDR_MM:
		return sizeof(struct cr_hdr_mm);
	case CR_HDR_MM_CONTEXT:
		return sizeof(struct cr_hdr_mm_context);
	case CR_HDR_VMA:
		return sizeof(struct cr_hdr_vma);
	case CR_HDR_PGARR:
		return sizeof(struct cr_hdr_pgarr);
	case CR_HDR_PAGES:
		return sizeof(struct cr_hdr_pages);
	default:
		return sizeof(struct cr_hdr_tail);
	}
}

/*
 * The field widths in the table are written out: check that within its
 * struct no field runs into another or out of the struct, which a wrong
 * width would. Returns the first field at fault, or NULL.
 */
static const char *check_fields(void)
{
	static unsigned char owner[2304];
	const struct field *f;
	size_t i, j, k, size;
	uint32_t t;

	for (t = CR_HDR_HEAD; t <= CR_HDR_TAIL; t++) {
		memset(owner, 0, sizeof(owner));
		size = rec_size(t);
		for (i = 0; i < N(fields); i++) {
			f = &fields[i];
			if (f->rtype != t || f->count < 0 || f->off >= size)
				continue;
			for (k = 0; k < (size_t)f->count; k++)
				for (j = 0; j < f->size; j++) {
					size_t at = f->off + k * f->stride + j;

					if (at >= size || owner[at])
						return f->name;
					owner[at] = 1;
				}
		}
	}
	return NULL;
}

static uint64_t from(struct mut *m, const uint64_t *vals, size_t n)
{
	return vals[below(m, n)];
}

static const uint64_t v_addr[] = {
	0, 1, PS - 1, PS, PS + 1, 0x10000 - PS, 0x10000, 0x10000 + PS,
	USER_END - PS, USER_END - 1, USER_END, USER_END + 1, USER_END + PS,
	1ULL << 47, (1ULL << 47) - 1, (1ULL << 47) + 1, (1ULL << 47) - PS,
	(1ULL << 56) - PS, 1ULL << 56, 1ULL << 63, 0xffff800000000000ULL,
	KERNEL_ADDR, 0xffffffff81000000ULL, VSYSCALL_ADDR, ~0ULL, -PS,
};

static const uint64_t v_count[] = {
	0, 1, 2, 7, 8, 511, 512, 513, 4096, 8191, 8192, 8193, 65530, 65531,
	0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff, 0x100000000ULL, ~0ULL,
};

static const uint64_t v_sel[] = {
	0, 3, 0x2b, 0x33, 0x23, 0x10, 0x18, 0x8, 0x7, 0xf, 0x2f, 0x2b | 4,
	0xffff, 0x10033, 0x1002b, 0x63, 0x53, 0x2b | 0x10000000000ULL,
};

static const uint64_t v_sysnr[] = {
	-1ULL, 0, 1, 15, 35, 39, 57, 59, 60, 62, 230, 231, 334, 435, 463, 464,
	512, 0x40000000 | 39, 1000, 0x7fffffff, -2ULL,
};

static const uint64_t v_ax[] = {
	0, -1ULL, -4ULL, -11ULL, -512ULL, -513ULL, -514ULL, -516ULL, -517ULL,
	1, 0x7fffffffffffffffULL,
};

static const uint64_t v_xsize[] = {
	0, 8, 504, 512, 520, 576, 832, 1080, 1088, 1096, 2696, 4096, 8192,
	HBUF_SIZE - CPU_AREA, HBUF_SIZE, 0xfffffff8,
};

static const uint64_t v_mxcsr[] = {
	0x1f80, 0xffff, 0x10000, 0xffffffff, 0x1fc0, 0x9f80, 0, 0xffbf,
};

static const uint64_t v_saflags_unknown[] = {
	0x8, 0x10, 0x100, 0x200, 0x400, 0x1000, 0x02000000, 0x20000000,
	1ULL << 32, 1ULL << 63,
};

static const uint64_t v_size[] = {
	0, 1, 2047, 2048, 2049, 8192, PS, 1 << 20, ~0ULL, 1ULL << 63,
	USER_END, USER_END + 1,
};

static const uint64_t v_pgoff[] = {
	0, 1, FILE_PAGES - 1, FILE_PAGES, FILE_PAGES + 1, 1ULL << 32,
	1ULL << 40, (1ULL << 52) - 1, 1ULL << 52, (~0ULL >> 12) - 1,
	~0ULL >> 12, ~0ULL - 1, ~0ULL, 1ULL << 63,
};

/* An address this image holds, or one of the boundaries, nearby. */
static uint64_t some_addr(struct mut *m)
{
	struct kind *k = &kinds[m->kind];
	static const int64_t near[] = { 0, 0, PS, -(int64_t)PS, 1, -1 };

	if (k->naddrs && chance(m, 35))
		return k->addrs[below(m, k->naddrs)] + near[below(m, N(near))];
	return from(m, v_addr, N(v_addr));
}

static uint64_t interesting(struct mut *m, const struct field *f,
			    uint64_t old, size_t roff)
{
	struct kind *k = &kinds[m->kind];
	uint64_t v, npages;

	switch (f->vc) {
	case V_ADDR:
		return some_addr(m);
	case V_CODE:
		if (k->code_end && chance(m, 40))
			return k->code_start + below(m, k->code_end - k->code_start);
		if (chance(m, 30))
			return old + (int64_t)below(m, 9) - 4;
		return some_addr(m);
	case V_STACK:
		if (chance(m, 50)) {
			static const int64_t d[] = {
				8, -8, 16, -16, 128, -128, PS, -(int64_t)PS,
				1 << 20, -(1 << 20), 1, 7,
			};

			return old + d[below(m, N(d))];
		}
		return some_addr(m);
	case V_COUNT:
		if (chance(m, 30))
			return old + (int64_t)below(m, 5) - 2;
		if (chance(m, 10))
			return old * 2;
		return from(m, v_count, N(v_count));
	case V_FLAGS:
	case V_SAFLAGS:
		switch (below(m, 6)) {
		case 0:
			return 0;
		case 1:
			return f->known;
		case 2:
			/* a defined bit flipped */
			v = f->known;
			if (!v)
				return ~old;
			do {
				v = 1ULL << below(m, 64);
			} while (!(v & f->known));
			return old ^ v;
		case 3:
			/* an undefined bit set */
			if (f->vc == V_SAFLAGS)
				return old | from(m, v_saflags_unknown,
						  N(v_saflags_unknown));
			v = f->known + 1;
			return old | (chance(m, 50) ? v & -v :
				      1ULL << (f->size * 8 - 1));
		case 4:
			return ~0ULL;
		default:
			return old | (rnd(m) & f->known);
		}
	case V_SEL:
		return from(m, v_sel, N(v_sel));
	case V_RFLAGS: {
		static const uint64_t bits[] = {
			0x100, 0x200, 0x400, 0x4000, 0x3000, 0x1000, 0x10000,
			0x20000, 0x40000, 0x80000, 0x100000, 0x200000, 0x2,
			0x8, 0x20, 1ULL << 22, 1ULL << 63,
		};

		if (chance(m, 20))
			return from(m, (const uint64_t []){ 0, 2, 0x202, ~0ULL,
				    0x3ff7fd7 }, 5);
		return old ^ bits[below(m, N(bits))];
	}
	case V_SIGMASK: {
		static const uint64_t vals[] = {
			0, ~0ULL, 1 << 8, 1 << 18, (1 << 8) | (1 << 18),
			0xffffffff00000000ULL, ~((1ULL << 8) | (1ULL << 18)),
			1ULL << 63, 1ULL << 31, 1ULL << 32,
		};

		v = from(m, vals, N(vals));
		return chance(m, 40) ? old | v : v;
	}
	case V_HANDLER:
		if (k->code_end && chance(m, 25))
			return k->code_start + below(m, k->code_end - k->code_start);
		return from(m, (const uint64_t []){ 0, 1, 2, 3, ~0ULL,
			    USER_END - 1, USER_END, USER_END + 1, KERNEL_ADDR,
			    VSYSCALL_ADDR, 1ULL << 47 }, 11);
	case V_SSFLAGS:
		return from(m, (const uint64_t []){ 0, 1, 2, 3, 4, 0x80000000,
			    0x80000001, 0x80000002, 0x40000000, ~0ULL }, 10);
	case V_SIZE:
		if (chance(m, 20))
			return old + (int64_t)below(m, 3) - 1;
		return from(m, v_size, N(v_size));
	case V_RSEQLEN:
		return from(m, (const uint64_t []){ 0, 1, 20, 31, 32, 33, 64,
			    PS, PS + 1, 0xffffffff }, 10);
	case V_PGOFF:
		npages = (mget(m, roff + offsetof(struct cr_hdr_vma, end), 8) -
			  mget(m, roff + offsetof(struct cr_hdr_vma, start), 8)) /
			 PS;
		switch (below(m, 4)) {
		case 0:
			/* the last page's offset wraps */
			return (~0ULL >> 12) - npages + 2 + below(m, 2);
		case 1:
			return -npages + below(m, 3);
		case 2:
			return old + (int64_t)below(m, 5) - 2;
		default:
			return from(m, v_pgoff, N(v_pgoff));
		}
	case V_XFEAT: {
		static const int bits[] = {
			0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 17, 18, 19,
			62, 63,
		};

		switch (below(m, 4)) {
		case 0:
			return old | 1ULL << bits[below(m, N(bits))];
		case 1:
			return old & ~(1ULL << bits[below(m, N(bits))]);
		default:
			return from(m, (const uint64_t []){ 0, 1, 2, 3, 7, 0x1f,
				    0xff, 0x60000, ~0ULL, 1ULL << 63, 0x2ff },
				    11);
		}
	}
	case V_XSIZE:
		if (chance(m, 30))
			return old + from(m, (const uint64_t []){ 8, -8ULL, 64,
					  -64ULL, 1, 4 }, 6);
		return from(m, v_xsize, N(v_xsize));
	case V_AX:
		return from(m, v_ax, N(v_ax));
	case V_SYSNR:
		return from(m, v_sysnr, N(v_sysnr));
	case V_VMATYPE:
		return from(m, (const uint64_t []){ 0, 1, 2, 3, 4, 5, 127,
			    ~0ULL }, 8);
	case V_MAGIC:
		return from(m, (const uint64_t []){ 0, CR_IMAGE_MAGIC ^ 1,
			    CR_IMAGE_MAGIC ^ (1ULL << 56), ~0ULL,
			    __builtin_bswap64(CR_IMAGE_MAGIC) }, 5);
	case V_VERSION:
		return from(m, (const uint64_t []){ 0, 1, 2, 3, 4, 0x100,
			    ~0ULL, 0x80000003 }, 8);
	case V_PAGESZ:
		return from(m, (const uint64_t []){ 0, 4095, 4096, 4097, 8192,
			    65536, 2 << 20, ~0ULL }, 8);
	case V_PAD:
		return from(m, (const uint64_t []){ 1, 0x80, 0x80000000,
			    ~0ULL }, 4);
	case V_ID:
		return from(m, (const uint64_t []){ 0, NOBODY, 1000, ~0ULL },
			    4);
	case V_NSEC:
		return from(m, (const uint64_t []){ old + 1, old - 1, 0,
			    999999999, 1000000000, ~0ULL }, 6);
	case V_DEV:
		return from(m, (const uint64_t []){ 0, old + 1, old ^ 1 << 20,
			    old ^ 0xfff00, ~0ULL }, 5);
	case V_BYTE:
		return from(m, (const uint64_t []){ 0, 0xff, 0x80, rnd(m) },
			    4);
	case V_MXCSR:
		return from(m, v_mxcsr, N(v_mxcsr));
	case V_FCW:
		return from(m, (const uint64_t []){ 0x37f, 0, 0xffff, 0x27f,
			    0x1040 }, 5);
	case V_TID:
		/* nearby, 0, negative, init, pid_max and beyond */
		if (chance(m, 30))
			return old + (int64_t)below(m, 5) - 2;
		return from(m, (const uint64_t []){ 0, 1, 2, -1ULL, 0x80000000,
			    0x7fffffff, 32768, 4194304, 4194305 }, 9);
	case V_OBJID:
		/* the next id, one seen already, one skipped, none */
		return from(m, (const uint64_t []){ 0, 1, 2, 3, old + 1,
			    old - 1, 0x7fffffff, 0xffffffff }, 8);
	case V_SIGNO:
		return from(m, (const uint64_t []){ -1ULL, 0, 1, SIGKILL,
			    SIGSTOP, SIGCHLD, SIGUSR1, 31, 32, 33, 34, 64, 65,
			    128, 0x7fffffff, 0x80000000 }, 16);
	case V_PERS:
		return from(m, (const uint64_t []){ 0, 0xffffffff, 0x0008,
			    0x0040000, 0x0400000, 0x0800000, 0x4000000,
			    0x8000000, 0x0100000, 0x00ff, old | 0x0400000,
			    old ^ 0x0040000 }, 12);
	case V_RLIM:
		/* infinity, 0, just around the caller's and the image's own */
		switch (below(m, 4)) {
		case 0:
			return old + (int64_t)below(m, 3) - 1;
		case 1:
			return old * 2;
		default:
			return from(m, (const uint64_t []){ 0, 1, ~0ULL,
				    ~0ULL - 1, 1024, 1048576, 1048577,
				    1ULL << 63, 16, 64 << 20 }, 10);
		}
	case V_SIGCODE:
		/* SI_USER, SI_KERNEL, SI_QUEUE, SI_TKILL, SI_ASYNCIO, ... */
		return from(m, (const uint64_t []){ 0, 0x80, -1ULL, -6ULL,
			    -4ULL, -60ULL, 1, 2, 6, 0x7fffffff,
			    0x80000000 }, 11);
	default:
		return from(m, (const uint64_t []){ 0, 1, ~0ULL,
			    0x7fffffffffffffffULL, 1ULL << 63, old + 1, old - 1,
			    some_addr(m) }, 8);
	}
}

static uint64_t gen(struct mut *m, const struct field *f, uint64_t old,
		    size_t roff)
{
	int bits = f->size * 8;
	uint64_t mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
	uint64_t v = old;
	int tries;

	for (tries = 0; tries < 8 && ((v ^ old) & mask) == 0; tries++) {
		switch (below(m, 10)) {
		case 0:
			v = rnd(m);
			break;
		case 1:
			v = old ^ 1ULL << below(m, bits);
			break;
		case 2:
			v = old + (f->vc == V_ADDR || f->vc == V_STACK ?
				   (chance(m, 50) ? PS : -PS) :
				   (chance(m, 50) ? 1 : -1ULL));
			break;
		default:
			v = interesting(m, f, old, roff);
			break;
		}
	}
	if (((v ^ old) & mask) == 0)
		v = old ^ 1;
	return v & mask;
}

static bool mut_str(struct mut *m, const struct field *f, int ri, size_t off)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";
	static const char *const how[] = {
		"unterminated", "garbage after the NUL", "empty", "all 0xff",
		"control characters",
	};
	unsigned char s[64];
	size_t n = f->size, i;
	int k = below(m, N(how));

	memcpy(s, m->p + off, n);
	for (i = 0; i < n; i++) {
		switch (k) {
		case 0:
		case 1:
			s[i] = alpha[below(m, sizeof(alpha) - 1)];
			break;
		case 2:
			s[i] = 0;
			break;
		case 3:
			s[i] = 0xff;
			break;
		default:
			if (i < 4)
				s[i] = 1 + below(m, 31);
			break;
		}
	}
	if (k == 1)
		s[below(m, n)] = 0;
	memcpy(m->p + off, s, n);
	mark(m, off);
	dsc(m, "%s[%d]@%zu.%s: %s", tname(m->recs[ri].type), ri,
	    m->recs[ri].off, f->name, how[k]);
	return true;
}

/* Which PGARR record @ri is, from 0: the number of its batch. */
static int batch_no(struct mut *m, int ri)
{
	int i, k = 0;

	for (i = 0; i < ri; i++)
		k += m->recs[i].type == CR_HDR_PGARR;
	return k;
}

/* Change one field of one record, as the field table says how. */
static bool mut_field(struct mut *m)
{
	const struct field *f = NULL;
	int total = 0, r, i, ri, count, idx;
	uint64_t old, v;
	size_t off;

	for (i = 0; i < (int)N(fields); i++)
		if (!(opt.off & 1U << fields[i].cls) &&
		    m->tcount[tslot(fields[i].rtype)])
			total += fields[i].weight;
	if (!total)
		return false;
	r = below(m, total);
	for (i = 0; i < (int)N(fields); i++) {
		if ((opt.off & 1U << fields[i].cls) ||
		    !m->tcount[tslot(fields[i].rtype)])
			continue;
		r -= fields[i].weight;
		if (r < 0) {
			f = &fields[i];
			break;
		}
	}
	ri = pick_rec(m, f->rtype);
	if (ri < 0)
		return false;
	count = f->count;
	if (count < 0)
		count = ((int)m->recs[ri].len - f->off) / f->stride;
	if (count <= 0)
		return false;
	idx = below(m, count);
	/* SIGKILL and SIGSTOP, whose actions are fixed, more often */
	if (count == CR_NSIG && chance(m, 20))
		idx = chance(m, 50) ? SIGKILL - 1 : SIGSTOP - 1;
	off = m->recs[ri].off + f->off + (size_t)idx * f->stride;
	if (off + f->size > rec_end(m, ri))
		return false;
	if (f->vc == V_STR)
		return mut_str(m, f, ri, off);
	old = getv(m->p + off, f->size);
	v = gen(m, f, old, m->recs[ri].off);
	mset(m, off, f->size, v);
	/* A digest changed stays so: restart must find the batch damaged. */
	if (f->rtype == CR_HDR_PGARR &&
	    f->off == offsetof(struct cr_hdr_pgarr, digest)) {
		m->keep_digest = batch_no(m, ri);
		m->want = EBADMSG;
	}
	if (f->count == 1)
		dsc(m, "%s[%d]@%zu.%s %#llx->%#llx", tname(m->recs[ri].type), ri,
		    m->recs[ri].off, f->name, (unsigned long long)old,
		    (unsigned long long)v);
	else
		dsc(m, "%s[%d]@%zu.%s[%d] %#llx->%#llx",
		    tname(m->recs[ri].type), ri, m->recs[ri].off, f->name, idx,
		    (unsigned long long)old, (unsigned long long)v);
	return true;
}

static const uint64_t v_types[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 126, 127, 128, 255,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100 | 6, 0x100 | 12,
};

static bool mut_rec_type(struct mut *m)
{
	int ri = pick_rec(m, 0);
	uint32_t old, v;

	if (ri < 0)
		return false;
	old = m->recs[ri].type;
	do {
		v = from(m, v_types, N(v_types));
	} while (v == old);
	mset(m, m->recs[ri].off, 4, v);
	dsc(m, "%s[%d]@%zu: record type %u->%u", tname(old), ri,
	    m->recs[ri].off, old, v);
	return true;
}

static bool mut_rec_len(struct mut *m)
{
	int ri = pick_rec(m, 0);
	uint32_t old, v;

	if (ri < 0)
		return false;
	old = m->recs[ri].len;
	v = from(m, (const uint64_t []){ 0, 4, 7, old - 8, old - 1, old + 1,
		 old + 8, old * 2, 0xfffffff8, 0xffffffff, HBUF_SIZE,
		 HBUF_SIZE + 8, 64 << 20, 1 << 20, 8, old + 4096 }, 16);
	if (v == old)
		v += 8;
	mset(m, m->recs[ri].off + 4, 4, v);
	dsc(m, "%s[%d]@%zu: record length %u->%u", tname(m->recs[ri].type), ri,
	    m->recs[ri].off, old, v);
	return true;
}

static bool mut_drop(struct mut *m)
{
	int ri = pick_rec(m, 0);

	if (ri < 0 || m->nr < 2)
		return false;
	dsc(m, "%s[%d]@%zu dropped", tname(m->recs[ri].type), ri,
	    m->recs[ri].off);
	msplice(m, m->recs[ri].off, m->recs[ri].len, NULL, 0);
	return true;
}

/* Insert a copy of record @ri at the start of record @at (nr: the end). */
static void copy_rec(struct mut *m, int ri, int at)
{
	size_t len = m->recs[ri].len;
	unsigned char *t = tmp_get(len);
	size_t where = at < m->nr ? m->recs[at].off : rec_end(m, m->nr - 1);

	memcpy(t, m->p + m->recs[ri].off, len);
	msplice(m, where, 0, t, len);
}

static bool mut_dup(struct mut *m)
{
	int ri = pick_rec(m, 0), at;

	if (ri < 0)
		return false;
	at = chance(m, 70) ? ri + 1 : (int)below(m, m->nr + 1);
	dsc(m, "%s[%d]@%zu duplicated before record %d",
	    tname(m->recs[ri].type), ri, m->recs[ri].off, at);
	copy_rec(m, ri, at);
	return true;
}

static bool mut_move(struct mut *m)
{
	int ri = pick_rec(m, 0), at;
	size_t len, where;
	unsigned char *t;

	if (ri < 0 || m->nr < 2)
		return false;
	at = chance(m, 60) ? ri + 2 : (int)below(m, m->nr + 1);
	if (at > m->nr)
		at = m->nr;
	if (at == ri || at == ri + 1)
		at = ri ? ri - 1 : ri + 2;
	if (at > m->nr)
		return false;
	len = m->recs[ri].len;
	t = tmp_get(len);
	memcpy(t, m->p + m->recs[ri].off, len);
	where = at < m->nr ? m->recs[at].off : rec_end(m, m->nr - 1);
	dsc(m, "%s[%d]@%zu moved before record %d", tname(m->recs[ri].type),
	    ri, m->recs[ri].off, at);
	/* insert first when later, so that the offsets stay right */
	if (where > m->recs[ri].off) {
		msplice(m, where, 0, t, len);
		msplice(m, m->recs[ri].off, len, NULL, 0);
	} else {
		msplice(m, m->recs[ri].off, len, NULL, 0);
		msplice(m, where, 0, t, len);
	}
	return true;
}

/* Two records trade places: [A][between][B] becomes [B][between][A]. */
static bool mut_swap(struct mut *m)
{
	int i = pick_rec(m, 0), j = pick_rec(m, 0), k;
	size_t a, b, alen, blen, mid;
	unsigned char *t;

	if (i < 0 || i == j)
		return false;
	if (chance(m, 50) && i + 1 < m->nr)
		j = i + 1;
	if (i > j) {
		k = i;
		i = j;
		j = k;
	}
	a = m->recs[i].off;
	alen = m->recs[i].len;
	b = m->recs[j].off;
	blen = m->recs[j].len;
	mid = b - (a + alen);
	t = tmp_get(alen + mid + blen);
	memcpy(t, m->p + b, blen);
	memcpy(t + blen, m->p + a + alen, mid);
	memcpy(t + blen + mid, m->p + a, alen);
	memcpy(m->p + a, t, alen + mid + blen);
	mark(m, a);
	dsc(m, "%s[%d]@%zu and %s[%d]@%zu swapped", tname(m->recs[i].type), i,
	    a, tname(m->recs[j].type), j, b);
	return true;
}

static bool mut_insert(struct mut *m)
{
	int at = below(m, m->nr + 1);
	uint32_t type = from(m, v_types, N(v_types));
	uint32_t len = 8 + 8 * below(m, 40);
	unsigned char *t = tmp_get(len);
	size_t where = !m->nr ? 0 : at < m->nr ? m->recs[at].off :
		       rec_end(m, m->nr - 1);
	uint32_t i;

	for (i = 0; i < len; i++)
		t[i] = chance(m, 70) ? 0 : rnd(m);
	memcpy(t, &type, 4);
	memcpy(t + 4, &len, 4);
	dsc(m, "record of type %u, length %u, inserted before record %d",
	    type, len, at);
	msplice(m, where, 0, t, len);
	return true;
}

static bool mut_resize(struct mut *m)
{
	int ri = pick_rec(m, 0);
	uint32_t len, by;

	if (ri < 0)
		return false;
	len = m->recs[ri].len;
	by = 8 * from(m, (const uint64_t []){ 1, 2, 4, 64, 512, 513 }, 6);
	if (chance(m, 50)) {
		msplice(m, rec_end(m, ri), 0, NULL, by);
		mset(m, m->recs[ri].off + 4, 4, len + by);
		dsc(m, "%s[%d]@%zu grown by %u zero bytes",
		    tname(m->recs[ri].type), ri, m->recs[ri].off, by);
	} else {
		if (by >= len)
			by = len - 8;
		if (!by)
			return false;
		msplice(m, rec_end(m, ri) - by, by, NULL, 0);
		mset(m, m->recs[ri].off + 4, 4, len - by);
		dsc(m, "%s[%d]@%zu shrunk by %u bytes",
		    tname(m->recs[ri].type), ri, m->recs[ri].off, by);
	}
	return true;
}

static bool mut_truncate(struct mut *m)
{
	size_t at;

	switch (below(m, 4)) {
	case 0:
		at = m->nr ? m->recs[below(m, m->nr)].off : 0;
		break;
	case 1:
		at = below(m, m->len);
		break;
	case 2:
		at = m->len - from(m, (const uint64_t []){ 1, 4, 8, 12, 16,
				   24 }, 6);
		break;
	default:
		at = m->nr ? m->recs[below(m, m->nr)].off +
			     from(m, (const uint64_t []){ 4, 8, 12, 16 }, 4) :
			     0;
		break;
	}
	if (at >= m->len)
		return false;
	dsc(m, "truncated to %zu of %zu bytes", at, m->len);
	m->len = at;
	mark(m, at);
	return true;
}

/* A record of another kind's image, in place of one or inserted. */
static bool mut_splice(struct mut *m)
{
	struct kind *o = &kinds[below(m, NR_KINDS)];
	const struct rec *r;
	int ri, at;

	if (!o->nr || o == &kinds[m->kind])
		return false;
	r = &o->recs[below(m, o->nr)];
	ri = pick_rec(m, r->type);
	if (ri >= 0 && chance(m, 60)) {
		dsc(m, "%s[%d]@%zu replaced by the %s image's record at %zu",
		    tname(r->type), ri, m->recs[ri].off, o->name, r->off);
		msplice(m, m->recs[ri].off, m->recs[ri].len, o->img + r->off,
			r->len);
	} else {
		at = below(m, m->nr + 1);
		dsc(m, "the %s image's %s record at %zu inserted before record %d",
		    o->name, tname(r->type), r->off, at);
		msplice(m, !m->nr ? 0 : at < m->nr ? m->recs[at].off :
			rec_end(m, m->nr - 1), 0, o->img + r->off, r->len);
	}
	return true;
}

/*
 * Pending signals the image did not have: a SIGPENDING record after a
 * CPU record, for its thread, or after a SIGNAL record, for its
 * process, and the count in the TASK or SIGNAL record it belongs to;
 * mostly as checkpoint(2) would write them, sometimes not.
 */
static bool mut_pending(struct mut *m)
{
	static const int signos[] = {
		SIGUSR1, SIGUSR2, SIGTERM, SIGHUP, SIGCHLD, SIGCONT, SIGSTOP,
		SIGKILL, SIGSEGV, 34, 40, 64, 0, 65,
	};
	static const int codes[] = { 0, 0x80, -1, -6, -4, 1 };
	bool proc = chance(m, 50);
	int ri = pick_rec(m, proc ? CR_HDR_SIGNAL : CR_HDR_CPU), owner, i;
	struct cr_hdr_sigpending h = { { CR_HDR_SIGPENDING, 0 } };
	uint32_t n, count, at;
	struct cr_siginfo si;
	unsigned char *t;

	if (ri < 0)
		return false;
	/* the record the count goes in: the SIGNAL, or the CPU's TASK */
	owner = ri;
	if (!proc)
		while (owner >= 0 && m->recs[owner].type != CR_HDR_TASK)
			owner--;
	if (owner < 0)
		return false;
	n = chance(m, 85) ? 1 + below(m, 4) :
	    from(m, (const uint64_t []){ 0, 128, 129, 1000 }, 4);
	h.h.len = sizeof(h) + n * sizeof(si);
	h.shared = proc ? CR_SIGPENDING_PROCESS : CR_SIGPENDING_THREAD;
	if (chance(m, 10))
		h.shared = !h.shared;
	h.nr = chance(m, 90) ? n : n + 1;
	t = tmp_get(h.h.len);
	memcpy(t, &h, sizeof(h));
	for (i = 0; i < (int)n; i++) {
		memset(&si, 0, sizeof(si));
		si.signo = chance(m, 80) ? signos[below(m, 7)] :
			   signos[below(m, N(signos))];
		si.code = codes[below(m, N(codes))];
		/* si_pid and si_uid, where kill(2) puts them */
		si.fields[0] = chance(m, 50) ? 1 | (uint64_t)NOBODY << 32 :
			       rnd(m);
		if (chance(m, 5))
			si.fields[4 + below(m, 10)] = 1;
		if (chance(m, 3))
			si.pad = 1;
		memcpy(t + sizeof(h) + i * sizeof(si), &si, sizeof(si));
	}
	count = chance(m, 90) ? n : n ^ 1;
	at = proc ? offsetof(struct cr_hdr_signal, nr_pending) :
	     offsetof(struct cr_hdr_task, nr_pending);
	if (m->recs[owner].len >= at + 4)
		mset(m, m->recs[owner].off + at, 4, count);
	dsc(m, "%u signals pending for the %s after %s[%d]@%zu (count %u in %s[%d])",
	    n, proc ? "process" : "thread", tname(m->recs[ri].type), ri,
	    m->recs[ri].off, count, tname(m->recs[owner].type), owner);
	msplice(m, rec_end(m, ri), 0, t, h.h.len);
	return true;
}

static bool mut_trailing(struct mut *m)
{
	size_t n = 8 * (1 + below(m, 64)), i;
	unsigned char *t = tmp_get(n);

	for (i = 0; i < n; i++)
		t[i] = rnd(m);
	if (chance(m, 50) && m->nr)
		memcpy(t, m->p, n < m->recs[0].len ? n : m->recs[0].len);
	dsc(m, "%zu bytes appended after the end", n);
	msplice(m, m->len, 0, t, n);
	return true;
}

/* A VMA record and the page records after it. */
struct grp {
	int v, end;	/* records [v, end) */
	uint64_t start, vend;
};

static int groups(struct mut *m, struct grp *g, int max)
{
	int n = 0, i, j;

	for (i = 0; i < m->nr && n < max; i = j) {
		j = i + 1;
		if (m->recs[i].type != CR_HDR_VMA ||
		    m->recs[i].len < sizeof(struct cr_hdr_vma))
			continue;
		while (j < m->nr && (m->recs[j].type == CR_HDR_PGARR ||
				     m->recs[j].type == CR_HDR_PAGES))
			j++;
		g[n].v = i;
		g[n].end = j;
		g[n].start = mget(m, m->recs[i].off + 8, 8);
		g[n++].vend = mget(m, m->recs[i].off + 16, 8);
	}
	return n;
}

static size_t grp_off(struct mut *m, const struct grp *g)
{
	return m->recs[g->v].off;
}

static size_t grp_len(struct mut *m, const struct grp *g)
{
	return rec_end(m, g->end - 1) - m->recs[g->v].off;
}

static struct grp grps[MAX_RECS];

static int pick_grp(struct mut *m, int *n)
{
	*n = groups(m, grps, MAX_RECS);
	return *n ? (int)below(m, *n) : -1;
}

/* Add @delta to every page address of group @g, and to its batches' bounds. */
static void shift_pages(struct mut *m, const struct grp *g, uint64_t delta)
{
	uint32_t n, j;
	size_t a;
	int i;

	for (i = g->v + 1; i < g->end; i++) {
		if (m->recs[i].type != CR_HDR_PGARR ||
		    m->recs[i].len < sizeof(struct cr_hdr_pgarr))
			continue;
		a = m->recs[i].off + offsetof(struct cr_hdr_pgarr, first);
		mset(m, a, 8, mget(m, a, 8) + delta);
		a = m->recs[i].off + offsetof(struct cr_hdr_pgarr, last);
		mset(m, a, 8, mget(m, a, 8) + delta);
		n = (m->recs[i].len - sizeof(struct cr_hdr_pgarr)) / 8;
		for (j = 0; j < n; j++) {
			a = m->recs[i].off + sizeof(struct cr_hdr_pgarr) + j * 8;
			mset(m, a, 8, mget(m, a, 8) + delta);
		}
	}
}

static void add_map_count(struct mut *m, int d)
{
	int mm = pick_rec(m, CR_HDR_MM);
	size_t at;

	if (mm < 0)
		return;
	at = m->recs[mm].off + offsetof(struct cr_hdr_mm, map_count);
	mset(m, at, 4, mget(m, at, 4) + d);
}

/* Put the VMA groups in order of address, as a valid image has them. */
static void sort_groups(struct mut *m)
{
	int n = groups(m, grps, MAX_RECS), i, j;
	size_t from_off, to_off, pos = 0;
	unsigned char *t;
	struct grp g;

	if (n < 2)
		return;
	for (i = 1; i < n; i++)		/* contiguous groups only */
		if (grp_off(m, &grps[i]) != grp_off(m, &grps[i - 1]) +
					   grp_len(m, &grps[i - 1]))
			return;
	from_off = grp_off(m, &grps[0]);
	to_off = grp_off(m, &grps[n - 1]) + grp_len(m, &grps[n - 1]);
	t = tmp_get(to_off - from_off);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && grps[j - 1].start > grps[j].start; j--) {
			g = grps[j];
			grps[j] = grps[j - 1];
			grps[j - 1] = g;
		}
	for (i = 0; i < n; i++) {
		memcpy(t + pos, m->p + grp_off(m, &grps[i]),
		       grp_len(m, &grps[i]));
		pos += grp_len(m, &grps[i]);
	}
	memcpy(m->p + from_off, t, pos);
	mark(m, from_off);
}

static uint64_t place(struct mut *m, const struct grp *g, int n, int gi)
{
	uint64_t size = g->vend - g->start;

	switch (below(m, 12)) {
	case 0:
		return 0;
	case 1:
		return PS;
	case 2:
		return 0x10000 - PS;
	case 3:
		return 0x10000;
	case 4:
		return USER_END - size;
	case 5:
		return USER_END - size + PS;
	case 6:
		return (1ULL << 47) - size;
	case 7:
		return KERNEL_ADDR;
	case 8:	/* right after the one before */
		return gi ? grps[gi - 1].vend : g->start - PS;
	case 9:	/* right before the next */
		return gi + 1 < n ? grps[gi + 1].start - size : g->start + PS;
	case 10:
		return (rnd(m) % (USER_END >> 12)) << 12;
	default:
		return g->start + (chance(m, 50) ? PS : -PS);
	}
}

/* Move a VMA with its pages, and mostly keep the VMAs in order. */
static bool mut_vma_move(struct mut *m)
{
	int n, gi = pick_grp(m, &n);
	struct grp g;
	uint64_t to, delta;
	size_t off;

	if (gi < 0)
		return false;
	g = grps[gi];
	to = place(m, &g, n, gi);
	delta = to - g.start;
	if (!delta)
		return false;
	off = m->recs[g.v].off;
	mset(m, off + 8, 8, g.start + delta);
	mset(m, off + 16, 8, g.vend + delta);
	shift_pages(m, &g, delta);
	dsc(m, "VMA[%d]@%zu %#llx-%#llx moved to %#llx with its pages", g.v,
	    off, (unsigned long long)g.start, (unsigned long long)g.vend,
	    (unsigned long long)to);
	if (chance(m, 70))
		sort_groups(m);
	return true;
}

struct pg {
	uint64_t addr;
	const unsigned char *data;	/* NULL: kept in the PRAM node */
	uint64_t sum;			/* its checksum, as its record had it */
};

static struct pg pgs[MAX_PAGES];

/* The pages of group @g, if its page records are well formed. */
static int grp_pages(struct mut *m, const struct grp *g)
{
	int i, n = 0;
	uint32_t k, j;
	size_t c;

	for (i = g->v + 1; i + 1 < g->end; i += 2) {
		const struct rec *a = &m->recs[i], *p = &m->recs[i + 1];
		bool pram;

		if (a->type != CR_HDR_PGARR || p->type != CR_HDR_PAGES)
			return -1;
		k = mget(m, a->off + offsetof(struct cr_hdr_pgarr, nr_pages), 4);
		pram = mget(m, p->off + 12, 4) & CR_PAGES_PRAM;
		c = sizeof(struct cr_hdr_pages) + (pram ? 0 : sums_len(k));
		if (a->len != sizeof(struct cr_hdr_pgarr) + 8 * k ||
		    mget(m, p->off + 8, 4) != k ||
		    p->len != c + (pram ? 0 : k * PS) || n + k > MAX_PAGES)
			return -1;
		for (j = 0; j < k; j++, n++) {
			pgs[n].addr = mget(m, a->off +
					   sizeof(struct cr_hdr_pgarr) + 8 * j, 8);
			pgs[n].data = pram ? NULL : m->p + p->off + c + j * PS;
			pgs[n].sum = pram ? 0 : mget(m, p->off + 16 + 8 * j, 8);
		}
	}
	return i == g->end ? n : -1;
}

/*
 * Page records for @n pages, appended at @t; returns the bytes. Each
 * page keeps the checksum it had, right or not; each batch gets its
 * bounds and flags, and its digest when the mutant is sealed.
 */
static size_t emit_pages(unsigned char *t, const struct pg *pg, int n)
{
	size_t pos = 0;
	int i = 0, k, j;

	while (i < n) {
		bool pram = !pg[i].data;
		struct cr_hdr_pgarr a = { { CR_HDR_PGARR, 0 } };
		struct cr_hdr_pages p = { { CR_HDR_PAGES, 0 } };

		for (k = 0; i + k < n && k < PGARR_MAX; k++)
			if (!pg[i + k].data != pram)
				break;
		a.h.len = sizeof(a) + 8 * k;
		a.nr_pages = k;
		p.h.len = sizeof(p) + (pram ? 0 : sums_len(k) + k * PS);
		p.nr_pages = k;
		p.flags = pram ? CR_PAGES_PRAM : 0;
		a.flags = p.flags;
		a.first = pg[i].addr;
		a.last = pg[i + k - 1].addr;
		memcpy(t + pos, &a, sizeof(a));
		pos += sizeof(a);
		for (j = 0; j < k; j++, pos += 8)
			memcpy(t + pos, &pg[i + j].addr, 8);
		memcpy(t + pos, &p, sizeof(p));
		pos += sizeof(p);
		for (j = 0; !pram && j < k; j++, pos += 8)
			memcpy(t + pos, &pg[i + j].sum, 8);
		for (j = 0; !pram && j < k; j++, pos += PS)
			memcpy(t + pos, pg[i + j].data, PS);
		i += k;
	}
	return pos;
}

/* Split a VMA in two at a page, its pages going with their halves. */
static bool mut_vma_split(struct mut *m)
{
	int n, gi = pick_grp(m, &n), np, lo, i;
	struct grp g;
	uint64_t at, pages;
	size_t vlen, pos;
	unsigned char *t;
	struct cr_hdr_vma v;

	if (gi < 0)
		return false;
	g = grps[gi];
	pages = (g.vend - g.start) / PS;
	np = grp_pages(m, &g);
	if (pages < 2 || pages > (1ULL << 30) || np < 0)
		return false;
	at = g.start + (1 + below(m, pages - 1)) * PS;
	if (np && chance(m, 50))	/* right at a saved page */
		at = pgs[below(m, np)].addr;
	if (at <= g.start || at >= g.vend || at & (PS - 1))
		return false;
	vlen = m->recs[g.v].len;
	t = tmp_get(2 * vlen + (size_t)np * (PS + 16) + 64 * (np + 2));
	memcpy(&v, m->p + m->recs[g.v].off, sizeof(v));
	for (lo = 0; lo < np && pgs[lo].addr < at; lo++)
		;
	memcpy(t, m->p + m->recs[g.v].off, vlen);
	v.end = at;
	memcpy(t, &v, sizeof(v));
	pos = vlen + emit_pages(t + vlen, pgs, lo);
	memcpy(t + pos, m->p + m->recs[g.v].off, vlen);
	v.start = at;
	v.end = g.vend;
	if (v.type == CR_VMA_FILE)
		v.pgoff += (at - g.start) / PS;
	memcpy(t + pos, &v, sizeof(v));
	pos += vlen;
	pos += emit_pages(t + pos, pgs + lo, np - lo);
	i = g.v;
	dsc(m, "VMA[%d]@%zu %#llx-%#llx split at %#llx", i, m->recs[i].off,
	    (unsigned long long)g.start, (unsigned long long)g.vend,
	    (unsigned long long)at);
	msplice(m, grp_off(m, &g), grp_len(m, &g), t, pos);
	if (chance(m, 85)) {
		reparse(m);
		add_map_count(m, 1);
	}
	return true;
}

static bool mut_vma_drop(struct mut *m)
{
	int n, gi = pick_grp(m, &n);
	struct grp g;

	if (gi < 0)
		return false;
	g = grps[gi];
	dsc(m, "VMA[%d]@%zu %#llx-%#llx dropped with its pages", g.v,
	    m->recs[g.v].off, (unsigned long long)g.start,
	    (unsigned long long)g.vend);
	msplice(m, grp_off(m, &g), grp_len(m, &g), NULL, 0);
	if (chance(m, 85)) {
		reparse(m);
		add_map_count(m, -1);
	}
	return true;
}

/* Duplicate a VMA with its pages: overlapping, or moved into a gap. */
static bool mut_vma_dup(struct mut *m)
{
	int n, gi = pick_grp(m, &n), i;
	size_t len;
	struct grp g;
	unsigned char *t;
	uint64_t size, to = 0;

	if (gi < 0)
		return false;
	g = grps[gi];
	len = grp_len(m, &g);
	size = g.vend - g.start;
	t = tmp_get(len);
	memcpy(t, m->p + grp_off(m, &g), len);
	msplice(m, grp_off(m, &g) + len, 0, t, len);
	reparse(m);
	n = groups(m, grps, MAX_RECS);
	if (gi + 1 < n && chance(m, 60)) {
		/* a gap between two VMAs that the copy fits */
		for (i = 0; i + 1 < n; i++)
			if (grps[i + 1].start >= grps[i].vend + size &&
			    grps[i].vend + size <= USER_END && chance(m, 30)) {
				to = grps[i].vend;
				break;
			}
		if (to) {
			g = grps[gi + 1];
			mset(m, m->recs[g.v].off + 8, 8, to);
			mset(m, m->recs[g.v].off + 16, 8, to + size);
			shift_pages(m, &g, to - g.start);
			sort_groups(m);
		}
	}
	dsc(m, "VMA[%d] %#llx-%#llx duplicated with its pages%s%llx", gi,
	    (unsigned long long)g.start, (unsigned long long)g.vend,
	    to ? ", the copy at " : "", (unsigned long long)to);
	if (chance(m, 85)) {
		reparse(m);
		add_map_count(m, 1);
	}
	return true;
}

/* A file path for a VMA, with or without the identity of that file. */
static bool mut_path(struct mut *m)
{
	int n, gi = pick_grp(m, &n);
	const char *path = path_list[below(m, N(path_list))];
	struct cr_hdr_vma v;
	uint32_t plen, len;
	unsigned char *t;
	struct stat st;
	bool ident = false;
	size_t off;

	if (gi < 0)
		return false;
	/* file VMAs more often */
	if (chance(m, 60)) {
		int i, k = below(m, n);

		for (i = 0; i < n; i++) {
			int j = (k + i) % n;

			if (mget(m, m->recs[grps[j].v].off + 32, 4) ==
			    CR_VMA_FILE) {
				gi = j;
				break;
			}
		}
	}
	off = m->recs[grps[gi].v].off;
	memcpy(&v, m->p + off, sizeof(v));
	plen = strlen(path) + 1;
	switch (below(m, 12)) {
	case 0:
		plen--;		/* no NUL */
		break;
	case 1:
		plen += 1 + below(m, 8);
		break;
	case 2:
		plen = from(m, (const uint64_t []){ 0, 1, 4096, 4097 }, 4);
		break;
	}
	len = (sizeof(v) + plen + 7) & ~7U;
	if (plen > 8192)
		return false;
	if (v.type != CR_VMA_FILE && chance(m, 60)) {
		v.type = CR_VMA_FILE;
		if (chance(m, 50))
			v.flags = 0;
	}
	if (chance(m, 50) && !stat(path, &st)) {
		v.dev = st.st_dev;
		v.ino = st.st_ino;
		v.size = st.st_size;
		v.mtime_sec = st.st_mtim.tv_sec;
		v.mtime_nsec = st.st_mtim.tv_nsec;
		ident = true;
	}
	v.path_len = plen;
	v.h.len = chance(m, 95) ? len : len + 8;
	t = tmp_get(len + 16);
	memset(t, 0, len + 16);
	memcpy(t, &v, sizeof(v));
	memcpy(t + sizeof(v), path,
	       strlen(path) < plen ? strlen(path) : plen);
	dsc(m, "VMA[%d]@%zu %#llx-%#llx: path \"%.60s\" (path_len %u, type %u%s)",
	    grps[gi].v, off, (unsigned long long)v.start,
	    (unsigned long long)v.end, path, plen, v.type,
	    ident ? ", its identity" : "");
	msplice(m, off, m->recs[grps[gi].v].len, t, v.h.len);
	return true;
}

/* The identity of another file, or one of its fields off by one. */
static bool mut_ident(struct mut *m)
{
	int ri = pick_rec(m, CR_HDR_VMA);
	const char *path = path_list[below(m, N(path_list))];
	struct cr_hdr_vma v;
	struct stat st;
	size_t off;

	if (ri < 0 || m->recs[ri].len < sizeof(v))
		return false;
	off = m->recs[ri].off;
	memcpy(&v, m->p + off, sizeof(v));
	if (chance(m, 50) && !stat(path, &st)) {
		v.dev = st.st_dev;
		v.ino = st.st_ino;
		v.size = st.st_size;
		v.mtime_sec = st.st_mtim.tv_sec;
		v.mtime_nsec = st.st_mtim.tv_nsec;
		dsc(m, "VMA[%d]@%zu: identity of %s", ri, off, path);
	} else {
		switch (below(m, 5)) {
		case 0:
			v.dev++;
			break;
		case 1:
			v.ino++;
			break;
		case 2:
			v.size += chance(m, 50) ? 1 : -1;
			break;
		case 3:
			v.mtime_sec++;
			break;
		default:
			v.mtime_nsec++;
			break;
		}
		dsc(m, "VMA[%d]@%zu: identity off by one", ri, off);
	}
	memcpy(m->p + off, &v, sizeof(v));
	mark(m, off);
	return true;
}

/*
 * A page-array and its contents resized together, consistently: the
 * pages added are zeros, with a page of zeros' checksum.
 */
static bool mut_pgarr_resize(struct mut *m)
{
	const size_t ha = sizeof(struct cr_hdr_pgarr);
	const size_t hp = sizeof(struct cr_hdr_pages);
	int ri = pick_rec(m, CR_HDR_PGARR), k;
	uint32_t n, nn, flags;
	uint64_t last;
	size_t a, p, c;
	unsigned char *t;
	bool here;

	if (ri < 0 || ri + 1 >= m->nr || m->recs[ri + 1].type != CR_HDR_PAGES)
		return false;
	a = m->recs[ri].off;
	p = m->recs[ri + 1].off;
	n = mget(m, a + offsetof(struct cr_hdr_pgarr, nr_pages), 4);
	flags = mget(m, p + 12, 4);
	here = !(flags & CR_PAGES_PRAM);	/* contents in the image */
	if (m->recs[ri].len != ha + 8 * n || mget(m, p + 8, 4) != n ||
	    m->recs[ri + 1].len != hp + (here ? sums_len(n) + n * PS : 0))
		return false;
	nn = from(m, (const uint64_t []){ 0, 1, n - 1, n + 1, n * 2,
		  PGARR_MAX, PGARR_MAX + 1, 1 + below(m, 600) }, 8);
	if (nn == n || nn > 2 * PGARR_MAX)
		return false;
	dsc(m, "PGARR[%d]@%zu and its PAGES: %u->%u pages", ri, a, n, nn);
	if (here) {
		/* the contents first, at the end: the checksums stay put */
		c = p + hp + sums_len(n);
		if (nn < n)
			msplice(m, c + (size_t)nn * PS, (size_t)(n - nn) * PS,
				NULL, 0);
		else
			msplice(m, c + (size_t)n * PS, 0, NULL,
				(size_t)(nn - n) * PS);
		t = tmp_get(sums_len(nn));
		memcpy(t, m->p + p + hp, sums_len(nn < n ? nn : n));
		for (k = n; k < (int)nn; k++)
			memcpy(t + 8 * k, &zero_page_sum, 8);
		msplice(m, p + hp, sums_len(n), t, sums_len(nn));
	}
	if (nn < n) {
		msplice(m, a + ha + 8 * nn, 8 * (n - nn), NULL, 0);
		p -= 8 * (n - nn);
	} else {
		t = tmp_get(8 * (nn - n));
		last = n ? mget(m, a + ha + 8 * (n - 1), 8) : 0;
		for (k = 0; k < (int)(nn - n); k++) {
			last += PS;
			memcpy(t + 8 * k, &last, 8);
		}
		msplice(m, a + ha + 8 * n, 0, t, 8 * (nn - n));
		p += 8 * (nn - n);
	}
	mset(m, a + 4, 4, ha + 8 * nn);
	mset(m, a + offsetof(struct cr_hdr_pgarr, nr_pages), 4, nn);
	mset(m, p + 4, 4, hp + (here ? sums_len(nn) + (size_t)nn * PS : 0));
	mset(m, p + 8, 4, nn);
	/* Mostly the bounds to match, for the addresses' checks to judge. */
	if (nn && chance(m, 85)) {
		mset(m, a + offsetof(struct cr_hdr_pgarr, first), 8,
		     mget(m, a + ha, 8));
		mset(m, a + offsetof(struct cr_hdr_pgarr, last), 8,
		     mget(m, a + ha + 8 * (nn - 1), 8));
	} else {
		dsc(m, "(bounds left)");
	}
	return true;
}

/*
 * Page addresses out of order, repeated, unaligned or shifted; mostly
 * with the batch's bounds made to match them, so that the addresses are
 * judged on their own (the digest is made right when the mutant is
 * sealed).
 */
static bool mut_pgaddrs(struct mut *m)
{
	int ri = pick_rec(m, CR_HDR_PGARR);
	static const char *const how[] = {
		"two swapped", "one repeated", "one unaligned", "all shifted up",
		"all shifted down", "one past the VMA", "reversed",
	};
	const size_t ha = sizeof(struct cr_hdr_pgarr);
	bool bounds = chance(m, 70);
	uint32_t n, j, k;
	size_t a;
	int h;
	uint64_t x, y;

	if (ri < 0 || m->recs[ri].len < ha)
		return false;
	a = m->recs[ri].off + ha;
	n = (m->recs[ri].len - ha) / 8;
	if (!n)
		return false;
	h = below(m, N(how));
	j = below(m, n);
	switch (h) {
	case 0:
	case 1:
		if (n < 2)
			return false;
		j = 1 + below(m, n - 1);
		x = mget(m, a + 8 * (j - 1), 8);
		y = mget(m, a + 8 * j, 8);
		mset(m, a + 8 * (j - 1), 8, h ? x : y);
		mset(m, a + 8 * j, 8, x);
		break;
	case 2:
		mset(m, a + 8 * j, 8, mget(m, a + 8 * j, 8) +
		     from(m, (const uint64_t []){ 1, 8, 0x800, PS - 1 }, 4));
		break;
	case 3:
	case 4:
		for (k = 0; k < n; k++)
			mset(m, a + 8 * k, 8, mget(m, a + 8 * k, 8) +
			     (h == 3 ? PS : -PS));
		break;
	case 5:
		mset(m, a + 8 * (n - 1), 8, mget(m, a + 8 * (n - 1), 8) +
		     (1ULL << 30));
		break;
	default:
		for (k = 0; k < n / 2; k++) {
			x = mget(m, a + 8 * k, 8);
			mset(m, a + 8 * k, 8, mget(m, a + 8 * (n - 1 - k), 8));
			mset(m, a + 8 * (n - 1 - k), 8, x);
		}
		break;
	}
	if (bounds) {
		mset(m, m->recs[ri].off + offsetof(struct cr_hdr_pgarr, first),
		     8, mget(m, a, 8));
		mset(m, m->recs[ri].off + offsetof(struct cr_hdr_pgarr, last),
		     8, mget(m, a + 8 * (n - 1), 8));
	}
	dsc(m, "PGARR[%d]@%zu: page addresses %s (at %u), bounds %s", ri,
	    m->recs[ri].off, how[h], j, bounds ? "to match" : "left");
	return true;
}

/*
 * The PRAM flag of a PAGES record, its contents and their checksums
 * dropped, or added: pages of zeros; with them, its batch's flags, which
 * must be the same, to match.
 */
static bool mut_pages_flags(struct mut *m)
{
	int ri = pick_rec(m, CR_HDR_PAGES);
	uint32_t n, flags, j;
	size_t p, len;
	unsigned char *t;
	bool fit = chance(m, 70);

	if (ri < 0 || m->recs[ri].len < 16)
		return false;
	p = m->recs[ri].off;
	n = mget(m, p + 8, 4);
	flags = mget(m, p + 12, 4);
	if (n > 2 * PGARR_MAX)
		return false;
	len = sums_len(n) + (size_t)n * PS;
	if (flags & CR_PAGES_PRAM) {
		if (fit) {
			msplice(m, rec_end(m, ri), 0, NULL, (size_t)n * PS);
			t = tmp_get(sums_len(n));
			for (j = 0; j < n; j++)
				memcpy(t + 8 * j, &zero_page_sum, 8);
			msplice(m, p + 16, 0, t, sums_len(n));
			mset(m, p + 4, 4, m->recs[ri].len + len);
		}
	} else if (fit && m->recs[ri].len >= 16 + len) {
		msplice(m, p + 16, len, NULL, 0);
		mset(m, p + 4, 4, m->recs[ri].len - len);
	}
	mset(m, p + 12, 4, flags ^ CR_PAGES_PRAM);
	if (fit && ri > 0 && m->recs[ri - 1].type == CR_HDR_PGARR &&
	    m->recs[ri - 1].len >= sizeof(struct cr_hdr_pgarr))
		mset(m, m->recs[ri - 1].off +
		     offsetof(struct cr_hdr_pgarr, flags), 4,
		     flags ^ CR_PAGES_PRAM);
	dsc(m, "PAGES[%d]@%zu: PRAM flag %s%s", ri, p,
	    flags & CR_PAGES_PRAM ? "cleared" : "set",
	    fit ? ", contents to match" : "");
	return true;
}

/* The XSAVE area resized with the record, so that the lengths agree. */
static bool mut_xstate_resize(struct mut *m)
{
	int ri = pick_rec(m, CR_HDR_CPU);
	uint32_t old, nsz, len, nlen;
	size_t off;

	if (ri < 0 || m->recs[ri].len < CPU_AREA)
		return false;
	off = m->recs[ri].off;
	len = m->recs[ri].len;
	old = mget(m, off + offsetof(struct cr_hdr_cpu, xstate_size), 4);
	nsz = from(m, v_xsize, N(v_xsize));
	if (chance(m, 30))
		nsz = old + from(m, (const uint64_t []){ 8, -8ULL, 64, -64ULL,
				 4, 4096 }, 6);
	if (nsz > HBUF_SIZE || nsz == old)
		return false;
	nlen = (CPU_AREA + nsz + 7) & ~7U;
	if (nlen > len)
		msplice(m, off + len, 0, NULL, nlen - len);
	else
		msplice(m, off + nlen, len - nlen, NULL, 0);
	mset(m, off + 4, 4, nlen);
	mset(m, off + offsetof(struct cr_hdr_cpu, xstate_size), 4, nsz);
	dsc(m, "CPU[%d]@%zu: XSAVE area %u->%u bytes, record to match", ri,
	    off, old, nsz);
	return true;
}

/* LDT entries, which restart does not restore: the record must say so. */
static bool mut_ldt(struct mut *m)
{
	int ri = pick_rec(m, CR_HDR_MM_CONTEXT);
	uint32_t n, k, old;
	unsigned char *t;
	size_t off;
	uint64_t e;

	if (ri < 0 || m->recs[ri].len < sizeof(struct cr_hdr_mm_context))
		return false;
	off = m->recs[ri].off;
	old = mget(m, off + 8, 4);
	n = from(m, (const uint64_t []){ 1, 2, 16, 8191, 8192, 8193 }, 6);
	t = tmp_get(8 * n);
	for (k = 0; k < n; k++) {
		/* a 32-bit code segment, or garbage */
		e = chance(m, 50) ? 0x00cffa000000ffffULL : rnd(m);
		memcpy(t + 8 * k, &e, 8);
	}
	msplice(m, off + sizeof(struct cr_hdr_mm_context),
		m->recs[ri].len - sizeof(struct cr_hdr_mm_context), t, 8 * n);
	mset(m, off + 4, 4, sizeof(struct cr_hdr_mm_context) + 8 * n);
	mset(m, off + 8, 4, chance(m, 85) ? n : n + 1);
	dsc(m, "MM_CONTEXT[%d]@%zu: %u->%u LDT entries", ri, off, old, n);
	return true;
}

/*
 * Page contents changed: mostly with the changed pages' own checksums
 * made right again, as an attacker would, so that restart takes the
 * pages as they are; or with their checksums left, for restart to find
 * the pages damaged (EBADMSG); or a page's checksum changed instead
 * (EBADMSG), anywhere in its 64 bits or in the upper 32 only, which a
 * check of the lower half alone would miss.
 */
static bool mut_page_data(struct mut *m)
{
	/* 0: contents, sealed; 1: contents; 2: a checksum; 3: its top half */
	static const int how[10] = { 0, 0, 0, 0, 0, 0, 1, 1, 2, 3 };
	int ri = pick_rec(m, CR_HDR_PAGES), k, nb, h;
	uint32_t n, j, touched[16];
	uint64_t old, v;
	size_t p, c, len, at;

	if (ri < 0)
		return false;
	p = m->recs[ri].off;
	len = m->recs[ri].len;
	c = contents_at(m->p + p, len);
	if (c == len)
		return false;
	n = (len - c) / PS;
	h = how[below(m, 10)];
	if (h >= 2) {
		j = below(m, n);
		at = p + 16 + 8 * j;
		old = mget(m, at, 8);
		if (h == 2)
			v = old ^ (1 + below(m, ~0ULL));
		else
			v = old ^ ((1 + below(m, 0xffffffff)) << 32);
		mset(m, at, 8, v);
		if (page_sum(m->p + p + c + (size_t)j * PS) != v)
			m->want = EBADMSG;
		dsc(m, "PAGES[%d]@%zu: checksum of page %u %#llx->%#llx", ri,
		    p, j, (unsigned long long)old, (unsigned long long)v);
		return true;
	}
	nb = 1 + below(m, 16);
	for (k = 0; k < nb; k++) {
		at = c + below(m, len - c);
		touched[k] = (at - c) / PS;
		mset(m, p + at, 1, m->p[p + at] ^ (1 + below(m, 255)));
	}
	for (k = 0; k < nb; k++) {
		at = p + 16 + 8 * touched[k];
		v = page_sum(m->p + p + c + (size_t)touched[k] * PS);
		if (!h)
			mset(m, at, 8, v);
		else if (mget(m, at, 8) != v)
			m->want = EBADMSG;	/* unless the bytes changed back */
	}
	dsc(m, "PAGES[%d]@%zu: %d bytes of contents changed, their pages' checksums %s",
	    ri, p, nb, h ? "left" : "to match");
	return true;
}

/*
 * A batch's digest left wrong: the digest itself changed, which the
 * running checksum covers (and is made right for), or behind its back
 * one of the batch's addresses or one of its pages' checksums, which the
 * running checksum leaves to it. Restart must find the batch damaged,
 * EBADMSG, before it takes any of it. Done once the mutant is sealed
 * (fix_digests()), which would undo it before.
 */
static bool mut_digest(struct mut *m)
{
	static const char *const how[] = {
		"", "the digest changed", "an address changed",
		"a page's checksum changed",
	};
	int ri = pick_rec(m, CR_HDR_PGARR);
	uint64_t d;

	if (ri < 0 || ri + 1 >= m->nr ||
	    !batch_digest(m->p, &m->recs[ri], &m->recs[ri + 1], &d))
		return false;
	m->keep_digest = batch_no(m, ri);
	m->digest_bad = 1 + below(m, 3);
	m->want = EBADMSG;
	dsc(m, "PGARR[%d]@%zu: %s, its digest left", ri, m->recs[ri].off,
	    how[m->digest_bad]);
	return true;
}

static bool mut_crc(struct mut *m)
{
	m->crc_bad = true;
	m->want = EBADMSG;
	dsc(m, "checksum left wrong");
	return true;
}

/* A task stopped in a syscall, as the kernel would record one. */
static bool mut_sysregs(struct mut *m)
{
	int ri = pick_rec(m, CR_HDR_CPU);
	uint64_t ax, nr;
	size_t off;

	if (ri < 0 || m->recs[ri].len < CPU_AREA)
		return false;
	off = m->recs[ri].off;
	ax = from(m, (const uint64_t []){ -512ULL, -513ULL, -514ULL, -516ULL },
		  4);
	nr = from(m, v_sysnr, N(v_sysnr));
	mset(m, off + offsetof(struct cr_hdr_cpu, regs.ax), 8, ax);
	mset(m, off + offsetof(struct cr_hdr_cpu, regs.orig_ax), 8, nr);
	dsc(m, "CPU[%d]@%zu: stopped in syscall %lld with ax %lld", ri, off,
	    (long long)nr, (long long)ax);
	return true;
}

/* The restarting caller, not the image: its limits and settings. */
static bool mut_env(struct mut *m)
{
	static const int lim[] = {
		RLIMIT_AS, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_MEMLOCK,
	};
	static const char *const lname[] = { "AS", "DATA", "STACK", "MEMLOCK" };
	int k;

	switch (below(m, 7)) {
	case 0:
	case 1:
		k = below(m, N(lim));
		m->env.rlimit = lim[k];
		m->env.rlim = from(m, (const uint64_t []){ 0, PS, 8 * PS,
				   1 << 20, 8 << 20, 32 << 20, 128 << 20 }, 7);
		dsc(m, "restarter's RLIMIT_%s %llu", lname[k],
		    (unsigned long long)m->env.rlim);
		break;
	case 2:
		m->env.mdwe = true;
		dsc(m, "restarter denies write+exec (PR_SET_MDWE)");
		break;
	case 3:
		m->env.thp_off = true;
		dsc(m, "restarter has THP disabled");
		break;
	case 4:
		m->env.nolog = true;
		dsc(m, "no log descriptor");
		break;
	case 5:
		m->env.logfull = true;
		dsc(m, "log pipe full");
		break;
	default:
		if (m->kind == K_PRAM)
			return false;
		m->env.pipe = true;
		dsc(m, "image read through a pipe");
		break;
	}
	return true;
}

/*
 * A signal to the restarter while restart(2) runs: SIGKILL, whose
 * cleanup must leave nothing behind, or SIGUSR1, which it handles (and
 * which a restored task gets instead, with the image's disposition).
 * Where it lands depends on timing: a replay may differ.
 */
static bool mut_interrupt(struct mut *m)
{
	static const uint64_t us[] = {
		0, 100, 300, 1000, 2000, 5000, 10000, 20000,
	};

	m->env.sig = chance(m, 50) ? SIGKILL : SIGUSR1;
	m->env.sig_us = from(m, us, N(us));
	dsc(m, "%s to the restarter %d us into restart(2)",
	    m->env.sig == SIGKILL ? "SIGKILL" : "SIGUSR1", m->env.sig_us);
	return true;
}

struct mutator {
	const char *name;
	int cls;
	int weight;
	bool (*fn)(struct mut *m);
};

static const struct mutator mutators[] = {
	{ "field", -1, 60, mut_field },
	{ "record type", C_HDR, 3, mut_rec_type },
	{ "record length", C_HDR, 4, mut_rec_len },
	{ "drop", C_STRUCT, 3, mut_drop },
	{ "duplicate", C_STRUCT, 3, mut_dup },
	{ "move", C_STRUCT, 2, mut_move },
	{ "swap", C_STRUCT, 2, mut_swap },
	{ "insert", C_STRUCT, 2, mut_insert },
	{ "resize", C_STRUCT, 3, mut_resize },
	{ "truncate", C_STRUCT, 2, mut_truncate },
	{ "splice", C_STRUCT, 3, mut_splice },
	{ "trailing", C_STRUCT, 1, mut_trailing },
	{ "path", C_PATH, 6, mut_path },
	{ "identity", C_IDENT, 3, mut_ident },
	{ "pgarr resize", C_PAGES, 3, mut_pgarr_resize },
	{ "page addresses", C_PAGES, 3, mut_pgaddrs },
	{ "pages flag", C_PAGES, 2, mut_pages_flags },
	{ "xstate resize", C_XSTATE, 2, mut_xstate_resize },
	{ "ldt", C_LDT, 2, mut_ldt },
	{ "vma move", C_VMA, 4, mut_vma_move },
	{ "vma split", C_VMA, 3, mut_vma_split },
	{ "vma drop", C_VMA, 2, mut_vma_drop },
	{ "vma duplicate", C_VMA, 2, mut_vma_dup },
	{ "page data", C_DATA, 2, mut_page_data },
	{ "checksum", C_CRC, 1, mut_crc },
	{ "digest", C_DIGEST, 2, mut_digest },
	{ "syscall regs", C_REGS, 2, mut_sysregs },
	{ "environment", C_ENV, 3, mut_env },
	{ "interrupt", C_INTR, 2, mut_interrupt },
	{ "pending", C_PENDING, 3, mut_pending },
};

#define NR_MUT	N(mutators)

static bool used[NR_MUT];

/* Damage the digest of the batch whose PGARR record is @i, once sealed. */
static void damage_digest(struct mut *m, int i)
{
	size_t a = m->recs[i].off, pg = m->recs[i + 1].off, at;
	uint64_t d;
	uint32_t n;
	int how = m->digest_bad;

	if (!how || !batch_digest(m->p, &m->recs[i], &m->recs[i + 1], &d)) {
		if (how)
			m->want = 0;	/* no batch for it any more */
		return;
	}
	mset(m, a + offsetof(struct cr_hdr_pgarr, digest), 8, d);
	n = mget(m, a + offsetof(struct cr_hdr_pgarr, nr_pages), 4);
	if (how == 3 && (!n || mget(m, pg + 12, 4)))
		how = 2;	/* no checksums in the image */
	switch (how) {
	case 1:
		mset(m, a + offsetof(struct cr_hdr_pgarr, digest), 8,
		     d ^ (1 + below(m, ~0ULL)));
		break;
	case 2:
		if (!n)
			return;
		at = a + sizeof(struct cr_hdr_pgarr) + 8 * below(m, n);
		mset(m, at, 8, mget(m, at, 8) ^ 1ULL << below(m, 64));
		break;
	default:
		at = pg + sizeof(struct cr_hdr_pages) + 8 * below(m, n);
		mset(m, at, 8, mget(m, at, 8) ^ 1ULL << below(m, 64));
		break;
	}
	if (batch_digest(m->p, &m->recs[i], &m->recs[i + 1], &d) &&
	    d == mget(m, a + offsetof(struct cr_hdr_pgarr, digest), 8))
		m->want = 0;	/* 2^-64 */
}

/*
 * Seal each batch as checkpoint(2) would: the digest in its PGARR record
 * of its addresses and its PAGES record up to the contents, for each
 * batch that changed; but batch @m->keep_digest, whose digest a mutator
 * changed or means to damage (damage_digest()).
 */
static void fix_digests(struct mut *m)
{
	size_t at;
	uint64_t d;
	int i, k = 0;

	for (i = 0; i + 1 < m->nr; i++) {
		if (m->recs[i].type != CR_HDR_PGARR)
			continue;
		if (k++ == m->keep_digest) {
			damage_digest(m, i);
			continue;
		}
		/* A batch before the first change is the image's own. */
		if (rec_end(m, i + 1) <= m->dirty ||
		    !batch_digest(m->p, &m->recs[i], &m->recs[i + 1], &d))
			continue;
		at = m->recs[i].off + offsetof(struct cr_hdr_pgarr, digest);
		if (mget(m, at, 8) != d)
			mset(m, at, 8, d);
	}
}

/*
 * Seal the mutant as checkpoint(2) would: the tail's CRC-32C of all its
 * records before, but the addresses of the batches and their PAGES
 * records, which the batches' digests (fix_digests(), first) and their
 * pages' own checksums cover (the mutators that change contents seal
 * those).
 */
static void fix_crc(struct mut *m)
{
	const struct kind *k = &kinds[m->kind];
	uint32_t crc = ~0U;
	int i, j = 0, lo = 0, hi = k->nr - 1;
	size_t at;

	for (i = 0; i < m->nr; i++)
		if (m->recs[i].type == CR_HDR_TAIL &&
		    m->recs[i].len >= sizeof(struct cr_hdr_tail))
			break;
	if (i == m->nr)
		return;
	at = m->recs[i].off + offsetof(struct cr_hdr_tail, crc32c);
	/*
	 * Start from the image's own register where nothing changed yet:
	 * its records before are the mutant's, at the same indexes.
	 */
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;

		if (k->recs[mid].off <= m->dirty && k->recs[mid].off <= at)
			lo = mid;
		else
			hi = mid - 1;
	}
	if (k->recs[lo].off <= m->dirty && lo <= i &&
	    m->recs[lo].off == k->recs[lo].off) {
		j = lo;
		crc = k->crc[lo];
	}
	for (; j < i; j++)
		crc = crc_rec(crc, m->p + m->recs[j].off, m->recs[j].len);
	crc = ~crc32c_update(crc, m->p + m->recs[i].off,
			     at - m->recs[i].off);
	if (m->crc_bad)
		crc ^= 1 + below(m, 0xfffffffe);
	memcpy(m->p + at, &crc, 4);
}

/* Put the valid image of @kind back in its buffer, as mt. */
static void reset(int kind)
{
	struct kind *k = &kinds[kind];
	struct mut *m = &mt;

	if (k->flen != k->cap && ftruncate(k->sfd, k->cap))
		LOG("cannot extend the %s scratch file: %s", k->name,
		    strerror(errno));
	k->flen = k->cap;
	if (k->dirty < k->size)
		memcpy(k->buf + k->dirty, k->img + k->dirty,
		       k->size - k->dirty);
	k->dirty = k->size;
	m->kind = kind;
	m->p = k->buf;
	m->cap = k->cap;
	m->len = k->size;
	m->dirty = m->len;
	m->crc_bad = false;
	m->keep_digest = -1;
	m->digest_bad = 0;
	m->want = 0;
	memset(&m->env, 0, sizeof(m->env));
	m->env.rlimit = -1;
	m->dlen = 0;
	m->desc[0] = '\0';
}

static const char *applying;	/* the mutator at work, for a crash */
static long mutant_idx = -1;

/* Make mutant @idx of @kind in mt. */
static void mutate(long idx, int kind)
{
	struct mut *m = &mt;
	int n, i, tries, total = 0, r, applied = 0;

	reset(kind);
	m->rng = mix(idx, 1);
	mutant_idx = idx;
	memset(used, 0, sizeof(used));
	reparse(m);

	for (i = 0; i < (int)NR_MUT; i++)
		if (mutators[i].cls < 0 || !(opt.off & 1U << mutators[i].cls))
			total += mutators[i].weight;
	n = 1 + chance(m, 40) + chance(m, 15) + chance(m, 5);
	while (n-- > 0 && total) {
		for (tries = 0; tries < 50; tries++) {
			r = below(m, total);
			for (i = 0; i < (int)NR_MUT; i++) {
				if (mutators[i].cls >= 0 &&
				    opt.off & 1U << mutators[i].cls)
					continue;
				r -= mutators[i].weight;
				if (r < 0)
					break;
			}
			if (i >= (int)NR_MUT)
				continue;
			applying = mutators[i].name;
			if (mutators[i].fn(m)) {
				used[i] = true;
				applied++;
				break;
			}
		}
		reparse(m);
	}
	/* What one mutation is refused with, another may forestall. */
	if (applied != 1)
		m->want = 0;
	applying = "digest";
	fix_digests(m);
	applying = "checksum";
	fix_crc(m);
	applying = NULL;
	kinds[kind].dirty = m->dirty < m->len ? m->dirty : m->len;
}

/* Running a mutant. */

struct regs_seen {
	uint64_t gp[6];		/* rbx, rbp, r12-r15 after the call */
	uint8_t xmm[4][16];	/* xmm12-xmm15 after */
	uint32_t mxcsr;
	uint16_t fcw;
	uint16_t pad;
};

struct regs_set {
	uint8_t xmm[4][16];	/* 0: loaded into xmm12-xmm15 */
	uint32_t mxcsr;		/* 64 */
	uint16_t fcw;		/* 68 */
	uint16_t pad;
	uint32_t mxcsr_dfl;	/* 72 */
	uint16_t fcw_dfl;	/* 76 */
};

#define GP_MAGIC(i)	(0x5a5a000000000000ULL + 0x1111111111ULL * ((i) + 1))

/*
 * restart(2) with callee-saved registers, four SSE registers, MXCSR and
 * the x87 control word holding known values across the call, and what
 * they hold after it in @out. Returns what the syscall returned.
 */
static long restart_checked(int fd, int logfd, struct cr_inherit *subs,
			    long nr, struct regs_seen *out,
			    const struct regs_set *in)
{
	register long r10 __asm__("r10") = logfd;
	register long r8 __asm__("r8") = (long)subs;
	register long r9 __asm__("r9") = nr;
	long ret;

	/* 128 bytes below the stack pointer first: the red zone */
	__asm__ volatile("sub $128, %%rsp\n\t"
		"push %%rbx\n\tpush %%rbp\n\tpush %%r12\n\t"
		"push %%r13\n\tpush %%r14\n\tpush %%r15\n\t"
		"push %[out]\n\t"
		"push %[in]\n\t"
		"movdqu 0(%[in]), %%xmm12\n\t"
		"movdqu 16(%[in]), %%xmm13\n\t"
		"movdqu 32(%[in]), %%xmm14\n\t"
		"movdqu 48(%[in]), %%xmm15\n\t"
		"ldmxcsr 64(%[in])\n\t"
		"fldcw 68(%[in])\n\t"
		"movabs %[g0], %%rbx\n\t"
		"movabs %[g1], %%rbp\n\t"
		"movabs %[g2], %%r12\n\t"
		"movabs %[g3], %%r13\n\t"
		"movabs %[g4], %%r14\n\t"
		"movabs %[g5], %%r15\n\t"
		"syscall\n\t"
		"pop %%rcx\n\t"
		"pop %%r11\n\t"
		"mov %%rbx, 0(%%r11)\n\t"
		"mov %%rbp, 8(%%r11)\n\t"
		"mov %%r12, 16(%%r11)\n\t"
		"mov %%r13, 24(%%r11)\n\t"
		"mov %%r14, 32(%%r11)\n\t"
		"mov %%r15, 40(%%r11)\n\t"
		"movdqu %%xmm12, 48(%%r11)\n\t"
		"movdqu %%xmm13, 64(%%r11)\n\t"
		"movdqu %%xmm14, 80(%%r11)\n\t"
		"movdqu %%xmm15, 96(%%r11)\n\t"
		"stmxcsr 112(%%r11)\n\t"
		"fnstcw 116(%%r11)\n\t"
		"ldmxcsr 72(%%rcx)\n\t"
		"fldcw 76(%%rcx)\n\t"
		"pop %%r15\n\tpop %%r14\n\tpop %%r13\n\t"
		"pop %%r12\n\tpop %%rbp\n\tpop %%rbx\n\t"
		"add $128, %%rsp\n\t"
		: "=a"(ret)
		: "a"((long)__NR_restart), "D"(0L), "S"((long)fd),
		  "d"((long)RESTART_RUN),
		  "r"(r10), "r"(r8), "r"(r9), [out] "r"(out), [in] "r"(in),
		  [g0] "i"(GP_MAGIC(0)), [g1] "i"(GP_MAGIC(1)),
		  [g2] "i"(GP_MAGIC(2)), [g3] "i"(GP_MAGIC(3)),
		  [g4] "i"(GP_MAGIC(4)), [g5] "i"(GP_MAGIC(5))
		: "rcx", "r11", "memory", "cc", "xmm12", "xmm13", "xmm14",
		  "xmm15");
	return ret;
}

/* What a caller whose restart(2) failed must still have. */
struct ksigaction {
	uint64_t handler, flags, restorer, mask;
};

struct state {
	uint64_t sum;
	unsigned long fsbase, gsbase;
	struct ksigaction act[CR_NSIG];
	uint64_t blocked;
	stack_t ss;
	char comm[17];
	uid_t uid[3];
	gid_t gid[3];
	int ngroups;
	long brk;
	int thp, dumpable, mdwe, pers;
	struct rlimit rlim[CR_NRLIMIT];
	unsigned int umask;
	int rseq_err;
	long robust_ret;
	void *robust;
	size_t robust_len;
	unsigned long long mmf[10];
	char maps[1 << 15];
};

enum {
	BAD_MEMORY = 1 << 0, BAD_FSGS = 1 << 1, BAD_SIGACTION = 1 << 2,
	BAD_SIGMASK = 1 << 3, BAD_ALTSTACK = 1 << 4, BAD_COMM = 1 << 5,
	BAD_CREDS = 1 << 6, BAD_MM = 1 << 7, BAD_RSEQ = 1 << 8,
	BAD_FUTEX = 1 << 9, BAD_MAPS = 1 << 10, BAD_GPR = 1 << 11,
	BAD_FPU = 1 << 12, BAD_RETURNED = 1 << 13, BAD_PROC = 1 << 14,
};

/* The umask, from /proc/self/status: umask(2) alone would change it. */
static unsigned int get_umask(void)
{
	char buf[4096], *p;

	if (read_file("/proc/self/status", buf, sizeof(buf)) <= 0)
		return ~0U;
	p = strstr(buf, "\nUmask:");
	return p ? strtoul(p + 7, NULL, 8) : ~0U;
}

static unsigned char check_buf[1 << 14];
static char caller_altstack[16384];

static uint64_t checksum(void)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < sizeof(check_buf); i += 8)
		s = s * 31 + getv(check_buf + i, 8);
	return s;
}

/* Fields 26-28 and 45-51 of /proc/self/stat: the mm's bounds. */
static void stat_mm(unsigned long long *mmf)
{
	static const int want[10] = { 26, 27, 28, 45, 46, 47, 48, 49, 50, 51 };
	char buf[1024], *p;
	int field = 3, k = 0;

	memset(mmf, 0, 10 * sizeof(*mmf));
	if (read_file("/proc/self/stat", buf, sizeof(buf)) <= 0)
		return;
	p = strrchr(buf, ')');
	if (!p)
		return;
	p += 2;
	while (*p && k < 10) {
		if (field == want[k])
			mmf[k++] = strtoull(p, NULL, 10);
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
		field++;
	}
}

static void state_take(struct state *s)
{
	void *rs = (char *)__builtin_thread_pointer() + __rseq_offset;
	int sig;

	s->sum = checksum();
	syscall(SYS_arch_prctl, ARCH_GET_FS, &s->fsbase);
	syscall(SYS_arch_prctl, ARCH_GET_GS, &s->gsbase);
	for (sig = 1; sig <= CR_NSIG; sig++)
		syscall(SYS_rt_sigaction, sig, NULL, &s->act[sig - 1], 8);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &s->blocked, 8);
	sigaltstack(NULL, &s->ss);
	memset(s->comm, 0, sizeof(s->comm));
	prctl(PR_GET_NAME, s->comm);
	getresuid(&s->uid[0], &s->uid[1], &s->uid[2]);
	getresgid(&s->gid[0], &s->gid[1], &s->gid[2]);
	s->ngroups = getgroups(0, NULL);
	s->brk = syscall(SYS_brk, 0);
	s->thp = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	s->dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	s->mdwe = prctl(PR_GET_MDWE, 0, 0, 0, 0);
	s->pers = personality(0xffffffff);
	for (sig = 0; sig < CR_NRLIMIT; sig++)
		getrlimit(sig, &s->rlim[sig]);
	s->umask = get_umask();
	/* registered already: EBUSY, as long as it stays registered */
	s->rseq_err = 0;
	if (__rseq_size &&
	    syscall(SYS_rseq, rs, __rseq_size > 32 ? __rseq_size : 32, 0,
		    0x53053053) < 0)
		s->rseq_err = errno;
	s->robust_ret = syscall(SYS_get_robust_list, 0, &s->robust,
				&s->robust_len);
	stat_mm(s->mmf);
	read_file("/proc/self/maps", s->maps, sizeof(s->maps));
}

/* Note @bit in *@bad when @cond; the first difference is told in @what. */
static void diff(uint32_t *bad, char *what, size_t len, uint32_t bit,
		 bool cond, const char *fmt, ...)
{
	va_list ap;

	if (!cond)
		return;
	if (!*bad) {
		va_start(ap, fmt);
		vsnprintf(what, len, fmt, ap);
		va_end(ap);
	}
	*bad |= bit;
}

/* The first difference between @a and @b, as bits and words in @what. */
static uint32_t state_cmp(const struct state *a, const struct state *b,
			  char *w, size_t n)
{
	uint32_t bad = 0;
	int i;

	diff(&bad, w, n, BAD_MEMORY, a->sum != b->sum,
	     "memory checksum changed");
	diff(&bad, w, n, BAD_FSGS, a->fsbase != b->fsbase,
	     "fs base %#lx -> %#lx", a->fsbase, b->fsbase);
	diff(&bad, w, n, BAD_FSGS, a->gsbase != b->gsbase,
	     "gs base %#lx -> %#lx", a->gsbase, b->gsbase);
	for (i = 0; i < CR_NSIG; i++)
		diff(&bad, w, n, BAD_SIGACTION,
		     memcmp(&a->act[i], &b->act[i], sizeof(a->act[i])),
		     "signal %d action %#llx/%#llx -> %#llx/%#llx", i + 1,
		     (unsigned long long)a->act[i].handler,
		     (unsigned long long)a->act[i].flags,
		     (unsigned long long)b->act[i].handler,
		     (unsigned long long)b->act[i].flags);
	diff(&bad, w, n, BAD_SIGMASK, a->blocked != b->blocked,
	     "blocked %#llx -> %#llx", (unsigned long long)a->blocked,
	     (unsigned long long)b->blocked);
	diff(&bad, w, n, BAD_ALTSTACK, a->ss.ss_sp != b->ss.ss_sp ||
	     a->ss.ss_size != b->ss.ss_size || a->ss.ss_flags != b->ss.ss_flags,
	     "altstack %p+%zu -> %p+%zu", a->ss.ss_sp, a->ss.ss_size,
	     b->ss.ss_sp, b->ss.ss_size);
	diff(&bad, w, n, BAD_COMM, strcmp(a->comm, b->comm),
	     "comm %s -> %s", a->comm, b->comm);
	diff(&bad, w, n, BAD_CREDS, memcmp(a->uid, b->uid, sizeof(a->uid)) ||
	     memcmp(a->gid, b->gid, sizeof(a->gid)) ||
	     a->ngroups != b->ngroups, "credentials changed");
	diff(&bad, w, n, BAD_MM, a->brk != b->brk,
	     "brk %#lx -> %#lx", a->brk, b->brk);
	diff(&bad, w, n, BAD_MM, a->thp != b->thp || a->dumpable != b->dumpable ||
	     a->mdwe != b->mdwe || a->pers != b->pers,
	     "THP-disable/dumpable/MDWE/personality changed");
	diff(&bad, w, n, BAD_MM, memcmp(a->mmf, b->mmf, sizeof(a->mmf)),
	     "mm bounds in /proc/self/stat changed");
	for (i = 0; i < CR_NRLIMIT; i++)
		diff(&bad, w, n, BAD_PROC,
		     a->rlim[i].rlim_cur != b->rlim[i].rlim_cur ||
		     a->rlim[i].rlim_max != b->rlim[i].rlim_max,
		     "limit %d %#llx/%#llx -> %#llx/%#llx", i,
		     (unsigned long long)a->rlim[i].rlim_cur,
		     (unsigned long long)a->rlim[i].rlim_max,
		     (unsigned long long)b->rlim[i].rlim_cur,
		     (unsigned long long)b->rlim[i].rlim_max);
	diff(&bad, w, n, BAD_PROC, a->umask != b->umask, "umask %#o -> %#o",
	     a->umask, b->umask);
	diff(&bad, w, n, BAD_RSEQ, a->rseq_err != b->rseq_err,
	     "rseq registration changed (errno %d -> %d)", a->rseq_err,
	     b->rseq_err);
	diff(&bad, w, n, BAD_FUTEX, a->robust_ret != b->robust_ret ||
	     a->robust != b->robust || a->robust_len != b->robust_len,
	     "robust list %p -> %p", a->robust, b->robust);
	diff(&bad, w, n, BAD_MAPS, strcmp(a->maps, b->maps),
	     "/proc/self/maps changed");
	return bad;
}

static void caller_handler(int sig, siginfo_t *si, void *uc)
{
}

/* Signal state, names and bases for the unchanged-caller checks. */
static void caller_setup(uint64_t nonce)
{
	struct sigaction sa = { .sa_sigaction = caller_handler };
	stack_t ss = { .ss_sp = caller_altstack,
		       .ss_size = sizeof(caller_altstack) };
	uint64_t s = nonce;
	sigset_t set;
	size_t i;

	for (i = 0; i < sizeof(check_buf); i += 8) {
		uint64_t v = splitmix(&s);

		memcpy(check_buf + i, &v, 8);
	}
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGUSR2, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigaltstack(&ss, NULL);
	/* glibc keeps nothing in gs: ours to set */
	syscall(SYS_arch_prctl, ARCH_SET_GS,
		0x100000000UL + ((nonce & 0xfff) << 12));
	prctl(PR_SET_NAME, RESTARTER_COMM);
}

static struct state before, after;
static struct regs_set regs_in;

static void set_limit(int resource, uint64_t value)
{
	struct rlimit rl = { value, value };

	setrlimit(resource, &rl);
}

/*
 * What a restored mutant may do: no core dumps, few processes, small
 * files. The targets run with them too, so that their images hold them:
 * restart(2) gives the restored task the image's limits, and raising a
 * hard limit above the restarter's takes CAP_SYS_RESOURCE.
 */
static void safety_limits(void)
{
	set_limit(RLIMIT_CORE, 0);
	set_limit(RLIMIT_NPROC, 16);
	set_limit(RLIMIT_FSIZE, 64 << 20);
}

/*
 * A soft limit of the restarter's, which its checks of the image's
 * memory go by; the hard one stays, for the image's limits to fit.
 */
static void set_soft_limit(int resource, uint64_t value)
{
	struct rlimit rl;

	getrlimit(resource, &rl);
	rl.rlim_cur = value;
	setrlimit(resource, &rl);
}

/*
 * The restarting child: leave itself only the descriptors the restored
 * task is to find (the image at IMAGE_FD, the log at LOG_FD, the report
 * pipe at REPORT_FD, and for a restarter that serves many mutants the
 * command pipe and every kind's image), become nobody, set up what it
 * checks and take its state before.
 */
static void restarter_setup(int imgfd, int logfd, int repfd, int cmdfd,
			    uint64_t nonce, const struct env *env)
{
	int fd, i, k, kfd[NR_KINDS];

	setpgid(0, 0);
	/* Out of the way first, so that no dup2() closes another one. */
	repfd = fcntl(repfd, F_DUPFD, FD_HIGH);
	if (imgfd >= 0)
		imgfd = fcntl(imgfd, F_DUPFD, FD_HIGH);
	if (logfd >= 0)
		logfd = fcntl(logfd, F_DUPFD, FD_HIGH);
	if (cmdfd >= 0)
		cmdfd = fcntl(cmdfd, F_DUPFD, FD_HIGH);
	for (k = 0; k < NR_KINDS; k++)
		kfd[k] = cmdfd >= 0 && kinds[k].img ?
			 fcntl(kinds[k].rfd, F_DUPFD, FD_HIGH) : -1;
	if (repfd < 0 || dup2(repfd, REPORT_FD) < 0 ||
	    (imgfd >= 0 && dup2(imgfd, IMAGE_FD) < 0) ||
	    (logfd >= 0 && dup2(logfd, LOG_FD) < 0) ||
	    (cmdfd >= 0 && dup2(cmdfd, CMD_FD) < 0))
		_exit(120);
	for (k = 0; k < NR_KINDS; k++)
		if (kfd[k] >= 0 && dup2(kfd[k], KIND_FD + k) < 0)
			_exit(120);
	fd = open("/dev/null", O_RDWR);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(121);
	for (i = 3; i < IMAGE_FD; i++)
		close(i);
	if (logfd < 0)
		close(LOG_FD);
	close_range(LOG_FD + 1, REPORT_FD - 1, 0);
	close_range(REPORT_FD + 1, CMD_FD - 1, 0);
	if (cmdfd < 0)
		close(CMD_FD);
	close_range(CMD_FD + 1, KIND_FD - 1, 0);
	close_range(KIND_FD + NR_KINDS, ~0U, 0);
	for (k = 0; k < NR_KINDS; k++)
		if (kfd[k] < 0)
			close(KIND_FD + k);

	safety_limits();
	if (env->rlimit >= 0)
		set_soft_limit(env->rlimit, env->rlim);
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		report(PH_SETUP, nonce, errno, 0, "cannot become nobody");
		_exit(122);
	}
	if (env->mdwe)
		prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0);
	if (env->thp_off)
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	caller_setup(nonce);
	for (i = 0; i < 64; i++)
		regs_in.xmm[i / 16][i % 16] = nonce >> (i % 8) ^ i;
	regs_in.mxcsr = 0x7f80;		/* round toward zero */
	regs_in.fcw = 0x027f;		/* double precision */
	regs_in.mxcsr_dfl = 0x1f80;
	regs_in.fcw_dfl = 0x037f;
	state_take(&before);
}

/*
 * Restart the image at IMAGE_FD. Comes back only when restart(2) failed,
 * to check that nothing changed since the state before was taken;
 * returns what did.
 */
static uint32_t restarter_once(uint64_t nonce, bool log, bool rt)
{
	static struct regs_seen seen;
	struct cr_inherit *subs;
	char what[224] = "";
	uint32_t bad;
	long ret, nr;
	int i;

	/* A file at RT_FD asks the restored task to round-trip. */
	if (!rt)
		close(RT_FD);
	else if (dup2(IMAGE_FD, RT_FD) < 0)
		_exit(123);
	lseek(IMAGE_FD, 0, SEEK_SET);
	report(PH_PRE, nonce, 0, 0, NULL);

	subs = image_subs(IMAGE_FD, &nr);
	ret = restart_checked(IMAGE_FD, log ? LOG_FD : -1, subs, nr, &seen,
			      &regs_in);

	/* Back: restart(2) failed, or returned without switching. */
	report(PH_RET, nonce, ret < 0 ? -ret : 0, 0, NULL);
	state_take(&after);
	bad = state_cmp(&before, &after, what, sizeof(what));
	for (i = 0; i < 6; i++)
		if (seen.gp[i] != GP_MAGIC(i)) {
			if (!bad)
				snprintf(what, sizeof(what),
					 "callee-saved register %d: %#llx", i,
					 (unsigned long long)seen.gp[i]);
			bad |= BAD_GPR;
		}
	if (memcmp(seen.xmm, regs_in.xmm, sizeof(regs_in.xmm)) ||
	    seen.mxcsr != regs_in.mxcsr || seen.fcw != regs_in.fcw) {
		if (!bad)
			snprintf(what, sizeof(what),
				 "SSE/x87 state changed: mxcsr %#x fcw %#x",
				 seen.mxcsr, seen.fcw);
		bad |= BAD_FPU;
	}
	if (ret >= 0) {
		snprintf(what, sizeof(what),
			 "restart(2) returned %ld without switching", ret);
		bad |= BAD_RETURNED;
	}
	report(PH_POST, nonce, ret < 0 ? -ret : 0, bad, what);
	return bad;
}

/* One mutant, in @imgfd, with the caller as @env makes it. */
static void restarter(int imgfd, int logfd, int repfd, uint64_t nonce,
		      const struct env *env)
{
	restarter_setup(imgfd, logfd, repfd, -1, nonce, env);
	restarter_once(nonce, logfd >= 0, env->round_trip);
	_exit(0);
}

struct cmd {
	uint32_t magic;
	int16_t kind;
	int16_t round_trip;
	uint64_t nonce;
};

/*
 * A restarter that serves mutant after mutant: a refused image leaves the
 * caller exactly as it was, which it checks each time against the state
 * it took once, so it can go on with the next. It is gone once an image
 * restarts (it is then the restored task) or once it finds itself
 * changed.
 */
static void restarter_serve(int logfd, int repfd, int cmdfd, uint64_t nonce)
{
	struct env env = { .rlimit = -1 };
	struct cmd c;

	restarter_setup(-1, logfd, repfd, cmdfd, nonce, &env);
	while (read(CMD_FD, &c, sizeof(c)) == sizeof(c) && c.magic == REP_MAGIC &&
	       c.kind >= 0 && c.kind < NR_KINDS) {
		if (dup2(KIND_FD + c.kind, IMAGE_FD) < 0 ||
		    restarter_once(c.nonce, true, c.round_trip))
			break;
	}
	_exit(0);
}

/*
 * Outcomes and their counts, one set per worker process, in memory the
 * workers share with the test process that sums them.
 */
struct stats {
	long run, failures, reports, ran, timeouts, stopped, killed;
	long errnos[256], exits[256], sigs[65];
	double secs, max_secs;
	long max_idx;
	long krun[NR_KINDS], krefused[NR_KINDS], krestored[NR_KINDS];
	long applied[NR_MUT], applied_ok[NR_MUT], applied_run[NR_MUT];
	/* restart's reasons for refusing, numbers left out: what was reached */
	struct reason {
		char text[80];
		long count;
	} reasons[160];
};

static struct stats *stats_all, *S;

/* What each worker runs, for a kernel report to be pinned on. */
struct slot {
	long idx[2];		/* now, and before */
	int kind[2];
	char desc[2][1024];
};

static struct slot *slots;
static int worker = -1, nworkers = 1;
static uint64_t *kmsg_claimed;	/* the last report sequence number taken */

static int kmsg_fd = -1;

static bool is_report(const char *s)
{
	static const char *const pats[] = {
		"BUG:", "WARNING:", "Oops", "KASAN", "UBSAN:", "Kernel panic",
		"unreferenced object", "suspected memory leak",
		"blocked for more than", "detected stall", "self-detected stall",
	};
	size_t i;

	for (i = 0; i < N(pats); i++)
		if (strstr(s, pats[i]))
			return true;
	return false;
}

/* New kernel messages; true, with an excerpt, if one is a report. */
/* Take the report numbered @seq, unless another worker has it. */
static bool claim(uint64_t seq)
{
	uint64_t old;

	if (!kmsg_claimed)
		return true;
	old = __atomic_load_n(kmsg_claimed, __ATOMIC_SEQ_CST);
	while (seq > old)
		if (__atomic_compare_exchange_n(kmsg_claimed, &old, seq, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return true;
	return false;
}

static bool kmsg_check(char *out, size_t len)
{
	char rec[2048], *msg, *nl;
	uint64_t seq;
	size_t pos = 0;
	bool found = false;
	ssize_t n;

	if (kmsg_fd < 0)
		return false;
	out[0] = '\0';
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		/* "prio,seq,time,flags;message": workers each read them all */
		msg = strchr(rec, ',');
		seq = msg ? strtoull(msg + 1, NULL, 10) : 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (!found && is_report(msg) && claim(seq))
			found = true;
		else if (found)
			claim(seq);
		if (found && pos + 1 < len)
			pos += snprintf(out + pos, len - pos, "\n    | %s", msg);
	}
	return found;
}

struct run {
	bool pre, ret, post, ran, timeout, stopped, hung, exited;
	bool interrupted;	/* killed by us inside restart(2) */
	int err;		/* of a failed restart(2) */
	uint32_t bad, oracle;
	int status;
	char what[240];
	char owhat[240];
	char log[2048];
	uint64_t t_fork, t_pre, t_ret, t_post, t_end, t_run;
};

/* The reports that came so far, taken into @r. */
static void read_reports(int fd, uint64_t nonce, struct run *r)
{
	struct report rp;

	while (read(fd, &rp, sizeof(rp)) == sizeof(rp)) {
		if (rp.magic != REP_MAGIC)
			continue;
		rp.what[sizeof(rp.what) - 1] = '\0';
		if (rp.phase == PH_RUN) {
			r->ran = true;
			r->t_run = rp.ns;
		} else if (rp.phase == PH_ORACLE) {
			r->oracle |= rp.bad;
			snprintf(r->owhat, sizeof(r->owhat), "%s", rp.what);
		} else if (rp.nonce != nonce) {
			continue;
		} else if (rp.phase == PH_PRE) {
			r->pre = true;
			r->t_pre = rp.ns;
		} else if (rp.phase == PH_RET) {
			r->ret = true;
			r->err = rp.err;
			r->t_ret = rp.ns;
		} else if (rp.phase == PH_POST) {
			r->post = true;
			r->t_post = rp.ns;
			r->err = rp.err;
			r->bad = rp.bad;
			snprintf(r->what, sizeof(r->what), "%s", rp.what);
		} else if (rp.phase == PH_SETUP) {
			snprintf(r->what, sizeof(r->what), "%s: %s", rp.what,
				 strerror(rp.err));
		}
	}
}

/*
 * Wait for @pid for @ms at most: true once it exited or stopped, or, with
 * @detach, once it reported a failed restart(2) and checked itself (it
 * then only exits, and is reaped later).
 */
static bool wait_child(pid_t pid, int pidfd, int repfd, int ms, bool detach,
		       uint64_t nonce, struct run *r, int *status)
{
	struct pollfd p[2] = {
		{ .fd = repfd, .events = POLLIN },
		{ .fd = pidfd, .events = POLLIN },
	};
	uint64_t end = now_ns() + ms * 1000000ULL, t;

	for (;;) {
		if (repfd >= 0)
			read_reports(repfd, nonce, r);
		if (detach && r->post)
			return true;
		if (waitpid(pid, status, WNOHANG | WUNTRACED) == pid) {
			r->exited = true;
			return true;
		}
		t = now_ns();
		if (t >= end)
			return false;
		t = (end - t) / 1000000 + 1;
		/* the report pipe stays readable at its end: poll the pid only */
		if (poll(repfd >= 0 && !(p[0].revents & POLLHUP) ? p : p + 1,
			 repfd >= 0 && !(p[0].revents & POLLHUP) ? 2 : 1,
			 t < 100 ? t : 100) < 0 && pidfd < 0)
			usleep(1000);
	}
}

static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* A restarting child, seen from the parent. */
struct child {
	pid_t pid;
	int pidfd, rep, log, cmd;
};

static struct child server = { .pid = -1 };

/*
 * Fork a restarter: for the one image in @imgfd, or with @serve one that
 * takes mutant after mutant from a command pipe.
 */
static bool spawn(struct child *c, int imgfd, const struct env *env,
		  uint64_t nonce, bool serve)
{
	int rep[2], lg[2], cmd[2] = { -1, -1 };
	char junk[64] = "";

	if (pipe2(rep, O_NONBLOCK | O_CLOEXEC) ||
	    pipe2(lg, O_NONBLOCK | O_CLOEXEC) ||
	    (serve && pipe2(cmd, O_CLOEXEC)))
		return false;
	fcntl(rep[1], F_SETFD, 0);
	fcntl(lg[1], F_SETFD, 0);
	if (serve)
		fcntl(cmd[0], F_SETFD, 0);
	if (env->logfull)
		while (write(lg[1], junk, sizeof(junk)) > 0)
			;
	c->pid = fork();
	if (!c->pid) {
		if (kmsg_fd >= 0)
			close(kmsg_fd);
		if (serve)
			restarter_serve(lg[1], rep[1], cmd[0], nonce);
		restarter(imgfd, env->nolog ? -1 : lg[1], rep[1], nonce, env);
	}
	close(rep[1]);
	close(lg[1]);
	if (serve)
		close(cmd[0]);
	c->rep = rep[0];
	c->log = lg[0];
	c->cmd = cmd[1];
	c->pidfd = c->pid > 0 ? syscall(SYS_pidfd_open, c->pid, 0) : -1;
	return c->pid > 0;
}

static void child_close(struct child *c)
{
	close(c->rep);
	close(c->log);
	if (c->cmd >= 0)
		close(c->cmd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pid = -1;
}

/* Send @e's signal, once the restarter is inside restart(2). */
static void interrupt(struct child *c, const struct env *e, uint64_t nonce,
		      struct run *r)
{
	struct pollfd p = { .fd = c->rep, .events = POLLIN };
	int i;

	for (i = 0; i < 50 && !r->pre && !r->post; i++) {
		read_reports(c->rep, nonce, r);
		if (!r->pre)
			poll(&p, 1, 100);
	}
	if (!r->pre)
		return;
	usleep(e->sig_us);
	read_reports(c->rep, nonce, r);
	if (r->ret || r->post)
		return;		/* refused already */
	kill(c->pid, e->sig);
	r->interrupted = e->sig == SIGKILL;
}

/*
 * The outcome of the mutant that child @c restarts: wait for it, until
 * the deadline; with @detach, not for the exit of a child whose restart
 * failed. Returns whether @c can take another mutant.
 */
static bool finish(struct child *c, uint64_t nonce, bool detach,
		   struct run *r)
{
	char path[64], buf[64];
	int status = 0;
	ssize_t n;
	size_t len = 0;

	if (!wait_child(c->pid, c->pidfd, c->rep, opt.deadline * 1000, detach,
			nonce, r, &status)) {
		r->timeout = true;
		/*
		 * The restarter (by its name: a restored task has its
		 * image's) still inside restart(2) at the deadline: the
		 * kernel's hang. A restored task may call it again.
		 */
		snprintf(path, sizeof(path), "/proc/%d/syscall", c->pid);
		if (read_file(path, buf, sizeof(buf)) > 0 &&
		    strtol(buf, NULL, 10) == __NR_restart) {
			snprintf(path, sizeof(path), "/proc/%d/comm", c->pid);
			if (read_file(path, buf, sizeof(buf)) > 0 &&
			    !strcmp(buf, RESTARTER_COMM "\n"))
				r->hung = true;
		}
		kill(-c->pid, SIGKILL);
		kill(c->pid, SIGKILL);
		if (!wait_child(c->pid, c->pidfd, -1, 20000, false, nonce, r,
				&status)) {
			r->hung = true;
			snprintf(r->what, sizeof(r->what),
				 "the child cannot be killed");
		}
	}
	if (r->exited && WIFSTOPPED(status)) {
		r->stopped = true;
		kill(-c->pid, SIGKILL);
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &status, 0);
	}
	r->t_end = now_ns();
	/* What a restored task left running in its process group. */
	if (r->exited)
		kill(-c->pid, SIGKILL);
	r->status = status;
	reap_orphans();
	read_reports(c->rep, nonce, r);
	while (len < sizeof(r->log) - 1 &&
	       (n = read(c->log, r->log + len, sizeof(r->log) - 1 - len)) > 0)
		len += n;
	while (read(c->log, buf, sizeof(buf)) > 0)
		;
	r->log[len] = '\0';
	return detach && r->post && !r->bad && !r->exited && !r->timeout;
}

/*
 * Restart what is in @fd (a file, a pipe or a PRAM node) as nobody, in a
 * child of its own. With @detach, a child whose restart(2) failed is not
 * waited for once it checked itself.
 */
static void run_one(int fd, const struct env *env, uint64_t nonce,
		    bool detach, struct run *r)
{
	struct child c;

	memset(r, 0, sizeof(*r));
	r->t_fork = now_ns();
	if (!spawn(&c, fd, env, nonce, false)) {
		r->hung = true;
		snprintf(r->what, sizeof(r->what), "cannot fork: %s",
			 strerror(errno));
		return;
	}
	if (env->sig)
		interrupt(&c, env, nonce, r);
	finish(&c, nonce, detach, r);
	child_close(&c);
}

/* Restart the mutant of @kind in its scratch file, by the serving child. */
static void run_served(int kind, uint64_t nonce, const struct env *e,
		       struct run *r)
{
	struct env env = { .rlimit = -1 };
	struct cmd c = { REP_MAGIC, kind, e->round_trip, nonce };
	int tries;

	memset(r, 0, sizeof(*r));
	for (tries = 0; tries < 2; tries++) {
		if (server.pid < 0 &&
		    !spawn(&server, -1, &env, nonce ^ 0x5eed, true))
			break;
		r->t_fork = now_ns();
		if (write(server.cmd, &c, sizeof(c)) == sizeof(c))
			break;
		/* it died meanwhile: a new one */
		kill(server.pid, SIGKILL);
		waitpid(server.pid, NULL, 0);
		child_close(&server);
	}
	if (server.pid < 0 || tries == 2) {
		r->hung = true;
		snprintf(r->what, sizeof(r->what), "cannot start a restarter");
		return;
	}
	if (e->sig)
		interrupt(&server, e, nonce, r);
	if (!finish(&server, nonce, true, r)) {
		if (!r->exited)
			kill(server.pid, SIGKILL);
		child_close(&server);
	}
}

/*
 * Why @r is a failure, or NULL when it is an outcome allowed; @want is
 * the errno restart(2) must refuse the mutant with, if known (0).
 */
static const char *judge(const struct run *r, int want, char *why,
			 size_t len)
{
	if (r->hung)
		snprintf(why, len, "restart(2) did not return within %d s%s%s",
			 opt.deadline, r->what[0] ? ": " : "", r->what);
	else if (r->post && r->bad)
		snprintf(why, len,
			 "restart(2) failed with errno %d (%s) but changed the caller: %s",
			 r->err, strerror(r->err), r->what);
	else if (r->post && want && r->err != want)
		snprintf(why, len,
			 "restart(2) failed with errno %d (%s), where %s belongs",
			 r->err, strerror(r->err), strerrorname_np(want) ?: "?");
	else if (r->post)
		return NULL;
	else if (r->interrupted && WIFSIGNALED(r->status) &&
		 WTERMSIG(r->status) == SIGKILL)
		return NULL;	/* ours, maybe just after restart(2) failed */
	else if (r->ret)
		snprintf(why, len,
			 "restart(2) failed with errno %d (%s) and the caller died (status %#x)",
			 r->err, strerror(r->err), r->status);
	else if (!r->pre)
		snprintf(why, len, "the restarter died before restart(2) (status %#x)%s%s",
			 r->status, r->what[0] ? ": " : "", r->what);
	else if (r->oracle)
		snprintf(why, len, "the restored task has what restart must not grant: %s",
			 r->owhat);
	else if (want)
		snprintf(why, len, "restored, where restart(2) must refuse with %s",
			 strerrorname_np(want) ?: "?");
	else
		return NULL;
	return why;
}

/* Count restart's first log line, with its numbers and offset left out. */
static void count_reason(struct stats *t, const char *log, long n)
{
	char text[80], *p = text;
	const char *c = strstr(log, "image offset ");
	int i;

	if (!c && !strncmp(log, "restart: pid ", 13))
		c = log + 13;
	if (c)
		c = strstr(c, ": ");
	if (c)
		log = c + 2;
	for (c = log; *c && *c != '\n' && p < text + sizeof(text) - 1; c++) {
		if (isdigit(*c) || ((*c == 'x' || (*c >= 'a' && *c <= 'f')) &&
				    p > text && p[-1] == '#')) {
			if (p == text || p[-1] != '#')
				*p++ = '#';
			continue;
		}
		*p++ = *c;
	}
	*p = '\0';
	if (p == text)
		return;
	for (i = 0; i < (int)N(t->reasons) && t->reasons[i].count; i++)
		if (!strcmp(t->reasons[i].text, text))
			break;
	if (i == N(t->reasons))
		i--;		/* the last slot takes the rest */
	if (!t->reasons[i].count)
		memcpy(t->reasons[i].text, text, sizeof(text));
	t->reasons[i].count += n;
}

static void count(const struct run *r)
{
	if (r->post) {
		S->errnos[r->err & 0xff]++;
		count_reason(S, r->log, 1);
		return;
	}
	if (r->ran)
		S->ran++;
	if (r->interrupted && WIFSIGNALED(r->status) &&
	    WTERMSIG(r->status) == SIGKILL)
		S->killed++;
	else if (r->timeout)
		S->timeouts++;
	else if (r->stopped)
		S->stopped++;
	else if (WIFEXITED(r->status))
		S->exits[WEXITSTATUS(r->status)]++;
	else if (WIFSIGNALED(r->status))
		S->sigs[WTERMSIG(r->status) & 63]++;
}

static const char *outcome(const struct run *r, char *buf, size_t len)
{
	if (r->post)
		snprintf(buf, len, "refused: %s", strerrorname_np(r->err) ?:
			 "?");
	else if (r->interrupted && WIFSIGNALED(r->status) &&
		 WTERMSIG(r->status) == SIGKILL)
		snprintf(buf, len, "killed inside restart(2)");
	else if (r->timeout)
		snprintf(buf, len, "restored, killed at the deadline%s",
			 r->ran ? "" : " (never reached its code)");
	else if (r->stopped)
		snprintf(buf, len, "restored, stopped");
	else if (WIFEXITED(r->status))
		snprintf(buf, len, "restored, exit %d%s",
			 WEXITSTATUS(r->status),
			 r->ran ? "" : " (never reached its code)");
	else
		snprintf(buf, len, "restored, killed by %s%s",
			 sigabbrev_np(WTERMSIG(r->status)) ?: "?",
			 r->ran ? "" : " (never reached its code)");
	return buf;
}

/*
 * Put the mutant where the restarter reads it: the scratch file, a pipe
 * fed by a child of ours, or for the pram kind a new PRAM node. A node
 * written with write(2) holds bytes only; the pages its PAGES records
 * take from the node's page stream are put there by checkpointing the
 * kind's stopped task into the same node after the mutant, which appends
 * a whole valid image behind it, never read. Returns the descriptor.
 */
static int stage(const struct mut *m, long idx, char *node, size_t nlen)
{
	int p[2], fd;
	size_t off;
	ssize_t n;
	pid_t pid;

	if (m->kind == K_PRAM) {
		snprintf(node, nlen, PRAM_DIR "/restart_fuzz-m%ld", idx);
		unlink(node);
		fd = open(node, O_CREAT | O_EXCL | O_WRONLY, 0600);
		if (fd < 0)
			return -1;
		for (off = 0; off < m->len; off += n) {
			n = write(fd, m->p + off, m->len - off);
			if (n <= 0)
				break;
		}
		if (off != m->len ||
		    sys_checkpoint(kinds[K_PRAM].keep, fd, 0, -1) <= 0) {
			close(fd);
			unlink(node);
			return -1;
		}
		close(fd);
		return open(node, O_RDONLY);
	}
	node[0] = '\0';
	if (m->env.pipe) {
		if (pipe(p))
			return -1;
		pid = fork();
		if (!pid) {
			close(p[0]);
			for (off = 0; off < m->len; off += n) {
				n = write(p[1], m->p + off, m->len - off);
				if (n <= 0)
					break;
			}
			_exit(0);
		}
		close(p[1]);
		return pid < 0 ? -1 : p[0];
	}
	if (ftruncate(kinds[m->kind].sfd, m->len))
		return -1;
	kinds[m->kind].flen = m->len;
	return dup(kinds[m->kind].rfd);
}

static const char *kind_list(char *buf, size_t len)
{
	size_t pos = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < NR_KINDS; k++)
		if (kinds[k].img && (!opt.kinds || opt.kinds & 1U << k))
			pos += snprintf(buf + pos, len - pos, " %s",
					kinds[k].name);
	return buf;
}

/* What is printed, as it reads. */
#define FMT_START	"restart_fuzz: seed %llu, %ld mutants, kinds:%s, %d worker(s), %d s deadline; replay one with -s %llu -k KIND -i INDEX\n"
#define FMT_MUTANT	"# mutant %ld %s: %s (%.0f ms: mutate %.0f, stage %.0f, run %.0f: setup %.0f, restart %.0f, check %.0f, exit %.0f, task %.0f)\n#   %s\n"
#define FMT_SUMMARY	"restart_fuzz: seed %llu: %ld mutants in %.1f s with %d worker(s) (%.1f ms each, slowest %.0f ms: mutant %ld), %ld failures, %ld kernel reports\n"

static double ms(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

/*
 * Whether mutant @m needs a restarter of its own: one that changes the
 * restarter, or comes through a pipe or a PRAM node, which the serving
 * restarter cannot be handed.
 */
static bool fresh(const struct mut *m)
{
	const struct env *e = &m->env;

	return opt.fresh || m->kind == K_PRAM || e->pipe || e->rlimit >= 0 ||
	       e->mdwe || e->thp_off || e->nolog || e->logfull;
}

static void log_failure(long idx, int kind, const char *why,
			const struct run *r, const char *kern)
{
	int w;

	LOG("FAIL mutant %ld, kind %s: %s", idx, kinds[kind].name, why);
	LOG("  mutations: %s", mt.desc);
	LOG("  replay: restart_fuzz -s %llu -k %s -i %ld",
	    (unsigned long long)opt.seed, kinds[kind].name, idx);
	if (r->log[0])
		LOG("  restart log: %s", r->log);
	if (!kern)
		return;
	LOG("  kernel:%s", kern);
	for (w = 0; w < nworkers; w++) {
		struct slot *sl = &slots[w];
		int k;

		if (w == worker)
			continue;
		for (k = 0; k < 2; k++)
			if (sl->idx[k] >= 0)
				LOG("  or, at the same time, mutant %ld (-s %llu -k %s -i %ld): %s",
				    sl->idx[k], (unsigned long long)opt.seed,
				    kinds[sl->kind[k]].name, sl->idx[k],
				    sl->desc[k]);
	}
}

static bool fuzz_one(long idx, int kind, int verbose)
{
	char why[1024], kern[4096], out[128], node[128];
	struct timespec t0, t1, tm[3];
	struct slot *sl = &slots[worker];
	struct run r;
	bool failed, report_found;
	double secs;
	int fd, i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	mutate(idx, kind);
	/*
	 * A quarter of the restored tasks checkpoint themselves and restart
	 * that, where the caller's limits are the usual ones.
	 */
	mt.env.round_trip = mt.env.rlimit < 0 && !(mix(idx, 4) % 4);
	if (mt.env.round_trip)
		dsc(&mt, "round trip if restored");
	sl->idx[1] = sl->idx[0];
	sl->kind[1] = sl->kind[0];
	memcpy(sl->desc[1], sl->desc[0], sizeof(sl->desc[1]));
	snprintf(sl->desc[0], sizeof(sl->desc[0]), "%.1000s", mt.desc);
	sl->kind[0] = kind;
	sl->idx[0] = idx;
	clock_gettime(CLOCK_MONOTONIC, &tm[0]);
	fd = stage(&mt, idx, node, sizeof(node));
	clock_gettime(CLOCK_MONOTONIC, &tm[1]);
	if (fd < 0) {
		LOG("mutant %ld: cannot stage the image: %s", idx,
		    strerror(errno));
		S->failures++;
		return false;
	}
	if (fresh(&mt))
		run_one(fd, &mt.env, mix(idx, 2) | 1, kind != K_PRAM, &r);
	else
		run_served(kind, mix(idx, 2) | 1, &mt.env, &r);
	clock_gettime(CLOCK_MONOTONIC, &tm[2]);
	close(fd);
	if (node[0] && unlink(node))
		LOG("cannot delete %s: %s", node, strerror(errno));
	if (kind == K_FILE)
		repair_file();
	report_found = kmsg_check(kern, sizeof(kern));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = ms(&t0, &t1) / 1000;
	S->secs += secs;
	if (secs > S->max_secs) {
		S->max_secs = secs;
		S->max_idx = idx;
	}
	S->run++;
	S->krun[kind]++;
	if (r.post)
		S->krefused[kind]++;
	else
		S->krestored[kind]++;
	count(&r);
	for (i = 0; i < (int)NR_MUT; i++)
		if (used[i]) {
			S->applied[i]++;
			if (!r.post)
				S->applied_ok[i]++;
			if (r.ran)
				S->applied_run[i]++;
		}

	failed = !!judge(&r, mt.want, why, sizeof(why));
	if (report_found) {
		S->reports++;
		if (!failed)
			snprintf(why, sizeof(why),
				 "a kernel report (%s)", outcome(&r, out,
								 sizeof(out)));
		failed = true;
	}
	if (failed) {
		S->failures++;
		log_failure(idx, kind, why, &r, report_found ? kern : NULL);
	} else if (verbose) {
		printf(FMT_MUTANT,
		       idx, kinds[kind].name, outcome(&r, out, sizeof(out)),
		       secs * 1000, ms(&t0, &tm[0]), ms(&tm[0], &tm[1]),
		       ms(&tm[1], &tm[2]),
		       r.pre ? (r.t_pre - r.t_fork) / 1e6 : 0,
		       r.ret ? (r.t_ret - r.t_pre) / 1e6 :
		       r.ran ? (r.t_run - r.t_pre) / 1e6 :
		       r.pre ? (r.t_end - r.t_pre) / 1e6 : 0,
		       r.post ? (r.t_post - r.t_ret) / 1e6 : 0,
		       r.post && r.exited ? (r.t_end - r.t_post) / 1e6 : 0,
		       r.ran ? (r.t_end - r.t_run) / 1e6 : 0, mt.desc);
		if (r.log[0] && verbose > 1)
			printf("#   log: %s", r.log);
		fflush(stdout);
	}
	return !failed;
}

static int by_count(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static void summary(struct stats *t, double wall)
{
	char line[2048];
	size_t pos;
	int i, n;

	ksft_print_msg(FMT_SUMMARY,
		       (unsigned long long)opt.seed, t->run, wall, nworkers,
		       t->run ? t->secs * 1000 / t->run : 0, t->max_secs * 1000,
		       t->max_idx, t->failures, t->reports);
	pos = snprintf(line, sizeof(line), "refused:");
	for (i = 0; i < 256; i++)
		if (t->errnos[i])
			pos += snprintf(line + pos, sizeof(line) - pos, " %s %ld",
					strerrorname_np(i) ?: "?", t->errnos[i]);
	ksft_print_msg("  %s\n", line);
	pos = snprintf(line, sizeof(line), "restored (%ld reached their code):",
		       t->ran);
	for (i = 0; i < 256; i++)
		if (t->exits[i])
			pos += snprintf(line + pos, sizeof(line) - pos,
					" exit %d: %ld", i, t->exits[i]);
	for (i = 0; i < 65; i++)
		if (t->sigs[i])
			pos += snprintf(line + pos, sizeof(line) - pos,
					" %s: %ld", sigabbrev_np(i) ?: "?",
					t->sigs[i]);
	pos += snprintf(line + pos, sizeof(line) - pos,
			" deadline: %ld stopped: %ld; killed inside restart(2): %ld",
			t->timeouts, t->stopped, t->killed);
	ksft_print_msg("  %s\n", line);
	pos = snprintf(line, sizeof(line), "by kind (run/refused/restored):");
	for (i = 0; i < NR_KINDS; i++)
		if (t->krun[i])
			pos += snprintf(line + pos, sizeof(line) - pos,
					" %s %ld/%ld/%ld", kinds[i].name,
					t->krun[i], t->krefused[i],
					t->krestored[i]);
	ksft_print_msg("  %s\n", line);
	pos = snprintf(line, sizeof(line),
		       "by mutation (in/restored/reached code):");
	for (i = 0; i < (int)NR_MUT; i++)
		if (t->applied[i])
			pos += snprintf(line + pos, sizeof(line) - pos,
					" %s %ld/%ld/%ld,", mutators[i].name,
					t->applied[i], t->applied_ok[i],
					t->applied_run[i]);
	ksft_print_msg("  %s\n", line);
	for (n = 0; n < (int)N(t->reasons) && t->reasons[n].count; n++)
		;
	qsort(t->reasons, n, sizeof(t->reasons[0]), by_count);
	ksft_print_msg("  %d reasons for refusing, from restart's log:\n", n);
	for (i = 0; i < n; i++)
		ksft_print_msg("    %6ld %s\n", t->reasons[i].count,
			       t->reasons[i].text);
}

/* Add worker @w's counts to @t. */
static void add_stats(struct stats *t, const struct stats *w)
{
	int i;

	t->run += w->run;
	t->failures += w->failures;
	t->reports += w->reports;
	t->ran += w->ran;
	t->timeouts += w->timeouts;
	t->stopped += w->stopped;
	t->killed += w->killed;
	for (i = 0; i < 256; i++) {
		t->errnos[i] += w->errnos[i];
		t->exits[i] += w->exits[i];
	}
	for (i = 0; i < 65; i++)
		t->sigs[i] += w->sigs[i];
	t->secs += w->secs;
	if (w->max_secs > t->max_secs) {
		t->max_secs = w->max_secs;
		t->max_idx = w->max_idx;
	}
	for (i = 0; i < NR_KINDS; i++) {
		t->krun[i] += w->krun[i];
		t->krefused[i] += w->krefused[i];
		t->krestored[i] += w->krestored[i];
	}
	for (i = 0; i < (int)NR_MUT; i++) {
		t->applied[i] += w->applied[i];
		t->applied_ok[i] += w->applied_ok[i];
		t->applied_run[i] += w->applied_run[i];
	}
	for (i = 0; i < (int)N(w->reasons) && w->reasons[i].count; i++)
		count_reason(t, w->reasons[i].text, w->reasons[i].count);
}

/* The kind of mutant @idx, from the seed alone, by the kinds' weights. */
static int kind_of(long idx, const int *avail, int navail)
{
	int total = 0, i, r;

	for (i = 0; i < navail; i++)
		total += kinds[avail[i]].weight;
	r = mix(idx, 0) % total;
	for (i = 0; i < navail; i++) {
		r -= kinds[avail[i]].weight;
		if (r < 0)
			break;
	}
	return avail[i];
}

/*
 * Which worker runs mutant @idx: all of the file kind's in one, since
 * its restored tasks punch holes in the one file, and all of the PRAM
 * kind's in one, since they checkpoint the one stopped task again.
 */
static int worker_of(long idx, int kind)
{
	if (kind == K_FILE)
		return 0;
	if (kind == K_PRAM)
		return nworkers - 1;
	return idx % nworkers;
}

/* The fuzzer itself crashed: say where, for the replay. */
static void on_crash(int sig)
{
	char msg[sizeof(mt.desc) + 256];
	int n;

	n = snprintf(msg, sizeof(msg),
		     "# restart_fuzz crashed (signal %d) at mutant %ld (replay: -s %llu -i %ld), kind %s, in %s, after: %s\n",
		     sig, mutant_idx, (unsigned long long)opt.seed, mutant_idx,
		     kinds[mt.kind].name, applying ?: "the run", mt.desc);
	if (n > 0 && write(STDERR_FILENO, msg, n < (int)sizeof(msg) ? n :
			   (int)sizeof(msg) - 1) < 0)
		n = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Keep a worker and all it forks on one CPU: under TCG a wake-up on
 * another vCPU (the restarter's report waking its parent) costs
 * milliseconds, and the CPUs do not run any faster side by side.
 */
static void pin(int w)
{
	int n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(n > 0 ? w % n : 0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Worker @w: its own scratch files, then its share of the mutants. */
static int run_worker(int w, const int *avail, int navail, long first,
		      long last)
{
	long idx;
	int k;

	worker = w;
	S = &stats_all[w];
	pin(w);
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGFPE, on_crash);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	for (k = 0; k < NR_KINDS; k++)
		if (kinds[k].img && !scratch_init(k))
			return 1;
	tmpbuf = shared_alloc(tmpcap);
	if (!tmpbuf)
		return 1;
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	for (idx = first; idx < last; idx++) {
		int kind = kind_of(idx, avail, navail);

		if (worker_of(idx, kind) != w)
			continue;
		if (opt.mutate_only)
			mutate(idx, kind);
		else
			fuzz_one(idx, kind,
				 opt.index >= 0 ? 2 : opt.verbose);
	}
	if (server.pid > 0) {
		close(server.cmd);
		server.cmd = -1;
		waitpid(server.pid, NULL, 0);
		child_close(&server);
	}
	reap_orphans();
	return 0;
}

FIXTURE(restart_fuzz) {
	int unused;
};

FIXTURE_SETUP(restart_fuzz)
{
}

FIXTURE_TEARDOWN(restart_fuzz)
{
}

/* Our own limit is the per-mutant deadline; the harness's must not cut. */
TEST_F_TIMEOUT(restart_fuzz, mutants, 7 * 24 * 3600)
{
	int avail[NR_KINDS], fds[NR_KINDS], navail = 0, k, w, status;
	struct stats *total;
	struct timespec t0, t1;
	pid_t pids[16];
	char kl[4096];
	long first, last;

	md = _metadata;
	ASSERT_EQ(NULL, check_fields());
	if (geteuid())
		SKIP(return, "needs root, to become nobody");
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	page_sum_init();
	ASSERT_TRUE(make_targets());
	for (k = 0; k < NR_KINDS; k++)
		fds[k] = opt.kinds && !(opt.kinds & 1U << k) ? -1 :
			 make_image(k);
	for (k = 0; k < NR_KINDS; k++) {
		if (opt.kinds && !(opt.kinds & 1U << k))
			continue;
		if (fds[k] >= 0 && load_image(k, fds[k]))
			avail[navail++] = k;
		else
			EXPECT_EQ(K_PRAM, k) {
				TH_LOG("no %s image", kinds[k].name);
			}
	}
	ASSERT_LT(0, navail);
	for (k = 0; k < NR_KINDS; k++)
		if (kinds[k].img) {
			ASSERT_TRUE(scratch_init(k));
			if (kinds[k].cap > tmpcap)
				tmpcap = kinds[k].cap;
		}
	tmpbuf = shared_alloc(tmpcap);
	ASSERT_NE(NULL, tmpbuf);
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);

	nworkers = opt.index >= 0 ? 1 : opt.jobs;
	ksft_print_msg(FMT_START,
		       (unsigned long long)opt.seed,
		       opt.index >= 0 ? 1 : opt.count, kind_list(kl, sizeof(kl)),
		       nworkers, opt.deadline, (unsigned long long)opt.seed);
	for (k = 0; k < NR_KINDS; k++)
		if (kinds[k].img)
			ksft_print_msg("  %s image: %zu bytes, %d records\n",
				       kinds[k].name, kinds[k].size, kinds[k].nr);

	/*
	 * Each image unchanged restarts, as nobody, checks itself, and
	 * checkpoints itself into an image that restarts too.
	 */
	for (k = 0; k < navail && opt.index < 0; k++) {
		struct kind *kd = &kinds[avail[k]];
		char out[128], node[128];
		struct run r;
		int fd;

		reset(avail[k]);
		mt.env.round_trip = true;
		fd = stage(&mt, -1, node, sizeof(node));
		ASSERT_LE(0, fd);
		run_one(fd, &mt.env, 1, false, &r);
		close(fd);
		if (node[0])
			unlink(node);
		EXPECT_TRUE(!r.post && r.ran && WIFEXITED(r.status) &&
			    !WEXITSTATUS(r.status) && !r.oracle) {
			TH_LOG("the valid %s image: %s; %s %s %s", kd->name,
			       outcome(&r, out, sizeof(out)), r.what, r.owhat,
			       r.log);
		}
		repair_file();
	}
	EXPECT_FALSE(kmsg_check(kl, sizeof(kl))) {
		TH_LOG("a kernel report while restarting the valid images:%s",
		       kl);
	}
	close(kmsg_fd);
	kmsg_fd = -1;

	/* The mutants, shared out among workers, one per CPU by default. */
	stats_all = shared_alloc((nworkers + 1) * sizeof(*stats_all));
	slots = shared_alloc(nworkers * sizeof(*slots));
	kmsg_claimed = shared_alloc(sizeof(*kmsg_claimed));
	ASSERT_TRUE(stats_all && slots && kmsg_claimed);
	for (w = 0; w < nworkers; w++) {
		slots[w].idx[0] = -1;
		slots[w].idx[1] = -1;
	}
	first = opt.index >= 0 ? opt.index : 0;
	last = opt.index >= 0 ? opt.index + 1 : opt.count;
	fflush(stdout);
	fflush(stderr);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (w = 0; w < nworkers; w++) {
		pids[w] = fork();
		if (!pids[w])
			_exit(run_worker(w, avail, navail, first, last));
		ASSERT_LT(0, pids[w]);
	}
	total = &stats_all[nworkers];
	for (w = 0; w < nworkers; w++) {
		ASSERT_EQ(pids[w], waitpid(pids[w], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
			TH_LOG("worker %d ended with status %#x", w, status);
		}
		add_stats(total, &stats_all[w]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	summary(total, ms(&t0, &t1) / 1000);

	if (kinds[K_PRAM].keep > 0)
		kill_child(kinds[K_PRAM].keep);
	reap_orphans();
	remove_targets();
	EXPECT_EQ(0, total->failures);
}

static void help(const char *prog)
{
	int i;

	fprintf(stderr,
		"usage: %s [-s SEED|random] [-n COUNT] [-k KIND,...] [-i INDEX] [-j WORKERS] [-t SECONDS] [-x CLASS,...] [-f] [-m] [-v]\n"
		"  -s  seed (default %d)      -n  mutants (default %d)\n"
		"  -k  kinds of image only    -i  only mutant INDEX, logged in full\n"
		"  -j  worker processes, each on a CPU of its own (default: one per CPU, at most 4)\n"
		"  -f  a fresh restarting child for every mutant\n"
		"  -m  only make the mutants, restart none (tests the mutators)\n"
		"  -t  deadline per mutant    -x  classes of mutation left out\n"
		"  -v  log every mutant (twice: with restart's log)\n"
		"kinds:", prog, DEFAULT_SEED, DEFAULT_COUNT);
	for (i = 0; i < NR_KINDS; i++)
		fprintf(stderr, " %s", kinds[i].name);
	fprintf(stderr, "\nclasses:");
	for (i = 0; i < NR_CLS; i++)
		fprintf(stderr, " %s", cls_name[i]);
	fprintf(stderr, "\n");
	exit(2);
}

/* A comma-separated list of @names into a bitmask; -1 for an unknown one. */
static long names_mask(char *arg, const char *const *names, int n,
		       size_t stride)
{
	long mask = 0;
	char *tok, *save = NULL;
	int i;

	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n; i++)
			if (!strcmp(tok, *(const char *const *)
					 ((const char *)names + i * stride)))
				break;
		if (i == n)
			return -1;
		mask |= 1L << i;
	}
	return mask;
}

int main(int argc, char **argv)
{
	long mask;
	int c;

	/*
	 * The same layout on every run, so that a seed replays the same
	 * mutants: once more without address space randomization, before
	 * the options are taken apart.
	 */
	if (!(personality(0xffffffff) & ADDR_NO_RANDOMIZE) &&
	    personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE) != -1)
		execv("/proc/self/exe", argv);

	while ((c = getopt(argc, argv, "s:n:k:i:j:t:x:fmvh")) != -1) {
		switch (c) {
		case 's':
			if (!strcmp(optarg, "random")) {
				if (getrandom(&opt.seed, sizeof(opt.seed), 0) !=
				    sizeof(opt.seed))
					opt.seed = time(NULL);
				opt.seed >>= 1;
			} else {
				opt.seed = strtoull(optarg, NULL, 0);
			}
			break;
		case 'n':
			opt.count = strtol(optarg, NULL, 0);
			break;
		case 'k':
			mask = names_mask(optarg, &kinds[0].name, NR_KINDS,
					  sizeof(kinds[0]));
			if (mask <= 0)
				help(argv[0]);
			opt.kinds = mask;
			break;
		case 'i':
			opt.index = strtol(optarg, NULL, 0);
			break;
		case 't':
			opt.deadline = atoi(optarg);
			break;
		case 'j':
			opt.jobs = atoi(optarg);
			if (opt.jobs < 1 || opt.jobs > 16)
				help(argv[0]);
			break;
		case 'x':
			mask = names_mask(optarg, cls_name, NR_CLS,
					  sizeof(cls_name[0]));
			if (mask < 0)
				help(argv[0]);
			opt.off |= mask;
			break;
		case 'f':
			opt.fresh = true;
			break;
		case 'm':
			opt.mutate_only = true;
			break;
		case 'v':
			opt.verbose++;
			break;
		default:
			help(argv[0]);
		}
	}
	if (opt.deadline <= 0 || opt.count < 0)
		help(argv[0]);
	if (!opt.jobs) {
		opt.jobs = sysconf(_SC_NPROCESSORS_ONLN);
		opt.jobs = opt.jobs < 1 ? 1 : opt.jobs > 4 ? 4 : opt.jobs;
	}
	optind = 1;
	argv[1] = NULL;
	return test_harness_run(1, argv);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * PRAM nodes through their filesystem, and checkpoint/restart through
 * them, within one boot (the kexec round trip is scripts/tests/
 * kexec-selftest): create, list, stat, read and delete nodes; the errno
 * of every misuse; a checkpoint into a node is a snapshot that pages
 * by reference and stays one while the task runs on; restart from a node
 * twice gives two tasks that share no writable page; shared memory goes
 * into a node by reference and comes back from copies in the same boot;
 * a lazy restart from a node runs at once, finds every saved page on
 * first touch or from the background, zeroes between them, and holds the
 * node until its last page is in; transparent huge pages go into a node
 * whole, stay huge in the task, and are given back whole; a page that
 * may be pinned refuses a node and is left in place; a node being saved
 * takes one checkpoint at a time, and no write(2) during it; the address
 * /sys/kernel/pram shows is for root only.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/uio.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define PRAM_DIR	"/sys/fs/pram"
#define PS		4096UL

static void mount_pram(struct __test_metadata *_metadata)
{
	struct stat st;

	if (stat(PRAM_DIR "/.", &st))
		SKIP(return, "no PRAM in this kernel");
	if (mount("pram", PRAM_DIR, "pram", 0, NULL) && errno != EBUSY)
		SKIP(return, "cannot mount the pram filesystem: %s",
		     strerror(errno));
}

TEST(node_lifecycle)
{
	char buf[64] = "";
	struct stat st;
	int fd, fd2;

	mount_pram(_metadata);
	unlink(PRAM_DIR "/t-life");
	fd = open(PRAM_DIR "/t-life", O_CREAT | O_EXCL | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(11, write(fd, "hello world", 11));
	/* Being saved: no second opener, no unlink. */
	EXPECT_EQ(-1, open(PRAM_DIR "/t-life", O_RDONLY));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, unlink(PRAM_DIR "/t-life"));
	EXPECT_EQ(EBUSY, errno);
	close(fd);

	EXPECT_TRUE(pram_listed("t-life"));
	ASSERT_EQ(0, stat(PRAM_DIR "/t-life", &st));
	EXPECT_EQ(11, st.st_size);
	/* the node's page, one link, one data page */
	EXPECT_EQ(3 * PS / 512, st.st_blocks);
	EXPECT_EQ(0400, st.st_mode & 0777);

	/* Published: read-only, readable by anyone who may open it. */
	EXPECT_EQ(-1, open(PRAM_DIR "/t-life", O_WRONLY));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, open(PRAM_DIR "/t-life", O_CREAT | O_EXCL | O_WRONLY,
			   0600));
	EXPECT_EQ(EEXIST, errno);
	fd = open(PRAM_DIR "/t-life", O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(11, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello world", buf);
	EXPECT_EQ(5, pread(fd, buf, 5, 6));
	EXPECT_EQ(0, memcmp(buf, "world", 5));
	fd2 = open(PRAM_DIR "/t-life", O_RDONLY);
	EXPECT_LE(0, fd2);
	close(fd2);

	/* Deleted while open: the name goes, the open descriptor reads on. */
	EXPECT_EQ(0, unlink(PRAM_DIR "/t-life"));
	EXPECT_FALSE(pram_listed("t-life"));
	EXPECT_EQ(-1, open(PRAM_DIR "/t-life", O_RDONLY));
	EXPECT_EQ(ENOENT, errno);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(11, pread(fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("hello world", buf);
	close(fd);
	EXPECT_EQ(-1, unlink(PRAM_DIR "/t-life"));
	EXPECT_EQ(ENOENT, errno);
}

TEST(bad_names)
{
	char name[300];

	mount_pram(_metadata);
	memset(name, 'n', sizeof(name));
	memcpy(name, PRAM_DIR "/", strlen(PRAM_DIR "/"));
	name[sizeof(name) - 1] = '\0';
	EXPECT_EQ(-1, open(name, O_CREAT | O_WRONLY, 0600));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, mkdir(PRAM_DIR "/dir", 0700));
	EXPECT_EQ(EPERM, errno);
}

/*
 * Checkpoint a new child running @child into the node at @path, made
 * afresh and published by the close (not restartable while it is still
 * being saved). Returns the child, still stopped, for the caller to end.
 */
static pid_t save_into_node(struct __test_metadata *_metadata,
			    const char *path, int (*child)(void))
{
	pid_t pid;
	int fd;

	unlink(path);
	pid = spawn_fn(child);
	ASSERT_LT(0, pid);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, sys_checkpoint(pid, fd, 0, STDERR_FILENO));
	close(fd);
	return pid;
}

/*
 * Restart the published node at @path twice through one descriptor
 * (each restarted task exits 0 when it found its memory as saved), then
 * delete it.
 */
static void restart_twice_and_delete(struct __test_metadata *_metadata,
				     const char *path)
{
	int fd = open(path, O_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, restart_child(fd, NULL, 0));
	EXPECT_EQ(0, restart_child(fd, NULL, 0));
	close(fd);
	EXPECT_EQ(0, unlink(path));
}

static unsigned char *snap;
/* 8 MiB of small pages: several page tables, and a round of the walk. */
#define SNAP_PAGES	2048

/* Never 0xee, what the original writes after its checkpoint. */
static unsigned char snap_val(int i)
{
	return i % 200 + 1;
}

/*
 * Fill memory, stop; resumed, overwrite it all; restored, check it: each
 * page, for a write of the original's to any page must not reach a node.
 */
static int snap_child(void)
{
	int i;

	snap = mmap(NULL, SNAP_PAGES * PS, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (snap == MAP_FAILED)
		return 1;
	madvise(snap, SNAP_PAGES * PS, MADV_NOHUGEPAGE);
	for (i = 0; i < SNAP_PAGES; i++)
		memset(snap + i * PS, snap_val(i), PS);
	raise(SIGSTOP);
	/* The original, resumed, or a restored copy, gets here. */
	for (i = 0; i < SNAP_PAGES; i++) {
		if (snap[i * PS] == 0xee || snap[i * PS + PS - 1] == 0xee)
			return 3;	/* saw the other task's writes */
		if (snap[i * PS] != snap_val(i))
			return 2;
	}
	memset(snap, 0xee, SNAP_PAGES * PS);
	return 0;
}

/*
 * Into a node, the image carries no page contents, yet stays a snapshot:
 * the original runs on and overwrites its memory, and two restarts from
 * the node each find the checkpointed data and write privately.
 */
TEST(checkpoint_into_node_is_a_snapshot)
{
	struct stat st;
	pid_t pid;

	mount_pram(_metadata);
	pid = save_into_node(_metadata, PRAM_DIR "/t-snap", snap_child);

	ASSERT_EQ(0, stat(PRAM_DIR "/t-snap", &st));
	EXPECT_GT(SNAP_PAGES * PS / 2, st.st_size) {
		TH_LOG("an image of %ld bytes holds page contents",
		       (long)st.st_size);
	}
	EXPECT_LE(SNAP_PAGES * PS / 512, st.st_blocks);

	/* The original overwrites everything, then the node restarts. */
	EXPECT_EQ(0, finish_child(pid));
	restart_twice_and_delete(_metadata, PRAM_DIR "/t-snap");
}

#define LAZY_PAGES	2048	/* four batches and more */

static unsigned char *lazy_area;
/* While it exists, the restored task touches its pages at once. */
#define LAZY_TOUCH	"/tmp/ckpt-pram-lazy-touch"

/* Whether lazy_child() writes page @i: holes inside and across batches. */
static bool lazy_saved(unsigned long i)
{
	return i % 5 != 2 && (i < 700 || i >= 1300);
}

static unsigned char lazy_pat(unsigned long i, unsigned long off)
{
	return (unsigned char)(i * 13 + off / 64 + 1);
}

/* The pages of lazy_area that are resident. */
static unsigned long lazy_resident(void)
{
	unsigned char vec[LAZY_PAGES];
	unsigned long i, n = 0;

	if (mincore(lazy_area, LAZY_PAGES * PS, vec))
		return 0;
	for (i = 0; i < LAZY_PAGES; i++)
		n += vec[i] & 1;
	return n;
}

/*
 * Fill some pages, stop; restored lazily: wait for the background to
 * bring every saved page in (or touch them at once, from the end), check
 * every page, saved or a hole, then overwrite them all.
 */
static int lazy_child(void)
{
	unsigned long i, j, off, nr_saved = 0;
	unsigned char *p;
	bool touch;

	lazy_area = mmap(NULL, LAZY_PAGES * PS, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (lazy_area == MAP_FAILED)
		return 1;
	madvise(lazy_area, LAZY_PAGES * PS, MADV_NOHUGEPAGE);
	for (i = 0; i < LAZY_PAGES; i++) {
		if (!lazy_saved(i))
			continue;
		nr_saved++;
		for (off = 0; off < PS; off++)
			lazy_area[i * PS + off] = lazy_pat(i, off);
	}
	raise(SIGSTOP);
	/* Restored (the original is killed). */
	touch = !access(LAZY_TOUCH, F_OK);
	for (j = 0; !touch && j < 600 && lazy_resident() < nr_saved; j++)
		usleep(100000);
	if (!touch && lazy_resident() != nr_saved)
		return 2;
	for (j = LAZY_PAGES; j--; ) {
		i = touch ? j : LAZY_PAGES - 1 - j;
		p = lazy_area + i * PS;
		for (off = 0; off < PS; off++)
			if (p[off] != (lazy_saved(i) ? lazy_pat(i, off) : 0))
				return 3;
	}
	memset(lazy_area, 0xee, LAZY_PAGES * PS);
	return 0;
}

/*
 * A lazy restart from a node: the task runs before its pages are in,
 * and gets each saved page on first touch (the pages touched from the
 * end, before the background reaches them) or from the background (the
 * task waits until mincore(2) sees them all); the addresses between them
 * read zeroes. The second restart finds the saved contents, not the
 * first's writes; and once both have exited, nothing holds the node.
 */
TEST(lazy_restart_from_a_node)
{
	int fd, status, k;
	pid_t pid;

	mount_pram(_metadata);
	kill_child(save_into_node(_metadata, PRAM_DIR "/t-lazy", lazy_child));
	fd = open(PRAM_DIR "/t-lazy", O_RDONLY);
	ASSERT_LE(0, fd);

	for (k = 0; k < 2; k++) {
		if (!k)
			close(open(LAZY_TOUCH, O_CREAT | O_WRONLY, 0600));
		else
			unlink(LAZY_TOUCH);
		pid = fork();
		if (!pid) {
			lseek(fd, 0, SEEK_SET);
			sys_restart(0, fd, RESTART_RUN | RESTART_LAZY,
				    STDERR_FILENO);
			_exit(RESTART_FAILED(errno));
		}
		ASSERT_LT(0, pid);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
			TH_LOG("%s: status %#x", k ? "background" : "touched",
			       status);
		}
	}
	close(fd);
	EXPECT_EQ(0, unlink(PRAM_DIR "/t-lazy"));
}

#define SHM_PAGES	32

/*
 * Shared memory, anonymous and a memfd, filled; restored, checked, then
 * overwritten.
 */
static int shm_child(void)
{
	unsigned char *a, *m;
	int fd, i;

	a = mmap(NULL, SHM_PAGES * PS, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fd = memfd_create("pram-shm", 0);
	if (a == MAP_FAILED || fd < 0 || ftruncate(fd, SHM_PAGES * PS))
		return 1;
	m = mmap(NULL, SHM_PAGES * PS, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (m == MAP_FAILED)
		return 1;
	for (i = 0; i < SHM_PAGES; i++) {
		memset(a + i * PS, i + 1, PS);
		memset(m + i * PS, i + 2, PS);
	}
	raise(SIGSTOP);
	for (i = 0; i < SHM_PAGES; i++)
		if (a[i * PS + 7] != i + 1 || m[i * PS + 7] != i + 2)
			return 2;
	memset(a, 0xee, SHM_PAGES * PS);
	memset(m, 0xee, SHM_PAGES * PS);
	return 0;
}

/*
 * Into a node, shared memory goes by reference too: the image holds no
 * contents. Restarted in the same boot, while the pages still belong
 * to the checkpointed objects, they are copied: each restart finds the
 * checkpointed data, whatever the one before wrote.
 */
TEST(shared_memory_into_a_node_restarts_from_copies)
{
	struct stat st;

	mount_pram(_metadata);
	kill_child(save_into_node(_metadata, PRAM_DIR "/t-shm", shm_child));

	ASSERT_EQ(0, stat(PRAM_DIR "/t-shm", &st));
	EXPECT_GT(SHM_PAGES * PS, st.st_size) {
		TH_LOG("an image of %ld bytes holds page contents",
		       (long)st.st_size);
	}
	EXPECT_LE(2 * SHM_PAGES * PS / 512, st.st_blocks);
	restart_twice_and_delete(_metadata, PRAM_DIR "/t-shm");
}

/* A node's image is only restartable once published. */
TEST(restart_from_a_node_being_saved)
{
	char log[256] = "";
	int fd, logp[2];
	pid_t pid;

	mount_pram(_metadata);
	unlink(PRAM_DIR "/t-busy");
	pid = spawn_fn(snap_child);
	ASSERT_LT(0, pid);
	fd = open(PRAM_DIR "/t-busy", O_CREAT | O_EXCL | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, sys_checkpoint(pid, fd, 0, STDERR_FILENO));
	kill_child(pid);
	ASSERT_EQ(0, pipe2(logp, O_NONBLOCK));
	lseek(fd, 0, SEEK_SET);
	EXPECT_EQ(-1, sys_restart(0, fd, 0, logp[1]));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_LT(0, read(logp[0], log, sizeof(log) - 1));
	EXPECT_NE(NULL, strstr(log, "still being saved"));
	close(fd);
	EXPECT_EQ(0, unlink(PRAM_DIR "/t-busy"));
}

/*
 * 64 MiB to save: long enough a checkpoint for another to run into. In
 * small pages: a node keeps a huge page whole, in one entry, and 32 of
 * them go in too fast for a race.
 */
#define BIG_PAGES	16384

static int big_child(void)
{
	unsigned char *big = mmap(NULL, BIG_PAGES * PS, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (big == MAP_FAILED)
		return 1;
	madvise(big, BIG_PAGES * PS, MADV_NOHUGEPAGE);
	for (i = 0; i < BIG_PAGES; i++)
		big[i * PS] = i % 251 + 1;
	raise(SIGSTOP);
	for (i = 0; i < BIG_PAGES; i++)
		if (big[i * PS] != i % 251 + 1)
			return 2;
	return 0;
}

static long mem_free_kb(void)
{
	return proc_kb("/proc/meminfo", "MemFree");
}

/*
 * MemFree, plus the free pages the per-cpu lists hold, which it does not
 * count: a freed THP goes to one (/proc/zoneinfo counts them, in pages).
 */
static long all_free_kb(void)
{
	char line[256];
	long kb = 0, n;
	FILE *f;

	f = fopen("/proc/sys/vm/stat_refresh", "w");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			kb += n * (PS >> 10);
	fclose(f);
	return kb + mem_free_kb();
}

/*
 * How much free memory rose since @before (all_free_kb()), read again
 * every 50 ms for up to a second until it rose by more than @want kB:
 * pages a freeing CPU still holds on its way come back within that, a
 * leak never does.
 */
static long free_rise_kb(long before, long want)
{
	long rise;
	int i;

	for (i = 0; i < 20; i++) {
		rise = all_free_kb() - before;
		if (rise > want)
			break;
		usleep(50 * 1000);
	}
	return rise;
}

/*
 * A node deleted while open keeps its 64 MiB of pages until the last
 * user lets go (a descriptor here; a restart, or a lazy restart until
 * its last page is in, the same way), then gives them back: unlink(2)
 * neither fails on a node in use (a lazy restart's task that just
 * exited may hold it a while yet) nor leaves it behind.
 */
TEST(a_node_deleted_while_open_goes_with_its_last_user)
{
	long before, held, after;
	int fd;

	mount_pram(_metadata);
	kill_child(save_into_node(_metadata, PRAM_DIR "/t-unl", big_child));
	fd = open(PRAM_DIR "/t-unl", O_RDONLY);
	ASSERT_LE(0, fd);
	before = all_free_kb();
	EXPECT_EQ(0, unlink(PRAM_DIR "/t-unl"));
	EXPECT_FALSE(pram_listed("t-unl"));
	held = all_free_kb();
	/* Still open: the pages stay. */
	EXPECT_GT(16 * 1024, held - before) {
		TH_LOG("free memory rose by %ld kB at unlink", held - before);
	}
	close(fd);
	after = all_free_kb();
	/* The last user gone: 64 MiB back, less what moved meanwhile. */
	EXPECT_LT(48 * 1024, after - held) {
		TH_LOG("free memory rose by %ld kB at the last close", after - held);
	}
}

/* Transparent huge pages, and a small page below them in their VMA. */
#define THP_SIZE	(8UL << 20)

static unsigned char *thp_area;

static unsigned char thp_pat(unsigned long off)
{
	return (unsigned char)(off / PS * 7 + 1);
}

/* Whether the kernel maps THPs where madvise(MADV_HUGEPAGE) asks. */
static bool thp_enabled(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strstr(buf, "[always]") || strstr(buf, "[madvise]");
}

/*
 * Fill THP_SIZE of huge pages, each small page of them different, and
 * the small page below; stop. Resumed after the checkpoint (or
 * restored), find the contents as they were and the huge pages still
 * mapped as such, then overwrite it all.
 */
static int thp_child(void)
{
	unsigned long off, raw;

	raw = (unsigned long)mmap(NULL, THP_SIZE + (4UL << 20),
				  PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == (unsigned long)MAP_FAILED)
		return 1;
	/* Room below for a small page of the same VMA. */
	thp_area = (unsigned char *)((raw + (4UL << 20) - 1) & ~((2UL << 20) - 1));
	if (madvise(thp_area, THP_SIZE, MADV_HUGEPAGE))
		return 1;
	for (off = 0; off < THP_SIZE; off += PS)
		memset(thp_area + off, thp_pat(off), PS);
	memset(thp_area - PS, 0x5a, PS);
	if (vma_thp_kb(thp_area) < (long)(THP_SIZE >> 10))
		return 5;	/* no THP to begin with */
	raise(SIGSTOP);
	/* The original, resumed, or a restored copy, gets here. */
	for (off = 0; off < THP_SIZE; off += PS)
		if (thp_area[off] != thp_pat(off) ||
		    thp_area[off + PS - 1] != thp_pat(off))
			return 3;
	if (thp_area[-PS] != 0x5a)
		return 3;
	/* The checkpoint kept them whole: the PMDs were not split. */
	if (vma_thp_kb(thp_area) < (long)(THP_SIZE >> 10))
		return 4;
	memset(thp_area - PS, 0xee, THP_SIZE + PS);
	return 0;
}

/*
 * A checkpoint into a node keeps a THP whole, as one entry: the task's
 * huge pages stay mapped by PMDs (exit 4 if they were split), made
 * read-only and shared, so that its writes after the checkpoint copy
 * them and leave the node's as they were (exit 3 in the restored tasks
 * if not). Restarted twice in the same boot, the tasks get copies, as
 * huge pages again, and the node's pages are unchanged for the second.
 */
TEST(huge_pages_go_into_a_node_whole)
{
	struct stat st;
	pid_t pid;

	mount_pram(_metadata);
	if (!thp_enabled())
		SKIP(return, "transparent huge pages are disabled");
	pid = save_into_node(_metadata, PRAM_DIR "/t-thp", thp_child);
	ASSERT_EQ(0, stat(PRAM_DIR "/t-thp", &st));
	/* The node holds the huge pages and the small one. */
	EXPECT_LE((THP_SIZE + PS) / 512, st.st_blocks);
	EXPECT_EQ(0, finish_child(pid));
	restart_twice_and_delete(_metadata, PRAM_DIR "/t-thp");
}

/*
 * A node holds a huge page whole by one reference on its folio: with
 * the task gone, its deletion gives all of them back, neither leaking
 * them nor dropping a reference it does not hold (which DEBUG_VM would
 * catch as a bad page). Free memory is read again for up to a second
 * (free_rise_kb()): once, in a full run, it had risen by only 2180 kB
 * just after the unlink (cause not found).
 */
TEST(a_node_of_huge_pages_gives_them_back)
{
	long before, rise;

	mount_pram(_metadata);
	if (!thp_enabled())
		SKIP(return, "transparent huge pages are disabled");
	kill_child(save_into_node(_metadata, PRAM_DIR "/t-thp2", thp_child));
	before = all_free_kb();
	EXPECT_EQ(0, unlink(PRAM_DIR "/t-thp2"));
	rise = free_rise_kb(before, (long)(THP_SIZE >> 10) * 3 / 4);
	EXPECT_LT((long)(THP_SIZE >> 10) * 3 / 4, rise) {
		TH_LOG("MemFree rose by %ld kB at unlink", rise);
	}
}

/*
 * A VMA of 7 chunks of 16 MiB (a page-array's worth of page tables):
 * checkpoint walks some of them on another CPU while it walks the rest
 * (checkpoint/pram_walk.c), whatever the VMA's alignment to them.
 */
#define WIDE_SIZE	(112UL << 20)
#define WIDE_PMD	(2UL << 20)

static unsigned char *wide;

/* What wide_child() leaves in 2 MiB of the VMA, by its place in a chunk. */
enum wide_kind {
	WIDE_PAGES,	/* small pages, one page left out */
	WIDE_HUGE,	/* a huge page, if the kernel gives one */
	WIDE_ZERO,	/* small pages, one read only: the zero page */
	WIDE_HOLE,	/* nothing */
};

static enum wide_kind wide_kind(unsigned long off)
{
	switch (((unsigned long)wide + off) / WIDE_PMD % 8) {
	case 3:
		return WIDE_HUGE;
	case 5:
		return WIDE_ZERO;
	case 6:
		return WIDE_HOLE;
	default:
		return WIDE_PAGES;
	}
}

/* The small page left out of the 2 MiB at @off, somewhere new each time. */
static unsigned long wide_out(unsigned long off)
{
	off &= ~(WIDE_PMD - 1);
	return off + (off / WIDE_PMD % 511 + 1) * PS;
}

/* What wide_child() writes to page @off first: never 0, never 0xee. */
static unsigned char wide_fill(unsigned long off)
{
	return off / PS % 199 + 1;
}

/* What page @off holds after wide_child() made its holes. */
static unsigned char wide_val(unsigned long off)
{
	enum wide_kind kind = wide_kind(off);

	if (kind == WIDE_HOLE ||
	    (kind != WIDE_HUGE && (off & ~(PS - 1)) == wide_out(off)))
		return 0;
	return wide_fill(off);
}

/*
 * Fill the VMA (in huge pages where the kernel has them), then make of
 * each 2 MiB what wide_kind() says: a huge page stays whole where a
 * chunk's fourth PMD is, so that a walk of a chunk beside the
 * checkpoint's stops there, mid-chunk; elsewhere a page goes, which
 * leaves the rest in small pages. Stop; resumed, check every page and
 * write to each; restored, check them again.
 */
static int wide_child(void)
{
	unsigned long raw, off;

	raw = (unsigned long)mmap(NULL, WIDE_SIZE + WIDE_PMD,
				  PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == (unsigned long)MAP_FAILED)
		return 1;
	wide = (unsigned char *)((raw + WIDE_PMD - 1) & ~(WIDE_PMD - 1));
	if (thp_enabled())
		madvise(wide, WIDE_SIZE, MADV_HUGEPAGE);
	for (off = 0; off < WIDE_SIZE; off += PS)
		memset(wide + off, wide_fill(off), PS);
	for (off = 0; off < WIDE_SIZE; off += WIDE_PMD) {
		unsigned long out = wide_out(off);

		switch (wide_kind(off)) {
		case WIDE_HOLE:
			if (madvise(wide + off, WIDE_PMD, MADV_DONTNEED))
				return 1;
			break;
		case WIDE_ZERO:
		case WIDE_PAGES:
			if (madvise(wide + out, PS, MADV_DONTNEED))
				return 1;
			/* A read fault maps the zero page there. */
			if (wide_kind(off) == WIDE_ZERO && wide[out])
				return 1;
			break;
		case WIDE_HUGE:
			break;
		}
	}
	raise(SIGSTOP);
	/* The original, resumed, or a restored copy, gets here. */
	for (off = 0; off < WIDE_SIZE; off += PS) {
		if (wide[off] == 0xee || wide[off + PS - 1] == 0xee)
			return 3;	/* saw the other task's writes */
		if (wide[off] != wide_val(off) ||
		    wide[off + PS - 1] != wide_val(off))
			return 2;
	}
	for (off = 0; off < WIDE_SIZE; off += PS)
		wide[off] = 0xee;
	return 0;
}

/*
 * Into a node, a VMA of several chunks, of small and huge pages, holes
 * and zero pages, comes back page for page (exit 2 if not): the chunks
 * walked on another CPU are written in their place among the rest, and
 * one whose walk stopped at a huge page is walked to its end by the
 * checkpoint itself. The original's writes after the checkpoint reach
 * neither restarted task (exit 3).
 */
TEST(a_wide_vma_into_a_node_comes_back_page_for_page)
{
	pid_t pid;

	mount_pram(_metadata);
	pid = save_into_node(_metadata, PRAM_DIR "/t-wide", wide_child);
	EXPECT_EQ(0, finish_child(pid));
	restart_twice_and_delete(_metadata, PRAM_DIR "/t-wide");
}

/*
 * 64 MiB of small pages, and one of them referenced by the buffers of
 * five pipes of 1 MiB each: 1280 references, which make it a page that
 * may be pinned for DMA (folio_maybe_dma_pinned() counts references).
 * It lies in the third 16 MiB chunk of the VMA, one another CPU walks.
 */
#define PIN_PAGES	16384
#define PIN_AT		(10240 + 3)
#define PIN_PIPES	5
#define PIN_BUFS	256

static int pin_pipes[PIN_PIPES][2];

static unsigned char pin_val(unsigned long i)
{
	return i % 251 + 1;
}

/*
 * Fill memory, have the pipes reference one page and close them, stop;
 * resumed after a checkpoint that failed, find every page as it was
 * (exit 2), then overwrite them all.
 */
static int pinned_child(void)
{
	struct iovec iov[PIN_BUFS];
	unsigned char *area;
	unsigned long i;
	int p;

	area = mmap(NULL, PIN_PAGES * PS, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 1;
	madvise(area, PIN_PAGES * PS, MADV_NOHUGEPAGE);
	for (i = 0; i < PIN_PAGES; i++) {
		area[i * PS] = pin_val(i);
		area[i * PS + PS - 1] = pin_val(i);
	}
	for (i = 0; i < PIN_BUFS; i++)
		iov[i] = (struct iovec){ area + PIN_AT * PS, PS };
	for (p = 0; p < PIN_PIPES; p++) {
		if (vmsplice(pin_pipes[p][1], iov, PIN_BUFS, 0) !=
		    (ssize_t)(PIN_BUFS * PS))
			return 4;
		close(pin_pipes[p][0]);
		close(pin_pipes[p][1]);
	}
	raise(SIGSTOP);
	for (i = 0; i < PIN_PAGES; i++)
		if (area[i * PS] != pin_val(i) ||
		    area[i * PS + PS - 1] != pin_val(i))
			return 2;
	memset(area, 0xee, PIN_PAGES * PS);
	return 0;
}

/*
 * A page that may be pinned cannot be kept by reference (fork() would
 * copy it): the checkpoint into a node fails with EBUSY and a line that
 * says why, and leaves the task as it was. Its pages hold what they held,
 * and that page is still its own, mapped where it was: the task's next
 * write to it is what the pipes hold. Had the failed checkpoint left it
 * shared, that write would have gone to a copy.
 */
TEST(a_page_that_may_be_pinned_refuses_a_node_and_stays_in_place)
{
	char log[1024] = "", buf[PS], want[PS];
	int p, fd, logp[2];
	ssize_t n;
	pid_t pid;

	mount_pram(_metadata);
	for (p = 0; p < PIN_PIPES; p++) {
		ASSERT_EQ(0, pipe(pin_pipes[p]));
		ASSERT_EQ(PIN_BUFS * PS,
			  fcntl(pin_pipes[p][1], F_SETPIPE_SZ, PIN_BUFS * PS));
	}
	unlink(PRAM_DIR "/t-pin");
	pid = spawn_fn(pinned_child);
	ASSERT_LT(0, pid) {
		TH_LOG("the child did not stop: no memory, or vmsplice() failed");
	}
	for (p = 0; p < PIN_PIPES; p++)
		close(pin_pipes[p][1]);

	fd = open(PRAM_DIR "/t-pin", O_CREAT | O_EXCL | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(logp));
	EXPECT_EQ(-1, sys_checkpoint(pid, fd, 0, logp[1]));
	EXPECT_EQ(EBUSY, errno);
	close(logp[1]);
	n = read(logp[0], log, sizeof(log) - 1);
	log[n > 0 ? n : 0] = '\0';
	close(logp[0]);
	EXPECT_NE(NULL, strstr(log, "pinned for DMA")) {
		TH_LOG("log: %s", log);
	}
	close(fd);
	unlink(PRAM_DIR "/t-pin");

	EXPECT_EQ(0, finish_child(pid));
	memset(want, 0xee, PS);
	for (p = 0; p < PIN_PIPES; p++) {
		ASSERT_EQ(PS, read(pin_pipes[p][0], buf, PS));
		EXPECT_EQ(0, memcmp(buf, want, PS)) {
			TH_LOG("pipe %d holds %#x, not the task's last write",
			       p, (unsigned char)buf[0]);
		}
		close(pin_pipes[p][0]);
	}
}

/*
 * unlink(2) of a node a killed checkpoint wrote: published by the close
 * of its exit, which may come a little after the checkpointer is reaped
 * (a deferred fput()); until then it is being saved (EBUSY).
 */
static int unlink_settled(const char *path)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (!unlink(path))
			return 0;
		if (errno != EBUSY)
			return -1;
		usleep(10 * 1000);
	}
	return -1;
}

/* Kills of a checkpoint into a node, a little later each time. */
#define KILL_TRIES	12
#define KILL_STEP_US	1500

/*
 * A checkpoint killed while it walks a wide VMA, perhaps waiting for the
 * chunks another CPU walks: the task it was saving runs on unharmed
 * (wide_child() exits 0), and once the half-written node is deleted,
 * every page the killed walks held comes back, the other CPU's included
 * (a chunk's references lost per kill would be 16 MiB each). At least
 * one kill must land inside the syscall for the test to count.
 */
FIXTURE(kills) {};
FIXTURE_SETUP(kills) {}
FIXTURE_TEARDOWN(kills) {}

/* Twelve 112 MiB tasks made and checkpointed: more than the default 30 s. */
TEST_F_TIMEOUT(kills, a_checkpoint_killed_mid_walk_holds_no_page, 240)
{
	long before, lost;
	int i, inside = 0;

	mount_pram(_metadata);
	before = all_free_kb();
	for (i = 0; i < KILL_TRIES; i++) {
		int go[2], done[2], status;
		pid_t target, ck;
		char c;

		target = spawn_fn(wide_child);
		ASSERT_LT(0, target);
		ASSERT_EQ(0, pipe(go));
		ASSERT_EQ(0, pipe(done));
		unlink(PRAM_DIR "/t-kill");
		ck = fork();
		ASSERT_LE(0, ck);
		if (!ck) {
			int fd = open(PRAM_DIR "/t-kill",
				      O_CREAT | O_EXCL | O_WRONLY, 0600);
			long ret;

			if (fd < 0 || write(go[1], "g", 1) != 1)
				_exit(1);
			ret = sys_checkpoint(target, fd, 0, -1);
			/* Only a checkpoint that returned says so. */
			_exit(write(done[1], "d", 1) == 1 && ret > 0 ? 0 : 2);
		}
		close(go[1]);
		close(done[1]);
		ASSERT_EQ(1, read(go[0], &c, 1));
		usleep(i * KILL_STEP_US);
		kill(ck, SIGKILL);
		ASSERT_EQ(ck, waitpid(ck, &status, 0));
		if (read(done[0], &c, 1) != 1)
			inside++;
		close(go[0]);
		close(done[0]);
		EXPECT_EQ(0, unlink_settled(PRAM_DIR "/t-kill")) {
			TH_LOG("kill %d: the half-written node stays: %s", i,
			       strerror(errno));
		}
		EXPECT_EQ(0, finish_child(target)) {
			TH_LOG("kill %d: the task saved is not as it was", i);
		}
	}
	EXPECT_LT(0, inside) {
		TH_LOG("no kill landed inside checkpoint(2)");
	}
	/* Pages a freeing CPU still holds come back within a second. */
	lost = -free_rise_kb(before, -16 * 1024);
	EXPECT_GT(16 * 1024, lost) {
		TH_LOG("%ld kB fewer free after %d killed checkpoints",
		       lost, KILL_TRIES);
	}
}

/*
 * What races a checkpoint into a node: the other side, running in a
 * forked child or a thread on the same open file, checkpoints @pid into
 * @fd and records the result; "go" starts it.
 */
struct race {
	int go, done;	/* __atomic_*() */
	long ret;
	int err;
	pid_t pid;
	int fd;
};

static int finished(struct race *r)
{
	return __atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
}

/* The last byte of a node's stream, or -1. */
static int last_byte(const char *path)
{
	char buf[4096];
	int fd, last = -1;
	ssize_t n;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		last = (unsigned char)buf[n - 1];
	close(fd);
	return n < 0 ? -1 : last;
}

static void race_checkpoint(struct race *r)
{
	while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
		;
	r->ret = sys_checkpoint(r->pid, r->fd, 0, -1);
	r->err = errno;
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

static void *race_thread(void *arg)
{
	race_checkpoint(arg);
	return NULL;
}

/*
 * Start the other side's checkpoint and wait until it has claimed the
 * node: its first record is in. Returns 0 then, -1 when it ended first.
 */
static int race_started(struct race *r)
{
	struct stat st;

	__atomic_store_n(&r->go, 1, __ATOMIC_RELEASE);
	do {
		if (fstat(r->fd, &st))
			return -1;
	} while (!st.st_size && !finished(r));
	return finished(r) ? -1 : 0;
}

/*
 * Two checkpoints into one node through one open file (a forked child
 * holds the descriptor too): the second gets EBUSY while the first runs,
 * and the first still makes a node that restarts. A checkpoint that ends
 * before the second begins proves nothing: tried up to five times, and
 * at least one try must overlap.
 */
TEST(second_checkpoint_into_a_node_gets_ebusy)
{
	int try, busy = 0, status;
	struct race *r;
	long ret;
	pid_t c;

	mount_pram(_metadata);
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	for (try = 0; try < 5 && !busy; try++) {
		memset(r, 0, sizeof(*r));
		unlink(PRAM_DIR "/t-race");
		r->pid = spawn_fn(big_child);
		ASSERT_LT(0, r->pid);
		r->fd = open(PRAM_DIR "/t-race", O_CREAT | O_EXCL | O_WRONLY,
			     0600);
		ASSERT_LE(0, r->fd);
		c = fork();
		ASSERT_LE(0, c);
		if (!c) {
			race_checkpoint(r);
			_exit(0);
		}
		ret = 0;
		if (!race_started(r)) {
			ret = sys_checkpoint(r->pid, r->fd, 0, -1);
			if (ret < 0 && errno == EBUSY) {
				busy = 1;
			} else {
				EXPECT_LT(0, ret) {
					TH_LOG("a second checkpoint: %s",
					       strerror(errno));
				}
			}
		}
		ASSERT_EQ(c, waitpid(c, &status, 0));
		EXPECT_LT(0, r->ret) {
			TH_LOG("the first checkpoint failed: %s",
			       strerror(r->err));
		}
		close(r->fd);
		kill_child(r->pid);
		/*
		 * A second checkpoint that got through came after the first
		 * had let the node go (it may not have returned yet, so
		 * finished() cannot tell): the node then begins with the
		 * first image whole, and restarts.
		 */
		if (busy || ret > 0) {
			/* The node holds the first checkpoint, whole. */
			r->fd = open(PRAM_DIR "/t-race", O_RDONLY);
			ASSERT_LE(0, r->fd);
			EXPECT_EQ(0, restart_child(r->fd, NULL, 0));
			close(r->fd);
		}
		EXPECT_EQ(0, unlink(PRAM_DIR "/t-race"));
	}
	EXPECT_TRUE(busy) {
		TH_LOG("no second checkpoint ran into the first in %d tries",
		       try);
	}
	munmap(r, sizeof(*r));
}

/*
 * While a thread checkpoints into a node, a write(2) by another thread
 * through the same open file would land between the checkpoint's
 * records: it gets EBUSY. Tried up to five times, as above.
 */
TEST(write_during_a_checkpoint_gets_ebusy)
{
	int try, busy = 0;
	struct race r;
	pthread_t t;
	ssize_t n;

	mount_pram(_metadata);
	for (try = 0; try < 5 && !busy; try++) {
		memset(&r, 0, sizeof(r));
		unlink(PRAM_DIR "/t-write");
		r.pid = spawn_fn(big_child);
		ASSERT_LT(0, r.pid);
		r.fd = open(PRAM_DIR "/t-write", O_CREAT | O_EXCL | O_WRONLY,
			    0600);
		ASSERT_LE(0, r.fd);
		ASSERT_EQ(0, pthread_create(&t, NULL, race_thread, &r));
		n = 0;
		if (!race_started(&r)) {
			n = write(r.fd, "x", 1);
			if (n < 0 && errno == EBUSY) {
				busy = 1;
			} else {
				EXPECT_EQ(1, n) {
					TH_LOG("a write during the checkpoint: %s",
					       strerror(errno));
				}
			}
		}
		ASSERT_EQ(0, pthread_join(t, NULL));
		EXPECT_LT(0, r.ret) {
			TH_LOG("the checkpoint failed: %s", strerror(r.err));
		}
		close(r.fd);
		kill_child(r.pid);
		/*
		 * A write that got through came after the checkpoint had let
		 * the node go (it may not have returned yet, so finished()
		 * cannot tell): its byte is the last of the node, after every
		 * record of the checkpoint.
		 */
		if (n == 1)
			EXPECT_EQ('x', last_byte(PRAM_DIR "/t-write"));
		if (busy) {
			r.fd = open(PRAM_DIR "/t-write", O_RDONLY);
			ASSERT_LE(0, r.fd);
			EXPECT_EQ(0, restart_child(r.fd, NULL, 0));
			close(r.fd);
		}
		EXPECT_EQ(0, unlink(PRAM_DIR "/t-write"));
	}
	EXPECT_TRUE(busy) {
		TH_LOG("no write ran into the checkpoint in %d tries", try);
	}
}

/* /sys/kernel/pram shows a physical address: root may read it, nobody not. */
TEST(sys_kernel_pram_is_root_only)
{
	char buf[256] = "";
	struct stat st;
	int fd, status;
	pid_t pid;

	if (stat("/sys/kernel/pram", &st))
		SKIP(return, "no PRAM in this kernel");
	EXPECT_EQ(S_IFREG | 0400, st.st_mode);
	EXPECT_EQ(0, st.st_uid);
	fd = open("/sys/kernel/pram", O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_LT(0, read(fd, buf, sizeof(buf) - 1));
	EXPECT_EQ(0, strncmp(buf, "pram=0x", 7));
	close(fd);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		fd = open("/sys/kernel/pram", O_RDONLY);
		if (fd >= 0)
			_exit(read(fd, buf, sizeof(buf)) > 0 ? 3 : 4);
		_exit(errno == EACCES ? 0 : 5);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("nobody: %s", WEXITSTATUS(status) == 3 ?
		       "read /sys/kernel/pram" : "could not test");
	}
}

TEST_HARNESS_MAIN

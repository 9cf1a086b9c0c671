// SPDX-License-Identifier: GPL-2.0
/*
 * Memory round trips: a child fills memory, stops, is checkpointed and
 * killed; a fresh child restarts the image and, as the restored task,
 * checks every byte it wrote and that /proc/self/maps reads exactly as
 * it did before the checkpoint. The restored task's exit status is the
 * verdict: 0, or the number of the check that failed.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define PS		4096UL
#define MAPS_DIFFER	90

static char maps_before[1 << 18], maps_after[1 << 18];

/* /proc/self/maps into @buf, with no allocation that could change it. */
static void read_maps(char *buf, size_t size)
{
	int fd = open("/proc/self/maps", O_RDONLY);
	size_t len = 0;
	ssize_t n;

	while (fd >= 0 && len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	if (fd >= 0)
		close(fd);
	buf[len] = '\0';
}

/* Stop for the checkpoint; restored, check the maps. 0 if they match. */
static int stop_here(void)
{
	read_maps(maps_before, sizeof(maps_before));
	raise(SIGSTOP);
	read_maps(maps_after, sizeof(maps_after));
	return strcmp(maps_before, maps_after) ? MAPS_DIFFER : 0;
}

static unsigned char pat(size_t i, unsigned int seed)
{
	uint32_t x = (uint32_t)i * 2654435761U ^ seed;

	return x >> 24 ^ x;
}

static void fill(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = pat(i, seed);
	escape(p);
}

/* Whether p[from, to) holds what fill(p, ..., seed) put there. */
static int same_range(const unsigned char *p, size_t from, size_t to,
		      unsigned int seed)
{
	size_t i;

	for (i = from; i < to; i++)
		if (p[i] != pat(i, seed))
			return 0;
	return 1;
}

static int same(const unsigned char *p, size_t n, unsigned int seed)
{
	return same_range(p, 0, n, seed);
}

static int roundtrip(int (*fn)(void))
{
	return roundtrip_pid(spawn_fn(fn), NULL, 0);
}

static char data_seg[8192] = "initialised data";
static unsigned char bss_seg[1 << 20];

static int memory_child(void)
{
	unsigned char stack[64 << 10], *heap, *anon;
	int ret;

	heap = sbrk(1 << 20);
	anon = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heap == (void *)-1 || anon == MAP_FAILED)
		return 1;
	fill(stack, sizeof(stack), 1);
	fill(heap, 1 << 20, 2);
	fill(anon, 4 << 20, 3);
	fill((unsigned char *)data_seg, sizeof(data_seg), 4);
	fill(bss_seg, sizeof(bss_seg), 5);

	ret = stop_here();
	escape(stack);
	if (!same(stack, sizeof(stack), 1))
		return 2;
	if (!same(heap, 1 << 20, 2) || sbrk(0) != heap + (1 << 20))
		return 3;
	if (!same(anon, 4 << 20, 3))
		return 4;
	if (!same((unsigned char *)data_seg, sizeof(data_seg), 4))
		return 5;
	if (!same(bss_seg, sizeof(bss_seg), 5))
		return 6;
	/* The heap still grows from where it was. */
	if (sbrk(PS) != heap + (1 << 20))
		return 7;
	return ret;
}

TEST(anon_heap_stack_data)
{
	EXPECT_EQ(0, roundtrip(memory_child));
}

/*
 * 32 pages: 0-3 read-write, 4-7 read-only, 8-11 PROT_NONE, 12-15 a hole,
 * 16-19 read-execute, the rest read-write again. All but the hole were
 * filled first.
 */
static int prot_child(void)
{
	unsigned char *p = mmap(NULL, 32 * PS, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char vec;
	int ret;

	if (p == MAP_FAILED)
		return 1;
	fill(p, 32 * PS, 7);
	if (mprotect(p + 4 * PS, 4 * PS, PROT_READ) ||
	    mprotect(p + 8 * PS, 4 * PS, PROT_NONE) ||
	    munmap(p + 12 * PS, 4 * PS) ||
	    mprotect(p + 16 * PS, 4 * PS, PROT_READ | PROT_EXEC))
		return 1;

	ret = stop_here();
	if (!same(p, 8 * PS, 7) || !same_range(p, 16 * PS, 32 * PS, 7))
		return 2;
	/* PROT_NONE pages kept their contents too. */
	if (mprotect(p + 8 * PS, 4 * PS, PROT_READ) || !same(p, 12 * PS, 7))
		return 3;
	/* The hole is still a hole. */
	if (mincore(p + 12 * PS, PS, &vec) != -1 || errno != ENOMEM)
		return 4;
	return ret;
}

TEST(protections_and_holes)
{
	EXPECT_EQ(0, roundtrip(prot_child));
}

#ifndef PR_SET_MDWE
#define PR_SET_MDWE			65
#define PR_MDWE_REFUSE_EXEC_GAIN	1UL
#define PR_GET_MDWE			66
#endif

static int read_filter(void)
{
	char buf[32] = "";
	int fd = open("/proc/self/coredump_filter", O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return -1;
	close(fd);
	return strtol(buf, NULL, 16);
}

/*
 * Advice and prctl settings are program state the image carries in its
 * own constants: each comes back as the kernel's flag it stands for.
 */
static int flags_child(void)
{
	unsigned char *p = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd, ret;

	if (p == MAP_FAILED)
		return 1;
	fill(p, 4 * PS, 9);
	if (madvise(p, PS, MADV_DONTDUMP) ||
	    madvise(p + PS, PS, MADV_DONTFORK) ||
	    madvise(p + 2 * PS, PS, MADV_WIPEONFORK) ||
	    madvise(p + 3 * PS, PS, MADV_SEQUENTIAL))
		return 1;
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) ||
	    prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0))
		return 1;
	/* Only kernels with core dumps have a filter to carry. */
	fd = open("/proc/self/coredump_filter", O_WRONLY);
	if (fd >= 0 && write(fd, "0x2b", 4) != 4)
		return 1;
	if (fd >= 0)
		close(fd);

	ret = stop_here();
	if (vm_flag(p, "dd") != 1 || vm_flag(p + PS, "dc") != 1 ||
	    vm_flag(p + 2 * PS, "wf") != 1 || vm_flag(p + 3 * PS, "sr") != 1)
		return 2;
	if (vm_flag(p, "dc") != 0 || vm_flag(p + 3 * PS, "dd") != 0)
		return 3;
	/* Wiped on fork, so not carried; the others kept their bytes. */
	if (!same(p, 2 * PS, 9) || p[2 * PS] || !same_range(p, 3 * PS, 4 * PS, 9))
		return 4;
	if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) != 1)
		return 5;
	if (!(prctl(PR_GET_MDWE, 0, 0, 0, 0) & PR_MDWE_REFUSE_EXEC_GAIN))
		return 6;
	if (fd >= 0 && read_filter() != 0x2b)
		return 7;
	return ret;
}

TEST(advice_and_mm_settings)
{
	EXPECT_EQ(0, roundtrip(flags_child));
}

#define MANY	3000

/* 3000 one-page VMAs, alternately read-write and read-only. */
static int many_child(void)
{
	unsigned char *p = mmap(NULL, MANY * PS, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i, ret;

	if (p == MAP_FAILED)
		return 1;
	for (i = 0; i < MANY; i++) {
		fill(p + i * PS, 64, i);
		if (i % 2 && mprotect(p + i * PS, PS, PROT_READ))
			return 1;
	}
	ret = stop_here();
	for (i = 0; i < MANY; i++)
		if (!same(p + i * PS, 64, i))
			return 2;
	return ret;
}

TEST(many_small_vmas)
{
	EXPECT_EQ(0, roundtrip(many_child));
}

#define SPARSE	(64UL << 30)

/* 64 pages spread over a 64 GiB mapping. */
static int sparse_child(void)
{
	unsigned char *p = mmap(NULL, SPARSE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
	unsigned long i;
	int ret;

	if (p == MAP_FAILED || madvise(p, SPARSE, MADV_NOHUGEPAGE))
		return 1;
	for (i = 0; i < 64; i++)
		fill(p + i * (SPARSE / 64) + i * PS, PS, i);
	ret = stop_here();
	for (i = 0; i < 64; i++) {
		if (!same(p + i * (SPARSE / 64) + i * PS, PS, i))
			return 2;
		if (p[i * (SPARSE / 64) + (i + 1) * PS + 5])
			return 3;
	}
	return ret;
}

TEST(sparse_64g)
{
	EXPECT_EQ(0, roundtrip(sparse_child));
}

/* The file's name, set by make_file(). */
static char file_path[64];

/* A private mapping of a 16-page file, pages 2, 5 and 9 written. */
static int file_child(void)
{
	int fd = open(file_path, O_RDONLY), ret, i;
	unsigned char *p;

	p = mmap(NULL, 16 * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (fd < 0 || p == MAP_FAILED)
		return 1;
	close(fd);
	if (!same(p, 16 * PS, 9))	/* faults every page in, clean */
		return 1;
	fill(p + 2 * PS, PS, 20);
	fill(p + 5 * PS, PS, 50);
	fill(p + 9 * PS, PS, 90);

	ret = stop_here();
	for (i = 0; i < 16; i++) {
		if (i == 2 || i == 5 || i == 9)
			continue;
		if (!same_range(p, i * PS, (i + 1) * PS, 9))
			return 2;
	}
	if (!same(p + 2 * PS, PS, 20) || !same(p + 5 * PS, PS, 50) ||
	    !same(p + 9 * PS, PS, 90))
		return 3;
	return ret;
}

/* The 16-page file file_child() maps, filled with pattern 9. */
static int make_file(void)
{
	static unsigned char buf[16 * PS];
	int fd;

	snprintf(file_path, sizeof(file_path), "/tmp/ckpt-file-XXXXXX");
	fd = mkstemp(file_path);

	if (fd < 0)
		return -1;
	fill(buf, sizeof(buf), 9);
	if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST(private_file_pages)
{
	int fd = make_file();

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, roundtrip(file_child));
	close(fd);
	unlink(file_path);
}

/* A file changed between checkpoint and restart is refused. */
TEST(changed_file_is_stale)
{
	int fd = make_file(), img = image_file();
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, img);
	pid = spawn_fn(file_child);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, sys_checkpoint(pid, img, 0, STDERR_FILENO));
	kill_child(pid);
	ASSERT_EQ(1, pwrite(fd, "x", 1, 3 * PS));
	EXPECT_EQ(RESTART_FAILED(ESTALE), restart_child(img, NULL, 0));
	ASSERT_EQ(0, unlink(file_path));
	EXPECT_EQ(RESTART_FAILED(ENOENT), restart_child(img, NULL, 0));
	close(fd);
	close(img);
}

/* 4 MiB of THP-backed memory, when the kernel has THP. */
static int thp_child(void)
{
	unsigned char *raw = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;
	long before, after;
	int ret;

	if (raw == MAP_FAILED)
		return 1;
	p = (unsigned char *)(((unsigned long)raw + (2 << 20) - 1) &
			      ~((2UL << 20) - 1));
	madvise(p, 4 << 20, MADV_HUGEPAGE);
	fill(p, 4 << 20, 11);
	before = vma_thp_kb(p);

	ret = stop_here();
	if (!same(p, 4 << 20, 11))
		return 2;
	after = vma_thp_kb(p);
	if (after < before)
		return 3;
	return ret;
}

TEST(thp_region)
{
	EXPECT_EQ(0, roundtrip(thp_child));
}

TEST_HARNESS_MAIN

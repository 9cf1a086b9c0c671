// SPDX-License-Identifier: GPL-2.0
/*
 * restart(2) holds an image to the rules mmap(2), mlock(2),
 * prctl(PR_SET_MM_MAP), arch_prctl(2) and setrlimit(2) apply when the
 * same caller asks for the same thing. Each hostile image here is an edited real image
 * whose checksum is computed again, as an attacker would, so that it
 * reaches the check under test; it is restarted by an unprivileged user
 * and must fail with the errno the syscall would give. And what
 * checkpoint(2) writes, restart(2) restores: locked and droppable
 * memory come back as they were.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <linux/ckpt_hdr.h>
#include <asm/ckpt_hdr.h>

#include "../kselftest_harness.h"
#include "ckpt_edit.h"
#include "ckpt_util.h"

#define NOBODY		65534
#define PS		4096UL
#define NPAGES		16
/* TASK_SIZE_MAX with 4-level page tables, as the test guest has. */
#define USER_END	0x00007ffffffff000ULL

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif

static unsigned char *region;

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		_exit(99);
}

/* Nobody, with no locked memory allowed at all. */
static void nobody_no_memlock(void)
{
	struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_MEMLOCK, &none))
		_exit(98);
	become_nobody();
}

/* Nobody, allowed one page of locked memory. */
/*
 * Only the soft limit: the image's limits, which restart gives the
 * process, may not raise the caller's hard one.
 */
static void nobody_one_page_memlock(void)
{
	struct rlimit one;

	getrlimit(RLIMIT_MEMLOCK, &one);
	one.rlim_cur = PS;
	if (setrlimit(RLIMIT_MEMLOCK, &one))
		_exit(98);
	become_nobody();
}

struct image {
	unsigned char *buf;
	size_t size;
};

/* Read the image in @fd whole. */
static int image_load(int fd, struct image *img)
{
	img->size = lseek(fd, 0, SEEK_END);
	img->buf = malloc(img->size);
	return img->buf && pread(fd, img->buf, img->size, 0) ==
			   (ssize_t)img->size ? 0 : -1;
}

/* The offset of the @nth record of @type (from 0), or 0 when none. */
static size_t image_find(const struct image *img, uint32_t type, int nth)
{
	size_t off = 0;
	struct cr_hdr h;

	while (off + sizeof(h) <= img->size) {
		memcpy(&h, img->buf + off, sizeof(h));
		if (h.type == type && !nth--)
			return off;
		if (!h.len)
			break;
		off += h.len;
	}
	return 0;
}

/*
 * Write a copy of @img, with @len bytes at @off replaced by @val and the
 * checksums made right again (seal_image()), into a fresh file; returns
 * its fd.
 */
static int image_edit(const struct image *img, size_t off, const void *val,
		      size_t len)
{
	unsigned char *copy = malloc(img->size);
	int fd = image_file();

	if (!copy || fd < 0)
		return -1;
	memcpy(copy, img->buf, img->size);
	memcpy(copy + off, val, len);
	seal_image(copy, img->size);
	if (pwrite(fd, copy, img->size, 0) != (ssize_t)img->size) {
		close(fd);
		fd = -1;
	}
	free(copy);
	return fd;
}

/* A child with NPAGES of anonymous memory, each page filled. */
static int anon_child(void)
{
	int i;

	region = mmap(NULL, NPAGES * PS, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return 1;
	for (i = 0; i < NPAGES; i++)
		memset(region + i * PS, i + 1, PS);
	raise(SIGSTOP);
	for (i = 0; i < NPAGES; i++)
		if (region[i * PS] != i + 1 || region[i * PS + PS - 1] != i + 1)
			return 2;
	return 0;
}

FIXTURE(rules) {
	struct image img;
};

FIXTURE_SETUP(rules)
{
	pid_t pid = spawn_fn(anon_child);
	int fd = image_file();

	if (geteuid())
		SKIP(return, "needs root, to restart as nobody");
	ASSERT_LT(0, pid);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, sys_checkpoint(pid, fd, 0, STDERR_FILENO));
	kill_child(pid);
	ASSERT_EQ(0, image_load(fd, &self->img));
	close(fd);
	/* The untouched image restarts for nobody: the edits make the difference. */
	fd = image_edit(&self->img, 0, self->img.buf, 8);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, restart_child(fd, become_nobody, 0));
	close(fd);
}

FIXTURE_TEARDOWN(rules)
{
	free(self->img.buf);
}

/* Restart @img edited at @off as @who; returns the child's status. */
static int try_edit(struct _test_data_rules *self, size_t off,
		    const void *val, size_t len, void (*who)(void))
{
	int fd = image_edit(&self->img, off, val, len);
	int ret;

	if (fd < 0)
		return -1;
	ret = restart_child(fd, who, 0);
	close(fd);
	return ret;
}

/* mmap(0) is refused below vm.mmap_min_addr without CAP_SYS_RAWIO. */
TEST_F(rules, vma_at_page_zero_is_eperm)
{
	size_t vma = image_find(&self->img, CR_HDR_VMA, 0);
	uint64_t zero = 0;

	ASSERT_NE(0, vma);
	EXPECT_EQ(RESTART_FAILED(EPERM),
		  try_edit(self, vma + offsetof(struct cr_hdr_vma, start),
			   &zero, sizeof(zero), become_nobody));
}

/* mmap(2) of a file at an offset that wraps is -EOVERFLOW. */
TEST_F(rules, file_offset_that_wraps_is_eoverflow)
{
	uint64_t huge = ~0ULL >> 12;
	struct cr_hdr_vma v;
	size_t vma;
	int i;

	for (i = 0; (vma = image_find(&self->img, CR_HDR_VMA, i)); i++) {
		memcpy(&v, self->img.buf + vma, sizeof(v));
		if (v.type == CR_VMA_FILE)
			break;
	}
	ASSERT_NE(0, vma);
	EXPECT_EQ(RESTART_FAILED(EOVERFLOW),
		  try_edit(self, vma + offsetof(struct cr_hdr_vma, pgoff),
			   &huge, sizeof(huge), become_nobody));
	/* Just past the largest file size, without wrapping: the same. */
	huge = (0x7fffffffffffffffULL >> 12) - (v.end - v.start) / PS + 1;
	EXPECT_EQ(RESTART_FAILED(EOVERFLOW),
		  try_edit(self, vma + offsetof(struct cr_hdr_vma, pgoff),
			   &huge, sizeof(huge), become_nobody));
}

/*
 * arch_prctl(ARCH_SET_FS) takes bases below TASK_SIZE_MAX only: one at
 * TASK_SIZE_MAX is a refused image, not a base silently left as it was.
 */
TEST_F(rules, fs_base_at_task_size_max_is_einval)
{
	size_t cpu = image_find(&self->img, CR_HDR_CPU, 0);
	size_t fs = offsetof(struct cr_hdr_cpu, regs) +
		    offsetof(struct cr_x86_regs, fs_base);
	size_t gs = offsetof(struct cr_hdr_cpu, regs) +
		    offsetof(struct cr_x86_regs, gs_base);
	uint64_t base = USER_END;

	ASSERT_NE(0, cpu);
	EXPECT_EQ(RESTART_FAILED(EINVAL),
		  try_edit(self, cpu + fs, &base, sizeof(base), become_nobody));
	EXPECT_EQ(RESTART_FAILED(EINVAL),
		  try_edit(self, cpu + gs, &base, sizeof(base), become_nobody));
}

/* prctl(PR_SET_MM_MAP) keeps every bound in [mmap_min_addr, TASK_SIZE). */
TEST_F(rules, mm_bounds_as_prctl_set_mm_map)
{
	size_t mm = image_find(&self->img, CR_HDR_MM, 0);
	uint64_t val = 0;

	ASSERT_NE(0, mm);
	EXPECT_EQ(RESTART_FAILED(EINVAL),
		  try_edit(self, mm + offsetof(struct cr_hdr_mm, start_code),
			   &val, sizeof(val), become_nobody));
	val = USER_END;
	EXPECT_EQ(RESTART_FAILED(EINVAL),
		  try_edit(self, mm + offsetof(struct cr_hdr_mm, env_end),
			   &val, sizeof(val), become_nobody));
	/* start_code < end_code, strictly. */
	memcpy(&val, self->img.buf + mm + offsetof(struct cr_hdr_mm, start_code),
	       sizeof(val));
	EXPECT_EQ(RESTART_FAILED(EINVAL),
		  try_edit(self, mm + offsetof(struct cr_hdr_mm, end_code),
			   &val, sizeof(val), become_nobody));
}

/*
 * A locked VMA is held to mlock(2)'s rules: none at all without
 * RLIMIT_MEMLOCK (EPERM), none beyond it (EAGAIN).
 */
TEST_F(rules, locked_memory_within_rlimit_memlock)
{
	size_t vma;
	struct cr_hdr_vma v;
	uint32_t flags;
	int i;

	for (i = 0; (vma = image_find(&self->img, CR_HDR_VMA, i)); i++) {
		memcpy(&v, self->img.buf + vma, sizeof(v));
		if (v.type == CR_VMA_ANON && v.end - v.start == NPAGES * PS)
			break;
	}
	ASSERT_NE(0, vma);
	flags = v.flags | CR_VMA_LOCKED;
	EXPECT_EQ(RESTART_FAILED(EPERM),
		  try_edit(self, vma + offsetof(struct cr_hdr_vma, flags),
			   &flags, sizeof(flags), nobody_no_memlock));
	EXPECT_EQ(RESTART_FAILED(EAGAIN),
		  try_edit(self, vma + offsetof(struct cr_hdr_vma, flags),
			   &flags, sizeof(flags), nobody_one_page_memlock));
	/* Lock-on-fault without the lock is no mlock2() result. */
	flags = v.flags | CR_VMA_LOCKONFAULT;
	EXPECT_EQ(RESTART_FAILED(EINVAL),
		  try_edit(self, vma + offsetof(struct cr_hdr_vma, flags),
			   &flags, sizeof(flags), become_nobody));
}

/*
 * The limits of a process are held to setrlimit(2)'s rules: a soft
 * limit above the hard one is EINVAL; raising a hard limit takes
 * CAP_SYS_RESOURCE (EPERM), and so does RLIMIT_NOFILE above fs.nr_open.
 */
TEST_F(rules, limits_as_setrlimit)
{
	size_t sig = image_find(&self->img, CR_HDR_SIGNAL, 0);
	size_t lim = offsetof(struct cr_hdr_signal, rlim[RLIMIT_NOFILE]);
	struct cr_rlimit r;
	uint64_t val;

	ASSERT_NE(0, sig);
	memcpy(&r, self->img.buf + sig + lim, sizeof(r));
	ASSERT_LE(r.cur, r.max);
	ASSERT_NE(~0ULL, r.max);
	val = r.max + 1;
	EXPECT_EQ(RESTART_FAILED(EINVAL),
		  try_edit(self, sig + lim + offsetof(struct cr_rlimit, cur),
			   &val, sizeof(val), become_nobody));
	EXPECT_EQ(RESTART_FAILED(EPERM),
		  try_edit(self, sig + lim + offsetof(struct cr_rlimit, max),
			   &val, sizeof(val), become_nobody));
	/* Lowering one is anybody's right: the image restarts. */
	val = r.cur;
	EXPECT_EQ(0, try_edit(self, sig + lim + offsetof(struct cr_rlimit, max),
			      &val, sizeof(val), become_nobody));
}

/* The locked kB of /proc/self/status, or -1. */
static long vm_locked_kb(void)
{
	return proc_kb("/proc/self/status", "VmLck");
}

/* Locked memory: checkpointed, restarted, locked again, bytes kept. */
static int locked_child(void)
{
	int i;

	region = mmap(NULL, NPAGES * PS, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return 1;
	for (i = 0; i < NPAGES / 2; i++)
		memset(region + i * PS, i + 1, PS);
	if (mlock(region, NPAGES * PS))
		return 1;
	raise(SIGSTOP);
	if (vm_flag(region, "lo") != 1)
		return 2;
	if (vm_locked_kb() != NPAGES * PS / 1024)
		return 3;
	for (i = 0; i < NPAGES; i++)
		if (region[i * PS] != (i < NPAGES / 2 ? i + 1 : 0))
			return 4;
	return 0;
}

TEST(locked_memory_comes_back_locked)
{
	EXPECT_EQ(0, roundtrip_pid(spawn_fn(locked_child), NULL, 0));
}

/* Droppable memory: restarted droppable, its contents zeroed. */
static int droppable_child(void)
{
	region = mmap(NULL, NPAGES * PS, PROT_READ | PROT_WRITE,
		      MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return 1;
	memset(region, 7, NPAGES * PS);
	raise(SIGSTOP);
	if (vm_flag(region, "dp") != 1 || vm_flag(region, "wf") != 1)
		return 2;
	if (region[0] || region[NPAGES * PS - 1])
		return 3;
	return 0;
}

TEST(droppable_memory_comes_back_droppable)
{
	EXPECT_EQ(0, roundtrip_pid(spawn_fn(droppable_child), NULL, 0));
}

TEST_HARNESS_MAIN

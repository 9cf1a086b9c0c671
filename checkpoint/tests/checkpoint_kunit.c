// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for checkpoint/restart internals: argument checks, log
 * lines, page-array lists and the record stream.
 *
 * The syscalls themselves are exercised from userspace by the kselftests
 * in tools/testing/selftests/checkpoint/; these tests pin down the
 * helpers underneath, where an error path is easier to reach.
 */
#include <kunit/test.h>
#include <linux/crc32c.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/pipe_fs_i.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xxhash.h>

#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>

#include "../internal.h"

static __printf(4, 5) size_t format(char *buf, size_t size, const char *prefix,
		     const char *fmt, ...)
{
	va_list args;
	size_t len;

	va_start(args, fmt);
	len = cr_log_format(buf, size, prefix, fmt, args);
	va_end(args);
	return len;
}

static void log_format_line(struct kunit *test)
{
	char buf[CR_LOG_LINE_MAX];
	size_t len;

	len = format(buf, sizeof(buf), "checkpoint: pid 7", "vma %#lx-%#lx",
		     0x1000UL, 0x3000UL);
	KUNIT_EXPECT_STREQ(test, buf,
			   "checkpoint: pid 7: vma 0x1000-0x3000\n");
	KUNIT_EXPECT_EQ(test, len, strlen(buf));
}

/* A cut message still ends in exactly one newline and fits the buffer. */
static void log_format_truncates(struct kunit *test)
{
	char buf[16];
	size_t len;

	memset(buf, 'x', sizeof(buf));
	len = format(buf, sizeof(buf), "restart", "%s",
		     "a reason far longer than the buffer");
	KUNIT_EXPECT_EQ(test, len, sizeof(buf) - 1);
	KUNIT_EXPECT_EQ(test, buf[len - 1], '\n');
	KUNIT_EXPECT_EQ(test, buf[len], '\0');
	KUNIT_EXPECT_STREQ(test, buf, "restart: a rea\n");
}

/* A prefix that fills the buffer leaves room for the newline only. */
static void log_format_long_prefix(struct kunit *test)
{
	char buf[8];
	size_t len;

	len = format(buf, sizeof(buf), "checkpoint", "x");
	KUNIT_EXPECT_EQ(test, len, sizeof(buf) - 1);
	KUNIT_EXPECT_STREQ(test, buf, "checkp\n");
}

static struct kunit_case checkpoint_log_cases[] = {
	KUNIT_CASE(log_format_line),
	KUNIT_CASE(log_format_truncates),
	KUNIT_CASE(log_format_long_prefix),
	{}
};

static struct kunit_suite checkpoint_log_suite = {
	.name = "checkpoint_log",
	.test_cases = checkpoint_log_cases,
};

/*
 * KUnit cases run in a kernel thread with no open files, so every fd is
 * bad here; that is enough to check the order of the checks and that a
 * failed set-up leaves nothing behind in the context.
 */
static void expect_ctx_fails(struct kunit *test, enum cr_op op, pid_t pid,
			     int fd, unsigned long flags, int logfd, int err)
{
	struct cr_ctx ctx;

	KUNIT_EXPECT_EQ(test, cr_ctx_init(&ctx, op, pid, fd, flags, logfd),
			err);
	KUNIT_EXPECT_NULL(test, ctx.task);
	KUNIT_EXPECT_NULL(test, ctx.file);
	KUNIT_EXPECT_NULL(test, ctx.logfile);
}

static void ctx_bad_logfd(struct kunit *test)
{
	expect_ctx_fails(test, CR_OP_CHECKPOINT, 0, 0, 0, 0, -EBADF);
	expect_ctx_fails(test, CR_OP_RESTART, 0, 0, 0, -2, -EBADF);
	/* The log is checked first: it must be usable to explain the rest. */
	expect_ctx_fails(test, CR_OP_CHECKPOINT, 0, 0, ~0UL, INT_MAX, -EBADF);
}

static void ctx_unknown_flags(struct kunit *test)
{
	expect_ctx_fails(test, CR_OP_CHECKPOINT, 0, 0, CHECKPOINT_TREE << 1, -1,
			 -EINVAL);
	expect_ctx_fails(test, CR_OP_RESTART, 0, 0, 1UL << 63, -1, -EINVAL);
}

static void ctx_restart_pid(struct kunit *test)
{
	expect_ctx_fails(test, CR_OP_RESTART, 1, -1, 0, -1, -EINVAL);
	expect_ctx_fails(test, CR_OP_RESTART, -1, -1, 0, -1, -EINVAL);
}

static void ctx_bad_fd(struct kunit *test)
{
	expect_ctx_fails(test, CR_OP_CHECKPOINT, 0, -1, 0, -1, -EBADF);
	expect_ctx_fails(test, CR_OP_RESTART, 0, 1000, 0, -1, -EBADF);
}

static struct kunit_case checkpoint_ctx_cases[] = {
	KUNIT_CASE(ctx_bad_logfd),
	KUNIT_CASE(ctx_unknown_flags),
	KUNIT_CASE(ctx_restart_pid),
	KUNIT_CASE(ctx_bad_fd),
	{}
};

static struct kunit_suite checkpoint_ctx_suite = {
	.name = "checkpoint_ctx",
	.test_cases = checkpoint_ctx_cases,
};

static void pgarr_init(struct cr_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	INIT_LIST_HEAD(&ctx->pgarr_list);
}

/* Add @page @n times, as the page walk would, at increasing addresses. */
static unsigned int pgarr_fill(struct cr_ctx *ctx, struct page *page,
			       unsigned int n)
{
	struct cr_pgarr *pgarr;
	unsigned int i;

	for (i = 0; i < n; i++) {
		pgarr = cr_pgarr_current(ctx, 1, 0);
		if (IS_ERR_OR_NULL(pgarr))
			break;
		cr_pgarr_add(pgarr, page, (i + 1) * PAGE_SIZE);
	}
	return i;
}

/* Filling past one array starts a second in front; refs are held. */
static void pgarr_fill_past_one_array(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct cr_pgarr *first, *last;
	struct cr_ctx ctx;
	int ref;

	KUNIT_ASSERT_NOT_NULL(test, page);
	ref = page_ref_count(page);
	pgarr_init(&ctx);

	KUNIT_EXPECT_EQ(test, pgarr_fill(&ctx, page, CR_PGARR_TOTAL + 3),
			CR_PGARR_TOTAL + 3);
	KUNIT_EXPECT_EQ(test, ctx.nr_pgarrs, 2);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), ref + CR_PGARR_TOTAL + 3);

	first = list_first_entry(&ctx.pgarr_list, struct cr_pgarr, list);
	last = list_last_entry(&ctx.pgarr_list, struct cr_pgarr, list);
	KUNIT_EXPECT_EQ(test, first->nr_used, 3);
	KUNIT_EXPECT_EQ(test, last->nr_used, CR_PGARR_TOTAL);
	KUNIT_EXPECT_EQ(test, last->vaddrs[0], PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, first->vaddrs[0], (CR_PGARR_TOTAL + 1) * PAGE_SIZE);
	/* The first array is the current one while it has room. */
	KUNIT_EXPECT_PTR_EQ(test, cr_pgarr_current(&ctx, 1, 0), first);

	cr_pgarr_free(&ctx);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), ref);
	KUNIT_EXPECT_EQ(test, ctx.nr_pgarrs, 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&ctx.pgarr_list));
	__free_page(page);
}

/* A reset drops the references, empties the arrays and keeps them. */
static void pgarr_reset(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct cr_pgarr *pgarr;
	struct cr_ctx ctx;
	int ref;

	KUNIT_ASSERT_NOT_NULL(test, page);
	ref = page_ref_count(page);
	pgarr_init(&ctx);
	pgarr_fill(&ctx, page, CR_PGARR_TOTAL * 2);

	cr_pgarr_release_all(&ctx);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), ref);
	KUNIT_EXPECT_EQ(test, ctx.nr_pgarrs, 2);
	/* Entries past nr_used are never read: they need no zeroing. */
	list_for_each_entry(pgarr, &ctx.pgarr_list, list)
		KUNIT_EXPECT_EQ(test, pgarr->nr_used, 0);

	/* The next batch reuses both arrays before allocating. */
	KUNIT_EXPECT_EQ(test, pgarr_fill(&ctx, page, CR_PGARR_TOTAL * 2),
			CR_PGARR_TOTAL * 2);
	KUNIT_EXPECT_EQ(test, ctx.nr_pgarrs, 2);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), ref + CR_PGARR_TOTAL * 2);

	cr_pgarr_free(&ctx);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), ref);
	__free_page(page);
}

/* A batch holds CR_PGARR_BATCH arrays; then it must be written out. */
static void pgarr_batch_limit(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct cr_ctx ctx;
	int ref;

	KUNIT_ASSERT_NOT_NULL(test, page);
	ref = page_ref_count(page);
	pgarr_init(&ctx);

	KUNIT_EXPECT_EQ(test, pgarr_fill(&ctx, page, UINT_MAX),
			CR_PGARR_BATCH * CR_PGARR_TOTAL);
	KUNIT_EXPECT_NULL(test, cr_pgarr_current(&ctx, 1, 0));

	cr_pgarr_free(&ctx);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), ref);
	__free_page(page);
}

/* Room for a whole page table range forces a fresh array. */
static void pgarr_room(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct cr_pgarr *a, *b;
	struct cr_ctx ctx;

	KUNIT_ASSERT_NOT_NULL(test, page);
	pgarr_init(&ctx);
	a = cr_pgarr_current(&ctx, CR_PGARR_TOTAL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	cr_pgarr_add(a, page, PAGE_SIZE);
	b = cr_pgarr_current(&ctx, CR_PGARR_TOTAL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_PTR_EQ(test, cr_pgarr_current(&ctx, 1, 0), b);
	cr_pgarr_free(&ctx);
	__free_page(page);
}

static struct kunit_case checkpoint_pgarr_cases[] = {
	KUNIT_CASE(pgarr_fill_past_one_array),
	KUNIT_CASE(pgarr_reset),
	KUNIT_CASE(pgarr_batch_limit),
	KUNIT_CASE(pgarr_room),
	{}
};

static struct kunit_suite checkpoint_pgarr_suite = {
	.name = "checkpoint_pgarr",
	.test_cases = checkpoint_pgarr_cases,
};

/* The image's checksum is the standard CRC-32C. */
static void image_crc32c_check_value(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ~crc32c(~0U, "123456789", 9), 0xe3069283U);
}

/* Records are padded to 8 bytes, and the padding is zero. */
static void image_record_padding(struct kunit *test)
{
	struct cr_ctx ctx = {};
	struct cr_hdr *h;
	u8 *bytes;

	ctx.hbuf = kunit_kmalloc(test, CR_HBUF_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx.hbuf);
	memset(ctx.hbuf, 0xff, CR_HBUF_SIZE);

	h = cr_hbuf_get(&ctx, CR_HDR_VMA, sizeof(*h) + 5);
	KUNIT_EXPECT_EQ(test, h->type, CR_HDR_VMA);
	KUNIT_EXPECT_EQ(test, h->len, 16);
	bytes = (u8 *)h;
	KUNIT_EXPECT_EQ(test, bytes[8], 0);
	KUNIT_EXPECT_EQ(test, bytes[15], 0);
	KUNIT_EXPECT_EQ(test, bytes[16], 0xff);
}

/*
 * Each page of a batch has its own XXH64 (seed 0) in its PAGES record:
 * the value the specification gives, which user space checks against
 * (xxhsum -H1 of 4096 zero bytes is ac869b6f32d8bbdb). A batch of two
 * arrays, large enough to be spread over the CPUs there are, gets every
 * entry of both summed, and none past them.
 */
static void image_page_sums(struct kunit *test)
{
	const unsigned int n[2] = { 3 * 131, 7 };
	struct cr_pgarr pgarr[2] = {};
	struct cr_ctx ctx = {};
	struct page *pages[3];
	unsigned int i, j;
	u64 want[3];

	for (i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		if (i)
			memset(page_address(pages[i]), 'a' + i, PAGE_SIZE);
		want[i] = xxh64(page_address(pages[i]), PAGE_SIZE, 0);
	}
	KUNIT_EXPECT_EQ(test, want[0], 0xac869b6f32d8bbdbULL);
	KUNIT_EXPECT_NE(test, want[1], want[2]);

	INIT_LIST_HEAD(&ctx.pgarr_list);
	for (i = 0; i < 2; i++) {
		pgarr[i].pages = kunit_kcalloc(test, n[i] + 1,
					       sizeof(*pgarr[i].pages),
					       GFP_KERNEL);
		pgarr[i].sums = kunit_kcalloc(test, n[i] + 1,
					      sizeof(*pgarr[i].sums),
					      GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pgarr[i].pages);
		KUNIT_ASSERT_NOT_NULL(test, pgarr[i].sums);
		for (j = 0; j <= n[i]; j++) {
			pgarr[i].pages[j] = pages[j % 3];
			pgarr[i].sums[j] = 1;
		}
		pgarr[i].nr_used = n[i];
		/* The list is newest first: the first array is at its back. */
		list_add(&pgarr[i].list, &ctx.pgarr_list);
	}

	cr_sums_init(&ctx);
	cr_sums_start(&ctx);
	/* 400 pages: split over every CPU there is, up to four. */
	KUNIT_EXPECT_EQ(test, ctx.sum_job.helpers,
			min(num_online_cpus(), CR_SUM_CPUS) - 1);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_PTR_EQ(test, cr_sums_wait(&ctx, &pgarr[i]),
				    (const u64 *)pgarr[i].sums);
	cr_sums_end(&ctx);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < n[i]; j++)
			KUNIT_EXPECT_EQ(test, pgarr[i].sums[j], want[j % 3]);
		KUNIT_EXPECT_EQ(test, pgarr[i].sums[n[i]], 1);
	}
	for (i = 0; i < 3; i++)
		__free_page(pages[i]);
}

/*
 * Write a record and the tail into a pipe, read the stream back and check
 * the tail's checksum against the standard CRC-32C of the bytes before it.
 */
static void image_tail_checksum(struct kunit *test)
{
	struct cr_hdr_tail *tail;
	struct file *pipe[2];
	struct cr_ctx ctx = {};
	struct cr_hdr *h;
	loff_t pos = 0;
	u8 *buf;
	size_t n;

	KUNIT_ASSERT_EQ(test, create_pipe_files(pipe, 0), 0);
	ctx.file = pipe[1];
	ctx.crc = ~0U;
	ctx.hbuf = kunit_kzalloc(test, CR_HBUF_SIZE, GFP_KERNEL);
	buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx.hbuf);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	h = cr_hbuf_get(&ctx, CR_HDR_HEAD, sizeof(*h) + 3);
	memcpy(h + 1, "abc", 3);
	KUNIT_EXPECT_EQ(test, cr_hbuf_put(&ctx, h->len), 0);
	KUNIT_EXPECT_EQ(test, cr_write_tail(&ctx), 0);
	KUNIT_EXPECT_EQ(test, ctx.written, 16 + sizeof(*tail));

	n = kernel_read(pipe[0], buf, 64, &pos);
	KUNIT_ASSERT_EQ(test, n, 16 + sizeof(*tail));
	tail = (struct cr_hdr_tail *)(buf + 16);
	KUNIT_EXPECT_EQ(test, tail->h.type, CR_HDR_TAIL);
	KUNIT_EXPECT_EQ(test, tail->magic, CR_IMAGE_MAGIC);
	KUNIT_EXPECT_EQ(test, tail->crc32c,
			~crc32c(~0U, buf, 16 + offsetof(struct cr_hdr_tail,
							crc32c)));
	/* One flipped bit anywhere changes it. */
	buf[9] ^= 4;
	KUNIT_EXPECT_NE(test, tail->crc32c,
			~crc32c(~0U, buf, 16 + offsetof(struct cr_hdr_tail,
							crc32c)));
	fput(pipe[0]);
	fput(pipe[1]);
}

/*
 * Every image flag survives the trip into the kernel's and back. A
 * shared mapping that may be written comes back with the VM_MAYWRITE
 * restart derives for it, as mmap(2) does for a file open for writing.
 */
static void format_vma_flags_round_trip(struct kunit *test)
{
	u32 prot, flags, bit;
	vm_flags_t unknown;
	vm_flags_t vm;

	for (bit = 1; bit & CR_VMA_FLAGS; bit <<= 1) {
		if (bit == CR_VMA_MAYWRITE)
			continue;	/* only with CR_VMA_SHARED, below */
		vm = cr_vma_flags_from_image(CR_PROT_READ, bit);
		KUNIT_EXPECT_TRUE(test, cr_vma_flags_to_image(vm, &prot, &flags,
							      &unknown));
		KUNIT_EXPECT_EQ(test, prot, CR_PROT_READ);
		KUNIT_EXPECT_EQ(test, flags, bit);
	}
	vm = cr_vma_flags_from_image(CR_PROT_READ,
				     CR_VMA_SHARED | CR_VMA_MAYWRITE);
	KUNIT_EXPECT_EQ(test, vm & (VM_SHARED | VM_MAYSHARE),
			VM_SHARED | VM_MAYSHARE);
	KUNIT_EXPECT_TRUE(test, cr_vma_flags_to_image(vm | VM_MAYWRITE, &prot,
						      &flags, &unknown));
	KUNIT_EXPECT_EQ(test, flags, CR_VMA_SHARED | CR_VMA_MAYWRITE);
	vm = cr_vma_flags_from_image(CR_PROT_ALL, CR_VMA_FLAGS) | VM_MAYWRITE;
	KUNIT_EXPECT_TRUE(test, cr_vma_flags_to_image(vm, &prot, &flags,
						      &unknown));
	KUNIT_EXPECT_EQ(test, prot, CR_PROT_ALL);
	KUNIT_EXPECT_EQ(test, flags, CR_VMA_FLAGS);
}

/*
 * What restart derives is left out without a word; program state with
 * no image constant is refused, never dropped.
 */
static void format_vma_flags_refused(struct kunit *test)
{
	vm_flags_t derived = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
			     VM_ACCOUNT | VM_SOFTDIRTY | VM_SHARED;
	vm_flags_t refused[] = { VM_SEALED, VM_UFFD_MISSING, VM_MERGEABLE,
				 VM_UFFD_WP, VM_SYNC, VM_DONTEXPAND };
	vm_flags_t unknown;
	u32 prot, flags;
	unsigned int i;

	KUNIT_EXPECT_TRUE(test, cr_vma_flags_to_image(VM_READ | derived, &prot,
						      &flags, &unknown));
	KUNIT_EXPECT_EQ(test, flags, 0);
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		KUNIT_EXPECT_FALSE(test, cr_vma_flags_to_image(VM_READ | refused[i],
							       &prot, &flags,
							       &unknown));
		KUNIT_EXPECT_EQ(test, unknown, refused[i]);
	}
	KUNIT_EXPECT_STREQ(test, cr_vm_flag_name(VM_SEALED), "VM_SEALED (mseal)");
}

/* A new mm translates; KSM's merge-any does not. */
static void format_mm_flags(struct kunit *test)
{
	struct rlimit rlim = { .rlim_cur = _STK_LIM, .rlim_max = _STK_LIM };
	unsigned long unknown, back;
	struct mm_struct *mm;
	u32 flags, filter;

	mm = mm_alloc();
	KUNIT_ASSERT_NOT_NULL(test, mm);
	arch_pick_mmap_layout(mm, &rlim);
	KUNIT_EXPECT_TRUE(test, cr_mm_flags_to_image(mm->flags, &flags,
						     &filter, &unknown));
	mmput(mm);
	KUNIT_EXPECT_EQ(test, filter,
			(u32)(MMF_DUMP_FILTER_DEFAULT >> MMF_DUMP_FILTER_SHIFT));
	back = cr_mm_flags_from_image(CR_MM_FLAGS, CR_MM_DUMP_FILTER);
	KUNIT_EXPECT_TRUE(test, cr_mm_flags_to_image(back, &flags, &filter,
						     &unknown));
	KUNIT_EXPECT_EQ(test, flags, CR_MM_FLAGS);
	KUNIT_EXPECT_EQ(test, filter, CR_MM_DUMP_FILTER);
	KUNIT_EXPECT_FALSE(test, cr_mm_flags_to_image(BIT(MMF_VM_MERGE_ANY),
						      &flags, &filter,
						      &unknown));
	KUNIT_EXPECT_EQ(test, unknown, BIT(MMF_VM_MERGE_ANY));
}

static struct kunit_case checkpoint_format_cases[] = {
	KUNIT_CASE(format_vma_flags_round_trip),
	KUNIT_CASE(format_vma_flags_refused),
	KUNIT_CASE(format_mm_flags),
	{}
};

static struct kunit_suite checkpoint_format_suite = {
	.name = "checkpoint_format",
	.test_cases = checkpoint_format_cases,
};

static struct kunit_case checkpoint_image_cases[] = {
	KUNIT_CASE(image_crc32c_check_value),
	KUNIT_CASE(image_page_sums),
	KUNIT_CASE(image_record_padding),
	KUNIT_CASE(image_tail_checksum),
	{}
};

static struct kunit_suite checkpoint_image_suite = {
	.name = "checkpoint_image",
	.test_cases = checkpoint_image_cases,
};

/*
 * The table of the tree's files (file_ids.c), filled with more entries
 * than its first buckets hold twice over, so that it grows: every entry
 * is found with its count, met once by the walk, and nothing else is
 * found. The "files" are addresses in an array, never dereferenced.
 */
#define FILE_IDS_NR	3000U

/* A failed assertion leaves the table to this: freeing it twice is fine. */
static void file_ids_free(void *ctx)
{
	cr_file_ids_free(ctx);
}

static void file_ids_grow_and_find(struct kunit *test)
{
	unsigned long seen = 0, sum = 0, *fake;
	struct cr_file_id *fi;
	struct cr_ctx *ctx;
	unsigned int i;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	fake = kunit_kcalloc(test, FILE_IDS_NR + 1, sizeof(*fake), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_NOT_NULL(test, fake);
	KUNIT_EXPECT_NULL(test, cr_file_id(ctx, (struct file *)fake));
	KUNIT_ASSERT_EQ(test, 0, cr_file_ids_init(ctx));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, file_ids_free,
							   ctx));
	for (i = 0; i < FILE_IDS_NR; i++) {
		fi = cr_file_id_count(ctx, (struct file *)&fake[i]);
		KUNIT_ASSERT_NOT_NULL(test, fi);
		if (i % 2)
			KUNIT_EXPECT_PTR_EQ(test, fi,
					    cr_file_id_count(ctx, fi->file));
	}
	/* 3000 entries: 2^11 buckets, the first size they fit twice in. */
	KUNIT_EXPECT_EQ(test, 11U, ctx->file_ids.bits);
	KUNIT_EXPECT_EQ(test, FILE_IDS_NR, ctx->file_ids.nr);
	for (i = 0; i < FILE_IDS_NR; i++) {
		fi = cr_file_id(ctx, (struct file *)&fake[i]);
		KUNIT_ASSERT_NOT_NULL(test, fi);
		KUNIT_EXPECT_EQ(test, 1UL + i % 2, fi->val);
	}
	KUNIT_EXPECT_NULL(test, cr_file_id(ctx, (struct file *)&fake[i]));
	for (fi = NULL; (fi = cr_file_ids_next(ctx, fi));) {
		seen++;
		sum += fi->val;
	}
	KUNIT_EXPECT_EQ(test, (unsigned long)FILE_IDS_NR, seen);
	KUNIT_EXPECT_EQ(test, FILE_IDS_NR + FILE_IDS_NR / 2UL, sum);
	cr_file_ids_free(ctx);
	KUNIT_EXPECT_NULL(test, ctx->file_ids.heads);
	KUNIT_EXPECT_NULL(test, cr_file_id(ctx, (struct file *)fake));
}

static struct kunit_case checkpoint_file_ids_cases[] = {
	KUNIT_CASE(file_ids_grow_and_find),
	{}
};

static struct kunit_suite checkpoint_file_ids_suite = {
	.name = "checkpoint_file_ids",
	.test_cases = checkpoint_file_ids_cases,
};

kunit_test_suites(&checkpoint_log_suite, &checkpoint_ctx_suite,
		  &checkpoint_pgarr_suite, &checkpoint_image_suite,
		  &checkpoint_format_suite, &checkpoint_file_ids_suite);

MODULE_DESCRIPTION("KUnit tests for checkpoint/restart");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for lazy restart's ranges of pages still to fill, with the
 * cases of CRIU's lazy-pages IOV list (update_lazy_iovecs()): a fill at
 * a range's start, in its middle and at its end, across two ranges, of
 * a whole range, a VMA boundary inside a saved run; a batch that is not
 * dense, read after it went in, and a bad one; pages a fault marks filled
 * rather than cut out; then (slow cases) a random fill order over 4K
 * pages and over a million, that ends with an empty set. After every
 * change, each page left must still find its place in the image.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <linux/ckpt_lazy.h>

#define PG(n)		((unsigned long)(n) << PAGE_SHIFT)
#define BASE		PG(0x1000)	/* where the runs start */
#define IMG		0x40000ULL	/* the first run's image offset */

static struct cr_lazy_ranges *lr_new(struct kunit *test)
{
	struct cr_lazy_ranges *lr = kunit_kzalloc(test, sizeof(*lr),
						  GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, lr);
	cr_lazy_ranges_init(lr);
	return lr;
}

/*
 * A batch of @nr pages from page @first, read: its contents at image
 * offset IMG + PG(@first) on.
 */
static struct cr_lazy_run *run_of(struct kunit *test, struct cr_lazy_ranges *lr,
				  unsigned long first, unsigned int nr)
{
	struct cr_lazy_run *run;
	unsigned int i;
	u64 *meta;

	run = cr_lazy_run_alloc(lr, BASE + PG(first), BASE + PG(first + nr - 1),
				nr, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, run);
	meta = kvmalloc(cr_lazy_meta_size(run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, meta);
	for (i = 0; i < nr; i++) {
		meta[i] = BASE + PG(first + i);
		meta[nr + i] = 0xc0de0000 + first + i;
	}
	cr_lazy_run_set(lr, run, meta, IMG + PG(first));
	return run;
}

/*
 * A batch of the @nr pages @pages (page numbers from BASE, ascending),
 * added as one span still unread; its metadata, for cr_lazy_run_set(),
 * in *@meta: checksums 0x5a5a0000 + each page's rank.
 */
static struct cr_lazy_run *sparse_run(struct kunit *test,
				      struct cr_lazy_ranges *lr,
				      const unsigned long *pages,
				      unsigned int nr, u64 **meta)
{
	struct cr_lazy_run *run;
	unsigned int i;

	run = cr_lazy_run_alloc(lr, BASE, BASE + PG(pages[nr - 1]), nr,
				0x100, 0);
	KUNIT_ASSERT_NOT_NULL(test, run);
	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, run, BASE,
					  BASE + PG(pages[nr - 1] + 1)), 0);
	*meta = kvmalloc(cr_lazy_meta_size(run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *meta);
	for (i = 0; i < nr; i++) {
		(*meta)[i] = BASE + PG(pages[i]);
		(*meta)[nr + i] = 0x5a5a0000 + i;
	}
	return run;
}

/* Page @n is in the set exactly when @in, and then at its image place. */
static void expect_page(struct kunit *test, struct cr_lazy_ranges *lr,
			unsigned long n, bool in)
{
	struct cr_lazy_run *run = cr_lazy_find(lr, BASE + PG(n));
	u64 sum;

	KUNIT_EXPECT_EQ_MSG(test, !!run, in, "page %lu", n);
	if (!run || !in)
		return;
	KUNIT_EXPECT_EQ(test, cr_lazy_page(run, BASE + PG(n) + 7, &sum),
			IMG + PG(n));
	KUNIT_EXPECT_EQ(test, sum, 0xc0de0000 + n);
}

/* How many pages are still to fill, range by range (cr_lazy_next()). */
static unsigned long pages_left(struct cr_lazy_ranges *lr)
{
	unsigned long addr = 0, end, nr = 0;

	while (cr_lazy_next(lr, &addr, &end)) {
		nr += (end - addr) >> PAGE_SHIFT;
		addr = end;
	}
	return nr;
}

/* Pages [@lo, @hi) are in the set, and nothing else of [0, @top). */
static void expect_only(struct kunit *test, struct cr_lazy_ranges *lr,
			unsigned long lo, unsigned long hi, unsigned long top)
{
	unsigned long n;

	for (n = 0; n < top; n++)
		expect_page(test, lr, n, n >= lo && n < hi);
}

static void lazy_fill_start_middle_end(struct kunit *test)
{
	struct cr_lazy_ranges *lr = lr_new(test);
	struct cr_lazy_run *run = run_of(test, lr, 0, 10);
	unsigned long addr, end;

	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, run, BASE, BASE + PG(10)), 0);
	KUNIT_EXPECT_EQ(test, pages_left(lr), 10);

	/* Its start: the range shrinks from below. */
	KUNIT_EXPECT_EQ(test, cr_lazy_remove(lr, BASE, BASE + PG(1)), 1);
	expect_only(test, lr, 1, 10, 12);
	/* Its end: from above. */
	KUNIT_EXPECT_EQ(test, cr_lazy_remove(lr, BASE + PG(9), BASE + PG(10)), 1);
	expect_only(test, lr, 1, 9, 12);
	/* Its middle: two ranges, both of the same run. */
	KUNIT_EXPECT_EQ(test, cr_lazy_remove(lr, BASE + PG(4), BASE + PG(6)), 2);
	for (addr = 0; addr < 12; addr++)
		expect_page(test, lr, addr,
			    (addr >= 1 && addr < 4) || (addr >= 6 && addr < 9));
	KUNIT_EXPECT_EQ(test, pages_left(lr), 6);

	/* The next page to fill, and the end of its range. */
	addr = 0;
	KUNIT_EXPECT_TRUE(test, cr_lazy_next(lr, &addr, &end));
	KUNIT_EXPECT_EQ(test, addr, BASE + PG(1));
	KUNIT_EXPECT_EQ(test, end, BASE + PG(4));
	addr = BASE + PG(4);
	KUNIT_EXPECT_TRUE(test, cr_lazy_next(lr, &addr, &end));
	KUNIT_EXPECT_EQ(test, addr, BASE + PG(6));
	KUNIT_EXPECT_EQ(test, end, BASE + PG(9));
	/* From inside a range: that page. */
	addr = BASE + PG(7) + 5;
	KUNIT_EXPECT_TRUE(test, cr_lazy_next(lr, &addr, &end));
	KUNIT_EXPECT_EQ(test, addr, BASE + PG(7));
	addr = BASE + PG(9);
	KUNIT_EXPECT_FALSE(test, cr_lazy_next(lr, &addr, &end));

	/* Nothing there: nothing removed. */
	KUNIT_EXPECT_EQ(test, cr_lazy_remove(lr, BASE + PG(4), BASE + PG(6)), 0);
	cr_lazy_ranges_destroy(lr);
}

static void lazy_fill_across_two_and_whole(struct kunit *test)
{
	struct cr_lazy_ranges *lr = lr_new(test);
	struct cr_lazy_run *a = run_of(test, lr, 0, 4);
	struct cr_lazy_run *b = run_of(test, lr, 6, 4);
	unsigned long n;

	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, a, BASE, BASE + PG(4)), 0);
	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, b, BASE + PG(6), BASE + PG(10)), 0);
	/* Overlaps are refused. */
	KUNIT_EXPECT_EQ(test, cr_lazy_add(lr, b, BASE + PG(6), BASE + PG(7)),
			-EEXIST);

	/* The end of one, the gap, the start of the next. */
	KUNIT_EXPECT_EQ(test, cr_lazy_remove(lr, BASE + PG(3), BASE + PG(8)), 3);
	for (n = 0; n < 12; n++)
		expect_page(test, lr, n, n < 3 || (n >= 8 && n < 10));
	/* A whole range, and more around it. */
	KUNIT_EXPECT_EQ(test, cr_lazy_remove(lr, BASE + PG(7), BASE + PG(20)), 2);
	expect_only(test, lr, 0, 3, 12);
	KUNIT_EXPECT_EQ(test, cr_lazy_remove(lr, 0, BASE + PG(3)), 3);
	KUNIT_EXPECT_EQ(test, pages_left(lr), 0);
	expect_only(test, lr, 0, 0, 12);
	cr_lazy_ranges_destroy(lr);
}

/*
 * A saved run that two VMAs share (mprotect() split one after the pages
 * were saved): its pages go in as two ranges, each finding its own part
 * of the run; removing one VMA leaves the other whole.
 */
static void lazy_vma_boundary_inside_a_run(struct kunit *test)
{
	struct cr_lazy_ranges *lr = lr_new(test);
	struct cr_lazy_run *run = run_of(test, lr, 0, 8);

	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, run, BASE, BASE + PG(5)), 0);
	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, run, BASE + PG(5), BASE + PG(8)), 0);
	expect_only(test, lr, 0, 8, 10);
	KUNIT_EXPECT_EQ(test, cr_lazy_remove(lr, BASE, BASE + PG(5)), 5);
	expect_only(test, lr, 5, 8, 10);
	cr_lazy_ranges_destroy(lr);
}

/*
 * A batch whose pages are not all those from its first to its last: the
 * set holds its whole span until it is read; then the addresses between
 * its pages leave, and each page finds its contents by its rank in the
 * batch, not by its address.
 */
static void lazy_sparse_batch_read(struct kunit *test)
{
	static const unsigned long pages[] = { 0, 1, 2, 5, 6, 9 };
	struct cr_lazy_ranges *lr = lr_new(test);
	unsigned int i, nr = ARRAY_SIZE(pages);
	unsigned long n, addr, end;
	struct cr_lazy_run *run;
	u64 *meta, sum;

	run = sparse_run(test, lr, pages, nr, &meta);
	KUNIT_EXPECT_EQ(test, run->state, CR_LAZY_UNREAD);
	KUNIT_EXPECT_EQ(test, pages_left(lr), 10);
	KUNIT_EXPECT_PTR_EQ(test, cr_lazy_find(lr, BASE + PG(4)), run);

	cr_lazy_run_set(lr, run, meta, IMG);
	KUNIT_EXPECT_EQ(test, run->state, CR_LAZY_READ);
	KUNIT_EXPECT_EQ(test, pages_left(lr), nr);
	for (n = 0, i = 0; n < 12; n++) {
		bool in = i < nr && pages[i] == n;

		KUNIT_EXPECT_EQ_MSG(test, !!cr_lazy_find(lr, BASE + PG(n)), in,
				    "page %lu", n);
		if (!in)
			continue;
		KUNIT_EXPECT_EQ(test, cr_lazy_page(run, BASE + PG(n), &sum),
				IMG + PG(i));
		KUNIT_EXPECT_EQ(test, sum, 0x5a5a0000 + i);
		i++;
	}
	/* An address between its pages, or past them, is none of its. */
	KUNIT_EXPECT_EQ(test, cr_lazy_page(run, BASE + PG(4), &sum), U64_MAX);
	KUNIT_EXPECT_EQ(test, cr_lazy_page(run, BASE + PG(10), &sum), U64_MAX);
	/* What is left: ranges of pages consecutive in the image too. */
	addr = 0;
	KUNIT_EXPECT_TRUE(test, cr_lazy_next(lr, &addr, &end));
	KUNIT_EXPECT_EQ(test, addr, BASE);
	KUNIT_EXPECT_EQ(test, end, BASE + PG(3));
	addr = end;
	KUNIT_EXPECT_TRUE(test, cr_lazy_next(lr, &addr, &end));
	KUNIT_EXPECT_EQ(test, addr, BASE + PG(5));
	KUNIT_EXPECT_EQ(test, end, BASE + PG(7));
	cr_lazy_ranges_destroy(lr);
}

/*
 * A batch that proved bad: what is left of it is poisoned, so that every
 * touch gets SIGBUS; a page filled before stays out, and the next batch
 * is untouched.
 */
static void lazy_bad_batch_poisoned(struct kunit *test)
{
	struct cr_lazy_ranges *lr = lr_new(test);
	struct cr_lazy_run *a, *b;
	unsigned long n, addr, end;

	a = cr_lazy_run_alloc(lr, BASE, BASE + PG(7), 8, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	b = run_of(test, lr, 8, 4);
	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, a, BASE, BASE + PG(8)), 0);
	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, b, BASE + PG(8), BASE + PG(12)), 0);
	KUNIT_EXPECT_EQ(test, cr_lazy_remove(lr, BASE + PG(3), BASE + PG(4)), 1);

	cr_lazy_poison_run(lr, a);
	KUNIT_EXPECT_EQ(test, pages_left(lr), 4);
	for (n = 0; n < 12; n++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, cr_lazy_find(lr, BASE + PG(n)),
					n == 3 ? NULL :
					n < 8 ? &cr_lazy_poisoned : b,
					"page %lu", n);
	/* Poisoned pages are not to fill: the next is the good batch's. */
	addr = 0;
	KUNIT_EXPECT_TRUE(test, cr_lazy_next(lr, &addr, &end));
	KUNIT_EXPECT_EQ(test, addr, BASE + PG(8));
	cr_lazy_ranges_destroy(lr);
}

/* The tree's entry at page @n is @want, from page @lo to page @hi - 1. */
static void expect_entry(struct kunit *test, struct cr_lazy_ranges *lr,
			 unsigned long n, void *want, unsigned long lo,
			 unsigned long hi)
{
	MA_STATE(mas, &lr->mt, BASE + PG(n), BASE + PG(n));
	void *entry;

	rcu_read_lock();
	entry = mas_walk(&mas);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ_MSG(test, entry, want, "page %lu", n);
	if (!entry || entry != want)
		return;
	KUNIT_EXPECT_EQ_MSG(test, mas.index, BASE + PG(lo), "page %lu", n);
	KUNIT_EXPECT_EQ_MSG(test, mas.last, BASE + PG(hi) - 1, "page %lu", n);
}

/*
 * A fault marks its page filled: no range is split for it, yet no lookup
 * finds it, the ranges to fill go round it, it cannot be poisoned, and
 * a cut counts only pages still to fill. A range whose pages are all
 * marked leaves the tree.
 */
static void lazy_fault_fill_marks(struct kunit *test)
{
	struct cr_lazy_ranges *lr = lr_new(test);
	struct cr_lazy_run *run = run_of(test, lr, 0, 10);
	unsigned long n, addr, end;

	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, run, BASE, BASE + PG(10)), 0);
	cr_lazy_ranges_publish(lr);
	cr_lazy_filled(lr, BASE + PG(4) + 9);
	for (n = 0; n < 12; n++)
		expect_page(test, lr, n, n < 10 && n != 4);
	/* Still one range in the tree, not split. */
	expect_entry(test, lr, 4, run, 0, 10);
	addr = 0;
	KUNIT_EXPECT_TRUE(test, cr_lazy_next(lr, &addr, &end));
	KUNIT_EXPECT_EQ(test, addr, BASE);
	KUNIT_EXPECT_EQ(test, end, BASE + PG(4));
	addr = end;
	KUNIT_EXPECT_TRUE(test, cr_lazy_next(lr, &addr, &end));
	KUNIT_EXPECT_EQ(test, addr, BASE + PG(5));
	KUNIT_EXPECT_EQ(test, end, BASE + PG(10));
	KUNIT_EXPECT_EQ(test, pages_left(lr), 9);

	/* A fill that failed beside the fault does not poison its page. */
	KUNIT_EXPECT_EQ(test, cr_lazy_poison(lr, BASE + PG(4)), 0);
	KUNIT_EXPECT_PTR_EQ(test, cr_lazy_find(lr, BASE + PG(4)), NULL);
	addr = 0;
	KUNIT_EXPECT_FALSE(test, cr_lazy_next_poisoned(lr, &addr, &end));

	/* A cut over it counts the pages still to fill. */
	KUNIT_EXPECT_EQ(test, cr_lazy_remove(lr, BASE + PG(3), BASE + PG(6)), 2);
	for (n = 0; n < 12; n++)
		expect_page(test, lr, n, n < 3 || (n >= 6 && n < 10));
	for (n = 0; n < 2; n++)
		cr_lazy_filled(lr, BASE + PG(n));
	KUNIT_EXPECT_PTR_EQ(test, mtree_load(&lr->mt, BASE), run);
	cr_lazy_filled(lr, BASE + PG(2));
	KUNIT_EXPECT_PTR_EQ(test, mtree_load(&lr->mt, BASE), NULL);
	for (n = 9; n >= 6; n--)
		cr_lazy_filled(lr, BASE + PG(n));
	KUNIT_EXPECT_TRUE(test, mtree_empty(&lr->mt));
	KUNIT_EXPECT_EQ(test, pages_left(lr), 0);
	cr_lazy_ranges_destroy(lr);
}

/* A cut of one run's ranges leaves a page poisoned meanwhile. */
static void lazy_remove_run_keeps_poisoned(struct kunit *test)
{
	struct cr_lazy_ranges *lr = lr_new(test);
	struct cr_lazy_run *a = run_of(test, lr, 0, 6);
	struct cr_lazy_run *b = run_of(test, lr, 6, 2);
	unsigned long n;

	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, a, BASE, BASE + PG(6)), 0);
	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, b, BASE + PG(6), BASE + PG(8)), 0);
	KUNIT_ASSERT_EQ(test, cr_lazy_poison(lr, BASE + PG(2)), 0);
	cr_lazy_filled(lr, BASE + PG(4));
	/* Five pages in the cut: one poisoned, one filled; b is not a's. */
	KUNIT_EXPECT_EQ(test, cr_lazy_remove_run(lr, a, BASE, BASE + PG(8)), 4);
	for (n = 0; n < 10; n++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, cr_lazy_find(lr, BASE + PG(n)),
					n == 2 ? &cr_lazy_poisoned :
					n >= 6 && n < 8 ? b : NULL,
					"page %lu", n);
	cr_lazy_ranges_destroy(lr);
}

/*
 * A fault marks pages of a batch whose pages are not all those from its
 * first to its last, found by rank: ranges to fill go round them, and a
 * range of it all marked leaves the tree. A background fill takes the
 * marked pages next to it out with it (cr_lazy_remove_filled()), but no
 * page of another range.
 */
static void lazy_fault_marks_sparse_batch(struct kunit *test)
{
	static const unsigned long pages[] = { 0, 1, 2, 5, 6, 7, 9 };
	struct cr_lazy_ranges *lr = lr_new(test);
	unsigned int nr = ARRAY_SIZE(pages);
	unsigned long n, addr, end;
	struct cr_lazy_run *run;
	u64 *meta;

	run = sparse_run(test, lr, pages, nr, &meta);
	cr_lazy_run_set(lr, run, meta, IMG);
	cr_lazy_ranges_publish(lr);

	cr_lazy_filled(lr, BASE + PG(1));
	addr = 0;
	KUNIT_EXPECT_TRUE(test, cr_lazy_next(lr, &addr, &end));
	KUNIT_EXPECT_EQ(test, addr, BASE);
	KUNIT_EXPECT_EQ(test, end, BASE + PG(1));
	addr = end;
	KUNIT_EXPECT_TRUE(test, cr_lazy_next(lr, &addr, &end));
	KUNIT_EXPECT_EQ(test, addr, BASE + PG(2));
	KUNIT_EXPECT_EQ(test, end, BASE + PG(3));
	expect_entry(test, lr, 1, run, 0, 3);
	cr_lazy_filled(lr, BASE);
	cr_lazy_filled(lr, BASE + PG(2));
	/* All of [0, 3) marked: out of the tree. */
	expect_entry(test, lr, 1, NULL, 0, 0);

	/* Page 5 marked, then a fill of 6: 5 goes with it, 7 and 9 stay. */
	cr_lazy_filled(lr, BASE + PG(5));
	KUNIT_EXPECT_EQ(test, cr_lazy_remove_filled(lr, run, BASE + PG(6),
						    BASE + PG(7)), 1);
	expect_entry(test, lr, 5, NULL, 0, 0);
	expect_entry(test, lr, 7, run, 7, 8);
	expect_entry(test, lr, 9, run, 9, 10);
	for (n = 0; n < 12; n++)
		KUNIT_EXPECT_EQ_MSG(test, !!cr_lazy_find(lr, BASE + PG(n)),
				    n == 7 || n == 9, "page %lu", n);
	cr_lazy_ranges_destroy(lr);
}

/*
 * A background fill takes the marked pages on both sides of it out of
 * the tree with it, and stops at the first page still to fill.
 */
static void lazy_fill_takes_marked_neighbours(struct kunit *test)
{
	struct cr_lazy_ranges *lr = lr_new(test);
	struct cr_lazy_run *run = run_of(test, lr, 0, 10);
	unsigned long n;

	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, run, BASE, BASE + PG(10)), 0);
	cr_lazy_ranges_publish(lr);
	cr_lazy_filled(lr, BASE + PG(3));
	cr_lazy_filled(lr, BASE + PG(4));
	cr_lazy_filled(lr, BASE + PG(7));
	cr_lazy_filled(lr, BASE + PG(9));
	KUNIT_EXPECT_EQ(test, cr_lazy_remove_filled(lr, run, BASE + PG(5),
						    BASE + PG(7)), 2);
	expect_entry(test, lr, 0, run, 0, 3);
	for (n = 3; n < 8; n++)
		expect_entry(test, lr, n, NULL, 0, 0);
	expect_entry(test, lr, 8, run, 8, 10);
	for (n = 0; n < 12; n++)
		expect_page(test, lr, n, n < 3 || n == 8);
	cr_lazy_ranges_destroy(lr);
}

/*
 * A page mapped by a fault after a fill beside it poisoned it, or of a
 * batch not read yet, leaves the set as a range: it has its contents.
 */
static void lazy_filled_poisoned_or_unread(struct kunit *test)
{
	struct cr_lazy_ranges *lr = lr_new(test);
	struct cr_lazy_run *a = run_of(test, lr, 0, 4);
	struct cr_lazy_run *b;
	unsigned long n;

	b = cr_lazy_run_alloc(lr, BASE + PG(4), BASE + PG(7), 4, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, a, BASE, BASE + PG(4)), 0);
	KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, b, BASE + PG(4), BASE + PG(8)), 0);
	cr_lazy_ranges_publish(lr);
	KUNIT_ASSERT_EQ(test, cr_lazy_poison(lr, BASE + PG(1)), 0);
	cr_lazy_filled(lr, BASE + PG(1));
	cr_lazy_filled(lr, BASE + PG(5));
	for (n = 0; n < 8; n++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, mtree_load(&lr->mt, BASE + PG(n)),
					n == 1 || n == 5 ? NULL : n < 4 ?
					(void *)a : (void *)b, "page %lu", n);
	cr_lazy_ranges_destroy(lr);
}

/*
 * How a random fill takes pages out: as drops do, cutting ranges
 * (cr_lazy_remove()); as faults do, marking pages (cr_lazy_filled()); or
 * each page either by a fault or as the background does, cutting it and
 * the marked pages next to it (cr_lazy_remove_filled()).
 */
enum fill_by { BY_CUT, BY_FAULT, BY_EITHER };

/*
 * @total pages in runs of varied length, filled one page at a time in a
 * random order: the set ends empty, and so does the tree, whichever way
 * the pages went; on the way every page looked up is where its run says.
 */
static void lazy_random_fill(struct kunit *test, unsigned long total,
			     enum fill_by by)
{
	struct cr_lazy_ranges *lr = lr_new(test);
	struct rnd_state rnd;
	struct cr_lazy_run *run;
	unsigned long i, j, n, tmp, *order;
	unsigned long addr;
	bool fault;
	long cut;
	u64 sum;

	order = vmalloc(array_size(total, sizeof(*order)));
	KUNIT_ASSERT_NOT_NULL(test, order);
	prandom_seed_state(&rnd, 0x1a2b3c4d);
	for (i = 0; i < total; i += n) {
		n = min(total - i, 1 + (unsigned long)prandom_u32_state(&rnd) % 700);
		run = run_of(test, lr, i, n);
		KUNIT_ASSERT_EQ(test, cr_lazy_add(lr, run, BASE + PG(i),
						  BASE + PG(i + n)), 0);
	}
	KUNIT_ASSERT_EQ(test, pages_left(lr), total);
	/* Filled as a running task's faults fill it: in RCU mode. */
	cr_lazy_ranges_publish(lr);
	for (i = 0; i < total; i++)
		order[i] = i;
	for (i = total - 1; i > 0; i--) {
		j = prandom_u32_state(&rnd) % (i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	for (i = 0; i < total; i++) {
		n = order[i];
		addr = BASE + PG(n);
		run = cr_lazy_find(lr, addr);
		if (!run || cr_lazy_page(run, addr, &sum) != IMG + PG(n) ||
		    sum != 0xc0de0000 + n) {
			KUNIT_FAIL(test, "page %lu, fill %lu: not found", n, i);
			break;
		}
		fault = by == BY_FAULT ||
			(by == BY_EITHER && prandom_u32_state(&rnd) & 1);
		cut = 1;
		if (fault)
			cr_lazy_filled(lr, addr);
		else if (by == BY_CUT)
			cut = cr_lazy_remove(lr, addr, addr + PAGE_SIZE);
		else
			cut = cr_lazy_remove_filled(lr, run, addr,
						    addr + PAGE_SIZE);
		/* A cut counts its page, and the marked next to it none. */
		if (cut != 1 || cr_lazy_find(lr, addr)) {
			KUNIT_FAIL(test, "page %lu, fill %lu: still there (%ld)",
				   n, i, cut);
			break;
		}
		/* Let RCU free the tree's old nodes as it goes. */
		if (!(i % 256))
			cond_resched();
		if (!(i % 65536))
			rcu_barrier();
	}
	KUNIT_EXPECT_EQ(test, pages_left(lr), 0);
	KUNIT_EXPECT_TRUE(test, mtree_empty(&lr->mt));
	vfree(order);
	cr_lazy_ranges_destroy(lr);
}

/* Faults alone store into the tree once a range: not slow. */
static void lazy_random_fault_fill_4k(struct kunit *test)
{
	lazy_random_fill(test, 1UL << 12, BY_FAULT);
}

/* Half of the pages cut: a few hundred KiB of tree nodes freed. */
static void lazy_random_mixed_fill_4k(struct kunit *test)
{
	lazy_random_fill(test, 1UL << 12, BY_EITHER);
}

/*
 * Slow cases, which the test kernel's boot skips (kunit.filter) and
 * kunit.py runs: under KASAN, the tree's freed nodes fill the
 * quarantine by tens of MiB, which a boot's free memory must not show.
 */
static void lazy_random_fill_4k(struct kunit *test)
{
	lazy_random_fill(test, 1UL << 12, BY_CUT);
}

/* A million pages, as a random touch pattern over 4 GiB leaves them. */
static void lazy_random_fill_1m(struct kunit *test)
{
	lazy_random_fill(test, 1UL << 20, BY_CUT);
}

static void lazy_random_fault_fill_1m(struct kunit *test)
{
	lazy_random_fill(test, 1UL << 20, BY_FAULT);
}

/* More ranges than a walk passes over between two drops of its lock. */
#define EMPTIER_RANGES	200

struct emptier {
	struct cr_lazy_ranges *lr;
	struct task_struct *tsk;
	struct cr_lazy_run *runs[EMPTIER_RANGES];
	unsigned long rounds;
	int err;
};

/*
 * Put one-page ranges with gaps between them into the set, and take them
 * all out, the tree going empty each time, until told to stop: three
 * ranges, for many emptyings, and every eighth time EMPTIER_RANGES, for
 * walks that drop their lock on the way.
 */
static int emptier_fn(void *data)
{
	struct emptier *e = data;
	int i, n;

	while (!kthread_should_stop()) {
		/* After a failure, only wait to be stopped. */
		if (e->err) {
			usleep_range(1000, 2000);
			continue;
		}
		n = e->rounds % 8 ? 3 : EMPTIER_RANGES;
		for (i = 0; i < n && !e->err; i++)
			e->err = cr_lazy_add(e->lr, e->runs[i],
					     e->runs[i]->start,
					     e->runs[i]->start + PAGE_SIZE);
		if (!e->err && cr_lazy_remove(e->lr, 0, TASK_SIZE) < 0)
			e->err = -ENOMEM;
		e->rounds++;
		cond_resched();
	}
	return 0;
}

/* Stop the emptier before its set goes, should the test end early. */
static void emptier_stop(void *data)
{
	struct emptier *e = data;

	kthread_stop(e->tsk);
	kfree(e);
}

static void lr_destroy(void *lr)
{
	cr_lazy_ranges_destroy(lr);
}

/* A walk of the set that sees anything but some of its ranges fails. */
static bool walk_ok(struct kunit *test, struct cr_lazy_ranges *lr)
{
	unsigned long addr = 0, end;

	/* From a gap: the walk goes on past the first slot. */
	while (cr_lazy_next(lr, &addr, &end)) {
		if (addr < BASE || addr >= BASE + PG(2 * EMPTIER_RANGES) ||
		    (addr - BASE) % PG(2) || end != addr + PAGE_SIZE) {
			KUNIT_FAIL(test, "range %lx-%lx", addr, end);
			return false;
		}
		addr = end;
	}
	/* None is poisoned: a walk that passes over every range. */
	addr = 0;
	if (cr_lazy_next_poisoned(lr, &addr, &end)) {
		KUNIT_FAIL(test, "poisoned range %lx-%lx", addr, end);
		return false;
	}
	return true;
}

/*
 * The background and fork() walk the set for its next range while
 * faults and drops take ranges out, and the last range out leaves the
 * tree empty. A walk that met a node replaced meanwhile and walked
 * again into the empty tree followed a NULL node (a general protection
 * fault in mas_next_slot() with two background workers); the walk must
 * see the set before or after, and nothing else, across the drops of
 * its lock too.
 */
static void lazy_walk_while_emptied(struct kunit *test)
{
	struct cr_lazy_ranges *lr = lr_new(test);
	unsigned long walks = 0, stop, give_up;
	struct task_struct *tsk;
	struct emptier *e;
	int i;

	if (num_online_cpus() < 2)
		kunit_skip(test, "a walk and a change at once need two CPUs");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, lr_destroy, lr),
			0);
	/* Not the test's: its thread may outlive a test that died. */
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	e->lr = lr;
	for (i = 0; i < EMPTIER_RANGES; i++) {
		e->runs[i] = cr_lazy_run_alloc(lr, BASE + PG(2 * i),
					       BASE + PG(2 * i), 1, 0, 0);
		if (!e->runs[i])
			break;
	}
	cr_lazy_ranges_publish(lr);
	tsk = i < EMPTIER_RANGES ? ERR_PTR(-ENOMEM) :
				   kthread_run(emptier_fn, e, "lazy_emptier");
	if (IS_ERR(tsk))
		kfree(e);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tsk));
	e->tsk = tsk;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, emptier_stop, e),
			0);
	/*
	 * A second at least, and until the emptier has gone round eight
	 * times, one of them with all its ranges: on a loaded host its
	 * thread may not run for the whole first second.
	 */
	stop = jiffies + HZ;
	give_up = jiffies + 20 * HZ;
	while ((time_before(jiffies, stop) || READ_ONCE(e->rounds) < 8) &&
	       time_before(jiffies, give_up) && walk_ok(test, lr)) {
		walks++;
		cond_resched();
	}
	KUNIT_EXPECT_EQ(test, e->err, 0);
	KUNIT_EXPECT_GE(test, READ_ONCE(e->rounds), 8UL);
	kunit_info(test, "%lu walks beside %lu emptyings\n", walks, e->rounds);
}

static struct kunit_case lazy_ranges_cases[] = {
	KUNIT_CASE(lazy_fill_start_middle_end),
	KUNIT_CASE(lazy_fill_across_two_and_whole),
	KUNIT_CASE(lazy_vma_boundary_inside_a_run),
	KUNIT_CASE(lazy_sparse_batch_read),
	KUNIT_CASE(lazy_bad_batch_poisoned),
	KUNIT_CASE(lazy_fault_fill_marks),
	KUNIT_CASE(lazy_remove_run_keeps_poisoned),
	KUNIT_CASE(lazy_fault_marks_sparse_batch),
	KUNIT_CASE(lazy_fill_takes_marked_neighbours),
	KUNIT_CASE(lazy_filled_poisoned_or_unread),
	KUNIT_CASE(lazy_walk_while_emptied),
	KUNIT_CASE(lazy_random_fault_fill_4k),
	KUNIT_CASE(lazy_random_mixed_fill_4k),
	KUNIT_CASE_SLOW(lazy_random_fill_4k),
	KUNIT_CASE_SLOW(lazy_random_fill_1m),
	KUNIT_CASE_SLOW(lazy_random_fault_fill_1m),
	{}
};

static struct kunit_suite lazy_ranges_suite = {
	.name = "checkpoint_lazy_ranges",
	.test_cases = lazy_ranges_cases,
};

kunit_test_suite(lazy_ranges_suite);

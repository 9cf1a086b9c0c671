// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the pages a lazy restart has still to fill.
 *
 * A lazy restart leaves the saved pages of a private anonymous mapping
 * in the image and fills each on first touch, or from the background.
 * What is left to fill is a set of address ranges, each a stretch of one
 * saved run: pages at consecutive addresses whose contents are
 * consecutive in the image (struct cr_lazy_run). The ranges start as the
 * runs of each page-array, cut at VMA boundaries, as CRIU's lazy-pages
 * daemon collects its IOVs; every fill or drop takes out what it covers:
 * the start or the end of a range, its middle (which splits it in two),
 * or all of it.
 *
 * A random touch pattern over a large mapping leaves hundreds of
 * thousands of ranges, so they live in a maple tree, indexed by address:
 * lookup and removal are logarithmic, and removing a page from the
 * middle of a range is a store of NULL over it, which splits the range
 * in the tree's nodes. Every piece of a range keeps pointing to its run,
 * whose first address and image offset give any page's place in the
 * image. The tree's own lock serialises changes; lookups are under RCU.
 */
#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <linux/ckpt_lazy.h>

/*
 * A page whose contents could not be had, or were not what was saved:
 * it stays in the set, as this run, so that every touch gets SIGBUS and
 * none gets zeroes. It is not counted in &cr_lazy_ranges.nr_pages.
 */
struct cr_lazy_run cr_lazy_poisoned;

/**
 * cr_lazy_ranges_init() - start an empty set of ranges
 * @lr: the set
 */
void cr_lazy_ranges_init(struct cr_lazy_ranges *lr)
{
	/* Faults look pages up under RCU alone: nodes are freed after it. */
	mt_init_flags(&lr->mt, MT_FLAGS_USE_RCU);
	INIT_LIST_HEAD(&lr->runs);
	atomic_long_set(&lr->nr_pages, 0);
}

/**
 * cr_lazy_run_alloc() - a run of saved pages, kept with the set
 * @lr: the set the run's pages go into
 * @start: the address of its first page
 * @file_off: the image offset of its first page's contents
 * @sums: the XXH64 of each page
 * @nr: how many pages
 *
 * Return: the run, or NULL without memory. It lives as long as @lr.
 */
struct cr_lazy_run *cr_lazy_run_alloc(struct cr_lazy_ranges *lr,
				      unsigned long start, u64 file_off,
				      const u64 *sums, unsigned int nr)
{
	struct cr_lazy_run *run;

	run = kvmalloc(struct_size(run, sums, nr), GFP_KERNEL_ACCOUNT);
	if (!run)
		return NULL;
	run->start = start;
	run->file_off = file_off;
	run->nr = nr;
	memcpy(run->sums, sums, nr * sizeof(*sums));
	list_add_tail(&run->list, &lr->runs);
	return run;
}

/**
 * cr_lazy_add() - add the pages of a run, or some of them
 * @lr: the set
 * @run: the run, from cr_lazy_run_alloc() on @lr
 * @start: the first address to add, a page of @run
 * @end: the address after the last, inside @run
 *
 * The range must not overlap one already there.
 *
 * Return: 0, -EEXIST for an overlap, or -ENOMEM.
 */
int cr_lazy_add(struct cr_lazy_ranges *lr, struct cr_lazy_run *run,
		unsigned long start, unsigned long end)
{
	int ret;

	if (WARN_ON_ONCE(start < run->start || start >= end ||
			 end > run->start + run->nr * PAGE_SIZE))
		return -EINVAL;
	ret = mtree_insert_range(&lr->mt, start, end - 1, run,
				 GFP_KERNEL_ACCOUNT);
	if (!ret)
		atomic_long_add((end - start) >> PAGE_SHIFT, &lr->nr_pages);
	return ret;
}

/**
 * cr_lazy_find() - the run of a page still to fill
 * @lr: the set
 * @addr: the page's address
 *
 * Return: its run, or NULL when the page is not in the set.
 */
struct cr_lazy_run *cr_lazy_find(struct cr_lazy_ranges *lr,
				 unsigned long addr)
{
	return mtree_load(&lr->mt, addr & PAGE_MASK);
}

/**
 * cr_lazy_page() - where a page of a run is in the image
 * @run: the run
 * @addr: the page's address, in @run
 * @sum: set to the page's XXH64
 *
 * Return: the image offset of its contents.
 */
u64 cr_lazy_page(const struct cr_lazy_run *run, unsigned long addr, u64 *sum)
{
	unsigned long i = ((addr & PAGE_MASK) - run->start) >> PAGE_SHIFT;

	*sum = run->sums[i];
	return run->file_off + ((u64)i << PAGE_SHIFT);
}

/**
 * cr_lazy_remove() - take pages out of the set
 * @lr: the set
 * @start: the first address, page-aligned
 * @end: the address after the last, page-aligned
 *
 * Whatever of the set lies in [@start, @end) goes: a range is shortened
 * at either end, split in two when @start and @end are inside it, or
 * dropped when it is covered.
 *
 * Return: how many pages went, or -ENOMEM (the ranges before the one
 * that could not be split went).
 */
long cr_lazy_remove(struct cr_lazy_ranges *lr, unsigned long start,
		    unsigned long end)
{
	MA_STATE(mas, &lr->mt, start, start);
	unsigned long lo, hi, nr = 0;
	void *entry;
	int ret = 0;

	if (start >= end)
		return 0;
	/*
	 * Range by range, each cut to [@start, @end): no store spans a gap,
	 * so none needs more than the nodes of one range's split.
	 */
	mas_lock(&mas);
	while ((entry = mas_find(&mas, end - 1))) {
		lo = max(mas.index, start);
		hi = min(mas.last, end - 1);
		mas_set_range(&mas, lo, hi);
		ret = mas_store_gfp(&mas, NULL, GFP_KERNEL_ACCOUNT);
		if (ret)
			break;
		if (entry != &cr_lazy_poisoned)
			nr += (hi - lo + 1) >> PAGE_SHIFT;
		if (hi >= end - 1)
			break;
		mas_set(&mas, hi + 1);
	}
	mas_unlock(&mas);
	atomic_long_sub(nr, &lr->nr_pages);
	return ret ?: nr;
}

/**
 * cr_lazy_poison() - keep a page that cannot be filled, for SIGBUS
 * @lr: the set
 * @addr: the page, in the set
 *
 * Return: 0 or -ENOMEM (the page stays as it was).
 */
int cr_lazy_poison(struct cr_lazy_ranges *lr, unsigned long addr)
{
	MA_STATE(mas, &lr->mt, addr & PAGE_MASK, addr & PAGE_MASK);
	unsigned long start = addr & PAGE_MASK;
	void *entry;
	int ret = 0;

	mas_lock(&mas);
	entry = mas_walk(&mas);
	if (entry && entry != &cr_lazy_poisoned) {
		mas_set_range(&mas, start, start + PAGE_SIZE - 1);
		ret = mas_store_gfp(&mas, &cr_lazy_poisoned,
				    GFP_KERNEL_ACCOUNT);
		if (!ret)
			atomic_long_dec(&lr->nr_pages);
	}
	mas_unlock(&mas);
	return ret;
}

/**
 * cr_lazy_next() - the next page still to fill
 * @lr: the set
 * @addr: where to look from; set to the page's address
 * @end: set to the end of the range it starts
 *
 * Poisoned pages are not to fill: they are passed over.
 *
 * Return: true when there is one at or after *@addr.
 */
bool cr_lazy_next(struct cr_lazy_ranges *lr, unsigned long *addr,
		  unsigned long *end)
{
	MA_STATE(mas, &lr->mt, *addr, *addr);
	void *entry;

	rcu_read_lock();
	do {
		entry = mas_find(&mas, ULONG_MAX);
	} while (entry == &cr_lazy_poisoned);
	if (entry) {
		*addr = max(mas.index, *addr & PAGE_MASK);
		*end = mas.last + 1;
	}
	rcu_read_unlock();
	return entry;
}

/**
 * cr_lazy_ranges_destroy() - drop a set and its runs
 * @lr: the set
 */
void cr_lazy_ranges_destroy(struct cr_lazy_ranges *lr)
{
	struct cr_lazy_run *run, *next;

	mtree_destroy(&lr->mt);
	list_for_each_entry_safe(run, next, &lr->runs, list)
		kvfree(run);
	INIT_LIST_HEAD(&lr->runs);
	atomic_long_set(&lr->nr_pages, 0);
}

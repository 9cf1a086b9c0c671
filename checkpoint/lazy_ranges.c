// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the pages a lazy restart has still to fill.
 *
 * A lazy restart leaves the saved pages of a private anonymous mapping
 * in the image and fills each on first touch, or from the background.
 * What is left to fill is a set of address ranges, each a stretch of one
 * saved batch (struct cr_lazy_run). A batch goes in as the span from its
 * first page to its last, which the fixed part of its PGARR record gives
 * (a batch lies inside one VMA, as CRIU's lazy-pages daemon cuts its
 * IOVs at VMA boundaries); the first fill that needs one of its pages
 * reads its addresses and checksums (checkpoint/lazy_batch.c) and takes
 * out the addresses between its pages, which were not saved. Every fill
 * or drop takes out what it covers: the start or the end of a range, its
 * middle (which splits it in two), or all of it.
 *
 * A random touch pattern over a large mapping leaves hundreds of
 * thousands of ranges, so they live in a maple tree, indexed by address:
 * lookup and removal are logarithmic, and removing a page from the
 * middle of a range is a store of NULL over it, which splits the range
 * in the tree's nodes. Every piece of a range keeps pointing to its run,
 * whose addresses give any page's place in the image. The tree's own
 * lock serialises changes and walks (cr_lazy_find_next()); a lookup of
 * one page is under RCU.
 *
 * A fault fills one page, and a store that splits a range copies a tree
 * node (in RCU mode) and may allocate two: under TCG, 6.5 us of a first
 * touch's 15. So a fault does not split: it sets its page's bit in its
 * run's bitmap of pages filled (cr_lazy_filled()), and lookups pass over
 * a page whose bit is set as if it had left the set. A range whose pages
 * are all filled so leaves the tree with one store; the background, and
 * what drops pages, cut ranges as before, the background's cuts taking
 * the marked pages next to what it filled with them
 * (cr_lazy_remove_filled()), so that the tree ends empty. Faults on an
 * image whose reads drop the fault's lock fill as the background does.
 */
#include <linux/bsearch.h>
#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <linux/ckpt_lazy.h>

/*
 * A page whose contents could not be had, or were not what was saved:
 * it stays in the set, as this run, so that every touch gets SIGBUS and
 * none gets zeroes.
 */
struct cr_lazy_run cr_lazy_poisoned;

/**
 * cr_lazy_ranges_init() - start an empty set of ranges
 * @lr: the set
 */
void cr_lazy_ranges_init(struct cr_lazy_ranges *lr)
{
	/*
	 * Restart alone fills the set, in address order, before anything
	 * looks into it: out of RCU mode, each range is appended to its
	 * leaf in place, where RCU mode would copy the leaf every time.
	 */
	mt_init_flags(&lr->mt, 0);
	INIT_LIST_HEAD(&lr->chunks);
}

/**
 * cr_lazy_ranges_publish() - let lookups into a set run beside changes
 * @lr: the set, filled; called before anything else can look into it
 *
 * Faults look pages up under RCU alone, while fills and drops change the
 * set: from now on the tree's nodes are replaced, and freed after RCU.
 */
void cr_lazy_ranges_publish(struct cr_lazy_ranges *lr)
{
	mt_set_in_rcu(&lr->mt);
}

/*
 * Runs are allocated this many at a time, a chunk in 4 KiB: restart
 * notes a batch of up to 2 MiB in a few microseconds, of which an
 * allocation each was a fifth.
 */
#define CR_LAZY_CHUNK	50

struct cr_lazy_chunk {
	struct list_head list;
	unsigned int used;
	struct cr_lazy_run runs[CR_LAZY_CHUNK];
};

/**
 * cr_lazy_run_alloc() - a batch of saved pages, kept with the set
 * @lr: the set the batch's pages go into
 * @start: the address of its first page
 * @last: the address of its last page
 * @nr: how many pages
 * @meta_off: the image offset of its addresses and checksums
 * @digest: their digest
 *
 * Return: the run, unread, or NULL without memory. It lives as long as
 * @lr.
 */
struct cr_lazy_run *cr_lazy_run_alloc(struct cr_lazy_ranges *lr,
				      unsigned long start, unsigned long last,
				      unsigned int nr, u64 meta_off,
				      u64 digest)
{
	struct cr_lazy_chunk *chunk;
	struct cr_lazy_run *run;

	chunk = list_empty(&lr->chunks) ? NULL :
		list_last_entry(&lr->chunks, struct cr_lazy_chunk, list);
	if (!chunk || chunk->used == CR_LAZY_CHUNK) {
		chunk = kzalloc(sizeof(*chunk), GFP_KERNEL_ACCOUNT);
		if (!chunk)
			return NULL;
		list_add_tail(&chunk->list, &lr->chunks);
	}
	run = &chunk->runs[chunk->used++];
	run->start = start;
	run->last = last;
	run->nr = nr;
	run->meta_off = meta_off;
	run->digest = digest;
	return run;
}

/* Whether @run's pages are all those from its first to its last. */
static bool cr_lazy_dense(const struct cr_lazy_run *run)
{
	return ((run->last - run->start) >> PAGE_SHIFT) + 1 == run->nr;
}

/*
 * Take out of the set the addresses between @run's pages, which were not
 * saved: they read zeroes, as memory just mapped does. They must go
 * (else they would be filled from the pages around them), and a fill
 * cannot fail for want of a node: retried, as ckpt_lazy_unmap() does.
 */
static void cr_lazy_drop_holes(struct cr_lazy_ranges *lr,
			       const struct cr_lazy_run *run)
{
	const u64 *addrs = run->meta;
	unsigned int i;

	if (cr_lazy_dense(run))
		return;
	for (i = 1; i < run->nr; i++) {
		if (addrs[i] == addrs[i - 1] + PAGE_SIZE)
			continue;
		while (cr_lazy_remove(lr, addrs[i - 1] + PAGE_SIZE,
				      addrs[i]) == -ENOMEM)
			cond_resched();
	}
}

/**
 * cr_lazy_run_set() - give a run the addresses and checksums it was read
 * @lr: the set @run's pages are in
 * @run: an unread run, which the caller alone reads for now
 * @meta: its @run->nr addresses, checked, then its pages' checksums
 *	(none for a batch a PRAM node keeps), then room for the bitmap of
 *	its pages filled: cr_lazy_meta_size() bytes; the run owns it now
 *	(kvfree())
 * @data_off: the image offset of its first page's contents
 *
 * The set held every address from the run's first page to its last;
 * those between its pages leave it first, so that a fill that sees the
 * run read finds only its pages in the set.
 */
void cr_lazy_run_set(struct cr_lazy_ranges *lr, struct cr_lazy_run *run,
		     u64 *meta, u64 data_off)
{
	run->meta = meta;
	run->filled = (unsigned long *)(meta + cr_lazy_meta_words(run));
	bitmap_zero(run->filled, run->nr);
	run->data_off = data_off;
	cr_lazy_drop_holes(lr, run);
	/* A fill that sees it read sees what it was read into. */
	smp_store_release(&run->state, CR_LAZY_READ);
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
	if (WARN_ON_ONCE(start < run->start || start >= end ||
			 end > run->last + PAGE_SIZE))
		return -EINVAL;
	return mtree_insert_range(&lr->mt, start, end - 1, run,
				  GFP_KERNEL_ACCOUNT);
}

/* Whether @run was read: its addresses, checksums and bitmap are there. */
static bool cr_lazy_is_read(const struct cr_lazy_run *run)
{
	/* Pairs with the release in cr_lazy_run_set(). */
	return smp_load_acquire(&run->state) == CR_LAZY_READ;
}

/* Whether page @addr of @run, in the tree as @run's, was filled. */
static bool cr_lazy_page_filled(const struct cr_lazy_run *run,
				unsigned long addr)
{
	long i;

	/* Only a read run has pages filled. */
	if (run == &cr_lazy_poisoned || !cr_lazy_is_read(run))
		return false;
	i = cr_lazy_index(run, addr);
	return i >= 0 && test_bit(i, run->filled);
}

/**
 * cr_lazy_find() - the run of a page still to fill
 * @lr: the set
 * @addr: the page's address
 *
 * Return: its run, or NULL when the page is not in the set (or is one
 * cr_lazy_filled() marked).
 */
struct cr_lazy_run *cr_lazy_find(struct cr_lazy_ranges *lr,
				 unsigned long addr)
{
	struct cr_lazy_run *run = mtree_load(&lr->mt, addr & PAGE_MASK);

	return run && cr_lazy_page_filled(run, addr) ? NULL : run;
}

/* Compare an address with one of a run's, for bsearch(). */
static int cr_lazy_cmp(const void *key, const void *elt)
{
	u64 a = *(const u64 *)key, b = *(const u64 *)elt;

	return a < b ? -1 : a > b;
}

/**
 * cr_lazy_index() - which of a run's pages a page is
 * @run: the run, read (%CR_LAZY_READ)
 * @addr: the page's address
 *
 * Return: its index in the batch, or -1 when @addr is not one of @run's
 * pages.
 */
long cr_lazy_index(const struct cr_lazy_run *run, unsigned long addr)
{
	u64 page = addr & PAGE_MASK, *at;

	if (page < run->start || page > run->last)
		return -1;
	if (cr_lazy_dense(run))
		return (page - run->start) >> PAGE_SHIFT;
	at = bsearch(&page, run->meta, run->nr, sizeof(u64), cr_lazy_cmp);
	return at ? at - run->meta : -1;
}

/**
 * cr_lazy_page() - where a page of a run is in the image
 * @run: the run, read (%CR_LAZY_READ), its contents in the image
 * @addr: the page's address
 * @sum: set to the page's XXH64
 *
 * Return: the image offset of its contents, or %U64_MAX when @addr is
 * not one of @run's pages.
 */
u64 cr_lazy_page(const struct cr_lazy_run *run, unsigned long addr, u64 *sum)
{
	long i = cr_lazy_index(run, addr);

	if (i < 0)
		return U64_MAX;
	*sum = run->meta[run->nr + i];
	return run->data_off + ((u64)i << PAGE_SHIFT);
}

/**
 * cr_lazy_sums() - the checksums of a run's pages from one on
 * @run: the run, read (%CR_LAZY_READ), its contents in the image
 * @addr: the first page's address
 *
 * Return: the XXH64s of @run's pages from @addr on, in image order, as
 * cr_lazy_page() gives them one at a time; or NULL when @addr is not
 * one of @run's pages.
 */
const u64 *cr_lazy_sums(const struct cr_lazy_run *run, unsigned long addr)
{
	long i = cr_lazy_index(run, addr);

	return i < 0 ? NULL : &run->meta[run->nr + i];
}

/*
 * The indices in @run of the pages from @lo to @hi, a piece of a range
 * of @run's in the tree: consecutive, since the addresses between a read
 * run's pages left the set before it was marked read. False for a piece
 * that does not match (one looked up before those addresses left).
 */
static bool cr_lazy_piece_index(const struct cr_lazy_run *run,
				unsigned long lo, unsigned long hi,
				long *first, long *last)
{
	*first = cr_lazy_index(run, lo);
	*last = cr_lazy_index(run, hi);
	return *first >= 0 && *last >= *first &&
	       *last - *first == (long)((hi - lo) >> PAGE_SHIFT);
}

/*
 * The bitmap of pages filled is read without a lock while faults set its
 * bits (set_bit()): each reader below asks for bits that may be stale,
 * and rechecks under a lock, or acts only on bits found set, which stay.
 */
static long cr_lazy_next_marked(const struct cr_lazy_run *run, long from,
				long last)
{
	/* Faults set bits meanwhile: see above. */
	return data_race(find_next_bit(run->filled, last + 1, from));
}

static long cr_lazy_next_unmarked(const struct cr_lazy_run *run, long from,
				  long last)
{
	/* Faults set bits meanwhile: see above. */
	return data_race(find_next_zero_bit(run->filled, last + 1, from));
}

/* The address of page @i of a read run. */
static unsigned long cr_lazy_addr(const struct cr_lazy_run *run, long i)
{
	return cr_lazy_dense(run) ? run->start + (i << PAGE_SHIFT) :
				    run->meta[i];
}

/* How many pages from @lo to @hi, a piece of @run's, are not filled. */
static unsigned long cr_lazy_piece_left(const struct cr_lazy_run *run,
					unsigned long lo, unsigned long hi)
{
	unsigned long nr = ((hi - lo) >> PAGE_SHIFT) + 1;
	long first, last;

	if (run == &cr_lazy_poisoned)
		return 0;
	/* Only a read run has pages filled. */
	if (!cr_lazy_is_read(run) ||
	    !cr_lazy_piece_index(run, lo, hi, &first, &last))
		return nr;
	for (first = cr_lazy_next_marked(run, first, last); first <= last;
	     first = cr_lazy_next_marked(run, first + 1, last))
		nr--;
	return nr;
}

/*
 * Take what of the set lies in [@start, @end) out, or only @only's
 * ranges there when @only is not NULL. Returns the pages still to fill
 * that went, or -ENOMEM.
 */
static long cr_lazy_cut(struct cr_lazy_ranges *lr,
			const struct cr_lazy_run *only, unsigned long start,
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
		if (!only || entry == only) {
			mas_set_range(&mas, lo, hi);
			ret = mas_store_gfp(&mas, NULL, GFP_KERNEL_ACCOUNT);
			if (ret)
				break;
			nr += cr_lazy_piece_left(entry, lo, hi & PAGE_MASK);
		}
		if (hi >= end - 1)
			break;
		mas_set(&mas, hi + 1);
	}
	mas_unlock(&mas);
	return ret ?: nr;
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
 * Return: how many pages still to fill went (not those poisoned or
 * marked filled), or -ENOMEM (the ranges before the one that could not
 * be split went).
 */
long cr_lazy_remove(struct cr_lazy_ranges *lr, unsigned long start,
		    unsigned long end)
{
	return cr_lazy_cut(lr, NULL, start, end);
}

/**
 * cr_lazy_remove_run() - take the pages of one run out of the set
 * @lr: the set
 * @run: the run
 * @start: the first address, page-aligned
 * @end: the address after the last, page-aligned
 *
 * As cr_lazy_remove(), for @run's ranges alone: a page poisoned
 * meanwhile stays.
 *
 * Return: as cr_lazy_remove().
 */
long cr_lazy_remove_run(struct cr_lazy_ranges *lr, struct cr_lazy_run *run,
			unsigned long start, unsigned long end)
{
	return cr_lazy_cut(lr, run, start, end);
}

/*
 * How many pages of @run next to page @i, which is one of its, going by
 * @dir (1 or -1), are marked filled and lie one after the other.
 */
static unsigned long cr_lazy_marked_next_to(const struct cr_lazy_run *run,
					    long i, long dir)
{
	unsigned long want = cr_lazy_addr(run, i), n = 0;

	for (i += dir; i >= 0 && i < run->nr; i += dir, n++) {
		want = dir > 0 ? want + PAGE_SIZE : want - PAGE_SIZE;
		if (!test_bit(i, run->filled) || cr_lazy_addr(run, i) != want)
			break;
	}
	return n;
}

/**
 * cr_lazy_remove_filled() - take pages a fill mapped out of the set
 * @lr: the set
 * @run: their run
 * @start: the first address, page-aligned
 * @end: the address after the last, page-aligned
 *
 * As cr_lazy_remove_run(), and with them the pages of @run marked filled
 * next to [@start, @end) on either side: cr_lazy_next() passes over
 * marked pages, so no fill covers them, and a stretch of them left
 * between two fills would stay in the tree as long as the set.
 *
 * Return: as cr_lazy_remove().
 */
long cr_lazy_remove_filled(struct cr_lazy_ranges *lr, struct cr_lazy_run *run,
			   unsigned long start, unsigned long end)
{
	long first, last;

	if (start >= end)
		return 0;
	if (cr_lazy_is_read(run) &&
	    cr_lazy_piece_index(run, start, end - PAGE_SIZE, &first, &last)) {
		start -= cr_lazy_marked_next_to(run, first, -1) << PAGE_SHIFT;
		end += cr_lazy_marked_next_to(run, last, 1) << PAGE_SHIFT;
	}
	return cr_lazy_cut(lr, run, start, end);
}

/**
 * cr_lazy_filled() - a fault filled a page of the set
 * @lr: the set
 * @addr: the page, mapped with its contents now
 *
 * The page's bit in its run's bitmap is set, which lookups see as the
 * page gone; no store into the tree, which is what a fault would pay
 * for most (see the top of this file). When that fills the last page of
 * its range, the range leaves the tree. A page poisoned meanwhile by a
 * fill that failed beside this one is taken out of the set: it is
 * mapped, with its contents.
 */
void cr_lazy_filled(struct cr_lazy_ranges *lr, unsigned long addr)
{
	MA_STATE(mas, &lr->mt, addr & PAGE_MASK, addr & PAGE_MASK);
	struct cr_lazy_run *run;
	unsigned long lo, hi;
	long i, first, last;

	rcu_read_lock();
	run = mas_walk(&mas);
	lo = mas.index;
	hi = mas.last & PAGE_MASK;
	rcu_read_unlock();
	/* Runs live as long as the set: no RCU needed to use @run. */
	if (!run)
		return;
	/*
	 * Poisoned by a fill that failed beside this one, or of a batch
	 * not read (no bitmap): the page is mapped now, with its contents,
	 * and goes out of the set as a range.
	 */
	if (run == &cr_lazy_poisoned || !cr_lazy_is_read(run)) {
		cr_lazy_remove(lr, addr & PAGE_MASK,
			       (addr & PAGE_MASK) + PAGE_SIZE);
		return;
	}
	i = cr_lazy_index(run, addr);
	if (i < 0)
		return;
	set_bit(i, run->filled);
	/*
	 * Ordered before the scan: of two faults that mark the last two
	 * pages of a range, one sees the other's bit, and cuts the range.
	 */
	smp_mb__after_atomic();
	if (cr_lazy_piece_index(run, lo, hi, &first, &last) &&
	    cr_lazy_next_unmarked(run, first, last) > last)
		cr_lazy_remove_run(lr, run, lo, hi + PAGE_SIZE);
}

/**
 * cr_lazy_poison() - keep a page that cannot be filled, for SIGBUS
 * @lr: the set
 * @addr: the page, in the set
 *
 * The store takes no sleeping allocation, so that the tree's lock is held
 * from the check to the store: a page a drop took out meanwhile must not
 * come back, poisoned. Nor is a page a fault filled meanwhile poisoned.
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
	if (entry && entry != &cr_lazy_poisoned &&
	    !cr_lazy_page_filled(entry, start)) {
		mas_set_range(&mas, start, start + PAGE_SIZE - 1);
		/* Not dropping the lock: what was checked is what is stored over. */
		ret = mas_store_gfp(&mas, &cr_lazy_poisoned,
				    GFP_NOWAIT | __GFP_ACCOUNT);
	}
	mas_unlock(&mas);
	return ret;
}

/**
 * cr_lazy_poison_run() - keep what is left of a bad batch, for SIGBUS
 * @lr: the set
 * @run: a run whose batch could not be read, or was not what was saved
 *
 * Each range still of @run becomes poisoned, under the tree's lock from
 * the check to the store (see cr_lazy_poison()); a range that cannot
 * for want of memory stays, and its next fill finds the run bad again
 * and poisons it then.
 */
void cr_lazy_poison_run(struct cr_lazy_ranges *lr, struct cr_lazy_run *run)
{
	MA_STATE(mas, &lr->mt, run->start, run->start);
	unsigned long hi;
	void *entry;

	mas_lock(&mas);
	mas_for_each(&mas, entry, run->last) {
		if (entry != run)
			continue;
		hi = mas.last;
		/* Not dropping the lock: what was checked is what is stored over. */
		if (mas_store_gfp(&mas, &cr_lazy_poisoned,
				  GFP_NOWAIT | __GFP_ACCOUNT))
			break;
		mas_set(&mas, hi + 1);
	}
	mas_unlock(&mas);
}

/*
 * Cut the piece from *@addr to @hi of @run to its first stretch of pages
 * not filled: their first in *@addr, their end in *@end. False when all
 * are filled.
 */
static bool cr_lazy_piece_unfilled(const struct cr_lazy_run *run,
				   unsigned long *addr, unsigned long hi,
				   unsigned long *end)
{
	long first, last, from, to;

	/* Only a read run has pages filled. */
	if (!cr_lazy_is_read(run) ||
	    !cr_lazy_piece_index(run, *addr, hi, &first, &last)) {
		*end = hi + PAGE_SIZE;
		return true;
	}
	from = cr_lazy_next_unmarked(run, first, last);
	if (from > last)
		return false;
	to = cr_lazy_next_marked(run, from, last);
	*end = *addr + ((to - first) << PAGE_SHIFT);
	*addr += (from - first) << PAGE_SHIFT;
	return true;
}

/* Ranges a walk passes over between two looks for a reschedule. */
#define CR_LAZY_WALK_BATCH	64

/*
 * The first range at or after *@addr that is (@poisoned) or is not
 * poisoned: its first page at or after *@addr in *@addr, its end in *@end.
 * Pages marked filled are not in the set: a range goes on to the first.
 *
 * The walk holds the tree's lock, where a lookup of one page needs RCU
 * alone. A walk under RCU that meets a node replaced meanwhile walks
 * again from the root, and in 6.12 mas_next_slot() then follows a NULL
 * node when it finds the tree empty, as the last range out leaves it:
 * the background and a fault that took the set's last range met so.
 */
static bool cr_lazy_find_next(struct cr_lazy_ranges *lr, unsigned long *addr,
			      unsigned long *end, bool poisoned)
{
	MA_STATE(mas, &lr->mt, *addr, *addr);
	unsigned long from = *addr & PAGE_MASK, at;
	unsigned int passed = 0;
	struct cr_lazy_run *run;
	bool found = false, bad;

	might_sleep();
	mas_lock(&mas);
	while ((run = mas_find(&mas, ULONG_MAX))) {
		bad = run == &cr_lazy_poisoned;
		if (bad == poisoned) {
			at = max(mas.index, from);
			if (poisoned) {
				*end = mas.last + 1;
				found = true;
			} else {
				found = cr_lazy_piece_unfilled(run, &at,
							       mas.last & PAGE_MASK,
							       end);
			}
			if (found)
				break;
		}
		/* A long walk lets changes and the CPU's other work in. */
		if (!(++passed % CR_LAZY_WALK_BATCH)) {
			mas_pause(&mas);
			mas_unlock(&mas);
			cond_resched();
			mas_lock(&mas);
		}
	}
	mas_unlock(&mas);
	if (found)
		*addr = at;
	return found;
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
	return cr_lazy_find_next(lr, addr, end, false);
}

/**
 * cr_lazy_next_poisoned() - the next poisoned page
 * @lr: the set
 * @addr: where to look from; set to the page's address
 * @end: set to the end of the poisoned range it starts
 *
 * Return: true when there is one at or after *@addr.
 */
bool cr_lazy_next_poisoned(struct cr_lazy_ranges *lr, unsigned long *addr,
			   unsigned long *end)
{
	return cr_lazy_find_next(lr, addr, end, true);
}

/**
 * cr_lazy_ranges_destroy() - drop a set and its runs
 * @lr: the set
 */
void cr_lazy_ranges_destroy(struct cr_lazy_ranges *lr)
{
	struct cr_lazy_chunk *chunk, *next;
	unsigned int i;

	mtree_destroy(&lr->mt);
	list_for_each_entry_safe(chunk, next, &lr->chunks, list) {
		for (i = 0; i < chunk->used; i++)
			kvfree(chunk->runs[i].meta);
		kfree(chunk);
	}
	INIT_LIST_HEAD(&lr->chunks);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the saved pages of a VMA, and the page stores.
 *
 * Checkpoint finds the pages to save by walking the page tables with
 * walk_page_range(), which skips empty ranges, so the cost follows the
 * populated pages and not the size of a mapping. Nothing resident is
 * faulted in (a swapped out page is read back in), and no huge page is
 * split but into a store that keeps the pages themselves. The mmap lock
 * is only held while pages are collected into page-arrays, never while
 * they are written.
 *
 * Saved: every anonymous page, in anonymous mappings and (as the
 * copy-on-write copies they are) in private file mappings, THP
 * subpages included. Not saved: the zero page, file pages of private
 * mappings (they come back from the file) and the vDSO/vvar, which
 * restart maps anew.
 *
 * Where the contents go is the page store's business (struct
 * cr_page_store): the image file itself (cr_file_store, here), or a
 * PRAM node, which keeps the pages by reference (pram_store.c).
 *
 * Restart reads each page-array's addresses, checks them against their
 * VMA, and has the pages filled: from the image, straight into the pages
 * of the new mm, or by the store that kept them.
 */
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mmu_notifier.h>
#include <linux/pagewalk.h>
#include <linux/pram.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <asm/tlb.h>

#include <linux/ckpt_lazy.h>

#include "internal.h"

/*
 * Page table entries one collection round may scan: a round ends when its
 * batch is full or after this many entries, so that the mmap lock is
 * never held across a huge stretch of zero-page or file entries.
 */
#define CR_WALK_SCAN_MAX	(16 * PTRS_PER_PTE)

/* State of one collection round, shared with the page walk callbacks. */
struct cr_walk {
	struct cr_ctx *ctx;
	unsigned long next;	/* where the next round starts */
	unsigned long slow;	/* a swapped or migrating entry to fetch ... */
	bool has_slow;		/* ... when this is set */
	unsigned long scanned;	/* entries scanned this round */
	int err;		/* an entry that cannot be saved */
	struct cr_pgarr *only;	/* the one array to fill, not the batch's */
	bool gathering;		/* @tlb was begun */
	struct mmu_gather tlb;	/* PTEs made read-only, to flush (PRAM) */
};

/*
 * The walk's mmu_gather, begun before the first page table lock under
 * which it makes an entry read-only (as inc_tlb_flush_pending() wants),
 * and not before: a gather that overlaps another, the work item's of
 * pram_walk.c, makes both flush the whole mm (mm_tlb_flush_nested()),
 * and over a THP-backed VMA that took a 1 GiB checkpoint from 1.3 to
 * 4.3 ms.
 */
static struct mmu_gather *cr_walk_tlb(struct cr_walk *w)
{
	if (!w->gathering) {
		tlb_gather_mmu(&w->tlb, w->ctx->mm);
		w->gathering = true;
	}
	return &w->tlb;
}

/* Flush what the walk made read-only, before the mmap lock is dropped. */
static void cr_walk_flush(struct cr_walk *w)
{
	if (w->gathering) {
		tlb_finish_mmu(&w->tlb);
		w->gathering = false;
	}
}

/*
 * The page-array to add the next pages to: the batch's (cr_pgarr_current())
 * or, for a walk beside the caller's, its one array, which takes small
 * pages only. NULL ends the round.
 */
static struct cr_pgarr *cr_walk_pgarr(struct cr_walk *w, unsigned int room,
				      unsigned int order)
{
	if (!w->only)
		return cr_pgarr_current(w->ctx, room, order);
	if (order || w->only->nr_used + room > CR_PGARR_TOTAL)
		return NULL;
	return w->only;
}

/*
 * Into a store that keeps pages by reference, a PMD-mapped THP of an
 * anonymous VMA, mapped by this PMD alone, that the walk covers whole is
 * kept whole, as one entry of a page-array
 * of huge pages: made read-only and shared (pram_share_anon_pmd()), with
 * the mmu notifiers told first, as cr_walk_ptes_notify() tells them.
 * One entry where 512 PTEs would be shared and listed one by one is what
 * makes a THP-backed checkpoint into PRAM cheap.
 *
 * Return: 0 when kept, 1 when the batch (or the one array of a walk
 * beside the checkpoint's) cannot take it, -EAGAIN when the PMD
 * is not such a THP or the store cannot keep it whole (the caller splits
 * it), -EBUSY for a THP that may be pinned, or -ENOMEM.
 */
static int cr_keep_huge(pmd_t *pmd, unsigned long addr, unsigned long end,
			struct mm_walk *walk)
{
	struct cr_walk *w = walk->private;
	struct mmu_notifier_range range;
	struct mmu_gather *tlb;
	struct cr_pgarr *pgarr;
	struct page *page = NULL;
	spinlock_t *ptl;	/* the huge PMD's page table lock */
	int ret = -EAGAIN;
	pmd_t pmdval;

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) ||
	    !vma_is_anonymous(walk->vma) ||
	    !IS_ALIGNED(addr, PMD_SIZE) || end - addr != PMD_SIZE)
		return -EAGAIN;
	pgarr = cr_walk_pgarr(w, 1, PMD_ORDER);
	if (IS_ERR(pgarr))
		return PTR_ERR(pgarr);
	if (!pgarr) {
		w->next = addr;
		return 1;
	}
	tlb = cr_walk_tlb(w);
	mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_PAGE, 0,
				walk->mm, addr, end);
	mmu_notifier_invalidate_range_start(&range);
	ptl = pmd_trans_huge_lock(pmd, walk->vma);
	if (!ptl) {	/* split meanwhile */
		mmu_notifier_invalidate_range_end(&range);
		return -EAGAIN;
	}
	pmdval = pmdp_get(pmd);
	/* NULL for the huge zero page, DAX and migration entries */
	if (pmd_trans_huge(pmdval))
		page = vm_normal_page_pmd(walk->vma, addr, pmdval);
	/*
	 * Mapped once: a THP a parent still shares with a child since
	 * fork() is split, so that its pages are stored once, with the
	 * parent's, and shared again on restart (CR_PAGES_PARENT).
	 */
	if (cr_page_wanted(page) &&
	    folio_mapcount(page_folio(page)) == 1 &&
	    !folio_test_has_hwpoisoned(page_folio(page)))
		ret = pram_share_anon_pmd(walk->vma, addr, pmd, ptl);
	if (!ret) {
		cr_pgarr_add(pgarr, page, addr);
		tlb_flush_pmd_range(tlb, addr, PMD_SIZE);
	}
	spin_unlock(ptl);
	mmu_notifier_invalidate_range_end(&range);
	if (ret == -EBUSY)
		w->next = addr;
	return ret;
}

/* A PMD-mapped THP: its subpages in [addr, end), in one page-array. */
static int cr_walk_huge(pmd_t *pmd, unsigned long addr, unsigned long end,
			struct mm_walk *walk)
{
	struct cr_walk *w = walk->private;
	struct cr_pgarr *pgarr;
	struct page *page;
	spinlock_t *ptl;	/* the huge PMD's page table lock */
	pmd_t pmdval;
	int ret;

	/*
	 * A store that keeps pages keeps a THP whole, or else shares its
	 * pages one PTE at a time.
	 */
	if (w->ctx->store->by_reference && pmd_leaf(pmdp_get(pmd))) {
		ret = cr_keep_huge(pmd, addr, end, walk);
		if (ret != -EAGAIN)
			return ret;
		split_huge_pmd(walk->vma, pmd, addr);
		return -EAGAIN;
	}

	pgarr = cr_walk_pgarr(w, (end - addr) >> PAGE_SHIFT, 0);
	if (IS_ERR(pgarr))
		return PTR_ERR(pgarr);
	if (!pgarr) {
		w->next = addr;
		return 1;
	}

	ptl = pmd_trans_huge_lock(pmd, walk->vma);
	if (!ptl)
		return -EAGAIN;	/* split meanwhile: walk the PTEs */
	pmdval = pmdp_get(pmd);
	if (!pmd_present(pmdval)) {
		spin_unlock(ptl);
		w->slow = addr;
		w->has_slow = true;
		w->next = addr;
		return 1;
	}
	/* NULL for the huge zero page and for DAX (devmap) PMDs */
	page = vm_normal_page_pmd(walk->vma, addr & HPAGE_PMD_MASK, pmdval);
	if (cr_page_wanted(page) &&
	    unlikely(folio_test_has_hwpoisoned(page_folio(page)))) {
		spin_unlock(ptl);
		w->next = addr;
		return -EOPNOTSUPP;
	}
	if (cr_page_wanted(page)) {
		page = nth_page(page, (addr & ~HPAGE_PMD_MASK) >> PAGE_SHIFT);
		for (; addr < end; addr += PAGE_SIZE, page = nth_page(page, 1))
			cr_pgarr_add(pgarr, page, addr);
	}
	spin_unlock(ptl);
	return 0;
}

/*
 * The PTEs of one page table in [addr, end), into @pgarr until it is
 * full. Returns where it stopped. This loop is most of what a
 * checkpoint into PRAM costs: it keeps to locals and to one TLB range
 * per call. Into a store that keeps the pages themselves, each saved
 * page is made read-only and shared first, as fork() does, so that a
 * write by the task copies it rather than change the kept page; the TLB
 * is flushed through the mmu_gather before the mmap lock is dropped.
 */
static unsigned long cr_walk_ptes(struct cr_walk *w, struct cr_pgarr *pgarr,
				  pmd_t *pmd, unsigned long addr,
				  unsigned long end, struct mm_walk *walk)
{
	unsigned long first = addr;
	bool share = w->ctx->store->by_reference;
	spinlock_t *ptl;	/* the page table's lock */
	pte_t *start, *pte;
	struct page *page;

	start = pte_offset_map_lock(walk->mm, pmd, addr, &ptl);
	if (!start) {
		/*
		 * The PMD changed under us (collapsed into a THP, say). End
		 * the round here rather than retry the whole PMD, which
		 * would list its first pages twice.
		 */
		w->has_slow = false;
		w->next = addr;
		w->err = 1;
		return end;
	}
	for (pte = start; addr < end; addr += PAGE_SIZE, pte++) {
		pte_t ptent = ptep_get(pte);
		swp_entry_t entry;

		if (pte_none(ptent))
			continue;
		if (!pte_present(ptent)) {
			entry = pte_to_swp_entry(ptent);
			/* uffd-wp and other markers hold no data... */
			if (is_pte_marker_entry(entry) &&
			    !is_poisoned_swp_entry(entry))
				continue;
			/* ... but a poison marker stands for lost data */
			if (non_swap_entry(entry) &&
			    !is_migration_entry(entry)) {
				/* device-private, poisoned: not saved yet */
				w->err = -EOPNOTSUPP;
				w->next = addr;
				break;
			}
			/* swapped or migrating: fetched outside the lock */
			w->slow = addr;
			w->has_slow = true;
			break;
		}
		page = vm_normal_page(walk->vma, addr, ptent);
		if (!cr_page_wanted(page))
			continue;
		if (unlikely(PageHWPoison(page))) {
			w->err = -EOPNOTSUPP;
			w->next = addr;
			break;
		}
		if (pgarr->nr_used == CR_PGARR_TOTAL)
			break;
		if (share && pram_share_anon_pte(walk->vma, addr, pte, ptent,
						 ptl)) {
			w->err = -EBUSY;
			w->next = addr;
			break;
		}
		cr_pgarr_add(pgarr, page, addr);
	}
	if (share && addr > first)
		tlb_flush_pte_range(&w->tlb, first, addr - first);
	pte_unmap_unlock(start, ptl);
	return addr;
}

/*
 * cr_walk_ptes(), and when it write-protects the PTEs of kept pages, the
 * mmu notifiers told first, as change_pmd_range() tells them for
 * mprotect(2) and KSM's write_protect_page() for KSM: a secondary MMU
 * (KVM, an HMM mirror) must not go on writing to a page PRAM keeps.
 */
static unsigned long cr_walk_ptes_notify(struct cr_walk *w,
					 struct cr_pgarr *pgarr, pmd_t *pmd,
					 unsigned long addr, unsigned long end,
					 struct mm_walk *walk)
{
	struct mmu_notifier_range range;

	if (!w->ctx->store->by_reference)
		return cr_walk_ptes(w, pgarr, pmd, addr, end, walk);
	cr_walk_tlb(w);
	mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_PAGE, 0,
				walk->mm, addr, end);
	mmu_notifier_invalidate_range_start(&range);
	addr = cr_walk_ptes(w, pgarr, pmd, addr, end, walk);
	mmu_notifier_invalidate_range_end(&range);
	return addr;
}

static int cr_walk_pmd(pmd_t *pmd, unsigned long addr, unsigned long end,
		       struct mm_walk *walk)
{
	struct cr_walk *w = walk->private;
	struct cr_pgarr *pgarr;
	pmd_t pmdval;
	int ret;

	if (w->scanned >= CR_WALK_SCAN_MAX) {
		w->next = addr;
		return 1;
	}

	/*
	 * A huge, DAX or migrating PMD: read it whole, never split it. It
	 * is one entry to scan: the page-arrays' room bounds what its
	 * pages cost, and a THP a store keeps whole costs no more than a
	 * PTE, so that a THP-backed checkpoint into PRAM is one round
	 * for up to 16 GiB.
	 */
	pmdval = pmdp_get_lockless(pmd);
	if (pmd_leaf(pmdval) || pmd_devmap(pmdval) || is_swap_pmd(pmdval)) {
		w->scanned++;
		ret = cr_walk_huge(pmd, addr, end, walk);
		if (ret != -EAGAIN)
			return ret;
	}
	w->scanned += (end - addr) >> PAGE_SHIFT;

	while (addr < end) {
		pgarr = cr_walk_pgarr(w, 1, 0);
		if (IS_ERR(pgarr))
			return PTR_ERR(pgarr);
		if (!pgarr) {
			w->next = addr;
			return 1;
		}
		addr = cr_walk_ptes_notify(w, pgarr, pmd, addr, end, walk);
		if (w->err < 0)
			return w->err;
		if (w->has_slow) {
			w->next = w->slow;
			return 1;
		}
		if (w->err) {	/* the PMD changed: next round from w->next */
			w->err = 0;
			return 1;
		}
	}
	return 0;
}

static const struct mm_walk_ops cr_walk_ops = {
	.pmd_entry = cr_walk_pmd,
	.walk_lock = PGWALK_RDLOCK,
};

/**
 * cr_walk_chunk() - collect the pages of a range into one page-array
 * @ctx: checkpoint context, into a store that keeps pages by reference
 * @pgarr: an empty array of the caller's own (cr_pgarr_alloc())
 * @start: the range's start
 * @end: its end, at most %CR_PGARR_TOTAL pages on
 *
 * The walk of a range beside the checkpoint's own (pram_walk.c), as one
 * of its rounds: what it cannot list itself (a swapped or migrating
 * page, a page that may be pinned, a huge PMD, a PMD that changed, an
 * entry that cannot be saved) ends it there, unlisted, for the
 * checkpoint's walk to meet and deal with. Every page of [@start, the
 * returned address) is then in @pgarr, and no other. Called with the
 * mmap lock held for reading.
 *
 * Return: where the walk stopped: @end when it listed the whole range.
 */
unsigned long cr_walk_chunk(struct cr_ctx *ctx, struct cr_pgarr *pgarr,
			    unsigned long start, unsigned long end)
{
	struct cr_walk w = { .ctx = ctx, .only = pgarr, .next = end };
	int ret;

	mmap_assert_locked(ctx->mm);
	ret = walk_page_range(ctx->mm, start, end, &cr_walk_ops, &w);
	cr_walk_flush(&w);
	if (!ret)
		return end;
	/* Every stop the walk makes says where; keep nothing if not. */
	if (w.next == end) {
		cr_pgarr_release(pgarr);
		return start;
	}
	return w.next;
}

/*
 * A swapped-out or migrating page: let GUP bring it in, as reading the
 * task's memory through ptrace would. FOLL_FORCE reads PROT_NONE areas.
 */
static int cr_collect_slow(struct cr_ctx *ctx, unsigned long addr)
{
	struct cr_pgarr *pgarr;
	struct page *page;
	long got;
	int ret = 0;

	got = get_user_pages_remote(ctx->mm, addr, 1, FOLL_FORCE, &page, NULL);
	if (got != 1)
		return got < 0 ? got : -EFAULT;
	/* Kept by reference: now present, the next round shares it. */
	if (ctx->store->by_reference) {
		put_page(page);
		return -EAGAIN;
	}
	if (cr_page_wanted(page)) {
		pgarr = cr_pgarr_current(ctx, 1, 0);
		if (IS_ERR_OR_NULL(pgarr))
			ret = pgarr ? PTR_ERR(pgarr) : -EAGAIN;
		else
			cr_pgarr_add(pgarr, page, addr);
	}
	put_page(page);
	return ret;
}

/*
 * The image file as the page store: the contents follow their PAGES
 * record's head in the stream.
 */
static int cr_file_save(struct cr_ctx *ctx, struct cr_pgarr *pgarr,
			struct cr_pages_out *out)
{
	size_t sum_len = pgarr->nr_used * sizeof(*pgarr->sums);
	int ret;

	out->hp.h.len = sizeof(out->hp) + sum_len + pgarr->nr_used * PAGE_SIZE;
	ret = cr_write_pages_head(ctx, out, pgarr->sums);
	return ret ?: cr_write_page_contents(ctx, pgarr);
}

const struct cr_page_store cr_file_store = {
	.sums = true,
	.save = cr_file_save,
};

/*
 * Write one run of a page-array: the PGARR record and the head of the
 * PAGES record; the store decides what follows, unless the pages are the
 * parent's, which are not stored again.
 */
static int cr_write_run(struct cr_ctx *ctx, struct cr_pgarr *pgarr,
			bool parents)
{
	unsigned int n = pgarr->nr_used;
	struct cr_pages_out out;

	/* Addresses are 8 bytes in the image: no padding after them. */
	BUILD_BUG_ON(sizeof(*pgarr->vaddrs) != sizeof(u64));
	BUILD_BUG_ON(sizeof(out.ha) % CR_HDR_ALIGN);
	cr_hdr_init(&out.ha, CR_HDR_PGARR, sizeof(out.ha));
	out.ha.h.len = sizeof(out.ha) + n * sizeof(u64);
	out.ha.nr_pages = n;
	cr_hdr_init(&out.hp, CR_HDR_PAGES, sizeof(out.hp));
	out.hp.nr_pages = n;
	out.addrs = (const u64 *)pgarr->vaddrs;
	if (parents) {
		out.hp.flags = CR_PAGES_PARENT;
		return cr_write_pages_head(ctx, &out, NULL);
	}
	return ctx->store->save(ctx, pgarr, &out);
}

/* Is @page at @vaddr the parent's page there, shared since fork()? */
static bool cr_parents_page(struct cr_ctx *ctx, struct page *page,
			    unsigned long vaddr)
{
	return ctx->cow_in &&
	       xa_load(ctx->cow_in, page_to_pfn(page)) ==
	       xa_mk_value(vaddr >> PAGE_SHIFT);
}

/*
 * Note the pages of a page-array that its process may share with its
 * children (mapped more than once), for their checkpoint to find. The
 * tree holds still: the mapcount read here is the one they will see.
 */
static int cr_note_shared(struct cr_ctx *ctx, struct cr_pgarr *pgarr)
{
	unsigned int i;
	int ret;

	for (i = 0; i < pgarr->nr_used; i++) {
		struct page *page = pgarr->pages[i];

		if (folio_mapcount(page_folio(page)) < 2)
			continue;
		ret = xa_err(xa_store(ctx->cow_out, page_to_pfn(page),
				      xa_mk_value(pgarr->vaddrs[i] >> PAGE_SHIFT),
				      GFP_KERNEL));
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Write one page-array, as runs of pages of its own and of pages that
 * are the parent's: anonymous memory a parent and its children still
 * share after fork() is stored once, with the parent. Huge pages a store
 * keeps whole are kept by reference, so kept twice for nothing: they
 * are neither noted nor looked up.
 */
static int cr_write_pgarr(struct cr_ctx *ctx, struct cr_pgarr *pgarr)
{
	unsigned int i, j, n = pgarr->nr_used;
	struct cr_pgarr run;
	bool parents;
	int ret;

	if (ctx->cow_out && !pgarr->order) {
		ret = cr_note_shared(ctx, pgarr);
		if (ret)
			return ret;
	}
	if (!ctx->cow_in || pgarr->order)
		return cr_write_run(ctx, pgarr, false);
	for (i = 0; i < n; i = j) {
		parents = cr_parents_page(ctx, pgarr->pages[i],
					  pgarr->vaddrs[i]);
		for (j = i + 1; j < n; j++)
			if (cr_parents_page(ctx, pgarr->pages[j],
					    pgarr->vaddrs[j]) != parents)
				break;
		run = (struct cr_pgarr){ .pages = pgarr->pages + i,
					 .vaddrs = pgarr->vaddrs + i,
					 .sums = pgarr->sums + i,
					 .nr_used = j - i };
		ret = cr_write_run(ctx, &run, parents);
		/* A store that keeps pages took the run's references. */
		if (!run.nr_used)
			memset(pgarr->pages + i, 0, (j - i) * sizeof(*pgarr->pages));
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Write the collected batch in address order (the list is newest first),
 * each array by @write. A store that writes checksums has them summed
 * ahead of the writes, on other CPUs (page_sums.c).
 */
static int cr_write_listed(struct cr_ctx *ctx,
			   int (*write)(struct cr_ctx *ctx,
					struct cr_pgarr *pgarr))
{
	struct cr_pgarr *pgarr;
	int ret = 0;

	if (ctx->store->sums)
		cr_sums_start(ctx);
	list_for_each_entry_reverse(pgarr, &ctx->pgarr_list, list) {
		if (!pgarr->nr_used)
			continue;
		if (ctx->store->sums)
			cr_sums_wait(ctx, pgarr);
		ret = write(ctx, pgarr);
		if (ret)
			break;
	}
	if (ctx->store->sums)
		cr_sums_end(ctx);
	cr_pgarr_release_all(ctx);
	return ret;
}

static int cr_write_object_pgarr(struct cr_ctx *ctx, struct cr_pgarr *pgarr)
{
	return cr_write_run(ctx, pgarr, false);
}

static int cr_write_batch(struct cr_ctx *ctx)
{
	return cr_write_listed(ctx, cr_write_pgarr);
}

/**
 * cr_write_walked() - write a page-array cr_walk_chunk() filled
 * @ctx: checkpoint context
 * @pgarr: the array, whose pages are the next the image lists
 *
 * As a batch of the checkpoint's own walk is written, but for page
 * checksums, which no store that walks beside the checkpoint writes
 * (a PRAM node keeps the pages). The array comes back empty, its
 * references given to the store or dropped.
 *
 * Return: 0 or a negative errno (logged).
 */
int cr_write_walked(struct cr_ctx *ctx, struct cr_pgarr *pgarr)
{
	int ret = pgarr->nr_used ? cr_write_pgarr(ctx, pgarr) : 0;

	cr_pgarr_release(pgarr);
	return ret;
}

/**
 * cr_write_object_batch() - write the collected pages of an object
 * @ctx: checkpoint context
 *
 * The page-arrays hold a shared memory object's pages at their offsets
 * in it (shmem.c): written as they are, with none of the sharing with a
 * parent that a process's anonymous pages have.
 *
 * Return: 0 or a negative errno.
 */
int cr_write_object_batch(struct cr_ctx *ctx)
{
	return cr_write_listed(ctx, cr_write_object_pgarr);
}

/**
 * cr_write_vma_pages() - save the pages of one VMA
 * @ctx: checkpoint context
 * @start: the VMA's start
 * @end: its end
 *
 * In rounds: collect a batch under the mmap lock, write it without, go
 * on where it stopped.
 *
 * Return: 0 or a negative errno (logged).
 */
int cr_write_vma_pages(struct cr_ctx *ctx, unsigned long start,
		       unsigned long end)
{
	struct cr_walk w = { .ctx = ctx };
	unsigned long stop;
	int ret = 0;

	if (ctx->store->vma_begin)
		ctx->store->vma_begin(ctx, start, end);
	while (start < end) {
		/* A dense 64 GiB VMA is thousands of rounds: stay killable. */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		cond_resched();
		stop = end;
		if (ctx->store->vma_ahead) {
			ret = ctx->store->vma_ahead(ctx, &start, &stop);
			if (ret)
				goto out;
			if (start >= end)
				break;
		}
		w.next = stop;
		w.has_slow = false;
		w.scanned = 0;
		w.err = 0;
		ret = mmap_read_lock_killable(ctx->mm);
		if (ret)
			goto out;
		ret = walk_page_range(ctx->mm, start, stop, &cr_walk_ops, &w);
		cr_walk_flush(&w);
		if (ret > 0 && w.has_slow) {
			ret = cr_collect_slow(ctx, w.slow);
			w.next = w.slow + PAGE_SIZE;
			if (ret == -EAGAIN) {	/* no room: retry next round */
				w.next = w.slow;
				ret = 0;
			}
			if (ret < 0 && ret != -EINTR)
				cr_log(ctx, "page at %#lx: cannot read it in: error %d",
				       w.slow, ret);
		}
		if (ret == -EOPNOTSUPP)
			cr_log(ctx, "page at %#lx: %s", w.next,
			       "device-private or poisoned memory (hardware poison, or a lazy page whose contents were lost) is not supported");
		if (ret == -EBUSY)
			cr_log(ctx, "page at %#lx: %s", w.next,
			       "pinned for DMA, it cannot be saved by reference");
		mmap_read_unlock(ctx->mm);
		if (ret < 0) {
			cr_pgarr_release_all(ctx);
			goto out;
		}
		ret = cr_write_batch(ctx);
		if (ret)
			goto out;
		start = w.next;
	}
out:
	if (ctx->store->vma_end)
		ctx->store->vma_end(ctx);
	return ret;
}

/*
 * Lock the parent's new mm and then the child's, as dup_mmap() locks
 * the old mm and the new one.
 */
static int cr_lock_parent_child(struct cr_rst *r)
{
	int ret = mmap_write_lock_killable(r->parent_mm);

	if (!ret)
		mmap_write_lock_nested(r->mm, SINGLE_DEPTH_NESTING);
	return ret;
}

static void cr_unlock_parent_child(struct cr_rst *r)
{
	mmap_write_unlock(r->mm);
	mmap_write_unlock(r->parent_mm);
}

/*
 * Make the child's VMA at @addr a fork of its parent's there, before
 * any page of it is filled, so that the parent's pages can be shared
 * into it; where they cannot, they are copied.
 */
static int cr_cow_link_vma(struct cr_rst *r, u64 addr)
{
	struct vm_area_struct *dst, *src;
	int ret;

	ret = cr_lock_parent_child(r);
	if (ret)
		return ret;
	dst = vma_lookup(r->mm, addr);
	src = vma_lookup(r->parent_mm, addr);
	/*
	 * A lazy parent's VMA has had no page filled yet, so no anon_vma:
	 * it gets the one its first fault would give it, to fork from.
	 */
	if (dst && src && !dst->anon_vma && !src->anon_vma &&
	    vma_is_anonymous(src) && mm_lazy(r->parent_mm) &&
	    anon_vma_prepare(src))
		ret = -ENOMEM;
	if (!ret && dst && src && !dst->anon_vma &&
	    checkpoint_cow_link(dst, src) == -ENOMEM)
		ret = -ENOMEM;
	cr_unlock_parent_child(r);
	return ret;
}

/*
 * Map the parent's pages at @addrs into the child, shared, where they
 * can be (checkpoint_cow_share()); leaves the addresses of the others,
 * to copy, in @addrs, and returns how many there are, or an errno.
 */
static long cr_share_from_parent(struct cr_rst *r, u64 *addrs,
				 unsigned int n)
{
	struct vm_area_struct *dst, *src;
	unsigned int i, left = 0;
	int ret;

	ret = cr_lock_parent_child(r);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		dst = vma_lookup(r->mm, addrs[i]);
		src = vma_lookup(r->parent_mm, addrs[i]);
		ret = dst && src ? checkpoint_cow_share(dst, src, addrs[i]) :
				   -EAGAIN;
		if (ret == -ENOMEM)
			break;
		if (ret)
			addrs[left++] = addrs[i];
	}
	cr_unlock_parent_child(r);
	return ret == -ENOMEM ? ret : left;
}

/*
 * Take the pages of @mm at @addrs, one GUP call per run of contiguous
 * addresses: pinned for writing (@pin, the pages restart fills) or
 * referenced for reading (the parent's pages it copies from). The mmap
 * lock is held. Returns how many were taken, the first ones; *@err has
 * what the call for the next one returned (0 when none took a page).
 */
static unsigned int cr_get_runs(struct mm_struct *mm, const u64 *addrs,
				unsigned int n, bool pin, struct page **pages,
				long *err)
{
	unsigned int i = 0, run;
	long got = 0;

	mmap_assert_locked(mm);
	while (i < n) {
		for (run = 1; i + run < n; run++)
			if (addrs[i + run] != addrs[i] + run * PAGE_SIZE)
				break;
		got = pin ? pin_user_pages_remote(mm, addrs[i], run,
						  FOLL_WRITE | FOLL_FORCE,
						  pages + i, NULL) :
			    get_user_pages_remote(mm, addrs[i], run, FOLL_FORCE,
						  pages + i, NULL);
		if (got <= 0)
			break;
		i += got;
	}
	*err = got;
	return i;
}

/*
 * Fill @n pages of the new mm at @addrs with the parent's pages at the
 * same addresses, in its new mm, built earlier: shared where they can
 * be, as after fork(), else a copy, as the child's first write after
 * fork() would have made. A page the parent does not have reads as
 * zeros there, and so it does here; a page the parent could not fill
 * from its image (poisoned) refuses the image.
 */
static int cr_fill_from_parent(struct cr_rst *r, const u64 *addrs,
			       unsigned int n)
{
	struct mm_struct *mm = r->parent_mm;
	unsigned int i;
	long got;
	int ret;

	/*
	 * A lazy parent has its pages filled first, from its image, so that
	 * they can be shared: what a child shares with its parent is in
	 * before the tree runs, the rest of each process comes lazily.
	 */
	if (mm_lazy(mm)) {
		ret = ckpt_lazy_fill_range(mm, addrs[0], addrs[n - 1] + PAGE_SIZE);
		if (ret == -EINTR)
			return ret;
		if (ret == -ENOMEM) {
			/* Not the image's fault: read on to the checksum. */
			r->err = ret;
			cr_log(r->ctx, "cannot fill the parent's pages at %#llx: error %d",
			       addrs[0], ret);
			return 0;
		}
	}
	memcpy(r->addrs, addrs, n * sizeof(*addrs));
	got = cr_share_from_parent(r, r->addrs, n);
	if (got < 0) {
		r->err = got;
		cr_log(r->ctx, "cannot share the parent's pages: error %ld", got);
		return 0;
	}
	n = got;
	addrs = r->addrs;
	if (!n)
		return 0;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	i = cr_get_runs(mm, addrs, n, false, r->src, &got);
	mmap_read_unlock(mm);
	if (i < n && got != -EFAULT && got) {
		/* Not the image's fault: read on to the checksum. */
		r->err = got;
		cr_log(r->ctx, "cannot read the parent's page at %#llx: error %ld",
		       addrs[i], got);
	} else if (i < n) {
		ret = cr_bad(r, "the parent has no memory at %#llx", addrs[i]);
	} else {
		ret = cr_fill_pages(r, addrs, n, r->src);
	}
	while (i)
		put_page(r->src[--i]);
	return ret;
}

/**
 * cr_read_pgarr_head() - read the fixed part of a page-array
 * @r: restart state; the PGARR record's header has been read
 * @lo: the lowest address (or offset) a page may have
 * @hi: the address after the highest
 * @next: the lowest address the first page may have, for the order of
 *	the page-arrays of one VMA or object; updated past the last page
 * @ha: set to the record's fixed part, checked
 *
 * What the running checksum covers of a batch: its size, flags, bounds
 * and digest. The bounds must be aligned to the batch's page size (a
 * huge page's with %CR_PAGES_HUGE), its pages in [@lo, @hi), and far
 * enough apart for them.
 *
 * Return: 0, -EINVAL (logged) for a malformed record, or the errno of a
 * failed read.
 */
int cr_read_pgarr_head(struct cr_rst *r, u64 lo, u64 hi, u64 *next,
		       struct cr_hdr_pgarr *ha)
{
	unsigned int shift;
	u64 size;
	u32 n;
	int ret;

	if (r->hdr.type != CR_HDR_PGARR)
		return cr_bad(r, "record type %u where %u belongs",
			      r->hdr.type, CR_HDR_PGARR);
	if (r->hdr.len < sizeof(*ha))
		return cr_bad(r, "record type %u has a bad length %u",
			      CR_HDR_PGARR, r->hdr.len);
	ha->h = r->hdr;
	ret = cr_read(r, &ha->h + 1, sizeof(*ha) - sizeof(ha->h));
	if (ret)
		return ret;
	n = ha->nr_pages;
	if (!n || n > CR_PGARR_TOTAL ||
	    ha->h.len != sizeof(*ha) + n * sizeof(u64))
		return cr_bad(r, "page-array of %u pages", n);
	/* Huge pages only ever come whole from a PRAM node. */
	if (ha->flags & ~CR_PAGES_FLAGS ||
	    (ha->flags & CR_PAGES_HUGE ?
	     ha->flags != (CR_PAGES_HUGE | CR_PAGES_PRAM) :
	     hweight32(ha->flags) > 1))
		return cr_bad(r, "page-array flags %#x", ha->flags);
	shift = cr_pgarr_shift(ha->flags);
	size = 1ULL << shift;
	if (!IS_ALIGNED(ha->first, size) || !IS_ALIGNED(ha->last, size) ||
	    ha->first < max(lo, *next) || ha->last >= hi ||
	    hi - ha->last < size || ha->last < ha->first ||
	    (ha->last - ha->first) >> shift < n - 1)
		return cr_bad(r, "pages %#llx-%#llx outside its VMA, in the wrong order or too few",
			      ha->first, ha->last);
	*next = ha->last + size;
	return 0;
}

/**
 * cr_pages_head_ok() - whether a PAGES head matches its page-array
 * @hp: the head, read
 * @n: the page-array's pages
 * @flags: its flags
 *
 * Return: true when the head is a PAGES record of @n pages with @flags,
 * as long as they make it: its checksums and contents, or nothing more
 * with a flag.
 */
bool cr_pages_head_ok(const struct cr_hdr_pages *hp, u32 n, u32 flags)
{
	u64 len = flags ? 0 : (u64)n * (sizeof(u64) + PAGE_SIZE);

	return hp->h.type == CR_HDR_PAGES && hp->nr_pages == n &&
	       hp->flags == flags && hp->h.len == sizeof(*hp) + len;
}

/**
 * cr_pgarr_disorder() - the first of a page-array's addresses out of order
 * @a: the addresses; the first one checked already
 * @n: how many
 * @shift: the pages' size, as a shift: %PAGE_SHIFT, or %CR_HUGE_SHIFT
 *
 * Aligned to the pages' size and increasing, the addresses are a page
 * apart at least; so with the first and the last in the VMA, all are.
 *
 * Return: the index of the first address that is not aligned to the
 * pages' size or not above the one before it, or 0 when all are in
 * order.
 */
unsigned int cr_pgarr_disorder(const u64 *a, unsigned int n,
			       unsigned int shift)
{
	u64 size = 1ULL << shift;
	unsigned int i;

	for (i = 1; i < n; i++)
		if (!IS_ALIGNED(a[i], size) || a[i] <= a[i - 1])
			return i;
	return 0;
}

/**
 * cr_read_pgarr_rest() - read a page-array's addresses and contents head
 * @r: restart state; cr_read_pgarr_head() read @ha
 * @ha: the fixed part
 * @addrs: set to the addresses, in @r->ctx->addrs
 * @hp: set to the PAGES record's head, read and checked
 *
 * Read outside the running checksum and checked against @ha's digest:
 * the addresses, the PAGES record's head and, when the contents are in
 * the image, their checksums, into @r->ctx->sums; the contents are next.
 * The addresses must then be increasing from @ha's first to its last.
 *
 * Return: 0, -EINVAL (logged) for a malformed record, -EBADMSG (logged)
 * when the digest does not match, or the errno of a failed read.
 */
int cr_read_pgarr_rest(struct cr_rst *r, const struct cr_hdr_pgarr *ha,
		       u64 **addrs, struct cr_hdr_pages *hp)
{
	u32 i, n = ha->nr_pages;
	u64 *a = r->ctx->addrs;
	size_t sum_len;
	u64 digest;
	int ret;

	ret = cr_read_uncovered(r, a, n * sizeof(u64));
	if (ret)
		return ret;
	r->rec_off = r->ctx->written;
	ret = cr_read_uncovered(r, hp, sizeof(*hp));
	if (ret)
		return ret;
	if (!cr_pages_head_ok(hp, n, ha->flags))
		return cr_bad(r, "page contents do not match their page-array");
	sum_len = hp->flags ? 0 : n * sizeof(u64);
	/* The pages' own checksums. */
	if (sum_len) {
		ret = cr_read_uncovered(r, r->ctx->sums, sum_len);
		if (ret)
			return ret;
	}
	digest = cr_batch_digest(a, hp, sum_len ? r->ctx->sums : NULL);
	if (digest != ha->digest)
		return cr_refuse(r, -EBADMSG,
				 "the page-array is damaged: digest %#llx, saved %#llx",
				 digest, ha->digest);
	if (a[0] != ha->first || a[n - 1] != ha->last)
		return cr_bad(r, "page-array bounds %#llx-%#llx, pages %#llx-%#llx",
			      ha->first, ha->last, a[0], a[n - 1]);
	i = cr_pgarr_disorder(a, n, cr_pgarr_shift(ha->flags));
	if (i)
		return cr_bad(r, "page %#llx out of order", a[i]);
	*addrs = a;
	return 0;
}

/**
 * cr_read_pgarr() - read a page-array and the head of its contents
 * @r: restart state; the PGARR record's header has been read
 * @lo: the lowest address (or offset) a page may have
 * @hi: the address after the highest
 * @next: as for cr_read_pgarr_head()
 * @addrs: set to the addresses, in @r->ctx->addrs
 * @np: set to how many there are
 * @hp: set to the PAGES record's head, read and checked
 *
 * cr_read_pgarr_head(), then cr_read_pgarr_rest().
 *
 * Return: as those.
 */
int cr_read_pgarr(struct cr_rst *r, u64 lo, u64 hi, u64 *next, u64 **addrs,
		  unsigned int *np, struct cr_hdr_pages *hp)
{
	struct cr_hdr_pgarr ha;
	int ret;

	ret = cr_read_pgarr_head(r, lo, hi, next, &ha);
	if (ret)
		return ret;
	*np = ha.nr_pages;
	return cr_read_pgarr_rest(r, &ha, addrs, hp);
}

/*
 * Leave a batch of anonymous pages in the image for a lazy restart: its
 * bounds, digest and place go into the new mm's set of pages to fill,
 * and reading goes on after it, unread: the fill that first needs its
 * pages reads and checks the rest (struct cr_hdr_pgarr). Pages a PRAM
 * node keeps are passed over in its page stream, their place noted.
 */
static int cr_lazy_pages(struct cr_rst *r, const struct cr_hdr_pgarr *ha)
{
	u64 len = ha->nr_pages * sizeof(u64) + sizeof(struct cr_hdr_pages);
	struct pram_pos kept;
	int ret;

	if (ha->flags & CR_PAGES_PRAM) {
		if (pram_load_skip(r->ctx->pram, ha->nr_pages, &kept))
			return cr_bad(r, "the PRAM node's pages do not match its image");
	} else {
		len += ha->nr_pages * (sizeof(u64) + PAGE_SIZE);
	}
	ret = ckpt_lazy_add_batch(r->mm, ha->first, ha->last, ha->nr_pages,
				  r->ctx->written, ha->digest,
				  ha->flags & CR_PAGES_PRAM ? &kept : NULL);
	if (ret) {
		cr_log(r->ctx, "cannot note lazy pages at %#llx: error %d",
		       ha->first, ret);
		r->err = ret;
	}
	return cr_seek_past(r, len);
}

/**
 * cr_read_vma_pages() - read a page-array and its pages into the new mm
 * @r: restart state; @r->vma is the VMA the pages belong to, and the
 *	PGARR record's header has been read
 * @next: where the VMA's next page may be, or 0 before its first;
 *	updated
 *
 * The addresses must be aligned to the batch's page size (a huge page's,
 * for huge pages a PRAM node kept whole, only in an anonymous mapping),
 * increasing and inside the VMA; the contents follow in the image or
 * were kept by the page store.
 *
 * Return: 0, -EINVAL (logged) for a malformed record, or the errno of a
 * failed read.
 */
int cr_read_vma_pages(struct cr_rst *r, u64 *next)
{
	struct cr_hdr_vma *hv = &r->vma;
	struct cr_hdr_pgarr ha;
	struct cr_hdr_pages hp;
	bool vma_first = !*next;
	unsigned int n;
	u64 *addrs;
	int ret;

	if (hv->type != CR_VMA_ANON && hv->type != CR_VMA_FILE &&
	    hv->type != CR_VMA_SHMEM)
		return cr_bad(r, "pages for a special mapping");
	if (hv->flags & CR_VMA_SHARED)
		return cr_bad(r, "pages for a shared mapping");
	ret = cr_read_pgarr_head(r, hv->start, hv->end, next, &ha);
	if (ret)
		return ret;
	/* A THP kept whole is only ever an anonymous mapping's. */
	if (ha.flags & CR_PAGES_HUGE && hv->type != CR_VMA_ANON)
		return cr_bad(r, "huge pages kept whole, in a mapping that is not anonymous");
	if (ha.flags & CR_PAGES_PARENT && !r->parent_mm)
		return cr_bad(r, "the parent's pages, in a process without a parent");
	/* The VMA's first pages: make it a fork of the parent's first. */
	if (r->parent_mm && !r->err && vma_first) {
		ret = cr_cow_link_vma(r, ha.first);
		if (ret)
			return ret;
	}
	/* Contents in the image, or pages a PRAM node that is the image keeps. */
	if (mm_lazy(r->mm) && hv->type == CR_VMA_ANON && !r->err &&
	    (!ha.flags ||
	     (ha.flags == CR_PAGES_PRAM && r->ctx->store->load_kept)))
		return cr_lazy_pages(r, &ha);
	ret = cr_read_pgarr_rest(r, &ha, &addrs, &hp);
	if (ret)
		return ret;
	n = ha.nr_pages;
	if (hp.flags & CR_PAGES_PARENT)
		return r->err ? 0 : cr_fill_from_parent(r, addrs, n);
	if (hp.flags & CR_PAGES_PRAM) {
		if (!r->ctx->store->load_kept)
			return cr_bad(r, "pages kept in PRAM, but the image is not a PRAM node");
		return r->ctx->store->load_kept(r, addrs, n,
						hp.flags & CR_PAGES_HUGE ?
						PMD_ORDER : 0);
	}
	if (r->err)
		return cr_skip_pages(r, n);
	return cr_fill_pages(r, addrs, n, NULL);
}

/*
 * Whether pages [@i, @i + HPAGE_PMD_NR) of @addrs are one aligned huge
 * page's worth that a fault in @vma would map with a THP.
 */
static bool cr_huge_run(struct vm_area_struct *vma, const u64 *addrs,
			unsigned int i, unsigned int n)
{
	unsigned long nr = PMD_SIZE >> PAGE_SHIFT;

	if (!IS_ALIGNED(addrs[i], PMD_SIZE) || n - i < nr ||
	    addrs[i + nr - 1] != addrs[i] + PMD_SIZE - PAGE_SIZE)
		return false;
	return thp_vma_suitable_order(vma, addrs[i], PMD_ORDER) &&
	       thp_vma_allowable_order(vma, vma->vm_flags,
				       TVA_IN_PF | TVA_ENFORCE_SYSFS, PMD_ORDER);
}

/*
 * A huge page's worth of pages (cr_huge_run()): faulted in by GUP as a
 * THP, as a write fault would map it, and pinned (FOLL_FORCE, as ptrace
 * writes read-only and PROT_NONE memory through access_remote_vm()); the
 * contents then go straight into the pages, with no mmap lock held, and
 * the pages are unpinned dirty, as access_remote_vm() leaves the pages
 * it wrote.
 */
static int cr_fill_pinned(struct cr_rst *r, const u64 *addrs, unsigned int n,
			  struct page **src, const u64 *sums)
{
	struct mm_struct *mm = r->mm;
	unsigned int i, j;
	long got;
	int ret;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	i = cr_get_runs(mm, addrs, n, true, r->pages, &got);
	mmap_read_unlock(mm);

	if (i < n) {
		r->err = got ? got : -EFAULT;
		cr_log(r->ctx, "cannot allocate the page at %#llx: error %d",
		       addrs[i], r->err);
		ret = src ? 0 : cr_skip_pages(r, n);
	} else if (src) {
		for (j = 0; j < n; j++)
			copy_highpage(r->pages[j], src[j]);
	} else {
		ret = cr_read_pages(r, r->pages, n, sums);
	}
	/* Written to: dirty, so that reclaim cannot drop what was put there. */
	unpin_user_pages_dirty_lock(r->pages, i, true);
	return ret;
}

/*
 * Small pages: each gets a new folio, not zeroed, into which its
 * contents are read from the image (or copied), with no mmap lock held;
 * once all are written and checked, they are mapped a page table at a
 * time (mm/checkpoint_fill.c) as a write fault would map them, with the
 * checks GUP makes for FOLL_WRITE | FOLL_FORCE.
 */
static int cr_fill_new(struct cr_rst *r, const u64 *addrs, unsigned int n,
		       struct page **src, const u64 *sums)
{
	struct mm_struct *mm = r->mm;
	struct vm_area_struct *vma;
	unsigned int i = 0, mapped = 0;
	struct folio *folio;
	int ret, err;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	vma = vma_lookup(mm, addrs[0]);
	err = vma ? checkpoint_anon_fillable(vma) : -EFAULT;
	while (!err && i < n) {
		folio = checkpoint_alloc_anon(vma, addrs[i]);
		if (!folio)
			err = -ENOMEM;
		else
			r->pages[i++] = folio_page(folio, 0);
	}
	mmap_read_unlock(mm);
	if (err) {
		r->err = err;
		cr_log(r->ctx, "cannot allocate the page at %#llx: error %d",
		       addrs[i], err);
		ret = src ? 0 : cr_skip_pages(r, n);
		goto put;
	}

	if (src) {
		for (i = 0; i < n; i++)
			copy_highpage(r->pages[i], src[i]);
	} else {
		ret = cr_read_pages(r, r->pages, n, sums);
		if (ret)
			goto put;
	}

	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto put;
	vma = vma_lookup(mm, addrs[0]);
	err = vma ? checkpoint_map_anon(vma, addrs, r->pages, n, &mapped) :
		    -EFAULT;
	mmap_read_unlock(mm);
	if (!err)
		return 0;
	/* -EEXIST: only restart maps into its mm, a page mapped twice is a bug */
	r->err = err;
	cr_log(r->ctx, "cannot map the page at %#llx: error %d",
	       addrs[mapped], err);
	for (i = mapped; i < n; i++)
		folio_put(page_folio(r->pages[i]));
	return 0;
put:
	while (i)
		folio_put(page_folio(r->pages[--i]));
	return ret;
}

/**
 * cr_fill_pages() - write a batch of saved pages into the new mm
 * @r: restart state
 * @addrs: the page addresses of a checked page-array record, increasing
 *	and inside the VMA just mapped
 * @n: how many; at most %CR_PGARR_TOTAL
 * @src: NULL to read the contents from the image, or the pages to copy
 *	them from (kept pages that cannot be mapped as they are)
 *
 * In stretches, in address order as the image holds them: a huge page's
 * worth where a fault would map a THP is faulted in as one
 * (cr_fill_pinned()), the other pages are filled before they are mapped,
 * in batches (cr_fill_new()). Pages that cannot be had (out of memory)
 * set @r->err, and the contents of the rest are read past, so that
 * reading can go on to the checksum.
 *
 * Return: 0, or the errno of a failed read (logged).
 */
int cr_fill_pages(struct cr_rst *r, const u64 *addrs, unsigned int n,
		  struct page **src)
{
	struct vm_area_struct *vma;
	unsigned int i, k;
	bool huge;
	int ret;

	for (i = 0; i < n; i += k) {
		ret = mmap_read_lock_killable(r->mm);
		if (ret)
			return ret;
		vma = vma_lookup(r->mm, addrs[i]);
		huge = vma && cr_huge_run(vma, addrs, i, n);
		k = huge ? PMD_SIZE >> PAGE_SHIFT : 1;
		while (!huge && i + k < n && !(vma && cr_huge_run(vma, addrs,
								  i + k, n)))
			k++;
		mmap_read_unlock(r->mm);

		ret = (huge ? cr_fill_pinned : cr_fill_new)(r, addrs + i, k,
							    src ? src + i : NULL,
							    r->ctx->sums + i);
		if (ret)
			return ret;
		if (r->err)
			return src ? 0 : cr_skip_pages(r, n - i - k);
	}
	return 0;
}


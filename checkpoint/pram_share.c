// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: into a PRAM node, a VMA's pages made shared ahead
 * of the walk, on another CPU.
 *
 * A checkpoint into a node keeps the task's pages by reference, so the
 * page walk makes each one read-only and shared before listing it
 * (pram_share_anon_pte()): under perf, 41% of such a checkpoint. That
 * part of the walk's work needs no page-array and no order: a work item
 * on another CPU does it ahead of the walk through the same VMA, so
 * that the walk mostly finds its PTEs shared already, which costs it a
 * test. The two meet on nothing but the page table locks: a PTE is
 * shared by whichever comes first, and sharing is what fork() does to
 * a parent's pages, right for a page the walk then lists or not.
 *
 * The work item starts CR_SHARE_AHEAD tenths of the way in: sharing
 * costs it about 0.4 of what a page costs the walk, so both reach the
 * end of the VMA at about the same time, and seldom work on the same
 * page tables, whose cache lines would go back and forth between the
 * CPUs (starting at the walk's own start, under TCG, saved less). It is
 * queued on the CPU after the caller's, which on system_unbound_wq
 * picks a pod: where CPUs share a last-level cache it may run anywhere.
 *
 * The work item takes the mmap lock for reading itself, a few page
 * tables at a time: were it to wait for it behind a writer while the
 * walk, holding it, waited for the work item, neither would go on. It
 * tells the mmu notifiers and flushes the TLB as the walk does.
 */
#include <linux/cpumask.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mmu_notifier.h>
#include <linux/pagewalk.h>
#include <linux/pram.h>
#include <linux/sched.h>
#include <linux/workqueue.h>
#include <asm/tlb.h>

#include "internal.h"

/*
 * Below CR_SHARE_MIN bytes a VMA is walked alone; the work item takes
 * the mmap lock for CR_SHARE_CHUNK bytes of it at a time.
 */
#define CR_SHARE_MIN	(4UL << 20)
#define CR_SHARE_CHUNK	(8 * PMD_SIZE)
#define CR_SHARE_AHEAD	3

/*
 * The work item's TLB flushes for one chunk, begun at its first page
 * table: a gather that overlaps the walk's own makes both flush the
 * whole mm (mm_tlb_flush_nested()), and over a THP-backed VMA, whose
 * huge PMDs are the walk's, one per chunk for nothing took a 1 GiB
 * checkpoint from 1.3 to 4.3 ms.
 */
struct cr_share_chunk {
	struct mmu_gather tlb;
	bool gathering;
};

/* The PTEs of one page table in [addr, end), made shared where they can. */
static int cr_share_pmd(pmd_t *pmd, unsigned long addr, unsigned long end,
			struct mm_walk *walk)
{
	struct cr_share_chunk *chunk = walk->private;
	struct mmu_notifier_range range;
	unsigned long first = addr;
	spinlock_t *ptl;	/* the page table's lock */
	pte_t *start, *pte;
	struct page *page;
	bool shared = false;

	/* A huge PMD is the walk's: kept whole, or split by it. */
	if (pmd_leaf(pmdp_get_lockless(pmd)))
		return 0;
	if (!chunk->gathering) {
		tlb_gather_mmu(&chunk->tlb, walk->mm);
		chunk->gathering = true;
	}
	mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_PAGE, 0,
				walk->mm, addr, end);
	mmu_notifier_invalidate_range_start(&range);
	start = pte_offset_map_lock(walk->mm, pmd, addr, &ptl);
	if (!start)
		goto out;
	for (pte = start; addr < end; addr += PAGE_SIZE, pte++) {
		pte_t ptent = ptep_get(pte);

		if (!pte_present(ptent))
			continue;
		page = vm_normal_page(walk->vma, addr, ptent);
		if (!cr_page_wanted(page) || PageHWPoison(page))
			continue;
		/* A page that may be pinned stays: the walk reports it. */
		if (!pram_share_anon_pte(walk->vma, addr, pte, ptent, ptl))
			shared = true;
	}
	if (shared)
		tlb_flush_pte_range(&chunk->tlb, first, end - first);
	pte_unmap_unlock(start, ptl);
out:
	mmu_notifier_invalidate_range_end(&range);
	return 0;
}

static const struct mm_walk_ops cr_share_ops = {
	.pmd_entry = cr_share_pmd,
	.walk_lock = PGWALK_RDLOCK,
};

static void cr_share_work(struct work_struct *work)
{
	struct cr_share_ahead *s = container_of(work, struct cr_share_ahead,
						work);
	struct cr_share_chunk chunk;
	unsigned long addr, next;

	for (addr = s->start; addr < s->end; addr = next) {
		if (READ_ONCE(s->stop))
			break;
		next = min(ALIGN(addr + 1, CR_SHARE_CHUNK), s->end);
		chunk.gathering = false;
		mmap_read_lock(s->mm);
		walk_page_range(s->mm, addr, next, &cr_share_ops, &chunk);
		if (chunk.gathering)
			tlb_finish_mmu(&chunk.tlb);
		mmap_read_unlock(s->mm);
		cond_resched();
	}
}

/**
 * cr_pram_vma_begin() - start sharing a VMA's pages ahead of its walk
 * @ctx: checkpoint context, into a PRAM node
 * @start: the VMA's start
 * @end: its end
 *
 * On a machine of one CPU, or for a small VMA, the walk does it alone.
 * cr_pram_vma_end() must follow, with the mmap lock not held.
 */
void cr_pram_vma_begin(struct cr_ctx *ctx, unsigned long start,
		       unsigned long end)
{
	struct cr_share_ahead *s = &ctx->share_ahead;

	if (num_online_cpus() < 2 || end - start < CR_SHARE_MIN)
		return;
	/* The context, and @s in it, are on the syscall's stack. */
	INIT_WORK_ONSTACK(&s->work, cr_share_work);
	s->mm = ctx->mm;
	s->start = ALIGN(start + (end - start) / 10 * CR_SHARE_AHEAD,
			 PMD_SIZE);
	s->end = end;
	s->stop = false;
	s->queued = true;
	queue_work_on(cr_next_cpu(raw_smp_processor_id()), system_unbound_wq,
		      &s->work);
}

/**
 * cr_pram_vma_end() - stop what cr_pram_vma_begin() started
 * @ctx: checkpoint context
 *
 * After the walk, what the work item has not done yet is of no use: it
 * is told to stop, and waited for if it runs; one that has not started
 * (its CPU busy, a THP-backed VMA walked in no time) is taken off the
 * queue, not waited for: under PREEMPT_NONE that wait was a time slice
 * of whatever ran there, up to 4 ms for a 1 GiB checkpoint of 0.4 ms.
 */
void cr_pram_vma_end(struct cr_ctx *ctx)
{
	struct cr_share_ahead *s = &ctx->share_ahead;

	if (!s->queued)
		return;
	WRITE_ONCE(s->stop, true);
	cancel_work_sync(&s->work);
	destroy_work_on_stack(&s->work);
	s->queued = false;
}

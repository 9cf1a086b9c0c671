// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: into a PRAM node, a large VMA walked on two CPUs.
 *
 * A checkpoint into a node keeps the task's pages by reference, so the
 * page walk makes each one read-only and shared (pram_share_anon_pte())
 * and lists it with a reference: that walk was 80% of such a
 * checkpoint, and it needs no order but the one the pages are written
 * in. So a large VMA is cut into chunks of one page-array's worth of
 * page tables (CR_AHEAD_CHUNK), and of every CR_AHEAD_PERIOD chunks the
 * caller walks the first CR_AHEAD_OWN in its rounds, as it walks any
 * VMA, and a work item on the next CPU the others, each into a
 * page-array of a slot of its own (cr_walk_chunk()). The caller writes
 * out what the work item walked when its own walk reaches it, so the
 * image lists every page in address order, as a walk on one CPU does.
 * The caller walks fewer chunks because it writes them all: under TCG,
 * 256 MiB took the caller's walk 8.1 ms of its half and the writes 2.8.
 *
 * What the work item cannot list itself (a swapped or migrating page, a
 * page that may be pinned, a huge PMD) ends its chunk early; the caller
 * walks the rest of that chunk, and meets there whatever it is. A chunk
 * it could not begin at all ends the work item, and a THP-backed VMA is
 * not given it: PRAM keeps each huge page as one entry, 1 GiB took the
 * caller's walk about 0.55 ms under TCG, and walked on two CPUs in
 * chunks of 64 MiB it took longer, since the two walks' TLB gathers
 * overlap and each then flushes the whole mm with an IPI
 * (mm_tlb_flush_nested()).
 *
 * A chunk the work item has not begun when the caller reaches it (its
 * CPU busy) is taken back and walked by the caller, rather than waited
 * for: each chunk is claimed by one of them with a cmpxchg() on
 * &cr_walk_ahead.claim. A work item that has not begun by then at all,
 * or gave up, leaves the rest of the VMA to the caller.
 *
 * The work item takes the mmap lock for reading itself, for one chunk at
 * a time, and the caller never waits for it while holding the lock:
 * were the work item to wait for it behind a writer while the caller,
 * holding it, waited for the work item, neither would go on. It tells
 * the mmu notifiers and flushes the TLB as the caller's walk does.
 */
#include <linux/cpumask.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagewalk.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Bytes of page tables one page-array takes whole: 16 MiB. */
#define CR_AHEAD_CHUNK	(CR_PGARR_TOTAL * PAGE_SIZE)

/* Of every CR_AHEAD_PERIOD chunks, the caller walks the first CR_AHEAD_OWN. */
#define CR_AHEAD_PERIOD	5
#define CR_AHEAD_OWN	2

/* A VMA is walked alone unless it spans this much. */
#define CR_AHEAD_MIN	(2 * CR_AHEAD_CHUNK)

static unsigned long cr_ahead_index(unsigned long addr)
{
	return addr / CR_AHEAD_CHUNK % CR_AHEAD_PERIOD;
}

/* The first chunk after the one at @addr that the work item walks. */
static unsigned long cr_ahead_next(unsigned long addr)
{
	addr = ALIGN_DOWN(addr, CR_AHEAD_CHUNK) + CR_AHEAD_CHUNK;
	while (cr_ahead_index(addr) < CR_AHEAD_OWN)
		addr += CR_AHEAD_CHUNK;
	return addr;
}

/* The slot of the work item's chunk at @addr: one for each in a period. */
static struct cr_walk_slot *cr_ahead_slot(struct cr_walk_ahead *a,
					  unsigned long addr)
{
	BUILD_BUG_ON(ARRAY_SIZE(a->slot) != CR_AHEAD_PERIOD - CR_AHEAD_OWN);
	return &a->slot[cr_ahead_index(addr) - CR_AHEAD_OWN];
}

/* Whether a slot holds a chunk the caller is yet to write. */
static bool cr_slot_filled(struct cr_walk_slot *slot)
{
	/* Pairs with the release of the work item, or of the caller. */
	return smp_load_acquire(&slot->filled);
}

static void cr_ahead_work(struct work_struct *work)
{
	struct cr_walk_ahead *a = container_of(work, struct cr_walk_ahead,
					       work);
	struct mm_struct *mm = a->ctx->mm;
	struct cr_walk_slot *slot;
	unsigned long addr;

	WRITE_ONCE(a->started, true);
	for (;;) {
		addr = READ_ONCE(a->claim);
		if (addr >= a->end)
			break;
		slot = cr_ahead_slot(a, addr);
		/*
		 * Its page-array is free once the caller wrote it. Idle: the
		 * caller may take long to get there (a swapped page read in
		 * per round), and this wait is no work the machine has.
		 */
		wait_event_idle(a->wait,
				!cr_slot_filled(slot) || READ_ONCE(a->stop));
		if (READ_ONCE(a->stop))
			break;
		/* The caller may have taken it back meanwhile. */
		if (cmpxchg(&a->claim, addr, cr_ahead_next(addr)) != addr)
			continue;
		/* Done with the VMA meanwhile: the chunk is of no use. */
		if (READ_ONCE(a->stop))
			break;
		mmap_read_lock(mm);
		slot->next = cr_walk_chunk(a->ctx, slot->pgarr, addr,
					   min(addr + CR_AHEAD_CHUNK, a->end));
		mmap_read_unlock(mm);
		/* Known before the chunk is, for the caller to act on. */
		if (slot->next == addr)
			WRITE_ONCE(a->quit, true);
		/* Orders the page-array, @next and @quit before it. */
		smp_store_release(&slot->filled, true);
		wake_up(&a->wait);
		if (READ_ONCE(a->quit))
			break;
		cond_resched();
	}
}

static int cr_ahead_peek_pmd(pmd_t *pmd, unsigned long addr,
			     unsigned long next, struct mm_walk *walk)
{
	*(bool *)walk->private = pmd_leaf(pmdp_get_lockless(pmd));
	return 1;
}

static const struct mm_walk_ops cr_ahead_peek_ops = {
	.pmd_entry = cr_ahead_peek_pmd,
	.walk_lock = PGWALK_RDLOCK,
};

/*
 * Whether a huge page is mapped at @addr, where the work item would
 * begin: it would give up there at once, and its start and end cost a
 * 1 GiB THP-backed checkpoint of 1.7 ms about 0.2.
 */
static bool cr_ahead_huge(struct mm_struct *mm, unsigned long addr)
{
	bool huge = false;

	if (mmap_read_lock_killable(mm))
		return true;
	walk_page_range(mm, addr, addr + PMD_SIZE, &cr_ahead_peek_ops, &huge);
	mmap_read_unlock(mm);
	return huge;
}

/**
 * cr_pram_vma_begin() - start walking chunks of a VMA on another CPU
 * @ctx: checkpoint context, into a PRAM node
 * @start: the VMA's start
 * @end: its end
 *
 * On a machine of one CPU, for a small VMA, one of huge pages, or short
 * of memory for the page-arrays, the caller walks it alone.
 * cr_pram_vma_end() must follow, with the mmap lock not held.
 */
void cr_pram_vma_begin(struct cr_ctx *ctx, unsigned long start,
		       unsigned long end)
{
	struct cr_walk_ahead *a = &ctx->walk_ahead;
	unsigned long first;
	int i;

	BUILD_BUG_ON(CR_AHEAD_CHUNK % PMD_SIZE);
	if (num_online_cpus() < 2 || end - start < CR_AHEAD_MIN)
		return;
	/*
	 * The caller walks a chunk at least before it reaches the first of
	 * the work item's, time enough for the work item to begin; one that
	 * has not leaves the rest of the VMA to the caller.
	 */
	first = cr_ahead_next(start + CR_AHEAD_CHUNK);
	if (first >= end || cr_ahead_huge(ctx->mm, first))
		return;
	for (i = 0; i < ARRAY_SIZE(a->slot); i++) {
		a->slot[i].pgarr = cr_pgarr_alloc();
		a->slot[i].filled = false;
		if (!a->slot[i].pgarr)
			goto nomem;
	}
	/* The context, and @a in it, are on the syscall's stack. */
	INIT_WORK_ONSTACK(&a->work, cr_ahead_work);
	init_waitqueue_head(&a->wait);
	a->ctx = ctx;
	a->claim = first;
	a->take = first;
	a->end = end;
	a->started = false;
	a->quit = false;
	a->stop = false;
	a->queued = true;
	queue_work_on(cr_next_cpu(raw_smp_processor_id()), system_unbound_wq,
		      &a->work);
	return;
nomem:
	while (i >= 0)
		cr_pgarr_destroy(a->slot[i--].pgarr);
}

/**
 * cr_pram_vma_ahead() - write what the work item walked, and bound the
 *	caller's next round
 * @ctx: checkpoint context
 * @start: where the caller's walk is: moved past a chunk written here
 * @stop: the VMA's end: lowered to where the caller's round must end,
 *	the start of the work item's next chunk
 *
 * Called before each round of the caller's walk, without the mmap lock.
 *
 * Return: 0, -EINTR when killed while waiting, or the errno of the write.
 */
int cr_pram_vma_ahead(struct cr_ctx *ctx, unsigned long *start,
		      unsigned long *stop)
{
	struct cr_walk_ahead *a = &ctx->walk_ahead;
	struct cr_walk_slot *slot;
	unsigned long take;
	int ret;

	if (!a->queued)
		return 0;
	/* The work item's chunks that follow one another, one by one. */
	while (*start == a->take && *start < a->end) {
		take = a->take;
		a->take = cr_ahead_next(take);
		if (cmpxchg(&a->claim, take, a->take) == take) {
			/*
			 * Not begun: the caller walks it. And the rest of the
			 * VMA, if the work item has not begun at all, or gave
			 * up: it would only keep the caller's rounds short.
			 */
			if ((!READ_ONCE(a->started) || READ_ONCE(a->quit)) &&
			    cmpxchg(&a->claim, a->take, a->end) == a->take)
				a->take = a->end;
			break;
		}
		slot = cr_ahead_slot(a, take);
		if (wait_event_killable(a->wait, cr_slot_filled(slot)))
			return -EINTR;
		ret = cr_write_walked(ctx, slot->pgarr);
		*start = slot->next;
		/* The page-array is empty before the work item refills it. */
		smp_store_release(&slot->filled, false);
		wake_up(&a->wait);
		if (ret)
			return ret;
	}
	*stop = min(*stop, a->take);
	return 0;
}

/**
 * cr_pram_vma_end() - stop what cr_pram_vma_begin() started
 * @ctx: checkpoint context
 *
 * After the walk, or on an error: a work item that has not started is
 * taken off the queue, not waited for (under PREEMPT_NONE that wait is
 * a time slice of whatever runs there); one that runs is told to stop
 * and waited for. The pages of a chunk walked but not written are let go.
 */
void cr_pram_vma_end(struct cr_ctx *ctx)
{
	struct cr_walk_ahead *a = &ctx->walk_ahead;
	int i;

	if (!a->queued)
		return;
	WRITE_ONCE(a->stop, true);
	wake_up(&a->wait);
	cancel_work_sync(&a->work);
	destroy_work_on_stack(&a->work);
	for (i = 0; i < ARRAY_SIZE(a->slot); i++)
		cr_pgarr_destroy(a->slot[i].pgarr);
	a->queued = false;
}

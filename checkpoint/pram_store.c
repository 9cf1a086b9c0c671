// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: a PRAM node as the page store.
 *
 * A checkpoint written into a node of the pram filesystem keeps its
 * records in the node's byte stream, like any file, but hands the saved
 * pages themselves to the node's page stream, by reference: no copy is
 * made, and the PAGES records say so (%CR_PAGES_PRAM). Since the node
 * then holds the very pages the task maps, the page walk makes each one
 * read-only and shared first (pram_share_anon_pte(); a THP kept whole,
 * pram_share_anon_pmd(), as one entry of a batch of huge pages).
 *
 * A restart from the node reads its page stream from the start, on a
 * stream of its own, and maps each kept page where it belongs: in place
 * when the page came across a kexec reboot and belongs to nothing else
 * (pram_map_pages(), pram_map_huge() for a huge page by a PMD, or
 * pram_add_shmem_page() for a page of a shared memory object), else as
 * a copy.
 */
#include <linux/cpumask.h>
#include <linux/memcontrol.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pram.h>
#include <linux/sched/mm.h>
#include <linux/workqueue.h>

#include "internal.h"

static int cr_pram_save(struct cr_ctx *ctx, struct cr_pgarr *pgarr,
			struct cr_pages_out *out)
{
	unsigned int n = pgarr->nr_used;
	int ret;

	/* The page-array's references go to the node, come what may. */
	pgarr->nr_used = 0;
	ret = pram_give_pages(ctx->pram, pgarr->pages, n, pgarr->order);
	if (ret) {
		cr_log(ctx, "saving pages into the PRAM node failed: error %d",
		       ret);
		return ret;
	}
	out->hp.flags = CR_PAGES_PRAM | (pgarr->order ? CR_PAGES_HUGE : 0);
	return cr_write_pages_head(ctx, out, NULL);
}

/*
 * Mapping the kept pages in place is most of a restart after kexec:
 * perf found 86% of it in pram_map_pages(), the rmap, LRU and memcg
 * charge of each page. A batch is spread over up to CR_MAP_CPUS CPUs,
 * the caller's and a work item on each next one, each mapping the pages
 * of its own page tables under a read lock of its own on the mm, as
 * page faults on several CPUs would. Below CR_MAP_SPLIT pages a work
 * item costs more than it saves.
 */
#define CR_MAP_CPUS	4
#define CR_MAP_SPLIT	256

/* One share of a batch to map. */
struct cr_map_part {
	struct work_struct work;
	struct mm_struct *mm;
	const u64 *addrs;
	struct page **pages;
	unsigned int n;
};

/* A reference on each of a share's pages, which came without one. */
static void cr_map_hold(struct cr_map_part *part)
{
	unsigned int i;

	for (i = 0; i < part->n; i++)
		get_page(part->pages[i]);
}

/*
 * The VMA restart just mapped: every address is in it. The share's
 * pages come from pram_load_pages(), without references: one is taken
 * on each here, first, by the CPU that maps them, which is then the
 * first in this restart to touch their struct pages. On -ENOMEM the
 * pages not mapped are left for the caller to copy. The mmap lock is
 * taken here, not lent by the caller: a waiting writer would keep a
 * work item from taking it while the caller, holding it, waited for
 * the work item. Returns -EINTR when the caller, @killable, was killed
 * waiting for it.
 */
static int cr_map_part(struct cr_map_part *part, bool killable)
{
	struct vm_area_struct *vma;

	cr_map_hold(part);
	if (killable) {
		if (mmap_read_lock_killable(part->mm))
			return -EINTR;
	} else {
		mmap_read_lock(part->mm);
	}
	vma = vma_lookup(part->mm, part->addrs[0]);
	if (vma)
		pram_map_pages(vma, part->addrs, part->pages, part->n, NULL,
			       NULL);
	mmap_read_unlock(part->mm);
	return 0;
}

/*
 * A share mapped by a work item: what it allocates (page tables, the
 * anon_vma) is charged to the memcg of the mm being built, as it would
 * be to the restarting task's (the pages' own charges go there anyway,
 * mem_cgroup_charge() being given the mm).
 */
static void cr_map_work(struct work_struct *work)
{
	struct cr_map_part *part = container_of(work, struct cr_map_part,
						work);
	struct mem_cgroup *memcg = get_mem_cgroup_from_mm(part->mm);
	struct mem_cgroup *old = set_active_memcg(memcg);

	cr_map_part(part, false);
	set_active_memcg(old);
	mem_cgroup_put(memcg);
}

/*
 * Map in place what can be of the @n kept pages in @pages at @addrs,
 * which come without references (pram_load_pages()), setting each
 * mapped one to NULL; each other one has a reference on return, for
 * the caller to copy and drop. The shares end where a page table
 * does, so that no two CPUs fill one. A share whose work item has not
 * started by the time the caller is done with its own, its CPU busy
 * with something else, the caller takes back and maps itself.
 */
static int cr_map_spread(struct mm_struct *mm, const u64 *addrs,
			 struct page **pages, unsigned int n)
{
	struct cr_map_part parts[CR_MAP_CPUS];
	unsigned int i, nr, each, from = 0, to;
	int cpu = raw_smp_processor_id();
	int ret;

	nr = n < CR_MAP_SPLIT ? 1 : min(num_online_cpus(), CR_MAP_CPUS);
	each = DIV_ROUND_UP(n, nr);
	for (i = 0; i < nr && from < n; i++) {
		to = min(from + each, n);
		while (to < n && (addrs[to] & PMD_MASK) ==
				 (addrs[to - 1] & PMD_MASK))
			to++;
		parts[i] = (struct cr_map_part){
			.mm = mm, .addrs = addrs + from, .pages = pages + from,
			.n = to - from,
		};
		from = to;
		if (!i)
			continue;
		cpu = cr_next_cpu(cpu);
		INIT_WORK_ONSTACK(&parts[i].work, cr_map_work);
		queue_work_on(cpu, system_unbound_wq, &parts[i].work);
	}
	nr = i;
	ret = cr_map_part(&parts[0], true);
	for (i = 1; i < nr; i++) {
		/* Not started: mapped here, or its pages only held. */
		if (cancel_work_sync(&parts[i].work)) {
			if (!ret)
				ret = cr_map_part(&parts[i], true);
			else
				cr_map_hold(&parts[i]);
		}
		destroy_work_on_stack(&parts[i].work);
	}
	return ret;
}

/*
 * The @n kept pages in @r->src, the node's, with no reference of ours,
 * go to @addrs (which may be @r->addrs): mapped as they are when the
 * previous kernel left them (no copy), else copied. Either way no
 * writable page is shared with another task.
 */
static int cr_pram_place(struct cr_rst *r, const u64 *addrs, unsigned int n)
{
	unsigned int i, nr_copy = 0;
	int ret;

	/* Failed already: read on past them, no more. */
	if (r->err)
		return 0;
	ret = cr_map_spread(r->mm, addrs, r->src, n);
	/* What could not be mapped in place is copied. */
	for (i = 0; i < n; i++) {
		if (!r->src[i])
			continue;
		r->src[nr_copy] = r->src[i];
		r->addrs[nr_copy++] = addrs[i];
	}
	n = nr_copy;
	if (!ret && nr_copy)
		ret = cr_fill_pages(r, r->addrs, nr_copy, r->src);
	for (i = 0; i < n; i++)
		put_page(r->src[i]);
	return ret;
}

/*
 * Map the kept huge page @page at @addr by a PMD, as it is: after a kexec
 * reboot, where the VMA takes a THP. Returns whether it did, the
 * caller's reference now the mapping's.
 */
static bool cr_pram_map_huge(struct cr_rst *r, u64 addr, struct page *page)
{
	struct vm_area_struct *vma;
	bool mapped = false;

	if (r->err || mmap_read_lock_killable(r->mm))
		return false;
	vma = vma_lookup(r->mm, addr);
	if (vma)
		mapped = !pram_map_huge(vma, addr, page);
	mmap_read_unlock(r->mm);
	return mapped;
}

/*
 * The next @n entries of the node's page stream, of @order, go to
 * @addrs. Small pages are placed all at once. A huge entry is mapped as
 * it is by a PMD after a kexec reboot (cr_pram_map_huge()); else its
 * pages are placed one huge page at a time, under a reference of ours
 * on the folio: copied, into a new THP where the VMA takes one
 * (cr_fill_pages()).
 */
static int cr_pram_load_kept(struct cr_rst *r, const u64 *addrs,
			     unsigned int n, unsigned int order)
{
	unsigned int i, j, nr = 1U << order;
	struct page *page;
	int ret = 0;

	if (!order) {
		if (pram_load_pages(r->ctx->pram, r->src, n) != n)
			return cr_bad(r, "the PRAM node's pages do not match its image");
		return cr_pram_place(r, addrs, n);
	}
	for (i = 0; i < n && !ret; i++) {
		page = pram_load_page(r->ctx->pram, order);
		if (!page) {
			ret = cr_bad(r, "the PRAM node's pages do not match its image");
			break;
		}
		if (cr_pram_map_huge(r, addrs[i], page))
			continue;
		/* Taken from the stream all the same, to read on past it. */
		if (r->err) {
			put_page(page);
			continue;
		}
		for (j = 0; j < nr; j++) {
			r->src[j] = nth_page(page, j);
			r->addrs[j] = addrs[i] + j * PAGE_SIZE;
		}
		ret = cr_pram_place(r, r->addrs, nr);
		put_page(page);
	}
	return ret;
}

/*
 * The next @n pages of the node's page stream go to the offsets @offs of
 * @file, a shared memory object restart made: put into it as they are
 * when the previous kernel left them (no copy), else copied.
 */
static int cr_pram_load_object(struct cr_rst *r, struct file *file,
			       const u64 *offs, unsigned int n)
{
	unsigned int i, nr_copy = 0;
	struct page *page;
	int ret = 0;

	for (i = 0; i < n; i++) {
		page = pram_load_page(r->ctx->pram, 0);
		if (!page) {
			ret = cr_bad(r, "the PRAM node's pages do not match its image");
			break;
		}
		if (!r->err && !pram_add_shmem_page(file_inode(file),
						    offs[i] >> PAGE_SHIFT,
						    page)) {
			put_page(page);
			continue;
		}
		r->src[nr_copy] = page;
		r->addrs[nr_copy++] = offs[i];
	}
	if (!ret && !r->err && nr_copy)
		ret = cr_fill_shmem(r, file, r->addrs, nr_copy, r->src);
	for (i = 0; i < nr_copy; i++)
		put_page(r->src[i]);
	return ret;
}

static void cr_pram_release(struct cr_ctx *ctx)
{
	if (ctx->pram == &ctx->pram_load)
		pram_finish_load(ctx->pram);
	else
		pram_file_unclaim(ctx->file);
}

static const struct cr_page_store cr_pram_store = {
	.by_reference = true,
	.vma_begin = cr_pram_vma_begin,
	.vma_ahead = cr_pram_vma_ahead,
	.vma_end = cr_pram_vma_end,
	.save = cr_pram_save,
	.load_kept = cr_pram_load_kept,
	.load_object = cr_pram_load_object,
	.release = cr_pram_release,
};

/**
 * cr_pram_store_open() - make the PRAM node behind the image the store
 * @ctx: the context; its image file may be a node of the pram filesystem
 *
 * For a checkpoint, the node must be open for writing, which makes it a
 * node being saved; for a restart, the node must be saved already, and
 * its pages are read from the start on a stream of the restart's own.
 *
 * Return: 0 (and the file store stays for an image that is no node), or
 * -EBUSY (logged) for a restart from a node still being saved or a
 * checkpoint into a node another task is writing.
 */
int cr_pram_store_open(struct cr_ctx *ctx)
{
	struct pram_stream *ps = pram_file_stream(ctx->file);

	if (!ps)
		return 0;
	if (ctx->op == CR_OP_RESTART) {
		if (ps->save) {
			cr_log(ctx, "the PRAM node is still being saved");
			return -EBUSY;
		}
		pram_load_again(&ctx->pram_load, ps);
		ps = &ctx->pram_load;
	} else if (pram_file_claim(ctx->file)) {
		cr_log(ctx, "another checkpoint or write into the PRAM node is in progress");
		return -EBUSY;
	}
	ctx->pram = ps;
	ctx->store = &cr_pram_store;
	return 0;
}

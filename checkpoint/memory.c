// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: saving an address space.
 *
 * The mm record comes first, then one VMA record per VMA, each followed
 * by its saved pages in batches: the addresses of a page-array, then
 * their contents. Pages are found by walking the page tables with
 * walk_page_range(), which skips empty ranges, so the cost follows the
 * populated pages and not the size of a mapping; nothing is faulted in
 * and no huge page is split. The mmap lock is only held while pages are
 * collected, never while the image is written: a write may need locks
 * that rank above it (a file's i_rwsem).
 *
 * Saved: every anonymous page, in anonymous mappings and (as the
 * copy-on-write copies they are) in private file mappings, THP
 * subpages included. Not saved: the zero page, file pages of private
 * mappings (they come back from the file) and the vDSO/vvar, which
 * restart maps anew.
 *
 * Into a PRAM node the pages are saved by reference, not copied, so the
 * image must not change after the fact: each saved page is made
 * read-only and shared in the task, as fork() does, so that a write by
 * the task, should it go on running, copies it first. A THP is split
 * into PTEs for that; a page pinned for DMA, which cannot be shared,
 * fails the checkpoint with -EBUSY.
 */
#include <linux/ckpt.h>
#include <linux/mm.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/kdev_t.h>
#include <linux/mmap_lock.h>
#include <linux/pagewalk.h>
#include <linux/rmap.h>
#include <asm/tlb.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/swap.h>
#include <linux/swapops.h>

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
	struct mmu_gather *tlb;	/* PTEs made read-only, to flush (PRAM) */
};

static bool cr_page_wanted(struct page *page)
{
	return page && !is_zero_page(page) && PageAnon(page);
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

	pgarr = cr_pgarr_current(w->ctx, (end - addr) >> PAGE_SHIFT);
	if (IS_ERR(pgarr))
		return PTR_ERR(pgarr);
	if (!pgarr) {
		w->next = addr;
		return 1;
	}

	/* Into PRAM, pages are shared one by one: see cr_share_pte(). */
	if (w->ctx->pram && pmd_leaf(pmdp_get(pmd))) {
		split_huge_pmd(walk->vma, pmd, addr);
		return -EAGAIN;
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
	if (cr_page_wanted(page)) {
		page = nth_page(page, (addr & ~HPAGE_PMD_MASK) >> PAGE_SHIFT);
		for (; addr < end; addr += PAGE_SIZE, page = nth_page(page, 1))
			cr_pgarr_add(pgarr, page, addr);
	}
	spin_unlock(ptl);
	return 0;
}

/*
 * Make the page @pte maps read-only and shared, as fork() makes it for
 * the parent, so that a write by the task copies it rather than change
 * what PRAM keeps. The caller flushes the TLB for the whole page table
 * through the mmu_gather, before the mmap lock is dropped and before the
 * stopped task can run. Returns -EBUSY for a page that may be pinned.
 */
static int cr_share_pte(struct mm_struct *mm, unsigned long addr,
			pte_t *pte, pte_t ptent, struct page *page)
{
	bool exclusive = PageAnonExclusive(page);

	if (!exclusive && !pte_write(ptent))
		return 0;
	ptent = ptep_get_and_clear(mm, addr, pte);
	if (exclusive &&
	    folio_try_share_anon_rmap_pte(page_folio(page), page)) {
		set_pte_at(mm, addr, pte, ptent);
		return -EBUSY;
	}
	set_pte_at(mm, addr, pte, pte_wrprotect(ptent));
	return 0;
}

/*
 * The PTEs of one page table in [addr, end), into @pgarr until it is
 * full. Returns where it stopped. This loop is most of what a
 * checkpoint into PRAM costs: it keeps to locals and to one TLB range
 * per call.
 */
static unsigned long cr_walk_ptes(struct cr_walk *w, struct cr_pgarr *pgarr,
				  pmd_t *pmd, unsigned long addr,
				  unsigned long end, struct mm_walk *walk)
{
	unsigned long first = addr;
	bool share = w->ctx->pram;
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
			/* uffd-wp and other markers hold no data */
			if (is_pte_marker_entry(entry))
				continue;
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
		if (pgarr->nr_used == CR_PGARR_TOTAL)
			break;
		if (share && cr_share_pte(walk->mm, addr, pte, ptent, page)) {
			w->err = -EBUSY;
			w->next = addr;
			break;
		}
		cr_pgarr_add(pgarr, page, addr);
	}
	if (share && addr > first)
		tlb_flush_pte_range(w->tlb, first, addr - first);
	pte_unmap_unlock(start, ptl);
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
	w->scanned += (end - addr) >> PAGE_SHIFT;

	/* A huge, DAX or migrating PMD: read it whole, never split it. */
	pmdval = pmdp_get_lockless(pmd);
	if (pmd_leaf(pmdval) || pmd_devmap(pmdval) || is_swap_pmd(pmdval)) {
		ret = cr_walk_huge(pmd, addr, end, walk);
		if (ret != -EAGAIN)
			return ret;
	}

	while (addr < end) {
		pgarr = cr_pgarr_current(w->ctx, 1);
		if (IS_ERR(pgarr))
			return PTR_ERR(pgarr);
		if (!pgarr) {
			w->next = addr;
			return 1;
		}
		addr = cr_walk_ptes(w, pgarr, pmd, addr, end, walk);
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
	/* Into PRAM: now present, the next round shares it as any other. */
	if (ctx->pram) {
		put_page(page);
		return -EAGAIN;
	}
	if (cr_page_wanted(page)) {
		pgarr = cr_pgarr_current(ctx, 1);
		if (IS_ERR_OR_NULL(pgarr))
			ret = pgarr ? PTR_ERR(pgarr) : -EAGAIN;
		else
			cr_pgarr_add(pgarr, page, addr);
	}
	put_page(page);
	return ret;
}

/* Write the collected batch in address order (the list is newest first). */
static int cr_write_batch(struct cr_ctx *ctx)
{
	struct cr_pgarr *pgarr;
	int ret = 0;

	list_for_each_entry_reverse(pgarr, &ctx->pgarr_list, list) {
		if (!pgarr->nr_used)
			continue;
		ret = cr_write_pgarr(ctx, pgarr);
		if (ret)
			break;
	}
	cr_pgarr_release_all(ctx);
	return ret;
}

/*
 * Save the pages of [start, end), the range of one VMA, in rounds: collect
 * a batch under the mmap lock, write it without, go on where it stopped.
 */
static int cr_write_vma_pages(struct cr_ctx *ctx, unsigned long start,
			      unsigned long end)
{
	struct cr_walk w = { .ctx = ctx };
	struct mmu_gather tlb;
	int ret;

	while (start < end) {
		/* A dense 64 GiB VMA is thousands of rounds: stay killable. */
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		w.next = end;
		w.has_slow = false;
		w.scanned = 0;
		w.err = 0;
		ret = mmap_read_lock_killable(ctx->mm);
		if (ret)
			return ret;
		if (ctx->pram) {
			tlb_gather_mmu(&tlb, ctx->mm);
			w.tlb = &tlb;
		}
		ret = walk_page_range(ctx->mm, start, end, &cr_walk_ops, &w);
		if (ctx->pram)
			tlb_finish_mmu(&tlb);
		if (ret > 0 && w.has_slow) {
			ret = cr_collect_slow(ctx, w.slow);
			w.next = w.slow + PAGE_SIZE;
			if (ret == -EAGAIN) {	/* no room: retry next round */
				w.next = w.slow;
				ret = 0;
			}
		}
		mmap_read_unlock(ctx->mm);
		if (ret == -EOPNOTSUPP)
			cr_log(ctx, "page at %#lx: %s", w.next,
			       "device-private or poisoned memory is not supported");
		if (ret == -EBUSY)
			cr_log(ctx, "page at %#lx: %s", w.next,
			       "pinned for DMA, it cannot be saved by reference");
		if (ret < 0)
			goto err;
		ret = cr_write_batch(ctx);
		if (ret)
			return ret;
		start = w.next;
	}
	return 0;
err:
	cr_pgarr_release_all(ctx);
	return ret;
}

static enum cr_vma_type cr_vma_type(struct vm_area_struct *vma)
{
	const char *name;

	if (vma->vm_ops && vma->vm_ops->name) {
		name = vma->vm_ops->name(vma);
		if (name && !strcmp(name, "[vdso]"))
			return CR_VMA_VDSO;
		if (name && !strcmp(name, "[vvar]"))
			return CR_VMA_VVAR;
		return 0;
	}
	if (vma_is_anonymous(vma))
		return CR_VMA_ANON;
	if (vma->vm_file && S_ISREG(file_inode(vma->vm_file)->i_mode))
		return CR_VMA_FILE;
	return 0;
}

/* Why a VMA cannot be saved yet, or NULL when it can. */
static const char *cr_vma_unsupported(struct vm_area_struct *vma,
				      enum cr_vma_type type)
{
	if (type == CR_VMA_VDSO || type == CR_VMA_VVAR)
		return NULL;
	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE))
		return "shared mappings are not supported yet";
	if (is_vm_hugetlb_page(vma))
		return "hugetlb mappings are not supported";
	if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
		return "device mappings are not supported";
	if (!type)
		return "special mappings are not supported";
	return NULL;
}

/*
 * What cr_write_vmas() needs of a VMA once the mmap lock is dropped: its
 * flags, and for a refused VMA what to log.
 */
struct cr_vma_info {
	unsigned long start, end, flags;
	const char *why;
};

/*
 * Fill the VMA record for the VMA at or after *addr in the header buffer
 * and return its length; *addr, *end and *typep get the VMA's range and
 * type. 0 when there is no VMA left; on a refusal, @vi says why. Called
 * with the mmap lock held, so it must not log: a log write may take
 * locks that rank above the mmap lock (a pipe's mutex).
 */
static long cr_fill_vma(struct cr_ctx *ctx, unsigned long *addr,
			unsigned long *end, enum cr_vma_type *typep,
			struct cr_vma_info *vi)
{
	VMA_ITERATOR(vmi, ctx->mm, *addr);
	struct vm_area_struct *vma = vma_find(&vmi, ULONG_MAX);
	struct cr_hdr_vma *hv;
	enum cr_vma_type type;
	const char *why, *path;
	struct inode *inode;
	struct timespec64 mtime;
	char *pathbuf;
	u32 path_len = 0;

	if (!vma)
		return 0;
	type = cr_vma_type(vma);
	vi->start = vma->vm_start;
	vi->end = vma->vm_end;
	vi->flags = vma->vm_flags;
	why = cr_vma_unsupported(vma, type);
	if (why) {
		vi->why = why;
		return -EOPNOTSUPP;
	}

	/* The path is formatted at the end of the buffer, then moved. */
	pathbuf = ctx->hbuf + CR_HBUF_SIZE - PATH_MAX;
	if (type == CR_VMA_FILE) {
		path = d_path(&vma->vm_file->f_path, pathbuf, PATH_MAX);
		if (IS_ERR(path)) {
			vi->why = "the file's path is too long";
			return PTR_ERR(path);
		}
		path_len = strlen(path) + 1;
		memmove(pathbuf, path, path_len);
	}

	hv = cr_hbuf_get(ctx, CR_HDR_VMA, sizeof(*hv) + path_len);
	hv->start = vma->vm_start;
	hv->end = vma->vm_end;
	hv->flags = vma->vm_flags;
	hv->page_prot = pgprot_val(vma->vm_page_prot);
	hv->pgoff = vma->vm_pgoff;
	hv->type = type;
	hv->path_len = path_len;
	if (type == CR_VMA_FILE) {
		inode = file_inode(vma->vm_file);
		mtime = inode_get_mtime(inode);
		hv->dev = new_encode_dev(inode->i_sb->s_dev);
		hv->ino = inode->i_ino;
		hv->size = i_size_read(inode);
		hv->mtime_sec = mtime.tv_sec;
		hv->mtime_nsec = mtime.tv_nsec;
		memcpy(hv + 1, pathbuf, path_len);
	}
	*addr = vma->vm_start;
	*end = vma->vm_end;
	*typep = type;
	return hv->h.len;
}

static int cr_write_vmas(struct cr_ctx *ctx, unsigned int map_count)
{
	unsigned long addr = 0, end;
	struct cr_vma_info vi = {};
	enum cr_vma_type type;
	unsigned int nr = 0;
	long len;
	int ret;

	for (;;) {
		ret = mmap_read_lock_killable(ctx->mm);
		if (ret)
			return ret;
		len = cr_fill_vma(ctx, &addr, &end, &type, &vi);
		mmap_read_unlock(ctx->mm);
		if (len < 0 && vi.why)
			cr_log(ctx, "vma %#lx-%#lx flags %#lx: %s", vi.start,
			       vi.end, vi.flags, vi.why);
		if (len <= 0) {
			ret = len;
			break;
		}
		ret = cr_hbuf_put(ctx, len);
		if (ret)
			return ret;
		/*
		 * Memory a fork child gets zeroed (VM_WIPEONFORK) or the
		 * kernel may drop (VM_DROPPABLE) holds per-process secrets
		 * such as RNG state: restored zeroed, never replayed.
		 */
		if ((type == CR_VMA_ANON || type == CR_VMA_FILE) &&
		    !(vi.flags & (VM_WIPEONFORK | VM_DROPPABLE))) {
			ret = cr_write_vma_pages(ctx, addr, end);
			if (ret)
				return ret;
		}
		nr++;
		addr = end;
	}
	if (!ret && nr != map_count) {
		cr_log(ctx, "the address space changed during the checkpoint");
		ret = -EBUSY;
	}
	return ret;
}

/**
 * cr_write_mm() - save the address space of the context's task
 * @ctx: checkpoint context, with @ctx->mm referenced
 *
 * Writes the mm record, the architecture's mm context, and every VMA with
 * its pages. Refuses (-EOPNOTSUPP, with a log line naming the VMA) what
 * cannot be saved yet: shared, hugetlb, device and other special
 * mappings.
 *
 * Return: 0 or a negative errno.
 */
int cr_write_mm(struct cr_ctx *ctx)
{
	struct mm_struct *mm = ctx->mm;
	struct cr_hdr_mm *hm;
	unsigned int map_count;
	int ret;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	hm = cr_hbuf_get(ctx, CR_HDR_MM, sizeof(*hm));
	hm->start_code = mm->start_code;
	hm->end_code = mm->end_code;
	hm->start_data = mm->start_data;
	hm->end_data = mm->end_data;
	hm->start_brk = mm->start_brk;
	hm->brk = mm->brk;
	hm->start_stack = mm->start_stack;
	spin_lock(&mm->arg_lock);
	hm->arg_start = mm->arg_start;
	hm->arg_end = mm->arg_end;
	hm->env_start = mm->env_start;
	hm->env_end = mm->env_end;
	spin_unlock(&mm->arg_lock);
	hm->flags = mm->flags;
	hm->map_count = mm->map_count;
	map_count = mm->map_count;
	mmap_read_unlock(mm);

	ret = cr_hbuf_put(ctx, sizeof(*hm));
	if (ret)
		return ret;
	ret = cr_write_mm_context(ctx);
	if (ret)
		return ret;
	return cr_write_vmas(ctx, map_count);
}

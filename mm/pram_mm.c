// SPDX-License-Identifier: GPL-2.0-only
/*
 * PRAM: the page table work of keeping pages by reference.
 *
 * A checkpoint into a PRAM node keeps the task's anonymous pages
 * themselves, so the node's copy must not change if the task runs on:
 * pram_share_anon_pte() makes a page's PTE read-only and the page shared,
 * as fork() does for the parent (copy_present_pte()) and KSM before it
 * merges a page (write_protect_page()), so that the task's next write
 * copies it.
 *
 * After a kexec reboot, restart maps kept pages into the new mm as
 * anonymous pages with pram_map_pages(), which does what the tail of
 * do_anonymous_page() does for a freshly allocated page, for pages that
 * already hold the contents, a page table at a time (or one page, for a
 * lazy restart's read fault: pram_map_fault_page()), and a kept huge
 * page with pram_map_huge(), by a PMD; and a kept page of
 * shared memory goes back
 * into the shmem file restart makes for it with pram_add_shmem_page().
 */
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/oom.h>
#include <linux/pgalloc.h>
#include <linux/pram.h>
#include <linux/rmap.h>
#include <linux/swap.h>

#include "internal.h"

/**
 * pram_share_anon_pte() - make a present anonymous PTE read-only, shared
 * @vma: the VMA it maps into
 * @addr: its address
 * @ptep: the PTE
 * @pte: its value, as the caller read it under @ptl
 * @ptl: the page table lock, held
 *
 * The caller flushes the TLB for the range (an mmu_gather), before the
 * mmap lock is dropped.
 *
 * Return: 0, or -EBUSY for a page that may be pinned (for DMA, say): it
 * cannot be shared, as fork() would copy it instead, and stays as it was.
 */
int pram_share_anon_pte(struct vm_area_struct *vma, unsigned long addr,
			pte_t *ptep, pte_t pte, spinlock_t *ptl)
{
	struct mm_struct *mm = vma->vm_mm;
	struct page *page = pte_page(pte);
	bool exclusive = PageAnonExclusive(page);

	lockdep_assert_held(ptl);
	if (!exclusive && !pte_write(pte))
		return 0;
	pte = ptep_get_and_clear(mm, addr, ptep);
	if (exclusive &&
	    folio_try_share_anon_rmap_pte(page_folio(page), page)) {
		set_ptes(mm, addr, ptep, pte, 1);
		return -EBUSY;
	}
	set_ptes(mm, addr, ptep, pte_wrprotect(pte), 1);
	return 0;
}

/**
 * pram_share_anon_pmd() - make a PMD-mapped anonymous THP read-only, shared
 * @vma: the VMA it maps into
 * @addr: its address, aligned to %PMD_SIZE
 * @pmdp: the PMD, mapping an anonymous THP (pmd_trans_huge())
 * @ptl: its lock (pmd_trans_huge_lock()), held
 *
 * What pram_share_anon_pte() does for a page, for the THP as a whole, so
 * that a node can keep it as one entry: the folio marked maybe-shared
 * with the PMD cleared, as folio_try_share_anon_rmap_pmd() wants it
 * against GUP-fast, and the PMD set again read-only, as copy_huge_pmd()
 * leaves the parent's. The caller flushes the TLB for the range (an
 * mmu_gather) before the mmap lock is dropped.
 *
 * Return: 0; -EBUSY for a THP that may be pinned, or -EAGAIN for one in
 * the kexec landing zone, which a node cannot keep (pram_give_pages():
 * the caller splits its PMD and gives its pages one by one, to be
 * copied out); either stays as it was.
 */
int pram_share_anon_pmd(struct vm_area_struct *vma, unsigned long addr,
			pmd_t *pmdp, spinlock_t *ptl)
{
	struct mm_struct *mm = vma->vm_mm;
	pmd_t pmd = pmdp_get(pmdp);
	struct page *page = pmd_page(pmd);
	unsigned long pfn = page_to_pfn(page);
	bool exclusive = PageAnonExclusive(page);

	lockdep_assert_held(ptl);
	if (pram_pfn_in_zone(pfn) || pram_pfn_in_zone(pfn + HPAGE_PMD_NR - 1))
		return -EAGAIN;
	if (!exclusive && !pmd_write(pmd))
		return 0;
	/*
	 * Cleared, as folio_try_share_anon_rmap_pmd() allows, rather than
	 * invalidated (pmdp_invalidate(), which would flush the TLB for each
	 * THP): the task is stopped, so no zap of its own under the mmap read
	 * lock can see the PMD none and pass it by, and whatever installs a
	 * PMD checks it again under @ptl, which is held until it is set again.
	 */
	pmd = pmdp_huge_get_and_clear(mm, addr, pmdp);
	if (exclusive &&
	    folio_try_share_anon_rmap_pmd(page_folio(page), page)) {
		set_pmd_at(mm, addr, pmdp, pmd);
		return -EBUSY;
	}
	set_pmd_at(mm, addr, pmdp, pmd_wrprotect(pmd));
	return 0;
}

/*
 * Whether a kept page can be mapped as it is: a page the previous kernel
 * left, which belongs to no address space yet and is held by its node
 * and the caller only. A page still anonymous elsewhere (before kexec,
 * or loaded once already) cannot join another anon_vma: it is copied.
 */
static bool pram_page_fresh(struct folio *folio)
{
	return !folio_test_large(folio) && !folio_test_anon(folio) &&
	       !folio->mapping && !folio_mapped(folio) &&
	       !folio_test_lru(folio) && folio_ref_count(folio) == 2;
}

/*
 * Ready a kept page to be mapped as it is: fresh (no one else has it to
 * lock or map), locked, charged to @mm as do_anonymous_page() charges a
 * new folio, and up to date, as it marks one: the page holds its
 * contents, but came through the boot with no flag of its own, and
 * swap would refuse it (add_to_swap()) or, swapped in, fail it.
 * Returns false, leaving it as it was, when it cannot be.
 */
static bool pram_prepare(struct folio *folio, struct mm_struct *mm)
{
	if (!pram_page_fresh(folio) || !folio_trylock(folio))
		return false;
	if (mem_cgroup_charge(folio, mm, GFP_KERNEL)) {
		folio_unlock(folio);
		return false;
	}
	folio_mark_uptodate(folio);
	return true;
}

/* Undo pram_prepare() for a page that was not mapped. */
static void pram_unprepare(struct folio *folio)
{
	folio_unlock(folio);
	mem_cgroup_uncharge(folio);
}

/*
 * Map @page at @addr, at the empty @ptep, as the tail of
 * do_anonymous_page() maps a new folio: but read-only and not exclusive,
 * since the node keeps its reference. The folio is locked and charged;
 * the caller adds to the mm's counter.
 */
static void pram_map_one(struct vm_area_struct *vma, unsigned long addr,
			 pte_t *ptep, struct page *page)
{
	struct folio *folio = page_folio(page);

	folio_add_new_anon_rmap(folio, vma, addr, RMAP_NONE);
	folio_add_lru_vma(folio, vma);
	set_ptes(vma->vm_mm, addr, ptep, mk_pte(page, vma->vm_page_prot), 1);
	update_mmu_cache(vma, addr, ptep);
}

/*
 * Map the pages at @addrs flagged in @ready, @n of them in the page table
 * of the first, under one take of its lock, where nothing is mapped yet
 * and @want, if any, still wants them; flag each mapped in @mapped.
 * Returns 0, or -ENOMEM for want of a page table.
 */
static int pram_map_table(struct vm_area_struct *vma, const u64 *addrs,
			  struct page **pages, unsigned int n,
			  const unsigned long *ready, unsigned long *mapped,
			  pram_map_want_fn want, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned int k, nr = 0;
	spinlock_t *ptl;	/* the page table's lock */
	pte_t *pte, *ptep;

	/* Allocates the page tables as __handle_mm_fault() would. */
	pte = get_locked_pte(mm, addrs[0], &ptl);
	if (!pte)
		return -ENOMEM;
	for_each_set_bit(k, ready, n) {
		ptep = pte + ((addrs[k] - addrs[0]) >> PAGE_SHIFT);
		/* a huge page or a page is there already */
		if (!pte_none(ptep_get(ptep)) || (want && !want(arg, addrs[k])))
			continue;
		pram_map_one(vma, addrs[k], ptep, pages[k]);
		__set_bit(k, mapped);
		nr++;
	}
	add_mm_counter(mm, MM_ANONPAGES, nr);
	pte_unmap_unlock(pte, ptl);
	return 0;
}

/**
 * pram_map_pages() - map kept pages as new anonymous pages of a VMA
 * @vma: an anonymous or private VMA of the mm being built
 * @addrs: the pages' addresses, increasing, in @vma
 * @pages: the pages, each with a reference of the caller's
 * @n: how many
 * @want: NULL, or asked under the page table lock whether a page still
 *	goes to its address (a lazy restart's, whose page may have been
 *	dropped or filled meanwhile)
 * @arg: for @want
 *
 * Each page is mapped read-only and not exclusive: the node keeps its
 * reference, so the task's first write copies it, as after fork(). What
 * the tail of do_anonymous_page() does for a fresh folio, but with the
 * page table lock taken once for the pages of one page table; the memcg
 * charge and the folio lock, which may sleep, are taken before it. The
 * mm's mmap lock is held. A page mapped is set to NULL in @pages, the
 * caller's reference now the mapping's; a page that cannot be mapped as
 * it is (not fresh from the previous kernel, its charge failed, or
 * something is mapped at its address) stays, for the caller to copy.
 *
 * Return: 0, or -ENOMEM when no anon_vma or page table could be had.
 */
int pram_map_pages(struct vm_area_struct *vma, const u64 *addrs,
		   struct page **pages, unsigned int n, pram_map_want_fn want,
		   void *arg)
{
	DECLARE_BITMAP(ready, PTRS_PER_PTE);	/* charged and locked */
	DECLARE_BITMAP(mapped, PTRS_PER_PTE);
	struct mm_struct *mm = vma->vm_mm;
	unsigned int i, j, k;
	struct folio *folio;
	unsigned long end;
	int ret = 0;

	mmap_assert_locked(mm);
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	for (i = 0; i < n && !ret; i = j) {
		end = pmd_addr_end(addrs[i], vma->vm_end);
		bitmap_zero(ready, PTRS_PER_PTE);
		bitmap_zero(mapped, PTRS_PER_PTE);
		for (j = i; j < n && addrs[j] < end; j++)
			if (pram_prepare(page_folio(pages[j]), mm))
				__set_bit(j - i, ready);
		/*
		 * None to map: no page table either, which would keep the
		 * copy the caller makes from being a THP.
		 */
		if (bitmap_empty(ready, j - i))
			continue;
		ret = pram_map_table(vma, addrs + i, pages + i, j - i, ready,
				     mapped, want, arg);
		for_each_set_bit(k, ready, j - i) {
			folio = page_folio(pages[i + k]);
			if (test_bit(k, mapped)) {
				folio_unlock(folio);
				pages[i + k] = NULL;
			} else {
				pram_unprepare(folio);
			}
		}
	}
	return ret;
}

/*
 * Whether a kept huge page can be mapped as it is: a folio the boot code
 * made of a huge entry (pram_boot.c), which belongs to no address space
 * yet and is held by its node and the caller only.
 */
static bool pram_huge_fresh(struct folio *folio)
{
	return folio_order(folio) == PMD_ORDER && !folio_test_anon(folio) &&
	       !folio->mapping && !folio_mapped(folio) &&
	       !folio_test_lru(folio) && folio_ref_count(folio) == 2;
}

/* The PMD of @addr in @mm, its page tables above allocated as needed. */
static pmd_t *pram_alloc_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;

	/* As __handle_mm_fault() walks down to a PMD. */
	p4d = p4d_alloc(mm, pgd, addr);
	if (!p4d)
		return NULL;
	pud = pud_alloc(mm, p4d, addr);
	if (!pud)
		return NULL;
	return pmd_alloc(mm, pud, addr);
}

/**
 * pram_map_huge() - map a kept huge page as a new THP of a VMA
 * @vma: an anonymous VMA of the mm being built (vma_is_anonymous())
 * @addr: the huge page's address in @vma, aligned to its size
 * @page: its first page, as pram_load_page() gave it
 *
 * What __do_huge_pmd_anonymous_page() does for a new THP, for a huge
 * page that holds the contents already, with the same checks that a
 * fault would map a THP there (thp_vma_suitable_order() and
 * thp_vma_allowable_order(), so a VMA the task keeps from THPs gets
 * none; and only where its anonymous memory goes, since a file mapping's
 * PMD is the file's): mapped by one PMD, marked up to date as
 * pram_prepare() marks a small page, read-only and not exclusive, since
 * the node
 * keeps its reference, so that the task's first write splits the PMD
 * and copies the page written, as after fork(). The mmap lock is held.
 *
 * Return: 0 when it is mapped (the caller's reference is the mapping's
 * now); -EAGAIN when it cannot be mapped so (not fresh from the
 * previous kernel, no THP wanted there, its charge failed or something
 * is mapped there: the caller copies it, and keeps its reference);
 * -EFAULT when the address space is going away
 * (check_stable_address_space()); or -ENOMEM.
 */
int pram_map_huge(struct vm_area_struct *vma, unsigned long addr,
		  struct page *page)
{
	struct mm_struct *mm = vma->vm_mm;
	struct folio *folio = page_folio(page);
	pgtable_t pgtable;
	spinlock_t *ptl;	/* the PMD's lock */
	int ret = -EAGAIN;
	pmd_t *pmd;

	mmap_assert_locked(mm);
	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) ||
	    !vma_is_anonymous(vma) ||
	    !thp_vma_suitable_order(vma, addr, PMD_ORDER) ||
	    !thp_vma_allowable_order(vma, vma->vm_flags,
				     TVA_IN_PF | TVA_ENFORCE_SYSFS, PMD_ORDER))
		return -EAGAIN;
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	if (!pram_huge_fresh(folio) || !folio_trylock(folio))
		return -EAGAIN;
	if (mem_cgroup_charge(folio, mm, GFP_KERNEL))
		goto unlock;
	ret = -ENOMEM;
	pgtable = pte_alloc_one(mm);
	if (!pgtable)
		goto uncharge;
	pmd = pram_alloc_pmd(mm, addr);
	if (!pmd)
		goto free;
	ptl = pmd_lock(mm, pmd);
	if (!pmd_none(pmdp_get(pmd)) || check_stable_address_space(mm)) {
		ret = pmd_none(pmdp_get(pmd)) ? -EFAULT : -EAGAIN;
		spin_unlock(ptl);
		goto free;
	}
	folio_mark_uptodate(folio);
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_NONE);
	folio_add_lru_vma(folio, vma);
	pgtable_trans_huge_deposit(mm, pmd, pgtable);
	set_pmd_at(mm, addr, pmd, mk_huge_pmd(page, vma->vm_page_prot));
	update_mmu_cache_pmd(vma, addr, pmd);
	add_mm_counter(mm, MM_ANONPAGES, HPAGE_PMD_NR);
	mm_inc_nr_ptes(mm);
	/* For the shrinker of THPs mostly unused, as a fault's is. */
	deferred_split_folio(folio, false);
	spin_unlock(ptl);
	folio_unlock(folio);
	return 0;
free:
	pte_free(mm, pgtable);
uncharge:
	mem_cgroup_uncharge(folio);
unlock:
	folio_unlock(folio);
	return ret;
}

/**
 * pram_map_fault_page() - map a kept page where a read fault wants one
 * @vmf: a read fault on a missing page of a private anonymous VMA, which
 *	has its anon_vma (vmf_anon_prepare()); the page tables are there
 * @page: the page, as pram_page_at() gave it
 * @want: asked under the page table lock whether the page still goes to
 *	the fault's address
 * @arg: for @want
 *
 * What pram_map_pages() does for one page, under the fault's own lock
 * (the VMA's or the mmap lock), in place of the folio do_anonymous_page()
 * would allocate and copy into: mapped read-only and not exclusive, so
 * that the first write copies it, as after fork().
 *
 * Return: 0 when it is mapped (the caller's reference is the mapping's
 * now); -EAGAIN when it cannot be mapped as it is (not fresh from the
 * previous kernel, or held by others too, or its charge failed: the
 * caller copies it, and keeps its reference); -EEXIST when something
 * was mapped meanwhile or @want says no (the access is retried);
 * -EFAULT when the address space is going away
 * (check_stable_address_space()).
 */
int pram_map_fault_page(struct vm_fault *vmf, struct page *page,
			pram_map_want_fn want, void *arg)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PAGE_MASK;
	struct folio *folio = page_folio(page);
	int ret = 0;

	if (!pram_prepare(folio, vma->vm_mm))
		return -EAGAIN;
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, addr, &vmf->ptl);
	if (!vmf->pte) {
		/* the PMD changed: retried */
		pram_unprepare(folio);
		return -EEXIST;
	}
	if (!pte_none(ptep_get(vmf->pte)) || !want(arg, addr)) {
		ret = -EEXIST;
	} else if (check_stable_address_space(vma->vm_mm)) {
		ret = -EFAULT;
	} else {
		pram_map_one(vma, addr, vmf->pte, page);
		add_mm_counter(vma->vm_mm, MM_ANONPAGES, 1);
	}
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (ret)
		pram_unprepare(folio);
	else
		folio_unlock(folio);
	return ret;
}

/**
 * pram_add_shmem_page() - put a kept page into a shmem file as it is
 * @inode: the inode of a shmem file the caller made and holds alone
 * @index: the page offset it goes to
 * @page: the page, as pram_load_page() gave it
 *
 * The page becomes the file's (shmem_insert_folio()), not a copy: the
 * node's reference stays, and a write to the file's page changes the
 * node's, since shared memory has no copy-on-write. The caller keeps
 * its own reference either way.
 *
 * Return: 0, -EAGAIN when the page cannot be given as it is (not fresh
 * from the previous kernel: the caller copies it), or the errors of
 * shmem_insert_folio().
 */
int pram_add_shmem_page(struct inode *inode, pgoff_t index,
			struct page *page)
{
	struct folio *folio = page_folio(page);

	if (!pram_page_fresh(folio))
		return -EAGAIN;
	return shmem_insert_folio(inode, index, folio);
}

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
 * After a kexec reboot, restart maps a kept page into the new mm as an
 * anonymous page with pram_map_page(), which does what the tail of
 * do_anonymous_page() does for a freshly allocated page, for a page that
 * already holds the contents; and a kept page of shared memory goes back
 * into the shmem file restart makes for it with pram_add_shmem_page().
 */
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
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

/**
 * pram_map_page() - map a kept page as a new anonymous page of a VMA
 * @vma: an anonymous or private VMA of the mm being built
 * @addr: the address in @vma
 * @page: the page, as pram_load_page() gave it
 *
 * The page is mapped read-only and not exclusive: the node keeps its
 * reference, so the task's first write copies it, as after fork(). The
 * mm's mmap lock is held; on success the caller's reference on @page is
 * the mapping's.
 *
 * Return: 0, -EAGAIN when the page cannot be mapped as it is (not fresh
 * from the previous kernel, or something already mapped at @addr), or
 * -ENOMEM: the caller copies it instead.
 */
int pram_map_page(struct vm_area_struct *vma, unsigned long addr,
		  struct page *page)
{
	struct folio *folio = page_folio(page);
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;	/* the page table's lock */
	pte_t *pte;

	mmap_assert_locked(mm);
	if (!pram_page_fresh(folio))
		return -EAGAIN;
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	if (mem_cgroup_charge(folio, mm, GFP_KERNEL))
		return -ENOMEM;

	folio_lock(folio);
	/* Allocates the page tables as __handle_mm_fault() would. */
	pte = get_locked_pte(mm, addr, &ptl);
	if (!pte || !pte_none(ptep_get(pte))) {
		/* no memory, or a huge page or a page is there already */
		if (pte)
			pte_unmap_unlock(pte, ptl);
		folio_unlock(folio);
		mem_cgroup_uncharge(folio);
		return pte ? -EAGAIN : -ENOMEM;
	}
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_NONE);
	folio_add_lru_vma(folio, vma);
	inc_mm_counter(mm, MM_ANONPAGES);
	set_ptes(mm, addr, pte, mk_pte(page, vma->vm_page_prot), 1);
	update_mmu_cache(vma, addr, pte);
	pte_unmap_unlock(pte, ptl);
	folio_unlock(folio);
	return 0;
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

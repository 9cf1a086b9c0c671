// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the pages restart reads from an image, mapped into
 * the address space it builds a page table at a time.
 *
 * Faulting each saved page in with GUP, as restart did, costs a fault
 * and a zeroed page for each, only for the zeros to be overwritten from
 * the image. Instead restart takes folios from checkpoint_alloc_anon(),
 * not zeroed, reads the image into them and checks each against its
 * checksum, and only then maps them with checkpoint_map_anon(): what
 * do_anonymous_page() does for the folio of a write fault, and
 * wp_page_copy() for a copy that GUP's FOLL_FORCE makes in a read-only
 * private mapping (anon_vma, memcg charge, rmap, LRU, a young and dirty
 * PTE, writable if the VMA is), with the page table lock taken and the
 * RSS counter updated once for all the pages of one page table.
 *
 * A folio is mapped only once every byte of it has been written and
 * checked: one that is not is freed unmapped, so no stale contents of a
 * page that was not zeroed can reach the task. The mm is restart's own,
 * not yet any task's: no TLB holds its entries, and no secondary MMU or
 * userfaultfd is attached to it.
 */
#include <linux/ckpt.h>
#include <linux/gfp.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pgtable.h>
#include <linux/rmap.h>
#include <linux/secretmem.h>
#include <linux/swap.h>

#include "internal.h"

/**
 * checkpoint_anon_fillable() - whether restart may map pages into a VMA
 * @vma: the VMA, in an mm restart builds, its mmap lock held
 *
 * The checks check_vma_flags() makes before GUP faults a page in for a
 * FOLL_WRITE | FOLL_FORCE access, which is what restart stands in for:
 * a copy-on-write mapping of memory that has struct pages, not hugetlb,
 * not secret memory.
 *
 * Return: 0 or -EFAULT, as GUP would fail.
 */
int checkpoint_anon_fillable(struct vm_area_struct *vma)
{
	vm_flags_t vm_flags = vma->vm_flags;

	mmap_assert_locked(vma->vm_mm);
	if (vm_flags & (VM_IO | VM_PFNMAP))
		return -EFAULT;
	if (!is_cow_mapping(vm_flags) || is_vm_hugetlb_page(vma) ||
	    vma_is_secretmem(vma))
		return -EFAULT;
	return 0;
}

/**
 * checkpoint_alloc_anon() - a folio for a page of a private VMA
 * @vma: the VMA, in an mm restart builds, its mmap lock held
 * @addr: the page's address in @vma
 *
 * As alloc_anon_folio() allocates a small folio for do_anonymous_page(),
 * with the VMA's memory policy and charged to the mm's memcg, but not
 * zeroed: the caller writes all of it before it maps it.
 *
 * Return: the folio, or NULL without memory.
 */
struct folio *checkpoint_alloc_anon(struct vm_area_struct *vma,
				    unsigned long addr)
{
	struct folio *folio;

	mmap_assert_locked(vma->vm_mm);
	folio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE, 0, vma, addr, false);
	if (!folio)
		return NULL;
	if (mem_cgroup_charge(folio, vma->vm_mm, GFP_KERNEL)) {
		folio_put(folio);
		return NULL;
	}
	return folio;
}

/* Map @folio at @addr of @vma through @ptep, which is none; ptl held. */
static void cr_map_one(struct vm_area_struct *vma, unsigned long addr,
		       pte_t *ptep, struct folio *folio)
{
	pte_t entry;

	/* The contents are written: set before the PTE, as a fault does. */
	__folio_mark_uptodate(folio);
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(folio, vma);
	entry = mk_pte(&folio->page, vma->vm_page_prot);
	entry = pte_sw_mkyoung(entry);
	entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	set_ptes(vma->vm_mm, addr, ptep, entry, 1);
	update_mmu_cache_range(NULL, vma, addr, ptep, 1);
}

/**
 * checkpoint_map_anon() - map filled folios into a private VMA
 * @vma: the VMA, in an mm restart builds, its mmap lock held
 * @addrs: the pages' addresses, page-aligned and increasing, in @vma
 * @pages: the pages of folios from checkpoint_alloc_anon() for them,
 *	each written whole and checked
 * @n: how many
 * @mapped: set to how many were mapped, the first ones; a mapped folio's
 *	reference becomes its mapping's, the caller puts the others
 *
 * The pages of one page table are mapped under one take of its lock.
 *
 * Return: 0 when all were mapped; -EFAULT when the VMA takes none
 * (checkpoint_anon_fillable()), -ENOMEM for want of an anon_vma or a
 * page table, -EEXIST when a page is mapped at an address already.
 */
int checkpoint_map_anon(struct vm_area_struct *vma, const u64 *addrs,
			struct page **pages, unsigned int n, unsigned int *mapped)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned int i = 0, j;
	unsigned long end;
	spinlock_t *ptl;	/* the page table's lock */
	pte_t *pte, *ptep;

	*mapped = 0;
	if (checkpoint_anon_fillable(vma))
		return -EFAULT;
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	while (i < n) {
		/* Allocates the page tables as __handle_mm_fault() would. */
		pte = get_locked_pte(mm, addrs[i], &ptl);
		if (!pte)
			return -ENOMEM;
		end = pmd_addr_end(addrs[i], vma->vm_end);
		for (j = i; j < n && addrs[j] < end; j++) {
			ptep = pte + ((addrs[j] - addrs[i]) >> PAGE_SHIFT);
			if (!pte_none(ptep_get(ptep)))
				break;
			cr_map_one(vma, addrs[j], ptep, page_folio(pages[j]));
		}
		add_mm_counter(mm, MM_ANONPAGES, j - i);
		pte_unmap_unlock(pte, ptl);
		*mapped = j;
		if (j < n && addrs[j] < end)
			return -EEXIST;
		i = j;
	}
	return 0;
}

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
 * userfaultfd is attached to it. The background of a lazy restart
 * (mm/checkpoint_lazy.c) maps its pages into a running address space
 * with checkpoint_map_anon_pte() too: an empty PTE made present needs
 * no TLB flush and no notifier, as for a fault.
 */
#include <linux/ckpt.h>
#include <linux/ckpt_lazy.h>
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

/**
 * checkpoint_map_anon_pte() - map a filled folio at an empty PTE
 * @vma: a private VMA, its mmap lock held
 * @addr: the address
 * @ptep: its PTE, which is none
 * @ptl: the page table's lock, held
 * @folio: an order-0 folio from checkpoint_alloc_anon(), written whole
 *	and checked; its reference becomes the mapping's
 *
 * The caller adds the page to the mm's MM_ANONPAGES counter.
 */
void checkpoint_map_anon_pte(struct vm_area_struct *vma, unsigned long addr,
			     pte_t *ptep, spinlock_t *ptl, struct folio *folio)
{
	pte_t entry;

	lockdep_assert_held(ptl);
	VM_WARN_ON_ONCE(!pte_none(ptep_get(ptep)));

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

/*
 * Map those of the @n pages at @addrs that lie in the page table of the
 * first, under one take of its lock. Returns how many it mapped, which
 * stops short at a PTE that is not empty, or -ENOMEM for want of a page
 * table.
 */
static int cr_map_table(struct vm_area_struct *vma, const u64 *addrs,
			struct page **pages, unsigned int n)
{
	unsigned long end = pmd_addr_end(addrs[0], vma->vm_end);
	spinlock_t *ptl;	/* the page table's lock */
	pte_t *pte, *ptep;
	unsigned int j;

	/* Allocates the page tables as __handle_mm_fault() would. */
	pte = get_locked_pte(vma->vm_mm, addrs[0], &ptl);
	if (!pte)
		return -ENOMEM;
	for (j = 0; j < n && addrs[j] < end; j++) {
		ptep = pte + ((addrs[j] - addrs[0]) >> PAGE_SHIFT);
		if (!pte_none(ptep_get(ptep)))
			break;
		checkpoint_map_anon_pte(vma, addrs[j], ptep, ptl,
					page_folio(pages[j]));
	}
	add_mm_counter(vma->vm_mm, MM_ANONPAGES, j);
	pte_unmap_unlock(pte, ptl);
	return j;
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
	unsigned long end;
	int ret;

	*mapped = 0;
	if (checkpoint_anon_fillable(vma))
		return -EFAULT;
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	while (*mapped < n) {
		end = pmd_addr_end(addrs[*mapped], vma->vm_end);
		ret = cr_map_table(vma, addrs + *mapped, pages + *mapped,
				   n - *mapped);
		if (ret < 0)
			return ret;
		*mapped += ret;
		if (*mapped < n && addrs[*mapped] < end)
			return -EEXIST;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: anonymous pages a restored child shares with its
 * restored parent, copy-on-write, as after fork().
 *
 * restart(2) builds the address spaces of a process tree one after the
 * other, a parent before its children. Where the image says that a
 * child's page is its parent's (it was still shared since fork() when
 * the tree was checkpointed), the child's VMA is linked to the parent's
 * anon_vma and the parent's page mapped read-only in both, as
 * dup_mmap() and copy_present_ptes() do for every page of a forked
 * child. The first write of either then copies it.
 *
 * Both mms are new and not yet any task's: no CPU has their entries in
 * its TLB, and no secondary MMU is attached, so write-protecting the
 * parent's PTE needs no flush and no notifier.
 */
#include <linux/ckpt.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pgtable.h>
#include <linux/rmap.h>
#include <linux/userfaultfd_k.h>

#include "internal.h"

/* Do @dst and @src give an address the same page index? */
static bool cr_cow_same_index(struct vm_area_struct *dst,
			      struct vm_area_struct *src)
{
	return dst->vm_pgoff - (dst->vm_start >> PAGE_SHIFT) ==
	       src->vm_pgoff - (src->vm_start >> PAGE_SHIFT);
}

/**
 * checkpoint_cow_link() - make a child's VMA a fork of its parent's
 * @dst: the child's VMA, with no anon_vma yet
 * @src: the parent's VMA over the same addresses
 *
 * As dup_mmap() does with anon_vma_fork(), so that the parent's pages
 * can be mapped in @dst and rmap finds them there.
 *
 * Return: 0, -EAGAIN when the two cannot share pages (@dst has an
 * anon_vma of its own already, or the two VMAs index pages differently,
 * or are not both anonymous), or -ENOMEM.
 */
int checkpoint_cow_link(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	mmap_assert_write_locked(dst->vm_mm);
	mmap_assert_write_locked(src->vm_mm);
	if (dst->anon_vma || !src->anon_vma || !vma_is_anonymous(dst) ||
	    !vma_is_anonymous(src) || !cr_cow_same_index(dst, src))
		return -EAGAIN;
	return anon_vma_fork(dst, src) ? -ENOMEM : 0;
}

/*
 * The parent's PMD over @addr, if it maps a page table there. A huge
 * page's PMD is split into PTEs first (split_huge_pmd(): the folio stays
 * whole), which fork() need not do, as it copies PMDs whole: here the
 * child's pages come one by one.
 */
static pmd_t *cr_cow_src_pmd(struct vm_area_struct *vma, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	if (pgd_none_or_clear_bad(pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none_or_clear_bad(p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_leaf(*pud) || pud_bad(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pmd_trans_huge(*pmd))
		split_huge_pmd(vma, pmd, addr);
	if (!pmd_present(*pmd) || pmd_leaf(*pmd))
		return NULL;
	return pmd;
}

/**
 * checkpoint_cow_share() - map the parent's page at @addr into the child
 * @dst: the child's VMA, linked by checkpoint_cow_link() to @src's
 * @src: the parent's VMA
 * @addr: the address, in both
 *
 * What copy_present_ptes() does for one anonymous page (of a small or a
 * large folio): a reference and an rmap for the child, both PTEs
 * read-only and the child's old. Where fork() would copy instead (a page
 * that may be pinned), or where the parent has no such page, the caller
 * copies the contents.
 *
 * Return: 0, -EAGAIN for the caller to copy, or -ENOMEM.
 */
int checkpoint_cow_share(struct vm_area_struct *dst,
			 struct vm_area_struct *src, unsigned long addr)
{
	struct mm_struct *dst_mm = dst->vm_mm, *src_mm = src->vm_mm;
	spinlock_t *dst_ptl, *src_ptl;
	pte_t *dst_pte, *src_pte, pte;
	struct folio *folio;
	struct page *page;
	pmd_t *pmd, *dst_pmd;
	int ret = -EAGAIN;

	mmap_assert_write_locked(dst_mm);
	mmap_assert_write_locked(src_mm);
	/* A parent VMA with no page has no anon_vma: nothing to share. */
	if (!dst->anon_vma || !src->anon_vma ||
	    dst->anon_vma->root != src->anon_vma->root)
		return -EAGAIN;
	pmd = cr_cow_src_pmd(src, addr);
	if (!pmd)
		return -EAGAIN;
	/*
	 * Restart's own filling of the child's other pages may have made a
	 * huge page over @addr (a THP fault in cr_fill_pages()'s GUP): split
	 * it, as the parent's is, for a page table to put the PTE in; the
	 * PTE there is then present, and the caller copies.
	 */
	dst_pmd = mm_find_pmd(dst_mm, addr);
	if (dst_pmd && pmd_trans_huge(*dst_pmd))
		split_huge_pmd(dst, dst_pmd, addr);
	/* The child's page table first: allocating it may sleep. */
	dst_pte = get_locked_pte(dst_mm, addr, &dst_ptl);
	if (!dst_pte)
		return -ENOMEM;
	/*
	 * As copy_page_range() does for a COW mapping: GUP-fast must see
	 * the parent's PTE change (folio_needs_cow_for_dma() checks it).
	 */
	raw_write_seqcount_begin(&src_mm->write_protect_seq);
	src_pte = pte_offset_map_nolock(src_mm, pmd, addr, &src_ptl);
	if (!src_pte)
		goto unlock_dst;
	/* As copy_pte_range() nests them. */
	spin_lock_nested(src_ptl, SINGLE_DEPTH_NESTING);
	pte = ptep_get(src_pte);
	if (!pte_present(pte) || !pte_none(ptep_get(dst_pte)))
		goto unlock;
	page = vm_normal_page(src, addr, pte);
	if (!page || !PageAnon(page))
		goto unlock;
	folio = page_folio(page);
	folio_get(folio);
	/* A page that may be pinned: fork() copies it too. */
	if (folio_try_dup_anon_rmap_pte(folio, page, src)) {
		folio_put(folio);
		goto unlock;
	}
	VM_WARN_ON_FOLIO(PageAnonExclusive(page), folio);
	/* The rest is __copy_present_ptes() for one private page. */
	if (pte_write(pte)) {
		ptep_set_wrprotect(src_mm, addr, src_pte);
		pte = pte_wrprotect(pte);
	}
	pte = pte_mkold(pte);
	if (!userfaultfd_wp(dst))
		pte = pte_clear_uffd_wp(pte);
	set_ptes(dst_mm, addr, dst_pte, pte, 1);
	add_mm_counter(dst_mm, MM_ANONPAGES, 1);
	ret = 0;
unlock:
	spin_unlock(src_ptl);
	pte_unmap(src_pte);
unlock_dst:
	raw_write_seqcount_end(&src_mm->write_protect_seq);
	pte_unmap_unlock(dst_pte, dst_ptl);
	return ret;
}

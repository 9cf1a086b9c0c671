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
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pram.h>

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
 * The @n kept pages in @r->src, each with a reference that is dropped
 * here, go to @addrs (which may be @r->addrs): mapped as they are when
 * the previous kernel left them (no copy), else copied. Either way no
 * writable page is shared with another task.
 */
static int cr_pram_place(struct cr_rst *r, const u64 *addrs, unsigned int n)
{
	unsigned int i, nr_copy = 0;
	struct vm_area_struct *vma;
	int ret = 0;

	if (!r->err) {
		ret = mmap_read_lock_killable(r->mm);
		if (ret)
			goto put;
		/*
		 * The VMA restart just mapped: every address is in it. On
		 * -ENOMEM the pages not mapped are left to the copy below.
		 */
		vma = vma_lookup(r->mm, addrs[0]);
		if (vma)
			pram_map_pages(vma, addrs, r->src, n, NULL, NULL);
		mmap_read_unlock(r->mm);
	}
	/* What could not be mapped in place is copied. */
	for (i = 0; i < n; i++) {
		if (!r->src[i])
			continue;
		r->src[nr_copy] = r->src[i];
		r->addrs[nr_copy++] = addrs[i];
	}
	n = nr_copy;
	if (!r->err && nr_copy)
		ret = cr_fill_pages(r, r->addrs, nr_copy, r->src);
put:
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
 * @addrs. A huge entry is mapped as it is by a PMD after a kexec reboot
 * (cr_pram_map_huge()); else its pages are placed one huge page at a
 * time, each with a reference of the caller's on the folio: copied,
 * into a new THP where the VMA takes one (cr_fill_pages()).
 */
static int cr_pram_load_kept(struct cr_rst *r, const u64 *addrs,
			     unsigned int n, unsigned int order)
{
	unsigned int i, j, nr = 1U << order;
	struct page *page;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		page = pram_load_page(r->ctx->pram, order);
		if (!page) {
			ret = cr_bad(r, "the PRAM node's pages do not match its image");
			break;
		}
		if (!order) {
			r->src[i] = page;
			continue;
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
			get_page(r->src[j]);
			r->addrs[j] = addrs[i] + j * PAGE_SIZE;
		}
		put_page(page);
		ret = cr_pram_place(r, r->addrs, nr);
	}
	if (order)
		return ret;
	if (ret) {
		while (i)
			put_page(r->src[--i]);
		return ret;
	}
	return cr_pram_place(r, addrs, n);
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

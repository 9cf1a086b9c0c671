// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: page-array lists.
 *
 * While an address space is walked, the pages to save are collected in a
 * list of page-arrays, each a pair of kmalloc'd arrays of pages and user
 * addresses with one reference held on every listed page. The first
 * entry of the list is always the array being filled; a new array goes
 * in front when the first cannot take what comes next. Once a batch is
 * written the arrays are released (references dropped, emptied) and kept
 * for the next batch.
 */
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "internal.h"

static void cr_pgarr_free_one(struct cr_pgarr *pgarr)
{
	kvfree(pgarr->pages);
	kvfree(pgarr->vaddrs);
	kvfree(pgarr->sums);
	kfree(pgarr);
}

/**
 * cr_pgarr_alloc() - a page-array of its own, on no list
 *
 * For a walk beside the caller's (pram_walk.c), which fills an array the
 * caller's list does not hold.
 *
 * Return: the empty array, or NULL.
 */
struct cr_pgarr *cr_pgarr_alloc(void)
{
	struct cr_pgarr *pgarr = kzalloc(sizeof(*pgarr), GFP_KERNEL);

	if (!pgarr)
		return NULL;
	/* Entries past nr_used are never read: not zeroed. */
	pgarr->pages = kvmalloc_array(CR_PGARR_TOTAL, sizeof(*pgarr->pages),
				      GFP_KERNEL);
	pgarr->vaddrs = kvmalloc_array(CR_PGARR_TOTAL, sizeof(*pgarr->vaddrs),
				       GFP_KERNEL);
	pgarr->sums = kvmalloc_array(CR_PGARR_TOTAL, sizeof(*pgarr->sums),
				     GFP_KERNEL);
	if (!pgarr->pages || !pgarr->vaddrs || !pgarr->sums) {
		cr_pgarr_free_one(pgarr);
		return NULL;
	}
	return pgarr;
}

/**
 * cr_pgarr_release() - drop the page references of one array, emptied
 * @pgarr: the array
 */
void cr_pgarr_release(struct cr_pgarr *pgarr)
{
	unsigned int i;

	for (i = 0; i < pgarr->nr_used; i++) {
		/* A page store that kept a run's pages took their refs. */
		if (pgarr->pages[i])
			put_page(pgarr->pages[i]);
	}
	pgarr->nr_used = 0;
}

/**
 * cr_pgarr_current() - the page-array to add the next pages to
 * @ctx: checkpoint context
 * @room: entries the caller is about to add, at most %CR_PGARR_TOTAL
 * @order: their order (&cr_pgarr.order)
 *
 * Returns the first array of @ctx->pgarr_list when it has @room free
 * entries and holds pages of @order, or none yet. Otherwise an array is
 * put in front: a released one from the back of the list if there is
 * one, else a new one, unless the batch already holds %CR_PGARR_BATCH
 * arrays. Called with the mmap lock held but no spinlock, since it may
 * allocate.
 *
 * Return: the array, NULL when the batch is full (write it out first),
 * or an ERR_PTR(-ENOMEM).
 */
struct cr_pgarr *cr_pgarr_current(struct cr_ctx *ctx, unsigned int room,
				  unsigned int order)
{
	struct cr_pgarr *pgarr;

	pgarr = list_first_entry_or_null(&ctx->pgarr_list, struct cr_pgarr,
					 list);
	if (pgarr && pgarr->nr_used + room <= CR_PGARR_TOTAL &&
	    (pgarr->order == order || !pgarr->nr_used)) {
		pgarr->order = order;
		return pgarr;
	}

	/*
	 * Arrays released after the last batch sit at the back, empty:
	 * filling only ever happens at the front.
	 */
	pgarr = list_empty(&ctx->pgarr_list) ? NULL :
		list_last_entry(&ctx->pgarr_list, struct cr_pgarr, list);
	if (pgarr && !pgarr->nr_used) {
		list_move(&pgarr->list, &ctx->pgarr_list);
		pgarr->order = order;
		return pgarr;
	}

	if (ctx->nr_pgarrs >= CR_PGARR_BATCH)
		return NULL;
	pgarr = cr_pgarr_alloc();
	if (!pgarr)
		return ERR_PTR(-ENOMEM);
	pgarr->order = order;
	list_add(&pgarr->list, &ctx->pgarr_list);
	ctx->nr_pgarrs++;
	return pgarr;
}

/**
 * cr_pgarr_release_all() - drop every listed page, keep the arrays
 * @ctx: checkpoint context
 *
 * Used after a batch was written: the arrays stay on the list, empty,
 * for the next batch.
 */
void cr_pgarr_release_all(struct cr_ctx *ctx)
{
	struct cr_pgarr *pgarr;

	list_for_each_entry(pgarr, &ctx->pgarr_list, list)
		cr_pgarr_release(pgarr);
}

/**
 * cr_pgarr_destroy() - drop a cr_pgarr_alloc() array's pages and free it
 * @pgarr: the array, or NULL
 */
void cr_pgarr_destroy(struct cr_pgarr *pgarr)
{
	if (!pgarr)
		return;
	cr_pgarr_release(pgarr);
	cr_pgarr_free_one(pgarr);
}

/**
 * cr_pgarr_free() - drop every listed page and free the arrays
 * @ctx: checkpoint context
 */
void cr_pgarr_free(struct cr_ctx *ctx)
{
	struct cr_pgarr *pgarr, *tmp;

	list_for_each_entry_safe(pgarr, tmp, &ctx->pgarr_list, list) {
		list_del(&pgarr->list);
		cr_pgarr_destroy(pgarr);
	}
	ctx->nr_pgarrs = 0;
}

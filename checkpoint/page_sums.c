// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the checksums of page contents, spread over CPUs.
 *
 * Every page an image carries has an XXH64 of its contents beside it
 * (struct cr_hdr_pages). Computing or checking them is a pass over every
 * page of the image besides the copy itself: a fifth of a checkpoint to
 * tmpfs under TCG. The pass is spread over up to CR_SUM_CPUS CPUs, the
 * caller's and work items of system_unbound_wq on others.
 *
 * A checkpoint writes the checksums of a page-array before its contents,
 * so the pass cannot be folded into the copy. Instead it runs ahead of
 * it: cr_sums_start() splits the first array of a batch over every CPU
 * and the others over the helpers only, which sum them while the caller
 * writes the first. The caller's own pass is thus a fraction of its
 * first array. padata_do_multithreaded() would do the splitting, but is
 * for boot time only.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/workqueue.h>
#include <linux/xxhash.h>

#include "internal.h"

/*
 * Below CR_SUM_SPLIT pages a work item costs more than it saves: such
 * a batch is summed by the caller, when written.
 */
#define CR_SUM_SPLIT	256

/**
 * cr_page_sum() - the checksum of a page's contents in an image
 * @page: the page
 *
 * Checkpoint writes it, restart and a lazy fill check against it.
 *
 * Return: the XXH64 (seed 0) of its %PAGE_SIZE bytes.
 */
u64 cr_page_sum(struct page *page)
{
	void *addr = kmap_local_page(page);
	u64 sum = xxh64(addr, PAGE_SIZE, 0);

	kunmap_local(addr);
	return sum;
}

/* Pages @from to @to of @pgarr: the share of one of @nr CPUs. */
static void cr_sum_share(const struct cr_pgarr *pgarr, unsigned int part,
			 unsigned int nr, unsigned int *from, unsigned int *to)
{
	unsigned int each = DIV_ROUND_UP(pgarr->nr_used, nr);

	*from = min(part * each, pgarr->nr_used);
	*to = min(*from + each, pgarr->nr_used);
}

static void cr_sum_range(struct cr_pgarr *pgarr, unsigned int from,
			 unsigned int to)
{
	for (; from < to; from++)
		pgarr->sums[from] = cr_page_sum(pgarr->pages[from]);
}

/* One share of an array is summed: the last one completes the array. */
static void cr_sum_done(struct cr_sum_job *job, unsigned int i)
{
	if (atomic_dec_and_test(&job->left[i]))
		complete(&job->done[i]);
}

/*
 * Helper h (from 1): share h of the first array, then share h - 1 of
 * each other, in the order the caller writes them.
 */
static void cr_sum_helper(struct work_struct *work)
{
	struct cr_sum_helper *helper = container_of(work, struct cr_sum_helper,
						    work);
	struct cr_sum_job *job = helper->job;
	unsigned int i, from, to, h = helper->nr;

	for (i = 0; i < job->nr; i++) {
		if (!i)
			cr_sum_share(job->pgarrs[i], h, job->cpus, &from, &to);
		else
			cr_sum_share(job->pgarrs[i], h - 1, job->cpus - 1,
				     &from, &to);
		cr_sum_range(job->pgarrs[i], from, to);
		cr_sum_done(job, i);
	}
}

/**
 * cr_sums_start() - begin summing the listed page-arrays
 * @ctx: checkpoint context whose batch is collected and about to be
 *	written, in address order, by a store that wants checksums
 *
 * Helpers start on every array but the caller's share of the first,
 * which the caller sums here. A batch too small to split, or a machine
 * with one CPU, is left for cr_sums_wait() to sum array by array.
 * cr_sums_end() must follow before the pages are released.
 */
void cr_sums_start(struct cr_ctx *ctx)
{
	struct cr_sum_job *job = &ctx->sum_job;
	unsigned int i, total = 0, from, to;
	struct cr_pgarr *pgarr;
	int cpu;

	job->nr = 0;
	job->helpers = 0;
	list_for_each_entry_reverse(pgarr, &ctx->pgarr_list, list) {
		if (!pgarr->nr_used)
			continue;
		job->pgarrs[job->nr++] = pgarr;
		total += pgarr->nr_used;
	}
	job->cpus = min(num_online_cpus(), CR_SUM_CPUS);
	if (job->cpus < 2 || total < CR_SUM_SPLIT)
		return;

	for (i = 0; i < job->nr; i++) {
		/* The caller's share of the first array is its own. */
		atomic_set(&job->left[i], i ? job->cpus - 1 : job->cpus);
		reinit_completion(&job->done[i]);
	}
	cpu = raw_smp_processor_id();
	for (i = 1; i < job->cpus; i++) {
		struct cr_sum_helper *helper = &job->helper[i - 1];

		helper->job = job;
		helper->nr = i;
		cpu = cr_next_cpu(cpu);
		/* The context, and the job in it, are on the syscall's stack. */
		INIT_WORK_ONSTACK(&helper->work, cr_sum_helper);
		queue_work_on(cpu, system_unbound_wq, &helper->work);
	}
	job->helpers = job->cpus - 1;

	cr_sum_share(job->pgarrs[0], 0, job->cpus, &from, &to);
	cr_sum_range(job->pgarrs[0], from, to);
	cr_sum_done(job, 0);
}

/*
 * A helper that has not started yet, its CPU busy with something else,
 * is taken off the queue and run by the caller: waiting for it would
 * cost a time slice of whatever runs there (PREEMPT_NONE). One that
 * runs is left to it.
 */
static void cr_sums_take_back(struct cr_sum_job *job)
{
	unsigned int i;

	for (i = 0; i < job->helpers; i++)
		if (cancel_work(&job->helper[i].work))
			cr_sum_helper(&job->helper[i].work);
}

/**
 * cr_sums_wait() - the checksums of a page-array, once they are all in
 * @ctx: checkpoint context
 * @pgarr: an array of the batch cr_sums_start() began
 *
 * Return: @pgarr->sums, each entry cr_page_sum() of the page there.
 */
const u64 *cr_sums_wait(struct cr_ctx *ctx, struct cr_pgarr *pgarr)
{
	struct cr_sum_job *job = &ctx->sum_job;
	unsigned int i;

	if (!job->helpers) {
		cr_sum_range(pgarr, 0, pgarr->nr_used);
		return pgarr->sums;
	}
	for (i = 0; i < job->nr; i++) {
		if (job->pgarrs[i] == pgarr) {
			cr_sums_take_back(job);
			/* Bounded work on pages the caller holds: no signal. */
			wait_for_completion(&job->done[i]);
			return pgarr->sums;
		}
	}
	WARN_ON_ONCE(1);
	cr_sum_range(pgarr, 0, pgarr->nr_used);
	return pgarr->sums;
}

/**
 * cr_sums_end() - wait for the helpers cr_sums_start() queued
 * @ctx: checkpoint context
 *
 * Called once the batch is written, or on its way out after an error:
 * the helpers read its pages and write its arrays until they are done.
 */
void cr_sums_end(struct cr_ctx *ctx)
{
	struct cr_sum_job *job = &ctx->sum_job;
	unsigned int i;

	for (i = 0; i < job->helpers; i++) {
		flush_work(&job->helper[i].work);
		destroy_work_on_stack(&job->helper[i].work);
	}
	job->helpers = 0;
	job->nr = 0;
}

/**
 * cr_sums_init() - set up the context's summing job
 * @ctx: checkpoint context
 *
 * Its work items are set up by each cr_sums_start(), and torn down by
 * the cr_sums_end() after it.
 */
void cr_sums_init(struct cr_ctx *ctx)
{
	struct cr_sum_job *job = &ctx->sum_job;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(job->done); i++)
		init_completion(&job->done[i]);
}

/*
 * Restart checks what it read against the image's checksums, spread the
 * same way: each CPU takes a share of the array just read. Spread over
 * two CPUs, it took a restart of 256 MiB from tmpfs from 215 to 197 ms
 * under TCG.
 */

/* One share of the pages to check. */
struct cr_check_part {
	struct work_struct work;
	struct page **pages;
	const u64 *want;
	unsigned int n;
	unsigned int bad;	/* the first page that does not match, or @n */
};

static void cr_check_part(struct cr_check_part *part)
{
	unsigned int i;

	for (i = 0; i < part->n; i++)
		if (cr_page_sum(part->pages[i]) != part->want[i])
			break;
	part->bad = i;
}

static void cr_check_work(struct work_struct *work)
{
	cr_check_part(container_of(work, struct cr_check_part, work));
}

/**
 * cr_check_page_sums() - check pages against their checksums
 * @pages: the pages, which the caller holds and nobody writes meanwhile
 * @n: how many
 * @want: what cr_page_sum() of each must be
 *
 * Not for a caller that is itself a work item of system_unbound_wq:
 * waiting there for its parts, such callers could fill the queue's
 * active slots.
 *
 * Return: the index of the first page that does not match, or @n when
 * all do.
 */
unsigned int cr_check_page_sums(struct page **pages, unsigned int n,
				const u64 *want)
{
	struct cr_check_part parts[CR_SUM_CPUS];
	unsigned int i, nr, each, bad = n;
	int cpu = raw_smp_processor_id();

	if (!n)
		return 0;
	nr = n < CR_SUM_SPLIT ? 1 : min(num_online_cpus(), CR_SUM_CPUS);
	each = DIV_ROUND_UP(n, nr);
	nr = DIV_ROUND_UP(n, each);
	for (i = 0; i < nr; i++) {
		parts[i] = (struct cr_check_part){
			.pages = pages + i * each, .want = want + i * each,
			.n = min(each, n - i * each),
		};
		if (!i)
			continue;
		cpu = cr_next_cpu(cpu);
		INIT_WORK_ONSTACK(&parts[i].work, cr_check_work);
		queue_work_on(cpu, system_unbound_wq, &parts[i].work);
	}
	cr_check_part(&parts[0]);
	for (i = 0; i < nr; i++) {
		if (i) {
			/* Not started, its CPU busy: the caller checks it. */
			if (cancel_work_sync(&parts[i].work))
				cr_check_part(&parts[i]);
			destroy_work_on_stack(&parts[i].work);
		}
		if (bad == n && parts[i].bad < parts[i].n)
			bad = i * each + parts[i].bad;
	}
	return bad;
}

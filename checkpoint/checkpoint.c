// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: checkpoint(2), writing the image of a task.
 *
 * The target is the caller itself, alone, or another process with all
 * its threads, and with %CHECKPOINT_TREE all its descendants too (tree.c),
 * every task of which is stopped or frozen and stays so throughout, so
 * that registers and memory hold still while they are read. Resident
 * pages are referenced, never faulted in or written (a swapped out page
 * is read back in, as ptrace would read it); only a checkpoint into a
 * PRAM node, which keeps the pages themselves, write-protects their page
 * table entries (splitting a THP to do so), as fork() would.
 */
#include <linux/atomic.h>
#include <linux/bvec.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>

#include "internal.h"

static atomic64_t cr_last_id;

/*
 * Bytes for the records of one task taken while it is held: the task
 * record, its process's handlers, state and pending signals, its CPU
 * record and its own pending signals.
 */
#define CR_PENDING_SIZE	(sizeof(struct cr_hdr_sigpending) +		\
			 CR_MAX_PENDING * sizeof(struct cr_siginfo))
#define CR_SNAP_SIZE	(sizeof(struct cr_hdr_task) +			\
			 sizeof(struct cr_hdr_sighand) +			\
			 sizeof(struct cr_hdr_signal) +			\
			 2 * CR_PENDING_SIZE + CR_HBUF_SIZE)

/*
 * Build the records of the task at index @i into @snap; returns their
 * length. exec_update_lock keeps an exec from slipping in between the
 * permission check and what depends on it, and the records are built
 * before anything is written, since a write may block for as long as
 * the reader of a pipe likes. Log lines are only noted here, and
 * written once no lock is held.
 */
static long cr_snap_task(struct cr_ctx *ctx, unsigned int i, void *snap)
{
	struct cr_task *ct = &ctx->tasks[i];
	struct task_struct *task = ct->task;
	bool leader = ct->proc == i;
	struct cr_hdr_task *ht = snap;
	struct cr_hdr_signal *hs = NULL;
	long len, n;
	int ret;

	ret = down_read_killable(&task->signal->exec_update_lock);
	if (ret)
		return ret;
	len = cr_fill_task(ctx, ct, snap);
	if (!len) {
		ret = -ESRCH;
		goto exiting;
	}
	if (leader) {
		n = cr_fill_sighand(task, snap + len, ct->id);
		if (!n) {
			ret = -ESRCH;
			goto exiting;
		}
		len += n;
		hs = snap + len;
		len += cr_fill_signal(task, hs, ct->id, 0);
		n = cr_fill_sigpending(ctx, task, snap + len,
				       CR_SIGPENDING_PROCESS);
		if (n < 0) {
			ret = n;
			goto unlock;
		}
		if (n)
			hs->nr_pending = ((struct cr_hdr_sigpending *)(snap + len))->nr;
		len += n;
	}
	ret = cr_arch_fill_cpu(task, ctx->self, snap + len,
			       CR_SNAP_SIZE - CR_PENDING_SIZE - len);
	if (ret == -EOPNOTSUPP)
		cr_log(ctx, "task %d is a 32-bit task, which is not supported",
		       task_pid_nr_ns(task, ctx->ns));
	if (ret < 0)
		goto unlock;
	len += ret;
	n = cr_fill_sigpending(ctx, task, snap + len, CR_SIGPENDING_THREAD);
	if (n < 0) {
		ret = n;
		goto unlock;
	}
	if (n)
		ht->nr_pending = ((struct cr_hdr_sigpending *)(snap + len))->nr;
	len += n;
	up_read(&task->signal->exec_update_lock);
	return len;

exiting:
	cr_log(ctx, "task %d is exiting", task_pid_nr_ns(task, ctx->ns));
unlock:
	up_read(&task->signal->exec_update_lock);
	return ret;
}

/* Write the records of every task, with each address space once. */
static int cr_write_tasks(struct cr_ctx *ctx)
{
	struct cr_hdr_tree *ht;
	unsigned int i;
	long len;
	void *snap;
	int ret;

	ht = cr_hbuf_get(ctx, CR_HDR_TREE, sizeof(*ht));
	ht->nr_tasks = ctx->nr_tasks;
	ht->nr_procs = ctx->nr_procs;
	ret = cr_hbuf_put(ctx, sizeof(*ht));
	if (ret)
		return ret;

	snap = kvmalloc(CR_SNAP_SIZE, GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct cr_task *ct = &ctx->tasks[i];

		len = cr_snap_task(ctx, i, snap);
		ret = len < 0 ? len : cr_write_data(ctx, snap, len);
		if (ret)
			break;
		if (ct->proc != i)
			continue;
		ret = cr_write_files(ctx, i);
		if (ret)
			break;
		ctx->mm = get_task_mm(ct->task);
		if (!ctx->mm) {
			cr_log(ctx, "task %d has no address space",
			       task_pid_nr_ns(ct->task, ctx->ns));
			ret = -EOPNOTSUPP;
			break;
		}
		/* Pages shared with the parent since fork() are its. */
		ctx->cow_out = ct->has_kids ? &ct->cow : NULL;
		ctx->cow_in = i ? &ctx->tasks[ct->parent].cow : NULL;
		ret = cr_write_mm(ctx, ct->id);
		ctx->cow_out = NULL;
		ctx->cow_in = NULL;
		mmput(ctx->mm);
		ctx->mm = NULL;
		if (ret)
			break;
	}
	kvfree(snap);
	return ret;
}

static int cr_write_head(struct cr_ctx *ctx)
{
	struct cr_hdr_head *hh = cr_hbuf_get(ctx, CR_HDR_HEAD, sizeof(*hh));

	hh->magic = CR_IMAGE_MAGIC;
	hh->version = CR_IMAGE_VERSION;
	hh->arch = CR_ARCH_X86_64;
	hh->page_size = PAGE_SIZE;
	hh->flags = ctx->self ? CR_HEAD_SELF : 0;
	if (cr_tree_is_pidns(ctx))
		hh->flags |= CR_HEAD_PIDNS;
	hh->id = ctx->id;
	hh->time = ktime_get_real_seconds();
	strscpy(hh->release, init_utsname()->release, sizeof(hh->release));
	return cr_hbuf_put(ctx, sizeof(*hh));
}

/**
 * cr_checkpoint() - write the image of the context's tree
 * @ctx: a context set up by cr_ctx_init() for checkpoint(2)
 *
 * Lists and checks the tasks, then writes the head, the tree, each
 * task's records with its objects, each address space once, and the
 * tail, each as soon as it is complete. A failed write (a short write, a
 * closed pipe) stops the checkpoint with that errno; what was written
 * stays written, but without a tail no reader takes it for an image. No
 * task of the tree must have run between the start and the end (their
 * switch counts tell), else the image is refused with -EBUSY before its
 * tail.
 *
 * Return: the checkpoint id (positive), or a negative errno.
 */
long cr_checkpoint(struct cr_ctx *ctx)
{
	int ret;

	ctx->hbuf = kmalloc(CR_HBUF_SIZE, GFP_KERNEL);
	ctx->bvec = kvmalloc_array(CR_PGARR_TOTAL, sizeof(*ctx->bvec),
				   GFP_KERNEL);
	if (!ctx->hbuf || !ctx->bvec)
		return -ENOMEM;
	cr_sums_init(ctx);

	ret = cr_collect_tree(ctx);
	if (!ret)
		ret = cr_scan_files(ctx);
	if (!ret)
		ret = cr_pram_store_open(ctx);
	if (ret)
		return ret;
	/* Ids stay positive: 0 is what a restored self-checkpoint sees. */
	ctx->id = atomic64_inc_return(&cr_last_id) & LONG_MAX;
	ctx->crc = ~0U;

	ret = cr_write_head(ctx);
	if (!ret)
		ret = cr_write_tasks(ctx);
	if (!ret)
		ret = cr_check_ipc_ns(ctx);
	if (!ret)
		ret = cr_tree_still(ctx);
	if (!ret)
		ret = cr_write_tail(ctx);
	return ret ? ret : ctx->id;
}

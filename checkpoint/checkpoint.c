// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: checkpoint(2), writing the image of a task.
 *
 * The target is the caller itself, or another single-threaded task that
 * is stopped (SIGSTOP or a ptrace stop) and stays stopped throughout, so
 * that its registers and memory hold still while they are read. Its
 * resident pages are referenced, never faulted in or written (a swapped
 * out page is read back in, as ptrace would read it); only a checkpoint
 * into a PRAM node, which keeps the pages themselves, write-protects
 * their page table entries (splitting a THP to do so), as fork() would.
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

/* The task's stopped state, if it is stopped, else 0. */
static unsigned int cr_stopped_state(struct task_struct *task)
{
	unsigned int state = READ_ONCE(task->__state);

	if (!task_is_stopped_or_traced(task))
		return 0;
	return state & (__TASK_STOPPED | __TASK_TRACED);
}

/* Bytes for the task and CPU records taken while the target is held. */
#define CR_SNAP_SIZE	(sizeof(struct cr_hdr_task) + CR_HBUF_SIZE)

/*
 * Check that @ctx->task may and can be checkpointed, take its mm and
 * build its task and CPU records into @snap; returns their length. The
 * order of the checks fixes which errno a caller sees first: what could
 * never work (kernel threads), then permission, then what is not
 * supported yet (threads, a shared mm), then what may change (a running
 * task).
 *
 * exec_update_lock keeps an exec from slipping in between the permission
 * check and what depends on it (mm, registers, credentials), and the
 * records are built before anything is written, since a write may block
 * for as long as the reader of a pipe likes. The target's stack is held
 * so that its registers stay readable even if it is killed meanwhile.
 * Log lines are only noted here, and written once no lock is held.
 */
static long cr_get_target(struct cr_ctx *ctx, void *snap)
{
	struct task_struct *task = ctx->task;
	u32 task_len;
	long ret;

	ctx->self = task == current;
	if (task->flags & PF_KTHREAD) {
		cr_log(ctx, "kernel threads cannot be checkpointed");
		return -EOPNOTSUPP;
	}

	ret = down_read_killable(&task->signal->exec_update_lock);
	if (ret)
		return ret;
	if (!ctx->self &&
	    !ptrace_may_access(task, PTRACE_MODE_ATTACH_REALCREDS)) {
		cr_log(ctx, "no permission to trace the task");
		ret = -EPERM;
		goto unlock;
	}
	if (get_nr_threads(task) > 1) {
		cr_log(ctx, "multi-threaded tasks are not supported yet");
		ret = -EOPNOTSUPP;
		goto unlock;
	}
	if (!ctx->self) {
		ctx->stopped = cr_stopped_state(task);
		/* Also waits until it is off the CPU, its state saved. */
		if (ctx->stopped)
			ctx->nvcsw = wait_task_inactive(task, ctx->stopped);
		if (!ctx->nvcsw) {
			cr_log(ctx, "the task is running: stop it first");
			ret = -EBUSY;
			goto unlock;
		}
		ctx->stack = try_get_task_stack(task);
		if (!ctx->stack) {
			cr_log(ctx, "the task is exiting");
			ret = -ESRCH;
			goto unlock;
		}
	}
	ctx->mm = get_task_mm(task);
	if (!ctx->mm) {
		cr_log(ctx, "the task has no address space");
		ret = -EOPNOTSUPP;
		goto unlock;
	}
	if (test_bit(MMF_MULTIPROCESS, &ctx->mm->flags)) {
		cr_log(ctx, "the address space is shared with another process");
		ret = -EOPNOTSUPP;
		goto unlock;
	}

	task_len = cr_fill_task(ctx, snap);
	if (!task_len) {
		cr_log(ctx, "the task is exiting");
		ret = -ESRCH;
		goto unlock;
	}
	ret = cr_arch_fill_cpu(task, ctx->self, snap + task_len,
			       CR_SNAP_SIZE - task_len);
	if (ret == -EOPNOTSUPP)
		cr_log(ctx, "32-bit tasks are not supported");
	if (ret >= 0)
		ret += task_len;
unlock:
	up_read(&task->signal->exec_update_lock);
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
	hh->id = ctx->id;
	hh->time = ktime_get_real_seconds();
	strscpy(hh->release, init_utsname()->release, sizeof(hh->release));
	return cr_hbuf_put(ctx, sizeof(*hh));
}

/**
 * cr_checkpoint() - write the image of the context's task
 * @ctx: a context set up by cr_ctx_init() for checkpoint(2)
 *
 * Writes the head, task, CPU and memory records and the tail, each as
 * soon as it is complete. A failed write (a short write, a closed pipe)
 * stops the checkpoint with that errno; what was written stays written,
 * but without a tail no reader takes it for an image. Another task must
 * not have run between the start and the end (its switch count tells),
 * else the image is refused with -EBUSY before its tail.
 *
 * Return: the checkpoint id (positive), or a negative errno.
 */
long cr_checkpoint(struct cr_ctx *ctx)
{
	long snap_len;
	void *snap;
	int ret;

	snap = kvmalloc(CR_SNAP_SIZE, GFP_KERNEL);
	ctx->hbuf = kmalloc(CR_HBUF_SIZE, GFP_KERNEL);
	ctx->bvec = kmalloc_array(CR_PGARR_TOTAL, sizeof(*ctx->bvec),
				  GFP_KERNEL);
	if (!snap || !ctx->hbuf || !ctx->bvec) {
		kvfree(snap);
		return -ENOMEM;
	}

	snap_len = cr_get_target(ctx, snap);
	if (snap_len < 0) {
		kvfree(snap);
		return snap_len;
	}
	ret = cr_pram_store_open(ctx);
	if (ret) {
		kvfree(snap);
		return ret;
	}
	/* Ids stay positive: 0 is what a restored self-checkpoint sees. */
	ctx->id = atomic64_inc_return(&cr_last_id) & LONG_MAX;
	ctx->crc = ~0U;

	ret = cr_write_head(ctx);
	if (!ret)
		ret = cr_write_data(ctx, snap, snap_len);
	kvfree(snap);
	if (!ret)
		ret = cr_write_mm(ctx);
	if (ret)
		return ret;

	if (!ctx->self &&
	    wait_task_inactive(ctx->task, ctx->stopped) != ctx->nvcsw) {
		cr_log(ctx, "the task ran during the checkpoint");
		return -EBUSY;
	}
	ret = cr_write_tail(ctx);
	return ret ? ret : ctx->id;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: checkpoint(2), writing the image of a task.
 *
 * The target is the caller itself, or another single-threaded task that
 * is stopped (SIGSTOP or a ptrace stop) and stays stopped throughout, so
 * that its registers and memory hold still while they are read. Nothing
 * of a stopped target changes: its pages are referenced, never faulted
 * in, split or written.
 */
#include <linux/atomic.h>
#include <linux/bvec.h>
#include <linux/ckpt.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>

static atomic64_t cr_last_id;

/* The task's stopped state, if it is stopped, else 0. */
static unsigned int cr_stopped_state(struct task_struct *task)
{
	unsigned int state = READ_ONCE(task->__state);

	if (!task_is_stopped_or_traced(task))
		return 0;
	return state & (__TASK_STOPPED | __TASK_TRACED);
}

/*
 * Check that @ctx->task may and can be checkpointed, and take its mm.
 * The order of the checks fixes which errno a caller sees first: what
 * could never work (kernel threads), then permission, then what is not
 * supported yet (threads), then what may change (a running task).
 */
static int cr_get_target(struct cr_ctx *ctx)
{
	struct task_struct *task = ctx->task;
	unsigned int state;

	ctx->self = task == current;
	if (task->flags & PF_KTHREAD) {
		cr_log(ctx, "kernel threads cannot be checkpointed");
		return -EOPNOTSUPP;
	}
	if (!ctx->self &&
	    !ptrace_may_access(task, PTRACE_MODE_ATTACH_REALCREDS)) {
		cr_log(ctx, "no permission to trace the task");
		return -EPERM;
	}
	if (get_nr_threads(task) > 1) {
		cr_log(ctx, "multi-threaded tasks are not supported yet");
		return -EOPNOTSUPP;
	}
	if (!ctx->self) {
		state = cr_stopped_state(task);
		/* Also waits until it is off the CPU, its state saved. */
		if (!state || !wait_task_inactive(task, state)) {
			cr_log(ctx, "the task is running: stop it first");
			return -EBUSY;
		}
	}
	ctx->mm = get_task_mm(task);
	if (!ctx->mm) {
		cr_log(ctx, "the task has no address space");
		return -EOPNOTSUPP;
	}
	return 0;
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
 * but without a tail no reader takes it for an image.
 *
 * Return: the checkpoint id (positive), or a negative errno.
 */
int cr_checkpoint(struct cr_ctx *ctx)
{
	int ret;

	ret = cr_get_target(ctx);
	if (ret)
		return ret;

	ctx->hbuf = kmalloc(CR_HBUF_SIZE, GFP_KERNEL);
	ctx->bvec = kmalloc_array(CR_PGARR_TOTAL, sizeof(*ctx->bvec),
				  GFP_KERNEL);
	if (!ctx->hbuf || !ctx->bvec)
		return -ENOMEM;
	ctx->id = atomic64_inc_return(&cr_last_id);
	ctx->crc = ~0U;

	ret = cr_write_head(ctx);
	if (!ret)
		ret = cr_write_task(ctx);
	if (!ret)
		ret = cr_write_cpu(ctx);
	if (!ret)
		ret = cr_write_mm(ctx);
	if (ret)
		return ret;

	if (!ctx->self && !cr_stopped_state(ctx->task)) {
		cr_log(ctx, "the task was resumed during the checkpoint");
		return -EBUSY;
	}
	ret = cr_write_tail(ctx);
	return ret ? ret : ctx->id;
}

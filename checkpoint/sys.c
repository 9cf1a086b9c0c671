// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the checkpoint(2) and restart(2) entry points.
 *
 * Both take (pid, fd, flags, logfd); restart also the caller's
 * substitutes for the image's external descriptors. This file only turns the arguments
 * into a struct cr_ctx; the work is done by the checkpoint and restart
 * code proper.
 */
#include <linux/syscalls.h>

#include "internal.h"

/*
 * Every failure gets a line on the log. Running out of kernel memory can
 * happen at any of a hundred allocations, most of which have nothing to
 * add: one line here says it, when nothing else was said.
 */
static void cr_log_enomem(struct cr_ctx *ctx, long ret)
{
	if (ret == -ENOMEM && !ctx->loglen)
		cr_log(ctx, "out of kernel memory");
}

/**
 * sys_checkpoint - write an image of a task to a file descriptor
 * @pid: task to checkpoint, 0 for the caller
 * @fd: descriptor open for writing that receives the image
 * @flags: none defined yet, must be 0
 * @logfd: descriptor open for writing that receives one line per
 *	refusal, or -1
 *
 * See Documentation/checkpoint.rst for the rules on targets and the
 * image format.
 *
 * Return: a positive checkpoint id, or -EBADF, -EINVAL or -ESRCH for bad
 * arguments (see cr_ctx_init()), -EPERM, -EBUSY or -EOPNOTSUPP for a
 * target that cannot be checkpointed, or the errno of a failed write.
 * A task restored from an image of a self-checkpoint sees this call
 * return 0.
 */
SYSCALL_DEFINE4(checkpoint, pid_t, pid, int, fd, unsigned long, flags,
		int, logfd)
{
	struct cr_ctx ctx;
	long ret;

	ret = cr_ctx_init(&ctx, CR_OP_CHECKPOINT, pid, fd, flags, logfd);
	if (ret)
		return ret;

	ret = cr_checkpoint(&ctx);
	cr_log_enomem(&ctx, ret);
	cr_ctx_release(&ctx);
	return ret;
}

/**
 * sys_restart - turn the caller into a task read from an image
 * @pid: must be 0: restart acts on the caller, as execve does
 * @fd: descriptor open for reading that holds the image
 * @flags: none defined yet, must be 0
 * @logfd: descriptor open for writing that receives one line per
 *	refusal, or -1
 * @inherit: the caller's substitutes for the image's external
 *	descriptors (&struct cr_inherit), or NULL
 * @nr_inherit: entries in @inherit
 *
 * Like execve(2), a successful call does not return to its caller: the
 * caller keeps its pid, parent and credentials, and goes on as the task
 * of the image, from where it was checkpointed, with the image's
 * descriptors.
 *
 * Return: on success, the restored task's ax (0 where it had called
 * checkpoint(2) on itself); else -EBADF or -EINVAL for bad arguments
 * (see cr_ctx_init()) or the errno of cr_restart(), with the caller
 * unchanged.
 */
SYSCALL_DEFINE6(restart, pid_t, pid, int, fd, unsigned long, flags,
		int, logfd, const struct cr_inherit __user *, inherit,
		unsigned int, nr_inherit)
{
	struct cr_ctx ctx;
	long ax = 0;
	long ret;

	ret = cr_ctx_init(&ctx, CR_OP_RESTART, pid, fd, flags, logfd);
	if (ret)
		return ret;

	ret = cr_ctx_inherit(&ctx, inherit, nr_inherit);
	if (!ret)
		ret = cr_restart(&ctx, &ax);
	cr_log_enomem(&ctx, ret);
	cr_ctx_release(&ctx);
	return ret ? ret : ax;
}

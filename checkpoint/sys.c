// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the checkpoint(2) and restart(2) entry points.
 *
 * Both take (pid, fd, flags, logfd). This file only turns the arguments
 * into a struct cr_ctx; the work is done by the checkpoint and restart
 * code proper.
 */
#include <linux/ckpt.h>
#include <linux/syscalls.h>

/*
 * Until the dump and restore code lands, a call with good arguments
 * fails as if the syscall did not exist, so that a caller probing for
 * support sees the errno it already handles. This is the only place that
 * returns it; it goes away with the first real implementation.
 */
static long cr_not_implemented(struct cr_ctx *ctx)
{
	cr_log(ctx, "not implemented yet");
	return -ENOSYS;
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
 *
 * The image is read and checked through to its tail; rebuilding the task
 * from it is not implemented yet, so a valid image is then refused as an
 * unimplemented syscall would be.
 *
 * Return: -EBADF or -EINVAL for bad arguments (see cr_ctx_init()),
 * -EINVAL or -EBADMSG for a damaged image (see cr_restart()), else the
 * errno of an unimplemented syscall.
 */
SYSCALL_DEFINE4(restart, pid_t, pid, int, fd, unsigned long, flags,
		int, logfd)
{
	struct cr_ctx ctx;
	long ret;

	ret = cr_ctx_init(&ctx, CR_OP_RESTART, pid, fd, flags, logfd);
	if (ret)
		return ret;

	ret = cr_restart(&ctx);
	if (!ret)
		ret = cr_not_implemented(&ctx);
	cr_ctx_release(&ctx);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: set-up and tear-down of a struct cr_ctx.
 *
 * Both syscalls start by turning their raw arguments (pid, fd, flags,
 * logfd) into references held by a context. Every refusal here gets its
 * own errno and, once the log file is known, one line saying why.
 */
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "internal.h"

/*
 * Take a reference on the file behind @fd and check it was opened for
 * @mode. Like read(2) and write(2), a descriptor that is open but not
 * for the needed direction is as bad as no descriptor: -EBADF.
 */
static struct file *cr_fget(int fd, fmode_t mode)
{
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	if (!(file->f_mode & mode)) {
		fput(file);
		return ERR_PTR(-EBADF);
	}
	return file;
}

/*
 * pid 0 means the caller. Any other pid is looked up in the caller's pid
 * namespace, so a container manager sees the pids it knows.
 */
static struct task_struct *cr_get_task(pid_t pid)
{
	if (!pid) {
		get_task_struct(current);
		return current;
	}
	if (pid < 0)
		return NULL;
	return find_get_task_by_vpid(pid);
}

/**
 * cr_ctx_init() - check the arguments of checkpoint(2) or restart(2)
 * @ctx: context to fill; zeroed here
 * @op: which syscall is asking
 * @pid: task to checkpoint (0 for the caller); must be 0 for restart
 * @fd: the image: open for writing (checkpoint) or reading (restart)
 * @flags: syscall flags
 * @logfd: descriptor open for writing that receives reasons, or -1
 *
 * The log descriptor is checked first so that every later refusal can be
 * explained on it; then come @flags, @pid and @fd, in that order, so a
 * call with both unknown flags and a bad @fd gets -EINVAL. On failure
 * the reason is on the log, nothing is held and @ctx needs no release.
 *
 * Return: 0, or -EBADF for a bad @fd or @logfd, -EINVAL for unknown
 * @flags or a restart @pid other than 0, -ESRCH when @pid names no task,
 * -ENOMEM.
 */
int cr_ctx_init(struct cr_ctx *ctx, enum cr_op op, pid_t pid, int fd,
		unsigned long flags, int logfd)
{
	unsigned long valid = op == CR_OP_CHECKPOINT ? CR_CHECKPOINT_FLAGS :
						       CR_RESTART_FLAGS;
	fmode_t mode = op == CR_OP_CHECKPOINT ? FMODE_WRITE : FMODE_READ;
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	INIT_LIST_HEAD(&ctx->pgarr_list);
	xa_init(&ctx->pipes);
	xa_init(&ctx->shmem_ids);
	ctx->op = op;
	ctx->pid = pid;
	ctx->flags = flags;
	ctx->store = &cr_file_store;

	if (logfd != -1) {
		ctx->logfile = cr_fget(logfd, FMODE_WRITE);
		if (IS_ERR(ctx->logfile)) {
			ret = PTR_ERR(ctx->logfile);
			ctx->logfile = NULL;
			return ret;
		}
		ctx->logbuf = kmalloc(CR_LOG_BUF_SIZE, GFP_KERNEL);
		if (!ctx->logbuf) {
			ret = -ENOMEM;
			goto err;
		}
	}

	if (flags & ~valid) {
		cr_log(ctx, "unknown flags %#lx", flags & ~valid);
		ret = -EINVAL;
		goto err;
	}

	if (op == CR_OP_RESTART && pid) {
		cr_log(ctx, "pid must be 0: restart acts on the caller");
		ret = -EINVAL;
		goto err;
	}

	ctx->file = cr_fget(fd, mode);
	if (IS_ERR(ctx->file)) {
		ret = PTR_ERR(ctx->file);
		ctx->file = NULL;
		cr_log(ctx, "fd %d is not open for %s", fd,
		       mode == FMODE_WRITE ? "writing" : "reading");
		goto err;
	}

	ctx->task = cr_get_task(pid);
	if (!ctx->task) {
		cr_log(ctx, "no such process");
		ret = -ESRCH;
		goto err_file;
	}
	return 0;

err_file:
	fput(ctx->file);
	ctx->file = NULL;
err:
	if (ctx->logfile) {
		cr_log_flush(ctx);
		fput(ctx->logfile);
	}
	kfree(ctx->logbuf);
	ctx->logfile = NULL;
	ctx->logbuf = NULL;
	return ret;
}

static void cr_inherit_release(struct cr_ctx *ctx)
{
	unsigned int i;

	for (i = 0; ctx->inherit_files && i < ctx->nr_inherit; i++)
		if (ctx->inherit_files[i])
			fput(ctx->inherit_files[i]);
	kvfree(ctx->inherit_files);
	kvfree(ctx->inherit);
	ctx->inherit = NULL;
	ctx->inherit_files = NULL;
	ctx->nr_inherit = 0;
}

/**
 * cr_ctx_inherit() - take restart(2)'s substitutes for external files
 * @ctx: a restart context from cr_ctx_init()
 * @inherit: the caller's array
 * @nr: its entries
 *
 * Each names a process (0 for the root) and descriptor of the image and
 * the caller's descriptor that takes its place; the caller's files are
 * taken now, so that closing them meanwhile changes nothing.
 *
 * Return: 0, -EINVAL (logged) for too many entries or padding that is
 * not zero, -EFAULT, -EBADF (logged) for a descriptor the caller does
 * not have open, -ENOMEM. On failure @ctx still needs cr_ctx_release().
 */
int cr_ctx_inherit(struct cr_ctx *ctx, const struct cr_inherit __user *inherit,
		   unsigned int nr)
{
	unsigned int i;

	if (!nr)
		return 0;
	if (nr > CR_MAX_INHERIT) {
		cr_log(ctx, "more than %u substitutes", CR_MAX_INHERIT);
		return -EINVAL;
	}
	ctx->inherit = kvmalloc_array(nr, sizeof(*ctx->inherit), GFP_KERNEL);
	ctx->inherit_files = kvcalloc(nr, sizeof(*ctx->inherit_files),
				      GFP_KERNEL);
	if (!ctx->inherit || !ctx->inherit_files)
		return -ENOMEM;
	ctx->nr_inherit = nr;
	if (copy_from_user(ctx->inherit, inherit, nr * sizeof(*inherit)))
		return -EFAULT;
	for (i = 0; i < nr; i++) {
		if (ctx->inherit[i].pad) {
			cr_log(ctx, "substitute %u: padding is not zero", i);
			return -EINVAL;
		}
		ctx->inherit_files[i] = fget(ctx->inherit[i].from);
		if (!ctx->inherit_files[i]) {
			cr_log(ctx, "substitute %u: fd %d is not open", i,
			       ctx->inherit[i].from);
			return -EBADF;
		}
	}
	return 0;
}

/**
 * cr_ctx_release() - drop what cr_ctx_init() took
 * @ctx: a context cr_ctx_init() set up successfully
 */
void cr_ctx_release(struct cr_ctx *ctx)
{
	if (ctx->store->release)
		ctx->store->release(ctx);
	cr_pgarr_free(ctx);
	kvfree(ctx->bvec);
	kvfree(ctx->sums);
	kvfree(ctx->addrs);
	kfree(ctx->hbuf);
	if (ctx->mm)
		mmput(ctx->mm);
	cr_release_tree(ctx);
	cr_file_ids_free(ctx);
	xa_destroy(&ctx->pipes);
	xa_destroy(&ctx->shmem_ids);
	if (ctx->ipc_ns)
		put_ipc_ns(ctx->ipc_ns);
	cr_inherit_release(ctx);
	put_task_struct(ctx->task);
	fput(ctx->file);
	if (ctx->logfile) {
		cr_log_flush(ctx);
		fput(ctx->logfile);
	}
	kfree(ctx->logbuf);
	memset(ctx, 0, sizeof(*ctx));
}

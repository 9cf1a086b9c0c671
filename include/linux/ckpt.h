/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checkpoint/restart: kernel-internal interfaces.
 *
 * The image format userspace sees is in <uapi/linux/ckpt_hdr.h>; this
 * header holds what the checkpoint/ code shares between its files.
 */
#ifndef _LINUX_CKPT_H
#define _LINUX_CKPT_H

#include <linux/compiler_attributes.h>
#include <linux/stdarg.h>
#include <linux/types.h>
#include <uapi/linux/ckpt_hdr.h>

struct file;
struct task_struct;

/* Flags each syscall accepts; anything else is -EINVAL. */
#define CR_CHECKPOINT_FLAGS	0UL
#define CR_RESTART_FLAGS	0UL

/* Longest line cr_log() writes, newline included. */
#define CR_LOG_LINE_MAX		256

/**
 * enum cr_op - which syscall a &struct cr_ctx serves
 * @CR_OP_CHECKPOINT: checkpoint(2), writes an image
 * @CR_OP_RESTART: restart(2), reads an image
 */
enum cr_op {
	CR_OP_CHECKPOINT,
	CR_OP_RESTART,
};

/**
 * struct cr_ctx - the state of one checkpoint or restart
 * @op: which syscall this is
 * @pid: the pid the caller passed, for log lines
 * @flags: the caller's flags, already validated
 * @task: the task being checkpointed (or the caller, for restart);
 *	holds a reference
 * @file: the image: written by checkpoint, read by restart; holds a
 *	reference
 * @logfile: where human-readable reasons go, or NULL; holds a reference
 *
 * One is set up by cr_ctx_init() on entry to either syscall and torn
 * down by cr_ctx_release(), so that every error path after the argument
 * checks can report through cr_log() and unwind in one place.
 */
struct cr_ctx {
	enum cr_op op;
	pid_t pid;
	unsigned long flags;
	struct task_struct *task;
	struct file *file;
	struct file *logfile;
};

int cr_ctx_init(struct cr_ctx *ctx, enum cr_op op, pid_t pid, int fd,
		unsigned long flags, int logfd);
void cr_ctx_release(struct cr_ctx *ctx);

int cr_kwrite(struct file *file, const void *buf, size_t len);

__printf(2, 3) void cr_log(struct cr_ctx *ctx, const char *fmt, ...);
__printf(4, 0) size_t cr_log_format(char *buf, size_t size, const char *prefix,
				    const char *fmt, va_list args);

#endif /* _LINUX_CKPT_H */

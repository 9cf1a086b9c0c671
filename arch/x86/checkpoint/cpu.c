// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart, x86_64: the CPU state of a task.
 *
 * Registers are read through the task's user regsets, the interfaces
 * ptrace and core dumps use: NT_PRSTATUS for the general registers,
 * segment selectors and fs/gs base, NT_X86_XSTATE for the XSAVE area
 * (x87, SSE, AVX, AVX-512, ... as the CPU has them). Restart writes them
 * back through the same regsets, so their validation applies to images.
 */
#include <linux/ckpt.h>
#include <linux/elf.h>
#include <linux/regset.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/ptrace.h>
#include <asm/user.h>

static const struct user_regset *
cr_find_regset(const struct user_regset_view *view, unsigned int note)
{
	unsigned int i;

	for (i = 0; i < view->n; i++)
		if (view->regsets[i].core_note_type == note)
			return &view->regsets[i];
	return NULL;
}

/**
 * cr_fill_cpu() - build the CPU record of the context's task
 * @ctx: checkpoint context; the task is the caller, or stopped, off the
 *	CPU and held, so that its registers are saved in memory
 * @buf: where the record goes
 * @size: bytes available at @buf
 *
 * For a self-checkpoint the recorded ax is 0: the task restored from the
 * image returns 0 from checkpoint(2), while the caller gets the id. On a
 * CPU without XSAVE the area holds the 512-byte FXSAVE image instead,
 * and @xfeatures is 0.
 *
 * Called under the target's exec_update_lock, so it must not log.
 *
 * Return: the record's length, or a negative errno: -EOPNOTSUPP for a
 * task in 32-bit mode, whose registers have another layout.
 */
int cr_fill_cpu(struct cr_ctx *ctx, void *buf, u32 size)
{
	const struct user_regset_view *view;
	const struct user_regset *gpr, *xs;
	struct task_struct *task = ctx->task;
	unsigned int xsize = 0;
	struct cr_hdr_cpu *hc;
	bool xsave;
	int ret;

	BUILD_BUG_ON(sizeof(struct cr_x86_regs) !=
		     sizeof(struct user_regs_struct));

	if (!user_64bit_mode(task_pt_regs(task)))
		return -EOPNOTSUPP;
	view = task_user_regset_view(task);
	xsave = cpu_feature_enabled(X86_FEATURE_XSAVE);
	gpr = cr_find_regset(view, NT_PRSTATUS);
	xs = cr_find_regset(view, xsave ? NT_X86_XSTATE : NT_PRFPREG);
	if (!gpr || !xs)
		return -ENODEV;
	xsize = xs->n * xs->size;
	if (sizeof(*hc) + xsize > size)
		return -E2BIG;

	hc = cr_hdr_init(buf, CR_HDR_CPU, sizeof(*hc) + xsize);
	ret = regset_get(task, gpr, sizeof(hc->regs), &hc->regs);
	if (ret != sizeof(hc->regs))
		return ret < 0 ? ret : -EIO;
	if (ctx->self)
		hc->regs.ax = 0;

	ret = regset_get(task, xs, xsize, hc + 1);
	if (ret < 0)
		return ret;
	hc->xstate_size = xsize;
	if (xsave)
		hc->xfeatures = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	return hc->h.len;
}

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
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
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
 * cr_write_cpu() - write the CPU record of the context's task
 * @ctx: checkpoint context; the task is the caller or stopped and off
 *	the CPU, so that its registers are saved in memory
 *
 * For a self-checkpoint the recorded ax is 0: the task restored from the
 * image returns 0 from checkpoint(2), while the caller gets the id.
 *
 * Return: 0 or a negative errno.
 */
int cr_write_cpu(struct cr_ctx *ctx)
{
	const struct user_regset_view *view = task_user_regset_view(ctx->task);
	const struct user_regset *gpr, *xs;
	unsigned int xsize = 0;
	struct cr_hdr_cpu *hc;
	int ret;

	BUILD_BUG_ON(sizeof(struct cr_x86_regs) !=
		     sizeof(struct user_regs_struct));

	gpr = cr_find_regset(view, NT_PRSTATUS);
	xs = cr_find_regset(view, NT_X86_XSTATE);
	if (!gpr)
		return -EOPNOTSUPP;
	if (xs && cpu_feature_enabled(X86_FEATURE_XSAVE))
		xsize = xs->n * xs->size;
	if (sizeof(*hc) + xsize > CR_HBUF_SIZE)
		return -E2BIG;

	hc = cr_hbuf_get(ctx, CR_HDR_CPU, sizeof(*hc) + xsize);
	ret = regset_get(ctx->task, gpr, sizeof(hc->regs), &hc->regs);
	if (ret < 0)
		return ret;
	if (ctx->self)
		hc->regs.ax = 0;

	if (xsize) {
		ret = regset_get(ctx->task, xs, xsize, hc + 1);
		if (ret < 0)
			return ret;
		hc->xstate_size = xsize;
		hc->xfeatures = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	}
	return cr_hbuf_put(ctx, hc->h.len);
}

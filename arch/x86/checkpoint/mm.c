// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart, x86_64: the architecture's part of an mm, the LDT
 * that modify_ldt(2) installs (16-bit and Wine-style code uses one) and
 * the context flags of a new mm.
 */
#include <linux/ckpt.h>
#include <linux/mm_types.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <asm/desc_defs.h>
#include <asm/ldt.h>
#include <asm/mmu_context.h>

/**
 * cr_write_mm_context() - write the LDT record of the context's mm
 * @ctx: checkpoint context
 *
 * The entries are copied out under the LDT lock and written after it is
 * dropped, so that no file write happens under it.
 *
 * Return: 0 or a negative errno.
 */
int cr_write_mm_context(struct cr_ctx *ctx)
{
	struct cr_hdr_mm_context *hl;
	void *entries = NULL;
	unsigned int nr = 0;
	int ret;

#ifdef CONFIG_MODIFY_LDT_SYSCALL
	struct mm_struct *mm = ctx->mm;
	struct ldt_struct *ldt;

	down_read(&mm->context.ldt_usr_sem);
	ldt = READ_ONCE(mm->context.ldt);
	if (ldt)
		nr = ldt->nr_entries;
	if (nr)
		entries = kmemdup(ldt->entries, nr * LDT_ENTRY_SIZE,
				  GFP_KERNEL);
	up_read(&mm->context.ldt_usr_sem);
	if (nr && !entries)
		return -ENOMEM;
#endif

	hl = cr_hbuf_get(ctx, CR_HDR_MM_CONTEXT, sizeof(*hl));
	hl->h.len = sizeof(*hl) + nr * LDT_ENTRY_SIZE;
	hl->nr_ldt = nr;
	ret = cr_hbuf_put(ctx, sizeof(*hl));
	if (!ret && nr)
		ret = cr_write_data(ctx, entries, nr * LDT_ENTRY_SIZE);
	kfree(entries);
	return ret;
}

/**
 * cr_arch_init_mm() - the architecture's part of a new mm for restart
 * @mm: the mm being built
 * @old: the caller's mm, which it replaces
 *
 * A 64-bit task's mm may show the vsyscall page (set at execve by
 * set_personality_64bit()); the restored task's does as the caller's.
 */
void cr_arch_init_mm(struct mm_struct *mm, struct mm_struct *old)
{
	if (test_bit(MM_CONTEXT_HAS_VSYSCALL, &old->context.flags))
		__set_bit(MM_CONTEXT_HAS_VSYSCALL, &mm->context.flags);
}

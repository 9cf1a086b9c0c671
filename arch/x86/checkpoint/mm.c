// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart, x86_64: the architecture's part of an mm, the LDT
 * that modify_ldt(2) installs (16-bit and Wine-style code uses one) and
 * the context flags of a new mm.
 */
#include <linux/ckpt.h>
#include <linux/mm_types.h>
#include <linux/mmu_context.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <asm/ckpt_hdr.h>
#include <asm/desc_defs.h>
#include <asm/ldt.h>

static_assert(CR_X86_LDT_ENTRY_SIZE == LDT_ENTRY_SIZE);

/**
 * cr_arch_write_mm_context() - write the LDT record of an mm
 * @ctx: checkpoint context
 * @mm: the mm being saved
 *
 * The entries are copied out under the LDT lock and written after it is
 * dropped, so that no file write happens under it.
 *
 * Return: 0 or a negative errno.
 */
int cr_arch_write_mm_context(struct cr_ctx *ctx, struct mm_struct *mm)
{
	struct cr_hdr_mm_context *hl;
	void *entries = NULL;
	unsigned int nr = 0;
	int ret;

#ifdef CONFIG_MODIFY_LDT_SYSCALL
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
 * cr_arch_read_mm_context() - read and check the LDT record
 * @r: restart state
 *
 * Return: 0 for an image without an LDT; -EINVAL (logged) for a
 * malformed record, -EOPNOTSUPP (logged) for an LDT, which restart
 * cannot set up yet.
 */
int cr_arch_read_mm_context(struct cr_rst *r)
{
	struct cr_hdr_mm_context hl;
	int ret;

	/* Only the struct is read: the LDT entries would follow it. */
	ret = cr_read_struct(r, CR_HDR_MM_CONTEXT, &hl, sizeof(hl));
	if (ret)
		return ret;
	if (hl.nr_ldt > LDT_ENTRIES || hl.pad ||
	    hl.h.len != sizeof(hl) + hl.nr_ldt * LDT_ENTRY_SIZE)
		return cr_bad(r, "bad LDT record");
	if (hl.nr_ldt)
		return cr_refuse(r, -EOPNOTSUPP,
				 "restoring an LDT is not supported yet");
	return 0;
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

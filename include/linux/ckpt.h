/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checkpoint/restart: the interface between the generic code in
 * checkpoint/ and an architecture's part (arch/x86/checkpoint/), and
 * the page table work it asks of mm/.
 *
 * The generic code writes and reads the record stream; the architecture
 * fills and checks its own records (<asm/ckpt_hdr.h>: the CPU state and
 * the mm context) through the stream functions declared here, and puts
 * its state back on the current task at restart. Everything else the
 * subsystem shares between its files is in checkpoint/internal.h.
 */
#ifndef _LINUX_CKPT_H
#define _LINUX_CKPT_H

#include <linux/compiler_attributes.h>
#include <linux/limits.h>
#include <linux/types.h>
#include <uapi/linux/ckpt_hdr.h>
#include <asm/page.h>

struct cr_ctx;
struct cr_hdr_cpu;
struct cr_rst;
struct mm_struct;
struct task_struct;

/*
 * Size of the header buffer, which holds any record but page contents
 * and the LDT: the largest are a CPU record with an XSAVE area (11 KiB
 * with AMX) and a VMA record with its path.
 */
#define CR_HBUF_SIZE		(4 * PAGE_SIZE + PATH_MAX)

/* Writing records (checkpoint/image_write.c). */
void *cr_hdr_init(void *buf, u32 type, u32 len);
void *cr_hbuf_get(struct cr_ctx *ctx, u32 type, u32 len);
int cr_hbuf_put(struct cr_ctx *ctx, u32 len);
int cr_write_data(struct cr_ctx *ctx, const void *buf, size_t len);

/* Reading records (checkpoint/image_read.c). */
__printf(3, 4) int cr_refuse(struct cr_rst *r, int err, const char *fmt, ...);
__printf(2, 3) int cr_bad(struct cr_rst *r, const char *fmt, ...);
int cr_read(struct cr_rst *r, void *buf, size_t len);
void *cr_read_rec(struct cr_rst *r, u32 type, u32 min, u32 max);
int cr_read_struct(struct cr_rst *r, u32 type, void *buf, u32 size);

/* One line on the caller's log (checkpoint/log.c). */
__printf(2, 3) void cr_log(struct cr_ctx *ctx, const char *fmt, ...);

/**
 * struct cr_vdso - where an image had the vDSO, as restart reads it
 * @vvar: start of the vDSO data pages, or 0
 * @vdso: start of the vDSO text, or 0
 */
struct cr_vdso {
	u64 vvar;
	u64 vdso;
};

/* What the architecture provides: checkpoint. */
int cr_arch_fill_cpu(struct task_struct *task, bool self, void *buf,
		     u32 size);
int cr_arch_write_mm_context(struct cr_ctx *ctx, struct mm_struct *mm);

/* What the architecture provides: restart, before the commit. */
struct cr_hdr_cpu *cr_arch_read_cpu(struct cr_rst *r);
int cr_arch_read_mm_context(struct cr_rst *r);
void cr_arch_init_mm(struct mm_struct *mm, struct mm_struct *old);
int cr_arch_note_vdso(struct cr_rst *r, struct cr_vdso *vd,
		      const struct cr_hdr_vma *hv);
int cr_arch_check_vdso(struct cr_rst *r, const struct cr_vdso *vd);
int cr_arch_restore_fpu(struct cr_ctx *ctx, const struct cr_hdr_cpu *hc);

int cr_arch_map_vdso(struct mm_struct *mm, const struct cr_vdso *vd);

/* What the architecture provides: restart, after the switch of mm. */
long cr_arch_restore_regs(const struct cr_hdr_cpu *hc);

/*
 * What mm/ provides (mm/checkpoint_cow.c): a restored child's anonymous
 * pages shared with its restored parent, as fork() leaves them.
 */
struct vm_area_struct;
int checkpoint_cow_link(struct vm_area_struct *dst,
			struct vm_area_struct *src);
int checkpoint_cow_share(struct vm_area_struct *dst,
			 struct vm_area_struct *src, unsigned long addr);

/* The checksum of a page's contents in an image (image_write.c). */
u64 cr_page_sum(struct page *page);

/*
 * What mm/ provides (mm/checkpoint_fill.c): the pages restart reads from
 * an image, allocated unzeroed and mapped once filled and checked.
 */
struct folio;
struct page;
int checkpoint_anon_fillable(struct vm_area_struct *vma);
struct folio *checkpoint_alloc_anon(struct vm_area_struct *vma,
				    unsigned long addr);
int checkpoint_map_anon(struct vm_area_struct *vma, const u64 *addrs,
			struct page **pages, unsigned int n, unsigned int *mapped);

#endif /* _LINUX_CKPT_H */

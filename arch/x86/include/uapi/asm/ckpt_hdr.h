/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Checkpoint/restart image format, x86_64 records: the CPU state and the
 * LDT. The generic records and the compatibility rules are in
 * <linux/ckpt_hdr.h>.
 */
#ifndef _UAPI_ASM_X86_CKPT_HDR_H
#define _UAPI_ASM_X86_CKPT_HDR_H

#include <linux/types.h>
#include <linux/ckpt_hdr.h>

/**
 * struct cr_x86_regs - x86_64 general registers
 * @r15: r15
 * @r14: r14
 * @r13: r13
 * @r12: r12
 * @bp: rbp
 * @bx: rbx
 * @r11: r11
 * @r10: r10
 * @r9: r9
 * @r8: r8
 * @ax: rax
 * @cx: rcx
 * @dx: rdx
 * @si: rsi
 * @di: rdi
 * @orig_ax: the syscall number when stopped in a syscall, else -1
 * @ip: rip
 * @cs: code segment selector
 * @flags: rflags
 * @sp: rsp
 * @ss: stack segment selector
 * @fs_base: fs base address
 * @gs_base: gs base address
 * @ds: data segment selector
 * @es: extra segment selector
 * @fs: fs selector
 * @gs: gs selector
 *
 * The order and meaning of the NT_PRSTATUS regset (struct
 * user_regs_struct of <sys/user.h>), which is user ABI already.
 */
struct cr_x86_regs {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	__u64 ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
	__u64 fs_base, gs_base, ds, es, fs, gs;
};

/**
 * struct cr_hdr_cpu - the task's CPU state, x86_64
 * @h: record header, type %CR_HDR_CPU
 * @regs: general registers, segment selectors and fs/gs base; for a
 *	self-checkpoint, ax is 0, so that the restored task sees
 *	checkpoint(2) return 0
 * @xstate_size: bytes of XSAVE area following this struct (the
 *	NT_X86_XSTATE regset: x87, SSE, AVX, AVX-512 ... as present),
 *	padded to %CR_HDR_ALIGN; on a CPU without XSAVE, the 512 bytes of
 *	the FXSAVE area (NT_PRFPREG)
 * @pad: zero
 * @xfeatures: the XSAVE features enabled by the writer (XCR0), or 0 for
 *	an FXSAVE area
 */
struct cr_hdr_cpu {
	struct cr_hdr h;
	struct cr_x86_regs regs;
	__u32 xstate_size;
	__u32 pad;
	__u64 xfeatures;
};

/* Bytes of one LDT entry, as modify_ldt(2) reads them. */
#define CR_X86_LDT_ENTRY_SIZE	8

/**
 * struct cr_hdr_mm_context - x86 mm state: the LDT
 * @h: record header, type %CR_HDR_MM_CONTEXT
 * @nr_ldt: LDT entries following, %CR_X86_LDT_ENTRY_SIZE bytes each, in
 *	the form modify_ldt(2) reads them (0: no LDT)
 * @pad: zero
 */
struct cr_hdr_mm_context {
	struct cr_hdr h;
	__u32 nr_ldt;
	__u32 pad;
};

#endif /* _UAPI_ASM_X86_CKPT_HDR_H */

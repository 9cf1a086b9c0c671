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
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/stdarg.h>
#include <linux/types.h>
#include <linux/pram.h>
#include <uapi/linux/ckpt_hdr.h>
#include <asm/page.h>

struct bio_vec;
struct file;
struct iov_iter;
struct mm_struct;
struct page;
struct pram_stream;
struct task_struct;
struct vm_area_struct;

/* Flags each syscall accepts; anything else is -EINVAL. */
#define CR_CHECKPOINT_FLAGS	0UL
#define CR_RESTART_FLAGS	0UL

/* Longest line cr_log() writes, newline included. */
#define CR_LOG_LINE_MAX		256

/* Pages one page-array holds: its arrays take a page each. */
#define CR_PGARR_TOTAL		(PAGE_SIZE / sizeof(void *))

/*
 * Page-arrays filled before they are written out and released: bounds
 * the pages a checkpoint pins at once (4096 pages, 16 MiB with 4 KiB
 * pages) while keeping writes large.
 */
#define CR_PGARR_BATCH		8

/*
 * Size of the header buffer, which holds any record but page contents
 * and the LDT: the largest are a CPU record with an XSAVE area (11 KiB
 * with AMX) and a VMA record with its path.
 */
#define CR_HBUF_SIZE		(4 * PAGE_SIZE + PATH_MAX)

/**
 * struct cr_pgarr - a page-array: pages to save and their addresses
 * @pages: the pages, each holding one reference while listed
 * @vaddrs: the user address each page is mapped at
 * @nr_used: entries in use
 * @list: link in &cr_ctx.pgarr_list
 */
struct cr_pgarr {
	struct page **pages;
	unsigned long *vaddrs;
	unsigned int nr_used;
	struct list_head list;
};

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
 * @mm: the address space being saved; holds a reference (checkpoint)
 * @id: the checkpoint id, returned to the caller
 * @self: the task is checkpointing itself
 * @stack: a reference on the target's kernel stack is held
 * @stopped: the target's stopped state (another task)
 * @nvcsw: the target's switch count when it was found stopped, to tell
 *	at the end that it never ran in between
 * @hbuf: buffer in which records are built before they are written
 * @pgarr_list: page-arrays of the batch being collected; the first entry
 *	is the one being filled, so the list runs newest first
 * @nr_pgarrs: entries in @pgarr_list
 * @bvec: scratch vector describing one page-array for a write
 * @pram: the PRAM stream behind @file when it is a PRAM node: pages go
 *	into it, or come from it, by reference
 * @pram_load: restart's own stream on that node, read from its start
 * @crc: running CRC-32C of the image written (read) so far
 * @written: bytes of image written (read) so far
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

	struct mm_struct *mm;
	u64 id;
	bool self;
	bool stack;
	unsigned int stopped;
	unsigned long nvcsw;
	void *hbuf;
	struct list_head pgarr_list;
	unsigned int nr_pgarrs;
	struct bio_vec *bvec;
	struct pram_stream *pram;
	struct pram_stream pram_load;
	u32 crc;
	u64 written;
};

/**
 * struct cr_rst - the state of one restart, beyond its &struct cr_ctx
 * @ctx: the context: image file, log, header buffer, checksum
 * @rec_off: image offset of the record being read, for log lines
 * @hdr: that record's header
 * @task: the task record, checked
 * @cpu: the CPU record with its XSAVE area, checked (kmalloc'd)
 * @mmrec: the mm record, checked
 * @mm: the address space being built; the caller's own stays in use
 *	until the image has been read to its verified tail
 * @vma: the last VMA record read, whose pages follow it
 * @vvar: start of the vDSO data pages in the image, or 0
 * @vdso: start of the vDSO text in the image, or 0
 * @pages: scratch array of %CR_PGARR_TOTAL pages being filled
 * @src: scratch array of %CR_PGARR_TOTAL PRAM pages to copy from
 * @addrs: scratch array of their %CR_PGARR_TOTAL addresses
 * @err: the first failure that is not the image's fault (a file, memory);
 *	reading goes on to the tail without building, and it is returned
 *	only if the image's checksum is good
 *
 * Nothing in it comes from the image unchecked: every field is copied
 * here only after the record that holds it passed its checks.
 */
struct cr_rst {
	struct cr_ctx *ctx;
	u64 rec_off;
	struct cr_hdr hdr;
	struct cr_hdr_task task;
	struct cr_hdr_cpu *cpu;
	struct cr_hdr_mm mmrec;
	struct mm_struct *mm;
	struct cr_hdr_vma vma;
	u64 vvar;
	u64 vdso;
	struct page **pages;
	struct page **src;
	u64 *addrs;
	int err;
};

int cr_ctx_init(struct cr_ctx *ctx, enum cr_op op, pid_t pid, int fd,
		unsigned long flags, int logfd);
void cr_ctx_release(struct cr_ctx *ctx);

int cr_kwrite(struct file *file, const void *buf, size_t len);
int cr_write_iter(struct file *file, struct iov_iter *iter);
int cr_read_iter(struct file *file, struct iov_iter *iter);
int cr_kread(struct file *file, void *buf, size_t len);

/* image.c: the record stream */
int cr_write_data(struct cr_ctx *ctx, const void *buf, size_t len);
void *cr_hdr_init(void *buf, u32 type, u32 len);
void *cr_hbuf_get(struct cr_ctx *ctx, u32 type, u32 len);
int cr_hbuf_put(struct cr_ctx *ctx, u32 len);
int cr_write_pgarr(struct cr_ctx *ctx, struct cr_pgarr *pgarr);
int cr_write_tail(struct cr_ctx *ctx);

/* pgarr.c: page-array lists */
struct cr_pgarr *cr_pgarr_current(struct cr_ctx *ctx, unsigned int room);
void cr_pgarr_release_all(struct cr_ctx *ctx);
void cr_pgarr_free(struct cr_ctx *ctx);

/**
 * cr_pgarr_add() - list a page, taking a reference on it
 * @pgarr: an array from cr_pgarr_current() with room left
 * @page: the page; safe to reference (its page table lock is held)
 * @vaddr: the user address it is mapped at
 *
 * Inline: the page walk calls it for every saved page.
 */
static inline void cr_pgarr_add(struct cr_pgarr *pgarr, struct page *page,
				unsigned long vaddr)
{
	unsigned int i = pgarr->nr_used;

	if (WARN_ON_ONCE(i >= CR_PGARR_TOTAL))
		return;
	get_page(page);
	pgarr->pages[i] = page;
	pgarr->vaddrs[i] = vaddr;
	pgarr->nr_used = i + 1;
}

/*
 * The parts of an image. The task and CPU records are filled into a
 * buffer while the target is held, before anything is written.
 */
long cr_checkpoint(struct cr_ctx *ctx);
int cr_restart(struct cr_ctx *ctx, long *ax);
u32 cr_fill_task(struct cr_ctx *ctx, void *buf);
int cr_fill_cpu(struct cr_ctx *ctx, void *buf, u32 size);
int cr_write_mm(struct cr_ctx *ctx);
int cr_write_mm_context(struct cr_ctx *ctx);

/* read.c: reading an image record by record */
__printf(2, 3) int cr_bad(struct cr_rst *r, const char *fmt, ...);
int cr_read(struct cr_rst *r, void *buf, size_t len);
int cr_read_skip(struct cr_rst *r, u64 len);
int cr_read_hdr(struct cr_rst *r);
void *cr_read_body(struct cr_rst *r, u32 type, u32 min, u32 max);
void *cr_read_rec(struct cr_rst *r, u32 type, u32 min, u32 max);
int cr_read_pages(struct cr_rst *r, struct page **pages, unsigned int n);

/* restore_mm.c, and the architecture's part: the new address space */
int cr_mm_create(struct cr_rst *r);
int cr_mm_add_vma(struct cr_rst *r, const char *path);
int cr_mm_fill(struct cr_rst *r, const u64 *addrs, unsigned int n,
	       struct page **src);
int cr_mm_fill_pram(struct cr_rst *r, const u64 *addrs, unsigned int n);
int cr_arch_note_vdso(struct cr_rst *r);
int cr_arch_check_vdso(struct cr_rst *r);
int cr_arch_map_vdso(struct cr_rst *r);
void cr_arch_init_mm(struct mm_struct *mm, struct mm_struct *old);

/* The task and CPU state, committed once the image has been checked. */
int cr_restore_fpu(struct cr_rst *r);
long cr_restore_regs(struct cr_rst *r);
void cr_restore_task(struct cr_rst *r);

__printf(2, 3) void cr_log(struct cr_ctx *ctx, const char *fmt, ...);
__printf(4, 0) size_t cr_log_format(char *buf, size_t size, const char *prefix,
				    const char *fmt, va_list args);

#endif /* _LINUX_CKPT_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checkpoint/restart: what the files of checkpoint/ share, and only
 * they. The interface with the architecture is <linux/ckpt.h>; the image
 * format is <uapi/linux/ckpt_hdr.h>.
 */
#ifndef _CHECKPOINT_INTERNAL_H
#define _CHECKPOINT_INTERNAL_H

#include <linux/ckpt.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/pram.h>
#include <linux/stdarg.h>
#include <linux/types.h>
#include <linux/uio.h>

struct bio_vec;
struct file;

/* Flags each syscall accepts; anything else is -EINVAL. */
#define CR_CHECKPOINT_FLAGS	0UL
#define CR_RESTART_FLAGS	0UL

/* Longest line cr_log() writes, newline included. */
#define CR_LOG_LINE_MAX		256

/* Bytes of log lines a context holds until they are flushed. */
#define CR_LOG_BUF_SIZE		PAGE_SIZE

/* Pages one page-array holds: its arrays take a page each. */
#define CR_PGARR_TOTAL		(PAGE_SIZE / sizeof(void *))

/*
 * Page-arrays filled before they are written out and released: bounds
 * the pages a checkpoint pins at once (4096 pages, 16 MiB with 4 KiB
 * pages) while keeping writes large.
 */
#define CR_PGARR_BATCH		8

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
 * struct cr_pages_out - the records of one page-array on its way out
 * @ha: the PGARR record's head
 * @hp: the PAGES record's head; a page store sets its length and flags
 * @vec: @ha, the addresses, @hp: written as one stretch of the image
 */
struct cr_pages_out {
	struct cr_hdr_pgarr ha;
	struct cr_hdr_pages hp;
	struct kvec vec[3];
};

/**
 * struct cr_page_store - where the contents of saved pages go and come from
 * @by_reference: the store keeps the pages themselves, not a copy: a
 *	checkpoint makes every saved page read-only and shared in the task
 *	(as fork() does), so that the kept page never changes
 * @save: checkpoint: write one page-array's PGARR and PAGES records,
 *	with or without the contents
 * @load_kept: restart: map or copy @n pages the store kept at @addrs of
 *	the new mm, for a PAGES record with %CR_PAGES_PRAM; NULL when the
 *	store keeps no pages, which makes such a record an error
 * @release: drop what the store holds for @ctx, or NULL
 *
 * The image file itself is the default store: page contents are in the
 * stream. A PRAM node is the other (checkpoint/pram_store.c).
 */
struct cr_page_store {
	bool by_reference;
	int (*save)(struct cr_ctx *ctx, struct cr_pgarr *pgarr,
		    struct cr_pages_out *out);
	int (*load_kept)(struct cr_rst *r, const u64 *addrs, unsigned int n);
	void (*release)(struct cr_ctx *ctx);
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
 * @logbuf: log lines not yet written to @logfile (%CR_LOG_BUF_SIZE bytes)
 * @loglen: bytes used in @logbuf
 * @logdrop: lines that did not fit in @logbuf
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
 * @store: where page contents go (checkpoint) or come from (restart)
 * @pram: the PRAM stream behind @file when @store is a PRAM node (used
 *	by that store only)
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
	char *logbuf;
	size_t loglen;
	unsigned int logdrop;

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
	const struct cr_page_store *store;
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
 * @vdso: where the image has the vDSO
 * @pages: scratch array of %CR_PGARR_TOTAL pages being filled
 * @src: scratch array of %CR_PGARR_TOTAL kept pages to copy from
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
	struct cr_vdso vdso;
	struct page **pages;
	struct page **src;
	u64 *addrs;
	int err;
};

/* ctx.c: the syscalls' arguments */
int cr_ctx_init(struct cr_ctx *ctx, enum cr_op op, pid_t pid, int fd,
		unsigned long flags, int logfd);
void cr_ctx_release(struct cr_ctx *ctx);

/* log.c */
void cr_log_flush(struct cr_ctx *ctx);
#if IS_ENABLED(CONFIG_KUNIT)
__printf(4, 0) size_t cr_log_format(char *buf, size_t size, const char *prefix,
				    const char *fmt, va_list args);
#endif

/* io.c: kernel-side I/O on the caller's descriptors */
int cr_kwrite(struct file *file, const void *buf, size_t len);
int cr_write_iter(struct file *file, struct iov_iter *iter);
int cr_read_iter(struct file *file, struct iov_iter *iter);
int cr_kread(struct file *file, void *buf, size_t len);

/* image_write.c: the record stream, out */
int cr_write_kvec(struct cr_ctx *ctx, struct kvec *vec, unsigned int nr);
int cr_write_page_contents(struct cr_ctx *ctx, struct cr_pgarr *pgarr);
int cr_write_tail(struct cr_ctx *ctx);

/* image_read.c: the record stream, in */
int cr_read_skip(struct cr_rst *r, u64 len);
int cr_read_hdr(struct cr_rst *r);
void *cr_read_body(struct cr_rst *r, u32 type, u32 min, u32 max);
int cr_read_pages(struct cr_rst *r, struct page **pages, unsigned int n);

/* format.c: the image's constants and the kernel's, both ways */
bool cr_vma_flags_to_image(vm_flags_t vm_flags, u32 *prot, u32 *flags,
			   vm_flags_t *unknown);
vm_flags_t cr_vma_flags_from_image(u32 prot, u32 flags);
const char *cr_vm_flag_name(vm_flags_t flag);
bool cr_mm_flags_to_image(unsigned long mm_flags, u32 *flags,
			  u32 *dump_filter, unsigned long *unknown);
unsigned long cr_mm_flags_from_image(u32 flags, u32 dump_filter);

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

/* checkpoint.c, restart.c: the two syscalls' work */
long cr_checkpoint(struct cr_ctx *ctx);
int cr_restart(struct cr_ctx *ctx, long *ax);

/* task.c: the task record */
u32 cr_fill_task(struct cr_ctx *ctx, void *buf);
int cr_read_task(struct cr_rst *r);
void cr_restore_task(struct cr_rst *r);

/* mm.c: the mm record and the VMAs */
int cr_write_mm(struct cr_ctx *ctx);
int cr_read_mm(struct cr_rst *r);

/* pages.c: the saved pages and the page stores */
extern const struct cr_page_store cr_file_store;
int cr_write_vma_pages(struct cr_ctx *ctx, unsigned long start,
		       unsigned long end);
int cr_read_vma_pages(struct cr_rst *r, u64 *last);
int cr_fill_pages(struct cr_rst *r, const u64 *addrs, unsigned int n,
		  struct page **src);

/* pram_store.c: a PRAM node as the page store */
#ifdef CONFIG_PRAM
int cr_pram_store_open(struct cr_ctx *ctx);
#else
static inline int cr_pram_store_open(struct cr_ctx *ctx)
{
	return 0;
}
#endif

#endif /* _CHECKPOINT_INTERNAL_H */

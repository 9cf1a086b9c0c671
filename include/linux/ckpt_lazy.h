/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checkpoint/restart: lazy restart. The ranges of pages an address space
 * has still to fill (checkpoint/lazy_ranges.c), and what mm/ asks of a
 * lazy address space (mm/checkpoint_lazy.c): fill a page on its first
 * fault, forget pages that are unmapped or discarded, fill a range
 * before it is copied or moved, and let go of the image at the end.
 */
#ifndef _CHECKPOINT_LAZY_H
#define _CHECKPOINT_LAZY_H

#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/maple_tree.h>
#include <linux/mm_types.h>
#include <linux/pram.h>
#include <linux/types.h>
#include <uapi/linux/ckpt_hdr.h>

struct file;
struct folio;
struct vm_fault;

/* cr_lazy_run.state, or a negative errno once its batch proved bad */
#define CR_LAZY_UNREAD	0	/* only the batch's bounds are known */
#define CR_LAZY_READ	1	/* its addresses and checksums are in */

/**
 * struct cr_lazy_run - one batch of saved pages left in the image
 * @start: the address of its first page
 * @last: the address of its last page
 * @nr: how many pages; they are at increasing addresses in
 *	[@start, @last], all of them when @nr spans it (a dense batch)
 * @flags: the batch's %CR_PAGES_* flags: 0 when its contents are in the
 *	image, %CR_PAGES_PRAM when they are pages the PRAM node keeps
 * @state: %CR_LAZY_UNREAD, %CR_LAZY_READ, or the negative errno that
 *	its reading ended with; set with release semantics once @meta and
 *	@data_off are
 * @meta_off: the image offset of the batch's addresses, which its page
 *	checksums follow (&struct cr_hdr_pgarr)
 * @digest: the batch's digest, to check them against
 * @data_off: the image offset of the first page's contents, once read
 * @kept: with %CR_PAGES_PRAM, the place of the first page in the node's
 *	page stream
 * @meta: once read: the @nr addresses, then the @nr page checksums
 *	(none with %CR_PAGES_PRAM)
 * @filled: once read: a bit for each of the @nr pages, set when a fault
 *	filled it (cr_lazy_filled()), after the rest of @meta
 *
 * A lazy restart knows a batch by the fixed part of its PGARR record
 * alone; the first fill that needs a page of it reads the rest
 * (cr_lazy_run_read()).
 */
struct cr_lazy_run {
	unsigned long start;
	unsigned long last;
	unsigned int nr;
	u32 flags;
	int state;
	u64 meta_off;
	u64 digest;
	u64 data_off;
	struct pram_pos kept;
	u64 *meta;
	unsigned long *filled;
};

/* The u64s of a read run's addresses and checksums (struct cr_lazy_run). */
static inline size_t cr_lazy_meta_words(const struct cr_lazy_run *run)
{
	/* A PRAM node keeps the pages: no checksums. */
	return (size_t)run->nr * (run->flags & CR_PAGES_PRAM ? 1 : 2);
}

/* The bytes a read run's @meta takes, with its bitmap of pages filled. */
static inline size_t cr_lazy_meta_size(const struct cr_lazy_run *run)
{
	return cr_lazy_meta_words(run) * sizeof(u64) +
	       BITS_TO_LONGS(run->nr) * sizeof(unsigned long);
}

/**
 * struct cr_lazy_ranges - the pages of an address space still to fill
 * @mt: the ranges, by address, each pointing to its run
 * @chunks: the runs the ranges came from, allocated a chunk at a time
 *	before the address space runs, freed with the set
 *
 * A page is in the set when its range is and its run does not mark it
 * filled (&cr_lazy_run.filled).
 */
struct cr_lazy_ranges {
	struct maple_tree mt;
	struct list_head chunks;
};

void cr_lazy_ranges_init(struct cr_lazy_ranges *lr);
void cr_lazy_ranges_publish(struct cr_lazy_ranges *lr);
struct cr_lazy_run *cr_lazy_run_alloc(struct cr_lazy_ranges *lr,
				      unsigned long start, unsigned long last,
				      unsigned int nr, u64 meta_off,
				      u64 digest);
long cr_lazy_index(const struct cr_lazy_run *run, unsigned long addr);
void cr_lazy_run_set(struct cr_lazy_ranges *lr, struct cr_lazy_run *run,
		     u64 *meta, u64 data_off);
int cr_lazy_run_read(struct cr_lazy_ranges *lr, struct cr_lazy_run *run,
		     struct file *file, loff_t base);
int cr_lazy_add(struct cr_lazy_ranges *lr, struct cr_lazy_run *run,
		unsigned long start, unsigned long end);
struct cr_lazy_run *cr_lazy_find(struct cr_lazy_ranges *lr,
				 unsigned long addr);
u64 cr_lazy_page(const struct cr_lazy_run *run, unsigned long addr, u64 *sum);
const u64 *cr_lazy_sums(const struct cr_lazy_run *run, unsigned long addr);
long cr_lazy_remove(struct cr_lazy_ranges *lr, unsigned long start,
		    unsigned long end);
long cr_lazy_remove_run(struct cr_lazy_ranges *lr, struct cr_lazy_run *run,
			unsigned long start, unsigned long end);
long cr_lazy_remove_filled(struct cr_lazy_ranges *lr, struct cr_lazy_run *run,
			   unsigned long start, unsigned long end);
void cr_lazy_filled(struct cr_lazy_ranges *lr, unsigned long addr);
int cr_lazy_poison(struct cr_lazy_ranges *lr, unsigned long addr);
void cr_lazy_poison_run(struct cr_lazy_ranges *lr, struct cr_lazy_run *run);
bool cr_lazy_next(struct cr_lazy_ranges *lr, unsigned long *addr,
		  unsigned long *end);
bool cr_lazy_next_poisoned(struct cr_lazy_ranges *lr, unsigned long *addr,
			   unsigned long *end);
void cr_lazy_ranges_destroy(struct cr_lazy_ranges *lr);

/*
 * Whether a fill failed for a while only (no memory, or a fatal signal
 * of the task that read): the page or batch stays to fill, not poisoned.
 */
static inline bool cr_lazy_transient(int err)
{
	return err == -ENOMEM || err == -EINTR || err == -ERESTARTSYS ||
	       err == -EAGAIN;
}

/* A page that could not be filled: a touch gets SIGBUS. */
extern struct cr_lazy_run cr_lazy_poisoned;

#ifdef CONFIG_CHECKPOINT
/* What mm/checkpoint_fill.c gives the background: map a filled folio. */
void checkpoint_map_anon_pte(struct vm_area_struct *vma, unsigned long addr,
			     pte_t *ptep, spinlock_t *ptl, struct folio *folio);

bool ckpt_lazy_pending(struct mm_struct *mm);

/* Whether @mm has pages a lazy restart has still to fill. */
static inline bool mm_lazy(struct mm_struct *mm)
{
	return unlikely(READ_ONCE(mm->ckpt_lazy)) && ckpt_lazy_pending(mm);
}

struct ckpt_lazy *ckpt_lazy_create(struct mm_struct *mm, struct file *file,
				   loff_t base);
int ckpt_lazy_add_batch(struct mm_struct *mm, unsigned long first,
			unsigned long last, unsigned int n, u64 meta_off,
			u64 digest, const struct pram_pos *kept);
void ckpt_lazy_publish(struct mm_struct *mm);
void ckpt_lazy_start(struct mm_struct *mm);
struct cr_lazy_run *ckpt_lazy_lookup(struct vm_fault *vmf);
vm_fault_t ckpt_lazy_map_in_place(struct vm_fault *vmf,
				  struct cr_lazy_run *run);
vm_fault_t ckpt_lazy_fill(struct vm_fault *vmf, struct cr_lazy_run *run,
			  struct folio *folio);
bool ckpt_lazy_still(struct vm_fault *vmf, struct cr_lazy_run *run);
void ckpt_lazy_filled(struct vm_fault *vmf);
void ckpt_lazy_unmap(struct mm_struct *mm, unsigned long start,
		     unsigned long end);
int ckpt_lazy_fill_range(struct mm_struct *mm, unsigned long start,
			 unsigned long end);
void ckpt_lazy_exit(struct mm_struct *mm);
#else
static inline bool mm_lazy(struct mm_struct *mm)
{
	return false;
}

static inline struct cr_lazy_run *ckpt_lazy_lookup(struct vm_fault *vmf)
{
	return NULL;
}

static inline vm_fault_t ckpt_lazy_map_in_place(struct vm_fault *vmf,
						struct cr_lazy_run *run)
{
	return VM_FAULT_FALLBACK;
}

static inline vm_fault_t ckpt_lazy_fill(struct vm_fault *vmf,
					struct cr_lazy_run *run,
					struct folio *folio)
{
	return 0;
}

static inline bool ckpt_lazy_still(struct vm_fault *vmf,
				   struct cr_lazy_run *run)
{
	return false;
}

static inline void ckpt_lazy_filled(struct vm_fault *vmf)
{
}

static inline void ckpt_lazy_unmap(struct mm_struct *mm, unsigned long start,
				   unsigned long end)
{
}

static inline int ckpt_lazy_fill_range(struct mm_struct *mm,
				       unsigned long start, unsigned long end)
{
	return 0;
}

static inline void ckpt_lazy_exit(struct mm_struct *mm)
{
}
#endif

#endif /* _CHECKPOINT_LAZY_H */

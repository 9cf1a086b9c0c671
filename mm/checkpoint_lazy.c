// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lazy restart: an address space whose saved anonymous pages are still
 * in the image, filled on first touch and from the background.
 *
 * restart(2) with RESTART_LAZY reads and checks every record but the
 * batches of pages of private anonymous mappings, of which it reads the
 * bounds and digest alone (struct cr_hdr_pgarr): the rest stays in the
 * image file, and each batch's span goes into the address space's set of
 * ranges still to fill (checkpoint/lazy_ranges.c). The first fill that
 * needs a page of a batch reads the batch's addresses and checksums and
 * checks them (ckpt_lazy_read_run()). A fault on such a page fills it
 * in the faulting task's context: do_anonymous_page() asks
 * ckpt_lazy_lookup() whether the page is one, allocates its folio as for
 * any anonymous fault, has ckpt_lazy_fill() read the page's contents
 * from the image and check them against their XXH64, and
 * maps it, after ckpt_lazy_still() says under the page table lock that
 * the page was not dropped meanwhile; ckpt_lazy_filled() then takes it
 * out of the set. A page that cannot be read, or is not what was saved,
 * gets SIGBUS, with a kernel log line, on this and every later touch:
 * never other contents.
 *
 * A page a PRAM node keeps is not copied on a read: the fault maps the
 * node's page itself, read-only, as eager restart does after kexec
 * (ckpt_lazy_map_in_place()), and the background maps them so too.
 *
 * Whatever else reaches the pages goes through the same fault: GUP for
 * /proc/PID/mem, ptrace, process_vm_readv() and O_DIRECT. What does not
 * fault fills first (ckpt_lazy_fill_range()): fork() fills the whole
 * address space before copying it, so the child sees the same memory;
 * mremap() fills what it moves; a core dump and checkpoint(2) fill
 * everything before they read it. A page that cannot be filled there is
 * made a poison PTE marker, which fork() and mremap() carry along and
 * checkpoint(2) refuses: lost data stays lost, never zeroes. What unmaps
 * or discards pages takes them out of the set before zapping
 * (ckpt_lazy_unmap(), from unmap_single_vma()): after munmap() or
 * MADV_DONTNEED the range reads zeroes, never the image. No transparent
 * huge page is made in a lazy address space
 * (__thp_vma_allowable_orders()), since a huge fault or a collapse would
 * zero-fill pages that are still in the image; once the background is
 * done, it is an ordinary address space again (ckpt_lazy_pending()).
 *
 * Work items (CKPT_LAZY_WORKERS of them) fill the rest in address
 * order, each a batch at a time, as the faults would
 * (ckpt_lazy_fill_batch()): folios allocated, the image read into them
 * with one read and no lock held, each page checked, and mapped where it
 * is still to fill, checked under the page table lock as for a fault.
 * Once no page is left, the image is let go: the file, which nobody
 * could write meanwhile (deny_write_access(), as exec does), is closed.
 * The restored task never waits for its reads (a read fault on a kept
 * page may wait for its mapping: &ckpt_lazy.kept_lock). exit_mmap()
 * stops the work and frees the set (ckpt_lazy_exit()).
 */
#include <linux/bvec.h>
#include <linux/ckpt.h>
#include <linux/ckpt_lazy.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/uio.h>
#include <linux/workqueue.h>

#include "internal.h"

/*
 * Pages the background fills per round, with one read; it holds no lock
 * while it reads, and lets go between rounds. A page table's worth: one
 * work item, one claim and one cut per 2 MiB.
 */
#define CKPT_LAZY_BATCH		512

/*
 * Work items of the background, each filling a batch at a time: with the
 * task idle, the pages come in at the rate of as many CPUs (with two, a
 * 1 GiB image from tmpfs filled in 0.76 to 0.85 times eager restart's
 * time instead of 1.1 to 1.2 under TCG); with the task busy, they share
 * the CPUs with it as any other work of the system.
 */
#define CKPT_LAZY_WORKERS	2

struct ckpt_lazy_worker {
	struct delayed_work work;
	struct ckpt_lazy *lz;
};

/*
 * How long the workers but the first wait to begin: the restored task
 * runs at once, and another worker woken on its CPU would take that CPU
 * from it before its first instruction (a restart of 1 GiB reached it
 * in 6.4 ms instead of 3 when both began together).
 */
#define CKPT_LAZY_SPREAD_DELAY	msecs_to_jiffies(10)

/* How long a worker that found no memory for a batch waits to try again. */
#define CKPT_LAZY_NOMEM_DELAY	msecs_to_jiffies(20)

/**
 * struct ckpt_lazy - what a lazy address space has still to fill
 * @ranges: the pages still in the image, by address
 * @mm: the address space; it holds this (&mm_struct.ckpt_lazy)
 * @file: the image, written by nobody while held; NULL once released
 * @base: the file offset the image starts at
 * @pram: for an image in a PRAM node, the node held open for loading
 *	while @file is, so that the pages it keeps stay (pram_page_at())
 * @kept: @pram is open
 * @io_unlocked: reads of @file may wait for I/O or take locks of its own:
 *	a fault drops its lock to read (ckpt_lazy_fill_unlocked())
 * @sem: held for reading while a page is read from @file, for writing
 *	to release it
 * @read_lock: serialises the reading of a batch's addresses and
 *	checksums (ckpt_lazy_read_run())
 * @workers: the background filling, a work item per CPU up to
 *	%CKPT_LAZY_WORKERS, each a batch at a time
 * @next_lock: serialises the claiming of batches (ckpt_lazy_claim())
 * @next: where the background's next batch begins
 * @finishing: a worker found the set empty, and finishes (ckpt_lazy_round())
 * @stop: the address space is going away: the background stops
 * @done: every page is filled, or poisoned and a poison PTE marker:
 *	the address space is an ordinary one again (ckpt_lazy_pending())
 * @kept_lock: held by whoever has a reference on a kept page to map it
 *	in place (the background, a read fault), from taking the reference
 *	to dropping it: a kept page is mapped as it is only while the node's
 *	reference and the mapper's are all it has (pram_page_fresh()), and
 *	two mappers that each see the other's reference would both copy it
 */
struct ckpt_lazy {
	struct cr_lazy_ranges ranges;
	struct mm_struct *mm;
	struct file *file;
	loff_t base;
	struct pram_stream pram;
	bool kept;
	bool io_unlocked;
	struct rw_semaphore sem;
	struct mutex read_lock;	/* one batch read at a time */
	struct ckpt_lazy_worker workers[CKPT_LAZY_WORKERS];
	struct mutex next_lock;	/* one claim of a batch at a time */
	unsigned long next;
	bool finishing;
	bool stop;
	bool done;
	struct mutex kept_lock;	/* one mapper of kept pages at a time */
};

static void ckpt_lazy_work(struct work_struct *work);
static long ckpt_lazy_fill_batch(struct mm_struct *mm, struct ckpt_lazy *lz,
				 unsigned long start, unsigned long end);

/**
 * ckpt_lazy_create() - make an address space that restart builds lazy
 * @mm: the address space, not running yet
 * @file: the image it is restarted from: a regular file, or a PRAM node
 *	whose pages are then taken from the node
 * @base: the file offset the image starts at
 *
 * Return: the lazy state, or an ERR_PTR: -ETXTBSY when @file is open
 * for writing, -ENOMEM.
 */
struct ckpt_lazy *ckpt_lazy_create(struct mm_struct *mm, struct file *file,
				   loff_t base)
{
	struct ckpt_lazy *lz;
	int i, ret;

	lz = kzalloc(sizeof(*lz), GFP_KERNEL_ACCOUNT);
	if (!lz)
		return ERR_PTR(-ENOMEM);
	ret = deny_write_access(file);
	if (ret) {
		kfree(lz);
		return ERR_PTR(ret);
	}
	cr_lazy_ranges_init(&lz->ranges);
	if (pram_file_stream(file)) {
		pram_load_again(&lz->pram, pram_file_stream(file));
		lz->kept = true;
	}
	/*
	 * A tmpfs file or a PRAM node is read from memory, taking no lock
	 * of its own. Another file's read may sleep on the device and take
	 * the inode's lock (XFS, NFS), whose holders fault on user memory
	 * under it in write(): not under the mmap lock, then.
	 */
	lz->io_unlocked = !lz->kept && !shmem_file(file);
	lz->mm = mm;
	lz->file = get_file(file);
	lz->base = base;
	init_rwsem(&lz->sem);
	mutex_init(&lz->read_lock);
	mutex_init(&lz->kept_lock);
	mutex_init(&lz->next_lock);
	for (i = 0; i < CKPT_LAZY_WORKERS; i++) {
		lz->workers[i].lz = lz;
		INIT_DELAYED_WORK(&lz->workers[i].work, ckpt_lazy_work);
	}
	WRITE_ONCE(mm->ckpt_lazy, lz);
	return lz;
}

/**
 * ckpt_lazy_add_batch() - leave a batch of saved pages in the image
 * @mm: a lazy address space restart builds
 * @first: the address of the batch's first page
 * @last: the address of its last page, in the same anonymous VMA
 * @n: how many pages it has
 * @meta_off: the image offset of its addresses and checksums
 * @digest: their digest, from the batch's PGARR record
 * @kept: the place of its first page in the PRAM node's page stream, for
 *	a batch of pages the node keeps (%CR_PAGES_PRAM); NULL for a batch
 *	whose contents are in the image
 *
 * Every address from @first to @last goes into the set; those between
 * the batch's pages leave it when the batch is read.
 *
 * Return: 0 or -ENOMEM.
 */
int ckpt_lazy_add_batch(struct mm_struct *mm, unsigned long first,
			unsigned long last, unsigned int n, u64 meta_off,
			u64 digest, const struct pram_pos *kept)
{
	struct ckpt_lazy *lz = mm->ckpt_lazy;
	struct cr_lazy_run *run;

	run = cr_lazy_run_alloc(&lz->ranges, first, last, n, meta_off, digest);
	if (!run)
		return -ENOMEM;
	if (kept) {
		run->flags = CR_PAGES_PRAM;
		run->kept = *kept;
	}
	return cr_lazy_add(&lz->ranges, run, first, last + PAGE_SIZE);
}

/**
 * ckpt_lazy_publish() - make a lazy address space ready to run
 * @mm: an address space restart built, before any task can run in it
 *
 * Restart filled its set alone; faults, which look into it under RCU,
 * may come from now on.
 */
void ckpt_lazy_publish(struct mm_struct *mm)
{
	struct ckpt_lazy *lz = READ_ONCE(mm->ckpt_lazy);

	if (lz)
		cr_lazy_ranges_publish(&lz->ranges);
}

/**
 * ckpt_lazy_start() - start filling in the background
 * @mm: a lazy address space, running now
 */
void ckpt_lazy_start(struct mm_struct *mm)
{
	struct ckpt_lazy *lz = READ_ONCE(mm->ckpt_lazy);
	int i, n = min_t(int, num_online_cpus(), CKPT_LAZY_WORKERS);

	for (i = 0; lz && i < n; i++)
		queue_delayed_work(system_unbound_wq, &lz->workers[i].work,
				   i ? CKPT_LAZY_SPREAD_DELAY : 0);
}

/* Close the image: nothing is left to read from it. */
static void ckpt_lazy_release(struct ckpt_lazy *lz)
{
	struct file *file;

	down_write(&lz->sem);
	file = lz->file;
	lz->file = NULL;
	up_write(&lz->sem);
	if (file) {
		if (lz->kept)
			pram_finish_load(&lz->pram);
		allow_write_access(file);
		fput(file);
	}
}

/**
 * ckpt_lazy_pending() - whether a lazy address space is lazy still
 * @mm: an address space a lazy restart made
 *
 * Once the background has filled every page it could and made the rest
 * poison PTE markers, nothing of the address space is in the set but
 * what the page tables say too: faults, fork(), mremap() and the rest
 * need not ask the set any more, and transparent huge pages, which a
 * lazy address space does not make (they would zero-fill pages still in
 * the image), are made again.
 *
 * Return: true while pages are still to fill.
 */
bool ckpt_lazy_pending(struct mm_struct *mm)
{
	struct ckpt_lazy *lz = READ_ONCE(mm->ckpt_lazy);

	/* Pairs with the release in ckpt_lazy_round(): the markers are in. */
	return lz && !smp_load_acquire(&lz->done);
}

/**
 * ckpt_lazy_lookup() - whether a fault is on a page still to fill
 * @vmf: a fault on a missing page of an anonymous VMA
 *
 * Return: the page's run (&cr_lazy_poisoned for a page that gets
 * SIGBUS), or NULL for a page to fault as any other.
 */
struct cr_lazy_run *ckpt_lazy_lookup(struct vm_fault *vmf)
{
	struct ckpt_lazy *lz = READ_ONCE(vmf->vma->vm_mm->ckpt_lazy);

	if (!lz)
		return NULL;
	return cr_lazy_find(&lz->ranges, vmf->address);
}

/*
 * Have @run's addresses and checksums, reading them the first time (the
 * image's @lz->file held, @lz->sem held). A batch that cannot be had or
 * is not what was saved poisons all its pages left, with one log line;
 * want of memory or a fatal signal leaves it to try again. Returns 0, a
 * passing error (cr_lazy_transient()), or the errno the batch went bad
 * with.
 */
static int ckpt_lazy_read_run(struct ckpt_lazy *lz, struct cr_lazy_run *run)
{
	/* Pairs with the release in cr_lazy_run_set(): @run's data is in. */
	int ret = smp_load_acquire(&run->state);

	lockdep_assert_held(&lz->sem);
	if (ret == CR_LAZY_READ)
		return 0;
	mutex_lock(&lz->read_lock);
	ret = run->state;
	if (ret == CR_LAZY_UNREAD) {
		ret = cr_lazy_run_read(&lz->ranges, run, lz->file, lz->base);
		if (ret && !cr_lazy_transient(ret))
			pr_warn_ratelimited("restart: pid %d (%s): lazy pages %#lx-%#lx: their batch cannot be had from the image: error %d\n",
					    task_pid_nr(current), current->comm,
					    run->start, run->last + PAGE_SIZE,
					    ret);
	}
	/*
	 * Bad: what is left of it is poisoned, again if a store could not
	 * be made before, so that no fill finds it to read any more.
	 */
	if (ret < 0 && !cr_lazy_transient(ret))
		cr_lazy_poison_run(&lz->ranges, run);
	mutex_unlock(&lz->read_lock);
	return ret == CR_LAZY_READ ? 0 : ret;
}

/*
 * Copy the @n pages of @run from @start, which a PRAM node keeps, into
 * @pages, as eager restart copies a kept page it cannot map as it is
 * (the node open). Returns how many it copied, the first ones; *@err is
 * set for the page after them.
 */
static unsigned int ckpt_lazy_copy_kept(struct cr_lazy_run *run,
					unsigned long start,
					struct page **pages, unsigned int n,
					int *err)
{
	long idx = cr_lazy_index(run, start);
	struct page *src;
	unsigned int i;

	for (i = 0; i < n; i++) {
		/* The pages of one range of the set: consecutive in the node. */
		src = idx < 0 ? NULL : pram_page_at(&run->kept, idx + i);
		if (WARN_ON_ONCE(!src)) {
			*err = -EINVAL;
			break;
		}
		copy_highpage(pages[i], src);
		put_page(src);
	}
	return i;
}

/*
 * Read the @n pages of @run from @start into @pages, with one read into
 * @bvec (@n entries), and check each against its checksum; or copy them
 * from the PRAM node that keeps them. With @lz->sem held, the image still
 * there and @run read. Returns how many are good, the first ones; *@err
 * is set for the page after them.
 */
static unsigned int ckpt_lazy_read(struct ckpt_lazy *lz,
				   struct cr_lazy_run *run, unsigned long start,
				   struct page **pages, struct bio_vec *bvec,
				   unsigned int n, int *err)
{
	struct iov_iter iter;
	const u64 *want;
	unsigned int i;
	ssize_t got;
	loff_t pos;
	u64 off, sum;

	lockdep_assert_held(&lz->sem);
	if (run->flags & CR_PAGES_PRAM)
		return ckpt_lazy_copy_kept(run, start, pages, n, err);
	/* The pages of one range of the set: consecutive in the image too. */
	off = cr_lazy_page(run, start, &sum);
	if (WARN_ON_ONCE(off == U64_MAX ||
			 cr_lazy_page(run, start + (n - 1) * PAGE_SIZE, &sum) !=
			 off + ((u64)(n - 1) << PAGE_SHIFT))) {
		*err = -EINVAL;
		return 0;
	}
	for (i = 0; i < n; i++)
		bvec_set_page(&bvec[i], pages[i], PAGE_SIZE, 0);
	iov_iter_bvec(&iter, ITER_DEST, bvec, n, (size_t)n * PAGE_SIZE);
	pos = lz->base + off;
	got = vfs_iter_read(lz->file, &iter, &pos, 0);
	*err = got < 0 ? got : -ENODATA;
	n = got < 0 ? 0 : min_t(unsigned int, n, got >> PAGE_SHIFT);
	/*
	 * Checked here, on this CPU: not over CPUs with work items as eager
	 * restart checks its batches (cr_check_page_sums()), since the
	 * background is itself work of system_unbound_wq, whose active
	 * slots workers waiting for their parts could fill (see
	 * CKPT_LAZY_WORKERS for spreading the background itself).
	 */
	want = cr_lazy_sums(run, start);
	for (i = 0; i < n; i++)
		if (cr_page_sum(pages[i]) != want[i]) {
			*err = -EBADMSG;
			break;
		}
	return i;
}

/*
 * The fault of a page of an image whose reads may wait for I/O or take
 * the file's locks: as filemap_fault() does for I/O, the fault's lock
 * (the VMA's or the mmap lock) is dropped, the page filled as the
 * background fills, with the mmap lock taken only to allocate and to
 * map (ckpt_lazy_fill_batch()), and the fault retried, to find the page
 * mapped; or poisoned, for SIGBUS; or still to fill for want of memory,
 * which the retry, not allowed to drop its lock again, answers with
 * VM_FAULT_OOM. A major fault: the page came from the file.
 */
static vm_fault_t ckpt_lazy_fill_unlocked(struct vm_fault *vmf,
					  struct ckpt_lazy *lz)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	unsigned long addr = vmf->address & PAGE_MASK;

	/* The faulting task, or GUP's caller, holds a user already. */
	if (!mmget_not_zero(mm))
		return VM_FAULT_SIGBUS;
	release_fault_lock(vmf);
	ckpt_lazy_fill_batch(mm, lz, addr, addr + PAGE_SIZE);
	mmput(mm);
	return VM_FAULT_RETRY | VM_FAULT_MAJOR;
}

/**
 * ckpt_lazy_fill() - fill a new folio with a page from the image
 * @vmf: the fault
 * @run: the page's run, from ckpt_lazy_lookup()
 * @folio: the order-0 folio do_anonymous_page() allocated for it
 *
 * Called without the page table lock; may sleep on the read. A page
 * that cannot be read, or whose contents are not what was saved, is
 * kept in the set as poisoned: this and every later touch get SIGBUS.
 * An image whose reads may wait for I/O or take locks of the file's own
 * is not read under the fault's lock where the fault may drop it
 * (ckpt_lazy_fill_unlocked()); where it may not (GUP for a caller that
 * holds the mmap lock, as /proc/PID/mem), it is, as filemap_fault() then
 * reads.
 *
 * Return: 0 when @folio holds the page; VM_FAULT_SIGBUS;
 * VM_FAULT_OOM when the page's batch could not be read for want of
 * memory; VM_FAULT_NOPAGE when the page is not in the set any more
 * (filled by another fault, or an address of its batch that was not
 * saved): the access is retried; or VM_FAULT_RETRY, with the fault's
 * lock released.
 */
vm_fault_t ckpt_lazy_fill(struct vm_fault *vmf, struct cr_lazy_run *run,
			  struct folio *folio)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	struct ckpt_lazy *lz = READ_ONCE(mm->ckpt_lazy);
	struct bio_vec bvec;
	struct page *page;
	bool filled;
	int ret;

	if (run == &cr_lazy_poisoned)
		return VM_FAULT_SIGBUS;
	if (lz->io_unlocked && vmf->flags & FAULT_FLAG_ALLOW_RETRY &&
	    !(vmf->flags & FAULT_FLAG_RETRY_NOWAIT)) {
		if (!(vmf->flags & FAULT_FLAG_TRIED))
			return ckpt_lazy_fill_unlocked(vmf, lz);
		/* Left for want of memory, the lock not to be dropped again. */
		return VM_FAULT_OOM;
	}
	down_read(&lz->sem);
	if (!lz->file) {
		up_read(&lz->sem);
		/* Filled by another, or the background gave up on it. */
		if (cr_lazy_find(&lz->ranges, vmf->address) != run)
			return VM_FAULT_NOPAGE;
		return VM_FAULT_SIGBUS;
	}
	ret = ckpt_lazy_read_run(lz, run);
	if (ret) {
		up_read(&lz->sem);
		if (ret == -ENOMEM)
			return VM_FAULT_OOM;
		/* A fatal signal: the access is retried, or the task dies. */
		return cr_lazy_transient(ret) ? VM_FAULT_NOPAGE : VM_FAULT_SIGBUS;
	}
	/* Not one of the batch's pages: it has left the set, and faults as any. */
	if (cr_lazy_find(&lz->ranges, vmf->address) != run) {
		up_read(&lz->sem);
		return VM_FAULT_NOPAGE;
	}
	page = folio_page(folio, 0);
	filled = ckpt_lazy_read(lz, run, vmf->address & PAGE_MASK, &page, &bvec,
				1, &ret);
	up_read(&lz->sem);
	if (filled)
		return 0;
	/* Dropped or filled meanwhile, or a passing error: retried. */
	if (cr_lazy_find(&lz->ranges, vmf->address) != run ||
	    cr_lazy_transient(ret))
		return ret == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_NOPAGE;

	pr_warn_ratelimited("restart: pid %d (%s): lazy page %#lx cannot be filled from the image: error %d\n",
			    task_pid_nr(current), current->comm,
			    vmf->address & PAGE_MASK, ret);
	cr_lazy_poison(&lz->ranges, vmf->address);
	return VM_FAULT_SIGBUS;
}

/**
 * ckpt_lazy_still() - whether a page being filled is still to fill
 * @vmf: the fault, with the page table lock held
 * @run: the run ckpt_lazy_lookup() found
 *
 * A page dropped meanwhile (MADV_DONTNEED, which takes it out of the set
 * before it zaps) must not get the image's contents: the fault is then
 * retried, and faults as any other.
 *
 * Return: true when the page may be mapped.
 */
bool ckpt_lazy_still(struct vm_fault *vmf, struct cr_lazy_run *run)
{
	struct ckpt_lazy *lz = READ_ONCE(vmf->vma->vm_mm->ckpt_lazy);

	lockdep_assert_held(vmf->ptl);
	return cr_lazy_find(&lz->ranges, vmf->address) == run;
}

/**
 * ckpt_lazy_filled() - take a page just mapped out of the set
 * @vmf: the fault, the page table lock released
 *
 * The page is marked filled in its run (cr_lazy_filled()), which takes
 * no memory: no range is split for it. Meanwhile it is mapped, so it
 * faults no more, and a fill that looks it up finds its PTE taken.
 */
void ckpt_lazy_filled(struct vm_fault *vmf)
{
	struct ckpt_lazy *lz = READ_ONCE(vmf->vma->vm_mm->ckpt_lazy);

	cr_lazy_filled(&lz->ranges, vmf->address);
}

/**
 * ckpt_lazy_unmap() - forget pages about to be unmapped or discarded
 * @mm: the address space
 * @start: the first address
 * @end: the address after the last
 *
 * Called by unmap_single_vma() before it zaps, for munmap(), mremap()'s
 * and mmap()'s unmapping, MADV_DONTNEED and the end of the address
 * space: what was there reads zeroes now, as memory just mapped does.
 * With the mmap lock held.
 */
void ckpt_lazy_unmap(struct mm_struct *mm, unsigned long start,
		     unsigned long end)
{
	struct ckpt_lazy *lz = READ_ONCE(mm->ckpt_lazy);

	if (!lz)
		return;
	mmap_assert_locked(mm);
	/*
	 * Splitting a range may need a maple tree node. The pages must go
	 * (else they would come back from the image), and a zap cannot
	 * fail: retry, as the allocator does for __GFP_NOFAIL.
	 */
	while (cr_lazy_remove(&lz->ranges, start & PAGE_MASK,
			      PAGE_ALIGN(end)) == -ENOMEM)
		cond_resched();
}

/*
 * A batch of the background: its folios, and the read into them; or the
 * pages a PRAM node keeps, and their addresses. The arrays have room for
 * the batch's pages alone, in one allocation: a fault that fills one page
 * (an image read without its lock) asks for 32 bytes, a full batch for
 * 16 KiB (order 2).
 */
struct ckpt_lazy_batch {
	struct bio_vec *bvec;
	struct page **pages;
	u64 *addrs;
};

#define CKPT_LAZY_BATCH_PAGE	(sizeof(struct bio_vec) + \
				 sizeof(struct page *) + sizeof(u64))

/* Room in @b for @n pages: 0 or -ENOMEM. */
static int ckpt_lazy_batch_alloc(struct ckpt_lazy_batch *b, unsigned int n)
{
	b->bvec = kmalloc_array(n, CKPT_LAZY_BATCH_PAGE, GFP_KERNEL);
	if (!b->bvec)
		return -ENOMEM;
	b->pages = (struct page **)(b->bvec + n);
	b->addrs = (u64 *)(b->pages + n);
	return 0;
}

static void ckpt_lazy_batch_free(struct ckpt_lazy_batch *b)
{
	/* The arrays are one allocation, the bio_vecs first. */
	kfree(b->bvec);
}

/*
 * Read @n pages of @run from @start into @b's pages, without the mmap
 * lock (ckpt_lazy_read()). Returns how many are good, the first ones;
 * *@err is set for the page after them.
 */
static unsigned int ckpt_lazy_read_batch(struct ckpt_lazy *lz,
					 struct cr_lazy_run *run,
					 unsigned long start, unsigned int n,
					 struct ckpt_lazy_batch *b, int *err)
{
	down_read(&lz->sem);
	if (lz->file) {
		n = ckpt_lazy_read(lz, run, start, b->pages, b->bvec, n, err);
	} else {
		*err = -ENODATA;
		n = 0;
	}
	up_read(&lz->sem);
	return n;
}

/*
 * Map those of pages [@i, @n) of @b, read from @start, that lie in the
 * page table of the first, under one take of its lock, where each is
 * still to fill: the page still in the set with @run, as
 * ckpt_lazy_still() says for a fault (MADV_DONTNEED that dropped it, or
 * a fault that poisoned it, wins), and its PTE empty (else its fault
 * filled it first: the copy here is dropped). Each page filled either
 * way is cleared from @b. Returns the index after the last page it went
 * through, or -ENOMEM for want of a page table.
 */
static int ckpt_lazy_map_table(struct ckpt_lazy *lz,
			       struct vm_area_struct *vma,
			       struct cr_lazy_run *run, unsigned long start,
			       unsigned int i, unsigned int n,
			       struct ckpt_lazy_batch *b)
{
	unsigned long addr = start + i * PAGE_SIZE;
	unsigned long end = pmd_addr_end(addr, vma->vm_end);
	spinlock_t *ptl;	/* the page table's lock */
	pte_t *pte, *ptep;
	unsigned int nr = 0;

	pte = get_locked_pte(vma->vm_mm, addr, &ptl);
	if (!pte)
		return -ENOMEM;
	for (ptep = pte; i < n && addr < end; i++, addr += PAGE_SIZE, ptep++) {
		if (cr_lazy_find(&lz->ranges, addr) != run)
			continue;
		if (pte_none(ptep_get(ptep))) {
			checkpoint_map_anon_pte(vma, addr, ptep, ptl,
						page_folio(b->pages[i]));
			nr++;
		} else {
			folio_put(page_folio(b->pages[i]));
		}
		b->pages[i] = NULL;
	}
	add_mm_counter(vma->vm_mm, MM_ANONPAGES, nr);
	pte_unmap_unlock(pte, ptl);
	return i;
}

/*
 * Map the @n pages of @b read from @start, a page table at a time (see
 * ckpt_lazy_map_table()). With the mmap lock held; returns how many
 * pages it went through, fewer than @n when it had no memory for a page
 * table.
 */
static unsigned int ckpt_lazy_map_batch(struct ckpt_lazy *lz,
					struct vm_area_struct *vma,
					struct cr_lazy_run *run,
					unsigned long start, unsigned int n,
					struct ckpt_lazy_batch *b)
{
	unsigned int i = 0;
	int next;

	mmap_assert_locked(vma->vm_mm);
	if (anon_vma_prepare(vma))
		return 0;
	while (i < n) {
		next = ckpt_lazy_map_table(lz, vma, run, start, i, n, b);
		if (next < 0)
			break;
		i = next;
	}
	return i;
}

/*
 * Take the pages of @run mapped (cleared from @b) of the first @n from
 * @start out of the set, a stretch at a time, each with the pages its
 * fault marked filled beside it (cr_lazy_remove_filled()).
 */
static void ckpt_lazy_cut_mapped(struct ckpt_lazy *lz, struct cr_lazy_run *run,
				 unsigned long start, unsigned int n,
				 struct ckpt_lazy_batch *b)
{
	unsigned int i, j;

	for (i = 0; i < n; i = j + 1) {
		for (j = i; j < n && !b->pages[j]; j++)
			;
		if (j > i)
			cr_lazy_remove_filled(&lz->ranges, run,
					      start + i * PAGE_SIZE,
					      start + j * PAGE_SIZE);
	}
}

/* For pram_map_pages(): whether a page is still to fill from a run. */
struct ckpt_lazy_want {
	struct ckpt_lazy *lz;
	struct cr_lazy_run *run;
};

static bool ckpt_lazy_wanted(void *arg, unsigned long addr)
{
	struct ckpt_lazy_want *w = arg;

	return cr_lazy_find(&w->lz->ranges, addr) == w->run;
}

/*
 * Map up to @n pages of @run, which a PRAM node keeps, from @start, as
 * they are (no copy), as eager restart maps them after kexec: those the
 * previous kernel left, which no one else maps (pram_map_pages()), and
 * which are still to fill, checked under the page table lock as for a
 * fault (ckpt_lazy_wanted()). They go out of the set. Returns how many
 * of the first pages were mapped, one after the other: 0 when the first
 * could not be (in the boot that saved it, say), for the caller to copy.
 */
static unsigned int ckpt_lazy_map_kept(struct mm_struct *mm,
				       struct ckpt_lazy *lz,
				       struct cr_lazy_run *run,
				       unsigned long start, unsigned int n,
				       struct ckpt_lazy_batch *b)
{
	struct ckpt_lazy_want want = { .lz = lz, .run = run };
	long idx = cr_lazy_index(run, start);
	struct vm_area_struct *vma;
	unsigned int i, got = 0;

	if (idx < 0 || mmap_read_lock_killable(mm))
		return 0;
	/* No fault holds a reference on these pages while we do. */
	mutex_lock(&lz->kept_lock);
	/* The node is held as long as the image is. */
	down_read(&lz->sem);
	while (lz->file && got < n) {
		b->pages[got] = pram_page_at(&run->kept, idx + got);
		if (!b->pages[got])
			break;
		b->addrs[got] = start + got * PAGE_SIZE;
		got++;
	}
	up_read(&lz->sem);
	/* As for a batch of copies: unmapped meanwhile, none to map. */
	vma = vma_lookup(mm, start);
	if (got && vma && start + got * PAGE_SIZE <= vma->vm_end)
		pram_map_pages(vma, b->addrs, b->pages, got,
			       ckpt_lazy_wanted, &want);
	/* Mapped: the page's reference is the mapping's now (NULL here). */
	for (i = 0; i < got && !b->pages[i]; i++)
		;
	n = i;
	for (; i < got; i++)
		if (b->pages[i])
			put_page(b->pages[i]);
	mutex_unlock(&lz->kept_lock);
	mmap_read_unlock(mm);
	ckpt_lazy_cut_mapped(lz, run, start, got, b);
	return n;
}

/*
 * The background holds @lz->kept_lock: wait for it as
 * __folio_lock_or_retry() waits for a folio's lock. Where the fault may
 * be retried, its lock is let go first and VM_FAULT_RETRY returned (at
 * once for FAULT_FLAG_RETRY_NOWAIT); else the mutex is taken, and 0
 * returned. The lazy state stays while the caller holds the mm.
 */
static vm_fault_t ckpt_lazy_kept_wait(struct vm_fault *vmf,
				      struct ckpt_lazy *lz)
{
	if (fault_flag_allow_retry_first(vmf->flags)) {
		if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
			return VM_FAULT_RETRY;
		release_fault_lock(vmf);
		if (!mutex_lock_killable(&lz->kept_lock))
			mutex_unlock(&lz->kept_lock);
		return VM_FAULT_RETRY;
	}
	mutex_lock(&lz->kept_lock);
	return 0;
}

/**
 * ckpt_lazy_map_in_place() - map a kept page on a read fault, no copy
 * @vmf: a fault on a missing page of an anonymous VMA
 * @run: the page's run, from ckpt_lazy_lookup()
 *
 * The read of a page a PRAM node keeps maps the node's page itself,
 * read-only and shared with the node, as eager restart maps it after
 * kexec (pram_map_fault_page()): no copy, and the first write copies it,
 * as after fork(). A write fault gets its copy at once, from
 * ckpt_lazy_fill(), as does a page the node cannot give as it is (in
 * the boot that saved it, or a page a second node lists too); errors of
 * the batch are left to ckpt_lazy_fill() too, which meets them again.
 * The background may be mapping the same page: &ckpt_lazy.kept_lock
 * lets one of them at a time hold it, for at most a batch's mapping.
 *
 * Return: 0 when the page is mapped; VM_FAULT_NOPAGE when something was
 * mapped meanwhile or the page was dropped (the access is retried);
 * VM_FAULT_RETRY, the fault's lock let go, after waiting for the
 * background (ckpt_lazy_kept_wait()); the errors of vmf_anon_prepare();
 * VM_FAULT_SIGBUS when the address space is going away; or
 * VM_FAULT_FALLBACK for the caller to fill a folio of its own.
 */
vm_fault_t ckpt_lazy_map_in_place(struct vm_fault *vmf,
				  struct cr_lazy_run *run)
{
	struct ckpt_lazy *lz = READ_ONCE(vmf->vma->vm_mm->ckpt_lazy);
	struct ckpt_lazy_want want = { .lz = lz, .run = run };
	unsigned long addr = vmf->address & PAGE_MASK;
	struct page *page = NULL;
	vm_fault_t fault;
	long idx;
	int ret;

	if (run == &cr_lazy_poisoned || !(run->flags & CR_PAGES_PRAM) ||
	    (vmf->flags & FAULT_FLAG_WRITE))
		return VM_FAULT_FALLBACK;
	/* The anon_vma the mapping joins, as for any anonymous fault. */
	fault = vmf_anon_prepare(vmf);
	if (fault)
		return fault;
	/* The background holds no reference on the page while we do. */
	if (!mutex_trylock(&lz->kept_lock)) {
		fault = ckpt_lazy_kept_wait(vmf, lz);
		if (fault)
			return fault;
	}
	/* The node is held as long as the image is. */
	down_read(&lz->sem);
	if (lz->file && !ckpt_lazy_read_run(lz, run)) {
		idx = cr_lazy_index(run, addr);
		if (idx >= 0)
			page = pram_page_at(&run->kept, idx);
	}
	up_read(&lz->sem);
	ret = page ? pram_map_fault_page(vmf, page, ckpt_lazy_wanted, &want) :
		     -EAGAIN;
	if (ret && page)
		put_page(page);
	mutex_unlock(&lz->kept_lock);
	if (!ret) {
		ckpt_lazy_filled(vmf);
		return 0;
	}
	if (ret == -EEXIST)
		return VM_FAULT_NOPAGE;
	return ret == -EFAULT ? VM_FAULT_SIGBUS : VM_FAULT_FALLBACK;
}

/*
 * Before a batch from @start, up to *@end: have the batch of the page at
 * @start read, which may take addresses that were not saved out of the
 * set and so end its range sooner (*@end is cut to it). Returns 0 to go
 * on; 1 when @start is not to fill (any more); a passing error
 * (cr_lazy_transient()); or -EIO for a batch that went bad (its pages are
 * poisoned), or when the image was let go since @start was looked up
 * (the background filled the last page meanwhile).
 */
static int ckpt_lazy_ready(struct ckpt_lazy *lz, unsigned long start,
			   unsigned long *end)
{
	struct cr_lazy_run *run = cr_lazy_find(&lz->ranges, start);
	unsigned long addr = start, stop;
	int ret;

	if (!run || run == &cr_lazy_poisoned)
		return 1;
	down_read(&lz->sem);
	ret = lz->file ? ckpt_lazy_read_run(lz, run) : -ENODATA;
	up_read(&lz->sem);
	if (ret)
		return cr_lazy_transient(ret) ? ret : -EIO;
	if (!cr_lazy_next(&lz->ranges, &addr, &stop) || addr != start)
		return 1;
	*end = min(*end, stop);
	return 0;
}

/*
 * Fill up to a batch of the lazy pages of @mm from @start, in one range
 * that ends at @end, as their faults would but a batch at a time: the
 * folios are allocated under the mmap lock (for reading), the image is
 * read into them with one read and without the lock, each page checked,
 * then they are mapped a page table at a time under the lock again; the
 * range goes out of the set. Pages a PRAM node keeps are mapped as they
 * are where they can be (ckpt_lazy_map_kept()), else copied so. A page
 * whose contents cannot be had is poisoned; one that cannot be had for
 * want of memory, or a fatal signal, stays, for a later try. The caller
 * holds a user reference on @mm, not its mmap lock. Returns how many
 * pages it went past, -EIO when the first was poisoned, -ENOMEM, or
 * -EINTR.
 */
static long ckpt_lazy_fill_batch(struct mm_struct *mm, struct ckpt_lazy *lz,
				 unsigned long start, unsigned long end)
{
	struct ckpt_lazy_batch batch, *b = &batch;
	struct vm_area_struct *vma;
	struct cr_lazy_run *run;
	struct folio *folio;
	unsigned int i, n, good = 0, mapped;
	int err;

	lockdep_assert_not_held(&mm->mmap_lock);
	err = ckpt_lazy_ready(lz, start, &end);
	if (err > 0)
		return err;
	if (err)
		goto fail;
	/* What a page that cannot be had now fails with, unless read. */
	err = -ENOMEM;
	n = min_t(unsigned long, (end - start) >> PAGE_SHIFT, CKPT_LAZY_BATCH);
	if (ckpt_lazy_batch_alloc(b, n))
		goto fail;
	/* Pages a PRAM node keeps: mapped as they are where they can be. */
	run = cr_lazy_find(&lz->ranges, start);
	if (run && run != &cr_lazy_poisoned && run->flags & CR_PAGES_PRAM) {
		good = ckpt_lazy_map_kept(mm, lz, run, start, n, b);
		if (good) {
			ckpt_lazy_batch_free(b);
			return good;
		}
	}
	if (mmap_read_lock_killable(mm)) {
		ckpt_lazy_batch_free(b);
		return -EINTR;
	}
	vma = vma_lookup(mm, start);
	run = cr_lazy_find(&lz->ranges, start);
	if (!run || run == &cr_lazy_poisoned) {
		/* Filled meanwhile (by its fault or the background), or lost. */
		mmap_read_unlock(mm);
		ckpt_lazy_batch_free(b);
		return 1;
	}
	if (!vma)
		n = 0;
	else
		n = min_t(unsigned long, n, (vma->vm_end - start) >> PAGE_SHIFT);
	for (i = 0; i < n; i++) {
		folio = checkpoint_alloc_anon(vma, start + i * PAGE_SIZE);
		if (!folio)
			break;
		b->pages[i] = folio_page(folio, 0);
	}
	n = i;
	mmap_read_unlock(mm);

	if (n)
		good = ckpt_lazy_read_batch(lz, run, start, n, b, &err);
	if (good) {
		if (mmap_read_lock_killable(mm)) {
			err = -EINTR;
			good = 0;
		} else {
			/*
			 * Unmapped meanwhile: the set has none of it now, and
			 * the pages of a VMA that moved are filled before. A
			 * VMA split meanwhile (mprotect(), say) gets what lies
			 * in it; the rest stays in the set, for a later round.
			 */
			vma = vma_lookup(mm, start);
			mapped = 0;
			if (vma) {
				good = min_t(unsigned long, good,
					     (vma->vm_end - start) >> PAGE_SHIFT);
				good = ckpt_lazy_map_batch(lz, vma, run, start,
							   good, b);
				mapped = good;
			}
			mmap_read_unlock(mm);
			err = -ENOMEM;
			/*
			 * Every page of @run's the batch mapped through is
			 * filled now: here, by its fault, or meanwhile.
			 */
			cr_lazy_remove_filled(&lz->ranges, run, start,
					      start + mapped * PAGE_SIZE);
		}
	}
	for (i = 0; i < n; i++)
		if (b->pages[i])
			folio_put(page_folio(b->pages[i]));
	ckpt_lazy_batch_free(b);
	if (good)
		return good;
	if (err == -EINTR)
		return -EINTR;
fail:
	/* No memory now, or a fatal signal: the page stays, for later. */
	if (cr_lazy_transient(err))
		return err == -ENOMEM ? -ENOMEM : -EINTR;
	/*
	 * Filled meanwhile, by a fault or the background, which may have let
	 * go of the image since (the read then fails): nothing is lost, and
	 * fork() must not fail for it.
	 */
	run = cr_lazy_find(&lz->ranges, start);
	if (!run)
		return 1;
	if (run != &cr_lazy_poisoned) {
		pr_warn_ratelimited("restart: lazy page %#lx cannot be filled: error %d\n",
				    start, err);
		cr_lazy_poison(&lz->ranges, start);
	}
	return -EIO;
}

/*
 * Make each poisoned page of [@start, @end) a poison PTE marker, what
 * UFFDIO_POISON installs for a page whose contents are lost, so that
 * what copies or moves page tables keeps it poisoned: fork() copies the
 * marker to the child (copy_nonpresent_pte(), for a VMA with an
 * anon_vma: vma_needs_copy()), mremap() moves it, checkpoint(2) refuses
 * it, and every touch, here or there, gets SIGBUS (handle_pte_marker()).
 * An empty PTE would read zeroes instead. The set keeps the page as
 * poisoned too: a drop (ckpt_lazy_unmap(), which takes it out of the set
 * before it zaps the marker) is checked for under the page table lock,
 * as for a fault (ckpt_lazy_still()).
 */
static int ckpt_lazy_mark_poisoned(struct mm_struct *mm, struct ckpt_lazy *lz,
				   unsigned long start, unsigned long end)
{
	unsigned long addr = start, stop;
	struct vm_area_struct *vma;
	spinlock_t *ptl;	/* the page table's lock */
	int ret = 0;
	pte_t *pte;

	/* The common case, nothing poisoned: no lock for fork() to take. */
	if (!cr_lazy_next_poisoned(&lz->ranges, &addr, &stop) || addr >= end)
		return 0;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	while (!ret && cr_lazy_next_poisoned(&lz->ranges, &addr, &stop) &&
	       addr < end) {
		for (stop = min(stop, end); addr < stop; addr += PAGE_SIZE) {
			vma = vma_lookup(mm, addr);
			if (!vma)
				continue;
			ret = -ENOMEM;
			if (anon_vma_prepare(vma))
				break;
			pte = get_locked_pte(mm, addr, &ptl);
			if (!pte)
				break;
			if (pte_none(ptep_get(pte)) &&
			    cr_lazy_find(&lz->ranges, addr) == &cr_lazy_poisoned)
				set_pte_at(mm, addr, pte,
					   make_pte_marker(PTE_MARKER_POISONED));
			pte_unmap_unlock(pte, ptl);
			ret = 0;
		}
	}
	mmap_read_unlock(mm);
	return ret;
}

/**
 * ckpt_lazy_fill_range() - fill the lazy pages of a range now
 * @mm: the address space, with a user reference held and the mmap lock
 *	not held
 * @start: the first address
 * @end: the address after the last
 *
 * For what reads an address space without faulting on it, or copies or
 * moves its page tables: fork(), mremap(), core dumps, checkpoint(2).
 * A page whose contents cannot be had is poisoned, and every poisoned
 * page of the range becomes a poison PTE marker, which those copy, move
 * or refuse as lost data (ckpt_lazy_mark_poisoned()); one that cannot be
 * had for want of memory is passed and stays.
 *
 * Return: 0 when every page of the range is filled or marked poisoned,
 * -ENOMEM when one is left for want of memory, or -EINTR on a fatal
 * signal.
 */
int ckpt_lazy_fill_range(struct mm_struct *mm, unsigned long start,
			 unsigned long end)
{
	struct ckpt_lazy *lz = READ_ONCE(mm->ckpt_lazy);
	unsigned long addr = start, stop;
	long got;
	int ret = 0;

	if (!lz)
		return 0;
	while (cr_lazy_next(&lz->ranges, &addr, &stop) && addr < end) {
		if (fatal_signal_pending(current))
			return -EINTR;
		got = ckpt_lazy_fill_batch(mm, lz, addr, min(stop, end));
		if (got == -EINTR)
			return got;
		if (got < 0) {
			/* A page poisoned now is marked below, as any. */
			if (got == -ENOMEM)
				ret = got;
			got = 1;
		}
		addr += got * PAGE_SIZE;
		cond_resched();
	}
	return ckpt_lazy_mark_poisoned(mm, lz, start, end) ?: ret;
}

/*
 * Claim the background's next batch, [*@start, *@end): the pages still
 * in the set from where the last claim ended, round again from the
 * start. The claim only spreads the workers over the set: what a batch
 * leaves (a short read, a VMA's end) stays in the set for a later round,
 * and two workers that meet on a page both fill it, the first to map it
 * wins (ckpt_lazy_map_table()). False when the set is empty.
 */
static bool ckpt_lazy_claim(struct ckpt_lazy *lz, unsigned long *start,
			    unsigned long *end, bool *finish)
{
	unsigned long addr;
	bool found;

	mutex_lock(&lz->next_lock);
	addr = lz->next;
	found = cr_lazy_next(&lz->ranges, &addr, end);
	if (!found) {
		addr = 0;
		found = cr_lazy_next(&lz->ranges, &addr, end);
	}
	if (found) {
		*end = min(*end, addr + CKPT_LAZY_BATCH * PAGE_SIZE);
		lz->next = *end;
		*start = addr;
	} else {
		/* The first to find it empty finishes, alone. */
		*finish = !lz->finishing;
		lz->finishing = true;
	}
	mutex_unlock(&lz->next_lock);
	return found;
}

/*
 * One round of the background: a batch of pages in address order
 * (ckpt_lazy_claim()), until none is left; then the image is let go,
 * and the address space made an ordinary one (ckpt_lazy_pending()). A
 * page that cannot be filled is poisoned, and passed. Returns whether
 * there is more to do; *@delay is how long to wait for it.
 */
static bool ckpt_lazy_round(struct ckpt_lazy *lz, struct mm_struct *mm,
			    unsigned long *delay)
{
	unsigned long addr, end;
	bool finish = false;

	if (!ckpt_lazy_claim(lz, &addr, &end, &finish)) {
		/*
		 * Once done, drops no longer reach the set (mm_lazy() is
		 * false): a second marking could poison a page dropped since.
		 */
		if (!finish)
			return false;
		ckpt_lazy_release(lz);
		/*
		 * What could not be filled goes into the page tables as
		 * poison markers; then, and only if it all did, the address
		 * space is an ordinary one again. Without memory for a
		 * marker's page table, this worker finishes again later.
		 */
		if (ckpt_lazy_mark_poisoned(mm, lz, 0, TASK_SIZE)) {
			mutex_lock(&lz->next_lock);
			lz->finishing = false;
			mutex_unlock(&lz->next_lock);
			*delay = CKPT_LAZY_NOMEM_DELAY;
			return true;
		}
		/* Pairs with ckpt_lazy_pending(): markers first. */
		smp_store_release(&lz->done, true);
		return false;
	}
	/*
	 * No memory for a batch: it stays in the set, and the next round
	 * waits a little, as a reclaim would, rather than spin on it.
	 */
	if (ckpt_lazy_fill_batch(mm, lz, addr, end) == -ENOMEM)
		*delay = CKPT_LAZY_NOMEM_DELAY;
	return true;
}

/*
 * The background, a round at a time (ckpt_lazy_round()), in a worker.
 * What it allocates beside the folios (a batch's addresses and
 * checksums, the tree's nodes, page tables) is the address space's as a
 * fault's would be: charged to its memory cgroup, not to the worker's.
 */
static void ckpt_lazy_work(struct work_struct *work)
{
	struct ckpt_lazy_worker *w = container_of(to_delayed_work(work),
						  struct ckpt_lazy_worker,
						  work);
	struct ckpt_lazy *lz = w->lz;
	struct mm_struct *mm = lz->mm;
	struct mem_cgroup *memcg, *old;
	unsigned long delay = 0;
	bool more;

	if (READ_ONCE(lz->stop) || !mmget_not_zero(mm))
		return;
	memcg = get_mem_cgroup_from_mm(mm);
	old = set_active_memcg(memcg);
	more = ckpt_lazy_round(lz, mm, &delay);
	set_active_memcg(old);
	mem_cgroup_put(memcg);
	/*
	 * Queued again while the address space is held, so that its end,
	 * ckpt_lazy_exit(), finds the work to cancel; and let go through
	 * mmput_async(), since the end cannot run in this work, which it
	 * waits for.
	 */
	if (more && !READ_ONCE(lz->stop))
		queue_delayed_work(system_unbound_wq, &w->work, delay);
	mmput_async(mm);
}

/**
 * ckpt_lazy_exit() - end the lazy state of an address space
 * @mm: the address space, with no user left (exit_mmap())
 *
 * The background is stopped and waited for, the image let go and the
 * set freed.
 */
void ckpt_lazy_exit(struct mm_struct *mm)
{
	struct ckpt_lazy *lz = READ_ONCE(mm->ckpt_lazy);
	int i;

	if (!lz)
		return;
	WRITE_ONCE(lz->stop, true);
	for (i = 0; i < CKPT_LAZY_WORKERS; i++)
		cancel_delayed_work_sync(&lz->workers[i].work);
	ckpt_lazy_release(lz);
	WRITE_ONCE(mm->ckpt_lazy, NULL);
	cr_lazy_ranges_destroy(&lz->ranges);
	mutex_destroy(&lz->kept_lock);
	mutex_destroy(&lz->next_lock);
	mutex_destroy(&lz->read_lock);
	kfree(lz);
}

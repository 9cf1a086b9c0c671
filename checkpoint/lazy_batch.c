// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: reading a lazy batch's addresses and checksums.
 *
 * A lazy restart reads only the fixed part of each PGARR record of a
 * private anonymous mapping: the batch's bounds and its digest, which the
 * image's running checksum covers (struct cr_hdr_pgarr). The rest of the
 * batch, its addresses, its PAGES record's head and its pages'
 * checksums, is read here when a fill first needs one of its pages, and
 * checked against the digest and then as restart checks it
 * (cr_read_pgarr_rest()), before any of its pages is used. A batch of
 * pages a PRAM node keeps has no checksums: its pages are the node's.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <linux/ckpt_lazy.h>

#include "internal.h"

/*
 * Check a batch as read, as cr_read_pgarr_rest() does: the PAGES head
 * after its addresses, the digest, then the addresses from the run's
 * first to its last.
 */
static int cr_lazy_run_check(const struct cr_lazy_run *run, const u64 *addrs,
			     const struct cr_hdr_pages *hp, const u64 *sums)
{
	unsigned int n = run->nr;

	if (!cr_pages_head_ok(hp, n, run->flags))
		return -EINVAL;
	if (cr_batch_digest(addrs, hp, sums) != run->digest)
		return -EBADMSG;
	if (addrs[0] != run->start || addrs[n - 1] != run->last ||
	    cr_pgarr_disorder(addrs, n, PAGE_SHIFT))
		return -EINVAL;
	return 0;
}

/**
 * cr_lazy_run_read() - read and check the rest of a lazy batch
 * @lr: the set @run's pages are in
 * @run: an unread run
 * @file: the image
 * @base: the file offset the image starts at
 *
 * With one read of the batch's addresses, its PAGES record's head and
 * its checksums; once checked, @run gets them (cr_lazy_run_set()). A
 * batch that cannot be read, or is not what was saved, gets the errno in
 * its state: the caller poisons its pages.
 * Serialised by the caller for each run.
 *
 * Return: 0, an error cr_lazy_transient() says is passing (the run stays
 * unread, to try again), or the errno that is now the run's state:
 * -EBADMSG for a digest that does not match, -EINVAL for a batch that
 * does not match its bounds, -ENODATA for an image that ends early, or
 * that of the read.
 */
int cr_lazy_run_read(struct cr_lazy_ranges *lr, struct cr_lazy_run *run,
		     struct file *file, loff_t base)
{
	size_t len = run->nr * sizeof(u64);
	/* The node keeps the pages: no checksums follow. */
	size_t sum_len = cr_lazy_meta_words(run) * sizeof(u64) - len;
	size_t total = len + sizeof(struct cr_hdr_pages) + sum_len;
	struct cr_hdr_pages *hp;
	loff_t pos = base + run->meta_off;
	u64 *meta, *sums;
	ssize_t got;
	void *buf;
	int ret;

	/* Room for what the run keeps, its bitmap too, once compacted. */
	buf = kvmalloc(max(total, cr_lazy_meta_size(run)), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	got = kernel_read(file, buf, total, &pos);
	ret = got < 0 ? got : got < total ? -ENODATA : 0;
	hp = buf + len;
	sums = buf + len + sizeof(*hp);
	if (!ret)
		ret = cr_lazy_run_check(run, buf, hp, sum_len ? sums : NULL);
	if (ret && cr_lazy_transient(ret)) {
		/* A fatal signal of the reader, say: another reads it later. */
		kvfree(buf);
		return ret;
	}
	if (ret) {
		kvfree(buf);
		/* As cr_lazy_run_set() publishes a good one: a final state. */
		smp_store_release(&run->state, ret);
		return ret;
	}
	/* Addresses, then checksums, then the bitmap, for the run to keep. */
	meta = buf;
	memmove(meta + run->nr, sums, sum_len);
	cr_lazy_run_set(lr, run, meta, run->meta_off + total);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: restart(2).
 *
 * Nothing in an image is trusted. Every record is read whole, its type
 * and length bounded before its body is read, and every field checked
 * before it is used: the user address range, page alignment, VMA order,
 * VM flags against an allow-list, page addresses against their VMA, and
 * in the end the CRC-32C of the whole stream. A damaged image gets
 * -EINVAL (or -EBADMSG for a checksum mismatch) and one log line giving
 * the byte offset of the record at fault.
 *
 * The restored address space is built in a new mm as the image streams
 * in (mm.c, pages.c), while the caller keeps its own. Only once the tail
 * has verified does the caller switch to it, with exec_mmap() as execve
 * does, and take the task's registers, signal state and name: until
 * then any failure leaves the caller exactly as it was.
 */
#include <linux/binfmts.h>
#include <linux/bvec.h>
#include <linux/io_uring.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/rseq.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

static int cr_check_head(struct cr_rst *r)
{
	struct cr_hdr_head *hh;

	hh = cr_read_rec(r, CR_HDR_HEAD, sizeof(*hh), sizeof(*hh));
	if (IS_ERR(hh))
		return PTR_ERR(hh);
	if (hh->magic != CR_IMAGE_MAGIC)
		return cr_bad(r, "not a checkpoint image (bad magic)");
	if (hh->version != CR_IMAGE_VERSION)
		return cr_bad(r, "image format version %u, this kernel reads only version %u%s",
			      hh->version, CR_IMAGE_VERSION,
			      hh->version < CR_IMAGE_VERSION ?
			      ": checkpoint the task again" : "");
	if (hh->arch != CR_ARCH_X86_64 || hh->page_size != PAGE_SIZE)
		return cr_bad(r, "image of another architecture (%u, %u-byte pages)",
			      hh->arch, hh->page_size);
	if (hh->flags & ~CR_HEAD_FLAGS)
		return cr_bad(r, "unknown image flags %#x", hh->flags);
	if (!memchr(hh->release, '\0', sizeof(hh->release)))
		return cr_bad(r, "kernel release is not terminated");
	return 0;
}

static int cr_check_tail(struct cr_rst *r)
{
	struct cr_hdr_tail t = { .h = r->hdr };
	u32 crc;
	int ret;

	if (r->hdr.len != sizeof(t))
		return cr_bad(r, "bad tail length %u", r->hdr.len);
	ret = cr_read(r, &t.magic, sizeof(t.magic));
	if (ret)
		return ret;
	crc = ~r->ctx->crc;
	ret = cr_read(r, &t.crc32c, sizeof(t) - offsetof(typeof(t), crc32c));
	if (ret)
		return ret;
	if (t.magic != CR_IMAGE_MAGIC)
		return cr_bad(r, "bad magic in the tail");
	if (t.pad)
		return cr_bad(r, "tail padding is not zero");
	if (t.crc32c != crc) {
		cr_log(r->ctx, "image checksum mismatch: stored %#x, computed %#x",
		       t.crc32c, crc);
		return -EBADMSG;
	}
	return 0;
}

/*
 * Make the caller the restored task. Everything that can fail for a
 * reason other than a fatal signal comes before exec_mmap(): the vDSO
 * goes into the new mm, and the FPU state through the regset's checks,
 * while the old mm is still in place. After it, nothing allocates or
 * fails: the signal state, name and registers were all checked when
 * read.
 */
static int cr_commit(struct cr_rst *r, long *ax)
{
	int ret;

	ret = cr_arch_map_vdso(r->mm, &r->vdso);
	if (ret) {
		cr_log(r->ctx, "cannot map the vDSO: error %d", ret);
		return ret;
	}
	ret = cr_arch_restore_fpu(r->ctx, r->cpu);
	if (ret)
		return ret;

	io_uring_task_cancel();
	sched_mm_cid_before_execve(current);
	ret = exec_mmap(r->mm);
	sched_mm_cid_after_execve(current);
	if (ret)
		return ret;
	r->mm = NULL;

	/* exec_update_lock is held for writing since exec_mmap(). */
	lockdep_assert_held_write(&current->signal->exec_update_lock);
	rseq_execve(current);
	cr_restore_task(r);
	*ax = cr_arch_restore_regs(r->cpu);
	up_write(&current->signal->exec_update_lock);
	return 0;
}

/* Only a caller that owns its whole task state can be replaced. */
static int cr_check_caller(struct cr_ctx *ctx)
{
	if (get_nr_threads(current) > 1) {
		cr_log(ctx, "the caller must be single-threaded");
		return -EOPNOTSUPP;
	}
	/* Only the task itself replaces its sighand (exec, unshare). */
	if (refcount_read(&rcu_dereference_protected(current->sighand,
						     true)->count) > 1) {
		cr_log(ctx, "the caller shares its signal handlers");
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * cr_restart() - turn the caller into the task of an image
 * @ctx: a context set up by cr_ctx_init() for restart(2)
 * @ax: where the restored task's ax goes, for restart(2) to return
 *
 * Reads the whole image from the context's file, checking every record
 * and building the restored address space as it goes; once the tail's
 * checksum has verified, the caller takes that address space, the
 * registers, signal handlers, blocked signals and name of the image.
 * The caller must be single-threaded and own its signal handlers.
 *
 * Return: 0 when the caller is now the restored task, or a negative
 * errno with the caller unchanged: -EOPNOTSUPP for a caller or image
 * state that cannot be restored, -EINVAL for a malformed or truncated
 * image, -EBADMSG for a checksum mismatch, -ESTALE for a mapped file
 * that changed, -EACCES or another errno of open(2) or mmap(2) for a
 * file, -ENOMEM, or the errno of a failed read.
 */
int cr_restart(struct cr_ctx *ctx, long *ax)
{
	struct cr_rst *r;
	long ret;

	ret = cr_check_caller(ctx);
	if (!ret)
		ret = cr_pram_store_open(ctx);
	if (ret)
		return ret;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->ctx = ctx;
	ctx->hbuf = kmalloc(CR_HBUF_SIZE, GFP_KERNEL);
	ctx->bvec = kmalloc_array(CR_PGARR_TOTAL, sizeof(*ctx->bvec),
				  GFP_KERNEL);
	r->pages = kmalloc_array(CR_PGARR_TOTAL, sizeof(*r->pages),
				 GFP_KERNEL);
	r->src = kmalloc_array(CR_PGARR_TOTAL, sizeof(*r->src), GFP_KERNEL);
	r->addrs = kmalloc_array(CR_PGARR_TOTAL, sizeof(*r->addrs),
				 GFP_KERNEL);
	if (!ctx->hbuf || !ctx->bvec || !r->pages || !r->src || !r->addrs) {
		ret = -ENOMEM;
		goto out;
	}
	ctx->crc = ~0U;

	ret = cr_check_head(r);
	if (!ret)
		ret = cr_read_task(r);
	if (!ret) {
		r->cpu = cr_arch_read_cpu(r);
		ret = PTR_ERR_OR_ZERO(r->cpu);
		if (ret)
			r->cpu = NULL;
	}
	if (!ret)
		ret = cr_read_mm(r);
	if (!ret)
		ret = cr_check_tail(r);
	if (!ret)
		ret = r->err ?: cr_commit(r, ax);
out:
	if (r->mm)
		mmput(r->mm);
	kfree(r->pages);
	kfree(r->src);
	kfree(r->addrs);
	kfree(r->cpu);
	kfree(r);
	return ret;
}

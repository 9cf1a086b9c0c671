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
 * in (restore_mm.c), while the caller keeps its own. Only once the tail
 * has verified does the caller switch to it, with exec_mmap() as execve
 * does, and take the task's registers, signal state and name: until
 * then any failure leaves the caller exactly as it was.
 */
#include <linux/ckpt.h>
#include <linux/binfmts.h>
#include <linux/bvec.h>
#include <linux/io_uring.h>
#include <linux/pram.h>
#include <linux/rseq.h>
#include <linux/sched/mm.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/ldt.h>
#include <asm/segment.h>

/* VM flags an anonymous or private file VMA may carry in an image. */
#define CR_VM_ALLOWED	(VM_READ | VM_WRITE | VM_EXEC | VM_MAYREAD |	\
			 VM_MAYWRITE | VM_MAYEXEC | VM_GROWSDOWN |	\
			 VM_SEQ_READ | VM_RAND_READ | VM_DONTCOPY |	\
			 VM_ACCOUNT | VM_NORESERVE | VM_DONTDUMP |	\
			 VM_SOFTDIRTY | VM_WIPEONFORK | VM_HUGEPAGE |	\
			 VM_NOHUGEPAGE | VM_MERGEABLE)

/* Alignment rseq(2) requires of its area (struct rseq's). */
#define CR_RSEQ_ALIGN	32

/* SA_* flags a signal disposition may carry. */
#define CR_SA_ALLOWED	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO |	\
			 SA_ONSTACK | SA_RESTART | SA_NODEFER |		\
			 SA_RESETHAND | SA_RESTORER | SA_EXPOSE_TAGBITS)

static bool cr_user_addr(u64 addr)
{
	return addr <= TASK_SIZE_MAX;
}

static int cr_check_head(struct cr_rst *r)
{
	struct cr_hdr_head *hh;

	hh = cr_read_rec(r, CR_HDR_HEAD, sizeof(*hh), sizeof(*hh));
	if (IS_ERR(hh))
		return PTR_ERR(hh);
	if (hh->magic != CR_IMAGE_MAGIC)
		return cr_bad(r, "not a checkpoint image (bad magic)");
	if (hh->version != CR_IMAGE_VERSION)
		return cr_bad(r, "image format version %u, this kernel reads %u",
			      hh->version, CR_IMAGE_VERSION);
	if (hh->arch != CR_ARCH_X86_64 || hh->page_size != PAGE_SIZE)
		return cr_bad(r, "image of another architecture (%u, %u-byte pages)",
			      hh->arch, hh->page_size);
	if (hh->flags & ~CR_HEAD_SELF)
		return cr_bad(r, "unknown image flags %#x", hh->flags);
	if (!memchr(hh->release, '\0', sizeof(hh->release)))
		return cr_bad(r, "kernel release is not terminated");
	return 0;
}

static int cr_check_task(struct cr_rst *r)
{
	struct cr_hdr_task *ht;
	int i;

	ht = cr_read_rec(r, CR_HDR_TASK, sizeof(*ht), sizeof(*ht));
	if (IS_ERR(ht))
		return PTR_ERR(ht);
	if (!memchr(ht->comm, '\0', sizeof(ht->comm)))
		return cr_bad(r, "task name is not terminated");
	if (ht->blocked & (sigmask(SIGKILL) | sigmask(SIGSTOP)))
		return cr_bad(r, "SIGKILL or SIGSTOP blocked");
	for (i = 0; i < CR_NSIG; i++) {
		struct cr_sigaction *sa = &ht->action[i];
		bool dfl = sa->handler == (unsigned long)SIG_DFL;

		if (sa->flags & ~CR_SA_ALLOWED)
			return cr_bad(r, "signal %d: unknown flags %#llx",
				      i + 1, sa->flags);
		if (!cr_user_addr(sa->handler) || !cr_user_addr(sa->restorer))
			return cr_bad(r, "signal %d: handler outside user space",
				      i + 1);
		if ((i + 1 == SIGKILL || i + 1 == SIGSTOP) && !dfl)
			return cr_bad(r, "signal %d must keep its default action",
				      i + 1);
	}
	if (ht->altstack_flags & ~(SS_ONSTACK | SS_DISABLE | SS_FLAG_BITS) ||
	    (ht->altstack_size && ht->altstack_size < MINSIGSTKSZ) ||
	    !cr_user_addr(ht->altstack_sp + ht->altstack_size) ||
	    ht->altstack_sp + ht->altstack_size < ht->altstack_sp)
		return cr_bad(r, "bad alternate signal stack");
	/* As rseq(2) registers one. */
	if ((ht->rseq_len || ht->rseq) &&
	    (!IS_ALIGNED(ht->rseq, CR_RSEQ_ALIGN) || ht->rseq_len < 32 ||
	     ht->rseq_len > PAGE_SIZE || !cr_user_addr(ht->rseq) ||
	     !cr_user_addr(ht->rseq + ht->rseq_len)))
		return cr_bad(r, "bad rseq area");
	if (!cr_user_addr(ht->robust_list) ||
	    !cr_user_addr(ht->clear_child_tid))
		return cr_bad(r, "futex addresses outside user space");
	r->task = *ht;
	return 0;
}

static int cr_check_cpu(struct cr_rst *r)
{
	struct cr_hdr_cpu *hc;

	hc = cr_read_rec(r, CR_HDR_CPU, sizeof(*hc), CR_HBUF_SIZE);
	if (IS_ERR(hc))
		return PTR_ERR(hc);
	if (hc->h.len != ALIGN(sizeof(*hc) + hc->xstate_size, CR_HDR_ALIGN))
		return cr_bad(r, "CPU record length does not match its state");
	if (hc->regs.cs != __USER_CS || hc->regs.ss != __USER_DS)
		return cr_bad(r, "CPU state is not that of a 64-bit user task");
	if (!cr_user_addr(hc->regs.ip) || !cr_user_addr(hc->regs.fs_base) ||
	    !cr_user_addr(hc->regs.gs_base))
		return cr_bad(r, "CPU state points outside user space");
	/* A 64-bit task runs with null data selectors; bases do the work. */
	if (hc->regs.ds || hc->regs.es || hc->regs.fs || hc->regs.gs)
		return cr_bad(r, "data segment selectors other than 0");
	r->cpu = kmemdup(hc, hc->h.len, GFP_KERNEL);
	return r->cpu ? 0 : -ENOMEM;
}

/* The mm record and the LDT; returns the number of VMAs announced. */
static long cr_check_mm(struct cr_rst *r)
{
	struct cr_hdr_mm_context hl;
	struct cr_hdr_mm *hm;
	u32 map_count;
	int ret;

	hm = cr_read_rec(r, CR_HDR_MM, sizeof(*hm), sizeof(*hm));
	if (IS_ERR(hm))
		return PTR_ERR(hm);
	/* The bounds prctl(PR_SET_MM_MAP) insists on. */
	if (!cr_user_addr(hm->end_code) || !cr_user_addr(hm->end_data) ||
	    !cr_user_addr(hm->brk) || !cr_user_addr(hm->start_stack) ||
	    !cr_user_addr(hm->arg_end) || !cr_user_addr(hm->env_end) ||
	    hm->start_code > hm->end_code || hm->start_data > hm->end_data ||
	    hm->start_brk > hm->brk || hm->arg_start > hm->arg_end ||
	    hm->env_start > hm->env_end)
		return cr_bad(r, "inconsistent address space bounds");
	if (!hm->map_count || hm->map_count > sysctl_max_map_count)
		return cr_bad(r, "%u VMAs", hm->map_count);
	map_count = hm->map_count;
	r->mmrec = *hm;

	/* Only the struct is read: the LDT entries would follow it. */
	ret = cr_read_hdr(r);
	if (ret)
		return ret;
	if (r->hdr.type != CR_HDR_MM_CONTEXT)
		return cr_bad(r, "record type %u where %u belongs",
			      r->hdr.type, CR_HDR_MM_CONTEXT);
	hl.h = r->hdr;
	ret = cr_read(r, &hl.h + 1, sizeof(hl) - sizeof(hl.h));
	if (ret)
		return ret;
	if (hl.nr_ldt > LDT_ENTRIES ||
	    r->hdr.len != sizeof(hl) + hl.nr_ldt * LDT_ENTRY_SIZE)
		return cr_bad(r, "bad LDT record");
	if (hl.nr_ldt) {
		cr_log(r->ctx, "restoring an LDT is not supported yet");
		return -EOPNOTSUPP;
	}
	return map_count;
}

/* Check one VMA record; @prev_end is where the previous VMA ended. */
static int cr_check_vma(struct cr_rst *r, struct cr_hdr_vma *hv,
			u64 prev_end)
{
	bool file = hv->type == CR_VMA_FILE;
	char *path = (char *)(hv + 1);

	if (hv->start >= hv->end || !PAGE_ALIGNED(hv->start) ||
	    !PAGE_ALIGNED(hv->end) || !cr_user_addr(hv->end))
		return cr_bad(r, "VMA %#llx-%#llx is not a user range",
			      hv->start, hv->end);
	if (hv->start < prev_end)
		return cr_bad(r, "VMA %#llx-%#llx overlaps or is out of order",
			      hv->start, hv->end);
	if (hv->type < CR_VMA_ANON || hv->type > CR_VMA_VVAR)
		return cr_bad(r, "unknown VMA type %u", hv->type);
	if (hv->type <= CR_VMA_FILE && (hv->flags & ~CR_VM_ALLOWED))
		return cr_bad(r, "VMA %#llx-%#llx: flags %#llx not allowed",
			      hv->start, hv->end, hv->flags & ~CR_VM_ALLOWED);
	if (hv->h.len != ALIGN(sizeof(*hv) + hv->path_len, CR_HDR_ALIGN) ||
	    (file && (hv->path_len < 2 ||
		      strnlen(path, hv->path_len) != hv->path_len - 1)) ||
	    (!file && hv->path_len))
		return cr_bad(r, "VMA %#llx-%#llx: bad file path",
			      hv->start, hv->end);
	return 0;
}

/*
 * Check a page-array record and read the page contents that follow it
 * into the new mm; *last is the address of the VMA's last page so far
 * (or 0).
 */
static int cr_check_pages(struct cr_rst *r, struct cr_hdr_vma *hv,
			  u64 *last)
{
	struct cr_hdr_pgarr *ha;
	struct cr_hdr_pages hp;
	u64 *addrs, addr;
	u32 i, n;
	int ret;

	if (hv->type > CR_VMA_FILE)
		return cr_bad(r, "pages for a special mapping");
	ha = cr_read_body(r, CR_HDR_PGARR, sizeof(*ha) + sizeof(u64),
			  sizeof(*ha) + CR_PGARR_TOTAL * sizeof(u64));
	if (IS_ERR(ha))
		return PTR_ERR(ha);
	n = ha->nr_pages;
	if (!n || r->hdr.len != ALIGN(sizeof(*ha) + n * sizeof(u64),
				      CR_HDR_ALIGN))
		return cr_bad(r, "page-array of %u pages", n);
	addrs = (u64 *)(ha + 1);
	for (i = 0; i < n; i++) {
		addr = addrs[i];
		if (!PAGE_ALIGNED(addr) || addr < hv->start ||
		    addr >= hv->end || (*last && addr <= *last))
			return cr_bad(r, "page %#llx outside its VMA or out of order",
				      addr);
		*last = addr;
	}

	ret = cr_read_hdr(r);
	if (ret)
		return ret;
	if (r->hdr.type != CR_HDR_PAGES || r->hdr.len < sizeof(hp))
		return cr_bad(r, "page contents do not match their page-array");
	hp.h = r->hdr;
	ret = cr_read(r, &hp.h + 1, sizeof(hp) - sizeof(hp.h));
	if (ret)
		return ret;
	if (r->hdr.len != sizeof(hp) + (hp.flags & CR_PAGES_PRAM ? 0 :
					 (u64)n * PAGE_SIZE))
		return cr_bad(r, "page contents do not match their page-array");
	if (hp.nr_pages != n || hp.flags & ~CR_PAGES_PRAM)
		return cr_bad(r, "page contents do not match their page-array");
	if (hp.flags & CR_PAGES_PRAM) {
		if (!r->ctx->pram)
			return cr_bad(r, "pages kept in PRAM, but the image is not a PRAM node");
		return cr_mm_fill_pram(r, addrs, n);
	}
	if (r->err)
		return cr_read_skip(r, (u64)n * PAGE_SIZE);
	return cr_mm_fill(r, addrs, n, NULL);
}

/*
 * Map a VMA just read. A failure that is not the image's (a file that
 * cannot be opened or changed, the caller's memory limits) is kept in
 * @r->err while reading goes on without mapping, so that a damaged
 * image is still reported as damaged once the checksum is known.
 */
static int cr_add_vma(struct cr_rst *r, const char *path)
{
	int ret;

	if (r->err)
		return 0;
	ret = cr_mm_add_vma(r, path);
	if (ret == -EINVAL || ret == -EINTR)
		return ret;
	r->err = ret;
	return 0;
}

/*
 * The VMAs with their pages, up to and including the tail's header: each
 * VMA is mapped into the new mm as soon as it is read, and its pages are
 * read into it as they come.
 */
static int cr_restore_vmas(struct cr_rst *r, u32 map_count)
{
	u64 prev_end = 0, last = 0;
	struct cr_hdr_vma *v;
	u32 nr = 0;
	int ret;

	ret = cr_read_hdr(r);
	while (!ret && r->hdr.type != CR_HDR_TAIL) {
		if (r->hdr.type == CR_HDR_PGARR) {
			ret = nr ? cr_check_pages(r, &r->vma, &last) :
				   cr_bad(r, "pages before any VMA");
			if (!ret)
				ret = cr_read_hdr(r);
			continue;
		}
		v = cr_read_body(r, CR_HDR_VMA, sizeof(*v),
				 sizeof(*v) + PATH_MAX);
		ret = IS_ERR(v) ? PTR_ERR(v) : 0;
		if (!ret && ++nr > map_count)
			ret = cr_bad(r, "more VMAs than announced");
		if (!ret)
			ret = cr_check_vma(r, v, prev_end);
		if (!ret) {
			r->vma = *v;	/* the header buffer is reused */
			prev_end = v->end;
			last = 0;
			ret = cr_add_vma(r, (char *)(v + 1));
		}
		if (!ret)
			ret = cr_read_hdr(r);
	}
	if (!ret && nr != map_count)
		ret = cr_bad(r, "%u VMAs where %u were announced", nr,
			     map_count);
	return ret ? ret : cr_arch_check_vdso(r);
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
	if (t.crc32c != crc) {
		cr_log(r->ctx, "image checksum mismatch: stored %#x, computed %#x",
		       t.crc32c, crc);
		return -EBADMSG;
	}
	return 0;
}

/*
 * Make the caller the restored task. Everything that can fail for a
 * reason other than a fatal signal comes before exec_mmap(): the FPU
 * state goes through the regset's checks while the old mm is still in
 * place. After it, only the vDSO mapping allocates; it fails only for a
 * task that is being killed or has exhausted memory, and then kills the
 * task as a failing execve would past its point of no return.
 */
static int cr_commit(struct cr_rst *r, long *ax)
{
	int ret, vdso;

	ret = cr_restore_fpu(r);
	if (ret)
		return ret;

	io_uring_task_cancel();
	sched_mm_cid_before_execve(current);
	ret = exec_mmap(r->mm);
	sched_mm_cid_after_execve(current);
	if (ret)
		return ret;
	r->mm = NULL;

	/* Held for writing since exec_mmap(): no log line until it drops. */
	rseq_execve(current);
	vdso = cr_arch_map_vdso(r);
	cr_restore_task(r);
	*ax = cr_restore_regs(r);
	up_write(&current->signal->exec_update_lock);

	if (vdso) {
		cr_log(r->ctx, "cannot map the vDSO: error %d", vdso);
		force_fatal_sig(SIGSEGV);
	}
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
	if (ctx->pram && ctx->pram->save) {
		cr_log(ctx, "the PRAM node is still being saved");
		return -EBUSY;
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
	u32 map_count;
	long ret;

	ret = cr_check_caller(ctx);
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
		ret = cr_check_task(r);
	if (!ret)
		ret = cr_check_cpu(r);
	if (!ret)
		ret = cr_check_mm(r);
	if (ret > 0) {
		map_count = ret;
		ret = cr_mm_create(r);
		if (!ret)
			ret = cr_restore_vmas(r, map_count);
	}
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

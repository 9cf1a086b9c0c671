// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: restart(2), reading and checking an image.
 *
 * Nothing in an image is trusted. Every record is read whole, its type
 * and length bounded before its body is read, and every field checked
 * before it is used: the user address range, page alignment, VMA order,
 * VM flags against an allow-list, page addresses against their VMA, and
 * in the end the CRC-32C of the whole stream. A damaged image gets
 * -EINVAL (or -EBADMSG for a checksum mismatch) and one log line giving
 * the byte offset of the record at fault.
 *
 * This is the first half of restart: the image is read and checked
 * through to its tail. Building the new address space from it comes
 * next, so a valid image is still answered as an unimplemented syscall.
 */
#include <linux/ckpt.h>
#include <linux/crc32c.h>
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

/* SA_* flags a signal disposition may carry. */
#define CR_SA_ALLOWED	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO |	\
			 SA_ONSTACK | SA_RESTART | SA_NODEFER |		\
			 SA_RESETHAND | SA_RESTORER | SA_EXPOSE_TAGBITS)

/* State of reading one image, beyond what the context holds. */
struct cr_reader {
	struct cr_ctx *ctx;
	u64 rec_off;		/* offset of the record being read */
	struct cr_hdr hdr;	/* its header */
};

/* Refuse the image, saying where and why. */
static __printf(2, 3) int cr_bad(struct cr_reader *r, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	cr_log(r->ctx, "image offset %llu: %pV", r->rec_off, &vaf);
	va_end(args);
	return -EINVAL;
}

/* Read bytes of the image into @buf, adding them to the checksum. */
static int cr_read(struct cr_reader *r, void *buf, size_t len)
{
	struct cr_ctx *ctx = r->ctx;
	int ret = cr_kread(ctx->file, buf, len);

	if (ret == -ENODATA)
		return cr_bad(r, "the image ends early");
	if (ret) {
		cr_log(ctx, "reading the image failed at byte %llu: error %d",
		       ctx->written, ret);
		return ret;
	}
	ctx->crc = crc32c(ctx->crc, buf, len);
	ctx->written += len;
	return 0;
}

/* Read @len bytes of payload that are only checksummed here. */
static int cr_read_skip(struct cr_reader *r, u64 len)
{
	size_t chunk;
	int ret;

	while (len) {
		chunk = min_t(u64, len, CR_HBUF_SIZE);
		ret = cr_read(r, r->ctx->hbuf, chunk);
		if (ret)
			return ret;
		len -= chunk;
	}
	return 0;
}

/* Read the next record's header. */
static int cr_read_hdr(struct cr_reader *r)
{
	r->rec_off = r->ctx->written;
	return cr_read(r, &r->hdr, sizeof(r->hdr));
}

/*
 * Read the body of the record whose header was just read, of @type and a
 * length in [@min, @max], into the header buffer; returns the record.
 */
static void *cr_read_body(struct cr_reader *r, u32 type, u32 min, u32 max)
{
	struct cr_hdr *h = r->ctx->hbuf;
	int ret;

	if (r->hdr.type != type)
		return ERR_PTR(cr_bad(r, "record type %u where %u belongs",
				      r->hdr.type, type));
	if (r->hdr.len < min || r->hdr.len > max ||
	    r->hdr.len % CR_HDR_ALIGN)
		return ERR_PTR(cr_bad(r, "record type %u has a bad length %u",
				      type, r->hdr.len));
	*h = r->hdr;
	ret = cr_read(r, h + 1, h->len - sizeof(*h));
	return ret ? ERR_PTR(ret) : h;
}

/* Read the next record, which must be of @type and a length in [@min, @max]. */
static void *cr_read_rec(struct cr_reader *r, u32 type, u32 min, u32 max)
{
	int ret = cr_read_hdr(r);

	return ret ? ERR_PTR(ret) : cr_read_body(r, type, min, max);
}

static bool cr_user_addr(u64 addr)
{
	return addr <= TASK_SIZE_MAX;
}

static int cr_check_head(struct cr_reader *r)
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

static int cr_check_task(struct cr_reader *r)
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
	return 0;
}

static int cr_check_cpu(struct cr_reader *r)
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
	return 0;
}

/* The mm record and the LDT; returns the number of VMAs announced. */
static long cr_check_mm(struct cr_reader *r)
{
	struct cr_hdr_mm_context *hl;
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

	hl = cr_read_rec(r, CR_HDR_MM_CONTEXT, sizeof(*hl), sizeof(*hl));
	if (IS_ERR(hl))
		return PTR_ERR(hl);
	if (hl->nr_ldt > LDT_ENTRIES ||
	    r->hdr.len != sizeof(*hl) + hl->nr_ldt * LDT_ENTRY_SIZE)
		return cr_bad(r, "bad LDT record");
	/* cr_read_body() read only the struct: the entries follow. */
	ret = cr_read_skip(r, hl->nr_ldt * LDT_ENTRY_SIZE);
	return ret ? ret : map_count;
}

/* Check one VMA record; @prev_end is where the previous VMA ended. */
static int cr_check_vma(struct cr_reader *r, struct cr_hdr_vma *hv,
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
 * Check a page-array record and read the page contents that follow it;
 * *last is the address of the VMA's last page so far (or 0).
 */
static int cr_check_pages(struct cr_reader *r, struct cr_hdr_vma *hv,
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
	if (r->hdr.type != CR_HDR_PAGES ||
	    r->hdr.len != sizeof(hp) + (u64)n * PAGE_SIZE)
		return cr_bad(r, "page contents do not match their page-array");
	hp.h = r->hdr;
	ret = cr_read(r, &hp.h + 1, sizeof(hp) - sizeof(hp.h));
	if (ret)
		return ret;
	if (hp.nr_pages != n)
		return cr_bad(r, "page contents do not match their page-array");
	return cr_read_skip(r, (u64)n * PAGE_SIZE);
}

/* The VMAs with their pages, up to and including the tail's header. */
static int cr_check_vmas(struct cr_reader *r, u32 map_count)
{
	struct cr_hdr_vma *hv = kmalloc(sizeof(*hv), GFP_KERNEL);
	u64 prev_end = 0, last = 0;
	u32 nr = 0;
	int ret;

	if (!hv)
		return -ENOMEM;
	ret = cr_read_hdr(r);
	while (!ret && r->hdr.type != CR_HDR_TAIL) {
		if (r->hdr.type == CR_HDR_PGARR) {
			ret = nr ? cr_check_pages(r, hv, &last) :
				   cr_bad(r, "pages before any VMA");
		} else {
			struct cr_hdr_vma *v;

			v = cr_read_body(r, CR_HDR_VMA, sizeof(*v),
					 sizeof(*v) + PATH_MAX);
			ret = IS_ERR(v) ? PTR_ERR(v) : 0;
			if (!ret && ++nr > map_count)
				ret = cr_bad(r, "more VMAs than announced");
			if (!ret)
				ret = cr_check_vma(r, v, prev_end);
			if (!ret) {
				*hv = *v;	/* the header buffer is reused */
				prev_end = hv->end;
				last = 0;
			}
		}
		if (!ret)
			ret = cr_read_hdr(r);
	}
	if (!ret && nr != map_count)
		ret = cr_bad(r, "%u VMAs where %u were announced", nr,
			     map_count);
	kfree(hv);
	return ret;
}

static int cr_check_tail(struct cr_reader *r)
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

/**
 * cr_restart() - read and check the image restart(2) was given
 * @ctx: a context set up by cr_ctx_init() for restart(2)
 *
 * Reads the whole image from the context's file, up to and including
 * its tail, and checks every record. The caller must be single-threaded.
 *
 * Return: 0 for a valid image, -EOPNOTSUPP for a multi-threaded caller,
 * -EINVAL for a malformed or truncated image, -EBADMSG for a checksum
 * mismatch, or the errno of a failed read.
 */
long cr_restart(struct cr_ctx *ctx)
{
	struct cr_reader r = { .ctx = ctx };
	long ret;

	if (get_nr_threads(current) > 1) {
		cr_log(ctx, "the caller must be single-threaded");
		return -EOPNOTSUPP;
	}
	ctx->hbuf = kmalloc(CR_HBUF_SIZE, GFP_KERNEL);
	if (!ctx->hbuf)
		return -ENOMEM;
	ctx->crc = ~0U;

	ret = cr_check_head(&r);
	if (!ret)
		ret = cr_check_task(&r);
	if (!ret)
		ret = cr_check_cpu(&r);
	if (!ret)
		ret = cr_check_mm(&r);
	if (ret > 0)
		ret = cr_check_vmas(&r, ret);
	if (!ret)
		ret = cr_check_tail(&r);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: writing the record stream.
 *
 * Records are built in the context's header buffer and written as soon
 * as they are complete, so an image of any size streams through a pipe
 * or socket. Every byte written also goes into a running CRC-32C that
 * the tail record carries, so that damage anywhere is detectable.
 */
#include <linux/bvec.h>
#include <linux/ckpt.h>
#include <linux/pram.h>
#include <linux/crc32c.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/uio.h>

/* Say where and how the image stopped; the errno alone cannot. */
static int cr_write_failed(struct cr_ctx *ctx, int ret)
{
	if (ret)
		cr_log(ctx, "writing the image failed after %llu bytes: error %d",
		       ctx->written, ret);
	return ret;
}

/**
 * cr_write_data() - write bytes of the image
 * @ctx: checkpoint context
 * @buf: kernel buffer
 * @len: bytes to write
 *
 * For record payloads that do not fit the header buffer; records
 * themselves go through cr_hbuf_get() and cr_hbuf_put().
 *
 * Return: 0 or a negative errno.
 */
int cr_write_data(struct cr_ctx *ctx, const void *buf, size_t len)
{
	int ret;

	ctx->crc = crc32c(ctx->crc, buf, len);
	ret = cr_kwrite(ctx->file, buf, len);
	if (!ret)
		ctx->written += len;
	return cr_write_failed(ctx, ret);
}

/**
 * cr_hdr_init() - start a record in a buffer
 * @buf: where the record goes, at least @len rounded up to
 *	%CR_HDR_ALIGN bytes
 * @type: record type
 * @len: record length before padding, header included
 *
 * Return: @buf, zeroed and with its &struct cr_hdr filled in with @type
 * and @len rounded up to %CR_HDR_ALIGN, so that padding is always zero
 * and no kernel memory leaks into an image.
 */
void *cr_hdr_init(void *buf, u32 type, u32 len)
{
	struct cr_hdr *h = buf;
	u32 padded = ALIGN(len, CR_HDR_ALIGN);

	memset(h, 0, padded);
	h->type = type;
	h->len = padded;
	return h;
}

/**
 * cr_hbuf_get() - start a record in the header buffer
 * @ctx: checkpoint context
 * @type: record type
 * @len: record length before padding, header included; at most
 *	%CR_HBUF_SIZE
 *
 * Return: the record, as cr_hdr_init() leaves it.
 */
void *cr_hbuf_get(struct cr_ctx *ctx, u32 type, u32 len)
{
	return cr_hdr_init(ctx->hbuf, type, len);
}

/**
 * cr_hbuf_put() - write the record built by cr_hbuf_get()
 * @ctx: checkpoint context
 * @len: bytes of the header buffer to write
 *
 * @len is the record's length for a record held whole in the buffer, or
 * the size of its struct when the payload (page contents) follows
 * separately.
 *
 * Return: 0 or a negative errno.
 */
int cr_hbuf_put(struct cr_ctx *ctx, u32 len)
{
	return cr_write_data(ctx, ctx->hbuf, len);
}

/*
 * Into a PRAM node: the pages go into the node's page stream, by
 * reference, and the PAGES record, which says so in place of their
 * contents, goes out with the PGARR record at @ha in one write.
 */
static int cr_write_pgarr_pram(struct cr_ctx *ctx, struct cr_pgarr *pgarr,
			       struct cr_hdr_pgarr *ha)
{
	unsigned int n = pgarr->nr_used;
	struct cr_hdr_pages *hp;
	int ret;

	/* The page-array's references go to the node, whatever happens. */
	pgarr->nr_used = 0;
	ret = pram_give_pages(ctx->pram, pgarr->pages, n);
	if (ret) {
		cr_log(ctx, "saving pages into the PRAM node failed: error %d",
		       ret);
		return ret;
	}
	hp = cr_hdr_init((void *)ha + ha->h.len, CR_HDR_PAGES, sizeof(*hp));
	hp->nr_pages = n;
	hp->flags = CR_PAGES_PRAM;
	return cr_hbuf_put(ctx, ha->h.len + sizeof(*hp));
}

/**
 * cr_write_pgarr() - write one page-array: addresses, then contents
 * @ctx: checkpoint context
 * @pgarr: a non-empty page-array
 *
 * The contents go to the file straight from the pages, described by a
 * bio_vec array, with no intermediate copy; into a PRAM node they are
 * not written at all, the node keeps the pages themselves.
 *
 * Return: 0 or a negative errno.
 */
int cr_write_pgarr(struct cr_ctx *ctx, struct cr_pgarr *pgarr)
{
	unsigned int i, n = pgarr->nr_used;
	struct cr_hdr_pgarr *ha;
	struct cr_hdr_pages *hp;
	struct iov_iter iter;
	int ret;

	ha = cr_hbuf_get(ctx, CR_HDR_PGARR, sizeof(*ha) + n * sizeof(u64));
	ha->nr_pages = n;
	for (i = 0; i < n; i++)
		((u64 *)(ha + 1))[i] = pgarr->vaddrs[i];
	if (ctx->pram)
		return cr_write_pgarr_pram(ctx, pgarr, ha);
	ret = cr_hbuf_put(ctx, ha->h.len);
	if (ret)
		return ret;

	hp = cr_hbuf_get(ctx, CR_HDR_PAGES, sizeof(*hp));
	hp->h.len = sizeof(*hp) + n * PAGE_SIZE;
	hp->nr_pages = n;
	ret = cr_hbuf_put(ctx, sizeof(*hp));
	if (ret)
		return ret;

	for (i = 0; i < n; i++) {
		void *addr = kmap_local_page(pgarr->pages[i]);

		ctx->crc = crc32c(ctx->crc, addr, PAGE_SIZE);
		kunmap_local(addr);
		bvec_set_page(&ctx->bvec[i], pgarr->pages[i], PAGE_SIZE, 0);
	}
	iov_iter_bvec(&iter, ITER_SOURCE, ctx->bvec, n, n * PAGE_SIZE);
	ret = cr_write_iter(ctx->file, &iter);
	if (!ret)
		ctx->written += n * PAGE_SIZE;
	return cr_write_failed(ctx, ret);
}

/**
 * cr_write_tail() - end the image with its magic and checksum
 * @ctx: checkpoint context
 *
 * The checksum covers every byte before its own field, the tail's header
 * and magic included.
 *
 * Return: 0 or a negative errno.
 */
int cr_write_tail(struct cr_ctx *ctx)
{
	struct cr_hdr_tail *t = cr_hbuf_get(ctx, CR_HDR_TAIL, sizeof(*t));
	size_t covered = offsetof(struct cr_hdr_tail, crc32c);
	int ret;

	t->magic = CR_IMAGE_MAGIC;
	t->crc32c = ~crc32c(ctx->crc, t, covered);
	ret = cr_kwrite(ctx->file, t, sizeof(*t));
	if (!ret)
		ctx->written += sizeof(*t);
	return cr_write_failed(ctx, ret);
}

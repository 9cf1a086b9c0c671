// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: writing the record stream.
 *
 * Records are built in the context's header buffer and written as soon
 * as they are complete, so an image of any size streams through a pipe
 * as through a file. Every byte written, but page contents, also goes
 * into a running CRC-32C that the tail record carries; each page's
 * contents have an XXH64 of their own, in its PAGES record, which the
 * running one covers: damage anywhere is detectable, and a page can be
 * checked alone.
 */
#include <linux/bvec.h>
#include <linux/crc32c.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/xxhash.h>

#include "internal.h"

/* Say where and how the image stopped; the errno alone cannot. */
static int cr_write_failed(struct cr_ctx *ctx, int ret)
{
	if (ret)
		cr_log(ctx, "writing the image failed after %llu bytes: error %d",
		       ctx->written, ret);
	return ret;
}

/* Write all of @iter to the image, count it, and say so if it fails. */
static int cr_write_counted(struct cr_ctx *ctx, struct iov_iter *iter)
{
	size_t len = iov_iter_count(iter);
	int ret = cr_write_iter(ctx->file, iter);

	if (!ret)
		ctx->written += len;
	return cr_write_failed(ctx, ret);
}

/**
 * cr_write_kvec() - write kernel buffers as one stretch of the image
 * @ctx: checkpoint context
 * @vec: the buffers, each added to the running checksum first
 * @nr: how many
 *
 * Return: 0 or a negative errno (logged).
 */
static int cr_write_kvec(struct cr_ctx *ctx, struct kvec *vec,
			 unsigned int nr)
{
	struct iov_iter iter;
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		ctx->crc = crc32c(ctx->crc, vec[i].iov_base, vec[i].iov_len);
		len += vec[i].iov_len;
	}
	iov_iter_kvec(&iter, ITER_SOURCE, vec, nr, len);
	return cr_write_counted(ctx, &iter);
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
	struct kvec vec = { .iov_base = (void *)buf, .iov_len = len };

	return cr_write_kvec(ctx, &vec, 1);
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

/**
 * cr_batch_digest() - the digest of a page-array's batch
 * @addrs: its addresses
 * @hp: the head of its PAGES record, as written
 * @sums: its pages' checksums, or NULL when none are written
 *
 * Checkpoint writes it into the PGARR record, restart and a lazy fill
 * check against it (&cr_hdr_pgarr.digest).
 *
 * Return: the XXH64 (seed 0) of @addrs, @hp and @sums.
 */
u64 cr_batch_digest(const u64 *addrs, const struct cr_hdr_pages *hp,
		    const u64 *sums)
{
	size_t len = hp->nr_pages * sizeof(u64);
	struct xxh64_state x;

	xxh64_reset(&x, 0);
	xxh64_update(&x, addrs, len);
	xxh64_update(&x, hp, sizeof(*hp));
	if (sums)
		xxh64_update(&x, sums, len);
	return xxh64_digest(&x);
}

/**
 * cr_write_pages_head() - write a page-array's records up to its contents
 * @ctx: checkpoint context
 * @out: the PGARR and PAGES heads, and the addresses
 * @sums: the pages' checksums, or NULL when no contents follow
 *
 * The PGARR head gets the batch's bounds, flags and digest, and goes
 * into the running checksum; the addresses, the PAGES head and the
 * checksums, which the digest covers, do not, so that a lazy restart can
 * leave them in the image and still verify the running checksum. All of
 * it goes out as one stretch.
 *
 * Return: 0 or a negative errno (logged).
 */
int cr_write_pages_head(struct cr_ctx *ctx, struct cr_pages_out *out,
			const u64 *sums)
{
	struct cr_hdr_pgarr *ha = &out->ha;
	size_t len = ha->nr_pages * sizeof(u64);
	struct kvec vec[4] = {
		{ .iov_base = ha, .iov_len = sizeof(*ha) },
		{ .iov_base = (void *)out->addrs, .iov_len = len },
		{ .iov_base = &out->hp, .iov_len = sizeof(out->hp) },
		{ .iov_base = (void *)sums, .iov_len = sums ? len : 0 },
	};
	struct iov_iter iter;

	ha->flags = out->hp.flags;
	ha->first = out->addrs[0];
	ha->last = out->addrs[ha->nr_pages - 1];
	ha->digest = cr_batch_digest(out->addrs, &out->hp, sums);
	ctx->crc = crc32c(ctx->crc, ha, sizeof(*ha));
	iov_iter_kvec(&iter, ITER_SOURCE, vec, ARRAY_SIZE(vec),
		      sizeof(*ha) + len + sizeof(out->hp) + vec[3].iov_len);
	return cr_write_counted(ctx, &iter);
}

/**
 * cr_write_page_contents() - write the contents of a page-array's pages
 * @ctx: checkpoint context
 * @pgarr: a non-empty page-array, whose PAGES record head and checksums
 *	were written
 *
 * The contents go from the pages themselves, described by a bio_vec
 * array, with no intermediate copy, and outside the running checksum.
 *
 * Return: 0 or a negative errno (logged).
 */
int cr_write_page_contents(struct cr_ctx *ctx, struct cr_pgarr *pgarr)
{
	unsigned int i, n = pgarr->nr_used;
	struct iov_iter iter;

	for (i = 0; i < n; i++)
		bvec_set_page(&ctx->bvec[i], pgarr->pages[i], PAGE_SIZE, 0);
	iov_iter_bvec(&iter, ITER_SOURCE, ctx->bvec, n, n * PAGE_SIZE);
	return cr_write_counted(ctx, &iter);
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
	struct kvec vec = { .iov_base = t, .iov_len = sizeof(*t) };
	struct iov_iter iter;

	t->magic = CR_IMAGE_MAGIC;
	t->crc32c = ~crc32c(ctx->crc, t, covered);
	/* Not through cr_write_kvec(): the checksum is the tail's own. */
	iov_iter_kvec(&iter, ITER_SOURCE, &vec, 1, sizeof(*t));
	return cr_write_counted(ctx, &iter);
}

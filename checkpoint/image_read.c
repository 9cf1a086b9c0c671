// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: reading an image, record by record.
 *
 * Every byte read goes into the running CRC-32C that the tail record
 * checks, but those of a batch of pages that the batch's digest and the
 * pages' own checksums cover (struct cr_hdr_pgarr); every record is
 * bounded before its body is read, so that a damaged or hostile image
 * can neither make restart read without end nor overflow a buffer. A
 * refusal names the byte offset of the record at fault.
 */
#include <linux/bvec.h>
#include <linux/crc32c.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/uio.h>

#include "internal.h"

/**
 * cr_refuse() - refuse the image, saying where and why
 * @r: restart state
 * @err: the errno to refuse it with
 * @fmt: printf format of the reason
 *
 * Return: @err, for the caller to pass on.
 */
int cr_refuse(struct cr_rst *r, int err, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	cr_log(r->ctx, "image offset %llu: %pV", r->rec_off, &vaf);
	va_end(args);
	return err;
}

/**
 * cr_bad() - refuse a malformed image, saying where and why
 * @r: restart state
 * @fmt: printf format of the reason
 *
 * Return: -EINVAL, for the caller to pass on.
 */
int cr_bad(struct cr_rst *r, const char *fmt, ...)
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

/* Account for @len bytes read: an early end is a malformed image. */
static int cr_read_done(struct cr_rst *r, int ret, size_t len)
{
	struct cr_ctx *ctx = r->ctx;

	if (ret == -ENODATA)
		return cr_bad(r, "the image ends early");
	if (ret) {
		cr_log(ctx, "reading the image failed at byte %llu: error %d",
		       ctx->written, ret);
		return ret;
	}
	ctx->written += len;
	return 0;
}

/**
 * cr_read() - read bytes of the image, adding them to the checksum
 * @r: restart state
 * @buf: kernel buffer
 * @len: bytes wanted
 *
 * Return: 0, -EINVAL (logged) when the image ends first, or the errno
 * of the failed read (logged).
 */
int cr_read(struct cr_rst *r, void *buf, size_t len)
{
	int ret = cr_read_done(r, cr_kread(r->ctx->file, buf, len), len);

	if (!ret)
		r->ctx->crc = crc32c(r->ctx->crc, buf, len);
	return ret;
}

/**
 * cr_read_uncovered() - read bytes the running checksum does not cover
 * @r: restart state
 * @buf: kernel buffer
 * @len: bytes wanted
 *
 * For a batch's addresses and page checksums, which its digest covers
 * instead (&struct cr_hdr_pgarr).
 *
 * Return: as cr_read().
 */
int cr_read_uncovered(struct cr_rst *r, void *buf, size_t len)
{
	return cr_read_done(r, cr_kread(r->ctx->file, buf, len), len);
}

/**
 * cr_read_pages() - read page contents straight into pages
 * @r: restart state
 * @pages: the destination pages, mapped in the address space being built
 * @n: how many; at most %CR_PGARR_TOTAL
 * @sums: their checksums, from those cr_read_pgarr() read into
 *	@r->ctx->sums
 *
 * The file copies into the pages themselves through an ITER_BVEC, once,
 * with no bounce buffer; each page is then checked against its checksum.
 *
 * Return: as cr_read(), or -EBADMSG (logged) for a page that is not
 * what was saved.
 */
int cr_read_pages(struct cr_rst *r, struct page **pages, unsigned int n,
		  const u64 *sums)
{
	struct cr_ctx *ctx = r->ctx;
	u64 start = ctx->written;
	struct iov_iter iter;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++)
		bvec_set_page(&ctx->bvec[i], pages[i], PAGE_SIZE, 0);
	iov_iter_bvec(&iter, ITER_DEST, ctx->bvec, n, (size_t)n * PAGE_SIZE);
	ret = cr_read_iter(ctx->file, &iter);
	ret = cr_read_done(r, ret, (size_t)n * PAGE_SIZE);
	if (ret)
		return ret;

	i = cr_check_page_sums(pages, n, sums);
	if (i < n) {
		cr_log(ctx,
		       "the page at image offset %llu is damaged: checksum %#llx, saved %#llx",
		       start + (u64)i * PAGE_SIZE, cr_page_sum(pages[i]),
		       sums[i]);
		return -EBADMSG;
	}
	return 0;
}

/**
 * cr_skip_pages() - read past page contents that are not used
 * @r: restart state
 * @n: how many pages
 *
 * Page contents are outside the running checksum: they are read, not
 * checked.
 *
 * Return: as cr_read().
 */
int cr_skip_pages(struct cr_rst *r, unsigned int n)
{
	u64 len = (u64)n * PAGE_SIZE;
	size_t chunk;
	int ret;

	while (len) {
		chunk = min_t(u64, len, CR_HBUF_SIZE);
		ret = cr_read_done(r, cr_kread(r->ctx->file, r->ctx->hbuf,
					       chunk), chunk);
		if (ret)
			return ret;
		len -= chunk;
	}
	return 0;
}

/**
 * cr_seek_past() - seek past bytes a lazy restart leaves in the image
 * @r: restart state; the image is a regular file
 * @len: how many; bytes outside the running checksum
 *
 * Return: 0, or the errno of the seek (logged).
 */
int cr_seek_past(struct cr_rst *r, u64 len)
{
	loff_t pos;

	pos = vfs_llseek(r->ctx->file, len, SEEK_CUR);
	if (pos < 0)
		return cr_read_done(r, pos, 0);
	r->ctx->written += len;
	return 0;
}

/**
 * cr_read_skip() - read bytes that are only checksummed
 * @r: restart state
 * @len: how many
 *
 * Return: as cr_read().
 */
int cr_read_skip(struct cr_rst *r, u64 len)
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

/**
 * cr_read_hdr() - read the next record's header into @r->hdr
 * @r: restart state
 *
 * Return: as cr_read().
 */
int cr_read_hdr(struct cr_rst *r)
{
	if (r->peeked) {
		r->peeked = false;
		return 0;
	}
	r->rec_off = r->ctx->written;
	return cr_read(r, &r->hdr, sizeof(r->hdr));
}

/**
 * cr_read_body() - read the body of the record whose header was read
 * @r: restart state
 * @type: the record type that belongs here
 * @min: the shortest length allowed, header included
 * @max: the longest; at most %CR_HBUF_SIZE
 *
 * Return: the whole record, in the header buffer, or an ERR_PTR():
 * -EINVAL (logged) for a record of another type or a bad length.
 */
void *cr_read_body(struct cr_rst *r, u32 type, u32 min, u32 max)
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

/**
 * cr_read_rec() - read the next record whole
 * @r: restart state
 * @type: the record type that belongs here
 * @min: the shortest length allowed, header included
 * @max: the longest; at most %CR_HBUF_SIZE
 *
 * Return: as cr_read_body().
 */
void *cr_read_rec(struct cr_rst *r, u32 type, u32 min, u32 max)
{
	int ret = cr_read_hdr(r);

	return ret ? ERR_PTR(ret) : cr_read_body(r, type, min, max);
}

/**
 * cr_read_struct() - read the fixed part of the next record
 * @r: restart state
 * @type: the record type that belongs here
 * @buf: where the record's header and fixed part go
 * @size: the size of its fixed part, header included
 *
 * For records whose variable part (page contents, LDT entries) is read,
 * or refused, by the caller: the header and @size bytes are read, the
 * rest is left in the stream.
 *
 * Return: 0, -EINVAL (logged) for a record of another type or shorter
 * than @size, or as cr_read().
 */
int cr_read_struct(struct cr_rst *r, u32 type, void *buf, u32 size)
{
	struct cr_hdr *h = buf;
	int ret;

	ret = cr_read_hdr(r);
	if (ret)
		return ret;
	if (r->hdr.type != type)
		return cr_bad(r, "record type %u where %u belongs",
			      r->hdr.type, type);
	if (r->hdr.len < size || r->hdr.len % CR_HDR_ALIGN)
		return cr_bad(r, "record type %u has a bad length %u",
			      type, r->hdr.len);
	*h = r->hdr;
	return cr_read(r, h + 1, size - sizeof(*h));
}

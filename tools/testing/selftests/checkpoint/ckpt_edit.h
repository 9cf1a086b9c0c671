/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hostile images made by hand: a valid image, cut into its records, with
 * a few bytes of a copy changed and restarted. The reader must refuse
 * each edit before its checksum, so the copies keep the original's tail.
 * An edit of a batch of pages, which a digest covers instead, must seal
 * the image again (seal_image()) to reach the checks behind the digest.
 */
#ifndef CKPT_EDIT_H
#define CKPT_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt_util.h"
#include "../../../checkpoint/crc32c.h"
#include "../../../checkpoint/xxh64.h"

#define MAX_RECS	4096

/* An image in memory, and where each of its records starts. */
struct recs {
	unsigned char *img;
	size_t size;
	size_t off[MAX_RECS];
	uint32_t type[MAX_RECS];
	int nr;
};

/* Read the image in @fd into @r; 0, or -1 when it is not whole records. */
static inline int load_recs(int fd, struct recs *r)
{
	size_t off = 0;
	uint32_t len;

	r->size = lseek(fd, 0, SEEK_END);
	r->img = malloc(r->size);
	if (!r->img || pread(fd, r->img, r->size, 0) != (ssize_t)r->size)
		return -1;
	for (r->nr = 0; off + 8 <= r->size && r->nr < MAX_RECS; r->nr++) {
		r->off[r->nr] = off;
		memcpy(&r->type[r->nr], r->img + off, 4);
		memcpy(&len, r->img + off + 4, 4);
		if (!len)
			return -1;
		off += len;
	}
	return off == r->size ? 0 : -1;
}

/* The first record of @type after index @from; its index, or -1. */
static inline int next_rec(const struct recs *r, uint32_t type, int from)
{
	int i;

	for (i = from + 1; i < r->nr; i++)
		if (r->type[i] == type)
			return i;
	return -1;
}

/*
 * The CRC-32C the tail holds, of the first @n bytes of image @p: all of
 * them but the addresses after each struct cr_hdr_pgarr and the whole of
 * each PAGES record, which the batch's digest and the pages' own
 * checksums cover. A record @n cuts short counts up to @n.
 */
static inline uint32_t image_crc(const unsigned char *p, size_t n)
{
	size_t off = 0, len, covered;
	struct cr_hdr h;
	uint32_t c = ~0U;

	while (off < n) {
		len = n - off;		/* the rest, if not a whole record */
		memset(&h, 0, sizeof(h));
		if (len >= sizeof(h))
			memcpy(&h, p + off, sizeof(h));
		if (h.len >= sizeof(h) && h.len <= len)
			len = h.len;
		covered = len;
		if (h.type == CR_HDR_PAGES)
			covered = 0;
		else if (h.type == CR_HDR_PGARR &&
			 len > sizeof(struct cr_hdr_pgarr))
			covered = sizeof(struct cr_hdr_pgarr);
		c = crc32c_update(c, p + off, covered);
		off += len;
	}
	return ~c;
}

/*
 * The digest the PGARR record at @off of the @size-byte image @p must
 * hold: the XXH64 of its addresses, then of the PAGES record after them
 * up to its contents (its struct and, when it has no flag, its pages'
 * checksums). Those are one stretch of the image, the addresses taken
 * as nr_pages says. 0 when the image ends before.
 */
static inline uint64_t batch_digest(const unsigned char *p, size_t size,
				    size_t off)
{
	struct cr_hdr_pgarr ha;
	struct cr_hdr_pages hp;
	size_t at = off + sizeof(ha), pages, end;

	if (at > size)
		return 0;
	memcpy(&ha, p + off, sizeof(ha));
	pages = at + 8 * (size_t)ha.nr_pages;
	if (pages + sizeof(hp) > size)
		return 0;
	memcpy(&hp, p + pages, sizeof(hp));
	end = pages + sizeof(hp) + (hp.flags ? 0 : 8 * (size_t)ha.nr_pages);
	return end > size ? 0 : xxh64(p + at, end - at);
}

/*
 * Make the tail's checksum of the @size-byte image @p right again, and
 * nothing else: a batch edited in what its digest covers stays damaged.
 */
static inline void seal_tail(unsigned char *p, size_t size)
{
	size_t at = size - sizeof(struct cr_hdr_tail) +
		    offsetof(struct cr_hdr_tail, crc32c);
	uint32_t crc;

	if (size < sizeof(struct cr_hdr_tail))
		return;
	crc = image_crc(p, at);
	memcpy(p + at, &crc, sizeof(crc));
}

/*
 * Seal the @size-byte image @p again, as checkpoint(2) would after an
 * edit: each batch's digest (batch_digest()), then the tail's checksum.
 */
static inline void seal_image(unsigned char *p, size_t size)
{
	size_t off = 0;
	uint64_t digest;
	struct cr_hdr h;

	while (off + sizeof(h) <= size) {
		memcpy(&h, p + off, sizeof(h));
		if (h.len < sizeof(h))
			break;
		if (h.type == CR_HDR_PGARR &&
		    h.len >= sizeof(struct cr_hdr_pgarr)) {
			digest = batch_digest(p, size, off);
			memcpy(p + off + offsetof(struct cr_hdr_pgarr, digest),
			       &digest, sizeof(digest));
		}
		off += h.len;
	}
	seal_tail(p, size);
}

/*
 * Restart a copy of @r's image with @len bytes at @off replaced by @val,
 * logging to @logfd (a pipe whose read end is @logrd); returns errno (0
 * if it restarted), with the log in @log.
 */
static inline int restart_edited(const struct recs *r, size_t off,
				 const void *val, size_t len, int logfd,
				 int logrd, char *log, size_t loglen)
{
	unsigned char *copy = malloc(r->size);
	int fd = image_file(), err;
	ssize_t n;

	if (!copy || fd < 0)
		return -1;
	memcpy(copy, r->img, r->size);
	memcpy(copy + off, val, len);
	if (pwrite(fd, copy, r->size, 0) != (ssize_t)r->size)
		return -1;
	free(copy);
	err = restart_errno(fd, logfd);
	close(fd);
	n = read(logrd, log, loglen - 1);
	log[n > 0 ? n : 0] = '\0';
	return err;
}

/*
 * Expect the edit of @r at @off to @val to be refused with EINVAL and
 * @why in the log; @self's log pipe takes the log.
 */
#define EXPECT_REFUSED(off, val, why) do {				\
	const char *_why = (why);					\
	char _log[1024];						\
	EXPECT_EQ(EINVAL, restart_edited(&r, (off), &(val), sizeof(val),	\
					 self->log[1], self->log[0],	\
					 _log, sizeof(_log))) {		\
		TH_LOG("want \"%s\"", _why);				\
	}								\
	EXPECT_NE(NULL, strstr(_log, _why)) {				\
		TH_LOG("log: %s", _log);				\
	}								\
} while (0)

#endif /* CKPT_EDIT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hostile images made by hand: a valid image, cut into its records, with
 * a few bytes of a copy changed and restarted. The reader must refuse
 * each edit before its checksum, so the copies keep the original's tail.
 */
#ifndef CKPT_EDIT_H
#define CKPT_EDIT_H

#include <stdint.h>

#include "ckpt_util.h"

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
	err = sys_restart(0, fd, RESTART_RUN, logfd) ? errno : 0;
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

// SPDX-License-Identifier: GPL-2.0
/*
 * restart(2) must trust nothing in an image: truncated, bit-flipped and
 * hand-made hostile images each get an errno (EINVAL, or EBADMSG for a
 * checksum or digest mismatch) and a log line, never acceptance, and
 * leave the caller as it was: its memory, and, for a restart refused
 * only at the checksum once the whole new address space was built, or
 * at a batch of pages, its registers, FPU state, signal handlers and
 * mask, name and /proc/self/maps. The valid image restarts.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <linux/ckpt_hdr.h>

#include "../kselftest_harness.h"
#include "ckpt_edit.h"
#include "ckpt_util.h"

#define PS		4096UL
#define MAX_RECS	4096

static unsigned char *region;

/*
 * For the children of spawn_stopped(): map @pages of anonymous memory,
 * in small pages with @small, and touch every @step-th; with @arg NULL
 * (once restored), whether the first still holds what it was given.
 */
static unsigned long region_setup(void *arg, int pages, int step, bool small)
{
	int i;

	if (!arg)
		return region[0] == 1;
	region = mmap(NULL, pages * PS, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		_exit(3);
	if (small)
		madvise(region, pages * PS, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i += step)
		region[i * PS] = i + 1;
	return (unsigned long)region;
}

/* A child with 20 touched pages of anonymous memory. */
static unsigned long child_setup(void *arg)
{
	return region_setup(arg, 40, 2, false);
}

struct rec {
	size_t off;
	uint32_t type, len;
};

FIXTURE(image) {
	unsigned char *img;	/* a valid image */
	size_t size;
	struct rec recs[MAX_RECS];
	int nr;
	int fd;			/* scratch file for damaged copies */
	int log[2];
};

FIXTURE_SETUP(image)
{
	unsigned long base;
	size_t off = 0;
	pid_t pid;
	int fd;

	pid = spawn_stopped(child_setup, "", &base);
	ASSERT_LT(0, pid);
	fd = image_file();
	ASSERT_LE(0, fd);
	ASSERT_LT(0, sys_checkpoint(pid, fd, 0, STDERR_FILENO));
	ASSERT_EQ(0, finish_child(pid));

	self->size = lseek(fd, 0, SEEK_END);
	self->img = malloc(self->size);
	ASSERT_NE(NULL, self->img);
	ASSERT_EQ(self->size, pread(fd, self->img, self->size, 0));
	close(fd);

	/* Where each record starts: the boundaries to cut and aim at. */
	while (off + 8 <= self->size && self->nr < MAX_RECS) {
		struct rec *r = &self->recs[self->nr++];

		r->off = off;
		memcpy(&r->type, self->img + off, 4);
		memcpy(&r->len, self->img + off + 4, 4);
		off += r->len;
	}
	ASSERT_EQ(self->size, off);
	ASSERT_EQ(CR_HDR_TAIL, self->recs[self->nr - 1].type);

	self->fd = image_file();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pipe2(self->log, O_NONBLOCK));
}

FIXTURE_TEARDOWN(image)
{
	free(self->img);
	close(self->fd);
	close(self->log[0]);
	close(self->log[1]);
}

/*
 * Restart from the first @len bytes of @img; returns errno. @self is the
 * fixture's data, FIXTURE_DATA(image), spelled out for checkpatch.
 */
static int try_restart(struct _test_data_image *self, const void *img,
		       size_t len, char *log, size_t loglen)
{
	ssize_t n;
	int err;

	if (ftruncate(self->fd, 0) ||
	    pwrite(self->fd, img, len, 0) != (ssize_t)len ||
	    lseek(self->fd, 0, SEEK_SET))
		return -1;
	err = restart_errno(self->fd, self->log[1]);
	n = read(self->log[0], log, loglen - 1);
	log[n > 0 ? n : 0] = '\0';
	return err;
}

/* The record of @type after record index @from; its index or -1. */
static int find_rec(struct _test_data_image *self, uint32_t type, int from)
{
	int i;

	for (i = from + 1; i < self->nr; i++)
		if (self->recs[i].type == type)
			return i;
	return -1;
}

/*
 * A batch of at least three pages, not all consecutive (the child's
 * every other page): its PGARR record's index, or -1. Its bounds can
 * move by a page and still pass for a batch of its size, and an address
 * inside it can be repeated.
 */
static int sparse_batch(struct _test_data_image *self)
{
	struct cr_hdr_pgarr ha;
	int i;

	for (i = find_rec(self, CR_HDR_PGARR, 0); i >= 0;
	     i = find_rec(self, CR_HDR_PGARR, i)) {
		memcpy(&ha, self->img + self->recs[i].off, sizeof(ha));
		if (ha.nr_pages >= 3 &&
		    ha.last - ha.first > (ha.nr_pages - 1) * PS)
			return i;
	}
	return -1;
}

/* The undamaged image restarts: the child checks its pages and exits 0. */
TEST_F(image, valid_image_restarts)
{
	ASSERT_EQ(self->size, pwrite(self->fd, self->img, self->size, 0));
	EXPECT_EQ(0, restart_child(self->fd, NULL, 0));
}

TEST_F(image, truncated_at_every_record_boundary)
{
	char log[1024];
	int i;

	for (i = 0; i < self->nr; i++) {
		EXPECT_EQ(EINVAL, try_restart(self, self->img,
					      self->recs[i].off, log,
					      sizeof(log))) {
			TH_LOG("cut at %zu", self->recs[i].off);
		}
		EXPECT_NE(NULL, strstr(log, "ends early"));
	}
	/* And inside the tail, just before its checksum. */
	EXPECT_EQ(EINVAL, try_restart(self, self->img, self->size - 8, log,
				      sizeof(log)));
}

TEST_F(image, truncated_at_random_points)
{
	char log[1024];
	size_t cut;
	int i;

	srand(1);
	for (i = 0; i < 100; i++) {
		cut = (size_t)rand() % self->size;
		EXPECT_EQ(EINVAL, try_restart(self, self->img, cut, log,
					      sizeof(log))) {
			TH_LOG("cut at %zu", cut);
		}
	}
}

/* Whether @pos is in @len bytes at @start. */
static bool within(size_t pos, size_t start, size_t len)
{
	return pos >= start && pos - start < len;
}

/*
 * Every bit flipped anywhere is refused; in page data, by the page's own
 * checksum; in a batch's addresses and its pages' checksums, which the
 * running checksum leaves out, by the batch's digest. And a page's
 * checksum wrong in its top bit only, the digest made right: all 64 bits
 * of it count. Hundreds of restarts: under KASAN and TCG on a slow host
 * that ran past the harness's default 30 s.
 */
TEST_F_TIMEOUT(image, single_bit_flips, 180)
{
	unsigned char *copy = malloc(self->size);
	size_t pos, data_start, data_end, addrs, sums, len;
	int i, err, pages, flips = 0;
	struct cr_hdr_pages hp;
	char log[1024];

	ASSERT_NE(NULL, copy);
	pages = find_rec(self, CR_HDR_PAGES, 0);
	ASSERT_LE(1, pages);
	ASSERT_EQ(CR_HDR_PGARR, self->recs[pages - 1].type);
	memcpy(&hp, self->img + self->recs[pages].off, sizeof(hp));
	ASSERT_EQ(0, hp.flags);
	/* The contents, after the pages' checksums, 8 bytes each. */
	data_start = self->recs[pages].off + sizeof(hp) + 8UL * hp.nr_pages;
	data_end = self->recs[pages].off + self->recs[pages].len;
	ASSERT_EQ(data_end - data_start, (size_t)hp.nr_pages * PS);
	/* What the batch's digest covers: its addresses, its checksums. */
	addrs = self->recs[pages - 1].off + sizeof(struct cr_hdr_pgarr);
	sums = self->recs[pages].off + sizeof(hp);
	len = 8UL * hp.nr_pages;
	ASSERT_EQ(addrs + len, self->recs[pages].off);

	srand(2);
	for (i = 0; i < 400; i++) {
		/* Half in the headers before the pages, half in page data. */
		if (i % 2)
			pos = data_start + rand() % (data_end - data_start);
		else
			pos = rand() % data_start;
		memcpy(copy, self->img, self->size);
		copy[pos] ^= 1 << (rand() % 8);
		err = try_restart(self, copy, self->size, log, sizeof(log));
		if (i % 2) {
			EXPECT_EQ(EBADMSG, err) {
				TH_LOG("flip at %zu (page data): %s", pos, log);
			}
			EXPECT_NE(NULL, strstr(log, "is damaged")) {
				TH_LOG("flip at %zu (page data): %s", pos, log);
			}
		} else if (within(pos, addrs, len) || within(pos, sums, len)) {
			EXPECT_EQ(EBADMSG, err) {
				TH_LOG("flip at %zu (batch): %s", pos, log);
			}
			EXPECT_NE(NULL, strstr(log, "page-array is damaged")) {
				TH_LOG("flip at %zu (batch): %s", pos, log);
			}
		} else {
			/*
			 * Refused as malformed, or as damaged at the tail; or a
			 * descriptor number pushed past the caller's limit gets
			 * the EMFILE any image asking for it would.
			 */
			EXPECT_TRUE(err == EINVAL || err == EBADMSG ||
				    (err == EMFILE &&
				     strstr(log, "beyond the caller's RLIMIT_NOFILE"))) {
				TH_LOG("flip at %zu: errno %d, %s", pos, err, log);
			}
		}
		EXPECT_NE('\0', log[0]);
		flips++;
	}
	EXPECT_EQ(400, flips);

	/*
	 * Each bit of the batch's addresses and checksums, a byte apart:
	 * the digest finds it. A bit of the PAGES record's head between
	 * them makes it a head that does not match the batch, or is found
	 * by the digest.
	 */
	for (pos = addrs; pos < data_start; pos += 9) {
		memcpy(copy, self->img, self->size);
		copy[pos] ^= 1 << (pos % 8);
		err = try_restart(self, copy, self->size, log, sizeof(log));
		if (within(pos, addrs, len) || within(pos, sums, len)) {
			EXPECT_EQ(EBADMSG, err) {
				TH_LOG("flip at %zu (batch): %s", pos, log);
			}
			EXPECT_NE(NULL, strstr(log, "page-array is damaged")) {
				TH_LOG("flip at %zu (batch): %s", pos, log);
			}
		} else {
			EXPECT_TRUE(err == EINVAL || err == EBADMSG) {
				TH_LOG("flip at %zu (PAGES head): errno %d, %s",
				       pos, err, log);
			}
		}
	}

	/* The first page's checksum, its top bit: the digest finds it... */
	memcpy(copy, self->img, self->size);
	copy[sums + 7] ^= 0x80;
	EXPECT_EQ(EBADMSG, try_restart(self, copy, self->size, log,
				       sizeof(log)));
	EXPECT_NE(NULL, strstr(log, "page-array is damaged")) {
		TH_LOG("top bit of the first page's checksum flipped: %s", log);
	}
	/* ...and, the digest made right again, the page's own check. */
	seal_image(copy, self->size);
	EXPECT_EQ(EBADMSG, try_restart(self, copy, self->size, log,
				       sizeof(log)));
	EXPECT_NE(NULL, strstr(log, "is damaged")) {
		TH_LOG("top bit of the first page's checksum flipped, digest sealed: %s",
		       log);
	}
	EXPECT_EQ(NULL, strstr(log, "page-array is damaged")) {
		TH_LOG("top bit of the first page's checksum flipped, digest sealed: %s",
		       log);
	}
	free(copy);
}

/*
 * A child with 2048 touched pages in a row, in small pages: restart
 * reads them as one run, which a huge page would cut into runs of 512.
 */
static unsigned long dense_setup(void *arg)
{
	return region_setup(arg, 2048, 1, true);
}

/*
 * Restart checks a large run of pages on several CPUs, a part each
 * (cr_check_page_sums(): two halves of 1024 pages in a 2-CPU guest): a
 * page damaged in any part is found, and the log names the first
 * damaged one's offset, whichever part it is in.
 */
TEST(damaged_pages_of_a_large_batch)
{
	static const unsigned int at[][2] = {
		{ 1, 1 }, { 1100, 1100 }, { 1700, 1700 }, { 700, 1900 },
	};
	char log[1024], want[64];
	int fd, logp[2], k, pages = -1;
	unsigned char flip[2];
	struct cr_hdr_pages hp;
	struct recs r;
	unsigned long base;
	size_t data, off[2];
	pid_t pid;

	ASSERT_EQ(0, pipe2(logp, O_NONBLOCK));
	pid = spawn_stopped(dense_setup, "", &base);
	ASSERT_LT(0, pid);
	fd = image_file();
	ASSERT_LE(0, fd);
	ASSERT_LT(0, sys_checkpoint(pid, fd, 0, STDERR_FILENO));
	ASSERT_EQ(0, finish_child(pid));
	ASSERT_EQ(0, load_recs(fd, &r));
	close(fd);
	/* The first batch of 2000 pages or more, with its contents. */
	while ((pages = next_rec(&r, CR_HDR_PAGES, pages)) >= 0) {
		memcpy(&hp, r.img + r.off[pages], sizeof(hp));
		if (!hp.flags && hp.nr_pages >= 2000)
			break;
	}
	ASSERT_LE(0, pages);
	data = r.off[pages] + sizeof(hp) + 8UL * hp.nr_pages;
	for (k = 0; k < 4; k++) {
		off[0] = data + at[k][0] * PS + 100;
		off[1] = data + at[k][1] * PS + 200;
		flip[0] = r.img[off[0]] ^ 0x40;
		flip[1] = r.img[off[1]] ^ 0x40;
		/* The second page first, so that one edit has both. */
		r.img[off[1]] = flip[1];
		EXPECT_EQ(EBADMSG, restart_edited(&r, off[0], &flip[0], 1,
						  logp[1], logp[0], log,
						  sizeof(log)));
		r.img[off[1]] ^= 0x40;
		snprintf(want, sizeof(want), "the page at image offset %zu ",
			 data + at[k][0] * PS);
		EXPECT_NE(NULL, strstr(log, want)) {
			TH_LOG("pages %u and %u of %u damaged: want \"%s\"; log: %s",
			       at[k][0], at[k][1], hp.nr_pages, want, log);
		}
	}
	free(r.img);
	close(logp[0]);
	close(logp[1]);
}

/* Edit a copy of the image at @off and expect EINVAL with @why logged. */
static void expect_hostile(struct __test_metadata *_metadata,
			   struct _test_data_image *self, size_t off,
			   const void *val, size_t len, const char *why)
{
	unsigned char *copy = malloc(self->size);
	char log[1024];

	ASSERT_NE(NULL, copy);
	memcpy(copy, self->img, self->size);
	memcpy(copy + off, val, len);
	EXPECT_EQ(EINVAL, try_restart(self, copy, self->size, log,
				      sizeof(log))) {
		TH_LOG("edit at %zu, want \"%s\"", off, why);
	}
	EXPECT_NE(NULL, strstr(log, why)) {
		TH_LOG("log: %s", log);
	}
	free(copy);
}

/* Restart @copy, an edited image, and expect @err with @why logged. */
static void expect_refused(struct __test_metadata *_metadata,
			   struct _test_data_image *self,
			   const unsigned char *copy, int err, const char *why)
{
	char log[1024];

	EXPECT_EQ(err, try_restart(self, copy, self->size, log,
				   sizeof(log))) {
		TH_LOG("want \"%s\": %s", why, log);
	}
	EXPECT_NE(NULL, strstr(log, why)) {
		TH_LOG("log: %s", log);
	}
}

TEST_F(image, hostile_records)
{
	int vma = find_rec(self, CR_HDR_VMA, 0);
	int vma2 = find_rec(self, CR_HDR_VMA, vma);
	int pgarr = find_rec(self, CR_HDR_PGARR, 0);
	int sparse = sparse_batch(self);
	uint64_t kaddr = 0xffff888000000000ULL, start, addr;
	unsigned char *copy = malloc(self->size);
	uint32_t huge = 0xfffffff8U;
	struct cr_hdr_pgarr ha;
	struct cr_hdr_vma v;
	size_t off;

	ASSERT_NE(NULL, copy);
	ASSERT_LE(0, vma);
	ASSERT_LE(0, vma2);
	ASSERT_LE(0, pgarr);
	ASSERT_LE(0, sparse);

	/* A VMA at a kernel address. */
	off = self->recs[vma].off + offsetof(struct cr_hdr_vma, start);
	expect_hostile(_metadata, self, off, &kaddr, 8, "not a user range");

	/* A VMA that overlaps the one before it. */
	memcpy(&v, self->img + self->recs[vma].off, sizeof(v));
	start = v.start;
	off = self->recs[vma2].off + offsetof(struct cr_hdr_vma, start);
	expect_hostile(_metadata, self, off, &start, 8, "overlaps");

	/*
	 * A page address outside its VMA, the batch's bound with it and
	 * its digest made right again: refused by the bound, before the
	 * addresses are read.
	 */
	memcpy(copy, self->img, self->size);
	off = self->recs[pgarr].off;
	memcpy(&ha, copy + off, sizeof(ha));
	ASSERT_LT(0, ha.nr_pages);
	ha.last += 1UL << 40;
	if (ha.nr_pages == 1)
		ha.first = ha.last;
	memcpy(copy + off, &ha, sizeof(ha));
	memcpy(copy + off + sizeof(ha) + 8 * (ha.nr_pages - 1), &ha.last, 8);
	seal_image(copy, self->size);
	expect_refused(_metadata, self, copy, EINVAL, "outside its VMA");
	/* The bound alone moved there. */
	off = self->recs[pgarr].off + offsetof(struct cr_hdr_pgarr, last);
	expect_hostile(_metadata, self, off, &ha.last, 8, "outside its VMA");

	/* A page repeated inside a batch, its digest made right again. */
	memcpy(copy, self->img, self->size);
	off = self->recs[sparse].off + sizeof(struct cr_hdr_pgarr);
	memcpy(&addr, copy + off, 8);
	memcpy(copy + off + 8, &addr, 8);
	seal_image(copy, self->size);
	expect_refused(_metadata, self, copy, EINVAL, "out of order");

	/*
	 * The second address at the top of the address space: above the
	 * first, and a page past it wraps to 0, so that a check of each
	 * address against the one before plus a page would let the third
	 * through, and the pages be mapped in the kernel's half.
	 */
	memcpy(copy, self->img, self->size);
	addr = ~(uint64_t)(PS - 1);
	memcpy(copy + off + 8, &addr, 8);
	seal_image(copy, self->size);
	expect_refused(_metadata, self, copy, EINVAL, "out of order");

	/* Huge counts and lengths. */
	off = self->recs[pgarr].off + offsetof(struct cr_hdr_pgarr, nr_pages);
	expect_hostile(_metadata, self, off, &huge, 4, "page-array of");
	/* A batch's length must be that of its pages' addresses. */
	off = self->recs[pgarr].off + offsetof(struct cr_hdr, len);
	expect_hostile(_metadata, self, off, &huge, 4, "page-array of");
	off = self->recs[vma].off + offsetof(struct cr_hdr, len);
	expect_hostile(_metadata, self, off, &huge, 4, "bad length");
	off = self->recs[vma].off + offsetof(struct cr_hdr_vma, path_len);
	expect_hostile(_metadata, self, off, &huge, 4, "bad file path");
	off = find_rec(self, CR_HDR_MM, 0);
	off = self->recs[off].off + offsetof(struct cr_hdr_mm, map_count);
	expect_hostile(_metadata, self, off, &huge, 4, "VMAs");

	/* Not an image at all. */
	expect_hostile(_metadata, self, 8, "NOTIMAGE", 8, "bad magic");
	free(copy);
}

/*
 * The rules of format version 5: only this version, only known flag
 * bits, zero where a field has no meaning, objects introduced with the
 * next id of their kind. Each is refused with its reason, never taken
 * as something else.
 */
TEST_F(image, format_v5_rules)
{
	int tree = find_rec(self, CR_HDR_TREE, 0);
	int task = find_rec(self, CR_HDR_TASK, 0);
	int sighand = find_rec(self, CR_HDR_SIGHAND, 0);
	int signal = find_rec(self, CR_HDR_SIGNAL, 0);
	int mm = find_rec(self, CR_HDR_MM, 0);
	int vma = find_rec(self, CR_HDR_VMA, 0);
	uint32_t v4 = 4, v6 = 6, v7 = 7, bit, two = 2, zero = 0;
	int rec;
	int32_t sig = CR_NSIG + 1;
	uint64_t one = 1, big;
	struct cr_hdr_vma v;
	size_t off;

	ASSERT_LE(0, tree);
	ASSERT_LE(0, task);
	ASSERT_LE(0, sighand);
	ASSERT_LE(0, signal);
	ASSERT_LE(0, mm);
	/* One process: TREE, TASK, SIGHAND, SIGNAL, in that order. */
	EXPECT_EQ(1, tree);
	EXPECT_EQ(2, task);
	EXPECT_EQ(3, sighand);
	EXPECT_EQ(4, signal);
	/* The first anonymous VMA: its pgoff must be zero. */
	for (; vma >= 0; vma = find_rec(self, CR_HDR_VMA, vma)) {
		memcpy(&v, self->img + self->recs[vma].off, sizeof(v));
		if (v.type == CR_VMA_ANON)
			break;
	}
	ASSERT_LE(0, vma);

	expect_hostile(_metadata, self, offsetof(struct cr_hdr_head, version),
		       &v4, 4, "format version 4");
	expect_hostile(_metadata, self, offsetof(struct cr_hdr_head, version),
		       &v6, 4, "format version 6");
	expect_hostile(_metadata, self, offsetof(struct cr_hdr_head, version),
		       &v7, 4, "format version 7");
	bit = CR_HEAD_FLAGS + 1;
	expect_hostile(_metadata, self, offsetof(struct cr_hdr_head, flags),
		       &bit, 4, "unknown image flags");

	/* The tree and the task's place in it. */
	off = self->recs[tree].off + offsetof(struct cr_hdr_tree, nr_tasks);
	expect_hostile(_metadata, self, off, &zero, 4, "a tree of 0 tasks");
	off = self->recs[tree].off + offsetof(struct cr_hdr_tree, nr_procs);
	expect_hostile(_metadata, self, off, &two, 4, "a tree of 1 tasks in 2");
	off = self->recs[task].off + offsetof(struct cr_hdr_task, exit_signal);
	expect_hostile(_metadata, self, off, &sig, 4, "bad exit signal");
	off = self->recs[task].off + offsetof(struct cr_hdr_task, pdeath_signal);
	expect_hostile(_metadata, self, off, &sig, 4, "parent death signal");

	/* Each object comes with the id its task record gave it. */
	off = self->recs[sighand].off + offsetof(struct cr_hdr_sighand, id);
	expect_hostile(_metadata, self, off, &two, 4,
		       "signal handlers 2 where 1 belong");
	off = self->recs[signal].off + offsetof(struct cr_hdr_signal, id);
	expect_hostile(_metadata, self, off, &two, 4,
		       "process state 2 where 1 belongs");
	off = self->recs[mm].off + offsetof(struct cr_hdr_mm, id);
	expect_hostile(_metadata, self, off, &two, 4,
		       "address space 2 where 1 belongs");

	off = self->recs[signal].off + offsetof(struct cr_hdr_signal, flags);
	bit = CR_SIGNAL_FLAGS + 1;
	expect_hostile(_metadata, self, off, &bit, 4, "unknown process flags");
	off = self->recs[signal].off + offsetof(struct cr_hdr_signal, umask);
	bit = 01000;
	expect_hostile(_metadata, self, off, &bit, 4, "bad umask");
	/* Interval timers: no more than setitimer(2) can set. */
	big = 1ULL << 63;
	off = self->recs[signal].off + offsetof(struct cr_hdr_signal, itimer) +
	      2 * sizeof(struct cr_itimer);
	expect_hostile(_metadata, self, off, &big, 8,
		       "interval timer 2 beyond KTIME_MAX");
	off = self->recs[signal].off + offsetof(struct cr_hdr_signal, itimer) +
	      offsetof(struct cr_itimer, interval);
	expect_hostile(_metadata, self, off, &big, 8,
		       "interval timer 0 beyond KTIME_MAX");

	off = self->recs[mm].off + offsetof(struct cr_hdr_mm, flags);
	bit = CR_MM_FLAGS + 1;
	expect_hostile(_metadata, self, off, &bit, 4, "unknown mm flags");
	off = self->recs[mm].off + offsetof(struct cr_hdr_mm, dump_filter);
	bit = CR_MM_DUMP_FILTER + 1;
	expect_hostile(_metadata, self, off, &bit, 4, "core dump filter");

	off = self->recs[vma].off + offsetof(struct cr_hdr_vma, prot);
	bit = CR_PROT_ALL + 1;
	expect_hostile(_metadata, self, off, &bit, 4, "unknown protection");
	off = self->recs[vma].off + offsetof(struct cr_hdr_vma, flags);
	bit = CR_VMA_FLAGS + 1;
	expect_hostile(_metadata, self, off, &bit, 4, "not allowed");
	off = self->recs[vma].off + offsetof(struct cr_hdr_vma, pgoff);
	expect_hostile(_metadata, self, off, &one, 8, "must be zero");

	/* Descriptors: known kinds and flags, files before their use. */
	rec = find_rec(self, CR_HDR_FS, 0);
	ASSERT_LE(0, rec);
	off = self->recs[rec].off + offsetof(struct cr_hdr_fs, root_len);
	expect_hostile(_metadata, self, off, &zero, 4,
		       "bad root or working directory path");
	rec = find_rec(self, CR_HDR_FILES, 0);
	ASSERT_LE(0, rec);
	off = self->recs[rec].off + offsetof(struct cr_hdr_files, id);
	expect_hostile(_metadata, self, off, &two, 4,
		       "descriptor table 2 where 1 belongs");
	rec = find_rec(self, CR_HDR_FILE, 0);
	ASSERT_LE(0, rec);
	off = self->recs[rec].off + offsetof(struct cr_hdr_file, flags);
	bit = O_CREAT;
	expect_hostile(_metadata, self, off, &bit, 4, "open flags 0x40 not allowed");
	off = self->recs[rec].off + offsetof(struct cr_hdr_file, kind);
	bit = 99;
	expect_hostile(_metadata, self, off, &bit, 4, "unknown kind 99");
	off = self->recs[rec].off + offsetof(struct cr_hdr_file, id);
	expect_hostile(_metadata, self, off, &two, 4, "file 2 where 1 belongs");
	rec = find_rec(self, CR_HDR_FD, 0);
	ASSERT_LE(0, rec);
	off = self->recs[rec].off + offsetof(struct cr_hdr_fd, file);
	bit = 99;
	expect_hostile(_metadata, self, off, &bit, 4, "file 99 where");
	off = self->recs[rec].off + offsetof(struct cr_hdr_fd, flags);
	bit = CR_FD_FLAGS + 1;
	expect_hostile(_metadata, self, off, &bit, 4, "bad flags");

	/* Padding reads as zero, even where the checksum does not reach. */
	off = self->recs[vma].off + offsetof(struct cr_hdr_vma, object);
	expect_hostile(_metadata, self, off, &one, 4, "must be zero");
	off = self->recs[sighand].off + offsetof(struct cr_hdr_sighand, pad);
	expect_hostile(_metadata, self, off, &one, 4,
		       "signal handler padding");
	off = self->size - sizeof(struct cr_hdr_tail) +
	      offsetof(struct cr_hdr_tail, pad);
	expect_hostile(_metadata, self, off, &one, 4, "tail padding");
}

/* None of the refusals above may touch the caller. */
TEST_F(image, caller_unchanged)
{
	unsigned char *copy = malloc(self->size);
	static unsigned char mine[1 << 16];
	unsigned long sum = 0, sum2 = 0;
	char log[1024];
	size_t i;

	ASSERT_NE(NULL, copy);
	for (i = 0; i < sizeof(mine); i++) {
		mine[i] = i * 7;
		sum += mine[i] * i;
	}
	memcpy(copy, self->img, self->size);
	copy[self->size / 2] ^= 0x40;
	EXPECT_NE(0, try_restart(self, copy, self->size, log, sizeof(log)));
	EXPECT_NE(0, try_restart(self, copy, self->size / 3, log,
				 sizeof(log)));
	for (i = 0; i < sizeof(mine); i++)
		sum2 += mine[i] * i;
	EXPECT_EQ(sum, sum2);
	free(copy);
}

#define R12_MAGIC	0x1234567890abcdefUL
#define R13_MAGIC	0xfedcba0987654321UL
#define MXCSR_MAGIC	0xff80U	/* flush to zero, round toward zero */
#define MXCSR_DEFAULT	0x1f80U

/* What restart(2) may not touch when it fails, as far as C can see it. */
struct caller_state {
	struct sigaction act[5];
	unsigned long blocked;
	char comm[16];
	char maps[1 << 15];
};

static const int state_sigs[5] = { SIGUSR1, SIGUSR2, SIGTERM, SIGHUP,
				   SIGURG };

static const unsigned char xmm_magic[16] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x0f,
};

static void on_sig(int sig)
{
}

static void on_siginfo(int sig, siginfo_t *si, void *uc)
{
}

/* /proc/self/maps into @buf, with read(2) alone: nothing is mapped. */
static void read_maps(char *buf, size_t size)
{
	int fd = open("/proc/self/maps", O_RDONLY);
	size_t len = 0;
	ssize_t n = 1;

	while (fd >= 0 && n > 0 && len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		len += n > 0 ? n : 0;
	}
	buf[len] = '\0';
	if (fd >= 0)
		close(fd);
}

/* The line of @a where @a and @b start to differ, and what follows. */
static const char *first_diff(const char *a, const char *b)
{
	const char *line = a;

	for (; *a && *a == *b; a++, b++)
		if (*a == '\n')
			line = a + 1;
	return line;
}

static void get_state(struct caller_state *st)
{
	sigset_t set;
	int i;

	for (i = 0; i < 5; i++)
		sigaction(state_sigs[i], NULL, &st->act[i]);
	sigprocmask(SIG_BLOCK, NULL, &set);
	memcpy(&st->blocked, &set, sizeof(st->blocked));
	prctl(PR_GET_NAME, st->comm);
	read_maps(st->maps, sizeof(st->maps));
}

/*
 * restart(@fd) with r12, r13, xmm7 and MXCSR set to values of our own,
 * read back right after the syscall: the kernel keeps every register but
 * rax, rcx and r11 of a syscall that fails. Returns what it returned.
 */
static long restart_keeping(int fd, int logfd, struct cr_inherit *subs,
			    long nr, unsigned long gpr[2],
			    unsigned char xmm[16], unsigned int *mxcsr)
{
	register unsigned long r12 __asm__("r12") = R12_MAGIC;
	register unsigned long r13 __asm__("r13") = R13_MAGIC;
	register long r10 __asm__("r10") = logfd;
	register long r8 __asm__("r8") = (long)subs;
	register long r9 __asm__("r9") = nr;
	unsigned int min = MXCSR_MAGIC, mdef = MXCSR_DEFAULT;
	long ret;

	__asm__ volatile("ldmxcsr %[min]\n\t"
			 "movdqu %[xin], %%xmm7\n\t"
			 "syscall\n\t"
			 "stmxcsr %[mout]\n\t"
			 "ldmxcsr %[mdef]\n\t"
			 "movdqu %%xmm7, %[xout]\n\t"
			 : "=a"(ret), "+r"(r12), "+r"(r13),
			   [xout] "=m"(*(unsigned char (*)[16])xmm),
			   [mout] "=m"(*mxcsr)
			 : "0"((long)__NR_restart), "D"(0L), "S"((long)fd),
			   "d"(0L), "r"(r10), "r"(r8), "r"(r9),
			   [xin] "m"(xmm_magic), [min] "m"(min),
			   [mdef] "m"(mdef)
			 : "rcx", "r11", "xmm7", "memory");
	gpr[0] = r12;
	gpr[1] = r13;
	return ret;
}

/* What the caller of a refused restart saw, for the test to compare. */
struct late_refusal {
	struct caller_state before, after;
	unsigned long gpr[2];
	unsigned char xmm[16];
	unsigned int mxcsr;
	long ret;
	char log[1024];
	int done;
};

#define LATE_REFUSAL_EXIT	42

/*
 * Give the caller state of its own, restart the image in @fd, note what
 * came back in @lr and exit LATE_REFUSAL_EXIT. A caller that became the
 * image's task instead runs the child's code, and exits otherwise.
 */
static void late_refusal(int fd, int log[2], struct late_refusal *lr)
{
	struct cr_inherit *subs;
	struct sigaction sa;
	sigset_t set;
	ssize_t n;
	long nr;

	/* Handlers, flags and masks the image's task does not have. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_sigaction = on_siginfo;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_sig;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGURG, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGRTMIN + 5);
	sigprocmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_NAME, "late-refusal");

	lseek(fd, 0, SEEK_SET);
	subs = image_subs(fd, &nr);
	get_state(&lr->before);
	lr->ret = restart_keeping(fd, log[1], subs, nr, lr->gpr, lr->xmm,
				  &lr->mxcsr);
	get_state(&lr->after);
	n = read(log[0], lr->log, sizeof(lr->log) - 1);
	lr->log[n > 0 ? n : 0] = '\0';
	lr->done = 1;
	_exit(LATE_REFUSAL_EXIT);
}

/*
 * Restart @img, an edited image, from a child of the test, and expect it
 * refused with @err and @why logged, the child coming back from it as it
 * went in: in every register and all of its task state, not only its
 * memory (caller_unchanged). A child that became the image's task is
 * seen as such.
 */
static void expect_caller_kept(struct __test_metadata *_metadata,
			       struct _test_data_image *self,
			       const unsigned char *img, int err,
			       const char *why)
{
	struct late_refusal *lr;
	int i, status;
	pid_t pid;

	ASSERT_EQ(0, ftruncate(self->fd, 0));
	ASSERT_EQ(self->size, pwrite(self->fd, img, self->size, 0));
	lr = mmap(NULL, sizeof(*lr), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, lr);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		late_refusal(self->fd, self->log, lr);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) &&
		    WEXITSTATUS(status) == LATE_REFUSAL_EXIT && lr->done) {
		TH_LOG("the caller did not come back from restart(2) as itself: status %#x",
		       status);
	}

	EXPECT_EQ(-err, lr->ret);
	EXPECT_NE(NULL, strstr(lr->log, why)) {
		TH_LOG("want \"%s\", log: %s", why, lr->log);
	}
	EXPECT_EQ(R12_MAGIC, lr->gpr[0]);
	EXPECT_EQ(R13_MAGIC, lr->gpr[1]);
	EXPECT_EQ(0, memcmp(xmm_magic, lr->xmm, sizeof(lr->xmm)));
	EXPECT_EQ(MXCSR_MAGIC, lr->mxcsr);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(lr->before.act[i].sa_handler,
			  lr->after.act[i].sa_handler);
		EXPECT_EQ(lr->before.act[i].sa_flags,
			  lr->after.act[i].sa_flags);
		EXPECT_EQ(0, memcmp(&lr->before.act[i].sa_mask,
				    &lr->after.act[i].sa_mask,
				    sizeof(unsigned long)));
	}
	EXPECT_EQ(lr->before.blocked, lr->after.blocked);
	EXPECT_STREQ(lr->before.comm, lr->after.comm);
	EXPECT_EQ(0, strcmp(lr->before.maps, lr->after.maps)) {
		TH_LOG("/proc/self/maps before and after differ from: %.200s",
		       first_diff(lr->before.maps, lr->after.maps));
	}
	munmap(lr, sizeof(*lr));
}

/*
 * The image with its checksum wrong, and nothing else: restart reads
 * every record and builds the whole new address space, pages included,
 * before the tail refuses it. The caller must come back from that as it
 * went in.
 */
TEST_F(image, caller_state_after_a_late_refusal)
{
	unsigned char *copy = malloc(self->size);

	ASSERT_NE(NULL, copy);
	memcpy(copy, self->img, self->size);
	copy[self->size - sizeof(struct cr_hdr_tail) +
	     offsetof(struct cr_hdr_tail, crc32c)] ^= 0x01;
	expect_caller_kept(_metadata, self, copy, EBADMSG, "checksum mismatch");
	free(copy);
}

/*
 * A batch's bounds must be its first and last addresses: with one moved
 * by a page, still inside its VMA and wide enough for the batch, and its
 * digest and the image's checksum made right again, it is refused with
 * EINVAL once its addresses are read. Addresses changed behind the
 * digest's back, the image's checksum made right (which does not cover
 * them), are refused with EBADMSG by the digest. Either way, the caller
 * comes back as it went in.
 */
TEST_F(image, batch_bounds_and_digest)
{
	unsigned char *copy = malloc(self->size);
	int pgarr = sparse_batch(self);
	struct cr_hdr_pgarr ha, edit;
	uint64_t addr;
	size_t off;

	ASSERT_NE(NULL, copy);
	ASSERT_LE(0, pgarr) {
		TH_LOG("no batch of three pages or more with a gap");
	}
	off = self->recs[pgarr].off;
	memcpy(&ha, self->img + off, sizeof(ha));
	memcpy(&addr, self->img + off + sizeof(ha), 8);
	ASSERT_EQ(ha.first, addr);
	memcpy(&addr, self->img + off + sizeof(ha) + 8 * (ha.nr_pages - 1), 8);
	ASSERT_EQ(ha.last, addr);

	/* The first bound a page above the first address. */
	memcpy(copy, self->img, self->size);
	edit = ha;
	edit.first += PS;
	memcpy(copy + off, &edit, sizeof(edit));
	seal_image(copy, self->size);
	expect_caller_kept(_metadata, self, copy, EINVAL, "page-array bounds");

	/* The last bound a page below the last address. */
	memcpy(copy, self->img, self->size);
	edit = ha;
	edit.last -= PS;
	memcpy(copy + off, &edit, sizeof(edit));
	seal_image(copy, self->size);
	expect_caller_kept(_metadata, self, copy, EINVAL, "page-array bounds");

	/* The second address a page up, the digest left as it was. */
	memcpy(copy, self->img, self->size);
	memcpy(&addr, copy + off + sizeof(ha) + 8, 8);
	addr += PS;
	memcpy(copy + off + sizeof(ha) + 8, &addr, 8);
	seal_tail(copy, self->size);
	expect_caller_kept(_metadata, self, copy, EBADMSG,
			   "page-array is damaged");
	free(copy);
}

/*
 * "checkpoint PID | restart": the image streams through a pipe, and the
 * restart command becomes the checkpointed child, which checks its pages
 * and exits 0, silently.
 */
TEST(checkpoint_pipe_to_restart)
{
	int p[2], errp[2], status;
	unsigned long base;
	char pidstr[16], err[1024] = "";
	pid_t pid, ckpt, rst;
	ssize_t n;

	pid = spawn_stopped(child_setup, "", &base);
	ASSERT_LT(0, pid);
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(errp));

	ckpt = fork();
	if (!ckpt) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		execl(tool_path("checkpoint"), "checkpoint", pidstr, NULL);
		_exit(127);
	}
	rst = fork();
	if (!rst) {
		/*
		 * The child has what the test runner left open beyond
		 * stderr, external in its image: hand ours on, as a shell
		 * user would with --inherit.
		 */
		char *argv[32] = { "restart", "--run" }, spec[16][8];
		int argc = 2, fd;

		dup2(p[0], STDIN_FILENO);
		dup2(errp[1], STDERR_FILENO);
		close(p[1]);
		for (fd = 3; fd < 16 && argc < 30; fd++) {
			if (fd == p[0] || fd == errp[0] || fd == errp[1] ||
			    fcntl(fd, F_GETFD) < 0)
				continue;
			snprintf(spec[fd], sizeof(spec[fd]), "%d", fd);
			argv[argc++] = "--inherit";
			argv[argc++] = spec[fd];
		}
		execv(tool_path("restart"), argv);
		_exit(127);
	}
	close(p[0]);
	close(p[1]);
	close(errp[1]);
	n = read(errp[0], err, sizeof(err) - 1);
	err[n > 0 ? n : 0] = '\0';
	close(errp[0]);

	ASSERT_EQ(ckpt, waitpid(ckpt, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(rst, waitpid(rst, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_STREQ("", err);
	EXPECT_EQ(0, finish_child(pid));
}

TEST_HARNESS_MAIN

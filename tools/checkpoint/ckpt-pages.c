// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-pages: the kexec test's witness that restart maps the pages a PRAM
 * node kept in place, and that they are the node's, read-only.
 *
 *   ckpt-pages NAME PAGES [read|huge]
 *
 * Fills PAGES pages of anonymous memory, each with a pattern of its
 * own, notes the page frame each sits in (from /proc/self/pagemap, which
 * shows frames to root only) and stops itself (SIGSTOP) to be
 * checkpointed into a node. When it runs again, restored after a kexec
 * reboot, it waits until every page is resident (mincore(2): at once
 * after an eager restart, once the background has mapped them all after
 * a lazy one; it touches none), then prints one line; with "read", it
 * reads every page at once instead, from the last one back (the lazy
 * background goes the other way), so that after a lazy restart its
 * faults map most pages, before the background does. With "huge", the
 * pages are transparent huge pages (PAGES a multiple of 512), which a
 * node keeps whole, and it stops only once they are mapped as such
 * (exit 3 if they are not); restored, it first prints how many kB of
 * its memory are mapped as huge pages ("NAME: K kB in huge pages"):
 *
 *   NAME: in place I of N; contents original|CHANGED (C pages differ);
 *   after writing, M of N moved
 *
 * I counts the pages whose frame is the one noted before the checkpoint
 * (mapped in place, not copied), C the pages whose contents differ from
 * the pattern, and M the pages whose frame changed once the task wrote
 * to them (each was read-only and shared with the node: written, it is
 * copied). It then overwrites every page, so that a later restart from
 * the same node finds the pattern only if these writes stayed private,
 * and exits 0 (2 when it cannot read its page frames).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "thp_kb.h"

#define PS		4096UL
#define PM_PRESENT	0x8000000000000000ULL	/* bit 63 */
#define PM_PFN		0x007fffffffffffffULL	/* bits 0-54 */

/* The page frame of every page of @buf into @pfns, 0 when not present. */
static int read_pfns(const unsigned char *buf, size_t n, uint64_t *pfns)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t off = (uintptr_t)buf / PS * sizeof(uint64_t);
	ssize_t len = n * sizeof(uint64_t);
	size_t i;

	if (fd < 0 || pread(fd, pfns, len, off) != len) {
		perror("ckpt-pages: /proc/self/pagemap");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	for (i = 0; i < n; i++)
		pfns[i] = pfns[i] & PM_PRESENT ? pfns[i] & PM_PFN : 0;
	return 0;
}

static unsigned char pattern(size_t page, size_t i)
{
	return (page * 131 + i * 7 + 1) & 0xff;
}

/* Whether every page of @buf is mapped, without touching any. */
static bool all_resident(unsigned char *buf, size_t n)
{
	unsigned char vec[n];
	size_t i;

	if (mincore(buf, n * PS, vec))
		return false;
	for (i = 0; i < n; i++)
		if (!(vec[i] & 1))
			return false;
	return true;
}

int main(int argc, char **argv)
{
	size_t n, i, j, same = 0, differ = 0, moved = 0;
	uint64_t *noted, *restored, *written;
	const char *name, *mode = "";
	const size_t huge_size = 2UL << 20;
	unsigned char *buf;
	bool reads, huge;

	if (argc == 4)
		mode = argv[3];
	reads = !strcmp(mode, "read");
	huge = !strcmp(mode, "huge");
	if ((argc != 3 && argc != 4) || (argc == 4 && !reads && !huge)) {
		fprintf(stderr, "usage: %s NAME PAGES [read|huge]\n", argv[0]);
		return 2;
	}
	name = argv[1];
	n = strtoul(argv[2], NULL, 0);
	if (huge && (!n || n % (huge_size / PS))) {
		fprintf(stderr, "ckpt-pages: huge pages are 512 pages each\n");
		return 2;
	}
	buf = mmap(NULL, n * PS + huge_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	noted = calloc(n, sizeof(*noted));
	restored = calloc(n, sizeof(*restored));
	written = calloc(n, sizeof(*written));
	if (buf == MAP_FAILED || !noted || !restored || !written)
		return 2;
	/*
	 * Small pages, which khugepaged leaves where they are; or huge pages,
	 * aligned to their size.
	 */
	if (huge) {
		buf = (unsigned char *)(((uintptr_t)buf + huge_size - 1) &
					~(huge_size - 1));
		madvise(buf, n * PS, MADV_HUGEPAGE);
	} else {
		madvise(buf, n * PS, MADV_NOHUGEPAGE);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < PS; j++)
			buf[i * PS + j] = pattern(i, j);
	if (read_pfns(buf, n, noted))
		return 2;
	for (i = 0; i < n; i++)
		if (!noted[i]) {
			fprintf(stderr, "ckpt-pages: no page frame shown\n");
			return 2;
		}
	if (huge && vma_thp_kb(buf) < (long)(n * PS / 1024)) {
		fprintf(stderr, "ckpt-pages: %ld kB of huge pages, want %zu\n",
			vma_thp_kb(buf), n * PS / 1024);
		return 3;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("%s: %zu pages noted; stopping\n", name, n);
	raise(SIGSTOP);

	/* Restored: where are the pages, and what do they hold? */
	for (i = n; reads && i > 0; i--)
		(void)__atomic_load_n(buf + (i - 1) * PS, __ATOMIC_RELAXED);
	for (i = 0; i < 600 && !all_resident(buf, n); i++)
		usleep(100000);
	if (read_pfns(buf, n, restored))
		return 2;
	for (i = 0; i < n; i++) {
		same += restored[i] == noted[i];
		for (j = 0; j < PS; j++)
			if (buf[i * PS + j] != pattern(i, j))
				break;
		differ += j < PS;
	}
	/* Restored as huge pages, or as small ones? */
	if (huge)
		printf("%s: %ld kB in huge pages\n", name, vma_thp_kb(buf));
	memset(buf, 0xee, n * PS);
	if (read_pfns(buf, n, written))
		return 2;
	for (i = 0; i < n; i++)
		moved += written[i] != restored[i];
	printf("%s: in place %zu of %zu; contents %s (%zu pages differ);",
	       name, same, n, differ ? "CHANGED" : "original", differ);
	printf(" after writing, %zu of %zu moved\n", moved, n);
	return 0;
}

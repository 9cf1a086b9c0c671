// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-shm: the kexec test's witness that shared memory kept in a PRAM
 * node comes back shared, and in place.
 *
 *   unshare -p -f ckpt-shm NAME PAGES
 *
 * As init of a pid namespace: makes a memfd of PAGES pages, each with a
 * pattern of its own, maps it shared, notes the page frame of each page
 * (from /proc/self/pagemap, which shows frames to root only) and forks a
 * child, which shares the mapping and the memfd and stops itself. init
 * then waits to be stopped from outside, and the tree to be checkpointed
 * into a node. When it runs again, restored after a kexec reboot, the
 * child counts its pages in their noted frames and with their pattern,
 * writes a mark into each and exits; init counts the same, checks that
 * it sees the child's marks (the mapping is shared again) and that its
 * memfd descriptor reads them too (one object), and prints one line:
 *
 *   NAME: in place I of N; child in place J of N; contents original|CHANGED;
 *   shared yes|no; memfd yes|no
 *
 * and exits 0 (2 when it cannot read its page frames or set up).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PS		4096UL
#define PM_PRESENT	0x8000000000000000ULL	/* bit 63 */
#define PM_PFN		0x007fffffffffffffULL	/* bits 0-54 */
#define MARK		0xee

/* Exit status of the child: bits of what it found. */
#define CHILD_MOVED	0x01	/* a page not in its noted frame */
#define CHILD_CHANGED	0x02	/* a page without its pattern */
#define CHILD_SETUP	0x04	/* could not read its frames */

static int resumed;

static void on_cont(int sig)
{
	(void)sig;
	__atomic_store_n(&resumed, 1, __ATOMIC_SEQ_CST);
}

/* The page frame of every page of @buf into @pfns, 0 when not present. */
static int read_pfns(const unsigned char *buf, size_t n, uint64_t *pfns)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t off = (uintptr_t)buf / PS * sizeof(uint64_t);
	ssize_t len = n * sizeof(uint64_t);
	size_t i;

	if (fd < 0 || pread(fd, pfns, len, off) != len) {
		perror("ckpt-shm: /proc/self/pagemap");
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
	return (page * 37 + i * 11 + 5) & 0xff;
}

/*
 * How many pages lost their pattern, and how many are in their noted
 * frames: read first, since a shared mapping restored shows no frame
 * until the page is touched (the page cache has it, the page table not
 * yet).
 */
static int count(const unsigned char *buf, size_t n, const uint64_t *noted,
		 uint64_t *now, size_t *same, size_t *differ)
{
	size_t i, j;

	*same = 0;
	*differ = 0;
	for (i = 0; i < n; i++) {
		for (j = 1; j < PS; j++)
			if (buf[i * PS + j] != pattern(i, j))
				break;
		*differ += j < PS;
	}
	if (read_pfns(buf, n, now))
		return -1;
	for (i = 0; i < n; i++)
		*same += now[i] == noted[i];
	return 0;
}

/* The child, once restored: its own count, then a mark in every page. */
static int child(unsigned char *buf, size_t n, const uint64_t *noted,
		 uint64_t *now)
{
	size_t same, differ, i;

	raise(SIGSTOP);
	if (count(buf, n, noted, now, &same, &differ))
		return CHILD_SETUP;
	for (i = 0; i < n; i++)
		buf[i * PS] = MARK;
	return (same == n ? 0 : CHILD_MOVED) | (differ ? CHILD_CHANGED : 0);
}

int main(int argc, char **argv)
{
	size_t n, i, j, same, differ, marked = 0;
	int fd, status, kid_status = CHILD_SETUP;
	uint64_t *noted, *now;
	unsigned char *buf, c;
	const char *name;
	pid_t kid;

	if (argc != 3) {
		fprintf(stderr, "usage: %s NAME PAGES\n", argv[0]);
		return 2;
	}
	name = argv[1];
	n = strtoul(argv[2], NULL, 0);
	fd = memfd_create(name, 0);
	if (fd < 0 || ftruncate(fd, n * PS))
		return 2;
	buf = mmap(NULL, n * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	noted = calloc(n, sizeof(*noted));
	now = calloc(n, sizeof(*now));
	if (buf == MAP_FAILED || !noted || !now)
		return 2;
	for (i = 0; i < n; i++)
		for (j = 0; j < PS; j++)
			buf[i * PS + j] = pattern(i, j);
	if (read_pfns(buf, n, noted))
		return 2;
	for (i = 0; i < n; i++)
		if (!noted[i]) {
			fprintf(stderr, "ckpt-shm: no page frame shown\n");
			return 2;
		}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGCONT, on_cont);
	kid = fork();
	if (kid < 0)
		return 2;
	if (!kid)
		_exit(child(buf, n, noted, now));
	if (waitpid(kid, &status, WUNTRACED) != kid || !WIFSTOPPED(status))
		return 2;
	printf("%s: %zu pages of a memfd noted, shared with pid %d; stopping\n",
	       name, n, kid);
	/* init ignores its own SIGSTOP: the test stops it from outside. */
	while (!__atomic_load_n(&resumed, __ATOMIC_SEQ_CST))
		pause();

	/* Restored: the child first, then what it left. */
	kill(kid, SIGCONT);
	if (waitpid(kid, &status, 0) == kid && WIFEXITED(status))
		kid_status = WEXITSTATUS(status);
	if (count(buf, n, noted, now, &same, &differ))
		return 2;
	for (i = 0; i < n; i++)
		marked += buf[i * PS] == MARK;
	printf("%s: in place %zu of %zu; child in place %s of %zu; contents %s;",
	       name, same, n, kid_status & (CHILD_MOVED | CHILD_SETUP) ?
	       "not all" : "all", n,
	       differ || kid_status & CHILD_CHANGED ? "CHANGED" : "original");
	printf(" shared %s; memfd %s\n", marked == n ? "yes" : "no",
	       pread(fd, &c, 1, (n - 1) * PS) == 1 && c == MARK ? "yes" : "no");
	return 0;
}

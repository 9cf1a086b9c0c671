// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-workload: the process the kexec test carries across a reboot.
 *
 *   ckpt-workload NAME MIB [KIDS]
 *
 * Fills MIB MiB of anonymous memory with pseudo-random data, keeps its
 * checksum in memory, says so and stops itself (SIGSTOP) to be
 * checkpointed. When it runs again, restored or resumed, it checks the
 * whole buffer against the checksum, prints the verdict, keeps running
 * for three more ticks and exits 0 when the data was intact, 1 if not.
 *
 * With KIDS, a tree: it first forks KIDS children, NAME.1 to NAME.KIDS,
 * each doing the same with data of its own, and once restored waits for
 * them: it exits 0 only when every one of them found its data intact
 * and its parent the same. As pid 1 of a pid namespace, which cannot
 * stop itself, it waits for a SIGSTOP from outside instead, and for a
 * SIGCONT once restored.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t sum(const uint64_t *p, size_t n)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s = (s ^ p[i]) * 0x100000001b3ULL;
	return s;
}

static void on_cont(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	int tick, kids = argc > 3 ? atoi(argv[3]) : 0, k, status, bad = 0;
	int tree = argc > 3;	/* the parent must be the same, too */
	char name[64];
	size_t n, i;
	uint64_t *buf, x, want;
	pid_t kid[16], ppid;

	if (argc < 3 || argc > 4 || kids < 0 || kids > 16) {
		fprintf(stderr, "usage: %s NAME MIB [KIDS]\n", argv[0]);
		return 2;
	}
	snprintf(name, sizeof(name), "%s", argv[1]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (k = 0; k < kids; k++) {
		kid[k] = fork();
		if (kid[k] < 0)
			return 2;
		if (!kid[k]) {
			snprintf(name, sizeof(name), "%s.%d", argv[1], k + 1);
			kids = 0;
			break;
		}
		if (waitpid(kid[k], &status, WUNTRACED) != kid[k])
			return 2;
	}
	ppid = getppid();
	n = strtoul(argv[2], NULL, 0) << 20 >> 3;
	buf = mmap(NULL, n * 8, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 2;
	x = (uint64_t)time(NULL) * 2654435761U | 1;
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = x;
	}
	want = sum(buf, n);
	printf("%s: %zu MiB of random data, checksum %016llx; stopping\n",
	       name, n >> 17, (unsigned long long)want);
	if (getpid() == 1) {
		signal(SIGCONT, on_cont);
		pause();	/* stopped from outside, then continued */
	} else {
		raise(SIGSTOP);
	}

	x = sum(buf, n);
	if (tree && getppid() != ppid)
		bad = 1;
	printf("%s: running as pid %d (parent %d%s), checksum %016llx: %s\n",
	       name, getpid(), getppid(), bad ? ", CHANGED" : "",
	       (unsigned long long)x, x == want ? "intact" : "CORRUPT");
	for (tick = 1; tick <= 3; tick++) {
		printf("%s: still running, tick %d\n", name, tick);
		sleep(1);
	}
	for (k = 0; k < kids; k++)
		if (waitpid(kid[k], &status, 0) != kid[k] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 2;
	if (kids)
		printf("%s: %s\n", name,
		       bad == 2 ? "a child failed" : "all children intact");
	return x == want && !bad ? 0 : 1;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-workload: the process the kexec test carries across a reboot.
 *
 *   ckpt-workload NAME MIB
 *
 * Fills MIB MiB of anonymous memory with pseudo-random data, keeps its
 * checksum in memory, says so and stops itself (SIGSTOP) to be
 * checkpointed. When it runs again, restored or resumed, it checks the
 * whole buffer against the checksum, prints the verdict, keeps running
 * for three more ticks and exits 0 when the data was intact, 1 if not.
 */
#include <signal.h>
#include <stdint.h>
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

int main(int argc, char **argv)
{
	size_t n, i;
	uint64_t *buf, x, want;
	const char *name;
	int tick;

	if (argc != 3) {
		fprintf(stderr, "usage: %s NAME MIB\n", argv[0]);
		return 2;
	}
	name = argv[1];
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
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("%s: %zu MiB of random data, checksum %016llx; stopping\n",
	       name, n >> 17, (unsigned long long)want);
	raise(SIGSTOP);

	x = sum(buf, n);
	printf("%s: running as pid %d, checksum %016llx: %s\n", name,
	       getpid(), (unsigned long long)x, x == want ? "intact" : "CORRUPT");
	for (tick = 1; tick <= 3; tick++) {
		printf("%s: still running, tick %d\n", name, tick);
		sleep(1);
	}
	return x == want ? 0 : 1;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-counter: the demo's workload. Counts once a second in a heap
 * buffer, printing each value, so that a person can see where it was
 * when it was checkpointed and, later, that it goes on from there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long *count = malloc(64 << 10);
	const char *name = argc > 1 ? argv[1] : "counter";

	if (!count)
		return 1;
	memset(count, 0, 64 << 10);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		printf("%s: %lu\n", name, ++count[0]);
		sleep(1);
	}
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How much of a mapping of this process is in transparent huge pages,
 * for ckpt-pages and the selftests, which check that a checkpoint or a
 * restart left huge pages huge.
 */
#ifndef CKPT_THP_KB_H
#define CKPT_THP_KB_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* kB of AnonHugePages in the smaps entry of the VMA at @addr, or -1. */
static inline long vma_thp_kb(const void *addr)
{
	unsigned long start, end;
	char line[256];
	long kb = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)addr >= start && (uintptr_t)addr < end;
		else if (in && sscanf(line, "AnonHugePages: %ld", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

#endif /* CKPT_THP_KB_H */

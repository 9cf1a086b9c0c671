/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * XXH64 with seed 0, as the kernel's xxh64() computes it: the checksum
 * of each page's contents in a checkpoint image (CR_HDR_PAGES). Written
 * from the algorithm's specification (xxHash's doc/xxhash_spec.md), for
 * ckptinfo and the selftests, which check and forge images.
 */
#ifndef CKPT_XXH64_H
#define CKPT_XXH64_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define XXH_P1	0x9E3779B185EBCA87ULL
#define XXH_P2	0xC2B2AE3D27D4EB4FULL
#define XXH_P3	0x165667B19E3779F9ULL
#define XXH_P4	0x85EBCA77C2B2AE63ULL
#define XXH_P5	0x27D4EB2F165667C5ULL

static inline uint64_t xxh_rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* Little-endian loads, as the specification reads its input. */
static inline uint64_t xxh_le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline uint32_t xxh_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t xxh_round(uint64_t acc, uint64_t lane)
{
	return xxh_rotl(acc + lane * XXH_P2, 31) * XXH_P1;
}

static inline uint64_t xxh_merge(uint64_t acc, uint64_t v)
{
	return (acc ^ xxh_round(0, v)) * XXH_P1 + XXH_P4;
}

static inline uint64_t xxh64(const void *buf, size_t len)
{
	const unsigned char *p = buf, *end = p + len;
	uint64_t h;

	if (len >= 32) {
		uint64_t v1 = XXH_P1 + XXH_P2, v2 = XXH_P2, v3 = 0, v4 = -XXH_P1;

		for (; p + 32 <= end; p += 32) {
			v1 = xxh_round(v1, xxh_le64(p));
			v2 = xxh_round(v2, xxh_le64(p + 8));
			v3 = xxh_round(v3, xxh_le64(p + 16));
			v4 = xxh_round(v4, xxh_le64(p + 24));
		}
		h = xxh_rotl(v1, 1) + xxh_rotl(v2, 7) + xxh_rotl(v3, 12) +
		    xxh_rotl(v4, 18);
		h = xxh_merge(h, v1);
		h = xxh_merge(h, v2);
		h = xxh_merge(h, v3);
		h = xxh_merge(h, v4);
	} else {
		h = XXH_P5;
	}
	h += len;
	for (; p + 8 <= end; p += 8)
		h = xxh_rotl(h ^ xxh_round(0, xxh_le64(p)), 27) * XXH_P1 + XXH_P4;
	if (p + 4 <= end) {
		h = xxh_rotl(h ^ xxh_le32(p) * XXH_P1, 23) * XXH_P2 + XXH_P3;
		p += 4;
	}
	for (; p < end; p++)
		h = xxh_rotl(h ^ *p * XXH_P5, 11) * XXH_P1;
	h ^= h >> 33;
	h *= XXH_P2;
	h ^= h >> 29;
	h *= XXH_P3;
	h ^= h >> 32;
	return h;
}

#endif /* CKPT_XXH64_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CRC-32C (Castagnoli, reflected, polynomial 0x82f63b78), as the kernel's
 * crc32c() computes it: the checksum of a checkpoint image's records,
 * which its tail holds (&cr_hdr_tail.crc32c). For ckptinfo and the
 * selftests, which check and forge images. Slicing by 8, since a 256 MiB
 * image should not take seconds, and under TCG a byte at a time does.
 */
#ifndef CKPT_CRC32C_H
#define CKPT_CRC32C_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static uint32_t crc32c_table[8][256];

/* Fill the tables; crc32c_update() does it on its first call. */
static inline void crc32c_init(void)
{
	unsigned int i, j;
	uint32_t c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ (0x82f63b78U & -(c & 1));
		crc32c_table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 8; j++) {
			c = crc32c_table[j - 1][i];
			crc32c_table[j][i] = (c >> 8) ^
					     crc32c_table[0][c & 0xff];
		}
}

/* @crc is the running register: ~0 to start, inverted at the end. */
static inline uint32_t crc32c_update(uint32_t crc, const unsigned char *p,
				     size_t n)
{
	uint32_t (*t)[256] = crc32c_table;
	uint64_t v;

	if (!t[0][1])		/* never 0 once filled */
		crc32c_init();
	while (n && ((uintptr_t)p & 7)) {
		crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		n--;
	}
	while (n >= 8) {
		memcpy(&v, p, 8);	/* little-endian, as on x86 */
		v ^= crc;
		crc = t[7][v & 0xff] ^ t[6][(v >> 8) & 0xff] ^
		      t[5][(v >> 16) & 0xff] ^ t[4][(v >> 24) & 0xff] ^
		      t[3][(v >> 32) & 0xff] ^ t[2][(v >> 40) & 0xff] ^
		      t[1][(v >> 48) & 0xff] ^ t[0][v >> 56];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#endif /* CKPT_CRC32C_H */

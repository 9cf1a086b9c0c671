/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Checkpoint/restart image format.
 *
 * An image is a stream of records. Every record starts with a struct
 * cr_hdr giving its type and its total length in bytes, header included;
 * lengths are multiples of 8 so that every record starts 8-byte aligned.
 * All fields are fixed width and in the byte order of the machine that
 * wrote the image (cr_hdr_head says which architecture that was).
 *
 * See Documentation/checkpoint.rst for the order of records and what
 * each one holds.
 */
#ifndef _UAPI_LINUX_CKPT_HDR_H
#define _UAPI_LINUX_CKPT_HDR_H

#include <linux/types.h>

/* "CKPTIMG\0" read as a little-endian 64-bit number */
#define CR_IMAGE_MAGIC		0x00474d4954504b43ULL

/* Bumped whenever a record changes layout or meaning. */
#define CR_IMAGE_VERSION	1

/* Records are padded to this alignment. */
#define CR_HDR_ALIGN		8

/**
 * enum cr_hdr_type - the type of a record
 * @CR_HDR_HEAD: first record: magic, version, arch, page size, release
 * @CR_HDR_TASK: the task: comm, signal handlers, blocked mask, creds
 * @CR_HDR_CPU: the task's CPU state (architecture specific)
 * @CR_HDR_MM: the address space: bounds, map count, flags
 * @CR_HDR_MM_CONTEXT: architecture mm state (the x86 LDT)
 * @CR_HDR_VMA: one memory area
 * @CR_HDR_PGARR: the addresses of one batch of saved pages of a VMA
 * @CR_HDR_PAGES: the contents of that batch, one page per address
 * @CR_HDR_TAIL: last record: magic and a checksum of the whole stream
 *
 * Values are stable: new record types get new numbers.
 */
enum cr_hdr_type {
	CR_HDR_HEAD		= 1,
	CR_HDR_TASK		= 2,
	CR_HDR_CPU		= 3,
	CR_HDR_MM		= 4,
	CR_HDR_MM_CONTEXT	= 5,
	CR_HDR_VMA		= 6,
	CR_HDR_PGARR		= 7,
	CR_HDR_PAGES		= 8,
	CR_HDR_TAIL		= 127,
};

/**
 * struct cr_hdr - the header every record starts with
 * @type: an &enum cr_hdr_type value
 * @len: length of the whole record in bytes, this header included;
 *	a multiple of %CR_HDR_ALIGN
 */
struct cr_hdr {
	__u32 type;
	__u32 len;
};

#endif /* _UAPI_LINUX_CKPT_HDR_H */

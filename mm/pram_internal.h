/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PRAM: the metadata layout shared by the running kernel (mm/pram.c)
 * and the boot code that takes the nodes over after kexec
 * (mm/pram_boot.c).
 *
 * Every metadata object fills one page and starts with a magic and a
 * checksum of the rest of the page (pram_csum(): XXH64, seeded with the
 * magic, cut to 32 bits). The super block lists the nodes; a node heads
 * two chains of link pages, one for its page stream and one for its
 * byte stream; a link lists page frame numbers. A kernel that finds a
 * bad magic or checksum drops the node concerned, never more.
 */
#ifndef _MM_PRAM_INTERNAL_H
#define _MM_PRAM_INTERNAL_H

#include <linux/list.h>
#include <linux/pram.h>
#include <linux/types.h>
#include <asm/page.h>

#define PRAM_MAGIC_SUPER	0x42535250	/* "PRSB" */
#define PRAM_MAGIC_NODE		0x444e5250	/* "PRND" */
#define PRAM_MAGIC_LINK		0x4b4c5250	/* "PRLK" */

/* Bumped when the layout below changes: an older kernel refuses it. */
#define PRAM_VERSION		3

struct pram_meta {
	u32 magic;
	u32 csum;
};

#define PRAM_MAX_NODES	((PAGE_SIZE - 16) / sizeof(u64))

/**
 * struct pram_super - the root the next kernel is given
 * @m: magic %PRAM_MAGIC_SUPER and checksum
 * @version: %PRAM_VERSION
 * @nr_nodes: entries in @node_pfn
 * @node_pfn: the published nodes' metadata pages; listed here rather
 *	than chained, so that a damaged node loses only itself
 */
struct pram_super {
	struct pram_meta m;
	u32 version;
	u32 nr_nodes;
	u64 node_pfn[PRAM_MAX_NODES];
};

/**
 * struct pram_node - one node's metadata page
 * @m: magic %PRAM_MAGIC_NODE and checksum
 * @page_link_pfn: the first link of the page stream, 0 when empty
 * @byte_link_pfn: the first link of the byte stream, 0 when empty
 * @nr_pages: pages in the page stream, each page of a huge entry counted
 * @size: bytes in the byte stream
 * @name: the node's name, NUL-terminated
 */
struct pram_node {
	struct pram_meta m;
	u64 page_link_pfn;
	u64 byte_link_pfn;
	u64 nr_pages;
	u64 size;
	char name[PRAM_NAME_MAX];
};

#define PRAM_LINK_NR	((PAGE_SIZE - 24) / sizeof(u64))

/**
 * struct pram_link - one page of a stream's list of pages
 * @m: magic %PRAM_MAGIC_LINK and checksum
 * @next_pfn: the next link, 0 for the last
 * @nr: entries used
 * @pad: zero
 * @pfn: the entries, in stream order: each a page frame number, with the
 *	order of the pages it starts in its top bits (pram_entry()). A
 *	byte stream's entries, and most of a page stream's, are of order
 *	0; a transparent huge page is kept as one entry of order
 *	%PMD_ORDER, its first page frame number aligned to its size
 */
struct pram_link {
	struct pram_meta m;
	u64 next_pfn;
	u32 nr;
	u32 pad;
	u64 pfn[PRAM_LINK_NR];
};

#define PRAM_ORDER_SHIFT	56
#define PRAM_PFN_MASK		((1ULL << PRAM_ORDER_SHIFT) - 1)

/* The entry of a link for @order pages from @pfn. */
static inline u64 pram_entry(u64 pfn, unsigned int order)
{
	return pfn | (u64)order << PRAM_ORDER_SHIFT;
}

static inline u64 pram_entry_pfn(u64 entry)
{
	return entry & PRAM_PFN_MASK;
}

static inline unsigned int pram_entry_order(u64 entry)
{
	return entry >> PRAM_ORDER_SHIFT;
}

/**
 * struct pram_node_info - a node in the running kernel
 * @list: link in the list of nodes, under pram_mutex
 * @node: its metadata page
 * @tail: the last link of the page stream (index 0) and of the byte
 *	stream (index 1), NULL while a stream is empty
 * @users: open streams
 * @saving: still being saved: neither loadable nor passed on to the
 *	next kernel
 * @deleted: off the list, deleted while open: freed with its last user
 * @huge: its page stream has entries of a higher order than 0
 */
struct pram_node_info {
	struct list_head list;
	struct pram_node *node;
	struct pram_link *tail[2];
	unsigned int users;
	bool saving;
	bool deleted;
	bool huge;
};

u32 pram_csum(const void *page);
void *pram_alloc_meta(void);

/* pram_zone.c: the kexec landing zone */
void pram_zone(phys_addr_t *start, phys_addr_t *size);
bool pram_zone_setup(void);
void pram_zone_confine(void);
bool pram_zone_confined(void);
bool pram_zone_may_hold(u64 pfn);
void pram_zone_unconfine(const u64 *pfns, unsigned long nr_pfns);
void pram_zone_isolate(void);

bool pram_meta_ok(const void *page, u32 magic);
struct pram_node_info *pram_adopt_node(struct pram_node *node);
void pram_set_super(struct pram_super *sb);

#endif /* _MM_PRAM_INTERNAL_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * PRAM: named nodes of memory that survive a kexec reboot.
 *
 * A node is saved once, through a pram_stream opened by
 * pram_prepare_save(): pages are added to its page stream by reference
 * (pram_give_pages() takes the caller's references over; nothing is
 * copied unless a page sits in the kexec landing zone), bytes to its
 * byte stream (pram_write_iter()), and pram_finish_save() publishes it:
 * from then on it is read-only, listed for the next kernel, and can be
 * loaded any number of times (pram_prepare_load(), pram_load_page(),
 * pram_read_iter()) until it is deleted, which gives its pages back.
 *
 * The metadata (see pram_internal.h) is kept in its on-page form all
 * the time, so handing it to the next kernel is only a matter of
 * checksums, refreshed whenever a node is published or deleted.
 */
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uio.h>
#include <linux/xxhash.h>

#include "pram_internal.h"

static LIST_HEAD(pram_nodes);
static DEFINE_MUTEX(pram_mutex);
static struct pram_super *pram_sb;
static unsigned int pram_nr_nodes;	/* listed, under pram_mutex */

/**
 * pram_csum() - the checksum of a metadata page
 * @page: the page's contents
 *
 * XXH64 rather than a CRC: publishing a node checksums each of its link
 * pages, 130 for 256 MiB, and lib/crc32's table-driven CRC-32 took that
 * 1.4 ms under TCG, a tenth of the checkpoint into the node. This catches
 * the same thing, a page the previous kernel did not leave as it was.
 *
 * Return: the low 32 bits of the XXH64 of the page after its &struct
 * pram_meta, seeded with its magic.
 */
u32 pram_csum(const void *page)
{
	const struct pram_meta *m = page;

	return (u32)xxh64(m + 1, PAGE_SIZE - sizeof(*m), m->magic);
}

/**
 * pram_meta_ok() - whether a metadata page has its magic and checksum
 * @page: the page's contents
 * @magic: the magic its type needs
 *
 * Return: true when both match.
 */
bool pram_meta_ok(const void *page, u32 magic)
{
	const struct pram_meta *m = page;

	return m->magic == magic && m->csum == pram_csum(page);
}

static void pram_seal(void *page)
{
	struct pram_meta *m = page;

	m->csum = pram_csum(page);
}

static void *pram_pfn_addr(u64 pfn)
{
	return pfn ? page_address(pfn_to_page(pfn)) : NULL;
}

static u64 pram_addr_pfn(void *addr)
{
	return addr ? page_to_pfn(virt_to_page(addr)) : 0;
}

/*
 * A page outside the kexec landing zone, allocated with @gfp: its
 * address, or NULL.
 */
static void *pram_alloc_outside_zone(gfp_t gfp)
{
	struct page *page = alloc_page(gfp);
	struct page *bad[8];
	int nr_bad = 0;

	while (page && pram_pfn_in_zone(page_to_pfn(page)) &&
	       nr_bad < ARRAY_SIZE(bad)) {
		bad[nr_bad++] = page;
		page = alloc_page(gfp);
	}
	while (nr_bad)
		__free_page(bad[--nr_bad]);
	if (page && pram_pfn_in_zone(page_to_pfn(page))) {
		__free_page(page);
		page = NULL;
	}
	return page ? page_address(page) : NULL;
}

/**
 * pram_alloc_meta() - a zeroed page for metadata
 *
 * Return: its address, outside the kexec landing zone, or NULL.
 */
void *pram_alloc_meta(void)
{
	return pram_alloc_outside_zone(GFP_KERNEL | __GFP_ZERO);
}

/*
 * A page a node's stream fills itself, not zeroed: a link page (see
 * pram_new_link()) or a byte-stream page (see pram_write_iter()). Under
 * TCG, zeroing the 1 MiB of them a 256 MiB checkpoint takes was an
 * eighth of its time.
 */
static void *pram_alloc_filled(void)
{
	return pram_alloc_outside_zone(GFP_KERNEL);
}

static void pram_free_meta(void *addr)
{
	if (addr)
		free_page((unsigned long)addr);
}

/*
 * Rewrite the list the next kernel follows: every published node, in
 * the super block, sealed afresh. Called under pram_mutex.
 */
static void pram_relink(void)
{
	struct pram_node_info *ni;
	u32 nr = 0;

	if (!pram_sb)
		return;
	list_for_each_entry(ni, &pram_nodes, list) {
		if (ni->saving)
			continue;
		pram_seal(ni->node);
		pram_sb->node_pfn[nr++] = pram_addr_pfn(ni->node);
	}
	pram_sb->nr_nodes = nr;
	memset(&pram_sb->node_pfn[nr], 0,
	       (PRAM_MAX_NODES - nr) * sizeof(pram_sb->node_pfn[0]));
	pram_seal(pram_sb);
}

static struct pram_node_info *pram_find(const char *name)
{
	struct pram_node_info *ni;

	list_for_each_entry(ni, &pram_nodes, list)
		if (!strcmp(ni->node->name, name))
			return ni;
	return NULL;
}

/* The first link of stream @s (0: pages, 1: bytes) of @node, or NULL. */
static struct pram_link *pram_first_link(struct pram_node *node, int s)
{
	return pram_pfn_addr(s ? node->byte_link_pfn : node->page_link_pfn);
}

/* Give stream @s (0: pages, 1: bytes) of @ni a tail link with room. */
static int pram_make_room(struct pram_node_info *ni, int s)
{
	struct pram_link *link = ni->tail[s], *new;

	if (link && link->nr < PRAM_LINK_NR)
		return 0;
	new = pram_alloc_filled();
	if (!new)
		return -ENOMEM;
	/* The entries are written as they come: only the head is zeroed. */
	memset(new, 0, offsetof(struct pram_link, pfn));
	new->m.magic = PRAM_MAGIC_LINK;
	if (link)
		link->next_pfn = pram_addr_pfn(new);
	else if (s)
		ni->node->byte_link_pfn = pram_addr_pfn(new);
	else
		ni->node->page_link_pfn = pram_addr_pfn(new);
	ni->tail[s] = new;
	return 0;
}

/* Append the order-0 @pfn to stream @s (0: pages, 1: bytes) of @ni. */
static int pram_append(struct pram_node_info *ni, int s, u64 pfn)
{
	int ret = pram_make_room(ni, s);

	if (!ret)
		ni->tail[s]->pfn[ni->tail[s]->nr++] = pram_entry(pfn, 0);
	return ret;
}

/*
 * Free a stream's links; @data: also drop the reference each entry holds
 * on the page, or the huge page's folio, it starts.
 */
static void pram_free_stream(u64 link_pfn, bool data)
{
	struct pram_link *link = pram_pfn_addr(link_pfn), *next;
	unsigned int i;

	while (link) {
		next = pram_pfn_addr(link->next_pfn);
		for (i = 0; data && i < link->nr; i++)
			put_page(pfn_to_page(pram_entry_pfn(link->pfn[i])));
		pram_free_meta(link);
		link = next;
		/* A node of gigabytes has thousands of links. */
		cond_resched();
	}
}

static void pram_free_node(struct pram_node_info *ni)
{
	pram_free_stream(ni->node->page_link_pfn, true);
	pram_free_stream(ni->node->byte_link_pfn, true);
	pram_free_meta(ni->node);
	kfree(ni);
}

/**
 * pram_prepare_save() - create a node and open it for saving
 * @ps: the stream to set up
 * @name: the node's name: 1 to %PRAM_NAME_MAX - 1 bytes, no '/'
 *
 * Return: 0, -EINVAL for a bad name, -EEXIST when a node has the name,
 * -ENOSPC when %PRAM_MAX_NODES exist, -ENODEV before PRAM is set up, or
 * -ENOMEM.
 */
int pram_prepare_save(struct pram_stream *ps, const char *name)
{
	size_t len = strnlen(name, PRAM_NAME_MAX);
	struct pram_node_info *ni;
	int ret = 0;

	if (!len || len == PRAM_NAME_MAX || strchr(name, '/'))
		return -EINVAL;
	ni = kzalloc(sizeof(*ni), GFP_KERNEL);
	if (!ni)
		return -ENOMEM;
	ni->node = pram_alloc_meta();
	if (!ni->node) {
		kfree(ni);
		return -ENOMEM;
	}
	ni->node->m.magic = PRAM_MAGIC_NODE;
	memcpy(ni->node->name, name, len);
	ni->saving = true;
	ni->users = 1;

	mutex_lock(&pram_mutex);
	if (!pram_sb)
		ret = -ENODEV;
	else if (pram_find(name))
		ret = -EEXIST;
	else if (pram_nr_nodes == PRAM_MAX_NODES)
		ret = -ENOSPC;
	if (!ret) {
		list_add_tail(&ni->list, &pram_nodes);
		pram_nr_nodes++;
	}
	mutex_unlock(&pram_mutex);
	if (ret) {
		pram_free_meta(ni->node);
		kfree(ni);
		return ret;
	}
	*ps = (struct pram_stream){ .node = ni, .save = true };
	return 0;
}

/**
 * pram_give_page() - add a page to the node's page stream, with its ref
 * @ps: a stream opened by pram_prepare_save()
 * @page: the page; the node takes over the caller's reference on it,
 *	whatever the result
 *
 * The page is saved by reference, not copied: the caller must keep it
 * from changing (checkpoint write-protects it). Only a page in the kexec
 * landing zone is copied to one outside, since kexec overwrites the
 * zone.
 *
 * Return: 0 or -ENOMEM.
 */
static int pram_give_page(struct pram_stream *ps, struct page *page)
{
	struct pram_node_info *ni = ps->node;
	int ret;

	if (pram_pfn_in_zone(page_to_pfn(page))) {
		void *addr = pram_alloc_meta();

		if (!addr) {
			put_page(page);
			return -ENOMEM;
		}
		copy_highpage(virt_to_page(addr), page);
		put_page(page);
		page = virt_to_page(addr);
	}
	ret = pram_append(ni, 0, page_to_pfn(page));
	if (ret) {
		put_page(page);
		return ret;
	}
	ni->node->nr_pages++;
	return 0;
}

/* Whether a page of the @nr from @pfn lies in the landing zone. */
static bool pram_in_zone(unsigned long pfn, unsigned long nr,
			 phys_addr_t zone_start, phys_addr_t zone_size)
{
	return PFN_PHYS(pfn) < zone_start + zone_size &&
	       PFN_PHYS(pfn + nr) > zone_start;
}

/**
 * pram_give_pages() - add pages to the node's page stream, with their refs
 * @ps: a stream opened by pram_prepare_save()
 * @pages: the pages, in stream order
 * @n: how many
 * @order: 0, or %PMD_ORDER when each page is the first of a transparent
 *	huge page, kept whole as one entry
 *
 * As pram_give_page() for each, in one call: the node takes over the
 * caller's reference on every page (on the folio, for a huge page),
 * whatever the result. A huge page must lie outside the landing zone:
 * the node has no room to copy one to.
 *
 * Return: 0, -ENOMEM, or -EINVAL for a huge page in the landing zone.
 */
int pram_give_pages(struct pram_stream *ps, struct page **pages,
		    unsigned int n, unsigned int order)
{
	struct pram_node_info *ni = ps->node;
	phys_addr_t zone_start, zone_size;
	struct pram_link *link;
	unsigned int i = 0, nr;
	unsigned long pfn;
	int ret = 0;

	/*
	 * The common case, a run of pages outside the landing zone that fits
	 * the tail link, is filled in a loop of its own: a checkpoint into
	 * PRAM costs little more than this loop and the page walk.
	 */
	pram_zone(&zone_start, &zone_size);
	while (i < n && !ret) {
		link = ni->tail[0];
		nr = link ? link->nr : PRAM_LINK_NR;
		for (; i < n && nr < PRAM_LINK_NR; i++, nr++) {
			pfn = page_to_pfn(pages[i]);
			if (unlikely(pram_in_zone(pfn, 1UL << order, zone_start,
						  zone_size)))
				break;
			link->pfn[nr] = pram_entry(pfn, order);
		}
		if (link) {
			ni->node->nr_pages += (u64)(nr - link->nr) << order;
			ni->huge |= order && nr > link->nr;
			link->nr = nr;
		}
		if (i == n)
			break;
		pfn = page_to_pfn(pages[i]);
		if (!pram_in_zone(pfn, 1UL << order, zone_start, zone_size))
			ret = pram_make_room(ni, 0);	/* the tail is full */
		else if (!order)
			ret = pram_give_page(ps, pages[i++]);
		else
			ret = -EINVAL;
	}
	while (i < n)
		put_page(pages[i++]);
	return ret;
}

/**
 * pram_write_iter() - append bytes to the node's byte stream
 * @ps: a stream opened by pram_prepare_save()
 * @from: the bytes
 *
 * Return: the bytes written, or -ENOMEM when none could be.
 */
ssize_t pram_write_iter(struct pram_stream *ps, struct iov_iter *from)
{
	struct pram_node *node = ps->node->node;
	size_t done = 0, off, n;
	struct pram_link *tail;
	struct page *page;
	int ret;

	while (iov_iter_count(from)) {
		off = offset_in_page(node->size);
		if (!off) {
			void *addr = pram_alloc_filled();

			if (!addr)
				break;
			ret = pram_append(ps->node, 1, pram_addr_pfn(addr));
			if (ret) {
				pram_free_meta(addr);
				break;
			}
		}
		tail = ps->node->tail[1];
		page = pfn_to_page(tail->pfn[tail->nr - 1]);
		n = copy_page_from_iter(page, off, PAGE_SIZE - off, from);
		/*
		 * What a fresh page's first write leaves is zeroed, so that
		 * no stale kernel data goes into the node; later writes fill
		 * it over the zeroes.
		 */
		if (!off && n < PAGE_SIZE)
			memzero_page(page, n, PAGE_SIZE - n);
		if (!n)
			break;
		node->size += n;
		done += n;
	}
	return done ? done : -ENOMEM;
}

/**
 * pram_finish_save() - publish a node
 * @ps: a stream opened by pram_prepare_save(); closed on return
 *
 * Seals every link page and adds the node to the chain the next kernel
 * follows. The node is then read-only and can be loaded.
 */
void pram_finish_save(struct pram_stream *ps)
{
	struct pram_node_info *ni = ps->node;
	struct pram_link *link;
	int s;

	for (s = 0; s < 2; s++) {
		link = pram_first_link(ni->node, s);
		for (; link; link = pram_pfn_addr(link->next_pfn)) {
			/* Entries never written: zeroes, as the head's were. */
			memset(&link->pfn[link->nr], 0,
			       (PRAM_LINK_NR - link->nr) * sizeof(link->pfn[0]));
			pram_seal(link);
		}
	}
	mutex_lock(&pram_mutex);
	ni->saving = false;
	ni->users--;
	pram_relink();
	mutex_unlock(&pram_mutex);
	ps->node = NULL;
}

/**
 * pram_discard_save() - drop a node that is being saved
 * @ps: a stream opened by pram_prepare_save(); closed on return
 *
 * Every page saved into it gets its reference back.
 */
void pram_discard_save(struct pram_stream *ps)
{
	struct pram_node_info *ni = ps->node;

	mutex_lock(&pram_mutex);
	list_del(&ni->list);
	pram_nr_nodes--;
	mutex_unlock(&pram_mutex);
	pram_free_node(ni);
	ps->node = NULL;
}

/* Point a load stream, counted in @ni's users, at its first page. */
static void pram_load_start(struct pram_stream *ps, struct pram_node_info *ni)
{
	*ps = (struct pram_stream){
		.node = ni,
		.link = pram_first_link(ni->node, 0),
	};
}

/**
 * pram_prepare_load() - open a published node for loading
 * @ps: the stream to set up
 * @name: the node's name
 *
 * Loading leaves the node as it is: it can be loaded again, and its
 * pages are given back only when it is deleted.
 *
 * Return: 0, -ENOENT when there is no such node, or -EBUSY while it is
 * being saved.
 */
int pram_prepare_load(struct pram_stream *ps, const char *name)
{
	struct pram_node_info *ni;
	int ret = 0;

	mutex_lock(&pram_mutex);
	ni = pram_find(name);
	if (!ni)
		ret = -ENOENT;
	else if (ni->saving)
		ret = -EBUSY;
	else
		ni->users++;
	mutex_unlock(&pram_mutex);
	if (!ret)
		pram_load_start(ps, ni);
	return ret;
}

/**
 * pram_load_again() - open a node once more, from its start
 * @ps: the stream to set up
 * @from: a stream open on the node, for loading
 *
 * Each restart(2) from a node reads its page stream from the start,
 * even through a descriptor already used, so it takes a stream of its
 * own; pram_finish_load() closes it.
 */
void pram_load_again(struct pram_stream *ps, struct pram_stream *from)
{
	mutex_lock(&pram_mutex);
	from->node->users++;
	mutex_unlock(&pram_mutex);
	pram_load_start(ps, from->node);
}

/**
 * pram_load_page() - the next entry of the node's page stream
 * @ps: a stream opened by pram_prepare_load()
 * @order: the order the entry must have: 0, or %PMD_ORDER for a huge page
 *
 * A huge entry is given as its first page, with one reference on its
 * folio: the task's THP in the boot that saved it, a folio made anew at
 * boot after a kexec reboot (pram_boot.c).
 *
 * Return: the page, with a reference for the caller, or NULL after the
 * last one or when the entry is of another order (then the stream stays
 * at it).
 */
struct page *pram_load_page(struct pram_stream *ps, unsigned int order)
{
	struct pram_link *link = ps->link;
	struct page *page;

	if (link && ps->idx == link->nr) {
		link = pram_pfn_addr(link->next_pfn);
		ps->link = link;
		ps->idx = 0;
	}
	if (!link || ps->idx >= link->nr ||
	    pram_entry_order(link->pfn[ps->idx]) != order)
		return NULL;
	page = pfn_to_page(pram_entry_pfn(link->pfn[ps->idx++]));
	get_page(page);
	return page;
}

/**
 * pram_load_pages() - the next small pages of the node's page stream
 * @ps: a stream opened by pram_prepare_load()
 * @pages: where they go, with room for @n
 * @n: how many are wanted
 *
 * What pram_load_page() gives one at a time, for a run of order-0
 * entries, but without references: each page stays the node's, which
 * keeps it at least while the stream is open, and the caller takes a
 * reference on a page before it keeps or maps it. No struct page is
 * touched here, so that a restart can leave that to the CPUs which map
 * the pages, in parallel.
 *
 * Return: how many pages were given; fewer than @n after the last one or
 * at an entry of another order (then the stream stays at it).
 */
unsigned int pram_load_pages(struct pram_stream *ps, struct page **pages,
			     unsigned int n)
{
	struct pram_link *link = ps->link;
	unsigned int got = 0;
	u64 entry;

	while (link && got < n) {
		if (ps->idx == link->nr) {
			link = pram_pfn_addr(link->next_pfn);
			ps->link = link;
			ps->idx = 0;
			continue;
		}
		entry = link->pfn[ps->idx];
		if (pram_entry_order(entry))
			break;
		pages[got++] = pfn_to_page(pram_entry_pfn(entry));
		ps->idx++;
	}
	return got;
}

/* Whether the @n entries of @link from @idx on are all of order 0. */
static bool pram_small_entries(const struct pram_link *link, unsigned int idx,
			       unsigned int n)
{
	while (n--)
		if (pram_entry_order(link->pfn[idx++]))
			return false;
	return true;
}

/**
 * pram_load_skip() - pass over pages of the node's page stream
 * @ps: a stream opened by pram_prepare_load()
 * @n: how many
 * @pos: set to the place of the first, for pram_page_at()
 *
 * For a lazy restart, which takes the pages later, in any order; so the
 * entries passed over must all be of order 0.
 *
 * Return: 0, -ENODATA when fewer than @n pages are left (the stream is
 * then at its end), or -EINVAL when an entry of them is a huge page.
 */
int pram_load_skip(struct pram_stream *ps, unsigned int n,
		   struct pram_pos *pos)
{
	struct pram_link *link = ps->link;

	while (link && ps->idx == link->nr) {
		link = pram_pfn_addr(link->next_pfn);
		ps->link = link;
		ps->idx = 0;
	}
	*pos = (struct pram_pos){ .link = link, .idx = ps->idx };
	while (link && n) {
		unsigned int k = min(n, link->nr - ps->idx);

		/* Most nodes have no huge entry: nothing to look at. */
		if (ps->node->huge && !pram_small_entries(link, ps->idx, k))
			return -EINVAL;
		ps->idx += k;
		n -= k;
		if (n && ps->idx == link->nr) {
			link = pram_pfn_addr(link->next_pfn);
			ps->link = link;
			ps->idx = 0;
		}
	}
	return n ? -ENODATA : 0;
}

/**
 * pram_page_at() - a page of the node's page stream, by its place
 * @pos: the place of a page, from pram_load_skip()
 * @i: how many pages after it
 *
 * The node must still be open for loading, and the pages from @pos on
 * passed over by pram_load_skip(), which saw that they are all small.
 *
 * Return: the page, with a reference for the caller, or NULL past the
 * end of the stream.
 */
struct page *pram_page_at(const struct pram_pos *pos, unsigned int i)
{
	struct pram_link *link = pos->link;
	u64 idx = (u64)pos->idx + i;
	struct page *page;

	while (link && idx >= link->nr) {
		idx -= link->nr;
		link = pram_pfn_addr(link->next_pfn);
	}
	if (!link)
		return NULL;
	page = pfn_to_page(pram_entry_pfn(link->pfn[idx]));
	get_page(page);
	return page;
}

/**
 * pram_read_iter() - read the node's byte stream at an offset
 * @ps: a stream opened for loading or saving
 * @to: where the bytes go
 * @pos: the offset in the byte stream
 *
 * Return: the bytes read, 0 at the end of the stream, or -EFAULT.
 */
ssize_t pram_read_iter(struct pram_stream *ps, struct iov_iter *to,
		       loff_t pos)
{
	struct pram_node *node = ps->node->node;
	struct pram_link *link = pram_pfn_addr(node->byte_link_pfn);
	u64 idx = pos >> PAGE_SHIFT;
	size_t done = 0, off, n;

	if (pos < 0)
		return -EINVAL;
	while (link && idx >= link->nr) {
		idx -= link->nr;
		link = pram_pfn_addr(link->next_pfn);
	}
	while (link && iov_iter_count(to) && pos < node->size) {
		off = offset_in_page(pos);
		n = min_t(u64, PAGE_SIZE - off, node->size - pos);
		n = copy_page_to_iter(pfn_to_page(pram_entry_pfn(link->pfn[idx])),
				      off, n, to);
		if (!n)
			return done ? done : -EFAULT;
		done += n;
		pos += n;
		if (!offset_in_page(pos) && ++idx == link->nr) {
			link = pram_pfn_addr(link->next_pfn);
			idx = 0;
		}
	}
	return done;
}

/**
 * pram_finish_load() - close a stream opened by pram_prepare_load()
 * @ps: the stream
 */
void pram_finish_load(struct pram_stream *ps)
{
	struct pram_node_info *ni = ps->node;
	bool last;

	mutex_lock(&pram_mutex);
	last = !--ni->users && ni->deleted;
	mutex_unlock(&pram_mutex);
	/* Deleted while open: its pages go back with its last user. */
	if (last)
		pram_free_node(ni);
	ps->node = NULL;
}

/**
 * pram_delete() - delete a published node and give its pages back
 * @name: the node's name
 *
 * The node leaves the list at once: no one can open it, and the next
 * kernel does not take it over. Its pages go back now, or, while it is
 * open for loading (a descriptor, a restart, a lazy restart's pages
 * still to fill), when the last of those lets go (pram_finish_load()),
 * as a file's blocks go with its last open descriptor after unlink(2).
 *
 * Return: 0, -ENOENT when there is no such node, or -EBUSY while it is
 * being saved.
 */
int pram_delete(const char *name)
{
	struct pram_node_info *ni;
	bool now = false;
	int ret = 0;

	mutex_lock(&pram_mutex);
	ni = pram_find(name);
	if (!ni)
		ret = -ENOENT;
	else if (ni->saving)
		ret = -EBUSY;
	if (!ret) {
		list_del(&ni->list);
		pram_nr_nodes--;
		pram_relink();
		ni->deleted = true;
		now = !ni->users;
	}
	mutex_unlock(&pram_mutex);
	if (now)
		pram_free_node(ni);
	return ret;
}

/**
 * pram_node_stat() - a published node's sizes
 * @name: the node's name
 * @size: set to the bytes in its byte stream
 * @pages: set to the pages it holds: both streams and its metadata
 *
 * Return: 0, or -ENOENT.
 */
int pram_node_stat(const char *name, u64 *size, u64 *pages)
{
	struct pram_node_info *ni;
	struct pram_link *link;
	int ret = -ENOENT, s;

	mutex_lock(&pram_mutex);
	ni = pram_find(name);
	if (ni) {
		*size = ni->node->size;
		*pages = 1 + ni->node->nr_pages +
			 DIV_ROUND_UP(ni->node->size, PAGE_SIZE);
		for (s = 0; s < 2; s++) {
			link = pram_first_link(ni->node, s);
			for (; link; link = pram_pfn_addr(link->next_pfn)) {
				(*pages)++;
				cond_resched();
			}
		}
		ret = 0;
	}
	mutex_unlock(&pram_mutex);
	return ret;
}

/**
 * pram_walk_nodes() - call @fn with the name of every published node
 * @fn: the callback; a non-zero return stops the walk
 * @arg: its argument
 *
 * Return: what @fn returned last, or 0.
 */
int pram_walk_nodes(pram_node_fn fn, void *arg)
{
	struct pram_node_info *ni;
	int ret = 0;

	mutex_lock(&pram_mutex);
	list_for_each_entry(ni, &pram_nodes, list) {
		if (ni->saving)
			continue;
		ret = fn(ni->node->name, arg);
		if (ret)
			break;
	}
	mutex_unlock(&pram_mutex);
	return ret;
}

/**
 * pram_adopt_node() - list a node the previous kernel saved
 * @node: its metadata page, checked, with both streams' links
 *
 * Return: the node, or NULL when out of memory.
 */
struct pram_node_info *pram_adopt_node(struct pram_node *node)
{
	struct pram_node_info *ni = kzalloc(sizeof(*ni), GFP_KERNEL);
	struct pram_link *link;
	int s;

	if (!ni)
		return NULL;
	ni->node = node;
	for (s = 0; s < 2; s++) {
		link = pram_first_link(node, s);
		for (; link; link = pram_pfn_addr(link->next_pfn)) {
			ni->tail[s] = link;
			ni->huge |= !pram_small_entries(link, 0, link->nr);
		}
	}
	mutex_lock(&pram_mutex);
	list_add_tail(&ni->list, &pram_nodes);
	pram_nr_nodes++;
	mutex_unlock(&pram_mutex);
	return ni;
}

/**
 * pram_set_super() - make @sb the super block, and chain the nodes to it
 * @sb: a super block page, zeroed or the previous kernel's
 */
void pram_set_super(struct pram_super *sb)
{
	mutex_lock(&pram_mutex);
	pram_sb = sb;
	memset(sb, 0, PAGE_SIZE);
	sb->m.magic = PRAM_MAGIC_SUPER;
	sb->version = PRAM_VERSION;
	pram_relink();
	mutex_unlock(&pram_mutex);
}

/**
 * pram_super_phys() - where the super block is, for the next kernel
 *
 * Return: its physical address, or 0 before PRAM is set up.
 */
phys_addr_t pram_super_phys(void)
{
	return pram_sb ? virt_to_phys(pram_sb) : 0;
}

#ifdef CONFIG_DEBUG_FS
/* Print the pfn of every link page of a stream and of every page it lists. */
static void pram_show_stream(struct seq_file *m, u64 link_pfn)
{
	struct pram_link *link = pram_pfn_addr(link_pfn);
	u64 pfn, end;
	u32 i;

	for (; link; link = pram_pfn_addr(link->next_pfn)) {
		seq_printf(m, "%llu\n", pram_addr_pfn(link));
		for (i = 0; i < link->nr; i++) {
			pfn = pram_entry_pfn(link->pfn[i]);
			end = pfn + (1ULL << pram_entry_order(link->pfn[i]));
			for (; pfn < end; pfn++)
				seq_printf(m, "%llu\n", pfn);
		}
		cond_resched();
	}
}

/**
 * pram_pfns_show() - list the pages the next kernel takes over
 * @m: the seq_file of /sys/kernel/debug/pram/pfns
 * @v: unused
 *
 * Prints one page frame number per line, in decimal: the super block's,
 * then, for every published node, its metadata page's and those of both
 * its streams, each link page followed by the pages it lists (every
 * page of a huge entry). These are the pages a kexec reboot must leave
 * alone, so that a test can check them against the kexec segments. A
 * node still being saved is not passed on and is not listed. A page
 * listed by several nodes is printed once per listing.
 *
 * Return: 0.
 */
static int pram_pfns_show(struct seq_file *m, void *v)
{
	struct pram_node_info *ni;

	mutex_lock(&pram_mutex);
	if (pram_sb)
		seq_printf(m, "%llu\n", pram_addr_pfn(pram_sb));
	list_for_each_entry(ni, &pram_nodes, list) {
		if (ni->saving)
			continue;
		seq_printf(m, "%llu\n", pram_addr_pfn(ni->node));
		pram_show_stream(m, ni->node->page_link_pfn);
		pram_show_stream(m, ni->node->byte_link_pfn);
	}
	mutex_unlock(&pram_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pram_pfns);

/**
 * pram_debugfs_init() - create /sys/kernel/debug/pram/pfns
 *
 * The file shows physical page frames: it is readable by root only.
 *
 * Return: 0; debugfs errors are not fatal.
 */
static int __init pram_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("pram", NULL);

	debugfs_create_file("pfns", 0400, dir, NULL, &pram_pfns_fops);
	return 0;
}
late_initcall(pram_debugfs_init);
#endif

#if IS_ENABLED(CONFIG_CHECKPOINT_TEST_REPORTS)
/**
 * pram_test_corrupt() - damage a published node's metadata, for tests
 * @name: the node
 *
 * Flips a byte of the node's metadata page without sealing it again, as
 * a stray write would, so that a test can check that the next kernel
 * drops the node and boots on. Only built for the test kernel.
 *
 * Return: 0, or -ENOENT when there is no such published node.
 */
int pram_test_corrupt(const char *name)
{
	struct pram_node_info *ni;
	int ret = -ENOENT;

	mutex_lock(&pram_mutex);
	ni = pram_find(name);
	if (ni && !ni->saving) {
		ni->node->name[PRAM_NAME_MAX - 1] ^= 0x5a;
		ret = 0;
	}
	mutex_unlock(&pram_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(pram_test_corrupt);
#endif

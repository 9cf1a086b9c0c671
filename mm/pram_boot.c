// SPDX-License-Identifier: GPL-2.0-only
/*
 * PRAM across kexec: taking the nodes over at boot.
 *
 * The next kernel is booted with "pram=ROOT pram_zone=SIZE@START", as
 * /sys/kernel/pram prints it. Right after memblock knows the memory,
 * pram_early_init() has the landing zone (pram_zone.c) confine the early
 * allocations of the new kernel to the zone, where no preserved page is,
 * as KHO confines them to its scratch areas. Once
 * the direct map is up, pram_reserve() follows the chain from the super
 * block, checks every metadata page's magic and checksum, reserves the
 * pages of every sound node, drops a damaged one with a log line, and
 * only then gives the rest of memory back. At core_initcall time the
 * reserved pages become ordinary pages owned by their nodes.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kexec.h>
#include <linux/kobject.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/sort.h>
#include <linux/sysfs.h>
#include <linux/zone_isolation.h>

#include "internal.h"
#include "pram_internal.h"

#undef pr_fmt
#define pr_fmt(fmt) "pram: " fmt

/* Nodes taken over at most; more are dropped, with a log line. */
#define PRAM_BOOT_NODES	256

static phys_addr_t pram_root __initdata;

static u64 good_nodes[PRAM_BOOT_NODES] __initdata;
static unsigned int nr_good __initdata;
static bool root_ok __initdata;

static int __init pram_parse_root(char *arg)
{
	return kstrtoull(arg, 0, &pram_root);
}
early_param("pram", pram_parse_root);

/*
 * Whether @pfn may hold a preserved page: RAM, outside the zone and, when
 * early allocations were confined, in memory nothing had reserved, so
 * that the new kernel cannot have put anything there.
 */
static bool __init pram_pfn_ok(u64 pfn)
{
	return pfn && pfn < max_pfn && memblock_is_memory(PFN_PHYS(pfn)) &&
	       !pram_pfn_in_zone(pfn) && pram_zone_may_hold(pfn);
}

/*
 * Whether the link entry @e of a page stream (@pages) or a byte stream
 * lists usable pages: one, or a huge page's worth, aligned to its size,
 * in a page stream.
 */
static bool __init pram_entry_ok(u64 e, bool pages)
{
	unsigned int order = pram_entry_order(e);
	u64 pfn = pram_entry_pfn(e), i;

	if (order && (!pages || order != PMD_ORDER ||
		      !IS_ALIGNED(pfn, 1UL << order)))
		return false;
	for (i = 0; i < 1UL << order; i++)
		if (!pram_pfn_ok(pfn + i))
			return false;
	return true;
}

/*
 * Check the links of one stream (@pages: the page stream); returns the
 * pages they list, their own included, or -1 with *why set when the
 * stream is damaged.
 */
static long __init pram_check_stream(u64 pfn, bool pages, const char **why)
{
	unsigned long hops = 0;
	struct pram_link *link;
	long n = 0;
	u32 i;

	for (; pfn; pfn = link->next_pfn) {
		if (!pram_pfn_ok(pfn) || ++hops > max_pfn) {
			*why = "a link outside usable memory";
			return -1;
		}
		link = __va(PFN_PHYS(pfn));
		if (!pram_meta_ok(link, PRAM_MAGIC_LINK) ||
		    link->nr > PRAM_LINK_NR) {
			*why = "a bad link page";
			return -1;
		}
		for (i = 0; i < link->nr; i++) {
			if (!pram_entry_ok(link->pfn[i], pages)) {
				*why = "a page outside usable memory, or a bad huge page";
				return -1;
			}
			n += 1L << pram_entry_order(link->pfn[i]);
		}
		n++;
	}
	return n;
}

/*
 * Check the node at @pfn; returns the pages it holds, metadata included,
 * or 0 with *why set.
 */
static unsigned long __init pram_check_node(u64 pfn, const char **why)
{
	struct pram_node *node = __va(PFN_PHYS(pfn));
	long pages, bytes, links = 0;
	struct pram_link *link;
	u64 l;

	*why = NULL;
	if (!pram_pfn_ok(pfn)) {
		*why = "its metadata page is outside usable memory";
		return 0;
	}
	if (!pram_meta_ok(node, PRAM_MAGIC_NODE) ||
	    !memchr(node->name, '\0', PRAM_NAME_MAX)) {
		*why = "bad node metadata (magic or checksum)";
		return 0;
	}
	pages = pram_check_stream(node->page_link_pfn, true, why);
	bytes = pages < 0 ? -1 :
		pram_check_stream(node->byte_link_pfn, false, why);
	if (pages < 0 || bytes < 0)
		return 0;
	/* The counts above include one page per link: take them out. */
	for (l = node->page_link_pfn; l; l = link->next_pfn, links++)
		link = __va(PFN_PHYS(l));
	if (pages - links != node->nr_pages)
		*why = "its page count does not match its page stream";
	links = 0;
	for (l = node->byte_link_pfn; l; l = link->next_pfn, links++)
		link = __va(PFN_PHYS(l));
	if (bytes - links != DIV_ROUND_UP(node->size, PAGE_SIZE))
		*why = "its size does not match its byte stream";
	return *why ? 0 : 1 + pages + bytes;
}

static u64 *pram_pfns __initdata;
static unsigned long nr_pfns __initdata;

static void __init pram_note_stream(u64 pfn)
{
	struct pram_link *link;
	u64 p, end;
	u32 i;

	for (; pfn; pfn = link->next_pfn) {
		link = __va(PFN_PHYS(pfn));
		pram_pfns[nr_pfns++] = pfn;
		for (i = 0; i < link->nr; i++) {
			p = pram_entry_pfn(link->pfn[i]);
			end = p + (1ULL << pram_entry_order(link->pfn[i]));
			while (p < end)
				pram_pfns[nr_pfns++] = p++;
		}
	}
}

/*
 * Check the super block and every node; list the pages of the sound
 * ones in pram_pfns (allocated here, from the zone while early
 * allocations are confined to it).
 */
static void __init pram_collect(void)
{
	unsigned long total = 1, n;
	struct pram_super *sb;
	struct pram_node *node;
	const char *why;
	u32 i;

	if (!PAGE_ALIGNED(pram_root) || !pram_pfn_ok(PHYS_PFN(pram_root))) {
		pr_err("pram=%pa is not a usable page: nothing taken over\n",
		       &pram_root);
		return;
	}
	sb = __va(pram_root);
	if (!pram_meta_ok(sb, PRAM_MAGIC_SUPER) || sb->version != PRAM_VERSION ||
	    sb->nr_nodes > PRAM_MAX_NODES) {
		pr_err("no sound super block at %pa: nothing taken over\n",
		       &pram_root);
		return;
	}
	for (i = 0; i < sb->nr_nodes; i++) {
		n = pram_check_node(sb->node_pfn[i], &why);
		if (!n) {
			pr_err("node %u (pfn %#llx) dropped: %s\n", i,
			       sb->node_pfn[i], why);
			continue;
		}
		if (nr_good == PRAM_BOOT_NODES) {
			pr_err("more than %d nodes: node %u dropped\n",
			       PRAM_BOOT_NODES, i);
			continue;
		}
		good_nodes[nr_good++] = sb->node_pfn[i];
		total += n;
	}

	pram_pfns = memblock_alloc(total * sizeof(u64), SMP_CACHE_BYTES);
	if (!pram_pfns) {
		pr_err("no memory to list %lu preserved pages: nothing taken over\n",
		       total);
		nr_good = 0;
		return;
	}
	root_ok = true;
	pram_pfns[nr_pfns++] = PHYS_PFN(pram_root);
	for (i = 0; i < nr_good; i++) {
		node = __va(PFN_PHYS(good_nodes[i]));
		pram_pfns[nr_pfns++] = good_nodes[i];
		pram_note_stream(node->page_link_pfn);
		pram_note_stream(node->byte_link_pfn);
	}
}

static int __init pram_cmp_pfn(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/**
 * pram_early_init() - set PRAM up, right after memblock
 *
 * Called by setup_arch() once memblock holds the memory map, before
 * anything is allocated from it: sets the landing zone up and, after a
 * kexec (pram= given), confines early allocations to it.
 */
void __init pram_early_init(void)
{
	if (pram_zone_setup()) {
		if (pram_root)
			pram_zone_confine();
	} else if (pram_root) {
		/*
		 * Without the landing zone, early allocations of this kernel
		 * may already sit on preserved pages: take nothing over.
		 */
		pr_err("pram=%pa without pram_zone=: no node is taken over\n",
		       &pram_root);
		pram_root = 0;
	}
}

/**
 * pram_reserve() - keep the previous kernel's nodes, once memory is mapped
 *
 * Called by setup_arch() once the direct map covers memory and before
 * the memmap is allocated. The nodes are checked and their pages listed
 * while the confinement of pram_early_init() holds; then the confinement
 * is lifted everywhere but on those pages, which stay reserved from the
 * first boot instruction on. Without a zone (no confinement), the pages
 * are reserved one by one, hoping nothing took them yet.
 */
void __init pram_reserve(void)
{
	unsigned long i;

	if (pram_root)
		pram_collect();
	if (pram_pfns)
		sort(pram_pfns, nr_pfns, sizeof(u64), pram_cmp_pfn, NULL);
	if (pram_zone_confined()) {
		pram_zone_unconfine(pram_pfns, nr_pfns);
	} else {
		for (i = 0; i < nr_pfns; i++)
			memblock_reserve(PFN_PHYS(pram_pfns[i]), PAGE_SIZE);
	}
	if (pram_pfns)
		memblock_free(pram_pfns, (nr_pfns ? : 1) * sizeof(u64));
}

/* A page reserved at boot becomes an ordinary one, owned by PRAM. */
static void __init pram_take_page(u64 pfn)
{
	struct page *page = pfn_to_page(pfn);

	/*
	 * A page listed by several nodes (a task checkpointed twice, COW
	 * pages of forked tasks) keeps one reference per listing, as it
	 * had before kexec: the first listing turns the reserved page's
	 * reference into the node's, each further listing takes its own.
	 */
	if (!PageReserved(page)) {
		get_page(page);
		return;
	}
	ClearPageReserved(page);
	adjust_managed_page_count(page, 1);
}

/*
 * A huge entry's pages, reserved at boot, become one folio again, as the
 * page allocator makes a THP's (prep_compound_page(), and rmappable as
 * an anonymous THP is), with the node's reference: so that restart can
 * map it by a PMD, and the node give it back whole. Listed by several
 * nodes (checkpointed twice, or forked), it takes one reference each.
 */
static void __init pram_take_huge(u64 pfn)
{
	struct page *head = pfn_to_page(pfn), *page;
	unsigned long i, nr = 1UL << PMD_ORDER;

	if (!PageReserved(head)) {
		get_page(head);
		return;
	}
	for (i = 0; i < nr; i++) {
		page = nth_page(head, i);
		ClearPageReserved(page);
		/* A tail page's references are its folio's. */
		if (i)
			set_page_count(page, 0);
	}
	adjust_managed_page_count(head, nr);
	prep_compound_page(head, PMD_ORDER);
	folio_set_large_rmappable(page_folio(head));
}

/*
 * Take the pages of a stream over: its huge entries (@huge), or its
 * links and small entries. The huge entries of every node go before any
 * other page, so that a small entry of another node for a page of a
 * huge page (its task checkpointed again after a split) takes a
 * reference on the folio rather than making it a page of its own.
 */
static void __init pram_take_stream(u64 pfn, bool huge)
{
	struct pram_link *link;
	u32 i;

	for (; pfn; pfn = link->next_pfn) {
		link = pfn_to_kaddr(pfn);
		for (i = 0; i < link->nr; i++) {
			if ((pram_entry_order(link->pfn[i]) != 0) != huge)
				continue;
			if (huge)
				pram_take_huge(pram_entry_pfn(link->pfn[i]));
			else
				pram_take_page(link->pfn[i]);
		}
		if (!huge)
			pram_take_page(pfn);
	}
}

static ssize_t pram_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	phys_addr_t root = pram_super_phys();
	phys_addr_t zone_start, zone_size;

	pram_zone(&zone_start, &zone_size);
	if (!zone_size)
		return sysfs_emit(buf, "pram=%pa\n", &root);
	return sysfs_emit(buf, "pram=%pa pram_zone=%pa@%pa\n", &root,
			  &zone_size, &zone_start);
}

/* A physical address: for root's eyes only. */
static struct kobj_attribute pram_attr = __ATTR(pram, 0400, pram_show, NULL);

/*
 * Take the nodes reserved at boot over, or start afresh, and publish
 * the kernel command line the next kernel needs in /sys/kernel/pram.
 */
static int __init pram_init(void)
{
	struct pram_super *sb = NULL;
	struct pram_node *node;
	unsigned int i;

	if (root_ok) {
		for (i = 0; i < nr_good; i++) {
			node = pfn_to_kaddr(good_nodes[i]);
			pram_take_stream(node->page_link_pfn, true);
		}
		pram_take_page(PHYS_PFN(pram_root));
		sb = __va(pram_root);
		for (i = 0; i < nr_good; i++) {
			node = pfn_to_kaddr(good_nodes[i]);
			pram_take_stream(node->page_link_pfn, false);
			pram_take_stream(node->byte_link_pfn, false);
			pram_take_page(good_nodes[i]);
			if (!pram_adopt_node(node))
				pr_err("out of memory: node %s lost\n", node->name);
		}
		pr_info("%u nodes taken over from the previous kernel\n",
			nr_good);
	} else {
		sb = pram_alloc_meta();
		if (!sb)
			return -ENOMEM;
	}
	pram_set_super(sb);
	pram_zone_isolate();
	return sysfs_create_file(kernel_kobj, &pram_attr.attr);
}
core_initcall(pram_init);


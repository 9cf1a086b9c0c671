// SPDX-License-Identifier: GPL-2.0-only
/*
 * PRAM across kexec: the landing zone, and taking the nodes over at boot.
 *
 * The landing zone (pram_zone=SIZE or SIZE@START) is a physical range
 * that holds no preserved page: PRAM copies a page it is asked to save
 * from there, allocates its metadata elsewhere, and kexec places every
 * segment of the next kernel inside it (see cr_kexec_locate_mem_hole()).
 *
 * The next kernel is booted with "pram=ROOT pram_zone=SIZE@START", as
 * /sys/kernel/pram prints it. Right after memblock knows the memory,
 * pram_early_init() reserves every free range outside the zone (and
 * above the first MiB, which x86 keeps to itself), so that the early
 * allocations of the new kernel (page tables, memblock's own arrays)
 * all land in the zone, as KHO confines them to its scratch areas. Once
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

#include "pram_internal.h"

#undef pr_fmt
#define pr_fmt(fmt) "pram: " fmt

/* Nodes taken over at most; more are dropped, with a log line. */
#define PRAM_BOOT_NODES	256
#define PRAM_BOOT_GAPS	64

static phys_addr_t pram_root __initdata;
static phys_addr_t zone_start, zone_size;

static struct {
	phys_addr_t base, size;
} pram_gaps[PRAM_BOOT_GAPS] __initdata;
static unsigned int nr_gaps __initdata;

static u64 good_nodes[PRAM_BOOT_NODES] __initdata;
static unsigned int nr_good __initdata;
static bool root_ok __initdata;

static int __init pram_parse_root(char *arg)
{
	return kstrtoull(arg, 0, &pram_root);
}
early_param("pram", pram_parse_root);

static int __init pram_parse_zone(char *arg)
{
	char *at;

	zone_size = ALIGN(memparse(arg, &at), SZ_2M);
	if (*at == '@')
		zone_start = memparse(at + 1, &at);
	if (!zone_size || !IS_ALIGNED(zone_start, SZ_2M)) {
		pr_err("bad pram_zone=%s: SIZE[@START], 2 MiB aligned\n", arg);
		zone_size = 0;
		zone_start = 0;
		return -EINVAL;
	}
	return 0;
}
early_param("pram_zone", pram_parse_zone);

/**
 * pram_pfn_in_zone() - whether a page frame is in the kexec landing zone
 * @pfn: the page frame number
 *
 * Return: true when it is, so that it must not hold a preserved page.
 */
bool pram_pfn_in_zone(unsigned long pfn)
{
	phys_addr_t pa = PFN_PHYS(pfn);

	return zone_size && pa >= zone_start && pa - zone_start < zone_size;
}

/**
 * pram_zone() - the kexec landing zone
 * @start: set to its first byte
 * @size: set to its size, 0 when there is none
 */
void pram_zone(phys_addr_t *start, phys_addr_t *size)
{
	*start = zone_start;
	*size = zone_size;
}

/* Reserve the free memory outside the zone and the first MiB. */
static void __init pram_confine(void)
{
	phys_addr_t start, end, zend = zone_start + zone_size;
	unsigned int i;
	u64 it;

	for_each_free_mem_range(it, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &end,
				NULL) {
		start = max_t(phys_addr_t, start, SZ_1M);
		if (start >= end)
			continue;
		if (start < zone_start && nr_gaps < PRAM_BOOT_GAPS) {
			pram_gaps[nr_gaps].base = start;
			pram_gaps[nr_gaps++].size = min(end, zone_start) - start;
		}
		if (end > zend && nr_gaps < PRAM_BOOT_GAPS) {
			start = max(start, zend);
			pram_gaps[nr_gaps].base = start;
			pram_gaps[nr_gaps++].size = end - start;
		}
	}
	for (i = 0; i < nr_gaps; i++)
		memblock_reserve(pram_gaps[i].base, pram_gaps[i].size);
}

/**
 * pram_early_init() - set the landing zone up, right after memblock
 *
 * Called by setup_arch() once memblock holds the memory map, before
 * anything is allocated from it. With no zone given, there is nothing
 * to do. On a first boot (pram_zone=SIZE) the zone is chosen among free
 * memory below 4 GiB, where kexec loads best; after a kexec (pram= and
 * pram_zone=SIZE@START) early allocations are confined to it.
 */
void __init pram_early_init(void)
{
	phys_addr_t pa;

	if (!zone_size)
		return;
	if (!zone_start) {
		pa = memblock_phys_alloc_range(zone_size, SZ_2M, SZ_16M, SZ_4G);
		if (!pa) {
			pr_err("no room for a %pa-byte landing zone\n", &zone_size);
			zone_size = 0;
			return;
		}
		memblock_phys_free(pa, zone_size);
		zone_start = pa;
	}
	pr_info("kexec landing zone %pa+%pa\n", &zone_start, &zone_size);
	if (pram_root)
		pram_confine();
}

/* Whether @pfn lies in one of the ranges pram_confine() reserved. */
static bool __init pram_in_gap(u64 pfn)
{
	phys_addr_t pa = PFN_PHYS(pfn);
	unsigned int i;

	for (i = 0; i < nr_gaps; i++)
		if (pa >= pram_gaps[i].base &&
		    pa - pram_gaps[i].base < pram_gaps[i].size)
			return true;
	return false;
}

/*
 * Whether @pfn may hold a preserved page: RAM, outside the zone and, when
 * early allocations were confined, in memory nothing had reserved, so
 * that the new kernel cannot have put anything there.
 */
static bool __init pram_pfn_ok(u64 pfn)
{
	return pfn && pfn < max_pfn && memblock_is_memory(PFN_PHYS(pfn)) &&
	       !pram_pfn_in_zone(pfn) && (!nr_gaps || pram_in_gap(pfn));
}

/*
 * Check the links of one stream; returns the entries they list, or -1
 * with *why set when the stream is damaged.
 */
static long __init pram_check_stream(u64 pfn, const char **why)
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
			if (!pram_pfn_ok(link->pfn[i])) {
				*why = "a page outside usable memory";
				return -1;
			}
		}
		n += link->nr + 1;
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
	pages = pram_check_stream(node->page_link_pfn, why);
	bytes = pages < 0 ? -1 : pram_check_stream(node->byte_link_pfn, why);
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
	u32 i;

	for (; pfn; pfn = link->next_pfn) {
		link = __va(PFN_PHYS(pfn));
		pram_pfns[nr_pfns++] = pfn;
		for (i = 0; i < link->nr; i++)
			pram_pfns[nr_pfns++] = link->pfn[i];
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

/* Give back what pram_confine() reserved, except the preserved pages. */
static void __init pram_release_gaps(void)
{
	phys_addr_t cur, end, pa;
	unsigned long j = 0;
	unsigned int i;

	for (i = 0; i < nr_gaps; i++) {
		cur = pram_gaps[i].base;
		end = cur + pram_gaps[i].size;
		for (; j < nr_pfns && PFN_PHYS(pram_pfns[j]) < end; j++) {
			pa = PFN_PHYS(pram_pfns[j]);
			if (pa < cur)
				continue;	/* a duplicate, or before */
			if (pa > cur)
				memblock_phys_free(cur, pa - cur);
			cur = pa + PAGE_SIZE;
		}
		if (cur < end)
			memblock_phys_free(cur, end - cur);
	}
	nr_gaps = 0;
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
	if (nr_gaps) {
		pram_release_gaps();
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

	ClearPageReserved(page);
	adjust_managed_page_count(page, 1);
}

static void __init pram_take_stream(u64 pfn)
{
	struct pram_link *link;
	u32 i;

	for (; pfn; pfn = link->next_pfn) {
		link = pfn_to_kaddr(pfn);
		for (i = 0; i < link->nr; i++)
			pram_take_page(link->pfn[i]);
		pram_take_page(pfn);
	}
}

static ssize_t pram_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	phys_addr_t root = pram_super_phys();

	if (!zone_size)
		return sysfs_emit(buf, "pram=%pa\n", &root);
	return sysfs_emit(buf, "pram=%pa pram_zone=%pa@%pa\n", &root,
			  &zone_size, &zone_start);
}

static struct kobj_attribute pram_attr = __ATTR(pram, 0444, pram_show, NULL);

static struct zone_isolation pram_zone_isolation;

/*
 * Keep the landing zone free of new allocations from now on, so that
 * the pages a checkpoint saves are almost never there (those that are
 * get copied out). Its free pages stop counting as free memory.
 */
static void __init pram_isolate_zone(void)
{
	unsigned long start = PHYS_PFN(zone_start);
	int ret;

	if (!zone_size)
		return;
	ret = zone_isolation_register(&pram_zone_isolation, start,
				      start + PHYS_PFN(zone_size));
	if (ret)
		pr_warn("cannot isolate the landing zone (error %d): pages saved from it will be copied\n",
			ret);
}

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
		pram_take_page(PHYS_PFN(pram_root));
		sb = __va(pram_root);
		for (i = 0; i < nr_good; i++) {
			node = pfn_to_kaddr(good_nodes[i]);
			pram_take_stream(node->page_link_pfn);
			pram_take_stream(node->byte_link_pfn);
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
	pram_isolate_zone();
	return sysfs_create_file(kernel_kobj, &pram_attr.attr);
}
core_initcall(pram_init);

/**
 * arch_kexec_locate_mem_hole() - place a kexec segment in the landing zone
 * @kbuf: the segment; its window is narrowed to the zone
 *
 * Every segment kexec_file_load(2) places (kernel, initrd, boot
 * parameters, purgatory) goes into the landing zone, where no preserved
 * page is, so that loading the next kernel at reboot cannot overwrite
 * one. Crash kernels keep their own reserved region.
 *
 * Return: 0 with @kbuf->mem set, or -EADDRNOTAVAIL when the segment does
 * not fit in the zone (logged), or the errors of kexec_locate_mem_hole().
 */
int arch_kexec_locate_mem_hole(struct kexec_buf *kbuf)
{
	phys_addr_t end = zone_start + zone_size - 1;
	int ret;

	if (!zone_size || kbuf->image->type == KEXEC_TYPE_CRASH)
		return kexec_locate_mem_hole(kbuf);
	if (kbuf->mem != KEXEC_BUF_MEM_UNKNOWN)
		return pram_pfn_in_zone(PHYS_PFN(kbuf->mem)) &&
		       kbuf->mem + kbuf->memsz - 1 <= end ? 0 : -EADDRNOTAVAIL;
	kbuf->buf_min = max_t(unsigned long, kbuf->buf_min, zone_start);
	kbuf->buf_max = min_t(unsigned long, kbuf->buf_max, end);
	ret = kbuf->buf_min < kbuf->buf_max ? kexec_locate_mem_hole(kbuf) :
					       -EADDRNOTAVAIL;
	if (ret == -EADDRNOTAVAIL || ret == -EBUSY) {
		pr_warn("no room for a %lu-byte kexec segment in the landing zone\n",
			kbuf->memsz);
		ret = -EADDRNOTAVAIL;
	}
	return ret;
}

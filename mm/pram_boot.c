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
#include <linux/sysfs.h>

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

/* Whether @pfn may hold a preserved page: RAM, outside the zone. */
static bool __init pram_pfn_ok(u64 pfn)
{
	return pfn && pfn < max_pfn && memblock_is_memory(PFN_PHYS(pfn)) &&
	       !pram_pfn_in_zone(pfn);
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
		n += link->nr;
	}
	return n;
}

/* Check the node at @pfn; NULL if sound, else what is wrong with it. */
static const char * __init pram_check_node(u64 pfn)
{
	struct pram_node *node = __va(PFN_PHYS(pfn));
	const char *why = NULL;
	long pages, bytes;

	if (!pram_pfn_ok(pfn))
		return "its metadata page is outside usable memory";
	if (!pram_meta_ok(node, PRAM_MAGIC_NODE) ||
	    !memchr(node->name, '\0', PRAM_NAME_MAX))
		return "bad node metadata (magic or checksum)";
	pages = pram_check_stream(node->page_link_pfn, &why);
	bytes = pages < 0 ? -1 : pram_check_stream(node->byte_link_pfn, &why);
	if (pages < 0 || bytes < 0)
		return why;
	if (pages != node->nr_pages ||
	    bytes != DIV_ROUND_UP(node->size, PAGE_SIZE))
		return "its page counts do not match its streams";
	return NULL;
}

static void __init pram_reserve_stream(u64 pfn)
{
	struct pram_link *link;
	u32 i;

	for (; pfn; pfn = link->next_pfn) {
		link = __va(PFN_PHYS(pfn));
		memblock_reserve(PFN_PHYS(pfn), PAGE_SIZE);
		for (i = 0; i < link->nr; i++)
			memblock_reserve(PFN_PHYS(link->pfn[i]), PAGE_SIZE);
	}
}

/* Check the super block and reserve every sound node's pages. */
static void __init pram_reserve_nodes(void)
{
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
	root_ok = true;
	memblock_reserve(pram_root, PAGE_SIZE);
	for (i = 0; i < sb->nr_nodes; i++) {
		why = pram_check_node(sb->node_pfn[i]);
		if (why) {
			pr_err("node %u (pfn %#llx) dropped: %s\n", i,
			       sb->node_pfn[i], why);
			continue;
		}
		if (nr_good == PRAM_BOOT_NODES) {
			pr_err("more than %d nodes: node %u dropped\n",
			       PRAM_BOOT_NODES, i);
			continue;
		}
		node = __va(PFN_PHYS(sb->node_pfn[i]));
		memblock_reserve(PFN_PHYS(sb->node_pfn[i]), PAGE_SIZE);
		pram_reserve_stream(node->page_link_pfn);
		pram_reserve_stream(node->byte_link_pfn);
		good_nodes[nr_good++] = sb->node_pfn[i];
	}
}

/**
 * pram_reserve() - keep the previous kernel's nodes, once memory is mapped
 *
 * Called by setup_arch() once the direct map covers memory and before
 * the memmap is allocated. Reservations made while the confinement of
 * pram_early_init() holds, so memblock's growing arrays come from the
 * zone; the confinement is lifted afterwards.
 */
void __init pram_reserve(void)
{
	unsigned int i;

	if (pram_root)
		pram_reserve_nodes();
	for (i = 0; i < nr_gaps; i++)
		memblock_phys_free(pram_gaps[i].base, pram_gaps[i].size);
	nr_gaps = 0;
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

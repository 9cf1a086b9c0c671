// SPDX-License-Identifier: GPL-2.0-only
/*
 * PRAM: the kexec landing zone.
 *
 * The landing zone (pram_zone=SIZE or SIZE@START) is a physical range
 * that holds no preserved page: PRAM copies a page it is asked to save
 * from there, allocates its metadata elsewhere, and kexec places every
 * segment of the next kernel inside it (arch_kexec_locate_mem_hole()),
 * so that loading the next kernel can never overwrite a preserved page.
 * Once the system runs, the zone is on the zone isolation list, so that
 * pages freed there stay out of the allocator and the pages a checkpoint
 * saves are almost never in it.
 *
 * After a kexec, the new kernel confines its early allocations to the
 * zone: pram_zone_confine() reserves every free range outside it (and
 * above the first MiB, which x86 keeps to itself) until the preserved
 * pages are known, and pram_zone_unconfine() gives those ranges back
 * but for the preserved pages.
 *
 * This file knows nothing of nodes: pram.c and pram_boot.c ask it.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kexec.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/zone_isolation.h>

#include "pram_internal.h"

#undef pr_fmt
#define pr_fmt(fmt) "pram: " fmt

/* Ranges reserved to confine early allocations, at most. */
#define PRAM_BOOT_GAPS	64

static phys_addr_t zone_start, zone_size;

static struct {
	phys_addr_t base, size;
} pram_gaps[PRAM_BOOT_GAPS] __initdata;
static unsigned int nr_gaps __initdata;

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

/**
 * pram_zone_setup() - find the landing zone, right after memblock
 *
 * With no zone given, there is nothing to do. On a first boot
 * (pram_zone=SIZE) the zone is chosen among free memory below 4 GiB,
 * where kexec loads best; after a kexec (pram_zone=SIZE@START) it is
 * where the previous kernel put it.
 *
 * Return: true when there is a zone.
 */
bool __init pram_zone_setup(void)
{
	phys_addr_t pa;

	if (!zone_size)
		return false;
	if (!zone_start) {
		pa = memblock_phys_alloc_range(zone_size, SZ_2M, SZ_16M, SZ_4G);
		if (!pa) {
			pr_err("no room for a %pa-byte landing zone\n", &zone_size);
			zone_size = 0;
			return false;
		}
		memblock_phys_free(pa, zone_size);
		zone_start = pa;
	}
	pr_info("kexec landing zone %pa+%pa\n", &zone_start, &zone_size);
	return true;
}

/**
 * pram_zone_confine() - confine early allocations to the zone
 *
 * Reserves the free memory outside the zone and the first MiB.
 */
void __init pram_zone_confine(void)
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
 * pram_zone_confined() - whether early allocations are confined
 *
 * Return: true between pram_zone_confine() and pram_zone_unconfine().
 */
bool __init pram_zone_confined(void)
{
	return nr_gaps;
}

/**
 * pram_zone_may_hold() - whether a page frame may hold a preserved page
 * @pfn: the page frame
 *
 * While early allocations are confined, only the ranges reserved for it
 * are certain to hold nothing of the new kernel.
 *
 * Return: true when @pfn is in one of them, or nothing is confined.
 */
bool __init pram_zone_may_hold(u64 pfn)
{
	phys_addr_t pa = PFN_PHYS(pfn);
	unsigned int i;

	if (!nr_gaps)
		return true;
	for (i = 0; i < nr_gaps; i++)
		if (pa >= pram_gaps[i].base &&
		    pa - pram_gaps[i].base < pram_gaps[i].size)
			return true;
	return false;
}

/**
 * pram_zone_unconfine() - give back what pram_zone_confine() reserved
 * @pfns: the preserved pages, sorted, which stay reserved
 * @nr_pfns: how many
 */
void __init pram_zone_unconfine(const u64 *pfns, unsigned long nr_pfns)
{
	phys_addr_t cur, end, pa;
	unsigned long j = 0;
	unsigned int i;

	for (i = 0; i < nr_gaps; i++) {
		cur = pram_gaps[i].base;
		end = cur + pram_gaps[i].size;
		for (; j < nr_pfns && PFN_PHYS(pfns[j]) < end; j++) {
			pa = PFN_PHYS(pfns[j]);
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

static struct zone_isolation pram_zone_isolation;

/**
 * pram_zone_isolate() - keep the landing zone free from now on
 *
 * New allocations stay out of the zone, so that the pages a checkpoint
 * saves are almost never there (those that are get copied out). Its
 * free pages stop counting as free memory.
 */
void __init pram_zone_isolate(void)
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

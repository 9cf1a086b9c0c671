/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The zone isolation list: pfn ranges whose freed pages are captured
 * instead of returning to the page allocator. See mm/zone_isolation.c.
 */
#ifndef _LINUX_ZONE_ISOLATION_H
#define _LINUX_ZONE_ISOLATION_H

#include <linux/list.h>
#include <linux/types.h>

struct zone;

/**
 * struct zone_isolation - one registered range
 * @list: link in the isolation list
 * @zone: the zone the range is in
 * @start_pfn: its first pfn
 * @end_pfn: the pfn after its last
 * @pages: the free pages zone_isolation_unuse_all() took, each at the
 *	order in its page_private()
 * @nr_unused: how many pages that is
 * @mt: each pageblock's migratetype before it was isolated
 */
struct zone_isolation {
	struct list_head list;
	struct zone *zone;
	unsigned long start_pfn;
	unsigned long end_pfn;
	struct list_head pages;
	unsigned long nr_unused;
	u8 *mt;
};

int zone_isolation_register(struct zone_isolation *zi,
			    unsigned long start_pfn, unsigned long end_pfn);
#if IS_ENABLED(CONFIG_CHECKPOINT_KUNIT_TEST)
/* Only the KUnit suite takes a range back (see mm/zone_isolation.c). */
void zone_isolation_detach(struct zone_isolation *zi);
unsigned long zone_isolation_unuse_all(struct zone_isolation *zi);
unsigned long zone_isolation_free_all(struct zone_isolation *zi);
#endif

#endif /* _LINUX_ZONE_ISOLATION_H */

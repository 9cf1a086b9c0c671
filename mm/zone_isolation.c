// SPDX-License-Identifier: GPL-2.0-only
/*
 * The zone isolation list: pfn ranges whose freed pages are captured
 * instead of going back to the page allocator, so that a range can be
 * made, and kept, free of new allocations. PRAM uses it to keep the kexec
 * landing zone free of pages that could end up preserved.
 *
 * This is the 2007 page isolation idea for memory hot-remove, done the
 * way Mel Gorman's review of it asked:
 * - capture uses the pageblock migratetype MIGRATE_ISOLATE, which the
 *   allocator already honours: a page freed into an isolated pageblock
 *   goes to that pageblock's isolated free list and is never handed out,
 *   with no list search and no extra lock on the free path;
 * - pageblocks, not MAX_ORDER blocks, are the unit, since that is what a
 *   migratetype describes: ranges are pageblock aligned for that reason;
 * - isolated pages are taken off the free lists (unuse-all) with the
 *   allocator's own __isolate_free_page(), at whatever order they are
 *   free, and kept on the range's list;
 * - overlapping registrations are refused rather than merged: two users
 *   of one range would not agree on when to give it back.
 * Unlike start_isolate_page_range(), a range may hold pages in use,
 * movable or not: they are not migrated, only captured once freed.
 */
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/page-isolation.h>
#include <linux/slab.h>
#include <linux/zone_isolation.h>

#include "internal.h"

/* Every registered range, in any zone; registration is rare. */
static LIST_HEAD(zone_isolations);
static DEFINE_MUTEX(zone_isolation_mutex);

static bool zi_overlaps(unsigned long start, unsigned long end)
{
	struct zone_isolation *zi;

	list_for_each_entry(zi, &zone_isolations, list)
		if (start < zi->end_pfn && zi->start_pfn < end)
			return true;
	return false;
}

/* Set one pageblock's type under the zone lock, moving its free pages. */
static bool zi_set_block(struct zone *zone, unsigned long pfn, int mt,
			 bool isolate)
{
	struct page *page = pfn_to_page(pfn);
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&zone->lock, flags);
	ok = move_freepages_block_isolate(zone, page, mt);
	if (ok)
		zone->nr_isolate_pageblock += isolate ? 1 : -1;
	spin_unlock_irqrestore(&zone->lock, flags);
	return ok;
}

/* Give pageblocks [zi->start_pfn, @end) back their saved types. */
static void zi_restore_blocks(struct zone_isolation *zi, unsigned long end)
{
	unsigned long pfn;
	unsigned int i = 0;

	for (pfn = zi->start_pfn; pfn < end; pfn += pageblock_nr_pages)
		zi_set_block(zi->zone, pfn, zi->mt[i++], false);
}

/**
 * zone_isolation_register() - start capturing the free pages of a range
 * @zi: the range's descriptor, owned by the caller until it is freed
 * @start_pfn: first pfn, pageblock aligned
 * @end_pfn: pfn after the last, pageblock aligned
 *
 * Every pageblock of the range becomes MIGRATE_ISOLATE: its free pages,
 * now and whenever more are freed, stay out of the allocator's reach.
 * Pages in use stay where they are.
 *
 * Return: 0; -EINVAL for an empty or unaligned range, one not all in one
 * zone, or with holes; -EBUSY when it overlaps a registered range or a
 * pageblock is isolated already (memory offline, a contiguous
 * allocation in progress); -ENOMEM.
 */
int zone_isolation_register(struct zone_isolation *zi,
			    unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long pfn, nr = (end_pfn - start_pfn) / pageblock_nr_pages;
	struct zone *zone;
	unsigned int i = 0;
	int ret = 0;

	if (start_pfn >= end_pfn || !IS_ALIGNED(start_pfn, pageblock_nr_pages) ||
	    !IS_ALIGNED(end_pfn, pageblock_nr_pages) || !pfn_valid(start_pfn))
		return -EINVAL;
	zone = page_zone(pfn_to_page(start_pfn));
	for (pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages)
		if (!pfn_valid(pfn) || !zone_spans_pfn(zone, pfn) ||
		    !zone_spans_pfn(zone, pfn + pageblock_nr_pages - 1) ||
		    page_zone(pfn_to_page(pfn)) != zone)
			return -EINVAL;

	*zi = (struct zone_isolation){
		.zone = zone, .start_pfn = start_pfn, .end_pfn = end_pfn,
	};
	INIT_LIST_HEAD(&zi->pages);
	zi->mt = kmalloc_array(nr, sizeof(*zi->mt), GFP_KERNEL);
	if (!zi->mt)
		return -ENOMEM;

	mutex_lock(&zone_isolation_mutex);
	if (zi_overlaps(start_pfn, end_pfn))
		ret = -EBUSY;
	for (pfn = start_pfn; !ret && pfn < end_pfn; pfn += pageblock_nr_pages) {
		int mt = get_pageblock_migratetype(pfn_to_page(pfn));

		if (is_migrate_isolate(mt) ||
		    !zi_set_block(zone, pfn, MIGRATE_ISOLATE, true)) {
			ret = -EBUSY;
			break;
		}
		zi->mt[i++] = mt;
	}
	if (ret)
		zi_restore_blocks(zi, pfn);
	else
		list_add(&zi->list, &zone_isolations);
	mutex_unlock(&zone_isolation_mutex);
	if (ret) {
		kfree(zi->mt);
		return ret;
	}
	/* Free pages sitting on per-cpu lists join the isolated lists. */
	drain_all_pages(zone);
	return 0;
}

/*
 * Taking a range back: nothing in the kernel retires its landing zone
 * yet, so only the KUnit suite, which must undo what it registers,
 * builds these.
 */
#if IS_ENABLED(CONFIG_CHECKPOINT_KUNIT_TEST)
/**
 * zone_isolation_detach() - take a range off the isolation list
 * @zi: a registered range
 *
 * The range is no longer listed, so that another may be registered over
 * it, but its pageblocks stay isolated until zone_isolation_free_all().
 */
void zone_isolation_detach(struct zone_isolation *zi)
{
	mutex_lock(&zone_isolation_mutex);
	list_del_init(&zi->list);
	mutex_unlock(&zone_isolation_mutex);
}

/**
 * zone_isolation_unuse_all() - take the captured pages for good
 * @zi: a registered range
 *
 * Every page of the range that is free now is taken off the allocator's
 * free lists onto the range's own list, at the order it is free at (the
 * pages of a captured block are always free together). They are no
 * longer free pages at all: a caller that retires the range (memory
 * offline, a kexec destination) can use them; zone_isolation_free_all()
 * gives them back.
 *
 * Return: the number of pages taken.
 */
unsigned long zone_isolation_unuse_all(struct zone_isolation *zi)
{
	struct zone *zone = zi->zone;
	unsigned long pfn, flags, taken = 0;
	struct page *page;
	unsigned int order;

	spin_lock_irqsave(&zone->lock, flags);
	for (pfn = zi->start_pfn; pfn < zi->end_pfn; pfn += 1UL << order) {
		page = pfn_to_page(pfn);
		order = 0;
		if (!PageBuddy(page))
			continue;
		order = buddy_order(page);
		if (!__isolate_free_page(page, order)) {
			order = 0;
			continue;
		}
		set_page_private(page, order);
		list_add_tail(&page->lru, &zi->pages);
		taken += 1UL << order;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	zi->nr_unused += taken;
	return taken;
}

/**
 * zone_isolation_free_all() - give a detached range back to the allocator
 * @zi: a range taken off the list with zone_isolation_detach()
 *
 * The pages zone_isolation_unuse_all() took go back to the free lists,
 * and every pageblock gets its former migratetype back, with its free
 * pages: from then on the range is ordinary memory again. @zi can be
 * freed afterwards.
 *
 * Return: the number of pages given back by unuse-all.
 */
unsigned long zone_isolation_free_all(struct zone_isolation *zi)
{
	unsigned long nr = zi->nr_unused, flags;
	struct page *page, *next;

	spin_lock_irqsave(&zi->zone->lock, flags);
	list_for_each_entry_safe(page, next, &zi->pages, lru) {
		unsigned int order = page_private(page);

		list_del(&page->lru);
		set_page_private(page, 0);
		__putback_isolated_page(page, order, MIGRATE_ISOLATE);
	}
	spin_unlock_irqrestore(&zi->zone->lock, flags);
	zi->nr_unused = 0;
	zi_restore_blocks(zi, zi->end_pfn);
	kfree(zi->mt);
	zi->mt = NULL;
	return nr;
}
#endif /* CONFIG_CHECKPOINT_KUNIT_TEST */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the zone isolation list: register refuses bad and
 * overlapping ranges; pages freed in a registered range are captured,
 * never handed out again; unuse-all takes them off the free lists;
 * detach and free-all give the range back as it was.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/page-isolation.h>
#include <linux/zone_isolation.h>

#include "../../mm/internal.h"

/* A pageblock of our own: allocated whole, so aligned and in one zone. */
struct zi_test {
	struct page *block;
	unsigned long start, end;
	bool freed;
};

static int zi_test_init(struct kunit *test)
{
	struct zi_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->block = alloc_pages(GFP_KERNEL | __GFP_NOWARN, pageblock_order);
	if (!t->block)
		kunit_skip(test, "no free pageblock");
	t->start = page_to_pfn(t->block);
	t->end = t->start + pageblock_nr_pages;
	test->priv = t;
	return 0;
}

static void zi_test_exit(struct kunit *test)
{
	struct zi_test *t = test->priv;

	if (t && t->block && !t->freed)
		__free_pages(t->block, pageblock_order);
}

/* Free pages in [start, end), counted from the buddy heads. */
static unsigned long zi_free_in(struct zone *zone, unsigned long start,
				unsigned long end)
{
	unsigned long pfn, flags, n = 0;
	unsigned int order;

	spin_lock_irqsave(&zone->lock, flags);
	for (pfn = start; pfn < end; pfn += 1UL << order) {
		struct page *page = pfn_to_page(pfn);

		order = PageBuddy(page) ? buddy_order(page) : 0;
		if (PageBuddy(page))
			n += 1UL << order;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	return n;
}

static void zi_test_register(struct kunit *test)
{
	struct zi_test *t = test->priv;
	struct zone_isolation zi, other;
	struct zone *zone = page_zone(t->block);
	unsigned long before = zone->nr_isolate_pageblock;

	KUNIT_EXPECT_EQ(test, zone_isolation_register(&zi, t->start, t->start),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zone_isolation_register(&zi, t->start + 1,
						      t->end), -EINVAL);
	KUNIT_EXPECT_EQ(test, zone_isolation_register(&zi, t->start,
						      t->end - 1), -EINVAL);

	KUNIT_ASSERT_EQ(test, zone_isolation_register(&zi, t->start, t->end), 0);
	KUNIT_EXPECT_EQ(test, zone->nr_isolate_pageblock, before + 1);
	KUNIT_EXPECT_TRUE(test, is_migrate_isolate_page(t->block));
	KUNIT_EXPECT_EQ(test, zone_isolation_register(&other, t->start,
						      t->end), -EBUSY);

	zone_isolation_detach(&zi);
	KUNIT_EXPECT_EQ(test, zone_isolation_free_all(&zi), 0);
	KUNIT_EXPECT_EQ(test, zone->nr_isolate_pageblock, before);
	KUNIT_EXPECT_FALSE(test, is_migrate_isolate_page(t->block));
}

/* Freed pages stay captured; unuse-all takes them; free-all returns them. */
static void zi_test_capture(struct kunit *test)
{
	struct zi_test *t = test->priv;
	struct zone *zone = page_zone(t->block);
	struct zone_isolation zi;
	struct page **pages;
	unsigned long i, hits = 0;

	pages = kunit_kcalloc(test, 1024, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);

	KUNIT_ASSERT_EQ(test, zone_isolation_register(&zi, t->start, t->end), 0);
	split_page(t->block, pageblock_order);
	for (i = 0; i < pageblock_nr_pages; i++)
		__free_page(nth_page(t->block, i));
	t->freed = true;
	KUNIT_EXPECT_EQ(test, zi_free_in(zone, t->start, t->end),
			pageblock_nr_pages);

	/* The allocator never hands a captured page out. */
	for (i = 0; i < 1024; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (pages[i] && page_to_pfn(pages[i]) >= t->start &&
		    page_to_pfn(pages[i]) < t->end)
			hits++;
	}
	for (i = 0; i < 1024; i++)
		if (pages[i])
			__free_page(pages[i]);
	KUNIT_EXPECT_EQ(test, hits, 0);

	KUNIT_EXPECT_EQ(test, zone_isolation_unuse_all(&zi),
			pageblock_nr_pages);
	KUNIT_EXPECT_EQ(test, zi_free_in(zone, t->start, t->end), 0);
	KUNIT_EXPECT_FALSE(test, list_empty(&zi.pages));

	zone_isolation_detach(&zi);
	KUNIT_EXPECT_EQ(test, zone_isolation_free_all(&zi),
			pageblock_nr_pages);
	KUNIT_EXPECT_EQ(test, zi_free_in(zone, t->start, t->end),
			pageblock_nr_pages);
	KUNIT_EXPECT_FALSE(test, is_migrate_isolate_page(t->block));
}

/* Detached, a range's blocks stay isolated until free-all. */
static void zi_test_detach(struct kunit *test)
{
	struct zi_test *t = test->priv;
	struct zone_isolation zi, again;

	KUNIT_ASSERT_EQ(test, zone_isolation_register(&zi, t->start, t->end), 0);
	zone_isolation_detach(&zi);
	KUNIT_EXPECT_TRUE(test, is_migrate_isolate_page(t->block));
	/* Still isolated: it cannot be taken again before free-all. */
	KUNIT_EXPECT_EQ(test, zone_isolation_register(&again, t->start,
						      t->end), -EBUSY);
	zone_isolation_free_all(&zi);
	KUNIT_ASSERT_EQ(test, zone_isolation_register(&again, t->start,
						      t->end), 0);
	zone_isolation_detach(&again);
	zone_isolation_free_all(&again);
}

static struct kunit_case zi_test_cases[] = {
	KUNIT_CASE(zi_test_register),
	KUNIT_CASE(zi_test_capture),
	KUNIT_CASE(zi_test_detach),
	{}
};

static struct kunit_suite zi_test_suite = {
	.name = "zone_isolation",
	.init = zi_test_init,
	.exit = zi_test_exit,
	.test_cases = zi_test_cases,
};

kunit_test_suite(zi_test_suite);

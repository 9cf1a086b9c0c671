// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for PRAM's page and byte streams: a page stream longer
 * than one link page, byte streams read at any offset and cut short at
 * their end, discarding and deleting, the refcounts of saved pages all
 * along, batches of pages loaded without references, huge pages kept
 * whole and loaded by their order, and the checksums of the metadata.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/pram.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "../../mm/pram_internal.h"

/* More than a link page holds, so that the stream needs two. */
#define NR_PAGES	(PRAM_LINK_NR + 7)

struct pram_test {
	struct page *pages[NR_PAGES];
};

static int pram_test_init(struct kunit *test)
{
	struct pram_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < NR_PAGES; i++) {
		t->pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, t->pages[i]);
	}
	test->priv = t;
	return 0;
}

static void pram_test_exit(struct kunit *test)
{
	struct pram_test *t = test->priv;
	int i;

	for (i = 0; i < NR_PAGES; i++)
		if (t->pages[i])
			__free_page(t->pages[i]);
}

/* Save a page by reference, keeping the test's own reference. */
static int test_save_page(struct pram_stream *ps, struct page *page)
{
	get_page(page);
	return pram_give_pages(ps, &page, 1, 0);
}

static ssize_t test_write(struct pram_stream *ps, const void *buf,
			  size_t count)
{
	struct kvec kv = { .iov_base = (void *)buf, .iov_len = count };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, count);
	return pram_write_iter(ps, &iter);
}

static ssize_t test_read(struct pram_stream *ps, void *buf, size_t count,
			 loff_t pos)
{
	struct kvec kv = { .iov_base = buf, .iov_len = count };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, count);
	return pram_read_iter(ps, &iter, pos);
}

static void pram_expect_refs(struct kunit *test, int refs)
{
	struct pram_test *t = test->priv;
	int i;

	for (i = 0; i < NR_PAGES; i++)
		KUNIT_EXPECT_EQ(test, page_count(t->pages[i]), refs);
}

/*
 * Pages saved past one link come back in order; delete drops them, with
 * the last stream open on the node.
 */
static void pram_test_page_stream(struct kunit *test)
{
	struct pram_test *t = test->priv;
	struct pram_stream ps, ps2;
	struct page *page;
	int i;

	KUNIT_ASSERT_EQ(test, pram_prepare_save(&ps, "kunit-pages"), 0);
	for (i = 0; i < NR_PAGES; i++)
		KUNIT_ASSERT_EQ(test, test_save_page(&ps, t->pages[i]), 0);
	pram_expect_refs(test, 2);
	KUNIT_EXPECT_NOT_NULL(test, ps.node->tail[0]);
	KUNIT_EXPECT_NE(test, ps.node->node->page_link_pfn,
			page_to_pfn(virt_to_page(ps.node->tail[0])));
	pram_finish_save(&ps);

	KUNIT_ASSERT_EQ(test, pram_prepare_load(&ps, "kunit-pages"), 0);
	for (i = 0; i < NR_PAGES; i++) {
		page = pram_load_page(&ps, 0);
		KUNIT_ASSERT_PTR_EQ(test, page, t->pages[i]);
		KUNIT_EXPECT_EQ(test, page_count(page), 3);
		put_page(page);
	}
	KUNIT_EXPECT_NULL(test, pram_load_page(&ps, 0));
	/* Open: deleted, its name gone, its pages kept for the stream. */
	KUNIT_EXPECT_EQ(test, pram_delete("kunit-pages"), 0);
	KUNIT_EXPECT_EQ(test, pram_delete("kunit-pages"), -ENOENT);
	KUNIT_EXPECT_EQ(test, pram_prepare_load(&ps2, "kunit-pages"), -ENOENT);
	pram_expect_refs(test, 2);
	/* The last user gone: the pages too. */
	pram_finish_load(&ps);
	pram_expect_refs(test, 1);
}

/*
 * A lazy restart passes over pages and takes them later by their place:
 * runs that start in one link and end in the next, reads after the last
 * one, and a skip past the end of the stream.
 */
static void pram_test_skip_and_page_at(struct kunit *test)
{
	struct pram_test *t = test->priv;
	struct pram_pos a, b, c;
	struct pram_stream ps;
	struct page *page;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, pram_prepare_save(&ps, "kunit-skip"), 0);
	for (i = 0; i < NR_PAGES; i++)
		KUNIT_ASSERT_EQ(test, test_save_page(&ps, t->pages[i]), 0);
	pram_finish_save(&ps);

	KUNIT_ASSERT_EQ(test, pram_prepare_load(&ps, "kunit-skip"), 0);
	KUNIT_ASSERT_EQ(test, pram_load_skip(&ps, 3, &a), 0);
	/* Across the end of the first link. */
	KUNIT_ASSERT_EQ(test, pram_load_skip(&ps, PRAM_LINK_NR - 1, &b), 0);
	/* A page taken in order after the skips is the next one. */
	page = pram_load_page(&ps, 0);
	KUNIT_EXPECT_PTR_EQ(test, page, t->pages[PRAM_LINK_NR + 2]);
	if (page)
		put_page(page);
	/* Fewer left than asked: -ENODATA. */
	KUNIT_EXPECT_EQ(test, pram_load_skip(&ps, 5, &c), -ENODATA);

	for (i = 0; i < 3; i++) {
		page = pram_page_at(&a, i);
		KUNIT_EXPECT_PTR_EQ(test, page, t->pages[i]);
		if (page)
			put_page(page);
	}
	for (i = 0; i < PRAM_LINK_NR - 1; i++) {
		page = pram_page_at(&b, i);
		if (page != t->pages[3 + i]) {
			KUNIT_FAIL(test, "page %u of the second run", i);
			break;
		}
		KUNIT_EXPECT_EQ(test, page_count(page), 3);
		put_page(page);
	}
	KUNIT_EXPECT_NULL(test, pram_page_at(&b, NR_PAGES - 3));
	pram_finish_load(&ps);
	KUNIT_EXPECT_EQ(test, pram_delete("kunit-skip"), 0);
	pram_expect_refs(test, 1);
}

/*
 * Restart takes a batch of small pages at once, without references: in
 * order across the end of a link, short at the end of the stream, and
 * each page still the node's alone, until the stream is closed.
 */
static void pram_test_load_pages(struct kunit *test)
{
	struct pram_test *t = test->priv;
	struct pram_stream ps;
	struct page **got;
	unsigned int i;

	/* One more than the stream has, should a batch not stop at its end. */
	got = kunit_kcalloc(test, NR_PAGES + 1, sizeof(*got), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_EQ(test, pram_prepare_save(&ps, "kunit-batch"), 0);
	for (i = 0; i < NR_PAGES; i++)
		KUNIT_ASSERT_EQ(test, test_save_page(&ps, t->pages[i]), 0);
	pram_finish_save(&ps);

	KUNIT_ASSERT_EQ(test, pram_prepare_load(&ps, "kunit-batch"), 0);
	KUNIT_EXPECT_EQ(test, pram_load_pages(&ps, got, 3), 3);
	/* Across the end of the first link; fewer left than asked. */
	KUNIT_EXPECT_EQ(test, pram_load_pages(&ps, got + 3, NR_PAGES - 2),
			NR_PAGES - 3);
	for (i = 0; i < NR_PAGES; i++) {
		if (got[i] != t->pages[i]) {
			KUNIT_FAIL(test, "page %u of the batch", i);
			break;
		}
	}
	pram_expect_refs(test, 2);
	KUNIT_EXPECT_EQ(test, pram_load_pages(&ps, got, 1), 0);
	KUNIT_EXPECT_NULL(test, pram_load_page(&ps, 0));
	pram_finish_load(&ps);
	KUNIT_EXPECT_EQ(test, pram_delete("kunit-batch"), 0);
	pram_expect_refs(test, 1);
}

/* A huge folio outside the kexec landing zone, which a node can keep. */
static struct folio *test_huge_folio(void)
{
	struct folio *folio, *bad[8];
	int i, nr_bad = 0;

	while (nr_bad < ARRAY_SIZE(bad)) {
		folio = folio_alloc(GFP_KERNEL, PMD_ORDER);
		if (!folio || (!pram_pfn_in_zone(folio_pfn(folio)) &&
			       !pram_pfn_in_zone(folio_pfn(folio) +
						 (1UL << PMD_ORDER) - 1)))
			break;
		bad[nr_bad++] = folio;
		folio = NULL;
	}
	for (i = 0; i < nr_bad; i++)
		folio_put(bad[i]);
	return folio;
}

/*
 * A huge page goes into a node as one entry of its order, holding one
 * reference on its folio, and counts as all its pages. Loading asks for
 * the order it expects: an entry of another order is not given (a
 * hostile image that calls a huge page small, or the other way round),
 * and the stream stays at it; nor does a lazy restart pass over it, since
 * it takes small pages by their place.
 */
static void pram_test_huge_entry(struct kunit *test)
{
	struct pram_test *t = test->priv;
	struct page *batch[3];
	struct pram_stream ps;
	struct pram_pos pos;
	struct folio *folio;
	struct page *page;
	u64 size, pages;

	folio = test_huge_folio();
	if (!folio)
		kunit_skip(test, "no memory for a huge page outside the landing zone");
	KUNIT_ASSERT_EQ(test, pram_prepare_save(&ps, "kunit-huge"), 0);
	KUNIT_ASSERT_EQ(test, test_save_page(&ps, t->pages[0]), 0);
	page = &folio->page;
	folio_get(folio);
	KUNIT_ASSERT_EQ(test, pram_give_pages(&ps, &page, 1, PMD_ORDER), 0);
	KUNIT_ASSERT_EQ(test, test_save_page(&ps, t->pages[1]), 0);
	KUNIT_EXPECT_EQ(test, folio_ref_count(folio), 2);
	pram_finish_save(&ps);
	KUNIT_ASSERT_EQ(test, pram_node_stat("kunit-huge", &size, &pages), 0);
	/* Both small pages, the huge one's, the node's and its link page. */
	KUNIT_EXPECT_EQ(test, pages, 2 + (1ULL << PMD_ORDER) + 2);

	KUNIT_ASSERT_EQ(test, pram_prepare_load(&ps, "kunit-huge"), 0);
	KUNIT_EXPECT_EQ(test, pram_load_skip(&ps, 2, &pos), -EINVAL);
	pram_finish_load(&ps);

	KUNIT_ASSERT_EQ(test, pram_prepare_load(&ps, "kunit-huge"), 0);
	KUNIT_EXPECT_NULL(test, pram_load_page(&ps, PMD_ORDER));
	/* A batch of small pages stops at the huge entry, or starts there. */
	KUNIT_EXPECT_EQ(test, pram_load_pages(&ps, batch, 3), 1);
	KUNIT_EXPECT_PTR_EQ(test, batch[0], t->pages[0]);
	KUNIT_EXPECT_EQ(test, pram_load_pages(&ps, batch, 3), 0);
	KUNIT_EXPECT_NULL(test, pram_load_page(&ps, 0));
	page = pram_load_page(&ps, PMD_ORDER);
	KUNIT_EXPECT_PTR_EQ(test, page, &folio->page);
	KUNIT_EXPECT_EQ(test, folio_ref_count(folio), 3);
	if (page)
		put_page(page);
	page = pram_load_page(&ps, 0);
	KUNIT_EXPECT_PTR_EQ(test, page, t->pages[1]);
	if (page)
		put_page(page);
	pram_finish_load(&ps);

	/* Deleted: one reference back on the folio, none more. */
	KUNIT_EXPECT_EQ(test, pram_delete("kunit-huge"), 0);
	KUNIT_EXPECT_EQ(test, folio_ref_count(folio), 1);
	KUNIT_EXPECT_EQ(test, page_count(t->pages[0]), 1);
	folio_put(folio);
}

/* Bytes written in odd pieces read back at any offset, short at the end. */
static void pram_test_byte_stream(struct kunit *test)
{
	size_t len = 3 * PAGE_SIZE + 100, off, n;
	struct pram_stream ps;
	u64 size, pages;
	u8 *in, *out;

	in = kunit_kmalloc(test, len, GFP_KERNEL);
	out = kunit_kmalloc(test, len + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	for (off = 0; off < len; off++)
		in[off] = off * 7 + 3;

	KUNIT_ASSERT_EQ(test, pram_prepare_save(&ps, "kunit-bytes"), 0);
	for (off = 0; off < len; off += n) {
		n = min_t(size_t, len - off, 1000);
		KUNIT_ASSERT_EQ(test, test_write(&ps, in + off, n), (ssize_t)n);
	}
	pram_finish_save(&ps);
	KUNIT_ASSERT_EQ(test, pram_node_stat("kunit-bytes", &size, &pages), 0);
	KUNIT_EXPECT_EQ(test, size, len);
	/* node, one link, four data pages */
	KUNIT_EXPECT_EQ(test, pages, 6);

	KUNIT_ASSERT_EQ(test, pram_prepare_load(&ps, "kunit-bytes"), 0);
	KUNIT_EXPECT_EQ(test, test_read(&ps, out, len + 64, 0), (ssize_t)len);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, len), 0);
	/* Across a page boundary, from an odd offset. */
	KUNIT_EXPECT_EQ(test, test_read(&ps, out, 300, PAGE_SIZE - 150), 300);
	KUNIT_EXPECT_EQ(test, memcmp(in + PAGE_SIZE - 150, out, 300), 0);
	/* Cut short at the end, nothing past it. */
	KUNIT_EXPECT_EQ(test, test_read(&ps, out, 64, len - 10), 10);
	KUNIT_EXPECT_EQ(test, test_read(&ps, out, 64, len), 0);
	KUNIT_EXPECT_EQ(test, test_read(&ps, out, 64, len + PAGE_SIZE), 0);
	pram_finish_load(&ps);
	KUNIT_EXPECT_EQ(test, pram_delete("kunit-bytes"), 0);
}

/* A node being saved can be discarded: its pages get their refs back. */
static void pram_test_discard(struct kunit *test)
{
	struct pram_test *t = test->priv;
	struct pram_stream ps, other;
	int i;

	KUNIT_ASSERT_EQ(test, pram_prepare_save(&ps, "kunit-discard"), 0);
	for (i = 0; i < NR_PAGES; i++)
		KUNIT_ASSERT_EQ(test, test_save_page(&ps, t->pages[i]), 0);
	KUNIT_EXPECT_EQ(test, test_write(&ps, "abc", 3), 3);
	/* Not loadable, not deletable, not creatable again while saved. */
	KUNIT_EXPECT_EQ(test, pram_prepare_load(&other, "kunit-discard"),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, pram_delete("kunit-discard"), -EBUSY);
	KUNIT_EXPECT_EQ(test, pram_prepare_save(&other, "kunit-discard"),
			-EEXIST);
	pram_discard_save(&ps);
	pram_expect_refs(test, 1);
	KUNIT_EXPECT_EQ(test, pram_prepare_load(&other, "kunit-discard"),
			-ENOENT);
}

static void pram_test_names(struct kunit *test)
{
	char long_name[PRAM_NAME_MAX + 1];
	struct pram_stream ps;

	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[PRAM_NAME_MAX] = '\0';
	KUNIT_EXPECT_EQ(test, pram_prepare_save(&ps, ""), -EINVAL);
	KUNIT_EXPECT_EQ(test, pram_prepare_save(&ps, "a/b"), -EINVAL);
	KUNIT_EXPECT_EQ(test, pram_prepare_save(&ps, long_name), -EINVAL);
	KUNIT_EXPECT_EQ(test, pram_delete("kunit-none"), -ENOENT);
}

/* Published metadata carries its magic and a checksum that catches a flip. */
static void pram_test_checksums(struct kunit *test)
{
	struct pram_test *t = test->priv;
	struct pram_node *node;
	struct pram_link *link;
	struct pram_stream ps;

	KUNIT_ASSERT_EQ(test, pram_prepare_save(&ps, "kunit-csum"), 0);
	KUNIT_ASSERT_EQ(test, test_save_page(&ps, t->pages[0]), 0);
	node = ps.node->node;
	link = ps.node->tail[0];
	pram_finish_save(&ps);

	KUNIT_EXPECT_TRUE(test, pram_meta_ok(node, PRAM_MAGIC_NODE));
	KUNIT_EXPECT_TRUE(test, pram_meta_ok(link, PRAM_MAGIC_LINK));
	KUNIT_EXPECT_FALSE(test, pram_meta_ok(link, PRAM_MAGIC_NODE));
	link->pfn[0] ^= 1;
	KUNIT_EXPECT_FALSE(test, pram_meta_ok(link, PRAM_MAGIC_LINK));
	link->pfn[0] ^= 1;
	KUNIT_EXPECT_TRUE(test, pram_meta_ok(link, PRAM_MAGIC_LINK));
	KUNIT_EXPECT_EQ(test, pram_delete("kunit-csum"), 0);
}

/* Leave @n freed pages full of 0xa5, for the next allocations to reuse. */
static void pram_test_dirty_free_pages(unsigned int n)
{
	struct page *pages[16];
	unsigned int i;

	for (i = 0; i < min_t(unsigned int, n, ARRAY_SIZE(pages)); i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (pages[i])
			memset(page_address(pages[i]), 0xa5, PAGE_SIZE);
	}
	while (i--)
		if (pages[i])
			__free_page(pages[i]);
}

/* How many bytes of [@from, @to) of @p are not zero. */
static size_t pram_test_nonzero(const void *p, size_t from, size_t to)
{
	const u8 *b = p;
	size_t n = 0;

	for (; from < to; from++)
		n += !!b[from];
	return n;
}

/*
 * Link and byte-stream pages are not zeroed when allocated, but what the
 * node does not fill of them is zeroes once published: no stale kernel
 * data goes into a node, to the next kernel.
 */
static void pram_test_no_stale_bytes(struct kunit *test)
{
	size_t unused = offsetof(struct pram_link, pfn[1]);
	struct pram_test *t = test->priv;
	struct pram_link *pages, *bytes;
	struct pram_stream ps;
	void *data;

	pram_test_dirty_free_pages(16);
	KUNIT_ASSERT_EQ(test, pram_prepare_save(&ps, "kunit-stale"), 0);
	KUNIT_ASSERT_EQ(test, test_save_page(&ps, t->pages[0]), 0);
	KUNIT_ASSERT_EQ(test, test_write(&ps, "0123456789", 10), 10);
	pages = ps.node->tail[0];
	bytes = ps.node->tail[1];
	pram_finish_save(&ps);

	KUNIT_EXPECT_EQ(test, pages->nr, 1);
	KUNIT_EXPECT_EQ(test, bytes->nr, 1);
	KUNIT_EXPECT_EQ(test, pram_test_nonzero(pages, unused, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pram_test_nonzero(bytes, unused, PAGE_SIZE), 0);
	data = page_address(pfn_to_page(bytes->pfn[0]));
	KUNIT_EXPECT_EQ(test, memcmp(data, "0123456789", 10), 0);
	KUNIT_EXPECT_EQ(test, pram_test_nonzero(data, 10, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, pram_delete("kunit-stale"), 0);
}

static struct kunit_case pram_test_cases[] = {
	KUNIT_CASE(pram_test_page_stream),
	KUNIT_CASE(pram_test_skip_and_page_at),
	KUNIT_CASE(pram_test_load_pages),
	KUNIT_CASE(pram_test_huge_entry),
	KUNIT_CASE(pram_test_byte_stream),
	KUNIT_CASE(pram_test_discard),
	KUNIT_CASE(pram_test_names),
	KUNIT_CASE(pram_test_checksums),
	KUNIT_CASE(pram_test_no_stale_bytes),
	{}
};

static struct kunit_suite pram_test_suite = {
	.name = "pram_streams",
	.init = pram_test_init,
	.exit = pram_test_exit,
	.test_cases = pram_test_cases,
};

kunit_test_suite(pram_test_suite);

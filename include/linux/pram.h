/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PRAM: named nodes of memory that survive a kexec reboot.
 *
 * A node holds a page stream (pages saved by reference: the node takes a
 * reference, no copy is made) and a byte stream (data written into pages
 * of its own). Its metadata lives in pages too, each with a magic and a
 * checksum, chained from one super block whose physical address the next
 * kernel gets on its command line. See Documentation/checkpoint.rst.
 */
#ifndef _LINUX_PRAM_H
#define _LINUX_PRAM_H

#include <linux/errno.h>
#include <linux/mm_types.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

struct file;
struct iov_iter;
struct page;
struct pram_node_info;
struct vm_area_struct;
struct vm_fault;

/*
 * Asked by pram_map_pages(), under the page table lock, whether a page
 * still goes to @addr.
 */
typedef bool (*pram_map_want_fn)(void *arg, unsigned long addr);

/* Called with each node's name by pram_walk_nodes(). */
typedef int (*pram_node_fn)(const char *name, void *arg);

/* Longest node name, NUL included. */
#define PRAM_NAME_MAX		256

/**
 * struct pram_stream - an open node, for saving or for loading
 * @node: the node
 * @link: the link page of the page stream being read (load)
 * @idx: index of the next entry in @link (load)
 * @save: the stream was opened by pram_prepare_save()
 */
struct pram_stream {
	struct pram_node_info *node;
	void *link;
	unsigned int idx;
	bool save;
};

/**
 * struct pram_pos - a place in a node's page stream
 * @link: the link page holding it
 * @idx: its entry in @link
 *
 * Valid while the node is open for loading.
 */
struct pram_pos {
	void *link;
	unsigned int idx;
};

#ifdef CONFIG_PRAM
int pram_prepare_save(struct pram_stream *ps, const char *name);
int pram_give_pages(struct pram_stream *ps, struct page **pages,
		    unsigned int n, unsigned int order);
ssize_t pram_write_iter(struct pram_stream *ps, struct iov_iter *from);
void pram_finish_save(struct pram_stream *ps);
void pram_discard_save(struct pram_stream *ps);

int pram_prepare_load(struct pram_stream *ps, const char *name);
void pram_load_again(struct pram_stream *ps, struct pram_stream *from);
struct page *pram_load_page(struct pram_stream *ps, unsigned int order);
unsigned int pram_load_pages(struct pram_stream *ps, struct page **pages,
			     unsigned int n);
int pram_load_skip(struct pram_stream *ps, unsigned int n,
		   struct pram_pos *pos);
struct page *pram_page_at(const struct pram_pos *pos, unsigned int i);
ssize_t pram_read_iter(struct pram_stream *ps, struct iov_iter *to,
		       loff_t pos);
void pram_finish_load(struct pram_stream *ps);

int pram_delete(const char *name);
int pram_node_stat(const char *name, u64 *size, u64 *pages);
int pram_walk_nodes(pram_node_fn fn, void *arg);
phys_addr_t pram_super_phys(void);
bool pram_pfn_in_zone(unsigned long pfn);

struct pram_stream *pram_file_stream(struct file *file);
int pram_file_claim(struct file *file);
void pram_file_unclaim(struct file *file);

int pram_share_anon_pte(struct vm_area_struct *vma, unsigned long addr,
			pte_t *ptep, pte_t pte, spinlock_t *ptl);
int pram_share_anon_pmd(struct vm_area_struct *vma, unsigned long addr,
			pmd_t *pmdp, spinlock_t *ptl);
int pram_map_pages(struct vm_area_struct *vma, const u64 *addrs,
		   struct page **pages, unsigned int n, pram_map_want_fn want,
		   void *arg);
int pram_map_fault_page(struct vm_fault *vmf, struct page *page,
			pram_map_want_fn want, void *arg);
int pram_map_huge(struct vm_area_struct *vma, unsigned long addr,
		  struct page *page);
int pram_add_shmem_page(struct inode *inode, pgoff_t index,
			struct page *page);

void pram_early_init(void);
void pram_reserve(void);
#if IS_ENABLED(CONFIG_CHECKPOINT_TEST_REPORTS)
int pram_test_corrupt(const char *name);
#endif
#else
static inline struct pram_stream *pram_file_stream(struct file *file)
{
	return NULL;
}

static inline void pram_load_again(struct pram_stream *ps,
				   struct pram_stream *from)
{
}

static inline void pram_finish_load(struct pram_stream *ps)
{
}

static inline int pram_load_skip(struct pram_stream *ps, unsigned int n,
				 struct pram_pos *pos)
{
	return -ENODATA;
}

static inline struct page *pram_page_at(const struct pram_pos *pos,
					unsigned int i)
{
	return NULL;
}

static inline int pram_map_pages(struct vm_area_struct *vma, const u64 *addrs,
				 struct page **pages, unsigned int n,
				 pram_map_want_fn want, void *arg)
{
	return -EOPNOTSUPP;
}

static inline int pram_map_fault_page(struct vm_fault *vmf,
				      struct page *page,
				      pram_map_want_fn want, void *arg)
{
	return -EAGAIN;
}

/* Only a PRAM page store shares pages: never called without PRAM. */
static inline int pram_share_anon_pte(struct vm_area_struct *vma,
				      unsigned long addr, pte_t *ptep,
				      pte_t pte, spinlock_t *ptl)
{
	return -EOPNOTSUPP;
}

static inline int pram_share_anon_pmd(struct vm_area_struct *vma,
				      unsigned long addr, pmd_t *pmdp,
				      spinlock_t *ptl)
{
	return -EOPNOTSUPP;
}

static inline void pram_early_init(void) { }
static inline void pram_reserve(void) { }
#endif

#endif /* _LINUX_PRAM_H */

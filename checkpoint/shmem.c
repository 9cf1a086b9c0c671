// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: shared memory objects.
 *
 * Shared anonymous memory (mmap(MAP_SHARED | MAP_ANONYMOUS), shared by a
 * parent and its children after fork()) and memfds are shmem files on
 * the kernel's internal mount: they have no path to reopen, so their
 * contents go into the image. Each is an object (%CR_HDR_SHMEM), saved
 * once with the pages that hold data, right before the first mapping
 * or descriptor that refers to it; every VMA (%CR_VMA_SHMEM) and memfd
 * descriptor (%CR_FILE_MEMFD), of any process of the tree, refers to it
 * by id, and after restart they share one object again.
 *
 * Checkpoint reads the object's pages from its page cache, where they
 * are, and not through any mapping: a page no task has mapped is saved
 * too, a swapped out one is read back in first, a hole is not saved.
 * Into a PRAM node the pages go by reference, as anonymous pages do;
 * unlike those, they are not made read-only first: shared memory has no
 * copy-on-write, so a task that runs on after a checkpoint into a node
 * changes what the node holds. A checkpoint into PRAM is meant for a
 * tree that stays stopped until kexec, where that cannot happen. After
 * kexec, restart puts the node's pages into the objects it makes as
 * they are (pram_add_shmem_page()), and then what the restored tree
 * writes to its shared memory is in the node too: a second restart from
 * the node sees it.
 *
 * Restart makes each object as the syscall that made it would:
 * shmem_zero_setup()'s file for shared anonymous memory, with its
 * accounting, and memfd_create(2)'s for a memfd, subject to the
 * caller's vm.memfd_noexec; it sets the size, writes the saved pages
 * into its page cache, and gives it the recorded mode and seals with
 * chmod(2)'s and fcntl(F_ADD_SEALS)'s own checks, before any mapping of
 * it is made, so that mapping it meets the seals as mmap(2) would.
 */
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/memfd.h>

#include "internal.h"

/* The name memfd_create(2) gives a memfd's dentry, before the user's. */
#define CR_MEMFD_PREFIX		"memfd:"

/**
 * cr_file_is_memfd() - whether a file is a memfd that can be saved
 * @file: the file
 *
 * A shmem file on the kernel's internal mount, named as memfd_create(2)
 * names one. Hugetlb memfds are not shmem and are not saved.
 *
 * Return: true for a memfd of shmem.
 */
bool cr_file_is_memfd(struct file *file)
{
	return shmem_file(file) &&
	       file->f_path.mnt->mnt_flags & MNT_INTERNAL &&
	       strstarts(file->f_path.dentry->d_name.name, CR_MEMFD_PREFIX);
}

/**
 * cr_vma_shmem_kind() - which shared memory object a VMA maps, if any
 * @vma: the VMA
 *
 * An object is a shmem file of the kernel's internal mount: a memfd, the
 * file shmem_zero_setup() made for shared anonymous memory, or a SysV
 * segment's (whose attachments' files share its inode). A
 * mapping of a tmpfs file unlinked before mmap(2) gets the VM
 * operations of shared anonymous memory too, but its file is on a mount
 * of its own: it is a file mapping, refused as one of a deleted file.
 *
 * Return: %CR_SHMEM_MEMFD, %CR_SHMEM_ANON, %CR_SHMEM_SYSV, or 0.
 */
u32 cr_vma_shmem_kind(struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;

	if (!file || !shmem_file(file) ||
	    !(file->f_path.mnt->mnt_flags & MNT_INTERNAL))
		return 0;
	if (cr_file_is_sysvshm(file))
		return CR_SHMEM_SYSV;
	if (cr_file_is_memfd(file))
		return CR_SHMEM_MEMFD;
	return vma_is_anon_shmem(vma) ? CR_SHMEM_ANON : 0;
}

/* Checkpoint */

/*
 * Collect the pages of @inode that hold data, from its page cache, and
 * write them as page-arrays of offsets: a batch at a time, the pages
 * referenced while listed, as a VMA's are (pages.c).
 */
static int cr_write_shmem_pages(struct cr_ctx *ctx, struct inode *inode)
{
	pgoff_t index = 0, end = DIV_ROUND_UP(i_size_read(inode), PAGE_SIZE);
	struct cr_pgarr *pgarr;
	struct folio *folio;
	unsigned int n;
	int ret;

	while (index < end) {
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		/* Pages and swap entries alike: holes are skipped. */
		if (!xa_find(&inode->i_mapping->i_pages, &index, end - 1,
			     XA_PRESENT))
			break;
		pgarr = cr_pgarr_current(ctx, 1, 0);
		if (IS_ERR(pgarr))
			return PTR_ERR(pgarr);
		if (!pgarr) {
			ret = cr_write_object_batch(ctx);
			if (ret)
				return ret;
			continue;
		}
		/* Reads a swapped out page back in; NULL for a hole. */
		ret = shmem_get_folio(inode, index, 0, &folio, SGP_READ);
		if (ret) {
			cr_log(ctx, "shared memory page %lu: cannot read it in: error %d",
			       index, ret);
			return ret;
		}
		if (!folio) {
			index++;
			continue;
		}
		if (folio_test_hwpoison(folio) ||
		    folio_test_has_hwpoisoned(folio)) {
			folio_unlock(folio);
			folio_put(folio);
			cr_log(ctx, "shared memory page %lu: %s", index,
			       "poisoned memory is not supported");
			return -EOPNOTSUPP;
		}
		n = min3(folio_next_index(folio), end,
			 index + CR_PGARR_TOTAL - pgarr->nr_used) - index;
		for (; n; n--, index++)
			cr_pgarr_add(pgarr, folio_file_page(folio, index),
				     index << PAGE_SHIFT);
		folio_unlock(folio);
		folio_put(folio);
	}
	return cr_write_object_batch(ctx);
}

/* The record of a new object, from @file: one of its mappings or a memfd. */
static int cr_write_shmem_record(struct cr_ctx *ctx, struct file *file,
				 u32 kind, u32 id)
{
	struct inode *inode = file_inode(file);
	struct name_snapshot name;
	struct cr_hdr_shmem *hs;
	const char *user = NULL;
	size_t len = 0;
	long seals;

	if (kind == CR_SHMEM_SYSV)
		return cr_write_sysvshm(ctx, file, id);
	if (kind == CR_SHMEM_MEMFD) {
		seals = memfd_fcntl(file, F_GET_SEALS, 0);
		if (seals < 0 || seals & ~CR_SHMEM_SEALS) {
			cr_log(ctx, "memfd seals %#lx have no image constant",
			       seals);
			return -EOPNOTSUPP;
		}
		take_dentry_name_snapshot(&name, file->f_path.dentry);
		user = name.name.name + strlen(CR_MEMFD_PREFIX);
		len = strnlen(user, CR_SHMEM_NAME_MAX + 1) + 1;
		if (len > CR_SHMEM_NAME_MAX + 1) {
			release_dentry_name_snapshot(&name);
			cr_log(ctx, "a memfd's name is too long");
			return -ENAMETOOLONG;
		}
	}
	hs = cr_hbuf_get(ctx, CR_HDR_SHMEM, sizeof(*hs) + len);
	hs->id = id;
	hs->kind = kind;
	hs->size = i_size_read(inode);
	if (kind == CR_SHMEM_MEMFD) {
		hs->seals = seals;
		hs->mode = inode->i_mode & 07777;
		hs->name_len = len;
		memcpy(hs + 1, user, len);
		release_dentry_name_snapshot(&name);
	} else if (SHMEM_I(inode)->flags & VM_NORESERVE) {
		hs->flags = CR_SHMEM_NORESERVE;
	}
	return cr_hbuf_put(ctx, hs->h.len);
}

/**
 * cr_write_shmem() - save a shared memory object, once
 * @ctx: checkpoint context
 * @file: a mapping's file, or a memfd
 * @kind: %CR_SHMEM_*
 * @id: set to the object's id
 *
 * The first time an object is met, its record and pages are written and
 * it gets the next id; later, only its id is given. The tree is stopped,
 * and its mappings and descriptors hold the objects: an inode cannot go
 * and come back as another while the checkpoint runs.
 *
 * Return: 0 or a negative errno (logged).
 */
int cr_write_shmem(struct cr_ctx *ctx, struct file *file, u32 kind, u32 *id)
{
	struct inode *inode = file_inode(file);
	void *entry;
	int ret;

	entry = xa_load(&ctx->shmem_ids, (unsigned long)inode);
	if (entry) {
		*id = xa_to_value(entry);
		return 0;
	}
	*id = ++ctx->nr_shmems;
	ret = xa_err(xa_store(&ctx->shmem_ids, (unsigned long)inode,
			      xa_mk_value(*id), GFP_KERNEL));
	if (!ret)
		ret = cr_write_shmem_record(ctx, file, kind, *id);
	return ret ?: cr_write_shmem_pages(ctx, inode);
}

/* Restart */

/*
 * The object's file, made as mmap(2) or memfd_create(2) would make it,
 * with its size and mode: for a memfd, with sealing allowed, as the
 * image's seals are added once the pages are in.
 */
static struct file *cr_make_shmem(struct cr_rst *r,
				  const struct cr_hdr_shmem *hs)
{
	struct iattr attr = {};
	struct file *file;
	struct inode *inode;
	char *name;
	int ret;

	if (hs->kind == CR_SHMEM_ANON)
		return shmem_kernel_file_setup("dev/zero", hs->size,
					       hs->flags & CR_SHMEM_NORESERVE ?
					       VM_NORESERVE : 0);

	/* As memfd_create(2) applies vm.memfd_noexec to a new memfd. */
	if (hs->mode & 0111 &&
	    pidns_memfd_noexec_scope(task_active_pid_ns(current)) ==
	    MEMFD_NOEXEC_SCOPE_NOEXEC_ENFORCED) {
		cr_log(r->ctx, "memfd %s is executable, which vm.memfd_noexec forbids here",
		       (const char *)(hs + 1));
		return ERR_PTR(-EACCES);
	}
	name = kasprintf(GFP_KERNEL, CR_MEMFD_PREFIX "%s",
			 (const char *)(hs + 1));
	if (!name)
		return ERR_PTR(-ENOMEM);
	file = memfd_alloc_file(name, MFD_ALLOW_SEALING);
	kfree(name);
	if (IS_ERR(file))
		return file;

	ret = vfs_truncate(&file->f_path, hs->size);
	if (!ret) {
		/* As chmod(2) sets the mode. */
		inode = file_inode(file);
		inode_lock(inode);
		attr.ia_mode = (hs->mode & S_IALLUGO) |
			       (inode->i_mode & ~S_IALLUGO);
		attr.ia_valid = ATTR_MODE | ATTR_CTIME;
		ret = security_path_chmod(&file->f_path, attr.ia_mode);
		if (!ret)
			ret = notify_change(file_mnt_idmap(file),
					    file->f_path.dentry, &attr, NULL);
		inode_unlock(inode);
	}
	if (ret) {
		fput(file);
		return ERR_PTR(ret);
	}
	return file;
}

/**
 * cr_fill_shmem() - write saved pages into a shared memory object
 * @r: restart state
 * @file: the object restart made
 * @offs: the pages' offsets in it, checked
 * @n: how many; at most %CR_PGARR_TOTAL
 * @src: NULL to read the contents from the image, or the pages to copy
 *	them from (kept pages that cannot be given as they are)
 *
 * Each page is had from the object's page cache as a write into it
 * would have it (shmem_get_folio() allocates, charges and accounts it);
 * the object is the restart's alone, so the page is filled unlocked,
 * with a reference held, and marked dirty once it holds its data. Pages
 * that cannot be had set @r->err, and their contents are read past.
 *
 * Return: 0, or the errno of a failed read.
 */
int cr_fill_shmem(struct cr_rst *r, struct file *file, const u64 *offs,
		  unsigned int n, struct page **src)
{
	struct inode *inode = file_inode(file);
	struct folio *folio;
	unsigned int i, got;
	pgoff_t index;
	int ret = 0;

	for (got = 0; got < n; got++) {
		index = offs[got] >> PAGE_SHIFT;
		ret = shmem_get_folio(inode, index, offs[got] + PAGE_SIZE,
				      &folio, SGP_CACHE);
		if (ret)
			break;
		r->pages[got] = folio_file_page(folio, index);
		folio_unlock(folio);
	}
	if (ret) {
		cr_log(r->ctx, "cannot allocate shared memory at offset %#llx: error %d",
		       offs[got], ret);
		r->err = ret;
		ret = src ? 0 : cr_skip_pages(r, n);
	} else if (src) {
		for (i = 0; i < n; i++)
			copy_highpage(r->pages[i], src[i]);
	} else {
		ret = cr_read_pages(r, r->pages, n, r->ctx->sums);
	}
	for (i = 0; i < got; i++) {
		folio = page_folio(r->pages[i]);
		folio_lock(folio);
		folio_mark_dirty(folio);
		folio_unlock(folio);
		folio_put(folio);
	}
	return ret;
}

/* One page-array of the object just read, its header read. */
static int cr_read_shmem_pages(struct cr_rst *r, struct file *file,
			       u64 size, u64 *next)
{
	struct cr_hdr_pages hp;
	unsigned int n;
	u64 *offs;
	int ret;

	ret = cr_read_pgarr(r, 0, round_up(size, PAGE_SIZE), next, &offs, &n,
			    &hp);
	if (ret)
		return ret;
	if (hp.flags & CR_PAGES_PARENT)
		return cr_bad(r, "the parent's pages, in a shared memory object");
	if (hp.flags & CR_PAGES_HUGE)
		return cr_bad(r, "huge pages kept whole, in a shared memory object");
	if (hp.flags & CR_PAGES_PRAM) {
		if (!r->ctx->store->load_object)
			return cr_bad(r, "pages kept in PRAM, but the image is not a PRAM node");
		return r->ctx->store->load_object(r, file, offs, n);
	}
	if (r->err)
		return cr_skip_pages(r, n);
	return cr_fill_shmem(r, file, offs, n, NULL);
}

/* The checks of a %CR_HDR_SHMEM record that need nothing but itself. */
static int cr_check_shmem(struct cr_rst *r, const struct cr_hdr_shmem *hs)
{
	const char *name = (const char *)(hs + 1);
	bool anon = hs->kind == CR_SHMEM_ANON;
	bool memfd = hs->kind == CR_SHMEM_MEMFD;
	bool sysv = hs->kind == CR_SHMEM_SYSV;

	if (hs->id != r->tree->nr_shmems + 1)
		return cr_bad(r, "shared memory object %u where %u belongs",
			      hs->id, r->tree->nr_shmems + 1);
	if (!anon && !memfd && !sysv)
		return cr_bad(r, "shared memory object %u: unknown kind %u",
			      hs->id, hs->kind);
	if (hs->flags & ~CR_SHMEM_FLAGS || (memfd && hs->flags))
		return cr_bad(r, "shared memory object %u: flags %#x not allowed",
			      hs->id, hs->flags);
	if (hs->size > MAX_LFS_FILESIZE ||
	    (anon && (!hs->size || !PAGE_ALIGNED(hs->size))) ||
	    (sysv && !hs->size))
		return cr_bad(r, "shared memory object %u: size %#llx",
			      hs->id, hs->size);
	if (memfd ? hs->seals & ~CR_SHMEM_SEALS || hs->mode & ~07777 :
		    hs->seals || hs->mode & ~(sysv ? 0777 : 0))
		return cr_bad(r, "shared memory object %u: bad seals or mode",
			      hs->id);
	if (hs->h.len != ALIGN(sizeof(*hs) + hs->name_len, CR_HDR_ALIGN) ||
	    (!memfd && hs->name_len) ||
	    (memfd && (!hs->name_len ||
		       strnlen(name, hs->name_len) != hs->name_len - 1)))
		return cr_bad(r, "shared memory object %u: bad name", hs->id);
	return 0;
}

/**
 * cr_read_shmem() - read a shared memory object and make it again
 * @r: restart state; the header of the %CR_HDR_SHMEM record was read
 *
 * The object is made, filled with its pages as they are read, and given
 * its seals; it is then the tree's, by id, for mappings and descriptors
 * to share. Reads the header of the record after the pages, which it
 * leaves in @r->hdr for the caller (@r->peeked).
 *
 * Return: 0 (an object that cannot be made is @r->err, logged), -EINVAL
 * (logged) for a malformed record, -ENOMEM, or the errors of reading.
 */
int cr_read_shmem(struct cr_rst *r)
{
	struct cr_tree *tree = r->tree;
	struct cr_hdr_shmem *hs, rec;
	struct cr_rshmem *obj;
	struct file *file = NULL;
	u64 next = 0;
	long ret;

	hs = cr_read_body(r, CR_HDR_SHMEM, sizeof(*hs),
			  sizeof(*hs) + ALIGN(CR_SHMEM_NAME_MAX + 1,
					      CR_HDR_ALIGN));
	if (IS_ERR(hs))
		return PTR_ERR(hs);
	ret = cr_check_shmem(r, hs);
	if (ret)
		return ret;
	if (tree->nr_shmems == CR_MAX_FILES)
		return cr_bad(r, "more than %lu shared memory objects",
			      CR_MAX_FILES);
	rec = *hs;	/* the header buffer is reused */
	/* Kept even without a file: the id and kind are taken either way. */
	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	ret = obj ? xa_err(xa_store(&tree->shmems, rec.id, obj, GFP_KERNEL)) :
		    -ENOMEM;
	if (ret) {
		kfree(obj);
		return ret;
	}
	obj->kind = rec.kind;
	tree->nr_shmems++;

	if (rec.kind == CR_SHMEM_SYSV) {
		ret = cr_read_sysvshm(r, &rec, obj);
		if (ret)
			return ret;
	} else if (!r->err) {
		file = cr_make_shmem(r, hs);
		/*
		 * The kernel's shmem mount has no limit to run out of:
		 * shmem_get_inode() says ENOSPC for an allocation that failed.
		 */
		if (file == ERR_PTR(-ENOSPC))
			file = ERR_PTR(-ENOMEM);
		if (IS_ERR(file)) {
			cr_log(r->ctx, "cannot make shared memory object %u: error %ld",
			       rec.id, PTR_ERR(file));
			r->err = PTR_ERR(file);
		} else {
			obj->file = file;
		}
	}
	file = obj->file;

	ret = cr_read_hdr(r);
	while (!ret && r->hdr.type == CR_HDR_PGARR) {
		ret = cr_read_shmem_pages(r, file, rec.size, &next);
		if (!ret)
			ret = cr_read_hdr(r);
	}
	if (ret)
		return ret;
	r->peeked = true;

	if (file && rec.seals && !r->err) {
		ret = memfd_fcntl(file, F_ADD_SEALS, rec.seals);
		if (ret) {
			cr_log(r->ctx, "cannot seal memfd %u with %#x: error %ld",
			       rec.id, rec.seals, ret);
			r->err = ret;
		}
	}
	return 0;
}

/**
 * cr_shmem_get() - a shared memory object the image made, by id
 * @r: restart state
 * @id: the id a mapping or descriptor gives
 * @kind: the kind the object must be, or 0 for either
 *
 * Return: the object, whose file is NULL when it could not be made
 * (@r->err is set then), or an ERR_PTR(-EINVAL) (logged) for an id not
 * met yet or an object of another kind.
 */
const struct cr_rshmem *cr_shmem_get(struct cr_rst *r, u32 id, u32 kind)
{
	const struct cr_rshmem *obj = NULL;

	if (id && id <= r->tree->nr_shmems)
		obj = xa_load(&r->tree->shmems, id);
	if (!obj) {
		cr_bad(r, "shared memory object %u where %u are known", id,
		       r->tree->nr_shmems);
		return ERR_PTR(-EINVAL);
	}
	if (kind && obj->kind != kind) {
		cr_bad(r, "shared memory object %u is not of kind %u", id, kind);
		return ERR_PTR(-EINVAL);
	}
	return obj;
}

/**
 * cr_free_shmems() - drop the shared memory objects of a restart's tree
 * @tree: the tree
 *
 * The mappings and descriptors made of them hold references of their own.
 */
void cr_free_shmems(struct cr_tree *tree)
{
	struct cr_rshmem *obj;
	unsigned long id;

	xa_for_each(&tree->shmems, id, obj) {
		if (obj->file)
			fput(obj->file);
		kfree(obj);
	}
	xa_destroy(&tree->shmems);
}

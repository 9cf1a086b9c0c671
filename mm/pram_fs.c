// SPDX-License-Identifier: GPL-2.0-only
/*
 * PRAM's user interface: a small filesystem, mounted on /sys/fs/pram
 * ("mount -t pram none /sys/fs/pram"), with one file per node.
 *
 * - ls lists the nodes; stat gives a node's byte-stream size as st_size
 *   and the pages it holds (page stream, byte stream and metadata) in
 *   st_blocks, in 512-byte units as everywhere.
 * - open(O_CREAT | O_EXCL | O_WRONLY) creates a node and opens it for
 *   saving; write() appends to its byte stream; the last close publishes
 *   it, read-only from then on. checkpoint(2) given such a descriptor
 *   puts the image's pages into the node's page stream by reference.
 * - open(O_RDONLY) of a published node reads its byte stream, and
 *   restart(2) given such a descriptor maps the node's pages back.
 * - unlink deletes a node and gives its pages back: at once, or with the
 *   last descriptor or restart that has it open, as for a file (-EBUSY
 *   only while it is being saved).
 *
 * The kernel command line that hands the nodes to a kexec'd kernel is in
 * /sys/kernel/pram.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/pram.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uio.h>

#define PRAMFS_MAGIC	0x5052414d	/* "PRAM" */

/**
 * struct pramfs_node - what a node's inode holds
 * @save: the stream saving the node, while @saving
 * @saving: created and not yet published
 * @writer: the creator's open file holds @save
 * @claimer: the task whose checkpoint writes into the node, or NULL
 *	(pram_file_claim()); under the inode lock
 */
struct pramfs_node {
	struct pram_stream save;
	bool saving;
	bool writer;
	struct task_struct *claimer;
};

static const struct file_operations pramfs_file_ops;

/**
 * pram_file_stream() - the PRAM stream behind an open file, if any
 * @file: a file checkpoint(2) writes to or restart(2) reads from
 *
 * Return: the stream (for saving when @file created its node, else for
 * loading), or NULL when @file is not a PRAM node.
 */
struct pram_stream *pram_file_stream(struct file *file)
{
	return file->f_op == &pramfs_file_ops ? file->private_data : NULL;
}

/**
 * pram_file_claim() - take a node being saved for one checkpoint
 * @file: the node's file, open for writing (pram_file_stream() gave a
 *	stream for saving)
 *
 * A checkpoint appends records and pages to the node over many calls: a
 * second checkpoint, or a write(2), through the same open file (a shared
 * descriptor, another thread) would interleave with it. While claimed,
 * the node takes writes from the claiming task only. Waits for a write
 * in progress to end.
 *
 * Return: 0, or -EBUSY when another task has it claimed.
 */
int pram_file_claim(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct pramfs_node *pn = inode->i_private;
	int ret = 0;

	inode_lock(inode);
	if (pn->claimer)
		ret = -EBUSY;
	else
		pn->claimer = current;
	inode_unlock(inode);
	return ret;
}

/**
 * pram_file_unclaim() - end what pram_file_claim() began
 * @file: the node's file
 */
void pram_file_unclaim(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct pramfs_node *pn = inode->i_private;

	inode_lock(inode);
	WARN_ON_ONCE(pn->claimer != current);
	pn->claimer = NULL;
	inode_unlock(inode);
}

static int pramfs_open(struct inode *inode, struct file *file)
{
	struct pramfs_node *pn = inode->i_private;
	struct pram_stream *ps;
	int ret;

	inode_lock(inode);
	if (pn->saving) {
		ret = pn->writer ? -EBUSY : 0;
		if (!ret) {
			pn->writer = true;
			file->private_data = &pn->save;
		}
		inode_unlock(inode);
		return ret;
	}
	inode_unlock(inode);

	/* A published node is read-only. */
	if (file->f_mode & FMODE_WRITE)
		return -EPERM;
	ps = kzalloc(sizeof(*ps), GFP_KERNEL);
	if (!ps)
		return -ENOMEM;
	ret = pram_prepare_load(ps, file_dentry(file)->d_name.name);
	if (ret) {
		kfree(ps);
		return ret;
	}
	file->private_data = ps;
	return 0;
}

static int pramfs_release(struct inode *inode, struct file *file)
{
	struct pramfs_node *pn = inode->i_private;
	struct pram_stream *ps = file->private_data;

	if (ps != &pn->save) {
		pram_finish_load(ps);
		kfree(ps);
		return 0;
	}
	inode_lock(inode);
	pram_finish_save(ps);
	pn->saving = false;
	pn->writer = false;
	inode->i_mode = S_IFREG | 0400;
	inode_unlock(inode);
	return 0;
}

static ssize_t pramfs_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	ssize_t ret = pram_read_iter(iocb->ki_filp->private_data, to,
				     iocb->ki_pos);

	if (ret > 0)
		iocb->ki_pos += ret;
	return ret;
}

static ssize_t pramfs_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	struct pramfs_node *pn = inode->i_private;

	if (!iov_iter_count(from))
		return 0;
	inode_lock(inode);
	if (pn->claimer && pn->claimer != current) {
		inode_unlock(inode);
		return -EBUSY;
	}
	ret = pram_write_iter(iocb->ki_filp->private_data, from);
	if (ret > 0) {
		i_size_write(inode, i_size_read(inode) + ret);
		iocb->ki_pos = i_size_read(inode);
	}
	inode_unlock(inode);
	return ret;
}

static const struct file_operations pramfs_file_ops = {
	.open		= pramfs_open,
	.release	= pramfs_release,
	.read_iter	= pramfs_read_iter,
	.write_iter	= pramfs_write_iter,
	.llseek		= generic_file_llseek,
};

static int pramfs_getattr(struct mnt_idmap *idmap, const struct path *path,
			  struct kstat *stat, u32 request_mask,
			  unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	u64 size, pages;

	generic_fillattr(idmap, request_mask, inode, stat);
	if (!pram_node_stat(path->dentry->d_name.name, &size, &pages)) {
		stat->size = size;
		stat->blocks = pages << (PAGE_SHIFT - 9);
	}
	return 0;
}

static const struct inode_operations pramfs_file_inode_ops = {
	.getattr	= pramfs_getattr,
};

static struct inode *pramfs_new_inode(struct super_block *sb, umode_t mode,
				      struct pramfs_node *pn)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_ino = get_next_ino();
	inode->i_mode = mode;
	simple_inode_init_ts(inode);
	inode->i_private = pn;
	if (S_ISDIR(mode)) {
		inode->i_op = &simple_dir_inode_operations;
		inode->i_fop = &simple_dir_operations;
		set_nlink(inode, 2);
	} else {
		inode->i_op = &pramfs_file_inode_ops;
		inode->i_fop = &pramfs_file_ops;
	}
	return inode;
}

/* A dentry and inode for node @name, pinned until unlink. */
static int pramfs_add(struct dentry *dentry, struct pramfs_node *pn,
		      umode_t mode)
{
	struct inode *inode = pramfs_new_inode(dentry->d_sb, S_IFREG | mode,
					       pn);

	if (!inode)
		return -ENOMEM;
	d_instantiate(dentry, inode);
	dget(dentry);
	return 0;
}

static int pramfs_create(struct mnt_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode, bool excl)
{
	struct pramfs_node *pn = kzalloc(sizeof(*pn), GFP_KERNEL);
	int ret;

	if (!pn)
		return -ENOMEM;
	ret = pram_prepare_save(&pn->save, dentry->d_name.name);
	if (ret) {
		kfree(pn);
		return ret;
	}
	pn->saving = true;
	ret = pramfs_add(dentry, pn, 0600);
	if (ret) {
		pram_discard_save(&pn->save);
		kfree(pn);
	}
	return ret;
}

static int pramfs_unlink(struct inode *dir, struct dentry *dentry)
{
	struct pramfs_node *pn = d_inode(dentry)->i_private;
	int ret;

	if (pn->saving)
		return -EBUSY;
	ret = pram_delete(dentry->d_name.name);
	if (ret)
		return ret;
	return simple_unlink(dir, dentry);
}

static const struct inode_operations pramfs_dir_inode_ops = {
	.lookup		= simple_lookup,
	.create		= pramfs_create,
	.unlink		= pramfs_unlink,
};

/* List one published node in the new mount. */
static int pramfs_fill_one(const char *name, void *arg)
{
	struct dentry *root = arg, *dentry;
	struct pramfs_node *pn;
	int ret;

	pn = kzalloc(sizeof(*pn), GFP_KERNEL);
	dentry = d_alloc_name(root, name);
	if (!pn || !dentry) {
		kfree(pn);
		dput(dentry);
		return -ENOMEM;
	}
	ret = pramfs_add(dentry, pn, 0400);
	if (ret)
		kfree(pn);
	else
		d_rehash(dentry);
	dput(dentry);
	return ret;
}

static void pramfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (!S_ISDIR(inode->i_mode))
		kfree(inode->i_private);
}

static const struct super_operations pramfs_super_ops = {
	.statfs		= simple_statfs,
	.evict_inode	= pramfs_evict_inode,
};

static int pramfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct inode *root;

	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = PRAMFS_MAGIC;
	sb->s_op = &pramfs_super_ops;
	sb->s_time_gran = 1;
	root = pramfs_new_inode(sb, S_IFDIR | 0755, NULL);
	if (!root)
		return -ENOMEM;
	root->i_op = &pramfs_dir_inode_ops;
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	return pram_walk_nodes(pramfs_fill_one, sb->s_root);
}

static int pramfs_get_tree(struct fs_context *fc)
{
	return get_tree_single(fc, pramfs_fill_super);
}

static const struct fs_context_operations pramfs_context_ops = {
	.get_tree	= pramfs_get_tree,
};

static int pramfs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &pramfs_context_ops;
	return 0;
}

static struct file_system_type pramfs_type = {
	.owner		= THIS_MODULE,
	.name		= "pram",
	.init_fs_context = pramfs_init_fs_context,
	.kill_sb	= kill_litter_super,
};

static int __init pramfs_init(void)
{
	int ret = sysfs_create_mount_point(fs_kobj, "pram");

	if (ret)
		return ret;
	ret = register_filesystem(&pramfs_type);
	if (ret)
		sysfs_remove_mount_point(fs_kobj, "pram");
	return ret;
}
fs_initcall(pramfs_init);

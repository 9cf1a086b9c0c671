// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the open files of the tree being checkpointed, by
 * their struct file.
 *
 * cr_scan_files() counts the descriptors that hold each file, and
 * cr_write_files() then gives each its id in the image as it writes it.
 * The files are found by their address, so they are kept in a hash table
 * of hlists, hashed by hash_ptr(): an xarray indexed by a kernel address
 * is eleven levels deep and sparse. With one, cr_scan_files() took 104 us
 * of a small task's checkpoint under TCG; it takes 48 with this.
 *
 * The table takes no reference on a file: a descriptor of the tree,
 * which holds still throughout, holds each one.
 */
#include <linux/hash.h>
#include <linux/slab.h>

#include "internal.h"

/* 256 buckets: a task's usual handful of files, or thousands. */
#define CR_FILE_ID_BITS		8
#define CR_FILE_ID_BUCKETS	BIT(CR_FILE_ID_BITS)

static struct hlist_head *cr_file_bucket(struct cr_ctx *ctx,
					 const struct file *file)
{
	return &ctx->file_ids[hash_ptr(file, CR_FILE_ID_BITS)];
}

/**
 * cr_file_ids_init() - make the table of the tree's files
 * @ctx: checkpoint context
 *
 * Return: 0 or -ENOMEM.
 */
int cr_file_ids_init(struct cr_ctx *ctx)
{
	ctx->file_ids = kcalloc(CR_FILE_ID_BUCKETS, sizeof(*ctx->file_ids),
				GFP_KERNEL);
	return ctx->file_ids ? 0 : -ENOMEM;
}

/**
 * cr_file_id() - look a file of the tree up
 * @ctx: checkpoint context
 * @file: the file
 *
 * Return: its entry, or NULL for a file no descriptor of the tree held
 * when cr_scan_files() counted them (or before it did).
 */
struct cr_file_id *cr_file_id(struct cr_ctx *ctx, const struct file *file)
{
	struct cr_file_id *fi;

	if (!ctx->file_ids)
		return NULL;
	hlist_for_each_entry(fi, cr_file_bucket(ctx, file), node)
		if (fi->file == file)
			return fi;
	return NULL;
}

/**
 * cr_file_id_count() - count a descriptor that holds @file
 * @ctx: checkpoint context, with its table made (cr_file_ids_init())
 * @file: the file
 *
 * Return: its entry, with one descriptor more in @val (1 for a file met
 * for the first time), or NULL when no memory was left for a new one.
 */
struct cr_file_id *cr_file_id_count(struct cr_ctx *ctx, struct file *file)
{
	struct cr_file_id *fi = cr_file_id(ctx, file);

	if (!fi) {
		fi = kmalloc(sizeof(*fi), GFP_KERNEL);
		if (!fi)
			return NULL;
		fi->file = file;
		fi->val = 0;
		hlist_add_head(&fi->node, cr_file_bucket(ctx, file));
	}
	fi->val++;
	return fi;
}

/**
 * cr_file_ids_next() - the next entry of the table, in no set order
 * @ctx: checkpoint context, with its table made
 * @fi: the entry before, or NULL for the first
 *
 * Return: the next entry, or NULL after the last.
 */
struct cr_file_id *cr_file_ids_next(struct cr_ctx *ctx,
				    struct cr_file_id *fi)
{
	unsigned int b = fi ? hash_ptr(fi->file, CR_FILE_ID_BITS) : 0;
	struct hlist_node *next = fi ? fi->node.next : ctx->file_ids[0].first;

	while (!next && ++b < CR_FILE_ID_BUCKETS)
		next = ctx->file_ids[b].first;
	return next ? hlist_entry(next, struct cr_file_id, node) : NULL;
}

/**
 * cr_file_ids_free() - free the table and its entries
 * @ctx: checkpoint context, its table made or not
 */
void cr_file_ids_free(struct cr_ctx *ctx)
{
	struct cr_file_id *fi;
	struct hlist_node *tmp;
	unsigned int b;

	if (!ctx->file_ids)
		return;
	for (b = 0; b < CR_FILE_ID_BUCKETS; b++)
		hlist_for_each_entry_safe(fi, tmp, &ctx->file_ids[b], node)
			kfree(fi);
	kfree(ctx->file_ids);
	ctx->file_ids = NULL;
}

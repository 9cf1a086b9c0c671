// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the open files of the tree being checkpointed, by
 * their struct file.
 *
 * cr_scan_files() counts the descriptors that hold each file, and
 * cr_write_files() then gives each its id in the image as it writes it.
 * The files are found by their address, so they are kept in a hash table
 * of hlists, hashed by hash_ptr(), that grows with them: an xarray
 * indexed by a kernel address would be eleven levels deep and sparse,
 * and cost more to fill and walk than the rest of a small task's files.
 *
 * The table takes no reference on a file: a descriptor of the tree,
 * which holds still throughout, holds each one.
 */
#include <linux/hash.h>
#include <linux/slab.h>

#include "internal.h"

/*
 * Buckets: 2^8 to begin with, doubled whenever the files outnumber them
 * twice over, so that a lookup stays a few steps whether the tree holds
 * a handful of files or a million (RLIMIT_NOFILE allows that many).
 */
#define CR_FILE_ID_BITS		8
#define CR_FILE_ID_MAX_BITS	20

static struct hlist_head *cr_file_bucket(struct cr_file_ids *t,
					 const struct file *file)
{
	return &t->heads[hash_ptr(file, t->bits)];
}

/**
 * cr_file_ids_init() - make the table of the tree's files
 * @ctx: checkpoint context
 *
 * Return: 0 or -ENOMEM.
 */
int cr_file_ids_init(struct cr_ctx *ctx)
{
	struct cr_file_ids *t = &ctx->file_ids;

	if (WARN_ON_ONCE(t->heads))
		return -EINVAL;
	t->heads = kvcalloc(BIT(CR_FILE_ID_BITS), sizeof(*t->heads),
			    GFP_KERNEL);
	if (!t->heads)
		return -ENOMEM;
	t->bits = CR_FILE_ID_BITS;
	t->nr = 0;
	return 0;
}

/*
 * Rehash into twice the buckets. Without the memory for them the table
 * stays as it is: slower, not wrong.
 */
static void cr_file_ids_grow(struct cr_file_ids *t)
{
	unsigned int bits = t->bits + 1, b;
	struct hlist_head *heads;
	struct hlist_node *tmp;
	struct cr_file_id *fi;

	heads = kvcalloc(BIT(bits), sizeof(*heads),
			 GFP_KERNEL | __GFP_NOWARN);
	if (!heads)
		return;
	for (b = 0; b < BIT(t->bits); b++) {
		hlist_for_each_entry_safe(fi, tmp, &t->heads[b], node)
			hlist_add_head(&fi->node,
				       &heads[hash_ptr(fi->file, bits)]);
	}
	kvfree(t->heads);
	t->heads = heads;
	t->bits = bits;
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
	struct cr_file_ids *t = &ctx->file_ids;
	struct cr_file_id *fi;

	if (!t->heads)
		return NULL;
	hlist_for_each_entry(fi, cr_file_bucket(t, file), node) {
		if (fi->file == file)
			return fi;
	}
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
	struct cr_file_ids *t = &ctx->file_ids;
	struct cr_file_id *fi = cr_file_id(ctx, file);

	if (!fi) {
		fi = kmalloc(sizeof(*fi), GFP_KERNEL);
		if (!fi)
			return NULL;
		fi->file = file;
		fi->val = 0;
		hlist_add_head(&fi->node, cr_file_bucket(t, file));
		if (++t->nr > 2 * BIT(t->bits) && t->bits < CR_FILE_ID_MAX_BITS)
			cr_file_ids_grow(t);
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
	struct cr_file_ids *t = &ctx->file_ids;
	unsigned int b = fi ? hash_ptr(fi->file, t->bits) : 0;
	struct hlist_node *next = fi ? fi->node.next : t->heads[0].first;

	while (!next && ++b < BIT(t->bits))
		next = t->heads[b].first;
	return next ? hlist_entry(next, struct cr_file_id, node) : NULL;
}

/**
 * cr_file_ids_free() - free the table and its entries
 * @ctx: checkpoint context, its table made or not
 */
void cr_file_ids_free(struct cr_ctx *ctx)
{
	struct cr_file_ids *t = &ctx->file_ids;
	struct cr_file_id *fi;
	struct hlist_node *tmp;
	unsigned int b;

	if (!t->heads)
		return;
	for (b = 0; b < BIT(t->bits); b++) {
		hlist_for_each_entry_safe(fi, tmp, &t->heads[b], node)
			kfree(fi);
	}
	kvfree(t->heads);
	t->heads = NULL;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: eventfds and epoll instances.
 *
 * An eventfd is its counter and its EFD_SEMAPHORE flag, read without
 * being consumed (eventfd_get_state(), patch 0016); restart makes one
 * with the same counter (eventfd_file_create()).
 *
 * An epoll instance is its interest list: for each item, the descriptor
 * it was added with, its events and its data (eventpoll_walk_items(),
 * patch 0017). Only items that name a descriptor of the first process
 * that has the instance, which still refers to the item's file, are
 * saved: restart adds each with epoll_ctl(2), in that process, once it
 * has all its descriptors, so that epoll_ctl(2)'s own checks apply and
 * readiness is found again as it finds it. Refused, with a reason: an
 * item whose descriptor was closed or now names another file, an item
 * of a file outside the tree, nested instances.
 */
#include <linux/eventfd.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
/* Not self-contained: after <linux/fs.h> and <linux/uaccess.h>. */
#include <linux/eventpoll.h>

#include "internal.h"

/* Items one epoll instance holds at most in an image. */
#define CR_EPOLL_MAX_ITEMS	65536

/* What epoll_ctl(2) takes in an item's events, as the image holds them. */
#define CR_EPOLL_EVENTS	((__force u32)(EPOLLIN | EPOLLPRI | EPOLLOUT |	\
				       EPOLLERR | EPOLLHUP | EPOLLNVAL |	\
				       EPOLLRDNORM | EPOLLRDBAND |		\
				       EPOLLWRNORM | EPOLLWRBAND | EPOLLMSG |	\
				       EPOLLRDHUP | EPOLLEXCLUSIVE |		\
				       EPOLLWAKEUP | EPOLLONESHOT | EPOLLET))

/* Checkpoint */

/**
 * struct cr_ep_walk - a walk of an epoll instance's interest list
 * @walk: for eventpoll_walk_items()
 * @ctx: the checkpoint
 * @files: the table the items' descriptors are checked against
 * @items: where the items go, or NULL to check them against @files, or
 *	only count them when that is NULL too
 * @nr: items so far
 * @max: room in @items
 * @why: why the instance cannot be saved, once found
 */
struct cr_ep_walk {
	struct eventpoll_walk walk;
	struct cr_ctx *ctx;
	struct files_struct *files;
	struct cr_epoll_item *items;
	unsigned int nr;
	unsigned int max;
	const char *why;
};

/* Whether @file is an epoll instance: the anonymous inode's name says. */
static bool cr_is_epoll(struct file *file)
{
	return file_inode(file)->i_sb->s_magic == ANON_INODE_FS_MAGIC &&
	       !strcmp(file->f_path.dentry->d_name.name, "[eventpoll]");
}

static int cr_ep_item(struct eventpoll_walk *walk, struct file *tfile,
		      int tfd, __poll_t events, __u64 data)
{
	struct cr_ep_walk *w = container_of(walk, struct cr_ep_walk, walk);
	struct file *now;

	if (w->items) {
		if (w->nr == w->max)
			return -EBUSY;
		w->items[w->nr++] = (struct cr_epoll_item){
			.fd = tfd, .events = (__force u32)events, .data = data,
		};
		return 0;
	}
	if (!w->files)
		return ++w->nr > CR_EPOLL_MAX_ITEMS ? -E2BIG : 0;
	rcu_read_lock();
	now = files_lookup_fd_raw(w->files, tfd);
	rcu_read_unlock();
	if (now != tfile)
		w->why = "an epoll instance with an item on a closed or reused descriptor";
	else if (cr_is_epoll(tfile))
		w->why = "an epoll instance watching another (nested epoll)";
	else if (!cr_file_id(w->ctx, tfile))
		w->why = "an epoll instance watching a file outside the tree";
	else if (++w->nr > CR_EPOLL_MAX_ITEMS)
		w->why = "an epoll instance with too many items";
	return w->why ? -EOPNOTSUPP : 0;
}

/**
 * cr_anon_kind() - what an anonymous inode's file is to the image
 * @ctx: checkpoint context
 * @file: the file
 * @files: the table of the process that has it
 * @what: set to why it is refused, when it is
 *
 * Return: %CR_FILE_EVENTFD or %CR_FILE_EPOLL, 0 for neither, or
 * -EOPNOTSUPP with @what set.
 */
int cr_anon_kind(struct cr_ctx *ctx, struct file *file,
		 struct files_struct *files, const char **what)
{
	struct cr_ep_walk w = { .walk.item = cr_ep_item, .ctx = ctx,
				.files = files };
	u64 count;
	int flags, ret;

	if (!eventfd_get_state(file, &count, &flags)) {
		if ((file->f_flags & CR_FILE_O_FLAGS & ~O_NONBLOCK) == O_RDWR)
			return CR_FILE_EVENTFD;
		*what = "an eventfd with open flags other than O_NONBLOCK";
		return -EOPNOTSUPP;
	}
	ret = eventpoll_walk_items(file, &w.walk);
	if (ret == -EINVAL)
		return 0;
	if ((file->f_flags & CR_FILE_O_FLAGS) != O_RDWR)
		w.why = "an epoll instance with open flags set by fcntl(2)";
	*what = w.why;
	return w.why ? -EOPNOTSUPP : CR_FILE_EPOLL;
}

static int cr_cmp_item(const void *a, const void *b)
{
	const struct cr_epoll_item *x = a, *y = b;

	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

/**
 * cr_write_anon() - the record after an eventfd's or epoll's file record
 * @ctx: checkpoint context
 * @file: the file, just recorded as %CR_FILE_EVENTFD or %CR_FILE_EPOLL
 * @kind: which
 *
 * Return: 0 or a negative errno (logged).
 */
int cr_write_anon(struct cr_ctx *ctx, struct file *file, int kind)
{
	struct cr_ep_walk w = { .walk.item = cr_ep_item, .ctx = ctx };
	struct cr_hdr_eventfd *he;
	struct cr_hdr_epoll hp = {};
	unsigned int max;
	int flags, ret;
	u64 count;

	if (kind == CR_FILE_EVENTFD) {
		ret = eventfd_get_state(file, &count, &flags);
		if (ret)
			return ret;
		he = cr_hbuf_get(ctx, CR_HDR_EVENTFD, sizeof(*he));
		he->count = count;
		he->flags = flags & EFD_SEMAPHORE ? CR_EVENTFD_SEMAPHORE : 0;
		return cr_hbuf_put(ctx, sizeof(*he));
	}

	/* Counted, then copied: the tree is stopped, the list holds still. */
	ret = eventpoll_walk_items(file, &w.walk);
	if (ret)
		return ret;
	max = w.nr;
	w.nr = 0;
	w.max = max;
	w.items = kvmalloc_array(max(max, 1U), sizeof(*w.items), GFP_KERNEL);
	if (!w.items)
		return -ENOMEM;
	ret = eventpoll_walk_items(file, &w.walk);
	if (!ret && w.nr != max)
		ret = -EBUSY;
	if (ret) {
		cr_log(ctx, "the items of an epoll instance changed during the checkpoint");
		goto out;
	}
	sort(w.items, w.nr, sizeof(*w.items), cr_cmp_item, NULL);
	cr_hdr_init(&hp, CR_HDR_EPOLL, sizeof(hp));
	hp.h.len = sizeof(hp) + w.nr * sizeof(*w.items);
	hp.nr_items = w.nr;
	ret = cr_write_data(ctx, &hp, sizeof(hp));
	if (!ret)
		ret = cr_write_data(ctx, w.items, w.nr * sizeof(*w.items));
out:
	kvfree(w.items);
	return ret;
}

/* Restart */

/**
 * cr_read_anon() - read the record after an eventfd's or epoll's file
 * @r: restart state; the file's %CR_HDR_FILE record was just read
 * @rf: that file, which gets the file made
 * @kind: %CR_FILE_EVENTFD or %CR_FILE_EPOLL
 * @file_flags: the file's open flags
 *
 * An eventfd is made with its counter; an epoll instance is made empty,
 * and its items are kept in @rf for cr_add_epoll_items().
 *
 * Return: 0 (a file that cannot be made is @r->err, logged), -EINVAL
 * (logged) for a malformed record, -ENOMEM, or the errors of reading.
 */
int cr_read_anon(struct cr_rst *r, struct cr_rfile *rf, int kind,
		 u32 file_flags)
{
	struct cr_hdr_eventfd *he;
	struct cr_hdr_epoll hp;
	struct file *file = NULL;
	u32 i;
	int ret;

	if (kind == CR_FILE_EVENTFD) {
		he = cr_read_rec(r, CR_HDR_EVENTFD, sizeof(*he), sizeof(*he));
		if (IS_ERR(he))
			return PTR_ERR(he);
		if (he->flags & ~CR_EVENTFD_SEMAPHORE || he->pad ||
		    he->count == ULLONG_MAX ||
		    (file_flags & ~O_NONBLOCK) != O_RDWR)
			return cr_bad(r, "an eventfd: bad counter, flags or file");
		if (!r->err)
			file = eventfd_file_create(he->count,
						   (file_flags & O_NONBLOCK) |
						   (he->flags & CR_EVENTFD_SEMAPHORE ?
						    EFD_SEMAPHORE : 0));
	} else {
		ret = cr_read_struct(r, CR_HDR_EPOLL, &hp, sizeof(hp));
		if (ret)
			return ret;
		if (hp.pad || hp.nr_items > CR_EPOLL_MAX_ITEMS ||
		    hp.h.len != sizeof(hp) + hp.nr_items * sizeof(*rf->items) ||
		    file_flags != O_RDWR)
			return cr_bad(r, "an epoll instance of %u items", hp.nr_items);
		rf->items = kvmalloc_array(max(hp.nr_items, 1U),
					   sizeof(*rf->items), GFP_KERNEL);
		if (!rf->items)
			return -ENOMEM;
		ret = cr_read(r, rf->items, hp.nr_items * sizeof(*rf->items));
		if (ret)
			return ret;
		rf->nr_items = hp.nr_items;
		for (i = 0; i < hp.nr_items; i++)
			if (rf->items[i].fd < 0 ||
			    (i && rf->items[i].fd <= rf->items[i - 1].fd) ||
			    rf->items[i].events & ~CR_EPOLL_EVENTS)
				return cr_bad(r, "epoll item %u: bad descriptor or events",
					      i);
		if (!r->err)
			file = eventpoll_file_create(0);
	}
	if (IS_ERR(file)) {
		cr_log(r->ctx, "cannot make %s: error %ld",
		       kind == CR_FILE_EVENTFD ? "an eventfd" : "an epoll instance",
		       PTR_ERR(file));
		r->err = PTR_ERR(file);
		file = NULL;
	}
	rf->file = file;
	return 0;
}

/* The descriptor @fd of @rp, or NULL. */
static const struct cr_rfd *cr_find_fd(const struct cr_rproc *rp, int fd)
{
	unsigned int lo = 0, hi = rp->nr_fds, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rp->fds[mid].fd == fd)
			return &rp->fds[mid];
		if (rp->fds[mid].fd < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/**
 * cr_check_epoll_items() - give a process the epoll instances it adds to
 * @r: restart state
 * @rp: a process whose descriptors were just read
 *
 * An instance is the first process's that has it: each of its items
 * must name a descriptor of that process, of a file that is not an
 * epoll instance itself.
 *
 * Return: 0, or -EINVAL (logged).
 */
int cr_check_epoll_items(struct cr_rst *r, struct cr_rproc *rp)
{
	struct cr_tree *tree = r->tree;
	const struct cr_rfd *tfd;
	struct cr_rfile *rf;
	unsigned int i, j;

	for (i = 0; i < rp->nr_fds; i++) {
		rf = &tree->files[rp->fds[i].file_id - 1];
		if (rf->kind != CR_FILE_EPOLL || rf->owner)
			continue;
		rf->owner = rp;
		for (j = 0; j < rf->nr_items; j++) {
			tfd = cr_find_fd(rp, rf->items[j].fd);
			if (!tfd ||
			    tree->files[tfd->file_id - 1].kind == CR_FILE_EPOLL)
				return cr_bad(r,
					      "epoll item on descriptor %d: no such file, or an epoll instance",
					      rf->items[j].fd);
		}
	}
	return 0;
}

/**
 * cr_add_epoll_items() - add the items of a process's epoll instances
 * @tree: the tree
 * @rp: the process, whose descriptors the current task has just got
 *
 * With epoll_ctl(2)'s own checks, in the current task, for each
 * instance whose items are @rp's to add, once. Only @rp's task reads
 * and clears the owner of such an instance.
 *
 * Return: 0, or the error of epoll_ctl(2).
 */
int cr_add_epoll_items(struct cr_tree *tree, struct cr_rproc *rp)
{
	struct epoll_event ev;
	struct cr_rfile *rf;
	unsigned int i, j;
	int ret;

	for (i = 0; i < rp->nr_fds; i++) {
		rf = &tree->files[rp->fds[i].file_id - 1];
		if (rf->kind != CR_FILE_EPOLL || rf->owner != rp)
			continue;
		for (j = 0; j < rf->nr_items; j++) {
			ev.events = (__force __poll_t)rf->items[j].events;
			ev.data = rf->items[j].data;
			ret = do_epoll_ctl(rp->fds[i].fd, EPOLL_CTL_ADD,
					   rf->items[j].fd, &ev, false);
			if (ret)
				return ret;
		}
		/* Once: the process may have the instance at more descriptors. */
		rf->owner = NULL;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: kernel-side I/O on the caller's descriptors.
 *
 * The image and the log may be any file the caller opened: a regular
 * file, a pipe, a node of the pram filesystem: any file with
 * ->read_iter/->write_iter. Writes to them must behave like the caller's
 * own write(2) would, positions included.
 */
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/uio.h>

#include "internal.h"

/*
 * A signal that interrupts a half-written image must not restart the
 * syscall: the restarted call would write a second image behind the
 * first half. Report the interruption instead.
 */
static ssize_t cr_no_restart(ssize_t ret)
{
	return ret == -ERESTARTSYS ? -EINTR : ret;
}

/**
 * cr_kwrite() - write a whole kernel buffer to a file
 * @file: destination, opened for writing
 * @buf: kernel buffer
 * @len: bytes to write
 *
 * Goes through cr_write_iter() rather than kernel_write(), which refuses
 * files that have both ->write and ->write_iter, /dev/null among them.
 *
 * Return: 0 when all of @buf was written, else a negative errno (-EPIPE
 * for a pipe without readers, -EIO when the file takes no bytes at all).
 */
int cr_kwrite(struct file *file, const void *buf, size_t len)
{
	struct kvec kvec = { .iov_base = (void *)buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_SOURCE, &kvec, 1, len);
	return cr_write_iter(file, &iter);
}

/*
 * Move all of @iter to or from @file, as write(2) or read(2) would: loop
 * over short transfers (a pipe may take or give part of a buffer), keep
 * the file position, under f_pos_lock when it is shared; stream files
 * such as pipes have no position. A transfer of nothing is
 * @stalled: the end of the file, or a file that takes no bytes.
 */
static int cr_iter_all(struct file *file, struct iov_iter *iter,
		       bool write, int stalled)
{
	bool stream = file->f_mode & FMODE_STREAM;
	bool lock = file->f_mode & FMODE_ATOMIC_POS;
	loff_t pos, *ppos = stream ? NULL : &pos;
	ssize_t ret = 0;

	/* A pipe's reader or writer may keep us waiting: no lock held. */
	might_sleep();
	if (lock)
		mutex_lock(&file->f_pos_lock);
	pos = stream ? 0 : file->f_pos;
	while (iov_iter_count(iter)) {
		ret = write ? vfs_iter_write(file, iter, ppos, 0) :
			      vfs_iter_read(file, iter, ppos, 0);
		if (ret < 0)
			break;
		if (!ret) {
			ret = stalled;
			break;
		}
	}
	if (!stream)
		file->f_pos = pos;
	if (lock)
		mutex_unlock(&file->f_pos_lock);
	return ret < 0 ? cr_no_restart(ret) : 0;
}

/**
 * cr_write_iter() - write all of an iov_iter to a file
 * @file: destination, opened for writing
 * @iter: source; for page contents an ITER_BVEC over the pages
 *	themselves, so that they are copied once, by the file
 *
 * Return: 0, -EIO when the file takes no bytes at all, or a negative
 * errno.
 */
int cr_write_iter(struct file *file, struct iov_iter *iter)
{
	return cr_iter_all(file, iter, true, -EIO);
}

/**
 * cr_read_iter() - fill all of an iov_iter from a file
 * @file: source, opened for reading
 * @iter: destination; for page contents an ITER_BVEC over the pages
 *	that restart maps, so that they are copied once, by the file
 *
 * Return: 0, -ENODATA when the file ended first, or a negative errno.
 */
int cr_read_iter(struct file *file, struct iov_iter *iter)
{
	return cr_iter_all(file, iter, false, -ENODATA);
}

/**
 * cr_kread() - read exactly @len bytes from a file
 * @file: source, opened for reading
 * @buf: kernel buffer
 * @len: bytes wanted
 *
 * Like cr_kwrite(), it goes through the iov_iter path (vfs_iter_read())
 * so that files such as /dev/zero work.
 *
 * Return: 0 when all @len bytes were read, -ENODATA when the file ended
 * first, else a negative errno.
 */
int cr_kread(struct file *file, void *buf, size_t len)
{
	struct kvec kvec = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_DEST, &kvec, 1, len);
	return cr_read_iter(file, &iter);
}

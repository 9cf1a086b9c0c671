// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: kernel-side I/O on the caller's descriptors.
 *
 * The image and the log may be any file the caller opened: a regular
 * file, a pipe, a socket. Writes to them must behave like the caller's
 * own write(2) would, positions included.
 */
#include <linux/ckpt.h>
#include <linux/errno.h>
#include <linux/fs.h>

/**
 * cr_kwrite() - write a whole buffer to a file
 * @file: destination, opened for writing
 * @buf: kernel buffer
 * @len: bytes to write
 *
 * Loops over short writes (a pipe may take part of a buffer), and
 * advances the file position as write(2) would; stream files such as
 * pipes and sockets have none.
 *
 * Return: 0 when all of @buf was written, else a negative errno (-EPIPE
 * for a pipe without readers, -EIO when the file takes no bytes at all).
 */
int cr_kwrite(struct file *file, const void *buf, size_t len)
{
	bool stream = file->f_mode & FMODE_STREAM;
	loff_t pos = stream ? 0 : file->f_pos;
	ssize_t ret;

	while (len) {
		ret = kernel_write(file, buf, len, stream ? NULL : &pos);
		if (ret < 0)
			break;
		if (!ret) {
			ret = -EIO;
			break;
		}
		buf += ret;
		len -= ret;
	}
	if (!stream)
		file->f_pos = pos;
	return len ? ret : 0;
}

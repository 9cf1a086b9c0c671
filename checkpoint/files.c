// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: descriptor tables, open files, root and working
 * directory.
 *
 * Each process has a descriptor table (%CR_HDR_FILES, then one
 * %CR_HDR_FD per descriptor) and a root and working directory
 * (%CR_HDR_FS). Open files are objects: descriptors made by dup(2) or
 * inherited through fork() refer to one file, with one position and one
 * set of flags, and each file is recorded once (%CR_HDR_FILE), numbered
 * in order of first use, wherever in the tree it is used.
 *
 * Kinds of files:
 * - regular files and directories are reopened by path in the
 *   restarting caller's root, with its credentials and every check of
 *   open(2), and must be the same inode (device and inode number, else
 *   ESTALE); the position is set again. Only files of filesystems that
 *   hold their files (disk, network, tmpfs, overlay) qualify: a file of
 *   procfs or mqueue would reopen as something else.
 * - the memory devices without state (/dev/null, zero, full, random,
 *   urandom) are reopened the same way, by path and device number.
 * - a pipe inside the tree (every file of it held by the tree alone) is
 *   made again, with the data buffered in it (%CR_HDR_PIPE), read at
 *   checkpoint without being consumed; a FIFO inside the tree is
 *   reopened by path, and its data written back likewise.
 * - an eventfd is made again with its counter, an epoll instance with
 *   its items, added with epoll_ctl(2) (eventpoll.c).
 * - a unix socket is made again, bound, listening or connected, with
 *   the messages queued for it (socket.c).
 * - a memfd is a shared memory object (shmem.c), saved once with its
 *   contents and seals, however many files and mappings share it; each
 *   file of it is opened again on the object restart makes.
 * - a terminal, or a pipe or FIFO with an end held outside the tree,
 *   leads outside: it is recorded as external, and restart(2) takes a
 *   substitute from its caller (&struct cr_inherit), as CRIU's
 *   --inherit-fd does.
 * - anything else is refused by checkpoint, naming the task, the
 *   descriptor and what it is: no image silently drops a descriptor.
 *
 * Restart opens every file while it reads the image, so that a missing
 * or changed file is found before anything is built; each process gets
 * its table, with the recorded numbers and close-on-exec flags, before
 * it creates its threads and children, and the caller's own table is
 * replaced only once the restart can no longer fail.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/filelock.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/magic.h>
#include <linux/major.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

/* Checkpoint */

/* Memory devices without state, which a restart may open by number. */
static bool cr_chr_allowed(dev_t rdev)
{
	if (MAJOR(rdev) != MEM_MAJOR)
		return false;
	switch (MINOR(rdev)) {
	case 3:		/* null */
	case 5:		/* zero */
	case 7:		/* full */
	case 8:		/* random */
	case 9:		/* urandom */
		return true;
	}
	return false;
}

/* Terminals: the one a tree runs on belongs to whoever restarts it. */
static bool cr_chr_tty(dev_t rdev)
{
	unsigned int major = MAJOR(rdev);

	return major == TTY_MAJOR || major == TTYAUX_MAJOR ||
	       (major >= UNIX98_PTY_SLAVE_MAJOR &&
		major < UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT);
}

/*
 * Filesystems whose files are still there to reopen by path: those on a
 * block device, and these. Pseudo filesystems (procfs, sysfs, mqueue,
 * nsfs, pidfs, ...) generate or hold state a path does not bring back.
 */
static bool cr_fs_holds_files(const struct super_block *sb)
{
	if (sb->s_bdev)
		return true;
	switch (sb->s_magic) {
	case TMPFS_MAGIC:
	case RAMFS_MAGIC:
	case OVERLAYFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case NFS_SUPER_MAGIC:
	case V9FS_MAGIC:
	case FUSE_SUPER_MAGIC:
	case SMB2_SUPER_MAGIC:
		return true;
	}
	return false;
}

/* Whether @file holds a flock, POSIX, OFD lock or a lease. */
static bool cr_file_locked(struct file *file, struct files_struct *files)
{
	struct file_lock_context *flctx = locks_inode_context(file_inode(file));
	struct file_lock_core *flc;
	bool locked = false;

	if (!flctx)
		return false;
	spin_lock(&flctx->flc_lock);
	list_for_each_entry(flc, &flctx->flc_flock, flc_list)
		locked |= flc->flc_file == file;
	list_for_each_entry(flc, &flctx->flc_posix, flc_list)
		locked |= flc->flc_owner == files || flc->flc_owner == file;
	list_for_each_entry(flc, &flctx->flc_lease, flc_list)
		locked |= flc->flc_file == file;
	spin_unlock(&flctx->flc_lock);
	return locked;
}

/*
 * Per pipe, in one xarray value: the files of its read and write ends
 * the tree holds, and whether one of them is also held outside.
 */
#define CR_PIPE_W	BIT(0)
#define CR_PIPE_R	BIT(24)
#define CR_PIPE_OUT	BIT(48)
#define CR_PIPE_SAVED	BIT(49)		/* its data is in the image */

/*
 * Whether @pipe is inside the tree: the tree holds every file of it
 * (pipe->readers and pipe->writers count them), and nothing else holds
 * those files (a process outside that shares one since fork(), a
 * descriptor in flight, the checkpointing call's own log).
 */
static bool cr_pipe_inside(struct cr_ctx *ctx, struct pipe_inode_info *pipe)
{
	unsigned long n = xa_to_value(xa_load(&ctx->pipes, (unsigned long)pipe));

	return !(n & CR_PIPE_OUT) &&
	       (n / CR_PIPE_R) % (CR_PIPE_OUT / CR_PIPE_R) == READ_ONCE(pipe->readers) &&
	       n % CR_PIPE_R == READ_ONCE(pipe->writers);
}

/* Count a file of @pipe (@add: %CR_PIPE_R, %CR_PIPE_W), or mark it out. */
static int cr_pipe_count(struct cr_ctx *ctx, struct pipe_inode_info *pipe,
			 unsigned long add)
{
	unsigned long n = xa_to_value(xa_load(&ctx->pipes, (unsigned long)pipe));

	n = add >= CR_PIPE_OUT ? n | add : n + add;
	return xa_err(xa_store(&ctx->pipes, (unsigned long)pipe,
			       xa_mk_value(n), GFP_KERNEL));
}

/*
 * What @file of process @pid, at descriptor @fd of @files, is to the
 * image: a %CR_FILE_* kind, or -EOPNOTSUPP, logged with what it is.
 */
static int cr_file_kind(struct cr_ctx *ctx, struct file *file,
			struct files_struct *files, pid_t pid, unsigned int fd)
{
	struct inode *inode = file_inode(file);
	struct dentry *dentry = file->f_path.dentry;
	struct pipe_inode_info *pipe;
	const char *what;
	int ret;

	if (file->f_flags & FASYNC) {
		what = "a file with signal-driven I/O (O_ASYNC)";
		goto refuse;
	}
	switch (inode->i_mode & S_IFMT) {
	case S_IFREG:
	case S_IFDIR:
		if (cr_file_is_memfd(file)) {
			if (file->f_mode & FMODE_PATH) {
				what = "an O_PATH descriptor of a memfd";
				goto refuse;
			}
			if (cr_file_locked(file, files)) {
				what = "a memfd with a lock or a lease";
				goto refuse;
			}
			return CR_FILE_MEMFD;
		}
		/* No path: deleted, or on a kernel mount (hugetlb memfd). */
		if (d_unlinked(dentry) ||
		    file->f_path.mnt->mnt_flags & MNT_INTERNAL) {
			what = strstarts(dentry->d_name.name, "memfd:") ?
			       "a hugetlb memfd" : "a deleted file";
			goto refuse;
		}
		if (!cr_fs_holds_files(inode->i_sb)) {
			cr_log(ctx, "task %d fd %u: a file of %s is not supported",
			       pid, fd, inode->i_sb->s_type->name);
			return -EOPNOTSUPP;
		}
		if (cr_file_locked(file, files)) {
			what = "a file with a lock or a lease";
			goto refuse;
		}
		return S_ISREG(inode->i_mode) ? CR_FILE_REG : CR_FILE_DIR;
	case S_IFCHR:
		if (cr_chr_allowed(inode->i_rdev))
			return CR_FILE_CHR;
		if (cr_chr_tty(inode->i_rdev))
			return CR_FILE_EXTERNAL;
		cr_log(ctx, "task %d fd %u: character device %u:%u is not supported",
		       pid, fd, MAJOR(inode->i_rdev), MINOR(inode->i_rdev));
		return -EOPNOTSUPP;
	case S_IFIFO:
		pipe = get_pipe_info(file, false);
		if (!pipe) {
			what = "an O_PATH descriptor of a FIFO";
			goto refuse;
		}
		if (!cr_pipe_inside(ctx, pipe))
			return CR_FILE_EXTERNAL;
		if (file->f_flags & O_DIRECT) {
			what = "a packet-mode pipe (O_DIRECT)";
			goto refuse;
		}
		/* A FIFO: reopened by its path, as a regular file is. */
		if (inode->i_sb->s_magic != PIPEFS_MAGIC) {
			if (d_unlinked(dentry) || !cr_fs_holds_files(inode->i_sb)) {
				what = "a FIFO deleted, or of a pseudo filesystem";
				goto refuse;
			}
			return CR_FILE_FIFO;
		}
		/* Only through /proc/PID/fd: pipe(2) opens each end once. */
		if (READ_ONCE(pipe->readers) > 1 || READ_ONCE(pipe->writers) > 1) {
			what = "a pipe with an end opened twice";
			goto refuse;
		}
		return CR_FILE_PIPE;
	case S_IFSOCK:
		ret = cr_socket_kind(ctx, file, &what);
		if (ret < 0)
			goto refuse;
		return ret;
	case S_IFBLK:
		what = "a block device";
		goto refuse;
	}
	if (inode->i_sb->s_magic == ANON_INODE_FS_MAGIC) {
		ret = cr_anon_kind(ctx, file, files, &what);
		if (ret < 0)
			goto refuse;
		if (ret)
			return ret;
	}
	cr_log(ctx, "task %d fd %u: %s %s is not supported", pid, fd,
	       inode->i_sb->s_magic == ANON_INODE_FS_MAGIC ?
	       "anonymous inode" : "file", dentry->d_name.name);
	return -EOPNOTSUPP;
refuse:
	cr_log(ctx, "task %d fd %u: %s is not supported", pid, fd, what);
	return -EOPNOTSUPP;
}

/* The next open descriptor of @task from *@fd on, with a reference. */
static struct file *cr_next_fd(struct task_struct *task, unsigned int *fd)
{
	struct file *file;

	rcu_read_lock();
	file = task_lookup_next_fdget_rcu(task, fd);
	rcu_read_unlock();
	return file;
}

/* Whether @fd of @task is close-on-exec. */
static bool cr_fd_cloexec(struct task_struct *task, unsigned int fd)
{
	bool ret = false;

	task_lock(task);
	if (task->files) {
		rcu_read_lock();
		ret = close_on_exec(fd, task->files);
		rcu_read_unlock();
	}
	task_unlock(task);
	return ret;
}

/*
 * The descriptor table of process @i: its threads must share it with no
 * other process, as the image has one table per process.
 */
static struct files_struct *cr_proc_files(struct cr_ctx *ctx, unsigned int i)
{
	struct task_struct *leader = ctx->tasks[i].task;
	pid_t pid = task_pid_nr_ns(leader, ctx->ns);
	struct files_struct *files;
	unsigned int j, users = 0;

	task_lock(leader);
	files = leader->files;
	task_unlock(leader);
	if (!files) {
		cr_log(ctx, "task %d is exiting", pid);
		return ERR_PTR(-ESRCH);
	}
	for (j = i; j < ctx->nr_tasks && ctx->tasks[j].proc == i; j++) {
		struct task_struct *t = ctx->tasks[j].task;

		task_lock(t);
		users += t->files == files;
		task_unlock(t);
	}
	if (users != j - i) {
		cr_log(ctx, "a thread of task %d has a descriptor table of its own",
		       pid);
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (atomic_read(&files->count) != users) {
		cr_log(ctx, "task %d shares its descriptor table with another process",
		       pid);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return files;
}

/**
 * cr_scan_files() - check the descriptors of the whole tree
 * @ctx: checkpoint context, with the tree collected and stopped
 *
 * Lists every open file of the tree once, with the descriptors that
 * refer to it, and counts the pipe files the tree holds, which tells a
 * pipe inside the tree from one that leads out; then checks that every
 * descriptor is of a kind the image can hold, before anything is
 * written.
 *
 * Return: 0, -EOPNOTSUPP (logged) for a descriptor or table that cannot
 * be saved, -ESRCH for an exiting task, -ENOMEM.
 */
int cr_scan_files(struct cr_ctx *ctx)
{
	struct pipe_inode_info *pipe;
	struct files_struct *files;
	struct cr_file_id *fi;
	unsigned int i, fd;
	struct file *file;
	int ret;

	ret = cr_file_ids_init(ctx);
	if (ret)
		return ret;
	for (i = 0; i < ctx->nr_tasks; i++) {
		if (ctx->tasks[i].proc != i)
			continue;
		files = cr_proc_files(ctx, i);
		if (IS_ERR(files))
			return PTR_ERR(files);
		for (fd = 0; (file = cr_next_fd(ctx->tasks[i].task, &fd)); fd++) {
			fi = cr_file_id_count(ctx, file);
			ret = fi ? 0 : -ENOMEM;
			pipe = get_pipe_info(file, false);
			if (fi && fi->val == 1 && pipe)
				ret = cr_pipe_count(ctx, pipe,
						    (file->f_mode & FMODE_READ ?
						     CR_PIPE_R : 0) +
						    (file->f_mode & FMODE_WRITE ?
						     CR_PIPE_W : 0));
			fput(file);
			if (ret)
				return ret;
		}
	}
	/* Each descriptor holds a reference: any other is from outside. */
	for (fi = NULL; (fi = cr_file_ids_next(ctx, fi));) {
		pipe = get_pipe_info(fi->file, false);
		if (pipe && file_count(fi->file) != fi->val) {
			ret = cr_pipe_count(ctx, pipe, CR_PIPE_OUT);
			if (ret)
				return ret;
		}
	}
	/* From now on, a file's value is its id once written, 0 before. */
	for (fi = NULL; (fi = cr_file_ids_next(ctx, fi));)
		fi->val = 0;
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct task_struct *task = ctx->tasks[i].task;
		pid_t pid = task_pid_nr_ns(task, ctx->ns);

		if (ctx->tasks[i].proc != i)
			continue;
		files = cr_proc_files(ctx, i);
		if (IS_ERR(files))
			return PTR_ERR(files);
		for (fd = 0; (file = cr_next_fd(task, &fd)); fd++) {
			ret = cr_file_kind(ctx, file, files, pid, fd);
			fput(file);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* A path for the image, formatted at the end of the header buffer. */
static const char *cr_path(struct cr_ctx *ctx, const struct path *path)
{
	return d_path(path, ctx->hbuf + CR_HBUF_SIZE - PATH_MAX, PATH_MAX);
}

static int cr_write_fs(struct cr_ctx *ctx, struct task_struct *task)
{
	pid_t pid = task_pid_nr_ns(task, ctx->ns);
	struct path root, pwd;
	const char *p;
	struct cr_hdr_fs *hf;
	size_t rlen, clen;
	char *rbuf;
	int ret = 0;

	task_lock(task);
	if (!task->fs) {
		task_unlock(task);
		cr_log(ctx, "task %d is exiting", pid);
		return -ESRCH;
	}
	get_fs_root(task->fs, &root);
	get_fs_pwd(task->fs, &pwd);
	task_unlock(task);

	rbuf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!rbuf) {
		ret = -ENOMEM;
		goto out;
	}
	p = d_path(&root, rbuf, PATH_MAX);
	if (IS_ERR(p)) {
		cr_log(ctx, "task %d: its root's path is too long", pid);
		ret = PTR_ERR(p);
		goto out;
	}
	rlen = strlen(p) + 1;
	memmove(rbuf, p, rlen);
	if (d_unlinked(pwd.dentry)) {
		cr_log(ctx, "task %d: its working directory was deleted", pid);
		ret = -EOPNOTSUPP;
		goto out;
	}
	p = cr_path(ctx, &pwd);
	if (IS_ERR(p)) {
		cr_log(ctx, "task %d: its working directory's path is too long",
		       pid);
		ret = PTR_ERR(p);
		goto out;
	}
	clen = strlen(p) + 1;
	memmove(ctx->hbuf + CR_HBUF_SIZE - PATH_MAX, p, clen);
	p = ctx->hbuf + CR_HBUF_SIZE - PATH_MAX;

	hf = cr_hbuf_get(ctx, CR_HDR_FS, sizeof(*hf) + rlen + clen);
	hf->root_len = rlen;
	hf->cwd_len = clen;
	memcpy(hf + 1, rbuf, rlen);
	memmove((char *)(hf + 1) + rlen, p, clen);
	ret = cr_hbuf_put(ctx, hf->h.len);
out:
	kfree(rbuf);
	path_put(&root);
	path_put(&pwd);
	return ret;
}

/*
 * The data buffered in @pipe, copied under its lock without being
 * consumed, and written once the lock is dropped: the image could be
 * going to a pipe too.
 */
static int cr_write_pipe(struct cr_ctx *ctx, struct pipe_inode_info *pipe)
{
	static const char zero[CR_HDR_ALIGN];
	struct cr_hdr_pipe hp = { .h.type = CR_HDR_PIPE };
	unsigned int tail, len = 0;
	char *data;
	int ret;

	pipe_lock(pipe);
	hp.size = pipe->max_usage * PAGE_SIZE;
	data = kvmalloc(hp.size, GFP_KERNEL);
	ret = data ? 0 : -ENOMEM;
	for (tail = pipe->tail; !ret && tail != pipe->head; tail++) {
		struct pipe_buffer *buf = pipe_buf(pipe, tail);

		ret = pipe_buf_confirm(pipe, buf);
		if (!ret && len + buf->len > hp.size)
			ret = -EIO;
		if (!ret) {
			memcpy_from_page(data + len, buf->page, buf->offset,
					 buf->len);
			len += buf->len;
		}
	}
	pipe_unlock(pipe);
	if (ret) {
		cr_log(ctx, "cannot read the data of a pipe: error %d", ret);
		goto out;
	}
	hp.len = len;
	hp.h.len = ALIGN(sizeof(hp) + len, CR_HDR_ALIGN);
	ret = cr_write_data(ctx, &hp, sizeof(hp));
	if (!ret)
		ret = cr_write_data(ctx, data, len);
	if (!ret && hp.h.len - sizeof(hp) - len)
		ret = cr_write_data(ctx, zero, hp.h.len - sizeof(hp) - len);
out:
	kvfree(data);
	return ret;
}

/*
 * The record of a file the image has not seen yet; for a memfd, after
 * its object if that is new too.
 */
static int cr_write_file(struct cr_ctx *ctx, struct file *file, int kind,
			 u32 id)
{
	struct inode *inode = file_inode(file);
	char *pathbuf = ctx->hbuf + CR_HBUF_SIZE - PATH_MAX;
	struct pipe_inode_info *pipe;
	struct cr_hdr_file *hf;
	u32 object = 0;
	const char *p;
	unsigned long n;
	size_t len;
	int ret;

	if (kind == CR_FILE_MEMFD) {
		ret = cr_write_shmem(ctx, file, CR_SHMEM_MEMFD, &object);
		if (ret)
			return ret;
	}

	if (S_ISFIFO(inode->i_mode) && inode->i_sb->s_magic == PIPEFS_MAGIC) {
		len = snprintf(pathbuf, PATH_MAX, "pipe:[%lu]", inode->i_ino) + 1;
	} else {
		p = cr_path(ctx, &file->f_path);
		if (IS_ERR(p)) {
			cr_log(ctx, "an open file's path is too long");
			return PTR_ERR(p);
		}
		len = strlen(p) + 1;
		memmove(pathbuf, p, len);
	}
	hf = cr_hbuf_get(ctx, CR_HDR_FILE, sizeof(*hf) + len);
	hf->id = id;
	hf->kind = kind;
	hf->flags = file->f_flags & CR_FILE_O_FLAGS;
	if (file->f_mode & FMODE_PATH)
		hf->flags |= O_PATH;
	hf->mode = inode->i_mode;
	hf->pos = file->f_pos;
	hf->dev = new_encode_dev(inode->i_sb->s_dev);
	hf->ino = inode->i_ino;
	hf->rdev = new_encode_dev(inode->i_rdev);
	hf->size = i_size_read(inode);
	hf->path_len = len;
	hf->object = object;
	memmove(hf + 1, pathbuf, len);
	ret = cr_hbuf_put(ctx, hf->h.len);
	if (!ret && kind == CR_FILE_SOCKET)
		return cr_write_socket(ctx, file);
	if (!ret && (kind == CR_FILE_EVENTFD || kind == CR_FILE_EPOLL))
		return cr_write_anon(ctx, file, kind);
	if (ret || (kind != CR_FILE_PIPE && kind != CR_FILE_FIFO))
		return ret;

	/* The first file of a pipe or FIFO brings its data. */
	pipe = get_pipe_info(file, false);
	n = xa_to_value(xa_load(&ctx->pipes, (unsigned long)pipe));
	if (n & CR_PIPE_SAVED)
		return 0;
	ret = cr_pipe_count(ctx, pipe, CR_PIPE_SAVED);
	return ret ?: cr_write_pipe(ctx, pipe);
}

/**
 * cr_write_files() - write a process's directories and descriptors
 * @ctx: checkpoint context
 * @i: index in @ctx->tasks of the process's leader
 *
 * The root and working directory, the table, and for each descriptor
 * the file it refers to, if this is its first use in the image, then the
 * descriptor. cr_scan_files() checked them all.
 *
 * Return: 0 or a negative errno (logged).
 */
int cr_write_files(struct cr_ctx *ctx, unsigned int i)
{
	struct task_struct *task = ctx->tasks[i].task;
	pid_t pid = task_pid_nr_ns(task, ctx->ns);
	struct files_struct *files;
	struct cr_hdr_files *ht;
	struct cr_hdr_fd *hd;
	unsigned int fd, nr = 0;
	struct cr_file_id *fi;
	struct file *file;
	int ret, kind;
	u32 id;

	ret = cr_write_fs(ctx, task);
	if (ret)
		return ret;
	files = cr_proc_files(ctx, i);
	if (IS_ERR(files))
		return PTR_ERR(files);
	for (fd = 0; (file = cr_next_fd(task, &fd)); fd++) {
		fput(file);
		nr++;
	}
	ht = cr_hbuf_get(ctx, CR_HDR_FILES, sizeof(*ht));
	ht->id = ctx->tasks[i].id;
	ht->nr_fds = nr;
	ret = cr_hbuf_put(ctx, sizeof(*ht));

	for (fd = 0; !ret && nr && (file = cr_next_fd(task, &fd)); fd++, nr--) {
		fi = cr_file_id(ctx, file);
		id = fi ? fi->val : 0;
		if (!fi) {
			cr_log(ctx, "task %d fd %u: opened during the checkpoint",
			       pid, fd);
			ret = -EBUSY;
		} else if (!id) {
			kind = cr_file_kind(ctx, file, files, pid, fd);
			id = ++ctx->nr_files;
			fi->val = id;
			ret = kind < 0 ? kind :
			      cr_write_file(ctx, file, kind, id);
		}
		if (!ret) {
			hd = cr_hbuf_get(ctx, CR_HDR_FD, sizeof(*hd));
			hd->fd = fd;
			hd->flags = cr_fd_cloexec(task, fd) ? CR_FD_CLOEXEC : 0;
			hd->file = id;
			ret = cr_hbuf_put(ctx, sizeof(*hd));
		}
		fput(file);
	}
	if (!ret && !nr) {
		file = cr_next_fd(task, &fd);
		if (file) {
			fput(file);
			nr = 1;
		}
	}
	if (!ret && nr) {
		cr_log(ctx, "task %d: its descriptors changed during the checkpoint",
		       pid);
		ret = -EBUSY;
	}
	return ret;
}

/* Restart */

/* Open flags a memfd's descriptor may have: fcntl(F_SETFL) sets the rest. */
#define CR_MEMFD_O_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_LARGEFILE)

/**
 * cr_read_fs() - read a process's root and working directory
 * @r: restart state
 * @rp: the process
 *
 * Both are looked up in the caller's root now, with the checks of
 * chdir(2), and chroot(2) for a root that is not the caller's. Opening
 * nothing, they need not wait for the checksum.
 *
 * Return: 0 (a directory that cannot be had is @r->err, logged),
 * -EINVAL (logged) for a malformed record, or the errors of
 * cr_read_rec().
 */
int cr_read_fs(struct cr_rst *r, struct cr_rproc *rp)
{
	const unsigned int flags = LOOKUP_FOLLOW | LOOKUP_DIRECTORY;
	struct cr_hdr_fs *hf;
	const char *root, *cwd;
	struct path cur;
	int ret;

	hf = cr_read_rec(r, CR_HDR_FS, sizeof(*hf) + 4, sizeof(*hf) + 2 * PATH_MAX + 8);
	if (IS_ERR(hf))
		return PTR_ERR(hf);
	root = (const char *)(hf + 1);
	cwd = root + hf->root_len;
	if (hf->root_len < 2 || hf->root_len > PATH_MAX || hf->cwd_len < 2 ||
	    hf->cwd_len > PATH_MAX ||
	    sizeof(*hf) + hf->root_len + hf->cwd_len > hf->h.len ||
	    strnlen(root, hf->root_len) != hf->root_len - 1 ||
	    strnlen(cwd, hf->cwd_len) != hf->cwd_len - 1 || root[0] != '/' ||
	    cwd[0] != '/')
		return cr_bad(r, "bad root or working directory path");

	ret = kern_path(root, flags, &rp->root);
	if (!ret) {
		ret = path_permission(&rp->root, MAY_EXEC | MAY_CHDIR);
		get_fs_root(current->fs, &cur);
		/* As chroot(2) checks, for a root that is not the caller's. */
		if (!ret && !path_equal(&cur, &rp->root)) {
			ret = ns_capable(current_user_ns(), CAP_SYS_CHROOT) ?
			      security_path_chroot(&rp->root) : -EPERM;
		}
		path_put(&cur);
	}
	if (ret) {
		cr_log(r->ctx, "cannot have %s as the root directory: error %d",
		       root, ret);
		goto err;
	}
	ret = kern_path(cwd, flags, &rp->pwd);
	if (!ret)
		ret = path_permission(&rp->pwd, MAY_EXEC | MAY_CHDIR);
	if (ret) {
		cr_log(r->ctx, "cannot have %s as the working directory: error %d",
		       cwd, ret);
		goto err;
	}
	return 0;
err:
	if (!r->err)
		r->err = ret;
	return 0;
}

/*
 * Set the position of @file, just opened, to @pos, as lseek(2) would; on
 * failure @file is dropped and the error logged, naming @name.
 */
static struct file *cr_seek(struct cr_rst *r, struct file *file, u64 pos,
			    const char *name)
{
	loff_t got = vfs_llseek(file, pos, SEEK_SET);

	if (got == pos)
		return file;
	cr_log(r->ctx, "cannot seek %s to %llu: error %lld", name, pos,
	       got < 0 ? got : -EINVAL);
	fput(file);
	return ERR_PTR(got < 0 ? got : -EINVAL);
}

/*
 * Open the file of @hf at @name as open(2) would, with the caller's
 * credentials, once the path is known to lead to the file checkpointed:
 * it is resolved once with O_PATH and O_NOFOLLOW (which opens nothing,
 * so a FIFO put there cannot block us and a device sees no open), its
 * type and identity are checked on that, and that very file is then
 * opened with the image's flags through file_open_root(), with all of
 * may_open()'s checks, as open_by_handle_at(2) reopens a path.
 */
static struct file *cr_reopen(struct cr_rst *r, const struct cr_hdr_file *hf,
			      const char *name)
{
	struct file *opath, *file;
	struct inode *inode;
	bool same;

	opath = filp_open(name, O_PATH | O_NOFOLLOW | O_LARGEFILE, 0);
	if (IS_ERR(opath)) {
		cr_log(r->ctx, "cannot open %s: error %ld", name, PTR_ERR(opath));
		return opath;
	}
	inode = file_inode(opath);
	if (hf->kind == CR_FILE_CHR)
		same = S_ISCHR(inode->i_mode) &&
		       inode->i_rdev == new_decode_dev(hf->rdev);
	else
		same = (inode->i_mode & S_IFMT) == (hf->mode & S_IFMT) &&
		       new_encode_dev(inode->i_sb->s_dev) == hf->dev &&
		       inode->i_ino == hf->ino;
	if (!same) {
		cr_log(r->ctx, "%s is not the file checkpointed", name);
		fput(opath);
		return ERR_PTR(-ESTALE);
	}
	if (hf->flags & O_PATH)
		return opath;

	file = file_open_root(&opath->f_path, "", hf->flags, 0);
	fput(opath);
	if (IS_ERR(file)) {
		cr_log(r->ctx, "cannot open %s: error %ld", name, PTR_ERR(file));
		return file;
	}
	if (hf->kind != CR_FILE_CHR && hf->pos)
		return cr_seek(r, file, hf->pos, name);
	return file;
}

/*
 * Make the pipe of the %CR_HDR_PIPE record that comes next: both ends
 * (an end the tree does not have is dropped with the tree), or for a
 * FIFO (@fifo) take the file restart keeps it open with (rp->end[0]),
 * its size as F_SETPIPE_SZ sets it for the caller, and its data,
 * written in chunks as it is read. After a failure that is not the
 * image's, the data is only read.
 */
static int cr_read_pipe(struct cr_rst *r, struct cr_rpipe *rp, bool fifo)
{
	struct cr_hdr_pipe hp;
	struct file *ends[2];
	u32 left, chunk;
	loff_t pos = 0;
	long ret;

	ret = cr_read_struct(r, CR_HDR_PIPE, &hp, sizeof(hp));
	if (ret)
		return ret;
	if (hp.len > hp.size ||
	    hp.h.len != ALIGN(sizeof(hp) + (u64)hp.len, CR_HDR_ALIGN))
		return cr_bad(r, "a pipe of %u bytes holding %u", hp.size,
			      hp.len);
	if (!r->err) {
		ret = fifo ? 0 : create_pipe_files(ends, 0);
		if (!ret && !fifo) {
			rp->end[0] = ends[0];
			rp->end[1] = ends[1];
		}
		if (!ret && hp.size != PIPE_DEF_BUFFERS * PAGE_SIZE)
			ret = pipe_fcntl(rp->end[0], F_SETPIPE_SZ, hp.size);
		if (ret < 0) {
			cr_log(r->ctx, "cannot make a pipe of %u bytes: error %ld",
			       hp.size, ret);
			r->err = ret;
		}
	}
	for (left = hp.len; left; left -= chunk) {
		chunk = min_t(u32, left, CR_HBUF_SIZE);
		ret = cr_read(r, r->ctx->hbuf, chunk);
		if (ret)
			return ret;
		if (r->err)
			continue;
		ret = kernel_write(rp->end[!fifo], r->ctx->hbuf, chunk, &pos);
		if (ret != chunk) {
			cr_log(r->ctx, "cannot fill a pipe: error %ld", ret);
			r->err = ret < 0 ? ret : -EIO;
		}
	}
	return cr_read_skip(r, hp.h.len - sizeof(hp) - hp.len);
}

/* The end of a pipe that a file record of @kind and @flags is. */
static int cr_pipe_end(struct cr_rst *r, struct cr_rfile *rf, u64 ino,
		       u32 flags)
{
	struct cr_rpipe *rp = xa_load(&r->tree->pipes, ino);
	unsigned int end = (flags & O_ACCMODE) == O_WRONLY;
	struct file *file;
	int ret;

	if (!rp) {
		rp = kzalloc(sizeof(*rp), GFP_KERNEL);
		if (!rp)
			return -ENOMEM;
		ret = xa_err(xa_store(&r->tree->pipes, ino, rp, GFP_KERNEL));
		if (ret) {
			kfree(rp);
			return ret;
		}
		ret = cr_read_pipe(r, rp, false);
		if (ret)
			return ret;
	} else if (rp->used[end]) {
		return cr_bad(r, "pipe %llu has two files for one end", ino);
	}
	rp->used[end] = true;
	file = rp->end[end];
	if (!file)
		return 0;
	/* As fcntl(F_SETFL) sets it: pipes have no ->check_flags. */
	if (flags & O_NONBLOCK) {
		spin_lock(&file->f_lock);
		file->f_flags |= O_NONBLOCK;
		spin_unlock(&file->f_lock);
	}
	rf->file = get_file(file);
	return 0;
}

/*
 * A descriptor's file of the memfd restart made, @memfd: a file of its
 * own, with its own flags and position, as an open of /proc/PID/fd/N
 * would give. The object is the restart's: its open is not checked
 * against the mode the image gave it.
 */
static struct file *cr_open_memfd(struct cr_rst *r,
				  const struct cr_hdr_file *hf,
				  struct file *memfd)
{
	struct file *file;

	file = dentry_open(&memfd->f_path, hf->flags | O_LARGEFILE,
			   current_cred());
	if (IS_ERR(file)) {
		cr_log(r->ctx, "cannot open memfd file %u: error %ld", hf->id,
		       PTR_ERR(file));
		return file;
	}
	return cr_seek(r, file, hf->pos, "a memfd");
}

/* Clear O_NONBLOCK of @file, as fcntl(F_SETFL) would: pipes have no ->check_flags. */
static void cr_clear_nonblock(struct file *file)
{
	spin_lock(&file->f_lock);
	file->f_flags &= ~O_NONBLOCK;
	spin_unlock(&file->f_lock);
}

/*
 * A file of a FIFO inside the tree, reopened at @name, which must be the
 * FIFO checkpointed (@dev, @ino: ESTALE otherwise). Its first file opens
 * the FIFO for reading and writing too, without blocking, and keeps that
 * file until the tree is built, so that no open blocks and the data the
 * %CR_HDR_PIPE record after it brings has somewhere to go; each file is
 * then opened with its own flags, with open(2)'s checks.
 */
static int cr_fifo_end(struct cr_rst *r, struct cr_rfile *rf,
		       const char *name, u64 dev, u64 ino, u32 flags)
{
	struct cr_rpipe *rp = xa_load(&r->tree->fifos, ino);
	struct file *opath = NULL, *file;
	struct inode *inode;
	bool first = !rp;
	int ret;

	if (first) {
		rp = kzalloc(sizeof(*rp), GFP_KERNEL);
		if (!rp)
			return -ENOMEM;
		ret = xa_err(xa_store(&r->tree->fifos, ino, rp, GFP_KERNEL));
		if (ret) {
			kfree(rp);
			return ret;
		}
	}
	if (!r->err) {
		opath = filp_open(name, O_PATH | O_NOFOLLOW, 0);
		if (IS_ERR(opath)) {
			cr_log(r->ctx, "cannot open %s: error %ld", name,
			       PTR_ERR(opath));
			r->err = PTR_ERR(opath);
			opath = NULL;
		}
	}
	if (opath) {
		inode = file_inode(opath);
		if (!S_ISFIFO(inode->i_mode) || inode->i_ino != ino ||
		    new_encode_dev(inode->i_sb->s_dev) != dev) {
			cr_log(r->ctx, "%s is not the FIFO checkpointed", name);
			r->err = -ESTALE;
		}
	}
	if (opath && !r->err && first) {
		file = file_open_root(&opath->f_path, "", O_RDWR | O_NONBLOCK, 0);
		if (IS_ERR(file)) {
			cr_log(r->ctx, "cannot open %s: error %ld", name,
			       PTR_ERR(file));
			r->err = PTR_ERR(file);
		} else {
			rp->end[0] = file;
		}
	}
	if (opath && !r->err) {
		file = file_open_root(&opath->f_path, "",
				      (flags & O_ACCMODE) | O_NONBLOCK, 0);
		if (IS_ERR(file)) {
			cr_log(r->ctx, "cannot open %s: error %ld", name,
			       PTR_ERR(file));
			r->err = PTR_ERR(file);
		} else {
			if (!(flags & O_NONBLOCK))
				cr_clear_nonblock(file);
			rf->file = file;
		}
	}
	if (opath)
		fput(opath);
	return first ? cr_read_pipe(r, rp, true) : 0;
}

/* The file record whose header was read: checked, and opened. */
static int cr_read_file(struct cr_rst *r)
{
	const struct cr_rshmem *obj = NULL;
	struct cr_tree *tree = r->tree;
	struct cr_rfile *rf;
	struct cr_hdr_file *hf;
	const char *name;
	struct file *file = NULL;

	hf = cr_read_body(r, CR_HDR_FILE, sizeof(*hf) + CR_HDR_ALIGN,
			  sizeof(*hf) + PATH_MAX + CR_HDR_ALIGN);
	if (IS_ERR(hf))
		return PTR_ERR(hf);
	name = (const char *)(hf + 1);
	if (hf->id != tree->nr_files + 1)
		return cr_bad(r, "file %u where %u belongs", hf->id,
			      tree->nr_files + 1);
	if (hf->flags & ~CR_FILE_O_FLAGS)
		return cr_bad(r, "file %u: open flags %#x not allowed", hf->id,
			      hf->flags & ~CR_FILE_O_FLAGS);
	if ((hf->kind != CR_FILE_MEMFD && hf->object) ||
	    hf->pos > MAX_LFS_FILESIZE)
		return cr_bad(r, "file %u: bad position or object", hf->id);
	if (!hf->path_len || hf->path_len > PATH_MAX ||
	    sizeof(*hf) + hf->path_len > hf->h.len ||
	    strnlen(name, hf->path_len) != hf->path_len - 1)
		return cr_bad(r, "file %u: bad path", hf->id);
	switch (hf->kind) {
	case CR_FILE_REG:
	case CR_FILE_DIR:
		if (name[0] != '/' ||
		    !(hf->kind == CR_FILE_REG ? S_ISREG(hf->mode) :
						S_ISDIR(hf->mode)))
			return cr_bad(r, "file %u: not what its kind says", hf->id);
		break;
	case CR_FILE_CHR:
		if (name[0] != '/' || !S_ISCHR(hf->mode) ||
		    !cr_chr_allowed(new_decode_dev(hf->rdev)))
			return cr_bad(r, "file %u: not a device restart may open",
				      hf->id);
		break;
	case CR_FILE_FIFO:
		if (name[0] != '/' || !S_ISFIFO(hf->mode) ||
		    hf->flags & ~(O_ACCMODE | O_NONBLOCK | O_LARGEFILE) ||
		    (hf->flags & O_ACCMODE) == O_ACCMODE)
			return cr_bad(r, "file %u: not a FIFO restart can open",
				      hf->id);
		break;
	case CR_FILE_PIPE:
		if (!S_ISFIFO(hf->mode) ||
		    hf->flags & ~(O_ACCMODE | O_NONBLOCK) ||
		    (hf->flags & O_ACCMODE) > O_WRONLY)
			return cr_bad(r, "file %u: not a pipe end restart can make",
				      hf->id);
		break;
	case CR_FILE_MEMFD:
		if (!S_ISREG(hf->mode) || hf->flags & ~CR_MEMFD_O_FLAGS ||
		    (hf->flags & O_ACCMODE) == O_ACCMODE)
			return cr_bad(r, "file %u: not a memfd restart can open",
				      hf->id);
		obj = cr_shmem_get(r, hf->object, CR_SHMEM_MEMFD);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
		break;
	case CR_FILE_SOCKET:
		if (!S_ISSOCK(hf->mode))
			return cr_bad(r, "file %u: not a socket", hf->id);
		break;
	case CR_FILE_EVENTFD:
	case CR_FILE_EPOLL:
		break;
	case CR_FILE_EXTERNAL:
		break;
	default:
		return cr_bad(r, "file %u: unknown kind %u", hf->id, hf->kind);
	}
	if (tree->nr_files == CR_MAX_FILES)
		return cr_bad(r, "more than %lu files", CR_MAX_FILES);

	if (tree->nr_files == tree->max_files) {
		unsigned int max = max(16U, 2 * tree->max_files);
		struct cr_rfile *a;

		a = kvrealloc(tree->files, max * sizeof(*a), GFP_KERNEL);
		if (!a)
			return -ENOMEM;
		tree->files = a;
		tree->max_files = max;
	}
	rf = &tree->files[tree->nr_files];
	memset(rf, 0, sizeof(*rf));
	rf->kind = hf->kind;
	rf->what = kstrdup(name, GFP_KERNEL);
	if (!rf->what)
		return -ENOMEM;
	tree->nr_files++;
	if (hf->kind == CR_FILE_PIPE)
		return cr_pipe_end(r, rf, hf->ino, hf->flags);
	if (hf->kind == CR_FILE_FIFO)
		return cr_fifo_end(r, rf, rf->what, hf->dev, hf->ino, hf->flags);
	if (hf->kind == CR_FILE_SOCKET)
		return cr_read_socket(r, rf, hf->flags);
	if (hf->kind == CR_FILE_EVENTFD || hf->kind == CR_FILE_EPOLL)
		return cr_read_anon(r, rf, hf->kind, hf->flags);
	if (hf->kind == CR_FILE_MEMFD && !r->err) {
		file = cr_open_memfd(r, hf, obj->file);
		if (IS_ERR(file)) {
			r->err = PTR_ERR(file);
			file = NULL;
		}
	} else if (hf->kind != CR_FILE_EXTERNAL && !r->err) {
		file = cr_reopen(r, hf, name);
		if (IS_ERR(file)) {
			r->err = PTR_ERR(file);
			file = NULL;
		}
	}
	rf->file = file;
	return 0;
}

/*
 * The caller's substitute for descriptor @rfd of process @tgid, which
 * has external file @rf, if the caller gave one (tid 0 names the root).
 * The first substitute given for any descriptor of a file is also the
 * file's: its descriptors without one of their own get that.
 */
static void cr_inherit(struct cr_rst *r, struct cr_rfile *rf,
		       struct cr_rfd *rfd, pid_t tgid)
{
	struct cr_ctx *ctx = r->ctx;
	unsigned int i;

	if (!rf->fd_tid) {
		rf->fd_tid = tgid;
		rf->fd = rfd->fd;
	}
	for (i = 0; i < ctx->nr_inherit; i++) {
		pid_t tid = ctx->inherit[i].tid ?: r->tree->tasks[0].rec.tgid;

		if (tid == tgid && ctx->inherit[i].fd == rfd->fd)
			break;
	}
	if (i == ctx->nr_inherit)
		return;
	rfd->file = get_file(ctx->inherit_files[i]);
	if (!rf->file)
		rf->file = get_file(ctx->inherit_files[i]);
}

/**
 * cr_read_files() - read a process's descriptor table
 * @r: restart state
 * @rp: the process
 * @tgid: its pid in the image
 * @id: the id the table must have
 *
 * Each file is opened as its record is read (cr_reopen()); an external
 * one takes the caller's substitute.
 *
 * Return: 0 (a file that cannot be opened is @r->err, logged), -EINVAL
 * (logged) for a malformed record, -EMFILE (logged) for descriptors
 * beyond the caller's RLIMIT_NOFILE, -ENOMEM, or the errors of
 * cr_read_rec().
 */
int cr_read_files(struct cr_rst *r, struct cr_rproc *rp, pid_t tgid, u32 id)
{
	struct cr_tree *tree = r->tree;
	struct cr_hdr_files ht;
	struct cr_hdr_fd *hd;
	unsigned int i;
	int ret, last = -1;

	ret = cr_read_struct(r, CR_HDR_FILES, &ht, sizeof(ht));
	if (ret)
		return ret;
	if (ht.h.len != sizeof(ht))
		return cr_bad(r, "record type %u has a bad length %u",
			      CR_HDR_FILES, ht.h.len);
	if (ht.id != id)
		return cr_bad(r, "descriptor table %u where %u belongs", ht.id,
			      id);
	if (ht.nr_fds > READ_ONCE(sysctl_nr_open))
		return cr_bad(r, "a table of %u descriptors", ht.nr_fds);
	/* As dup2(2) will install them: below the caller's limit. */
	if (ht.nr_fds > rlimit(RLIMIT_NOFILE))
		return cr_refuse(r, -EMFILE,
				 "%u descriptors, more than the caller's RLIMIT_NOFILE %lu",
				 ht.nr_fds, rlimit(RLIMIT_NOFILE));
	rp->fds = kvcalloc(ht.nr_fds, sizeof(*rp->fds), GFP_KERNEL);
	if (ht.nr_fds && !rp->fds)
		return -ENOMEM;

	for (i = 0; i < ht.nr_fds; i++) {
		bool new = false;

		ret = cr_read_hdr(r);
		/* A memfd's object comes right before its file. */
		if (!ret && r->hdr.type == CR_HDR_SHMEM) {
			ret = cr_read_shmem(r);
			if (!ret)
				ret = cr_read_hdr(r);
			if (!ret && r->hdr.type != CR_HDR_FILE)
				ret = cr_bad(r, "a shared memory object no file opens next");
		}
		if (!ret && r->hdr.type == CR_HDR_FILE) {
			new = true;
			ret = cr_read_file(r);
			if (!ret)
				ret = cr_read_hdr(r);
		}
		if (ret)
			return ret;
		hd = cr_read_body(r, CR_HDR_FD, sizeof(*hd), sizeof(*hd));
		if (IS_ERR(hd))
			return PTR_ERR(hd);
		if (hd->fd <= last || hd->fd >= READ_ONCE(sysctl_nr_open))
			return cr_bad(r, "descriptor %d after %d", hd->fd, last);
		if (hd->flags & ~CR_FD_FLAGS || hd->pad)
			return cr_bad(r, "descriptor %d: bad flags", hd->fd);
		if (!hd->file || hd->file > tree->nr_files)
			return cr_bad(r, "descriptor %d: file %u where %u are known",
				      hd->fd, hd->file, tree->nr_files);
		/* A file is recorded right before its first descriptor. */
		if (new && hd->file != tree->nr_files)
			return cr_bad(r, "descriptor %d: not of the file before it",
				      hd->fd);
		if (hd->fd >= rlimit(RLIMIT_NOFILE))
			return cr_refuse(r, -EMFILE,
					 "descriptor %d is beyond the caller's RLIMIT_NOFILE %lu",
					 hd->fd, rlimit(RLIMIT_NOFILE));
		last = hd->fd;
		rp->fds[i].fd = hd->fd;
		rp->fds[i].flags = hd->flags;
		rp->fds[i].file_id = hd->file;
		rp->nr_fds = i + 1;
		if (tree->files[hd->file - 1].kind == CR_FILE_EXTERNAL)
			cr_inherit(r, &tree->files[hd->file - 1], &rp->fds[i],
				   tgid);
	}
	return cr_check_epoll_items(r, rp);
}

/**
 * cr_check_inherit() - check the caller's substitutes for external files
 * @r: restart state, with the whole tree read
 *
 * Substitutes given for descriptors that are not external are not used:
 * a restarter may offer its standard descriptors to any image. A
 * descriptor with no substitute of its own takes its file's.
 *
 * Return: 0, or -EBADF (logged) for an external file without a
 * substitute.
 */
int cr_check_inherit(struct cr_rst *r)
{
	struct cr_tree *tree = r->tree;
	unsigned int i;

	for (i = 0; i < tree->nr_files; i++) {
		struct cr_rfile *rf = &tree->files[i];

		if (rf->kind == CR_FILE_EXTERNAL && !rf->file)
			return cr_refuse(r, -EBADF,
					 "external file %s (fd %d of process %d) has no substitute: give one, as restart --inherit %d:%d=FD does",
					 rf->what, rf->fd, rf->fd_tid, rf->fd_tid,
					 rf->fd);
	}
	return 0;
}

/**
 * cr_install_files() - give the current task a process's descriptors
 * @tree: the tree
 * @rp: the process
 *
 * The current task's table is its own (a created task's copy, or the
 * caller's new one): it is emptied and filled with the image's
 * descriptors, as dup2(2) would, under the caller's RLIMIT_NOFILE.
 *
 * Return: 0, -EBADF for a descriptor beyond that limit, -EMFILE, or
 * -ENOMEM.
 */
int cr_install_files(struct cr_tree *tree, struct cr_rproc *rp)
{
	unsigned int i;
	int ret;

	ret = __close_range(0, ~0U, 0);
	for (i = 0; !ret && i < rp->nr_fds; i++) {
		const struct cr_rfd *fd = &rp->fds[i];

		ret = replace_fd(fd->fd,
				 fd->file ?: tree->files[fd->file_id - 1].file,
				 fd->flags & CR_FD_CLOEXEC ? O_CLOEXEC : 0);
	}
	return ret ?: cr_add_epoll_items(tree, rp);
}

/**
 * cr_enter_files() - switch the caller to the root's new descriptor table
 * @r: restart state, past the checksum
 *
 * Before the root's threads are created, so that they share it. The
 * caller's own table is kept aside, untouched, for cr_leave_files().
 *
 * Return: 0 or the errors of cr_install_files() (logged).
 */
int cr_enter_files(struct cr_rst *r)
{
	struct files_struct *files;
	int ret;

	files = dup_fd(current->files, NULL);
	if (IS_ERR(files))
		return PTR_ERR(files);
	task_lock(current);
	r->old_files = current->files;
	current->files = files;
	task_unlock(current);
	ret = cr_install_files(r->tree, &r->tree->procs[0]);
	if (ret) {
		cr_log(r->ctx, "cannot install the root's descriptors: error %d",
		       ret);
		cr_leave_files(r, false);
	}
	return ret;
}

/**
 * cr_leave_files() - end what cr_enter_files() began
 * @r: restart state
 * @commit: keep the new table (the restart committed), else put the
 *	caller's own back
 */
void cr_leave_files(struct cr_rst *r, bool commit)
{
	struct files_struct *drop = r->old_files;

	if (!drop)
		return;
	if (!commit) {
		task_lock(current);
		drop = current->files;
		current->files = r->old_files;
		task_unlock(current);
	}
	r->old_files = NULL;
	put_files_struct(drop);
}

/**
 * cr_restore_fs() - set the current task's root and working directory
 * @rp: the process, whose directories were looked up and checked
 */
void cr_restore_fs(struct cr_rproc *rp)
{
	set_fs_root(current->fs, &rp->root);
	set_fs_pwd(current->fs, &rp->pwd);
}

/**
 * cr_free_files() - drop the files of a restart's tree
 * @tree: the tree
 */
void cr_free_files(struct cr_tree *tree)
{
	struct cr_rpipe *pipe;
	unsigned long idx;
	unsigned int i, j;

	for (i = 0; i < tree->nr_files; i++) {
		if (tree->files[i].file)
			fput(tree->files[i].file);
		kfree(tree->files[i].what);
		kvfree(tree->files[i].items);
	}
	kvfree(tree->files);
	xa_for_each(&tree->pipes, idx, pipe) {
		if (pipe->end[0])
			fput(pipe->end[0]);
		if (pipe->end[1])
			fput(pipe->end[1]);
		kfree(pipe);
	}
	xa_destroy(&tree->pipes);
	xa_for_each(&tree->fifos, idx, pipe) {
		if (pipe->end[0])
			fput(pipe->end[0]);
		kfree(pipe);
	}
	xa_destroy(&tree->fifos);
	for (i = 0; i < tree->nr_procs; i++) {
		struct cr_rproc *rp = &tree->procs[i];

		for (j = 0; j < rp->nr_fds; j++)
			if (rp->fds[j].file)
				fput(rp->fds[j].file);
		kvfree(tree->procs[i].fds);
		path_put(&tree->procs[i].root);
		path_put(&tree->procs[i].pwd);
	}
}

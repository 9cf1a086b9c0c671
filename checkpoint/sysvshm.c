// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: SysV shared memory segments.
 *
 * A segment the tree has attached (shmat(2)) is a shared memory object
 * of shmem.c of kind %CR_SHMEM_SYSV: its %CR_HDR_SHMEM record gives its
 * size, permission bits and pages, and a %CR_HDR_SYSVSHM record right
 * after it gives what only a segment has: its id and key, its owner and
 * creator, and whether it was removed (IPC_RMID, destroyed on its last
 * detach) or locked (SHM_LOCK). Each attachment is a %CR_VMA_SHMEM VMA
 * that refers to the object, in whichever process of the tree it is.
 *
 * Restart makes each segment again in the caller's IPC namespace, as
 * shmget(2) with IPC_CREAT | IPC_EXCL would, with its limits and the
 * LSM's say, and with the id it had (ipc/shm.c's shm_restore_segment()),
 * so that the ids the tree holds in its memory are right: an id or key
 * taken there refuses the restart with -EEXIST. A container's image is
 * restarted in an IPC namespace of its own, which nothing else can have
 * taken ids of. The owners come back as IPC_SET would give them; the
 * creator's ids, which no system call sets, only when they are the
 * caller's or the caller has CAP_SYS_ADMIN over the namespace. What
 * shmctl(IPC_STAT) shows of the segment's history (times, the pids of
 * its creator and last user, the attach count) is the restart's: the
 * attach count is made by the attachments, as shmat(2) makes it. Each
 * attachment is mapped through shmat(2)'s checks of the caller's access
 * and do_mmap()'s (mm.c). A segment removed at checkpoint is removed
 * again once every attachment of the tree is made, so that it lives as
 * long as they do; on any failure, restart removes what it made.
 *
 * A tree whose IPC namespace is not the checkpointer's owns that
 * namespace, as a container does: all of its SysV objects are the
 * tree's state. Checkpoint refuses such a tree when that namespace
 * holds a segment no task of the tree has attached, a semaphore set, a
 * message queue or a POSIX message queue: none of those is saved yet,
 * and an image must not drop them silently. A tree in the
 * checkpointer's namespace shares that namespace with others: only the
 * segments it has attached are its.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ipc.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/sched/task.h>
#include <linux/shm.h>
#include <linux/shmem_fs.h>
#include <linux/user_namespace.h>
#include <uapi/linux/shm.h>

#include "internal.h"

/**
 * cr_file_is_sysvshm() - whether a file is an attachment of a segment
 * @file: a VMA's file
 *
 * Return: true for the file of a SysV segment's attachment; segments of
 * huge pages are hugetlb memory, not this.
 */
bool cr_file_is_sysvshm(struct file *file)
{
	return is_file_shm(file);
}

/* The IPC namespace of the tree's root, referenced, or NULL. */
static struct ipc_namespace *cr_tree_ipc_ns(struct cr_ctx *ctx)
{
	struct ipc_namespace *ns = NULL;

	task_lock(ctx->task);
	if (ctx->task->nsproxy)
		ns = get_ipc_ns(ctx->task->nsproxy->ipc_ns);
	task_unlock(ctx->task);
	return ns;
}

/**
 * cr_write_sysvshm() - write the records of a segment met first
 * @ctx: checkpoint context
 * @file: an attachment of the segment
 * @id: the object id it gets
 *
 * Writes its %CR_HDR_SHMEM record and its %CR_HDR_SYSVSHM record; its
 * pages, which follow, are the shmem file's (the attachment's inode).
 *
 * Return: 0, or a negative errno (logged): -EOPNOTSUPP for a segment of
 * another IPC namespace than the tree's or one that is gone, -EOVERFLOW
 * for owners the checkpointer's user namespace cannot name.
 */
int cr_write_sysvshm(struct cr_ctx *ctx, struct file *file, u32 id)
{
	struct user_namespace *userns = current_user_ns();
	struct shm_segment_state st;
	struct cr_hdr_sysvshm *hv;
	struct cr_hdr_shmem *hs;
	struct ipc_namespace *ns;
	u32 uid, gid, cuid, cgid;
	int ret;

	ns = shm_get_segment_state(file, &st);
	if (IS_ERR(ns)) {
		cr_log(ctx, "a SysV segment the tree has attached was destroyed, or its id reused");
		return -EOPNOTSUPP;
	}
	if (!ctx->ipc_ns) {
		ctx->ipc_ns = cr_tree_ipc_ns(ctx);
		if (!ctx->ipc_ns)
			return -ESRCH;
	}
	if (ns != ctx->ipc_ns) {
		cr_log(ctx, "SysV segment %d is not of the tree's IPC namespace",
		       st.id);
		return -EOPNOTSUPP;
	}
	uid = from_kuid(userns, st.uid);
	gid = from_kgid(userns, st.gid);
	cuid = from_kuid(userns, st.cuid);
	cgid = from_kgid(userns, st.cgid);
	if (uid == (u32)-1 || gid == (u32)-1 || cuid == (u32)-1 ||
	    cgid == (u32)-1) {
		cr_log(ctx,
		       "SysV segment %d: an owner the checkpointer's user namespace cannot name",
		       st.id);
		return -EOVERFLOW;
	}

	hs = cr_hbuf_get(ctx, CR_HDR_SHMEM, sizeof(*hs));
	hs->id = id;
	hs->kind = CR_SHMEM_SYSV;
	hs->size = st.size;
	hs->mode = st.mode;
	if (SHMEM_I(file_inode(file))->flags & VM_NORESERVE)
		hs->flags = CR_SHMEM_NORESERVE;
	ret = cr_hbuf_put(ctx, hs->h.len);
	if (ret)
		return ret;

	hv = cr_hbuf_get(ctx, CR_HDR_SYSVSHM, sizeof(*hv));
	hv->shmid = st.id;
	hv->key = st.key;
	hv->uid = uid;
	hv->gid = gid;
	hv->cuid = cuid;
	hv->cgid = cgid;
	if (st.removed)
		hv->flags |= CR_SYSVSHM_REMOVED;
	if (st.locked)
		hv->flags |= CR_SYSVSHM_LOCKED;
	ret = cr_hbuf_put(ctx, hv->h.len);
	if (!ret)
		ctx->nr_sysvshm++;
	return ret;
}

/**
 * cr_check_ipc_ns() - refuse a tree whose IPC namespace it would drop
 * @ctx: checkpoint context, with every address space written
 *
 * A tree in an IPC namespace other than the checkpointer's owns it: its
 * segments must all be attached by the tree, which saved them, and it
 * must hold no semaphores and no message queues, SysV or POSIX.
 *
 * Return: 0, or -EOPNOTSUPP (logged).
 */
int cr_check_ipc_ns(struct cr_ctx *ctx)
{
	struct ipc_namespace *ns = ctx->ipc_ns;
	int segs, sems, msgs;
	unsigned int mqs;
	int ret = 0;

	if (!ns)
		ns = cr_tree_ipc_ns(ctx);
	if (!ns)
		return -ESRCH;
	if (ns == current->nsproxy->ipc_ns)
		goto out;

	ipc_ns_nr_objects(ns, &segs, &sems, &msgs);
	/* Read without mq_lock: the count of a frozen tree's namespace. */
	mqs = READ_ONCE(ns->mq_queues_count);

	if (segs != ctx->nr_sysvshm) {
		cr_log(ctx,
		       "the tree's IPC namespace has %d SysV segments, of which the tree attaches %u: segments attached by none of its tasks are not supported",
		       segs, ctx->nr_sysvshm);
		ret = -EOPNOTSUPP;
	} else if (sems || msgs || mqs) {
		cr_log(ctx,
		       "the tree's IPC namespace has %d semaphore sets, %d message queues and %u POSIX message queues: none is supported",
		       sems, msgs, mqs);
		ret = -EOPNOTSUPP;
	}
out:
	if (ns != ctx->ipc_ns)
		put_ipc_ns(ns);
	return ret;
}

/* Restart */

/* The checks of a %CR_HDR_SYSVSHM record that need nothing but itself. */
static int cr_check_sysvshm(struct cr_rst *r, const struct cr_hdr_shmem *hs,
			    const struct cr_hdr_sysvshm *hv)
{
	if (hv->shmid < 0)
		return cr_bad(r, "SysV segment object %u: id %d", hs->id,
			      hv->shmid);
	if (hv->flags & ~CR_SYSVSHM_FLAGS || hv->pad)
		return cr_bad(r, "SysV segment %d: flags %#x not allowed",
			      hv->shmid, hv->flags);
	/* A removed segment's key is IPC_PRIVATE: no one may find it. */
	if (hv->flags & CR_SYSVSHM_REMOVED && hv->key != IPC_PRIVATE)
		return cr_bad(r, "SysV segment %d: removed, but with key %#x",
			      hv->shmid, hv->key);
	if (hv->uid == (u32)-1 || hv->gid == (u32)-1 ||
	    hv->cuid == (u32)-1 || hv->cgid == (u32)-1)
		return cr_bad(r, "SysV segment %d: an owner id of -1",
			      hv->shmid);
	return 0;
}

/*
 * The segment's state in the caller's terms: its owners mapped into the
 * caller's user namespace, the creator's only when the caller may give
 * them (see the comment at the top).
 */
static int cr_sysvshm_state(struct cr_rst *r, const struct cr_hdr_shmem *hs,
			    const struct cr_hdr_sysvshm *hv,
			    struct shm_segment_state *st)
{
	struct user_namespace *userns = current_user_ns();
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;

	st->id = hv->shmid;
	st->key = hv->key;
	st->mode = hs->mode;
	st->size = hs->size;
	st->locked = hv->flags & CR_SYSVSHM_LOCKED;
	st->uid = make_kuid(userns, hv->uid);
	st->gid = make_kgid(userns, hv->gid);
	st->cuid = make_kuid(userns, hv->cuid);
	st->cgid = make_kgid(userns, hv->cgid);
	if (!uid_valid(st->uid) || !gid_valid(st->gid) ||
	    !uid_valid(st->cuid) || !gid_valid(st->cgid)) {
		cr_log(r->ctx,
		       "SysV segment %d: its owners are not mapped in the caller's user namespace",
		       hv->shmid);
		return -EPERM;
	}
	if ((!uid_eq(st->cuid, current_euid()) ||
	     !gid_eq(st->cgid, current_egid())) &&
	    !ns_capable(ns->user_ns, CAP_SYS_ADMIN)) {
		cr_log(r->ctx,
		       "SysV segment %d: created by %u:%u, which the caller may not make it",
		       hv->shmid, hv->cuid, hv->cgid);
		return -EPERM;
	}
	return 0;
}

/**
 * cr_read_sysvshm() - read a segment's record and make it again
 * @r: restart state; the segment's %CR_HDR_SHMEM record was read and
 *	checked, and @obj is its object
 * @hs: that record
 * @obj: set to the segment: its file (NULL when it could not be made,
 *	which is @r->err, logged), id and flags
 *
 * Return: 0, -EINVAL (logged) for a malformed record, or the errors of
 * reading.
 */
int cr_read_sysvshm(struct cr_rst *r, const struct cr_hdr_shmem *hs,
		    struct cr_rshmem *obj)
{
	struct shm_segment_state st = {};
	struct cr_hdr_sysvshm *hv;
	struct file *file;
	int ret;

	hv = cr_read_rec(r, CR_HDR_SYSVSHM, sizeof(*hv), sizeof(*hv));
	if (IS_ERR(hv))
		return PTR_ERR(hv);
	ret = cr_check_sysvshm(r, hs, hv);
	if (ret)
		return ret;
	obj->sysv_id = hv->shmid;
	obj->sysv_removed = hv->flags & CR_SYSVSHM_REMOVED;
	if (r->err)
		return 0;

	ret = cr_sysvshm_state(r, hs, hv, &st);
	if (ret) {
		r->err = ret;
		return 0;
	}
	file = shm_restore_segment(&st, hs->flags & CR_SHMEM_NORESERVE ?
					SHM_NORESERVE : 0);
	if (IS_ERR(file)) {
		cr_log(r->ctx, "cannot make SysV segment %d (key %#x, %llu bytes): error %ld%s",
		       st.id, st.key, hs->size, PTR_ERR(file),
		       PTR_ERR(file) == -EEXIST ?
		       ", its id or key is taken: restart in an IPC namespace of its own" :
		       "");
		r->err = PTR_ERR(file);
		return 0;
	}
	obj->file = file;
	return 0;
}

/**
 * cr_sysvshm_attach() - the file of a new attachment of a segment
 * @r: restart state, with the VMA record in @r->vma
 * @obj: the segment
 * @flags: the VMA's flags
 *
 * As shmat(2) attaches it: read-only unless the VMA may be written,
 * with execute access when it is executable, each checked against the
 * segment's permissions.
 *
 * Return: the file, or an ERR_PTR (logged).
 */
struct file *cr_sysvshm_attach(struct cr_rst *r, const struct cr_rshmem *obj,
			       vm_flags_t flags)
{
	int shmflg = 0;
	struct file *file;

	if (!(flags & VM_MAYWRITE))
		shmflg |= SHM_RDONLY;
	if (flags & VM_EXEC)
		shmflg |= SHM_EXEC;
	file = shm_attach_file(obj->sysv_id, obj->file, shmflg);
	if (IS_ERR(file))
		cr_log(r->ctx, "VMA %#llx-%#llx: cannot attach SysV segment %d: error %ld",
		       r->vma.start, r->vma.end, obj->sysv_id, PTR_ERR(file));
	return file;
}

/**
 * cr_finish_sysvshm() - settle the segments a restart made
 * @tree: the restart's tree
 * @failed: whether the restart failed
 *
 * On success, every attachment is made: the segments that were removed
 * at checkpoint are removed again, to live as long as their
 * attachments. On failure, every segment the restart made is removed:
 * the address spaces built hold the attachments, and their end
 * destroys the segments.
 */
void cr_finish_sysvshm(struct cr_tree *tree, bool failed)
{
	struct cr_rshmem *obj;
	unsigned long id;

	xa_for_each(&tree->shmems, id, obj) {
		if (obj->kind != CR_SHMEM_SYSV || !obj->file)
			continue;
		if (failed || obj->sysv_removed)
			shm_remove_segment(obj->sysv_id, obj->file);
	}
}

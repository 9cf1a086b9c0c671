// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: restart(2).
 *
 * Nothing in an image is trusted. Every record is read whole, its type
 * and length bounded before its body is read, and every field checked
 * before it is used: the user address range, page alignment, VMA order,
 * VM flags against an allow-list, page addresses against their VMA, and
 * in the end the CRC-32C of the whole stream. A damaged image gets
 * -EINVAL (or -EBADMSG for a checksum mismatch) and one log line giving
 * the byte offset of the record at fault.
 *
 * The restored address spaces are built in new mms as the image streams
 * in (mm.c, pages.c), while the caller keeps its own. Only once the tail
 * has verified are the other tasks of the tree created (clone.c), and
 * only once they all are does the caller switch to its mm, with
 * exec_mmap() as execve does, and take the root's registers and signal
 * state: until then any failure leaves the caller exactly as it was.
 */
#include <linux/binfmts.h>
#include <linux/bvec.h>
#include <linux/ckpt_lazy.h>
#include <linux/io_uring.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/pid_namespace.h>
#include <linux/rseq.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

static int cr_check_head(struct cr_rst *r, struct cr_hdr_head *head)
{
	struct cr_hdr_head *hh;

	hh = cr_read_rec(r, CR_HDR_HEAD, sizeof(*hh), sizeof(*hh));
	if (IS_ERR(hh))
		return PTR_ERR(hh);
	if (hh->magic != CR_IMAGE_MAGIC)
		return cr_bad(r, "not a checkpoint image (bad magic)");
	if (hh->version != CR_IMAGE_VERSION)
		return cr_bad(r, "image format version %u, this kernel reads only version %u%s",
			      hh->version, CR_IMAGE_VERSION,
			      hh->version < CR_IMAGE_VERSION ?
			      ": checkpoint the task again" : "");
	if (hh->arch != CR_ARCH_X86_64 || hh->page_size != PAGE_SIZE)
		return cr_bad(r, "image of another architecture (%u, %u-byte pages)",
			      hh->arch, hh->page_size);
	if (hh->flags & ~CR_HEAD_FLAGS)
		return cr_bad(r, "unknown image flags %#x", hh->flags);
	if (!memchr(hh->release, '\0', sizeof(hh->release)))
		return cr_bad(r, "kernel release is not terminated");
	*head = *hh;
	return 0;
}

static int cr_check_tail(struct cr_rst *r)
{
	struct cr_hdr_tail t = { .h = r->hdr };
	u32 crc;
	int ret;

	if (r->hdr.type != CR_HDR_TAIL)
		return cr_bad(r, "record type %u where the tail belongs",
			      r->hdr.type);
	if (r->hdr.len != sizeof(t))
		return cr_bad(r, "bad tail length %u", r->hdr.len);
	ret = cr_read(r, &t.magic, sizeof(t.magic));
	if (ret)
		return ret;
	crc = ~r->ctx->crc;
	ret = cr_read(r, &t.crc32c, sizeof(t) - offsetof(typeof(t), crc32c));
	if (ret)
		return ret;
	if (t.magic != CR_IMAGE_MAGIC)
		return cr_bad(r, "bad magic in the tail");
	if (t.pad)
		return cr_bad(r, "tail padding is not zero");
	if (t.crc32c != crc) {
		cr_log(r->ctx, "image checksum mismatch: stored %#x, computed %#x",
		       t.crc32c, crc);
		return -EBADMSG;
	}
	return 0;
}

/*
 * Make the caller the root task. Everything that can fail for a reason
 * other than a fatal signal comes before exec_mmap(): the FPU state goes
 * through the regset's checks while the old mm is still in place. After
 * it, nothing allocates or fails: the signal state, name and registers
 * were all checked when read.
 */
static int cr_commit(struct cr_rst *r, long *ax)
{
	struct cr_tree *tree = r->tree;
	struct cr_rtask *rt = &tree->tasks[0];
	struct cr_rproc *rp = &tree->procs[0];
	int ret;

	ret = cr_arch_restore_fpu(r->ctx, rt->cpu);
	if (ret)
		return ret;

	io_uring_task_cancel();
	mmget(rp->mm);
	sched_mm_cid_before_execve(current);
	ret = exec_mmap(rp->mm);
	sched_mm_cid_after_execve(current);
	if (ret) {
		mmput(rp->mm);
		return ret;
	}

	/* exec_update_lock is held for writing since exec_mmap(). */
	lockdep_assert_held_write(&current->signal->exec_update_lock);
	rseq_execve(current);
	cr_restore_blocked(&rt->rec);
	cr_restore_process(tree, rt);
	if (rp->pending)
		cr_queue_pending(rp->pending, rp->signal.nr_pending,
				 CR_SIGPENDING_PROCESS);
	cr_restore_thread(&rt->rec);
	if (rt->pending)
		cr_queue_pending(rt->pending, rt->rec.nr_pending,
				 CR_SIGPENDING_THREAD);
	*ax = cr_arch_restore_regs(rt->cpu);
	up_write(&current->signal->exec_update_lock);
	return 0;
}

/*
 * A lazy restart reads pages long after restart(2) returned, one by one
 * and in any order: from a regular file, where each page's place is
 * known, or a PRAM node, which keeps the pages; not from a pipe or a
 * socket.
 */
static int cr_check_lazy(struct cr_ctx *ctx)
{
	struct file *file = ctx->file;

	if (!S_ISREG(file_inode(file)->i_mode) ||
	    !(file->f_mode & FMODE_LSEEK)) {
		cr_log(ctx,
		       "lazy restart needs an image in a regular file or a PRAM node (not a pipe or a socket)");
		return -EINVAL;
	}
	return 0;
}

/* Only a caller that owns its whole task state can be replaced. */
static int cr_check_caller(struct cr_ctx *ctx)
{
	if (get_nr_threads(current) > 1) {
		cr_log(ctx, "the caller must be single-threaded");
		return -EOPNOTSUPP;
	}
	/* Only the task itself replaces its sighand (exec, unshare). */
	if (refcount_read(&rcu_dereference_protected(current->sighand,
						     true)->count) > 1) {
		cr_log(ctx, "the caller shares its signal handlers");
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * Where the task record just read sits in the tree, checked against the
 * tasks before it: pids unique, a leader first, its threads directly
 * after it with its objects, and every other process after the thread
 * that forked it, with objects of its own.
 */
static int cr_place_task(struct cr_rst *r, unsigned int i, unsigned int *nproc)
{
	struct cr_tree *tree = r->tree;
	struct cr_rtask *rt = &tree->tasks[i];
	const struct cr_hdr_task *ht = &rt->rec;
	bool leader = ht->tid == ht->tgid;
	unsigned int j, id;

	rt->tree = tree;
	for (j = 0; j < i; j++)
		if (tree->tasks[j].rec.tid == ht->tid)
			return cr_bad(r, "task %d appears twice", ht->tid);
	if (!leader) {
		const struct cr_rtask *prev = &tree->tasks[i - 1];

		if (!i || prev->rec.tgid != ht->tgid)
			return cr_bad(r, "thread %d does not follow its process",
				      ht->tid);
		rt->proc = prev->proc;
		rt->creator = tree->procs[rt->proc].leader;
		id = rt->proc + 1;
		if (ht->ptid || ht->mm_id != id || ht->sighand_id != id ||
		    ht->signal_id != id || ht->files_id != id)
			return cr_bad(r, "thread %d does not share its process's objects",
				      ht->tid);
		if (ht->pgid != tree->tasks[rt->creator].rec.pgid ||
		    ht->sid != tree->tasks[rt->creator].rec.sid)
			return cr_bad(r, "thread %d is in another group than its process",
				      ht->tid);
		return 0;
	}

	if (*nproc == tree->nr_procs)
		return cr_bad(r, "more processes than announced");
	rt->proc = (*nproc)++;
	tree->procs[rt->proc].leader = i;
	id = rt->proc + 1;
	if (ht->mm_id != id || ht->sighand_id != id || ht->signal_id != id ||
	    ht->files_id != id)
		return cr_bad(r, "process %d shares objects with another process",
			      ht->tid);
	if (!i)
		return ht->ptid ? cr_bad(r, "the root has a parent in the tree") :
				  0;
	for (j = 0; j < i; j++)
		if (tree->tasks[j].rec.tid == ht->ptid)
			break;
	if (j == i)
		return cr_bad(r, "process %d comes before its parent %d",
			      ht->tid, ht->ptid);
	rt->creator = j;
	return 0;
}

/* The process whose leader has thread id @tid, or NULL. */
static const struct cr_hdr_task *cr_find_leader(struct cr_tree *tree,
						pid_t tid)
{
	unsigned int i;

	for (i = 0; i < tree->nr_procs; i++) {
		const struct cr_hdr_task *ht = &tree->tasks[tree->procs[i].leader].rec;

		if (ht->tid == tid)
			return ht;
	}
	return NULL;
}

/*
 * Sessions and process groups, as setsid(2) and setpgid(2) allow them:
 * a process is in its parent's session or leads its own (and then its
 * own group too); its group is the root's, which is the caller's after
 * restart, or one led by a process of the tree in its session.
 */
static int cr_check_groups(struct cr_rst *r)
{
	struct cr_tree *tree = r->tree;
	const struct cr_hdr_task *root = &tree->tasks[0].rec;
	unsigned int i;

	for (i = 1; i < tree->nr_procs; i++) {
		const struct cr_rtask *rt = &tree->tasks[tree->procs[i].leader];
		const struct cr_hdr_task *ht = &rt->rec;
		const struct cr_hdr_task *parent, *lead;

		parent = &tree->tasks[tree->procs[tree->tasks[rt->creator].proc].leader].rec;
		if (ht->sid == ht->tid ? ht->pgid != ht->tid :
					 ht->sid != parent->sid)
			return cr_bad(r,
				      "process %d: session %d is neither its own nor its parent's",
				      ht->tid, ht->sid);
		if (ht->pgid == root->pgid) {
			if (ht->sid != root->sid)
				return cr_bad(r, "process %d: group %d is in another session",
					      ht->tid, ht->pgid);
			continue;
		}
		lead = cr_find_leader(tree, ht->pgid);
		if (!lead || lead == root || lead->pgid != lead->tid ||
		    lead->sid != ht->sid)
			return cr_bad(r, "process %d: group %d has no leader in its session",
				      ht->tid, ht->pgid);
	}
	return 0;
}

/*
 * The pids the tree needs. A single task keeps the caller's pid, as it
 * always did. A tree gets its recorded pids, so its root must be the
 * caller: a restarter gets that pid with clone3()'s set_tid, or as init
 * of a new pid namespace for the image of a whole namespace.
 */
static int cr_check_pids(struct cr_rst *r, const struct cr_hdr_head *hh)
{
	struct cr_tree *tree = r->tree;
	pid_t root = tree->tasks[0].rec.tid;

	if (tree->nr_tasks == 1)
		return 0;
	if ((hh->flags & CR_HEAD_PIDNS) && root != 1)
		return cr_bad(r, "the image of a pid namespace has root %d",
			      root);
	if (task_pid_vnr(current) != root)
		return cr_refuse(r, -EBUSY,
				 "the caller's pid %d is not the image's root pid %d: restart from a task with that pid (as init of a new pid namespace for a whole namespace)",
				 task_pid_vnr(current), root);
	if (current->nsproxy->pid_ns_for_children != task_active_pid_ns(current))
		return cr_refuse(r, -EINVAL,
				 "the caller's children would be in another pid namespace");
	return 0;
}

/* The records of one task, and of the objects it is the first to use. */
static int cr_read_one(struct cr_rst *r, unsigned int i, unsigned int *nproc)
{
	struct cr_tree *tree = r->tree;
	struct cr_rtask *rt = &tree->tasks[i];
	struct cr_rproc *rp;
	bool leader;
	int ret;

	ret = cr_read_task(r, &rt->rec);
	if (!ret)
		ret = cr_place_task(r, i, nproc);
	if (ret)
		return ret;
	rp = &tree->procs[rt->proc];
	leader = rt->rec.tid == rt->rec.tgid;
	if (leader) {
		rp->sighand = cr_read_sighand(r, rt->proc + 1);
		if (IS_ERR(rp->sighand)) {
			ret = PTR_ERR(rp->sighand);
			rp->sighand = NULL;
			return ret;
		}
		ret = cr_read_signal(r, rt->proc + 1, &rp->signal);
		if (ret)
			return ret;
		if (rp->signal.nr_pending) {
			rp->pending = cr_read_sigpending(r, CR_SIGPENDING_PROCESS,
							 rp->signal.nr_pending);
			if (IS_ERR(rp->pending)) {
				ret = PTR_ERR(rp->pending);
				rp->pending = NULL;
				return ret;
			}
		}
	}
	rt->cpu = cr_arch_read_cpu(r);
	if (IS_ERR(rt->cpu)) {
		ret = PTR_ERR(rt->cpu);
		rt->cpu = NULL;
		return ret;
	}
	if (rt->rec.nr_pending) {
		rt->pending = cr_read_sigpending(r, CR_SIGPENDING_THREAD,
						 rt->rec.nr_pending);
		if (IS_ERR(rt->pending)) {
			ret = PTR_ERR(rt->pending);
			rt->pending = NULL;
			return ret;
		}
	}
	if (!leader)
		return 0;

	ret = cr_read_fs(r, rp);
	if (!ret)
		ret = cr_read_files(r, rp, rt->rec.tgid, rt->proc + 1);
	if (ret)
		return ret;
	r->mmid = rt->proc + 1;
	r->parent_mm = i ? tree->procs[tree->tasks[rt->creator].proc].mm : NULL;
	ret = cr_read_mm(r);
	rp->mm = r->mm;
	rp->vdso = r->vdso;
	r->mm = NULL;
	memset(&r->vdso, 0, sizeof(r->vdso));
	return ret;
}

/* The tree record, and every task of the tree with its objects. */
static int cr_read_tree(struct cr_rst *r)
{
	struct cr_hdr_tree ht;
	struct cr_tree *tree;
	unsigned int i, nproc = 0;
	int ret;

	ret = cr_read_struct(r, CR_HDR_TREE, &ht, sizeof(ht));
	if (ret)
		return ret;
	if (r->hdr.len != sizeof(ht))
		return cr_bad(r, "record type %u has a bad length %u",
			      CR_HDR_TREE, r->hdr.len);
	if (!ht.nr_tasks || ht.nr_tasks > CR_MAX_TASKS || !ht.nr_procs ||
	    ht.nr_procs > ht.nr_tasks)
		return cr_bad(r, "a tree of %u tasks in %u processes",
			      ht.nr_tasks, ht.nr_procs);

	tree = kzalloc(sizeof(*tree), GFP_KERNEL);
	if (!tree)
		return -ENOMEM;
	kref_init(&tree->ref);
	init_waitqueue_head(&tree->wq);
	init_waitqueue_head(&tree->ready);
	xa_init(&tree->pipes);
	xa_init(&tree->fifos);
	xa_init(&tree->shmems);
	xa_init(&tree->socks);
	tree->flags = r->ctx->flags;
	r->tree = tree;
	tree->tasks = kvcalloc(ht.nr_tasks, sizeof(*tree->tasks), GFP_KERNEL);
	tree->procs = kvcalloc(ht.nr_procs, sizeof(*tree->procs), GFP_KERNEL);
	if (!tree->tasks || !tree->procs)
		return -ENOMEM;
	tree->nr_tasks = ht.nr_tasks;
	tree->nr_procs = ht.nr_procs;

	for (i = 0; i < tree->nr_tasks; i++) {
		ret = cr_read_one(r, i, &nproc);
		if (ret)
			return ret;
	}
	if (nproc != tree->nr_procs)
		return cr_bad(r, "%u processes where %u were announced", nproc,
			      tree->nr_procs);
	return cr_check_groups(r);
}

/* Map the vDSO into every mm, while a failure can still be undone. */
static int cr_map_vdsos(struct cr_rst *r)
{
	struct cr_tree *tree = r->tree;
	unsigned int i;
	int ret;

	for (i = 0; i < tree->nr_procs; i++) {
		ret = cr_arch_map_vdso(tree->procs[i].mm, &tree->procs[i].vdso);
		if (ret) {
			cr_log(r->ctx, "cannot map the vDSO: error %d", ret);
			return ret;
		}
	}
	return 0;
}

/* Log why a created task failed: it has no context to log with. */
static void cr_log_tree_err(struct cr_rst *r, int err)
{
	struct cr_tree *tree = r->tree;
	unsigned int i;

	for (i = 1; i < tree->nr_tasks; i++) {
		if (tree->tasks[i].err) {
			cr_log(r->ctx, "cannot create task %d: error %d%s",
			       tree->tasks[i].rec.tid, tree->tasks[i].err,
			       tree->tasks[i].err == -EEXIST ? " (the pid is in use)" :
			       tree->tasks[i].err == -EPERM ?
			       " (set_tid needs CAP_CHECKPOINT_RESTORE over the pid namespace)" :
			       tree->tasks[i].err == -ERESTARTNOINTR ?
			       " (a signal came in)" : "");
			return;
		}
	}
	if (err == -EINTR)
		cr_log(r->ctx, "interrupted while creating the tasks");
}

/* Every address space of the tree, now built: khugepaged may come. */
static void cr_khugepaged_tree(struct cr_tree *tree)
{
	struct mm_struct *mm;
	unsigned int i;

	cr_khugepaged_enter(current->mm);
	for (i = 0; i < tree->nr_tasks; i++) {
		if (!tree->tasks[i].task)
			continue;
		mm = get_task_mm(tree->tasks[i].task);
		if (mm) {
			cr_khugepaged_enter(mm);
			mmput(mm);
		}
	}
}

/* Create the tree and commit the caller, or leave all as it was. */
static int cr_build(struct cr_rst *r, long *ax)
{
	unsigned int i;
	int ret;

	/* No task runs in them yet: from now on, tasks may. */
	for (i = 0; i < r->tree->nr_procs; i++)
		if (r->tree->procs[i].mm)
			ckpt_lazy_publish(r->tree->procs[i].mm);
	ret = cr_map_vdsos(r);
	if (!ret)
		ret = cr_enter_files(r);
	if (ret)
		return ret;
	ret = cr_create_tree(r->tree);
	if (!ret)
		ret = cr_commit(r, ax);
	if (ret) {
		cr_log_tree_err(r, ret);
		cr_abort_tree(r->tree);
		cr_leave_files(r, false);
		return ret;
	}
	cr_leave_files(r, true);
	cr_khugepaged_tree(r->tree);
	cr_go_tree(r->tree);
	return 0;
}

/**
 * cr_restart() - turn the caller into the root task of an image
 * @ctx: a context set up by cr_ctx_init() for restart(2)
 * @ax: where the restored task's ax goes, for restart(2) to return
 *
 * Reads the whole image from the context's file, checking every record
 * and building the restored address spaces as it goes; once the tail's
 * checksum has verified, creates the other tasks of the tree, and once
 * they are all ready, the caller takes the root's address space,
 * registers and signal state, and lets the others go. The caller must be
 * single-threaded and own its signal handlers.
 *
 * Return: 0 when the caller is now the root task, or a negative errno
 * with the caller unchanged and no task created left: -EOPNOTSUPP for a
 * caller or image state that cannot be restored, -EINVAL for a
 * malformed or truncated image, -EBADMSG for a checksum mismatch,
 * -ESTALE for a mapped file that changed, -EACCES or another errno of
 * open(2) or mmap(2) for a file, -EBUSY for a caller that does not have
 * the root's pid, -EEXIST or -EPERM for a pid that cannot be had,
 * -ENOMEM, or the errno of a failed read.
 */
int cr_restart(struct cr_ctx *ctx, long *ax)
{
	struct cr_hdr_head head;
	struct cr_rst *r;
	long ret;

	ret = cr_check_caller(ctx);
	if (!ret)
		ret = cr_pram_store_open(ctx);
	if (!ret && ctx->flags & RESTART_LAZY)
		ret = cr_check_lazy(ctx);
	if (ret)
		return ret;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->ctx = ctx;
	r->base = ctx->file->f_pos;
	ctx->hbuf = kmalloc(CR_HBUF_SIZE, GFP_KERNEL);
	ctx->bvec = kvmalloc_array(CR_PGARR_TOTAL, sizeof(*ctx->bvec),
				   GFP_KERNEL);
	ctx->sums = kvmalloc_array(CR_PGARR_TOTAL, sizeof(*ctx->sums),
				   GFP_KERNEL);
	r->pages = kvmalloc_array(CR_PGARR_TOTAL, sizeof(*r->pages),
				  GFP_KERNEL);
	r->src = kvmalloc_array(CR_PGARR_TOTAL, sizeof(*r->src), GFP_KERNEL);
	r->addrs = kvmalloc_array(CR_PGARR_TOTAL, sizeof(*r->addrs),
				  GFP_KERNEL);
	ctx->addrs = kvmalloc_array(CR_PGARR_TOTAL, sizeof(*ctx->addrs),
				    GFP_KERNEL);
	if (!ctx->hbuf || !ctx->bvec || !ctx->sums || !r->pages || !r->src ||
	    !r->addrs || !ctx->addrs) {
		ret = -ENOMEM;
		goto out;
	}
	ctx->crc = ~0U;

	ret = cr_check_head(r, &head);
	if (!ret)
		ret = cr_read_tree(r);
	if (!ret)
		ret = cr_read_hdr(r);
	if (!ret)
		ret = cr_check_tail(r);
	if (!ret)
		ret = cr_finish_sockets(r);
	if (!ret)
		ret = cr_check_inherit(r);
	if (!ret)
		ret = cr_check_pids(r, &head);
	if (!ret && !r->err)
		cr_finish_sysvshm(r->tree, false);
	if (!ret)
		ret = r->err ?: cr_build(r, ax);
	/*
	 * The restored task runs: its pages come in from the background too
	 * (each other process of the tree starts its own, cr_become_task()).
	 */
	if (!ret && ctx->flags & RESTART_LAZY)
		ckpt_lazy_start(current->mm);
	if (ret && r->tree)
		cr_finish_sysvshm(r->tree, true);
out:
	if (r->mm)
		mmput(r->mm);
	if (r->tree)
		cr_put_tree(r->tree);
	kvfree(r->pages);
	kvfree(r->src);
	kvfree(r->addrs);
	kfree(r);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the tasks restart creates.
 *
 * The caller of restart(2) becomes the root of the tree; every other
 * task is created by the kernel, with kernel_clone() and its set_tid
 * (the clone3() rule: the pid must be free, and the caller needs
 * CAP_CHECKPOINT_RESTORE over the pid namespace). Each task is created
 * by the task that is to be its parent: a process by the thread that
 * forked it, a thread by its process's leader, so that parents, real
 * parents and the parent death signal come out as they were. A created
 * task starts in cr_task_main(), in the kernel, as a user-mode thread
 * does (user_mode_thread()); it prepares itself there, creates the
 * tasks it is the creator of, reports to the caller and waits.
 *
 * Nothing created runs user code until the caller has read the whole
 * image, checked its checksum and committed itself: then it lets every
 * task go (%CR_TREE_GO), and each becomes its task of the image and
 * returns to user space. If anything fails first, the caller tells them
 * to abort (%CR_TREE_ABORT): each reaps the processes it created and
 * exits. They were created with no exit signal, so their parents get
 * no SIGCHLD, and every one is reaped: the caller is left as it was.
 *
 * A created task must never share the caller's address space, even for
 * a moment (that would mark the caller's mm as shared between processes,
 * MMF_MULTIPROCESS, for good): a task of another mm than its creator's
 * is created as vfork() creates a child, and its first act is to switch
 * to its own mm, with exec_mmap() as execve() does, which releases its
 * creator. The threads of a process that switched already simply share
 * its mm (CLONE_VM).
 */
#include <linux/binfmts.h>
#include <linux/ckpt_lazy.h>
#include <linux/wait.h>
#include <uapi/linux/wait.h>
#include <linux/ptrace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/task_work.h>
#include <asm/ptrace.h>

#include "internal.h"

static void cr_free_tree(struct kref *ref)
{
	struct cr_tree *tree = container_of(ref, struct cr_tree, ref);
	unsigned int i;

	cr_free_files(tree);
	cr_free_shmems(tree);
	cr_free_sockets(tree);
	for (i = 0; i < tree->nr_tasks; i++) {
		struct cr_rtask *rt = &tree->tasks[i];

		kfree(rt->cpu);
		kvfree(rt->pending);
		if (rt->task)
			put_task_struct(rt->task);
	}
	for (i = 0; i < tree->nr_procs; i++) {
		struct cr_rproc *rp = &tree->procs[i];

		if (rp->mm)
			mmput(rp->mm);
		kfree(rp->sighand);
		kvfree(rp->pending);
	}
	kvfree(tree->tasks);
	kvfree(tree->procs);
	kfree(tree);
}

/**
 * cr_put_tree() - drop a reference on a restart's tree
 * @tree: the tree
 */
void cr_put_tree(struct cr_tree *tree)
{
	kref_put(&tree->ref, cr_free_tree);
}

/* A created task (or its creator, for a failed creation) reports. */
static void cr_report(struct cr_tree *tree, int err)
{
	bool wake;

	spin_lock(&tree->wq.lock);
	wake = !--tree->unready || (err && !tree->err);
	if (err && !tree->err)
		tree->err = err;
	spin_unlock(&tree->wq.lock);
	if (wake)
		wake_up(&tree->ready);
}

/*
 * Switch the current task, created as a vfork child, to @mm: takes its
 * own reference, as a task sharing an mm holds one, and releases its
 * creator. A process's leader becomes its mm's owner, which
 * mm_init_owner() made the caller that built it.
 */
static int cr_take_mm(struct mm_struct *mm)
{
	int ret;

	mmget(mm);
	sched_mm_cid_before_execve(current);
	ret = exec_mmap(mm);
	sched_mm_cid_after_execve(current);
	if (ret) {
		mmput(mm);
		return ret;
	}
	up_write(&current->signal->exec_update_lock);
#ifdef CONFIG_MEMCG
	if (thread_group_leader(current))
		rcu_assign_pointer(mm->owner, current);
#endif
	return 0;
}

/* Let the stop of a process stopped at checkpoint be pending again. */
static void cr_stop_again(struct cr_tree *tree, const struct cr_rproc *rp)
{
	if ((rp->signal.flags & CR_SIGNAL_STOPPED) &&
	    !(tree->flags & RESTART_RUN))
		do_send_sig_info(SIGSTOP, SEND_SIG_PRIV, current, PIDTYPE_TGID);
}

/**
 * cr_restore_process() - give the current task's process its state
 * @tree: the tree
 * @rt: the process's leader
 *
 * Handlers, limits, umask, root and working directory, and the group stop of a process that was
 * stopped, before any thread of it can run user code. The stop makes a
 * signal pending, which would fail every fork (copy_process()): it
 * comes once the process's threads and children are created. Nothing
 * here fails: the records were checked when read.
 */
void cr_restore_process(struct cr_tree *tree, struct cr_rtask *rt)
{
	struct cr_rproc *rp = &tree->procs[rt->proc];

	cr_restore_sighand(rp->sighand);
	cr_restore_signal(&rp->signal);
	cr_restore_fs(rp);
	if (rt == tree->tasks)
		cr_stop_again(tree, rp);
}

static int cr_task_main(void *arg);

/*
 * Create the task @rt as a child (or a thread) of the current task, with
 * its recorded pid. Reports a failure itself; the task reports once it
 * is ready, and holds a reference on the tree until it is done with it.
 */
static int cr_clone(struct cr_tree *tree, struct cr_rtask *rt)
{
	struct mm_struct *mm = tree->procs[rt->proc].mm;
	pid_t tid = rt->rec.tid;
	struct kernel_clone_args args = {
		.flags = CLONE_VM | CLONE_UNTRACED,
		.fn = cr_task_main,
		.fn_arg = rt,
		.set_tid = &tid,
		.set_tid_size = 1,
	};
	pid_t nr;

	if (rt->rec.tid != rt->rec.tgid)
		args.flags |= CLONE_THREAD | CLONE_SIGHAND | CLONE_FS |
			      CLONE_FILES | CLONE_SYSVSEM;
	if (current->mm != mm)
		args.flags |= CLONE_VFORK;

	kref_get(&tree->ref);
	spin_lock(&tree->wq.lock);
	tree->unready++;
	spin_unlock(&tree->wq.lock);
	nr = kernel_clone(&args);
	if (nr < 0) {
		rt->err = nr;
		cr_report(tree, nr);
		cr_put_tree(tree);
		return nr;
	}
	rt->nr = nr;
	return 0;
}

/*
 * Create, in image order, the tasks the task at index @self creates.
 * Every signal but SIGKILL and SIGSTOP is blocked meanwhile: a pending
 * signal fails a fork (copy_process()), which fork(2) would restart,
 * but restart(2) cannot. The caller restores its mask after.
 */
static int cr_create_children(struct cr_tree *tree, unsigned int self)
{
	unsigned int i;
	sigset_t all;
	int ret;

	sigfillset(&all);
	sigdelsetmask(&all, sigmask(SIGKILL) | sigmask(SIGSTOP));
	set_current_blocked(&all);
	for (i = self + 1; i < tree->nr_tasks; i++) {
		if (tree->tasks[i].creator != self)
			continue;
		/* Another task failed: the rest would only be reaped. */
		if (READ_ONCE(tree->err))
			return 0;
		ret = cr_clone(tree, &tree->tasks[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Reap the processes the task at index @self created, once they exit. */
static void cr_reap_children(struct cr_tree *tree, unsigned int self)
{
	unsigned int i;

	for (i = self + 1; i < tree->nr_tasks; i++) {
		struct cr_rtask *rt = &tree->tasks[i];

		if (rt->creator == self && rt->nr > 0 &&
		    rt->rec.tid == rt->rec.tgid)
			kernel_wait4(rt->nr, NULL, __WALL, NULL);
	}
}

/*
 * Before the go: what a created task can do of its restore while
 * nothing of it is visible and a failure still aborts the restart.
 */
static int cr_prepare_task(struct cr_tree *tree, struct cr_rtask *rt)
{
	struct cr_rproc *rp = &tree->procs[rt->proc];
	bool leader = rt->rec.tid == rt->rec.tgid;
	int ret;

	if (current->mm != rp->mm) {
		ret = cr_take_mm(rp->mm);
		if (ret)
			return ret;
	}
	ret = cr_arch_restore_fpu(NULL, rt->cpu);
	if (ret)
		return ret;
	/* Its own table, before its threads share it and children copy it. */
	if (leader) {
		ret = cr_install_files(tree, rp);
		if (ret)
			return ret;
	}
	if (leader && rt->rec.sid == rt->rec.tid) {
		ret = ksys_setsid();
		if (ret < 0)
			return ret;
	}
	if (leader)
		cr_restore_process(tree, rt);
	return 0;
}

/* The restored task's ax, set on its way out, past ret_from_fork(). */
static void cr_set_ax(struct callback_head *work)
{
	struct cr_rtask *rt = container_of(work, struct cr_rtask, work);

	task_pt_regs(current)->ax = rt->ax;
	cr_put_tree(rt->tree);
}

/*
 * After the go: the rest of the task's state, which cannot fail.
 * ret_from_fork() zeroes ax once this returns,
 * as a new child's fork() returns 0: the task work that puts the
 * restored ax back runs after that, on the way to user space.
 */
static void cr_become_task(struct cr_tree *tree, struct cr_rtask *rt)
{
	struct cr_rproc *rp = &tree->procs[rt->proc];

	if (rt->rec.tid == rt->rec.tgid) {
		if (rp->pending)
			cr_queue_pending(rp->pending, rp->signal.nr_pending,
					 CR_SIGPENDING_PROCESS);
		/* A lazy restart's: the rest of its pages, in the background. */
		ckpt_lazy_start(current->mm);
	}
	cr_restore_thread(&rt->rec);
	if (rt->pending)
		cr_queue_pending(rt->pending, rt->rec.nr_pending,
				 CR_SIGPENDING_THREAD);
	rt->ax = cr_arch_restore_regs(rt->cpu);
	init_task_work(&rt->work, cr_set_ax);
	if (task_work_add(current, &rt->work, TWA_RESUME))
		cr_put_tree(tree);	/* exiting: the ax does not matter */
}

/*
 * Where a task restart creates starts, in the kernel: prepare, create
 * the tasks it creates, report, wait for the go or the abort.
 */
static int cr_task_main(void *arg)
{
	struct cr_rtask *rt = arg;
	struct cr_tree *tree = rt->tree;
	unsigned int self = rt - tree->tasks;
	int ret;

	rt->task = get_task_struct(current);
	ret = cr_prepare_task(tree, rt);
	if (!ret)
		ret = cr_create_children(tree, self);
	/* Before any signal of the image is queued, at the go. */
	cr_restore_blocked(&rt->rec);
	if (!ret && rt->proc && tree->procs[rt->proc].leader == self)
		cr_stop_again(tree, &tree->procs[rt->proc]);
	if (ret)
		rt->err = ret;
	cr_report(tree, ret);

	ret = wait_event_killable(tree->wq,
				  READ_ONCE(tree->state) != CR_TREE_BUILD);
	if (ret || READ_ONCE(tree->state) == CR_TREE_ABORT) {
		cr_reap_children(tree, self);
		cr_put_tree(tree);
		do_exit(0);
	}
	cr_become_task(tree, rt);
	return 0;
}

/*
 * The caller's part of the go: the process groups of the processes it
 * created, as setpgid(2) would set them (the sessions were made by
 * setsid() in their leaders, and the rules checked when the image was
 * read). A process in the root's group joins the caller's, which the
 * root keeps.
 */
static void cr_set_pgrps(struct cr_tree *tree)
{
	const struct cr_hdr_task *root = &tree->tasks[0].rec;
	unsigned int i, j;

	write_lock_irq(&tasklist_lock);
	for (i = 1; i < tree->nr_procs; i++) {
		struct cr_rtask *rt = &tree->tasks[tree->procs[i].leader];
		struct pid *pgrp = task_pgrp(current);

		if (rt->rec.pgid != root->pgid) {
			for (j = 1; j < tree->nr_tasks; j++)
				if (tree->tasks[j].rec.tid == rt->rec.pgid)
					break;
			/* Its leader is in the tree: cr_check_groups(). */
			if (WARN_ON_ONCE(j == tree->nr_tasks))
				continue;
			pgrp = task_pid(tree->tasks[j].task);
		}
		if (task_pgrp(rt->task) != pgrp)
			change_pid(rt->task, PIDTYPE_PGID, pgrp);
	}
	write_unlock_irq(&tasklist_lock);
}

/**
 * cr_create_tree() - create every task of the tree but the caller's
 * @tree: the tree, read and checked to the tail
 *
 * The caller creates its threads and its child processes, each of which
 * creates its own, and waits until every task created is ready or one
 * failed; then sets the process groups. Signals that come in meanwhile
 * stay pending: they do not fail the restart.
 *
 * Return: 0 with every task waiting for the go, or the first failure
 * (-EEXIST for a pid in use, -EPERM without CAP_CHECKPOINT_RESTORE over
 * the pid namespace, -ENOMEM, -EINTR), after which the caller must
 * cr_abort_tree().
 */
int cr_create_tree(struct cr_tree *tree)
{
	sigset_t saved = current->blocked;
	int ret;

	ret = cr_create_children(tree, 0);
	if (wait_event_killable(tree->ready, !READ_ONCE(tree->unready)))
		ret = -EINTR;
	set_current_blocked(&saved);
	/* Under the lock the reports took: what the tasks wrote is seen. */
	spin_lock(&tree->wq.lock);
	if (!ret)
		ret = tree->err;
	spin_unlock(&tree->wq.lock);
	/*
	 * A signal came in during a fork: restarting the syscall would not
	 * do, with the image half read.
	 */
	if (ret == -ERESTARTNOINTR)
		ret = -EINTR;
	if (!ret)
		cr_set_pgrps(tree);
	return ret;
}

/**
 * cr_abort_tree() - undo cr_create_tree()
 * @tree: the tree
 *
 * Tells every created task to exit, reaps the caller's child processes
 * and waits until its threads are gone, so that the caller is left
 * single-threaded and childless as it was. No one wakes the caller when
 * a thread is released (de_thread() has exec's own way), so it polls.
 */
void cr_abort_tree(struct cr_tree *tree)
{
	spin_lock(&tree->wq.lock);
	WRITE_ONCE(tree->state, CR_TREE_ABORT);
	wake_up_all_locked(&tree->wq);
	spin_unlock(&tree->wq.lock);

	cr_reap_children(tree, 0);
	while (get_nr_threads(current) > 1)
		schedule_timeout_uninterruptible(1);
}

/**
 * cr_go_tree() - let every created task become its task of the image
 * @tree: the tree; the caller has committed
 *
 * The processes get their exit signals first, all at once: until now
 * they had none, so that an abort left no signal behind, and a parent
 * that runs first must find its children waitable as wait(2) sees them.
 */
void cr_go_tree(struct cr_tree *tree)
{
	unsigned int i;

	write_lock_irq(&tasklist_lock);
	for (i = 1; i < tree->nr_procs; i++) {
		struct cr_rtask *rt = &tree->tasks[tree->procs[i].leader];

		rt->task->exit_signal = rt->rec.exit_signal;
	}
	write_unlock_irq(&tasklist_lock);

	spin_lock(&tree->wq.lock);
	WRITE_ONCE(tree->state, CR_TREE_GO);
	wake_up_all_locked(&tree->wq);
	spin_unlock(&tree->wq.lock);
}

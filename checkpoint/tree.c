// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the tree of tasks a checkpoint saves.
 *
 * checkpoint(2) saves a process with all its threads, or with
 * %CHECKPOINT_TREE that process and all its descendants. Every task of
 * the tree must hold still while it is saved: each one is stopped (a
 * group stop or a ptrace stop) or frozen by its cgroup, the ways a
 * container manager pauses a container, and its switch count is noted
 * so that the end of the checkpoint can tell that none of them ran.
 *
 * The tasks are listed in the order restart creates them: a process's
 * leader directly followed by its other threads, and every process after
 * the thread that forked it (a breadth-first walk of the children lists,
 * which the kernel keeps per thread).
 */
#include <linux/cgroup.h>
#include <linux/hrtimer.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>

#include "internal.h"

/* Append @leader and its threads; false when the list is full. */
static bool cr_add_process(struct cr_ctx *ctx, struct task_struct *leader)
{
	unsigned int proc = ctx->nr_tasks;
	struct task_struct *t;

	lockdep_assert_held(&tasklist_lock);
	if (ctx->nr_tasks + get_nr_threads(leader) > CR_MAX_TASKS)
		return false;
	ctx->nr_procs++;
	/* The leader first, whatever its place in the thread list. */
	ctx->nr_tasks++;
	for_each_thread(leader, t) {
		struct cr_task *ct;

		ct = &ctx->tasks[t == leader ? proc : ctx->nr_tasks++];
		/* The rest of the entry starts zeroed (cr_collect_tree()). */
		*ct = (struct cr_task){
			.task = get_task_struct(t),
			.proc = proc,
			.id = ctx->nr_procs,
		};
	}
	xa_init(&ctx->tasks[proc].cow);
	return true;
}

/*
 * Link every process but the root's to its parent process, by the
 * parent thread that forked it, which the tree walk put before it.
 */
static void cr_link_parents(struct cr_ctx *ctx)
{
	struct task_struct *parent;
	unsigned int i, j;

	lockdep_assert_held(&tasklist_lock);
	for (i = 1; i < ctx->nr_tasks; i++) {
		if (ctx->tasks[i].proc != i)
			continue;
		parent = rcu_dereference_protected(ctx->tasks[i].task->real_parent,
						   lockdep_is_held(&tasklist_lock));
		for (j = 0; j < i; j++)
			if (ctx->tasks[j].task == parent)
				break;
		if (WARN_ON_ONCE(j == i))
			continue;
		ctx->tasks[i].parent = ctx->tasks[j].proc;
		ctx->tasks[ctx->tasks[j].proc].has_kids = true;
	}
}

/*
 * List the tasks under tasklist_lock, which keeps the children lists
 * and thread lists still while they are walked; the references taken
 * keep the tasks once it is dropped.
 */
static int cr_walk_tree(struct cr_ctx *ctx, struct task_struct *root)
{
	unsigned int i;
	struct task_struct *child;
	int ret = 0;

	read_lock(&tasklist_lock);
	if (!cr_add_process(ctx, root))
		ret = -E2BIG;
	for (i = 0; !ret && i < ctx->nr_tasks &&
	     (ctx->flags & CHECKPOINT_TREE); i++) {
		list_for_each_entry(child, &ctx->tasks[i].task->children,
				    sibling) {
			if (!cr_add_process(ctx, child)) {
				ret = -E2BIG;
				break;
			}
		}
	}
	if (!ret)
		cr_link_parents(ctx);
	read_unlock(&tasklist_lock);
	return ret;
}

/* Is @task (any thread of its process) in the tree? */
static bool cr_in_tree(struct cr_ctx *ctx, struct task_struct *task)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_tasks; i++)
		if (same_thread_group(ctx->tasks[i].task, task))
			return true;
	return false;
}

/*
 * The state in which @task holds still, or 0: stopped, traced, or
 * frozen by the cgroup v2 freezer, which parks a task in an
 * interruptible sleep it leaves only to sleep again while frozen.
 */
static unsigned int cr_still_state(struct task_struct *task)
{
	unsigned int state = READ_ONCE(task->__state);

	if (task_is_stopped_or_traced(task))
		return state & (__TASK_STOPPED | __TASK_TRACED);
	if (cgroup_task_frozen(task))
		return state & TASK_INTERRUPTIBLE;
	return 0;
}

/* Process-wide state this version cannot save. */
static int cr_check_process(struct cr_ctx *ctx, struct task_struct *leader)
{
	struct signal_struct *sig = leader->signal;
	pid_t pid = task_pid_nr_ns(leader, ctx->ns);
	struct sighand_struct *sighand;
	struct task_struct *tracer;
	unsigned long flags;
	bool inside = false;
	int ret = 0;

	if (leader->flags & PF_KTHREAD) {
		cr_log(ctx, "task %d is a kernel thread", pid);
		return -EOPNOTSUPP;
	}
	if (task_active_pid_ns(leader) != ctx->ns) {
		cr_log(ctx, "task %d is in a nested pid namespace", pid);
		return -EOPNOTSUPP;
	}
	if (!ptrace_may_access(leader, PTRACE_MODE_ATTACH_REALCREDS)) {
		cr_log(ctx, "no permission to trace task %d", pid);
		return -EPERM;
	}

	sighand = lock_task_sighand(leader, &flags);
	if (!sighand) {
		cr_log(ctx, "task %d is exiting", pid);
		return -ESRCH;
	}
	if (!hlist_empty(&sig->posix_timers)) {
		cr_log(ctx, "task %d has POSIX timers (timer_create), which are not supported",
		       pid);
		ret = -EOPNOTSUPP;
	} else if (sig->is_child_subreaper) {
		cr_log(ctx, "task %d is a child subreaper", pid);
		ret = -EOPNOTSUPP;
	} else if (refcount_read(&sighand->count) != get_nr_threads(leader)) {
		cr_log(ctx, "task %d shares its signal handlers with another process",
		       pid);
		ret = -EOPNOTSUPP;
	}
	/* unlock_task_sighand() would reread the __rcu pointer */
	spin_unlock_irqrestore(&sighand->siglock, flags);
	if (ret)
		return ret;

	rcu_read_lock();
	tracer = ptrace_parent(leader);
	if (tracer)
		inside = cr_in_tree(ctx, tracer);
	rcu_read_unlock();
	if (inside) {
		cr_log(ctx, "task %d is traced by a task of the tree", pid);
		return -EOPNOTSUPP;
	}
	if (leader->mm && test_bit(MMF_MULTIPROCESS, &leader->mm->flags)) {
		cr_log(ctx,
		       "task %d shares its address space with another process (a vfork child?)",
		       pid);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Per-thread state this version cannot save, and the thread's stop. */
static int cr_check_thread(struct cr_ctx *ctx, struct cr_task *ct)
{
	struct task_struct *task = ct->task;
	struct task_struct *leader = ctx->tasks[ct->proc].task;
	pid_t pid = task_pid_nr_ns(task, ctx->ns);

	if (task->exit_state || (task->flags & PF_EXITING)) {
		cr_log(ctx, "task %d is exiting or a zombie", pid);
		return -ESRCH;
	}
	if (task->flags & (PF_USER_WORKER | PF_IO_WORKER)) {
		cr_log(ctx, "task %d is an io_uring or vhost worker", pid);
		return -EOPNOTSUPP;
	}
	if (task->fs != leader->fs) {
		cr_log(ctx, "thread %d has a file system context of its own",
		       pid);
		return -EOPNOTSUPP;
	}
	if (task == current)
		return 0;
	ct->state = cr_still_state(task);
	/* Also waits until it is off the CPU, its state saved. */
	if (ct->state)
		ct->nvcsw = wait_task_inactive(task, ct->state);
	if (!ct->nvcsw) {
		cr_log(ctx, "task %d is running: stop or freeze the tree first",
		       pid);
		return -EBUSY;
	}
	ct->stack = try_get_task_stack(task);
	if (!ct->stack) {
		cr_log(ctx, "task %d is exiting", pid);
		return -ESRCH;
	}
	return 0;
}

/**
 * cr_collect_tree() - list and check the tasks a checkpoint saves
 * @ctx: checkpoint context; @ctx->task is the task the caller named
 *
 * Lists the process of @ctx->task (all its threads) and, with
 * %CHECKPOINT_TREE, all its descendants, and checks each: permission to
 * trace it, state this version cannot save, and that it holds still.
 * The caller itself can be saved only alone (a single-threaded process
 * checkpointing itself).
 *
 * Return: 0, or -EPERM, -EBUSY, -ESRCH, -EOPNOTSUPP or -E2BIG (logged,
 * naming the task), or -ENOMEM.
 */
int cr_collect_tree(struct cr_ctx *ctx)
{
	struct task_struct *root = ctx->task->group_leader;
	unsigned int i;
	int ret;

	/*
	 * Room for the most a tree may have, each entry set as its task is
	 * listed: zeroing all 4096 (a quarter of a MiB) cost a checkpoint
	 * into PRAM of a small process a third of its time under TCG.
	 */
	ctx->tasks = kvmalloc_array(CR_MAX_TASKS, sizeof(*ctx->tasks),
				    GFP_KERNEL);
	if (!ctx->tasks)
		return -ENOMEM;
	ctx->ns = task_active_pid_ns(root);
	ret = cr_walk_tree(ctx, root);
	if (ret) {
		cr_log(ctx, "more than %u tasks", CR_MAX_TASKS);
		return ret;
	}

	ctx->self = ctx->task == current;
	if (ctx->self && ctx->nr_tasks > 1) {
		cr_log(ctx,
		       "a task can checkpoint itself only when it is alone: stop the tree and checkpoint it from outside");
		return -EBUSY;
	}
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct cr_task *ct = &ctx->tasks[i];

		ret = ct->proc == i ? cr_check_process(ctx, ct->task) : 0;
		if (!ret)
			ret = cr_check_thread(ctx, ct);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * cr_tree_still() - check that no task of the tree ran since it was listed
 * @ctx: checkpoint context after cr_collect_tree()
 *
 * Return: 0, or -EBUSY (logged) when one of them ran.
 */
int cr_tree_still(struct cr_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_tasks; i++) {
		struct cr_task *ct = &ctx->tasks[i];

		if (ct->task == current)
			continue;
		if (wait_task_inactive(ct->task, ct->state) != ct->nvcsw) {
			cr_log(ctx, "task %d ran during the checkpoint",
			       task_pid_nr_ns(ct->task, ctx->ns));
			return -EBUSY;
		}
	}
	return 0;
}

/**
 * cr_tree_is_pidns() - is the tree the whole of its pid namespace?
 * @ctx: checkpoint context after cr_collect_tree()
 *
 * Return: true when the root is the namespace's init and every task of
 * the namespace is in the tree, so that a restart as init of a new pid
 * namespace gets all the same pids.
 */
bool cr_tree_is_pidns(struct cr_ctx *ctx)
{
	unsigned int allocated;

	if (task_pid_nr_ns(ctx->tasks[0].task, ctx->ns) != 1)
		return false;
	allocated = READ_ONCE(ctx->ns->pid_allocated) & ~PIDNS_ADDING;
	return allocated == ctx->nr_tasks;
}

/**
 * cr_release_tree() - drop what cr_collect_tree() holds
 * @ctx: checkpoint context
 */
void cr_release_tree(struct cr_ctx *ctx)
{
	unsigned int i;

	if (!ctx->tasks)
		return;
	for (i = 0; i < ctx->nr_tasks; i++) {
		if (ctx->tasks[i].stack)
			put_task_stack(ctx->tasks[i].task);
		put_task_struct(ctx->tasks[i].task);
		if (ctx->tasks[i].proc == i)
			xa_destroy(&ctx->tasks[i].cow);
	}
	kvfree(ctx->tasks);
	ctx->tasks = NULL;
}

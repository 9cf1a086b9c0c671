// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the task record.
 *
 * One record per thread: its ids and its place in the tree (tid, process,
 * parent thread, process group, session), the ids of the objects it
 * uses, and its own state: name, blocked signals, the alternate signal
 * stack, the areas it registered with the kernel (rseq, the robust futex
 * list, the clear_child_tid word), personality and the signals of its
 * birth and its parent's death. Credentials are recorded for the reader
 * only: restart grants nothing, and restored tasks keep the restarter's.
 *
 * Both directions live here: cr_fill_task() builds the record, and
 * cr_read_task() checks it as sigaltstack(2), rseq(2), prctl(2) and
 * set_robust_list(2) check their arguments before cr_restore_thread()
 * applies it. Where a task sits in the tree is checked by restart.c.
 */
#include <linux/kernel.h>
#include <linux/personality.h>
#include <linux/pid_namespace.h>
#include <linux/lockdep.h>
#include <linux/rseq.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/uidgid.h>

#include "internal.h"

/*
 * A pid as the tree sees it: 0 when @pid is not in the tree's
 * namespace, as getpgid(2) would report it there.
 */
static pid_t cr_vnr(struct cr_ctx *ctx, struct pid *pid)
{
	return pid_nr_ns(pid, ctx->ns);
}

/**
 * cr_fill_task() - build the task record of one task of the tree
 * @ctx: checkpoint context, with the tree listed
 * @ct: the task, holding still, its exec_update_lock held for reading
 * @buf: where the record goes, sizeof(struct cr_hdr_task) bytes
 *
 * Return: the record's length, or 0 when the task is exiting.
 */
u32 cr_fill_task(struct cr_ctx *ctx, struct cr_task *ct, void *buf)
{
	struct task_struct *task = ct->task;
	struct user_namespace *ns = current_user_ns();
	struct task_struct *parent;
	struct cr_hdr_task *ht;
	const struct cred *cred;

	BUILD_BUG_ON(sizeof(ht->blocked) != sizeof(sigset_t));
	lockdep_assert_held(&task->signal->exec_update_lock);

	ht = cr_hdr_init(buf, CR_HDR_TASK, sizeof(*ht));
	get_task_comm(ht->comm, task);
	ht->mm_id = ct->id;
	ht->sighand_id = ct->id;
	ht->signal_id = ct->id;
	ht->files_id = ct->id;
	ht->personality = task->personality;

	rcu_read_lock();
	cred = __task_cred(task);
	ht->uid[0] = from_kuid_munged(ns, cred->uid);
	ht->uid[1] = from_kuid_munged(ns, cred->euid);
	ht->uid[2] = from_kuid_munged(ns, cred->suid);
	ht->uid[3] = from_kuid_munged(ns, cred->fsuid);
	ht->gid[0] = from_kgid_munged(ns, cred->gid);
	ht->gid[1] = from_kgid_munged(ns, cred->egid);
	ht->gid[2] = from_kgid_munged(ns, cred->sgid);
	ht->gid[3] = from_kgid_munged(ns, cred->fsgid);
	rcu_read_unlock();

	/* tasklist_lock keeps the parent and the pgrp and session links. */
	read_lock(&tasklist_lock);
	if (!pid_alive(task)) {
		read_unlock(&tasklist_lock);
		return 0;
	}
	ht->tid = cr_vnr(ctx, task_pid(task));
	ht->tgid = cr_vnr(ctx, task_tgid(task));
	if (ct - ctx->tasks == ct->proc && ct->proc) {
		parent = rcu_dereference_protected(task->real_parent,
						   lockdep_is_held(&tasklist_lock));
		ht->ptid = cr_vnr(ctx, task_pid(parent));
	}
	ht->pgid = cr_vnr(ctx, task_pgrp(task));
	ht->sid = cr_vnr(ctx, task_session(task));
	ht->exit_signal = task->exit_signal;
	ht->pdeath_signal = task->pdeath_signal;
	read_unlock(&tasklist_lock);

	/* The task is stopped or the caller: these hold still. */
	ht->blocked = task->blocked.sig[0];
	ht->altstack_sp = task->sas_ss_sp;
	ht->altstack_size = task->sas_ss_size;
	ht->altstack_flags = task->sas_ss_flags;
#ifdef CONFIG_RSEQ
	if (task->rseq) {
		ht->rseq = (unsigned long)task->rseq;
		ht->rseq_len = task->rseq_len;
		ht->rseq_sig = task->rseq_sig;
	}
#endif
#ifdef CONFIG_FUTEX
	ht->robust_list = (unsigned long)task->robust_list;
#endif
	ht->clear_child_tid = (unsigned long)task->clear_child_tid;

	return ht->h.len;
}

/* Alignment rseq(2) requires of its area (struct rseq's). */
#define CR_RSEQ_ALIGN	32

/**
 * cr_read_task() - read and check a task record
 * @r: restart state
 * @ht: where the checked record goes
 *
 * Checks the task's own state; its ids and place in the tree are for
 * the caller to check against the tasks before it.
 *
 * Return: 0, -EINVAL (logged) for a record that breaks a rule, or the
 * errors of cr_read_struct().
 */
int cr_read_task(struct cr_rst *r, struct cr_hdr_task *ht)
{
	int ret;

	ret = cr_read_struct(r, CR_HDR_TASK, ht, sizeof(*ht));
	if (ret)
		return ret;
	if (r->hdr.len != sizeof(*ht))
		return cr_bad(r, "record type %u has a bad length %u",
			      CR_HDR_TASK, r->hdr.len);
	if (!memchr(ht->comm, '\0', sizeof(ht->comm)))
		return cr_bad(r, "task name is not terminated");
	if (ht->tid <= 0 || ht->tgid <= 0 || ht->ptid < 0 || ht->pgid < 0 ||
	    ht->sid < 0)
		return cr_bad(r, "bad task ids");
	/* Threads have none; a process's is one clone() accepts. */
	if (ht->tid != ht->tgid ? ht->exit_signal != -1 :
	    ht->exit_signal < 0 || !valid_signal(ht->exit_signal))
		return cr_bad(r, "bad exit signal %d", ht->exit_signal);
	if (!valid_signal(ht->pdeath_signal) || ht->pdeath_signal < 0)
		return cr_bad(r, "bad parent death signal %d",
			      ht->pdeath_signal);
	if (ht->personality == 0xffffffff)
		return cr_bad(r, "bad personality");
	if (ht->nr_pending > CR_MAX_PENDING)
		return cr_bad(r, "%u signals pending", ht->nr_pending);
	if (ht->blocked & (sigmask(SIGKILL) | sigmask(SIGSTOP)))
		return cr_bad(r, "SIGKILL or SIGSTOP blocked");
	if (ht->altstack_flags & ~(SS_ONSTACK | SS_DISABLE | SS_FLAG_BITS) ||
	    (ht->altstack_size && ht->altstack_size < MINSIGSTKSZ) ||
	    !cr_user_addr(ht->altstack_sp + ht->altstack_size) ||
	    ht->altstack_sp + ht->altstack_size < ht->altstack_sp)
		return cr_bad(r, "bad alternate signal stack");
	/* As rseq(2) registers one. */
	if ((ht->rseq_len || ht->rseq) &&
	    (!IS_ALIGNED(ht->rseq, CR_RSEQ_ALIGN) || ht->rseq_len < 32 ||
	     ht->rseq_len > PAGE_SIZE || !cr_user_addr(ht->rseq) ||
	     !cr_user_addr(ht->rseq + ht->rseq_len)))
		return cr_bad(r, "bad rseq area");
	if (!cr_user_addr(ht->robust_list) ||
	    !cr_user_addr(ht->clear_child_tid))
		return cr_bad(r, "futex addresses outside user space");
	return 0;
}

/**
 * cr_restore_blocked() - give the current task a thread's blocked mask
 * @ht: the checked task record
 *
 * Before any signal of the image is queued: which thread a process-wide
 * signal goes to, and whether it kills the process at once, depends on
 * the masks of all of them (complete_signal()).
 */
void cr_restore_blocked(const struct cr_hdr_task *ht)
{
	sigset_t blocked;

	blocked.sig[0] = ht->blocked;
	sigdelsetmask(&blocked, sigmask(SIGKILL) | sigmask(SIGSTOP));
	set_current_blocked(&blocked);
}

/**
 * cr_restore_thread() - give the current task a thread's own state
 * @ht: the checked task record
 *
 * The name, the alternate signal stack and the rseq,
 * robust list and clear_child_tid registrations replace the task's
 * (which pointed into another mm, or were never set in a task restart
 * created), and so do its personality and parent death signal. The
 * record was checked when read: nothing here can fail. Without
 * CONFIG_RSEQ the rseq area is left unregistered.
 */
void cr_restore_thread(const struct cr_hdr_task *ht)
{
	set_task_comm(current, ht->comm);
	current->personality = ht->personality;
	current->pdeath_signal = ht->pdeath_signal;

	current->sas_ss_sp = ht->altstack_sp;
	current->sas_ss_size = ht->altstack_size;
	current->sas_ss_flags = ht->altstack_flags;
#ifdef CONFIG_RSEQ
	if (ht->rseq_len) {
		current->rseq = u64_to_user_ptr(ht->rseq);
		current->rseq_len = ht->rseq_len;
		current->rseq_sig = ht->rseq_sig;
		/* Fill in the CPU number on the way out, as rseq(2) does. */
		rseq_set_notify_resume(current);
	}
#endif
#ifdef CONFIG_FUTEX
	current->robust_list = u64_to_user_ptr(ht->robust_list);
#endif
	current->clear_child_tid = u64_to_user_ptr(ht->clear_child_tid);
}

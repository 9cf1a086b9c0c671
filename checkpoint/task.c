// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the task record.
 *
 * Name, blocked signals, signal dispositions, the alternate signal stack
 * and the areas the task registered with the kernel (rseq, the robust
 * futex list, the clear_child_tid word) are saved and restored; the pid
 * and credentials are recorded for the reader only, since restart grants
 * nothing and the restored task keeps its restarter's.
 *
 * Both directions live here: cr_fill_task() builds the record, and
 * cr_read_task() checks it as sigaction(2), sigaltstack(2), rseq(2) and
 * set_robust_list(2) check their arguments before cr_restore_task()
 * applies it.
 */
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/rseq.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/uidgid.h>

#include "internal.h"

/**
 * cr_fill_task() - build the task record of the context's task
 * @ctx: checkpoint context; the target is held
 * @buf: where the record goes, sizeof(struct cr_hdr_task) bytes
 *
 * Return: the record's length, or 0 when the task is exiting.
 */
u32 cr_fill_task(struct cr_ctx *ctx, void *buf)
{
	struct task_struct *task = ctx->task;
	struct user_namespace *ns = current_user_ns();
	struct sighand_struct *sighand;
	struct cr_hdr_task *ht;
	const struct cred *cred;
	unsigned long flags;
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(ht->action) != _NSIG);
	BUILD_BUG_ON(sizeof(ht->blocked) != sizeof(sigset_t));
	lockdep_assert_held(&task->signal->exec_update_lock);

	ht = cr_hdr_init(buf, CR_HDR_TASK, sizeof(*ht));
	get_task_comm(ht->comm, task);
	ht->pid = task_pid_vnr(task);

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

	sighand = lock_task_sighand(task, &flags);
	if (!sighand)
		return 0;	/* it is exiting */
	ht->blocked = task->blocked.sig[0];
	for (i = 0; i < _NSIG; i++) {
		struct k_sigaction *ka = &sighand->action[i];

		ht->action[i].handler = (unsigned long)ka->sa.sa_handler;
		ht->action[i].flags = ka->sa.sa_flags;
		ht->action[i].restorer = (unsigned long)ka->sa.sa_restorer;
		ht->action[i].mask = ka->sa.sa_mask.sig[0];
	}
	/* unlock_task_sighand() would reread the __rcu pointer */
	spin_unlock_irqrestore(&sighand->siglock, flags);

	/* The task is stopped or the caller: these hold still. */
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

/* SA_* flags a signal disposition may carry. */
#define CR_SA_ALLOWED	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO |	\
			 SA_ONSTACK | SA_RESTART | SA_NODEFER |		\
			 SA_RESETHAND | SA_RESTORER | SA_EXPOSE_TAGBITS)

static bool cr_user_addr(u64 addr)
{
	return addr <= TASK_SIZE_MAX;
}

/**
 * cr_read_task() - read and check the task record
 * @r: restart state; the record is kept in @r->task once checked
 *
 * Return: 0, -EINVAL (logged) for a record that breaks a rule, or the
 * errors of cr_read_rec().
 */
int cr_read_task(struct cr_rst *r)
{
	struct cr_hdr_task *ht;
	int i;

	ht = cr_read_rec(r, CR_HDR_TASK, sizeof(*ht), sizeof(*ht));
	if (IS_ERR(ht))
		return PTR_ERR(ht);
	if (!memchr(ht->comm, '\0', sizeof(ht->comm)))
		return cr_bad(r, "task name is not terminated");
	if (ht->pad || ht->pad2)
		return cr_bad(r, "task record padding is not zero");
	if (ht->blocked & (sigmask(SIGKILL) | sigmask(SIGSTOP)))
		return cr_bad(r, "SIGKILL or SIGSTOP blocked");
	for (i = 0; i < CR_NSIG; i++) {
		struct cr_sigaction *sa = &ht->action[i];
		bool dfl = sa->handler == (unsigned long)SIG_DFL;

		if (sa->flags & ~CR_SA_ALLOWED)
			return cr_bad(r, "signal %d: unknown flags %#llx",
				      i + 1, sa->flags);
		if (!cr_user_addr(sa->handler) || !cr_user_addr(sa->restorer))
			return cr_bad(r, "signal %d: handler outside user space",
				      i + 1);
		if ((i + 1 == SIGKILL || i + 1 == SIGSTOP) && !dfl)
			return cr_bad(r, "signal %d must keep its default action",
				      i + 1);
	}
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
	r->task = *ht;
	return 0;
}

/**
 * cr_restore_task() - give the caller the task state of the image
 * @r: restart state, past the switch to the new mm
 *
 * Signal dispositions go through do_sigaction(), as sigaction(2) would
 * set them (so that setting SIG_IGN discards pending signals), then the
 * blocked mask, the name, the alternate signal stack and the rseq,
 * robust list and clear_child_tid registrations, which replace the
 * caller's (exec_mmap() has released its robust futexes and rseq has
 * been unregistered). The record was checked when read: SIGKILL and
 * SIGSTOP keep their default action and are never blocked, addresses
 * are in user space, so nothing here can fail. Without CONFIG_RSEQ the
 * rseq area is left unregistered.
 */
void cr_restore_task(struct cr_rst *r)
{
	struct cr_hdr_task *ht = &r->task;
	struct k_sigaction ka;
	sigset_t blocked;
	int sig;

	for (sig = 1; sig <= _NSIG; sig++) {
		struct cr_sigaction *sa = &ht->action[sig - 1];

		if (sig_kernel_only(sig))
			continue;
		memset(&ka, 0, sizeof(ka));
		ka.sa.sa_handler = (__sighandler_t)(unsigned long)sa->handler;
		ka.sa.sa_flags = sa->flags;
		ka.sa.sa_restorer = (__sigrestore_t)(unsigned long)sa->restorer;
		ka.sa.sa_mask.sig[0] = sa->mask;
		sigdelsetmask(&ka.sa.sa_mask, sigmask(SIGKILL) | sigmask(SIGSTOP));
		do_sigaction(sig, &ka, NULL);
	}

	blocked.sig[0] = ht->blocked;
	sigdelsetmask(&blocked, sigmask(SIGKILL) | sigmask(SIGSTOP));
	set_current_blocked(&blocked);

	set_task_comm(current, ht->comm);

	/* The caller's registrations pointed into its old mm. */
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

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: what the threads of a process share, and pending
 * signals.
 *
 * The signal handlers (%CR_HDR_SIGHAND) and the process-wide state
 * (%CR_HDR_SIGNAL: resource limits, umask, group stop, interval
 * timers) are saved once
 * per process; signals queued for a thread or for the whole process
 * (%CR_HDR_SIGPENDING) with their siginfo.
 *
 * Each is checked when read as the syscall that sets it checks its
 * arguments (sigaction(2), prlimit(2), umask(2), setitimer(2),
 * rt_tgsigqueueinfo(2)),
 * with the restarting caller's credentials, and applied only after the
 * commit, where nothing can fail any more.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/posix-timers.h>
#include <linux/resource.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/time.h>

#include "internal.h"

static_assert(CR_NRLIMIT == RLIM_NLIMITS);
static_assert(sizeof(struct cr_siginfo) == sizeof(siginfo_t));
static_assert(sizeof(kernel_siginfo_t) <= sizeof(struct cr_siginfo));
static_assert(offsetof(struct cr_siginfo, fields) ==
	      offsetof(siginfo_t, si_pid));

/**
 * cr_fill_sighand() - build the signal handler record of a process
 * @task: a thread of the process, holding still
 * @buf: where the record goes, sizeof(struct cr_hdr_sighand) bytes
 * @id: the record's id
 *
 * Return: the record's length, or 0 when the task is exiting.
 */
u32 cr_fill_sighand(struct task_struct *task, void *buf, u32 id)
{
	struct sighand_struct *sighand;
	struct cr_hdr_sighand *hs;
	unsigned long flags;
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(hs->action) != _NSIG);
	hs = cr_hdr_init(buf, CR_HDR_SIGHAND, sizeof(*hs));
	hs->id = id;
	sighand = lock_task_sighand(task, &flags);
	if (!sighand)
		return 0;
	for (i = 0; i < _NSIG; i++) {
		struct k_sigaction *ka = &sighand->action[i];

		hs->action[i].handler = (unsigned long)ka->sa.sa_handler;
		hs->action[i].flags = ka->sa.sa_flags;
		hs->action[i].restorer = (unsigned long)ka->sa.sa_restorer;
		hs->action[i].mask = ka->sa.sa_mask.sig[0];
	}
	/* unlock_task_sighand() would reread the __rcu pointer */
	spin_unlock_irqrestore(&sighand->siglock, flags);
	return hs->h.len;
}

/*
 * Build a SIGPENDING record of the signals queued on @pending, in queue
 * order, under the signal lock. A signal whose bit is set with no queue
 * entry (queued when no memory was left) gets the siginfo dequeueing
 * would give it. A pending signal that is blocked and ignored is
 * refused: restoring the ignored disposition would discard it.
 */
static long cr_fill_pending(struct sighand_struct *sighand,
			    struct sigpending *pending, void *buf, u32 shared)
{
	struct cr_hdr_sigpending *hp = buf;
	struct cr_siginfo *si = (void *)(hp + 1);
	sigset_t seen = {};
	struct sigqueue *q;
	u32 nr = 0, i;
	int sig;

	list_for_each_entry(q, &pending->list, list) {
		if (nr == CR_MAX_PENDING)
			return -E2BIG;
		memset(&si[nr], 0, sizeof(si[nr]));
		memcpy(&si[nr], &q->info, sizeof(q->info));
		si[nr].pad = 0;
		sigaddset(&seen, q->info.si_signo);
		nr++;
	}
	for (sig = 1; sig <= _NSIG; sig++) {
		if (!sigismember(&pending->signal, sig) ||
		    sigismember(&seen, sig))
			continue;
		if (nr == CR_MAX_PENDING)
			return -E2BIG;
		memset(&si[nr], 0, sizeof(si[nr]));
		si[nr].signo = sig;
		si[nr].code = SI_USER;
		nr++;
	}
	for (i = 0; i < nr; i++) {
		sig = si[i].signo;
		if (sig == SIGKILL)
			return -ESRCH;
		if (sighand->action[sig - 1].sa.sa_handler == SIG_IGN)
			return -EOPNOTSUPP;
	}
	if (!nr)
		return 0;
	/* cr_hdr_init() would clear the entries: the header goes alone. */
	cr_hdr_init(hp, CR_HDR_SIGPENDING, sizeof(*hp));
	hp->h.len += nr * sizeof(*si);
	hp->shared = shared;
	hp->nr = nr;
	return hp->h.len;
}

/**
 * cr_fill_sigpending() - build the pending signal record of a thread or
 *	of its process
 * @ctx: checkpoint context, for log lines
 * @task: the thread, holding still
 * @buf: where the record goes: room for %CR_MAX_PENDING signals
 * @shared: %CR_SIGPENDING_PROCESS for the process's signals, else
 *	%CR_SIGPENDING_THREAD
 *
 * Return: the record's length, 0 when nothing is pending, or -ESRCH,
 * -EOPNOTSUPP or -E2BIG (logged).
 */
long cr_fill_sigpending(struct cr_ctx *ctx, struct task_struct *task,
			void *buf, u32 shared)
{
	pid_t pid = task_pid_nr_ns(task, ctx->ns);
	struct sighand_struct *sighand;
	unsigned long flags;
	long ret;

	sighand = lock_task_sighand(task, &flags);
	if (!sighand) {
		cr_log(ctx, "task %d is exiting", pid);
		return -ESRCH;
	}
	ret = cr_fill_pending(sighand, shared ? &task->signal->shared_pending :
			      &task->pending, buf, shared);
	/* unlock_task_sighand() would reread the __rcu pointer */
	spin_unlock_irqrestore(&sighand->siglock, flags);

	if (ret == -ESRCH)
		cr_log(ctx, "task %d is being killed", pid);
	else if (ret == -EOPNOTSUPP)
		cr_log(ctx, "task %d has a blocked signal pending that it ignores",
		       pid);
	else if (ret == -E2BIG)
		cr_log(ctx, "task %d has more than %u signals pending", pid,
		       CR_MAX_PENDING);
	return ret;
}

/**
 * cr_fill_signal() - build the process-wide state record
 * @task: the process's leader, holding still
 * @buf: where the record goes, sizeof(struct cr_hdr_signal) bytes
 * @id: the record's id
 * @nr_pending: the number of signals pending for the process
 *
 * Return: the record's length.
 */
u32 cr_fill_signal(struct task_struct *task, void *buf, u32 id,
		   u32 nr_pending)
{
	struct signal_struct *sig = task->signal;
	struct cr_hdr_signal *hs;
	int i;

	hs = cr_hdr_init(buf, CR_HDR_SIGNAL, sizeof(*hs));
	hs->id = id;
	hs->nr_pending = nr_pending;
	task_lock(task);
	hs->umask = task->fs ? task->fs->umask : 0;
	for (i = 0; i < RLIM_NLIMITS; i++) {
		hs->rlim[i].cur = sig->rlim[i].rlim_cur;
		hs->rlim[i].max = sig->rlim[i].rlim_max;
	}
	task_unlock(task);
	for (i = 0; i < CR_NITIMER; i++) {
		struct itimerspec64 it;

		itimer_get_task(task, i, &it);
		hs->itimer[i].value = timespec64_to_ns(&it.it_value);
		hs->itimer[i].interval = timespec64_to_ns(&it.it_interval);
	}
	if (READ_ONCE(sig->flags) & SIGNAL_STOP_STOPPED)
		hs->flags |= CR_SIGNAL_STOPPED;
	return hs->h.len;
}

/* Restart */

/* SA_* flags a signal disposition may carry. */
#define CR_SA_ALLOWED	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO |	\
			 SA_ONSTACK | SA_RESTART | SA_NODEFER |		\
			 SA_RESETHAND | SA_RESTORER | SA_EXPOSE_TAGBITS)

/**
 * cr_read_sighand() - read and check a signal handler record
 * @r: restart state
 * @id: the id it must have
 *
 * Return: the record, kmalloc'd, or an ERR_PTR(): -EINVAL (logged) for
 * a record that breaks a rule, or the errors of cr_read_rec().
 */
struct cr_hdr_sighand *cr_read_sighand(struct cr_rst *r, u32 id)
{
	struct cr_hdr_sighand *hs;
	int i;

	hs = cr_read_rec(r, CR_HDR_SIGHAND, sizeof(*hs), sizeof(*hs));
	if (IS_ERR(hs))
		return hs;
	if (hs->id != id)
		return ERR_PTR(cr_bad(r, "signal handlers %u where %u belong",
				      hs->id, id));
	if (hs->pad)
		return ERR_PTR(cr_bad(r, "signal handler padding is not zero"));
	for (i = 0; i < CR_NSIG; i++) {
		struct cr_sigaction *sa = &hs->action[i];
		bool dfl = sa->handler == (unsigned long)SIG_DFL;

		if (sa->flags & ~CR_SA_ALLOWED)
			return ERR_PTR(cr_bad(r, "signal %d: unknown flags %#llx",
					      i + 1, sa->flags));
		if (!cr_user_addr(sa->handler) || !cr_user_addr(sa->restorer))
			return ERR_PTR(cr_bad(r, "signal %d: handler outside user space",
					      i + 1));
		if ((i + 1 == SIGKILL || i + 1 == SIGSTOP) && !dfl)
			return ERR_PTR(cr_bad(r, "signal %d must keep its default action",
					      i + 1));
	}
	return kmemdup(hs, sizeof(*hs), GFP_KERNEL) ?: ERR_PTR(-ENOMEM);
}

/*
 * The checks of do_prlimit() for setting @new on the caller, whose
 * limits every restored process starts from: raising a hard limit
 * takes CAP_SYS_RESOURCE, and the LSMs have their say.
 */
static int cr_check_rlimit(struct cr_rst *r, unsigned int res,
			   const struct cr_rlimit *lim)
{
	struct rlimit new = { .rlim_cur = lim->cur, .rlim_max = lim->max };
	struct rlimit old;
	int ret;

	if (new.rlim_cur > new.rlim_max)
		return cr_bad(r, "limit %u: soft limit above the hard one", res);
	if (res == RLIMIT_NOFILE && new.rlim_max > sysctl_nr_open)
		return cr_refuse(r, -EPERM, "limit %u: above fs.nr_open", res);
	task_lock(current->group_leader);
	old = current->signal->rlim[res];
	task_unlock(current->group_leader);
	if (new.rlim_max > old.rlim_max && !capable(CAP_SYS_RESOURCE))
		return cr_refuse(r, -EPERM,
				 "limit %u: raising the hard limit needs CAP_SYS_RESOURCE",
				 res);
	ret = security_task_setrlimit(current, res, &new);
	if (ret)
		return cr_refuse(r, ret, "limit %u: refused by a security module",
				 res);
	return 0;
}

/**
 * cr_read_signal() - read and check a process-wide state record
 * @r: restart state
 * @id: the id it must have
 * @hs: where the checked record goes
 *
 * A limit the caller may not set is logged and kept in @r->err, which
 * fails the restart once the checksum has verified.
 *
 * Return: 0, -EINVAL (logged) for a record that breaks a rule, or the
 * errors of cr_read_struct().
 */
int cr_read_signal(struct cr_rst *r, u32 id, struct cr_hdr_signal *hs)
{
	unsigned int i;
	int ret;

	ret = cr_read_struct(r, CR_HDR_SIGNAL, hs, sizeof(*hs));
	if (ret)
		return ret;
	if (r->hdr.len != sizeof(*hs))
		return cr_bad(r, "record type %u has a bad length %u",
			      CR_HDR_SIGNAL, r->hdr.len);
	if (hs->id != id)
		return cr_bad(r, "process state %u where %u belongs", hs->id,
			      id);
	if (hs->flags & ~CR_SIGNAL_FLAGS)
		return cr_bad(r, "unknown process flags %#x", hs->flags);
	if (hs->umask & ~0777)
		return cr_bad(r, "bad umask %#o", hs->umask);
	if (hs->nr_pending > CR_MAX_PENDING)
		return cr_bad(r, "%u signals pending", hs->nr_pending);
	/* A limit the caller may not set is not the image's fault. */
	for (i = 0; i < CR_NRLIMIT; i++) {
		ret = cr_check_rlimit(r, i, &hs->rlim[i]);
		if (ret == -EINVAL)
			return ret;
		if (ret && !r->err)
			r->err = ret;
	}
	/* What setitimer(2) can set: timespec64_to_ns() saturates there. */
	for (i = 0; i < CR_NITIMER; i++)
		if (hs->itimer[i].value > KTIME_MAX ||
		    hs->itimer[i].interval > KTIME_MAX)
			return cr_bad(r, "interval timer %u beyond KTIME_MAX", i);
	return 0;
}

/**
 * cr_read_sigpending() - read and check a pending signal record
 * @r: restart state
 * @shared: %CR_SIGPENDING_PROCESS or %CR_SIGPENDING_THREAD, as expected
 * @nr: the number of signals announced
 *
 * As rt_tgsigqueueinfo(2) to the task itself, any siginfo may be queued;
 * the signal numbers must be valid and not SIGKILL, and what the kernel
 * does not keep of a siginfo must be zero. Real-time signals count
 * against the caller's RLIMIT_SIGPENDING, as they will when queued.
 *
 * Return: the signals, kvmalloc'd, or an ERR_PTR(): -EINVAL (logged),
 * -EAGAIN (logged) past the limit, or the errors of cr_read_rec().
 */
struct cr_siginfo *cr_read_sigpending(struct cr_rst *r, u32 shared, u32 nr)
{
	struct cr_hdr_sigpending *hp;
	struct cr_siginfo *si;
	u32 i, j;

	hp = cr_read_rec(r, CR_HDR_SIGPENDING, sizeof(*hp) + sizeof(*si),
			 sizeof(*hp) + CR_MAX_PENDING * sizeof(*si));
	if (IS_ERR(hp))
		return ERR_CAST(hp);
	if (hp->shared != shared || hp->nr != nr ||
	    r->hdr.len != sizeof(*hp) + nr * sizeof(*si))
		return ERR_PTR(cr_bad(r, "pending signals do not match their task"));
	si = (void *)(hp + 1);
	for (i = 0; i < nr; i++) {
		const u8 *rest = (const u8 *)&si[i] + sizeof(kernel_siginfo_t);

		if (!valid_signal(si[i].signo) || si[i].signo <= 0 ||
		    si[i].signo == SIGKILL)
			return ERR_PTR(cr_bad(r, "pending signal %d", si[i].signo));
		if (si[i].pad)
			return ERR_PTR(cr_bad(r, "siginfo padding is not zero"));
		for (j = 0; j < sizeof(*si) - sizeof(kernel_siginfo_t); j++)
			if (rest[j])
				return ERR_PTR(cr_bad(r, "siginfo beyond what the kernel keeps"));
		r->nr_rt_pending += si[i].signo >= SIGRTMIN;
	}
	if (r->nr_rt_pending > rlimit(RLIMIT_SIGPENDING))
		return ERR_PTR(cr_refuse(r, -EAGAIN,
					 "more real-time signals pending than RLIMIT_SIGPENDING"));
	return kvmemdup(si, nr * sizeof(*si), GFP_KERNEL) ?: ERR_PTR(-ENOMEM);
}

/**
 * cr_restore_sighand() - give the caller's process the image's handlers
 * @hs: the checked record
 *
 * Through do_sigaction(), as sigaction(2) would set them, so that
 * setting SIG_IGN discards pending signals; SIGKILL and SIGSTOP keep
 * their default action (checked when read).
 */
void cr_restore_sighand(const struct cr_hdr_sighand *hs)
{
	struct k_sigaction ka;
	int sig;

	for (sig = 1; sig <= _NSIG; sig++) {
		const struct cr_sigaction *sa = &hs->action[sig - 1];

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
}

/**
 * cr_restore_signal() - give the caller's process the image's limits
 *	and umask
 * @hs: the checked record
 *
 * Limits are set as do_prlimit() sets them once its checks (made when
 * the record was read) passed, CPU time limit timer included; interval
 * timers as setitimer(2) sets them.
 */
void cr_restore_signal(const struct cr_hdr_signal *hs)
{
	struct task_struct *leader = current->group_leader;
	unsigned int i;

	task_lock(leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		current->signal->rlim[i].rlim_cur = hs->rlim[i].cur;
		current->signal->rlim[i].rlim_max = hs->rlim[i].max;
	}
	task_unlock(leader);
	if (hs->rlim[RLIMIT_CPU].cur != RLIM_INFINITY)
		update_rlimit_cpu(leader, hs->rlim[RLIMIT_CPU].cur);
	xchg(&current->fs->umask, hs->umask & 0777);
	/*
	 * Every timer, disarmed ones too: the caller's own do not belong
	 * to the process it becomes. The time left runs from now.
	 */
	for (i = 0; i < CR_NITIMER; i++) {
		struct itimerspec64 it = {
			.it_value = ns_to_timespec64(hs->itimer[i].value),
			.it_interval = ns_to_timespec64(hs->itimer[i].interval),
		};

		do_setitimer(i, &it, NULL);
	}
}

/**
 * cr_queue_pending() - queue signals on the current task or its process
 * @si: the checked signals
 * @nr: how many
 * @shared: %CR_SIGPENDING_PROCESS for the process
 *
 * As rt_tgsigqueueinfo(2) from the task to itself queues them.
 */
void cr_queue_pending(const struct cr_siginfo *si, u32 nr, u32 shared)
{
	kernel_siginfo_t info;
	u32 i;

	for (i = 0; i < nr; i++) {
		memcpy(&info, &si[i], sizeof(info));
		do_send_sig_info(info.si_signo, &info, current,
				 shared ? PIDTYPE_TGID : PIDTYPE_PID);
	}
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart, x86_64: the CPU state of a task.
 *
 * Registers are read through the task's user regsets, the interfaces
 * ptrace and core dumps use: NT_PRSTATUS for the general registers,
 * segment selectors and fs/gs base, NT_X86_XSTATE for the XSAVE area
 * (x87, SSE, AVX, AVX-512, ... as the CPU has them). Restart writes them
 * back through the same regsets, so their validation applies to images,
 * except for the selectors and fs/gs base, which the regset may only set
 * on a stopped task: those are checked, and set as arch_prctl() does.
 */
#include <linux/build_bug.h>
#include <linux/ckpt.h>
#include <linux/cpufeature.h>
#include <linux/elf.h>
#include <linux/errno.h>
#include <linux/poll.h>
#include <linux/regset.h>
#include <linux/restart_block.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <asm/unistd.h>
#include <linux/slab.h>
#include <linux/user.h>
#include <asm/ckpt_hdr.h>
#include <asm/fpu/xcr.h>
#include <asm/prctl.h>
#include <asm/proto.h>
#include <asm/ptrace.h>
#include <asm/segment.h>

/* The x86_64 records' layout is ABI: pinned as the generic ones are. */
static_assert(sizeof(struct cr_x86_regs) == 27 * 8);
static_assert(sizeof(struct cr_x86_regs) == sizeof(struct user_regs_struct));
static_assert(offsetof(struct cr_x86_regs, ax) ==
	      offsetof(struct user_regs_struct, ax));
static_assert(offsetof(struct cr_x86_regs, fs_base) ==
	      offsetof(struct user_regs_struct, fs_base));
static_assert(offsetof(struct cr_x86_regs, gs) ==
	      offsetof(struct user_regs_struct, gs));
static_assert(sizeof(struct cr_hdr_cpu) == 240);
static_assert(offsetof(struct cr_hdr_cpu, regs) == 8);
static_assert(offsetof(struct cr_hdr_cpu, xstate_size) == 224);
static_assert(offsetof(struct cr_hdr_cpu, xfeatures) == 232);
static_assert(sizeof(struct cr_hdr_mm_context) == 16);
static_assert(offsetof(struct cr_hdr_mm_context, nr_ldt) == 8);

static const struct user_regset *
cr_find_regset(const struct user_regset_view *view, unsigned int note)
{
	unsigned int i;

	for (i = 0; i < view->n; i++)
		if (view->regsets[i].core_note_type == note)
			return &view->regsets[i];
	return NULL;
}

/**
 * cr_arch_fill_cpu() - build the CPU record of a task
 * @task: the caller, or a task stopped, off the CPU and held, so that
 *	its registers are saved in memory
 * @self: @task is checkpointing itself
 * @buf: where the record goes
 * @size: bytes available at @buf
 *
 * For a self-checkpoint the recorded ax is 0: the task restored from the
 * image returns 0 from checkpoint(2), while the caller gets the id. On a
 * CPU without XSAVE the area holds the 512-byte FXSAVE image instead,
 * and @xfeatures is 0.
 *
 * Called under the target's exec_update_lock, which keeps an exec from
 * changing the registers' layout meanwhile.
 *
 * Return: the record's length, or a negative errno: -EOPNOTSUPP for a
 * task in 32-bit mode, whose registers have another layout.
 */
int cr_arch_fill_cpu(struct task_struct *task, bool self, void *buf,
		     u32 size)
{
	const struct user_regset_view *view;
	const struct user_regset *gpr, *xs;
	unsigned int xsize = 0;
	struct cr_hdr_cpu *hc;
	bool xsave;
	int ret;

	lockdep_assert_held(&task->signal->exec_update_lock);
	if (!user_64bit_mode(task_pt_regs(task)))
		return -EOPNOTSUPP;
	view = task_user_regset_view(task);
	xsave = cpu_feature_enabled(X86_FEATURE_XSAVE);
	gpr = cr_find_regset(view, NT_PRSTATUS);
	xs = cr_find_regset(view, xsave ? NT_X86_XSTATE : NT_PRFPREG);
	if (!gpr || !xs)
		return -ENODEV;
	xsize = xs->n * xs->size;
	if (sizeof(*hc) + xsize > size)
		return -E2BIG;

	hc = cr_hdr_init(buf, CR_HDR_CPU, sizeof(*hc) + xsize);
	ret = regset_get(task, gpr, sizeof(hc->regs), &hc->regs);
	if (ret != sizeof(hc->regs))
		return ret < 0 ? ret : -EIO;
	if (self)
		hc->regs.ax = 0;
	/*
	 * Stopped again in the restart_syscall() that resumed an untimed
	 * poll(): record the poll() it is, whose arguments the registers
	 * still hold, so that restart calls it again (the restart_block
	 * itself is not in the image). The task is stopped: its
	 * restart_block holds still.
	 */
	if (!self && hc->regs.orig_ax == __NR_restart_syscall &&
	    (long)hc->regs.ax == -ERESTART_RESTARTBLOCK &&
	    restart_block_is_poll_forever(&task->restart_block))
		hc->regs.orig_ax = __NR_poll;

	ret = regset_get(task, xs, xsize, hc + 1);
	if (ret < 0)
		return ret;
	hc->xstate_size = xsize;
	if (xsave)
		hc->xfeatures = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	return hc->h.len;
}

/* The FPU regset of this CPU: XSAVE layout, or FXSAVE without XSAVE. */
static const struct user_regset *cr_fpu_regset(struct task_struct *task)
{
	return cr_find_regset(task_user_regset_view(task),
			      cpu_feature_enabled(X86_FEATURE_XSAVE) ?
			      NT_X86_XSTATE : NT_PRFPREG);
}

/**
 * cr_arch_read_cpu() - read and check the CPU record
 * @r: restart state
 *
 * The registers must be those of a 64-bit user task: the 64-bit user
 * code and stack selectors, null data selectors (a 64-bit task's bases
 * do that work), and an instruction pointer and fs/gs bases in user
 * space. The FPU area is checked by its regset at commit.
 *
 * Return: a kmalloc'd copy of the record, or an ERR_PTR(): -EINVAL
 * (logged) for a record that is not so, -ENOMEM.
 */
struct cr_hdr_cpu *cr_arch_read_cpu(struct cr_rst *r)
{
	struct cr_hdr_cpu *hc, *copy;

	hc = cr_read_rec(r, CR_HDR_CPU, sizeof(*hc), CR_HBUF_SIZE);
	if (IS_ERR(hc))
		return hc;
	if (hc->h.len != ALIGN(sizeof(*hc) + hc->xstate_size, CR_HDR_ALIGN))
		return ERR_PTR(cr_bad(r, "CPU record length does not match its state"));
	if (hc->regs.cs != __USER_CS || hc->regs.ss != __USER_DS)
		return ERR_PTR(cr_bad(r, "CPU state is not that of a 64-bit user task"));
	/*
	 * fs and gs base as putreg() and do_arch_prctl_64() take them:
	 * below TASK_SIZE_MAX, so that setting them at commit cannot fail
	 * and leave the caller's.
	 */
	if (hc->regs.ip > TASK_SIZE_MAX || hc->regs.fs_base >= TASK_SIZE_MAX ||
	    hc->regs.gs_base >= TASK_SIZE_MAX)
		return ERR_PTR(cr_bad(r, "CPU state points outside user space"));
	if (hc->regs.ds || hc->regs.es || hc->regs.fs || hc->regs.gs)
		return ERR_PTR(cr_bad(r, "data segment selectors other than 0"));
	if (hc->pad)
		return ERR_PTR(cr_bad(r, "CPU record padding is not zero"));
	copy = kmemdup(hc, hc->h.len, GFP_KERNEL);
	return copy ?: ERR_PTR(-ENOMEM);
}

/**
 * cr_arch_restore_fpu() - give the caller the FPU state of the image
 * @ctx: restart context, for the log
 * @hc: the CPU record, checked by cr_arch_read_cpu()
 *
 * Called before the switch to the new mm.
 *
 * Goes through the FPU regset's ->set(), whose checks (XSAVE header,
 * supported features, MXCSR reserved bits) apply to the image as to a
 * ptrace caller; a refused state leaves the caller's registers as they
 * were. The area must have this CPU's XSAVE layout: same size, and an
 * XSAVE area only where the CPU has XSAVE.
 *
 * Return: 0, -EOPNOTSUPP for an area of another layout, or -EINVAL for
 * one the regset refuses; both logged.
 */
int cr_arch_restore_fpu(struct cr_ctx *ctx, const struct cr_hdr_cpu *hc)
{
	const struct user_regset *fpu = cr_fpu_regset(current);
	unsigned int size;
	int ret;

	size = fpu ? fpu->n * fpu->size : 0;
	if (!fpu || hc->xstate_size != size ||
	    !hc->xfeatures != !cpu_feature_enabled(X86_FEATURE_XSAVE)) {
		cr_log(ctx, "the image's %u-byte FPU state does not fit this CPU's %u bytes",
		       hc->xstate_size, size);
		return -EOPNOTSUPP;
	}
	ret = fpu->set(current, fpu, 0, size, hc + 1, NULL);
	if (ret) {
		cr_log(ctx, "the image's FPU state was refused: error %d",
		       ret);
		return -EINVAL;
	}
	return 0;
}

/* Write regs[@from, @to) of @regs through the general regset. */
static void cr_set_gprs(const struct user_regset *gpr,
			const struct cr_x86_regs *regs, size_t from, size_t to)
{
	/* Plain registers and eflags, the only ones set here, cannot fail. */
	WARN_ON_ONCE(gpr->set(current, gpr, from, to - from,
			      (const void *)regs + from, NULL));
}

/**
 * cr_arch_restore_regs() - give the caller the registers of the image
 * @hc: the CPU record, checked by cr_arch_read_cpu(); restart is past
 *	the switch to the new mm
 *
 * The general registers go through the NT_PRSTATUS regset, so that
 * eflags is masked as for ptrace. cs and ss were checked to be the
 * 64-bit user selectors the caller already has and the data selectors
 * to be 0; fs and gs base are set with arch_prctl(), the interface that
 * may change them on the current task.
 *
 * A task stopped inside a syscall carries the kernel's -ERESTART* code
 * in ax: it is resolved here as signal delivery without a handler would
 * resolve it, restarting the syscall, or, for a restart_block the image
 * does not hold, reporting -EINTR. One restart_block is nothing but the
 * call itself: poll() without a timeout (do_restart_poll() then polls
 * the same descriptors with none), which is restarted too, as a shell's
 * read builtin waits in it and loses what it read of a line on EINTR;
 * checkpoint records a task stopped again in that restart as in poll().
 * orig_ax is cleared so that nothing restarts the call again on the way
 * out.
 *
 * Return: the value for ax, which restart(2) returns into it.
 */
long cr_arch_restore_regs(const struct cr_hdr_cpu *hc)
{
	const struct user_regset *gpr;
	struct cr_x86_regs regs = hc->regs;

	if ((long)regs.orig_ax >= 0) {
		switch ((long)regs.ax) {
		case -ERESTARTNOHAND:
		case -ERESTARTSYS:
		case -ERESTARTNOINTR:
			regs.ax = regs.orig_ax;
			regs.ip -= 2;
			break;
		case -ERESTART_RESTARTBLOCK:
			if (regs.orig_ax == __NR_poll && (int)regs.dx < 0) {
				regs.ax = regs.orig_ax;
				regs.ip -= 2;
			} else {
				regs.ax = -EINTR;
			}
			break;
		}
	}
	regs.orig_ax = -1;

	gpr = cr_find_regset(task_user_regset_view(current), NT_PRSTATUS);
	cr_set_gprs(gpr, &regs, 0, offsetof(struct cr_x86_regs, cs));
	cr_set_gprs(gpr, &regs, offsetof(struct cr_x86_regs, flags),
		    offsetof(struct cr_x86_regs, ss));
	/* Checked by cr_arch_read_cpu() as arch_prctl() checks them. */
	WARN_ON_ONCE(do_arch_prctl_64(current, ARCH_SET_FS, regs.fs_base));
	WARN_ON_ONCE(do_arch_prctl_64(current, ARCH_SET_GS, regs.gs_base));
	current->restart_block.fn = do_no_restart_syscall;
	return regs.ax;
}

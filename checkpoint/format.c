// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the boundary between the image format and the
 * kernel's own constants.
 *
 * An image never holds a VM_* or MMF_* value: those are the kernel's to
 * renumber. Each flag that is program state has an image constant of
 * its own (<uapi/linux/ckpt_hdr.h>) and is translated here, both ways.
 * A flag that is program state but has no image constant makes the
 * checkpoint fail rather than vanish from the image; flags that only
 * record what the kernel derived or did for itself are named as such
 * and left out.
 *
 * The layout of every record is pinned below, so that a change to the
 * UAPI header that moves a field fails the build instead of changing
 * the ABI.
 */
#include <linux/build_bug.h>
#include <linux/fcntl.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched/coredump.h>
#include <linux/stddef.h>

#include "internal.h"

#define CR_PIN(type, size)						\
	static_assert(sizeof(struct type) == (size))
#define CR_AT(type, field, off)						\
	static_assert(offsetof(struct type, field) == (off))

CR_PIN(cr_hdr, 8);
CR_AT(cr_hdr, len, 4);
CR_PIN(cr_hdr_head, 112);
CR_AT(cr_hdr_head, magic, 8);
CR_AT(cr_hdr_head, version, 16);
CR_AT(cr_hdr_head, arch, 20);
CR_AT(cr_hdr_head, page_size, 24);
CR_AT(cr_hdr_head, flags, 28);
CR_AT(cr_hdr_head, id, 32);
CR_AT(cr_hdr_head, time, 40);
CR_AT(cr_hdr_head, release, 48);
CR_PIN(cr_sigaction, 32);
CR_PIN(cr_hdr_tree, 16);
CR_AT(cr_hdr_tree, nr_procs, 12);
CR_PIN(cr_hdr_task, 168);
CR_AT(cr_hdr_task, comm, 8);
CR_AT(cr_hdr_task, tid, 24);
CR_AT(cr_hdr_task, mm_id, 52);
CR_AT(cr_hdr_task, personality, 64);
CR_AT(cr_hdr_task, uid, 68);
CR_AT(cr_hdr_task, gid, 84);
CR_AT(cr_hdr_task, files_id, 100);
CR_AT(cr_hdr_task, blocked, 104);
CR_AT(cr_hdr_task, altstack_sp, 112);
CR_AT(cr_hdr_task, rseq_len, 132);
CR_AT(cr_hdr_task, rseq, 136);
CR_AT(cr_hdr_task, nr_pending, 148);
CR_AT(cr_hdr_task, robust_list, 152);
CR_AT(cr_hdr_task, clear_child_tid, 160);
CR_PIN(cr_hdr_sighand, 2064);
CR_AT(cr_hdr_sighand, action, 16);
CR_PIN(cr_hdr_signal, 328);
CR_AT(cr_hdr_signal, itimer, 280);
CR_PIN(cr_itimer, 16);
CR_AT(cr_hdr_signal, rlim, 24);
CR_PIN(cr_siginfo, 128);
CR_AT(cr_siginfo, fields, 16);
CR_PIN(cr_hdr_sigpending, 16);
CR_PIN(cr_hdr_mm, 112);
CR_AT(cr_hdr_mm, start_code, 8);
CR_AT(cr_hdr_mm, env_end, 88);
CR_AT(cr_hdr_mm, flags, 96);
CR_AT(cr_hdr_mm, dump_filter, 100);
CR_AT(cr_hdr_mm, map_count, 104);
CR_AT(cr_hdr_mm, id, 108);
CR_PIN(cr_hdr_vma, 88);
CR_AT(cr_hdr_vma, start, 8);
CR_AT(cr_hdr_vma, end, 16);
CR_AT(cr_hdr_vma, pgoff, 24);
CR_AT(cr_hdr_vma, type, 32);
CR_AT(cr_hdr_vma, prot, 36);
CR_AT(cr_hdr_vma, flags, 40);
CR_AT(cr_hdr_vma, path_len, 44);
CR_AT(cr_hdr_vma, dev, 48);
CR_AT(cr_hdr_vma, ino, 56);
CR_AT(cr_hdr_vma, size, 64);
CR_AT(cr_hdr_vma, mtime_sec, 72);
CR_AT(cr_hdr_vma, mtime_nsec, 80);
CR_AT(cr_hdr_vma, object, 84);
CR_PIN(cr_hdr_pgarr, 40);
CR_AT(cr_hdr_pgarr, nr_pages, 8);
CR_AT(cr_hdr_pgarr, flags, 12);
CR_AT(cr_hdr_pgarr, first, 16);
CR_AT(cr_hdr_pgarr, last, 24);
CR_AT(cr_hdr_pgarr, digest, 32);
CR_PIN(cr_hdr_pages, 16);
CR_AT(cr_hdr_pages, nr_pages, 8);
CR_AT(cr_hdr_pages, flags, 12);
CR_PIN(cr_hdr_fs, 16);
CR_PIN(cr_hdr_file, 72);
CR_AT(cr_hdr_file, pos, 24);
CR_AT(cr_hdr_file, path_len, 64);
CR_AT(cr_hdr_file, object, 68);
CR_PIN(cr_hdr_shmem, 40);
CR_AT(cr_hdr_shmem, size, 16);
CR_AT(cr_hdr_shmem, name_len, 36);
CR_PIN(cr_hdr_sysvshm, 40);
CR_AT(cr_hdr_sysvshm, cgid, 28);
CR_PIN(cr_hdr_files, 16);
CR_PIN(cr_hdr_pipe, 16);
CR_PIN(cr_hdr_fd, 24);
CR_PIN(cr_inherit, 16);
CR_PIN(cr_hdr_tail, 24);
CR_AT(cr_hdr_tail, magic, 8);
CR_AT(cr_hdr_tail, crc32c, 16);

/* Open flags are already ABI: the x86-64 numbers of fcntl.h. */
static_assert(CR_FILE_O_FLAGS == (O_ACCMODE | O_APPEND | O_NONBLOCK |
				  O_DSYNC | O_DIRECT | O_LARGEFILE |
				  O_DIRECTORY | O_NOFOLLOW | O_NOATIME |
				  __O_SYNC | O_PATH));

/* Seals are already ABI: fcntl(F_GET_SEALS). */
static_assert(CR_SHMEM_SEALS == (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW |
				 F_SEAL_WRITE | F_SEAL_FUTURE_WRITE |
				 F_SEAL_EXEC));

/* The core dump filter is already ABI: /proc/PID/coredump_filter. */
static_assert(CR_MM_DUMP_FILTER == (1U << MMF_DUMP_FILTER_BITS) - 1);

/* VMA flags that have an image constant. */
static const struct {
	vm_flags_t vm;
	u32 cr;
} cr_vma_flags[] = {
	{ VM_GROWSDOWN,		CR_VMA_GROWSDOWN },
	{ VM_NORESERVE,		CR_VMA_NORESERVE },
	{ VM_SEQ_READ,		CR_VMA_SEQ_READ },
	{ VM_RAND_READ,		CR_VMA_RAND_READ },
	{ VM_DONTCOPY,		CR_VMA_DONTFORK },
	{ VM_DONTDUMP,		CR_VMA_DONTDUMP },
	{ VM_WIPEONFORK,	CR_VMA_WIPEONFORK },
	{ VM_HUGEPAGE,		CR_VMA_HUGEPAGE },
	{ VM_NOHUGEPAGE,	CR_VMA_NOHUGEPAGE },
	{ VM_LOCKED,		CR_VMA_LOCKED },
	{ VM_LOCKONFAULT,	CR_VMA_LOCKONFAULT },
	{ VM_DROPPABLE,		CR_VMA_DROPPABLE },
	{ VM_MAYSHARE,		CR_VMA_SHARED },
};

/*
 * VMA flags that are not recorded because restart derives them as
 * mmap(2) does: the mprotect() ceiling, memory accounting and the
 * soft-dirty state of a new VMA, and VM_SHARED, which a shared mapping
 * has when its file is open for writing (%CR_VMA_MAYWRITE).
 */
#define CR_VM_DERIVED	(VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |	\
			 VM_ACCOUNT | VM_SOFTDIRTY | VM_SHARED)

/* Names for the log, for the flags a refused VMA most often has. */
static const struct {
	vm_flags_t vm;
	const char *name;
} cr_vm_flag_names[] = {
	{ VM_UFFD_MISSING,	"VM_UFFD_MISSING (userfaultfd)" },
	{ VM_UFFD_WP,		"VM_UFFD_WP (userfaultfd)" },
	{ VM_UFFD_MINOR,	"VM_UFFD_MINOR (userfaultfd)" },
	{ VM_SEALED,		"VM_SEALED (mseal)" },
	{ VM_MERGEABLE,		"VM_MERGEABLE (KSM)" },
	{ VM_SYNC,		"VM_SYNC (MAP_SYNC)" },
	{ VM_SHADOW_STACK,	"VM_SHADOW_STACK" },
	{ VM_DONTEXPAND,	"VM_DONTEXPAND" },
};

/**
 * cr_vma_flags_to_image() - a VMA's flags as the image records them
 * @vm_flags: the VMA's flags
 * @prot: set to its %CR_PROT_* protection
 * @flags: set to its %CR_VMA_* flags
 * @unknown: set to the flags that are program state but have no image
 *	constant, 0 when there are none
 *
 * Return: true when every flag could be recorded or is derived anew by
 * restart, false when @unknown is not 0 and the VMA must be refused.
 */
bool cr_vma_flags_to_image(vm_flags_t vm_flags, u32 *prot, u32 *flags,
			   vm_flags_t *unknown)
{
	vm_flags_t rest = vm_flags & ~(VM_ACCESS_FLAGS | CR_VM_DERIVED);
	unsigned int i;

	*prot = (vm_flags & VM_READ ? CR_PROT_READ : 0) |
		(vm_flags & VM_WRITE ? CR_PROT_WRITE : 0) |
		(vm_flags & VM_EXEC ? CR_PROT_EXEC : 0);
	*flags = 0;
	for (i = 0; i < ARRAY_SIZE(cr_vma_flags); i++) {
		if (vm_flags & cr_vma_flags[i].vm) {
			*flags |= cr_vma_flags[i].cr;
			rest &= ~cr_vma_flags[i].vm;
		}
	}
	/* Only a shared mapping can lose the mprotect(PROT_WRITE) right. */
	if ((vm_flags & (VM_MAYSHARE | VM_MAYWRITE)) ==
	    (VM_MAYSHARE | VM_MAYWRITE))
		*flags |= CR_VMA_MAYWRITE;
	*unknown = rest;
	return !rest;
}

/**
 * cr_vma_flags_from_image() - the VM flags an image's VMA record asks for
 * @prot: %CR_PROT_* flags, checked to be known
 * @flags: %CR_VMA_* flags, checked to be known
 *
 * Return: the VM flags; the derived ones are left to the caller, which
 * sets them as mmap(2) would, but for VM_SHARED: set for a shared
 * mapping that may be written, as do_mmap() sets it for a file open
 * for writing.
 */
vm_flags_t cr_vma_flags_from_image(u32 prot, u32 flags)
{
	vm_flags_t vm_flags = (prot & CR_PROT_READ ? VM_READ : 0) |
			      (prot & CR_PROT_WRITE ? VM_WRITE : 0) |
			      (prot & CR_PROT_EXEC ? VM_EXEC : 0);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cr_vma_flags); i++)
		if (flags & cr_vma_flags[i].cr)
			vm_flags |= cr_vma_flags[i].vm;
	if ((flags & (CR_VMA_SHARED | CR_VMA_MAYWRITE)) ==
	    (CR_VMA_SHARED | CR_VMA_MAYWRITE))
		vm_flags |= VM_SHARED;
	return vm_flags;
}

/**
 * cr_vm_flag_name() - a name for the log for one VM flag
 * @flag: a single flag
 *
 * Return: its name, or NULL when it has none here.
 */
const char *cr_vm_flag_name(vm_flags_t flag)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cr_vm_flag_names); i++)
		if (cr_vm_flag_names[i].vm && flag == cr_vm_flag_names[i].vm)
			return cr_vm_flag_names[i].name;
	return NULL;
}

/* mm flags that are program state and have an image constant. */
static const struct {
	unsigned int bit;
	u32 cr;
} cr_mm_flags[] = {
	{ MMF_DISABLE_THP,		CR_MM_THP_DISABLE },
	{ MMF_HAS_MDWE,			CR_MM_MDWE },
	{ MMF_HAS_MDWE_NO_INHERIT,	CR_MM_MDWE_NO_INHERIT },
};

/*
 * mm flags that record what the kernel did or derived for itself, not
 * what the program asked for: dumpability (follows the credentials),
 * khugepaged and uprobes registration, OOM handling, huge zero page and
 * pinning history, sharing, and the mmap layout (chosen anew by restart).
 */
#define CR_MMF_KERNEL	(MMF_DUMPABLE_MASK | BIT(MMF_VM_HUGEPAGE) |	\
			 BIT(MMF_HAS_UPROBES) | BIT(MMF_RECALC_UPROBES) | \
			 BIT(MMF_OOM_SKIP) | BIT(MMF_UNSTABLE) |	\
			 BIT(MMF_HUGE_ZERO_PAGE) | BIT(MMF_OOM_REAP_QUEUED) | \
			 BIT(MMF_MULTIPROCESS) | BIT(MMF_HAS_PINNED) |	\
			 BIT(MMF_TOPDOWN))

/**
 * cr_mm_flags_to_image() - an mm's flags as the image records them
 * @mm_flags: the mm's flags
 * @flags: set to its %CR_MM_* flags
 * @dump_filter: set to its core dump filter
 * @unknown: set to the flags that are program state but have no image
 *	constant (KSM's merge-any, say), 0 when there are none
 *
 * Return: true when the mm can be recorded, false when @unknown is not 0.
 */
bool cr_mm_flags_to_image(unsigned long mm_flags, u32 *flags,
			  u32 *dump_filter, unsigned long *unknown)
{
	unsigned long rest = mm_flags & ~(CR_MMF_KERNEL | MMF_DUMP_FILTER_MASK);
	unsigned int i;

	*dump_filter = (mm_flags & MMF_DUMP_FILTER_MASK) >>
		       MMF_DUMP_FILTER_SHIFT;
	*flags = 0;
	for (i = 0; i < ARRAY_SIZE(cr_mm_flags); i++) {
		if (mm_flags & BIT(cr_mm_flags[i].bit)) {
			*flags |= cr_mm_flags[i].cr;
			rest &= ~BIT(cr_mm_flags[i].bit);
		}
	}
	*unknown = rest;
	return !rest;
}

/**
 * cr_mm_flags_from_image() - the mm flags an image's mm record asks for
 * @flags: %CR_MM_* flags, checked to be known
 * @dump_filter: the core dump filter, checked to be within
 *	%CR_MM_DUMP_FILTER
 *
 * Return: the MMF_* bits for the new mm, to be set on top of those it
 * inherits from the caller.
 */
unsigned long cr_mm_flags_from_image(u32 flags, u32 dump_filter)
{
	unsigned long mm_flags = (unsigned long)dump_filter <<
				 MMF_DUMP_FILTER_SHIFT;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cr_mm_flags); i++)
		if (flags & cr_mm_flags[i].cr)
			mm_flags |= BIT(cr_mm_flags[i].bit);
	return mm_flags;
}

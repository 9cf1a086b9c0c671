// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: an address space, its mm record and its VMAs.
 *
 * Checkpoint writes the mm record, the architecture's mm context, then
 * one VMA record per VMA, each followed by its saved pages (pages.c).
 * The mmap lock is held while a record is filled, never while it is
 * written: a write may need locks that rank above it (a file's i_rwsem,
 * a pipe's mutex).
 *
 * Restart builds the new mm beside the caller's, the way execve(2)
 * builds its first stack VMA: VMAs go into a fresh mm_alloc()'d mm
 * under that mm's own mmap lock, as soon as their record is read and
 * checked, and their pages are filled in as they come. The caller's mm
 * is not touched until exec_mmap() swaps the two, after the image has
 * been read to its verified tail; until then, refusing an image only
 * means dropping the new mm.
 */
#include <linux/binfmts.h>
#include <linux/ckpt_lazy.h>
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/kdev_t.h>
#include <linux/khugepaged.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>
#include <linux/string.h>
#include <linux/uprobes.h>

#include "../mm/internal.h"
#include "internal.h"

/* Checkpoint */

static enum cr_vma_type cr_vma_type(struct vm_area_struct *vma)
{
	const char *name;

	if (vma->vm_ops && vma->vm_ops->name) {
		name = vma->vm_ops->name(vma);
		if (name && !strcmp(name, "[vdso]"))
			return CR_VMA_VDSO;
		if (name && !strcmp(name, "[vvar]"))
			return CR_VMA_VVAR;
		return 0;
	}
	if (cr_vma_shmem_kind(vma))
		return CR_VMA_SHMEM;
	if (vma_is_anonymous(vma))
		return CR_VMA_ANON;
	if (vma->vm_file && S_ISREG(file_inode(vma->vm_file)->i_mode))
		return CR_VMA_FILE;
	return 0;
}

/* Why a VMA cannot be saved yet, or NULL when it can. */
static const char *cr_vma_unsupported(struct vm_area_struct *vma,
				      enum cr_vma_type type)
{
	if (type == CR_VMA_VDSO || type == CR_VMA_VVAR)
		return NULL;
	if (is_vm_hugetlb_page(vma))
		return "hugetlb mappings are not supported";
	if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
		return "device mappings are not supported";
	if (!type)
		return "special mappings are not supported";
	return NULL;
}

/* Log the first flag of @unknown that keeps @vma out of the image. */
static void cr_log_vm_flags(struct cr_ctx *ctx, struct vm_area_struct *vma,
			    vm_flags_t unknown)
{
	vm_flags_t flag = unknown & -unknown;
	const char *name = cr_vm_flag_name(flag);

	if (name)
		cr_log(ctx, "vma %#lx-%#lx: %s is not supported", vma->vm_start,
		       vma->vm_end, name);
	else
		cr_log(ctx, "vma %#lx-%#lx: VM flag %#lx has no image constant",
		       vma->vm_start, vma->vm_end, flag);
}

/*
 * Fill the VMA record of @vma in the header buffer: its range, type,
 * flags translated to the image's, for a file its path and identity,
 * for a shared memory object its id (@object).
 */
static long cr_fill_vma(struct cr_ctx *ctx, struct vm_area_struct *vma,
			enum cr_vma_type type, u32 object)
{
	struct cr_hdr_vma *hv;
	vm_flags_t unknown = 0;
	struct timespec64 mtime;
	u32 prot, flags, path_len = 0;
	struct inode *inode;
	const char *path;
	char *pathbuf;

	mmap_assert_locked(ctx->mm);
	if (!cr_vma_flags_to_image(vma->vm_flags, &prot, &flags, &unknown) &&
	    type != CR_VMA_VDSO && type != CR_VMA_VVAR) {
		cr_log_vm_flags(ctx, vma, unknown);
		return -EOPNOTSUPP;
	}
	/* The kernel maps its own vDSO as it likes: only where is kept. */
	if (type == CR_VMA_VDSO || type == CR_VMA_VVAR)
		flags = 0;

	/*
	 * Restart reopens the file by its path: it must still have one.
	 * A file of the kernel's internal mount that is not a shared
	 * memory object is a driver's.
	 */
	if (type == CR_VMA_FILE &&
	    (d_unlinked(vma->vm_file->f_path.dentry) ||
	     vma->vm_file->f_path.mnt->mnt_flags & MNT_INTERNAL)) {
		cr_log(ctx, "vma %#lx-%#lx: %s", vma->vm_start, vma->vm_end,
		       "its file was deleted (or has no path) and cannot be reopened");
		return -EOPNOTSUPP;
	}

	/* The path is formatted at the end of the buffer, then moved. */
	pathbuf = ctx->hbuf + CR_HBUF_SIZE - PATH_MAX;
	if (type == CR_VMA_FILE) {
		path = d_path(&vma->vm_file->f_path, pathbuf, PATH_MAX);
		if (IS_ERR(path)) {
			cr_log(ctx, "vma %#lx-%#lx: the file's path is too long",
			       vma->vm_start, vma->vm_end);
			return PTR_ERR(path);
		}
		path_len = strlen(path) + 1;
		memmove(pathbuf, path, path_len);
	}

	hv = cr_hbuf_get(ctx, CR_HDR_VMA, sizeof(*hv) + path_len);
	hv->start = vma->vm_start;
	hv->end = vma->vm_end;
	hv->prot = prot;
	hv->flags = flags;
	hv->type = type;
	hv->path_len = path_len;
	hv->object = object;
	if (type == CR_VMA_SHMEM)
		hv->pgoff = vma->vm_pgoff;
	if (type == CR_VMA_FILE) {
		inode = file_inode(vma->vm_file);
		mtime = inode_get_mtime(inode);
		hv->pgoff = vma->vm_pgoff;
		hv->dev = new_encode_dev(inode->i_sb->s_dev);
		hv->ino = inode->i_ino;
		hv->size = i_size_read(inode);
		hv->mtime_sec = mtime.tv_sec;
		hv->mtime_nsec = mtime.tv_nsec;
		memcpy(hv + 1, pathbuf, path_len);
	}
	return hv->h.len;
}

/*
 * Fill the record of the VMA at or after *addr, under the mmap lock;
 * *addr and *end get the VMA's range, and *save_pages whether its pages
 * are saved. Returns the record's length, 0 when there is no VMA left,
 * or a negative errno: -EAGAIN when the VMA maps a shared memory object
 * not saved yet, whose file is then in *@object, referenced, and its
 * kind in *@kind, to save first (cr_write_shmem() cannot write under
 * the mmap lock).
 */
static long cr_next_vma(struct cr_ctx *ctx, unsigned long *addr,
			unsigned long *end, bool *save_pages,
			struct file **object, u32 *kind)
{
	VMA_ITERATOR(vmi, ctx->mm, *addr);
	struct vm_area_struct *vma;
	enum cr_vma_type type;
	const char *why;
	void *id = NULL;
	long len;

	len = mmap_read_lock_killable(ctx->mm);
	if (len)
		return len;
	vma = vma_find(&vmi, ULONG_MAX);
	if (!vma)
		goto unlock;
	type = cr_vma_type(vma);
	why = cr_vma_unsupported(vma, type);
	if (why) {
		cr_log(ctx, "vma %#lx-%#lx flags %#lx: %s", vma->vm_start,
		       vma->vm_end, vma->vm_flags, why);
		len = -EOPNOTSUPP;
		goto unlock;
	}
	*addr = vma->vm_start;
	if (type == CR_VMA_SHMEM) {
		id = xa_load(&ctx->shmem_ids,
			     (unsigned long)file_inode(vma->vm_file));
		if (!id) {
			*object = get_file(vma->vm_file);
			*kind = cr_vma_shmem_kind(vma);
			len = -EAGAIN;
			goto unlock;
		}
	}
	len = cr_fill_vma(ctx, vma, type, xa_to_value(id));
	*end = vma->vm_end;
	/*
	 * The vDSO's contents are the kernel's. Memory a fork child gets
	 * zeroed (VM_WIPEONFORK) holds per-process secrets such as RNG
	 * state: restored zeroed, never replayed.
	 */
	*save_pages = (type == CR_VMA_ANON || type == CR_VMA_FILE ||
		       type == CR_VMA_SHMEM) &&
		      !(vma->vm_flags & (VM_WIPEONFORK | VM_MAYSHARE));
unlock:
	mmap_read_unlock(ctx->mm);
	return len;
}

static int cr_write_vmas(struct cr_ctx *ctx, unsigned int map_count)
{
	unsigned long addr = 0, end;
	struct file *object;
	unsigned int nr = 0;
	bool save_pages;
	u32 id, kind;
	long len;
	int ret;

	for (;;) {
		len = cr_next_vma(ctx, &addr, &end, &save_pages, &object,
				  &kind);
		if (len == -EAGAIN) {
			/* The object first, then the VMA again. */
			ret = cr_write_shmem(ctx, object, kind, &id);
			fput(object);
			if (ret)
				return ret;
			continue;
		}
		if (len <= 0) {
			ret = len;
			break;
		}
		ret = cr_hbuf_put(ctx, len);
		if (ret)
			return ret;
		if (save_pages) {
			ret = cr_write_vma_pages(ctx, addr, end);
			if (ret)
				return ret;
		}
		nr++;
		addr = end;
	}
	if (!ret && nr != map_count) {
		cr_log(ctx, "the address space changed during the checkpoint");
		ret = -EBUSY;
	}
	return ret;
}

/**
 * cr_write_mm() - save an address space
 * @ctx: checkpoint context, with @ctx->mm referenced
 * @id: the address space's id
 *
 * Writes the mm record, the architecture's mm context, and every VMA with
 * its pages, and before its first VMA that maps it, each shared memory
 * object not saved yet. Refuses (-EOPNOTSUPP, with a log line naming
 * the VMA) what cannot be saved yet: hugetlb (SysV segments of huge
 * pages included), device and other special mappings, and a VMA or mm
 * flag the image has no constant for.
 *
 * Return: 0 or a negative errno.
 */
int cr_write_mm(struct cr_ctx *ctx, u32 id)
{
	struct mm_struct *mm = ctx->mm;
	unsigned long unknown;
	unsigned int map_count;
	struct cr_hdr_mm *hm;
	int ret;

	/* A task still lazy: what is in the image is read back first. */
	if (mm_lazy(mm)) {
		ret = ckpt_lazy_fill_range(mm, 0, TASK_SIZE);
		if (ret) {
			cr_log(ctx,
			       "the task's lazy pages cannot all be filled from its image: error %d",
			       ret);
			return ret;
		}
	}

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	hm = cr_hbuf_get(ctx, CR_HDR_MM, sizeof(*hm));
	hm->start_code = mm->start_code;
	hm->end_code = mm->end_code;
	hm->start_data = mm->start_data;
	hm->end_data = mm->end_data;
	hm->start_brk = mm->start_brk;
	hm->brk = mm->brk;
	hm->start_stack = mm->start_stack;
	spin_lock(&mm->arg_lock);
	hm->arg_start = mm->arg_start;
	hm->arg_end = mm->arg_end;
	hm->env_start = mm->env_start;
	hm->env_end = mm->env_end;
	spin_unlock(&mm->arg_lock);
	if (!cr_mm_flags_to_image(mm->flags, &hm->flags, &hm->dump_filter,
				  &unknown)) {
		cr_log(ctx, "mm flags %#lx have no image constant (KSM?)",
		       unknown);
		ret = -EOPNOTSUPP;
	}
	hm->map_count = mm->map_count;
	hm->id = id;
	map_count = mm->map_count;
	mmap_read_unlock(mm);

	if (!ret)
		ret = cr_hbuf_put(ctx, sizeof(*hm));
	if (!ret)
		ret = cr_arch_write_mm_context(ctx, mm);
	if (!ret)
		ret = cr_write_vmas(ctx, map_count);
	return ret;
}

/* Restart */

/*
 * Start the new address space from the mm record, as bprm_mm_init() and
 * setup_new_exec() start one for execve(2). It inherits what execve(2)
 * would leave the caller: its dumpability and memory-deny-
 * write-execute setting, a fresh mmap layout, and its executable as
 * /proc/self/exe. Bounds, brk, the dump filter, the THP opt-out and the
 * image's own memory-deny-write-execute come from the image.
 */
static int cr_mm_create(struct cr_rst *r)
{
	struct mm_struct *mm, *old = current->mm;
	struct cr_hdr_mm *hm = &r->mmrec;
	struct rlimit rlim_stack;
	struct ckpt_lazy *lazy;
	unsigned long kept;
	struct file *exe;
	int ret = 0;

	mm = mm_alloc();
	if (!mm)
		return -ENOMEM;
	r->mm = mm;

	task_lock(current->group_leader);
	rlim_stack = current->signal->rlim[RLIMIT_STACK];
	task_unlock(current->group_leader);
	arch_pick_mmap_layout(mm, &rlim_stack);
	mm->task_size = TASK_SIZE;
	cr_arch_init_mm(mm, old);

	mm->start_code = hm->start_code;
	mm->end_code = hm->end_code;
	mm->start_data = hm->start_data;
	mm->end_data = hm->end_data;
	mm->start_brk = hm->start_brk;
	mm->brk = hm->brk;
	mm->start_stack = hm->start_stack;
	mm->arg_start = hm->arg_start;
	mm->arg_end = hm->arg_end;
	mm->env_start = hm->env_start;
	mm->env_end = hm->env_end;
	/* The caller's MDWE stays, as across execve: restart adds, never drops. */
	kept = MMF_DUMP_FILTER_MASK | MMF_DISABLE_THP_MASK;
	mm->flags = (mm->flags & ~kept) |
		    cr_mm_flags_from_image(hm->flags, hm->dump_filter);

	if (r->ctx->flags & RESTART_LAZY) {
		lazy = ckpt_lazy_create(mm, r->ctx->file, r->base);
		if (IS_ERR(lazy)) {
			cr_log(r->ctx, "cannot restart lazily from the image: error %ld%s",
			       PTR_ERR(lazy), PTR_ERR(lazy) == -ETXTBSY ?
			       " (it is open for writing)" : "");
			return PTR_ERR(lazy);
		}
	}

	/* Core dumps of the restored task use the caller's format. */
	mm->binfmt = old->binfmt;
	if (mm->binfmt)
		__module_get(mm->binfmt->module);

	exe = get_mm_exe_file(old);
	if (exe) {
		ret = set_mm_exe_file(mm, exe);
		fput(exe);
	}
	return ret;
}

/* The VM flags of a new VMA for @hv, as mmap(2) would set them. */
static vm_flags_t cr_vm_flags(const struct cr_hdr_vma *hv)
{
	vm_flags_t flags = cr_vma_flags_from_image(hv->prot, hv->flags) |
			   VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
			   VM_SOFTDIRTY;

	if (sysctl_overcommit_memory == OVERCOMMIT_NEVER)
		flags &= ~VM_NORESERVE;
	/* What do_mmap() adds to MAP_DROPPABLE memory. */
	if (flags & VM_DROPPABLE)
		flags |= VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP;
	/* do_mmap(): a shared mapping of a file not open for writing */
	if ((flags & (VM_MAYSHARE | VM_SHARED)) == VM_MAYSHARE)
		flags &= ~VM_MAYWRITE;
	/* accountable_mapping(): shared memory is charged by its object */
	if ((flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE)
		flags |= VM_ACCOUNT;
	return flags;
}

static unsigned long cr_vm_prot(vm_flags_t flags)
{
	return (flags & VM_READ ? PROT_READ : 0) |
	       (flags & VM_WRITE ? PROT_WRITE : 0) |
	       (flags & VM_EXEC ? PROT_EXEC : 0);
}

/* One log line about the VMA being mapped, the VMA named first. */
static __printf(2, 3) void cr_vma_log(struct cr_rst *r, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	cr_log(r->ctx, "VMA %#llx-%#llx: %pV", r->vma.start, r->vma.end, &vaf);
	va_end(args);
}

/*
 * Open the file of a file mapping by its recorded path, with the
 * caller's credentials and root, as mmap(2) of it would need (for
 * writing too when @write: a shared mapping that may be written), and
 * check it is the file checkpointed. There is no window between the check and
 * the open: the path is resolved once, with O_PATH (which opens nothing:
 * a FIFO cannot block us, a device sees no open), the type is checked
 * on that, and the very same path is then opened for reading, with the
 * permission check may_open() would make. Identity (device, inode, size,
 * mtime) is checked on the file opened. A file that is not the one
 * checkpointed gets -ESTALE: its clean pages would not match the saved
 * dirty ones.
 */
static struct file *cr_open_file(struct cr_rst *r, const char *name,
				 bool write)
{
	int mask = MAY_OPEN | MAY_READ | (write ? MAY_WRITE : 0);
	int flags = (write ? O_RDWR : O_RDONLY) | O_LARGEFILE;
	struct cr_hdr_vma *hv = &r->vma;
	struct timespec64 mtime;
	struct file *opath, *file;
	struct inode *inode;
	int ret;

	opath = filp_open(name, O_PATH | O_LARGEFILE, 0);
	if (IS_ERR(opath)) {
		ret = PTR_ERR(opath);
		cr_log(r->ctx, "cannot open %s for VMA %#llx-%#llx: error %d",
		       name, hv->start, hv->end, ret);
		return opath;
	}
	inode = file_inode(opath);
	if (!S_ISREG(inode->i_mode)) {
		cr_log(r->ctx, "%s is not a regular file", name);
		file = ERR_PTR(-ESTALE);
		goto out;
	}
	/*
	 * As may_open() does for a regular file; for writing, the open
	 * takes write access to the mount and the inode (EROFS, ETXTBSY).
	 */
	ret = inode_permission(file_mnt_idmap(opath), inode, mask);
	file = ret ? ERR_PTR(ret) :
		     dentry_open(&opath->f_path, flags, current_cred());
	if (IS_ERR(file)) {
		cr_log(r->ctx, "cannot open %s for VMA %#llx-%#llx: error %ld",
		       name, hv->start, hv->end, PTR_ERR(file));
		goto out;
	}

	inode = file_inode(file);
	mtime = inode_get_mtime(inode);
	if (new_encode_dev(inode->i_sb->s_dev) != hv->dev ||
	    inode->i_ino != hv->ino || i_size_read(inode) != hv->size ||
	    mtime.tv_sec != hv->mtime_sec || mtime.tv_nsec != hv->mtime_nsec) {
		cr_log(r->ctx, "%s is not the file checkpointed, or changed since",
		       name);
		fput(file);
		file = ERR_PTR(-ESTALE);
	}
out:
	fput(opath);
	return file;
}

/*
 * The checks do_mmap() makes of a mapping of @file (NULL for anonymous
 * memory, shared or not) at a fixed address, before it maps anything:
 * the offset must not wrap nor pass the file's largest size
 * (file_mmap_ok(), -EOVERFLOW); the file must be mappable (-ENODEV),
 * executable mappings must not come from a noexec mount (-EPERM); a
 * shared mapping that may be written must not be of an append-only file
 * (-EACCES) nor, writable, of a swap file (-ETXTBSY); a memfd's seals
 * must allow the mapping (memfd_check_seals_mmap(), which may clear
 * VM_MAYWRITE in *@flags, -EPERM); the address must be one
 * get_unmapped_area() grants for MAP_FIXED, which applies the file's own
 * placement rules, TASK_SIZE, vm.mmap_min_addr with CAP_SYS_RAWIO and
 * the LSM's security_mmap_addr(); the caller's RLIMIT_MEMLOCK holds
 * locked memory (mlock_future_ok(), -EAGAIN, and can_do_mlock(), -EPERM);
 * the LSM agrees to the mapping (security_mmap_file(), as
 * vm_mmap_pgoff() asks it, anonymous memory included). May clear
 * VM_MAYEXEC in *@flags, as do_mmap() does.
 */
static int cr_mmap_checks(struct cr_rst *r, struct file *file,
			  vm_flags_t *flags)
{
	struct cr_hdr_vma *hv = &r->vma;
	unsigned long len = hv->end - hv->start;
	unsigned long mflags = (*flags & VM_MAYSHARE ? MAP_SHARED : MAP_PRIVATE) |
			       MAP_FIXED;
	unsigned long addr, maxsize;
	struct inode *inode;
	int ret;

	if (file) {
		/*
		 * file_mmap_ok(), with do_mmap()'s wrap check before it; the
		 * file is regular, for which file_mmap_size_max() gives
		 * MAX_LFS_FILESIZE.
		 */
		maxsize = MAX_LFS_FILESIZE;
		if (hv->pgoff + (len >> PAGE_SHIFT) < hv->pgoff ||
		    (maxsize && len > maxsize) ||
		    hv->pgoff > (maxsize - len) >> PAGE_SHIFT)
			return cr_refuse(r, -EOVERFLOW,
					 "VMA %#llx-%#llx: file offset %#llx out of range",
					 hv->start, hv->end, hv->pgoff);
		if (!file->f_op->mmap) {
			cr_vma_log(r, "the file cannot be mapped");
			return -ENODEV;
		}
		if (path_noexec(&file->f_path)) {
			if (*flags & VM_EXEC) {
				cr_vma_log(r, "an executable mapping of a file on a noexec mount");
				return -EPERM;
			}
			*flags &= ~VM_MAYEXEC;
		}
		inode = file_inode(file);
		if (*flags & VM_SHARED && IS_APPEND(inode)) {
			cr_vma_log(r, "a shared writable mapping of an append-only file");
			return -EACCES;
		}
		if (*flags & VM_SHARED && *flags & VM_WRITE &&
		    IS_SWAPFILE(inode)) {
			cr_vma_log(r, "a shared writable mapping of a swap file");
			return -ETXTBSY;
		}
		ret = memfd_check_seals_mmap(file, flags);
		if (ret) {
			cr_vma_log(r, "the memfd's seals forbid the mapping");
			return ret;
		}
	} else {
		mflags |= MAP_ANONYMOUS;
	}

	addr = get_unmapped_area(file, hv->start, len, hv->pgoff, mflags);
	if (IS_ERR_VALUE(addr) || addr != hv->start) {
		ret = IS_ERR_VALUE(addr) ? (long)addr : -EINVAL;
		cr_vma_log(r, "mmap(2) would refuse the address: error %d", ret);
		return ret;
	}

	if (*flags & VM_LOCKED) {
		if (!can_do_mlock()) {
			cr_vma_log(r, "locked, and the caller may not lock memory");
			return -EPERM;
		}
		if (!mlock_future_ok(r->mm, *flags, len)) {
			cr_vma_log(r, "locked beyond the caller's RLIMIT_MEMLOCK");
			return -EAGAIN;
		}
	}

	ret = security_mmap_file(file, cr_vm_prot(*flags), mflags);
	if (ret)
		cr_vma_log(r, "the mapping was refused: error %d", ret);
	return ret;
}

/* VM flags that a file's ->mmap may set and a restored VMA may carry. */
#define CR_VM_AFTER_MMAP	(VM_ACCESS_FLAGS | VM_MAYREAD | VM_MAYWRITE | \
				 VM_MAYEXEC | VM_ACCOUNT | VM_SOFTDIRTY)

/*
 * Insert a VMA for @r->vma into the new mm. This stands in for the part
 * of mmap_region() that a new, empty mm needs: may_expand_vm() for the
 * address space and data limits, for a shared mapping that may be
 * written mapping_map_writable() (which a sealed memfd refuses, -EPERM),
 * the file's ->mmap, or shmem_zero_setup()'s work for shared anonymous
 * memory (@shm, the object restart made for it), insert_vm_struct()
 * (which charges VM_ACCOUNT memory as mmap_region() does), the locked
 * memory count, the statistics and the uprobe hook; khugepaged's comes
 * at commit (cr_khugepaged_enter()).
 * What a file's ->mmap made of the VMA is checked again, as checkpoint
 * checks a VMA: a file whose ->mmap turns it into I/O, PFN or hugetlb
 * memory, or a special mapping, is refused (-EOPNOTSUPP).
 */
static int cr_insert_vma(struct cr_rst *r, struct file *file,
			 struct file *shm, vm_flags_t flags)
{
	struct cr_hdr_vma *hv = &r->vma;
	struct mm_struct *mm = r->mm;
	struct vm_area_struct *vma;
	unsigned long npages = (hv->end - hv->start) >> PAGE_SHIFT;
	bool writable = file && is_shared_maywrite(flags);
	vm_flags_t unknown;
	u32 prot, crflags;
	int ret;

	mmap_assert_write_locked(mm);
	if (!may_expand_vm(mm, flags, npages)) {
		cr_vma_log(r, "beyond the caller's RLIMIT_AS or RLIMIT_DATA");
		return -ENOMEM;
	}
	if (writable) {
		ret = mapping_map_writable(file->f_mapping);
		if (ret) {
			cr_vma_log(r, "shared and writable, but its file is sealed against writes");
			return ret;
		}
	}
	ret = -ENOMEM;
	vma = vm_area_alloc(mm);
	if (!vma)
		goto out;
	vma->vm_start = hv->start;
	vma->vm_end = hv->end;
	vm_flags_init(vma, flags);
	vma->vm_page_prot = vm_get_page_prot(flags);
	if (file) {
		vma->vm_pgoff = hv->pgoff;
		vma->vm_file = get_file(file);
		ret = call_mmap(file, vma);
		if (ret)
			goto err_file;
		if ((vma->vm_ops && vma->vm_ops->name) ||
		    is_vm_hugetlb_page(vma) ||
		    !cr_vma_flags_to_image(vma->vm_flags & ~CR_VM_AFTER_MMAP,
					   &prot, &crflags, &unknown) ||
		    (vma->vm_flags ^ flags) & (VM_SHARED | VM_MAYSHARE) ||
		    vma->vm_flags & VM_SPECIAL) {
			cr_vma_log(r, "the file made it a mapping checkpoint refuses (flags %#lx)",
				   vma->vm_flags);
			ret = -EOPNOTSUPP;
			goto err_close;
		}
	} else if (shm) {
		vma->vm_pgoff = hv->pgoff;
		shmem_zero_setup_file(vma, shm);
	} else {
		vma_set_anonymous(vma);
	}

	ret = insert_vm_struct(mm, vma);
	if (ret)
		goto err_close;
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm += npages;
	vm_stat_account(mm, vma->vm_flags, npages);
	if (vma->vm_file)
		uprobe_mmap(vma);
	/* khugepaged comes in at commit: cr_khugepaged_enter(). */
	goto out;

err_close:
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
err_file:
	if (vma->vm_file)
		fput(vma->vm_file);
	vm_area_free(vma);
out:
	/* The VMA, once linked, holds write access of its own. */
	if (writable)
		mapping_unmap_writable(file->f_mapping);
	return ret;
}

/**
 * cr_khugepaged_enter() - let khugepaged at an address space restart built
 * @mm: the address space, of a task of the restored tree
 *
 * What mmap_region() does for each new VMA (khugepaged_enter_vma()),
 * done at commit for the whole address space: before, khugepaged could
 * collapse a range while restart still puts pages into it, or links a
 * child's pages to its parent's, and zero-fill what is not there yet.
 */
void cr_khugepaged_enter(struct mm_struct *mm)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma;

	mmap_read_lock(mm);
	for_each_vma(vmi, vma)
		khugepaged_enter_vma(vma, vma->vm_flags);
	mmap_read_unlock(mm);
}

/*
 * Map the VMA just read into the new mm: anonymous memory empty, a file
 * mapping from its reopened file, a shared memory object from the object
 * restart made of it; the pages saved for a private mapping follow in
 * the image. The vDSO and its data pages are only noted: the running
 * kernel's are mapped at the recorded address on commit. Returns 0, or
 * a negative errno with a log line: -EINVAL for flags mmap(2) would
 * refuse, -EACCES for a writable and executable mapping under
 * memory-deny-write-execute, the errors of cr_open_file(),
 * cr_mmap_checks() and cr_insert_vma(), or -ENOMEM beyond the caller's
 * limits.
 */
static int cr_map_vma(struct cr_rst *r, const char *path)
{
	struct cr_hdr_vma *hv = &r->vma;
	vm_flags_t flags = cr_vm_flags(hv);
	struct file *file = NULL, *shm = NULL;
	const struct cr_rshmem *obj;
	int ret;

	if (test_bit(MMF_HAS_MDWE, &r->mm->flags) &&
	    (flags & (VM_WRITE | VM_EXEC)) == (VM_WRITE | VM_EXEC)) {
		cr_log(r->ctx, "VMA %#llx-%#llx: %s", hv->start, hv->end,
		       "writable and executable, which the caller may not map");
		return -EACCES;
	}
	if (hv->type == CR_VMA_FILE) {
		file = cr_open_file(r, path, hv->flags & CR_VMA_MAYWRITE);
		if (IS_ERR(file))
			return PTR_ERR(file);
	} else if (hv->type == CR_VMA_SHMEM) {
		obj = cr_shmem_get(r, hv->object, 0);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
		/* mmap(2) sees no file for shared anonymous memory. */
		if (obj->kind == CR_SHMEM_ANON)
			shm = obj->file;
		else if (obj->kind == CR_SHMEM_SYSV)
			file = cr_sysvshm_attach(r, obj, flags);
		else
			file = get_file(obj->file);
		if (IS_ERR(file))
			return PTR_ERR(file);
	}

	ret = cr_mmap_checks(r, file, &flags);
	if (!ret)
		ret = mmap_write_lock_killable(r->mm);
	if (!ret) {
		ret = cr_insert_vma(r, file, shm, flags);
		mmap_write_unlock(r->mm);
		if (ret == -ENOMEM)
			cr_log(r->ctx, "cannot map VMA %#llx-%#llx: error %d",
			       hv->start, hv->end, ret);
	}
	if (file)
		fput(file);
	return ret;
}

/*
 * Check one VMA record; @prev_end is where the previous VMA ended. Shared
 * anonymous memory must be shared: an object is checked for its kind
 * here, whether or not restart could make it.
 */
static int cr_check_vma(struct cr_rst *r, struct cr_hdr_vma *hv,
			u64 prev_end)
{
	bool file = hv->type == CR_VMA_FILE;
	bool shmem = hv->type == CR_VMA_SHMEM;
	bool special = hv->type == CR_VMA_VDSO || hv->type == CR_VMA_VVAR;
	char *path = (char *)(hv + 1);
	const struct cr_rshmem *obj;

	if (hv->start >= hv->end || !PAGE_ALIGNED(hv->start) ||
	    !PAGE_ALIGNED(hv->end) || !cr_user_addr(hv->end))
		return cr_bad(r, "VMA %#llx-%#llx is not a user range",
			      hv->start, hv->end);
	if (hv->start < prev_end)
		return cr_bad(r, "VMA %#llx-%#llx overlaps or is out of order",
			      hv->start, hv->end);
	if (hv->type < CR_VMA_ANON || hv->type > CR_VMA_SHMEM)
		return cr_bad(r, "unknown VMA type %u", hv->type);
	if (hv->prot & ~CR_PROT_ALL)
		return cr_bad(r, "VMA %#llx-%#llx: unknown protection %#x",
			      hv->start, hv->end, hv->prot & ~CR_PROT_ALL);
	if (hv->flags & ~CR_VMA_FLAGS || (special && hv->flags))
		return cr_bad(r, "VMA %#llx-%#llx: flags %#x not allowed",
			      hv->start, hv->end, hv->flags);
	if ((!shmem && hv->object) || (!file && !shmem && hv->pgoff))
		return cr_bad(r, "VMA %#llx-%#llx: fields that must be zero are not",
			      hv->start, hv->end);
	if (shmem) {
		obj = cr_shmem_get(r, hv->object, 0);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
		if (obj->kind != CR_SHMEM_MEMFD && !(hv->flags & CR_VMA_SHARED))
			return cr_bad(r,
				      "VMA %#llx-%#llx: shared anonymous memory or a SysV segment mapped private",
				      hv->start, hv->end);
		/* file_mmap_ok() for a shmem file, which mmap(2) of a memfd checks */
		if (hv->pgoff > (MAX_LFS_FILESIZE - (hv->end - hv->start)) >>
				PAGE_SHIFT)
			return cr_bad(r, "VMA %#llx-%#llx: object offset %#llx out of range",
				      hv->start, hv->end, hv->pgoff);
	}
	/*
	 * What mmap(2) makes of MAP_SHARED: only of a file or an object,
	 * never growing, writable only when the file may be written.
	 */
	if ((hv->flags & CR_VMA_SHARED && !file && !shmem) ||
	    (hv->flags & CR_VMA_MAYWRITE && !(hv->flags & CR_VMA_SHARED)) ||
	    (hv->flags & CR_VMA_SHARED && hv->prot & CR_PROT_WRITE &&
	     !(hv->flags & CR_VMA_MAYWRITE)))
		return cr_bad(r, "VMA %#llx-%#llx: sharing flags %#x mmap(2) would refuse",
			      hv->start, hv->end, hv->flags);
	/*
	 * What mmap(2), madvise(2) and mlock2(2) refuse: a growing file
	 * mapping, wiped or droppable file memory, a droppable stack or
	 * locked droppable memory, lock-on-fault without the lock.
	 */
	if (((file || shmem) &&
	     hv->flags & (CR_VMA_GROWSDOWN | CR_VMA_WIPEONFORK |
			  CR_VMA_DROPPABLE)) ||
	    (hv->flags & CR_VMA_DROPPABLE &&
	     hv->flags & (CR_VMA_GROWSDOWN | CR_VMA_LOCKED)) ||
	    (hv->flags & (CR_VMA_LOCKED | CR_VMA_LOCKONFAULT)) ==
	    CR_VMA_LOCKONFAULT)
		return cr_bad(r, "VMA %#llx-%#llx: flags %#x mmap(2) would refuse",
			      hv->start, hv->end, hv->flags);
	if (hv->h.len != ALIGN(sizeof(*hv) + hv->path_len, CR_HDR_ALIGN) ||
	    (file && (hv->path_len < 2 ||
		      strnlen(path, hv->path_len) != hv->path_len - 1)) ||
	    (!file && hv->path_len))
		return cr_bad(r, "VMA %#llx-%#llx: bad file path",
			      hv->start, hv->end);
	return 0;
}

/*
 * Map a VMA just read. A failure that is not the image's (a file that
 * cannot be opened or changed, the caller's memory limits) is kept in
 * @r->err while reading goes on without mapping, so that a damaged
 * image is still reported as damaged once the checksum is known.
 */
static int cr_add_vma(struct cr_rst *r, const char *path)
{
	int ret;

	if (r->vma.type == CR_VMA_VVAR || r->vma.type == CR_VMA_VDSO)
		return cr_arch_note_vdso(r, &r->vdso, &r->vma);
	if (r->err)
		return 0;
	ret = cr_map_vma(r, path);
	if (ret == -EINVAL || ret == -EINTR)
		return ret;
	r->err = ret;
	return 0;
}

/*
 * The VMAs with their pages, up to and including the header of the
 * record after them: each VMA is mapped into the new mm as soon as it is
 * read, and its pages are read into it as they come. A shared memory
 * object comes, with its pages, before the first VMA that maps it.
 */
static int cr_read_vmas(struct cr_rst *r, u32 map_count)
{
	u64 prev_end = 0, next = 0;
	struct cr_hdr_vma *v;
	u32 nr = 0;
	int ret;

	ret = cr_read_hdr(r);
	while (!ret && (r->hdr.type == CR_HDR_VMA ||
			r->hdr.type == CR_HDR_PGARR ||
			r->hdr.type == CR_HDR_SHMEM)) {
		if (r->hdr.type == CR_HDR_SHMEM) {
			/* Its pages are its own: none of the last VMA's follow. */
			ret = cr_read_shmem(r);
			if (!ret)
				ret = cr_read_hdr(r);
			if (!ret && r->hdr.type != CR_HDR_VMA)
				ret = cr_bad(r, "a shared memory object no VMA maps next");
			continue;
		}
		if (r->hdr.type == CR_HDR_PGARR) {
			ret = nr ? cr_read_vma_pages(r, &next) :
				   cr_bad(r, "pages before any VMA");
			if (!ret)
				ret = cr_read_hdr(r);
			continue;
		}
		v = cr_read_body(r, CR_HDR_VMA, sizeof(*v),
				 sizeof(*v) + PATH_MAX);
		ret = IS_ERR(v) ? PTR_ERR(v) : 0;
		if (!ret && ++nr > map_count)
			ret = cr_bad(r, "more VMAs than announced");
		if (!ret)
			ret = cr_check_vma(r, v, prev_end);
		if (!ret) {
			r->vma = *v;	/* the header buffer is reused */
			prev_end = v->end;
			next = 0;
			ret = cr_add_vma(r, (char *)(v + 1));
		}
		if (!ret)
			ret = cr_read_hdr(r);
	}
	/* The next record's header is read: it ends this mm. */
	r->peeked = !ret;
	if (!ret && nr != map_count)
		ret = cr_bad(r, "%u VMAs where %u were announced", nr,
			     map_count);
	return ret ? ret : cr_arch_check_vdso(r, &r->vdso);
}

/*
 * The bounds of the mm record, held to the rules prctl(PR_SET_MM_MAP)
 * applies to the same values (validate_prctl_map_addr(), which is
 * static): every address in [mmap_min_addr, TASK_SIZE), the pairs in
 * order, and the heap and data within the caller's RLIMIT_DATA
 * (check_data_rlimit(), as brk(2) applies it too; a limit, not damage:
 * kept in @r->err).
 */
static int cr_check_mm_bounds(struct cr_rst *r, const struct cr_hdr_mm *hm)
{
	const u64 addrs[] = {
		hm->start_code, hm->end_code, hm->start_data, hm->end_data,
		hm->start_brk, hm->brk, hm->start_stack, hm->arg_start,
		hm->arg_end, hm->env_start, hm->env_end,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		if (addrs[i] >= TASK_SIZE || addrs[i] < mmap_min_addr)
			return cr_bad(r, "address space bound %#llx outside [%#lx, %#lx)",
				      addrs[i], mmap_min_addr, TASK_SIZE);
	if (hm->start_code >= hm->end_code || hm->start_data > hm->end_data ||
	    hm->start_brk > hm->brk || hm->arg_start > hm->arg_end ||
	    hm->env_start > hm->env_end)
		return cr_bad(r, "inconsistent address space bounds");
	if (check_data_rlimit(rlimit(RLIMIT_DATA), hm->brk, hm->start_brk,
			      hm->end_data, hm->start_data)) {
		cr_log(r->ctx, "the heap and data exceed the caller's RLIMIT_DATA");
		r->err = -ENOMEM;
	}
	return 0;
}

/*
 * Fault in every page of the locked VMAs, as mmap(2) of MAP_LOCKED memory
 * and mlock(2) do (populate_vma_page_range()); lock-on-fault VMAs are
 * left to fault. The pages the image filled are in already.
 */
static int cr_populate_locked(struct cr_rst *r)
{
	VMA_ITERATOR(vmi, r->mm, 0);
	struct vm_area_struct *vma;
	long ret;

	ret = mmap_read_lock_killable(r->mm);
	if (ret)
		return ret;
	for_each_vma(vmi, vma) {
		if ((vma->vm_flags & (VM_LOCKED | VM_LOCKONFAULT)) != VM_LOCKED)
			continue;
		ret = populate_vma_page_range(vma, vma->vm_start, vma->vm_end,
					      NULL);
		if (ret < 0)
			break;
		ret = 0;
	}
	mmap_read_unlock(r->mm);
	if (ret == -EINTR)
		return ret;
	if (ret) {
		cr_log(r->ctx, "cannot fault in the locked memory: error %ld", ret);
		r->err = ret;
	}
	return 0;
}

/**
 * cr_read_mm() - read the address space and build it in a new mm
 * @r: restart state; @r->mm is set to the new mm once allocated, for the
 *	caller to drop or commit
 *
 * Reads the mm record, the architecture's mm context and every VMA with
 * its pages, up to and including the header of the record after them,
 * which it leaves in @r->hdr for the next reader (@r->peeked).
 *
 * Return: 0, -EINVAL (logged) for a malformed image, -EOPNOTSUPP
 * (logged) for state this kernel cannot restore, or the errno of a
 * failed read; a failure that is not the image's is left in @r->err.
 */
int cr_read_mm(struct cr_rst *r)
{
	struct cr_hdr_mm *hm;
	int ret;

	hm = cr_read_rec(r, CR_HDR_MM, sizeof(*hm), sizeof(*hm));
	if (IS_ERR(hm))
		return PTR_ERR(hm);
	ret = cr_check_mm_bounds(r, hm);
	if (ret)
		return ret;
	if (hm->flags & ~CR_MM_FLAGS)
		return cr_bad(r, "unknown mm flags %#x", hm->flags & ~CR_MM_FLAGS);
	if (hm->dump_filter & ~CR_MM_DUMP_FILTER)
		return cr_bad(r, "bad core dump filter %#x", hm->dump_filter);
	if (hm->id != r->mmid)
		return cr_bad(r, "address space %u where %u belongs", hm->id,
			      r->mmid);
	if (!hm->map_count || hm->map_count > sysctl_max_map_count)
		return cr_bad(r, "%u VMAs", hm->map_count);
	r->mmrec = *hm;

	ret = cr_arch_read_mm_context(r);
	if (!ret)
		ret = cr_mm_create(r);
	if (!ret)
		ret = cr_read_vmas(r, r->mmrec.map_count);
	if (!ret && !r->err)
		ret = cr_populate_locked(r);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: building the restored address space.
 *
 * restart(2) builds the new mm beside the caller's, the way execve(2)
 * builds its first stack VMA: VMAs go into a fresh mm_alloc()'d mm
 * under that mm's own mmap lock, and saved pages are written into it
 * through get_user_pages_remote(), as ptrace pokes a stopped task. The
 * caller's mm is not touched until exec_mmap() swaps the two, after the
 * image has been read to its verified tail; until then, refusing an
 * image only means dropping the new mm.
 */
#include <linux/binfmts.h>
#include <linux/ckpt.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/khugepaged.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/memcontrol.h>
#include <linux/namei.h>
#include <linux/pram.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/swap.h>
#include <linux/rmap.h>
#include <linux/uprobes.h>

/*
 * VM flags taken from the image. The VM_MAY* flags, VM_SOFTDIRTY and
 * accounting are derived as mmap(2) derives them, never copied.
 */
#define CR_VM_KEPT	(VM_READ | VM_WRITE | VM_EXEC | VM_GROWSDOWN |	\
			 VM_SEQ_READ | VM_RAND_READ | VM_DONTCOPY |	\
			 VM_DONTDUMP | VM_WIPEONFORK | VM_HUGEPAGE |	\
			 VM_NOHUGEPAGE | VM_NORESERVE | VM_ACCOUNT)

/* mm flags taken from the image: the core dump filter and THP opt-out. */
#define CR_MMF_KEPT	(MMF_DUMP_FILTER_MASK | MMF_DISABLE_THP_MASK)

/**
 * cr_mm_create() - start the new address space from the mm record
 * @r: restart state; @r->mmrec has been checked
 *
 * The new mm inherits what execve(2) would leave the caller: its
 * dumpability and memory-deny-write-execute setting, a fresh mmap
 * layout, and its executable as /proc/self/exe. Bounds, brk and the
 * dump filter come from the image.
 *
 * Return: 0 or -ENOMEM; @r->mm is set either way when allocated, for
 * the caller to drop.
 */
int cr_mm_create(struct cr_rst *r)
{
	struct mm_struct *mm, *old = current->mm;
	struct cr_hdr_mm *hm = &r->mmrec;
	struct rlimit rlim_stack;
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
	mm->flags = (mm->flags & ~CR_MMF_KEPT) | (hm->flags & CR_MMF_KEPT);

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
	vm_flags_t flags = (hv->flags & CR_VM_KEPT) | VM_MAYREAD |
			   VM_MAYWRITE | VM_MAYEXEC | VM_SOFTDIRTY;

	if (sysctl_overcommit_memory == OVERCOMMIT_NEVER)
		flags &= ~VM_NORESERVE;
	if ((flags & (VM_NORESERVE | VM_WRITE)) == VM_WRITE)
		flags |= VM_ACCOUNT;
	return flags;
}

static unsigned long cr_vm_prot(vm_flags_t flags)
{
	return (flags & VM_READ ? PROT_READ : 0) |
	       (flags & VM_WRITE ? PROT_WRITE : 0) |
	       (flags & VM_EXEC ? PROT_EXEC : 0);
}

/*
 * Open the file of a private file mapping by its recorded path, with the
 * caller's credentials and root, as mmap(2) of it would need: readable,
 * executable mappings only off noexec mounts, the LSM agreeing. A file
 * that is not the one checkpointed (another inode, or changed since)
 * gets -ESTALE: its clean pages would not match the saved dirty ones.
 */
static struct file *cr_open_file(struct cr_rst *r, const char *name,
				 vm_flags_t *flags)
{
	struct cr_hdr_vma *hv = &r->vma;
	struct timespec64 mtime;
	struct inode *inode;
	struct file *file;
	struct path path;
	int ret;

	/* Look first, so that a FIFO or device is never opened. */
	ret = kern_path(name, LOOKUP_FOLLOW, &path);
	if (!ret) {
		if (!d_is_reg(path.dentry))
			ret = -ESTALE;
		path_put(&path);
	}
	file = ret ? ERR_PTR(ret) : filp_open(name, O_RDONLY | O_LARGEFILE, 0);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		cr_log(r->ctx, "cannot open %s for VMA %#llx-%#llx: error %d",
		       name, hv->start, hv->end, ret);
		return file;
	}

	inode = file_inode(file);
	mtime = inode_get_mtime(inode);
	if (!S_ISREG(inode->i_mode) ||
	    new_encode_dev(inode->i_sb->s_dev) != hv->dev ||
	    inode->i_ino != hv->ino || i_size_read(inode) != hv->size ||
	    mtime.tv_sec != hv->mtime_sec || mtime.tv_nsec != hv->mtime_nsec) {
		cr_log(r->ctx, "%s is not the file checkpointed, or changed since",
		       name);
		ret = -ESTALE;
		goto err;
	}
	if (!file->f_op->mmap) {
		cr_log(r->ctx, "%s cannot be mapped", name);
		ret = -ENODEV;
		goto err;
	}
	if (path_noexec(&file->f_path)) {
		if (*flags & VM_EXEC) {
			cr_log(r->ctx, "%s is on a noexec mount", name);
			ret = -EPERM;
			goto err;
		}
		*flags &= ~VM_MAYEXEC;
	}
	ret = security_mmap_file(file, cr_vm_prot(*flags), MAP_PRIVATE);
	if (ret) {
		cr_log(r->ctx, "mapping %s was refused: error %d", name, ret);
		goto err;
	}
	return file;

err:
	fput(file);
	return ERR_PTR(ret);
}

/* Insert a VMA for @r->vma into the new mm, under its mmap lock. */
static int cr_insert_vma(struct cr_rst *r, struct file *file,
			 vm_flags_t flags)
{
	struct cr_hdr_vma *hv = &r->vma;
	struct mm_struct *mm = r->mm;
	struct vm_area_struct *vma;
	unsigned long npages = (hv->end - hv->start) >> PAGE_SHIFT;
	int ret;

	if (!may_expand_vm(mm, flags, npages))
		return -ENOMEM;
	vma = vm_area_alloc(mm);
	if (!vma)
		return -ENOMEM;
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
	} else {
		vma_set_anonymous(vma);
	}

	ret = insert_vm_struct(mm, vma);
	if (ret)
		goto err_close;
	vm_stat_account(mm, vma->vm_flags, npages);
	if (file)
		uprobe_mmap(vma);
	khugepaged_enter_vma(vma, vma->vm_flags);
	return 0;

err_close:
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
err_file:
	if (file)
		fput(vma->vm_file);
	vm_area_free(vma);
	return ret;
}

/**
 * cr_mm_add_vma() - map the VMA just read into the new mm
 * @r: restart state; @r->vma has been checked
 * @path: the file of a private file mapping, from the same record
 *
 * Anonymous memory is mapped empty, private file mappings from their
 * reopened file; the pages saved for either follow in the image. The
 * vDSO and its data pages are only noted here: the running kernel's
 * are mapped at the recorded address on commit.
 *
 * Return: 0, or a negative errno with a log line: -EINVAL for flags
 * mmap(2) would refuse, -EACCES for a writable and executable mapping
 * under memory-deny-write-execute, -ENOMEM beyond the caller's limits,
 * or the errors of cr_open_file().
 */
int cr_mm_add_vma(struct cr_rst *r, const char *path)
{
	struct cr_hdr_vma *hv = &r->vma;
	vm_flags_t flags = cr_vm_flags(hv);
	struct file *file = NULL;
	int ret;

	if (hv->type == CR_VMA_VVAR || hv->type == CR_VMA_VDSO)
		return cr_arch_note_vdso(r);

	if (hv->type == CR_VMA_FILE && (flags & (VM_GROWSDOWN | VM_WIPEONFORK)))
		return cr_bad(r, "VMA %#llx-%#llx: %s", hv->start, hv->end,
			      "a file mapping with flags of anonymous memory");
	if (test_bit(MMF_HAS_MDWE, &r->mm->flags) &&
	    (flags & (VM_WRITE | VM_EXEC)) == (VM_WRITE | VM_EXEC)) {
		cr_log(r->ctx, "VMA %#llx-%#llx: %s", hv->start, hv->end,
		       "writable and executable, which the caller may not map");
		return -EACCES;
	}
	if (hv->type == CR_VMA_FILE) {
		file = cr_open_file(r, path, &flags);
		if (IS_ERR(file))
			return PTR_ERR(file);
	}

	ret = mmap_write_lock_killable(r->mm);
	if (!ret) {
		ret = cr_insert_vma(r, file, flags);
		mmap_write_unlock(r->mm);
		if (ret)
			cr_log(r->ctx, "cannot map VMA %#llx-%#llx: error %d",
			       hv->start, hv->end, ret);
	}
	if (file)
		fput(file);
	return ret;
}

/**
 * cr_mm_fill() - write a batch of saved pages into the new mm
 * @r: restart state
 * @addrs: the page addresses of a checked page-array record, increasing
 *	and inside the VMA just mapped
 * @n: how many; at most %CR_PGARR_TOTAL
 * @src: NULL to read the contents from the image, or the pages to copy
 *	them from (PRAM pages that cannot be mapped as they are)
 *
 * Each run of contiguous addresses is faulted in, writable, by one
 * get_user_pages_remote() call (FOLL_FORCE, as ptrace writes read-only
 * and PROT_NONE memory), and the contents are then read from the image
 * straight into the pages, with no mmap lock held while reading. Pages
 * that cannot be had (out of memory) set @r->err, and their contents
 * are read past, so that reading can go on to the checksum.
 *
 * Return: 0, or the errno of a failed read (logged).
 */
int cr_mm_fill(struct cr_rst *r, const u64 *addrs, unsigned int n,
	       struct page **src)
{
	struct mm_struct *mm = r->mm;
	unsigned int i = 0, run, j;
	long got = 0;
	int ret;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	while (i < n) {
		for (run = 1; i + run < n; run++)
			if (addrs[i + run] != addrs[i] + run * PAGE_SIZE)
				break;
		got = get_user_pages_remote(mm, addrs[i], run,
					    FOLL_WRITE | FOLL_FORCE,
					    r->pages + i, NULL);
		if (got <= 0)
			break;
		i += got;
	}
	mmap_read_unlock(mm);

	if (i < n) {
		r->err = got ? got : -EFAULT;
		cr_log(r->ctx, "cannot allocate the page at %#llx: error %d",
		       addrs[i], r->err);
		ret = src ? 0 : cr_read_skip(r, (u64)n * PAGE_SIZE);
	} else if (src) {
		for (j = 0; j < n; j++)
			copy_highpage(r->pages[j], src[j]);
	} else {
		ret = cr_read_pages(r, r->pages, n);
	}
	for (j = 0; j < i; j++)
		put_page(r->pages[j]);
	return ret;
}

/*
 * Whether a PRAM page can be mapped as it is: a page the previous kernel
 * left, which belongs to no address space yet and is held by its node
 * and the caller only. A page still anonymous elsewhere (before kexec,
 * or loaded once already) cannot join another anon_vma: it is copied.
 */
static bool cr_pram_fresh(struct folio *folio)
{
	return !folio_test_large(folio) && !folio_test_anon(folio) &&
	       !folio->mapping && !folio_mapped(folio) &&
	       !folio_test_lru(folio) && folio_ref_count(folio) == 2;
}

/*
 * Map a fresh PRAM page at @addr of the new mm, read-only and not
 * exclusive: the node keeps its reference, so the task's first write
 * copies the page, as after fork(). Called under the new mm's mmap lock;
 * takes over the caller's reference on @page.
 */
static int cr_map_pram_page(struct mm_struct *mm, unsigned long addr,
			    struct page *page)
{
	struct folio *folio = page_folio(page);
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	spinlock_t *ptl;	/* the page table's lock */
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;

	if (!vma || anon_vma_prepare(vma))
		return -ENOMEM;
	pgd = pgd_offset(mm, addr);
	p4d = p4d_alloc(mm, pgd, addr);
	pud = p4d ? pud_alloc(mm, p4d, addr) : NULL;
	pmd = pud ? pmd_alloc(mm, pud, addr) : NULL;
	if (!pmd || pte_alloc(mm, pmd))
		return -ENOMEM;
	if (mem_cgroup_charge(folio, mm, GFP_KERNEL))
		return -ENOMEM;

	folio_lock(folio);
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte || !pte_none(ptep_get(pte))) {
		/* a huge page or a page is there already: copy instead */
		if (pte)
			pte_unmap_unlock(pte, ptl);
		folio_unlock(folio);
		return -EAGAIN;
	}
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_NONE);
	folio_add_lru_vma(folio, vma);
	inc_mm_counter(mm, MM_ANONPAGES);
	set_pte_at(mm, addr, pte, mk_pte(page, vma->vm_page_prot));
	update_mmu_cache(vma, addr, pte);
	pte_unmap_unlock(pte, ptl);
	folio_unlock(folio);
	return 0;
}

/**
 * cr_mm_fill_pram() - map a batch of pages kept in a PRAM node
 * @r: restart state, restarting from a PRAM node
 * @addrs: as for cr_mm_fill()
 * @n: as for cr_mm_fill()
 *
 * The next @n pages of the node's page stream go to @addrs: mapped as
 * they are when the previous kernel left them (no copy), else copied.
 * Either way no writable page is shared with another task.
 *
 * Return: 0, -EINVAL (logged) when the node holds fewer pages than its
 * image says, or -EINTR.
 */
int cr_mm_fill_pram(struct cr_rst *r, const u64 *addrs, unsigned int n)
{
	unsigned int i, nr_copy = 0;
	struct page *page;
	int ret;

	ret = mmap_read_lock_killable(r->mm);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		page = pram_load_page(r->ctx->pram);
		if (!page) {
			ret = -EINVAL;	/* logged below, without the lock */
			break;
		}
		if (!r->err && cr_pram_fresh(page_folio(page)) &&
		    !cr_map_pram_page(r->mm, addrs[i], page))
			continue;
		r->src[nr_copy] = page;
		r->addrs[nr_copy++] = addrs[i];
	}
	mmap_read_unlock(r->mm);
	if (ret)
		cr_bad(r, "the PRAM node holds fewer pages than its image");
	if (!ret && !r->err && nr_copy)
		ret = cr_mm_fill(r, r->addrs, nr_copy, r->src);
	for (i = 0; i < nr_copy; i++)
		put_page(r->src[i]);
	return ret;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checkpoint/restart: what the files of checkpoint/ share, and only
 * they. The interface with the architecture is <linux/ckpt.h>; the image
 * format is <uapi/linux/ckpt_hdr.h>.
 */
#ifndef _CHECKPOINT_INTERNAL_H
#define _CHECKPOINT_INTERNAL_H

#include <linux/atomic.h>
#include <linux/ckpt.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/path.h>
#include <linux/pram.h>
#include <linux/stdarg.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct bio_vec;
struct sock;
struct socket;
struct file;
struct ipc_namespace;

/* Flags each syscall accepts; anything else is -EINVAL. */
#define CR_CHECKPOINT_FLAGS	CHECKPOINT_TREE
#define CR_RESTART_FLAGS	(RESTART_RUN | RESTART_LAZY)

/*
 * Tasks, threads included, that one image holds at most: bounds what a
 * checkpoint holds and what a restart reads before it creates anything.
 */
#define CR_MAX_TASKS		4096

/*
 * Signals one %CR_HDR_SIGPENDING record holds at most: it is built in
 * the header buffer, under the task's signal lock.
 */
#define CR_MAX_PENDING		128

/* Files one image holds at most, and substitutes one restart takes. */
#define CR_MAX_FILES		BIT(20)
#define CR_MAX_INHERIT		1024

/* Longest line cr_log() writes, newline included. */
#define CR_LOG_LINE_MAX		256

/* Bytes of log lines a context holds until they are flushed. */
#define CR_LOG_BUF_SIZE		PAGE_SIZE

/*
 * Pages one page-array holds: one batch of the image, as many as the
 * format allows. Its arrays take 32 KiB each (kvcalloc()).
 */
#define CR_PGARR_TOTAL		CR_PGARR_MAX

/*
 * Page-arrays filled before they are written out and released: bounds
 * the pages a round pins at once (8192 pages, 32 MiB with 4 KiB pages,
 * what a round scans at most: CR_WALK_SCAN_MAX) while keeping writes
 * large. A checkpoint into PRAM may hold three more arrays' worth, the
 * chunks a work item walks beside the caller (pram_walk.c).
 */
#define CR_PGARR_BATCH		2

/* CPUs the checksums of a batch are spread over, the caller's included. */
#define CR_SUM_CPUS		4

/**
 * struct cr_pgarr - a page-array: pages to save and their addresses
 * @pages: the pages, each holding one reference while listed
 * @vaddrs: the user address each page is mapped at
 * @sums: for a store that writes them (&cr_page_store.sums), the
 *	checksum of each page, from cr_sums_wait()
 * @nr_used: entries in use
 * @order: of every entry: 0, or %PMD_ORDER when each is the first page
 *	of a transparent huge page that a store keeping pages by reference
 *	keeps whole (written with %CR_PAGES_HUGE)
 * @list: link in &cr_ctx.pgarr_list
 */
struct cr_pgarr {
	struct page **pages;
	unsigned long *vaddrs;
	u64 *sums;
	unsigned int nr_used;
	unsigned int order;
	struct list_head list;
};

/**
 * struct cr_sum_helper - a work item summing pages for a checkpoint
 * @work: queued on a CPU of its own
 * @job: the job it helps with
 * @nr: its number, from 1 (the caller is 0)
 */
struct cr_sum_helper {
	struct work_struct work;
	struct cr_sum_job *job;
	unsigned int nr;
};

/**
 * struct cr_sum_job - the checksums of a batch, summed ahead of its write
 * @pgarrs: the batch's non-empty page-arrays, in the order written
 * @nr: entries in @pgarrs
 * @cpus: CPUs taking part, the caller's included
 * @helpers: work items queued (@cpus - 1), 0 when the caller sums alone
 * @left: shares of each array not yet summed
 * @done: completed when an array's last share is summed
 * @helper: the work items
 *
 * See checkpoint/page_sums.c.
 */
struct cr_sum_job {
	struct cr_pgarr *pgarrs[CR_PGARR_BATCH];
	unsigned int nr;
	unsigned int cpus;
	unsigned int helpers;
	atomic_t left[CR_PGARR_BATCH];
	struct completion done[CR_PGARR_BATCH];
	struct cr_sum_helper helper[CR_SUM_CPUS - 1];
};

/**
 * struct cr_walk_slot - a chunk of a VMA another CPU walked (pram_walk.c)
 * @pgarr: its pages, in address order, each with a reference
 * @next: where that walk stopped: the chunk's end, or the first entry
 *	it left to the caller's walk
 * @filled: @pgarr and @next are set, for the caller to write out
 *	(release/acquire), until it did
 */
struct cr_walk_slot {
	struct cr_pgarr *pgarr;
	unsigned long next;
	bool filled;
};

/**
 * struct cr_walk_ahead - chunks of a VMA walked by a work item while
 *	the caller walks the others, in a checkpoint into a PRAM node
 *	(pram_walk.c: three of every five)
 * @work: queued on the CPU after the caller's
 * @ctx: the checkpoint
 * @wait: where the caller waits for a slot to be filled, and the work
 *	item for one to be written out
 * @slot: a slot for each chunk of a period the work item walks, so
 *	that it may walk them all while the caller walks its own
 * @claim: the next chunk the work item walks, unless the caller takes
 *	it back first: whoever moves it on with cmpxchg() walks the chunk
 * @take: the next chunk the caller takes from the work item
 * @end: the VMA's end
 * @started: the work item began
 * @quit: the work item gave up, at a chunk it could not begin
 * @stop: set when the caller is done with the VMA
 * @queued: @work was queued and not yet waited for
 */
struct cr_walk_ahead {
	struct work_struct work;
	struct cr_ctx *ctx;
	wait_queue_head_t wait;
	struct cr_walk_slot slot[3];
	unsigned long claim;
	unsigned long take;
	unsigned long end;
	bool started;
	bool quit;
	bool stop;
	bool queued;
};

/**
 * enum cr_op - which syscall a &struct cr_ctx serves
 * @CR_OP_CHECKPOINT: checkpoint(2), writes an image
 * @CR_OP_RESTART: restart(2), reads an image
 */
enum cr_op {
	CR_OP_CHECKPOINT,
	CR_OP_RESTART,
};

/**
 * struct cr_pages_out - the records of one page-array on its way out
 * @ha: the PGARR record's head; cr_write_pages_head() completes it
 * @hp: the PAGES record's head; a page store sets its length and flags
 * @addrs: the page-array's addresses, @ha.nr_pages of them
 */
struct cr_pages_out {
	struct cr_hdr_pgarr ha;
	struct cr_hdr_pages hp;
	const u64 *addrs;
};

/**
 * struct cr_page_store - where the contents of saved pages go and come from
 * @by_reference: the store keeps the pages themselves, not a copy: a
 *	checkpoint makes every saved page read-only and shared in the task
 *	(as fork() does), so that the kept page never changes
 * @sums: @save writes each page's checksum, from &cr_pgarr.sums: the
 *	caller sums them ahead of it (cr_sums_start())
 * @vma_begin: checkpoint: the pages of [@start, @end), a VMA, are about
 *	to be walked and saved; NULL when nothing is to be done then
 * @vma_ahead: checkpoint: before each round of the walk, without the
 *	mmap lock: write what was walked elsewhere from *@start on and move
 *	*@start past it, and lower *@stop, the VMA's end, to where the
 *	round must end; NULL as for @vma_begin
 * @vma_end: checkpoint: they are, or the walk ended on an error; called
 *	with no lock held; NULL as for @vma_begin
 * @save: checkpoint: write one page-array's PGARR and PAGES records,
 *	with or without the contents
 * @load_kept: restart: map or copy @n pages of @order (0, or %PMD_ORDER
 *	with %CR_PAGES_HUGE) the store kept at @addrs of the new mm, for a
 *	PAGES record with %CR_PAGES_PRAM; NULL when the store keeps no
 *	pages, which makes such a record an error
 * @load_object: restart: put @n pages the store kept at the offsets
 *	@offs of @file, a shared memory object restart made, for a PAGES
 *	record with %CR_PAGES_PRAM after a %CR_HDR_SHMEM record; NULL as
 *	for @load_kept
 * @release: drop what the store holds for @ctx, or NULL
 *
 * The image file itself is the default store: page contents are in the
 * stream. A PRAM node is the other (checkpoint/pram_store.c).
 */
struct cr_page_store {
	bool by_reference;
	bool sums;
	void (*vma_begin)(struct cr_ctx *ctx, unsigned long start,
			  unsigned long end);
	int (*vma_ahead)(struct cr_ctx *ctx, unsigned long *start,
			 unsigned long *stop);
	void (*vma_end)(struct cr_ctx *ctx);
	int (*save)(struct cr_ctx *ctx, struct cr_pgarr *pgarr,
		    struct cr_pages_out *out);
	int (*load_kept)(struct cr_rst *r, const u64 *addrs, unsigned int n,
			 unsigned int order);
	int (*load_object)(struct cr_rst *r, struct file *file,
			   const u64 *offs, unsigned int n);
	void (*release)(struct cr_ctx *ctx);
};

/**
 * struct cr_task - one task of the tree a checkpoint saves
 * @task: the task; holds a reference
 * @proc: index in &cr_ctx.tasks of its process's leader
 * @id: the id of its process's objects (address space, signal handlers,
 *	signal state): its process's number in the tree, from 1
 * @state: the stopped, traced or frozen state it was found in
 * @nvcsw: its switch count then, to tell at the end that it never ran
 * @stack: a reference on its kernel stack is held
 * @parent: for a process's leader other than the root's, the index in
 *	&cr_ctx.tasks of its parent process's leader
 * @has_kids: for a process's leader, a process of the tree is its child
 * @cow: for a process's leader with children, the pages of its address
 *	space that it may share copy-on-write with them: page frame number
 *	to virtual page number, as saved
 */
struct cr_task {
	struct task_struct *task;
	unsigned int proc;
	u32 id;
	unsigned int state;
	unsigned long nvcsw;
	bool stack;
	unsigned int parent;
	bool has_kids;
	struct xarray cow;
};

/**
 * struct cr_file_ids - a hash table of struct cr_file_id (file_ids.c)
 * @heads: its buckets, NULL before cr_file_ids_init()
 * @bits: their number, as a power of 2
 * @nr: the entries
 */
struct cr_file_ids {
	struct hlist_head *heads;
	unsigned int bits;
	unsigned int nr;
};

/**
 * struct cr_ctx - the state of one checkpoint or restart
 * @op: which syscall this is
 * @pid: the pid the caller passed, for log lines
 * @flags: the caller's flags, already validated
 * @task: the task being checkpointed (or the caller, for restart);
 *	holds a reference
 * @file: the image: written by checkpoint, read by restart; holds a
 *	reference
 * @logfile: where human-readable reasons go, or NULL; holds a reference
 * @logbuf: log lines not yet written to @logfile (%CR_LOG_BUF_SIZE bytes)
 * @loglen: bytes used in @logbuf
 * @logdrop: lines that did not fit in @logbuf
 * @mm: the address space being saved; holds a reference (checkpoint)
 * @cow_out: where the shared pages of @mm are noted for its children,
 *	or NULL
 * @cow_in: the parent's noted pages, to save @mm's pages that are the
 *	parent's as such, or NULL
 * @tasks: the tasks of the tree (checkpoint), in image order
 * @nr_tasks: entries in @tasks
 * @nr_procs: how many of them lead a process
 * @ns: the pid namespace the image's pids are numbers in (checkpoint)
 * @id: the checkpoint id, returned to the caller
 * @self: the task is checkpointing itself
 * @hbuf: buffer in which records are built before they are written
 * @pgarr_list: page-arrays of the batch being collected; the first entry
 *	is the one being filled, so the list runs newest first
 * @nr_pgarrs: entries in @pgarr_list
 * @bvec: scratch vector describing one page-array for a write
 * @store: where page contents go (checkpoint) or come from (restart)
 * @pram: the PRAM stream behind @file when @store is a PRAM node (used
 *	by that store only)
 * @pram_load: restart's own stream on that node, read from its start
 * @file_ids: checkpoint: every open file of the tree, from
 *	cr_scan_files() on, its id once written, 0 before (file_ids.c)
 * @pipes: checkpoint: the read and write ends of each pipe the tree
 *	holds (%CR_PIPE_R, %CR_PIPE_W units)
 * @nr_files: checkpoint: file ids given so far
 * @shmem_ids: checkpoint: the id of each shared memory object written,
 *	by inode (an xarray value)
 * @nr_shmems: checkpoint: shared memory object ids given so far
 * @ipc_ns: checkpoint: the tree's IPC namespace, referenced once a SysV
 *	segment was met
 * @nr_sysvshm: checkpoint: SysV segments written
 * @inherit: restart: the caller's substitutes for external files
 * @inherit_files: restart: the file of each, with a reference
 * @nr_inherit: restart: entries in @inherit
 * @sum_job: checkpoint: the checksums of the batch being written
 * @walk_ahead: checkpoint into a PRAM node: the VMA's chunks walked on
 *	another CPU
 * @sums: restart: the XXH64 of each page of the batch being read,
 *	%CR_PGARR_TOTAL entries
 * @addrs: restart: the addresses of the batch being read,
 *	%CR_PGARR_TOTAL entries
 * @crc: running CRC-32C of the image written (read) so far
 * @written: bytes of image written (read) so far
 *
 * One is set up by cr_ctx_init() on entry to either syscall and torn
 * down by cr_ctx_release(), so that every error path after the argument
 * checks can report through cr_log() and unwind in one place.
 */
struct cr_ctx {
	enum cr_op op;
	pid_t pid;
	unsigned long flags;
	struct task_struct *task;
	struct file *file;
	struct file *logfile;
	char *logbuf;
	size_t loglen;
	unsigned int logdrop;

	struct mm_struct *mm;
	struct xarray *cow_out;
	struct xarray *cow_in;
	struct cr_task *tasks;
	unsigned int nr_tasks;
	unsigned int nr_procs;
	struct pid_namespace *ns;
	u64 id;
	bool self;
	void *hbuf;
	struct list_head pgarr_list;
	unsigned int nr_pgarrs;
	struct bio_vec *bvec;
	const struct cr_page_store *store;
	struct pram_stream *pram;
	struct pram_stream pram_load;
	struct cr_file_ids file_ids;
	struct xarray pipes;
	u32 nr_files;
	struct xarray shmem_ids;
	u32 nr_shmems;
	struct ipc_namespace *ipc_ns;
	u32 nr_sysvshm;
	struct cr_inherit *inherit;
	struct file **inherit_files;
	unsigned int nr_inherit;
	struct cr_sum_job sum_job;
	struct cr_walk_ahead walk_ahead;
	u64 *sums;
	u64 *addrs;
	u32 crc;
	u64 written;
};

/**
 * struct cr_rtask - one task of the tree a restart builds
 * @rec: its task record, checked
 * @cpu: its CPU record with the XSAVE area, checked (kmalloc'd)
 * @pending: the signals pending for it alone, checked (kvmalloc'd), or
 *	NULL
 * @tree: the tree it belongs to
 * @proc: index in &cr_tree.procs of its process
 * @creator: index in &cr_tree.tasks of the task that creates it: its
 *	process's leader for a thread, its parent thread for a leader
 * @task: the task once it runs; holds a reference
 * @nr: its pid as its creator's kernel_clone() returned it, to reap it
 * @ax: the ax it returns to user space with
 * @work: sets that ax on its way out (restart_ax())
 * @err: why it failed to get ready, or 0
 */
struct cr_rtask {
	struct cr_hdr_task rec;
	struct cr_hdr_cpu *cpu;
	struct cr_siginfo *pending;
	struct cr_tree *tree;
	unsigned int proc;
	unsigned int creator;
	struct task_struct *task;
	pid_t nr;
	long ax;
	struct callback_head work;
	int err;
};

/**
 * struct cr_rfile - one open file of the tree a restart builds
 * @file: the file, reopened or substituted; holds a reference; NULL for
 *	one that could not be opened (the restart fails) or an external
 *	one without a substitute yet
 * @kind: %CR_FILE_*
 * @what: its path or description, for log lines (kmalloc'd)
 * @fd_tid: the first process that has it, for log lines
 * @fd: the descriptor it has it at
 * @items: for an epoll instance, its items (kvmalloc'd)
 * @nr_items: entries in @items
 * @owner: for an epoll instance, the process that adds its items
 */
struct cr_rfile {
	struct file *file;
	u32 kind;
	char *what;
	pid_t fd_tid;
	int fd;
	struct cr_epoll_item *items;
	u32 nr_items;
	struct cr_rproc *owner;
};

/**
 * struct cr_rpipe - a pipe a restart made
 * @end: its read and write ends; each holds a reference
 * @used: whether a file record named that end
 */
struct cr_rpipe {
	struct file *end[2];
	bool used[2];
};

/**
 * struct cr_rshmem - a shared memory object a restart made
 * @file: its file; holds a reference; NULL when it could not be made
 * @kind: %CR_SHMEM_*
 * @sysv_id: a SysV segment's id
 * @sysv_removed: a SysV segment that was removed (IPC_RMID)
 */
struct cr_rshmem {
	struct file *file;
	u32 kind;
	int sysv_id;
	bool sysv_removed;
};

/**
 * struct cr_rfd - one descriptor of a process a restart builds
 * @fd: its number
 * @flags: %CR_FD_* flags
 * @file_id: id of its file: index + 1 in &cr_tree.files
 * @file: for an external file, the caller's substitute given for this
 *	very descriptor, with a reference; NULL otherwise
 */
struct cr_rfd {
	int fd;
	u32 flags;
	u32 file_id;
	struct file *file;
};

/**
 * struct cr_rproc - one process of the tree a restart builds
 * @leader: index in &cr_tree.tasks of its leader
 * @mm: its new address space; holds a reference
 * @vdso: where its image had the vDSO
 * @sighand: its signal handler record, checked (kmalloc'd)
 * @signal: its process-wide state record, checked
 * @pending: the signals pending for the process, checked (kvmalloc'd),
 *	or NULL
 * @fds: its descriptors (kvmalloc'd)
 * @nr_fds: entries in @fds
 * @root: its root directory, looked up and checked
 * @pwd: its working directory, likewise
 */
struct cr_rproc {
	unsigned int leader;
	struct mm_struct *mm;
	struct cr_vdso vdso;
	struct cr_hdr_sighand *sighand;
	struct cr_hdr_signal signal;
	struct cr_siginfo *pending;
	struct cr_rfd *fds;
	unsigned int nr_fds;
	struct path root;
	struct path pwd;
};

/* cr_tree.state: what the tasks restart created wait for */
enum cr_tree_state {
	CR_TREE_BUILD,		/* being created: wait */
	CR_TREE_GO,		/* the caller committed: become your task */
	CR_TREE_ABORT,		/* restart failed: reap your children, exit */
};

/**
 * struct cr_tree - the tasks a restart builds, shared with them
 * @ref: one reference for the caller, one for each task created, which
 *	drops it on its way to user space (or out)
 * @tasks: the tasks, in image order; the first is the caller's
 * @nr_tasks: entries in @tasks
 * @procs: the processes, in image order
 * @nr_procs: entries in @procs
 * @files: the open files, in image order
 * @nr_files: entries in @files
 * @max_files: entries @files has room for
 * @pipes: the pipes made, by the inode number the image gives them
 * @fifos: the FIFOs opened, by inode number: end[0] is the file that
 *	keeps each open for reading and writing until the tree is built
 * @shmems: the shared memory objects made, by id (kmalloc'd)
 * @socks: the sockets made, by the inode number the image gives them
 *	(struct cr_rsock, socket.c)
 * @nr_shmems: the ids read so far
 * @flags: restart(2)'s flags
 * @state: an &enum cr_tree_state value
 * @unready: tasks created or being created that have not reported
 * @err: the first failure a created task reported
 * @wq: where the tasks wait for @state; its lock guards @unready and @err
 * @ready: where the caller waits for @unready to reach 0: woken then
 *	only, or at a failure, so that hundreds of reports do not wake
 *	hundreds of waiting tasks each
 *
 * Created tasks read it, and write only their own &struct cr_rtask
 * before they report (@unready, @err, under @wq's lock).
 */
struct cr_tree {
	struct kref ref;
	struct cr_rtask *tasks;
	unsigned int nr_tasks;
	struct cr_rproc *procs;
	unsigned int nr_procs;
	struct cr_rfile *files;
	unsigned int nr_files;
	unsigned int max_files;
	struct xarray pipes;
	struct xarray fifos;
	struct xarray shmems;
	u32 nr_shmems;
	struct xarray socks;
	unsigned long flags;
	int state;
	unsigned int unready;
	int err;
	wait_queue_head_t wq;
	wait_queue_head_t ready;
};

/**
 * struct cr_rst - the state of one restart, beyond its &struct cr_ctx
 * @ctx: the context: image file, log, header buffer, checksum
 * @rec_off: image offset of the record being read, for log lines
 * @hdr: that record's header
 * @peeked: @hdr is the header of the next record, read ahead
 * @tree: the tasks being read and built
 * @mmid: the id the address space being read must have
 * @parent_mm: the new address space of the parent process of the one
 *	being read, whose pages %CR_PAGES_PARENT records name; NULL for
 *	the root
 * @mmrec: the mm record being read, checked
 * @mm: the address space being built; moved to its &struct cr_rproc
 *	once complete
 * @vma: the last VMA record read, whose pages follow it
 * @vdso: where the image has the vDSO in the mm being built
 * @pages: scratch array of %CR_PGARR_TOTAL pages being filled
 * @src: scratch array of %CR_PGARR_TOTAL kept pages to copy from
 * @addrs: scratch array of their %CR_PGARR_TOTAL addresses
 * @nr_rt_pending: real-time signals pending in the image so far
 * @old_files: the caller's own descriptor table, while it has the
 *	root's (cr_enter_files())
 * @base: the file offset the image starts at, for a lazy restart
 * @err: the first failure that is not the image's fault (a file, memory);
 *	reading goes on to the tail without building, and it is returned
 *	only if the image's checksum is good
 *
 * Nothing in it comes from the image unchecked: every field is copied
 * here only after the record that holds it passed its checks.
 */
struct cr_rst {
	struct cr_ctx *ctx;
	u64 rec_off;
	struct cr_hdr hdr;
	bool peeked;
	struct cr_tree *tree;
	u32 mmid;
	struct mm_struct *parent_mm;
	struct cr_hdr_mm mmrec;
	struct mm_struct *mm;
	struct cr_hdr_vma vma;
	struct cr_vdso vdso;
	struct page **pages;
	struct page **src;
	u64 *addrs;
	unsigned int nr_rt_pending;
	struct files_struct *old_files;
	loff_t base;
	int err;
};

/* An address user space can have, as the syscalls that take one check. */
static inline bool cr_user_addr(u64 addr)
{
	return addr <= TASK_SIZE_MAX;
}

/* ctx.c: the syscalls' arguments */
int cr_ctx_init(struct cr_ctx *ctx, enum cr_op op, pid_t pid, int fd,
		unsigned long flags, int logfd);
int cr_ctx_inherit(struct cr_ctx *ctx, const struct cr_inherit __user *inherit,
		   unsigned int nr);
void cr_ctx_release(struct cr_ctx *ctx);

/* log.c */
void cr_log_flush(struct cr_ctx *ctx);
#if IS_ENABLED(CONFIG_KUNIT)
__printf(4, 0) size_t cr_log_format(char *buf, size_t size, const char *prefix,
				    const char *fmt, va_list args);
#endif

/* io.c: kernel-side I/O on the caller's descriptors */
int cr_kwrite(struct file *file, const void *buf, size_t len);
int cr_write_iter(struct file *file, struct iov_iter *iter);
int cr_read_iter(struct file *file, struct iov_iter *iter);
int cr_kread(struct file *file, void *buf, size_t len);

/**
 * cr_next_cpu() - where the next work item spreading a batch goes
 * @cpu: the CPU of the one before, or the caller's
 *
 * queue_work() would pick a worker of the caller's pod (its LLC, by
 * default): the caller's own CPU where each CPU is a socket of its own,
 * as in a QEMU guest. So a work item that must run beside the caller is
 * queued on a CPU chosen here.
 *
 * Return: the next online CPU after @cpu, round the mask.
 */
static inline int cr_next_cpu(int cpu)
{
	cpu = cpumask_next(cpu, cpu_online_mask);
	return cpu < nr_cpu_ids ? cpu : cpumask_first(cpu_online_mask);
}

/*
 * A page the walk saves: anonymous (a private mapping's own page or a
 * copy-on-write copy), not the zero page.
 */
static inline bool cr_page_wanted(struct page *page)
{
	return page && !is_zero_page(page) && PageAnon(page);
}

/* page_sums.c: the checksums of page contents, spread over CPUs */
void cr_sums_init(struct cr_ctx *ctx);
void cr_sums_start(struct cr_ctx *ctx);
const u64 *cr_sums_wait(struct cr_ctx *ctx, struct cr_pgarr *pgarr);
void cr_sums_end(struct cr_ctx *ctx);
unsigned int cr_check_page_sums(struct page **pages, unsigned int n,
				const u64 *want);

/* image_write.c: the record stream, out */
u64 cr_batch_digest(const u64 *addrs, const struct cr_hdr_pages *hp,
		    const u64 *sums);
int cr_write_pages_head(struct cr_ctx *ctx, struct cr_pages_out *out,
			const u64 *sums);
int cr_write_page_contents(struct cr_ctx *ctx, struct cr_pgarr *pgarr);
int cr_write_tail(struct cr_ctx *ctx);

/* image_read.c: the record stream, in */
int cr_read_skip(struct cr_rst *r, u64 len);
int cr_skip_pages(struct cr_rst *r, unsigned int n);
int cr_seek_past(struct cr_rst *r, u64 len);
int cr_read_uncovered(struct cr_rst *r, void *buf, size_t len);
int cr_read_hdr(struct cr_rst *r);
void *cr_read_body(struct cr_rst *r, u32 type, u32 min, u32 max);
int cr_read_pages(struct cr_rst *r, struct page **pages, unsigned int n,
		  const u64 *sums);

/* format.c: the image's constants and the kernel's, both ways */
bool cr_vma_flags_to_image(vm_flags_t vm_flags, u32 *prot, u32 *flags,
			   vm_flags_t *unknown);
vm_flags_t cr_vma_flags_from_image(u32 prot, u32 flags);
const char *cr_vm_flag_name(vm_flags_t flag);
bool cr_mm_flags_to_image(unsigned long mm_flags, u32 *flags,
			  u32 *dump_filter, unsigned long *unknown);
unsigned long cr_mm_flags_from_image(u32 flags, u32 dump_filter);

/* pgarr.c: page-array lists */
struct cr_pgarr *cr_pgarr_current(struct cr_ctx *ctx, unsigned int room,
				  unsigned int order);
void cr_pgarr_release_all(struct cr_ctx *ctx);
void cr_pgarr_free(struct cr_ctx *ctx);
struct cr_pgarr *cr_pgarr_alloc(void);
void cr_pgarr_release(struct cr_pgarr *pgarr);
void cr_pgarr_destroy(struct cr_pgarr *pgarr);
unsigned long cr_walk_chunk(struct cr_ctx *ctx, struct cr_pgarr *pgarr,
			    unsigned long start, unsigned long end);
int cr_write_walked(struct cr_ctx *ctx, struct cr_pgarr *pgarr);

/**
 * cr_pgarr_add() - list a page, taking a reference on it
 * @pgarr: an array from cr_pgarr_current() or cr_pgarr_alloc() with
 *	room left
 * @page: the page; safe to reference (its page table lock is held)
 * @vaddr: the user address it is mapped at
 *
 * Inline: the page walk calls it for every saved page.
 */
static inline void cr_pgarr_add(struct cr_pgarr *pgarr, struct page *page,
				unsigned long vaddr)
{
	unsigned int i = pgarr->nr_used;

	if (WARN_ON_ONCE(i >= CR_PGARR_TOTAL))
		return;
	get_page(page);
	pgarr->pages[i] = page;
	pgarr->vaddrs[i] = vaddr;
	pgarr->nr_used = i + 1;
}

/**
 * struct cr_file_id - an open file of the tree a checkpoint writes
 * @node: in its bucket of &cr_ctx.file_ids
 * @file: the file, held by a descriptor of the tree (no reference here)
 * @val: while cr_scan_files() counts them, the descriptors that hold it;
 *	after, its id in the image once written, 0 before
 */
struct cr_file_id {
	struct hlist_node node;
	struct file *file;
	unsigned long val;
};

/* file_ids.c: the tree's open files, by their struct file */
int cr_file_ids_init(struct cr_ctx *ctx);
struct cr_file_id *cr_file_id(struct cr_ctx *ctx, const struct file *file);
struct cr_file_id *cr_file_id_count(struct cr_ctx *ctx, struct file *file);
struct cr_file_id *cr_file_ids_next(struct cr_ctx *ctx,
				    struct cr_file_id *fi);
void cr_file_ids_free(struct cr_ctx *ctx);

/* checkpoint.c, restart.c: the two syscalls' work */
long cr_checkpoint(struct cr_ctx *ctx);
int cr_restart(struct cr_ctx *ctx, long *ax);

/* tree.c: the tasks a checkpoint saves */
int cr_collect_tree(struct cr_ctx *ctx);
int cr_tree_still(struct cr_ctx *ctx);
bool cr_tree_is_pidns(struct cr_ctx *ctx);
void cr_release_tree(struct cr_ctx *ctx);

/* task.c: the task record */
u32 cr_fill_task(struct cr_ctx *ctx, struct cr_task *ct, void *buf);
int cr_read_task(struct cr_rst *r, struct cr_hdr_task *ht);
void cr_restore_blocked(const struct cr_hdr_task *ht);
void cr_restore_thread(const struct cr_hdr_task *ht);

/* signal.c: signal handlers, process-wide state, pending signals */
u32 cr_fill_sighand(struct task_struct *task, void *buf, u32 id);
long cr_fill_sigpending(struct cr_ctx *ctx, struct task_struct *task,
			void *buf, u32 shared);
u32 cr_fill_signal(struct task_struct *task, void *buf, u32 id,
		   u32 nr_pending);
struct cr_hdr_sighand *cr_read_sighand(struct cr_rst *r, u32 id);
int cr_read_signal(struct cr_rst *r, u32 id, struct cr_hdr_signal *hs);
struct cr_siginfo *cr_read_sigpending(struct cr_rst *r, u32 shared, u32 nr);
void cr_restore_sighand(const struct cr_hdr_sighand *hs);
void cr_restore_signal(const struct cr_hdr_signal *hs);
void cr_queue_pending(const struct cr_siginfo *si, u32 nr, u32 shared);

/* clone.c: the tasks a restart creates */
int cr_create_tree(struct cr_tree *tree);
void cr_abort_tree(struct cr_tree *tree);
void cr_go_tree(struct cr_tree *tree);
void cr_put_tree(struct cr_tree *tree);
void cr_restore_process(struct cr_tree *tree, struct cr_rtask *rt);

/* files.c: descriptor tables, open files, root and working directory */
int cr_scan_files(struct cr_ctx *ctx);
int cr_write_files(struct cr_ctx *ctx, unsigned int i);
int cr_read_fs(struct cr_rst *r, struct cr_rproc *rp);
int cr_read_files(struct cr_rst *r, struct cr_rproc *rp, pid_t tgid, u32 id);
int cr_check_inherit(struct cr_rst *r);
int cr_install_files(struct cr_tree *tree, struct cr_rproc *rp);
int cr_enter_files(struct cr_rst *r);
void cr_leave_files(struct cr_rst *r, bool commit);
void cr_restore_fs(struct cr_rproc *rp);
void cr_free_files(struct cr_tree *tree);

/* mm.c: the mm record and the VMAs */
void cr_khugepaged_enter(struct mm_struct *mm);
int cr_write_mm(struct cr_ctx *ctx, u32 id);
int cr_read_mm(struct cr_rst *r);

/* pages.c: the saved pages and the page stores */
extern const struct cr_page_store cr_file_store;
int cr_write_vma_pages(struct cr_ctx *ctx, unsigned long start,
		       unsigned long end);
int cr_write_object_batch(struct cr_ctx *ctx);
bool cr_pages_head_ok(const struct cr_hdr_pages *hp, u32 n, u32 flags);
unsigned int cr_pgarr_disorder(const u64 *a, unsigned int n,
			       unsigned int shift);

/* The size of a batch's pages, as a shift, by its flags. */
static inline unsigned int cr_pgarr_shift(u32 flags)
{
	BUILD_BUG_ON(CR_HUGE_SHIFT != PMD_SHIFT);
	return flags & CR_PAGES_HUGE ? CR_HUGE_SHIFT : PAGE_SHIFT;
}

int cr_read_pgarr_head(struct cr_rst *r, u64 lo, u64 hi, u64 *next,
		       struct cr_hdr_pgarr *ha);
int cr_read_pgarr_rest(struct cr_rst *r, const struct cr_hdr_pgarr *ha,
		       u64 **addrs, struct cr_hdr_pages *hp);
int cr_read_pgarr(struct cr_rst *r, u64 lo, u64 hi, u64 *next, u64 **addrs,
		  unsigned int *np, struct cr_hdr_pages *hp);
int cr_read_vma_pages(struct cr_rst *r, u64 *next);
int cr_fill_pages(struct cr_rst *r, const u64 *addrs, unsigned int n,
		  struct page **src);

/* shmem.c: shared memory objects */
bool cr_file_is_memfd(struct file *file);
u32 cr_vma_shmem_kind(struct vm_area_struct *vma);
int cr_write_shmem(struct cr_ctx *ctx, struct file *file, u32 kind, u32 *id);
int cr_read_shmem(struct cr_rst *r);
int cr_fill_shmem(struct cr_rst *r, struct file *file, const u64 *offs,
		  unsigned int n, struct page **src);
const struct cr_rshmem *cr_shmem_get(struct cr_rst *r, u32 id, u32 kind);
void cr_free_shmems(struct cr_tree *tree);

/* sysvshm.c: SysV shared memory segments */
#ifdef CONFIG_CHECKPOINT_SYSVIPC
bool cr_file_is_sysvshm(struct file *file);
int cr_write_sysvshm(struct cr_ctx *ctx, struct file *file, u32 id);
int cr_check_ipc_ns(struct cr_ctx *ctx);
int cr_read_sysvshm(struct cr_rst *r, const struct cr_hdr_shmem *hs,
		    struct cr_rshmem *obj);
struct file *cr_sysvshm_attach(struct cr_rst *r, const struct cr_rshmem *obj,
			       vm_flags_t flags);
void cr_finish_sysvshm(struct cr_tree *tree, bool failed);
#else
static inline bool cr_file_is_sysvshm(struct file *file)
{
	return false;
}

static inline int cr_write_sysvshm(struct cr_ctx *ctx, struct file *file,
				   u32 id)
{
	return -EOPNOTSUPP;
}

static inline int cr_check_ipc_ns(struct cr_ctx *ctx)
{
	return 0;
}

static inline int cr_read_sysvshm(struct cr_rst *r,
				  const struct cr_hdr_shmem *hs,
				  struct cr_rshmem *obj)
{
	return cr_refuse(r, -EOPNOTSUPP,
			 "SysV shared memory: this kernel has no CONFIG_SYSVIPC");
}

static inline struct file *cr_sysvshm_attach(struct cr_rst *r,
					     const struct cr_rshmem *obj,
					     vm_flags_t flags)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void cr_finish_sysvshm(struct cr_tree *tree, bool failed)
{
}
#endif

/* eventpoll.c: eventfds and epoll instances */
#ifdef CONFIG_EPOLL
int cr_anon_kind(struct cr_ctx *ctx, struct file *file,
		 struct files_struct *files, const char **what);
int cr_write_anon(struct cr_ctx *ctx, struct file *file, int kind);
int cr_read_anon(struct cr_rst *r, struct cr_rfile *rf, int kind,
		 u32 file_flags);
int cr_check_epoll_items(struct cr_rst *r, struct cr_rproc *rp);
int cr_add_epoll_items(struct cr_tree *tree, struct cr_rproc *rp);
#else
static inline int cr_anon_kind(struct cr_ctx *ctx, struct file *file,
			       struct files_struct *files, const char **what)
{
	return 0;
}

static inline int cr_write_anon(struct cr_ctx *ctx, struct file *file,
				int kind)
{
	return -EOPNOTSUPP;
}

static inline int cr_read_anon(struct cr_rst *r, struct cr_rfile *rf,
			       int kind, u32 file_flags)
{
	return cr_refuse(r, -EOPNOTSUPP,
			 "an eventfd or epoll instance, which this kernel cannot make without CONFIG_EPOLL");
}

static inline int cr_check_epoll_items(struct cr_rst *r, struct cr_rproc *rp)
{
	return 0;
}

static inline int cr_add_epoll_items(struct cr_tree *tree,
				     struct cr_rproc *rp)
{
	return 0;
}
#endif

/* socket_inet.c: TCP and UDP sockets that hold no connection */
#if IS_ENABLED(CONFIG_INET)
int cr_inet_kind(struct sock *sk, const char **what);
int cr_fill_inet(struct socket *sock, struct cr_hdr_socket *hs);
bool cr_check_inet(const struct cr_hdr_socket *hs);
struct file *cr_make_inet(struct cr_rst *r, const struct cr_hdr_socket *hs,
			  unsigned int flags);
#else
static inline int cr_inet_kind(struct sock *sk, const char **what)
{
	*what = "an internet socket";
	return -EOPNOTSUPP;
}

static inline int cr_fill_inet(struct socket *sock, struct cr_hdr_socket *hs)
{
	return -EOPNOTSUPP;
}

static inline bool cr_check_inet(const struct cr_hdr_socket *hs)
{
	return false;
}

static inline struct file *cr_make_inet(struct cr_rst *r,
					const struct cr_hdr_socket *hs,
					unsigned int flags)
{
	return ERR_PTR(-EOPNOTSUPP);
}
#endif

/* socket.c: sockets */
#if IS_BUILTIN(CONFIG_UNIX)
int cr_socket_kind(struct cr_ctx *ctx, struct file *file, const char **what);
int cr_write_socket(struct cr_ctx *ctx, struct file *file);
int cr_read_socket(struct cr_rst *r, struct cr_rfile *rf, u32 file_flags);
int cr_finish_sockets(struct cr_rst *r);
void cr_free_sockets(struct cr_tree *tree);
#else
static inline int cr_socket_kind(struct cr_ctx *ctx, struct file *file,
				 const char **what)
{
	*what = "a socket";
	return -EOPNOTSUPP;
}

static inline int cr_write_socket(struct cr_ctx *ctx, struct file *file)
{
	return -EOPNOTSUPP;
}

static inline int cr_read_socket(struct cr_rst *r, struct cr_rfile *rf,
				 u32 file_flags)
{
	return cr_refuse(r, -EOPNOTSUPP,
			 "a socket, which this kernel cannot make without CONFIG_UNIX");
}

static inline int cr_finish_sockets(struct cr_rst *r)
{
	return 0;
}

static inline void cr_free_sockets(struct cr_tree *tree)
{
	xa_destroy(&tree->socks);
}
#endif

/* pram_store.c: a PRAM node as the page store */
#ifdef CONFIG_PRAM
int cr_pram_store_open(struct cr_ctx *ctx);

/* pram_walk.c: a VMA walked on two CPUs */
void cr_pram_vma_begin(struct cr_ctx *ctx, unsigned long start,
		       unsigned long end);
int cr_pram_vma_ahead(struct cr_ctx *ctx, unsigned long *start,
		      unsigned long *stop);
void cr_pram_vma_end(struct cr_ctx *ctx);
#else
static inline int cr_pram_store_open(struct cr_ctx *ctx)
{
	return 0;
}
#endif

#endif /* _CHECKPOINT_INTERNAL_H */

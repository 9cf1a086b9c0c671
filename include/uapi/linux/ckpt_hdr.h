/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Checkpoint/restart image format, version 7: the generic records.
 *
 * The records that hold architecture state (%CR_HDR_CPU and
 * %CR_HDR_MM_CONTEXT) are defined by <asm/ckpt_hdr.h> of the
 * architecture that wrote the image. See Documentation/checkpoint.rst
 * for the order of records and what each one holds.
 */
#ifndef _UAPI_LINUX_CKPT_HDR_H
#define _UAPI_LINUX_CKPT_HDR_H

#include <linux/types.h>

/**
 * DOC: image format compatibility
 *
 * An image is a stream of records. Every record starts with a struct
 * cr_hdr giving its type and its total length in bytes, header included;
 * lengths are multiples of %CR_HDR_ALIGN so that every record starts
 * 8-byte aligned. All fields are fixed width, in the byte order of the
 * architecture named in the head record, and every size and field offset
 * is pinned at build time: a layout cannot change by accident.
 *
 * The format is an ABI of its own. It stores no kernel-internal constant:
 * memory protection, VMA and mm flags are the image's own ``CR_PROT_*``,
 * ``CR_VMA_*`` and ``CR_MM_*`` values, translated to and from the
 * kernel's at checkpoint and restart. checkpoint(2) refuses a task that
 * has state the format has no constant for, rather than drop it.
 *
 * %CR_IMAGE_VERSION is bumped whenever a record changes its layout or
 * meaning, or a record type or flag is added. A reader handles exactly
 * one version: it refuses an image of any other version, a record type
 * it does not know, and a flag or field value it does not know, since
 * each of those would be state it cannot restore. Padding fields are
 * written as zero and must read as zero.
 *
 * An image restarts on a kernel that reads its version, on the same
 * architecture and page size. Beyond that, a few things must match the
 * running machine and are checked, not assumed: the CPU's extended
 * state layout (XSAVE features and size) and the size of the vDSO.
 * The kernel release recorded in the head is informational.
 */

/**
 * DOC: objects shared between tasks
 *
 * An image holds a tree of tasks: a root process, its threads and its
 * descendants with theirs. What several tasks share (an address space,
 * signal handlers, the process-wide signal state) is one object, saved
 * once in the record that introduces it and referenced by its id from
 * every task record that uses it, as Linux-CR's objhash did. Ids are
 * numbered from 1 per kind of object, in order of first use: a task
 * record naming an id one past the last seen is followed by the record
 * that introduces it. Address spaces, signal state and descriptor
 * tables are shared between the threads of a process only; a task
 * record that shares one otherwise is refused, as is a process tree
 * that does (a vfork child). Open files are shared between processes
 * too, as fork() leaves them: a %CR_HDR_FILE record comes once, right
 * before the first %CR_HDR_FD that refers to it, and later descriptors,
 * of any process, refer to its id. Shared memory objects (shared
 * anonymous memory, memfds, SysV segments) are shared the same way, by
 * mappings and descriptors: a %CR_HDR_SHMEM record, with the object's
 * pages, comes once, right before the first %CR_HDR_VMA or %CR_HDR_FILE
 * that refers to it.
 */

/* Flags of checkpoint(2). */
#define CHECKPOINT_TREE		(1UL << 0)	/* pid and all its descendants */

/* Flags of restart(2). */
#define RESTART_RUN		(1UL << 0)	/* stopped tasks resume, too */
#define RESTART_LAZY		(1UL << 1)	/* pages filled on first touch */

/* "CKPTIMG\0" read as a little-endian 64-bit number */
#define CR_IMAGE_MAGIC		0x00474d4954504b43ULL

#define CR_IMAGE_VERSION	11

/* Records are padded to this alignment. */
#define CR_HDR_ALIGN		8

/**
 * enum cr_hdr_type - the type of a record
 * @CR_HDR_HEAD: first record: magic, version, arch, page size, release
 * @CR_HDR_TASK: the task: comm, signal state, user-space registrations
 *	(rseq, robust futexes)
 * @CR_HDR_CPU: the task's CPU state (<asm/ckpt_hdr.h>)
 * @CR_HDR_MM: the address space: bounds, map count, flags
 * @CR_HDR_MM_CONTEXT: architecture mm state (<asm/ckpt_hdr.h>)
 * @CR_HDR_VMA: one memory area
 * @CR_HDR_PGARR: the addresses of one batch of saved pages of a VMA
 * @CR_HDR_PAGES: the contents of that batch, one page per address
 * @CR_HDR_TREE: the tree of tasks: how many, what kind of tree
 * @CR_HDR_SIGHAND: the signal handlers, shared by a process's threads
 * @CR_HDR_SIGNAL: the process-wide state: limits, umask, stop state
 * @CR_HDR_SIGPENDING: signals pending for a thread or for its process
 * @CR_HDR_FS: a process's root and working directories
 * @CR_HDR_FILE: an open file, shared by the descriptors that refer to it
 * @CR_HDR_FILES: a descriptor table: how many descriptors follow
 * @CR_HDR_FD: one descriptor of a table
 * @CR_HDR_PIPE: the data buffered in a pipe
 * @CR_HDR_SHMEM: a shared memory object, followed by its pages
 * @CR_HDR_SOCKET: a socket, after its file's record
 * @CR_HDR_SKB: one message queued for a socket to read
 * @CR_HDR_EVENTFD: an eventfd's counter, after its file's record
 * @CR_HDR_EPOLL: an epoll instance's interest list, after its file's record
 * @CR_HDR_SYSVSHM: a SysV segment's id, key and owners, after its
 *	%CR_HDR_SHMEM record
 * @CR_HDR_TAIL: last record: magic and a checksum of the whole stream
 *
 * Values are stable: new record types get new numbers.
 */
enum cr_hdr_type {
	CR_HDR_HEAD		= 1,
	CR_HDR_TASK		= 2,
	CR_HDR_CPU		= 3,
	CR_HDR_MM		= 4,
	CR_HDR_MM_CONTEXT	= 5,
	CR_HDR_VMA		= 6,
	CR_HDR_PGARR		= 7,
	CR_HDR_PAGES		= 8,
	CR_HDR_TREE		= 9,
	CR_HDR_SIGHAND		= 10,
	CR_HDR_SIGNAL		= 11,
	CR_HDR_SIGPENDING	= 12,
	CR_HDR_FS		= 13,
	CR_HDR_FILE		= 14,
	CR_HDR_FILES		= 15,
	CR_HDR_FD		= 16,
	CR_HDR_PIPE		= 17,
	CR_HDR_SHMEM		= 18,
	CR_HDR_SOCKET		= 19,
	CR_HDR_SKB		= 20,
	CR_HDR_EVENTFD		= 21,
	CR_HDR_EPOLL		= 22,
	CR_HDR_SYSVSHM		= 23,
	CR_HDR_TAIL		= 127
};

/**
 * struct cr_hdr - the header every record starts with
 * @type: an &enum cr_hdr_type value
 * @len: length of the whole record in bytes, this header included;
 *	a multiple of %CR_HDR_ALIGN
 */
struct cr_hdr {
	__u32 type;
	__u32 len;
};

/* cr_hdr_head.arch */
#define CR_ARCH_X86_64		1

/* cr_hdr_head.flags */
#define CR_HEAD_SELF		(1U << 0)	/* the task checkpointed itself */
#define CR_HEAD_PIDNS		(1U << 1)	/* a whole pid namespace */
#define CR_HEAD_FLAGS		(CR_HEAD_SELF | CR_HEAD_PIDNS)

#define CR_RELEASE_LEN		64

/**
 * struct cr_hdr_head - first record of an image
 * @h: record header, type %CR_HDR_HEAD
 * @magic: %CR_IMAGE_MAGIC
 * @version: %CR_IMAGE_VERSION
 * @arch: architecture of the writer, %CR_ARCH_X86_64
 * @page_size: page size of the writer, in bytes
 * @flags: %CR_HEAD_SELF when the task checkpointed itself;
 *	%CR_HEAD_PIDNS when the tree is the whole of a pid namespace,
 *	checkpointed through its init
 * @id: the checkpoint id checkpoint(2) returned
 * @time: when the checkpoint was taken, in seconds since the epoch
 * @release: kernel release of the writer (uname -r), NUL-terminated
 */
struct cr_hdr_head {
	struct cr_hdr h;
	__u64 magic;
	__u32 version;
	__u32 arch;
	__u32 page_size;
	__u32 flags;
	__u64 id;
	__s64 time;
	char release[CR_RELEASE_LEN];
};

#define CR_COMM_LEN		16
#define CR_NSIG			64

/**
 * struct cr_hdr_tree - the tasks of the image
 * @h: record header, type %CR_HDR_TREE
 * @nr_tasks: task records that follow, threads included (at least 1)
 * @nr_procs: how many of them lead a process (at least 1)
 *
 * Task records come in the order restart creates the tasks: a process's
 * leader, then its other threads, then its child processes, each with
 * its own threads and children (depth first). The first is the root.
 * Each task record is followed by the records of the objects it is the
 * first to use, and by its own state, in this order: %CR_HDR_SIGHAND,
 * %CR_HDR_SIGNAL and the process's %CR_HDR_SIGPENDING, then
 * %CR_HDR_CPU and the thread's %CR_HDR_SIGPENDING, then %CR_HDR_FS and
 * %CR_HDR_FILES with its descriptors, then %CR_HDR_MM with its
 * %CR_HDR_MM_CONTEXT, VMAs and pages.
 */
struct cr_hdr_tree {
	struct cr_hdr h;
	__u32 nr_tasks;
	__u32 nr_procs;
};

/**
 * struct cr_sigaction - one signal's disposition
 * @handler: SIG_DFL (0), SIG_IGN (1) or the handler's address
 * @flags: SA_* flags, as sigaction(2) of the image's architecture
 *	defines them (they are user ABI already)
 * @restorer: the sa_restorer address
 * @mask: signals blocked while the handler runs, bit n-1 for signal n
 */
struct cr_sigaction {
	__u64 handler;
	__u64 flags;
	__u64 restorer;
	__u64 mask;
};

/**
 * struct cr_hdr_task - one task (a thread)
 * @h: record header, type %CR_HDR_TASK
 * @comm: the task's name, NUL-terminated
 * @tid: its thread id, as seen in the pid namespace of the root
 * @tgid: the thread id of its process's leader; @tid for a leader
 * @ptid: the thread that forked this process (its parent is that
 *	thread's process); 0 for the root, and for threads
 * @pgid: its process group, or 0 when that is not in the tree
 * @sid: its session, or 0 when that is not in the tree
 * @exit_signal: the signal its parent gets when it exits (0 for none);
 *	-1 for threads
 * @pdeath_signal: the signal it gets when its parent thread exits
 *	(prctl(PR_SET_PDEATHSIG)), 0 for none
 * @mm_id: id of its address space (a %CR_HDR_MM record)
 * @sighand_id: id of its signal handlers (a %CR_HDR_SIGHAND record)
 * @signal_id: id of its process-wide state (a %CR_HDR_SIGNAL record)
 * @personality: its execution domain and flags, as personality(2)
 * @uid: real, effective, saved and filesystem uid (a record, never
 *	restored)
 * @gid: real, effective, saved and filesystem gid (likewise)
 * @files_id: id of its descriptor table (a %CR_HDR_FILES record)
 * @blocked: blocked signals, bit n-1 for signal n
 * @altstack_sp: the alternate signal stack (sigaltstack(2)): its base
 * @altstack_size: its size in bytes, 0 for none
 * @altstack_flags: its SS_* flags
 * @rseq_len: the size of the registered rseq(2) area, 0 for none
 * @rseq: its address
 * @rseq_sig: its abort signature
 * @nr_pending: signals pending for this thread alone: when not 0, a
 *	%CR_HDR_SIGPENDING record of that many follows the CPU record
 * @robust_list: the robust futex list head (set_robust_list(2)), or 0
 * @clear_child_tid: the address set_tid_address(2) set, or 0
 *
 * The process group and session are the root's own when they are the
 * root's, whatever their number: the restarted root keeps its caller's.
 */
struct cr_hdr_task {
	struct cr_hdr h;
	char comm[CR_COMM_LEN];
	__s32 tid;
	__s32 tgid;
	__s32 ptid;
	__s32 pgid;
	__s32 sid;
	__s32 exit_signal;
	__s32 pdeath_signal;
	__u32 mm_id;
	__u32 sighand_id;
	__u32 signal_id;
	__u32 personality;
	__u32 uid[4];
	__u32 gid[4];
	__u32 files_id;
	__u64 blocked;
	__u64 altstack_sp;
	__u64 altstack_size;
	__u32 altstack_flags;
	__u32 rseq_len;
	__u64 rseq;
	__u32 rseq_sig;
	__u32 nr_pending;
	__u64 robust_list;
	__u64 clear_child_tid;
};

/**
 * struct cr_hdr_sighand - the signal handlers of a process
 * @h: record header, type %CR_HDR_SIGHAND
 * @id: its id, one past the last signal handler id
 * @pad: zero
 * @action: the disposition of signals 1 to %CR_NSIG, index n-1
 */
struct cr_hdr_sighand {
	struct cr_hdr h;
	__u32 id;
	__u32 pad;
	struct cr_sigaction action[CR_NSIG];
};

#define CR_NRLIMIT		16	/* RLIMIT_CPU to RLIMIT_RTTIME */

/* cr_hdr_signal.flags */
#define CR_SIGNAL_STOPPED	(1U << 0)	/* in a group stop (SIGSTOP) */
#define CR_SIGNAL_FLAGS		CR_SIGNAL_STOPPED

/**
 * struct cr_rlimit - one resource limit, as getrlimit(2) reports it
 * @cur: the soft limit (RLIM_INFINITY is all ones)
 * @max: the hard limit
 */
struct cr_rlimit {
	__u64 cur;
	__u64 max;
};

/**
 * struct cr_itimer - one interval timer, as getitimer(2) reports it
 * @value: nanoseconds until it fires (of real, user or user and system
 *	CPU time, as the timer counts), 0 when disarmed; at most KTIME_MAX
 * @interval: nanoseconds between firings after that, 0 for one shot
 */
struct cr_itimer {
	__u64 value;
	__u64 interval;
};

#define CR_NITIMER		3	/* ITIMER_REAL, _VIRTUAL and _PROF */

/**
 * struct cr_hdr_signal - what the threads of a process share
 * @h: record header, type %CR_HDR_SIGNAL
 * @id: its id, one past the last such id
 * @flags: %CR_SIGNAL_* flags
 * @umask: the file mode creation mask (umask(2))
 * @nr_pending: signals pending for the whole process: when not 0, a
 *	%CR_HDR_SIGPENDING record of that many follows
 * @rlim: the resource limits, index RLIMIT_*
 * @itimer: the interval timers, index ITIMER_*
 *
 * POSIX timers (timer_create(2)) are not saved: a process with one is
 * refused, as Linux 6.12 has no way to create a timer with a given id.
 */
struct cr_hdr_signal {
	struct cr_hdr h;
	__u32 id;
	__u32 flags;
	__u32 umask;
	__u32 nr_pending;
	struct cr_rlimit rlim[CR_NRLIMIT];
	struct cr_itimer itimer[CR_NITIMER];
};

/**
 * struct cr_hdr_fs - a process's root and working directories
 * @h: record header, type %CR_HDR_FS
 * @root_len: bytes of the root's path that follow, its NUL included
 * @cwd_len: bytes of the working directory's path that follow it, its
 *	NUL included
 *
 * Both paths are absolute, as the checkpointing task sees them, and
 * are resolved in the restarting task's root.
 */
struct cr_hdr_fs {
	struct cr_hdr h;
	__u32 root_len;
	__u32 cwd_len;
};

/* cr_hdr_file.kind */
#define CR_FILE_REG		1	/* a regular file, reopened by path */
#define CR_FILE_DIR		2	/* a directory, likewise */
#define CR_FILE_CHR		3	/* a device of the allow-list */
#define CR_FILE_EXTERNAL	4	/* leads outside: a substitute */
#define CR_FILE_PIPE		5	/* an end of a pipe inside the tree */
#define CR_FILE_MEMFD		6	/* a memfd: a %CR_HDR_SHMEM object */
#define CR_FILE_SOCKET		7	/* a socket: a %CR_HDR_SOCKET follows */
#define CR_FILE_EVENTFD		8	/* an eventfd: %CR_HDR_EVENTFD follows */
#define CR_FILE_EPOLL		9	/* an epoll instance: %CR_HDR_EPOLL */
#define CR_FILE_FIFO		10	/* a FIFO inside the tree, by path */

/*
 * cr_hdr_file.flags: the open(2) flags kept for a file, as x86-64
 * numbers them (user ABI): access mode, O_APPEND, O_NONBLOCK, O_DSYNC,
 * O_DIRECT, O_LARGEFILE, O_DIRECTORY, O_NOFOLLOW, O_NOATIME, O_SYNC,
 * O_PATH.
 */
#define CR_FILE_O_FLAGS		0x0037dc03

/**
 * struct cr_hdr_file - an open file
 * @h: record header, type %CR_HDR_FILE
 * @id: its id, one past the last file id
 * @kind: %CR_FILE_*; %CR_FILE_CHR is for /dev/null, /dev/zero, /dev/full,
 *	/dev/random and /dev/urandom (major 1, minors 3, 5, 7, 8, 9) only
 * @flags: its open(2) flags, within %CR_FILE_O_FLAGS
 * @mode: st_mode of its inode
 * @pos: its file position
 * @dev: st_dev of its inode
 * @ino: st_ino of its inode; for a pipe, what tells its ends which pipe
 *	they belong to
 * @rdev: st_rdev of its inode (devices)
 * @size: st_size when checkpointed (for the reader: not checked)
 * @path_len: bytes of path that follow, its NUL included: the absolute
 *	path for a file reopened; for an external one, what it was (a
 *	path, or "pipe:[inode]"); for a memfd, its name as /proc shows it
 * @object: for a memfd, the id of its %CR_HDR_SHMEM object; else zero
 *
 * Files are shared: descriptors duplicated with dup(2), or inherited
 * through fork(), refer to one file, with one position and one set of
 * flags; each is recorded once, before the first descriptor that
 * refers to it. The first file of a pipe (%CR_FILE_PIPE, flags
 * O_RDONLY or O_WRONLY, and O_NONBLOCK) is followed by the pipe's
 * %CR_HDR_PIPE record; a pipe has at most one file per end. So is the
 * first file of a FIFO (%CR_FILE_FIFO, flags O_RDONLY, O_WRONLY or
 * O_RDWR, O_NONBLOCK and O_LARGEFILE; reopened by path, with dev and ino its
 * identity and the key of its other files). A socket's
 * file (%CR_FILE_SOCKET, flags O_RDWR and O_NONBLOCK) is followed by its
 * %CR_HDR_SOCKET record.
 */
struct cr_hdr_file {
	struct cr_hdr h;
	__u32 id;
	__u32 kind;
	__u32 flags;
	__u32 mode;
	__u64 pos;
	__u64 dev;
	__u64 ino;
	__u64 rdev;
	__u64 size;
	__u32 path_len;
	__u32 object;
};

/**
 * struct cr_hdr_pipe - the data buffered in a pipe
 * @h: record header, type %CR_HDR_PIPE
 * @size: its capacity in bytes, as F_GETPIPE_SZ reports it
 * @len: bytes buffered, which follow (at most @size)
 *
 * The data is read without being consumed: it is there again after
 * restart, and still there in the checkpointed pipe.
 */
struct cr_hdr_pipe {
	struct cr_hdr h;
	__u32 size;
	__u32 len;
};

/* cr_hdr_shmem.kind */
#define CR_SHMEM_ANON		1	/* mmap(MAP_SHARED | MAP_ANONYMOUS) */
#define CR_SHMEM_MEMFD		2	/* memfd_create(2) */
#define CR_SHMEM_SYSV		3	/* shmget(2): %CR_HDR_SYSVSHM follows */

/* cr_hdr_shmem.flags */
#define CR_SHMEM_NORESERVE	(1U << 0)	/* MAP_NORESERVE, SHM_NORESERVE */
#define CR_SHMEM_FLAGS		CR_SHMEM_NORESERVE

/*
 * cr_hdr_shmem.seals: a memfd's seals, as fcntl(F_GET_SEALS) reports
 * them (user ABI): F_SEAL_SEAL, _SHRINK, _GROW, _WRITE, _FUTURE_WRITE,
 * _EXEC.
 */
#define CR_SHMEM_SEALS		0x3fU

/* Longest memfd name, as memfd_create(2) takes it, NUL excluded. */
#define CR_SHMEM_NAME_MAX	249

/**
 * struct cr_hdr_shmem - a shared memory object
 * @h: record header, type %CR_HDR_SHMEM
 * @id: its id, one past the last shared memory object id
 * @kind: %CR_SHMEM_*
 * @size: its size in bytes (st_size); for %CR_SHMEM_ANON, page-aligned;
 *	for %CR_SHMEM_SYSV, the size shmget(2) took
 * @flags: %CR_SHMEM_* flags
 * @seals: a memfd's %CR_SHMEM_SEALS; zero for other kinds
 * @mode: a memfd's permission bits (st_mode & 07777), a SysV segment's
 *	(shm_perm.mode & 0777); zero for %CR_SHMEM_ANON
 * @name_len: bytes of a memfd's name that follow (without the "memfd:"
 *	that /proc shows before it), its NUL included; zero for other kinds
 *
 * The object's pages that hold data follow as %CR_HDR_PGARR records
 * whose addresses are offsets in the object, each with its
 * %CR_HDR_PAGES record. An object is saved once, however many mappings
 * and descriptors, in however many processes, share it; after restart
 * they share it again.
 */
struct cr_hdr_shmem {
	struct cr_hdr h;
	__u32 id;
	__u32 kind;
	__u64 size;
	__u32 flags;
	__u32 seals;
	__u32 mode;
	__u32 name_len;
};

/* cr_hdr_sysvshm.flags */
#define CR_SYSVSHM_REMOVED	(1U << 0)	/* IPC_RMID, still attached */
#define CR_SYSVSHM_LOCKED	(1U << 1)	/* SHM_LOCK */
#define CR_SYSVSHM_FLAGS	0x3U

/**
 * struct cr_hdr_sysvshm - what only a SysV segment has
 * @h: record header, type %CR_HDR_SYSVSHM
 * @shmid: its id, as shmget(2) returned it
 * @key: its key; IPC_PRIVATE (0) for a removed segment
 * @uid: its owner's user id, in the checkpointer's user namespace
 * @gid: its owner's group id
 * @cuid: its creator's user id
 * @cgid: its creator's group id
 * @flags: %CR_SYSVSHM_* flags
 * @pad: zero
 *
 * Comes right after the %CR_HDR_SHMEM record of a %CR_SHMEM_SYSV object,
 * before its pages. The segment's size and permission bits are that
 * record's. Its attachments are %CR_VMA_SHMEM VMAs that name the object.
 */
struct cr_hdr_sysvshm {
	struct cr_hdr h;
	__s32 shmid;
	__s32 key;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__u32 flags;
	__u32 pad;
};

/* cr_hdr_socket.state */
#define CR_SOCK_UNCONNECTED	1	/* neither listening nor connected */
#define CR_SOCK_LISTEN		2	/* listen(2) */
#define CR_SOCK_CONNECTED	3	/* connected, @peer is its peer */

/* cr_hdr_socket.flags */
#define CR_SOCKF_SHUT_RD	(1U << 0)	/* shutdown(SHUT_RD) */
#define CR_SOCKF_SHUT_WR	(1U << 1)	/* shutdown(SHUT_WR) */
#define CR_SOCKF_PASSCRED	(1U << 2)	/* SO_PASSCRED */
#define CR_SOCKF_SNDBUF		(1U << 3)	/* SO_SNDBUF was set */
#define CR_SOCKF_RCVBUF		(1U << 4)	/* SO_RCVBUF was set */
#define CR_SOCKF_PAIR		(1U << 5)	/* its peer's peer is itself */
#define CR_SOCKF_REUSEADDR	(1U << 6)	/* SO_REUSEADDR */
#define CR_SOCKF_REUSEPORT	(1U << 7)	/* SO_REUSEPORT */
#define CR_SOCKF_V6ONLY		(1U << 8)	/* IPV6_V6ONLY */
#define CR_SOCKF_KEEPALIVE	(1U << 9)	/* SO_KEEPALIVE */
#define CR_SOCKF_NODELAY	(1U << 10)	/* TCP_NODELAY */
#define CR_SOCKF_ACCEPTED	(1U << 11)	/* its address is its listener's */
#define CR_SOCKF_INET		0x7c0U		/* internet sockets' only */
#define CR_SOCKF_FLAGS		0xfffU

/* Longest message a %CR_HDR_SKB record holds. */
#define CR_SKB_MAX		(4U << 20)

/**
 * struct cr_hdr_socket - a socket
 * @h: record header, type %CR_HDR_SOCKET
 * @family: AF_UNIX (1), AF_INET (2) or AF_INET6 (10), as socket(2)
 *	takes it
 * @type: SOCK_STREAM (1), SOCK_DGRAM (2) or SOCK_SEQPACKET (5, unix);
 *	an internet socket is a TCP SOCK_STREAM or a UDP SOCK_DGRAM one
 * @state: %CR_SOCK_*
 * @flags: %CR_SOCKF_*
 * @ino: the socket's own inode number, which its peer's @peer names
 * @peer: for a unix %CR_SOCK_CONNECTED, the inode number of its peer, a socket
 *	of the tree; 0 for a peer that was closed (a stream socket whose
 *	peer went away, which reads what is queued, then end of file)
 * @sndbuf: SO_SNDBUF, when %CR_SOCKF_SNDBUF
 * @rcvbuf: SO_RCVBUF, when %CR_SOCKF_RCVBUF
 * @sndtimeo: SO_SNDTIMEO in nanoseconds, 0 for none
 * @rcvtimeo: SO_RCVTIMEO in nanoseconds, 0 for none
 * @backlog: for %CR_SOCK_LISTEN, the backlog listen(2) was given (as the
 *	kernel kept it, within net.core.somaxconn); 0 otherwise
 * @nr_skbs: %CR_HDR_SKB records that follow: the messages queued for it
 *	to read, in order
 * @addr_len: bytes of the address it is bound to that follow, as bind(2)
 *	takes it (a struct sockaddr_un: an absolute path, or an abstract
 *	name; a struct sockaddr_in or sockaddr_in6 with its port); 0 when
 *	it is not bound. With %CR_SOCKF_ACCEPTED, a unix stream connection
 *	accept(2) made, the address of the listener it came from, which
 *	getsockname(2) gives it though it is not bound
 * @protocol: IPPROTO_TCP (6) or IPPROTO_UDP (17) for an internet
 *	socket, 0 for a unix one
 * @dev: for a socket bound to a path, st_dev of the socket file (for
 *	an accepted one, its listener's)
 * @file_ino: likewise, its st_ino: a socket file left by the socket
 *	checkpointed, and only that one, is replaced when restart binds
 *	the path again
 */
struct cr_hdr_socket {
	struct cr_hdr h;
	__u32 family;
	__u32 type;
	__u32 state;
	__u32 flags;
	__u64 ino;
	__u64 peer;
	__u32 sndbuf;
	__u32 rcvbuf;
	__u64 sndtimeo;
	__u64 rcvtimeo;
	__u32 backlog;
	__u32 nr_skbs;
	__u32 addr_len;
	__u32 protocol;
	__u64 dev;
	__u64 file_ino;
};

/**
 * struct cr_hdr_skb - one message queued for a socket to read
 * @h: record header, type %CR_HDR_SKB
 * @len: bytes of data that follow, at most %CR_SKB_MAX
 * @pad: zero
 *
 * The data is read without being consumed. Messages queued for a
 * socket that reads their credentials (SO_PASSCRED) are refused at
 * checkpoint, since restart sends them again as the restarting task,
 * and so is a message carrying descriptors (SCM_RIGHTS).
 */
struct cr_hdr_skb {
	struct cr_hdr h;
	__u32 len;
	__u32 pad;
};

/* cr_hdr_eventfd.flags */
#define CR_EVENTFD_SEMAPHORE	(1U << 0)	/* EFD_SEMAPHORE */

/**
 * struct cr_hdr_eventfd - an eventfd's counter
 * @h: record header, type %CR_HDR_EVENTFD
 * @count: its counter, below 2^64 - 1; read without being consumed
 * @flags: %CR_EVENTFD_* flags
 * @pad: zero
 *
 * Follows the %CR_HDR_FILE record of an eventfd (%CR_FILE_EVENTFD,
 * flags O_RDWR and O_NONBLOCK).
 */
struct cr_hdr_eventfd {
	struct cr_hdr h;
	__u64 count;
	__u32 flags;
	__u32 pad;
};

/**
 * struct cr_epoll_item - one item of an epoll instance's interest list
 * @fd: the descriptor it was added with, of the first process of the
 *	image that has the instance, which has that target there
 * @events: its events, as epoll_ctl(2) takes them (EPOLLIN, EPOLLET, ...)
 * @data: its data
 */
struct cr_epoll_item {
	__s32 fd;
	__u32 events;
	__u64 data;
};

/**
 * struct cr_hdr_epoll - an epoll instance's interest list
 * @h: record header, type %CR_HDR_EPOLL
 * @nr_items: &struct cr_epoll_item entries that follow, in increasing
 *	order of @fd, at most 65536
 * @pad: zero
 *
 * Follows the %CR_HDR_FILE record of an epoll instance
 * (%CR_FILE_EPOLL, flags O_RDWR). Restart adds each item with
 * epoll_ctl(2) once the first process that has the instance has all its
 * descriptors; whether an item was ready is found again then, as
 * epoll_ctl(2) finds it.
 */
struct cr_hdr_epoll {
	struct cr_hdr h;
	__u32 nr_items;
	__u32 pad;
};

/**
 * struct cr_hdr_files - a descriptor table
 * @h: record header, type %CR_HDR_FILES
 * @id: its id, one past the last table id
 * @nr_fds: %CR_HDR_FD records that follow, each after the
 *	%CR_HDR_FILE record of its file when that is new
 */
struct cr_hdr_files {
	struct cr_hdr h;
	__u32 id;
	__u32 nr_fds;
};

/* cr_hdr_fd.flags */
#define CR_FD_CLOEXEC		(1U << 0)	/* close-on-exec */
#define CR_FD_FLAGS		CR_FD_CLOEXEC

/**
 * struct cr_hdr_fd - one descriptor of a table
 * @h: record header, type %CR_HDR_FD
 * @fd: its number; increasing within a table
 * @flags: %CR_FD_* flags
 * @file: id of its file (a %CR_HDR_FILE record)
 * @pad: zero
 */
struct cr_hdr_fd {
	struct cr_hdr h;
	__s32 fd;
	__u32 flags;
	__u32 file;
	__u32 pad;
};

/**
 * struct cr_inherit - a substitute for an external descriptor
 * @tid: the process (its leader's tid, as in the image), or 0 for the
 *	root
 * @fd: its descriptor that the image records as external
 * @from: the restarting caller's descriptor that takes its place
 * @pad: zero
 *
 * restart(2) takes an array of these: every external file of the image
 * must get a substitute through one of its descriptors. A descriptor of
 * an external file that has no entry of its own gets the file's first
 * substitute. An entry for a descriptor that is not external is not
 * used, so that a restarter can offer its standard descriptors to any
 * image.
 */
struct cr_inherit {
	__s32 tid;
	__s32 fd;
	__s32 from;
	__u32 pad;
};

/**
 * struct cr_siginfo - one pending signal
 * @signo: the signal number
 * @err: its si_errno
 * @code: its si_code
 * @pad: zero
 * @fields: the rest of its siginfo_t as the image's architecture lays
 *	it out, from offset 16; zero beyond what the kernel keeps
 *
 * The whole is the siginfo_t that sigwaitinfo(2) would have returned.
 */
struct cr_siginfo {
	__s32 signo;
	__s32 err;
	__s32 code;
	__s32 pad;
	__u64 fields[14];
};

/* cr_hdr_sigpending.shared */
#define CR_SIGPENDING_THREAD	0	/* pending for the task before it */
#define CR_SIGPENDING_PROCESS	1	/* pending for the whole process */

/**
 * struct cr_hdr_sigpending - signals queued and not yet delivered
 * @h: record header, type %CR_HDR_SIGPENDING
 * @shared: %CR_SIGPENDING_THREAD or %CR_SIGPENDING_PROCESS
 * @nr: &struct cr_siginfo entries that follow, in queue order
 */
struct cr_hdr_sigpending {
	struct cr_hdr h;
	__u32 shared;
	__u32 nr;
};

/* cr_hdr_mm.flags */
#define CR_MM_THP_DISABLE	(1U << 0)	/* prctl(PR_SET_THP_DISABLE) */
#define CR_MM_MDWE		(1U << 1)	/* prctl(PR_SET_MDWE): deny W+X */
#define CR_MM_MDWE_NO_INHERIT	(1U << 2)	/* ... with PR_MDWE_NO_INHERIT */
#define CR_MM_FLAGS		(CR_MM_THP_DISABLE | CR_MM_MDWE |	\
				 CR_MM_MDWE_NO_INHERIT)

/* cr_hdr_mm.dump_filter: the bits of /proc/PID/coredump_filter */
#define CR_MM_DUMP_FILTER	0x1ffU

/**
 * struct cr_hdr_mm - the address space
 * @h: record header, type %CR_HDR_MM
 * @start_code: start of the program text
 * @end_code: end of the program text
 * @start_data: start of the initialised data
 * @end_data: end of the initialised data
 * @start_brk: start of the heap
 * @brk: current program break
 * @start_stack: start of the main stack
 * @arg_start: start of the argument strings
 * @arg_end: end of the argument strings
 * @env_start: start of the environment strings
 * @env_end: end of the environment strings
 * @flags: %CR_MM_* flags
 * @dump_filter: the core dump filter, as /proc/PID/coredump_filter
 *	shows it (bits of %CR_MM_DUMP_FILTER)
 * @map_count: number of VMAs, as many %CR_HDR_VMA records follow
 * @id: its id, one past the last address space id
 */
struct cr_hdr_mm {
	struct cr_hdr h;
	__u64 start_code, end_code, start_data, end_data;
	__u64 start_brk, brk, start_stack;
	__u64 arg_start, arg_end, env_start, env_end;
	__u32 flags;
	__u32 dump_filter;
	__u32 map_count;
	__u32 id;
};

/* cr_hdr_vma.type */
enum cr_vma_type {
	CR_VMA_ANON	= 1,	/* anonymous memory: heap, stack, mmap */
	CR_VMA_FILE	= 2,	/* a file mapping, reopened by path */
	CR_VMA_VDSO	= 3,	/* the kernel's vDSO: mapped anew, no data */
	CR_VMA_VVAR	= 4,	/* the vDSO's data page: likewise */
	CR_VMA_SHMEM	= 5	/* a %CR_HDR_SHMEM object */
};

/* cr_hdr_vma.prot: as mmap(2)'s PROT_* */
#define CR_PROT_READ		(1U << 0)
#define CR_PROT_WRITE		(1U << 1)
#define CR_PROT_EXEC		(1U << 2)
#define CR_PROT_ALL		(CR_PROT_READ | CR_PROT_WRITE | CR_PROT_EXEC)

/*
 * cr_hdr_vma.flags: what mmap(2) flags and madvise(2) advice set on a
 * VMA, beyond its protection. Limits that follow from how a VMA was
 * made (the mprotect() ceiling, memory accounting, soft-dirty state) are
 * not recorded: restart derives them as mmap(2) does.
 */
#define CR_VMA_GROWSDOWN	(1U << 0)	/* MAP_GROWSDOWN, a stack */
#define CR_VMA_NORESERVE	(1U << 1)	/* MAP_NORESERVE */
#define CR_VMA_SEQ_READ		(1U << 2)	/* MADV_SEQUENTIAL */
#define CR_VMA_RAND_READ	(1U << 3)	/* MADV_RANDOM */
#define CR_VMA_DONTFORK		(1U << 4)	/* MADV_DONTFORK */
#define CR_VMA_DONTDUMP		(1U << 5)	/* MADV_DONTDUMP */
#define CR_VMA_WIPEONFORK	(1U << 6)	/* MADV_WIPEONFORK */
#define CR_VMA_HUGEPAGE		(1U << 7)	/* MADV_HUGEPAGE */
#define CR_VMA_NOHUGEPAGE	(1U << 8)	/* MADV_NOHUGEPAGE */
#define CR_VMA_LOCKED		(1U << 9)	/* mlock(2), MAP_LOCKED */
#define CR_VMA_LOCKONFAULT	(1U << 10)	/* mlock2(MLOCK_ONFAULT) */
#define CR_VMA_DROPPABLE	(1U << 11)	/* MAP_DROPPABLE */
#define CR_VMA_SHARED		(1U << 12)	/* MAP_SHARED */
#define CR_VMA_MAYWRITE		(1U << 13)	/* shared, may be written */
#define CR_VMA_FLAGS		0x3fffU

/**
 * struct cr_hdr_vma - one memory area
 * @h: record header, type %CR_HDR_VMA
 * @start: first address
 * @end: address after the last
 * @pgoff: offset in the file, in pages (file mappings), else 0
 * @type: an &enum cr_vma_type value
 * @prot: %CR_PROT_* flags
 * @flags: %CR_VMA_* flags; 0 for %CR_VMA_VDSO and %CR_VMA_VVAR, which
 *	the restarting kernel maps as it maps its own
 * @path_len: bytes of file path following this struct, NUL included
 *	(0 when there is no file); the record is padded to %CR_HDR_ALIGN
 * @dev: the file's device, as stat(2) reports it in st_dev
 * @ino: the file's inode number
 * @size: the file's size in bytes
 * @mtime_sec: the file's modification time, seconds
 * @mtime_nsec: the file's modification time, nanoseconds
 * @object: for %CR_VMA_SHMEM, the id of its %CR_HDR_SHMEM object; else
 *	zero
 *
 * The file fields identify the file a mapping came from, so that restart
 * can refuse a file that changed since. They are zero for anonymous
 * memory and shared memory objects.
 *
 * A shared mapping (%CR_VMA_SHARED) has no saved pages: its pages are
 * the file's, or the object's. %CR_VMA_MAYWRITE says that its file was
 * open for writing, so that mprotect(2) may make it writable: restart
 * opens the file for writing then, and only then. A private mapping of
 * a shared memory object (a memfd) saves its copied-on-write pages as a
 * private file mapping does.
 */
struct cr_hdr_vma {
	struct cr_hdr h;
	__u64 start;
	__u64 end;
	__u64 pgoff;
	__u32 type;
	__u32 prot;
	__u32 flags;
	__u32 path_len;
	__u64 dev;
	__u64 ino;
	__u64 size;
	__s64 mtime_sec;
	__u32 mtime_nsec;
	__u32 object;
};

/**
 * struct cr_hdr_pgarr - the addresses of one batch of saved pages
 * @h: record header, type %CR_HDR_PGARR
 * @nr_pages: addresses following this struct, 8 bytes each, 1 to
 *	%CR_PGARR_MAX of them, page-aligned and increasing, all inside the
 *	VMA of the last %CR_HDR_VMA record (with %CR_PAGES_HUGE, of huge
 *	pages, each aligned to its size and inside the VMA whole); after a
 *	%CR_HDR_SHMEM record, byte offsets in its object instead, below its
 *	size
 * @flags: the flags of the %CR_HDR_PAGES record that follows, the same
 * @first: the first of the addresses
 * @last: the last of them
 * @digest: the XXH64 (seed 0) of the addresses, then of the following
 *	%CR_HDR_PAGES record up to its page contents: its header, its
 *	fixed part and its pages' checksums
 *
 * A %CR_HDR_PAGES record with the contents of the same pages follows.
 *
 * The image's running checksum covers this struct but not the addresses
 * after it, nor the %CR_HDR_PAGES record: @digest covers those, and each
 * page's own checksum its contents. So a reader that leaves the pages
 * in the image for later (a lazy restart) reads @first, @last and
 * @digest alone, seeks past the rest, and still verifies the image's
 * checksum; it checks the batch against @digest when it first needs its
 * pages. Reading 40 bytes a batch of up to %CR_PGARR_MAX pages (16 MiB
 * of 4 KiB pages) is what keeps a lazy restart's time independent of the
 * memory size: 64 such reads are all it makes of 1 GiB before the task
 * runs, and a batch's 64 KiB of addresses and checksums what the first
 * touch of one of its pages reads and checks.
 */
struct cr_hdr_pgarr {
	struct cr_hdr h;
	__u32 nr_pages;
	__u32 flags;
	__u64 first;
	__u64 last;
	__u64 digest;
};

/* Most pages one batch (a PGARR record and its PAGES record) holds. */
#define CR_PGARR_MAX		4096

/* The size of a %CR_PAGES_HUGE page: a PMD's worth of 4 KiB pages. */
#define CR_HUGE_SHIFT		21

/* cr_hdr_pages.flags */
#define CR_PAGES_PRAM		(1U << 0)	/* in the PRAM node, not here */
#define CR_PAGES_PARENT		(1U << 1)	/* the parent's, as forked */
#define CR_PAGES_HUGE		(1U << 2)	/* PMD-sized, with PRAM only */
#define CR_PAGES_FLAGS		(CR_PAGES_PRAM | CR_PAGES_PARENT | CR_PAGES_HUGE)

/**
 * struct cr_hdr_pages - the contents of one batch of saved pages
 * @h: record header, type %CR_HDR_PAGES
 * @nr_pages: pages in the batch, in the order of the addresses of the
 *	preceding %CR_HDR_PGARR record. Without a flag, this struct is
 *	followed by @nr_pages 64-bit checksums, the XXH64 with seed 0 of
 *	each page's page_size bytes, and then by the pages' contents,
 *	page_size bytes each. The record is outside the image's running
 *	checksum (&cr_hdr_pgarr.digest covers all of it but the contents),
 *	and each page is checked against its own checksum, so that a page
 *	can be read and checked alone (a lazy restart does, on first touch).
 *	XXH64, not CRC-32C, since it is the cost every page pays: a tenth
 *	of table-driven CRC-32C's where the CPU has no CRC instruction
 * @flags: %CR_PAGES_PRAM when the image is a PRAM node and the pages are
 *	the next @nr_pages of the node's page stream instead: then no
 *	contents follow; %CR_PAGES_PARENT when the pages are those the
 *	parent process has at the same addresses, which it still shared
 *	with this process copy-on-write since fork() (they are stored once,
 *	with the parent's address space, earlier in the image): then no
 *	contents follow either. %CR_PAGES_HUGE, only ever beside
 *	%CR_PAGES_PRAM and for the anonymous pages of a VMA: each address
 *	of the batch is the start of a huge page of %CR_HUGE_SHIFT bits
 *	(2 MiB on x86-64), aligned to its size, which the node keeps as one
 *	entry of its page stream; the addresses are then that far apart at
 *	least, and @nr_pages counts huge pages
 */
struct cr_hdr_pages {
	struct cr_hdr h;
	__u32 nr_pages;
	__u32 flags;
};

/**
 * struct cr_hdr_tail - last record of an image
 * @h: record header, type %CR_HDR_TAIL
 * @magic: %CR_IMAGE_MAGIC
 * @crc32c: the standard CRC-32C (Castagnoli, as iSCSI uses it: initial
 *	value and final xor ~0, check value 0xe3069283) of every byte of
 *	the image before this field but the addresses that follow each
 *	&struct cr_hdr_pgarr and the %CR_HDR_PAGES records, which that
 *	struct's digest and each page's own checksum cover
 * @pad: zero
 */
struct cr_hdr_tail {
	struct cr_hdr h;
	__u64 magic;
	__u32 crc32c;
	__u32 pad;
};

#endif /* _UAPI_LINUX_CKPT_HDR_H */

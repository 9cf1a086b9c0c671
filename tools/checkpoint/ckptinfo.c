// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckptinfo: check a checkpoint image and say what it holds.
 *
 *   ckptinfo [--json] [--pages] [FILE|-]
 *
 * Reads an image written by checkpoint(2) from FILE, or from standard
 * input when FILE is "-" or absent, checks every record against
 * <linux/ckpt_hdr.h> and the CRC-32C in the tail, and prints the head,
 * the tree of tasks and, task by task, its ids, its process's signal
 * handlers, limits, interval timers and pending signals, its CPU state,
 * its own pending signals, its process's root and working directory,
 * descriptors and the open files they are the first to use (with the
 * size and fill of each pipe and FIFO inside the tree, each unix socket
 * with its address, peer, options and the messages queued for it, each
 * TCP or UDP socket with its address, port and options, each eventfd
 * with its counter and each epoll instance with its items), and its
 * process's address space with one line per VMA, with the shared memory
 * objects (shared anonymous memory, memfds, SysV segments with their
 * ids, keys and owners) that its VMAs and descriptors are the first to
 * use, as text for a person or, with --json, as line-oriented JSON
 * that the kselftests (C programs) parse line by line (there the open
 * files and the shared memory objects, shared across the tree, come in
 * lists of their own after the tasks).
 * --pages also lists the address of every saved page, and the offset of
 * every saved page of a shared memory object, each with its checksum,
 * under the batch (CR_HDR_PGARR) it came in, with its bounds and digest.
 * A huge page that a PRAM node keeps whole (CR_PAGES_HUGE) is listed
 * once, by its start, as the image has it, and counted as the base
 * pages it maps.
 *
 * The image is read once, front to back, through a fixed buffer: page
 * contents are checked against their own checksums and dropped, so an
 * image of any size can come through a pipe. Input is treated as
 * hostile: every length is bounded before it is used and every field
 * the format constrains is checked.
 *
 * Exit status: 0 the image is valid and its checksums match, 1 the
 * tail's checksum, a batch's digest or a page's checksum does not match
 * (one line on stderr names the first, in image order), 2 the image is
 * malformed or truncated
 * (one line on stderr gives the byte offset and the reason), 3 usage or
 * I/O error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/ckpt_hdr.h>
#include <asm/ckpt_hdr.h>

#include "crc32c.h"
#include "xxh64.h"

/* Records are read in place, so the host must share x86_64's order. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ckptinfo reads x86_64 images in place: build it little-endian"
#endif

#define EXIT_CRC		1
#define EXIT_MALFORMED		2
#define EXIT_USAGE		3

/*
 * Bounds on what an image may claim, so that a hostile length can never
 * make us allocate or loop without limit. Only a PAGES record may be
 * longer than MAX_RECORD_LEN; its length must match nr_pages exactly.
 */
#define MAX_RECORD_LEN		(64U << 20)
#define MAX_BATCH_PAGES		CR_PGARR_MAX	/* the format's bound */
#define MAX_LDT_ENTRIES		8192		/* LDT_ENTRIES on x86 */
#define MAX_PATH_LEN		4096		/* PATH_MAX, NUL included */
#define X86_64_PAGE_SIZE	4096U
/* TASK_SIZE_MAX with 5-level paging: no user VMA ends above it. */
#define X86_64_USER_END		((1ULL << 56) - X86_64_PAGE_SIZE)

/*
 * The layout this tool was written against, pinned as the kernel pins
 * it: a header that moved a field would otherwise be misread silently.
 */
static_assert(CR_IMAGE_VERSION == 11, "CR_IMAGE_VERSION");
static_assert(sizeof(struct cr_hdr_head) == 112, "cr_hdr_head");
static_assert(sizeof(struct cr_hdr_tree) == 16, "cr_hdr_tree");
static_assert(sizeof(struct cr_hdr_task) == 168, "cr_hdr_task");
static_assert(offsetof(struct cr_hdr_task, tid) == 24, "cr_hdr_task.tid");
static_assert(offsetof(struct cr_hdr_task, personality) == 64,
	      "cr_hdr_task.personality");
static_assert(offsetof(struct cr_hdr_task, files_id) == 100,
	      "cr_hdr_task.files_id");
static_assert(offsetof(struct cr_hdr_task, blocked) == 104,
	      "cr_hdr_task.blocked");
static_assert(offsetof(struct cr_hdr_task, nr_pending) == 148,
	      "cr_hdr_task.nr_pending");
static_assert(sizeof(struct cr_hdr_sighand) == 2064, "cr_hdr_sighand");
static_assert(offsetof(struct cr_hdr_sighand, action) == 16,
	      "cr_hdr_sighand.action");
static_assert(sizeof(struct cr_hdr_signal) == 328, "cr_hdr_signal");
static_assert(offsetof(struct cr_hdr_signal, itimer) == 280,
	      "cr_hdr_signal.itimer");
static_assert(offsetof(struct cr_hdr_signal, rlim) == 24,
	      "cr_hdr_signal.rlim");
static_assert(sizeof(struct cr_siginfo) == 128, "cr_siginfo");
static_assert(sizeof(struct cr_hdr_sigpending) == 16, "cr_hdr_sigpending");
static_assert(sizeof(struct cr_hdr_fs) == 16, "cr_hdr_fs");
static_assert(sizeof(struct cr_hdr_file) == 72, "cr_hdr_file");
static_assert(offsetof(struct cr_hdr_file, pos) == 24, "cr_hdr_file.pos");
static_assert(offsetof(struct cr_hdr_file, path_len) == 64,
	      "cr_hdr_file.path_len");
static_assert(offsetof(struct cr_hdr_file, object) == 68,
	      "cr_hdr_file.object");
static_assert(sizeof(struct cr_hdr_files) == 16, "cr_hdr_files");
static_assert(sizeof(struct cr_hdr_fd) == 24, "cr_hdr_fd");
static_assert(sizeof(struct cr_hdr_pipe) == 16, "cr_hdr_pipe");
static_assert(offsetof(struct cr_hdr_pipe, len) == 12, "cr_hdr_pipe.len");
static_assert(offsetof(struct cr_hdr_fd, file) == 16, "cr_hdr_fd.file");
static_assert(sizeof(struct cr_hdr_socket) == 96, "cr_hdr_socket");
static_assert(offsetof(struct cr_hdr_socket, family) == 8,
	      "cr_hdr_socket.family");
static_assert(offsetof(struct cr_hdr_socket, type) == 12,
	      "cr_hdr_socket.type");
static_assert(offsetof(struct cr_hdr_socket, state) == 16,
	      "cr_hdr_socket.state");
static_assert(offsetof(struct cr_hdr_socket, flags) == 20,
	      "cr_hdr_socket.flags");
static_assert(offsetof(struct cr_hdr_socket, ino) == 24, "cr_hdr_socket.ino");
static_assert(offsetof(struct cr_hdr_socket, peer) == 32,
	      "cr_hdr_socket.peer");
static_assert(offsetof(struct cr_hdr_socket, sndbuf) == 40,
	      "cr_hdr_socket.sndbuf");
static_assert(offsetof(struct cr_hdr_socket, rcvbuf) == 44,
	      "cr_hdr_socket.rcvbuf");
static_assert(offsetof(struct cr_hdr_socket, sndtimeo) == 48,
	      "cr_hdr_socket.sndtimeo");
static_assert(offsetof(struct cr_hdr_socket, rcvtimeo) == 56,
	      "cr_hdr_socket.rcvtimeo");
static_assert(offsetof(struct cr_hdr_socket, backlog) == 64,
	      "cr_hdr_socket.backlog");
static_assert(offsetof(struct cr_hdr_socket, nr_skbs) == 68,
	      "cr_hdr_socket.nr_skbs");
static_assert(offsetof(struct cr_hdr_socket, addr_len) == 72,
	      "cr_hdr_socket.addr_len");
static_assert(offsetof(struct cr_hdr_socket, protocol) == 76,
	      "cr_hdr_socket.protocol");
static_assert(offsetof(struct cr_hdr_socket, dev) == 80, "cr_hdr_socket.dev");
static_assert(offsetof(struct cr_hdr_socket, file_ino) == 88,
	      "cr_hdr_socket.file_ino");
static_assert(sizeof(struct cr_hdr_skb) == 16, "cr_hdr_skb");
static_assert(offsetof(struct cr_hdr_skb, len) == 8, "cr_hdr_skb.len");
static_assert(sizeof(struct cr_hdr_eventfd) == 24, "cr_hdr_eventfd");
static_assert(offsetof(struct cr_hdr_eventfd, count) == 8,
	      "cr_hdr_eventfd.count");
static_assert(offsetof(struct cr_hdr_eventfd, flags) == 16,
	      "cr_hdr_eventfd.flags");
static_assert(offsetof(struct cr_hdr_eventfd, pad) == 20,
	      "cr_hdr_eventfd.pad");
static_assert(sizeof(struct cr_hdr_epoll) == 16, "cr_hdr_epoll");
static_assert(offsetof(struct cr_hdr_epoll, nr_items) == 8,
	      "cr_hdr_epoll.nr_items");
static_assert(offsetof(struct cr_hdr_epoll, pad) == 12, "cr_hdr_epoll.pad");
static_assert(sizeof(struct cr_epoll_item) == 16, "cr_epoll_item");
static_assert(offsetof(struct cr_epoll_item, events) == 4,
	      "cr_epoll_item.events");
static_assert(offsetof(struct cr_epoll_item, data) == 8,
	      "cr_epoll_item.data");
static_assert(sizeof(struct cr_hdr_shmem) == 40, "cr_hdr_shmem");
static_assert(offsetof(struct cr_hdr_shmem, size) == 16, "cr_hdr_shmem.size");
static_assert(offsetof(struct cr_hdr_shmem, name_len) == 36,
	      "cr_hdr_shmem.name_len");
static_assert(sizeof(struct cr_hdr_sysvshm) == 40, "cr_hdr_sysvshm");
static_assert(offsetof(struct cr_hdr_sysvshm, shmid) == 8,
	      "cr_hdr_sysvshm.shmid");
static_assert(offsetof(struct cr_hdr_sysvshm, key) == 12,
	      "cr_hdr_sysvshm.key");
static_assert(offsetof(struct cr_hdr_sysvshm, cgid) == 28,
	      "cr_hdr_sysvshm.cgid");
static_assert(offsetof(struct cr_hdr_sysvshm, flags) == 32,
	      "cr_hdr_sysvshm.flags");
static_assert(offsetof(struct cr_hdr_sysvshm, pad) == 36,
	      "cr_hdr_sysvshm.pad");
static_assert(sizeof(struct cr_hdr_cpu) == 240, "cr_hdr_cpu");
static_assert(sizeof(struct cr_hdr_mm) == 112, "cr_hdr_mm");
static_assert(offsetof(struct cr_hdr_mm, flags) == 96, "cr_hdr_mm.flags");
static_assert(offsetof(struct cr_hdr_mm, id) == 108, "cr_hdr_mm.id");
static_assert(sizeof(struct cr_hdr_mm_context) == 16, "cr_hdr_mm_context");
static_assert(sizeof(struct cr_hdr_vma) == 88, "cr_hdr_vma");
static_assert(offsetof(struct cr_hdr_vma, prot) == 36, "cr_hdr_vma.prot");
static_assert(offsetof(struct cr_hdr_vma, object) == 84, "cr_hdr_vma.object");
static_assert(sizeof(struct cr_hdr_pgarr) == 40, "cr_hdr_pgarr");
static_assert(offsetof(struct cr_hdr_pgarr, flags) == 12,
	      "cr_hdr_pgarr.flags");
static_assert(offsetof(struct cr_hdr_pgarr, first) == 16,
	      "cr_hdr_pgarr.first");
static_assert(offsetof(struct cr_hdr_pgarr, digest) == 32,
	      "cr_hdr_pgarr.digest");
static_assert(sizeof(struct cr_hdr_pages) == 16, "cr_hdr_pages");
static_assert(sizeof(struct cr_hdr_tail) == 24, "cr_hdr_tail");

/*
 * The open(2) flags a pipe end may have, as x86-64 numbers them, those
 * a FIFO's file may have (restart opens it again by path with its access
 * mode, O_RDWR too) and those a memfd's file may have (fcntl(F_SETFL)
 * sets the others).
 */
#define X86_64_O_ACCMODE	03
#define X86_64_O_WRONLY		01
#define X86_64_O_APPEND		02000
#define X86_64_O_NONBLOCK	04000
#define X86_64_O_LARGEFILE	0100000
#define FIFO_O_FLAGS		(X86_64_O_ACCMODE | X86_64_O_NONBLOCK |	\
				 X86_64_O_LARGEFILE)
#define MEMFD_O_FLAGS		(X86_64_O_ACCMODE | X86_64_O_APPEND |	\
				 X86_64_O_NONBLOCK | X86_64_O_LARGEFILE)

/*
 * A socket as x86-64 numbers it, whatever the host does (MIPS numbers
 * SOCK_STREAM 2): its families, types and protocols, and the layout of
 * the struct sockaddr_un, sockaddr_in or sockaddr_in6 its address is.
 */
#define X86_64_AF_UNIX		1
#define X86_64_AF_INET		2
#define X86_64_AF_INET6		10
#define X86_64_SOCK_STREAM	1
#define X86_64_SOCK_DGRAM	2
#define X86_64_SOCK_SEQPACKET	5
#define X86_64_O_RDWR		02
#define PROTO_TCP		6	/* IPPROTO_TCP */
#define PROTO_UDP		17	/* IPPROTO_UDP */
#define SUN_PATH_OFF		2	/* offsetof(struct sockaddr_un, sun_path) */
#define SOCKADDR_UN_SIZE	110	/* sizeof(struct sockaddr_un) */
#define SOCKADDR_IN_SIZE	16	/* sizeof(struct sockaddr_in) */
#define SOCKADDR_IN6_SIZE	28	/* sizeof(struct sockaddr_in6) */
#define SIN_PORT_OFF		2	/* the port, big-endian, in either */
#define SIN_ADDR_OFF		4	/* offsetof(struct sockaddr_in, sin_addr) */
#define SIN6_ADDR_OFF		8	/* offsetof(struct sockaddr_in6, sin6_addr) */
#define SIN6_SCOPE_OFF		24	/* offsetof(..., sin6_scope_id) */
/* Messages one socket's queue holds at most in an image, as restart says. */
#define MAX_SOCK_SKBS		65536U

/*
 * The events epoll_ctl(2) takes in an item, as x86-64 numbers them, and
 * the items one epoll instance holds at most in an image, as restart
 * says; an eventfd's counter is below 2^64 - 1, as write(2) leaves it.
 */
#define X86_64_EPOLLIN		0x00000001U
#define X86_64_EPOLLPRI		0x00000002U
#define X86_64_EPOLLOUT		0x00000004U
#define X86_64_EPOLLERR		0x00000008U
#define X86_64_EPOLLHUP		0x00000010U
#define X86_64_EPOLLNVAL	0x00000020U
#define X86_64_EPOLLRDNORM	0x00000040U
#define X86_64_EPOLLRDBAND	0x00000080U
#define X86_64_EPOLLWRNORM	0x00000100U
#define X86_64_EPOLLWRBAND	0x00000200U
#define X86_64_EPOLLMSG		0x00000400U
#define X86_64_EPOLLRDHUP	0x00002000U
#define X86_64_EPOLLEXCLUSIVE	0x10000000U
#define X86_64_EPOLLWAKEUP	0x20000000U
#define X86_64_EPOLLONESHOT	0x40000000U
#define X86_64_EPOLLET		0x80000000U
#define EPOLL_EVENTS		(X86_64_EPOLLIN | X86_64_EPOLLPRI |	\
				 X86_64_EPOLLOUT | X86_64_EPOLLERR |	\
				 X86_64_EPOLLHUP | X86_64_EPOLLNVAL |	\
				 X86_64_EPOLLRDNORM | X86_64_EPOLLRDBAND | \
				 X86_64_EPOLLWRNORM | X86_64_EPOLLWRBAND | \
				 X86_64_EPOLLMSG | X86_64_EPOLLRDHUP |	\
				 X86_64_EPOLLEXCLUSIVE | X86_64_EPOLLWAKEUP | \
				 X86_64_EPOLLONESHOT | X86_64_EPOLLET)
#define MAX_EPOLL_ITEMS		65536U
#define EVENTFD_COUNT_MAX	(~0ULL - 1)

/* MAX_LFS_FILESIZE on 64 bits: no object is larger, no offset beyond. */
#define MAX_OBJECT_SIZE		((__u64)INT64_MAX)

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN8(x)		(((x) + 7ULL) & ~7ULL)

static const char *prog = "ckptinfo";

static noreturn void die_usage(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

/* One line, offset first, so that a bad image can be looked at there. */
static noreturn void malformed(__u64 off, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: offset %llu: ", prog, off);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_MALFORMED);
}

/*
 * A buffered reader that checksums the bytes it hands out or drops, so
 * that the running CRC covers exactly the bytes consumed so far but the
 * addresses after each PGARR struct and the PAGES records, which the
 * PGARR's digest and each page's own checksum cover instead.
 */
#define READ_BUF_SIZE		(256U << 10)

struct reader {
	int fd;
	const char *name;
	unsigned char *buf;
	size_t pos, end;
	__u64 off;		/* bytes consumed so far */
	__u32 crc;		/* CRC-32C register over those bytes */
};

/* Refill the buffer; false at end of input. */
static bool rd_fill(struct reader *r)
{
	ssize_t n;

	do {
		n = read(r->fd, r->buf, READ_BUF_SIZE);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		die_usage("%s: read at offset %llu: %s", r->name,
			  r->off, strerror(errno));
	r->pos = 0;
	r->end = n;
	return n > 0;
}

/*
 * Consume up to @n bytes, copying them to @dst unless it is NULL, into
 * the CRC-32C register *@crc unless it is NULL. Returns how many were
 * consumed: fewer than @n only at end of input.
 */
static __u64 rd_take_crc(struct reader *r, void *dst, __u64 n, __u32 *crc)
{
	unsigned char *d = dst;
	__u64 done = 0;
	size_t chunk;

	while (done < n) {
		if (r->pos == r->end && !rd_fill(r))
			break;
		chunk = r->end - r->pos;
		if (chunk > n - done)
			chunk = n - done;
		if (crc)
			*crc = crc32c_update(*crc, r->buf + r->pos, chunk);
		if (d)
			memcpy(d + done, r->buf + r->pos, chunk);
		r->pos += chunk;
		r->off += chunk;
		done += chunk;
	}
	return done;
}

/* As rd_take_crc(), into the running CRC. */
static __u64 rd_take(struct reader *r, void *dst, __u64 n)
{
	return rd_take_crc(r, dst, n, &r->crc);
}

/*
 * The array @p of *@cap elements of @size bytes, grown if need be to
 * hold element @n: an image may claim many, but holds what it claims.
 */
static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t more = *cap ? 2 * *cap : 64;

	if (n < *cap)
		return p;
	p = reallocarray(p, more, size);
	if (!p)
		die_usage("out of memory");
	*cap = more;
	return p;
}

/* A growable string: the JSON is printed only once the image checked out. */
struct strbuf {
	char *buf;
	size_t len, cap;
};

static void sb_reserve(struct strbuf *sb, size_t more)
{
	size_t cap = sb->cap ? sb->cap : 4096;
	char *buf;

	while (cap - sb->len <= more)
		cap *= 2;
	if (cap == sb->cap)
		return;
	buf = realloc(sb->buf, cap);
	if (!buf)
		die_usage("out of memory");
	sb->buf = buf;
	sb->cap = cap;
}

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die_usage("formatting the output: %s", strerror(errno));
	sb_reserve(sb, n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	sb->len += n;
}

static void sb_append(struct strbuf *sb, const char *s, size_t n)
{
	if (!n)
		return;
	sb_reserve(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

/*
 * A JSON string of the raw bytes @s[0..@n). Every byte that is not
 * printable ASCII becomes \u00XX, so the output is plain ASCII and each
 * code point of the decoded string is one byte of the image.
 */
static void sb_json_str(struct strbuf *sb, const char *s, size_t n)
{
	unsigned char c;
	size_t i;

	sb_reserve(sb, 6 * n + 2);
	sb->buf[sb->len++] = '"';
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '"' || c == '\\') {
			sb->buf[sb->len++] = '\\';
			sb->buf[sb->len++] = c;
		} else if (c < 0x20 || c >= 0x7f) {
			sb->len += sprintf(sb->buf + sb->len, "\\u%04x", c);
		} else {
			sb->buf[sb->len++] = c;
		}
	}
	sb->buf[sb->len++] = '"';
	sb->buf[sb->len] = '\0';
}

/*
 * For text: control characters and backslashes as \ooo, the way
 * /proc/PID/maps escapes a path, so that one VMA stays one line.
 */
static void print_text_str(const char *s, size_t n)
{
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c < 0x20 || c == 0x7f || c == '\\')
			printf("\\%03o", c);
		else
			putchar(c);
	}
}

static const char *type_name(__u32 type)
{
	switch (type) {
	case CR_HDR_HEAD:
		return "CR_HDR_HEAD";
	case CR_HDR_TASK:
		return "CR_HDR_TASK";
	case CR_HDR_CPU:
		return "CR_HDR_CPU";
	case CR_HDR_MM:
		return "CR_HDR_MM";
	case CR_HDR_MM_CONTEXT:
		return "CR_HDR_MM_CONTEXT";
	case CR_HDR_VMA:
		return "CR_HDR_VMA";
	case CR_HDR_PGARR:
		return "CR_HDR_PGARR";
	case CR_HDR_PAGES:
		return "CR_HDR_PAGES";
	case CR_HDR_TREE:
		return "CR_HDR_TREE";
	case CR_HDR_SIGHAND:
		return "CR_HDR_SIGHAND";
	case CR_HDR_SIGNAL:
		return "CR_HDR_SIGNAL";
	case CR_HDR_SIGPENDING:
		return "CR_HDR_SIGPENDING";
	case CR_HDR_FS:
		return "CR_HDR_FS";
	case CR_HDR_FILE:
		return "CR_HDR_FILE";
	case CR_HDR_FILES:
		return "CR_HDR_FILES";
	case CR_HDR_FD:
		return "CR_HDR_FD";
	case CR_HDR_PIPE:
		return "CR_HDR_PIPE";
	case CR_HDR_SHMEM:
		return "CR_HDR_SHMEM";
	case CR_HDR_SOCKET:
		return "CR_HDR_SOCKET";
	case CR_HDR_SKB:
		return "CR_HDR_SKB";
	case CR_HDR_EVENTFD:
		return "CR_HDR_EVENTFD";
	case CR_HDR_EPOLL:
		return "CR_HDR_EPOLL";
	case CR_HDR_SYSVSHM:
		return "CR_HDR_SYSVSHM";
	case CR_HDR_TAIL:
		return "CR_HDR_TAIL";
	}
	return NULL;
}

/* The smallest legal length of each record: its fixed struct. */
static size_t type_size(__u32 type)
{
	switch (type) {
	case CR_HDR_HEAD:
		return sizeof(struct cr_hdr_head);
	case CR_HDR_TASK:
		return sizeof(struct cr_hdr_task);
	case CR_HDR_CPU:
		return sizeof(struct cr_hdr_cpu);
	case CR_HDR_MM:
		return sizeof(struct cr_hdr_mm);
	case CR_HDR_MM_CONTEXT:
		return sizeof(struct cr_hdr_mm_context);
	case CR_HDR_VMA:
		return sizeof(struct cr_hdr_vma);
	case CR_HDR_PGARR:
		return sizeof(struct cr_hdr_pgarr);
	case CR_HDR_PAGES:
		return sizeof(struct cr_hdr_pages);
	case CR_HDR_TREE:
		return sizeof(struct cr_hdr_tree);
	case CR_HDR_SIGHAND:
		return sizeof(struct cr_hdr_sighand);
	case CR_HDR_SIGNAL:
		return sizeof(struct cr_hdr_signal);
	case CR_HDR_SIGPENDING:
		return sizeof(struct cr_hdr_sigpending);
	case CR_HDR_FS:
		return sizeof(struct cr_hdr_fs);
	case CR_HDR_FILE:
		return sizeof(struct cr_hdr_file);
	case CR_HDR_FILES:
		return sizeof(struct cr_hdr_files);
	case CR_HDR_FD:
		return sizeof(struct cr_hdr_fd);
	case CR_HDR_PIPE:
		return sizeof(struct cr_hdr_pipe);
	case CR_HDR_SHMEM:
		return sizeof(struct cr_hdr_shmem);
	case CR_HDR_SOCKET:
		return sizeof(struct cr_hdr_socket);
	case CR_HDR_SKB:
		return sizeof(struct cr_hdr_skb);
	case CR_HDR_EVENTFD:
		return sizeof(struct cr_hdr_eventfd);
	case CR_HDR_EPOLL:
		return sizeof(struct cr_hdr_epoll);
	case CR_HDR_SYSVSHM:
		return sizeof(struct cr_hdr_sysvshm);
	case CR_HDR_TAIL:
		return sizeof(struct cr_hdr_tail);
	}
	return 0;
}

static const char *file_kind_name(__u32 kind)
{
	switch (kind) {
	case CR_FILE_REG:
		return "reg";
	case CR_FILE_DIR:
		return "dir";
	case CR_FILE_CHR:
		return "chr";
	case CR_FILE_EXTERNAL:
		return "external";
	case CR_FILE_PIPE:
		return "pipe";
	case CR_FILE_MEMFD:
		return "memfd";
	case CR_FILE_SOCKET:
		return "socket";
	case CR_FILE_EVENTFD:
		return "eventfd";
	case CR_FILE_EPOLL:
		return "epoll";
	case CR_FILE_FIFO:
		return "fifo";
	}
	return NULL;
}

static const char *vma_type_name(__u32 type)
{
	switch (type) {
	case CR_VMA_ANON:
		return "anon";
	case CR_VMA_FILE:
		return "file";
	case CR_VMA_VDSO:
		return "vdso";
	case CR_VMA_VVAR:
		return "vvar";
	case CR_VMA_SHMEM:
		return "shmem";
	}
	return NULL;
}

static const char *shmem_kind_name(__u32 kind)
{
	switch (kind) {
	case CR_SHMEM_ANON:
		return "anon";
	case CR_SHMEM_MEMFD:
		return "memfd";
	case CR_SHMEM_SYSV:
		return "sysv";
	}
	return NULL;
}

static const char *sock_type_name(__u32 type)
{
	switch (type) {
	case X86_64_SOCK_STREAM:
		return "stream";
	case X86_64_SOCK_DGRAM:
		return "dgram";
	case X86_64_SOCK_SEQPACKET:
		return "seqpacket";
	}
	return NULL;
}

static const char *sock_state_name(__u32 state)
{
	switch (state) {
	case CR_SOCK_UNCONNECTED:
		return "unconnected";
	case CR_SOCK_LISTEN:
		return "listen";
	case CR_SOCK_CONNECTED:
		return "connected";
	}
	return NULL;
}

/* A set of tids, open addressing: a tree may hold many tasks. */
struct tidset {
	__s32 *slot;		/* 0: empty; tids are positive */
	size_t cap, nr;
};

static size_t tid_hash(__s32 tid, size_t cap)
{
	return ((__u32)tid * 2654435761U) & (cap - 1);
}

static bool tid_known(const struct tidset *ts, __s32 tid)
{
	size_t i;

	if (!ts->cap)
		return false;
	for (i = tid_hash(tid, ts->cap); ts->slot[i]; i = (i + 1) & (ts->cap - 1))
		if (ts->slot[i] == tid)
			return true;
	return false;
}

static void tid_add(struct tidset *ts, __s32 tid)
{
	struct tidset big = { 0 };
	size_t i;

	if (2 * (ts->nr + 1) > ts->cap) {
		big.cap = ts->cap ? 2 * ts->cap : 64;
		big.slot = calloc(big.cap, sizeof(*big.slot));
		if (!big.slot)
			die_usage("out of memory");
		for (i = 0; i < ts->cap; i++)
			if (ts->slot[i])
				tid_add(&big, ts->slot[i]);
		free(ts->slot);
		*ts = big;
	}
	for (i = tid_hash(tid, ts->cap); ts->slot[i]; i = (i + 1) & (ts->cap - 1))
		;
	ts->slot[i] = tid;
	ts->nr++;
}

/*
 * The pipes inside the tree, by inode number, each with the ends that
 * a file of it was seen for; in a set of their own, the FIFOs inside
 * the tree, by inode number (restart keys them apart from the pipes),
 * in a third the sockets, by inode number, each with what its record
 * and its peer's said, and in two more the SysV segments, by id and by
 * key (but IPC_PRIVATE), each with its object: open addressing, as an
 * image may hold many.
 */
#define PIPE_READ		1U
#define PIPE_WRITE		2U
#define FIFO_SEEN		1U	/* its first file came */
#define SOCK_SEEN		1U	/* its socket record came */
#define SOCK_PAIRED		2U	/* the record of @peer names it its pair */
#define SOCK_CONNECT		4U	/* a datagram socket connected to @peer */
#define SYSV_SEEN		1U	/* a segment of that id, or key, came */

struct ino_slot {
	__u64 ino;
	unsigned int what;	/* PIPE_*, FIFO_SEEN, SOCK_* or SYSV_SEEN */
	/* A socket's: */
	bool bound;		/* it has an address */
	bool inet;		/* an internet socket: no peer, no pair */
	__u32 type;		/* its type, as its pair's record says first */
	__u64 peer;		/* its peer, or the socket whose pair it is */
	__u64 off;		/* the offset of that socket's record */
	/* A SysV segment's: */
	__u32 object;		/* its shared memory object */
	__s32 shmid;		/* its id */
};

struct inoset {
	struct ino_slot *slot;
	size_t cap, nr;
};

static size_t ino_hash(__u64 ino, size_t cap)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

/* The slot of @ino: its own, or the empty one it would take. */
static struct ino_slot *ino_find(const struct inoset *set, __u64 ino)
{
	size_t i;

	for (i = ino_hash(ino, set->cap); set->slot[i].what;
	     i = (i + 1) & (set->cap - 1))
		if (set->slot[i].ino == ino)
			break;
	return &set->slot[i];
}

/* Whether @ino has a slot, and which: NULL if none. */
static struct ino_slot *ino_lookup(const struct inoset *set, __u64 ino)
{
	struct ino_slot *p;

	if (!set->cap)
		return NULL;
	p = ino_find(set, ino);
	return p->what ? p : NULL;
}

/*
 * The slot of @ino, made room for: its what is 0 if it is new. The
 * caller sets its ino and what, and counts it in @set->nr.
 */
static struct ino_slot *ino_get(struct inoset *set, __u64 ino)
{
	struct inoset big = { 0 };
	size_t i;

	if (2 * (set->nr + 1) > set->cap) {
		big.cap = set->cap ? 2 * set->cap : 64;
		big.slot = calloc(big.cap, sizeof(*big.slot));
		if (!big.slot)
			die_usage("out of memory");
		for (i = 0; i < set->cap; i++)
			if (set->slot[i].what)
				*ino_find(&big, set->slot[i].ino) =
					set->slot[i];
		big.nr = set->nr;
		free(set->slot);
		*set = big;
	}
	return ino_find(set, ino);
}

/* A descriptor of the table being read, and the file it refers to. */
struct tfd {
	__s32 fd;
	__u32 file;
};

/*
 * An epoll instance the table being read is the first to have: its items'
 * descriptors are @item_fds[@first..@first + @nr), the first of them at
 * offset @off of the image.
 */
struct tepoll {
	__u32 file;
	__u32 nr;
	size_t first;
	__u64 off;
};

/*
 * A saved page whose contents do not match their checksum, or a batch
 * whose addresses, PAGES struct and checksums do not match its digest
 */
struct bad_sum {
	__u64 off;		/* the offset of the page's contents, or PGARR's */
	__u64 stored, computed;	/* XXH64s */
	bool batch;		/* a batch's digest, not a page's checksum */
};

/* For --pages: a batch of saved pages, as its PGARR record gives it */
struct batch {
	__u64 first, last, digest;
	__u32 nr_pages, flags;
};

/*
 * For --pages: a page with no checksum (in a PRAM node, or the
 * parent's). A page whose XXH64 is all ones shows as one without.
 */
#define NO_SUM			(~0ULL)

struct image {
	struct reader r;
	bool json;
	bool list_pages;
	struct strbuf out;	/* the JSON, minus what only the tail tells */
	struct strbuf files;	/* the JSON of the files, after the tasks */
	struct strbuf shmems;	/* the JSON of the shared memory objects */

	__u32 prev;		/* type of the last record, 0 before HEAD */
	__u64 rec_off;		/* offset of the record being read */
	__u32 page_size;
	bool pidns;		/* CR_HEAD_PIDNS: the root is init, tid 1 */
	__u64 total_pages;

	/* The tree: what TREE announced, what came so far */
	__u32 nr_tasks, nr_procs;
	__u32 seen_tasks, seen_procs;
	struct tidset tids;	/* every tid so far: unique, ptid among them */
	/* The last id of each kind of object introduced so far */
	__u32 last_mm, last_sighand, last_signal, last_files, last_file;
	__u32 last_shmem;
	unsigned char *shmem_kinds;	/* CR_SHMEM_* of object N, at N - 1 */
	size_t cap_shmems;
	unsigned char *file_kinds;	/* CR_FILE_* of file N, at N - 1 */
	size_t cap_files;

	/* The task whose records are being read, and its process's leader */
	struct cr_hdr_task task, leader;
	bool in_task;		/* its JSON object is open */
	bool need_sighand, need_signal, need_mm, cpu_done;
	__u32 need_ppending;	/* the process's SIGPENDING, of so many */
	__u32 need_tpending;	/* the thread's SIGPENDING, of so many */
	bool need_fs, need_files;

	/* The descriptor table whose FD records are being read */
	__u32 fds_left;		/* FD records still to come */
	__s64 last_fd;		/* descriptors increase: -1 before the first */
	__u32 new_file;		/* the FILE that the next FD must use, or 0 */
	bool need_pipe;		/* that FILE is its pipe's first: PIPE next */
	bool pipe_fifo;		/* and that pipe is a FIFO */
	__u64 pipe_ino;		/* the pipe or FIFO whose PIPE is next */
	struct inoset pipes;	/* every pipe inside the tree so far */
	struct inoset fifos;	/* every FIFO inside the tree so far */
	bool need_socket;	/* that FILE is a socket's: SOCKET next */
	__u64 socket_file_ino;	/* the inode number of that FILE */
	struct cr_hdr_socket sock;	/* the socket whose SKBs are next */
	__u32 skbs_left;	/* SKB records still to come */
	struct inoset socks;	/* every socket so far, and their pairs */
	bool need_eventfd;	/* that FILE is an eventfd's: EVENTFD next */
	bool need_epoll;	/* that FILE is an epoll instance's: EPOLL next */
	/*
	 * For the checks of the items of the epoll instances that the table
	 * is the first to have, once it is whole: its descriptors, those
	 * instances, and the descriptors of their items.
	 */
	struct tfd *tfds;
	size_t nr_tfds, cap_tfds;
	struct tepoll *teps;
	size_t nr_teps, cap_teps;
	__s32 *item_fds;
	size_t nr_item_fds, cap_item_fds;

	/* The address space whose VMAs are being read */
	bool in_mm;
	__u32 map_count;
	__u32 nr_vmas;

	/* The VMA whose PGARR and PAGES records are being read */
	bool in_vma;
	struct cr_hdr_vma vma;
	char path[MAX_PATH_LEN];
	__u64 vma_pages;
	__u64 prev_end;		/* VMAs come sorted and apart */

	/*
	 * The shared memory object whose PGARR and PAGES records are being
	 * read instead: the VMA or FILE after them must use it.
	 */
	__u32 new_shmem;	/* its id, or 0 */
	struct cr_hdr_shmem shmem;
	char shmem_name[CR_SHMEM_NAME_MAX + 1];
	__u64 shmem_pages;
	bool need_sysvshm;	/* a SysV segment's: SYSVSHM next */
	struct cr_hdr_sysvshm sysvshm;	/* a SysV segment's record */
	struct inoset sysv_ids;	/* every SysV segment so far, by id */
	struct inoset sysv_keys;	/* and by key, but IPC_PRIVATE */

	/* The pages of either */
	__u64 next_addr;	/* a saved page may not lie below this */
	struct cr_hdr_pgarr pgarr;	/* the PGARR the PAGES must match */
	__u64 pgarr_off;	/* its offset */
	/*
	 * What its digest covers, outside the running CRC: its addresses,
	 * then the PAGES struct, then the pages' checksums if they follow
	 */
	__u64 *run;
	size_t cap_run;
	__u64 *addrs;		/* their addresses (offsets), for --pages */
	__u64 *addr_sums;	/* and their checksums, or NO_SUM */
	size_t nr_addrs, cap_addrs;
	struct batch *batches;	/* and the batches they came in */
	size_t nr_batches, cap_batches;

	/* The batches and pages whose checksums do not match, in order */
	struct bad_sum *bad;
	size_t nr_bad, cap_bad;

	__u32 stored_crc, computed_crc;
};

/*
 * Whether a record of @type may come next. Records come as the
 * objects of the tree need them: after a TASK, the SIGHAND, SIGNAL
 * and process SIGPENDING it is the first to use, then its CPU and its
 * own SIGPENDING, then its process's FS and FILES with its FDs, each
 * after the FILE it is the first to use (the first file of a pipe or
 * of a FIFO after the PIPE with its data, the file of a socket after
 * the SOCKET with an SKB for each message queued, the file of an
 * eventfd after the EVENTFD, of an epoll instance after the EPOLL with
 * its items), then its process's MM with what follows it. A shared
 * memory object, with its pages, comes right before the first VMA or
 * FILE that uses it; a SysV segment's SYSVSHM comes right after its
 * SHMEM, before its pages.
 */
static bool order_ok(const struct image *img, __u32 type)
{
	__u32 prev = img->prev;
	bool task_done = img->in_task && img->cpu_done &&
			 !img->need_tpending && !img->need_fs &&
			 !img->need_files && !img->fds_left && !img->need_mm &&
			 !img->new_shmem;
	/* Where a VMA may come, or a FILE: there its object may, too */
	bool vma_next = img->in_mm && (prev == CR_HDR_MM_CONTEXT ||
				       prev == CR_HDR_VMA ||
				       prev == CR_HDR_PAGES);
	bool file_next = img->fds_left && (prev == CR_HDR_FILES ||
					   prev == CR_HDR_FD);
	bool object_done = img->new_shmem && !img->need_sysvshm &&
			   (prev == CR_HDR_SHMEM || prev == CR_HDR_SYSVSHM ||
			    prev == CR_HDR_PAGES);
	bool task_end = prev == CR_HDR_CPU || prev == CR_HDR_SIGPENDING ||
			prev == CR_HDR_MM_CONTEXT || prev == CR_HDR_VMA ||
			prev == CR_HDR_PAGES;

	switch (type) {
	case CR_HDR_HEAD:
		return prev == 0;
	case CR_HDR_TREE:
		return prev == CR_HDR_HEAD;
	case CR_HDR_TASK:
		return prev == CR_HDR_TREE || (task_end && task_done);
	case CR_HDR_SIGHAND:
		return prev == CR_HDR_TASK && img->need_sighand;
	case CR_HDR_SIGNAL:
		return (prev == CR_HDR_TASK || prev == CR_HDR_SIGHAND) &&
		       !img->need_sighand && img->need_signal;
	case CR_HDR_SIGPENDING:
		return (prev == CR_HDR_SIGNAL && img->need_ppending) ||
		       (prev == CR_HDR_CPU && img->need_tpending);
	case CR_HDR_CPU:
		return (prev == CR_HDR_TASK || prev == CR_HDR_SIGHAND ||
			prev == CR_HDR_SIGNAL || prev == CR_HDR_SIGPENDING) &&
		       img->in_task && !img->cpu_done && !img->need_sighand &&
		       !img->need_signal && !img->need_ppending;
	case CR_HDR_FS:
		return (prev == CR_HDR_CPU || prev == CR_HDR_SIGPENDING) &&
		       img->cpu_done && !img->need_tpending && img->need_fs;
	case CR_HDR_FILES:
		return prev == CR_HDR_FS && img->need_files;
	case CR_HDR_FILE:
		return file_next || (object_done && img->fds_left);
	case CR_HDR_SHMEM:
		return (vma_next || file_next) && !img->new_shmem;
	case CR_HDR_SYSVSHM:
		return prev == CR_HDR_SHMEM && img->need_sysvshm;
	case CR_HDR_PIPE:
		return prev == CR_HDR_FILE && img->need_pipe;
	case CR_HDR_SOCKET:
		return prev == CR_HDR_FILE && img->need_socket;
	case CR_HDR_SKB:
		return (prev == CR_HDR_SOCKET || prev == CR_HDR_SKB) &&
		       img->skbs_left;
	case CR_HDR_EVENTFD:
		return prev == CR_HDR_FILE && img->need_eventfd;
	case CR_HDR_EPOLL:
		return prev == CR_HDR_FILE && img->need_epoll;
	case CR_HDR_FD:
		return (prev == CR_HDR_FILES || prev == CR_HDR_FILE ||
			prev == CR_HDR_PIPE || prev == CR_HDR_SOCKET ||
			prev == CR_HDR_SKB || prev == CR_HDR_EVENTFD ||
			prev == CR_HDR_EPOLL || prev == CR_HDR_FD) &&
		       img->fds_left && !img->need_pipe &&
		       !img->need_socket && !img->skbs_left &&
		       !img->need_eventfd && !img->need_epoll;
	case CR_HDR_MM:
		return (prev == CR_HDR_FILES || prev == CR_HDR_FD) &&
		       !img->need_files && !img->fds_left && img->need_mm;
	case CR_HDR_MM_CONTEXT:
		return prev == CR_HDR_MM;
	case CR_HDR_VMA:
		return vma_next || (object_done && img->in_mm);
	case CR_HDR_PGARR:
		return prev == CR_HDR_VMA || prev == CR_HDR_PAGES ||
		       prev == CR_HDR_SYSVSHM ||
		       (prev == CR_HDR_SHMEM && !img->need_sysvshm);
	case CR_HDR_PAGES:
		return prev == CR_HDR_PGARR;
	case CR_HDR_TAIL:
		return task_end && task_done;
	}
	return false;
}

/* What the task being read still lacks, for an order error, or NULL. */
static const char *order_want(const struct image *img)
{
	if (!img->in_task)
		return NULL;
	if (img->need_sighand)
		return "its CR_HDR_SIGHAND";
	if (img->need_signal)
		return "its CR_HDR_SIGNAL";
	if (img->need_ppending)
		return "its process's CR_HDR_SIGPENDING";
	if (!img->cpu_done)
		return "its CR_HDR_CPU";
	if (img->need_tpending)
		return "its own CR_HDR_SIGPENDING";
	if (img->need_fs)
		return "its CR_HDR_FS";
	if (img->need_files)
		return "its CR_HDR_FILES";
	if (img->need_pipe)
		return img->pipe_fifo ? "its FIFO's CR_HDR_PIPE" :
					"its pipe's CR_HDR_PIPE";
	if (img->need_socket)
		return "its socket's CR_HDR_SOCKET";
	if (img->skbs_left)
		return "its socket's next CR_HDR_SKB";
	if (img->need_eventfd)
		return "its eventfd's CR_HDR_EVENTFD";
	if (img->need_epoll)
		return "its epoll instance's CR_HDR_EPOLL";
	if (img->need_sysvshm)
		return "its SysV segment's CR_HDR_SYSVSHM";
	if (img->new_shmem)
		return img->in_mm ? "its shared memory object's CR_HDR_VMA" :
				    "its shared memory object's CR_HDR_FILE";
	if (img->fds_left)
		return "its next CR_HDR_FD";
	if (img->need_mm)
		return "its CR_HDR_MM";
	return NULL;
}

/*
 * Read the rest of a record's fixed struct, the header being in @rec
 * already.
 */
static void read_fixed(struct image *img, void *rec, size_t size)
{
	__u32 type = ((struct cr_hdr *)rec)->type;
	size_t hsz = sizeof(struct cr_hdr);

	if (rd_take(&img->r, (char *)rec + hsz, size - hsz) != size - hsz)
		malformed(img->rec_off, "truncated %s record", type_name(type));
}

static void check_len(struct image *img, const struct cr_hdr *h, __u64 want)
{
	if (h->len != want)
		malformed(img->rec_off, "%s record length %u, want %llu",
			  type_name(h->type), h->len, want);
}

static void check_pad(struct image *img, const struct cr_hdr *h, __u64 pad)
{
	if (pad)
		malformed(img->rec_off, "%s record: pad field is not zero",
			  type_name(h->type));
}

/* Consume @n bytes of padding after a variable part: they must be zero. */
static void read_padding(struct image *img, const struct cr_hdr *h, size_t n)
{
	unsigned char pad[CR_HDR_ALIGN] = { 0 };
	size_t i;

	if (rd_take(&img->r, pad, n) != n)
		malformed(img->rec_off, "truncated %s record",
			  type_name(h->type));
	for (i = 0; i < n; i++)
		if (pad[i])
			malformed(img->rec_off,
				  "%s record: padding is not zero",
				  type_name(h->type));
}

/* Consume @n bytes nobody prints: page contents, the XSAVE area. */
static void skip_bytes(struct image *img, const struct cr_hdr *h, __u64 n)
{
	if (rd_take(&img->r, NULL, n) != n)
		malformed(img->rec_off, "truncated %s record",
			  type_name(h->type));
}

/* A fixed-size char array must hold its NUL. */
static size_t fixed_strlen(struct image *img, const char *s, size_t size,
			   const char *what)
{
	const char *nul = memchr(s, '\0', size);

	if (!nul)
		malformed(img->rec_off, "%s is not NUL-terminated", what);
	return nul - s;
}

static void do_head(struct image *img, struct cr_hdr_head *rec)
{
	size_t rlen;
	bool self, pidns;
	char when[64];
	struct tm tm;
	time_t t;

	read_fixed(img, rec, sizeof(*rec));
	check_len(img, &rec->h, sizeof(*rec));
	if (rec->magic == __builtin_bswap64(CR_IMAGE_MAGIC))
		malformed(img->rec_off, "image is in the other byte order");
	if (rec->magic != CR_IMAGE_MAGIC)
		malformed(img->rec_off, "bad magic 0x%016llx", rec->magic);
	if (rec->version < CR_IMAGE_VERSION)
		malformed(img->rec_off,
			  "image format version %u is no longer read: this ckptinfo reads version %u, which holds a tree of tasks with their shared objects, pending signals, interval timers, open files and shared memory, SysV segments included; checkpoint the task again with a current kernel",
			  rec->version, CR_IMAGE_VERSION);
	if (rec->version != CR_IMAGE_VERSION)
		malformed(img->rec_off,
			  "image format version %u is newer than this ckptinfo, which reads version %u",
			  rec->version, CR_IMAGE_VERSION);
	if (rec->arch != CR_ARCH_X86_64)
		malformed(img->rec_off, "unknown arch %u", rec->arch);
	/* x86_64 has 4 KiB base pages only; PAGES lengths depend on it. */
	if (rec->page_size != X86_64_PAGE_SIZE)
		malformed(img->rec_off, "page size %u on x86_64",
			  rec->page_size);
	if (rec->flags & ~CR_HEAD_FLAGS)
		malformed(img->rec_off, "unknown head flags 0x%x", rec->flags);
	rlen = fixed_strlen(img, rec->release, sizeof(rec->release),
			    "release");
	img->page_size = rec->page_size;
	self = rec->flags & CR_HEAD_SELF;
	pidns = rec->flags & CR_HEAD_PIDNS;
	img->pidns = pidns;

	if (img->json) {
		sb_printf(&img->out, "{\n\"head\": {\"version\": %u, ",
			  rec->version);
		sb_printf(&img->out, "\"arch\": \"x86_64\", ");
		sb_printf(&img->out, "\"page_size\": %u, ", rec->page_size);
		sb_printf(&img->out, "\"flags\": %u, \"self\": %s, ",
			  rec->flags, self ? "true" : "false");
		sb_printf(&img->out, "\"pidns\": %s, ",
			  pidns ? "true" : "false");
		sb_printf(&img->out, "\"id\": %llu, \"time\": %lld, ",
			  rec->id, rec->time);
		sb_printf(&img->out, "\"release\": ");
		sb_json_str(&img->out, rec->release, rlen);
		sb_printf(&img->out, "},\n");
		return;
	}
	t = rec->time;
	if (t != rec->time || !gmtime_r(&t, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "?");
	printf("head: version %u, arch x86_64, page size %u, release ",
	       rec->version, rec->page_size);
	print_text_str(rec->release, rlen);
	printf("\n      id %llu, time %lld (%s), flags 0x%x%s%s\n", rec->id,
	       rec->time, when, rec->flags,
	       self ? " (self-checkpoint)" : "",
	       pidns ? " (a whole pid namespace)" : "");
}

/* SIG_DFL with no flags, restorer or mask is what exec leaves behind. */
static bool action_is_default(const struct cr_sigaction *a)
{
	return !a->handler && !a->flags && !a->restorer && !a->mask;
}

/* "SIGUSR1", or "real-time" for a signal without a name. */
static void print_signal(int sig)
{
	const char *name = sig > 0 ? sigabbrev_np(sig) : NULL;

	printf("%d (%s%s)", sig, name ? "SIG" : "", name ? name : "real-time");
}

static void do_tree(struct image *img, struct cr_hdr_tree *rec)
{
	read_fixed(img, rec, sizeof(*rec));
	check_len(img, &rec->h, sizeof(*rec));
	if (!rec->nr_tasks || !rec->nr_procs || rec->nr_procs > rec->nr_tasks)
		malformed(img->rec_off, "a tree of %u tasks in %u processes",
			  rec->nr_tasks, rec->nr_procs);
	img->nr_tasks = rec->nr_tasks;
	img->nr_procs = rec->nr_procs;

	if (img->json) {
		sb_printf(&img->out, "\"tree\": {\"nr_tasks\": %u, ",
			  rec->nr_tasks);
		sb_printf(&img->out, "\"nr_procs\": %u},\n\"tasks\": [\n",
			  rec->nr_procs);
		return;
	}
	printf("tree: %u task%s in %u process%s\n", rec->nr_tasks,
	       rec->nr_tasks == 1 ? "" : "s", rec->nr_procs,
	       rec->nr_procs == 1 ? "" : "es");
}

static void end_vma(struct image *img);

/* The VMAs of an address space are done: their count must be right. */
static void end_mm(struct image *img)
{
	if (!img->in_mm)
		return;
	end_vma(img);
	img->in_mm = false;
	if (img->nr_vmas != img->map_count)
		malformed(img->rec_off,
			  "%u CR_HDR_VMA records, but map_count is %u",
			  img->nr_vmas, img->map_count);
	if (img->json)
		sb_printf(&img->out, "\n]");
}

/* The task whose records are done: close its JSON object. */
static void end_task(struct image *img)
{
	end_mm(img);
	if (img->in_task && img->json)
		sb_printf(&img->out, "}");
	img->in_task = false;
}

/* Whether an object id of a new process is the next one of its kind. */
static void check_new_id(struct image *img, const char *what, __u32 id,
			 __u32 last)
{
	if (id != last + 1)
		malformed(img->rec_off,
			  "process %d: %s %u, want a new one, %u (this version shares objects between threads only)",
			  img->task.tid, what, id, last + 1);
}

static void check_thread_id(struct image *img, const char *what, __u32 id,
			    __u32 leader_id)
{
	if (id != leader_id)
		malformed(img->rec_off,
			  "thread %d: %s %u, but its process's is %u",
			  img->task.tid, what, id, leader_id);
}

static void do_task(struct image *img, struct cr_hdr_task *rec)
{
	struct strbuf *sb = &img->out;
	bool leader;
	size_t clen;

	end_task(img);
	read_fixed(img, rec, sizeof(*rec));
	check_len(img, &rec->h, sizeof(*rec));
	clen = fixed_strlen(img, rec->comm, sizeof(rec->comm), "comm");
	img->task = *rec;
	if (img->seen_tasks >= img->nr_tasks)
		malformed(img->rec_off, "more CR_HDR_TASK records than nr_tasks %u",
			  img->nr_tasks);
	if (rec->tid <= 0 || rec->tgid <= 0 || rec->ptid < 0 ||
	    rec->pgid < 0 || rec->sid < 0)
		malformed(img->rec_off,
			  "bad task ids: tid %d, tgid %d, ptid %d, pgid %d, sid %d",
			  rec->tid, rec->tgid, rec->ptid, rec->pgid, rec->sid);
	if (tid_known(&img->tids, rec->tid))
		malformed(img->rec_off, "tid %d appears twice", rec->tid);
	leader = rec->tid == rec->tgid;
	if (!img->seen_tasks && (!leader || rec->ptid))
		malformed(img->rec_off,
			  "the first task, tid %d, is not the root process (tgid %d, ptid %d)",
			  rec->tid, rec->tgid, rec->ptid);
	if (!img->seen_tasks && img->pidns && rec->tid != 1)
		malformed(img->rec_off,
			  "the image of a pid namespace has root %d, not 1",
			  rec->tid);
	if (leader) {
		if (img->seen_procs >= img->nr_procs)
			malformed(img->rec_off,
				  "more processes than nr_procs %u",
				  img->nr_procs);
		if (img->seen_tasks &&
		    (!rec->ptid || !tid_known(&img->tids, rec->ptid)))
			malformed(img->rec_off,
				  "process %d: ptid %d is no task before it",
				  rec->tid, rec->ptid);
		if (rec->exit_signal < 0 || rec->exit_signal > CR_NSIG)
			malformed(img->rec_off, "process %d: exit signal %d",
				  rec->tid, rec->exit_signal);
		check_new_id(img, "mm_id", rec->mm_id, img->last_mm);
		check_new_id(img, "sighand_id", rec->sighand_id,
			     img->last_sighand);
		check_new_id(img, "signal_id", rec->signal_id,
			     img->last_signal);
		check_new_id(img, "files_id", rec->files_id,
			     img->last_files);
		img->leader = *rec;
		img->seen_procs++;
	} else {
		if (rec->tgid != img->leader.tid)
			malformed(img->rec_off,
				  "thread %d of process %d does not follow its process's other threads",
				  rec->tid, rec->tgid);
		if (rec->ptid)
			malformed(img->rec_off, "thread %d: ptid %d, not 0",
				  rec->tid, rec->ptid);
		if (rec->exit_signal != -1)
			malformed(img->rec_off,
				  "thread %d: exit signal %d, not -1", rec->tid,
				  rec->exit_signal);
		check_thread_id(img, "mm_id", rec->mm_id, img->leader.mm_id);
		check_thread_id(img, "sighand_id", rec->sighand_id,
				img->leader.sighand_id);
		check_thread_id(img, "signal_id", rec->signal_id,
				img->leader.signal_id);
		check_thread_id(img, "files_id", rec->files_id,
				img->leader.files_id);
	}
	if (rec->pdeath_signal < 0 || rec->pdeath_signal > CR_NSIG)
		malformed(img->rec_off, "task %d: parent death signal %d",
			  rec->tid, rec->pdeath_signal);
	if (rec->personality == 0xffffffffU)
		malformed(img->rec_off, "task %d: personality 0xffffffff",
			  rec->tid);
	tid_add(&img->tids, rec->tid);
	img->seen_tasks++;
	img->in_task = true;
	img->need_sighand = leader;
	img->need_signal = leader;
	img->need_fs = leader;
	img->need_files = leader;
	img->need_mm = leader;
	img->fds_left = 0;
	img->new_file = 0;
	img->need_pipe = false;
	img->need_socket = false;
	img->skbs_left = 0;
	img->need_eventfd = false;
	img->need_epoll = false;
	img->need_ppending = 0;
	img->cpu_done = false;
	img->need_tpending = rec->nr_pending;

	if (img->json) {
		sb_printf(sb, "%s{\"task\": {\"comm\": ",
			  img->seen_tasks > 1 ? ",\n" : "");
		sb_json_str(sb, rec->comm, clen);
		sb_printf(sb, ", \"tid\": %d, \"tgid\": %d, \"ptid\": %d, ",
			  rec->tid, rec->tgid, rec->ptid);
		sb_printf(sb, "\"pgid\": %d, \"sid\": %d, ", rec->pgid,
			  rec->sid);
		sb_printf(sb, "\"exit_signal\": %d, \"pdeath_signal\": %d, ",
			  rec->exit_signal, rec->pdeath_signal);
		sb_printf(sb, "\"mm_id\": %u, \"sighand_id\": %u, ",
			  rec->mm_id, rec->sighand_id);
		sb_printf(sb, "\"signal_id\": %u, \"files_id\": %u, ",
			  rec->signal_id, rec->files_id);
		sb_printf(sb, "\"personality\": %u, ", rec->personality);
		sb_printf(sb, "\"uid\": [%u,%u,%u,%u], ", rec->uid[0],
			  rec->uid[1], rec->uid[2], rec->uid[3]);
		sb_printf(sb, "\"gid\": [%u,%u,%u,%u], ", rec->gid[0],
			  rec->gid[1], rec->gid[2], rec->gid[3]);
		sb_printf(sb, "\"blocked\": %llu, ", rec->blocked);
		sb_printf(sb, "\"altstack\": [%llu,%llu,%u], ",
			  rec->altstack_sp, rec->altstack_size,
			  rec->altstack_flags);
		sb_printf(sb, "\"rseq\": [%llu,%u,%u], ", rec->rseq,
			  rec->rseq_len, rec->rseq_sig);
		sb_printf(sb, "\"nr_pending\": %u, ", rec->nr_pending);
		sb_printf(sb, "\"robust_list\": %llu, ", rec->robust_list);
		sb_printf(sb, "\"clear_child_tid\": %llu}",
			  rec->clear_child_tid);
		return;
	}
	printf("task: comm \"");
	print_text_str(rec->comm, clen);
	printf("\", tid %d, tgid %d (%s), ptid %d, pgid %d, sid %d\n",
	       rec->tid, rec->tgid, leader ? "leader" : "thread", rec->ptid,
	       rec->pgid, rec->sid);
	printf("      exit signal %d, parent death signal %d, personality 0x%x\n",
	       rec->exit_signal, rec->pdeath_signal, rec->personality);
	printf("      mm %u, sighand %u, signal %u, files %u\n", rec->mm_id,
	       rec->sighand_id, rec->signal_id, rec->files_id);
	printf("      uid %u/%u/%u/%u, gid %u/%u/%u/%u\n",
	       rec->uid[0], rec->uid[1], rec->uid[2], rec->uid[3],
	       rec->gid[0], rec->gid[1], rec->gid[2], rec->gid[3]);
	printf("      blocked 0x%016llx, %u signals pending\n", rec->blocked,
	       rec->nr_pending);
	printf("      altstack 0x%llx size %llu flags 0x%x\n",
	       rec->altstack_sp, rec->altstack_size, rec->altstack_flags);
	printf("      rseq 0x%llx len %u sig 0x%x, robust list 0x%llx, clear_child_tid 0x%llx\n",
	       rec->rseq, rec->rseq_len, rec->rseq_sig, rec->robust_list,
	       rec->clear_child_tid);
}

static void do_sighand(struct image *img, struct cr_hdr_sighand *rec)
{
	struct strbuf *sb = &img->out;
	const struct cr_sigaction *a;
	bool first = true;
	int i;

	read_fixed(img, rec, sizeof(*rec));
	check_len(img, &rec->h, sizeof(*rec));
	check_pad(img, &rec->h, rec->pad);
	if (rec->id != img->task.sighand_id)
		malformed(img->rec_off, "CR_HDR_SIGHAND id %u, want %u",
			  rec->id, img->task.sighand_id);
	img->last_sighand = rec->id;
	img->need_sighand = false;

	if (img->json) {
		sb_printf(sb, ",\n\"sighand\": {\"id\": %u, \"actions\": [",
			  rec->id);
		for (i = 0; i < CR_NSIG; i++) {
			a = &rec->action[i];
			if (action_is_default(a))
				continue;
			sb_printf(sb, "%s{\"signal\": %d, ", first ? "" : ", ",
				  i + 1);
			sb_printf(sb, "\"handler\": %llu, ", a->handler);
			sb_printf(sb, "\"flags\": %llu, ", a->flags);
			sb_printf(sb, "\"restorer\": %llu, ", a->restorer);
			sb_printf(sb, "\"mask\": %llu}", a->mask);
			first = false;
		}
		sb_printf(sb, "]}");
		return;
	}
	printf("sighand: id %u\n", rec->id);
	for (i = 0; i < CR_NSIG; i++) {
		a = &rec->action[i];
		if (action_is_default(a))
			continue;
		printf("      signal ");
		print_signal(i + 1);
		printf(": handler 0x%llx", a->handler);
		printf(" flags 0x%llx restorer 0x%llx mask 0x%llx\n",
		       a->flags, a->restorer, a->mask);
	}
}

/* The resource limits by the names of their RLIMIT_* constants. */
static const char *const rlimit_names[CR_NRLIMIT] = {
	"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
	"memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio",
	"rttime",
};

static const char *const itimer_names[CR_NITIMER] = {
	"real", "virtual", "prof",
};

static void print_rlim(__u64 v)
{
	if (v == ~0ULL)
		printf("unlimited");
	else
		printf("%llu", v);
}

static void do_signal(struct image *img, struct cr_hdr_signal *rec)
{
	struct strbuf *sb = &img->out;
	unsigned int i;

	read_fixed(img, rec, sizeof(*rec));
	check_len(img, &rec->h, sizeof(*rec));
	if (rec->id != img->task.signal_id)
		malformed(img->rec_off, "CR_HDR_SIGNAL id %u, want %u",
			  rec->id, img->task.signal_id);
	if (rec->flags & ~CR_SIGNAL_FLAGS)
		malformed(img->rec_off, "unknown signal flags 0x%x",
			  rec->flags & ~CR_SIGNAL_FLAGS);
	if (rec->umask & ~0777U)
		malformed(img->rec_off, "umask 0%o", rec->umask);
	for (i = 0; i < CR_NRLIMIT; i++)
		if (rec->rlim[i].cur > rec->rlim[i].max)
			malformed(img->rec_off,
				  "limit %u (%s): soft limit %llu above the hard limit %llu",
				  i, rlimit_names[i], rec->rlim[i].cur,
				  rec->rlim[i].max);
	for (i = 0; i < CR_NITIMER; i++)
		if (rec->itimer[i].value > INT64_MAX ||
		    rec->itimer[i].interval > INT64_MAX)
			malformed(img->rec_off, "interval timer %u beyond KTIME_MAX",
				  i);
	img->last_signal = rec->id;
	img->need_signal = false;
	img->need_ppending = rec->nr_pending;

	if (img->json) {
		sb_printf(sb, ",\n\"signal\": {\"id\": %u, \"flags\": %u, ",
			  rec->id, rec->flags);
		sb_printf(sb, "\"stopped\": %s, \"umask\": %u, ",
			  rec->flags & CR_SIGNAL_STOPPED ? "true" : "false",
			  rec->umask);
		sb_printf(sb, "\"nr_pending\": %u, \"rlimits\": [",
			  rec->nr_pending);
		for (i = 0; i < CR_NRLIMIT; i++)
			sb_printf(sb, "%s[%llu,%llu]", i ? "," : "",
				  rec->rlim[i].cur, rec->rlim[i].max);
		sb_printf(sb, "], \"itimers\": [");
		for (i = 0; i < CR_NITIMER; i++)
			sb_printf(sb, "%s[%llu,%llu]", i ? "," : "",
				  rec->itimer[i].value, rec->itimer[i].interval);
		sb_printf(sb, "]}");
		return;
	}
	printf("signal: id %u, flags 0x%x%s, umask 0%03o, %u signals pending\n",
	       rec->id, rec->flags,
	       rec->flags & CR_SIGNAL_STOPPED ? " stopped" : "", rec->umask,
	       rec->nr_pending);
	for (i = 0; i < CR_NRLIMIT; i++) {
		printf("      limit %-10s ", rlimit_names[i]);
		print_rlim(rec->rlim[i].cur);
		putchar('/');
		print_rlim(rec->rlim[i].max);
		putchar('\n');
	}
	for (i = 0; i < CR_NITIMER; i++)
		if (rec->itimer[i].value || rec->itimer[i].interval)
			printf("      itimer %-10s %llu ns, every %llu ns\n",
			       itimer_names[i], rec->itimer[i].value,
			       rec->itimer[i].interval);
}

static void do_sigpending(struct image *img, struct cr_hdr_sigpending *rec)
{
	struct strbuf *sb = &img->out;
	bool process = !img->cpu_done;
	__u32 want = process ? img->need_ppending : img->need_tpending;
	struct cr_siginfo si;
	__u64 si_off;
	__u32 i;
	int j, last;

	read_fixed(img, rec, sizeof(*rec));
	if (rec->shared != CR_SIGPENDING_THREAD &&
	    rec->shared != CR_SIGPENDING_PROCESS)
		malformed(img->rec_off, "unknown CR_HDR_SIGPENDING kind %u",
			  rec->shared);
	if (rec->shared != (process ? CR_SIGPENDING_PROCESS :
				      CR_SIGPENDING_THREAD))
		malformed(img->rec_off,
			  "CR_HDR_SIGPENDING for the %s where the %s's belongs",
			  process ? "thread" : "process",
			  process ? "process" : "thread");
	if (rec->nr != want)
		malformed(img->rec_off,
			  "CR_HDR_SIGPENDING of %u signals, but %u are pending",
			  rec->nr, want);
	check_len(img, &rec->h,
		  sizeof(*rec) + (__u64)rec->nr * sizeof(struct cr_siginfo));
	if (process)
		img->need_ppending = 0;
	else
		img->need_tpending = 0;

	if (img->json)
		sb_printf(sb, ",\n\"%s\": [", process ? "shared_pending" :
			  "pending");
	for (i = 0; i < rec->nr; i++) {
		si_off = img->r.off;
		if (rd_take(&img->r, &si, sizeof(si)) != sizeof(si))
			malformed(img->rec_off,
				  "truncated CR_HDR_SIGPENDING record");
		if (si.signo <= 0 || si.signo > CR_NSIG)
			malformed(si_off, "pending signal %d", si.signo);
		if (si.pad)
			malformed(si_off, "siginfo padding is not zero");
		for (last = 14; last > 0 && !si.fields[last - 1]; last--)
			;
		if (img->json) {
			sb_printf(sb, "%s{\"signo\": %d, \"errno\": %d, ",
				  i ? ", " : "", si.signo, si.err);
			sb_printf(sb, "\"code\": %d, \"fields\": [", si.code);
			for (j = 0; j < 14; j++)
				sb_printf(sb, "%s%llu", j ? "," : "",
					  si.fields[j]);
			sb_printf(sb, "]}");
			continue;
		}
		printf("      pending for the %s: signal ",
		       process ? "process" : "thread");
		print_signal(si.signo);
		printf(", errno %d, code %d", si.err, si.code);
		for (j = 0; j < last; j++)
			printf("%s0x%llx", j ? " " : ", fields ", si.fields[j]);
		putchar('\n');
	}
	if (img->json)
		sb_printf(sb, "]");
}

static void do_cpu(struct image *img, struct cr_hdr_cpu *rec)
{
	const struct cr_x86_regs *regs = &rec->regs;
	__u64 body;

	read_fixed(img, rec, sizeof(*rec));
	check_pad(img, &rec->h, rec->pad);
	img->cpu_done = true;
	body = sizeof(*rec) + (__u64)rec->xstate_size;
	check_len(img, &rec->h, ALIGN8(body));
	skip_bytes(img, &rec->h, rec->xstate_size);
	read_padding(img, &rec->h, ALIGN8(body) - body);

	if (img->json) {
		sb_printf(&img->out, ",\n\"cpu\": {\"ip\": %llu, \"sp\": %llu, ",
			  regs->ip, regs->sp);
		sb_printf(&img->out, "\"ax\": %llu, \"orig_ax\": %llu, ",
			  regs->ax, regs->orig_ax);
		sb_printf(&img->out, "\"fs_base\": %llu, \"gs_base\": %llu, ",
			  regs->fs_base, regs->gs_base);
		sb_printf(&img->out, "\"cs\": %llu, \"ss\": %llu, ",
			  regs->cs, regs->ss);
		sb_printf(&img->out, "\"flags\": %llu, \"xstate_size\": %u, ",
			  regs->flags, rec->xstate_size);
		sb_printf(&img->out, "\"xfeatures\": %llu}",
			  rec->xfeatures);
		return;
	}
	printf("cpu:  ip 0x%llx, sp 0x%llx, ax 0x%llx, orig_ax %lld\n",
	       regs->ip, regs->sp, regs->ax, (long long)regs->orig_ax);
	printf("      fs_base 0x%llx, gs_base 0x%llx, cs 0x%llx, ss 0x%llx",
	       regs->fs_base, regs->gs_base, regs->cs, regs->ss);
	printf(", flags 0x%llx\n", regs->flags);
	printf("      xstate %u bytes, xfeatures 0x%llx\n", rec->xstate_size,
	       rec->xfeatures);
}

/* Read a path of @len bytes, its NUL included, into @buf: its strlen. */
static size_t read_path(struct image *img, const struct cr_hdr *h, char *buf,
			__u32 len, const char *what)
{
	if (rd_take(&img->r, buf, len) != len)
		malformed(img->rec_off, "truncated %s record",
			  type_name(h->type));
	if (strnlen(buf, len) != len - 1U)
		malformed(img->rec_off, "%s is not NUL-terminated at length %u",
			  what, len);
	return len - 1U;
}

/* The major and minor of a new_encode_dev() number, as stat(1) has them. */
static unsigned long long dev_major(__u64 dev)
{
	return (dev & 0xfff00) >> 8;
}

static unsigned long long dev_minor(__u64 dev)
{
	return (dev & 0xff) | ((dev >> 12) & 0xfff00);
}

static void do_fs(struct image *img, struct cr_hdr_fs *rec)
{
	struct strbuf *sb = &img->out;
	char root[MAX_PATH_LEN], cwd[MAX_PATH_LEN];
	size_t rlen, clen;
	__u64 body;

	read_fixed(img, rec, sizeof(*rec));
	if (!rec->root_len || rec->root_len > MAX_PATH_LEN ||
	    !rec->cwd_len || rec->cwd_len > MAX_PATH_LEN)
		malformed(img->rec_off,
			  "CR_HDR_FS root_len %u, cwd_len %u, each from 1 to %u",
			  rec->root_len, rec->cwd_len, MAX_PATH_LEN);
	body = sizeof(*rec) + (__u64)rec->root_len + rec->cwd_len;
	check_len(img, &rec->h, ALIGN8(body));
	rlen = read_path(img, &rec->h, root, rec->root_len, "CR_HDR_FS root");
	clen = read_path(img, &rec->h, cwd, rec->cwd_len,
			 "CR_HDR_FS working directory");
	if (root[0] != '/')
		malformed(img->rec_off, "CR_HDR_FS root is not an absolute path");
	if (cwd[0] != '/')
		malformed(img->rec_off,
			  "CR_HDR_FS working directory is not an absolute path");
	read_padding(img, &rec->h, ALIGN8(body) - body);
	img->need_fs = false;

	if (img->json) {
		sb_printf(sb, ",\n\"fs\": {\"root\": ");
		sb_json_str(sb, root, rlen);
		sb_printf(sb, ", \"cwd\": ");
		sb_json_str(sb, cwd, clen);
		sb_printf(sb, "}");
		return;
	}
	printf("fs:   root ");
	print_text_str(root, rlen);
	printf(" cwd ");
	print_text_str(cwd, clen);
	putchar('\n');
}

static void do_files(struct image *img, struct cr_hdr_files *rec)
{
	read_fixed(img, rec, sizeof(*rec));
	check_len(img, &rec->h, sizeof(*rec));
	if (rec->id != img->task.files_id)
		malformed(img->rec_off, "CR_HDR_FILES id %u, want %u", rec->id,
			  img->task.files_id);
	/* Descriptors are increasing and not negative. */
	if (rec->nr_fds > (__u32)INT32_MAX + 1)
		malformed(img->rec_off, "a table of %u descriptors",
			  rec->nr_fds);
	img->last_files = rec->id;
	img->need_files = false;
	img->fds_left = rec->nr_fds;
	img->last_fd = -1;
	img->new_file = 0;
	img->need_pipe = false;
	img->need_socket = false;
	img->skbs_left = 0;
	img->need_eventfd = false;
	img->need_epoll = false;
	img->nr_tfds = 0;
	img->nr_teps = 0;
	img->nr_item_fds = 0;

	if (img->json) {
		sb_printf(&img->out, ",\n\"fds\": [%s",
			  rec->nr_fds ? "" : "\n]");
		return;
	}
	printf("files: id %u, %u descriptor%s\n", rec->id, rec->nr_fds,
	       rec->nr_fds == 1 ? "" : "s");
}

/* The bits of @bits named, in parentheses: bit i is @names[i]. */
static void print_bit_names(__u32 bits, const char *const *names, size_t n)
{
	const char *sep = " (";
	size_t i;

	for (i = 0; i < n; i++)
		if (bits & (1U << i)) {
			printf("%s%s", sep, names[i]);
			sep = " ";
		}
	if (bits)
		putchar(')');
}

/* A memfd's seals by the names of their F_SEAL_* constants. */
static void print_seals(__u32 seals)
{
	static const char *const names[] = {
		"seal", "shrink", "grow", "write", "future_write", "exec",
	};

	print_bit_names(seals, names, ARRAY_SIZE(names));
}

/* A SysV segment's id, key, owners and flags, for its object's JSON. */
static void json_sysvshm(struct strbuf *sb, const struct cr_hdr_sysvshm *v)
{
	sb_printf(sb, ", \"sysvshm\": {\"shmid\": %d, \"key\": %d, ",
		  v->shmid, v->key);
	sb_printf(sb, "\"uid\": %u, \"gid\": %u, \"cuid\": %u, \"cgid\": %u, ",
		  v->uid, v->gid, v->cuid, v->cgid);
	sb_printf(sb, "\"flags\": %u, \"removed\": %s, \"locked\": %s}",
		  v->flags, v->flags & CR_SYSVSHM_REMOVED ? "true" : "false",
		  v->flags & CR_SYSVSHM_LOCKED ? "true" : "false");
}

/* The same as text, under its object's line. */
static void print_sysvshm(const struct cr_hdr_sysvshm *v)
{
	static const char *const names[] = { "removed", "locked" };

	printf("      sysvshm id %d key 0x%08x uid %u gid %u cuid %u cgid %u flags 0x%x",
	       v->shmid, (__u32)v->key, v->uid, v->gid, v->cuid, v->cgid,
	       v->flags);
	print_bit_names(v->flags, names, ARRAY_SIZE(names));
	putchar('\n');
}

/*
 * For --pages, the pages kept since the last VMA or shared memory object
 * as JSON: their addresses (offsets), then their checksums, null for a
 * page with none in the image, then the batches they came in.
 */
static void json_pages(struct image *img, struct strbuf *sb)
{
	const struct batch *b;
	size_t i;

	sb_printf(sb, ", \"pages\": [");
	for (i = 0; i < img->nr_addrs; i++)
		sb_printf(sb, "%s%llu", i ? ", " : "", img->addrs[i]);
	sb_printf(sb, "], \"page_sums\": [");
	for (i = 0; i < img->nr_addrs; i++) {
		if (img->addr_sums[i] == NO_SUM)
			sb_printf(sb, "%snull", i ? ", " : "");
		else
			sb_printf(sb, "%s%llu", i ? ", " : "",
				  img->addr_sums[i]);
	}
	sb_printf(sb, "], \"batches\": [");
	for (i = 0; i < img->nr_batches; i++) {
		b = &img->batches[i];
		sb_printf(sb, "%s{\"nr_pages\": %u, \"flags\": %u, ",
			  i ? ", " : "", b->nr_pages, b->flags);
		sb_printf(sb, "\"first\": %llu, \"last\": %llu, ",
			  b->first, b->last);
		sb_printf(sb, "\"digest\": %llu}", b->digest);
	}
	sb_printf(sb, "]");
}

/*
 * And as text, a line for each batch, with its pages under it, a line
 * each, @what and the address (offset) first.
 */
static void print_pages(struct image *img, const char *what)
{
	static const char *const names[] = { "pram", "parent", "huge" };
	const struct batch *b;
	size_t i, j, k = 0;

	for (i = 0; i < img->nr_batches; i++) {
		b = &img->batches[i];
		printf("      batch pages=%u first 0x%llx last 0x%llx flags 0x%x",
		       b->nr_pages, b->first, b->last, b->flags);
		print_bit_names(b->flags, names, ARRAY_SIZE(names));
		printf(" digest 0x%016llx\n", b->digest);
		for (j = 0; j < b->nr_pages && k < img->nr_addrs; j++, k++) {
			printf("      %s 0x%llx", what, img->addrs[k]);
			if (img->addr_sums[k] != NO_SUM)
				printf(" xxh64 0x%016llx", img->addr_sums[k]);
			putchar('\n');
		}
	}
	img->nr_addrs = 0;
	img->nr_batches = 0;
}

/*
 * Print the shared memory object whose pages are done, now that the VMA
 * or FILE that uses it first has come: its id, or 0 if there was none.
 */
static __u32 end_shmem(struct image *img)
{
	const struct cr_hdr_shmem *o = &img->shmem;
	size_t nlen = o->name_len ? o->name_len - 1 : 0;
	struct strbuf *sb = &img->shmems;
	__u32 id = img->new_shmem;

	if (!id)
		return 0;
	img->new_shmem = 0;

	if (img->json) {
		sb_printf(sb, "%s\n{\"id\": %u, \"kind\": \"%s\", ",
			  id > 1 ? "," : "", id, shmem_kind_name(o->kind));
		sb_printf(sb, "\"size\": %llu, \"flags\": %u, ", o->size,
			  o->flags);
		sb_printf(sb, "\"seals\": %u, \"mode\": %u, \"name\": ",
			  o->seals, o->mode);
		sb_json_str(sb, img->shmem_name, nlen);
		if (o->kind == CR_SHMEM_SYSV)
			json_sysvshm(sb, &img->sysvshm);
		sb_printf(sb, ", \"nr_pages\": %llu", img->shmem_pages);
		if (img->list_pages)
			json_pages(img, sb);
		sb_printf(sb, "}");
		img->nr_addrs = 0;
		img->nr_batches = 0;
		return id;
	}
	printf("      shmem %u: %s ", id, shmem_kind_name(o->kind));
	print_text_str(img->shmem_name, nlen);
	printf(" size %llu flags 0x%x%s seals 0x%x", o->size, o->flags,
	       o->flags & CR_SHMEM_NORESERVE ? " (noreserve)" : "",
	       o->seals);
	print_seals(o->seals);
	printf(" mode 0%03o pages=%llu\n", o->mode, img->shmem_pages);
	if (o->kind == CR_SHMEM_SYSV)
		print_sysvshm(&img->sysvshm);
	print_pages(img, "page offset");
	return id;
}

/*
 * A shared memory object, right before the first VMA or FILE that uses
 * it; its pages follow, at offsets in it.
 */
static void do_shmem(struct image *img, struct cr_hdr_shmem *rec)
{
	size_t cap = img->cap_shmems ? 2 * img->cap_shmems : 64;
	unsigned char *kinds;
	bool anon, memfd, sysv;
	__u64 body;

	/* The last VMA is done, as its pages are. */
	end_vma(img);
	read_fixed(img, rec, sizeof(*rec));
	anon = rec->kind == CR_SHMEM_ANON;
	memfd = rec->kind == CR_SHMEM_MEMFD;
	sysv = rec->kind == CR_SHMEM_SYSV;
	if (rec->id != img->last_shmem + 1)
		malformed(img->rec_off, "CR_HDR_SHMEM id %u, want %u", rec->id,
			  img->last_shmem + 1);
	if (!shmem_kind_name(rec->kind))
		malformed(img->rec_off,
			  "shared memory object %u: unknown kind %u", rec->id,
			  rec->kind);
	if (rec->flags & ~CR_SHMEM_FLAGS)
		malformed(img->rec_off,
			  "shared memory object %u: unknown flags 0x%x",
			  rec->id, rec->flags & ~CR_SHMEM_FLAGS);
	if (memfd && rec->flags)
		malformed(img->rec_off,
			  "shared memory object %u: a memfd with flags 0x%x",
			  rec->id, rec->flags);
	if (rec->size > MAX_OBJECT_SIZE)
		malformed(img->rec_off,
			  "shared memory object %u: size %llu beyond %lld",
			  rec->id, rec->size, (long long)MAX_OBJECT_SIZE);
	if (anon && (!rec->size || rec->size % img->page_size))
		malformed(img->rec_off,
			  "shared memory object %u: anonymous memory of size %llu, not a nonzero multiple of the page size",
			  rec->id, rec->size);
	if (anon && (rec->seals || rec->mode || rec->name_len))
		malformed(img->rec_off,
			  "shared memory object %u: anonymous memory with seals 0x%x, mode 0%o, name_len %u",
			  rec->id, rec->seals, rec->mode, rec->name_len);
	/* shmget(2) takes a size of at least SHMMIN, 1, not rounded up */
	if (sysv && !rec->size)
		malformed(img->rec_off,
			  "shared memory object %u: a SysV segment of size 0",
			  rec->id);
	if (sysv && (rec->seals || rec->name_len))
		malformed(img->rec_off,
			  "shared memory object %u: a SysV segment with seals 0x%x, name_len %u",
			  rec->id, rec->seals, rec->name_len);
	/* shm_perm.mode & 0777: no set-id or sticky bits */
	if (sysv && rec->mode & ~0777U)
		malformed(img->rec_off,
			  "shared memory object %u: a SysV segment of mode 0%o",
			  rec->id, rec->mode);
	if (rec->seals & ~CR_SHMEM_SEALS)
		malformed(img->rec_off,
			  "shared memory object %u: unknown seals 0x%x",
			  rec->id, rec->seals & ~CR_SHMEM_SEALS);
	if (rec->mode & ~07777U)
		malformed(img->rec_off, "shared memory object %u: mode 0%o",
			  rec->id, rec->mode);
	if (memfd && (!rec->name_len || rec->name_len > CR_SHMEM_NAME_MAX + 1))
		malformed(img->rec_off,
			  "shared memory object %u: name_len %u, from 1 to %u",
			  rec->id, rec->name_len, CR_SHMEM_NAME_MAX + 1);
	body = sizeof(*rec) + (__u64)rec->name_len;
	check_len(img, &rec->h, ALIGN8(body));
	if (rec->name_len)
		read_path(img, &rec->h, img->shmem_name, rec->name_len,
			  "CR_HDR_SHMEM name");
	read_padding(img, &rec->h, ALIGN8(body) - body);

	if (img->last_shmem == img->cap_shmems) {
		kinds = realloc(img->shmem_kinds, cap);
		if (!kinds)
			die_usage("out of memory");
		img->shmem_kinds = kinds;
		img->cap_shmems = cap;
	}
	img->shmem_kinds[img->last_shmem++] = rec->kind;
	img->shmem = *rec;
	img->new_shmem = rec->id;
	img->need_sysvshm = sysv;
	img->shmem_pages = 0;
	img->nr_addrs = 0;
	img->nr_batches = 0;
	img->next_addr = 0;
}

/*
 * Take the id, or the key, of the SysV segment of object @obj in @set:
 * the slot of the segment that took it before, or NULL.
 */
static const struct ino_slot *take_sysv(struct inoset *set, __u32 v,
					__u32 obj, __s32 shmid)
{
	struct ino_slot *p = ino_get(set, v);

	if (p->what)
		return p;
	set->nr++;
	p->ino = v;
	p->what = SYSV_SEEN;
	p->object = obj;
	p->shmid = shmid;
	return NULL;
}

/*
 * What only a SysV segment has, right after the SHMEM record of its
 * object: its id, key and owners. Checked as restart checks it, and
 * against the segments before it: restart makes them all again in one
 * IPC namespace, where no two may have one id, nor one key other than
 * IPC_PRIVATE.
 */
static void do_sysvshm(struct image *img, struct cr_hdr_sysvshm *rec)
{
	const struct ino_slot *p;
	__u32 obj = img->new_shmem;

	read_fixed(img, rec, sizeof(*rec));
	check_len(img, &rec->h, sizeof(*rec));
	check_pad(img, &rec->h, rec->pad);
	if (rec->shmid < 0)
		malformed(img->rec_off,
			  "shared memory object %u: a SysV segment of id %d",
			  obj, rec->shmid);
	if (rec->flags & ~CR_SYSVSHM_FLAGS)
		malformed(img->rec_off, "SysV segment %d: unknown flags 0x%x",
			  rec->shmid, rec->flags & ~CR_SYSVSHM_FLAGS);
	/* A removed segment's key is IPC_PRIVATE: no one may find it. */
	if (rec->flags & CR_SYSVSHM_REMOVED && rec->key)
		malformed(img->rec_off,
			  "SysV segment %d: removed, but with key 0x%x",
			  rec->shmid, (__u32)rec->key);
	/* from_kuid() and from_kgid() give -1 for ids they cannot map */
	if (rec->uid == ~0U || rec->gid == ~0U || rec->cuid == ~0U ||
	    rec->cgid == ~0U)
		malformed(img->rec_off,
			  "SysV segment %d: an owner id of -1 (uid %u, gid %u, cuid %u, cgid %u)",
			  rec->shmid, rec->uid, rec->gid, rec->cuid, rec->cgid);
	p = take_sysv(&img->sysv_ids, rec->shmid, obj, rec->shmid);
	if (p)
		malformed(img->rec_off,
			  "SysV segment %d: object %u, but shared memory object %u is that segment already",
			  rec->shmid, obj, p->object);
	p = rec->key ? take_sysv(&img->sysv_keys, rec->key, obj, rec->shmid) :
		       NULL;
	if (p)
		malformed(img->rec_off,
			  "SysV segment %d: key 0x%x, which SysV segment %d (object %u) has already",
			  rec->shmid, (__u32)rec->key, p->shmid, p->object);
	img->sysvshm = *rec;
	img->need_sysvshm = false;
}

/*
 * A file of a pipe inside the tree: one per end, the first of its pipe
 * followed by the PIPE record. Whether it is its pipe's first.
 */
static bool pipe_end(struct image *img, const struct cr_hdr_file *rec)
{
	bool wr = (rec->flags & X86_64_O_ACCMODE) == X86_64_O_WRONLY;
	unsigned int end = wr ? PIPE_WRITE : PIPE_READ;
	struct ino_slot *p;
	bool first;

	if (rec->flags & ~(X86_64_O_ACCMODE | X86_64_O_NONBLOCK) ||
	    (rec->flags & X86_64_O_ACCMODE) > X86_64_O_WRONLY)
		malformed(img->rec_off,
			  "file %u: a pipe end with open flags 0x%x, not O_RDONLY or O_WRONLY with at most O_NONBLOCK",
			  rec->id, rec->flags);
	p = ino_get(&img->pipes, rec->ino);
	if (p->what & end)
		malformed(img->rec_off,
			  "file %u: pipe %llu has two files for its %s end",
			  rec->id, rec->ino, wr ? "write" : "read");
	first = !p->what;
	if (first)
		img->pipes.nr++;
	p->ino = rec->ino;
	p->what |= end;
	return first;
}

/*
 * A file of a FIFO inside the tree, reopened by its path: any number of
 * them for either end, the first of its FIFO (by inode number, apart
 * from the pipes) followed by the PIPE record. Whether it is its FIFO's
 * first.
 */
static bool fifo_file(struct image *img, const struct cr_hdr_file *rec)
{
	struct ino_slot *p;

	if (rec->flags & ~FIFO_O_FLAGS ||
	    (rec->flags & X86_64_O_ACCMODE) == X86_64_O_ACCMODE)
		malformed(img->rec_off,
			  "file %u: a FIFO with open flags 0x%x, not an access mode with at most O_NONBLOCK and O_LARGEFILE",
			  rec->id, rec->flags);
	p = ino_get(&img->fifos, rec->ino);
	if (p->what)
		return false;
	img->fifos.nr++;
	p->ino = rec->ino;
	p->what = FIFO_SEEN;
	return true;
}

static void do_file(struct image *img, struct cr_hdr_file *rec)
{
	struct strbuf *sb = &img->files;
	char path[MAX_PATH_LEN], name[32];
	const char *kind;
	bool mode_ok, first_end = false;
	__u32 new_shmem;
	size_t plen;
	__u64 body;

	new_shmem = end_shmem(img);
	read_fixed(img, rec, sizeof(*rec));
	if (rec->id != img->last_file + 1)
		malformed(img->rec_off, "CR_HDR_FILE id %u, want %u", rec->id,
			  img->last_file + 1);
	if (!rec->path_len || rec->path_len > MAX_PATH_LEN)
		malformed(img->rec_off, "file %u: path_len %u, from 1 to %u",
			  rec->id, rec->path_len, MAX_PATH_LEN);
	body = sizeof(*rec) + (__u64)rec->path_len;
	check_len(img, &rec->h, ALIGN8(body));
	kind = file_kind_name(rec->kind);
	if (!kind)
		malformed(img->rec_off, "file %u: unknown file kind %u",
			  rec->id, rec->kind);
	if (rec->flags & ~CR_FILE_O_FLAGS)
		malformed(img->rec_off, "file %u: unknown open flags 0x%x",
			  rec->id, rec->flags & ~CR_FILE_O_FLAGS);
	/* st_mode is 16 bits; a position is a loff_t. */
	if (rec->mode > 0xffff)
		malformed(img->rec_off, "file %u: mode 0%o", rec->id,
			  rec->mode);
	if (rec->pos > INT64_MAX)
		malformed(img->rec_off, "file %u: position %llu beyond %lld",
			  rec->id, rec->pos, (long long)INT64_MAX);
	/* new_encode_dev() gives 32 bits */
	if (rec->dev >> 32 || rec->rdev >> 32)
		malformed(img->rec_off, "file %u: dev 0x%llx, rdev 0x%llx",
			  rec->id, rec->dev, rec->rdev);
	switch (rec->kind) {
	case CR_FILE_REG:
		mode_ok = S_ISREG(rec->mode);
		break;
	case CR_FILE_DIR:
		mode_ok = S_ISDIR(rec->mode);
		break;
	case CR_FILE_CHR:
		mode_ok = S_ISCHR(rec->mode);
		break;
	case CR_FILE_PIPE:
	case CR_FILE_FIFO:
		mode_ok = S_ISFIFO(rec->mode);
		break;
	case CR_FILE_MEMFD:
		mode_ok = S_ISREG(rec->mode);
		break;
	case CR_FILE_SOCKET:
		mode_ok = S_ISSOCK(rec->mode);
		break;
	default:
		mode_ok = true;
		break;
	}
	if (!mode_ok)
		malformed(img->rec_off, "file %u: a %s file of mode 0%o",
			  rec->id, kind, rec->mode);
	if (rec->kind == CR_FILE_MEMFD &&
	    (rec->flags & ~MEMFD_O_FLAGS ||
	     (rec->flags & X86_64_O_ACCMODE) == X86_64_O_ACCMODE))
		malformed(img->rec_off,
			  "file %u: a memfd with open flags 0x%x, not an access mode with at most O_APPEND, O_NONBLOCK and O_LARGEFILE",
			  rec->id, rec->flags);
	/* As socket(2) opens one, O_NONBLOCK aside: restart takes no other. */
	if (rec->kind == CR_FILE_SOCKET &&
	    (rec->flags & ~X86_64_O_NONBLOCK) != X86_64_O_RDWR)
		malformed(img->rec_off,
			  "file %u: a socket with open flags 0x%x, not O_RDWR with at most O_NONBLOCK",
			  rec->id, rec->flags);
	/* As eventfd(2) and epoll_create1(2) open them, and restart does. */
	if (rec->kind == CR_FILE_EVENTFD &&
	    (rec->flags & ~X86_64_O_NONBLOCK) != X86_64_O_RDWR)
		malformed(img->rec_off,
			  "file %u: an eventfd with open flags 0x%x, not O_RDWR with at most O_NONBLOCK",
			  rec->id, rec->flags);
	if (rec->kind == CR_FILE_EPOLL && rec->flags != X86_64_O_RDWR)
		malformed(img->rec_off,
			  "file %u: an epoll instance with open flags 0x%x, not O_RDWR",
			  rec->id, rec->flags);
	/* A memfd's file is of an object seen already, or just before. */
	if (rec->kind != CR_FILE_MEMFD && rec->object)
		malformed(img->rec_off, "file %u: a %s file with object %u",
			  rec->id, kind, rec->object);
	if (rec->kind == CR_FILE_MEMFD &&
	    (!rec->object || rec->object > img->last_shmem))
		malformed(img->rec_off,
			  "file %u: unknown shared memory object %u, %u so far",
			  rec->id, rec->object, img->last_shmem);
	if (new_shmem && rec->object != new_shmem)
		malformed(img->rec_off,
			  "file %u: object %u, after the CR_HDR_SHMEM of object %u",
			  rec->id, rec->object, new_shmem);
	if (rec->kind == CR_FILE_MEMFD &&
	    img->shmem_kinds[rec->object - 1] != CR_SHMEM_MEMFD)
		malformed(img->rec_off,
			  "file %u: shared memory object %u is not a memfd",
			  rec->id, rec->object);
	if (rec->kind == CR_FILE_PIPE)
		first_end = pipe_end(img, rec);
	if (rec->kind == CR_FILE_FIFO)
		first_end = fifo_file(img, rec);
	plen = read_path(img, &rec->h, path, rec->path_len, "CR_HDR_FILE path");
	/*
	 * Reopened by path: only an external file, or a pipe, a memfd, a
	 * socket, an eventfd or an epoll instance made anew, may have any
	 * name; a socket's is the one /proc gives it.
	 */
	if ((rec->kind == CR_FILE_REG || rec->kind == CR_FILE_DIR ||
	     rec->kind == CR_FILE_CHR || rec->kind == CR_FILE_FIFO) &&
	    path[0] != '/')
		malformed(img->rec_off,
			  "file %u: a %s file whose path is not absolute",
			  rec->id, kind);
	if (rec->kind == CR_FILE_SOCKET) {
		snprintf(name, sizeof(name), "socket:[%llu]", rec->ino);
		if (strcmp(path, name))
			malformed(img->rec_off,
				  "file %u: a socket of inode %llu whose path is not %s",
				  rec->id, rec->ino, name);
	}
	read_padding(img, &rec->h, ALIGN8(body) - body);
	img->file_kinds = grow(img->file_kinds, &img->cap_files,
			       img->last_file, sizeof(*img->file_kinds));
	img->file_kinds[img->last_file] = rec->kind;
	img->last_file = rec->id;
	img->new_file = rec->id;
	img->need_pipe = first_end;
	img->pipe_fifo = rec->kind == CR_FILE_FIFO;
	img->pipe_ino = rec->ino;
	img->need_socket = rec->kind == CR_FILE_SOCKET;
	img->socket_file_ino = rec->ino;
	img->need_eventfd = rec->kind == CR_FILE_EVENTFD;
	img->need_epoll = rec->kind == CR_FILE_EPOLL;

	if (img->json) {
		sb_printf(sb, "%s\n{\"id\": %u, \"kind\": \"%s\", ",
			  rec->id > 1 ? "," : "", rec->id, kind);
		sb_printf(sb, "\"flags\": %u, \"mode\": %u, \"pos\": %llu, ",
			  rec->flags, rec->mode, rec->pos);
		sb_printf(sb, "\"dev\": %llu, \"ino\": %llu, \"rdev\": %llu, ",
			  rec->dev, rec->ino, rec->rdev);
		sb_printf(sb, "\"size\": %llu, \"object\": %u, \"path\": ",
			  rec->size, rec->object);
		sb_json_str(sb, path, plen);
		/* The PIPE, SOCKET, EVENTFD or EPOLL record after it closes it. */
		if (!first_end && !img->need_socket && !img->need_eventfd &&
		    !img->need_epoll)
			sb_printf(sb, "}");
		return;
	}
	printf("      file %u: %s ", rec->id, kind);
	print_text_str(path, plen);
	printf(" flags 0x%x pos %llu mode 0%o", rec->flags, rec->pos,
	       rec->mode);
	printf(" dev %02llx:%02llx ino %llu rdev %02llx:%02llx size %llu",
	       dev_major(rec->dev), dev_minor(rec->dev), rec->ino,
	       dev_major(rec->rdev), dev_minor(rec->rdev), rec->size);
	if (rec->object)
		printf(" object %u", rec->object);
	putchar('\n');
}

/* The data of the pipe or FIFO whose first file came just before. */
static void do_pipe(struct image *img, struct cr_hdr_pipe *rec)
{
	const char *what = img->pipe_fifo ? "FIFO" : "pipe";
	__u64 body;

	read_fixed(img, rec, sizeof(*rec));
	if (rec->len > rec->size)
		malformed(img->rec_off,
			  "%s %llu: %u bytes buffered, more than its size %u",
			  what, img->pipe_ino, rec->len, rec->size);
	body = sizeof(*rec) + (__u64)rec->len;
	check_len(img, &rec->h, ALIGN8(body));
	skip_bytes(img, &rec->h, rec->len);
	read_padding(img, &rec->h, ALIGN8(body) - body);
	img->need_pipe = false;

	if (img->json) {
		sb_printf(&img->files,
			  ", \"pipe\": {\"ino\": %llu, \"size\": %u, \"len\": %u}}",
			  img->pipe_ino, rec->size, rec->len);
		return;
	}
	printf("      %s ino %llu: %u bytes, %u buffered\n",
	       img->pipe_fifo ? "fifo" : "pipe", img->pipe_ino, rec->size,
	       rec->len);
}

/* The CR_SOCKF_* bits by name, bit i at index i. */
static const char *const sock_flag_names[] = {
	"shut-rd", "shut-wr", "passcred", "sndbuf", "rcvbuf", "pair",
	"reuseaddr", "reuseport", "v6only", "keepalive", "nodelay",
	"accepted",
};

static const char *sock_family_name(__u32 family)
{
	switch (family) {
	case X86_64_AF_UNIX:
		return "unix";
	case X86_64_AF_INET:
		return "inet";
	case X86_64_AF_INET6:
		return "inet6";
	}
	return NULL;
}

/* The 16 bits of @addr at @off, little-endian (a family) or not (a port). */
static unsigned int addr_u16(const char *addr, size_t off, bool be)
{
	unsigned int lo = (unsigned char)addr[off + be];
	unsigned int hi = (unsigned char)addr[off + !be];

	return lo | hi << 8;
}

/*
 * The checks of a unix socket's record that need nothing but itself, as
 * restart makes them; @addr holds its address, zeroed beyond.
 */
static void check_unix(struct image *img, const struct cr_hdr_socket *rec,
		       const char *addr)
{
	const char *path = addr + SUN_PATH_OFF;
	bool listen = rec->state == CR_SOCK_LISTEN;
	bool connected = rec->state == CR_SOCK_CONNECTED;
	bool dgram = rec->type == X86_64_SOCK_DGRAM;
	bool pair = rec->flags & CR_SOCKF_PAIR;
	__u64 ino = rec->ino;
	__u32 plen;

	if (!sock_type_name(rec->type))
		malformed(img->rec_off,
			  "socket %llu: type %u, not SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET",
			  ino, rec->type);
	if (rec->protocol)
		malformed(img->rec_off,
			  "socket %llu: a unix socket of protocol %u, not 0",
			  ino, rec->protocol);
	if (rec->flags & CR_SOCKF_INET)
		malformed(img->rec_off,
			  "socket %llu: a unix socket with the internet socket flags 0x%x",
			  ino, rec->flags & CR_SOCKF_INET);

	/* listen(2), on a bound stream or seqpacket socket */
	if (listen && dgram)
		malformed(img->rec_off, "socket %llu: a listening datagram socket",
			  ino);
	if (listen && !rec->addr_len)
		malformed(img->rec_off, "socket %llu: listening without an address",
			  ino);

	/* Its peer: a socket of the tree, or 0 for a stream's closed one */
	if (!connected && rec->peer)
		malformed(img->rec_off, "socket %llu: peer %llu, but %s", ino,
			  rec->peer, sock_state_name(rec->state));
	if (!connected && pair)
		malformed(img->rec_off, "socket %llu: CR_SOCKF_PAIR, but %s", ino,
			  sock_state_name(rec->state));
	if (pair && !rec->peer)
		malformed(img->rec_off, "socket %llu: CR_SOCKF_PAIR without a peer",
			  ino);
	if (rec->peer == ino)
		malformed(img->rec_off, "socket %llu is its own peer", ino);
	if (connected && dgram && !rec->peer)
		malformed(img->rec_off,
			  "socket %llu: a connected datagram socket without a peer",
			  ino);
	if (connected && !dgram && rec->peer && !pair)
		malformed(img->rec_off,
			  "socket %llu: a connected %s socket whose peer %llu is not its pair (no CR_SOCKF_PAIR)",
			  ino, sock_type_name(rec->type), rec->peer);
	/* accept(2) gave it its listener's name, to a connected stream */
	if (rec->flags & CR_SOCKF_ACCEPTED &&
	    (dgram || !connected || !rec->addr_len))
		malformed(img->rec_off,
			  "socket %llu: CR_SOCKF_ACCEPTED, but not a connected stream with its listener's address",
			  ino);

	/* Messages queue for a connected socket, or a bound datagram one */
	if (rec->nr_skbs > MAX_SOCK_SKBS)
		malformed(img->rec_off,
			  "socket %llu: %u messages queued, at most %u", ino,
			  rec->nr_skbs, MAX_SOCK_SKBS);
	if (rec->nr_skbs && !connected && !(dgram && rec->addr_len))
		malformed(img->rec_off,
			  "socket %llu: %u messages queued for a socket neither connected nor a bound datagram socket",
			  ino, rec->nr_skbs);

	/*
	 * An address bind(2) takes, as the kernel keeps it: an abstract
	 * name, or an absolute path that its only NUL ends.
	 */
	if (rec->addr_len) {
		plen = rec->addr_len - SUN_PATH_OFF;
		if (rec->addr_len <= SUN_PATH_OFF)
			malformed(img->rec_off,
				  "socket %llu: an address of %u bytes, without a name",
				  ino, rec->addr_len);
		if (addr_u16(addr, 0, false) != X86_64_AF_UNIX)
			malformed(img->rec_off,
				  "socket %llu: an address of family %u", ino,
				  addr_u16(addr, 0, false));
		if (path[0] &&
		    (path[0] != '/' || strnlen(path, plen) != plen - 1))
			malformed(img->rec_off,
				  "socket %llu: an address neither abstract nor an absolute path that its only NUL ends",
				  ino);
	}
	/* The socket file bind(2) made */
	if (!path[0] && (rec->dev || rec->file_ino))
		malformed(img->rec_off,
			  "socket %llu: dev 0x%llx, file_ino %llu, but not bound to a path",
			  ino, rec->dev, rec->file_ino);
	/* new_encode_dev() gives 32 bits */
	if (rec->dev >> 32)
		malformed(img->rec_off, "socket %llu: dev 0x%llx", ino,
			  rec->dev);
}

/*
 * The checks of an internet socket's record, as restart makes them: a
 * TCP listener, or a TCP or UDP socket that is bound or fresh, with
 * nothing of a unix socket's; @addr holds its address, zeroed beyond.
 */
static void check_inet(struct image *img, const struct cr_hdr_socket *rec,
		       const char *addr)
{
	bool tcp = rec->type == X86_64_SOCK_STREAM && rec->protocol == PROTO_TCP;
	bool udp = rec->type == X86_64_SOCK_DGRAM && rec->protocol == PROTO_UDP;
	bool v6 = rec->family == X86_64_AF_INET6;
	__u32 len = v6 ? SOCKADDR_IN6_SIZE : SOCKADDR_IN_SIZE;
	__u32 unix_flags = CR_SOCKF_SHUT_RD | CR_SOCKF_SHUT_WR |
			   CR_SOCKF_PASSCRED | CR_SOCKF_PAIR |
			   CR_SOCKF_ACCEPTED;
	__u64 ino = rec->ino;

	if (!tcp && !udp)
		malformed(img->rec_off,
			  "socket %llu: an internet socket of type %u and protocol %u, neither a TCP SOCK_STREAM nor a UDP SOCK_DGRAM one",
			  ino, rec->type, rec->protocol);
	if (rec->peer)
		malformed(img->rec_off,
			  "socket %llu: an internet socket with peer %llu", ino,
			  rec->peer);
	if (rec->nr_skbs)
		malformed(img->rec_off,
			  "socket %llu: %u messages queued for an internet socket",
			  ino, rec->nr_skbs);
	if (rec->dev || rec->file_ino)
		malformed(img->rec_off,
			  "socket %llu: dev 0x%llx, file_ino %llu, for an internet socket",
			  ino, rec->dev, rec->file_ino);
	if (rec->flags & unix_flags)
		malformed(img->rec_off,
			  "socket %llu: an internet socket with the unix socket flags 0x%x",
			  ino, rec->flags & unix_flags);
	if (rec->flags & CR_SOCKF_NODELAY && !tcp)
		malformed(img->rec_off,
			  "socket %llu: CR_SOCKF_NODELAY on a UDP socket", ino);
	if (rec->flags & CR_SOCKF_V6ONLY && !v6)
		malformed(img->rec_off,
			  "socket %llu: CR_SOCKF_V6ONLY on an AF_INET socket", ino);

	/* No connection: a TCP listener, or a socket bound or fresh */
	if (rec->state == CR_SOCK_CONNECTED)
		malformed(img->rec_off, "socket %llu: a connected %s socket",
			  ino, tcp ? "TCP" : "UDP");
	if (rec->state == CR_SOCK_LISTEN && !tcp)
		malformed(img->rec_off, "socket %llu: a listening UDP socket",
			  ino);
	if (rec->state == CR_SOCK_LISTEN && !rec->addr_len)
		malformed(img->rec_off,
			  "socket %llu: listening without an address", ino);

	/* Bound: an address of its family, with its port */
	if (!rec->addr_len)
		return;
	if (rec->addr_len != len)
		malformed(img->rec_off,
			  "socket %llu: an address of %u bytes, not %u (struct %s)",
			  ino, rec->addr_len, len,
			  v6 ? "sockaddr_in6" : "sockaddr_in");
	if (addr_u16(addr, 0, false) != rec->family)
		malformed(img->rec_off,
			  "socket %llu: an address of family %u", ino,
			  addr_u16(addr, 0, false));
	if (!addr_u16(addr, SIN_PORT_OFF, true))
		malformed(img->rec_off, "socket %llu: an address of port 0",
			  ino);
}

/*
 * The checks of a socket record that need nothing but itself and its
 * file, as restart makes them; @addr holds its address, zeroed beyond.
 */
static void check_socket(struct image *img, const struct cr_hdr_socket *rec,
			 const char *addr)
{
	__u64 ino = rec->ino;

	if (!sock_family_name(rec->family))
		malformed(img->rec_off,
			  "socket %llu: family %u, not AF_UNIX, AF_INET or AF_INET6",
			  ino, rec->family);
	if (!sock_state_name(rec->state))
		malformed(img->rec_off, "socket %llu: unknown state %u", ino,
			  rec->state);
	if (rec->flags & ~CR_SOCKF_FLAGS)
		malformed(img->rec_off, "socket %llu: unknown flags 0x%x", ino,
			  rec->flags & ~CR_SOCKF_FLAGS);
	if (!ino)
		malformed(img->rec_off, "a socket of inode number 0");
	if (ino != img->socket_file_ino)
		malformed(img->rec_off,
			  "socket %llu after the file of socket %llu", ino,
			  img->socket_file_ino);
	/* listen(2)'s backlog, which may be 0 */
	if (rec->state != CR_SOCK_LISTEN && rec->backlog)
		malformed(img->rec_off,
			  "socket %llu: a backlog of %u, but not listening", ino,
			  rec->backlog);

	/* What setsockopt(2) may have set */
	if (!(rec->flags & CR_SOCKF_SNDBUF) && rec->sndbuf)
		malformed(img->rec_off,
			  "socket %llu: sndbuf %u without CR_SOCKF_SNDBUF", ino,
			  rec->sndbuf);
	if (!(rec->flags & CR_SOCKF_RCVBUF) && rec->rcvbuf)
		malformed(img->rec_off,
			  "socket %llu: rcvbuf %u without CR_SOCKF_RCVBUF", ino,
			  rec->rcvbuf);
	if (rec->sndbuf > INT32_MAX || rec->rcvbuf > INT32_MAX)
		malformed(img->rec_off,
			  "socket %llu: sndbuf %u, rcvbuf %u, beyond INT_MAX", ino,
			  rec->sndbuf, rec->rcvbuf);
	if (rec->sndtimeo > INT64_MAX || rec->rcvtimeo > INT64_MAX)
		malformed(img->rec_off,
			  "socket %llu: sndtimeo %llu, rcvtimeo %llu, beyond KTIME_MAX",
			  ino, rec->sndtimeo, rec->rcvtimeo);

	if (rec->family == X86_64_AF_UNIX)
		check_unix(img, rec, addr);
	else
		check_inet(img, rec, addr);
}

/*
 * The checks of a socket record against those before it: a socket has
 * one record, and the records of a pair name each other, with one type.
 * The first of a pair leaves a slot for the other, to come. An internet
 * socket, which has neither peer nor pair, only takes its inode number.
 */
static void link_socket(struct image *img, const struct cr_hdr_socket *rec)
{
	bool pair = rec->flags & CR_SOCKF_PAIR;
	struct ino_slot *p;

	p = ino_get(&img->socks, rec->ino);
	if (p->what & SOCK_SEEN)
		malformed(img->rec_off, "socket %llu has two records", rec->ino);
	if (p->what & SOCK_PAIRED &&
	    (!pair || rec->peer != p->peer || rec->type != p->type))
		malformed(img->rec_off,
			  "socket %llu is not the pair of socket %llu, a %s socket whose record names it its pair",
			  rec->ino, p->peer, sock_type_name(p->type));
	if (!p->what)
		img->socks.nr++;
	pair = pair && !(p->what & SOCK_PAIRED);
	p->ino = rec->ino;
	p->what |= SOCK_SEEN;
	if (rec->state == CR_SOCK_CONNECTED && rec->peer &&
	    !(rec->flags & CR_SOCKF_PAIR))
		p->what |= SOCK_CONNECT;
	p->bound = rec->addr_len;
	p->inet = rec->family != X86_64_AF_UNIX;
	p->type = rec->type;
	p->peer = rec->peer;
	p->off = img->rec_off;
	if (!pair)
		return;

	/* The first of a pair: its peer's record is to come. */
	p = ino_get(&img->socks, rec->peer);
	if (p->what & SOCK_SEEN)
		malformed(img->rec_off,
			  "socket %llu: its peer %llu came before it without naming it its pair",
			  rec->ino, rec->peer);
	if (p->what & SOCK_PAIRED)
		malformed(img->rec_off,
			  "socket %llu: its peer %llu is the pair of socket %llu already",
			  rec->ino, rec->peer, p->peer);
	img->socks.nr++;
	p->ino = rec->peer;
	p->what = SOCK_PAIRED;
	p->type = rec->type;
	p->peer = rec->ino;
	p->off = img->rec_off;
}

/*
 * At the end of the image, what restart checks once every socket is
 * read: the pair of every socket that names one has a record, and a
 * datagram socket connected to a socket that is not its pair is
 * connected to a bound unix datagram socket of the image (connect(2)
 * takes no internet address for it). The socket record
 * at fault that comes first in the image is reported.
 */
static void check_sockets(struct image *img)
{
	const struct ino_slot *p, *peer, *bad = NULL;
	size_t i;

	for (i = 0; i < img->socks.cap; i++) {
		p = &img->socks.slot[i];
		if (!p->what || (bad && bad->off <= p->off))
			continue;
		if (!(p->what & SOCK_SEEN)) {
			bad = p;
		} else if (p->what & SOCK_CONNECT) {
			peer = ino_lookup(&img->socks, p->peer);
			if (!peer || !(peer->what & SOCK_SEEN) || !peer->bound ||
			    peer->inet || peer->type != X86_64_SOCK_DGRAM)
				bad = p;
		}
	}
	if (bad && !(bad->what & SOCK_SEEN))
		malformed(bad->off,
			  "socket %llu: its pair, socket %llu, has no record",
			  bad->peer, bad->ino);
	if (bad)
		malformed(bad->off,
			  "socket %llu: its peer %llu is no bound unix datagram socket of the image",
			  bad->ino, bad->peer);
}

/*
 * The host part of an internet socket's address @addr: a dotted quad,
 * or an IPv6 address with its scope ID after a % when it has one.
 */
static void inet_host(const char *addr, __u32 family, char *buf, size_t n)
{
	bool v6 = family == X86_64_AF_INET6;
	__u32 scope;

	/* It fails only for a buffer too small, which @buf is not. */
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET,
		       addr + (v6 ? SIN6_ADDR_OFF : SIN_ADDR_OFF), buf, n))
		snprintf(buf, n, "?");
	memcpy(&scope, addr + SIN6_SCOPE_OFF, sizeof(scope));
	if (v6 && scope)
		snprintf(buf + strlen(buf), n - strlen(buf), "%%%u", scope);
}

/* The socket whose file came just before, with its address. */
static void do_socket(struct image *img, struct cr_hdr_socket *rec)
{
	char addr[SOCKADDR_UN_SIZE] = { 0 }, host[64] = "";
	const char *path = addr + SUN_PATH_OFF, *name, *proto = "";
	struct strbuf *sb = &img->files;
	bool inet, abstract;
	unsigned int port = 0;
	size_t nlen;
	__u64 body;

	read_fixed(img, rec, sizeof(*rec));
	if (rec->addr_len > SOCKADDR_UN_SIZE)
		malformed(img->rec_off,
			  "socket %llu: an address of %u bytes, at most %u",
			  rec->ino, rec->addr_len, SOCKADDR_UN_SIZE);
	body = sizeof(*rec) + (__u64)rec->addr_len;
	check_len(img, &rec->h, ALIGN8(body));
	if (rd_take(&img->r, addr, rec->addr_len) != rec->addr_len)
		malformed(img->rec_off, "truncated CR_HDR_SOCKET record");
	read_padding(img, &rec->h, ALIGN8(body) - body);
	check_socket(img, rec, addr);
	link_socket(img, rec);
	img->need_socket = false;
	img->sock = *rec;
	img->skbs_left = rec->nr_skbs;
	inet = rec->family != X86_64_AF_UNIX;
	/*
	 * A path without its NUL, an abstract name without its first; an
	 * internet address and its port.
	 */
	abstract = !inet && rec->addr_len && !path[0];
	nlen = !inet && rec->addr_len ? rec->addr_len - SUN_PATH_OFF - 1 : 0;
	name = abstract ? path + 1 : path;
	if (inet) {
		proto = rec->protocol == PROTO_TCP ? "tcp" : "udp";
		if (rec->addr_len) {
			inet_host(addr, rec->family, host, sizeof(host));
			port = addr_u16(addr, SIN_PORT_OFF, true);
		}
		name = host;
		nlen = strlen(host);
	}

	if (img->json) {
		sb_printf(sb, ", \"socket\": {\"family\": \"%s\", ",
			  sock_family_name(rec->family));
		sb_printf(sb, "\"type\": \"%s\", \"protocol\": \"%s\", ",
			  sock_type_name(rec->type), proto);
		sb_printf(sb, "\"state\": \"%s\", ",
			  sock_state_name(rec->state));
		sb_printf(sb, "\"flags\": %u, \"ino\": %llu, \"peer\": %llu, ",
			  rec->flags, rec->ino, rec->peer);
		sb_printf(sb, "\"sndbuf\": %u, \"rcvbuf\": %u, ", rec->sndbuf,
			  rec->rcvbuf);
		sb_printf(sb, "\"sndtimeo\": %llu, \"rcvtimeo\": %llu, ",
			  rec->sndtimeo, rec->rcvtimeo);
		sb_printf(sb, "\"backlog\": %u, \"addr_len\": %u, ",
			  rec->backlog, rec->addr_len);
		sb_printf(sb, "\"abstract\": %s, \"address\": ",
			  abstract ? "true" : "false");
		sb_json_str(sb, name, nlen);
		sb_printf(sb, ", \"port\": %u, ", port);
		sb_printf(sb, "\"dev\": %llu, \"file_ino\": %llu, ",
			  rec->dev, rec->file_ino);
		/* The last SKB record closes it, and its file. */
		sb_printf(sb, "\"nr_skbs\": %u, \"skbs\": [%s", rec->nr_skbs,
			  rec->nr_skbs ? "" : "]}}");
		return;
	}
	printf("      socket ino %llu: %s %s %s", rec->ino,
	       sock_family_name(rec->family),
	       inet ? proto : sock_type_name(rec->type),
	       sock_state_name(rec->state));
	if (rec->state == CR_SOCK_LISTEN)
		printf(", backlog %u", rec->backlog);
	if (rec->state == CR_SOCK_CONNECTED)
		printf(", peer %llu%s", rec->peer,
		       rec->peer ? "" : " (closed)");
	printf(", flags 0x%x", rec->flags);
	print_bit_names(rec->flags, sock_flag_names,
			ARRAY_SIZE(sock_flag_names));
	printf("\n      address ");
	if (!rec->addr_len) {
		printf("none");
	} else if (inet) {
		if (rec->family == X86_64_AF_INET6)
			printf("[%s]:%u", host, port);
		else
			printf("%s:%u", host, port);
	} else if (abstract) {
		putchar('@');
		print_text_str(name, nlen);
	} else {
		print_text_str(name, nlen);
		printf(" (socket file dev %02llx:%02llx ino %llu)",
		       dev_major(rec->dev), dev_minor(rec->dev), rec->file_ino);
	}
	printf("\n      sndbuf ");
	if (rec->flags & CR_SOCKF_SNDBUF)
		printf("%u", rec->sndbuf);
	else
		printf("default");
	printf(", rcvbuf ");
	if (rec->flags & CR_SOCKF_RCVBUF)
		printf("%u", rec->rcvbuf);
	else
		printf("default");
	printf(", sndtimeo %llu ns, rcvtimeo %llu ns, %u message%s queued\n",
	       rec->sndtimeo, rec->rcvtimeo, rec->nr_skbs,
	       rec->nr_skbs == 1 ? "" : "s");
}

/* One message queued for the socket whose record came before. */
static void do_skb(struct image *img, struct cr_hdr_skb *rec)
{
	const struct cr_hdr_socket *sock = &img->sock;
	__u32 n;
	__u64 body;

	read_fixed(img, rec, sizeof(*rec));
	check_pad(img, &rec->h, rec->pad);
	if (rec->len > CR_SKB_MAX)
		malformed(img->rec_off,
			  "socket %llu: a queued message of %u bytes, more than %u",
			  sock->ino, rec->len, CR_SKB_MAX);
	body = sizeof(*rec) + (__u64)rec->len;
	check_len(img, &rec->h, ALIGN8(body));
	if (!rec->len && sock->type == X86_64_SOCK_STREAM)
		malformed(img->rec_off,
			  "socket %llu: an empty message queued on a stream",
			  sock->ino);
	skip_bytes(img, &rec->h, rec->len);
	read_padding(img, &rec->h, ALIGN8(body) - body);
	img->skbs_left--;
	n = sock->nr_skbs - img->skbs_left;

	if (img->json) {
		sb_printf(&img->files, "%s%u%s", n > 1 ? ", " : "", rec->len,
			  img->skbs_left ? "" : "]}}");
		return;
	}
	printf("      message %u: %u bytes\n", n, rec->len);
}

/* The counter of the eventfd whose file came just before. */
static void do_eventfd(struct image *img, struct cr_hdr_eventfd *rec)
{
	bool sem;

	read_fixed(img, rec, sizeof(*rec));
	check_len(img, &rec->h, sizeof(*rec));
	check_pad(img, &rec->h, rec->pad);
	if (rec->flags & ~CR_EVENTFD_SEMAPHORE)
		malformed(img->rec_off, "file %u: an eventfd with unknown flags 0x%x",
			  img->new_file, rec->flags & ~CR_EVENTFD_SEMAPHORE);
	if (rec->count > EVENTFD_COUNT_MAX)
		malformed(img->rec_off,
			  "file %u: an eventfd counter of %llu, above %llu",
			  img->new_file, rec->count, EVENTFD_COUNT_MAX);
	img->need_eventfd = false;
	sem = rec->flags & CR_EVENTFD_SEMAPHORE;

	if (img->json) {
		sb_printf(&img->files,
			  ", \"eventfd\": {\"count\": %llu, \"flags\": %u, ",
			  rec->count, rec->flags);
		sb_printf(&img->files, "\"semaphore\": %s}}",
			  sem ? "true" : "false");
		return;
	}
	printf("      eventfd: count %llu, flags 0x%x%s\n", rec->count,
	       rec->flags, sem ? " (semaphore)" : "");
}

/* An epoll item's events by the names of their EPOLL* constants. */
static void print_epoll_events(__u32 events)
{
	static const struct {
		__u32 event;
		const char *name;
	} names[] = {
		{ X86_64_EPOLLIN, "in" },
		{ X86_64_EPOLLPRI, "pri" },
		{ X86_64_EPOLLOUT, "out" },
		{ X86_64_EPOLLERR, "err" },
		{ X86_64_EPOLLHUP, "hup" },
		{ X86_64_EPOLLNVAL, "nval" },
		{ X86_64_EPOLLRDNORM, "rdnorm" },
		{ X86_64_EPOLLRDBAND, "rdband" },
		{ X86_64_EPOLLWRNORM, "wrnorm" },
		{ X86_64_EPOLLWRBAND, "wrband" },
		{ X86_64_EPOLLMSG, "msg" },
		{ X86_64_EPOLLRDHUP, "rdhup" },
		{ X86_64_EPOLLEXCLUSIVE, "exclusive" },
		{ X86_64_EPOLLWAKEUP, "wakeup" },
		{ X86_64_EPOLLONESHOT, "oneshot" },
		{ X86_64_EPOLLET, "et" },
	};
	const char *sep = " (";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (events & names[i].event) {
			printf("%s%s", sep, names[i].name);
			sep = " ";
		}
	if (events)
		putchar(')');
}

/*
 * The interest list of the epoll instance whose file came just before,
 * its items in the same record. Whether each item's descriptor is one
 * the process has is known once its table is whole.
 */
static void do_epoll(struct image *img, struct cr_hdr_epoll *rec)
{
	struct cr_epoll_item items[256];
	const struct cr_epoll_item *it;
	struct strbuf *sb = &img->files;
	__u32 file = img->new_file, done, n, i;
	struct tepoll *ep;
	__u64 item_off;
	__s64 last = -1;

	read_fixed(img, rec, sizeof(*rec));
	check_pad(img, &rec->h, rec->pad);
	if (rec->nr_items > MAX_EPOLL_ITEMS)
		malformed(img->rec_off,
			  "file %u: an epoll instance of %u items, at most %u",
			  file, rec->nr_items, MAX_EPOLL_ITEMS);
	check_len(img, &rec->h,
		  sizeof(*rec) + (__u64)rec->nr_items * sizeof(*items));
	img->need_epoll = false;
	img->teps = grow(img->teps, &img->cap_teps, img->nr_teps,
			 sizeof(*img->teps));
	ep = &img->teps[img->nr_teps++];
	ep->file = file;
	ep->nr = rec->nr_items;
	ep->first = img->nr_item_fds;
	ep->off = img->r.off;

	if (img->json)
		sb_printf(sb, ", \"epoll\": {\"nr_items\": %u, \"items\": [",
			  rec->nr_items);
	else
		printf("      epoll: %u item%s\n", rec->nr_items,
		       rec->nr_items == 1 ? "" : "s");
	for (done = 0; done < rec->nr_items; done += n) {
		n = rec->nr_items - done;
		if (n > ARRAY_SIZE(items))
			n = ARRAY_SIZE(items);
		item_off = img->r.off;
		if (rd_take(&img->r, items, n * sizeof(*items)) !=
		    n * sizeof(*items))
			malformed(img->rec_off, "truncated CR_HDR_EPOLL record");
		for (i = 0; i < n; i++, item_off += sizeof(*items)) {
			it = &items[i];
			if (it->fd < 0)
				malformed(item_off,
					  "file %u: epoll item %u on negative descriptor %d",
					  file, done + i, it->fd);
			if (it->fd <= last)
				malformed(item_off,
					  "file %u: epoll item %u on descriptor %d after descriptor %lld: not increasing",
					  file, done + i, it->fd, (long long)last);
			if (it->events & ~EPOLL_EVENTS)
				malformed(item_off,
					  "file %u: epoll item %u on descriptor %d: unknown events 0x%x",
					  file, done + i, it->fd,
					  it->events & ~EPOLL_EVENTS);
			last = it->fd;
			img->item_fds = grow(img->item_fds, &img->cap_item_fds,
					     img->nr_item_fds,
					     sizeof(*img->item_fds));
			img->item_fds[img->nr_item_fds++] = it->fd;
			if (img->json) {
				sb_printf(sb, "%s{\"fd\": %d, \"events\": %u, ",
					  done + i ? ", " : "", it->fd,
					  it->events);
				sb_printf(sb, "\"data\": %llu}", it->data);
				continue;
			}
			printf("      item fd %d: events 0x%x", it->fd,
			       it->events);
			print_epoll_events(it->events);
			printf(", data 0x%llx\n", it->data);
		}
	}
	if (img->json)
		sb_printf(sb, "]}}");
}

/* The descriptor @fd of the table being read, or NULL. */
static const struct tfd *find_tfd(const struct image *img, __s32 fd)
{
	size_t lo = 0, hi = img->nr_tfds, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (img->tfds[mid].fd == fd)
			return &img->tfds[mid];
		if (img->tfds[mid].fd < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Once a process's table is whole, what restart checks of the items of
 * the epoll instances that the process is the first to have, and adds
 * with epoll_ctl(2): each is on a descriptor of the process, whose file
 * is no epoll instance. As restart does: instance by instance, in the
 * order of their first descriptors, item by item. The item at fault is
 * reported.
 */
static void check_epoll_items(struct image *img)
{
	const struct tepoll *ep;
	const struct tfd *t;
	size_t i, j;
	__u64 off;
	__s32 fd;

	for (i = 0; i < img->nr_teps; i++) {
		ep = &img->teps[i];
		for (j = 0; j < ep->nr; j++) {
			fd = img->item_fds[ep->first + j];
			off = ep->off + j * sizeof(struct cr_epoll_item);
			t = find_tfd(img, fd);
			if (!t)
				malformed(off,
					  "file %u: epoll item %zu on descriptor %d, which process %d does not have",
					  ep->file, j, fd, img->task.tgid);
			if (img->file_kinds[t->file - 1] == CR_FILE_EPOLL)
				malformed(off,
					  "file %u: epoll item %zu on descriptor %d, of file %u, an epoll instance (nested)",
					  ep->file, j, fd, t->file);
		}
	}
}

static void do_fd(struct image *img, struct cr_hdr_fd *rec)
{
	bool first = img->last_fd < 0;
	bool cloexec;

	read_fixed(img, rec, sizeof(*rec));
	check_len(img, &rec->h, sizeof(*rec));
	check_pad(img, &rec->h, rec->pad);
	if (rec->fd < 0)
		malformed(img->rec_off, "negative descriptor %d", rec->fd);
	if (rec->fd <= img->last_fd)
		malformed(img->rec_off,
			  "descriptor %d after descriptor %lld: not increasing",
			  rec->fd, (long long)img->last_fd);
	if (rec->flags & ~CR_FD_FLAGS)
		malformed(img->rec_off, "descriptor %d: unknown flags 0x%x",
			  rec->fd, rec->flags & ~CR_FD_FLAGS);
	if (!rec->file || rec->file > img->last_file)
		malformed(img->rec_off,
			  "descriptor %d: unknown file %u, %u files so far",
			  rec->fd, rec->file, img->last_file);
	/* A file is recorded just before the first descriptor of it. */
	if (img->new_file && rec->file != img->new_file)
		malformed(img->rec_off,
			  "descriptor %d: file %u, after the CR_HDR_FILE of file %u",
			  rec->fd, rec->file, img->new_file);
	img->new_file = 0;
	img->last_fd = rec->fd;
	img->fds_left--;
	img->tfds = grow(img->tfds, &img->cap_tfds, img->nr_tfds,
			 sizeof(*img->tfds));
	img->tfds[img->nr_tfds++] = (struct tfd){ rec->fd, rec->file };
	cloexec = rec->flags & CR_FD_CLOEXEC;

	if (img->json) {
		sb_printf(&img->out, "%s\n{\"fd\": %d, \"cloexec\": %s, ",
			  first ? "" : ",", rec->fd, cloexec ? "true" : "false");
		sb_printf(&img->out, "\"file\": %u}%s", rec->file,
			  img->fds_left ? "" : "\n]");
	} else {
		printf("      fd %d -> file %u%s\n", rec->fd, rec->file,
		       cloexec ? " (cloexec)" : "");
	}
	if (!img->fds_left)
		check_epoll_items(img);
}

static void do_mm(struct image *img, struct cr_hdr_mm *rec)
{
	struct strbuf *sb = &img->out;

	read_fixed(img, rec, sizeof(*rec));
	check_len(img, &rec->h, sizeof(*rec));
	if (rec->id != img->task.mm_id)
		malformed(img->rec_off, "CR_HDR_MM id %u, want %u", rec->id,
			  img->task.mm_id);
	if (rec->flags & ~CR_MM_FLAGS)
		malformed(img->rec_off, "unknown mm flags 0x%x",
			  rec->flags & ~CR_MM_FLAGS);
	if (rec->dump_filter & ~CR_MM_DUMP_FILTER)
		malformed(img->rec_off, "unknown core dump filter bits 0x%x",
			  rec->dump_filter & ~CR_MM_DUMP_FILTER);
	img->last_mm = rec->id;
	img->need_mm = false;
	img->in_mm = true;
	img->map_count = rec->map_count;
	img->nr_vmas = 0;
	img->prev_end = 0;

	if (img->json) {
		sb_printf(sb, ",\n\"mm\": {\"id\": %u, ", rec->id);
		sb_printf(sb, "\"start_code\": %llu, ", rec->start_code);
		sb_printf(sb, "\"end_code\": %llu, ", rec->end_code);
		sb_printf(sb, "\"start_data\": %llu, ", rec->start_data);
		sb_printf(sb, "\"end_data\": %llu, ", rec->end_data);
		sb_printf(sb, "\"start_brk\": %llu, ", rec->start_brk);
		sb_printf(sb, "\"brk\": %llu, ", rec->brk);
		sb_printf(sb, "\"start_stack\": %llu, ", rec->start_stack);
		sb_printf(sb, "\"arg_start\": %llu, ", rec->arg_start);
		sb_printf(sb, "\"arg_end\": %llu, ", rec->arg_end);
		sb_printf(sb, "\"env_start\": %llu, ", rec->env_start);
		sb_printf(sb, "\"env_end\": %llu, ", rec->env_end);
		sb_printf(sb, "\"flags\": %u, ", rec->flags);
		sb_printf(sb, "\"dump_filter\": %u, ", rec->dump_filter);
		sb_printf(sb, "\"map_count\": %u}", rec->map_count);
		return;
	}
	printf("mm:   id %u\n", rec->id);
	printf("      code 0x%llx-0x%llx, data 0x%llx-0x%llx\n",
	       rec->start_code, rec->end_code, rec->start_data, rec->end_data);
	printf("      brk 0x%llx-0x%llx, stack 0x%llx\n",
	       rec->start_brk, rec->brk, rec->start_stack);
	printf("      args 0x%llx-0x%llx, env 0x%llx-0x%llx\n",
	       rec->arg_start, rec->arg_end, rec->env_start, rec->env_end);
	printf("      flags 0x%x%s%s%s, coredump_filter 0x%x, map_count %u\n",
	       rec->flags,
	       rec->flags & CR_MM_THP_DISABLE ? " thp-disable" : "",
	       rec->flags & CR_MM_MDWE ? " mdwe" : "",
	       rec->flags & CR_MM_MDWE_NO_INHERIT ? " mdwe-no-inherit" : "",
	       rec->dump_filter, rec->map_count);
}

static void do_mm_context(struct image *img, struct cr_hdr_mm_context *rec)
{
	__u64 entry;
	__u32 i;

	read_fixed(img, rec, sizeof(*rec));
	check_pad(img, &rec->h, rec->pad);
	if (rec->nr_ldt > MAX_LDT_ENTRIES)
		malformed(img->rec_off, "%u LDT entries, at most %u",
			  rec->nr_ldt, MAX_LDT_ENTRIES);
	check_len(img, &rec->h, sizeof(*rec) + 8ULL * rec->nr_ldt);

	if (img->json)
		sb_printf(&img->out, ",\n\"ldt_entries\": %u,\n\"vmas\": [",
			  rec->nr_ldt);
	else
		printf("ldt:  %u entries\n", rec->nr_ldt);
	for (i = 0; i < rec->nr_ldt; i++) {
		if (rd_take(&img->r, &entry, 8) != 8)
			malformed(img->rec_off, "truncated %s record",
				  type_name(rec->h.type));
		if (!img->json)
			printf("      %4u: 0x%016llx\n", i, entry);
	}
	if (!img->json)
		printf("vmas:\n");
}

/* The CR_VMA_* flags by the names of the advice or flag that set them. */
static void print_vma_flags(__u32 flags)
{
	static const struct {
		__u32 flag;
		const char *name;
	} names[] = {
		{ CR_VMA_GROWSDOWN, "growsdown" },
		{ CR_VMA_NORESERVE, "noreserve" },
		{ CR_VMA_SEQ_READ, "sequential" },
		{ CR_VMA_RAND_READ, "random" },
		{ CR_VMA_DONTFORK, "dontfork" },
		{ CR_VMA_DONTDUMP, "dontdump" },
		{ CR_VMA_WIPEONFORK, "wipeonfork" },
		{ CR_VMA_HUGEPAGE, "hugepage" },
		{ CR_VMA_NOHUGEPAGE, "nohugepage" },
		{ CR_VMA_LOCKED, "locked" },
		{ CR_VMA_LOCKONFAULT, "lockonfault" },
		{ CR_VMA_DROPPABLE, "droppable" },
		{ CR_VMA_SHARED, "shared" },
		{ CR_VMA_MAYWRITE, "maywrite" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & names[i].flag)
			printf(" %s", names[i].name);
}

/* Print the VMA whose records are done: only now is its page count known. */
static void end_vma(struct image *img)
{
	const struct cr_hdr_vma *v = &img->vma;
	struct strbuf *sb = &img->out;
	size_t plen = v->path_len ? v->path_len - 1 : 0;
	__u64 offset;

	if (!img->in_vma)
		return;
	img->in_vma = false;

	if (img->json) {
		sb_printf(sb, "%s\n{\"start\": %llu, \"end\": %llu, ",
			  img->nr_vmas > 1 ? "," : "", v->start, v->end);
		sb_printf(sb, "\"prot\": %u, \"flags\": %u, ",
			  v->prot, v->flags);
		sb_printf(sb, "\"pgoff\": %llu, \"type\": \"%s\", ",
			  v->pgoff, vma_type_name(v->type));
		sb_printf(sb, "\"path\": ");
		sb_json_str(sb, img->path, plen);
		sb_printf(sb, ", \"dev\": %llu, \"ino\": %llu, ",
			  v->dev, v->ino);
		sb_printf(sb, "\"size\": %llu, \"mtime_sec\": %lld, ",
			  v->size, v->mtime_sec);
		sb_printf(sb, "\"mtime_nsec\": %u, \"object\": %u, ",
			  v->mtime_nsec, v->object);
		sb_printf(sb, "\"nr_pages\": %llu", img->vma_pages);
		if (img->list_pages)
			json_pages(img, sb);
		sb_printf(sb, "}");
		img->nr_addrs = 0;
		img->nr_batches = 0;
		return;
	}

	/*
	 * As /proc/PID/maps does: the offset in the file or object, 0 for
	 * anonymous memory; p for private, s for shared.
	 */
	offset = v->type == CR_VMA_FILE || v->type == CR_VMA_SHMEM ?
		 v->pgoff * img->page_size : 0;
	printf("%08llx-%08llx %c%c%c%c %08llx %02llx:%02llx %llu ",
	       v->start, v->end,
	       v->prot & CR_PROT_READ ? 'r' : '-',
	       v->prot & CR_PROT_WRITE ? 'w' : '-',
	       v->prot & CR_PROT_EXEC ? 'x' : '-',
	       v->flags & CR_VMA_SHARED ? 's' : 'p',
	       offset, (v->dev & 0xfff00) >> 8,
	       (v->dev & 0xff) | ((v->dev >> 12) & 0xfff00), v->ino);
	print_text_str(img->path, plen);
	printf("  %s  pages=%llu", vma_type_name(v->type), img->vma_pages);
	if (v->object)
		printf(" object=%u", v->object);
	print_vma_flags(v->flags);
	putchar('\n');
	print_pages(img, "page");
}

static void do_vma(struct image *img, struct cr_hdr_vma *rec)
{
	__u32 shared, new_shmem;
	bool shmem;
	__u64 body;
	size_t plen;

	end_vma(img);
	new_shmem = end_shmem(img);
	read_fixed(img, rec, sizeof(*rec));
	shmem = rec->type == CR_VMA_SHMEM;
	shared = rec->flags & CR_VMA_SHARED;
	if (img->nr_vmas >= img->map_count)
		malformed(img->rec_off,
			  "more CR_HDR_VMA records than map_count %u",
			  img->map_count);
	if (rec->path_len > MAX_PATH_LEN)
		malformed(img->rec_off, "path_len %u, at most %u",
			  rec->path_len, MAX_PATH_LEN);
	body = sizeof(*rec) + (__u64)rec->path_len;
	check_len(img, &rec->h, ALIGN8(body));
	if (!vma_type_name(rec->type))
		malformed(img->rec_off, "unknown VMA type %u", rec->type);
	if (rec->start >= rec->end || rec->end > X86_64_USER_END ||
	    rec->start % img->page_size || rec->end % img->page_size)
		malformed(img->rec_off, "bad VMA range 0x%llx-0x%llx",
			  rec->start, rec->end);
	if (rec->start < img->prev_end)
		malformed(img->rec_off,
			  "VMA 0x%llx-0x%llx overlaps or precedes the one before",
			  rec->start, rec->end);
	if (rec->prot & ~CR_PROT_ALL)
		malformed(img->rec_off, "unknown protection bits 0x%x",
			  rec->prot & ~CR_PROT_ALL);
	if (rec->flags & ~CR_VMA_FLAGS)
		malformed(img->rec_off, "unknown VMA flags 0x%x",
			  rec->flags & ~CR_VMA_FLAGS);
	if ((rec->type == CR_VMA_VDSO || rec->type == CR_VMA_VVAR) &&
	    rec->flags)
		malformed(img->rec_off, "%s VMA with flags 0x%x",
			  vma_type_name(rec->type), rec->flags);
	if (rec->mtime_nsec >= 1000000000)
		malformed(img->rec_off, "mtime_nsec %u", rec->mtime_nsec);
	/* new_encode_dev() gives 32 bits */
	if (rec->dev >> 32)
		malformed(img->rec_off, "dev 0x%llx", rec->dev);
	if (rec->type == CR_VMA_FILE && rec->path_len < 2)
		malformed(img->rec_off, "file VMA without a path");
	/* A shared memory object has an offset in it, as a file has. */
	if (rec->type != CR_VMA_FILE &&
	    (rec->path_len || (rec->pgoff && !shmem) || rec->dev ||
	     rec->ino || rec->size || rec->mtime_sec || rec->mtime_nsec))
		malformed(img->rec_off, "%s VMA with file fields set",
			  vma_type_name(rec->type));
	/* Its object is one seen already, or the one just before it. */
	if (!shmem && rec->object)
		malformed(img->rec_off, "%s VMA with object %u",
			  vma_type_name(rec->type), rec->object);
	if (shmem && (!rec->object || rec->object > img->last_shmem))
		malformed(img->rec_off,
			  "VMA 0x%llx-0x%llx: unknown shared memory object %u, %u so far",
			  rec->start, rec->end, rec->object, img->last_shmem);
	if (new_shmem && rec->object != new_shmem)
		malformed(img->rec_off,
			  "VMA 0x%llx-0x%llx: object %u, after the CR_HDR_SHMEM of object %u",
			  rec->start, rec->end, rec->object, new_shmem);
	/* file_mmap_ok(): the mapping ends within the largest object */
	if (shmem && rec->pgoff > (MAX_OBJECT_SIZE - (rec->end - rec->start)) /
				  img->page_size)
		malformed(img->rec_off,
			  "VMA 0x%llx-0x%llx: object offset %llu pages, out of range",
			  rec->start, rec->end, rec->pgoff);
	/*
	 * What mmap(2) makes of MAP_SHARED: a mapping of a file or an
	 * object, writable only if it may be written.
	 */
	if (shared && rec->type != CR_VMA_FILE && !shmem)
		malformed(img->rec_off, "%s VMA mapped shared",
			  vma_type_name(rec->type));
	if (rec->flags & CR_VMA_MAYWRITE && !shared)
		malformed(img->rec_off,
			  "VMA 0x%llx-0x%llx: CR_VMA_MAYWRITE without CR_VMA_SHARED",
			  rec->start, rec->end);
	if (shared && rec->prot & CR_PROT_WRITE &&
	    !(rec->flags & CR_VMA_MAYWRITE))
		malformed(img->rec_off,
			  "VMA 0x%llx-0x%llx: shared and writable without CR_VMA_MAYWRITE",
			  rec->start, rec->end);
	/* Only a memfd may be mapped private: shmat(2) maps shared. */
	if (shmem && !shared &&
	    img->shmem_kinds[rec->object - 1] != CR_SHMEM_MEMFD)
		malformed(img->rec_off,
			  "VMA 0x%llx-0x%llx: %s (object %u) mapped private",
			  rec->start, rec->end,
			  img->shmem_kinds[rec->object - 1] == CR_SHMEM_ANON ?
			  "shared anonymous memory" : "a SysV segment",
			  rec->object);

	if (rd_take(&img->r, img->path, rec->path_len) != rec->path_len)
		malformed(img->rec_off, "truncated CR_HDR_VMA record");
	if (rec->path_len) {
		plen = strnlen(img->path, rec->path_len);
		if (plen != rec->path_len - 1U)
			malformed(img->rec_off,
				  "path is not NUL-terminated at path_len %u",
				  rec->path_len);
	}
	read_padding(img, &rec->h, ALIGN8(body) - body);

	img->vma = *rec;
	img->in_vma = true;
	img->nr_vmas++;
	img->vma_pages = 0;
	img->nr_addrs = 0;
	img->nr_batches = 0;
	img->next_addr = rec->start;
	img->prev_end = rec->end;
}

static void keep_addr(struct image *img, __u64 addr, __u64 sum)
{
	size_t cap = img->cap_addrs ? 2 * img->cap_addrs : 512;
	__u64 *p;

	if (img->nr_addrs == img->cap_addrs) {
		p = realloc(img->addrs, cap * sizeof(*p));
		if (!p)
			die_usage("out of memory");
		img->addrs = p;
		p = realloc(img->addr_sums, cap * sizeof(*p));
		if (!p)
			die_usage("out of memory");
		img->addr_sums = p;
		img->cap_addrs = cap;
	}
	img->addr_sums[img->nr_addrs] = sum;
	img->addrs[img->nr_addrs++] = addr;
}

/* For --pages: the batch just read, with its pages, @sums or none. */
static void keep_batch(struct image *img, const __u64 *addrs,
		       const __u64 *sums)
{
	const struct cr_hdr_pgarr *ha = &img->pgarr;
	struct batch *b;
	__u32 i;

	img->batches = grow(img->batches, &img->cap_batches, img->nr_batches,
			    sizeof(*img->batches));
	b = &img->batches[img->nr_batches++];
	b->first = ha->first;
	b->last = ha->last;
	b->digest = ha->digest;
	b->nr_pages = ha->nr_pages;
	b->flags = ha->flags;
	for (i = 0; i < ha->nr_pages; i++)
		keep_addr(img, addrs[i], sums ? sums[i] : NO_SUM);
}

/* A checksum that does not match: kept for the end, and reading goes on. */
static void add_bad(struct image *img, __u64 off, __u64 stored,
		    __u64 computed, bool batch)
{
	struct bad_sum *bad;

	img->bad = grow(img->bad, &img->cap_bad, img->nr_bad,
			sizeof(*img->bad));
	bad = &img->bad[img->nr_bad++];
	bad->off = off;
	bad->stored = stored;
	bad->computed = computed;
	bad->batch = batch;
}

/*
 * Whether @flags are those of a batch: at most one, or huge pages beside
 * PRAM, the only way they come: kept whole by a PRAM node, by reference,
 * so never stored once with the parent. As the kernel's
 * cr_read_pgarr_head() has it.
 */
static bool pages_flags_ok(__u32 flags)
{
	if (flags & ~CR_PAGES_FLAGS)
		return false;
	if (flags & CR_PAGES_HUGE)
		return flags == (CR_PAGES_HUGE | CR_PAGES_PRAM);
	return !(flags & (flags - 1));
}

/* The size of a batch's pages, by its @flags: 2 MiB for huge ones. */
static __u64 batch_page_size(const struct image *img, __u32 flags)
{
	return flags & CR_PAGES_HUGE ? 1ULL << CR_HUGE_SHIFT : img->page_size;
}

/*
 * How many base pages a batch of @n pages of @flags stands for: a huge
 * page counts as the 512 it maps, so that a VMA counts the same whether
 * a PRAM node kept its THPs whole or split.
 */
static __u64 batch_base_pages(const struct image *img, __u32 flags, __u32 n)
{
	return n * (batch_page_size(img, flags) / img->page_size);
}

/* What a batch's addresses are, for messages */
static const char *batch_what(const struct image *img, __u32 flags)
{
	if (img->new_shmem)
		return "page offset";
	return flags & CR_PAGES_HUGE ? "huge page address" : "page address";
}

/* And what they must be aligned to, likewise */
static const char *batch_align(__u32 flags)
{
	return flags & CR_PAGES_HUGE ? "huge-page" : "page";
}

/*
 * The first or last page of a batch, as its PGARR gives it (@which),
 * of @flags: aligned to its size, inside the VMA, all of it (a huge
 * page, too); after a SHMEM record, below the end of its object
 * instead (never huge: do_pgarr() refused that).
 */
static void check_bound(struct image *img, __u64 addr, __u32 flags,
			const char *which)
{
	bool object = img->new_shmem;
	const char *what = batch_what(img, flags);
	__u64 size = batch_page_size(img, flags);
	__u64 obj_end;

	if (addr % size)
		malformed(img->rec_off, "%s %s 0x%llx not %s-aligned", which,
			  what, addr, batch_align(flags));
	/* An object's last page may hold its end: its size rounded up */
	obj_end = (img->shmem.size + img->page_size - 1) / img->page_size *
		  img->page_size;
	if (object && addr >= obj_end)
		malformed(img->rec_off,
			  "%s page offset 0x%llx beyond shared memory object %u of size %llu",
			  which, addr, img->new_shmem, img->shmem.size);
	/* A huge page whole: addr < end first, so end - addr cannot wrap */
	if (!object && (addr < img->vma.start || addr >= img->vma.end ||
			img->vma.end - addr < size))
		malformed(img->rec_off, "%s %s 0x%llx outside VMA 0x%llx-0x%llx",
			  which, what, addr, img->vma.start, img->vma.end);
}

/*
 * A batch of a VMA's saved pages; after a SHMEM record, of its object's.
 * The running CRC covers the PGARR struct, which is checked here: its
 * flags, and its first and last page, in order after the batch before.
 * The addresses (offsets) after it are read outside the CRC, and checked
 * with the PAGES record that follows, once the batch's digest matches.
 */
static void do_pgarr(struct image *img, struct cr_hdr_pgarr *rec)
{
	bool object = img->new_shmem;
	const char *what;
	__u64 len, size;
	size_t want;
	__u64 *p;
	__u32 n;

	read_fixed(img, rec, sizeof(*rec));
	n = rec->nr_pages;
	/* The vDSO and its data are mapped anew on restart: no pages. */
	if (!object &&
	    (img->vma.type == CR_VMA_VDSO || img->vma.type == CR_VMA_VVAR))
		malformed(img->rec_off, "CR_HDR_PGARR for a %s VMA",
			  vma_type_name(img->vma.type));
	/* A shared mapping's pages are its file's, or its object's. */
	if (!object && img->vma.flags & CR_VMA_SHARED)
		malformed(img->rec_off,
			  "CR_HDR_PGARR for the shared VMA 0x%llx-0x%llx",
			  img->vma.start, img->vma.end);
	/* An empty batch would be harmless but no writer has a reason to. */
	if (!n || n > MAX_BATCH_PAGES)
		malformed(img->rec_off, "CR_HDR_PGARR of %u pages", n);
	len = 8ULL * n;
	check_len(img, &rec->h, sizeof(*rec) + len);
	if (!pages_flags_ok(rec->flags))
		malformed(img->rec_off, "CR_HDR_PGARR with unknown flags 0x%x",
			  rec->flags);
	/*
	 * A PRAM node keeps whole only the THPs of a VMA: an object's pages
	 * are its page cache's, kept one by one.
	 */
	if (object && rec->flags & CR_PAGES_HUGE)
		malformed(img->rec_off,
			  "CR_HDR_PGARR of shared memory object %u with huge pages",
			  img->new_shmem);
	what = batch_what(img, rec->flags);
	size = batch_page_size(img, rec->flags);
	check_bound(img, rec->first, rec->flags, "first");
	check_bound(img, rec->last, rec->flags, "last");
	if (rec->last < rec->first)
		malformed(img->rec_off, "last %s 0x%llx below the first, 0x%llx",
			  what, rec->last, rec->first);
	if (rec->first < img->next_addr)
		malformed(img->rec_off,
			  "first %s 0x%llx not above the one before", what,
			  rec->first);
	/*
	 * As many increasing pages as it says, from first to last, each a
	 * page (a huge page) above the one before
	 */
	if ((rec->last - rec->first) / size < n - 1)
		malformed(img->rec_off,
			  "CR_HDR_PGARR of %u pages from %s 0x%llx to 0x%llx",
			  n, what, rec->first, rec->last);
	/* check_bound() had last + size within the VMA: no overflow */
	img->next_addr = rec->last + size;

	/* Room for the digest's input: 8 bytes a page, twice, and PAGES */
	want = 2 * (size_t)n + sizeof(struct cr_hdr_pages) / 8;
	if (img->cap_run < want) {
		p = reallocarray(img->run, want, sizeof(*p));
		if (!p)
			die_usage("out of memory");
		img->run = p;
		img->cap_run = want;
	}
	if (rd_take_crc(&img->r, img->run, len, NULL) != len)
		malformed(img->rec_off, "truncated CR_HDR_PGARR record");
	img->pgarr = *rec;
	img->pgarr_off = img->rec_off;
}

/*
 * The addresses (offsets) of the batch just read, once its digest says
 * that they are those written: aligned to the size of its pages (huge
 * ones, too) and increasing, from its PGARR's first to its last, and so
 * inside its VMA or object.
 */
static void check_addrs(struct image *img, const __u64 *addrs)
{
	const struct cr_hdr_pgarr *ha = &img->pgarr;
	const char *what = batch_what(img, ha->flags);
	__u64 size = batch_page_size(img, ha->flags);
	__u64 off = img->pgarr_off + sizeof(*ha);
	__u32 i, n = ha->nr_pages;

	if (addrs[0] != ha->first)
		malformed(off, "%s 0x%llx, but CR_HDR_PGARR says the first is 0x%llx",
			  what, addrs[0], ha->first);
	if (addrs[n - 1] != ha->last)
		malformed(off + 8ULL * (n - 1),
			  "%s 0x%llx, but CR_HDR_PGARR says the last is 0x%llx",
			  what, addrs[n - 1], ha->last);
	for (i = 1; i < n; i++) {
		off += 8;
		if (addrs[i] % size)
			malformed(off, "%s 0x%llx not %s-aligned", what,
				  addrs[i], batch_align(ha->flags));
		/*
		 * Both aligned to size, so above means a whole (huge) page
		 * above, as the kernel wants, with no sum that could wrap
		 */
		if (addrs[i] <= addrs[i - 1])
			malformed(off, "%s 0x%llx not above the one before",
				  what, addrs[i]);
	}
}

/*
 * The checksums of a PAGES record's @n pages into @sums, outside the
 * running CRC: the batch's digest covers them.
 */
static void read_page_sums(struct image *img, struct cr_hdr_pages *rec,
			   __u64 *sums, __u32 n)
{
	size_t len = sizeof(__u64) * n;

	if (rd_take_crc(&img->r, sums, len, NULL) != len)
		malformed(img->rec_off, "truncated %s record",
			  type_name(rec->h.type));
}

/*
 * The contents of a PAGES record's @n pages, outside the running CRC,
 * each checked against its XXH64 in @sums: a mismatch is kept for the
 * end, as the tail's is, and reading goes on.
 */
static void check_pages(struct image *img, struct cr_hdr_pages *rec,
			const __u64 *sums, __u32 n)
{
	static unsigned char page[X86_64_PAGE_SIZE];
	__u64 off, sum;
	__u32 i;

	for (i = 0; i < n; i++) {
		off = img->r.off;
		if (rd_take_crc(&img->r, page, img->page_size, NULL) !=
		    img->page_size)
			malformed(img->rec_off, "truncated %s record",
				  type_name(rec->h.type));
		sum = xxh64(page, img->page_size);
		if (sum != sums[i])
			add_bad(img, off, sums[i], sum, false);
	}
}

/*
 * The contents of the batch of the PGARR before, all outside the running
 * CRC (its header was read so): checked against the PGARR, then against
 * its digest, then page by page.
 */
static void do_pages(struct image *img, struct cr_hdr_pages *rec)
{
	const struct cr_hdr_pgarr *ha = &img->pgarr;
	size_t hsz = sizeof(rec->h), rest = sizeof(*rec) - hsz;
	__u32 n = ha->nr_pages;
	__u64 *sums = img->run + n + sizeof(*rec) / 8;
	__u64 sum_len = 0, size = 0, digest;

	if (rd_take_crc(&img->r, (char *)rec + hsz, rest, NULL) != rest)
		malformed(img->rec_off, "truncated CR_HDR_PAGES record");
	memcpy(img->run + n, rec, sizeof(*rec));
	if (!pages_flags_ok(rec->flags))
		malformed(img->rec_off, "CR_HDR_PAGES with unknown flags 0x%x",
			  rec->flags);
	if (rec->nr_pages != n)
		malformed(img->rec_off,
			  "CR_HDR_PAGES of %u pages after a CR_HDR_PGARR of %u",
			  rec->nr_pages, n);
	if (rec->flags != ha->flags)
		malformed(img->rec_off,
			  "CR_HDR_PAGES flags 0x%x after a CR_HDR_PGARR of flags 0x%x",
			  rec->flags, ha->flags);
	/* An object's pages are its own, whoever forked whom. */
	if (img->new_shmem && rec->flags & CR_PAGES_PARENT)
		malformed(img->rec_off,
			  "CR_HDR_PAGES of shared memory object %u with the parent's pages",
			  img->new_shmem);
	/*
	 * In a PRAM node, the pages stay in its page stream (huge ones as
	 * one entry each); the parent's are stored with the parent: neither
	 * has checksums here.
	 */
	if (!rec->flags) {
		sum_len = sizeof(__u64) * n;
		size = (__u64)n * img->page_size;
	}
	check_len(img, &rec->h, sizeof(*rec) + sum_len + size);
	if (sum_len)
		read_page_sums(img, rec, sums, n);

	/* The addresses are trusted only once the digest matches. */
	digest = xxh64(img->run, 8ULL * n + sizeof(*rec) + sum_len);
	if (digest != ha->digest)
		add_bad(img, img->pgarr_off, ha->digest, digest, true);
	else
		check_addrs(img, img->run);
	if (img->list_pages)
		keep_batch(img, img->run, sum_len ? sums : NULL);
	if (sum_len)
		check_pages(img, rec, sums, n);
	if (img->new_shmem)
		img->shmem_pages += n;
	else
		img->vma_pages += batch_base_pages(img, rec->flags, n);
	img->total_pages += batch_base_pages(img, rec->flags, n);
}

static void do_tail(struct image *img, struct cr_hdr_tail *rec)
{
	size_t hsz = sizeof(rec->h);
	size_t crc_at = offsetof(struct cr_hdr_tail, crc32c);
	size_t rest = sizeof(*rec) - crc_at;

	end_task(img);
	if (img->seen_tasks != img->nr_tasks)
		malformed(img->rec_off,
			  "%u CR_HDR_TASK records, but nr_tasks is %u",
			  img->seen_tasks, img->nr_tasks);
	if (img->seen_procs != img->nr_procs)
		malformed(img->rec_off, "%u processes, but nr_procs is %u",
			  img->seen_procs, img->nr_procs);
	check_sockets(img);
	check_len(img, &rec->h, sizeof(*rec));
	/* The checksum covers every byte up to the crc32c field. */
	if (rd_take(&img->r, (char *)rec + hsz, crc_at - hsz) != crc_at - hsz)
		malformed(img->rec_off, "truncated CR_HDR_TAIL record");
	img->computed_crc = ~img->r.crc;
	if (rd_take(&img->r, (char *)rec + crc_at, rest) != rest)
		malformed(img->rec_off, "truncated CR_HDR_TAIL record");
	if (rec->magic != CR_IMAGE_MAGIC)
		malformed(img->rec_off, "bad tail magic 0x%016llx", rec->magic);
	check_pad(img, &rec->h, rec->pad);
	img->stored_crc = rec->crc32c;
}

static void read_image(struct image *img)
{
	union {
		struct cr_hdr h;
		struct cr_hdr_head head;
		struct cr_hdr_tree tree;
		struct cr_hdr_task task;
		struct cr_hdr_sighand sighand;
		struct cr_hdr_signal signal;
		struct cr_hdr_sigpending sigpending;
		struct cr_hdr_cpu cpu;
		struct cr_hdr_fs fs;
		struct cr_hdr_files files;
		struct cr_hdr_file file;
		struct cr_hdr_fd fd;
		struct cr_hdr_pipe pipe;
		struct cr_hdr_socket socket;
		struct cr_hdr_skb skb;
		struct cr_hdr_eventfd eventfd;
		struct cr_hdr_epoll epoll;
		struct cr_hdr_shmem shmem;
		struct cr_hdr_sysvshm sysvshm;
		struct cr_hdr_mm mm;
		struct cr_hdr_mm_context mm_context;
		struct cr_hdr_vma vma;
		struct cr_hdr_pgarr pgarr;
		struct cr_hdr_pages pages;
		struct cr_hdr_tail tail;
	} rec;
	const char *name, *want;
	__u32 *crc;
	__u64 got;

	for (;;) {
		img->rec_off = img->r.off;
		/*
		 * After a PGARR comes its PAGES record, which the running CRC
		 * leaves out: anything else is out of order.
		 */
		crc = img->prev == CR_HDR_PGARR ? NULL : &img->r.crc;
		got = rd_take_crc(&img->r, &rec.h, sizeof(rec.h), crc);
		if (img->prev == CR_HDR_TAIL) {
			if (got)
				malformed(img->rec_off,
					  "data after CR_HDR_TAIL");
			return;
		}
		if (!got && !img->prev)
			malformed(img->rec_off, "empty image");
		if (!got)
			malformed(img->rec_off,
				  "image ends before CR_HDR_TAIL");
		if (got < sizeof(rec.h))
			malformed(img->rec_off, "truncated record header");

		name = type_name(rec.h.type);
		if (!name)
			malformed(img->rec_off, "unknown record type %u",
				  rec.h.type);
		if (!order_ok(img, rec.h.type)) {
			want = order_want(img);
			if (img->prev && want)
				malformed(img->rec_off,
					  "%s after %s, before %s", name,
					  type_name(img->prev), want);
			if (img->prev)
				malformed(img->rec_off, "%s after %s", name,
					  type_name(img->prev));
			malformed(img->rec_off, "image starts with %s", name);
		}
		if (rec.h.len % CR_HDR_ALIGN)
			malformed(img->rec_off,
				  "%s record length %u not a multiple of %u",
				  name, rec.h.len, CR_HDR_ALIGN);
		if (rec.h.len < type_size(rec.h.type))
			malformed(img->rec_off,
				  "%s record length %u, shorter than its %zu-byte struct",
				  name, rec.h.len, type_size(rec.h.type));
		if (rec.h.len > MAX_RECORD_LEN && rec.h.type != CR_HDR_PAGES)
			malformed(img->rec_off,
				  "%s record length %u, longer than %u", name,
				  rec.h.len, MAX_RECORD_LEN);

		switch (rec.h.type) {
		case CR_HDR_HEAD:
			do_head(img, &rec.head);
			break;
		case CR_HDR_TREE:
			do_tree(img, &rec.tree);
			break;
		case CR_HDR_TASK:
			do_task(img, &rec.task);
			break;
		case CR_HDR_SIGHAND:
			do_sighand(img, &rec.sighand);
			break;
		case CR_HDR_SIGNAL:
			do_signal(img, &rec.signal);
			break;
		case CR_HDR_SIGPENDING:
			do_sigpending(img, &rec.sigpending);
			break;
		case CR_HDR_CPU:
			do_cpu(img, &rec.cpu);
			break;
		case CR_HDR_FS:
			do_fs(img, &rec.fs);
			break;
		case CR_HDR_FILES:
			do_files(img, &rec.files);
			break;
		case CR_HDR_FILE:
			do_file(img, &rec.file);
			break;
		case CR_HDR_PIPE:
			do_pipe(img, &rec.pipe);
			break;
		case CR_HDR_SOCKET:
			do_socket(img, &rec.socket);
			break;
		case CR_HDR_SKB:
			do_skb(img, &rec.skb);
			break;
		case CR_HDR_EVENTFD:
			do_eventfd(img, &rec.eventfd);
			break;
		case CR_HDR_EPOLL:
			do_epoll(img, &rec.epoll);
			break;
		case CR_HDR_FD:
			do_fd(img, &rec.fd);
			break;
		case CR_HDR_SHMEM:
			do_shmem(img, &rec.shmem);
			break;
		case CR_HDR_SYSVSHM:
			do_sysvshm(img, &rec.sysvshm);
			break;
		case CR_HDR_MM:
			do_mm(img, &rec.mm);
			break;
		case CR_HDR_MM_CONTEXT:
			do_mm_context(img, &rec.mm_context);
			break;
		case CR_HDR_VMA:
			do_vma(img, &rec.vma);
			break;
		case CR_HDR_PGARR:
			do_pgarr(img, &rec.pgarr);
			break;
		case CR_HDR_PAGES:
			do_pages(img, &rec.pages);
			break;
		case CR_HDR_TAIL:
			do_tail(img, &rec.tail);
			break;
		}
		img->prev = rec.h.type;
	}
}

/* What a checksum that does not match is of, for the text and stderr */
static const char *bad_name(const struct bad_sum *bad)
{
	return bad->batch ? "batch digest" : "page checksum";
}

/* The checksums that do not match as JSON: the pages', or the batches' */
static void json_bad(struct image *img, bool batch)
{
	const struct bad_sum *bad;
	const char *sep = "";
	size_t i;

	sb_printf(&img->out, "\"%s\": [",
		  batch ? "bad_batches" : "bad_pages");
	for (i = 0; i < img->nr_bad; i++) {
		bad = &img->bad[i];
		if (bad->batch != batch)
			continue;
		sb_printf(&img->out, "%s{\"offset\": %llu, \"stored\": %llu, ",
			  sep, bad->off, bad->stored);
		sb_printf(&img->out, "\"computed\": %llu}", bad->computed);
		sep = ", ";
	}
	sb_printf(&img->out, "]");
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s [--json] [--pages] [FILE|-]\n", prog);
	fprintf(f, "Check a checkpoint image and describe it.\n");
	fprintf(f, "  --json   line-oriented JSON instead of text\n");
	fprintf(f, "  --pages  also list every saved page (address, checksum)\n");
	fprintf(f, "           and batch (first, last, digest)\n");
	fprintf(f, "Exit: 0 valid, 1 checksum mismatch, 2 malformed, ");
	fprintf(f, "3 usage or I/O error\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pages", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct image img;
	const char *path = "-";
	struct bad_sum *bad;
	size_t i;
	bool ok;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			img.json = true;
			break;
		case 'p':
			img.list_pages = true;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (optind < argc)
		path = argv[optind];

	if (strcmp(path, "-")) {
		img.r.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (img.r.fd < 0)
			die_usage("%s: %s", path, strerror(errno));
		img.r.name = path;
	} else {
		img.r.fd = STDIN_FILENO;
		img.r.name = "stdin";
	}
	img.r.buf = malloc(READ_BUF_SIZE);
	if (!img.r.buf)
		die_usage("out of memory");
	img.r.crc = ~0U;

	read_image(&img);

	ok = img.stored_crc == img.computed_crc && !img.nr_bad;
	if (img.json) {
		sb_printf(&img.out, "\n],\n\"files\": [");
		sb_append(&img.out, img.files.buf, img.files.len);
		sb_printf(&img.out, "\n],\n\"shmems\": [");
		sb_append(&img.out, img.shmems.buf, img.shmems.len);
		sb_printf(&img.out, "\n],\n\"total_pages\": %llu,\n",
			  img.total_pages);
		sb_printf(&img.out, "\"size\": %llu,\n", img.r.off);
		sb_printf(&img.out, "\"checksum\": {\"stored\": %u, ",
			  img.stored_crc);
		sb_printf(&img.out, "\"computed\": %u, \"ok\": %s, ",
			  img.computed_crc, ok ? "true" : "false");
		json_bad(&img, false);
		sb_printf(&img.out, ", ");
		json_bad(&img, true);
		sb_printf(&img.out, "}\n}\n");
		fwrite(img.out.buf, 1, img.out.len, stdout);
	} else {
		printf("total pages: %llu\nsize: %llu bytes\n",
		       img.total_pages, img.r.off);
		for (i = 0; i < img.nr_bad; i++) {
			bad = &img.bad[i];
			printf("%s: MISMATCH at offset %llu ", bad_name(bad),
			       bad->off);
			printf("stored 0x%016llx computed 0x%016llx\n", bad->stored,
			       bad->computed);
		}
		if (img.stored_crc == img.computed_crc) {
			printf("checksum: ok 0x%08x\n", img.computed_crc);
		} else {
			printf("checksum: MISMATCH stored 0x%08x ",
			       img.stored_crc);
			printf("computed 0x%08x\n", img.computed_crc);
		}
	}
	if (fflush(stdout) || ferror(stdout))
		die_usage("writing the output: %s", strerror(errno));
	/*
	 * One line, for the first mismatch: a batch or a page comes before
	 * the tail.
	 */
	if (img.nr_bad) {
		bad = &img.bad[0];
		fprintf(stderr,
			"%s: %s mismatch at offset %llu: stored 0x%016llx, computed 0x%016llx",
			prog, bad_name(bad), bad->off, bad->stored,
			bad->computed);
		if (img.nr_bad > 1)
			fprintf(stderr, " (and %zu more)", img.nr_bad - 1);
		fputc('\n', stderr);
		return EXIT_CRC;
	}
	if (!ok) {
		fprintf(stderr,
			"%s: checksum mismatch: stored 0x%08x, computed 0x%08x\n",
			prog, img.stored_crc, img.computed_crc);
		return EXIT_CRC;
	}
	return 0;
}

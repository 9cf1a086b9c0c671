// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptors across checkpoint and restart: a restored task gets the
 * descriptor table of its image, never its restarter's.
 *
 * - regular files and directories come back at the same numbers, with
 *   their offsets, open flags and close-on-exec flags, and refer to the
 *   same files; descriptors that shared a file still share one;
 * - a pipe inside the process comes back with the data buffered in it,
 *   which checkpoint did not consume;
 * - an external descriptor (a pipe whose other end is out here) takes
 *   the restarter's substitute, per descriptor, and an image whose
 *   external descriptors lack one is refused with EBADF, the restarter
 *   unchanged;
 * - the working directory comes back;
 * - a FIFO with both ends in the process comes back, reopened by its
 *   path, with its data, or ESTALE when another is at the path;
 * - eventfds come back with their counters and flags, an epoll instance
 *   with its items, which fire as before;
 * - what cannot be saved yet (signalfd, timerfd and
 *   inotify instances, O_PATH descriptors of memfds, netlink sockets,
 *   deleted files, /proc files, locked files) is refused at checkpoint,
 *   naming the task,
 *   the descriptor and what it is; a file changed since is ESTALE and
 *   one the restarter may not open is EACCES.
 *
 * As elsewhere, the restored task checks itself and its exit status is
 * the verdict.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/timerfd.h>

#include "../kselftest_harness.h"
#include "ckpt_edit.h"
#include "ckpt_util.h"

#define FILE_FD		40	/* a regular file, offset 3 */
#define DUP_FD		41	/* dup(FILE_FD): shares its offset */
#define APPEND_FD	42	/* the same file, O_APPEND, close-on-exec */
#define DIR_FD		43	/* a directory */
#define NULL_FD		44	/* /dev/null */
#define PIPE_R		45	/* a pipe holding "hello", both ends here */
#define PIPE_W		46
#define EXT_FD		47	/* a pipe whose read end the test holds */
#define EXT2_FD		48	/* dup(EXT_FD) */
#define STRAY_FD	60	/* the restarter's own: must be gone */

static char file_path[64], dir_path[64];

static void make_paths(void)
{
	snprintf(file_path, sizeof(file_path), "/tmp/ckpt-files-%d", getpid());
	snprintf(dir_path, sizeof(dir_path), "/tmp/ckpt-dir-%d", getpid());
}

/* F_GETFL without the kernel's O_LARGEFILE (0 in the C library's). */
static int flags_of(int fd)
{
	return fcntl(fd, F_GETFL) & ~0100000;
}

/* The regular file, directory, device and pipe, set up and checked. */
static int files_child(void)
{
	char buf[16] = "", cwd[64];
	int p[2], fd;

	fd = open(file_path, O_RDWR);
	if (fd < 0 || dup2(fd, FILE_FD) != FILE_FD || close(fd) ||
	    lseek(FILE_FD, 3, SEEK_SET) != 3 ||
	    dup2(FILE_FD, DUP_FD) != DUP_FD)
		return 1;
	fd = open(file_path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || fcntl(fd, F_DUPFD_CLOEXEC, APPEND_FD) != APPEND_FD)
		return 1;
	close(fd);
	fd = open(dir_path, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || dup2(fd, DIR_FD) != DIR_FD || close(fd))
		return 1;
	fd = open("/dev/null", O_WRONLY | O_NONBLOCK);
	if (fd < 0 || dup2(fd, NULL_FD) != NULL_FD || close(fd))
		return 1;
	if (pipe(p) || dup2(p[0], PIPE_R) != PIPE_R ||
	    dup2(p[1], PIPE_W) != PIPE_W || close(p[0]) || close(p[1]) ||
	    write(PIPE_W, "hello", 5) != 5)
		return 1;
	if (chdir(dir_path))
		return 1;

	raise(SIGSTOP);

	/* Restored, or the original resumed: the same either way. */
	if (lseek(FILE_FD, 0, SEEK_CUR) != 3 || lseek(DUP_FD, 0, SEEK_CUR) != 3)
		return 10;
	/* One file, one offset. */
	if (lseek(DUP_FD, 7, SEEK_SET) != 7 || lseek(FILE_FD, 0, SEEK_CUR) != 7)
		return 11;
	if (flags_of(FILE_FD) != O_RDWR ||
	    flags_of(APPEND_FD) != (O_WRONLY | O_APPEND) ||
	    flags_of(NULL_FD) != (O_WRONLY | O_NONBLOCK))
		return 12;
	if (fcntl(APPEND_FD, F_GETFD) != FD_CLOEXEC ||
	    fcntl(FILE_FD, F_GETFD) != 0)
		return 13;
	if (write(APPEND_FD, "Z", 1) != 1 || pread(FILE_FD, buf, 11, 0) != 11 ||
	    memcmp(buf, "0123456789Z", 11))
		return 14;
	if (read(PIPE_R, buf, sizeof(buf)) != 5 || memcmp(buf, "hello", 5))
		return 15;
	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, dir_path))
		return 16;
	if (fstatat(DIR_FD, ".", &(struct stat){}, 0))
		return 17;
	if (fcntl(STRAY_FD, F_GETFD) != -1 || errno != EBADF)
		return 18;
	return 0;
}

static void prep_stray(void)
{
	/* The restarter's own descriptor, which the image does not have. */
	dup2(STDERR_FILENO, STRAY_FD);
}

FIXTURE(files) {
	int img;
	int log[2];
	char logbuf[1024];
};

FIXTURE_SETUP(files)
{
	int fd;

	make_paths();
	mkdir(dir_path, 0755);
	fd = open(file_path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(10, write(fd, "0123456789", 10));
	close(fd);
	self->img = image_file();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, pipe2(self->log, O_NONBLOCK));
}

FIXTURE_TEARDOWN(files)
{
	unlink(file_path);
	rmdir(dir_path);
	close(self->img);
	close(self->log[0]);
	close(self->log[1]);
}

/* Checkpoint @pid into the fixture's image; the log on failure. */
static long checkpoint_into(struct _test_data_files *self, pid_t pid)
{
	long ret = sys_checkpoint(pid, self->img, 0, self->log[1]);
	int err = errno;

	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	errno = err;
	return ret;
}

/* How many descriptors the caller has open. */
static int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int n = -1;

	if (!dir)
		return -1;
	while (readdir(dir))
		n++;
	closedir(dir);
	return n;
}

TEST_F(files, files_pipes_and_cwd_come_back)
{
	pid_t pid = spawn_fn(files_child);

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_into(self, pid)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	kill_child(pid);
	/* The file as the original left it: the restored one appends. */
	EXPECT_EQ(0, restart_child(self->img, prep_stray, 0));
}

/* The checkpointed pipe still holds its data: it was not consumed. */
TEST_F(files, checkpoint_leaves_pipe_data_in_place)
{
	pid_t pid = spawn_fn(files_child);

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_into(self, pid)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	EXPECT_EQ(0, finish_child(pid));
}

/* Holds EXT_FD and EXT2_FD, a pipe's write end; writes its pid there. */
static int external_child(void)
{
	pid_t me;

	raise(SIGSTOP);
	me = getpid();
	if (write(EXT_FD, "1", 1) != 1 || write(EXT2_FD, "2", 1) != 1)
		return 1;
	return me > 0 ? 0 : 1;
}

/*
 * Restart @img in a child, with @inh as substitutes and, for the other
 * external descriptors than EXT_FD and EXT2_FD (what the test runner
 * left open), ours of the same number; its exit status.
 */
static int restart_with(int img, const struct cr_inherit *inh,
			unsigned int nr, int logfd)
{
	struct cr_inherit all[MAX_EXTERNAL + 8], more[MAX_EXTERNAL];
	int status, null = -1;
	unsigned int i, n;
	pid_t pid = fork();

	if (!pid) {
		lseek(img, 0, SEEK_SET);
		memcpy(all, inh, nr * sizeof(*inh));
		n = image_inherit(img, more, &null);
		for (i = 0; i < n; i++)
			if (more[i].fd != EXT_FD && more[i].fd != EXT2_FD)
				all[nr++] = more[i];
		sys_restart_inherit(0, img, RESTART_RUN, logfd, all, nr);
		_exit(RESTART_FAILED(errno));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * An external descriptor: the image names it, restart(2) takes the
 * restarter's substitute for each descriptor, or refuses the image
 * with EBADF and a line saying which descriptor lacks one.
 */
TEST_F(files, external_descriptors_take_substitutes)
{
	int ext[2], a[2], b[2], i, nstd = 0;
	struct cr_inherit inh[8];
	char c[2];
	pid_t pid;

	/* Only EXT_FD and EXT2_FD have the write end, ours and the child's. */
	ASSERT_EQ(0, pipe(ext));
	ASSERT_EQ(EXT_FD, dup2(ext[1], EXT_FD));
	ASSERT_EQ(EXT2_FD, dup2(ext[1], EXT2_FD));
	close(ext[1]);
	pid = spawn_fn(external_child);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_into(self, pid)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	kill_child(pid);
	close(EXT_FD);
	close(EXT2_FD);

	/* Our standard descriptors for its own. */
	for (i = 0; i < 3; i++)
		inh[nstd++] = (struct cr_inherit){ .fd = i, .from = i };

	/* None for the pipe: refused, and nothing of the image ran. */
	EXPECT_EQ(RESTART_FAILED(EBADF),
		  restart_with(self->img, inh, nstd, self->log[1]));
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	EXPECT_NE(NULL, strstr(self->logbuf, "has no substitute")) {
		TH_LOG("log: %s", self->logbuf);
	}

	/* One for the file, through EXT_FD: both descriptors get it. */
	ASSERT_EQ(0, pipe(a));
	inh[nstd] = (struct cr_inherit){ .tid = pid, .fd = EXT_FD, .from = a[1] };
	EXPECT_EQ(0, restart_with(self->img, inh, nstd + 1, self->log[1]));
	close(a[1]);
	EXPECT_EQ(2, read(a[0], c, 2));
	EXPECT_EQ(0, memcmp(c, "12", 2));

	/* One per descriptor: each writes where it was told. */
	ASSERT_EQ(0, pipe(a));
	ASSERT_EQ(0, pipe(b));
	inh[nstd] = (struct cr_inherit){ .fd = EXT_FD, .from = a[1] };
	inh[nstd + 1] = (struct cr_inherit){ .fd = EXT2_FD, .from = b[1] };
	EXPECT_EQ(0, restart_with(self->img, inh, nstd + 2, self->log[1]));
	close(a[1]);
	close(b[1]);
	EXPECT_EQ(1, read(a[0], c, 2));
	EXPECT_EQ('1', c[0]);
	EXPECT_EQ(1, read(b[0], c, 2));
	EXPECT_EQ('2', c[0]);
	close(ext[0]);
}

/* A refused restart leaves the caller's descriptor table as it was. */
TEST_F(files, refused_restart_keeps_the_callers_descriptors)
{
	int ext[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(ext));
	ASSERT_EQ(EXT_FD, dup2(ext[1], EXT_FD));
	pid = spawn_fn(external_child);
	close(EXT_FD);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_into(self, pid));
	kill_child(pid);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct stat before, after;
		int n;

		if (dup2(STDERR_FILENO, STRAY_FD) != STRAY_FD ||
		    fstat(STRAY_FD, &before))
			_exit(1);
		n = count_fds();
		lseek(self->img, 0, SEEK_SET);
		if (sys_restart_inherit(0, self->img, RESTART_RUN, -1, NULL, 0) != -1 ||
		    errno != EBADF)
			_exit(2);
		if (fstat(STRAY_FD, &after) || before.st_ino != after.st_ino ||
		    fcntl(EXT_FD, F_GETFD) != -1 || count_fds() != n)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(ext[0]);
	close(ext[1]);
}

#define EFD_SEM		60	/* an eventfd semaphore at 5, non-blocking */
#define EFD_ZERO	61	/* an eventfd at 0, non-blocking */
#define EPOLL_R		62	/* a pipe holding "x" */
#define EPOLL_W		63
#define EPOLL_FD	64	/* watching the three, with their data */

/* Whether one epoll_wait() on EPOLL_FD gives just the data of @want. */
static int fires(const uint64_t *want, int n)
{
	struct epoll_event ev[8];
	int got = epoll_wait(EPOLL_FD, ev, 8, 0), i, j;

	if (got != n)
		return 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n && ev[j].data.u64 != want[i]; j++)
			;
		if (j == n)
			return 0;
	}
	return 1;
}

static int epoll_child(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t v, both[2] = { 0x60, 0x62 }, edge[2] = { 0x61, 0x62 };
	int p[2], i;

	if (dup2(eventfd(5, EFD_SEMAPHORE | EFD_NONBLOCK), EFD_SEM) != EFD_SEM ||
	    dup2(eventfd(0, EFD_NONBLOCK), EFD_ZERO) != EFD_ZERO ||
	    pipe(p) || dup2(p[0], EPOLL_R) != EPOLL_R ||
	    dup2(p[1], EPOLL_W) != EPOLL_W || write(EPOLL_W, "x", 1) != 1 ||
	    dup2(epoll_create1(0), EPOLL_FD) != EPOLL_FD)
		return 1;
	ev.data.u64 = 0x60;
	if (epoll_ctl(EPOLL_FD, EPOLL_CTL_ADD, EFD_SEM, &ev))
		return 1;
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 0x61;
	if (epoll_ctl(EPOLL_FD, EPOLL_CTL_ADD, EFD_ZERO, &ev))
		return 1;
	ev.events = EPOLLIN;
	ev.data.u64 = 0x62;
	if (epoll_ctl(EPOLL_FD, EPOLL_CTL_ADD, EPOLL_R, &ev))
		return 1;
	raise(SIGSTOP);

	/* What is ready fires, with its data; what is not, does not. */
	if (!fires(both, 2))
		return 10;
	/* The semaphore holds 5, one at a time. */
	for (i = 0; i < 5; i++)
		if (read(EFD_SEM, &v, 8) != 8 || v != 1)
			return 11;
	if (read(EFD_SEM, &v, 8) != -1 || errno != EAGAIN)
		return 12;
	/* Edge-triggered: fires once when the counter moves, then not. */
	v = 3;
	if (write(EFD_ZERO, &v, 8) != 8 || !fires(edge, 2) ||
	    !fires(&edge[1], 1))
		return 13;
	if (read(EFD_ZERO, &v, 8) != 8 || v != 3)
		return 14;
	return 0;
}

TEST_F(files, eventfds_and_epoll_come_back)
{
	pid_t pid = spawn_fn(epoll_child);

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_into(self, pid)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	kill_child(pid);
	EXPECT_EQ(0, restart_child(self->img, NULL, 0));
}

#define FIFO_R		70	/* a FIFO's reader, non-blocking */
#define FIFO_W		71	/* its writer: "fifo data" is in it */

static char fifo_path[64];

static int fifo_child(void)
{
	char buf[16];

	if (dup2(open(fifo_path, O_RDONLY | O_NONBLOCK), FIFO_R) != FIFO_R ||
	    dup2(open(fifo_path, O_WRONLY), FIFO_W) != FIFO_W ||
	    write(FIFO_W, "fifo data", 9) != 9)
		return 1;
	raise(SIGSTOP);

	if (read(FIFO_R, buf, sizeof(buf)) != 9 || memcmp(buf, "fifo data", 9))
		return 10;
	if ((fcntl(FIFO_R, F_GETFL) & O_ACCMODE) != O_RDONLY ||
	    !(fcntl(FIFO_R, F_GETFL) & O_NONBLOCK) ||
	    fcntl(FIFO_W, F_GETFL) & O_NONBLOCK)
		return 11;
	/* Still one FIFO: what goes in comes out, and the name reaches it. */
	if (write(FIFO_W, "x", 1) != 1 || read(FIFO_R, buf, 1) != 1)
		return 12;
	return 0;
}

/* A FIFO with both ends in the process comes back, with its data. */
TEST_F(files, fifo_inside_comes_back)
{
	pid_t pid;

	snprintf(fifo_path, sizeof(fifo_path), "/tmp/ckpt-fifo-%d", getpid());
	unlink(fifo_path);
	ASSERT_EQ(0, mkfifo(fifo_path, 0600));
	pid = spawn_fn(fifo_child);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_into(self, pid)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	kill_child(pid);
	EXPECT_EQ(0, restart_child(self->img, NULL, 0));
	/* A FIFO put in its place is not the one checkpointed. */
	ASSERT_EQ(0, unlink(fifo_path));
	ASSERT_EQ(0, mkfifo(fifo_path, 0600));
	EXPECT_EQ(RESTART_FAILED(ESTALE), restart_child(self->img, NULL, 0));
	unlink(fifo_path);
}

/* Hostile eventfd and epoll records: EINVAL, with their log lines. */
TEST_F(files, hostile_eventfd_and_epoll_records)
{
	pid_t pid = spawn_fn(epoll_child);
	struct cr_hdr_epoll hp;
	struct recs r;
	int efd, ep;
	uint64_t u64;
	uint32_t u32;

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_into(self, pid));
	kill_child(pid);
	ASSERT_EQ(0, load_recs(self->img, &r));
	efd = next_rec(&r, CR_HDR_EVENTFD, -1);
	ep = next_rec(&r, CR_HDR_EPOLL, -1);
	ASSERT_LE(0, efd);
	ASSERT_LE(0, ep);
	memcpy(&hp, r.img + r.off[ep], sizeof(hp));
	ASSERT_EQ(3, hp.nr_items);

	u64 = ~0ULL;	/* a counter eventfd_write() could never make */
	EXPECT_REFUSED(r.off[efd] + offsetof(struct cr_hdr_eventfd, count),
		       u64, "bad counter");
	u32 = 2;
	EXPECT_REFUSED(r.off[efd] + offsetof(struct cr_hdr_eventfd, flags),
		       u32, "bad counter, flags");
	u32 = 4;	/* more items than the record holds */
	EXPECT_REFUSED(r.off[ep] + offsetof(struct cr_hdr_epoll, nr_items),
		       u32, "an epoll instance of 4 items");
	/* An item on a descriptor the process does not have. */
	u32 = 99;
	EXPECT_REFUSED(r.off[ep] + sizeof(hp) + 2 * sizeof(struct cr_epoll_item),
		       u32, "epoll item on descriptor 99");
	/* Items out of order, and events epoll_ctl(2) does not know. */
	u32 = EPOLL_R;
	EXPECT_REFUSED(r.off[ep] + sizeof(hp), u32, "bad descriptor or events");
	u32 = 1U << 20;
	EXPECT_REFUSED(r.off[ep] + sizeof(hp) +
		       offsetof(struct cr_epoll_item, events), u32,
		       "bad descriptor or events");
	/* An epoll instance watching itself: nested. */
	u32 = EPOLL_FD;
	EXPECT_REFUSED(r.off[ep] + sizeof(hp) + 2 * sizeof(struct cr_epoll_item),
		       u32, "an epoll instance");
	free(r.img);
}

/* The original, resumed, passes the same checks: checkpoint took nothing. */
TEST_F(files, eventfds_and_epoll_are_left_as_they_were)
{
	pid_t pid = spawn_fn(epoll_child);

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_into(self, pid));
	EXPECT_EQ(0, finish_child(pid));
}

/* Holds what @open_it opened at descriptor 50, stops. */
static int (*open_it)(void);

static int holder_child(void)
{
	int fd = open_it();

	if (fd < 0 || dup2(fd, 50) != 50 || close(fd))
		return 1;
	raise(SIGSTOP);
	return 0;
}

/* An epoll instance whose item's descriptor was closed (its file lives). */
static int open_epoll_closed(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0), e = eventfd(0, 0);

	if (ep < 0 || e < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) ||
	    dup(e) < 0 || close(e))
		return -1;
	return ep;
}

static int open_signalfd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	return signalfd(-1, &set, 0);
}

static int open_timerfd(void)
{
	return timerfd_create(CLOCK_MONOTONIC, 0);
}

static int open_inotify(void)
{
	return inotify_init();
}

/* An O_PATH descriptor of a memfd, through /proc. */
static int open_memfd_path(void)
{
	char path[64];
	int fd = memfd_create("held", 0);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return fd < 0 ? -1 : open(path, O_PATH);
}

/* An O_PATH descriptor of a bound socket's file. */
static int open_sock_path(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s.sock", file_path);
	unlink(sun.sun_path);
	if (s < 0 || bind(s, (struct sockaddr *)&sun, sizeof(sun)))
		return -1;
	return open(sun.sun_path, O_PATH);
}

static int open_netlink(void)
{
	return socket(AF_NETLINK, SOCK_RAW, 0);
}

static int open_deleted(void)
{
	char name[] = "/tmp/ckpt-deleted-XXXXXX";
	int fd = mkstemp(name);

	unlink(name);
	return fd;
}

static int open_proc(void)
{
	return open("/proc/self/status", O_RDONLY);
}

static int open_locked(void)
{
	int fd = open(file_path, O_RDONLY);

	return fd < 0 || flock(fd, LOCK_SH) ? -1 : fd;
}

/* Each kind not supported yet: refused, named, no image. */
TEST_F(files, unsupported_descriptors_are_refused_by_name)
{
	static const struct {
		int (*open)(void);
		const char *what;
	} kinds[] = {
		{ open_epoll_closed,
		  "fd 50: an epoll instance with an item on a closed or reused descriptor" },
		{ open_signalfd, "fd 50: anonymous inode [signalfd] is not supported" },
		{ open_timerfd, "fd 50: anonymous inode [timerfd] is not supported" },
		{ open_inotify, "fd 50: anonymous inode inotify is not supported" },
		{ open_memfd_path, "fd 50: an O_PATH descriptor of a memfd is not supported" },
		{ open_netlink, "fd 50: a socket of that family is not supported" },
		{ open_sock_path, "fd 50: an O_PATH descriptor of a socket file is not supported" },
		{ open_deleted, "fd 50: a deleted file is not supported" },
		{ open_proc, "fd 50: a file of proc is not supported" },
		{ open_locked, "fd 50: a file with a lock or a lease is not supported" },
	};
	char want[128];
	unsigned int i;
	pid_t pid;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		open_it = kinds[i].open;
		pid = spawn_fn(holder_child);
		ASSERT_LT(0, pid) {
			TH_LOG("the child could not make \"%s\"", kinds[i].what);
		}
		EXPECT_EQ(-1, checkpoint_into(self, pid));
		EXPECT_EQ(EOPNOTSUPP, errno);
		snprintf(want, sizeof(want), "task %d %s", pid, kinds[i].what);
		EXPECT_NE(NULL, strstr(self->logbuf, want)) {
			TH_LOG("want \"%s\", log: %s", want, self->logbuf);
		}
		EXPECT_EQ(0, lseek(self->img, 0, SEEK_END));
		kill_child(pid);
	}
}

/*
 * The file reopened must be the one checkpointed: replaced by another of
 * the same name, ESTALE; one the restarter may not open, EACCES.
 */
static int file_child(void)
{
	int fd = open(file_path, O_RDWR);

	if (fd < 0 || dup2(fd, FILE_FD) != FILE_FD)
		return 1;
	raise(SIGSTOP);
	return 0;
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		_exit(99);
}

TEST_F(files, replaced_file_is_estale_and_a_closed_one_eacces)
{
	pid_t pid = spawn_fn(file_child);
	int fd;

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_into(self, pid));
	kill_child(pid);

	/* Not readable and writable by nobody: the open is refused. */
	if (!geteuid()) {
		ASSERT_EQ(0, chmod(file_path, 0600));
		EXPECT_EQ(RESTART_FAILED(EACCES),
			  restart_child(self->img, become_nobody, 0));
		ASSERT_EQ(0, chmod(file_path, 0644));
	}

	/* Another file by that name. */
	ASSERT_EQ(0, unlink(file_path));
	fd = open(file_path, O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(RESTART_FAILED(ESTALE), restart_child(self->img, NULL, 0));
}

/* Descriptors beyond the restarter's RLIMIT_NOFILE: EMFILE, up front. */
static void low_nofile(void)
{
	struct rlimit rl = { .rlim_cur = FILE_FD, .rlim_max = FILE_FD };

	setrlimit(RLIMIT_NOFILE, &rl);
}

TEST_F(files, descriptors_beyond_the_restarters_limit_are_emfile)
{
	pid_t pid = spawn_fn(file_child);

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_into(self, pid));
	kill_child(pid);
	EXPECT_EQ(RESTART_FAILED(EMFILE), restart_child(self->img, low_nofile, 0));
}

TEST_HARNESS_MAIN

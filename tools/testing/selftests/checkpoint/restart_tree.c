// SPDX-License-Identifier: GPL-2.0
/*
 * Round trips of process trees (checkpoint(2) with CHECKPOINT_TREE),
 * each tree built as pid 1 of a pid namespace of its own and restarted
 * by pid 1 of another (clone3() with CLONE_NEWPID, as unshare() and
 * fork() would make it), so that every task gets its pid back:
 *
 * - a tree of depth 3 with a session and a process group of its own
 *   besides the root's: pid, parent, process group and session are the
 *   same after restart, and each restored parent reaps its restored
 *   children;
 * - the same image with the TASK record of its 5th task damaged: restart
 *   fails with EBADMSG at the checksum, and nothing of the tree is left
 *   or ever ran: no child, no zombie, no SIGCHLD, the caller as it was;
 * - the same image with a process group or session no setpgid(2) or
 *   setsid(2) could have made: refused with its reason before any task
 *   is made;
 * - a 64 MiB parent with 8 children that wrote nothing since fork():
 *   every restored task finds all of the memory.
 *
 * The root of a tree is a pid namespace's init, which ignores its own
 * SIGSTOP: it waits in pause() for SIGUSR1 and the test stops it. The
 * others stop themselves once their children are stopped.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <linux/ckpt_hdr.h>

#include "../kselftest_harness.h"
#include "ckpt_edit.h"
#include "ckpt_util.h"
#include "ckpt_tree.h"

#define NR_NODES	6

/* What a node does to its process group and session. */
enum { KEEP, SETSID, NEWPGRP, ROOTPGRP };

/*
 * The tree, in the order its tasks are created, so pid i + 1 for node i
 * (and the order of the image's task records: the 5th is B1).
 */
static const struct node {
	const char *name;
	int parent;
	int group;
} tree[NR_NODES] = {
	{ "tree-R",  -1, SETSID },	/* pid 1, session 1, group 1 */
	{ "tree-A",   0, SETSID },	/* pid 2, session 2, group 2 */
	{ "tree-A1",  1, KEEP },	/* pid 3, session 2, group 2 */
	{ "tree-B",   0, NEWPGRP },	/* pid 4, session 1, group 4 */
	{ "tree-B1",  3, KEEP },	/* pid 5, session 1, group 4 */
	{ "tree-B2",  3, ROOTPGRP },	/* pid 6, session 1, group 1 */
};

struct ids {
	int node;
	pid_t pid, ppid, pgid, sid;
};

/* What each node must see, before and after: node, pid, ppid, pgid, sid. */
static const struct ids planned[NR_NODES] = {
	{ 0, 1, 0, 1, 1 }, { 1, 2, 1, 2, 2 }, { 2, 3, 2, 2, 2 },
	{ 3, 4, 1, 4, 1 }, { 4, 5, 4, 4, 1 }, { 5, 6, 4, 1, 1 },
};

/* Bits of the restored root's exit status. */
#define IDS_CHANGED(node)	(0x01 << (node))	/* node saw other ids */
#define REAP_FAILED		0x40	/* a parent's waitpid() */
#define TASK_KILLED		0x80	/* a child died of a signal */
#define MEM_CHANGED(node)	(0x01 << (node))	/* wide tree: its memory */

static void get_ids(struct ids *ids, int node)
{
	ids->node = node;
	ids->pid = getpid();
	ids->ppid = getppid();
	ids->pgid = getpgid(0);
	ids->sid = getsid(0);
}

/* Fork @fn(@arg) and wait until it stopped itself; its pid, or -1. */
static pid_t fork_stopped(int (*fn)(int, int), int arg, int fd)
{
	int status;
	pid_t pid = fork();

	if (!pid)
		_exit(fn(arg, fd));
	if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid ||
	    !WIFSTOPPED(status))
		return -1;
	return pid;
}

/* Reap @pid; its exit status, or the bit saying why there is none. */
static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return REAP_FAILED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : TASK_KILLED;
}

/*
 * Node @i of the tree: set its group, fork its children (each stopped
 * before the next is forked, so pids follow the table), send its ids to
 * @fd and stop; once restored, compare and reap. Returns the bits of
 * what went wrong in its subtree.
 */
static int run_node(int i, int fd)
{
	struct ids before, after;
	pid_t kids[NR_NODES];
	int nk = 0, j, ret = 0;

	if (tree[i].group == SETSID && setsid() < 0)
		return TASK_KILLED;
	if (tree[i].group == NEWPGRP && setpgid(0, 0))
		return TASK_KILLED;
	if (tree[i].group == ROOTPGRP && setpgid(0, 1))
		return TASK_KILLED;
	if (i == 0)
		drop_shared_mappings();
	prctl(PR_SET_NAME, tree[i].name);
	for (j = i + 1; j < NR_NODES; j++) {
		if (tree[j].parent != i)
			continue;
		kids[nk] = fork_stopped(run_node, j, fd);
		if (kids[nk++] < 0)
			return TASK_KILLED;
	}
	get_ids(&before, i);
	if (write(fd, &before, sizeof(before)) != sizeof(before))
		return TASK_KILLED;
	if (i)
		raise(SIGSTOP);
	else
		wait_for_go();

	/* Restored. */
	if (write(RESUMED_FD, "r", 1) != 1)
		errno = 0;
	get_ids(&after, i);
	if (memcmp(&before, &after, sizeof(before))) {
		fprintf(stderr, "# %s: pid %d ppid %d pgid %d sid %d, was %d %d %d %d\n",
			tree[i].name, after.pid, after.ppid, after.pgid,
			after.sid, before.pid, before.ppid, before.pgid,
			before.sid);
		ret |= IDS_CHANGED(i);
	}
	for (j = 0; j < nk; j++)
		ret |= reap(kids[j]);
	return ret;
}

FIXTURE(tree) {
	int img;
	int log[2];
	int resumed[2];		/* what restored tasks write to RESUMED_FD */
	char logbuf[1024];
	struct ids ids[NR_NODES];	/* what the original tasks saw */
};

/* Build the tree, checkpoint it into a fresh image and kill it. */
FIXTURE_SETUP(tree)
{
	pid_t root;

	if (geteuid())
		SKIP(return, "a new pid namespace needs root");
	self->img = image_file();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, pipe2(self->log, O_NONBLOCK));
	ASSERT_EQ(0, pipe2(self->resumed, O_NONBLOCK));
	root = spawn_tree(run_node, 0, self->ids, sizeof(self->ids));
	ASSERT_LT(0, root);
	ASSERT_LT(0, sys_checkpoint(root, self->img, CHECKPOINT_TREE,
				    self->log[1])) {
		TH_LOG("checkpoint: %s", read_log(self->log[0], self->logbuf,
						  sizeof(self->logbuf)));
	}
	/* SIGKILL to a namespace's init kills all of it. */
	kill_child(root);
}

FIXTURE_TEARDOWN(tree)
{
	close(self->img);
	close(self->log[0]);
	close(self->log[1]);
	close(self->resumed[0]);
	close(self->resumed[1]);
}

/* Restart the image with RESTART_RUN; the root's exit status, or -1. */
static int restart_tree(struct _test_data_tree *self)
{
	pid_t pid = restart_in_new_pidns(self->img, RESTART_RUN, self->log[1],
					 self->resumed[1], -1);
	int status;

	if (pid < 0 || go_until_exit(pid, 120, &status))
		return -1;
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status);
}

/* The tree is as planned: 2 sessions, 3 process groups, depth 3. */
TEST_F(tree, original_tree_has_two_groups_and_a_session)
{
	int i;

	for (i = 0; i < NR_NODES; i++) {
		EXPECT_EQ(0, memcmp(&planned[self->ids[i].node], &self->ids[i],
				    sizeof(struct ids))) {
			TH_LOG("%s: pid %d ppid %d pgid %d sid %d",
			       tree[self->ids[i].node].name, self->ids[i].pid,
			       self->ids[i].ppid, self->ids[i].pgid,
			       self->ids[i].sid);
		}
	}
}

/* getpid(), getppid(), getpgid() and getsid() as before, in every task. */
TEST_F_TIMEOUT(tree, ids_are_the_same_after_restart_in_a_new_pid_namespace,
	       180)
{
	int ret = restart_tree(self);

	ASSERT_LE(0, ret);
	ASSERT_GT(100, ret) {
		TH_LOG("restart(2) failed with errno %d: %s",
		       ret - RESTART_FAILED(0), self->logbuf);
	}
	EXPECT_EQ(0, ret & (IDS_CHANGED(NR_NODES) - 1)) {
		TH_LOG("tasks that saw other ids: %#x",
		       ret & (IDS_CHANGED(NR_NODES) - 1));
	}
	EXPECT_EQ(0, ret & TASK_KILLED);
}

/* Every restored parent reaps its restored children by their pids. */
TEST_F_TIMEOUT(tree, restarted_parents_reap_their_restarted_children, 180)
{
	int ret = restart_tree(self);

	ASSERT_LE(0, ret);
	ASSERT_GT(100, ret) {
		TH_LOG("restart(2) failed with errno %d: %s",
		       ret - RESTART_FAILED(0), self->logbuf);
	}
	EXPECT_EQ(0, ret & REAP_FAILED);
	EXPECT_EQ(0, ret & TASK_KILLED);
}

/* What the caller of a refused restart saw, for the test to check. */
struct refusal {
	long ret;
	int err;
	pid_t pid, ppid;
	long wait_ret;
	int wait_err;
	int sigchld;		/* SIGCHLD handled */
	int alive[NR_NODES + 2];	/* kill(pid, 0) == 0 for pids 2.. */
	int mem_ok;
	char log[512];
};

#define REFUSAL_EXIT	42
#define MINE_SIZE	0x100000

static int sigchld_seen;

static void on_chld(int sig)
{
	__atomic_add_fetch(&sigchld_seen, 1, __ATOMIC_SEQ_CST);
}

/*
 * As pid 1 of a new pid namespace, restart the image in @fd; when that
 * fails, write what it found to @out and exit REFUSAL_EXIT.
 */
static void refused_restart(int fd, int log[2], int resumed, int out)
{
	static unsigned char mine[MINE_SIZE];
	struct refusal r = { 0 };
	size_t i;
	int p;

	signal(SIGCHLD, on_chld);
	setsid();
	dup2(resumed, RESUMED_FD);
	for (i = 0; i < MINE_SIZE; i++)
		mine[i] = i * 7 + 3;
	lseek(fd, 0, SEEK_SET);
	r.ret = sys_restart(0, fd, RESTART_RUN, log[1]);
	r.err = errno;
	usleep(200000);		/* for a SIGCHLD to come, if one would */
	r.pid = getpid();
	r.ppid = getppid();
	r.wait_ret = waitpid(-1, NULL, WNOHANG | __WALL);
	r.wait_err = errno;
	r.sigchld = __atomic_load_n(&sigchld_seen, __ATOMIC_SEQ_CST);
	for (p = 2; p < NR_NODES + 2; p++)
		r.alive[p - 2] = !kill(p, 0);
	r.mem_ok = 1;
	for (i = 0; i < MINE_SIZE; i++)
		if (mine[i] != (unsigned char)(i * 7 + 3))
			r.mem_ok = 0;
	read_log(log[0], r.log, sizeof(r.log));
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(REFUSAL_EXIT);
}

/* The offset of the TASK record of task @n (from 1) in @img, or 0. */
static size_t task_record(const unsigned char *img, size_t size, int n)
{
	struct cr_hdr h;
	size_t off = 0;

	while (off + sizeof(h) <= size) {
		memcpy(&h, img + off, sizeof(h));
		if (h.len < sizeof(h))
			return 0;
		if (h.type == CR_HDR_TASK && !--n)
			return off;
		off += h.len;
	}
	return 0;
}

/*
 * A copy of the image with one bit of the 5th task's name flipped: a
 * valid name, so only the checksum can tell, once every task up to the
 * last was built. Returns a new image file, or -1.
 */
static int damaged_copy(struct __test_metadata *_metadata, int img)
{
	size_t size = lseek(img, 0, SEEK_END), off;
	unsigned char *buf = malloc(size);
	struct cr_hdr_task t;
	int fd = image_file();

	if (!buf || fd < 0 || pread(img, buf, size, 0) != (ssize_t)size)
		return -1;
	off = task_record(buf, size, 5);
	if (!off)
		return -1;
	memcpy(&t, buf + off, sizeof(t));
	TH_LOG("damaging task record 5 at offset %zu: tid %d, \"%.16s\"", off,
	       t.tid, t.comm);
	buf[off + offsetof(struct cr_hdr_task, comm)] ^= 0x01;
	if (pwrite(fd, buf, size, 0) != (ssize_t)size)
		return -1;
	free(buf);
	return fd;
}

/*
 * A restart refused at the checksum, after the tree's first tasks were
 * made: EBADMSG, and no task of the tree is left, ran, or made a zombie
 * or a SIGCHLD; the caller keeps its pid and memory.
 */
TEST_F_TIMEOUT(tree, damaged_fifth_task_leaves_nothing_behind, 120)
{
	int fd = damaged_copy(_metadata, self->img), out[2], status, i;
	struct refusal r;
	char c;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(out));
	pid = fork_clone3(CLONE_NEWPID, 0);
	ASSERT_LE(0, pid);
	if (!pid)
		refused_restart(fd, self->log, self->resumed[1], out[1]);
	close(out[1]);
	ASSERT_EQ(0, wait_exit_within(pid, 60, &status));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == REFUSAL_EXIT) {
		TH_LOG("the caller did not come back from restart(2): status %#x",
		       status);
	}
	ASSERT_EQ(sizeof(r), read(out[0], &r, sizeof(r)));
	TH_LOG("log: %s", r.log);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EBADMSG, r.err);
	EXPECT_NE(NULL, strstr(r.log, "checksum mismatch"));
	EXPECT_EQ(1, r.pid);
	EXPECT_EQ(0, r.ppid);
	EXPECT_EQ(-1, r.wait_ret);
	EXPECT_EQ(ECHILD, r.wait_err);
	EXPECT_EQ(0, r.sigchld);
	for (i = 0; i < NR_NODES; i++) {
		EXPECT_EQ(0, r.alive[i]) {
			TH_LOG("pid %d exists after the refusal", i + 2);
		}
	}
	EXPECT_TRUE(r.mem_ok);
	/* No restored task ever wrote that it ran, and none holds the pipe. */
	close(self->resumed[1]);
	self->resumed[1] = -1;
	EXPECT_EQ(0, read(self->resumed[0], &c, 1));
	close(out[0]);
	close(fd);
}

/*
 * A copy of the image with @len bytes at @field of the TASK record of
 * @tid replaced by @val. Returns a new image file, or -1.
 */
static int edited_copy(int img, pid_t tid, size_t field, const void *val,
		       size_t len)
{
	size_t size = lseek(img, 0, SEEK_END), off;
	unsigned char *buf = malloc(size);
	int fd = image_file(), ret = -1, n;
	struct cr_hdr_task t;

	if (!buf || fd < 0 || pread(img, buf, size, 0) != (ssize_t)size)
		goto out;
	for (n = 1; (off = task_record(buf, size, n)); n++) {
		memcpy(&t, buf + off, sizeof(t));
		if (t.tid == tid)
			break;
	}
	if (!off)
		goto out;
	memcpy(buf + off + field, val, len);
	if (pwrite(fd, buf, size, 0) == (ssize_t)size)
		ret = fd;
out:
	free(buf);
	if (ret < 0 && fd >= 0)
		close(fd);
	return ret;
}

/* Restart @fd as init of a new pid namespace; what it saw, in @r. */
static int refused(struct __test_metadata *_metadata,
		   struct _test_data_tree *self, int fd, struct refusal *r)
{
	int out[2], status = 0;
	pid_t pid;

	if (pipe(out))
		return -1;
	pid = fork_clone3(CLONE_NEWPID, 0);
	if (pid < 0)
		return -1;
	if (!pid)
		refused_restart(fd, self->log, self->resumed[1], out[1]);
	close(out[1]);
	if (wait_exit_within(pid, 60, &status) || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != REFUSAL_EXIT ||
	    read(out[0], r, sizeof(*r)) != sizeof(*r)) {
		TH_LOG("the caller did not come back from restart(2): status %#x, log: %s",
		       status, read_log(self->log[0], self->logbuf,
					sizeof(self->logbuf)));
		close(out[0]);
		return -1;
	}
	close(out[0]);
	return 0;
}

/*
 * Process groups and sessions the kernel could not have made: a group
 * whose leader is in another session or is not a leader, a session that
 * is neither the task's own nor its parent's. Each is refused with its
 * reason before any task is made, as setpgid(2) and setsid(2) would
 * refuse them.
 */
TEST_F_TIMEOUT(tree, impossible_groups_and_sessions_are_refused, 180)
{
	static const struct {
		pid_t task;		/* whose TASK record */
		size_t field;
		pid_t val;
		const char *why;
	} edits[] = {
		/* B1 into A1's group: A1 leads none. */
		{ 5, offsetof(struct cr_hdr_task, pgid), 3,
		  "process 5: group 3 has no leader in its session" },
		/* B into A's group, of session 2. */
		{ 4, offsetof(struct cr_hdr_task, pgid), 2,
		  "process 4: group 2 has no leader in its session" },
		/* A1 in the root's session while its parent A has its own. */
		{ 3, offsetof(struct cr_hdr_task, sid), 1,
		  "process 3: session 1 is neither its own nor its parent's" },
		/* A1 leads a session but not a group. */
		{ 3, offsetof(struct cr_hdr_task, sid), 3,
		  "process 3: session 3 is neither its own nor its parent's" },
	};
	struct refusal r;
	unsigned int e;
	int fd, i;
	char c;

	for (e = 0; e < ARRAY_SIZE(edits); e++) {
		fd = edited_copy(self->img, edits[e].task, edits[e].field,
				 &edits[e].val, sizeof(edits[e].val));
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, refused(_metadata, self, fd, &r));
		close(fd);
		EXPECT_EQ(-1, r.ret);
		EXPECT_EQ(EINVAL, r.err);
		EXPECT_NE(NULL, strstr(r.log, edits[e].why)) {
			TH_LOG("want \"%s\", log: %s", edits[e].why, r.log);
		}
		EXPECT_EQ(ECHILD, r.wait_err);
		EXPECT_EQ(0, r.sigchld);
		for (i = 0; i < NR_NODES; i++)
			EXPECT_EQ(0, r.alive[i]);
		EXPECT_TRUE(r.mem_ok);
	}
	close(self->resumed[1]);
	self->resumed[1] = -1;
	EXPECT_EQ(0, read(self->resumed[0], &c, 1));
}

/* The wide tree: a 64 MiB parent and 8 children that wrote nothing. */
#define WIDE_KIDS	8
#define WIDE_SIZE	(64UL << 20)

static uint64_t *wide;

static uint64_t wide_word(size_t k)
{
	return (k * 0x9e3779b97f4a7c15ULL) ^ (k >> 9) ^ 0x5eed;
}

static int wide_intact(void)
{
	size_t k;

	for (k = 0; k < WIDE_SIZE / 8; k++)
		if (wide[k] != wide_word(k))
			return 0;
	return 1;
}

#define WIDE_NOT_SHARED	0x10	/* a restored child has its own copy */

/* Whether the restored children must find the parent's pages shared. */
static int wide_check_pss;

/* The Pss of the mapping at wide, in kB, as smaps shows it; -1 if none. */
static long wide_pss_kb(void)
{
	unsigned long start;
	char line[256];
	long kb = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-", &start) == 1 && strchr(line, ' '))
			in = start == (unsigned long)wide;
		else if (in && sscanf(line, "Pss: %ld kB", &kb) == 1)
			break;
	}
	if (f)
		fclose(f);
	return kb;
}

static int wide_kid(int i, int fd)
{
	size_t k;
	long pss;

	raise(SIGSTOP);
	if (!wide_intact())
		return 1;
	/* Shared by at least this child and its parent: half, at most. */
	pss = wide_pss_kb();
	if (wide_check_pss && (pss < 0 || pss > (long)(WIDE_SIZE >> 10) / 2)) {
		fprintf(stderr, "# wide child %d: Pss %ld kB of %lu kB\n", i,
			pss, WIDE_SIZE >> 10);
		return WIDE_NOT_SHARED;
	}
	/*
	 * Copy-on-write: what a child writes, its parent must not see. A
	 * page in 64, so that the copies stay small.
	 */
	for (k = 0; k < WIDE_SIZE / 8; k += 64 * 4096 / 8)
		wide[k] = ~wide_word(k);
	return 0;
}

static int wide_root(int unused, int fd)
{
	pid_t kids[WIDE_KIDS];
	int i, ret = 0, st;
	size_t k;

	setsid();
	drop_shared_mappings();
	wide = mmap(NULL, WIDE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (wide == MAP_FAILED)
		return TASK_KILLED;
	for (k = 0; k < WIDE_SIZE / 8; k++)
		wide[k] = wide_word(k);
	for (i = 0; i < WIDE_KIDS; i++) {
		kids[i] = fork_stopped(wide_kid, i, fd);
		if (kids[i] < 0)
			return TASK_KILLED;
	}
	if (write(fd, "r", 1) != 1)
		return TASK_KILLED;
	wait_for_go();

	for (i = 0; i < WIDE_KIDS; i++) {
		st = reap(kids[i]);
		ret |= st == 1 ? MEM_CHANGED(1) : st;
	}
	/* After the children wrote theirs. */
	if (!wide_intact())
		ret |= MEM_CHANGED(0);
	return ret;
}

/* MemAvailable in bytes, 0 if unknown. */
static unsigned long mem_available(void)
{
	long kb = proc_kb("/proc/meminfo", "MemAvailable");

	return kb > 0 ? (unsigned long)kb << 10 : 0;
}

FIXTURE(wide) {
	int log[2];
};

/*
 * The original (its pages shared since fork), the image and the
 * restored tree (shared again) must fit, with some room to spare.
 */
FIXTURE_SETUP(wide)
{
	unsigned long need = 4 * WIDE_SIZE;

	if (geteuid())
		SKIP(return, "a new pid namespace needs root");
	if (mem_available() < need)
		SKIP(return, "needs %lu MiB available, %lu MiB are", need >> 20,
		     mem_available() >> 20);
	ASSERT_EQ(0, pipe2(self->log, O_NONBLOCK));
}

FIXTURE_TEARDOWN(wide)
{
	close(self->log[0]);
	close(self->log[1]);
}

TEST_F_TIMEOUT(wide, tree_of_a_64mib_parent_restarts, 600)
{
	int p[2], status, *log = self->log;
	char c, buf[1024];
	pid_t root, rst;

	root = spawn_tree(wide_root, 0, &c, 1);
	ASSERT_LT(0, root);
	ASSERT_EQ(0, pipe(p));
	rst = restart_in_new_pidns(p[0], RESTART_RUN, log[1], -1, p[1]);
	ASSERT_LT(0, rst);
	close(p[0]);
	EXPECT_LT(0, sys_checkpoint(root, p[1], CHECKPOINT_TREE, log[1]));
	close(p[1]);
	kill_child(root);
	ASSERT_EQ(0, go_until_exit(rst, 300, &status));
	read_log(log[0], buf, sizeof(buf));
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("killed by signal %d; log: %s", WTERMSIG(status), buf);
	}
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("status %d (%d is restart(2) failing with errno %d); log: %s",
		       WEXITSTATUS(status), WEXITSTATUS(status),
		       WEXITSTATUS(status) - RESTART_FAILED(0), buf);
	}
}

/*
 * The parent's 64 MiB, which its 8 children still share copy-on-write,
 * are stored once: the image is about 64 MiB, not 9 times that. Each
 * child's pages are the parent's, and each restored child finds them,
 * shared with its parent again (its Pss is a share, not the whole).
 */
TEST_F_TIMEOUT(wide, image_holds_shared_pages_once, 600)
{
	int img, status, *log = self->log;
	char c, buf[1024];
	pid_t root, rst;
	off_t size;

	img = image_file();
	ASSERT_LE(0, img);
	wide_check_pss = 1;
	root = spawn_tree(wide_root, 0, &c, 1);
	wide_check_pss = 0;
	ASSERT_LT(0, root);
	ASSERT_LT(0, sys_checkpoint(root, img, CHECKPOINT_TREE, log[1]));
	kill_child(root);
	size = lseek(img, 0, SEEK_END);
	EXPECT_GT(WIDE_SIZE + WIDE_SIZE / 4, size) {
		TH_LOG("a %lu MiB image for %lu MiB shared by %d processes",
		       (unsigned long)(size >> 20), WIDE_SIZE >> 20,
		       WIDE_KIDS + 1);
	}
	rst = restart_in_new_pidns(img, RESTART_RUN, log[1], -1, -1);
	ASSERT_LT(0, rst);
	ASSERT_EQ(0, go_until_exit(rst, 300, &status));
	read_log(log[0], buf, sizeof(buf));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("status %d; log: %s", WEXITSTATUS(status), buf);
	}
	close(img);
}

/* Append @len bytes at @src to the image being built at @out. */
static size_t put(unsigned char *out, size_t at, const void *src, size_t len)
{
	memcpy(out + at, src, len);
	return at + len;
}

/*
 * The wide tree's image edited as a hostile user may: the root's 64 MiB
 * VMA loses its batches, and the first child's first batch, the
 * parent's pages (CR_PAGES_PARENT), becomes a page of the child's own,
 * then the parent's others. Sealed again. Returns the new size, 0 when
 * the image is not of the shape expected.
 */
static size_t no_parent_pages(const struct recs *r, unsigned char *out)
{
	int i, nwide = 0, cur = 0, split = 0;
	size_t at = 0, len, off;
	struct cr_hdr_pgarr ha;
	struct cr_hdr_pages hp;
	struct cr_hdr_vma hv;
	unsigned char page[4096];
	uint64_t sum;

	memset(page, 0x5a, sizeof(page));
	for (i = 0; i < r->nr; i++) {
		off = r->off[i];
		len = (i + 1 < r->nr ? r->off[i + 1] : r->size) - off;
		if (r->type[i] == CR_HDR_VMA) {
			memcpy(&hv, r->img + off, sizeof(hv));
			cur = hv.end - hv.start == WIDE_SIZE ? ++nwide : 0;
		}
		if ((r->type[i] == CR_HDR_PGARR || r->type[i] == CR_HDR_PAGES) &&
		    cur == 1)
			continue;	/* the root's pages are gone */
		if (r->type[i] == CR_HDR_PGARR && cur == 2 && !split) {
			memcpy(&ha, r->img + off, sizeof(ha));
			if (ha.flags != CR_PAGES_PARENT || ha.nr_pages < 2)
				return 0;
			/* One page of the child's own, at the first address. */
			ha.h.len = sizeof(ha) + 8;
			ha.flags = 0;
			ha.last = ha.first;
			ha.nr_pages = 1;
			at = put(out, at, &ha, sizeof(ha));
			at = put(out, at, &ha.first, 8);
			hp = (struct cr_hdr_pages){
				.h = { CR_HDR_PAGES, sizeof(hp) + 8 + 4096 },
				.nr_pages = 1,
			};
			sum = xxh64(page, sizeof(page));
			at = put(out, at, &hp, sizeof(hp));
			at = put(out, at, &sum, 8);
			at = put(out, at, page, sizeof(page));
			/* Then the parent's, from the second address. */
			memcpy(&ha, r->img + off, sizeof(ha));
			ha.h.len -= 8;
			ha.nr_pages--;
			memcpy(&ha.first, r->img + off + sizeof(ha) + 8, 8);
			at = put(out, at, &ha, sizeof(ha));
			at = put(out, at, r->img + off + sizeof(ha) + 8,
				 len - sizeof(ha) - 8);
			split = 1;
			continue;
		}
		if (r->type[i] == CR_HDR_PAGES && split == 1) {
			memcpy(&hp, r->img + off, sizeof(hp));
			if (hp.flags != CR_PAGES_PARENT)
				return 0;
			hp.nr_pages--;
			at = put(out, at, &hp, sizeof(hp));
			split = 2;
			continue;
		}
		at = put(out, at, r->img + off, len);
	}
	if (nwide < 2 || split != 2)
		return 0;
	seal_image(out, at);
	return at;
}

/*
 * A hostile image of the wide tree (no_parent_pages()): the root's VMA
 * restarts without a page, so without an anon_vma, and its first
 * child's, which restart makes a fork of it when its first batch is the
 * parent's, gets an anon_vma of its own from its own first page; then
 * come the parent's pages. There is nothing of the parent's to share
 * there, and restart must see that (checkpoint_cow_share()), not follow
 * the parent's missing anon_vma into a NULL dereference: the tree runs,
 * and every child finds zeroes where the parent has no page, as the
 * root does, so all report their memory changed.
 */
TEST_F_TIMEOUT(wide, parents_pages_over_a_parent_vma_without_pages, 600)
{
	int img, bad, status, *log = self->log;
	unsigned char *out;
	char c, buf[1024];
	struct recs r;
	pid_t root, rst;
	size_t size;

	img = image_file();
	ASSERT_LE(0, img);
	root = spawn_tree(wide_root, 0, &c, 1);
	ASSERT_LT(0, root);
	ASSERT_LT(0, sys_checkpoint(root, img, CHECKPOINT_TREE, log[1]));
	kill_child(root);
	ASSERT_EQ(0, load_recs(img, &r));
	close(img);
	out = malloc(r.size + 2 * 4096);
	ASSERT_NE(NULL, out);
	size = no_parent_pages(&r, out);
	ASSERT_NE(0, size);
	free(r.img);
	bad = image_file();
	ASSERT_LE(0, bad);
	ASSERT_EQ((ssize_t)size, pwrite(bad, out, size, 0));
	free(out);
	rst = restart_in_new_pidns(bad, RESTART_RUN, log[1], -1, -1);
	ASSERT_LT(0, rst);
	ASSERT_EQ(0, go_until_exit(rst, 300, &status));
	read_log(log[0], buf, sizeof(buf));
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("killed by signal %d; log: %s", WTERMSIG(status), buf);
	}
	EXPECT_EQ(MEM_CHANGED(0) | MEM_CHANGED(1), WEXITSTATUS(status)) {
		TH_LOG("status %d; log: %s", WEXITSTATUS(status), buf);
	}
	close(bad);
}

/*
 * The same tree restarted lazily (RESTART_LAZY): every process's pages
 * come from the image as they are touched or from the background, but
 * those a child shares with its parent, which are filled before the
 * tree runs so that they are shared again: each child finds the
 * parent's 64 MiB, shared (its Pss a share), and its writes stay its
 * own; the root finds its memory intact after the children wrote.
 */
TEST_F_TIMEOUT(wide, a_lazy_restart_shares_and_fills, 600)
{
	int img, ro, status, *log = self->log;
	char c, buf[1024], path[64];
	pid_t root, rst;

	img = image_file();
	ASSERT_LE(0, img);
	wide_check_pss = 1;
	root = spawn_tree(wide_root, 0, &c, 1);
	wide_check_pss = 0;
	ASSERT_LT(0, root);
	ASSERT_LT(0, sys_checkpoint(root, img, CHECKPOINT_TREE, log[1]));
	kill_child(root);
	/* A lazy restart holds its image against writers: no writable fd. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", img);
	ro = open(path, O_RDONLY);
	ASSERT_LE(0, ro);
	close(img);
	rst = restart_in_new_pidns(ro, RESTART_RUN | RESTART_LAZY, log[1], -1,
				   -1);
	ASSERT_LT(0, rst);
	ASSERT_EQ(0, go_until_exit(rst, 300, &status));
	read_log(log[0], buf, sizeof(buf));
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("killed by signal %d; log: %s", WTERMSIG(status), buf);
	}
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("status %d; log: %s", WEXITSTATUS(status), buf);
	}
	close(ro);
}

/*
 * A tree paused the way container managers pause one, by the cgroup v2
 * freezer (cgroup.freeze), is checkpointed; running, it is EBUSY.
 */
#define FZ_ROOT		"/sys/fs/cgroup"
#define FZ_GROUP	FZ_ROOT "/ckpt-freeze"

/* Whether the group's cgroup.events says "frozen 1", within 5 s. */
static int fz_frozen(void)
{
	char buf[256];
	ssize_t n;
	int i, fd;

	for (i = 0; i < 250; i++) {
		fd = open(FZ_GROUP "/cgroup.events", O_RDONLY);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, "frozen 1"))
			return 1;
		usleep(20000);
	}
	return 0;
}

/* A parent and a child, both asleep until killed. */
static int fz_sleeper(void)
{
	fork();
	for (;;)
		pause();
	return 0;
}

TEST(cgroup_frozen_tree_is_checkpointed)
{
	int img, logp[2];
	char buf[512], pid_s[16];
	pid_t pid;

	if (geteuid())
		SKIP(return, "the cgroup needs root");
	if (!cgroup2_at(FZ_ROOT))
		SKIP(return, "no cgroup v2 here");
	rmdir(FZ_GROUP);
	ASSERT_EQ(0, mkdir(FZ_GROUP, 0755));
	img = image_file();
	ASSERT_LE(0, img);
	ASSERT_EQ(0, pipe2(logp, O_NONBLOCK));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		drop_shared_mappings();
		snprintf(pid_s, sizeof(pid_s), "%d", getpid());
		if (write_str(FZ_GROUP "/cgroup.procs", pid_s))
			_exit(3);
		_exit(fz_sleeper());
	}
	usleep(300000);

	/* Running: refused, naming a task. */
	EXPECT_EQ(-1, sys_checkpoint(pid, img, CHECKPOINT_TREE, logp[1]));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_NE(NULL, strstr(read_log(logp[0], buf, sizeof(buf)),
			       "stop or freeze"));

	ASSERT_EQ(0, write_str(FZ_GROUP "/cgroup.freeze", "1"));
	ASSERT_TRUE(fz_frozen());
	EXPECT_LT(0, sys_checkpoint(pid, img, CHECKPOINT_TREE, logp[1])) {
		TH_LOG("log: %s", read_log(logp[0], buf, sizeof(buf)));
	}
	write_str(FZ_GROUP "/cgroup.kill", "1");
	write_str(FZ_GROUP "/cgroup.freeze", "0");
	waitpid(pid, NULL, 0);
	usleep(100000);
	rmdir(FZ_GROUP);
	close(img);
}

/*
 * A container an unprivileged user makes: a user namespace of its own,
 * where it is root, and a pid namespace in it. It checkpoints the tree
 * through the namespace's init from outside, as the namespace's owner,
 * and restarts it as init of a new pair of namespaces, where it has
 * CAP_CHECKPOINT_RESTORE over the pid namespace: every pid comes back.
 */
#define CT_NOBODY	65534
#define CT_OK		0
#define CT_IDS		1	/* a task saw other pids */
#define CT_REAP		2	/* a parent could not reap its child */

static int ct_go;

static void ct_on_go(int sig)
{
	__atomic_store_n(&ct_go, 1, __ATOMIC_SEQ_CST);
}

/* Enter a new user and pid namespace as their root; -1 on failure. */
static int ct_enter(void)
{
	char map[32];

	if (unshare(CLONE_NEWUSER | CLONE_NEWPID))
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", CT_NOBODY);
	if (write_str("/proc/self/uid_map", map) ||
	    write_str("/proc/self/setgroups", "deny") ||
	    write_str("/proc/self/gid_map", map))
		return -1;
	return 0;
}

/* A task of the container: stop, and once restored check its pids. */
static int ct_task(int depth, int ready)
{
	pid_t me = getpid(), parent = getppid(), kid = 0;
	int status, ret = CT_OK;

	if (depth < 2) {
		kid = fork();
		if (!kid)
			_exit(ct_task(depth + 1, ready));
		if (waitpid(kid, &status, WUNTRACED) != kid)
			return CT_REAP;
	}
	if (depth) {
		raise(SIGSTOP);
	} else {
		if (write(ready, "r", 1) != 1)
			return CT_REAP;
		while (!__atomic_load_n(&ct_go, __ATOMIC_SEQ_CST))
			pause();
	}
	if (getpid() != me || getppid() != parent) {
		fprintf(stderr, "# container task %d: pid %d ppid %d, was %d %d\n",
			depth, getpid(), getppid(), me, parent);
		ret |= CT_IDS;
	}
	if (kid && (waitpid(kid, &status, 0) != kid || !WIFEXITED(status))) {
		fprintf(stderr, "# container task %d: child %d: %s, status %#x\n",
			depth, kid, strerror(errno), status);
		ret |= CT_REAP;
	} else if (kid) {
		ret |= WEXITSTATUS(status);
	}
	return ret;
}

/*
 * Fork, in a new user and pid namespace, @fn as their init; sends the
 * init's pid (as the caller sees it) on @fd, and exits with its status.
 */
static pid_t ct_spawn(int (*fn)(int), int arg, int fd)
{
	pid_t helper = fork(), init;
	int status;

	if (helper)
		return helper;
	if (ct_enter())
		_exit(90);
	init = fork();
	if (!init) {
		struct sigaction sa = { .sa_handler = ct_on_go,
					.sa_flags = SA_RESTART };

		sigaction(SIGUSR1, &sa, NULL);
		_exit(fn(arg));
	}
	if (write(fd, &init, sizeof(init)) != sizeof(init))
		_exit(91);
	if (waitpid(init, &status, 0) != init)
		_exit(92);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static int ct_img, ct_log;

static int ct_original(int ready)
{
	/* The harness's shared page: shared memory is not saved yet. */
	drop_shared_mappings();
	return ct_task(0, ready);
}

static int ct_restart(int unused)
{
	lseek(ct_img, 0, SEEK_SET);
	sys_restart(0, ct_img, RESTART_RUN, ct_log);
	return 100 + errno;
}

/*
 * Spawn @fn as init of new namespaces, reading its pid and @extra bytes
 * it sends; the helper's pid, or -1 with its exit status in *status.
 */
static pid_t ct_start(int (*fn)(int), pid_t *init, size_t extra,
		      int *status)
{
	char c[4];
	pid_t helper;
	int p[2];

	if (pipe(p))
		return -1;
	helper = ct_spawn(fn, p[1], p[1]);
	close(p[1]);
	if (helper < 0 || read(p[0], init, sizeof(*init)) != sizeof(*init) ||
	    (extra && read(p[0], c, extra) != (ssize_t)extra)) {
		close(p[0]);
		if (helper > 0)
			waitpid(helper, status, 0);
		return -1;
	}
	close(p[0]);
	return helper;
}

/* The user's side, as nobody; 0 when the container came back whole. */
static int ct_user(void)
{
	int logp[2], status = 0, i;
	pid_t helper, init;
	char buf[512];
	long id;

	if (setgroups(0, NULL) || setresgid(CT_NOBODY, CT_NOBODY, CT_NOBODY) ||
	    setresuid(CT_NOBODY, CT_NOBODY, CT_NOBODY))
		return 80;
	/* Dropping root made it undumpable: /proc/self would be root's. */
	prctl(PR_SET_DUMPABLE, 1);
	ct_img = memfd_create("ct-image", 0);
	if (ct_img < 0 || pipe2(logp, O_NONBLOCK))
		return 81;
	ct_log = logp[1];

	helper = ct_start(ct_original, &init, 1, &status);
	if (helper < 0)
		return WIFEXITED(status) && WEXITSTATUS(status) == 90 ? 90 : 82;
	kill(init, SIGSTOP);
	usleep(100000);
	id = syscall(__NR_checkpoint, init, ct_img, CHECKPOINT_TREE, ct_log);
	if (id <= 0) {
		fprintf(stderr, "# checkpoint: %s\n",
			read_log(logp[0], buf, sizeof(buf)));
		return 83;
	}
	kill(init, SIGKILL);
	waitpid(helper, &status, 0);

	helper = ct_start(ct_restart, &init, 0, &status);
	if (helper < 0)
		return 84;
	for (i = 0; i < 500; i++) {
		if (waitpid(helper, &status, WNOHANG) == helper)
			break;
		kill(init, SIGUSR1);
		usleep(20000);
	}
	if (i == 500) {
		kill(helper, SIGKILL);
		return 85;
	}
	if (WEXITSTATUS(status) >= 100)
		fprintf(stderr, "# restart: %s\n",
			read_log(logp[0], buf, sizeof(buf)));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 86;
}

TEST(unprivileged_container_in_a_user_namespace)
{
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "becoming nobody needs root");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(ct_user());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 90)
		SKIP(return, "no unprivileged user namespaces here");
	EXPECT_EQ(CT_OK, WEXITSTATUS(status)) {
		TH_LOG("status %d (%s)", WEXITSTATUS(status),
		       WEXITSTATUS(status) >= 100 ? "restart(2) failed" :
		       WEXITSTATUS(status) >= 80 ? "setup or checkpoint" :
		       "the restored tasks saw other ids or reaped nothing");
	}
}

TEST_HARNESS_MAIN

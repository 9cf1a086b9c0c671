// SPDX-License-Identifier: GPL-2.0
/*
 * SysV shared memory across checkpoint and restart.
 *
 * - a tree (pid 1 of a pid and IPC namespace, and its child) that shares
 *   two segments, one with a key and one removed (IPC_RMID) while both
 *   hold it: after restart in a new IPC namespace, each segment has its
 *   id, key, size and mode, holds its bytes, and the child's writes are
 *   what the parent reads; the removed one is still removed;
 * - a process in the test's own IPC namespace: its segment's id is
 *   taken while the original exists, so restart fails with EEXIST, and
 *   removes the segment it made before the failing one; once the
 *   original is removed, it restarts with the segment back;
 * - a tree whose IPC namespace has a segment no task attached, or a
 *   semaphore set, is refused with EOPNOTSUPP: they are not saved;
 * - hostile records: unknown flags, a removed segment with a key, a
 *   negative id, a segment mapped private, are refused with EINVAL.
 *
 * As elsewhere, the restored task checks itself and its exit status is
 * the verdict.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <linux/ckpt_hdr.h>

#include "../kselftest_harness.h"
#include "ckpt_edit.h"
#include "ckpt_util.h"
#include "ckpt_tree.h"

#define PS		4096UL
#define SEG_SIZE	(3 * PS + 100)	/* page 1 a hole */
#define SEG_MODE	0640
#define SEG_KEY		0x5eed0c4b

static unsigned char pat(unsigned long i, int salt)
{
	return (unsigned char)(i * 13 + salt + (i >> 12));
}

static void fill(unsigned char *p, int salt)
{
	unsigned long i;

	for (i = 0; i < SEG_SIZE; i++)
		if (i / PS != 1)
			p[i] = pat(i, salt);
}

/* 0 when @p holds fill(@salt)'s bytes and a zero hole. */
static int check(const unsigned char *p, int salt)
{
	unsigned long i;

	for (i = 0; i < SEG_SIZE; i++)
		if (p[i] != (i / PS == 1 ? 0 : pat(i, salt)))
			return -1;
	return 0;
}

FIXTURE(sysvshm) {
	int img;
	int log[2];
	char logbuf[1024];
};

FIXTURE_SETUP(sysvshm)
{
	self->img = image_file();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, pipe2(self->log, O_NONBLOCK));
}

FIXTURE_TEARDOWN(sysvshm)
{
	close(self->img);
	close(self->log[0]);
	close(self->log[1]);
}

static long checkpoint_and_kill(struct _test_data_sysvshm *self, pid_t pid,
				unsigned long flags)
{
	return checkpoint_then_kill(pid, self->img, flags, self->log,
				    self->logbuf, sizeof(self->logbuf));
}

/* Bits of the restored tree root's exit status. */
#define KEYED_WRONG	0x01	/* id, key, size, mode or bytes */
#define REMOVED_WRONG	0x02
#define NOT_SHARED	0x04
#define CHILD_FAILED	0x08
#define SETUP_FAILED	0x10

/* 0 when segment @id is @key's, of SEG_SIZE and SEG_MODE, attached @n times. */
static int stat_ok(int id, key_t key, int removed, unsigned long n)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds))
		return -1;
	return ds.shm_perm.__key == key && ds.shm_segsz == SEG_SIZE &&
	       (ds.shm_perm.mode & 0777) == SEG_MODE &&
	       !!(ds.shm_perm.mode & SHM_DEST) == removed &&
	       ds.shm_nattch == n ? 0 : -1;
}

/*
 * The root of a tree in IPC and pid namespaces of its own: a keyed
 * segment and a removed one, both shared with a child; once restored,
 * the child checks and writes, exits, and the root reads what it wrote.
 */
static int tree_root(int arg, int fd)
{
	int keyed, removed, status;
	unsigned char *k, *r;
	pid_t kid;

	drop_shared_mappings();
	keyed = shmget(SEG_KEY, SEG_SIZE, IPC_CREAT | IPC_EXCL | SEG_MODE);
	removed = shmget(IPC_PRIVATE, SEG_SIZE, IPC_CREAT | SEG_MODE);
	if (keyed < 0 || removed < 0)
		return SETUP_FAILED;
	k = shmat(keyed, NULL, 0);
	r = shmat(removed, NULL, 0);
	if (k == (void *)-1 || r == (void *)-1 || shmctl(removed, IPC_RMID, NULL))
		return SETUP_FAILED;
	fill(k, 1);
	fill(r, 2);
	kid = fork();
	if (!kid) {
		raise(SIGSTOP);
		/* Restored: check, then write where the parent will look. */
		if (check(k, 1) || check(r, 2) || stat_ok(keyed, SEG_KEY, 0, 2) ||
		    stat_ok(removed, IPC_PRIVATE, 1, 2))
			_exit(1);
		k[PS] = 0xab;
		r[SEG_SIZE - 1] = 0xcd;
		_exit(0);
	}
	if (kid < 0 || waitpid(kid, &status, WUNTRACED) != kid)
		return SETUP_FAILED;
	if (write(fd, "ok", 2) != 2)
		return SETUP_FAILED;
	wait_for_go();

	kill(kid, SIGCONT);
	if (waitpid(kid, &status, 0) != kid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return CHILD_FAILED;
	if (k[PS] != 0xab || r[SEG_SIZE - 1] != 0xcd)
		return NOT_SHARED;
	k[PS] = 0;
	r[SEG_SIZE - 1] = pat(SEG_SIZE - 1, 2);
	return (check(k, 1) || stat_ok(keyed, SEG_KEY, 0, 1) ||
		shmget(SEG_KEY, 0, 0) != keyed ? KEYED_WRONG : 0) |
	       (check(r, 2) || stat_ok(removed, IPC_PRIVATE, 1, 1) ?
		REMOVED_WRONG : 0);
}

TEST_F_TIMEOUT(sysvshm, segments_shared_by_two_processes_come_back, 180)
{
	char ok[2];
	pid_t root;
	int status;

	if (geteuid())
		SKIP(return, "new pid and IPC namespaces need root");
	root = spawn_tree_ns(tree_root, 0, ok, sizeof(ok), CLONE_NEWIPC);
	ASSERT_LT(0, root);
	ASSERT_LT(0, checkpoint_and_kill(self, root, CHECKPOINT_TREE)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	root = restart_in_new_ns(self->img, RESTART_RUN, self->log[1], -1, -1,
				 CLONE_NEWIPC);
	ASSERT_LT(0, root);
	ASSERT_EQ(0, go_until_exit(root, 120, &status));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("restored root: %#x (%s)", WEXITSTATUS(status),
		       read_log(self->log[0], self->logbuf,
				sizeof(self->logbuf)));
	}
}

/*
 * A process of the test's IPC namespace with two segments, attached in
 * address order: the image holds them in that order. After restart it
 * checks both and their ids.
 */
static int seg_ids[2];

static int two_segments_child(void)
{
	unsigned char *base, *a, *b;

	base = mmap(NULL, 8 * PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return 1;
	a = shmat(seg_ids[0], base, SHM_REMAP);
	b = shmat(seg_ids[1], base + 4 * PS, SHM_REMAP | SHM_RDONLY);
	if (a != base || b != base + 4 * PS)
		return 1;
	fill(a, 3);
	raise(SIGSTOP);
	/* Restored: the bytes, the read-only attachment, the ids. */
	if (check(a, 3) || b[0] || stat_ok(seg_ids[0], IPC_PRIVATE, 0, 1) ||
	    stat_ok(seg_ids[1], IPC_PRIVATE, 0, 1) || !vm_flag(b, "ms") ||
	    vm_flag(b, "mw"))
		return 2;
	return 0;
}

/* Make the two segments in the test's namespace; fork their child. */
static pid_t spawn_two_segments(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		seg_ids[i] = shmget(IPC_PRIVATE, SEG_SIZE, IPC_CREAT | SEG_MODE);
		if (seg_ids[i] < 0)
			return -1;
	}
	return spawn_fn(two_segments_child);
}

/* How many segments the test's IPC namespace has. */
static int nr_segments(void)
{
	struct shm_info info;

	return shmctl(0, SHM_INFO, (struct shmid_ds *)&info) < 0 ? -1 :
	       info.used_ids;
}

TEST_F(sysvshm, a_taken_id_fails_and_leaves_nothing_behind)
{
	int before, i;
	pid_t pid;

	pid = spawn_two_segments();
	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid, 0)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}

	/* The first is gone, the second still there: EEXIST on the second. */
	ASSERT_EQ(0, shmctl(seg_ids[0], IPC_RMID, NULL));
	before = nr_segments();
	ASSERT_LE(1, before);
	EXPECT_EQ(RESTART_FAILED(EEXIST),
		  restart_child(self->img, NULL, 0));
	/* The first one restart made is removed again. */
	EXPECT_EQ(before, nr_segments());
	EXPECT_EQ(-1, shmctl(seg_ids[0], IPC_STAT, &(struct shmid_ds){}));

	ASSERT_EQ(0, shmctl(seg_ids[1], IPC_RMID, NULL));
	EXPECT_EQ(0, restart_child(self->img, NULL, 0));
	/* The restored process exited: its segments stay, as they were. */
	EXPECT_EQ(0, stat_ok(seg_ids[0], IPC_PRIVATE, 0, 0));
	for (i = 0; i < 2; i++)
		shmctl(seg_ids[i], IPC_RMID, NULL);
}

/* A tree root whose IPC namespace holds what it cannot save. */
static int unsaved_root(int sem, int fd)
{
	int id;

	drop_shared_mappings();
	if (sem)
		id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	else
		id = shmget(IPC_PRIVATE, PS, IPC_CREAT | 0600);
	if (id < 0 || write(fd, "ok", 2) != 2)
		return SETUP_FAILED;
	wait_for_go();
	return 0;
}

TEST_F(sysvshm, an_ipc_namespace_with_unsaved_objects_is_refused)
{
	static const char *const why[] = {
		"attached by none of its tasks", "semaphore sets",
	};
	char ok[2];
	pid_t root;
	int i;

	if (geteuid())
		SKIP(return, "new pid and IPC namespaces need root");
	for (i = 0; i < 2; i++) {
		root = spawn_tree_ns(unsaved_root, i, ok, sizeof(ok),
				     CLONE_NEWIPC);
		ASSERT_LT(0, root);
		EXPECT_EQ(-1, checkpoint_and_kill(self, root, CHECKPOINT_TREE));
		EXPECT_EQ(EOPNOTSUPP, errno);
		EXPECT_NE(NULL, strstr(self->logbuf, why[i])) {
			TH_LOG("log: %s", self->logbuf);
		}
	}
}

/* Hostile images: edits of a valid image of two_segments_child. */
TEST_F(sysvshm, hostile_segment_records)
{
	size_t fl = offsetof(struct cr_hdr_sysvshm, flags);
	struct cr_hdr_vma v;
	int sysv, shm, vma, i;
	uint32_t u32;
	int32_t s32;
	struct recs r;
	pid_t pid;

	pid = spawn_two_segments();
	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid, 0));
	ASSERT_EQ(0, load_recs(self->img, &r));
	sysv = next_rec(&r, CR_HDR_SYSVSHM, -1);
	ASSERT_LE(1, sysv);
	shm = sysv - 1;
	ASSERT_EQ(CR_HDR_SHMEM, r.type[shm]);
	vma = next_rec(&r, CR_HDR_VMA, sysv);
	ASSERT_LE(0, vma);
	memcpy(&v, r.img + r.off[vma], sizeof(v));
	ASSERT_EQ(CR_VMA_SHMEM, v.type);

	u32 = 1U << 2;
	EXPECT_REFUSED(r.off[sysv] + fl, u32, "flags");
	u32 = CR_SYSVSHM_REMOVED;
	s32 = 42;
	memcpy(r.img + r.off[sysv] + offsetof(struct cr_hdr_sysvshm, key),
	       &s32, sizeof(s32));
	EXPECT_REFUSED(r.off[sysv] + fl, u32, "removed, but with key");
	s32 = 0;
	memcpy(r.img + r.off[sysv] + offsetof(struct cr_hdr_sysvshm, key),
	       &s32, sizeof(s32));
	s32 = -1;
	EXPECT_REFUSED(r.off[sysv] + offsetof(struct cr_hdr_sysvshm, shmid),
		       s32, "id -1");
	u32 = 0;
	EXPECT_REFUSED(r.off[shm] + offsetof(struct cr_hdr_shmem, size), u32,
		       "size");
	u32 = v.flags & ~(CR_VMA_SHARED | CR_VMA_MAYWRITE);
	EXPECT_REFUSED(r.off[vma] + offsetof(struct cr_hdr_vma, flags), u32,
		       "mapped private");
	free(r.img);
	for (i = 0; i < 2; i++)
		shmctl(seg_ids[i], IPC_RMID, NULL);
}

TEST_HARNESS_MAIN

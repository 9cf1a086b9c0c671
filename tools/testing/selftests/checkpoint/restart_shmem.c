// SPDX-License-Identifier: GPL-2.0
/*
 * Shared memory across checkpoint and restart: shared anonymous memory
 * and memfds are objects, saved once, and shared again after restart.
 *
 * - one process: shared anonymous memory and a memfd come back byte
 *   for byte, holes included; the memfd keeps its name, size, seals,
 *   and each of its descriptors its own position and access mode; its
 *   shared mapping and its descriptors are one object again, and a
 *   private mapping of it keeps its copied-on-write page and still sees
 *   the file's other pages;
 * - a write seal still holds after restart: write(2) and a shared
 *   writable mmap(2) are refused;
 * - a shared file mapping of a regular file comes back shared: writes
 *   through it reach the file;
 * - a tree (pid 1 of a pid namespace and its child): after restart, what
 *   the child writes to the memory they shared, anonymous and memfd, the
 *   parent reads;
 * - hostile images: a mapping or a descriptor of an object the image
 *   never made, shared anonymous memory mapped private, a writable
 *   shared mapping that may not be written, pages for a shared mapping,
 *   object pages beyond its size, are each refused with EINVAL and a
 *   log line.
 *
 * As elsewhere, the restored task checks itself and its exit status is
 * the verdict.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/ckpt_hdr.h>

#include "../kselftest_harness.h"
#include "ckpt_edit.h"
#include "ckpt_util.h"
#include "ckpt_tree.h"

#define PS		4096UL
#define ANON_PAGES	16
#define ANON_HOLE	5		/* a page of it never touched */
#define MEMFD_FD	50		/* "ckpt-test", read-write, offset 123 */
#define RO_FD		51		/* the same memfd, read-only, offset 5 */
#define MFD_SIZE	(3 * PS + 100)	/* page 1 a hole */
#define SEALED_FD	52		/* a memfd sealed against writes */
#define FILE_FD		53		/* a regular file, mapped shared */

static unsigned char pat(unsigned long i, int salt)
{
	return (i * 31 + salt) & 0xff;
}

static unsigned char *anon, *shared, *priv, *fmap;
static char file_path[64];

/* Shared anonymous memory with a hole, and a memfd with one. */
static int make_objects(void)
{
	unsigned long i;
	int fd;

	anon = mmap(NULL, ANON_PAGES * PS, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		return 1;
	for (i = 0; i < ANON_PAGES * PS; i++)
		if (i / PS != ANON_HOLE)
			anon[i] = pat(i, 1);

	fd = memfd_create("ckpt-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (fd < 0 || dup2(fd, MEMFD_FD) != MEMFD_FD || close(fd) ||
	    ftruncate(MEMFD_FD, MFD_SIZE))
		return 1;
	for (i = 0; i < MFD_SIZE; i++)
		if (i / PS != 1 &&
		    pwrite(MEMFD_FD, &(char){ pat(i, 2) }, 1, i) != 1)
			return 1;
	if (fcntl(MEMFD_FD, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK) ||
	    lseek(MEMFD_FD, 123, SEEK_SET) != 123)
		return 1;
	fd = open("/proc/self/fd/50", O_RDONLY);
	if (fd < 0 || dup2(fd, RO_FD) != RO_FD || close(fd) ||
	    lseek(RO_FD, 5, SEEK_SET) != 5)
		return 1;
	shared = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED,
		      MEMFD_FD, 0);
	priv = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    MEMFD_FD, 2 * PS);
	if (shared == MAP_FAILED || priv == MAP_FAILED)
		return 1;
	priv[0] = 'P';		/* copied on write: the file keeps its byte */
	return 0;
}

/* Everything make_objects() made, as it made it; 0 or the first failure. */
static int check_objects(void)
{
	char buf[64], link[64];
	unsigned long i;
	struct stat st;
	ssize_t n;

	for (i = 0; i < ANON_PAGES * PS; i++)
		if (anon[i] != (i / PS == ANON_HOLE ? 0 : pat(i, 1)))
			return 10;
	if (fstat(MEMFD_FD, &st) || st.st_size != MFD_SIZE)
		return 11;
	if (fcntl(MEMFD_FD, F_GET_SEALS) != (F_SEAL_GROW | F_SEAL_SHRINK) ||
	    !ftruncate(MEMFD_FD, 2 * MFD_SIZE) || errno != EPERM)
		return 12;
	if (lseek(MEMFD_FD, 0, SEEK_CUR) != 123 ||
	    lseek(RO_FD, 0, SEEK_CUR) != 5 ||
	    (fcntl(RO_FD, F_GETFL) & O_ACCMODE) != O_RDONLY ||
	    fcntl(MEMFD_FD, F_GETFD) != 0)
		return 13;
	n = readlink("/proc/self/fd/50", link, sizeof(link) - 1);
	if (n < 0)
		return 14;
	link[n] = '\0';
	if (strcmp(link, "/memfd:ckpt-test (deleted)"))
		return 14;
	for (i = 0; i < MFD_SIZE; i++)
		if (shared[i] != (i / PS == 1 ? 0 : pat(i, 2)))
			return 15;
	/* One object: the mapping, and both descriptors. */
	shared[10] = 'X';
	if (pread(RO_FD, buf, 1, 10) != 1 || buf[0] != 'X')
		return 16;
	if (pwrite(MEMFD_FD, "Y", 1, 20) != 1 || shared[20] != 'Y')
		return 17;
	/* The private mapping: its own page, and the file's others. */
	shared[2 * PS] = 'Q';
	shared[3 * PS + 2] = 'R';
	if (priv[0] != 'P' || priv[1] != pat(2 * PS + 1, 2) ||
	    priv[PS + 2] != 'R')
		return 18;
	if (fstat(RO_FD, &st) || st.st_size != MFD_SIZE)
		return 19;
	return 0;
}

static int shmem_child(void)
{
	int ret = make_objects();

	if (ret)
		return ret;
	raise(SIGSTOP);
	return check_objects();
}

/* A memfd sealed against writes, mapped read-only and shared. */
static int sealed_child(void)
{
	int fd = memfd_create("sealed", MFD_ALLOW_SEALING);
	unsigned char *p;

	if (fd < 0 || dup2(fd, SEALED_FD) != SEALED_FD || close(fd) ||
	    pwrite(SEALED_FD, "abc", 3, 0) != 3 ||
	    fcntl(SEALED_FD, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL))
		return 1;
	p = mmap(NULL, PS, PROT_READ, MAP_SHARED, SEALED_FD, 0);
	if (p == MAP_FAILED)
		return 1;
	raise(SIGSTOP);

	if (memcmp(p, "abc", 3))
		return 10;
	if (pwrite(SEALED_FD, "x", 1, 0) != -1 || errno != EPERM)
		return 11;
	if (mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, SEALED_FD,
		 0) != MAP_FAILED || errno != EPERM)
		return 12;
	/* Read-only shared of a write-sealed memfd: never writable. */
	if (!mprotect(p, PS, PROT_READ | PROT_WRITE) || errno != EACCES)
		return 13;
	if (fcntl(SEALED_FD, F_ADD_SEALS, F_SEAL_GROW) != -1 || errno != EPERM)
		return 14;
	return 0;
}

/* A regular file mapped shared: after restart, writes reach the file. */
static int file_child(void)
{
	int fd = open(file_path, O_RDWR);

	if (fd < 0 || dup2(fd, FILE_FD) != FILE_FD || close(fd))
		return 1;
	fmap = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, FILE_FD, 0);
	if (fmap == MAP_FAILED)
		return 1;
	fmap[0] = 'A';
	raise(SIGSTOP);

	if (fmap[0] != 'A' || fmap[1] != '1')
		return 10;
	fmap[2] = 'Z';
	if (msync(fmap, PS, MS_SYNC))
		return 11;
	return 0;
}

FIXTURE(shmem) {
	int img;
	int log[2];
	char logbuf[1024];
};

FIXTURE_SETUP(shmem)
{
	int fd;

	snprintf(file_path, sizeof(file_path), "/tmp/ckpt-shmem-%d", getpid());
	fd = open(file_path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(10, write(fd, "0123456789", 10));
	close(fd);
	self->img = image_file();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, pipe2(self->log, O_NONBLOCK));
}

FIXTURE_TEARDOWN(shmem)
{
	unlink(file_path);
	close(self->img);
	close(self->log[0]);
	close(self->log[1]);
}

/* Checkpoint @pid into the fixture's image, kill it; the log on failure. */
static long checkpoint_and_kill(struct _test_data_shmem *self, pid_t pid,
				unsigned long flags)
{
	return checkpoint_then_kill(pid, self->img, flags, self->log,
				    self->logbuf, sizeof(self->logbuf));
}

TEST_F(shmem, shared_memory_and_memfds_come_back)
{
	pid_t pid = spawn_fn(shmem_child);

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid, 0)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	EXPECT_EQ(0, restart_child(self->img, NULL, 0));
}

/* The original, resumed instead, checks the same: the test checks itself. */
TEST_F(shmem, the_original_passes_the_same_checks)
{
	pid_t pid = spawn_fn(shmem_child);

	ASSERT_LT(0, pid);
	ASSERT_LT(0, sys_checkpoint(pid, self->img, 0, self->log[1]));
	EXPECT_EQ(0, finish_child(pid));
}

TEST_F(shmem, seals_still_hold)
{
	pid_t pid = spawn_fn(sealed_child);

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid, 0)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	EXPECT_EQ(0, restart_child(self->img, NULL, 0));
}

TEST_F(shmem, shared_file_mapping_writes_reach_the_file)
{
	pid_t pid = spawn_fn(file_child);
	char buf[10];
	int fd;

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid, 0)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	EXPECT_EQ(0, restart_child(self->img, NULL, 0));
	fd = open(file_path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(10, read(fd, buf, 10));
	EXPECT_EQ(0, memcmp(buf, "A1Z3456789", 10));
	close(fd);
}

/* The file changed since: ESTALE, as for a private mapping. */
TEST_F(shmem, shared_file_mapping_of_a_changed_file_is_estale)
{
	pid_t pid = spawn_fn(file_child);
	int fd;

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid, 0));
	fd = open(file_path, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "+", 1));
	close(fd);
	EXPECT_EQ(RESTART_FAILED(ESTALE), restart_child(self->img, NULL, 0));
}

/* Bits of the restored tree root's exit status. */
#define ANON_NOT_SHARED		0x01
#define MEMFD_NOT_SHARED	0x02
#define CHILD_FAILED		0x04
#define SETUP_FAILED		0x08

/*
 * The root of a tree: shared anonymous memory and a memfd mapping, then
 * a child that shares both; once restored, the child writes, exits,
 * and the root reads what it wrote.
 */
static int tree_root(int arg, int fd)
{
	unsigned char *a, *m;
	int mfd, status;
	pid_t kid;

	drop_shared_mappings();
	a = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	mfd = memfd_create("tree", 0);
	if (a == MAP_FAILED || mfd < 0 || ftruncate(mfd, PS))
		return SETUP_FAILED;
	m = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (m == MAP_FAILED)
		return SETUP_FAILED;
	a[0] = 1;
	m[0] = 1;
	kid = fork();
	if (!kid) {
		raise(SIGSTOP);
		/* Restored: write where the parent will look. */
		a[PS] = 0xab;
		m[1] = 0xcd;
		_exit(a[0] == 1 && m[0] == 1 ? 0 : 1);
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
	return (a[PS] == 0xab ? 0 : ANON_NOT_SHARED) |
	       (m[1] == 0xcd ? 0 : MEMFD_NOT_SHARED);
}

TEST_F_TIMEOUT(shmem, processes_share_their_memory_again, 180)
{
	char ok[2];
	pid_t root;
	int status;

	if (geteuid())
		SKIP(return, "a new pid namespace needs root");
	root = spawn_tree(tree_root, 0, ok, sizeof(ok));
	ASSERT_LT(0, root);
	ASSERT_LT(0, checkpoint_and_kill(self, root, CHECKPOINT_TREE)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	root = restart_in_new_pidns(self->img, RESTART_RUN, self->log[1], -1,
				    -1);
	ASSERT_LT(0, root);
	ASSERT_EQ(0, go_until_exit(root, 120, &status));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("restored root: %#x (%s)", WEXITSTATUS(status),
		       read_log(self->log[0], self->logbuf,
				sizeof(self->logbuf)));
	}
}

/* Hostile images: edits of a valid image of shmem_child. */

/* The first VMA record after record @from with @pred true; or -1. */
static int find_vma(struct recs *r, int from,
		    int (*pred)(const struct cr_hdr_vma *))
{
	struct cr_hdr_vma v;
	int i;

	for (i = from + 1; i < r->nr; i++) {
		if (r->type[i] != CR_HDR_VMA)
			continue;
		memcpy(&v, r->img + r->off[i], sizeof(v));
		if (pred(&v))
			return i;
	}
	return -1;
}

/* The ids the image gave the shared anonymous memory and the memfd. */
static uint32_t anon_id, memfd_id;

static int vma_anon_shared(const struct cr_hdr_vma *v)
{
	return v->type == CR_VMA_SHMEM && v->object == anon_id;
}

static int vma_memfd_shared(const struct cr_hdr_vma *v)
{
	return v->type == CR_VMA_SHMEM && v->object == memfd_id &&
	       v->flags & CR_VMA_SHARED;
}

static int vma_memfd_private(const struct cr_hdr_vma *v)
{
	return v->type == CR_VMA_SHMEM && !(v->flags & CR_VMA_SHARED);
}

/* The object record of @kind: its index, its id in anon_id or memfd_id. */
static int find_shmem(struct recs *r, uint32_t kind)
{
	struct cr_hdr_shmem h;
	int i;

	for (i = 0; i < r->nr; i++) {
		if (r->type[i] != CR_HDR_SHMEM)
			continue;
		memcpy(&h, r->img + r->off[i], sizeof(h));
		if (h.kind != kind)
			continue;
		*(kind == CR_SHMEM_ANON ? &anon_id : &memfd_id) = h.id;
		return i;
	}
	return -1;
}

TEST_F(shmem, hostile_shared_memory_records)
{
	size_t vo = offsetof(struct cr_hdr_vma, object);
	size_t vf = offsetof(struct cr_hdr_vma, flags);
	int anon_vma, mfd_vma, priv_vma, shm, mshm, file, pgarr;
	struct cr_hdr_pgarr ha;
	uint32_t u32, flags;
	struct cr_hdr_vma v;
	struct recs r;
	uint64_t u64;
	pid_t pid;

	pid = spawn_fn(shmem_child);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid, 0));
	ASSERT_EQ(0, load_recs(self->img, &r));
	shm = find_shmem(&r, CR_SHMEM_ANON);
	mshm = find_shmem(&r, CR_SHMEM_MEMFD);
	ASSERT_LE(0, shm);
	ASSERT_LE(0, mshm);
	/* The memfd's descriptors come first: it is object 1. */
	EXPECT_EQ(1, memfd_id);
	EXPECT_EQ(2, anon_id);
	anon_vma = find_vma(&r, -1, vma_anon_shared);
	mfd_vma = find_vma(&r, -1, vma_memfd_shared);
	priv_vma = find_vma(&r, -1, vma_memfd_private);
	file = next_rec(&r, CR_HDR_FILE, -1);
	ASSERT_LE(0, anon_vma);
	ASSERT_LE(0, mfd_vma);
	ASSERT_LE(0, priv_vma);
	ASSERT_LE(0, file);

	/* A mapping of an object the image never made. */
	u32 = 7;
	EXPECT_REFUSED(r.off[anon_vma] + vo, u32, "shared memory object 7");
	/* Shared anonymous memory mapped private. */
	memcpy(&v, r.img + r.off[anon_vma], sizeof(v));
	flags = v.flags & ~(CR_VMA_SHARED | CR_VMA_MAYWRITE);
	EXPECT_REFUSED(r.off[anon_vma] + vf, flags, "mapped private");
	/* Writable and shared, but its file may not be written. */
	memcpy(&v, r.img + r.off[mfd_vma], sizeof(v));
	flags = v.flags & ~CR_VMA_MAYWRITE;
	EXPECT_REFUSED(r.off[mfd_vma] + vf, flags, "sharing flags");
	/* MAP_SHARED anonymous memory that is not an object. */
	u32 = CR_VMA_ANON;
	EXPECT_REFUSED(r.off[anon_vma] + offsetof(struct cr_hdr_vma, type),
		       u32, "fields that must be zero");
	/* The private memfd mapping made shared: its pages follow it. */
	memcpy(&v, r.img + r.off[priv_vma], sizeof(v));
	flags = v.flags | CR_VMA_SHARED | CR_VMA_MAYWRITE;
	EXPECT_REFUSED(r.off[priv_vma] + vf, flags, "pages for a shared mapping");
	/* A descriptor's object that is not there, or not a memfd. */
	for (; file >= 0 && file < r.nr; file++) {
		struct cr_hdr_file f;

		memcpy(&f, r.img + r.off[file], sizeof(f));
		if (r.type[file] == CR_HDR_FILE && f.kind == CR_FILE_MEMFD)
			break;
	}
	ASSERT_LT(file, r.nr);
	u32 = 9;
	EXPECT_REFUSED(r.off[file] + offsetof(struct cr_hdr_file, object), u32,
		       "shared memory object 9");
	/* An object's id out of order, its size, its kind, its seals. */
	u32 = 3;
	EXPECT_REFUSED(r.off[mshm] + offsetof(struct cr_hdr_shmem, id), u32,
		       "where 1 belongs");
	u32 = 0x40;
	EXPECT_REFUSED(r.off[mshm] + offsetof(struct cr_hdr_shmem, seals), u32,
		       "bad seals");
	u64 = 3;
	EXPECT_REFUSED(r.off[shm] + offsetof(struct cr_hdr_shmem, size), u64,
		       "size");
	u32 = 9;
	EXPECT_REFUSED(r.off[shm] + offsetof(struct cr_hdr_shmem, kind), u32,
		       "unknown kind");
	/*
	 * Its last page past its size: the offset and the batch's bound
	 * agree, and the batch's digest is made right again, so that only
	 * the size is wrong.
	 */
	pgarr = shm + 1;
	ASSERT_EQ(CR_HDR_PGARR, r.type[pgarr]);
	memcpy(&ha, r.img + r.off[pgarr], sizeof(ha));
	ASSERT_LT(0, ha.nr_pages);
	u64 = ANON_PAGES * PS;
	memcpy(r.img + r.off[pgarr] + sizeof(ha) + 8 * (ha.nr_pages - 1),
	       &u64, sizeof(u64));
	if (ha.nr_pages == 1)
		memcpy(r.img + r.off[pgarr] +
		       offsetof(struct cr_hdr_pgarr, first), &u64, sizeof(u64));
	seal_image(r.img, r.size);
	EXPECT_REFUSED(r.off[pgarr] + offsetof(struct cr_hdr_pgarr, last), u64,
		       "outside its VMA");
	free(r.img);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint(2): images of real tasks, decoded with ckptinfo --json.
 *
 * Each test stops a child with a known memory layout, checkpoints it and
 * checks what the image holds against what the child did: one VMA record
 * per line of /proc/PID/maps, exactly the touched pages, copy-on-write
 * pages of file mappings and not their clean ones, whole THPs, small
 * images of sparse mappings, batches of pages sealed with their bounds
 * and digests. The child must be left as it was: still stopped, and with
 * its memory intact when it resumes.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/ptrace.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "ckpt_edit.h"
#include "ckpt_util.h"

#define PS		4096UL
#define NPAGES		100
#define MARKER		"ckpt-selftest-marker"

/* Child memory: globals are the child's own after fork(). */
static unsigned char *region;
static unsigned long region_len;

/* Touch every third page of a 100-page anonymous region. */
static unsigned long anon_setup(void *arg)
{
	unsigned long i;

	if (!arg) {
		for (i = 0; i < NPAGES; i++)
			if (region[i * PS] != (i % 3 ? 0 : (unsigned char)(i + 1)))
				return 0;
		return 1;
	}
	region = mmap(NULL, NPAGES * PS, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		_exit(3);
	for (i = 0; i < NPAGES; i += 3)
		region[i * PS] = i + 1;
	memcpy(region + 3 * PS + 100, MARKER, sizeof(MARKER));
	return (unsigned long)region;
}

/* Checkpoint @pid into a new image file; returns the fd, -1 on error. */
static int checkpoint_to_file(pid_t pid, long *id)
{
	int fd = image_file();

	if (fd < 0)
		return -1;
	*id = sys_checkpoint(pid, fd, 0, STDERR_FILENO);
	if (*id <= 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A stopped child, its image, and the image decoded. */
struct dump {
	pid_t pid;
	unsigned long base;	/* what the child's setup returned */
	int fd;
	long id;
	char *json;
};

/* Spawn a stopped child running @setup, checkpoint it, decode the image. */
static void dump_child(struct __test_metadata *_metadata, struct dump *d,
		       unsigned long (*setup)(void *))
{
	int status;

	d->pid = spawn_stopped(setup, "", &d->base);
	ASSERT_LT(0, d->pid);
	d->fd = checkpoint_to_file(d->pid, &d->id);
	ASSERT_LE(0, d->fd);
	d->json = ckptinfo_json(d->fd, &status);
	ASSERT_NE(NULL, d->json);
	ASSERT_EQ(0, status);
}

/* Resume the child and return its status (0: memory intact); drop all. */
static int dump_finish(struct dump *d)
{
	int ret = finish_child(d->pid);

	free(d->json);
	close(d->fd);
	return ret;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[256], *p;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : 0;
}

TEST(page_counts)
{
	const char *vma;
	struct dump d;
	unsigned long i;

	dump_child(_metadata, &d, anon_setup);
	EXPECT_LT(0, d.id);
	vma = json_vma(d.json, d.base);
	ASSERT_NE(NULL, vma);
	EXPECT_EQ(d.base + NPAGES * PS, json_num(vma, "end", 0));
	EXPECT_EQ((NPAGES + 2) / 3, json_num(vma, "nr_pages", 0));
	for (i = 0; i < NPAGES; i++)
		EXPECT_EQ(i % 3 == 0, json_has_page(vma, d.base + i * PS));

	/* Left as it was: stopped, and intact once resumed. */
	EXPECT_EQ('T', proc_state(d.pid));
	EXPECT_EQ(0, dump_finish(&d));
}

/* A task in a ptrace stop is a target too, and stays traced and stopped. */
TEST(ptrace_stopped_target)
{
	unsigned long base;
	int fd, status;
	long id;
	pid_t pid;

	pid = spawn_stopped(anon_setup, "", &base);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, pid, 0, 0));
	ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, pid, 0, 0));
	kill(pid, SIGCONT);
	ASSERT_EQ(pid, waitpid(pid, &status, __WALL));
	ASSERT_TRUE(WIFSTOPPED(status));

	fd = checkpoint_to_file(pid, &id);
	EXPECT_LE(0, fd);
	EXPECT_LT(0, id);
	EXPECT_EQ('t', proc_state(pid));	/* still in its ptrace stop */
	close(fd);

	ASSERT_EQ(0, ptrace(PTRACE_DETACH, pid, 0, 0));
	EXPECT_EQ(0, finish_child(pid));
}

TEST(one_vma_record_per_maps_line)
{
	char path[64], line[512];
	unsigned long start, end;
	int lines = 0, n;
	const char *vma;
	struct dump d;
	FILE *maps;

	dump_child(_metadata, &d, anon_setup);
	snprintf(path, sizeof(path), "/proc/%d/maps", d.pid);
	maps = fopen(path, "r");
	ASSERT_NE(NULL, maps);
	while (fgets(line, sizeof(line), maps)) {
		if (strstr(line, "[vsyscall]"))
			continue;	/* the gate area is not a VMA */
		n = sscanf(line, "%lx-%lx", &start, &end);
		ASSERT_EQ(2, n);
		vma = json_vma(d.json, start);
		EXPECT_NE(NULL, vma) {
			TH_LOG("no VMA record for %s", line);
		}
		if (vma)
			EXPECT_EQ(end, json_num(vma, "end", 0));
		lines++;
	}
	fclose(maps);
	EXPECT_EQ(lines, json_nr_vmas(d.json));
	EXPECT_EQ(lines, json_num(d.json, "map_count", 0));
	EXPECT_EQ(0, dump_finish(&d));
}

/* A private file mapping, all pages read, pages 2 and 5 written. */
static unsigned long file_setup(void *arg)
{
	char name[] = "/tmp/ckpt-file-XXXXXX";
	unsigned char buf[PS];
	int fd, i;

	if (!arg)
		return region[2 * PS] == 0xc2 && region[5 * PS] == 0xc5 &&
		       region[3 * PS] == 3;
	fd = mkstemp(name);
	if (fd < 0)
		_exit(3);
	for (i = 0; i < 8; i++) {
		memset(buf, i, sizeof(buf));
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			_exit(3);
	}
	region = mmap(NULL, 8 * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (region == MAP_FAILED)
		_exit(3);
	close(fd);
	for (i = 0; i < 8; i++)
		region_len += region[i * PS];
	region[2 * PS] = 0xc2;
	region[5 * PS] = 0xc5;
	return (unsigned long)region;
}

TEST(private_file_mapping_saves_dirty_pages_only)
{
	const char *vma;
	struct dump d;
	unsigned long i;

	dump_child(_metadata, &d, file_setup);
	vma = json_vma(d.json, d.base);
	ASSERT_NE(NULL, vma);
	EXPECT_NE(NULL, strstr(vma, "\"type\": \"file\""));
	EXPECT_NE(NULL, strstr(vma, "/tmp/ckpt-file-"));
	EXPECT_EQ(8 * PS, json_num(vma, "size", 0));
	EXPECT_EQ(2, json_num(vma, "nr_pages", 0));
	for (i = 0; i < 8; i++)
		EXPECT_EQ(i == 2 || i == 5, json_has_page(vma, d.base + i * PS));
	EXPECT_EQ(0, dump_finish(&d));
}

/* 64 GiB reserved, 64 pages touched, 1 GiB apart. */
static unsigned long sparse_setup(void *arg)
{
	unsigned long i;

	region_len = 64UL << 30;
	if (!arg) {
		for (i = 0; i < 64; i++)
			if (region[i << 30] != i + 1)
				return 0;
		return 1;
	}
	region = mmap(NULL, region_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (region == MAP_FAILED)
		_exit(3);
	/* Small pages: a THP per touch would make it dense. */
	madvise(region, region_len, MADV_NOHUGEPAGE);
	for (i = 0; i < 64; i++)
		region[i << 30] = i + 1;
	return (unsigned long)region;
}

/* 64 MiB, every page touched. */
static unsigned long dense_setup(void *arg)
{
	region_len = 64UL << 20;
	if (!arg)
		return region[region_len - 1] == 7;
	region = mmap(NULL, region_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		_exit(3);
	memset(region, 7, region_len);
	return (unsigned long)region;
}

TEST(sparse_mapping_costs_its_pages_not_its_size)
{
	unsigned long sparse, dense;
	struct stat st_sparse, st_dense;
	int fd_sparse, fd_dense, status;
	pid_t pid_sparse, pid_dense;
	char *json;
	long id;

	pid_sparse = spawn_stopped(sparse_setup, "", &sparse);
	ASSERT_LT(0, pid_sparse);
	fd_sparse = checkpoint_to_file(pid_sparse, &id);
	ASSERT_LE(0, fd_sparse);
	pid_dense = spawn_stopped(dense_setup, "", &dense);
	ASSERT_LT(0, pid_dense);
	fd_dense = checkpoint_to_file(pid_dense, &id);
	ASSERT_LE(0, fd_dense);

	json = ckptinfo_json(fd_sparse, &status);
	ASSERT_NE(NULL, json);
	ASSERT_EQ(0, status);
	EXPECT_EQ(64, json_num(json_vma(json, sparse), "nr_pages", 0));
	free(json);

	ASSERT_EQ(0, fstat(fd_sparse, &st_sparse));
	ASSERT_EQ(0, fstat(fd_dense, &st_dense));
	EXPECT_LT(st_sparse.st_size, 2 << 20);
	EXPECT_GT(st_dense.st_size, 64 << 20);
	EXPECT_EQ(0, finish_child(pid_sparse));
	EXPECT_EQ(0, finish_child(pid_dense));
	close(fd_sparse);
	close(fd_dense);
}

/* One byte written into a 2 MiB-aligned, MADV_HUGEPAGE region. */
static unsigned long thp_setup(void *arg)
{
	unsigned long addr;

	if (!arg)
		return region[0] == 0x5a && region[(2 << 20) - 1] == 0;
	region = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		_exit(3);
	addr = ((unsigned long)region + (2 << 20) - 1) & ~((2UL << 20) - 1);
	region = (unsigned char *)addr;
	madvise(region, 2 << 20, MADV_HUGEPAGE);
	region[0] = 0x5a;
	return addr;
}

TEST(thp_saved_whole)
{
	unsigned long base, i;
	int fd, status;
	const char *vma;
	char *json;
	long id;
	pid_t pid;

	pid = spawn_stopped(thp_setup, "", &base);
	ASSERT_LT(0, pid);
	if (anon_huge_kb(pid) < 2048) {
		kill_child(pid);
		SKIP(return, "no THP was allocated");
	}
	fd = checkpoint_to_file(pid, &id);
	ASSERT_LE(0, fd);
	json = ckptinfo_json(fd, &status);
	ASSERT_NE(NULL, json);
	ASSERT_EQ(0, status);
	/* The VMA may start before the aligned address: find the page. */
	vma = strstr(json, "\n{\"start\": ");
	while (vma && !json_has_page(vma + 1, base))
		vma = strstr(vma + 1, "\n{\"start\": ");
	ASSERT_NE(NULL, vma);
	for (i = 0; i < 512; i++)
		EXPECT_TRUE(json_has_page(vma + 1, base + i * PS));
	/* Still a huge page: the walk did not split it. */
	EXPECT_LE(2048, anon_huge_kb(pid));
	EXPECT_EQ(0, finish_child(pid));
	free(json);
	close(fd);
}

/*
 * The batches of pages of the image in @fd, as the format has them: a
 * PGARR record of 1 to CR_PGARR_MAX page-aligned, increasing addresses, its
 * bounds the first and the last of them, its flags those of the PAGES
 * record after it, its digest that of its addresses and of that PAGES
 * record up to the contents; and the tail's checksum of all but those
 * addresses and PAGES records. Returns the largest batch, in pages.
 */
static unsigned int check_batches(struct __test_metadata *_metadata, int fd)
{
	size_t size = lseek(fd, 0, SEEK_END), off = 0;
	unsigned char *img = malloc(size);
	unsigned int j, most = 0, bad;
	struct cr_hdr_pgarr ha;
	struct cr_hdr_pages hp;
	struct cr_hdr_tail t;
	uint64_t a, prev = 0;
	struct cr_hdr h;

	ASSERT_NE(NULL, img);
	ASSERT_EQ(size, pread(fd, img, size, 0));
	while (off + sizeof(t) <= size) {
		memcpy(&h, img + off, sizeof(h));
		ASSERT_LE(sizeof(h), h.len);
		if (h.type == CR_HDR_TAIL)
			break;
		if (h.type == CR_HDR_PGARR) {
			memcpy(&ha, img + off, sizeof(ha));
			ASSERT_TRUE(ha.nr_pages >= 1 &&
				    ha.nr_pages <= CR_PGARR_MAX) {
				TH_LOG("PGARR at %zu: %u pages", off,
				       ha.nr_pages);
			}
			ASSERT_EQ(sizeof(ha) + 8 * ha.nr_pages, h.len);
			ASSERT_LE(off + h.len + sizeof(hp), size);
			memcpy(&hp, img + off + h.len, sizeof(hp));
			EXPECT_EQ(CR_HDR_PAGES, hp.h.type);
			EXPECT_EQ(ha.nr_pages, hp.nr_pages);
			EXPECT_EQ(hp.flags, ha.flags);
			for (bad = 0, j = 0; j < ha.nr_pages; j++) {
				memcpy(&a, img + off + sizeof(ha) + 8 * j, 8);
				if (a % PS || (j && a <= prev))
					bad++;
				if ((!j && a != ha.first) ||
				    (j == ha.nr_pages - 1 && a != ha.last))
					bad++;
				prev = a;
			}
			EXPECT_EQ(0, bad) {
				TH_LOG("PGARR at %zu: pages out of order or off %#llx-%#llx",
				       off, (unsigned long long)ha.first,
				       (unsigned long long)ha.last);
			}
			EXPECT_EQ(batch_digest(img, size, off), ha.digest) {
				TH_LOG("PGARR at %zu: digest", off);
			}
			if (ha.nr_pages > most)
				most = ha.nr_pages;
		}
		off += h.len;
	}
	ASSERT_LE(off + sizeof(t), size);
	memcpy(&t, img + off, sizeof(t));
	ASSERT_EQ(CR_HDR_TAIL, t.h.type);
	ASSERT_EQ(size, off + t.h.len);
	EXPECT_EQ(image_crc(img, off + offsetof(struct cr_hdr_tail, crc32c)),
		  t.crc32c);
	free(img);
	return most;
}

/*
 * Batches of pages sealed as the format says (check_batches()): of a
 * region whose every third page was touched, and of a dense one, whose
 * batches are full.
 */
TEST(batches_sealed)
{
	unsigned long base;
	int fd;
	long id;
	pid_t pid;

	pid = spawn_stopped(anon_setup, "", &base);
	ASSERT_LT(0, pid);
	fd = checkpoint_to_file(pid, &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, finish_child(pid));
	EXPECT_LE((NPAGES + 2) / 3, check_batches(_metadata, fd));
	close(fd);

	pid = spawn_stopped(dense_setup, "", &base);
	ASSERT_LT(0, pid);
	fd = checkpoint_to_file(pid, &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, finish_child(pid));
	EXPECT_EQ(CR_PGARR_MAX, check_batches(_metadata, fd));
	close(fd);
}

TEST(damaged_image_fails_the_checksum)
{
	unsigned long base;
	int fd, status;
	struct stat st;
	char *buf, *hit;
	long id;
	pid_t pid;

	pid = spawn_stopped(anon_setup, "", &base);
	ASSERT_LT(0, pid);
	fd = checkpoint_to_file(pid, &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, finish_child(pid));

	ASSERT_EQ(0, fstat(fd, &st));
	buf = malloc(st.st_size);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(st.st_size, pread(fd, buf, st.st_size, 0));
	hit = memmem(buf, st.st_size, MARKER, sizeof(MARKER));
	ASSERT_NE(NULL, hit);
	free(ckptinfo_json(fd, &status));
	EXPECT_EQ(0, status);

	hit[3] ^= 0x10;
	ASSERT_EQ(1, pwrite(fd, hit + 3, 1, hit + 3 - buf));
	free(ckptinfo_json(fd, &status));
	EXPECT_EQ(1, status);
	free(buf);
	close(fd);
}

TEST(stream_through_a_pipe)
{
	int p[2], status;
	unsigned long base;
	pid_t pid, reader;

	pid = spawn_stopped(dense_setup, "", &base);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, pipe(p));
	reader = fork();
	if (!reader) {
		close(p[1]);
		dup2(p[0], 0);
		execl(ckptinfo_path(), "ckptinfo", "-", NULL);
		_exit(127);
	}
	close(p[0]);
	EXPECT_LT(0, sys_checkpoint(pid, p[1], 0, -1));
	close(p[1]);
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, finish_child(pid));
}

TEST(self_checkpoint)
{
	int fd = self_image_file(), status, p[2];
	long ids[2];
	char *json;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		drop_shared_mappings();
		ids[0] = sys_checkpoint(0, fd, 0, STDERR_FILENO);
		/* Ids increase; the caller's own pid works like 0. */
		ids[1] = sys_checkpoint(getpid(), open("/dev/null", O_WRONLY),
					0, STDERR_FILENO);
		_exit(write(p[1], ids, sizeof(ids)) != sizeof(ids));
	}
	ASSERT_EQ(sizeof(ids), read(p[0], ids, sizeof(ids)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_LT(0, ids[0]);
	EXPECT_LT(ids[0], ids[1]);

	json = ckptinfo_json(fd, &status);
	ASSERT_NE(NULL, json);
	ASSERT_EQ(0, status);
	EXPECT_NE(NULL, strstr(json, "\"self\": true"));
	EXPECT_EQ(ids[0], json_num(json, "id", 0));
	/* The restored task will see checkpoint() return 0. */
	EXPECT_EQ(0, json_num(strstr(json, "\"cpu\""), "ax", 1));
	EXPECT_EQ(__NR_checkpoint, json_num(strstr(json, "\"cpu\""),
					    "orig_ax", 0));
	free(json);
	close(p[0]);
	close(p[1]);
	close(fd);
}

TEST_HARNESS_MAIN

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the checkpoint selftests: the syscall wrappers, stopped
 * children to checkpoint, and reading ckptinfo's line-oriented JSON.
 */
#ifndef CKPT_UTIL_H
#define CKPT_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ckpt_hdr.h>

#include "../../../checkpoint/thp_kb.h"

static inline long sys_checkpoint(pid_t pid, int fd, unsigned long flags,
				  int logfd)
{
	return syscall(__NR_checkpoint, pid, fd, flags, logfd);
}

static inline long sys_restart_inherit(pid_t pid, int fd, unsigned long flags,
				       int logfd, const struct cr_inherit *inh,
				       unsigned int nr)
{
	return syscall(__NR_restart, pid, fd, flags, logfd, inh, nr);
}

/* External files one test image has at most. */
#define MAX_EXTERNAL	64

/*
 * Substitutes for the external descriptors of the image at @fd's current
 * offset, as a restarter that means to hand its own on would pass them:
 * each external descriptor gets the caller's descriptor of that number
 * when the caller has one; a file none of whose descriptors got one gets
 * *@null (/dev/null, opened on first need). An image that cannot be read
 * ahead (a pipe) gets none. Returns how many were written to @inh.
 */
static inline unsigned int image_inherit(int fd, struct cr_inherit *inh,
					 int *null)
{
	unsigned char kind[MAX_EXTERNAL * 16] = { 0 }, got[sizeof(kind)] = { 0 };
	pid_t first_tid[sizeof(kind)] = { 0 };
	int first_fd[sizeof(kind)];
	off_t off = lseek(fd, 0, SEEK_CUR);
	struct cr_hdr_task t;
	struct cr_hdr_file f;
	struct cr_hdr_fd d;
	struct cr_hdr h;
	unsigned int n = 0, i;
	pid_t tgid = 0;

	while (off >= 0 && pread(fd, &h, sizeof(h), off) == sizeof(h) &&
	       h.len >= sizeof(h) && h.type != CR_HDR_TAIL) {
		if (h.type == CR_HDR_TASK &&
		    pread(fd, &t, sizeof(t), off) == sizeof(t) &&
		    t.tid == t.tgid)
			tgid = t.tid;
		if (h.type == CR_HDR_FILE &&
		    pread(fd, &f, sizeof(f), off) == sizeof(f) &&
		    f.id < sizeof(kind))
			kind[f.id] = f.kind;
		if (h.type == CR_HDR_FD &&
		    pread(fd, &d, sizeof(d), off) == sizeof(d) &&
		    d.file < sizeof(kind) && kind[d.file] == CR_FILE_EXTERNAL) {
			if (!first_tid[d.file]) {
				first_tid[d.file] = tgid;
				first_fd[d.file] = d.fd;
			}
			if (fcntl(d.fd, F_GETFD) >= 0 && n < MAX_EXTERNAL) {
				inh[n++] = (struct cr_inherit){
					.tid = tgid, .fd = d.fd, .from = d.fd };
				got[d.file] = 1;
			}
		}
		off += h.len;
	}
	/* Files none of whose descriptors we have: /dev/null. */
	for (i = 1; i < sizeof(kind) && n < MAX_EXTERNAL; i++) {
		if (kind[i] != CR_FILE_EXTERNAL || got[i] || !first_tid[i])
			continue;
		if (*null < 0)
			*null = open("/dev/null", O_RDWR | O_CLOEXEC);
		inh[n++] = (struct cr_inherit){
			.tid = first_tid[i], .fd = first_fd[i], .from = *null };
	}
	return n;
}

/*
 * image_inherit() into an array of its own, for a caller that passes it
 * in registers; *@nr is set to how many, and NULL returned for none.
 */
static inline struct cr_inherit *image_subs(int fd, long *nr)
{
	static struct cr_inherit inh[MAX_EXTERNAL];
	static int null = -1;

	*nr = image_inherit(fd, inh, &null);
	return *nr ? inh : NULL;
}

/*
 * restart(2), handing the caller's descriptors on to the image's external
 * ones (image_inherit()).
 */
static inline long sys_restart(pid_t pid, int fd, unsigned long flags,
			       int logfd)
{
	struct cr_inherit inh[MAX_EXTERNAL];
	int null = -1, err, i;
	unsigned int n = image_inherit(fd, inh, &null);
	bool ahead = lseek(fd, 0, SEEK_CUR) >= 0;
	long ret;

	/*
	 * An image that cannot be read ahead (a pipe): offer the root each
	 * of our first descriptors for its own of that number.
	 */
	for (i = 0; !ahead && i < MAX_EXTERNAL; i++)
		if (fcntl(i, F_GETFD) >= 0)
			inh[n++] = (struct cr_inherit){ .fd = i, .from = i };

	ret = sys_restart_inherit(pid, fd, flags, logfd, n ? inh : NULL, n);
	err = errno;
	if (null >= 0)
		close(null);
	errno = err;
	return ret;
}

/*
 * Close the caller's descriptors of deleted files and of /proc: the image
 * files a test made before it forked (mkstemp() and unlink()) and its
 * fail-nth file, which checkpoint(2) refuses to save. The directory's
 * own descriptor is skipped.
 */
static inline void drop_deleted_files(void)
{
	char path[300], target[256];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int fds[256], n = 0, i;
	ssize_t len;

	if (!dir)
		return;
	while (n < 256 && (d = readdir(dir))) {
		if (d->d_name[0] == '.' || atoi(d->d_name) == dirfd(dir))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", d->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strstr(target, " (deleted)") || !strncmp(target, "/memfd:", 7) ||
		    !strncmp(target, "/proc/", 6))
			fds[n++] = atoi(d->d_name);
	}
	closedir(dir);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

/*
 * Unmap the caller's shared mappings. The kselftest harness shares a page
 * with every test process for its results: a child to be checkpointed
 * drops its copy, which its image would otherwise carry as shared memory
 * of its own, and its descriptors of deleted files and memfds
 * (drop_deleted_files()), which are the harness's, not the test's.
 */
static inline void drop_shared_mappings(void)
{
	unsigned long start[16], end[16];
	char line[512], perms[8];
	int n = 0, i;
	FILE *maps;

	drop_deleted_files();
	maps = fopen("/proc/self/maps", "r");
	if (!maps)
		return;
	while (n < 16 && fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx %7s", &start[n], &end[n], perms) == 3 &&
		    perms[3] == 's')
			n++;
	fclose(maps);
	for (i = 0; i < n; i++)
		munmap((void *)start[i], end[i] - start[i]);
}

/*
 * Fork a child that runs @setup(@arg), sends back the address it returns
 * through a pipe and stops itself. Returns its pid with *addr set, once
 * it is stopped; -1 on failure.
 */
static inline pid_t spawn_stopped(unsigned long (*setup)(void *), void *arg,
				  unsigned long *addr)
{
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		unsigned long a;

		drop_shared_mappings();
		a = setup(arg);

		close(p[0]);
		if (write(p[1], &a, sizeof(a)) != sizeof(a))
			_exit(1);
		raise(SIGSTOP);
		/* Resumed: report whether setup's memory is intact. */
		_exit(setup(NULL) ? 0 : 2);
	}
	close(p[1]);
	if (read(p[0], addr, sizeof(*addr)) != sizeof(*addr)) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		return -1;
	return pid;
}

/* Resume a stopped child and return its exit status, -1 if it died. */
static inline int finish_child(pid_t pid)
{
	int status;

	kill(pid, SIGCONT);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static inline void kill_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * Fork a child that drops its shared mappings and exits with @fn()'s
 * value; @fn stops itself (raise(SIGSTOP)) once it is ready to be
 * checkpointed. Returns the pid once the child is stopped, or -1.
 */
static inline pid_t spawn_fn(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		drop_shared_mappings();
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid ||
	    !WIFSTOPPED(status))
		return -1;
	return pid;
}

/* Exit status of a restart child whose restart(2) failed with @err. */
#define RESTART_FAILED(err)	(100 + (err))

/*
 * Restart the image in @fd in a new child, which first runs @prep (if
 * any), logging to @logfd; @sig, if not 0, is sent to it at once,
 * blocked until restart(2) gives the child the image's mask. Returns
 * the child's exit status, RESTART_FAILED(errno) if restart(2) failed,
 * or 128 + the signal that killed it.
 */
static inline int restart_child_log(int fd, void (*prep)(void), int sig,
				    int logfd)
{
	sigset_t set, old;
	int status;
	pid_t pid;

	sigemptyset(&set);
	if (sig)
		sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (!pid) {
		if (prep)
			prep();
		lseek(fd, 0, SEEK_SET);
		sys_restart(0, fd, RESTART_RUN, logfd);
		_exit(RESTART_FAILED(errno));
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return -1;
	if (sig)
		kill(pid, sig);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status);
}

/* restart_child_log(), logging to standard error. */
static inline int restart_child(int fd, void (*prep)(void), int sig)
{
	return restart_child_log(fd, prep, sig, STDERR_FILENO);
}

/*
 * The errno restart(2) of the image in @fd fails with, logging to
 * @logfd; 0 when it restarted. In a child, so that an image taken where
 * it should have been refused replaces the child, which then exits
 * below RESTART_FAILED(0), and not the test, whose exit would pass it.
 */
static inline int restart_errno(int fd, int logfd)
{
	int st = restart_child_log(fd, NULL, 0, logfd);

	return st > RESTART_FAILED(0) ? st - RESTART_FAILED(0) : st < 0 ? -1 : 0;
}

/* Write @val to the file at @path (a /proc or cgroup knob); 0 or -1. */
static inline int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* Keep the compiler from assuming memory at @p unchanged across a stop. */
static inline void escape(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/*
 * The number a "@field@sep N" line of the file @path gives: @sep is ':'
 * in /proc (meminfo, status, smaps_rollup: kB), ' ' in a cgroup's
 * memory.stat (bytes). -1 when there is none.
 */
static inline long file_field(const char *path, const char *field, char sep)
{
	size_t len = strlen(field);
	char line[256];
	long val = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == sep) {
			val = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

/* The kB a "@field: N kB" line of the /proc file @path gives, or -1. */
static inline long proc_kb(const char *path, const char *field)
{
	return file_field(path, field, ':');
}

/*
 * Whether cgroup v2 is at @root, mounted there now if it was not (the
 * kselftest guest mounts no cgroup file system of its own).
 */
static inline bool cgroup2_at(const char *root)
{
	char procs[256];

	mkdir(root, 0755);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", root);
	return !access(procs, F_OK) || !mount("none", root, "cgroup2", 0, NULL);
}

/* kB of AnonHugePages in the address space of @pid. */
static inline long anon_huge_kb(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	return proc_kb(path, "AnonHugePages");
}

/* A fresh image file in /tmp, open for reading and writing. */
static inline int image_file(void)
{
	char name[] = "/tmp/ckpt-image-XXXXXX";
	int fd = mkstemp(name);

	if (fd >= 0)
		unlink(name);
	return fd;
}

/*
 * An image file that keeps its name, for a task that checkpoints itself:
 * the descriptor it writes to is in its own image, and checkpoint(2)
 * refuses a deleted file. Guest /tmp is thrown away with the guest.
 */
static inline int self_image_file(void)
{
	char name[] = "/tmp/ckpt-self-XXXXXX";
	int fd = mkstemp(name);

	/* Restored tasks reopen it, whoever restarts them. */
	if (fd >= 0)
		fchmod(fd, 0666);
	return fd;
}

/*
 * Checkpoint the stopped @pid into a fresh image, kill it, and restart
 * the image in a new child (see restart_child()). Returns that child's
 * exit status, or -1 when the checkpoint failed.
 */
static inline int roundtrip_pid(pid_t pid, void (*prep)(void), int sig)
{
	int fd = image_file(), ret = -1;

	if (pid > 0 && fd >= 0 && sys_checkpoint(pid, fd, 0, STDERR_FILENO) > 0)
		ret = 0;
	if (pid > 0)
		kill_child(pid);
	if (!ret)
		ret = restart_child(fd, prep, sig);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* clone3(2)'s arguments up to set_tid, as in <linux/sched.h>. */
struct ckpt_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size;
};

#ifndef __NR_clone3
#define __NR_clone3	435
#endif
#ifndef CLONE_NEWPID
#define CLONE_NEWPID	0x20000000
#endif

/*
 * fork(2) through clone3(2): with @flags (CLONE_NEWPID makes the child
 * pid 1 of a new pid namespace, as unshare(CLONE_NEWPID) and fork()
 * would) and, when @pid is not 0, with that pid (set_tid, which needs
 * CAP_CHECKPOINT_RESTORE). Returns 0 in the child, as fork() does.
 */
static inline pid_t fork_clone3(unsigned long flags, pid_t pid)
{
	struct ckpt_clone_args args = {
		.flags = flags, .exit_signal = SIGCHLD,
	};

	if (pid) {
		args.set_tid = (uintptr_t)&pid;
		args.set_tid_size = 1;
	}
	return syscall(__NR_clone3, &args, sizeof(args));
}

/*
 * The state letter /proc shows for thread @tid of process @pid: 'R',
 * 'S', 'T' (stopped), 't' (traced), 'Z'...; 0 when there is none.
 */
static inline char task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * waitpid(@pid) for its exit, for at most @secs seconds. Returns 0 with
 * *status set, or -1 when it had not exited by then: it is then killed
 * and reaped, so that a hung restored task fails a test, not the run.
 */
static inline int wait_exit_within(pid_t pid, int secs, int *status)
{
	int i;

	for (i = 0; i < secs * 100; i++) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return -1;
}

/* What is in the (O_NONBLOCK) log pipe @fd, NUL-terminated in @buf. */
static inline const char *read_log(int fd, char *buf, size_t size)
{
	ssize_t n = read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/*
 * Checkpoint @pid into @img with @flags, logging to the pipe @log, whose
 * text goes into @buf; then kill it. Returns what checkpoint(2) did,
 * with its errno.
 */
static inline long checkpoint_then_kill(pid_t pid, int img,
					unsigned long flags, const int log[2],
					char *buf, size_t size)
{
	long ret = sys_checkpoint(pid, img, flags, log[1]);
	int err = errno;

	read_log(log[0], buf, size);
	kill_child(pid);
	errno = err;
	return ret;
}

/* The path of tool @name, installed next to the test programs. */
static inline const char *tool_path(const char *name)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 16);
	char *slash;

	if (n <= 0)
		return name;
	path[n] = '\0';
	slash = strrchr(path, '/');
	slash = slash ? slash + 1 : path;
	snprintf(slash, path + sizeof(path) - slash, "%s", name);
	return path;
}

static inline const char *ckptinfo_path(void)
{
	return tool_path("ckptinfo");
}

/*
 * Run "ckptinfo --json --pages" on the image in @fd. Returns its output
 * (malloc'd, NUL-terminated) and sets *status to its exit status.
 */
static inline char *ckptinfo_json(int fd, int *status)
{
	size_t size = 1 << 16, len = 0;
	char *out = malloc(size);
	int p[2], st;
	ssize_t n;
	pid_t pid;

	if (!out || pipe(p))
		return NULL;
	pid = fork();
	if (!pid) {
		dup2(fd, 0);
		dup2(p[1], 1);
		lseek(0, 0, SEEK_SET);
		execl(ckptinfo_path(), "ckptinfo", "--json", "--pages", "-",
		      NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], out + len, size - len - 1)) > 0) {
		len += n;
		if (len + 1 == size) {
			size *= 2;
			out = realloc(out, size);
			if (!out)
				break;
		}
	}
	close(p[0]);
	waitpid(pid, &st, 0);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (out)
		out[len] = '\0';
	return out;
}

/* The number after "key": in @s, or @def when absent. */
static inline unsigned long long json_num(const char *s, const char *key,
					  unsigned long long def)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(s, pat);
	return p ? strtoull(p + strlen(pat), NULL, 10) : def;
}

/* The VMA line of ckptinfo's JSON that starts at @start, or NULL. */
static inline const char *json_vma(const char *json, unsigned long start)
{
	char pat[64];

	snprintf(pat, sizeof(pat), "{\"start\": %lu,", start);
	return strstr(json, pat);
}

/* Count the VMA lines of ckptinfo's JSON. */
static inline int json_nr_vmas(const char *json)
{
	const char *p = json;
	int n = 0;

	while ((p = strstr(p, "\n{\"start\": "))) {
		n++;
		p++;
	}
	return n;
}

/* Whether the VMA line @vma lists @addr among its saved pages. */
static inline int json_has_page(const char *vma, unsigned long addr)
{
	const char *end = strchr(vma, '\n');
	const char *p = strstr(vma, "\"pages\": [");
	char *next;

	if (!p || (end && p > end))
		return 0;
	p += strlen("\"pages\": [");
	while (*p && *p != ']') {
		if (strtoul(p, &next, 10) == addr)
			return 1;
		p = next;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

/*
 * Whether the VMA at @addr shows VmFlags mnemonic @fl in
 * /proc/self/smaps: 1 or 0, -1 when smaps cannot be read.
 */
static inline int vm_flag(void *addr, const char *fl)
{
	char line[512], want[8];
	unsigned long start, end;
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0, found = 0;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), " %s", fl);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = (unsigned long)addr >= start &&
			     (unsigned long)addr < end;
		else if (in && !strncmp(line, "VmFlags:", 8))
			found = !!strstr(line, want);
	}
	fclose(f);
	return found;
}

/* Whether a node named @name is listed in the mounted pram filesystem. */
static inline int pram_listed(const char *name)
{
	DIR *d = opendir("/sys/fs/pram");
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		if (!strcmp(e->d_name, name))
			found = 1;
	if (d)
		closedir(d);
	return found;
}

#endif /* CKPT_UTIL_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The peer in the ckpt-bench programs: Debian's criu, run in the same
 * guest on the same workload, and timed to the same point, the restored
 * task's first instruction (its first write to a pipe the bench reads).
 */
#ifndef CKPT_BENCH_CRIU_H
#define CKPT_BENCH_CRIU_H

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "bench.h"

#define CRIU		"/usr/sbin/criu"
#define CRIU_DIR	"/tmp/criu-bench"
/* The criu workload waits for a byte on this descriptor. */
#define GO_FD		98
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The criu workload: as ours, but it waits for a byte, not a signal. */
struct criu_task {
	pid_t pid;
	ino_t go_ino, resumed_ino;
	int go_w;	/* held until the dump: without a writer, read() ends */
};

static inline ino_t pipe_ino(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		die("fstat");
	return st.st_ino;
}

/*
 * criu dumps a running task (it stops it itself) and restores it as it
 * was: so that the restored task runs at once, this one waits in read()
 * on GO_FD, and restore hands it a pipe that already holds a byte. Its
 * standard descriptors are /dev/null (criu dumps no serial tty) and it
 * leads a session of its own (or criu would want --shell-job).
 */
static inline struct criu_task criu_spawn(unsigned long len, bool filled)
{
	struct criu_task ct;
	int go[2], resumed[2];
	char c;

	if (pipe(go) || pipe(resumed))
		die("pipe");
	ct.go_ino = pipe_ino(go[0]);
	ct.resumed_ino = pipe_ino(resumed[1]);
	ct.pid = fork();
	if (!ct.pid) {
		int null = open("/dev/null", O_RDWR);
		char *p;

		setsid();
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		dup2(go[0], GO_FD);
		dup2(resumed[1], RESUMED_FD);
		close_range(3, GO_FD - 1, 0);
		close_range(RESUMED_FD + 1, ~0U, 0);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		dirty(p, len);
		if (write(RESUMED_FD, "s", 1) != 1 || read(GO_FD, &c, 1) != 1)
			_exit(1);
		if (filled)
			wait_resident(p, len);
		_exit(write(RESUMED_FD, "r", 1) != 1);
	}
	close(go[0]);
	close(resumed[1]);
	if (read(resumed[0], &c, 1) != 1 || c != 's') {
		fprintf(stderr, "the criu workload did not start\n");
		exit(1);
	}
	ct.go_w = go[1];
	close(resumed[0]);
	return ct;
}

/* Start criu with the arguments in @argv, which ends in a NULL; its pid. */
static inline pid_t criu_startv(const char *const *argv)
{
	pid_t pid = fork();

	if (!pid) {
		execv(CRIU, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0)
		die("fork");
	return pid;
}

/* Start criu with the arguments given, up to a NULL; its pid. */
static inline pid_t criu_start(const char *arg, ...)
{
	const char *argv[16] = { "criu" };
	unsigned int n = 1;
	va_list ap;

	va_start(ap, arg);
	for (; arg && n < ARRAY_SIZE(argv) - 1; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	return criu_startv(argv);
}

/* Wait for criu, started as @pid; its exit status. */
static inline int criu_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid criu");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static inline void criu_failed(const char *what, int rc, const char *log)
{
	char cmd[256];

	fprintf(stderr, "criu %s failed (exit %d); the end of its log:\n", what,
		rc);
	snprintf(cmd, sizeof(cmd), "tail -15 %s/%s >&2", CRIU_DIR, log);
	if (system(cmd))
		fprintf(stderr, "(no log)\n");
	exit(1);
}

/*
 * An empty CRIU_DIR: the last dump's images go before the next workload
 * starts, so that two never take the guest's memory at once.
 */
static inline void criu_empty_dir(void)
{
	if (system("rm -rf " CRIU_DIR " && mkdir " CRIU_DIR))
		die("mkdir " CRIU_DIR);
}

/*
 * "criu dump -t @pid" into CRIU_DIR, which the caller emptied before it
 * started the workload (criu_empty_dir()), from its start until it has
 * written the images and killed the task and every descendant of it.
 */
static inline double criu_dump_pid(pid_t pid)
{
	char arg[16];
	double t;
	int rc;

	snprintf(arg, sizeof(arg), "%d", pid);
	t = now();
	rc = criu_wait(criu_start("dump", "-t", arg, "-D", CRIU_DIR, "-o",
				  "dump.log", NULL));
	t = now() - t;
	if (rc)
		criu_failed("dump", rc, "dump.log");
	return t;
}

/*
 * "criu dump" of a fresh workload of @len bytes into CRIU_DIR, from its
 * start until it has written the images and killed the task; the
 * workload's pipe inodes, for the restore, in @ct. Once restored, the
 * workload reports at once, or once every page is in (@filled).
 */
static inline double criu_dump(unsigned long len, bool filled,
			       struct criu_task *ct)
{
	double t;

	criu_empty_dir();
	*ct = criu_spawn(len, filled);
	t = criu_dump_pid(ct->pid);
	/* criu killed it; reap it, so that its pid is free to restore. */
	waitpid(ct->pid, NULL, 0);
	close(ct->go_w);
	return t;
}

/* The bytes of the images in CRIU_DIR, its logs left out. */
static inline off_t criu_images_size(void)
{
	DIR *dir = opendir(CRIU_DIR);
	struct dirent *d;
	struct stat st;
	off_t size = 0;
	size_t n;

	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		n = strlen(d->d_name);
		if (n > 4 && !strcmp(d->d_name + n - 4, ".log"))
			continue;
		if (!fstatat(dirfd(dir), d->d_name, &st, 0) &&
		    S_ISREG(st.st_mode))
			size += st.st_size;
	}
	closedir(dir);
	return size;
}

/* How criu_restore() restores. */
enum {
	CRIU_LAZY	= 1 << 0,	/* its pages from "criu lazy-pages" */
	CRIU_DETACH	= 1 << 1,	/* "criu restore -d", then a kill */
};

#define CRIU_PIDFILE	CRIU_DIR "/restore.pid"

/*
 * "criu restore" from CRIU_DIR, from its start to the restored task's
 * report: it gets a GO_FD that holds a byte, so it runs on at once. With
 * CRIU_LAZY, the pages come from a "criu lazy-pages" daemon, started
 * first, through userfaultfd ("criu restore --lazy-pages"), and the time
 * counts from the daemon's start.
 *
 * Without CRIU_DETACH, criu waits for the task it restored, which ends
 * after its report. A tree's init must not: the restored tree runs
 * while criu still detaches from its other tasks, and were the init to
 * end, its pid namespace would kill them under criu, which fails to
 * detach and then waits forever for the init, whose end waits for those
 * that criu traces. So with CRIU_DETACH, criu ends once it has let every
 * task go ("-d"), and then the restored task is killed here: it is
 * reaped here if the caller is a child subreaper, or else by init.
 */
static inline double criu_restore(const struct criu_task *ct,
				  unsigned int flags)
{
	const char *argv[16] = { "criu", "restore", "-D", CRIU_DIR, "-o",
				 "restore.log" };
	char go_arg[64], resumed_arg[64];
	int go[2], resumed[2], status, rc;
	pid_t pid, daemon = 0, root = 0;
	unsigned int n = 6;
	FILE *f;
	double t;
	char c;

	if (pipe(go) || pipe(resumed) || write(go[1], "g", 1) != 1)
		die("pipe");
	snprintf(go_arg, sizeof(go_arg), "fd[%d]:pipe:[%lu]", go[0],
		 (unsigned long)ct->go_ino);
	snprintf(resumed_arg, sizeof(resumed_arg), "fd[%d]:pipe:[%lu]",
		 resumed[1], (unsigned long)ct->resumed_ino);
	argv[n++] = "--inherit-fd";
	argv[n++] = go_arg;
	argv[n++] = "--inherit-fd";
	argv[n++] = resumed_arg;
	if (flags & CRIU_LAZY)
		argv[n++] = "--lazy-pages";
	if (flags & CRIU_DETACH) {
		argv[n++] = "-d";
		argv[n++] = "--pidfile";
		argv[n++] = CRIU_PIDFILE;
	}
	unlink(CRIU_DIR "/lazy-pages.socket");
	unlink(CRIU_PIDFILE);
	t = now();
	if (flags & CRIU_LAZY) {
		daemon = criu_start("lazy-pages", "-D", CRIU_DIR, "-o",
				    "lazy-pages.log", NULL);
		/* restore connects to it: wait until it listens */
		while (access(CRIU_DIR "/lazy-pages.socket", F_OK))
			usleep(1000);
	}
	pid = criu_startv(argv);
	close(go[0]);
	close(resumed[1]);
	rc = read(resumed[0], &c, 1);
	t = now() - t;
	status = criu_wait(pid);
	if (rc != 1 || c != 'r' || ((flags & CRIU_DETACH) && status))
		criu_failed("restore", status, "restore.log");
	if (flags & CRIU_DETACH) {
		f = fopen(CRIU_PIDFILE, "r");
		if (!f || fscanf(f, "%d", &root) != 1 || root <= 0)
			die(CRIU_PIDFILE);
		fclose(f);
		kill(root, SIGKILL);
		waitpid(root, NULL, 0);
	}
	/* The task is gone: the daemon has nothing left to serve. */
	if (daemon) {
		kill(daemon, SIGKILL);
		criu_wait(daemon);
	}
	close(go[1]);
	close(resumed[0]);
	return t;
}

#endif /* CKPT_BENCH_CRIU_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Round trips of a multi-threaded process: a main thread and 8 workers,
 * each worker with registers of its own (general and xmm0-15, held in
 * regs_loop_tls()), its own TLS value and fs base, name, blocked mask,
 * alternate signal stack and a signal pending for it alone (sent with
 * pthread_kill() and blocked); one more signal is pending for the whole
 * process. Worker 0 holds a robust mutex the main thread sleeps on in
 * pthread_mutex_lock(); worker 1 holds another and will exit holding it.
 *
 * The process is stopped with SIGSTOP, checkpointed (flags 0: all of its
 * threads), killed, and restarted in a child forked with its pid
 * (clone3() set_tid, hence root). Once restored, every worker reports
 * what it finds through a pipe and the main thread hands the report
 * over; each test asserts one part of it, byte for byte.
 *
 * Also: restart from a caller whose pid is not the image's, and a
 * checkpoint while one thread runs.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <pthread.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <time.h>

#include <linux/ckpt_hdr.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "regs_loop.h"

#define NR_WORKERS	8
#define NR_TASKS	(NR_WORKERS + 1)
#define REPORT_FD	100
#define ALTSTACK_SIZE	(64 << 10)

#define SIG_GO		SIGUSR1		/* ends a worker's register loop */
/*
 * Counted, on the worker's altstack. Real-time, so that a neighbour's
 * pthread_kill() and the worker's own raise() are two signals even when
 * one is still pending as the other comes: SIGUSR2 would merge them.
 */
#define SIG_HIT		(SIGRTMIN + 25)
#define SIG_SHARED	(SIGRTMIN + 20)	/* pending for the whole process */
#define SHARED_VALUE	((void *)0x5eed0000beefUL)

/* Worker @i's own pending signal, and one more that it only blocks. */
static int own_sig(int i)
{
	return SIGRTMIN + i;
}

static int extra_sig(int i)
{
	return SIGRTMIN + 10 + i;
}

static uint64_t sig_bit(int sig)
{
	return 1ULL << (sig - 1);
}

/* The blocked mask of worker @i, bit n-1 for signal n. */
static uint64_t worker_mask(int i)
{
	return sig_bit(own_sig(i)) | sig_bit(extra_sig(i)) |
	       sig_bit(SIG_SHARED) | (i % 2 ? sig_bit(SIGHUP) : 0);
}

static uint64_t main_mask(void)
{
	return sig_bit(SIG_SHARED) | sig_bit(SIG_HIT) | sig_bit(SIGWINCH);
}

/* What worker @i holds in register @r (regs_loop.h order), xmm byte @b. */
static uint64_t gpr_value(int i, int r)
{
	return (0x0123456789abcdefULL * (r + 1) ^ ((uint64_t)(i + 1) << 56)) +
	       i * 0x10001;
}

static unsigned char xmm_byte(int i, int b)
{
	return b * 37 + i * 101 + 11;
}

static uint64_t tls_expected(int i)
{
	return 0x7157000000000000ULL | (i * 0x01010101ULL);
}

static void worker_name(int i, char name[16])
{
	snprintf(name, 16, "ckpt-worker-%d", i);
}

static uint64_t set_to_mask(const sigset_t *set)
{
	uint64_t m;

	memcpy(&m, set, sizeof(m));
	return m;
}

static void mask_to_set(uint64_t m, sigset_t *set)
{
	sigemptyset(set);
	memcpy(set, &m, sizeof(m));
}

/* What a restored worker found, as it found it. */
struct worker_report {
	uint64_t gpr[REGS_NR_GPRS];
	unsigned char xmm[16 * 16];
	uint64_t tls, fs_before, fs_after;
	char name[16];
	uint64_t blocked, pending;
	siginfo_t ref;		/* pthread_kill() to itself, taken at once */
	siginfo_t own;		/* its own pending signal, by sigtimedwait() */
	int own_ret;
	pid_t tid;		/* gettid() */
	int hits, hits_on_altstack;	/* SIG_HIT from raise() and a neighbour */
	int kill_ret, raise_ret;
	int done;
};

/* What the restored process hands over: its workers' and its own. */
struct report {
	struct worker_report w[NR_WORKERS];
	int join[NR_WORKERS];	/* pthread_timedjoin_np() of each worker */
	int lock_a;		/* the main thread's pthread_mutex_lock() */
	int lock_b;		/* and pthread_mutex_timedlock() of b */
	uint64_t main_blocked, main_pending;
	siginfo_t shared;	/* the process's pending signal */
	int shared_ret;
	pid_t pid;
	char main_name[16];
	mode_t umask;		/* process-wide: umask, a limit, personality */
	struct rlimit core;
	int personality;
	int pdeath;		/* the main thread's parent-death signal */
};

/* Process-wide state the main thread sets before the workers start. */
#define UMASK		027
#define CORE_LIMIT	{ .rlim_cur = 0x3000, .rlim_max = 0x5000 }
#define PERSONALITY	(PER_LINUX | ADDR_NO_RANDOMIZE)
#define PDEATH_SIG	SIGURG

/* The threaded process's state; all in its memory, as the image. */
static struct {
	pthread_t th[NR_WORKERS];
	pid_t tid[NR_WORKERS];
	uint64_t fs[NR_WORKERS];
	pthread_mutex_t a, b;
	pthread_barrier_t bar;
	int ready[2];
	int hits[NR_WORKERS], on_alt[NR_WORKERS];
	char alt[NR_WORKERS][ALTSTACK_SIZE];
	struct report rep;
} g;

static __thread int my_idx;
static __thread uint64_t tls_value;

static void on_go(int sig)
{
	__atomic_store_n(&regs_tgo, 1, __ATOMIC_SEQ_CST);
}

static void on_hit(int sig)
{
	int i = my_idx;
	char here;

	if (i < 0 || i >= NR_WORKERS)
		return;
	if (&here >= g.alt[i] && &here < g.alt[i] + ALTSTACK_SIZE)
		__atomic_add_fetch(&g.on_alt[i], 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&g.hits[i], 1, __ATOMIC_SEQ_CST);
}

/* Restored worker @i: what its registers, TLS and signal state hold. */
static void worker_report(int i, struct worker_report *r)
{
	struct timespec zero = { 0 };
	sigset_t set;

	memcpy(r->gpr, regs_tout, sizeof(r->gpr));
	memcpy(r->xmm, regs_tvout, sizeof(r->xmm));
	r->tls = tls_value;
	r->fs_before = g.fs[i];
	syscall(SYS_arch_prctl, ARCH_GET_FS, &r->fs_after);
	prctl(PR_GET_NAME, r->name);
	r->tid = gettid();
	pthread_sigmask(SIG_BLOCK, NULL, &set);
	r->blocked = set_to_mask(&set);
	sigpending(&set);
	r->pending = set_to_mask(&set);
	sigemptyset(&set);
	sigaddset(&set, own_sig(i));
	r->own_ret = sigtimedwait(&set, &r->own, &zero);
}

/* pthread_kill() the next worker and raise() to itself: two hits. */
static void worker_signals(int i, struct worker_report *r)
{
	int n;

	r->kill_ret = pthread_kill(g.th[(i + 1) % NR_WORKERS], SIG_HIT);
	r->raise_ret = raise(SIG_HIT);
	for (n = 0; n < 2000; n++) {
		if (__atomic_load_n(&g.hits[i], __ATOMIC_SEQ_CST) >= 2)
			break;
		usleep(1000);
	}
	r->hits = __atomic_load_n(&g.hits[i], __ATOMIC_SEQ_CST);
	r->hits_on_altstack = __atomic_load_n(&g.on_alt[i], __ATOMIC_SEQ_CST);
}

static void *worker(void *arg)
{
	int i = (long)arg, b;
	stack_t ss = { .ss_sp = g.alt[i], .ss_size = ALTSTACK_SIZE };
	struct worker_report *r = &g.rep.w[i];
	char name[16];
	sigset_t set;

	my_idx = i;
	tls_value = tls_expected(i);
	worker_name(i, name);
	if (pthread_setname_np(pthread_self(), name) || sigaltstack(&ss, NULL))
		_exit(3);
	g.tid[i] = gettid();
	syscall(SYS_arch_prctl, ARCH_GET_FS, &g.fs[i]);
	mask_to_set(worker_mask(i), &set);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	/* The siginfo this kernel queues for pthread_kill(), to compare. */
	if (pthread_kill(pthread_self(), extra_sig(i)))
		_exit(3);
	sigemptyset(&set);
	sigaddset(&set, extra_sig(i));
	if (sigwaitinfo(&set, &r->ref) != extra_sig(i))
		_exit(3);
	if (pthread_kill(pthread_self(), own_sig(i)))
		_exit(3);
	if (i == 0 && pthread_mutex_lock(&g.a))
		_exit(3);
	if (i == 1 && pthread_mutex_lock(&g.b))
		_exit(3);
	for (b = 0; b < REGS_NR_GPRS; b++)
		regs_tin[b] = gpr_value(i, b);
	for (b = 0; b < (int)sizeof(regs_tvin); b++)
		regs_tvin[b] = xmm_byte(i, b);
	regs_loop_tls(g.ready[1]);

	/* Restored, and the test's SIG_GO ended the loop. */
	worker_report(i, r);
	pthread_barrier_wait(&g.bar);
	worker_signals(i, r);
	pthread_barrier_wait(&g.bar);
	if (i == 0)
		pthread_mutex_unlock(&g.a);
	r->done = 1;
	/* Worker 1 exits holding b: its robust list hands it over. */
	return NULL;
}

/* Restored main thread: the mutexes, the shared signal, its own state. */
static void main_report(struct report *rep)
{
	struct timespec zero = { 0 }, ts;
	sigset_t set;
	int i;

	for (i = 0; i < NR_WORKERS; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 10;
		rep->join[i] = pthread_timedjoin_np(g.th[i], NULL, &ts);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	rep->lock_b = pthread_mutex_timedlock(&g.b, &ts);
	if (rep->lock_b == EOWNERDEAD)
		pthread_mutex_consistent(&g.b);
	pthread_sigmask(SIG_BLOCK, NULL, &set);
	rep->main_blocked = set_to_mask(&set);
	sigpending(&set);
	rep->main_pending = set_to_mask(&set);
	sigemptyset(&set);
	sigaddset(&set, SIG_SHARED);
	rep->shared_ret = sigtimedwait(&set, &rep->shared, &zero);
	prctl(PR_GET_NAME, rep->main_name);
	rep->pid = getpid();
	rep->umask = umask(0);
	getrlimit(RLIMIT_CORE, &rep->core);
	rep->personality = personality(0xffffffff);
	prctl(PR_GET_PDEATHSIG, &rep->pdeath);
}

/*
 * The threaded process. Sends the workers' tids to @fd once they all
 * spin in their loops, then sleeps on mutex a until worker 0, restored,
 * hands it over; writes the report to REPORT_FD, which the restart
 * caller set up.
 */
static int threads_main(int fd)
{
	struct sigaction go = { .sa_handler = on_go, .sa_flags = SA_RESTART };
	struct sigaction hit = { .sa_handler = on_hit,
				 .sa_flags = SA_RESTART | SA_ONSTACK };
	union sigval val = { .sival_ptr = SHARED_VALUE };
	struct rlimit core = CORE_LIMIT;
	pthread_mutexattr_t ma;
	sigset_t set;
	long i;
	char c;

	drop_shared_mappings();
	my_idx = -1;
	sigemptyset(&go.sa_mask);
	sigemptyset(&hit.sa_mask);
	if (sigaction(SIG_GO, &go, NULL) || sigaction(SIG_HIT, &hit, NULL))
		return 1;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	if (pthread_mutex_init(&g.a, &ma) || pthread_mutex_init(&g.b, &ma) ||
	    pthread_barrier_init(&g.bar, NULL, NR_WORKERS) || pipe(g.ready))
		return 1;
	prctl(PR_SET_NAME, "ckpt-main");
	umask(UMASK);
	if (setrlimit(RLIMIT_CORE, &core) || personality(PERSONALITY) < 0 ||
	    prctl(PR_SET_PDEATHSIG, PDEATH_SIG))
		return 1;
	mask_to_set(main_mask(), &set);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	for (i = 0; i < NR_WORKERS; i++)
		if (pthread_create(&g.th[i], NULL, worker, (void *)i))
			return 1;
	for (i = 0; i < NR_WORKERS; i++)
		if (read(g.ready[0], &c, 1) != 1)
			return 1;
	if (sigqueue(getpid(), SIG_SHARED, val))
		return 1;
	if (write(fd, g.tid, sizeof(g.tid)) != sizeof(g.tid))
		return 1;
	/* Worker 0 holds it: asleep in futex(2) until restored. */
	g.rep.lock_a = pthread_mutex_lock(&g.a);
	main_report(&g.rep);
	if (write(REPORT_FD, &g.rep, sizeof(g.rep)) != sizeof(g.rep))
		return 4;
	return 0;
}

/* Whether thread @pid of process @pid sleeps in syscall @nr. */
static int in_syscall(pid_t pid, long nr)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 && strtol(buf, NULL, 10) == nr;
}

/*
 * Fork the threaded process, wait until the main thread sleeps on the
 * mutex and the workers spin, and stop it. Returns its pid, with the
 * workers' tids in @tid, or -1.
 */
static pid_t spawn_threads(pid_t *tid)
{
	int p[2], status, i;
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		close(p[0]);
		_exit(threads_main(p[1]));
	}
	close(p[1]);
	n = read(p[0], tid, NR_WORKERS * sizeof(*tid));
	close(p[0]);
	if (n != NR_WORKERS * sizeof(*tid)) {
		kill_child(pid);
		return -1;
	}
	for (i = 0; i < 1000 && !in_syscall(pid, SYS_futex); i++)
		usleep(10000);
	/* The workers wrote from their loop, a few instructions before it. */
	usleep(100000);
	kill(pid, SIGSTOP);
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		return -1;
	return pid;
}

FIXTURE(threads) {
	pid_t pid;		/* the checkpointed process, gone since */
	pid_t tid[NR_WORKERS];
	int img;
	int log[2];
	int keep[2];		/* REPORT_FD's pipe at checkpoint */
	char logbuf[1024];
	int status;		/* of the restored process */
	ssize_t got;		/* bytes of its report */
	struct report rep;
};

FIXTURE_SETUP(threads)
{
	if (geteuid())
		SKIP(return, "restart with the image's pid needs root");
	self->img = image_file();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, pipe2(self->log, O_NONBLOCK));
	/*
	 * The process holds REPORT_FD when checkpointed: a pipe whose ends
	 * are out here too, external, so that restart takes the restarter's
	 * REPORT_FD for it.
	 */
	ASSERT_EQ(0, pipe(self->keep));
	ASSERT_EQ(REPORT_FD, dup2(self->keep[1], REPORT_FD));
	self->pid = spawn_threads(self->tid);
	ASSERT_LT(0, self->pid);
	ASSERT_LT(0, sys_checkpoint(self->pid, self->img, 0, self->log[1])) {
		TH_LOG("checkpoint: %s", read_log(self->log[0], self->logbuf,
						  sizeof(self->logbuf)));
	}
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	kill_child(self->pid);
}

FIXTURE_TEARDOWN(threads)
{
	close(REPORT_FD);
	close(self->keep[0]);
	close(self->keep[1]);
	close(self->img);
	close(self->log[0]);
	close(self->log[1]);
}

/*
 * Restart the image with @flags in a child forked with the image's pid,
 * its REPORT_FD the write end of @rep. Returns the child's pid.
 */
static pid_t start_restart(struct _test_data_threads *self,
			   unsigned long flags, int rep[2])
{
	pid_t child;

	if (pipe(rep))
		return -1;
	child = fork_clone3(0, self->pid);
	if (!child) {
		dup2(rep[1], REPORT_FD);
		lseek(self->img, 0, SEEK_SET);
		sys_restart(0, self->img, flags, self->log[1]);
		_exit(RESTART_FAILED(errno));
	}
	close(rep[1]);
	return child;
}

/*
 * Whether all the image's tasks are there in process @child, each in a
 * group stop (@stopped) or each not.
 */
static int all_tasks(struct _test_data_threads *self, pid_t child,
		     int stopped)
{
	char s = task_state(child, child);
	int i;

	if (!s || (s == 'T') != stopped)
		return 0;
	for (i = 0; i < NR_WORKERS; i++) {
		s = task_state(child, self->tid[i]);
		if (!s || (s == 'T') != stopped)
			return 0;
	}
	return 1;
}

/* Wait up to 10 seconds for all_tasks(); 0 once true, else -1. */
static int wait_tasks(struct _test_data_threads *self, pid_t child,
		      int stopped)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (all_tasks(self, child, stopped))
			return 0;
		if (task_state(child, child) == 'Z')
			return -1;
		usleep(10000);
	}
	return -1;
}

static int nr_tasks(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/*
 * Send SIG_GO to every worker of @child until it exits (a worker done
 * with its loop takes more in its stride), for at most a minute. Returns
 * 0 with self->status set, else -1 (then it is killed).
 */
static int go_until_exit(struct _test_data_threads *self, pid_t child)
{
	int i, n;

	for (n = 0; n < 3000; n++) {
		if (waitpid(child, &self->status, WNOHANG) == child)
			return 0;
		for (i = 0; i < NR_WORKERS; i++)
			syscall(SYS_tgkill, child, self->tid[i], SIG_GO);
		usleep(20000);
	}
	kill(child, SIGKILL);
	waitpid(child, &self->status, 0);
	return -1;
}

/* Continue the restored process, end its loops, read its report. */
static void finish_restart(struct _test_data_threads *self, pid_t child,
			   int rep[2])
{
	ssize_t n = 1;

	kill(child, SIGCONT);
	if (go_until_exit(self, child))
		fprintf(stderr, "# the restored process did not exit in time\n");
	self->got = 0;
	while (n > 0 && self->got < (ssize_t)sizeof(self->rep)) {
		n = read(rep[0], (char *)&self->rep + self->got,
			 sizeof(self->rep) - self->got);
		self->got += n > 0 ? n : 0;
	}
	close(rep[0]);
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
}

/* The usual round trip: restored stopped, continued, whole report. */
static void restore(struct __test_metadata *_metadata,
		    struct _test_data_threads *self)
{
	int rep[2];
	pid_t child = start_restart(self, 0, rep);

	ASSERT_EQ(self->pid, child);
	EXPECT_EQ(0, wait_tasks(self, child, 1));
	finish_restart(self, child, rep);
	ASSERT_EQ(0, self->status) {
		TH_LOG("restored: status %#x (%d: restart(2) failed, errno %d); log: %s",
		       self->status, WEXITSTATUS(self->status),
		       WEXITSTATUS(self->status) - RESTART_FAILED(0),
		       self->logbuf);
	}
	ASSERT_EQ(sizeof(self->rep), self->got);
}

/*
 * Every task comes back with its tid, in the group stop it was
 * checkpointed in, and stays stopped until SIGCONT.
 */
TEST_F_TIMEOUT(threads, stopped_image_comes_back_stopped_with_every_tid, 120)
{
	int rep[2], i;
	pid_t child = start_restart(self, 0, rep);

	ASSERT_EQ(self->pid, child);
	ASSERT_EQ(0, wait_tasks(self, child, 1)) {
		TH_LOG("tasks of %d: %c (main), %c (worker 0)", child,
		       task_state(child, child),
		       task_state(child, self->tid[0]));
	}
	usleep(200000);
	EXPECT_TRUE(all_tasks(self, child, 1));
	EXPECT_EQ(NR_TASKS, nr_tasks(child));
	finish_restart(self, child, rep);
	EXPECT_EQ(0, self->status);
	ASSERT_EQ(sizeof(self->rep), self->got);
	EXPECT_EQ(self->pid, self->rep.pid);
	for (i = 0; i < NR_WORKERS; i++)
		EXPECT_EQ(self->tid[i], self->rep.w[i].tid);
}

/* RESTART_RUN: a process checkpointed stopped runs on at once. */
TEST_F_TIMEOUT(threads, restart_run_resumes_every_thread, 120)
{
	int rep[2];
	pid_t child = start_restart(self, RESTART_RUN, rep);

	ASSERT_EQ(self->pid, child);
	/* No SIGCONT: workers spin (R), the main thread sleeps (S). */
	EXPECT_EQ(0, wait_tasks(self, child, 0));
	EXPECT_EQ(0, go_until_exit(self, child));
	EXPECT_EQ(0, self->status);
	close(rep[0]);
}

TEST_F_TIMEOUT(threads, each_thread_keeps_its_gprs_and_xmm, 120)
{
	uint64_t gpr[REGS_NR_GPRS];
	unsigned char xmm[16 * 16];
	int i, b;

	restore(_metadata, self);
	for (i = 0; i < NR_WORKERS; i++) {
		for (b = 0; b < REGS_NR_GPRS; b++)
			gpr[b] = gpr_value(i, b);
		for (b = 0; b < (int)sizeof(xmm); b++)
			xmm[b] = xmm_byte(i, b);
		EXPECT_EQ(0, memcmp(gpr, self->rep.w[i].gpr, sizeof(gpr))) {
			for (b = 0; b < REGS_NR_GPRS; b++)
				if (gpr[b] != self->rep.w[i].gpr[b])
					TH_LOG("worker %d: register %d is %#lx, not %#lx",
					       i, b, self->rep.w[i].gpr[b],
					       gpr[b]);
		}
		EXPECT_EQ(0, memcmp(xmm, self->rep.w[i].xmm, sizeof(xmm))) {
			for (b = 0; b < (int)sizeof(xmm); b++)
				if (xmm[b] != self->rep.w[i].xmm[b])
					break;
			TH_LOG("worker %d: xmm%d byte %d is %#x, not %#x", i,
			       b / 16, b % 16, self->rep.w[i].xmm[b], xmm[b]);
		}
	}
}

TEST_F_TIMEOUT(threads, each_thread_keeps_its_tls_and_fs_base, 120)
{
	int i, j;

	restore(_metadata, self);
	for (i = 0; i < NR_WORKERS; i++) {
		EXPECT_EQ(tls_expected(i), self->rep.w[i].tls);
		EXPECT_EQ(self->rep.w[i].fs_before, self->rep.w[i].fs_after);
		for (j = 0; j < i; j++) {
			EXPECT_NE(self->rep.w[j].fs_after,
				  self->rep.w[i].fs_after);
		}
	}
}

TEST_F_TIMEOUT(threads, each_thread_keeps_its_name, 120)
{
	char name[16];
	int i;

	restore(_metadata, self);
	EXPECT_STREQ("ckpt-main", self->rep.main_name);
	for (i = 0; i < NR_WORKERS; i++) {
		worker_name(i, name);
		EXPECT_STREQ(name, self->rep.w[i].name);
	}
}

TEST_F_TIMEOUT(threads, each_thread_keeps_its_blocked_mask, 120)
{
	int i;

	restore(_metadata, self);
	EXPECT_EQ(main_mask(), self->rep.main_blocked);
	for (i = 0; i < NR_WORKERS; i++) {
		EXPECT_EQ(worker_mask(i), self->rep.w[i].blocked) {
			TH_LOG("worker %d", i);
		}
	}
}

/*
 * Each worker sees its own pending signal and the process's, not the
 * other workers'; its siginfo is what pthread_kill() queued, byte for
 * byte: the one it took at once before the checkpoint, but for signo.
 */
TEST_F_TIMEOUT(threads, each_thread_keeps_its_own_pending_signal, 120)
{
	siginfo_t want;
	int i;

	restore(_metadata, self);
	for (i = 0; i < NR_WORKERS; i++) {
		EXPECT_EQ(sig_bit(own_sig(i)) | sig_bit(SIG_SHARED),
			  self->rep.w[i].pending) {
			TH_LOG("worker %d", i);
		}
		EXPECT_EQ(own_sig(i), self->rep.w[i].own_ret);
		EXPECT_EQ(self->pid, self->rep.w[i].own.si_pid);
		want = self->rep.w[i].ref;
		want.si_signo = own_sig(i);
		EXPECT_EQ(0, memcmp(&want, &self->rep.w[i].own, sizeof(want))) {
			TH_LOG("worker %d: signo %d code %d pid %d", i,
			       self->rep.w[i].own.si_signo,
			       self->rep.w[i].own.si_code,
			       self->rep.w[i].own.si_pid);
		}
	}
}

/* The signal queued to the process is still the process's, with its value. */
TEST_F_TIMEOUT(threads, process_pending_signal_stays_shared, 120)
{
	siginfo_t want;

	restore(_metadata, self);
	EXPECT_EQ(sig_bit(SIG_SHARED), self->rep.main_pending);
	EXPECT_EQ(SIG_SHARED, self->rep.shared_ret);
	memset(&want, 0, sizeof(want));
	want.si_signo = SIG_SHARED;
	want.si_code = SI_QUEUE;
	want.si_pid = self->pid;
	want.si_uid = getuid();
	want.si_value.sival_ptr = SHARED_VALUE;
	EXPECT_EQ(0, memcmp(&want, &self->rep.shared, sizeof(want))) {
		TH_LOG("signo %d code %d pid %d value %p",
		       self->rep.shared.si_signo, self->rep.shared.si_code,
		       self->rep.shared.si_pid,
		       self->rep.shared.si_value.sival_ptr);
	}
}

/* umask, a resource limit, personality and parent-death signal. */
TEST_F_TIMEOUT(threads, process_wide_state_comes_back, 120)
{
	struct rlimit core = CORE_LIMIT;

	restore(_metadata, self);
	EXPECT_EQ(UMASK, self->rep.umask);
	EXPECT_EQ(core.rlim_cur, self->rep.core.rlim_cur);
	EXPECT_EQ(core.rlim_max, self->rep.core.rlim_max);
	EXPECT_EQ(PERSONALITY, self->rep.personality);
	EXPECT_EQ(PDEATH_SIG, self->rep.pdeath);
}

TEST_F_TIMEOUT(threads, each_thread_keeps_its_altstack, 120)
{
	int i;

	restore(_metadata, self);
	for (i = 0; i < NR_WORKERS; i++) {
		EXPECT_EQ(2, self->rep.w[i].hits_on_altstack) {
			TH_LOG("worker %d: %d of %d hits on its altstack", i,
			       self->rep.w[i].hits_on_altstack,
			       self->rep.w[i].hits);
		}
	}
}

/*
 * pthread_kill() goes by the tid the C library keeps for each thread,
 * raise() by gettid(): both reach the right thread, and only it.
 */
TEST_F_TIMEOUT(threads, pthread_kill_and_raise_reach_the_right_thread, 120)
{
	int i;

	restore(_metadata, self);
	for (i = 0; i < NR_WORKERS; i++) {
		EXPECT_EQ(0, self->rep.w[i].kill_ret);
		EXPECT_EQ(0, self->rep.w[i].raise_ret);
		EXPECT_EQ(2, self->rep.w[i].hits) {
			TH_LOG("worker %d", i);
		}
		EXPECT_EQ(1, self->rep.w[i].done);
	}
}

/*
 * Worker 0 unlocks mutex a and the main thread, asleep on it at the
 * checkpoint, takes it; worker 1 exits holding b, and the kernel walks
 * its restored robust list: b comes with EOWNERDEAD. Joining needs each
 * worker's clear_child_tid.
 */
TEST_F_TIMEOUT(threads, robust_mutex_is_handed_over, 120)
{
	int i;

	restore(_metadata, self);
	EXPECT_EQ(0, self->rep.lock_a);
	for (i = 0; i < NR_WORKERS; i++) {
		EXPECT_EQ(0, self->rep.join[i]) {
			TH_LOG("joining worker %d", i);
		}
	}
	EXPECT_EQ(EOWNERDEAD, self->rep.lock_b);
}

/*
 * An image of more than one task restarts only in a caller with the
 * image's pid: another gets EBUSY and a log line, and none of the
 * image's tasks is made.
 */
TEST_F_TIMEOUT(threads, restart_from_another_pid_is_ebusy, 120)
{
	int status, i;
	pid_t child = fork();

	ASSERT_LE(0, child);
	if (!child) {
		lseek(self->img, 0, SEEK_SET);
		sys_restart(0, self->img, 0, self->log[1]);
		_exit(RESTART_FAILED(errno));
	}
	ASSERT_NE(self->pid, child);
	ASSERT_EQ(0, wait_exit_within(child, 60, &status));
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	TH_LOG("restart in pid %d of the image of pid %d: %s", child,
	       self->pid, self->logbuf);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(RESTART_FAILED(EBUSY), WEXITSTATUS(status));
	EXPECT_NE('\0', self->logbuf[0]);
	EXPECT_EQ(-1, kill(self->pid, 0));
	EXPECT_EQ(ESRCH, errno);
	for (i = 0; i < NR_WORKERS; i++) {
		EXPECT_EQ(-1, kill(self->tid[i], 0));
		EXPECT_EQ(ESRCH, errno);
	}
}

static void *spinner(void *fd)
{
	pid_t tid = gettid();

	if (write(*(int *)fd, &tid, sizeof(tid)) != sizeof(tid))
		_exit(3);
	for (;;)
		escape(&tid);
	return NULL;
}

/*
 * Fork a process of two threads, the second spinning; returns its pid
 * with the spinner's tid in *tid once that spins, -1 on failure.
 */
static pid_t spawn_spinner(pid_t *tid)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		pthread_t t;

		drop_shared_mappings();
		if (pthread_create(&t, NULL, spinner, &p[1]))
			_exit(3);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], tid, sizeof(*tid)) != sizeof(*tid))
		pid = -1;
	close(p[0]);
	return pid;
}

/* Put thread @tid in a ptrace stop; 0 once it is, else -1. */
static int ptrace_stop(pid_t tid)
{
	int status;

	if (ptrace(PTRACE_SEIZE, tid, 0, 0) ||
	    ptrace(PTRACE_INTERRUPT, tid, 0, 0))
		return -1;
	if (waitpid(tid, &status, __WALL) != tid || !WIFSTOPPED(status))
		return -1;
	return 0;
}

/* Kill the spinner's process, with its threads traced: reap both. */
static void kill_traced(pid_t pid, pid_t tid)
{
	kill(pid, SIGKILL);
	waitpid(tid, NULL, __WALL);
	waitpid(pid, NULL, __WALL);
}

/* The leader in a ptrace stop, another thread running: EBUSY. */
TEST(running_thread_fails_checkpoint_with_ebusy)
{
	int img = image_file(), log[2];
	char buf[1024];
	pid_t pid, tid;

	ASSERT_LE(0, img);
	ASSERT_EQ(0, pipe2(log, O_NONBLOCK));
	pid = spawn_spinner(&tid);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ptrace_stop(pid));
	EXPECT_EQ('t', task_state(pid, pid));
	EXPECT_EQ('R', task_state(pid, tid));
	EXPECT_EQ(-1, sys_checkpoint(pid, img, 0, log[1]));
	EXPECT_EQ(EBUSY, errno);
	TH_LOG("log: %s", read_log(log[0], buf, sizeof(buf)));
	EXPECT_NE('\0', buf[0]);
	kill_child(pid);
	close(img);
}

/* The same process with both threads in a ptrace stop is taken. */
TEST(ptrace_stopped_threads_are_checkpointed)
{
	int img = image_file(), log[2];
	char buf[1024];
	pid_t pid, tid;

	ASSERT_LE(0, img);
	ASSERT_EQ(0, pipe2(log, O_NONBLOCK));
	pid = spawn_spinner(&tid);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ptrace_stop(pid));
	ASSERT_EQ(0, ptrace_stop(tid));
	EXPECT_LT(0, sys_checkpoint(pid, img, 0, log[1])) {
		TH_LOG("log: %s", read_log(log[0], buf, sizeof(buf)));
	}
	kill_traced(pid, tid);
	close(img);
}

TEST_HARNESS_MAIN

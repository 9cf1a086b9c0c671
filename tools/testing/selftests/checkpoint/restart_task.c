// SPDX-License-Identifier: GPL-2.0
/*
 * Task round trips: registers held by an assembly loop, TLS, signal
 * handlers and masks, tasks stopped inside restartable syscalls, and a
 * self-checkpoint restored twice. As in restart_memory, the restored
 * task checks itself and its exit status is the verdict.
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <asm/prctl.h>
#include <linux/rseq.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "regs_loop.h"

#define PS		4096UL

/*
 * Fork @fn and wait for the byte it writes to the pipe once ready; then
 * wait until it sleeps in syscall @nr and stop it, or with @nr -1 give
 * it a moment to reach its loop and stop it, or with -2 wait for it to
 * stop itself.
 */
/* Until /proc says @pid sleeps in syscall @nr, for 10 s at most. */
static void wait_in_syscall(pid_t pid, long nr)
{
	char path[64], buf[64];
	ssize_t n;
	int i, fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (i = 0; i < 1000; i++) {
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if (n > 0 && strtol(buf, NULL, 10) == nr)
			break;
		usleep(10000);
	}
}

static pid_t spawn_in(int (*fn)(int), long nr)
{
	int p[2], status;
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		drop_shared_mappings();
		close(p[0]);
		_exit(fn(p[1]));
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		return -1;
	close(p[0]);
	/* -1: it runs in user mode. */
	if (nr >= 0)
		wait_in_syscall(pid, nr);
	if (nr == -1)
		usleep(100000);
	if (nr != -2)
		kill(pid, SIGSTOP);
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		return -1;
	return pid;
}

/* Set by signal handlers: atomics, which volatile would only imitate. */
static int usr1_seen;

static void on_usr1(int sig)
{
	__atomic_store_n(&usr1_seen, 1, __ATOMIC_SEQ_CST);
}

static int use_avx;

static void go(int sig)
{
	__atomic_store_n(&regs_go, 1, __ATOMIC_SEQ_CST);
}

/*
 * Spin in the assembly loop with every register known; restored, the
 * parent's SIGUSR1 ends the loop and each register must hold its value.
 */
static int regs_child(int fd)
{
	int i, vsize = use_avx ? 32 : 16;

	for (i = 0; i < REGS_NR_GPRS; i++)
		regs_in[i] = 0x0123456789abcdefULL * (i + 1) ^ (i << 7);
	for (i = 0; i < 16 * vsize; i++)
		regs_vin[i] = i * 37 + 11;
	signal(SIGUSR1, go);
	if (use_avx)
		regs_loop_avx(fd);
	else
		regs_loop_sse(fd);
	if (memcmp(regs_in, regs_out, sizeof(regs_in)))
		return 2;
	if (memcmp(regs_vin, regs_vout, 16 * vsize))
		return 3;
	return 0;
}

TEST(registers_held_by_a_loop)
{
	use_avx = __builtin_cpu_supports("avx");
	TH_LOG("general registers and %s", use_avx ? "ymm0-15 (AVX)" :
	       "xmm0-15 (no AVX here)");
	if (!__builtin_cpu_supports("avx512f"))
		TH_LOG("no AVX-512 on this CPU: zmm registers not covered");
	EXPECT_EQ(0, roundtrip_pid(spawn_in(regs_child, -1), NULL, SIGUSR1));
}

static __thread unsigned long tls_value = 1;

/* TLS is reached through fs base: both must survive. */
static int tls_child(int fd)
{
	unsigned long base, base2;

	tls_value = 0x5eed5eed12345678UL;
	if (syscall(SYS_arch_prctl, ARCH_GET_FS, &base))
		return 1;
	if (write(fd, "r", 1) != 1)
		return 1;
	raise(SIGSTOP);
	if (syscall(SYS_arch_prctl, ARCH_GET_FS, &base2) || base != base2)
		return 2;
	return tls_value == 0x5eed5eed12345678UL ? 0 : 3;
}

TEST(tls_through_fs_base)
{
	EXPECT_EQ(0, roundtrip_pid(spawn_in(tls_child, -2), NULL, 0));
}

static int usr2_info, usr2_on_altstack;
static char altstack[64 << 10];

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
	char here;

	__atomic_store_n(&usr2_info, si->si_signo, __ATOMIC_SEQ_CST);
	__atomic_store_n(&usr2_on_altstack, &here >= altstack &&
			 &here < altstack + sizeof(altstack), __ATOMIC_SEQ_CST);
}

/*
 * Handlers, their flags and masks, ignored and blocked signals, and the
 * alternate stack the handler runs on.
 */
static int signals_child(int fd)
{
	struct sigaction sa = { .sa_sigaction = on_usr2,
				.sa_flags = SA_SIGINFO | SA_RESTART |
					    SA_ONSTACK }, got;
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	if (sigaltstack(&ss, NULL))
		return 1;
	if (sigaction(SIGUSR2, &sa, NULL) || signal(SIGPIPE, SIG_IGN))
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (write(fd, "r", 1) != 1)
		return 1;
	raise(SIGSTOP);

	if (sigaction(SIGUSR2, NULL, &got) || got.sa_sigaction != on_usr2 ||
	    !(got.sa_flags & SA_SIGINFO) || !(got.sa_flags & SA_RESTART) ||
	    !sigismember(&got.sa_mask, SIGHUP) ||
	    sigismember(&got.sa_mask, SIGINT))
		return 2;
	if (sigaction(SIGPIPE, NULL, &got) || got.sa_handler != SIG_IGN)
		return 3;
	sigprocmask(SIG_BLOCK, NULL, &set);
	if (!sigismember(&set, SIGWINCH) || sigismember(&set, SIGUSR2))
		return 4;
	raise(SIGUSR2);
	if (__atomic_load_n(&usr2_info, __ATOMIC_SEQ_CST) != SIGUSR2)
		return 5;
	if (!__atomic_load_n(&usr2_on_altstack, __ATOMIC_SEQ_CST))
		return 6;
	/* Ignored: a SIGPIPE does nothing. */
	raise(SIGPIPE);
	return 0;
}

TEST(signal_handlers_still_fire)
{
	EXPECT_EQ(0, roundtrip_pid(spawn_in(signals_child, -2), NULL, 0));
}

/*
 * Interval timers: each comes back with the time it had left and its
 * interval, the restarter's own ITIMER_REAL is gone, and ITIMER_REAL
 * fires again and again. Times in nanoseconds; a CPU timer reads back
 * up to a tick more than it was set to, once per setitimer().
 */
#define NS		1000000000ULL
#define REAL_VALUE	(4 * NS)
#define REAL_EVERY	(NS / 4)
#define SLACK		(NS / 10)

static const unsigned long long itimer_set[3][2] = {
	[ITIMER_REAL] = { REAL_VALUE, REAL_EVERY },
	[ITIMER_VIRTUAL] = { 100 * NS, 7 * NS },
	[ITIMER_PROF] = { 200 * NS, 9 * NS },
};

static int alarms;

static void on_alarm(int sig)
{
	__atomic_add_fetch(&alarms, 1, __ATOMIC_SEQ_CST);
}

static struct timeval ns_tv(unsigned long long ns)
{
	return (struct timeval){ .tv_sec = ns / NS,
				 .tv_usec = ns % NS / 1000 };
}

static unsigned long long tv_ns(struct timeval tv)
{
	return tv.tv_sec * NS + tv.tv_usec * 1000ULL;
}

static int itimer_child(int fd)
{
	struct itimerval it;
	unsigned long long v;
	int i, waited;

	signal(SIGALRM, on_alarm);
	for (i = 0; i < 3; i++) {
		it.it_value = ns_tv(itimer_set[i][0]);
		it.it_interval = ns_tv(itimer_set[i][1]);
		if (setitimer(i, &it, NULL))
			return 1;
	}
	if (write(fd, "r", 1) != 1)
		return 1;
	raise(SIGSTOP);
	/* Restored: at most the time left at checkpoint, and not 0. */
	for (i = 0; i < 3; i++) {
		if (getitimer(i, &it))
			return 2;
		v = tv_ns(it.it_value);
		if (tv_ns(it.it_interval) != itimer_set[i][1])
			return 10 + i;
		if (!v || v > itimer_set[i][0] + SLACK)
			return 20 + i;
		if (i != ITIMER_REAL && v < itimer_set[i][0] - 5 * NS)
			return 30 + i;
	}
	/* The first firing, then an interval's worth of further ones. */
	for (waited = 0; __atomic_load_n(&alarms, __ATOMIC_SEQ_CST) < 3; waited++) {
		if (waited > 200)
			return 4;
		usleep(50000);
	}
	return 0;
}

/* The restarter's own timer, which must not survive restart(2). */
static void prep_itimer(void)
{
	struct itimerval it = { .it_value = { .tv_sec = 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

TEST(interval_timers_come_back)
{
	EXPECT_EQ(0, roundtrip_pid(spawn_in(itimer_child, -2), prep_itimer, 0));
}

#define READ_FD		100

/*
 * Blocked in read() on READ_FD, an empty pipe whose write end the test
 * holds: external, so the restarter's READ_FD takes its place. Restored,
 * it reads the message there.
 */
static int read_child(int fd)
{
	char buf[8] = "";

	if (write(fd, "r", 1) != 1)
		return 1;
	if (read(READ_FD, buf, 5) != 5)
		return 2;
	return strcmp(buf, "hello") ? 3 : 0;
}

static int restart_pipe[2];

static void prep_read(void)
{
	dup2(restart_pipe[0], READ_FD);
}

/*
 * Continue stopped @pid and stop it again once /proc says it sleeps in
 * syscall @nr; 0, or -1.
 */
static int restop_in(pid_t pid, long nr)
{
	int status;

	kill(pid, SIGCONT);
	wait_in_syscall(pid, nr);
	kill(pid, SIGSTOP);
	return waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status) ?
	       0 : -1;
}

/*
 * Round trip of @fn stopped in syscall @nr, waiting on READ_FD: the
 * original's is a pipe the test holds the other end of, the restarter's
 * substitute one that holds "hello". When @again is not 0, the task is
 * continued and stopped a second time in syscall @again first. The
 * restored task's exit status, or -1 if the set-up failed.
 */
static int roundtrip_reading(int (*fn)(int), long nr, long again)
{
	int keep[2], ret = -1;
	pid_t pid;

	if (pipe(keep))
		return -1;
	if (dup2(keep[0], READ_FD) != READ_FD)
		goto out;
	pid = spawn_in(fn, nr);
	if (pid <= 0 || (again && restop_in(pid, again)) || pipe(restart_pipe))
		goto out;
	if (write(restart_pipe[1], "hello", 5) == 5)
		ret = roundtrip_pid(pid, prep_read, 0);
	close(restart_pipe[0]);
	close(restart_pipe[1]);
out:
	close(READ_FD);
	close(keep[0]);
	close(keep[1]);
	return ret;
}

TEST(stopped_in_read)
{
	EXPECT_EQ(0, roundtrip_reading(read_child, SYS_read, 0));
}

/*
 * Blocked in poll() without a timeout on READ_FD: the stop leaves
 * -ERESTART_RESTARTBLOCK, whose restart is the same call. Restored, the
 * poll goes on and sees the message, never EINTR, which a shell's read
 * builtin would take for the end of its input.
 */
static int poll_child(int fd)
{
	struct pollfd pfd = { .fd = READ_FD, .events = POLLIN };
	char buf[8] = "";

	if (write(fd, "r", 1) != 1)
		return 1;
	if (poll(&pfd, 1, -1) != 1)
		return errno == EINTR ? 4 : 2;
	if (read(READ_FD, buf, 5) != 5)
		return 3;
	return strcmp(buf, "hello") ? 3 : 0;
}

TEST(stopped_in_poll)
{
	EXPECT_EQ(0, roundtrip_reading(poll_child, SYS_poll, 0)) {
		TH_LOG("4: poll() failed with EINTR");
	}
}

/*
 * Stopped in poll(), continued, and stopped again in the
 * restart_syscall() that resumed it, as a cgroup freezer that thaws and
 * freezes a tree again leaves it: its registers show restart_syscall()
 * only, and it must still be the poll() it is.
 */
TEST(stopped_again_in_polls_restart)
{
	EXPECT_EQ(0, roundtrip_reading(poll_child, SYS_poll,
				       SYS_restart_syscall)) {
		TH_LOG("4: poll() failed with EINTR");
	}
}

/*
 * Asleep in nanosleep(): the restart_block is not in the image, so the
 * restored task sees EINTR, never the kernel's -ERESTART_RESTARTBLOCK.
 */
static int sleep_child(int fd)
{
	struct timespec ts = { .tv_sec = 600 };
	int ret;

	if (write(fd, "r", 1) != 1)
		return 1;
	ret = syscall(SYS_nanosleep, &ts, NULL);
	if (ret != -1)
		return 2;
	return errno == EINTR ? 0 : 3;
}

TEST(stopped_in_nanosleep)
{
	EXPECT_EQ(0, roundtrip_pid(spawn_in(sleep_child, SYS_nanosleep),
				   NULL, 0));
}

/*
 * Asleep in pause(): restarted as the kernel restarts it after a stop,
 * it returns only once a handled signal arrives.
 */
static int pause_child(int fd)
{
	signal(SIGUSR1, on_usr1);
	if (write(fd, "r", 1) != 1)
		return 1;
	if (pause() != -1 || errno != EINTR)
		return 2;
	return __atomic_load_n(&usr1_seen, __ATOMIC_SEQ_CST) ? 0 : 3;
}

TEST(stopped_in_pause)
{
	pid_t pid = spawn_in(pause_child, SYS_pause);
	int fd = image_file(), status, i;
	sigset_t set, old;
	pid_t rst;

	ASSERT_LT(0, pid);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, sys_checkpoint(pid, fd, 0, STDERR_FILENO));
	kill_child(pid);
	/* Blocked until restart(2) gives the child the image's mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	rst = fork();
	if (!rst) {
		lseek(fd, 0, SEEK_SET);
		sys_restart(0, fd, RESTART_RUN, STDERR_FILENO);
		_exit(RESTART_FAILED(errno));
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* Until the restored task is back in pause() and takes one. */
	for (i = 0; i < 500; i++) {
		usleep(20000);
		kill(rst, SIGUSR1);
		if (waitpid(rst, &status, WNOHANG) == rst)
			break;
	}
	ASSERT_GT(500, i);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
}

/*
 * The C library registered an rseq area at startup; restored, the kernel
 * must keep its cpu_id current, wherever the task runs.
 */
static int rseq_child(int fd)
{
	struct rseq *rs = (void *)((char *)__builtin_thread_pointer() +
				   __rseq_offset);
	unsigned int cpu;
	cpu_set_t set;
	int i;

	if (!__rseq_size)
		return 77;
	if (write(fd, "r", 1) != 1)
		return 1;
	raise(SIGSTOP);
	for (i = 0; i < 2; i++) {
		CPU_ZERO(&set);
		CPU_SET(i, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			return i ? 0 : 1;	/* one CPU: nothing to tell */
		sched_yield();
		if (syscall(SYS_getcpu, &cpu, NULL, NULL) || cpu != i)
			return 2;
		if (__atomic_load_n(&rs->cpu_id, __ATOMIC_RELAXED) != cpu)
			return 3;
	}
	return 0;
}

TEST(rseq_registration)
{
	int ret = roundtrip_pid(spawn_in(rseq_child, -2), NULL, 0);

	if (ret == 77)
		SKIP(return, "no rseq registered by the C library");
	EXPECT_EQ(0, ret);
}

/* A task with an LDT entry, as modify_ldt(2) installs one. */
static int ldt_child(int fd)
{
	struct user_desc desc = {
		.entry_number = 0, .base_addr = 0x1000, .limit = 0xfff,
		.seg_32bit = 1,
	};

	if (syscall(SYS_modify_ldt, 1, &desc, sizeof(desc)))
		return 77;
	if (write(fd, "r", 1) != 1)
		return 1;
	raise(SIGSTOP);
	return 0;
}

/* The LDT is saved, but not restored yet: restart says so. */
TEST(ldt_is_refused)
{
	int ret = roundtrip_pid(spawn_in(ldt_child, -2), NULL, 0);

	EXPECT_EQ(RESTART_FAILED(EOPNOTSUPP), ret);
}

static int self_fd;
static unsigned char self_mem[1 << 20];

/* checkpoint(2) on itself: 50 as the original, 0 once restored. */
static int self_child(void)
{
	long id;
	size_t i;

	for (i = 0; i < sizeof(self_mem); i++)
		self_mem[i] = i * 13;
	id = sys_checkpoint(0, self_fd, 0, STDERR_FILENO);
	if (id > 0)
		return 50;
	if (id)
		return 1;
	for (i = 0; i < sizeof(self_mem); i++)
		if (self_mem[i] != (unsigned char)(i * 13))
			return 2;
	return 0;
}

TEST(self_checkpoint_restored_twice)
{
	int status;
	pid_t pid;

	self_fd = self_image_file();
	ASSERT_LE(0, self_fd);
	pid = fork();
	if (!pid) {
		drop_shared_mappings();
		_exit(self_child());
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(50, WEXITSTATUS(status));
	EXPECT_EQ(0, restart_child(self_fd, NULL, 0));
	EXPECT_EQ(0, restart_child(self_fd, NULL, 0));
	close(self_fd);
}

TEST_HARNESS_MAIN

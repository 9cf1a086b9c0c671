/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the tests that checkpoint a process tree as pid 1 of a pid
 * namespace of its own and restart it as pid 1 of another, so that
 * every task gets its pid back.
 */
#ifndef CKPT_TREE_H
#define CKPT_TREE_H

#include "ckpt_util.h"

#define RESUMED_FD	200	/* where restored tasks would say they ran */

static int go;

static inline void on_go(int sig)
{
	__atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
}

/*
 * Become what the test restarts: an init that waits for SIGUSR1, which
 * the test sends once the tree is restored; blocked until restart(2)
 * gives the root's mask.
 */
static inline void wait_for_go(void)
{
	signal(SIGUSR1, on_go);
	while (!__atomic_load_n(&go, __ATOMIC_SEQ_CST))
		pause();
}

/*
 * Fork @fn(@arg, fd) as pid 1 of a new pid namespace, and of the other
 * new namespaces of @nsflags (CLONE_NEW*), read @len bytes it sends on
 * fd into @buf, and stop it. Returns its pid, or -1.
 */
static inline pid_t spawn_tree_ns(int (*fn)(int, int), int arg,
				  void *buf, size_t len, unsigned long nsflags)
{
	int p[2], status;
	size_t got = 0;
	ssize_t n = 1;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork_clone3(CLONE_NEWPID | nsflags, 0);
	if (!pid) {
		close(p[0]);
		_exit(fn(arg, p[1]));
	}
	close(p[1]);
	while (pid > 0 && n > 0 && got < len) {
		n = read(p[0], (char *)buf + got, len - got);
		got += n > 0 ? n : 0;
	}
	close(p[0]);
	if (pid < 0 || got < len) {
		if (pid > 0)
			kill_child(pid);
		return -1;
	}
	kill(pid, SIGSTOP);
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status))
		return -1;
	return pid;
}

static inline pid_t spawn_tree(int (*fn)(int, int), int arg,
			       void *buf, size_t len)
{
	return spawn_tree_ns(fn, arg, buf, len, 0);
}

/*
 * Fork pid 1 of a new pid namespace, and of the other new namespaces of
 * @nsflags, that, in a session of its own as the tree's root was,
 * restarts the image in @fd with @flags; SIGUSR1 blocked until
 * restart(2) gives it the root's mask, @resumed as RESUMED_FD, @other (a
 * pipe's write end, or -1) closed. Returns its pid; it exits
 * RESTART_FAILED(errno) if restart(2) fails.
 */
static inline pid_t restart_in_new_ns(int fd, unsigned long flags, int logfd,
				      int resumed, int other,
				      unsigned long nsflags)
{
	sigset_t set;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid = fork_clone3(CLONE_NEWPID | nsflags, 0);
	if (!pid) {
		setsid();
		if (other >= 0)
			close(other);
		if (resumed >= 0)
			dup2(resumed, RESUMED_FD);
		lseek(fd, 0, SEEK_SET);
		sys_restart(0, fd, flags, logfd);
		_exit(RESTART_FAILED(errno));
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return pid;
}

static inline pid_t restart_in_new_pidns(int fd, unsigned long flags,
					 int logfd, int resumed, int other)
{
	return restart_in_new_ns(fd, flags, logfd, resumed, other, 0);
}

/*
 * Send SIGUSR1 to the restored root @pid until it exits, for at most
 * @secs seconds; 0 with *status set, or -1 (then it is killed).
 */
static inline int go_until_exit(pid_t pid, int secs, int *status)
{
	int i;

	for (i = 0; i < secs * 50; i++) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		kill(pid, SIGUSR1);
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return -1;
}

#endif /* CKPT_TREE_H */

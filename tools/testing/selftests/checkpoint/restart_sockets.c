// SPDX-License-Identifier: GPL-2.0
/*
 * Unix domain sockets across checkpoint and restart.
 *
 * - socketpairs of each type come back connected, with the messages
 *   queued in each direction, byte for byte and, for datagrams and
 *   sequenced packets, message by message; a partly read stream message
 *   comes back as what was left of it; a stream whose peer was closed
 *   reads what was queued, then end of file; options come back;
 * - a listening socket bound to a path, and one to an abstract name,
 *   accept a new connection after restart; the socket file the original
 *   left is replaced, but any other file at the path makes restart fail
 *   with EADDRINUSE, the caller unchanged;
 * - a bound datagram socket comes back with the messages queued for it;
 * - connections accept(2) made come back connected to the socket that
 *   connect(2)ed, with their queues: the accepted end has its
 *   listener's name, the listener still there or closed, and the
 *   connecting end its own name, if it was bound, and its peer's;
 * - a TCP listener, on IPv4 and IPv6, comes back listening on its port
 *   with its options and accepts a new connection; a bound UDP socket
 *   receives on its port again;
 * - what cannot be saved is refused at checkpoint with its reason:
 *   descriptors in flight, a listener with connections not accepted, a
 *   TCP connection; a socket connected to a
 *   process outside is external, and restart without a substitute for it
 *   gets EBADF;
 * - hostile socket records are refused with EINVAL and a log line.
 *
 * As elsewhere, the restored task checks itself and its exit status is
 * the verdict.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <linux/ckpt_hdr.h>

#include "../kselftest_harness.h"
#include "ckpt_edit.h"
#include "ckpt_util.h"

#define STREAM_A	40	/* a stream socketpair: A holds "llo" */
#define STREAM_B	41	/* and B holds "world!" */
#define ORPHAN		42	/* a stream whose peer was closed: "bye" */
#define DGRAM_A		43	/* a datagram pair: A holds a, bb, ccc */
#define DGRAM_B		44
#define SEQ_A		45	/* a seqpacket pair: A holds "seq" */
#define SEQ_B		46
#define LISTEN_PATH	47	/* listening on a path */
#define LISTEN_ABS	48	/* listening on an abstract name */
#define BOUND_DGRAM	49	/* a bound datagram socket: holds m1, m2 */

static char sock_path[64], abs_name[64], dgram_path[64];

static void make_names(void)
{
	snprintf(sock_path, sizeof(sock_path), "/tmp/ckpt-sock-%d", getpid());
	snprintf(abs_name, sizeof(abs_name), "ckpt-abs-%d", getpid());
	snprintf(dgram_path, sizeof(dgram_path), "/tmp/ckpt-dg-%d", getpid());
}

static socklen_t un_addr(struct sockaddr_un *sun, const char *name, bool abs)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + abs, name, strlen(name));
	return offsetof(struct sockaddr_un, sun_path) + abs + strlen(name) +
	       !abs;
}

/* A pair of @type at @a and @b. */
static int pair_at(int type, int a, int b)
{
	int sv[2];

	if (socketpair(AF_UNIX, type, 0, sv) || dup2(sv[0], a) != a ||
	    dup2(sv[1], b) != b)
		return -1;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

/* A socket of @type at @fd, bound to @name; listening unless @backlog < 0. */
static int bound_at(int type, int fd, const char *name, bool abs,
		    int backlog)
{
	struct sockaddr_un sun;
	socklen_t len = un_addr(&sun, name, abs);
	int s = socket(AF_UNIX, type, 0);

	if (s < 0 || dup2(s, fd) != fd || close(s))
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, len))
		return -1;
	return backlog >= 0 ? listen(fd, backlog) : 0;
}

/* Read exactly @want from @fd (a message, for packet sockets). */
static int got(int fd, const char *want)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	return n == (ssize_t)strlen(want) && !memcmp(buf, want, n);
}

static int sockets_child(void)
{
	int sv[2], one = 1, val;
	struct timeval tv = { .tv_sec = 7 };
	socklen_t len = sizeof(val);
	struct sockaddr_un sun;
	char c[2];

	if (pair_at(SOCK_STREAM, STREAM_A, STREAM_B) ||
	    write(STREAM_B, "hello", 5) != 5 || read(STREAM_A, c, 2) != 2 ||
	    write(STREAM_A, "world!", 6) != 6)
		return 1;
	val = 65536;
	if (setsockopt(STREAM_A, SOL_SOCKET, SO_SNDBUF, &val, sizeof(val)) ||
	    setsockopt(STREAM_B, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return 1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || write(sv[1], "bye", 3) != 3 ||
	    dup2(sv[0], ORPHAN) != ORPHAN || close(sv[0]) || close(sv[1]))
		return 1;
	if (pair_at(SOCK_DGRAM, DGRAM_A, DGRAM_B) ||
	    send(DGRAM_B, "a", 1, 0) != 1 || send(DGRAM_B, "bb", 2, 0) != 2 ||
	    send(DGRAM_B, "ccc", 3, 0) != 3 ||
	    setsockopt(DGRAM_B, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		return 1;
	if (pair_at(SOCK_SEQPACKET, SEQ_A, SEQ_B) ||
	    send(SEQ_B, "seq", 3, 0) != 3 || shutdown(SEQ_B, SHUT_WR))
		return 1;
	if (bound_at(SOCK_STREAM, LISTEN_PATH, sock_path, false, 5) ||
	    bound_at(SOCK_SEQPACKET, LISTEN_ABS, abs_name, true, 0) ||
	    bound_at(SOCK_DGRAM, BOUND_DGRAM, dgram_path, false, -1))
		return 1;
	sv[0] = socket(AF_UNIX, SOCK_DGRAM, 0);
	len = un_addr(&sun, dgram_path, false);
	if (sendto(sv[0], "m1", 2, 0, (struct sockaddr *)&sun, len) != 2 ||
	    sendto(sv[0], "m2", 2, 0, (struct sockaddr *)&sun, len) != 2)
		return 1;
	close(sv[0]);

	raise(SIGSTOP);

	/* The queues, as they were. */
	if (!got(STREAM_A, "llo") || !got(STREAM_B, "world!"))
		return 10;
	if (!got(ORPHAN, "bye") || recv(ORPHAN, c, 1, MSG_DONTWAIT) != 0)
		return 11;
	if (!got(DGRAM_A, "a") || !got(DGRAM_A, "bb") || !got(DGRAM_A, "ccc"))
		return 12;
	if (!got(SEQ_A, "seq") || recv(SEQ_A, c, 1, MSG_DONTWAIT) != 0 ||
	    send(SEQ_B, "x", 1, MSG_NOSIGNAL) != -1 || errno != EPIPE)
		return 13;
	if (!got(BOUND_DGRAM, "m1") || !got(BOUND_DGRAM, "m2"))
		return 14;
	/* Still pairs, both ways; the options. */
	if (write(STREAM_A, "ab", 2) != 2 || !got(STREAM_B, "ab") ||
	    send(DGRAM_B, "y", 1, 0) != 1 || !got(DGRAM_A, "y"))
		return 15;
	len = sizeof(val);
	if (getsockopt(STREAM_A, SOL_SOCKET, SO_SNDBUF, &val, &len) ||
	    val != 2 * 65536)
		return 16;
	len = sizeof(tv);
	if (getsockopt(STREAM_B, SOL_SOCKET, SO_RCVTIMEO, &tv, &len) ||
	    tv.tv_sec != 7)
		return 17;
	len = sizeof(val);
	if (getsockopt(DGRAM_B, SOL_SOCKET, SO_PASSCRED, &val, &len) || !val)
		return 18;
	/* The listeners answer whoever connects (the test). */
	for (val = LISTEN_PATH; val <= LISTEN_ABS; val++) {
		int conn = accept(val, NULL, NULL);

		if (conn < 0 || recv(conn, c, 1, 0) != 1 ||
		    send(conn, c, 1, 0) != 1)
			return 19;
		close(conn);
	}
	return 0;
}

FIXTURE(sockets) {
	int img;
	int log[2];
	char logbuf[1024];
};

FIXTURE_SETUP(sockets)
{
	make_names();
	self->img = image_file();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, pipe2(self->log, O_NONBLOCK));
}

FIXTURE_TEARDOWN(sockets)
{
	unlink(sock_path);
	unlink(dgram_path);
	close(self->img);
	close(self->log[0]);
	close(self->log[1]);
}

static long checkpoint_and_kill(struct _test_data_sockets *self, pid_t pid)
{
	return checkpoint_then_kill(pid, self->img, 0, self->log,
				    self->logbuf, sizeof(self->logbuf));
}

/* Connect to @name, send one byte, expect it back; 0 or -1. */
static int echo_through(int type, const char *name, bool abs)
{
	struct sockaddr_un sun;
	socklen_t len = un_addr(&sun, name, abs);
	int i, s = -1;
	char c = 'k';

	for (i = 0; i < 200; i++) {
		s = socket(AF_UNIX, type, 0);
		if (!connect(s, (struct sockaddr *)&sun, len))
			break;
		close(s);
		s = -1;
		usleep(50000);
	}
	if (s < 0 || send(s, &c, 1, 0) != 1 || recv(s, &c, 1, 0) != 1 ||
	    c != 'k') {
		if (s >= 0)
			close(s);
		return -1;
	}
	close(s);
	return 0;
}

/* Restart the image in a child, talk to its listeners; its status. */
static int restart_and_talk(struct _test_data_sockets *self, int *talked)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		lseek(self->img, 0, SEEK_SET);
		sys_restart(0, self->img, RESTART_RUN, self->log[1]);
		_exit(RESTART_FAILED(errno));
	}
	*talked = echo_through(SOCK_STREAM, sock_path, false) ?:
		  echo_through(SOCK_SEQPACKET, abs_name, true);
	if (*talked)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(sockets, pairs_listeners_and_queues_come_back)
{
	pid_t pid = spawn_fn(sockets_child);
	int talked;

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	/* The original's socket file is still there: restart replaces it. */
	ASSERT_EQ(0, access(sock_path, F_OK));
	EXPECT_EQ(0, restart_and_talk(self, &talked)) {
		TH_LOG("restart: %s", self->logbuf);
	}
	EXPECT_EQ(0, talked);
}

/* The checks are the original's too: it passes them, resumed. */
TEST_F(sockets, the_original_passes_the_same_checks)
{
	pid_t pid = spawn_fn(sockets_child);
	int status;

	ASSERT_LT(0, pid);
	ASSERT_LT(0, sys_checkpoint(pid, self->img, 0, self->log[1]));
	kill(pid, SIGCONT);
	EXPECT_EQ(0, echo_through(SOCK_STREAM, sock_path, false));
	EXPECT_EQ(0, echo_through(SOCK_SEQPACKET, abs_name, true));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
}

/* Another file where the socket file was: EADDRINUSE, caller unchanged. */
TEST_F(sockets, a_file_in_the_way_is_eaddrinuse)
{
	pid_t pid = spawn_fn(sockets_child);
	unsigned long mark = 0x5eed;
	int fd;

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid));
	ASSERT_EQ(0, unlink(sock_path));
	fd = open(sock_path, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	lseek(self->img, 0, SEEK_SET);
	EXPECT_EQ(-1, sys_restart(0, self->img, RESTART_RUN, self->log[1]));
	EXPECT_EQ(EADDRINUSE, errno);
	EXPECT_EQ(0x5eed, mark);
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	EXPECT_NE(NULL, strstr(self->logbuf, "cannot bind")) {
		TH_LOG("log: %s", self->logbuf);
	}
}

/* One refusal: what @setup makes, with @why in the log. */
static int refused_with(struct _test_data_sockets *self, int (*child)(void),
			const char *why)
{
	pid_t pid = spawn_fn(child);
	long ret;

	if (pid < 0)
		return -1;
	ret = checkpoint_and_kill(self, pid);
	if (ret != -1 || errno != EOPNOTSUPP || !strstr(self->logbuf, why))
		return -1;
	return 0;
}

static int rights_child(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &sv[0], sizeof(int));
	if (sendmsg(sv[1], &msg, 0) != 1)
		return 1;
	raise(SIGSTOP);
	return 0;
}

static int backlog_child(void)
{
	struct sockaddr_un sun;
	socklen_t len = un_addr(&sun, abs_name, true);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);

	if (bound_at(SOCK_STREAM, LISTEN_ABS, abs_name, true, 5) ||
	    connect(c, (struct sockaddr *)&sun, len))
		return 1;
	close(c);
	raise(SIGSTOP);
	return 0;
}

#define ACC_S		60	/* accepted from LISTEN_PATH: holds "hello" */
#define ACC_C		61	/* its client, bound: holds "world" */
#define GONE_S		62	/* accepted from a listener since closed */
#define GONE_C		63	/* its client, unbound */
#define NEW_C		64	/* after restart: a new client */
#define NEW_S		65	/* and its accepted end */

static char cli_name[64];

/* 0 when @fd's own (or, with @peer, its peer's) address is @name's. */
static int name_is(int fd, bool peer, const char *name, bool abs)
{
	struct sockaddr_un want, sun;
	socklen_t wlen = un_addr(&want, name, abs), len = sizeof(sun);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&sun,
					       &len))
		return -1;
	return len == wlen && !memcmp(&sun, &want, len) ? 0 : -1;
}

/*
 * Connect a stream socket at @c_fd to @name, bound first to the abstract
 * name @from unless it is NULL, and accept the connection from listener
 * @lfd at @s_fd.
 */
static int connection_at(int lfd, const char *name, bool abs, int c_fd,
			 const char *from, int s_fd)
{
	struct sockaddr_un sun;
	socklen_t len = un_addr(&sun, name, abs);
	int c = socket(AF_UNIX, SOCK_STREAM, 0), s;

	if (c < 0 || dup2(c, c_fd) != c_fd || close(c))
		return -1;
	if (from) {
		struct sockaddr_un me;
		socklen_t mlen = un_addr(&me, from, true);

		if (bind(c_fd, (struct sockaddr *)&me, mlen))
			return -1;
	}
	if (connect(c_fd, (struct sockaddr *)&sun, len))
		return -1;
	s = accept(lfd, NULL, NULL);
	if (s < 0 || dup2(s, s_fd) != s_fd || close(s))
		return -1;
	return 0;
}

static int connections_child(void)
{
	int gone = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(cli_name, sizeof(cli_name), "ckpt-cli-%d", getpid());
	if (bound_at(SOCK_STREAM, LISTEN_PATH, sock_path, false, 5) ||
	    connection_at(LISTEN_PATH, sock_path, false, ACC_C, cli_name,
			  ACC_S) ||
	    send(ACC_C, "hello", 5, 0) != 5 || send(ACC_S, "world", 5, 0) != 5)
		return 1;
	if (bound_at(SOCK_STREAM, gone, abs_name, true, 5) ||
	    connection_at(gone, abs_name, true, GONE_C, NULL, GONE_S) ||
	    close(gone) || send(GONE_C, "bye", 3, 0) != 3)
		return 1;

	raise(SIGSTOP);

	/* Each end's name and its peer's, as the connection gave them. */
	if (name_is(ACC_S, false, sock_path, false) ||
	    name_is(ACC_S, true, cli_name, true) ||
	    name_is(ACC_C, false, cli_name, true) ||
	    name_is(ACC_C, true, sock_path, false) ||
	    name_is(GONE_S, false, abs_name, true) ||
	    name_is(GONE_C, true, abs_name, true))
		return 2;
	/* The queues, then the connections still connected each way. */
	if (!got(ACC_S, "hello") || !got(ACC_C, "world") ||
	    !got(GONE_S, "bye") || send(ACC_S, "again", 5, 0) != 5 ||
	    !got(ACC_C, "again") || send(GONE_S, "back", 4, 0) != 4 ||
	    !got(GONE_C, "back"))
		return 3;
	/* The listener accepts a new connection, which gets its name. */
	if (connection_at(LISTEN_PATH, sock_path, false, NEW_C, NULL, NEW_S))
		return 4;
	return name_is(NEW_S, false, sock_path, false) ? 5 : 0;
}

TEST_F(sockets, accepted_connections_come_back)
{
	pid_t pid = spawn_fn(connections_child);

	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	EXPECT_EQ(0, restart_child(self->img, NULL, 0));
}

/* The checks are the original's too: it passes them, resumed. */
TEST_F(sockets, the_original_connections_pass_the_same_checks)
{
	pid_t pid = spawn_fn(connections_child);

	ASSERT_LT(0, pid);
	ASSERT_LT(0, sys_checkpoint(pid, self->img, 0, self->log[1]));
	EXPECT_EQ(0, finish_child(pid));
}

static int tcp_port, udp_port;

/* Connect @s to tcp_port on the IPv4 loopback. */
static int tcp_connect_to(int s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(tcp_port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	return s < 0 ? -1 : connect(s, (struct sockaddr *)&sin, sizeof(sin));
}

/* Loopback up, as a container's network namespace would have it. */
static int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM, 0), ret;

	ret = s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) ? -1 : 0;
	ifr.ifr_flags |= IFF_UP;
	if (!ret)
		ret = ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return ret;
}

#define TCP4_FD		51
#define TCP6_FD		52
#define UDP_FD		53
#define FRESH_FD	54

static int inet_at(int fd, int family, int type, int port, int backlog)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(port),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(family, type, 0), one = 1;

	if (s < 0 || dup2(s, fd) != fd || close(s) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		return -1;
	if (family == AF_INET6 ?
	    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) :
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	return backlog ? listen(fd, backlog) : 0;
}

static int inet_child(void)
{
	int one = 1, val = 0, conn;
	struct sockaddr_in sin;
	socklen_t len = sizeof(val);
	char c;

	if (inet_at(TCP4_FD, AF_INET, SOCK_STREAM, tcp_port, 4) ||
	    setsockopt(TCP4_FD, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    inet_at(TCP6_FD, AF_INET6, SOCK_STREAM, tcp_port, 2) ||
	    inet_at(UDP_FD, AF_INET, SOCK_DGRAM, udp_port, 0) ||
	    dup2(socket(AF_INET, SOCK_STREAM, 0), FRESH_FD) != FRESH_FD)
		return 1;
	raise(SIGSTOP);

	if (getsockopt(TCP4_FD, IPPROTO_TCP, TCP_NODELAY, &val, &len) || !val)
		return 10;
	len = sizeof(sin);
	if (getsockname(UDP_FD, (struct sockaddr *)&sin, &len) ||
	    ntohs(sin.sin_port) != udp_port)
		return 11;
	/* The test connects to each listener, then sends a datagram. */
	conn = accept(TCP4_FD, NULL, NULL);
	if (conn < 0 || recv(conn, &c, 1, 0) != 1 || send(conn, &c, 1, 0) != 1)
		return 12;
	close(conn);
	conn = accept(TCP6_FD, NULL, NULL);
	if (conn < 0 || recv(conn, &c, 1, 0) != 1 || send(conn, &c, 1, 0) != 1)
		return 13;
	close(conn);
	len = sizeof(sin);
	if (recvfrom(UDP_FD, &c, 1, 0, (struct sockaddr *)&sin, &len) != 1 ||
	    sendto(UDP_FD, &c, 1, 0, (struct sockaddr *)&sin, len) != 1)
		return 14;
	/* The fresh one is a TCP socket still, of its family. */
	len = sizeof(val);
	if (getsockopt(FRESH_FD, SOL_SOCKET, SO_DOMAIN, &val, &len) ||
	    val != AF_INET)
		return 15;
	len = sizeof(val);
	if (getsockopt(FRESH_FD, SOL_SOCKET, SO_PROTOCOL, &val, &len) ||
	    val != IPPROTO_TCP)
		return 16;
	return 0;
}

/* Connect to the TCP port of @family's loopback, echo a byte; 0 or -1. */
static int tcp_echo(int family)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(tcp_port),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(tcp_port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int i, s = -1, ret;
	char c = 'q';

	for (i = 0; i < 200; i++) {
		s = socket(family, SOCK_STREAM, 0);
		ret = family == AF_INET6 ?
		      connect(s, (struct sockaddr *)&sin6, sizeof(sin6)) :
		      connect(s, (struct sockaddr *)&sin, sizeof(sin));
		if (!ret)
			break;
		close(s);
		s = -1;
		usleep(50000);
	}
	ret = s < 0 || send(s, &c, 1, 0) != 1 || recv(s, &c, 1, 0) != 1 ||
	      c != 'q' ? -1 : 0;
	if (s >= 0)
		close(s);
	return ret;
}

static int udp_echo(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(udp_port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 10 };
	int s = socket(AF_INET, SOCK_DGRAM, 0), ret;
	char c = 'u';

	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ret = sendto(s, &c, 1, 0, (struct sockaddr *)&sin, sizeof(sin)) != 1 ||
	      recv(s, &c, 1, 0) != 1 || c != 'u' ? -1 : 0;
	close(s);
	return ret;
}

TEST_F(sockets, tcp_listeners_and_bound_udp_come_back)
{
	int status, talked;
	pid_t pid;

	ASSERT_EQ(0, lo_up());
	tcp_port = 20000 + getpid() % 20000;
	udp_port = tcp_port + 1;
	pid = spawn_fn(inet_child);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	pid = fork();
	if (!pid) {
		lseek(self->img, 0, SEEK_SET);
		sys_restart(0, self->img, RESTART_RUN, self->log[1]);
		_exit(RESTART_FAILED(errno));
	}
	talked = tcp_echo(AF_INET) ?: tcp_echo(AF_INET6) ?: udp_echo();
	if (talked)
		kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	EXPECT_EQ(0, talked);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("restored: %d, log: %s", WEXITSTATUS(status),
		       self->logbuf);
	}
}

static int tcp_conn_child(void)
{
	int c;

	if (lo_up() || inet_at(TCP4_FD, AF_INET, SOCK_STREAM, tcp_port, 4))
		return 1;
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (tcp_connect_to(c) || accept(TCP4_FD, NULL, NULL) < 0)
		return 1;
	raise(SIGSTOP);
	return 0;
}

/* A connection waits in the listener's queue; its client has gone. */
static int tcp_backlog_child(void)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);

	if (lo_up() || inet_at(TCP4_FD, AF_INET, SOCK_STREAM, tcp_port, 4) ||
	    tcp_connect_to(c) || close(c))
		return 1;
	raise(SIGSTOP);
	return 0;
}

TEST_F(sockets, what_cannot_be_saved_is_refused_by_name)
{
	EXPECT_EQ(0, refused_with(self, rights_child, "descriptors in flight")) {
		TH_LOG("log: %s", self->logbuf);
	}
	EXPECT_EQ(0, refused_with(self, backlog_child, "not yet accepted")) {
		TH_LOG("log: %s", self->logbuf);
	}
	tcp_port = 20000 + getpid() % 20000;
	EXPECT_EQ(0, refused_with(self, tcp_conn_child, "a TCP connection")) {
		TH_LOG("log: %s", self->logbuf);
	}
	tcp_port++;
	EXPECT_EQ(0, refused_with(self, tcp_backlog_child, "a TCP listener with connections")) {
		TH_LOG("log: %s", self->logbuf);
	}
}

static int outside_fd = -1, outside_peer = -1;

/* A socket connected to the test, which holds the other end. */
static int outside_child(void)
{
	if (dup2(outside_fd, 50) != 50 || close(outside_fd) ||
	    close(outside_peer))
		return 1;
	raise(SIGSTOP);
	return 0;
}

TEST_F(sockets, a_socket_to_the_outside_is_external)
{
	struct cr_inherit inh[MAX_EXTERNAL];
	unsigned int n, i, kept;
	int sv[2], null = -1;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	outside_fd = sv[0];
	outside_peer = sv[1];
	pid = spawn_fn(outside_child);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid)) {
		TH_LOG("checkpoint: %s", self->logbuf);
	}
	/* Substitutes for all but the socket. */
	lseek(self->img, 0, SEEK_SET);
	n = image_inherit(self->img, inh, &null);
	for (i = kept = 0; i < n; i++)
		if (inh[i].fd != 50)
			inh[kept++] = inh[i];
	EXPECT_GT(n, kept);
	EXPECT_EQ(-1, sys_restart_inherit(0, self->img, RESTART_RUN,
					  self->log[1], inh, kept));
	EXPECT_EQ(EBADF, errno);
	read_log(self->log[0], self->logbuf, sizeof(self->logbuf));
	EXPECT_NE(NULL, strstr(self->logbuf, "socket:[")) {
		TH_LOG("log: %s", self->logbuf);
	}
	close(sv[0]);
	close(sv[1]);
}

/* Hostile socket records: edits of a valid image of sockets_child. */

/* The socket record of the @nth socket with @state; its index or -1. */
static int find_sock(struct recs *r, uint32_t state, int nth)
{
	struct cr_hdr_socket hs;
	int i;

	for (i = 0; i < r->nr; i++) {
		if (r->type[i] != CR_HDR_SOCKET)
			continue;
		memcpy(&hs, r->img + r->off[i], sizeof(hs));
		if (hs.state == state && !nth--)
			return i;
	}
	return -1;
}

#define SOFF(i, m)	(r.off[i] + offsetof(struct cr_hdr_socket, m))

TEST_F(sockets, hostile_socket_records)
{
	int pair, listen, skb;
	struct cr_hdr_socket hs;
	struct recs r;
	uint32_t u32;
	uint64_t u64;
	pid_t pid;

	pid = spawn_fn(sockets_child);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, checkpoint_and_kill(self, pid));
	ASSERT_EQ(0, load_recs(self->img, &r));
	pair = find_sock(&r, CR_SOCK_CONNECTED, 0);
	listen = find_sock(&r, CR_SOCK_LISTEN, 0);
	ASSERT_LE(0, pair);
	ASSERT_LE(0, listen);
	memcpy(&hs, r.img + r.off[pair], sizeof(hs));

	u32 = 3;	/* SOCK_RAW */
	EXPECT_REFUSED(SOFF(pair, type), u32, "family 1 type 3");
	u32 = 10;	/* AF_INET6 */
	EXPECT_REFUSED(SOFF(pair, family), u32, "family 10");
	u64 = hs.ino;
	EXPECT_REFUSED(SOFF(pair, peer), u64, "bad peer");
	u32 = hs.flags & ~CR_SOCKF_PAIR;
	EXPECT_REFUSED(SOFF(pair, flags), u32, "bad peer");
	u32 = 0x1000;
	EXPECT_REFUSED(SOFF(pair, flags), u32, "bad state, flags");
	/* Accepted, but without an address, or a listener. */
	u32 = hs.flags | CR_SOCKF_ACCEPTED;
	EXPECT_REFUSED(SOFF(pair, flags), u32, "accepted, but");
	memcpy(&hs, r.img + r.off[listen], sizeof(hs));
	u32 = hs.flags | CR_SOCKF_ACCEPTED;
	EXPECT_REFUSED(SOFF(listen, flags), u32, "accepted, but");
	memcpy(&hs, r.img + r.off[pair], sizeof(hs));
	u32 = hs.flags | CR_SOCKF_REUSEADDR;	/* an internet flag */
	EXPECT_REFUSED(SOFF(pair, flags), u32, "bad state, flags");
	u32 = 5;
	EXPECT_REFUSED(SOFF(pair, backlog), u32, "a backlog, but no listener");
	u32 = 6;	/* IPPROTO_TCP, on a unix socket */
	EXPECT_REFUSED(SOFF(pair, protocol), u32, "family 1 type 1");
	u32 = 9;
	EXPECT_REFUSED(SOFF(pair, state), u32, "bad state");
	/* A peer that is someone else's: the second end finds it taken. */
	u64 = 12345;
	EXPECT_REFUSED(SOFF(pair, ino), u64, "not the peer of its peer");
	/* A relative path. */
	EXPECT_REFUSED(r.off[listen] + sizeof(struct cr_hdr_socket) +
		       offsetof(struct sockaddr_un, sun_path), (char){ 't' },
		       "bad address");
	/* A message too long, on the first queued one. */
	skb = pair + 1;
	ASSERT_EQ(CR_HDR_SKB, r.type[skb]);
	u32 = CR_SKB_MAX + 1;
	EXPECT_REFUSED(r.off[skb] + offsetof(struct cr_hdr_skb, len), u32,
		       "a queued message of");
	free(r.img);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: TCP and UDP sockets that hold no connection.
 *
 * A TCP listener, and a TCP or UDP socket that is bound or fresh, is
 * state a new socket can be given again: restart makes one of the same
 * family and protocol, sets the options that matter before bind
 * (SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY), binds it to the recorded
 * address and port with bind(2)'s checks, and listens with the recorded
 * backlog; SO_KEEPALIVE and TCP_NODELAY, which accepted connections
 * inherit, are set again too. The socket lives in the restarting task's
 * network namespace, whose addresses must allow the bind.
 *
 * Refused, by name: a TCP connection in any state but listening or
 * closed (restoring one takes TCP repair, which this does not do yet), a
 * listener with connections not yet accepted, a connected UDP socket,
 * datagrams queued, a socket bound to a device, joined to a multicast
 * group, or with IP_FREEBIND or IP_TRANSPARENT, a shut down socket,
 * protocols other than TCP and UDP.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/inet_connection_sock.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "internal.h"

/* Checkpoint */

/**
 * cr_inet_kind() - whether an internet socket can be saved
 * @sk: the socket
 * @what: set to why it is refused, when it is
 *
 * Return: %CR_FILE_SOCKET, or -EOPNOTSUPP with @what set.
 */
int cr_inet_kind(struct sock *sk, const char **what)
{
	bool tcp = sk->sk_type == SOCK_STREAM && sk->sk_protocol == IPPROTO_TCP;
	bool udp = sk->sk_type == SOCK_DGRAM && sk->sk_protocol == IPPROTO_UDP;
	int state = READ_ONCE(sk->sk_state);
	struct inet_sock *inet = inet_sk(sk);

	if (!tcp && !udp)
		*what = "an internet socket other than TCP or UDP";
	else if (tcp && state != TCP_LISTEN && state != TCP_CLOSE)
		*what = "a TCP connection (TCP repair is not supported yet)";
	else if (tcp && state == TCP_LISTEN &&
		 (READ_ONCE(sk->sk_ack_backlog) || inet_csk_reqsk_queue_len(sk)))
		*what = "a TCP listener with connections not yet accepted";
	else if (udp && state != TCP_CLOSE)
		*what = "a connected UDP socket";
	else if (udp && (skb_queue_len_lockless(&sk->sk_receive_queue) ||
			 skb_queue_len_lockless(&udp_sk(sk)->reader_queue)))
		*what = "a UDP socket with datagrams queued";
	else if (READ_ONCE(sk->sk_bound_dev_if) || rcu_access_pointer(inet->mc_list) ||
		 inet_test_bit(FREEBIND, sk) || inet_test_bit(TRANSPARENT, sk))
		*what = "an internet socket with SO_BINDTODEVICE, multicast or IP_FREEBIND";
	else if (READ_ONCE(sk->sk_shutdown) ||
		 rcu_access_pointer(sk->sk_filter) ||
		 READ_ONCE(sk->sk_peek_off) >= 0)
		*what = "an internet socket shut down, with a filter or a peek offset";
	else
		return CR_FILE_SOCKET;
	return -EOPNOTSUPP;
}

/**
 * cr_fill_inet() - the internet part of a socket record
 * @sock: the socket, which cr_inet_kind() accepted
 * @hs: its record, in the header buffer, with room for a struct
 *	sockaddr_in6 after it
 *
 * Return: the length of the address written after @hs, 0 for a socket
 * that is not bound, or the error of getsockname(2).
 */
int cr_fill_inet(struct socket *sock, struct cr_hdr_socket *hs)
{
	struct sock *sk = sock->sk;
	int len = 0;

	hs->protocol = sk->sk_protocol;
	hs->state = READ_ONCE(sk->sk_state) == TCP_LISTEN ?
		    CR_SOCK_LISTEN : CR_SOCK_UNCONNECTED;
	if (hs->state == CR_SOCK_LISTEN)
		hs->backlog = READ_ONCE(sk->sk_max_ack_backlog);
	if (sk->sk_reuse)
		hs->flags |= CR_SOCKF_REUSEADDR;
	if (sk->sk_reuseport)
		hs->flags |= CR_SOCKF_REUSEPORT;
	if (sk->sk_family == AF_INET6 && sk->sk_ipv6only)
		hs->flags |= CR_SOCKF_V6ONLY;
	if (sock_flag(sk, SOCK_KEEPOPEN))
		hs->flags |= CR_SOCKF_KEEPALIVE;
	if (sk->sk_protocol == IPPROTO_TCP &&
	    tcp_sk(sk)->nonagle & TCP_NAGLE_OFF)
		hs->flags |= CR_SOCKF_NODELAY;
	/* Bound: a local port, given by bind(2) or chosen by the kernel. */
	if (READ_ONCE(inet_sk(sk)->inet_num))
		len = kernel_getsockname(sock, (struct sockaddr *)(hs + 1));
	return len;
}

/* Restart */

/**
 * cr_check_inet() - the checks of an internet socket's record
 * @hs: the record
 *
 * Return: true when it describes a socket restart can make.
 */
bool cr_check_inet(const struct cr_hdr_socket *hs)
{
	const struct sockaddr_in *sin = (const void *)(hs + 1);
	const struct sockaddr_in6 *sin6 = (const void *)(hs + 1);
	bool tcp = hs->type == SOCK_STREAM && hs->protocol == IPPROTO_TCP;
	bool udp = hs->type == SOCK_DGRAM && hs->protocol == IPPROTO_UDP;
	u32 len = hs->family == AF_INET ? sizeof(*sin) : sizeof(*sin6);

	if ((!tcp && !udp) || hs->peer || hs->nr_skbs || hs->dev ||
	    hs->file_ino || hs->flags & (CR_SOCKF_SHUT_RD | CR_SOCKF_SHUT_WR |
					 CR_SOCKF_PASSCRED | CR_SOCKF_PAIR |
					 CR_SOCKF_ACCEPTED) ||
	    (hs->flags & CR_SOCKF_NODELAY && !tcp) ||
	    (hs->flags & CR_SOCKF_V6ONLY && hs->family != AF_INET6))
		return false;
	if (hs->state == CR_SOCK_CONNECTED || (hs->state == CR_SOCK_LISTEN && !tcp))
		return false;
	if (!hs->addr_len)
		return hs->state != CR_SOCK_LISTEN;
	/* A bound socket: its family's address, with its port. */
	return hs->addr_len == len && sin->sin_family == hs->family &&
	       sin->sin_port;
}

/* Set an option of @sock, as setsockopt(2) would. */
static int cr_inet_opt(struct socket *sock, int level, int name, int val)
{
	return do_sock_setsockopt(sock, false, level, name,
				  KERNEL_SOCKPTR(&val), sizeof(val));
}

/**
 * cr_make_inet() - make an internet socket again
 * @r: restart state
 * @hs: its checked record, its address after it
 * @flags: O_NONBLOCK for its file, or 0
 *
 * Return: its file, or an ERR_PTR() (logged).
 */
struct file *cr_make_inet(struct cr_rst *r, const struct cr_hdr_socket *hs,
			  unsigned int flags)
{
	struct sockaddr_storage addr = {};
	struct socket *sock;
	struct file *file;
	int ret;

	ret = sock_create(hs->family, hs->type, hs->protocol, &sock);
	if (ret) {
		cr_log(r->ctx, "cannot make an internet socket: error %d", ret);
		return ERR_PTR(ret);
	}
	file = sock_alloc_file(sock, flags, NULL);
	if (IS_ERR(file)) {
		cr_log(r->ctx, "cannot make an internet socket: error %ld",
		       PTR_ERR(file));
		return file;
	}
	/* What bind(2) and the accepted connections depend on, first. */
	ret = cr_inet_opt(sock, SOL_SOCKET, SO_REUSEADDR,
			  !!(hs->flags & CR_SOCKF_REUSEADDR));
	if (!ret && hs->flags & CR_SOCKF_REUSEPORT)
		ret = cr_inet_opt(sock, SOL_SOCKET, SO_REUSEPORT, 1);
	if (!ret && hs->family == AF_INET6)
		ret = cr_inet_opt(sock, SOL_IPV6, IPV6_V6ONLY,
				  !!(hs->flags & CR_SOCKF_V6ONLY));
	if (!ret && hs->flags & CR_SOCKF_KEEPALIVE)
		ret = cr_inet_opt(sock, SOL_SOCKET, SO_KEEPALIVE, 1);
	if (!ret && hs->flags & CR_SOCKF_NODELAY)
		ret = cr_inet_opt(sock, SOL_TCP, TCP_NODELAY, 1);
	if (ret) {
		cr_log(r->ctx, "cannot set the options of an internet socket again: error %d",
		       ret);
		goto err;
	}
	if (hs->addr_len) {
		memcpy(&addr, hs + 1, hs->addr_len);
		ret = __sys_bind_socket(sock, &addr, hs->addr_len);
		if (ret) {
			cr_log(r->ctx, "cannot bind an internet socket to port %u again: error %d",
			       ntohs(((struct sockaddr_in *)&addr)->sin_port),
			       ret);
			goto err;
		}
	}
	if (hs->state == CR_SOCK_LISTEN) {
		ret = __sys_listen_socket(sock, hs->backlog);
		if (ret) {
			cr_log(r->ctx, "cannot listen on an internet socket again: error %d",
			       ret);
			goto err;
		}
	}
	return file;
err:
	fput(file);
	return ERR_PTR(ret);
}

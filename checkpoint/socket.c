// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: sockets, and unix domain sockets in full.
 *
 * A socket's file (%CR_FILE_SOCKET) is followed by its socket record
 * (%CR_HDR_SOCKET): type, state, the address it is bound to, its peer,
 * the options a program sets, then the messages queued for it to read
 * (%CR_HDR_SKB each), read at checkpoint without being consumed, as a
 * pipe's data is.
 *
 * What comes back:
 * - a connected pair inside the tree (socketpair(2), a connection
 *   accept(2) made with the socket that connect(2)ed, or a stream whose
 *   peer was closed: it reads what is queued, then end of file) is made
 *   again with the socketpair operation, and each end's queue is sent
 *   again from the other end; an end that was bound is bound again, and
 *   the end accept(2) returned gets its listener's address again, as
 *   unix_stream_connect() gives it;
 * - a socket bound to an absolute path or an abstract name is bound
 *   again: a socket file the checkpointed socket left at that path is
 *   replaced (no other file is); a listening socket listens again with
 *   its backlog; a datagram socket's queue is sent again from an unbound
 *   socket made for that, and one connected to a socket of the tree is
 *   connected to it again, once every socket is bound;
 * - SO_SNDBUF, SO_RCVBUF, SO_SNDTIMEO, SO_RCVTIMEO and SO_PASSCRED are
 *   set with setsockopt(2)'s checks, and shutdown(2) is applied, once
 *   every queue is back.
 *
 * A socket connected to something outside the tree is external: the
 * restarter gives a substitute (files.c). Internet sockets that hold no
 * connection are socket_inet.c's. Refused, with a reason: sockets of
 * other families; a listener with connections not yet accepted;
 * out-of-band data; descriptors in flight
 * (SCM_RIGHTS); messages queued for a socket that reads credentials;
 * socket filters, peek offsets, SO_PASSSEC and SO_PASSPIDFD; a path
 * that is not absolute.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/namei.h>
#include <linux/net.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/un.h>
#include <net/af_unix.h>
#include <net/sock.h>

#include "internal.h"

/* Messages one socket's queue holds at most in an image. */
#define CR_SOCK_MAX_SKBS	65536

/* Checkpoint */

/* The peer of unix socket @sk, referenced, or NULL. */
static struct sock *cr_unix_peer(struct sock *sk)
{
	struct sock *peer;

	unix_state_lock(sk);
	peer = unix_peer(sk);
	if (peer)
		sock_hold(peer);
	unix_state_unlock(sk);
	return peer;
}

/* The file of live socket @sk, or NULL: not referenced, the tree holds it. */
static struct file *cr_sock_file(struct sock *sk)
{
	struct socket *sock = READ_ONCE(sk->sk_socket);

	if (sock_flag(sk, SOCK_DEAD) || !sock)
		return NULL;
	return READ_ONCE(sock->file);
}

/*
 * Why the queue of @sk cannot be saved, or NULL: descriptors in flight,
 * credentials its reader would get, out-of-band data.
 */
static const char *cr_queue_unsupported(struct sock *sk)
{
	struct sk_buff *skb;
	const char *why = NULL;

	spin_lock(&sk->sk_receive_queue.lock);
	skb_queue_walk(&sk->sk_receive_queue, skb) {
		if (UNIXCB(skb).fp) {
			why = "descriptors in flight (SCM_RIGHTS)";
			break;
		}
		if (test_bit(SOCK_PASSCRED, &sk->sk_socket->flags)) {
			why = "messages queued for a socket that reads credentials (SO_PASSCRED)";
			break;
		}
	}
	spin_unlock(&sk->sk_receive_queue.lock);
#if IS_ENABLED(CONFIG_AF_UNIX_OOB)
	if (!why && READ_ONCE(unix_sk(sk)->oob_skb))
		why = "out-of-band data (MSG_OOB)";
#endif
	return why;
}

/**
 * cr_socket_kind() - what a socket's file is to the image
 * @ctx: checkpoint context; @ctx->file_ids holds the tree's files
 * @file: a socket's file
 * @what: set to why it is refused, when it is
 *
 * A socket is external when its peer is outside the tree. Unlike a
 * pipe's, its file's reference count says nothing: a thread blocked in
 * accept(2) holds a reference of its own too.
 *
 * Return: %CR_FILE_SOCKET, %CR_FILE_EXTERNAL for a socket connected to
 * something outside the tree, or -EOPNOTSUPP with @what set.
 */
int cr_socket_kind(struct cr_ctx *ctx, struct file *file, const char **what)
{
	struct socket *sock = sock_from_file(file);
	struct sock *sk, *peer;
	struct unix_sock *u;
	struct file *pfile;
	int kind = CR_FILE_SOCKET;

	/* An O_PATH descriptor of a socket file on disk has no socket. */
	if (!sock) {
		*what = "an O_PATH descriptor of a socket file";
		return -EOPNOTSUPP;
	}
	sk = sock->sk;
	u = unix_sk(sk);

	if ((file->f_flags & CR_FILE_O_FLAGS & ~O_NONBLOCK) != O_RDWR) {
		*what = "a socket with open flags other than O_NONBLOCK";
		return -EOPNOTSUPP;
	}
	if (sk->sk_family == AF_INET || sk->sk_family == AF_INET6)
		return cr_inet_kind(sk, what);
	if (sk->sk_family != AF_UNIX) {
		*what = "a socket of that family";
		return -EOPNOTSUPP;
	}
	if (sk->sk_type != SOCK_STREAM && sk->sk_type != SOCK_DGRAM &&
	    sk->sk_type != SOCK_SEQPACKET) {
		*what = "a unix socket of that type";
		return -EOPNOTSUPP;
	}
	*what = cr_queue_unsupported(sk);
	if (*what)
		return -EOPNOTSUPP;
	if (rcu_access_pointer(sk->sk_filter) ||
	    READ_ONCE(sk->sk_peek_off) >= 0 ||
	    test_bit(SOCK_PASSSEC, &sock->flags) ||
	    test_bit(SOCK_PASSPIDFD, &sock->flags)) {
		*what = "a unix socket with a filter, a peek offset, SO_PASSSEC or SO_PASSPIDFD";
		return -EOPNOTSUPP;
	}
	if (READ_ONCE(sk->sk_state) == TCP_LISTEN &&
	    skb_queue_len(&sk->sk_receive_queue)) {
		*what = "a listening unix socket with connections not yet accepted";
		return -EOPNOTSUPP;
	}
	if (READ_ONCE(u->addr) && u->addr->name->sun_path[0] &&
	    u->addr->name->sun_path[0] != '/') {
		*what = "a unix socket bound to a relative path";
		return -EOPNOTSUPP;
	}

	peer = cr_unix_peer(sk);
	if (!peer)
		return kind;
	pfile = cr_sock_file(peer);
	if (pfile && !cr_file_id(ctx, pfile))
		kind = CR_FILE_EXTERNAL;
	sock_put(peer);
	return kind;
}

/*
 * Whether unix socket @sk was bound to @addr (bind(2) or autobind), not
 * given its listener's address by accept(2). af_unix keeps no flag for
 * it: a socket bound to a path is in the table of path sockets
 * (unix_insert_bsd_socket()), one bound to an abstract name hashes into
 * the upper half of the table (unix_abstract_hash()), and the socket
 * accept(2) returns is neither, as unix_create1() made it. Its tree is
 * stopped: neither changes under us.
 */
static bool cr_unix_bound(struct sock *sk, struct unix_address *addr)
{
	if (addr->name->sun_path[0])
		return !hlist_unhashed(&sk->sk_bind_node);
	return sk->sk_hash > UNIX_HASH_MOD;
}

/* The inode number of socket @sk's file, which names it in the image. */
static u64 cr_sock_ino(struct sock *sk)
{
	return sock_i_ino(sk);
}

/*
 * Copy the queue of @sk, without consuming it, into a buffer of @len
 * bytes: each message's length, then its data. Returns how many
 * messages, or -EBUSY when the queue is not what was measured.
 */
static int cr_copy_queue(struct sock *sk, char *buf, size_t len,
			 unsigned int nr)
{
	struct sk_buff *skb;
	unsigned int n = 0;
	size_t off = 0;
	u32 skip, size;
	int ret = 0;

	spin_lock(&sk->sk_receive_queue.lock);
	skb_queue_walk(&sk->sk_receive_queue, skb) {
		skip = sk->sk_type == SOCK_STREAM ? UNIXCB(skb).consumed : 0;
		size = skb->len - skip;
		if (n == nr || off + sizeof(u32) + size > len) {
			ret = -EBUSY;
			break;
		}
		memcpy(buf + off, &size, sizeof(u32));
		ret = skb_copy_bits(skb, skip, buf + off + sizeof(u32), size);
		if (ret)
			break;
		off += sizeof(u32) + size;
		n++;
	}
	spin_unlock(&sk->sk_receive_queue.lock);
	return ret ?: n;
}

/*
 * Measure the queue of @sk: how many messages, how many bytes they take
 * in cr_copy_queue()'s buffer. Refuses (logged) one beyond the image's
 * limits.
 */
static int cr_measure_queue(struct cr_ctx *ctx, struct sock *sk,
			    unsigned int *nr, size_t *len)
{
	struct sk_buff *skb;
	u32 size, max = 0;

	*nr = 0;
	*len = 0;
	spin_lock(&sk->sk_receive_queue.lock);
	skb_queue_walk(&sk->sk_receive_queue, skb) {
		size = skb->len -
		       (sk->sk_type == SOCK_STREAM ? UNIXCB(skb).consumed : 0);
		*len += sizeof(u32) + size;
		max = max(max, size);
		(*nr)++;
	}
	spin_unlock(&sk->sk_receive_queue.lock);
	if (*nr > CR_SOCK_MAX_SKBS || max > CR_SKB_MAX) {
		cr_log(ctx,
		       "a unix socket with %u messages queued, up to %u bytes, is beyond the image's limits",
		       *nr, max);
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * The @nr messages queued for @sk, as %CR_HDR_SKB records: copied under
 * the queue's lock into a buffer of @len bytes, written without it (the
 * image could be going to a socket too).
 */
static int cr_write_queue(struct cr_ctx *ctx, struct sock *sk,
			  unsigned int nr, size_t len)
{
	static const char zero[CR_HDR_ALIGN];
	struct cr_hdr_skb hs = { .h.type = CR_HDR_SKB };
	unsigned int i;
	size_t off = 0;
	char *buf;
	u32 size;
	int ret;

	if (!nr)
		return 0;
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = cr_copy_queue(sk, buf, len, nr);
	if (ret >= 0 && ret != nr)
		ret = -EBUSY;
	if (ret < 0) {
		cr_log(ctx, "cannot read the queue of a unix socket: error %d",
		       ret);
		goto out;
	}
	for (i = 0, ret = 0; !ret && i < nr; i++) {
		memcpy(&size, buf + off, sizeof(u32));
		hs.len = size;
		hs.h.len = ALIGN(sizeof(hs) + size, CR_HDR_ALIGN);
		ret = cr_write_data(ctx, &hs, sizeof(hs));
		if (!ret)
			ret = cr_write_data(ctx, buf + off + sizeof(u32), size);
		if (!ret && hs.h.len - sizeof(hs) - size)
			ret = cr_write_data(ctx, zero,
					    hs.h.len - sizeof(hs) - size);
		off += sizeof(u32) + size;
	}
out:
	kvfree(buf);
	return ret;
}

/* A socket timeout in nanoseconds, 0 for none. */
static u64 cr_timeo_ns(long timeo)
{
	return timeo == MAX_SCHEDULE_TIMEOUT ? 0 :
	       jiffies64_to_nsecs(timeo) ?: 1;
}

/*
 * The unix part of a socket record: state, peer, shutdown state, the
 * address as bind(2) was given it and the socket file it made. Returns
 * the length of the address written after @hs.
 */
static u32 cr_fill_unix(struct socket *sock, struct cr_hdr_socket *hs)
{
	struct sock *sk = sock->sk, *peer;
	struct unix_sock *u = unix_sk(sk);
	struct unix_address *addr;
	struct inode *inode;

	peer = cr_unix_peer(sk);
	if (READ_ONCE(sk->sk_state) == TCP_LISTEN) {
		hs->state = CR_SOCK_LISTEN;
		hs->backlog = READ_ONCE(sk->sk_max_ack_backlog);
	} else if (peer) {
		hs->state = CR_SOCK_CONNECTED;
		if (cr_sock_file(peer)) {
			hs->peer = cr_sock_ino(peer);
			if (unix_peer(peer) == sk)
				hs->flags |= CR_SOCKF_PAIR;
		} else if (sk->sk_type == SOCK_DGRAM) {
			/* A datagram socket's closed peer: sends fail. */
			hs->state = CR_SOCK_UNCONNECTED;
		}
	} else {
		hs->state = CR_SOCK_UNCONNECTED;
	}
	if (peer)
		sock_put(peer);
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		hs->flags |= CR_SOCKF_SHUT_RD;
	if (sk->sk_shutdown & SEND_SHUTDOWN)
		hs->flags |= CR_SOCKF_SHUT_WR;
	if (test_bit(SOCK_PASSCRED, &sock->flags))
		hs->flags |= CR_SOCKF_PASSCRED;

	/* Pairs with the release unix_bind() publishes the address with. */
	addr = smp_load_acquire(&u->addr);
	if (!addr)
		return 0;
	if (!cr_unix_bound(sk, addr))
		hs->flags |= CR_SOCKF_ACCEPTED;
	memcpy(hs + 1, addr->name, addr->len);
	if (u->path.dentry) {
		inode = d_backing_inode(u->path.dentry);
		hs->dev = new_encode_dev(inode->i_sb->s_dev);
		hs->file_ino = inode->i_ino;
	}
	return addr->len;
}

/**
 * cr_write_socket() - write the socket record of a socket's file
 * @ctx: checkpoint context
 * @file: the file, just recorded as %CR_FILE_SOCKET
 *
 * Return: 0 or a negative errno (logged).
 */
int cr_write_socket(struct cr_ctx *ctx, struct file *file)
{
	struct socket *sock = sock_from_file(file);
	struct sock *sk = sock->sk;
	struct cr_hdr_socket *hs;
	unsigned int nr_skbs = 0;
	size_t len = 0;
	int ret, addr_len;

	/* The count of the queue goes in the record, before the messages. */
	if (sk->sk_family == AF_UNIX) {
		ret = cr_measure_queue(ctx, sk, &nr_skbs, &len);
		if (ret)
			return ret;
	}
	hs = cr_hbuf_get(ctx, CR_HDR_SOCKET, sizeof(*hs) +
			 sizeof(struct sockaddr_un));
	hs->family = sk->sk_family;
	hs->type = sk->sk_type;
	hs->ino = cr_sock_ino(sk);
	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK) {
		hs->flags |= CR_SOCKF_SNDBUF;
		hs->sndbuf = READ_ONCE(sk->sk_sndbuf);
	}
	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK) {
		hs->flags |= CR_SOCKF_RCVBUF;
		hs->rcvbuf = READ_ONCE(sk->sk_rcvbuf);
	}
	hs->sndtimeo = cr_timeo_ns(READ_ONCE(sk->sk_sndtimeo));
	hs->rcvtimeo = cr_timeo_ns(READ_ONCE(sk->sk_rcvtimeo));
	addr_len = sk->sk_family == AF_UNIX ? cr_fill_unix(sock, hs) :
					      cr_fill_inet(sock, hs);
	if (addr_len < 0) {
		cr_log(ctx, "cannot read the address of a socket: error %d",
		       addr_len);
		return addr_len;
	}
	hs->addr_len = addr_len;
	hs->h.len = ALIGN(sizeof(*hs) + addr_len, CR_HDR_ALIGN);
	hs->nr_skbs = nr_skbs;
	ret = cr_hbuf_put(ctx, hs->h.len);
	return ret ?: cr_write_queue(ctx, sk, nr_skbs, len);
}

/* Restart */

/**
 * struct cr_rsock - a socket a restart made
 * @file: its file, with a reference
 * @orphan: for a stream whose peer was closed, the peer restart made to
 *	send the queue from, dropped once the restart is built; with a
 *	reference
 * @sndbuf: its SO_SNDBUF as made, before restart raised it to send
 * @rec: its socket record, once read
 * @addr: the address of @rec
 * @seen: its record was read; a pair's second end is made with the
 *	first, before its own record comes
 */
struct cr_rsock {
	struct file *file;
	struct file *orphan;
	int sndbuf;
	struct cr_hdr_socket rec;
	struct sockaddr_storage addr;
	bool seen;
};

/* The socket of @file, a socket file restart made. */
static struct socket *cr_sock(struct file *file)
{
	return sock_from_file(file);
}

/* A new socket of @type and its file, as socket(2) makes them. */
static struct file *cr_new_socket(int type, unsigned int flags)
{
	struct socket *sock;
	int ret;

	ret = sock_create(AF_UNIX, type, 0, &sock);
	if (ret)
		return ERR_PTR(ret);
	return sock_alloc_file(sock, flags, NULL);
}

/* A connected pair, as socketpair(2) makes one. */
static int cr_new_pair(int type, unsigned int flags, struct file **files)
{
	struct socket *sock[2];
	int ret;

	ret = sock_create(AF_UNIX, type, 0, &sock[0]);
	if (ret)
		return ret;
	ret = sock_create(AF_UNIX, type, 0, &sock[1]);
	if (ret)
		goto err_one;
	ret = security_socket_socketpair(sock[0], sock[1]);
	if (!ret)
		ret = READ_ONCE(sock[0]->ops)->socketpair(sock[0], sock[1]);
	if (ret)
		goto err_two;
	files[0] = sock_alloc_file(sock[0], flags, NULL);
	if (IS_ERR(files[0])) {
		sock_release(sock[1]);
		return PTR_ERR(files[0]);
	}
	files[1] = sock_alloc_file(sock[1], flags, NULL);
	if (IS_ERR(files[1])) {
		fput(files[0]);
		return PTR_ERR(files[1]);
	}
	return 0;

err_two:
	sock_release(sock[1]);
err_one:
	sock_release(sock[0]);
	return ret;
}

/*
 * Remove the socket file the checkpointed socket left at @path, so that
 * binding it again succeeds: only when it is that very file (@dev,
 * @ino), with the checks unlink(2) makes, and its locks in its order:
 * write access to the mount first, then the directory. A file of any
 * other kind, or another socket's, stays, and bind(2) will say
 * EADDRINUSE.
 */
static int cr_unlink_stale(const char *path, u64 dev, u64 ino)
{
	struct path found, parent;
	struct dentry *dentry;
	struct inode *inode;
	int ret;

	ret = kern_path(path, 0, &found);
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	inode = d_backing_inode(found.dentry);
	if (!S_ISSOCK(inode->i_mode) || inode->i_ino != ino ||
	    new_encode_dev(inode->i_sb->s_dev) != dev)
		goto out;
	ret = mnt_want_write(found.mnt);
	if (ret)
		goto out;
	dentry = kern_path_locked(path, &parent);
	if (IS_ERR(dentry)) {
		ret = PTR_ERR(dentry) == -ENOENT ? 0 : PTR_ERR(dentry);
	} else {
		/* Still the file found, on the mount made writable. */
		if (dentry == found.dentry && parent.mnt == found.mnt)
			ret = vfs_unlink(mnt_idmap(parent.mnt),
					 d_inode(parent.dentry), dentry, NULL);
		inode_unlock(d_inode(parent.dentry));
		dput(dentry);
		path_put(&parent);
	}
	mnt_drop_write(found.mnt);
out:
	path_put(&found);
	return ret;
}

/* Bind @file's socket to the address of @rs, as bind(2) would. */
static int cr_bind(struct cr_rst *r, struct cr_rsock *rs)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&rs->addr;
	char path[UNIX_PATH_MAX + 1];
	int ret;

	if (sun->sun_path[0]) {
		memcpy(path, sun->sun_path, rs->rec.addr_len -
		       offsetof(struct sockaddr_un, sun_path));
		path[rs->rec.addr_len - offsetof(struct sockaddr_un, sun_path)] = 0;
		ret = cr_unlink_stale(path, rs->rec.dev, rs->rec.file_ino);
		if (ret) {
			cr_log(r->ctx, "cannot replace the socket file %s: error %d",
			       path, ret);
			return ret;
		}
	}
	ret = __sys_bind_socket(cr_sock(rs->file), &rs->addr, rs->rec.addr_len);
	if (ret)
		cr_log(r->ctx, "cannot bind a unix socket again: error %d", ret);
	return ret;
}

/*
 * Send @len bytes from @buf through @from, to @to's address when @to is
 * not NULL, as the next message queued for the socket they reach.
 */
static int cr_send(struct file *from, struct cr_rsock *to, void *buf,
		   u32 len)
{
	struct kvec vec = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	int ret;

	if (to) {
		msg.msg_name = &to->addr;
		msg.msg_namelen = to->rec.addr_len;
	}
	ret = kernel_sendmsg(cr_sock(from), &msg, &vec, 1, len);
	return ret == len ? 0 : ret < 0 ? ret : -EAGAIN;
}

/*
 * Let @file's socket send what its peer's queue held at checkpoint: a
 * restart's own sending must not meet the SO_SNDBUF the program chose,
 * which finish puts back.
 */
static void cr_raise_sndbuf(struct file *file)
{
	struct sock *sk = cr_sock(file)->sk;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_sndbuf, INT_MAX / 2);
	release_sock(sk);
}

/*
 * Read the %CR_HDR_SKB records of @rs and queue each for it again, sent
 * from @from (to its address when @to_addr); only read after a failure
 * that is not the image's.
 */
static int cr_read_queue(struct cr_rst *r, struct cr_rsock *rs,
			 struct file *from, bool to_addr)
{
	struct cr_hdr_skb hs;
	unsigned int i;
	void *buf = NULL;
	int ret = 0;

	for (i = 0; !ret && i < rs->rec.nr_skbs; i++) {
		ret = cr_read_struct(r, CR_HDR_SKB, &hs, sizeof(hs));
		if (ret)
			break;
		if (hs.pad || hs.len > CR_SKB_MAX ||
		    hs.h.len != ALIGN(sizeof(hs) + (u64)hs.len, CR_HDR_ALIGN)) {
			ret = cr_bad(r, "a queued message of %u bytes", hs.len);
			break;
		}
		if (rs->rec.type == SOCK_STREAM && !hs.len) {
			ret = cr_bad(r, "an empty message queued on a stream");
			break;
		}
		buf = kvmalloc(max(hs.len, 1U), GFP_KERNEL);
		if (!buf) {
			ret = -ENOMEM;
			break;
		}
		ret = cr_read(r, buf, hs.len);
		if (!ret && !r->err && from) {
			ret = cr_send(from, to_addr ? rs : NULL, buf, hs.len);
			/* The socket layer's word for memory it could not get. */
			if (ret == -ENOBUFS)
				ret = -ENOMEM;
			if (ret) {
				cr_log(r->ctx,
				       "cannot queue message %u of a unix socket again: error %d",
				       i, ret);
				r->err = ret;
				ret = 0;
			}
		}
		kvfree(buf);
		if (!ret)
			ret = cr_read_skip(r, hs.h.len - sizeof(hs) - hs.len);
	}
	return ret;
}

/*
 * An address bind(2) takes for a unix socket, as checkpoint records one:
 * an abstract name, or an absolute path whose NUL ends the address (the
 * kernel keeps a path so).
 */
static bool cr_sun_ok(const struct sockaddr_un *sun, u32 len)
{
	u32 path_len = len - offsetof(struct sockaddr_un, sun_path);

	if (len <= offsetof(struct sockaddr_un, sun_path) ||
	    len > sizeof(*sun) || sun->sun_family != AF_UNIX)
		return false;
	return !sun->sun_path[0] ||
	       (sun->sun_path[0] == '/' &&
		strnlen(sun->sun_path, path_len) == path_len - 1);
}

/* The checks of a unix socket's record that need nothing but itself. */
static int cr_check_unix(struct cr_rst *r, const struct cr_hdr_socket *hs)
{
	const struct sockaddr_un *sun = (const void *)(hs + 1);
	bool listen = hs->state == CR_SOCK_LISTEN;
	bool stream = hs->type != SOCK_DGRAM;

	if ((hs->type != SOCK_STREAM && hs->type != SOCK_DGRAM &&
	     hs->type != SOCK_SEQPACKET) || hs->protocol)
		return cr_bad(r, "socket %llu: family %u type %u", hs->ino,
			      hs->family, hs->type);
	if (hs->flags & CR_SOCKF_INET)
		return cr_bad(r, "socket %llu: bad state, flags or file", hs->ino);
	if (listen && (!stream || !hs->addr_len))
		return cr_bad(r, "socket %llu: a listener must be a bound stream",
			      hs->ino);
	if (hs->flags & CR_SOCKF_ACCEPTED &&
	    (!stream || hs->state != CR_SOCK_CONNECTED || !hs->addr_len))
		return cr_bad(r,
			      "socket %llu: accepted, but not a connected stream with its listener's address",
			      hs->ino);
	if ((hs->state != CR_SOCK_CONNECTED && (hs->peer || hs->flags & CR_SOCKF_PAIR)) ||
	    (hs->flags & CR_SOCKF_PAIR && !hs->peer) || hs->peer == hs->ino ||
	    (hs->state == CR_SOCK_CONNECTED && !hs->peer && !stream) ||
	    (hs->state == CR_SOCK_CONNECTED && stream && hs->peer &&
	     !(hs->flags & CR_SOCKF_PAIR)))
		return cr_bad(r, "socket %llu: bad peer %llu", hs->ino, hs->peer);
	if (hs->nr_skbs > CR_SOCK_MAX_SKBS ||
	    (hs->nr_skbs && !(hs->state == CR_SOCK_CONNECTED ||
			      (!stream && hs->addr_len))))
		return cr_bad(r, "socket %llu: %u messages queued where none can be",
			      hs->ino, hs->nr_skbs);
	if ((hs->addr_len && !cr_sun_ok(sun, hs->addr_len)) ||
	    (!(hs->addr_len && sun->sun_path[0]) && (hs->dev || hs->file_ino)))
		return cr_bad(r, "socket %llu: bad address", hs->ino);
	return 0;
}

/* The checks of a socket record that need nothing but itself. */
static int cr_check_socket(struct cr_rst *r, const struct cr_hdr_socket *hs,
			   u32 file_flags)
{
	bool listen = hs->state == CR_SOCK_LISTEN;

	if (hs->state < CR_SOCK_UNCONNECTED || hs->state > CR_SOCK_CONNECTED ||
	    hs->flags & ~CR_SOCKF_FLAGS || !hs->ino ||
	    (file_flags & ~O_NONBLOCK) != O_RDWR)
		return cr_bad(r, "socket %llu: bad state, flags or file", hs->ino);
	if (!listen && hs->backlog)
		return cr_bad(r, "socket %llu: a backlog, but no listener", hs->ino);
	if ((!(hs->flags & CR_SOCKF_SNDBUF) && hs->sndbuf) ||
	    (!(hs->flags & CR_SOCKF_RCVBUF) && hs->rcvbuf) ||
	    hs->sndbuf > INT_MAX || hs->rcvbuf > INT_MAX ||
	    hs->sndtimeo > KTIME_MAX || hs->rcvtimeo > KTIME_MAX)
		return cr_bad(r, "socket %llu: bad options", hs->ino);
	if (hs->h.len != ALIGN(sizeof(*hs) + hs->addr_len, CR_HDR_ALIGN))
		return cr_bad(r, "socket %llu: bad address", hs->ino);
	if (hs->family == AF_UNIX)
		return cr_check_unix(r, hs);
	if ((hs->family != AF_INET && hs->family != AF_INET6) ||
	    !cr_check_inet(hs))
		return cr_bad(r, "socket %llu: family %u type %u: not a socket restart can make",
			      hs->ino, hs->family, hs->type);
	return 0;
}

/* A new entry of the tree's sockets, for @ino. */
static struct cr_rsock *cr_add_rsock(struct cr_rst *r, u64 ino)
{
	struct cr_rsock *rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	int ret;

	if (!rs)
		return ERR_PTR(-ENOMEM);
	ret = xa_err(xa_store(&r->tree->socks, ino, rs, GFP_KERNEL));
	if (ret) {
		kfree(rs);
		return ERR_PTR(ret);
	}
	return rs;
}

/*
 * Make the socket of @rs, whose record was just read, and what it needs
 * now: its pair's other end, its address, listen(2). After a failure
 * that is not the image's (@r->err), nothing is made.
 */
static int cr_make_socket(struct cr_rst *r, struct cr_rsock *rs,
			  u32 file_flags, struct file **from)
{
	struct cr_hdr_socket *hs = &rs->rec;
	unsigned int flags = file_flags & O_NONBLOCK;
	struct file *pair[2];
	struct cr_rsock *peer;
	int ret;

	*from = NULL;
	if (hs->family != AF_UNIX) {
		if (r->err)
			return 0;
		rs->file = cr_make_inet(r, hs, flags);
		if (IS_ERR(rs->file)) {
			r->err = PTR_ERR(rs->file);
			rs->file = NULL;
		} else {
			rs->sndbuf = READ_ONCE(cr_sock(rs->file)->sk->sk_sndbuf);
		}
		return 0;
	}
	if (hs->state == CR_SOCK_CONNECTED && hs->peer &&
	    hs->flags & CR_SOCKF_PAIR) {
		if (xa_load(&r->tree->socks, hs->peer))
			return cr_bad(r, "socket %llu: its peer %llu has another peer",
				      hs->ino, hs->peer);
		peer = cr_add_rsock(r, hs->peer);
		if (IS_ERR(peer))
			return PTR_ERR(peer);
		if (r->err)
			return 0;
		ret = cr_new_pair(hs->type, flags, pair);
		if (ret)
			goto err;
		rs->file = pair[0];
		peer->file = pair[1];
		peer->sndbuf = READ_ONCE(cr_sock(pair[1])->sk->sk_sndbuf);
		cr_raise_sndbuf(pair[1]);
		*from = pair[1];
	} else if (hs->state == CR_SOCK_CONNECTED && !hs->peer) {
		/* A stream whose peer was closed: it goes once queued. */
		if (r->err)
			return 0;
		ret = cr_new_pair(hs->type, flags, pair);
		if (ret)
			goto err;
		rs->file = pair[0];
		rs->orphan = pair[1];
		*from = pair[1];
	} else {
		if (r->err)
			return 0;
		rs->file = cr_new_socket(hs->type, flags);
		if (IS_ERR(rs->file)) {
			ret = PTR_ERR(rs->file);
			rs->file = NULL;
			goto err;
		}
	}
	rs->sndbuf = READ_ONCE(cr_sock(rs->file)->sk->sk_sndbuf);

	if (hs->addr_len && !(hs->flags & CR_SOCKF_ACCEPTED)) {
		ret = cr_bind(r, rs);
		if (ret)
			goto err_logged;
	}
	if (hs->state == CR_SOCK_LISTEN) {
		ret = __sys_listen_socket(cr_sock(rs->file), hs->backlog);
		if (ret) {
			cr_log(r->ctx, "cannot listen on a unix socket again: error %d",
			       ret);
			goto err_logged;
		}
	}
	/* A bound datagram socket's queue: from an unbound one. */
	if (hs->nr_skbs && hs->state != CR_SOCK_CONNECTED) {
		*from = cr_new_socket(hs->type, 0);
		if (IS_ERR(*from)) {
			ret = PTR_ERR(*from);
			*from = NULL;
			goto err;
		}
		cr_raise_sndbuf(*from);
	}
	return 0;

err:
	cr_log(r->ctx, "cannot make a unix socket: error %d", ret);
err_logged:
	r->err = ret;
	return 0;
}

/**
 * cr_read_socket() - read a socket's record and make it
 * @r: restart state; the socket's %CR_HDR_FILE record was just read
 * @rf: that file, which gets the socket's file
 * @file_flags: the file's open flags
 *
 * The socket record and its queued messages follow the file record. A
 * pair's first end makes both; the second finds its socket made.
 *
 * Return: 0 (a socket that cannot be made is @r->err, logged), -EINVAL
 * (logged) for a malformed record, or the errors of reading.
 */
int cr_read_socket(struct cr_rst *r, struct cr_rfile *rf, u32 file_flags)
{
	struct cr_hdr_socket *hs;
	struct file *from = NULL;
	struct cr_rsock *rs;
	bool pair_end;
	int ret;

	hs = cr_read_rec(r, CR_HDR_SOCKET, sizeof(*hs),
			 sizeof(*hs) + sizeof(struct sockaddr_un) +
			 CR_HDR_ALIGN);
	if (IS_ERR(hs))
		return PTR_ERR(hs);
	ret = cr_check_socket(r, hs, file_flags);
	if (ret)
		return ret;

	rs = xa_load(&r->tree->socks, hs->ino);
	pair_end = rs && !rs->seen;
	if (rs && rs->seen)
		return cr_bad(r, "socket %llu has two files", hs->ino);
	if (pair_end && (hs->state != CR_SOCK_CONNECTED ||
			 !(hs->flags & CR_SOCKF_PAIR) ||
			 !xa_load(&r->tree->socks, hs->peer)))
		return cr_bad(r, "socket %llu is not the peer of its peer", hs->ino);
	if (!rs) {
		rs = cr_add_rsock(r, hs->ino);
		if (IS_ERR(rs))
			return PTR_ERR(rs);
	}
	rs->rec = *hs;	/* the header buffer is reused */
	memcpy(&rs->addr, hs + 1, hs->addr_len);
	rs->seen = true;

	if (pair_end) {
		struct cr_rsock *peer = xa_load(&r->tree->socks, hs->peer);

		if (peer->rec.peer != hs->ino || peer->rec.type != hs->type)
			return cr_bad(r, "socket %llu is not the peer of its peer",
				      hs->ino);
		if (peer->file && rs->file) {
			cr_raise_sndbuf(peer->file);
			from = peer->file;
		}
		/* The second end of a pair is bound now, as the first was. */
		if (rs->file && !r->err && hs->addr_len &&
		    !(hs->flags & CR_SOCKF_ACCEPTED)) {
			ret = cr_bind(r, rs);
			if (ret)
				r->err = ret;
		}
	} else {
		ret = cr_make_socket(r, rs, file_flags, &from);
		if (ret)
			return ret;
	}
	if (rs->file)
		rf->file = get_file(rs->file);

	ret = cr_read_queue(r, rs, from, from && hs->state != CR_SOCK_CONNECTED);
	/* The unbound sender of a datagram socket's queue goes now. */
	if (from && !pair_end && from != rs->orphan &&
	    hs->state != CR_SOCK_CONNECTED)
		fput(from);
	return ret;
}

/* Set an integer socket option of @rs, as setsockopt(2) would. */
static int cr_setsockopt(struct cr_rsock *rs, int name, const void *val,
			 unsigned int len)
{
	return sock_setsockopt(cr_sock(rs->file), SOL_SOCKET, name,
			       KERNEL_SOCKPTR((void *)val), len);
}

/* Set timeout option @name of @rs to @ns, as setsockopt(2) would. */
static int cr_set_timeo(struct cr_rsock *rs, int name, u64 ns)
{
	struct __kernel_sock_timeval tv;
	u32 rem;

	tv.tv_sec = div_u64_rem(ns, NSEC_PER_SEC, &rem);
	tv.tv_usec = rem / NSEC_PER_USEC ?: 1;
	return cr_setsockopt(rs, name, &tv, sizeof(tv));
}

/*
 * Give the connection @rs that accept(2) made its listener's address,
 * as unix_stream_connect() gives it to the socket accept(2) returns: the
 * address and socket file of the listener, when the tree has it, else a
 * copy of the address as unix_create_addr() makes one, without a socket
 * file: the listener that had one was closed before the checkpoint.
 * The socket is the restart's alone until commit.
 */
static int cr_set_accepted_addr(struct cr_rst *r, struct cr_rsock *rs)
{
	struct unix_sock *u = unix_sk(cr_sock(rs->file)->sk), *lu;
	struct unix_address *addr = NULL;
	struct cr_rsock *l;
	unsigned long ino;

	xa_for_each(&r->tree->socks, ino, l) {
		if (!l->file || l->rec.family != AF_UNIX ||
		    l->rec.state != CR_SOCK_LISTEN ||
		    l->rec.type != rs->rec.type ||
		    l->rec.addr_len != rs->rec.addr_len ||
		    memcmp(&l->addr, &rs->addr, rs->rec.addr_len))
			continue;
		lu = unix_sk(cr_sock(l->file)->sk);
		/* Pairs with the release unix_bind() publishes it with. */
		addr = smp_load_acquire(&lu->addr);
		refcount_inc(&addr->refcnt);
		if (lu->path.dentry) {
			path_get(&lu->path);
			u->path = lu->path;
		}
		break;
	}
	if (!addr) {
		addr = kmalloc(sizeof(*addr) + rs->rec.addr_len, GFP_KERNEL);
		if (!addr)
			return -ENOMEM;
		memcpy(addr->name, &rs->addr, rs->rec.addr_len);
		addr->len = rs->rec.addr_len;
		refcount_set(&addr->refcnt, 1);
	}
	/* As unix_stream_connect(): pairs with unix_getname()'s acquire. */
	smp_store_release(&u->addr, addr);
	return 0;
}

/* The options, connection and shutdown state of @rs, now that all is queued. */
static int cr_finish_socket(struct cr_rst *r, struct cr_rsock *rs)
{
	struct cr_hdr_socket *hs = &rs->rec;
	struct sock *sk = cr_sock(rs->file)->sk;
	struct cr_rsock *peer;
	int ret = 0, val, how;

	WRITE_ONCE(sk->sk_sndbuf, rs->sndbuf);
	if (hs->flags & CR_SOCKF_ACCEPTED) {
		ret = cr_set_accepted_addr(r, rs);
		if (ret)
			return ret;
	}
	if (hs->state == CR_SOCK_CONNECTED && hs->peer &&
	    !(hs->flags & CR_SOCKF_PAIR)) {
		/* A datagram socket connected to a bound one of the tree. */
		peer = xa_load(&r->tree->socks, hs->peer);
		if (!peer || !peer->seen || !peer->rec.addr_len)
			return cr_bad(r,
				      "socket %llu: its peer %llu is not a bound socket of the tree",
				      hs->ino, hs->peer);
		ret = __sys_connect_file(rs->file, &peer->addr,
					 peer->rec.addr_len, 0);
		if (ret) {
			cr_log(r->ctx, "cannot connect a unix socket again: error %d",
			       ret);
			return ret;
		}
	}
	if (hs->flags & CR_SOCKF_SNDBUF) {
		val = hs->sndbuf / 2;
		ret = cr_setsockopt(rs, SO_SNDBUF, &val, sizeof(val));
		if (!ret && READ_ONCE(sk->sk_sndbuf) != hs->sndbuf)
			ret = -EPERM;
	}
	if (!ret && hs->flags & CR_SOCKF_RCVBUF) {
		val = hs->rcvbuf / 2;
		ret = cr_setsockopt(rs, SO_RCVBUF, &val, sizeof(val));
		if (!ret && READ_ONCE(sk->sk_rcvbuf) != hs->rcvbuf)
			ret = -EPERM;
	}
	if (!ret && hs->sndtimeo)
		ret = cr_set_timeo(rs, SO_SNDTIMEO_NEW, hs->sndtimeo);
	if (!ret && hs->rcvtimeo)
		ret = cr_set_timeo(rs, SO_RCVTIMEO_NEW, hs->rcvtimeo);
	if (!ret && hs->flags & CR_SOCKF_PASSCRED) {
		val = 1;
		ret = cr_setsockopt(rs, SO_PASSCRED, &val, sizeof(val));
	}
	if (ret) {
		cr_log(r->ctx,
		       "cannot set the options of a unix socket again (net.core.wmem_max, rmem_max?): error %d",
		       ret);
		return ret;
	}
	if (rs->orphan) {
		fput(rs->orphan);
		rs->orphan = NULL;
	}
	how = (hs->flags & CR_SOCKF_SHUT_RD ? RCV_SHUTDOWN : 0) |
	      (hs->flags & CR_SOCKF_SHUT_WR ? SEND_SHUTDOWN : 0);
	if (how && (READ_ONCE(sk->sk_shutdown) & how) != how)
		ret = __sys_shutdown_sock(cr_sock(rs->file), how - 1);
	if (ret)
		cr_log(r->ctx, "cannot shut a unix socket down again: error %d",
		       ret);
	return ret;
}

/**
 * cr_finish_sockets() - finish the sockets of a restart's tree
 * @r: restart state, with the whole image read and its checksum checked
 *
 * Every socket's record came (a pair's second end included); sockets
 * connected to a bound socket of the tree connect, and every socket gets
 * its options and shutdown state, now that every queue is back.
 *
 * Return: 0 (a failure that is not the image's is @r->err, logged), or
 * -EINVAL (logged) for a pair whose second end never came.
 */
int cr_finish_sockets(struct cr_rst *r)
{
	struct cr_rsock *rs;
	unsigned long ino;
	int ret;

	xa_for_each(&r->tree->socks, ino, rs) {
		if (!rs->seen)
			return cr_bad(r, "socket %lu is the peer of a socket but has no file",
				      ino);
		if (r->err || !rs->file)
			continue;
		ret = cr_finish_socket(r, rs);
		if (ret == -EINVAL)
			return ret;
		if (ret)
			r->err = ret;
	}
	return 0;
}

/**
 * cr_free_sockets() - drop the sockets of a restart's tree
 * @tree: the tree
 *
 * The descriptors made of them hold references of their own.
 */
void cr_free_sockets(struct cr_tree *tree)
{
	struct cr_rsock *rs;
	unsigned long ino;

	xa_for_each(&tree->socks, ino, rs) {
		if (rs->file)
			fput(rs->file);
		if (rs->orphan)
			fput(rs->orphan);
		kfree(rs);
	}
	xa_destroy(&tree->socks);
}

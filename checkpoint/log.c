// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the human-readable log.
 *
 * An errno alone cannot say which of a thousand VMAs was refused or why,
 * so both syscalls take a logfd and write one line per refusal to it.
 *
 * Lines are formatted into a buffer of the context as they come, from
 * any context (under the mmap lock, a page table lock, exec_update_lock),
 * and written to the log file only by cr_log_flush() where no lock is
 * held, as Linux-CR's logging did: a write to a pipe may block for as
 * long as its reader likes, and may take locks that rank above them.
 */
#include <kunit/visibility.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/sprintf.h>

#include "internal.h"

static const char *const cr_op_name[] = {
	[CR_OP_CHECKPOINT] = "checkpoint",
	[CR_OP_RESTART] = "restart",
};

/**
 * cr_log_format() - format one log line
 * @buf: destination
 * @size: size of @buf, at least 2
 * @prefix: what the line starts with, followed by ": "
 * @fmt: printf-style message
 * @args: arguments for @fmt
 *
 * A message too long for @buf is cut, but the line always ends in a
 * newline, so that a reader splitting the log on lines never sees two
 * messages run together.
 *
 * Return: the length of the line in @buf, newline included, not counting
 * the terminating NUL.
 */
VISIBLE_IF_KUNIT __printf(4, 0)
size_t cr_log_format(char *buf, size_t size, const char *prefix,
		     const char *fmt, va_list args)
{
	size_t len;

	len = scnprintf(buf, size - 1, "%s: ", prefix);
	len += vscnprintf(buf + len, size - 1 - len, fmt, args);
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}

/**
 * cr_log() - note one line saying why @ctx's syscall refused something
 * @ctx: the context, or NULL; nothing is noted when it has no log file
 * @fmt: printf-style message, without trailing newline
 *
 * The line reads "<syscall>: pid <pid>: <message>\n", so that a manager
 * sharing one log across many calls can tell them apart. It is buffered
 * until cr_log_flush(), so cr_log() may be called under any lock; lines
 * beyond the buffer are counted, and the count is logged instead. Logging
 * is best effort: it never changes the syscall's result.
 */
void cr_log(struct cr_ctx *ctx, const char *fmt, ...)
{
	char prefix[32];
	va_list args;

	/* Tasks restart creates pass none: the caller logs for them. */
	if (!ctx || !ctx->logbuf)
		return;
	/* Room is kept for the line cr_log_flush() adds about the rest. */
	if (CR_LOG_BUF_SIZE - ctx->loglen < 2 * CR_LOG_LINE_MAX) {
		ctx->logdrop++;
		return;
	}
	snprintf(prefix, sizeof(prefix), "%s: pid %d", cr_op_name[ctx->op],
		 ctx->pid);
	va_start(args, fmt);
	ctx->loglen += cr_log_format(ctx->logbuf + ctx->loglen,
				     CR_LOG_LINE_MAX, prefix, fmt, args);
	va_end(args);
}

/**
 * cr_log_flush() - write the lines noted so far to the log file
 * @ctx: the context
 *
 * Called with no lock held: the write may block on the log's reader.
 */
void cr_log_flush(struct cr_ctx *ctx)
{
	char line[CR_LOG_LINE_MAX];
	size_t len;

	might_sleep();
	lockdep_assert_none_held_once();
	if (!ctx->logbuf)
		return;
	if (ctx->logdrop) {
		len = scnprintf(line, sizeof(line),
				"%s: pid %d: %u more lines not logged\n",
				cr_op_name[ctx->op], ctx->pid, ctx->logdrop);
		ctx->logdrop = 0;
		memcpy(ctx->logbuf + ctx->loglen, line, len);
		ctx->loglen += len;
	}
	if (ctx->loglen)
		cr_kwrite(ctx->logfile, ctx->logbuf, ctx->loglen);
	ctx->loglen = 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checkpoint/restart: the human-readable log.
 *
 * An errno alone cannot say which of a thousand VMAs was refused or why,
 * so both syscalls take a logfd and write one line per refusal to it.
 */
#include <linux/ckpt.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sprintf.h>

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
 * cr_log() - write one line saying why @ctx's syscall refused something
 * @ctx: the context; nothing is written when it has no log file
 * @fmt: printf-style message, without trailing newline
 *
 * The line reads "<syscall>: pid <pid>: <message>\n", so that a manager
 * sharing one log across many calls can tell them apart. Logging is best
 * effort: a failing log write never changes the syscall's result.
 */
void cr_log(struct cr_ctx *ctx, const char *fmt, ...)
{
	char prefix[32];
	char *line;
	va_list args;
	size_t len;

	if (!ctx->logfile)
		return;

	line = kmalloc(CR_LOG_LINE_MAX, GFP_KERNEL);
	if (!line)
		return;

	snprintf(prefix, sizeof(prefix), "%s: pid %d", cr_op_name[ctx->op],
		 ctx->pid);
	va_start(args, fmt);
	len = cr_log_format(line, CR_LOG_LINE_MAX, prefix, fmt, args);
	va_end(args);

	cr_kwrite(ctx->logfile, line, len);
	kfree(line);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the checkpoint/restart argument checks and log lines.
 *
 * The syscalls themselves are exercised from userspace by the kselftests
 * in tools/testing/selftests/checkpoint/; these tests pin down the
 * helpers underneath, where an error path is easier to reach.
 */
#include <kunit/test.h>
#include <linux/ckpt.h>
#include <linux/string.h>

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static __printf(4, 5) size_t format(char *buf, size_t size, const char *prefix,
		     const char *fmt, ...)
{
	va_list args;
	size_t len;

	va_start(args, fmt);
	len = cr_log_format(buf, size, prefix, fmt, args);
	va_end(args);
	return len;
}

static void log_format_line(struct kunit *test)
{
	char buf[CR_LOG_LINE_MAX];
	size_t len;

	len = format(buf, sizeof(buf), "checkpoint: pid 7", "vma %#lx-%#lx",
		     0x1000UL, 0x3000UL);
	KUNIT_EXPECT_STREQ(test, buf,
			   "checkpoint: pid 7: vma 0x1000-0x3000\n");
	KUNIT_EXPECT_EQ(test, len, strlen(buf));
}

/* A cut message still ends in exactly one newline and fits the buffer. */
static void log_format_truncates(struct kunit *test)
{
	char buf[16];
	size_t len;

	memset(buf, 'x', sizeof(buf));
	len = format(buf, sizeof(buf), "restart", "%s",
		     "a reason far longer than the buffer");
	KUNIT_EXPECT_EQ(test, len, sizeof(buf) - 1);
	KUNIT_EXPECT_EQ(test, buf[len - 1], '\n');
	KUNIT_EXPECT_EQ(test, buf[len], '\0');
	KUNIT_EXPECT_STREQ(test, buf, "restart: a rea\n");
}

/* A prefix that fills the buffer leaves room for the newline only. */
static void log_format_long_prefix(struct kunit *test)
{
	char buf[8];
	size_t len;

	len = format(buf, sizeof(buf), "checkpoint", "x");
	KUNIT_EXPECT_EQ(test, len, sizeof(buf) - 1);
	KUNIT_EXPECT_STREQ(test, buf, "checkp\n");
}

static struct kunit_case checkpoint_log_cases[] = {
	KUNIT_CASE(log_format_line),
	KUNIT_CASE(log_format_truncates),
	KUNIT_CASE(log_format_long_prefix),
	{}
};

static struct kunit_suite checkpoint_log_suite = {
	.name = "checkpoint_log",
	.test_cases = checkpoint_log_cases,
};

/*
 * KUnit cases run in a kernel thread with no open files, so every fd is
 * bad here; that is enough to check the order of the checks and that a
 * failed set-up leaves nothing behind in the context.
 */
static void expect_ctx_fails(struct kunit *test, enum cr_op op, pid_t pid,
			     int fd, unsigned long flags, int logfd, int err)
{
	struct cr_ctx ctx;

	KUNIT_EXPECT_EQ(test, cr_ctx_init(&ctx, op, pid, fd, flags, logfd),
			err);
	KUNIT_EXPECT_NULL(test, ctx.task);
	KUNIT_EXPECT_NULL(test, ctx.file);
	KUNIT_EXPECT_NULL(test, ctx.logfile);
}

static void ctx_bad_logfd(struct kunit *test)
{
	expect_ctx_fails(test, CR_OP_CHECKPOINT, 0, 0, 0, 0, -EBADF);
	expect_ctx_fails(test, CR_OP_RESTART, 0, 0, 0, -2, -EBADF);
	/* The log is checked first: it must be usable to explain the rest. */
	expect_ctx_fails(test, CR_OP_CHECKPOINT, 0, 0, ~0UL, INT_MAX, -EBADF);
}

static void ctx_unknown_flags(struct kunit *test)
{
	expect_ctx_fails(test, CR_OP_CHECKPOINT, 0, 0, 1, -1, -EINVAL);
	expect_ctx_fails(test, CR_OP_RESTART, 0, 0, 1UL << 63, -1, -EINVAL);
}

static void ctx_restart_pid(struct kunit *test)
{
	expect_ctx_fails(test, CR_OP_RESTART, 1, -1, 0, -1, -EINVAL);
	expect_ctx_fails(test, CR_OP_RESTART, -1, -1, 0, -1, -EINVAL);
}

static void ctx_bad_fd(struct kunit *test)
{
	expect_ctx_fails(test, CR_OP_CHECKPOINT, 0, -1, 0, -1, -EBADF);
	expect_ctx_fails(test, CR_OP_RESTART, 0, 1000, 0, -1, -EBADF);
}

static struct kunit_case checkpoint_ctx_cases[] = {
	KUNIT_CASE(ctx_bad_logfd),
	KUNIT_CASE(ctx_unknown_flags),
	KUNIT_CASE(ctx_restart_pid),
	KUNIT_CASE(ctx_bad_fd),
	{}
};

static struct kunit_suite checkpoint_ctx_suite = {
	.name = "checkpoint_ctx",
	.test_cases = checkpoint_ctx_cases,
};

kunit_test_suites(&checkpoint_log_suite, &checkpoint_ctx_suite);

MODULE_DESCRIPTION("KUnit tests for checkpoint/restart");
MODULE_LICENSE("GPL");

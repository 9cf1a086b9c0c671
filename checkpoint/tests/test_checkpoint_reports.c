// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module whose only job is to make the kernel report a problem.
 *
 * The checkpoint test runner promises that a kernel warning, a memory
 * leak or a panic fails a run. Its own self-test loads this module with
 * each kind and expects the run to fail; without it, a runner that
 * stopped reading the console would pass silently.
 *
 *   insmod test_checkpoint_reports.ko kind=warn|leak|panic
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/panic.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *kind = "warn";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "what to report: warn, leak or panic");

static int __init test_checkpoint_reports_init(void)
{
	if (!strcmp(kind, "warn")) {
		WARN_ON(1);
	} else if (!strcmp(kind, "leak")) {
		/* Drop the only pointer; kmemleak must find the object. */
		if (!kmalloc(128, GFP_KERNEL))
			return -ENOMEM;
	} else if (!strcmp(kind, "panic")) {
		panic("test_checkpoint_reports: deliberate panic\n");
	} else {
		return -EINVAL;
	}
	pr_info("test_checkpoint_reports: reported a %s on purpose\n", kind);
	return 0;
}
module_init(test_checkpoint_reports_init);

static void __exit test_checkpoint_reports_exit(void)
{
}
module_exit(test_checkpoint_reports_exit);

MODULE_DESCRIPTION("Makes the kernel report a problem, to test the checkpoint test runner");
MODULE_LICENSE("GPL");

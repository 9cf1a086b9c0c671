// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pram_corrupt.ko: damage a PRAM node's metadata, as a stray write
 * would, so that the kexec test can check that the next kernel drops the
 * node with a log line and boots on.
 *
 *   insmod test_pram_corrupt.ko node=NAME
 *
 * Loading fails with ENOENT when there is no such published node, and
 * the module does nothing more: it can be removed at once.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pram.h>

static char *node;
module_param(node, charp, 0);
MODULE_PARM_DESC(node, "the PRAM node to damage");

static int __init test_pram_corrupt_init(void)
{
	if (!node)
		return -EINVAL;
	return pram_test_corrupt(node);
}
module_init(test_pram_corrupt_init);

static void __exit test_pram_corrupt_exit(void)
{
}
module_exit(test_pram_corrupt_exit);

MODULE_DESCRIPTION("Damage a PRAM node's metadata, for the kexec test");
MODULE_LICENSE("GPL");

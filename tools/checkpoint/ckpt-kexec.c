// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-kexec: reboot into a kernel with kexec, PRAM nodes kept.
 *
 *   ckpt-kexec [--debug] [--load] [--drop NAME]... KERNEL INITRD [ARG ...]
 *   ckpt-kexec --exec
 *
 * Loads KERNEL and INITRD with kexec_file_load(2), on the running
 * kernel's command line with its pram=/pram_zone= arguments replaced by
 * those /sys/kernel/pram gives and the ARGs appended, then reboots into
 * it with reboot(LINUX_REBOOT_CMD_KEXEC). On failure it says why and
 * exits 1; on success it does not return.
 *
 *   --debug      load with KEXEC_FILE_DEBUG: the kernel logs the range
 *                of every segment it placed (kernel, initrd, boot
 *                parameters, purgatory)
 *   --load       load only, and exit 0: "ckpt-kexec --exec" reboots
 *   --exec       reboot into the kernel loaded before
 *   --drop NAME  leave NAME= of /sys/kernel/pram out (pram or
 *                pram_zone), for tests of a next kernel booted without
 *                it or, with an ARG, with another value
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* <linux/kexec.h> has it since Linux 6.7. */
#ifndef KEXEC_FILE_DEBUG
#define KEXEC_FILE_DEBUG	0x00000008
#endif

#define MAX_DROP	4

/* The first line of @path into @buf, without its newline. */
static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, size, f)) {
		fprintf(stderr, "ckpt-kexec: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Whether @word is NAME=... for NAME @name. */
static int is_arg(const char *word, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(word, name, len) && word[len] == '=';
}

/* Whether @word is one of the arguments this tool sets. */
static int ours(const char *word)
{
	return is_arg(word, "pram") || is_arg(word, "pram_zone");
}

static int reboot_kexec(void)
{
	sync();
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_KEXEC, NULL);
	fprintf(stderr, "ckpt-kexec: reboot: %s\n", strerror(errno));
	return 1;
}

static int bad_args(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--debug] [--load] [--drop NAME]... KERNEL INITRD [ARG ...]\n"
		"       %s --exec\n", prog, prog);
	return 2;
}

int main(int argc, char **argv)
{
	char cur[4096], pram[256], cmdline[8192] = "", *w, *save;
	const char *drop[MAX_DROP];
	unsigned long flags = 0;
	size_t len;
	int kfd, ifd, i, j, nr_drop = 0, load_only = 0;

	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--debug")) {
			flags |= KEXEC_FILE_DEBUG;
		} else if (!strcmp(argv[i], "--load")) {
			load_only = 1;
		} else if (!strcmp(argv[i], "--exec") && argc == 2) {
			return reboot_kexec();
		} else if (!strcmp(argv[i], "--drop") && i + 1 < argc &&
			   nr_drop < MAX_DROP) {
			drop[nr_drop++] = argv[++i];
		} else {
			return bad_args(argv[0]);
		}
	}
	if (argc - i < 2)
		return bad_args(argv[0]);
	if (read_line("/proc/cmdline", cur, sizeof(cur)) ||
	    read_line("/sys/kernel/pram", pram, sizeof(pram)))
		return 1;
	for (w = strtok_r(cur, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (ours(w))
			continue;
		strncat(cmdline, w, sizeof(cmdline) - strlen(cmdline) - 2);
		strcat(cmdline, " ");
	}
	for (w = strtok_r(pram, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		for (j = 0; j < nr_drop && !is_arg(w, drop[j]); j++)
			;
		if (j < nr_drop)
			continue;
		strncat(cmdline, w, sizeof(cmdline) - strlen(cmdline) - 2);
		strcat(cmdline, " ");
	}
	for (j = i + 2; j < argc; j++) {
		strncat(cmdline, argv[j], sizeof(cmdline) - strlen(cmdline) - 2);
		strcat(cmdline, " ");
	}
	len = strlen(cmdline);
	if (len)
		cmdline[len - 1] = '\0';	/* the last space */

	kfd = open(argv[i], O_RDONLY);
	ifd = open(argv[i + 1], O_RDONLY);
	if (kfd < 0 || ifd < 0) {
		fprintf(stderr, "ckpt-kexec: %s: %s\n",
			kfd < 0 ? argv[i] : argv[i + 1], strerror(errno));
		return 1;
	}
	printf("ckpt-kexec: loading %s with \"%s\"\n", argv[i], cmdline);
	fflush(stdout);
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, flags)) {
		fprintf(stderr, "ckpt-kexec: kexec_file_load: %s\n",
			strerror(errno));
		return 1;
	}
	if (load_only)
		return 0;
	return reboot_kexec();
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * ckpt-kexec: reboot into a kernel with kexec, PRAM nodes kept.
 *
 *   ckpt-kexec KERNEL INITRD [ARG ...]
 *
 * Loads KERNEL and INITRD with kexec_file_load(2), on the running
 * kernel's command line with its pram=/pram_zone= arguments replaced by
 * those /sys/kernel/pram gives and the ARGs appended, then reboots into
 * it with reboot(LINUX_REBOOT_CMD_KEXEC). On failure it says why and
 * exits 1; on success it does not return.
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

/* Whether @word is one of the arguments this tool sets. */
static int ours(const char *word)
{
	return !strncmp(word, "pram=", 5) || !strncmp(word, "pram_zone=", 10);
}

int main(int argc, char **argv)
{
	char cur[4096], pram[256], cmdline[8192] = "", *w, *save;
	int kfd, ifd, i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s KERNEL INITRD [ARG ...]\n", argv[0]);
		return 2;
	}
	if (read_line("/proc/cmdline", cur, sizeof(cur)) ||
	    read_line("/sys/kernel/pram", pram, sizeof(pram)))
		return 1;
	for (w = strtok_r(cur, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (ours(w))
			continue;
		strncat(cmdline, w, sizeof(cmdline) - strlen(cmdline) - 2);
		strcat(cmdline, " ");
	}
	strncat(cmdline, pram, sizeof(cmdline) - strlen(cmdline) - 1);
	for (i = 3; i < argc; i++) {
		strncat(cmdline, " ", sizeof(cmdline) - strlen(cmdline) - 1);
		strncat(cmdline, argv[i], sizeof(cmdline) - strlen(cmdline) - 1);
	}

	kfd = open(argv[1], O_RDONLY);
	ifd = open(argv[2], O_RDONLY);
	if (kfd < 0 || ifd < 0) {
		fprintf(stderr, "ckpt-kexec: %s: %s\n",
			kfd < 0 ? argv[1] : argv[2], strerror(errno));
		return 1;
	}
	printf("ckpt-kexec: loading %s with \"%s\"\n", argv[1], cmdline);
	fflush(stdout);
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, 0UL)) {
		fprintf(stderr, "ckpt-kexec: kexec_file_load: %s\n",
			strerror(errno));
		return 1;
	}
	sync();
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_KEXEC, NULL);
	fprintf(stderr, "ckpt-kexec: reboot: %s\n", strerror(errno));
	return 1;
}

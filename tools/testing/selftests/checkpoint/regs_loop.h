/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The assembly loop of regs_loop.S: 13 general registers and xmm0-15
 * (SSE) or ymm0-15 (AVX) loaded from regs_in and regs_vin, held while
 * spinning until regs_go is set, then stored to regs_out and regs_vout.
 * regs_loop_tls() does the same with xmm0-15 for one thread among many,
 * with thread-local copies of them all, reached through fs base.
 */
#ifndef REGS_LOOP_H
#define REGS_LOOP_H

#include <stdint.h>

#define REGS_NR_GPRS	13

extern uint64_t regs_in[REGS_NR_GPRS], regs_out[REGS_NR_GPRS];
extern unsigned char regs_vin[16 * 32], regs_vout[16 * 32];
extern int regs_go;

int regs_loop_sse(int fd);
int regs_loop_avx(int fd);

extern __thread uint64_t regs_tin[REGS_NR_GPRS], regs_tout[REGS_NR_GPRS];
extern __thread unsigned char regs_tvin[16 * 16], regs_tvout[16 * 16];
extern __thread int regs_tgo;

int regs_loop_tls(int fd);

#endif /* REGS_LOOP_H */

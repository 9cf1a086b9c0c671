/* SPDX-License-Identifier: GPL-2.0 */
/*
 * regs_loop_sse(fd), regs_loop_avx(fd): hold known values in 13 general
 * registers (all but rsp, and rcx and r11, which syscall clobbers) and
 * in xmm0-15, or all of ymm0-15, while spinning until regs_go is set;
 * then store them all for the caller to compare. Before spinning, one
 * byte is written to fd so that the parent can stop the task right in
 * the loop, where nothing but the kernel keeps those values.
 */
	.data
	.globl	regs_in, regs_out, regs_vin, regs_vout, regs_go
	.balign	32
regs_in:	.fill	13, 8, 0
regs_out:	.fill	13, 8, 0
	.balign	32
regs_vin:	.fill	512, 1, 0
regs_vout:	.fill	512, 1, 0
regs_go:	.long	0

	.text
	.globl	regs_loop_sse
	.type	regs_loop_sse, @function
regs_loop_sse:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	movdqu	regs_vin+0(%rip), %xmm0
	movdqu	regs_vin+16(%rip), %xmm1
	movdqu	regs_vin+32(%rip), %xmm2
	movdqu	regs_vin+48(%rip), %xmm3
	movdqu	regs_vin+64(%rip), %xmm4
	movdqu	regs_vin+80(%rip), %xmm5
	movdqu	regs_vin+96(%rip), %xmm6
	movdqu	regs_vin+112(%rip), %xmm7
	movdqu	regs_vin+128(%rip), %xmm8
	movdqu	regs_vin+144(%rip), %xmm9
	movdqu	regs_vin+160(%rip), %xmm10
	movdqu	regs_vin+176(%rip), %xmm11
	movdqu	regs_vin+192(%rip), %xmm12
	movdqu	regs_vin+208(%rip), %xmm13
	movdqu	regs_vin+224(%rip), %xmm14
	movdqu	regs_vin+240(%rip), %xmm15
	/* write(fd, regs_go, 1): in place, stop me now */
	mov	$1, %eax
	lea	regs_go(%rip), %rsi
	mov	$1, %edx
	syscall
	mov	regs_in+0(%rip), %rax
	mov	regs_in+8(%rip), %rbx
	mov	regs_in+16(%rip), %rdx
	mov	regs_in+24(%rip), %rsi
	mov	regs_in+32(%rip), %rdi
	mov	regs_in+40(%rip), %rbp
	mov	regs_in+48(%rip), %r8
	mov	regs_in+56(%rip), %r9
	mov	regs_in+64(%rip), %r10
	mov	regs_in+72(%rip), %r12
	mov	regs_in+80(%rip), %r13
	mov	regs_in+88(%rip), %r14
	mov	regs_in+96(%rip), %r15
1:	cmpl	$0, regs_go(%rip)
	je	1b
	mov	%rax, regs_out+0(%rip)
	mov	%rbx, regs_out+8(%rip)
	mov	%rdx, regs_out+16(%rip)
	mov	%rsi, regs_out+24(%rip)
	mov	%rdi, regs_out+32(%rip)
	mov	%rbp, regs_out+40(%rip)
	mov	%r8, regs_out+48(%rip)
	mov	%r9, regs_out+56(%rip)
	mov	%r10, regs_out+64(%rip)
	mov	%r12, regs_out+72(%rip)
	mov	%r13, regs_out+80(%rip)
	mov	%r14, regs_out+88(%rip)
	mov	%r15, regs_out+96(%rip)
	movdqu	%xmm0, regs_vout+0(%rip)
	movdqu	%xmm1, regs_vout+16(%rip)
	movdqu	%xmm2, regs_vout+32(%rip)
	movdqu	%xmm3, regs_vout+48(%rip)
	movdqu	%xmm4, regs_vout+64(%rip)
	movdqu	%xmm5, regs_vout+80(%rip)
	movdqu	%xmm6, regs_vout+96(%rip)
	movdqu	%xmm7, regs_vout+112(%rip)
	movdqu	%xmm8, regs_vout+128(%rip)
	movdqu	%xmm9, regs_vout+144(%rip)
	movdqu	%xmm10, regs_vout+160(%rip)
	movdqu	%xmm11, regs_vout+176(%rip)
	movdqu	%xmm12, regs_vout+192(%rip)
	movdqu	%xmm13, regs_vout+208(%rip)
	movdqu	%xmm14, regs_vout+224(%rip)
	movdqu	%xmm15, regs_vout+240(%rip)
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
	.size	regs_loop_sse, .-regs_loop_sse

	.globl	regs_loop_avx
	.type	regs_loop_avx, @function
regs_loop_avx:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	vmovdqu	regs_vin+0(%rip), %ymm0
	vmovdqu	regs_vin+32(%rip), %ymm1
	vmovdqu	regs_vin+64(%rip), %ymm2
	vmovdqu	regs_vin+96(%rip), %ymm3
	vmovdqu	regs_vin+128(%rip), %ymm4
	vmovdqu	regs_vin+160(%rip), %ymm5
	vmovdqu	regs_vin+192(%rip), %ymm6
	vmovdqu	regs_vin+224(%rip), %ymm7
	vmovdqu	regs_vin+256(%rip), %ymm8
	vmovdqu	regs_vin+288(%rip), %ymm9
	vmovdqu	regs_vin+320(%rip), %ymm10
	vmovdqu	regs_vin+352(%rip), %ymm11
	vmovdqu	regs_vin+384(%rip), %ymm12
	vmovdqu	regs_vin+416(%rip), %ymm13
	vmovdqu	regs_vin+448(%rip), %ymm14
	vmovdqu	regs_vin+480(%rip), %ymm15
	/* write(fd, regs_go, 1): in place, stop me now */
	mov	$1, %eax
	lea	regs_go(%rip), %rsi
	mov	$1, %edx
	syscall
	mov	regs_in+0(%rip), %rax
	mov	regs_in+8(%rip), %rbx
	mov	regs_in+16(%rip), %rdx
	mov	regs_in+24(%rip), %rsi
	mov	regs_in+32(%rip), %rdi
	mov	regs_in+40(%rip), %rbp
	mov	regs_in+48(%rip), %r8
	mov	regs_in+56(%rip), %r9
	mov	regs_in+64(%rip), %r10
	mov	regs_in+72(%rip), %r12
	mov	regs_in+80(%rip), %r13
	mov	regs_in+88(%rip), %r14
	mov	regs_in+96(%rip), %r15
1:	cmpl	$0, regs_go(%rip)
	je	1b
	mov	%rax, regs_out+0(%rip)
	mov	%rbx, regs_out+8(%rip)
	mov	%rdx, regs_out+16(%rip)
	mov	%rsi, regs_out+24(%rip)
	mov	%rdi, regs_out+32(%rip)
	mov	%rbp, regs_out+40(%rip)
	mov	%r8, regs_out+48(%rip)
	mov	%r9, regs_out+56(%rip)
	mov	%r10, regs_out+64(%rip)
	mov	%r12, regs_out+72(%rip)
	mov	%r13, regs_out+80(%rip)
	mov	%r14, regs_out+88(%rip)
	mov	%r15, regs_out+96(%rip)
	vmovdqu	%ymm0, regs_vout+0(%rip)
	vmovdqu	%ymm1, regs_vout+32(%rip)
	vmovdqu	%ymm2, regs_vout+64(%rip)
	vmovdqu	%ymm3, regs_vout+96(%rip)
	vmovdqu	%ymm4, regs_vout+128(%rip)
	vmovdqu	%ymm5, regs_vout+160(%rip)
	vmovdqu	%ymm6, regs_vout+192(%rip)
	vmovdqu	%ymm7, regs_vout+224(%rip)
	vmovdqu	%ymm8, regs_vout+256(%rip)
	vmovdqu	%ymm9, regs_vout+288(%rip)
	vmovdqu	%ymm10, regs_vout+320(%rip)
	vmovdqu	%ymm11, regs_vout+352(%rip)
	vmovdqu	%ymm12, regs_vout+384(%rip)
	vmovdqu	%ymm13, regs_vout+416(%rip)
	vmovdqu	%ymm14, regs_vout+448(%rip)
	vmovdqu	%ymm15, regs_vout+480(%rip)
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	vzeroupper
	ret
	.size	regs_loop_avx, .-regs_loop_avx

/*
 * regs_loop_tls(fd): regs_loop_sse() for one thread of many. The values
 * are the calling thread's own, in thread-local regs_tin and regs_tvin
 * (xmm0-15), reached through fs base like any TLS; the loop spins until
 * the thread's regs_tgo is set and stores them to its regs_tout and
 * regs_tvout. A thread restored with another thread's fs base would
 * read and write that thread's copies instead.
 */
	.section	.tbss,"awT",@nobits
	.globl	regs_tin, regs_tout, regs_tvin, regs_tvout, regs_tgo
	.balign	32
	.type	regs_tin, @object
	.size	regs_tin, 104
regs_tin:	.zero	104
	.type	regs_tout, @object
	.size	regs_tout, 104
regs_tout:	.zero	104
	.balign	32
	.type	regs_tvin, @object
	.size	regs_tvin, 256
regs_tvin:	.zero	256
	.type	regs_tvout, @object
	.size	regs_tvout, 256
regs_tvout:	.zero	256
	.type	regs_tgo, @object
	.size	regs_tgo, 4
regs_tgo:	.zero	4

	.text
	.globl	regs_loop_tls
	.type	regs_loop_tls, @function
regs_loop_tls:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	movdqu	%fs:regs_tvin@tpoff+0, %xmm0
	movdqu	%fs:regs_tvin@tpoff+16, %xmm1
	movdqu	%fs:regs_tvin@tpoff+32, %xmm2
	movdqu	%fs:regs_tvin@tpoff+48, %xmm3
	movdqu	%fs:regs_tvin@tpoff+64, %xmm4
	movdqu	%fs:regs_tvin@tpoff+80, %xmm5
	movdqu	%fs:regs_tvin@tpoff+96, %xmm6
	movdqu	%fs:regs_tvin@tpoff+112, %xmm7
	movdqu	%fs:regs_tvin@tpoff+128, %xmm8
	movdqu	%fs:regs_tvin@tpoff+144, %xmm9
	movdqu	%fs:regs_tvin@tpoff+160, %xmm10
	movdqu	%fs:regs_tvin@tpoff+176, %xmm11
	movdqu	%fs:regs_tvin@tpoff+192, %xmm12
	movdqu	%fs:regs_tvin@tpoff+208, %xmm13
	movdqu	%fs:regs_tvin@tpoff+224, %xmm14
	movdqu	%fs:regs_tvin@tpoff+240, %xmm15
	/* write(fd, &regs_tgo, 1): in place, stop me now */
	mov	$1, %eax
	mov	%fs:0, %rsi
	lea	regs_tgo@tpoff(%rsi), %rsi
	mov	$1, %edx
	syscall
	mov	%fs:regs_tin@tpoff+0, %rax
	mov	%fs:regs_tin@tpoff+8, %rbx
	mov	%fs:regs_tin@tpoff+16, %rdx
	mov	%fs:regs_tin@tpoff+24, %rsi
	mov	%fs:regs_tin@tpoff+32, %rdi
	mov	%fs:regs_tin@tpoff+40, %rbp
	mov	%fs:regs_tin@tpoff+48, %r8
	mov	%fs:regs_tin@tpoff+56, %r9
	mov	%fs:regs_tin@tpoff+64, %r10
	mov	%fs:regs_tin@tpoff+72, %r12
	mov	%fs:regs_tin@tpoff+80, %r13
	mov	%fs:regs_tin@tpoff+88, %r14
	mov	%fs:regs_tin@tpoff+96, %r15
1:	cmpl	$0, %fs:regs_tgo@tpoff
	je	1b
	mov	%rax, %fs:regs_tout@tpoff+0
	mov	%rbx, %fs:regs_tout@tpoff+8
	mov	%rdx, %fs:regs_tout@tpoff+16
	mov	%rsi, %fs:regs_tout@tpoff+24
	mov	%rdi, %fs:regs_tout@tpoff+32
	mov	%rbp, %fs:regs_tout@tpoff+40
	mov	%r8, %fs:regs_tout@tpoff+48
	mov	%r9, %fs:regs_tout@tpoff+56
	mov	%r10, %fs:regs_tout@tpoff+64
	mov	%r12, %fs:regs_tout@tpoff+72
	mov	%r13, %fs:regs_tout@tpoff+80
	mov	%r14, %fs:regs_tout@tpoff+88
	mov	%r15, %fs:regs_tout@tpoff+96
	movdqu	%xmm0, %fs:regs_tvout@tpoff+0
	movdqu	%xmm1, %fs:regs_tvout@tpoff+16
	movdqu	%xmm2, %fs:regs_tvout@tpoff+32
	movdqu	%xmm3, %fs:regs_tvout@tpoff+48
	movdqu	%xmm4, %fs:regs_tvout@tpoff+64
	movdqu	%xmm5, %fs:regs_tvout@tpoff+80
	movdqu	%xmm6, %fs:regs_tvout@tpoff+96
	movdqu	%xmm7, %fs:regs_tvout@tpoff+112
	movdqu	%xmm8, %fs:regs_tvout@tpoff+128
	movdqu	%xmm9, %fs:regs_tvout@tpoff+144
	movdqu	%xmm10, %fs:regs_tvout@tpoff+160
	movdqu	%xmm11, %fs:regs_tvout@tpoff+176
	movdqu	%xmm12, %fs:regs_tvout@tpoff+192
	movdqu	%xmm13, %fs:regs_tvout@tpoff+208
	movdqu	%xmm14, %fs:regs_tvout@tpoff+224
	movdqu	%xmm15, %fs:regs_tvout@tpoff+240
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
	.size	regs_loop_tls, .-regs_loop_tls

	.section	.note.GNU-stack,"",@progbits

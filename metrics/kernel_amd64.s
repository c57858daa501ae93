//go:build !purego

#include "textflag.h"

// func distSumsSSE2(xi, data []float64, offs []int, col []float64) float64
//
// For each j: v = sqrt((s0+s1)+(s2+s3)), where s0..s3 sum (xi-xj)^2 over
// dimensions 4b+0..4b+3 (one register holds s0,s1 and another s2,s3) and
// the dimensions past the last multiple of 4 are added to s0 in order. Then
// s += v and, unless col is nil, col[j] += v. The order of every operation
// matches distSumsToGo, so the results are bit-identical. Rows are taken
// two at a time so that they share the loads of xi.
//
// Registers: SI xi, DX len(xi), R11 len(xi) rounded down to a multiple of
// 4, DI data, R8 offs, R9 len(offs), R10 col (or 0), BX j, R12 k, CX and
// R13 the two rows, X7 the running s.
TEXT ·distSumsSSE2(SB), NOSPLIT, $0-104
	MOVQ  xi_base+0(FP), SI
	MOVQ  xi_len+8(FP), DX
	MOVQ  data_base+24(FP), DI
	MOVQ  offs_base+48(FP), R8
	MOVQ  offs_len+56(FP), R9
	MOVQ  col_base+72(FP), R10
	XORPS X7, X7
	MOVQ  DX, R11
	ANDQ  $-4, R11
	XORQ  BX, BX

pair:
	LEAQ 1(BX), AX
	CMPQ AX, R9
	JGE  single
	MOVQ (R8)(BX*8), AX
	LEAQ (DI)(AX*8), CX
	MOVQ 8(R8)(BX*8), AX
	LEAQ (DI)(AX*8), R13
	XORPS X0, X0
	XORPS X1, X1
	XORPS X8, X8
	XORPS X9, X9
	XORQ R12, R12

pair8:
	// Two blocks of four per trip while at least eight dimensions remain;
	// the accumulators see the blocks in the same order as the Go loop.
	LEAQ   4(R12), AX
	CMPQ   AX, R11
	JGE    pair4
	MOVUPD (SI)(R12*8), X2
	MOVUPD 16(SI)(R12*8), X3
	MOVUPD (CX)(R12*8), X4
	MOVUPD 16(CX)(R12*8), X5
	MOVUPD (R13)(R12*8), X10
	MOVUPD 16(R13)(R12*8), X11
	SUBPD  X2, X4
	SUBPD  X3, X5
	SUBPD  X2, X10
	SUBPD  X3, X11
	MULPD  X4, X4
	MULPD  X5, X5
	MULPD  X10, X10
	MULPD  X11, X11
	ADDPD  X4, X0
	ADDPD  X5, X1
	ADDPD  X10, X8
	ADDPD  X11, X9
	MOVUPD 32(SI)(R12*8), X2
	MOVUPD 48(SI)(R12*8), X3
	MOVUPD 32(CX)(R12*8), X4
	MOVUPD 48(CX)(R12*8), X5
	MOVUPD 32(R13)(R12*8), X10
	MOVUPD 48(R13)(R12*8), X11
	SUBPD  X2, X4
	SUBPD  X3, X5
	SUBPD  X2, X10
	SUBPD  X3, X11
	MULPD  X4, X4
	MULPD  X5, X5
	MULPD  X10, X10
	MULPD  X11, X11
	ADDPD  X4, X0
	ADDPD  X5, X1
	ADDPD  X10, X8
	ADDPD  X11, X9
	ADDQ   $8, R12
	JMP    pair8

pair4:
	CMPQ   R12, R11
	JGE    pairtail
	MOVUPD (SI)(R12*8), X2
	MOVUPD 16(SI)(R12*8), X3
	MOVUPD (CX)(R12*8), X4
	MOVUPD 16(CX)(R12*8), X5
	MOVUPD (R13)(R12*8), X10
	MOVUPD 16(R13)(R12*8), X11
	SUBPD  X2, X4
	SUBPD  X3, X5
	SUBPD  X2, X10
	SUBPD  X3, X11
	MULPD  X4, X4
	MULPD  X5, X5
	MULPD  X10, X10
	MULPD  X11, X11
	ADDPD  X4, X0
	ADDPD  X5, X1
	ADDPD  X10, X8
	ADDPD  X11, X9
	ADDQ   $4, R12

pairtail:
	CMPQ  R12, DX
	JGE   pairfin
	MOVSD (SI)(R12*8), X2
	MOVSD (CX)(R12*8), X4
	MOVSD (R13)(R12*8), X10
	SUBSD X2, X4
	SUBSD X2, X10
	MULSD X4, X4
	MULSD X10, X10
	ADDSD X4, X0
	ADDSD X10, X8
	INCQ  R12
	JMP   pairtail

pairfin:
	// Both rows at once: X0 = [a0 a1], X1 = [a2 a3], X8 = [b0 b1],
	// X9 = [b2 b3] become [(a0+a1)+(a2+a3) (b0+b1)+(b2+b3)], then the
	// square roots [va vb].
	MOVAPD   X0, X2
	UNPCKLPD X8, X2
	UNPCKHPD X8, X0
	ADDPD    X2, X0
	MOVAPD   X1, X3
	UNPCKLPD X9, X3
	UNPCKHPD X9, X1
	ADDPD    X3, X1
	ADDPD    X1, X0
	SQRTPD   X0, X0
	ADDSD    X0, X7
	MOVAPD   X0, X2
	UNPCKHPD X2, X2
	ADDSD    X2, X7
	TESTQ    R10, R10
	JZ       pairnext
	MOVUPD   (R10)(BX*8), X3
	ADDPD    X0, X3
	MOVUPD   X3, (R10)(BX*8)

pairnext:
	ADDQ $2, BX
	JMP  pair

single:
	CMPQ  BX, R9
	JGE   done
	MOVQ  (R8)(BX*8), AX
	LEAQ  (DI)(AX*8), CX
	XORPS X0, X0
	XORPS X1, X1
	XORQ  R12, R12

single4:
	CMPQ   R12, R11
	JGE    singletail
	MOVUPD (SI)(R12*8), X2
	MOVUPD 16(SI)(R12*8), X3
	MOVUPD (CX)(R12*8), X4
	MOVUPD 16(CX)(R12*8), X5
	SUBPD  X2, X4
	SUBPD  X3, X5
	MULPD  X4, X4
	MULPD  X5, X5
	ADDPD  X4, X0
	ADDPD  X5, X1
	ADDQ   $4, R12
	JMP    single4

singletail:
	CMPQ  R12, DX
	JGE   singlefin
	MOVSD (SI)(R12*8), X2
	MOVSD (CX)(R12*8), X4
	SUBSD X2, X4
	MULSD X4, X4
	ADDSD X4, X0
	INCQ  R12
	JMP   singletail

singlefin:
	MOVAPD   X0, X2
	UNPCKHPD X2, X2
	ADDSD    X2, X0
	MOVAPD   X1, X3
	UNPCKHPD X3, X3
	ADDSD    X3, X1
	ADDSD    X1, X0
	SQRTSD   X0, X0
	ADDSD    X0, X7
	TESTQ    R10, R10
	JZ       singlenext
	MOVSD    (R10)(BX*8), X2
	ADDSD    X0, X2
	MOVSD    X2, (R10)(BX*8)

singlenext:
	INCQ BX
	JMP  single

done:
	MOVSD X7, ret+96(FP)
	RET

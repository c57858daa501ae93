//go:build !purego

#include "textflag.h"

// func distSumsAVX(xi, data []float64, offs []int, col []float64) float64
//
// distSumsSSE2 with 4-lane registers: one register holds the four running
// sums s0..s3 of a row, so each block of four dimensions is one subtract,
// multiply and add, as in distSumsToGo. After the blocks, s2,s3 are moved
// out before the tail dimensions are added to s0 (a 128-bit VEX operation
// clears the upper lanes), then v = sqrt((s0+s1)+(s2+s3)) as in the Go
// loop, so the results are bit-identical. Rows are taken two at a time.
//
// Registers: SI xi, DX len(xi), R11 len(xi) rounded down to a multiple of
// 4, DI data, R8 offs, R9 len(offs), R10 col (or 0), BX j, R12 k, CX and
// R13 the two rows, X7 the running s; Y0 and Y8 the sums of the two rows.
TEXT ·distSumsAVX(SB), NOSPLIT, $0-104
	MOVQ   xi_base+0(FP), SI
	MOVQ   xi_len+8(FP), DX
	MOVQ   data_base+24(FP), DI
	MOVQ   offs_base+48(FP), R8
	MOVQ   offs_len+56(FP), R9
	MOVQ   col_base+72(FP), R10
	VXORPD X7, X7, X7
	MOVQ   DX, R11
	ANDQ   $-4, R11
	XORQ   BX, BX

pair:
	LEAQ   1(BX), AX
	CMPQ   AX, R9
	JGE    single
	MOVQ   (R8)(BX*8), AX
	LEAQ   (DI)(AX*8), CX
	MOVQ   8(R8)(BX*8), AX
	LEAQ   (DI)(AX*8), R13
	VXORPD Y0, Y0, Y0
	VXORPD Y8, Y8, Y8
	XORQ   R12, R12

pair8:
	LEAQ    4(R12), AX
	CMPQ    AX, R11
	JGE     pair4
	VMOVUPD (SI)(R12*8), Y2
	VSUBPD  (CX)(R12*8), Y2, Y4
	VSUBPD  (R13)(R12*8), Y2, Y5
	VMULPD  Y4, Y4, Y4
	VMULPD  Y5, Y5, Y5
	VADDPD  Y4, Y0, Y0
	VADDPD  Y5, Y8, Y8
	VMOVUPD 32(SI)(R12*8), Y3
	VSUBPD  32(CX)(R12*8), Y3, Y6
	VSUBPD  32(R13)(R12*8), Y3, Y9
	VMULPD  Y6, Y6, Y6
	VMULPD  Y9, Y9, Y9
	VADDPD  Y6, Y0, Y0
	VADDPD  Y9, Y8, Y8
	ADDQ    $8, R12
	JMP     pair8

pair4:
	CMPQ    R12, R11
	JGE     pairsplit
	VMOVUPD (SI)(R12*8), Y2
	VSUBPD  (CX)(R12*8), Y2, Y4
	VSUBPD  (R13)(R12*8), Y2, Y5
	VMULPD  Y4, Y4, Y4
	VMULPD  Y5, Y5, Y5
	VADDPD  Y4, Y0, Y0
	VADDPD  Y5, Y8, Y8
	ADDQ    $4, R12

pairsplit:
	VEXTRACTF128 $1, Y0, X1
	VEXTRACTF128 $1, Y8, X9

pairtail:
	CMPQ   R12, DX
	JGE    pairfin
	VMOVSD (SI)(R12*8), X2
	VSUBSD (CX)(R12*8), X2, X4
	VSUBSD (R13)(R12*8), X2, X5
	VMULSD X4, X4, X4
	VMULSD X5, X5, X5
	VADDSD X4, X0, X0
	VADDSD X5, X8, X8
	INCQ   R12
	JMP    pairtail

pairfin:
	// X0 = [a0 a1], X1 = [a2 a3], X8 = [b0 b1], X9 = [b2 b3].
	VUNPCKLPD X8, X0, X2
	VUNPCKHPD X8, X0, X3
	VADDPD    X3, X2, X2
	VUNPCKLPD X9, X1, X4
	VUNPCKHPD X9, X1, X5
	VADDPD    X5, X4, X4
	VADDPD    X4, X2, X2
	VSQRTPD   X2, X2
	VADDSD    X2, X7, X7
	VUNPCKHPD X2, X2, X3
	VADDSD    X3, X7, X7
	TESTQ     R10, R10
	JZ        pairnext
	VMOVUPD   (R10)(BX*8), X4
	VADDPD    X2, X4, X4
	VMOVUPD   X4, (R10)(BX*8)

pairnext:
	ADDQ $2, BX
	JMP  pair

single:
	CMPQ   BX, R9
	JGE    done
	MOVQ   (R8)(BX*8), AX
	LEAQ   (DI)(AX*8), CX
	VXORPD Y0, Y0, Y0
	XORQ   R12, R12

single4:
	CMPQ    R12, R11
	JGE     singlesplit
	VMOVUPD (SI)(R12*8), Y2
	VSUBPD  (CX)(R12*8), Y2, Y4
	VMULPD  Y4, Y4, Y4
	VADDPD  Y4, Y0, Y0
	ADDQ    $4, R12
	JMP     single4

singlesplit:
	VEXTRACTF128 $1, Y0, X1

singletail:
	CMPQ   R12, DX
	JGE    singlefin
	VMOVSD (SI)(R12*8), X2
	VSUBSD (CX)(R12*8), X2, X4
	VMULSD X4, X4, X4
	VADDSD X4, X0, X0
	INCQ   R12
	JMP    singletail

singlefin:
	VUNPCKHPD X0, X0, X2
	VADDSD    X2, X0, X0
	VUNPCKHPD X1, X1, X3
	VADDSD    X3, X1, X1
	VADDSD    X1, X0, X0
	VSQRTSD   X0, X0, X0
	VADDSD    X0, X7, X7
	TESTQ     R10, R10
	JZ        singlenext
	VADDSD    (R10)(BX*8), X0, X4
	VMOVSD    X4, (R10)(BX*8)

singlenext:
	INCQ BX
	JMP  single

done:
	VZEROUPPER
	VMOVSD X7, ret+96(FP)
	RET

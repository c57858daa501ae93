//go:build !purego

#include "textflag.h"

// func kmDistBlockAVX2(x *float64, stride, rows int, mean, cen *float64, d, k int, scratch, out *float64)
//
// For each of rows rows of x (stride elements apart): scratch = row - mean,
// then out[r*k+j] = sum_t (scratch[t] - cen[j*d+t])^2 for j < k. Each
// (row, centre) value is computed by the same instruction sequence whatever
// rows and k are.
TEXT ·kmDistBlockAVX2(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), SI
	MOVQ stride+8(FP), R8
	SHLQ $3, R8
	MOVQ rows+16(FP), R9
	MOVQ mean+24(FP), R10
	MOVQ cen+32(FP), R11
	MOVQ d+40(FP), DX
	MOVQ k+48(FP), R12
	MOVQ scratch+56(FP), R13
	MOVQ out+64(FP), DI
	MOVQ DX, R14
	SHRQ $3, R14 // blocks of 8 coordinates
	TESTQ R9, R9
	JLE done

rowloop:
	XORQ AX, AX

centre4:
	LEAQ 4(AX), CX
	CMPQ CX, DX
	JGT centre1
	VMOVUPD (SI)(AX*8), Y0
	VSUBPD (R10)(AX*8), Y0, Y0
	VMOVUPD Y0, (R13)(AX*8)
	MOVQ CX, AX
	JMP centre4

centre1:
	CMPQ AX, DX
	JGE centred
	VMOVSD (SI)(AX*8), X0
	VSUBSD (R10)(AX*8), X0, X0
	VMOVSD X0, (R13)(AX*8)
	INCQ AX
	JMP centre1

centred:
	MOVQ R11, BX
	MOVQ R12, CX

cenloop:
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	XORQ AX, AX
	MOVQ R14, R15
	TESTQ R15, R15
	JZ after8

loop8:
	VMOVUPD (R13)(AX*8), Y0
	VSUBPD (BX)(AX*8), Y0, Y0
	VFMADD231PD Y0, Y0, Y1
	VMOVUPD 32(R13)(AX*8), Y3
	VSUBPD 32(BX)(AX*8), Y3, Y3
	VFMADD231PD Y3, Y3, Y2
	ADDQ $8, AX
	DECQ R15
	JNZ loop8

after8:
	TESTQ $4, DX
	JZ after4
	VMOVUPD (R13)(AX*8), Y0
	VSUBPD (BX)(AX*8), Y0, Y0
	VFMADD231PD Y0, Y0, Y1
	ADDQ $4, AX

after4:
	VADDPD Y2, Y1, Y1
	VEXTRACTF128 $1, Y1, X2
	VADDPD X2, X1, X1
	VHADDPD X1, X1, X1

tail:
	CMPQ AX, DX
	JGE store
	VMOVSD (R13)(AX*8), X0
	VSUBSD (BX)(AX*8), X0, X0
	VFMADD231SD X0, X0, X1
	INCQ AX
	JMP tail

store:
	VMOVSD X1, (DI)
	ADDQ $8, DI
	LEAQ (BX)(DX*8), BX
	DECQ CX
	JNZ cenloop
	ADDQ R8, SI
	DECQ R9
	JNZ rowloop

done:
	VZEROUPPER
	RET

// func kmDistIdxPackedAVX2(x *float64, stride int, idx *int, rows int, mean, pk *float64, d, k int, out *float64)
//
// kmDistBlockAVX2 for the rows idx[0..rows-1] of x and the k centres
// packed by kmPackCentres: the same rounding steps per (row, centre), so the
// values agree bit for bit. The row is centred in registers as it is read.
// Four centres at a time share those reads and one horizontal reduction:
// their sums of the lanes (l0+l2)+(l1+l3) come out of two VPERM2F128, one
// VADDPD and one VHADDPD, as kmDistBlockAVX2's VEXTRACTF128, VADDPD and
// VHADDPD per centre, in the order a, c, b, d of the packed group (which
// kmPackCentres fills with the centres 4g, 4g+2, 4g+1, 4g+3). The k%4
// last centres are done one at a time, except that when k%4 == 1 the last
// one shares the reads of the last group. The row eight places ahead in
// idx is prefetched, and the one 32 places ahead with the T2 hint (on a
// gather of half the rows of a large x, a fifth faster than the first
// prefetch alone).
TEXT ·kmDistIdxPackedAVX2(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), SI
	MOVQ stride+8(FP), R8
	MOVQ idx+16(FP), R14
	MOVQ rows+24(FP), R9
	MOVQ mean+32(FP), R10
	MOVQ pk+40(FP), R11
	MOVQ d+48(FP), DX
	MOVQ k+56(FP), R12
	MOVQ out+64(FP), DI
	TESTQ R9, R9
	JLE gdone

growloop:
	CMPQ R9, $8
	JLE gnopf
	MOVQ 64(R14), R15
	IMULQ R8, R15
	LEAQ (SI)(R15*8), R15
	PREFETCHT0 (R15)
	PREFETCHT0 64(R15)
	CMPQ R9, $32
	JLE gnopf
	MOVQ 256(R14), R15
	IMULQ R8, R15
	LEAQ (SI)(R15*8), R15
	PREFETCHT2 (R15)
	PREFETCHT2 64(R15)

gnopf:
	MOVQ (R14), R13
	IMULQ R8, R13
	LEAQ (SI)(R13*8), R13 // the row
	MOVQ R11, BX          // packed centres
	MOVQ R12, R15         // centres left

ggroup:
	CMPQ R15, $4
	JLT gsingle
	JEQ g4group
	CMPQ R15, $5
	JEQ g5group

g4group:
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	XORQ AX, AX
	MOVQ DX, CX
	SHRQ $3, CX
	JZ ggafter8

ggloop8:
	VMOVUPD (R13)(AX*8), Y0
	VSUBPD (R10)(AX*8), Y0, Y0
	VMOVUPD 32(R13)(AX*8), Y9
	VSUBPD 32(R10)(AX*8), Y9, Y9
	VSUBPD (BX), Y0, Y10
	VFMADD231PD Y10, Y10, Y1
	VSUBPD 32(BX), Y9, Y11
	VFMADD231PD Y11, Y11, Y2
	VSUBPD 64(BX), Y0, Y12
	VFMADD231PD Y12, Y12, Y3
	VSUBPD 96(BX), Y9, Y13
	VFMADD231PD Y13, Y13, Y4
	VSUBPD 128(BX), Y0, Y10
	VFMADD231PD Y10, Y10, Y5
	VSUBPD 160(BX), Y9, Y11
	VFMADD231PD Y11, Y11, Y6
	VSUBPD 192(BX), Y0, Y12
	VFMADD231PD Y12, Y12, Y7
	VSUBPD 224(BX), Y9, Y13
	VFMADD231PD Y13, Y13, Y8
	ADDQ $8, AX
	ADDQ $256, BX
	DECQ CX
	JNZ ggloop8

ggafter8:
	TESTQ $4, DX
	JZ ggafter4
	VMOVUPD (R13)(AX*8), Y0
	VSUBPD (R10)(AX*8), Y0, Y0
	VSUBPD (BX), Y0, Y10
	VFMADD231PD Y10, Y10, Y1
	VSUBPD 32(BX), Y0, Y11
	VFMADD231PD Y11, Y11, Y3
	VSUBPD 64(BX), Y0, Y12
	VFMADD231PD Y12, Y12, Y5
	VSUBPD 96(BX), Y0, Y13
	VFMADD231PD Y13, Y13, Y7
	ADDQ $4, AX
	ADDQ $128, BX

ggafter4:
	VADDPD Y2, Y1, Y1
	VADDPD Y4, Y3, Y3
	VADDPD Y6, Y5, Y5
	VADDPD Y8, Y7, Y7
	VPERM2F128 $0x20, Y3, Y1, Y9  // a0 a1 b0 b1
	VPERM2F128 $0x31, Y3, Y1, Y10 // a2 a3 b2 b3
	VADDPD Y10, Y9, Y9
	VPERM2F128 $0x20, Y7, Y5, Y11 // c0 c1 d0 d1
	VPERM2F128 $0x31, Y7, Y5, Y12 // c2 c3 d2 d3
	VADDPD Y12, Y11, Y11
	VHADDPD Y11, Y9, Y9           // a c b d: centres 4g..4g+3

ggtail:
	CMPQ AX, DX
	JGE ggstore
	VMOVSD (R13)(AX*8), X0
	VSUBSD (R10)(AX*8), X0, X0
	VBROADCASTSD X0, Y0
	VSUBPD (BX), Y0, Y10
	VFMADD231PD Y10, Y10, Y9
	INCQ AX
	ADDQ $32, BX
	JMP ggtail

ggstore:
	VMOVUPD Y9, (DI)
	ADDQ $32, DI
	SUBQ $4, R15
	JMP ggroup

// The last four packed centres and the one after them, with the reads of
// the row shared (the fifth rounds as in gcenloop).
g5group:
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15
	MOVQ DX, R15
	SHLQ $5, R15
	ADDQ BX, R15 // the fifth centre, row-major after the group
	XORQ AX, AX
	MOVQ DX, CX
	SHRQ $3, CX
	JZ g5after8

g5loop8:
	VMOVUPD (R13)(AX*8), Y0
	VSUBPD (R10)(AX*8), Y0, Y0
	VMOVUPD 32(R13)(AX*8), Y9
	VSUBPD 32(R10)(AX*8), Y9, Y9
	VSUBPD (BX), Y0, Y10
	VFMADD231PD Y10, Y10, Y1
	VSUBPD 32(BX), Y9, Y11
	VFMADD231PD Y11, Y11, Y2
	VSUBPD 64(BX), Y0, Y12
	VFMADD231PD Y12, Y12, Y3
	VSUBPD 96(BX), Y9, Y13
	VFMADD231PD Y13, Y13, Y4
	VSUBPD 128(BX), Y0, Y10
	VFMADD231PD Y10, Y10, Y5
	VSUBPD 160(BX), Y9, Y11
	VFMADD231PD Y11, Y11, Y6
	VSUBPD 192(BX), Y0, Y12
	VFMADD231PD Y12, Y12, Y7
	VSUBPD 224(BX), Y9, Y13
	VFMADD231PD Y13, Y13, Y8
	VSUBPD (R15)(AX*8), Y0, Y10
	VFMADD231PD Y10, Y10, Y14
	VSUBPD 32(R15)(AX*8), Y9, Y11
	VFMADD231PD Y11, Y11, Y15
	ADDQ $8, AX
	ADDQ $256, BX
	DECQ CX
	JNZ g5loop8

g5after8:
	TESTQ $4, DX
	JZ g5after4
	VMOVUPD (R13)(AX*8), Y0
	VSUBPD (R10)(AX*8), Y0, Y0
	VSUBPD (BX), Y0, Y10
	VFMADD231PD Y10, Y10, Y1
	VSUBPD 32(BX), Y0, Y11
	VFMADD231PD Y11, Y11, Y3
	VSUBPD 64(BX), Y0, Y12
	VFMADD231PD Y12, Y12, Y5
	VSUBPD 96(BX), Y0, Y13
	VFMADD231PD Y13, Y13, Y7
	VSUBPD (R15)(AX*8), Y0, Y10
	VFMADD231PD Y10, Y10, Y14
	ADDQ $4, AX
	ADDQ $128, BX

g5after4:
	VADDPD Y2, Y1, Y1
	VADDPD Y4, Y3, Y3
	VADDPD Y6, Y5, Y5
	VADDPD Y8, Y7, Y7
	VPERM2F128 $0x20, Y3, Y1, Y9
	VPERM2F128 $0x31, Y3, Y1, Y10
	VADDPD Y10, Y9, Y9
	VPERM2F128 $0x20, Y7, Y5, Y11
	VPERM2F128 $0x31, Y7, Y5, Y12
	VADDPD Y12, Y11, Y11
	VHADDPD Y11, Y9, Y9
	VADDPD Y15, Y14, Y14
	VEXTRACTF128 $1, Y14, X15
	VADDPD X15, X14, X14
	VHADDPD X14, X14, X14

g5tail:
	CMPQ AX, DX
	JGE g5store
	VMOVSD (R13)(AX*8), X0
	VSUBSD (R10)(AX*8), X0, X0
	VSUBSD (R15)(AX*8), X0, X12
	VFMADD231SD X12, X12, X14
	VBROADCASTSD X0, Y0
	VSUBPD (BX), Y0, Y10
	VFMADD231PD Y10, Y10, Y9
	INCQ AX
	ADDQ $32, BX
	JMP g5tail

g5store:
	VMOVUPD Y9, (DI)
	VMOVSD X14, 32(DI)
	ADDQ $40, DI
	JMP gnextrow

gsingle:
	MOVQ R15, CX
	TESTQ CX, CX
	JZ gnextrow

gcenloop:
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	XORQ AX, AX
	MOVQ DX, R15
	SHRQ $3, R15
	JZ gafter8

gloop8:
	VMOVUPD (R13)(AX*8), Y0
	VSUBPD (R10)(AX*8), Y0, Y0
	VSUBPD (BX)(AX*8), Y0, Y0
	VFMADD231PD Y0, Y0, Y1
	VMOVUPD 32(R13)(AX*8), Y3
	VSUBPD 32(R10)(AX*8), Y3, Y3
	VSUBPD 32(BX)(AX*8), Y3, Y3
	VFMADD231PD Y3, Y3, Y2
	ADDQ $8, AX
	DECQ R15
	JNZ gloop8

gafter8:
	TESTQ $4, DX
	JZ gafter4
	VMOVUPD (R13)(AX*8), Y0
	VSUBPD (R10)(AX*8), Y0, Y0
	VSUBPD (BX)(AX*8), Y0, Y0
	VFMADD231PD Y0, Y0, Y1
	ADDQ $4, AX

gafter4:
	VADDPD Y2, Y1, Y1
	VEXTRACTF128 $1, Y1, X2
	VADDPD X2, X1, X1
	VHADDPD X1, X1, X1

gtail:
	CMPQ AX, DX
	JGE gstore
	VMOVSD (R13)(AX*8), X0
	VSUBSD (R10)(AX*8), X0, X0
	VSUBSD (BX)(AX*8), X0, X0
	VFMADD231SD X0, X0, X1
	INCQ AX
	JMP gtail

gstore:
	VMOVSD X1, (DI)
	ADDQ $8, DI
	LEAQ (BX)(DX*8), BX
	DECQ CX
	JNZ gcenloop

gnextrow:
	ADDQ $8, R14
	DECQ R9
	JNZ growloop

gdone:
	VZEROUPPER
	RET

// func kmAccumAVX2(x *float64, stride, rows int, mean *float64, labels *int, sums *float64, d int)
//
// For each of rows rows of x: sums[labels[r]*d+t] += x[r][t] - mean[t], the
// same two roundings per coordinate as the Go code.
TEXT ·kmAccumAVX2(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ stride+8(FP), R8
	SHLQ $3, R8
	MOVQ rows+16(FP), R9
	MOVQ mean+24(FP), R10
	MOVQ labels+32(FP), R11
	MOVQ sums+40(FP), R12
	MOVQ d+48(FP), DX
	TESTQ R9, R9
	JLE adone

arowloop:
	MOVQ (R11), BX
	IMULQ DX, BX
	LEAQ (R12)(BX*8), BX
	XORQ AX, AX

aloop4:
	LEAQ 4(AX), CX
	CMPQ CX, DX
	JGT aloop1
	VMOVUPD (SI)(AX*8), Y0
	VSUBPD (R10)(AX*8), Y0, Y0
	VADDPD (BX)(AX*8), Y0, Y0
	VMOVUPD Y0, (BX)(AX*8)
	MOVQ CX, AX
	JMP aloop4

aloop1:
	CMPQ AX, DX
	JGE anext
	VMOVSD (SI)(AX*8), X0
	VSUBSD (R10)(AX*8), X0, X0
	VADDSD (BX)(AX*8), X0, X0
	VMOVSD X0, (BX)(AX*8)
	INCQ AX
	JMP aloop1

anext:
	ADDQ R8, SI
	ADDQ $8, R11
	DECQ R9
	JNZ arowloop

adone:
	VZEROUPPER
	RET

// func kmNearest4BlockAVX2(x *float64, stride, rows int, mean, ct *float64, d, nb int, scratch, out *float64)
//
// The nearest of the centres given transposed in blocks of four (ct[(b*d+t)*4+l]
// is coordinate t of centre 4b+l, +Inf for padding), for each of rows rows
// of x: out[3r] the index (as a float64; ties: lowest index), out[3r+1] and
// out[3r+2] the smallest and second smallest squared distances. The
// centred row is left in scratch. Each distance is a sum over the
// coordinates in order, two interleaved partial sums (even and odd t) per
// centre, the same for every row whatever rows is.
TEXT ·kmNearest4BlockAVX2(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), SI
	MOVQ stride+8(FP), R8
	SHLQ $3, R8
	MOVQ rows+16(FP), R9
	MOVQ mean+24(FP), R10
	MOVQ ct+32(FP), R11
	MOVQ d+40(FP), DX
	MOVQ nb+48(FP), R12
	MOVQ scratch+56(FP), R13
	MOVQ out+64(FP), DI
	TESTQ R9, R9
	JLE q4done

q4rowloop:
	MOVQ SI, BX
	XORQ AX, AX

q4centre4:
	LEAQ 4(AX), CX
	CMPQ CX, DX
	JGT q4centre1
	VMOVUPD (BX)(AX*8), Y0
	VSUBPD (R10)(AX*8), Y0, Y0
	VMOVUPD Y0, (R13)(AX*8)
	MOVQ CX, AX
	JMP q4centre4

q4centre1:
	CMPQ AX, DX
	JGE q4centred
	VMOVSD (BX)(AX*8), X0
	VSUBSD (R10)(AX*8), X0, X0
	VMOVSD X0, (R13)(AX*8)
	INCQ AX
	JMP q4centre1

q4centred:
	MOVQ $0x7FF0000000000000, AX
	VMOVQ AX, X4
	VMOVQ AX, X5
	MOVQ $0x3FF0000000000000, AX
	VMOVQ AX, X7
	VXORPD X6, X6, X6
	VXORPD X8, X8, X8
	MOVQ R11, BX
	MOVQ R12, CX

q4blk:
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	XORQ AX, AX
	MOVQ DX, R15
	SHRQ $1, R15
	JZ q4odd

q4pair:
	VBROADCASTSD (R13)(AX*8), Y0
	VSUBPD (BX), Y0, Y0
	VFMADD231PD Y0, Y0, Y1
	VBROADCASTSD 8(R13)(AX*8), Y3
	VSUBPD 32(BX), Y3, Y3
	VFMADD231PD Y3, Y3, Y2
	ADDQ $2, AX
	ADDQ $64, BX
	DECQ R15
	JNZ q4pair

q4odd:
	TESTQ $1, DX
	JZ q4red
	VBROADCASTSD (R13)(AX*8), Y0
	VSUBPD (BX), Y0, Y0
	VFMADD231PD Y0, Y0, Y1
	ADDQ $32, BX

q4red:
	VADDPD Y2, Y1, Y1
	VPERMILPD $1, X1, X12
	VEXTRACTF128 $1, Y1, X13
	VPERMILPD $1, X13, X14
	VMAXSD X4, X1, X9
	VMINSD X9, X5, X5
	VCMPSD $1, X4, X1, X10
	VBLENDVPD X10, X6, X8, X8
	VMINSD X1, X4, X4
	VADDSD X7, X6, X6
	VMAXSD X4, X12, X9
	VMINSD X9, X5, X5
	VCMPSD $1, X4, X12, X10
	VBLENDVPD X10, X6, X8, X8
	VMINSD X12, X4, X4
	VADDSD X7, X6, X6
	VMAXSD X4, X13, X9
	VMINSD X9, X5, X5
	VCMPSD $1, X4, X13, X10
	VBLENDVPD X10, X6, X8, X8
	VMINSD X13, X4, X4
	VADDSD X7, X6, X6
	VMAXSD X4, X14, X9
	VMINSD X9, X5, X5
	VCMPSD $1, X4, X14, X10
	VBLENDVPD X10, X6, X8, X8
	VMINSD X14, X4, X4
	VADDSD X7, X6, X6
	DECQ CX
	JNZ q4blk
	VMOVSD X8, (DI)
	VMOVSD X4, 8(DI)
	VMOVSD X5, 16(DI)
	ADDQ $24, DI
	ADDQ R8, SI
	DECQ R9
	JNZ q4rowloop

q4done:
	VZEROUPPER
	RET

// func kmNearest4IdxAVX2(x *float64, stride int, idx *int, rows int, mean, ct *float64, d, nb int, scratch, out *float64)
//
// kmNearest4BlockAVX2 for the rows idx[0..rows-1].
TEXT ·kmNearest4IdxAVX2(SB), NOSPLIT, $0-80
	MOVQ x+0(FP), SI
	MOVQ stride+8(FP), R8
	MOVQ idx+16(FP), R14
	MOVQ rows+24(FP), R9
	MOVQ mean+32(FP), R10
	MOVQ ct+40(FP), R11
	MOVQ d+48(FP), DX
	MOVQ nb+56(FP), R12
	MOVQ scratch+64(FP), R13
	MOVQ out+72(FP), DI
	TESTQ R9, R9
	JLE g4done

g4rowloop:
	CMPQ R9, $8
	JLE g4nopf
	MOVQ 64(R14), R15
	IMULQ R8, R15
	LEAQ (SI)(R15*8), R15
	PREFETCHT0 (R15)
	PREFETCHT0 64(R15)

g4nopf:
	MOVQ (R14), BX
	IMULQ R8, BX
	LEAQ (SI)(BX*8), BX
	XORQ AX, AX

g4centre4:
	LEAQ 4(AX), CX
	CMPQ CX, DX
	JGT g4centre1
	VMOVUPD (BX)(AX*8), Y0
	VSUBPD (R10)(AX*8), Y0, Y0
	VMOVUPD Y0, (R13)(AX*8)
	MOVQ CX, AX
	JMP g4centre4

g4centre1:
	CMPQ AX, DX
	JGE g4centred
	VMOVSD (BX)(AX*8), X0
	VSUBSD (R10)(AX*8), X0, X0
	VMOVSD X0, (R13)(AX*8)
	INCQ AX
	JMP g4centre1

g4centred:
	MOVQ $0x7FF0000000000000, AX
	VMOVQ AX, X4
	VMOVQ AX, X5
	MOVQ $0x3FF0000000000000, AX
	VMOVQ AX, X7
	VXORPD X6, X6, X6
	VXORPD X8, X8, X8
	MOVQ R11, BX
	MOVQ R12, CX

g4blk:
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	XORQ AX, AX
	MOVQ DX, R15
	SHRQ $1, R15
	JZ g4odd

g4pair:
	VBROADCASTSD (R13)(AX*8), Y0
	VSUBPD (BX), Y0, Y0
	VFMADD231PD Y0, Y0, Y1
	VBROADCASTSD 8(R13)(AX*8), Y3
	VSUBPD 32(BX), Y3, Y3
	VFMADD231PD Y3, Y3, Y2
	ADDQ $2, AX
	ADDQ $64, BX
	DECQ R15
	JNZ g4pair

g4odd:
	TESTQ $1, DX
	JZ g4red
	VBROADCASTSD (R13)(AX*8), Y0
	VSUBPD (BX), Y0, Y0
	VFMADD231PD Y0, Y0, Y1
	ADDQ $32, BX

g4red:
	VADDPD Y2, Y1, Y1
	VPERMILPD $1, X1, X12
	VEXTRACTF128 $1, Y1, X13
	VPERMILPD $1, X13, X14
	VMAXSD X4, X1, X9
	VMINSD X9, X5, X5
	VCMPSD $1, X4, X1, X10
	VBLENDVPD X10, X6, X8, X8
	VMINSD X1, X4, X4
	VADDSD X7, X6, X6
	VMAXSD X4, X12, X9
	VMINSD X9, X5, X5
	VCMPSD $1, X4, X12, X10
	VBLENDVPD X10, X6, X8, X8
	VMINSD X12, X4, X4
	VADDSD X7, X6, X6
	VMAXSD X4, X13, X9
	VMINSD X9, X5, X5
	VCMPSD $1, X4, X13, X10
	VBLENDVPD X10, X6, X8, X8
	VMINSD X13, X4, X4
	VADDSD X7, X6, X6
	VMAXSD X4, X14, X9
	VMINSD X9, X5, X5
	VCMPSD $1, X4, X14, X10
	VBLENDVPD X10, X6, X8, X8
	VMINSD X14, X4, X4
	VADDSD X7, X6, X6
	DECQ CX
	JNZ g4blk
	VMOVSD X8, (DI)
	VMOVSD X4, 8(DI)
	VMOVSD X5, 16(DI)
	ADDQ $24, DI
	ADDQ $8, R14
	DECQ R9
	JNZ g4rowloop

g4done:
	VZEROUPPER
	RET

// func kmPPMergeAVX2(cs *float64, ns *int32, slot *int, rows int, out *float64, kk, col, skip, fold, id int, acc *float64) int
//
// One block of a k-means++ step: for r < rows, o = out[slot[r]*kk:]; if
// fold != 0, cs[r], ns[r] = min(cs[r], o[0]), id when o[0] < cs[r]; then
// acc[j] += min(cs[r], o[col+j]) for j < 4, in order of r, each lane with
// the rounding of the scalar sum. It returns rows, or the first r whose
// slot is above skip (nothing done from there on).
TEXT ·kmPPMergeAVX2(SB), NOSPLIT, $0-96
	MOVQ cs+0(FP), SI
	MOVQ ns+8(FP), R8
	MOVQ slot+16(FP), R9
	MOVQ rows+24(FP), CX
	MOVQ out+32(FP), R10
	MOVQ kk+40(FP), R11
	SHLQ $3, R11 // bytes per row of out
	MOVQ col+48(FP), DX
	LEAQ (R10)(DX*8), R12 // column col of row 0
	MOVQ skip+56(FP), R15
	MOVQ fold+64(FP), R13
	MOVQ id+72(FP), R14
	MOVQ acc+80(FP), DI
	VMOVUPD (DI), Y4
	XORQ AX, AX
	TESTQ CX, CX
	JLE mdone
	TESTQ R13, R13
	JZ msum

mfold:
	MOVQ (R9)(AX*8), BX
	CMPQ BX, R15
	JHI mdone
	IMULQ R11, BX
	VMOVSD (SI)(AX*8), X0 // cl
	VMOVSD (R10)(BX*1), X1 // d0
	MOVL (R8)(AX*4), DX
	UCOMISD X0, X1 // carry: d0 < cl
	CMOVLCS R14, DX
	VMINSD X0, X1, X0 // d0 < cl ? d0 : cl
	VMOVSD X0, (SI)(AX*8)
	MOVL DX, (R8)(AX*4)
	VBROADCASTSD X0, Y2
	VMINPD (R12)(BX*1), Y2, Y3 // cl < o ? cl : o
	VADDPD Y3, Y4, Y4
	INCQ AX
	CMPQ AX, CX
	JLT mfold
	JMP mdone

msum:
	MOVQ (R9)(AX*8), BX
	CMPQ BX, R15
	JHI mdone
	IMULQ R11, BX
	VBROADCASTSD (SI)(AX*8), Y2
	VMINPD (R12)(BX*1), Y2, Y3
	VADDPD Y3, Y4, Y4
	INCQ AX
	CMPQ AX, CX
	JLT msum

mdone:
	VMOVUPD Y4, (DI)
	MOVQ AX, ret+88(FP)
	VZEROUPPER
	RET

// func kmPPListAsm(cs *float64, ns *int32, rows int, minCC *float64, nc, b, skip int, list, slot *int) int
//
// kmPPList without bounds checks in the loop: for r < rows, list[nl] = b+r,
// and slot[r], nl = nl, nl+1 when cs[r] > minCC[ns[r]], else skip, nl. It
// returns nl, or -1 (nothing written from that row on) when an ns[r] is
// not in [0, nc).
TEXT ·kmPPListAsm(SB), NOSPLIT, $0-80
	MOVQ cs+0(FP), SI
	MOVQ ns+8(FP), R8
	MOVQ rows+16(FP), CX
	MOVQ minCC+24(FP), R9
	MOVQ nc+32(FP), R10
	MOVQ b+40(FP), R11 // the row b+r
	MOVQ skip+48(FP), R12
	MOVQ list+56(FP), R13
	MOVQ slot+64(FP), R14
	XORQ AX, AX // r
	XORQ DI, DI // nl
	TESTQ CX, CX
	JLE ldone

lloop:
	MOVLQSX (R8)(AX*4), BX
	CMPQ BX, R10
	JCC lbad // unsigned: also ns[r] < 0
	MOVSD (SI)(AX*8), X0
	MOVQ R11, (R13)(DI*8)
	MOVQ R12, DX
	XORL R15, R15
	UCOMISD (R9)(BX*8), X0 // above: cs[r] > minCC[ns[r]]
	CMOVQHI DI, DX
	SETHI R15B
	MOVQ DX, (R14)(AX*8)
	ADDQ R15, DI
	INCQ R11
	INCQ AX
	CMPQ AX, CX
	JLT lloop

ldone:
	MOVQ DI, ret+72(FP)
	RET

lbad:
	MOVQ $-1, ret+72(FP)
	RET

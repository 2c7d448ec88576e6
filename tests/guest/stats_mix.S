/* A program with a known dynamic instruction mix, for the --stats
 * counters: 3 set-up instructions, LOOPS iterations of an 11-instruction
 * loop (one CSEL, BIC, SMULH, CLZ, CRC32X, UQADD (vector: no native
 * lowering, the helper), FADD of zeros (a guarded fast path whose guard
 * holds), FDIV of zero by zero (guarded; the NaN result fails the guard,
 * so the helper runs), plain ADD, SUBS and B.NE each), and 3 instructions
 * to exit: 3 + 11 * LOOPS + 3 guest instructions executed.
 * The operands come from registers the kernel zeroes, so no optimiser can
 * fold them away. */
    .arch   armv8-a+crc
    .equ LOOPS, 1000
    .text
    .global _start
_start:
    mov     x19, #LOOPS
    mov     x7, #0
    cmp     x19, #0
1:  csel    x3, x1, x2, ne
    bic     x4, x1, x2
    smulh   x5, x1, x2
    clz     x6, x1
    crc32x  w9, w9, x1
    uqadd   v0.16b, v1.16b, v2.16b
    fadd    d3, d1, d2
    fdiv    d6, d1, d2
    add     x7, x7, #1
    subs    x19, x19, #1
    b.ne    1b
    and     x0, x7, #0xff       /* LOOPS & 0xff: the exit status */
    mov     x8, #93             /* exit */
    svc     #0

/* Prologue and epilogue around the random instructions (assembled by the
 * random-instruction test; the marker word separates the two halves).
 * x16 holds the state block, x17 is scratch: random instructions only use
 * x0-x15 and v0-v15. */
    mov  x16, x0
    ldr  x17, [x16, #128]
    msr  nzcv, x17
    ldr  x17, [x16, #136]
    msr  fpcr, x17
    ldr  x17, [x16, #144]
    msr  fpsr, x17
    ldp  q0, q1, [x16, #160]
    ldp  q2, q3, [x16, #192]
    ldp  q4, q5, [x16, #224]
    ldp  q6, q7, [x16, #256]
    ldp  q8, q9, [x16, #288]
    ldp  q10, q11, [x16, #320]
    ldp  q12, q13, [x16, #352]
    ldp  q14, q15, [x16, #384]
    ldp  x0, x1, [x16, #0]
    ldp  x2, x3, [x16, #16]
    ldp  x4, x5, [x16, #32]
    ldp  x6, x7, [x16, #48]
    ldp  x8, x9, [x16, #64]
    ldp  x10, x11, [x16, #80]
    ldp  x12, x13, [x16, #96]
    ldp  x14, x15, [x16, #112]
    .inst 0xffffffff
    stp  x0, x1, [x16, #0]
    stp  x2, x3, [x16, #16]
    stp  x4, x5, [x16, #32]
    stp  x6, x7, [x16, #48]
    stp  x8, x9, [x16, #64]
    stp  x10, x11, [x16, #80]
    stp  x12, x13, [x16, #96]
    stp  x14, x15, [x16, #112]
    mrs  x17, nzcv
    str  x17, [x16, #128]
    mrs  x17, fpsr
    str  x17, [x16, #144]
    stp  q0, q1, [x16, #160]
    stp  q2, q3, [x16, #192]
    stp  q4, q5, [x16, #224]
    stp  q6, q7, [x16, #256]
    stp  q8, q9, [x16, #288]
    stp  q10, q11, [x16, #320]
    stp  q12, q13, [x16, #352]
    stp  q14, q15, [x16, #384]
    ret

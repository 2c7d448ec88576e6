// --stats when the process ends while other threads still run: the first
// thread starts a waiter (blocked in futex for ever) and a spinner (exactly
// 1000 CLZ, then it sets `ready` and loops for ever), waits for `ready`
// and calls exit_group. The report must hold the spinner's figures (the
// executed CLZ count shows it) and account for every thread: counted, or
// reported as not counted (the waiter, if it is still in its system call).
    .text
    .globl _start
_start:
    movz x0, #0x0f00
    movk x0, #0x5, lsl #16  // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM
    adrp x1, stack2_top
    add x1, x1, :lo12:stack2_top
    mov x2, #0
    mov x3, #0
    mov x4, #0
    mov x8, #220            // clone
    svc #0
    cbz x0, waiter
    movz x0, #0x0f00
    movk x0, #0x5, lsl #16
    adrp x1, stack1_top
    add x1, x1, :lo12:stack1_top
    mov x2, #0
    mov x3, #0
    mov x4, #0
    mov x8, #220
    svc #0
    cbz x0, spinner
wait:
    adrp x9, ready
    add x9, x9, :lo12:ready
    ldr w2, [x9]
    cbnz w2, done
    mov x0, x9
    mov x1, #0              // FUTEX_WAIT while ready == 0
    mov x3, #0
    mov x8, #98             // futex
    svc #0
    b wait
done:
    mov x0, #0
    mov x8, #94             // exit_group
    svc #0
waiter:
    adrp x0, never
    add x0, x0, :lo12:never
    mov x1, #0              // FUTEX_WAIT on a word that stays 0
    mov x2, #0
    mov x3, #0
    mov x8, #98
    svc #0
    b waiter
spinner:
    mov x5, #1000
    b 1f                    // CLZ starts a block: never of a known constant
1:  clz x6, x5
    subs x5, x5, #1
    b.ne 1b
    adrp x9, ready
    add x9, x9, :lo12:ready
    mov w10, #1
    str w10, [x9]
    mov x0, x9
    mov x1, #1              // FUTEX_WAKE
    mov x2, #1
    mov x8, #98
    svc #0
2:  b 2b

    .bss
    .balign 16
    .skip 4096
stack1_top:
    .skip 4096
stack2_top:
ready:
    .word 0
never:
    .word 0

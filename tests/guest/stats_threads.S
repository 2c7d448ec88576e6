// --stats across guest threads: the first thread starts a second one with
// a raw clone (CLONE_VM|FS|FILES|SIGHAND|THREAD|PARENT_SETTID|CHILD_CLEARTID)
// and waits for its thread id word to be cleared; the second runs exactly
// 1000 CLZ (in a 3-instruction loop) and ends with `exit`. Only the second
// thread executes CLZ, so the executed CLZ count shows whether its figures
// reached the report. The second thread runs 3005 instructions in all.
    .text
    .globl _start
_start:
    movz x0, #0x0f00
    movk x0, #0x31, lsl #16
    adrp x1, stack_top
    add x1, x1, :lo12:stack_top
    adrp x2, tid
    add x2, x2, :lo12:tid
    mov x3, #0
    mov x4, x2
    mov x8, #220            // clone
    svc #0
    cbz x0, child
wait:
    adrp x9, tid
    add x9, x9, :lo12:tid
    ldr w2, [x9]
    cbz w2, done
    mov x0, x9
    mov x1, #0              // FUTEX_WAIT
    mov x3, #0
    mov x8, #98             // futex
    svc #0
    b wait
done:
    mov x0, #0
    mov x8, #94             // exit_group
    svc #0
child:
    mov x5, #1000
    b 1f                    // CLZ starts a block: never of a known constant
1:  clz x6, x5
    subs x5, x5, #1
    b.ne 1b
    mov x0, #0
    mov x8, #93             // exit: this thread only
    svc #0

    .bss
    .balign 16
stack:
    .skip 8192
stack_top:
tid:
    .word 0

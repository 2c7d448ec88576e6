/* A self-contained static-pie program (no libc): position-independent
 * addressing (ADR/ADRP), a data table relocated by hand through the
 * dynamic section is not needed; it checks that the loader placed the
 * program anywhere and that PC-relative code and data agree. */
    .text
    .global _start
_start:
    adrp    x1, message
    add     x1, x1, :lo12:message
    mov     x2, #(message_end - message)
    mov     x0, #1
    mov     x8, #64            /* write */
    svc     #0
    /* sum the bytes of the message, exit with (sum & 0x7f) */
    adr     x3, message
    mov     x4, #0
    mov     x5, #(message_end - message)
1:  ldrb    w6, [x3], #1
    add     x4, x4, x6
    subs    x5, x5, #1
    b.ne    1b
    and     x0, x4, #0x7f
    mov     x8, #93            /* exit */
    svc     #0
    .section .rodata
message:
    .ascii "static-pie: position-independent code and data agree\n"
message_end:

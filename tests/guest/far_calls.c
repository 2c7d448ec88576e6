/* Hot loops calling code far (more than 64 KiB) from them, for the
 * optimising tier's regions through calls (issue #7):
 *  1. a direct call of a function 256 KiB away (padding in its section on
 *     both sides: a dynamically linked program's libc is farther still);
 *  2. a call through a pointer of a function generated at run time in an
 *     mmap'd buffer, then rewritten (an immediate, then an instruction)
 *     and called again by the same loop: a region holding the old code
 *     must go with it.
 * Each prints a checksum, compared with qemu-aarch64. The instruction words
 * are GNU as's (aarch64-linux-gnu-as). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

uint64_t far_mix(uint64_t h, uint64_t x);

__asm__(".pushsection .text.zarm_far,\"ax\",@progbits\n"
        ".balign 16\n"
        ".space 262144\n"
        ".globl far_mix\n"
        ".type far_mix, %function\n"
        "far_mix:\n"
        "  eor x0, x0, x1\n"
        "  mov x2, #0x1b3\n"
        "  movk x2, #0x100, lsl #32\n"
        "  mul x0, x0, x2\n"
        "  ret\n"
        ".size far_mix, .-far_mix\n"
        ".space 262144\n"
        ".popsection\n");

typedef uint64_t (*step_fn)(uint64_t, uint64_t);

__attribute__((noinline)) static uint64_t run_far(int n) {
    uint64_t h = 1;
    for (int i = 0; i < n; i++)
        h = far_mix(h, (uint64_t)i);
    return h;
}

/* Not inlined, so the pointer is a real BLR target. */
__attribute__((noinline)) static uint64_t run_ptr(step_fn f, int n) {
    uint64_t h = 1;
    for (int i = 0; i < n; i++)
        h = f(h, (uint64_t)i) * 0x9e3779b97f4a7c15ull;
    return h;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200000;
    long distance = (long)((uintptr_t)far_mix - (uintptr_t)run_far);
    printf("far function more than 64 KiB away: %s\n", labs(distance) > 65536 ? "yes" : "no");
    printf("direct: %016llx\n", (unsigned long long)run_far(n));

    uint32_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    printf("generated code more than 64 KiB away: %s\n", labs((long)((uintptr_t)code - (uintptr_t)run_ptr)) > 65536 ? "yes" : "no");
    code[0] = 0xd2800022; /* mov x2, #1 */
    code[1] = 0xca010000; /* eor x0, x0, x1 */
    code[2] = 0x8b020000; /* add x0, x0, x2 */
    code[3] = 0xd65f03c0; /* ret */
    __builtin___clear_cache((char *)code, (char *)(code + 4));
    step_fn f = (step_fn)(uintptr_t)code;
    printf("generated: %016llx\n", (unsigned long long)run_ptr(f, n));
    code[0] = 0xd2800042; /* mov x2, #2 */
    __builtin___clear_cache((char *)code, (char *)(code + 4));
    printf("immediate rewritten: %016llx\n", (unsigned long long)run_ptr(f, n));
    code[2] = 0xcb020000; /* sub x0, x0, x2 */
    __builtin___clear_cache((char *)code, (char *)(code + 4));
    printf("instruction rewritten: %016llx\n", (unsigned long long)run_ptr(f, n));
    return 0;
}

/* Hot loops that call functions, for the optimising tier's regions through
 * calls and returns (issue #7):
 *  1. a loop calling a function directly (BL; its RET returns into the
 *     loop);
 *  2. a loop calling through a function pointer that stays the same (BLR,
 *     the target the region predicts), the qsort comparison pattern;
 *  3. the same through a pointer that alternates between two functions
 *     (the prediction misses every other call and the region must leave
 *     for the other function);
 *  4. a function called from two sites of one loop (its RET goes back to
 *     either: one compare per return address).
 * Each prints a checksum, compared with qemu-aarch64. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static uint64_t mix(uint64_t h, uint64_t x) {
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

__attribute__((noinline)) static uint64_t twist(uint64_t h, uint64_t x) {
    return (h * 31 + x) ^ (h >> 29);
}

typedef uint64_t (*step_fn)(uint64_t, uint64_t);

/* Not inlined, so the pointer is a real BLR target. */
__attribute__((noinline)) static uint64_t run_ptr(step_fn f, step_fn g, int n) {
    uint64_t h = 1;
    for (int i = 0; i < n; i++)
        h = (i & 1 ? g : f)(h, (uint64_t)i);
    return h;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200000;
    uint64_t h = 0;
    for (int i = 0; i < n; i++)
        h = mix(h, (uint64_t)i);
    printf("direct %016llx\n", (unsigned long long)h);
    printf("pointer %016llx\n", (unsigned long long)run_ptr(mix, mix, n));
    printf("alternating %016llx\n", (unsigned long long)run_ptr(mix, twist, n));
    h = 7;
    for (int i = 0; i < n; i++) {
        h = twist(h, (uint64_t)i);
        if (h & 4)
            h = twist(h, 3);
    }
    printf("two sites %016llx\n", (unsigned long long)h);
    return 0;
}

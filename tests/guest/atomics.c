/* Atomic builtins in one thread: with the default -march they become
 * exclusive load/store loops, with -march=armv8.1-a LSE instructions. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

int main(void) {
    _Atomic uint64_t c64 = 0;
    _Atomic uint32_t c32 = 5;
    _Atomic uint8_t c8 = 250;
    _Atomic uint16_t c16 = 1;
    for (int i = 0; i < 1000; i++) {
        atomic_fetch_add(&c64, (uint64_t)i * 3);
        atomic_fetch_sub(&c32, 1);
        atomic_fetch_add(&c8, 3);
        atomic_fetch_or(&c16, (uint16_t)(1u << (i % 16)));
    }
    uint64_t expected = 7;
    int ok1 = atomic_compare_exchange_strong(&c64, &expected, 9);
    uint64_t cur = atomic_load(&c64);
    int ok2 = atomic_compare_exchange_strong(&c64, &cur, 12345);
    uint32_t old = atomic_exchange(&c32, 77);
    uint64_t x = atomic_fetch_and(&c64, 0xff0f);
    uint64_t y = atomic_fetch_xor(&c64, 0x1111);
    printf("%llu %u %u %u %d %d %u %llu %llu %llu\n", (unsigned long long)cur, (unsigned)c32, (unsigned)c8, (unsigned)c16, ok1, ok2, old,
           (unsigned long long)x, (unsigned long long)y, (unsigned long long)atomic_load(&c64));
    __int128 big = 0;
    __atomic_fetch_add((unsigned long *)&big, 5, __ATOMIC_SEQ_CST);
    printf("sync %ld %d\n", __sync_fetch_and_add((long *)&big, 2), __sync_bool_compare_and_swap((long *)&big, 7, 8));
    return 0;
}

/* The same hot loop in several threads, for the optimising tier's regions
 * shared between threads: the first worker runs alone (its loop becomes a
 * region), then three more run it at once and install that region instead
 * of compiling their own. Each prints a checksum that depends on every
 * iteration (flags, shifts, multiplies, a division), so a wrong region
 * shows in the output. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define ITERS 50000

static uint64_t results[4];

static void *work(void *arg) {
    uintptr_t id = (uintptr_t)arg;
    uint64_t x = 0x9E3779B97F4A7C15ull ^ (id * 0x100000001B3ull), acc = id;
    uint32_t small = 7 + (uint32_t)id;
    for (int i = 0; i < ITERS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += (x & 0xffff) * (uint64_t)(i | 1);
        if ((int64_t)acc < 0)
            acc = (acc >> 3) ^ x;
        small = small * 1664525u + 1013904223u;
        acc ^= small / ((uint32_t)(i & 15) + 1);
    }
    results[id] = acc;
    return 0;
}

int main(void) {
    pthread_t t[4];
    pthread_create(&t[0], 0, work, (void *)0);
    pthread_join(t[0], 0);
    for (uintptr_t i = 1; i < 4; i++)
        pthread_create(&t[i], 0, work, (void *)i);
    for (int i = 1; i < 4; i++)
        pthread_join(t[i], 0);
    for (int i = 0; i < 4; i++)
        printf("thread %d: %016llx\n", i, (unsigned long long)results[i]);
    return 0;
}

// PMULL/PMULL2 (ACLE vmull_p64, vmull_high_p64, vmull_p8, vmull_high_p8):
// carry-less products of random and edge-case operands, and a GHASH-style
// reduction loop (as AES-GCM and CRC folding use them). Prints checksums.
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t state = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static void show(const char *what, poly128_t p) {
    unsigned __int128 v = (unsigned __int128)p;
    printf("%s %016llx%016llx\n", what, (unsigned long long)(v >> 64), (unsigned long long)v);
}

int main(void) {
    const uint64_t edge[] = {0, 1, 2, 0x8000000000000000ULL, ~0ULL, 0x87, 0xc200000000000000ULL, 0x5555555555555555ULL};
    for (int i = 0; i < 8; i++) {
        for (int j = i; j < 8; j += 3) {
            char name[32];
            snprintf(name, sizeof name, "p64 %d*%d", i, j);
            show(name, vmull_p64(edge[i], edge[j]));
        }
    }
    unsigned __int128 acc = 0;
    uint64_t h = next() | 1;
    for (int i = 0; i < 100000; i++) {
        poly64x2_t a = vcombine_p64(vcreate_p64(next()), vcreate_p64(next()));
        poly64x2_t b = vcombine_p64(vcreate_p64(h), vcreate_p64(next()));
        unsigned __int128 lo = (unsigned __int128)vmull_p64(vgetq_lane_p64(a, 0), vgetq_lane_p64(b, 0));
        unsigned __int128 hi = (unsigned __int128)vmull_high_p64(a, b);
        acc ^= lo ^ (hi << 1) ^ (acc >> 3);
    }
    show("p64 chain", (poly128_t)acc);

    uint64_t sum8 = 0;
    for (int i = 0; i < 20000; i++) {
        poly8x16_t a = vreinterpretq_p8_u64(vcombine_u64(vcreate_u64(next()), vcreate_u64(next())));
        poly8x16_t b = vreinterpretq_p8_u64(vcombine_u64(vcreate_u64(next()), vcreate_u64(next())));
        poly16x8_t lo = vmull_p8(vget_low_p8(a), vget_low_p8(b));
        poly16x8_t hi = vmull_high_p8(a, b);
        uint64x2_t l = vreinterpretq_u64_p16(lo), u = vreinterpretq_u64_p16(hi);
        sum8 = sum8 * 31 + (vgetq_lane_u64(l, 0) ^ vgetq_lane_u64(l, 1) ^ (vgetq_lane_u64(u, 0) << 1) ^ vgetq_lane_u64(u, 1));
    }
    printf("p8 chain %016llx\n", (unsigned long long)sum8);
    poly16x8_t all = vmull_p8(vdup_n_p8(0xff), vdup_n_p8(0xff));
    printf("p8 ff*ff %04x\n", vgetq_lane_p16(all, 3));
    return 0;
}

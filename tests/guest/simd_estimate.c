// FRECPE and FRSQRTE (scalar and vector, single and double) and FRECPX
// (scalar): special
// values (zeros, infinities, NaNs, denormals, operands so small that the
// reciprocal overflows, so large that it is denormal), every rounding
// mode, FZ and DN, and a sweep of pseudo-random operands; each result is
// printed with the FPSR flags it raised.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t fpsr_get(void) { uint64_t v; __asm__ volatile("mrs %0, fpsr" : "=r"(v)); return v; }
static void fpsr_set(uint64_t v) { __asm__ volatile("msr fpsr, %0" ::"r"(v)); }
static void fpcr_set(uint64_t v) { __asm__ volatile("msr fpcr, %0" ::"r"(v)); }

static uint32_t s_recpe(uint32_t x) { float r, a; memcpy(&a, &x, 4); __asm__ volatile("frecpe %s0, %s1" : "=w"(r) : "w"(a)); memcpy(&x, &r, 4); return x; }
static uint32_t s_rsqrte(uint32_t x) { float r, a; memcpy(&a, &x, 4); __asm__ volatile("frsqrte %s0, %s1" : "=w"(r) : "w"(a)); memcpy(&x, &r, 4); return x; }
static uint64_t d_recpe(uint64_t x) { double r, a; memcpy(&a, &x, 8); __asm__ volatile("frecpe %d0, %d1" : "=w"(r) : "w"(a)); memcpy(&x, &r, 8); return x; }
static uint32_t s_recpx(uint32_t x) { float r, a; memcpy(&a, &x, 4); __asm__ volatile("frecpx %s0, %s1" : "=w"(r) : "w"(a)); memcpy(&x, &r, 4); return x; }
static uint64_t d_recpx(uint64_t x) { double r, a; memcpy(&a, &x, 8); __asm__ volatile("frecpx %d0, %d1" : "=w"(r) : "w"(a)); memcpy(&x, &r, 8); return x; }
static uint64_t d_rsqrte(uint64_t x) { double r, a; memcpy(&a, &x, 8); __asm__ volatile("frsqrte %d0, %d1" : "=w"(r) : "w"(a)); memcpy(&x, &r, 8); return x; }

typedef float v4f __attribute__((vector_size(16)));
typedef double v2d __attribute__((vector_size(16)));

static uint64_t seed = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

int main(void) {
    static const uint32_t sv[] = {0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00001, 0x7f800001, 0xffa00000, 0x00000001, 0x00200000,
                                  0x00400000, 0x007fffff, 0x80100000, 0x00800000, 0x3f800000, 0x40000000, 0x3f000000, 0xbf800000,
                                  0x7e800000, 0x7f000000, 0x7f7fffff, 0xfe800000, 0x3fc00000, 0x40490fdb};
    static const uint64_t dv[] = {0, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000001, 0x7ff0000000000001,
                                  0x0000000000000001, 0x0004000000000000, 0x0008000000000000, 0x000fffffffffffff, 0x8002000000000000,
                                  0x0010000000000000, 0x3ff0000000000000, 0x4000000000000000, 0xbff0000000000000, 0x7fd0000000000000,
                                  0x7fe0000000000000, 0x7fefffffffffffff, 0x3ff8000000000000, 0x400921fb54442d18};
    // FPCR: rounding modes (RMode bits 23:22), FZ (24), DN (25).
    static const uint64_t modes[] = {0, 1u << 22, 2u << 22, 3u << 22, 1u << 24, 1u << 25, (1u << 24) | (2u << 22)};
    for (unsigned m = 0; m < sizeof modes / sizeof *modes; m++) {
        fpcr_set(modes[m]);
        printf("fpcr %#llx\n", (unsigned long long)modes[m]);
        for (unsigned i = 0; i < sizeof sv / sizeof *sv; i++) {
            fpsr_set(0);
            uint32_t r = s_recpe(sv[i]);
            uint64_t f1 = fpsr_get();
            fpsr_set(0);
            uint32_t q = s_rsqrte(sv[i]);
            uint64_t f2 = fpsr_get();
            fpsr_set(0);
            uint32_t x = s_recpx(sv[i]);
            printf(" s %08x: recpe %08x (%llx) rsqrte %08x (%llx) recpx %08x (%llx)\n", sv[i], r, (unsigned long long)f1, q, (unsigned long long)f2, x,
                   (unsigned long long)fpsr_get());
        }
        for (unsigned i = 0; i < sizeof dv / sizeof *dv; i++) {
            fpsr_set(0);
            uint64_t r = d_recpe(dv[i]);
            uint64_t f1 = fpsr_get();
            fpsr_set(0);
            uint64_t q = d_rsqrte(dv[i]);
            uint64_t f2 = fpsr_get();
            fpsr_set(0);
            uint64_t x = d_recpx(dv[i]);
            printf(" d %016llx: recpe %016llx (%llx) rsqrte %016llx (%llx) recpx %016llx (%llx)\n", (unsigned long long)dv[i], (unsigned long long)r,
                   (unsigned long long)f1, (unsigned long long)q, (unsigned long long)f2, (unsigned long long)x, (unsigned long long)fpsr_get());
        }
    }
    fpcr_set(0);
    // Random operands: a checksum per kind, and the vector forms lane by lane.
    uint64_t sum = 0, vsum = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t x = rnd();
        sum = sum * 31 + s_recpe((uint32_t)x) + 7 * s_rsqrte((uint32_t)(x >> 32)) + d_recpe(x) + 3 * d_rsqrte(x ^ 0x8000000000000000ull * (i & 1)) +
              5 * s_recpx((uint32_t)(x >> 7)) + 11 * d_recpx(x >> 1);
        uint32_t w[4] = {(uint32_t)x, (uint32_t)(x >> 32), (uint32_t)(x >> 16), (uint32_t)(x >> 8)};
        v4f a, r4, q4;
        memcpy(&a, w, 16);
        __asm__ volatile("frecpe %0.4s, %2.4s\n frsqrte %1.4s, %2.4s" : "=&w"(r4), "=&w"(q4) : "w"(a));
        uint64_t d2[2] = {x, x >> 3};
        v2d b, r2;
        memcpy(&b, d2, 16);
        __asm__ volatile("frecpe %0.2d, %1.2d" : "=w"(r2) : "w"(b));
        uint32_t o[8];
        uint64_t od[2];
        memcpy(o, &r4, 16);
        memcpy(o + 4, &q4, 16);
        memcpy(od, &r2, 16);
        for (int k = 0; k < 8; k++) vsum = vsum * 131 + o[k];
        vsum = vsum * 131 + od[0] + od[1];
        // The vector lanes equal the scalar forms.
        if (o[0] != s_recpe(w[0]) || o[5] != s_rsqrte(w[1]) || od[1] != d_recpe(x >> 3)) {
            printf("lane mismatch at %d\n", i);
            return 1;
        }
    }
    printf("random: %016llx %016llx fpsr %llx\n", (unsigned long long)sum, (unsigned long long)vsum, (unsigned long long)fpsr_get());
    // URECPE/URSQRTE (unsigned fixed-point estimates, 32-bit lanes): the
    // range edges, then random operands.
    static const uint32_t edges[] = {0, 1, 0x3fffffff, 0x40000000, 0x40800000, 0x7fffffff, 0x80000000, 0x807fffff,
                                     0x80800000, 0xbfffffff, 0xc0000000, 0xff800000, 0xfffffffe, 0xffffffff};
    for (unsigned i = 0; i < sizeof edges / sizeof edges[0]; i += 2) {
        uint32_t w[4] = {edges[i], edges[i + 1], edges[i] ^ 0x00400000, edges[i + 1] >> 1}, o[8];
        v4f a, r4, q4;
        memcpy(&a, w, 16);
        __asm__ volatile("urecpe %0.4s, %2.4s\n ursqrte %1.4s, %2.4s" : "=&w"(r4), "=&w"(q4) : "w"(a));
        memcpy(o, &r4, 16);
        memcpy(o + 4, &q4, 16);
        for (int k = 0; k < 4; k++) printf("u %08x: urecpe %08x ursqrte %08x\n", w[k], o[k], o[4 + k]);
    }
    uint64_t usum = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t x = rnd();
        uint32_t w[2] = {(uint32_t)x, (uint32_t)(x >> 32)}, o[4];
        // The 2S form: the upper half of the result is zero.
        v4f a, r4, q4;
        uint32_t w4[4] = {w[0], w[1], 0xffffffff, 0xffffffff};
        memcpy(&a, w4, 16);
        __asm__ volatile("urecpe %0.2s, %2.2s\n ursqrte %1.2s, %2.2s" : "=&w"(r4), "=&w"(q4) : "w"(a));
        uint32_t o4[8];
        memcpy(o4, &r4, 16);
        memcpy(o4 + 4, &q4, 16);
        if (o4[2] | o4[3] | o4[6] | o4[7]) {
            printf("upper half not cleared at %d\n", i);
            return 1;
        }
        memcpy(o, o4, 8);
        memcpy(o + 2, o4 + 4, 8);
        for (int k = 0; k < 4; k++) usum = usum * 131 + o[k];
    }
    printf("unsigned random: %016llx fpsr %llx\n", (unsigned long long)usum, (unsigned long long)fpsr_get());
    return 0;
}

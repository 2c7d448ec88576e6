/* FP roundings, square roots, conversions to integer, maxima and minima,
 * AdvSIMD (.2D, .4S) and scalar: FRINTN/P/M/Z/A/X/I, FSQRT,
 * FCVT{N,P,M,Z,A}{S,U}, FMAX/FMIN/FMAXNM/FMINNM (vector and scalar), FABD,
 * FACGE/FACGT, FADDP/FMAXP/FMINNMP, on lanes that are
 * integers, ties, halves, negatives, zeros of both signs, subnormals,
 * huge, infinite and NaN. Each instruction runs from a clear FPSR; the
 * result and the flags it raised are hashed, and a few are printed. The
 * FP code runs in loops, so a JIT compiles it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const double D[] = {2.5, -2.5, 0.5, -0.5, 3.0, -0.0, 1.75, -7.25, 1e300, 4.9e-324, 3e9, -3e9, 1e19, __builtin_inf(), -1.0, 0.0};
static const float F[] = {2.5f, -2.5f, 0.5f, -0.5f, 3.0f, -0.0f, 1.75f, -7.25f, 1e30f, 1.4e-45f, 3e9f, -3e9f, 5e9f, __builtin_inff(), -1.0f, 0.0f};

static uint64_t h;

static uint64_t take_fpsr(void) {
    uint64_t v;
    asm volatile("mrs %0, fpsr\n msr fpsr, xzr" : "=r"(v));
    return v & 0x9f;
}

static void mix(const uint64_t out[2], uint64_t flags) {
    h = h * 1000003u ^ out[0];
    h = h * 1000003u ^ out[1] ^ flags << 56;
}

#define V1(insn, a, out)                                                                                       \
    do {                                                                                                       \
        asm volatile("msr fpsr, xzr\n ldr q1, [%1]\n " insn "\n str q0, [%0]" : : "r"(out), "r"(a) : "v0", "v1", "memory"); \
        mix(out, take_fpsr());                                                                                 \
    } while (0)

#define S2(insn, a, b, out)                                                                                    \
    do {                                                                                                       \
        asm volatile("msr fpsr, xzr\n ldr d1, [%1]\n ldr d2, [%2]\n " insn "\n str d0, [%0]" : : "r"(out), "r"(a), "r"(b) : "v0", "v1", "v2", "memory"); \
        mix(out, take_fpsr());                                                                                 \
    } while (0)

#define V2(insn, a, b, out)                                                                                    \
    do {                                                                                                       \
        asm volatile("msr fpsr, xzr\n ldr q1, [%1]\n ldr q2, [%2]\n " insn "\n str q0, [%0]" : : "r"(out), "r"(a), "r"(b) : "v0", "v1", "v2", "memory"); \
        mix(out, take_fpsr());                                                                                 \
    } while (0)

int main(void) {
    static _Alignas(16) double da[2], db[2];
    static _Alignas(16) float fa[4], fb[4];
    static _Alignas(16) uint64_t out[2];
    int n = sizeof D / sizeof D[0];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            da[0] = D[i], da[1] = D[j];
            fa[0] = F[i], fa[1] = F[j], fa[2] = F[(i + 3) % n], fa[3] = F[(j + 7) % n];
            V1("frintn v0.2d, v1.2d", da, out);
            V1("frintp v0.2d, v1.2d", da, out);
            V1("frintm v0.2d, v1.2d", da, out);
            V1("frintz v0.2d, v1.2d", da, out);
            V1("frinta v0.2d, v1.2d", da, out);
            V1("frintx v0.2d, v1.2d", da, out);
            V1("frinti v0.2d, v1.2d", da, out);
            V1("fsqrt v0.2d, v1.2d", da, out);
            V1("fcvtns v0.2d, v1.2d", da, out);
            V1("fcvtnu v0.2d, v1.2d", da, out);
            V1("fcvtps v0.2d, v1.2d", da, out);
            V1("fcvtmu v0.2d, v1.2d", da, out);
            V1("fcvtzs v0.2d, v1.2d", da, out);
            V1("fcvtzu v0.2d, v1.2d", da, out);
            V1("fcvtas v0.2d, v1.2d", da, out);
            V1("frintn v0.4s, v1.4s", fa, out);
            V1("frintp v0.4s, v1.4s", fa, out);
            V1("frintm v0.4s, v1.4s", fa, out);
            V1("frintz v0.4s, v1.4s", fa, out);
            V1("frinta v0.4s, v1.4s", fa, out);
            V1("frintx v0.4s, v1.4s", fa, out);
            V1("fsqrt v0.4s, v1.4s", fa, out);
            V1("fcvtns v0.4s, v1.4s", fa, out);
            V1("fcvtpu v0.4s, v1.4s", fa, out);
            V1("fcvtms v0.4s, v1.4s", fa, out);
            V1("fcvtzs v0.4s, v1.4s", fa, out);
            V1("fcvtzu v0.4s, v1.4s", fa, out);
            V1("fcvtau v0.4s, v1.4s", fa, out);
            db[0] = D[j];
            fb[0] = F[j];
            db[1] = D[(i + 5) % n];
            fb[1] = F[(i + 5) % n], fb[2] = F[i], fb[3] = F[(j + 2) % n];
            V2("fmax v0.2d, v1.2d, v2.2d", da, db, out);
            V2("fmin v0.2d, v1.2d, v2.2d", da, db, out);
            V2("fmaxnm v0.2d, v1.2d, v2.2d", da, db, out);
            V2("fminnm v0.2d, v1.2d, v2.2d", da, db, out);
            V2("fmax v0.4s, v1.4s, v2.4s", fa, fb, out);
            V2("fminnm v0.4s, v1.4s, v2.4s", fa, fb, out);
            V2("fabd v0.2d, v1.2d, v2.2d", da, db, out);
            V2("fabd v0.4s, v1.4s, v2.4s", fa, fb, out);
            V2("facge v0.2d, v1.2d, v2.2d", da, db, out);
            V2("facgt v0.4s, v1.4s, v2.4s", fa, fb, out);
            V2("faddp v0.2d, v1.2d, v2.2d", da, db, out);
            V2("faddp v0.4s, v1.4s, v2.4s", fa, fb, out);
            V2("fmaxp v0.2d, v1.2d, v2.2d", da, db, out);
            V2("fminnmp v0.4s, v1.4s, v2.4s", fa, fb, out);
            S2("fmax d0, d1, d2", da, db, out);
            S2("fmin d0, d1, d2", da, db, out);
            S2("fmaxnm d0, d1, d2", da, db, out);
            S2("fminnm d0, d1, d2", da, db, out);
            S2("fmax s0, s1, s2", fa, fb, out);
            S2("fminnm s0, s1, s2", fa, fb, out);
            S2("frinta d0, d1", da, db, out);
            S2("frintx d0, d1", da, db, out);
            S2("frintm s0, s1", fa, fb, out);
            S2("frintp s0, s1", fa, fb, out);
        }
        da[0] = D[i], da[1] = -D[i];
        V1("frintn v0.2d, v1.2d", da, out);
        double r[2];
        memcpy(r, out, 16);
        uint64_t fl = 0;
        V1("frintx v0.2d, v1.2d", da, out);
        asm volatile("msr fpsr, xzr\n ldr q1, [%[a]]\n frintx v0.2d, v1.2d\n str q0, [%[o]]\n mrs %[f], fpsr" : [f] "=r"(fl) : [o] "r"(out), [a] "r"(da) : "v0", "v1", "memory");
        printf("frintn(%g, %g) = %g, %g; frintx fpsr %llx\n", da[0], da[1], r[0], r[1], (unsigned long long)(fl & 0x9f));
    }
    /* NaN lanes: quiet and signalling, through the same instructions. */
    uint64_t nans[2] = {0x7ff8000000000001ull, 0x7ff0000000000001ull};
    for (int k = 0; k < 2; k++) {
        memcpy(&da[0], &nans[k], 8);
        da[1] = 1.5;
        memcpy(&db[0], &nans[k], 8);
        V1("frintz v0.2d, v1.2d", da, out);
        V1("fsqrt v0.2d, v1.2d", da, out);
        V1("fcvtzs v0.2d, v1.2d", da, out);
        S2("fmax d0, d1, d2", da, db, out);
        S2("fmaxnm d0, d2, d1", da, db, out);
        V2("fmaxnm v0.2d, v2.2d, v1.2d", da, db, out);
        V2("fmin v0.2d, v1.2d, v2.2d", da, db, out);
        printf("%s: fmaxnm %016llx\n", k ? "snan" : "qnan", (unsigned long long)out[0]);
    }
    printf("hash %016llx\n", (unsigned long long)h);
    return 0;
}

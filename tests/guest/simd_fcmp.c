/* AdvSIMD FP compares (FCMEQ/FCMGE/FCMGT, register and #0 forms, .2D and
 * .4S) on lanes of every sign and class: zeros of both signs, subnormals,
 * normals, infinities, quiet and signalling NaNs (a NaN lane makes zarm
 * take its slow path). Prints the masks and FPSR's cumulative flags. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const double D[] = {-1.5, 2.5, 0.0, -0.0, 4.9e-324, -4.9e-324, 1e308, -1e308, __builtin_inf(), -__builtin_inf(), 3.0, 3.0};
static const float F[] = {-1.5f, 2.5f, 0.0f, -0.0f, 1.4e-45f, -1.4e-45f, 3e38f, -3e38f, __builtin_inff(), -__builtin_inff(), 7.0f, 7.0f};

#define CMP2(insn, a, b, out) asm volatile("ldr q1, [%1]\n ldr q2, [%2]\n " insn "\n str q0, [%0]" : : "r"(out), "r"(a), "r"(b) : "v0", "v1", "v2", "memory")

static uint64_t fpsr(void) {
    uint64_t v;
    asm volatile("mrs %0, fpsr" : "=r"(v));
    return v;
}

int main(void) {
    static _Alignas(16) double da[2], db[2];
    static _Alignas(16) float fa[4], fb[4];
    static _Alignas(16) uint64_t out[2];
    uint64_t h = 0;
    int n = sizeof D / sizeof D[0];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            da[0] = D[i], da[1] = D[j], db[0] = D[j], db[1] = D[(i + j) % n];
            fa[0] = F[i], fa[1] = F[j], fa[2] = F[(i + 1) % n], fa[3] = F[(j + 3) % n];
            fb[0] = F[j], fb[1] = F[i], fb[2] = F[(i + j) % n], fb[3] = F[(i + 5) % n];
#define RUN(insn, a, b) do { CMP2(insn, a, b, out); h = h * 1000003u ^ out[0] ^ out[1] * 7; } while (0)
            RUN("fcmeq v0.2d, v1.2d, v2.2d", da, db);
            RUN("fcmge v0.2d, v1.2d, v2.2d", da, db);
            RUN("fcmgt v0.2d, v1.2d, v2.2d", da, db);
            RUN("fcmeq v0.2d, v1.2d, #0.0", da, db);
            RUN("fcmge v0.2d, v1.2d, #0.0", da, db);
            RUN("fcmgt v0.2d, v1.2d, #0.0", da, db);
            RUN("fcmle v0.2d, v1.2d, #0.0", da, db);
            RUN("fcmlt v0.2d, v1.2d, #0.0", da, db);
            RUN("fcmeq v0.4s, v1.4s, v2.4s", fa, fb);
            RUN("fcmge v0.4s, v1.4s, v2.4s", fa, fb);
            RUN("fcmgt v0.4s, v1.4s, v2.4s", fa, fb);
            RUN("fcmle v0.4s, v1.4s, #0.0", fa, fb);
            RUN("fcmlt v0.4s, v1.4s, #0.0", fa, fb);
        }
        if (i == 2) {
            CMP2("fcmlt v0.2d, v1.2d, #0.0", da, db, out);
            printf("fcmlt (%g, %g) -> %llx %llx\n", da[0], da[1], (unsigned long long)out[0], (unsigned long long)out[1]);
        }
    }
    printf("hash %016llx fpsr %llx\n", (unsigned long long)h, (unsigned long long)(fpsr() & 0x9f));
    /* NaN operands: quiet NaNs raise Invalid in FCMGE/FCMGT only,
     * signalling ones in every compare. */
    uint64_t qnan = 0x7ff8000000000001ull, snan = 0x7ff0000000000001ull;
    for (int k = 0; k < 2; k++) {
        uint64_t bits = k ? snan : qnan;
        memcpy(&da[0], &bits, 8);
        da[1] = 1.0;
        db[0] = 1.0, db[1] = 1.0;
        asm volatile("msr fpsr, xzr");
        RUN("fcmeq v0.2d, v1.2d, v2.2d", da, db);
        uint64_t eq = fpsr();
        asm volatile("msr fpsr, xzr");
        RUN("fcmgt v0.2d, v1.2d, v2.2d", da, db);
        printf("%s: fcmeq fpsr %llx, fcmgt fpsr %llx, mask %llx %llx\n", k ? "snan" : "qnan", (unsigned long long)eq, (unsigned long long)fpsr(), (unsigned long long)out[0], (unsigned long long)out[1]);
    }
    return 0;
}

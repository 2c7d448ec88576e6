/* Integer and floating-point arithmetic: division corners, shifts, wide
 * multiplies, bit counting, printf of doubles (%f %e %g %a), rounding modes
 * and exception flags through <fenv.h>. */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

static volatile int64_t vals[] = {0, 1, -1, 7, -7, 3, 1000000007, INT64_MAX, INT64_MIN, 0x123456789abcdefLL, -0x5555555555555555LL};
static volatile double dv[] = {0.0, -0.0, 1.0, -1.5, 3.141592653589793, 1e300, -1e-300, 2.5, 0.1, 123456.789};

int main(void) {
    int n = sizeof vals / sizeof vals[0];
    uint64_t acc = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            int64_t a = vals[i], b = vals[j];
            if (b != 0 && !(a == INT64_MIN && b == -1)) acc = acc * 31 + (uint64_t)(a / b) + (uint64_t)(a % b);
            if ((uint64_t)b != 0) acc = acc * 31 + (uint64_t)a / (uint64_t)b;
            acc = acc * 31 + (uint64_t)((__int128)a * b >> 64);
            acc = acc * 31 + (uint64_t)(((unsigned __int128)(uint64_t)a * (uint64_t)b) >> 64);
            acc = acc * 31 + ((uint64_t)a << (b & 63)) + (uint64_t)(a >> (b & 63));
            acc = acc * 31 + (uint32_t)((int32_t)a * (int32_t)b);
            acc ^= __builtin_popcountll(a) + __builtin_clzll(a | 1) + __builtin_ctzll(b | 0x8000);
        }
    printf("integer checksum %016llx\n", (unsigned long long)acc);
    int m = sizeof dv / sizeof dv[0];
    for (int i = 0; i < m; i++) {
        double a = dv[i];
        printf("%f %e %g %a | sqrt %.17g floor %g ceil %g trunc %g round %g\n", a, a, a, a, sqrt(fabs(a)), floor(a), ceil(a), trunc(a), round(a));
        printf("  (long)%ld (int)%d (unsigned)%u float %.9g\n", (long)a, (int)(a / 1e290), (unsigned)(a > 0 && a < 4e9 ? a : 0), (float)a);
    }
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) {
            double a = dv[i], b = dv[j];
            printf("%a %a %a %a %d%d%d\n", a + b, a - b, a * b, b != 0 ? a / b : 0.0, a < b, a == b, a > b);
        }
    int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    const char *names[] = {"nearest", "upward", "downward", "towardzero"};
    for (int k = 0; k < 4; k++) {
        fesetround(modes[k]);
        volatile double third = 1.0 / 3.0, big = 1e308 * 10.0;
        volatile float f = (float)third;
        printf("%s: 1/3=%a float=%a rint(2.5)=%g rint(-2.5)=%g lrint(3.5)=%ld big=%g\n", names[k], third, (double)f, rint(2.5), rint(-2.5), lrint(3.5), big);
    }
    fesetround(FE_TONEAREST);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double z = 0.0, one = 1.0;
    volatile double r = one / z;
    printf("divbyzero %d inexact %d inf %g\n", !!fetestexcept(FE_DIVBYZERO), !!fetestexcept(FE_INEXACT), r);
    feclearexcept(FE_ALL_EXCEPT);
    r = one / 3.0;
    printf("divbyzero %d inexact %d\n", !!fetestexcept(FE_DIVBYZERO), !!fetestexcept(FE_INEXACT));
    feclearexcept(FE_ALL_EXCEPT);
    r = sqrt(-one);
    printf("invalid %d nan %d\n", !!fetestexcept(FE_INVALID), isnan(r));
    printf("fma %a\n", fma(0.1, 10.0, -1.0));
    printf("exp %.17g log %.17g sin %.17g pow %.17g\n", exp(1.5), log(10.0), sin(0.5), pow(2.0, 0.5));
    return 0;
}

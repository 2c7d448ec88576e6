/* The flag-setting integer instructions, conditional select/compare and
 * bitfield operations on corner values, through inline assembly; prints
 * every result and NZCV. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t v[] = {0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL, 0x123456789abcdef0ULL};
#define N (sizeof v / sizeof v[0])

#define FLAGS_OP(name, insn)                                                                      \
    static void name(uint64_t a, uint64_t b) {                                                      \
        uint64_t r, f;                                                                              \
        __asm__ volatile("msr nzcv, xzr\n" insn "\nmrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(a), "r"(b) : "cc"); \
        printf(#name " %016llx %016llx -> %016llx %llx\n", (unsigned long long)a, (unsigned long long)b, (unsigned long long)r, (unsigned long long)(f >> 28)); \
    }

FLAGS_OP(adds64, "adds %0, %2, %3")
FLAGS_OP(subs64, "subs %0, %2, %3")
FLAGS_OP(adds32, "adds %w0, %w2, %w3")
FLAGS_OP(subs32, "subs %w0, %w2, %w3")
FLAGS_OP(ands64, "ands %0, %2, %3")
FLAGS_OP(bics32, "bics %w0, %w2, %w3")
FLAGS_OP(adcs64, "cmp %2, %3\nadcs %0, %2, %3")
FLAGS_OP(sbcs32, "cmp %3, %2\nsbcs %w0, %w2, %w3")
FLAGS_OP(ccmp, "cmp %2, %3\nccmp %2, #5, #4, hi\ncset %0, lt")
FLAGS_OP(csinc, "cmp %2, %3\ncsinc %0, %2, %3, ge")
FLAGS_OP(csneg32, "cmp %w2, %w3\ncsneg %w0, %w2, %w3, ne")
FLAGS_OP(bfm, "mov %0, %3\nbfi %0, %2, #7, #13")
FLAGS_OP(sbfx, "sbfx %0, %2, #3, #29\neor %0, %0, %3")
FLAGS_OP(extr, "extr %0, %2, %3, #17")
FLAGS_OP(divs, "sdiv %0, %2, %3\nudiv %3, %2, %3\nadd %0, %0, %3")
FLAGS_OP(mulh, "smulh %0, %2, %3\numulh %3, %2, %3\neor %0, %0, %3")
FLAGS_OP(clscz, "cls %0, %2\nclz %3, %3\nrbit %3, %3\nadd %0, %0, %3\nrev16 %w3, %w2\nadd %0, %0, %3")
FLAGS_OP(crc, "crc32cx %w0, %w2, %3\ncrc32b %w0, %w0, %w3")

int main(void) {
    for (unsigned i = 0; i < N; i++)
        for (unsigned j = 0; j < N; j++) {
            adds64(v[i], v[j]); subs64(v[i], v[j]); adds32(v[i], v[j]); subs32(v[i], v[j]);
            ands64(v[i], v[j]); bics32(v[i], v[j]); adcs64(v[i], v[j]); sbcs32(v[i], v[j]);
            ccmp(v[i], v[j]); csinc(v[i], v[j]); csneg32(v[i], v[j]); bfm(v[i], v[j]);
            sbfx(v[i], v[j]); extr(v[i], v[j]); divs(v[i], v[j]); mulh(v[i], v[j]);
            clscz(v[i], v[j]); crc(v[i], v[j]);
        }
    return 0;
}

/* AdvSIMD reductions across lanes (ADDV, UADDLV, SADDLV, UMAXV, UMINV,
 * SMAXV, SMINV) in every arrangement the architecture has, on vectors
 * with extreme lanes (0, all ones, the sign bit alone, its neighbours)
 * mixed with pseudo-random ones, and the CNT+ADDV popcount idiom. */
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* A byte that is an extreme value of some lane size now and then. */
static uint8_t byte(void) {
    static const uint8_t special[] = {0x00, 0xff, 0x80, 0x7f, 0x01, 0xfe};
    uint64_t r = next();
    return (r & 3) == 0 ? special[(r >> 2) % 6] : (uint8_t)(r >> 8);
}

int main(void) {
    uint64_t h = 0;
#define MIX(v) (h = h * 1000003u ^ (uint64_t)(v))
    for (int round = 0; round < 400; round++) {
        uint8_t bytes[16];
        for (int i = 0; i < 16; i++)
            bytes[i] = byte();
        uint8x16_t b16 = vld1q_u8(bytes);
        uint8x8_t b8 = vld1_u8(bytes);
        int8x16_t s16 = vreinterpretq_s8_u8(b16);
        int8x8_t s8 = vreinterpret_s8_u8(b8);
        uint16x8_t h8 = vreinterpretq_u16_u8(b16);
        uint16x4_t h4 = vreinterpret_u16_u8(b8);
        int16x8_t sh8 = vreinterpretq_s16_u8(b16);
        int16x4_t sh4 = vreinterpret_s16_u8(b8);
        uint32x4_t w4 = vreinterpretq_u32_u8(b16);
        int32x4_t sw4 = vreinterpretq_s32_u8(b16);
        MIX(vaddvq_u8(b16)); MIX(vaddv_u8(b8)); MIX(vaddvq_u16(h8)); MIX(vaddv_u16(h4)); MIX(vaddvq_u32(w4));
        MIX(vaddlvq_u8(b16)); MIX(vaddlv_u8(b8)); MIX(vaddlvq_u16(h8)); MIX(vaddlv_u16(h4)); MIX(vaddlvq_u32(w4));
        MIX(vaddlvq_s8(s16)); MIX(vaddlv_s8(s8)); MIX(vaddlvq_s16(sh8)); MIX(vaddlv_s16(sh4)); MIX(vaddlvq_s32(sw4));
        MIX(vmaxvq_u8(b16)); MIX(vmaxv_u8(b8)); MIX(vmaxvq_u16(h8)); MIX(vmaxv_u16(h4)); MIX(vmaxvq_u32(w4));
        MIX(vminvq_u8(b16)); MIX(vminv_u8(b8)); MIX(vminvq_u16(h8)); MIX(vminv_u16(h4)); MIX(vminvq_u32(w4));
        MIX(vmaxvq_s8(s16)); MIX(vmaxv_s8(s8)); MIX(vmaxvq_s16(sh8)); MIX(vmaxv_s16(sh4)); MIX(vmaxvq_s32(sw4));
        MIX(vminvq_s8(s16)); MIX(vminv_s8(s8)); MIX(vminvq_s16(sh8)); MIX(vminv_s16(sh4)); MIX(vminvq_s32(sw4));
        uint64_t x;
        __builtin_memcpy(&x, bytes, 8);
        MIX(__builtin_popcountll(x));
        MIX(__builtin_popcount((uint32_t)(x >> 7)));
        if (round < 3) {
            printf("round %d: addv %u %u saddlv %d %d umaxv %u sminv %d %d popcount %d\n", round, vaddvq_u8(b16),
                   vaddv_u16(h4), vaddlvq_s8(s16), (int)vaddlvq_s32(sw4), vmaxvq_u32(w4), vminv_s8(s8), vminvq_s16(sh8),
                   __builtin_popcountll(x));
        }
    }
    printf("hash %016llx\n", (unsigned long long)h);
    return 0;
}

// SHA-1 and SHA-256 with the Armv8 SHA instructions (FEAT_SHA1,
// FEAT_SHA256) through the ACLE intrinsics: whole digests of short and
// long messages, and each instruction on pseudo-random operands (results
// hashed, the first ones printed), so every instruction's semantics is
// compared with qemu-aarch64.
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
    0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
    0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
    0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void sha256_block(uint32_t st[8], const uint8_t *p) {
    uint32x4_t abcd = vld1q_u32(st), efgh = vld1q_u32(st + 4);
    uint32x4_t abcd0 = abcd, efgh0 = efgh, w[4];
    for (int i = 0; i < 4; i++) w[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
    for (int r = 0; r < 16; r++) {
        uint32x4_t wk = vaddq_u32(w[r % 4], vld1q_u32(K256 + 4 * r));
        uint32x4_t prev = abcd;
        abcd = vsha256hq_u32(abcd, efgh, wk);
        efgh = vsha256h2q_u32(efgh, prev, wk);
        if (r < 12) w[r % 4] = vsha256su1q_u32(vsha256su0q_u32(w[r % 4], w[(r + 1) % 4]), w[(r + 2) % 4], w[(r + 3) % 4]);
    }
    vst1q_u32(st, vaddq_u32(abcd, abcd0));
    vst1q_u32(st + 4, vaddq_u32(efgh, efgh0));
}

static void sha1_block(uint32_t st[5], const uint8_t *p) {
    static const uint32_t K1[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
    uint32x4_t abcd = vld1q_u32(st), abcd0 = abcd, w[4];
    uint32_t e = st[4], e0 = e;
    for (int i = 0; i < 4; i++) w[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
    for (int r = 0; r < 20; r++) {
        uint32x4_t wk = vaddq_u32(w[r % 4], vdupq_n_u32(K1[r / 5]));
        uint32_t e_next = vsha1h_u32(vgetq_lane_u32(abcd, 0));
        if (r < 5)
            abcd = vsha1cq_u32(abcd, e, wk);
        else if (r < 10 || r >= 15)
            abcd = vsha1pq_u32(abcd, e, wk);
        else
            abcd = vsha1mq_u32(abcd, e, wk);
        e = e_next;
        if (r < 16) w[r % 4] = vsha1su1q_u32(vsha1su0q_u32(w[r % 4], w[(r + 1) % 4], w[(r + 2) % 4]), w[(r + 3) % 4]);
    }
    vst1q_u32(st, vaddq_u32(abcd, abcd0));
    st[4] = e + e0;
}

// Merkle–Damgård padding around a block function; big-endian digest words.
static void digest(int sha1, const uint8_t *msg, size_t len, uint8_t *out) {
    uint32_t st[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    if (sha1) {
        uint32_t s1[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
        memcpy(st, s1, sizeof s1);
    }
    uint8_t block[64];
    size_t i = 0;
    for (; i + 64 <= len; i += 64) sha1 ? sha1_block(st, msg + i) : sha256_block(st, msg + i);
    size_t rest = len - i;
    memset(block, 0, 64);
    memcpy(block, msg + i, rest);
    block[rest] = 0x80;
    if (rest >= 56) {
        sha1 ? sha1_block(st, block) : sha256_block(st, block);
        memset(block, 0, 64);
    }
    uint64_t bits = (uint64_t)len * 8;
    for (int k = 0; k < 8; k++) block[63 - k] = bits >> (8 * k);
    sha1 ? sha1_block(st, block) : sha256_block(st, block);
    for (int k = 0; k < (sha1 ? 5 : 8); k++)
        for (int b = 0; b < 4; b++) out[4 * k + b] = st[k] >> (24 - 8 * b);
}

static void print_digest(const char *what, int sha1, const uint8_t *msg, size_t len) {
    uint8_t out[32];
    digest(sha1, msg, len, out);
    printf("%s %s: ", sha1 ? "sha1" : "sha256", what);
    for (int k = 0; k < (sha1 ? 20 : 32); k++) printf("%02x", out[k]);
    printf("\n");
}

static uint64_t rs = 0x9e3779b97f4a7c15ull;
static uint32x4_t rnd(void) {
    uint32_t v[4];
    for (int k = 0; k < 4; k++) {
        rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
        v[k] = (uint32_t)rs;
    }
    return vld1q_u32(v);
}

static uint64_t h = 1469598103934665603ull;
static void mix(uint32x4_t v, int show, const char *name) {
    uint32_t w[4];
    vst1q_u32(w, v);
    for (int k = 0; k < 4; k++) h = (h ^ w[k]) * 1099511628211ull;
    if (show) printf("%-10s %08x %08x %08x %08x\n", name, w[0], w[1], w[2], w[3]);
}

int main(void) {
    unsigned long hw = getauxval(AT_HWCAP);
    printf("hwcap sha1 %d sha2 %d\n", (int)(hw >> 5 & 1), (int)(hw >> 6 & 1));
    static uint8_t msg[1000];
    for (int i = 0; i < 1000; i++) msg[i] = (uint8_t)(i * 7 + 3);
    for (int sha1 = 1; sha1 >= 0; sha1--) {
        print_digest("\"\"", sha1, (const uint8_t *)"", 0);
        print_digest("\"abc\"", sha1, (const uint8_t *)"abc", 3);
        print_digest("1000 bytes", sha1, msg, 1000);
    }
    for (int i = 0; i < 400; i++) {
        uint32x4_t d = rnd(), n = rnd(), m = rnd();
        uint32_t s = vgetq_lane_u32(n, 0);
        int show = i == 0;
        mix(vsha1cq_u32(d, s, m), show, "sha1c");
        mix(vsha1pq_u32(d, s, m), show, "sha1p");
        mix(vsha1mq_u32(d, s, m), show, "sha1m");
        mix(vdupq_n_u32(vsha1h_u32(s)), show, "sha1h");
        mix(vsha1su0q_u32(d, n, m), show, "sha1su0");
        mix(vsha1su1q_u32(d, n), show, "sha1su1");
        mix(vsha256hq_u32(d, n, m), show, "sha256h");
        mix(vsha256h2q_u32(d, n, m), show, "sha256h2");
        mix(vsha256su0q_u32(d, n), show, "sha256su0");
        mix(vsha256su1q_u32(d, n, m), show, "sha256su1");
    }
    printf("hash of 4000 results: %016llx\n", (unsigned long long)h);
    return 0;
}

// SHA-512 with the FEAT_SHA512 instructions and Keccak-f[1600] (SHA3-256,
// SHAKE128) with the FEAT_SHA3 ones (EOR3, RAX1, XAR, BCAX), through the
// ACLE intrinsics, each digest checked against a portable C version in
// the same program; then every instruction on pseudo-random operands
// (results hashed, the first ones printed), so their semantics is
// compared with qemu-aarch64. Also prints the HWCAP bits and the ID
// register fields the kernel would show for them.
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

static const uint64_t K512[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538, 0x59f111f1b605d019,
    0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65, 0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
    0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b, 0xa2bfe8a14cf10364, 0xa81a664bbc423001,
    0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c, 0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
};
static const uint64_t H512[8] = {
    0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
    0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
};

static uint64_t ror(uint64_t x, int r) { return x >> r | x << (64 - r); }

static void sha512_block_c(uint64_t st[8], const uint8_t *p) {
    uint64_t w[80], s[8];
    for (int i = 0; i < 16; i++) {
        w[i] = 0;
        for (int b = 0; b < 8; b++) w[i] = w[i] << 8 | p[8 * i + b];
    }
    for (int i = 16; i < 80; i++) {
        uint64_t s0 = ror(w[i - 15], 1) ^ ror(w[i - 15], 8) ^ w[i - 15] >> 7;
        uint64_t s1 = ror(w[i - 2], 19) ^ ror(w[i - 2], 61) ^ w[i - 2] >> 6;
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(s, st, sizeof s);
    for (int i = 0; i < 80; i++) {
        uint64_t e = s[4], a = s[0];
        uint64_t t1 = s[7] + (ror(e, 14) ^ ror(e, 18) ^ ror(e, 41)) + ((e & s[5]) ^ (~e & s[6])) + K512[i] + w[i];
        uint64_t t2 = (ror(a, 28) ^ ror(a, 34) ^ ror(a, 39)) + ((a & s[1]) ^ (a & s[2]) ^ (s[1] & s[2]));
        memmove(s + 1, s, 7 * sizeof s[0]);
        s[4] += t1;
        s[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++) st[i] += s[i];
}

// Two rounds per SHA512H/SHA512H2 pair; the state as (a,b) (c,d) (e,f)
// (g,h), lane 0 first.
static void sha512_block_ce(uint64_t st[8], const uint8_t *p) {
    uint64x2_t ab = vld1q_u64(st), cd = vld1q_u64(st + 2), ef = vld1q_u64(st + 4), gh = vld1q_u64(st + 6);
    uint64x2_t ab0 = ab, cd0 = cd, ef0 = ef, gh0 = gh, w[8];
    for (int i = 0; i < 8; i++) w[i] = vreinterpretq_u64_u8(vrev64q_u8(vld1q_u8(p + 16 * i)));
    for (int r = 0; r < 40; r++) {
        uint64x2_t kw = vaddq_u64(w[r % 8], vld1q_u64(K512 + 2 * r));
        uint64x2_t wh = vaddq_u64(vextq_u64(kw, kw, 1), gh);
        uint64x2_t t1 = vsha512hq_u64(wh, vextq_u64(ef, gh, 1), vextq_u64(cd, ef, 1));
        uint64x2_t ef2 = vaddq_u64(cd, t1);
        uint64x2_t ab2 = vsha512h2q_u64(t1, cd, ab);
        gh = ef, cd = ab, ef = ef2, ab = ab2;
        if (r < 32) {
            uint64x2_t s0 = vsha512su0q_u64(w[r % 8], w[(r + 1) % 8]);
            w[r % 8] = vsha512su1q_u64(s0, w[(r + 7) % 8], vextq_u64(w[(r + 4) % 8], w[(r + 5) % 8], 1));
        }
    }
    vst1q_u64(st, vaddq_u64(ab, ab0));
    vst1q_u64(st + 2, vaddq_u64(cd, cd0));
    vst1q_u64(st + 4, vaddq_u64(ef, ef0));
    vst1q_u64(st + 6, vaddq_u64(gh, gh0));
}

static void sha512(int ce, const uint8_t *msg, size_t len, uint8_t out[64]) {
    uint64_t st[8];
    uint8_t block[128];
    void (*f)(uint64_t *, const uint8_t *) = ce ? sha512_block_ce : sha512_block_c;
    memcpy(st, H512, sizeof st);
    size_t i = 0;
    for (; i + 128 <= len; i += 128) f(st, msg + i);
    size_t rest = len - i;
    memset(block, 0, 128);
    memcpy(block, msg + i, rest);
    block[rest] = 0x80;
    if (rest >= 112) {
        f(st, block);
        memset(block, 0, 128);
    }
    uint64_t bits = (uint64_t)len * 8;
    for (int k = 0; k < 8; k++) block[127 - k] = bits >> (8 * k);
    f(st, block);
    for (int k = 0; k < 8; k++)
        for (int b = 0; b < 8; b++) out[8 * k + b] = st[k] >> (56 - 8 * b);
}

static const uint64_t RC[24] = {
    0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000, 0x000000000000808b, 0x0000000080000001,
    0x8000000080008081, 0x8000000000008009, 0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
    0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003, 0x8000000000008002, 0x8000000000000080,
    0x000000000000800a, 0x800000008000000a, 0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
};
// Rotation offsets r[x][y] of lane A[x + 5y].
static const int ROT[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};

static uint64_t rol(uint64_t x, int r) { return r ? x << r | x >> (64 - r) : x; }

static void keccak_c(uint64_t a[25]) {
    for (int round = 0; round < 24; round++) {
        uint64_t c[5], b[25];
        for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) {
            uint64_t d = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
            for (int y = 0; y < 5; y++) a[x + 5 * y] ^= d;
        }
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++) b[y + 5 * ((2 * x + 3 * y) % 5)] = rol(a[x + 5 * y], ROT[x + 5 * y]);
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++) a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
        a[0] ^= RC[round];
    }
}

// Two states at once, one per 64-bit lane. XAR takes its rotation as an
// immediate, so each lane's step is spelled out: B[y, 2x+3y] =
// ROR(A[x,y] ^ D[x], 64 - r).
#define RHO_PI(x, y, r)                                                                      \
    b[(y) + 5 * ((2 * (x) + 3 * (y)) % 5)] =                                                 \
        (r) ? vxarq_u64(a[(x) + 5 * (y)], d[x], (64 - (r)) & 63) : veorq_u64(a[(x) + 5 * (y)], d[x])

static void keccak_ce(uint64x2_t a[25]) {
    for (int round = 0; round < 24; round++) {
        uint64x2_t c[5], d[5], b[25];
        for (int x = 0; x < 5; x++) c[x] = veor3q_u64(veor3q_u64(a[x], a[x + 5], a[x + 10]), a[x + 15], a[x + 20]);
        for (int x = 0; x < 5; x++) d[x] = vrax1q_u64(c[(x + 4) % 5], c[(x + 1) % 5]);
        RHO_PI(0, 0, 0), RHO_PI(1, 0, 1), RHO_PI(2, 0, 62), RHO_PI(3, 0, 28), RHO_PI(4, 0, 27);
        RHO_PI(0, 1, 36), RHO_PI(1, 1, 44), RHO_PI(2, 1, 6), RHO_PI(3, 1, 55), RHO_PI(4, 1, 20);
        RHO_PI(0, 2, 3), RHO_PI(1, 2, 10), RHO_PI(2, 2, 43), RHO_PI(3, 2, 25), RHO_PI(4, 2, 39);
        RHO_PI(0, 3, 41), RHO_PI(1, 3, 45), RHO_PI(2, 3, 15), RHO_PI(3, 3, 21), RHO_PI(4, 3, 8);
        RHO_PI(0, 4, 18), RHO_PI(1, 4, 2), RHO_PI(2, 4, 61), RHO_PI(3, 4, 56), RHO_PI(4, 4, 14);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 5; x++) a[x + 5 * y] = vbcaxq_u64(b[x + 5 * y], b[(x + 2) % 5 + 5 * y], b[(x + 1) % 5 + 5 * y]);
        a[0] = veorq_u64(a[0], vdupq_n_u64(RC[round]));
    }
}

// Both states permuted: by the vector version (one state per lane) or
// by the portable one.
static void permute(int ce, uint64_t s[2][25]) {
    if (ce) {
        uint64x2_t v[25];
        for (int i = 0; i < 25; i++) v[i] = vcombine_u64(vcreate_u64(s[0][i]), vcreate_u64(s[1][i]));
        keccak_ce(v);
        for (int i = 0; i < 25; i++) s[0][i] = vgetq_lane_u64(v[i], 0), s[1][i] = vgetq_lane_u64(v[i], 1);
    } else {
        keccak_c(s[0]);
        keccak_c(s[1]);
    }
}

// A sponge over both permutations: rate bytes, domain byte (0x06 SHA-3,
// 0x1f SHAKE), output length. The vector version absorbs `msg` into lane
// 0 and `msg2` into lane 1.
static void sponge(int ce, const uint8_t *msg, const uint8_t *msg2, size_t len, int rate, uint8_t dom, uint8_t *out, uint8_t *out2,
                   size_t outlen) {
    uint64_t s[2][25];
    memset(s, 0, sizeof s);
    const uint8_t *m[2] = {msg, msg2};
    uint8_t *o[2] = {out, out2};
    size_t pos = 0;
    uint8_t block[2][200];
    for (;;) {
        size_t n = len - pos < (size_t)rate ? len - pos : (size_t)rate;
        int last = n < (size_t)rate;
        for (int k = 0; k < 2; k++) {
            memset(block[k], 0, rate);
            memcpy(block[k], m[k] + pos, n);
            if (last) {
                block[k][n] ^= dom;
                block[k][rate - 1] ^= 0x80;
            }
            for (int i = 0; i < rate / 8; i++) {
                uint64_t lane = 0;
                for (int b = 7; b >= 0; b--) lane = lane << 8 | block[k][8 * i + b];
                s[k][i] ^= lane;
            }
        }
        permute(ce, s);
        pos += n;
        if (last) break;
    }
    for (size_t done = 0; done < outlen;) {
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < (size_t)rate && done + i < outlen; i++) o[k][done + i] = s[k][i / 8] >> (8 * (i % 8));
        done += rate;
        if (done < outlen) permute(ce, s);
    }
}

static int failures;

static void show(const char *what, const uint8_t *d, const uint8_t *ref, size_t n) {
    printf("%s: ", what);
    for (size_t k = 0; k < n; k++) printf("%02x", d[k]);
    int same = memcmp(d, ref, n) == 0;
    failures += !same;
    printf(" %s\n", same ? "(= portable C)" : "(DIFFERS from portable C)");
}

// Both sponges on two messages at once (lanes 0 and 1 of the vector
// version), shown against the portable one.
static void compare_sponges(const char *name, const uint8_t *msg, const uint8_t *msg2, size_t len, int rate, uint8_t dom, size_t outlen) {
    uint8_t v[2][200], c[2][200];
    char what[80];
    sponge(1, msg, msg2, len, rate, dom, v[0], v[1], outlen);
    sponge(0, msg, msg2, len, rate, dom, c[0], c[1], outlen);
    for (int k = 0; k < 2; k++) {
        snprintf(what, sizeof what, "%s %zu bytes%s", name, len, k ? " (lane 1)" : "");
        show(what, v[k], c[k], outlen);
    }
}

static uint64_t rs = 0x9e3779b97f4a7c15ull;
static uint64x2_t rnd(void) {
    uint64_t v[2];
    for (int k = 0; k < 2; k++) {
        rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
        v[k] = rs;
    }
    // Now and then all-ones or zero lanes.
    if ((rs & 15) == 0) v[rs >> 4 & 1] = (rs & 32) ? ~0ull : 0;
    return vld1q_u64(v);
}

static uint64_t h = 1469598103934665603ull;
static void mix(uint64x2_t v, int show_it, const char *name) {
    uint64_t w[2];
    vst1q_u64(w, v);
    for (int k = 0; k < 2; k++) h = (h ^ w[k]) * 1099511628211ull;
    if (show_it) printf("%-10s %016llx %016llx\n", name, (unsigned long long)w[0], (unsigned long long)w[1]);
}

int main(void) {
    unsigned long hw = getauxval(AT_HWCAP);
    printf("hwcap sha3 %d sha512 %d\n", (int)(hw >> 17 & 1), (int)(hw >> 21 & 1));
    if (hw & (1 << 11)) {
        uint64_t isar0;
        __asm__ volatile("mrs %0, ID_AA64ISAR0_EL1" : "=r"(isar0));
        printf("ID_AA64ISAR0_EL1 SHA2 %d SHA3 %d\n", (int)(isar0 >> 12 & 15), (int)(isar0 >> 32 & 15));
    }
    static uint8_t msg[1000], msg2[1000];
    for (int i = 0; i < 1000; i++) msg[i] = (uint8_t)(i * 7 + 3), msg2[i] = (uint8_t)(i * 13 + 1);
    const size_t lens[] = {0, 3, 111, 112, 128, 135, 136, 168, 1000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t len = lens[i];
        uint8_t a[64], b[64];
        char what[64];
        sha512(1, msg, len, a);
        sha512(0, msg, len, b);
        snprintf(what, sizeof what, "sha512 %zu bytes", len);
        show(what, a, b, 64);
        compare_sponges("sha3-256", msg, msg2, len, 136, 0x06, 32);
        compare_sponges("shake128, 200 out,", msg, msg2, len, 168, 0x1f, 200);
    }
    for (int i = 0; i < 400; i++) {
        uint64x2_t d = rnd(), n = rnd(), m = rnd();
        int s = i == 0;
        mix(vsha512hq_u64(d, n, m), s, "sha512h");
        mix(vsha512h2q_u64(d, n, m), s, "sha512h2");
        mix(vsha512su0q_u64(d, n), s, "sha512su0");
        mix(vsha512su1q_u64(d, n, m), s, "sha512su1");
        mix(vrax1q_u64(n, m), s, "rax1");
        mix(vxarq_u64(n, m, 0), s, "xar #0");
        mix(vxarq_u64(n, m, 1), s, "xar #1");
        mix(vxarq_u64(n, m, 37), s, "xar #37");
        mix(vxarq_u64(n, m, 63), s, "xar #63");
        mix(vreinterpretq_u64_u8(veor3q_u8(vreinterpretq_u8_u64(d), vreinterpretq_u8_u64(n), vreinterpretq_u8_u64(m))), s, "eor3");
        mix(vreinterpretq_u64_u8(vbcaxq_u8(vreinterpretq_u8_u64(d), vreinterpretq_u8_u64(n), vreinterpretq_u8_u64(m))), s, "bcax");
    }
    printf("hash of 4400 results: %016llx\n", (unsigned long long)h);
    printf("%s\n", failures ? "FAILED" : "all digests equal the portable versions");
    return failures != 0;
}

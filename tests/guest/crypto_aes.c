/* AESE/AESD/AESMC/AESIMC through the ACLE intrinsics: FIPS-197 Appendix
 * C.1 with a software key schedule, a CBC-like chain over a buffer, and the
 * inverse path; plus the HWCAP bit the kernel would report. */
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

static uint8_t sbox(uint8_t x) {
    /* S-box through AESE with a zero key: SubBytes of a splatted byte. */
    uint8x16_t v = vaeseq_u8(vdupq_n_u8(x), vdupq_n_u8(0));
    return vgetq_lane_u8(v, 0);
}

static void expand(const uint8_t key[16], uint8x16_t rk[11]) {
    uint8_t w[176];
    memcpy(w, key, 16);
    uint8_t rcon = 1;
    for (int i = 16; i < 176; i += 4) {
        uint8_t t[4] = {w[i - 4], w[i - 3], w[i - 2], w[i - 1]};
        if (i % 16 == 0) {
            uint8_t t0 = t[0];
            t[0] = sbox(t[1]) ^ rcon;
            t[1] = sbox(t[2]);
            t[2] = sbox(t[3]);
            t[3] = sbox(t0);
            rcon = (uint8_t)((rcon << 1) ^ ((rcon & 0x80) ? 0x1b : 0));
        }
        for (int k = 0; k < 4; k++) w[i + k] = w[i - 16 + k] ^ t[k];
    }
    for (int r = 0; r < 11; r++) rk[r] = vld1q_u8(w + 16 * r);
}

static uint8x16_t enc(uint8x16_t s, const uint8x16_t rk[11]) {
    for (int r = 0; r < 9; r++) s = vaesmcq_u8(vaeseq_u8(s, rk[r]));
    return veorq_u8(vaeseq_u8(s, rk[9]), rk[10]);
}

static uint8x16_t dec(uint8x16_t s, const uint8x16_t rk[11]) {
    s = vaesdq_u8(s, rk[10]);
    for (int r = 9; r >= 1; r--) s = vaesdq_u8(vaesimcq_u8(s), vaesimcq_u8(rk[r]));
    return veorq_u8(s, rk[0]);
}

static void show(const char *what, uint8x16_t v) {
    uint8_t b[16];
    vst1q_u8(b, v);
    printf("%s ", what);
    for (int i = 0; i < 16; i++) printf("%02x", b[i]);
    printf("\n");
}

int main(void) {
    printf("HWCAP_AES %s\n", (getauxval(AT_HWCAP) & (1 << 3)) ? "yes" : "no");
    uint8_t key[16], pt[16];
    for (int i = 0; i < 16; i++) {
        key[i] = (uint8_t)i;
        pt[i] = (uint8_t)(i * 0x11);
    }
    uint8x16_t rk[11];
    expand(key, rk);
    uint8x16_t c = enc(vld1q_u8(pt), rk);
    show("fips-197 c.1", c);
    show("decrypted", dec(c, rk));
    uint8x16_t chain = vdupq_n_u8(0);
    uint8_t buf[4096];
    for (int i = 0; i < 4096; i++) buf[i] = (uint8_t)(i * 31 + 7);
    for (int i = 0; i < 4096; i += 16) chain = enc(veorq_u8(chain, vld1q_u8(buf + i)), rk);
    show("chain", chain);
    return 0;
}

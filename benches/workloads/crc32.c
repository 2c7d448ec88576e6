/* CRC32 in plain C (table) and with the ACLE __crc32d intrinsic on AArch64
 * (argv[1] = MiB); both must agree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __aarch64__
#include <arm_acle.h>
#endif
int main(int argc, char **argv) {
    size_t n = (argc > 1 ? atoi(argv[1]) : 8) << 20;
    uint8_t *buf = malloc(n);
    for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)(i ^ (i >> 9));
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) { uint32_t c = i; for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1; table[i] = c; }
    uint32_t a = ~0u;
    for (size_t i = 0; i < n; i++) a = table[(a ^ buf[i]) & 0xff] ^ (a >> 8);
    uint32_t b = ~0u;
#ifdef __aarch64__
    for (size_t i = 0; i < n; i += 8) { uint64_t v; memcpy(&v, buf + i, 8); b = __crc32d(b, v); }
#else
    for (size_t i = 0; i < n; i++) b = table[(b ^ buf[i]) & 0xff] ^ (b >> 8);
#endif
    printf("checksum %08x %s\n", ~a, a == b ? "agree" : "DISAGREE");
    return a == b ? 0 : 1;
}

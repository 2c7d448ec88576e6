/* glibc string and memory functions (their AdvSIMD implementations) over
 * many lengths and alignments; prints one checksum per function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char src[4096 + 64], dst[4096 + 64];

static unsigned long sum(const unsigned char *p, size_t n) {
    unsigned long h = 1469598103934665603UL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211UL;
    return h;
}

int main(void) {
    for (int i = 0; i < (int)sizeof src; i++) src[i] = (unsigned char)(i * 7 + 3) | 1;
    unsigned long h_cpy = 0, h_move = 0, h_set = 0, h_len = 0, h_chr = 0, h_cmp = 0, h_mcmp = 0, h_str = 0;
    for (int len = 0; len < 300; len += (len < 40 ? 1 : 13)) {
        for (int al = 0; al < 16; al += 3) {
            memset(dst, 0, sizeof dst);
            memcpy(dst + al, src + (15 - al), len);
            h_cpy = h_cpy * 3 + sum(dst, len + 32);
            memmove(dst + al + 5, dst + al, len);
            h_move = h_move * 3 + sum(dst, len + 32);
            memmove(dst + al, dst + al + 3, len);
            h_move = h_move * 3 + sum(dst, len + 32);
            memset(dst + al, al + len, len);
            h_set = h_set * 3 + sum(dst, len + 32);
            memcpy(dst + al, src, len);
            dst[al + len] = 0;
            h_len = h_len * 3 + strlen((char *)dst + al);
            char *c = strchr((char *)dst + al, src[len / 2]);
            h_chr = h_chr * 3 + (c ? (unsigned long)(c - (char *)dst) : 1);
            c = memchr(dst + al, 0, len + 1);
            h_chr = h_chr * 3 + (c ? (unsigned long)(c - (char *)dst) : 1);
            int r = strcmp((char *)dst + al, (char *)src);
            h_cmp = h_cmp * 3 + (r > 0) - (r < 0);
            if (len) { dst[al + len - 1] ^= 1; r = memcmp(dst + al, src, len); h_mcmp = h_mcmp * 3 + (r > 0) - (r < 0) + 5; }
            h_str = h_str * 3 + (strstr((char *)dst + al, "zz") != NULL) + strspn((char *)dst + al, "\x03\x0b");
        }
    }
    printf("memcpy %lx\nmemmove %lx\nmemset %lx\nstrlen %lx\nstrchr %lx\nstrcmp %lx\nmemcmp %lx\nstrstr %lx\n", h_cpy, h_move, h_set, h_len, h_chr, h_cmp, h_mcmp, h_str);
    char buf[64];
    snprintf(buf, sizeof buf, "%s-%d-%x", "abc", 42, 255);
    printf("%s %zu %s\n", buf, strlen(buf), strrchr(buf, '-'));
    char *dup = strdup("duplicate me");
    printf("%s %d\n", dup, strncmp(dup, "dupe", 3));
    free(dup);
    return 0;
}

/* String and memory functions (argv[1] = rounds). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 300;
    char *a = malloc(65536), *b = malloc(65536);
    for (int i = 0; i < 65536; i++) a[i] = 'a' + i % 23;
    a[65535] = 0;
    unsigned long h = 0;
    for (int r = 0; r < rounds; r++) {
        size_t len = 1000 + (r * 977) % 60000;
        memcpy(b, a + r % 7, len);
        b[len] = 0;
        h = h * 31 + strlen(b) + (strchr(b, 'w') - b) + (memcmp(a, b, 64) > 0);
        memset(b, r, len / 2);
        memmove(b + 3, b, len / 2);
        h ^= (unsigned char)b[len / 3];
    }
    printf("checksum %lx\n", h);
    return 0;
}

/* qsort on integers and strings; malloc/realloc/free stress with many
 * sizes including mmap-backed large blocks (argv[1] rounds of it, 20,000
 * if not given). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long rng = 88172645463325252UL;
static unsigned long next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static int cmp_int(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 20000;
    int n = 20000;
    int *v = malloc(n * sizeof *v);
    for (int i = 0; i < n; i++) v[i] = (int)(next() % 100000) - 50000;
    qsort(v, n, sizeof *v, cmp_int);
    long s = 0;
    for (int i = 0; i < n; i++) { s = s * 7 + v[i]; if (i && v[i - 1] > v[i]) { printf("unsorted!\n"); return 1; } }
    printf("ints sorted, checksum %ld, min %d max %d\n", s, v[0], v[n - 1]);
    free(v);
    char *words[500];
    for (int i = 0; i < 500; i++) {
        int len = 1 + next() % 12;
        words[i] = malloc(len + 1);
        for (int k = 0; k < len; k++) words[i][k] = 'a' + next() % 26;
        words[i][len] = 0;
    }
    qsort(words, 500, sizeof words[0], cmp_str);
    printf("first %s last %s\n", words[0], words[499]);
    for (int i = 0; i < 500; i++) free(words[i]);
    void *blocks[256] = {0};
    size_t sizes[256] = {0};
    unsigned long h = 0;
    for (int round = 0; round < rounds; round++) {
        int k = next() % 256;
        if (blocks[k]) {
            unsigned char *p = blocks[k];
            for (size_t i = 0; i < sizes[k]; i += 97) h = h * 31 + p[i];
            if (next() % 2) { free(p); blocks[k] = NULL; continue; }
            size_t ns = 1 + next() % (next() % 16 == 0 ? 300000 : 2000);
            p = realloc(p, ns);
            if (ns > sizes[k]) memset(p + sizes[k], k, ns - sizes[k]);
            blocks[k] = p; sizes[k] = ns;
        } else {
            size_t ns = 1 + next() % (next() % 16 == 0 ? 300000 : 2000);
            unsigned char *p = malloc(ns);
            memset(p, k, ns);
            blocks[k] = p; sizes[k] = ns;
        }
    }
    for (int k = 0; k < 256; k++) free(blocks[k]);
    void *big = calloc(1, 64 << 20);
    printf("malloc stress checksum %lx, calloc 64MiB %s\n", h, big && ((char *)big)[12345678] == 0 ? "zeroed" : "failed");
    free(big);
    return 0;
}

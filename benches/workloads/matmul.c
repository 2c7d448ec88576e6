/* Single-precision matrix multiply that gcc -O3 vectorises (argv[1] = n). */
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 160;
    float *a = malloc(n * n * 4), *b = malloc(n * n * 4), *c = calloc(n * n, 4);
    for (int i = 0; i < n * n; i++) { a[i] = (i % 17) * 0.25f; b[i] = (i % 13) * 0.5f; }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            float t = a[i * n + k];
            for (int j = 0; j < n; j++) c[i * n + j] += t * b[k * n + j];
        }
    double s = 0;
    for (int i = 0; i < n * n; i++) s += c[i] * ((i % 7) + 1);
    printf("checksum %.1f\n", s);
    return 0;
}

/* Integer qsort (argv[1] = thousands of elements). */
#include <stdio.h>
#include <stdlib.h>
static int cmp(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
int main(int argc, char **argv) {
    int n = (argc > 1 ? atoi(argv[1]) : 500) * 1000;
    int *v = malloc(n * sizeof *v);
    unsigned s = 12345;
    for (int i = 0; i < n; i++) { s = s * 1103515245 + 12345; v[i] = (int)(s >> 1); }
    qsort(v, n, sizeof *v, cmp);
    unsigned long h = 0;
    for (int i = 0; i < n; i += 7) h = h * 31 + v[i];
    printf("checksum %lx\n", h);
    return 0;
}

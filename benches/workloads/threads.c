/* Many threads running the same varied code once each (argv[1] =
 * threads): qsort, snprintf/strtod, libm, string functions — start-up
 * and translation dominated, the case shared translations are for. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

static void *work(void *arg) {
    unsigned long id = (unsigned long)arg, h = id;
    double v[2000];
    unsigned s = 12345 + id;
    for (int i = 0; i < 2000; i++) { s = s * 1103515245 + 12345; v[i] = sin(s * 1e-6) * exp((s & 1023) * 1e-3) + log1p(s & 255); }
    qsort(v, 2000, sizeof v[0], cmp);
    char buf[128], *end;
    for (int i = 0; i < 2000; i += 40) {
        snprintf(buf, sizeof buf, "%.9g %x %s", v[i], (unsigned)i, i & 1 ? "odd" : "even");
        double back = strtod(buf, &end);
        h = h * 31 + (unsigned long)(back * 1000) + strlen(buf) + (strstr(buf, "odd") != 0);
        h ^= (unsigned long)(pow(fabs(back) + 1, 0.37) * 1e6) + (unsigned long)(atan2(back, i + 1) * 1e6);
    }
    return (void *)h;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 8;
    pthread_t t[64];
    if (n > 64) n = 64;
    unsigned long h = 0;
    for (int i = 0; i < n; i++) pthread_create(&t[i], 0, work, (void *)(unsigned long)i);
    for (int i = 0; i < n; i++) {
        void *r;
        pthread_join(t[i], &r);
        h = h * 1000003 + (unsigned long)r;
    }
    printf("checksum %lx\n", h);
    return 0;
}

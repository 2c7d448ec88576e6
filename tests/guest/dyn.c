/* A dynamically linked program: the dynamic loader maps libc and libm from
 * the sysroot (file-backed mmap, mprotect, TLS through TPIDR_EL0), then the
 * program uses libm, dlopen/dlsym, pthread objects, qsort with a callback
 * through the PLT, and environment lookups. */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_count;
static void init_once(void) { once_count++; }
static __thread int tls_counter = 5;

int main(int argc, char **argv) {
    printf("argc %d, argv[1] %s\n", argc, argc > 1 ? argv[1] : "-");
    double x = argc * 0.75;
    printf("libm: sin %.6f cos %.6f exp %.6f log %.6f pow %.6f\n", sin(x), cos(x), exp(x), log(x + 1), pow(x, 3.5));
    void *h = dlopen("libm.so.6", RTLD_NOW);
    if (!h) {
        printf("dlopen failed: %s\n", dlerror());
        return 1;
    }
    double (*c)(double) = (double (*)(double))dlsym(h, "cbrt");
    printf("dlsym cbrt(27) = %.3f\n", c ? c(27.0) : -1.0);
    dlclose(h);
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&m);
    pthread_once(&once, init_once);
    pthread_once(&once, init_once);
    pthread_mutex_unlock(&m);
    printf("pthread_once ran %d time(s); tls %d\n", once_count, ++tls_counter);
    int v[64];
    for (int i = 0; i < 64; i++) v[i] = (i * 7919) % 101;
    qsort(v, 64, sizeof v[0], cmp);
    long sum = 0;
    for (int i = 0; i < 64; i++) sum = sum * 31 + v[i];
    printf("qsort checksum %ld, first %d last %d\n", sum, v[0], v[63]);
    const char *home = getenv("ZARM_TEST_VAR");
    printf("env %s, strlen %zu\n", home ? home : "(unset)", strlen(argv[0]) > 0 ? (size_t)1 : (size_t)0);
    return 7;
}

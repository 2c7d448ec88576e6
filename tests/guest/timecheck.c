/* Clocks move forward and sleeping takes time (printed as booleans). */
#include <stdio.h>
#include <time.h>
#include <sys/time.h>
int main(void) {
    struct timespec a, b, r;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec d = {0, 20 * 1000 * 1000};
    nanosleep(&d, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    clock_getres(CLOCK_MONOTONIC, &r);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("slept %d, monotonic %d, res ok %d, epoch sane %d, time() sane %d\n", ns >= 20000000, ns > 0, r.tv_nsec > 0 && r.tv_nsec < 1000000, tv.tv_sec > 1600000000, time(NULL) > 1600000000);
    unsigned long cnt1, cnt2, frq;
    __asm__ volatile("mrs %0, cntvct_el0" : "=r"(cnt1));
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
    nanosleep(&d, NULL);
    __asm__ volatile("mrs %0, cntvct_el0" : "=r"(cnt2));
    printf("counter advances %d, frequency nonzero %d\n", cnt2 > cnt1, frq > 0);
    return 0;
}

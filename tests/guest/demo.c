/* The bundled demo: a few lines about zarm and a small computation, so a
 * first run shows guest output, arithmetic and floating point working. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

static unsigned long fib(unsigned n) { unsigned long a = 0, b = 1; while (n--) { unsigned long t = a + b; a = b; b = t; } return a; }

int main(int argc, char **argv) {
    struct utsname u;
    uname(&u);
    printf("Hello from an AArch64 program running under zarm!\n");
    printf("The guest believes it runs on: %s\n", u.machine);
    int primes = 0;
    for (int n = 2; n < 10000; n++) {
        int p = 1;
        for (int d = 2; d * d <= n; d++) if (n % d == 0) { p = 0; break; }
        primes += p;
    }
    printf("primes below 10000: %d\n", primes);
    printf("fib(90) = %lu\n", fib(90));
    double x = 1.0;
    for (int i = 0; i < 20; i++) x = x / 2 + 1.0 / x;
    printf("sqrt(2) by Newton: %.15f\n", x);
    printf("args:");
    for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
    printf("\n");
    return 0;
}

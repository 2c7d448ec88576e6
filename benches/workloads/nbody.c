/* n-body in double precision (argv[1] = thousands of steps). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#define N 5
static double x[N][3], v[N][3], m[N];
int main(int argc, char **argv) {
    int steps = (argc > 1 ? atoi(argv[1]) : 200) * 1000;
    for (int i = 0; i < N; i++) { for (int k = 0; k < 3; k++) { x[i][k] = i * 1.1 + k * 0.3; v[i][k] = (i - k) * 0.01; } m[i] = 1.0 + i * 0.5; }
    double dt = 0.001;
    for (int s = 0; s < steps; s++)
        for (int i = 0; i < N; i++)
            for (int j = i + 1; j < N; j++) {
                double d[3], r2 = 1e-3;
                for (int k = 0; k < 3; k++) { d[k] = x[i][k] - x[j][k]; r2 += d[k] * d[k]; }
                double f = dt / (r2 * sqrt(r2));
                for (int k = 0; k < 3; k++) { v[i][k] -= d[k] * m[j] * f; v[j][k] += d[k] * m[i] * f; }
            }
    for (int i = 0; i < N; i++) for (int k = 0; k < 3; k++) x[i][k] += v[i][k];
    double e = 0;
    for (int i = 0; i < N; i++) for (int k = 0; k < 3; k++) e += x[i][k] * 1e3 + v[i][k];
    printf("checksum %.6f\n", e);
    return 0;
}

/* setjmp/longjmp across frames, and a recursion that unwinds through it. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;
static int depth(int n) { if (n == 0) longjmp(env, 42); return depth(n - 1) + 1; }

int main(void) {
    volatile int count = 0;
    int r = setjmp(env);
    count++;
    if (r == 0) depth(1000);
    printf("setjmp returned %d after %d passes\n", r, count);
    if (count < 3) longjmp(env, count * 10);
    printf("done\n");
    return 0;
}

/* A store through a null pointer: the guest dies by SIGSEGV. */
#include <stdio.h>
int main(void) { printf("about to fault\n"); fflush(stdout); *(volatile int *)0 = 1; return 0; }

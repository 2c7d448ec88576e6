/* Start-up dominated: a tiny program the runner starts many times. */
#include <stdio.h>
int main(void) { printf("checksum 2a\n"); return 0; }

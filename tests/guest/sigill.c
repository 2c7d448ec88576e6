/* An unallocated encoding: the guest dies by SIGILL. */
#include <stdio.h>
int main(void) { printf("about to execute .inst 0\n"); fflush(stdout); __asm__ volatile(".inst 0x00000000"); return 0; }

/* abort(): the guest dies by SIGABRT, and so must zarm. */
#include <stdio.h>
#include <stdlib.h>
int main(void) { printf("about to abort\n"); fflush(stdout); abort(); }

/* A dynamically linked program whose hot loops call libc through the PLT
 * (built with -fno-builtin, so labs and toupper are real calls): a PLT
 * stub loads its GOT entry and branches through it to libc, far from the
 * program. Each loop prints a checksum, compared with qemu-aarch64 running
 * the program against the same sysroot. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200000;
    unsigned long h = 1;
    for (int i = 0; i < n; i++)
        h = h * 31 + (unsigned long)labs((long)(h >> 3) - i);
    printf("labs: %016lx\n", h);
    for (int i = 0; i < n; i++)
        h = h * 33 + (unsigned long)toupper((int)(h >> 20 & 0x7f));
    printf("toupper: %016lx\n", h);
    return 0;
}

/* argv, the environment and the auxiliary vector as the guest sees them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(int argc, char **argv) {
    printf("argc %d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d] = '%s'\n", i, argv[i]);
    const char *v = getenv("ZARM_TEST_VAR");
    printf("ZARM_TEST_VAR = %s\n", v ? v : "(unset)");
    printf("AT_PAGESZ %lu\n", getauxval(AT_PAGESZ));
    const char *plat = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM %s\n", plat ? plat : "(none)");
    printf("AT_HWCAP fp %d asimd %d\n", !!(getauxval(AT_HWCAP) & 1), !!(getauxval(AT_HWCAP) & 2));
    printf("AT_RANDOM present %d\n", getauxval(AT_RANDOM) != 0);
    printf("AT_EXECFN matches argv[0] %d\n", strcmp((const char *)getauxval(AT_EXECFN), argv[0]) == 0);
    printf("AT_ENTRY nonzero %d AT_PHNUM %d\n", getauxval(AT_ENTRY) != 0, getauxval(AT_PHNUM) > 0);
    printf("AT_SECURE %lu sysconf pagesize %ld\n", getauxval(AT_SECURE), sysconf(_SC_PAGESIZE));
    struct utsname u;
    uname(&u);
    printf("machine %s sysname %s\n", u.machine, u.sysname);
    return 0;
}

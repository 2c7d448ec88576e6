// /proc/self/maps and /proc/self/auxv as the guest must see them: its own
// code, data, heap, stack and file mappings with their permissions and
// names, and the auxiliary vector getauxval reads. Output is deterministic.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

static int global_data = 42;

// The permissions and name of the mapping holding `p`; 0 if none.
static int find(const void *p, char perms[5], char name[256]) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return 0;
    char line[512];
    unsigned long a = (unsigned long)p;
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long s, e, off;
        char pm[5];
        int n = 0;
        if (sscanf(line, "%lx-%lx %4s %lx %*s %*s %n", &s, &e, pm, &off, &n) < 4) continue;
        if (a >= s && a < e) {
            memcpy(perms, pm, 5);
            name[0] = 0;
            if (n > 0) sscanf(line + n, "%255[^\n]", name);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

static void show(const char *what, const void *p) {
    char perms[5] = "", name[256] = "";
    int ok = find(p, perms, name);
    char exe[256] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) exe[n] = 0;
    const char *kind = !name[0] ? "anonymous" : strcmp(name, exe) == 0 ? "the executable" : name;
    printf("%-14s mapped %d, %.3s, %s\n", what, ok, perms, kind);
}

int main(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    int local = 1;
    show("main", (void *)main);
    show("global data", &global_data);
    show("stack", &local);
    void *big = malloc(4 << 20);
    show("big malloc", big);
    char *anon = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(anon + 4096, 4096, PROT_READ);
    show("anon page 0", anon);
    show("anon page 1", anon + 4096);
    munmap(anon + 2 * 4096, 4096);
    char perms[5], name[256];
    printf("unmapped page gone: %d\n", !find(anon + 2 * 4096, perms, name));
    int fd = open("/proc/self/exe", O_RDONLY);
    char *file = mmap(0, 8192, PROT_READ, MAP_PRIVATE, fd, 4096);
    show("file mapping", file);
    close(fd);

    // auxv: the pairs getauxval reads.
    FILE *f = fopen("/proc/self/auxv", "r");
    unsigned long kv[2];
    int entries = 0, agree = 0, checked = 0;
    while (f && fread(kv, sizeof kv, 1, f) == 1 && kv[0] != AT_NULL) {
        entries++;
        if (kv[0] == AT_PAGESZ || kv[0] == AT_HWCAP || kv[0] == AT_ENTRY || kv[0] == AT_PHDR || kv[0] == AT_RANDOM || kv[0] == AT_EXECFN) {
            checked++;
            agree += getauxval(kv[0]) == kv[1];
        }
    }
    printf("auxv: more than 10 entries %d, %d of %d checked agree with getauxval\n", entries > 10, agree, checked);
    return 0;
}

/* Hot loops for the optimising tier (issue #7): run long enough to become
 * regions (thousands of iterations), then
 *  1. fault inside the loop: the SIGSEGV handler prints the guest state of
 *     the faulting instruction (pc, fault address, NZCV and the registers
 *     that hold loop values), which must be exactly qemu-aarch64's;
 *  2. a loop in a run-time generated function, rewritten while hot (with
 *     __builtin___clear_cache): the region over the old code must go;
 *  3. plain checksum loops with flags, shifts, multiplies and divisions. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf jb;
static uintptr_t guard_lo, guard_hi, stack_lo, stack_hi;

/* Pointers differ between emulators (stack and mmap placement); values do not. */
static void print_reg(const char *name, uint64_t v) {
    if ((v >= guard_lo - (1 << 20) && v < guard_hi + (1 << 20)) || (v >= stack_lo && v < stack_hi))
        printf(" %s=ptr", name);
    else
        printf(" %s=%llx", name, (unsigned long long)v);
}

static void on_segv(int sig, siginfo_t *info, void *ctx) {
    ucontext_t *uc = ctx;
    printf("SIGSEGV %d: addr=guard+%ld pc=%llx nzcv=%llx\n ", sig, (long)((uintptr_t)info->si_addr - guard_lo),
           (unsigned long long)uc->uc_mcontext.pc, (unsigned long long)(uc->uc_mcontext.pstate >> 28));
    char name[8];
    for (int r = 0; r < 31; r++) {
        /* x16/x17 are the linker's scratch registers: their last value
         * depends on which ifunc variant glibc chose for the CPU. */
        if (r == 16 || r == 17)
            continue;
        snprintf(name, sizeof name, "x%d", r);
        print_reg(name, uc->uc_mcontext.regs[r]);
    }
    printf("\n");
    siglongjmp(jb, 1);
}

__attribute__((noinline)) static uint64_t work(volatile uint32_t *a, long n) {
    uint64_t s = 0, t = 1;
    for (long i = 0; i < n; i++) {
        s += a[i] * 3 + t;
        t ^= s >> 3;
        if (s & 1)
            t += (uint64_t)i;
    }
    return s ^ t;
}

/* mov x1,#0; loop: add x1,x1,#K; subs x0,x0,#1; b.ne loop; mov x0,x1; ret */
static void gen(uint32_t *code, unsigned k) {
    code[0] = 0xd2800001;
    code[1] = 0x91000021 | (k << 10);
    code[2] = 0xf1000400;
    code[3] = 0x54ffffc1;
    code[4] = 0xaa0103e0;
    code[5] = 0xd65f03c0;
}

__attribute__((noinline)) static uint64_t mix(uint64_t n) {
    uint64_t h = 0x9e3779b97f4a7c15ull, q = 0;
    int64_t z = -7;
    for (uint64_t i = 1; i <= n; i++) {
        h ^= h >> 29;
        h *= 0xbf58476d1ce4e5b9ull;
        h += i;
        q += h / (i | 1) + (uint32_t)h % (uint32_t)(i + 3);
        z = (h & 4) ? z - (int64_t)i : z + (int64_t)(h >> 60);
        if ((int64_t)h < z)
            q ^= (uint64_t)z;
    }
    return h ^ q ^ (uint64_t)z;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    long page = sysconf(_SC_PAGESIZE);
    int local;
    stack_lo = (uintptr_t)&local - (8 << 20);
    stack_hi = (uintptr_t)&local + (8 << 20);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    /* 1. A fault in the middle of a hot loop. */
    char *mem = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    guard_lo = (uintptr_t)mem + 3 * page;
    guard_hi = guard_lo + page;
    mprotect(mem + 3 * page, page, PROT_NONE);
    for (long i = 0; i < 3 * page / 4; i++)
        ((uint32_t *)mem)[i] = (uint32_t)(i * 2654435761u);
    printf("no fault: %llx\n", (unsigned long long)work((uint32_t *)mem, 3 * page / 4));
    for (int round = 0; round < 3; round++) {
        long before = 2000 + 1000 * round; /* iterations before the guard page */
        volatile uint32_t *a = (uint32_t *)(mem + 3 * page) - before;
        if (sigsetjmp(jb, 1) == 0)
            printf("unreachable %llx\n", (unsigned long long)work(a, before + 10));
        else
            printf("round %d: recovered\n", round);
    }

    /* 2. A hot loop in generated code, rewritten. */
    uint32_t *code = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t (*fn)(uint64_t) = (uint64_t (*)(uint64_t))code;
    for (unsigned k = 1; k <= 4; k++) {
        gen(code, k);
        __builtin___clear_cache((char *)code, (char *)(code + 6));
        uint64_t r = 0;
        for (int rep = 0; rep < 3; rep++)
            r += fn(20000);
        printf("generated loop K=%u: %llu\n", k, (unsigned long long)r);
    }

    /* 3. Arithmetic loops. */
    printf("mix: %llx\n", (unsigned long long)mix(30000));
    return 0;
}

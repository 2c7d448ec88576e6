/* Atomic builtins in one thread: with the default -march they become
 * exclusive load/store loops, with -march=armv8.1-a LSE instructions. */
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__ARM_FEATURE_ATOMICS)
/* Atomics on a read-only page (a failing CAS too: every atomic counts as a
 * write for permission checks) and on an unmapped one: the signal, its code
 * and the exact faulting address, relative to the first page. */
static sigjmp_buf jb;
static volatile int fault_sig, fault_code;
static void *volatile fault_addr;
static void on_fault(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    fault_sig = sig;
    fault_code = si->si_code;
    fault_addr = si->si_addr;
    siglongjmp(jb, 1);
}
#define TRY(label, ...)                                                                                  \
    do {                                                                                                 \
        if (!sigsetjmp(jb, 1)) {                                                                         \
            __VA_ARGS__;                                                                                 \
            printf("%s: no fault\n", label);                                                             \
        } else {                                                                                         \
            printf("%s: sig %d code %d at +%ld\n", label, fault_sig, fault_code, (long)((char *)fault_addr - page)); \
        }                                                                                                \
    } while (0)

/* A CASP of doublewords expecting 0, 0 and storing 1, 2 (its register
 * pairs must be even/odd, hence the fixed registers). */
#define CASP_X(op, addr)                                                                                 \
    do {                                                                                                 \
        register uint64_t e0 asm("x4") = 0, e1 asm("x5") = 0, n0 asm("x6") = 1, n1 asm("x7") = 2;     \
        asm volatile(op " x4, x5, x6, x7, [%2]" : "+r"(e0), "+r"(e1) : "r"(addr), "r"(n0), "r"(n1) : "memory"); \
    } while (0)

/* A load-exclusive pair of doublewords. */
#define LDXP_X(op, addr)                                                                                 \
    do {                                                                                                 \
        uint64_t a, b;                                                                                   \
        asm volatile(op " %0, %1, [%2]" : "=&r"(a), "=&r"(b) : "r"(addr) : "memory");                   \
    } while (0)

static void faults(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    sigaction(SIGBUS, &sa, 0);
    char *page = mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 64; i++)
        page[i] = (char)(i * 7 + 1);
    mprotect(page, 4096, PROT_READ);
    munmap(page + 4096, 4096);
    char *ro = page, *none = page + 4096;
    uint64_t x = 0;
    uint32_t w = 0;
    TRY("cas.x ro fail", asm volatile("cas %x0, %x2, [%1]" : "+r"(x) : "r"(ro + 8), "r"(1ull) : "memory"));
    w = *(uint32_t *)(ro + 4);
    TRY("cas.w ro match", asm volatile("casa %w0, %w2, [%1]" : "+r"(w) : "r"(ro + 4), "r"(1u) : "memory"));
    w = 0;
    TRY("casb ro", asm volatile("casb %w0, %w2, [%1]" : "+r"(w) : "r"(ro + 1), "r"(1u) : "memory"));
    TRY("cash ro", asm volatile("casalh %w0, %w2, [%1]" : "+r"(w) : "r"(ro + 2), "r"(1u) : "memory"));
    TRY("ldaddb ro", asm volatile("ldaddb %w2, %w0, [%1]" : "=&r"(w) : "r"(ro + 3), "r"(1u) : "memory"));
    TRY("ldsmaxh ro", asm volatile("ldsmaxh %w2, %w0, [%1]" : "=&r"(w) : "r"(ro + 6), "r"(1u) : "memory"));
    TRY("swp.x ro", asm volatile("swp %x2, %x0, [%1]" : "=&r"(x) : "r"(ro + 16), "r"(1ull) : "memory"));
    TRY("ldadd.w ro", asm volatile("ldadd %w2, %w0, [%1]" : "=&r"(w) : "r"(ro + 20), "r"(1u) : "memory"));
    TRY("ldumin.x ro", asm volatile("ldumin %x2, %x0, [%1]" : "=&r"(x) : "r"(ro + 24), "r"(1ull) : "memory"));
    TRY("ldset.x ro", asm volatile("ldset %x2, %x0, [%1]" : "=&r"(x) : "r"(ro + 40), "r"(1ull) : "memory"));
    TRY("casp ro", CASP_X("casp", ro + 32));
    TRY("casb none", asm volatile("casb %w0, %w2, [%1]" : "+r"(w) : "r"(none + 5), "r"(1u) : "memory"));
    TRY("ldeorh none", asm volatile("ldeorh %w2, %w0, [%1]" : "=&r"(w) : "r"(none + 10), "r"(1u) : "memory"));
    TRY("cas.x none", asm volatile("cas %x0, %x2, [%1]" : "+r"(x) : "r"(none + 8), "r"(1ull) : "memory"));
    TRY("ldsmax.w none", asm volatile("ldsmax %w2, %w0, [%1]" : "=&r"(w) : "r"(none + 12), "r"(1u) : "memory"));
    TRY("casp none", CASP_X("caspa", none + 48));
    /* Offsets inside the first 64 bytes: the fault is at the block's start
     * for any block size. */
    TRY("dc zva ro", asm volatile("dc zva, %0" : : "r"(ro + 40) : "memory"));
    TRY("dc zva none", asm volatile("dc zva, %0" : : "r"(none + 24) : "memory"));
    /* Exclusives: the loads succeed on a read-only page, the stores (with
     * the monitor armed, so they would store) fault; an unaligned pair
     * raises an alignment fault. */
    TRY("stxrb ro", {
        uint32_t v, st;
        asm volatile("ldxrb %w0, [%2]\n stxrb %w1, %w0, [%2]" : "=&r"(v), "=&r"(st) : "r"(ro + 9) : "memory");
    });
    TRY("stlxrh ro", {
        uint32_t v, st;
        asm volatile("ldaxrh %w0, [%2]\n stlxrh %w1, %w0, [%2]" : "=&r"(v), "=&r"(st) : "r"(ro + 14) : "memory");
    });
    TRY("stxp ro", {
        uint64_t a, b;
        uint32_t st;
        asm volatile("ldxp %0, %1, [%3]\n stxp %w2, %0, %1, [%3]" : "=&r"(a), "=&r"(b), "=&r"(st) : "r"(ro + 32) : "memory");
    });
    TRY("ldaxp none", LDXP_X("ldaxp", none + 16));
    TRY("ldxp unaligned", LDXP_X("ldxp", ro + 40));
    TRY("ldr.q none", asm volatile("ldr q0, [%0]" : : "r"(none + 16) : "v0", "memory"));
    TRY("str.q ro", asm volatile("movi v0.16b, #1\n str q0, [%0]" : : "r"(ro + 48) : "v0", "memory"));
    unsigned sum = 0;
    for (int i = 0; i < 64; i++)
        sum = sum * 31 + (unsigned char)ro[i];
    printf("read-only page unchanged: %u\n", sum);
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
}
#endif

int main(void) {
    _Atomic uint64_t c64 = 0;
    _Atomic uint32_t c32 = 5;
    _Atomic uint8_t c8 = 250;
    _Atomic uint16_t c16 = 1;
    for (int i = 0; i < 1000; i++) {
        atomic_fetch_add(&c64, (uint64_t)i * 3);
        atomic_fetch_sub(&c32, 1);
        atomic_fetch_add(&c8, 3);
        atomic_fetch_or(&c16, (uint16_t)(1u << (i % 16)));
    }
    uint64_t expected = 7;
    int ok1 = atomic_compare_exchange_strong(&c64, &expected, 9);
    uint64_t cur = atomic_load(&c64);
    int ok2 = atomic_compare_exchange_strong(&c64, &cur, 12345);
    uint32_t old = atomic_exchange(&c32, 77);
    uint64_t x = atomic_fetch_and(&c64, 0xff0f);
    uint64_t y = atomic_fetch_xor(&c64, 0x1111);
    printf("%llu %u %u %u %d %d %u %llu %llu %llu\n", (unsigned long long)cur, (unsigned)c32, (unsigned)c8, (unsigned)c16, ok1, ok2, old,
           (unsigned long long)x, (unsigned long long)y, (unsigned long long)atomic_load(&c64));
    {
        /* DC ZVA zeroes the aligned block around an unaligned address, of
         * the size DCZID_EL0 gives (zarm: 64 bytes as on Neoverse cores,
         * qemu: 512), nothing else. */
        static _Alignas(1024) unsigned char buf[1024];
        uint64_t dczid;
        asm volatile("mrs %0, dczid_el0" : "=r"(dczid));
        size_t block = (size_t)4 << (dczid & 15), start = 600 & ~(block - 1);
        memset(buf, 0xff, sizeof buf);
        asm volatile("dc zva, %0" : : "r"(buf + 600) : "memory");
        int exact = !(dczid & 16) && block <= 512;
        for (size_t i = 0; i < sizeof buf; i++)
            exact &= (buf[i] == 0) == (i >= start && i < start + block);
        printf("dc zva zeroed exactly its aligned block: %d\n", exact);
    }
    {
        /* Load/store-exclusive of bytes, halfwords and pairs: a store after
         * its load succeeds (status 0) and changes only its bytes; a second
         * store without a load fails (status 1: the first cleared the
         * monitor) and changes nothing. */
        static _Alignas(16) unsigned char area[32];
        for (int i = 0; i < 32; i++)
            area[i] = (unsigned char)(0x30 + i);
        uint32_t v, st1, st2;
        asm volatile("ldxrb %w0, [%3]\n add %w0, %w0, #0x80\n stxrb %w1, %w0, [%3]\n stxrb %w2, %w0, [%3]"
                     : "=&r"(v), "=&r"(st1), "=&r"(st2) : "r"(area + 5) : "memory");
        printf("stxrb %x %u %u\n", v, st1, st2);
        asm volatile("ldaxrh %w0, [%3]\n eor %w0, %w0, #0xff00\n stlxrh %w1, %w0, [%3]\n stxrh %w2, %w0, [%3]"
                     : "=&r"(v), "=&r"(st1), "=&r"(st2) : "r"(area + 10) : "memory");
        printf("stxrh %x %u %u\n", v, st1, st2);
        uint64_t a, b;
        asm volatile("ldaxp %0, %1, [%4]\n add %0, %0, #1\n sub %1, %1, #1\n stlxp %w2, %1, %0, [%4]\n"
                     " stxp %w3, %0, %1, [%4]"
                     : "=&r"(a), "=&r"(b), "=&r"(st1), "=&r"(st2) : "r"(area + 16) : "memory");
        printf("stxp.x %llx %llx %u %u\n", (unsigned long long)a, (unsigned long long)b, st1, st2);
        uint32_t wa, wb;
        asm volatile("ldxp %w0, %w1, [%4]\n stxp %w2, %w1, %w0, [%4]\n stlxp %w3, %w1, %w0, [%4]"
                     : "=&r"(wa), "=&r"(wb), "=&r"(st1), "=&r"(st2) : "r"(area + 8) : "memory");
        printf("stxp.w %x %x %u %u\n", wa, wb, st1, st2);
        for (int i = 0; i < 32; i++)
            printf("%02x", area[i]);
        printf("\n");
    }
    __int128 big = 0;
    __atomic_fetch_add((unsigned long *)&big, 5, __ATOMIC_SEQ_CST);
    printf("sync %ld %d\n", __sync_fetch_and_add((long *)&big, 2), __sync_bool_compare_and_swap((long *)&big, 7, 8));
#if defined(__ARM_FEATURE_ATOMICS)
    /* LSE instructions the compiler does not emit from C: signed and
     * unsigned maximum/minimum of both widths, CASP of words and
     * doublewords, and CAS of bytes and halfwords, with values whose order
     * depends on signedness and on byte order. */
    uint64_t m64 = 0x00000000fffffff0ull, o;
    uint32_t m32 = 0x80000001u, o32;
    asm volatile("ldsmax %x2, %x0, [%1]" : "=&r"(o) : "r"(&m64), "r"(0xffffffffffffff00ull) : "memory");
    printf("ldsmax %llx %llx\n", (unsigned long long)o, (unsigned long long)m64);
    asm volatile("ldumaxal %x2, %x0, [%1]" : "=&r"(o) : "r"(&m64), "r"(0x0100000000000000ull) : "memory");
    printf("ldumax %llx %llx\n", (unsigned long long)o, (unsigned long long)m64);
    asm volatile("ldsmin %x2, %x0, [%1]" : "=&r"(o) : "r"(&m64), "r"(0x00ff000000000000ull) : "memory");
    printf("ldsmin %llx %llx\n", (unsigned long long)o, (unsigned long long)m64);
    asm volatile("lduminl %x2, %x0, [%1]" : "=&r"(o) : "r"(&m64), "r"(0x0000010000000000ull) : "memory");
    printf("ldumin %llx %llx\n", (unsigned long long)o, (unsigned long long)m64);
    asm volatile("ldsmaxa %w2, %w0, [%1]" : "=&r"(o32) : "r"(&m32), "r"(0x7ffffff0u) : "memory");
    printf("ldsmax.w %x %x\n", o32, m32);
    asm volatile("ldsmin %w2, %w0, [%1]" : "=&r"(o32) : "r"(&m32), "r"(0xfffffffeu) : "memory");
    printf("ldsmin.w %x %x\n", o32, m32);
    asm volatile("ldumax %w2, %w0, [%1]" : "=&r"(o32) : "r"(&m32), "r"(0xfffffffdu) : "memory");
    printf("ldumax.w %x %x\n", o32, m32);
    asm volatile("ldumin %w2, %w0, [%1]" : "=&r"(o32) : "r"(&m32), "r"(0x00000102u) : "memory");
    printf("ldumin.w %x %x\n", o32, m32);
    for (int round = 0; round < 2; round++) {
        /* The first round expects what is there (it swaps), the second
         * expects the old pair again (it fails and returns the new one). */
        static _Alignas(16) uint64_t pair[2] = {0x0123456789abcdefull, 0xfedcba9876543210ull};
        register uint64_t e0 asm("x4") = 0x0123456789abcdefull, e1 asm("x5") = 0xfedcba9876543210ull;
        register uint64_t n0 asm("x6") = 0x1111222233334444ull, n1 asm("x7") = 0x5555666677778888ull;
        asm volatile("caspal x4, x5, x6, x7, [%2]" : "+r"(e0), "+r"(e1) : "r"(pair), "r"(n0), "r"(n1) : "memory");
        printf("casp.x %llx %llx %llx %llx\n", (unsigned long long)e0, (unsigned long long)e1, (unsigned long long)pair[0],
               (unsigned long long)pair[1]);
        static _Alignas(8) uint32_t wpair[2] = {0x01234567u, 0x89abcdefu};
        register uint64_t f0 asm("x8") = 0x01234567u, f1 asm("x9") = 0x89abcdefu;
        register uint64_t g0 asm("x10") = 0xaaaabbbbu, g1 asm("x11") = 0xccccddddu;
        asm volatile("casp w8, w9, w10, w11, [%2]" : "+r"(f0), "+r"(f1) : "r"(wpair), "r"(g0), "r"(g1) : "memory");
        printf("casp.w %llx %llx %x %x\n", (unsigned long long)f0, (unsigned long long)f1, wpair[0], wpair[1]);
        static uint16_t h = 0xbeef;
        static uint8_t bt = 0x5a;
        uint32_t eh = 0xbeef, eb = 0x5a;
        asm volatile("casalh %w0, %w2, [%1]" : "+r"(eh) : "r"(&h), "r"(0x1234u) : "memory");
        asm volatile("casb %w0, %w2, [%1]" : "+r"(eb) : "r"(&bt), "r"(0xa5u) : "memory");
        printf("cash %x %x casb %x %x\n", eh, h, eb, bt);
    }
    faults();
#endif
    return 0;
}

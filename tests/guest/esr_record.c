/* The esr_context record Linux puts in the signal frame of a fault
 * (arch/arm64/kernel/signal.c: after the FP/SIMD record, only when the
 * signal comes from a fault). ESR_EL1 fields (Arm ARM, ESR_ELx):
 * EC [31:26] 0x24 data abort / 0x20 instruction abort from a lower
 * exception level, IL [25] a 32-bit instruction, WnR [6] (data aborts) a
 * write, xFSC [5:0] 0b0001LL translation fault, 0b0011LL permission
 * fault (LL: the table level), 0b100001 alignment fault.
 * Prints what each fault's record holds and exits 0 only if every field
 * is as Linux gives it; qemu-aarch64 before 8.2 writes no such record. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define FPSIMD_MAGIC_ 0x46508001u
#define ESR_MAGIC_ 0x45535201u

static sigjmp_buf env;
static volatile int got_sig, got_code;
static volatile uint64_t got_esr;
static volatile int got_esr_present, got_order_ok;

static void handler(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    unsigned char *p = (unsigned char *)uc->uc_mcontext.__reserved;
    unsigned char *end = p + sizeof(uc->uc_mcontext.__reserved);
    int index = 0, fpsimd_at = -1, esr_at = -1;
    got_esr_present = 0;
    while (p + 8 <= end) {
        uint32_t magic, size;
        memcpy(&magic, p, 4);
        memcpy(&size, p + 4, 4);
        if (magic == 0)
            break;
        if (magic == FPSIMD_MAGIC_)
            fpsimd_at = index;
        if (magic == ESR_MAGIC_) {
            uint64_t esr;
            memcpy(&esr, p + 8, 8);
            got_esr = esr;
            got_esr_present = (size == 16);
            esr_at = index;
        }
        if (size < 8)
            break;
        p += size;
        index++;
    }
    got_order_ok = fpsimd_at == 0 && (esr_at == -1 || esr_at == 1);
    got_sig = sig;
    got_code = si->si_code;
    if (sig != SIGUSR1)
        siglongjmp(env, 1);
}

static int failures;

/* want_ec < 0: no record expected. fsc_class: 1 translation, 3 permission,
 * 0x21 alignment. */
static void check(const char *what, int want_sig, int want_ec, int want_wnr, int fsc_class) {
    unsigned ec = (unsigned)(got_esr >> 26) & 0x3f, il = (unsigned)(got_esr >> 25) & 1;
    unsigned wnr = (unsigned)(got_esr >> 6) & 1, fsc = (unsigned)got_esr & 0x3f;
    int ok = got_sig == want_sig && got_order_ok;
    if (want_ec < 0) {
        ok = ok && !got_esr_present;
        printf("%-22s sig %d record %s\n", what, got_sig, got_esr_present ? "present" : "absent");
    } else {
        const char *cls = (fsc & 0x3c) == 0x04 ? "translation" : (fsc & 0x3c) == 0x0c ? "permission" : fsc == 0x21 ? "alignment" : "other";
        int fsc_ok = fsc_class == 0x21 ? fsc == 0x21 : (int)(fsc >> 2) == fsc_class;
        ok = ok && got_esr_present && (int)ec == want_ec && il == 1 && fsc_ok && (want_ec != 0x24 || (int)wnr == want_wnr);
        if (got_esr_present)
            printf("%-22s sig %d EC %#x IL %u WnR %u %s fault\n", what, got_sig, ec, il, wnr, cls);
        else
            printf("%-22s sig %d no ESR record\n", what, got_sig);
    }
    if (!ok) {
        printf("  ^ not as Linux gives it\n");
        failures++;
    }
}

typedef void (*fn_t)(void);

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0);
    sigaction(SIGBUS, &sa, 0);
    sigaction(SIGUSR1, &sa, 0);
    long pg = sysconf(_SC_PAGESIZE);
    char *ro = mmap(0, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *gone = mmap(0, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, pg);
    uint64_t words[4] = {0};

    if (!sigsetjmp(env, 1))
        (void)*(volatile char *)(gone + 8);
    check("read unmapped", SIGSEGV, 0x24, 0, 1);
    if (!sigsetjmp(env, 1))
        *(volatile long *)(gone + 64) = 1;
    check("write unmapped", SIGSEGV, 0x24, 1, 1);
    if (!sigsetjmp(env, 1))
        *(volatile int *)(ro + 16) = 1;
    check("write read-only", SIGSEGV, 0x24, 1, 3);
    if (!sigsetjmp(env, 1)) {
        /* An exclusive load of a misaligned address. */
        uint64_t v, a = (uint64_t)((char *)words + 4);
        __asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
    }
    check("misaligned ldxr", SIGBUS, 0x24, 0, 0x21);
    if (!sigsetjmp(env, 1))
        ((fn_t)(gone + 128))();
    check("jump unmapped", SIGSEGV, 0x20, 0, 1);
    got_esr_present = 1;
    raise(SIGUSR1);
    check("raise(SIGUSR1)", SIGUSR1, -1, 0, 0);
    printf("%s\n", failures ? "MISMATCH" : "all as on Linux");
    return failures ? 1 : 0;
}

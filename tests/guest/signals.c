/* Guest signal handlers: a SIGSEGV handler with SA_SIGINFO reading si_addr
 * and si_code after a deliberate fault (leaving with siglongjmp); a SIGILL
 * handler that skips the undefined instruction through the ucontext; raise
 * with a counting handler; blocking and unblocking; nested signals; a
 * handler on the alternate stack; SA_RESETHAND; a timer signal during a
 * busy loop; FP/SIMD registers restored after a handler that clobbers them. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile void *seen_addr;
static volatile int seen_code, seen_sig, usr1_count, order_pos, alarm_hits, on_alt;
static char order[16];
static char altstack[64 * 1024];

static void segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    seen_sig = sig;
    seen_addr = si->si_addr;
    seen_code = si->si_code;
    siglongjmp(env, 1);
}

static void ill(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    seen_sig = sig;
    seen_code = si->si_code;
    uc->uc_mcontext.pc += 4; /* skip the undefined instruction */
}

static void usr1(int sig) { (void)sig; usr1_count++; }

static void inner(int sig) { (void)sig; order[order_pos++] = 'I'; }
static void outer(int sig) {
    (void)sig;
    order[order_pos++] = 'O';
    raise(SIGUSR2); /* not blocked: runs inside this handler */
    order[order_pos++] = 'o';
}

static void alt(int sig) {
    char local;
    (void)sig;
    on_alt = &local >= altstack && &local < altstack + sizeof altstack;
}

static void tick(int sig) { (void)sig; alarm_hits++; }

static void clobber(int sig) {
    (void)sig;
    volatile double x = 1.0;
    for (int i = 0; i < 10; i++) x = x * 3.0 + 0.5;
    __asm__ volatile("movi v8.2d, #0\n movi v9.2d, #0\n fmov d0, #2.5" ::: "v0", "v8", "v9");
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    if (sigsetjmp(env, 1) == 0) {
        *(volatile int *)0x1238 = 5;
        printf("no fault?\n");
    }
    printf("SIGSEGV: sig %d addr %p code %d\n", seen_sig, (void *)seen_addr, seen_code);

    /* Loads and stores at base + immediate offset whose address is bad
     * in different ways: a base that wraps round to a low address, bases
     * far beyond any mapping, and a base in a mapped page with the offset
     * reaching into the unmapped page after it. si_addr must be the
     * accessed address, not the base. */
    char *page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    uintptr_t bases[] = {(uintptr_t)-8, (uintptr_t)1 << 40, ((uintptr_t)1 << 46) - 8, (uintptr_t)page + 4096 - 8};
    /* A negative offset from a small base reaches below address 0. */
    seen_addr = 0;
    if (sigsetjmp(env, 1) == 0) {
        uint64_t v;
        __asm__ volatile("ldur %0, [%1, #-8]" : "=r"(v) : "r"((uintptr_t)4) : "memory");
        printf("no fault? %lu\n", (unsigned long)v);
    }
    printf("base 4 load -8: addr %#lx code %d\n", (unsigned long)(uintptr_t)seen_addr, seen_code);
    for (int k = 0; k < 4; k++) {
        for (int store = 0; store < 2; store++) {
            seen_addr = 0;
            if (sigsetjmp(env, 1) == 0) {
                uint64_t v = 0;
                if (store)
                    __asm__ volatile("str %0, [%1, #16]" : : "r"(v), "r"(bases[k]) : "memory");
                else
                    __asm__ volatile("ldr %0, [%1, #16]" : "=r"(v) : "r"(bases[k]) : "memory");
                printf("no fault? %lu\n", (unsigned long)v);
            }
            printf("base #%d %s +16: addr %s%#lx code %d\n", k, store ? "store" : "load", k == 3 ? "page+" : "",
                   (unsigned long)((uintptr_t)seen_addr - (k == 3 ? (uintptr_t)page : 0)), seen_code);
        }
    }

    sa.sa_sigaction = ill;
    sigaction(SIGILL, &sa, 0);
    __asm__ volatile(".inst 0x00000000");
    /* (si_code not printed: Linux says ILL_ILLOPC, qemu-aarch64 ILL_ILLOPN.) */
    printf("SIGILL: sig %d, continued after it\n", seen_sig);

    signal(SIGUSR1, usr1);
    raise(SIGUSR1);
    raise(SIGUSR1);
    printf("SIGUSR1 handled %d times\n", usr1_count);

    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    printf("blocked: count still %d\n", usr1_count);
    sigprocmask(SIG_SETMASK, &old, 0);
    printf("unblocked: count %d\n", usr1_count);

    signal(SIGUSR2, inner);
    signal(SIGUSR1, outer);
    raise(SIGUSR1);
    order[order_pos] = 0;
    printf("nested order: %s\n", order);

    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, 0);
    sa.sa_handler = alt;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &sa, 0);
    raise(SIGUSR2);
    printf("handler on the alternate stack: %s\n", on_alt ? "yes" : "no");

    sa.sa_handler = usr1;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR1, &sa, 0);
    usr1_count = 0;
    raise(SIGUSR1);
    struct sigaction now;
    sigaction(SIGUSR1, 0, &now);
    printf("SA_RESETHAND: count %d, handler now %s\n", usr1_count, now.sa_handler == SIG_DFL ? "SIG_DFL" : "other");

    signal(SIGALRM, tick);
    struct itimerval it = {.it_value = {0, 20000}, .it_interval = {0, 0}};
    setitimer(ITIMER_REAL, &it, 0);
    volatile unsigned long spin = 0;
    while (!alarm_hits) spin++;
    printf("SIGALRM arrived during a busy loop: %d\n", alarm_hits);

    signal(SIGUSR1, clobber);
    double keep = 42.25;
    register double live __asm__("d8") = 7.5;
    __asm__ volatile("" : "+w"(live));
    raise(SIGUSR1);
    __asm__ volatile("" : "+w"(live));
    printf("FP state after a handler: %.2f %.2f\n", keep, live);

    signal(SIGTERM, SIG_DFL);
    fflush(stdout);
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}

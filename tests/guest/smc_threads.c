/* Code rewritten while other threads run it, and threads that first run
 * code after it was rewritten: under zarm, threads install each other's
 * translations, so a rewrite must reach the shared ones too. A function in
 * an RWX page returns a generation number; a worker calls it in a loop
 * (translated, offered to the other threads), the main thread rewrites it
 * (with __clear_cache), the worker must see the new generation, and
 * threads started afterwards — or waiting, started before — must see
 * only the new code. Repeated over several generations, and over code
 * reached through a second function in the same page. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

typedef uint64_t (*fn0)(void);

static const uint32_t RET = 0xd65f03c0;
static uint32_t *code;
static atomic_int generation, worker_calls, worker_last, stop, go_late;
static int failures;

static uint32_t movz_w0(uint32_t imm16) { return 0x52800000u | (imm16 << 5); }

/* f at code[0]: "movz w0,#g; ret"; g2 at code[16]: "b f" (a second
 * entry into the same page's code). */
static void write_generation(int g) {
    code[0] = movz_w0(g);
    code[1] = RET;
    __builtin___clear_cache((char *)code, (char *)code + 8);
}

static uint64_t call_f(void) { return ((fn0)code)(); }
static uint64_t call_g2(void) { return ((fn0)(code + 16))(); }

static void *worker(void *arg) {
    (void)arg;
    while (!atomic_load(&stop)) {
        uint64_t r = call_f();
        if ((int)r > atomic_load(&generation)) {
            printf("worker saw generation %d before it was written\n", (int)r);
            failures++;
        }
        atomic_store(&worker_last, (int)r);
        atomic_fetch_add(&worker_calls, 1);
        __asm__ volatile("isb" ::: "memory");
    }
    return 0;
}

struct late { int want; uint64_t got_f, got_g2; };

static void *late_thread(void *arg) {
    struct late *l = arg;
    while (atomic_load(&go_late) < l->want) __asm__ volatile("yield");
    __asm__ volatile("isb" ::: "memory");
    l->got_f = call_f();
    l->got_g2 = call_g2();
    return 0;
}

int main(void) {
    code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return 1;
    code[16] = 0x14000000u | ((uint32_t)(-16) & 0x3ffffff); /* b code[0] */
    atomic_store(&generation, 1);
    write_generation(1);
    pthread_t w;
    pthread_create(&w, 0, worker, 0);
    for (int g = 2; g <= 6; g++) {
        /* A thread started before the rewrite that first runs the code
         * after it. */
        struct late early = {g, 0, 0}, after = {g, 0, 0};
        pthread_t te, ta;
        pthread_create(&te, 0, late_thread, &early);
        /* Let the worker run the current code many times (translated by
         * then, and offered to the other threads). */
        int start = atomic_load(&worker_calls);
        while (atomic_load(&worker_calls) < start + 2000) __asm__ volatile("yield");
        atomic_store(&generation, g);
        write_generation(g);
        /* The worker and this thread see the new code (the worker
         * within a bounded number of its calls). */
        int seen = (int)call_f() == g, worker_seen = 0;
        for (int tries = 0; tries < 1000000 && !worker_seen; tries++) {
            int before = atomic_load(&worker_calls);
            while (atomic_load(&worker_calls) < before + 2) __asm__ volatile("yield");
            worker_seen = atomic_load(&worker_last) == g;
        }
        /* A thread started after it. */
        pthread_create(&ta, 0, late_thread, &after);
        atomic_store(&go_late, g);
        pthread_join(te, 0);
        pthread_join(ta, 0);
        printf("generation %d: main %s, worker %s, started before %llu/%llu, started after %llu/%llu\n", g, seen ? "sees it" : "STALE",
               worker_seen ? "sees it" : "STALE",
               (unsigned long long)early.got_f, (unsigned long long)early.got_g2, (unsigned long long)after.got_f,
               (unsigned long long)after.got_g2);
        if (!seen || !worker_seen || early.got_f != (uint64_t)g || early.got_g2 != (uint64_t)g || after.got_f != (uint64_t)g || after.got_g2 != (uint64_t)g)
            failures++;
    }
    atomic_store(&stop, 1);
    pthread_join(w, 0);
    printf("worker ran the code %s times; %s\n", atomic_load(&worker_calls) > 10000 ? "over 10000" : "FEWER than 10000",
           failures ? "FAILED" : "all threads saw every rewrite");
    return failures != 0;
}

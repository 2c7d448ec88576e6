// Threads: pthread_create/join, mutexes, condition variables, a barrier,
// semaphores, pthread_once, thread-local storage, atomics (a lock-free
// counter checked for lost updates, with exclusives or LSE as compiled),
// a signal sent to one thread, detached threads, and pthread_exit from
// main while other threads finish. Output is deterministic.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NT 4
#define ITERS 20000

static long plain_counter;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_long atomic_counter;
static long cas_counter;
static __thread int tls_value = 7;

// A 16-byte counter whose low half carries into the high half on the way:
// LDAXP/STLXP (or CASPAL where LSE is compiled in) must update both halves
// as one, across threads.
static struct { unsigned long lo, hi; } wide __attribute__((aligned(16))) = {~0UL - 1000, 7};

static void wide_increment(void) {
#ifdef __ARM_FEATURE_ATOMICS
    unsigned long lo = __atomic_load_n(&wide.lo, __ATOMIC_RELAXED), hi = __atomic_load_n(&wide.hi, __ATOMIC_RELAXED);
    for (;;) {
        register unsigned long x0 asm("x0") = lo, x1 asm("x1") = hi;
        register unsigned long x2 asm("x2") = lo + 1, x3 asm("x3") = hi + (lo + 1 == 0);
        asm volatile("caspal x0, x1, x2, x3, [%4]" : "+r"(x0), "+r"(x1) : "r"(x2), "r"(x3), "r"(&wide) : "memory");
        if (x0 == lo && x1 == hi) return;
        lo = x0, hi = x1;
    }
#else
    unsigned long lo, hi;
    unsigned fail;
    do {
        asm volatile("ldaxp %0, %1, [%3]\n\t"
                     "adds %0, %0, #1\n\t"
                     "adc %1, %1, xzr\n\t"
                     "stlxp %w2, %0, %1, [%3]"
                     : "=&r"(lo), "=&r"(hi), "=&r"(fail)
                     : "r"(&wide)
                     : "memory", "cc");
    } while (fail);
#endif
}

static void *worker(void *arg) {
    long id = (long)arg;
    tls_value = 100 + id;
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&mu);
        plain_counter++;
        pthread_mutex_unlock(&mu);
        atomic_fetch_add(&atomic_counter, 1);
        wide_increment();
        long old = __atomic_load_n(&cas_counter, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&cas_counter, &old, old + 1, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
        }
    }
    return (void *)(long)(tls_value * 2);
}

// producer/consumer with a condition variable
static pthread_mutex_t qmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcv = PTHREAD_COND_INITIALIZER;
static int queue[16], qhead, qtail, done;

static void *producer(void *arg) {
    (void)arg;
    for (int i = 1; i <= 1000; i++) {
        pthread_mutex_lock(&qmu);
        while (qtail - qhead == 16) pthread_cond_wait(&qcv, &qmu);
        queue[qtail++ % 16] = i;
        pthread_cond_broadcast(&qcv);
        pthread_mutex_unlock(&qmu);
    }
    pthread_mutex_lock(&qmu);
    done = 1;
    pthread_cond_broadcast(&qcv);
    pthread_mutex_unlock(&qmu);
    return 0;
}

static void *consumer(void *arg) {
    long sum = 0;
    for (;;) {
        pthread_mutex_lock(&qmu);
        while (qtail == qhead && !done) pthread_cond_wait(&qcv, &qmu);
        if (qtail == qhead && done) {
            pthread_mutex_unlock(&qmu);
            break;
        }
        sum += queue[qhead++ % 16];
        pthread_cond_broadcast(&qcv);
        pthread_mutex_unlock(&qmu);
    }
    *(long *)arg = sum;
    return 0;
}

static pthread_barrier_t bar;
static atomic_int before, after_bar;
static void *barrier_worker(void *arg) {
    (void)arg;
    atomic_fetch_add(&before, 1);
    pthread_barrier_wait(&bar);
    // everyone arrived before anyone passed
    if (atomic_load(&before) == NT) atomic_fetch_add(&after_bar, 1);
    return 0;
}

static sem_t sem;
static atomic_int sem_taken;
static void *sem_worker(void *arg) {
    (void)arg;
    sem_wait(&sem);
    atomic_fetch_add(&sem_taken, 1);
    return 0;
}

static int once_runs;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void once_fn(void) { once_runs++; }
static void *once_worker(void *arg) {
    (void)arg;
    pthread_once(&once, once_fn);
    return 0;
}

static volatile sig_atomic_t got_sig;
static pthread_t sig_target_id;
static void on_usr1(int s) {
    (void)s;
    got_sig = pthread_equal(pthread_self(), sig_target_id) ? 1 : 2;
}
static void *sig_target(void *arg) {
    (void)arg;
    while (!got_sig) sched_yield();
    return 0;
}

static atomic_int detached_done;
static void *detached(void *arg) {
    (void)arg;
    atomic_fetch_add(&detached_done, 1);
    return 0;
}

static void *late_finisher(void *arg) {
    (void)arg;
    usleep(100000);
    printf("late thread finishes after main's pthread_exit\n");
    fflush(stdout);
    exit(3);
}

// A priority-inheritance mutex (FUTEX_LOCK_PI/UNLOCK_PI when contended).
static pthread_mutex_t pi_mu;
static long pi_counter;
static void *pi_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        pthread_mutex_lock(&pi_mu);
        long v = pi_counter;
        if (i % 64 == 0) sched_yield(); // hold it a while: contention
        pi_counter = v + 1;
        pthread_mutex_unlock(&pi_mu);
    }
    return 0;
}
static void *pi_try(void *arg) {
    (void)arg;
    return (void *)(long)pthread_mutex_trylock(&pi_mu);
}

int main(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    pthread_t t[NT];
    for (long i = 0; i < NT; i++) pthread_create(&t[i], 0, worker, (void *)i);
    long rets = 0;
    for (int i = 0; i < NT; i++) {
        void *r;
        pthread_join(t[i], &r);
        rets += (long)r;
    }
    printf("mutex counter %ld, atomic counter %ld, cas counter %ld (expected %d each)\n", plain_counter, (long)atomic_counter, cas_counter, NT * ITERS);
    printf("16-byte counter %#lx:%016lx (expected 0x8:%016lx)\n", wide.hi, wide.lo, (unsigned long)(NT * ITERS - 1001));
    printf("join values sum %ld, main's tls still %d\n", rets, tls_value);

    pthread_mutexattr_t pa;
    pthread_mutexattr_init(&pa);
    pthread_mutexattr_setprotocol(&pa, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&pi_mu, &pa);
    for (long i = 0; i < NT; i++) pthread_create(&t[i], 0, pi_worker, 0);
    for (int i = 0; i < NT; i++) pthread_join(t[i], 0);
    pthread_mutex_lock(&pi_mu);
    void *busy;
    pthread_create(&t[0], 0, pi_try, 0);
    pthread_join(t[0], &busy);
    printf("PI mutex counter %ld (expected %d), trylock while held: %s, relock by owner: %s\n", pi_counter, NT * 5000,
           (long)busy == EBUSY ? "EBUSY" : "?", pthread_mutex_trylock(&pi_mu) == EBUSY ? "EBUSY" : "?");
    pthread_mutex_unlock(&pi_mu);

    long sums[2] = {0, 0};
    pthread_t p, c1, c2;
    pthread_create(&c1, 0, consumer, &sums[0]);
    pthread_create(&c2, 0, consumer, &sums[1]);
    pthread_create(&p, 0, producer, 0);
    pthread_join(p, 0);
    pthread_join(c1, 0);
    pthread_join(c2, 0);
    printf("producer/consumer total %ld\n", sums[0] + sums[1]);

    pthread_barrier_init(&bar, 0, NT);
    for (int i = 0; i < NT; i++) pthread_create(&t[i], 0, barrier_worker, 0);
    for (int i = 0; i < NT; i++) pthread_join(t[i], 0);
    printf("barrier: %d of %d saw everyone\n", (int)after_bar, NT);

    sem_init(&sem, 0, 0);
    for (int i = 0; i < NT; i++) pthread_create(&t[i], 0, sem_worker, 0);
    for (int i = 0; i < NT; i++) sem_post(&sem);
    for (int i = 0; i < NT; i++) pthread_join(t[i], 0);
    printf("semaphore: %d taken\n", (int)sem_taken);

    for (int i = 0; i < NT; i++) pthread_create(&t[i], 0, once_worker, 0);
    for (int i = 0; i < NT; i++) pthread_join(t[i], 0);
    printf("pthread_once ran %d time(s)\n", once_runs);

    signal(SIGUSR1, on_usr1);
    pthread_create(&sig_target_id, 0, sig_target, 0);
    pthread_kill(sig_target_id, SIGUSR1);
    pthread_join(sig_target_id, 0);
    printf("pthread_kill: handled by %s\n", got_sig == 1 ? "the target thread" : "another thread");

    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < NT; i++) pthread_create(&t[i], &at, detached, 0);
    while (atomic_load(&detached_done) < NT) sched_yield();
    printf("detached threads done: %d\n", (int)detached_done);

    pthread_t late;
    pthread_create(&late, 0, late_finisher, 0);
    printf("main calls pthread_exit\n");
    pthread_exit(0);
}

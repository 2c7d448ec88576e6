// FUTEX_WAIT_REQUEUE_PI / FUTEX_CMP_REQUEUE_PI, as a condition variable
// over a priority-inheritance mutex uses them (raw system calls; glibc's
// condition variables no longer do): three threads wait on the condition
// word to be requeued onto the PI mutex the main thread holds; the main
// thread signals (CMP_REQUEUE_PI), then unlocks; each waiter returns owning
// the mutex, in turn. Also the argument checks (EAGAIN, EINVAL), and the
// plain wake and requeue operations refusing such a waiter (EINVAL).
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static atomic_uint cond, mutex, other;
static atomic_int arrived, owned_ok, again, done;

// `t`: a timeout pointer or a count, as `op` says.
static long futex(atomic_uint *a, int op, unsigned v, unsigned long t, atomic_uint *a2, unsigned v3) {
    long r = syscall(SYS_futex, a, op, v, t, a2, v3);
    return r < 0 ? -errno : r;
}

static unsigned tid(void) { return (unsigned)syscall(SYS_gettid); }

static void lock(void) {
    unsigned zero = 0;
    if (!atomic_compare_exchange_strong(&mutex, &zero, tid())) futex(&mutex, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, 0, 0, 0);
}

static void unlock(void) {
    unsigned me = tid();
    if (!atomic_compare_exchange_strong(&mutex, &me, 0)) futex(&mutex, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0, 0, 0, 0);
}

static void *waiter(void *arg) {
    (void)arg;
    atomic_fetch_add(&arrived, 1);
    long r = futex(&cond, FUTEX_WAIT_REQUEUE_PI | FUTEX_PRIVATE_FLAG, 0, 0, &mutex, 0);
    if (r == -EAGAIN) {
        // Too late: the signal came first; take the mutex the usual way.
        atomic_fetch_add(&again, 1);
        lock();
    } else if (r != 0) {
        printf("wait_requeue_pi: %ld\n", r);
        return 0;
    }
    if ((atomic_load(&mutex) & FUTEX_TID_MASK) == tid()) atomic_fetch_add(&owned_ok, 1);
    atomic_fetch_add(&done, 1);
    unlock();
    return 0;
}

int main(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    // Argument checks.
    printf("wait, condition word changed: %s\n", futex(&cond, FUTEX_WAIT_REQUEUE_PI | FUTEX_PRIVATE_FLAG, 1, 0, &mutex, 0) == -EAGAIN ? "EAGAIN" : "?");
    printf("wait, same word twice: %s\n", futex(&cond, FUTEX_WAIT_REQUEUE_PI | FUTEX_PRIVATE_FLAG, 0, 0, &cond, 0) == -EINVAL ? "EINVAL" : "?");
    printf("requeue, value differs: %s\n", futex(&cond, FUTEX_CMP_REQUEUE_PI | FUTEX_PRIVATE_FLAG, 1, INT_MAX, &mutex, 5) == -EAGAIN ? "EAGAIN" : "?");
    printf("requeue, wakes two: %s\n", futex(&cond, FUTEX_CMP_REQUEUE_PI | FUTEX_PRIVATE_FLAG, 2, INT_MAX, &mutex, 0) == -EINVAL ? "EINVAL" : "?");
    printf("requeue, nobody waits: %ld\n", futex(&cond, FUTEX_CMP_REQUEUE_PI | FUTEX_PRIVATE_FLAG, 1, INT_MAX, &mutex, 0));
    struct timespec soon;
    clock_gettime(CLOCK_MONOTONIC, &soon);
    soon.tv_nsec += 20000000;
    if (soon.tv_nsec >= 1000000000) soon.tv_sec++, soon.tv_nsec -= 1000000000;
    printf("wait with a timeout: %s\n", futex(&cond, FUTEX_WAIT_REQUEUE_PI | FUTEX_PRIVATE_FLAG, 0, (unsigned long)&soon, &mutex, 0) == -ETIMEDOUT ? "ETIMEDOUT" : "?");

    lock();
    pthread_t t[3];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], 0, waiter, 0);
    while (atomic_load(&arrived) < 3) usleep(1000);
    // Once a waiter sleeps, the operations for plain waiters refuse it.
    long w = 0;
    for (int i = 0; i < 5000 && (w = futex(&cond, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0)) == 0; i++) usleep(1000);
    printf("FUTEX_WAKE of a requeue-PI waiter: %s\n", w == -EINVAL ? "EINVAL" : "?");
    printf("FUTEX_WAKE_BITSET: %s\n", futex(&cond, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 1, 0, 0, FUTEX_BITSET_MATCH_ANY) == -EINVAL ? "EINVAL" : "?");
    printf("FUTEX_CMP_REQUEUE: %s\n", futex(&cond, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 0, 1, &other, 0) == -EINVAL ? "EINVAL" : "?");
    printf("FUTEX_WAKE_OP on it as the second word: %s\n",
           futex(&other, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, 1, &cond, FUTEX_OP(FUTEX_OP_ADD, 0, FUTEX_OP_CMP_EQ, 0)) == -EINVAL ? "EINVAL" : "?");
    printf("condition word untouched: %d\n", atomic_load(&cond) == 0);
    usleep(200000); // all into the wait, most likely (a late one takes the EAGAIN path)
    atomic_store(&cond, 1);
    long r = futex(&cond, FUTEX_CMP_REQUEUE_PI | FUTEX_PRIVATE_FLAG, 1, INT_MAX, &mutex, 1);
    usleep(50000);
    printf("after the signal, still waiting for the mutex: %d\n", atomic_load(&done) == 0);
    unlock();
    for (int i = 0; i < 3; i++) pthread_join(t[i], 0);
    printf("requeued every waiter: %d\n", r == 3 - atomic_load(&again));
    printf("each returned owning the mutex: %d of 3\n", atomic_load(&owned_ok));
    printf("mutex free at the end: %d\n", atomic_load(&mutex) == 0);
    return 0;
}

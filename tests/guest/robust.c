// Robust mutexes: a thread that exits holding one leaves it to the next
// locker with EOWNERDEAD (the kernel walks the thread's robust list at its
// death); pthread_mutex_consistent makes it usable again, and a mutex
// abandoned without that becomes ENOTRECOVERABLE. qemu-aarch64 does not
// implement robust lists, so the oracle is this source built for the host.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m1, m2;

static void *die_holding(void *arg) {
    pthread_mutex_lock((pthread_mutex_t *)arg);
    return 0; // exits without unlocking
}

static volatile int holding;
static void *die_slowly(void *arg) {
    pthread_mutex_lock((pthread_mutex_t *)arg);
    holding = 1;
    usleep(100000); // the waiter blocks meanwhile
    return 0;
}

static volatile int held;
static void *hold_forever(void *arg) {
    pthread_mutex_lock((pthread_mutex_t *)arg);
    held = 1;
    for (;;) pause();
}

static void *wait_for_it(void *arg) {
    int r = pthread_mutex_lock((pthread_mutex_t *)arg);
    if (r == EOWNERDEAD) {
        pthread_mutex_consistent((pthread_mutex_t *)arg);
        pthread_mutex_unlock((pthread_mutex_t *)arg);
    }
    return (void *)(long)r;
}

static const char *name(int r) {
    return r == 0 ? "0" : r == EOWNERDEAD ? "EOWNERDEAD" : r == ENOTRECOVERABLE ? "ENOTRECOVERABLE" : r == EBUSY ? "EBUSY" : strerror(r);
}

int main(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    printf("init: %s\n", name(pthread_mutex_init(&m1, &a)));
    pthread_mutex_init(&m2, &a);

    pthread_t t;
    pthread_create(&t, 0, die_holding, &m1);
    pthread_join(t, 0);
    int r = pthread_mutex_lock(&m1);
    printf("lock after the owner died: %s\n", name(r));
    printf("consistent: %s\n", name(pthread_mutex_consistent(&m1)));
    printf("unlock: %s\n", name(pthread_mutex_unlock(&m1)));
    printf("lock again: %s\n", name(pthread_mutex_lock(&m1)));
    pthread_mutex_unlock(&m1);

    // Abandoned: the next locker gets EOWNERDEAD and unlocks without
    // making it consistent; then it is not recoverable.
    pthread_create(&t, 0, die_holding, &m2);
    pthread_join(t, 0);
    printf("lock: %s\n", name(pthread_mutex_lock(&m2)));
    pthread_mutex_unlock(&m2);
    printf("lock after unlock without consistent: %s\n", name(pthread_mutex_lock(&m2)));

    // A waiter already blocked on the mutex when its owner dies is woken
    // (the dying thread's robust list marks the word and wakes it).
    pthread_mutex_t m3;
    pthread_mutex_init(&m3, &a);
    pthread_t o, w;
    pthread_create(&o, 0, die_slowly, &m3);
    while (!holding) usleep(1000);
    pthread_create(&w, 0, wait_for_it, &m3);
    void *wr;
    pthread_join(w, &wr);
    pthread_join(o, 0);
    printf("blocked waiter got: %s\n", name((int)(long)wr));

    pthread_mutex_t m4;
    pthread_mutex_init(&m4, &a);
    pthread_create(&o, 0, die_holding, &m4);
    pthread_join(o, 0);
    pthread_create(&w, 0, wait_for_it, &m4);
    pthread_join(w, &wr);
    printf("another thread after the owner died: %s\n", name((int)(long)wr));
    printf("then: %s\n", name(pthread_mutex_trylock(&m4)));

    // A process-shared robust mutex whose owner process exits (exit_group)
    // holding it: the next locker, in another process, gets EOWNERDEAD.
    pthread_mutex_t *shm = mmap(0, 2 * sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(shm, &a);
    pid_t c = fork();
    if (c == 0) {
        pthread_mutex_lock(shm);
        _exit(0);
    }
    waitpid(c, 0, 0);
    printf("shared, owner process exited: %s\n", name(pthread_mutex_lock(shm)));

    // The same when the owner is another thread of the process, still
    // running when the main thread calls exit_group: the kernel walks the
    // robust list of every thread it ends.
    pthread_mutex_init(&shm[1], &a);
    c = fork();
    if (c == 0) {
        pthread_t h;
        pthread_create(&h, 0, hold_forever, &shm[1]);
        while (!held) usleep(1000);
        exit(0);
    }
    waitpid(c, 0, 0);
    // Timed, so a word left unmarked reports ETIMEDOUT instead of hanging.
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    printf("shared, owner thread alive at exit_group: %s\n", name(pthread_mutex_timedlock(&shm[1], &until)));
    return 0;
}

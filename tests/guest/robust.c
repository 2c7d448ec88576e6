// Robust mutexes: a thread that exits holding one leaves it to the next
// locker with EOWNERDEAD (the kernel walks the thread's robust list at its
// death); pthread_mutex_consistent makes it usable again, and a mutex
// abandoned without that becomes ENOTRECOVERABLE. qemu-aarch64 does not
// implement robust lists, so the oracle is this source built for the host.
// The kernel also walks the list of a thread that calls execve: the
// mutexes it held are left to the next locker while the new program runs.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
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

/// In a child: takes `m`, then execs `prog` (this program, or a host
/// program) with its standard input from a pipe; the parent, once `m` is
/// no longer locked, ends the new program by closing the pipe.
static void exec_holding(pthread_mutex_t *m, const char *self, int host, const char *what) {
    int p[2], ready[2];
    if (pipe(p) != 0 || pipe2(ready, O_CLOEXEC) != 0) return;
    pid_t c = fork();
    if (c == 0) {
        pthread_mutex_lock(m);
        write(ready[1], "x", 1);
        dup2(p[0], 0);
        close(p[0]);
        close(p[1]);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        if (host) {
            execl("/bin/cat", "cat", (char *)0);
        } else {
            execl(self, self, "wait", (char *)0);
        }
        _exit(127);
    }
    close(p[0]);
    close(ready[1]);
    char ch;
    read(ready[0], &ch, 1);
    close(ready[0]);
    // Blocks until the owner's robust list is walked.
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    int r = pthread_mutex_timedlock(m, &until);
    close(p[1]);
    int st = 0;
    waitpid(c, &st, 0);
    printf("shared, owner execed %s: %s (it then exited with %d)\n", what, name(r), WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv) {
    setvbuf(stdout, 0, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "wait") == 0) {
        // The program a mutex owner execs: runs until its input closes.
        char ch;
        while (read(0, &ch, 1) > 0) {
        }
        return 0;
    }
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
    pthread_mutex_t *shm = mmap(0, 4 * sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
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

    // The owner execs this program (which waits), or a host program.
    pthread_mutex_init(&shm[2], &a);
    exec_holding(&shm[2], argv[0], 0, "a program");
    pthread_mutex_init(&shm[3], &a);
    exec_holding(&shm[3], argv[0], 1, "/bin/cat");
    return 0;
}

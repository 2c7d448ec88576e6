// Signals whose default action is to ignore them (SIGCHLD, SIGURG,
// SIGWINCH, and SIGCONT for a process that is not stopped), sent by other
// processes: blocked, they stay pending
// (sigpending shows them) for sigwaitinfo/sigtimedwait, with the sender's
// details (a child's exit status); unblocked with the default action they
// are discarded and interrupt nothing: a sleep and a poll run to their end.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *name(int s) {
    return s == SIGCHLD ? "SIGCHLD" : s == SIGURG ? "SIGURG" : s == SIGWINCH ? "SIGWINCH" : s == SIGCONT ? "SIGCONT" : "other";
}

int main(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    sigset_t set, p;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGURG);
    sigaddset(&set, SIGWINCH);
    sigaddset(&set, SIGCONT);
    sigprocmask(SIG_BLOCK, &set, 0);
    pid_t parent = getpid();
    pid_t c = fork();
    if (c == 0) {
        kill(parent, SIGWINCH);
        kill(parent, SIGURG);
        kill(parent, SIGCONT);
        _exit(3);
    }
    int st;
    waitpid(c, &st, 0);
    sigpending(&p);
    printf("pending: SIGCHLD %d SIGURG %d SIGWINCH %d SIGCONT %d\n", sigismember(&p, SIGCHLD), sigismember(&p, SIGURG), sigismember(&p, SIGWINCH), sigismember(&p, SIGCONT));
    for (int k = 0; k < 4; k++) {
        siginfo_t si;
        int s = sigwaitinfo(&set, &si);
        printf("took %s", name(s));
        if (s == SIGCHLD) {
            printf(" (code %d, status %d, from the child: %d)", si.si_code, si.si_status, si.si_pid == c);
        } else {
            printf(" (from the child: %d)", si.si_pid == c);
        }
        printf("\n");
    }
    struct timespec zero = {0, 0};
    siginfo_t si;
    int r = sigtimedwait(&set, &si, &zero);
    printf("then: %d (%s)\n", r, r < 0 && errno == EAGAIN ? "EAGAIN" : "?");

    // Unblocked, with the default action: discarded at once.
    sigprocmask(SIG_UNBLOCK, &set, 0);
    c = fork();
    if (c == 0) {
        usleep(50000);
        kill(parent, SIGWINCH);
        kill(parent, SIGURG);
        kill(parent, SIGCONT);
        _exit(0);
    }
    struct timespec t = {0, 400000000}, rem;
    r = nanosleep(&t, &rem);
    printf("nanosleep: %s\n", r == 0 ? "slept to the end" : errno == EINTR ? "EINTR" : "error");
    waitpid(c, 0, 0);
    c = fork();
    if (c == 0) {
        usleep(50000);
        _exit(0);
    }
    r = poll(0, 0, 400);
    printf("poll: %s\n", r == 0 ? "timed out" : r < 0 && errno == EINTR ? "EINTR" : "error");
    waitpid(c, 0, 0);
    sigpending(&p);
    printf("pending after: SIGCHLD %d SIGURG %d SIGWINCH %d SIGCONT %d\n", sigismember(&p, SIGCHLD), sigismember(&p, SIGURG), sigismember(&p, SIGWINCH), sigismember(&p, SIGCONT));
    return 0;
}

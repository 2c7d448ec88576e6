// Signals sent by another process while blocked: with the default action
// (terminate) they stay pending instead of killing (sigpending shows them),
// sigwait/sigtimedwait take them, and unblocking one delivers its default
// action: the process dies by SIGTERM at the end.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, 0);
    pid_t parent = getpid();
    pid_t c = fork();
    if (c == 0) {
        kill(parent, SIGUSR1);
        kill(parent, SIGHUP);
        kill(parent, SIGTERM);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    struct timespec ms50 = {0, 50000000};
    nanosleep(&ms50, 0);
    printf("still alive after SIGTERM, SIGUSR1 and SIGHUP were sent\n");
    sigset_t pend;
    sigpending(&pend);
    printf("pending: TERM %d USR1 %d HUP %d USR2 %d\n", sigismember(&pend, SIGTERM), sigismember(&pend, SIGUSR1), sigismember(&pend, SIGHUP), sigismember(&pend, SIGUSR2));
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGUSR1);
    int sig = 0;
    printf("sigwait: %d, got %s\n", sigwait(&w, &sig), sig == SIGUSR1 ? "SIGUSR1" : "?");
    siginfo_t info;
    sigemptyset(&w);
    sigaddset(&w, SIGHUP);
    int r = sigtimedwait(&w, &info, &ms50);
    printf("sigtimedwait: %s, si_signo %d, si_code SI_USER %d, from the child %d\n", r == SIGHUP ? "SIGHUP" : "?", info.si_signo, info.si_code == SI_USER, info.si_pid == c);
    sigemptyset(&w);
    sigaddset(&w, SIGUSR2);
    r = sigtimedwait(&w, &info, &ms50);
    printf("sigtimedwait for nothing: %d %s\n", r, r < 0 && errno == EAGAIN ? "EAGAIN" : "?");
    sigpending(&pend);
    printf("still pending: TERM %d USR1 %d\n", sigismember(&pend, SIGTERM), sigismember(&pend, SIGUSR1));
    printf("unblocking SIGTERM\n");
    sigprocmask(SIG_UNBLOCK, &set, 0);
    printf("not reached\n");
    return 0;
}

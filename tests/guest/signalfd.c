// signalfd: blocked signals read as signalfd_siginfo records — one the
// process raises, SIGCHLD from a child (pid, status), SIGTERM from another
// process, two at once in signal order — readiness through poll and epoll,
// and EAGAIN when non-blocking with nothing pending.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCONT);
    sigprocmask(SIG_BLOCK, &set, 0);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    printf("signalfd: %s\n", sfd >= 0 ? "ok" : "failed");
    struct signalfd_siginfo si[2];

    raise(SIGUSR1);
    ssize_t n = read(sfd, si, sizeof si);
    printf("raise: read %zd, signo %s, code %s, pid is ours %d\n", n, si[0].ssi_signo == SIGUSR1 ? "SIGUSR1" : "?",
           si[0].ssi_code == SI_TKILL ? "SI_TKILL" : "?", si[0].ssi_pid == (unsigned)getpid());

    pid_t c = fork();
    if (c == 0) _exit(7);
    struct pollfd p = {sfd, POLLIN, 0};
    int pr = poll(&p, 1, 5000);
    printf("poll: %d revents %#x\n", pr, p.revents);
    n = read(sfd, si, sizeof si[0]);
    printf("child: read %zd, signo %s, code CLD_EXITED %d, pid is the child %d, status %d\n", n, si[0].ssi_signo == SIGCHLD ? "SIGCHLD" : "?",
           si[0].ssi_code == CLD_EXITED, si[0].ssi_pid == (unsigned)c, si[0].ssi_status);
    waitpid(c, 0, 0);

    pid_t parent = getpid();
    c = fork();
    if (c == 0) {
        kill(parent, SIGTERM);
        _exit(0);
    }
    waitpid(c, 0, 0);
    struct timespec ms50 = {0, 50000000};
    nanosleep(&ms50, 0);
    n = read(sfd, si, sizeof si);
    printf("two at once: read %zd, first %s from the child %d, second %s\n", n, si[0].ssi_signo == SIGTERM ? "SIGTERM" : "?",
           si[0].ssi_pid == (unsigned)c, si[1].ssi_signo == SIGCHLD ? "SIGCHLD" : "?");

    // SIGCONT (default action: continue, else ignore) from another
    // process, while blocked: the signalfd takes it. The child waits for
    // the parent's read before it exits (its SIGCHLD, a lower number,
    // would otherwise be read first whenever the exit came before it).
    int go[2];
    if (pipe(go) != 0) return 1;
    c = fork();
    if (c == 0) {
        char b;
        kill(parent, SIGCONT);
        ssize_t r = read(go[0], &b, 1);
        _exit(r == 1 ? 0 : 1);
    }
    pr = poll(&p, 1, 5000);
    n = read(sfd, si, sizeof si[0]);
    printf("SIGCONT: poll %d, read %zd, signo %s from the child %d\n", pr, n, si[0].ssi_signo == SIGCONT ? "SIGCONT" : "?", si[0].ssi_pid == (unsigned)c);
    if (write(go[1], "x", 1) != 1) return 1;
    close(go[0]);
    close(go[1]);
    waitpid(c, 0, 0);
    nanosleep(&ms50, 0);
    n = read(sfd, si, sizeof si[0]);
    printf("then the child's SIGCHLD: %s\n", n > 0 && si[0].ssi_signo == SIGCHLD ? "SIGCHLD" : "?");

    fcntl(sfd, F_SETFL, O_NONBLOCK);
    n = read(sfd, si, sizeof si);
    printf("nothing pending, non-blocking: %zd %s\n", n, n < 0 && errno == EAGAIN ? "EAGAIN" : "?");

    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 99};
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    printf("epoll before: %d\n", epoll_wait(ep, &ev, 1, 10));
    raise(SIGUSR1);
    int e = epoll_wait(ep, &ev, 1, 5000);
    printf("epoll after raise: %d data %u\n", e, ev.data.u32);
    n = read(sfd, si, sizeof si);
    printf("read %zd %s\n", n, si[0].ssi_signo == SIGUSR1 ? "SIGUSR1" : "?");
    int d = dup(sfd);
    raise(SIGUSR1);
    n = read(d, si, sizeof si);
    printf("through a dup: read %zd %s\n", n, si[0].ssi_signo == SIGUSR1 ? "SIGUSR1" : "?");
    close(d);
    sigset_t pend;
    sigpending(&pend);
    printf("nothing left pending: %d\n", !sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGTERM) && !sigismember(&pend, SIGCHLD) && !sigismember(&pend, SIGCONT));
    return 0;
}

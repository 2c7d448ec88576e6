// Processes: fork, vfork, pipes, wait4/waitid, exit statuses and deaths,
// kill to another process, SA_RESTART, sigsuspend, system(), posix_spawn.
// `procs` alone is compared with qemu-aarch64. `procs exec` (execve of an
// aarch64 program, close-on-exec, signal state across exec, #! scripts,
// execve errors) is compared with the same source built for the host and
// run natively: qemu-aarch64 cannot exec an aarch64 program without a
// binfmt_misc registration.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static volatile int handled;
static void on_sig(int s) { (void)s; handled++; }

static void show_status(const char *what, int st) {
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by signal %d\n", what, WTERMSIG(st));
    else
        printf("%s: status %#x\n", what, st);
}

static void msleep(int ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

// A read on a pipe whose writer writes after `delay_ms`, interrupted by
// SIGALRM after 50 ms; with SA_RESTART the read goes on.
static void interrupted_read(int restart) {
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        msleep(400);
        write(p[1], "late", 4);
        _exit(0);
    }
    close(p[1]);
    struct sigaction sa = {0};
    sa.sa_handler = on_sig;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGALRM, &sa, 0);
    handled = 0;
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, 0);
    char buf[8] = {0};
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    int e = errno;
    printf("read %s SA_RESTART: %zd %s, handler ran %d\n", restart ? "with" : "without", n, n < 0 ? strerror(e) : buf, handled);
    int st;
    waitpid(c, &st, 0);
    close(p[0]);
    signal(SIGALRM, SIG_DFL);
}

static int basic(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    // fork, a pipe, an exit status
    int p[2];
    if (pipe(p) != 0) return 1;
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        const char *m = "hello from the child";
        write(p[1], m, strlen(m));
        _exit(7);
    }
    close(p[1]);
    char buf[64] = {0};
    ssize_t n, got = 0;
    while ((n = read(p[0], buf + got, sizeof buf - 1 - got)) > 0) got += n;
    close(p[0]);
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    printf("pipe: \"%s\", waitpid returned the child: %d\n", buf, w == c);
    show_status("fork", st);

    // the child's memory is its own
    static int shared_var = 1;
    c = fork();
    if (c == 0) { shared_var = 99; _exit(shared_var); }
    waitpid(c, &st, 0);
    printf("child saw %d, parent still has %d\n", WEXITSTATUS(st), shared_var);

    // deaths: by its own signal, by the parent's kill
    c = fork();
    if (c == 0) { kill(getpid(), SIGTERM); _exit(1); }
    waitpid(c, &st, 0);
    show_status("self-kill", st);
    c = fork();
    if (c == 0) { for (;;) msleep(1000); }
    printf("kill: %d\n", kill(c, SIGKILL));
    waitpid(c, &st, 0);
    show_status("killed", st);
    c = fork();
    if (c == 0) { volatile int *volatile bad = (int *)16; *bad = 1; _exit(0); }
    waitpid(c, &st, 0);
    show_status("segv child", st);

    // WNOHANG, waitid, ECHILD, rusage
    c = fork();
    if (c == 0) { msleep(200); _exit(5); }
    printf("WNOHANG before the end: %d\n", waitpid(c, &st, WNOHANG));
    siginfo_t si;
    memset(&si, 0xff, sizeof si);
    int r = waitid(P_PID, c, &si, WEXITED);
    printf("waitid: %d signo %d code %s status %d pid ok %d\n", r, si.si_signo, si.si_code == CLD_EXITED ? "CLD_EXITED" : "?", si.si_status, si.si_pid == c);
    struct rusage ru;
    errno = 0;
    printf("no children: %d %s\n", wait4(-1, &st, 0, &ru), strerror(errno));
    printf("getrusage: %d\n", getrusage(RUSAGE_SELF, &ru));
    struct tms tm;
    printf("times ok: %d\n", times(&tm) != (clock_t)-1);
    struct sysinfo sinf;
    printf("sysinfo: %d, mem_unit>0 %d, totalram>0 %d\n", sysinfo(&sinf), sinf.mem_unit > 0, sinf.totalram > 0);

    // vfork
    c = vfork();
    if (c == 0) _exit(3);
    waitpid(c, &st, 0);
    show_status("vfork", st);

    // SIGCHLD handler
    struct sigaction sa = {0};
    sa.sa_handler = on_sig;
    sigaction(SIGCHLD, &sa, 0);
    handled = 0;
    c = fork();
    if (c == 0) _exit(0);
    waitpid(c, &st, 0);
    msleep(50);
    printf("SIGCHLD handler ran: %d\n", handled);
    signal(SIGCHLD, SIG_DFL);

    interrupted_read(1);
    interrupted_read(0);

    // sigsuspend: SIGUSR1 blocked, sent by the child, taken in sigsuspend
    sa.sa_handler = on_sig;
    sigaction(SIGUSR1, &sa, 0);
    sigset_t block, old, empty, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    handled = 0;
    c = fork();
    if (c == 0) { kill(getppid(), SIGUSR1); _exit(0); }
    sigemptyset(&empty);
    r = sigsuspend(&empty);
    printf("sigsuspend: %d %s, handler ran %d\n", r, strerror(errno), handled);
    sigprocmask(SIG_SETMASK, 0, &now);
    printf("SIGUSR1 blocked again after sigsuspend: %d\n", sigismember(&now, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, 0);
    waitpid(c, &st, 0);

    // host programs: system() (posix_spawn of /bin/sh) and posix_spawn
    r = system("echo through the shell | tr a-z A-Z");
    show_status("system", r);
    char *args[] = {"sh", "-c", "exit 9", 0};
    pid_t sp;
    r = posix_spawn(&sp, "/bin/sh", 0, 0, args, environ);
    waitpid(sp, &st, 0);
    printf("posix_spawn: %d\n", r);
    show_status("spawned", st);
    return 0;
}

// ---- exec ----

static int child_mode(int argc, char **argv) {
    // argv: procs child <code> <cloexec fd> <kept fd>
    int cfd = atoi(argv[3]), kfd = atoi(argv[4]);
    printf("child: argc %d argv[2] %s\n", argc, argv[2]);
    printf("child: close-on-exec fd open: %d, kept fd open: %d\n", fcntl(cfd, F_GETFD) != -1, fcntl(kfd, F_GETFD) != -1);
    struct sigaction sa;
    sigaction(SIGUSR1, 0, &sa);
    printf("child: caught SIGUSR1 now default: %d\n", sa.sa_handler == SIG_DFL);
    sigaction(SIGUSR2, 0, &sa);
    printf("child: ignored SIGUSR2 still ignored: %d\n", sa.sa_handler == SIG_IGN);
    sigset_t now;
    sigprocmask(SIG_SETMASK, 0, &now);
    printf("child: SIGHUP still blocked: %d\n", sigismember(&now, SIGHUP));
    printf("child: env ZARM_TEST_VAR=%s\n", getenv("ZARM_TEST_VAR") ? getenv("ZARM_TEST_VAR") : "(unset)");
    write(kfd, "via kept fd", 11);
    return atoi(argv[2]);
}

static int script_mode(int argc, char **argv) {
    // interpreter of a #! script: procs script-arg <script path> <args...>
    printf("script: argc %d argv[1] %s last %s\n", argc, argv[1], argv[argc - 1]);
    return 0;
}

// execve from a second thread while the first waits in pthread_join:
// Linux ends the other threads and runs the new program in the process.
static char thread_args[2][16];
static void *exec_from_thread(void *arg) {
    (void)arg;
    char *args[] = {"procs", "child", "7", thread_args[0], thread_args[1], 0};
    execve("/proc/self/exe", args, environ);
    printf("execve from a thread failed: %s\n", strerror(errno));
    _exit(1);
}

static int exec_tests(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    int cl[2], kp[2];
    pipe2(cl, O_CLOEXEC);
    pipe(kp);
    struct sigaction sa = {0};
    sa.sa_handler = on_sig;
    sigaction(SIGUSR1, &sa, 0);
    signal(SIGUSR2, SIG_IGN);
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    sigprocmask(SIG_BLOCK, &hup, 0);
    pid_t c = fork();
    if (c == 0) {
        char a3[16], a4[16];
        snprintf(a3, sizeof a3, "%d", cl[1]);
        snprintf(a4, sizeof a4, "%d", kp[1]);
        char *args[] = {"procs", "child", "42", a3, a4, 0};
        execve("/proc/self/exe", args, environ);
        printf("execve failed: %s\n", strerror(errno));
        _exit(1);
    }
    close(kp[1]);
    int st, r;
    waitpid(c, &st, 0);
    char buf[32] = {0};
    ssize_t n = read(kp[0], buf, sizeof buf - 1);
    printf("parent read %zd: %s\n", n, buf);
    show_status("exec child", st);

    pipe(kp);
    c = fork();
    if (c == 0) {
        snprintf(thread_args[0], sizeof thread_args[0], "%d", cl[1]);
        snprintf(thread_args[1], sizeof thread_args[1], "%d", kp[1]);
        pthread_t t;
        pthread_create(&t, 0, exec_from_thread, 0);
        pthread_join(t, 0); // never returns: the exec ends this thread
        _exit(2);
    }
    close(kp[1]);
    waitpid(c, &st, 0);
    memset(buf, 0, sizeof buf);
    n = read(kp[0], buf, sizeof buf - 1);
    printf("parent read %zd: %s\n", n, buf);
    show_status("exec from a thread", st);

    // a #! script whose interpreter is this program
    char self[4096];
    ssize_t l = readlink("/proc/self/exe", self, sizeof self - 1);
    if (l < 0) return 1;
    self[l] = 0;
    char script[] = "/tmp/zarm-procs-scriptXXXXXX";
    int fd = mkstemp(script);
    dprintf(fd, "#!%s   script-arg  \necho not run\n", self);
    fchmod(fd, 0755);
    close(fd);
    c = fork();
    if (c == 0) {
        char *args[] = {"the-script", "one", "two", 0};
        execv(script, args);
        _exit(100 + errno);
    }
    waitpid(c, &st, 0);
    show_status("script", st);

    // errors
    r = execv("/nonexistent/prog", (char *[]){"x", 0});
    printf("missing: %d %s\n", r, strerror(errno));
    r = execv("/tmp", (char *[]){"x", 0});
    printf("directory: %d %s\n", r, strerror(errno));
    fd = open(script, O_WRONLY | O_TRUNC);
    write(fd, "\x01\x02garbage", 9);
    close(fd);
    r = execv(script, (char *[]){"x", 0});
    printf("not executable format: %d %s\n", r, strerror(errno));
    chmod(script, 0644);
    r = execv(script, (char *[]){"x", 0});
    printf("no x permission: %d %s\n", r, strerror(errno));
    unlink(script);

    // a host program by exec
    c = fork();
    if (c == 0) {
        execl("/bin/sh", "sh", "-c", "echo host shell says $0", "hi", (char *)0);
        _exit(1);
    }
    waitpid(c, &st, 0);
    show_status("host exec", st);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 4 && strcmp(argv[1], "child") == 0) return child_mode(argc, argv);
    if (argc > 1 && strcmp(argv[1], "script-arg") == 0) return script_mode(argc, argv);
    if (argc > 1 && strcmp(argv[1], "exec") == 0) return exec_tests();
    return basic();
}

/* System calls given bad arguments: pointers that are NULL, unmapped, in
 * the kernel's half, read-only or PROT_NONE, sizes of zero or beyond the
 * argument's type. The same source built for the host is the oracle (the
 * real kernel; qemu-aarch64 checks some of these differently from Linux,
 * e.g. getcwd with size 0, readlinkat with size 0, clock_getres with a bad
 * pointer). Only generic, architecture-neutral checks are printed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long rs(long nr, long a, long b, long c, long d) {
    long r = syscall(nr, a, b, c, d, 0, 0);
    return r < 0 ? -errno : r;
}

static long rs5(long nr, long a, long b, long c, long d, long e) {
    long r = syscall(nr, a, b, c, d, e, 0);
    return r < 0 ? -errno : r;
}

int main(void) {
    static char buf[8192];
    char *ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *none = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *gone = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096);
    const long kern = (long)0xffff800000001000UL, huge = 1L << 40;
    const long ptrs[] = {0, 0x10, kern, (long)ro, (long)none};
    const char *pn[] = {"null", "low", "kernel", "read-only", "PROT_NONE"};
    int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
    /* Empty transfers: only a pointer beyond the user address space is refused. */
    for (int i = 0; i < 5; i++)
        printf("empty %s: read %ld pread %ld write %ld getrandom %ld\n", pn[i], rs(SYS_read, zero, ptrs[i], 0, 0),
               rs(SYS_pread64, zero, ptrs[i], 0, 0), rs(SYS_write, null, ptrs[i], 0, 0), rs(SYS_getrandom, ptrs[i], 0, 0, 0));
    for (int i = 0; i < 5; i++)
        printf("64 bytes %s: read %ld getrandom %ld\n", pn[i], rs(SYS_read, zero, ptrs[i], 64, 0), rs(SYS_getrandom, ptrs[i], 64, 0, 0));
    /* getdents64: a buffer that cannot take an entry fails without
     * consuming it; the count is an unsigned int (2^40 is 0: EINVAL). */
    int dfd = open("/", O_RDONLY | O_DIRECTORY);
    for (int i = 0; i < 5; i++) printf("getdents64 %s 8192: %ld\n", pn[i], rs(SYS_getdents64, dfd, ptrs[i], 8192, 0));
    printf("getdents64 count 0: %ld, 2^40: %ld, 1: %ld\n", rs(SYS_getdents64, dfd, (long)buf, 0, 0), rs(SYS_getdents64, dfd, (long)buf, huge, 0),
           rs(SYS_getdents64, dfd, (long)buf, 1, 0));
    long n = rs(SYS_getdents64, dfd, (long)buf, sizeof buf, 0);
    int dot = 0;
    for (long off = 0; off < n;) {
        struct { unsigned long ino; long off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(buf + off);
        dot |= strcmp(d->name, ".") == 0;
        off += d->reclen;
    }
    printf("getdents64 after the failures: %s, \".\" %s\n", n > 0 ? "entries" : "none", dot ? "seen" : "missing");
    printf("getdents64 on a file: %ld\n", rs(SYS_getdents64, zero, (long)buf, sizeof buf, 0));
    /* readlinkat: the size is an int, and must be positive. */
    long sizes[] = {0, -1, huge, 1};
    for (int k = 0; k < 4; k++) printf("readlinkat size %ld: %ld\n", sizes[k], rs(SYS_readlinkat, AT_FDCWD, (long)"/proc/self/exe", (long)buf, sizes[k]));
    for (int i = 0; i < 5; i++) printf("readlinkat into %s: %ld\n", pn[i], rs(SYS_readlinkat, AT_FDCWD, (long)"/proc/self/exe", ptrs[i], 64));
    /* getcwd: too small a size is ERANGE before the buffer is looked at. */
    for (int i = 0; i < 5; i++) printf("getcwd %s size 1: %ld, size 4096: %ld\n", pn[i], rs(SYS_getcwd, ptrs[i], 1, 0, 0), rs(SYS_getcwd, ptrs[i], 4096, 0, 0));
    /* Result pointers: clock_getres may be given none, clock_gettime not. */
    for (int i = 0; i < 5; i++)
        printf("%s: clock_gettime %ld clock_getres %ld nanosleep %ld sysinfo %ld uname %ld\n", pn[i], rs(SYS_clock_gettime, CLOCK_MONOTONIC, ptrs[i], 0, 0),
               rs(SYS_clock_getres, CLOCK_MONOTONIC, ptrs[i], 0, 0), rs(SYS_nanosleep, ptrs[i], 0, 0, 0), rs(SYS_sysinfo, ptrs[i], 0, 0, 0), rs(SYS_uname, ptrs[i], 0, 0, 0));
    /* mincore: alignment, unmapped pages, the vector. */
    char *page = (char *)(((long)buf + 4095) & ~4095L);
    page[0] = 1;
    unsigned char vec[2] = {0x80, 0xff};
    printf("mincore unaligned: %ld\n", rs(SYS_mincore, (long)page + 1, 4096, (long)vec, 0));
    printf("mincore unmapped: %ld\n", rs(SYS_mincore, (long)gone, 4096, (long)vec, 0));
    printf("mincore beyond user space: %ld\n", rs(SYS_mincore, kern & ~4095L, 4096, (long)vec, 0));
    printf("mincore empty: %ld\n", rs(SYS_mincore, (long)page, 0, (long)vec, 0));
    for (int i = 0; i < 5; i++) printf("mincore vector %s: %ld\n", pn[i], rs(SYS_mincore, (long)page, 4096, ptrs[i], 0));
    long r = rs(SYS_mincore, (long)page, 4096, (long)vec, 0);
    printf("mincore of a written page: %ld, vector %d %d\n", r, vec[0], vec[1]);
    /* Pointers to arrays and structures the kernel reads or writes, and
     * sizes and selectors out of range. */
    static const char zero_ts[16];
    struct iovec iov[2];
    for (int i = 0; i < 5; i++) {
        iov[0].iov_base = (void *)ptrs[i], iov[0].iov_len = 8, iov[1].iov_base = buf, iov[1].iov_len = 8;
        printf("%s: readv array %ld base %ld, writev array %ld, fstat %ld, newfstatat path %ld buf %ld, statx %ld, pipe2 %ld, openat %ld, futex %ld\n", pn[i],
               rs(SYS_readv, zero, ptrs[i], 1, 0), rs(SYS_readv, zero, (long)iov, 2, 0), rs(SYS_writev, null, ptrs[i], 1, 0), rs(SYS_fstat, zero, ptrs[i], 0, 0),
               rs(SYS_newfstatat, AT_FDCWD, ptrs[i], (long)buf, 0), rs(SYS_newfstatat, AT_FDCWD, (long)"/", ptrs[i], 0), rs5(SYS_statx, AT_FDCWD, (long)"/", 0, 0x7ff, ptrs[i]),
               rs(SYS_pipe2, ptrs[i], 0, 0, 0), rs(SYS_openat, AT_FDCWD, ptrs[i], O_RDONLY, 0), rs(SYS_futex, ptrs[i], 0 /* FUTEX_WAIT */, 12345, 0));
        printf("%s: rt_sigaction new %ld old %ld, rt_sigprocmask set %ld old %ld, getrusage %ld, prlimit64 new %ld old %ld, getitimer %ld, setitimer %ld\n", pn[i],
               rs(SYS_rt_sigaction, SIGUSR1, ptrs[i], 0, 8), rs(SYS_rt_sigaction, SIGUSR1, 0, ptrs[i], 8), rs(SYS_rt_sigprocmask, SIG_BLOCK, ptrs[i], 0, 8),
               rs(SYS_rt_sigprocmask, SIG_BLOCK, 0, ptrs[i], 8), rs(SYS_getrusage, RUSAGE_SELF, ptrs[i], 0, 0), i == 3 ? 0 : rs(SYS_prlimit64, 0, RLIMIT_NOFILE, ptrs[i], 0) /* zeros would be a limit of 0 */,
               rs(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, ptrs[i]), rs(SYS_getitimer, ITIMER_REAL, ptrs[i], 0, 0), rs(SYS_setitimer, ITIMER_REAL, ptrs[i], 0, 0));
        printf("%s: pselect6 set %ld, sched_getaffinity %ld, socketpair %ld, execve %ld, chdir %ld, gettimeofday %ld\n", pn[i],
               rs5(SYS_pselect6, 4, ptrs[i], 0, 0, (long)zero_ts), rs(SYS_sched_getaffinity, 0, 128, ptrs[i], 0), rs(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, ptrs[i]),
               rs(SYS_execve, ptrs[i], 0, 0, 0), rs(SYS_chdir, ptrs[i], 0, 0, 0), rs(SYS_gettimeofday, ptrs[i], 0, 0, 0));
    }
    printf("rt_sigaction size 4: %ld, size 16: %ld, signal 0: %ld, 65: %ld, SIGKILL: %ld\n", rs(SYS_rt_sigaction, SIGUSR1, 0, (long)buf, 4),
           rs(SYS_rt_sigaction, SIGUSR1, 0, (long)buf, 16), rs(SYS_rt_sigaction, 0, 0, (long)buf, 8), rs(SYS_rt_sigaction, 65, 0, (long)buf, 8), rs(SYS_rt_sigaction, SIGKILL, (long)buf, 0, 8));
    printf("rt_sigprocmask how 7: %ld, size 4: %ld\n", rs(SYS_rt_sigprocmask, 7, (long)buf, 0, 8), rs(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)buf, 4));
    printf("sched_getaffinity size 0: %ld, 3: %ld, 4096: %s\n", rs(SYS_sched_getaffinity, 0, 0, (long)buf, 0), rs(SYS_sched_getaffinity, 0, 3, (long)buf, 0),
           rs(SYS_sched_getaffinity, 0, 4096, (long)buf, 0) > 0 ? "ok" : "failed");
    iov[0].iov_base = buf, iov[0].iov_len = (size_t)-8, iov[1].iov_base = (void *)0x10, iov[1].iov_len = 8;
    printf("readv count 0: %ld, -1: %ld, 1025: %ld, a negative length before an unmapped base: %ld\n", rs(SYS_readv, zero, (long)iov, 0, 0),
           rs(SYS_readv, zero, (long)iov, -1, 0), rs(SYS_readv, zero, (long)iov, 1025, 0), rs(SYS_readv, zero, (long)iov, 2, 0));
    printf("lseek whence 9: %ld, dup3 onto itself: %ld, fcntl 9999: %ld, close -1: %ld, pipe2 bad flags: %ld\n", rs(SYS_lseek, zero, 0, 9, 0), rs(SYS_dup3, zero, zero, 0, 0),
           rs(SYS_fcntl, zero, 9999, 0, 0), rs(SYS_close, -1, 0, 0, 0), rs(SYS_pipe2, (long)buf, 0x12345, 0, 0));
    long *ts = (long *)buf;
    printf("clock_gettime clock 99: %ld, -5: %ld\n", rs(SYS_clock_gettime, 99, (long)buf, 0, 0), rs(SYS_clock_gettime, -5, (long)buf, 0, 0));
    ts[0] = 0, ts[1] = 2000000000;
    printf("nanosleep 2e9 ns: %ld", rs(SYS_nanosleep, (long)buf, 0, 0, 0));
    ts[0] = -1, ts[1] = 0;
    printf(", -1 s: %ld\n", rs(SYS_nanosleep, (long)buf, 0, 0, 0));
    printf("mmap length 0: %ld, unaligned MAP_FIXED: %ld; munmap unaligned: %ld, length 0: %ld; mprotect unaligned: %ld\n", rs5(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1),
           rs5(SYS_mmap, 0x10001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1), rs(SYS_munmap, (long)ro + 1, 4096, 0, 0), rs(SYS_munmap, (long)ro, 0, 0, 0),
           rs(SYS_mprotect, (long)ro + 1, 4096, PROT_READ, 0));
    /* Socket calls look the socket up before reading the caller's address
     * or option (sendto and recvfrom check their buffer's range first). */
    int sock = socket(AF_UNIX, SOCK_DGRAM, 0);
    int fds[3] = {1000, zero, sock};
    const char *fn[] = {"closed fd", "file", "socket"};
    int one = 1;
    socklen_t olen = 4;
    for (int f = 0; f < 3; f++)
        for (int i = 1; i < 5; i++)
            printf("%s, %s: bind %ld connect %ld setsockopt %ld getsockopt %ld sendto %ld recvfrom %ld\n", fn[f], pn[i], rs(SYS_bind, fds[f], ptrs[i], 16, 0),
                   rs(SYS_connect, fds[f], ptrs[i], 16, 0), rs5(SYS_setsockopt, fds[f], SOL_SOCKET, SO_REUSEADDR, ptrs[i], 4),
                   rs5(SYS_getsockopt, fds[f], SOL_SOCKET, SO_TYPE, (long)buf, ptrs[i]), rs5(SYS_sendto, fds[f], ptrs[i], 8, MSG_DONTWAIT, 0),
                   /* (on the socket, no data: Linux never looks at the buffer) */
                   f == 2 ? 0 : rs5(SYS_recvfrom, fds[f], ptrs[i], 8, MSG_DONTWAIT, 0));
    printf("setsockopt on a socket: %ld, getsockopt length %ld\n", rs5(SYS_setsockopt, sock, SOL_SOCKET, SO_REUSEADDR, (long)&one, 4),
           rs5(SYS_getsockopt, sock, SOL_SOCKET, SO_TYPE, (long)buf, (long)&olen));
    /* accept that cannot store the peer's address drops the connection. */
    int srv = socket(AF_UNIX, SOCK_STREAM, 0), cli = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "zarm-syscall-args-%d", getpid());
    socklen_t salen = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sa.sun_path + 1);
    long b = bind(srv, (struct sockaddr *)&sa, salen), l = listen(srv, 1), c = connect(cli, (struct sockaddr *)&sa, salen);
    socklen_t room = sizeof sa;
    long acc = rs5(SYS_accept4, srv, 0x10, (long)&room, 0, 0);
    char byte;
    printf("bind %ld listen %ld connect %ld; accept4 into an unmapped address: %ld; the client then receives %ld\n", b, l, c, acc, rs5(SYS_recvfrom, cli, (long)&byte, 1, MSG_DONTWAIT, 0));
    /* Calls qemu-aarch64 7.2 lacks (mlock2, epoll_pwait2) or answers
     * otherwise (an affinity mask shorter than a word, which Linux pads
     * with zeros): their values cross in the guest's byte order. */
    unsigned long mask[16], now[16];
    long got = rs(SYS_sched_getaffinity, 0, sizeof mask, (long)mask, 0);
    int first = 0;
    while (!(mask[first / 64] >> (first % 64) & 1)) first++;
    unsigned char bytes[4] = {0};
    if (first < 32) bytes[first / 8] = 1 << (first % 8);
    long set = first < 32 ? rs(SYS_sched_setaffinity, 0, 4, (long)bytes, 0) : 0;
    memset(now, 0, sizeof now);
    rs(SYS_sched_getaffinity, 0, sizeof now, (long)now, 0);
    int only = 1;
    for (int i = 0; i < 16 * 64; i++) only &= !!(now[i / 64] >> (i % 64) & 1) == (i == first);
    printf("sched_getaffinity %d, a 4-byte mask %ld: only the first CPU %d, restored %ld\n", got > 0, set, first >= 32 || only,
           rs(SYS_sched_setaffinity, 0, sizeof mask, (long)mask, 0));
    char *pg = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(pg + 4096, 4096, PROT_NONE);
    printf("mlock2 on fault over PROT_NONE %ld, populating %ld, flags 2 %ld\n", rs(SYS_mlock2, (long)pg, 8192, 1, 0), rs(SYS_mlock2, (long)pg, 8192, 0, 0),
           rs(SYS_mlock2, (long)pg, 10, 2, 0));
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ULL}, out[4];
    epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
    struct timespec none_yet = {0, 0}, two = {2, 0}, bad = {0, 1000000000};
    long n0 = rs5(SYS_epoll_pwait2, ep, (long)out, 4, (long)&none_yet, 0);
    long w = write(sv[0], "x", 1);
    long n1 = rs5(SYS_epoll_pwait2, ep, (long)out, 4, (long)&two, 0);
    printf("epoll_pwait2 %ld, after a write (%ld) %ld: events %#x data %#llx; bad timeout %ld, unreadable %ld\n", n0, w, n1, out[0].events,
           (unsigned long long)out[0].data.u64, rs5(SYS_epoll_pwait2, ep, (long)out, 4, (long)&bad, 0), rs5(SYS_epoll_pwait2, ep, (long)out, 4, 0x10, 0));
    return 0;
}

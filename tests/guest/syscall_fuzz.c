/* Random system calls with arguments drawn from pools of good and bad
 * values (descriptors of every kind and closed ones, NULL, low, kernel,
 * read-only, PROT_NONE and unmapped pointers, buffers running into a
 * PROT_NONE page, sizes of zero to 2^40, flags and commands known and
 * unknown): argv[1] is the seed, argv[2] the number of calls; a further
 * argument "2" draws from a second set of calls (files, sockets, ioctls,
 * inotify, descriptor ranges: `CALLS2`; "3": process attributes, memory
 * locks, batched messages, openat2…: `CALLS3`; "1" or none: the first set), "v"
 * prints each call's arguments too. Each call's
 * result is printed (an errno, or the value where it does not depend on
 * the process: a descriptor, address, pid or time prints as its class).
 * The same source built for the host is the oracle: the real kernel. Only
 * calls and values that mean the same on AArch64 and x86_64 are drawn
 * (named constants, the generic system calls); the state a call may
 * change (descriptors, the scratch mappings, signal actions and mask, the
 * robust list, the umask) is set up again before every call. It runs in a
 * fresh directory it makes in /tmp, and names no path outside it that it
 * could change. Left out, as known differences (README, "System calls"):
 * sigaltstack (the minimum stack size is the architecture's) and the PI
 * futex operations. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static long pick(const long *pool, int n) { return pool[next() % n]; }
#define PICK(pool) pick(pool, sizeof pool / sizeof pool[0])

/* The scratch area: SCRATCH bytes read-write, then a PROT_NONE page, a
 * read-only page and an unmapped page, mapped again at the same address
 * before every call. */
#define PAGE 4096
#define SCRATCH (4 * PAGE)
#define AREA (SCRATCH + 3 * PAGE + 8 * PAGE)
static char *area;
static char *rw, *guard, *ro, *gone;
static char longpath[6000];

static void map_area(void) {
    if (mmap(area, AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != area) {
        perror("mmap");
        exit(2);
    }
    rw = area;
    guard = area + SCRATCH;
    ro = guard + PAGE;
    gone = ro + PAGE;
    /* Contents the calls read: small integers, offsets, zero timespecs. */
    for (int i = 0; i < SCRATCH / 8; i++) ((long *)rw)[i] = i % 3 == 0 ? 0 : i % 3 == 1 ? (long)(next() % 64) : (long)next();
    memset(rw, 0, 64);
    strcpy(rw + 512, "f");
    strcpy(rw + 600, "nonexistent/x");
    mprotect(guard, PAGE, PROT_NONE);
    mprotect(ro, PAGE, PROT_READ);
    munmap(gone, PAGE);
    mprotect(gone + PAGE, AREA - SCRATCH - 3 * PAGE, PROT_NONE);
}

/* Descriptors: 20 /dev/zero, 21 /dev/null (write), 22 a file, 23 the
 * directory, 24/25 a pipe, 26 an eventfd, 27 a socket, 28 an epoll, 29 a
 * timerfd; all non-blocking; 30 closed. */
static void open_fds(void) {
    for (int fd = 3; fd < 64; fd++) close(fd);
    int p[2], s[2];
    int z = open("/dev/zero", O_RDONLY | O_NONBLOCK), n = open("/dev/null", O_WRONLY | O_NONBLOCK);
    int f = open("f", O_RDWR | O_CREAT | O_TRUNC | O_NONBLOCK, 0644), d = open(".", O_RDONLY | O_DIRECTORY);
    if (pipe2(p, O_NONBLOCK) || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s) || z < 0 || n < 0 || f < 0 || d < 0) {
        perror("setup");
        exit(2);
    }
    if (write(f, "0123456789abcdefghij", 20) != 20) exit(2);
    int e = eventfd(3, EFD_NONBLOCK), ep = epoll_create1(0), t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    int have[] = {z, n, f, d, p[0], p[1], e, s[0], ep, t};
    for (int i = 0; i < 10; i++) {
        if (dup2(have[i], 20 + i) < 0) exit(2);
    }
    for (int fd = 3; fd < 20; fd++) close(fd);
    close(s[1]);
}

static const long FDS[] = {20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, -1, 1000, INT_MAX, AT_FDCWD};
static long fd_arg(void) { return PICK(FDS); }
static long ptr_arg(void) {
    switch (next() % 12) {
    case 0: return 0;
    case 1: return 0x10;
    case 2: return (long)0xffff800000001000UL;
    case 3: return (long)ro;
    case 4: return (long)guard;
    case 5: return (long)gone;
    case 6: return (long)(guard - 8);
    case 7: return (long)(guard - 100);
    case 8: return (long)(rw + 1);
    default: return (long)(rw + 64 * (next() % 16));
    }
}
/* A timeout: zero (a zeroed timespec) or one that cannot be read, never
 * NULL (no timeout) or a random one. */
static long timeout_arg(void) {
    switch (next() % 8) {
    case 0: return 0x10;
    case 1: return (long)0xffff800000001000UL;
    case 2: return (long)ro;
    case 3: return (long)guard;
    case 4: return (long)gone;
    case 5: return (long)(guard - 8);
    default: return (long)rw;
    }
}
static const long LENS[] = {0, 1, 3, 8, 16, 24, 64, 100, 128, 4096, 8192, 65536, 1L << 31, -1, 1L << 62, INT_MAX};
static long len_arg(void) { return PICK(LENS); }
/* Lengths for calls that change mappings: never beyond the owned area
 * (whose margin covers the farthest pointer plus four pages), or -1. */
static long area_len(void) {
    static const long l[] = {0, 1, 100, PAGE, 2 * PAGE, 3 * PAGE, 4 * PAGE, -1};
    return PICK(l);
}
/* Lengths of new mappings: at most 2 GiB (zarm's and qemu's guest address
 * spaces are smaller than the host's), or -1. */
static long map_len(void) {
    static const long l[] = {0, 1, PAGE, 4 * PAGE, 65536, 1L << 31, -1};
    return PICK(l);
}
static const long INTS[] = {0, 1, 2, 3, 4, 8, 64, 65, 128, -1, -2, INT_MIN, INT_MAX, 1L << 32, 0x80000000L};
static long int_arg(void) { return next() % 4 == 0 ? (long)(next() % 1024) : PICK(INTS); }
static long path_arg(void) {
    switch (next() % 8) {
    case 0: return (long)"f";
    case 1: return (long)"nonexistent/x";
    case 2: return (long)"";
    case 3: return (long)".";
    case 4: return (long)longpath;
    case 5: return (long)"sub";
    default: return ptr_arg();
    }
}
/* A path a call may create, rename or link to: a name in the working
 * directory, or one the host cannot read — never a string from the
 * scratch area, which could name any absolute path. */
static long new_path_arg(void) {
    switch (next() % 8) {
    case 0: return (long)"f";
    case 1: return (long)"g";
    case 2: return (long)"";
    case 3: return (long)"sub";
    case 4: return (long)longpath;
    case 5: return (long)"nonexistent/x";
    case 6: return (long)(next() % 2 ? 0 : 0x10);
    default: return (long)(next() % 2 ? guard : gone);
    }
}
static const long OFLAGS[] = {O_RDONLY, O_WRONLY, O_RDWR, O_RDONLY | O_DIRECTORY, O_WRONLY | O_CREAT, O_RDWR | O_CREAT | O_EXCL, O_RDONLY | O_NOFOLLOW,
                              O_PATH, O_RDWR | O_TRUNC, O_RDONLY | O_CLOEXEC | O_NONBLOCK, O_WRONLY | O_APPEND, O_TMPFILE | O_RDWR, O_RDWR | O_DIRECTORY, 3};
static const long ATFLAGS[] = {0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, AT_REMOVEDIR, AT_EACCESS, AT_NO_AUTOMOUNT, -1, 0x10000000};
static const long CLOCKS[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, CLOCK_BOOTTIME, CLOCK_MONOTONIC_COARSE, 12, -1, -6};
static const long FCNTLS[] = {F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD, F_DUPFD_CLOEXEC, F_GETLK, F_SETLK, F_OFD_GETLK, F_GETPIPE_SZ, F_SETPIPE_SZ, F_GET_SEALS,
                              F_GETOWN, F_GETSIG, F_NOTIFY + 1000, -1};
static const long SIGS[] = {0, SIGUSR1, SIGUSR2, SIGURG, SIGWINCH, SIGKILL, SIGSTOP, 64, 65, -1, 1000};
static const long HOWS[] = {SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, 3, -1};
static const long SIGSETSIZES[] = {8, 0, 4, 16, 128, -1};
static const long PROTS[] = {PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_EXEC | PROT_READ, 8, -1};
static const long MADVS[] = {MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_DONTFORK, MADV_DOFORK, 99, -1};
static const long PRCTLS[] = {PR_GET_NAME, PR_SET_NAME, PR_GET_DUMPABLE, PR_GET_PDEATHSIG, PR_GET_TIMERSLACK, PR_GET_NO_NEW_PRIVS, PR_GET_TID_ADDRESS,
                              PR_GET_CHILD_SUBREAPER, 12345, -1};
/* Not the PI operations: Linux checks a lock word's owner against every
 * task (ESRCH, EPERM for a kernel thread), zarm's emulation only against
 * the process's threads. */
static const long FUTEXES[] = {1, 0, 9, 10, 3, 4, 5, 128 | 1, 128 | 0, 128 | 9, 256 | 0, 256 | 9, 2, 99, -1};
static const long RLIMS[] = {RLIMIT_NOFILE, RLIMIT_STACK, RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, 16, -1};
static const long SOCKOPTS[] = {SO_TYPE, SO_ERROR, SO_SNDBUF, SO_RCVBUF, SO_PEERCRED, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN, SO_LINGER, SO_RCVTIMEO_OLD,
                                SO_SNDTIMEO_OLD, 9999};
static const long SOLS[] = {SOL_SOCKET, 0, 6, -1};
static const long DOMAINS[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET + 100, -1};
static const long STYPES[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW + 100, SOCK_STREAM | SOCK_CLOEXEC, SOCK_DGRAM | SOCK_NONBLOCK, -1};
static const long EPOLLOPS[] = {EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, 0, 4, -1};
static const long WHOS[] = {RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD, 5, -3};

/* The open flags F_GETFL reports, with those whose values differ between
 * architectures as bits of their own (O_LARGEFILE, which glibc's 64-bit
 * headers define as 0, by the kernels' values). */
#if defined(__aarch64__)
#define KERNEL_O_LARGEFILE 0400000
#else
#define KERNEL_O_LARGEFILE 0100000
#endif
static long file_flags(long r) {
    const long moved[] = {O_DIRECTORY, O_NOFOLLOW, O_DIRECT, KERNEL_O_LARGEFILE};
    long out = r;
    for (int i = 0; i < 4; i++) {
        out &= ~moved[i];
        if (r & moved[i]) out |= 1L << (40 + i);
    }
    return out;
}

/* Result classes: what a call returns on success that differs between
 * runs (descriptors, addresses, ids, times). */
enum { EXACT, FD, ADDR, ID };

struct call { const char *name; long nr; int ret; };
static const struct call CALLS[] = {
    {"read", SYS_read, EXACT}, {"write", SYS_write, EXACT}, {"pread64", SYS_pread64, EXACT}, {"pwrite64", SYS_pwrite64, EXACT},
    {"readv", SYS_readv, EXACT}, {"writev", SYS_writev, EXACT}, {"lseek", SYS_lseek, EXACT}, {"openat", SYS_openat, FD},
    {"close", SYS_close, EXACT}, {"dup", SYS_dup, FD}, {"dup3", SYS_dup3, EXACT}, {"fcntl", SYS_fcntl, EXACT},
    {"fstat", SYS_fstat, EXACT}, {"newfstatat", SYS_newfstatat, EXACT}, {"statx", SYS_statx, EXACT}, {"getdents64", SYS_getdents64, EXACT},
    {"readlinkat", SYS_readlinkat, EXACT}, {"faccessat", SYS_faccessat, EXACT}, {"mkdirat", SYS_mkdirat, EXACT}, {"unlinkat", SYS_unlinkat, EXACT},
    {"ftruncate", SYS_ftruncate, EXACT}, {"getcwd", SYS_getcwd, EXACT}, {"uname", SYS_uname, EXACT}, {"sysinfo", SYS_sysinfo, EXACT},
    {"times", SYS_times, ID}, {"gettimeofday", SYS_gettimeofday, EXACT}, {"clock_gettime", SYS_clock_gettime, EXACT},
    {"clock_getres", SYS_clock_getres, EXACT}, {"clock_nanosleep", SYS_clock_nanosleep, EXACT}, {"nanosleep", SYS_nanosleep, EXACT},
    {"getrandom", SYS_getrandom, EXACT}, {"getrusage", SYS_getrusage, EXACT}, {"prlimit64", SYS_prlimit64, EXACT},
    {"getrlimit", SYS_getrlimit, EXACT}, {"sched_getaffinity", SYS_sched_getaffinity, EXACT}, {"rt_sigprocmask", SYS_rt_sigprocmask, EXACT},
    {"rt_sigaction", SYS_rt_sigaction, EXACT}, {"rt_sigpending", SYS_rt_sigpending, EXACT},
    {"pipe2", SYS_pipe2, EXACT}, {"eventfd2", SYS_eventfd2, FD}, {"epoll_create1", SYS_epoll_create1, FD}, {"epoll_ctl", SYS_epoll_ctl, EXACT},
    {"epoll_pwait", SYS_epoll_pwait, EXACT}, {"ppoll", SYS_ppoll, EXACT}, {"pselect6", SYS_pselect6, EXACT},
    {"timerfd_create", SYS_timerfd_create, FD}, {"timerfd_gettime", SYS_timerfd_gettime, EXACT}, {"timerfd_settime", SYS_timerfd_settime, EXACT},
    {"signalfd4", SYS_signalfd4, FD}, {"socket", SYS_socket, FD}, {"socketpair", SYS_socketpair, EXACT}, {"getsockopt", SYS_getsockopt, EXACT},
    {"setsockopt", SYS_setsockopt, EXACT}, {"getsockname", SYS_getsockname, EXACT}, {"getpeername", SYS_getpeername, EXACT},
    {"sendto", SYS_sendto, EXACT}, {"recvfrom", SYS_recvfrom, EXACT}, {"sendmsg", SYS_sendmsg, EXACT}, {"recvmsg", SYS_recvmsg, EXACT},
    {"shutdown", SYS_shutdown, EXACT}, {"madvise", SYS_madvise, EXACT}, {"mprotect", SYS_mprotect, EXACT}, {"munmap", SYS_munmap, EXACT},
    {"mmap", SYS_mmap, ADDR}, {"mremap", SYS_mremap, ADDR}, {"msync", SYS_msync, EXACT}, {"mincore", SYS_mincore, EXACT},
    {"prctl", SYS_prctl, EXACT}, {"futex", SYS_futex, EXACT}, {"set_robust_list", SYS_set_robust_list, EXACT},
    {"get_robust_list", SYS_get_robust_list, EXACT}, {"umask", SYS_umask, EXACT}, {"getitimer", SYS_getitimer, EXACT},
    {"getgroups", SYS_getgroups, EXACT}, {"getresuid", SYS_getresuid, EXACT}, {"capget", SYS_capget, EXACT},
    {"sched_getscheduler", SYS_sched_getscheduler, EXACT}, {"sched_getparam", SYS_sched_getparam, EXACT},
    {"sched_get_priority_max", SYS_sched_get_priority_max, EXACT}, {"memfd_create", SYS_memfd_create, FD}, {"wait4", SYS_wait4, EXACT},
    {"waitid", SYS_waitid, EXACT}, {"getpriority", SYS_getpriority, EXACT}, {"sync_file_range", SYS_sync_file_range, EXACT},
    {"fsync", SYS_fsync, EXACT}, {"utimensat", SYS_utimensat, EXACT}, {"tgkill", SYS_tgkill, EXACT}, {"splice", SYS_splice, EXACT},
    {"tee", SYS_tee, EXACT}, {"copy_file_range", SYS_copy_file_range, EXACT}, {"sendfile", SYS_sendfile, EXACT},
};

/* The second set ("2" on the command line). Not the POSIX timers
 * (timer_create and the rest): zarm does not implement them yet. */
static const long IOCTLS[] = {TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX, FIOASYNC, TIOCGPGRP, FS_IOC_GETFLAGS, FIGETBSZ, 0x12345678, -1};
static const long FLOCKS[] = {LOCK_SH, LOCK_EX, LOCK_UN, LOCK_SH | LOCK_NB, LOCK_EX | LOCK_NB, 0, 99};
static const long ADVICES[] = {POSIX_FADV_NORMAL, POSIX_FADV_RANDOM, POSIX_FADV_SEQUENTIAL, POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE, 6, -1};
static const long RWFS[] = {0, RWF_HIPRI, RWF_DSYNC, RWF_NOWAIT, RWF_APPEND, 0x1000, -1};
static const long RENAMES[] = {0, RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT, RENAME_NOREPLACE | RENAME_EXCHANGE, 8};
static const struct call CALLS2[] = {
    {"ioctl", SYS_ioctl, EXACT}, {"fstatfs", SYS_fstatfs, EXACT}, {"statfs", SYS_statfs, EXACT}, {"fchmod", SYS_fchmod, EXACT},
    {"fchmodat", SYS_fchmodat, EXACT}, {"fchownat", SYS_fchownat, EXACT}, {"renameat2", SYS_renameat2, EXACT}, {"linkat", SYS_linkat, EXACT},
    {"symlinkat", SYS_symlinkat, EXACT}, {"flock", SYS_flock, EXACT}, {"fallocate", SYS_fallocate, EXACT}, {"fadvise64", SYS_fadvise64, EXACT},
    {"preadv", SYS_preadv, EXACT}, {"pwritev", SYS_pwritev, EXACT}, {"preadv2", SYS_preadv2, EXACT}, {"pwritev2", SYS_pwritev2, EXACT},
    {"close_range", SYS_close_range, EXACT}, {"faccessat2", SYS_faccessat2, EXACT}, {"bind", SYS_bind, EXACT}, {"listen", SYS_listen, EXACT},
    {"connect", SYS_connect, EXACT}, {"accept4", SYS_accept4, EXACT}, {"inotify_init1", SYS_inotify_init1, FD}, {"inotify_add_watch", SYS_inotify_add_watch, EXACT}, {"getcpu", SYS_getcpu, ID},
    {"sched_yield", SYS_sched_yield, EXACT}, {"fchdir", SYS_fchdir, EXACT}, {"rt_sigtimedwait", SYS_rt_sigtimedwait, EXACT},
    {"kill", SYS_kill, EXACT}, {"tkill", SYS_tkill, EXACT}, {"fdatasync", SYS_fdatasync, EXACT}, {"truncate", SYS_truncate, EXACT},
    {"readlinkat", SYS_readlinkat, EXACT}, {"dup", SYS_dup, FD}, {"lseek", SYS_lseek, EXACT}, {"read", SYS_read, EXACT},
};

/* The third set ("3"): process attributes, memory locks, batched socket
 * messages, openat2, epoll_pwait2, pidfd_open, membarrier. Not mlockall
 * with MCL_CURRENT or MCL_FUTURE (it would lock zarm's whole process, and
 * without CAP_IPC_LOCK Linux weighs it against everything the process
 * maps, zarm's guest window included), ids other than the caller's own
 * (a process that gave up root could not clean up), nor personality,
 * vhangup, sync or the calls that change the system (mount, chroot, the
 * clock). */
static const long IDS_RAW[] = {0, -1, 0xffffffffL, 1L << 32};
static long id_arg(int gid) {
    long own = gid ? (long)getgid() : (long)getuid();
    long v = PICK(IDS_RAW);
    return v == 0 ? own : v == (1L << 32) ? own | v : v;
}
static const long PIDS3[] = {0, 1, -1, INT_MAX, INT_MIN};
static long pid_arg(void) { return next() % 3 == 0 ? (long)getpid() : PICK(PIDS3); }
/* (not the idle class: with another process writing, this one's own
 * output could wait for the disk without end) */
static const long IOPRIOS[] = {(2 << 13) | 4, 0, (2 << 13) | 7, (2 << 13) | 8, 4 << 13, 8 << 13, -1, (1L << 32) | (2 << 13)};
static const long MLOCKALLS[] = {0, 8, 4 /* MCL_ONFAULT alone */, -1, 0x10};
static const long MEMBARRIERS[] = {0, 1, 2, 8, 16, 32, 64, 3, -1};
static const long MODES3[] = {S_IFIFO | 0600, S_IFREG | 0644, 0644, S_IFSOCK | 0600, S_IFDIR | 0700, S_IFCHR | 0600, S_IFBLK | 0600, -1};
static const long OPENSIZES[] = {24, 0, 16, 32, 64, 4096, 4097, -1};
static const struct call CALLS3[] = {
    {"ioprio_get", SYS_ioprio_get, EXACT}, {"ioprio_set", SYS_ioprio_set, EXACT}, {"syncfs", SYS_syncfs, EXACT},
    {"getpgid", SYS_getpgid, ID}, {"getsid", SYS_getsid, ID}, {"setuid", SYS_setuid, EXACT}, {"setgid", SYS_setgid, EXACT},
    {"setreuid", SYS_setreuid, EXACT}, {"setregid", SYS_setregid, EXACT}, {"setresuid", SYS_setresuid, EXACT},
    {"setresgid", SYS_setresgid, EXACT}, {"setfsuid", SYS_setfsuid, EXACT}, {"setfsgid", SYS_setfsgid, EXACT},
    {"mlock", SYS_mlock, EXACT}, {"munlock", SYS_munlock, EXACT}, {"mlock2", SYS_mlock2, EXACT}, {"mlockall", SYS_mlockall, EXACT},
    {"munlockall", SYS_munlockall, EXACT}, {"sched_setaffinity", SYS_sched_setaffinity, EXACT}, {"sched_getaffinity", SYS_sched_getaffinity, EXACT},
    {"setrlimit", SYS_setrlimit, EXACT}, {"readahead", SYS_readahead, EXACT}, {"mknodat", SYS_mknodat, EXACT},
    {"sendmmsg", SYS_sendmmsg, EXACT}, {"recvmmsg", SYS_recvmmsg, EXACT}, {"openat2", SYS_openat2, FD},
    {"epoll_pwait2", SYS_epoll_pwait2, EXACT}, {"pidfd_open", SYS_pidfd_open, FD}, {"membarrier", SYS_membarrier, EXACT},
    {"write", SYS_write, EXACT}, {"read", SYS_read, EXACT},
};

/* Arguments for a call of the third set. */
static void args3(long nr, long *a) {
    switch (nr) {
    case SYS_ioprio_get: a[0] = next() % 2 ? 1 : int_arg(); a[1] = next() % 2 ? 0 : pid_arg(); break;
    case SYS_ioprio_set: /* this thread, or none */
        a[0] = next() % 2 ? 1 : int_arg(); a[1] = next() % 2 ? 0 : next() % 2 ? INT_MAX : -1; a[2] = PICK(IOPRIOS);
        if (a[0] != 1) a[0] = next() % 2 ? 0 : 4;
        break;
    case SYS_syncfs: a[0] = fd_arg(); break;
    case SYS_getpgid: case SYS_getsid: a[0] = pid_arg(); break;
    case SYS_setuid: case SYS_setfsuid: a[0] = id_arg(0); break;
    case SYS_setgid: case SYS_setfsgid: a[0] = id_arg(1); break;
    case SYS_setreuid: case SYS_setresuid: a[0] = id_arg(0); a[1] = id_arg(0); a[2] = id_arg(0); break;
    case SYS_setregid: case SYS_setresgid: a[0] = id_arg(1); a[1] = id_arg(1); a[2] = id_arg(1); break;
    case SYS_mlock: case SYS_munlock: case SYS_mlock2:
        a[0] = ptr_arg(); a[1] = next() % 4 ? area_len() : len_arg(); a[2] = next() % 2 ? 0 : next() % 2 ? 1 /* MLOCK_ONFAULT */ : int_arg(); break;
    case SYS_mlockall: a[0] = PICK(MLOCKALLS); break;
    case SYS_munlockall: break;
    case SYS_sched_setaffinity: case SYS_sched_getaffinity: /* this thread, or none */
        a[0] = next() % 2 ? 0 : next() % 2 ? INT_MAX : -1; a[1] = next() % 2 ? 8 * (long)(next() % 130) + (long)(next() % 2) * (long)(next() % 8) : len_arg(); a[2] = ptr_arg(); break;
    case SYS_setrlimit: { /* never a limit it could read */
        static const long nolimit[] = {0, 0x10, (long)0xffff800000001000UL};
        a[0] = PICK(RLIMS); a[1] = next() % 2 ? PICK(nolimit) : (long)(next() % 2 ? guard : gone); break;
    }
    case SYS_readahead: a[0] = fd_arg(); a[1] = len_arg(); a[2] = len_arg(); break;
    case SYS_mknodat: a[0] = fd_arg(); a[1] = new_path_arg(); a[2] = PICK(MODES3); a[3] = next() % 2 ? 0 : next() % 2 ? 259 : (1L << 32) | 3; break;
    case SYS_sendmmsg: case SYS_recvmmsg: /* no address: nothing leaves the socket pair */
        a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = next() % 4; a[3] = next() % 2 ? MSG_DONTWAIT : MSG_DONTWAIT | MSG_WAITFORONE;
        a[4] = next() % 2 ? 0 : timeout_arg(); break;
    case SYS_openat2: /* at rw a struct open_how of known flags (of this architecture: they are translated) */
        a[0] = fd_arg(); a[1] = next() % 2 ? (long)"f" : new_path_arg(); a[2] = next() % 2 ? (long)rw : ptr_arg(); a[3] = PICK(OPENSIZES);
        if (a[2] == (long)rw) {
            static const long resolves[] = {0, RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS, 0x100};
            long *how = (long *)rw;
            /* (always O_NONBLOCK: mknodat may have made "f" or "g" a FIFO) */
            how[0] = (next() % 4 ? PICK(OFLAGS) : int_arg()) | O_NONBLOCK;
            how[1] = how[0] & O_CREAT && next() % 2 ? 0600 : next() % 4 ? 0 : int_arg();
            how[2] = PICK(resolves);
        }
        break;
    case SYS_epoll_pwait2: /* never without a timeout: a NULL one waits for ever */
        a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = int_arg(); a[3] = timeout_arg(); a[4] = next() % 2 ? 0 : ptr_arg(); a[5] = PICK(SIGSETSIZES); break;
    case SYS_pidfd_open: a[0] = pid_arg(); a[1] = next() % 2 ? 0 : next() % 2 ? O_NONBLOCK : int_arg(); break;
    case SYS_membarrier: a[0] = PICK(MEMBARRIERS); a[1] = next() % 2 ? 0 : int_arg(); a[2] = next() % 2 ? 0 : int_arg(); break;
    case SYS_write: case SYS_read: a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = len_arg(); break;
    }
}

/* Arguments for a call of the second set. */
static void args2(long nr, long *a) {
    switch (nr) {
    case SYS_ioctl: /* (not an unknown request on the epoll descriptor:
                     * Linux answers EINVAL since 6.9, zarm ENOTTY) */
        a[0] = fd_arg(); a[1] = PICK(IOCTLS); a[2] = ptr_arg();
        if (a[0] == 28 && (a[1] == 0x12345678 || a[1] == -1)) a[0] = 27;
        break;
    case SYS_fstatfs: a[0] = fd_arg(); a[1] = ptr_arg(); break;
    case SYS_statfs: case SYS_truncate: a[0] = next() % 2 ? path_arg() : new_path_arg(); a[1] = nr == SYS_statfs ? ptr_arg() : next() % 2 ? (long)(next() % 100000) : len_arg(); break;
    case SYS_fchmod: a[0] = fd_arg(); a[1] = next() % 2 ? 0644 : int_arg() & 07777; break;
    case SYS_fchmodat: a[0] = fd_arg(); a[1] = new_path_arg(); a[2] = next() % 2 ? 0600 : int_arg() & 07777; break;
    case SYS_fchownat: a[0] = fd_arg(); a[1] = new_path_arg(); a[2] = next() % 2 ? -1 : (long)getuid(); a[3] = next() % 2 ? -1 : (long)getgid(); a[4] = PICK(ATFLAGS); break;
    case SYS_renameat2: a[0] = fd_arg(); a[1] = new_path_arg(); a[2] = fd_arg(); a[3] = new_path_arg(); a[4] = PICK(RENAMES); break;
    case SYS_linkat: a[0] = fd_arg(); a[1] = new_path_arg(); a[2] = fd_arg(); a[3] = new_path_arg(); a[4] = PICK(ATFLAGS); break;
    case SYS_symlinkat: a[0] = new_path_arg(); a[1] = fd_arg(); a[2] = new_path_arg(); break;
    case SYS_flock: a[0] = fd_arg(); a[1] = PICK(FLOCKS); break;
    case SYS_fallocate: a[0] = fd_arg(); a[1] = next() % 2 ? 0 : int_arg() & 0x7f; a[2] = len_arg() & 0xffffff; a[3] = next() % 2 ? len_arg() & 0xffff : len_arg(); break;
    case SYS_fadvise64: a[0] = fd_arg(); a[1] = len_arg(); a[2] = len_arg(); a[3] = PICK(ADVICES); break;
    case SYS_preadv: case SYS_pwritev: case SYS_preadv2: case SYS_pwritev2:
        a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = next() % 4; a[3] = next() % 2 ? 0 : len_arg(); a[4] = next() % 2 ? 0 : -1;
        a[5] = PICK(RWFS);
        break;
    case SYS_close_range: /* never this program's own descriptors (0-19) */
        a[0] = 20 + next() % 16; a[1] = next() % 2 ? a[0] + (long)(next() % 8) - 2 : next() % 2 ? -1 : (long)UINT32_MAX;
        a[2] = next() % 2 ? CLOSE_RANGE_CLOEXEC : next() % 2 ? 0 : int_arg();
        break;
    case SYS_faccessat2: a[0] = fd_arg(); a[1] = path_arg(); a[2] = next() % 8; a[3] = PICK(ATFLAGS); break;
    case SYS_bind: case SYS_connect: a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = next() % 2 ? 2 : len_arg(); break;
    case SYS_listen: a[0] = fd_arg(); a[1] = int_arg(); break;
    case SYS_accept4: a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = ptr_arg(); a[3] = next() % 2 ? SOCK_NONBLOCK : int_arg(); break;
    case SYS_inotify_init1: a[0] = next() % 2 ? IN_NONBLOCK : int_arg(); break;
    case SYS_inotify_add_watch: a[0] = fd_arg(); a[1] = path_arg(); a[2] = next() % 2 ? IN_ALL_EVENTS : int_arg(); break;
    case SYS_getcpu: a[0] = ptr_arg(); a[1] = ptr_arg(); a[2] = 0; break;
    case SYS_sched_yield: break;
    case SYS_fchdir: a[0] = fd_arg(); break;
    case SYS_rt_sigtimedwait: a[0] = ptr_arg(); a[1] = ptr_arg(); a[2] = timeout_arg(); a[3] = PICK(SIGSETSIZES); break;
    case SYS_kill: case SYS_tkill: /* this process or thread (signal 0 or one it ignores) or none */
        a[0] = next() % 2 ? (nr == SYS_kill ? getpid() : syscall(SYS_gettid)) : next() % 2 ? INT_MAX : INT_MIN;
        a[1] = next() % 2 ? 0 : next() % 2 ? SIGURG : next() % 2 ? 65 : -1; break;
    case SYS_fdatasync: a[0] = fd_arg(); break;
    case SYS_readlinkat: a[0] = fd_arg(); a[1] = path_arg(); a[2] = ptr_arg(); a[3] = len_arg(); break;
    case SYS_dup: a[0] = fd_arg(); break;
    case SYS_lseek: a[0] = fd_arg(); a[1] = len_arg() * (next() % 2 ? 1 : -1); a[2] = next() % 6; break;
    case SYS_read: a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = len_arg(); break;
    }
}

static int remove_entry(const char *path, const struct stat *st, int kind, struct FTW *ftw) {
    (void)st, (void)ftw;
    return kind == FTW_DP ? rmdir(path) : unlink(path);
}

int main(int argc, char **argv) {
    rng = (argc > 1 ? strtoull(argv[1], 0, 0) * 0x9E3779B97F4A7C15ULL : 0) | 1;
    long count = argc > 2 ? atol(argv[2]) : 1000;
    int second = 0, third = 0, verbose = 0;
    for (int i = 3; i < argc; i++) {
        second |= !strcmp(argv[i], "2");
        third |= !strcmp(argv[i], "3");
        verbose |= !strcmp(argv[i], "v");
    }
    char dir[] = "/tmp/zarm-fuzz.XXXXXX";
    if (!mkdtemp(dir) || chdir(dir)) {
        perror("mkdtemp");
        return 2;
    }
    memset(longpath, 'a', sizeof longpath - 1);
    area = mmap(0, AREA, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct sigaction ign = {.sa_handler = SIG_IGN};
    sigset_t none;
    sigemptyset(&none);
    for (long k = 0; k < count; k++) {
        map_area();
        open_fds();
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
        for (int s = 1; s < 32; s++)
            if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD) sigaction(s, &ign, 0);
        syscall(SYS_set_robust_list, 0, 24);
        umask(022);
        const struct call *c = third ? &CALLS3[next() % (sizeof CALLS3 / sizeof CALLS3[0])]
                               : second ? &CALLS2[next() % (sizeof CALLS2 / sizeof CALLS2[0])] : &CALLS[next() % (sizeof CALLS / sizeof CALLS[0])];
        long a[6];
        for (int i = 0; i < 6; i++) a[i] = int_arg();
        if (third) args3(c->nr, a);
        else if (second) args2(c->nr, a);
        else switch (c->nr) {
        case SYS_read: case SYS_write: case SYS_getdents64: case SYS_readv: case SYS_writev:
            a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = len_arg(); break;
        case SYS_pread64: case SYS_pwrite64:
            a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = len_arg(); a[3] = len_arg(); break;
        case SYS_lseek: a[0] = fd_arg(); a[1] = len_arg() * (next() % 2 ? 1 : -1); a[2] = next() % 6; break;
        case SYS_openat: a[0] = fd_arg(); a[1] = path_arg(); a[2] = PICK(OFLAGS); a[3] = 0600; break;
        case SYS_close: case SYS_dup: case SYS_fstat: case SYS_fsync: case SYS_timerfd_gettime:
            a[0] = fd_arg(); a[1] = ptr_arg(); break;
        case SYS_dup3: a[0] = fd_arg(); a[1] = 20 + next() % 16; a[2] = next() % 2 ? O_CLOEXEC : int_arg(); break;
        case SYS_fcntl:
            a[0] = fd_arg(); a[1] = PICK(FCNTLS);
            a[2] = (a[1] == F_GETLK || a[1] == F_SETLK || a[1] == F_OFD_GETLK) ? ptr_arg() : a[1] == F_SETFL ? (long)O_NONBLOCK | (next() % 2 ? O_APPEND : 0) : int_arg();
            break;
        case SYS_newfstatat: a[0] = fd_arg(); a[1] = path_arg(); a[2] = ptr_arg(); a[3] = PICK(ATFLAGS); break;
        case SYS_statx: a[0] = fd_arg(); a[1] = path_arg(); a[2] = PICK(ATFLAGS); a[3] = next() % 2 ? 0x7ff : int_arg(); a[4] = ptr_arg(); break;
        case SYS_readlinkat: a[0] = fd_arg(); a[1] = path_arg(); a[2] = ptr_arg(); a[3] = len_arg(); break;
        case SYS_faccessat: a[0] = fd_arg(); a[1] = path_arg(); a[2] = next() % 8; break;
        case SYS_mkdirat: a[0] = fd_arg(); a[1] = path_arg(); a[2] = 0700; break;
        case SYS_unlinkat: a[0] = fd_arg(); a[1] = path_arg(); a[2] = PICK(ATFLAGS); break;
        case SYS_ftruncate: a[0] = fd_arg(); a[1] = next() % 2 ? (long)(next() % 100000) : len_arg(); break;
        case SYS_getcwd: a[0] = ptr_arg(); a[1] = len_arg(); break;
        case SYS_uname: case SYS_sysinfo: case SYS_times: case SYS_rt_sigpending:
            a[0] = ptr_arg(); a[1] = next() % 2 ? 8 : len_arg(); break;
        case SYS_gettimeofday: a[0] = ptr_arg(); a[1] = ptr_arg(); break;
        case SYS_clock_gettime: case SYS_clock_getres: a[0] = PICK(CLOCKS); a[1] = ptr_arg(); break;
        case SYS_clock_nanosleep: /* only zero or invalid times: a valid pointer holds zeros at rw */
            a[0] = PICK(CLOCKS); a[1] = next() % 2 ? 0 : TIMER_ABSTIME; a[2] = timeout_arg(); a[3] = ptr_arg(); break;
        case SYS_nanosleep: a[0] = timeout_arg(); a[1] = ptr_arg(); break;
        case SYS_getrandom: a[0] = ptr_arg(); a[1] = len_arg(); a[2] = next() % 2 ? 0 : int_arg() & ~2L; break;
        case SYS_getrusage: a[0] = PICK(WHOS); a[1] = ptr_arg(); break;
        case SYS_prlimit64: { /* this process only, and no new limit it could read */
            static const long nolimit[] = {0, 0x10, (long)0xffff800000001000UL};
            a[0] = 0; a[1] = PICK(RLIMS); a[2] = next() % 2 ? PICK(nolimit) : (long)(next() % 2 ? guard : gone); a[3] = ptr_arg(); break;
        }
        case SYS_getrlimit: a[0] = PICK(RLIMS); a[1] = ptr_arg(); break;
        case SYS_sched_getaffinity: a[0] = 0; a[1] = len_arg(); a[2] = ptr_arg(); break;
        case SYS_rt_sigprocmask: a[0] = PICK(HOWS); a[1] = ptr_arg(); a[2] = ptr_arg(); a[3] = PICK(SIGSETSIZES); break;
        case SYS_rt_sigaction: a[0] = PICK(SIGS); a[1] = next() % 3 ? 0 : ptr_arg(); a[2] = ptr_arg(); a[3] = PICK(SIGSETSIZES); break;
        case SYS_pipe2: a[0] = ptr_arg(); a[1] = next() % 2 ? O_CLOEXEC | O_NONBLOCK : int_arg(); break;
        case SYS_eventfd2: case SYS_epoll_create1: case SYS_timerfd_create: case SYS_memfd_create:
            a[0] = c->nr == SYS_memfd_create ? path_arg() : c->nr == SYS_timerfd_create ? PICK(CLOCKS) : int_arg();
            a[1] = next() % 2 ? 0 : int_arg(); break;
        case SYS_epoll_ctl: a[0] = fd_arg(); a[1] = PICK(EPOLLOPS); a[2] = fd_arg(); a[3] = ptr_arg(); break;
        case SYS_epoll_pwait: a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = int_arg(); a[3] = 0; a[4] = next() % 2 ? 0 : ptr_arg(); a[5] = PICK(SIGSETSIZES); break;
        case SYS_ppoll: a[0] = ptr_arg(); a[1] = next() % 8; a[2] = timeout_arg(); a[3] = next() % 2 ? 0 : ptr_arg(); a[4] = PICK(SIGSETSIZES); break;
        case SYS_pselect6: a[0] = next() % 64; a[1] = ptr_arg(); a[2] = ptr_arg(); a[3] = ptr_arg(); a[4] = timeout_arg(); a[5] = next() % 2 ? 0 : ptr_arg(); break;
        case SYS_timerfd_settime: a[0] = fd_arg(); a[1] = next() % 2 ? 0 : int_arg(); a[2] = next() % 2 ? (long)rw : ptr_arg(); a[3] = ptr_arg(); break;
        case SYS_signalfd4: a[0] = next() % 2 ? -1 : fd_arg(); a[1] = ptr_arg(); a[2] = PICK(SIGSETSIZES); a[3] = next() % 2 ? SFD_NONBLOCK : int_arg(); break;
        case SYS_socket: a[0] = PICK(DOMAINS); a[1] = PICK(STYPES); a[2] = next() % 3 ? 0 : int_arg(); break;
        case SYS_socketpair: a[0] = PICK(DOMAINS); a[1] = PICK(STYPES); a[2] = 0; a[3] = ptr_arg(); break;
        case SYS_getsockopt: case SYS_setsockopt:
            a[0] = fd_arg(); a[1] = PICK(SOLS); a[2] = PICK(SOCKOPTS); a[3] = ptr_arg(); a[4] = c->nr == SYS_getsockopt ? ptr_arg() : len_arg();
            break;
        case SYS_getsockname: case SYS_getpeername: a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = ptr_arg(); break;
        case SYS_sendto: case SYS_recvfrom: /* no address: nothing leaves the socket pair */
            a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = len_arg(); a[3] = next() % 2 ? MSG_DONTWAIT : 0; a[4] = 0; a[5] = next() % 2 ? 0 : ptr_arg(); break;
        case SYS_sendmsg: case SYS_recvmsg: a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = MSG_DONTWAIT; break;
        case SYS_shutdown: a[0] = fd_arg(); a[1] = next() % 4; break;
        case SYS_madvise: a[0] = ptr_arg(); a[1] = area_len(); a[2] = PICK(MADVS); break;
        case SYS_mprotect: case SYS_munmap: case SYS_msync: case SYS_mincore:
            a[0] = ptr_arg(); a[1] = area_len(); a[2] = c->nr == SYS_mprotect ? PICK(PROTS) : c->nr == SYS_mincore ? ptr_arg() : next() % 8; break;
        case SYS_mmap:
            a[0] = next() % 2 ? 0 : ptr_arg(); a[1] = map_len(); a[2] = PICK(PROTS);
            a[3] = (next() % 2 ? MAP_PRIVATE : next() % 2 ? MAP_SHARED : 0) | (next() % 2 ? MAP_ANONYMOUS : 0);
            a[4] = a[3] & MAP_ANONYMOUS && next() % 2 ? -1 : fd_arg(); a[5] = next() % 2 ? 0 : PAGE * (long)(next() % 3) + (next() % 4 == 0); break;
        case SYS_mremap: /* moves only within the scratch area, which is mapped again */
            a[0] = (long)rw; a[1] = PAGE * (long)(next() % 3); a[2] = map_len(); a[3] = next() % 3 == 0 ? MREMAP_MAYMOVE | MREMAP_FIXED : int_arg() & 1;
            /* a fixed target replaces what is there: stay in the area */
            if (a[3] & MREMAP_FIXED) a[2] = area_len();
            a[4] = (long)(rw + 2 * PAGE); break;
        case SYS_prctl: a[0] = PICK(PRCTLS); a[1] = ptr_arg(); a[2] = a[3] = a[4] = 0; break;
        case SYS_futex: /* waits time out at once (a zero timespec at rw) */
            a[0] = ptr_arg(); a[1] = PICK(FUTEXES); a[2] = int_arg(); a[3] = timeout_arg(); a[4] = ptr_arg(); a[5] = int_arg();
            /* REQUEUE, CMP_REQUEUE, WAKE_OP: the fourth argument is a count */
            if ((a[1] & 127) >= 3 && (a[1] & 127) <= 5) a[3] = int_arg();
            break;
        case SYS_set_robust_list: a[0] = ptr_arg(); a[1] = next() % 2 ? 24 : len_arg(); break;
        case SYS_get_robust_list: /* this thread, or none (root may read another's) */
            a[0] = next() % 2 ? 0 : next() % 2 ? syscall(SYS_gettid) : next() % 2 ? -1 : INT_MAX; a[1] = ptr_arg(); a[2] = ptr_arg(); break;
        case SYS_umask: break;
        case SYS_getitimer: a[0] = next() % 4; a[1] = ptr_arg(); break;
        case SYS_getgroups: a[0] = int_arg(); a[1] = ptr_arg(); break;
        case SYS_getresuid: a[0] = ptr_arg(); a[1] = ptr_arg(); a[2] = ptr_arg(); break;
        case SYS_capget: a[0] = ptr_arg(); a[1] = ptr_arg(); break;
        case SYS_sched_getscheduler: case SYS_sched_getparam: a[0] = next() % 2 ? 0 : int_arg(); a[1] = ptr_arg(); break;
        case SYS_sched_get_priority_max: break;
        case SYS_wait4: a[0] = next() % 2 ? -1 : int_arg(); a[1] = ptr_arg(); a[2] = WNOHANG | (next() % 2 ? 0 : int_arg() & ~WNOHANG); a[3] = ptr_arg(); break;
        case SYS_waitid: a[0] = next() % 4; a[1] = int_arg(); a[2] = ptr_arg(); a[3] = WNOHANG | WEXITED; a[4] = ptr_arg(); break;
        case SYS_getpriority: a[0] = next() % 4; a[1] = 0; break;
        case SYS_sync_file_range: a[0] = fd_arg(); a[1] = len_arg(); a[2] = len_arg(); a[3] = next() % 8; break;
        case SYS_utimensat: a[0] = fd_arg(); a[1] = next() % 3 ? (long)"f" : path_arg(); a[2] = ptr_arg(); a[3] = PICK(ATFLAGS); break;
        case SYS_tgkill: a[0] = getpid(); a[1] = next() % 2 ? syscall(SYS_gettid) : int_arg(); a[2] = 0; break;
        case SYS_splice: case SYS_copy_file_range:
            a[0] = fd_arg(); a[1] = ptr_arg(); a[2] = fd_arg(); a[3] = ptr_arg(); a[4] = len_arg() & 0xffff;
            a[5] = c->nr == SYS_splice ? (next() % 2 ? SPLICE_F_NONBLOCK : 0) : next() % 4 == 0; break;
        case SYS_tee: a[0] = fd_arg(); a[1] = fd_arg(); a[2] = len_arg() & 0xffff; a[3] = next() % 2 ? SPLICE_F_NONBLOCK : 0; break;
        case SYS_sendfile: a[0] = fd_arg(); a[1] = fd_arg(); a[2] = next() % 2 ? 0 : ptr_arg(); a[3] = len_arg() & 0xffff; break;
        }
        errno = 0;
        long r = syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        int err = r == -1 ? errno : 0;
        if (c->nr == SYS_fcntl && a[1] == F_GETFL && r >= 0) r = file_flags(r);
        if (verbose) printf("%ld %s(%lx, %lx, %lx, %lx, %lx, %lx)\n", k, c->name, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (err) printf("%ld %s: -%d\n", k, c->name, err);
        else if (c->ret == FD) printf("%ld %s: fd\n", k, c->name);
        else if (c->ret == ADDR) printf("%ld %s: %s\n", k, c->name, r == a[0] ? "same address" : "address");
        else if (c->ret == ID) printf("%ld %s: ok\n", k, c->name);
        else printf("%ld %s: %ld\n", k, c->name, r);
        fflush(stdout);
        if (c->nr == SYS_mmap && !err) munmap((void *)r, a[1]);
        if (c->nr == SYS_mremap && !err && (r < (long)area || r >= (long)area + AREA)) munmap((void *)r, a[2]);
    }
    for (int fd = 3; fd < 64; fd++) close(fd);
    /* Whatever the calls made (a path drawn from the scratch area is any
     * string), depth first. */
    if (chdir("/") || nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS)) {
        perror("cleaning up");
        return 2;
    }
    return 0;
}

//! System calls for I/O multiplexing, event descriptors, sockets, extended
//! attributes and file-system statistics, by aarch64 number.
//!
//! As in `syscall.rs`, every structure is marshalled field by field between
//! the aarch64 layout (little-endian, LP64) and the host's (big-endian on
//! s390x): `struct epoll_event` (16 bytes on aarch64, packed 12 on x86_64),
//! `struct pollfd`, `fd_set` words, `struct statfs`, `struct itimerspec`,
//! socket addresses (the family and the host-order fields; ports and IP
//! addresses are network order on both sides), `struct msghdr` with its
//! control messages, and integer socket options. The 8-byte counters read
//! from and written to eventfd and timerfd descriptors are in the host's
//! byte order, so those descriptors are remembered and the counters
//! converted.
//!
//! Waits (`ppoll`, `pselect6`, `epoll_pwait`) block the signals zarm
//! forwards to the guest while checking for a pending one, then wait with
//! them unblocked atomically (the host call's own sigmask argument), so a
//! signal the guest accepts ends the wait with EINTR and none is missed; a
//! host signal the guest blocks during the wait does not end it. A guest
//! sigmask argument applies during the wait, and a handler run because of
//! it returns to the old mask (as `rt_sigsuspend` does).

use crate::syscall::{errno, host, timespec_to_guest, user_range, Out, Process, EFAULT, EINVAL};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

const EINTR: i64 = -(libc::EINTR as i64);

/// The most one transfer moves (Linux's MAX_RW_COUNT): a socket's buffer
/// length is cut to it before its range is checked.
pub(crate) const MAX_RW_COUNT: u64 = 0x7fff_f000;

/// Descriptors whose reads and writes carry a host-order 8-byte counter.
const FD_PLAIN: u8 = 0;
const FD_COUNTER: u8 = 1;
/// An inotify descriptor: its events' four words are in host byte order.
const FD_INOTIFY: u8 = 2;
pub(crate) const FD_KINDS: usize = 65536;
static FD_KIND: [AtomicU8; FD_KINDS] = [const { AtomicU8::new(FD_PLAIN) }; FD_KINDS];

fn set_kind(fd: i64, kind: u8) {
    if (0..FD_KINDS as i64).contains(&fd) {
        FD_KIND[fd as usize].store(kind, Ordering::Relaxed);
    }
}

fn kind(fd: i32) -> u8 {
    if (0..FD_KINDS as i32).contains(&fd) {
        FD_KIND[fd as usize].load(Ordering::Relaxed)
    } else {
        FD_PLAIN
    }
}

/// Bookkeeping after `close`, `dup`, `dup3` and `fcntl(F_DUPFD*)`: the
/// kind follows the descriptor.
pub fn fd_closed(fd: i32) {
    set_kind(fd as i64, FD_PLAIN);
    crate::signal::signalfd_unregister(fd);
}

pub fn fd_duplicated(from: i32, to: i64) {
    if to >= 0 {
        set_kind(to, kind(from));
        crate::signal::signalfd_unregister(to as i32);
        if let Some(mask) = crate::signal::signalfd_mask(from) {
            crate::signal::signalfd_register(to as i32, mask);
        }
    }
}

/// Before a guest `write` of the 8 bytes `guest` (read from guest memory)
/// to `fd`: an eventfd or timerfd counter goes to the host in its byte
/// order. Returns the bytes to write instead, if `fd` takes a counter.
/// (It used to read the host buffer the write was given, which for a
/// guest pointer beyond the user address space, or 8 bytes running into a
/// page the guest cannot read, is one the host cannot read: zarm crashed.)
pub fn counter_for_host(fd: i32, guest: &[u8]) -> Option<[u8; 8]> {
    if kind(fd) != FD_COUNTER {
        return None;
    }
    let b: [u8; 8] = guest.try_into().ok()?;
    Some(u64::from_le_bytes(b).to_ne_bytes())
}

/// After a guest `read` of `n` bytes into `p` from `fd`: an eventfd or
/// timerfd counter, or inotify events, come back in guest byte order.
pub fn counter_for_guest(fd: i32, p: *mut u8, n: i64) {
    if kind(fd) == FD_INOTIFY && n > 0 {
        // struct inotify_event: wd, mask, cookie, len, then len bytes of
        // name; the kernel returns whole events only.
        // SAFETY: the host just wrote n bytes there.
        let b = unsafe { std::slice::from_raw_parts_mut(p, n as usize) };
        let mut at = 0;
        while at + 16 <= b.len() {
            let len = u32::from_ne_bytes(b[at + 12..at + 16].try_into().unwrap()) as usize;
            for w in b[at..at + 16].chunks_exact_mut(4) {
                let v = u32::from_ne_bytes((&*w).try_into().unwrap());
                w.copy_from_slice(&v.to_le_bytes());
            }
            at += 16 + len;
        }
    }
    if kind(fd) == FD_COUNTER && n == 8 {
        // SAFETY: the host just wrote 8 bytes there.
        unsafe {
            let v = u64::from_ne_bytes(std::ptr::read_unaligned(p as *const [u8; 8]));
            std::ptr::write_unaligned(p as *mut [u8; 8], v.to_le_bytes());
        }
    }
}

/// A file offset a system call reads from a guest pointer and writes
/// back (`loff_t *`): the host call gets a cell holding the guest's value,
/// NULL for NULL, or a page the host kernel cannot access if the guest
/// cannot read it (so the kernel fails in Linux's order: `sendfile`
/// before anything else, `splice` after the descriptor checks).
pub(crate) struct OffsetArg {
    addr: u64,
    cell: Option<i64>,
}

impl OffsetArg {
    pub(crate) fn ptr(&mut self) -> *mut i64 {
        match (self.addr, &mut self.cell) {
            (0, _) => std::ptr::null_mut(),
            (_, Some(v)) => v,
            (_, None) => crate::syscall::no_access_page() as *mut i64,
        }
    }

    /// After the host call returned `r`: the new offset goes back to the
    /// guest when `back` (EFAULT if it cannot be written, as Linux's final
    /// `copy_to_user` answers): splice writes it after any success,
    /// copy_file_range after a transfer, sendfile always.
    pub(crate) fn finish(&self, p: &mut Process, r: i64, back: bool) -> i64 {
        match self.cell {
            Some(v) if back && self.addr != 0 => match p.write_guest(self.addr, &v.to_le_bytes()) {
                0 => r,
                e => e,
            },
            _ => r,
        }
    }
}

impl Process {
    pub(crate) fn offset_arg(&self, addr: u64) -> OffsetArg {
        let cell = if addr == 0 { None } else { self.space.read_u64(addr).map(|v| v as i64) };
        OffsetArg { addr, cell }
    }
}

fn le32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}

fn le64(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

/// Converts the host-order fields of a socket address in place
/// (`to_host`: guest little-endian to host order, else back).
fn convert_sockaddr(b: &mut [u8], to_host: bool) {
    fn swap16(b: &mut [u8], off: usize, to_host: bool) {
        if b.len() >= off + 2 {
            let raw: [u8; 2] = b[off..off + 2].try_into().unwrap();
            let v = if to_host { u16::from_le_bytes(raw).to_ne_bytes() } else { u16::from_ne_bytes(raw).to_le_bytes() };
            b[off..off + 2].copy_from_slice(&v);
        }
    }
    fn swap32(b: &mut [u8], off: usize, to_host: bool) {
        if b.len() >= off + 4 {
            let raw: [u8; 4] = b[off..off + 4].try_into().unwrap();
            let v = if to_host { u32::from_le_bytes(raw).to_ne_bytes() } else { u32::from_ne_bytes(raw).to_le_bytes() };
            b[off..off + 4].copy_from_slice(&v);
        }
    }
    if b.len() < 2 {
        return;
    }
    let family = if to_host { u16::from_le_bytes([b[0], b[1]]) } else { u16::from_ne_bytes([b[0], b[1]]) };
    swap16(b, 0, to_host);
    match family as i32 {
        libc::AF_INET6 => swap32(b, 24, to_host), // sin6_scope_id
        libc::AF_NETLINK => {
            swap32(b, 4, to_host); // nl_pid
            swap32(b, 8, to_host); // nl_groups
        }
        libc::AF_PACKET => {
            swap32(b, 4, to_host); // sll_ifindex
            swap16(b, 8, to_host); // sll_hatype
        }
        _ => {}
    }
}

/// How a socket option's value is laid out: integers in host order or
/// bytes passed as they are.
fn option_words(level: i32, name: i32, len: usize) -> usize {
    const SO_RCVTIMEO_OLD: i32 = 20;
    const SO_SNDTIMEO_OLD: i32 = 21;
    match (level, name) {
        (libc::IPPROTO_IP, libc::IP_MULTICAST_IF) => 0, // an in_addr: network order
        (libc::SOL_SOCKET, SO_RCVTIMEO_OLD | SO_SNDTIMEO_OLD) => 8,
        (libc::SOL_SOCKET, libc::SO_LINGER | libc::SO_PEERCRED) => 4,
        _ if len == 4 => 4,
        _ => 0,
    }
}

fn convert_words(b: &mut [u8], word: usize, to_host: bool) {
    match word {
        4 => {
            for c in b.chunks_exact_mut(4) {
                let raw: [u8; 4] = (&*c).try_into().unwrap();
                let v = if to_host { u32::from_le_bytes(raw).to_ne_bytes() } else { u32::from_ne_bytes(raw).to_le_bytes() };
                c.copy_from_slice(&v);
            }
        }
        8 => {
            for c in b.chunks_exact_mut(8) {
                let raw: [u8; 8] = (&*c).try_into().unwrap();
                let v = if to_host { u64::from_le_bytes(raw).to_ne_bytes() } else { u64::from_ne_bytes(raw).to_le_bytes() };
                c.copy_from_slice(&v);
            }
        }
        _ => {}
    }
}

/// `struct itimerspec` of LP64 Linux: interval, then value.
fn itimerspec_to_guest(t: &libc::itimerspec) -> Vec<u8> {
    let mut v = timespec_to_guest(&t.it_interval);
    v.extend(timespec_to_guest(&t.it_value));
    v
}

/// Control messages (`cmsghdr` + data, 8-byte aligned, the same layout on
/// aarch64 and both hosts): headers converted, the data of SCM_RIGHTS and
/// SCM_CREDENTIALS as 32-bit integers, others passed as they are.
fn convert_cmsgs(b: &mut [u8], to_host: bool) {
    let mut off = 0;
    while off + 16 <= b.len() {
        let raw_len: [u8; 8] = b[off..off + 8].try_into().unwrap();
        let len = if to_host { u64::from_le_bytes(raw_len) } else { u64::from_ne_bytes(raw_len) } as usize;
        let level_raw: [u8; 4] = b[off + 8..off + 12].try_into().unwrap();
        let level = if to_host { i32::from_le_bytes(level_raw) } else { i32::from_ne_bytes(level_raw) };
        let ty_raw: [u8; 4] = b[off + 12..off + 16].try_into().unwrap();
        let ty = if to_host { i32::from_le_bytes(ty_raw) } else { i32::from_ne_bytes(ty_raw) };
        convert_words(&mut b[off..off + 8], 8, to_host);
        convert_words(&mut b[off + 8..off + 16], 4, to_host);
        if len < 16 || off + len > b.len() {
            break;
        }
        if level == libc::SOL_SOCKET && (ty == libc::SCM_RIGHTS || ty == libc::SCM_CREDENTIALS) {
            let data = &mut b[off + 16..off + len];
            let whole = data.len() / 4 * 4;
            convert_words(&mut data[..whole], 4, to_host);
        }
        off += len.next_multiple_of(8);
    }
}

impl Process {
    /// The system calls of this module; `None` for a number it does not own.
    pub(crate) fn io_syscall(&mut self, nr: u64, a: &[u64; 6]) -> Option<i64> {
        let fd = a[0] as i32;
        Some(match nr {
            // setxattr, lsetxattr, fsetxattr
            5..=7 => self.xattr_set(nr, a),
            // getxattr, lgetxattr, fgetxattr, listxattr, llistxattr, flistxattr
            8..=13 => self.xattr_get(nr, a),
            // removexattr, lremovexattr, fremovexattr
            14..=16 => {
                let name = match self.cstr(a[1]) {
                    Ok(n) => n,
                    Err(e) => return Some(e),
                };
                match nr {
                    16 => host(unsafe { libc::fremovexattr(fd, name.as_ptr()) } as i64),
                    _ => match self.path(a[0]) {
                        Err(e) => e,
                        Ok(p) if nr == 14 => host(unsafe { libc::removexattr(p.as_ptr(), name.as_ptr()) } as i64),
                        Ok(p) => host(unsafe { libc::lremovexattr(p.as_ptr(), name.as_ptr()) } as i64),
                    },
                }
            }
            // sendfile, splice, copy_file_range: file offsets in and out
            // through guest pointers (`offset_arg`)
            71 => {
                let mut off = self.offset_arg(a[2]);
                // SAFETY: plain descriptors and an offset cell (or NULL).
                let r = host(unsafe { libc::sendfile(fd, a[1] as i32, off.ptr(), a[3] as usize) } as i64);
                off.finish(self, r, true)
            }
            // (an empty splice does nothing at all)
            76 if a[4] == 0 => 0,
            76 | 285 => {
                let (mut off_in, mut off_out) = (self.offset_arg(a[1]), self.offset_arg(a[3]));
                let (fd_out, len, flags) = (a[2] as i32, a[4] as usize, a[5] as u32);
                // SAFETY: as above.
                let r = host(unsafe {
                    if nr == 76 {
                        libc::splice(fd, off_in.ptr(), fd_out, off_out.ptr(), len, flags) as i64
                    } else {
                        libc::syscall(libc::SYS_copy_file_range, fd, off_in.ptr(), fd_out, off_out.ptr(), len, flags)
                    }
                });
                let back = if nr == 76 { r >= 0 } else { r > 0 };
                let r = off_in.finish(self, r, back);
                off_out.finish(self, r, back && r >= 0)
            }
            // tee
            77 => host(unsafe { libc::tee(fd, a[1] as i32, a[2] as usize, a[3] as u32) } as i64),
            // sync_file_range (the generic argument order on aarch64)
            84 => host(unsafe { libc::syscall(libc::SYS_sync_file_range, fd, a[1] as i64, a[2] as i64, a[3] as u32) }),
            // signalfd4
            74 => self.signalfd4(a[0] as i32, a[1], a[2], a[3] as i32),
            // eventfd2
            19 => {
                let r = host(unsafe { libc::eventfd(a[0] as u32, a[1] as i32) } as i64);
                set_kind(r, FD_COUNTER);
                r
            }
            // epoll_create1
            20 => host(unsafe { libc::epoll_create1(a[0] as i32) } as i64),
            // inotify_init1 (IN_NONBLOCK and IN_CLOEXEC are O_NONBLOCK and
            // O_CLOEXEC, the same on the hosts); reads convert the events
            // (`counter_for_guest`).
            26 => {
                // SAFETY: no pointers.
                let r = host(unsafe { libc::syscall(libc::SYS_inotify_init1, a[0] as i32) });
                set_kind(r, FD_INOTIFY);
                r
            }
            // inotify_add_watch (the event masks are the same everywhere)
            27 => match self.path(a[1]) {
                Err(e) => e,
                // SAFETY: a C string, NULL or a page the host cannot read.
                Ok(p) => host(unsafe { libc::syscall(libc::SYS_inotify_add_watch, fd, p.as_ptr(), a[2] as u32) }),
            },
            // inotify_rm_watch
            28 => host(unsafe { libc::syscall(libc::SYS_inotify_rm_watch, fd, a[1] as i32) }),
            // epoll_ctl
            21 => {
                // The event in host layout; NULL, or a page the host cannot
                // read, as the guest gave (the host reads it only for the
                // operations that take one, first).
                let read = self.space.read_bytes(a[3], 16);
                let mut ev = read.as_ref().map_or(libc::epoll_event { events: 0, u64: 0 }, |b| libc::epoll_event { events: le32(b, 0), u64: le64(b, 8) });
                let evp = match read {
                    _ if a[3] == 0 => std::ptr::null_mut(),
                    Some(_) => &mut ev as *mut libc::epoll_event,
                    None => crate::syscall::no_access_page() as *mut libc::epoll_event,
                };
                host(unsafe { libc::epoll_ctl(fd, a[1] as i32, a[2] as i32, evp) } as i64)
            }
            // epoll_pwait
            22 => {
                let ms = a[3] as i32;
                self.epoll_pwait(fd, a[1], a[2] as i32, (ms >= 0).then(|| Duration::from_millis(ms as u64)), a[4], a[5])
            }
            // epoll_pwait2: the timeout (a timespec; NULL waits without
            // limit) is read and checked first.
            441 => {
                match self.timeout_from_guest(a[3]) {
                    Ok(timeout) => self.epoll_pwait(fd, a[1], a[2] as i32, timeout, a[4], a[5]),
                    Err(e) => e,
                }
            }
            // statfs, fstatfs (the mount flags come from statvfs, which
            // reports them without the kernel's ST_VALID bit)
            43 | 44 => {
                let mut st: libc::statfs = unsafe { std::mem::zeroed() };
                let mut vfs: libc::statvfs = unsafe { std::mem::zeroed() };
                let r = if nr == 43 {
                    match self.path(a[0]) {
                        Err(e) => return Some(e),
                        Ok(p) => host(unsafe { if libc::statfs(p.as_ptr(), &mut st) == 0 { libc::statvfs(p.as_ptr(), &mut vfs) } else { -1 } } as i64),
                    }
                } else {
                    host(unsafe { if libc::fstatfs(fd, &mut st) == 0 { libc::fstatvfs(fd, &mut vfs) } else { -1 } } as i64)
                };
                if r < 0 {
                    return Some(r);
                }
                const ST_VALID: u64 = 0x20;
                // SAFETY: fsid_t is two ints.
                let fsid: [i32; 2] = unsafe { std::mem::transmute(st.f_fsid) };
                let mut o = Out::new(120);
                o.u64(0, st.f_type as u64);
                o.u64(8, st.f_bsize as u64);
                o.u64(16, st.f_blocks);
                o.u64(24, st.f_bfree);
                o.u64(32, st.f_bavail);
                o.u64(40, st.f_files);
                o.u64(48, st.f_ffree);
                o.u32(56, fsid[0] as u32);
                o.u32(60, fsid[1] as u32);
                o.u64(64, st.f_namelen as u64);
                o.u64(72, st.f_frsize as u64);
                o.u64(80, vfs.f_flag as u64 | ST_VALID);
                self.write_guest(a[1], &o.0)
            }
            // pselect6
            72 => self.pselect6(a),
            // ppoll
            73 => self.ppoll(a),
            // timerfd_create
            85 => {
                let r = host(unsafe { libc::timerfd_create(a[0] as i32, a[1] as i32) } as i64);
                set_kind(r, FD_COUNTER);
                r
            }
            // timerfd_settime
            86 => {
                let Some(b) = self.space.read_bytes(a[2], 32) else { return Some(EFAULT) };
                let ts = |o: usize| libc::timespec { tv_sec: le64(&b, o) as _, tv_nsec: le64(&b, o + 8) as _ };
                let new = libc::itimerspec { it_interval: ts(0), it_value: ts(16) };
                let mut old: libc::itimerspec = unsafe { std::mem::zeroed() };
                let r = host(unsafe { libc::timerfd_settime(fd, a[1] as i32, &new, &mut old) } as i64);
                if r == 0 && a[3] != 0 {
                    return Some(self.write_guest(a[3], &itimerspec_to_guest(&old)));
                }
                r
            }
            // timerfd_gettime
            87 => {
                let mut cur: libc::itimerspec = unsafe { std::mem::zeroed() };
                let r = host(unsafe { libc::timerfd_gettime(fd, &mut cur) } as i64);
                if r == 0 {
                    return Some(self.write_guest(a[1], &itimerspec_to_guest(&cur)));
                }
                r
            }
            // socket, socketpair
            198 => host(unsafe { libc::socket(a[0] as i32, a[1] as i32, a[2] as i32) } as i64),
            199 => {
                let mut sv = [0i32; 2];
                // Linux writes the two descriptors before it makes the
                // sockets: a pair the guest cannot take is EFAULT after the
                // flags are checked (the host's answer on a page it cannot
                // write).
                let out = if self.space.host_range(a[3], 8, crate::memory::PROT_WRITE).is_some() { sv.as_mut_ptr() } else { crate::syscall::no_access_page() as *mut i32 };
                let r = host(unsafe { libc::socketpair(a[0] as i32, a[1] as i32, a[2] as i32, out) } as i64);
                if r < 0 {
                    return Some(r);
                }
                let mut o = Out::new(8);
                o.u32(0, sv[0] as u32);
                o.u32(4, sv[1] as u32);
                let w = self.write_guest(a[3], &o.0);
                if w < 0 {
                    unsafe { libc::close(sv[0]) };
                    unsafe { libc::close(sv[1]) };
                }
                w
            }
            // bind, connect (bind looks the socket up first; connect the
            // descriptor, then reads the address, then wants a socket)
            200 | 203 => {
                if let Err(e) = if nr == 200 { socket_fd(fd) } else { open_fd(fd) } {
                    return Some(e);
                }
                let addr = match self.sockaddr_in(a[1], a[2]) {
                    Ok(v) => v,
                    Err(e) => return Some(e),
                };
                if let Err(e) = socket_fd(fd) {
                    return Some(e);
                }
                let p = addr.as_ptr() as *const libc::sockaddr;
                host(unsafe {
                    if nr == 200 {
                        libc::bind(fd, p, addr.len() as u32)
                    } else {
                        libc::connect(fd, p, addr.len() as u32)
                    }
                } as i64)
            }
            201 => host(unsafe { libc::listen(fd, a[1] as i32) } as i64),
            // accept, accept4, getsockname, getpeername
            202 | 242 | 204 | 205 => {
                let mut st = [0u8; 128];
                let mut len = st.len() as libc::socklen_t;
                let p = st.as_mut_ptr() as *mut libc::sockaddr;
                let r = host(unsafe {
                    match nr {
                        202 => libc::accept(fd, p, &mut len),
                        242 => libc::accept4(fd, p, &mut len, a[3] as i32),
                        204 => libc::getsockname(fd, p, &mut len),
                        _ => libc::getpeername(fd, p, &mut len),
                    }
                } as i64);
                // (getsockname and getpeername store even to a NULL address)
                if r >= 0 && (a[1] != 0 || nr == 204 || nr == 205) {
                    let w = self.sockaddr_out(&mut st[..(len as usize).min(128)], len, a[1], a[2]);
                    if w < 0 {
                        // The accepted connection is dropped, as Linux
                        // drops it when it cannot store the address.
                        if nr == 202 || nr == 242 {
                            // SAFETY: the descriptor accept just made.
                            unsafe { libc::close(r as i32) };
                        }
                        return Some(w);
                    }
                }
                r
            }
            // sendto (Linux checks the buffer's range, then the socket,
            // then the address, and reads the data last)
            206 => {
                if let Err(e) = user_range(a[1], a[2].min(MAX_RW_COUNT)).and_then(|()| socket_fd(fd)) {
                    return Some(e);
                }
                let addr = if a[4] != 0 {
                    match self.sockaddr_in(a[4], a[5]) {
                        Ok(v) => v,
                        Err(e) => return Some(e),
                    }
                } else {
                    Vec::new()
                };
                let ap = if addr.is_empty() { std::ptr::null() } else { addr.as_ptr() as *const libc::sockaddr };
                // The buffer is only read when something is sent (as
                // `with_kbuf` hands it over: a datagram the guest cannot
                // give whole fails whole).
                self.with_kbuf(a[1], a[2].min(MAX_RW_COUNT), false, |buf, len| host(unsafe { libc::sendto(fd, buf as _, len as usize, a[3] as i32, ap, addr.len() as u32) } as i64))
            }
            // recvfrom
            207 => {
                if let Err(e) = user_range(a[1], a[2].min(MAX_RW_COUNT)).and_then(|()| socket_fd(fd)) {
                    return Some(e);
                }
                // Written only when something arrives (EAGAIN or 0 at the
                // end win over EFAULT).
                let mut st = [0u8; 128];
                let mut len = st.len() as libc::socklen_t;
                let (sp, lp) = if a[4] != 0 { (st.as_mut_ptr() as *mut libc::sockaddr, &mut len as *mut _) } else { (std::ptr::null_mut(), std::ptr::null_mut()) };
                let r = self.with_kbuf(a[1], a[2].min(MAX_RW_COUNT), true, |buf, n| host(unsafe { libc::recvfrom(fd, buf as _, n as usize, a[3] as i32, sp, lp) } as i64));
                if r >= 0 && a[4] != 0 {
                    let w = self.sockaddr_out(&mut st[..(len as usize).min(128)], len, a[4], a[5]);
                    if w < 0 {
                        return Some(w);
                    }
                }
                r
            }
            // setsockopt
            208 => {
                if let Err(e) = socket_fd(fd) {
                    return Some(e);
                }
                // Linux reads as much of the value as the option takes, after
                // checking the level and the option: the host is given the
                // part the guest can read (at most 4 KiB, words in host
                // order) followed by a page it cannot read, with the
                // guest's length; a value with no readable byte is a page
                // the host cannot read.
                let len = a[4] as u32;
                // SAFETY: p holds the value as far as the guest's is
                // readable, then a page the host cannot read.
                let set = |p: *const u8| host(unsafe { libc::setsockopt(fd, a[1] as i32, a[2] as i32, p as _, len) } as i64);
                let part = self.usable_part(a[3], len as u64, false).map_or(0, |(_, n)| n.min(4096));
                match self.space.read_bytes(a[3], part as usize).filter(|_| part > 0) {
                    Some(mut v) => {
                        let word = option_words(a[1] as i32, a[2] as i32, v.len());
                        convert_words(&mut v, word, true);
                        if part == len as u64 {
                            set(v.as_ptr())
                        } else {
                            match crate::syscall::GuardedCopy::new(a[3], &v) {
                                Ok(c) => set(c.ptr),
                                Err(e) => e,
                            }
                        }
                    }
                    None => set(crate::syscall::no_access_page()),
                }
            }
            // getsockopt
            209 => {
                if let Err(e) = socket_fd(fd) {
                    return Some(e);
                }
                // The room as the guest gave it (negative: EINVAL from the
                // host), at most 4 KiB; a length the guest cannot pass is
                // one the host cannot read, so the level and option are
                // checked first.
                let mut len = 0u32;
                let lp = match self.space.read_bytes(a[4], 4) {
                    Some(lb) => {
                        len = if (le32(&lb, 0) as i32) < 0 { le32(&lb, 0) } else { le32(&lb, 0).min(4096) };
                        &mut len as *mut u32
                    }
                    None => crate::syscall::no_access_page() as *mut u32,
                };
                let mut v = vec![0u8; 4096];
                let r = host(unsafe { libc::getsockopt(fd, a[1] as i32, a[2] as i32, v.as_mut_ptr() as _, lp) } as i64);
                if r < 0 {
                    return Some(r);
                }
                v.truncate(len as usize);
                let word = option_words(a[1] as i32, a[2] as i32, v.len());
                convert_words(&mut v, word, false);
                let w = self.write_guest(a[3], &v);
                if w < 0 {
                    return Some(w);
                }
                self.write_guest(a[4], &len.to_le_bytes())
            }
            210 => host(unsafe { libc::shutdown(fd, a[1] as i32) } as i64),
            // sendmsg, recvmsg
            211 | 212 => self.msg(nr == 211, fd, a[1], a[2] as i32),
            // sendmmsg, recvmmsg
            269 => self.mmsg(true, fd, a[1], a[2] as u32, a[3] as i32, 0),
            243 => self.mmsg(false, fd, a[1], a[2] as u32, a[3] as i32, a[4]),
            _ => return None,
        })
    }

    /// `signalfd4`: a host eventfd stands for the descriptor (so poll and
    /// epoll see it readable while a signal it takes is pending); reads
    /// take the pending signals as `signalfd_siginfo` records.
    fn signalfd4(&mut self, fd: i32, mask_addr: u64, size: u64, flags: i32) -> i64 {
        // Linux's order: the mask's size, the mask, the flags, the
        // descriptor (-1 for a new one; else open, and a signalfd).
        if size != 8 {
            return EINVAL;
        }
        let Some(mask) = self.space.read_u64(mask_addr) else { return EFAULT };
        if flags & !(libc::O_NONBLOCK | 0o2000000) != 0 {
            return EINVAL;
        }
        if fd != -1 {
            if let Err(e) = open_fd(fd) {
                return e;
            }
        }
        let mask = mask & !((1 << (libc::SIGKILL - 1)) | (1 << (libc::SIGSTOP - 1)));
        let fd = if fd == -1 {
            let ef = if flags & 0o2000000 != 0 { libc::EFD_CLOEXEC } else { 0 } | if flags & libc::O_NONBLOCK != 0 { libc::EFD_NONBLOCK } else { 0 };
            let r = host(unsafe { libc::eventfd(0, ef) } as i64);
            if r < 0 {
                return r;
            }
            r as i32
        } else if crate::signal::signalfd_mask(fd).is_none() {
            return EINVAL;
        } else {
            fd
        };
        if !crate::signal::signalfd_register(fd, mask) {
            unsafe { libc::close(fd) };
            return -(libc::EMFILE as i64);
        }
        // Already pending: readable at once.
        self.signalfd_rearm(mask);
        fd as i64
    }

    /// Makes the signalfds of `mask` readable if one of its signals is
    /// pending.
    fn signalfd_rearm(&mut self, mask: u64) {
        let ready = crate::signal::pending_set(self) & mask;
        if ready != 0 {
            crate::signal::signalfd_notify(ready.trailing_zeros() as i32 + 1);
        }
    }

    /// `read` of a signalfd: one 128-byte `signalfd_siginfo` per pending
    /// signal it takes, blocking (unless O_NONBLOCK) until there is one.
    pub(crate) fn signalfd_read(&mut self, fd: i32, mask: u64, buf: u64, len: u64) -> i64 {
        if len < 128 {
            return EINVAL;
        }
        loop {
            let mut out = Vec::new();
            while out.len() + 128 <= len as usize {
                let Some(sig) = crate::signal::take_pending_in(self, mask) else { break };
                let info = crate::signal::SigInfo::pending(sig, &self.signals);
                let mut r = Out::new(128);
                r.u32(0, sig as u32);
                r.u32(8, info.code as u32);
                let (pid, uid, status) = info.sender.unwrap_or((std::process::id() as i32, unsafe { libc::getuid() }, 0));
                r.u32(12, pid as u32);
                r.u32(16, uid);
                r.u32(40, status as u32);
                out.extend(r.0);
            }
            // Drain the readiness counter; re-arm it if more is pending.
            let mut cnt = 0u64;
            let fl = unsafe { libc::fcntl(fd, libc::F_GETFL) };
            unsafe { libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK) };
            unsafe { libc::read(fd, &mut cnt as *mut u64 as *mut libc::c_void, 8) };
            unsafe { libc::fcntl(fd, libc::F_SETFL, fl) };
            self.signalfd_rearm(mask);
            if !out.is_empty() {
                let w = self.write_guest(buf, &out);
                return if w < 0 { w } else { out.len() as i64 };
            }
            if fl & libc::O_NONBLOCK != 0 {
                return -(libc::EAGAIN as i64);
            }
            // Wait for the counter (a signal it takes arriving).
            let r = unsafe { libc::read(fd, &mut cnt as *mut u64 as *mut libc::c_void, 8) };
            if r < 0 && self.deliverable_pending() {
                return -(libc::EINTR as i64);
            }
            if r == 8 {
                // Put the notification back for the next round to drain.
                unsafe { libc::write(fd, &cnt as *const u64 as *const libc::c_void, 8) };
            }
        }
    }

    fn cstr(&self, addr: u64) -> Result<std::ffi::CString, i64> {
        let raw = self.space.read_cstr(addr, 4096).ok_or(EFAULT)?;
        std::ffi::CString::new(raw).map_err(|_| EINVAL)
    }

    /// setxattr(path, name, value, size, flags) and its l/f forms.
    fn xattr_set(&mut self, nr: u64, a: &[u64; 6]) -> i64 {
        let name = match self.cstr(a[1]) {
            Ok(n) => n,
            Err(e) => return e,
        };
        if a[3] > 65536 {
            return -(libc::E2BIG as i64);
        }
        let Some(value) = self.space.read_bytes(a[2], a[3] as usize) else { return EFAULT };
        let (v, n, fl) = (value.as_ptr() as *const libc::c_void, value.len(), a[4] as i32);
        match nr {
            7 => host(unsafe { libc::fsetxattr(a[0] as i32, name.as_ptr(), v, n, fl) } as i64),
            _ => match self.path(a[0]) {
                Err(e) => e,
                Ok(p) if nr == 5 => host(unsafe { libc::setxattr(p.as_ptr(), name.as_ptr(), v, n, fl) } as i64),
                Ok(p) => host(unsafe { libc::lsetxattr(p.as_ptr(), name.as_ptr(), v, n, fl) } as i64),
            },
        }
    }

    /// getxattr(path, name, value, size) and listxattr(path, list, size),
    /// with their l/f forms. Values are opaque bytes (the kernel's own
    /// binary formats, such as POSIX ACLs, are little-endian everywhere).
    fn xattr_get(&mut self, nr: u64, a: &[u64; 6]) -> i64 {
        let list = nr >= 11;
        let (buf_addr, size) = if list { (a[1], a[2]) } else { (a[2], a[3]) };
        let buf = if size == 0 {
            std::ptr::null_mut()
        } else {
            match self.buf_mut(buf_addr, size) {
                Ok(p) => p as *mut libc::c_char,
                Err(e) => return e,
            }
        };
        let size = size as usize;
        let name = if list {
            None
        } else {
            match self.cstr(a[1]) {
                Ok(n) => Some(n),
                Err(e) => return e,
            }
        };
        let np = name.as_ref().map_or(std::ptr::null(), |n| n.as_ptr());
        if nr == 10 || nr == 13 {
            let fd = a[0] as i32;
            return host(unsafe { if list { libc::flistxattr(fd, buf, size) } else { libc::fgetxattr(fd, np, buf as _, size) } } as i64);
        }
        let p = match self.path(a[0]) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let p = p.as_ptr();
        host(unsafe {
            match nr {
                8 => libc::getxattr(p, np, buf as _, size),
                9 => libc::lgetxattr(p, np, buf as _, size),
                11 => libc::listxattr(p, buf, size),
                _ => libc::llistxattr(p, buf, size),
            }
        } as i64)
    }

    /// A guest socket address, in host layout.
    fn sockaddr_in(&self, addr: u64, len: u64) -> Result<Vec<u8>, i64> {
        // The length is a C int (Linux's move_addr_to_kernel): the
        // register's low 32 bits; negative or longer than an address is
        // EINVAL.
        let len = len as u32 as i32;
        if !(0..=128).contains(&len) {
            return Err(EINVAL);
        }
        let mut b = self.space.read_bytes(addr, len as usize).ok_or(EFAULT)?;
        convert_sockaddr(&mut b, true);
        Ok(b)
    }

    /// Writes a host socket address back to the guest: at most the guest's
    /// buffer length, and the full length to `*len_addr`.
    fn sockaddr_out(&mut self, b: &mut [u8], full_len: libc::socklen_t, addr: u64, len_addr: u64) -> i64 {
        // As Linux's move_addr_to_user: the room (an int, cut to the
        // address's length; negative is EINVAL), the address if there is
        // room for any of it, then the full length.
        let Some(lb) = self.space.read_bytes(len_addr, 4) else { return EFAULT };
        let room = (le32(&lb, 0) as i32).min(b.len() as i32);
        if room < 0 {
            return EINVAL;
        }
        convert_sockaddr(b, false);
        if room > 0 {
            let w = self.write_guest(addr, &b[..room as usize]);
            if w < 0 {
                return w;
            }
        }
        self.write_guest(len_addr, &full_len.to_le_bytes())
    }

    /// sendmsg / recvmsg: the aarch64 `struct msghdr` (56 bytes) with its
    /// name, iovecs and control messages.
    fn msg(&mut self, send: bool, fd: i32, mh: u64, flags: i32) -> i64 {
        // Linux looks the socket up before it reads the header.
        if let Err(e) = socket_fd(fd) {
            return e;
        }
        let Some(m) = self.space.read_bytes(mh, 56) else { return EFAULT };
        let (name, namelen, iov, iovlen, control, controllen) = (le64(&m, 0), le32(&m, 8), le64(&m, 16), le64(&m, 24), le64(&m, 32), le64(&m, 40));
        // Linux's checks of the header, in its order: a negative name
        // length is EINVAL (unless there is no name; a longer one than an
        // address is cut to it), the name is read (sendmsg), more than
        // UIO_MAXIOV buffers is EMSGSIZE, then the host checks the
        // iovecs. sendmsg's control data comes next: beyond INT_MAX or the
        // socket's option memory (optmem_max, 128 KiB by default; here
        // 64 KiB) ENOBUFS, then EFAULT if it cannot be read (also with no
        // pointer) — the host is given a length or a buffer that fails the
        // same way, after its iovec checks. recvmsg stores at most 64 KiB
        // of control data.
        let namelen = if name == 0 { 0 } else { namelen };
        if (namelen as i32) < 0 {
            return EINVAL;
        }
        let namelen = namelen.min(128);
        let mut name_buf = if name != 0 {
            if send {
                match self.sockaddr_in(name, namelen as u64) {
                    Ok(v) => v,
                    Err(e) => return e,
                }
            } else {
                vec![0u8; 128]
            }
        } else {
            Vec::new()
        };
        if iovlen > 1024 {
            return -(libc::EMSGSIZE as i64);
        }
        let iovs = self.iovecs(iov, iovlen, !send);
        let (mut ctl, ctl_fails) = if send && controllen != 0 {
            if controllen > 65536 {
                (Vec::new(), Some((crate::syscall::no_access_page(), controllen.max(i32::MAX as u64 + 1))))
            } else {
                match self.space.read_bytes(control, controllen as usize) {
                    Some(mut c) => {
                        convert_cmsgs(&mut c, true);
                        (c, None)
                    }
                    None => (Vec::new(), Some((crate::syscall::no_access_page(), controllen))),
                }
            }
        } else if control != 0 && !send {
            (vec![0u8; controllen.min(65536) as usize], None)
        } else {
            (Vec::new(), None)
        };
        let mut h: libc::msghdr = unsafe { std::mem::zeroed() };
        h.msg_name = if name_buf.is_empty() { std::ptr::null_mut() } else { name_buf.as_mut_ptr() as _ };
        h.msg_namelen = name_buf.len() as u32;
        let (iov_p, iov_n) = crate::syscall::iovec_arg(&iovs, iovlen);
        (h.msg_iov, h.msg_iovlen) = (iov_p as *mut libc::iovec, iov_n as _);
        (h.msg_control, h.msg_controllen) = match ctl_fails {
            Some((p, n)) => (p as _, n as _),
            None if ctl.is_empty() => (std::ptr::null_mut(), 0),
            None => (ctl.as_mut_ptr() as _, ctl.len() as _),
        };
        if send {
            return host(unsafe { libc::sendmsg(fd, &h, flags) } as i64);
        }
        let r = host(unsafe { libc::recvmsg(fd, &mut h, flags) } as i64);
        if r < 0 {
            return r;
        }
        let mut o = Out::new(56);
        o.0.copy_from_slice(&m);
        if name != 0 {
            let n = (h.msg_namelen as usize).min(name_buf.len());
            convert_sockaddr(&mut name_buf[..n], false);
            let w = self.write_guest(name, &name_buf[..n.min(namelen as usize)]);
            if w < 0 {
                return w;
            }
            o.u32(8, h.msg_namelen);
        }
        if control != 0 {
            let n = (h.msg_controllen as usize).min(ctl.len());
            convert_cmsgs(&mut ctl[..n], false);
            let w = self.write_guest(control, &ctl[..n]);
            if w < 0 {
                return w;
            }
            o.u64(40, n as u64);
        }
        o.u32(48, h.msg_flags as u32);
        let w = self.write_guest(mh, &o.0);
        if w < 0 {
            return w;
        }
        r
    }

    /// sendmmsg / recvmmsg: `msg` on each aarch64 `struct mmsghdr` (a
    /// msghdr, then the byte count `msg_len`, 64 bytes in all) in turn,
    /// in Linux's order: recvmmsg refuses MSG_CMSG_COMPAT and reads its
    /// timeout (EFAULT, EINVAL) before the socket is looked up; sendmmsg
    /// takes at most UIO_MAXIOV messages. The first failure ends the
    /// batch: the count of messages done, or the error if there are none.
    /// recvmmsg's MSG_WAITFORONE makes the messages after the first
    /// non-blocking; its timeout is looked at after each message, and the
    /// time left is written back.
    fn mmsg(&mut self, send: bool, fd: i32, vec: u64, vlen: u32, mut flags: i32, timeout: u64) -> i64 {
        const MSG_WAITFORONE: i32 = 0x10000;
        const MSG_CMSG_COMPAT: i32 = i32::MIN;
        if !send && flags & MSG_CMSG_COMPAT != 0 {
            return EINVAL;
        }
        let deadline = match self.timeout_from_guest(timeout) {
            Ok(t) => t.map(|t| Instant::now() + t),
            Err(e) => return e,
        };
        if let Err(e) = socket_fd(fd) {
            return e;
        }
        let vlen = if send { vlen.min(1024) } else { vlen };
        let (mut done, mut err) = (0u32, 0i64);
        while done < vlen {
            let entry = vec.wrapping_add(64 * done as u64);
            let r = self.msg(send, fd, entry, flags & !MSG_WAITFORONE);
            if r < 0 {
                err = r;
                break;
            }
            if self.write_guest(entry.wrapping_add(56), &(r as u32).to_le_bytes()) < 0 {
                err = EFAULT;
                break;
            }
            done += 1;
            if send {
                continue;
            }
            if flags & MSG_WAITFORONE != 0 {
                flags |= libc::MSG_DONTWAIT;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            // msg_flags (MSG_OOB ends the batch)
            if self.space.read_bytes(entry.wrapping_add(48), 4).is_some_and(|b| le32(&b, 0) as i32 & libc::MSG_OOB != 0) {
                break;
            }
        }
        if done == 0 {
            return err;
        }
        if let Some(d) = deadline {
            let left = d.saturating_duration_since(Instant::now());
            let mut o = Out::new(16);
            o.u64(0, left.as_secs());
            o.u64(8, left.subsec_nanos() as u64);
            if self.write_guest(timeout, &o.0) < 0 {
                return EFAULT;
            }
        }
        done as i64
    }

    /// The guest's signal mask argument of a wait (a sigset pointer and
    /// its size), or the current mask.
    fn wait_mask(&self, addr: u64, size: u64) -> Result<Option<u64>, i64> {
        if addr == 0 {
            return Ok(None);
        }
        if size != 8 {
            return Err(EINVAL);
        }
        let m = self.space.read_u64(addr).ok_or(EFAULT)?;
        Ok(Some(m & !((1 << (libc::SIGKILL - 1)) | (1 << (libc::SIGSTOP - 1)))))
    }

    /// Runs a host wait under the guest mask `mask` (see the module
    /// comment). `f` gets the host signal mask to wait with and the time
    /// left (None: no limit) and must return -EINTR when interrupted.
    fn wait_signals(&mut self, mask: Option<u64>, deadline: Option<Instant>, mut f: impl FnMut(*const libc::sigset_t, Option<Duration>) -> i64) -> i64 {
        let guest_mask = mask.unwrap_or(self.sigmask);
        let r = crate::signal::with_forwarded_blocked(|unblocked| loop {
            let host = crate::signal::take_host_pending_unblocked(guest_mask);
            self.absorb_host(host);
            if self.signals.pending & !guest_mask != 0 {
                return EINTR;
            }
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let r = f(unblocked, left);
            if r != EINTR {
                return r;
            }
        });
        if r == EINTR {
            if let Some(m) = mask {
                // A handler runs under the wait's mask and returns to the
                // old one, as after rt_sigsuspend.
                self.signals.saved_mask = Some(self.sigmask);
                self.sigmask = m;
            }
        }
        r
    }

    fn ppoll(&mut self, a: &[u64; 6]) -> i64 {
        // Linux's order: the timeout, the signal mask, the count, the
        // descriptors.
        let timeout = match self.timeout_from_guest(a[2]) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let mask = match self.wait_mask(a[3], a[4]) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let n = a[1] as usize;
        if n > 65536 {
            return EINVAL;
        }
        // (the array's range is checked even when it is empty)
        if user_range(a[0], n as u64 * 8).is_err() {
            return EFAULT;
        }
        let Some(raw) = self.space.read_bytes(a[0], n * 8) else { return EFAULT };
        let mut fds: Vec<libc::pollfd> = raw
            .chunks(8)
            .map(|c| libc::pollfd { fd: le32(c, 0) as i32, events: u16::from_le_bytes([c[4], c[5]]) as i16, revents: 0 })
            .collect();
        let start = Instant::now();
        let deadline = timeout.map(|t| start + t);
        let r = self.wait_signals(mask, deadline, |sigs, left| {
            let ts = left.map(|d| libc::timespec { tv_sec: d.as_secs() as _, tv_nsec: d.subsec_nanos() as _ });
            let tp = ts.as_ref().map_or(std::ptr::null(), |t| t as *const _);
            host(unsafe { libc::ppoll(fds.as_mut_ptr(), fds.len() as _, tp, sigs) } as i64)
        });
        if r >= 0 {
            let mut out = raw;
            for (i, p) in fds.iter().enumerate() {
                out[8 * i + 6..8 * i + 8].copy_from_slice(&(p.revents as u16).to_le_bytes());
            }
            let w = self.write_guest(a[0], &out);
            if w < 0 {
                return w;
            }
        }
        if let Some(t) = timeout {
            // Linux writes the time left back.
            let left = t.saturating_sub(start.elapsed());
            let _ = self.write_guest(a[2], &timespec_to_guest(&libc::timespec { tv_sec: left.as_secs() as _, tv_nsec: left.subsec_nanos() as _ }));
        }
        r
    }

    fn pselect6(&mut self, a: &[u64; 6]) -> i64 {
        // Linux's order: the timeout, the signal mask, the count (negative
        // is EINVAL; beyond the descriptor table it is cut, here to
        // FD_SETSIZE), the sets.
        let timeout = match self.timeout_from_guest(a[4]) {
            Ok(t) => t,
            Err(e) => return e,
        };
        // The sixth argument: { const sigset_t *ss; size_t ss_len; }.
        let mask = if a[5] != 0 {
            let Some(b) = self.space.read_bytes(a[5], 16) else { return EFAULT };
            match self.wait_mask(le64(&b, 0), le64(&b, 8)) {
                Ok(m) => m,
                Err(e) => return e,
            }
        } else {
            None
        };
        let n = a[0] as i32 as i64;
        if n < 0 {
            return EINVAL;
        }
        let n = n.min(libc::FD_SETSIZE as i64);
        let words = (n as usize).div_ceil(64);
        // fd_set: an array of 64-bit words, bit k of word w is fd 64w+k on
        // aarch64 (little-endian words) and on both hosts.
        let mut sets = [[0u64; 16]; 3];
        for (k, &addr) in [a[1], a[2], a[3]].iter().enumerate() {
            if addr != 0 {
                let Some(b) = self.space.read_bytes(addr, words * 8) else { return EFAULT };
                for w in 0..words {
                    sets[k][w] = le64(&b, 8 * w);
                }
            }
        }
        let start = Instant::now();
        let deadline = timeout.map(|t| start + t);
        let ptr = |s: &mut [u64; 16], present: bool| if present { s.as_mut_ptr() as *mut libc::fd_set } else { std::ptr::null_mut() };
        let present = [a[1] != 0, a[2] != 0, a[3] != 0];
        let orig = sets;
        let r = self.wait_signals(mask, deadline, |sigs, left| {
            sets = orig;
            let ts = left.map(|d| libc::timespec { tv_sec: d.as_secs() as _, tv_nsec: d.subsec_nanos() as _ });
            let tp = ts.as_ref().map_or(std::ptr::null(), |t| t as *const _);
            let [s0, s1, s2] = &mut sets;
            host(unsafe { libc::pselect(n as i32, ptr(s0, present[0]), ptr(s1, present[1]), ptr(s2, present[2]), tp, sigs) } as i64)
        });
        if r >= 0 {
            for (k, &addr) in [a[1], a[2], a[3]].iter().enumerate() {
                if addr != 0 {
                    let b: Vec<u8> = sets[k][..words].iter().flat_map(|w| w.to_le_bytes()).collect();
                    let w = self.write_guest(addr, &b);
                    if w < 0 {
                        return w;
                    }
                }
            }
        }
        if let Some(t) = timeout {
            let left = t.saturating_sub(start.elapsed());
            let _ = self.write_guest(a[4], &timespec_to_guest(&libc::timespec { tv_sec: left.as_secs() as _, tv_nsec: left.subsec_nanos() as _ }));
        }
        r
    }

    fn epoll_pwait(&mut self, epfd: i32, events: u64, max: i32, timeout: Option<Duration>, sigmask: u64, sigsize: u64) -> i64 {
        // Linux's order (6.18): the signal mask, the descriptor, the count
        // (up to INT_MAX over the event's size), the buffer's range (only
        // its range: it is written when events are ready), an epoll.
        let mask = match self.wait_mask(sigmask, sigsize) {
            Ok(m) => m,
            Err(e) => return e,
        };
        if let Err(e) = open_fd(epfd) {
            return e;
        }
        if max <= 0 || max > i32::MAX / 16 {
            return EINVAL;
        }
        if let Err(e) = user_range(events, max as u64 * 16) {
            return e;
        }
        let max = max.min(65536);
        let mut evs = vec![libc::epoll_event { events: 0, u64: 0 }; max as usize];
        let deadline = timeout.map(|t| Instant::now() + t);
        let r = self.wait_signals(mask, deadline, |sigs, left| {
            let ms = left.map_or(-1, |d| d.as_millis().min(i32::MAX as u128) as i32 + (d.subsec_nanos() % 1_000_000 != 0) as i32);
            host(unsafe { libc::epoll_pwait(epfd, evs.as_mut_ptr(), max, ms, sigs) } as i64)
        });
        if r > 0 {
            let mut o = Out::new(16 * r as usize);
            for (i, e) in evs[..r as usize].iter().enumerate() {
                let (ev, data) = (e.events, e.u64);
                o.u32(16 * i, ev);
                o.u64(16 * i + 8, data);
            }
            let w = self.write_guest(events, &o.0);
            if w < 0 {
                return w;
            }
        }
        r
    }
}

/// Linux looks the socket up before it reads an address or option from
/// the caller: EBADF for a closed descriptor, ENOTSOCK for another file.
fn socket_fd(fd: i32) -> Result<(), i64> {
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: st is a valid out-pointer.
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return Err(errno());
    }
    if st.st_mode & libc::S_IFMT != libc::S_IFSOCK {
        return Err(-(libc::ENOTSOCK as i64));
    }
    Ok(())
}

/// EBADF unless `fd` is open.
pub(crate) fn open_fd(fd: i32) -> Result<(), i64> {
    // SAFETY: F_GETFD reads the descriptor's flags only.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(errno());
    }
    Ok(())
}


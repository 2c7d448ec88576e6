//! Linux system calls of an aarch64 guest, by aarch64 (asm-generic) number.
//!
//! Every structure crossing the boundary is marshalled field by field
//! between the aarch64 layout (little-endian, LP64) and the host's: the
//! host may be big-endian s390x or little-endian x86_64. Nothing copies a
//! host structure into guest memory. Errno values are the asm-generic ones
//! on aarch64, x86_64 and s390x alike, so host errnos pass through; the
//! open flags that differ between architectures are translated.
//!
//! A bad guest pointer gives -EFAULT; an unknown system call -ENOSYS.

use crate::memory::{PAGE, PROT_EXEC, PROT_READ, PROT_WRITE};
use std::ffi::CString;
use std::path::PathBuf;
use zarm_ir::CpuState;

pub(crate) const EFAULT: i64 = -(libc::EFAULT as i64);
pub(crate) const EINVAL: i64 = -(libc::EINVAL as i64);
pub(crate) const ENOSYS: i64 = -(libc::ENOSYS as i64);
pub(crate) const ENOMEM: i64 = -(libc::ENOMEM as i64);

/// The end of the user address space of arm64 Linux with 48-bit virtual
/// addresses (TASK_SIZE): the kernel's `access_ok` refuses a guest buffer
/// beyond it even when it is empty.
pub(crate) const USER_ADDR_LIMIT: u64 = 1 << 48;

/// Linux's `access_ok` on a guest buffer: within the user address space
/// (whether mapped is found out when it is read or written).
pub(crate) fn user_range(addr: u64, len: u64) -> Result<(), i64> {
    match addr.checked_add(len) {
        Some(end) if end <= USER_ADDR_LIMIT => Ok(()),
        _ => Err(EFAULT),
    }
}

pub(crate) const EBADF: i64 = -(libc::EBADF as i64);
const F_SETSIG: i32 = 10;
const F_GETSIG: i32 = 11;

/// A host page nothing may access, mapped once: the buffer the host
/// kernel is given in place of a guest buffer the guest cannot use
/// (`Process::with_kbuf`), so that it fails exactly where Linux would.
pub(crate) fn no_access_page() -> *mut u8 {
    static PAGE_ADDR: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *PAGE_ADDR.get_or_init(|| {
        // SAFETY: a fresh anonymous mapping, never unmapped.
        let p = unsafe { libc::mmap(std::ptr::null_mut(), PAGE as usize, libc::PROT_NONE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0) };
        assert!(p != libc::MAP_FAILED, "zarm: cannot map a page: {}", std::io::Error::last_os_error());
        p as usize
    }) as *mut u8
}

/// A path argument for a host call (`Process::path`).
pub(crate) enum HostPath {
    Path(CString),
    /// The guest cannot read it: a page the host kernel cannot access
    /// (EFAULT).
    NoAccess,
    /// No NUL within PATH_MAX bytes: a string as long (ENAMETOOLONG).
    TooLong,
    /// NULL, which some calls take (utimensat, and the stat calls with
    /// AT_EMPTY_PATH since Linux 6.11): the host decides.
    Null,
}

impl HostPath {
    pub(crate) fn as_ptr(&self) -> *const libc::c_char {
        static LONG: [u8; 4097] = {
            let mut b = [b'a'; 4097];
            b[4096] = 0;
            b
        };
        match self {
            HostPath::Path(c) => c.as_ptr(),
            HostPath::NoAccess => no_access_page() as *const libc::c_char,
            HostPath::TooLong => LONG.as_ptr() as *const libc::c_char,
            HostPath::Null => std::ptr::null(),
        }
    }
}

/// A host copy of guest bytes followed by a page nothing may access, at
/// the guest address's offset in its page (`Process::with_kbuf`): the host
/// kernel can use it exactly as far as the guest can use its buffer.
/// Unmapped when dropped.
pub(crate) struct GuardedCopy {
    map: *mut libc::c_void,
    size: usize,
    /// The copy's first byte.
    pub(crate) ptr: *mut u8,
    len: usize,
}

impl GuardedCopy {
    /// `bytes` (guest bytes from `addr`) copied; an errno on failure.
    pub(crate) fn new(addr: u64, bytes: &[u8]) -> Result<GuardedCopy, i64> {
        let off = (addr % PAGE) as usize;
        let size = off + bytes.len() + PAGE as usize;
        // SAFETY: a fresh private mapping of our own, unmapped on drop.
        let map = unsafe { libc::mmap(std::ptr::null_mut(), size, libc::PROT_NONE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0) };
        if map == libc::MAP_FAILED {
            return Err(errno());
        }
        // SAFETY: all but the last page of the mapping become usable; ptr
        // points `bytes.len()` bytes before it.
        let ptr = unsafe {
            libc::mprotect(map, size - PAGE as usize, libc::PROT_READ | libc::PROT_WRITE);
            let ptr = (map as *mut u8).add(off);
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, bytes.len());
            ptr
        };
        Ok(GuardedCopy { map, size, ptr, len: bytes.len() })
    }

    /// The copy as it is now (after the host kernel wrote into it).
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: `len` readable bytes at `ptr`, ours until drop.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl Drop for GuardedCopy {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`.
        unsafe { libc::munmap(self.map, self.size) };
    }
}

/// The host iovec array and count for `Process::iovecs`' answer about
/// `cnt` guest iovecs: its entries, or (None) a page the host cannot read
/// with the guest's count, so the host fails in Linux's order.
pub(crate) fn iovec_arg(v: &Option<Vec<libc::iovec>>, cnt: u64) -> (*const libc::iovec, u64) {
    v.as_ref().map_or((no_access_page() as *const libc::iovec, cnt), |v| (v.as_ptr(), v.len() as u64))
}

/// A host buffer beyond any user address space, for a guest buffer
/// beyond the guest's: an x86_64 host's `access_ok` refuses it (EFAULT) at
/// the point Linux refuses the guest's; an s390x host, whose user and
/// kernel address spaces are separate, lets the kernel try, and its copy
/// faults (nothing maps the last page of the address space).
pub(crate) const BEYOND_USER: *mut u8 = 0xffff_ffff_ffff_f000u64 as *mut u8;

/// Guest-visible process state the system calls keep.
pub struct Process {
    /// The address space, shared with the process's other threads.
    pub space: crate::memory::SpaceRef,
    pub sysroot: Option<PathBuf>,
    /// The host path of the guest executable (`/proc/self/exe`).
    pub exe: PathBuf,
    pub strace: bool,
    /// Recorded signal dispositions: (handler, flags, restorer, mask),
    /// shared by the process's threads.
    pub sigactions: std::sync::Arc<std::sync::Mutex<[[u64; 4]; 65]>>,
    /// This thread's signal mask.
    pub sigmask: u64,
    pub tid_address: u64,
    /// Guest buffers the system call in progress lets the kernel write
    /// (`GuestSpace::pin_for_kernel`), released when it returns.
    pub kernel_pins: Vec<(u64, u64)>,
    pub signals: crate::signal::Signals,
    /// The process's threads, and this one.
    pub threads: std::sync::Arc<crate::threads::ThreadGroup>,
    pub me: std::sync::Arc<crate::threads::ThreadEntry>,
}

impl Process {
    /// The disposition of `sig`: (handler, flags, restorer, mask).
    pub fn action(&self, sig: usize) -> [u64; 4] {
        self.sigactions.lock().unwrap_or_else(|e| e.into_inner())[sig]
    }

    pub fn set_action(&self, sig: usize, a: [u64; 4]) {
        self.sigactions.lock().unwrap_or_else(|e| e.into_inner())[sig] = a;
    }
}

/// What the dispatcher does after a system call.
pub enum After {
    Continue,
    Exit(i32),
    /// The guest sent itself a signal whose action is to terminate.
    Signal(i32),
    /// `execve` of an aarch64 program: the guest is replaced.
    Exec(Box<crate::process::ExecImage>),
    /// `exit`: this thread ends (the process with its last thread).
    ThreadExit(i32),
}

/// The guest's return value for host errno `e`.
pub(crate) fn neg(e: i32) -> i64 {
    -(e as i64)
}

pub(crate) fn errno() -> i64 {
    -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO) as i64)
}

pub(crate) fn host(r: i64) -> i64 {
    if r < 0 {
        errno()
    } else {
        r
    }
}

/// aarch64 open flags whose values differ on the host.
const A64_O_DIRECTORY: i64 = 0o40000;
const A64_O_NOFOLLOW: i64 = 0o100000;
const A64_O_DIRECT: i64 = 0o200000;
const A64_O_LARGEFILE: i64 = 0o400000;

fn open_flags_to_host(f: i64) -> i32 {
    let moved = A64_O_DIRECTORY | A64_O_NOFOLLOW | A64_O_DIRECT | A64_O_LARGEFILE;
    let mut h = (f & !moved) as i32;
    if f & A64_O_DIRECTORY != 0 {
        h |= libc::O_DIRECTORY;
    }
    if f & A64_O_NOFOLLOW != 0 {
        h |= libc::O_NOFOLLOW;
    }
    if f & A64_O_DIRECT != 0 {
        h |= libc::O_DIRECT;
    }
    h
}

/// O_LARGEFILE as the x86_64 and s390x kernels report it (glibc's 64-bit
/// headers, and so the libc crate, define it as 0).
const HOST_O_LARGEFILE: i32 = 0o100000;

fn open_flags_from_host(h: i32) -> i64 {
    let moved = libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_DIRECT | HOST_O_LARGEFILE;
    let mut f = (h & !moved) as i64;
    if h & libc::O_DIRECTORY != 0 {
        f |= A64_O_DIRECTORY;
    }
    if h & libc::O_NOFOLLOW != 0 {
        f |= A64_O_NOFOLLOW;
    }
    if h & libc::O_DIRECT != 0 {
        f |= A64_O_DIRECT;
    }
    // Set by open on a 64-bit kernel (not on pipes and sockets).
    if h & HOST_O_LARGEFILE != 0 {
        f |= A64_O_LARGEFILE;
    }
    f
}

/// Little-endian struct writer for guest layouts.
pub(crate) struct Out(pub(crate) Vec<u8>);

impl Out {
    pub(crate) fn new(size: usize) -> Self {
        Out(vec![0; size])
    }
    pub(crate) fn u16(&mut self, off: usize, v: u16) {
        self.0[off..off + 2].copy_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, off: usize, v: u32) {
        self.0[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, off: usize, v: u64) {
        self.0[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }
}

/// The aarch64 `struct stat` (asm-generic, 128 bytes).
fn stat_to_guest(s: &libc::stat) -> Vec<u8> {
    let mut o = Out::new(128);
    o.u64(0, s.st_dev);
    o.u64(8, s.st_ino);
    o.u32(16, s.st_mode);
    o.u32(20, s.st_nlink as u32);
    o.u32(24, s.st_uid);
    o.u32(28, s.st_gid);
    o.u64(32, s.st_rdev);
    o.u64(48, s.st_size as u64);
    o.u32(56, s.st_blksize as u32);
    o.u64(64, s.st_blocks as u64);
    o.u64(72, s.st_atime as u64);
    o.u64(80, s.st_atime_nsec as u64);
    o.u64(88, s.st_mtime as u64);
    o.u64(96, s.st_mtime_nsec as u64);
    o.u64(104, s.st_ctime as u64);
    o.u64(112, s.st_ctime_nsec as u64);
    o.0
}

/// `struct statx` (same layout on every architecture, 256 bytes), in
/// guest byte order.
fn statx_to_guest(s: &libc::statx) -> Vec<u8> {
    let mut o = Out::new(256);
    o.u32(0, s.stx_mask);
    o.u32(4, s.stx_blksize);
    o.u64(8, s.stx_attributes);
    o.u32(16, s.stx_nlink);
    o.u32(20, s.stx_uid);
    o.u32(24, s.stx_gid);
    o.u16(28, s.stx_mode);
    o.u64(32, s.stx_ino);
    o.u64(40, s.stx_size);
    o.u64(48, s.stx_blocks);
    o.u64(56, s.stx_attributes_mask);
    for (off, t) in [(64, &s.stx_atime), (80, &s.stx_btime), (96, &s.stx_ctime), (112, &s.stx_mtime)] {
        o.u64(off, t.tv_sec as u64);
        o.u32(off + 8, t.tv_nsec);
    }
    o.u32(128, s.stx_rdev_major);
    o.u32(132, s.stx_rdev_minor);
    o.u32(136, s.stx_dev_major);
    o.u32(140, s.stx_dev_minor);
    o.0
}

pub(crate) fn timespec_to_guest(t: &libc::timespec) -> Vec<u8> {
    let mut o = Out::new(16);
    o.u64(0, t.tv_sec as u64);
    o.u64(8, t.tv_nsec as u64);
    o.0
}

impl Process {
    /// A wait's timeout argument (a guest timespec; NULL: no limit), as
    /// Linux checks it before anything else: unreadable EFAULT, a negative
    /// or out-of-range value EINVAL.
    pub(crate) fn timeout_from_guest(&self, addr: u64) -> Result<Option<std::time::Duration>, i64> {
        if addr == 0 {
            return Ok(None);
        }
        match self.timespec_from_guest(addr) {
            Some(t) if t.tv_sec >= 0 && (0..1_000_000_000).contains(&t.tv_nsec) => Ok(Some(std::time::Duration::new(t.tv_sec as u64, t.tv_nsec as u32))),
            Some(_) => Err(EINVAL),
            None => Err(EFAULT),
        }
    }

    pub(crate) fn timespec_from_guest(&self, addr: u64) -> Option<libc::timespec> {
        let b = self.space.read_bytes(addr, 16)?;
        Some(libc::timespec {
            tv_sec: i64::from_le_bytes(b[0..8].try_into().unwrap()) as _,
            tv_nsec: i64::from_le_bytes(b[8..16].try_into().unwrap()) as _,
        })
    }

    /// A guest path as a host path: absolute paths are tried in the
    /// sysroot first (qemu's `-L` semantics).
    /// A path the guest cannot pass (unreadable, or without a NUL in
    /// PATH_MAX bytes) becomes one the host kernel refuses the same way
    /// (`HostPath`), so that it checks the other arguments first, as
    /// Linux does.
    pub(crate) fn path(&self, addr: u64) -> Result<HostPath, i64> {
        if addr == 0 {
            return Ok(HostPath::Null);
        }
        let Some(raw) = self.space.read_cstr(addr, 4096) else {
            let readable = self.space.read_bytes(addr, 4096).is_some();
            return Ok(if readable { HostPath::TooLong } else { HostPath::NoAccess });
        };
        self.host_path(raw).map(HostPath::Path)
    }

    fn host_path(&self, raw: Vec<u8>) -> Result<CString, i64> {
        if raw == b"/proc/self/exe" {
            return CString::new(self.exe.as_os_str().as_encoded_bytes()).map_err(|_| EINVAL);
        }
        if raw.first() == Some(&b'/') {
            if let Some(root) = &self.sysroot {
                let mut p = root.as_os_str().as_encoded_bytes().to_vec();
                p.extend_from_slice(&raw);
                let c = CString::new(p).map_err(|_| EINVAL)?;
                // SAFETY: c is a valid C string.
                let mut st: libc::stat = unsafe { std::mem::zeroed() };
                if unsafe { libc::lstat(c.as_ptr(), &mut st) } == 0 {
                    return Ok(c);
                }
            }
        }
        CString::new(raw).map_err(|_| EINVAL)
    }

    /// The contents zarm gives a /proc file the guest opens, if it
    /// provides that file.
    fn proc_file(&self, addr: u64) -> Option<Vec<u8>> {
        let raw = self.space.read_cstr(addr, 4096)?;
        if !raw.starts_with(b"/proc/") {
            return None;
        }
        crate::procfs::contents(&self.space, &raw)
    }

    pub(crate) fn write_guest(&mut self, addr: u64, bytes: &[u8]) -> i64 {
        match self.space.write_bytes(addr, bytes) {
            Some(()) => 0,
            None => EFAULT,
        }
    }

    /// A host pointer for a guest buffer the kernel writes into during
    /// this system call (pinned writable until it returns).
    pub(crate) fn buf_mut(&mut self, addr: u64, len: u64) -> Result<*mut u8, i64> {
        user_range(addr, len)?;
        let p = self.space.host_range(addr, len, PROT_WRITE).ok_or(EFAULT)?;
        self.space.pin_for_kernel(addr, len);
        self.kernel_pins.push((addr, len));
        Ok(p)
    }

    pub(crate) fn buf(&self, addr: u64, len: u64) -> Result<*mut u8, i64> {
        user_range(addr, len)?;
        self.space.host_range(addr, len, PROT_READ).ok_or(EFAULT)
    }

    /// Runs the host call `call` on the host buffer of the guest buffer
    /// (`addr`, `len`), which the kernel writes into (`write`) or reads,
    /// with the length to give it. If the guest cannot use the whole
    /// buffer, the host gets one it can use exactly as far as the guest
    /// can (up to the first page the guest cannot use): a copy of that
    /// part followed by an inaccessible page, at the same offset in its
    /// page, with the whole length — a file that does not touch the data
    /// (/dev/null) takes it all, a transfer that does stops where Linux's
    /// would (and what the kernel wrote goes to the guest). If no byte is
    /// usable, a host page no access is allowed to: the host kernel checks
    /// everything else in Linux's order before it fails to copy — a closed
    /// descriptor, a directory, a pipe given an offset, an empty
    /// non-blocking pipe or the end of a file win over EFAULT (and nothing
    /// is consumed). A buffer beyond the user address space becomes one
    /// beyond the host's (`BEYOND_USER`), which the host's `access_ok`
    /// refuses where Linux's does.
    pub(crate) fn with_kbuf(&mut self, addr: u64, len: u64, write: bool, call: impl FnOnce(*mut u8, u64) -> i64) -> i64 {
        if let Ok(p) = if write { self.buf_mut(addr, len) } else { self.buf(addr, len) } {
            return call(p, len);
        }
        if user_range(addr, len).is_err() {
            return call(BEYOND_USER, len);
        }
        let part = self.usable_part(addr, len, write).map_or(0, |(_, n)| n);
        if part == 0 {
            return call(no_access_page(), len);
        }
        let bytes = if write { vec![0; part as usize] } else { self.space.read_bytes(addr, part as usize).unwrap_or_default() };
        let copy = match GuardedCopy::new(addr, &bytes) {
            Ok(c) => c,
            Err(e) => return e,
        };
        let r = call(copy.ptr, len);
        if write && r > 0 {
            let _ = self.space.write_bytes(addr, &copy.bytes()[..(r as u64).min(part) as usize]);
        }
        r
    }

    /// The host pointer and length of the part of the guest buffer
    /// (`addr`, `len`) before the first page the guest cannot read (or
    /// write, with `write`): all of it if it can use the whole buffer;
    /// None if that part is empty or the buffer goes beyond the user
    /// address space.
    pub(crate) fn usable_part(&mut self, addr: u64, len: u64, write: bool) -> Option<(*mut u8, u64)> {
        let get = |s: &mut Self, n: u64| if write { s.buf_mut(addr, n) } else { s.buf(addr, n) };
        if let Ok(p) = get(self, len) {
            return Some((p, len));
        }
        user_range(addr, len).ok()?;
        let need = if write { PROT_WRITE } else { PROT_READ };
        let mut end = addr & !(PAGE - 1);
        while end < addr + len && self.space.perms(end).is_some_and(|p| p & need != 0) {
            end += PAGE;
        }
        let part = end.saturating_sub(addr).min(len);
        if part == 0 {
            return None;
        }
        get(self, part).ok().map(|p| (p, part))
    }

    /// The host iovec array for `cnt` guest iovecs at `addr` the kernel
    /// writes into (`write_to_guest`) or reads, for a host call that
    /// checks them itself, in Linux's order: None if the array cannot be
    /// read or holds more than UIO_MAXIOV entries (the host call is then
    /// given an array it cannot read, or the count, and fails after the
    /// descriptor checks); a negative length stays for the host kernel to
    /// refuse, a buffer beyond the user address space is one beyond the
    /// host's (`BEYOND_USER`: refused before anything moves); the transfer
    /// stops at the first buffer the guest cannot use whole, which becomes
    /// a page the host cannot access (Linux would move its usable part
    /// first: here the transfer is shorter), and the buffers after it
    /// nothing. A single iovec's length is cut to MAX_RW_COUNT first, as
    /// Linux cuts a single buffer's.
    pub(crate) fn iovecs(&mut self, addr: u64, cnt: u64, write_to_guest: bool) -> Option<Vec<libc::iovec>> {
        if cnt > 1024 {
            return None;
        }
        let Some(raw) = self.space.read_bytes(addr, cnt as usize * 16) else {
            // Linux reads the array entry by entry: a negative length in
            // the part it can read is EINVAL before the rest is EFAULT.
            let negative = (0..cnt).map_while(|k| self.space.read_u64(addr + 16 * k + 8)).any(|len| (len as i64) < 0);
            return negative.then(|| vec![libc::iovec { iov_base: no_access_page() as _, iov_len: usize::MAX }]);
        };
        let mut v = Vec::with_capacity(cnt as usize);
        let mut stopped = false;
        for c in raw.chunks(16) {
            let base = u64::from_le_bytes(c[0..8].try_into().unwrap());
            let mut len = u64::from_le_bytes(c[8..16].try_into().unwrap());
            if cnt == 1 && (len as i64) >= 0 {
                // Linux imports a single iovec as one buffer, whose length
                // it cuts to MAX_RW_COUNT before checking its range.
                len = len.min(crate::sysio::MAX_RW_COUNT);
            }
            let (p, n) = if (len as i64) < 0 {
                (no_access_page(), len)
            } else if user_range(base, len).is_err() {
                (BEYOND_USER, len)
            } else if stopped {
                (no_access_page(), 0)
            } else {
                match self.usable_part(base, len, write_to_guest) {
                    Some((p, n)) if n == len => (p, n),
                    // Part-way usable: the host stops at its start. A
                    // shorter buffer would let it send or receive a cut
                    // datagram, where Linux fails the whole one.
                    _ => {
                        stopped = true;
                        (no_access_page(), len)
                    }
                }
            };
            v.push(libc::iovec { iov_base: p as _, iov_len: n as usize });
        }
        Some(v)
    }

    /// The pages of the page-aligned guest range `[addr, addr+len)` that
    /// are not mapped, as Linux's `madvise` and `msync` find them (ENOMEM
    /// for the call once the mapped ones are done), and the mapped ones.
    /// None for a range Linux refuses (an unaligned start, a length whose
    /// rounding overflows: EINVAL).
    fn range_pages(&self, addr: u64, len: u64) -> Option<(Vec<u64>, bool)> {
        if addr % PAGE != 0 {
            return None;
        }
        let len = len.checked_next_multiple_of(PAGE)?;
        let end = addr.checked_add(len)?;
        let mut mapped = Vec::new();
        let mut hole = false;
        if self.space.host_range(addr, len, 0).is_some() {
            mapped.push(addr);
        } else {
            // Page by page up to the end of the window (beyond it nothing
            // is mapped).
            let mut page = addr;
            while page < end.min(self.space.layout.window) {
                match self.space.perms(page) {
                    Some(_) => mapped.push(page),
                    None => hole = true,
                }
                page += PAGE;
            }
            hole |= end > self.space.layout.window || mapped.is_empty() && len > 0;
        }
        Some((mapped, hole))
    }

    /// madvise as Linux checks it: the advice first (the host kernel's
    /// set: asked with an empty range), then the range; MADV_DONTNEED
    /// zeroes private anonymous memory (the only advice with a result the
    /// guest can see that zarm emulates); unmapped pages make it ENOMEM.
    fn madvise(&mut self, addr: u64, len: u64, advice: i32) -> i64 {
        // SAFETY: an empty range advises nothing.
        if unsafe { libc::madvise(no_access_page() as _, 0, advice) } != 0 {
            return EINVAL;
        }
        let Some((mapped, hole)) = self.range_pages(addr, len) else { return EINVAL };
        if advice == libc::MADV_DONTNEED {
            if hole {
                for page in mapped {
                    self.space.discard(page, PAGE);
                }
            } else {
                self.space.discard(addr, len);
            }
        }
        if hole {
            ENOMEM
        } else {
            0
        }
    }

    /// msync: flags, alignment and range checked as Linux does; the host
    /// pages holding the guest's are synced (a shared file mapping's are
    /// the file's); unmapped pages make it ENOMEM.
    fn msync(&mut self, addr: u64, len: u64, flags: i32) -> i64 {
        let known = libc::MS_ASYNC | libc::MS_INVALIDATE | libc::MS_SYNC;
        if flags & !known != 0 || addr % PAGE != 0 || flags & libc::MS_ASYNC != 0 && flags & libc::MS_SYNC != 0 {
            return EINVAL;
        }
        // A length that rounds up past the top is 0 to Linux here: done.
        let len = len.wrapping_add(PAGE - 1) & !(PAGE - 1);
        if len == 0 {
            return 0;
        }
        if addr.checked_add(len).is_none() {
            return ENOMEM;
        }
        let Some((mapped, hole)) = self.range_pages(addr, len) else { return EINVAL };
        let pieces: Vec<(u64, u64)> = if hole { mapped.iter().map(|&p| (p, PAGE)).collect() } else { mapped.iter().map(|&p| (p, len.next_multiple_of(PAGE))).collect() };
        for (page, n) in pieces {
            if let Some(p) = self.space.host_range(page, n, 0) {
                // SAFETY: mapped pages of the guest window.
                let r = host(unsafe { libc::msync(p as _, n as usize, flags) } as i64);
                if r < 0 {
                    return r;
                }
            }
        }
        if hole {
            ENOMEM
        } else {
            0
        }
    }

    /// capget / capset on the aarch64 header (version, pid) and data (one
    /// or two triples of u32 words), checked in Linux's order: the version
    /// (an unknown one is answered with the preferred version in the
    /// header and EINVAL, or 0 for capget without data), then the pid,
    /// then the data — a capset data block the guest cannot read is given
    /// to the host as a page it cannot access, so the pid checks come
    /// first.
    fn capget_set(&mut self, set: bool, hdr: u64, data: u64) -> i64 {
        const V1: u32 = 0x1998_0330;
        const V3: u32 = 0x2008_0522;
        let Some(ver) = self.space.read_bytes(hdr, 4).map(|b| u32::from_le_bytes(b.try_into().unwrap())) else { return EFAULT };
        let words = match ver {
            V1 => 3,
            0x2007_1026 | V3 => 6,
            _ => {
                if self.space.write_u32(hdr, V3).is_none() {
                    return EFAULT;
                }
                return if !set && data == 0 { 0 } else { EINVAL };
            }
        };
        if !set && data == 0 {
            return 0;
        }
        let Some(pid) = self.space.read_bytes(hdr + 4, 4).map(|b| u32::from_le_bytes(b.try_into().unwrap())) else { return EFAULT };
        let mut h = [ver, pid];
        let mut d = [0u32; 6];
        let dp = if set {
            match self.space.read_bytes(data, words * 4) {
                Some(b) => {
                    for (w, c) in d.iter_mut().zip(b.chunks(4)) {
                        *w = u32::from_le_bytes(c.try_into().unwrap());
                    }
                    d.as_mut_ptr()
                }
                None => no_access_page() as *mut u32,
            }
        } else {
            d.as_mut_ptr()
        };
        // SAFETY: a header of two words and data of up to six (or a page
        // the kernel cannot access).
        let r = host(unsafe { libc::syscall(if set { libc::SYS_capset } else { libc::SYS_capget }, h.as_mut_ptr(), dp) });
        if r == 0 && !set {
            let out: Vec<u8> = d[..words].iter().flat_map(|w| w.to_le_bytes()).collect();
            return self.write_guest(data, &out);
        }
        r
    }

    /// mincore, checked as Linux's mm/mincore.c does: an unaligned start
    /// is EINVAL, a range beyond the user address space or with an
    /// unmapped page ENOMEM, a vector beyond it or not writable EFAULT;
    /// residency is the host's for the pages holding the guest's.
    fn mincore(&mut self, addr: u64, len: u64, vec: u64) -> i64 {
        if addr % PAGE != 0 {
            return EINVAL;
        }
        let Some(end) = addr.checked_add(len).filter(|&e| e <= USER_ADDR_LIMIT) else { return ENOMEM };
        let pages = len.div_ceil(PAGE);
        if let Err(e) = user_range(vec, pages) {
            return e;
        }
        // The mapped pages before the first hole are stored first (EFAULT
        // if the vector cannot take them), then the hole is ENOMEM, as
        // Linux stores each mapping's run before it looks at the next.
        let mut out = Vec::with_capacity(pages as usize);
        let mut page = addr;
        while page < end {
            let Some(h) = self.space.host_range(page, PAGE, 0) else { break };
            let mut resident = 0u8;
            // SAFETY: one page of the guest window, mapped.
            if unsafe { libc::mincore(h as _, PAGE as usize, &mut resident) } != 0 {
                resident = 0;
            }
            out.push(resident & 1);
            page += PAGE;
        }
        if !out.is_empty() && self.write_guest(vec, &out) < 0 {
            return EFAULT;
        }
        if page < end {
            ENOMEM
        } else {
            0
        }
    }

    /// mlock, munlock, mlock2 (`nr`) on the guest range's host pages, in
    /// Linux's order: mlock2's flags, whether the process may lock at all
    /// (the host's answer to an empty mlock: EPERM), the page-aligned
    /// range (EINVAL if it wraps, nothing to do if empty), a page the
    /// guest has not mapped (ENOMEM), and for a lock that populates
    /// (not MLOCK_ONFAULT, not munlock) a PROT_NONE page (ENOMEM: Linux
    /// locks the mappings, then cannot fault that page in).
    fn mlock(&mut self, nr: u64, addr: u64, len: u64, flags: u64) -> i64 {
        const MLOCK_ONFAULT: i32 = 1;
        let onfault = nr == 284 && flags as i32 & MLOCK_ONFAULT != 0;
        if nr == 284 && flags as i32 & !MLOCK_ONFAULT != 0 {
            return EINVAL;
        }
        let base = self.space.host_range(0, 0, 0).unwrap_or(std::ptr::null_mut());
        if nr != 229 {
            // SAFETY: an empty range locks nothing.
            let r = host(unsafe { libc::mlock(base as _, 0) } as i64);
            if r < 0 {
                return r;
            }
        }
        let start = addr & !(PAGE - 1);
        let len = len.wrapping_add(addr % PAGE).wrapping_add(PAGE - 1) & !(PAGE - 1);
        let Some(end) = start.checked_add(len) else { return EINVAL };
        if end == start {
            return 0;
        }
        let Some(p) = self.space.host_range(start, len, 0) else { return ENOMEM };
        if nr != 229 && !onfault && (start..end).step_by(PAGE as usize).any(|pg| self.space.perms(pg) == Some(0)) {
            return ENOMEM;
        }
        // SAFETY: guest pages inside the window, all mapped.
        let r = host(unsafe {
            match nr {
                228 => libc::mlock(p as _, len as usize) as i64,
                229 => libc::munlock(p as _, len as usize) as i64,
                _ => libc::syscall(libc::SYS_mlock2, p, len as usize, flags as i32),
            }
        });
        if r != ENOSYS {
            return r;
        }
        // A host without mlock2 (qemu-user 7.2 has none): the range's
        // accessible pages are locked at once, a stronger residency than
        // MLOCK_ONFAULT's (which locks pages as they are touched); its
        // PROT_NONE pages are left unlocked.
        let mut pg = start;
        while pg < end {
            if self.space.perms(pg) == Some(0) {
                pg += PAGE;
                continue;
            }
            let run = (pg..end).step_by(PAGE as usize).take_while(|&q| self.space.perms(q) != Some(0)).count() as u64 * PAGE;
            // SAFETY: mapped guest pages inside the window (checked above).
            let r = host(unsafe { libc::mlock(p.add((pg - start) as usize) as _, run as usize) } as i64);
            if r < 0 {
                return r;
            }
            pg += run;
        }
        0
    }

    /// sched_setaffinity: Linux reads `len` bytes of the mask (at most its
    /// own mask's size), an array of unsigned longs. The host is given the
    /// mask in its byte order, as far as the guest can read it (at most
    /// 8 KiB: 65,536 CPUs), followed by a page it cannot read; a mask the
    /// guest can read in full is padded with zeros to whole words, which
    /// Linux clears where the guest's length ends.
    fn sched_setaffinity(&mut self, pid: i32, len: u32, mask: u64) -> i64 {
        let want = (len as u64).min(8192);
        let part = self.usable_part(mask, want, false).map_or(0, |(_, n)| n);
        let mut bytes = self.space.read_bytes(mask, part as usize).unwrap_or_default();
        let whole = part == want;
        if whole {
            bytes.resize(bytes.len().next_multiple_of(8), 0);
        }
        for w in bytes.chunks_exact_mut(8) {
            let v = u64::from_le_bytes((&*w).try_into().unwrap());
            w.copy_from_slice(&v.to_ne_bytes());
        }
        let set = |p: *const u8, n: usize| host(unsafe { libc::syscall(libc::SYS_sched_setaffinity, pid, n, p) });
        if whole {
            set(bytes.as_ptr(), if want < len as u64 { len as usize } else { bytes.len() })
        } else if bytes.is_empty() {
            set(no_access_page(), len as usize)
        } else {
            match GuardedCopy::new(mask, &bytes) {
                Ok(c) => set(c.ptr, len as usize),
                Err(e) => e,
            }
        }
    }

    /// openat2: `struct open_how` (flags, mode, resolve: three u64s,
    /// `size` bytes of which the guest passes; more than the kernel knows
    /// must be zeros) with the open flags translated as openat's.
    fn openat2(&mut self, dirfd: i32, path: u64, how: u64, size: u64) -> i64 {
        if size < 24 {
            return EINVAL;
        }
        if size > PAGE {
            return -(libc::E2BIG as i64);
        }
        // Linux looks at the bytes beyond its structure first, in order:
        // a non-zero one before any it cannot read is E2BIG.
        let tail = (how.wrapping_add(24), size - 24);
        let readable = self.usable_part(tail.0, tail.1, false).map_or(0, |(_, n)| n);
        if self.space.read_bytes(tail.0, readable as usize).is_some_and(|t| t.iter().any(|&x| x != 0)) {
            return -(libc::E2BIG as i64);
        }
        if readable < tail.1 {
            return EFAULT;
        }
        let Some(b) = self.space.read_bytes(how, 24) else { return EFAULT };
        let word = |i: usize| u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().unwrap());
        let flags = word(0);
        // Flags beyond 32 bits are kept, for the host to refuse.
        let h = [(open_flags_to_host(flags as u32 as i64) as u32 as u64) | (flags & !0xffff_ffff), word(1), word(2)];
        match self.path(path) {
            Err(e) => e,
            // SAFETY: a path and a 24-byte open_how.
            Ok(p) => host(unsafe { libc::syscall(libc::SYS_openat2, dirfd, p.as_ptr(), h.as_ptr(), 24usize) }),
        }
    }

    fn brk(&mut self, addr: u64) -> i64 {
        let sp = &mut self.space;
        if addr <= sp.brk_start || addr >= sp.layout.mmap_min {
            return sp.brk as i64;
        }
        let old_end = sp.brk.next_multiple_of(PAGE);
        let new_end = addr.next_multiple_of(PAGE);
        if new_end > old_end {
            // Refuse to grow over an existing mapping.
            let mut a = old_end;
            while a < new_end {
                if sp.is_mapped(a) {
                    return sp.brk as i64;
                }
                a += PAGE;
            }
            if sp.map(old_end, new_end - old_end, PROT_READ | PROT_WRITE).is_err() {
                return sp.brk as i64;
            }
        } else if new_end < old_end {
            let _ = sp.unmap(new_end, old_end - new_end);
        }
        sp.brk = addr;
        addr as i64
    }

    fn mmap(&mut self, addr: u64, len: u64, prot: u64, flags: u64, fd: i64, off: u64) -> i64 {
        const MAP_FIXED: u64 = 0x10;
        const MAP_ANONYMOUS: u64 = 0x20;
        const MAP_FIXED_NOREPLACE: u64 = 0x10_0000;
        const MAP_TYPE: u64 = 0x0f;
        // Linux's order: the offset's alignment (arm64), the descriptor
        // (fget), the length, the offset's range, a fixed address's
        // alignment, the mapping type; prot bits it does not know are
        // ignored.
        if off % PAGE != 0 {
            return EINVAL;
        }
        if flags & MAP_ANONYMOUS == 0 {
            if let Err(e) = crate::sysio::open_fd(fd as i32) {
                return e;
            }
        }
        if len == 0 {
            return EINVAL;
        }
        let Some(len) = len.checked_next_multiple_of(PAGE) else { return ENOMEM };
        if (off / PAGE).checked_add(len / PAGE).is_none() {
            return -(libc::EOVERFLOW as i64);
        }
        if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 && addr % PAGE != 0 || !(1..=3).contains(&(flags & MAP_TYPE)) {
            return EINVAL;
        }
        if flags & MAP_ANONYMOUS == 0 {
            // What the file allows (its open mode, a mapping operation at
            // all, an executable mount, the flags MAP_SHARED_VALIDATE
            // knows): the host kernel's answer for the same mapping, one
            // page of it, made and dropped at once.
            let keep = MAP_TYPE | if flags & MAP_TYPE == 3 { !(MAP_FIXED | MAP_FIXED_NOREPLACE | 0x8000 | 0x2000) } else { 0 };
            // SAFETY: a fresh mapping of our own, unmapped at once.
            let m = unsafe { libc::mmap(std::ptr::null_mut(), PAGE as usize, prot as i32 & 7, (flags & keep) as i32, fd as i32, off as i64) };
            if m == libc::MAP_FAILED {
                return errno();
            }
            unsafe { libc::munmap(m, PAGE as usize) };
        }
        let prot = prot as u8 & (PROT_READ | PROT_WRITE | PROT_EXEC);
        let start = if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 {
            if addr % PAGE != 0 {
                return EINVAL;
            }
            if flags & MAP_FIXED_NOREPLACE != 0 {
                let mut a = addr;
                while a < addr.saturating_add(len) {
                    if self.space.is_mapped(a) {
                        return -(libc::EEXIST as i64);
                    }
                    a += PAGE;
                }
            }
            addr
        } else {
            let hint_free = addr >= crate::memory::MMAP_MIN_ADDR
                && addr % PAGE == 0
                && addr.checked_add(len).is_some_and(|e| e <= self.space.layout.window)
                && (0..len / PAGE).all(|k| !self.space.is_mapped(addr + k * PAGE));
            if hint_free {
                addr
            } else {
                match self.space.find_free(len) {
                    Some(a) => a,
                    None => return ENOMEM,
                }
            }
        };
        // MAP_SHARED or MAP_SHARED_VALIDATE.
        const MAP_PRIVATE: u64 = 0x02;
        if flags & MAP_ANONYMOUS != 0 && flags & MAP_TYPE != MAP_PRIVATE {
            // Shared anonymous memory stays shared with children after
            // fork: a host shared mapping of a fresh memfd.
            // SAFETY: plain calls on a descriptor owned here.
            let fd = unsafe { libc::memfd_create(c"zarm-shared-anon".as_ptr(), libc::MFD_CLOEXEC) };
            if fd < 0 {
                return errno();
            }
            if unsafe { libc::ftruncate(fd, len as i64) } != 0 {
                let e = errno();
                unsafe { libc::close(fd) };
                return e;
            }
            let r = self.space.map_shared_file(start, len, prot, fd, 0);
            unsafe { libc::close(fd) };
            return match r {
                Ok(()) => start as i64,
                Err(e) => -(e as i64),
            };
        }
        if flags & MAP_ANONYMOUS == 0 && flags & MAP_TYPE != MAP_PRIVATE {
            // A shared file mapping is a host shared mapping of the same
            // file, so writes reach it and aliases see each other.
            return match self.space.map_shared_file(start, len, prot, fd as i32, off) {
                Ok(()) => {
                    self.name_file_range(start, len, fd as i32, off);
                    start as i64
                }
                Err(e) => -(e as i64),
            };
        }
        // File contents are read into writable pages, then protected.
        let initial = if flags & MAP_ANONYMOUS == 0 { PROT_READ | PROT_WRITE } else { prot };
        if let Err(e) = self.space.map(start, len, initial) {
            return -(e as i64);
        }
        if flags & MAP_ANONYMOUS == 0 {
            // File mapping: the guest sees the file's contents (private
            // copy; writes to a MAP_SHARED mapping are not written back).
            let p = self.space.host_range(start, len, 0).unwrap();
            // SAFETY: p is valid for len bytes (mapped just now).
            let n = unsafe { libc::pread(fd as i32, p as _, len as usize, off as i64) };
            if n < 0 {
                let e = errno();
                let _ = self.space.unmap(start, len);
                return e;
            }
            let _ = self.space.protect(start, len, prot);
        }
        if flags & MAP_ANONYMOUS == 0 {
            self.name_file_range(start, len, fd as i32, off);
        }
        start as i64
    }

    /// Remembers which file backs a guest range, for `/proc/self/maps`.
    fn name_file_range(&mut self, start: u64, len: u64, fd: i32, off: u64) {
        if let Ok(host) = std::fs::read_link(format!("/proc/self/fd/{fd}")) {
            let name = crate::procfs::guest_path(&host, self.sysroot.as_deref());
            self.space.names.set(start, start + len, name, off);
        }
    }

    fn strace_line(&self, nr: u64, args: &[u64; 6], ret: i64) {
        eprintln!("{} {}({:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}) = {}", std::process::id(), name(nr), args[0], args[1], args[2], args[3], args[4], args[5], ret);
    }

    /// Performs the system call in X8 with arguments X0..X5; the result
    /// goes to X0.
    pub fn syscall(&mut self, cpu: &mut CpuState) -> After {
        let nr = cpu.x[8];
        let a: [u64; 6] = [cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3], cpu.x[4], cpu.x[5]];
        if nr == 139 {
            // rt_sigreturn: every register comes from the frame, x0 too.
            if self.strace {
                eprintln!("{} rt_sigreturn() = ?", std::process::id());
            }
            return match self.sigreturn(cpu) {
                Ok(()) => After::Continue,
                Err(sig) => After::Signal(sig),
            };
        }
        let result = match nr {
            132 => Ok(self.sigaltstack(cpu, a[0], a[1])),
            // clone: the child's registers change too.
            220 if a[0] & 0x1_0000 != 0 => Ok(self.clone_thread(cpu, a[0], a[1], a[2], a[3], a[4])),
            220 => Ok(self.clone(cpu, a[0], a[1], a[2], a[3], a[4])),
            _ => self.dispatch(nr, &a),
        };
        for (addr, len) in std::mem::take(&mut self.kernel_pins) {
            self.space.unpin_for_kernel(addr, len);
        }
        let (ret, after) = match result {
            Ok(r) => (r, After::Continue),
            Err(after) => (0, after),
        };
        if self.strace {
            match after {
                After::Continue => self.strace_line(nr, &a, ret),
                After::Exit(code) | After::ThreadExit(code) => eprintln!("{} {}({}) = ?", std::process::id(), name(nr), code),
                After::Signal(sig) => eprintln!("{} {}(...) = ? (signal {sig})", std::process::id(), name(nr)),
                After::Exec(ref img) => eprintln!("{} execve({:?}) = 0 (new aarch64 program)", std::process::id(), img.host_path),
            }
        }
        if ret == -(libc::EINTR as i64) && matches!(after, After::Continue) && !self.deliverable_pending() && !matches!(nr, 133 | 137) {
            // Interrupted by a host signal the guest blocks (zarm catches it
            // so that it stays pending): Linux would not have interrupted
            // the call, so it runs again.
            cpu.pc -= 4;
            cpu.x[0] = a[0];
            return after;
        }
        if ret == -(libc::EINTR as i64) && matches!(after, After::Continue) && self.restarts(nr) {
            // SA_RESTART: the handler runs, then the system call again
            // (its svc), with its first argument back in x0.
            cpu.pc -= 4;
            cpu.x[0] = a[0];
            return after;
        }
        cpu.x[0] = ret as u64;
        after
    }

    /// Is a signal pending that the guest does not block (from the guest,
    /// a sibling thread or the host)?
    pub(crate) fn deliverable_pending(&mut self) -> bool {
        self.take_thread_signals();
        let host = crate::signal::host_pending_bits();
        let host = if host == 0 { 0 } else { host & !self.discarded_signals() };
        (self.signals.pending | host) & !self.sigmask != 0
    }

    /// Is a system call interrupted by a host signal restarted after the
    /// handler? Yes when the signal about to be delivered has a handler
    /// with SA_RESTART and the call is one Linux restarts (not the sleeps
    /// and waits for signals that always return EINTR).
    fn restarts(&mut self, nr: u64) -> bool {
        // nanosleep, clock_nanosleep, pselect6, ppoll, epoll_pwait,
        // rt_sigsuspend, rt_sigtimedwait
        if matches!(nr, 101 | 115 | 72 | 73 | 22 | 133 | 137) {
            return false;
        }
        let host = crate::signal::take_host_pending_unblocked(self.sigmask);
        self.absorb_host(host);
        let ready = self.signals.pending & !self.sigmask;
        if ready == 0 {
            return false;
        }
        let sig = ready.trailing_zeros() as usize + 1;
        let [handler, flags, ..] = self.action(sig);
        handler > 1 && flags & crate::signal::SA_RESTART != 0
    }

    fn dispatch(&mut self, nr: u64, a: &[u64; 6]) -> Result<i64, After> {
        let fd = a[0] as i32;
        // brk, munmap, mremap, mmap, mprotect, madvise change the mapping
        // the process's threads share: one at a time.
        let _mm = matches!(nr, 214 | 215 | 216 | 222 | 226 | 233).then(|| self.space.lock());
        let r = match nr {
            // read, write, pread64, pwrite64
            63 if crate::signal::signalfd_mask(fd).is_some() => {
                let mask = crate::signal::signalfd_mask(fd).unwrap_or(0);
                self.signalfd_read(fd, mask, a[1], a[2])
            }
            63 | 64 | 67 | 68 => {
                // eventfd/timerfd counters are in host byte order: a counter
                // the guest can read is written converted (one it cannot
                // read goes as given, for the host to refuse).
                let counter = if nr == 64 && a[2] == 8 { self.space.read_bytes(a[1], 8).and_then(|b| crate::sysio::counter_for_host(fd, &b)) } else { None };
                self.with_kbuf(a[1], a[2], nr == 63 || nr == 67, |p, len| {
                    let p = counter.as_ref().map_or(p, |c| c.as_ptr() as *mut u8);
                    // SAFETY: p is valid for len bytes of guest memory, or
                    // a page the host kernel cannot access.
                    let r = host(unsafe {
                        match nr {
                            63 => libc::read(fd, p as _, len as usize),
                            64 => libc::write(fd, p as _, len as usize),
                            67 => libc::pread(fd, p as _, len as usize, a[3] as i64),
                            _ => libc::pwrite(fd, p as _, len as usize, a[3] as i64),
                        }
                    } as i64);
                    if nr == 63 && r > 0 {
                        crate::sysio::counter_for_guest(fd, p, r);
                    }
                    r
                })
            }
            // readv, writev
            65 | 66 => {
                let v = self.iovecs(a[1], a[2], nr == 65);
                let (p, n) = iovec_arg(&v, a[2]);
                let n = n as i32;
                // SAFETY: every iovec points into checked guest memory or
                // at memory the host kernel cannot access.
                host(unsafe { if nr == 65 { libc::readv(fd, p, n) } else { libc::writev(fd, p, n) } } as i64)
            }
            // preadv, pwritev, preadv2, pwritev2: the offset is one
            // register on a 64-bit kernel (the high half is ignored); the
            // RWF_* flags are the same everywhere.
            69 | 70 | 286 | 287 => {
                let read = nr == 69 || nr == 286;
                let v = self.iovecs(a[1], a[2], read);
                let (p, n) = iovec_arg(&v, a[2]);
                let host_nr = match nr {
                    69 => libc::SYS_preadv,
                    70 => libc::SYS_pwritev,
                    286 => libc::SYS_preadv2,
                    _ => libc::SYS_pwritev2,
                };
                // SAFETY: every iovec points into checked guest memory or
                // at memory the host kernel cannot access.
                host(unsafe { libc::syscall(host_nr, fd, p, n, a[3], a[4], a[5] as i32) })
            }
            // fallocate (the modes are the same everywhere)
            47 => host(unsafe { libc::syscall(libc::SYS_fallocate, fd, a[1] as i32, a[2] as i64, a[3] as i64) }),
            // fadvise64: POSIX_FADV_DONTNEED and NOREUSE are 4 and 5 on
            // arm64 but 6 and 7 on s390x (the libc constants are the
            // host's); any other advice is one no host knows (EINVAL after
            // the descriptor checks).
            223 => {
                let advice = match a[3] as i32 {
                    v @ 0..=3 => v,
                    4 => libc::POSIX_FADV_DONTNEED,
                    5 => libc::POSIX_FADV_NOREUSE,
                    _ => 100,
                };
                // SAFETY: no pointers; posix_fadvise returns the error number.
                match unsafe { libc::posix_fadvise(fd, a[1] as i64, a[2] as i64, advice) } {
                    0 => 0,
                    e => -(e as i64),
                }
            }
            // close_range: zarm keeps no descriptor of its own open while
            // the guest runs, so the host closes the range; the
            // bookkeeping of closed descriptors follows.
            436 => {
                let (first, last, flags) = (a[0] as u32, a[1] as u32, a[2] as u32);
                // SAFETY: no pointers.
                let r = host(unsafe { libc::syscall(libc::SYS_close_range, first, last, flags) });
                if r == 0 && flags & libc::CLOSE_RANGE_CLOEXEC == 0 {
                    for fd in first..=last.min(crate::sysio::FD_KINDS as u32 - 1) {
                        crate::sysio::fd_closed(fd as i32);
                    }
                }
                r
            }
            // openat
            56 if self.proc_file(a[1]).is_some() => {
                let text = self.proc_file(a[1]).unwrap_or_default();
                crate::procfs::open_text(&text, a[2] as i64 & 0o2000000 != 0)
            }
            56 => match self.path(a[1]) {
                Err(e) => e,
                // SAFETY: valid C string.
                Ok(p) => host(unsafe { libc::openat(a[0] as i32, p.as_ptr(), open_flags_to_host(a[2] as i64), a[3] as libc::c_uint) } as i64),
            },
            57 => {
                let r = host(unsafe { libc::close(fd) } as i64);
                if r == 0 {
                    crate::sysio::fd_closed(fd);
                }
                r
            }
            62 => host(unsafe { libc::lseek(fd, a[1] as i64, a[2] as i32) }),
            // fstat
            80 => {
                let mut st: libc::stat = unsafe { std::mem::zeroed() };
                // SAFETY: st is a valid out-pointer.
                let r = host(unsafe { libc::fstat(fd, &mut st) } as i64);
                if r == 0 {
                    self.write_guest(a[1], &stat_to_guest(&st))
                } else {
                    r
                }
            }
            // newfstatat
            79 => {
                let p = match self.path(a[1]) {
                    Ok(p) => p,
                    Err(e) => return Ok(e),
                };
                let mut st: libc::stat = unsafe { std::mem::zeroed() };
                // SAFETY: valid path and out-pointer.
                let r = host(unsafe { libc::fstatat(a[0] as i32, p.as_ptr(), &mut st, a[3] as i32) } as i64);
                if r == 0 {
                    self.write_guest(a[2], &stat_to_guest(&st))
                } else {
                    r
                }
            }
            // statx
            291 => {
                let p = match self.path(a[1]) {
                    Ok(p) => p,
                    Err(e) => return Ok(e),
                };
                let mut st: libc::statx = unsafe { std::mem::zeroed() };
                // SAFETY: valid path and out-pointer.
                let r = host(unsafe { libc::statx(a[0] as i32, p.as_ptr(), a[2] as i32, a[3] as u32, &mut st) } as i64);
                if r == 0 {
                    self.write_guest(a[4], &statx_to_guest(&st))
                } else {
                    r
                }
            }
            // getdents64: re-encode each linux_dirent64 in guest byte order.
            // The count is an unsigned int; entries the guest's buffer
            // cannot take are not consumed (the directory position goes
            // back), as the kernel leaves it at the entry it could not
            // copy.
            61 => {
                // (the kernel keeps the count in an int: beyond INT_MAX no
                // entry fits)
                let count = if (a[2] as u32 as i32) < 0 { 0 } else { (a[2] as u32 as usize).min(1 << 20) };
                // No entry fits in fewer than 24 bytes (an 8-aligned record
                // with a one-byte name): the kernel answers EINVAL if one is
                // left, 0 at the end. Asked with room for one, so an
                // emulator under zarm (qemu-user) cannot answer otherwise.
                const MIN_RECORD: usize = 24;
                let mut hbuf = vec![0u8; count.max(MIN_RECORD * 16)];
                let host_count = if count < MIN_RECORD { hbuf.len() } else { count };
                // SAFETY: plain lseek on the guest's descriptor.
                let pos = unsafe { libc::lseek(fd, 0, libc::SEEK_CUR) };
                let rewind = || {
                    if pos >= 0 {
                        // SAFETY: as above.
                        unsafe { libc::lseek(fd, pos, libc::SEEK_SET) };
                    }
                };
                // SAFETY: hbuf is valid for host_count bytes.
                let n = unsafe { libc::syscall(libc::SYS_getdents64, fd, hbuf.as_mut_ptr(), host_count) };
                if n < 0 {
                    errno()
                } else if count < MIN_RECORD && n > 0 {
                    rewind();
                    EINVAL
                } else {
                    let mut out = Vec::with_capacity(n as usize);
                    let mut off = 0usize;
                    while off < n as usize {
                        let ino = u64::from_ne_bytes(hbuf[off..off + 8].try_into().unwrap());
                        let doff = i64::from_ne_bytes(hbuf[off + 8..off + 16].try_into().unwrap());
                        let reclen = u16::from_ne_bytes(hbuf[off + 16..off + 18].try_into().unwrap()) as usize;
                        if reclen < 19 || off + reclen > n as usize {
                            break;
                        }
                        out.extend_from_slice(&ino.to_le_bytes());
                        out.extend_from_slice(&doff.to_le_bytes());
                        out.extend_from_slice(&(reclen as u16).to_le_bytes());
                        out.extend_from_slice(&hbuf[off + 18..off + reclen]);
                        off += reclen;
                    }
                    match self.write_guest(a[1], &out) {
                        0 => out.len() as i64,
                        e => {
                            rewind();
                            e
                        }
                    }
                }
            }
            // readlinkat (the size is an int: not positive is EINVAL,
            // before the path is looked at)
            78 if a[3] as i32 <= 0 => EINVAL,
            78 => {
                let raw = self.space.read_cstr(a[1], 4096).unwrap_or_default();
                let target: Vec<u8> = if raw == b"/proc/self/exe" {
                    std::fs::canonicalize(&self.exe).unwrap_or(self.exe.clone()).into_os_string().into_encoded_bytes()
                } else {
                    let p = match self.path(a[1]) {
                        Ok(p) => p,
                        Err(e) => return Ok(e),
                    };
                    let mut buf = vec![0u8; 4096];
                    // SAFETY: valid path and buffer.
                    let n = unsafe { libc::readlinkat(a[0] as i32, p.as_ptr(), buf.as_mut_ptr() as _, buf.len()) };
                    if n < 0 {
                        return Ok(errno());
                    }
                    buf.truncate(n as usize);
                    buf
                };
                let n = target.len().min(a[3] as i32 as usize);
                match self.write_guest(a[2], &target[..n]) {
                    0 => n as i64,
                    e => e,
                }
            }
            // faccessat, faccessat2
            48 | 439 => match self.path(a[1]) {
                Err(e) => e,
                Ok(p) => host(unsafe { libc::faccessat(a[0] as i32, p.as_ptr(), a[2] as i32, if nr == 439 { a[3] as i32 } else { 0 }) } as i64),
            },
            34 => match self.path(a[1]) {
                Err(e) => e,
                Ok(p) => host(unsafe { libc::mkdirat(a[0] as i32, p.as_ptr(), a[2] as libc::mode_t) } as i64),
            },
            35 => match self.path(a[1]) {
                Err(e) => e,
                Ok(p) => host(unsafe { libc::unlinkat(a[0] as i32, p.as_ptr(), a[2] as i32) } as i64),
            },
            // renameat, renameat2
            38 | 276 => match (self.path(a[1]), self.path(a[3])) {
                (Ok(p), Ok(q)) => host(unsafe {
                    libc::syscall(libc::SYS_renameat2, a[0] as i32, p.as_ptr(), a[2] as i32, q.as_ptr(), if nr == 276 { a[4] as u32 } else { 0 })
                }),
                (Err(e), _) | (_, Err(e)) => e,
            },
            // fcntl
            // (the descriptor is looked up before the command)
            25 if crate::sysio::open_fd(fd).is_err() => EBADF,
            25 => match a[1] as i32 {
                // (F_SETSIG and F_GETSIG: 10 and 11 on every Linux.)
                libc::F_GETFL => {
                    let r = unsafe { libc::fcntl(fd, libc::F_GETFL) };
                    if r < 0 {
                        errno()
                    } else {
                        open_flags_from_host(r)
                    }
                }
                libc::F_SETFL => host(unsafe { libc::fcntl(fd, libc::F_SETFL, open_flags_to_host(a[2] as i64)) } as i64),
                // (and the others whose argument is a number: signal
                // numbers, leases, directory notifications and memfd seals
                // have the same values on the hosts)
                libc::F_GETFD
                | libc::F_SETFD
                | libc::F_GETOWN
                | libc::F_SETOWN
                | libc::F_GETPIPE_SZ
                | libc::F_SETPIPE_SZ
                | F_GETSIG
                | F_SETSIG
                | libc::F_GETLEASE
                | libc::F_SETLEASE
                | libc::F_NOTIFY
                | libc::F_ADD_SEALS
                | libc::F_GET_SEALS => {
                    host(unsafe { libc::fcntl(fd, a[1] as i32, a[2] as libc::c_int) } as i64)
                }
                libc::F_DUPFD | libc::F_DUPFD_CLOEXEC => {
                    let r = host(unsafe { libc::fcntl(fd, a[1] as i32, a[2] as libc::c_int) } as i64);
                    crate::sysio::fd_duplicated(fd, r);
                    r
                }
                // struct flock (aarch64: l_type, l_whence as shorts, then
                // l_start, l_len, l_pid at 8, 16, 24; 32 bytes).
                libc::F_GETLK | libc::F_SETLK | libc::F_SETLKW | libc::F_OFD_GETLK | libc::F_OFD_SETLK | libc::F_OFD_SETLKW => {
                    let Some(b) = self.space.read_bytes(a[2], 32) else { return Ok(EFAULT) };
                    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
                    fl.l_type = i16::from_le_bytes([b[0], b[1]]);
                    fl.l_whence = i16::from_le_bytes([b[2], b[3]]);
                    fl.l_start = i64::from_le_bytes(b[8..16].try_into().unwrap());
                    fl.l_len = i64::from_le_bytes(b[16..24].try_into().unwrap());
                    fl.l_pid = i32::from_le_bytes(b[24..28].try_into().unwrap());
                    let r = host(unsafe { libc::fcntl(fd, a[1] as i32, &mut fl) } as i64);
                    if r == 0 && matches!(a[1] as i32, libc::F_GETLK | libc::F_OFD_GETLK) {
                        let mut o = Out::new(32);
                        o.u16(0, fl.l_type as u16);
                        o.u16(2, fl.l_whence as u16);
                        o.u64(8, fl.l_start as u64);
                        o.u64(16, fl.l_len as u64);
                        o.u32(24, fl.l_pid as u32);
                        return Ok(self.write_guest(a[2], &o.0));
                    }
                    r
                }
                _ => EINVAL,
            },
            // ioctl
            29 => self.ioctl(fd, a[1], a[2]),
            23 | 24 => {
                let r = host(unsafe { if nr == 23 { libc::dup(fd) } else { libc::dup3(fd, a[1] as i32, a[2] as i32) } } as i64);
                crate::sysio::fd_duplicated(fd, r);
                r
            }
            // pipe2
            59 => {
                let mut fds = [0i32; 2];
                let r = host(unsafe { libc::pipe2(fds.as_mut_ptr(), a[1] as i32) } as i64);
                if r == 0 {
                    let mut o = Out::new(8);
                    o.u32(0, fds[0] as u32);
                    o.u32(4, fds[1] as u32);
                    self.write_guest(a[0], &o.0)
                } else {
                    r
                }
            }
            17 => {
                // getcwd
                match std::env::current_dir() {
                    Ok(d) => {
                        let mut b = d.into_os_string().into_encoded_bytes();
                        b.push(0);
                        if b.len() > a[1] as usize {
                            -(libc::ERANGE as i64)
                        } else {
                            match self.write_guest(a[0], &b) {
                                0 => b.len() as i64,
                                e => e,
                            }
                        }
                    }
                    Err(e) => -(e.raw_os_error().unwrap_or(libc::EIO) as i64),
                }
            }
            49 => match self.path(a[0]) {
                Err(e) => e,
                Ok(p) => host(unsafe { libc::chdir(p.as_ptr()) } as i64),
            },
            50 => host(unsafe { libc::fchdir(fd) } as i64),
            166 => unsafe { libc::umask(a[0] as libc::mode_t) as i64 },
            82 => host(unsafe { libc::fsync(fd) } as i64),
            83 => host(unsafe { libc::fdatasync(fd) } as i64),
            46 => host(unsafe { libc::ftruncate(fd, a[1] as i64) } as i64),
            // getitimer, setitimer: struct itimerval is four 64-bit fields.
            102 | 103 => {
                let which = a[0] as i32;
                let mut new: libc::itimerval = unsafe { std::mem::zeroed() };
                if nr == 103 && a[1] != 0 {
                    let Some(b) = self.space.read_bytes(a[1], 32) else { return Ok(EFAULT) };
                    let f = |k: usize| i64::from_le_bytes(b[8 * k..8 * k + 8].try_into().unwrap());
                    new.it_interval = libc::timeval { tv_sec: f(0) as _, tv_usec: f(1) as _ };
                    new.it_value = libc::timeval { tv_sec: f(2) as _, tv_usec: f(3) as _ };
                }
                let mut old: libc::itimerval = unsafe { std::mem::zeroed() };
                // SAFETY: valid structures on our stack.
                let r = unsafe {
                    if nr == 102 {
                        libc::getitimer(which as _, &mut old)
                    } else {
                        libc::setitimer(which as _, &new, &mut old)
                    }
                };
                if r != 0 {
                    errno()
                } else {
                    // getitimer must be given a result pointer; setitimer
                    // need not.
                    let out_addr = if nr == 102 { a[1] } else { a[2] };
                    if out_addr != 0 || nr == 102 {
                        let mut o = Out::new(32);
                        o.u64(0, old.it_interval.tv_sec as u64);
                        o.u64(8, old.it_interval.tv_usec as u64);
                        o.u64(16, old.it_value.tv_sec as u64);
                        o.u64(24, old.it_value.tv_usec as u64);
                        self.write_guest(out_addr, &o.0)
                    } else {
                        0
                    }
                }
            }
            279 => {
                // A name the guest cannot pass (unreadable, or 250 bytes
                // without a NUL) is one the host refuses the same way,
                // after it checked the flags.
                let name = match self.space.read_cstr(a[0], 250) {
                    Some(n) => HostPath::Path(CString::new(n).unwrap_or_default()),
                    None if self.space.read_bytes(a[0], 250).is_some() => HostPath::TooLong,
                    None => HostPath::NoAccess,
                };
                // MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_HUGETLB: the same bits on both.
                host(unsafe { libc::syscall(libc::SYS_memfd_create, name.as_ptr(), a[1] as libc::c_uint) })
            }
            52 => host(unsafe { libc::fchmod(fd, a[1] as libc::mode_t) } as i64),
            // fchmodat, fchownat, fchown, truncate, flock
            53 => match self.path(a[1]) {
                Err(e) => e,
                Ok(p) => host(unsafe { libc::fchmodat(a[0] as i32, p.as_ptr(), a[2] as libc::mode_t, 0) } as i64),
            },
            54 => match self.path(a[1]) {
                Err(e) => e,
                Ok(p) => host(unsafe { libc::fchownat(a[0] as i32, p.as_ptr(), a[2] as libc::uid_t, a[3] as libc::gid_t, a[4] as i32) } as i64),
            },
            55 => host(unsafe { libc::fchown(fd, a[1] as libc::uid_t, a[2] as libc::gid_t) } as i64),
            45 => match self.path(a[0]) {
                Err(e) => e,
                Ok(p) => host(unsafe { libc::truncate(p.as_ptr(), a[1] as i64) } as i64),
            },
            32 => host(unsafe { libc::flock(fd, a[1] as i32) } as i64),
            // symlinkat(target, newdirfd, linkpath): the target is stored
            // as given (no NUL within PATH_MAX bytes: ENAMETOOLONG, by an
            // over-long string, as `HostPath::TooLong`).
            36 => {
                let target = match self.space.read_cstr(a[0], 4096) {
                    Some(t) => CString::new(t).map(HostPath::Path).map_err(|_| EINVAL),
                    None if self.space.read_bytes(a[0], 4096).is_some() => Ok(HostPath::TooLong),
                    None => Err(EFAULT),
                };
                match (target, self.path(a[2])) {
                    // SAFETY: two C strings (or NULL, a page the host
                    // cannot read).
                    (Ok(t), Ok(p)) => host(unsafe { libc::symlinkat(t.as_ptr(), a[1] as i32, p.as_ptr()) } as i64),
                    (Err(e), _) | (_, Err(e)) => e,
                }
            }
            // linkat
            37 => match (self.path(a[1]), self.path(a[3])) {
                (Ok(p), Ok(q)) => host(unsafe { libc::linkat(a[0] as i32, p.as_ptr(), a[2] as i32, q.as_ptr(), a[4] as i32) } as i64),
                (Err(e), _) | (_, Err(e)) => e,
            },
            // utimensat (a NULL path means the descriptor itself)
            88 => {
                let times = if a[2] == 0 {
                    None
                } else {
                    match (self.timespec_from_guest(a[2]), self.timespec_from_guest(a[2] + 16)) {
                        (Some(x), Some(y)) => Some([x, y]),
                        _ => return Ok(EFAULT),
                    }
                };
                let tp = times.as_ref().map_or(std::ptr::null(), |t| t.as_ptr());
                // The system call itself (glibc's wrapper refuses a NULL
                // path), which checks the flags also for a NULL path.
                match self.path(a[1]) {
                    Err(e) => e,
                    Ok(p) => host(unsafe { libc::syscall(libc::SYS_utimensat, a[0] as i32, p.as_ptr(), tp, a[3] as i32) }),
                }
            }
            // brk, mmap, munmap, mprotect, mremap, madvise
            214 => self.brk(a[0]),
            222 => self.mmap(a[0], a[1], a[2], a[3], a[4] as i32 as i64, a[5]),
            215 => {
                if a[0] % PAGE != 0 || a[1] == 0 {
                    EINVAL
                } else {
                    match self.space.unmap(a[0], a[1]) {
                        Ok(()) => 0,
                        Err(e) => -(e as i64),
                    }
                }
            }
            226 => {
                // Bits beyond PROT_READ/WRITE/EXEC/SEM are EINVAL (PROT_SEM
                // means nothing to a private mapping; GROWSDOWN/GROWSUP are
                // not emulated).
                if a[0] % PAGE != 0 || a[2] & !0xf != 0 {
                    EINVAL
                } else if a[1] == 0 {
                    0
                } else if a[1].checked_next_multiple_of(PAGE).and_then(|l| a[0].checked_add(l)).is_none_or(|e| e > self.space.layout.window) {
                    // Not mapped: Linux finds no mapping there.
                    ENOMEM
                } else {
                    match self.space.protect(a[0], a[1], a[2] as u8 & 7) {
                        Ok(()) => 0,
                        Err(e) => -(e as i64),
                    }
                }
            }
            216 => self.mremap(a[0], a[1], a[2], a[3], a[4]),
            232 => self.mincore(a[0], a[1], a[2]),
            233 => self.madvise(a[0], a[1], a[2] as i32),
            227 => self.msync(a[0], a[1], a[2] as i32),
            // clone3: glibc falls back to clone
            435 => ENOSYS,
            221 => return self.execve(a[0], a[1], a[2]),
            260 => self.wait4(a[0], a[1], a[2], a[3]),
            95 => self.waitid(a[0], a[1], a[2], a[3], a[4]),
            133 => self.sigsuspend(a[0], a[1]),
            // getrusage
            165 => {
                let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
                let r = host(unsafe { libc::getrusage(a[0] as i32, &mut ru) } as i64);
                if r == 0 {
                    self.write_guest(a[1], &crate::process::rusage_to_guest(&ru))
                } else {
                    r
                }
            }
            // times
            153 => {
                let mut t: libc::tms = unsafe { std::mem::zeroed() };
                let r = host(unsafe { libc::times(&mut t) } as i64);
                if r >= 0 && a[0] != 0 {
                    let mut o = Out::new(32);
                    for (k, v) in [t.tms_utime, t.tms_stime, t.tms_cutime, t.tms_cstime].into_iter().enumerate() {
                        o.u64(8 * k, v as u64);
                    }
                    if self.write_guest(a[0], &o.0) != 0 {
                        return Ok(EFAULT);
                    }
                }
                r
            }
            // sysinfo
            179 => {
                let mut si: libc::sysinfo = unsafe { std::mem::zeroed() };
                let r = host(unsafe { libc::sysinfo(&mut si) } as i64);
                if r == 0 {
                    // struct sysinfo of LP64: uptime, loads[3], 4 ram
                    // fields (longs), procs (u16), pad, 2 high fields,
                    // mem_unit (u32); 112 bytes.
                    let mut o = Out::new(112);
                    o.u64(0, si.uptime as u64);
                    for k in 0..3 {
                        o.u64(8 + 8 * k, si.loads[k] as u64);
                    }
                    for (k, v) in [si.totalram, si.freeram, si.sharedram, si.bufferram, si.totalswap, si.freeswap].into_iter().enumerate() {
                        o.u64(32 + 8 * k, v as u64);
                    }
                    o.u16(80, si.procs);
                    o.u64(88, si.totalhigh as u64);
                    o.u64(96, si.freehigh as u64);
                    o.u32(104, si.mem_unit);
                    self.write_guest(a[0], &o.0)
                } else {
                    r
                }
            }
            // exit, exit_group
            93 => return Err(After::ThreadExit(a[0] as i32)),
            // (The robust lists of every thread are walked as the process
            // ends: `Dispatcher::run`.)
            94 => return Err(After::Exit(a[0] as i32)),
            96 => {
                self.tid_address = a[0];
                unsafe { libc::gettid() as i64 }
            }
            // set_robust_list: the list is walked in guest memory when the
            // thread exits (threads.rs).
            99 => {
                if a[1] != 24 {
                    EINVAL
                } else {
                    self.me.robust_list.store(a[0], std::sync::atomic::Ordering::SeqCst);
                    0
                }
            }
            // get_robust_list (of this thread only)
            100 => {
                if a[0] != 0 && a[0] as i32 != self.me.tid {
                    // Another task: ESRCH if there is none (the lists of
                    // other threads and processes are not the guest's to
                    // read here).
                    // SAFETY: signal 0 only checks that the task exists.
                    if (a[0] as i32) < 0 || unsafe { libc::kill(a[0] as i32, 0) } != 0 && errno() == -(libc::ESRCH as i64) {
                        -(libc::ESRCH as i64)
                    } else {
                        -(libc::EPERM as i64)
                    }
                } else {
                    // The length first, then the head, as Linux writes them.
                    let w = self.write_guest(a[2], &24u64.to_le_bytes());
                    if w < 0 {
                        w
                    } else {
                        self.write_guest(a[1], &self.me.robust_list.load(std::sync::atomic::Ordering::SeqCst).to_le_bytes())
                    }
                }
            }
            293 => ENOSYS, // rseq: glibc copes without it
            // rt_sigaction
            134 => {
                let sig = a[0] as usize;
                // Linux's order: the set's size, the new action read, the
                // signal number.
                if a[3] != 8 {
                    EINVAL
                } else if a[1] != 0 && self.space.read_bytes(a[1], 32).is_none() {
                    EFAULT
                } else if sig == 0 || sig > 64 {
                    EINVAL
                } else {
                    let old = self.action(sig);
                    if a[1] != 0 {
                        match self.space.read_bytes(a[1], 32) {
                            None => return Ok(EFAULT),
                            Some(b) => {
                                if sig == libc::SIGKILL as usize || sig == libc::SIGSTOP as usize {
                                    return Ok(EINVAL);
                                }
                                let mut act = [0u64; 4];
                                for (k, v) in act.iter_mut().enumerate() {
                                    *v = u64::from_le_bytes(b[8 * k..8 * k + 8].try_into().unwrap());
                                }
                                self.set_action(sig, act);
                                crate::signal::mirror_disposition(sig as i32, act[0]);
                            }
                        }
                    }
                    if a[2] != 0 {
                        let mut o = Out::new(32);
                        for (k, v) in old.iter().enumerate() {
                            o.u64(8 * k, *v);
                        }
                        self.write_guest(a[2], &o.0)
                    } else {
                        0
                    }
                }
            }
            // rt_sigprocmask
            135 => {
                if a[3] != 8 {
                    return Ok(EINVAL);
                }
                let old = self.sigmask;
                if a[1] != 0 {
                    let Some(set) = self.space.read_u64(a[1]) else { return Ok(EFAULT) };
                    match a[0] {
                        0 => self.sigmask |= set,
                        1 => self.sigmask &= !set,
                        2 => self.sigmask = set,
                        _ => return Ok(EINVAL),
                    }
                }
                if a[2] != 0 {
                    self.write_guest(a[2], &old.to_le_bytes())
                } else {
                    0
                }
            }
            // rt_sigpending
            136 => {
                // Linux copies as many bytes of the set as asked for, up to
                // its size.
                if a[1] > 8 {
                    return Ok(EINVAL);
                }
                let set = crate::signal::pending_set(self);
                self.write_guest(a[0], &set.to_le_bytes()[..a[1] as usize])
            }
            // rt_sigtimedwait(set, info, timeout, size)
            137 => {
                if a[3] != 8 {
                    return Ok(EINVAL);
                }
                let Some(set) = self.space.read_u64(a[0]) else { return Ok(EFAULT) };
                let set = set & !((1 << (libc::SIGKILL - 1)) | (1 << (libc::SIGSTOP - 1)));
                let timeout = match self.timeout_from_guest(a[2]) {
                    Ok(t) => t,
                    Err(e) => return Ok(e),
                };
                match crate::signal::wait_for_signal_in(self, set, timeout) {
                    Err(()) => -(libc::EINTR as i64),
                    Ok(None) => -(libc::EAGAIN as i64),
                    Ok(Some(sig)) => {
                        if a[1] != 0 {
                            let info = crate::signal::SigInfo::pending(sig, &self.signals);
                            let w = self.write_guest(a[1], &info.to_guest());
                            if w < 0 {
                                return Ok(w);
                            }
                        }
                        sig as i64
                    }
                }
            }
            // kill, tkill, tgkill
            129 | 130 | 131 => {
                let sig = if nr == 131 { a[2] } else { a[1] } as i32;
                let target = if nr == 131 { a[1] } else { a[0] } as i32;
                let me = std::process::id() as i32;
                let tid = unsafe { libc::gettid() };
                // Linux finds the target before it checks the signal
                // number (ESRCH first); the host does for other processes.
                if nr != 129 && target <= 0 || nr == 131 && (a[0] as i32) <= 0 {
                    return Ok(EINVAL);
                }
                if nr != 129 && target != tid && (nr == 130 || a[0] as i32 == me) {
                    // Another thread of this process.
                    if let Some(r) = self.signal_thread(target, sig) {
                        return Ok(r);
                    }
                }
                if target != me && target != tid && !(nr == 129 && target == 0) {
                    // Another process (signal numbers are the same on the
                    // hosts): the host delivers it.
                    if nr == 131 && a[0] as i32 == me {
                        // Not a thread of this process the guest has (the
                        // tier's compile thread is zarm's own).
                        -(libc::ESRCH as i64)
                    } else if nr == 131 {
                        host(unsafe { libc::syscall(libc::SYS_tgkill, a[0] as i32, target, sig) })
                    } else if nr == 129 {
                        host(unsafe { libc::kill(target, sig) } as i64)
                    } else {
                        host(unsafe { libc::syscall(libc::SYS_tkill, target, sig) })
                    }
                } else if sig == 0 {
                    0
                } else if !(1..=64).contains(&sig) {
                    EINVAL
                } else {
                    // Pending until the dispatcher delivers it (before the
                    // next guest instruction if it is not blocked).
                    self.signals.pending |= 1u64 << (sig - 1);
                    self.signals.codes[sig as usize] = if nr == 129 { crate::signal::SI_USER } else { crate::signal::SI_TKILL };
                    self.signals.senders[sig as usize] = None;
                    crate::signal::signalfd_notify(sig);
                    0
                }
            }
            // getresuid, getresgid: three ids written in turn
            148 | 150 => {
                let (mut r, mut e, mut su) = (0, 0, 0);
                // SAFETY: valid out-pointers.
                unsafe {
                    if nr == 148 {
                        libc::getresuid(&mut r, &mut e, &mut su);
                    } else {
                        libc::getresgid(&mut r, &mut e, &mut su);
                    }
                }
                for (addr, v) in [(a[0], r), (a[1], e), (a[2], su)] {
                    if self.space.write_u32(addr, v).is_none() {
                        return Ok(EFAULT);
                    }
                }
                0
            }
            // getgroups: the count with a size of 0, EINVAL for a list too
            // small; setgroups (this thread's, as the kernel's call is)
            158 => {
                let size = a[0] as i32;
                // SAFETY: a query of the count.
                let n = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
                if size < 0 || size > 0 && n > size {
                    EINVAL
                } else if size == 0 || n <= 0 {
                    host(n as i64)
                } else {
                    let mut g = vec![0 as libc::gid_t; n as usize];
                    // SAFETY: g holds n entries.
                    let n = unsafe { libc::getgroups(n, g.as_mut_ptr()) };
                    let out: Vec<u8> = g[..n.max(0) as usize].iter().flat_map(|v| v.to_le_bytes()).collect();
                    match self.write_guest(a[1], &out) {
                        0 => host(n as i64),
                        e => e,
                    }
                }
            }
            159 => {
                let size = a[0] as i32;
                if !(0..=65536).contains(&size) {
                    EINVAL
                } else {
                    match self.space.read_bytes(a[1], size as usize * 4) {
                        None => EFAULT,
                        Some(b) => {
                            let g: Vec<libc::gid_t> = b.chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
                            // SAFETY: g holds size entries.
                            host(unsafe { libc::syscall(libc::SYS_setgroups, g.len(), g.as_ptr()) })
                        }
                    }
                }
            }
            // setpriority, getpriority (the kernel's 20 - nice, as the raw
            // call answers)
            140 => host(unsafe { libc::syscall(libc::SYS_setpriority, a[0] as i32, a[1] as u32, a[2] as i32) }),
            141 => host(unsafe { libc::syscall(libc::SYS_getpriority, a[0] as i32, a[1] as u32) }),
            // sched_setparam, sched_setscheduler, sched_getparam: a NULL
            // parameter or negative pid is EINVAL before the parameter
            // (an int) is read or written
            118 | 119 | 121 => {
                let param = if nr == 119 { a[2] } else { a[1] };
                if param == 0 || (a[0] as i32) < 0 {
                    EINVAL
                } else if nr == 121 {
                    let mut prio = 0i32;
                    // SAFETY: a valid out-pointer.
                    let r = host(unsafe { libc::syscall(libc::SYS_sched_getparam, a[0] as i32, &mut prio) });
                    if r == 0 {
                        self.write_guest(param, &prio.to_le_bytes())
                    } else {
                        r
                    }
                } else {
                    match self.space.read_bytes(param, 4) {
                        None => EFAULT,
                        Some(b) => {
                            let prio = i32::from_le_bytes(b.try_into().unwrap());
                            // SAFETY: a valid in-pointer.
                            host(unsafe {
                                if nr == 118 {
                                    libc::syscall(libc::SYS_sched_setparam, a[0] as i32, &prio)
                                } else {
                                    libc::syscall(libc::SYS_sched_setscheduler, a[0] as i32, a[1] as i32, &prio)
                                }
                            })
                        }
                    }
                }
            }
            // sched_getscheduler, sched_get_priority_max/min
            120 => host(unsafe { libc::syscall(libc::SYS_sched_getscheduler, a[0] as i32) }),
            125 | 126 => host(unsafe { libc::syscall(if nr == 125 { libc::SYS_sched_get_priority_max } else { libc::SYS_sched_get_priority_min }, a[0] as i32) }),
            // sched_rr_get_interval
            127 => {
                let mut t: libc::timespec = unsafe { std::mem::zeroed() };
                // SAFETY: a valid out-pointer.
                let r = host(unsafe { libc::syscall(libc::SYS_sched_rr_get_interval, a[0] as i32, &mut t) });
                if r == 0 {
                    self.write_guest(a[1], &timespec_to_guest(&t))
                } else {
                    r
                }
            }
            90 | 91 => self.capget_set(nr == 91, a[0], a[1]),
            // setregid, setgid, setreuid, setuid, setresuid, setresgid,
            // setfsuid, setfsgid: the raw calls, which change the calling
            // thread only (each guest thread is a host thread; the guest's
            // libc makes every thread call them, as glibc does on Linux);
            // ids are 32-bit (the register's upper half is not part of it).
            143 | 145 => host(unsafe { libc::syscall(if nr == 143 { libc::SYS_setregid } else { libc::SYS_setreuid }, a[0] as u32, a[1] as u32) }),
            144 | 146 | 151 | 152 => {
                let call = match nr {
                    144 => libc::SYS_setgid,
                    146 => libc::SYS_setuid,
                    151 => libc::SYS_setfsuid,
                    _ => libc::SYS_setfsgid,
                };
                // setfsuid/setfsgid answer the previous id, never an error.
                host(unsafe { libc::syscall(call, a[0] as u32) })
            }
            147 | 149 => host(unsafe { libc::syscall(if nr == 147 { libc::SYS_setresuid } else { libc::SYS_setresgid }, a[0] as u32, a[1] as u32, a[2] as u32) }),
            155 => host(unsafe { libc::syscall(libc::SYS_getpgid, a[0] as i32) }),
            156 => host(unsafe { libc::syscall(libc::SYS_getsid, a[0] as i32) }),
            // ioprio_set, ioprio_get (of processes, groups and users: the
            // host's; who 0 is the calling thread, a host thread here)
            30 => host(unsafe { libc::syscall(libc::SYS_ioprio_set, a[0] as i32, a[1] as i32, a[2] as i32) }),
            31 => host(unsafe { libc::syscall(libc::SYS_ioprio_get, a[0] as i32, a[1] as i32) }),
            81 => {
                unsafe { libc::sync() };
                0
            }
            267 => host(unsafe { libc::syncfs(a[0] as i32) } as i64),
            213 => host(unsafe { libc::syscall(libc::SYS_readahead, a[0] as i32, a[1] as i64, a[2] as usize) }),
            // personality: arm64 Linux refuses PER_LINUX32 where EL0 has
            // no AArch32, as zarm has none; the rest is the host's (the
            // flags that matter at exec, such as ADDR_NO_RANDOMIZE, are
            // kept for the host programs the guest runs; zarm places guest
            // mappings itself whatever they say).
            92 => {
                if a[0] as u32 != u32::MAX && a[0] as u32 & 0xff == 0x0008 {
                    EINVAL
                } else {
                    host(unsafe { libc::syscall(libc::SYS_personality, a[0] as u32 as libc::c_ulong) })
                }
            }
            // membarrier: guest threads are host threads of this process.
            283 => host(unsafe { libc::syscall(libc::SYS_membarrier, a[0] as i32, a[1] as u32, a[2] as i32) }),
            // mlock, munlock, mlock2
            228 | 229 | 284 => self.mlock(nr, a[0], a[1], a[2]),
            // mlockall, munlockall: the host process's mappings, the guest
            // window among them (its unmapped pages are PROT_NONE, which
            // the kernel does not populate).
            230 => host(unsafe { libc::syscall(libc::SYS_mlockall, a[0] as i32) }),
            231 => host(unsafe { libc::syscall(libc::SYS_munlockall) }),
            122 => self.sched_setaffinity(a[0] as i32, a[1] as u32, a[2]),
            // mknodat (the device number is the kernel's 32-bit encoding on
            // every architecture)
            33 => match self.path(a[1]) {
                Err(e) => e,
                Ok(p) => host(unsafe { libc::syscall(libc::SYS_mknodat, a[0] as i32, p.as_ptr(), a[2] as u32, a[3] as u32) }),
            },
            434 => host(unsafe { libc::syscall(libc::SYS_pidfd_open, a[0] as i32, a[1] as u32) }),
            438 => host(unsafe { libc::syscall(libc::SYS_pidfd_getfd, a[0] as i32, a[1] as i32, a[2] as u32) }),
            437 => self.openat2(a[0] as i32, a[1], a[2], a[3]),
            172 => unsafe { libc::getpid() as i64 },
            173 => unsafe { libc::getppid() as i64 },
            178 => unsafe { libc::gettid() as i64 },
            174 => unsafe { libc::getuid() as i64 },
            175 => unsafe { libc::geteuid() as i64 },
            176 => unsafe { libc::getgid() as i64 },
            177 => unsafe { libc::getegid() as i64 },
            160 => self.uname(a[0]),
            // clock_gettime, clock_getres
            113 | 114 => {
                let mut t: libc::timespec = unsafe { std::mem::zeroed() };
                let r = host(unsafe {
                    if nr == 113 {
                        libc::clock_gettime(a[0] as libc::clockid_t, &mut t)
                    } else {
                        libc::clock_getres(a[0] as libc::clockid_t, &mut t)
                    }
                } as i64);
                // clock_getres may be given no result pointer;
                // clock_gettime must be.
                if r == 0 && (nr == 113 || a[1] != 0) {
                    self.write_guest(a[1], &timespec_to_guest(&t))
                } else {
                    r
                }
            }
            169 => {
                let mut tv: libc::timeval = unsafe { std::mem::zeroed() };
                unsafe { libc::gettimeofday(&mut tv, std::ptr::null_mut()) };
                let mut r = 0;
                if a[0] != 0 {
                    let mut o = Out::new(16);
                    o.u64(0, tv.tv_sec as u64);
                    o.u64(8, tv.tv_usec as u64);
                    r = self.write_guest(a[0], &o.0);
                }
                // The time zone (minutes west, DST kind): the kernel's
                // sys_tz, which nothing but settimeofday sets — zeros.
                if r == 0 && a[1] != 0 {
                    r = self.write_guest(a[1], &[0; 8]);
                }
                r
            }
            // nanosleep, clock_nanosleep
            101 | 115 => {
                let (req_addr, rem_addr) = if nr == 101 { (a[0], a[1]) } else { (a[2], a[3]) };
                let Some(mut req) = self.timespec_from_guest(req_addr) else {
                    // The host kernel checks the clock and flags first.
                    let bad = no_access_page() as *const libc::timespec;
                    // SAFETY: a request the kernel cannot read: it fails
                    // without sleeping.
                    return Ok(if nr == 101 {
                        host(unsafe { libc::nanosleep(bad, std::ptr::null_mut()) } as i64)
                    } else {
                        host(unsafe { libc::syscall(libc::SYS_clock_nanosleep, a[0] as libc::clockid_t, a[1] as i32, bad, std::ptr::null_mut::<libc::timespec>()) })
                    });
                };
                let mut rem: libc::timespec = unsafe { std::mem::zeroed() };
                let r = loop {
                    let r = if nr == 101 {
                        host(unsafe { libc::nanosleep(&req, &mut rem) } as i64)
                    } else {
                        // The system call itself: glibc's wrapper refuses
                        // CLOCK_THREAD_CPUTIME_ID with EINVAL, where Linux
                        // answers EOPNOTSUPP.
                        host(unsafe { libc::syscall(libc::SYS_clock_nanosleep, a[0] as libc::clockid_t, a[1] as i32, &req, &mut rem) })
                    };
                    // A signal the guest blocks (caught to stay pending) does
                    // not end the sleep on Linux: sleep on for the rest.
                    if r == -(libc::EINTR as i64) && !self.deliverable_pending() {
                        if a[1] as i32 & libc::TIMER_ABSTIME == 0 || nr == 101 {
                            req = rem;
                        }
                        continue;
                    }
                    break r;
                };
                if r == -(libc::EINTR as i64) && rem_addr != 0 {
                    self.write_guest(rem_addr, &timespec_to_guest(&rem));
                }
                r
            }
            // getrandom
            // SAFETY: a buffer of a[1] bytes or one the kernel cannot access.
            // (a length beyond INT_MAX is cut to it first)
            278 => self.with_kbuf(a[0], a[1].min(i32::MAX as u64), true, |p, len| host(unsafe { libc::getrandom(p as _, len as usize, a[2] as u32) } as i64)),
            // prlimit64, getrlimit, setrlimit
            261 | 163 | 164 => {
                let (pid, res, new, old) = match nr {
                    261 => (a[0], a[1], a[2], a[3]),
                    163 => (0, a[0], 0, a[1]),
                    _ => (0, a[0], a[1], 0),
                };
                if pid != 0 && pid as i32 != unsafe { libc::getpid() } {
                    -(libc::EPERM as i64)
                } else if nr == 164 && new == 0 {
                    // setrlimit reads the limit before it looks at the
                    // resource: NULL is EFAULT.
                    EFAULT
                } else {
                    let mut newl: libc::rlimit64 = unsafe { std::mem::zeroed() };
                    let newp = if new != 0 {
                        match self.space.read_bytes(new, 16) {
                            None => return Ok(EFAULT),
                            Some(b) => {
                                newl.rlim_cur = u64::from_le_bytes(b[0..8].try_into().unwrap());
                                newl.rlim_max = u64::from_le_bytes(b[8..16].try_into().unwrap());
                                &newl as *const libc::rlimit64
                            }
                        }
                    } else {
                        std::ptr::null()
                    };
                    let mut oldl: libc::rlimit64 = unsafe { std::mem::zeroed() };
                    let r = host(unsafe { libc::prlimit64(0, res as _, newp, &mut oldl) } as i64);
                    // getrlimit writes even to NULL (EFAULT); prlimit64 only
                    // to a pointer given.
                    if r == 0 && (old != 0 || nr == 163) {
                        let mut o = Out::new(16);
                        o.u64(0, oldl.rlim_cur);
                        o.u64(8, oldl.rlim_max);
                        self.write_guest(old, &o.0)
                    } else {
                        r
                    }
                }
            }
            // sched_getaffinity: the mask is an array of unsigned longs; the
            // size (an unsigned int) must be a multiple of one and hold
            // every possible CPU, and the call returns the bytes written
            // (the host kernel's checks and answer, on a copy of at most
            // 8 KiB — 65,536 CPUs).
            123 => {
                // The size is an unsigned int whose count of bits Linux
                // compares with the CPUs' (the product wraps: the size it
                // effectively checks is this), at most 8 KiB here: the host
                // checks it (and qemu-user, under which a huge size is
                // allocated on the stack, never sees more).
                let size = (a[1] as u32).wrapping_mul(8) / 8;
                let size = if size % 8 != 0 { size % 8 } else { size.min(8192) };
                let mut words = vec![0u64; 1024];
                // SAFETY: words holds 8 KiB.
                let r = host(unsafe { libc::syscall(libc::SYS_sched_getaffinity, a[0] as i32, size, words.as_mut_ptr()) });
                if r < 0 {
                    r
                } else {
                    let out: Vec<u8> = words[..r as usize / 8].iter().flat_map(|w| w.to_le_bytes()).collect();
                    match self.write_guest(a[2], &out) {
                        0 => r,
                        e => e,
                    }
                }
            }
            124 => unsafe { libc::sched_yield() as i64 },
            168 => {
                // getcpu: the host's answer (the third argument is unused
                // since Linux 2.6.24); a result the guest cannot take is
                // EFAULT.
                let (mut cpu, mut node) = (0u32, 0u32);
                // SAFETY: two u32 out-pointers.
                unsafe { libc::syscall(libc::SYS_getcpu, &mut cpu, &mut node, 0usize) };
                [(a[0], cpu), (a[1], node)].into_iter().filter(|&(addr, _)| addr != 0).map(|(addr, v)| self.write_guest(addr, &v.to_le_bytes())).find(|&w| w < 0).unwrap_or(0)
            }
            98 => self.futex(a),
            167 => self.prctl(a),
            _ => self.io_syscall(nr, a).unwrap_or(ENOSYS),
        };
        Ok(r)
    }

    /// mremap of private mappings, checked in Linux's order (flags, the
    /// alignment, the lengths, a fixed target, the old range); a move
    /// copies the pages (a shared mapping moved so is no longer shared).
    fn mremap(&mut self, old: u64, old_len: u64, new_len: u64, flags: u64, new_addr: u64) -> i64 {
        const MAYMOVE: u64 = 1;
        const FIXED: u64 = 2;
        const DONTUNMAP: u64 = 4;
        if flags & !(MAYMOVE | FIXED | DONTUNMAP) != 0
            || flags & FIXED != 0 && flags & MAYMOVE == 0
            || flags & DONTUNMAP != 0 && (flags & MAYMOVE == 0 || old_len != new_len)
            || old % PAGE != 0
        {
            return EINVAL;
        }
        let (Some(mut old_len), Some(new_len)) = (old_len.checked_next_multiple_of(PAGE), new_len.checked_next_multiple_of(PAGE)) else { return EINVAL };
        if new_len == 0 {
            return EINVAL;
        }
        if flags & (FIXED | DONTUNMAP) != 0 {
            if flags & FIXED != 0 {
                if new_addr % PAGE != 0 || new_len > USER_ADDR_LIMIT || new_addr > USER_ADDR_LIMIT - new_len {
                    return EINVAL;
                }
                // The ranges may not overlap.
                if new_addr < old + old_len && old < new_addr + new_len {
                    return EINVAL;
                }
                if let Err(e) = self.space.unmap(new_addr, new_len) {
                    return -(e as i64);
                }
            }
            if old_len > new_len {
                let _ = self.space.unmap(old + new_len, old_len - new_len);
                old_len = new_len;
            }
            let Some(perm) = self.old_range(old, old_len) else { return EFAULT };
            // An empty old range duplicates a shared mapping only.
            if old_len == 0 {
                return EINVAL;
            }
            let new = if flags & FIXED != 0 {
                new_addr
            } else {
                match self.space.find_free(new_len) {
                    Some(a) => a,
                    None => return ENOMEM,
                }
            };
            return self.move_pages(old, old_len, new, new_len, perm, flags & DONTUNMAP != 0);
        }
        if new_len <= old_len {
            let _ = self.space.unmap(old + new_len, old_len - new_len);
            return old as i64;
        }
        let Some(perm) = self.old_range(old, old_len) else { return EFAULT };
        // An empty old range duplicates a shared mapping only.
        if old_len == 0 {
            return EINVAL;
        }
        // Grow in place if the pages above are free.
        if (old_len..new_len).step_by(PAGE as usize).all(|k| !self.space.is_mapped(old + k))
            && self.space.map(old + old_len, new_len - old_len, perm).is_ok()
        {
            return old as i64;
        }
        if flags & MAYMOVE == 0 {
            return ENOMEM;
        }
        let Some(new) = self.space.find_free(new_len) else { return ENOMEM };
        self.move_pages(old, old_len, new, new_len, perm, false)
    }

    /// prctl: the options whose arguments are numbers go to the host
    /// (which checks them; they act on zarm's process as they would on
    /// the guest's), those with a pointer are marshalled, the rest are
    /// EINVAL, as a kernel without them answers.
    fn prctl(&mut self, a: &[u64; 6]) -> i64 {
        let host_prctl = |opt: u64, arg2: u64| {
            // SAFETY: options taking numbers, or a host out-pointer.
            host(unsafe { libc::prctl(opt as i32, arg2 as libc::c_ulong, a[2] as libc::c_ulong, a[3] as libc::c_ulong, a[4] as libc::c_ulong) } as i64)
        };
        match a[0] as i32 {
            libc::PR_SET_PDEATHSIG
            | libc::PR_GET_DUMPABLE
            | libc::PR_SET_DUMPABLE
            | libc::PR_GET_KEEPCAPS
            | libc::PR_SET_KEEPCAPS
            | libc::PR_CAPBSET_READ
            | libc::PR_CAPBSET_DROP
            | libc::PR_GET_SECUREBITS
            | libc::PR_SET_SECUREBITS
            | libc::PR_SET_TIMERSLACK
            | libc::PR_GET_TIMERSLACK
            | libc::PR_SET_CHILD_SUBREAPER
            | libc::PR_SET_NO_NEW_PRIVS
            | libc::PR_GET_NO_NEW_PRIVS
            | libc::PR_SET_THP_DISABLE
            | libc::PR_GET_THP_DISABLE => host_prctl(a[0], a[1]),
            // An int written to the guest.
            libc::PR_GET_PDEATHSIG | libc::PR_GET_CHILD_SUBREAPER => {
                let mut v = 0i32;
                let r = host_prctl(a[0], &mut v as *mut i32 as u64);
                if r == 0 {
                    self.write_guest(a[1], &v.to_le_bytes())
                } else {
                    r
                }
            }
            // The thread's name: at most 16 bytes with the NUL.
            libc::PR_SET_NAME => {
                let mut name = [0u8; 16];
                let mut n = 0;
                while n < 15 {
                    match self.space.read_bytes(a[1] + n as u64, 1) {
                        None => return EFAULT,
                        Some(b) if b[0] == 0 => break,
                        Some(b) => name[n] = b[0],
                    }
                    n += 1;
                }
                host_prctl(a[0], name.as_ptr() as u64)
            }
            libc::PR_GET_NAME => {
                let mut name = [0u8; 16];
                let r = host_prctl(a[0], name.as_mut_ptr() as u64);
                if r == 0 {
                    self.write_guest(a[1], &name)
                } else {
                    r
                }
            }
            // The guest's clear_child_tid address (set_tid_address, clone).
            libc::PR_GET_TID_ADDRESS => self.write_guest(a[1], &self.tid_address.to_le_bytes()),
            _ => EINVAL,
        }
    }

    /// The permissions of the mapping at `old` if all of `[old,
    /// old+len)` is mapped (Linux: EFAULT otherwise).
    fn old_range(&self, old: u64, len: u64) -> Option<u8> {
        let perm = self.space.perms(old)?;
        self.space.host_range(old, len, 0)?;
        Some(perm)
    }

    /// Moves `old_len` bytes of pages at `old` to a new mapping of
    /// `new_len` at `new` with `perm`; the old pages are unmapped, or
    /// with `keep_old` (MREMAP_DONTUNMAP) left mapped and empty.
    fn move_pages(&mut self, old: u64, old_len: u64, new: u64, new_len: u64, perm: u8, keep_old: bool) -> i64 {
        if self.space.map(new, new_len, PROT_READ | PROT_WRITE).is_err() {
            return ENOMEM;
        }
        let (Some(src), Some(dst)) = (self.space.host_range(old, old_len, 0), self.space.host_range(new, old_len, 0)) else {
            return EFAULT;
        };
        // SAFETY: both ranges are mapped and distinct.
        unsafe { std::ptr::copy_nonoverlapping(src, dst, old_len as usize) };
        let _ = self.space.protect(new, new_len, perm);
        if keep_old {
            self.space.discard(old, old_len);
        } else {
            let _ = self.space.unmap(old, old_len);
        }
        new as i64
    }

    /// ioctl: the requests whose argument zarm knows, with the argument
    /// in the guest's byte order (request numbers and termios flags are
    /// the same on arm64 and the hosts). An argument the kernel reads is
    /// the guest's bytes, or a page the host cannot read (so the host's
    /// descriptor checks come first, as on Linux); one it writes comes
    /// back to the guest after the host call (EFAULT if the guest cannot
    /// take it). Other requests: EBADF for a bad descriptor, else ENOTTY —
    /// an unknown argument is never handed to the host.
    fn ioctl(&mut self, fd: i32, req: u64, arg: u64) -> i64 {
        /// How a request's argument travels: bytes, of which the first
        /// `words` are words of `size` bytes (converted between byte
        /// orders).
        enum Arg {
            /// An integer, or nothing.
            Value,
            In { len: usize, words: usize, size: usize },
            Out { len: usize, words: usize, size: usize },
        }
        const INT_IN: Arg = Arg::In { len: 4, words: 4, size: 4 };
        const INT_OUT: Arg = Arg::Out { len: 4, words: 4, size: 4 };
        // struct termios (asm-generic): 4 flag words, c_line, c_cc[19].
        const TERMIOS_IN: Arg = Arg::In { len: 36, words: 16, size: 4 };
        const TERMIOS_OUT: Arg = Arg::Out { len: 36, words: 16, size: 4 };
        let req = req as u32;
        let how = match req {
            // TCSBRK, TCXONC, TCFLSH, TIOCSCTTY, TIOCNOTTY, FIONCLEX, FIOCLEX
            0x5409 | 0x540A | 0x540B | 0x540E | 0x5422 | 0x5450 | 0x5451 => Arg::Value,
            // TCGETS; TCSETS, TCSETSW, TCSETSF
            0x5401 => TERMIOS_OUT,
            0x5402..=0x5404 => TERMIOS_IN,
            // TIOCGWINSZ, TIOCSWINSZ: four u16
            0x5413 => Arg::Out { len: 8, words: 8, size: 2 },
            0x5414 => Arg::In { len: 8, words: 8, size: 2 },
            // TIOCGPGRP, TIOCOUTQ, FIONREAD, TIOCGSID, FIGETBSZ, FS_IOC_GETFLAGS
            0x540F | 0x5411 | 0x541B | 0x5429 | 0x2 | 0x8008_6601 => INT_OUT,
            // TIOCSPGRP, FIONBIO, FIOASYNC, FS_IOC_SETFLAGS
            0x5410 | 0x5421 | 0x5452 | 0x4008_6602 => INT_IN,
            _ => {
                // SAFETY: no pointers.
                return if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 { errno() } else { -(libc::ENOTTY as i64) };
            }
        };
        let swap = |b: &mut [u8], words: usize, size: usize, to_host: bool| {
            for w in b[..words].chunks_exact_mut(size) {
                let v = match (size, to_host) {
                    (2, true) => u16::from_le_bytes([w[0], w[1]]).to_ne_bytes().to_vec(),
                    (2, false) => u16::from_ne_bytes([w[0], w[1]]).to_le_bytes().to_vec(),
                    (_, true) => u32::from_le_bytes(w.try_into().unwrap()).to_ne_bytes().to_vec(),
                    (_, false) => u32::from_ne_bytes(w.try_into().unwrap()).to_le_bytes().to_vec(),
                };
                w.copy_from_slice(&v);
            }
        };
        // Room for the host kernel's largest argument here (its termios
        // may be longer than the 36 bytes it reads and writes).
        let mut buf = [0u8; 64];
        let p: *mut u8 = match how {
            Arg::Value => arg as *mut u8,
            Arg::Out { .. } => buf.as_mut_ptr(),
            Arg::In { len, words, size } => match self.space.read_bytes(arg, len) {
                Some(b) => {
                    buf[..len].copy_from_slice(&b);
                    swap(&mut buf, words, size, true);
                    buf.as_mut_ptr()
                }
                None => no_access_page(),
            },
        };
        // SAFETY: p is an integer the request takes as one, our buffer, or
        // a page the host cannot access.
        let r = host(unsafe { libc::ioctl(fd, req as _, p) } as i64);
        match how {
            Arg::Out { len, words, size } if r >= 0 => {
                swap(&mut buf, words, size, false);
                match self.write_guest(arg, &buf[..len]) {
                    0 => r,
                    e => e,
                }
            }
            _ => r,
        }
    }

    fn uname(&mut self, addr: u64) -> i64 {
        let mut u: libc::utsname = unsafe { std::mem::zeroed() };
        unsafe { libc::uname(&mut u) };
        let field = |f: &[libc::c_char]| -> Vec<u8> {
            let mut v: Vec<u8> = f.iter().map(|&c| c as u8).collect();
            v.resize(65, 0);
            v
        };
        let mut out = Vec::with_capacity(65 * 6);
        out.extend(field(&u.sysname));
        out.extend(field(&u.nodename));
        out.extend(field(&u.release));
        out.extend(field(&u.version));
        let mut machine = b"aarch64".to_vec();
        machine.resize(65, 0);
        out.extend(machine);
        out.extend(field(&u.domainname));
        self.write_guest(addr, &out)
    }
}

/// The aarch64 name of a system call number, for `--strace`.
pub fn name(nr: u64) -> String {
    let n = match nr {
        5 => "setxattr",
        6 => "lsetxattr",
        7 => "fsetxattr",
        8 => "getxattr",
        9 => "lgetxattr",
        10 => "fgetxattr",
        11 => "listxattr",
        12 => "llistxattr",
        13 => "flistxattr",
        14 => "removexattr",
        15 => "lremovexattr",
        16 => "fremovexattr",
        19 => "eventfd2",
        74 => "signalfd4",
        20 => "epoll_create1",
        21 => "epoll_ctl",
        22 => "epoll_pwait",
        43 => "statfs",
        44 => "fstatfs",
        72 => "pselect6",
        73 => "ppoll",
        85 => "timerfd_create",
        86 => "timerfd_settime",
        87 => "timerfd_gettime",
        198 => "socket",
        199 => "socketpair",
        200 => "bind",
        201 => "listen",
        202 => "accept",
        203 => "connect",
        204 => "getsockname",
        205 => "getpeername",
        206 => "sendto",
        207 => "recvfrom",
        208 => "setsockopt",
        209 => "getsockopt",
        210 => "shutdown",
        211 => "sendmsg",
        212 => "recvmsg",
        242 => "accept4",
        17 => "getcwd",
        220 => "clone",
        53 => "fchmodat",
        54 => "fchownat",
        55 => "fchown",
        45 => "truncate",
        32 => "flock",
        36 => "symlinkat",
        37 => "linkat",
        88 => "utimensat",
        221 => "execve",
        260 => "wait4",
        95 => "waitid",
        133 => "rt_sigsuspend",
        165 => "getrusage",
        153 => "times",
        179 => "sysinfo",
        435 => "clone3",
        23 => "dup",
        24 => "dup3",
        25 => "fcntl",
        29 => "ioctl",
        34 => "mkdirat",
        35 => "unlinkat",
        38 => "renameat",
        46 => "ftruncate",
        102 => "getitimer",
        103 => "setitimer",
        132 => "sigaltstack",
        139 => "rt_sigreturn",
        279 => "memfd_create",
        48 => "faccessat",
        49 => "chdir",
        56 => "openat",
        57 => "close",
        59 => "pipe2",
        61 => "getdents64",
        62 => "lseek",
        63 => "read",
        64 => "write",
        65 => "readv",
        26 => "inotify_init1",
        27 => "inotify_add_watch",
        28 => "inotify_rm_watch",
        47 => "fallocate",
        69 => "preadv",
        70 => "pwritev",
        168 => "getcpu",
        223 => "fadvise64",
        286 => "preadv2",
        287 => "pwritev2",
        436 => "close_range",
        66 => "writev",
        67 => "pread64",
        68 => "pwrite64",
        78 => "readlinkat",
        79 => "newfstatat",
        80 => "fstat",
        93 => "exit",
        94 => "exit_group",
        96 => "set_tid_address",
        98 => "futex",
        99 => "set_robust_list",
        100 => "get_robust_list",
        101 => "nanosleep",
        113 => "clock_gettime",
        114 => "clock_getres",
        115 => "clock_nanosleep",
        71 => "sendfile",
        76 => "splice",
        77 => "tee",
        84 => "sync_file_range",
        90 => "capget",
        91 => "capset",
        118 => "sched_setparam",
        119 => "sched_setscheduler",
        120 => "sched_getscheduler",
        121 => "sched_getparam",
        125 => "sched_get_priority_max",
        126 => "sched_get_priority_min",
        127 => "sched_rr_get_interval",
        140 => "setpriority",
        141 => "getpriority",
        148 => "getresuid",
        150 => "getresgid",
        158 => "getgroups",
        159 => "setgroups",
        227 => "msync",
        285 => "copy_file_range",
        123 => "sched_getaffinity",
        124 => "sched_yield",
        129 => "kill",
        131 => "tgkill",
        134 => "rt_sigaction",
        135 => "rt_sigprocmask",
        136 => "rt_sigpending",
        137 => "rt_sigtimedwait",
        160 => "uname",
        163 => "getrlimit",
        167 => "prctl",
        169 => "gettimeofday",
        172 => "getpid",
        178 => "gettid",
        214 => "brk",
        215 => "munmap",
        216 => "mremap",
        222 => "mmap",
        226 => "mprotect",
        232 => "mincore",
        233 => "madvise",
        261 => "prlimit64",
        276 => "renameat2",
        278 => "getrandom",
        291 => "statx",
        293 => "rseq",
        439 => "faccessat2",
        30 => "ioprio_set",
        31 => "ioprio_get",
        33 => "mknodat",
        81 => "sync",
        92 => "personality",
        122 => "sched_setaffinity",
        143 => "setregid",
        144 => "setgid",
        145 => "setreuid",
        146 => "setuid",
        147 => "setresuid",
        149 => "setresgid",
        151 => "setfsuid",
        152 => "setfsgid",
        155 => "getpgid",
        156 => "getsid",
        164 => "setrlimit",
        213 => "readahead",
        228 => "mlock",
        229 => "munlock",
        230 => "mlockall",
        231 => "munlockall",
        243 => "recvmmsg",
        267 => "syncfs",
        269 => "sendmmsg",
        283 => "membarrier",
        284 => "mlock2",
        434 => "pidfd_open",
        437 => "openat2",
        438 => "pidfd_getfd",
        441 => "epoll_pwait2",
        _ => return format!("syscall_{nr}"),
    };
    n.to_string()
}

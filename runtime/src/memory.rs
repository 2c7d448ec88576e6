//! The guest address space: one reserved host window in which guest address
//! `g` lives at host address `base + g`, a page table of guest permissions,
//! and the guest's mmap/brk bookkeeping.
//!
//! Every guest access is checked against the page table, so an access the
//! guest may not make is a `MemFault` (a guest SIGSEGV/SIGBUS), never a host
//! crash. Mapped guest pages are host read-write; unmapped ones are
//! `PROT_NONE`, so even a stray host access through the window faults.
//! Values are little-endian in guest memory on every host: reads and writes
//! go through `from_le`/`to_le`.

use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicU8, Ordering};
use zarm_ir::mem::rmw_apply;
use zarm_ir::{FaultKind, GuestMemory, MemFault, MemSize, RmwOp};

pub const PAGE: u64 = 4096;
/// The default guest address window: guest addresses are below 2^37.
pub const DEFAULT_WINDOW_BITS: u32 = 37;
/// The window sizes `--guest-window-bits` accepts.
pub const WINDOW_BITS_RANGE: std::ops::RangeInclusive<u32> = 33..=38;
/// Inaccessible bytes kept after the window, so an access straddling its
/// end faults in the host too.
pub const GUARD: u64 = 1 << 16;

/// Where things go in a guest window of 2^`bits` bytes. With the default
/// 37 bits: programs below 4 GiB (PIE at 0xaaaa_0000), anonymous mappings
/// top-down from 0x1f_0000_0000, the stack below 0x1f_f000_0000.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub bits: u32,
    pub window: u64,
    /// Lowest address handed out without a hint (programs and brk lie below).
    pub mmap_min: u64,
    /// Where anonymous mappings are placed, top-down, without a hint.
    pub mmap_top: u64,
    pub stack_top: u64,
    /// Where a position-independent program is placed.
    pub pie_base: u64,
}

impl Layout {
    pub fn new(bits: u32) -> Layout {
        let window = 1u64 << bits;
        let mmap_min = (4u64 << 30).min(window / 4);
        Layout {
            bits,
            window,
            mmap_min,
            mmap_top: window - (4u64 << 30).min(window / 16),
            stack_top: window - (256u64 << 20).min(window / 32),
            pie_base: 0xaaaa_0000u64.min(mmap_min / 2),
        }
    }
}

pub const PROT_READ: u8 = 1;
pub const PROT_WRITE: u8 = 2;
pub const PROT_EXEC: u8 = 4;
const MAPPED: u8 = 8;
/// The page holds guest code that has been translated. Its `PROT_WRITE`
/// bit is then cleared in the table (generated code and every checked
/// write see a read-only page) and the guest's own write permission is
/// kept in `GUEST_W`: the first write invalidates the page's translations
/// and gives the bit back (`unprotect_code`).
const CODE: u8 = 16;
const GUEST_W: u8 = 32;

/// The guest's permission bits of a table entry: a code page's write
/// permission lives in `GUEST_W`.
fn guest_prot(p: u8) -> u8 {
    p & 7 | if p & GUEST_W != 0 { PROT_WRITE } else { 0 }
}

/// The table entry for a mapped page with guest permissions `prot`,
/// keeping the code protection if the page holds translated code.
fn entry(prot: u8, code: bool) -> u8 {
    if code {
        MAPPED | CODE | (prot & !PROT_WRITE) | if prot & PROT_WRITE != 0 { GUEST_W } else { 0 }
    } else {
        MAPPED | prot
    }
}

pub struct GuestSpace {
    base: *mut u8,
    /// Per guest page: MAPPED | PROT_*.
    pages: Vec<u8>,
    pub layout: Layout,
    pub brk_start: u64,
    pub brk: u64,
    mmap_hint: u64,
    /// Guest code to forget, for the dispatcher: addresses the guest named
    /// with IC IVAU, and pages holding translated code that were written,
    /// remapped or unmapped.
    pub invalidated: Vec<u64>,
    /// Code pages unprotected because the guest wrote to them.
    pub smc_writes: u64,
}

// SAFETY: the window is owned by the GuestSpace; access is serialised by
// the runtime (one guest thread today).
unsafe impl Send for GuestSpace {}

/// Host protection mirroring a guest page's: generated code reaches guest
/// memory directly, so the host MMU must refuse what the guest may not do.
/// Execute-only guest pages stay host-readable (the translator reads them).
fn host_prot(p: u8) -> i32 {
    if p & PROT_WRITE != 0 {
        libc::PROT_READ | libc::PROT_WRITE
    } else if p & (PROT_READ | PROT_EXEC) != 0 {
        libc::PROT_READ
    } else {
        libc::PROT_NONE
    }
}

impl GuestSpace {
    /// A guest space with the default window.
    pub fn new() -> std::io::Result<Self> {
        Self::with_window_bits(DEFAULT_WINDOW_BITS)
    }

    /// A guest space of 2^`bits` bytes (see `WINDOW_BITS_RANGE`). The
    /// whole window is reserved up front, so no host mapping can land in
    /// it. (Under qemu-s390x that reservation is not free: qemu 7.2 keeps
    /// a descriptor per reserved page, about 0.9 s and 800 MB for 2^37.)
    pub fn with_window_bits(bits: u32) -> std::io::Result<Self> {
        if !WINDOW_BITS_RANGE.contains(&bits) {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("guest window of 2^{bits} bytes: supported are 2^{} to 2^{}", WINDOW_BITS_RANGE.start(), WINDOW_BITS_RANGE.end())));
        }
        let layout = Layout::new(bits);
        let window = layout.window;
        // SAFETY: a fresh anonymous reservation; nothing else refers to it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                (window + GUARD) as usize,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(GuestSpace {
            base: base as *mut u8,
            // One spare entry: a page check of an access's last byte may
            // look one page past the window.
            pages: vec![0; (window / PAGE) as usize + 1],
            layout,
            brk_start: 0,
            brk: 0,
            mmap_hint: layout.mmap_top,
            invalidated: Vec::new(),
            smc_writes: 0,
        })
    }

    /// The page-permission table generated code checks (one byte per
    /// page: MAPPED | PROT_*); its address never changes.
    pub fn pages_ptr(&self) -> *const u8 {
        self.pages.as_ptr()
    }

    /// Host address of guest address 0.
    pub fn base(&self) -> u64 {
        self.base as u64
    }

    fn page_index(addr: u64) -> usize {
        (addr / PAGE) as usize
    }

    pub fn perms(&self, addr: u64) -> Option<u8> {
        let p = *self.pages.get(Self::page_index(addr))?;
        (p & MAPPED != 0).then_some(guest_prot(p))
    }

    /// Gives the host page the protection its table entry asks for (a code
    /// page the guest may write is host read-only, so generated code's
    /// stores to it fault and reach `unprotect_code`).
    fn sync_host_prot(&self, page: u64) {
        let p = self.pages[Self::page_index(page)];
        // SAFETY: a page inside our reservation.
        unsafe { libc::mprotect(self.base.add(page as usize) as _, PAGE as usize, host_prot(p)) };
    }

    /// Records that guest code in `[start, end)` has been translated: its
    /// pages are write-protected for the guest (in the table and in the
    /// host MMU) until the next write to them, which invalidates the
    /// translations first.
    pub fn mark_code(&mut self, start: u64, end: u64) {
        let mut page = start & !(PAGE - 1);
        while page < end.min(self.layout.window) {
            let p = &mut self.pages[Self::page_index(page)];
            if *p & (MAPPED | CODE) == MAPPED {
                let writable = *p & PROT_WRITE != 0;
                *p = entry(*p & 7, true);
                if writable {
                    self.sync_host_prot(page);
                }
            }
            page += PAGE;
        }
    }

    /// Does the page hold translated code (write-protected for it)?
    pub fn is_code(&self, addr: u64) -> bool {
        self.pages.get(Self::page_index(addr)).is_some_and(|p| p & CODE != 0)
    }

    /// Before a guest write to `[addr, addr+len)`: pages of the range that
    /// hold translated code and that the guest may write get their write
    /// permission back and are queued for invalidation. Returns whether any
    /// page changed.
    pub fn unprotect_code(&mut self, addr: u64, len: u64) -> bool {
        let Some(end) = addr.checked_add(len.max(1)) else { return false };
        let mut changed = false;
        let mut page = addr & !(PAGE - 1);
        while page < end.min(self.layout.window) {
            let p = &mut self.pages[Self::page_index(page)];
            if *p & (CODE | GUEST_W) == CODE | GUEST_W {
                *p = MAPPED | guest_prot(*p);
                self.sync_host_prot(page);
                self.invalidated.push(page);
                self.smc_writes += 1;
                changed = true;
            }
            page += PAGE;
        }
        changed
    }

    /// Queues the code pages of a range whose contents are about to change
    /// (map, unmap) for invalidation and forgets that they hold code.
    fn forget_code(&mut self, addr: u64, len: u64) {
        for i in Self::page_index(addr)..Self::page_index(addr + len) {
            if self.pages[i] & CODE != 0 {
                self.invalidated.push(i as u64 * PAGE);
                self.pages[i] = MAPPED | guest_prot(self.pages[i]);
                self.sync_host_prot(i as u64 * PAGE);
            }
        }
    }

    pub fn is_mapped(&self, addr: u64) -> bool {
        self.perms(addr).is_some()
    }

    /// Maps `[addr, addr+len)` (page-aligned) with `prot`, zero-filled.
    /// Replaces whatever was there (MAP_FIXED semantics).
    pub fn map(&mut self, addr: u64, len: u64, prot: u8) -> Result<(), i32> {
        if addr % PAGE != 0 || len == 0 || addr.checked_add(len).is_none_or(|e| e > self.layout.window) {
            return Err(libc::ENOMEM);
        }
        let len = len.next_multiple_of(PAGE);
        self.unmap(addr, len)?;
        // SAFETY: inside our reservation.
        let r = unsafe { libc::mprotect(self.base.add(addr as usize) as _, len as usize, host_prot(prot)) };
        if r != 0 {
            return Err(libc::ENOMEM);
        }
        for p in &mut self.pages[Self::page_index(addr)..Self::page_index(addr + len)] {
            *p = MAPPED | prot;
        }
        Ok(())
    }

    /// Maps `len` bytes of the host file `fd` from `off` at guest `addr`
    /// (page-aligned) shared: the guest's writes reach the file, and two
    /// guest mappings of one file alias each other as on Linux.
    pub fn map_shared_file(&mut self, addr: u64, len: u64, prot: u8, fd: i32, off: u64) -> Result<(), i32> {
        if addr % PAGE != 0 || len == 0 || addr.checked_add(len).is_none_or(|e| e > self.layout.window) {
            return Err(libc::ENOMEM);
        }
        let len = len.next_multiple_of(PAGE);
        self.unmap(addr, len)?;
        // SAFETY: replaces pages inside our reservation.
        let r = unsafe {
            libc::mmap(
                self.base.add(addr as usize) as _,
                len as usize,
                host_prot(prot),
                libc::MAP_SHARED | libc::MAP_FIXED,
                fd,
                off as libc::off_t,
            )
        };
        if r == libc::MAP_FAILED {
            let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::ENOMEM);
            let _ = self.unmap(addr, len);
            return Err(e);
        }
        for p in &mut self.pages[Self::page_index(addr)..Self::page_index(addr + len)] {
            *p = MAPPED | prot;
        }
        Ok(())
    }

    /// Unmaps `[addr, addr+len)`; the pages read as zero when mapped again.
    pub fn unmap(&mut self, addr: u64, len: u64) -> Result<(), i32> {
        if addr % PAGE != 0 || addr.checked_add(len).is_none_or(|e| e > self.layout.window) {
            return Err(libc::EINVAL);
        }
        let len = len.next_multiple_of(PAGE);
        if len == 0 {
            return Ok(());
        }
        self.forget_code(addr, len);
        // SAFETY: inside our reservation. A fresh inaccessible anonymous
        // mapping replaces whatever was there (also a shared file
        // mapping): later reads see zeros.
        unsafe {
            let p = self.base.add(addr as usize) as *mut libc::c_void;
            let r = libc::mmap(
                p,
                len as usize,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_FIXED,
                -1,
                0,
            );
            if r == libc::MAP_FAILED {
                return Err(libc::ENOMEM);
            }
        }
        for p in &mut self.pages[Self::page_index(addr)..Self::page_index(addr + len)] {
            *p = 0;
        }
        Ok(())
    }

    /// Changes permissions of mapped pages; ENOMEM if any page is unmapped.
    pub fn protect(&mut self, addr: u64, len: u64, prot: u8) -> Result<(), i32> {
        if addr % PAGE != 0 || addr.checked_add(len).is_none_or(|e| e > self.layout.window) {
            return Err(libc::EINVAL);
        }
        let len = len.next_multiple_of(PAGE);
        let range = Self::page_index(addr)..Self::page_index(addr + len);
        if self.pages[range.clone()].iter().any(|p| p & MAPPED == 0) {
            return Err(libc::ENOMEM);
        }
        if prot & PROT_EXEC == 0 {
            // Translations of code that may no longer run are dropped.
            self.forget_code(addr, len);
        }
        for p in &mut self.pages[range] {
            *p = entry(prot, *p & CODE != 0);
        }
        // SAFETY: inside our reservation, all pages mapped.
        unsafe { libc::mprotect(self.base.add(addr as usize) as _, len as usize, host_prot(prot)) };
        // Code pages the guest may write stay host read-only.
        for i in Self::page_index(addr)..Self::page_index(addr + len) {
            if self.pages[i] & (CODE | GUEST_W) == CODE | GUEST_W {
                self.sync_host_prot(i as u64 * PAGE);
            }
        }
        Ok(())
    }

    /// Finds `len` bytes of unmapped window, top-down from the hint.
    pub fn find_free(&mut self, len: u64) -> Option<u64> {
        let len = len.next_multiple_of(PAGE);
        let n = (len / PAGE) as usize;
        for top in [self.mmap_hint, self.layout.mmap_top] {
            let mut end = Self::page_index(top);
            let lowest = Self::page_index(self.layout.mmap_min);
            while end >= lowest + n {
                let start = end - n;
                match self.pages[start..end].iter().rposition(|p| p & MAPPED != 0) {
                    None => {
                        let addr = start as u64 * PAGE;
                        self.mmap_hint = addr;
                        return Some(addr);
                    }
                    Some(k) => end = start + k,
                }
            }
        }
        None
    }

    /// Host pointer for `len` guest bytes at `addr` that the guest may access
    /// with `need` permission; None if any byte is not.
    pub fn host_range(&self, addr: u64, len: u64, need: u8) -> Option<*mut u8> {
        if len == 0 {
            return Some(self.base);
        }
        let end = addr.checked_add(len)?;
        if end > self.layout.window {
            return None;
        }
        let mut page = addr & !(PAGE - 1);
        while page < end {
            // The guest's permissions (a code page's write bit is kept in
            // GUEST_W; writers call `unprotect_code` first).
            let p = self.pages[Self::page_index(page)];
            if p & MAPPED == 0 || guest_prot(p) & need != need {
                return None;
            }
            page += PAGE;
        }
        // SAFETY: within the reservation (checked above).
        Some(unsafe { self.base.add(addr as usize) })
    }

    /// The host pointer for an access the guest may make, or the fault it
    /// raises (first inaccessible byte, unmapped or permission).
    pub fn check(&self, addr: u64, len: u64, need: u8, write: bool) -> Result<*mut u8, MemFault> {
        match self.host_range(addr, len, need) {
            Some(p) => Ok(p),
            None => {
                // Report the first inaccessible byte, and whether it was
                // unmapped or only lacking permission.
                let mut a = addr;
                let end = addr.saturating_add(len);
                while a < end {
                    match self.perms(a) {
                        None => return Err(MemFault { addr: a.max(addr), kind: FaultKind::Unmapped, write }),
                        Some(p) if p & need != need => {
                            return Err(MemFault { addr: a.max(addr), kind: FaultKind::Permission, write })
                        }
                        _ => a = (a & !(PAGE - 1)) + PAGE,
                    }
                }
                Err(MemFault { addr, kind: FaultKind::Unmapped, write })
            }
        }
    }

    /// `check` for a write: code pages in the range are unprotected (and
    /// queued for invalidation) first, so the write proceeds.
    pub fn check_write(&mut self, addr: u64, len: u64, need: u8) -> Result<*mut u8, MemFault> {
        self.unprotect_code(addr, len);
        self.check(addr, len, need, true)
    }

    /// A host pointer for a guest buffer the host (a system call) writes
    /// into; code pages in it are unprotected first. None on a bad range.
    pub fn host_range_mut(&mut self, addr: u64, len: u64) -> Option<*mut u8> {
        self.unprotect_code(addr, len);
        self.host_range(addr, len, PROT_WRITE)
    }

    /// Copies guest bytes out (for syscalls). EFAULT-style None on a bad range.
    pub fn read_bytes(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        let p = self.host_range(addr, len as u64, PROT_READ)?;
        // SAFETY: the range is mapped and readable.
        Some(unsafe { std::slice::from_raw_parts(p, len) }.to_vec())
    }

    /// Copies bytes into guest memory (for syscalls).
    pub fn write_bytes(&mut self, addr: u64, bytes: &[u8]) -> Option<()> {
        self.unprotect_code(addr, bytes.len() as u64);
        let p = self.host_range(addr, bytes.len() as u64, PROT_WRITE)?;
        // SAFETY: the range is mapped and writable.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len()) };
        Some(())
    }

    /// Writes bytes ignoring guest permissions (the loader filling
    /// read-only segments).
    pub fn write_bytes_unchecked(&mut self, addr: u64, bytes: &[u8]) -> Option<()> {
        self.forget_code(addr & !(PAGE - 1), (addr + bytes.len() as u64).next_multiple_of(PAGE) - (addr & !(PAGE - 1)));
        let p = self.host_range(addr, bytes.len() as u64, 0)?;
        let first = addr & !(PAGE - 1);
        let end = (addr + bytes.len() as u64).next_multiple_of(PAGE);
        // SAFETY: the pages are mapped in our reservation; they are made
        // host-writable for the copy and get their mirrored protection back.
        unsafe {
            libc::mprotect(self.base.add(first as usize) as _, (end - first) as usize, libc::PROT_READ | libc::PROT_WRITE);
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        }
        let mut a = first;
        while a < end {
            let prot = self.perms(a).unwrap_or(0);
            // SAFETY: as above.
            unsafe { libc::mprotect(self.base.add(a as usize) as _, PAGE as usize, host_prot(prot)) };
            a += PAGE;
        }
        Some(())
    }

    /// Zeroes guest pages the way MADV_DONTNEED does for private anonymous
    /// memory, whatever their protection.
    pub fn discard(&mut self, addr: u64, len: u64) {
        if addr % PAGE != 0 || self.host_range(addr, len, 0).is_none() {
            return;
        }
        self.forget_code(addr, len.next_multiple_of(PAGE));
        // SAFETY: mapped pages of our private anonymous reservation.
        unsafe { libc::madvise(self.base.add(addr as usize) as _, len.next_multiple_of(PAGE) as usize, libc::MADV_DONTNEED) };
    }

    /// Reads a NUL-terminated guest string of at most `max` bytes.
    pub fn read_cstr(&self, addr: u64, max: usize) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut a = addr;
        while out.len() < max {
            let p = self.host_range(a, 1, PROT_READ)?;
            // SAFETY: checked readable.
            let b = unsafe { *p };
            if b == 0 {
                return Some(out);
            }
            out.push(b);
            a += 1;
        }
        None
    }

    pub fn read_u64(&self, addr: u64) -> Option<u64> {
        let b = self.read_bytes(addr, 8)?;
        Some(u64::from_le_bytes(b.try_into().unwrap()))
    }

    pub fn write_u64(&mut self, addr: u64, v: u64) -> Option<()> {
        self.write_bytes(addr, &v.to_le_bytes())
    }

    pub fn write_u32(&mut self, addr: u64, v: u32) -> Option<()> {
        self.write_bytes(addr, &v.to_le_bytes())
    }

    fn atomic_update(&mut self, addr: u64, size: MemSize, f: impl Fn(u64) -> Option<u64>) -> Result<u64, MemFault> {
        let p = self.check_write(addr, size.bytes(), PROT_READ | PROT_WRITE)?;
        // SAFETY: aligned (the interpreter checked), mapped, writable; the
        // atomic types have the size and alignment of the access.
        unsafe {
            macro_rules! cas_loop {
                ($atomic:ty, $int:ty) => {{
                    let a = <$atomic>::from_ptr(p as *mut $int);
                    let mut cur = a.load(Ordering::SeqCst);
                    loop {
                        let old = <$int>::from_le(cur) as u64;
                        let Some(new) = f(old) else { return Ok(old) };
                        match a.compare_exchange(cur, (new as $int).to_le(), Ordering::SeqCst, Ordering::SeqCst) {
                            Ok(_) => return Ok(old),
                            Err(seen) => cur = seen,
                        }
                    }
                }};
            }
            match size {
                MemSize::B1 => cas_loop!(AtomicU8, u8),
                MemSize::B2 => cas_loop!(AtomicU16, u16),
                MemSize::B4 => cas_loop!(AtomicU32, u32),
                MemSize::B8 => cas_loop!(AtomicU64, u64),
            }
        }
    }
}

impl Drop for GuestSpace {
    fn drop(&mut self) {
        // SAFETY: the reservation made in new().
        unsafe { libc::munmap(self.base as _, (self.layout.window + GUARD) as usize) };
    }
}

impl GuestMemory for GuestSpace {
    fn read(&mut self, addr: u64, size: MemSize) -> Result<u64, MemFault> {
        let n = size.bytes();
        let p = self.check(addr, n, PROT_READ, false)?;
        // SAFETY: checked readable.
        unsafe {
            Ok(match size {
                MemSize::B1 => *p as u64,
                MemSize::B2 => u16::from_le((p as *const u16).read_unaligned()) as u64,
                MemSize::B4 => u32::from_le((p as *const u32).read_unaligned()) as u64,
                MemSize::B8 => u64::from_le((p as *const u64).read_unaligned()),
            })
        }
    }

    fn write(&mut self, addr: u64, size: MemSize, value: u64) -> Result<(), MemFault> {
        let p = self.check_write(addr, size.bytes(), PROT_WRITE)?;
        // SAFETY: checked writable.
        unsafe {
            match size {
                MemSize::B1 => *p = value as u8,
                MemSize::B2 => (p as *mut u16).write_unaligned((value as u16).to_le()),
                MemSize::B4 => (p as *mut u32).write_unaligned((value as u32).to_le()),
                MemSize::B8 => (p as *mut u64).write_unaligned(value.to_le()),
            }
        }
        Ok(())
    }

    fn read128(&mut self, addr: u64) -> Result<u128, MemFault> {
        let p = self.check(addr, 16, PROT_READ, false)?;
        // SAFETY: checked readable.
        Ok(u128::from_le(unsafe { (p as *const u128).read_unaligned() }))
    }

    fn write128(&mut self, addr: u64, value: u128) -> Result<(), MemFault> {
        let p = self.check_write(addr, 16, PROT_WRITE)?;
        // SAFETY: checked writable.
        unsafe { (p as *mut u128).write_unaligned(value.to_le()) };
        Ok(())
    }

    fn atomic_rmw(&mut self, addr: u64, size: MemSize, op: RmwOp, operand: u64) -> Result<u64, MemFault> {
        self.atomic_update(addr, size, |old| Some(rmw_apply(op, size, old, operand)))
    }

    fn cas(&mut self, addr: u64, size: MemSize, expected: u64, new: u64) -> Result<u64, MemFault> {
        self.atomic_update(addr, size, |old| (old == expected).then_some(new))
    }

    fn cas128(&mut self, addr: u64, expected: u128, new: u128) -> Result<u128, MemFault> {
        // `&mut self` makes this exclusive among users of the space. When
        // guest threads share it (issue #6) this needs a host 16-byte CAS
        // (CDSG on s390x) or a lock.
        let old = self.read128(addr)?;
        self.check_write(addr, 16, PROT_WRITE)?;
        if old == expected {
            self.write128(addr, new)?;
        }
        Ok(old)
    }

    fn zero(&mut self, addr: u64, len: u64) -> Result<(), MemFault> {
        let p = self.check_write(addr, len, PROT_WRITE)?;
        // SAFETY: checked writable.
        unsafe { std::ptr::write_bytes(p, 0, len as usize) };
        Ok(())
    }

    fn fetch(&mut self, addr: u64) -> Result<u32, MemFault> {
        let p = self.check(addr, 4, PROT_EXEC, false)?;
        // SAFETY: checked executable (host readable).
        Ok(u32::from_le(unsafe { (p as *const u32).read_unaligned() }))
    }

    fn invalidate_code(&mut self, addr: u64) {
        self.invalidated.push(addr);
    }

    fn prepare_write(&mut self, addr: u64, len: u64) -> Result<(), MemFault> {
        self.check_write(addr, len, PROT_WRITE).map(|_| ())
    }

    fn code_changed(&self) -> bool {
        !self.invalidated.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: u64 = 0x10_0000;

    #[test]
    fn code_pages_are_write_protected_until_written() {
        let mut s = GuestSpace::new().unwrap();
        s.map(A, 3 * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC).unwrap();
        s.mark_code(A + PAGE - 4, A + PAGE + 8);
        // The guest still sees its permissions; the table refuses writes.
        assert_eq!(s.perms(A + PAGE), Some(PROT_READ | PROT_WRITE | PROT_EXEC));
        assert!(s.is_code(A) && s.is_code(A + PAGE) && !s.is_code(A + 2 * PAGE));
        assert_eq!(s.pages[GuestSpace::page_index(A)] & PROT_WRITE, 0);
        assert!(s.host_range(A, 8, PROT_WRITE).is_some(), "syscalls check guest permissions");
        // A write to the second page unprotects it alone and queues it.
        s.write(A + PAGE + 16, MemSize::B8, 7).unwrap();
        assert_eq!(s.invalidated, vec![A + PAGE]);
        assert!(s.is_code(A) && !s.is_code(A + PAGE));
        assert_eq!(s.read(A + PAGE + 16, MemSize::B8).unwrap(), 7);
        assert_eq!(s.smc_writes, 1);
        // A second write to it is plain.
        s.write(A + PAGE + 24, MemSize::B8, 8).unwrap();
        assert_eq!(s.invalidated.len(), 1);
    }

    #[test]
    fn read_only_code_stays_read_only() {
        let mut s = GuestSpace::new().unwrap();
        s.map(A, PAGE, PROT_READ | PROT_EXEC).unwrap();
        s.mark_code(A, A + 4);
        let f = s.write(A, MemSize::B4, 0).unwrap_err();
        assert_eq!((f.kind, f.addr, f.write), (FaultKind::Permission, A, true));
        assert!(s.invalidated.is_empty() && s.is_code(A));
        assert!(s.prepare_write(A, 4).is_err());
    }

    #[test]
    fn remapping_or_unexecutable_code_is_invalidated() {
        let mut s = GuestSpace::new().unwrap();
        s.map(A, 2 * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC).unwrap();
        s.mark_code(A, A + 2 * PAGE);
        // mprotect keeping execute permission keeps the translations and the
        // protection; the guest's new permissions are reported.
        s.protect(A, PAGE, PROT_READ | PROT_EXEC).unwrap();
        assert!(s.invalidated.is_empty() && s.is_code(A));
        assert_eq!(s.perms(A), Some(PROT_READ | PROT_EXEC));
        s.protect(A, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC).unwrap();
        assert_eq!(s.perms(A), Some(PROT_READ | PROT_WRITE | PROT_EXEC));
        assert!(s.is_code(A));
        // Dropping execute permission drops the translations.
        s.protect(A, PAGE, PROT_READ | PROT_WRITE).unwrap();
        assert_eq!(s.invalidated, vec![A]);
        s.unmap(A + PAGE, PAGE).unwrap();
        assert_eq!(s.invalidated, vec![A, A + PAGE]);
        assert!(!s.is_code(A) && !s.is_code(A + PAGE));
    }

    #[test]
    fn syscall_buffers_unprotect_code_pages() {
        let mut s = GuestSpace::new().unwrap();
        s.map(A, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC).unwrap();
        s.mark_code(A, A + 4);
        assert!(s.host_range_mut(A + 100, 10).is_some());
        assert_eq!(s.invalidated, vec![A]);
        s.mark_code(A, A + 4);
        s.write_bytes(A, &[1, 2, 3]).unwrap();
        assert_eq!(s.invalidated, vec![A, A]);
    }

    #[test]
    fn shared_file_mappings_alias() {
        let mut s = GuestSpace::new().unwrap();
        // SAFETY: a fresh memfd.
        let fd = unsafe { libc::syscall(libc::SYS_memfd_create, c"zarm-test".as_ptr(), 0) } as i32;
        assert!(fd >= 0);
        assert_eq!(unsafe { libc::ftruncate(fd, PAGE as i64) }, 0);
        s.map_shared_file(A, PAGE, PROT_READ | PROT_WRITE, fd, 0).unwrap();
        s.map_shared_file(A + 4 * PAGE, PAGE, PROT_READ | PROT_EXEC, fd, 0).unwrap();
        s.write(A + 8, MemSize::B8, 0x1122_3344_5566_7788).unwrap();
        assert_eq!(s.read(A + 4 * PAGE + 8, MemSize::B8).unwrap(), 0x1122_3344_5566_7788);
        assert!(s.write(A + 4 * PAGE, MemSize::B1, 0).is_err());
        // Unmapping gives back zeroed anonymous memory, not the file.
        s.unmap(A, PAGE).unwrap();
        s.map(A, PAGE, PROT_READ | PROT_WRITE).unwrap();
        assert_eq!(s.read(A + 8, MemSize::B8).unwrap(), 0);
        s.write(A + 8, MemSize::B8, 5).unwrap();
        assert_eq!(s.read(A + 4 * PAGE + 8, MemSize::B8).unwrap(), 0x1122_3344_5566_7788);
        unsafe { libc::close(fd) };
    }
}

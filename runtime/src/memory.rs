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
/// end faults in the host too (and one at a checked base plus a folded
/// displacement, see `EmitConfig::window_guard`).
pub const GUARD: u64 = zarm_backend_s390x::emit::WINDOW_GUARD_BYTES;
/// No guest page is mapped below this address (Linux's usual
/// `vm.mmap_min_addr`; a fixed mapping there fails with EPERM as on such a
/// kernel). Generated code relies on it: an access at base + displacement
/// that wraps round below it must fault.
pub const MMAP_MIN_ADDR: u64 = GUARD;

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
    /// Per guest page: MAPPED | PROT_* | CODE | GUEST_W. Entries are
    /// atomic: guest threads read them while another changes a mapping.
    pages: PageTable,
    pub layout: Layout,
    pub brk_start: u64,
    pub brk: u64,
    mmap_hint: u64,
    /// Guest code to forget, for the dispatcher: addresses the guest named
    /// with IC IVAU, and pages holding translated code that were written,
    /// remapped or unmapped.
    pub invalidated: Vec<u64>,
    /// Baseline translations every thread's JIT engine may install
    /// (`jit::SharedTranslations`); read and changed under `lock`, and
    /// purged of a page's blocks whenever the page is logged in
    /// `invalidated`.
    pub translations: crate::jit::SharedTranslations,
    /// Code pages unprotected because the guest wrote to them.
    pub smc_writes: u64,
    /// Guest ranges a system call in progress lets the kernel write
    /// (`pin_for_kernel`): their code pages are not write-protected until
    /// it ends (`unpin_for_kernel`). Under `lock`.
    kernel_pins: Vec<(u64, u64)>,
    /// Serialises changes of the mapping and of `invalidated` between
    /// guest threads (see `lock`).
    mm: std::sync::Mutex<()>,
    /// The auxiliary vector the guest started with (`/proc/self/auxv`).
    pub auxv: Vec<u8>,
    /// Files behind guest ranges, for `/proc/self/maps`.
    pub names: crate::procfs::RangeNames,
}

thread_local! {
    /// How deep this thread holds a space's lock (it is re-entrant).
    static MM_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// How much of the invalidation log this thread's dispatcher applied.
    static INVAL_SEEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Records how much of the invalidation log this thread has applied
/// (`code_changed` reports entries beyond it).
pub fn set_inval_seen(n: usize) {
    INVAL_SEEN.with(|c| c.set(n));
}

thread_local! {
    /// The space whose guest this thread runs (`set_fault_space`).
    static FAULT_SPACE: std::cell::Cell<*const GuestSpace> = const { std::cell::Cell::new(std::ptr::null()) };
}

/// Names the space whose guest this thread runs, for `on_host_fault`
/// (the dispatcher says so before every block: `exec` and `fork` change
/// it). The space must outlive the thread's use of it or be unnamed first.
pub fn set_fault_space(space: *const GuestSpace) {
    FAULT_SPACE.with(|c| c.set(space));
}

/// Installs zarm's SIGSEGV/SIGBUS handler (`on_host_fault`), once per
/// process; with `ZARM_DEBUG_FAULTS`, SIGILL too.
pub fn install_fault_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: installs a SA_SIGINFO handler; `on_host_fault` takes only
        // what it must (see there).
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_host_fault as *const () as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_NODEFER;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(libc::SIGSEGV, &sa, std::ptr::null_mut());
            libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut());
            if cfg!(target_arch = "s390x") && std::env::var_os("ZARM_DEBUG_FAULTS").is_some() {
                libc::sigaction(libc::SIGILL, &sa, std::ptr::null_mut());
            }
        }
    });
}

/// A host SIGSEGV/SIGBUS (or, debugging, SIGILL). In generated code it is
/// the guest's (`jit::generated_code_fault`). In zarm's own code (the
/// interpreter, a helper, a system call's copy-out) it may be a write to a
/// code page of this thread's guest space that another guest thread
/// write-protected again (it translated code there) between the writer's
/// `unprotect_code` and its store: `retry_host_write`. Anything else is a
/// real crash of zarm and takes the default action.
extern "C" fn on_host_fault(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    #[cfg(target_arch = "s390x")]
    // SAFETY: the kernel's arguments, passed on.
    if unsafe { crate::jit::generated_code_fault(sig, info, uc) } {
        return;
    }
    let _ = uc;
    // SAFETY: the kernel's siginfo for this signal.
    let addr = unsafe { (*info).si_addr() } as u64;
    if sig == libc::SIGSEGV && retry_host_write(FAULT_SPACE.with(|c| c.get()), addr) {
        return;
    }
    // SAFETY: resetting to the default action; the faulting instruction
    // runs again and takes it.
    unsafe { libc::signal(sig, libc::SIG_DFL) };
}

/// A host write fault at host address `host` (the kernel may give only
/// its page) outside generated code: if it lies in `space`'s window on a
/// page the guest may write, the page's code protection is lifted (its
/// translations invalidated, as for any write to translated code) or
/// already was, and the write is retried (true).
fn retry_host_write(space: *const GuestSpace, host: u64) -> bool {
    // SAFETY: the thread's dispatcher named a live space.
    let Some(space) = (unsafe { space.cast_mut().as_mut() }) else { return false };
    let Some(guest) = host.checked_sub(space.base()).filter(|g| *g < space.layout.window) else { return false };
    if space.unprotect_code(guest, 1) {
        return true;
    }
    // Another thread lifted it already (its host permission may still be
    // on its way, under the lock): retry.
    let _g = space.lock();
    space.perms(guest).is_some_and(|p| p & PROT_WRITE != 0) && !space.is_code(guest)
}

/// A held space lock (`GuestSpace::lock`).
pub struct SpaceGuard<'a> {
    _held: Option<std::sync::MutexGuard<'a, ()>>,
}

impl Drop for SpaceGuard<'_> {
    fn drop(&mut self) {
        MM_DEPTH.with(|d| d.set(d.get() - 1));
    }
}

/// One guest address space shared by the guest's threads. Each thread's
/// `Process` holds a `SpaceRef` and uses the space as its own: page-table
/// entries are atomic, guest memory is shared as on hardware, and what
/// else changes (mappings, `brk`, the invalidation log) changes under
/// `GuestSpace::lock`, which the system calls that change mappings and
/// the code-page bookkeeping take.
#[derive(Clone)]
pub struct SpaceRef(std::sync::Arc<SpaceCell>);

struct SpaceCell(std::cell::UnsafeCell<GuestSpace>);

// SAFETY: see SpaceRef: concurrent users touch atomics and guest memory,
// everything else under the space's lock.
unsafe impl Sync for SpaceCell {}
unsafe impl Send for SpaceCell {}

impl SpaceRef {
    pub fn new(space: GuestSpace) -> Self {
        SpaceRef(std::sync::Arc::new(SpaceCell(std::cell::UnsafeCell::new(space))))
    }
}

impl std::ops::Deref for SpaceRef {
    type Target = GuestSpace;
    fn deref(&self) -> &GuestSpace {
        // SAFETY: see SpaceRef.
        unsafe { &*self.0 .0.get() }
    }
}

impl std::ops::DerefMut for SpaceRef {
    fn deref_mut(&mut self) -> &mut GuestSpace {
        // SAFETY: see SpaceRef.
        unsafe { &mut *self.0 .0.get() }
    }
}

// SAFETY: the window is owned by the GuestSpace. Guest threads share it
// (see `SharedSpace`): page entries are atomic, the other fields change
// only under the space's lock.
unsafe impl Send for GuestSpace {}

/// The page table: one atomic byte per guest page (relaxed ordering: a
/// thread racing a change of the mapping sees the old or the new entry,
/// as with a TLB).
struct PageTable(Box<[AtomicU8]>);

impl PageTable {
    /// `n` entries, all 0 (unmapped), from a zeroed allocation: the
    /// allocator's fresh pages are not touched until an entry is set (a
    /// 2^33-byte window has 2 M entries; filling them one by one cost
    /// milliseconds of every start-up under qemu-s390x).
    fn zeroed(n: usize) -> PageTable {
        // SAFETY: AtomicU8 has the representation of u8, for which all
        // zero bytes are a valid value.
        PageTable(unsafe { Box::<[AtomicU8]>::new_zeroed_slice(n).assume_init() })
    }

    fn at(&self, i: usize) -> u8 {
        self.0[i].load(Ordering::Relaxed)
    }
    fn get(&self, i: usize) -> Option<u8> {
        self.0.get(i).map(|p| p.load(Ordering::Relaxed))
    }
    fn set(&self, i: usize, v: u8) {
        self.0[i].store(v, Ordering::Relaxed)
    }
}

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
            pages: PageTable::zeroed((window / PAGE) as usize + 1),
            layout,
            brk_start: 0,
            brk: 0,
            mmap_hint: layout.mmap_top,
            invalidated: Vec::new(),
            translations: Default::default(),
            smc_writes: 0,
            kernel_pins: Vec::new(),
            mm: std::sync::Mutex::new(()),
            auxv: Vec::new(),
            names: Default::default(),
        })
    }

    /// The page-permission table generated code checks (one byte per
    /// page: MAPPED | PROT_*); its address never changes.
    pub fn pages_ptr(&self) -> *const u8 {
        self.pages.0.as_ptr() as *const u8
    }

    /// Takes the space's lock (re-entrant on one thread): changes of the
    /// mapping and of the invalidation log happen under it.
    /// The guard does not borrow the space (so the holder can change it);
    /// it must be dropped before the space, as every user does by holding
    /// it in a local of a method of the space or of its owner.
    pub fn lock(&self) -> SpaceGuard<'static> {
        let depth = MM_DEPTH.with(|d| {
            let v = d.get();
            d.set(v + 1);
            v
        });
        // SAFETY: the mutex lives as long as the space, which outlives
        // the guard (see above).
        let mm: &'static std::sync::Mutex<()> = unsafe { &*(&self.mm as *const std::sync::Mutex<()>) };
        SpaceGuard { _held: if depth == 0 { Some(mm.lock().unwrap_or_else(|e| e.into_inner())) } else { None } }
    }

    /// Host address of guest address 0.
    pub fn base(&self) -> u64 {
        self.base as u64
    }

    fn page_index(addr: u64) -> usize {
        (addr / PAGE) as usize
    }

    pub fn perms(&self, addr: u64) -> Option<u8> {
        let p = self.pages.get(Self::page_index(addr))?;
        (p & MAPPED != 0).then_some(guest_prot(p))
    }

    /// Gives the host page the protection its table entry asks for (a code
    /// page the guest may write is host read-only, so generated code's
    /// stores to it fault and reach `unprotect_code`).
    fn sync_host_prot(&self, page: u64) {
        let p = self.pages.at(Self::page_index(page));
        // SAFETY: a page inside our reservation.
        unsafe { libc::mprotect(self.base.add(page as usize) as _, PAGE as usize, host_prot(p)) };
    }

    /// Records that guest code in `[start, end)` has been translated: its
    /// pages are write-protected for the guest (in the table and in the
    /// host MMU) until the next write to them, which invalidates the
    /// translations first.
    pub fn mark_code(&mut self, start: u64, end: u64) {
        let _g = self.lock();
        let mut page = start & !(PAGE - 1);
        while page < end.min(self.layout.window) {
            let i = Self::page_index(page);
            let p = self.pages.at(i);
            if p & (MAPPED | CODE) == MAPPED {
                let writable = p & PROT_WRITE != 0;
                self.pages.set(i, entry(p & 7, true));
                // A page the kernel may be writing for a system call stays
                // host-writable (a write-protected one would fail the call
                // with EFAULT); its translations go when the call ends.
                if writable && !self.kernel_pins.iter().any(|&(s, e)| s <= page && page < e) {
                    self.sync_host_prot(page);
                }
            }
            page += PAGE;
        }
    }

    /// Logs guest code at `addr` (its page) for every thread's dispatcher
    /// to forget, and drops the page's shared translations at once. The
    /// caller holds the lock.
    fn log_invalidation(&mut self, addr: u64) {
        self.invalidated.push(addr);
        self.translations.forget_page(addr & !(PAGE - 1));
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
        let _g = self.lock();
        let mut changed = false;
        let mut page = addr & !(PAGE - 1);
        while page < end.min(self.layout.window) {
            let i = Self::page_index(page);
            let p = self.pages.at(i);
            if p & (CODE | GUEST_W) == CODE | GUEST_W {
                self.pages.set(i, MAPPED | guest_prot(p));
                self.sync_host_prot(page);
                self.log_invalidation(page);
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
        let _g = self.lock();
        for i in Self::page_index(addr)..Self::page_index(addr + len) {
            let p = self.pages.at(i);
            if p & CODE != 0 {
                self.log_invalidation(i as u64 * PAGE);
                self.pages.set(i, MAPPED | guest_prot(p));
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
        if addr < MMAP_MIN_ADDR {
            return Err(libc::EPERM);
        }
        let len = len.next_multiple_of(PAGE);
        self.unmap(addr, len)?;
        // SAFETY: inside our reservation.
        let r = unsafe { libc::mprotect(self.base.add(addr as usize) as _, len as usize, host_prot(prot)) };
        if r != 0 {
            return Err(libc::ENOMEM);
        }
        for i in Self::page_index(addr)..Self::page_index(addr + len) {
            self.pages.set(i, MAPPED | prot);
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
        if addr < MMAP_MIN_ADDR {
            return Err(libc::EPERM);
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
        for i in Self::page_index(addr)..Self::page_index(addr + len) {
            self.pages.set(i, MAPPED | prot);
        }
        Ok(())
    }

    /// The mapped guest pages in address order, with their guest
    /// permissions (a walk of the whole page table).
    pub fn mapped_pages(&self) -> impl Iterator<Item = (u64, u8)> + '_ {
        (0..(self.layout.window / PAGE) as usize).filter_map(move |i| {
            let e = self.pages.at(i);
            (e & MAPPED != 0).then(|| (i as u64 * PAGE, guest_prot(e)))
        })
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
        self.names.clear(addr, addr + len);
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
        for i in Self::page_index(addr)..Self::page_index(addr + len) {
            self.pages.set(i, 0);
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
        if range.clone().any(|i| self.pages.at(i) & MAPPED == 0) {
            return Err(libc::ENOMEM);
        }
        if prot & PROT_EXEC == 0 {
            // Translations of code that may no longer run are dropped.
            self.forget_code(addr, len);
        }
        for i in range {
            self.pages.set(i, entry(prot, self.pages.at(i) & CODE != 0));
        }
        // SAFETY: inside our reservation, all pages mapped.
        unsafe { libc::mprotect(self.base.add(addr as usize) as _, len as usize, host_prot(prot)) };
        // Code pages the guest may write stay host read-only.
        for i in Self::page_index(addr)..Self::page_index(addr + len) {
            if self.pages.at(i) & (CODE | GUEST_W) == CODE | GUEST_W {
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
                match (start..end).rev().find(|&i| self.pages.at(i) & MAPPED != 0).map(|i| i - start) {
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
            let p = self.pages.at(Self::page_index(page));
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

    /// Before a system call lets the kernel write the guest buffer
    /// `[addr, addr+len)`: its code pages are unprotected, and until
    /// `unpin_for_kernel` no page of it is write-protected again — another
    /// thread that translates code there meanwhile (`mark_code`) leaves the
    /// page host-writable, so the kernel's write cannot fail with EFAULT.
    pub fn pin_for_kernel(&mut self, addr: u64, len: u64) {
        let _g = self.lock();
        self.unprotect_code(addr, len);
        let (start, end) = (addr & !(PAGE - 1), addr.saturating_add(len.max(1)).next_multiple_of(PAGE));
        self.kernel_pins.push((start, end));
    }

    /// The system call that pinned `[addr, addr+len)` ended: code
    /// translated in it meanwhile (pages marked but left writable, which
    /// the kernel or another thread may have written since) is
    /// invalidated, as for a write to it (counted in `smc_writes`).
    pub fn unpin_for_kernel(&mut self, addr: u64, len: u64) {
        let _g = self.lock();
        let (start, end) = (addr & !(PAGE - 1), addr.saturating_add(len.max(1)).next_multiple_of(PAGE));
        if let Some(k) = self.kernel_pins.iter().position(|&r| r == (start, end)) {
            self.kernel_pins.swap_remove(k);
        }
        self.unprotect_code(addr, len);
    }

    /// Ends every pin (in a forked child: the other threads' system calls
    /// are not in it).
    pub fn unpin_all_for_kernel(&mut self) {
        let _g = self.lock();
        for (start, end) in std::mem::take(&mut self.kernel_pins) {
            self.unprotect_code(start, end - start);
        }
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

/// A 16-byte compare-and-swap on host memory, atomic against every other
/// guest thread's accesses: CDSG on s390x, CMPXCHG16B on x86_64 (both on
/// aligned quadwords). An unaligned quadword, or another host, takes a
/// global lock, which is atomic only against other 16-byte CASes (the Arm
/// architecture makes unaligned CASP/LDXP/STXP fault, so guests do not rely
/// on it). Returns the old contents; the values are as a host u128 load
/// would see the bytes.
///
/// # Safety
/// `p` must be valid for reads and writes of 16 bytes.
pub unsafe fn host_cas128(p: *mut u8, expected: u128, new: u128) -> u128 {
    if p as usize % 16 == 0 {
        // SAFETY: the caller's guarantee, and aligned.
        if let Some(old) = unsafe { native_cas128(p, expected, new) } {
            return old;
        }
    }
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the caller's guarantee.
    unsafe {
        let old = (p as *const u128).read_unaligned();
        if old == expected {
            (p as *mut u128).write_unaligned(new);
        }
        old
    }
}

#[cfg(target_arch = "s390x")]
unsafe fn native_cas128(p: *mut u8, expected: u128, new: u128) -> Option<u128> {
    let (mut hi, mut lo) = ((expected >> 64) as u64, expected as u64);
    // SAFETY: CDSG compares r2:r3 with the aligned quadword at p and stores
    // r4:r5 if equal, else loads it into r2:r3; either way r2:r3 ends up
    // holding the old contents.
    unsafe {
        std::arch::asm!("cdsg %r2, %r4, 0(%r1)",
            inout("r2") hi, inout("r3") lo, in("r4") (new >> 64) as u64, in("r5") new as u64,
            in("r1") p, options(nostack));
    }
    Some((hi as u128) << 64 | lo as u128)
}

#[cfg(target_arch = "x86_64")]
unsafe fn native_cas128(p: *mut u8, expected: u128, new: u128) -> Option<u128> {
    if !std::arch::is_x86_feature_detected!("cmpxchg16b") {
        return None;
    }
    let (mut lo, mut hi) = (expected as u64, (expected >> 64) as u64);
    // SAFETY: CMPXCHG16B compares rdx:rax with the aligned quadword and
    // stores rcx:rbx if equal, else loads it into rdx:rax. rbx is reserved
    // by the compiler, so it is swapped in and out around the instruction.
    unsafe {
        std::arch::asm!("xchg {nlo}, rbx", "lock cmpxchg16b xmmword ptr [{p}]", "mov rbx, {nlo}",
            nlo = inout(reg) new as u64 => _, p = in(reg) p,
            inout("rax") lo, inout("rdx") hi, in("rcx") (new >> 64) as u64, options(nostack));
    }
    Some((hi as u128) << 64 | lo as u128)
}

#[cfg(not(any(target_arch = "s390x", target_arch = "x86_64")))]
unsafe fn native_cas128(_p: *mut u8, _expected: u128, _new: u128) -> Option<u128> {
    None
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
        let p = self.check_write(addr, 16, PROT_READ | PROT_WRITE)?;
        // SAFETY: checked readable and writable for 16 bytes. The values are
        // converted to the host's view of the guest's little-endian bytes.
        let old = unsafe { host_cas128(p, expected.to_le(), new.to_le()) };
        Ok(u128::from_le(old))
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
        let _g = self.lock();
        self.log_invalidation(addr);
    }

    fn prepare_write(&mut self, addr: u64, len: u64) -> Result<(), MemFault> {
        self.check_write(addr, len, PROT_WRITE).map(|_| ())
    }

    fn code_changed(&self) -> bool {
        self.invalidated.len() > INVAL_SEEN.with(|c| c.get())
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
        assert_eq!(s.pages.at(GuestSpace::page_index(A)) & PROT_WRITE, 0);
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

    /// Translations on offer to every thread go when their page is logged
    /// for invalidation: written, unmapped, or named by IC IVAU.
    #[test]
    fn logged_pages_lose_their_shared_translations() {
        let mut s = GuestSpace::new().unwrap();
        s.translations.active.store(true, std::sync::atomic::Ordering::Relaxed);
        s.map(A, 4 * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC).unwrap();
        for k in 0..4 {
            s.mark_code(A + k * PAGE, A + k * PAGE + 8);
            s.translations.offer(crate::jit::tests::block(A + k * PAGE, A + k * PAGE + 8, 16), None);
        }
        s.write(A + 16, MemSize::B8, 7).unwrap();
        assert_eq!(s.translations.len(), 3);
        s.invalidate_code(A + 2 * PAGE + 4);
        assert_eq!(s.translations.len(), 2);
        s.unmap(A + PAGE, PAGE).unwrap();
        assert_eq!(s.translations.len(), 1);
        assert_eq!(s.invalidated, vec![A, A + 2 * PAGE + 4, A + PAGE]);
    }

    /// Nothing maps below MMAP_MIN_ADDR (generated code relies on it for
    /// accesses whose base + displacement wraps round): EPERM, as Linux
    /// with that vm.mmap_min_addr; at the limit, it maps.
    #[test]
    fn nothing_maps_below_the_minimum_address() {
        let mut s = GuestSpace::new().unwrap();
        assert_eq!(s.map(0, PAGE, PROT_READ), Err(libc::EPERM));
        assert_eq!(s.map(MMAP_MIN_ADDR - PAGE, 2 * PAGE, PROT_READ), Err(libc::EPERM));
        assert!(!s.is_mapped(MMAP_MIN_ADDR - PAGE));
        s.map(MMAP_MIN_ADDR, PAGE, PROT_READ).unwrap();
        assert!(s.is_mapped(MMAP_MIN_ADDR));
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

    /// A system call's buffer in a code page: another thread translating
    /// code in the page during the call leaves it writable for the kernel
    /// (a read into it succeeds), and the translation is invalidated when
    /// the call ends; after that the page is protected as usual.
    #[test]
    fn kernel_writes_to_a_pinned_buffer_survive_a_translation_meanwhile() {
        let mut s = GuestSpace::new().unwrap();
        s.map(A, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC).unwrap();
        s.mark_code(A, A + 4);
        s.pin_for_kernel(A + 64, 16);
        assert_eq!(s.invalidated, vec![A]);
        s.mark_code(A, A + 4);
        assert!(s.is_code(A));
        let buffer = (s.base() + A + 64) as *mut libc::c_void;
        let read_into_buffer = || {
            let mut fds = [0; 2];
            // SAFETY: a fresh pipe, read into the guest buffer (mapped).
            unsafe {
                assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
                assert_eq!(libc::write(fds[1], [7u8; 16].as_ptr() as _, 16), 16);
                let n = libc::read(fds[0], buffer, 16);
                libc::close(fds[0]);
                libc::close(fds[1]);
                n
            }
        };
        assert_eq!(read_into_buffer(), 16);
        s.unpin_for_kernel(A + 64, 16);
        assert_eq!(s.invalidated, vec![A, A]);
        assert!(!s.is_code(A));
        assert_eq!(s.read(A + 64, MemSize::B1).unwrap(), 7);
        s.mark_code(A, A + 4);
        assert_eq!(read_into_buffer(), -1, "unpinned, a code page is write-protected again");
        // A forked child ends the pins of system calls it does not run.
        s.pin_for_kernel(A + 64, 16);
        s.mark_code(A, A + 4);
        s.unpin_all_for_kernel();
        assert_eq!(s.invalidated, vec![A, A, A, A]);
        s.mark_code(A, A + 4);
        assert_eq!(read_into_buffer(), -1);
    }

    /// A writer (interpreter, helper, system call) unprotected a code page,
    /// and another guest thread translated code there again before its
    /// store: the store faults in zarm's own code and is retried once the
    /// page is unprotected again (invalidating the new translations).
    #[test]
    fn host_write_that_lost_the_race_to_a_code_page_is_retried() {
        install_fault_handler();
        let mut s = GuestSpace::new().unwrap();
        s.map(A, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC).unwrap();
        s.mark_code(A, A + 4);
        set_fault_space(&s);
        // SAFETY: a mapped guest page, host read-only because it holds code.
        unsafe { std::ptr::write_volatile((s.base() + A + 8) as *mut u32, 0xdead_beef) };
        set_fault_space(std::ptr::null());
        assert_eq!(s.read(A + 8, MemSize::B4).unwrap(), 0xdead_beef_u32.to_le() as u64);
        assert_eq!(s.invalidated, vec![A]);
        assert!(!s.is_code(A));
        assert_eq!(s.smc_writes, 1);
    }

    /// A host write to a guest page the guest may not write is zarm's own
    /// bug, not a race: it still kills zarm (here a forked child).
    #[test]
    fn host_write_to_a_page_the_guest_may_not_write_still_crashes() {
        install_fault_handler();
        let mut s = GuestSpace::new().unwrap();
        s.map(A, PAGE, PROT_READ | PROT_EXEC).unwrap();
        s.mark_code(A, A + 4);
        set_fault_space(&s);
        // SAFETY: the child only stores (faulting) and exits.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            unsafe {
                std::ptr::write_volatile((s.base() + A + 8) as *mut u32, 1);
                libc::_exit(0);
            }
        }
        set_fault_space(std::ptr::null());
        let mut status = 0;
        // SAFETY: our child.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGSEGV, "status {status:#x}");
        assert!(s.invalidated.is_empty());
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

    /// Four threads add 1 to a 16-byte little-endian counter through
    /// `cas128` (the aligned native path) and to an unaligned one (the
    /// locked path); a lost update or a torn carry from the low to the high
    /// half changes the totals.
    #[test]
    fn cas128_is_atomic_across_threads() {
        #[repr(align(16))]
        struct Cell([u8; 48]);
        let mut cell = Cell([0; 48]);
        let start = u64::MAX as u128 - 1000; // the low half overflows on the way
        cell.0[0..16].copy_from_slice(&start.to_le_bytes());
        cell.0[24..40].copy_from_slice(&start.to_le_bytes());
        let base = cell.0.as_mut_ptr() as usize;
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(move || {
                    for off in [0usize, 24] {
                        let p = (base + off) as *mut u8;
                        for _ in 0..5000 {
                            let mut cur = u128::from_le(unsafe { (p as *const u128).read_unaligned() });
                            loop {
                                let old = u128::from_le(unsafe { host_cas128(p, cur.to_le(), (cur + 1).to_le()) });
                                if old == cur {
                                    break;
                                }
                                cur = old;
                            }
                        }
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        let get = |off: usize| u128::from_le_bytes(cell.0[off..off + 16].try_into().unwrap());
        assert_eq!(get(0), start + 20_000);
        assert_eq!(get(24), start + 20_000);
        // A failed compare leaves memory alone and returns what is there.
        let before = get(0);
        assert_eq!(u128::from_le(unsafe { host_cas128(base as *mut u8, 5u128.to_le(), 9u128.to_le()) }), before);
        assert_eq!(get(0), before);
    }
}

//! Guest signal delivery, as Linux does it for arm64: handlers run on an
//! `rt_sigframe` (siginfo, ucontext with the general registers and an
//! FP/SIMD record, a frame record) built on the guest stack or the
//! alternate signal stack, and return through `rt_sigreturn`, which
//! restores everything from the frame.
//!
//! Signals come from three places: synchronous faults and exceptions of a
//! guest instruction (precise state at that instruction), signals the guest
//! sends itself (`kill`/`tgkill`/`raise`, pending until unblocked), and host
//! signals such as `SIGALRM` for which the guest installed a handler (the
//! host handler marks them pending and asks generated code to leave at the
//! next block boundary). Pending signals are delivered between blocks.
//! Signals zarm itself uses (SIGSEGV, SIGBUS for the JIT's faults) are never
//! forwarded from the host.

use crate::memory::{GuestSpace, PAGE, PROT_EXEC, PROT_READ};
use crate::syscall::Process;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use zarm_ir::CpuState;

pub const SA_SIGINFO: u64 = 0x4;
pub const SA_RESTART: u64 = 0x1000_0000;
pub const SA_ONSTACK: u64 = 0x0800_0000;
pub const SA_RESTORER: u64 = 0x0400_0000;
pub const SA_NODEFER: u64 = 0x4000_0000;
pub const SA_RESETHAND: u64 = 0x8000_0000;
const SS_ONSTACK: u64 = 1;
const SS_DISABLE: u64 = 2;

/// siginfo codes.
pub const SI_USER: i32 = 0;
pub const SI_TKILL: i32 = -6;
pub const SEGV_MAPERR: i32 = 1;
pub const SEGV_ACCERR: i32 = 2;
pub const BUS_ADRALN: i32 = 1;
pub const ILL_ILLOPC: i32 = 1;
pub const TRAP_BRKPT: i32 = 1;

/// What a handler learns about its signal.
#[derive(Clone, Copy, Debug)]
pub struct SigInfo {
    pub signo: i32,
    pub code: i32,
    /// The faulting address (SIGSEGV, SIGBUS, SIGILL, SIGTRAP).
    pub addr: Option<u64>,
    /// A signal from another process: its pid and uid, and a child's
    /// status for SIGCHLD. None for a signal the guest sent itself.
    pub sender: Option<(i32, u32, i32)>,
    /// The syndrome of the fault that raised it (`data_abort_esr`,
    /// `insn_abort_esr`): the frame then carries an `esr_context`.
    pub esr: Option<u64>,
}

impl SigInfo {
    pub fn user(signo: i32, code: i32) -> SigInfo {
        SigInfo { signo, code, addr: None, sender: None, esr: None }
    }

    /// A pending signal as recorded in `s`.
    pub fn pending(signo: i32, s: &Signals) -> SigInfo {
        SigInfo { signo, code: s.codes[signo as usize], addr: None, sender: s.senders[signo as usize], esr: None }
    }

    /// The arm64 `siginfo_t` (128 bytes, little-endian): signo, errno,
    /// code, then the address of a fault, or the sender's pid and uid.
    pub fn to_guest(&self) -> Vec<u8> {
        let mut f = vec![0u8; SIGINFO_SIZE as usize];
        f[0..4].copy_from_slice(&self.signo.to_le_bytes());
        f[8..12].copy_from_slice(&self.code.to_le_bytes());
        if let Some(a) = self.addr {
            f[16..24].copy_from_slice(&a.to_le_bytes());
        } else if let Some((pid, uid, status)) = self.sender {
            f[16..20].copy_from_slice(&pid.to_le_bytes());
            f[20..24].copy_from_slice(&uid.to_le_bytes());
            if self.signo == libc::SIGCHLD {
                f[24..28].copy_from_slice(&status.to_le_bytes());
            }
        } else if self.code == SI_USER || self.code == SI_TKILL {
            f[16..20].copy_from_slice(&(std::process::id() as i32).to_le_bytes());
            // SAFETY: getuid cannot fail.
            f[20..24].copy_from_slice(&unsafe { libc::getuid() }.to_le_bytes());
        }
        f
    }
}

// Frame layout (arch/arm64/include/uapi/asm/{sigcontext,ucontext}.h).
const SIGINFO_SIZE: u64 = 128;
const UC_STACK: u64 = 16;
const UC_SIGMASK: u64 = 40;
const UC_MCONTEXT: u64 = 176;
const MC_FAULT_ADDRESS: u64 = 0;
const MC_REGS: u64 = 8;
const MC_SP: u64 = 256;
const MC_PC: u64 = 264;
const MC_PSTATE: u64 = 272;
const MC_RESERVED: u64 = 288;
const RESERVED_SIZE: u64 = 4096;
const FPSIMD_MAGIC: u32 = 0x4650_8001;
const FPSIMD_SIZE: u32 = 528;
/// `struct esr_context`: the record's header and ESR_EL1.
const ESR_MAGIC: u32 = 0x4553_5201;
const ESR_SIZE: u32 = 16;

/// ESR_EL1 fields (Arm ARM, ESR_ELx): the exception class (bits 31:26),
/// IL (bit 25: a 32-bit instruction), WnR (bit 6, data aborts: a write).
const EC_INSN_ABORT_LOWER: u64 = 0x20;
const EC_DATA_ABORT_LOWER: u64 = 0x24;
const ESR_IL: u64 = 1 << 25;
const ESR_WNR: u64 = 1 << 6;
/// Fault status codes (bits 5:0): translation and permission faults at
/// table level 0, and the alignment fault.
const FSC_TRANSLATION_L0: u64 = 0x04;
const FSC_PERMISSION_L0: u64 = 0x0c;
const FSC_ALIGNMENT: u64 = 0x21;

/// The ESR Linux reports in the signal frame of a data abort at EL0
/// (SIGSEGV, SIGBUS): a data abort from a lower exception level, WnR for
/// a write, and its fault status. Hardware reports the translation table
/// level that faulted; zarm has no tables and reports level 0, as QEMU
/// does (since 8.2), and no instruction-specific syndrome (ISV clear).
pub fn data_abort_esr(kind: zarm_ir::FaultKind, write: bool) -> u64 {
    let fsc = match kind {
        zarm_ir::FaultKind::Unmapped => FSC_TRANSLATION_L0,
        zarm_ir::FaultKind::Permission => FSC_PERMISSION_L0,
        zarm_ir::FaultKind::Alignment => FSC_ALIGNMENT,
    };
    EC_DATA_ABORT_LOWER << 26 | ESR_IL | if write { ESR_WNR } else { 0 } | fsc
}

/// The ESR of an instruction fetch from an unmapped address at EL0.
pub fn insn_abort_esr() -> u64 {
    EC_INSN_ABORT_LOWER << 26 | ESR_IL | FSC_TRANSLATION_L0
}
/// `struct rt_sigframe`: siginfo then ucontext.
const SIGFRAME_SIZE: u64 = SIGINFO_SIZE + UC_MCONTEXT + MC_RESERVED + RESERVED_SIZE;

/// The guest's alternate signal stack (`sigaltstack`).
#[derive(Clone, Copy, Debug, Default)]
pub struct AltStack {
    pub sp: u64,
    pub size: u64,
    pub disabled: bool,
}

/// Per-process signal state beyond the dispositions and the mask.
#[derive(Debug)]
pub struct Signals {
    /// Pending signals sent by the guest to itself (bit `sig - 1`).
    pub pending: u64,
    pub altstack: AltStack,
    /// Guest address of the `rt_sigreturn` trampoline (the kernel's vDSO
    /// `__kernel_rt_sigreturn`), mapped on first use.
    pub sigtramp: u64,
    /// si_code of each pending signal.
    pub codes: [i32; 65],
    /// Who sent each pending signal, if another process did.
    pub senders: [Option<(i32, u32, i32)>; 65],
    /// The mask `rt_sigsuspend` replaced: the next handler's frame
    /// restores it.
    pub saved_mask: Option<u64>,
}

impl Default for Signals {
    fn default() -> Self {
        Signals { pending: 0, altstack: AltStack { disabled: true, ..Default::default() }, sigtramp: 0, codes: [SI_USER; 65], senders: [None; 65], saved_mask: None }
    }
}

/// Signals raised by host signal handlers, for the dispatcher (bit sig - 1).
static HOST_PENDING: AtomicU64 = AtomicU64::new(0);
/// Every guest thread's JIT `exit_request`, so a host signal (or another
/// thread) makes generated code leave at the next block boundary.
const EXIT_SLOTS: usize = 256;
static EXIT_REQUEST: [AtomicPtr<u64>; EXIT_SLOTS] = [const { AtomicPtr::new(std::ptr::null_mut()) }; EXIT_SLOTS];

/// Registers a thread's exit-request word; the slot is given back with
/// `unregister_exit_request`. None when all slots are taken (that thread
/// then notices host signals at its next return to the dispatcher).
pub fn register_exit_request(p: *mut u64) -> Option<usize> {
    (0..EXIT_SLOTS).find(|&i| EXIT_REQUEST[i].compare_exchange(std::ptr::null_mut(), p, Ordering::SeqCst, Ordering::SeqCst).is_ok())
}

pub fn unregister_exit_request(slot: usize) {
    EXIT_REQUEST[slot].store(std::ptr::null_mut(), Ordering::SeqCst);
}

/// Asks generated code on every thread to leave at its next block
/// boundary.
pub fn request_exit_all() {
    for slot in &EXIT_REQUEST {
        let p = slot.load(Ordering::SeqCst);
        if !p.is_null() {
            // SAFETY: registered words stay valid until unregistered.
            unsafe { std::ptr::write_volatile(p, 1) };
        }
    }
}

/// Has a host signal arrived that the dispatcher has not taken yet and
/// that a thread with guest mask `mask` accepts?
pub fn host_pending_unblocked(mask: u64) -> bool {
    HOST_PENDING.load(Ordering::SeqCst) & !mask != 0
}

/// The host signals marked pending and not taken yet (bit sig - 1).
pub fn host_pending_bits() -> u64 {
    HOST_PENDING.load(Ordering::SeqCst)
}

/// Takes the signals host handlers marked pending (bit sig - 1).
pub fn take_host_pending() -> u64 {
    HOST_PENDING.swap(0, Ordering::SeqCst)
}

/// Takes the host-pending signals a thread with guest mask `mask` does not
/// block; blocked ones stay for a thread that accepts them (a
/// process-directed signal goes to any thread not blocking it).
pub fn take_host_pending_unblocked(mask: u64) -> u64 {
    HOST_PENDING.fetch_and(mask, Ordering::SeqCst) & !mask
}

/// Runs `f` with the forwardable host signals blocked in this thread,
/// passing it the mask to restore, which a host wait installs atomically
/// while it sleeps (ppoll, pselect, epoll_pwait): a signal arriving
/// between `f`'s check for pending signals and its wait then interrupts
/// the wait instead of being missed.
pub fn with_forwarded_blocked<R>(f: impl FnOnce(*const libc::sigset_t) -> R) -> R {
    // SAFETY: signal-mask manipulation of this thread.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut all);
        for sig in 1..=31 {
            if forwardable(sig) {
                libc::sigaddset(&mut all, sig);
            }
        }
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, &mut old);
        let r = f(&old);
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        r
    }
}

/// `rt_sigtimedwait`: takes a pending signal of `set` (blocked ones
/// included, as they are what it waits for), waiting up to `timeout`
/// (None: forever). Returns the signal, or None on timeout; `Err(())` when
/// another signal the guest accepts interrupted the wait (EINTR).
pub fn wait_for_signal_in(proc: &mut Process, set: u64, timeout: Option<std::time::Duration>) -> Result<Option<i32>, ()> {
    let deadline = timeout.map(|t| std::time::Instant::now() + t);
    with_forwarded_blocked(|unblocked| loop {
        proc.take_thread_signals();
        proc.absorb_host(HOST_PENDING.fetch_and(!set, Ordering::SeqCst) & set);
        proc.absorb_host(take_host_pending_unblocked(proc.sigmask));
        let ready = proc.signals.pending & set;
        if ready != 0 {
            let sig = ready.trailing_zeros() as i32 + 1;
            proc.signals.pending &= !bit(sig);
            return Ok(Some(sig));
        }
        if proc.signals.pending & !proc.sigmask != 0 {
            return Err(());
        }
        let left = deadline.map(|d| d.saturating_duration_since(std::time::Instant::now()));
        if left == Some(std::time::Duration::ZERO) {
            return Ok(None);
        }
        let ts = left.map(|d| libc::timespec { tv_sec: d.as_secs() as _, tv_nsec: d.subsec_nanos() as _ });
        // SAFETY: no descriptors; ts and the mask are valid.
        unsafe { libc::ppoll(std::ptr::null_mut(), 0, ts.as_ref().map_or(std::ptr::null(), |t| t as *const _), unblocked) };
    })
}

impl Process {
    /// Makes host signals (bits sig - 1, taken from the host-pending set)
    /// pending for this thread, with what the host said of them.
    pub fn absorb_host(&mut self, bits: u64) {
        // Linux discards an ignored signal the thread does not block when
        // it is sent; zarm catches some of them on the host (to keep them
        // pending while blocked) and discards them here.
        let bits = if bits == 0 { 0 } else { bits & !self.discarded_signals() };
        let mut b = bits;
        while b != 0 {
            let sig = b.trailing_zeros() as usize + 1;
            b &= b - 1;
            if sig < 32 {
                let h = &HOST_INFO[sig];
                self.signals.codes[sig] = h.code.load(Ordering::Relaxed);
                self.signals.senders[sig] = Some((h.pid.load(Ordering::Relaxed), h.uid.load(Ordering::Relaxed), h.status.load(Ordering::Relaxed)));
            }
        }
        self.signals.pending |= bits;
    }

    /// The signals Linux would discard if sent now: ignored (SIG_IGN, or
    /// SIG_DFL of a default-ignore signal) and not blocked by this thread.
    pub(crate) fn discarded_signals(&self) -> u64 {
        let actions = self.sigactions.lock().unwrap_or_else(|e| e.into_inner());
        let d = (1..32).filter(|&sig| matches!(actions[sig as usize][0], 0 if default_ignored(sig)) || actions[sig as usize][0] == 1).fold(0, |d, sig| d | bit(sig));
        d & !self.sigmask
    }
}

/// Takes one pending signal of `set` (host, sibling or self-sent; blocked
/// ones included), for signalfd reads.
pub fn take_pending_in(proc: &mut Process, set: u64) -> Option<i32> {
    proc.take_thread_signals();
    proc.absorb_host(HOST_PENDING.fetch_and(!set, Ordering::SeqCst) & set);
    let ready = proc.signals.pending & set;
    if ready == 0 {
        return None;
    }
    let sig = ready.trailing_zeros() as i32 + 1;
    proc.signals.pending &= !bit(sig);
    Some(sig)
}

/// Signals pending for this thread or the process, blocked ones included
/// (`rt_sigpending`).
pub fn pending_set(proc: &mut Process) -> u64 {
    proc.take_thread_signals();
    proc.signals.pending | HOST_PENDING.load(Ordering::SeqCst)
}

/// Sleeps until a signal the guest does not block is pending (guest-sent
/// or from the host). The forwardable host signals are blocked while
/// checking and released atomically by `sigsuspend`, so none is missed.
pub fn wait_for_signal(proc: &mut Process) {
    with_forwarded_blocked(|unblocked| loop {
        proc.absorb_host(take_host_pending_unblocked(proc.sigmask));
        if proc.signals.pending & !proc.sigmask != 0 {
            break;
        }
        // SAFETY: a valid signal mask.
        unsafe { libc::sigsuspend(unblocked) };
    })
}

/// What the host said of the last instance of each host signal: si_code,
/// the sender's pid and uid, and (SIGCHLD) the child's status.
struct HostInfo {
    code: AtomicI32,
    pid: AtomicI32,
    uid: AtomicU32,
    status: AtomicI32,
}

static HOST_INFO: [HostInfo; 32] =
    [const { HostInfo { code: AtomicI32::new(SI_USER), pid: AtomicI32::new(0), uid: AtomicU32::new(0), status: AtomicI32::new(0) } }; 32];

/// signalfd descriptors: the host eventfd that makes each readable, and the
/// signals it takes (bit sig - 1). Written by `on_host_signal`.
static SIGNALFDS: [(std::sync::atomic::AtomicI32, AtomicU64); 16] = [const { (std::sync::atomic::AtomicI32::new(-1), AtomicU64::new(0)) }; 16];

/// Registers (or updates) signalfd `fd` for `mask`; false if all slots are
/// taken.
pub fn signalfd_register(fd: i32, mask: u64) -> bool {
    for (f, m) in &SIGNALFDS {
        if f.load(Ordering::SeqCst) == fd {
            m.store(mask, Ordering::SeqCst);
            return true;
        }
    }
    for (f, m) in &SIGNALFDS {
        // A free slot's mask is 0 (`signalfd_unregister`): a notification
        // between the two stores finds no signal to wake it for.
        if f.compare_exchange(-1, fd, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
            m.store(mask, Ordering::SeqCst);
            return true;
        }
    }
    false
}

/// The signals signalfd `fd` takes, if it is one.
pub fn signalfd_mask(fd: i32) -> Option<u64> {
    // Free slots hold -1: no negative descriptor is a signalfd.
    if fd < 0 {
        return None;
    }
    SIGNALFDS.iter().find(|(f, _)| f.load(Ordering::SeqCst) == fd).map(|(_, m)| m.load(Ordering::SeqCst))
}

pub fn signalfd_unregister(fd: i32) {
    for (f, m) in &SIGNALFDS {
        if f.load(Ordering::SeqCst) == fd {
            m.store(0, Ordering::SeqCst);
            f.store(-1, Ordering::SeqCst);
        }
    }
}

/// Makes the signalfds that take `sig` readable (async-signal-safe).
pub fn signalfd_notify(sig: i32) {
    for (f, m) in &SIGNALFDS {
        let fd = f.load(Ordering::SeqCst);
        if fd >= 0 && m.load(Ordering::SeqCst) & bit(sig) != 0 {
            let one = 1u64;
            // SAFETY: an 8-byte write to an eventfd.
            unsafe { libc::write(fd, &one as *const u64 as *const libc::c_void, 8) };
        }
    }
}

thread_local! {
    /// This host thread is zarm's own (the tier's compile thread), not a
    /// guest thread.
    static INTERNAL_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the calling thread as zarm's own: a process-directed signal the
/// kernel (or qemu-user, which routes signals per thread) delivers to it is
/// recorded and then re-sent to the main guest thread, so a guest system
/// call waiting there for it (sigwait, ppoll, …) wakes up. Internal threads
/// do not block signals: under qemu-user a signal a thread blocks stays
/// with that thread.
pub fn mark_internal_thread() {
    INTERNAL_THREAD.with(|t| t.set(true));
}

/// Signals re-sent by an internal thread: their siginfo is already recorded.
static FORWARDED: [AtomicBool; 32] = [const { AtomicBool::new(false) }; 32];

extern "C" fn on_host_signal(sig: i32, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
    let forwarded = (1..32).contains(&sig) && FORWARDED[sig as usize].swap(false, Ordering::SeqCst);
    if !info.is_null() && (1..32).contains(&sig) && !forwarded {
        // SAFETY: the kernel's siginfo for this delivery; the accessors
        // read the union members the kernel fills for user signals and
        // SIGCHLD.
        unsafe {
            let h = &HOST_INFO[sig as usize];
            h.code.store((*info).si_code, Ordering::Relaxed);
            h.pid.store((*info).si_pid(), Ordering::Relaxed);
            h.uid.store((*info).si_uid(), Ordering::Relaxed);
            h.status.store(if sig == libc::SIGCHLD { (*info).si_status() } else { 0 }, Ordering::Relaxed);
        }
    }
    HOST_PENDING.fetch_or(1 << (sig - 1), Ordering::SeqCst);
    signalfd_notify(sig);
    request_exit_all();
    if (1..32).contains(&sig) && INTERNAL_THREAD.with(|t| t.get()) {
        FORWARDED[sig as usize].store(true, Ordering::SeqCst);
        // SAFETY: tgkill is async-signal-safe; the main guest thread is the
        // thread-group leader (if it has exited, the others still see the
        // signal pending at their next block boundary).
        let pid = unsafe { libc::getpid() };
        if unsafe { libc::syscall(libc::SYS_tgkill, pid, pid, sig) } != 0 {
            FORWARDED[sig as usize].store(false, Ordering::SeqCst);
        }
    }
}

/// Host signals a guest handler may be installed for; the ones zarm uses
/// itself (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE) stay zarm's.
fn forwardable(sig: i32) -> bool {
    matches!(
        sig,
        libc::SIGHUP
            | libc::SIGINT
            | libc::SIGQUIT
            | libc::SIGUSR1
            | libc::SIGUSR2
            | libc::SIGPIPE
            | libc::SIGALRM
            | libc::SIGTERM
            | libc::SIGCHLD
            | libc::SIGCONT
            | libc::SIGTSTP
            | libc::SIGTTIN
            | libc::SIGTTOU
            | libc::SIGURG
            | libc::SIGXCPU
            | libc::SIGXFSZ
            | libc::SIGVTALRM
            | libc::SIGPROF
            | libc::SIGWINCH
    )
}

/// Mirrors a new guest disposition of `sig` on the host: a handler becomes
/// a host handler that marks the signal pending, SIG_IGN is ignored by the
/// host too (so, e.g., a write to a closed pipe returns EPIPE). SIG_DFL of a
/// signal whose default action terminates is caught as well: the guest may
/// block it (then it stays pending, for sigwait, sigpending or a later
/// unblock), and zarm applies the default action when the guest takes it.
/// So is SIG_DFL of SIGCHLD, SIGURG, SIGWINCH and SIGCONT (default: ignore),
/// which Linux keeps pending while blocked (for sigwait, sigpending,
/// signalfd) and discards otherwise (`Process::absorb_host` drops them then;
/// SA_RESTART, so most host calls they interrupt continue, and the others
/// are restarted or resumed as the guest must not see them); SIGCONT's
/// other part, continuing a stopped process, the host kernel does when the
/// signal is sent, whatever its disposition. The stop defaults stay the
/// host's.
pub fn mirror_disposition(sig: i32, handler: u64) {
    if !forwardable(sig) {
        return;
    }
    // SAFETY: installing a handler that only touches atomics.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = match handler {
            0 if (default_terminates(sig) && !is_stop(sig)) || default_ignored(sig) => on_host_signal as *const () as usize,
            0 => libc::SIG_DFL,
            1 => libc::SIG_IGN,
            _ => on_host_signal as *const () as usize,
        };
        // No SA_RESTART: a blocking call returns EINTR and the guest's
        // handler runs right after it. SA_SIGINFO: the sender is kept.
        sa.sa_flags = libc::SA_SIGINFO;
        if handler == 0 && default_ignored(sig) {
            sa.sa_flags |= libc::SA_RESTART;
        }
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

/// The signals whose default action stops the process.
fn is_stop(sig: i32) -> bool {
    matches!(sig, libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU)
}

/// At start-up: the forwardable signals the host already ignores (inherited
/// SIG_IGN, as under `nohup`, stays ignored for the guest: the returned
/// mask, bit sig - 1); the others get their guest default mirrored.
pub fn init_host_dispositions() -> u64 {
    let mut ignored = 0u64;
    for sig in 1..=31 {
        if !forwardable(sig) {
            continue;
        }
        // SAFETY: querying and setting this process's dispositions.
        let mut cur: libc::sigaction = unsafe { std::mem::zeroed() };
        unsafe { libc::sigaction(sig, std::ptr::null(), &mut cur) };
        if cur.sa_sigaction == libc::SIG_IGN {
            ignored |= bit(sig);
        } else {
            mirror_disposition(sig, 0);
        }
    }
    ignored
}

/// Signals whose default action is to ignore them (SIGCONT's also
/// continues a stopped process, which the host kernel does when it is
/// sent).
pub(crate) fn default_ignored(sig: i32) -> bool {
    matches!(sig, libc::SIGCHLD | libc::SIGURG | libc::SIGWINCH | libc::SIGCONT)
}

/// Default action: does it terminate the process (else: ignore)?
fn default_terminates(sig: i32) -> bool {
    !matches!(sig, libc::SIGCHLD | libc::SIGURG | libc::SIGWINCH | libc::SIGCONT | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU)
}

fn bit(sig: i32) -> u64 {
    1u64 << (sig - 1)
}

impl Process {
    /// The next pending signal the guest does not block, from the guest's
    /// own sends and from host signals.
    pub fn take_pending(&mut self) -> Option<i32> {
        let host = take_host_pending_unblocked(self.sigmask);
        self.absorb_host(host);
        let ready = self.signals.pending & !self.sigmask;
        if ready == 0 {
            return None;
        }
        let sig = ready.trailing_zeros() as i32 + 1;
        self.signals.pending &= !bit(sig);
        Some(sig)
    }

    /// Delivers `info` to the guest: runs its handler (setting up the frame
    /// and registers) or applies the default action. `Err(sig)`: the
    /// process dies by `sig`. `forced`: a synchronous fault, which cannot be
    /// ignored or blocked (Linux then applies the default action).
    pub fn deliver(&mut self, cpu: &mut CpuState, info: SigInfo, forced: bool) -> Result<(), i32> {
        let sig = info.signo;
        let [handler, flags, restorer, mask] = self.action(sig as usize);
        let blocked = self.sigmask & bit(sig) != 0;
        if handler == 0 || (forced && (handler == 1 || blocked)) {
            return if default_terminates(sig) || forced { Err(sig) } else { Ok(()) };
        }
        if handler == 1 {
            return Ok(());
        }
        let tramp = if flags & SA_RESTORER != 0 { restorer } else { self.sigtramp()? };
        // The stack: the alternate one if asked for and not already on it.
        let alt = self.signals.altstack;
        let on_alt = !alt.disabled && cpu.x[31].wrapping_sub(alt.sp) < alt.size;
        let mut sp = if flags & SA_ONSTACK != 0 && !alt.disabled && !on_alt { alt.sp + alt.size } else { cpu.x[31] };
        sp = (sp - 16) & !15;
        let record = sp;
        sp = (sp - SIGFRAME_SIZE) & !15;
        let frame = sp;
        let mut f = vec![0u8; SIGFRAME_SIZE as usize];
        let put = |f: &mut Vec<u8>, off: u64, v: &[u8]| f[off as usize..off as usize + v.len()].copy_from_slice(v);
        put(&mut f, 0, &info.to_guest());
        // ucontext
        let uc = SIGINFO_SIZE;
        put(&mut f, uc + UC_STACK, &alt.sp.to_le_bytes());
        let ss_flags = if alt.disabled { SS_DISABLE } else if on_alt { SS_ONSTACK } else { 0 };
        put(&mut f, uc + UC_STACK + 8, &(ss_flags as u32).to_le_bytes());
        put(&mut f, uc + UC_STACK + 16, &alt.size.to_le_bytes());
        let saved = self.signals.saved_mask.take().unwrap_or(self.sigmask);
        put(&mut f, uc + UC_SIGMASK, &saved.to_le_bytes());
        let mc = uc + UC_MCONTEXT;
        put(&mut f, mc + MC_FAULT_ADDRESS, &info.addr.unwrap_or(0).to_le_bytes());
        for r in 0..31 {
            put(&mut f, mc + MC_REGS + 8 * r as u64, &cpu.x[r].to_le_bytes());
        }
        put(&mut f, mc + MC_SP, &cpu.x[31].to_le_bytes());
        put(&mut f, mc + MC_PC, &cpu.pc.to_le_bytes());
        put(&mut f, mc + MC_PSTATE, &(cpu.nzcv & 0xf000_0000).to_le_bytes());
        let fp = mc + MC_RESERVED;
        put(&mut f, fp, &FPSIMD_MAGIC.to_le_bytes());
        put(&mut f, fp + 4, &FPSIMD_SIZE.to_le_bytes());
        put(&mut f, fp + 8, &(cpu.fpsr as u32).to_le_bytes());
        put(&mut f, fp + 12, &(cpu.fpcr as u32).to_le_bytes());
        for r in 0..32 {
            put(&mut f, fp + 16 + 16 * r as u64, &cpu.v[r].to_le_bytes());
        }
        // A fault's syndrome next, as Linux lays the records out.
        if let Some(esr) = info.esr {
            let e = fp + FPSIMD_SIZE as u64;
            put(&mut f, e, &ESR_MAGIC.to_le_bytes());
            put(&mut f, e + 4, &ESR_SIZE.to_le_bytes());
            put(&mut f, e + 8, &esr.to_le_bytes());
        }
        // The terminating null record follows (zeros).
        let mut rec = [0u8; 16];
        rec[..8].copy_from_slice(&cpu.x[29].to_le_bytes());
        rec[8..].copy_from_slice(&cpu.x[30].to_le_bytes());
        if self.space.write_bytes(frame, &f).is_none() || self.space.write_bytes(record, &rec).is_none() {
            // No room for the frame: the kernel kills with SIGSEGV.
            return Err(libc::SIGSEGV);
        }
        cpu.x[0] = sig as u64;
        // x1 and x2 are set whether or not SA_SIGINFO was given, as Linux does.
        cpu.x[1] = frame;
        cpu.x[2] = frame + uc;
        cpu.x[29] = record;
        cpu.x[30] = tramp;
        cpu.x[31] = frame;
        cpu.pc = handler;
        self.sigmask |= mask;
        if flags & SA_NODEFER == 0 {
            self.sigmask |= bit(sig);
        }
        self.sigmask &= !(bit(libc::SIGKILL) | bit(libc::SIGSTOP));
        if flags & SA_RESETHAND != 0 {
            self.set_action(sig as usize, [0; 4]);
            mirror_disposition(sig, 0);
        }
        Ok(())
    }

    /// `rt_sigreturn`: the frame at SP restores the interrupted state.
    /// `Err(SIGSEGV)` if it cannot be read.
    pub fn sigreturn(&mut self, cpu: &mut CpuState) -> Result<(), i32> {
        let frame = cpu.x[31];
        let f = self.space.read_bytes(frame, SIGFRAME_SIZE as usize).ok_or(libc::SIGSEGV)?;
        let u64_at = |off: u64| u64::from_le_bytes(f[off as usize..off as usize + 8].try_into().unwrap());
        let mc = SIGINFO_SIZE + UC_MCONTEXT;
        for r in 0..31 {
            cpu.x[r] = u64_at(mc + MC_REGS + 8 * r as u64);
        }
        cpu.x[31] = u64_at(mc + MC_SP);
        cpu.pc = u64_at(mc + MC_PC);
        cpu.nzcv = u64_at(mc + MC_PSTATE) & 0xf000_0000;
        self.sigmask = u64_at(SIGINFO_SIZE + UC_SIGMASK) & !(bit(libc::SIGKILL) | bit(libc::SIGSTOP));
        // Records in the reserved area: take the FP/SIMD one.
        let mut off = mc + MC_RESERVED;
        let end = off + RESERVED_SIZE;
        while off + 8 <= end {
            let magic = u32::from_le_bytes(f[off as usize..off as usize + 4].try_into().unwrap());
            let size = u32::from_le_bytes(f[off as usize + 4..off as usize + 8].try_into().unwrap()) as u64;
            if magic == 0 || size < 8 {
                break;
            }
            if magic == FPSIMD_MAGIC && size >= FPSIMD_SIZE as u64 && off + size <= end {
                cpu.fpsr = u32::from_le_bytes(f[off as usize + 8..off as usize + 12].try_into().unwrap()) as u64 & 0xf800_009f;
                cpu.fpcr = u32::from_le_bytes(f[off as usize + 12..off as usize + 16].try_into().unwrap()) as u64 & 0x07ff_9f00;
                for r in 0..32 {
                    let o = (off + 16 + 16 * r as u64) as usize;
                    cpu.v[r] = u128::from_le_bytes(f[o..o + 16].try_into().unwrap());
                }
            }
            off += size;
        }
        Ok(())
    }

    /// `sigaltstack(ss, old_ss)`.
    pub fn sigaltstack(&mut self, cpu: &CpuState, ss: u64, old: u64) -> i64 {
        // Linux's order: the new stack is read (EFAULT) and checked
        // (EPERM while on the alternate stack, EINVAL, ENOMEM), and only
        // then, without an error, the old one written (EFAULT).
        let cur = self.signals.altstack;
        let on_alt = !cur.disabled && cpu.x[31].wrapping_sub(cur.sp) < cur.size;
        if ss != 0 {
            let Some(b) = self.space.read_bytes(ss, 24) else { return -(libc::EFAULT as i64) };
            if on_alt {
                return -(libc::EPERM as i64);
            }
            let sp = u64::from_le_bytes(b[..8].try_into().unwrap());
            let fl = u32::from_le_bytes(b[8..12].try_into().unwrap()) as u64;
            let size = u64::from_le_bytes(b[16..].try_into().unwrap());
            if fl & !(SS_DISABLE | SS_ONSTACK | (1 << 31)) != 0 {
                return -(libc::EINVAL as i64);
            }
            if fl & SS_DISABLE != 0 {
                self.signals.altstack = AltStack { disabled: true, ..Default::default() };
            } else {
                // MINSIGSTKSZ on arm64 is 5120.
                if size < 5120 {
                    return -(libc::ENOMEM as i64);
                }
                self.signals.altstack = AltStack { sp, size, disabled: false };
            }
        }
        if old != 0 {
            let mut b = [0u8; 24];
            b[..8].copy_from_slice(&cur.sp.to_le_bytes());
            let fl = if cur.disabled { SS_DISABLE } else if on_alt { SS_ONSTACK } else { 0 } as u32;
            b[8..12].copy_from_slice(&fl.to_le_bytes());
            b[16..].copy_from_slice(&cur.size.to_le_bytes());
            if self.space.write_bytes(old, &b).is_none() {
                return -(libc::EFAULT as i64);
            }
        }
        0
    }

    /// The guest address of `mov x8, #139; svc #0`, mapped (read+execute)
    /// on first use.
    fn sigtramp(&mut self) -> Result<u64, i32> {
        if self.signals.sigtramp == 0 {
            let at = self.space.find_free(PAGE).ok_or(libc::SIGSEGV)?;
            self.space.map(at, PAGE, PROT_READ | PROT_EXEC).map_err(|_| libc::SIGSEGV)?;
            let code: Vec<u8> = [0xd280_1168u32, 0xd400_0001].iter().flat_map(|w| w.to_le_bytes()).collect();
            GuestSpace::write_bytes_unchecked(&mut self.space, at, &code).ok_or(libc::SIGSEGV)?;
            self.signals.sigtramp = at;
        }
        Ok(self.signals.sigtramp)
    }
}

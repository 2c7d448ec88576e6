//! Guest threads: `clone` with CLONE_VM|CLONE_THREAD runs the new guest
//! thread on a new host thread with its own CPU state, dispatcher and
//! translation cache; the address space, signal dispositions and file
//! descriptors are shared. `futex` uses the host's futexes on the guest
//! words, with the compared values in guest byte order.
//!
//! Translated code stays consistent across threads through the space's
//! invalidation log: a thread that writes a code page (or unmaps it, or
//! names it with IC IVAU) appends the page to the log, asks every thread's
//! generated code to leave at its next block boundary, and each dispatcher
//! drops its translations of the logged pages before running on.
//!
//! The process ends when its last thread exits (`exit`), or at once when
//! one calls `exit_group` or dies by a signal.

use crate::memory::SpaceRef;
use crate::process::{CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID, CLONE_PARENT_SETTID, CLONE_SETTLS, CLONE_VM};
use crate::syscall::{neg, Process};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use zarm_ir::{CpuState, GuestMemory, MemSize};

const CLONE_FS: u64 = 0x200;
const CLONE_FILES: u64 = 0x400;
const CLONE_SIGHAND: u64 = 0x800;
const CLONE_THREAD: u64 = 0x1_0000;
const CLONE_SYSVSEM: u64 = 0x4_0000;


/// One guest thread, as the others see it.
pub struct ThreadEntry {
    pub tid: i32,
    /// Signals sent to this thread by another (bit sig - 1).
    pub pending: AtomicU64,
    /// The head of the thread's robust futex list (`set_robust_list`;
    /// shared, so the thread that ends the whole process walks them all).
    pub robust_list: AtomicU64,
    /// Its `--stats` figures are in the group's (it ended, or it stopped
    /// for the report at the end of the process).
    pub stats_in: AtomicBool,
}

impl ThreadEntry {
    pub fn new(tid: i32) -> Self {
        ThreadEntry { tid, pending: AtomicU64::new(0), robust_list: AtomicU64::new(0), stats_in: AtomicBool::new(false) }
    }
}

/// The threads of one guest process.
pub struct ThreadGroup {
    /// The options zarm runs with (each thread builds its engine).
    pub opts: crate::Options,
    state: Mutex<GroupState>,
    all_gone: Condvar,
    /// `--stats` figures of the threads that have ended.
    retired: Mutex<crate::dispatch::RawStats>,
    /// The process is ending with `--stats`: every other thread adds its
    /// figures at its next block boundary and stops.
    stats_call: AtomicBool,
}

struct GroupState {
    members: Vec<Arc<ThreadEntry>>,
    /// The status of the last thread to exit.
    last_status: i32,
    /// No host thread waits for the last exit (a forked child whose
    /// parent thread was not zarm's first): the last thread ends zarm.
    leader_gone: bool,
}

impl ThreadGroup {
    pub fn new(opts: crate::Options, first: Arc<ThreadEntry>) -> Arc<Self> {
        Arc::new(ThreadGroup {
            opts,
            state: Mutex::new(GroupState { members: vec![first], last_status: 0, leader_gone: false }),
            all_gone: Condvar::new(),
            retired: Mutex::new(Default::default()),
            stats_call: AtomicBool::new(false),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GroupState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Guest threads alive.
    pub fn live(&self) -> usize {
        self.lock().members.len()
    }

    /// The live threads other than `tid`.
    pub fn others(&self, tid: i32) -> Vec<Arc<ThreadEntry>> {
        self.lock().members.iter().filter(|m| m.tid != tid).cloned().collect()
    }

    pub fn find(&self, tid: i32) -> Option<Arc<ThreadEntry>> {
        self.lock().members.iter().find(|m| m.tid == tid).cloned()
    }

    /// After fork: the child has only the thread that forked.
    pub fn reset_to(&self, me: Arc<ThreadEntry>, leader: bool) {
        let mut st = self.lock();
        st.members = vec![me];
        st.leader_gone = !leader;
        *self.retired.lock().unwrap_or_else(|e| e.into_inner()) = Default::default();
    }

    /// Adds the `--stats` figures of thread `me` (ending, or stopping for
    /// the report) to the process's.
    pub fn retire_stats(&self, me: &ThreadEntry, s: &crate::dispatch::RawStats) {
        self.retired.lock().unwrap_or_else(|e| e.into_inner()).merge(s);
        me.stats_in.store(true, Ordering::SeqCst);
    }

    /// The process ends with `--stats` (thread `me` ends it): the other
    /// threads are asked to leave generated code and, at their next block
    /// boundary, to add their figures and stop (the process is ending
    /// anyway); waits for them up to half a second. Returns how many did
    /// not come (blocked in a system call, say): the report says so.
    pub fn collect_running_stats(&self, me: i32) -> u64 {
        let others = self.others(me);
        if others.is_empty() {
            return 0;
        }
        self.stats_call.store(true, Ordering::SeqCst);
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
        loop {
            crate::signal::request_exit_all();
            let missing = others.iter().filter(|t| !t.stats_in.load(Ordering::SeqCst)).count() as u64;
            if missing == 0 || std::time::Instant::now() >= deadline {
                return missing;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Has a thread ending the process asked for this thread's figures?
    pub fn stats_called(&self) -> bool {
        self.stats_call.load(Ordering::Relaxed)
    }

    /// The `--stats` figures of the threads that have ended.
    pub fn retired_stats(&self) -> crate::dispatch::RawStats {
        self.retired.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The thread `tid` leaves the group with `status`. Returns whether it
    /// was the last one.
    fn leave(&self, tid: i32, status: i32) -> bool {
        let mut st = self.lock();
        st.members.retain(|m| m.tid != tid);
        if st.members.is_empty() {
            st.last_status = status;
            self.all_gone.notify_all();
            true
        } else {
            false
        }
    }

    /// Blocks until every thread has left; the last one's status.
    fn wait_all_gone(&self) -> i32 {
        let mut st = self.lock();
        while !st.members.is_empty() {
            st = self.all_gone.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        st.last_status
    }
}

thread_local! {
    /// Is this host thread the one zarm started on (it returns the
    /// process's outcome)?
    static LEADER: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

pub fn is_leader_thread() -> bool {
    LEADER.with(|l| l.get())
}

impl Process {
    /// `clone` for a new thread in this process.
    pub fn clone_thread(&mut self, cpu: &CpuState, flags: u64, stack: u64, ptid: u64, tls: u64, ctid: u64) -> i64 {
        let required = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
        let known = required | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID;
        if flags & required != required || flags & !known != 0 || flags & 0xff != 0 {
            eprintln!("zarm: clone with flags {flags:#x} is not supported; returning EINVAL");
            return neg(libc::EINVAL);
        }
        let mut child_cpu = cpu.clone();
        child_cpu.x[0] = 0;
        child_cpu.x[31] = stack;
        if flags & CLONE_SETTLS != 0 {
            child_cpu.tpidr = tls;
        }
        child_cpu.excl_addr = u64::MAX;
        // From now on translations are worth offering to other threads.
        self.space.translations.active.store(true, std::sync::atomic::Ordering::Relaxed);
        let (tx, rx) = std::sync::mpsc::channel::<i32>();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<Option<Arc<ThreadEntry>>>();
        let mut child = Process {
            space: SpaceRef::clone(&self.space),
            sysroot: self.sysroot.clone(),
            exe: self.exe.clone(),
            strace: self.strace,
            sigactions: Arc::clone(&self.sigactions),
            sigmask: self.sigmask,
            tid_address: if flags & CLONE_CHILD_CLEARTID != 0 { ctid } else { 0 },
            kernel_pins: Vec::new(),
            signals: crate::signal::Signals { sigtramp: self.signals.sigtramp, ..Default::default() },
            threads: Arc::clone(&self.threads),
            me: Arc::new(ThreadEntry::new(0)),
        };
        let spawned = std::thread::Builder::new().name("guest".into()).stack_size(16 << 20).spawn(move || {
            LEADER.with(|l| l.set(false));
            // SAFETY: gettid cannot fail.
            let tid = unsafe { libc::gettid() };
            if flags & CLONE_CHILD_SETTID != 0 {
                let _ = child.space.write_bytes(ctid, &(tid as u32).to_le_bytes());
            }
            let _ = tx.send(tid);
            // Runs guest code only once the parent has registered it.
            let Ok(Some(me)) = go_rx.recv() else { return };
            child.me = me;
            thread_main(child, child_cpu);
        });
        if let Err(e) = spawned {
            eprintln!("zarm: cannot start a host thread for a guest thread: {e}");
            return neg(libc::EAGAIN);
        }
        let Ok(tid) = rx.recv() else { return neg(libc::EAGAIN) };
        let entry = Arc::new(ThreadEntry::new(tid));
        self.threads.lock().members.push(Arc::clone(&entry));
        if flags & CLONE_PARENT_SETTID != 0 {
            let _ = self.space.write_bytes(ptid, &(tid as u32).to_le_bytes());
        }
        let _ = go_tx.send(Some(entry));
        tid as i64
    }

    /// This thread ends with `status` (`exit`): its tid word is cleared
    /// and woken (CLONE_CHILD_CLEARTID, as pthread_join waits on it).
    /// Returns the process's exit status if it was the last thread.
    pub fn thread_exit(&mut self, status: i32) -> Option<i32> {
        self.exit_robust_list();
        let cleared = self.tid_address != 0 && {
            let _turn = crate::lockstep::turn();
            self.space.write_bytes(self.tid_address, &0u32.to_le_bytes()).is_some()
        };
        if cleared {
            if let Some(p) = self.space.host_range(self.tid_address, 4, 0) {
                // SAFETY: a mapped guest word.
                unsafe { libc::syscall(libc::SYS_futex, p, libc::FUTEX_WAKE, 1, 0, 0, 0) };
            }
        }
        self.threads.leave(self.me.tid, status).then_some(status)
    }

    /// The robust futexes this thread still holds, as the kernel handles
    /// them when a thread dies: each word whose owner is this thread gets
    /// FUTEX_OWNER_DIED (keeping FUTEX_WAITERS), and a waiter is woken. The
    /// list (`struct robust_list_head`: next, futex_offset,
    /// list_op_pending; bit 0 of a pointer marks a PI futex) is guest
    /// memory, little-endian.
    pub fn exit_robust_list(&mut self) {
        let head = self.me.robust_list.swap(0, Ordering::SeqCst);
        let tid = self.me.tid as u32;
        self.walk_robust_list(head, tid);
    }

    /// The process ends (`exit_group`, a fatal signal): as the kernel ends
    /// every thread, each one's robust list is walked — this thread's and
    /// those of the threads still running (robust mutexes in memory shared
    /// with other processes are handed on). The others are not stopped
    /// first: one that takes a lock after its list was walked keeps it.
    pub fn exit_group_robust_lists(&mut self) {
        self.exit_robust_list();
        for t in self.threads.others(self.me.tid) {
            let head = t.robust_list.swap(0, Ordering::SeqCst);
            self.walk_robust_list(head, t.tid as u32);
        }
    }

    /// Walks the robust list at `head` of the thread `tid`.
    fn walk_robust_list(&mut self, head: u64, tid: u32) {
        const LIMIT: usize = 2048; // the kernel's ROBUST_LIST_LIMIT
        if head == 0 {
            return;
        }
        let word = |p: &Process, a: u64| p.space.read_u64(a);
        let (Some(first), Some(offset), Some(pending)) = (word(self, head), word(self, head + 8), word(self, head + 16)) else { return };
        let pending = pending & !1;
        let mut entry = first & !1;
        for _ in 0..LIMIT {
            if entry == head || entry == 0 {
                break;
            }
            let Some(next) = word(self, entry) else { break };
            if entry != pending {
                self.futex_owner_died(entry.wrapping_add(offset), tid);
            }
            entry = next & !1;
        }
        if pending != 0 {
            self.futex_owner_died(pending.wrapping_add(offset), tid);
        }
    }

    fn futex_owner_died(&mut self, uaddr: u64, tid: u32) {
        if uaddr % 4 != 0 {
            return;
        }
        loop {
            let _turn = crate::lockstep::turn();
            let Ok(cur) = self.space.read(uaddr, MemSize::B4) else { return };
            let cur = cur as u32;
            if cur & FUTEX_TID_MASK != tid {
                return;
            }
            let new = (cur & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
            match self.space.cas(uaddr, MemSize::B4, cur as u64, new as u64) {
                Ok(seen) if seen as u32 == cur => {
                    if cur & FUTEX_WAITERS != 0 {
                        if let Some(p) = self.space.host_range(uaddr, 4, 0) {
                            // SAFETY: a mapped guest word.
                            unsafe { libc::syscall(libc::SYS_futex, p, libc::FUTEX_WAKE, 1, 0, 0, 0) };
                        }
                    }
                    return;
                }
                Ok(_) => continue,
                Err(_) => return,
            }
        }
    }

    /// The leader thread's guest thread has exited while others run: wait
    /// for the last one; its status is the process's.
    pub fn wait_for_other_threads(&self) -> i32 {
        self.threads.wait_all_gone()
    }

    /// Another thread's signals for this one.
    pub fn take_thread_signals(&mut self) {
        let s = self.me.pending.swap(0, Ordering::SeqCst);
        self.signals.pending |= s;
    }

    /// tkill/tgkill to another guest thread of this process: pending on
    /// it, its generated code told to stop.
    pub fn signal_thread(&self, tid: i32, sig: i32) -> Option<i64> {
        let t = self.threads.find(tid)?;
        if !(0..=64).contains(&sig) {
            return Some(neg(libc::EINVAL));
        }
        if sig != 0 {
            t.pending.fetch_or(1u64 << (sig - 1), Ordering::SeqCst);
            crate::signal::request_exit_all();
        }
        Some(0)
    }

    /// `futex`: the host's futex on the guest word; values compared with
    /// the word are given in guest (little-endian) byte order.
    pub fn futex(&mut self, a: &[u64; 6]) -> i64 {
        const WAIT: i32 = 0;
        const WAKE: i32 = 1;
        const REQUEUE: i32 = 3;
        const CMP_REQUEUE: i32 = 4;
        const WAKE_OP: i32 = 5;
        const WAIT_BITSET: i32 = 9;
        const WAKE_BITSET: i32 = 10;
        const LOCK_PI: i32 = 6;
        const UNLOCK_PI: i32 = 7;
        const TRYLOCK_PI: i32 = 8;
        const LOCK_PI2: i32 = 13;
        const WAIT_REQUEUE_PI: i32 = 11;
        const CMP_REQUEUE_PI: i32 = 12;
        let op = a[1] as i32;
        let cmd = op & 0x7f;
        // Linux's order: a timeout is read first (for the operations that
        // take one), then the operation is checked (ENOSYS: unknown, or
        // FUTEX_CLOCK_REALTIME on one that is not a bitset or PI wait),
        // then the futex word.
        let timed = matches!(cmd, WAIT | LOCK_PI | LOCK_PI2 | WAIT_BITSET | WAIT_REQUEUE_PI);
        if timed && a[3] != 0 && self.space.read_bytes(a[3], 16).is_none() {
            return neg(libc::EFAULT);
        }
        let known = matches!(cmd, WAIT | WAKE | REQUEUE..=LOCK_PI2);
        if !known || op & 256 != 0 && !matches!(cmd, WAIT_BITSET | WAIT_REQUEUE_PI | LOCK_PI2) {
            return neg(libc::ENOSYS);
        }
        // Checks of the arguments before the futex word: negative counts
        // of a requeue, an empty bitset.
        if matches!(cmd, REQUEUE | CMP_REQUEUE) && ((a[2] as i32) < 0 || (a[3] as i32) < 0) || matches!(cmd, WAIT_BITSET | WAKE_BITSET) && a[5] as u32 == 0 {
            return neg(libc::EINVAL);
        }
        if a[0] % 4 != 0 && cmd != UNLOCK_PI {
            return neg(libc::EINVAL);
        }
        if cmd == WAKE_OP {
            return self.futex_wake_op(a, op);
        }
        let private = op & 128 != 0;
        // A shared futex's word must be readable (Linux looks its page
        // up); a private one is only an address.
        let need = if private { 0 } else { crate::memory::PROT_READ };
        let Some(uaddr) = self.space.host_range(a[0], 4, need) else {
            // A private wake finds no waiter at an address nothing is
            // mapped at (Linux does not touch the memory); anything else
            // needs the word.
            return if matches!(cmd, WAKE | WAKE_BITSET) && private && crate::syscall::user_range(a[0], 4).is_ok() { 0 } else { neg(libc::EFAULT) };
        };
        // FUTEX_UNLOCK_PI reads the word (the owner check, EPERM) before
        // it looks at its alignment.
        if a[0] % 4 != 0 {
            let owner = self.space.read_bytes(a[0], 4).map(|b| u32::from_le_bytes(b.try_into().unwrap()) & 0x3fff_ffff);
            return match owner {
                None => neg(libc::EFAULT),
                Some(t) if t != unsafe { libc::gettid() } as u32 => neg(libc::EPERM),
                Some(_) => neg(libc::EINVAL),
            };
        }
        let guest_word = |v: u64| (v as u32).to_le();
        let sys = |a1: *mut u8, op: i32, v: u32, t: usize, a2: usize, v3: u32| -> i64 {
            // SAFETY: the futex words are mapped guest memory; t is a
            // timespec pointer or a count, as `op` says.
            let r = unsafe { libc::syscall(libc::SYS_futex, a1, op, v, t, a2, v3) };
            if r < 0 {
                neg(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO))
            } else {
                r
            }
        };
        // Linux refuses to wake or requeue a FUTEX_WAIT_REQUEUE_PI waiter
        // by the operations for plain waiters (FUTEX_WAKE_OP after its
        // operation, below).
        if matches!(cmd, WAKE | WAKE_BITSET | REQUEUE | CMP_REQUEUE) && requeue_pi_waiting(uaddr) {
            return neg(libc::EINVAL);
        }
        match cmd {
            WAIT | WAIT_BITSET => {
                let ts = if a[3] != 0 {
                    match self.space.read_bytes(a[3], 16) {
                        None => return neg(libc::EFAULT),
                        Some(b) => Some(libc::timespec {
                            tv_sec: i64::from_le_bytes(b[0..8].try_into().unwrap()) as _,
                            tv_nsec: i64::from_le_bytes(b[8..16].try_into().unwrap()) as _,
                        }),
                    }
                } else {
                    None
                };
                let tp = ts.as_ref().map_or(0usize, |t| t as *const libc::timespec as usize);
                sys(uaddr, op, guest_word(a[2]), tp, 0, a[5] as u32)
            }
            WAKE | WAKE_BITSET => sys(uaddr, op, a[2] as u32, 0, 0, a[5] as u32),
            REQUEUE | CMP_REQUEUE => {
                if a[4] % 4 != 0 {
                    return neg(libc::EINVAL);
                }
                let Some(uaddr2) = self.space.host_range(a[4], 4, 0) else { return neg(libc::EFAULT) };
                let v3 = if cmd == CMP_REQUEUE { guest_word(a[5]) } else { 0 };
                sys(uaddr, op, a[2] as u32, a[3] as usize, uaddr2 as usize, v3)
            }
            LOCK_PI | LOCK_PI2 | TRYLOCK_PI => self.futex_lock_pi(a[0], op, a[3]),
            UNLOCK_PI => self.futex_unlock_pi(a[0], op),
            WAIT_REQUEUE_PI => self.futex_wait_requeue_pi(a, op),
            CMP_REQUEUE_PI => {
                // One waiter woken (it takes the PI word itself), the rest
                // moved to the PI word's host futex, where its waiters
                // sleep; FUTEX_WAITERS first, so the owner's unlock comes
                // to the kernel to wake them.
                if a[4] % 4 != 0 || a[4] == a[0] || a[2] != 1 {
                    return neg(libc::EINVAL);
                }
                let Some(uaddr2) = self.space.host_range(a[4], 4, 0) else { return neg(libc::EFAULT) };
                let cur = match self.space.read(a[0], MemSize::B4) {
                    Ok(v) => v as u32,
                    Err(_) => return neg(libc::EFAULT),
                };
                if cur != a[5] as u32 {
                    return neg(libc::EAGAIN);
                }
                if a[3] as i32 > 0 {
                    loop {
                        let _turn = crate::lockstep::turn();
                        let Ok(w) = self.space.read(a[4], MemSize::B4) else { return neg(libc::EFAULT) };
                        match self.space.cas(a[4], MemSize::B4, w, w | FUTEX_WAITERS as u64) {
                            Ok(seen) if seen == w => break,
                            Ok(_) => continue,
                            Err(_) => return neg(libc::EFAULT),
                        }
                    }
                }
                let private = op & libc::FUTEX_PRIVATE_FLAG;
                sys(uaddr, CMP_REQUEUE | private, 1, (a[3] as i32).max(0) as usize, uaddr2 as usize, guest_word(a[5]))
            }
            _ => neg(libc::ENOSYS),
        }
    }
}

/// Host addresses of condition words with FUTEX_WAIT_REQUEUE_PI waiters
/// in this process, and how many wait on each.
static REQUEUE_PI_WAITERS: std::sync::Mutex<Vec<(usize, u32)>> = std::sync::Mutex::new(Vec::new());

/// A FUTEX_WAIT_REQUEUE_PI waiter starts (`on`) or stops waiting on the
/// condition word at host address `word`.
fn requeue_pi_wait(word: *mut u8, on: bool) {
    let mut w = REQUEUE_PI_WAITERS.lock().unwrap_or_else(|e| e.into_inner());
    let i = w.iter().position(|(a, _)| *a == word as usize);
    match (i, on) {
        (Some(i), true) => w[i].1 += 1,
        (None, true) => w.push((word as usize, 1)),
        (Some(i), false) if w[i].1 > 1 => w[i].1 -= 1,
        (Some(i), false) => {
            w.swap_remove(i);
        }
        (None, false) => {}
    }
}

/// In a forked child: its parent's waiters do not exist here. (Left as
/// is in the unlikely case that a parent thread held the lock at fork.)
pub fn forget_requeue_pi_waiters() {
    if let Ok(mut w) = REQUEUE_PI_WAITERS.try_lock() {
        w.clear();
    }
}

/// Does a FUTEX_WAIT_REQUEUE_PI waiter wait on the word at `word`?
fn requeue_pi_waiting(word: *mut u8) -> bool {
    REQUEUE_PI_WAITERS.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|(a, _)| *a == word as usize)
}

impl Process {
    /// The host address of a futex word for FUTEX_WAKE_OP, in Linux's
    /// order (`get_futex_key`): alignment (EINVAL), the user address range
    /// (EFAULT), then for a shared futex its page, which must be one the
    /// guest can write: Linux refuses a read-only anonymous page for both
    /// words (EFAULT; zarm does not tell a read-only page of a file
    /// mapping, which Linux accepts for the first word, from an anonymous
    /// one). A private
    /// futex is only an address: Ok(None) where no guest page could be
    /// (beyond the guest window), so no thread can wait there.
    fn futex_key(&self, addr: u64, private: bool) -> Result<Option<*mut u8>, i64> {
        if addr % 4 != 0 {
            return Err(neg(libc::EINVAL));
        }
        if crate::syscall::user_range(addr, 4).is_err() {
            return Err(neg(libc::EFAULT));
        }
        if private {
            return Ok(self.space.host_range(addr, 4, 0).or_else(|| (addr + 4 <= self.space.layout.window).then(|| (self.space.base() + addr) as *mut u8)));
        }
        match self.space.host_range(addr, 4, crate::memory::PROT_READ | crate::memory::PROT_WRITE) {
            Some(p) => Ok(Some(p)),
            None => Err(neg(libc::EFAULT)),
        }
    }

    /// FUTEX_WAKE_OP, emulated (the operation works on the second word in
    /// guest byte order), in Linux's order: both words' keys
    /// (`futex_key`); the operation on the second word (an unknown
    /// operation is ENOSYS without touching it, a word the guest cannot
    /// write EFAULT); an unknown comparison is ENOSYS after the operation
    /// has been applied; then up to `a[2]` waiters on the first word are
    /// woken and, if the comparison of the second word's old value holds,
    /// up to `a[3]` on the second.
    fn futex_wake_op(&mut self, a: &[u64; 6], op: i32) -> i64 {
        const WAKE: i32 = 1;
        let private = op & libc::FUTEX_PRIVATE_FLAG != 0;
        let (uaddr, uaddr2) = match (self.futex_key(a[0], private), self.futex_key(a[4], private)) {
            (Err(e), _) | (_, Err(e)) => return e,
            (Ok(p), Ok(q)) => (p, q),
        };
        let v3 = a[5] as u32;
        let (opn, cmp) = ((v3 >> 28) & 15, (v3 >> 24) & 15);
        let sext12 = |x: u32| ((x << 20) as i32) >> 20;
        let mut oparg = sext12((v3 >> 12) & 0xfff);
        let cmparg = sext12(v3 & 0xfff);
        if opn & 8 != 0 {
            oparg = 1i32.wrapping_shl(oparg as u32 & 31);
        }
        let apply = |old: u32| -> Option<u32> {
            Some(match opn & 7 {
                0 => oparg as u32,
                1 => old.wrapping_add(oparg as u32),
                2 => old | oparg as u32,
                3 => old & !(oparg as u32),
                4 => old ^ oparg as u32,
                _ => return None,
            })
        };
        if apply(0).is_none() {
            return neg(libc::ENOSYS);
        }
        let old = loop {
            let _turn = crate::lockstep::turn();
            let cur = match self.space.read(a[4], MemSize::B4) {
                Ok(v) => v as u32,
                Err(_) => return neg(libc::EFAULT),
            };
            let new = apply(cur).unwrap_or(cur);
            match self.space.cas(a[4], MemSize::B4, cur as u64, new as u64) {
                Ok(seen) if seen as u32 == cur => break cur as i32,
                Ok(_) => continue,
                Err(_) => return neg(libc::EFAULT),
            }
        };
        let hit = match cmp {
            0 => old == cmparg,
            1 => old != cmparg,
            2 => old < cmparg,
            3 => old <= cmparg,
            4 => old > cmparg,
            5 => old >= cmparg,
            _ => return neg(libc::ENOSYS),
        };
        // The host wakes on the words' host addresses (shared: the host
        // kernel finds the same key for every thread's mapping).
        let wake = |word: Option<*mut u8>, n: u64| -> i64 {
            let Some(w) = word else { return 0 };
            if requeue_pi_waiting(w) {
                return neg(libc::EINVAL);
            }
            // SAFETY: a futex wake on an address of the guest window.
            let r = unsafe { libc::syscall(libc::SYS_futex, w, WAKE | (op & libc::FUTEX_PRIVATE_FLAG), n as u32, 0usize, 0usize, 0u32) };
            r.max(0)
        };
        let woken = wake(uaddr, a[2]);
        if woken < 0 || !hit {
            return woken;
        }
        match wake(uaddr2, a[3]) {
            e if e < 0 => e,
            n => woken + n,
        }
    }

    /// FUTEX_LOCK_PI / LOCK_PI2 / TRYLOCK_PI, emulated: the word holds the
    /// owner's thread id in guest byte order, which the host kernel's PI
    /// futexes (host byte order) cannot manage on a big-endian host. Mutual
    /// exclusion, FUTEX_WAITERS, FUTEX_OWNER_DIED, EDEADLK and timeouts
    /// behave as on Linux; the owner's priority is not boosted. A thread
    /// that had to wait takes the lock with FUTEX_WAITERS set, so that its
    /// unlock wakes whoever still waits.
    fn futex_lock_pi(&mut self, addr: u64, op: i32, timeout: u64) -> i64 {
        let cmd = op & 0x7f;
        if addr % 4 != 0 {
            return neg(libc::EINVAL);
        }
        // LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2's on
        // CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME is given.
        let deadline = match timeout {
            0 => None,
            _ if cmd == 8 => None,
            t => match self.guest_timespec(t) {
                Some(ts) => Some(ts),
                None => return neg(libc::EFAULT),
            },
        };
        let realtime = cmd == 6 || op & libc::FUTEX_CLOCK_REALTIME != 0;
        self.lock_pi_until(addr, op, deadline, realtime, cmd == 8, false)
    }

    /// A guest `struct timespec`.
    fn guest_timespec(&self, at: u64) -> Option<libc::timespec> {
        let b = self.space.read_bytes(at, 16)?;
        Some(libc::timespec { tv_sec: i64::from_le_bytes(b[0..8].try_into().unwrap()) as _, tv_nsec: i64::from_le_bytes(b[8..16].try_into().unwrap()) as _ })
    }

    /// Takes the PI word at `addr` (see `futex_lock_pi`), waiting until
    /// the absolute `deadline` if given (on CLOCK_REALTIME with
    /// `realtime`, else CLOCK_MONOTONIC); `trylock`: never waits. With
    /// `waited`, the caller already waited for it (it keeps
    /// FUTEX_WAITERS).
    fn lock_pi_until(&mut self, addr: u64, op: i32, deadline: Option<libc::timespec>, realtime: bool, trylock: bool, mut waited: bool) -> i64 {
        let tid = self.me.tid as u32;
        let Some(uaddr) = self.space.host_range(addr, 4, 0) else { return neg(libc::EFAULT) };
        loop {
            let turn = crate::lockstep::turn();
            let Ok(cur) = self.space.read(addr, MemSize::B4) else { return neg(libc::EFAULT) };
            let cur = cur as u32;
            let owner = cur & FUTEX_TID_MASK;
            let (want, sleep) = if owner == 0 {
                (tid | (cur & FUTEX_OWNER_DIED) | if waited { FUTEX_WAITERS } else { 0 }, false)
            } else if owner == tid {
                return neg(libc::EDEADLK);
            } else if trylock {
                return neg(libc::EAGAIN);
            } else {
                (cur | FUTEX_WAITERS, true)
            };
            match self.space.cas(addr, MemSize::B4, cur as u64, want as u64) {
                Ok(seen) if seen as u32 == cur => {}
                Ok(_) => continue,
                Err(_) => return neg(libc::EFAULT),
            }
            if !sleep {
                return 0;
            }
            drop(turn);
            waited = true;
            let tp = deadline.as_ref().map_or(std::ptr::null(), |t| t as *const libc::timespec);
            let wait_op = libc::FUTEX_WAIT_BITSET | (op & libc::FUTEX_PRIVATE_FLAG) | if realtime { libc::FUTEX_CLOCK_REALTIME } else { 0 };
            // SAFETY: a mapped guest word; tp is null or a timespec.
            let r = unsafe { libc::syscall(libc::SYS_futex, uaddr, wait_op, want.to_le(), tp, 0usize, u32::MAX) };
            if r < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ETIMEDOUT) {
                return neg(libc::ETIMEDOUT);
            }
        }
    }

    /// FUTEX_WAIT_REQUEUE_PI, emulated with the PI words (`futex_lock_pi`):
    /// sleeps on the condition word's host futex while it holds `a[2]`;
    /// once woken by FUTEX_CMP_REQUEUE_PI (directly, or on the PI word's
    /// host futex where that moved it), takes the PI word `a[4]` before
    /// returning, as Linux returns owning it. The timeout (absolute,
    /// CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME) covers both waits.
    /// While it waits, FUTEX_WAKE(_BITSET), FUTEX_(CMP_)REQUEUE and
    /// FUTEX_WAKE_OP of the condition word fail with EINVAL, as on Linux
    /// (`REQUEUE_PI_WAITERS`; only within this process, and without
    /// waking plain waiters of the same word first as Linux may).
    fn futex_wait_requeue_pi(&mut self, a: &[u64; 6], op: i32) -> i64 {
        if a[0] % 4 != 0 || a[4] % 4 != 0 || a[0] == a[4] {
            return neg(libc::EINVAL);
        }
        let (Some(uaddr), Some(_)) = (self.space.host_range(a[0], 4, 0), self.space.host_range(a[4], 4, 0)) else { return neg(libc::EFAULT) };
        let deadline = match a[3] {
            0 => None,
            t => match self.guest_timespec(t) {
                Some(ts) => Some(ts),
                None => return neg(libc::EFAULT),
            },
        };
        let realtime = op & libc::FUTEX_CLOCK_REALTIME != 0;
        let tp = deadline.as_ref().map_or(std::ptr::null(), |t| t as *const libc::timespec);
        let wait_op = libc::FUTEX_WAIT_BITSET | (op & libc::FUTEX_PRIVATE_FLAG) | if realtime { libc::FUTEX_CLOCK_REALTIME } else { 0 };
        requeue_pi_wait(uaddr, true);
        // SAFETY: a mapped guest word; tp is null or a timespec.
        let r = unsafe { libc::syscall(libc::SYS_futex, uaddr, wait_op, (a[2] as u32).to_le(), tp, 0usize, u32::MAX) };
        requeue_pi_wait(uaddr, false);
        if r < 0 {
            return neg(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO));
        }
        self.lock_pi_until(a[4], op, deadline, realtime, false, true)
    }

    /// FUTEX_UNLOCK_PI, emulated (see `futex_lock_pi`).
    fn futex_unlock_pi(&mut self, addr: u64, op: i32) -> i64 {
        let tid = self.me.tid as u32;
        if addr % 4 != 0 {
            return neg(libc::EINVAL);
        }
        let Some(uaddr) = self.space.host_range(addr, 4, 0) else { return neg(libc::EFAULT) };
        loop {
            let _turn = crate::lockstep::turn();
            let Ok(cur) = self.space.read(addr, MemSize::B4) else { return neg(libc::EFAULT) };
            let cur = cur as u32;
            if cur & FUTEX_TID_MASK != tid {
                return neg(libc::EPERM);
            }
            match self.space.cas(addr, MemSize::B4, cur as u64, 0) {
                Ok(seen) if seen as u32 == cur => break,
                Ok(_) => continue,
                Err(_) => return neg(libc::EFAULT),
            }
        }
        // SAFETY: a mapped guest word.
        unsafe { libc::syscall(libc::SYS_futex, uaddr, libc::FUTEX_WAKE | (op & libc::FUTEX_PRIVATE_FLAG), 1, 0, 0, 0) };
        0
    }
}

const FUTEX_WAITERS: u32 = 0x8000_0000;
const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
const FUTEX_TID_MASK: u32 = 0x3fff_ffff;

/// A guest thread's life on its host thread.
fn thread_main(mut proc: Process, mut cpu: CpuState) {
    let mut d = match crate::new_dispatcher(&proc.threads.opts) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("zarm: {e}");
            std::process::exit(1);
        }
    };
    d.inval_seen_from(&proc);
    let counting = proc.threads.opts.stats || proc.threads.opts.stats_json.is_some();
    let report = |proc: &Process, d: Option<&crate::dispatch::Dispatcher>| {
        if let Err(e) = crate::write_stats(proc, d, &proc.threads.opts) {
            eprintln!("zarm: {e}");
        }
    };
    match d.run(&mut proc, &mut cpu) {
        Ok(crate::Outcome::ThreadExit(status)) => {
            if counting {
                proc.threads.retire_stats(&proc.me, &d.raw_stats());
            }
            if proc.thread_exit(status).is_some() && proc.threads.lock().leader_gone {
                report(&proc, None);
                std::process::exit(status & 0xff);
            }
        }
        Ok(crate::Outcome::Exited(code)) => {
            report(&proc, Some(&d));
            std::process::exit(code & 0xff)
        }
        Ok(crate::Outcome::Signaled(sig)) => {
            report(&proc, Some(&d));
            crate::die_by_signal(sig)
        }
        Ok(crate::Outcome::Exec(_)) => {
            eprintln!("zarm: execve from a guest thread other than the first is not supported");
            std::process::exit(1);
        }
        Err(s) => {
            crate::report_guest_signal(&s);
            crate::die_by_signal(s.sig)
        }
    }
}

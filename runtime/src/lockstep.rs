//! Lock-step mode (`--lockstep`): every block runs twice, first in the IR
//! interpreter against a copy-on-write view of guest memory, then as
//! generated code on the real state; guest registers, flags, the exit and
//! every byte the interpreter wrote must agree. The first divergence is
//! reported with the guest block's IR and its s390x code, disassembled.

use crate::memory::{GuestSpace, PROT_EXEC, PROT_READ, PROT_WRITE};
use std::collections::BTreeMap;
use zarm_ir::mem::rmw_apply;
use zarm_ir::{CpuState, GuestMemory, MemFault, MemSize, RmwOp};

/// Lock-step is on (some thread compares its blocks).
pub static LOCKSTEP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// In lock-step, the turn of one guest thread: held around both runs of a
/// block, and by zarm's own writes to guest memory on a thread's behalf
/// that race with other threads (emulated futex operations, the thread-id
/// word cleared at exit), so that no other thread changes memory between
/// a block's two runs. Memory the host kernel writes in another thread's
/// system call (a read into a shared buffer, say) can still change
/// between them; such a race is reported as a divergence.
pub fn turn() -> Option<std::sync::MutexGuard<'static, ()>> {
    LOCKSTEP.load(std::sync::atomic::Ordering::Relaxed).then(|| TURN.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Guest memory as the interpreter sees it in lock-step: reads fall
/// through to the real space, writes stay in the overlay.
pub struct Overlay<'a> {
    pub space: &'a GuestSpace,
    pub writes: BTreeMap<u64, u8>,
}

impl Overlay<'_> {
    fn byte(&self, a: u64, p: *const u8, i: usize) -> u8 {
        match self.writes.get(&a) {
            Some(b) => *b,
            // SAFETY: p is valid for the checked access length.
            None => unsafe { *p.add(i) },
        }
    }
    fn read_n(&mut self, addr: u64, n: usize) -> Result<u128, MemFault> {
        let p = self.space.check(addr, n as u64, PROT_READ, false)?;
        let mut v = 0u128;
        for i in (0..n).rev() {
            v = v << 8 | self.byte(addr + i as u64, p, i) as u128;
        }
        Ok(v)
    }
    fn write_n(&mut self, addr: u64, n: usize, v: u128) -> Result<(), MemFault> {
        self.space.check(addr, n as u64, PROT_WRITE, true)?;
        for i in 0..n {
            self.writes.insert(addr + i as u64, (v >> (8 * i)) as u8);
        }
        Ok(())
    }
}

impl GuestMemory for Overlay<'_> {
    fn read(&mut self, addr: u64, size: MemSize) -> Result<u64, MemFault> {
        self.read_n(addr, size.bytes() as usize).map(|v| v as u64)
    }
    fn write(&mut self, addr: u64, size: MemSize, value: u64) -> Result<(), MemFault> {
        self.write_n(addr, size.bytes() as usize, value as u128)
    }
    fn read128(&mut self, addr: u64) -> Result<u128, MemFault> {
        self.read_n(addr, 16)
    }
    fn write128(&mut self, addr: u64, value: u128) -> Result<(), MemFault> {
        self.write_n(addr, 16, value)
    }
    fn atomic_rmw(&mut self, addr: u64, size: MemSize, op: RmwOp, operand: u64) -> Result<u64, MemFault> {
        self.space.check(addr, size.bytes(), PROT_READ | PROT_WRITE, true)?;
        let old = self.read(addr, size)?;
        self.write(addr, size, rmw_apply(op, size, old, operand))?;
        Ok(old)
    }
    fn cas(&mut self, addr: u64, size: MemSize, expected: u64, new: u64) -> Result<u64, MemFault> {
        self.space.check(addr, size.bytes(), PROT_READ | PROT_WRITE, true)?;
        let old = self.read(addr, size)?;
        if old == expected {
            self.write(addr, size, new)?;
        }
        Ok(old)
    }
    fn cas128(&mut self, addr: u64, expected: u128, new: u128) -> Result<u128, MemFault> {
        self.space.check(addr, 16, PROT_READ | PROT_WRITE, true)?;
        let old = self.read128(addr)?;
        if old == expected {
            self.write128(addr, new)?;
        }
        Ok(old)
    }
    fn zero(&mut self, addr: u64, len: u64) -> Result<(), MemFault> {
        self.space.check(addr, len, PROT_WRITE, true)?;
        for i in 0..len {
            self.writes.insert(addr + i, 0);
        }
        Ok(())
    }
    fn fetch(&mut self, addr: u64) -> Result<u32, MemFault> {
        let p = self.space.check(addr, 4, PROT_EXEC, false)?;
        // SAFETY: checked.
        Ok(u32::from_le(unsafe { (p as *const u32).read_unaligned() }))
    }
}

/// Differences between two CPU states, one line each.
pub fn diff_state(interp: &CpuState, jit: &CpuState) -> Vec<String> {
    let mut out = Vec::new();
    for r in 0..32 {
        if interp.x[r] != jit.x[r] {
            let name = if r == 31 { "sp".to_string() } else { format!("x{r}") };
            out.push(format!("{name}: interp {:#x} jit {:#x}", interp.x[r], jit.x[r]));
        }
    }
    for r in 0..32 {
        if interp.v[r] != jit.v[r] {
            out.push(format!("v{r}: interp {:#034x} jit {:#034x}", interp.v[r], jit.v[r]));
        }
    }
    for (name, a, b) in [
        ("pc", interp.pc, jit.pc),
        ("nzcv", interp.nzcv, jit.nzcv),
        ("fpcr", interp.fpcr, jit.fpcr),
        ("fpsr", interp.fpsr, jit.fpsr),
        ("tpidr", interp.tpidr, jit.tpidr),
        ("exclusive monitor", interp.excl_addr, jit.excl_addr),
    ] {
        if a != b {
            out.push(format!("{name}: interp {a:#x} jit {b:#x}"));
        }
    }
    out
}

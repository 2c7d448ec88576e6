//! The interface through which IR execution reaches guest memory.
//!
//! Guest memory is little-endian; every value crossing this interface is in
//! host numeric form, so implementations on a big-endian host byte-swap.
//! An access the guest may not make returns a `MemFault`, which becomes the
//! guest signal real hardware would raise — never a host crash.

use crate::types::{MemSize, RmwOp};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// No mapping at the address (SIGSEGV, SEGV_MAPERR).
    Unmapped,
    /// Mapped without the needed permission (SIGSEGV, SEGV_ACCERR).
    Permission,
    /// Misaligned exclusive or atomic access (SIGBUS, BUS_ADRALN).
    Alignment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemFault {
    pub addr: u64,
    pub kind: FaultKind,
    pub write: bool,
}

pub trait GuestMemory {
    fn read(&mut self, addr: u64, size: MemSize) -> Result<u64, MemFault>;
    fn write(&mut self, addr: u64, size: MemSize, value: u64) -> Result<(), MemFault>;
    fn read128(&mut self, addr: u64) -> Result<u128, MemFault>;
    fn write128(&mut self, addr: u64, value: u128) -> Result<(), MemFault>;
    /// Atomic read-modify-write; returns the old value. `addr` is aligned.
    fn atomic_rmw(&mut self, addr: u64, size: MemSize, op: RmwOp, operand: u64) -> Result<u64, MemFault>;
    /// Atomic compare-and-swap; returns the old value. `addr` is aligned.
    fn cas(&mut self, addr: u64, size: MemSize, expected: u64, new: u64) -> Result<u64, MemFault>;
    fn cas128(&mut self, addr: u64, expected: u128, new: u128) -> Result<u128, MemFault>;
    /// Zero `len` bytes (DC ZVA).
    fn zero(&mut self, addr: u64, len: u64) -> Result<(), MemFault>;
    /// Fetch an instruction word for the decoder (needs execute permission).
    fn fetch(&mut self, addr: u64) -> Result<u32, MemFault>;
    /// The guest asked for its code at `addr` to be re-read (IC IVAU).
    fn invalidate_code(&mut self, _addr: u64) {}
    /// Generated code is about to write `[addr, addr+len)` directly and
    /// found the access refused by its page check: make the write possible
    /// if the guest may make it (a write-protected page of translated code
    /// is unprotected and queued for invalidation), else report the fault.
    fn prepare_write(&mut self, addr: u64, _len: u64) -> Result<(), MemFault> {
        Err(MemFault { addr, kind: crate::FaultKind::Permission, write: true })
    }
    /// Has guest code changed (invalidations queued) since the dispatcher
    /// last looked? Generated code then leaves at the next block entry.
    fn code_changed(&self) -> bool {
        false
    }
}

/// Applies an atomic RMW operation of width `size` to `old`; shared by every
/// memory implementation so the semantics live in one place.
pub fn rmw_apply(op: RmwOp, size: MemSize, old: u64, operand: u64) -> u64 {
    let bits = size.bytes() * 8;
    let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let sext = |x: u64| -> i64 {
        let sh = 64 - bits;
        ((x << sh) as i64) >> sh
    };
    let (o, v) = (old & mask, operand & mask);
    let r = match op {
        RmwOp::Add => o.wrapping_add(v),
        RmwOp::Clr => o & !v,
        RmwOp::Eor => o ^ v,
        RmwOp::Set => o | v,
        RmwOp::Smax => if sext(o) >= sext(v) { o } else { v },
        RmwOp::Smin => if sext(o) <= sext(v) { o } else { v },
        RmwOp::Umax => o.max(v),
        RmwOp::Umin => o.min(v),
        RmwOp::Swp => v,
    };
    r & mask
}

/// A flat little-endian memory of `Vec<u8>` at a base address, for tests and
/// benchmarks of the IR alone (no permissions beyond bounds; no code fetch
/// restrictions).
pub struct FlatMemory {
    pub base: u64,
    pub bytes: Vec<u8>,
}

impl FlatMemory {
    pub fn new(base: u64, len: usize) -> Self {
        FlatMemory { base, bytes: vec![0; len] }
    }

    fn range(&self, addr: u64, len: u64, write: bool) -> Result<usize, MemFault> {
        let off = addr.wrapping_sub(self.base);
        if off >= self.bytes.len() as u64 || self.bytes.len() as u64 - off < len {
            return Err(MemFault { addr, kind: FaultKind::Unmapped, write });
        }
        Ok(off as usize)
    }
}

impl GuestMemory for FlatMemory {
    fn read(&mut self, addr: u64, size: MemSize) -> Result<u64, MemFault> {
        let n = size.bytes() as usize;
        let o = self.range(addr, n as u64, false)?;
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(&self.bytes[o..o + n]);
        Ok(u64::from_le_bytes(b))
    }
    fn write(&mut self, addr: u64, size: MemSize, value: u64) -> Result<(), MemFault> {
        let n = size.bytes() as usize;
        let o = self.range(addr, n as u64, true)?;
        self.bytes[o..o + n].copy_from_slice(&value.to_le_bytes()[..n]);
        Ok(())
    }
    fn read128(&mut self, addr: u64) -> Result<u128, MemFault> {
        let o = self.range(addr, 16, false)?;
        Ok(u128::from_le_bytes(self.bytes[o..o + 16].try_into().unwrap()))
    }
    fn write128(&mut self, addr: u64, value: u128) -> Result<(), MemFault> {
        let o = self.range(addr, 16, true)?;
        self.bytes[o..o + 16].copy_from_slice(&value.to_le_bytes());
        Ok(())
    }
    fn atomic_rmw(&mut self, addr: u64, size: MemSize, op: RmwOp, operand: u64) -> Result<u64, MemFault> {
        self.range(addr, size.bytes(), true)?;
        let old = self.read(addr, size)?;
        self.write(addr, size, rmw_apply(op, size, old, operand))?;
        Ok(old)
    }
    fn cas(&mut self, addr: u64, size: MemSize, expected: u64, new: u64) -> Result<u64, MemFault> {
        self.range(addr, size.bytes(), true)?;
        let old = self.read(addr, size)?;
        if old == expected {
            self.write(addr, size, new)?;
        }
        Ok(old)
    }
    fn cas128(&mut self, addr: u64, expected: u128, new: u128) -> Result<u128, MemFault> {
        self.range(addr, 16, true)?;
        let old = self.read128(addr)?;
        if old == expected {
            self.write128(addr, new)?;
        }
        Ok(old)
    }
    fn zero(&mut self, addr: u64, len: u64) -> Result<(), MemFault> {
        let o = self.range(addr, len, true)?;
        self.bytes[o..o + len as usize].fill(0);
        Ok(())
    }
    fn fetch(&mut self, addr: u64) -> Result<u32, MemFault> {
        Ok(self.read(addr, MemSize::B4)? as u32)
    }
}

//! Guest CPU state as the IR sees it: the register file that `GetGpr`,
//! `GetVec`, `GetNzcv` and `GetSys` read. Its shape follows the guest ISA the
//! frontend lifts (A64), but nothing here decodes guest instructions.
//! `#[repr(C)]` because generated code addresses fields by offset.

use crate::types::SysReg;

/// Counter frequency reported by CNTFRQ_EL0 (62.5 MHz, what QEMU's virt CPUs report).
pub const COUNTER_HZ: u64 = 62_500_000;

#[repr(C)]
#[derive(Clone, Debug, PartialEq)]
pub struct CpuState {
    /// X0..X30, and SP at index 31.
    pub x: [u64; 32],
    pub pc: u64,
    /// NZCV in bits 31..28.
    pub nzcv: u64,
    pub fpcr: u64,
    pub fpsr: u64,
    pub tpidr: u64,
    pub tpidrro: u64,
    /// Exclusive monitor: armed address (`u64::MAX` = disarmed), the size
    /// armed, and the value seen by the load-exclusive.
    pub excl_addr: u64,
    pub excl_size: u64,
    pub excl_value: u128,
    /// V0..V31.
    pub v: [u128; 32],
}

impl Default for CpuState {
    fn default() -> Self {
        CpuState {
            x: [0; 32],
            pc: 0,
            nzcv: 0,
            fpcr: 0,
            fpsr: 0,
            tpidr: 0,
            tpidrro: 0,
            excl_addr: u64::MAX,
            excl_size: 0,
            excl_value: 0,
            v: [0; 32],
        }
    }
}

impl CpuState {
    pub fn sys(&self, reg: SysReg) -> u64 {
        match reg {
            SysReg::Fpcr => self.fpcr,
            SysReg::Fpsr => self.fpsr,
            SysReg::Tpidr => self.tpidr,
            SysReg::Tpidrro => self.tpidrro,
            SysReg::Cntvct => counter_now(),
            SysReg::Cntfrq => COUNTER_HZ,
        }
    }

    pub fn set_sys(&mut self, reg: SysReg, v: u64) {
        match reg {
            // Only the architecturally writable bits stick.
            SysReg::Fpcr => self.fpcr = v & 0x07ff_9f00,
            SysReg::Fpsr => self.fpsr = v & 0xf800_009f,
            SysReg::Tpidr => self.tpidr = v,
            // Read-only at EL0: the frontend raises SIGILL before this.
            SysReg::Tpidrro | SysReg::Cntvct | SysReg::Cntfrq => {}
        }
    }
}

/// The virtual counter: host monotonic time scaled to `COUNTER_HZ`.
pub fn counter_now() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    let ns = start.elapsed().as_nanos();
    (ns * COUNTER_HZ as u128 / 1_000_000_000) as u64
}

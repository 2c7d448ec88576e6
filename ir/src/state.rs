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
    /// NZCV in bits 31..28 — when `flags_op` is `lazy_flags::SETTLED`.
    pub nzcv: u64,
    /// Lazily evaluated NZCV (generated code only): instead of packing the
    /// flags of a flag-setting operation, the JIT may store its kind here
    /// (`lazy_flags`) and its operands in `flags_a`/`flags_b`; the flags are
    /// then those of that operation and `nzcv` is stale. Generated code
    /// settles them (`settle_flags`) before reading NZCV, and the runtime
    /// whenever generated code returns, so everything outside generated
    /// code sees `SETTLED` and reads `nzcv`.
    pub flags_op: u64,
    pub flags_a: u64,
    pub flags_b: u64,
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
            flags_op: lazy_flags::SETTLED,
            flags_a: 0,
            flags_b: 0,
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

/// The kinds of lazily evaluated NZCV (`CpuState::flags_op`): an operation
/// kind, plus `W64` for the 64-bit form.
pub mod lazy_flags {
    /// `nzcv` holds the flags.
    pub const SETTLED: u64 = 0;
    /// `flags_a + flags_b` (ADDS, CMN).
    pub const ADD: u64 = 1;
    /// `flags_a - flags_b` (SUBS, CMP).
    pub const SUB: u64 = 2;
    /// A logical result in `flags_a` (ANDS, TST, BICS): N and Z, C = V = 0.
    pub const LOGIC: u64 = 3;
    /// Or-ed into the kind: the operation is 64 bits wide, else 32.
    pub const W64: u64 = 4;
}

impl CpuState {
    /// Evaluates lazily kept NZCV into `nzcv` (the same functions as the
    /// interpreter's `AddFlags`/`SubFlags`/`LogicFlags`) and clears the lazy
    /// form (operands left behind by settled flags too), so the state
    /// compares equal to one that never had it.
    pub fn settle_flags(&mut self) {
        use crate::interp::int::{add_with_carry, logic_flags};
        use crate::types::Width;
        if self.flags_op == lazy_flags::SETTLED {
            self.flags_a = 0;
            self.flags_b = 0;
            return;
        }
        let w = if self.flags_op & lazy_flags::W64 != 0 { Width::W64 } else { Width::W32 };
        let (a, b) = (self.flags_a, self.flags_b);
        self.nzcv = match self.flags_op & !lazy_flags::W64 {
            lazy_flags::ADD => add_with_carry(w, a, b, 0).1,
            lazy_flags::SUB => add_with_carry(w, a, !b, 1).1,
            lazy_flags::LOGIC => logic_flags(w, a),
            other => {
                debug_assert!(false, "no lazy flags kind {other}");
                self.nzcv
            }
        };
        self.flags_op = lazy_flags::SETTLED;
        self.flags_a = 0;
        self.flags_b = 0;
    }

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
            SysReg::Fpcr => self.fpcr = v & FPCR_WRITABLE,
            SysReg::Fpsr => self.fpsr = v & FPSR_WRITABLE,
            SysReg::Tpidr => self.tpidr = v,
            // Read-only at EL0: the frontend raises SIGILL before this.
            SysReg::Tpidrro | SysReg::Cntvct | SysReg::Cntfrq => {}
        }
    }
}

/// The bits of FPCR (AHP, DN, FZ, RMode, Stride, FZ16, Len, the trap
/// enables IDE/IXE/UFE/OFE/DZE/IOE) and FPSR (NZCV, QC, the cumulative
/// flags) an MSR writes; the others read as zero.
pub const FPCR_WRITABLE: u64 = 0x07ff_9f00;
pub const FPSR_WRITABLE: u64 = 0xf800_009f;

/// The virtual counter: host monotonic time scaled to `COUNTER_HZ`.
pub fn counter_now() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    let ns = start.elapsed().as_nanos();
    (ns * COUNTER_HZ as u128 / 1_000_000_000) as u64
}

//! System instructions at EL0 as Linux presents them: hints, barriers,
//! CLREX, MRS/MSR of the registers EL0 may touch (and the ID registers the
//! kernel emulates), DC/IC cache maintenance.

use super::*;
use crate::features;
use zarm_ir::{FenceKind, Op, SysReg, Terminator, Width};

/// The system-register key of MRS/MSR: bits 20:5 = o0:op1:CRn:CRm:op2.
const fn key(op0: u32, op1: u32, crn: u32, crm: u32, op2: u32) -> u32 {
    (op0 - 2) << 14 | op1 << 11 | crn << 7 | crm << 3 | op2
}

const NZCV: u32 = key(3, 3, 4, 2, 0);
const FPCR: u32 = key(3, 3, 4, 4, 0);
const FPSR: u32 = key(3, 3, 4, 4, 1);
const TPIDR_EL0: u32 = key(3, 3, 13, 0, 2);
const TPIDRRO_EL0: u32 = key(3, 3, 13, 0, 3);
const CNTFRQ_EL0: u32 = key(3, 3, 14, 0, 0);
const CNTVCT_EL0: u32 = key(3, 3, 14, 0, 2);
const CTR_EL0: u32 = key(3, 3, 0, 0, 1);
const DCZID_EL0: u32 = key(3, 3, 0, 0, 7);

/// HINT space: NOP, YIELD, WFE, WFI, SEV, SEVL, the PAC hint instructions
/// and BTI. The CPU zarm presents has neither PAuth nor BTI, so on it these
/// are all no-ops, as the architecture defines for unimplemented hints.
pub fn hint(_l: &mut Lifter, _w: u32) -> Flow {
    Flow::Continue
}

/// CLREX, DSB, DMB, ISB, SB.
pub fn barrier(l: &mut Lifter, w: u32) -> Flow {
    let crm = bits(w, 11, 8);
    match bits(w, 7, 5) {
        2 => {
            l.push(Op::ClearExclusive {});
            Flow::Continue
        }
        4 | 5 => {
            // CRm<1:0>: 01 loads only (ISHLD…), 10 stores only (ISHST…), 11 all.
            let kind = match crm & 3 {
                1 => FenceKind::Loads,
                2 => FenceKind::Stores,
                _ => FenceKind::Full,
            };
            l.push(Op::Fence { kind });
            Flow::Continue
        }
        6 => {
            // ISB: later instructions are fetched anew.
            l.push(Op::Fence { kind: FenceKind::Instruction });
            Flow::End(Terminator::Jump { target: l.pc + 4 })
        }
        7 if crm == 0 => Flow::Continue, // SB
        _ => Flow::Undefined,
    }
}

/// MRS Xt, <sysreg>.
pub fn mrs(l: &mut Lifter, w: u32) -> Flow {
    let k = bits(w, 19, 5);
    let v = match k {
        NZCV => l.nzcv(),
        FPCR => l.push(Op::GetSys { reg: SysReg::Fpcr }),
        FPSR => l.push(Op::GetSys { reg: SysReg::Fpsr }),
        TPIDR_EL0 => l.push(Op::GetSys { reg: SysReg::Tpidr }),
        TPIDRRO_EL0 => l.push(Op::GetSys { reg: SysReg::Tpidrro }),
        CNTVCT_EL0 => l.push(Op::GetSys { reg: SysReg::Cntvct }),
        CNTFRQ_EL0 => l.konst(zarm_ir::state::COUNTER_HZ),
        CTR_EL0 => l.konst(features::CTR_EL0),
        DCZID_EL0 => l.konst(features::DCZID_EL0),
        _ => match features::id_register(k) {
            Some(v) => l.konst(v),
            None => return Flow::Undefined,
        },
    };
    l.set_x(rd(w), v);
    Flow::Continue
}

/// MSR <sysreg>, Xt.
pub fn msr(l: &mut Lifter, w: u32) -> Flow {
    let k = bits(w, 19, 5);
    let v = l.x(rd(w));
    match k {
        NZCV => {
            let m = l.konst(0xf000_0000);
            let f = l.push(Op::And { w: Width::W64, a: v, b: m });
            l.set_nzcv(f);
        }
        FPCR => {
            l.push(Op::SetSys { reg: SysReg::Fpcr, v });
        }
        FPSR => {
            l.push(Op::SetSys { reg: SysReg::Fpsr, v });
        }
        TPIDR_EL0 => {
            l.push(Op::SetSys { reg: SysReg::Tpidr, v });
        }
        _ => return Flow::Undefined,
    }
    Flow::Continue
}

/// SYS: the EL0 cache-maintenance instructions (DC ZVA/CVAU/CVAC/CVAP/
/// CIVAC, IC IVAU). Everything else in SYS space traps at EL0: SIGILL.
pub fn sys(l: &mut Lifter, w: u32) -> Flow {
    let (op1, crn, crm, op2) = (bits(w, 18, 16), bits(w, 15, 12), bits(w, 11, 8), bits(w, 7, 5));
    if op1 != 3 || crn != 7 || op2 != 1 {
        return Flow::Undefined;
    }
    let xt = l.x(rd(w));
    match crm {
        4 => {
            // DC ZVA: zero the naturally aligned block containing Xt.
            let mask = l.konst(!(features::DCZ_BLOCK_BYTES - 1));
            let addr = l.push(Op::And { w: Width::W64, a: xt, b: mask });
            l.push(Op::ZeroBlock { bytes: features::DCZ_BLOCK_BYTES as u32, addr });
            Flow::Continue
        }
        5 => {
            l.push(Op::InvalidateCode { addr: xt });
            Flow::End(Terminator::Jump { target: l.pc + 4 })
        }
        10 | 11 | 12 | 13 | 14 => Flow::Continue,
        _ => Flow::Undefined,
    }
}

//! Branches and exception generation.

use super::*;
use zarm_ir::{ExceptionKind, IntCC, Op, Terminator, Width};

/// B / BL imm26.
pub fn b_imm(l: &mut Lifter, w: u32) -> Flow {
    let target = l.pc.wrapping_add((sext(bits(w, 25, 0) as u64, 26) << 2) as u64);
    if bit(w, 31) {
        let ret = l.konst(l.pc + 4);
        l.set_x(30, ret);
    }
    Flow::End(Terminator::Jump { target })
}

/// B.cond.
pub fn b_cond(l: &mut Lifter, w: u32) -> Flow {
    let target = l.pc.wrapping_add((sext(bits(w, 23, 5) as u64, 19) << 2) as u64);
    let c = l.cond(bits(w, 3, 0));
    Flow::End(Terminator::Branch { cond: c, taken: target, not_taken: l.pc + 4 })
}

/// CBZ/CBNZ.
pub fn cbz(l: &mut Lifter, w: u32) -> Flow {
    let target = l.pc.wrapping_add((sext(bits(w, 23, 5) as u64, 19) << 2) as u64);
    let c = super::int::is_zero(l, rd(w), bit(w, 31), bit(w, 24));
    Flow::End(Terminator::Branch { cond: c, taken: target, not_taken: l.pc + 4 })
}

/// TBZ/TBNZ.
pub fn tbz(l: &mut Lifter, w: u32) -> Flow {
    let target = l.pc.wrapping_add((sext(bits(w, 18, 5) as u64, 14) << 2) as u64);
    let bitpos = bits(w, 31, 31) << 5 | bits(w, 23, 19);
    let v = l.x(rd(w));
    let mask = l.konst(1u64 << bitpos);
    let t = l.push(Op::And { w: Width::W64, a: v, b: mask });
    let z = l.konst(0);
    let cc = if bit(w, 24) { IntCC::Ne } else { IntCC::Eq };
    let c = l.push(Op::Icmp { cc, w: Width::W64, a: t, b: z });
    Flow::End(Terminator::Branch { cond: c, taken: target, not_taken: l.pc + 4 })
}

/// BR/BLR/RET (the plain, non-authenticating forms).
pub fn b_reg(l: &mut Lifter, w: u32) -> Flow {
    let opc = bits(w, 24, 21);
    let target = l.x(rn(w));
    let is_call = opc == 1;
    if is_call {
        let ret = l.konst(l.pc + 4);
        l.set_x(30, ret);
    }
    Flow::End(Terminator::JumpIndirect { target, is_call, is_return: opc == 2 })
}

/// SVC #imm16.
pub fn svc(l: &mut Lifter, w: u32) -> Flow {
    Flow::End(Terminator::Syscall { imm: bits(w, 20, 5) as u16, next_pc: l.pc + 4 })
}

/// BRK #imm16.
pub fn brk(l: &mut Lifter, w: u32) -> Flow {
    Flow::End(Terminator::Exception { kind: ExceptionKind::Breakpoint { imm: bits(w, 20, 5) as u16 }, pc: l.pc })
}

/// HLT #imm16.
pub fn hlt(l: &mut Lifter, w: u32) -> Flow {
    Flow::End(Terminator::Exception { kind: ExceptionKind::Halt { imm: bits(w, 20, 5) as u16 }, pc: l.pc })
}

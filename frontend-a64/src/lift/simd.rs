//! AdvSIMD: the vector data-processing groups compiled C and glibc use,
//! their scalar forms, and the structure loads/stores. Every encoding this
//! file does not handle returns `Flow::Undefined` (guest SIGILL).

use super::*;
use zarm_ir::fp::{FpRounding, FpSize, FpUnOp};
use zarm_ir::vector::{NarrowOp, VecBinOp as B, VecShiftOp as S, VecTernOp as T, VecUnOp as U};
use zarm_ir::{MemSize, Op, Ordering, Width};

fn q(w: u32) -> bool {
    bit(w, 30)
}
fn u(w: u32) -> bool {
    bit(w, 29)
}
fn size(w: u32) -> u32 {
    bits(w, 23, 22)
}
fn vreg(l: &mut Lifter, r: u8) -> Value {
    l.push(Op::GetVec { r })
}
fn set_vreg(l: &mut Lifter, r: u8, v: Value) {
    l.push(Op::SetVec { r, v });
}
fn zero_v(l: &mut Lifter) -> Value {
    l.push(Op::VConst { value: 0 })
}
/// Keeps only lane 0 of `esize` bytes (scalar SIMD results).
fn scalar_only(l: &mut Lifter, v: Value, esize: u8) -> Value {
    let x = l.push(Op::VExtractLane { esize, idx: 0, v });
    let z = l.konst(0);
    l.push(Op::VFromHalves { lo: x, hi: z })
}

/// Three registers of the same arrangement, vector (`scalar == false`) or
/// scalar.
fn three_same_op(w: u32, scalar: bool) -> Option<(Result<B, T>, u8)> {
    let (uu, sz, op) = (u(w), size(w), bits(w, 15, 11));
    let es = 1u8 << sz;
    let fes = if sz & 1 == 1 { 8u8 } else { 4 };
    let a = sz >> 1 == 1;
    let int = |b: B| Some((Ok(b), es));
    let flt = |b: B| Some((Ok(b), fes));
    if op < 0b11000 {
        // Which integer operations exist at which element sizes.
        let all_sizes = matches!(op, 0b00001 | 0b00101 | 0b01001 | 0b01011);
        let d_only_scalar = matches!(op, 0b00110 | 0b00111 | 0b01000 | 0b01010 | 0b10000 | 0b10001);
        let ok = if scalar {
            all_sizes || (d_only_scalar && sz == 3) || (op == 0b10110 && (sz == 1 || sz == 2))
        } else {
            sz != 3 || all_sizes || d_only_scalar || op == 0b10111 || op == 0b00011
        };
        if !ok {
            return None;
        }
    }
    match (uu, op) {
        (false, 0b00000) => int(B::Shadd),
        (true, 0b00000) => int(B::Uhadd),
        (false, 0b00001) => int(B::Sqadd),
        (true, 0b00001) => int(B::Uqadd),
        (false, 0b00010) => int(B::Srhadd),
        (true, 0b00010) => int(B::Urhadd),
        (false, 0b00011) => Some((Ok([B::And, B::Bic, B::Orr, B::Orn][sz as usize]), 1)),
        (true, 0b00011) => Some(match sz {
            0 => (Ok(B::Eor), 1),
            1 => (Err(T::Bsl), 1),
            2 => (Err(T::Bit), 1),
            _ => (Err(T::Bif), 1),
        }),
        (false, 0b00100) => int(B::Shsub),
        (true, 0b00100) => int(B::Uhsub),
        (false, 0b00101) => int(B::Sqsub),
        (true, 0b00101) => int(B::Uqsub),
        (false, 0b00110) => int(B::CmGt),
        (true, 0b00110) => int(B::CmHi),
        (false, 0b00111) => int(B::CmGe),
        (true, 0b00111) => int(B::CmHs),
        (false, 0b01000) => int(B::Sshl),
        (true, 0b01000) => int(B::Ushl),
        (false, 0b01001) => int(B::Sqshl),
        (true, 0b01001) => int(B::Uqshl),
        (false, 0b01010) => int(B::Srshl),
        (true, 0b01010) => int(B::Urshl),
        (false, 0b01100) if !scalar => int(B::Smax),
        (true, 0b01100) if !scalar => int(B::Umax),
        (false, 0b01101) if !scalar => int(B::Smin),
        (true, 0b01101) if !scalar => int(B::Umin),
        (false, 0b01110) if !scalar => int(B::Sabd),
        (true, 0b01110) if !scalar => int(B::Uabd),
        (false, 0b10000) => int(B::Add),
        (true, 0b10000) => int(B::Sub),
        (false, 0b10001) => int(B::CmTst),
        (true, 0b10001) => int(B::CmEq),
        (false, 0b10010) if !scalar => Some((Err(T::Mla), es)),
        (true, 0b10010) if !scalar => Some((Err(T::Mls), es)),
        (false, 0b10011) if !scalar && sz != 3 => int(B::Mul),
        (true, 0b10011) if !scalar && sz == 0 => int(B::Pmul),
        (false, 0b10100) if !scalar => int(B::Smaxp),
        (true, 0b10100) if !scalar => int(B::Umaxp),
        (false, 0b10101) if !scalar => int(B::Sminp),
        (true, 0b10101) if !scalar => int(B::Uminp),
        (false, 0b10110) if sz == 1 || sz == 2 => int(B::Sqdmulh),
        (true, 0b10110) if sz == 1 || sz == 2 => int(B::Sqrdmulh),
        (false, 0b10111) if !scalar => int(B::Addp),
        // FP: size<1> is the `a` opcode bit, size<0> the precision.
        (false, 0b11000) if !scalar => flt(if a { B::Fminnm } else { B::Fmaxnm }),
        (true, 0b11000) if !scalar => flt(if a { B::Fminnmp } else { B::Fmaxnmp }),
        (false, 0b11001) if !scalar => Some((Err(if a { T::Fmls } else { T::Fmla }), fes)),
        (false, 0b11010) if !scalar => flt(if a { B::Fsub } else { B::Fadd }),
        (true, 0b11010) if a => flt(B::Fabd),
        (true, 0b11010) if !scalar => flt(B::Faddp),
        (false, 0b11011) if !a => flt(B::Fmulx),
        (true, 0b11011) if !a && !scalar => flt(B::Fmul),
        (false, 0b11100) if !a => flt(B::Fcmeq),
        (true, 0b11100) => flt(if a { B::Fcmgt } else { B::Fcmge }),
        (true, 0b11101) => flt(if a { B::Facgt } else { B::Facge }),
        (false, 0b11110) if !scalar => flt(if a { B::Fmin } else { B::Fmax }),
        (true, 0b11110) if !scalar => flt(if a { B::Fminp } else { B::Fmaxp }),
        (false, 0b11111) => flt(if a { B::Frsqrts } else { B::Frecps }),
        (true, 0b11111) if !a && !scalar => flt(B::Fdiv),
        _ => None,
    }
}

/// AdvSIMD three same (vector).
pub fn three_same(l: &mut Lifter, w: u32) -> Flow {
    let Some((op, es)) = three_same_op(w, false) else { return Flow::Undefined };
    let qq = q(w);
    if es == 8 && !qq && !matches!(op, Ok(B::And | B::Bic | B::Orr | B::Orn | B::Eor) | Err(T::Bsl | T::Bit | T::Bif)) {
        return Flow::Undefined;
    }
    let a = vreg(l, rn(w));
    let b = vreg(l, rm(w));
    let r = match op {
        Ok(op) => l.push(Op::VBin { op, esize: es, q: qq, a, b }),
        Err(op) => {
            let d = vreg(l, rd(w));
            l.push(Op::VTern { op, esize: es, q: qq, d, n: a, m: b })
        }
    };
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// AdvSIMD scalar three same.
pub fn scalar_three_same(l: &mut Lifter, w: u32) -> Flow {
    let Some((Ok(op), es)) = three_same_op(w, true) else { return Flow::Undefined };
    // Only lane 0 takes part (other lanes must not set flags such as QC).
    let a = vreg(l, rn(w));
    let a = scalar_only(l, a, es);
    let b = vreg(l, rm(w));
    let b = scalar_only(l, b, es);
    let r = l.push(Op::VBin { op, esize: es, q: false, a, b });
    let r = scalar_only(l, r, es);
    set_vreg(l, rd(w), r);
    Flow::Continue
}

fn fp_rounding_misc(op: u32, a: bool, uu: bool) -> Option<U> {
    // FRINT* and FCVT*: opcode 11000..11011 with `a` and U.
    Some(match (uu, op, a) {
        (false, 0b11000, false) => U::Frint { mode: FpRounding::TieEven, exact: false },
        (false, 0b11000, true) => U::Frint { mode: FpRounding::PosInf, exact: false },
        (false, 0b11001, false) => U::Frint { mode: FpRounding::NegInf, exact: false },
        (false, 0b11001, true) => U::Frint { mode: FpRounding::Zero, exact: false },
        (true, 0b11000, false) => U::Frint { mode: FpRounding::TieAway, exact: false },
        (true, 0b11001, false) => U::Frint { mode: FpRounding::Current, exact: true },
        (true, 0b11001, true) => U::Frint { mode: FpRounding::Current, exact: false },
        (_, 0b11010, false) => U::FcvtToInt { signed: !uu, mode: FpRounding::TieEven, fbits: 0 },
        (_, 0b11010, true) => U::FcvtToInt { signed: !uu, mode: FpRounding::PosInf, fbits: 0 },
        (_, 0b11011, false) => U::FcvtToInt { signed: !uu, mode: FpRounding::NegInf, fbits: 0 },
        (_, 0b11011, true) => U::FcvtToInt { signed: !uu, mode: FpRounding::Zero, fbits: 0 },
        (_, 0b11100, false) => U::FcvtToInt { signed: !uu, mode: FpRounding::TieAway, fbits: 0 },
        (_, 0b11101, false) => U::IntToFcvt { signed: !uu, fbits: 0 },
        (false, 0b01100, true) => U::Fcmgt0,
        (false, 0b01101, true) => U::Fcmeq0,
        (false, 0b01110, true) => U::Fcmlt0,
        (true, 0b01100, true) => U::Fcmge0,
        (true, 0b01101, true) => U::Fcmle0,
        (false, 0b01111, true) => U::Fabs,
        (true, 0b01111, true) => U::Fneg,
        (true, 0b11111, true) => U::Fsqrt,
        (false, 0b11101, true) => U::Frecpe,
        (true, 0b11101, true) => U::Frsqrte,
        _ => return None,
    })
}

/// AdvSIMD two-register miscellaneous (vector).
pub fn two_misc(l: &mut Lifter, w: u32) -> Flow {
    let (uu, sz, op, qq) = (u(w), size(w), bits(w, 16, 12), q(w));
    let es = 1u8 << sz;
    let a = vreg(l, rn(w));
    let un = |l: &mut Lifter, op: U, es: u8| l.push(Op::VUn { op, esize: es, q: qq, a });
    let r = match (uu, op) {
        (false, 0b00000) if sz < 3 => un(l, U::Rev64, es),
        (false, 0b00001) if sz == 0 => un(l, U::Rev16, es),
        (true, 0b00000) if sz < 2 => un(l, U::Rev32, es),
        (false, 0b00010) if sz < 3 => un(l, U::Saddlp, es),
        (true, 0b00010) if sz < 3 => un(l, U::Uaddlp, es),
        (false, 0b00100) if sz < 3 => un(l, U::Cls, es),
        (true, 0b00100) if sz < 3 => un(l, U::Clz, es),
        (false, 0b00101) if sz == 0 => un(l, U::Cnt, 1),
        (true, 0b00101) if sz == 0 => un(l, U::Not, 1),
        (true, 0b00101) if sz == 1 => un(l, U::Rbit, 1),
        (false, 0b00111) if sz < 3 || qq => un(l, U::Sqabs, es),
        (true, 0b00111) if sz < 3 || qq => un(l, U::Sqneg, es),
        (false, 0b01000) if sz < 3 || qq => un(l, U::CmGt0, es),
        (false, 0b01001) if sz < 3 || qq => un(l, U::CmEq0, es),
        (false, 0b01010) if sz < 3 || qq => un(l, U::CmLt0, es),
        (false, 0b01011) if sz < 3 || qq => un(l, U::Abs, es),
        (true, 0b01000) if sz < 3 || qq => un(l, U::CmGe0, es),
        (true, 0b01001) if sz < 3 || qq => un(l, U::CmLe0, es),
        (true, 0b01011) if sz < 3 || qq => un(l, U::Neg, es),
        (_, 0b10010) | (_, 0b10100) if sz < 3 => {
            // XTN/SQXTN/UQXTN/SQXTUN (…2 into the upper half).
            let nop = match (uu, op) {
                (false, 0b10010) => NarrowOp::Trunc,
                (true, 0b10010) => NarrowOp::SatSU,
                (false, _) => NarrowOp::SatSS,
                (true, _) => NarrowOp::SatUU,
            };
            let d = vreg(l, rd(w));
            l.push(Op::VNarrow { op: nop, esize: es, upper: qq, d, a })
        }
        (true, 0b10011) if sz < 3 => {
            // SHLL: widen then shift by the element size.
            let e = l.push(Op::VExtend { signed: false, esize: es, upper: qq, a });
            let z = zero_v(l);
            l.push(Op::VShift { op: S::Shl, esize: 2 * es, q: true, amount: 8 * es, acc: z, a: e })
        }
        (_, 0b10110) if sz >> 1 == 0 => {
            // FCVTN/FCVTXN(2): double→single (sz=1) or single→half (sz=0).
            let (nes, nop) = match (uu, sz & 1) {
                (false, 1) => (4, NarrowOp::Fcvt),
                (false, _) => (2, NarrowOp::Fcvt),
                (true, 1) => (4, NarrowOp::Fcvtx),
                _ => return Flow::Undefined,
            };
            let d = vreg(l, rd(w));
            l.push(Op::VNarrow { op: nop, esize: nes, upper: qq, d, a })
        }
        // URECPE/URSQRTE: 32-bit lanes only (size 10).
        (_, 0b11100) if sz == 2 => un(l, if uu { U::Ursqrte } else { U::Urecpe }, 4),
        (false, 0b10111) if sz >> 1 == 0 => {
            let from = if sz & 1 == 1 { FpSize::S } else { FpSize::H };
            l.push(Op::VFcvtLong { from, upper: qq, a })
        }
        _ => {
            let fes = if sz & 1 == 1 { 8u8 } else { 4 };
            let Some(fop) = fp_rounding_misc(op, sz >> 1 == 1, uu) else { return Flow::Undefined };
            let needs_a = matches!(op, 0b01100..=0b01111) || op == 0b11111 || matches!(fop, U::Frecpe | U::Frsqrte);
            if needs_a != (sz >> 1 == 1) && !matches!(op, 0b11000..=0b11011) {
                return Flow::Undefined;
            }
            if fes == 8 && !qq {
                return Flow::Undefined;
            }
            un(l, fop, fes)
        }
    };
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// AdvSIMD scalar two-register miscellaneous.
pub fn scalar_two_misc(l: &mut Lifter, w: u32) -> Flow {
    let (uu, sz, op) = (u(w), size(w), bits(w, 16, 12));
    // FRECPE/FRSQRTE/FRECPX: one element (a vector operation would also
    // estimate the zeroed upper lane, raising divide-by-zero).
    let est = match (uu, op) {
        (false, 0b11101) => Some(FpUnOp::RecipEstimate),
        (true, 0b11101) => Some(FpUnOp::RsqrtEstimate),
        (false, 0b11111) => Some(FpUnOp::RecipExponent),
        _ => None,
    };
    if let (Some(est), true) = (est, sz >> 1 == 1) {
        let size = if sz & 1 == 1 { FpSize::D } else { FpSize::S };
        let x = super::fp::read_fp(l, rn(w), size);
        let r = l.push(Op::FpUn { op: est, size, a: x });
        super::fp::write_fp(l, rd(w), size, r);
        return Flow::Continue;
    }
    let a = vreg(l, rn(w));
    // Only the source element takes part: for narrowing that is the
    // double-width lane 0, otherwise lane 0 of the operation's size.
    let narrowing = (op == 0b10100 || op == 0b10010) && sz < 3;
    let src_es = if narrowing {
        2u8 << sz
    } else if sz & 1 == 1 {
        8 // integer D, or FP double
    } else {
        4 // FP single
    };
    let a = scalar_only(l, a, src_es);
    let (uop, es) = match (uu, op) {
        (false, 0b01000) if sz == 3 => (U::CmGt0, 8),
        (false, 0b01001) if sz == 3 => (U::CmEq0, 8),
        (false, 0b01010) if sz == 3 => (U::CmLt0, 8),
        (false, 0b01011) if sz == 3 => (U::Abs, 8),
        (true, 0b01000) if sz == 3 => (U::CmGe0, 8),
        (true, 0b01001) if sz == 3 => (U::CmLe0, 8),
        (true, 0b01011) if sz == 3 => (U::Neg, 8),
        (_, 0b10100) | (true, 0b10010) if sz < 3 => {
            let nop = match (uu, op) {
                (true, 0b10010) => NarrowOp::SatSU,
                (false, _) => NarrowOp::SatSS,
                _ => NarrowOp::SatUU,
            };
            let es = 1u8 << sz;
            let z = zero_v(l);
            let r = l.push(Op::VNarrow { op: nop, esize: es, upper: false, d: z, a });
            let r = scalar_only(l, r, es);
            set_vreg(l, rd(w), r);
            return Flow::Continue;
        }
        _ => {
            let fes = if sz & 1 == 1 { 8u8 } else { 4 };
            match fp_rounding_misc(op, sz >> 1 == 1, uu) {
                Some(f @ (U::FcvtToInt { .. } | U::IntToFcvt { .. } | U::Fcmgt0 | U::Fcmeq0 | U::Fcmlt0 | U::Fcmge0 | U::Fcmle0)) => (f, fes),
                _ => return Flow::Undefined,
            }
        }
    };
    let r = l.push(Op::VUn { op: uop, esize: es, q: false, a });
    let r = scalar_only(l, r, es);
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// AdvSIMD across lanes: ADDV, S/UMAXV, S/UMINV, S/UADDLV, FMAXV…
pub fn across(l: &mut Lifter, w: u32) -> Flow {
    let (uu, sz, op, qq) = (u(w), size(w), bits(w, 16, 12), q(w));
    let es = 1u8 << sz;
    let (uop, es) = match (uu, op) {
        (_, 0b00011) if sz < 3 && !(sz == 2 && !qq) => (if uu { U::Uaddlv } else { U::Saddlv }, es),
        (_, 0b01010) if sz < 2 || (sz == 2 && qq) => (if uu { U::Umaxv } else { U::Smaxv }, es),
        (_, 0b11010) if sz < 2 || (sz == 2 && qq) => (if uu { U::Uminv } else { U::Sminv }, es),
        (false, 0b11011) if sz < 2 || (sz == 2 && qq) => (U::Addv, es),
        (true, 0b01100) if qq && sz & 1 == 0 => (if sz >> 1 == 1 { U::Fminnmv } else { U::Fmaxnmv }, 4),
        (true, 0b01111) if qq && sz & 1 == 0 => (if sz >> 1 == 1 { U::Fminv } else { U::Fmaxv }, 4),
        _ => return Flow::Undefined,
    };
    let a = vreg(l, rn(w));
    let r = l.push(Op::VUn { op: uop, esize: es, q: qq, a });
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// AdvSIMD scalar pairwise: ADDP (D), FADDP/FMAXP/… of two S or D lanes.
pub fn scalar_pairwise(l: &mut Lifter, w: u32) -> Flow {
    let (uu, sz, op) = (u(w), size(w), bits(w, 16, 12));
    let (bop, es) = match (uu, op) {
        (false, 0b11011) if sz == 3 => (B::Addp, 8u8),
        (true, 0b01101) if sz >> 1 == 0 => (B::Faddp, if sz & 1 == 1 { 8 } else { 4 }),
        (true, 0b01111) => (if sz >> 1 == 1 { B::Fminp } else { B::Fmaxp }, if sz & 1 == 1 { 8 } else { 4 }),
        (true, 0b01100) => (if sz >> 1 == 1 { B::Fminnmp } else { B::Fmaxnmp }, if sz & 1 == 1 { 8 } else { 4 }),
        _ => return Flow::Undefined,
    };
    let a = vreg(l, rn(w));
    // The pair is lanes 0 and 1 of Vn: pairwise over a 128-bit (D) or
    // 64-bit (S) view puts their combination in lane 0.
    let r = l.push(Op::VBin { op: bop, esize: es, q: es == 8, a, b: a });
    let r = scalar_only(l, r, es);
    set_vreg(l, rd(w), r);
    Flow::Continue
}

fn element_size_from_imm5(imm5: u32) -> Option<(u8, u8)> {
    let tz = imm5.trailing_zeros();
    if tz > 3 {
        return None;
    }
    Some((1 << tz, (imm5 >> (tz + 1)) as u8))
}

/// DUP (element, general), INS (element, general), SMOV, UMOV.
pub fn copy(l: &mut Lifter, w: u32) -> Flow {
    let (qq, op, imm5, imm4) = (q(w), bit(w, 29), bits(w, 20, 16), bits(w, 14, 11));
    let Some((es, idx)) = element_size_from_imm5(imm5) else { return Flow::Undefined };
    if es == 8 && !qq && !op && imm4 == 0 {
        return Flow::Undefined;
    }
    match (op, imm4) {
        (false, 0b0000) => {
            let v = vreg(l, rn(w));
            let r = l.push(Op::VDupLane { esize: es, q: qq, idx, v });
            set_vreg(l, rd(w), r);
        }
        (false, 0b0001) => {
            if es == 8 && !qq {
                return Flow::Undefined;
            }
            let x = l.x(rn(w));
            let r = l.push(Op::VDup { esize: es, q: qq, x });
            set_vreg(l, rd(w), r);
        }
        (false, 0b0101) | (false, 0b0111) => {
            let signed = imm4 == 0b0101;
            // UMOV Wd needs es<8 with Q=0, UMOV Xd es=8 with Q=1; SMOV
            // to W takes B/H, to X takes B/H/S.
            let ok = if signed { es < 8 && (qq || es < 4) } else { (es == 8) == qq };
            if !ok {
                return Flow::Undefined;
            }
            let v = vreg(l, rn(w));
            let x = l.push(Op::VExtractLane { esize: es, idx, v });
            let x = if signed {
                let s = l.push(Op::Sext { from: 8 * es, a: x });
                if qq {
                    s
                } else {
                    l.to_w(s)
                }
            } else {
                x
            };
            l.set_x(rd(w), x);
        }
        (false, 0b0011) if qq => {
            let v = vreg(l, rd(w));
            let x = l.x(rn(w));
            let r = l.push(Op::VInsertLane { esize: es, idx, v, x });
            set_vreg(l, rd(w), r);
        }
        (true, _) if qq => {
            let src_idx = (imm4 >> es.trailing_zeros()) as u8;
            let s = vreg(l, rn(w));
            let x = l.push(Op::VExtractLane { esize: es, idx: src_idx, v: s });
            let v = vreg(l, rd(w));
            let r = l.push(Op::VInsertLane { esize: es, idx, v, x });
            set_vreg(l, rd(w), r);
        }
        _ => return Flow::Undefined,
    }
    Flow::Continue
}

/// DUP (element), scalar: MOV Sd, Vn.S[i] and friends.
pub fn scalar_dup(l: &mut Lifter, w: u32) -> Flow {
    let Some((es, idx)) = element_size_from_imm5(bits(w, 20, 16)) else { return Flow::Undefined };
    let v = vreg(l, rn(w));
    let x = l.push(Op::VExtractLane { esize: es, idx, v });
    let z = l.konst(0);
    let r = l.push(Op::VFromHalves { lo: x, hi: z });
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// AdvSIMDExpandImm.
fn expand_imm(op: bool, cmode: u32, imm8: u64) -> Option<u64> {
    let rep32 = |x: u64| x | x << 32;
    let rep16 = |x: u64| x | x << 16 | x << 32 | x << 48;
    Some(match cmode >> 1 {
        0 => rep32(imm8),
        1 => rep32(imm8 << 8),
        2 => rep32(imm8 << 16),
        3 => rep32(imm8 << 24),
        4 => rep16(imm8),
        5 => rep16(imm8 << 8),
        6 => {
            if cmode & 1 == 0 {
                rep32(imm8 << 8 | 0xff)
            } else {
                rep32(imm8 << 16 | 0xffff)
            }
        }
        _ => {
            if cmode & 1 == 0 {
                if !op {
                    let b = imm8 & 0xff;
                    b * 0x0101_0101_0101_0101
                } else {
                    let mut r = 0u64;
                    for i in 0..8 {
                        if imm8 >> i & 1 != 0 {
                            r |= 0xff << (8 * i);
                        }
                    }
                    r
                }
            } else if !op {
                rep32(super::fp::expand_imm(imm8 as u32, FpSize::S))
            } else {
                super::fp::expand_imm(imm8 as u32, FpSize::D)
            }
        }
    })
}

/// MOVI/MVNI/ORR/BIC (vector, immediate) and FMOV (vector, immediate).
pub fn modified_imm(l: &mut Lifter, w: u32) -> Flow {
    let (qq, op, cmode) = (q(w), bit(w, 29), bits(w, 15, 12));
    let imm8 = (bits(w, 18, 16) << 5 | bits(w, 9, 5)) as u64;
    if cmode == 0b1111 && op && !qq {
        return Flow::Undefined;
    }
    let Some(imm) = expand_imm(op, cmode, imm8) else { return Flow::Undefined };
    let is_orr_bic = cmode < 0b1100 && cmode & 1 == 1;
    let is_movi_inverted = op && !(cmode >= 0b1110);
    let lanes = |x: u64| -> u128 {
        let v = x as u128 | (x as u128) << 64;
        if qq {
            v
        } else {
            x as u128
        }
    };
    let r = if is_orr_bic {
        let d = vreg(l, rd(w));
        let c = l.push(Op::VConst { value: lanes(imm) });
        l.push(Op::VBin { op: if op { B::Bic } else { B::Orr }, esize: 8, q: qq, a: d, b: c })
    } else {
        let v = if is_movi_inverted { !imm } else { imm };
        l.push(Op::VConst { value: lanes(v) })
    };
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// AdvSIMD shift by immediate (vector; `scalar` for the scalar D forms).
fn shift_imm_common(l: &mut Lifter, w: u32, scalar: bool) -> Flow {
    let (uu, qq, immh, immb, op) = (u(w), q(w), bits(w, 22, 19), bits(w, 18, 16), bits(w, 15, 11));
    if immh == 0 {
        return Flow::Undefined;
    }
    let es_log = 31 - immh.leading_zeros();
    let es = 1u8 << es_log;
    let ebits = 8 * es as u32;
    let imm = immh << 3 | immb;
    let rshift = (2 * ebits - imm) as u8;
    let lshift = (imm - ebits) as u8;
    let qv = if scalar { es == 8 } else { qq };
    if scalar && es < 8 && !(0b10000..=0b10011).contains(&op) && !matches!(op, 0b01100 | 0b01110 | 0b11100 | 0b11111) {
        return Flow::Undefined;
    }
    if !scalar && es == 8 && !qq && op != 0b10100 && !(0b10000..=0b10011).contains(&op) {
        return Flow::Undefined;
    }
    let a = vreg(l, rn(w));
    let narrowing = (0b10000..=0b10011).contains(&op);
    // Scalar forms: only lane 0 (of the source width) takes part.
    let a = if scalar { scalar_only(l, a, if narrowing { 2 * es } else { es }) } else { a };
    // The scalar forms have only the saturating narrows (SQSHRN, UQSHRN,
    // SQSHRUN and their rounding forms): no scalar SHRN/RSHRN.
    if scalar && narrowing && !uu && op < 0b10010 {
        return Flow::Undefined;
    }
    let r = match (uu, op) {
        (_, 0b10100) if !scalar && es < 8 => {
            // SSHLL/USHLL (SXTL/UXTL when the shift is 0).
            let e = l.push(Op::VExtend { signed: !uu, esize: es, upper: qq, a });
            if lshift == 0 {
                e
            } else {
                let z = zero_v(l);
                l.push(Op::VShift { op: S::Shl, esize: 2 * es, q: true, amount: lshift, acc: z, a: e })
            }
        }
        _ if narrowing && es < 8 => {
            // SHRN/RSHRN/SQSHRN/UQSHRN/SQSHRUN/… : shift the double-width
            // lanes right, then narrow.
            let wes = 2 * es;
            let amount = rshift;
            let round = op & 1 == 1;
            let (sh, nop) = match (uu, op >> 1) {
                (false, 0b1000) => (if round { S::Urshr } else { S::Ushr }, NarrowOp::Trunc),
                (true, 0b1000) => (if round { S::Srshr } else { S::Sshr }, NarrowOp::SatSU),
                (false, _) => (if round { S::Srshr } else { S::Sshr }, NarrowOp::SatSS),
                (true, _) => (if round { S::Urshr } else { S::Ushr }, NarrowOp::SatUU),
            };
            let z = zero_v(l);
            let shifted = l.push(Op::VShift { op: sh, esize: wes, q: true, amount: amount.max(1), acc: z, a });
            let d = if scalar { zero_v(l) } else { vreg(l, rd(w)) };
            let r = l.push(Op::VNarrow { op: nop, esize: es, upper: qq && !scalar, d, a: shifted });
            if scalar {
                scalar_only(l, r, es)
            } else {
                r
            }
        }
        _ => {
            let (sop, amount) = match (uu, op) {
                (false, 0b00000) => (S::Sshr, rshift),
                (true, 0b00000) => (S::Ushr, rshift),
                (false, 0b00010) => (S::Ssra, rshift),
                (true, 0b00010) => (S::Usra, rshift),
                (false, 0b00100) => (S::Srshr, rshift),
                (true, 0b00100) => (S::Urshr, rshift),
                (false, 0b00110) => (S::Srsra, rshift),
                (true, 0b00110) => (S::Ursra, rshift),
                (true, 0b01000) => (S::Sri, rshift),
                (false, 0b01010) => (S::Shl, lshift),
                (true, 0b01010) => (S::Sli, lshift),
                (true, 0b01100) => (S::Sqshlu, lshift),
                (false, 0b01110) => (S::Sqshl, lshift),
                (true, 0b01110) => (S::Uqshl, lshift),
                (_, 0b11100) | (_, 0b11111) if es >= 4 => {
                    let fbits = rshift;
                    let uop = if op == 0b11100 {
                        U::IntToFcvt { signed: !uu, fbits }
                    } else {
                        U::FcvtToInt { signed: !uu, mode: FpRounding::Zero, fbits }
                    };
                    let r = l.push(Op::VUn { op: uop, esize: es, q: qv, a });
                    let r = if scalar { scalar_only(l, r, es) } else { r };
                    set_vreg(l, rd(w), r);
                    return Flow::Continue;
                }
                _ => return Flow::Undefined,
            };
            if scalar && es != 8 && !matches!(sop, S::Sqshl | S::Uqshl | S::Sqshlu) {
                return Flow::Undefined;
            }
            let acc = vreg(l, rd(w));
            let r = l.push(Op::VShift { op: sop, esize: es, q: qv, amount, acc, a });
            if scalar {
                scalar_only(l, r, es)
            } else {
                r
            }
        }
    };
    set_vreg(l, rd(w), r);
    Flow::Continue
}

pub fn shift_imm(l: &mut Lifter, w: u32) -> Flow {
    shift_imm_common(l, w, false)
}

pub fn scalar_shift_imm(l: &mut Lifter, w: u32) -> Flow {
    shift_imm_common(l, w, true)
}

/// ZIP1/2, UZP1/2, TRN1/2.
pub fn permute(l: &mut Lifter, w: u32) -> Flow {
    let es = 1u8 << size(w);
    let qq = q(w);
    if es == 8 && !qq {
        return Flow::Undefined;
    }
    let op = match bits(w, 14, 12) {
        1 => B::Uzp1,
        2 => B::Trn1,
        3 => B::Zip1,
        5 => B::Uzp2,
        6 => B::Trn2,
        7 => B::Zip2,
        _ => return Flow::Undefined,
    };
    let a = vreg(l, rn(w));
    let b = vreg(l, rm(w));
    let r = l.push(Op::VBin { op, esize: es, q: qq, a, b });
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// EXT.
pub fn ext(l: &mut Lifter, w: u32) -> Flow {
    let (qq, imm4) = (q(w), bits(w, 14, 11));
    if !qq && imm4 >= 8 {
        return Flow::Undefined;
    }
    let a = vreg(l, rn(w));
    let b = vreg(l, rm(w));
    let r = l.push(Op::VExt { q: qq, bytes: imm4 as u8, a, b });
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// TBL/TBX with one to four table registers (consecutive, modulo 32).
pub fn tbl(l: &mut Lifter, w: u32) -> Flow {
    let qq = q(w);
    let len = bits(w, 14, 13) + 1;
    let tbx = bit(w, 12);
    let idx = vreg(l, rm(w));
    let mut acc = if tbx { vreg(l, rd(w)) } else { zero_v(l) };
    for k in 0..len {
        let t = vreg(l, ((rn(w) as u32 + k) % 32) as u8);
        acc = l.push(Op::VTblStep { base: (16 * k) as u8, q: qq, acc, table: t, idx });
    }
    if !qq {
        let z = l.konst(0);
        let lo = l.push(Op::VExtractLane { esize: 8, idx: 0, v: acc });
        acc = l.push(Op::VFromHalves { lo, hi: z });
    }
    set_vreg(l, rd(w), acc);
    Flow::Continue
}

/// AdvSIMD three different: widening adds, subtracts, multiplies,
/// absolute differences, and narrowing high-half adds/subtracts.
pub fn three_different(l: &mut Lifter, w: u32) -> Flow {
    let (uu, qq, sz, op) = (u(w), q(w), size(w), bits(w, 15, 12));
    if op == 0b1110 && !uu && (sz == 0 || sz == 3) {
        // PMULL/PMULL2 (8B/16B -> 8H; 1D/2D -> 1Q).
        let (a, b) = (vreg(l, rn(w)), vreg(l, rm(w)));
        let r = l.push(Op::VPmull { esize: 1 << sz, upper: qq, a, b });
        set_vreg(l, rd(w), r);
        return Flow::Continue;
    }
    if sz == 3 {
        return Flow::Undefined;
    }
    let es = 1u8 << sz;
    let wes = 2 * es;
    let signed = !uu;
    let n = vreg(l, rn(w));
    let m = vreg(l, rm(w));
    let ext = |l: &mut Lifter, v: Value| l.push(Op::VExtend { signed, esize: es, upper: qq, a: v });
    let r = match op {
        0b0000 | 0b0010 | 0b0001 | 0b0011 => {
            let a = if op & 1 == 1 { n } else { ext(l, n) };
            let b = ext(l, m);
            l.push(Op::VBin { op: if op & 2 != 0 { B::Sub } else { B::Add }, esize: wes, q: true, a, b })
        }
        0b0100 | 0b0110 => {
            // ADDHN/SUBHN (and the rounding RADDHN/RSUBHN when U=1).
            let s = l.push(Op::VBin { op: if op == 0b0110 { B::Sub } else { B::Add }, esize: wes, q: true, a: n, b: m });
            let z = zero_v(l);
            let sh = if uu { S::Urshr } else { S::Ushr };
            let hi = l.push(Op::VShift { op: sh, esize: wes, q: true, amount: 8 * es, acc: z, a: s });
            let d = vreg(l, rd(w));
            l.push(Op::VNarrow { op: NarrowOp::Trunc, esize: es, upper: qq, d, a: hi })
        }
        0b0101 | 0b0111 => {
            let (a, b) = (ext(l, n), ext(l, m));
            let d = l.push(Op::VBin { op: if signed { B::Sabd } else { B::Uabd }, esize: wes, q: true, a, b });
            if op == 0b0101 {
                let acc = vreg(l, rd(w));
                l.push(Op::VBin { op: B::Add, esize: wes, q: true, a: acc, b: d })
            } else {
                d
            }
        }
        0b1000 | 0b1010 | 0b1100 => {
            let (a, b) = (ext(l, n), ext(l, m));
            if op == 0b1100 {
                l.push(Op::VBin { op: B::Mul, esize: wes, q: true, a, b })
            } else {
                let d = vreg(l, rd(w));
                l.push(Op::VTern { op: if op == 0b1000 { T::Mla } else { T::Mls }, esize: wes, q: true, d, n: a, m: b })
            }
        }
        _ => return Flow::Undefined,
    };
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// Vector by element: MUL/MLA/MLS, SMULL/UMULL/SMLAL/UMLAL (and …2),
/// SQDMULH/SQRDMULH, FMUL/FMLA/FMLS/FMULX; `scalar` for the scalar forms.
fn by_element_common(l: &mut Lifter, w: u32, scalar: bool) -> Flow {
    let (uu, qq, sz, op) = (u(w), q(w), size(w), bits(w, 15, 12));
    let (hb, lb, mb) = (bits(w, 11, 11), bits(w, 21, 21), bits(w, 20, 20));
    let fp = matches!(op, 0b0001 | 0b0101 | 0b1001) && !(uu && op != 0b1001);
    let (es, idx, rmr) = if fp {
        match sz {
            2 => (4u8, (hb << 1 | lb) as u8, (mb << 4 | bits(w, 19, 16)) as u8),
            3 if lb == 0 => (8, hb as u8, (mb << 4 | bits(w, 19, 16)) as u8),
            _ => return Flow::Undefined,
        }
    } else {
        match sz {
            1 => (2u8, (hb << 2 | lb << 1 | mb) as u8, bits(w, 19, 16) as u8),
            2 => (4, (hb << 1 | lb) as u8, (mb << 4 | bits(w, 19, 16)) as u8),
            _ => return Flow::Undefined,
        }
    };
    if fp && es == 8 && !qq && !scalar {
        return Flow::Undefined;
    }
    let qv = if scalar { false } else { qq };
    let n = vreg(l, rn(w));
    let n = if scalar { scalar_only(l, n, es) } else { n };
    let mv = vreg(l, rmr);
    let m = l.push(Op::VDupLane { esize: es, q: true, idx, v: mv });
    let r = match (uu, op) {
        (false, 0b1000) if !scalar => l.push(Op::VBin { op: B::Mul, esize: es, q: qv, a: n, b: m }),
        (true, 0b0000) | (true, 0b0100) if !scalar => {
            let d = vreg(l, rd(w));
            l.push(Op::VTern { op: if op == 0 { T::Mla } else { T::Mls }, esize: es, q: qv, d, n, m })
        }
        (false, 0b1100) => l.push(Op::VBin { op: B::Sqdmulh, esize: es, q: qv, a: n, b: m }),
        (false, 0b1101) => l.push(Op::VBin { op: B::Sqrdmulh, esize: es, q: qv, a: n, b: m }),
        (_, 0b1010) | (_, 0b0010) | (_, 0b0110) if !scalar => {
            let signed = !uu;
            let a = l.push(Op::VExtend { signed, esize: es, upper: qq, a: n });
            let b = l.push(Op::VExtend { signed, esize: es, upper: false, a: m });
            if op == 0b1010 {
                l.push(Op::VBin { op: B::Mul, esize: 2 * es, q: true, a, b })
            } else {
                let d = vreg(l, rd(w));
                l.push(Op::VTern { op: if op == 0b0010 { T::Mla } else { T::Mls }, esize: 2 * es, q: true, d, n: a, m: b })
            }
        }
        (false, 0b1001) => l.push(Op::VBin { op: B::Fmul, esize: es, q: qv, a: n, b: m }),
        (true, 0b1001) => l.push(Op::VBin { op: B::Fmulx, esize: es, q: qv, a: n, b: m }),
        (false, 0b0001) | (false, 0b0101) => {
            let d = vreg(l, rd(w));
            let d = if scalar { scalar_only(l, d, es) } else { d };
            l.push(Op::VTern { op: if op == 0b0001 { T::Fmla } else { T::Fmls }, esize: es, q: qv, d, n, m })
        }
        _ => return Flow::Undefined,
    };
    let r = if scalar { scalar_only(l, r, es) } else { r };
    set_vreg(l, rd(w), r);
    Flow::Continue
}

pub fn by_element(l: &mut Lifter, w: u32) -> Flow {
    by_element_common(l, w, false)
}

pub fn scalar_by_element(l: &mut Lifter, w: u32) -> Flow {
    by_element_common(l, w, true)
}

/// The base address register and post-index writeback of the structure
/// loads/stores: Rm = 31 means "by the transfer size".
fn post_index(l: &mut Lifter, w: u32, base: Value, total: u64) {
    if !bit(w, 23) {
        return;
    }
    let off = if rm(w) == 31 { l.konst(total) } else { l.x(rm(w)) };
    let nb = l.b.add(Width::W64, base, off);
    l.set_xsp(rn(w), nb);
}

/// LD1–LD4/ST1–ST4 (multiple structures).
pub fn ldst_multiple(l: &mut Lifter, w: u32) -> Flow {
    let (qq, load, opcode, sz) = (q(w), bit(w, 22), bits(w, 15, 12), bits(w, 11, 10));
    let (regs, selem) = match opcode {
        0b0000 => (4, 4),
        0b0010 => (4, 1),
        0b0100 => (3, 3),
        0b0110 => (3, 1),
        0b0111 => (1, 1),
        0b1000 => (2, 2),
        0b1010 => (2, 1),
        _ => return Flow::Undefined,
    };
    if sz == 3 && !qq && selem > 1 {
        return Flow::Undefined;
    }
    let es = 1u32 << sz;
    let bytes = if qq { 16 } else { 8 };
    let rt = rd(w);
    let base = l.xsp(rn(w));
    let total = (regs * bytes) as u64;
    if selem == 1 {
        // Consecutive whole registers.
        let mut loaded = Vec::new();
        for r in 0..regs {
            let off = l.konst((r * bytes) as u64);
            let addr = l.b.add(Width::W64, base, off);
            let reg = ((rt as u32 + r) % 32) as u8;
            if load {
                let v = if qq {
                    l.push(Op::Load128 { addr })
                } else {
                    let x = l.push(Op::Load { size: MemSize::B8, ord: Ordering::Relaxed, addr });
                    let z = l.konst(0);
                    l.push(Op::VFromHalves { lo: x, hi: z })
                };
                loaded.push((reg, v));
            } else {
                let v = vreg(l, reg);
                if qq {
                    l.push(Op::Store128 { addr, v });
                } else {
                    let x = l.push(Op::VExtractLane { esize: 8, idx: 0, v });
                    l.push(Op::Store { size: MemSize::B8, ord: Ordering::Relaxed, addr, v: x });
                }
            }
        }
        for (reg, v) in loaded {
            set_vreg(l, reg, v);
        }
    } else {
        // Interleaved elements: element e of register r at (e*selem + r)*es.
        let lanes = bytes / es;
        let msize = MemSize::from_log2(sz);
        let mut vals: Vec<Value> = (0..selem).map(|r| if load { zero_v(l) } else { vreg(l, ((rt as u32 + r) % 32) as u8) }).collect();
        for e in 0..lanes {
            for r in 0..selem {
                let off = l.konst(((e * selem + r) * es) as u64);
                let addr = l.b.add(Width::W64, base, off);
                if load {
                    let x = l.push(Op::Load { size: msize, ord: Ordering::Relaxed, addr });
                    vals[r as usize] = l.push(Op::VInsertLane { esize: es as u8, idx: e as u8, v: vals[r as usize], x });
                } else {
                    let x = l.push(Op::VExtractLane { esize: es as u8, idx: e as u8, v: vals[r as usize] });
                    l.push(Op::Store { size: msize, ord: Ordering::Relaxed, addr, v: x });
                }
            }
        }
        if load {
            for r in 0..selem {
                set_vreg(l, ((rt as u32 + r) % 32) as u8, vals[r as usize]);
            }
        }
    }
    post_index(l, w, base, total);
    Flow::Continue
}

/// LD1–LD4/ST1–ST4 (single structure, one lane) and LD1R–LD4R.
pub fn ldst_single(l: &mut Lifter, w: u32) -> Flow {
    let (qq, load, r_bit, opcode, s, sz) = (q(w), bit(w, 22), bit(w, 21), bits(w, 15, 13), bit(w, 12), bits(w, 11, 10));
    let selem = ((opcode & 1) << 1 | r_bit as u32) + 1;
    let rt = rd(w);
    let base = l.xsp(rn(w));
    let (es, idx, replicate) = match opcode >> 1 {
        0 => (1u32, (qq as u32) << 3 | (s as u32) << 2 | sz, false),
        1 if sz & 1 == 0 => (2, (qq as u32) << 2 | (s as u32) << 1 | sz >> 1, false),
        2 if sz == 0 => (4, (qq as u32) << 1 | s as u32, false),
        2 if sz == 1 && !s => (8, qq as u32, false),
        3 if load && !s => (1 << sz, 0, true),
        _ => return Flow::Undefined,
    };
    let msize = MemSize::from_log2(es.trailing_zeros());
    let mut pending = Vec::new();
    for r in 0..selem {
        let reg = ((rt as u32 + r) % 32) as u8;
        let off = l.konst((r * es) as u64);
        let addr = l.b.add(Width::W64, base, off);
        if replicate {
            let x = l.push(Op::Load { size: msize, ord: Ordering::Relaxed, addr });
            let v = l.push(Op::VDup { esize: es as u8, q: qq, x });
            pending.push((reg, v));
        } else if load {
            let x = l.push(Op::Load { size: msize, ord: Ordering::Relaxed, addr });
            let v = vreg(l, reg);
            let nv = l.push(Op::VInsertLane { esize: es as u8, idx: idx as u8, v, x });
            pending.push((reg, nv));
        } else {
            let v = vreg(l, reg);
            let x = l.push(Op::VExtractLane { esize: es as u8, idx: idx as u8, v });
            l.push(Op::Store { size: msize, ord: Ordering::Relaxed, addr, v: x });
        }
    }
    for (reg, v) in pending {
        set_vreg(l, reg, v);
    }
    post_index(l, w, base, (selem * es) as u64);
    Flow::Continue
}


/// SHA1C, SHA1P, SHA1M, SHA1SU0, SHA256H, SHA256H2, SHA256SU1 (FEAT_SHA1,
/// FEAT_SHA256: the three-register group).
pub fn sha_three(l: &mut Lifter, w: u32) -> Flow {
    use zarm_ir::vector::ShaOp;
    let op = match bits(w, 14, 12) {
        0b000 => ShaOp::Sha1C,
        0b001 => ShaOp::Sha1P,
        0b010 => ShaOp::Sha1M,
        0b011 => ShaOp::Sha1Su0,
        0b100 => ShaOp::Sha256H,
        0b101 => ShaOp::Sha256H2,
        0b110 => ShaOp::Sha256Su1,
        _ => return Flow::Undefined,
    };
    let d = vreg(l, rd(w));
    let n = vreg(l, rn(w));
    let m = vreg(l, rm(w));
    let r = l.push(Op::VSha { op, d, n, m });
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// SHA1H, SHA1SU1, SHA256SU0 (the two-register group).
pub fn sha_two(l: &mut Lifter, w: u32) -> Flow {
    use zarm_ir::vector::ShaOp;
    let op = match bits(w, 16, 12) {
        0b00000 => ShaOp::Sha1H,
        0b00001 => ShaOp::Sha1Su1,
        0b00010 => ShaOp::Sha256Su0,
        _ => return Flow::Undefined,
    };
    let n = vreg(l, rn(w));
    // SHA1H reads only Sn.
    let d = if op == ShaOp::Sha1H { n } else { vreg(l, rd(w)) };
    let r = l.push(Op::VSha { op, d, n, m: n });
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// SHA512H, SHA512H2, SHA512SU1 (FEAT_SHA512) and RAX1 (FEAT_SHA3).
pub fn sha512_three(l: &mut Lifter, w: u32) -> Flow {
    use zarm_ir::vector::ShaOp;
    let n = vreg(l, rn(w));
    let m = vreg(l, rm(w));
    let op = match bits(w, 11, 10) {
        0b00 => ShaOp::Sha512H,
        0b01 => ShaOp::Sha512H2,
        0b10 => ShaOp::Sha512Su1,
        _ => {
            // RAX1: n ^ (m rotated left by one), per 64-bit lane.
            let r = rotate_left_d(l, m, 1);
            let r = l.push(Op::VBin { op: B::Eor, esize: 8, q: true, a: n, b: r });
            set_vreg(l, rd(w), r);
            return Flow::Continue;
        }
    };
    let d = vreg(l, rd(w));
    let r = l.push(Op::VSha { op, d, n, m });
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// SHA512SU0 (FEAT_SHA512); SM4E (FEAT_SM4) is not implemented.
pub fn sha512_two(l: &mut Lifter, w: u32) -> Flow {
    if bits(w, 11, 10) != 0 {
        return Flow::Undefined;
    }
    let d = vreg(l, rd(w));
    let n = vreg(l, rn(w));
    let r = l.push(Op::VSha { op: zarm_ir::vector::ShaOp::Sha512Su0, d, n, m: n });
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// EOR3 and BCAX (FEAT_SHA3): plain bitwise operations, lifted as such;
/// SM3SS1 (FEAT_SM3) is not implemented.
pub fn crypto_four(l: &mut Lifter, w: u32) -> Flow {
    let n = vreg(l, rn(w));
    let m = vreg(l, rm(w));
    let a = vreg(l, bits(w, 14, 10) as u8);
    let r = match bits(w, 22, 21) {
        // EOR3: n ^ m ^ a.
        0b00 => {
            let t = l.push(Op::VBin { op: B::Eor, esize: 1, q: true, a: n, b: m });
            l.push(Op::VBin { op: B::Eor, esize: 1, q: true, a: t, b: a })
        }
        // BCAX: n ^ (m & !a).
        0b01 => {
            let t = l.push(Op::VBin { op: B::Bic, esize: 1, q: true, a: m, b: a });
            l.push(Op::VBin { op: B::Eor, esize: 1, q: true, a: n, b: t })
        }
        _ => return Flow::Undefined,
    };
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// XAR (FEAT_SHA3): n ^ m, each 64-bit lane rotated right by imm6.
pub fn xar(l: &mut Lifter, w: u32) -> Flow {
    let n = vreg(l, rn(w));
    let m = vreg(l, rm(w));
    let t = l.push(Op::VBin { op: B::Eor, esize: 8, q: true, a: n, b: m });
    let imm = bits(w, 15, 10) as u8;
    let r = if imm == 0 { t } else { rotate_left_d(l, t, 64 - imm) };
    set_vreg(l, rd(w), r);
    Flow::Continue
}

/// Each 64-bit lane of `v` rotated left by `k` (1..=63).
fn rotate_left_d(l: &mut Lifter, v: Value, k: u8) -> Value {
    l.push(Op::VShift { op: S::Rol, esize: 8, q: true, amount: k, acc: v, a: v })
}

/// AESE, AESD, AESMC, AESIMC (FEAT_AES).
pub fn aes(l: &mut Lifter, w: u32) -> Flow {
    use zarm_ir::vector::AesOp;
    let op = match bits(w, 16, 12) {
        0b00100 => AesOp::Encrypt,
        0b00101 => AesOp::Decrypt,
        0b00110 => AesOp::MixColumns,
        0b00111 => AesOp::InvMixColumns,
        _ => return Flow::Undefined,
    };
    let d = vreg(l, rd(w));
    let n = vreg(l, rn(w));
    let r = l.push(Op::VAes { op, d, n });
    set_vreg(l, rd(w), r);
    Flow::Continue
}

//! Scalar floating point: data processing (1, 2, 3 sources), compares,
//! conditional compare and select, immediates, conversions between FP
//! precisions and to/from general registers and fixed point.

use super::*;
use zarm_ir::fp::{FpBinOp, FpRounding, FpSize, FpUnOp};
use zarm_ir::Op;

/// The FP precision of a `ftype` field (bits 23:22).
pub fn ftype(w: u32) -> Option<FpSize> {
    match bits(w, 23, 22) {
        0 => Some(FpSize::S),
        1 => Some(FpSize::D),
        3 => Some(FpSize::H),
        _ => None,
    }
}

pub fn bytes_of(s: FpSize) -> u8 {
    (s.bits() / 8) as u8
}

/// The low `size` bits of Vn, as an I64.
pub fn read_fp(l: &mut Lifter, r: u8, size: FpSize) -> Value {
    let v = l.push(Op::GetVec { r });
    l.push(Op::VExtractLane { esize: bytes_of(size), idx: 0, v })
}

/// Writes a scalar to Vd, clearing the rest of the register as every
/// scalar FP/SIMD write does.
pub fn write_fp(l: &mut Lifter, r: u8, size: FpSize, x: Value) {
    let x = if size == FpSize::D { x } else { l.push(Op::Zext { from: size.bits() as u8, a: x }) };
    let z = l.konst(0);
    let v = l.push(Op::VFromHalves { lo: x, hi: z });
    l.push(Op::SetVec { r, v });
}

/// The precision of an arithmetic instruction: half precision arithmetic
/// is FEAT_FP16, which zarm neither implements nor advertises (only the
/// conversions to and from half precision are base Armv8.0).
fn arith_type(w: u32) -> Option<FpSize> {
    ftype(w).filter(|s| *s != FpSize::H)
}

/// FMOV/FABS/FNEG/FSQRT/FCVT/FRINT* (1 source).
pub fn dp1(l: &mut Lifter, w: u32) -> Flow {
    let Some(size) = ftype(w) else { return Flow::Undefined };
    let opcode = bits(w, 20, 15);
    if size == FpSize::H && !matches!(opcode, 4 | 5) {
        return Flow::Undefined;
    }
    let a = read_fp(l, rn(w), size);
    let (r, out) = match opcode {
        0 => (a, size),
        1 => (l.push(Op::FpUn { op: FpUnOp::Abs, size, a }), size),
        2 => (l.push(Op::FpUn { op: FpUnOp::Neg, size, a }), size),
        3 => (l.push(Op::FpUn { op: FpUnOp::Sqrt, size, a }), size),
        4 | 5 | 7 => {
            let to = match opcode & 3 {
                0 => FpSize::S,
                1 => FpSize::D,
                _ => FpSize::H,
            };
            if to == size {
                return Flow::Undefined;
            }
            (l.push(Op::FpConvert { from: size, to, a }), to)
        }
        8..=15 if opcode != 13 => {
            let (mode, exact) = match opcode {
                8 => (FpRounding::TieEven, false),
                9 => (FpRounding::PosInf, false),
                10 => (FpRounding::NegInf, false),
                11 => (FpRounding::Zero, false),
                12 => (FpRounding::TieAway, false),
                14 => (FpRounding::Current, true),
                _ => (FpRounding::Current, false),
            };
            (l.push(Op::FpUn { op: FpUnOp::Round { mode, exact }, size, a }), size)
        }
        _ => return Flow::Undefined,
    };
    write_fp(l, rd(w), out, r);
    Flow::Continue
}

/// FMUL/FDIV/FADD/FSUB/FMAX/FMIN/FMAXNM/FMINNM/FNMUL.
pub fn dp2(l: &mut Lifter, w: u32) -> Flow {
    let Some(size) = arith_type(w) else { return Flow::Undefined };
    let op = match bits(w, 15, 12) {
        0 => FpBinOp::Mul,
        1 => FpBinOp::Div,
        2 => FpBinOp::Add,
        3 => FpBinOp::Sub,
        4 => FpBinOp::Max,
        5 => FpBinOp::Min,
        6 => FpBinOp::MaxNum,
        7 => FpBinOp::MinNum,
        8 => FpBinOp::NMul,
        _ => return Flow::Undefined,
    };
    let a = read_fp(l, rn(w), size);
    let b = read_fp(l, rm(w), size);
    let r = l.push(Op::FpBin { op, size, a, b });
    write_fp(l, rd(w), size, r);
    Flow::Continue
}

/// FMADD/FMSUB/FNMADD/FNMSUB.
pub fn dp3(l: &mut Lifter, w: u32) -> Flow {
    let Some(size) = arith_type(w) else { return Flow::Undefined };
    let (o1, o0) = (bit(w, 21), bit(w, 15));
    let a = read_fp(l, rn(w), size);
    let b = read_fp(l, rm(w), size);
    let addend = read_fp(l, rt2(w), size);
    // FMADD: a + n*m; FMSUB: a - n*m; FNMADD: -a - n*m; FNMSUB: -a + n*m.
    let r = l.push(Op::FpMulAdd { size, neg_product: o1 != o0, neg_addend: o1, addend, a, b });
    write_fp(l, rd(w), size, r);
    Flow::Continue
}

/// FCMP/FCMPE, with a register or #0.0.
pub fn compare(l: &mut Lifter, w: u32) -> Flow {
    let Some(size) = arith_type(w) else { return Flow::Undefined };
    let opc = bits(w, 4, 0);
    if opc & 7 != 0 {
        return Flow::Undefined;
    }
    let a = read_fp(l, rn(w), size);
    let b = if opc & 8 != 0 { l.konst(0) } else { read_fp(l, rm(w), size) };
    let f = l.push(Op::FpCmp { size, signaling: opc & 16 != 0, a, b });
    l.set_nzcv(f);
    Flow::Continue
}

/// FCCMP/FCCMPE.
pub fn cond_compare(l: &mut Lifter, w: u32) -> Flow {
    let Some(size) = arith_type(w) else { return Flow::Undefined };
    let c = l.cond(bits(w, 15, 12));
    let a = read_fp(l, rn(w), size);
    let b = read_fp(l, rm(w), size);
    // The comparison (and its exceptions) happens only if the condition
    // holds: otherwise compare +0 with +0, which raises nothing.
    let z = l.konst(0);
    let a = l.push(Op::Select { c, a, b: z });
    let b = l.push(Op::Select { c, a: b, b: z });
    let f = l.push(Op::FpCmp { size, signaling: bit(w, 4), a, b });
    let dflt = l.konst((bits(w, 3, 0) as u64) << 28);
    let r = l.push(Op::Select { c, a: f, b: dflt });
    l.set_nzcv(r);
    Flow::Continue
}

/// FCSEL.
pub fn select(l: &mut Lifter, w: u32) -> Flow {
    let Some(size) = arith_type(w) else { return Flow::Undefined };
    let c = l.cond(bits(w, 15, 12));
    let a = read_fp(l, rn(w), size);
    let b = read_fp(l, rm(w), size);
    let r = l.push(Op::Select { c, a, b });
    write_fp(l, rd(w), size, r);
    Flow::Continue
}

/// VFPExpandImm: the 8-bit FMOV immediate as a value of `size`.
pub fn expand_imm(imm8: u32, size: FpSize) -> u64 {
    let (e, f) = match size {
        FpSize::H => (5u32, 10u32),
        FpSize::S => (8, 23),
        FpSize::D => (11, 52),
    };
    let sign = (imm8 >> 7) as u64;
    let b6 = (imm8 >> 6) & 1;
    let exp_top = (b6 ^ 1) as u64;
    let rep = if b6 == 1 { (1u64 << (e - 3)) - 1 } else { 0 };
    let exp = exp_top << (e - 1) | rep << 2 | ((imm8 >> 4) & 3) as u64;
    let frac = ((imm8 & 15) as u64) << (f - 4);
    sign << (e + f) | exp << f | frac
}

/// FMOV (scalar, immediate).
pub fn imm(l: &mut Lifter, w: u32) -> Flow {
    let Some(size) = arith_type(w) else { return Flow::Undefined };
    if bits(w, 9, 5) != 0 {
        return Flow::Undefined;
    }
    let c = l.konst(expand_imm(bits(w, 20, 13), size));
    write_fp(l, rd(w), size, c);
    Flow::Continue
}

/// Conversions between FP and general registers, and FMOV between them.
pub fn int_conv(l: &mut Lifter, w: u32) -> Flow {
    let sf = bit(w, 31);
    let wd = width(sf);
    let rmode = bits(w, 20, 19);
    let opcode = bits(w, 18, 16);
    let ty = bits(w, 23, 22);
    // FMOV Xd, Vn.D[1] / FMOV Vd.D[1], Xn.
    if ty == 2 {
        if !sf || rmode != 1 || opcode & 6 != 6 {
            return Flow::Undefined;
        }
        if opcode == 6 {
            let v = l.push(Op::GetVec { r: rn(w) });
            let x = l.push(Op::VExtractLane { esize: 8, idx: 1, v });
            l.set_x(rd(w), x);
        } else {
            let v = l.push(Op::GetVec { r: rd(w) });
            let x = l.x(rn(w));
            let nv = l.push(Op::VInsertLane { esize: 8, idx: 1, v, x });
            l.push(Op::SetVec { r: rd(w), v: nv });
        }
        return Flow::Continue;
    }
    let Some(size) = arith_type(w) else { return Flow::Undefined };
    let mode = match rmode {
        0 => FpRounding::TieEven,
        1 => FpRounding::PosInf,
        2 => FpRounding::NegInf,
        _ => FpRounding::Zero,
    };
    match (rmode, opcode) {
        (_, 0) | (_, 1) | (0, 4) | (0, 5) => {
            let mode = if opcode >= 4 { FpRounding::TieAway } else { mode };
            let a = read_fp(l, rn(w), size);
            let r = l.push(Op::FpToInt { from: size, w: wd, signed: opcode & 1 == 0, mode, fbits: 0, a });
            l.set_x(rd(w), r);
        }
        (0, 2) | (0, 3) => {
            let a = l.x(rn(w));
            let r = l.push(Op::IntToFp { to: size, w: wd, signed: opcode == 2, fbits: 0, a });
            write_fp(l, rd(w), size, r);
        }
        (0, 6) => {
            // FMOV general ← FP: sizes must match (W↔S/H, X↔D/H).
            if (size == FpSize::D && !sf) || (size == FpSize::S && sf) {
                return Flow::Undefined;
            }
            let a = read_fp(l, rn(w), size);
            l.set_x(rd(w), a);
        }
        (0, 7) => {
            if (size == FpSize::D && !sf) || (size == FpSize::S && sf) {
                return Flow::Undefined;
            }
            let a = l.x(rn(w));
            let a = if size == FpSize::D { a } else { l.push(Op::Zext { from: size.bits() as u8, a }) };
            write_fp(l, rd(w), size, a);
        }
        _ => return Flow::Undefined,
    }
    Flow::Continue
}

/// Conversions between FP and fixed point in general registers.
pub fn fixed_conv(l: &mut Lifter, w: u32) -> Flow {
    let Some(size) = arith_type(w) else { return Flow::Undefined };
    let sf = bit(w, 31);
    let scale = bits(w, 15, 10);
    if !sf && scale < 32 {
        return Flow::Undefined;
    }
    let fbits = (64 - scale) as u8;
    let wd = width(sf);
    match (bits(w, 20, 19), bits(w, 18, 16)) {
        (3, 0) | (3, 1) => {
            let a = read_fp(l, rn(w), size);
            let r = l.push(Op::FpToInt { from: size, w: wd, signed: bits(w, 18, 16) == 0, mode: FpRounding::Zero, fbits, a });
            l.set_x(rd(w), r);
        }
        (0, 2) | (0, 3) => {
            let a = l.x(rn(w));
            let r = l.push(Op::IntToFp { to: size, w: wd, signed: bits(w, 18, 16) == 2, fbits, a });
            write_fp(l, rd(w), size, r);
        }
        _ => return Flow::Undefined,
    }
    Flow::Continue
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmov_immediates() {
        // fmov d0, #1.0 → imm8 0x70; #-2.0 → 0x80; #0.5 → 0x60.
        assert_eq!(f64::from_bits(expand_imm(0x70, FpSize::D)), 1.0);
        assert_eq!(f64::from_bits(expand_imm(0x80, FpSize::D)), -2.0);
        assert_eq!(f32::from_bits(expand_imm(0x60, FpSize::S) as u32), 0.5);
        assert_eq!(f64::from_bits(expand_imm(0x1f, FpSize::D)), 7.75);
    }
}

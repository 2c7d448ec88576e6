//! AdvSIMD lowerings. A 128-bit IR value lives in its 16-byte frame slot as
//! a host (big-endian) u128, so a `VL` of the slot puts guest lane `i` of
//! an `n`-lane arrangement in z element `n-1-i`: element-wise operations
//! need no reordering, and lane `i` of `e` bytes sits at slot byte
//! `16 - (i+1)·e`.
//!
//! - [`Route::VectorLanes`] (base): moves between lanes and general
//!   registers are plain loads and stores on the slot.
//! - [`Route::VectorInteger`] (z13 vector facility): integer and bitwise
//!   lane operations load their operands into v16–v19 (call-clobbered in
//!   the s390x ELF ABI, so nothing needs saving), compute, and store the
//!   result slot. Without the facility the common ones run in general
//!   registers (`vector_gpr.rs`), the others call the helper.

use super::*;
use zarm_ir::fp::FpRounding;
use zarm_ir::vector::{NarrowOp, VecBinOp as B, VecShiftOp as S, VecTernOp as T, VecUnOp as U};

pub(super) const VA: u8 = 16;
const VD: u8 = 19;
const VB: u8 = 17;
const VC: u8 = 18;
const VE: u8 = 20;
const VF: u8 = 21;

/// The element-size code (M3/M4) of z vector instructions for `esize` bytes.
fn ecode(esize: u8) -> u8 {
    esize.trailing_zeros() as u8
}

/// Does the vector facility lower `op` (else: the helper)?
pub(super) fn is_vector_integer(op: &Op) -> bool {
    match op {
        Op::VBin { op, esize, q, .. } => {
            matches!(
                op,
                B::Add | B::Sub | B::And | B::Orr | B::Eor | B::Bic | B::Orn | B::CmEq | B::CmHi | B::CmHs | B::CmGt | B::CmGe
                    | B::CmTst | B::Umax | B::Umin | B::Smax | B::Smin
            ) || (*op == B::Mul && *esize <= 4)
                || (is_permute(*op) && nlanes(*esize, *q) >= 2)
        }
        Op::VUn { op, esize, .. } => {
            matches!(op, U::Not | U::Neg | U::Abs | U::Clz | U::CmEq0 | U::CmGt0 | U::CmGe0 | U::CmLe0 | U::CmLt0)
                || (*op == U::Cnt && *esize == 1)
                || is_reduction(*op)
                || (matches!(op, U::Fneg | U::Fabs) && *esize >= 2)
        }
        Op::VShift { op, .. } => matches!(op, S::Shl | S::Ushr | S::Sshr | S::Usra | S::Ssra | S::Rol),
        Op::VTern { op, esize, .. } => matches!(op, T::Bsl | T::Bit | T::Bif) || (matches!(op, T::Mla | T::Mls) && *esize <= 4),
        Op::VExtend { .. } | Op::VPmull { .. } => true,
        Op::VNarrow { op: NarrowOp::Trunc, .. } => true,
        _ => false,
    }
}

/// The integer reductions across lanes (ADDV, UADDLV/SADDLV,
/// UMAXV/UMINV/SMAXV/SMINV).
fn is_reduction(op: U) -> bool {
    matches!(op, U::Addv | U::Uaddlv | U::Saddlv | U::Umaxv | U::Uminv | U::Smaxv | U::Sminv)
}

/// Pairwise integer operations and the permutes, lowered with VPERM.
fn is_permute(op: B) -> bool {
    matches!(op, B::Addp | B::Umaxp | B::Uminp | B::Smaxp | B::Sminp | B::Zip1 | B::Zip2 | B::Uzp1 | B::Uzp2 | B::Trn1 | B::Trn2)
}

/// The element-wise instruction of an integer add, maximum or minimum,
/// also the combining step of the pairwise forms.
fn add_max_min(op: B) -> Option<fn(&mut Vec<u8>, u8, u8, u8, u8)> {
    Some(match op {
        B::Add | B::Addp => encode::va,
        B::Umax | B::Umaxp => encode::vmxl,
        B::Umin | B::Uminp => encode::vmnl,
        B::Smax | B::Smaxp => encode::vmx,
        B::Smin | B::Sminp => encode::vmn,
        _ => return None,
    })
}

fn nlanes(esize: u8, q: bool) -> u8 {
    if q { 16 / esize } else { 8 / esize }
}

/// The VPERM control vector (as the two doublewords VLVGP takes) that
/// builds result lanes `0..n` of `esize` bytes from `src(r) = (from_b,
/// lane)` with V2 = a and V3 = b: result guest byte `j` sits at z byte
/// `15 - j` (see the module comment), a's guest byte `s` at index `15 - s`
/// of the concatenation, b's at `31 - s`. Bytes beyond the `n` lanes select
/// a's byte 0 (the caller clears them for 64-bit arrangements).
fn perm_control(esize: u8, n: u8, src: impl Fn(u8) -> (bool, u8)) -> (u64, u64) {
    let mut ctl = [0u8; 16];
    for r in 0..n {
        let (from_b, lane) = src(r);
        for k in 0..esize {
            let (j, s) = (r * esize + k, lane * esize + k);
            ctl[15 - j as usize] = if from_b { 31 - s } else { 15 - s };
        }
    }
    (u64::from_be_bytes(ctl[..8].try_into().unwrap()), u64::from_be_bytes(ctl[8..].try_into().unwrap()))
}

/// The route of an AdvSIMD FP operation with a guarded lowering on the
/// vector BFP instructions (all four or both lanes: a 64-bit arrangement
/// would compute on the unused upper lanes and could raise their flags).
pub(super) fn fp_route(op: &Op) -> Option<Route> {
    let (esize, q) = match *op {
        Op::VBin { op: B::Fadd | B::Fsub | B::Fmul | B::Fdiv, esize, q, .. } => (esize, q),
        // FMAX/FMIN/FMAXNM/FMINNM: compares and selects; their pairwise
        // forms and FADDP on the even and odd lanes gathered by VPERM.
        Op::VBin { op: B::Fmax | B::Fmin | B::Fmaxnm | B::Fminnm, esize, q, .. } => (esize, q),
        Op::VBin { op, esize, q, .. } if fp_pairwise(op).is_some() => (esize, q),
        Op::VTern { op: T::Fmla | T::Fmls, esize, q, .. } => (esize, q),
        // SCVTF/UCVTF .2D; the single-precision form needs
        // vector-enhancements 2.
        Op::VUn { op: U::IntToFcvt { fbits: 0, .. }, esize: 8, q: true, .. } => (8, true),
        Op::VUn { op: U::IntToFcvt { fbits: 0, .. }, esize: 4, q: true, .. } => return Some(Route::VectorConvertSingle),
        // FCVT{N,P,M,Z,A}{S,U} likewise (VCGD/VCLGD).
        Op::VUn { op: U::FcvtToInt { fbits: 0, mode, .. }, esize: 8, q: true, .. } if mode != FpRounding::Odd => (8, true),
        Op::VUn { op: U::FcvtToInt { fbits: 0, mode, .. }, esize: 4, q: true, .. } if mode != FpRounding::Odd => {
            return Some(Route::VectorConvertSingle)
        }
        // FSQRT (VFSQ) and FRINT{N,P,M,Z,A,X,I} (VFI).
        Op::VUn { op: U::Fsqrt, esize, q, .. } => (esize, q),
        Op::VUn { op: U::Frint { mode, .. }, esize, q, .. } if mode != FpRounding::Odd => (esize, q),
        Op::VBin { op: B::Fcmeq | B::Fcmge | B::Fcmgt | B::Facge | B::Facgt | B::Fabd, esize, q, .. } => (esize, q),
        Op::VUn { op: U::Fcmeq0 | U::Fcmgt0 | U::Fcmge0 | U::Fcmle0 | U::Fcmlt0, esize, q, .. } => (esize, q),
        _ => return None,
    };
    match (esize, q) {
        (8, true) => Some(Route::VectorFloatDouble),
        (4, true) => Some(Route::VectorFloatSingle),
        _ => None,
    }
}

/// The relation an AdvSIMD FP compare tests, of a with b.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FpCompare {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

/// An FP compare's operands (b `None`: against +0.0) and relation.
pub(super) fn fp_compare(op: &Op) -> Option<(Value, Option<Value>, FpCompare)> {
    Some(match *op {
        Op::VBin { op: B::Fcmeq, a, b, .. } => (a, Some(b), FpCompare::Eq),
        Op::VBin { op: B::Fcmgt, a, b, .. } => (a, Some(b), FpCompare::Gt),
        Op::VBin { op: B::Fcmge, a, b, .. } => (a, Some(b), FpCompare::Ge),
        // FACGT/FACGE compare magnitudes (`fp_compare_abs`).
        Op::VBin { op: B::Facgt, a, b, .. } => (a, Some(b), FpCompare::Gt),
        Op::VBin { op: B::Facge, a, b, .. } => (a, Some(b), FpCompare::Ge),
        Op::VUn { op: U::Fcmeq0, a, .. } => (a, None, FpCompare::Eq),
        Op::VUn { op: U::Fcmgt0, a, .. } => (a, None, FpCompare::Gt),
        Op::VUn { op: U::Fcmge0, a, .. } => (a, None, FpCompare::Ge),
        Op::VUn { op: U::Fcmlt0, a, .. } => (a, None, FpCompare::Lt),
        Op::VUn { op: U::Fcmle0, a, .. } => (a, None, FpCompare::Le),
        _ => return None,
    })
}

/// The element-wise operation of an AdvSIMD FP pairwise operation
/// (FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP): lane r of the result combines
/// lanes 2r and 2r+1 of a's lanes followed by b's.
pub(super) fn fp_pairwise(op: B) -> Option<B> {
    Some(match op {
        B::Faddp => B::Fadd,
        B::Fmaxp => B::Fmax,
        B::Fminp => B::Fmin,
        B::Fmaxnmp => B::Fmaxnm,
        B::Fminnmp => B::Fminnm,
        _ => return None,
    })
}

/// Does the compare `fp_compare` describes compare magnitudes (FACGE,
/// FACGT)?
pub(super) fn fp_compare_abs(op: &Op) -> bool {
    matches!(op, Op::VBin { op: B::Facge | B::Facgt, .. })
}

/// Lane moves, and MUL of 64-bit lanes in general registers: lowered on
/// every host.
pub(super) fn is_vector_lane(op: &Op) -> bool {
    matches!(op, Op::VExtractLane { .. } | Op::VInsertLane { .. } | Op::VDup { .. } | Op::VDupLane { .. } | Op::VFromHalves { .. })
        || matches!(op, Op::VBin { op: B::Mul, esize: 8, .. })
}

/// Slot byte offset of lane `idx` of `esize` bytes.
fn lane_off(esize: u8, idx: u8) -> i32 {
    16 - (idx as i32 + 1) * esize as i32
}

impl Emitter<'_> {
    /// A storage operand for frame offset `off` usable by the 12-bit
    /// displacement vector loads and stores (r1 carries larger offsets).
    fn vmem(&mut self, off: i32) -> Mem {
        if off < 4096 {
            m(15, off)
        } else {
            encode::lay(self.b(), 1, m(15, off));
            m(1, 0)
        }
    }

    pub(super) fn vload(&mut self, vr: u8, v: Value) {
        let off = self.slot(v);
        let mem = self.vmem(off);
        encode::vl(self.b(), vr, mem, 0);
    }

    /// Stores `vr` as value `i` (high 64 bits cleared unless `q`).
    pub(super) fn vresult(&mut self, i: usize, vr: u8, q: bool) {
        if !q {
            encode::vleig(self.b(), vr, 0, 0);
        }
        self.loc[i] = Loc::Slot;
        let off = self.slot(Value(i as u32));
        let mem = self.vmem(off);
        encode::vst(self.b(), vr, mem, 0);
    }

    /// An AdvSIMD FP operation (see `fp_route`) on the vector BFP
    /// instructions, guarded as the scalar route (`fp.rs`): default FPCR
    /// only; a NaN in any result lane or a lane of magnitude exactly 2^Emin
    /// sends the whole operation to the helper (operation `index`), which
    /// recomputes it from the unchanged inputs.
    pub(super) fn vfp_guarded(&mut self, i: usize, op: &Op, index: usize) {
        if let Some((a, b, cmp)) = fp_compare(op) {
            return self.vfp_compare_guarded(i, op, index, a, b, cmp);
        }
        if let Op::VBin { op: bop, esize, a, b, .. } = *op {
            let (elem, pairwise) = match fp_pairwise(bop) {
                Some(e) => (e, true),
                None => (bop, false),
            };
            if matches!(elem, B::Fmax | B::Fmin | B::Fmaxnm | B::Fminnm) {
                return self.vfp_max_min_guarded(i, op, index, matches!(elem, B::Fmax | B::Fmaxnm), esize, a, b, pairwise);
            }
        }
        let slow = self.buf.new_label();
        let done = self.buf.new_label();
        self.fpcr_default_or(slow);
        let esize = match *op {
            Op::VBin { esize, .. } | Op::VTern { esize, .. } | Op::VUn { esize, .. } => esize,
            _ => unreachable!("{} has no vector FP lowering", op.name()),
        };
        let (fmt, sign, min_normal): (u8, u64, u64) =
            if esize == 8 { (3, 0x8000_0000_0000_0000, 0x0010_0000_0000_0000) } else { (2, 0x8000_0000_8000_0000, 0x0080_0000_0080_0000) };
        match *op {
            Op::VBin { op: bop, a, b, .. } => {
                let bop = match fp_pairwise(bop) {
                    Some(elem) => {
                        self.load_pairwise(esize, a, b);
                        elem
                    }
                    None => {
                        self.vload(VA, a);
                        self.vload(VB, b);
                        bop
                    }
                };
                let f = match bop {
                    B::Fadd => encode::vfa,
                    B::Fsub | B::Fabd => encode::vfs,
                    B::Fmul => encode::vfm,
                    _ => encode::vfd,
                };
                f(self.b(), VA, VA, VB, fmt);
                if bop == B::Fabd {
                    // |a - b|: the difference's sign bits cleared (a NaN
                    // still takes the helper below).
                    self.load_imm(0, !sign);
                    encode::vlvgp(self.b(), VD, 0, 0);
                    encode::vn(self.b(), VA, VA, VD);
                }
            }
            Op::VTern { op: top, d, n, m: mm, .. } => {
                self.vload(VA, n);
                self.vload(VB, mm);
                self.vload(VC, d);
                if top == T::Fmls {
                    // d - n·m = d + (-n)·m, fused; negating is exact.
                    self.load_imm(0, sign);
                    encode::vlvgp(self.b(), VD, 0, 0);
                    encode::vx(self.b(), VA, VA, VD);
                }
                encode::vfma(self.b(), VA, VA, VB, VC, fmt);
            }
            Op::VUn { op: U::IntToFcvt { signed, .. }, a, .. } => {
                // Rounded by the FPC's mode (nearest even after the
                // guard), inexact reported.
                self.vload(VA, a);
                (if signed { encode::vcdg } else { encode::vcdlg })(self.b(), VA, VA, fmt, 0, 0);
            }
            Op::VUn { op: U::FcvtToInt { signed, mode, .. }, a, .. } => {
                // Rounded as the guest asks, inexact reported; a NaN or
                // an out-of-range lane (invalid: A64 saturates) takes the
                // helper.
                self.vload(VA, a);
                (if signed { encode::vcgd } else { encode::vclgd })(self.b(), VA, VA, fmt, 0, super::fp::m3_of(mode));
                let b = self.b();
                encode::efpc(b, 3);
                encode::tmlh(b, 3, 0x0080);
                self.buf.branch(7, slow);
                self.fpc_flags_to_fpsr();
                return self.vfp_result_or_helper(i, op, index, slow, done);
            }
            Op::VUn { op: U::Fsqrt, a, .. } => {
                self.vload(VA, a);
                encode::vfsq(self.b(), VA, VA, fmt, 0);
            }
            Op::VUn { op: U::Frint { mode, exact }, a, .. } => {
                // FRINTX reports inexact, the others suppress it (M4 bit
                // 2, XxC); qemu-s390x's VFI sets the inexact flag even
                // then, so the flags of a suppressed one are not read
                // (without a NaN, rounding to an integer raises nothing
                // else).
                self.vload(VA, a);
                encode::vfi(self.b(), VA, VA, fmt, if exact { 0 } else { 4 }, super::fp::m3_of(mode));
            }
            _ => unreachable!(),
        }
        // A NaN in any lane (classes ±QNaN, ±SNaN): CC 0 or 1.
        encode::vftci(self.b(), VB, VA, 0x00f, fmt);
        self.buf.branch(0b1100, slow);
        // A lane of magnitude 2^Emin (tininess is detected before rounding
        // on A64, after it on the host): CC 0 or 1 of the compare.
        self.load_imm(0, !sign);
        encode::vlvgp(self.b(), VD, 0, 0);
        encode::vn(self.b(), VB, VA, VD);
        self.load_imm(0, min_normal);
        encode::vlvgp(self.b(), VD, 0, 0);
        encode::vceqs(self.b(), VB, VB, VD, ecode(esize));
        self.buf.branch(0b1100, slow);
        if !matches!(op, Op::VUn { op: U::Frint { exact: false, .. }, .. }) {
            self.fpc_flags_to_fpsr();
        }
        self.vfp_result_or_helper(i, op, index, slow, done);
    }

    /// The end of a guarded vector FP operation: VA to the result, then
    /// the slow path, the helper (operation `index`) recomputing it.
    fn vfp_result_or_helper(&mut self, i: usize, op: &Op, index: usize, slow: Label, done: Label) {
        self.vresult(i, VA, true);
        self.buf.branch(15, done);
        self.buf.bind(slow);
        self.helper_invoke(op, index);
        self.loc[i] = Loc::Slot;
        let off = self.slot(Value(i as u32));
        self.copy16(m(15, off), m(15, OUT_OFF));
        self.buf.bind(done);
    }

    /// FCMEQ/FCMGE/FCMGT and their #0 forms on the vector BFP compares:
    /// default FPCR and no NaN in either operand (VFTCI), else the helper
    /// (operation `index`); without NaNs a compare raises no exception.
    fn vfp_compare_guarded(&mut self, i: usize, op: &Op, index: usize, a: Value, b: Option<Value>, cmp: FpCompare) {
        let (slow, done) = (self.buf.new_label(), self.buf.new_label());
        self.fpcr_default_or(slow);
        let esize = match *op {
            Op::VBin { esize, .. } | Op::VUn { esize, .. } => esize,
            _ => unreachable!(),
        };
        let fmt = if esize == 8 { 3 } else { 2 };
        self.vload(VA, a);
        match b {
            Some(b) => self.vload(VB, b),
            None => encode::vgbm(self.b(), VB, 0, 0),
        }
        for v in [VA, VB] {
            encode::vftci(self.b(), VC, v, 0x00f, fmt);
            self.buf.branch(0b1100, slow);
        }
        if fp_compare_abs(op) {
            // Magnitudes: the sign bits cleared (exact, no exception).
            self.load_imm(0, if esize == 8 { !0x8000_0000_0000_0000u64 } else { !0x8000_0000_8000_0000u64 });
            let bb = self.b();
            encode::vlvgp(bb, VD, 0, 0);
            encode::vn(bb, VA, VA, VD);
            encode::vn(bb, VB, VB, VD);
        }
        let bb = self.b();
        let (f, swap): (fn(&mut Vec<u8>, u8, u8, u8, u8), bool) = match cmp {
            FpCompare::Eq => (encode::vfce, false),
            FpCompare::Gt => (encode::vfch, false),
            FpCompare::Ge => (encode::vfche, false),
            FpCompare::Lt => (encode::vfch, true),
            FpCompare::Le => (encode::vfche, true),
        };
        if swap {
            f(bb, VA, VB, VA, fmt);
        } else {
            f(bb, VA, VA, VB, fmt);
        }
        self.vfp_result_or_helper(i, op, index, slow, done);
    }

    /// FMAX/FMAXNM (`max`) and FMIN/FMINNM: with the default FPCR and no
    /// NaN in either operand (else the helper, operation `index`) they
    /// agree and raise nothing. The greater (smaller) lane by VFCH and
    /// VSEL; equal lanes (neither compare holds) take the AND (OR) of
    /// both, so +0 wins the maximum and -0 the minimum.
    /// `pairwise`: FMAXP/FMINP/FMAXNMP/FMINNMP, on the gathered lanes.
    #[allow(clippy::too_many_arguments)]
    fn vfp_max_min_guarded(&mut self, i: usize, op: &Op, index: usize, max: bool, esize: u8, a: Value, b: Value, pairwise: bool) {
        let (slow, done) = (self.buf.new_label(), self.buf.new_label());
        self.fpcr_default_or(slow);
        let fmt = if esize == 8 { 3 } else { 2 };
        if pairwise {
            self.load_pairwise(esize, a, b);
        } else {
            self.vload(VA, a);
            self.vload(VB, b);
        }
        for v in [VA, VB] {
            encode::vftci(self.b(), VC, v, 0x00f, fmt);
            self.buf.branch(0b1100, slow);
        }
        let bb = self.b();
        // VC: a > b, VD: a < b.
        encode::vfch(bb, VC, VA, VB, fmt);
        encode::vfch(bb, VD, VB, VA, fmt);
        if max {
            encode::vsel(bb, VE, VA, VB, VC);
            encode::vo(bb, VC, VC, VD);
            encode::vo(bb, VC, VC, VA);
            encode::vn(bb, VA, VE, VC);
        } else {
            encode::vsel(bb, VE, VA, VB, VD);
            encode::vo(bb, VC, VC, VD);
            encode::vnc(bb, VC, VA, VC);
            encode::vo(bb, VA, VE, VC);
        }
        self.vfp_result_or_helper(i, op, index, slow, done);
    }

    /// VA ← the even lanes of a's lanes followed by b's, VB ← the odd ones
    /// (the operands of a pairwise operation's element-wise step).
    fn load_pairwise(&mut self, esize: u8, a: Value, b: Value) {
        self.vload(VA, a);
        self.vload(VB, b);
        let n = 16 / esize;
        let cat = move |t: u8| if t < n { (false, t) } else { (true, t - n) };
        self.vperm_lanes(VC, esize, n, |r| cat(2 * r));
        self.vperm_lanes(VE, esize, n, |r| cat(2 * r + 1));
        let bb = self.b();
        encode::vo(bb, VA, VC, VC);
        encode::vo(bb, VB, VE, VE);
    }

    /// `dst` ← VPERM of VA (a) and VB (b) with `perm_control`'s vector.
    fn vperm_lanes(&mut self, dst: u8, esize: u8, n: u8, src: impl Fn(u8) -> (bool, u8)) {
        self.vperm(dst, VA, VB, perm_control(esize, n, src));
    }

    /// `dst` ← VPERM of `a` and `b` with the control vector `(hi, lo)`
    /// (built in VD through r0 and r1).
    fn vperm(&mut self, dst: u8, a: u8, b: u8, (hi, lo): (u64, u64)) {
        self.load_imm(0, hi);
        self.load_imm(1, lo);
        let bb = self.b();
        encode::vlvgp(bb, VD, 0, 1);
        encode::vperm(bb, dst, a, b, VD);
    }

    /// Pairwise operations and permutes (`is_permute`). A pairwise result
    /// lane `r` combines lanes `2r` and `2r+1` of a's lanes followed by
    /// b's: VPERM gathers the even and the odd ones, then one element-wise
    /// instruction combines them.
    fn vector_permute(&mut self, i: usize, op: B, esize: u8, q: bool, a: Value, b: Value) {
        self.vload(VA, a);
        self.vload(VB, b);
        let n = nlanes(esize, q);
        let half = n / 2;
        let cat = move |t: u8| if t < n { (false, t) } else { (true, t - n) };
        match op {
            B::Zip1 | B::Zip2 => {
                let base = if op == B::Zip1 { 0 } else { half };
                self.vperm_lanes(VA, esize, n, |r| (r % 2 == 1, base + r / 2));
            }
            B::Uzp1 | B::Uzp2 => {
                let off = (op == B::Uzp2) as u8;
                self.vperm_lanes(VA, esize, n, |r| cat(2 * r + off));
            }
            B::Trn1 | B::Trn2 => {
                let off = (op == B::Trn2) as u8;
                self.vperm_lanes(VA, esize, n, |r| (r % 2 == 1, (r & !1) + off));
            }
            _ => {
                self.vperm_lanes(VC, esize, n, |r| cat(2 * r));
                self.vperm_lanes(VA, esize, n, |r| cat(2 * r + 1));
                let f = add_max_min(op).unwrap_or_else(|| unreachable!("VBin {op:?} is not a permute"));
                f(self.b(), VA, VC, VA, ecode(esize));
            }
        }
        self.vresult(i, VA, q);
    }

    /// AESE/AESD (base): AddRoundKey (d ^ n into the OUT_OFF scratch),
    /// then (Inv)ShiftRows folded into the byte addresses and (Inv)SubBytes
    /// as a table lookup per byte: LLGC, LLGC from the table, STCY. Guest
    /// byte `g` (row `g % 4`, column `g / 4`) sits at slot byte `15 - g`.
    pub(super) fn aes_round(&mut self, i: usize, encrypt: bool, d: Value, n: Value) {
        let (od, on) = (self.slot(d), self.slot(n));
        self.loc[i] = Loc::Slot;
        let off = self.slot(Value(i as u32));
        let (sbox, inv) = zarm_ir::interp::vec::sboxes();
        let table = if encrypt { sbox } else { inv };
        self.load_imm(SC, table.as_ptr() as u64);
        let b = self.b();
        for half in [0, 8] {
            encode::lg(b, 0, m(15, od + half));
            encode::lg(b, 2, m(15, on + half));
            encode::xgr(b, 0, 2);
            encode::stg(b, 0, m(15, OUT_OFF + half));
        }
        for g in 0..16 {
            let (r, c) = (g % 4, g / 4);
            // ShiftRows: row r rotates left by r; InvShiftRows right.
            let from = if encrypt { (c + r) % 4 } else { (c + 4 - r) % 4 };
            let s = r + 4 * from;
            encode::llgc(b, 2, m(15, OUT_OFF + 15 - s));
            encode::llgc(b, 2, Mem { base: SC, index: 2, disp: 0 });
            encode::stcy(b, 2, m(15, off + 15 - g));
        }
    }

    /// `v` ← xtime of each byte (multiplication by 2 in GF(2^8)); VE holds
    /// 0x1b in every byte, VF is clobbered.
    fn xtime(&mut self, v: u8) {
        let b = self.b();
        encode::vesra(b, VF, v, m(0, 7), 0);
        encode::vn(b, VF, VF, VE);
        encode::vesl(b, v, v, m(0, 1), 0);
        encode::vx(b, v, v, VF);
    }

    /// `dst` ← `src` with each column's bytes rotated: row r takes row
    /// (r + k) % 4 (VPERM of `src` with itself).
    fn rotate_columns(&mut self, dst: u8, src: u8, k: u8) {
        self.vperm(dst, src, src, perm_control(1, 16, |g| (false, (g % 4 + k) % 4 + g / 4 * 4)));
    }

    /// AESMC/AESIMC (vector facility): per column, row r becomes
    /// a_r ^ t ^ xtime(a_r ^ a_(r+1)) with t the column's XOR; the inverse
    /// first applies a_r ^= xtime²(a_r ^ a_(r+2)) (the inverse matrix is
    /// [2 3 1 1]·[5 0 4 0]).
    pub(super) fn aes_mix_columns(&mut self, i: usize, inverse: bool, n: Value) {
        self.vload(VA, n);
        self.load_imm(0, 0x1b1b_1b1b_1b1b_1b1b);
        encode::vlvgp(self.b(), VE, 0, 0);
        if inverse {
            self.rotate_columns(VB, VA, 2);
            encode::vx(self.b(), VB, VA, VB);
            self.xtime(VB);
            self.xtime(VB);
            encode::vx(self.b(), VA, VA, VB);
        }
        // W = a_r ^ a_(r+1); t = W ^ W rotated by two rows.
        self.rotate_columns(VB, VA, 1);
        encode::vx(self.b(), VB, VA, VB);
        self.rotate_columns(VC, VB, 2);
        encode::vx(self.b(), VC, VB, VC);
        self.xtime(VB);
        let b = self.b();
        encode::vx(b, VA, VA, VC);
        encode::vx(b, VA, VA, VB);
        self.vresult(i, VA, true);
    }

    /// MUL of 64-bit lanes (the IR's form of SMULL/UMULL after the
    /// extension): MSG on each doubleword of the slots, general registers
    /// only (base).
    pub(super) fn vector_mul64(&mut self, i: usize, q: bool, a: Value, b: Value) {
        let (oa, ob) = (self.slot(a), self.slot(b));
        self.loc[i] = Loc::Slot;
        let off = self.slot(Value(i as u32));
        let bb = self.b();
        encode::lg(bb, 0, m(15, oa + 8));
        encode::msg(bb, 0, m(15, ob + 8));
        encode::stg(bb, 0, m(15, off + 8));
        if q {
            encode::lg(bb, 0, m(15, oa));
            encode::msg(bb, 0, m(15, ob));
        } else {
            encode::lghi(bb, 0, 0);
        }
        encode::stg(bb, 0, m(15, off));
    }

    /// A reduction across the lanes (`is_reduction`); the result, of the
    /// lane size (twice it for UADDLV/SADDLV), in lane 0, zeros above.
    /// Sums: VSUM (bytes or halfwords into words), then VSUMQ (into the
    /// quadword) — exact, so the result is the sum modulo its width;
    /// SADDLV first sign-extends every lane to twice its width (VUPH/VUPL,
    /// added: the sum modulo 2^(16 × lane bits) is the exact signed sum).
    /// Maximum and minimum: log2(lanes) steps of the element-wise
    /// operation with the register rotated by half the bytes left (VSLDB),
    /// after which every lane holds the result. A 64-bit arrangement sums
    /// with the left doubleword zeroed, takes maxima and minima with the
    /// right one in both halves.
    fn vector_reduce(&mut self, i: usize, op: U, esize: u8, q: bool, a: Value) {
        self.vload(VA, a);
        let e = ecode(esize);
        let b = self.b();
        let result_bytes = match op {
            U::Addv | U::Uaddlv | U::Saddlv => {
                if !q {
                    encode::vleig(b, VA, 0, 0);
                }
                let mut es = esize;
                if op == U::Saddlv {
                    encode::vuph(b, VB, VA, e);
                    encode::vupl(b, VA, VA, e);
                    es = 2 * esize;
                    encode::va(b, VA, VA, VB, ecode(es));
                }
                encode::vgbm(b, VB, 0, 0);
                match es {
                    1 | 2 => {
                        encode::vsum(b, VA, VA, VB, ecode(es));
                        encode::vsumq(b, VA, VA, VB, 2);
                    }
                    _ => encode::vsumq(b, VA, VA, VB, ecode(es)),
                }
                if op == U::Addv { esize } else { 2 * esize }
            }
            _ => {
                if !q {
                    encode::vpdi(b, VA, VA, VA, 5);
                }
                let f = match op {
                    U::Umaxv => encode::vmxl,
                    U::Uminv => encode::vmnl,
                    U::Smaxv => encode::vmx,
                    _ => encode::vmn,
                };
                let mut step = 8;
                while step >= esize {
                    encode::vsldb(b, VB, VA, VA, step);
                    f(b, VA, VA, VB, e);
                    step /= 2;
                }
                esize
            }
        };
        // Lane 0 of the result: the rightmost bytes.
        encode::vgbm(b, VB, (1u16 << result_bytes) - 1, 0);
        encode::vn(b, VA, VA, VB);
        self.vresult(i, VA, true);
    }

    pub(super) fn vector_integer(&mut self, i: usize, op: &Op) {
        match *op {
            Op::VBin { op, esize, q, a, b } if is_permute(op) => self.vector_permute(i, op, esize, q, a, b),
            Op::VBin { op, esize, q, a, b } => {
                self.vload(VA, a);
                self.vload(VB, b);
                let e = ecode(esize);
                let b = self.b();
                match op {
                    _ if add_max_min(op).is_some() => add_max_min(op).unwrap()(b, VA, VA, VB, e),
                    B::Sub => encode::vs(b, VA, VA, VB, e),
                    B::Mul => encode::vml(b, VA, VA, VB, e),
                    B::And => encode::vn(b, VA, VA, VB),
                    B::Orr => encode::vo(b, VA, VA, VB),
                    B::Eor => encode::vx(b, VA, VA, VB),
                    B::Bic => encode::vnc(b, VA, VA, VB),
                    B::Orn => {
                        encode::vno(b, VB, VB, VB);
                        encode::vo(b, VA, VA, VB);
                    }
                    B::CmEq => encode::vceq(b, VA, VA, VB, e),
                    B::CmGt => encode::vch(b, VA, VA, VB, e),
                    B::CmHi => encode::vchl(b, VA, VA, VB, e),
                    // a >= b is not (b > a).
                    B::CmGe => {
                        encode::vch(b, VA, VB, VA, e);
                        encode::vno(b, VA, VA, VA);
                    }
                    B::CmHs => {
                        encode::vchl(b, VA, VB, VA, e);
                        encode::vno(b, VA, VA, VA);
                    }
                    B::CmTst => {
                        encode::vn(b, VA, VA, VB);
                        encode::vgbm(b, VB, 0, 0);
                        encode::vceq(b, VA, VA, VB, e);
                        encode::vno(b, VA, VA, VA);
                    }
                    other => unreachable!("VBin {other:?} is not routed to the vector facility"),
                }
                self.vresult(i, VA, q);
            }
            Op::VUn { op, esize, q, a } if is_reduction(op) => self.vector_reduce(i, op, esize, q, a),
            Op::VUn { op: op @ (U::Fneg | U::Fabs), esize, q, a } => {
                // Sign-bit operations, exact for every input (NaNs too):
                // XOR with, or AND-NOT of, the lanes' sign bits.
                self.vload(VA, a);
                self.load_imm(0, vector_gpr::rep(esize, 1 << (8 * esize as u32 - 1)));
                let b = self.b();
                encode::vlvgp(b, VB, 0, 0);
                if op == U::Fneg {
                    encode::vx(b, VA, VA, VB);
                } else {
                    encode::vnc(b, VA, VA, VB);
                }
                self.vresult(i, VA, q);
            }
            Op::VUn { op, esize, q, a } => {
                self.vload(VA, a);
                let e = ecode(esize);
                let b = self.b();
                if matches!(op, U::CmEq0 | U::CmGt0 | U::CmGe0 | U::CmLe0 | U::CmLt0) {
                    encode::vgbm(b, VB, 0, 0);
                }
                match op {
                    U::Not => encode::vno(b, VA, VA, VA),
                    U::Neg => encode::vlc(b, VA, VA, e),
                    U::Abs => encode::vlp(b, VA, VA, e),
                    U::Clz => encode::vclz(b, VA, VA, e),
                    U::Cnt => encode::vpopct(b, VA, VA, 0),
                    U::CmEq0 => encode::vceq(b, VA, VA, VB, e),
                    U::CmGt0 => encode::vch(b, VA, VA, VB, e),
                    U::CmLt0 => encode::vch(b, VA, VB, VA, e),
                    // a >= 0 is not (0 > a); a <= 0 is not (a > 0).
                    U::CmGe0 => {
                        encode::vch(b, VA, VB, VA, e);
                        encode::vno(b, VA, VA, VA);
                    }
                    U::CmLe0 => {
                        encode::vch(b, VA, VA, VB, e);
                        encode::vno(b, VA, VA, VA);
                    }
                    other => unreachable!("VUn {other:?} is not routed to the vector facility"),
                }
                self.vresult(i, VA, q);
            }
            Op::VShift { op, esize, q, amount, acc, a } => {
                self.vload(VA, a);
                let e = ecode(esize);
                let bits = esize as u32 * 8;
                let amount = amount as u32;
                let b = self.b();
                // The z shifts take the amount modulo the element width; A64
                // right shifts by the full width give 0 (logical) or the sign.
                match op {
                    S::Shl if amount < bits => encode::vesl(b, VA, VA, m(0, amount as i32), e),
                    S::Ushr | S::Usra if amount < bits => encode::vesrl(b, VA, VA, m(0, amount as i32), e),
                    S::Shl | S::Ushr | S::Usra => encode::vgbm(b, VA, 0, 0),
                    S::Sshr | S::Ssra => encode::vesra(b, VA, VA, m(0, amount.min(bits - 1) as i32), e),
                    S::Rol => encode::verll(b, VA, VA, m(0, (amount % bits) as i32), e),
                    other => unreachable!("VShift {other:?} is not routed to the vector facility"),
                }
                if matches!(op, S::Usra | S::Ssra) {
                    self.vload(VB, acc);
                    encode::va(self.b(), VA, VA, VB, e);
                }
                self.vresult(i, VA, q);
            }
            Op::VTern { op, esize, q, d, n, m: mm } => {
                self.vload(VA, d);
                self.vload(VB, n);
                self.vload(VC, mm);
                let e = ecode(esize);
                let b = self.b();
                // VSEL V1,V2,V3,V4 = (V2 & V4) | (V3 & ¬V4); VA = d, VB = n, VC = m.
                match op {
                    T::Bsl => encode::vsel(b, VA, VB, VC, VA),
                    T::Bit => encode::vsel(b, VA, VB, VA, VC),
                    T::Bif => encode::vsel(b, VA, VA, VB, VC),
                    T::Mla => {
                        encode::vml(b, VB, VB, VC, e);
                        encode::va(b, VA, VA, VB, e);
                    }
                    T::Mls => {
                        encode::vml(b, VB, VB, VC, e);
                        encode::vs(b, VA, VA, VB, e);
                    }
                    other => unreachable!("VTern {other:?} is not routed to the vector facility"),
                }
                self.vresult(i, VA, q);
            }
            Op::VExtend { signed, esize, upper, a } => {
                self.vload(VA, a);
                // The guest's low half is the z register's right half.
                let f = match (signed, upper) {
                    (false, false) => encode::vupll,
                    (false, true) => encode::vuplh,
                    (true, false) => encode::vupl,
                    (true, true) => encode::vuph,
                };
                f(self.b(), VA, VA, ecode(esize));
                self.vresult(i, VA, true);
            }
            Op::VPmull { esize, upper, a, b } => {
                self.vload(VA, a);
                self.vload(VB, b);
                let bb = self.b();
                if esize == 1 {
                    // Bytes zero-extended to halfwords: VGFMB's sum of the
                    // two byte products of each halfword is then the one
                    // product. The guest's low half is the z register's
                    // right half.
                    let unpack = if upper { encode::vuplh } else { encode::vupll };
                    unpack(bb, VA, VA, 0);
                    unpack(bb, VB, VB, 0);
                    encode::vgfm(bb, VA, VA, VB, 0);
                } else {
                    // The wanted doubleword (guest lane 0: z element 1) to
                    // element 1, element 0 cleared: VGFMG's XOR of the two
                    // 128-bit products is then the one product.
                    encode::vgbm(bb, VC, 0, 0);
                    let m4 = if upper { 0 } else { 1 };
                    encode::vpdi(bb, VA, VC, VA, m4);
                    encode::vpdi(bb, VB, VC, VB, m4);
                    encode::vgfm(bb, VA, VA, VB, 3);
                }
                self.vresult(i, VA, true);
            }
            Op::VNarrow { op: NarrowOp::Trunc, esize, upper, d, a } => {
                // VPK packs V2's elements into the left half, V3's into the
                // right half (the guest's low half).
                let e = ecode(2 * esize);
                self.vload(VA, a);
                if upper {
                    self.vload(VB, d);
                    let b = self.b();
                    encode::vpk(b, VA, VA, VA, e);
                    // Left doubleword from the packed value, right from d.
                    encode::vpdi(b, VA, VA, VB, 1);
                } else {
                    let b = self.b();
                    encode::vgbm(b, VB, 0, 0);
                    encode::vpk(b, VA, VB, VA, e);
                }
                self.vresult(i, VA, true);
            }
            _ => unreachable!("{} is not a vector integer operation", op.name()),
        }
    }

    /// Loads lane `idx` of `esize` bytes of `v`, zero-extended, into `r`.
    fn load_lane(&mut self, r: u8, v: Value, esize: u8, idx: u8) {
        let mem = match self.loc[v.index()] {
            Loc::CpuVec(reg) => m(R_CPU, cpu_v(reg) + lane_off(esize, idx)),
            _ => m(15, self.slot(v) + lane_off(esize, idx)),
        };
        let b = self.b();
        match esize {
            1 => encode::llgc(b, r, mem),
            2 => encode::llgh(b, r, mem),
            4 => encode::llgf(b, r, mem),
            _ => encode::lg(b, r, mem),
        }
    }

    /// Stores the replication of the low `esize` bytes of r2 into value
    /// `i`'s slot (both halves if `q`, else the high half zero).
    fn dup_from_r2(&mut self, i: usize, esize: u8, q: bool) {
        let rep: u64 = match esize {
            1 => 0x0101_0101_0101_0101,
            2 => 0x0001_0001_0001_0001,
            4 => 0x0000_0001_0000_0001,
            _ => 1,
        };
        if rep != 1 {
            self.load_imm(3, rep);
            encode::msgr(self.b(), 2, 3);
        }
        self.loc[i] = Loc::Slot;
        let off = self.slot(Value(i as u32));
        let b = self.b();
        encode::stg(b, 2, m(15, off + 8));
        if !q {
            encode::lghi(b, 2, 0);
        }
        encode::stg(b, 2, m(15, off));
    }

    pub(super) fn vector_lane(&mut self, i: usize, op: &Op) {
        match *op {
            Op::VExtractLane { esize, idx, v } => {
                let d = self.def(i);
                self.load_lane(d, v, esize, idx);
                self.commit(i, d);
            }
            Op::VInsertLane { esize, idx, v, x } => {
                let rx = self.get(x, SA);
                self.loc[i] = Loc::Slot;
                let off = self.slot(Value(i as u32));
                let from = self.slot(v);
                self.copy16(m(15, off), m(15, from));
                let mem = m(15, off + lane_off(esize, idx));
                let b = self.b();
                match esize {
                    1 => encode::stcy(b, rx, mem),
                    2 => encode::sthy(b, rx, mem),
                    4 => encode::sty(b, rx, mem),
                    _ => encode::stg(b, rx, mem),
                }
            }
            Op::VFromHalves { lo, hi } if self.stored_halves[i] => self.loc[i] = Loc::Halves(lo, hi),
            Op::VFromHalves { lo, hi } => {
                let (lo, hi) = (self.get(lo, SA), self.get(hi, SB));
                self.loc[i] = Loc::Slot;
                let off = self.slot(Value(i as u32));
                let b = self.b();
                encode::stg(b, hi, m(15, off));
                encode::stg(b, lo, m(15, off + 8));
            }
            Op::VDup { esize, q, x } => {
                let rx = self.get(x, SA);
                let b = self.b();
                match esize {
                    1 => encode::llgcr(b, 2, rx),
                    2 => encode::llghr(b, 2, rx),
                    4 => encode::llgfr(b, 2, rx),
                    _ => encode::lgr(b, 2, rx),
                }
                self.dup_from_r2(i, esize, q);
            }
            Op::VDupLane { esize, q, idx, v } => {
                self.load_lane(2, v, esize, idx);
                self.dup_from_r2(i, esize, q);
            }
            _ => unreachable!("{} is not a lane move", op.name()),
        }
    }
}

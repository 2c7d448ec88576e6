//! Scalar floating point on the host's binary floating-point unit (route
//! [`Route::FloatScalar`], base z/Architecture BFP).
//!
//! The host computes the same IEEE results as the guest as long as the
//! rounding mode is round-to-nearest-even, no flush-to-zero or default-NaN
//! mode is on, and no NaN is involved — A64 and z/Architecture choose
//! different NaNs. So each operation is guarded:
//!
//! 1. FPCR bits 22–26 (RMode, FZ, DN, AHP) must be zero, else the helper;
//! 2. after the operation, a NaN result (`LTDBR` condition code 3) takes
//!    the helper, which recomputes from the unchanged inputs;
//! 3. a result of magnitude exactly 2^Emin takes the helper too: A64 detects
//!    tininess before rounding, so such a result may need UFC, which the
//!    host (tininess after rounding) does not raise;
//! 4. conversions to integers take the helper when the host raises
//!    invalid (NaN or out of range: A64 saturates).
//!
//! The host's IEEE flags (cleared in the FPC before the operation) are
//! then ORed into FPSR through a 32-entry table in the `JitContext`.
//! Operations without a guarded lowering call the helper directly; FABS
//! and FNEG are sign-bit operations in general registers.

use super::*;
use zarm_ir::fp::{FpBinOp, FpRounding, FpSize, FpUnOp};

const F0: u8 = 0;
const F2: u8 = 2;
const F4: u8 = 4;
const CPU_FPCR: usize = offset_of!(CpuState, fpcr);
const CPU_FPSR: usize = offset_of!(CpuState, fpsr);

fn sd(size: FpSize) -> bool {
    matches!(size, FpSize::S | FpSize::D)
}

/// Operations with a guarded native lowering (the helper is their slow path).
pub(super) fn has_fast_path(op: &Op) -> bool {
    use FpBinOp::*;
    match *op {
        Op::FpBin { op, size, .. } => sd(size) && matches!(op, Add | Sub | Mul | Div | NMul | Abd | Max | Min | MaxNum | MinNum),
        Op::FpUn { op: FpUnOp::Sqrt, size, .. } => sd(size),
        Op::FpUn { op: FpUnOp::Round { mode, .. }, size, .. } => sd(size) && mode != FpRounding::Odd,
        Op::FpMulAdd { size, .. } | Op::FpCmp { size, .. } => sd(size),
        Op::FpConvert { from, to, .. } => matches!((from, to), (FpSize::S, FpSize::D) | (FpSize::D, FpSize::S)),
        Op::FpToInt { from, mode, fbits, .. } => sd(from) && fbits == 0 && mode != FpRounding::Odd,
        Op::IntToFp { to, fbits, .. } => sd(to) && fbits == 0,
        _ => false,
    }
}

/// FABS/FNEG: sign-bit operations, exact for every input (NaNs included:
/// A64 neither quiets nor signals them).
pub(super) fn is_sign_op(op: &Op) -> bool {
    matches!(op, Op::FpUn { op: FpUnOp::Abs | FpUnOp::Neg, .. })
}

/// The M3 rounding-mode field of the BFP → fixed conversions.
pub(super) fn m3_of(mode: FpRounding) -> u8 {
    match mode {
        FpRounding::Current => 0,
        FpRounding::TieAway => 1,
        FpRounding::TieEven => 4,
        FpRounding::Zero => 5,
        FpRounding::PosInf => 6,
        FpRounding::NegInf => 7,
        FpRounding::Odd => unreachable!("round to odd has no fast path"),
    }
}

impl Emitter<'_> {
    pub(super) fn fp_sign_op(&mut self, i: usize, op: &Op) {
        let Op::FpUn { op: un, size, a } = *op else { unreachable!() };
        self.route(Route::FloatScalar);
        let ra = self.get(a, SA);
        let d = self.def(i);
        let b = self.b();
        // Only the low 16/32 bits of an H/S operand count.
        match size {
            FpSize::H => encode::llghr(b, d, ra),
            FpSize::S => encode::llgfr(b, d, ra),
            FpSize::D => encode::lgr(b, d, ra),
        }
        let sign: u32 = match size {
            FpSize::H => 0x8000,
            FpSize::S => 0x8000_0000,
            FpSize::D => 0,
        };
        match (un, size) {
            (FpUnOp::Neg, FpSize::D) => encode::xihf(b, d, 0x8000_0000),
            (FpUnOp::Abs, FpSize::D) => encode::nihf(b, d, 0x7fff_ffff),
            (FpUnOp::Neg, _) => encode::xilf(b, d, sign),
            _ => encode::nilf(b, d, !sign),
        }
        self.commit(i, d);
    }

    /// `v`'s bits into floating-point register `f` (short values in the
    /// high half, as BFP short operands are); `neg` flips the sign.
    fn load_fp(&mut self, f: u8, v: Value, size: FpSize, neg: bool) {
        let r = self.get(v, SA);
        let b = self.b();
        match size {
            FpSize::S => {
                encode::sllg(b, 0, r, m(0, 32));
                if neg {
                    encode::xihf(b, 0, 0x8000_0000);
                }
                encode::ldgr(b, f, 0);
            }
            _ => {
                if neg {
                    encode::lgr(b, 0, r);
                    encode::xihf(b, 0, 0x8000_0000);
                    encode::ldgr(b, f, 0);
                } else {
                    encode::ldgr(b, f, r);
                }
            }
        }
    }

    /// r2 ← the bits of `f` as a `size` value.
    fn store_fp(&mut self, f: u8, size: FpSize) {
        let b = self.b();
        encode::lgdr(b, 2, f);
        if size == FpSize::S {
            encode::srlg(b, 2, 2, m(0, 32));
        }
    }

    /// Branches to `slow` if `f` holds a NaN.
    fn nan_to_slow(&mut self, f: u8, size: FpSize, slow: Label) {
        if size == FpSize::S {
            encode::ltebr(self.b(), f, f);
        } else {
            encode::ltdbr(self.b(), f, f);
        }
        self.buf.branch(1, slow);
    }

    /// Branches to `slow` if the result in r2 has magnitude 2^Emin (the
    /// smallest normal number), where the tininess rules differ.
    fn boundary_to_slow(&mut self, size: FpSize, slow: Label) {
        let b = self.b();
        if size == FpSize::S {
            encode::risbg(b, 3, 2, 33, 0x80 | 63, 0);
            encode::clfi(b, 3, 0x0080_0000);
        } else {
            encode::risbg(b, 3, 2, 1, 0x80 | 63, 0);
            encode::llihf(b, 0, 0x0010_0000);
            encode::clgr(b, 3, 0);
        }
        self.buf.branch(8, slow);
    }

    /// Guard 1: branches to `slow` unless FPCR.{AHP, DN, FZ, RMode} are all
    /// zero; then clears the FPC (flags, round to nearest even).
    pub(super) fn fpcr_default_or(&mut self, slow: Label) {
        let b = self.b();
        encode::llgf(b, 0, m(R_CPU, CPU_FPCR as i32 + 4));
        encode::tmlh(b, 0, 0x07c0);
        self.buf.branch(7, slow);
        let b = self.b();
        encode::lghi(b, 0, 0);
        encode::sfpc(b, 0);
    }

    /// The host's IEEE flags (FPC bits 8-12) into FPSR (uses r0, r3).
    pub(super) fn fpc_flags_to_fpsr(&mut self) {
        let no_flags = self.buf.new_label();
        let b = self.b();
        encode::efpc(b, 3);
        encode::risbg(b, 3, 3, 59, 0x80 | 63, 45);
        self.buf.branch(8, no_flags);
        let b = self.b();
        encode::llgc(b, 3, Mem { base: R_CTX, index: 3, disp: offset_of!(JitContext, fpc_to_fpsr) as i32 });
        encode::lg(b, 0, m(R_CPU, CPU_FPSR as i32));
        encode::ogr(b, 0, 3);
        encode::stg(b, 0, m(R_CPU, CPU_FPSR as i32));
        self.buf.bind(no_flags);
    }

    /// r2 ← the bits of the maximum (`max`) or minimum of F0 and F2 (of
    /// `size`), to `slow` when either is a NaN (the quiet compare's CC 3).
    /// Without a NaN, FMAX and FMAXNM agree and raise nothing: the greater
    /// operand, and for equal ones the AND of their bits (+0 over -0; for
    /// the minimum the OR: -0). Uses r0 and r3.
    pub(super) fn max_min_bits(&mut self, max: bool, size: FpSize, slow: Label) {
        let b = self.b();
        encode::lgdr(b, 2, F0);
        encode::lgdr(b, 3, F2);
        (if max { encode::ngrk } else { encode::ogrk })(b, 0, 2, 3);
        if size == FpSize::S {
            encode::cebr(b, F0, F2);
        } else {
            encode::cdbr(b, F0, F2);
        }
        self.buf.branch(1, slow);
        let b = self.b();
        // CC 1: a < b, CC 2: a > b, CC 0: equal.
        encode::locgr(b, 2, 3, if max { 4 } else { 2 });
        encode::locgr(b, 2, 0, 8);
        if size == FpSize::S {
            encode::srlg(b, 2, 2, m(0, 32));
        }
    }

    /// `op` on the host BFP unit with the guards of the module comment;
    /// the helper (operation `index`) on the slow path.
    pub(super) fn fp_guarded(&mut self, i: usize, op: &Op, index: usize) {
        self.route(Route::FloatScalar);
        let d = self.def(i);
        let slow = self.buf.new_label();
        let done = self.buf.new_label();
        self.fpcr_default_or(slow);
        match *op {
            Op::FpBin { op: bin @ (FpBinOp::Max | FpBinOp::Min | FpBinOp::MaxNum | FpBinOp::MinNum), size, a, b: bb } => {
                self.load_fp(F0, a, size, false);
                self.load_fp(F2, bb, size, false);
                self.max_min_bits(matches!(bin, FpBinOp::Max | FpBinOp::MaxNum), size, slow);
            }
            Op::FpBin { op: bin, size, a, b: bb } => {
                self.load_fp(F0, a, size, false);
                self.load_fp(F2, bb, size, false);
                let s = size == FpSize::S;
                let b = self.b();
                match bin {
                    FpBinOp::Add if s => encode::aebr(b, F0, F2),
                    FpBinOp::Add => encode::adbr(b, F0, F2),
                    FpBinOp::Sub | FpBinOp::Abd if s => encode::sebr(b, F0, F2),
                    FpBinOp::Sub | FpBinOp::Abd => encode::sdbr(b, F0, F2),
                    FpBinOp::Mul | FpBinOp::NMul if s => encode::meebr(b, F0, F2),
                    FpBinOp::Mul | FpBinOp::NMul => encode::mdbr(b, F0, F2),
                    FpBinOp::Div if s => encode::debr(b, F0, F2),
                    FpBinOp::Div => encode::ddbr(b, F0, F2),
                    other => unreachable!("FpBin {other:?} has no fast path"),
                }
                self.nan_to_slow(F0, size, slow);
                self.store_fp(F0, size);
                self.boundary_to_slow(size, slow);
                // Sign adjustments are exact (and the value is no NaN).
                let b = self.b();
                match (bin, s) {
                    (FpBinOp::NMul, true) => encode::xilf(b, 2, 0x8000_0000),
                    (FpBinOp::NMul, false) => encode::xihf(b, 2, 0x8000_0000),
                    (FpBinOp::Abd, true) => encode::nilf(b, 2, 0x7fff_ffff),
                    (FpBinOp::Abd, false) => encode::nihf(b, 2, 0x7fff_ffff),
                    _ => {}
                }
            }
            Op::FpUn { op: FpUnOp::Sqrt, size, a } => {
                self.load_fp(F0, a, size, false);
                if size == FpSize::S {
                    encode::sqebr(self.b(), F0, F0);
                } else {
                    encode::sqdbr(self.b(), F0, F0);
                }
                // No square root is tiny: only NaN needs the slow path.
                self.nan_to_slow(F0, size, slow);
                self.store_fp(F0, size);
            }
            Op::FpUn { op: FpUnOp::Round { mode, exact }, size, a } => {
                // FRINTX reports inexact; the others suppress it (M4 XxC).
                // Nothing else but a NaN (the helper) can raise a flag.
                self.load_fp(F0, a, size, false);
                let m4 = if exact { 0 } else { 4 };
                (if size == FpSize::S { encode::fiebra } else { encode::fidbra })(self.b(), F0, m3_of(mode), F0, m4);
                self.nan_to_slow(F0, size, slow);
                self.store_fp(F0, size);
            }
            Op::FpMulAdd { size, neg_product, neg_addend, addend, a, b: bb } => {
                // (±addend) + (±a)·b, fused: negating an input is exact, so
                // every form is one MADBR and zero signs come out right.
                self.load_fp(F0, addend, size, neg_addend);
                self.load_fp(F2, a, size, neg_product);
                self.load_fp(F4, bb, size, false);
                if size == FpSize::S {
                    encode::maebr(self.b(), F0, F2, F4);
                } else {
                    encode::madbr(self.b(), F0, F2, F4);
                }
                self.nan_to_slow(F0, size, slow);
                self.store_fp(F0, size);
                self.boundary_to_slow(size, slow);
            }
            Op::FpCmp { size, signaling, a, b: bb } => {
                self.load_fp(F0, a, size, false);
                self.load_fp(F2, bb, size, false);
                let b = self.b();
                match (size == FpSize::S, signaling) {
                    (true, false) => encode::cebr(b, F0, F2),
                    (true, true) => encode::kebr(b, F0, F2),
                    (false, false) => encode::cdbr(b, F0, F2),
                    (false, true) => encode::kdbr(b, F0, F2),
                }
                // CC 0 equal, 1 low, 2 high, 3 unordered → NZCV 0110, 1000,
                // 0010, 0011: nibble CC of 0x3286.
                encode::ipm(b, 3);
                encode::risbg(b, 3, 3, 62, 0x80 | 63, 36);
                encode::sllg(b, 3, 3, m(0, 2));
                encode::lghi(b, 0, 0x3286);
                encode::srlg(b, 0, 0, m(3, 0));
                encode::risbg(b, 2, 0, 60, 0x80 | 63, 0);
                encode::sllg(b, 2, 2, m(0, 28));
            }
            Op::FpConvert { from, to, a } => {
                self.load_fp(F0, a, from, false);
                // A NaN input takes the slow path (payload rules differ).
                self.nan_to_slow(F0, from, slow);
                if to == FpSize::D {
                    encode::ldebr(self.b(), F0, F0);
                    self.store_fp(F0, to);
                } else {
                    encode::ledbr(self.b(), F0, F0);
                    self.store_fp(F0, to);
                    self.boundary_to_slow(to, slow);
                }
            }
            Op::FpToInt { from, w, signed, mode, a, .. } => {
                self.load_fp(F0, a, from, false);
                let m3 = m3_of(mode);
                let b = self.b();
                let f = match (from == FpSize::S, w == Width::W64, signed) {
                    (false, true, true) => encode::cgdbr,
                    (false, false, true) => encode::cfdbr,
                    (true, true, true) => encode::cgebr,
                    (true, false, true) => encode::cfebr,
                    (false, true, false) => encode::clgdbr,
                    (false, false, false) => encode::clfdbr,
                    (true, true, false) => encode::clgebr,
                    (true, false, false) => encode::clfebr,
                };
                f(b, 2, m3, F0);
                if w == Width::W32 {
                    encode::llgfr(b, 2, 2);
                }
                // Invalid (NaN, out of range): A64 saturates; the helper knows how.
                encode::efpc(b, 3);
                encode::tmlh(b, 3, 0x0080);
                self.buf.branch(7, slow);
            }
            Op::IntToFp { to, w, signed, a, .. } => {
                let r = self.get(a, SA);
                let b = self.b();
                let f = match (to == FpSize::S, w == Width::W64, signed) {
                    (false, true, true) => encode::cdgbr,
                    (false, false, true) => encode::cdfbr,
                    (true, true, true) => encode::cegbr,
                    (true, false, true) => encode::cefbr,
                    (false, true, false) => encode::cdlgbr,
                    (false, false, false) => encode::cdlfbr,
                    (true, true, false) => encode::celgbr,
                    (true, false, false) => encode::celfbr,
                };
                f(b, F0, r);
                self.store_fp(F0, to);
            }
            _ => unreachable!("{} has no guarded FP lowering", op.name()),
        }
        self.fpc_flags_to_fpsr();
        encode::lgr(self.b(), d, 2);
        self.buf.branch(15, done);
        self.buf.bind(slow);
        self.helper_invoke(op, index);
        encode::lg(self.b(), d, m(15, OUT_OFF + 8));
        self.buf.bind(done);
        self.commit(i, d);
    }

    /// r2 (a lane's bits: a word if `s`) into the lane at byte `off` of
    /// the OUT_OFF scratch.
    fn store_lane_r2(&mut self, s: bool, off: i32) {
        if s {
            encode::sty(self.b(), 2, m(15, OUT_OFF + off));
        } else {
            encode::stg(self.b(), 2, m(15, OUT_OFF + off));
        }
    }

    /// The bits of the `size` lane at frame offset `off` into
    /// floating-point register `f` (`neg`: sign flipped).
    fn lane_to_fpr(&mut self, f: u8, off: i32, size: FpSize, neg: bool) {
        let b = self.b();
        if size == FpSize::S {
            encode::llgf(b, 0, m(15, off));
            encode::sllg(b, 0, 0, m(0, 32));
        } else {
            encode::lg(b, 0, m(15, off));
        }
        if neg {
            encode::xihf(b, 0, 0x8000_0000);
        }
        encode::ldgr(b, f, 0);
    }

    /// AdvSIMD FADD/FSUB/FMUL/FDIV/FMLA/FMLS and SCVTF/UCVTF (the 128-bit
    /// arrangements of `vector::fp_route`) lane by lane on the BFP unit, where the vector
    /// route is not allowed: every lane behind the scalar guards, its
    /// result collected at `OUT_OFF` and the whole value copied to the
    /// result slot only when every lane passed; otherwise the helper
    /// (operation `index`) recomputes it from the unchanged inputs.
    pub(super) fn vfp_lanes_guarded(&mut self, i: usize, op: &Op, index: usize) {
        use zarm_ir::vector::{VecBinOp as B, VecTernOp as T, VecUnOp as U};
        let compare = super::vector::fp_compare(op);
        // 128-bit arrangements only (`fp_route`).
        let esize = match *op {
            Op::VBin { esize, q: true, .. } | Op::VTern { esize, q: true, .. } | Op::VUn { esize, q: true, .. } => esize,
            _ => unreachable!("{} has no lane-wise FP lowering", op.name()),
        };
        let size = if esize == 8 { FpSize::D } else { FpSize::S };
        let s = size == FpSize::S;
        let lanes = 16 / esize as i32;
        let (slow, done) = (self.buf.new_label(), self.buf.new_label());
        self.fpcr_default_or(slow);
        for lane in 0..lanes {
            // Lane `lane` sits at slot byte 16 - (lane + 1) * esize.
            let off = 16 - (lane + 1) * esize as i32;
            if let Some((a, b, cmp)) = compare {
                // CDBR/CEBR (quiet; no exception without NaNs): unordered
                // takes the helper, else the lane is all ones where the
                // relation holds (CC 0 equal, 1 low, 2 high).
                let oa = self.slot(a);
                self.lane_to_fpr(F0, oa + off, size, false);
                match b {
                    Some(b) => {
                        let ob = self.slot(b);
                        self.lane_to_fpr(F2, ob + off, size, false);
                        if super::vector::fp_compare_abs(op) {
                            // FACGE/FACGT: magnitudes (the sign bits
                            // cleared in general registers: exact).
                            for f in [F0, F2] {
                                let bb = self.b();
                                encode::lgdr(bb, 0, f);
                                encode::nihf(bb, 0, 0x7fff_ffff);
                                encode::ldgr(bb, f, 0);
                            }
                        }
                    }
                    None => {
                        encode::lghi(self.b(), 0, 0);
                        encode::ldgr(self.b(), F2, 0);
                    }
                }
                (if s { encode::cebr } else { encode::cdbr })(self.b(), F0, F2);
                self.buf.branch(1, slow);
                use super::vector::FpCompare as C;
                let mask = match cmp {
                    C::Eq => 8,
                    C::Gt => 2,
                    C::Ge => 10,
                    C::Lt => 4,
                    C::Le => 12,
                };
                let bb = self.b();
                encode::lghi(bb, 2, 0);
                encode::lghi(bb, 3, -1);
                encode::locgr(bb, 2, 3, mask);
                self.store_lane_r2(s, off);
                continue;
            }
            // A pairwise operation's lane combines lanes 2r and 2r+1 of a's
            // lanes followed by b's: its operands' slot offsets.
            let pair = match *op {
                Op::VBin { op: bop, a, b, .. } => super::vector::fp_pairwise(bop).map(|elem| {
                    let half = lanes / 2;
                    let (src, k) = if lane < half { (a, 2 * lane) } else { (b, 2 * (lane - half)) };
                    let os = self.slot(src);
                    (elem, os + 16 - (k + 1) * esize as i32, os + 16 - (k + 2) * esize as i32)
                }),
                _ => None,
            };
            // Maxima and minima, element-wise or pairwise: as the scalar
            // FMAX/FMIN (`max_min_bits`); a NaN lane takes the helper.
            let max_min = match (op, pair) {
                (_, Some(p)) => Some(p),
                (&Op::VBin { op: bop, a, b, .. }, None) => Some((bop, self.slot(a) + off, self.slot(b) + off)),
                _ => None,
            }
            .filter(|(elem, ..)| matches!(elem, B::Fmax | B::Fmin | B::Fmaxnm | B::Fminnm));
            if let Some((elem, o1, o2)) = max_min {
                self.lane_to_fpr(F0, o1, size, false);
                self.lane_to_fpr(F2, o2, size, false);
                self.max_min_bits(matches!(elem, B::Fmax | B::Fmaxnm), size, slow);
                self.store_lane_r2(s, off);
                continue;
            }
            if let Some((_, o1, o2)) = pair {
                // FADDP.
                self.lane_to_fpr(F0, o1, size, false);
                self.lane_to_fpr(F2, o2, size, false);
                (if s { encode::aebr } else { encode::adbr })(self.b(), F0, F2);
            }
            match *op {
                _ if pair.is_some() => {}
                Op::VBin { op: bop, a, b, .. } => {
                    let (oa, ob) = (self.slot(a), self.slot(b));
                    self.lane_to_fpr(F0, oa + off, size, false);
                    self.lane_to_fpr(F2, ob + off, size, false);
                    let bb = self.b();
                    match (bop, s) {
                        (B::Fadd, true) => encode::aebr(bb, F0, F2),
                        (B::Fadd, false) => encode::adbr(bb, F0, F2),
                        (B::Fsub | B::Fabd, true) => encode::sebr(bb, F0, F2),
                        (B::Fsub | B::Fabd, false) => encode::sdbr(bb, F0, F2),
                        (B::Fmul, true) => encode::meebr(bb, F0, F2),
                        (B::Fmul, false) => encode::mdbr(bb, F0, F2),
                        (B::Fdiv, true) => encode::debr(bb, F0, F2),
                        (B::Fdiv, false) => encode::ddbr(bb, F0, F2),
                        (other, _) => unreachable!("VBin {other:?} has no lane-wise FP lowering"),
                    }
                }
                Op::VTern { op: top, d, n, m: mm, .. } => {
                    // d ± n·m, fused (FMLS negates n: exact).
                    let (od, on, om) = (self.slot(d), self.slot(n), self.slot(mm));
                    self.lane_to_fpr(F0, od + off, size, false);
                    self.lane_to_fpr(F2, on + off, size, top == T::Fmls);
                    self.lane_to_fpr(F4, om + off, size, false);
                    if s {
                        encode::maebr(self.b(), F0, F2, F4);
                    } else {
                        encode::madbr(self.b(), F0, F2, F4);
                    }
                }
                Op::VUn { op: U::IntToFcvt { signed, .. }, a, .. } => {
                    // SCVTF/UCVTF of doublewords or words (`fp_route`).
                    let oa = self.slot(a);
                    let bb = self.b();
                    if s {
                        encode::llgf(bb, 0, m(15, oa + off));
                        (if signed { encode::cefbr } else { encode::celfbr })(bb, F0, 0);
                    } else {
                        encode::lg(bb, 0, m(15, oa + off));
                        (if signed { encode::cdgbr } else { encode::cdlgbr })(bb, F0, 0);
                    }
                }
                Op::VUn { op: U::FcvtToInt { signed, mode, .. }, a, .. } => {
                    // FCVT*S/FCVT*U of doublewords or words; an invalid
                    // lane (the FPC flag, checked after the last) takes
                    // the helper.
                    let oa = self.slot(a);
                    self.lane_to_fpr(F0, oa + off, size, false);
                    let f = match (s, signed) {
                        (false, true) => encode::cgdbr,
                        (false, false) => encode::clgdbr,
                        (true, true) => encode::cfebr,
                        (true, false) => encode::clfebr,
                    };
                    f(self.b(), 2, m3_of(mode), F0);
                    self.store_lane_r2(s, off);
                    if lane == lanes - 1 {
                        let bb = self.b();
                        encode::efpc(bb, 3);
                        encode::tmlh(bb, 3, 0x0080);
                        self.buf.branch(7, slow);
                    }
                    continue;
                }
                Op::VUn { op: U::Fsqrt, a, .. } => {
                    let oa = self.slot(a);
                    self.lane_to_fpr(F0, oa + off, size, false);
                    (if s { encode::sqebr } else { encode::sqdbr })(self.b(), F0, F0);
                }
                Op::VUn { op: U::Frint { mode, exact }, a, .. } => {
                    let oa = self.slot(a);
                    self.lane_to_fpr(F0, oa + off, size, false);
                    (if s { encode::fiebra } else { encode::fidbra })(self.b(), F0, m3_of(mode), F0, if exact { 0 } else { 4 });
                }
                _ => unreachable!(),
            }
            self.nan_to_slow(F0, size, slow);
            self.store_fp(F0, size);
            self.boundary_to_slow(size, slow);
            let bb = self.b();
            if matches!(op, Op::VBin { op: B::Fabd, .. }) {
                // FABD: |a - b| (r2 holds the lane's bits).
                if s {
                    encode::nilf(bb, 2, 0x7fff_ffff);
                } else {
                    encode::nihf(bb, 2, 0x7fff_ffff);
                }
            }
            self.store_lane_r2(s, off);
        }
        self.fpc_flags_to_fpsr();
        self.buf.branch(15, done);
        self.buf.bind(slow);
        self.helper_invoke(op, index);
        self.buf.bind(done);
        self.loc[i] = Loc::Slot;
        let off = self.slot(Value(i as u32));
        self.copy16(m(15, off), m(15, OUT_OFF));
    }
}

//! AdvSIMD integer operations in general registers, for hosts without the
//! vector facility and for `--assist=none` (the fallback of
//! [`Route::VectorInteger`] for the operations listed by [`is_swar`];
//! the others call the helper). Each 64-bit half of a 128-bit value is one
//! doubleword of its slot (the guest's low half at +8, see `vector.rs`),
//! and its lanes are fields of one register: bitwise operations need
//! nothing more; sums, differences, shifts, comparisons for equality,
//! maxima and minima keep carries and bits from crossing lanes with masks (SIMD within a register, as QEMU's TCG
//! expands vector operations on hosts without vectors). A 64-bit
//! arrangement computes the low half and zeroes the high one.
//!
//! Registers: r0–r3 and SA, SB, SC (every operand is in a frame slot).
//! In a sum or difference of lanes narrower than 64 bits, SA holds H (the
//! top bit of every lane) and SB its complement.

use super::*;
use zarm_ir::vector::{NarrowOp, VecBinOp as B, VecShiftOp as S, VecTernOp as T, VecUnOp as U};

/// Does `op` have a lowering here?
pub(super) fn is_swar(op: &Op) -> bool {
    match op {
        Op::VBin { op, esize, .. } => {
            matches!(op, B::And | B::Orr | B::Eor | B::Bic | B::Orn | B::Add | B::Sub | B::CmEq | B::CmTst)
                || matches!(op, B::Umax | B::Umin | B::Smax | B::Smin | B::CmHi | B::CmHs | B::CmGt | B::CmGe)
                || is_unzip_or_pairwise(*op)
                || (*op == B::Mul && *esize <= 4)
        }
        Op::VTern { op, esize, .. } => matches!(op, T::Bsl | T::Bit | T::Bif) || (matches!(op, T::Mla | T::Mls) && *esize <= 4),
        Op::VUn { op, esize, .. } => matches!(op, U::Not | U::Neg | U::CmEq0) || (matches!(op, U::Fneg | U::Fabs) && *esize >= 2),
        Op::VShift { op, esize, .. } => matches!(op, S::Shl | S::Ushr | S::Sshr | S::Usra | S::Ssra) || (*op == S::Rol && *esize == 8),
        Op::VExtend { .. } | Op::VNarrow { op: NarrowOp::Trunc, .. } => true,
        _ => false,
    }
}

/// UZP1/UZP2 and the integer pairwise operations: lane `i` of a pairwise
/// operation combines lanes `i` of UZP1 and UZP2 of the same operands.
fn is_unzip_or_pairwise(op: B) -> bool {
    matches!(op, B::Uzp1 | B::Uzp2 | B::Addp | B::Umaxp | B::Uminp | B::Smaxp | B::Sminp)
}

/// `v` (one lane's bits) in every lane of `esize` bytes of a doubleword.
pub(super) fn rep(esize: u8, v: u64) -> u64 {
    let bits = 8 * esize as u32;
    (0..64 / bits).fold(0, |r, k| r | v << (k * bits))
}

/// The lane mask of `esize` bytes.
fn lane_mask(esize: u8) -> u64 {
    if esize == 8 { u64::MAX } else { (1u64 << (8 * esize)) - 1 }
}

/// The slot offsets of the halves an arrangement computes: the low half
/// (+8) only for a 64-bit one.
fn halves(q: bool) -> &'static [i32] {
    if q { &[0, 8] } else { &[8] }
}

impl Emitter<'_> {
    /// SA ← H (the top bit of every lane), SB ← its complement, for
    /// `add_lanes`/`sub_lanes` of lanes narrower than 64 bits.
    fn lane_sign_masks(&mut self, esize: u8) {
        if esize < 8 {
            let h = rep(esize, 1 << (8 * esize - 1));
            self.load_imm(SA, h);
            self.load_imm(SB, !h);
        }
    }

    /// r0 ← r0 + r1 in lanes of `esize` bytes (r1, r2 clobbered): the
    /// lanes' low bits added with their top bits cleared (no carry leaves
    /// a lane), the top bits then the XOR of the operands' and that carry.
    fn add_lanes(&mut self, esize: u8) {
        let bb = self.b();
        if esize == 8 {
            encode::agr(bb, 0, 1);
            return;
        }
        encode::xgrk(bb, 2, 0, 1);
        encode::ngr(bb, 2, SA);
        encode::ngr(bb, 0, SB);
        encode::ngr(bb, 1, SB);
        encode::agr(bb, 0, 1);
        encode::xgr(bb, 0, 2);
    }

    /// r0 ← r0 − r1 in lanes of `esize` bytes (r1, r2 clobbered): the top
    /// bits of r0 set so that no borrow leaves a lane, those of r1
    /// cleared; the top bits then ¬(a ⊕ b) ⊕ the borrow.
    fn sub_lanes(&mut self, esize: u8) {
        let bb = self.b();
        if esize == 8 {
            encode::sgr(bb, 0, 1);
            return;
        }
        encode::xgrk(bb, 2, 0, 1);
        encode::ngr(bb, 2, SA);
        encode::xgr(bb, 2, SA);
        encode::ogr(bb, 0, SA);
        encode::ngr(bb, 1, SB);
        encode::sgr(bb, 0, 1);
        encode::xgr(bb, 0, 2);
    }

    /// r0 ← all ones in every lane of r0 that is zero, zeros elsewhere
    /// (r1, r2 clobbered; lanes narrower than 64 bits use SA, SB): a
    /// lane's top bit of ((x & L) + L) | x is set iff the lane is not
    /// zero (no carry leaves a lane); z = H & ¬that marks the zero lanes,
    /// (z − (z >> (bits − 1))) | z fills them.
    fn zero_lanes(&mut self, esize: u8) {
        let bb = self.b();
        if esize == 8 {
            // The top bit of ¬x & (x − 1) is set iff x is zero; SRAG
            // spreads it.
            encode::lghi(bb, 1, -1);
            encode::agrk(bb, 2, 0, 1);
            encode::xgr(bb, 0, 1);
            encode::ngr(bb, 0, 2);
            encode::srag(bb, 0, 0, m(0, 63));
            return;
        }
        encode::ngrk(bb, 1, 0, SB);
        encode::agr(bb, 1, SB);
        encode::ogr(bb, 1, 0);
        encode::xgrk(bb, 2, 1, SA);
        encode::ngr(bb, 2, SA);
        encode::srlg(bb, 1, 2, m(0, 8 * esize as i32 - 1));
        encode::sgrk(bb, 0, 2, 1);
        encode::ogr(bb, 0, 2);
    }

    /// The result slot of operation `i`, its high half zeroed for a 64-bit
    /// arrangement.
    fn swar_result(&mut self, i: usize, q: bool) -> i32 {
        self.loc[i] = Loc::Slot;
        let od = self.slot(Value(i as u32));
        if !q {
            encode::mvghi(self.b(), m(15, od), 0);
        }
        od
    }

    /// `r` ← its even lanes (odd ones with `odd`) of `esize` bytes packed
    /// into its low word (r3 clobbered): the other lanes masked off, then
    /// halves of the gaps closed by shifts.
    fn pack_lanes(&mut self, r: u8, esize: u8, odd: bool) {
        if odd {
            encode::srlg(self.b(), r, r, m(0, 8 * esize as i32));
        }
        let steps: &[(u64, i32)] = match esize {
            1 => &[(0x00ff_00ff_00ff_00ff, 8), (0x0000_ffff_0000_ffff, 16)],
            2 => &[(0x0000_ffff_0000_ffff, 16)],
            _ => &[],
        };
        for &(mask, shift) in steps {
            self.load_imm(3, mask);
            let bb = self.b();
            encode::ngr(bb, r, 3);
            encode::srlg(bb, 3, r, m(0, shift));
            encode::ogr(bb, r, 3);
        }
        encode::llgfr(self.b(), r, r);
    }

    /// `dst` (not r2, r3) ← the even (odd) lanes of the doubleword at frame
    /// offset `lo` packed into its low word, those of the one at `hi` into
    /// its high word; doubleword lanes: the doubleword at `lo` (`hi`).
    fn unzip_half(&mut self, dst: u8, lo: i32, hi: i32, esize: u8, odd: bool) {
        if esize == 8 {
            encode::lg(self.b(), dst, m(15, if odd { hi } else { lo }));
            return;
        }
        encode::lg(self.b(), dst, m(15, lo));
        self.pack_lanes(dst, esize, odd);
        encode::lg(self.b(), 2, m(15, hi));
        self.pack_lanes(2, esize, odd);
        let bb = self.b();
        encode::sllg(bb, 2, 2, m(0, 32));
        encode::ogr(bb, dst, 2);
    }

    /// r0 ← all ones in the lanes where r0 (a) < r1 (b), unsigned or
    /// signed, lanes narrower than 64 bits (SA, SB the lane masks; r1, r2
    /// clobbered): a < b where a − b borrows out of the lane's top bit,
    /// ((¬a ∧ b) ∨ (¬(a ⊕ b) ∧ d)) at the top bits, d the lane-wise
    /// difference; signed lanes compare with their top bits flipped. SC and
    /// r3 are left as a and b (flipped for signed lanes).
    fn less_lanes(&mut self, esize: u8, signed: bool) {
        let bb = self.b();
        if signed {
            encode::xgr(bb, 0, SA);
            encode::xgr(bb, 1, SA);
        }
        encode::lgr(bb, SC, 0);
        encode::lgr(bb, 3, 1);
        self.sub_lanes(esize);
        let bb = self.b();
        // r2 ← (¬a ∧ b) ∨ ((¬a ∨ b) ∧ d), the same at the top bits.
        encode::lghi(bb, 1, -1);
        encode::xgrk(bb, 1, SC, 1);
        encode::ngrk(bb, 2, 1, 3);
        encode::ogr(bb, 1, 3);
        encode::ngr(bb, 1, 0);
        encode::ogr(bb, 2, 1);
        encode::ngr(bb, 2, SA);
        // The top bits filled to whole lanes.
        encode::srlg(bb, 1, 2, m(0, 8 * esize as i32 - 1));
        encode::sgrk(bb, 0, 2, 1);
        encode::ogr(bb, 0, 2);
    }

    /// r0 ← the lane-wise maximum or minimum of r0 and r1 (r1–r3, SC
    /// clobbered; SA, SB the lane masks): the lanes where a < b select.
    fn max_min_lanes(&mut self, esize: u8, signed: bool, max: bool) {
        if esize == 8 {
            let bb = self.b();
            (if signed { encode::cgr } else { encode::clgr })(bb, 0, 1);
            // Replace a by b when a is low (CC 1) for a maximum, high (CC 2)
            // for a minimum.
            encode::locgr(bb, 0, 1, if max { 4 } else { 2 });
            return;
        }
        self.less_lanes(esize, signed);
        let bb = self.b();
        // x = (a ⊕ b) ∧ mask: the minimum is b ⊕ x, the maximum a ⊕ x.
        encode::xgrk(bb, 1, SC, 3);
        encode::ngr(bb, 1, 0);
        encode::xgrk(bb, 0, if max { SC } else { 3 }, 1);
        if signed {
            encode::xgr(bb, 0, SA);
        }
    }

    /// r0 ← CMHI/CMHS/CMGT/CMGE of r0 (a) and r1 (b) lane by lane (r1–r3,
    /// SC clobbered): a > b is b < a, a ≥ b is ¬(a < b).
    fn compare_lanes(&mut self, op: B, esize: u8) {
        let signed = matches!(op, B::CmGt | B::CmGe);
        let greater = matches!(op, B::CmHi | B::CmGt);
        if esize == 8 {
            let bb = self.b();
            (if signed { encode::cgr } else { encode::clgr })(bb, 0, 1);
            encode::lghi(bb, 0, 0);
            encode::lghi(bb, 2, -1);
            // CC 2: a high; CC 0: equal.
            encode::locgr(bb, 0, 2, if greater { 2 } else { 10 });
            return;
        }
        if greater {
            let bb = self.b();
            encode::lgr(bb, 2, 0);
            encode::lgr(bb, 0, 1);
            encode::lgr(bb, 1, 2);
        }
        self.less_lanes(esize, signed);
        if !greater {
            let bb = self.b();
            encode::lghi(bb, 1, -1);
            encode::xgr(bb, 0, 1);
        }
    }

    /// UZP1/UZP2, ADDP and UMAXP/UMINP/SMAXP/SMINP: each result half from
    /// one operand's two halves (a's for the low half, b's for the high);
    /// a 64-bit arrangement takes its low half from the low halves of a
    /// and b.
    fn unzip_pairwise_swar(&mut self, i: usize, op: B, esize: u8, q: bool, a: Value, b: Value) {
        let (oa, ob) = (self.slot(a), self.slot(b));
        if !matches!(op, B::Uzp1 | B::Uzp2) {
            self.lane_sign_masks(esize);
        }
        let od = self.swar_result(i, q);
        let sources: &[(i32, i32, i32)] = if q { &[(8, oa + 8, oa), (0, ob + 8, ob)] } else { &[(8, oa + 8, ob + 8)] };
        for &(h, lo, hi) in sources {
            match op {
                B::Uzp1 | B::Uzp2 => self.unzip_half(0, lo, hi, esize, op == B::Uzp2),
                _ => {
                    self.unzip_half(0, lo, hi, esize, false);
                    self.unzip_half(1, lo, hi, esize, true);
                    if op == B::Addp {
                        self.add_lanes(esize);
                    } else {
                        self.max_min_lanes(esize, matches!(op, B::Smaxp | B::Sminp), matches!(op, B::Umaxp | B::Smaxp));
                    }
                }
            }
            encode::stg(self.b(), 0, m(15, od + h));
        }
    }

    pub(super) fn vector_swar(&mut self, i: usize, op: &Op) {
        match *op {
            Op::VBin { op, esize, q, a, b } if is_unzip_or_pairwise(op) => self.unzip_pairwise_swar(i, op, esize, q, a, b),
            Op::VBin { op: B::Mul, esize, q, a, b } => self.mul_lanes_gpr(i, None, esize, q, a, b),
            Op::VTern { op: T::Mla, esize, q, d, n, m } => self.mul_lanes_gpr(i, Some((d, false)), esize, q, n, m),
            Op::VTern { op: T::Mls, esize, q, d, n, m } => self.mul_lanes_gpr(i, Some((d, true)), esize, q, n, m),
            Op::VTern { op, q, d, n, m: mm, .. } => {
                // Bitwise selects, each as x ^ ((y ^ x) & mask):
                // BSL: m ^ ((n ^ m) & d); BIT: d ^ ((n ^ d) & m);
                // BIF: d ^ ((n ^ d) & ~m), i.e. n ^ ((d ^ n) & m).
                let (od_, on, om) = (self.slot(d), self.slot(n), self.slot(mm));
                let (x, y, mask) = match op {
                    T::Bsl => (om, on, od_),
                    T::Bit => (od_, on, om),
                    T::Bif => (on, od_, om),
                    other => unreachable!("VTern {other:?} has no lowering in general registers"),
                };
                let od = self.swar_result(i, q);
                for &h in halves(q) {
                    let bb = self.b();
                    encode::lg(bb, 0, m(15, x + h));
                    encode::lg(bb, 1, m(15, y + h));
                    encode::lg(bb, 2, m(15, mask + h));
                    encode::xgr(bb, 1, 0);
                    encode::ngr(bb, 1, 2);
                    encode::xgr(bb, 0, 1);
                    encode::stg(bb, 0, m(15, od + h));
                }
            }
            Op::VBin { op, esize, q, a, b } => {
                let (oa, ob) = (self.slot(a), self.slot(b));
                if !matches!(op, B::And | B::Orr | B::Eor | B::Bic | B::Orn) {
                    self.lane_sign_masks(esize);
                } else if matches!(op, B::Bic | B::Orn) {
                    encode::lghi(self.b(), 3, -1);
                }
                let od = self.swar_result(i, q);
                for &h in halves(q) {
                    let bb = self.b();
                    encode::lg(bb, 0, m(15, oa + h));
                    encode::lg(bb, 1, m(15, ob + h));
                    match op {
                        B::And => encode::ngr(bb, 0, 1),
                        B::Orr => encode::ogr(bb, 0, 1),
                        B::Eor => encode::xgr(bb, 0, 1),
                        B::Bic => {
                            encode::xgr(bb, 1, 3);
                            encode::ngr(bb, 0, 1);
                        }
                        B::Orn => {
                            encode::xgr(bb, 1, 3);
                            encode::ogr(bb, 0, 1);
                        }
                        B::Add => self.add_lanes(esize),
                        B::Umax | B::Umin | B::Smax | B::Smin => {
                            self.max_min_lanes(esize, matches!(op, B::Smax | B::Smin), matches!(op, B::Umax | B::Smax))
                        }
                        B::CmHi | B::CmHs | B::CmGt | B::CmGe => self.compare_lanes(op, esize),
                        B::Sub => self.sub_lanes(esize),
                        B::CmEq => {
                            encode::xgr(bb, 0, 1);
                            self.zero_lanes(esize);
                        }
                        // Lanes whose AND is not zero: the zero lanes'
                        // complement.
                        B::CmTst => {
                            encode::ngr(bb, 0, 1);
                            self.zero_lanes(esize);
                            let bb = self.b();
                            encode::lghi(bb, 1, -1);
                            encode::xgr(bb, 0, 1);
                        }
                        other => unreachable!("VBin {other:?} has no lowering in general registers"),
                    }
                    encode::stg(self.b(), 0, m(15, od + h));
                }
            }
            Op::VUn { op, esize, q, a } => {
                let oa = self.slot(a);
                match op {
                    U::Neg | U::CmEq0 => self.lane_sign_masks(esize),
                    // FNEG/FABS: the lanes' sign bits (FABS: all others).
                    U::Fneg => self.load_imm(3, rep(esize, 1 << (8 * esize as u32 - 1))),
                    U::Fabs => self.load_imm(3, !rep(esize, 1 << (8 * esize as u32 - 1))),
                    _ => encode::lghi(self.b(), 3, -1),
                }
                let od = self.swar_result(i, q);
                for &h in halves(q) {
                    let bb = self.b();
                    if op == U::Neg {
                        encode::lghi(bb, 0, 0);
                        encode::lg(bb, 1, m(15, oa + h));
                        self.sub_lanes(esize);
                    } else if op == U::CmEq0 {
                        encode::lg(bb, 0, m(15, oa + h));
                        self.zero_lanes(esize);
                    } else if op == U::Fabs {
                        encode::lg(bb, 0, m(15, oa + h));
                        encode::ngr(bb, 0, 3);
                    } else {
                        // NOT and FNEG: XOR with all ones or the sign bits.
                        encode::lg(bb, 0, m(15, oa + h));
                        encode::xgr(bb, 0, 3);
                    }
                    encode::stg(self.b(), 0, m(15, od + h));
                }
            }
            Op::VShift { op, esize, q, amount, acc, a } => self.shift_swar(i, op, esize, q, amount, acc, a),
            Op::VExtend { signed, esize, upper, a } => self.extend_swar(i, signed, esize, upper, a),
            Op::VNarrow { op: NarrowOp::Trunc, esize, upper, d, a } => {
                // XTN(2): the low halves of a's lanes are its even lanes of
                // the narrow size, packed; into d's high half (its low
                // half kept) or the low half (the high one zeroed).
                let (oa, od_) = (self.slot(a), self.slot(d));
                self.unzip_half(0, oa + 8, oa, esize, false);
                let od = self.swar_result(i, upper);
                let bb = self.b();
                if upper {
                    encode::lg(bb, 1, m(15, od_ + 8));
                    encode::stg(bb, 1, m(15, od + 8));
                    encode::stg(bb, 0, m(15, od));
                } else {
                    encode::stg(bb, 0, m(15, od + 8));
                }
            }
            _ => unreachable!("{} has no lowering in general registers", op.name()),
        }
    }

    /// MUL, MLA (`acc` = (d, false)) and MLS ((d, true)) of 8-, 16- and
    /// 32-bit lanes, lane by lane: each lane of `a` and `b` shifted to the
    /// bottom of a register (the bits above it do not reach the low bits of
    /// a product or sum), multiplied by MSR, added to or subtracted from
    /// the accumulator's lane, and inserted into its field by RISBG (the
    /// first insertion zeroes the rest, the others keep it).
    #[allow(clippy::too_many_arguments)]
    fn mul_lanes_gpr(&mut self, i: usize, acc: Option<(Value, bool)>, esize: u8, q: bool, a: Value, b: Value) {
        let (oa, ob) = (self.slot(a), self.slot(b));
        let oc = acc.map(|(d, _)| self.slot(d));
        let od = self.swar_result(i, q);
        let bits = 8 * esize as i32;
        for &h in halves(q) {
            let bb = self.b();
            encode::lg(bb, SA, m(15, oa + h));
            encode::lg(bb, SB, m(15, ob + h));
            if let Some(oc) = oc {
                encode::lg(bb, SC, m(15, oc + h));
            }
            for pos in (0..64).step_by(bits as usize) {
                let bb = self.b();
                if pos == 0 {
                    encode::lgr(bb, 1, SA);
                    encode::msr(bb, 1, SB);
                } else {
                    encode::srlg(bb, 1, SA, m(0, pos));
                    encode::srlg(bb, 2, SB, m(0, pos));
                    encode::msr(bb, 1, 2);
                }
                // The lane's result: r1 (product, sum) or r2 (difference).
                let res = match acc {
                    Some((_, false)) if pos == 0 => {
                        encode::ar(bb, 1, SC);
                        1
                    }
                    Some((_, false)) => {
                        encode::srlg(bb, 2, SC, m(0, pos));
                        encode::ar(bb, 1, 2);
                        1
                    }
                    Some((_, true)) => {
                        if pos == 0 {
                            encode::lgr(bb, 2, SC);
                        } else {
                            encode::srlg(bb, 2, SC, m(0, pos));
                        }
                        encode::sr(bb, 2, 1);
                        2
                    }
                    None => 1,
                };
                let zero = if pos == 0 { 0x80 } else { 0 };
                encode::risbg(bb, 0, res, (64 - pos - bits) as u8, zero | (63 - pos) as u8, pos as u8);
            }
            encode::stg(self.b(), 0, m(15, od + h));
        }
    }

    /// SHL/USHR/SSHR/USRA/SSRA by an immediate: the doubleword shifted,
    /// then the bits that crossed into a neighbouring lane masked off; a
    /// signed shift then extends each lane's sign as (t ⊕ s) − s, s the
    /// lane's shifted sign bit. The accumulating forms add the result to
    /// `acc` lane by lane.
    #[allow(clippy::too_many_arguments)]
    fn shift_swar(&mut self, i: usize, op: S, esize: u8, q: bool, amount: u8, acc: Value, a: Value) {
        let bits = 8 * esize as u32;
        let signed = matches!(op, S::Sshr | S::Ssra);
        // A64 right shifts by the whole lane give 0 (logical) or the sign
        // (arithmetic, as a shift by one less).
        let n = if signed { (amount as u32).min(bits - 1) } else { amount as u32 };
        let zero = n >= bits;
        let oa = self.slot(a);
        let oc = if matches!(op, S::Usra | S::Ssra) { Some(self.slot(acc)) } else { None };
        if esize < 8 && (signed || oc.is_some()) {
            self.lane_sign_masks(esize);
        }
        let lane = lane_mask(esize);
        if esize < 8 && !zero {
            let keep = if op == S::Shl { (lane << n) & lane } else { lane >> n };
            self.load_imm(SC, rep(esize, keep));
            if signed {
                self.load_imm(3, rep(esize, 1 << (bits - 1 - n)));
            }
        }
        let od = self.swar_result(i, q);
        for &h in halves(q) {
            let bb = self.b();
            if zero {
                encode::lghi(bb, 0, 0);
            } else {
                encode::lg(bb, 0, m(15, oa + h));
                let amt = m(0, n as i32);
                match (op, esize) {
                    (S::Shl, _) => encode::sllg(bb, 0, 0, amt),
                    (S::Rol, 8) => encode::rllg(bb, 0, 0, amt),
                    (S::Sshr | S::Ssra, 8) => encode::srag(bb, 0, 0, amt),
                    _ => encode::srlg(bb, 0, 0, amt),
                }
                if esize < 8 {
                    encode::ngr(bb, 0, SC);
                    if signed {
                        encode::xgr(bb, 0, 3);
                        encode::lgr(bb, 1, 3);
                        self.sub_lanes(esize);
                    }
                }
            }
            if let Some(oc) = oc {
                let bb = self.b();
                encode::lgr(bb, 1, 0);
                encode::lg(bb, 0, m(15, oc + h));
                self.add_lanes(esize);
            }
            encode::stg(self.b(), 0, m(15, od + h));
        }
    }

    /// UXTL/SXTL(2): the lanes of one half widened to twice their size.
    /// Words become the two doublewords; halfwords and bytes of each word
    /// of the half are spread apart by shifts and masks, then (signed)
    /// sign-extended lane by lane as (x ⊕ s) − s.
    fn extend_swar(&mut self, i: usize, signed: bool, esize: u8, upper: bool, a: Value) {
        let oa = self.slot(a) + if upper { 0 } else { 8 };
        let wide = 2 * esize;
        if signed && esize < 4 {
            self.lane_sign_masks(wide);
            self.load_imm(3, rep(wide, 1 << (8 * esize - 1)));
        }
        let od = self.swar_result(i, true);
        // The half in SC: its low word makes the result's low half.
        encode::lg(self.b(), SC, m(15, oa));
        for (word_shift, h) in [(0, 8), (32, 0)] {
            let bb = self.b();
            if esize == 4 {
                if word_shift == 0 {
                    (if signed { encode::lgfr } else { encode::llgfr })(bb, 0, SC);
                } else {
                    (if signed { encode::srag } else { encode::srlg })(bb, 0, SC, m(0, 32));
                }
                encode::stg(bb, 0, m(15, od + h));
                continue;
            }
            encode::srlg(bb, 0, SC, m(0, word_shift));
            encode::llgfr(bb, 0, 0);
            // x = (x | x << 16) & 0x0000ffff0000ffff, then for bytes
            // x = (x | x << 8) & 0x00ff00ff00ff00ff.
            let steps: &[(i32, u64)] = if esize == 2 {
                &[(16, 0x0000_ffff_0000_ffff)]
            } else {
                &[(16, 0x0000_ffff_0000_ffff), (8, 0x00ff_00ff_00ff_00ff)]
            };
            for &(s, mask) in steps {
                let bb = self.b();
                encode::sllg(bb, 1, 0, m(0, s));
                encode::ogr(bb, 0, 1);
                self.load_imm(1, mask);
                encode::ngr(self.b(), 0, 1);
            }
            if signed {
                let bb = self.b();
                encode::xgr(bb, 0, 3);
                encode::lgr(bb, 1, 3);
                self.sub_lanes(wide);
            }
            encode::stg(self.b(), 0, m(15, od + h));
        }
    }

    /// d ← x with each 32-bit field (an AES column: row r in bits 8r..8r+7)
    /// rotated right by `s` bits, so row r takes row r + s/8: four RISBG,
    /// the long and the short piece of each field.
    fn rotate_fields(&mut self, d: u8, x: u8, s: u8) {
        let bb = self.b();
        encode::risbg(bb, d, x, s, 0x80 | 31, 64 - s);
        encode::risbg(bb, d, x, 32 + s, 63, 64 - s);
        encode::risbg(bb, d, x, 0, s - 1, 32 - s);
        encode::risbg(bb, d, x, 32, 31 + s, 32 - s);
    }

    /// r ← xtime of every byte of r (multiplication by x in GF(2^8)), r3
    /// clobbered, SA = 0x80 in every byte: the bytes' top bits cleared
    /// and shifted out, 0x1b added (as MSGFI of the top bits moved to
    /// bit 0: no product crosses a byte) where one was set.
    fn xtime_bytes(&mut self, r: u8) {
        let bb = self.b();
        encode::ngrk(bb, 3, r, SA);
        encode::xgr(bb, r, 3);
        encode::sllg(bb, r, r, m(0, 1));
        encode::srlg(bb, 3, 3, m(0, 7));
        encode::msgfi(bb, 3, 0x1b);
        encode::xgr(bb, r, 3);
    }

    /// AESMC/AESIMC without the vector facility: each half holds two
    /// columns as 32-bit fields; the vector lowering's steps (see
    /// `aes_mix_columns`) with the column rotations by RISBG and xtime
    /// within a register.
    pub(super) fn aes_mix_columns_gpr(&mut self, i: usize, inverse: bool, n: Value) {
        let on = self.slot(n);
        self.load_imm(SA, rep(1, 0x80));
        let od = self.swar_result(i, true);
        for h in [0, 8] {
            encode::lg(self.b(), 0, m(15, on + h));
            if inverse {
                self.rotate_fields(1, 0, 16);
                encode::xgr(self.b(), 1, 0);
                self.xtime_bytes(1);
                self.xtime_bytes(1);
                encode::xgr(self.b(), 0, 1);
            }
            // W = a_r ^ a_(r+1) in r1; the column's XOR W ^ W rotated by
            // two rows in r2.
            self.rotate_fields(1, 0, 8);
            encode::xgr(self.b(), 1, 0);
            self.rotate_fields(2, 1, 16);
            let bb = self.b();
            encode::xgr(bb, 2, 1);
            encode::xgr(bb, 0, 2);
            self.xtime_bytes(1);
            let bb = self.b();
            encode::xgr(bb, 0, 1);
            encode::stg(bb, 0, m(15, od + h));
        }
    }
}

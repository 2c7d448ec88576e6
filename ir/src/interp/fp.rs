//! Floating-point semantics as the Arm ARM's pseudocode defines them:
//! FPCR rounding mode (RMode), flush-to-zero (FZ) and default-NaN (DN)
//! honoured, FPSR cumulative exception flags set, NaN propagation in the
//! architecture's order (signalling NaNs first, then the first operand).
//! IEEE arithmetic and rounding come from `rustc_apfloat`; square root is
//! the host's correctly rounded one, corrected for the directed modes.
//!
//! Values are bit patterns in the low 16/32/64 bits. The lane functions
//! here are shared by the scalar FP ops and the vector FP lanes.
//!
//! Known gaps: flush-to-zero of results is decided after rounding (the
//! architecture decides on the unrounded value, which differs only for
//! results just below the smallest normal); FPCR.FZ16 and AHP are ignored;
//! the reciprocal (square root) estimates and FRECPX are single and
//! double only.

use crate::fp::{FpBinOp, FpRounding, FpSize, FpUnOp};
use crate::op::Op;
use crate::state::CpuState;
use rustc_apfloat::ieee::{Double, Half, Quad, Single};
use rustc_apfloat::{Float, FloatConvert, Round, Status, StatusAnd};

pub const IOC: u64 = 1 << 0;
pub const DZC: u64 = 1 << 1;
pub const OFC: u64 = 1 << 2;
pub const UFC: u64 = 1 << 3;
pub const IXC: u64 = 1 << 4;
pub const IDC: u64 = 1 << 7;
pub const QC: u64 = 1 << 27;

const FPCR_FZ: u64 = 1 << 24;
const FPCR_DN: u64 = 1 << 25;

/// The FP environment of one operation: FPCR in, FPSR flags out.
pub struct Env<'a> {
    pub fpcr: u64,
    pub fpsr: &'a mut u64,
}

impl Env<'_> {
    fn raise(&mut self, flags: u64) {
        *self.fpsr |= flags;
    }
    fn round(&self, mode: FpRounding) -> Round {
        match mode {
            FpRounding::TieEven => Round::NearestTiesToEven,
            FpRounding::PosInf => Round::TowardPositive,
            FpRounding::NegInf => Round::TowardNegative,
            FpRounding::Zero => Round::TowardZero,
            FpRounding::TieAway => Round::NearestTiesToAway,
            // Round-to-odd is emulated by the callers that need it.
            FpRounding::Odd => Round::TowardZero,
            FpRounding::Current => match self.fpcr >> 22 & 3 {
                0 => Round::NearestTiesToEven,
                1 => Round::TowardPositive,
                2 => Round::TowardNegative,
                _ => Round::TowardZero,
            },
        }
    }
    fn fz(&self) -> bool {
        self.fpcr & FPCR_FZ != 0
    }
    fn dn(&self) -> bool {
        self.fpcr & FPCR_DN != 0
    }
    fn status(&mut self, s: Status) {
        let mut f = 0;
        if s.contains(Status::INVALID_OP) {
            f |= IOC;
        }
        if s.contains(Status::DIV_BY_ZERO) {
            f |= DZC;
        }
        if s.contains(Status::OVERFLOW) {
            f |= OFC;
        }
        if s.contains(Status::UNDERFLOW) {
            f |= UFC;
        }
        if s.contains(Status::INEXACT) {
            f |= IXC;
        }
        self.raise(f);
    }
}

/// Per-precision constants and the apfloat type.
trait Prec: Float + FloatConvert<Double> + FloatConvert<Single> + FloatConvert<Half> + FloatConvert<Quad> + Copy {
    fn from_quad(q: Quad, round: Round) -> StatusAnd<Self>;
    const NBITS: u32;
    const FRAC: u32;
    const EXP_MASK: u64;
    fn from_double(d: Double, round: Round) -> StatusAnd<Self>;
    fn default_nan() -> u64 {
        Self::EXP_MASK | 1 << (Self::FRAC - 1)
    }
    fn sign_bit() -> u64 {
        1 << (Self::NBITS - 1)
    }
    fn mask() -> u64 {
        if Self::NBITS == 64 {
            u64::MAX
        } else {
            (1 << Self::NBITS) - 1
        }
    }
}

impl Prec for Half {
    fn from_quad(q: Quad, round: Round) -> StatusAnd<Self> {
        q.convert_r(round, &mut false)
    }
    fn from_double(d: Double, round: Round) -> StatusAnd<Self> {
        d.convert_r(round, &mut false)
    }
    const NBITS: u32 = 16;
    const FRAC: u32 = 10;
    const EXP_MASK: u64 = 0x7c00;
}
impl Prec for Single {
    fn from_quad(q: Quad, round: Round) -> StatusAnd<Self> {
        q.convert_r(round, &mut false)
    }
    fn from_double(d: Double, round: Round) -> StatusAnd<Self> {
        d.convert_r(round, &mut false)
    }
    const NBITS: u32 = 32;
    const FRAC: u32 = 23;
    const EXP_MASK: u64 = 0x7f80_0000;
}
impl Prec for Double {
    fn from_quad(q: Quad, round: Round) -> StatusAnd<Self> {
        q.convert_r(round, &mut false)
    }
    fn from_double(d: Double, round: Round) -> StatusAnd<Self> {
        d.convert_r(round, &mut false)
    }
    const NBITS: u32 = 64;
    const FRAC: u32 = 52;
    const EXP_MASK: u64 = 0x7ff0_0000_0000_0000;
}

fn is_nan_bits<F: Prec>(x: u64) -> bool {
    x & F::EXP_MASK == F::EXP_MASK && x & ((1 << F::FRAC) - 1) != 0
}
fn is_snan_bits<F: Prec>(x: u64) -> bool {
    is_nan_bits::<F>(x) && x & (1 << (F::FRAC - 1)) == 0
}
fn is_denormal_bits<F: Prec>(x: u64) -> bool {
    x & F::EXP_MASK == 0 && x & ((1 << F::FRAC) - 1) != 0
}
fn quiet<F: Prec>(x: u64) -> u64 {
    x | 1 << (F::FRAC - 1)
}

/// Input flushing (FZ): a denormal operand reads as a zero of its sign.
fn flush_in<F: Prec>(env: &mut Env, x: u64) -> u64 {
    if env.fz() && F::NBITS != 16 && is_denormal_bits::<F>(x) {
        env.raise(IDC);
        x & F::sign_bit()
    } else {
        x
    }
}

/// Output flushing (FZ) of a rounded result.
fn flush_out<F: Prec>(env: &mut Env, x: u64) -> u64 {
    if env.fz() && F::NBITS != 16 && is_denormal_bits::<F>(x) {
        env.raise(UFC);
        x & F::sign_bit()
    } else {
        x
    }
}

/// The NaN result of an operation with NaN operands, or None.
fn process_nans<F: Prec>(env: &mut Env, ops: &[u64]) -> Option<u64> {
    let pick = ops.iter().find(|&&x| is_snan_bits::<F>(x)).or_else(|| ops.iter().find(|&&x| is_nan_bits::<F>(x)))?;
    if ops.iter().any(|&x| is_snan_bits::<F>(x)) {
        env.raise(IOC);
    }
    Some(if env.dn() { F::default_nan() } else { quiet::<F>(*pick) })
}

/// Finishes an arithmetic result: default NaN for a generated NaN, flags,
/// output flushing. Under FZ a tiny result (tiny before rounding, as the
/// Arm ARM decides it) becomes a zero of its sign and raises only UFC.
fn finish<F: Prec>(env: &mut Env, r: StatusAnd<F>) -> u64 {
    let bits = r.value.to_bits() as u64 & F::mask();
    if is_nan_bits::<F>(bits) {
        env.status(r.status);
        // A NaN made from non-NaN operands (0*inf, inf-inf…) is the default NaN.
        return F::default_nan();
    }
    let tiny = is_denormal_bits::<F>(bits) || r.status.contains(Status::UNDERFLOW);
    if env.fz() && F::NBITS != 16 && tiny {
        env.raise(UFC);
        return bits & F::sign_bit();
    }
    env.status(r.status);
    bits
}

/// Runs a rounding operation and fixes up its flags where apfloat (as
/// LLVM's APFloat) and the Arm ARM differ: apfloat reports only "inexact"
/// when a directed rounding mode turns an overflow into the largest finite
/// number (overflow is then decided by whether the same operation
/// overflows in round-to-nearest, which misses only exact values in
/// [MAX + ulp/2, MAX + ulp)), and it detects tininess after rounding.
fn rounded<F: Prec>(round: Round, op: impl Fn(Round) -> StatusAnd<F>) -> StatusAnd<F> {
    let mut r = op(round);
    if r.status.contains(Status::INEXACT) && !r.value.is_nan() {
        let mag = r.value.to_bits() as u64 & !F::sign_bit();
        let max_finite = F::EXP_MASK - 1;
        let min_normal = 1u64 << F::FRAC;
        if mag == max_finite && !r.status.contains(Status::OVERFLOW) && op(Round::NearestTiesToEven).value.is_infinite() {
            r.status |= Status::OVERFLOW;
        }
        // The Arm ARM detects tininess before rounding: a result that
        // rounded up to the smallest normal from below it underflowed.
        if mag == min_normal && !r.status.contains(Status::UNDERFLOW) {
            let toward_zero = op(Round::TowardZero).value.to_bits() as u64 & !F::sign_bit();
            if toward_zero < min_normal {
                r.status |= Status::UNDERFLOW;
            }
        }
    }
    r
}

fn from_bits<F: Prec>(x: u64) -> F {
    F::from_bits(x as u128)
}

fn is_zero_bits<F: Prec>(x: u64) -> bool {
    x & !F::sign_bit() == 0
}
fn is_inf_bits<F: Prec>(x: u64) -> bool {
    x & !F::sign_bit() == F::EXP_MASK
}

fn sqrt<F: Prec>(env: &mut Env, a: u64, round: Round) -> u64 {
    let a = flush_in::<F>(env, a);
    if let Some(n) = process_nans::<F>(env, &[a]) {
        return n;
    }
    if is_zero_bits::<F>(a) {
        return a;
    }
    if a & F::sign_bit() != 0 {
        env.raise(IOC);
        return F::default_nan();
    }
    if is_inf_bits::<F>(a) {
        return a;
    }
    // Host square root in double (correctly rounded to nearest), then the
    // exact residual decides inexactness and the directed-rounding fix-up.
    let x: Double = from_bits::<F>(a).convert(&mut false).value;
    let xd = f64::from_bits(x.to_bits() as u64);
    let r = Double::from_bits(xd.sqrt().to_bits() as u128);
    if F::NBITS == 64 {
        // The residual r*r - x is exact in quad precision (106-bit product).
        let (rq, xq): (Quad, Quad) = (r.convert(&mut false).value, x.convert(&mut false).value);
        let resid = rq.mul_add_r(rq, -xq, Round::NearestTiesToEven).value;
        let mut out = r;
        if !resid.is_zero() {
            env.raise(IXC);
            let r_too_big = !resid.is_negative();
            match round {
                Round::TowardZero | Round::TowardNegative if r_too_big => out = r.next_down().value,
                Round::TowardPositive if !r_too_big => out = r.next_up().value,
                _ => {}
            }
        }
        out.to_bits() as u64
    } else {
        // For S and H the double result has enough extra precision that a
        // single rounding to the target gives the correctly rounded root.
        let c: StatusAnd<F> = F::from_double(r, round);
        finish::<F>(env, c)
    }
}

fn bin<F: Prec>(env: &mut Env, op: FpBinOp, a: u64, b: u64) -> u64 {
    let round = env.round(FpRounding::Current);
    let (a, b) = (flush_in::<F>(env, a), flush_in::<F>(env, b));
    let sign = F::sign_bit();
    use FpBinOp::*;
    match op {
        MaxNum | MinNum => {
            // A quiet NaN loses against a number.
            let (qa, qb) = (is_nan_bits::<F>(a) && !is_snan_bits::<F>(a), is_nan_bits::<F>(b) && !is_snan_bits::<F>(b));
            let (a, b) = match (qa, qb) {
                (true, false) if !is_nan_bits::<F>(b) => (b, b),
                (false, true) if !is_nan_bits::<F>(a) => (a, a),
                _ => (a, b),
            };
            return bin::<F>(env, if op == MaxNum { Max } else { Min }, a, b);
        }
        _ => {}
    }
    match op {
        // FNMUL is FPNeg(FPMul(..)), FABD is FPAbs(FPSub(..)): the sign
        // operation applies to NaN results too.
        NMul => return bin::<F>(env, Mul, a, b) ^ sign,
        Abd => return bin::<F>(env, Sub, a, b) & !sign,
        // FRECPS/FRSQRTS are FPMulAdd(2 or 3, FPNeg(a), b): a is negated
        // before NaN processing.
        Recps | Rsqrts => return recip_step::<F>(env, op, a ^ sign, b),
        _ => {}
    }
    if let Some(n) = process_nans::<F>(env, &[a, b]) {
        return n;
    }
    let (fa, fb) = (from_bits::<F>(a), from_bits::<F>(b));
    match op {
        Add => finish(env, rounded(round, |m| fa.add_r(fb, m))),
        Sub => finish(env, rounded(round, |m| fa.sub_r(fb, m))),
        Mul => finish(env, rounded(round, |m| fa.mul_r(fb, m))),
        Mulx => {
            if (is_zero_bits::<F>(a) && is_inf_bits::<F>(b)) || (is_inf_bits::<F>(a) && is_zero_bits::<F>(b)) {
                // FMULX: 0 × ∞ = ±2.
                let two = from_bits::<F>(0).add_r(F::from_u128(2).value, round).value.to_bits() as u64;
                return two | ((a ^ b) & sign);
            }
            finish(env, rounded(round, |m| fa.mul_r(fb, m)))
        }
        // FNMUL is FPNeg(FPMul(..)) and FABD FPAbs(FPSub(..)): the sign
        // operation applies to a NaN result too.
        Div => finish(env, rounded(round, |m| fa.div_r(fb, m))),
        Max | Min => {
            let max = op == Max;
            if is_zero_bits::<F>(a) && is_zero_bits::<F>(b) && (a ^ b) & sign != 0 {
                return if max { a & b } else { a | b };
            }
            let a_less = fa < fb;
            let r = if a_less == max { b } else { a };
            flush_out::<F>(env, r)
        }
        MaxNum | MinNum | NMul | Abd | Recps | Rsqrts => unreachable!("handled above"),
    }
}

/// FRECPS (2 + na*b) and FRSQRTS ((3 + na*b)/2), `na` already negated;
/// an infinity times a zero gives exactly 2 (1.5).
fn recip_step<F: Prec>(env: &mut Env, op: FpBinOp, na: u64, b: u64) -> u64 {
    let round = env.round(FpRounding::Current);
    if let Some(n) = process_nans::<F>(env, &[na, b]) {
        return n;
    }
    let inf_zero = (is_zero_bits::<F>(na) && is_inf_bits::<F>(b)) || (is_inf_bits::<F>(na) && is_zero_bits::<F>(b));
    let two = F::from_u128(2).value;
    let (fa, fb) = (from_bits::<F>(na), from_bits::<F>(b));
    if op == FpBinOp::Recps {
        if inf_zero {
            return two.to_bits() as u64;
        }
        finish(env, rounded(round, |m| fa.mul_add_r(fb, two, m)))
    } else {
        let three = F::from_u128(3).value;
        if inf_zero {
            return three.div_r(two, round).value.to_bits() as u64;
        }
        // (3 + na*b) / 2 rounded once: computed in quad precision with
        // round-to-odd (truncate, then set the last bit if inexact), which
        // keeps enough information for the final rounding to be correct;
        // the halving is exact.
        let q = |x: F| -> Quad { x.convert(&mut false).value };
        let t = q(fa).mul_add_r(q(fb), q(three), Round::TowardZero);
        let odd = if t.status.contains(Status::INEXACT) { Quad::from_bits(t.value.to_bits() | 1) } else { t.value };
        let exact = odd.scalbn(-1);
        let r: StatusAnd<F> = rounded(round, |m| F::from_quad(exact, m));
        finish(env, r)
    }
}

fn un<F: Prec>(env: &mut Env, op: FpUnOp, a: u64) -> Option<u64> {
    let sign = F::sign_bit();
    Some(match op {
        // FABS/FNEG never signal and do not flush (they are bit operations).
        FpUnOp::Abs => a & !sign,
        FpUnOp::Neg => a ^ sign,
        FpUnOp::Sqrt => {
            let round = env.round(FpRounding::Current);
            sqrt::<F>(env, a, round)
        }
        FpUnOp::Round { mode, exact } => {
            let a = flush_in::<F>(env, a);
            if let Some(n) = process_nans::<F>(env, &[a]) {
                return Some(n);
            }
            let r = from_bits::<F>(a).round_to_integral(env.round(mode));
            let bits = r.value.to_bits() as u64 & F::mask();
            if exact && bits != a {
                env.raise(IXC);
            }
            bits
        }
        FpUnOp::RecipEstimate if F::NBITS > 16 => recip_estimate::<F>(env, a),
        FpUnOp::RsqrtEstimate if F::NBITS > 16 => rsqrt_estimate::<F>(env, a),
        // FRECPX (FPRecpX): the exponent inverted, the fraction cleared;
        // zeros and denormals take the largest finite exponent.
        FpUnOp::RecipExponent if F::NBITS > 16 => {
            let a = flush_in::<F>(env, a);
            if let Some(n) = process_nans::<F>(env, &[a]) {
                return Some(n);
            }
            let exp = a & F::EXP_MASK;
            (a & sign) | if exp == 0 { F::EXP_MASK - (1 << F::FRAC) } else { !exp & F::EXP_MASK }
        }
        FpUnOp::RecipEstimate | FpUnOp::RsqrtEstimate | FpUnOp::RecipExponent => return None,
    })
}

/// The estimates' operand: biased exponent and the fraction aligned to
/// 52 bits (as the Arm ARM's FPRecipEstimate/FPRSqrtEstimate take them).
fn estimate_parts<F: Prec>(a: u64) -> (i64, u64) {
    let frac = a & ((1 << F::FRAC) - 1);
    ((a & F::EXP_MASK) as i64 >> F::FRAC, frac << (52 - F::FRAC))
}

const FRAC52: u64 = (1 << 52) - 1;

/// What both estimates do first: the operand flushed (FZ), a NaN
/// processed, a zero of either sign giving that signed infinity with
/// divide-by-zero; `Err` holds such a result.
fn estimate_operand<F: Prec>(env: &mut Env, a: u64) -> Result<u64, u64> {
    let a = flush_in::<F>(env, a);
    if let Some(n) = process_nans::<F>(env, &[a]) {
        return Err(n);
    }
    if a & !F::sign_bit() == 0 {
        env.raise(DZC);
        return Err(a | F::EXP_MASK);
    }
    Ok(a)
}

/// FRECPE (FPRecipEstimate): 8 bits of 1/a from the integer algorithm
/// `RecipEstimate`, with the architecture's special cases (an operand so
/// small the result overflows; FZ flushing results that would be
/// denormal).
fn recip_estimate<F: Prec>(env: &mut Env, a: u64) -> u64 {
    let a = match estimate_operand::<F>(env, a) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let sign = a & F::sign_bit();
    let bias = (F::EXP_MASK >> F::FRAC) as i64 >> 1;
    let (mut exp, mut frac) = estimate_parts::<F>(a);
    if a & !F::sign_bit() == F::EXP_MASK {
        return sign;
    }
    // |a| < 2^-(bias+1): 1/a overflows.
    if exp == 0 && frac >> (52 - F::FRAC) < 1 << (F::FRAC - 2) {
        let to_inf = match env.round(FpRounding::Current) {
            Round::NearestTiesToEven => true,
            Round::TowardPositive => sign == 0,
            Round::TowardNegative => sign != 0,
            _ => false,
        };
        env.raise(OFC | IXC);
        return sign | if to_inf { F::EXP_MASK } else { F::EXP_MASK - 1 };
    }
    // |a| >= 2^(bias-1) under FZ: the denormal result is flushed.
    if env.fz() && exp >= 2 * bias - 1 {
        env.raise(UFC);
        return sign;
    }
    if exp == 0 {
        if frac >> 51 == 0 {
            exp = -1;
            frac = (frac << 2) & FRAC52;
        } else {
            frac = (frac << 1) & FRAC52;
        }
    }
    let scaled = 0x100 | (frac >> 44);
    let mut result_exp = 2 * bias - 1 - exp;
    let estimate = recip_estimate_int(scaled);
    let mut frac = (estimate & 0xff) << 44;
    if result_exp == 0 {
        frac = 1 << 51 | frac >> 1;
    } else if result_exp == -1 {
        frac = 1 << 50 | frac >> 2;
        result_exp = 0;
    }
    sign | (result_exp as u64) << F::FRAC | frac >> (52 - F::FRAC)
}

/// FRSQRTE (FPRSqrtEstimate): 8 bits of 1/sqrt(a) from the integer
/// algorithm `RecipSqrtEstimate`.
fn rsqrt_estimate<F: Prec>(env: &mut Env, a: u64) -> u64 {
    let a = match estimate_operand::<F>(env, a) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if a & F::sign_bit() != 0 {
        env.raise(IOC);
        return F::default_nan();
    }
    if a == F::EXP_MASK {
        return 0;
    }
    let bias = (F::EXP_MASK >> F::FRAC) as i64 >> 1;
    let (mut exp, mut frac) = estimate_parts::<F>(a);
    if exp == 0 {
        while frac >> 51 == 0 {
            frac = (frac << 1) & FRAC52;
            exp -= 1;
        }
        frac = (frac << 1) & FRAC52;
    }
    let scaled = if exp & 1 == 0 { 0x100 | frac >> 44 } else { 0x80 | frac >> 45 };
    let result_exp = (3 * bias - 1 - exp).div_euclid(2);
    let estimate = rsqrt_estimate_int(scaled);
    (result_exp as u64) << F::FRAC | (estimate & 0xff) << (F::FRAC - 8)
}

/// The Arm ARM's `RecipEstimate` (without increased precision): `a` in
/// 256..=511 stands for [0.5, 1.0) in units of 1/512; the result, in
/// 256..=511, for [1.0, 2.0) in units of 1/256.
fn recip_estimate_int(a: u64) -> u64 {
    let a = a * 2 + 1;
    let b = (1u64 << 19) / a;
    (b + 1) / 2
}

/// The Arm ARM's `RecipSqrtEstimate`: `a` in 128..=255 stands for
/// [0.25, 0.5) in units of 1/512, in 256..=511 for [0.5, 1.0) in units of
/// 1/256; the result, in 256..=511, for [1.0, 2.0) in units of 1/256.
fn rsqrt_estimate_int(a: u64) -> u64 {
    // Both ranges in units of 1/1024, rounded to the interval's middle.
    let a = if a < 256 { a * 2 + 1 } else { (((a >> 1) << 1) + 1) * 2 };
    let mut b = 512u64;
    while a * (b + 1) * (b + 1) < 1 << 28 {
        b += 1;
    }
    (b + 1) / 2
}

/// URECPE on one 32-bit lane (`UnsignedRecipEstimate`): operands below
/// 2^31 give all-ones; others are fixed-point [0.5, 1.0), estimated from
/// their top 9 bits into the top 9 bits of the result.
pub(crate) fn unsigned_recip_estimate(x: u32) -> u32 {
    if x >> 31 == 0 {
        return u32::MAX;
    }
    (recip_estimate_int(u64::from(x >> 23)) as u32) << 23
}

/// URSQRTE on one 32-bit lane (`UnsignedRSqrtEstimate`): operands below
/// 2^30 give all-ones; others are fixed-point [0.25, 1.0).
pub(crate) fn unsigned_rsqrt_estimate(x: u32) -> u32 {
    if x >> 30 == 0 {
        return u32::MAX;
    }
    (rsqrt_estimate_int(u64::from(x >> 23)) as u32) << 23
}

fn muladd<F: Prec>(env: &mut Env, addend: u64, a: u64, b: u64, neg_product: bool, neg_addend: bool) -> u64 {
    let round = env.round(FpRounding::Current);
    let (c, a, b) = (flush_in::<F>(env, addend), flush_in::<F>(env, a), flush_in::<F>(env, b));
    let sign = F::sign_bit();
    // FMSUB/FNMADD/FNMSUB negate operands with FPNeg before anything else,
    // which flips the sign of a NaN too.
    let a = if neg_product { a ^ sign } else { a };
    let c = if neg_addend { c ^ sign } else { c };
    let inf_zero = (is_zero_bits::<F>(a) && is_inf_bits::<F>(b)) || (is_inf_bits::<F>(a) && is_zero_bits::<F>(b));
    if is_nan_bits::<F>(c) && !is_snan_bits::<F>(c) && inf_zero {
        env.raise(IOC);
        return F::default_nan();
    }
    if let Some(n) = process_nans::<F>(env, &[c, a, b]) {
        return n;
    }
    let (fa, fb, fc) = (from_bits::<F>(a), from_bits::<F>(b), from_bits::<F>(c));
    finish(env, rounded(round, |m| fa.mul_add_r(fb, fc, m)))
}

/// NZCV of an FP compare.
fn cmp<F: Prec>(env: &mut Env, a: u64, b: u64, signaling: bool) -> u64 {
    let (a, b) = (flush_in::<F>(env, a), flush_in::<F>(env, b));
    if is_nan_bits::<F>(a) || is_nan_bits::<F>(b) {
        if signaling || is_snan_bits::<F>(a) || is_snan_bits::<F>(b) {
            env.raise(IOC);
        }
        return 0b0011 << 28;
    }
    let (fa, fb) = (from_bits::<F>(a), from_bits::<F>(b));
    if fa == fb {
        0b0110 << 28
    } else if fa < fb {
        0b1000 << 28
    } else {
        0b0010 << 28
    }
}

/// Lane compare for the vector FCMxx forms: all-ones or zero.
pub fn compare_lane(env: &mut Env, size: FpSize, a: u64, b: u64, pred: fn(std::cmp::Ordering) -> bool, signaling: bool) -> bool {
    let nzcv = match size {
        FpSize::H => cmp::<Half>(env, a, b, signaling),
        FpSize::S => cmp::<Single>(env, a, b, signaling),
        FpSize::D => cmp::<Double>(env, a, b, signaling),
    };
    match nzcv >> 28 {
        0b0110 => pred(std::cmp::Ordering::Equal),
        0b1000 => pred(std::cmp::Ordering::Less),
        0b0010 => pred(std::cmp::Ordering::Greater),
        _ => false,
    }
}

fn convert_nan<F: Prec, T: Prec>(env: &mut Env, a: u64) -> u64 {
    if is_snan_bits::<F>(a) {
        env.raise(IOC);
    }
    if env.dn() {
        return T::default_nan();
    }
    let sign = if a & F::sign_bit() != 0 { T::sign_bit() } else { 0 };
    let payload = a & ((1 << F::FRAC) - 1);
    let p = if T::FRAC >= F::FRAC { payload << (T::FRAC - F::FRAC) } else { payload >> (F::FRAC - T::FRAC) };
    sign | T::EXP_MASK | p | 1 << (T::FRAC - 1)
}

fn convert<F: Prec, T: Prec>(env: &mut Env, a: u64, round: Round) -> u64
where
    F: FloatConvert<T>,
{
    let a = flush_in::<F>(env, a);
    if is_nan_bits::<F>(a) {
        return convert_nan::<F, T>(env, a);
    }
    let fa = from_bits::<F>(a);
    let r: StatusAnd<T> = rounded(round, |m| fa.convert_r(m, &mut false));
    finish::<T>(env, r)
}

fn to_int<F: Prec>(env: &mut Env, a: u64, bits: u32, signed: bool, mode: FpRounding, fbits: u8) -> u64 {
    let a = flush_in::<F>(env, a);
    if is_nan_bits::<F>(a) {
        env.raise(IOC);
        return 0;
    }
    let x = from_bits::<F>(a).scalbn(fbits as i32);
    let r = x.round_to_integral(env.round(mode)).value;
    let (min, max): (i128, i128) = if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    let mut exact = false;
    let v: i128 = if r.is_infinite() {
        if r.is_negative() {
            i128::MIN
        } else {
            i128::MAX
        }
    } else {
        r.to_i128_r(128, Round::TowardZero, &mut exact).value
    };
    let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    if v < min || v > max {
        env.raise(IOC);
        return (if v < min { min } else { max }) as u64 & mask;
    }
    if r.to_bits() != x.to_bits() {
        env.raise(IXC);
    }
    v as u64 & mask
}

fn from_int<T: Prec>(env: &mut Env, v: u64, bits: u32, signed: bool, fbits: u8) -> u64 {
    let round = env.round(FpRounding::Current);
    let wide: i128 = if signed {
        (((v << (64 - bits)) as i64) >> (64 - bits)) as i128
    } else if bits == 64 {
        v as i128
    } else {
        (v & ((1 << bits) - 1)) as i128
    };
    if fbits == 0 {
        return finish::<T>(env, T::from_i128_r(wide, round));
    }
    // value = wide / 2^fbits, rounded once: convert through an exact wider
    // intermediate (double holds any 64-bit integer scaled only if it fits
    // 53 bits; otherwise round the integer first, which is exact scaling).
    let exact: StatusAnd<Double> = Double::from_i128_r(wide, Round::TowardZero);
    if exact.status == Status::OK {
        let scaled = exact.value.scalbn(-(fbits as i32));
        let r: StatusAnd<T> = T::from_double(scaled, round);
        return finish::<T>(env, r);
    }
    let r = T::from_i128_r(wide, round);
    let status = r.status;
    finish::<T>(env, StatusAnd { status, value: r.value.scalbn(-(fbits as i32)) })
}

macro_rules! by_size {
    ($size:expr, $f:ident $(::<$($extra:ty),*>)? ( $($arg:expr),* )) => {
        match $size {
            FpSize::H => $f::<Half $(, $($extra),*)?>($($arg),*),
            FpSize::S => $f::<Single $(, $($extra),*)?>($($arg),*),
            FpSize::D => $f::<Double $(, $($extra),*)?>($($arg),*),
        }
    };
}

pub fn bin_op(env: &mut Env, op: FpBinOp, size: FpSize, a: u64, b: u64) -> u64 {
    by_size!(size, bin(env, op, a, b))
}

pub fn un_op(env: &mut Env, op: FpUnOp, size: FpSize, a: u64) -> Option<u64> {
    by_size!(size, un(env, op, a))
}

pub fn muladd_op(env: &mut Env, size: FpSize, addend: u64, a: u64, b: u64, neg_product: bool, neg_addend: bool) -> u64 {
    by_size!(size, muladd(env, addend, a, b, neg_product, neg_addend))
}

pub fn convert_op(env: &mut Env, from: FpSize, to: FpSize, a: u64, mode: FpRounding) -> u64 {
    let round = env.round(mode);
    match (from, to) {
        (FpSize::H, FpSize::S) => convert::<Half, Single>(env, a, round),
        (FpSize::H, FpSize::D) => convert::<Half, Double>(env, a, round),
        (FpSize::S, FpSize::H) => convert::<Single, Half>(env, a, round),
        (FpSize::S, FpSize::D) => convert::<Single, Double>(env, a, round),
        (FpSize::D, FpSize::H) => convert::<Double, Half>(env, a, round),
        (FpSize::D, FpSize::S) => convert::<Double, Single>(env, a, round),
        _ => a,
    }
}

pub fn to_int_op(env: &mut Env, from: FpSize, bits: u32, signed: bool, mode: FpRounding, fbits: u8, a: u64) -> u64 {
    by_size!(from, to_int(env, a, bits, signed, mode, fbits))
}

pub fn from_int_op(env: &mut Env, to: FpSize, bits: u32, signed: bool, fbits: u8, v: u64) -> u64 {
    by_size!(to, from_int(env, v, bits, signed, fbits))
}

/// Evaluates a scalar FP operation; `args` are the operation's SSA
/// arguments in order. Returns None for an operation not implemented (the
/// frontend never emits those).
pub fn eval(op: &Op, args: &[u128], cpu: &mut CpuState) -> u128 {
    let fpcr = cpu.fpcr;
    let mut env = Env { fpcr, fpsr: &mut cpu.fpsr };
    // An S or H operand is the low 32 or 16 bits of its I64 value.
    let size = match *op {
        Op::FpBin { size, .. } | Op::FpUn { size, .. } | Op::FpMulAdd { size, .. } | Op::FpCmp { size, .. } => Some(size),
        Op::FpConvert { from, .. } | Op::FpToInt { from, .. } => Some(from),
        _ => None,
    };
    let keep = match size {
        Some(s) if s != FpSize::D => (1u64 << s.bits()) - 1,
        _ => u64::MAX,
    };
    let a = |i: usize| args[i] as u64 & keep;
    let r = match *op {
        Op::FpBin { op, size, .. } => bin_op(&mut env, op, size, a(0), a(1)),
        Op::FpUn { op, size, .. } => un_op(&mut env, op, size, a(0)).unwrap_or(0),
        Op::FpMulAdd { size, neg_product, neg_addend, .. } => muladd_op(&mut env, size, a(0), a(1), a(2), neg_product, neg_addend),
        Op::FpCmp { size, signaling, .. } => by_size!(size, cmp(&mut env, a(0), a(1), signaling)),
        Op::FpConvert { from, to, .. } => convert_op(&mut env, from, to, a(0), FpRounding::Current),
        Op::FpToInt { from, w, signed, mode, fbits, .. } => to_int_op(&mut env, from, w.bits(), signed, mode, fbits, a(0)),
        Op::IntToFp { to, w, signed, fbits, .. } => from_int_op(&mut env, to, w.bits(), signed, fbits, a(0)),
        _ => 0,
    };
    r as u128
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(fpcr: u64, fpsr: &mut u64) -> Env<'_> {
        Env { fpcr, fpsr }
    }

    #[test]
    fn add_rounds_by_fpcr_and_sets_inexact() {
        let mut sr = 0;
        let one = 1.0f64.to_bits();
        let tiny = 2f64.powi(-60).to_bits();
        let r = bin_op(&mut env(0, &mut sr), FpBinOp::Add, FpSize::D, one, tiny);
        assert_eq!(r, one);
        assert_eq!(sr & IXC, IXC);
        // Round towards +inf (RMode = 01).
        let mut sr = 0;
        let r = bin_op(&mut env(1 << 22, &mut sr), FpBinOp::Add, FpSize::D, one, tiny);
        assert_eq!(f64::from_bits(r), 1.0 + f64::EPSILON);
    }

    #[test]
    fn nan_rules() {
        let mut sr = 0;
        let snan = 0x7ff0_0000_0000_0001u64;
        let qnan = 0x7ff8_0000_0000_0002u64;
        // The signalling NaN wins even as the second operand, quietened.
        let r = bin_op(&mut env(0, &mut sr), FpBinOp::Add, FpSize::D, qnan, snan);
        assert_eq!(r, 0x7ff8_0000_0000_0001);
        assert_eq!(sr & IOC, IOC);
        // Default NaN mode.
        let mut sr = 0;
        let r = bin_op(&mut env(FPCR_DN, &mut sr), FpBinOp::Mul, FpSize::D, qnan, 1.0f64.to_bits());
        assert_eq!(r, 0x7ff8_0000_0000_0000);
        // inf - inf is the default NaN, invalid.
        let mut sr = 0;
        let inf = f64::INFINITY.to_bits();
        let r = bin_op(&mut env(0, &mut sr), FpBinOp::Sub, FpSize::D, inf, inf);
        assert_eq!(r, 0x7ff8_0000_0000_0000);
        assert_eq!(sr & IOC, IOC);
    }

    #[test]
    fn conversions_saturate() {
        let mut sr = 0;
        let r = to_int_op(&mut env(0, &mut sr), FpSize::D, 32, true, FpRounding::Zero, 0, 3e10f64.to_bits());
        assert_eq!(r, 0x7fff_ffff);
        assert_eq!(sr & IOC, IOC);
        let mut sr = 0;
        let r = to_int_op(&mut env(0, &mut sr), FpSize::D, 64, true, FpRounding::Zero, 0, (-2.75f64).to_bits());
        assert_eq!(r as i64, -2);
        assert_eq!(sr, IXC);
        let mut sr = 0;
        let r = from_int_op(&mut env(0, &mut sr), FpSize::S, 64, false, 0, u64::MAX);
        assert_eq!(f32::from_bits(r as u32), 1.8446744e19);
    }

    #[test]
    fn fused_overflow_is_flagged() {
        let mut sr = 0;
        let big = 1e300f64.to_bits();
        let r = muladd_op(&mut env(0, &mut sr), FpSize::D, 0, big, big, false, false);
        assert_eq!(r, f64::INFINITY.to_bits());
        assert_eq!(sr & (OFC | IXC), OFC | IXC, "fpsr {sr:#x}");
    }

    #[test]
    fn sqrt_directed_rounding() {
        let mut sr = 0;
        let two = 2.0f64.to_bits();
        let rn = un_op(&mut env(0, &mut sr), FpUnOp::Sqrt, FpSize::D, two).unwrap();
        assert_eq!(f64::from_bits(rn), 2f64.sqrt());
        let rz = un_op(&mut env(3 << 22, &mut sr), FpUnOp::Sqrt, FpSize::D, two).unwrap();
        let rp = un_op(&mut env(1 << 22, &mut sr), FpUnOp::Sqrt, FpSize::D, two).unwrap();
        assert!(rz < rp && rp - rz == 1, "rz {rz:#x} rp {rp:#x}");
    }
}

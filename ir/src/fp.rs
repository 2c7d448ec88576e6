//! Parameters of the scalar floating-point opcodes.
//!
//! FP values travel as `I64` bit patterns (low 16/32/64 bits). Every FP
//! operation reads the guest FPCR (rounding mode, FZ, DN, AHP) and ORs the
//! exceptions it raises into the guest FPSR's cumulative flags, so FP ops
//! count as having an effect (they are never removed as dead code).

/// Precision of a floating-point operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpSize {
    H,
    S,
    D,
}

impl FpSize {
    pub fn bits(self) -> u32 {
        match self {
            FpSize::H => 16,
            FpSize::S => 32,
            FpSize::D => 64,
        }
    }
}

/// Rounding used by a conversion or round-to-integral. `Current` means the
/// mode in FPCR.RMode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpRounding {
    TieEven,
    PosInf,
    NegInf,
    Zero,
    TieAway,
    /// Round to odd (FCVTXN).
    Odd,
    Current,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpBinOp {
    Add,
    Sub,
    Mul,
    Div,
    /// FMAX/FMIN: NaN-propagating.
    Max,
    Min,
    /// FMAXNM/FMINNM: a quiet NaN loses against a number.
    MaxNum,
    MinNum,
    /// FNMUL: -(a*b), rounded once.
    NMul,
    /// FABD: |a-b|.
    Abd,
    /// FMULX: like Mul but 0*inf = ±2.
    Mulx,
    /// FRECPS: 2 - a*b (fused).
    Recps,
    /// FRSQRTS: (3 - a*b)/2 (fused).
    Rsqrts,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpUnOp {
    Abs,
    Neg,
    Sqrt,
    /// FRINT*: round to integral in the given mode; `exact` raises Inexact
    /// (FRINTX).
    Round { mode: FpRounding, exact: bool },
    /// FRECPE, FRSQRTE, FRECPX estimates.
    RecipEstimate,
    RsqrtEstimate,
    RecipExponent,
}

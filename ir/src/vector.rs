//! Parameters of the vector (AdvSIMD) opcodes.
//!
//! A vector value is 128 bits; lane `i` of element size `esize` bytes sits at
//! bits `[8*esize*i, 8*esize*(i+1))`, lane 0 least significant, exactly as the
//! guest register file numbers lanes. An operation with `q == false` acts on
//! the low 64 bits and clears the high 64 bits of its result, as every A64
//! vector instruction with a 64-bit arrangement does.

/// Lane-wise binary operations (and a few permutes that take two vectors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VecBinOp {
    Add,
    Sub,
    Mul,
    /// Polynomial (carry-less) multiply, 8-bit lanes (PMUL).
    Pmul,
    And,
    Orr,
    Eor,
    Bic,
    Orn,
    // Comparisons: lanes become all-ones or zero.
    CmEq,
    CmHi,
    CmHs,
    CmGt,
    CmGe,
    CmTst,
    Umax,
    Umin,
    Smax,
    Smin,
    Uabd,
    Sabd,
    Uhadd,
    Shadd,
    Urhadd,
    Srhadd,
    Uhsub,
    Shsub,
    Uqadd,
    Sqadd,
    Uqsub,
    Sqsub,
    /// Signed saturating doubling multiply high (SQDMULH), rounding variant.
    Sqdmulh,
    Sqrdmulh,
    /// Shift by a signed per-lane register amount (USHL/SSHL), rounding and
    /// saturating variants.
    Ushl,
    Sshl,
    Urshl,
    Srshl,
    Uqshl,
    Sqshl,
    // Pairwise: lanes of a then b, adjacent pairs combined.
    Addp,
    Umaxp,
    Uminp,
    Smaxp,
    Sminp,
    // Permutes.
    Zip1,
    Zip2,
    Uzp1,
    Uzp2,
    Trn1,
    Trn2,
    // Floating point, lanes of esize 2 (half), 4 or 8 bytes.
    Fadd,
    Fsub,
    Fmul,
    Fdiv,
    Fmax,
    Fmin,
    Fmaxnm,
    Fminnm,
    Fabd,
    Fmulx,
    Frecps,
    Frsqrts,
    Fcmeq,
    Fcmge,
    Fcmgt,
    /// Absolute compares FACGE/FACGT.
    Facge,
    Facgt,
    Faddp,
    Fmaxp,
    Fminp,
    Fmaxnmp,
    Fminnmp,
}

/// Lane-wise unary operations and reductions. Reductions (`*v`) leave the
/// result in lane 0 (of the result's esize) and zero elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VecUnOp {
    Not,
    Neg,
    Abs,
    Sqabs,
    Sqneg,
    Cnt,
    Clz,
    Cls,
    Rbit,
    /// Reverse esize-byte elements inside each container of 2, 4 or 8 bytes.
    Rev16,
    Rev32,
    Rev64,
    Addv,
    Umaxv,
    Uminv,
    Smaxv,
    Sminv,
    /// Sum of all lanes, widened to twice the lane size.
    Uaddlv,
    Saddlv,
    /// Pairwise add adjacent lanes into double-width lanes (UADDLP/SADDLP).
    Uaddlp,
    Saddlp,
    Fneg,
    Fabs,
    Fsqrt,
    Frecpe,
    Frsqrte,
    Urecpe,
    Ursqrte,
    /// Round to integral (FRINT* vector forms).
    Frint { mode: crate::fp::FpRounding, exact: bool },
    /// FP → integer with rounding, per lane (FCVT*U/S vector forms); `fbits`
    /// fixed-point fraction bits.
    FcvtToInt { signed: bool, mode: crate::fp::FpRounding, fbits: u8 },
    /// Integer → FP per lane (SCVTF/UCVTF vector forms).
    IntToFcvt { signed: bool, fbits: u8 },
    Fmaxv,
    Fminv,
    Fmaxnmv,
    Fminnmv,
    /// Compare each lane with zero (CMxx #0 / FCMxx #0).
    CmEq0,
    CmGt0,
    CmGe0,
    CmLe0,
    CmLt0,
    Fcmeq0,
    Fcmgt0,
    Fcmge0,
    Fcmle0,
    Fcmlt0,
}

/// Shifts by an immediate amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VecShiftOp {
    Shl,
    Ushr,
    Sshr,
    Urshr,
    Srshr,
    /// Shift right and accumulate into the first operand (USRA/SSRA and
    /// rounding forms) — these take an accumulator argument.
    Usra,
    Ssra,
    Ursra,
    Srsra,
    /// Shift left/right and insert (SLI/SRI) into the first operand.
    Sli,
    Sri,
    Sqshl,
    Uqshl,
    Sqshlu,
    /// Rotate each lane left by `amount` (1..lane bits − 1): RAX1 and XAR
    /// (FEAT_SHA3).
    Rol,
}

/// Three-operand lane-wise operations: the first operand is the
/// destination's old value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VecTernOp {
    /// BSL: d = (d & n) | (!d & m).
    Bsl,
    /// BIT: d = (n & m) | (d & !m).
    Bit,
    /// BIF: d = (d & m) | (n & !m).
    Bif,
    /// d + n*m, d - n*m.
    Mla,
    Mls,
    /// Fused d + n*m, d - n*m.
    Fmla,
    Fmls,
}

/// The SHA-1, SHA-256 and SHA-512 instructions (FEAT_SHA1, FEAT_SHA256,
/// FEAT_SHA512). The three-register forms read `d`, `n` and `m`; SHA1H,
/// SHA1SU1, SHA256SU0 and SHA512SU0 read `d` and `n` only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShaOp {
    /// SHA1C/SHA1P/SHA1M: four rounds (choose, parity, majority) of the
    /// state `d` with E in `n`'s low word and the schedule words of `m`.
    Sha1C,
    Sha1P,
    Sha1M,
    /// SHA1SU0, SHA1SU1: the schedule update, parts 1 and 2.
    Sha1Su0,
    Sha1Su1,
    /// SHA1H: the fixed rotate of `n`'s low word.
    Sha1H,
    /// SHA256H/SHA256H2: four rounds, the new ABCD (`d` = ABCD, `n` =
    /// EFGH) or the new EFGH (`d` = EFGH, `n` = ABCD).
    Sha256H,
    Sha256H2,
    /// SHA256SU0, SHA256SU1: the schedule update, parts 1 and 2.
    Sha256Su0,
    Sha256Su1,
    /// SHA512H/SHA512H2: two rounds, the Sigma1/Ch half (`d` = the partial
    /// sums, `n` and `m` = the working variables) and the Sigma0/Maj half.
    Sha512H,
    Sha512H2,
    /// SHA512SU0, SHA512SU1: the schedule update, parts 1 and 2.
    Sha512Su0,
    Sha512Su1,
}

/// One step of AES (FEAT_AES): a round's first half or (Inv)MixColumns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AesOp {
    /// AESE: AddRoundKey (d ^ n), ShiftRows, SubBytes.
    Encrypt,
    /// AESD: AddRoundKey, InvShiftRows, InvSubBytes.
    Decrypt,
    /// AESMC: MixColumns of n.
    MixColumns,
    /// AESIMC: InvMixColumns of n.
    InvMixColumns,
}

/// Narrowing: halve each lane of a double-width source; the result lands in
/// the low half (`upper == false`, high half zeroed) or the high half
/// (`upper == true`, low half kept from the destination operand).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NarrowOp {
    /// XTN: truncate.
    Trunc,
    /// SQXTN, UQXTN, SQXTUN: saturate signed→signed, unsigned→unsigned,
    /// signed→unsigned.
    SatSS,
    SatUU,
    SatSU,
    /// FCVTN: double→single / single→half; FCVTXN: round to odd.
    Fcvt,
    Fcvtx,
}

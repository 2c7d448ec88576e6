//! Value types and the small enums that parameterise opcodes.

use std::fmt;

/// The type of an IR value. Scalars (integers, booleans as 0/1, FP bit
/// patterns, NZCV words) are `I64`; vector registers are `V128`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    I64,
    V128,
}

/// An SSA value: the index of the instruction in its block that defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(pub u32);

impl Value {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// Operation width of an integer operation. A `W32` operation reads the low
/// 32 bits of its operands and produces a zero-extended 32-bit result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    W32,
    W64,
}

impl Width {
    pub fn bits(self) -> u32 {
        match self {
            Width::W32 => 32,
            Width::W64 => 64,
        }
    }
    pub fn mask(self) -> u64 {
        match self {
            Width::W32 => 0xffff_ffff,
            Width::W64 => u64::MAX,
        }
    }
}

/// A condition on an NZCV word (bits 31..28 = N Z C V), numbered as the
/// 4-bit condition field of the guest ISA (EQ=0 … AL=14, NV=15 = always).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cond(pub u8);

impl Cond {
    pub const NAMES: [&'static str; 16] = [
        "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv",
    ];
    /// Evaluates the condition on an NZCV word.
    pub fn holds(self, nzcv: u64) -> bool {
        let n = nzcv >> 31 & 1 != 0;
        let z = nzcv >> 30 & 1 != 0;
        let c = nzcv >> 29 & 1 != 0;
        let v = nzcv >> 28 & 1 != 0;
        let base = match self.0 >> 1 {
            0 => z,
            1 => c,
            2 => n,
            3 => v,
            4 => c && !z,
            5 => n == v,
            6 => n == v && !z,
            _ => true,
        };
        if self.0 & 1 == 1 && self.0 != 15 {
            !base
        } else {
            base
        }
    }

    /// The comparison `a cc b` this condition amounts to on the flags of
    /// the subtraction `a - b` (CMP/SUBS), where there is one: eq/ne,
    /// cs/cc, hi/ls, ge/lt, gt/le. The backends branch on it directly.
    pub fn of_subtraction(self) -> Option<IntCC> {
        use IntCC::*;
        let (pos, neg) = match self.0 >> 1 {
            0 => (Eq, Ne),
            1 => (Uge, Ult),
            4 => (Ugt, Ule),
            5 => (Sge, Slt),
            6 => (Sgt, Sle),
            _ => return None,
        };
        Some(if self.0 & 1 == 0 { pos } else { neg })
    }

    /// The signed comparison `r cc 0` this condition amounts to on the
    /// flags of a logical result `r` (ANDS/TST: N and Z from `r`, C = V =
    /// 0), where there is one: eq/ne, mi/pl, ge/lt, gt/le.
    pub fn of_logical(self) -> Option<IntCC> {
        use IntCC::*;
        let (pos, neg) = match self.0 >> 1 {
            0 => (Eq, Ne),
            2 => (Slt, Sge),
            5 => (Sge, Slt),
            6 => (Sgt, Sle),
            _ => return None,
        };
        Some(if self.0 & 1 == 0 { pos } else { neg })
    }
}

#[cfg(test)]
mod cond_tests {
    use super::*;
    use crate::interp::int::{add_with_carry, icmp, logic_flags};

    /// `of_subtraction`/`of_logical` agree with `holds` on the flags the
    /// interpreter computes, for operands at the width edges.
    #[test]
    fn direct_comparisons_match_the_flags() {
        let vals = [0u64, 1, 2, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 1 << 32, i64::MAX as u64, 1 << 63, u64::MAX, u64::MAX - 1];
        for c in 0..16u8 {
            let cond = Cond(c);
            for w in [Width::W32, Width::W64] {
                for &a in &vals {
                    for &b in &vals {
                        if let Some(cc) = cond.of_subtraction() {
                            let nzcv = add_with_carry(w, a, !b, 1).1;
                            assert_eq!(cond.holds(nzcv), icmp(cc, w, a, b), "{} {w:?} {a:#x} - {b:#x}", Cond::NAMES[c as usize]);
                        }
                    }
                    if let Some(cc) = cond.of_logical() {
                        assert_eq!(cond.holds(logic_flags(w, a)), icmp(cc, w, a, 0), "{} {w:?} {a:#x}", Cond::NAMES[c as usize]);
                    }
                }
            }
        }
        // Conditions without one: those reading C or V alone, and al/nv.
        for c in [6u8, 7, 14, 15] {
            assert_eq!(Cond(c).of_subtraction(), None);
        }
    }
}

/// Integer comparison producing 0 or 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntCC {
    Eq,
    Ne,
    Ult,
    Ule,
    Ugt,
    Uge,
    Slt,
    Sle,
    Sgt,
    Sge,
}

/// Bytes moved by a scalar memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemSize {
    B1 = 1,
    B2 = 2,
    B4 = 4,
    B8 = 8,
}

impl MemSize {
    pub fn bytes(self) -> u64 {
        self as u64
    }
    pub fn from_log2(l: u32) -> MemSize {
        match l {
            0 => MemSize::B1,
            1 => MemSize::B2,
            2 => MemSize::B4,
            _ => MemSize::B8,
        }
    }
}

/// Memory-ordering annotation of an access or fence, kept so that a backend
/// can emit the serialisation the host needs (see DESIGN.md "Memory model").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ordering {
    Relaxed,
    Acquire,
    Release,
    AcqRel,
}

/// Fence kinds: a full barrier orders everything; `LoadLoad`-style barriers
/// (DMB ISHLD) and store barriers (DMB ISHST) are free on a TSO-like host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FenceKind {
    Full,
    Loads,
    Stores,
    /// Instruction synchronisation (ISB): ends the block, no memory effect.
    Instruction,
}

/// Read-modify-write operations of atomic instructions. Each returns the
/// old memory value. `Clr` stores `old & !operand`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RmwOp {
    Add,
    Clr,
    Eor,
    Set,
    Smax,
    Smin,
    Umax,
    Umin,
    Swp,
}

/// Which CRC polynomial: CRC-32 (0x04C11DB7) or CRC-32C (0x1EDC6F41), both
/// bit-reflected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CrcPoly {
    Crc32,
    Crc32c,
}

/// Guest system-register slots held in the CPU state. Constant ID registers
/// are folded to constants by the frontend and never reach the IR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SysReg {
    Fpcr,
    Fpsr,
    /// Thread pointer (TPIDR_EL0).
    Tpidr,
    /// Read-only thread pointer (TPIDRRO_EL0), zero under Linux.
    Tpidrro,
    /// Virtual counter (CNTVCT_EL0): read from the host clock.
    Cntvct,
    /// Counter frequency (CNTFRQ_EL0).
    Cntfrq,
}

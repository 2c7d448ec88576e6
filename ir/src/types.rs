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

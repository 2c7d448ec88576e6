//! The opcode list: every IR operation, once, with its parameters, its
//! argument types, its result type and its effect. Everything else (names,
//! argument iteration, verification, printing) is derived from this table.

use crate::fp::{FpBinOp, FpRounding, FpSize, FpUnOp};
use crate::types::{CrcPoly, FenceKind, IntCC, MemSize, Ordering, RmwOp, SysReg, Type, Value, Width, Cond};
use crate::vector::{NarrowOp, VecBinOp, VecShiftOp, VecTernOp, VecUnOp};

/// What an operation does besides producing its value. Passes use this to
/// decide what may be removed or moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// No effect: removable when unused, foldable when its inputs are known.
    Pure,
    /// Reads guest CPU state: removable when unused.
    ReadState,
    /// Writes guest CPU state.
    WriteState,
    /// Touches guest memory and may fault.
    Memory,
    /// Floating-point or saturating arithmetic: reads FPCR, ORs flags into
    /// FPSR; never faults.
    Fp,
    /// A marker or a side effect outside CPU state and memory.
    Other,
}

/// An operation's arguments (at most four) without a heap allocation.
#[derive(Clone, Debug)]
pub struct ArgList<T> {
    items: [Option<T>; 4],
}

impl<T> ArgList<T> {
    pub fn from_array<const N: usize>(a: [T; N]) -> Self {
        let mut items = [None, None, None, None];
        for (slot, x) in items.iter_mut().zip(a) {
            *slot = Some(x);
        }
        assert!(N <= 4, "an IR operation has at most four arguments");
        ArgList { items }
    }
    pub fn len(&self) -> usize {
        self.items.iter().take_while(|x| x.is_some()).count()
    }
    pub fn is_empty(&self) -> bool {
        self.items[0].is_none()
    }
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter().map_while(|x| x.as_ref())
    }
}

impl<T> std::ops::Index<usize> for ArgList<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        self.items[i].as_ref().expect("argument index out of range")
    }
}

impl<T> IntoIterator for ArgList<T> {
    type Item = T;
    type IntoIter = std::iter::Flatten<std::array::IntoIter<Option<T>, 4>>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter().flatten()
    }
}

macro_rules! ret_ty {
    (I64) => {
        Some(Type::I64)
    };
    (V128) => {
        Some(Type::V128)
    };
    (None) => {
        None
    };
}

macro_rules! define_ops {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident { $($f:ident : $ft:ty),* } ( $($a:ident : $at:ident),* ) -> $rt:ident, $eff:ident;
    )*) => {
        /// One IR operation. Fields before the value arguments are static
        /// parameters; `Value` fields are SSA arguments.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Op {
            $( $(#[doc = $doc])* $name { $($f: $ft,)* $($a: Value,)* }, )*
        }

        impl Op {
            /// The opcode's name as the printer writes it.
            pub fn name(&self) -> &'static str {
                match self { $( Op::$name { .. } => stringify!($name), )* }
            }

            /// The SSA arguments with the type each must have.
            #[allow(unused_variables)]
            pub fn args(&self) -> ArgList<(Value, Type)> {
                match self {
                    $( Op::$name { $($a,)* .. } => ArgList::from_array([$((*$a, Type::$at)),*]), )*
                }
            }

            /// Calls `f` on each SSA argument (cheaper than `args` in hot loops).
            #[allow(unused_variables)]
            #[inline]
            pub fn for_each_arg(&self, mut f: impl FnMut(Value)) {
                match self {
                    $( Op::$name { $($a,)* .. } => { $(f(*$a);)* } )*
                }
            }

            /// Calls `f` on each SSA argument, mutably (passes that rewrite
            /// uses; cheaper than `args_mut` in hot loops).
            #[allow(unused_variables)]
            #[inline]
            pub fn for_each_arg_mut(&mut self, mut f: impl FnMut(&mut Value)) {
                match self {
                    $( Op::$name { $($a,)* .. } => { $(f($a);)* } )*
                }
            }

            /// Mutable access to the SSA arguments, for passes that rewrite uses.
            #[allow(unused_variables)]
            pub fn args_mut(&mut self) -> ArgList<&mut Value> {
                match self {
                    $( Op::$name { $($a,)* .. } => ArgList::from_array([$($a),*]), )*
                }
            }

            /// The type of the value this operation defines, if any.
            #[inline]
            pub fn result_type(&self) -> Option<Type> {
                match self { $( Op::$name { .. } => ret_ty!($rt), )* }
            }

            #[inline]
            pub fn effect(&self) -> Effect {
                match self { $( Op::$name { .. } => Effect::$eff, )* }
            }

            /// Static parameters as `name=value` pairs, for the printer.
            #[allow(unused_variables)]
            pub fn params(&self) -> Vec<(&'static str, String)> {
                match self {
                    $( Op::$name { $($f,)* .. } => vec![$((stringify!($f), format!("{:?}", $f))),*], )*
                }
            }
        }

        /// Every opcode name, in table order.
        pub const OPCODE_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

define_ops! {
    /// Placeholder left by a pass that deleted an operation; removed by `Block::compact`.
    Nop {} () -> None, Pure;
    /// Start of the guest instruction at `pc`: the boundary at which guest
    /// state is precise. Everything up to the next marker belongs to it.
    GuestInsn { pc: u64, word: u32 } () -> None, Other;

    Const { value: u64 } () -> I64, Pure;
    VConst { value: u128 } () -> V128, Pure;

    /// General register `r` (0..=30), or the stack pointer for `r == 31`.
    GetGpr { r: u8 } () -> I64, ReadState;
    SetGpr { r: u8 } (v: I64) -> None, WriteState;
    GetVec { r: u8 } () -> V128, ReadState;
    SetVec { r: u8 } (v: V128) -> None, WriteState;
    /// NZCV in bits 31..28, zero elsewhere.
    GetNzcv {} () -> I64, ReadState;
    /// Stores the word as given: producers keep it to bits 31..28 (the flag
    /// operations do; a lifted MSR NZCV masks first).
    SetNzcv {} (v: I64) -> None, WriteState;
    GetSys { reg: SysReg } () -> I64, ReadState;
    SetSys { reg: SysReg } (v: I64) -> None, WriteState;

    Add { w: Width } (a: I64, b: I64) -> I64, Pure;
    Sub { w: Width } (a: I64, b: I64) -> I64, Pure;
    /// a + b + c, c being 0 or 1 (ADC).
    AddCarry { w: Width } (a: I64, b: I64, c: I64) -> I64, Pure;
    /// a + !b + c, c being 0 or 1 (SBC).
    SubCarry { w: Width } (a: I64, b: I64, c: I64) -> I64, Pure;
    And { w: Width } (a: I64, b: I64) -> I64, Pure;
    Or { w: Width } (a: I64, b: I64) -> I64, Pure;
    Xor { w: Width } (a: I64, b: I64) -> I64, Pure;
    /// a & !b (BIC).
    AndNot { w: Width } (a: I64, b: I64) -> I64, Pure;
    /// a | !b (ORN).
    OrNot { w: Width } (a: I64, b: I64) -> I64, Pure;
    /// a ^ !b (EON).
    XorNot { w: Width } (a: I64, b: I64) -> I64, Pure;
    /// Shifts and rotate: the amount is taken modulo the width, as A64's
    /// variable shifts do.
    Shl { w: Width } (a: I64, b: I64) -> I64, Pure;
    Lshr { w: Width } (a: I64, b: I64) -> I64, Pure;
    Ashr { w: Width } (a: I64, b: I64) -> I64, Pure;
    Ror { w: Width } (a: I64, b: I64) -> I64, Pure;
    Mul { w: Width } (a: I64, b: I64) -> I64, Pure;
    /// High 64 bits of the 128-bit product.
    UMulH {} (a: I64, b: I64) -> I64, Pure;
    SMulH {} (a: I64, b: I64) -> I64, Pure;
    /// Division as A64 defines it: x/0 = 0, MIN/-1 = MIN, rounds toward zero.
    UDiv { w: Width } (a: I64, b: I64) -> I64, Pure;
    SDiv { w: Width } (a: I64, b: I64) -> I64, Pure;
    Neg { w: Width } (a: I64) -> I64, Pure;
    Not { w: Width } (a: I64) -> I64, Pure;
    Clz { w: Width } (a: I64) -> I64, Pure;
    /// Population count of all 64 bits (made from the CNT+ADDV idiom).
    Popcnt {} (a: I64) -> I64, Pure;
    /// Count leading sign bits (not counting the sign bit itself).
    Cls { w: Width } (a: I64) -> I64, Pure;
    Rbit { w: Width } (a: I64) -> I64, Pure;
    /// Byte reversal of the whole width (REV).
    Rev { w: Width } (a: I64) -> I64, Pure;
    /// Byte reversal inside each 16-bit halfword (REV16).
    Rev16 { w: Width } (a: I64) -> I64, Pure;
    /// Byte reversal inside each 32-bit word of a 64-bit value (REV32).
    Rev32 {} (a: I64) -> I64, Pure;
    /// Sign-extend from bit `from - 1` to 64 bits.
    Sext { from: u8 } (a: I64) -> I64, Pure;
    /// Keep the low `from` bits.
    Zext { from: u8 } (a: I64) -> I64, Pure;
    /// 1 if the comparison holds, else 0.
    Icmp { cc: IntCC, w: Width } (a: I64, b: I64) -> I64, Pure;
    /// `a` if `c != 0`, else `b`.
    Select {} (c: I64, a: I64, b: I64) -> I64, Pure;
    VSelect {} (c: I64, a: V128, b: V128) -> V128, Pure;

    /// NZCV of a + b, a - b, a + b + c, a + !b + c, as ADDS/SUBS/ADCS/SBCS set it.
    AddFlags { w: Width } (a: I64, b: I64) -> I64, Pure;
    SubFlags { w: Width } (a: I64, b: I64) -> I64, Pure;
    AdcFlags { w: Width } (a: I64, b: I64, c: I64) -> I64, Pure;
    SbcFlags { w: Width } (a: I64, b: I64, c: I64) -> I64, Pure;
    /// NZCV of a logical result: N and Z from `r`, C = V = 0.
    LogicFlags { w: Width } (r: I64) -> I64, Pure;
    /// 1 if `cond` holds on the NZCV word, else 0.
    CondHolds { cond: Cond } (nzcv: I64) -> I64, Pure;
    /// CRC32{B,H,W,X} / CRC32C*: update `acc` with the low `size` bytes of `v`.
    Crc32 { poly: CrcPoly, size: MemSize } (acc: I64, v: I64) -> I64, Pure;

    /// Little-endian guest load, zero-extended to 64 bits.
    Load { size: MemSize, ord: Ordering } (addr: I64) -> I64, Memory;
    Store { size: MemSize, ord: Ordering } (addr: I64, v: I64) -> None, Memory;
    Load128 {} (addr: I64) -> V128, Memory;
    Store128 {} (addr: I64, v: V128) -> None, Memory;
    /// LDXR/LDAXR: load and arm the exclusive monitor (alignment checked).
    LoadExclusive { size: MemSize, ord: Ordering } (addr: I64) -> I64, Memory;
    /// STXR/STLXR: store if the monitor still holds; 0 on success, 1 on failure.
    StoreExclusive { size: MemSize, ord: Ordering } (addr: I64, v: I64) -> I64, Memory;
    /// LDXP/STXP of two 64-bit registers (16 bytes, 16-byte aligned).
    LoadExclusive128 { ord: Ordering } (addr: I64) -> V128, Memory;
    StoreExclusive128 { ord: Ordering } (addr: I64, v: V128) -> I64, Memory;
    ClearExclusive {} () -> None, WriteState;
    /// LSE read-modify-write: returns the old value.
    AtomicRmw { op: RmwOp, size: MemSize, ord: Ordering } (addr: I64, v: I64) -> I64, Memory;
    /// CAS: returns the old value; stores `new` when it equalled `expected`.
    Cas { size: MemSize, ord: Ordering } (addr: I64, expected: I64, new: I64) -> I64, Memory;
    /// CASP of two 64-bit registers.
    Cas128 { ord: Ordering } (addr: I64, expected: V128, new: V128) -> V128, Memory;
    Fence { kind: FenceKind } () -> None, Other;
    /// DC ZVA: zero `bytes` bytes at `addr` (already aligned).
    ZeroBlock { bytes: u32 } (addr: I64) -> None, Memory;
    /// IC IVAU: the code cache must forget translations of this line.
    InvalidateCode {} (addr: I64) -> None, Other;

    FpBin { op: FpBinOp, size: FpSize } (a: I64, b: I64) -> I64, Fp;
    FpUn { op: FpUnOp, size: FpSize } (a: I64) -> I64, Fp;
    /// Fused (±addend) + (±(a*b)), rounded once: FMADD/FMSUB/FNMADD/FNMSUB.
    FpMulAdd { size: FpSize, neg_product: bool, neg_addend: bool } (addend: I64, a: I64, b: I64) -> I64, Fp;
    /// NZCV of an FP compare (FCMP quiet, FCMPE signaling).
    FpCmp { size: FpSize, signaling: bool } (a: I64, b: I64) -> I64, Fp;
    FpConvert { from: FpSize, to: FpSize } (a: I64) -> I64, Fp;
    /// FP → integer (saturating), with `fbits` fraction bits for fixed point.
    FpToInt { from: FpSize, w: Width, signed: bool, mode: FpRounding, fbits: u8 } (a: I64) -> I64, Fp;
    IntToFp { to: FpSize, w: Width, signed: bool, fbits: u8 } (a: I64) -> I64, Fp;

    VBin { op: VecBinOp, esize: u8, q: bool } (a: V128, b: V128) -> V128, Fp;
    VUn { op: VecUnOp, esize: u8, q: bool } (a: V128) -> V128, Fp;
    /// Shift by immediate; `acc` is the destination's old value, read only by
    /// the accumulate and insert forms.
    VShift { op: VecShiftOp, esize: u8, q: bool, amount: u8 } (acc: V128, a: V128) -> V128, Fp;
    VTern { op: VecTernOp, esize: u8, q: bool } (d: V128, n: V128, m: V128) -> V128, Fp;
    /// Widen the low (or, `upper`, high) 64 bits: lanes of `esize` bytes
    /// become lanes of 2*esize (UXTL/SXTL and the *L2 forms).
    VExtend { signed: bool, esize: u8, upper: bool } (a: V128) -> V128, Pure;
    /// PMULL/PMULL2: polynomial (carry-less) products of the lanes of
    /// `esize` bytes (1 or 8) in the low (`upper`: high) 64 bits of `a` and
    /// `b`, each in a lane twice as wide.
    VPmull { esize: u8, upper: bool } (a: V128, b: V128) -> V128, Pure;
    /// Narrow lanes of 2*`esize` to `esize` into the low or high half of `d`.
    VNarrow { op: NarrowOp, esize: u8, upper: bool } (d: V128, a: V128) -> V128, Fp;
    /// FCVTL/FCVTL2: widen FP lanes of `from` size from the low/high half.
    VFcvtLong { from: FpSize, upper: bool } (a: V128) -> V128, Fp;
    /// EXT: bytes `[bytes, bytes+16)` (or +8 when !q) of the pair b:a.
    VExt { q: bool, bytes: u8 } (a: V128, b: V128) -> V128, Pure;
    /// AESE/AESD (`d` the state, `n` the round key) and AESMC/AESIMC (of `n`).
    VAes { op: crate::vector::AesOp } (d: V128, n: V128) -> V128, Pure;
    /// SHA-1 and SHA-256 steps (`ShaOp`; the two-register forms ignore `m`).
    VSha { op: crate::vector::ShaOp } (d: V128, n: V128, m: V128) -> V128, Pure;
    /// One table register of TBL/TBX: lanes of `idx` in `[base, base+16)`
    /// take `table[idx-base]`, others keep `acc`.
    VTblStep { base: u8, q: bool } (acc: V128, table: V128, idx: V128) -> V128, Pure;
    /// Broadcast the low `esize` bytes of `x` (DUP general).
    VDup { esize: u8, q: bool } (x: I64) -> V128, Pure;
    VDupLane { esize: u8, q: bool, idx: u8 } (v: V128) -> V128, Pure;
    VInsertLane { esize: u8, idx: u8 } (v: V128, x: I64) -> V128, Pure;
    /// Lane `idx`, zero-extended.
    VExtractLane { esize: u8, idx: u8 } (v: V128) -> I64, Pure;
    VFromHalves {} (lo: I64, hi: I64) -> V128, Pure;
}

impl Op {
    /// True for operations that may stop the block with a guest fault.
    #[inline]
    pub fn may_fault(&self) -> bool {
        self.effect() == Effect::Memory
    }

    /// Is the operation's I64 result always below 2^32 (a 32-bit operation
    /// zero-extends; so do narrow loads, compares, small constants)? The
    /// optimiser drops redundant zero-extensions and the code generators
    /// use 64-bit instructions on such values without re-extending.
    pub fn high_word_zero(&self) -> bool {
        use crate::types::{MemSize, Width};
        match *self {
            Op::Const { value } => value <= u32::MAX as u64,
            Op::Zext { from, .. } => from <= 32,
            Op::Load { size, .. } => matches!(size, MemSize::B1 | MemSize::B2 | MemSize::B4),
            Op::Icmp { .. } | Op::CondHolds { .. } | Op::Popcnt { .. } => true,
            _ => self.alu_width() == Some(Width::W32),
        }
    }

    /// The width of an integer arithmetic, logic or shift operation whose
    /// 32-bit form reads only its operands' low words and zero-extends its
    /// result (A64's W-register forms); `None` for everything else.
    pub fn alu_width(&self) -> Option<crate::types::Width> {
        match *self {
            Op::Add { w, .. }
            | Op::Sub { w, .. }
            | Op::AddCarry { w, .. }
            | Op::SubCarry { w, .. }
            | Op::And { w, .. }
            | Op::Or { w, .. }
            | Op::Xor { w, .. }
            | Op::AndNot { w, .. }
            | Op::OrNot { w, .. }
            | Op::XorNot { w, .. }
            | Op::Shl { w, .. }
            | Op::Lshr { w, .. }
            | Op::Ashr { w, .. }
            | Op::Ror { w, .. }
            | Op::Mul { w, .. }
            | Op::UDiv { w, .. }
            | Op::SDiv { w, .. }
            | Op::Neg { w, .. }
            | Op::Not { w, .. } => Some(w),
            _ => None,
        }
    }
}

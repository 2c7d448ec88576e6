//! The optimising tier: a region of hot guest blocks lowered from IR to
//! CLIF and compiled by Cranelift for s390x (issue #7).
//!
//! A region is one Cranelift function,
//! `extern "C" fn(cpu: *mut CpuState, guest_base: u64, ctx: *mut JitContext) -> u64`,
//! returning the same exit codes as baseline blocks (`EXIT_*`, with
//! `CpuState::pc` set). It is entered through a shim (`emit::region_shim`)
//! that the code cache holds in place of the baseline block at the region's
//! entry PC.
//!
//! Inside the region guest registers, vector registers and NZCV are
//! Cranelift variables (SSA values across the region's blocks and loops),
//! loaded once at entry. Guest state is made precise where it can be
//! observed, as QEMU does for its globals: before every operation that may
//! fault (a guest memory access or a helper that reaches memory) the
//! variables written since the last such point are stored to the
//! `CpuState`, and every exit stores them too. Each guest instruction's
//! operations carry a source location naming it, so a host fault inside
//! the code maps back to the exact guest PC (`CompiledRegion::pc_ranges`),
//! and the state in the `CpuState` is the state before that instruction.
//!
//! Flags: NZCV travels in the `CpuState`'s lazy form too (the kind of the
//! last ADDS/SUBS/ANDS-like operation and its operands, `lazy_flags`), and
//! fault points and exits store that form, so the flags word is packed
//! only where `GetNzcv` or a condition that is not a simple comparison
//! reads it; `CondHolds` of a `SubFlags`/`LogicFlags` result in the same
//! block becomes one integer comparison.
//!
//! Operations without a CLIF lowering call the same helper as the
//! baseline (`helper::jit_eval`). `lowerable` says which operations have
//! one, so the runtime can keep blocks whose operations the baseline lowers
//! better (vector and FP fast paths) out of regions.

use crate::emit::helper::{self, JitContext, FAULT_OUT_OF_WINDOW};
use crate::emit::{EXIT_EXCEPTION, EXIT_FAULT, EXIT_JUMP, EXIT_SYSCALL};
use crate::facilities::{Facility, HostFacilities};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::condcodes::IntCC as CC;
use cranelift_codegen::ir::{self, types, AbiParam, Endianness, InstBuilder, MemFlagsData, SourceLoc, StackSlotData, StackSlotKind};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use std::collections::HashMap;
use std::mem::offset_of;
use zarm_ir::fp::{FpBinOp, FpSize, FpUnOp};
use zarm_ir::vector::{VecBinOp, VecShiftOp, VecTernOp, VecUnOp};
use zarm_ir::state::lazy_flags;
use zarm_ir::{Block, Cond, CpuState, IntCC, MemSize, Op, Terminator, Type, Value, Width};

/// Hot guest blocks to compile together. `blocks[0]` is the entry; edges
/// between blocks of the region stay inside the compiled function, every
/// other edge leaves it.
pub struct Region {
    pub blocks: Vec<Block>,
    /// Per block (missing: none), the guest PCs its indirect branch is
    /// predicted to go to, all blocks of the region: the code compares the
    /// target with them and stays in the region on a match, leaving on
    /// anything else.
    pub indirect: Vec<Vec<u64>>,
}

impl Region {
    /// A region of `blocks` without predicted indirect branches.
    pub fn of(blocks: Vec<Block>) -> Region {
        Region { blocks, indirect: Vec::new() }
    }

    /// The region-internal candidates among block `k`'s successors: its
    /// direct targets and its predicted indirect ones.
    fn successors(&self, k: usize) -> Vec<u64> {
        let mut t = self.blocks[k].term.direct_targets();
        t.extend(self.indirect.get(k).into_iter().flatten().copied());
        t
    }
}

/// What the tier produced for a region.
pub struct CompiledRegion {
    /// The function's code (position independent: no relocations).
    pub code: Vec<u8>,
    /// Host code ranges `[start, end)` (offsets into `code`) and the guest
    /// PC of the instruction they belong to, sorted by start.
    pub pc_ranges: Vec<(u32, u32, u64)>,
    /// Helper operands referenced by address from the code.
    pub helper_ops: Box<[Op]>,
    pub guest_insns: u32,
    pub helper_calls: u32,
    /// The CLIF text, when asked for (`--dump`).
    pub clif: Option<String>,
}

/// Settings of one compilation.
pub struct TierConfig {
    pub guest_addr_bits: u32,
    /// The runtime keeps inaccessible guard bytes after the guest window,
    /// so only an access's first byte needs the window check (else its
    /// last byte is checked too), as in `emit::EmitConfig`.
    pub window_guard: bool,
    /// Check `JitContext::exit_request` at the head of every block that
    /// closes a loop of the region (`loop_heads`), as baseline blocks do
    /// at entry.
    pub exit_checks: bool,
    /// Every edge leaves the function, also to a block of the region, so
    /// that one call runs one block (lock-step mode).
    pub one_pass: bool,
    pub want_clif: bool,
    /// Per region block (same order), the address of a u64 its code adds
    /// one to on every entry (`--stats`); empty for none.
    pub block_counters: Vec<u64>,
    /// Per helper operation of the region (blocks in order, `calls_helper`
    /// operations in block order), the address of a u64 its code adds one
    /// to on every call of the helper (`--stats`); empty for none.
    pub helper_counters: Vec<u64>,
    /// The counters are updated interlocked: the code may run on several
    /// threads at once (a region shared between guest threads).
    pub atomic_counters: bool,
}

/// Why the tier cannot run on a host with these facilities, if it cannot:
/// Cranelift's s390x backend targets z14 (arch12) as its base.
pub fn unavailable_reason(f: HostFacilities) -> Option<String> {
    let need = [Facility::Vector, Facility::VectorEnhancements1, Facility::MiscInstructionExtensions2, Facility::DistinctOperands];
    let missing: Vec<&str> = need.iter().filter(|x| !f.has(**x)).map(|x| x.name()).collect();
    if missing.is_empty() {
        None
    } else {
        Some(format!("Cranelift's s390x backend needs the z14 base; missing (or not allowed by --assist): {}", missing.join(", ")))
    }
}

/// Does the tier lower `op` itself (true), or call the helper for it?
pub fn lowerable(op: &Op) -> bool {
    use Op::*;
    matches!(
        op,
        Nop {} | GuestInsn { .. } | Const { .. } | VConst { .. } | GetGpr { .. } | SetGpr { .. } | GetVec { .. } | SetVec { .. }
            | GetNzcv {} | SetNzcv { .. } | Add { .. } | Sub { .. } | AddCarry { .. } | SubCarry { .. } | And { .. }
            | Or { .. } | Xor { .. } | AndNot { .. } | OrNot { .. } | XorNot { .. } | Shl { .. } | Lshr { .. }
            | Ashr { .. } | Ror { .. } | Mul { .. } | UMulH { .. } | SMulH { .. } | UDiv { .. } | SDiv { .. }
            | Neg { .. } | Not { .. } | Clz { .. } | Popcnt { .. } | Cls { .. } | Rbit { .. } | Rev { .. } | Rev16 { .. }
            | Rev32 { .. } | Sext { .. } | Zext { .. } | Icmp { .. } | Select { .. } | VSelect { .. }
            | AddFlags { .. } | SubFlags { .. } | AdcFlags { .. } | SbcFlags { .. } | LogicFlags { .. }
            | CondHolds { .. } | Load { .. } | Store { .. } | Load128 { .. } | Store128 { .. } | Fence { .. }
            | VExtractLane { .. } | VInsertLane { .. } | VFromHalves { .. } | Crc32 { .. }
            | VShift { op: VecShiftOp::Shl | VecShiftOp::Ushr, .. } | VShift { op: VecShiftOp::Sshr, esize: 8, .. }
            | VBin { op: VecBinOp::And | VecBinOp::Orr | VecBinOp::Eor | VecBinOp::Bic | VecBinOp::Orn | VecBinOp::Add | VecBinOp::Sub | VecBinOp::CmEq, .. }
            | VExtend { .. } | VTern { op: VecTernOp::Bsl | VecTernOp::Bit | VecTernOp::Bif, .. } | VDup { .. } | VDupLane { .. }
            | VAes { .. }
    ) || fp_fast(op)
        || matches!(op, VBin { op: VecBinOp::Umax | VecBinOp::Umin | VecBinOp::Smax | VecBinOp::Smin | VecBinOp::CmHs | VecBinOp::CmHi | VecBinOp::CmGe | VecBinOp::CmGt | VecBinOp::CmTst, .. })
        || matches!(op, VUn { op: VecUnOp::CmEq0 | VecUnOp::CmGt0 | VecUnOp::CmGe0 | VecUnOp::CmLe0 | VecUnOp::CmLt0, .. })
        // (64-bit lanes pair only in 128-bit arrangements.)
        || matches!(op, VBin { op: VecBinOp::Addp | VecBinOp::Umaxp | VecBinOp::Uminp | VecBinOp::Smaxp | VecBinOp::Sminp, esize, q, .. } if *esize < 8 || *q)
        || matches!(op, FpUn { op: FpUnOp::Abs | FpUnOp::Neg, .. })
        || matches!(op, GetSys { reg } if crate::emit::sys_field(*reg).is_some())
        || matches!(op, SetSys { reg, .. } if crate::emit::sys_field(*reg).is_some_and(|(_, writable)| writable != 0))
}

/// Does the tier's code for `op` call the helper (always, or as the slow
/// path of a guarded FP operation)? These get a renumbered helper operand.
pub fn calls_helper(op: &Op) -> bool {
    !lowerable(op) || fp_fast(op)
}

/// Scalar FP operations lowered natively behind a guard, with the helper
/// as their slow path (see `Lower::fp_guarded`).
pub fn fp_fast(op: &Op) -> bool {
    let sd = |s: FpSize| matches!(s, FpSize::S | FpSize::D);
    match *op {
        Op::FpBin { op, size, .. } => {
            use FpBinOp::*;
            sd(size) && matches!(op, Add | Sub | Mul | Div | NMul | Max | Min | MaxNum | MinNum)
        }
        Op::FpUn { op: FpUnOp::Sqrt, size, .. } | Op::FpMulAdd { size, .. } | Op::FpCmp { size, .. } => sd(size),
        // FRINTN/P/M/Z/X/I (CLIF has no ties-away rounding).
        Op::FpUn { op: FpUnOp::Round { mode, .. }, size, .. } => {
            use zarm_ir::fp::FpRounding as R;
            sd(size) && matches!(mode, R::TieEven | R::PosInf | R::NegInf | R::Zero | R::Current)
        }
        Op::FpConvert { from, to, .. } => matches!((from, to), (FpSize::S, FpSize::D) | (FpSize::D, FpSize::S)),
        // SCVTF/UCVTF, and FCVTZS/FCVTZU (truncation: CLIF's conversion),
        // not the fixed-point forms.
        Op::IntToFp { to: size, fbits: 0, .. } => sd(size),
        Op::FpToInt { from: size, mode: zarm_ir::fp::FpRounding::Zero, fbits: 0, .. } => sd(size),
        _ => false,
    }
}

/// The arithmetic whose exactness the tier can tell from the operands
/// (`Lower::arith_exact`), so it runs natively with FPSR.IXC clear too.
#[derive(Clone, Copy)]
enum ExactKind {
    Add,
    Sub,
    Mul,
    MulAdd { neg_product: bool, neg_addend: bool },
    /// SCVTF/UCVTF: exact when the integer fits the significand.
    IntToFp { w: Width, signed: bool, to: FpSize },
    /// FCVTZS/FCVTZU: exact when the operand is integral.
    FpToInt,
    /// FCVT double to single: exact when widening the result gives the
    /// operand back.
    Demote,
}

/// A scalar `fp_fast` operation's `ExactKind`, FP size and operands (a
/// multiply-add's addend first), if it has one.
fn exact_kind(op: &Op) -> Option<(ExactKind, FpSize, Vec<Value>)> {
    Some(match *op {
        Op::FpBin { op: FpBinOp::Add, size, a, b } => (ExactKind::Add, size, vec![a, b]),
        Op::FpBin { op: FpBinOp::Sub, size, a, b } => (ExactKind::Sub, size, vec![a, b]),
        // NMUL: -(a*b) is exact when a*b is.
        Op::FpBin { op: FpBinOp::Mul | FpBinOp::NMul, size, a, b } => (ExactKind::Mul, size, vec![a, b]),
        Op::FpMulAdd { size, neg_product, neg_addend, addend, a, b } => (ExactKind::MulAdd { neg_product, neg_addend }, size, vec![addend, a, b]),
        Op::IntToFp { to, w, signed, a, .. } => (ExactKind::IntToFp { w, signed, to }, to, vec![a]),
        Op::FpToInt { from, a, .. } => (ExactKind::FpToInt, from, vec![a]),
        Op::FpConvert { from: FpSize::D, to: FpSize::S, a } => (ExactKind::Demote, FpSize::D, vec![a]),
        _ => return None,
    })
}

/// The Cranelift compiler for one thread (its contexts are reused).
pub struct Tier {
    isa: OwnedTargetIsa,
    ctx: Context,
    fctx: FunctionBuilderContext,
}

impl Tier {
    /// A compiler for s390x with the facilities `f` (the host's, restricted
    /// by `--assist`) passed to Cranelift's ISA flags.
    pub fn new(f: HostFacilities) -> Result<Tier, String> {
        if let Some(why) = unavailable_reason(f) {
            return Err(why);
        }
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").map_err(|e| e.to_string())?;
        flags.set("enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" }).map_err(|e| e.to_string())?;
        let mut isa = cranelift_codegen::isa::lookup_by_name("s390x").map_err(|e| e.to_string())?;
        if f.has(Facility::MiscInstructionExtensions3) {
            isa.enable("has_mie3").map_err(|e| e.to_string())?;
        }
        if f.has(Facility::VectorEnhancements2) {
            isa.enable("has_vxrs_ext2").map_err(|e| e.to_string())?;
        }
        let isa = isa.finish(settings::Flags::new(flags)).map_err(|e| e.to_string())?;
        Ok(Tier { isa, ctx: Context::new(), fctx: FunctionBuilderContext::new() })
    }

    /// Compiles `region`. Fails only on an internal limit or a Cranelift
    /// error (the caller keeps the baseline code then).
    pub fn compile(&mut self, region: &Region, cfg: &TierConfig) -> Result<CompiledRegion, String> {
        // Helper operands first (renumbered arguments, as the baseline's),
        // so their addresses are fixed before the code embeds them.
        let helper_ops: Box<[Op]> =
            region.blocks.iter().flat_map(|b| &b.ops).filter(|op| calls_helper(op)).map(helper::helper_operand).collect();

        self.ctx.clear();
        let mut sig = ir::Signature::new(CallConv::SystemV);
        for _ in 0..3 {
            sig.params.push(AbiParam::new(types::I64));
        }
        sig.returns.push(AbiParam::new(types::I64));
        self.ctx.func.signature = sig;
        self.ctx.func.params.ensure_base_srcloc(SourceLoc::new(0));
        let frontend = self.isa.frontend_config();
        let (pcs, helper_calls) = {
            let b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
            let mut l = Lower::new(b, region, cfg, &helper_ops);
            l.run();
            let Lower { mut b, pcs, helper_calls, .. } = l;
            b.seal_all_blocks();
            b.finalize(frontend);
            (pcs, helper_calls)
        };
        let clif = cfg.want_clif.then(|| self.ctx.func.display().to_string());
        let code = self.ctx.compile(&*self.isa, &mut ControlPlane::default()).map_err(|e| format!("Cranelift: {:?}", e.inner))?;
        if !code.buffer.relocs().is_empty() {
            return Err("Cranelift code has relocations; the tier places code without a linker".into());
        }
        let mut pc_ranges: Vec<(u32, u32, u64)> = code
            .buffer
            .get_srclocs_sorted()
            .iter()
            .filter(|s| !s.loc.is_default())
            .filter_map(|s| pcs.get(s.loc.bits() as usize).map(|pc| (s.start, s.end, *pc)))
            .collect();
        pc_ranges.sort_by_key(|r| r.0);
        Ok(CompiledRegion {
            code: code.code_buffer().to_vec(),
            pc_ranges,
            helper_ops,
            guest_insns: region.blocks.iter().map(|b| b.guest_insns).sum(),
            helper_calls,
            clif,
        })
    }
}

/// The `lazy_flags` width bit of a flag operation.
fn lazy_width(w: Width) -> u64 {
    match w {
        Width::W64 => lazy_flags::W64,
        Width::W32 => 0,
    }
}

/// Where an NZCV word came from, for conditions that compare directly.
#[derive(Clone, Copy)]
enum FlagSrc {
    Sub { a: ir::Value, b: ir::Value },
    Logic { r: ir::Value },
}

const NZCV_VAR: usize = 64;
/// Vector register r is two 64-bit variables: 32 + r its low half, VHI + r
/// its high half (IR `V128` values likewise travel as two `I64` values, so
/// the tier never needs 128-bit registers).
const VHI: usize = 65;
/// NZCV also travels in the lazy form the `CpuState` can hold
/// (`lazy_flags`): the kind of the last flag-setting operation and its
/// operands, or `SETTLED` with the flags word in `FA_VAR`. The state is
/// stored in that form, so NZCV is packed only where a condition or
/// `GetNzcv` needs the word — not at every fault point and exit.
const FOP_VAR: usize = 97;
const FA_VAR: usize = 98;
const FB_VAR: usize = 99;
const NVARS: usize = 100;

/// The variables a register number from `var_of` stands for.
fn var_mask(v: usize) -> u128 {
    if (32..64).contains(&v) {
        1 << v | 1 << (v - 32 + VHI)
    } else if v == NZCV_VAR {
        1 << v | 1 << FOP_VAR | 1 << FA_VAR | 1 << FB_VAR
    } else {
        1 << v
    }
}

struct Lower<'a, 'b> {
    b: FunctionBuilder<'b>,
    region: &'a Region,
    cfg: &'a TierConfig,
    helper_ops: &'a [Op],
    next_helper: usize,
    helper_calls: u32,
    cpu: ir::Value,
    base: ir::Value,
    ctx: ir::Value,
    /// Variables 0..32 the general registers (31 = SP), 32..64 and VHI.. the
    /// halves of the vector
    /// registers, 64 NZCV; `None` for those the region never touches.
    vars: [Option<Variable>; NVARS],
    /// Variables written anywhere in the region.
    written: u128,
    /// Variables read anywhere in the region.
    read: u128,
    /// Variables written since the state was last stored.
    dirty: u128,
    /// CLIF block of each region block's guest PC.
    heads: HashMap<u64, ir::Block>,
    /// Region blocks entered from inside the region (loop heads).
    internal_targets: std::collections::HashSet<u64>,
    /// The blocks that check `JitContext::exit_request` (`loop_heads`).
    loop_heads: std::collections::HashSet<u64>,
    /// Variables possibly unstored when a region block is entered from
    /// inside the region (a forward data-flow fixpoint).
    head_dirty: HashMap<u64, u128>,
    vals: Vec<Option<ir::Value>>,
    /// The region block being lowered (its index).
    cur: usize,
    /// Host addresses of the values of the current block already checked
    /// as access bases (`access`).
    checked_bases: HashMap<usize, ir::Value>,
    /// The high halves of `V128` values (`vals` holds their low halves).
    vhi: Vec<Option<ir::Value>>,
    flag_src: Vec<Option<FlagSrc>>,
    /// The lazy form (`lazy_flags` kind, operands) of flag values defined
    /// in the current block.
    lazy_src: Vec<Option<(u64, ir::Value, ir::Value)>>,
    /// Source location index → guest PC.
    pcs: Vec<u64>,
    pc: u64,
    args_slot: ir::StackSlot,
    le: MemFlagsData,
    native: MemFlagsData,
    /// For regions with guarded FP operations (`fp_guarded`): whether FPCR
    /// is in its default mode, and whether it is and FPSR.IXC is set too
    /// (0 or 1). Read at entry and again after whatever may change the
    /// two words (a helper call, a system-register write), not at every
    /// operation.
    fp_guard: Option<(Variable, Variable)>,
}

/// Where lane `idx` of `esize` bytes lies in a vector held as two 64-bit
/// halves: the half (0 low, 1 high), its bit offset there and its mask.
fn lane_at(esize: u8, idx: u8) -> (u32, u32, u64) {
    let off = esize as u32 * idx as u32;
    (off / 8, 8 * (off % 8), lane_mask(esize))
}

/// The sign bit of each `e`-byte value in slots of `2e` bytes (`e` < 8;
/// see `Lower::lane_op`).
fn slot_bias(e: u8) -> u64 {
    lane_repl(2 * e, 1 << (8 * e as u32 - 1))
}

/// The low `esize` bytes' mask (`esize` 1 to 8).
fn lane_mask(esize: u8) -> u64 {
    u64::MAX >> (64 - 8 * esize as u32)
}

/// `m` in every lane of `esize` bytes of a 64-bit half.
fn lane_repl(esize: u8, m: u64) -> u64 {
    let bits = 8 * esize as u32;
    (0..64 / bits).fold(0u64, |acc, k| acc | m << (k * bits))
}

fn var_of(op: &Op) -> Option<(usize, bool)> {
    match op {
        Op::GetGpr { r } => Some((*r as usize, false)),
        Op::SetGpr { r, .. } => Some((*r as usize, true)),
        Op::GetVec { r } => Some((32 + *r as usize, false)),
        Op::SetVec { r, .. } => Some((32 + *r as usize, true)),
        Op::GetNzcv {} => Some((NZCV_VAR, false)),
        Op::SetNzcv { .. } => Some((NZCV_VAR, true)),
        _ => None,
    }
}

/// Where the low and the high half of a host u128 lie (big-endian s390x:
/// the high half first).
const U128_LO: usize = if cfg!(target_endian = "big") { 8 } else { 0 };
const U128_HI: usize = 8 - U128_LO;

fn cpu_offset(var: usize) -> i32 {
    (match var {
        0..32 => offset_of!(CpuState, x) + 8 * var,
        NZCV_VAR => offset_of!(CpuState, nzcv),
        32..NZCV_VAR => offset_of!(CpuState, v) + 16 * (var - 32) + U128_LO,
        _ => offset_of!(CpuState, v) + 16 * (var - VHI) + U128_HI,
    }) as i32
}

/// Does the lowering of `op` store the dirty variables first?
fn flushes(op: &Op) -> bool {
    op.may_fault()
}

/// For every region block entered from inside the region, the variables
/// that may be written and not yet stored on entry: the union over its
/// predecessors in the region of what they leave unstored (what they write
/// after their last flushing operation, or what they received plus what
/// they write when they have none).
fn dirty_at_heads(region: &Region, heads: &HashMap<u64, ir::Block>, internal: &std::collections::HashSet<u64>) -> HashMap<u64, u128> {
    let blocks: Vec<(usize, &Block)> = {
        let mut seen = std::collections::HashSet::new();
        region.blocks.iter().enumerate().filter(|(_, b)| heads.contains_key(&b.start_pc) && seen.insert(b.start_pc)).collect()
    };
    // Per block: (has a flushing op, written after the last one).
    let summary: Vec<(bool, u128)> = blocks
        .iter()
        .map(|(_, b)| {
            let (mut fl, mut gen) = (false, 0u128);
            for op in &b.ops {
                if flushes(op) {
                    fl = true;
                    gen = 0;
                }
                if let Some((v, true)) = var_of(op) {
                    gen |= var_mask(v);
                }
            }
            (fl, gen)
        })
        .collect();
    let mut into: HashMap<u64, u128> = internal.iter().map(|pc| (*pc, 0)).collect();
    loop {
        let mut changed = false;
        for ((k, b), (fl, gen)) in blocks.iter().zip(&summary) {
            let dirty_in = into.get(&b.start_pc).copied().unwrap_or(0);
            let out = if *fl { *gen } else { dirty_in | gen };
            for t in region.successors(*k) {
                if let Some(d) = into.get_mut(&t) {
                    if *d | out != *d {
                        *d |= out;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return into;
        }
    }
}

/// The region blocks that check for an exit request: the targets of the
/// region's retreating edges (from a block to one placed no later in the
/// region's order, itself included). Every cycle of the region has such
/// an edge — a path along which the order only grows cannot come back —,
/// so every trip round a loop passes a check, and straight-line paths
/// through the region carry none.
fn loop_heads(region: &Region, internal: &std::collections::HashSet<u64>) -> std::collections::HashSet<u64> {
    let mut first = HashMap::new();
    for (k, b) in region.blocks.iter().enumerate() {
        first.entry(b.start_pc).or_insert(k);
    }
    let mut heads = std::collections::HashSet::new();
    for k in 0..region.blocks.len() {
        // A block listed again is lowered once, at its first place.
        if first[&region.blocks[k].start_pc] != k {
            continue;
        }
        for t in region.successors(k) {
            if internal.contains(&t) && first.get(&t).is_some_and(|&j| j <= k) {
                heads.insert(t);
            }
        }
    }
    heads
}

impl<'a, 'b> Lower<'a, 'b> {
    fn new(mut b: FunctionBuilder<'b>, region: &'a Region, cfg: &'a TierConfig, helper_ops: &'a [Op]) -> Self {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        let args_slot = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 16 * 5, 4));
        let mut vars = [None; NVARS];
        let mut written = 0u128;
        let mut read = 0u128;
        for blk in &region.blocks {
            for op in &blk.ops {
                if let Some((v, w)) = var_of(op) {
                    let mask = var_mask(v);
                    for k in 0..NVARS {
                        if mask >> k & 1 == 1 && vars[k].is_none() {
                            vars[k] = Some(b.declare_var(types::I64));
                        }
                    }
                    if w {
                        written |= mask;
                    } else {
                        read |= mask;
                    }
                }
            }
        }
        let mut heads = HashMap::new();
        for blk in &region.blocks {
            heads.entry(blk.start_pc).or_insert_with(|| b.create_block());
        }
        let internal_targets = if cfg.one_pass {
            Default::default()
        } else {
            (0..region.blocks.len()).flat_map(|k| region.successors(k)).filter(|t| heads.contains_key(t)).collect()
        };
        let head_dirty = dirty_at_heads(region, &heads, &internal_targets);
        let loop_heads = loop_heads(region, &internal_targets);
        let fp_guard = region.blocks.iter().any(|blk| blk.ops.iter().any(fp_fast)).then(|| (b.declare_var(types::I64), b.declare_var(types::I64)));
        Lower {
            fp_guard,
            b,
            head_dirty,
            region,
            cfg,
            helper_ops,
            next_helper: 0,
            helper_calls: 0,
            cpu: params[0],
            base: params[1],
            ctx: params[2],
            vars,
            written,
            read,
            dirty: 0,
            heads,
            internal_targets,
            loop_heads,
            vals: Vec::new(),
            cur: 0,
            checked_bases: HashMap::new(),
            vhi: Vec::new(),
            flag_src: Vec::new(),
            lazy_src: Vec::new(),
            pcs: Vec::new(),
            pc: region.blocks[0].start_pc,
            args_slot,
            le: MemFlagsData::new().with_endianness(Endianness::Little),
            native: MemFlagsData::trusted(),
        }
    }

    fn run(&mut self) {
        // Entry: the variables the region reads come from the CpuState; so
        // do those it only writes when control flow merges inside it (an
        // exit may store a variable on a path that did not write it).
        let merges = !self.internal_targets.is_empty();
        for v in 0..FOP_VAR {
            if self.read >> v & 1 == 0 && !merges {
                continue;
            }
            if let Some(var) = self.vars[v] {
                let x = self.b.ins().load(types::I64, self.native, self.cpu, cpu_offset(v));
                self.b.def_var(var, x);
                if v == NZCV_VAR {
                    // The shim settled the flags.
                    self.set_lazy(lazy_flags::SETTLED, x, None);
                }
            }
        }
        self.read_fp_guard();
        let first = self.heads[&self.region.blocks[0].start_pc];
        self.b.ins().jump(first, &[]);
        let mut done = std::collections::HashSet::new();
        for (k, blk) in self.region.blocks.iter().enumerate() {
            // Blocks no edge of the region reaches (one-pass regions) are
            // never entered.
            let reached = k == 0 || self.internal_targets.contains(&blk.start_pc);
            if !reached || !done.insert(blk.start_pc) {
                continue;
            }
            self.cur = k;
            self.checked_bases.clear();
            self.lower_block(blk, k, self.cfg.block_counters.get(k).copied());
        }
    }

    /// Adds one to the u64 counter at host address `addr` (`--stats`),
    /// interlocked where the code may run on several threads at once.
    fn count_at(&mut self, addr: u64) {
        let p = self.iconst(addr);
        if self.cfg.atomic_counters {
            let one = self.iconst(1);
            self.b.ins().atomic_rmw(types::I64, self.native, ir::AtomicRmwOp::Add, p, one);
        } else {
            let n = self.b.ins().load(types::I64, self.native, p, 0);
            let n = self.b.ins().iadd_imm_s(n, 1);
            self.b.ins().store(self.native, n, p, 0);
        }
    }

    fn lower_block(&mut self, blk: &Block, k: usize, counter: Option<u64>) {
        let head = self.heads[&blk.start_pc];
        self.b.switch_to_block(head);
        self.pc = blk.start_pc;
        let internal = self.internal_targets.contains(&blk.start_pc);
        // Reached from inside the region: what its predecessors may have
        // left unstored.
        self.dirty = if internal { self.head_dirty.get(&blk.start_pc).copied().unwrap_or(self.written) } else { 0 };
        self.set_loc(blk.start_pc);
        if self.cfg.exit_checks && self.loop_heads.contains(&blk.start_pc) {
            let req = self.b.ins().load(types::I64, self.native, self.ctx, offset_of!(JitContext, exit_request) as i32);
            let leave = self.b.create_block();
            let go = self.b.create_block();
            self.b.ins().brif(req, leave, &[], go, &[]);
            self.b.switch_to_block(leave);
            self.b.set_cold_block(leave);
            let dirty = self.dirty;
            self.exit_const(blk.start_pc, EXIT_JUMP, dirty);
            self.b.switch_to_block(go);
        }
        if let Some(addr) = counter {
            self.count_at(addr);
        }
        self.vals = vec![None; blk.ops.len()];
        self.vhi = vec![None; blk.ops.len()];
        self.flag_src = vec![None; blk.ops.len()];
        self.lazy_src = vec![None; blk.ops.len()];
        for (i, op) in blk.ops.iter().enumerate() {
            let v = self.lower_op(op, i);
            self.vals[i] = v;
        }
        self.terminator(&blk.term, k);
    }

    fn set_loc(&mut self, pc: u64) {
        self.pc = pc;
        self.b.set_srcloc(SourceLoc::new(self.pcs.len() as u32));
        self.pcs.push(pc);
    }

    fn v(&self, x: Value) -> ir::Value {
        self.vals[x.index()].expect("IR value used before its definition")
    }

    /// A `V128` value's (low, high) halves.
    fn vp(&self, x: Value) -> (ir::Value, ir::Value) {
        (self.v(x), self.vhi[x.index()].expect("V128 value without its high half"))
    }

    /// Defines `V128` value `i` from its halves; returns the low half (for `vals`).
    fn pair(&mut self, i: usize, lo: ir::Value, hi: ir::Value) -> ir::Value {
        self.vhi[i] = Some(hi);
        lo
    }

    fn iconst(&mut self, x: u64) -> ir::Value {
        self.b.ins().iconst(types::I64, x as i64)
    }

    /// Stores the variables in `set` to the CpuState; NZCV in its lazy
    /// form (with a settled word in `flags_a`, `nzcv` gets it too; else
    /// `nzcv` is stale, as `CpuState::flags_op` allows).
    fn store_vars(&mut self, set: u128) {
        for v in 0..FOP_VAR {
            if set >> v & 1 == 1 {
                if v == NZCV_VAR {
                    for (var, off) in [(FOP_VAR, offset_of!(CpuState, flags_op)), (FA_VAR, offset_of!(CpuState, flags_a)), (FB_VAR, offset_of!(CpuState, flags_b)), (FA_VAR, offset_of!(CpuState, nzcv))] {
                        let x = self.b.use_var(self.vars[var].unwrap());
                        self.b.ins().store(self.native, x, self.cpu, off as i32);
                    }
                } else if let Some(var) = self.vars[v] {
                    let x = self.b.use_var(var);
                    self.b.ins().store(self.native, x, self.cpu, cpu_offset(v));
                }
            }
        }
    }

    /// Defines NZCV's lazy form: `kind` with operands `a` and `b` (0 if
    /// none).
    fn set_lazy(&mut self, kind: u64, a: ir::Value, b: Option<ir::Value>) {
        let k = self.iconst(kind);
        let b = b.unwrap_or_else(|| self.iconst(0));
        for (var, x) in [(FOP_VAR, k), (FA_VAR, a), (FB_VAR, b)] {
            self.b.def_var(self.vars[var].unwrap(), x);
        }
    }

    /// Makes the CpuState precise (before an operation that may fault).
    fn flush(&mut self) {
        let d = self.dirty;
        self.store_vars(d);
        self.dirty = 0;
    }

    /// Leaves the region: stores `dirty`, the PC and returns `code`.
    fn exit_with(&mut self, pc: ir::Value, code: u64, dirty: u128) {
        self.store_vars(dirty);
        self.b.ins().store(self.native, pc, self.cpu, offset_of!(CpuState, pc) as i32);
        let c = self.iconst(code);
        self.b.ins().return_(&[c]);
    }

    fn exit_const(&mut self, pc: u64, code: u64, dirty: u128) {
        let p = self.iconst(pc);
        self.exit_with(p, code, dirty);
    }

    /// A branch to `target`: its region block, or a new exit block, which
    /// `fill_exits` fills once the branch to it ends the current block.
    fn edge(&mut self, target: u64, exits: &mut Vec<(ir::Block, u64)>) -> ir::Block {
        if let Some(&h) = self.heads.get(&target).filter(|_| !self.cfg.one_pass) {
            return h;
        }
        let blk = self.b.create_block();
        exits.push((blk, target));
        blk
    }

    fn fill_exits(&mut self, exits: Vec<(ir::Block, u64)>) {
        let dirty = self.dirty;
        for (blk, target) in exits {
            self.b.switch_to_block(blk);
            self.exit_const(target, EXIT_JUMP, dirty);
        }
    }

    fn terminator(&mut self, t: &Terminator, k: usize) {
        let mut exits = Vec::new();
        match t {
            Terminator::Jump { target } => {
                let to = self.edge(*target, &mut exits);
                self.b.ins().jump(to, &[]);
                self.fill_exits(exits);
            }
            Terminator::Branch { cond, taken, not_taken } => {
                let c = self.v(*cond);
                let t = self.edge(*taken, &mut exits);
                let n = self.edge(*not_taken, &mut exits);
                self.b.ins().brif(c, t, &[], n, &[]);
                self.fill_exits(exits);
            }
            Terminator::JumpIndirect { target, .. } => {
                let t = self.v(*target);
                // Predicted targets inside the region: one compare each.
                let region = self.region;
                for &p in region.indirect.get(k).into_iter().flatten() {
                    let Some(&h) = self.heads.get(&p).filter(|_| !self.cfg.one_pass && self.internal_targets.contains(&p)) else { continue };
                    let next = self.b.create_block();
                    let hit = self.b.ins().icmp_imm_u(CC::Equal, t, p as i64);
                    self.b.ins().brif(hit, h, &[], next, &[]);
                    self.b.switch_to_block(next);
                }
                let d = self.dirty;
                self.exit_with(t, EXIT_JUMP, d);
            }
            Terminator::Syscall { imm, next_pc } => {
                let d = self.dirty;
                self.exit_const(*next_pc, EXIT_SYSCALL | (*imm as u64) << 8, d);
            }
            Terminator::Exception { pc, .. } => {
                let d = self.dirty;
                self.exit_const(*pc, EXIT_EXCEPTION, d);
            }
        }
    }

    /// Reduces to 32 bits for a W32 operation.
    fn opnd(&mut self, w: Width, x: Value) -> ir::Value {
        let v = self.v(x);
        match w {
            Width::W64 => v,
            Width::W32 => self.b.ins().ireduce(types::I32, v),
        }
    }

    /// The 64-bit zero extension of a W32 result.
    fn widen(&mut self, w: Width, r: ir::Value) -> ir::Value {
        match w {
            Width::W64 => r,
            Width::W32 => self.b.ins().uextend(types::I64, r),
        }
    }

    fn bool64(&mut self, c: ir::Value) -> ir::Value {
        self.b.ins().uextend(types::I64, c)
    }

    fn bin(&mut self, w: Width, a: Value, b: Value, f: impl FnOnce(&mut FunctionBuilder<'b>, ir::Value, ir::Value) -> ir::Value) -> ir::Value {
        let (x, y) = (self.opnd(w, a), self.opnd(w, b));
        let r = f(&mut self.b, x, y);
        self.widen(w, r)
    }

    fn un(&mut self, w: Width, a: Value, f: impl FnOnce(&mut FunctionBuilder<'b>, ir::Value) -> ir::Value) -> ir::Value {
        let x = self.opnd(w, a);
        let r = f(&mut self.b, x);
        self.widen(w, r)
    }

    fn lower_op(&mut self, op: &Op, i: usize) -> Option<ir::Value> {
        use Op::*;
        if !lowerable(op) {
            return self.call_helper(op, i);
        }
        if fp_fast(op) {
            return Some(self.fp_guarded(op, i));
        }
        Some(match op {
            Nop {} => return None,
            GuestInsn { pc, .. } => {
                self.set_loc(*pc);
                return None;
            }
            Const { value } => self.iconst(*value),
            VConst { value } => {
                let lo = self.iconst(*value as u64);
                let hi = self.iconst((*value >> 64) as u64);
                self.pair(i, lo, hi)
            }
            GetGpr { r } => self.b.use_var(self.vars[*r as usize].unwrap()),
            GetVec { r } => {
                let lo = self.b.use_var(self.vars[32 + *r as usize].unwrap());
                let hi = self.b.use_var(self.vars[VHI + *r as usize].unwrap());
                self.pair(i, lo, hi)
            }
            SetVec { r, v } => {
                let (lo, hi) = self.vp(*v);
                self.b.def_var(self.vars[32 + *r as usize].unwrap(), lo);
                self.b.def_var(self.vars[VHI + *r as usize].unwrap(), hi);
                self.dirty |= var_mask(32 + *r as usize);
                return None;
            }
            GetNzcv {} => self.b.use_var(self.vars[NZCV_VAR].unwrap()),
            SetGpr { .. } | SetNzcv { .. } => {
                let (var, _) = var_of(op).unwrap();
                let mut x = None;
                op.for_each_arg(|a| x = Some(a));
                let (a, x) = (x.unwrap(), self.v(x.unwrap()));
                self.b.def_var(self.vars[var].unwrap(), x);
                if var == NZCV_VAR {
                    // Cranelift drops the packing of the word where
                    // nothing reads it.
                    match self.lazy_src[a.index()] {
                        Some((kind, fa, fb)) => self.set_lazy(kind, fa, Some(fb)),
                        None => self.set_lazy(lazy_flags::SETTLED, x, None),
                    }
                }
                self.dirty |= 1 << var;
                return None;
            }
            GetSys { reg } => {
                let (off, _) = crate::emit::sys_field(*reg).expect("a CpuState system register");
                self.b.ins().load(types::I64, self.native, self.cpu, off as i32)
            }
            SetSys { reg, v } => {
                let (off, mask) = crate::emit::sys_field(*reg).expect("a writable CpuState system register");
                let mut x = self.v(*v);
                if mask != u64::MAX {
                    x = self.b.ins().band_imm_u(x, mask as i64);
                }
                self.b.ins().store(self.native, x, self.cpu, off as i32);
                self.read_fp_guard();
                return None;
            }
            Add { w, a, b } => self.bin(*w, *a, *b, |f, x, y| f.ins().iadd(x, y)),
            Sub { w, a, b } => self.bin(*w, *a, *b, |f, x, y| f.ins().isub(x, y)),
            AddCarry { w, a, b, c } | SubCarry { w, a, b, c } => {
                let sub = matches!(op, SubCarry { .. });
                let (x, y) = (self.opnd(*w, *a), self.opnd(*w, *b));
                let y = if sub { self.b.ins().bnot(y) } else { y };
                let cv = self.v(*c);
                let c1 = self.b.ins().band_imm_u(cv, 1);
                let c1 = if *w == Width::W32 { self.b.ins().ireduce(types::I32, c1) } else { c1 };
                let s = self.b.ins().iadd(x, y);
                let r = self.b.ins().iadd(s, c1);
                self.widen(*w, r)
            }
            And { w, a, b } => self.bin(*w, *a, *b, |f, x, y| f.ins().band(x, y)),
            Or { w, a, b } => self.bin(*w, *a, *b, |f, x, y| f.ins().bor(x, y)),
            Xor { w, a, b } => self.bin(*w, *a, *b, |f, x, y| f.ins().bxor(x, y)),
            AndNot { w, a, b } => self.bin(*w, *a, *b, |f, x, y| f.ins().band_not(x, y)),
            OrNot { w, a, b } => self.bin(*w, *a, *b, |f, x, y| f.ins().bor_not(x, y)),
            XorNot { w, a, b } => self.bin(*w, *a, *b, |f, x, y| f.ins().bxor_not(x, y)),
            Shl { w, a, b } => {
                let y = self.v(*b);
                self.un(*w, *a, |f, x| f.ins().ishl(x, y))
            }
            Lshr { w, a, b } => {
                let y = self.v(*b);
                self.un(*w, *a, |f, x| f.ins().ushr(x, y))
            }
            Ashr { w, a, b } => {
                let y = self.v(*b);
                self.un(*w, *a, |f, x| f.ins().sshr(x, y))
            }
            Ror { w, a, b } => {
                let y = self.v(*b);
                self.un(*w, *a, |f, x| f.ins().rotr(x, y))
            }
            Mul { w, a, b } => self.bin(*w, *a, *b, |f, x, y| f.ins().imul(x, y)),
            UMulH { a, b } => self.bin(Width::W64, *a, *b, |f, x, y| f.ins().umulhi(x, y)),
            SMulH { a, b } => self.bin(Width::W64, *a, *b, |f, x, y| f.ins().smulhi(x, y)),
            UDiv { w, a, b } => self.bin(*w, *a, *b, |f, x, y| {
                // x / 0 = 0: divide by 1 instead, then select 0.
                let ty = f.func.dfg.value_type(y);
                let zero = f.ins().icmp_imm_s(CC::Equal, y, 0);
                let one = f.ins().iconst(ty, 1);
                let d = f.ins().select(zero, one, y);
                let q = f.ins().udiv(x, d);
                let z = f.ins().iconst(ty, 0);
                f.ins().select(zero, z, q)
            }),
            SDiv { w, a, b } => self.bin(*w, *a, *b, |f, x, y| {
                // x / 0 = 0 and x / -1 = -x (wrapping: MIN / -1 = MIN).
                let ty = f.func.dfg.value_type(y);
                let zero = f.ins().icmp_imm_s(CC::Equal, y, 0);
                let m1 = f.ins().icmp_imm_s(CC::Equal, y, -1);
                let special = f.ins().bor(zero, m1);
                let one = f.ins().iconst(ty, 1);
                let d = f.ins().select(special, one, y);
                let q = f.ins().sdiv(x, d);
                let neg = f.ins().ineg(x);
                let q = f.ins().select(m1, neg, q);
                let z = f.ins().iconst(ty, 0);
                f.ins().select(zero, z, q)
            }),
            Neg { w, a } => self.un(*w, *a, |f, x| f.ins().ineg(x)),
            Not { w, a } => self.un(*w, *a, |f, x| f.ins().bnot(x)),
            Clz { w, a } => self.un(*w, *a, |f, x| f.ins().clz(x)),
            Popcnt { a } => self.un(Width::W64, *a, |f, x| f.ins().popcnt(x)),
            Cls { w, a } => self.un(*w, *a, |f, x| {
                // Leading bits equal to the sign bit, the sign bit excluded.
                let ty = f.func.dfg.value_type(x);
                let s = f.ins().ushr_imm_s(x, 1);
                let y = f.ins().bxor(s, x);
                let m = f.ins().iconst(ty, if ty == types::I32 { 0x7fff_ffff } else { i64::MAX });
                let y = f.ins().band(y, m);
                let c = f.ins().clz(y);
                f.ins().iadd_imm_s(c, -1)
            }),
            Rbit { w, a } => self.un(*w, *a, |f, x| f.ins().bitrev(x)),
            Rev { w, a } => self.un(*w, *a, |f, x| f.ins().bswap(x)),
            Rev16 { w, a } => self.un(*w, *a, |f, x| {
                let ty = f.func.dfg.value_type(x);
                let (hi, lo) = if ty == types::I32 { (0xff00_ff00u64 as i64, 0x00ff_00ff) } else { (0xff00_ff00_ff00_ff00u64 as i64, 0x00ff_00ff_00ff_00ff) };
                let h = f.ins().band_imm_u(x, hi);
                let h = f.ins().ushr_imm_s(h, 8);
                let l = f.ins().band_imm_u(x, lo);
                let l = f.ins().ishl_imm_s(l, 8);
                f.ins().bor(h, l)
            }),
            Rev32 { a } => {
                let x = self.v(*a);
                let s = self.b.ins().bswap(x);
                self.b.ins().rotl_imm_s(s, 32)
            }
            Sext { from, a } => {
                let x = self.v(*a);
                if *from >= 64 {
                    x
                } else {
                    let sh = 64 - *from as i64;
                    let l = self.b.ins().ishl_imm_s(x, sh);
                    self.b.ins().sshr_imm_s(l, sh)
                }
            }
            Zext { from, a } => {
                let x = self.v(*a);
                if *from >= 64 {
                    x
                } else {
                    self.b.ins().band_imm_u(x, ((1u64 << *from) - 1) as i64)
                }
            }
            Icmp { cc, w, a, b } => {
                let (x, y) = (self.opnd(*w, *a), self.opnd(*w, *b));
                let c = self.b.ins().icmp(int_cc(*cc), x, y);
                self.bool64(c)
            }
            Select { c, a, b } => {
                let (c, x, y) = (self.v(*c), self.v(*a), self.v(*b));
                self.b.ins().select(c, x, y)
            }
            VSelect { c, a, b } => {
                let (c, (al, ah), (bl, bh)) = (self.v(*c), self.vp(*a), self.vp(*b));
                let lo = self.b.ins().select(c, al, bl);
                let hi = self.b.ins().select(c, ah, bh);
                self.pair(i, lo, hi)
            }
            AddFlags { w, a, b } => {
                let (x, y) = (self.v(*a), self.v(*b));
                self.lazy_src[i] = Some((lazy_flags::ADD | lazy_width(*w), x, y));
                let z = self.iconst(0);
                self.add_flags(*w, x, y, z)
            }
            SubFlags { w, a, b } => {
                let (x, y) = (self.v(*a), self.v(*b));
                let (xo, yo) = (self.opnd(*w, *a), self.opnd(*w, *b));
                self.flag_src[i] = Some(FlagSrc::Sub { a: xo, b: yo });
                self.lazy_src[i] = Some((lazy_flags::SUB | lazy_width(*w), x, y));
                let ny = self.b.ins().bnot(y);
                let one = self.iconst(1);
                self.add_flags(*w, x, ny, one)
            }
            AdcFlags { w, a, b, c } => {
                let (x, y, c) = (self.v(*a), self.v(*b), self.v(*c));
                let c = self.b.ins().band_imm_u(c, 1);
                self.add_flags(*w, x, y, c)
            }
            SbcFlags { w, a, b, c } => {
                let (x, y, c) = (self.v(*a), self.v(*b), self.v(*c));
                let ny = self.b.ins().bnot(y);
                let c = self.b.ins().band_imm_u(c, 1);
                self.add_flags(*w, x, ny, c)
            }
            LogicFlags { w, r } => {
                let ro = self.opnd(*w, *r);
                self.flag_src[i] = Some(FlagSrc::Logic { r: ro });
                let full = self.v(*r);
                let z = self.iconst(0);
                self.lazy_src[i] = Some((lazy_flags::LOGIC | lazy_width(*w), full, z));
                let n = self.b.ins().icmp_imm_s(CC::SignedLessThan, ro, 0);
                let z = self.b.ins().icmp_imm_s(CC::Equal, ro, 0);
                let n = self.bool64(n);
                let z = self.bool64(z);
                let n = self.b.ins().ishl_imm_s(n, 31);
                let z = self.b.ins().ishl_imm_s(z, 30);
                self.b.ins().bor(n, z)
            }
            CondHolds { cond, nzcv } => self.cond_holds(*cond, *nzcv),
            Load { size, addr, .. } => {
                let (h, off) = self.access(*addr, size.bytes(), false);
                self.load_le(*size, h, off)
            }
            Store { size, addr, v, .. } => {
                let x = self.v(*v);
                let (h, off) = self.access(*addr, size.bytes(), true);
                self.store_le(*size, x, h, off);
                return None;
            }
            Load128 { addr } => {
                let a = self.v(*addr);
                let h = self.guest_addr(a, 16, false);
                let lo = self.load_le(MemSize::B8, h, 0);
                let hi = self.load_le(MemSize::B8, h, 8);
                self.pair(i, lo, hi)
            }
            Store128 { addr, v } => {
                let (a, (lo, hi)) = (self.v(*addr), self.vp(*v));
                let h = self.guest_addr(a, 16, true);
                self.store_le(MemSize::B8, lo, h, 0);
                self.store_le(MemSize::B8, hi, h, 8);
                return None;
            }
            FpUn { op: fop, size, a } => {
                // FABS/FNEG: the sign bit of the low `size` bits (the
                // result zero-extended), exact for every input.
                let sign = 1u64 << (size.bits() - 1);
                let mask = u64::MAX >> (64 - size.bits());
                let x = self.v(*a);
                match fop {
                    FpUnOp::Abs => self.b.ins().band_imm_u(x, (mask & !sign) as i64),
                    _ => {
                        let n = self.b.ins().bxor_imm_u(x, sign as i64);
                        self.b.ins().band_imm_u(n, mask as i64)
                    }
                }
            }
            Crc32 { poly, size, acc, v } => {
                // Sliced, as the baseline (`emit::make_crc_tables`): one
                // independent table load per data byte.
                let t = self.iconst(crate::emit::crc_tables(*poly).as_ptr() as u64);
                let n = size.bytes() as i64;
                let crc = self.v(*acc);
                let crc = self.b.ins().band_imm_u(crc, 0xffff_ffff);
                let data = self.v(*v);
                let x = self.b.ins().bxor(crc, data);
                let mut r = (n < 4).then(|| self.b.ins().ushr_imm_s(crc, 8 * n));
                for j in 0..n {
                    let byte = if j == 0 { x } else { self.b.ins().ushr_imm_s(x, 8 * j) };
                    let idx = self.b.ins().band_imm_u(byte, 0xff);
                    let off = self.b.ins().ishl_imm_s(idx, 2);
                    let at = self.b.ins().iadd(t, off);
                    let e = self.b.ins().uload32(self.native, at, (1024 * (n - 1 - j)) as i32);
                    r = Some(match r {
                        None => e,
                        Some(r) => self.b.ins().bxor(r, e),
                    });
                }
                r.expect("a CRC of at least one byte")
            }
            Fence { kind } => {
                if *kind == zarm_ir::FenceKind::Full {
                    self.b.ins().fence();
                }
                return None;
            }
            VExtractLane { esize, idx, v } => {
                let x = self.lane_down(*v, *esize, *idx);
                if *esize == 8 { x } else { self.b.ins().band_imm_u(x, lane_mask(*esize) as i64) }
            }
            VInsertLane { esize, idx, v, x } => {
                let (mut lo, mut hi) = self.vp(*v);
                let x = self.v(*x);
                let (half, shift, mask) = lane_at(*esize, *idx);
                let h = if half == 0 { lo } else { hi };
                let new = if *esize == 8 {
                    x
                } else {
                    let kept = self.b.ins().band_imm_u(h, !(mask << shift) as i64);
                    let x = self.b.ins().band_imm_u(x, mask as i64);
                    let x = if shift == 0 { x } else { self.b.ins().ishl_imm_s(x, shift as i64) };
                    self.b.ins().bor(kept, x)
                };
                if half == 0 {
                    lo = new;
                } else {
                    hi = new;
                }
                self.pair(i, lo, hi)
            }
            VBin { op: bop @ (VecBinOp::Addp | VecBinOp::Umaxp | VecBinOp::Uminp | VecBinOp::Smaxp | VecBinOp::Sminp), esize, q, a, b } => {
                // Pairs of a's lanes fill the result's low half, b's its
                // high half; in 64-bit halves, a half's pairs make 32 bits.
                let ((alo, ahi), (blo, bhi)) = (self.vp(*a), self.vp(*b));
                let e = *esize;
                let (lo, hi) = if e == 8 {
                    (self.lane_op(*bop, e, alo, ahi), self.lane_op(*bop, e, blo, bhi))
                } else if *q {
                    (self.pairs_of(*bop, e, alo, ahi), self.pairs_of(*bop, e, blo, bhi))
                } else {
                    (self.pairs_of(*bop, e, alo, blo), self.iconst(0))
                };
                self.pair(i, lo, hi)
            }
            VUn { op: uop, esize, q, a } => self.per_half(i, *q, *a, *a, |l, x, _| l.compare_zero(*uop, *esize, x)),
            VBin { op: VecBinOp::CmTst, esize, q, a, b } => {
                // Not the lanes where a & b is zero.
                let ones = lane_repl(*esize, lane_mask(*esize)) as i64;
                self.per_half(i, *q, *a, *b, |l, x, y| {
                    let t = l.b.ins().band(x, y);
                    let z = l.zero_lanes(*esize, t);
                    l.b.ins().bxor_imm_u(z, ones)
                })
            }
            VBin { op: bop @ (VecBinOp::Umax | VecBinOp::Umin | VecBinOp::Smax | VecBinOp::Smin | VecBinOp::CmHs | VecBinOp::CmHi | VecBinOp::CmGe | VecBinOp::CmGt), esize, q, a, b } => {
                self.per_half(i, *q, *a, *b, |l, x, y| l.lanewise(*bop, *esize, x, y))
            }
            VBin { op: bop, esize, q, a, b } => {
                // Bitwise on whole halves; lane-wise sums and differences
                // of narrower lanes with the carries kept inside each lane
                // (the lanes' top bits computed apart).
                let ((alo, ahi), (blo, bhi)) = (self.vp(*a), self.vp(*b));
                let top = lane_repl(*esize, 1u64 << (8 * *esize as u32 - 1));
                let half = |l: &mut Self, x: ir::Value, y: ir::Value| {
                    match bop {
                        VecBinOp::And => l.b.ins().band(x, y),
                        VecBinOp::Orr => l.b.ins().bor(x, y),
                        VecBinOp::Eor => l.b.ins().bxor(x, y),
                        VecBinOp::Bic => l.b.ins().band_not(x, y),
                        VecBinOp::Orn => l.b.ins().bor_not(x, y),
                        VecBinOp::CmEq if *esize == 8 => {
                            let c = l.b.ins().icmp(CC::Equal, x, y);
                            l.b.ins().bmask(types::I64, c)
                        }
                        VecBinOp::CmEq => {
                            let t = l.b.ins().bxor(x, y);
                            l.zero_lanes(*esize, t)
                        }
                        VecBinOp::Add if *esize == 8 => l.b.ins().iadd(x, y),
                        VecBinOp::Sub if *esize == 8 => l.b.ins().isub(x, y),
                        VecBinOp::Add => {
                            let xl = l.b.ins().band_imm_u(x, !top as i64);
                            let yl = l.b.ins().band_imm_u(y, !top as i64);
                            let s = l.b.ins().iadd(xl, yl);
                            let t = l.b.ins().bxor(x, y);
                            let t = l.b.ins().band_imm_u(t, top as i64);
                            l.b.ins().bxor(s, t)
                        }
                        _ => {
                            let xh = l.b.ins().bor_imm_u(x, top as i64);
                            let yl = l.b.ins().band_imm_u(y, !top as i64);
                            let d = l.b.ins().isub(xh, yl);
                            let t = l.b.ins().bxor_not(x, y);
                            let t = l.b.ins().band_imm_u(t, top as i64);
                            l.b.ins().bxor(d, t)
                        }
                    }
                };
                let lo = half(self, alo, blo);
                let hi = if *q { half(self, ahi, bhi) } else { self.iconst(0) };
                self.pair(i, lo, hi)
            }
            VTern { op: top, q, d, n, m, .. } => {
                let ((dlo, dhi), (nlo, nhi), (mlo, mhi)) = (self.vp(*d), self.vp(*n), self.vp(*m));
                let half = |l: &mut Self, d: ir::Value, n: ir::Value, m: ir::Value| match top {
                    VecTernOp::Bsl => l.b.ins().bitselect(d, n, m),
                    VecTernOp::Bit => l.b.ins().bitselect(m, n, d),
                    _ => l.b.ins().bitselect(m, d, n),
                };
                let lo = half(self, dlo, nlo, mlo);
                let hi = if *q { half(self, dhi, nhi, mhi) } else { self.iconst(0) };
                self.pair(i, lo, hi)
            }
            VDup { esize, q, x } => {
                let x = self.v(*x);
                let h = self.broadcast(*esize, x);
                let hi = if *q { h } else { self.iconst(0) };
                self.pair(i, h, hi)
            }
            VDupLane { esize, q, idx, v } => {
                let x = self.lane_down(*v, *esize, *idx);
                let h = self.broadcast(*esize, x);
                let hi = if *q { h } else { self.iconst(0) };
                self.pair(i, h, hi)
            }
            VExtend { signed, esize, upper, a } => {
                // Each lane of the source half, zero- or sign-extended to
                // twice its width, at its place in the result.
                let (lo, hi) = self.vp(*a);
                let src = if *upper { hi } else { lo };
                let bits = 8 * *esize as i64;
                let wide = lane_mask(2 * *esize);
                let mut out = [None, None];
                for k in 0..64 / bits {
                    let x = if *signed {
                        let x = self.b.ins().ishl_imm_s(src, 64 - bits * (k + 1));
                        let x = self.b.ins().sshr_imm_s(x, 64 - bits);
                        if 2 * bits == 64 { x } else { self.b.ins().band_imm_u(x, wide as i64) }
                    } else {
                        let x = if k == 0 { src } else { self.b.ins().ushr_imm_s(src, bits * k) };
                        self.b.ins().band_imm_u(x, lane_mask(*esize) as i64)
                    };
                    let at = 2 * bits * k;
                    let x = if at % 64 == 0 { x } else { self.b.ins().ishl_imm_s(x, at % 64) };
                    let h = &mut out[(at / 64) as usize];
                    *h = Some(match *h {
                        None => x,
                        Some(o) => self.b.ins().bor(o, x),
                    });
                }
                let (l, h) = (out[0].unwrap(), out[1].unwrap());
                self.pair(i, l, h)
            }
            VShift { op: sop, esize, q, amount, a, .. } => {
                // Lane-wise on each 64-bit half: one shift of the half and
                // a mask that clears what crossed a lane boundary.
                let (lo, hi) = self.vp(*a);
                let (bits, n) = (8 * *esize as u32, *amount as u32);
                let lane = lane_mask(*esize);
                let repl = |m: u64| lane_repl(*esize, m);
                let half = |l: &mut Self, h: ir::Value| match sop {
                    VecShiftOp::Shl if n == 0 => h,
                    VecShiftOp::Shl => {
                        let x = l.b.ins().ishl_imm_s(h, n.min(63) as i64);
                        if bits == 64 { x } else { l.b.ins().band_imm_u(x, repl(lane << n & lane) as i64) }
                    }
                    VecShiftOp::Ushr if n >= bits => l.iconst(0),
                    VecShiftOp::Ushr => {
                        let x = l.b.ins().ushr_imm_s(h, n as i64);
                        if bits == 64 { x } else { l.b.ins().band_imm_u(x, repl(lane >> n) as i64) }
                    }
                    _ => l.b.ins().sshr_imm_s(h, n.min(63) as i64),
                };
                let lo = half(self, lo);
                let hi = if *q { half(self, hi) } else { self.iconst(0) };
                self.pair(i, lo, hi)
            }
            VFromHalves { lo, hi } => {
                let (l, h) = (self.v(*lo), self.v(*hi));
                self.pair(i, l, h)
            }
            VAes { op: aop, d, n } => {
                use zarm_ir::vector::AesOp;
                let (lo, hi) = match aop {
                    AesOp::Encrypt | AesOp::Decrypt => self.aes_round(*aop == AesOp::Encrypt, *d, *n),
                    _ => {
                        let (nlo, nhi) = self.vp(*n);
                        let inverse = *aop == AesOp::InvMixColumns;
                        (self.mix_columns(nlo, inverse), self.mix_columns(nhi, inverse))
                    }
                };
                self.pair(i, lo, hi)
            }
            _ => unreachable!("lowerable() and lower_op disagree on {}", op.name()),
        })
    }

    /// `V128` value `i` from `f` of the corresponding halves of `a` and
    /// `b`: both halves, or (`q` false) the low ones, the high half zero.
    fn per_half(&mut self, i: usize, q: bool, a: Value, b: Value, f: impl Fn(&mut Self, ir::Value, ir::Value) -> ir::Value) -> ir::Value {
        let ((alo, ahi), (blo, bhi)) = (self.vp(a), self.vp(b));
        let lo = f(self, alo, blo);
        let hi = if q { f(self, ahi, bhi) } else { self.iconst(0) };
        self.pair(i, lo, hi)
    }

    /// All ones in the `esize`-byte lanes of `t` that are zero, zeros in
    /// the others: the low bits plus all ones carry into a lane's top bit
    /// if any is set, so `nz`'s top bit is set in the nonzero lanes; 1 at
    /// the bottom of the others, times the lane mask, fills them.
    fn zero_lanes(&mut self, esize: u8, t: ir::Value) -> ir::Value {
        if esize == 8 {
            let c = self.b.ins().icmp_imm_u(CC::Equal, t, 0);
            return self.b.ins().bmask(types::I64, c);
        }
        let top = lane_repl(esize, 1u64 << (8 * esize as u32 - 1));
        let low = self.b.ins().band_imm_u(t, !top as i64);
        let low = self.b.ins().iadd_imm_s(low, !top as i64);
        let nz = self.b.ins().bor(low, t);
        let z = self.b.ins().bnot(nz);
        let z = self.b.ins().band_imm_u(z, top as i64);
        let z = self.b.ins().ushr_imm_s(z, 8 * esize as i64 - 1);
        self.b.ins().imul_imm_u(z, lane_mask(esize) as i64)
    }

    /// CMEQ/CMGT/CMGE/CMLE/CMLT against zero on one 64-bit half: from the
    /// lanes that are zero and the lanes whose sign bit is set.
    fn compare_zero(&mut self, op: zarm_ir::vector::VecUnOp, esize: u8, x: ir::Value) -> ir::Value {
        use zarm_ir::vector::VecUnOp::*;
        let ones = lane_repl(esize, lane_mask(esize)) as i64;
        let eq = self.zero_lanes(esize, x);
        let top = lane_repl(esize, 1u64 << (8 * esize as u32 - 1));
        let neg = self.b.ins().band_imm_u(x, top as i64);
        let neg = self.b.ins().ushr_imm_s(neg, 8 * esize as i64 - 1);
        let lt = self.b.ins().imul_imm_u(neg, lane_mask(esize) as i64);
        match op {
            CmEq0 => eq,
            CmLt0 => lt,
            CmGe0 => self.b.ins().bxor_imm_u(lt, ones),
            CmLe0 => self.b.ins().bor(lt, eq),
            CmGt0 => {
                let le = self.b.ins().bor(lt, eq);
                self.b.ins().bxor_imm_u(le, ones)
            }
            _ => unreachable!("not a compare with zero: {op:?}"),
        }
    }

    /// `op` (an integer add, maximum or minimum, pairwise or not) of the
    /// `e`-byte values `x` and `y`, each in the low bits of a slot of `2e`
    /// bytes (64 bits for `e` = 8, a scalar) of a 64-bit word, slot by slot:
    /// the minimum and maximum from the borrow of (x + 2^w) − y out of the
    /// value bits (w = 8e; no borrow leaves a slot), signed values biased
    /// into unsigned ones.
    fn lane_op(&mut self, op: VecBinOp, e: u8, x: ir::Value, y: ir::Value) -> ir::Value {
        use VecBinOp::*;
        if matches!(op, CmHs | CmHi | CmGe | CmGt) {
            // All ones where x >= y (x > y: not y >= x).
            let signed = matches!(op, CmGe | CmGt);
            let (x, y) = if matches!(op, CmHi | CmGt) { (y, x) } else { (x, y) };
            let ge = if e == 8 {
                let c = self.b.ins().icmp(if signed { CC::SignedGreaterThanOrEqual } else { CC::UnsignedGreaterThanOrEqual }, x, y);
                self.b.ins().bmask(types::I64, c)
            } else {
                let (x, y) = if signed { self.biased(e, x, y) } else { (x, y) };
                self.ge_mask(e, x, y)
            };
            // (For 64-bit lanes the mask is the whole word.)
            let value_bits = if e == 8 { u64::MAX } else { lane_repl(2 * e, lane_mask(e)) };
            return if matches!(op, CmHi | CmGt) { self.b.ins().bxor_imm_u(ge, value_bits as i64) } else { ge };
        }
        if matches!(op, Add | Addp) {
            let s = self.b.ins().iadd(x, y);
            return if e == 8 { s } else { self.b.ins().band_imm_u(s, lane_repl(2 * e, lane_mask(e)) as i64) };
        }
        let signed = matches!(op, Smax | Smin | Smaxp | Sminp);
        let max = matches!(op, Umax | Smax | Umaxp | Smaxp);
        if e == 8 {
            let cc = match (signed, max) {
                (true, true) => CC::SignedGreaterThan,
                (true, false) => CC::SignedLessThan,
                (false, true) => CC::UnsignedGreaterThan,
                (false, false) => CC::UnsignedLessThan,
            };
            let c = self.b.ins().icmp(cc, x, y);
            return self.b.ins().select(c, x, y);
        }
        let (x, y) = if signed { self.biased(e, x, y) } else { (x, y) };
        let m = self.ge_mask(e, x, y);
        let diff = self.b.ins().bxor(x, y);
        let pick = self.b.ins().band(diff, m);
        // x >= y: the maximum is x, the minimum y.
        let r = self.b.ins().bxor(if max { y } else { x }, pick);
        if signed { self.b.ins().bxor_imm_u(r, slot_bias(e) as i64) } else { r }
    }

    /// Slot form (see `lane_op`, `e` < 8): signed values biased into
    /// unsigned ones of the same order.
    fn biased(&mut self, e: u8, x: ir::Value, y: ir::Value) -> (ir::Value, ir::Value) {
        let bias = slot_bias(e) as i64;
        (self.b.ins().bxor_imm_u(x, bias), self.b.ins().bxor_imm_u(y, bias))
    }

    /// Slot form (see `lane_op`, `e` < 8): the value bits of each slot all
    /// ones where x >= y (unsigned), from the borrow of (x + 2^w) − y.
    fn ge_mask(&mut self, e: u8, x: ir::Value, y: ir::Value) -> ir::Value {
        let w = 8 * e as u32;
        let xb = self.b.ins().bor_imm_u(x, lane_repl(2 * e, 1 << w) as i64);
        let d = self.b.ins().isub(xb, y);
        let ge = self.b.ins().ushr_imm_s(d, w as i64);
        let ge = self.b.ins().band_imm_u(ge, lane_repl(2 * e, 1) as i64);
        self.b.ins().imul_imm_u(ge, lane_mask(e) as i64)
    }

    /// The pairwise `op` of the `e`-byte lanes of two 64-bit words, the
    /// first word's pairs in the result's low 32 bits.
    fn pairs_of(&mut self, op: VecBinOp, e: u8, first: ir::Value, second: ir::Value) -> ir::Value {
        let w = 8 * e as i64;
        let even = lane_repl(2 * e, lane_mask(e)) as i64;
        let mut halves = [first, second];
        for h in halves.iter_mut() {
            let x = self.b.ins().band_imm_u(*h, even);
            let y = self.b.ins().ushr_imm_s(*h, w);
            let y = self.b.ins().band_imm_u(y, even);
            // The slots' values packed into the low 32 bits.
            let mut r = self.lane_op(op, e, x, y);
            let mut step = w;
            while step < 32 {
                let t = self.b.ins().ushr_imm_s(r, step);
                let t = self.b.ins().bor(r, t);
                r = self.b.ins().band_imm_u(t, lane_repl((4 * step / 8) as u8, u64::MAX >> (64 - 2 * step)) as i64);
                step *= 2;
            }
            *h = r;
        }
        let up = self.b.ins().ishl_imm_s(halves[1], 32);
        self.b.ins().bor(halves[0], up)
    }

    /// The lane-wise `op` (maximum, minimum or compare) of two 64-bit words of
    /// `e`-byte lanes: even lanes and odd lanes apart, in slots twice as wide.
    fn lanewise(&mut self, op: VecBinOp, e: u8, a: ir::Value, b: ir::Value) -> ir::Value {
        if e == 8 {
            return self.lane_op(op, e, a, b);
        }
        let w = 8 * e as i64;
        let even = lane_repl(2 * e, lane_mask(e)) as i64;
        let (ae, be) = (self.b.ins().band_imm_u(a, even), self.b.ins().band_imm_u(b, even));
        let re = self.lane_op(op, e, ae, be);
        let (ao, bo) = (self.b.ins().ushr_imm_s(a, w), self.b.ins().ushr_imm_s(b, w));
        let (ao, bo) = (self.b.ins().band_imm_u(ao, even), self.b.ins().band_imm_u(bo, even));
        let ro = self.lane_op(op, e, ao, bo);
        let ro = self.b.ins().ishl_imm_s(ro, w);
        self.b.ins().bor(re, ro)
    }

    /// AESE/AESD: AddRoundKey (d ^ n), then (Inv)ShiftRows folded into
    /// which byte each result byte reads, and (Inv)SubBytes as a lookup in
    /// the interpreter's S-box table (guest byte g — row g % 4, column
    /// g / 4 — at bits 8·(g % 8) of half g / 8).
    fn aes_round(&mut self, encrypt: bool, d: Value, n: Value) -> (ir::Value, ir::Value) {
        let ((dlo, dhi), (nlo, nhi)) = (self.vp(d), self.vp(n));
        let st = [self.b.ins().bxor(dlo, nlo), self.b.ins().bxor(dhi, nhi)];
        let (sbox, inv) = zarm_ir::interp::vec::sboxes();
        let table = self.iconst(if encrypt { sbox.as_ptr() } else { inv.as_ptr() } as u64);
        let mut out = [None, None];
        for g in 0..16u32 {
            let (r, c) = (g % 4, g / 4);
            // ShiftRows: row r rotates left by r; InvShiftRows right.
            let from = if encrypt { (c + r) % 4 } else { (c + 4 - r) % 4 };
            let src = r + 4 * from;
            let x = st[(src / 8) as usize];
            let x = if src % 8 == 0 { x } else { self.b.ins().ushr_imm_s(x, 8 * (src % 8) as i64) };
            let x = self.b.ins().band_imm_u(x, 0xff);
            let at = self.b.ins().iadd(table, x);
            let y = self.b.ins().uload8(types::I64, self.native, at, 0);
            let y = if g % 8 == 0 { y } else { self.b.ins().ishl_imm_s(y, 8 * (g % 8) as i64) };
            let h = &mut out[(g / 8) as usize];
            *h = Some(match *h {
                None => y,
                Some(o) => self.b.ins().bor(o, y),
            });
        }
        (out[0].unwrap(), out[1].unwrap())
    }

    /// AESMC/AESIMC on one 64-bit half (two columns, each a 32-bit lane
    /// with row r in byte r): row r becomes a_r ^ t ^ xtime(a_r ^ a_(r+1)),
    /// t the column's XOR; the inverse first applies a_r ^= xtime²(a_r ^
    /// a_(r+2)) (as the interpreter computes it).
    fn mix_columns(&mut self, a: ir::Value, inverse: bool) -> ir::Value {
        let a = if inverse {
            let a2 = self.rotate_rows(a, 2);
            let u = self.b.ins().bxor(a, a2);
            let u = self.xtime(u);
            let u = self.xtime(u);
            self.b.ins().bxor(a, u)
        } else {
            a
        };
        let (a1, a2, a3) = (self.rotate_rows(a, 1), self.rotate_rows(a, 2), self.rotate_rows(a, 3));
        let t = self.b.ins().bxor(a, a1);
        let t = self.b.ins().bxor(t, a2);
        let t = self.b.ins().bxor(t, a3);
        let x = self.b.ins().bxor(a, a1);
        let x = self.xtime(x);
        let r = self.b.ins().bxor(a, t);
        self.b.ins().bxor(r, x)
    }

    /// Each 32-bit lane of `h` with row r taking row (r + k) % 4.
    fn rotate_rows(&mut self, h: ir::Value, k: u32) -> ir::Value {
        let s = 8 * k;
        let down = self.b.ins().ushr_imm_s(h, s as i64);
        let down = self.b.ins().band_imm_u(down, lane_repl(4, 0xffff_ffff >> s) as i64);
        let up = self.b.ins().ishl_imm_s(h, 32 - s as i64);
        let up = self.b.ins().band_imm_u(up, lane_repl(4, (0xffff_ffff << (32 - s)) & 0xffff_ffff) as i64);
        self.b.ins().bor(down, up)
    }

    /// Every byte of `x` multiplied by 2 in GF(2^8).
    fn xtime(&mut self, x: ir::Value) -> ir::Value {
        let hi = self.b.ins().ushr_imm_s(x, 7);
        let hi = self.b.ins().band_imm_u(hi, lane_repl(1, 1) as i64);
        let red = self.b.ins().imul_imm_u(hi, 0x1b);
        let lo = self.b.ins().band_imm_u(x, lane_repl(1, 0x7f) as i64);
        let lo = self.b.ins().ishl_imm_s(lo, 1);
        self.b.ins().bxor(lo, red)
    }

    /// The half of vector `v` holding lane `idx` of `esize` bytes, shifted
    /// so the lane is its low bits (the bits above not cleared).
    fn lane_down(&mut self, v: Value, esize: u8, idx: u8) -> ir::Value {
        let (lo, hi) = self.vp(v);
        let (half, shift, _) = lane_at(esize, idx);
        let h = if half == 0 { lo } else { hi };
        if shift == 0 { h } else { self.b.ins().ushr_imm_s(h, shift as i64) }
    }

    /// The low `esize` bytes of `x` in every lane of a 64-bit half (the
    /// lane times 0x0101…: no product crosses a lane).
    fn broadcast(&mut self, esize: u8, x: ir::Value) -> ir::Value {
        if esize == 8 {
            return x;
        }
        let x = self.b.ins().band_imm_u(x, lane_mask(esize) as i64);
        self.b.ins().imul_imm_u(x, lane_repl(esize, 1) as i64)
    }

    /// A scalar FP operation on the host's BFP unit when that gives exactly
    /// the guest's result and FPSR: FPCR in its default mode (RMode, FZ,
    /// DN, AHP zero), FPSR.IXC already set (so an inexact result adds no
    /// flag: the cumulative flags are sticky) or a result the operands
    /// show to be exact (`op_exact`), and a finite result clear of the
    /// underflow range (no NaN, infinity, overflow, underflow or invalid
    /// operation; see `fp_result`). A compare needs only the mode and
    /// ordered operands. Anything else takes the helper, which recomputes
    /// from the same inputs.
    fn fp_guarded(&mut self, op: &Op, i: usize) -> ir::Value {
        // Compares, maxima, minima and roundings other than FRINTX raise
        // no inexact.
        let exact = matches!(
            op,
            Op::FpCmp { .. }
                | Op::FpBin { op: FpBinOp::Max | FpBinOp::Min | FpBinOp::MaxNum | FpBinOp::MinNum, .. }
                | Op::FpUn { op: FpUnOp::Round { exact: false, .. }, .. }
        );
        let (mode_ok, ixc_ok) = self.fp_guard.expect("a region with guarded FP operations reads the guard");
        let guard = self.b.use_var(if exact { mode_ok } else { ixc_ok });
        // Branches, not a combined flag: each test is one compare and
        // branch on s390x.
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let join = self.b.create_block();
        let out = self.b.append_block_param(join, types::I64);
        if !exact && exact_kind(op).is_some() {
            // FPSR.IXC clear: still native where the result is exact (no
            // flag to raise), which the operands tell.
            let mode = self.b.create_block();
            let exact_path = self.b.create_block();
            self.b.ins().brif(guard, fast, &[], mode, &[]);
            self.b.switch_to_block(mode);
            let m = self.b.use_var(mode_ok);
            self.b.ins().brif(m, exact_path, &[], slow, &[]);
            self.b.switch_to_block(exact_path);
            let (r, ok) = self.fp_native(op);
            let (kind, size, args) = exact_kind(op).unwrap();
            let ex = self.op_exact(kind, size, &args, r);
            // `size` is the result's but for FCVTZ* (an integer: the range
            // check alone) and the narrowing FCVT.
            let ok = match kind {
                ExactKind::FpToInt => ok,
                ExactKind::Demote => self.zero_or(ok, r, FpSize::S),
                _ => self.zero_or(ok, r, size),
            };
            let ok = self.b.ins().band(ok, ex);
            self.b.ins().brif(ok, join, &[r.into()], slow, &[]);
        } else {
            self.b.ins().brif(guard, fast, &[], slow, &[]);
        }
        self.b.switch_to_block(fast);
        let (r, ok) = self.fp_native(op);
        self.b.ins().brif(ok, join, &[r.into()], slow, &[]);
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        let h = self.call_helper(op, i).expect("FP operations have a result");
        self.b.ins().jump(join, &[h.into()]);
        self.b.switch_to_block(join);
        out
    }

    /// `ok`, or the FP bits `r` are a zero: an exact zero result raises no
    /// flag (only a tiny inexact one would underflow), so the exact path
    /// takes zeros too.
    fn zero_or(&mut self, ok: ir::Value, r: ir::Value, size: FpSize) -> ir::Value {
        let mag = self.b.ins().band_imm_u(r, if size == FpSize::S { 0x7fff_ffff } else { i64::MAX });
        let zero = self.b.ins().icmp_imm_u(CC::Equal, mag, 0);
        self.b.ins().bor(ok, zero)
    }

    /// The FP value of `size` in the low bits of `x`.
    fn float_of(&mut self, x: ir::Value, size: FpSize) -> ir::Value {
        if size == FpSize::S {
            let i = self.b.ins().ireduce(types::I32, x);
            self.b.ins().bitcast(types::F32, MemFlagsData::new(), i)
        } else {
            self.b.ins().bitcast(types::F64, MemFlagsData::new(), x)
        }
    }

    /// Whether `op` of `kind` on `args` (FP values of `size`, an integer
    /// for SCVTF/UCVTF) with native result `r` is exact, as an i8 flag.
    fn op_exact(&mut self, kind: ExactKind, size: FpSize, args: &[Value], r: ir::Value) -> ir::Value {
        use cranelift_codegen::ir::condcodes::FloatCC;
        match kind {
            ExactKind::IntToFp { w, signed, to } => {
                let x = self.v(args[0]);
                let x = if w == Width::W32 {
                    let n = self.b.ins().ireduce(types::I32, x);
                    if signed { self.b.ins().sextend(types::I64, n) } else { self.b.ins().uextend(types::I64, n) }
                } else {
                    x
                };
                let limit = if to == FpSize::S { 1i64 << 24 } else { 1i64 << 53 };
                if signed {
                    let t = self.b.ins().iadd_imm_s(x, limit);
                    self.b.ins().icmp_imm_u(CC::UnsignedLessThanOrEqual, t, 2 * limit)
                } else {
                    self.b.ins().icmp_imm_u(CC::UnsignedLessThanOrEqual, x, limit)
                }
            }
            ExactKind::FpToInt => {
                let x = self.float_of(self.v(args[0]), size);
                let t = self.b.ins().trunc(x);
                self.b.ins().fcmp(FloatCC::Equal, t, x)
            }
            ExactKind::Demote => {
                let x = self.float_of(self.v(args[0]), FpSize::D);
                let rf = self.float_of(r, FpSize::S);
                let back = self.b.ins().fpromote(types::F64, rf);
                self.b.ins().fcmp(FloatCC::Equal, back, x)
            }
            _ => {
                let xs: Vec<ir::Value> = args.iter().map(|a| self.float_of(self.v(*a), size)).collect();
                self.arith_exact(kind, size, &xs)
            }
        }
    }

    /// Whether the rounded result of `kind` on `xs` (FP values; for a
    /// multiply-add the addend first) is exact, as an i8 flag: a sum is
    /// exact when subtracting either operand from it gives the other (the
    /// subtraction with the larger operand is itself exact — Fast2Sum —
    /// so an inexact sum fails it); a product when its error term, by FMA,
    /// is zero and the product lies where that error is representable
    /// (biased exponent at least 54 for doubles, 25 for singles) or a
    /// factor is zero; a multiply-add when its product is exact and the sum
    /// of product and addend is.
    fn arith_exact(&mut self, kind: ExactKind, size: FpSize, xs: &[ir::Value]) -> ir::Value {
        use cranelift_codegen::ir::condcodes::FloatCC;
        let sum_exact = |l: &mut Self, x: ir::Value, y: ir::Value| {
            let s = l.b.ins().fadd(x, y);
            let dy = l.b.ins().fsub(s, x);
            let dx = l.b.ins().fsub(s, y);
            let ey = l.b.ins().fcmp(FloatCC::Equal, dy, y);
            let ex = l.b.ins().fcmp(FloatCC::Equal, dx, x);
            l.b.ins().band(ey, ex)
        };
        let product_exact = |l: &mut Self, x: ir::Value, y: ir::Value| {
            let p = l.b.ins().fmul(x, y);
            let np = l.b.ins().fneg(p);
            let e = l.b.ins().fma(x, y, np);
            let zero = if size == FpSize::S { l.b.ins().f32const(0.0) } else { l.b.ins().f64const(0.0) };
            let e0 = l.b.ins().fcmp(FloatCC::Equal, e, zero);
            let (_, in_range) = l.exponent_from(p, size, if size == FpSize::S { 25 } else { 54 });
            let measured = l.b.ins().band(e0, in_range);
            // A zero factor makes the product exactly zero (a NaN from
            // infinity times zero fails the result check).
            let zx = l.b.ins().fcmp(FloatCC::Equal, x, zero);
            let zy = l.b.ins().fcmp(FloatCC::Equal, y, zero);
            let z = l.b.ins().bor(zx, zy);
            (p, l.b.ins().bor(measured, z))
        };
        match kind {
            ExactKind::Add => sum_exact(self, xs[0], xs[1]),
            ExactKind::Sub => {
                let ny = self.b.ins().fneg(xs[1]);
                sum_exact(self, xs[0], ny)
            }
            ExactKind::Mul => product_exact(self, xs[0], xs[1]).1,
            ExactKind::MulAdd { neg_product, neg_addend } => {
                let x = if neg_product { self.b.ins().fneg(xs[1]) } else { xs[1] };
                let z = if neg_addend { self.b.ins().fneg(xs[0]) } else { xs[0] };
                let (p, pe) = product_exact(self, x, xs[2]);
                let se = sum_exact(self, p, z);
                self.b.ins().band(pe, se)
            }
            _ => unreachable!("not an arithmetic ExactKind"),
        }
    }

    /// Reads FPCR and FPSR into the guard flags of `fp_guarded` (if the
    /// region has guarded operations).
    fn read_fp_guard(&mut self) {
        let Some((mode_ok, ixc_ok)) = self.fp_guard else { return };
        let fpcr = self.b.ins().load(types::I64, self.native, self.cpu, offset_of!(CpuState, fpcr) as i32);
        let mode = self.b.ins().band_imm_u(fpcr, 0x1f << 22);
        let m = self.b.ins().icmp_imm_s(CC::Equal, mode, 0);
        let fpsr = self.b.ins().load(types::I64, self.native, self.cpu, offset_of!(CpuState, fpsr) as i32);
        let ixc = self.b.ins().band_imm_u(fpsr, 0x10);
        let ixc = self.b.ins().icmp_imm_s(CC::NotEqual, ixc, 0);
        let both = self.b.ins().band(m, ixc);
        // As 0 or 1 in 64 bits: a branch on one is a compare with zero.
        let (m, both) = (self.b.ins().uextend(types::I64, m), self.b.ins().uextend(types::I64, both));
        self.b.def_var(mode_ok, m);
        self.b.def_var(ixc_ok, both);
    }

    /// The host computation of an `fp_fast` operation: its result (bits,
    /// zero-extended) and whether the result qualifies (an i8 flag).
    fn fp_native(&mut self, op: &Op) -> (ir::Value, ir::Value) {
        let fty = |s: FpSize| if s == FpSize::S { types::F32 } else { types::F64 };
        let to_f = |l: &mut Self, x: Value, s: FpSize| l.float_of(l.v(x), s);
        match *op {
            Op::FpBin { op: bop @ (FpBinOp::Max | FpBinOp::Min | FpBinOp::MaxNum | FpBinOp::MinNum), size, a, b } => {
                // Without a NaN operand FMAX and FMAXNM agree (-0 below
                // +0, as CLIF's fmax orders them) and raise nothing.
                use cranelift_codegen::ir::condcodes::FloatCC;
                let (x, y) = (to_f(self, a, size), to_f(self, b, size));
                let r = if matches!(bop, FpBinOp::Max | FpBinOp::MaxNum) { self.b.ins().fmax(x, y) } else { self.b.ins().fmin(x, y) };
                let ok = self.b.ins().fcmp(FloatCC::Ordered, x, y);
                (self.fp_bits(r, size), ok)
            }
            Op::FpUn { op: FpUnOp::Round { mode, .. }, size, a } => {
                // Exact but for inexact (FRINTX: guarded by FPSR.IXC); a
                // NaN takes the helper.
                use cranelift_codegen::ir::condcodes::FloatCC;
                use zarm_ir::fp::FpRounding as R;
                let x = to_f(self, a, size);
                let r = match mode {
                    R::PosInf => self.b.ins().ceil(x),
                    R::NegInf => self.b.ins().floor(x),
                    R::Zero => self.b.ins().trunc(x),
                    _ => self.b.ins().nearest(x),
                };
                let ok = self.b.ins().fcmp(FloatCC::Ordered, x, x);
                (self.fp_bits(r, size), ok)
            }
            Op::FpBin { op: bop, size, a, b } => {
                let (x, y) = (to_f(self, a, size), to_f(self, b, size));
                let r = match bop {
                    FpBinOp::Add => self.b.ins().fadd(x, y),
                    FpBinOp::Sub => self.b.ins().fsub(x, y),
                    FpBinOp::Mul => self.b.ins().fmul(x, y),
                    FpBinOp::Div => self.b.ins().fdiv(x, y),
                    _ => {
                        let m = self.b.ins().fmul(x, y);
                        self.b.ins().fneg(m)
                    }
                };
                self.fp_result(r, size)
            }
            Op::FpUn { size, a, .. } => {
                let x = to_f(self, a, size);
                let r = self.b.ins().sqrt(x);
                self.fp_result(r, size)
            }
            Op::FpMulAdd { size, neg_product, neg_addend, addend, a, b } => {
                let (mut x, y, mut z) = (to_f(self, a, size), to_f(self, b, size), to_f(self, addend, size));
                if neg_product {
                    x = self.b.ins().fneg(x);
                }
                if neg_addend {
                    z = self.b.ins().fneg(z);
                }
                let r = self.b.ins().fma(x, y, z);
                self.fp_result(r, size)
            }
            Op::FpConvert { from, to, a } => {
                let x = to_f(self, a, from);
                let r = if to == FpSize::D { self.b.ins().fpromote(types::F64, x) } else { self.b.ins().fdemote(types::F32, x) };
                self.fp_result(r, to)
            }
            Op::IntToFp { to, w, signed, a, .. } => {
                // Always finite, never tiny: only inexact, which the guard
                // (FPSR.IXC set) makes no difference.
                let x = self.opnd(w, a);
                let r = if signed { self.b.ins().fcvt_from_sint(fty(to), x) } else { self.b.ins().fcvt_from_uint(fty(to), x) };
                let ok = self.b.ins().iconst(types::I8, 1);
                (self.fp_bits(r, to), ok)
            }
            Op::FpToInt { from, w, signed, a, .. } => {
                // Native when the truncated value is in range (no invalid
                // operation): lo − 1 < x < 2^bits or 2^(bits−1); lo − 1
                // rounded to the FP type is at least lo − 1 (it rounds
                // toward zero here), so the test never admits too much. A
                // NaN fails both compares.
                use cranelift_codegen::ir::condcodes::FloatCC;
                let x = to_f(self, a, from);
                let bits = if w == Width::W32 { 32 } else { 64 };
                let (lo, hi) = if signed { (-(2f64.powi(bits - 1)) - 1.0, 2f64.powi(bits - 1)) } else { (-1.0, 2f64.powi(bits)) };
                let (lo, hi) = if from == FpSize::S {
                    (self.b.ins().f32const(lo as f32), self.b.ins().f32const(hi as f32))
                } else {
                    (self.b.ins().f64const(lo), self.b.ins().f64const(hi))
                };
                let above = self.b.ins().fcmp(FloatCC::GreaterThan, x, lo);
                let below = self.b.ins().fcmp(FloatCC::LessThan, x, hi);
                let ok = self.b.ins().band(above, below);
                let ity = if w == Width::W32 { types::I32 } else { types::I64 };
                let r = if signed { self.b.ins().fcvt_to_sint_sat(ity, x) } else { self.b.ins().fcvt_to_uint_sat(ity, x) };
                let r = if w == Width::W32 { self.b.ins().uextend(types::I64, r) } else { r };
                (r, ok)
            }
            Op::FpCmp { size, a, b, .. } => {
                use cranelift_codegen::ir::condcodes::FloatCC;
                let (x, y) = (to_f(self, a, size), to_f(self, b, size));
                let ord = self.b.ins().fcmp(FloatCC::Ordered, x, y);
                let eq = self.b.ins().fcmp(FloatCC::Equal, x, y);
                let lt = self.b.ins().fcmp(FloatCC::LessThan, x, y);
                // Equal: Z and C; less: N; greater: C.
                let (zc, n, c) = (self.iconst(0x6000_0000), self.iconst(0x8000_0000), self.iconst(0x2000_0000));
                let r = self.b.ins().select(lt, n, c);
                let r = self.b.ins().select(eq, zc, r);
                (r, ord)
            }
            _ => unreachable!("not an fp_fast operation: {}", op.name()),
        }
    }

    /// The bits of FP value `r`, zero-extended.
    fn fp_bits(&mut self, r: ir::Value, size: FpSize) -> ir::Value {
        if size == FpSize::S {
            let bits = self.b.ins().bitcast(types::I32, MemFlagsData::new(), r);
            self.b.ins().uextend(types::I64, bits)
        } else {
            self.b.ins().bitcast(types::I64, MemFlagsData::new(), r)
        }
    }

    /// The bits of FP result `r` and whether its biased exponent lies in
    /// [2, max − 1]: finite and at least twice the smallest normal, so
    /// neither overflow nor underflow (A64 detects tininess before
    /// rounding; a result that rounded to at least 2^(Emin+1) was not
    /// tiny). Results of exponent 1 — the smallest normal octave — take
    /// the helper too, which is exact and rare.
    fn fp_result(&mut self, r: ir::Value, size: FpSize) -> (ir::Value, ir::Value) {
        let (bits, ok) = self.exponent_from(r, size, 2);
        let out = if size == FpSize::S { self.b.ins().uextend(types::I64, bits) } else { bits };
        (out, ok)
    }

    /// The bits of FP value `r` (i32 or i64) and whether its biased
    /// exponent lies in [`lo`, max − 1] (finite, at least 2^(lo − bias)):
    /// shift, mask and one unsigned compare.
    fn exponent_from(&mut self, r: ir::Value, size: FpSize, lo: i64) -> (ir::Value, ir::Value) {
        let (ity, frac_bits, max_exp) = if size == FpSize::S { (types::I32, 23, 0xffi64) } else { (types::I64, 52, 0x7ff) };
        let bits = self.b.ins().bitcast(ity, MemFlagsData::new(), r);
        let e = self.b.ins().ushr_imm_s(bits, frac_bits);
        let e = self.b.ins().band_imm_u(e, max_exp);
        let t = self.b.ins().iadd_imm_s(e, -lo);
        (bits, self.b.ins().icmp_imm_u(CC::UnsignedLessThanOrEqual, t, max_exp - 1 - lo))
    }

    /// NZCV of x + y + c (c is 0 or 1), as AddWithCarry defines it.
    fn add_flags(&mut self, w: Width, x: ir::Value, y: ir::Value, c: ir::Value) -> ir::Value {
        // The result r (zero-extended) and the carry out (0 or 1).
        let (x, y, r, cf) = match w {
            Width::W32 => {
                let m = 0xffff_ffffi64;
                let x = self.b.ins().band_imm_u(x, m);
                let y = self.b.ins().band_imm_u(y, m);
                let s = self.b.ins().iadd(x, y);
                let s = self.b.ins().iadd(s, c);
                let r = self.b.ins().band_imm_u(s, m);
                let cf = self.b.ins().ushr_imm_s(s, 32);
                (x, y, r, cf)
            }
            Width::W64 => {
                let s = self.b.ins().iadd(x, y);
                let r = self.b.ins().iadd(s, c);
                // Carry: r < x, or r == x with a carry in (y = all ones).
                let lt = self.b.ins().icmp(CC::UnsignedLessThan, r, x);
                let eq = self.b.ins().icmp(CC::Equal, r, x);
                let c8 = self.b.ins().ireduce(types::I8, c);
                let eqc = self.b.ins().band(eq, c8);
                let cf = self.b.ins().bor(lt, eqc);
                (x, y, r, self.bool64(cf))
            }
        };
        let sign = w.bits() as i64 - 1;
        let cf = self.b.ins().ishl_imm_s(cf, 29);
        let n = self.b.ins().ushr_imm_s(r, sign);
        let n = self.b.ins().ishl_imm_s(n, 31);
        let z = self.b.ins().icmp_imm_s(CC::Equal, r, 0);
        let z = self.bool64(z);
        let z = self.b.ins().ishl_imm_s(z, 30);
        let xr = self.b.ins().bxor(x, r);
        let yr = self.b.ins().bxor(y, r);
        let v = self.b.ins().band(xr, yr);
        let v = self.b.ins().ushr_imm_s(v, sign);
        let v = self.b.ins().ishl_imm_s(v, 28);
        let nz = self.b.ins().bor(n, z);
        let cv = self.b.ins().bor(cf, v);
        self.b.ins().bor(nz, cv)
    }

    fn cond_holds(&mut self, cond: Cond, nzcv: Value) -> ir::Value {
        if cond.0 >= 14 {
            return self.iconst(1);
        }
        // A condition on the flags of a subtraction or a logical result in
        // this block is one comparison (`Cond::of_subtraction`/`of_logical`).
        let direct = match self.flag_src.get(nzcv.index()).copied().flatten() {
            Some(FlagSrc::Sub { a, b }) => cond.of_subtraction().map(|cc| self.b.ins().icmp(int_cc(cc), a, b)),
            Some(FlagSrc::Logic { r }) => cond.of_logical().map(|cc| self.b.ins().icmp_imm_s(int_cc(cc), r, 0)),
            None => None,
        };
        if let Some(c) = direct {
            return self.bool64(c);
        }
        let w = self.v(nzcv);
        let bit = |s: &mut Self, k: i64| {
            let t = s.b.ins().ushr_imm_s(w, k);
            s.b.ins().band_imm_u(t, 1)
        };
        let base = match cond.0 >> 1 {
            0 => bit(self, 30),
            1 => bit(self, 29),
            2 => bit(self, 31),
            3 => bit(self, 28),
            4 => {
                // C && !Z
                let c = bit(self, 29);
                let z = bit(self, 30);
                self.b.ins().band_not(c, z)
            }
            5 | 6 => {
                let n = bit(self, 31);
                let v = bit(self, 28);
                let ne = self.b.ins().bxor(n, v);
                let ge = self.b.ins().bxor_imm_u(ne, 1);
                if cond.0 >> 1 == 5 {
                    ge
                } else {
                    let z = bit(self, 30);
                    self.b.ins().band_not(ge, z)
                }
            }
            _ => unreachable!(),
        };
        if cond.0 & 1 == 1 {
            self.b.ins().bxor_imm_u(base, 1)
        } else {
            base
        }
    }

    /// Checks a guest address against the window (leaving with a fault if
    /// outside) after making the state precise; returns the host address.
    /// The host address and displacement of a scalar access to guest
    /// address `addr`. At base + a small constant (`emit::base_plus_constant`,
    /// as the baseline folds them) only the base is checked, once per
    /// block, and the constant goes into the displacement: the guard bytes
    /// after the window fault for what it carries past the end, at the
    /// right guest address.
    fn access(&mut self, addr: Value, size: u64, write: bool) -> (ir::Value, i32) {
        let folded = if self.cfg.window_guard { crate::emit::base_plus_constant(&self.region.blocks[self.cur], addr) } else { None };
        let Some((base, k)) = folded else {
            let a = self.v(addr);
            return (self.guest_addr(a, size, write), 0);
        };
        if let Some(&h) = self.checked_bases.get(&base.index()) {
            self.flush();
            return (h, k);
        }
        let b = self.v(base);
        let h = self.guest_addr_at(b, k, size, write);
        self.checked_bases.insert(base.index(), h);
        (h, k)
    }

    fn guest_addr(&mut self, a: ir::Value, size: u64, write: bool) -> ir::Value {
        self.guest_addr_at(a, 0, size, write)
    }

    /// The host address of guest address `a` after checking that it lies
    /// in the window (`a` + `k` is the accessed address, reported if the
    /// check fails).
    fn guest_addr_at(&mut self, a: ir::Value, k: i32, size: u64, write: bool) -> ir::Value {
        self.flush();
        let bits = self.cfg.guest_addr_bits.min(63) as i64;
        let mut hi = self.b.ins().ushr_imm_s(a, bits);
        if !self.cfg.window_guard && size > 1 {
            let last = self.b.ins().iadd_imm_s(a, size as i64 - 1);
            let hi_last = self.b.ins().ushr_imm_s(last, bits);
            hi = self.b.ins().bor(hi, hi_last);
        }
        let bad = self.b.create_block();
        let ok = self.b.create_block();
        self.b.ins().brif(hi, bad, &[], ok, &[]);
        self.b.switch_to_block(bad);
        self.b.set_cold_block(bad);
        let fa = if k == 0 { a } else { self.b.ins().iadd_imm_s(a, k as i64) };
        self.b.ins().store(self.native, fa, self.ctx, offset_of!(JitContext, fault_addr) as i32);
        let k = self.iconst(FAULT_OUT_OF_WINDOW);
        self.b.ins().store(self.native, k, self.ctx, offset_of!(JitContext, fault_kind) as i32);
        let wv = self.iconst(write as u64);
        self.b.ins().store(self.native, wv, self.ctx, offset_of!(JitContext, fault_write) as i32);
        let pc = self.pc;
        self.exit_const(pc, EXIT_FAULT, 0);
        self.b.switch_to_block(ok);
        self.b.ins().iadd(self.base, a)
    }

    fn load_le(&mut self, size: MemSize, h: ir::Value, off: i32) -> ir::Value {
        let ins = self.b.ins();
        match size {
            MemSize::B1 => ins.uload8(types::I64, self.le, h, off),
            MemSize::B2 => ins.uload16(types::I64, self.le, h, off),
            MemSize::B4 => ins.uload32(self.le, h, off),
            MemSize::B8 => ins.load(types::I64, self.le, h, off),
        }
    }

    fn store_le(&mut self, size: MemSize, x: ir::Value, h: ir::Value, off: i32) {
        let ins = self.b.ins();
        match size {
            MemSize::B1 => ins.istore8(self.le, x, h, off),
            MemSize::B2 => ins.istore16(self.le, x, h, off),
            MemSize::B4 => ins.istore32(self.le, x, h, off),
            MemSize::B8 => ins.store(self.le, x, h, off),
        };
    }

    /// Calls `helper::jit_eval` for `op` (the next helper operand).
    fn call_helper(&mut self, op: &Op, i: usize) -> Option<ir::Value> {
        let index = self.next_helper;
        self.next_helper += 1;
        self.helper_calls += 1;
        if flushes(op) {
            self.flush();
        }
        let slot = self.args_slot;
        let mut k = 0;
        // The helper's arguments and result are host u128s.
        for (a, ty) in op.args() {
            let (lo, hi) = match ty {
                Type::I64 => (self.v(a), self.iconst(0)),
                Type::V128 => self.vp(a),
            };
            self.b.ins().stack_store(types::I64, hi, slot, 16 * k + U128_HI as i32);
            self.b.ins().stack_store(types::I64, lo, slot, 16 * k + U128_LO as i32);
            k += 1;
        }
        if let Some(&addr) = self.cfg.helper_counters.get(index) {
            self.count_at(addr);
        }
        let op_addr = self.iconst(&self.helper_ops[index] as *const Op as u64);
        let args = self.b.ins().stack_addr(types::I64, slot, 0);
        let out = self.b.ins().stack_addr(types::I64, slot, 64);
        let f = self.iconst(helper::jit_eval as *const () as u64);
        let mut sig = ir::Signature::new(CallConv::SystemV);
        for _ in 0..4 {
            sig.params.push(AbiParam::new(types::I64));
        }
        sig.returns.push(AbiParam::new(types::I64));
        let sigref = self.b.import_signature(sig);
        let call = self.b.ins().call_indirect(sigref, f, &[self.ctx, op_addr, args, out]);
        let failed = self.b.inst_results(call)[0];
        // The helper may have changed FPCR or FPSR.
        self.read_fp_guard();
        if op.may_fault() {
            let bad = self.b.create_block();
            let ok = self.b.create_block();
            self.b.ins().brif(failed, bad, &[], ok, &[]);
            self.b.switch_to_block(bad);
            self.b.set_cold_block(bad);
            let pc = self.pc;
            self.exit_const(pc, EXIT_FAULT, 0);
            self.b.switch_to_block(ok);
        }
        match op.result_type() {
            Some(Type::I64) => Some(self.b.ins().stack_load(types::I64, types::I64, slot, 64 + U128_LO as i32)),
            Some(Type::V128) => {
                let hi = self.b.ins().stack_load(types::I64, types::I64, slot, 64 + U128_HI as i32);
                let lo = self.b.ins().stack_load(types::I64, types::I64, slot, 64 + U128_LO as i32);
                Some(self.pair(i, lo, hi))
            }
            None => None,
        }
    }
}

fn int_cc(cc: IntCC) -> CC {
    match cc {
        IntCC::Eq => CC::Equal,
        IntCC::Ne => CC::NotEqual,
        IntCC::Ult => CC::UnsignedLessThan,
        IntCC::Ule => CC::UnsignedLessThanOrEqual,
        IntCC::Ugt => CC::UnsignedGreaterThan,
        IntCC::Uge => CC::UnsignedGreaterThanOrEqual,
        IntCC::Slt => CC::SignedLessThan,
        IntCC::Sle => CC::SignedLessThanOrEqual,
        IntCC::Sgt => CC::SignedGreaterThan,
        IntCC::Sge => CC::SignedGreaterThanOrEqual,
    }
}

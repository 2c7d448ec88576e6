//! The baseline emitter: one pass from an IR block to s390x machine code.
//!
//! Every block is a function with the s390x ELF ABI:
//! `extern "C" fn(cpu: *mut CpuState, guest_base: u64, ctx: *mut JitContext) -> u64`,
//! returning an exit code (`EXIT_*`). Inside the block:
//!
//! | register | holds |
//! |---|---|
//! | r13 | the guest `CpuState` |
//! | r12 | host address of guest address 0 |
//! | r11 | the `JitContext` (fault details, memory for helpers) |
//! | r6–r10 | IR values (callee-saved, so they survive helper calls) |
//! | r0–r5, r14 | scratch |
//!
//! Guest state stays precise: every `SetGpr`/`SetNzcv`/`SetVec` is stored to
//! the `CpuState` at once, so a fault at any instruction sees exactly the
//! state before it. Operations without a native lowering call
//! [`helper::jit_eval`], which runs the interpreter's semantics for that one
//! operation — the hardware-assisted routes (issue #4) and more native
//! lowerings replace those calls over time.

mod asm;
mod atomic;
mod fp;
pub mod helper;
mod vector;
mod vector_gpr;

use crate::encode::{self, Mem};
use crate::facilities::HostFacilities;
use crate::routing::{Route, Router};
use std::collections::BTreeMap;
use asm::{CodeBuf, Label};
use std::mem::offset_of;
use zarm_ir::{Block, CpuState, MemSize, Op, RmwOp, Terminator, Type, Value, Width};

pub use helper::JitContext;

/// Continue at `CpuState::pc`.
pub const EXIT_JUMP: u64 = 0;
/// System call: the SVC immediate is in bits 8..24 of the exit code;
/// `CpuState::pc` is past the SVC.
pub const EXIT_SYSCALL: u64 = 1;
/// The block's terminator raises an exception at `CpuState::pc`.
pub const EXIT_EXCEPTION: u64 = 2;
/// A memory access faulted; details in `JitContext::fault_*`, and
/// `CpuState::pc` is the faulting guest instruction.
pub const EXIT_FAULT: u64 = 3;
/// The block's tier-up counter reached zero on entry: nothing of the block
/// ran, `CpuState::pc` is its start (the runtime compiles a region there).
pub const EXIT_HOT: u64 = 4;

const R_CPU: u8 = 13;
const R_BASE: u8 = 12;
const R_CTX: u8 = 11;
const POOL: [u8; 5] = [6, 7, 8, 9, 10];
/// Scratch registers for operands that live in stack slots.
const SA: u8 = 4;
const SB: u8 = 5;
const SC: u8 = 14;
/// Result register for values that live in stack slots.
const SD: u8 = 1;

/// See `EmitConfig::window_guard`.
pub const WINDOW_GUARD_BYTES: u64 = 1 << 16;

/// s390x ELF ABI: the caller provides a 160-byte register save area at 0(r15).
const SAVE_AREA: i32 = 160;
/// Most IR values a block may have: every block runs in the same fixed
/// frame, so chained blocks can jump into each other without prologues.
pub const MAX_VALUES: usize = 2048;
const ARGS_OFF: i32 = SAVE_AREA + 16 * MAX_VALUES as i32;
const OUT_OFF: i32 = ARGS_OFF + 16 * 4;
/// Where the write-probe stub keeps r0–r5 and r14 across its helper call.
const SPILL_OFF: i32 = OUT_OFF + 16;
/// The frame the entry trampoline sets up for all blocks.
pub const FRAME: i32 = SPILL_OFF + 56;
/// Entries of the indirect-branch target cache (a power of two).
pub const IBTC_ENTRIES: usize = 1024;

pub struct EmitConfig {
    /// The facilities the emitter may use: the host's, restricted by `--assist`.
    pub facilities: HostFacilities,
    /// Guest addresses must be below `1 << guest_addr_bits`; the emitter
    /// checks every direct access against it, so a wild guest pointer can
    /// never reach host memory outside the guest window.
    pub guest_addr_bits: u32,
    /// The runtime keeps `WINDOW_GUARD_BYTES` inaccessible bytes after the
    /// window and maps no guest page below that address: an access
    /// straddling the window's end faults in the host, so only the start
    /// address needs an explicit check; and an access at base + k (0 <= k,
    /// k + 16 <= WINDOW_GUARD_BYTES) needs only the base checked — from a
    /// base inside the window it stays inside the reservation, and from one
    /// outside it either leaves the window or wraps below
    /// `WINDOW_GUARD_BYTES`, unmapped either way.
    pub window_guard: bool,
    /// Check every access against the guest page-permission table
    /// (`JitContext::pages`) in generated code, so a refused access leaves
    /// through a fault exit at the exact guest instruction without relying
    /// on host signals.
    pub checked_pages: bool,
    /// Begin every block with the `exit_request` check. Off when every
    /// block returns to the dispatcher anyway (no chaining, lock-step), so
    /// a request arriving mid-run cannot make a block leave unexecuted.
    pub exit_checks: bool,
}

/// A block compiled to s390x code (not yet placed in executable memory).
pub struct CompiledBlock {
    pub code: Vec<u8>,
    /// (code offset, guest PC) at the start of each guest instruction.
    pub pc_map: Vec<(u32, u64)>,
    /// Operations evaluated by the helper; the code embeds their addresses,
    /// so this must live as long as the code.
    pub helper_ops: Box<[Op]>,
    /// Direct exits that the code cache may chain: each is a 6-byte BRCL at
    /// `offset` (its 32-bit field 4-byte aligned, so patching is one store)
    /// that initially branches to a stub leaving for `target`.
    pub exits: Vec<ExitSite>,
    /// How many operations were lowered natively and how many through the helper.
    pub native_ops: u32,
    pub helper_calls: u32,
    /// Guest instructions per route, and whether the native lowering
    /// (true) or the fallback (false) was used; an instruction whose
    /// operations take several routes counts once in each.
    pub routes: BTreeMap<(Route, bool), u32>,
    /// Guest instructions that took a native route needing a facility
    /// beyond the base (the hardware-assisted path).
    pub assisted_insns: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ExitSite {
    pub offset: u32,
    pub target: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Loc {
    None,
    Reg(u8),
    Slot,
    /// An I64 constant, materialised where it is used (`get`) or folded
    /// into an immediate operand.
    Const(u64),
    /// A V128 value read from guest vector register `r` and used only by
    /// lane reads before the block writes that register: the lanes are
    /// loaded from the `CpuState` directly (see `lane_only_vec_reads`).
    CpuVec(u8),
    /// A VFromHalves used only by SetVec: nothing is built; each SetVec
    /// stores the two halves (`halves_only_stored`).
    Halves(Value, Value),
    /// An I64 value evicted from its register while a guest register in
    /// the `CpuState` (at this offset) holds it: reloaded from there.
    Cpu(i32),
}

/// Marks the operations `candidate` accepts whose every use is by an
/// operation `user` accepts (the terminator counts as another user).
fn used_only_by(block: &Block, candidate: impl Fn(&Op) -> bool, user: impl Fn(&Op) -> bool) -> Vec<bool> {
    let mut only: Vec<bool> = block.ops.iter().map(candidate).collect();
    if only.contains(&true) {
        for op in block.ops.iter().filter(|op| !user(op)) {
            op.for_each_arg(|a| only[a.index()] = false);
        }
        if let Some(a) = block.term.arg() {
            only[a.index()] = false;
        }
    }
    only
}

/// VFromHalves values whose only uses are SetVec operations: their halves
/// are stored straight into the vector register, so the halves must stay
/// live until the last such SetVec (`last_use` is extended).
fn halves_only_stored(block: &Block, last_use: &mut [usize]) -> Vec<bool> {
    let only = used_only_by(block, |op| matches!(op, Op::VFromHalves { .. }), |op| matches!(op, Op::SetVec { .. }));
    for (i, op) in block.ops.iter().enumerate() {
        if let (true, Op::VFromHalves { lo, hi }) = (only[i], op) {
            let end = last_use[i];
            for h in [lo, hi] {
                last_use[h.index()] = last_use[h.index()].max(end);
            }
        }
    }
    only
}

/// GetVec values every use of which reads one lane (VExtractLane,
/// VDupLane) before any SetVec of the same register: `Some(r)` at their
/// index. Helpers never write vector registers (their results come back
/// through the frame), so only SetVec can change one within a block.
fn lane_only_vec_reads(block: &Block, last_use: &[usize]) -> Vec<Option<u8>> {
    let lanes_only = used_only_by(block, |op| matches!(op, Op::GetVec { .. }), |op| matches!(op, Op::VExtractLane { .. } | Op::VDupLane { .. }));
    let mut lazy = vec![None; block.ops.len()];
    // The next SetVec of each register, scanning backwards.
    let mut next_set = [usize::MAX; 32];
    for (i, op) in block.ops.iter().enumerate().rev() {
        match *op {
            Op::SetVec { r, .. } => next_set[r as usize] = i,
            Op::GetVec { r } if lanes_only[i] && next_set[r as usize] > last_use[i] => lazy[i] = Some(r),
            _ => {}
        }
    }
    lazy
}

/// A conditional branch whose condition (operation `at`, used only by the
/// terminator) is one comparison of `a` with `b` (with 0 if `None`): an
/// `Icmp`, or a `CondHolds` of a `SubFlags`/`LogicFlags` whose condition
/// maps to one (`Cond::of_subtraction`/`of_logical`, as in the tier).
#[derive(Clone, Copy)]
struct FusedBranch {
    at: usize,
    cc: zarm_ir::IntCC,
    w: Width,
    a: Value,
    b: Option<Value>,
}

fn fused_branch(block: &Block, use_count: &[u32]) -> Option<FusedBranch> {
    let Terminator::Branch { cond, .. } = block.term else { return None };
    let at = cond.index();
    // The terminator is its one use.
    if use_count[at] != 1 {
        return None;
    }
    let (cc, w, a, b) = as_compare(block, &block.ops[at])?;
    Some(FusedBranch { at, cc, w, a, b })
}

/// The one comparison (of `a` with `b`, or with 0 if `None`) an operation
/// amounts to: an `Icmp`, or a `CondHolds` of a `SubFlags`/`LogicFlags`
/// whose condition maps to one (`Cond::of_subtraction`/`of_logical`, as in
/// the tier). Such a CondHolds compares the flag operation's operands and
/// never reads the packed NZCV.
fn as_compare(block: &Block, op: &Op) -> Option<(zarm_ir::IntCC, Width, Value, Option<Value>)> {
    match *op {
        Op::Icmp { cc, w, a, b } => Some((cc, w, a, Some(b))),
        Op::CondHolds { cond, nzcv } => match block.ops[nzcv.index()] {
            Op::SubFlags { w, a, b } => Some((cond.of_subtraction()?, w, a, Some(b))),
            Op::LogicFlags { w, r } => Some((cond.of_logical()?, w, r, None)),
            _ => None,
        },
        _ => None,
    }
}

/// `addr` as base + k, if it is a 64-bit Add of a constant k that
/// `EmitConfig::window_guard` lets an access fold (0 <= k, k + 16 <=
/// `WINDOW_GUARD_BYTES`).
pub(crate) fn base_plus_constant(block: &Block, addr: Value) -> Option<(Value, i32)> {
    let Op::Add { w: Width::W64, a, b } = block.ops[addr.index()] else { return None };
    let konst = |v: Value| match block.ops[v.index()] {
        // (A negative constant is a huge u64: never folded.)
        Op::Const { value } if value <= WINDOW_GUARD_BYTES - 16 => Some(value as i32),
        _ => None,
    };
    match (konst(a), konst(b)) {
        (_, Some(k)) => Some((a, k)),
        (Some(k), None) => Some((b, k)),
        (None, None) => None,
    }
}

/// Per value: does some use read its high 32 bits? Guest semantics make
/// every 32-bit result zero-extended (`Op::high_word_zero`), but most 32-bit
/// results only feed other 32-bit operations, whose lowerings read the low
/// word alone (32-bit instructions; or 64-bit ones whose low word depends
/// only on the operands' low words — MSGR, AGRK for ADC, NCGRK — followed by
/// their own zero-extension when needed). Such a result can skip its LLGFR.
/// Everything else reads all 64 bits: guest registers, addresses, 64-bit
/// operations, comparisons, flags, helpers, the terminator. A 32-bit
/// AND/OR/XOR may be made by the 64-bit instruction when its operands' high
/// words are zero (`native`), so it reads its operands' high words whenever
/// its own are read.
///
/// Also returns the GetGpr values whose one use is an 8/16/32-bit extension
/// (`Emitter::ext_only_gpr`).
fn high_words_read(block: &Block, folded_add: &[bool], use_count: &[u32], sc: &mut Scratch) -> (Vec<bool>, Vec<bool>) {
    let n = block.ops.len();
    let mut read = reuse(&mut sc.high_read, n, false);
    let mut ext_only = reuse(&mut sc.ext_only_gpr, n, false);
    if let Some(a) = block.term.arg() {
        read[a.index()] = true;
    }
    for i in (0..n).rev() {
        let op = &block.ops[i];
        let low_only = !folded_add[i]
            && match *op {
                Op::And { w, .. } | Op::Or { w, .. } | Op::Xor { w, .. } => w == Width::W32 && !read[i],
                Op::Zext { from, .. } | Op::Sext { from, .. } => from <= 32,
                _ => op.alu_width() == Some(Width::W32),
            };
        match *op {
            // A store of 1, 2 or 4 bytes reads the value's low word only.
            Op::Store { size, addr, .. } if size != MemSize::B8 => read[addr.index()] = true,
            _ if !low_only => op.for_each_arg(|a| read[a.index()] = true),
            _ => {}
        }
        if let Op::Zext { from: 8 | 16 | 32, a } | Op::Sext { from: 8 | 16 | 32, a } = *op {
            ext_only[a.index()] = use_count[a.index()] == 1 && matches!(block.ops[a.index()], Op::GetGpr { .. });
        }
    }
    (read, ext_only)
}

/// What an out-of-line fault exit records: the faulting guest address
/// (register + displacement), the fault kind and whether it was a write.
#[derive(Clone, Copy)]
struct FaultAddr {
    reg: u8,
    disp: i32,
    kind: u64,
    write: bool,
}

/// How the flags and comparisons of a block are lowered (`flag_plan`).
struct FlagPlan {
    /// Flag operations (`AddFlags`/`SubFlags`/`LogicFlags`) never packed:
    /// every use is a `SetNzcv`, which stores the operation's kind and
    /// operands for lazy evaluation (`CpuState::flags_op`), or a CondHolds
    /// that compares the operands itself (`as_compare`).
    lazy: Vec<bool>,
    /// Comparisons (`as_compare`) used only as the condition of Select
    /// operations: each such Select compares and selects on the condition
    /// code, and the comparison itself emits nothing.
    in_select: Vec<bool>,
}

/// What the first pass over a block's operations finds for `flag_plan`.
struct OpCensus {
    /// Operations `as_compare` accepts, and flag operations, by index.
    compares: Vec<u32>,
    flag_ops: Vec<u32>,
    /// Per value: uses as a Select condition, and uses of a flag value by
    /// SetNzcv or a CondHolds that compares.
    select_uses: Vec<u32>,
    flag_uses: Vec<u32>,
    has_get_vec: bool,
    has_halves: bool,
}

/// Plans `FlagPlan` and extends `last_use` so the operands of every
/// comparison stay live where the comparison is really made.
fn flag_plan(block: &Block, last_use: &mut [usize], use_count: &[u32], fused: Option<&FusedBranch>, census: &OpCensus, sc: &mut Scratch) -> FlagPlan {
    let n = block.ops.len();
    let mut in_select = reuse(&mut sc.in_select, n, false);
    let mut lazy = reuse(&mut sc.lazy, n, false);
    let uses = |v: usize| use_count[v];
    for &i in &census.compares {
        let i = i as usize;
        let Some((_, _, a, b)) = as_compare(block, &block.ops[i]) else { continue };
        if fused.is_some_and(|f| f.at == i) {
            continue;
        }
        let selects = census.select_uses[i];
        in_select[i] = selects > 0 && uses(i) == selects;
        // Compared where the comparison is used, or at the CondHolds.
        let at = if in_select[i] { last_use[i] } else { i };
        for v in [Some(a), b].into_iter().flatten() {
            last_use[v.index()] = last_use[v.index()].max(at);
        }
    }
    for &i in &census.flag_ops {
        let i = i as usize;
        if census.flag_uses[i] == uses(i) {
            lazy[i] = true;
            // The SetNzcv operations store the operands.
            let end = last_use[i];
            block.ops[i].for_each_arg(|a| last_use[a.index()] = last_use[a.index()].max(end));
        }
    }
    FlagPlan { lazy, in_select }
}

/// The RISBG range (I3, I4 in s390x bit numbering, 0 the most significant)
/// selecting exactly the ones of `mask`, if they are one run, possibly
/// wrapping from bit 0 (LSB) round to bit 63.
pub(crate) fn contiguous_bits(mask: u64) -> Option<(u8, u8)> {
    let run = |m: u64| -> Option<(u32, u32)> {
        // The run's lowest and highest bit (LSB numbering), if one run.
        if m == 0 {
            return None;
        }
        let lo = m.trailing_zeros();
        let len = (m >> lo).trailing_ones();
        ((m >> lo).checked_shr(len).unwrap_or(0) == 0).then_some((lo, lo + len - 1))
    };
    if let Some((lo, hi)) = run(mask) {
        return Some(((63 - hi) as u8, (63 - lo) as u8));
    }
    // The zeros form one run strictly inside: the ones wrap around.
    let (lo, hi) = run(!mask)?;
    (lo > 0 && hi < 63).then(|| ((64 - lo) as u8, (62 - hi) as u8))
}

/// The branch mask selecting `cc` after a compare (CC 0: equal, 1: first
/// operand low, 2: first operand high).
fn cc_mask(cc: zarm_ir::IntCC) -> u8 {
    use zarm_ir::IntCC::*;
    match cc {
        Eq => 8,
        Ne => 6,
        Ult | Slt => 4,
        Ule | Sle => 12,
        Ugt | Sgt => 2,
        Uge | Sge => 10,
    }
}

struct Emitter<'a> {
    /// Per access: (base value, displacement) when its address is folded
    /// (`u32::MAX`: not); per value: an address every use of which is a
    /// folded access (not computed), and a value known to be inside the
    /// guest window (checked earlier in the block).
    fold: Vec<(u32, i32)>,
    folded_add: Vec<bool>,
    checked: Vec<bool>,
    /// Register allocation: the value each pool register was last given
    /// to, the registers the current operation has read (never evicted
    /// under it), and the guest register whose `CpuState` slot holds the
    /// same value, if any (read by GetGpr, or stored by SetGpr, and not
    /// overwritten since) with the value homed in each (one at most; an
    /// entry whose value has moved home is stale).
    owner: [u32; 16],
    touched: u16,
    home: Vec<Option<u8>>,
    homed: [u32; 32],
    fused: Option<FusedBranch>,
    flags: FlagPlan,
    /// Out-of-line calls of `helper::jit_settle_flags` before a read of
    /// NZCV: (stub label, resume label).
    settle_stubs: Vec<(Label, Label)>,
    lazy_vec: Vec<Option<u8>>,
    stored_halves: Vec<bool>,
    /// Per value: does any use read its high 32 bits (`high_words_read`)?
    /// A 32-bit result nobody reads that way is not zero-extended.
    high_read: Vec<bool>,
    /// GetGpr values used only by one 8/16/32-bit extension: not loaded;
    /// the extension loads its bytes from the `CpuState` (LLGF, LGB …).
    ext_only_gpr: Vec<bool>,
    cfg: &'a EmitConfig,
    buf: CodeBuf,
    loc: Vec<Loc>,
    last_use: Vec<usize>,
    free: Vec<u8>,
    pc: u64,
    pc_map: Vec<(u32, u64)>,
    epilogue: Label,
    req_stub: Option<(Label, u64)>,
    hot_stub: Option<(Label, u64)>,
    /// Chainable exits: (site label, slow-path label, target guest PC).
    exits: Vec<(u32, Label, u64)>,
    /// Out-of-line fault stubs: (label, guest pc, the register holding the
    /// faulting address and the fault kind, if the code detected it itself).
    fault_stubs: Vec<(Label, u64, Option<FaultAddr>)>,
    /// Out-of-line write probes: (label, continue label, guest pc, address
    /// register, access size) — see `helper::jit_prepare_write`.
    write_probes: Vec<(Label, Label, u64, u8, u64)>,
    helper_addrs: Vec<u64>,
    /// `ExecCounters::helper_calls` (`--stats`).
    helper_counters: Option<u64>,
    native_ops: u32,
    helper_calls: u32,
    routes: BTreeMap<(Route, bool), u32>,
    /// Routes taken by the current guest instruction.
    insn_routes: Vec<(Route, bool)>,
    assisted_insns: u32,
}

fn cpu_x(r: u8) -> i32 {
    (offset_of!(CpuState, x) + 8 * r as usize) as i32
}
fn cpu_v(r: u8) -> i32 {
    (offset_of!(CpuState, v) + 16 * r as usize) as i32
}
const CPU_PC: usize = offset_of!(CpuState, pc);
const CPU_NZCV: usize = offset_of!(CpuState, nzcv);
const CPU_FLAGS_OP: usize = offset_of!(CpuState, flags_op);
const CPU_FLAGS_A: usize = offset_of!(CpuState, flags_a);
const CPU_FLAGS_B: usize = offset_of!(CpuState, flags_b);
/// The CpuState field of a system register generated code reads and
/// writes directly, with the mask of its writable bits (0: read-only,
/// so an MSR to it stays with the helper).
pub fn sys_field(reg: zarm_ir::SysReg) -> Option<(usize, u64)> {
    use zarm_ir::SysReg::*;
    Some(match reg {
        Tpidr => (offset_of!(CpuState, tpidr), u64::MAX),
        Tpidrro => (offset_of!(CpuState, tpidrro), 0),
        Fpcr => (offset_of!(CpuState, fpcr), zarm_ir::state::FPCR_WRITABLE),
        Fpsr => (offset_of!(CpuState, fpsr), zarm_ir::state::FPSR_WRITABLE),
        Cntvct | Cntfrq => return None,
    })
}

fn m(base: u8, disp: i32) -> Mem {
    Mem::base_disp(base, disp)
}

/// Does this operation get a native lowering? `vx`: the vector-facility
/// route is allowed.
fn is_native(op: &Op, vx: bool) -> bool {
    use Op::*;
    match op {
        Nop {} | GuestInsn { .. } | Const { .. } | VConst { .. } | GetGpr { .. } | SetGpr { .. } | GetVec { .. }
        | SetVec { .. } | GetNzcv {} | SetNzcv { .. } | Add { .. } | Sub { .. } | And { .. } | Or { .. }
        | Xor { .. } | AndNot { .. } | OrNot { .. } | XorNot { .. } | Shl { .. } | Lshr { .. } | Ashr { .. }
        | Ror { .. } | Mul { .. } | UMulH { .. } | SMulH { .. } | UDiv { .. } | SDiv { .. } | Neg { .. }
        | Not { .. } | Clz { .. } | Popcnt { .. } | Cls { .. } | Rbit { .. } | Rev { .. } | Rev16 { .. } | Rev32 { .. } | Sext { .. } | Zext { .. } | Icmp { .. }
        | Select { .. } | AddFlags { .. } | SubFlags { .. } | LogicFlags { .. } | CondHolds { .. }
        | AddCarry { .. } | SubCarry { .. } | Load { .. } | Store { .. } | Load128 { .. } | Store128 { .. }
        | Fence { .. } | Crc32 { .. } => true,
        // TPIDR_EL0, TPIDRRO_EL0, FPCR and FPSR are CpuState fields
        // (generated code keeps no copy of FPCR or FPSR: its FP fast paths
        // read them and add flags to FPSR in place); the counters call
        // the helper.
        GetSys { reg } => sys_field(*reg).is_some(),
        SetSys { reg, .. } => sys_field(*reg).is_some_and(|(_, writable)| writable != 0),
        // AESE/AESD by table in general registers; AESMC/AESIMC on
        // vectors or in general registers.
        VAes { .. } => true,
        AtomicRmw { .. } | Cas { .. } | Cas128 { .. } | LoadExclusive { .. } | StoreExclusive { .. }
        | LoadExclusive128 { .. } | StoreExclusive128 { .. } | ClearExclusive {} => true,
        // DC ZVA of the 64-byte blocks the frontend makes.
        ZeroBlock { bytes, .. } => *bytes == 64,
        _ => {
            vector::is_vector_lane(op)
                || fp::is_sign_op(op)
                || (vector::is_vector_integer(op) && (vx || vector_gpr::is_swar(op)))
        }
    }
}

/// Does the baseline emitter run `op` without calling the helper (a native
/// lowering, or a guarded fast path) with these facilities? The tier keeps
/// such operations out of regions unless it lowers them itself.
pub fn lowers_natively(op: &Op, facilities: HostFacilities) -> bool {
    let router = Router::new(facilities);
    is_native(op, router.native(Route::VectorInteger))
        || fp::has_fast_path(op)
        || vector::fp_route(op).is_some()
}

/// Compiles `block`. Fails only on an internal limit (never on guest input).
pub fn compile(block: &Block, cfg: &EmitConfig) -> Result<CompiledBlock, String> {
    compile_counted(block, cfg, None, None)
}

/// The per-block arrays of `compile_counted`, kept per thread between
/// compilations so translating a block allocates little.
#[derive(Default)]
struct Scratch {
    last_use: Vec<usize>,
    use_count: Vec<u32>,
    select_uses: Vec<u32>,
    flag_uses: Vec<u32>,
    compares: Vec<u32>,
    flag_ops: Vec<u32>,
    in_select: Vec<bool>,
    lazy: Vec<bool>,
    lazy_vec: Vec<Option<u8>>,
    stored_halves: Vec<bool>,
    high_read: Vec<bool>,
    ext_only_gpr: Vec<bool>,
    fold: Vec<(u32, i32)>,
    folded_uses: Vec<u32>,
    folded_add: Vec<bool>,
    checked: Vec<bool>,
    native: Vec<bool>,
    loc: Vec<Loc>,
    home: Vec<Option<u8>>,
    /// The code buffer, its label and relocation arrays kept.
    buf: Option<CodeBuf>,
    free: Vec<u8>,
    exits: Vec<(u32, Label, u64)>,
    fault_stubs: Vec<(Label, u64, Option<FaultAddr>)>,
    write_probes: Vec<(Label, Label, u64, u8, u64)>,
    settle_stubs: Vec<(Label, Label)>,
    insn_routes: Vec<(Route, bool)>,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Option<Box<Scratch>>> = const { std::cell::Cell::new(None) };
}

/// `v` emptied, its allocation kept.
fn emptied<T>(v: &mut Vec<T>) -> Vec<T> {
    let mut w = std::mem::take(v);
    w.clear();
    w
}

/// `v` emptied and refilled with `len` copies of `x`, its allocation kept.
fn reuse<T: Clone>(v: &mut Vec<T>, len: usize, x: T) -> Vec<T> {
    let mut w = emptied(v);
    w.resize(len, x);
    w
}

/// The `--stats` counters a block's code adds to (they must outlive the
/// code).
#[derive(Clone, Copy, Debug)]
pub struct ExecCounters {
    /// One u64: entries into the block.
    pub entries: *mut u64,
    /// One u64 per helper operation of the block (`helper_sites`, in block
    /// order): calls of the helper actually made, so a guarded operation
    /// counts only the executions whose guard failed.
    pub helper_calls: *mut u64,
}

/// How many of `block`'s operations go to the helper (always, or as the
/// slow path of a guarded fast path) when compiled with `cfg`: the length
/// of `CompiledBlock::helper_ops` and of `ExecCounters::helper_calls`.
pub fn helper_sites(block: &Block, cfg: &EmitConfig) -> usize {
    let vx = Router::new(cfg.facilities).native(Route::VectorInteger);
    block.ops.iter().filter(|op| !is_native(op, vx)).count()
}

/// A block's tier-up count: slot `slot` of the table of the thread running
/// the code (`JitContext::countdowns`, one i64 per slot, zero at first),
/// so the code names nothing of one thread and other threads may install
/// it (`SharedTranslations`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct HotCount {
    pub slot: u32,
    /// Entries after which the block leaves with `EXIT_HOT`, once.
    pub threshold: i32,
}

/// Slots a thread's tier-up table has (`HotCount::slot` is below it).
pub const HOT_SLOTS: usize = 1 << 18;

/// Compiles `block`; with `counters`, the block adds one to their entry
/// count every time it is entered and to a helper operation's count every
/// time it calls the helper for it; with `hot`, it adds one to its slot on
/// entry and leaves with `EXIT_HOT` when the slot reaches the threshold
/// (the tier-up countdown; after that the slot counts on, never equal
/// again).
pub fn compile_counted(block: &Block, cfg: &EmitConfig, counters: Option<ExecCounters>, hot: Option<HotCount>) -> Result<CompiledBlock, String> {
    let n = block.ops.len();
    let mut sc = SCRATCH.take().unwrap_or_default();
    // Each value's last use (the terminator's at n) and number of uses.
    let mut last_use = reuse(&mut sc.last_use, n, 0usize);
    let mut use_count = reuse(&mut sc.use_count, n, 0u32);
    let mut census = OpCensus {
        compares: reuse(&mut sc.compares, 0, 0),
        flag_ops: reuse(&mut sc.flag_ops, 0, 0),
        select_uses: reuse(&mut sc.select_uses, n, 0),
        flag_uses: reuse(&mut sc.flag_uses, n, 0),
        has_get_vec: false,
        has_halves: false,
    };
    // Scalar accesses at base + constant: the constant goes into the
    // instruction's displacement and only the base is checked (see
    // `EmitConfig::window_guard`), once per block.
    let fold_ok = cfg.window_guard && !cfg.checked_pages;
    let mut fold = reuse(&mut sc.fold, n, (u32::MAX, 0));
    let mut folded_uses = reuse(&mut sc.folded_uses, n, 0u32);
    // Which operations are lowered natively (the others call the helper).
    let vx = Router::new(cfg.facilities).native(Route::VectorInteger);
    let mut native = emptied(&mut sc.native);
    let mut helper_count = 0;
    for (i, op) in block.ops.iter().enumerate() {
        op.for_each_arg(|a| {
            last_use[a.index()] = i;
            use_count[a.index()] += 1;
        });
        let nat = is_native(op, vx);
        native.push(nat);
        helper_count += !nat as usize;
        if fold_ok {
            if let Op::Load { addr, .. } | Op::Store { addr, .. } = *op {
                if let Some((base, k)) = base_plus_constant(block, addr) {
                    fold[i] = (base.0, k);
                    folded_uses[addr.index()] += 1;
                }
            }
        }
        let c = &mut census;
        match *op {
            // A condition that is also a selected value is needed as a value.
            Op::Select { c: s, a, b } if a != s && b != s => c.select_uses[s.index()] += 1,
            Op::SetNzcv { v } => c.flag_uses[v.index()] += 1,
            Op::CondHolds { nzcv, .. } if as_compare(block, op).is_some() => {
                c.flag_uses[nzcv.index()] += 1;
                c.compares.push(i as u32);
            }
            Op::Icmp { .. } => c.compares.push(i as u32),
            Op::AddFlags { .. } | Op::SubFlags { .. } | Op::LogicFlags { .. } => c.flag_ops.push(i as u32),
            Op::GetVec { .. } => c.has_get_vec = true,
            Op::VFromHalves { .. } => c.has_halves = true,
            _ => {}
        }
    }
    if let Some(a) = block.term.arg() {
        last_use[a.index()] = n;
        use_count[a.index()] += 1;
    }
    // A conditional branch on a comparison the terminator can make itself:
    // its operands stay live to the end.
    let fused = fused_branch(block, &use_count);
    if let Some(f) = &fused {
        last_use[f.a.index()] = n;
        if let Some(b) = f.b {
            last_use[b.index()] = n;
        }
    }
    // The base stays live to its folded accesses; an address used by
    // nothing else is not computed at all.
    let mut folded_add = reuse(&mut sc.folded_add, n, false);
    for i in 0..n {
        let (base, _) = fold[i];
        if base != u32::MAX {
            last_use[base as usize] = last_use[base as usize].max(i);
            let addr = match block.ops[i] {
                Op::Load { addr, .. } | Op::Store { addr, .. } => addr.index(),
                _ => unreachable!("only accesses are folded"),
            };
            folded_add[addr] = folded_uses[addr] == use_count[addr];
        }
    }
    sc.folded_uses = folded_uses;
    let (high_read, ext_only_gpr) = high_words_read(block, &folded_add, &use_count, &mut sc);
    let flags = flag_plan(block, &mut last_use, &use_count, fused.as_ref(), &census, &mut sc);
    sc.use_count = use_count;
    let lazy_vec = if census.has_get_vec { lane_only_vec_reads(block, &last_use) } else { reuse(&mut sc.lazy_vec, n, None) };
    let stored_halves = if census.has_halves { halves_only_stored(block, &mut last_use) } else { reuse(&mut sc.stored_halves, n, false) };
    sc.compares = census.compares;
    sc.flag_ops = census.flag_ops;
    sc.select_uses = census.select_uses;
    sc.flag_uses = census.flag_uses;
    // Helper operations are cloned with their arguments renumbered 0..k so
    // the helper can index a small argument array; collected first so their
    // addresses are fixed before code embeds them.
    let helper_ops: Box<[Op]> = if helper_count == 0 {
        Box::default()
    } else {
        block.ops.iter().zip(&native).filter(|(_, &nat)| !nat).map(|(op, _)| helper::helper_operand(op)).collect()
    };
    let helper_addrs: Vec<u64> = helper_ops.iter().map(|op| op as *const Op as u64).collect();

    if n > MAX_VALUES {
        return Err(format!("block at {:#x} has {n} IR values; the frame holds {MAX_VALUES}", block.start_pc));
    }
    // About 76 bytes per guest instruction and 16 per IR operation.
    let mut buf = sc.buf.take().unwrap_or_else(|| CodeBuf::with_capacity(0));
    buf.reserve(256 + 16 * n);
    let epilogue = buf.new_label();
    let mut e = Emitter {
        owner: [u32::MAX; 16],
        touched: 0,
        fold,
        folded_add,
        checked: reuse(&mut sc.checked, n, false),
        home: reuse(&mut sc.home, n, None),
        homed: [u32::MAX; 32],
        cfg,
        buf,
        loc: reuse(&mut sc.loc, n, Loc::None),
        last_use,
        free: {
            let mut free = emptied(&mut sc.free);
            free.extend(POOL.iter().rev());
            free
        },
        pc: block.start_pc,
        pc_map: Vec::with_capacity(block.guest_insns as usize + 1),
        epilogue,
        req_stub: None,
        hot_stub: None,
        exits: emptied(&mut sc.exits),
        fault_stubs: emptied(&mut sc.fault_stubs),
        write_probes: emptied(&mut sc.write_probes),
        helper_addrs,
        helper_counters: counters.map(|c| c.helper_calls as u64),
        native_ops: 0,
        helper_calls: 0,
        routes: BTreeMap::new(),
        insn_routes: emptied(&mut sc.insn_routes),
        assisted_insns: 0,
        fused,
        flags,
        settle_stubs: emptied(&mut sc.settle_stubs),
        lazy_vec,
        stored_halves,
        high_read,
        ext_only_gpr,
    };
    if cfg.exit_checks {
        e.entry_check(block.start_pc);
    }
    // The tier-up countdown first: a hot exit runs nothing of the block
    // and must not count as an entry.
    if let Some(h) = hot {
        // Not AGSI: the count is this thread's own, and AGSI is an
        // interlocked update (z196+), which qemu-user turns into an atomic
        // helper call once a second host thread exists (the tier's compile
        // thread) — in every hot loop latch.
        encode::lg(e.b(), 1, m(R_CTX, offset_of!(JitContext, countdowns) as i32));
        let mut disp = 8 * h.slot as i64;
        if disp > 0x7_ffff {
            // Beyond a 20-bit displacement.
            encode::agfi(e.b(), 1, disp as u32);
            disp = 0;
        }
        encode::lg(e.b(), 0, m(1, disp as i32));
        encode::aghi(e.b(), 0, 1);
        encode::stg(e.b(), 0, m(1, disp as i32));
        encode::cgfi(e.b(), 0, h.threshold as u32);
        let stub = e.buf.new_label();
        e.buf.branch(8, stub);
        e.hot_stub = Some((stub, block.start_pc));
    }
    if let Some(counter) = counters {
        // AGSI (general-instructions-extension, in the base): one add to
        // the block's counter per entry.
        e.load_imm(1, counter.entries as u64);
        encode::agsi(e.b(), m(1, 0), 1);
    }
    let mut helper_index = 0;
    for (i, op) in block.ops.iter().enumerate() {
        e.touched = 0;
        if e.fused.as_ref().is_some_and(|f| f.at == i) || e.flags.in_select[i] || e.folded_add[i] {
            // Evaluated by the terminator or the Select, or folded into
            // the accesses.
        } else if e.flags.lazy[i] {
            // Stored for lazy evaluation by SetNzcv (`flag_plan`).
        } else if native[i] {
            e.native(i, op, block)?;
            if !matches!(op, Op::Nop {} | Op::GuestInsn { .. }) {
                e.native_ops += 1;
            }
        } else if fp::has_fast_path(op) {
            e.fp_guarded(i, op, helper_index);
            helper_index += 1;
        } else if let Some(route) = vector::fp_route(op) {
            if e.route(route) {
                e.vfp_guarded(i, op, helper_index);
            } else {
                e.vfp_lanes_guarded(i, op, helper_index);
            }
            helper_index += 1;
        } else {
            if matches!(op, Op::VPmull { .. }) {
                e.route(Route::PolyMultiply);
            } else if vector::is_vector_integer(op) {
                // Counted as this route's fallback.
                e.route(Route::VectorInteger);
            }
            e.call_helper(i, op, helper_index, block);
            helper_index += 1;
        }
        // Release registers of values whose last use was this op.
        op.for_each_arg(|a| e.release_if_dead(a, i));
        if op.result_type().is_some() && e.last_use[i] <= i {
            e.release_if_dead(Value(i as u32), i);
        }
    }
    e.end_insn();
    e.touched = 0;
    // After IC IVAU the dispatcher must see the invalidation before any
    // other block runs: such a block always returns instead of chaining.
    let returns = block.ops.iter().any(|op| matches!(op, Op::InvalidateCode { .. }));
    match (&block.term, returns) {
        (Terminator::Jump { target }, true) => e.set_pc_and_exit(*target, EXIT_JUMP),
        _ => e.terminator(&block.term, block),
    }
    e.stubs();
    e.buf.bind(e.epilogue);
    emit_epilogue(&mut e.buf.bytes);
    let exits = e.exits.iter().map(|(site, _, target)| ExitSite { offset: *site, target: *target }).collect();
    // The arrays go back for the next block.
    sc.last_use = std::mem::take(&mut e.last_use);
    sc.in_select = std::mem::take(&mut e.flags.in_select);
    sc.lazy = std::mem::take(&mut e.flags.lazy);
    sc.loc = std::mem::take(&mut e.loc);
    sc.home = std::mem::take(&mut e.home);
    sc.lazy_vec = std::mem::take(&mut e.lazy_vec);
    sc.stored_halves = std::mem::take(&mut e.stored_halves);
    sc.high_read = std::mem::take(&mut e.high_read);
    sc.ext_only_gpr = std::mem::take(&mut e.ext_only_gpr);
    sc.fold = std::mem::take(&mut e.fold);
    sc.folded_add = std::mem::take(&mut e.folded_add);
    sc.native = native;
    sc.checked = std::mem::take(&mut e.checked);
    sc.free = std::mem::take(&mut e.free);
    sc.exits = std::mem::take(&mut e.exits);
    sc.fault_stubs = std::mem::take(&mut e.fault_stubs);
    sc.write_probes = std::mem::take(&mut e.write_probes);
    sc.settle_stubs = std::mem::take(&mut e.settle_stubs);
    sc.insn_routes = std::mem::take(&mut e.insn_routes);
    // A failed buffer (a label never bound) is not reused.
    let code = e.buf.take();
    if code.is_ok() {
        sc.buf = Some(e.buf);
    }
    SCRATCH.set(Some(sc));
    Ok(CompiledBlock {
        code: code?,
        pc_map: e.pc_map,
        helper_ops,
        exits,
        native_ops: e.native_ops,
        helper_calls: e.helper_calls,
        routes: e.routes,
        assisted_insns: e.assisted_insns,
    })
}

/// The byte tables of the reflected CRC-32 (0xEDB88320) and CRC-32C
/// (0x82F63B78) polynomials, sliced eight ways: in `t[0]` entry n is n
/// after eight shift-and-reduce steps (one byte), and `t[k]` is `t[k-1]`
/// advanced by one more zero byte, so the CRC of n bytes x_0..x_{n-1}
/// (the accumulator already XORed in) is `t[n-1][x_0] ^ … ^ t[0][x_{n-1}]`
/// — n independent loads instead of a chain of n table steps.
const fn make_crc_tables(poly: u32) -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = (c >> 1) ^ (poly & (c & 1).wrapping_neg());
            k += 1;
        }
        t[0][n] = c;
        n += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut n = 0;
        while n < 256 {
            let prev = t[k - 1][n];
            t[k][n] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            n += 1;
        }
        k += 1;
    }
    t
}
static CRC32_TABLES: [[u32; 256]; 8] = make_crc_tables(0xEDB8_8320);
static CRC32C_TABLES: [[u32; 256]; 8] = make_crc_tables(0x82F6_3B78);

/// The sliced tables of `poly` (both tiers index them from generated
/// code: table k at byte offset 1024·k).
pub(crate) fn crc_tables(poly: zarm_ir::CrcPoly) -> &'static [[u32; 256]; 8] {
    match poly {
        zarm_ir::CrcPoly::Crc32 => &CRC32_TABLES,
        zarm_ir::CrcPoly::Crc32c => &CRC32C_TABLES,
    }
}

/// `lmg r6,r15,FRAME+48(r15); br r14`: leave to the trampoline's caller
/// with the exit code in r2. Inlined in every block (8 bytes).
fn emit_epilogue(b: &mut Vec<u8>) {
    encode::lmg(b, 6, 15, m(15, FRAME + 48));
    encode::bcr(b, 15, 14);
}

/// The entry trampoline, placed once in code memory:
/// `extern "C" fn(cpu, guest_base, ctx, block_code) -> u64`. It saves the
/// callee-saved registers, sets up the fixed frame and the pinned
/// registers, and branches to the block; blocks leave through their inline
/// epilogue, which returns from this function.
pub fn trampoline() -> Vec<u8> {
    let mut b = Vec::new();
    encode::stmg(&mut b, 6, 15, m(15, 48));
    encode::lay(&mut b, 15, m(15, -FRAME));
    encode::stg(&mut b, 15, m(4, offset_of!(JitContext, frame_sp) as i32));
    encode::lgr(&mut b, R_CPU, 2);
    encode::lgr(&mut b, R_BASE, 3);
    encode::lgr(&mut b, R_CTX, 4);
    encode::bcr(&mut b, 15, 5);
    b
}

/// The code placed once at the start of code memory: the entry
/// trampoline, then (at the returned offset) the fault exit a host signal
/// handler redirects a faulting block to: it returns `EXIT_FAULT` through
/// the fixed frame, every register but r2 as the block left it.
pub fn fixed_code() -> (Vec<u8>, u32) {
    let mut b = trampoline();
    while b.len() % 8 != 0 {
        encode::bcr(&mut b, 0, 0);
    }
    let fault_exit = b.len() as u32;
    encode::lghi(&mut b, 2, EXIT_FAULT as i16);
    emit_epilogue(&mut b);
    (b, fault_exit)
}

/// A call of `helper::jit_settle_flags` on the pinned CPU state (clobbers
/// r0–r5 and r14, as any call).
fn settle_flags_call(b: &mut Vec<u8>) {
    let f = helper::jit_settle_flags as *const () as u64;
    encode::lgr(b, 2, R_CPU);
    encode::iihf(b, 1, (f >> 32) as u32);
    encode::iilf(b, 1, f as u32);
    encode::basr(b, 14, 1);
}

/// The entry code of an optimised region (`clif`), which the code cache
/// holds in place of the baseline block at `entry_pc`; the region's
/// function is placed right after it, at the returned offset (16-byte
/// aligned). It runs in the fixed frame like any block: the exit-request
/// check, a call of the function (`cpu`, `guest_base`, `ctx`), then for a
/// jump exit the indirect-branch cache (so hot code chains on without the
/// dispatcher), else a return with the function's exit code.
pub fn region_shim(entry_pc: u64, exit_checks: bool) -> (Vec<u8>, u32) {
    let mut buf = CodeBuf::with_capacity(128);
    let epi = buf.new_label();
    let func = buf.new_label();
    let req = buf.new_label();
    if exit_checks {
        encode::ltg(&mut buf.bytes, 0, m(R_CTX, offset_of!(JitContext, exit_request) as i32));
        buf.branch(7, req);
    }
    // The region reads NZCV from `nzcv`: lazily kept flags are evaluated
    // first (`CpuState::flags_op`); the region itself only stores settled
    // flags.
    let settled = buf.new_label();
    encode::ltg(&mut buf.bytes, 0, m(R_CPU, CPU_FLAGS_OP as i32));
    buf.branch(8, settled);
    settle_flags_call(&mut buf.bytes);
    buf.bind(settled);
    let b = &mut buf.bytes;
    encode::lgr(b, 2, R_CPU);
    encode::lgr(b, 3, R_BASE);
    encode::lgr(b, 4, R_CTX);
    buf.call(func);
    // r6–r15 are callee-saved: the pinned registers survive the call.
    encode::ltgr(&mut buf.bytes, 2, 2);
    buf.branch(7, epi);
    encode::lg(&mut buf.bytes, 5, m(R_CPU, CPU_PC as i32));
    ibtc_jump(&mut buf, 5, epi);
    buf.bind(req);
    let b = &mut buf.bytes;
    encode::iihf(b, 0, (entry_pc >> 32) as u32);
    encode::iilf(b, 0, entry_pc as u32);
    encode::stg(b, 0, m(R_CPU, CPU_PC as i32));
    encode::lghi(b, 2, EXIT_JUMP as i16);
    buf.bind(epi);
    emit_epilogue(&mut buf.bytes);
    while buf.offset() % 16 != 0 {
        encode::bcr(&mut buf.bytes, 0, 0);
    }
    let at = buf.offset();
    buf.bind(func);
    (buf.finish().expect("the shim's labels are bound"), at)
}

/// Jumps to the translation of the guest PC in register `r` if the
/// indirect-branch target cache holds it (entry ((pc >> 2) mod N) * 16:
/// guest pc, host code address), else branches to `miss`. Uses r1.
fn ibtc_jump(buf: &mut CodeBuf, r: u8, miss: Label) {
    let b = &mut buf.bytes;
    encode::risbg(b, 1, r, 64 - 4 - IBTC_ENTRIES.trailing_zeros() as u8, 0x80 | 59, 2);
    encode::ag(b, 1, m(R_CTX, offset_of!(JitContext, ibtc) as i32));
    encode::clg(b, r, m(1, 0));
    buf.branch(7, miss);
    let b = &mut buf.bytes;
    encode::lg(b, 1, m(1, 8));
    encode::bcr(b, 15, 1);
}

/// The 32-bit halfword offset to write into a BRCL at `site` so that it
/// branches to `target` (both absolute host addresses).
pub fn brcl_field(site: u64, target: u64) -> Option<[u8; 4]> {
    let hw = (target as i64 - site as i64) / 2;
    i32::try_from(hw).ok().map(|v| v.to_be_bytes())
}

impl Emitter<'_> {
    fn b(&mut self) -> &mut Vec<u8> {
        &mut self.buf.bytes
    }

    /// Consults the routing table for `route` and notes the choice for the
    /// current guest instruction.
    fn route(&mut self, route: Route) -> bool {
        let native = Router::new(self.cfg.facilities).native(route);
        if !self.insn_routes.contains(&(route, native)) {
            self.insn_routes.push((route, native));
        }
        native
    }

    /// Counts the routes the finished guest instruction took.
    fn end_insn(&mut self) {
        let mut assisted = false;
        for &(route, native) in &self.insn_routes {
            *self.routes.entry((route, native)).or_default() += 1;
            assisted |= native && crate::routing::info(route).facility.is_some();
        }
        self.insn_routes.clear();
        self.assisted_insns += assisted as u32;
    }

    /// Leaves before running anything when the runtime asked every thread
    /// to stop at a block boundary (signals, invalidation, tier-up).
    fn entry_check(&mut self, pc: u64) {
        encode::ltg(self.b(), 0, m(R_CTX, offset_of!(JitContext, exit_request) as i32));
        let stub = self.buf.new_label();
        self.buf.branch(7, stub);
        self.req_stub = Some((stub, pc));
    }

    fn slot(&self, v: Value) -> i32 {
        SAVE_AREA + 16 * v.0 as i32
    }

    /// The register holding I64 value `v`, loading it into `scratch` if it
    /// lives in a stack slot.
    fn get(&mut self, v: Value, scratch: u8) -> u8 {
        match self.loc[v.index()] {
            Loc::Reg(r) => {
                self.touched |= 1 << r;
                r
            }
            Loc::Const(c) => {
                self.load_imm(scratch, c);
                scratch
            }
            Loc::Cpu(off) => {
                encode::lg(self.b(), scratch, m(R_CPU, off));
                scratch
            }
            _ => {
                let off = self.slot(v) + 8;
                encode::lg(self.b(), scratch, m(15, off));
                scratch
            }
        }
    }

    /// `v` as a 16-bit signed immediate (negated with `neg`), if it is a
    /// constant that fits.
    fn imm16(&self, v: Value, neg: bool) -> Option<i16> {
        match self.loc[v.index()] {
            Loc::Const(c) => {
                let k = if neg { (c as i64).checked_neg()? } else { c as i64 };
                i16::try_from(k).ok()
            }
            _ => None,
        }
    }

    /// If `v` is a constant whose bits (the low 32 for a 32-bit AND) form
    /// one run of ones, possibly wrapping around, the RISBG bit range
    /// (I3, I4; bit 0 the most significant) that selects them.
    fn risbg_mask(&self, v: Value, w: Width) -> Option<(u8, u8)> {
        let Loc::Const(c) = self.loc[v.index()] else { return None };
        let mask = if w == Width::W64 { c } else { c & 0xffff_ffff };
        contiguous_bits(mask)
    }

    /// Chooses where value `i` is computed: a pool register if one is free;
    /// else the register of the value whose last use is furthest ahead
    /// (Belady's rule with last uses for next uses: measured as good on the
    /// workloads, and cheaper to translate), which is stored to its slot,
    /// or just forgotten when a guest register holds it — unless value `i`
    /// itself lives longest: then `SD` (and `commit` stores it to its
    /// slot). Registers the current operation has read are never taken.
    fn def(&mut self, i: usize) -> u8 {
        let r = match self.free.pop() {
            Some(r) => r,
            None => match self.evict_for(i) {
                Some(r) => r,
                None => {
                    self.loc[i] = Loc::Slot;
                    return SD;
                }
            },
        };
        self.loc[i] = Loc::Reg(r);
        self.owner[r as usize] = i as u32;
        r
    }

    fn evict_for(&mut self, i: usize) -> Option<u8> {
        let mine = self.last_use[i];
        let mut best: Option<(usize, bool, u8)> = None;
        for r in POOL {
            let v = self.owner[r as usize] as usize;
            if self.touched & (1 << r) != 0 || v >= self.loc.len() || self.loc[v] != Loc::Reg(r) {
                continue;
            }
            let cand = (self.last_use[v], self.home[v].is_some(), r);
            if best.is_none_or(|b| (cand.0, cand.1) > (b.0, b.1)) {
                best = Some(cand);
            }
        }
        let (next, _, r) = best?;
        if next <= mine {
            return None;
        }
        let v = self.owner[r as usize] as usize;
        match self.home[v] {
            Some(g) => self.loc[v] = Loc::Cpu(cpu_x(g)),
            None => {
                let off = self.slot(Value(v as u32)) + 8;
                encode::stg(self.b(), r, m(15, off));
                self.loc[v] = Loc::Slot;
            }
        }
        Some(r)
    }

    /// Guest register `g` is about to be overwritten: the value it held
    /// loses that home, and if it was evicted there (and is still needed)
    /// it moves to its slot.
    fn unhome(&mut self, g: u8, at: usize) {
        let u = std::mem::replace(&mut self.homed[g as usize], u32::MAX) as usize;
        if u >= self.home.len() || self.home[u] != Some(g) {
            return;
        }
        self.home[u] = None;
        if self.loc[u] == Loc::Cpu(cpu_x(g)) && self.last_use[u] > at {
            let off = self.slot(Value(u as u32)) + 8;
            let b = self.b();
            encode::lg(b, 0, m(R_CPU, cpu_x(g)));
            encode::stg(b, 0, m(15, off));
            self.loc[u] = Loc::Slot;
        }
    }

    /// Whether guest register `g` is the home of a value of this block
    /// (one read from it or stored to it, not overwritten since).
    fn holds_value(&self, g: u8) -> bool {
        let h = self.homed[g as usize] as usize;
        h < self.home.len() && self.home[h] == Some(g)
    }

    /// Value `v` (not a constant) is now also what guest register `g`
    /// holds: its one home (an evicted value follows it there).
    fn make_home(&mut self, v: usize, g: u8) {
        if let Some(old) = self.home[v] {
            if self.loc[v] == Loc::Cpu(cpu_x(old)) {
                self.loc[v] = Loc::Cpu(cpu_x(g));
            }
        }
        self.home[v] = Some(g);
        self.homed[g as usize] = v as u32;
    }

    fn commit(&mut self, i: usize, r: u8) {
        if self.loc[i] == Loc::Slot {
            let off = self.slot(Value(i as u32)) + 8;
            encode::stg(self.b(), r, m(15, off));
        }
    }

    /// Loads a little-endian guest value of `size` at `mem` into `d`,
    /// zero-extended.
    fn load_guest(&mut self, size: MemSize, d: u8, mem: Mem) {
        let bb = self.b();
        match size {
            MemSize::B8 => encode::lrvg(bb, d, mem),
            MemSize::B4 => {
                encode::lrv(bb, d, mem);
                encode::llgfr(bb, d, d);
            }
            MemSize::B2 => {
                encode::lrvh(bb, d, mem);
                encode::llghr(bb, d, d);
            }
            MemSize::B1 => encode::llgc(bb, d, mem),
        }
    }

    /// An atomic access of `bytes` at guest address `ra`: unaligned,
    /// it raises an alignment fault (SIGBUS), which takes priority over
    /// translation faults; then the usual address check.
    fn atomic_addr_check(&mut self, ra: u8, bytes: u64) {
        self.align_check(ra, bytes, true);
        self.check_addr(ra, bytes, 3);
    }

    /// An alignment fault (reported as a read or a write) unless the low
    /// log2(bytes) bits of guest address `ra` are zero.
    fn align_check(&mut self, ra: u8, bytes: u64, write: bool) {
        if bytes > 1 {
            let align_bits = bytes.trailing_zeros() as u8;
            encode::risbg(self.b(), 0, ra, 64 - align_bits, 0x80 | 63, 0);
            let stub = self.buf.new_label();
            self.buf.branch(7, stub);
            self.fault_stubs.push((stub, self.pc, Some(FaultAddr { reg: ra, disp: 0, kind: 2, write })));
        }
    }

    fn release_if_dead(&mut self, v: Value, at: usize) {
        if self.last_use[v.index()] <= at {
            if let Loc::Reg(r) = self.loc[v.index()] {
                if !self.free.contains(&r) {
                    self.free.push(r);
                }
            }
        }
    }

    fn load_imm(&mut self, r: u8, value: u64) {
        let b = self.b();
        let s = value as i64;
        if (-32768..=32767).contains(&s) {
            encode::lghi(b, r, s as i16);
        } else if (i32::MIN as i64..=i32::MAX as i64).contains(&s) {
            encode::lgfi(b, r, s as i32 as u32);
        } else if value >> 32 == 0 {
            encode::llilf(b, r, value as u32);
        } else {
            encode::iihf(b, r, (value >> 32) as u32);
            encode::iilf(b, r, value as u32);
        }
    }

    /// Copies 16 bytes between two frame/cpu locations through r0.
    fn copy16(&mut self, to: Mem, from: Mem) {
        let b = self.b();
        for k in [0, 8] {
            encode::lg(b, 0, Mem { disp: from.disp + k, ..from });
            encode::stg(b, 0, Mem { disp: to.disp + k, ..to });
        }
    }

    /// Checks that the guest address in `a` lies in the guest window; jumps
    /// to a fault stub otherwise.
    /// `need`: 1 read, 2 write, 3 both (atomics).
    /// The host operand of scalar access `i` to `addr` (`need`: 1 read,
    /// 2 write), after the checks it needs: a folded base + displacement
    /// with the base checked once per block, or the address checked.
    fn access(&mut self, i: usize, addr: Value, size: u64, need: u16) -> Mem {
        let (base, disp) = self.fold[i];
        if base == u32::MAX {
            let ra = self.get(addr, SA);
            self.check_addr(ra, size, need);
            if !self.cfg.checked_pages {
                self.checked[addr.index()] = true;
            }
            return Mem { base: R_BASE, index: ra, disp: 0 };
        }
        let rb = self.get(Value(base), SA);
        if !self.checked[base as usize] {
            self.checked[base as usize] = true;
            self.window_test(rb);
            let stub = self.buf.new_label();
            self.buf.branch(7, stub);
            let fault = FaultAddr { reg: rb, disp, kind: helper::FAULT_OUT_OF_WINDOW, write: need & 2 != 0 };
            self.fault_stubs.push((stub, self.pc, Some(fault)));
        }
        Mem { base: R_BASE, index: rb, disp }
    }

    /// RISBG r0 ← the bits of `r` above the guest window (s390x bit
    /// numbering: bit 0 is the MSB), setting the condition code: nonzero →
    /// outside.
    fn window_test(&mut self, r: u8) {
        let bits = self.cfg.guest_addr_bits.min(63) as u8;
        encode::risbg(self.b(), 0, r, 0, 0x80 | (63 - bits), 0);
    }

    fn check_addr(&mut self, a: u8, size: u64, need: u16) {
        self.window_test(a);
        let stub = self.buf.new_label();
        self.buf.branch(7, stub);
        if size > 1 && !self.cfg.window_guard {
            // The access's last byte must be inside too.
            encode::aghik(self.b(), 0, a, size as i16 - 1);
            self.window_test(0);
            self.buf.branch(7, stub);
        }
        if self.cfg.checked_pages {
            // The permission byte of the first and the last byte's page.
            // TMLL: CC3 when every selected bit is one; anything else faults.
            let fail_mask = 14;
            for last in [false, true] {
                if last && size == 1 {
                    break;
                }
                let b = self.b();
                if last {
                    encode::aghik(b, 0, a, size as i16 - 1);
                    encode::srlg(b, SD, 0, m(0, 12));
                } else {
                    encode::srlg(b, SD, a, m(0, 12));
                }
                encode::ag(b, SD, m(R_CTX, offset_of!(JitContext, pages) as i32));
                encode::llgc(b, SD, m(SD, 0));
                encode::tmll(b, SD, need);
                self.buf.branch(fail_mask, stub);
            }
        }
        if self.cfg.checked_pages && need & 2 != 0 {
            // A refused write may be a write to translated code: the probe
            // asks the runtime, which unprotects such a page and lets the
            // write go on, or records the real fault.
            let cont = self.buf.new_label();
            self.write_probes.push((stub, cont, self.pc, a, size));
            self.buf.bind(cont);
        } else {
            self.fault_stubs.push((stub, self.pc, Some(FaultAddr { reg: a, disp: 0, kind: helper::FAULT_OUT_OF_WINDOW, write: need & 2 != 0 })));
        }
    }

    fn native(&mut self, i: usize, op: &Op, block: &Block) -> Result<(), String> {
        use Op::*;
        match op {
            Nop {} => {}
            GuestInsn { pc, .. } => {
                self.end_insn();
                self.pc = *pc;
                let off = self.buf.offset();
                self.pc_map.push((off, *pc));
            }
            Const { value } => self.loc[i] = Loc::Const(*value),
            VConst { value } => {
                self.loc[i] = Loc::Slot;
                let off = self.slot(Value(i as u32));
                self.load_imm(0, (*value >> 64) as u64);
                encode::stg(self.b(), 0, m(15, off));
                self.load_imm(0, *value as u64);
                encode::stg(self.b(), 0, m(15, off + 8));
            }
            GetGpr { r } if self.ext_only_gpr[i] && !self.holds_value(*r) => {
                self.loc[i] = Loc::Cpu(cpu_x(*r));
                self.make_home(i, *r);
            }
            GetGpr { r } => {
                let d = self.def(i);
                encode::lg(self.b(), d, m(R_CPU, cpu_x(*r)));
                self.commit(i, d);
                // Unless an equal value already lives there.
                if !self.holds_value(*r) {
                    self.make_home(i, *r);
                }
            }
            SetGpr { r, v } => {
                self.unhome(*r, i);
                self.store_doubleword(*v, m(R_CPU, cpu_x(*r)));
                if !matches!(self.loc[v.index()], Loc::Const(_)) {
                    self.make_home(v.index(), *r);
                }
            }
            GetVec { r } if self.lazy_vec[i].is_some() => self.loc[i] = Loc::CpuVec(*r),
            GetVec { r } => {
                self.loc[i] = Loc::Slot;
                let off = self.slot(Value(i as u32));
                self.copy16(m(15, off), m(R_CPU, cpu_v(*r)));
            }
            SetVec { r, v } if matches!(self.loc[v.index()], Loc::Halves(..)) => {
                let Loc::Halves(lo, hi) = self.loc[v.index()] else { unreachable!() };
                // The guest's low doubleword is the second in host order.
                for (h, off) in [(hi, 0), (lo, 8)] {
                    self.store_doubleword(h, m(R_CPU, cpu_v(*r) + off));
                    // Kept live for this store (not an argument of it).
                    self.release_if_dead(h, i);
                }
            }
            SetVec { r, v } => {
                let off = self.slot(*v);
                self.copy16(m(R_CPU, cpu_v(*r)), m(15, off));
            }
            GetNzcv {} => {
                // Lazily kept flags are evaluated out of line first.
                encode::ltg(self.b(), 0, m(R_CPU, CPU_FLAGS_OP as i32));
                let (stub, resume) = (self.buf.new_label(), self.buf.new_label());
                self.buf.branch(7, stub);
                self.buf.bind(resume);
                self.settle_stubs.push((stub, resume));
                let d = self.def(i);
                encode::lg(self.b(), d, m(R_CPU, CPU_NZCV as i32));
                self.commit(i, d);
            }
            SetNzcv { v } if self.flags.lazy[v.index()] => {
                use zarm_ir::state::lazy_flags as lf;
                let (kind, w, a, b) = match block.ops[v.index()] {
                    AddFlags { w, a, b } => (lf::ADD, w, a, Some(b)),
                    SubFlags { w, a, b } => (lf::SUB, w, a, Some(b)),
                    LogicFlags { w, r } => (lf::LOGIC, w, r, None),
                    _ => unreachable!("flag_plan marks flag operations only"),
                };
                self.store_doubleword(a, m(R_CPU, CPU_FLAGS_A as i32));
                if let Some(b) = b {
                    self.store_doubleword(b, m(R_CPU, CPU_FLAGS_B as i32));
                }
                let kind = kind | if w == Width::W64 { lf::W64 } else { 0 };
                encode::mvghi(self.b(), m(R_CPU, CPU_FLAGS_OP as i32), kind as i16);
                // Kept live for these stores (not arguments of SetNzcv).
                self.release_if_dead(a, i);
                if let Some(b) = b {
                    self.release_if_dead(b, i);
                }
            }
            SetNzcv { v } => {
                let s = self.get(*v, SA);
                encode::stg(self.b(), s, m(R_CPU, CPU_NZCV as i32));
                encode::mvghi(self.b(), m(R_CPU, CPU_FLAGS_OP as i32), zarm_ir::state::lazy_flags::SETTLED as i16);
            }
            GetSys { reg } => {
                let (off, _) = sys_field(*reg).expect("a CpuState system register");
                let d = self.def(i);
                encode::lg(self.b(), d, m(R_CPU, off as i32));
                self.commit(i, d);
            }
            SetSys { reg, v } => {
                let (off, mask) = sys_field(*reg).expect("a writable CpuState system register");
                let s = self.get(*v, SA);
                if mask == u64::MAX {
                    encode::stg(self.b(), s, m(R_CPU, off as i32));
                } else {
                    // Only the architecturally writable bits stick.
                    self.load_imm(0, mask);
                    encode::ngrk(self.b(), 0, 0, s);
                    encode::stg(self.b(), 0, m(R_CPU, off as i32));
                }
            }
            // Adding or subtracting a small constant: AGHIK/AHIK
            // (distinct-operands, z196 base).
            Add { w, a, b } | Sub { w, a, b }
                if self.imm16(*b, matches!(op, Sub { .. })).is_some() || (matches!(op, Add { .. }) && self.imm16(*a, false).is_some()) =>
            {
                let (x, k) = match self.imm16(*b, matches!(op, Sub { .. })) {
                    Some(k) => (*a, k),
                    None => (*b, self.imm16(*a, false).unwrap_or_default()),
                };
                let rx = self.get(x, SA);
                let d = self.def(i);
                if *w == Width::W64 {
                    encode::aghik(self.b(), d, rx, k);
                } else {
                    encode::ahik(self.b(), d, rx, k);
                }
                self.zext32(i, *w, d);
                self.commit(i, d);
            }
            // AND with a contiguous (possibly wrapping) mask: RISBG selects
            // the bits and zeroes the rest (a 32-bit AND's result is
            // zero-extended: the mask's high half does not matter).
            And { w, a, b } | And { w, b: a, a: b } if self.risbg_mask(*b, *w).is_some() => {
                let (start, end) = self.risbg_mask(*b, *w).unwrap_or_default();
                let ra = self.get(*a, SA);
                let d = self.def(i);
                encode::risbg(self.b(), d, ra, start, 0x80 | end, 0);
                self.commit(i, d);
            }
            // A 32-bit AND with one operand below 2^32, or OR/XOR with both:
            // the 64-bit instruction's result is already zero-extended.
            And { w: Width::W32, a, b } | Or { w: Width::W32, a, b } | Xor { w: Width::W32, a, b }
                if match op {
                    And { .. } => block.ops[a.index()].high_word_zero() || block.ops[b.index()].high_word_zero(),
                    _ => block.ops[a.index()].high_word_zero() && block.ops[b.index()].high_word_zero(),
                } =>
            {
                let (ra, rb) = (self.get(*a, SA), self.get(*b, SB));
                let d = self.def(i);
                let f = match op {
                    And { .. } => encode::ngrk,
                    Or { .. } => encode::ogrk,
                    _ => encode::xgrk,
                };
                f(self.b(), d, ra, rb);
                self.commit(i, d);
            }
            Add { w, a, b } | Sub { w, a, b } | And { w, a, b } | Or { w, a, b } | Xor { w, a, b } => {
                let (ra, rb) = (self.get(*a, SA), self.get(*b, SB));
                let d = self.def(i);
                let f = match (op, w) {
                    (Add { .. }, Width::W64) => encode::agrk,
                    (Sub { .. }, Width::W64) => encode::sgrk,
                    (And { .. }, Width::W64) => encode::ngrk,
                    (Or { .. }, Width::W64) => encode::ogrk,
                    (Xor { .. }, Width::W64) => encode::xgrk,
                    (Add { .. }, _) => encode::ark,
                    (Sub { .. }, _) => encode::srk,
                    (And { .. }, _) => encode::nrk,
                    (Or { .. }, _) => encode::ork,
                    _ => encode::xrk,
                };
                f(self.b(), d, ra, rb);
                self.zext32(i, *w, d);
                self.commit(i, d);
            }
            AndNot { w, a, b } | OrNot { w, a, b } | XorNot { w, a, b } => {
                let (ra, rb) = (self.get(*a, SA), self.get(*b, SB));
                let d = self.def(i);
                if self.route(Route::AndNotFamily) {
                    // NCGRK/OCGRK: R2 op ¬R3; NXGRK: ¬(R2 ^ R3) = R2 ^ ¬R3.
                    let f = match op {
                        AndNot { .. } => encode::ncgrk,
                        OrNot { .. } => encode::ocgrk,
                        _ => encode::nxgrk,
                    };
                    f(self.b(), d, ra, rb);
                } else {
                    let b = self.b();
                    encode::lghi(b, 0, -1);
                    encode::xgrk(b, 0, 0, rb);
                    let f = match op {
                        AndNot { .. } => encode::ngrk,
                        OrNot { .. } => encode::ogrk,
                        _ => encode::xgrk,
                    };
                    f(b, d, ra, 0);
                }
                self.zext32(i, *w, d);
                self.commit(i, d);
            }
            // Shifts by a constant: the amount (modulo the width, as A64
            // takes it) in the displacement.
            Shl { w, a, b } | Lshr { w, a, b } | Ashr { w, a, b } | Ror { w, a, b } if matches!(self.loc[b.index()], Loc::Const(_)) => {
                let Loc::Const(c) = self.loc[b.index()] else { unreachable!() };
                let bits = if *w == Width::W64 { 64 } else { 32 };
                let k = (c % bits) as i32;
                let ra = self.get(*a, SA);
                let d = self.def(i);
                let bb = self.b();
                let k8 = k as u8;
                match (op, w) {
                    (Shl { .. }, Width::W64) => encode::sllg(bb, d, ra, m(0, k)),
                    (Lshr { .. }, Width::W64) => encode::srlg(bb, d, ra, m(0, k)),
                    (Ashr { .. }, Width::W64) => encode::srag(bb, d, ra, m(0, k)),
                    // 32-bit logical shifts by RISBG: rotate and keep the
                    // bits that stay, zero-extended in one instruction.
                    (Shl { .. }, _) => encode::risbg(bb, d, ra, 32, 0x80 | (63 - k8), k8),
                    (Lshr { .. }, _) => encode::risbg(bb, d, ra, 32 + k8, 0x80 | 63, (64 - k8) % 64),
                    (Ashr { .. }, _) => encode::srak(bb, d, ra, m(0, k)),
                    // Rotate right by k = rotate left by width - k.
                    (_, Width::W64) => encode::rllg(bb, d, ra, m(0, (64 - k) % 64)),
                    _ => encode::rll(bb, d, ra, m(0, (32 - k) % 32)),
                }
                if matches!(op, Ashr { .. } | Ror { .. }) {
                    self.zext32(i, *w, d);
                }
                self.commit(i, d);
            }
            Shl { w, a, b } | Lshr { w, a, b } | Ashr { w, a, b } | Ror { w, a, b } => {
                let (ra, rb) = (self.get(*a, SA), self.get(*b, SB));
                let d = self.def(i);
                let bb = self.b();
                // The shift amount is the low 6 bits of D2(B2); A64 takes it
                // modulo the width, so 32-bit shifts mask it to 5 bits first.
                let amt = if *w == Width::W32 {
                    encode::risbg(bb, 0, rb, 59, 0x80 | 63, 0);
                    // r0 cannot serve as a base register: move it to SC.
                    encode::lgr(bb, SC, 0);
                    SC
                } else {
                    rb
                };
                match (op, w) {
                    (Shl { .. }, Width::W64) => encode::sllg(bb, d, ra, m(amt, 0)),
                    (Lshr { .. }, Width::W64) => encode::srlg(bb, d, ra, m(amt, 0)),
                    (Ashr { .. }, Width::W64) => encode::srag(bb, d, ra, m(amt, 0)),
                    (Shl { .. }, _) => encode::sllk(bb, d, ra, m(amt, 0)),
                    (Lshr { .. }, _) => encode::srlk(bb, d, ra, m(amt, 0)),
                    (Ashr { .. }, _) => encode::srak(bb, d, ra, m(amt, 0)),
                    (_, Width::W64) => {
                        // Rotate right by n = rotate left by -n (mod 64).
                        encode::lcgr(bb, SC, amt);
                        encode::rllg(bb, d, ra, m(SC, 0));
                    }
                    _ => {
                        encode::lcgr(bb, SC, amt);
                        encode::rll(bb, d, ra, m(SC, 0));
                    }
                }
                self.zext32(i, *w, d);
                self.commit(i, d);
            }
            Mul { w, a, b } => {
                let (ra, rb) = (self.get(*a, SA), self.get(*b, SB));
                let d = self.def(i);
                let bb = self.b();
                encode::lgr(bb, d, ra);
                encode::msgr(bb, d, rb);
                self.zext32(i, *w, d);
                self.commit(i, d);
            }
            UMulH { a, b } | SMulH { a, b } => {
                let (ra, rb) = (self.get(*a, SA), self.get(*b, SB));
                let d = self.def(i);
                let smul = matches!(op, SMulH { .. });
                let mie2 = if smul { self.route(Route::SMulHigh) } else { self.route(Route::UMulHigh) };
                let bb = self.b();
                if smul && mie2 {
                    // MGRK: signed 128-bit product in the pair r2:r3.
                    encode::mgrk(bb, 2, ra, rb);
                } else {
                    // MLGR: unsigned 128-bit product of r3 and R2 in r2:r3.
                    encode::lgr(bb, 3, ra);
                    encode::mlgr(bb, 2, rb);
                    if smul {
                        // signed_hi = unsigned_hi - (a<0 ? b : 0) - (b<0 ? a : 0)
                        encode::srag(bb, 0, ra, m(0, 63));
                        encode::ngr(bb, 0, rb);
                        encode::sgr(bb, 2, 0);
                        encode::srag(bb, 0, rb, m(0, 63));
                        encode::ngr(bb, 0, ra);
                        encode::sgr(bb, 2, 0);
                    }
                }
                encode::lgr(bb, d, 2);
                self.commit(i, d);
            }
            UDiv { w, a, b } | SDiv { w, a, b } => {
                let (ra, rb) = (self.get(*a, SA), self.get(*b, SB));
                let d = self.def(i);
                let signed = matches!(op, SDiv { .. });
                let done = self.buf.new_label();
                let bb = self.b();
                // Divisor and dividend as 64-bit values of the right signedness.
                match (w, signed) {
                    (Width::W32, true) => {
                        encode::lgfr(bb, 0, rb);
                        encode::lgfr(bb, 3, ra);
                    }
                    (Width::W32, false) => {
                        encode::llgfr(bb, 0, rb);
                        encode::llgfr(bb, 3, ra);
                    }
                    _ => {
                        encode::lgr(bb, 0, rb);
                        encode::lgr(bb, 3, ra);
                    }
                }
                // A64: x/0 = 0 (the host would trap).
                encode::lghi(bb, d, 0);
                encode::ltgr(bb, 0, 0);
                self.buf.branch(8, done);
                let bb = self.b();
                if signed {
                    // MIN/-1 traps on the host; A64 gives MIN = -MIN (wrapping).
                    let normal = self.buf.new_label();
                    let bb = self.b();
                    encode::cghi(bb, 0, -1);
                    self.buf.branch(7, normal);
                    encode::lcgr(self.b(), d, 3);
                    self.buf.branch(15, done);
                    self.buf.bind(normal);
                    let bb = self.b();
                    encode::dsgr(bb, 2, 0);
                    encode::lgr(bb, d, 3);
                } else {
                    encode::lghi(bb, 2, 0);
                    encode::dlgr(bb, 2, 0);
                    encode::lgr(bb, d, 3);
                }
                self.buf.bind(done);
                self.zext32(i, *w, d);
                self.commit(i, d);
            }
            Neg { w, a } | Not { w, a } => {
                let ra = self.get(*a, SA);
                let d = self.def(i);
                let bb = self.b();
                if matches!(op, Neg { .. }) {
                    encode::lcgr(bb, d, ra);
                } else {
                    encode::lghi(bb, 0, -1);
                    encode::xgrk(bb, d, ra, 0);
                }
                self.zext32(i, *w, d);
                self.commit(i, d);
            }
            Clz { w, a } => {
                self.route(Route::CountLeadingZeros);
                let ra = self.get(*a, SA);
                let d = self.def(i);
                let bb = self.b();
                if *w == Width::W32 {
                    // clz32(a) = FLOGR(a << 32 | 1 << 31): the marker bit makes
                    // a zero input count 32.
                    encode::sllg(bb, 3, ra, m(0, 32));
                    encode::oilf(bb, 3, 0x8000_0000);
                    encode::flogr(bb, 2, 3);
                } else {
                    encode::flogr(bb, 2, ra);
                }
                encode::lgr(bb, d, 2);
                self.commit(i, d);
            }
            Popcnt { a } => {
                let ra = self.get(*a, SA);
                let d = self.def(i);
                if self.route(Route::Popcount) {
                    encode::popcnt(self.b(), d, ra, 8);
                } else {
                    self.load_imm(0, 0x0101_0101_0101_0101);
                    let bb = self.b();
                    encode::popcnt(bb, d, ra, 0);
                    encode::msgr(bb, d, 0);
                    encode::srlg(bb, d, d, m(0, 56));
                }
                self.commit(i, d);
            }
            Cls { w, a } => {
                // CLS(x) = CLZ(x ^ (x >> 1)) - 1 (arithmetic shift); a 32-bit
                // x sign-extended first counts 32 more.
                let ra = self.get(*a, SA);
                let d = self.def(i);
                let bb = self.b();
                if *w == Width::W32 {
                    encode::lgfr(bb, 3, ra);
                } else {
                    encode::lgr(bb, 3, ra);
                }
                encode::srag(bb, 0, 3, m(0, 1));
                encode::xgr(bb, 3, 0);
                encode::flogr(bb, 2, 3);
                encode::aghik(bb, d, 2, if *w == Width::W32 { -33 } else { -1 });
                self.commit(i, d);
            }
            Rbit { w, a } => {
                // Bytes reversed (LRVGR), then the bits of each byte: nibbles,
                // pairs, single bits swapped by masks. A 32-bit value is
                // reversed as the zero-extended 64-bit one and shifted down.
                let ra = self.get(*a, SA);
                let d = self.def(i);
                if *w == Width::W32 {
                    encode::llgfr(self.b(), d, ra);
                    encode::lrvgr(self.b(), d, d);
                } else {
                    encode::lrvgr(self.b(), d, ra);
                }
                for (mask, sh) in [(0x0f0f_0f0f_0f0f_0f0fu64, 4), (0x3333_3333_3333_3333, 2), (0x5555_5555_5555_5555, 1)] {
                    self.swap_masked(d, d, mask, sh);
                }
                if *w == Width::W32 {
                    encode::srlg(self.b(), d, d, m(0, 32));
                }
                self.commit(i, d);
            }
            Rev16 { w, a } => {
                // The bytes of each halfword swapped by two masks.
                let ra = self.get(*a, SA);
                let d = self.def(i);
                self.swap_masked(d, ra, if *w == Width::W32 { 0x00ff_00ff } else { 0x00ff_00ff_00ff_00ff }, 8);
                self.commit(i, d);
            }
            Rev { w, a } => {
                let ra = self.get(*a, SA);
                let d = self.def(i);
                let bb = self.b();
                if *w == Width::W64 {
                    encode::lrvgr(bb, d, ra);
                } else {
                    encode::lrvr(bb, 0, ra);
                    encode::llgfr(bb, d, 0);
                }
                self.commit(i, d);
            }
            Rev32 { a } => {
                let ra = self.get(*a, SA);
                let d = self.def(i);
                let bb = self.b();
                // Reversing all 8 bytes swaps the words too; rotate them back.
                encode::lrvgr(bb, 0, ra);
                encode::rllg(bb, d, 0, m(0, 32));
                self.commit(i, d);
            }
            Sext { from, a } | Zext { from, a } if matches!(self.loc[a.index()], Loc::Cpu(_)) && matches!(from, 8 | 16 | 32) => {
                // Straight from the guest register in the CpuState (MOV Wd,
                // Wn; UXTB/SXTH …): the low bytes of a big-endian doubleword.
                let Loc::Cpu(off) = self.loc[a.index()] else { unreachable!() };
                let d = self.def(i);
                let f = match (matches!(op, Sext { .. }), from) {
                    (true, 8) => encode::lgb,
                    (true, 16) => encode::lgh,
                    (true, _) => encode::lgf,
                    (false, 8) => encode::llgc,
                    (false, 16) => encode::llgh,
                    (false, _) => encode::llgf,
                };
                f(self.b(), d, m(R_CPU, off + 8 - *from as i32 / 8));
                self.commit(i, d);
            }
            Sext { from, a } | Zext { from, a } => {
                let ra = self.get(*a, SA);
                let d = self.def(i);
                let bb = self.b();
                let sign = matches!(op, Sext { .. });
                match (sign, from) {
                    (true, 8) => encode::lgbr(bb, d, ra),
                    (true, 16) => encode::lghr(bb, d, ra),
                    (true, 32) => encode::lgfr(bb, d, ra),
                    (false, 8) => encode::llgcr(bb, d, ra),
                    (false, 16) => encode::llghr(bb, d, ra),
                    (false, 32) => encode::llgfr(bb, d, ra),
                    (_, 64) => encode::lgr(bb, d, ra),
                    (true, f) => {
                        let sh = 64 - *f as i32;
                        encode::sllg(bb, d, ra, m(0, sh));
                        encode::srag(bb, d, d, m(0, sh));
                    }
                    (false, f) => {
                        // Keep bits 64-f..63 (s390x numbering), zero the rest.
                        encode::risbg(bb, d, ra, 64 - *f, 0x80 | 63, 0);
                    }
                }
                self.commit(i, d);
            }
            Icmp { cc, w, a, b } => {
                self.compare(*cc, *w, *a, Some(*b));
                let d = self.def(i);
                self.set_bool_from_cc(d, cc_mask(*cc));
                self.commit(i, d);
            }
            Select { c, a, b } => {
                // The condition code selects: that of the comparison the
                // condition amounts to, or of testing the condition. Loads
                // of the operands leave it alone.
                let compared = self.flags.in_select[c.index()].then(|| as_compare(block, &block.ops[c.index()]).expect("flag_plan: a comparison"));
                let mask = if let Some((cc, w, x, y)) = compared {
                    self.compare(cc, w, x, y);
                    cc_mask(cc)
                } else {
                    let rc = self.get(*c, SC);
                    encode::ltgr(self.b(), rc, rc);
                    7
                };
                let (ra, rb) = (self.get(*a, SA), self.get(*b, SB));
                let d = self.def(i);
                let mie3 = self.route(Route::Select);
                let bb = self.b();
                if mie3 {
                    // SELGR: R2 if the CC matches M4, else R3.
                    encode::selgr(bb, d, ra, rb, mask);
                } else {
                    encode::lgr(bb, 0, rb);
                    encode::locgr(bb, 0, ra, mask);
                    encode::lgr(bb, d, 0);
                }
                self.commit(i, d);
                // Compared here, not arguments: released once `d` is taken.
                for v in compared.into_iter().flat_map(|(_, _, x, y)| [Some(x), y]).flatten() {
                    self.release_if_dead(v, i);
                }
            }
            AddCarry { w, a, b, c } | SubCarry { w, a, b, c } => {
                let (ra, rb, rc) = (self.get(*a, SA), self.get(*b, SB), self.get(*c, SC));
                let d = self.def(i);
                let bb = self.b();
                if matches!(op, SubCarry { .. }) {
                    // a + !b + c
                    encode::lghi(bb, 0, -1);
                    encode::xgrk(bb, 0, 0, rb);
                    encode::agrk(bb, 0, 0, ra);
                } else {
                    encode::agrk(bb, 0, ra, rb);
                }
                encode::risbg(bb, 2, rc, 63, 0x80 | 63, 0);
                encode::agrk(bb, d, 0, 2);
                self.zext32(i, *w, d);
                self.commit(i, d);
            }
            AddFlags { w, a, b } | SubFlags { w, a, b } => {
                let (ra, rb) = (self.get(*a, SA), self.get(*b, SB));
                let d = self.def(i);
                self.arith_flags(matches!(op, SubFlags { .. }), *w, ra, rb, d);
                self.commit(i, d);
            }
            LogicFlags { w, r } => {
                let rr = self.get(*r, SA);
                let d = self.def(i);
                let bb = self.b();
                // N = bit w-1 moved to bit 31; Z = (r == 0) at bit 30.
                if *w == Width::W64 {
                    encode::srlg(bb, d, rr, m(0, 63));
                    encode::ltgr(bb, 0, rr);
                } else {
                    encode::risbg(bb, d, rr, 63, 0x80 | 63, 33);
                    encode::ltr(bb, 0, rr);
                }
                encode::sllg(bb, d, d, m(0, 31));
                let skip = self.buf.new_label();
                self.buf.branch(7, skip);
                encode::oilf(self.b(), d, 0x4000_0000);
                self.buf.bind(skip);
                self.commit(i, d);
            }
            CondHolds { .. } if as_compare(block, op).is_some() => {
                let (cc, w, a, b) = as_compare(block, op).unwrap();
                self.compare(cc, w, a, b);
                let d = self.def(i);
                self.set_bool_from_cc(d, cc_mask(cc));
                self.commit(i, d);
                for v in [Some(a), b].into_iter().flatten() {
                    self.release_if_dead(v, i);
                }
            }
            CondHolds { cond, nzcv } => {
                let rn = self.get(*nzcv, SA);
                let d = self.def(i);
                // Index a 16-entry truth table of the condition by NZCV.
                let table: u64 = (0..16u64).filter(|&f| cond.holds(f << 28)).map(|f| 1u64 << f).sum();
                self.load_imm(0, table);
                let bb = self.b();
                encode::srlg(bb, 2, rn, m(0, 28));
                encode::risbg(bb, 2, 2, 60, 0x80 | 63, 0);
                encode::srlg(bb, d, 0, m(2, 0));
                encode::risbg(bb, d, d, 63, 0x80 | 63, 0);
                self.commit(i, d);
            }
            Load { size, addr, .. } => {
                if *size != MemSize::B1 {
                    self.route(Route::LittleEndianAccess);
                }
                let mem = self.access(i, *addr, size.bytes(), 1);
                let d = self.def(i);
                self.load_guest(*size, d, mem);
                self.commit(i, d);
            }
            Store { size, addr, v, .. } => {
                if *size != MemSize::B1 {
                    self.route(Route::LittleEndianAccess);
                }
                let mem = self.access(i, *addr, size.bytes(), 2);
                let rv = self.get(*v, SB);
                let bb = self.b();
                match size {
                    MemSize::B8 => encode::strvg(bb, rv, mem),
                    MemSize::B4 => encode::strv(bb, rv, mem),
                    MemSize::B2 => encode::strvh(bb, rv, mem),
                    MemSize::B1 => encode::stcy(bb, rv, mem),
                }
            }
            Load128 { addr } => {
                let ra = self.get(*addr, SA);
                self.check_addr(ra, 16, 1);
                if self.route(Route::LittleEndianVector) {
                    // VLBR of a quadword (M3 = 4) reverses all 16 bytes: the
                    // guest's little-endian value becomes the slot's host u128.
                    encode::vlbr(self.b(), vector::VA, Mem { base: R_BASE, index: ra, disp: 0 }, 4);
                    self.vresult(i, vector::VA, true);
                    return Ok(());
                }
                encode::aghik(self.b(), 0, ra, 8);
                encode::lgr(self.b(), SB, 0);
                self.loc[i] = Loc::Slot;
                let off = self.slot(Value(i as u32));
                let bb = self.b();
                // Guest bytes 0..8 are the low doubleword; the slot holds a
                // host (big-endian) u128: high doubleword first.
                encode::lrvg(bb, 0, Mem { base: R_BASE, index: ra, disp: 0 });
                encode::stg(bb, 0, m(15, off + 8));
                encode::lrvg(bb, 0, Mem { base: R_BASE, index: SB, disp: 0 });
                encode::stg(bb, 0, m(15, off));
            }
            Store128 { addr, v } => {
                let ra = self.get(*addr, SA);
                self.check_addr(ra, 16, 2);
                if self.route(Route::LittleEndianVector) {
                    self.vload(vector::VA, *v);
                    encode::vstbr(self.b(), vector::VA, Mem { base: R_BASE, index: ra, disp: 0 }, 4);
                    return Ok(());
                }
                encode::aghik(self.b(), 0, ra, 8);
                encode::lgr(self.b(), SB, 0);
                let off = self.slot(*v);
                let bb = self.b();
                encode::lg(bb, 0, m(15, off + 8));
                encode::strvg(bb, 0, Mem { base: R_BASE, index: ra, disp: 0 });
                encode::lg(bb, 0, m(15, off));
                encode::strvg(bb, 0, Mem { base: R_BASE, index: SB, disp: 0 });
            }
            AtomicRmw { op, size: size @ (MemSize::B1 | MemSize::B2), addr, v, .. } => {
                self.atomic_subword(i, *op, *size, *addr, *v)
            }
            AtomicRmw { op: rmw @ (RmwOp::Clr | RmwOp::Set | RmwOp::Eor), size, addr, v, .. } => {
                self.atomic_interlocked(i, *rmw, *size, *addr, *v)
            }
            AtomicRmw { op, size, addr, v, .. } => self.atomic_cs_loop(i, *op, *size, *addr, *v),
            Cas { size: size @ (MemSize::B1 | MemSize::B2), addr, expected, new, .. } => {
                self.cas_subword(i, *size, *addr, *expected, *new)
            }
            Cas { size, addr, expected, new, .. } => self.cas_word(i, *size, *addr, *expected, *new),
            Cas128 { addr, expected, new, .. } => self.cas_pair(i, *addr, *expected, *new),
            LoadExclusive { size, addr, .. } => self.load_exclusive(i, *size, *addr),
            StoreExclusive { size, addr, v, .. } => self.store_exclusive(i, Some(*size), *addr, *v),
            LoadExclusive128 { addr, .. } => self.load_exclusive128(i, *addr),
            StoreExclusive128 { addr, v, .. } => self.store_exclusive(i, None, *addr, *v),
            ClearExclusive {} => {
                self.route(Route::Exclusives);
                encode::mvghi(self.b(), m(R_CPU, atomic::CPU_EXCL_ADDR), -1);
            }
            ZeroBlock { addr, .. } => {
                // DC ZVA: the block (aligned by the frontend) checked as one
                // 64-byte write, then eight STG of zero. A host fault is on
                // the first STG (the block lies in one page): the block's
                // address, a write, as the interpreter reports it.
                self.route(Route::ZeroBlock);
                let ra = self.get(*addr, SA);
                self.check_addr(ra, 64, 2);
                let bb = self.b();
                encode::lghi(bb, 0, 0);
                for k in 0..8 {
                    encode::stg(bb, 0, Mem { base: R_BASE, index: ra, disp: 8 * k });
                }
            }
            Fence { kind } => {
                // z/Architecture only reorders a store before a later load:
                // a full barrier needs serialisation (BCR 14,0 with the
                // fast-BCR-serialisation facility); the others are free.
                if *kind == zarm_ir::FenceKind::Full {
                    self.route(Route::FullBarrier);
                    encode::bcr(self.b(), 14, 0);
                }
            }
            VExtractLane { .. } | VInsertLane { .. } | VDup { .. } | VDupLane { .. } | VFromHalves { .. } => {
                self.route(Route::VectorLanes);
                self.vector_lane(i, op);
            }
            Crc32 { poly, size, acc, v } => {
                // Sliced (see `make_crc_tables`): x = crc ^ data in r3,
                // then one table entry per data byte XORed into d (after
                // crc >> 8n when n < 4), each entry's offset in r2, the
                // tables' address in SC.
                self.route(Route::Crc32);
                let (ra, rv) = (self.get(*acc, SA), self.get(*v, SB));
                let d = self.def(i);
                let n = size.bytes() as i32;
                let tables = crc_tables(*poly).as_ptr() as u64;
                encode::llgfr(self.b(), 3, ra);
                encode::xgr(self.b(), 3, rv);
                if n < 4 {
                    encode::llgfr(self.b(), d, ra);
                    encode::srlg(self.b(), d, d, m(0, 8 * n));
                }
                self.load_imm(SC, tables);
                let b = self.b();
                for j in 0..n {
                    // (x >> 8j & 0xff) << 2: rotate left by 2 - 8j, keep bits 54-61.
                    encode::risbg(b, 2, 3, 54, 0x80 | 61, (2 - 8 * j).rem_euclid(64) as u8);
                    let at = Mem { base: SC, index: 2, disp: 1024 * (n - 1 - j) };
                    if j == 0 && n >= 4 {
                        encode::llgf(b, d, at);
                    } else {
                        encode::xy(b, d, at);
                    }
                }
                self.commit(i, d);
            }
            VBin { op: zarm_ir::vector::VecBinOp::Mul, esize: 8, q, a, b } => {
                self.route(Route::VectorLanes);
                self.vector_mul64(i, *q, *a, *b);
            }
            FpUn { .. } if fp::is_sign_op(op) => self.fp_sign_op(i, op),
            VPmull { .. } => {
                self.route(Route::PolyMultiply);
                self.vector_integer(i, op);
            }
            VAes { op: aop @ (zarm_ir::vector::AesOp::Encrypt | zarm_ir::vector::AesOp::Decrypt), d, n } => {
                self.route(Route::AesRound);
                self.aes_round(i, *aop == zarm_ir::vector::AesOp::Encrypt, *d, *n);
            }
            VAes { op: aop, n, .. } => {
                let inverse = *aop == zarm_ir::vector::AesOp::InvMixColumns;
                if self.route(Route::AesMixColumns) {
                    self.aes_mix_columns(i, inverse, *n);
                } else {
                    self.aes_mix_columns_gpr(i, inverse, *n);
                }
            }
            _ if vector::is_vector_integer(op) => {
                if self.route(Route::VectorInteger) {
                    self.vector_integer(i, op);
                } else {
                    self.vector_swar(i, op);
                }
            }
            other => return Err(format!("no native lowering for {} in block {:#x}", other.name(), block.start_pc)),
        }
        Ok(())
    }

    /// Zero-extends the 32-bit result `d` of operation `i`, if anything
    /// reads its high word.
    fn zext32(&mut self, i: usize, w: Width, d: u8) {
        if w == Width::W32 && self.high_read[i] {
            encode::llgfr(self.b(), d, d);
        }
    }

    /// d = 1 if the condition code matches `mask`, else 0.
    fn set_bool_from_cc(&mut self, d: u8, mask: u8) {
        let done = self.buf.new_label();
        encode::lghi(self.b(), d, 1);
        self.buf.branch(mask, done);
        encode::lghi(self.b(), d, 0);
        self.buf.bind(done);
    }

    /// NZCV of a ± b into d. ALGRK/SLGRK leave carry (A64's C, which for a
    /// subtraction means "no borrow") in CC bit 1 and "nonzero" in CC bit 0;
    /// IPM puts the CC at bits 29..28 of the low word — C already lands on
    /// NZCV's C bit.
    fn arith_flags(&mut self, sub: bool, w: Width, ra: u8, rb: u8, d: u8) {
        let bb = &mut self.buf.bytes;
        let w64 = w == Width::W64;
        // r2 = result.
        match (sub, w64) {
            (false, true) => encode::algrk(bb, 2, ra, rb),
            (true, true) => encode::slgrk(bb, 2, ra, rb),
            (false, false) => encode::alrk(bb, 2, ra, rb),
            (true, false) => encode::slrk(bb, 2, ra, rb),
        }
        encode::ipm(bb, 3);
        // d = C at bit 29 (s390x bit 34).
        encode::risbg(bb, d, 3, 34, 0x80 | 34, 0);
        // Z = !nonzero: invert CC bit 0 (bit 28) and rotate it to bit 30.
        encode::xilf(bb, 3, 0x1000_0000);
        encode::rosbg(bb, d, 3, 33, 33, 2);
        // N: the result's sign bit to bit 31 (s390x bit 32).
        if w64 {
            encode::rosbg(bb, d, 2, 32, 32, 32);
        } else {
            encode::rosbg(bb, d, 2, 32, 32, 0);
        }
        // V: sign of (a^r)&(b^r) for add, (a^b)&(a^r) for subtract.
        if sub {
            encode::xgrk(bb, 0, ra, rb);
            encode::xgrk(bb, 3, ra, 2);
        } else {
            encode::xgrk(bb, 0, ra, 2);
            encode::xgrk(bb, 3, rb, 2);
        }
        encode::ngr(bb, 0, 3);
        // Move the sign bit (s390x bit 0 for 64-bit, 32 for 32-bit) to bit 35.
        if w64 {
            encode::rosbg(bb, d, 0, 35, 35, 29);
        } else {
            encode::rosbg(bb, d, 0, 35, 35, 61);
        }
    }

    fn call_helper(&mut self, i: usize, op: &Op, index: usize, _block: &Block) {
        self.route(Route::Helper);
        self.helper_invoke(op, index);
        match op.result_type() {
            Some(Type::I64) => {
                let d = self.def(i);
                encode::lg(self.b(), d, m(15, OUT_OFF + 8));
                self.commit(i, d);
            }
            Some(Type::V128) => {
                self.loc[i] = Loc::Slot;
                let off = self.slot(Value(i as u32));
                self.copy16(m(15, off), m(15, OUT_OFF));
            }
            None => {}
        }
    }

    /// Calls the helper for `op` (helper operation `index`): arguments to
    /// the frame, the call, a fault exit if it reports one; the result is
    /// left at `OUT_OFF`.
    fn helper_invoke(&mut self, op: &Op, index: usize) {
        self.helper_calls += 1;
        let args_off = ARGS_OFF;
        for (k, (a, ty)) in op.args().into_iter().enumerate() {
            let at = args_off + 16 * k as i32;
            match ty {
                Type::I64 => {
                    let r = self.get(a, SA);
                    let bb = self.b();
                    encode::lghi(bb, 0, 0);
                    encode::stg(bb, 0, m(15, at));
                    encode::stg(bb, r, m(15, at + 8));
                }
                Type::V128 => {
                    let off = self.slot(a);
                    self.copy16(m(15, at), m(15, off));
                }
            }
        }
        let op_addr = self.helper_addrs[index];
        if let Some(base) = self.helper_counters {
            self.load_imm(1, base + 8 * index as u64);
            encode::agsi(self.b(), m(1, 0), 1);
        }
        let out_off = OUT_OFF;
        self.load_imm(3, op_addr);
        let bb = self.b();
        encode::lgr(bb, 2, R_CTX);
        encode::lay(bb, 4, m(15, args_off));
        encode::lay(bb, 5, m(15, out_off));
        self.load_imm(1, helper::jit_eval as *const () as u64);
        encode::basr(self.b(), 14, 1);
        encode::ltgr(self.b(), 2, 2);
        let stub = self.buf.new_label();
        self.buf.branch(7, stub);
        self.fault_stubs.push((stub, self.pc, None));
    }

    /// Leaves for `pc` with `EXIT_JUMP`, through the block's shared tail
    /// if it has one (`stubs`).
    fn jump_exit(&mut self, pc: u64, tail: Option<Label>) {
        match tail {
            Some(t) => {
                self.load_imm(0, pc);
                self.buf.branch(15, t);
            }
            None => self.set_pc_and_exit(pc, EXIT_JUMP),
        }
    }

    fn set_pc_and_exit(&mut self, pc: u64, code: u64) {
        self.load_imm(0, pc);
        self.exit_with_pc_in_r0(code);
    }

    /// Stores r0 as the guest PC and leaves with `code`.
    fn exit_with_pc_in_r0(&mut self, code: u64) {
        encode::stg(self.b(), 0, m(R_CPU, CPU_PC as i32));
        self.load_imm(2, code);
        let epi = self.epilogue;
        self.buf.branch(15, epi);
    }

    /// A direct exit to `target`, taken when the condition code matches
    /// `mask` (15: always), that the cache can later chain: a BRCL whose
    /// offset field is 4-byte aligned (padded with a 2-byte no-op, which
    /// keeps the condition code), branching for now to an out-of-line stub
    /// that leaves the block. A conditional exit is chained in place, so a
    /// taken loop branch is one jump.
    fn chainable_exit(&mut self, mask: u8, target: u64) {
        if self.buf.offset() % 4 != 2 {
            encode::bcr(self.b(), 0, 0);
        }
        let site = self.buf.offset();
        let slow = self.buf.new_label();
        self.buf.branch(mask, slow);
        self.exits.push((site, slow, target));
    }

    fn terminator(&mut self, term: &Terminator, _block: &Block) {
        match term {
            Terminator::Jump { target } => self.chainable_exit(15, *target),
            Terminator::JumpIndirect { target, .. } => {
                let r = self.get(*target, SA);
                encode::stg(self.b(), r, m(R_CPU, CPU_PC as i32));
                let miss = self.buf.new_label();
                ibtc_jump(&mut self.buf, r, miss);
                self.buf.bind(miss);
                encode::lghi(self.b(), 2, EXIT_JUMP as i16);
                let epi = self.epilogue;
                self.buf.branch(15, epi);
            }
            Terminator::Branch { cond, taken, not_taken } => {
                let mask = match self.fused {
                    Some(f) => {
                        self.compare(f.cc, f.w, f.a, f.b);
                        cc_mask(f.cc)
                    }
                    None => {
                        let r = self.get(*cond, SA);
                        encode::ltgr(self.b(), r, r);
                        7
                    }
                };
                self.chainable_exit(mask, *taken);
                self.chainable_exit(15, *not_taken);
            }
            Terminator::Syscall { imm, next_pc } => self.set_pc_and_exit(*next_pc, EXIT_SYSCALL | (*imm as u64) << 8),
            Terminator::Exception { pc, .. } => self.set_pc_and_exit(*pc, EXIT_EXCEPTION),
        }
    }

    /// Stores I64 value `v` to the doubleword `at`: MVGHI for a constant
    /// that fits 16 signed bits, else STG.
    fn store_doubleword(&mut self, v: Value, at: Mem) {
        match self.imm16(v, false) {
            Some(k) => encode::mvghi(self.b(), at, k),
            None => {
                let r = self.get(v, SA);
                encode::stg(self.b(), r, at);
            }
        }
    }

    /// d ← ((src & mask) << sh) | ((src >> sh) & mask): swaps the bit
    /// groups `mask` selects with their neighbours `sh` bits up (r2 and r3
    /// clobbered; `d` may be `src`).
    fn swap_masked(&mut self, d: u8, src: u8, mask: u64, sh: i32) {
        self.load_imm(3, mask);
        let bb = self.b();
        encode::srlg(bb, 2, src, m(0, sh));
        encode::ngr(bb, 2, 3);
        encode::ngrk(bb, d, src, 3);
        encode::sllg(bb, d, d, m(0, sh));
        encode::ogr(bb, d, 2);
    }

    /// Sets the condition code for `a cc b` (`b` None: against zero): a
    /// compare of the right width and signedness, with an immediate where
    /// the constant fits.
    fn compare(&mut self, cc: zarm_ir::IntCC, w: Width, a: Value, b: Option<Value>) {
        use zarm_ir::IntCC::*;
        let signed = matches!(cc, Slt | Sle | Sgt | Sge);
        let w64 = w == Width::W64;
        let ra = self.get(a, SA);
        let Some(b) = b else {
            // Against zero, signed: LTGR/LTR.
            let bb = self.b();
            if w64 { encode::ltgr(bb, ra, ra) } else { encode::ltr(bb, ra, ra) }
            return;
        };
        match (self.loc[b.index()], w64, signed) {
            (Loc::Const(c), true, true) if i16::try_from(c as i64).is_ok() => encode::cghi(self.b(), ra, c as i64 as i16),
            (Loc::Const(c), true, false) if c <= u32::MAX as u64 => encode::clgfi(self.b(), ra, c as u32),
            _ => {
                let rb = self.get(b, SB);
                let bb = self.b();
                match (w64, signed) {
                    (true, false) => encode::clgr(bb, ra, rb),
                    (true, true) => encode::cgr(bb, ra, rb),
                    (false, false) => encode::clr(bb, ra, rb),
                    (false, true) => encode::cr(bb, ra, rb),
                }
            }
        }
    }

    /// The block's out-of-line code after its body: the slow paths of its
    /// direct exits, flag settling, the exit-request and tier-up exits,
    /// write probes, and the fault exits (which record the address, set the
    /// guest PC and return `EXIT_FAULT`).
    fn stubs(&mut self) {
        // Two or more stubs leaving with `EXIT_JUMP` (direct exits not
        // chained yet, the exit-request check) share a tail: a stub loads
        // the guest PC into r0 and goes there (12 bytes instead of 22; the
        // tail is 16).
        let jumps = self.exits.len() + self.req_stub.is_some() as usize;
        let jump_tail = (jumps >= 2).then(|| self.buf.new_label());
        // Each list is taken while its stubs are emitted and given back
        // (its allocation is reused for the next block).
        for k in 0..self.exits.len() {
            let (_, slow, target) = self.exits[k];
            self.buf.bind(slow);
            self.jump_exit(target, jump_tail);
        }
        let settle_stubs = std::mem::take(&mut self.settle_stubs);
        for &(label, resume) in &settle_stubs {
            // Values live across the call are in r6–r10 (callee-saved).
            self.buf.bind(label);
            settle_flags_call(self.b());
            self.buf.branch(15, resume);
        }
        if let Some((label, pc)) = self.req_stub.take() {
            self.buf.bind(label);
            self.jump_exit(pc, jump_tail);
        }
        if let Some(tail) = jump_tail {
            self.buf.bind(tail);
            self.exit_with_pc_in_r0(EXIT_JUMP);
        }
        if let Some((label, pc)) = self.hot_stub.take() {
            self.buf.bind(label);
            self.set_pc_and_exit(pc, EXIT_HOT);
        }
        self.settle_stubs = settle_stubs;
        let write_probes = std::mem::take(&mut self.write_probes);
        for &(label, cont, pc, a, size) in &write_probes {
            self.buf.bind(label);
            let b = self.b();
            encode::stmg(b, 0, 5, m(15, SPILL_OFF));
            encode::stg(b, SC, m(15, SPILL_OFF + 48));
            encode::lgr(b, 3, a);
            encode::lgr(b, 2, R_CTX);
            encode::lghi(b, 4, size as i16);
            self.load_imm(1, helper::jit_prepare_write as *const () as u64);
            let b = self.b();
            encode::basr(b, 14, 1);
            encode::ltgr(b, 2, 2);
            // LMG and LG leave the condition code alone.
            encode::lmg(b, 0, 5, m(15, SPILL_OFF));
            encode::lg(b, SC, m(15, SPILL_OFF + 48));
            self.buf.branch(8, cont);
            self.set_pc_and_exit(pc, EXIT_FAULT);
        }
        self.write_probes = write_probes;
        // A fault stub puts the faulting address, kind and write flag in
        // r1–r3 and the guest PC in r0, and goes to one tail per block,
        // which stores them (r1–r3 into the three adjacent `JitContext`
        // fields by one STMG) and falls into the epilogue with
        // `EXIT_FAULT` (26 bytes a stub instead of 54).
        let fault_stubs = std::mem::take(&mut self.fault_stubs);
        let mut fault_tail = None;
        for &(label, pc, addr_reg) in &fault_stubs {
            self.buf.bind(label);
            let Some(FaultAddr { reg: r, disp, kind, write }) = addr_reg else {
                self.set_pc_and_exit(pc, EXIT_FAULT);
                continue;
            };
            let b = self.b();
            if disp != 0 {
                encode::lay(b, 1, m(r, disp));
            } else {
                encode::lgr(b, 1, r);
            }
            encode::lghi(b, 2, kind as i16);
            encode::lghi(b, 3, write as i16);
            self.load_imm(0, pc);
            let tail = *fault_tail.get_or_insert_with(|| self.buf.new_label());
            self.buf.branch(15, tail);
        }
        if let Some(tail) = fault_tail {
            self.buf.bind(tail);
            let b = self.b();
            encode::stmg(b, 1, 3, m(R_CTX, offset_of!(JitContext, fault_addr) as i32));
            encode::stg(b, 0, m(R_CPU, CPU_PC as i32));
            encode::lghi(b, 2, EXIT_FAULT as i16);
            // The epilogue follows (`compile_counted`).
        }
        self.fault_stubs = fault_stubs;
    }
}

#[cfg(test)]
mod tests {
    use super::contiguous_bits;

    /// The sliced tables give the A64 CRCs (the interpreter's bitwise
    /// ones) for every size and both polynomials, whatever lies in the
    /// accumulator's and the data's unused upper bits.
    #[test]
    fn sliced_crc_tables_give_the_bitwise_crc() {
        use zarm_ir::{CrcPoly, MemSize};
        // What both tiers' code computes for `Crc32 { poly, size }`.
        let sliced = |poly, bytes: u32, acc: u64, v: u64| {
            let t = super::crc_tables(poly);
            let crc = acc & 0xffff_ffff;
            let x = crc ^ v;
            let mut r = if bytes < 4 { crc >> (8 * bytes) } else { 0 };
            for j in 0..bytes {
                r ^= t[(bytes - 1 - j) as usize][(x >> (8 * j) & 0xff) as usize] as u64;
            }
            r
        };
        let mut rng = zarm_ir::testgen::Rng(0x9E37_79B9_7F4A_7C15);
        for poly in [CrcPoly::Crc32, CrcPoly::Crc32c] {
            for size in [MemSize::B1, MemSize::B2, MemSize::B4, MemSize::B8] {
                for k in 0..2000 {
                    let (acc, v) = match k {
                        0 => (0, 0),
                        1 => (u64::MAX, u64::MAX),
                        _ => (rng.next(), rng.next()),
                    };
                    let want = zarm_ir::interp::int::crc32(poly, size, acc, v);
                    assert_eq!(sliced(poly, size.bytes() as u32, acc, v), want, "{poly:?} {size:?} acc {acc:#x} v {v:#x}");
                }
            }
        }
    }

    /// Only constants 0..=64 KiB - 16 fold into a displacement (either
    /// operand order); a negative one (a huge u64) never does — the guard
    /// lies after the window only.
    #[test]
    fn foldable_displacements() {
        use zarm_ir::{Builder, Terminator, Width};
        let fold = |k: u64, const_first: bool| {
            let mut b = Builder::new(0);
            b.begin_insn(0, 0);
            let x = b.get_gpr(1);
            let c = b.konst(k);
            let a = if const_first { b.add(Width::W64, c, x) } else { b.add(Width::W64, x, c) };
            let block = b.finish(Terminator::Jump { target: 4 }, 4);
            super::base_plus_constant(&block, a).map(|(base, d)| (base == x, d))
        };
        for first in [false, true] {
            assert_eq!(fold(0, first), Some((true, 0)));
            assert_eq!(fold(16, first), Some((true, 16)));
            assert_eq!(fold(super::WINDOW_GUARD_BYTES - 16, first), Some((true, 65520)));
            assert_eq!(fold(super::WINDOW_GUARD_BYTES - 15, first), None);
            assert_eq!(fold(-8i64 as u64, first), None);
            assert_eq!(fold(-65536i64 as u64, first), None);
            assert_eq!(fold(u64::MAX, first), None);
        }
    }

    /// The bits RISBG I3..I4 selects (wrapping when I3 > I4), LSB numbering.
    fn selected(start: u8, end: u8) -> u64 {
        let bit = |k: u8| 1u64 << (63 - k);
        let mut m = 0;
        let mut k = start;
        loop {
            m |= bit(k);
            if k == end {
                return m;
            }
            k = (k + 1) % 64;
        }
    }

    #[test]
    fn contiguous_masks_round_trip() {
        // Every run (lo..=hi) and every wrapped run, and their rejection
        // when a hole is punched into them.
        for lo in 0..64u32 {
            for len in 1..=64 - lo {
                let run = if len == 64 { u64::MAX } else { ((1u64 << len) - 1) << lo };
                let (s, e) = contiguous_bits(run).unwrap_or_else(|| panic!("{run:#x}"));
                assert_eq!(selected(s, e), run, "{run:#x}");
                if run != u64::MAX && lo > 0 && lo + len < 64 {
                    let wrapped = !run;
                    let (s, e) = contiguous_bits(wrapped).unwrap_or_else(|| panic!("{wrapped:#x}"));
                    assert_eq!(selected(s, e), wrapped, "{wrapped:#x}");
                }
                // (A hole in the all-ones value leaves a wrapped run.)
                if len >= 3 && len < 64 {
                    let holed = run & !(1u64 << (lo + 1));
                    assert_eq!(contiguous_bits(holed), None, "{holed:#x}");
                }
            }
        }
        assert_eq!(contiguous_bits(0), None);
        assert_eq!(contiguous_bits(0b1010), None);
    }
}

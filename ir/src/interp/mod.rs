//! The IR interpreter: the reference semantics of every opcode. It runs on
//! any host; the JIT is checked against it in lock-step.

pub mod fp;
pub mod int;
pub mod vec;

use crate::block::{Block, ExceptionKind, Terminator};
use crate::mem::{FaultKind, GuestMemory, MemFault};
use crate::op::Op;
use crate::state::CpuState;
use crate::types::{MemSize, Width};

/// How execution of a block ended. `CpuState::pc` has been set to the PC the
/// exit names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockExit {
    /// Continue at this PC.
    Jump(u64),
    /// The guest made a system call; PC is already past the SVC.
    Syscall { imm: u16, next_pc: u64 },
    /// The guest raised an exception at `pc`.
    Exception { kind: ExceptionKind, pc: u64 },
    /// A memory access of the instruction at `pc` faulted. Guest state is
    /// that before the instruction.
    Fault { pc: u64, fault: MemFault },
}

/// Reusable scratch space for running blocks.
#[derive(Default)]
pub struct Interpreter {
    vals: Vec<u128>,
}

fn mask(w: Width, v: u64) -> u64 {
    v & w.mask()
}

fn check_align(addr: u64, bytes: u64, write: bool) -> Result<(), MemFault> {
    if addr & (bytes - 1) != 0 {
        Err(MemFault { addr, kind: FaultKind::Alignment, write })
    } else {
        Ok(())
    }
}

impl Interpreter {
    pub fn new() -> Self {
        Interpreter { vals: Vec::with_capacity(256) }
    }

    /// Runs `block` once.
    pub fn run(&mut self, block: &Block, cpu: &mut CpuState, mem: &mut dyn GuestMemory) -> BlockExit {
        self.vals.clear();
        self.vals.resize(block.ops.len(), 0);
        let mut pc = block.start_pc;
        for (i, op) in block.ops.iter().enumerate() {
            match step(op, &self.vals, cpu, mem, &mut pc) {
                Ok(v) => self.vals[i] = v,
                Err(fault) => {
                    cpu.pc = pc;
                    return BlockExit::Fault { pc, fault };
                }
            }
        }
        let v = |x: crate::types::Value| self.vals[x.index()] as u64;
        let exit = match block.term {
            Terminator::Jump { target } => BlockExit::Jump(target),
            Terminator::JumpIndirect { target, .. } => BlockExit::Jump(v(target)),
            Terminator::Branch { cond, taken, not_taken } => {
                BlockExit::Jump(if v(cond) != 0 { taken } else { not_taken })
            }
            Terminator::Syscall { imm, next_pc } => BlockExit::Syscall { imm, next_pc },
            Terminator::Exception { kind, pc } => BlockExit::Exception { kind, pc },
        };
        cpu.pc = match exit {
            BlockExit::Jump(t) => t,
            BlockExit::Syscall { next_pc, .. } => next_pc,
            BlockExit::Exception { pc, .. } | BlockExit::Fault { pc, .. } => pc,
        };
        exit
    }

    /// Evaluates a pure operation whose arguments are in `vals` (for the
    /// constant folder: the same semantics as execution).
    pub fn eval_pure(op: &Op, vals: &[u128]) -> u128 {
        debug_assert_eq!(op.effect(), crate::op::Effect::Pure);
        // A pure operation touches neither state nor memory: one scratch
        // state per thread instead of a fresh (kilobyte) one per call.
        thread_local! {
            static SCRATCH: std::cell::RefCell<CpuState> = std::cell::RefCell::new(CpuState::default());
        }
        let mut mem = crate::mem::FlatMemory::new(0, 0);
        let mut pc = 0;
        SCRATCH.with(|c| step(op, vals, &mut c.borrow_mut(), &mut mem, &mut pc).unwrap_or(0))
    }
}

/// Evaluates one operation whose arguments are `vals[arg.index()]`. This is
/// how compiled code reaches the reference semantics for operations it does
/// not lower natively (the JIT renumbers a copy of the op's arguments to
/// index a small argument array).
pub fn eval_op(op: &Op, vals: &[u128], cpu: &mut CpuState, mem: &mut dyn GuestMemory) -> Result<u128, MemFault> {
    let mut pc = cpu.pc;
    step(op, vals, cpu, mem, &mut pc)
}

#[inline]
fn step(op: &Op, vals: &[u128], cpu: &mut CpuState, mem: &mut dyn GuestMemory, pc: &mut u64) -> Result<u128, MemFault> {
        let g = |x: &crate::types::Value| vals[x.index()] as u64;
        let gv = |x: &crate::types::Value| vals[x.index()];
        use Op::*;
        let r: u64 = match op {
            Nop {} => 0,
            GuestInsn { pc: p, .. } => {
                *pc = *p;
                0
            }
            Const { value } => *value,
            VConst { value } => return Ok(*value),
            GetGpr { r } => cpu.x[*r as usize],
            SetGpr { r, v } => {
                cpu.x[*r as usize] = g(v);
                0
            }
            GetVec { r } => return Ok(cpu.v[*r as usize]),
            SetVec { r, v } => {
                cpu.v[*r as usize] = gv(v);
                0
            }
            GetNzcv {} => cpu.nzcv,
            SetNzcv { v } => {
                cpu.nzcv = g(v);
                0
            }
            GetSys { reg } => cpu.sys(*reg),
            SetSys { reg, v } => {
                cpu.set_sys(*reg, g(v));
                0
            }
            Add { w, a, b } => mask(*w, g(a).wrapping_add(g(b))),
            Sub { w, a, b } => mask(*w, g(a).wrapping_sub(g(b))),
            AddCarry { w, a, b, c } => mask(*w, g(a).wrapping_add(g(b)).wrapping_add(g(c) & 1)),
            SubCarry { w, a, b, c } => mask(*w, g(a).wrapping_add(!g(b)).wrapping_add(g(c) & 1)),
            And { w, a, b } => mask(*w, g(a) & g(b)),
            Or { w, a, b } => mask(*w, g(a) | g(b)),
            Xor { w, a, b } => mask(*w, g(a) ^ g(b)),
            AndNot { w, a, b } => mask(*w, g(a) & !g(b)),
            OrNot { w, a, b } => mask(*w, g(a) | !g(b)),
            XorNot { w, a, b } => mask(*w, g(a) ^ !g(b)),
            Shl { w, a, b } => int::shl(*w, g(a), g(b)),
            Lshr { w, a, b } => int::lshr(*w, g(a), g(b)),
            Ashr { w, a, b } => int::ashr(*w, g(a), g(b)),
            Ror { w, a, b } => int::ror(*w, g(a), g(b)),
            Mul { w, a, b } => mask(*w, g(a).wrapping_mul(g(b))),
            UMulH { a, b } => ((g(a) as u128 * g(b) as u128) >> 64) as u64,
            SMulH { a, b } => ((g(a) as i64 as i128 * g(b) as i64 as i128) >> 64) as u64,
            UDiv { w, a, b } => int::udiv(*w, g(a), g(b)),
            SDiv { w, a, b } => int::sdiv(*w, g(a), g(b)),
            Neg { w, a } => mask(*w, g(a).wrapping_neg()),
            Not { w, a } => mask(*w, !g(a)),
            Clz { w, a } => int::clz(*w, g(a)),
            Popcnt { a } => g(a).count_ones() as u64,
            Cls { w, a } => int::cls(*w, g(a)),
            Rbit { w, a } => int::rbit(*w, g(a)),
            Rev { w, a } => int::rev(*w, g(a)),
            Rev16 { w, a } => int::rev16(*w, g(a)),
            Rev32 { a } => int::rev32(g(a)),
            Sext { from, a } => int::sext(g(a), *from as u32),
            Zext { from, a } => int::zext(g(a), *from as u32),
            Icmp { cc, w, a, b } => int::icmp(*cc, *w, g(a), g(b)) as u64,
            Select { c, a, b } => {
                if g(c) != 0 {
                    g(a)
                } else {
                    g(b)
                }
            }
            VSelect { c, a, b } => return Ok(if g(c) != 0 { gv(a) } else { gv(b) }),
            AddFlags { w, a, b } => int::add_with_carry(*w, g(a), g(b), 0).1,
            SubFlags { w, a, b } => int::add_with_carry(*w, g(a), !g(b), 1).1,
            AdcFlags { w, a, b, c } => int::add_with_carry(*w, g(a), g(b), g(c) & 1).1,
            SbcFlags { w, a, b, c } => int::add_with_carry(*w, g(a), !g(b), g(c) & 1).1,
            LogicFlags { w, r } => int::logic_flags(*w, g(r)),
            CondHolds { cond, nzcv } => cond.holds(g(nzcv)) as u64,
            Crc32 { poly, size, acc, v } => int::crc32(*poly, *size, g(acc), g(v)),

            Load { size, addr, .. } => mem.read(g(addr), *size)?,
            Store { size, addr, v, .. } => {
                mem.write(g(addr), *size, g(v))?;
                0
            }
            Load128 { addr } => return mem.read128(g(addr)),
            Store128 { addr, v } => {
                mem.write128(g(addr), gv(v))?;
                0
            }
            LoadExclusive { size, addr, .. } => {
                let a = g(addr);
                check_align(a, size.bytes(), false)?;
                let v = mem.read(a, *size)?;
                cpu.excl_addr = a;
                cpu.excl_size = size.bytes();
                cpu.excl_value = v as u128;
                v
            }
            StoreExclusive { size, addr, v, .. } => {
                let a = g(addr);
                check_align(a, size.bytes(), true)?;
                let armed = cpu.excl_addr == a && cpu.excl_size == size.bytes();
                let status = if armed {
                    let expected = cpu.excl_value as u64;
                    let old = mem.cas(a, *size, expected, g(v))?;
                    (old != expected) as u64
                } else {
                    1
                };
                cpu.excl_addr = u64::MAX;
                status
            }
            LoadExclusive128 { addr, .. } => {
                let a = g(addr);
                check_align(a, 16, false)?;
                let v = mem.read128(a)?;
                cpu.excl_addr = a;
                cpu.excl_size = 16;
                cpu.excl_value = v;
                return Ok(v);
            }
            StoreExclusive128 { addr, v, .. } => {
                let a = g(addr);
                check_align(a, 16, true)?;
                let armed = cpu.excl_addr == a && cpu.excl_size == 16;
                let status = if armed {
                    let old = mem.cas128(a, cpu.excl_value, gv(v))?;
                    (old != cpu.excl_value) as u64
                } else {
                    1
                };
                cpu.excl_addr = u64::MAX;
                status
            }
            ClearExclusive {} => {
                cpu.excl_addr = u64::MAX;
                0
            }
            AtomicRmw { op, size, addr, v, .. } => {
                let a = g(addr);
                check_align(a, size.bytes(), true)?;
                mem.atomic_rmw(a, *size, *op, g(v))?
            }
            Cas { size, addr, expected, new, .. } => {
                let a = g(addr);
                check_align(a, size.bytes(), true)?;
                let m = if *size == MemSize::B8 { u64::MAX } else { (1u64 << (size.bytes() * 8)) - 1 };
                mem.cas(a, *size, g(expected) & m, g(new) & m)?
            }
            Cas128 { addr, expected, new, .. } => {
                let a = g(addr);
                check_align(a, 16, true)?;
                return mem.cas128(a, gv(expected), gv(new));
            }
            Fence { .. } => 0,
            ZeroBlock { bytes, addr } => {
                mem.zero(g(addr), *bytes as u64)?;
                0
            }
            InvalidateCode { addr } => {
                mem.invalidate_code(g(addr));
                0
            }
            FpBin { .. } | FpUn { .. } | FpMulAdd { .. } | FpCmp { .. } | FpConvert { .. } | FpToInt { .. }
            | IntToFp { .. } => {
                let args: Vec<u128> = op.args().iter().map(|(a, _)| vals[a.index()]).collect();
                return Ok(fp::eval(op, &args, cpu));
            }
            VBin { .. } | VUn { .. } | VShift { .. } | VTern { .. } | VExtend { .. } | VPmull { .. } | VNarrow { .. }
            | VFcvtLong { .. } | VExt { .. } | VAes { .. } | VSha { .. } | VTblStep { .. } | VDup { .. } | VDupLane { .. }
            | VInsertLane { .. } | VExtractLane { .. } | VFromHalves { .. } => {
                let args: Vec<u128> = op.args().iter().map(|(a, _)| vals[a.index()]).collect();
                return Ok(vec::eval(op, &args, cpu));
            }
        };
        Ok(r as u128)
    }

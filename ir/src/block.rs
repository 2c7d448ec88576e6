//! A translated guest block: straight-line operations ending in one
//! terminator, and the builder the frontend uses to make it.

use crate::op::Op;
use crate::types::{Type, Value, Width};

/// Why guest code raises an exception instead of continuing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExceptionKind {
    /// An encoding the decoder does not know or that is unallocated (SIGILL).
    Undefined { word: u32 },
    /// BRK #imm (SIGTRAP).
    Breakpoint { imm: u16 },
    /// HLT #imm.
    Halt { imm: u16 },
    /// The instruction fetch itself failed (unmapped or not executable).
    FetchFault,
}

/// How a block hands control on.
#[derive(Clone, Debug, PartialEq)]
pub enum Terminator {
    Jump { target: u64 },
    /// BR/BLR/RET: the target is computed. `is_return` marks RET, `is_call` BLR.
    JumpIndirect { target: Value, is_call: bool, is_return: bool },
    /// Conditional: to `taken` if `cond != 0`, else `not_taken`.
    Branch { cond: Value, taken: u64, not_taken: u64 },
    /// SVC #imm: the system call is made with guest PC = `next_pc`.
    Syscall { imm: u16, next_pc: u64 },
    /// Raise `kind` with guest PC = `pc`.
    Exception { kind: ExceptionKind, pc: u64 },
}

impl Terminator {
    /// The guest PCs control may go to directly (jumps and both sides of a
    /// conditional branch).
    pub fn direct_targets(&self) -> Vec<u64> {
        match self {
            Terminator::Jump { target } => vec![*target],
            Terminator::Branch { taken, not_taken, .. } => vec![*taken, *not_taken],
            _ => vec![],
        }
    }

    /// The terminator's one SSA argument, if it has one.
    pub fn arg(&self) -> Option<Value> {
        match self {
            Terminator::JumpIndirect { target, .. } => Some(*target),
            Terminator::Branch { cond, .. } => Some(*cond),
            _ => None,
        }
    }
    pub fn arg_mut(&mut self) -> Option<&mut Value> {
        match self {
            Terminator::JumpIndirect { target, .. } => Some(target),
            Terminator::Branch { cond, .. } => Some(cond),
            _ => None,
        }
    }
}

/// A guest basic block in IR. `Value(i)` is the result of `ops[i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// Guest address of the first instruction.
    pub start_pc: u64,
    /// Guest address just past the last instruction.
    pub end_pc: u64,
    /// Number of guest instructions lifted into this block.
    pub guest_insns: u32,
    pub ops: Vec<Op>,
    pub term: Terminator,
}

impl Block {
    pub fn value_type(&self, v: Value) -> Option<Type> {
        self.ops.get(v.index()).and_then(|op| op.result_type())
    }

    /// Drops `Nop`s and renumbers values (in place); `map` is the
    /// renumbering array, kept by the caller from block to block.
    pub fn compact_with(&mut self, map: &mut Vec<Value>) {
        map.clear();
        map.resize(self.ops.len(), Value(u32::MAX));
        let mut w = 0;
        for i in 0..self.ops.len() {
            if matches!(self.ops[i], Op::Nop {}) {
                continue;
            }
            map[i] = Value(w as u32);
            let mut op = std::mem::replace(&mut self.ops[i], Op::Nop {});
            op.for_each_arg_mut(|a| *a = map[a.index()]);
            self.ops[w] = op;
            w += 1;
        }
        self.ops.truncate(w);
        if let Some(a) = self.term.arg_mut() {
            *a = map[a.index()];
        }
    }
}

/// Builds a block operation by operation. The frontend owns one per block.
pub struct Builder {
    start_pc: u64,
    ops: Vec<Op>,
    guest_insns: u32,
}

impl Builder {
    pub fn new(start_pc: u64) -> Self {
        Builder { start_pc, ops: Vec::with_capacity(32), guest_insns: 0 }
    }

    /// Appends `op` and returns the value it defines (operations without a
    /// result return a value that must not be used; the verifier catches it).
    pub fn push(&mut self, op: Op) -> Value {
        let v = Value(self.ops.len() as u32);
        self.ops.push(op);
        v
    }

    /// Marks the start of a guest instruction.
    pub fn begin_insn(&mut self, pc: u64, word: u32) {
        self.guest_insns += 1;
        self.push(Op::GuestInsn { pc, word });
    }

    /// Removes everything pushed since `len` (used to retract a partially
    /// lifted instruction).
    pub fn truncate(&mut self, len: usize) {
        let removed = self.ops[len.min(self.ops.len())..].iter().filter(|o| matches!(o, Op::GuestInsn { .. })).count();
        self.guest_insns -= removed as u32;
        self.ops.truncate(len);
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    pub fn guest_insns(&self) -> u32 {
        self.guest_insns
    }

    pub fn finish(self, term: Terminator, end_pc: u64) -> Block {
        Block { start_pc: self.start_pc, end_pc, guest_insns: self.guest_insns, ops: self.ops, term }
    }

    // Shorthands for the operations the frontend writes most.
    pub fn konst(&mut self, value: u64) -> Value {
        self.push(Op::Const { value })
    }
    pub fn get_gpr(&mut self, r: u8) -> Value {
        self.push(Op::GetGpr { r })
    }
    pub fn set_gpr(&mut self, r: u8, v: Value) {
        self.push(Op::SetGpr { r, v });
    }
    pub fn add(&mut self, w: Width, a: Value, b: Value) -> Value {
        self.push(Op::Add { w, a, b })
    }
    pub fn sub(&mut self, w: Width, a: Value, b: Value) -> Value {
        self.push(Op::Sub { w, a, b })
    }
    pub fn and(&mut self, w: Width, a: Value, b: Value) -> Value {
        self.push(Op::And { w, a, b })
    }
    pub fn or(&mut self, w: Width, a: Value, b: Value) -> Value {
        self.push(Op::Or { w, a, b })
    }
    pub fn shl(&mut self, w: Width, a: Value, b: Value) -> Value {
        self.push(Op::Shl { w, a, b })
    }
    pub fn lshr(&mut self, w: Width, a: Value, b: Value) -> Value {
        self.push(Op::Lshr { w, a, b })
    }
    pub fn ashr(&mut self, w: Width, a: Value, b: Value) -> Value {
        self.push(Op::Ashr { w, a, b })
    }
}

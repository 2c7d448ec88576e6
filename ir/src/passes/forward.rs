//! Guest-register load/store forwarding within a block: a read of a guest
//! register (GPR, vector, NZCV) whose value is already known in the block
//! uses that value; a register write overwritten before anything could
//! observe it (no possible fault in between) is removed.

use crate::block::Block;
use crate::op::Op;
use crate::types::Value;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    Gpr(u8),
    Vec(u8),
    Nzcv,
}

fn slot_of(op: &Op) -> Option<(Slot, bool)> {
    match op {
        Op::GetGpr { r } => Some((Slot::Gpr(*r), false)),
        Op::SetGpr { r, .. } => Some((Slot::Gpr(*r), true)),
        Op::GetVec { r } => Some((Slot::Vec(*r), false)),
        Op::SetVec { r, .. } => Some((Slot::Vec(*r), true)),
        Op::GetNzcv {} => Some((Slot::Nzcv, false)),
        Op::SetNzcv { .. } => Some((Slot::Nzcv, true)),
        _ => None,
    }
}

fn index(s: Slot) -> usize {
    match s {
        Slot::Gpr(r) => r as usize,
        Slot::Vec(r) => 32 + r as usize,
        Slot::Nzcv => 64,
    }
}

pub fn run(block: &mut Block) {
    let n = block.ops.len();
    let mut subst: Vec<Value> = (0..n as u32).map(Value).collect();
    // Known value of each slot, and the pending (not yet observable) write.
    let mut known: [Option<Value>; 65] = [None; 65];
    let mut pending: [Option<usize>; 65] = [None; 65];
    for i in 0..n {
        for a in block.ops[i].args_mut() {
            *a = subst[a.index()];
        }
        if block.ops[i].may_fault() {
            pending = [None; 65];
        }
        let Some((slot, is_write)) = slot_of(&block.ops[i]) else { continue };
        let k = index(slot);
        if is_write {
            if let Some(prev) = pending[k] {
                block.ops[prev] = Op::Nop {};
            }
            let v = block.ops[i].args()[0].0;
            known[k] = Some(v);
            pending[k] = Some(i);
        } else if let Some(v) = known[k] {
            subst[i] = v;
            block.ops[i] = Op::Nop {};
        } else {
            known[k] = Some(Value(i as u32));
        }
    }
    for a in block.term.args_mut() {
        *a = subst[a.index()];
    }
}

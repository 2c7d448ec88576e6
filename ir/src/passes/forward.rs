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
    // A pending write: (op index, epoch); a possible fault starts a new
    // epoch, which forgets every pending write at once.
    let mut pending: [(u32, u32); 65] = [(0, 0); 65];
    let mut epoch = 1u32;
    for i in 0..n {
        block.ops[i].for_each_arg_mut(|a| *a = subst[a.index()]);
        if block.ops[i].may_fault() {
            epoch += 1;
        }
        let Some((slot, is_write)) = slot_of(&block.ops[i]) else { continue };
        let k = index(slot);
        if is_write {
            if pending[k].1 == epoch {
                block.ops[pending[k].0 as usize] = Op::Nop {};
            }
            let v = block.ops[i].args()[0].0;
            known[k] = Some(v);
            pending[k] = (i as u32, epoch);
        } else if let Some(v) = known[k] {
            subst[i] = v;
            block.ops[i] = Op::Nop {};
        } else {
            known[k] = Some(Value(i as u32));
        }
    }
    if let Some(a) = block.term.arg_mut() {
        *a = subst[a.index()];
    }
}

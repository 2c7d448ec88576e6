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

/// The forwarding state of the forward walk.
pub struct Forward {
    /// Known value of each slot.
    known: [Option<Value>; 65],
    /// The pending (not yet observable) write of each slot: (op index,
    /// epoch); a possible fault starts a new epoch, which forgets every
    /// pending write at once.
    pending: [(u32, u32); 65],
    epoch: u32,
}

impl Default for Forward {
    fn default() -> Self {
        Self::new()
    }
}

impl Forward {
    pub fn new() -> Self {
        Forward { known: [None; 65], pending: [(0, 0); 65], epoch: 1 }
    }

    /// One step of the forward walk on operation `i`, whose arguments are
    /// already substituted. Returns true when `i` was a read of a known
    /// value: it is now `Nop` and `subst[i]` names that value.
    pub fn visit(&mut self, block: &mut Block, i: usize, subst: &mut [Value]) -> bool {
        if block.ops[i].may_fault() {
            self.epoch += 1;
            return false;
        }
        let Some((slot, is_write)) = slot_of(&block.ops[i]) else { return false };
        let k = index(slot);
        if is_write {
            if self.pending[k].1 == self.epoch {
                block.ops[self.pending[k].0 as usize] = Op::Nop {};
            }
            let v = block.ops[i].args()[0].0;
            self.known[k] = Some(v);
            self.pending[k] = (i as u32, self.epoch);
        } else if let Some(v) = self.known[k] {
            subst[i] = v;
            block.ops[i] = Op::Nop {};
            return true;
        } else {
            self.known[k] = Some(Value(i as u32));
        }
        false
    }
}

//! NZCV liveness: a flags write that is overwritten before any read (and
//! before any operation that may fault, where flags must be precise) is
//! removed; DCE then drops the flag computation feeding it. Flags are live
//! at the block's end, since the successor is unknown here.

use crate::block::Block;
use crate::op::Op;

pub fn run(block: &mut Block) {
    let mut live = true;
    for op in block.ops.iter_mut().rev() {
        match op {
            Op::SetNzcv { .. } => {
                if !live {
                    *op = Op::Nop {};
                }
                live = false;
            }
            Op::GetNzcv {} => live = true,
            _ if op.may_fault() => live = true,
            _ => {}
        }
    }
}

//! NZCV liveness: a flags write that is overwritten before any read (and
//! before any operation that may fault, where flags must be precise) is
//! removed; DCE then drops the flag computation feeding it. Flags are live
//! at the block's end, since the successor is unknown here.

use crate::op::Op;

/// One step of the backward walk: `live` says whether NZCV is read after
/// `op`. Returns true when `op` was a dead NZCV write, now removed.
pub fn visit(op: &mut Op, live: &mut bool) -> bool {
    match op {
        Op::SetNzcv { .. } => {
            if !*live {
                *op = Op::Nop {};
                return true;
            }
            *live = false;
        }
        Op::GetNzcv {} => *live = true,
        _ if op.may_fault() => *live = true,
        _ => {}
    }
    false
}

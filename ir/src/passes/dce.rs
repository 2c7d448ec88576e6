//! Dead-code elimination: pure operations and state reads whose results are
//! unused become `Nop`.

use crate::op::{Effect, Op};

/// One step of the backward walk: `uses[i]` counts the uses of value `i`
/// by the operations after it that stay (and the terminator). A dead
/// operation becomes `Nop` and its arguments lose its uses; a live one
/// counts its uses of its arguments.
pub fn visit(op: &mut Op, i: usize, uses: &mut [u32]) {
    if matches!(op, Op::Nop {}) {
        return;
    }
    if uses[i] == 0 && matches!(op.effect(), Effect::Pure | Effect::ReadState) {
        *op = Op::Nop {};
        return;
    }
    op.for_each_arg(|a| uses[a.index()] += 1);
}

//! Dead-code elimination: pure operations and state reads whose results are
//! unused become `Nop`.

use crate::block::Block;
use crate::op::{Effect, Op};

pub fn run(block: &mut Block) {
    let mut uses = block.use_counts();
    for i in (0..block.ops.len()).rev() {
        let op = &block.ops[i];
        let removable = matches!(op.effect(), Effect::Pure | Effect::ReadState);
        if removable && uses[i] == 0 && !matches!(op, Op::Nop {}) {
            op.for_each_arg(|a| uses[a.index()] -= 1);
            block.ops[i] = Op::Nop {};
        }
    }
}

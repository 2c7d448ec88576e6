//! Vector (AdvSIMD) semantics.

use crate::op::Op;
use crate::state::CpuState;

/// Evaluates a vector operation; `args` are the operation's SSA arguments in order.
pub fn eval(op: &Op, _args: &[u128], _cpu: &mut CpuState) -> u128 {
    unimplemented!("vector semantics for {}", op.name())
}

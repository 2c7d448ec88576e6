//! Scalar floating-point semantics (FPCR-controlled rounding, FZ, DN; FPSR
//! cumulative flags).

use crate::op::Op;
use crate::state::CpuState;

/// Evaluates a scalar FP operation; `args` are the operation's SSA
/// arguments in order.
pub fn eval(op: &Op, _args: &[u128], _cpu: &mut CpuState) -> u128 {
    unimplemented!("FP semantics for {}", op.name())
}

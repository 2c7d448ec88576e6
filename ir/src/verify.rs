//! The verifier: checks that a block is well formed. Run after lifting and
//! after every pass in debug builds and tests.

use crate::block::Block;
use crate::op::Op;
use crate::types::Type;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub struct VerifyError {
    pub op_index: Option<usize>,
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.op_index {
            Some(i) => write!(f, "op {i}: {}", self.message),
            None => write!(f, "terminator: {}", self.message),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Checks: every argument is defined earlier and has the type the opcode
/// wants; register indices are in range; the block starts with a guest
/// instruction marker; lane parameters are in range.
pub fn verify(block: &Block) -> Result<(), VerifyError> {
    let err = |i: Option<usize>, m: String| Err(VerifyError { op_index: i, message: m });
    if block.guest_insns > 0 && !matches!(block.ops.first(), Some(Op::GuestInsn { .. })) {
        return err(Some(0), "block does not start with a GuestInsn marker".into());
    }
    for (i, op) in block.ops.iter().enumerate() {
        for (a, want) in op.args() {
            if a.index() >= i {
                return err(Some(i), format!("{} uses {a}, which is not defined before it", op.name()));
            }
            match block.ops[a.index()].result_type() {
                None => return err(Some(i), format!("{} uses {a}, which defines no value", op.name())),
                Some(t) if t != want => {
                    return err(Some(i), format!("{} wants {want:?} but {a} is {t:?}", op.name()))
                }
                _ => {}
            }
        }
        match op {
            Op::GetGpr { r } | Op::SetGpr { r, .. } | Op::GetVec { r } | Op::SetVec { r, .. } if *r > 31 => {
                return err(Some(i), format!("register index {r} out of range"));
            }
            Op::Sext { from, .. } | Op::Zext { from, .. } if *from == 0 || *from > 64 => {
                return err(Some(i), format!("extension from {from} bits"));
            }
            Op::VInsertLane { esize, idx, .. } | Op::VExtractLane { esize, idx, .. } => {
                if !matches!(esize, 1 | 2 | 4 | 8) || (*idx as u32 + 1) * (*esize as u32) > 16 {
                    return err(Some(i), format!("lane {idx} of size {esize} out of range"));
                }
            }
            _ => {}
        }
    }
    if let Some(a) = block.term.arg() {
        if a.index() >= block.ops.len() {
            return err(None, format!("uses undefined {a}"));
        }
        if block.ops[a.index()].result_type() != Some(Type::I64) {
            return err(None, format!("{a} is not an I64"));
        }
    }
    Ok(())
}

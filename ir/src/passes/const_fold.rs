//! Constant folding: a pure operation whose arguments are all constants is
//! evaluated (with the interpreter's own semantics) and becomes a constant.
//! A few identities (x+0, x|0, x^0, x-0, shifts by 0) forward their operand.

use crate::block::Block;
use crate::interp::Interpreter;
use crate::op::{Effect, Op};
use crate::types::{Type, Value, Width};

pub fn run(block: &mut Block) {
    let n = block.ops.len();
    let mut known: Vec<Option<u128>> = vec![None; n];
    let mut subst: Vec<Value> = (0..n as u32).map(Value).collect();
    for i in 0..n {
        for a in block.ops[i].args_mut() {
            *a = subst[a.index()];
        }
        let op = &block.ops[i];
        match op {
            Op::Const { value } => {
                known[i] = Some(*value as u128);
                continue;
            }
            Op::VConst { value } => {
                known[i] = Some(*value);
                continue;
            }
            _ => {}
        }
        if op.effect() != Effect::Pure || op.result_type().is_none() {
            continue;
        }
        let args = op.args();
        if !args.is_empty() && args.iter().all(|(a, _)| known[a.index()].is_some()) {
            let vals: Vec<u128> = (0..i).map(|k| known[k].unwrap_or(0)).collect();
            let value = Interpreter::eval_pure(op, &vals);
            known[i] = Some(value);
            block.ops[i] = match op.result_type() {
                Some(Type::V128) => Op::VConst { value },
                _ => Op::Const { value: value as u64 },
            };
            continue;
        }
        // x op 0 == x for these (only at 64 bits: a W32 op also truncates).
        if let Op::Add { w: Width::W64, a, b }
        | Op::Sub { w: Width::W64, a, b }
        | Op::Or { w: Width::W64, a, b }
        | Op::Xor { w: Width::W64, a, b }
        | Op::Shl { w: Width::W64, a, b }
        | Op::Lshr { w: Width::W64, a, b }
        | Op::Ashr { w: Width::W64, a, b } = op
        {
            if known[b.index()] == Some(0) {
                subst[i] = *a;
                block.ops[i] = Op::Nop {};
            }
        }
    }
    super::apply_subst(block, &subst);
}

//! Optimisation passes, one file each. Every pass keeps guest state precise
//! at every operation that may fault (see `Op::may_fault`), so a fault
//! observes exactly the state the interpreter would have before that guest
//! instruction.
//!
//! The pipeline is two walks over the block and a compaction: a forward
//! walk in which each operation is first forwarded (`forward`) and then
//! folded (`const_fold`), a backward walk in which each operation is first
//! checked for a dead NZCV write (`flags`) and then for being dead (`dce`),
//! and `Block::compact`. The walks keep their per-value arrays per thread,
//! so a warm optimiser allocates nothing per block (translation speed is a
//! goal of the JIT).

pub mod const_fold;
pub mod dce;
pub mod flags;
pub mod forward;

use crate::block::Block;
use crate::types::Value;
use std::cell::RefCell;

/// The walks' per-value arrays, reused from block to block.
#[derive(Default)]
struct Scratch {
    /// What each value was replaced by (forward walk).
    subst: Vec<Value>,
    /// Each value's constant, where known (forward walk).
    consts: Vec<Option<u128>>,
    /// Uses of each value by operations kept so far (backward walk).
    uses: Vec<u32>,
    /// New numbers of the values (compaction).
    map: Vec<Value>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The standard pipeline. With `verify_each`, the verifier runs after each
/// walk and a failure names it.
pub fn optimize(block: &mut Block, verify_each: bool) -> Result<(), String> {
    let check = |block: &Block, name: &str| if verify_each { crate::verify::verify(block).map_err(|e| format!("after {name}: {e}")) } else { Ok(()) };
    SCRATCH.with_borrow_mut(|s| {
        if forward_walk(block, s) {
            forward_walk(block, s);
        }
        check(block, "forward+const_fold")?;
        backward_walk(block, s);
        check(block, "flags+dce")?;
        block.compact_with(&mut s.map);
        check(block, "compact")
    })
}

/// Forwarding, then folding, operation by operation. Both rewrite uses
/// through one substitution: a value is replaced only by an earlier one, so
/// an operation's arguments are final once substituted on its visit.
/// Returns true when a second walk may fold more (`const_fold::visit`).
fn forward_walk(block: &mut Block, s: &mut Scratch) -> bool {
    let n = block.ops.len();
    s.subst.clear();
    s.subst.extend((0..n as u32).map(Value));
    s.consts.clear();
    s.consts.resize(n, None);
    let mut fwd = forward::Forward::new();
    let mut again = false;
    for i in 0..n {
        let subst = &s.subst;
        block.ops[i].for_each_arg_mut(|a| *a = subst[a.index()]);
        if !fwd.visit(block, i, &mut s.subst) {
            again |= const_fold::visit(block, i, &mut s.consts, &mut s.subst);
        }
    }
    if let Some(a) = block.term.arg_mut() {
        *a = s.subst[a.index()];
    }
    const_fold::terminator(block, &s.consts);
    again
}

/// NZCV liveness, then dead-code elimination, from the last operation to
/// the first: when an operation is visited, every use of its value by an
/// operation that stays has been counted.
fn backward_walk(block: &mut Block, s: &mut Scratch) {
    let n = block.ops.len();
    s.uses.clear();
    s.uses.resize(n, 0);
    if let Some(a) = block.term.arg() {
        s.uses[a.index()] += 1;
    }
    let mut flags_live = true;
    for i in (0..n).rev() {
        let op = &mut block.ops[i];
        if !flags::visit(op, &mut flags_live) {
            dce::visit(op, i, &mut s.uses);
        }
    }
}

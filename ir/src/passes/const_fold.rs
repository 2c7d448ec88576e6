//! Constant folding: a pure operation whose arguments are all constants is
//! evaluated (with the interpreter's own semantics) and becomes a constant.
//! A few identities (x+0, 0+x, x|0, 0|x, x^0, 0^x, x-0, shifts by 0, a
//! doubleword lane of VFromHalves) forward their operand; at 32 bits they
//! become a zero-extension, dropped when the operand has no high bits.
//! The CNT+ADDV popcount idiom becomes one `Popcnt`; a conditional
//! branch on a known condition, a jump.

use crate::block::{Block, Terminator};
use crate::interp::Interpreter;
use crate::op::{Effect, Op};
use crate::types::{Type, Value, Width};

/// One step of the forward walk on operation `i`, whose arguments are
/// already substituted: `known` holds the constants of the values before
/// it; a folded operation becomes a constant in place, one that forwards
/// an operand becomes `Nop` with `subst[i]` naming that operand. Returns
/// true when `i` is the end of the popcount idiom but its CNT has another
/// use, which may be a register write that forwarding removes later in
/// the walk: a second walk may then fold it.
pub fn visit(block: &mut Block, i: usize, known: &mut [Option<u128>], subst: &mut [Value]) -> bool {
    match popcount_idiom(block, i, known, subst) {
        Idiom::Replace(op) => {
            block.ops[i] = op;
            return false;
        }
        Idiom::OtherUse => return true,
        Idiom::No => {}
    }
    let op = &block.ops[i];
    match op {
        Op::Const { value } => {
            known[i] = Some(*value as u128);
            return false;
        }
        Op::VConst { value } => {
            known[i] = Some(*value);
            return false;
        }
        _ => {}
    }
    if op.effect() != Effect::Pure || op.result_type().is_none() {
        return false;
    }
    let (mut nargs, mut all_known) = (0, true);
    op.for_each_arg(|a| {
        nargs += 1;
        all_known &= known[a.index()].is_some();
    });
    if nargs > 0 && all_known {
        // Evaluated on a copy whose arguments are renumbered 0..k.
        let mut vals = [0u128; 4];
        let mut local = op.clone();
        let mut k = 0;
        local.for_each_arg_mut(|a| {
            vals[k] = known[a.index()].unwrap_or(0);
            *a = Value(k as u32);
            k += 1;
        });
        let value = Interpreter::eval_pure(&local, &vals[..k]);
        known[i] = Some(value);
        block.ops[i] = match op.result_type() {
            Some(Type::V128) => Op::VConst { value },
            _ => Op::Const { value: value as u64 },
        };
        return false;
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
            return false;
        }
    }
    // A doubleword lane of a vector made from two halves is that half
    // (scalar FP results written to a V register and read back); its
    // word lane 0 the low half's low word.
    if let Op::VExtractLane { esize: esize @ (4 | 8), idx, v } = *op {
        if let Op::VFromHalves { lo, hi } = block.ops[v.index()] {
            if esize == 8 || block.ops[lo.index()].high_word_zero() {
                subst[i] = if idx == 0 { lo } else { hi };
                block.ops[i] = Op::Nop {};
                return false;
            }
            if idx == 0 {
                block.ops[i] = Op::Zext { from: 32, a: lo };
                return false;
            }
        }
    }

    // 0 op x == x for the commutative ones (MOV is ORR with XZR).
    if let Op::Add { w: Width::W64, a, b } | Op::Or { w: Width::W64, a, b } | Op::Xor { w: Width::W64, a, b } = op {
        if known[a.index()] == Some(0) {
            subst[i] = *b;
            block.ops[i] = Op::Nop {};
            return false;
        }
    }
    // At 32 bits the same identities (MOV Wd, Wn) leave x's low word:
    // a zero-extension, itself nothing when x has no high bits.
    let x32 = match *op {
        Op::Add { w: Width::W32, a, b } | Op::Or { w: Width::W32, a, b } | Op::Xor { w: Width::W32, a, b } if known[a.index()] == Some(0) => Some(b),
        Op::Add { w: Width::W32, a, b }
        | Op::Sub { w: Width::W32, a, b }
        | Op::Or { w: Width::W32, a, b }
        | Op::Xor { w: Width::W32, a, b }
            if known[b.index()] == Some(0) =>
        {
            Some(a)
        }
        // Zero-extending from 32 bits or more: nothing to do on a
        // value without high bits.
        Op::Zext { from: 32.., a } if block.ops[a.index()].high_word_zero() => Some(a),
        _ => None,
    };
    if let Some(x) = x32 {
        if block.ops[x.index()].high_word_zero() {
            subst[i] = x;
            block.ops[i] = Op::Nop {};
        } else {
            block.ops[i] = Op::Zext { from: 32, a: x };
        }
    }
    false
}

/// After the walk (the terminator's argument substituted): a conditional
/// branch on a known condition is a jump.
pub fn terminator(block: &mut Block, known: &[Option<u128>]) {
    if let Terminator::Branch { cond, taken, not_taken } = block.term {
        if let Some(c) = known[cond.index()] {
            block.term = Terminator::Jump { target: if c != 0 { taken } else { not_taken } };
        }
    }
}

/// The popcount idiom (FMOV Dn, Xm; CNT Vn.8B, Vn.8B; ADDV Bn, Vn.8B):
/// ADDV of the low eight bytes (operation `i`) of a CNT (used by nothing
/// else) of a vector made from halves whose high half is a zero constant
/// is that vector with the population count of its low half. The CNT's
/// slot becomes the `Popcnt`; the replacement for operation `i` is
/// returned. Operations after `i` are not visited yet: their arguments
/// are read through `subst` (a use of the CNT through a guest register
/// shows as the register write, itself a use).
enum Idiom {
    No,
    OtherUse,
    Replace(Op),
}

fn popcount_idiom(block: &mut Block, i: usize, known: &[Option<u128>], subst: &[Value]) -> Idiom {
    use crate::vector::VecUnOp as U;
    let Op::VUn { op: U::Addv, esize: 1, q: false, a: c } = block.ops[i] else { return Idiom::No };
    let Op::VUn { op: U::Cnt, esize: 1, a: v, .. } = block.ops[c.index()] else { return Idiom::No };
    let Op::VFromHalves { lo, hi } = block.ops[v.index()] else { return Idiom::No };
    if known[hi.index()] != Some(0) {
        return Idiom::No;
    }
    let mut other_use = false;
    for (j, op) in block.ops.iter().enumerate().skip(c.index() + 1) {
        if j != i {
            op.for_each_arg(|a| other_use |= subst[a.index()] == c);
        }
    }
    if let Some(a) = block.term.arg() {
        other_use |= subst[a.index()] == c;
    }
    if other_use {
        return Idiom::OtherUse;
    }
    block.ops[c.index()] = Op::Popcnt { a: lo };
    Idiom::Replace(Op::VFromHalves { lo: c, hi })
}

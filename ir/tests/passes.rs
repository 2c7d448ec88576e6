//! The optimisation pipeline must not change what a block does: random
//! integer blocks run through the interpreter before and after
//! `passes::optimize` on random guest states must leave identical state,
//! memory and exit. Faults included: state at a fault must be precise.

use zarm_ir::mem::FlatMemory;
use zarm_ir::passes::optimize;
use zarm_ir::verify::verify;
use zarm_ir::testgen::{random_block, GenConfig, Rng};
use zarm_ir::*;

const MEM_BASE: u64 = 0x1000;
const MEM_LEN: usize = 0x200;

fn gen_cfg() -> GenConfig {
    GenConfig { mem_base: MEM_BASE, max_insns: 12, helper_ops: true, vector_ops: true }
}

fn run(block: &Block, seed: u64) -> (CpuState, Vec<u8>, BlockExit) {
    let mut rng = Rng(seed | 1);
    let mut cpu = CpuState::default();
    for x in cpu.x.iter_mut() {
        *x = match rng.below(3) {
            0 => rng.below(300),
            1 => rng.next(),
            _ => rng.next() | 0x8000_0000_0000_0000,
        };
    }
    cpu.nzcv = rng.next() & 0xf000_0000;
    let mut mem = FlatMemory::new(MEM_BASE, MEM_LEN);
    for byte in mem.bytes.iter_mut() {
        *byte = rng.next() as u8;
    }
    let exit = Interpreter::new().run(block, &mut cpu, &mut mem);
    (cpu, mem.bytes, exit)
}

#[test]
fn optimize_preserves_semantics_of_random_blocks() {
    let mut rng = Rng(0x5eed_1234);
    let mut removed = 0usize;
    let cases = std::env::var("ZARM_IR_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    for case in 0..cases {
        let block = random_block(&mut rng, &gen_cfg());
        verify(&block).unwrap_or_else(|e| panic!("case {case}: generated block invalid: {e}"));
        let mut opt = block.clone();
        optimize(&mut opt, true).unwrap_or_else(|e| panic!("case {case}: {e}\n{}", print::print_block(&block)));
        removed += block.ops.len() - opt.ops.len();
        for s in 0..4 {
            let seed = rng.next();
            let want = run(&block, seed);
            let got = run(&opt, seed);
            assert_eq!(
                want,
                got,
                "case {case} seed {s}: optimised block diverges\n--- original\n{}--- optimised\n{}",
                print::print_block(&block),
                print::print_block(&opt)
            );
        }
    }
    // The pipeline must actually do something on these blocks.
    assert!(removed > cases as usize, "passes removed only {removed} ops");
}

#[test]
fn flags_written_twice_keep_only_the_last() {
    let mut b = Builder::new(0);
    b.begin_insn(0, 0);
    let x = b.get_gpr(0);
    let y = b.get_gpr(1);
    let f1 = b.push(Op::SubFlags { w: Width::W64, a: x, b: y });
    b.push(Op::SetNzcv { v: f1 });
    b.begin_insn(4, 0);
    let f2 = b.push(Op::AddFlags { w: Width::W64, a: x, b: y });
    b.push(Op::SetNzcv { v: f2 });
    let mut block = b.finish(Terminator::Jump { target: 8 }, 8);
    optimize(&mut block, true).unwrap();
    let text = print::print_block(&block);
    assert!(!text.contains("SubFlags"), "dead flag computation survived:\n{text}");
    assert_eq!(text.matches("SetNzcv").count(), 1, "{text}");
}

/// FMOV D0, X1; CNT V0.8B, V0.8B; ADDV B0, V0.8B; FMOV W2, S0 as the
/// lifter writes them becomes one population count (no vector operation
/// left), and still computes what the original does.
#[test]
fn popcount_idiom_becomes_popcnt() {
    use zarm_ir::vector::VecUnOp as U;
    let mut b = Builder::new(0);
    b.begin_insn(0, 0x9e670020);
    let x = b.get_gpr(1);
    let zero = b.konst(0);
    let v = b.push(Op::VFromHalves { lo: x, hi: zero });
    b.push(Op::SetVec { r: 0, v });
    b.begin_insn(4, 0x0e205800);
    let v = b.push(Op::GetVec { r: 0 });
    let c = b.push(Op::VUn { op: U::Cnt, esize: 1, q: false, a: v });
    b.push(Op::SetVec { r: 0, v: c });
    b.begin_insn(8, 0x0e31b800);
    let v = b.push(Op::GetVec { r: 0 });
    let s = b.push(Op::VUn { op: U::Addv, esize: 1, q: false, a: v });
    b.push(Op::SetVec { r: 0, v: s });
    b.begin_insn(12, 0x1e260002);
    let v = b.push(Op::GetVec { r: 0 });
    let w = b.push(Op::VExtractLane { esize: 4, idx: 0, v });
    b.set_gpr(2, w);
    let block = b.finish(Terminator::Jump { target: 16 }, 16);
    let mut opt = block.clone();
    optimize(&mut opt, true).unwrap();
    let text = print::print_block(&opt);
    assert!(text.contains("Popcnt") && !text.contains("VUn") && !text.contains("VExtractLane"), "{text}");
    for seed in 0..16 {
        assert_eq!(run(&block, seed * 77 + 1), run(&opt, seed * 77 + 1), "{text}");
    }
}

/// SUBS then B.NE on flags the block computed from constants: the branch
/// becomes a jump to the side the condition picks.
#[test]
fn branch_on_a_known_condition_becomes_a_jump() {
    for (x, want) in [(5u64, 0x100u64), (1, 0x200)] {
        let mut b = Builder::new(0);
        b.begin_insn(0, 0x71000442);
        let k = b.konst(x);
        let one = b.konst(1);
        let f = b.push(Op::SubFlags { w: Width::W32, a: k, b: one });
        b.push(Op::SetNzcv { v: f });
        b.begin_insn(4, 0x54000001);
        let nzcv = b.push(Op::GetNzcv {});
        let c = b.push(Op::CondHolds { cond: Cond(1), nzcv });
        let block = b.finish(Terminator::Branch { cond: c, taken: 0x100, not_taken: 0x200 }, 8);
        let mut opt = block.clone();
        optimize(&mut opt, true).unwrap();
        assert_eq!(opt.term, Terminator::Jump { target: want }, "{}", print::print_block(&opt));
        assert_eq!(run(&block, 3), run(&opt, 3));
    }
}

#[test]
fn printer_output_is_stable() {
    let mut b = Builder::new(0x400000);
    b.begin_insn(0x400000, 0xd2800540);
    let c = b.konst(42);
    b.set_gpr(0, c);
    b.begin_insn(0x400004, 0x8b010000);
    let x0 = b.get_gpr(0);
    let x1 = b.get_gpr(1);
    let s = b.add(Width::W64, x0, x1);
    b.set_gpr(0, s);
    let block = b.finish(Terminator::Jump { target: 0x400008 }, 0x400008);
    assert_eq!(
        print::print_block(&block),
        "block 0x400000..0x400008 (2 insns)
  ; 0x400000 d2800540
  v1 = Const value=42
  SetGpr r=0 v1
  ; 0x400004 8b010000
  v4 = GetGpr r=0
  v5 = GetGpr r=1
  v6 = Add w=W64 v4, v5
  SetGpr r=0 v6
  jump 0x400008
"
    );
}

#[test]
fn verifier_rejects_bad_blocks() {
    // Use before definition.
    let mut b = Builder::new(0);
    b.begin_insn(0, 0);
    b.push(Op::SetGpr { r: 0, v: Value(5) });
    assert!(verify(&b.finish(Terminator::Jump { target: 4 }, 4)).is_err());
    // Type mismatch: a vector where a scalar is wanted.
    let mut b = Builder::new(0);
    b.begin_insn(0, 0);
    let v = b.push(Op::GetVec { r: 0 });
    b.set_gpr(0, v);
    assert!(verify(&b.finish(Terminator::Jump { target: 4 }, 4)).is_err());
    // Using an op that defines nothing.
    let mut b = Builder::new(0);
    b.begin_insn(0, 0);
    let c = b.konst(1);
    b.set_gpr(1, c);
    let nothing = Value(2);
    b.push(Op::SetGpr { r: 2, v: nothing });
    assert!(verify(&b.finish(Terminator::Jump { target: 4 }, 4)).is_err());
}

/// `MOV Wd, Wn` and friends (32-bit x|0, 0+x, x^0, x-0) and zero-extensions
/// from 32 bits or more: folded to a zero-extension, or to nothing when the
/// operand has no high bits. Each on producers with and without high bits,
/// against the unoptimised block; the fold must also happen.
#[test]
fn thirty_two_bit_moves_fold() {
    use zarm_ir::Width::{W32, W64};
    let (x, y) = (Value(0), Value(1));
    let producers = [
        Op::Add { w: W32, a: x, b: y },
        Op::Add { w: W64, a: x, b: y },
        Op::Mul { w: W32, a: x, b: y },
        Op::Ashr { w: W32, a: x, b: y },
        Op::Ror { w: W32, a: x, b: y },
        Op::Not { w: W32, a: x },
        Op::Not { w: W64, a: x },
        Op::Zext { from: 32, a: x },
        Op::Zext { from: 33, a: x },
        Op::Zext { from: 40, a: x },
        Op::Sext { from: 8, a: x },
        Op::Sext { from: 32, a: x },
        Op::Icmp { cc: IntCC::Ult, w: W64, a: x, b: y },
        Op::Load { size: MemSize::B4, ord: Ordering::Relaxed, addr: x },
        Op::Load { size: MemSize::B8, ord: Ordering::Relaxed, addr: x },
    ];
    for p in &producers {
        for mov in 0..7 {
            let mut b = Builder::new(0);
            b.begin_insn(0, 0);
            let r0 = b.get_gpr(0);
            let r1 = b.get_gpr(1);
            let base = b.konst(MEM_BASE);
            let mask = b.konst(0xf8);
            let off = b.push(Op::And { w: W64, a: r0, b: mask });
            let addr = b.add(W64, base, off);
            let mut op = p.clone();
            let first = if matches!(op, Op::Load { .. }) { addr } else { r0 };
            for a in op.args_mut() {
                *a = if *a == x { first } else { r1 };
            }
            let v = b.push(op);
            let zero = b.konst(0);
            let m = match mov {
                0 => b.push(Op::Or { w: W32, a: zero, b: v }),
                1 => b.push(Op::Or { w: W32, a: v, b: zero }),
                2 => b.push(Op::Add { w: W32, a: zero, b: v }),
                3 => b.push(Op::Xor { w: W32, a: v, b: zero }),
                4 => b.push(Op::Sub { w: W32, a: v, b: zero }),
                5 => b.push(Op::Zext { from: 32, a: v }),
                _ => b.push(Op::Zext { from: 48, a: v }),
            };
            b.set_gpr(2, m);
            let block = b.finish(Terminator::Jump { target: 4 }, 4);
            let mut opt = block.clone();
            optimize(&mut opt, true).unwrap();
            for seed in 1..40 {
                assert_eq!(run(&block, seed), run(&opt, seed), "{}--- optimised\n{}", print::print_block(&block), print::print_block(&opt));
            }
            // The move itself is gone: no 32-bit Or/Add/Xor/Sub with 0 left.
            let text = print::print_block(&opt);
            assert!(!text.contains("Or w=W32") && !text.contains("Xor w=W32") && !text.contains("Sub w=W32"), "not folded:\n{text}");
        }
    }
}

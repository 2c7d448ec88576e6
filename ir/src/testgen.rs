//! Random IR blocks for differential tests (passes against the unoptimised
//! block, the JIT against the interpreter). Deterministic from a seed; no
//! dependencies, so every crate's tests can use it.

use crate::block::{Block, Builder, Terminator};
use crate::op::Op;
use crate::types::*;

/// xorshift64*: small, deterministic, good enough for test inputs.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// Values biased towards the corners integer code gets wrong.
    pub fn interesting(&mut self) -> u64 {
        match self.below(8) {
            0 => self.below(300),
            1 => u64::MAX - self.below(4),
            2 => 0x8000_0000_0000_0000 + self.below(4),
            3 => 0x7fff_ffff_ffff_ffff - self.below(4),
            4 => 0x8000_0000 + self.below(4),
            5 => 0xffff_ffff - self.below(4),
            6 => 0x7fff_ffff - self.below(4),
            _ => self.next(),
        }
    }
}

/// Where random loads and stores go: `[mem_base, mem_base + 0x200)`, plus
/// now and then a wild address that must fault.
pub struct GenConfig {
    pub mem_base: u64,
    pub max_insns: u64,
    /// Include operations that have no native JIT lowering yet (they go
    /// through the helper).
    pub helper_ops: bool,
    /// Include AdvSIMD operations on V0–V7 (lane moves, integer and
    /// bitwise lane operations, now and then one the JIT sends to the helper).
    pub vector_ops: bool,
}

/// A random integer block: register reads and writes, ALU ops of both
/// widths, flags, conditions, loads, stores, and now and then a faulting
/// access, ending in a jump or a conditional branch.
pub fn random_block(rng: &mut Rng, cfg: &GenConfig) -> Block {
    let mut b = Builder::new(0x4000);
    let mut vals: Vec<Value> = Vec::new();
    let mut vvals: Vec<Value> = Vec::new();
    let insns = 1 + rng.below(cfg.max_insns);
    for k in 0..insns {
        b.begin_insn(0x4000 + 4 * k, 0);
        for _ in 0..1 + rng.below(4) {
            let w = if rng.below(2) == 0 { Width::W32 } else { Width::W64 };
            if vals.len() < 2 {
                let v = b.get_gpr(rng.below(8) as u8);
                vals.push(v);
                continue;
            }
            let pick = |rng: &mut Rng| vals[rng.below(vals.len() as u64) as usize];
            let (x, y, z) = (pick(rng), pick(rng), pick(rng));
            if cfg.vector_ops && rng.below(3) == 0 {
                if rng.below(2) == 0 {
                    let v = random_fp_op(&mut b, rng, x, y, z);
                    vals.push(v);
                    if rng.below(3) == 0 {
                        b.set_gpr(rng.below(8) as u8, v);
                    }
                } else if rng.below(8) == 0 && !vvals.is_empty() {
                    // 16-byte vector loads and stores (Q registers).
                    let addr = mem_addr(&mut b, rng, cfg, x);
                    if rng.below(2) == 0 {
                        let v = b.push(Op::Load128 { addr });
                        vvals.push(v);
                        b.push(Op::SetVec { r: rng.below(8) as u8, v });
                    } else {
                        let v = vvals[rng.below(vvals.len() as u64) as usize];
                        b.push(Op::Store128 { addr, v });
                    }
                } else if let Some(v) = random_vector_op(&mut b, rng, &mut vvals, x, y) {
                    vals.push(v);
                }
                continue;
            }
            let v = match rng.below(40) {
                0 => {
                    let value = rng.interesting();
                    b.konst(value)
                }
                1 | 2 => b.get_gpr(rng.below(8) as u8),
                3 => b.push(Op::GetNzcv {}),
                4 => b.add(w, x, y),
                5 => b.sub(w, x, y),
                6 => b.push(Op::And { w, a: x, b: y }),
                7 => b.push(Op::Or { w, a: x, b: y }),
                8 => b.push(Op::Xor { w, a: x, b: y }),
                9 => b.push(Op::AndNot { w, a: x, b: y }),
                10 => b.push(Op::OrNot { w, a: x, b: y }),
                11 => b.push(Op::XorNot { w, a: x, b: y }),
                12 => b.push(Op::Shl { w, a: x, b: y }),
                13 => b.push(Op::Lshr { w, a: x, b: y }),
                14 => b.push(Op::Ashr { w, a: x, b: y }),
                15 => b.push(Op::Ror { w, a: x, b: y }),
                16 => b.push(Op::Mul { w, a: x, b: y }),
                17 => b.push(Op::UMulH { a: x, b: y }),
                18 => b.push(Op::SMulH { a: x, b: y }),
                19 => b.push(Op::UDiv { w, a: x, b: y }),
                20 => b.push(Op::SDiv { w, a: x, b: y }),
                21 => b.push(Op::Neg { w, a: x }),
                22 => b.push(Op::Not { w, a: x }),
                23 if rng.below(4) == 0 => b.push(Op::Popcnt { a: x }),
                23 => b.push(Op::Clz { w, a: x }),
                24 => b.push(Op::Rev { w, a: x }),
                25 => b.push(Op::Rev32 { a: x }),
                26 => b.push(Op::Sext { from: [8, 16, 32, 1 + rng.below(63) as u8][rng.below(4) as usize], a: x }),
                27 => b.push(Op::Zext { from: [8, 16, 32, 1 + rng.below(63) as u8][rng.below(4) as usize], a: x }),
                28 => {
                    b.push(Op::Icmp { cc: random_cc(rng), w, a: x, b: y })
                }
                29 => b.push(Op::Select { c: x, a: y, b: z }),
                30 => b.push(Op::AddFlags { w, a: x, b: y }),
                31 => b.push(Op::SubFlags { w, a: x, b: y }),
                32 => b.push(Op::LogicFlags { w, r: x }),
                33 if rng.below(2) == 0 => b.push(Op::CondHolds { cond: Cond(rng.below(16) as u8), nzcv: x }),
                33 => {
                    // As the lifter writes CMP/ADDS/TST followed by CSEL or
                    // CSET: the flags stored to NZCV (mostly) and tested.
                    let f = match rng.below(3) {
                        0 => b.push(Op::AddFlags { w, a: x, b: y }),
                        1 => b.push(Op::SubFlags { w, a: x, b: y }),
                        _ => b.push(Op::LogicFlags { w, r: x }),
                    };
                    if rng.below(4) != 0 {
                        b.push(Op::SetNzcv { v: f });
                    }
                    let c = b.push(Op::CondHolds { cond: Cond(rng.below(16) as u8), nzcv: f });
                    if rng.below(2) == 0 { b.push(Op::Select { c, a: y, b: z }) } else { c }
                }
                34 => b.push(Op::AddCarry { w, a: x, b: y, c: z }),
                35 => b.push(Op::SubCarry { w, a: x, b: y, c: z }),
                36 | 37 => {
                    let size = MemSize::from_log2(rng.below(4) as u32);
                    let addr = mem_addr(&mut b, rng, cfg, x);
                    if rng.below(2) == 0 {
                        b.push(Op::Load { size, ord: Ordering::Relaxed, addr })
                    } else {
                        b.push(Op::Store { size, ord: Ordering::Relaxed, addr, v: y });
                        continue;
                    }
                }
                38 if cfg.helper_ops => match rng.below(7) {
                    6 => {
                        // MRS/MSR of FPCR and FPSR (only the writable bits
                        // stick).
                        let reg = if rng.below(2) == 0 { crate::types::SysReg::Fpcr } else { crate::types::SysReg::Fpsr };
                        if rng.below(2) == 0 {
                            b.push(Op::SetSys { reg, v: x });
                            continue;
                        }
                        b.push(Op::GetSys { reg })
                    }
                    0 => b.push(Op::Cls { w, a: x }),
                    1 => b.push(Op::Rbit { w, a: x }),
                    2 => b.push(Op::Rev16 { w, a: x }),
                    3 => b.push(Op::AdcFlags { w, a: x, b: y, c: z }),
                    4 => b.push(Op::SbcFlags { w, a: x, b: y, c: z }),
                    _ => {
                        // Both polynomials, every size.
                        let poly = if rng.below(2) == 0 { CrcPoly::Crc32 } else { CrcPoly::Crc32c };
                        let size = MemSize::from_log2(rng.below(4) as u32);
                        b.push(Op::Crc32 { poly, size, acc: x, v: y })
                    }
                },
                39 if cfg.helper_ops => {
                    let addr = mem_addr(&mut b, rng, cfg, x);
                    let seven = b.konst(7);
                    let aligned = b.push(Op::AndNot { w: Width::W64, a: addr, b: seven });
                    let size = MemSize::from_log2(rng.below(4) as u32);
                    // Mostly aligned; now and then misaligned, which must fault.
                    let misaligned = rng.below(8) == 0;
                    let ord = Ordering::AcqRel;
                    match rng.below(6) {
                        5 => {
                            // A load-exclusive, now and then a store or
                            // CLREX in between, and a store-exclusive of the
                            // same (or another) size and address.
                            // A quarter of each are pairs of doublewords
                            // (LDXP/STXP of X, 16-byte aligned).
                            let fifteen = b.konst(15);
                            let aligned16 = b.push(Op::AndNot { w: Width::W64, a: addr, b: fifteen });
                            let load_pair = rng.below(4) == 0;
                            let addr = match (misaligned, load_pair) {
                                (true, _) => addr,
                                (false, true) => aligned16,
                                (false, false) => aligned,
                            };
                            let old = if load_pair {
                                let v = b.push(Op::LoadExclusive128 { ord: Ordering::Acquire, addr });
                                b.push(Op::VExtractLane { esize: 8, idx: rng.below(2) as u8, v })
                            } else {
                                b.push(Op::LoadExclusive { size, ord: Ordering::Acquire, addr })
                            };
                            match rng.below(4) {
                                0 => {
                                    b.push(Op::Store { size: MemSize::B1, ord: Ordering::Relaxed, addr: aligned, v: z });
                                }
                                1 => {
                                    b.push(Op::ClearExclusive {});
                                }
                                _ => {}
                            }
                            let size2 = if rng.below(4) == 0 { MemSize::from_log2(rng.below(4) as u32) } else { size };
                            let addr2 = if rng.below(4) == 0 { mem_addr(&mut b, rng, cfg, z) } else { addr };
                            let st = if load_pair != (rng.below(4) == 0) {
                                let v = b.push(Op::VFromHalves { lo: y, hi: z });
                                b.push(Op::StoreExclusive128 { ord: Ordering::Release, addr: addr2, v })
                            } else {
                                b.push(Op::StoreExclusive { size: size2, ord: Ordering::Release, addr: addr2, v: y })
                            };
                            b.add(Width::W64, old, st)
                        }
                        4 => {
                            // DC ZVA of the 64-byte block around the address.
                            let mask = b.konst(!63);
                            let block = b.push(Op::And { w: Width::W64, a: addr, b: mask });
                            b.push(Op::ZeroBlock { bytes: 64, addr: block });
                            b.push(Op::Load { size, ord: Ordering::Relaxed, addr })
                        }
                        0 => {
                            // CAS: half the time expecting what is there, so
                            // both outcomes of the comparison are tested.
                            let addr = if misaligned { addr } else { aligned };
                            let expected =
                                if rng.below(2) == 0 { b.push(Op::Load { size, ord: Ordering::Relaxed, addr }) } else { y };
                            b.push(Op::Cas { size, ord, addr, expected, new: z })
                        }
                        1 => {
                            // CASP of doublewords (16-byte aligned).
                            let fifteen = b.konst(15);
                            let aligned16 = b.push(Op::AndNot { w: Width::W64, a: addr, b: fifteen });
                            let addr = if misaligned { addr } else { aligned16 };
                            let eight = b.konst(8);
                            let hi_addr = b.add(Width::W64, addr, eight);
                            let expected = if rng.below(2) == 0 {
                                let lo = b.push(Op::Load { size: MemSize::B8, ord: Ordering::Relaxed, addr });
                                let hi = b.push(Op::Load { size: MemSize::B8, ord: Ordering::Relaxed, addr: hi_addr });
                                b.push(Op::VFromHalves { lo, hi })
                            } else {
                                b.push(Op::VFromHalves { lo: x, hi: y })
                            };
                            let new = b.push(Op::VFromHalves { lo: z, hi: x });
                            let old = b.push(Op::Cas128 { ord, addr, expected, new });
                            let idx = rng.below(2) as u8;
                            b.push(Op::VExtractLane { esize: 8, idx, v: old })
                        }
                        _ => {
                            let op = [
                                RmwOp::Add,
                                RmwOp::Clr,
                                RmwOp::Eor,
                                RmwOp::Set,
                                RmwOp::Smax,
                                RmwOp::Smin,
                                RmwOp::Umax,
                                RmwOp::Umin,
                                RmwOp::Swp,
                            ][rng.below(9) as usize];
                            let addr = if misaligned { addr } else { aligned };
                            b.push(Op::AtomicRmw { op, size, ord, addr, v: y })
                        }
                    }
                }
                _ => b.push(Op::Xor { w, a: x, b: y }),
            };
            vals.push(v);
            match rng.below(4) {
                0 => b.set_gpr(rng.below(8) as u8, v),
                1 => {
                    // Keep NZCV words architectural: only bits 31..28.
                    let mask = b.konst(0xf000_0000);
                    let f = b.push(Op::And { w: Width::W64, a: v, b: mask });
                    b.push(Op::SetNzcv { v: f });
                }
                _ => {}
            }
        }
    }
    let end = 0x4000 + 4 * insns;
    let pick = |rng: &mut Rng| vals[rng.below(vals.len() as u64) as usize];
    let term = match rng.below(6) {
        0 | 1 => Terminator::Branch { cond: pick(rng), taken: 0x8000, not_taken: end },
        2 | 3 => {
            // A comparison used only by the branch, as CMP/SUBS/TST +
            // B.cond or CBZ-like code makes it (the backends fuse these),
            // half the time against a constant.
            let w = if rng.below(2) == 0 { Width::W32 } else { Width::W64 };
            let x = pick(rng);
            let y = if rng.below(2) == 0 { b.konst(rng.interesting()) } else { pick(rng) };
            let cond = match rng.below(3) {
                0 => {
                    b.push(Op::Icmp { cc: random_cc(rng), w, a: x, b: y })
                }
                k => {
                    let f = if k == 1 { b.push(Op::SubFlags { w, a: x, b: y }) } else { b.push(Op::LogicFlags { w, r: x }) };
                    if rng.below(2) == 0 {
                        b.push(Op::SetNzcv { v: f });
                    }
                    b.push(Op::CondHolds { cond: Cond(rng.below(16) as u8), nzcv: f })
                }
            };
            Terminator::Branch { cond, taken: 0x8000, not_taken: end }
        }
        _ => Terminator::Jump { target: end },
    };
    b.finish(term, end)
}

fn random_cc(rng: &mut Rng) -> IntCC {
    [IntCC::Eq, IntCC::Ne, IntCC::Ult, IntCC::Ule, IntCC::Ugt, IntCC::Uge, IntCC::Slt, IntCC::Sle, IntCC::Sgt, IntCC::Sge][rng.below(10) as usize]
}

/// FP bit patterns biased towards the corners: zeros, infinities, quiet
/// and signalling NaNs, subnormals, the smallest normal and its
/// neighbours, the largest finite value, small integers.
pub fn interesting_fp(rng: &mut Rng, double: bool) -> u64 {
    let (sign, emask, qbit, min_normal, max) = if double {
        (1u64 << 63, 0x7ff0_0000_0000_0000u64, 1u64 << 51, 1u64 << 52, 0x7fef_ffff_ffff_ffffu64)
    } else {
        (1u64 << 31, 0x7f80_0000, 1 << 22, 1 << 23, 0x7f7f_ffff)
    };
    let s = if rng.below(2) == 0 { sign } else { 0 };
    let v = match rng.below(12) {
        0 => 0,
        1 => emask,
        2 => emask | qbit | rng.below(1000),
        3 => emask | (1 + rng.below(qbit - 1)),
        4 => 1 + rng.below(min_normal - 1),
        5 => min_normal - 2 + rng.below(4),
        6 => max - rng.below(2),
        7 => {
            let one = if double { 0x3ff0_0000_0000_0000 } else { 0x3f80_0000 };
            one + (rng.below(64) << if double { 52 } else { 23 })
        }
        _ => rng.next() & (emask | (min_normal - 1)),
    };
    s | v
}

/// One random scalar FP operation on single or double values (constants
/// from `interesting_fp`, or registers).
fn random_fp_op(b: &mut Builder, rng: &mut Rng, x: Value, y: Value, z: Value) -> Value {
    use crate::fp::{FpBinOp as F, FpRounding as R, FpSize, FpUnOp};
    let double = rng.below(2) == 0;
    let size = if double { FpSize::D } else { FpSize::S };
    let operand = |b: &mut Builder, rng: &mut Rng, v: Value| if rng.below(3) == 0 { v } else { b.konst(interesting_fp(rng, double)) };
    let (a, bb, c) = (operand(b, rng, x), operand(b, rng, y), operand(b, rng, z));
    let w = if rng.below(2) == 0 { Width::W32 } else { Width::W64 };
    match rng.below(9) {
        0 | 1 => {
            let ops = [F::Add, F::Sub, F::Mul, F::Div, F::NMul, F::Abd, F::Max, F::Min, F::MaxNum, F::MinNum];
            b.push(Op::FpBin { op: ops[rng.below(ops.len() as u64) as usize], size, a, b: bb })
        }
        2 => {
            let mode = [R::TieEven, R::TieAway, R::PosInf, R::NegInf, R::Zero, R::Current][rng.below(6) as usize];
            let op = [FpUnOp::Sqrt, FpUnOp::Abs, FpUnOp::Neg, FpUnOp::Round { mode, exact: rng.below(2) == 0 }][rng.below(4) as usize];
            b.push(Op::FpUn { op, size, a })
        }
        3 => b.push(Op::FpMulAdd { size, neg_product: rng.below(2) == 0, neg_addend: rng.below(2) == 0, addend: a, a: bb, b: c }),
        4 => b.push(Op::FpCmp { size, signaling: rng.below(2) == 0, a, b: bb }),
        5 => b.push(Op::FpConvert { from: size, to: if double { FpSize::S } else { FpSize::D }, a }),
        6 => {
            let mode = [R::TieEven, R::TieAway, R::PosInf, R::NegInf, R::Zero, R::Current][rng.below(6) as usize];
            b.push(Op::FpToInt { from: size, w, signed: rng.below(2) == 0, mode, fbits: 0, a })
        }
        7 => b.push(Op::IntToFp { to: size, w, signed: rng.below(2) == 0, fbits: 0, a: x }),
        _ => b.push(Op::FpUn { op: FpUnOp::Neg, size: FpSize::H, a }),
    }
}

/// One random vector operation; returns an I64 result (lane extraction),
/// if it made one. V128 values go to `vvals`.
fn random_vector_op(b: &mut Builder, rng: &mut Rng, vvals: &mut Vec<Value>, x: Value, y: Value) -> Option<Value> {
    use crate::vector::{NarrowOp, VecBinOp as B, VecShiftOp as S, VecTernOp as T, VecUnOp as U};
    if vvals.len() < 2 || rng.below(8) == 0 {
        let v = b.push(Op::GetVec { r: rng.below(8) as u8 });
        vvals.push(v);
        return None;
    }
    let pickv = |rng: &mut Rng| vvals[rng.below(vvals.len() as u64) as usize];
    let (va, vb, vc) = (pickv(rng), pickv(rng), pickv(rng));
    let esize = 1u8 << rng.below(4);
    // 64-bit lanes only come in 128-bit arrangements (1D is reserved).
    let q = esize == 8 || rng.below(3) != 0;
    let v = match rng.below(15) {
        0 | 1 => {
            let ops = [
                B::Add, B::Sub, B::Mul, B::And, B::Orr, B::Eor, B::Bic, B::Orn, B::CmEq, B::CmHi, B::CmHs, B::CmGt, B::CmGe,
                B::CmTst, B::Umax, B::Umin, B::Smax, B::Smin, B::Addp, B::Uqadd, B::Umaxp, B::Uminp, B::Smaxp,
                B::Sminp, B::Zip1, B::Zip2, B::Uzp1, B::Uzp2, B::Trn1, B::Trn2,
            ];
            b.push(Op::VBin { op: ops[rng.below(ops.len() as u64) as usize], esize, q, a: va, b: vb })
        }
        2 if rng.below(3) == 0 => {
            // Reductions across lanes: bytes and halfwords in either
            // arrangement, words in 128-bit ones only.
            let ops = [U::Addv, U::Uaddlv, U::Saddlv, U::Umaxv, U::Uminv, U::Smaxv, U::Sminv];
            let op = ops[rng.below(ops.len() as u64) as usize];
            let esize = 1 << rng.below(3);
            if rng.below(4) == 0 {
                // The popcount idiom (FMOV Dn, Xm; CNT Vn.8B; ADDV Bn,
                // Vn.8B), now and then with the high half not zero.
                let zero = b.konst(0);
                let v = b.push(Op::VFromHalves { lo: x, hi: if rng.below(4) == 0 { y } else { zero } });
                let c = b.push(Op::VUn { op: U::Cnt, esize: 1, q: rng.below(4) == 0, a: v });
                let s = b.push(Op::VUn { op: U::Addv, esize: 1, q: false, a: c });
                if rng.below(4) == 0 {
                    // Used elsewhere too (CNT's register written): the CNT
                    // must stay.
                    b.push(Op::SetVec { r: rng.below(8) as u8, v: c });
                }
                vvals.push(s);
                let (esize, idx) = [(1, 0), (4, 0), (8, 0), (8, 1)][rng.below(4) as usize];
                return Some(b.push(Op::VExtractLane { esize, idx, v: s }));
            }
            b.push(Op::VUn { op, esize, q: q || esize == 4, a: va })
        }
        2 => {
            let ops = [U::Not, U::Neg, U::Abs, U::Clz, U::Cnt, U::CmEq0, U::CmGt0, U::CmGe0, U::CmLe0, U::CmLt0, U::Cls, U::Fneg, U::Fabs, U::Urecpe, U::Ursqrte];
            let op = ops[rng.below(ops.len() as u64) as usize];
            let esize = match op {
                U::Cnt => 1,
                U::Urecpe | U::Ursqrte => 4,
                // FP lanes: half, single, double.
                U::Fneg | U::Fabs => 2 << rng.below(3),
                _ => esize,
            };
            b.push(Op::VUn { op, esize, q, a: va })
        }
        3 => {
            let ops = [S::Shl, S::Ushr, S::Sshr, S::Usra, S::Ssra, S::Sri, S::Sli, S::Rol];
            let op = ops[rng.below(ops.len() as u64) as usize];
            let bits = esize as u64 * 8;
            let amount = match op {
                S::Shl | S::Sli => rng.below(bits),
                S::Rol => 1 + rng.below(bits - 1),
                _ => 1 + rng.below(bits),
            } as u8;
            b.push(Op::VShift { op, esize, q, amount, acc: vb, a: va })
        }
        4 => {
            let ops = [T::Bsl, T::Bit, T::Bif, T::Mla, T::Mls];
            let op = ops[rng.below(ops.len() as u64) as usize];
            let esize = if matches!(op, T::Mla | T::Mls) { 1 << rng.below(3) } else { esize };
            b.push(Op::VTern { op, esize, q, d: va, n: vb, m: vc })
        }
        5 => b.push(Op::VExtend { signed: rng.below(2) == 0, esize: 1 << rng.below(3), upper: rng.below(2) == 0, a: va }),
        6 => b.push(Op::VNarrow { op: NarrowOp::Trunc, esize: 1 << rng.below(3), upper: rng.below(2) == 0, d: va, a: vb }),
        7 => {
            let idx = rng.below(16 / esize as u64) as u8;
            return Some(b.push(Op::VExtractLane { esize, idx, v: va }));
        }
        8 => {
            let idx = rng.below(16 / esize as u64) as u8;
            b.push(Op::VInsertLane { esize, idx, v: va, x })
        }
        9 => {
            if rng.below(2) == 0 {
                b.push(Op::VDup { esize, q, x })
            } else {
                b.push(Op::VDupLane { esize, q, idx: rng.below(16 / esize as u64) as u8, v: va })
            }
        }
        10 => {
            let v = b.push(Op::VFromHalves { lo: x, hi: y });
            if rng.below(2) == 0 {
                // Read back a half, as scalar FP code does with the
                // register it just wrote.
                vvals.push(v);
                return Some(b.push(Op::VExtractLane { esize: 8, idx: rng.below(2) as u8, v }));
            }
            v
        }
        12 => {
            // AdvSIMD FP on full vectors of corner-case lanes (NaNs,
            // subnormals, 2^Emin's neighbours, infinities, zeros).
            let double = rng.below(2) == 0;
            let vec = |b: &mut Builder, rng: &mut Rng| {
                let mut half = || if double { interesting_fp(rng, true) } else { interesting_fp(rng, false) | interesting_fp(rng, false) << 32 };
                let (lo, hi) = (half(), half());
                let (lo, hi) = (b.konst(lo), b.konst(hi));
                b.push(Op::VFromHalves { lo, hi })
            };
            let (p, q2, r) = (vec(b, rng), vec(b, rng), vec(b, rng));
            let esize = if double { 8 } else { 4 };
            // Lanes of small multiples of 1/8 (ties, halves, negatives, ±0)
            // for the roundings and conversions.
            let small = |b: &mut Builder, rng: &mut Rng| {
                let mut lane = || {
                    let x = (rng.below(161) as f64 - 80.0) / 8.0;
                    if double { x.to_bits() } else { (x as f32).to_bits() as u64 }
                };
                let (lo, hi) = if double { (lane(), lane()) } else { (lane() | lane() << 32, lane() | lane() << 32) };
                let (lo, hi) = (b.konst(lo), b.konst(hi));
                b.push(Op::VFromHalves { lo, hi })
            };
            use crate::fp::FpRounding as Rm;
            let modes = [Rm::TieEven, Rm::PosInf, Rm::NegInf, Rm::Zero, Rm::TieAway, Rm::Current];
            match rng.below(12) {
                9 => {
                    let a = if rng.below(2) == 0 { p } else { small(b, rng) };
                    let v = b.push(Op::VUn { op: U::Fsqrt, esize, q: true, a });
                    b.push(Op::SetVec { r: rng.below(8) as u8, v });
                    v
                }
                10 => {
                    let a = if rng.below(3) == 0 { p } else { small(b, rng) };
                    let op = U::Frint { mode: modes[rng.below(6) as usize], exact: rng.below(2) == 0 };
                    let v = b.push(Op::VUn { op, esize, q: true, a });
                    b.push(Op::SetVec { r: rng.below(8) as u8, v });
                    v
                }
                11 => {
                    // Corner cases saturate (the helper); small values and
                    // random integers' bits mostly convert.
                    let a = match rng.below(3) {
                        0 => p,
                        1 => small(b, rng),
                        _ => va,
                    };
                    let op = U::FcvtToInt { signed: rng.below(2) == 0, mode: modes[rng.below(5) as usize], fbits: 0 };
                    let v = b.push(Op::VUn { op, esize, q: true, a });
                    // Stored: a result of constant lanes otherwise often
                    // goes unused, and its lowering unchecked.
                    b.push(Op::SetVec { r: rng.below(8) as u8, v });
                    v
                }
                // Compares: a NaN lane or a non-default FPCR sends the
                // whole operation to the helper, so half the time lanes
                // from random integers (rarely NaN, any sign and
                // magnitude) after MSR FPCR, XZR.
                7 => {
                    let ops = [
                        B::Fcmeq, B::Fcmge, B::Fcmgt, B::Facge, B::Facgt, B::Fmax, B::Fmin, B::Fmaxnm, B::Fminnm, B::Fabd, B::Faddp, B::Fmaxp,
                        B::Fminp, B::Fmaxnmp, B::Fminnmp,
                    ];
                    let op = ops[rng.below(ops.len() as u64) as usize];
                    let (a, c) = if rng.below(2) == 0 {
                        (p, q2)
                    } else {
                        let zero = b.konst(0);
                        b.push(Op::SetSys { reg: crate::types::SysReg::Fpcr, v: zero });
                        (b.push(Op::VFromHalves { lo: x, hi: y }), b.push(Op::VFromHalves { lo: y, hi: x }))
                    };
                    b.push(Op::VBin { op, esize, q: true, a, b: if rng.below(4) == 0 { a } else { c } })
                }
                8 => {
                    let op = [U::Fcmeq0, U::Fcmgt0, U::Fcmge0, U::Fcmle0, U::Fcmlt0][rng.below(5) as usize];
                    let a = if rng.below(2) == 0 {
                        p
                    } else {
                        let zero = b.konst(0);
                        b.push(Op::SetSys { reg: crate::types::SysReg::Fpcr, v: zero });
                        b.push(Op::VFromHalves { lo: x, hi: y })
                    };
                    b.push(Op::VUn { op, esize, q: true, a })
                }
                6 => {
                    // SCVTF/UCVTF of doublewords: the corner-case bit
                    // patterns, or random ones, as integers.
                    let src = if rng.below(2) == 0 { p } else { va };
                    b.push(Op::VUn { op: U::IntToFcvt { signed: rng.below(2) == 0, fbits: 0 }, esize, q: true, a: src })
                }
                0 => b.push(Op::VBin { op: B::Fadd, esize, q: true, a: p, b: q2 }),
                1 => b.push(Op::VBin { op: B::Fsub, esize, q: true, a: p, b: q2 }),
                2 => b.push(Op::VBin { op: B::Fmul, esize, q: true, a: p, b: q2 }),
                3 => b.push(Op::VBin { op: B::Fdiv, esize, q: true, a: p, b: q2 }),
                4 => b.push(Op::VTern { op: T::Fmla, esize, q: true, d: r, n: p, m: q2 }),
                _ => b.push(Op::VTern { op: T::Fmls, esize, q: true, d: r, n: p, m: q2 }),
            }
        }
        11 => b.push(Op::VPmull { esize: if rng.below(2) == 0 { 1 } else { 8 }, upper: rng.below(2) == 0, a: va, b: vb }),
        14 if rng.below(2) == 0 => {
            use crate::vector::ShaOp::*;
            let ops = [Sha1C, Sha1P, Sha1M, Sha1Su0, Sha1Su1, Sha1H, Sha256H, Sha256H2, Sha256Su0, Sha256Su1, Sha512H, Sha512H2, Sha512Su0, Sha512Su1];
            let op = ops[rng.below(ops.len() as u64) as usize];
            b.push(Op::VSha { op, d: va, n: vb, m: vc })
        }
        14 => {
            use crate::vector::AesOp;
            let op = [AesOp::Encrypt, AesOp::Decrypt, AesOp::MixColumns, AesOp::InvMixColumns][rng.below(4) as usize];
            b.push(Op::VAes { op, d: va, n: vb })
        }
        _ => {
            b.push(Op::SetVec { r: rng.below(8) as u8, v: va });
            return None;
        }
    };
    vvals.push(v);
    if rng.below(3) == 0 {
        b.push(Op::SetVec { r: rng.below(8) as u8, v });
    }
    None
}

fn mem_addr(b: &mut Builder, rng: &mut Rng, cfg: &GenConfig, x: Value) -> Value {
    if rng.below(16) == 0 {
        // A wild pointer: must fault identically everywhere.
        return x;
    }
    let off = b.push(Op::Zext { from: 9, a: x });
    let base = b.konst(cfg.mem_base);
    b.add(Width::W64, base, off)
}

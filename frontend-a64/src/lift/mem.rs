//! Loads and stores: every addressing mode of the general-purpose and the
//! SIMD&FP register forms, pairs, literals, exclusives, acquire/release and
//! LSE atomics. Within one instruction all memory accesses come before any
//! register write, so a faulting access leaves the guest state as it was
//! before the instruction.

use super::*;
use zarm_ir::{IntCC, MemSize, Op, Ordering, RmwOp, Width};

/// What an access moves: a general register of `bytes` (sign-extended to
/// 32 or 64 bits, or zero-extended), or a SIMD&FP register of `bytes`.
#[derive(Clone, Copy)]
enum Reg {
    Gpr { bytes: u32, signed_to: Option<u32> },
    Fp { bytes: u32 },
}

fn mem_size(bytes: u32) -> MemSize {
    MemSize::from_log2(bytes.trailing_zeros())
}

/// Decodes size:V:opc of the single-register load/store classes. Returns
/// (is_load, register kind), or None for unallocated encodings and PRFM
/// (signalled as `Some((false, Gpr{bytes: 0}))`).
fn decode_size_opc(w: u32) -> Option<(bool, Reg)> {
    let size = bits(w, 31, 30);
    let v = bit(w, 26);
    let opc = bits(w, 23, 22);
    if v {
        let log = if opc & 2 != 0 {
            if size != 0 {
                return None;
            }
            4
        } else {
            size
        };
        return Some((opc & 1 == 1, Reg::Fp { bytes: 1 << log }));
    }
    let bytes = 1 << size;
    match opc {
        0 => Some((false, Reg::Gpr { bytes, signed_to: None })),
        1 => Some((true, Reg::Gpr { bytes, signed_to: None })),
        2 if size == 3 => Some((false, Reg::Gpr { bytes: 0, signed_to: None })), // PRFM
        2 => Some((true, Reg::Gpr { bytes, signed_to: Some(64) })),
        _ if size >= 2 => None,
        _ => Some((true, Reg::Gpr { bytes, signed_to: Some(32) })),
    }
}

/// Performs the access at `addr`; returns a pending register write so the
/// caller can order writeback after it.
fn access(l: &mut Lifter, addr: Value, is_load: bool, reg: Reg, rt: u8, ord: Ordering) -> Option<(u8, Value, bool)> {
    match reg {
        Reg::Gpr { bytes: 0, .. } => None, // PRFM: no architectural effect
        Reg::Gpr { bytes, signed_to } => {
            let size = mem_size(bytes);
            if is_load {
                let v = l.push(Op::Load { size, ord, addr });
                let v = match signed_to {
                    None => v,
                    Some(to) => {
                        let s = l.push(Op::Sext { from: (bytes * 8) as u8, a: v });
                        if to == 32 {
                            l.push(Op::Zext { from: 32, a: s })
                        } else {
                            s
                        }
                    }
                };
                Some((rt, v, false))
            } else {
                let v = l.x(rt);
                l.push(Op::Store { size, ord, addr, v });
                None
            }
        }
        Reg::Fp { bytes } => {
            if is_load {
                let v = if bytes == 16 {
                    l.push(Op::Load128 { addr })
                } else {
                    let x = l.push(Op::Load { size: mem_size(bytes), ord, addr });
                    let z = l.konst(0);
                    l.push(Op::VFromHalves { lo: x, hi: z })
                };
                Some((rt, v, true))
            } else {
                let v = l.push(Op::GetVec { r: rt });
                if bytes == 16 {
                    l.push(Op::Store128 { addr, v });
                } else {
                    let x = l.push(Op::VExtractLane { esize: bytes as u8, idx: 0, v });
                    l.push(Op::Store { size: mem_size(bytes), ord, addr, v: x });
                }
                None
            }
        }
    }
}

fn write_back(l: &mut Lifter, pending: Option<(u8, Value, bool)>) {
    if let Some((rt, v, is_vec)) = pending {
        if is_vec {
            l.push(Op::SetVec { r: rt, v });
        } else {
            l.set_x(rt, v);
        }
    }
}

fn offset_addr(l: &mut Lifter, base: Value, off: i64) -> Value {
    if off == 0 {
        return base;
    }
    let c = l.konst(off as u64);
    l.b.add(Width::W64, base, c)
}

/// LDR/STR (immediate, unsigned offset), including PRFM.
pub fn ldst_uimm(l: &mut Lifter, w: u32) -> Flow {
    let Some((is_load, reg)) = decode_size_opc(w) else { return Flow::Undefined };
    let scale = match reg {
        Reg::Gpr { bytes: 0, .. } => 8,
        Reg::Gpr { bytes, .. } | Reg::Fp { bytes } => bytes,
    };
    let base = l.xsp(rn(w));
    let addr = offset_addr(l, base, (bits(w, 21, 10) * scale) as i64);
    let p = access(l, addr, is_load, reg, rd(w), Ordering::Relaxed);
    write_back(l, p);
    Flow::Continue
}

/// LDUR/STUR, post-index, pre-index (and LDTR/STTR, which at EL0 are the
/// plain accesses).
pub fn ldst_imm9(l: &mut Lifter, w: u32) -> Flow {
    let Some((is_load, reg)) = decode_size_opc(w) else { return Flow::Undefined };
    let idx = bits(w, 11, 10);
    if idx == 2 && matches!(reg, Reg::Fp { .. }) {
        return Flow::Undefined;
    }
    if idx != 0 && matches!(reg, Reg::Gpr { bytes: 0, .. }) {
        return Flow::Undefined; // PRFUM only exists unscaled
    }
    // Writeback to the transfer register is CONSTRAINED UNPREDICTABLE; zarm
    // does what QEMU does (the load, then the writeback), and GNU objdump
    // decodes it as an ordinary instruction.
    let off = sext(bits(w, 20, 12) as u64, 9);
    let base = l.xsp(rn(w));
    let addr = if idx == 1 { base } else { offset_addr(l, base, off) };
    let p = access(l, addr, is_load, reg, rd(w), Ordering::Relaxed);
    write_back(l, p);
    if idx == 1 || idx == 3 {
        let nb = if idx == 1 { offset_addr(l, base, off) } else { addr };
        l.set_xsp(rn(w), nb);
    }
    Flow::Continue
}

/// LDR/STR (register offset).
pub fn ldst_reg(l: &mut Lifter, w: u32) -> Flow {
    let Some((is_load, reg)) = decode_size_opc(w) else { return Flow::Undefined };
    let option = bits(w, 15, 13);
    if option & 2 == 0 {
        return Flow::Undefined;
    }
    let scale = match reg {
        Reg::Gpr { bytes: 0, .. } => 8u32,
        Reg::Gpr { bytes, .. } | Reg::Fp { bytes } => bytes,
    };
    let shift = if bit(w, 12) { scale.trailing_zeros() } else { 0 };
    let base = l.xsp(rn(w));
    let m = l.x(rm(w));
    let off = l.extended(m, option, shift, Width::W64);
    let addr = l.b.add(Width::W64, base, off);
    let p = access(l, addr, is_load, reg, rd(w), Ordering::Relaxed);
    write_back(l, p);
    Flow::Continue
}

/// LDR (literal), LDRSW (literal), PRFM (literal), SIMD&FP LDR (literal).
pub fn ld_literal(l: &mut Lifter, w: u32) -> Flow {
    let opc = bits(w, 31, 30);
    let v = bit(w, 26);
    let addr_v = l.pc.wrapping_add((sext(bits(w, 23, 5) as u64, 19) << 2) as u64);
    let reg = match (v, opc) {
        (false, 0) => Reg::Gpr { bytes: 4, signed_to: None },
        (false, 1) => Reg::Gpr { bytes: 8, signed_to: None },
        (false, 2) => Reg::Gpr { bytes: 4, signed_to: Some(64) },
        (false, _) => return Flow::Continue, // PRFM
        (true, 3) => return Flow::Undefined,
        (true, o) => Reg::Fp { bytes: 4 << o },
    };
    let addr = l.konst(addr_v);
    let p = access(l, addr, true, reg, rd(w), Ordering::Relaxed);
    write_back(l, p);
    Flow::Continue
}

/// LDP/STP/LDPSW/LDNP/STNP, all index modes, GPR and SIMD&FP.
pub fn ldst_pair(l: &mut Lifter, w: u32) -> Flow {
    let opc = bits(w, 31, 30);
    let v = bit(w, 26);
    let is_load = bit(w, 22);
    let idx = bits(w, 24, 23); // 0 no-allocate, 1 post, 2 offset, 3 pre
    let reg = match (v, opc) {
        (false, 0) => Reg::Gpr { bytes: 4, signed_to: None },
        (false, 1) if is_load && idx != 0 => Reg::Gpr { bytes: 4, signed_to: Some(64) },
        (false, 2) => Reg::Gpr { bytes: 8, signed_to: None },
        (true, 3) | (false, _) => return Flow::Undefined,
        (true, o) => Reg::Fp { bytes: 4 << o },
    };
    let bytes = match reg {
        Reg::Gpr { bytes, .. } | Reg::Fp { bytes } => bytes,
    };
    let off = sext(bits(w, 21, 15) as u64, 7) * bytes as i64;
    let (rt, rt2r) = (rd(w), rt2(w));
    // CONSTRAINED UNPREDICTABLE cases taken as UNDEFINED: a load pair into
    // one register, and writeback to a transfer register.
    let gpr = matches!(reg, Reg::Gpr { .. });
    if is_load && rt == rt2r {
        return Flow::Undefined;
    }
    if gpr && (idx == 1 || idx == 3) && rn(w) != 31 && (rn(w) == rt || rn(w) == rt2r) {
        return Flow::Undefined;
    }
    let base = l.xsp(rn(w));
    // Both addresses as base + constant (not the second from the first),
    // so code generators can fold each constant into the access.
    let first = if idx == 1 { 0 } else { off };
    let addr = offset_addr(l, base, first);
    let addr2 = offset_addr(l, base, first.wrapping_add(bytes as i64));
    let p1 = access(l, addr, is_load, reg, rt, Ordering::Relaxed);
    let p2 = access(l, addr2, is_load, reg, rt2r, Ordering::Relaxed);
    write_back(l, p1);
    write_back(l, p2);
    if idx == 1 || idx == 3 {
        let nb = if idx == 1 { offset_addr(l, base, off) } else { addr };
        l.set_xsp(rn(w), nb);
    }
    Flow::Continue
}

fn ordering(acquire: bool, release: bool) -> Ordering {
    match (acquire, release) {
        (true, true) => Ordering::AcqRel,
        (true, false) => Ordering::Acquire,
        (false, true) => Ordering::Release,
        _ => Ordering::Relaxed,
    }
}

/// LDXR/STXR/LDAXR/STLXR/LDXP/STXP/LDAXP/STLXP, LDAR/STLR (and the
/// LDLAR/STLLR forms, treated as the stronger LDAR/STLR).
pub fn exclusive(l: &mut Lifter, w: u32) -> Flow {
    let size = bits(w, 31, 30);
    let o2 = bit(w, 23);
    let is_load = bit(w, 22);
    let o1 = bit(w, 21);
    let o0 = bit(w, 15);
    let (rs, rt, r2) = (rm(w), rd(w), rt2(w));
    // Fields the instruction does not use are "(1)" in the encoding
    // diagrams; other values are CONSTRAINED UNPREDICTABLE and zarm takes
    // the UNDEFINED choice (compilers never emit them).
    let rs_unused = is_load || o2;
    if (rs_unused && rs != 31) || (!o1 && r2 != 31) {
        return Flow::Undefined;
    }
    if o2 && !o0 {
        // LDLAR/STLLR (FEAT_LOR) are not implemented.
        return Flow::Undefined;
    }
    if is_load && o1 && rt == r2 {
        // LDXP into one register: CONSTRAINED UNPREDICTABLE, taken as UNDEFINED.
        return Flow::Undefined;
    }
    let base = l.xsp(rn(w));
    if o2 {
        // Ordered (non-exclusive) load/store; o1 (pair) is unallocated here.
        if o1 {
            return Flow::Undefined;
        }
        let msize = MemSize::from_log2(size);
        if is_load {
            let v = l.push(Op::Load { size: msize, ord: Ordering::Acquire, addr: base });
            l.set_x(rt, v);
        } else {
            let v = l.x(rt);
            l.push(Op::Store { size: msize, ord: Ordering::Release, addr: base, v });
            if o0 {
                // STLR is a release: later loads must not pass it.
                l.push(Op::Fence { kind: zarm_ir::FenceKind::Full });
            }
        }
        return Flow::Continue;
    }
    let ord = ordering(is_load && o0, !is_load && o0);
    if o1 {
        // Pairs: size 2 = two W registers (8 bytes), 3 = two X (16 bytes).
        if size < 2 {
            return Flow::Undefined;
        }
        if is_load {
            if size == 2 {
                let v = l.push(Op::LoadExclusive { size: MemSize::B8, ord, addr: base });
                let lo = l.to_w(v);
                let c = l.konst(32);
                let hi = l.push(Op::Lshr { w: Width::W64, a: v, b: c });
                l.set_x(rt, lo);
                l.set_x(r2, hi);
            } else {
                let v = l.push(Op::LoadExclusive128 { ord, addr: base });
                let lo = l.push(Op::VExtractLane { esize: 8, idx: 0, v });
                let hi = l.push(Op::VExtractLane { esize: 8, idx: 1, v });
                l.set_x(rt, lo);
                l.set_x(r2, hi);
            }
        } else {
            let a = l.x(rt);
            let b = l.x(r2);
            let status = if size == 2 {
                let a32 = l.to_w(a);
                let c = l.konst(32);
                let hi = l.push(Op::Shl { w: Width::W64, a: b, b: c });
                let v = l.push(Op::Or { w: Width::W64, a: a32, b: hi });
                l.push(Op::StoreExclusive { size: MemSize::B8, ord, addr: base, v })
            } else {
                let v = l.push(Op::VFromHalves { lo: a, hi: b });
                l.push(Op::StoreExclusive128 { ord, addr: base, v })
            };
            l.set_x(rs, status);
        }
        return Flow::Continue;
    }
    let msize = MemSize::from_log2(size);
    if is_load {
        let v = l.push(Op::LoadExclusive { size: msize, ord, addr: base });
        l.set_x(rt, v);
    } else {
        let v = l.x(rt);
        let status = l.push(Op::StoreExclusive { size: msize, ord, addr: base, v });
        l.set_x(rs, status);
    }
    Flow::Continue
}

/// LDAPR/LDAPRB/LDAPRH (RCpc acquire loads).
pub fn ldapr(l: &mut Lifter, w: u32) -> Flow {
    let base = l.xsp(rn(w));
    let v = l.push(Op::Load { size: MemSize::from_log2(bits(w, 31, 30)), ord: Ordering::Acquire, addr: base });
    l.set_x(rd(w), v);
    Flow::Continue
}

/// LSE: LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDSMIN/LDUMAX/LDUMIN/SWP, with the
/// acquire (A) and release (R) variants; STADD etc. are the Rt = XZR aliases.
pub fn lse_rmw(l: &mut Lifter, w: u32) -> Flow {
    let size = MemSize::from_log2(bits(w, 31, 30));
    let o3 = bit(w, 15);
    let opc = bits(w, 14, 12);
    let op = match (o3, opc) {
        (false, 0) => RmwOp::Add,
        (false, 1) => RmwOp::Clr,
        (false, 2) => RmwOp::Eor,
        (false, 3) => RmwOp::Set,
        (false, 4) => RmwOp::Smax,
        (false, 5) => RmwOp::Smin,
        (false, 6) => RmwOp::Umax,
        (false, 7) => RmwOp::Umin,
        (true, 0) => RmwOp::Swp,
        _ => return Flow::Undefined,
    };
    let ord = ordering(bit(w, 23), bit(w, 22));
    let base = l.xsp(rn(w));
    let v = l.x(rm(w));
    let old = l.push(Op::AtomicRmw { op, size, ord, addr: base, v });
    l.set_x(rd(w), old);
    Flow::Continue
}

/// CAS/CASA/CASL/CASAL of B/H/W/X.
pub fn cas(l: &mut Lifter, w: u32) -> Flow {
    let size = MemSize::from_log2(bits(w, 31, 30));
    let ord = ordering(bit(w, 22), bit(w, 15));
    let (rs, rt) = (rm(w), rd(w));
    let base = l.xsp(rn(w));
    let expected = l.x(rs);
    let new = l.x(rt);
    let old = l.push(Op::Cas { size, ord, addr: base, expected, new });
    l.set_x(rs, old);
    Flow::Continue
}

/// CASP/CASPA/CASPL/CASPAL: register pairs (Rs,Rs+1), (Rt,Rt+1), even numbers.
pub fn casp(l: &mut Lifter, w: u32) -> Flow {
    let (rs, rt) = (rm(w), rd(w));
    if rs % 2 == 1 || rt % 2 == 1 {
        return Flow::Undefined;
    }
    let ord = ordering(bit(w, 22), bit(w, 15));
    let base = l.xsp(rn(w));
    let (s0, s1, t0, t1) = (l.x(rs), l.x(rs + 1), l.x(rt), l.x(rt + 1));
    if bit(w, 30) {
        let exp = l.push(Op::VFromHalves { lo: s0, hi: s1 });
        let new = l.push(Op::VFromHalves { lo: t0, hi: t1 });
        let old = l.push(Op::Cas128 { ord, addr: base, expected: exp, new });
        let lo = l.push(Op::VExtractLane { esize: 8, idx: 0, v: old });
        let hi = l.push(Op::VExtractLane { esize: 8, idx: 1, v: old });
        l.set_x(rs, lo);
        l.set_x(rs + 1, hi);
    } else {
        let c32 = l.konst(32);
        let s0w = l.to_w(s0);
        let s1h = l.push(Op::Shl { w: Width::W64, a: s1, b: c32 });
        let exp = l.push(Op::Or { w: Width::W64, a: s0w, b: s1h });
        let t0w = l.to_w(t0);
        let t1h = l.push(Op::Shl { w: Width::W64, a: t1, b: c32 });
        let new = l.push(Op::Or { w: Width::W64, a: t0w, b: t1h });
        let old = l.push(Op::Cas { size: MemSize::B8, ord, addr: base, expected: exp, new });
        let lo = l.to_w(old);
        let hi = l.push(Op::Lshr { w: Width::W64, a: old, b: c32 });
        l.set_x(rs, lo);
        l.set_x(rs + 1, hi);
    }
    let _ = IntCC::Eq;
    Flow::Continue
}

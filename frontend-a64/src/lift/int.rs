//! Integer data processing: immediate and register forms.

use super::*;
use zarm_ir::{CrcPoly, IntCC, MemSize, Op, Width};

fn sf(w: u32) -> bool {
    bit(w, 31)
}

/// Writes an arithmetic result and, for the flag-setting forms, NZCV.
fn add_sub(l: &mut Lifter, w: u32, a: Value, b: Value, sub: bool, setflags: bool, dest_sp: bool) -> Flow {
    let wd = width(sf(w));
    let r = if sub { l.b.sub(wd, a, b) } else { l.b.add(wd, a, b) };
    if setflags {
        let f = if sub { l.push(Op::SubFlags { w: wd, a, b }) } else { l.push(Op::AddFlags { w: wd, a, b }) };
        l.set_nzcv(f);
    }
    if dest_sp && !setflags {
        l.set_xsp(rd(w), r);
    } else {
        l.set_x(rd(w), r);
    }
    Flow::Continue
}

/// ADD/ADDS/SUB/SUBS (immediate): sf op S 100010 sh imm12 Rn Rd.
pub fn add_sub_imm(l: &mut Lifter, w: u32) -> Flow {
    let imm = (bits(w, 21, 10) as u64) << if bit(w, 22) { 12 } else { 0 };
    let a = l.xsp(rn(w));
    let b = l.konst(imm);
    add_sub(l, w, a, b, bit(w, 30), bit(w, 29), true)
}

/// ADD/SUB (shifted register).
pub fn add_sub_shifted(l: &mut Lifter, w: u32) -> Flow {
    let shift = bits(w, 23, 22);
    let amount = bits(w, 15, 10);
    if shift == 3 || (!sf(w) && amount >= 32) {
        return Flow::Undefined;
    }
    let wd = width(sf(w));
    let a = l.x(rn(w));
    let m = l.x(rm(w));
    let b = l.shifted(m, shift, amount, wd);
    add_sub(l, w, a, b, bit(w, 30), bit(w, 29), false)
}

/// ADD/SUB (extended register).
pub fn add_sub_extended(l: &mut Lifter, w: u32) -> Flow {
    let shift = bits(w, 12, 10);
    if shift > 4 || bits(w, 23, 22) != 0 {
        return Flow::Undefined;
    }
    let wd = width(sf(w));
    let a = l.xsp(rn(w));
    let m = l.x(rm(w));
    let b = l.extended(m, bits(w, 15, 13), shift, wd);
    add_sub(l, w, a, b, bit(w, 30), bit(w, 29), true)
}

/// ADC/ADCS/SBC/SBCS.
pub fn add_sub_carry(l: &mut Lifter, w: u32) -> Flow {
    let wd = width(sf(w));
    let a = l.x(rn(w));
    let b = l.x(rm(w));
    let c = l.carry();
    let sub = bit(w, 30);
    let r = if sub { l.push(Op::SubCarry { w: wd, a, b, c }) } else { l.push(Op::AddCarry { w: wd, a, b, c }) };
    if bit(w, 29) {
        let f = if sub { l.push(Op::SbcFlags { w: wd, a, b, c }) } else { l.push(Op::AdcFlags { w: wd, a, b, c }) };
        l.set_nzcv(f);
    }
    l.set_x(rd(w), r);
    Flow::Continue
}

fn logical(l: &mut Lifter, w: u32, a: Value, b: Value, opc: u32, invert: bool, dest_sp: bool) -> Flow {
    let wd = width(sf(w));
    let r = match (opc, invert) {
        (0, false) | (3, false) => l.push(Op::And { w: wd, a, b }),
        (0, true) | (3, true) => l.push(Op::AndNot { w: wd, a, b }),
        (1, false) => l.push(Op::Or { w: wd, a, b }),
        (1, true) => l.push(Op::OrNot { w: wd, a, b }),
        (2, false) => l.push(Op::Xor { w: wd, a, b }),
        _ => l.push(Op::XorNot { w: wd, a, b }),
    };
    if opc == 3 {
        let f = l.push(Op::LogicFlags { w: wd, r });
        l.set_nzcv(f);
        l.set_x(rd(w), r);
    } else if dest_sp {
        l.set_xsp(rd(w), r);
    } else {
        l.set_x(rd(w), r);
    }
    Flow::Continue
}

/// AND/ORR/EOR/ANDS (immediate).
pub fn logical_imm(l: &mut Lifter, w: u32) -> Flow {
    let n = bits(w, 22, 22);
    if !sf(w) && n == 1 {
        return Flow::Undefined;
    }
    let datasize = if sf(w) { 64 } else { 32 };
    let Some((imm, _)) = decode_bit_masks(n, bits(w, 15, 10), bits(w, 21, 16), true, datasize) else {
        return Flow::Undefined;
    };
    let a = l.x(rn(w));
    let b = l.konst(imm);
    logical(l, w, a, b, bits(w, 30, 29), false, true)
}

/// AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register).
pub fn logical_shifted(l: &mut Lifter, w: u32) -> Flow {
    let amount = bits(w, 15, 10);
    if !sf(w) && amount >= 32 {
        return Flow::Undefined;
    }
    let wd = width(sf(w));
    let a = l.x(rn(w));
    let m = l.x(rm(w));
    let b = l.shifted(m, bits(w, 23, 22), amount, wd);
    logical(l, w, a, b, bits(w, 30, 29), bit(w, 21), false)
}

/// MOVN/MOVZ/MOVK.
pub fn move_wide(l: &mut Lifter, w: u32) -> Flow {
    let hw = bits(w, 22, 21);
    if !sf(w) && hw >= 2 {
        return Flow::Undefined;
    }
    let opc = bits(w, 30, 29);
    let shift = hw * 16;
    let imm = (bits(w, 20, 5) as u64) << shift;
    let mask = if sf(w) { u64::MAX } else { 0xffff_ffff };
    let v = match opc {
        0 => l.konst(!imm & mask),
        2 => l.konst(imm),
        3 => {
            let old = l.x(rd(w));
            let keep = l.konst(!(0xffffu64 << shift) & mask);
            let kept = l.push(Op::And { w: width(sf(w)), a: old, b: keep });
            let ins = l.konst(imm);
            l.push(Op::Or { w: width(sf(w)), a: kept, b: ins })
        }
        _ => return Flow::Undefined,
    };
    l.set_x(rd(w), v);
    Flow::Continue
}

/// ADR/ADRP.
pub fn adr(l: &mut Lifter, w: u32) -> Flow {
    let imm = (bits(w, 23, 5) << 2 | bits(w, 30, 29)) as u64;
    let v = if bit(w, 31) {
        (l.pc & !0xfff).wrapping_add((sext(imm, 21) << 12) as u64)
    } else {
        l.pc.wrapping_add(sext(imm, 21) as u64)
    };
    let c = l.konst(v);
    l.set_x(rd(w), c);
    Flow::Continue
}

/// SBFM/BFM/UBFM, as the Arm ARM's pseudocode defines them.
pub fn bitfield(l: &mut Lifter, w: u32) -> Flow {
    let is64 = sf(w);
    let n = bits(w, 22, 22);
    if (is64 && n != 1) || (!is64 && n != 0) {
        return Flow::Undefined;
    }
    let (immr, imms) = (bits(w, 21, 16), bits(w, 15, 10));
    let datasize = if is64 { 64 } else { 32 };
    if !is64 && (immr >= 32 || imms >= 32) {
        return Flow::Undefined;
    }
    let Some((wmask, tmask)) = decode_bit_masks(n, imms, immr, false, datasize) else {
        return Flow::Undefined;
    };
    let wd = width(is64);
    let opc = bits(w, 30, 29);
    let src = l.x(rn(w));
    let r = l.konst(immr as u64);
    let rot = l.push(Op::Ror { w: wd, a: src, b: r });
    let result = match opc {
        // SBFM: bot = ror(src) & wmask; top = replicate(src<imms>); result = (top & !tmask) | (bot & tmask)
        0 => {
            let wm = l.konst(wmask);
            let bot = l.push(Op::And { w: wd, a: rot, b: wm });
            let sh = l.konst((datasize - 1 - imms) as u64);
            let up = l.push(Op::Shl { w: wd, a: src, b: sh });
            let s63 = l.konst(datasize as u64 - 1);
            let top = l.push(Op::Ashr { w: wd, a: up, b: s63 });
            let tm = l.konst(tmask);
            let lo = l.push(Op::And { w: wd, a: bot, b: tm });
            let hi = l.push(Op::AndNot { w: wd, a: top, b: tm });
            l.push(Op::Or { w: wd, a: hi, b: lo })
        }
        // BFM: bot = (dst & !wmask) | (ror(src) & wmask); result = (dst & !tmask) | (bot & tmask)
        1 => {
            let dst = l.x(rd(w));
            let wm = l.konst(wmask);
            let a = l.push(Op::AndNot { w: wd, a: dst, b: wm });
            let b2 = l.push(Op::And { w: wd, a: rot, b: wm });
            let bot = l.push(Op::Or { w: wd, a, b: b2 });
            let tm = l.konst(tmask);
            let lo = l.push(Op::And { w: wd, a: bot, b: tm });
            let hi = l.push(Op::AndNot { w: wd, a: dst, b: tm });
            l.push(Op::Or { w: wd, a: hi, b: lo })
        }
        // UBFM: result = ror(src) & wmask & tmask
        2 => {
            let m = l.konst(wmask & tmask);
            l.push(Op::And { w: wd, a: rot, b: m })
        }
        _ => return Flow::Undefined,
    };
    l.set_x(rd(w), result);
    Flow::Continue
}

/// EXTR: (Rn:Rm) >> lsb.
pub fn extr(l: &mut Lifter, w: u32) -> Flow {
    let is64 = sf(w);
    if bit(w, 22) != is64 {
        return Flow::Undefined;
    }
    let lsb = bits(w, 15, 10);
    if !is64 && lsb >= 32 {
        return Flow::Undefined;
    }
    let wd = width(is64);
    let hi = l.x(rn(w));
    let lo = l.x(rm(w));
    let r = if lsb == 0 {
        if is64 {
            lo
        } else {
            l.to_w(lo)
        }
    } else {
        let datasize = if is64 { 64 } else { 32 };
        let s = l.konst(lsb as u64);
        let a = l.push(Op::Lshr { w: wd, a: lo, b: s });
        let s2 = l.konst((datasize - lsb) as u64);
        let b = l.push(Op::Shl { w: wd, a: hi, b: s2 });
        l.push(Op::Or { w: wd, a, b })
    };
    l.set_x(rd(w), r);
    Flow::Continue
}

/// CSEL/CSINC/CSINV/CSNEG.
pub fn cond_select(l: &mut Lifter, w: u32) -> Flow {
    let wd = width(sf(w));
    let c = l.cond(bits(w, 15, 12));
    let a = l.x(rn(w));
    let m = l.x(rm(w));
    let b = match (bit(w, 30), bits(w, 11, 10)) {
        (false, 0) => m,
        (false, 1) => {
            let one = l.konst(1);
            l.push(Op::Add { w: wd, a: m, b: one })
        }
        (true, 0) => l.push(Op::Not { w: wd, a: m }),
        (true, 1) => l.push(Op::Neg { w: wd, a: m }),
        _ => return Flow::Undefined,
    };
    let a = if wd == Width::W32 { l.to_w(a) } else { a };
    let b = if wd == Width::W32 && bits(w, 11, 10) == 0 && !bit(w, 30) { l.to_w(b) } else { b };
    let r = l.push(Op::Select { c, a, b });
    l.set_x(rd(w), r);
    Flow::Continue
}

/// CCMN/CCMP, register and immediate forms.
pub fn cond_compare(l: &mut Lifter, w: u32) -> Flow {
    if bit(w, 10) || bit(w, 4) {
        return Flow::Undefined;
    }
    let wd = width(sf(w));
    let c = l.cond(bits(w, 15, 12));
    let a = l.x(rn(w));
    let b = if bit(w, 11) { l.konst(bits(w, 20, 16) as u64) } else { l.x(rm(w)) };
    let f = if bit(w, 30) { l.push(Op::SubFlags { w: wd, a, b }) } else { l.push(Op::AddFlags { w: wd, a, b }) };
    let dflt = l.konst((bits(w, 3, 0) as u64) << 28);
    let r = l.push(Op::Select { c, a: f, b: dflt });
    l.set_nzcv(r);
    Flow::Continue
}

/// MADD/MSUB/SMADDL/SMSUBL/UMADDL/UMSUBL/SMULH/UMULH.
pub fn dp3(l: &mut Lifter, w: u32) -> Flow {
    let op54 = bits(w, 30, 29);
    let op31 = bits(w, 23, 21);
    let o0 = bit(w, 15);
    let is64 = sf(w);
    if op54 != 0 {
        return Flow::Undefined;
    }
    let n = l.x(rn(w));
    let m = l.x(rm(w));
    let r = match (is64, op31, o0) {
        (_, 0, _) => {
            let wd = width(is64);
            let p = l.push(Op::Mul { w: wd, a: n, b: m });
            let a = l.x(rt2(w));
            if o0 {
                l.push(Op::Sub { w: wd, a, b: p })
            } else {
                l.push(Op::Add { w: wd, a, b: p })
            }
        }
        (true, 1, _) | (true, 5, _) => {
            let signed = op31 == 1;
            let (n, m) = if signed {
                (l.push(Op::Sext { from: 32, a: n }), l.push(Op::Sext { from: 32, a: m }))
            } else {
                (l.push(Op::Zext { from: 32, a: n }), l.push(Op::Zext { from: 32, a: m }))
            };
            let p = l.push(Op::Mul { w: Width::W64, a: n, b: m });
            let a = l.x(rt2(w));
            if o0 {
                l.push(Op::Sub { w: Width::W64, a, b: p })
            } else {
                l.push(Op::Add { w: Width::W64, a, b: p })
            }
        }
        (true, 2, false) => l.push(Op::SMulH { a: n, b: m }),
        (true, 6, false) => l.push(Op::UMulH { a: n, b: m }),
        _ => return Flow::Undefined,
    };
    l.set_x(rd(w), r);
    Flow::Continue
}

/// UDIV/SDIV/LSLV/LSRV/ASRV/RORV/CRC32*.
pub fn dp2(l: &mut Lifter, w: u32) -> Flow {
    let opcode = bits(w, 15, 10);
    let wd = width(sf(w));
    let n = l.x(rn(w));
    let m = l.x(rm(w));
    let r = match opcode {
        2 => l.push(Op::UDiv { w: wd, a: n, b: m }),
        3 => l.push(Op::SDiv { w: wd, a: n, b: m }),
        8 => l.push(Op::Shl { w: wd, a: n, b: m }),
        9 => l.push(Op::Lshr { w: wd, a: n, b: m }),
        10 => l.push(Op::Ashr { w: wd, a: n, b: m }),
        11 => l.push(Op::Ror { w: wd, a: n, b: m }),
        16..=23 => {
            let sz = opcode & 3;
            // CRC32X/CRC32CX need sf=1, the others sf=0.
            if (sz == 3) != sf(w) {
                return Flow::Undefined;
            }
            let poly = if opcode & 4 != 0 { CrcPoly::Crc32c } else { CrcPoly::Crc32 };
            l.push(Op::Crc32 { poly, size: MemSize::from_log2(sz), acc: n, v: m })
        }
        _ => return Flow::Undefined,
    };
    l.set_x(rd(w), r);
    Flow::Continue
}

/// RBIT/REV16/REV/REV32/CLZ/CLS.
pub fn dp1(l: &mut Lifter, w: u32) -> Flow {
    if bits(w, 20, 16) != 0 {
        return Flow::Undefined;
    }
    let is64 = sf(w);
    let wd = width(is64);
    let n = l.x(rn(w));
    let r = match (bits(w, 15, 10), is64) {
        (0, _) => l.push(Op::Rbit { w: wd, a: n }),
        (1, _) => l.push(Op::Rev16 { w: wd, a: n }),
        (2, false) => l.push(Op::Rev { w: wd, a: n }),
        (2, true) => l.push(Op::Rev32 { a: n }),
        (3, true) => l.push(Op::Rev { w: wd, a: n }),
        (4, _) => l.push(Op::Clz { w: wd, a: n }),
        (5, _) => l.push(Op::Cls { w: wd, a: n }),
        _ => return Flow::Undefined,
    };
    l.set_x(rd(w), r);
    Flow::Continue
}

/// CBZ/CBNZ helper for branch.rs: 1 if Rt (of width) is (non)zero.
pub fn is_zero(l: &mut Lifter, r: u8, is64: bool, nonzero: bool) -> Value {
    let v = l.x(r);
    let z = l.konst(0);
    l.push(Op::Icmp { cc: if nonzero { IntCC::Ne } else { IntCC::Eq }, w: width(is64), a: v, b: z })
}

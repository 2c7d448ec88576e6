//! Lifting: one function per instruction (or per small family), turning a
//! decoded A64 word into IR through the [`Lifter`]. The helpers here are
//! the vocabulary every lift function shares: register access with the
//! XZR/SP distinction, operand shifts and extensions, immediates, flags.

pub mod branch;
pub mod fp;
pub mod int;
pub mod mem;
pub mod simd;
pub mod system;

use zarm_ir::{Block, Builder, Cond, Op, Terminator, Value, Width};

/// What a lift function tells the block builder.
pub enum Flow {
    /// The next instruction follows in the same block.
    Continue,
    /// The block ends with this terminator.
    End(Terminator),
    /// The encoding is unallocated or not implemented: the guest gets SIGILL.
    Undefined,
}

pub type LiftFn = fn(&mut Lifter, u32) -> Flow;

pub struct Lifter {
    pub b: Builder,
    /// Address of the instruction being lifted.
    pub pc: u64,
}

#[inline]
pub fn bits(w: u32, hi: u32, lo: u32) -> u32 {
    (w >> lo) & ((1u32 << (hi - lo + 1)) - 1)
}
#[inline]
pub fn bit(w: u32, n: u32) -> bool {
    w >> n & 1 != 0
}
#[inline]
pub fn rd(w: u32) -> u8 {
    (w & 31) as u8
}
#[inline]
pub fn rn(w: u32) -> u8 {
    (w >> 5 & 31) as u8
}
#[inline]
pub fn rm(w: u32) -> u8 {
    (w >> 16 & 31) as u8
}
#[inline]
pub fn rt2(w: u32) -> u8 {
    (w >> 10 & 31) as u8
}
/// Sign-extends the low `n` bits of `v`.
#[inline]
pub fn sext(v: u64, n: u32) -> i64 {
    ((v << (64 - n)) as i64) >> (64 - n)
}
/// The operation width selected by an `sf` bit.
#[inline]
pub fn width(sf: bool) -> Width {
    if sf {
        Width::W64
    } else {
        Width::W32
    }
}

impl Lifter {
    pub fn new(pc: u64) -> Self {
        Lifter { b: Builder::new(pc), pc }
    }

    pub fn push(&mut self, op: Op) -> Value {
        self.b.push(op)
    }

    pub fn konst(&mut self, v: u64) -> Value {
        self.b.konst(v)
    }

    /// Xn where 31 means the zero register.
    pub fn x(&mut self, r: u8) -> Value {
        if r == 31 {
            self.konst(0)
        } else {
            self.b.get_gpr(r)
        }
    }

    /// Xn where 31 means SP.
    pub fn xsp(&mut self, r: u8) -> Value {
        self.b.get_gpr(r)
    }

    /// Writes Xd (31 = discard). `v` must already be zero-extended for a
    /// W-register result (every `W32` IR op's result is).
    pub fn set_x(&mut self, r: u8, v: Value) {
        if r != 31 {
            self.b.set_gpr(r, v);
        }
    }

    /// Writes Xd or SP (31 = SP).
    pub fn set_xsp(&mut self, r: u8, v: Value) {
        self.b.set_gpr(r, v);
    }

    pub fn nzcv(&mut self) -> Value {
        self.push(Op::GetNzcv {})
    }

    pub fn set_nzcv(&mut self, v: Value) {
        self.push(Op::SetNzcv { v });
    }

    /// 1 if condition `c` (the 4-bit field) holds.
    pub fn cond(&mut self, c: u32) -> Value {
        let f = self.nzcv();
        self.push(Op::CondHolds { cond: Cond(c as u8), nzcv: f })
    }

    /// The carry flag as 0/1.
    pub fn carry(&mut self) -> Value {
        self.cond(2)
    }

    /// A register operand shifted by an immediate (LSL/LSR/ASR/ROR).
    pub fn shifted(&mut self, v: Value, shift_type: u32, amount: u32, w: Width) -> Value {
        if amount == 0 {
            return v;
        }
        let a = self.konst(amount as u64);
        match shift_type {
            0 => self.push(Op::Shl { w, a: v, b: a }),
            1 => self.push(Op::Lshr { w, a: v, b: a }),
            2 => self.push(Op::Ashr { w, a: v, b: a }),
            _ => self.push(Op::Ror { w, a: v, b: a }),
        }
    }

    /// An extended register operand (UXTB … SXTX) shifted left by 0..=4.
    pub fn extended(&mut self, v: Value, option: u32, shift: u32, w: Width) -> Value {
        let from = [8u8, 16, 32, 64][(option & 3) as usize];
        let signed = option & 4 != 0;
        let e = if from == 64 {
            v
        } else if signed {
            self.push(Op::Sext { from, a: v })
        } else {
            self.push(Op::Zext { from, a: v })
        };
        if shift == 0 {
            if w == Width::W32 {
                return self.push(Op::Zext { from: 32, a: e });
            }
            return e;
        }
        let s = self.konst(shift as u64);
        self.push(Op::Shl { w, a: e, b: s })
    }

    /// Zero-extends a 64-bit value to a W-register result.
    pub fn to_w(&mut self, v: Value) -> Value {
        self.push(Op::Zext { from: 32, a: v })
    }
}

/// The Arm ARM's DecodeBitMasks: the (wmask, tmask) of a logical immediate
/// or a bitfield operation; `None` for a reserved encoding.
pub fn decode_bit_masks(n: u32, imms: u32, immr: u32, immediate: bool, datasize: u32) -> Option<(u64, u64)> {
    let combined = (n << 6) | (!imms & 0x3f);
    if combined == 0 {
        return None;
    }
    let len = 31 - combined.leading_zeros();
    if len < 1 {
        return None;
    }
    let levels = (1u32 << len) - 1;
    if immediate && (imms & levels) == levels {
        return None;
    }
    let esize = 1u32 << len;
    if esize > datasize {
        return None;
    }
    let s = imms & levels;
    let r = immr & levels;
    let d = s.wrapping_sub(r) & levels;
    let ones = |k: u32| -> u64 {
        if k >= 64 {
            u64::MAX
        } else {
            (1u64 << k) - 1
        }
    };
    let ror = |x: u64, r: u32, size: u32| -> u64 {
        if r == 0 {
            x
        } else {
            ((x >> r) | (x << (size - r))) & ones(size)
        }
    };
    let welem = ones(s + 1);
    let telem = ones(d + 1);
    let rep = |e: u64| -> u64 {
        let mut out = 0u64;
        let mut k = 0;
        while k < datasize {
            out |= e << k;
            k += esize;
        }
        out & ones(datasize)
    };
    Some((rep(ror(welem, r, esize)), rep(telem)))
}

/// Lifts the block at `pc`. See the crate docs for where blocks end.
pub fn lift_block(mem: &mut dyn zarm_ir::GuestMemory, pc: u64, max_insns: u32) -> Block {
    let mut l = Lifter::new(pc);
    let mut cur = pc;
    loop {
        let word = match mem.fetch(cur) {
            Ok(w) => w,
            Err(_) => {
                let term = if cur == pc {
                    Terminator::Exception { kind: zarm_ir::ExceptionKind::FetchFault, pc }
                } else {
                    Terminator::Jump { target: cur }
                };
                return l.b.finish(term, cur);
            }
        };
        let mark = l.b.len();
        l.pc = cur;
        l.b.begin_insn(cur, word);
        let flow = match crate::decode::lookup(word) {
            Some(e) => (e.lift)(&mut l, word),
            None => Flow::Undefined,
        };
        match flow {
            Flow::Continue => {}
            Flow::End(term) => return l.b.finish(term, cur + 4),
            Flow::Undefined => {
                // Drop whatever the lift function emitted for it; the
                // instruction raises SIGILL with state as before it.
                l.b.truncate(mark);
                l.b.begin_insn(cur, word);
                let term = Terminator::Exception { kind: zarm_ir::ExceptionKind::Undefined { word }, pc: cur };
                return l.b.finish(term, cur + 4);
            }
        }
        cur += 4;
        if l.b.guest_insns() >= max_insns || cur % 4096 == 0 {
            return l.b.finish(Terminator::Jump { target: cur }, cur);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_masks_match_known_immediates() {
        // AND x0, x1, #0xff: N=1 immr=0 imms=7.
        assert_eq!(decode_bit_masks(1, 7, 0, true, 64).unwrap().0, 0xff);
        // ORR w0, wzr, #0x55555555: N=0 immr=0 imms=0b111100.
        assert_eq!(decode_bit_masks(0, 0x3c, 0, true, 32).unwrap().0, 0x5555_5555);
        // 0xfffffffffffffffe: N=1 immr=63 imms=62.
        assert_eq!(decode_bit_masks(1, 62, 63, true, 64).unwrap().0, 0xffff_ffff_ffff_fffe);
        // All-ones is reserved.
        assert!(decode_bit_masks(1, 63, 0, true, 64).is_none());
    }
}

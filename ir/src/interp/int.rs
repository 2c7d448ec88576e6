//! Integer semantics shared by the interpreter and the constant folder.

use crate::types::{CrcPoly, IntCC, MemSize, Width};

pub fn sext(a: u64, from: u32) -> u64 {
    if from >= 64 {
        return a;
    }
    let sh = 64 - from;
    (((a << sh) as i64) >> sh) as u64
}

pub fn zext(a: u64, from: u32) -> u64 {
    if from >= 64 {
        a
    } else {
        a & ((1u64 << from) - 1)
    }
}

pub fn shl(w: Width, a: u64, b: u64) -> u64 {
    (a << (b % w.bits() as u64)) & w.mask()
}

pub fn lshr(w: Width, a: u64, b: u64) -> u64 {
    (a & w.mask()) >> (b % w.bits() as u64)
}

pub fn ashr(w: Width, a: u64, b: u64) -> u64 {
    let n = w.bits();
    ((sext(a, n) as i64 >> (b % n as u64)) as u64) & w.mask()
}

pub fn ror(w: Width, a: u64, b: u64) -> u64 {
    match w {
        Width::W32 => (a as u32).rotate_right((b % 32) as u32) as u64,
        Width::W64 => a.rotate_right((b % 64) as u32),
    }
}

pub fn udiv(w: Width, a: u64, b: u64) -> u64 {
    let (a, b) = (a & w.mask(), b & w.mask());
    if b == 0 {
        0
    } else {
        a / b
    }
}

pub fn sdiv(w: Width, a: u64, b: u64) -> u64 {
    let n = w.bits();
    let (a, b) = (sext(a, n) as i64, sext(b, n) as i64);
    if b == 0 {
        return 0;
    }
    let q = match w {
        Width::W32 => (a as i32).wrapping_div(b as i32) as i64,
        Width::W64 => a.wrapping_div(b),
    };
    q as u64 & w.mask()
}

pub fn clz(w: Width, a: u64) -> u64 {
    match w {
        Width::W32 => (a as u32).leading_zeros() as u64,
        Width::W64 => a.leading_zeros() as u64,
    }
}

/// CLS: leading bits equal to the sign bit, excluding the sign bit.
pub fn cls(w: Width, a: u64) -> u64 {
    let a = a & w.mask();
    let y = ((a >> 1) ^ a) & (w.mask() >> 1);
    clz(w, y) - 1
}

pub fn rbit(w: Width, a: u64) -> u64 {
    match w {
        Width::W32 => (a as u32).reverse_bits() as u64,
        Width::W64 => a.reverse_bits(),
    }
}

pub fn rev(w: Width, a: u64) -> u64 {
    match w {
        Width::W32 => (a as u32).swap_bytes() as u64,
        Width::W64 => a.swap_bytes(),
    }
}

pub fn rev16(w: Width, a: u64) -> u64 {
    let r = ((a & 0xff00_ff00_ff00_ff00) >> 8) | ((a & 0x00ff_00ff_00ff_00ff) << 8);
    r & w.mask()
}

pub fn rev32(a: u64) -> u64 {
    let lo = (a as u32).swap_bytes() as u64;
    let hi = ((a >> 32) as u32).swap_bytes() as u64;
    lo | hi << 32
}

pub fn icmp(cc: IntCC, w: Width, a: u64, b: u64) -> bool {
    let n = w.bits();
    let (ua, ub) = (a & w.mask(), b & w.mask());
    let (sa, sb) = (sext(a, n) as i64, sext(b, n) as i64);
    match cc {
        IntCC::Eq => ua == ub,
        IntCC::Ne => ua != ub,
        IntCC::Ult => ua < ub,
        IntCC::Ule => ua <= ub,
        IntCC::Ugt => ua > ub,
        IntCC::Uge => ua >= ub,
        IntCC::Slt => sa < sb,
        IntCC::Sle => sa <= sb,
        IntCC::Sgt => sa > sb,
        IntCC::Sge => sa >= sb,
    }
}

/// The architecture's AddWithCarry: returns the result and NZCV (bits 31..28).
pub fn add_with_carry(w: Width, x: u64, y: u64, carry: u64) -> (u64, u64) {
    let n = w.bits();
    let (x, y) = (x & w.mask(), y & w.mask());
    let usum = x as u128 + y as u128 + carry as u128;
    let ssum = sext(x, n) as i64 as i128 + sext(y, n) as i64 as i128 + carry as i128;
    let result = usum as u64 & w.mask();
    let nf = result >> (n - 1) & 1;
    let zf = (result == 0) as u64;
    let cf = (usum != result as u128) as u64;
    let vf = (sext(result, n) as i64 as i128 != ssum) as u64;
    (result, nf << 31 | zf << 30 | cf << 29 | vf << 28)
}

pub fn logic_flags(w: Width, r: u64) -> u64 {
    let r = r & w.mask();
    let nf = r >> (w.bits() - 1) & 1;
    let zf = (r == 0) as u64;
    nf << 31 | zf << 30
}

/// CRC32/CRC32C as the A64 instructions compute them: bit-reflected, no
/// pre- or post-inversion.
pub fn crc32(poly: CrcPoly, size: MemSize, acc: u64, v: u64) -> u64 {
    let p: u32 = match poly {
        CrcPoly::Crc32 => 0xEDB8_8320,
        CrcPoly::Crc32c => 0x82F6_3B78,
    };
    let mut crc = acc as u32;
    for i in 0..size.bytes() {
        crc ^= (v >> (8 * i)) as u8 as u32;
        for _ in 0..8 {
            crc = (crc >> 1) ^ (p & (crc & 1).wrapping_neg());
        }
    }
    crc as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_match_architecture_examples() {
        // 0x7fffffff + 1 overflows signed 32-bit: N=1 V=1.
        let (r, f) = add_with_carry(Width::W32, 0x7fff_ffff, 1, 0);
        assert_eq!(r, 0x8000_0000);
        assert_eq!(f, 0b1001 << 28);
        // SUBS 0 - 1 (x + !y + 1): borrow, so C=0; N=1.
        let (r, f) = add_with_carry(Width::W64, 0, !1, 1);
        assert_eq!(r, u64::MAX);
        assert_eq!(f, 0b1000 << 28);
        // CMP 5,5: Z=1 C=1.
        let (_, f) = add_with_carry(Width::W64, 5, !5, 1);
        assert_eq!(f, 0b0110 << 28);
    }

    #[test]
    fn cls_and_division_corners() {
        assert_eq!(cls(Width::W64, 0), 63);
        assert_eq!(cls(Width::W64, u64::MAX), 63);
        assert_eq!(cls(Width::W64, 1), 62);
        assert_eq!(cls(Width::W32, 0xffff_ffff), 31);
        assert_eq!(sdiv(Width::W64, i64::MIN as u64, u64::MAX), i64::MIN as u64);
        assert_eq!(sdiv(Width::W32, 0x8000_0000, 0xffff_ffff), 0x8000_0000);
        assert_eq!(udiv(Width::W64, 7, 0), 0);
        assert_eq!(sdiv(Width::W32, (-7i32) as u32 as u64, 2), (-3i32) as u32 as u64);
    }

    #[test]
    fn crc_known_vectors() {
        // CRC-32 of "123456789" is 0xCBF43926 with the usual inversions.
        let mut c = 0xffff_ffffu64;
        for b in b"123456789" {
            c = crc32(CrcPoly::Crc32, MemSize::B1, c, *b as u64);
        }
        assert_eq!(c ^ 0xffff_ffff, 0xCBF4_3926);
        let mut c = 0xffff_ffffu64;
        for b in b"123456789" {
            c = crc32(CrcPoly::Crc32c, MemSize::B1, c, *b as u64);
        }
        assert_eq!(c ^ 0xffff_ffff, 0xE306_9283);
    }
}

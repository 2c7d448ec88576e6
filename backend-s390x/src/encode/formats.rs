//! One function per z/Architecture instruction format (Principles of
//! Operation, chapter 5 "Instruction formats"). Each appends the
//! instruction's bytes, big-endian, to `out`. Operand fields are masked to
//! their width; callers pass register numbers 0..=15 (0..=31 for vector
//! registers, whose fifth bit goes to the RXB field).

/// Signed 20-bit displacement split into DL (low 12) and DH (high 8).
fn dl_dh(d: i32) -> (u32, u32) {
    debug_assert!((-0x8_0000..0x8_0000).contains(&d), "displacement {d} exceeds 20 bits");
    let d = d as u32 & 0xf_ffff;
    (d & 0xfff, d >> 12)
}

/// RR: `op(8) R1(4) R2(4)`.
pub fn rr(out: &mut Vec<u8>, op: u8, r1: u8, r2: u8) {
    out.extend_from_slice(&[op, (r1 & 15) << 4 | (r2 & 15)]);
}

/// RRE: `op(16) ////(8) R1(4) R2(4)`.
pub fn rre(out: &mut Vec<u8>, op: u16, r1: u8, r2: u8) {
    out.extend_from_slice(&op.to_be_bytes());
    out.extend_from_slice(&[0, (r1 & 15) << 4 | (r2 & 15)]);
}

/// RRF (a, b, c, d, e share the layout): `op(16) F3(4) F4(4) R1(4) R2(4)`,
/// where F3/F4 are R3/M3/M4 depending on the variant.
pub fn rrf(out: &mut Vec<u8>, op: u16, f3: u8, f4: u8, r1: u8, r2: u8) {
    out.extend_from_slice(&op.to_be_bytes());
    out.extend_from_slice(&[(f3 & 15) << 4 | (f4 & 15), (r1 & 15) << 4 | (r2 & 15)]);
}

/// RX-a/b: `op(8) R1(4) X2(4) B2(4) D2(12)`.
pub fn rx(out: &mut Vec<u8>, op: u8, r1: u8, x2: u8, b2: u8, d2: u16) {
    debug_assert!(d2 < 0x1000, "displacement {d2} exceeds 12 bits");
    let w = (op as u32) << 24 | ((r1 & 15) as u32) << 20 | ((x2 & 15) as u32) << 16 | ((b2 & 15) as u32) << 12 | (d2 as u32 & 0xfff);
    out.extend_from_slice(&w.to_be_bytes());
}

/// RXY-a/b: `op1(8) R1(4) X2(4) B2(4) DL2(12) DH2(8) op2(8)`; `op` is op1:op2.
pub fn rxy(out: &mut Vec<u8>, op: u16, r1: u8, x2: u8, b2: u8, d2: i32) {
    let (dl, dh) = dl_dh(d2);
    out.extend_from_slice(&[
        (op >> 8) as u8,
        (r1 & 15) << 4 | (x2 & 15),
        (b2 & 15) << 4 | (dl >> 8) as u8,
        dl as u8,
        dh as u8,
        op as u8,
    ]);
}

/// RS-a: `op(8) R1(4) R3(4) B2(4) D2(12)`.
pub fn rs(out: &mut Vec<u8>, op: u8, r1: u8, r3: u8, b2: u8, d2: u16) {
    rx(out, op, r1, r3, b2, d2);
}

/// RSY-a/b: `op1(8) R1(4) R3(4) B2(4) DL2(12) DH2(8) op2(8)`.
pub fn rsy(out: &mut Vec<u8>, op: u16, r1: u8, r3: u8, b2: u8, d2: i32) {
    rxy(out, op, r1, r3, b2, d2);
}

/// RI-a/b/c: `op1(8) R1(4) op2(4) I2(16)`; `op` is op1:op2 (12 bits).
pub fn ri(out: &mut Vec<u8>, op: u16, r1: u8, i2: u16) {
    out.extend_from_slice(&[(op >> 4) as u8, (r1 & 15) << 4 | (op & 15) as u8]);
    out.extend_from_slice(&i2.to_be_bytes());
}

/// RIL-a/b/c: `op1(8) R1(4) op2(4) I2(32)`.
pub fn ril(out: &mut Vec<u8>, op: u16, r1: u8, i2: u32) {
    out.extend_from_slice(&[(op >> 4) as u8, (r1 & 15) << 4 | (op & 15) as u8]);
    out.extend_from_slice(&i2.to_be_bytes());
}

/// RIE-f (RISBG family): `op1(8) R1(4) R2(4) I3(8) I4(8) I5(8) op2(8)`.
pub fn rie_f(out: &mut Vec<u8>, op: u16, r1: u8, r2: u8, i3: u8, i4: u8, i5: u8) {
    out.extend_from_slice(&[(op >> 8) as u8, (r1 & 15) << 4 | (r2 & 15), i3, i4, i5, op as u8]);
}

/// RIE-d (AGHIK): `op1(8) R1(4) R3(4) I2(16) ////(8) op2(8)`.
pub fn rie_d(out: &mut Vec<u8>, op: u16, r1: u8, r3: u8, i2: u16) {
    out.extend_from_slice(&[(op >> 8) as u8, (r1 & 15) << 4 | (r3 & 15)]);
    out.extend_from_slice(&i2.to_be_bytes());
    out.extend_from_slice(&[0, op as u8]);
}

/// SI: `op(8) I2(8) B1(4) D1(12)`.
pub fn si(out: &mut Vec<u8>, op: u8, i2: u8, b1: u8, d1: u16) {
    out.extend_from_slice(&[op, i2, (b1 & 15) << 4 | (d1 >> 8 & 15) as u8, d1 as u8]);
}

/// SIL: `op(16) B1(4) D1(12) I2(16)`.
pub fn sil(out: &mut Vec<u8>, op: u16, b1: u8, d1: u16, i2: u16) {
    out.extend_from_slice(&[(op >> 8) as u8, op as u8, (b1 & 15) << 4 | (d1 >> 8 & 15) as u8, d1 as u8, (i2 >> 8) as u8, i2 as u8]);
}

/// SIY: `op1(8) I2(8) B1(4) DL1(12) DH1(8) op2(8)`, 20-bit signed displacement.
pub fn siy(out: &mut Vec<u8>, op: u16, i2: u8, b1: u8, d1: i32) {
    let d = d1 as u32;
    out.extend_from_slice(&[(op >> 8) as u8, i2, (b1 & 15) << 4 | (d >> 8 & 15) as u8, d as u8, (d >> 12) as u8, op as u8]);
}

/// RXB field: the high bit of each vector register operand, operand 1 in
/// bit 3 (leftmost) down to operand 4 in bit 0.
fn rxb(v: [u8; 4]) -> u8 {
    (v[0] >> 4 & 1) << 3 | (v[1] >> 4 & 1) << 2 | (v[2] >> 4 & 1) << 1 | (v[3] >> 4 & 1)
}

/// VRX: `op1(8) V1(4) X2(4) B2(4) D2(12) M3(4) RXB(4) op2(8)`.
pub fn vrx(out: &mut Vec<u8>, op: u16, v1: u8, x2: u8, b2: u8, d2: u16, m3: u8) {
    out.extend_from_slice(&[
        (op >> 8) as u8,
        (v1 & 15) << 4 | (x2 & 15),
        (b2 & 15) << 4 | (d2 >> 8 & 15) as u8,
        d2 as u8,
        (m3 & 15) << 4 | rxb([v1, 0, 0, 0]),
        op as u8,
    ]);
}

/// VRR-c: `op1(8) V1(4) V2(4) V3(4) ////(4) M6(4) M5(4) M4(4) RXB(4) op2(8)`.
pub fn vrr_c(out: &mut Vec<u8>, op: u16, v1: u8, v2: u8, v3: u8, m4: u8, m5: u8, m6: u8) {
    out.extend_from_slice(&[
        (op >> 8) as u8,
        (v1 & 15) << 4 | (v2 & 15),
        (v3 & 15) << 4,
        (m6 & 15) << 4 | (m5 & 15),
        (m4 & 15) << 4 | rxb([v1, v2, v3, 0]),
        op as u8,
    ]);
}

/// VRR-a: `op1(8) V1(4) V2(4) ////(8) M5(4) M4(4) M3(4) RXB(4) op2(8)`.
pub fn vrr_a(out: &mut Vec<u8>, op: u16, v1: u8, v2: u8, m3: u8) {
    out.extend_from_slice(&[(op >> 8) as u8, (v1 & 15) << 4 | (v2 & 15), 0, 0, (m3 & 15) << 4 | rxb([v1, v2, 0, 0]), op as u8]);
}

/// VRR-a with its masks: `op1(8) V1(4) V2(4) ////(8) M5(4) M4(4) M3(4) RXB(4) op2(8)`.
pub fn vrr_a_m(out: &mut Vec<u8>, op: u16, v1: u8, v2: u8, m3: u8, m4: u8, m5: u8) {
    out.extend_from_slice(&[(op >> 8) as u8, (v1 & 15) << 4 | (v2 & 15), 0, (m5 & 15) << 4 | (m4 & 15), (m3 & 15) << 4 | rxb([v1, v2, 0, 0]), op as u8]);
}

/// VRR-e: `op1(8) V1(4) V2(4) V3(4) M6(4) ////(4) M5(4) V4(4) RXB(4) op2(8)`.
pub fn vrr_e(out: &mut Vec<u8>, op: u16, v1: u8, v2: u8, v3: u8, v4: u8) {
    out.extend_from_slice(&[(op >> 8) as u8, (v1 & 15) << 4 | (v2 & 15), (v3 & 15) << 4, 0, (v4 & 15) << 4 | rxb([v1, v2, v3, v4]), op as u8]);
}

/// VRR-e with its masks: `op1(8) V1(4) V2(4) V3(4) M6(4) ////(4) M5(4) V4(4) RXB(4) op2(8)`.
pub fn vrr_e_m(out: &mut Vec<u8>, op: u16, v1: u8, v2: u8, v3: u8, v4: u8, m5: u8, m6: u8) {
    out.extend_from_slice(&[
        (op >> 8) as u8,
        (v1 & 15) << 4 | (v2 & 15),
        (v3 & 15) << 4 | (m6 & 15),
        m5 & 15,
        (v4 & 15) << 4 | rxb([v1, v2, v3, v4]),
        op as u8,
    ]);
}

/// VRI-e: `op1(8) V1(4) V2(4) I3(12) M5(4) M4(4) RXB(4) op2(8)`.
pub fn vri_e(out: &mut Vec<u8>, op: u16, v1: u8, v2: u8, i3: u16, m4: u8, m5: u8) {
    out.extend_from_slice(&[
        (op >> 8) as u8,
        (v1 & 15) << 4 | (v2 & 15),
        (i3 >> 4) as u8,
        ((i3 & 15) as u8) << 4 | (m5 & 15),
        (m4 & 15) << 4 | rxb([v1, v2, 0, 0]),
        op as u8,
    ]);
}

/// VRI-d: `op1(8) V1(4) V2(4) V3(4) ////(4) I4(8) M5(4) RXB(4) op2(8)`.
pub fn vri_d(out: &mut Vec<u8>, op: u16, v1: u8, v2: u8, v3: u8, i4: u8, m5: u8) {
    out.extend_from_slice(&[
        (op >> 8) as u8,
        (v1 & 15) << 4 | (v2 & 15),
        (v3 & 15) << 4,
        i4,
        (m5 & 15) << 4 | rxb([v1, v2, v3, 0]),
        op as u8,
    ]);
}

/// VRS-a: `op1(8) V1(4) V3(4) B2(4) D2(12) M4(4) RXB(4) op2(8)`.
pub fn vrs_a(out: &mut Vec<u8>, op: u16, v1: u8, v3: u8, b2: u8, d2: u16, m4: u8) {
    out.extend_from_slice(&[
        (op >> 8) as u8,
        (v1 & 15) << 4 | (v3 & 15),
        (b2 & 15) << 4 | (d2 >> 8 & 15) as u8,
        d2 as u8,
        (m4 & 15) << 4 | rxb([v1, v3, 0, 0]),
        op as u8,
    ]);
}

/// VRI-a: `op1(8) V1(4) ////(4) I2(16) M3(4) RXB(4) op2(8)`.
pub fn vri_a(out: &mut Vec<u8>, op: u16, v1: u8, i2: u16, m3: u8) {
    out.extend_from_slice(&[(op >> 8) as u8, (v1 & 15) << 4, (i2 >> 8) as u8, i2 as u8, (m3 & 15) << 4 | rxb([v1, 0, 0, 0]), op as u8]);
}

/// VRR-f (VLVGP): `op1(8) V1(4) R2(4) R3(4) ////(12) RXB(4) op2(8)`.
pub fn vrr_f(out: &mut Vec<u8>, op: u16, v1: u8, r2: u8, r3: u8) {
    out.extend_from_slice(&[(op >> 8) as u8, (v1 & 15) << 4 | (r2 & 15), (r3 & 15) << 4, 0, rxb([v1, 0, 0, 0]), op as u8]);
}

/// VRS-c (VLGV): `op1(8) R1(4) V3(4) B2(4) D2(12) M4(4) RXB(4) op2(8)`.
pub fn vrs_c(out: &mut Vec<u8>, op: u16, r1: u8, v3: u8, b2: u8, d2: u16, m4: u8) {
    out.extend_from_slice(&[
        (op >> 8) as u8,
        (r1 & 15) << 4 | (v3 & 15),
        (b2 & 15) << 4 | (d2 >> 8 & 15) as u8,
        d2 as u8,
        (m4 & 15) << 4 | rxb([0, v3, 0, 0]),
        op as u8,
    ]);
}

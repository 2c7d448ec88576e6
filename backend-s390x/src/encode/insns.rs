//! Named z/Architecture instructions, each a thin wrapper over its format.
//! Opcodes are from the Principles of Operation; every one is checked
//! byte-for-byte against GNU `as` by `tests/encode_vs_gas.rs`.
//!
//! Registers are plain numbers: general registers 0..=15, vector registers
//! 0..=31. Each table below also exports its (mnemonic, opcode) list so the
//! test can cover every instruction without listing them again.

use super::formats::*;

/// A storage operand `D(X,B)`: base and index register numbers (0 = none)
/// and a signed displacement (12-bit unsigned for short formats, 20-bit
/// signed for the long-displacement `*Y`/`*G` formats).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mem {
    pub base: u8,
    pub index: u8,
    pub disp: i32,
}

impl Mem {
    pub fn base_disp(base: u8, disp: i32) -> Mem {
        Mem { base, index: 0, disp }
    }
}

macro_rules! table {
    ($list:ident, f, $params:tt => $body:expr; $($name:ident = $op:expr,)*) => {
        $( table!(@one $name, $op, $params, $body); )*
        /// Every instruction of this format: its mnemonic and its encoder.
        pub const $list: &[(&str, table!(@fnty $params))] = &[$((stringify!($name), $name as table!(@fnty $params))),*];
    };
    (@one $name:ident, $op:expr, ($($p:ident : $pt:ty),*), $body:expr) => {
        #[inline]
        pub fn $name(out: &mut Vec<u8>, $($p: $pt),*) {
            ($body)(out, $op)
        }
    };
    (@fnty ($($p:ident : $pt:ty),*)) => { fn(&mut Vec<u8>, $($pt),*) };
}

// RR: R1 ← op(R1, R2), 32-bit.
table! { RR_INSNS, f, (r1: u8, r2: u8) => |out: &mut Vec<u8>, op: u8| rr(out, op, r1, r2);
    lr = 0x18u8, ar = 0x1Au8, sr = 0x1Bu8, nr = 0x14u8, or = 0x16u8, xr = 0x17u8,
    cr = 0x19u8, clr = 0x15u8, lcr = 0x13u8, ltr = 0x12u8, alr = 0x1Eu8, slr = 0x1Fu8,
}

// RRE: two registers.
table! { RRE_INSNS, f, (r1: u8, r2: u8) => |out: &mut Vec<u8>, op: u16| rre(out, op, r1, r2);
    lgr = 0xB904u16, lpgr = 0xB900u16, lngr = 0xB901u16, ltgr = 0xB902u16, lcgr = 0xB903u16,
    lgbr = 0xB906u16, lghr = 0xB907u16, agr = 0xB908u16, sgr = 0xB909u16, algr = 0xB90Au16,
    slgr = 0xB90Bu16, msgr = 0xB90Cu16, dsgr = 0xB90Du16, lrvgr = 0xB90Fu16, lgfr = 0xB914u16,
    llgfr = 0xB916u16, lrvr = 0xB91Fu16, cgr = 0xB920u16, clgr = 0xB921u16, ngr = 0xB980u16,
    ogr = 0xB981u16, xgr = 0xB982u16, flogr = 0xB983u16, llgcr = 0xB984u16, llghr = 0xB985u16,
    mlgr = 0xB986u16, dlgr = 0xB987u16, alcgr = 0xB988u16, slbgr = 0xB989u16, msr = 0xB252u16,
    llcr = 0xB994u16, llhr = 0xB995u16, lbr = 0xB926u16, lhr = 0xB927u16, dlr = 0xB997u16,
    dsgfr = 0xB91Du16, cgfr = 0xB930u16,
}

// RRF-a, distinct-operands form: R1 ← R2 op R3.
table! { RRF_A_INSNS, f, (r1: u8, r2: u8, r3: u8) => |out: &mut Vec<u8>, op: u16| rrf(out, op, r3, 0, r1, r2);
    agrk = 0xB9E8u16, sgrk = 0xB9E9u16, algrk = 0xB9EAu16, slgrk = 0xB9EBu16,
    ngrk = 0xB9E4u16, ogrk = 0xB9E6u16, xgrk = 0xB9E7u16,
    ark = 0xB9F8u16, srk = 0xB9F9u16, alrk = 0xB9FAu16, slrk = 0xB9FBu16,
    nrk = 0xB9F4u16, ork = 0xB9F6u16, xrk = 0xB9F7u16,
    // miscellaneous-instruction-extensions 3 (z15)
    ncgrk = 0xB9E5u16, ocgrk = 0xB965u16, nngrk = 0xB964u16, nogrk = 0xB966u16, nxgrk = 0xB967u16,
    ncrk = 0xB9F5u16, ocrk = 0xB975u16, nxrk = 0xB977u16,
    // miscellaneous-instruction-extensions 2 (z14): 128-bit signed product
    // of R2 and R3 in the even/odd pair R1.
    mgrk = 0xB9ECu16, msgrkc = 0xB9EDu16,
}

// RRF-a with a mask: SELGR R1,R2,R3,M4 (z15).
table! { RRF_SEL_INSNS, f, (r1: u8, r2: u8, r3: u8, m4: u8) => |out: &mut Vec<u8>, op: u16| rrf(out, op, r3, m4, r1, r2);
    selgr = 0xB9E3u16, selr = 0xB9F0u16,
}

// RRF-c: R1 ← R2 if M3 matches the condition code (LOCGR), POPCNT R1,R2,M3.
table! { RRF_C_INSNS, f, (r1: u8, r2: u8, m3: u8) => |out: &mut Vec<u8>, op: u16| rrf(out, op, m3, 0, r1, r2);
    locgr = 0xB9E2u16, locr = 0xB9F2u16, popcnt = 0xB9E1u16,
}

// RX: short-displacement storage forms.
table! { RX_INSNS, f, (r1: u8, m: Mem) => |out: &mut Vec<u8>, op: u8| rx(out, op, r1, m.index, m.base, m.disp as u16);
    la = 0x41u8, l = 0x58u8, st = 0x50u8, stc = 0x42u8, sth = 0x40u8,
}

// RXY: long-displacement storage forms.
table! { RXY_INSNS, f, (r1: u8, m: Mem) => |out: &mut Vec<u8>, op: u16| rxy(out, op, r1, m.index, m.base, m.disp);
    lg = 0xE304u16, lgf = 0xE314u16, llgf = 0xE316u16, lgb = 0xE377u16, lgh = 0xE315u16,
    llgc = 0xE390u16, llgh = 0xE391u16, ly = 0xE358u16, stg = 0xE324u16, sty = 0xE350u16,
    sthy = 0xE370u16, stcy = 0xE372u16, lay = 0xE371u16, ag = 0xE308u16, sg = 0xE309u16,
    // Byte-reversed loads and stores: the little-endian guest accesses.
    lrvg = 0xE30Fu16, lrv = 0xE31Eu16, lrvh = 0xE31Fu16,
    strvg = 0xE32Fu16, strv = 0xE33Eu16, strvh = 0xE33Fu16,
    ltg = 0xE302u16, cg = 0xE320u16, clg = 0xE321u16,
    // MSG: the low 64 bits of the product with a doubleword in storage.
    msg = 0xE30Cu16,
    // XY: 32-bit exclusive or with a word in storage (the sliced CRC tables).
    xy = 0xE357u16,
}

// RS-a: compare-and-swap with a 12-bit displacement (the sub-word atomics'
// CS, which the fault handler tells from the word-sized CSY).
table! { RS_INSNS, f, (r1: u8, r3: u8, m: Mem) => |out: &mut Vec<u8>, op: u8| rs(out, op, r1, r3, m.base, m.disp as u16);
    cs = 0xBAu8,
}

// RSY-a: shifts (R1 ← R3 shifted by D2(B2)), load/store multiple,
// compare-and-swap, interlocked-access 1 load-and-op.
table! { RSY_INSNS, f, (r1: u8, r3: u8, m: Mem) => |out: &mut Vec<u8>, op: u16| rsy(out, op, r1, r3, m.base, m.disp);
    sllg = 0xEB0Du16, srlg = 0xEB0Cu16, srag = 0xEB0Au16, rllg = 0xEB1Cu16,
    sllk = 0xEBDFu16, srlk = 0xEBDEu16, srak = 0xEBDCu16, rll = 0xEB1Du16,
    lmg = 0xEB04u16, stmg = 0xEB24u16,
    csg = 0xEB30u16, csy = 0xEB14u16, cdsg = 0xEB3Eu16,
    lang = 0xEBE4u16, laog = 0xEBE6u16, laxg = 0xEBE7u16, laag = 0xEBE8u16,
    lan = 0xEBF4u16, lao = 0xEBF6u16, lax = 0xEBF7u16, laa = 0xEBF8u16,
}

// RI-a: 16-bit immediates.
table! { RI_INSNS, f, (r1: u8, i2: i16) => |out: &mut Vec<u8>, op: u16| ri(out, op, r1, i2 as u16);
    lghi = 0xA79u16, aghi = 0xA7Bu16, mghi = 0xA7Du16, cghi = 0xA7Fu16, lhi = 0xA78u16, ahi = 0xA7Au16, chi = 0xA7Eu16,
}

// RIL-a: 32-bit immediates.
table! { RIL_INSNS, f, (r1: u8, i2: u32) => |out: &mut Vec<u8>, op: u16| ril(out, op, r1, i2);
    lgfi = 0xC01u16, llilf = 0xC0Fu16, llihf = 0xC0Eu16, iihf = 0xC08u16, iilf = 0xC09u16,
    nihf = 0xC0Au16, nilf = 0xC0Bu16, oihf = 0xC0Cu16, oilf = 0xC0Du16, xihf = 0xC06u16, xilf = 0xC07u16,
    agfi = 0xC28u16, algfi = 0xC2Au16, slgfi = 0xC24u16, cgfi = 0xC2Cu16, clgfi = 0xC2Eu16,
    afi = 0xC29u16, cfi = 0xC2Du16, clfi = 0xC2Fu16, msgfi = 0xC20u16,
}

// RIE-f: rotate then insert/and/or/xor selected bits.
table! { RIE_F_INSNS, f, (r1: u8, r2: u8, i3: u8, i4: u8, i5: u8) => |out: &mut Vec<u8>, op: u16| rie_f(out, op, r1, r2, i3, i4, i5);
    risbg = 0xEC55u16, risbgn = 0xEC59u16, rnsbg = 0xEC54u16, rosbg = 0xEC56u16, rxsbg = 0xEC57u16,
}

// RIE-d: R1 ← R3 + I2.
table! { RIE_D_INSNS, f, (r1: u8, r3: u8, i2: i16) => |out: &mut Vec<u8>, op: u16| rie_d(out, op, r1, r3, i2 as u16);
    aghik = 0xECD9u16, ahik = 0xECD8u16,
}

// VRX: vector loads and stores (M3 = alignment hint / element size).
table! { VRX_INSNS, f, (v1: u8, m: Mem, m3: u8) => |out: &mut Vec<u8>, op: u16| vrx(out, op, v1, m.index, m.base, m.disp as u16, m3);
    vl = 0xE706u16, vst = 0xE70Eu16,
    // vector-enhancements 2 (z15): byte-reversed element loads and stores.
    vlbr = 0xE606u16, vstbr = 0xE60Eu16, vler = 0xE607u16, vster = 0xE60Fu16,
}

/// BRC M1,RI2: branch relative on condition; `halfwords` from this instruction.
pub fn brc(out: &mut Vec<u8>, m1: u8, halfwords: i16) {
    ri(out, 0xA74, m1, halfwords as u16);
}

/// BRCL M1,RI2: branch relative long on condition.
pub fn brcl(out: &mut Vec<u8>, m1: u8, halfwords: i32) {
    ril(out, 0xC04, m1, halfwords as u32);
}

/// BRASL R1,RI2: call relative long.
pub fn brasl(out: &mut Vec<u8>, r1: u8, halfwords: i32) {
    ril(out, 0xC05, r1, halfwords as u32);
}

/// LARL R1,RI2: load address relative long.
pub fn larl(out: &mut Vec<u8>, r1: u8, halfwords: i32) {
    ril(out, 0xC00, r1, halfwords as u32);
}

/// BCR M1,R2: branch on condition to the address in R2 (`BCR 14,0` is the
/// serialising no-op used for full barriers).
pub fn bcr(out: &mut Vec<u8>, m1: u8, r2: u8) {
    rr(out, 0x07, m1, r2);
}

/// BASR R1,R2: call the address in R2, return address in R1.
pub fn basr(out: &mut Vec<u8>, r1: u8, r2: u8) {
    rr(out, 0x0D, r1, r2);
}

// RRE between floating-point registers (BFP, in the base): R1 ← op(R1, R2).
table! { RRE_FP_INSNS, f, (f1: u8, f2: u8) => |out: &mut Vec<u8>, op: u16| rre(out, op, f1, f2);
    adbr = 0xB31Au16, sdbr = 0xB31Bu16, mdbr = 0xB31Cu16, ddbr = 0xB31Du16, sqdbr = 0xB315u16,
    aebr = 0xB30Au16, sebr = 0xB30Bu16, meebr = 0xB317u16, debr = 0xB30Du16, sqebr = 0xB314u16,
    cdbr = 0xB319u16, kdbr = 0xB318u16, cebr = 0xB309u16, kebr = 0xB308u16,
    ltdbr = 0xB312u16, ltebr = 0xB302u16, ldebr = 0xB304u16, ledbr = 0xB344u16,
}

// RRD fused multiply-add: F1 ← F3 × F2 ± F1.
table! { RRD_FP_INSNS, f, (f1: u8, f3: u8, f2: u8) => |out: &mut Vec<u8>, op: u16| rrf(out, op, f1, 0, f3, f2);
    madbr = 0xB31Eu16, msdbr = 0xB31Fu16, maebr = 0xB30Eu16, msebr = 0xB30Fu16,
}

/// LDGR F1,R2: the 64 bits of R2 into floating-point register F1.
pub fn ldgr(out: &mut Vec<u8>, f1: u8, r2: u8) {
    rre(out, 0xB3C1, f1, r2);
}
/// LGDR R1,F2: the 64 bits of floating-point register F2 into R1.
pub fn lgdr(out: &mut Vec<u8>, r1: u8, f2: u8) {
    rre(out, 0xB3CD, r1, f2);
}
/// EFPC R1: the floating-point-control register into bits 32-63 of R1.
pub fn efpc(out: &mut Vec<u8>, r1: u8) {
    rre(out, 0xB38C, r1, 0);
}
/// SFPC R1: bits 32-63 of R1 into the floating-point-control register.
pub fn sfpc(out: &mut Vec<u8>, r1: u8) {
    rre(out, 0xB384, r1, 0);
}

// RRF-e conversions with an explicit rounding mode M3 (M4 = 0):
// BFP → fixed (CxxBR) and, with the floating-point-extension facility
// (z196, in the base), the logical forms.
table! { RRF_E_FP_TO_INT_INSNS, f, (r1: u8, m3: u8, f2: u8) => |out: &mut Vec<u8>, op: u16| rrf(out, op, m3, 0, r1, f2);
    cgdbr = 0xB3A9u16, cfdbr = 0xB399u16, cgebr = 0xB3A8u16, cfebr = 0xB398u16,
    clgdbr = 0xB3ADu16, clfdbr = 0xB39Du16, clgebr = 0xB3ACu16, clfebr = 0xB39Cu16,
}

// LOAD FP INTEGER with rounding mode M3 and M4 (bit 2 suppresses the
// inexact exception; floating-point-extension facility, z196).
table! { RRF_E_ROUND_INSNS, f, (f1: u8, m3: u8, f2: u8, m4: u8) => |out: &mut Vec<u8>, op: u16| rrf(out, op, m3, m4, f1, f2);
    fidbra = 0xB35Fu16, fiebra = 0xB357u16,
}

// Fixed → BFP, rounded by the FPC mode.
table! { RRE_INT_TO_FP_INSNS, f, (f1: u8, r2: u8) => |out: &mut Vec<u8>, op: u16| rre(out, op, f1, r2);
    cdgbr = 0xB3A5u16, cdfbr = 0xB395u16, cegbr = 0xB3A4u16, cefbr = 0xB394u16,
}
// The logical forms take M3/M4 (RRF-e); M3 = M4 = 0: the FPC mode.
table! { RRF_E_INT_TO_FP_INSNS, f, (f1: u8, r2: u8) => |out: &mut Vec<u8>, op: u16| rrf(out, op, 0, 0, f1, r2);
    cdlgbr = 0xB3A1u16, cdlfbr = 0xB391u16, celgbr = 0xB3A0u16, celfbr = 0xB390u16,
}

// SIY: add a signed 8-bit immediate to storage (general-instructions-extension, z10).
table! { SIY_INSNS, f, (m: Mem, i2: i8) => |out: &mut Vec<u8>, op: u16| siy(out, op, i2 as u8, m.base, m.disp);
    asi = 0xEB6Au16, agsi = 0xEB7Au16,
}

/// MVGHI D1(B1),I2: store the sign-extended 16-bit immediate as a
/// doubleword (general-instructions-extension, z10).
pub fn mvghi(out: &mut Vec<u8>, m: Mem, i2: i16) {
    sil(out, 0xE548, m.base, m.disp as u16, i2 as u16);
}

/// MVI D1(B1),I2.
pub fn mvi(out: &mut Vec<u8>, m: Mem, i2: u8) {
    si(out, 0x92, i2, m.base, m.disp as u16);
}

/// VLVGP V1,R2,R3: vector from two general registers (R2 → doubleword 0).
pub fn vlvgp(out: &mut Vec<u8>, v1: u8, r2: u8, r3: u8) {
    vrr_f(out, 0xE762, v1, r2, r3);
}

/// VLGV R1,V3,D2(B2),M4: extract element D2(B2) of size 2^M4 bytes.
pub fn vlgv(out: &mut Vec<u8>, r1: u8, v3: u8, m: Mem, m4: u8) {
    vrs_c(out, 0xE721, r1, v3, m.base, m.disp as u16, m4);
}

// VRR-c with an element-size mask M4 (0 byte … 3 doubleword); for the
// compares (VRR-b) M5 = 0: no condition code.
table! { VRR_C_INSNS, f, (v1: u8, v2: u8, v3: u8, m4: u8) => |out: &mut Vec<u8>, op: u16| vrr_c(out, op, v1, v2, v3, m4, 0, 0);
    vs = 0xE7F7u16, vceq = 0xE7F8u16, vch = 0xE7FBu16, vchl = 0xE7F9u16, vmx = 0xE7FFu16,
    vmn = 0xE7FEu16, vmxl = 0xE7FDu16, vmnl = 0xE7FCu16, vml = 0xE7A2u16, vpk = 0xE794u16,
    vpdi = 0xE784u16, vgfm = 0xE7B4u16, vsum = 0xE764u16, vsumg = 0xE765u16, vsumq = 0xE767u16,
}

/// VSLDB V1,V2,V3,I4: bytes I4..I4+15 of the concatenation V2‖V3 (with
/// V3 = V2 a rotation left by I4 bytes).
pub fn vsldb(out: &mut Vec<u8>, v1: u8, v2: u8, v3: u8, i4: u8) {
    vri_d(out, 0xE777, v1, v2, v3, i4, 0);
}

// VRR-c vector BFP arithmetic: format M4 (2 short: vector-enhancements 1;
// 3 long: vector facility), single-element control M5 = 0.
table! { VRR_FP_INSNS, f, (v1: u8, v2: u8, v3: u8, m4: u8) => |out: &mut Vec<u8>, op: u16| vrr_c(out, op, v1, v2, v3, m4, 0, 0);
    vfa = 0xE7E3u16, vfs = 0xE7E2u16, vfm = 0xE7E7u16, vfd = 0xE7E5u16,
}

// VRR-c vector BFP compares (equal, high, high or equal): all-ones
// elements where true; format M4, M5 = 0 (all elements, quiet/signaling
// by instruction), M6 = 0 (no condition code).
table! { VRR_FP_CMP_INSNS, f, (v1: u8, v2: u8, v3: u8, m4: u8) => |out: &mut Vec<u8>, op: u16| vrr_c(out, op, v1, v2, v3, m4, 0, 0);
    vfce = 0xE7E8u16, vfch = 0xE7EBu16, vfche = 0xE7EAu16,
}

/// VFMA V1,V2,V3,V4,M5,M6: V1 ← V2·V3 + V4 fused, format M6, all elements.
pub fn vfma(out: &mut Vec<u8>, v1: u8, v2: u8, v3: u8, v4: u8, m6: u8) {
    vrr_e_m(out, 0xE78F, v1, v2, v3, v4, 0, m6);
}

/// VCEQ with the condition code (M5 = 1): CC 0 all elements equal, 1 some,
/// 3 none. VRR-b keeps M5 in the high half of the fourth byte, where VRR-c
/// has M6.
pub fn vceqs(out: &mut Vec<u8>, v1: u8, v2: u8, v3: u8, m4: u8) {
    vrr_c(out, 0xE7F8, v1, v2, v3, m4, 0, 1);
}

/// VFTCI V1,V2,I3,M4,M5: test data class of every element (format M4):
/// CC 0 all, 1 some, 3 none in the classes I3 selects.
pub fn vftci(out: &mut Vec<u8>, v1: u8, v2: u8, i3: u16, m4: u8) {
    vri_e(out, 0xE74A, v1, v2, i3, m4, 0);
}

// VRR-c bitwise operations (no element size).
table! { VRR_LOGIC_INSNS, f, (v1: u8, v2: u8, v3: u8) => |out: &mut Vec<u8>, op: u16| vrr_c(out, op, v1, v2, v3, 0, 0, 0);
    vnc = 0xE769u16, vno = 0xE76Bu16,
}

// VRR-a: V1 ← op(V2), element size M3.
table! { VRR_A_INSNS, f, (v1: u8, v2: u8, m3: u8) => |out: &mut Vec<u8>, op: u16| vrr_a(out, op, v1, v2, m3);
    vlc = 0xE7DEu16, vlp = 0xE7DFu16, vpopct = 0xE750u16, vclz = 0xE753u16,
    vuph = 0xE7D7u16, vuplh = 0xE7D5u16, vupl = 0xE7D6u16, vupll = 0xE7D4u16,
}

// VRS-a: element shifts by the amount D2(B2), element size M4.
table! { VRS_A_INSNS, f, (v1: u8, v3: u8, m: Mem, m4: u8) => |out: &mut Vec<u8>, op: u16| vrs_a(out, op, v1, v3, m.base, m.disp as u16, m4);
    vesl = 0xE730u16, vesrl = 0xE738u16, vesra = 0xE73Au16, verll = 0xE733u16,
}

// VRI-a: immediates into vector registers.
table! { VRI_A_INSNS, f, (v1: u8, i2: u16, m3: u8) => |out: &mut Vec<u8>, op: u16| vri_a(out, op, v1, i2, m3);
    vleig = 0xE742u16, vgbm = 0xE744u16,
}

// VRR-a FP conversions from fixed point (vector facility): V1 ← V2's
// signed (VCDG) or unsigned (VCDLG) doublewords as long BFP (M3 = 3); M4
// bit 2 (XxC) suppresses the inexact exception, M5 is the rounding mode
// (0: the FPC's).
table! { VRR_A_CONVERT_INSNS, f, (v1: u8, v2: u8, m3: u8, m4: u8, m5: u8) => |out: &mut Vec<u8>, op: u16| vrr_a_m(out, op, v1, v2, m3, m4, m5);
    vcdg = 0xE7C3u16, vcdlg = 0xE7C1u16, vcgd = 0xE7C2u16, vclgd = 0xE7C0u16, vfi = 0xE7C7u16,
}

/// VFSQ V1,V2,M3,M4: square root of every element (M3 the format).
pub fn vfsq(out: &mut Vec<u8>, v1: u8, v2: u8, m3: u8, m4: u8) {
    vrr_a_m(out, 0xE7CE, v1, v2, m3, m4, 0);
}

/// VSEL V1,V2,V3,V4: bits of V2 where V4 is one, of V3 where it is zero.
pub fn vsel(out: &mut Vec<u8>, v1: u8, v2: u8, v3: u8, v4: u8) {
    vrr_e(out, 0xE78D, v1, v2, v3, v4);
}

/// VPERM V1,V2,V3,V4: byte i of V1 is byte (V4 byte i) mod 32 of the
/// concatenation V2:V3.
pub fn vperm(out: &mut Vec<u8>, v1: u8, v2: u8, v3: u8, v4: u8) {
    vrr_e(out, 0xE78C, v1, v2, v3, v4);
}

/// VN/VO/VX and friends: V1 ← V2 op V3 (VRR-c without masks).
pub fn vn(out: &mut Vec<u8>, v1: u8, v2: u8, v3: u8) {
    vrr_c(out, 0xE768, v1, v2, v3, 0, 0, 0);
}
pub fn vo(out: &mut Vec<u8>, v1: u8, v2: u8, v3: u8) {
    vrr_c(out, 0xE76A, v1, v2, v3, 0, 0, 0);
}
pub fn vx(out: &mut Vec<u8>, v1: u8, v2: u8, v3: u8) {
    vrr_c(out, 0xE76D, v1, v2, v3, 0, 0, 0);
}
/// VA V1,V2,V3,M4: element-wise add, element size 2^M4 bytes.
pub fn va(out: &mut Vec<u8>, v1: u8, v2: u8, v3: u8, m4: u8) {
    vrr_c(out, 0xE7F3, v1, v2, v3, m4, 0, 0);
}

/// IPM R1: insert the condition code into bits 34-35 (and the program mask
/// into bits 36-39) of R1; bits 0-31 are unchanged, 32-33 become zero.
pub fn ipm(out: &mut Vec<u8>, r1: u8) {
    rre(out, 0xB222, r1, 0);
}

/// TMLL R1,I2: test the bits of I2 in bits 48-63 of R1 (CC0: all selected
/// bits zero, CC3: all one, CC1/CC2: mixed).
pub fn tmll(out: &mut Vec<u8>, r1: u8, i2: u16) {
    ri(out, 0xA71, r1, i2);
}

/// TMLH R1,I2: as TMLL for bits 32-47 of R1.
pub fn tmlh(out: &mut Vec<u8>, r1: u8, i2: u16) {
    ri(out, 0xA70, r1, i2);
}

//! Scalar FP and AdvSIMD instructions. Field letters follow the Arm ARM
//! diagrams; more specific lines come first where patterns overlap.

use super::Line;
use crate::lift::{fp, simd};

pub(super) const LINES: &[Line] = &[
    // ---- Scalar floating point
    ("FP_DP1", "000 11110 tt 1 oooooo 10000 nnnnn ddddd", fp::dp1),
    ("FP_CMP", "000 11110 tt 1 mmmmm 00 1000 nnnnn ooooo", fp::compare),
    ("FP_IMM", "000 11110 tt 1 iiiiiiii 100 zzzzz ddddd", fp::imm),
    ("FP_CCMP", "000 11110 tt 1 mmmmm cccc 01 nnnnn o vvvv", fp::cond_compare),
    ("FP_DP2", "000 11110 tt 1 mmmmm oooo 10 nnnnn ddddd", fp::dp2),
    ("FP_CSEL", "000 11110 tt 1 mmmmm cccc 11 nnnnn ddddd", fp::select),
    ("FP_DP3", "000 11111 tt o mmmmm o aaaaa nnnnn ddddd", fp::dp3),
    ("FP_INT_CONV", "f 0 0 11110 tt 1 rr ooo 000000 nnnnn ddddd", fp::int_conv),
    ("FP_FIXED_CONV", "f 0 0 11110 tt 0 rr ooo ssssss nnnnn ddddd", fp::fixed_conv),
    // ---- AdvSIMD structure loads and stores
    ("SIMD_LDST_MULT", "0 q 0011000 L 000000 oooo zz nnnnn ttttt", simd::ldst_multiple),
    ("SIMD_LDST_MULT_POST", "0 q 0011001 L 0 mmmmm oooo zz nnnnn ttttt", simd::ldst_multiple),
    ("SIMD_LDST_SINGLE", "0 q 0011010 L R 00000 ooo S zz nnnnn ttttt", simd::ldst_single),
    ("SIMD_LDST_SINGLE_POST", "0 q 0011011 L R mmmmm ooo S zz nnnnn ttttt", simd::ldst_single),
    // ---- Cryptographic extension (FEAT_AES)
    ("CRYPTO_AES", "01001110 00 10100 ooooo 10 nnnnn ddddd", simd::aes),
    // ---- Cryptographic extension (FEAT_SHA1, FEAT_SHA256)
    ("CRYPTO_SHA3", "01011110 00 0 mmmmm 0 ooo 00 nnnnn ddddd", simd::sha_three),
    ("CRYPTO_SHA2", "01011110 00 10100 ooooo 10 nnnnn ddddd", simd::sha_two),
    // ---- Cryptographic extension (FEAT_SHA512, FEAT_SHA3)
    ("CRYPTO_SHA512_3", "11001110 011 mmmmm 1 0 00 oo nnnnn ddddd", simd::sha512_three),
    ("CRYPTO_SHA512_2", "11001110 110 00000 1000 oo nnnnn ddddd", simd::sha512_two),
    ("CRYPTO_4REG", "11001110 0 oo mmmmm 0 aaaaa nnnnn ddddd", simd::crypto_four),
    ("CRYPTO_XAR", "11001110 100 mmmmm iiiiii nnnnn ddddd", simd::xar),
    // ---- AdvSIMD vector data processing
    ("SIMD_TBL", "0 q 001110 00 0 mmmmm 0 ll o 00 nnnnn ddddd", simd::tbl),
    ("SIMD_PERMUTE", "0 q 001110 zz 0 mmmmm 0 ooo 10 nnnnn ddddd", simd::permute),
    ("SIMD_EXT", "0 q 101110 00 0 mmmmm 0 iiii 0 nnnnn ddddd", simd::ext),
    ("SIMD_COPY", "0 q o 01110000 iiiii 0 jjjj 1 nnnnn ddddd", simd::copy),
    ("SIMD_MOD_IMM", "0 q o 0111100000 abc cccc 0 1 defgh ddddd", simd::modified_imm),
    ("SIMD_SHIFT_IMM", "0 q u 011110 hhhh bbb ooooo 1 nnnnn ddddd", simd::shift_imm),
    ("SIMD_TWO_MISC", "0 q u 01110 zz 10000 ooooo 10 nnnnn ddddd", simd::two_misc),
    ("SIMD_ACROSS", "0 q u 01110 zz 11000 ooooo 10 nnnnn ddddd", simd::across),
    ("SIMD_THREE_DIFF", "0 q u 01110 zz 1 mmmmm oooo 00 nnnnn ddddd", simd::three_different),
    ("SIMD_THREE_SAME", "0 q u 01110 zz 1 mmmmm ooooo 1 nnnnn ddddd", simd::three_same),
    ("SIMD_BY_ELEM", "0 q u 01111 zz L M mmmm oooo H 0 nnnnn ddddd", simd::by_element),
    // ---- AdvSIMD scalar
    ("SIMD_SCALAR_DUP", "01 0 11110000 iiiii 0 0000 1 nnnnn ddddd", simd::scalar_dup),
    ("SIMD_SCALAR_SHIFT_IMM", "01 u 111110 hhhh bbb ooooo 1 nnnnn ddddd", simd::scalar_shift_imm),
    ("SIMD_SCALAR_TWO_MISC", "01 u 11110 zz 10000 ooooo 10 nnnnn ddddd", simd::scalar_two_misc),
    ("SIMD_SCALAR_PAIRWISE", "01 u 11110 zz 11000 ooooo 10 nnnnn ddddd", simd::scalar_pairwise),
    ("SIMD_SCALAR_THREE_SAME", "01 u 11110 zz 1 mmmmm ooooo 1 nnnnn ddddd", simd::scalar_three_same),
    ("SIMD_SCALAR_BY_ELEM", "01 u 11111 zz L M mmmm oooo H 0 nnnnn ddddd", simd::scalar_by_element),
];

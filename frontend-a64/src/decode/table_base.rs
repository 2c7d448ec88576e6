//! The A64 base instructions (everything but FP/AdvSIMD data processing).
//! Field letters follow the Arm ARM diagrams; `x` marks bits decoded by the
//! lift function or ignored.

use super::Line;
use crate::lift::{branch, int, mem, system};

pub(super) const LINES: &[Line] = &[
    // ---- Data processing, immediate (op0 = 100x)
    ("ADR", "0 ll 10000 hhhhhhhhhhhhhhhhhhh ddddd", int::adr),
    ("ADRP", "1 ll 10000 hhhhhhhhhhhhhhhhhhh ddddd", int::adr),
    ("ADD_SUB_imm", "f o s 100010 h iiiiiiiiiiii nnnnn ddddd", int::add_sub_imm),
    ("LOGICAL_imm", "f oo 100100 N rrrrrr ssssss nnnnn ddddd", int::logical_imm),
    ("MOVE_WIDE", "f oo 100101 hh iiiiiiiiiiiiiiii ddddd", int::move_wide),
    ("BITFIELD", "f oo 100110 N rrrrrr ssssss nnnnn ddddd", int::bitfield),
    ("EXTR", "f 00 100111 N 0 mmmmm ssssss nnnnn ddddd", int::extr),
    // ---- Branches, exception generation, system (op0 = 101x)
    ("B_cond", "0101010 0 iiiiiiiiiiiiiiiiiii 0 cccc", branch::b_cond),
    ("SVC", "11010100 000 iiiiiiiiiiiiiiii 000 01", branch::svc),
    ("BRK", "11010100 001 iiiiiiiiiiiiiiii 000 00", branch::brk),
    ("HLT", "11010100 010 iiiiiiiiiiiiiiii 000 00", branch::hlt),
    ("HINT", "1101010100 0 00 011 0010 mmmm ooo 11111", system::hint),
    ("BARRIER", "1101010100 0 00 011 0011 mmmm ooo 11111", system::barrier),
    ("SYS", "1101010100 0 01 ooo nnnn mmmm ppp ttttt", system::sys),
    ("MSR_reg", "1101010100 0 1 o ooo nnnn mmmm ppp ttttt", system::msr),
    ("MRS", "1101010100 1 1 o ooo nnnn mmmm ppp ttttt", system::mrs),
    ("BR", "1101011 0000 11111 000000 nnnnn 00000", branch::b_reg),
    ("BLR", "1101011 0001 11111 000000 nnnnn 00000", branch::b_reg),
    ("RET", "1101011 0010 11111 000000 nnnnn 00000", branch::b_reg),
    ("B_BL", "o 00101 iiiiiiiiiiiiiiiiiiiiiiiiii", branch::b_imm),
    ("CBZ_CBNZ", "f 011010 o iiiiiiiiiiiiiiiiiii ttttt", branch::cbz),
    ("TBZ_TBNZ", "b 011011 o bbbbb iiiiiiiiiiiiii ttttt", branch::tbz),
    // ---- Loads and stores (op0 = x1x0)
    ("CASP", "0 z 001000 0 L 1 sssss o 11111 nnnnn ttttt", mem::casp),
    ("CAS", "zz 001000 1 L 1 sssss o 11111 nnnnn ttttt", mem::cas),
    ("LD_ST_EXCLUSIVE_ORDERED", "zz 001000 o L o sssss o uuuuu nnnnn ttttt", mem::exclusive),
    ("LDAPR", "zz 111 0 00 1 0 1 11111 1 100 00 nnnnn ttttt", mem::ldapr),
    ("LSE_RMW", "zz 111 0 00 A R 1 sssss o ooo 00 nnnnn ttttt", mem::lse_rmw),
    ("LDR_literal", "oo 011 v 00 iiiiiiiiiiiiiiiiiii ttttt", mem::ld_literal),
    ("LDP_STP", "oo 101 v 0 ii L iiiiiii uuuuu nnnnn ttttt", mem::ldst_pair),
    ("LDR_STR_uimm", "zz 111 v 01 oo iiiiiiiiiiii nnnnn ttttt", mem::ldst_uimm),
    ("LDR_STR_imm9", "zz 111 v 00 oo 0 iiiiiiiii xx nnnnn ttttt", mem::ldst_imm9),
    ("LDR_STR_reg", "zz 111 v 00 oo 1 mmmmm ppp S 10 nnnnn ttttt", mem::ldst_reg),
    // ---- Data processing, register (op0 = x101)
    ("LOGICAL_shifted", "f oo 01010 hh N mmmmm iiiiii nnnnn ddddd", int::logical_shifted),
    ("ADD_SUB_shifted", "f o s 01011 hh 0 mmmmm iiiiii nnnnn ddddd", int::add_sub_shifted),
    ("ADD_SUB_extended", "f o s 01011 pp 1 mmmmm eee iii nnnnn ddddd", int::add_sub_extended),
    ("ADC_SBC", "f o s 11010000 mmmmm 000000 nnnnn ddddd", int::add_sub_carry),
    ("CCMN_CCMP", "f o 1 11010010 mmmmm cccc i x nnnnn x vvvv", int::cond_compare),
    ("CSEL_family", "f o 0 11010100 mmmmm cccc oo nnnnn ddddd", int::cond_select),
    ("DP_2SRC", "f 0 0 11010110 mmmmm oooooo nnnnn ddddd", int::dp2),
    ("DP_1SRC", "f 1 0 11010110 ooooo oooooo nnnnn ddddd", int::dp1),
    ("DP_3SRC", "f oo 11011 ooo mmmmm o aaaaa nnnnn ddddd", int::dp3),
];

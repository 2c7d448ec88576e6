//! The A64 frontend: a decoder written as bit-pattern tables (`decode`) and
//! lift functions that turn each instruction into zarm IR (`lift`). It
//! knows the guest ISA and nothing of the host.
//!
//! Blocks end at any branch, SVC, BRK/HLT, ISB, IC IVAU, at `max_insns`, or
//! at the end of the 4 KiB guest page, whichever comes first. An encoding
//! the tables do not know, or one they know to be unallocated, ends the
//! block with an `Undefined` exception at that instruction (guest SIGILL)
//! — never a wrong result.

pub mod decode;
pub mod features;
pub mod lift;

use zarm_ir::{Block, GuestMemory};

#[derive(Clone, Copy, Debug)]
pub struct TranslateOptions {
    pub max_insns: u32,
}

impl Default for TranslateOptions {
    fn default() -> Self {
        TranslateOptions { max_insns: 64 }
    }
}

/// Decodes and lifts the guest block starting at `pc`. Never panics on any
/// guest memory contents.
pub fn translate(mem: &mut dyn GuestMemory, pc: u64, opts: &TranslateOptions) -> Block {
    lift::lift_block(mem, pc, opts.max_insns.max(1))
}

/// The decoder-table name of an encoding (e.g. "ADD_SUB_imm"), or None if
/// zarm does not know it. Used by `--strace` and the tests.
pub fn insn_name(word: u32) -> Option<&'static str> {
    decode::lookup(word).map(|e| e.name)
}
